/*
 * test_record.c — an interview kept in a vault: drafts resume where they
 * stopped, final records reload with the form they were taken with.
 */
#include "testutil.h"
#include "crypto.h"
#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

struct fixture {
	char *dir;
	struct vault *v;
	struct form *f;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	char vdir[4200];

	assert_non_null(fx);
	fx->dir = tu_tmpdir("record");
	snprintf(vdir, sizeof vdir, "%s/vault", fx->dir);
	fx->v = vault_new();
	assert_int_equal(vault_create(fx->v, vdir, "ana", "demo passphrase", 15, &fast), ST_OK);
	assert_int_equal(form_load_file("forms/screening-short.yaml", &fx->f, NULL), ST_OK);
	assert_int_equal(record_attach_form(fx->v, fx->f, NULL, 0), ST_OK);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	form_free(fx->f);
	vault_close(fx->v);
	tu_rmtree(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

static void
answer(struct interview *iv, const char *id, const char *text)
{
	assert_int_equal(interview_answer_id(iv, id, text), ST_OK);
}

static void
draft_resumes_at_the_same_question(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv, *back = NULL;
	struct form *f2 = NULL;
	struct record_id draft = { { 0 } };
	struct record_id zero = { { 0 } };
	char err[256];
	int q;

	assert_int_equal(interview_start(fx->f, "lo", &iv), ST_OK);
	interview_set_interviewer(iv, "ana");
	answer(iv, "danger_now", "no");
	answer(iv, "urgent_medical", "no");
	answer(iv, "consent_interview", "yes");
	answer(iv, "consent_referral", "yes");
	answer(iv, "consent_statistics", "no");
	answer(iv, "age_band", "age_21_23");
	assert_int_equal(interview_goto(iv, (size_t)form_question_find(fx->f, "sector")), ST_OK);
	q = interview_current(iv);
	assert_int_equal(record_draft_save(fx->v, iv, &draft), ST_OK);
	assert_memory_not_equal(draft.b, zero.b, sizeof draft.b);

	assert_int_equal(record_load(fx->v, &draft, 1, "forms", &f2, &back, err, sizeof err), ST_OK);
	assert_int_equal(interview_current(back), q);
	assert_string_equal(form_lang_code(f2, interview_lang(back)), "lo");
	assert_string_equal(interview_answer_text(back, (size_t)form_question_find(f2, "age_band")),
	    "age_21_23");
	assert_int_equal(interview_state(back), IV_IN_PROGRESS);
	interview_free(back);
	form_free(f2);
	interview_free(iv);
}

static void
final_record_reloads_with_its_outcome(void **state)
{
	struct fixture *fx = *state;
	struct interview *iv, *back = NULL;
	struct form *f2 = NULL;
	struct record_id id;
	char err[256], hex[33];

	assert_int_equal(interview_start(fx->f, "en", &iv), ST_OK);
	interview_set_interviewer(iv, "ana");
	answer(iv, "danger_now", "no");
	answer(iv, "urgent_medical", "no");
	answer(iv, "consent_interview", "yes");
	answer(iv, "consent_referral", "no");
	answer(iv, "consent_statistics", "yes");
	answer(iv, "age_band", "age_24_26");
	answer(iv, "documents_held_by", "employer");
	answer(iv, "needs_now", "legal");
	assert_int_equal(record_save(fx->v, iv, &id), ST_INVALID);   /* still in progress */
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(record_save(fx->v, iv, &id), ST_OK);
	record_id_hex(&id, hex);
	assert_string_equal(interview_record_id(iv), hex);

	assert_int_equal(record_load(fx->v, &id, 0, "forms", &f2, &back, err, sizeof err), ST_OK);
	assert_string_equal(interview_record_id(back), hex);
	assert_string_equal(interview_status(back), "final");
	assert_int_equal(interview_outcome(back), interview_outcome(iv));
	assert_true(interview_indicator_fired(back, (size_t)form_indicator_find(f2, "retained_documents")));
	assert_string_equal(form_hash(f2), form_hash(fx->f));
	interview_free(back);
	form_free(f2);

	/* A draft id is not a record id, and the reverse. */
	assert_int_not_equal(record_load(fx->v, &id, 1, "forms", &f2, &back, err, sizeof err), ST_OK);
	assert_null(back);
	interview_free(iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(draft_resumes_at_the_same_question, setup, teardown),
		cmocka_unit_test_setup_teardown(final_record_reloads_with_its_outcome, setup, teardown),
	};

	crypto_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
