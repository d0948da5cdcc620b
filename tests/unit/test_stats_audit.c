/*
 * test_stats_audit.c — an adversary against anonymous statistics.
 *
 * A skewed vault (rare nationalities, a few transgender respondents, rare
 * sectors and countries of work, records without statistics consent) is
 * counted through every query the statistics allow on it: the one-way
 * tables and several cross-tables. The adversary reads only the published
 * CSV, puts every published figure into one integer program (a one-way
 * count is the same unknown as the matching margin of a cross-table; "x"
 * is any count >= 0, and "<k", where a publication prints it, 1..k-1),
 * and asks GLPK for the smallest and largest value of every hidden count.
 * No hidden count may be pinned, and none may be left fewer than k+1
 * possible values (a "<k" count: fewer than all of 1..k-1). It also reads the printed summary for exact counts
 * below k, and checks that a date or form filter cannot cut a population
 * a few records away from the published one.
 */
#include "testutil.h"
#include <glpk.h>
#include <jansson.h>
#include <math.h>
#include <time.h>
#include "form.h"
#include "interview.h"
#include "record.h"
#include "release.h"
#include "stats.h"
#include "vault.h"

#define PASS_SUP "supervisor passphrase"
#define FORMS_DIR "forms"
#define NREC 3000
#define K 11
#define MAXKEYS 4096
#define KEYLEN 160

static const struct vault_kdf fast = { 1, 8 };

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
	struct form *f;
};

static struct fx *fixture;

/* ---- the skewed vault ---- */

static const char *
pick(int i, int mod, const char *const *vals, const int *upto, size_t n)
{
	int r = (i * 7919 + 13) % mod;

	for (size_t j = 0; j < n; j++)
		if (r < upto[j])
			return vals[j];
	return vals[n - 1];
}

static void
save_one(struct fx *f, int i)
{
	static const char *const sexes[] = { "female", "male", "transgender" };
	static const int sex_upto[] = { 690, 997, 1000 };
	static const char *const nats[] = { "lao", "thai", "chinese", "myanmar", "vietnamese",
	    "cambodian", "stateless" };
	static const int nat_upto[] = { 600, 800, 950, 993, 997, 999, 1000 };
	static const char *const works[] = { "thailand", "china", "laos", "malaysia" };
	static const int work_upto[] = { 600, 900, 997, 1000 };
	static const char *const sectors[] = { "\"factory\"", "\"agriculture\"",
	    "\"domestic_work\"", "\"fishing\"", "\"sex_work\"", "\"factory\",\"sex_work\"" };
	static const int sector_upto[] = { 500, 800, 990, 995, 998, 1000 };
	char json[1024], err[256] = "";
	struct interview *iv;
	struct record_id id;
	int age = i % 251 == 0 ? 15 : 18 + (i * 37) % 40;
	json_t *a;

	snprintf(json, sizeof json, "{\"privacy_check\":\"no_one\",\"safe_now\":\"yes\","
	    "\"danger_now\":\"no\",\"threatened_now\":\"no\",\"urgent_medical\":\"no\",\"interview_country\":\"thailand\","
	    "\"interview_setting\":\"shelter\",\"consent_path\":\"%s\",\"consent_interview\":\"yes\","
	    "\"consent_referral\":\"no\",\"consent_statistics\":\"%s\",\"age\":%d,"
	    "\"sex\":\"%s\",\"nationality\":\"%s\",\"country_of_work\":\"%s\","
	    "\"sector\":[%s],\"locked_in\":%s,\"needs_now\":[\"none\"]}",
	    age < 18 ? "child_alone" : "adult", i % 9 == 4 ? "no" : "yes", age, pick(i, 1000, sexes, sex_upto, 3),
	    pick(i * 3 + 1, 1000, nats, nat_upto, 7), pick(i * 5 + 2, 1000, works, work_upto, 4),
	    pick(i * 11 + 3, 1000, sectors, sector_upto, 6),
	    i % 17 == 0 ? "null" : i % 3 ? "\"no\"" : "\"yes\"");
	a = json_loads(json, 0, NULL);
	assert_non_null(a);
	assert_int_equal(interview_start(f->f, "en", &iv), ST_OK);
	interview_set_interviewer(iv, "sup");
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK)
		fail_msg("%s: %s", json, err);
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(record_save(f->v, iv, &id), ST_OK);
	interview_free(iv);
	json_decref(a);
}

static int
group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct diag_list dl;

	assert_non_null(f);
	if (access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	f->tmp = tu_tmpdir("stats-audit");
	snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp);
	f->v = vault_new();
	assert_int_equal(vault_create(f->v, f->dir, "sup", PASS_SUP, strlen(PASS_SUP), &fast),
	    ST_OK);
	diag_list_init(&dl);
	assert_int_equal(form_load_file(FORMS_DIR "/screening.yaml", &f->f, &dl), ST_OK);
	diag_list_free(&dl);
	assert_int_equal(record_attach_form(f->v, f->f, NULL, 0), ST_OK);
	for (int i = 0; i < NREC; i++)
		save_one(f, i);
	fixture = f;
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fx *f = *state;

	form_free(f->f);
	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* ---- what the adversary knows ---- */

enum known { SHOWN, SMALL, HIDDEN };

struct adversary {
	char key[MAXKEYS][KEYLEN];    /* "G", "var=value", "a=v|b=w" */
	enum known known[MAXKEYS];
	unsigned long long value[MAXKEYS];
	size_t nkeys;
	int *ia, *ja;                 /* lines: 1-based GLPK triplets */
	double *ar;
	size_t ne, nlines, cap;
};

static size_t
key_find(struct adversary *ad, const char *key)
{
	for (size_t i = 0; i < ad->nkeys; i++)
		if (strcmp(ad->key[i], key) == 0)
			return i;
	assert_true(ad->nkeys < MAXKEYS);
	snprintf(ad->key[ad->nkeys], KEYLEN, "%s", key);
	ad->known[ad->nkeys] = HIDDEN;
	return ad->nkeys++;
}

/* A published figure for key: shown counts must agree wherever printed. */
static size_t
learn(struct adversary *ad, const char *key, const char *text)
{
	size_t i = key_find(ad, key);

	if (text[0] == 'x')
		return i;
	if (text[0] == '<') {
		if (ad->known[i] == HIDDEN)
			ad->known[i] = SMALL;
		return i;
	}
	if (ad->known[i] == SHOWN && ad->value[i] != strtoull(text, NULL, 10))
		fail_msg("%s printed as %llu and as %s", key, ad->value[i], text);
	ad->known[i] = SHOWN;
	ad->value[i] = strtoull(text, NULL, 10);
	return i;
}

static void
line_add(struct adversary *ad, const size_t *members, size_t n, size_t total)
{
	if (ad->ne + n + 2 >= ad->cap) {
		ad->cap = (ad->ne + n + 2) * 2;
		ad->ia = realloc(ad->ia, ad->cap * sizeof *ad->ia);
		ad->ja = realloc(ad->ja, ad->cap * sizeof *ad->ja);
		ad->ar = realloc(ad->ar, ad->cap * sizeof *ad->ar);
		assert_true(ad->ia && ad->ja && ad->ar);
	}
	ad->nlines++;
	for (size_t i = 0; i <= n; i++) {
		ad->ne++;
		ad->ia[ad->ne] = (int)ad->nlines;
		ad->ja[ad->ne] = (int)(i < n ? members[i] : total) + 1;
		ad->ar[ad->ne] = i < n ? 1.0 : -1.0;
	}
}

static void
cross_key(char *out, const char *a, const char *av, const char *b, const char *bv)
{
	int at = strcmp(av, "(total)") == 0, bt = strcmp(bv, "(total)") == 0;

	if (at && bt)
		snprintf(out, KEYLEN, "G");
	else if (at)
		snprintf(out, KEYLEN, "%s=%s", b, bv);
	else if (bt)
		snprintf(out, KEYLEN, "%s=%s", a, av);
	else
		snprintf(out, KEYLEN, "%s=%s|%s=%s", a, av, b, bv);
}

/* Reads one CSV publication (no quoted cells in these forms' codes). */
static void
read_csv(struct adversary *ad, const char *csv)
{
	char a[64], b[64], v1[96], v2[96], cnt[32], key[KEYLEN];
	const char *line = strstr(csv, "\r\n");
	size_t members[64], n = 0, *rowcells = NULL, nrows = 0, ncols = 0;
	char (*rows)[96] = NULL, (*cols)[96] = NULL;
	int two;

	assert_non_null(line);
	assert_int_equal(sscanf(csv, "%63[^,],%63[^,],", a, b), 2);
	two = strcmp(a, "variable") != 0;
	if (!two) {
		char var[64] = "";

		for (line += 2; *line; line = strstr(line, "\r\n") + 2) {
			assert_int_equal(sscanf(line, "%63[^,],%95[^,],%31[^\r]", a, v1, cnt), 3);
			if (strcmp(var, a) != 0) {
				snprintf(var, sizeof var, "%s", a);
				n = 0;
			}
			cross_key(key, a, v1, "", "(total)");
			if (strcmp(v1, "(total)") == 0)
				line_add(ad, members, n, learn(ad, "G", cnt));
			else {
				assert_true(n < 64);
				members[n++] = learn(ad, key, cnt);
			}
		}
		return;
	}
	rows = calloc(64, sizeof *rows);
	cols = calloc(64, sizeof *cols);
	rowcells = calloc(64 * 64, sizeof *rowcells);
	assert_true(rows && cols && rowcells);
	for (line += 2; *line; line = strstr(line, "\r\n") + 2) {
		size_t r, c;

		assert_int_equal(sscanf(line, "%95[^,],%95[^,],%31[^\r]", v1, v2, cnt), 3);
		for (r = 0; r < nrows && strcmp(rows[r], v1) != 0; r++)
			;
		if (r == nrows)
			snprintf(rows[nrows++], 96, "%s", v1);
		for (c = 0; c < ncols && strcmp(cols[c], v2) != 0; c++)
			;
		if (c == ncols)
			snprintf(cols[ncols++], 96, "%s", v2);
		assert_true(nrows < 64 && ncols < 64);
		cross_key(key, a, v1, b, v2);
		rowcells[r * 64 + c] = learn(ad, key, cnt);
	}
	/* The last row and column are the totals. */
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c + 1 < ncols; c++)
			members[c] = rowcells[r * 64 + c];
		line_add(ad, members, ncols - 1, rowcells[r * 64 + ncols - 1]);
	}
	for (size_t c = 0; c < ncols; c++) {
		for (size_t r = 0; r + 1 < nrows; r++)
			members[r] = rowcells[r * 64 + c];
		line_add(ad, members, nrows - 1, rowcells[(nrows - 1) * 64 + c]);
	}
	free(rows);
	free(cols);
	free(rowcells);
}

/* The integer bounds of every hidden key; returns how many are left fewer
 * than k+1 values (each reported). */
static size_t
attack(struct adversary *ad, unsigned k, size_t *nhidden)
{
	glp_prob *lp = glp_create_prob();
	glp_smcp sp;
	glp_iocp ip;
	size_t weak = 0;

	glp_term_out(GLP_OFF);
	glp_init_smcp(&sp);
	sp.msg_lev = GLP_MSG_OFF;
	glp_init_iocp(&ip);
	ip.msg_lev = GLP_MSG_OFF;
	glp_add_cols(lp, (int)ad->nkeys);
	glp_add_rows(lp, (int)ad->nlines);
	for (size_t i = 0; i < ad->nkeys; i++) {
		int c = (int)i + 1;

		glp_set_col_kind(lp, c, GLP_IV);
		if (ad->known[i] == SHOWN)
			glp_set_col_bnds(lp, c, GLP_FX, (double)ad->value[i], (double)ad->value[i]);
		else if (ad->known[i] == SMALL)
			glp_set_col_bnds(lp, c, GLP_DB, 1.0, (double)(k - 1));
		else
			glp_set_col_bnds(lp, c, GLP_LO, 0.0, 0.0);
	}
	for (size_t r = 1; r <= ad->nlines; r++)
		glp_set_row_bnds(lp, (int)r, GLP_FX, 0.0, 0.0);
	glp_load_matrix(lp, (int)ad->ne, ad->ia, ad->ja, ad->ar);
	*nhidden = 0;
	for (size_t i = 0; i < ad->nkeys; i++) {
		double b[2];

		if (ad->known[i] == SHOWN)
			continue;
		(*nhidden)++;
		for (int d = 0; d < 2; d++) {
			glp_set_obj_dir(lp, d == 0 ? GLP_MIN : GLP_MAX);
			glp_set_obj_coef(lp, (int)i + 1, 1.0);
			assert_int_equal(glp_simplex(lp, &sp), 0);
			if (glp_get_status(lp) == GLP_UNBND) {
				b[d] = INFINITY;
			} else {
				assert_int_equal(glp_get_status(lp), GLP_OPT);
				assert_int_equal(glp_intopt(lp, &ip), 0);
				assert_int_equal(glp_mip_status(lp), GLP_OPT);
				b[d] = glp_mip_obj_val(lp);
			}
			glp_set_obj_coef(lp, (int)i + 1, 0.0);
		}
		/* The protection interval: k, or all of 1..k-1 for a "<k". */
		if (b[1] - b[0] < (ad->known[i] == SMALL ? (double)k - 2.5 : (double)k - 0.5)) {
			print_message("# pinned to %.0f..%.0f: %s\n", b[0], b[1], ad->key[i]);
			weak++;
		}
	}
	glp_delete_prob(lp);
	return weak;
}

static void
adversary_free(struct adversary *ad)
{
	free(ad->ia);
	free(ad->ja);
	free(ad->ar);
	free(ad);
}

static char *
publish(const char *const *by, size_t nby, enum stats_format fmt)
{
	struct stats_opts o = { by, nby, K, 0, NULL, NULL, NULL, FORMS_DIR, NULL };
	struct stats *s = NULL;
	char err[1024] = "", *text = NULL;
	size_t len;

	if (stats_compute(fixture->v, &o, &s, err, sizeof err) != ST_OK)
		fail_msg("stats: %s", err);
	assert_int_equal(stats_format(s, fmt, &text, &len), ST_OK);
	stats_free(s);
	return text;
}

static const char *const crosses[][2] = {
	{ "country_of_work", "locked_in" },
	{ "sex", "nationality" },
	{ "age", "sex" },
	{ "nationality", "sector" },
	{ "country_of_work", "nationality" },
};
#define NCROSS (sizeof crosses / sizeof crosses[0])

/* The one-way tables and one cross-table: nothing narrowed. */
static void
test_each_cross_table_with_the_one_way_tables(void **state)
{
	(void)state;
	for (size_t q = 0; q < NCROSS; q++) {
		struct adversary *ad = calloc(1, sizeof *ad);
		char *plain = publish(NULL, 0, STATS_CSV), *cross = publish(crosses[q], 2, STATS_CSV);
		size_t hidden, weak;

		assert_non_null(ad);
		read_csv(ad, plain);
		read_csv(ad, cross);
		weak = attack(ad, K, &hidden);
		print_message("# %s by %s: %zu counts hidden, %zu narrowed\n", crosses[q][0],
		    crosses[q][1], hidden, weak);
		/* The skew made small cells: there is something to attack. */
		assert_true(hidden > 0);
		assert_int_equal(weak, 0);
		free(plain);
		free(cross);
		adversary_free(ad);
	}
}

/* Every cross-table at once, as a reader who asked them all would hold. */
static void
test_all_cross_tables_together(void **state)
{
	struct adversary *ad = calloc(1, sizeof *ad);
	char *plain = publish(NULL, 0, STATS_CSV);
	size_t hidden, weak;

	(void)state;
	assert_non_null(ad);
	read_csv(ad, plain);
	for (size_t q = 0; q < NCROSS; q++) {
		char *cross = publish(crosses[q], 2, STATS_CSV);

		read_csv(ad, cross);
		free(cross);
	}
	weak = attack(ad, K, &hidden);
	print_message("# all together: %zu counts hidden, %zu narrowed\n", hidden, weak);
	free(plain);
	adversary_free(ad);
}

/* A single-variable query prints what the one-way tables print. */
static void
test_one_field_query_agrees(void **state)
{
	static const char *const one[] = { "nationality" };
	struct adversary *ad = calloc(1, sizeof *ad);
	char *plain = publish(NULL, 0, STATS_CSV), *single = publish(one, 1, STATS_CSV);
	size_t hidden;

	(void)state;
	assert_non_null(ad);
	read_csv(ad, plain);
	read_csv(ad, single);          /* fails on any disagreement */
	assert_int_equal(attack(ad, K, &hidden), 0);
	free(plain);
	free(single);
	adversary_free(ad);
}

/* No figure of the summary below k is printed exactly. */
static void
test_summary_has_no_small_exact_count(void **state)
{
	static const char *const labels[] = { "Counted: ", "Excluded: ", "Left out: " };
	char *text = publish(NULL, 0, STATS_TABLE);

	(void)state;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		const char *p = strstr(text, labels[i]);

		if (p == NULL)
			continue;
		p += strlen(labels[i]);
		if (*p >= '0' && *p <= '9')
			assert_true(strtoull(p, NULL, 10) >= K || strtoull(p, NULL, 10) == 0);
	}
	free(text);
}

/* Two populations a day or a form apart would publish the difference. */
static void
test_overlapping_populations_refused(void **state)
{
	struct stats_opts o = { NULL, 0, K, 0, NULL, "2020-01-01", NULL, FORMS_DIR, NULL };
	struct stats *s = NULL;
	char err[1024] = "";

	(void)state;
	assert_int_equal(stats_compute(fixture->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_null(s);
	o.since = NULL;
	o.form_id = "screening";
	assert_int_equal(stats_compute(fixture->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_null(s);
}

/* ---- releases ---- */

/* Splits a release CSV (variable,value,variable2,value2,count) into one
 * query-style CSV per table and reads each. */
static void
read_release_csv(struct adversary *ad, const char *csv)
{
	const char *line = strstr(csv, "\r\n");
	char cur[2][96] = { "", "" }, *one = NULL;
	size_t len = 0, cap = 0;

	assert_non_null(line);
	assert_true(strncmp(csv, "variable,value,variable2,value2,count\r\n", 39) == 0);
	for (line += 2;; line = strstr(line, "\r\n") + 2) {
		char f[5][96] = { "", "", "", "", "" };
		const char *p = line;
		int end = *line == '\0';

		for (int i = 0; !end && i < 5; i++) {
			size_t n = strcspn(p, i < 4 ? "," : "\r");

			assert_true(n < sizeof f[i]);
			memcpy(f[i], p, n);
			p += n + 1;
		}
		if (end || strcmp(f[0], cur[0]) != 0 || strcmp(f[2], cur[1]) != 0) {
			if (one != NULL)
				read_csv(ad, one);
			free(one);
			one = NULL;
			len = cap = 0;
			if (end)
				break;
			snprintf(cur[0], sizeof cur[0], "%s", f[0]);
			snprintf(cur[1], sizeof cur[1], "%s", f[2]);
			cap = 1 << 16;
			one = malloc(cap);
			assert_non_null(one);
			len = (size_t)snprintf(one, cap, f[2][0] ? "%s,%s,count\r\n" :
			    "variable,value,count\r\n", f[0], f[2]);
		}
		assert_true(len + 300 < cap);
		if (f[2][0])
			len += (size_t)snprintf(one + len, cap - len, "%s,%s,%s\r\n", f[1], f[3], f[4]);
		else
			len += (size_t)snprintf(one + len, cap - len, "%s,%s,%s\r\n", f[0], f[1], f[4]);
	}
}

/* This quarter's name and the first day of the next (UTC). */
static void
this_quarter(char period[16], char next[11])
{
	time_t now = time(NULL);
	struct tm tm;
	unsigned y, q;

	gmtime_r(&now, &tm);
	y = (unsigned)(tm.tm_year + 1900) % 10000;
	q = (unsigned)tm.tm_mon / 3 % 4 + 1;
	snprintf(period, 16, "%04u-Q%u", y, q);
	snprintf(next, 11, "%04u-%02u-01", q == 4 ? (y + 1) % 10000 : y, q == 4 ? 1 : 3 * q + 1);
}

/* A release: every one-way table and every cross-table of the plan, all
 * read together by the adversary. Asked again, the same text. */
static void
test_release_protects_all_its_tables_together(void **state)
{
	char period[16], next[11], err[1024] = "";
	struct release_opts o;
	struct release_result r, again;
	struct adversary *ad = calloc(1, sizeof *ad);
	size_t hidden, weak;

	(void)state;
	assert_non_null(ad);
	this_quarter(period, next);
	memset(&o, 0, sizeof o);
	o.period = period;
	o.cross = crosses;
	o.ncross = NCROSS;
	o.forms_dir = FORMS_DIR;
	/* Still open today: refused. */
	assert_int_equal(release_get(fixture->v, &o, &r, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "has not ended"));
	o.today = next;
	if (release_get(fixture->v, &o, &r, err, sizeof err) != ST_OK)
		fail_msg("release: %s", err);
	assert_int_equal(r.made, 1);
	read_release_csv(ad, r.csv);
	weak = attack(ad, K, &hidden);
	print_message("# release %s with %zu cross-tables: %zu counts hidden, %zu narrowed\n",
	    period, NCROSS, hidden, weak);
	assert_true(hidden > 0);
	assert_int_equal(weak, 0);
	/* Asked again (no cross-tables named: the plan's), the stored text. */
	o.cross = NULL;
	o.ncross = 0;
	assert_int_equal(release_get(fixture->v, &o, &again, err, sizeof err), ST_OK);
	assert_int_equal(again.made, 0);
	assert_string_equal(again.table, r.table);
	assert_string_equal(again.csv, r.csv);
	release_result_free(&again);
	release_result_free(&r);
	adversary_free(ad);
}

/* The plan fixes the kind of period: a month inside a released quarter,
 * or the year around it, would overlap it. */
static void
test_release_periods_never_overlap(void **state)
{
	char period[16], next[11], month[16], year[8], err[1024] = "";
	struct release_opts o;
	struct release_result r;

	(void)state;
	this_quarter(period, next);
	memcpy(year, period, 4);
	year[4] = '\0';
	snprintf(month, sizeof month, "%s-%02d", year, (period[6] - '1') * 3 + 1);
	memset(&o, 0, sizeof o);
	o.forms_dir = FORMS_DIR;
	o.today = "9000-01-01";
	o.period = month;
	assert_int_equal(release_get(fixture->v, &o, &r, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "by quarter"));
	o.period = year;
	assert_int_equal(release_get(fixture->v, &o, &r, err, sizeof err), ST_INVALID);
	/* Other cross-tables than the plan's would link to the released ones. */
	o.period = period;
	o.cross = crosses;
	o.ncross = 1;
	assert_int_equal(release_get(fixture->v, &o, &r, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "fixed by its first"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_cross_table_with_the_one_way_tables),
		cmocka_unit_test(test_all_cross_tables_together),
		cmocka_unit_test(test_one_field_query_agrees),
		cmocka_unit_test(test_summary_has_no_small_exact_count),
		cmocka_unit_test(test_overlapping_populations_refused),
		cmocka_unit_test(test_release_protects_all_its_tables_together),
		cmocka_unit_test(test_release_periods_never_overlap),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
