/*
 * test_calculate.c — calculate questions: loaded and checked with the form,
 * computed by the interview engine in dependency order, never asked, kept in
 * records as text and recomputed when a record is loaded.
 */
#include "testutil.h"

#include <jansson.h>

#include "form.h"
#include "interview.h"

static const char calc_form[] =
    "id: calc\n"
    "version: \"1\"\n"
    "title: {en: \"Calc\"}\n"
    "languages:\n"
    "  - {code: en, name: English, status: reviewed}\n"
    "sections:\n"
    "  - id: s\n"
    "    title: {en: \"S\"}\n"
    "    questions:\n"
    "      - id: ok\n"
    "        type: yes_no\n"
    "        consent: interview\n"
    "        label: {en: \"Agree?\"}\n"
    "      - id: hours\n"
    "        type: integer\n"
    "        label: {en: \"Hours a day\"}\n"
    "      - id: days\n"
    "        type: integer\n"
    "        label: {en: \"Days a week\"}\n"
    "      - id: weekly\n"
    "        type: calculate\n"
    "        calculation: \"${hours} * ${days}\"\n"
    "      - id: long_hours\n"
    "        type: calculate\n"
    "        calculation: \"if(${weekly} > 60, 'yes', 'no')\"\n"
    "      - id: why\n"
    "        type: text\n"
    "        relevant: \"${long_hours} = 'yes'\"\n"
    "        label: {en: \"Why so long?\"}\n"
    "indicators:\n"
    "  - id: overwork\n"
    "    level: medium\n"
    "    label: {en: \"Over 60 hours a week\"}\n"
    "    when: \"${weekly} > 60\"\n"
    "outcomes:\n"
    "  - id: concern\n"
    "    label: {en: \"Concern\"}\n"
    "    when: \"indicator('overwork')\"\n"
    "  - id: none\n"
    "    label: {en: \"None\"}\n"
    "    when: \"true()\"\n";

static struct form *
load(const char *text, struct diag_list *dl)
{
	struct form *f = NULL;

	form_load_buffer("t.yaml", text, strlen(text), &f, dl);
	return f;
}

static bool
has_diag(const struct diag_list *dl, const char *want)
{
	for (size_t i = 0; i < dl->count; i++) {
		char line[1200];

		diag_format(&dl->items[i], line, sizeof line);
		if (strstr(line, want) != NULL)
			return true;
		fprintf(stderr, "  diag: %s\n", line);
	}
	return false;
}

static void
computed_in_order_and_never_asked(void **state)
{
	struct diag_list dl = {0};
	struct form *f = load(calc_form, &dl);
	struct interview *iv = NULL;
	int weekly, long_hours, why;

	(void)state;
	assert_non_null(f);
	weekly = form_question_find(f, "weekly");
	long_hours = form_question_find(f, "long_hours");
	why = form_question_find(f, "why");
	assert_int_equal(form_question_type(f, (size_t)weekly), FORM_CALCULATE);
	assert_int_equal(interview_start(f, NULL, &iv), ST_OK);
	assert_null(interview_calculated(iv, (size_t)weekly));
	assert_string_equal(interview_calculated(iv, (size_t)long_hours), "no");
	assert_int_equal(interview_answer_id(iv, "ok", "yes"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "hours", "12"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "days", "7"), ST_OK);
	assert_string_equal(interview_calculated(iv, (size_t)weekly), "84");
	assert_string_equal(interview_calculated(iv, (size_t)long_hours), "yes");
	assert_true(interview_is_relevant(iv, (size_t)why));
	assert_false(interview_is_relevant(iv, (size_t)weekly));
	assert_int_equal(interview_answer_kind(iv, (size_t)weekly), IV_NONE);
	assert_true(interview_indicator_fired(iv, 0));
	assert_int_equal(interview_outcome(iv), 0);
	/* Never the current question: hours, days, why, then the end. */
	assert_int_equal(interview_goto(iv, (size_t)weekly), ST_NOTFOUND);
	assert_int_equal(interview_set(iv, (size_t)weekly, "3"), ST_INVALID);
	assert_int_equal(interview_answer_id(iv, "days", "5"), ST_OK);
	assert_string_equal(interview_calculated(iv, (size_t)weekly), "60");
	assert_false(interview_is_relevant(iv, (size_t)why));
	assert_int_equal(interview_outcome(iv), 1);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

static void
kept_in_records_and_recomputed(void **state)
{
	struct diag_list dl = {0};
	struct form *f = load(calc_form, &dl);
	struct interview *iv = NULL, *back = NULL;
	char *json = NULL, err[300];
	size_t len = 0;
	json_t *root, *answers;

	(void)state;
	assert_non_null(f);
	assert_int_equal(interview_start(f, NULL, &iv), ST_OK);
	assert_int_equal(interview_answer_id(iv, "ok", "yes"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "hours", "10"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "days", "7"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "why", "debt"), ST_OK);
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(interview_to_json(iv, &json, &len), ST_OK);
	root = json_loads(json, 0, NULL);
	assert_non_null(root);
	answers = json_object_get(root, "answers");
	assert_string_equal(json_string_value(json_object_get(answers, "weekly")), "70");
	assert_string_equal(json_string_value(json_object_get(answers, "long_hours")), "yes");
	/* A record whose stored value is stale gets the value recomputed. */
	json_object_set_new(answers, "weekly", json_string("1"));
	interview_json_free(json, len);
	json = json_dumps(root, 0);
	assert_int_equal(interview_from_json(f, json, strlen(json), &back, err, sizeof err), ST_OK);
	assert_string_equal(interview_calculated(back, (size_t)form_question_find(f, "weekly")), "70");
	free(json);
	json_decref(root);
	interview_free(back);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

static void
answers_file_cannot_set_a_calculate(void **state)
{
	struct diag_list dl = {0};
	struct form *f = load(calc_form, &dl);
	struct interview *iv = NULL;
	json_t *ans = json_pack("{s:s, s:i, s:s}", "ok", "yes", "hours", 3, "weekly", "99");
	char err[300];

	(void)state;
	assert_int_equal(interview_start(f, NULL, &iv), ST_OK);
	assert_int_equal(interview_apply_answers(iv, ans, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "weekly: a calculate question is computed"));
	json_decref(ans);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

static char *
with(const char *from, const char *to)
{
	const char *at = strstr(calc_form, from);
	size_t n = strlen(calc_form) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	assert_non_null(at);
	snprintf(s, n, "%.*s%s%s", (int)(at - calc_form), calc_form, to, at + strlen(from));
	return s;
}

static void
checker_refuses_bad_calculates(void **state)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{"        calculation: \"${hours} * ${days}\"\n", "",
		    "t.yaml:20:9: error: calculate 'weekly' has no calculation"},
		{"${hours} * ${days}", "${hours} * ${dayz}",
		    "t.yaml:22:34: error: calculation of question 'weekly': unknown question ${dayz} at column 12: did you mean ${days}?"},
		{"${hours} * ${days}", "${long_hours} * 2",
		    "error: circular relevant or calculation: ${"},
		{"        calculation: \"${hours} * ${days}\"\n",
		    "        calculation: \"${hours} * ${days}\"\n        required: true\n",
		    "t.yaml:23:19: error: calculate 'weekly' takes no answer, so it cannot be required"},
		{"        calculation: \"${hours} * ${days}\"\n",
		    "        calculation: \"${hours} * ${days}\"\n        hint: {en: \"h\"}\n",
		    "t.yaml:23:15: error: calculate 'weekly' is never shown or asked, so it takes no hint"},
		{"        label: {en: \"Days a week\"}\n",
		    "        label: {en: \"Days a week\"}\n        calculation: \"1\"\n",
		    "t.yaml:20:22: error: calculation is only for calculate questions"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct diag_list dl = {0};
		char *text = with(cases[i].from, cases[i].to);
		struct form *f = load(text, &dl);

		assert_null(f);
		if (!has_diag(&dl, cases[i].want))
			fail_msg("case %zu: no '%s'", i, cases[i].want);
		diag_list_free(&dl);
		free(text);
	}
}

/* jr:choice-name() as ODK Collect reads it: the label of the chosen value
 * in the interview's language, '' for a value the list does not have. The
 * cases follow JavaRosa's ChoiceNameTest (static choices, a literal value,
 * a language switch); its cases need a whole form, so they are here rather
 * than in tests/expr/odk/cases.tsv. */
static const char choice_name_form[] =
    "id: cname\n"
    "version: \"1\"\n"
    "title: {en: \"Choice names\", lo: \"ຊື່\"}\n"
    "languages:\n"
    "  - {code: en, name: English, status: reviewed}\n"
    "  - {code: lo, name: Lao, status: draft}\n"
    "choices:\n"
    "  jobs:\n"
    "    - {value: farm, label: {en: \"Farm\", lo: \"ສວນ\"}}\n"
    "    - {value: boat, label: {en: \"Fishing boat\", lo: \"ເຮືອຫາປາ\"}}\n"
    "sections:\n"
    "  - id: s\n"
    "    title: {en: \"S\"}\n"
    "    questions:\n"
    "      - id: ok\n"
    "        type: yes_no\n"
    "        consent: interview\n"
    "        label: {en: \"Agree?\"}\n"
    "      - id: job\n"
    "        type: select_one\n"
    "        choices: jobs\n"
    "        label: {en: \"Work\"}\n"
    "      - id: places\n"
    "        type: select_multiple\n"
    "        choices: jobs\n"
    "        label: {en: \"Places\"}\n"
    "      - id: job_name\n"
    "        type: calculate\n"
    "        calculation: \"jr:choice-name(${job}, '${job}')\"\n"
    "      - id: other_name\n"
    "        type: calculate\n"
    "        calculation: \"concat('[', jr:choice-name('mine', '${places}'), ']')\"\n"
    "      - id: note\n"
    "        type: text\n"
    "        label: {en: \"Notes\"}\n"
    "        constraint: \"jr:choice-name(., '${job}') = ''\"\n";

static void
choice_name_gives_label_in_interview_language(void **state)
{
	struct diag_list dl = {0};
	struct form *f = load(choice_name_form, &dl);
	struct interview *iv = NULL;
	int job_name, other_name;

	(void)state;
	if (f == NULL)
		has_diag(&dl, "(none)");
	assert_non_null(f);
	job_name = form_question_find(f, "job_name");
	other_name = form_question_find(f, "other_name");
	assert_int_equal(interview_start(f, "en", &iv), ST_OK);
	assert_null(interview_calculated(iv, (size_t)job_name));
	assert_int_equal(interview_answer_id(iv, "ok", "yes"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "job", "boat"), ST_OK);
	assert_string_equal(interview_calculated(iv, (size_t)job_name), "Fishing boat");
	/* an unknown value gives '' */
	assert_string_equal(interview_calculated(iv, (size_t)other_name), "[]");
	/* a constraint: a value of the list is refused, other text accepted */
	assert_int_equal(interview_answer_id(iv, "note", "farm"), ST_INVALID);
	assert_int_equal(interview_answer_id(iv, "note", "Farm"), ST_OK);
	/* switching language recomputes the label */
	assert_int_equal(interview_set_lang(iv, "lo"), ST_OK);
	assert_string_equal(interview_calculated(iv, (size_t)job_name), "ເຮືອຫາປາ");
	assert_int_equal(interview_answer_id(iv, "job", "farm"), ST_OK);
	assert_string_equal(interview_calculated(iv, (size_t)job_name), "ສວນ");
	interview_free(iv);
	assert_int_equal(interview_start(f, "lo", &iv), ST_OK);
	assert_int_equal(interview_answer_id(iv, "ok", "yes"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "job", "farm"), ST_OK);
	assert_string_equal(interview_calculated(iv, (size_t)job_name), "ສວນ");
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

/* The second argument must name a select question of the form. */
static void
choice_name_refuses_what_is_not_a_select(void **state)
{
	static const struct {
		const char *to, *want;
	} cases[] = {
		{"jr:choice-name(${job}, '${nothing}')",
		    "t.yaml:29:46: error: calculation of question 'job_name': unknown question ${nothing} in jr:choice-name() at column 24"},
		{"jr:choice-name(${job}, '${note}')",
		    "jr:choice-name() needs a select_one, select_multiple or yes_no question at column 24; ${note} is a text question"},
		{"jr:choice-name(${job}, ${job})",
		    "jr:choice-name() needs the question's name in quotes as its second argument at column 24"},
		{"jr:choice-name(${job}, 'job')",
		    "the second argument 'job' must be one question as '${id}'"},
		{"jr:choice-name(${job})",
		    "jr:choice-name() takes 2 arguments, got 1 at column 1"},
		{"jr:choice_name(${job}, '${job}')",
		    "functions with a prefix are not supported, except jr:choice-name()"},
	};
	const char *from = "jr:choice-name(${job}, '${job}')";

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct diag_list dl = {0};
		const char *at = strstr(choice_name_form, from);
		size_t n = strlen(choice_name_form) + strlen(cases[i].to) + 1;
		char *text = malloc(n);
		struct form *f;

		assert_non_null(text);
		snprintf(text, n, "%.*s%s%s", (int)(at - choice_name_form), choice_name_form,
		    cases[i].to, at + strlen(from));
		f = load(text, &dl);
		assert_null(f);
		if (!has_diag(&dl, cases[i].want))
			fail_msg("case %zu: no '%s'", i, cases[i].want);
		diag_list_free(&dl);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(computed_in_order_and_never_asked),
		cmocka_unit_test(kept_in_records_and_recomputed),
		cmocka_unit_test(answers_file_cannot_set_a_calculate),
		cmocka_unit_test(checker_refuses_bad_calculates),
		cmocka_unit_test(choice_name_gives_label_in_interview_language),
		cmocka_unit_test(choice_name_refuses_what_is_not_a_select),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
