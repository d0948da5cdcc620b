/*
 * test_walks.c — scripted interviews over the bundled forms, walking the
 * engine question by question as the screen does, reaching every outcome.
 * A question the script does not answer is declined, as a respondent may.
 */
#include "testutil.h"
#include "form.h"
#include "interview.h"

struct answer {
	const char *id;
	const char *text;
};

/* Walks from the first question to the end, answering from the script,
 * declining the rest; then finishes. Returns the outcome id. */
static const char *
walk(const struct form *f, const char *lang, const struct answer *script, size_t n,
    struct interview **out)
{
	struct interview *iv;
	struct iv_view v;
	int guard = 0;

	assert_int_equal(interview_start(f, lang, &iv), ST_OK);
	while (interview_view(iv, &v) && guard++ < 500) {
		const char *text = NULL;

		for (size_t i = 0; i < n; i++)
			if (strcmp(script[i].id, v.id) == 0)
				text = script[i].text;
		if (text != NULL)
			assert_int_equal(interview_answer(iv, text), ST_OK);
		else if (v.type != FORM_NOTE)
			assert_int_equal(interview_answer_special(iv, IV_DECLINED), ST_OK);
		if (interview_state(iv) != IV_IN_PROGRESS)
			break;
		assert_int_equal(interview_next(iv), ST_OK);
	}
	assert_true(guard < 500);
	if (interview_state(iv) == IV_IN_PROGRESS)
		assert_int_equal(interview_finish(iv), ST_OK);
	*out = iv;
	return interview_outcome(iv) >= 0 ? form_outcome_id(f, (size_t)interview_outcome(iv)) : "";
}

#define WALK(f, lang, script, iv) walk(f, lang, script, sizeof script / sizeof script[0], iv)

static const struct answer full_consent[] = {
	{ "privacy_check", "no_one" }, { "safe_now", "yes" }, { "danger_now", "no" },
	{ "consent_interview", "yes" }, { "consent_referral", "yes" },
	{ "consent_statistics", "yes" },
};

static struct form *
load(const char *path)
{
	struct form *f = NULL;

	assert_int_equal(form_load_file(path, &f, NULL), ST_OK);
	return f;
}

static void
full_form_reaches_every_outcome(void **state)
{
	struct form *f = load("forms/screening.yaml");
	struct interview *iv;
	static const struct answer danger[] = {
		{ "privacy_check", "no_one" }, { "safe_now", "no" },
		{ "consent_interview", "yes" },
	};
	static const struct answer likely[] = {
		{ "privacy_check", "no_one" }, { "safe_now", "yes" }, { "danger_now", "no" },
		{ "consent_interview", "yes" }, { "age", "24" }, { "debt_owed", "yes" },
		{ "debt_work_off", "yes" }, { "documents_held_by", "employer" },
	};
	static const struct answer possible[] = {
		{ "privacy_check", "no_one" }, { "safe_now", "yes" }, { "danger_now", "no" },
		{ "consent_interview", "yes" }, { "age", "30" }, { "job_different", "yes" },
	};
	static const struct answer child[] = {
		{ "privacy_check", "no_one" }, { "safe_now", "yes" }, { "danger_now", "no" },
		{ "consent_interview", "yes" }, { "age", "15" }, { "sector", "karaoke_entertainment" },
		{ "sex_with_clients", "yes" },
	};

	(void)state;
	assert_string_equal(WALK(f, "en", full_consent, &iv), "no_indicators");
	assert_int_equal(interview_fired_count(iv), 0);
	interview_free(iv);
	assert_string_equal(WALK(f, "lo", danger, &iv), "immediate_danger");
	interview_free(iv);
	assert_string_equal(WALK(f, "th", likely, &iv), "likely_victim");
	assert_true(interview_indicator_fired(iv, (size_t)form_indicator_find(f, "debt_bondage")));
	assert_true(interview_indicator_fired(iv, (size_t)form_indicator_find(f, "retained_documents")));
	interview_free(iv);
	assert_string_equal(WALK(f, "zh", possible, &iv), "possible_victim");
	assert_true(interview_indicator_fired(iv, (size_t)form_indicator_find(f, "deception")));
	interview_free(iv);
	/* A child in commercial sex is a victim whatever the means. */
	assert_string_equal(WALK(f, "en", child, &iv), "likely_victim");
	assert_true(interview_indicator_fired(iv, (size_t)form_indicator_find(f, "child_commercial_sex")));
	interview_free(iv);
	form_free(f);
}

static void
short_form_reaches_every_outcome(void **state)
{
	struct form *f = load("forms/screening-short.yaml");
	struct interview *iv;
	static const struct answer none[] = {
		{ "danger_now", "no" }, { "consent_interview", "yes" }, { "age_band", "age_30_38" },
		{ "needs_now", "none" },
	};
	static const struct answer danger[] = {
		{ "danger_now", "yes" }, { "consent_interview", "yes" }, { "needs_now", "shelter" },
	};
	static const struct answer likely[] = {
		{ "danger_now", "no" }, { "consent_interview", "yes" }, { "age_band", "age_24_26" },
		{ "documents_held_by", "employer" }, { "debt_work_off", "yes" }, { "needs_now", "legal" },
	};
	static const struct answer possible[] = {
		{ "danger_now", "no" }, { "consent_interview", "yes" }, { "age_band", "age_24_26" },
		{ "job_different", "yes" }, { "needs_now", "legal" },
	};

	(void)state;
	assert_string_equal(WALK(f, "en", none, &iv), "no_indicators");
	interview_free(iv);
	assert_string_equal(WALK(f, "lo", danger, &iv), "immediate_danger");
	interview_free(iv);
	assert_string_equal(WALK(f, "th", likely, &iv), "likely_victim");
	interview_free(iv);
	assert_string_equal(WALK(f, "zh", possible, &iv), "possible_victim");
	interview_free(iv);
	form_free(f);
}

static void
refused_consent_ends_the_walk(void **state)
{
	struct form *f = load("forms/screening.yaml");
	struct interview *iv;
	static const struct answer refused[] = {
		{ "privacy_check", "no_one" }, { "safe_now", "yes" }, { "danger_now", "yes" },
		{ "interview_country", "laos" }, { "consent_interview", "no" },
	};

	(void)state;
	WALK(f, "en", refused, &iv);
	assert_int_equal(interview_state(iv), IV_ENDED);
	assert_string_equal(interview_end_reason(iv), "consent_refused");
	/* Safety answers are not kept without consent; the marked ones are. */
	assert_int_equal(interview_answer_kind(iv, (size_t)form_question_find(f, "danger_now")), IV_NONE);
	assert_int_equal(interview_answer_kind(iv, (size_t)form_question_find(f, "interview_country")),
	    IV_VALUE);
	assert_int_equal(interview_answer_kind(iv, (size_t)form_question_find(f, "consent_interview")),
	    IV_VALUE);
	interview_free(iv);
	form_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_form_reaches_every_outcome),
		cmocka_unit_test(short_form_reaches_every_outcome),
		cmocka_unit_test(refused_consent_ends_the_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
