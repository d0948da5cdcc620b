/*
 * test_dataset.c — which records leave a vault as data (export, statistics,
 * bundles): saved records the user may read, never drafts or training
 * records, the form, since and period filters, and their counts; and the
 * readers of record members callers rely on for text that is never NULL.
 */
#include "testutil.h"
#include "recordutil.h"
#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>
#include "dataset.h"
#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

#define PASS_SUP "supervisor passphrase"
#define PASS_INT "interviewer passphrase"
#define FORMS_DIR "tests/forms/valid"

static const struct vault_kdf fast = { 1, 8 };

/* An interview that the consent question ends: a saved record at once. */
static const char ended_answers[] = "{\"gender\":\"male\",\"consent_interview\":\"no\"}";

/* The saved records, in the order made: form, day (09:00 UTC), user. */
enum { R_A_JAN, R_A_MAR, R_B_MAR, R_B_APR_IVY, NREC };
static const struct {
	int form;                       /* 0: mini, 1: mini_b */
	const char *now;                /* INTAKE_TEST_NOW */
	const char *day;
	int ivy;
} recs[NREC] = {
	[R_A_JAN] = { 0, "1704877200", "2024-01-10", 0 },
	[R_A_MAR] = { 0, "1709629200", "2024-03-05", 0 },
	[R_B_MAR] = { 1, "1710925200", "2024-03-20", 0 },
	[R_B_APR_IVY] = { 1, "1712048400", "2024-04-02", 1 },
};

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
	struct form *f[2];
	struct record_id id[NREC];
};

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

static void
unlock_as(struct fx *f, const char *user, const char *pass)
{
	vault_close(f->v);
	assert_non_null(f->v = vault_new());
	assert_int_equal(vault_open(f->v, f->dir), ST_OK);
	assert_int_equal(vault_unlock(f->v, user, pass, strlen(pass)), ST_OK);
}

/* Starts and ends an interview of form f at `now`; saves it (a training
 * one straight through the vault, as record_save refuses it). */
static void
save_at(struct vault *v, const struct form *f, const char *now, int training,
    struct record_id *id)
{
	struct interview *iv = NULL;
	char err[256] = "";
	json_t *a = json_loads(ended_answers, 0, NULL);

	assert_non_null(a);
	assert_int_equal(setenv("INTAKE_TEST_NOW", now, 1), 0);
	assert_int_equal(interview_start(f, "en", &iv), ST_OK);
	interview_set_interviewer(iv, vault_user(v));
	interview_set_training(iv, training);
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK)
		fail_msg("answers: %s", err);
	assert_int_not_equal(interview_state(iv), IV_IN_PROGRESS);
	assert_int_equal(training ? tu_save_unchecked(v, iv, id) : record_save(v, iv, id), ST_OK);
	interview_free(iv);
	json_decref(a);
}

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct diag_list dl;
	struct record_id tid, did;
	char *src, *b;
	size_t len = 0;
	const char *draft = "{\"status\":\"draft\"}";

	assert_non_null(f);
	f->tmp = tu_tmpdir("dataset");
	PATH_FMT(f->dir, "%s/vault", f->tmp);
	f->v = vault_new();
	assert_int_equal(vault_create(f->v, f->dir, "sup", PASS_SUP, strlen(PASS_SUP), &fast),
	    ST_OK);
	assert_int_equal(vault_user_add(f->v, "ivy", ROLE_INTERVIEWER, PASS_INT,
	    strlen(PASS_INT), &fast), ST_OK);
	/* Two forms: mini and a copy under another id (another hash). */
	assert_non_null(src = tu_slurp(FORMS_DIR "/mini.yaml", &len));
	assert_non_null(b = strstr(src, "\nid: mini\n"));
	diag_list_init(&dl);
	assert_int_equal(form_load_buffer(FORMS_DIR "/mini.yaml", src, len, &f->f[0], &dl), ST_OK);
	memcpy(b, "\nid: minb\n", 10);
	assert_int_equal(form_load_buffer(FORMS_DIR "/minb.yaml", src, len, &f->f[1], &dl), ST_OK);
	diag_list_free(&dl);
	free(src);
	for (int i = 0; i < 2; i++)
		assert_int_equal(record_attach_form(f->v, f->f[i], NULL, 0), ST_OK);
	for (int i = 0; i < NREC; i++) {
		if (recs[i].ivy)
			unlock_as(f, "ivy", PASS_INT);
		save_at(f->v, f->f[recs[i].form], recs[i].now, 0, &f->id[i]);
		if (recs[i].ivy)
			unlock_as(f, "sup", PASS_SUP);
	}
	/* Never data: a training record and a draft. */
	save_at(f->v, f->f[0], recs[R_A_MAR].now, 1, &tid);
	memset(&did, 0, sizeof did);
	assert_int_equal(vault_draft_put(f->v, &did, draft, strlen(draft)), ST_OK);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 2; i++)
		form_free(f->f[i]);
	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* What a scan handed over: which of the fixture's records, in order. */
struct seen {
	const struct fx *f;
	int which[NREC + 4];
	size_t n;
	int stop_after;                 /* 0: never */
};

static int
on_record(void *ctx, const struct record_id *id, const char *json, size_t len,
    struct json_t *rec, const struct form *form)
{
	struct seen *s = ctx;
	int which = -1;

	assert_true(len > 0 && json[0] == '{');
	for (int i = 0; i < NREC; i++)
		if (memcmp(id->b, s->f->id[i].b, VAULT_ID_BYTES) == 0)
			which = i;
	assert_true(which >= 0);
	/* The form handed over is the record's own. */
	assert_string_equal(form_id(form), form_id(s->f->f[recs[which].form]));
	assert_string_equal(dataset_str(rec, "interviewer"), recs[which].ivy ? "ivy" : "sup");
	assert_true(s->n < sizeof s->which / sizeof s->which[0]);
	s->which[s->n++] = which;
	return s->stop_after != 0 && (int)s->n >= s->stop_after;
}

static bool
saw(const struct seen *s, int which)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->which[i] == which)
			return true;
	return false;
}

/* Opens a dataset with the filter and period given, scans it, checks the
 * counts; the records seen are in *s. */
static void
scan(struct fx *f, const char *form_id, const char *since, const char *from,
    const char *before, struct seen *s, struct dataset_counts *c)
{
	struct dataset_filter filter = { form_id, since };
	struct dataset *ds = NULL;
	char err[256] = "";

	memset(s, 0, sizeof *s);
	s->f = f;
	if (dataset_open(f->v, FORMS_DIR, &filter, &ds, err, sizeof err) != ST_OK)
		fail_msg("dataset_open: %s", err);
	assert_int_equal(dataset_set_period(ds, from, before), ST_OK);
	if (dataset_scan(ds, on_record, s, c, err, sizeof err) != ST_OK)
		fail_msg("dataset_scan: %s", err);
	assert_int_equal(c->selected, s->n);
	dataset_free(ds);
}

static void
every_saved_record_but_training(void **state)
{
	struct fx *f = *state;
	struct dataset_counts c;
	struct seen s;

	scan(f, NULL, NULL, NULL, NULL, &s, &c);
	assert_int_equal(c.selected, NREC);
	for (int i = 0; i < NREC; i++)
		assert_true(saw(&s, i));
	assert_int_equal(c.training, 1);
	assert_int_equal(c.other, 0);
	assert_int_equal(c.damaged, 0);
}

static void
an_interviewer_gets_their_own(void **state)
{
	struct fx *f = *state;
	struct dataset_counts c;
	struct seen s;

	unlock_as(f, "ivy", PASS_INT);
	scan(f, NULL, NULL, NULL, NULL, &s, &c);
	assert_int_equal(c.selected, 1);
	assert_true(saw(&s, R_B_APR_IVY));
	/* Others' records are not hers to count either way. */
	assert_int_equal(c.training + c.other + c.damaged, 0);
}

static void
form_and_date_filters(void **state)
{
	struct fx *f = *state;
	struct dataset_counts c;
	struct seen s;

	scan(f, "minb", NULL, NULL, NULL, &s, &c);
	assert_int_equal(c.selected, 2);
	assert_true(saw(&s, R_B_MAR) && saw(&s, R_B_APR_IVY));
	assert_int_equal(c.other, 2);
	assert_int_equal(c.training, 1);

	/* since: the day closed, inclusive. */
	scan(f, NULL, "2024-03-05", NULL, NULL, &s, &c);
	assert_int_equal(c.selected, 3);
	assert_false(saw(&s, R_A_JAN));
	assert_int_equal(c.other, 1);
	scan(f, NULL, "2024-03-06", NULL, NULL, &s, &c);
	assert_int_equal(c.selected, 2);

	/* Both filters: AND. */
	scan(f, "mini", "2024-02-01", NULL, NULL, &s, &c);
	assert_int_equal(c.selected, 1);
	assert_true(saw(&s, R_A_MAR));
	assert_int_equal(c.other, 3);

	/* The period: started in [from, before). */
	scan(f, NULL, NULL, "2024-03-01", "2024-04-01", &s, &c);
	assert_int_equal(c.selected, 2);
	assert_true(saw(&s, R_A_MAR) && saw(&s, R_B_MAR));
	assert_int_equal(c.other, 2);
	scan(f, NULL, NULL, "2024-03-20", NULL, &s, &c);
	assert_int_equal(c.selected, 2);
	assert_true(saw(&s, R_B_MAR) && saw(&s, R_B_APR_IVY));
	scan(f, NULL, NULL, NULL, "2024-01-10", &s, &c);
	assert_int_equal(c.selected, 0);
	assert_int_equal(c.other, NREC);
	assert_int_equal(c.training, 1);       /* counted as training, not other */
}

static void
forms_and_bad_filters(void **state)
{
	struct fx *f = *state;
	struct dataset_filter filter = { NULL, NULL };
	struct dataset *ds = NULL;
	struct dataset_counts c;
	struct seen s = { .f = f, .stop_after = 1 };
	char err[256] = "";

	assert_int_equal(dataset_open(f->v, FORMS_DIR, &filter, &ds, err, sizeof err), ST_OK);
	assert_int_equal(dataset_form_count(ds), 2);
	/* By id. */
	assert_string_equal(form_id(dataset_form(ds, 0)), "minb");
	assert_string_equal(form_id(dataset_form(ds, 1)), "mini");
	assert_null(dataset_form(ds, 2));
	assert_int_equal(dataset_set_period(ds, "2024-02-30", NULL), ST_INVALID);
	/* fn stops the scan: ST_OK, one record handed over. */
	assert_int_equal(dataset_scan(ds, on_record, &s, &c, err, sizeof err), ST_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(c.selected, 1);
	dataset_free(ds);

	filter.since = "2024-3-1";
	assert_int_equal(dataset_open(f->v, FORMS_DIR, &filter, &ds, err, sizeof err), ST_INVALID);
	assert_null(ds);
	assert_non_null(strstr(err, "'2024-3-1' is not a date"));
	filter.since = NULL;
	filter.form_id = "nosuch";
	assert_int_equal(dataset_open(f->v, FORMS_DIR, &filter, &ds, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "no form 'nosuch' in this vault"));

	assert_int_equal(dataset_check_date("2024-02-29"), ST_OK);
	assert_int_equal(dataset_check_date("2023-02-29"), ST_INVALID);
	assert_int_equal(dataset_check_date("2024-02-29T00:00:00Z"), ST_INVALID);
	assert_int_equal(dataset_check_date(NULL), ST_INVALID);
}

/* A record whose envelope fails its integrity check is counted as damaged
 * and left out; the others still come. */
static void
damaged_record_is_counted_not_fatal(void **state)
{
	struct fx *f = *state;
	struct dataset_counts c;
	struct seen s;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { VAULT_ID_BYTES, f->id[R_A_JAN].b }, d;
	unsigned char *copy;

	vault_close(f->v);
	f->v = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "records", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	assert_non_null(copy = malloc(d.mv_size));
	memcpy(copy, d.mv_data, d.mv_size);
	copy[d.mv_size - 5] ^= 0x01;
	d.mv_data = copy;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(copy);

	unlock_as(f, "sup", PASS_SUP);
	scan(f, NULL, NULL, NULL, NULL, &s, &c);
	assert_int_equal(c.damaged, 1);
	assert_int_equal(c.selected, NREC - 1);
	assert_false(saw(&s, R_A_JAN));
}

/* Export, statistics and bundles read record members with dataset_str and
 * use what it gives as text: a record that lacks a member, holds another
 * type there, or is no object at all gives "", never NULL. */
static void
string_members_never_null(void **state)
{
	json_t *rec = json_pack("{s:s, s:i, s:n, s:{s:s}, s:s}", "form", "mini", "answered", 3,
	    "outcome", "consent", "lang", "lo", "status", "");
	json_t *list = json_pack("[s]", "form");

	(void)state;
	assert_non_null(rec);
	assert_non_null(list);
	assert_string_equal(dataset_str(rec, "form"), "mini");
	assert_string_equal(dataset_str(rec, "status"), "");
	assert_string_equal(dataset_str(rec, "missing"), "");
	assert_string_equal(dataset_str(rec, "answered"), "");
	assert_string_equal(dataset_str(rec, "outcome"), "");
	assert_string_equal(dataset_str(rec, "consent"), "");
	assert_string_equal(dataset_str(list, "form"), "");
	assert_string_equal(dataset_str(NULL, "form"), "");
	json_decref(rec);
	json_decref(list);

	/* Dates a filter is given are whole calendar days, nothing more. */
	assert_int_equal(dataset_check_date(""), ST_INVALID);
	assert_int_equal(dataset_check_date("2024-13-01"), ST_INVALID);
	assert_int_equal(dataset_check_date("2024-1-01"), ST_INVALID);
	assert_int_equal(dataset_check_date("2024-01-01 "), ST_INVALID);
	assert_int_equal(dataset_check_date("２０２４-01-01"), ST_INVALID);
	assert_int_equal(dataset_check_date("2024-12-31"), ST_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_saved_record_but_training, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(an_interviewer_gets_their_own, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(form_and_date_filters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(forms_and_bad_filters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(damaged_record_is_counted_not_fatal, fx_setup,
		    fx_teardown),
		cmocka_unit_test(string_members_never_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
