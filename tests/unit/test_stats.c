/*
 * test_stats.c — anonymous statistics over a generated vault of 5,000
 * records with known counts: consent exclusion, training records, small
 * cells, and that no hidden cell can be read back from a row or column
 * total.
 *
 * The records are taken through the interview engine and saved with
 * record_save(), one durable transaction each; the vault lives in /dev/shm
 * when there is one, so the 5,000 fsyncs cost nothing.
 */
#include "testutil.h"
#include "recordutil.h"
#include <jansson.h>
#include "form.h"
#include "interview.h"
#include "record.h"
#include "stats.h"
#include "vault.h"

#define PASS_SUP "supervisor passphrase"
#define PASS_INT "interviewer passphrase"
#define FORMS_DIR "forms"
#define NREC 5000
#define NTRAIN 12
#define K 11

static const struct vault_kdf fast = { 1, 8 };

/* What the generator chose for one record. */
struct gen {
	int consent;                    /* to statistics */
	const char *age;                /* age_band */
	const char *docs;               /* documents_held_by, NULL: declined */
	const char *sector;             /* as stats joins it */
	const char *job;                /* job_different, NULL: don't know */
	int danger;                     /* danger_now */
	const char *outcome, *flags;    /* what the engine made of it, once saved */
};

static struct gen truth[NREC];

static const char *const ages[] = {
	"age_18_20", "age_21_23", "age_24_26", "age_27_29", "age_30_38",
};

static void
generate(int i, struct gen *g)
{
	g->consent = i % 7 != 0;
	g->age = i == 1 ? "age_0_8" : i == 2 ? "age_9_17" : (i % 97 == 3) ? "age_48_plus" :
	    ages[(i * 7) % 5];
	g->docs = i % 13 == 0 ? NULL : (i == 11 || i == 29) ? "authorities" :
	    i % 5 == 0 ? "employer" : i % 11 == 0 ? "recruiter_broker" : "myself";
	g->sector = i == 17 ? "sex_work" : i % 4 == 0 ? "karaoke_entertainment;factory" :
	    "factory";
	g->job = i % 9 == 0 ? NULL : i % 2 ? "yes" : "no";
	g->danger = i % 3 == 0;
}

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
	struct form *f;
	size_t counted, excluded;
};

static struct fx *fixture;

static void
save_one(struct fx *f, struct gen *g, int training)
{
	char json[1024], sector[128], *p;
	struct interview *iv;
	struct record_id id;
	char err[256] = "";
	json_t *a;

	snprintf(sector, sizeof sector, "\"%s\"", g->sector);
	while ((p = strchr(sector, ';')) != NULL) {
		memmove(p + 2, p, strlen(p) + 1);
		memcpy(p, "\",\"", 3);
	}
	snprintf(json, sizeof json, "{\"danger_now\":\"%s\",\"urgent_medical\":\"no\",\"consent_interview\":\"yes\","
	    "\"consent_referral\":\"no\",\"consent_statistics\":\"%s\",\"age_band\":\"%s\","
	    "\"sector\":[%s],\"job_different\":%s%s%s,\"documents_held_by\":%s%s%s,"
	    "\"needs_now\":[\"none\"]}", g->danger ? "yes" : "no", g->consent ? "yes" : "no", g->age, sector,
	    g->job ? "\"" : "", g->job ? g->job : "{\"special\":\"dont_know\"}", g->job ? "\"" : "",
	    g->docs ? "\"" : "", g->docs ? g->docs : "{\"special\":\"declined\"}",
	    g->docs ? "\"" : "");
	a = json_loads(json, 0, NULL);
	assert_non_null(a);
	assert_int_equal(interview_start(f->f, "en", &iv), ST_OK);
	interview_set_interviewer(iv, "sup");
	interview_set_training(iv, training);
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK)
		fail_msg("%s: %s", json, err);
	assert_int_equal(interview_finish(iv), ST_OK);
	g->outcome = form_outcome_id(f->f, (size_t)interview_outcome(iv));
	g->flags = interview_flags_raised(iv) ? form_flag_id(f->f, 0) : "none";
	assert_int_equal(training ? tu_save_unchecked(f->v, iv, &id) : record_save(f->v, iv, &id),
	    ST_OK);
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
	f->tmp = tu_tmpdir("stats");
	snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp);
	f->v = vault_new();
	assert_int_equal(vault_create(f->v, f->dir, "sup", PASS_SUP, strlen(PASS_SUP), &fast),
	    ST_OK);
	assert_int_equal(vault_user_add(f->v, "ivy", ROLE_INTERVIEWER, PASS_INT,
	    strlen(PASS_INT), &fast), ST_OK);
	diag_list_init(&dl);
	assert_int_equal(form_load_file(FORMS_DIR "/screening-short.yaml", &f->f, &dl), ST_OK);
	diag_list_free(&dl);
	assert_int_equal(record_attach_form(f->v, f->f, NULL, 0), ST_OK);
	for (int i = 0; i < NREC; i++) {
		generate(i, &truth[i]);
		save_one(f, &truth[i], 0);
		if (truth[i].consent)
			f->counted++;
		else
			f->excluded++;
	}
	/* Training records consent too, and must still not be counted. */
	for (int i = 0; i < NTRAIN; i++)
		save_one(f, &truth[1], 1);
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

/* ---- reading the CSV output back ---- */

struct cell {
	char a[96], b[96], count[32];
};

/* Splits csv (no quoted cells expected here) into rows of 3 or 4 cells. */
static size_t
cells_parse(const char *csv, int two, struct cell **out)
{
	size_t n = 0, cap = 64;
	const char *line = strstr(csv, "\r\n");
	struct cell *c = malloc(cap * sizeof *c);

	assert_non_null(c);
	assert_non_null(line);
	for (line += 2; *line; line = strstr(line, "\r\n") + 2) {
		char v[96], x[96], cnt[32], y[96];

		if (n == cap)
			c = realloc(c, (cap *= 2) * sizeof *c);
		if (two) {
			assert_int_equal(sscanf(line, "%95[^,],%95[^,],%31[^\r]", x, y, cnt), 3);
			snprintf(c[n].a, sizeof c[n].a, "%s", x);
			snprintf(c[n].b, sizeof c[n].b, "%s", y);
		} else {
			assert_int_equal(sscanf(line, "%95[^,],%95[^,],%31[^\r]", v, x, cnt), 3);
			snprintf(c[n].a, sizeof c[n].a, "%s", v);
			snprintf(c[n].b, sizeof c[n].b, "%s", x);
		}
		snprintf(c[n].count, sizeof c[n].count, "%s", cnt);
		n++;
	}
	*out = c;
	return n;
}

static char *
run_stats(const char *const *by, size_t nby, unsigned k, int ctdc, struct stats **keep)
{
	struct stats_opts o = { by, nby, k, ctdc, NULL, NULL, NULL, FORMS_DIR, NULL };
	struct stats *s = NULL;
	char err[1024] = "", *text;
	size_t len;

	if (stats_compute(fixture->v, &o, &s, err, sizeof err) != ST_OK)
		fail_msg("stats: %s", err);
	assert_int_equal(stats_format(s, STATS_CSV, &text, &len), ST_OK);
	assert_int_equal(strlen(text), len);
	if (keep)
		*keep = s;
	else
		stats_free(s);
	return text;
}

/* The true value of a variable for record g, as stats shows it. */
static const char *
true_value(const struct gen *g, const char *var)
{
	if (strcmp(var, "age_band") == 0)
		return g->age;
	if (strcmp(var, "documents_held_by") == 0)
		return g->docs ? g->docs : "(unknown)";
	if (strcmp(var, "sector") == 0)
		return g->sector;
	if (strcmp(var, "job_different") == 0)
		return g->job ? g->job : "(unknown)";
	if (strcmp(var, "outcome") == 0)
		return g->outcome;
	if (strcmp(var, "flags") == 0)
		return g->flags;
	return "(unknown)";
}

static size_t
true_count(const char *va, const char *a, const char *vb, const char *b)
{
	size_t n = 0;

	for (int i = 0; i < NREC; i++) {
		if (!truth[i].consent)
			continue;
		if (strcmp(a, "(total)") != 0 && strcmp(true_value(&truth[i], va), a) != 0)
			continue;
		if (vb && strcmp(b, "(total)") != 0 && strcmp(true_value(&truth[i], vb), b) != 0)
			continue;
		n++;
	}
	return n;
}

/* Each shown count is true and never 1..k-1; "x" hides any count. */
static void
check_cell(const char *text, size_t truth_n, unsigned k)
{
	if (text[0] == 'x' && (text[1] == '\0' || text[1] == '\r'))
		return;
	assert_false(truth_n >= 1 && truth_n < k);
	assert_int_equal(strtoull(text, NULL, 10), truth_n);
}

/* A line: members and their total, as published. Fails when a hidden
 * member can be read back from the total alone: it is the only one
 * hidden, or the hidden ones share fewer than k between them (then each
 * lies in 0..rest). The whole audit, across lines and tables, is
 * test_stats_audit.c's. */
static void
check_line(char **text, const size_t *tv, size_t n, const char *total_text, size_t total,
    unsigned k, size_t *lines_with_hidden)
{
	size_t hidden = 0, rest = total;

	(void)tv;
	if (strcmp(total_text, "x") == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(text[i], "x") == 0)
			hidden++;
		else
			rest -= strtoull(text[i], NULL, 10);
	}
	if (hidden == 0)
		return;
	(*lines_with_hidden)++;
	assert_true(hidden >= 2);
	assert_true(rest >= k);
}

static void
test_consent_and_training_excluded(void **state)
{
	struct fx *f = *state;
	struct stats *s;
	char *text = run_stats(NULL, 0, K, 0, &s);

	assert_int_equal(stats_counted(s), f->counted);
	assert_int_equal(stats_no_consent(s), f->excluded);
	assert_int_equal(stats_left_out(s)->training, NTRAIN);
	assert_true(f->excluded > 600);
	/* Every table sums to the records counted, never to the vault. */
	{
		char want[64];

		snprintf(want, sizeof want, "debt_work_off,(total),%zu\r\n", f->counted);
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof want, "debt_work_off,(unknown),%zu\r\n", f->counted);
		assert_non_null(strstr(text, want));
	}
	stats_free(s);
	free(text);
}

static void
test_oneway_tables_suppressed(void **state)
{
	static const char *const vars[] = { "age_band", "documents_held_by", "sector",
	    "job_different" };
	size_t hidden_lines = 0;

	(void)state;
	for (size_t v = 0; v < sizeof vars / sizeof vars[0]; v++) {
		struct cell *c;
		char *text = run_stats(&vars[v], 1, K, 0, NULL);
		size_t n = cells_parse(text, 0, &c), m = 0;
		char *texts[64];
		size_t tv[64];

		for (size_t i = 0; i < n; i++) {
			size_t t = true_count(vars[v], c[i].b, NULL, NULL);

			assert_string_equal(c[i].a, vars[v]);
			check_cell(c[i].count, t, K);
			if (strcmp(c[i].b, "(total)") == 0) {
				check_line(texts, tv, m, c[i].count, t, K, &hidden_lines);
			} else {
				assert_true(m < 64);
				texts[m] = c[i].count;
				tv[m++] = t;
			}
		}
		free(c);
		free(text);
	}
	/* The generator made small cells in age_band, documents_held_by and
	 * sector; each needed protecting. */
	assert_true(hidden_lines >= 3);
}

static void
test_twoway_rows_and_columns(void **state)
{
	static const char *const by[] = { "age_band", "documents_held_by" };
	struct cell *c;
	char *text = run_stats(by, 2, K, 0, NULL);
	size_t n = cells_parse(text, 1, &c), hidden_lines = 0;
	char *rows[32], *cols[32];
	size_t nr = 0, nc = 0;

	(void)state;
	/* Distinct row and column values, in order of appearance. */
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < nr && strcmp(rows[j], c[i].a) != 0; j++)
			;
		if (j == nr)
			rows[nr++] = c[i].a;
		for (j = 0; j < nc && strcmp(cols[j], c[i].b) != 0; j++)
			;
		if (j == nc)
			cols[nc++] = c[i].b;
		check_cell(c[i].count, true_count(by[0], c[i].a, by[1], c[i].b), K);
	}
	assert_int_equal(n, nr * nc);
	/* Rows: cells of row r with its total (last column), and likewise
	 * columns, margins included. */
	for (size_t r = 0; r < nr; r++) {
		char *t[32];
		size_t tv[32];

		for (size_t k = 0; k + 1 < nc; k++) {
			t[k] = c[r * nc + k].count;
			tv[k] = true_count(by[0], rows[r], by[1], cols[k]);
		}
		check_line(t, tv, nc - 1, c[r * nc + nc - 1].count,
		    true_count(by[0], rows[r], by[1], "(total)"), K, &hidden_lines);
	}
	for (size_t k = 0; k < nc; k++) {
		char *t[32];
		size_t tv[32];

		for (size_t r = 0; r + 1 < nr; r++) {
			t[r] = c[r * nc + k].count;
			tv[r] = true_count(by[0], rows[r], by[1], cols[k]);
		}
		check_line(t, tv, nr - 1, c[(nr - 1) * nc + k].count,
		    true_count(by[0], "(total)", by[1], cols[k]), K, &hidden_lines);
	}
	assert_true(hidden_lines >= 4);
	free(c);
	free(text);
}

/* Outcomes and flags are counted apart: a possible or likely victim in
 * danger now counts under the finding and under the flag, and the cross
 * table of the two is as true and as protected as any other. */
static void
test_outcomes_and_flags_apart(void **state)
{
	static const char *const by[] = { "outcome", "flags" };
	struct cell *c;
	char *text = run_stats(by, 2, K, 0, NULL);
	size_t n = cells_parse(text, 1, &c), victims_in_danger = 0;

	(void)state;
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		size_t t = true_count(by[0], c[i].a, by[1], c[i].b);

		check_cell(c[i].count, t, K);
		if ((strcmp(c[i].a, "possible_victim") == 0 || strcmp(c[i].a, "likely_victim") == 0) &&
		    strcmp(c[i].b, "immediate_danger") == 0) {
			assert_true(t >= K);
			assert_int_equal(strtoull(c[i].count, NULL, 10), t);
			victims_in_danger += t;
		}
		assert_string_not_equal(c[i].a, "immediate_danger");
	}
	assert_true(victims_in_danger > 0);
	free(c);
	free(text);
}

static void
test_bad_requests(void **state)
{
	struct fx *f = *state;
	const char *one[1], *three[] = { "age_band", "sector", "job_different" };
	struct stats_opts o = { NULL, 0, 1, 0, NULL, NULL, NULL, FORMS_DIR, NULL };
	struct stats *s = NULL;
	char err[1024] = "";

	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "unique individuals"));
	o.k = STATS_K_MIN - 1;
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	o.k = K;
	/* A question with no report: key, and a name nothing has. */
	one[0] = "danger_now";
	o.by = one;
	o.nby = 1;
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "'danger_now' is not reportable"));
	assert_non_null(strstr(err, "ageBroad (age_band)"));
	assert_non_null(strstr(err, "meansOfControlWithholdsDocuments (documents_held_by)"));
	one[0] = "passport_number";
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "not a reportable field"));
	o.by = three;
	o.nby = 3;
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	/* A form or date filter would let two counts differ by a few records. */
	o.nby = 0;
	o.since = "2020-01-01";
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "--since is refused"));
	o.since = NULL;
	o.form_id = "screening-short";
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "--form is refused"));
	o.form_id = NULL;
	o.nby = 3;
	/* month is not a CTDC variable. */
	one[0] = "month";
	o.by = one;
	o.nby = 1;
	o.ctdc = 1;
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_INVALID);
	assert_null(s);
	/* Interviewers never count. */
	o.ctdc = 0;
	assert_int_equal(vault_unlock(f->v, "ivy", PASS_INT, strlen(PASS_INT)), ST_OK);
	assert_int_equal(stats_compute(f->v, &o, &s, err, sizeof err), ST_DENIED);
	assert_int_equal(vault_unlock(f->v, "sup", PASS_SUP, strlen(PASS_SUP)), ST_OK);
}

static void
test_ctdc_names_and_codes(void **state)
{
	const char *by[] = { "age_band", "job_different" };
	char *text = run_stats(by, 2, K, 1, NULL);

	(void)state;
	assert_true(strncmp(text, "ageBroad,meansOfControlFalsePromises,count\r\n", 44) == 0);
	assert_non_null(strstr(text, "\r\n18--20,1,"));
	check_cell(strstr(text, "\r\n18--20,1,") + 11, true_count("age_band", "age_18_20",
	    "job_different", "yes"), K);
	assert_non_null(strstr(text, "\r\n21--23,-99,"));
	check_cell(strstr(text, "\r\n21--23,-99,") + 13, true_count("age_band", "age_21_23",
	    "job_different", "(unknown)"), K);
	assert_null(strstr(text, "age_18_20"));
	free(text);
	/* Table output says what was counted and what was left out. */
	{
		struct stats_opts o = { NULL, 0, K, 0, NULL, NULL, "lo", FORMS_DIR, NULL };
		struct stats *s;
		char err[256], *t, want2[128];
		size_t len;

		assert_int_equal(stats_compute(fixture->v, &o, &s, err, sizeof err), ST_OK);
		assert_int_equal(stats_format(s, STATS_TABLE, &t, &len), ST_OK);
		snprintf(want2, sizeof want2, "Counted: %zu records", fixture->counted);
		assert_non_null(strstr(t, want2));
		snprintf(want2, sizeof want2, "Excluded: %zu records without that consent",
		    fixture->excluded);
		assert_non_null(strstr(t, want2));
		assert_non_null(strstr(t, "12 training records"));
		assert_non_null(strstr(t, "ນາຍຈ້າງ"));       /* a Lao label */
		free(t);
		stats_free(s);
	}
}

/* Marks the words it knows, leaving their printf arguments as they are. */
static const char *
marked(const char *msgid)
{
	static const char *const map[][2] = {
		{ "Anonymous statistics (k = %u)\n", "ANONYMOUS k=%u\n" },
		{ "Counted: %s records whose respondent agreed to anonymous statistics.\n",
		  "COUNTED %s\n" },
		{ "value", "VALUE" }, { "count", "COUNT" }, { "label", "LABEL" },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(msgid, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* The table's own words come from the caller (core/words.h), its labels
 * from the form's language of that reader; the CSV, for programs, stays
 * the same whatever the words. */
static void
test_table_words_are_the_callers(void **state)
{
	static const struct words words = { marked, NULL };
	struct stats_opts o = { NULL, 0, K, 0, NULL, NULL, "lo", FORMS_DIR, &words };
	struct stats_opts plain = { NULL, 0, K, 0, NULL, NULL, NULL, FORMS_DIR, NULL };
	struct stats *s, *p;
	char err[256], *t, *csv, *csv_plain, want[64];
	size_t len;

	(void)state;
	assert_int_equal(stats_compute(fixture->v, &o, &s, err, sizeof err), ST_OK);
	assert_int_equal(stats_compute(fixture->v, &plain, &p, err, sizeof err), ST_OK);
	assert_int_equal(stats_format(s, STATS_TABLE, &t, &len), ST_OK);
	snprintf(want, sizeof want, "ANONYMOUS k=%u\nCOUNTED %zu\n", (unsigned)K, fixture->counted);
	assert_non_null(strstr(t, want));
	assert_non_null(strstr(t, "VALUE"));
	assert_non_null(strstr(t, "   COUNT  LABEL\n"));
	assert_null(strstr(t, "Anonymous statistics"));
	/* What the caller does not translate stays English. */
	assert_non_null(strstr(t, "Excluded: "));
	assert_int_equal(stats_format(s, STATS_CSV, &csv, &len), ST_OK);
	assert_int_equal(stats_format(p, STATS_CSV, &csv_plain, &len), ST_OK);
	assert_string_equal(csv, csv_plain);
	free(t);
	free(csv);
	free(csv_plain);
	stats_free(s);
	stats_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consent_and_training_excluded),
		cmocka_unit_test(test_oneway_tables_suppressed),
		cmocka_unit_test(test_twoway_rows_and_columns),
		cmocka_unit_test(test_outcomes_and_flags_apart),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_ctdc_names_and_codes),
		cmocka_unit_test(test_table_words_are_the_callers),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
