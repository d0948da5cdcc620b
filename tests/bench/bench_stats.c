/*
 * bench_stats.c — what the audited suppression of statistics costs at
 * 100,000 records: the one-way tables and five cross-tables of the full
 * screening form, each counted, suppressed and proved by GLPK, with the
 * linear programs solved and the counts hidden. Prints figures only;
 * never passes or fails on timing.
 *
 * The population is skewed as field data are: RECORDS records copied from
 * COMMON screenings of common answers, plus a few dozen of rare ones (a
 * transgender respondent, stateless or Cambodian nationals, work in
 * Malaysia, fishing, sex work) so that small cells need protecting. They
 * are stored with vault_import in batches; the vault lives in /dev/shm
 * when it has room.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "crypto.h"
#include "interview.h"
#include "record.h"
#include "release.h"
#include "stats.h"
#include "vault.h"

#define PASS      "benchmark passphrase"
#define FORMS_DIR "forms"
#define RECORDS   100000
#define BATCH     10000
#define COMMON    240
#define RARE      12
#define RARE_EACH 2                    /* copies of each rare screening */

static const struct vault_kdf fast = { 1, 8 };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *
base_dir(void)
{
	struct statvfs fs;
	const char *tmp = getenv("TMPDIR");

	if (statvfs("/dev/shm", &fs) == 0 && (double)fs.f_bavail * fs.f_frsize > 1e9)
		return "/dev/shm";
	return tmp && *tmp ? tmp : "/tmp";
}

/* Screening t: common answers for t < COMMON, a rare one after. */
static char *
screening(const struct form *f, int t, size_t *len)
{
	static const char *const sexes[] = { "female", "male" };
	static const char *const nats[] = { "lao", "thai", "chinese", "myanmar" };
	static const char *const works[] = { "thailand", "china", "laos" };
	static const char *const sectors[] = { "\"factory\"", "\"agriculture\"",
	    "\"domestic_work\"", "\"construction\"" };
	static const char *const rare_nat[] = { "stateless", "cambodian", "vietnamese" };
	int rare = t >= COMMON;
	char answers[1024], err[256] = "", *json = NULL;
	struct interview *iv;
	json_t *a;

	snprintf(answers, sizeof answers, "{\"privacy_check\":\"no_one\",\"safe_now\":\"yes\","
	    "\"danger_now\":\"no\",\"urgent_medical\":\"no\",\"interview_country\":\"thailand\","
	    "\"interview_setting\":\"shelter\",\"consent_interview\":\"yes\","
	    "\"consent_referral\":\"no\",\"consent_statistics\":\"%s\",\"age\":%d,"
	    "\"sex\":\"%s\",\"nationality\":\"%s\",\"country_of_work\":\"%s\","
	    "\"sector\":[%s],\"locked_in\":\"%s\",\"needs_now\":[\"none\"]}",
	    t % 7 == 3 ? "no" : "yes", rare && t % 2 ? 14 : 18 + (t * 13) % 40,
	    rare && t % 3 == 0 ? "transgender" : sexes[t % 2],
	    rare ? rare_nat[t % 3] : nats[(t / 2) % 4],
	    rare && t % 4 == 1 ? "malaysia" : works[(t / 3) % 3],
	    rare ? (t % 2 ? "\"fishing\"" : "\"sex_work\"") : sectors[(t / 5) % 4],
	    t % 3 ? "no" : "yes");
	if ((a = json_loads(answers, 0, NULL)) == NULL || interview_start(f, "en", &iv) != ST_OK)
		return NULL;
	interview_set_interviewer(iv, "bench");
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK ||
	    interview_finish(iv) != ST_OK ||
	    interview_set_record_id(iv, "00000000000000000000000000000000") != ST_OK ||
	    interview_to_json(iv, &json, len) != ST_OK)
		fprintf(stderr, "bench: screening %d: %s\n", t, err);
	interview_free(iv);
	json_decref(a);
	return json;
}

/* Which screening record r copies: the rare ones RARE_EACH times each. */
static int
screening_of(int r)
{
	if (r < RARE * RARE_EACH)
		return COMMON + r / RARE_EACH;
	return r % COMMON;
}

static int
fill(struct vault *v, const struct form *f)
{
	static char *tpl[COMMON + RARE];
	static size_t tlen[COMMON + RARE];
	struct vault_import_record *recs = calloc(BATCH, sizeof *recs);
	char *bufs = malloc((size_t)BATCH * 4096), hex[33];
	struct vault_import_form form;
	size_t imported, skipped;
	double t0 = now_ms();
	int rc = 0;

	if (recs == NULL || bufs == NULL)
		return -1;
	for (int i = 0; i < COMMON + RARE; i++)
		if ((tpl[i] = screening(f, i, &tlen[i])) == NULL || tlen[i] >= 4096)
			return -1;
	form.src = form_source(f, &form.len);
	for (int b = 0; b < RECORDS / BATCH && rc == 0; b++) {
		for (int i = 0; i < BATCH; i++) {
			int t = screening_of(b * BATCH + i);
			char *p = bufs + (size_t)i * 4096, *at;

			crypto_random(recs[i].id.b, VAULT_ID_BYTES);
			record_id_hex(&recs[i].id, hex);
			memcpy(p, tpl[t], tlen[t] + 1);
			at = strstr(p, "\"id\":\"");
			memcpy(at + 6, hex, 32);
			recs[i].json = p;
			recs[i].len = tlen[t];
		}
		if (vault_import(v, &form, 1, recs, BATCH, NULL, &imported, &skipped) != ST_OK) {
			fprintf(stderr, "bench: import: %s\n", vault_errmsg(v));
			rc = -1;
		}
	}
	printf("fill: %d records (%d rare ones) in %.1f s\n", RECORDS, RARE * RARE_EACH,
	    (now_ms() - t0) / 1e3);
	for (int i = 0; i < COMMON + RARE; i++)
		interview_json_free(tpl[i], tlen[i]);
	free(recs);
	free(bufs);
	return rc;
}

/* One query; adds its time to *total. */
static void
query(struct vault *v, const char *const *by, size_t nby, double *total)
{
	struct stats_opts o = { by, nby, STATS_K_DEFAULT, 0, NULL, NULL, NULL, FORMS_DIR, NULL };
	const struct sdc_work *w;
	struct stats *s = NULL;
	char err[1024] = "", *text = NULL, what[128];
	size_t len = 0;
	double t0 = now_ms(), ms;

	snprintf(what, sizeof what, "%s%s%s", nby ? by[0] : "one-way tables", nby ? " by " : "",
	    nby ? by[1] : "");
	if (stats_compute(v, &o, &s, err, sizeof err) != ST_OK ||
	    stats_format(s, STATS_CSV, &text, &len) != ST_OK) {
		fprintf(stderr, "bench: stats %s: %s\n", what, err);
		stats_free(s);
		return;
	}
	ms = now_ms() - t0;
	*total += ms;
	w = stats_work(s);
	printf("stats %-34s: %.2f s, %zu hidden (%zu below k, %zu more), %zu LPs, %zu MIPs\n",
	    what, ms / 1e3, w->hidden_primary + w->hidden_more, w->hidden_primary,
	    w->hidden_more, w->lps, w->mips);
	free(text);
	stats_free(s);
}

/* The release of this quarter with every cross-table: one scan, one
 * suppression run over all the tables, sealed in the vault. */
static void
release_bench(struct vault *v, const char *const (*crosses)[2], size_t n)
{
	struct release_opts o;
	struct release_result r;
	char period[16], next[16], err[1024] = "";
	time_t now = time(NULL);
	struct tm tm;
	unsigned y, q;
	double t0 = now_ms(), ms;

	gmtime_r(&now, &tm);
	y = (unsigned)(tm.tm_year + 1900) % 10000;
	q = (unsigned)tm.tm_mon / 3 % 4 + 1;
	snprintf(period, sizeof period, "%04u-Q%u", y, q);
	snprintf(next, sizeof next, "%04u-%02u-01", q == 4 ? (y + 1) % 10000 : y,
	    q == 4 ? 1 : 3 * q + 1);
	memset(&o, 0, sizeof o);
	o.period = period;
	o.cross = crosses;
	o.ncross = n;
	o.forms_dir = FORMS_DIR;
	o.today = next;
	if (release_get(v, &o, &r, err, sizeof err) != ST_OK) {
		fprintf(stderr, "bench: release: %s\n", err);
		return;
	}
	ms = now_ms() - t0;
	printf("release %s (one-way tables and %zu cross-tables together): %.2f s, %zu bytes\n",
	    period, n, ms / 1e3, r.csv_len);
	printf("BENCH statistics release: one-way tables and %zu cross-tables over %d records, "
	    "audited together|%.2f|s|-|-|under 60 s\n", n, RECORDS, ms / 1e3);
	release_result_free(&r);
}

int
main(void)
{
	static const char *const crosses[][2] = {
		{ "country_of_work", "locked_in" }, { "sex", "nationality" }, { "age", "sex" },
		{ "nationality", "sector" }, { "country_of_work", "nationality" },
	};
	char dir[4096], vdir[4200];
	struct diag_list dl;
	struct form *f = NULL;
	struct vault *v;
	double total = 0;

	if (crypto_init() != ST_OK)
		return 1;
	if ((size_t)snprintf(dir, sizeof dir, "%s/intake-bench-stats.XXXXXX", base_dir()) >=
	    sizeof dir || mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench: cannot make a directory: %s\n", strerror(errno));
		return 1;
	}
	printf("== statistics with audited suppression (in %s)\n", dir);
	diag_list_init(&dl);
	if (form_load_file(FORMS_DIR "/screening.yaml", &f, &dl) != ST_OK) {
		fprintf(stderr, "bench: run from the source tree (needs forms/)\n");
		return 1;
	}
	diag_list_free(&dl);
	snprintf(vdir, sizeof vdir, "%s/vault", dir);
	v = vault_new();
	if (v == NULL || vault_create(v, vdir, "bench", PASS, strlen(PASS), &fast) != ST_OK ||
	    record_attach_form(v, f, NULL, 0) != ST_OK || fill(v, f) != 0)
		return 1;
	query(v, NULL, 0, &total);
	for (size_t i = 0; i < sizeof crosses / sizeof crosses[0]; i++)
		query(v, crosses[i], 2, &total);
	printf("all six queries: %.2f s\n", total / 1e3);
	release_bench(v, crosses, sizeof crosses / sizeof crosses[0]);
	vault_close(v);
	form_free(f);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
