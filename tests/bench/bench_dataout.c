/*
 * bench_dataout.c — what data leaving the vault costs: export (CSV and JSON
 * Lines) and statistics over 100,000 records, and sealed bundles (create
 * and import, MB/s of bundle file) next to libsodium's raw secretstream
 * throughput measured in the same run. Prints figures only; never passes
 * or fails on timing.
 *
 * Records are 200 different screenings taken through the interview engine
 * (forms/screening-short.yaml), stored under 100,000 ids with vault_import
 * in batches of 10,000; the vault lives in /dev/shm when it has room, so
 * the figures are CPU, not disk. Bundles carry BUNDLE_RECORDS of them, as
 * a field site would send a few weeks at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "bundle.h"
#include "crypto.h"
#include "export.h"
#include "interview.h"
#include "record.h"
#include "stats.h"
#include "vault.h"

#define PASS            "benchmark passphrase"
#define FORMS_DIR       "forms"
#define RECORDS         100000
#define BATCH           10000
#define TEMPLATES       200
#define BUNDLE_RECORDS  20000
#define STREAM_BYTES    ((size_t)256 << 20)

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

	if (statvfs("/dev/shm", &fs) == 0 && (double)fs.f_bavail * fs.f_frsize > 2e9)
		return "/dev/shm";
	return tmp && *tmp ? tmp : "/tmp";
}

static struct vault *
make_vault(const char *dir)
{
	struct vault *v = vault_new();

	if (v == NULL || vault_create(v, dir, "bench", PASS, strlen(PASS), &fast) != ST_OK) {
		fprintf(stderr, "bench: cannot create a vault in %s: %s\n", dir, vault_errmsg(v));
		vault_close(v);
		return NULL;
	}
	return v;
}

/* One screening, varied by i. */
static char *
template_json(const struct form *f, int i, size_t *len)
{
	static const char *const ages[] = { "age_9_17", "age_18_20", "age_21_23", "age_24_26",
	    "age_27_29", "age_30_38", "age_39_47" };
	static const char *const docs[] = { "myself", "employer", "recruiter_broker",
	    "authorities" };
	char answers[1024], err[256], *json = NULL;
	struct interview *iv;
	json_t *a;

	snprintf(answers, sizeof answers, "{\"danger_now\":\"no\",\"urgent_medical\":\"no\",\"consent_interview\":\"yes\","
	    "\"consent_referral\":\"%s\",\"consent_statistics\":\"%s\",\"age_band\":\"%s\","
	    "\"sector\":[\"factory\"%s],\"job_different\":\"%s\",\"documents_held_by\":\"%s\","
	    "\"debt_work_off\":\"%s\",\"needs_now\":[\"shelter\",\"legal\"]}",
	    i % 2 ? "yes" : "no", i % 5 ? "yes" : "no", ages[i % 7],
	    i % 3 ? "" : ",\"karaoke_entertainment\"", i % 4 ? "yes" : "no", docs[i % 4],
	    i % 6 ? "no" : "yes");
	a = json_loads(answers, 0, NULL);
	if (a == NULL || interview_start(f, i % 3 ? "en" : "lo", &iv) != ST_OK)
		return NULL;
	interview_set_interviewer(iv, i % 2 ? "field-ana" : "field-bo");
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK ||
	    interview_finish(iv) != ST_OK ||
	    interview_set_record_id(iv, "00000000000000000000000000000000") != ST_OK ||
	    interview_to_json(iv, &json, len) != ST_OK)
		fprintf(stderr, "bench: template %d: %s\n", i, err);
	interview_free(iv);
	json_decref(a);
	return json;
}

/* Fills the vault with RECORDS records, ids written into each JSON. */
static int
fill(struct vault *v, const struct form *f)
{
	static char *tpl[TEMPLATES];
	static size_t tlen[TEMPLATES];
	struct vault_import_record *recs = calloc(BATCH, sizeof *recs);
	char *bufs = malloc((size_t)BATCH * 4096), hex[33];
	struct vault_import_form form;
	size_t imported, skipped;
	double t0 = now_ms();
	int rc = 0;

	if (recs == NULL || bufs == NULL)
		return -1;
	for (int i = 0; i < TEMPLATES; i++)
		if ((tpl[i] = template_json(f, i, &tlen[i])) == NULL || tlen[i] >= 4096)
			return -1;
	form.src = form_source(f, &form.len);
	for (int b = 0; b < RECORDS / BATCH && rc == 0; b++) {
		for (int i = 0; i < BATCH; i++) {
			int t = (b * BATCH + i) % TEMPLATES;
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
	printf("fill: %d records (%zu-%zu bytes of JSON each) stored in %d transactions: %.1f s\n",
	    RECORDS, tlen[0], tlen[1], RECORDS / BATCH, (now_ms() - t0) / 1e3);
	for (int i = 0; i < TEMPLATES; i++)
		interview_json_free(tpl[i], tlen[i]);
	free(recs);
	free(bufs);
	return rc;
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : 0;
}

static void
bench_export(struct vault *v, const char *dir, enum export_format fmt, const char *name)
{
	struct export_opts o = { fmt, NULL, NULL, "en", FORMS_DIR };
	struct export_result r;
	char path[4200], err[512];
	double t0, ms;
	int fd;

	snprintf(path, sizeof path, "%s/export.%s", dir, name);
	fd = export_create(path, err, sizeof err);
	if (fd < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return;
	}
	t0 = now_ms();
	if (export_write(v, fd, &o, &r, err, sizeof err) != ST_OK)
		fprintf(stderr, "bench: export: %s\n", err);
	ms = now_ms() - t0;
	close(fd);
	printf("export %-5s: %zu records in %.2f s (%.0f records/s, %.1f MB written)\n", name,
	    r.rows, ms / 1e3, r.rows / (ms / 1e3), (double)file_size(path) / 1e6);
	printf("BENCH export of %zu records as %s|%.0f|records/s|-|-|at least 1,000 records/s\n",
	    r.rows, name, r.rows / (ms / 1e3));
	unlink(path);
}

static void
bench_stats(struct vault *v, const char *const *by, size_t nby, const char *what)
{
	struct stats_opts o = { by, nby, STATS_K_DEFAULT, 0, NULL, NULL, NULL, FORMS_DIR, NULL };
	struct stats *s = NULL;
	char err[1024], *text = NULL;
	size_t len = 0;
	double t0 = now_ms(), ms;

	if (stats_compute(v, &o, &s, err, sizeof err) != ST_OK ||
	    stats_format(s, STATS_CSV, &text, &len) != ST_OK)
		fprintf(stderr, "bench: stats: %s\n", err);
	ms = now_ms() - t0;
	printf("stats %-28s: %zu records counted in %.2f s (%zu bytes of tables)\n", what,
	    s ? stats_counted(s) : 0, ms / 1e3, len);
	printf("BENCH statistics %s over %zu records|%.2f|s|-|-|under 10 s\n", what,
	    s ? stats_counted(s) : 0, ms / 1e3);
	free(text);
	stats_free(s);
}

/* A vault holding the first BUNDLE_RECORDS records of v, for bundling. */
static int
bench_bundle(const char *dir, const struct form *f)
{
	char src[4200], dst[4200], prefix[4200], key[4200], pub[4200], path[4200], fp[BUNDLE_FP_LEN];
	char err[1024], site_prefix[4200], site_key[4200], site_pub[4200];
	unsigned char pk[CRYPTO_PK_BYTES];
	struct bundle_key *k = NULL;
	struct bundle_site *site = NULL;
	struct bundle_result r;
	struct vault *from, *to;
	double t0, create_ms, import_ms, mb;
	double push = 0, pull = 0;
	int fd;

	snprintf(src, sizeof src, "%s/field", dir);
	snprintf(dst, sizeof dst, "%s/office", dir);
	snprintf(prefix, sizeof prefix, "%s/office-key", dir);
	snprintf(key, sizeof key, "%s/office-key.key", dir);
	snprintf(pub, sizeof pub, "%s/office-key.pub", dir);
	snprintf(path, sizeof path, "%s/cases.bundle", dir);
	snprintf(site_prefix, sizeof site_prefix, "%s/site-key", dir);
	snprintf(site_key, sizeof site_key, "%s/site-key.key", dir);
	snprintf(site_pub, sizeof site_pub, "%s/site-key.pub", dir);
	if ((from = make_vault(src)) == NULL || (to = make_vault(dst)) == NULL)
		return -1;
	{
		/* Same records as the big vault, fewer of them. */
		struct vault_import_form form;
		struct vault_import_record *recs = calloc(BUNDLE_RECORDS, sizeof *recs);
		char *tpl[TEMPLATES], *bufs = malloc((size_t)BUNDLE_RECORDS * 4096), hex[33];
		size_t tlen[TEMPLATES], a, b;

		form.src = form_source(f, &form.len);
		for (int i = 0; i < TEMPLATES; i++)
			tpl[i] = template_json(f, i, &tlen[i]);
		for (int i = 0; i < BUNDLE_RECORDS; i++) {
			char *p = bufs + (size_t)i * 4096;

			crypto_random(recs[i].id.b, VAULT_ID_BYTES);
			record_id_hex(&recs[i].id, hex);
			memcpy(p, tpl[i % TEMPLATES], tlen[i % TEMPLATES] + 1);
			memcpy(strstr(p, "\"id\":\"") + 6, hex, 32);
			recs[i].json = p;
			recs[i].len = tlen[i % TEMPLATES];
		}
		if (vault_import(from, &form, 1, recs, BUNDLE_RECORDS, NULL, &a, &b) != ST_OK)
			fprintf(stderr, "bench: %s\n", vault_errmsg(from));
		for (int i = 0; i < TEMPLATES; i++)
			interview_json_free(tpl[i], tlen[i]);
		free(recs);
		free(bufs);
	}
	if (bundle_keygen(prefix, PASS, strlen(PASS), &fast, fp, err, sizeof err) != ST_OK ||
	    bundle_pub_load(pub, pk, err, sizeof err) != ST_OK ||
	    bundle_key_open(key, PASS, strlen(PASS), &k, err, sizeof err) != ST_OK ||
	    bundle_site_keygen(site_prefix, PASS, strlen(PASS), &fast, fp, err,
	    sizeof err) != ST_OK ||
	    bundle_site_open(site_key, PASS, strlen(PASS), &site, err, sizeof err) != ST_OK ||
	    bundle_trust(to, "field", site_pub, fp, err, sizeof err) != ST_OK ||
	    (fd = export_create(path, err, sizeof err)) < 0) {
		fprintf(stderr, "bench: keys: %s\n", err);
		return -1;
	}
	t0 = now_ms();
	if (bundle_create(from, site, pk, fd, NULL, FORMS_DIR, &r, err, sizeof err) != ST_OK)
		fprintf(stderr, "bench: bundle create: %s\n", err);
	create_ms = now_ms() - t0;
	close(fd);
	mb = (double)r.bytes / 1e6;
	t0 = now_ms();
	if (bundle_import(to, k, path, &r, err, sizeof err) != ST_OK)
		fprintf(stderr, "bench: bundle import: %s\n", err);
	import_ms = now_ms() - t0;
	crypto_stream_measure(STREAM_BYTES, BUNDLE_CHUNK, &push, &pull);
	printf("bundle: %zu records, %.1f MB file\n", r.records, mb);
	printf("  create: %.2f s, %.0f MB/s (read, seal, write)\n", create_ms / 1e3,
	    mb / (create_ms / 1e3));
	printf("  import: %.2f s, %.0f MB/s (open, verify every record with the engine, one "
	    "transaction); %zu imported\n", import_ms / 1e3, mb / (import_ms / 1e3), r.imported);
	printf("  raw secretstream, %d KiB chunks: push %.0f MB/s, pull %.0f MB/s\n",
	    BUNDLE_CHUNK / 1024, push, pull);
	printf("BENCH bundle create, %zu records|%.0f|MB/s|raw secretstream push %.0f MB/s|%.2f|-\n",
	    r.records, mb / (create_ms / 1e3), push, push / (mb / (create_ms / 1e3)));
	printf("BENCH bundle import, %zu records checked by the engine|%.0f|MB/s|"
	    "raw secretstream pull %.0f MB/s|%.2f|-\n", r.records, mb / (import_ms / 1e3), pull,
	    pull / (mb / (import_ms / 1e3)));
	bundle_key_free(k);
	bundle_site_free(site);
	vault_close(from);
	vault_close(to);
	return 0;
}

int
main(void)
{
	static const char *const by2[] = { "age_band", "documents_held_by" };
	char dir[4096], vdir[4200];
	struct diag_list dl;
	struct form *f = NULL;
	struct vault *v;
	double t0 = now_ms();

	if (crypto_init() != ST_OK)
		return 1;
	if ((size_t)snprintf(dir, sizeof dir, "%s/intake-bench-dataout.XXXXXX", base_dir()) >=
	    sizeof dir || mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench: cannot make a directory: %s\n", strerror(errno));
		return 1;
	}
	printf("== data out (in %s)\n", dir);
	diag_list_init(&dl);
	if (form_load_file(FORMS_DIR "/screening-short.yaml", &f, &dl) != ST_OK) {
		fprintf(stderr, "bench: run from the source tree (needs forms/)\n");
		return 1;
	}
	diag_list_free(&dl);
	snprintf(vdir, sizeof vdir, "%s/vault", dir);
	if ((v = make_vault(vdir)) == NULL || record_attach_form(v, f, NULL, 0) != ST_OK || fill(v, f) != 0)
		return 1;
	bench_export(v, dir, EXPORT_CSV, "csv");
	bench_export(v, dir, EXPORT_JSONL, "jsonl");
	bench_stats(v, NULL, 0, "(one table per variable)");
	bench_stats(v, by2, 2, "--by age_band,documents_held_by");
	vault_close(v);
	bench_bundle(dir, f);
	form_free(f);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	printf("total bench time %.0f s\n", (now_ms() - t0) / 1e3);
	return 0;
}
