/*
 * test_walks.c — scripted interviews over the bundled forms, walking the
 * engine question by question as the screen does, reaching every outcome.
 * A question the script does not answer is declined, as a respondent may.
 */
#include <jansson.h>
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
	/* Danger alone is a sign: a possible victim, with the flag beside. */
	assert_string_equal(WALK(f, "lo", danger, &iv), "possible_victim");
	assert_true(interview_flag_raised(iv, (size_t)form_flag_find(f, "immediate_danger")));
	interview_free(iv);
	assert_string_equal(WALK(f, "th", likely, &iv), "likely_victim");
	assert_int_equal(interview_flags_raised(iv), 0);
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
	assert_string_equal(WALK(f, "lo", danger, &iv), "possible_victim");
	assert_true(interview_flag_raised(iv, (size_t)form_flag_find(f, "immediate_danger")));
	interview_free(iv);
	assert_string_equal(WALK(f, "th", likely, &iv), "likely_victim");
	assert_int_equal(interview_flags_raised(iv), 0);
	interview_free(iv);
	assert_string_equal(WALK(f, "zh", possible, &iv), "possible_victim");
	interview_free(iv);
	form_free(f);
}

/* Danger now is a flag beside the outcome, not an outcome instead of it:
 * the finding stays in the record, and the record says danger too. */
static void
danger_is_a_flag_beside_the_finding(void **state)
{
	struct form *f = load("forms/screening.yaml");
	struct interview *iv, *back = NULL;
	static const struct answer debt_and_danger[] = {
		{ "privacy_check", "no_one" }, { "safe_now", "yes" }, { "danger_now", "yes" },
		{ "consent_interview", "yes" }, { "age", "28" }, { "debt_owed", "yes" },
		{ "debt_work_off", "yes" }, { "documents_held_by", "myself" },
	};
	static const struct answer likely_and_danger[] = {
		{ "privacy_check", "no_one" }, { "safe_now", "no" }, { "danger_now", "no" },
		{ "consent_interview", "yes" }, { "age", "24" }, { "debt_owed", "yes" },
		{ "debt_work_off", "yes" }, { "documents_held_by", "employer" },
	};
	int danger = form_flag_find(f, "immediate_danger");
	char *json, err[256];
	size_t len;
	json_t *j;

	(void)state;
	assert_true(danger >= 0);
	assert_int_equal(form_outcome_find(f, "immediate_danger"), -1);
	assert_non_null(form_flag_advice(f, (size_t)danger, 1));
	assert_true(form_flag_referral_count(f, (size_t)danger) > 0);

	assert_string_equal(WALK(f, "en", debt_and_danger, &iv), "possible_victim");
	assert_true(interview_flag_raised(iv, (size_t)danger));
	assert_int_equal(interview_flags_raised(iv), 1);
	assert_true(interview_indicator_fired(iv, (size_t)form_indicator_find(f, "debt_bondage")));
	assert_int_equal(interview_to_json(iv, &json, &len), ST_OK);
	j = json_loads(json, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "outcome"), "id")),
	    "possible_victim");
	assert_int_equal(json_array_size(json_object_get(j, "flags")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "flags"), 0),
	    "id")), "immediate_danger");
	json_decref(j);
	assert_int_equal(interview_from_json(f, json, len, &back, err, sizeof err), ST_OK);
	assert_true(interview_flag_raised(back, (size_t)danger));
	interview_free(back);
	interview_json_free(json, len);
	interview_free(iv);

	assert_string_equal(WALK(f, "th", likely_and_danger, &iv), "likely_victim");
	assert_true(interview_flag_raised(iv, (size_t)danger));
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
		cmocka_unit_test(danger_is_a_flag_beside_the_finding),
		cmocka_unit_test(refused_consent_ends_the_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
