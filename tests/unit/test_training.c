/* test_training.c — training scenarios: loading, their errors and where
 * they point, and edits of a scenario file. */
#include "testutil.h"
#include <lmdb.h>
#include "record.h"
#include "training.h"
#include "vault.h"

#define FORMS "forms"
#define SCENARIOS "forms/training"

/* A small valid scenario on the rapid screen; tests break one thing at a
 * time and look for the error at its place. */
static const char base[] =
    "scenario: t\n"
    "form: screening_short\n"
    "languages:\n"
    "  - {code: en, status: reviewed}\n"
    "title: {en: \"T\"}\n"
    "persona:\n"
    "  name: {en: \"N\"}\n"
    "  background: {en: \"B\"}\n"
    "  story: {en: \"S\"}\n"
    "  behaviour: {en: \"H\"}\n"
    "facts:\n"
    "  danger_now: \"no\"\n"
    "  urgent_medical: \"no\"\n"
    "  consent_interview: \"yes\"\n"
    "  consent_referral: \"yes\"\n"
    "  consent_statistics: \"yes\"\n"
    "  age_band: \"age_21_23\"\n"
    "  could_quit: \"no\"\n"
    "  documents_held_by: \"employer\"\n"
    "  sex_with_clients: \"no\"\n"
    "  needs_now: [\"none\"]\n"
    "expect:\n"
    "  indicators: [restriction_of_movement, retained_documents]\n"
    "  outcome: likely_victim\n"
    "learning_points:\n"
    "  - {en: \"P\"}\n";

static int
setup(void **state)
{
	(void)state;
	setenv("INTAKE_TEST_NOW", "1772357400", 1);
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* base with the first `from` replaced by `to`. */
static char *
edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *out;

	if (at == NULL)
		fail_msg("test bug: '%s' not in the text", from);
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}

/* "name:line:col" of the first `needle` in text, or of the place marked '^'
 * inside it (ASCII text: columns are bytes here). */
static void
position(const char *text, const char *needle, char *buf, size_t size)
{
	char plain[256];
	const char *mark = strchr(needle, '^'), *at;
	unsigned line = 1, col = 1;

	snprintf(plain, sizeof plain, "%s", needle);
	if (mark != NULL)
		memmove(plain + (mark - needle), plain + (mark - needle) + 1,
		    strlen(plain + (mark - needle)));
	at = strstr(text, plain);
	assert_non_null(at);
	if (mark != NULL)
		at += mark - needle;
	for (const char *p = text; p < at; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(buf, size, "t.yaml:%u:%u: error: ", line, col);
}

/* Loads text; it must fail with an error at `needle` saying `msg`. */
static void
expect_error_at(const char *text, const char *needle, const char *msg)
{
	struct training_scenario *sc = NULL;
	struct diag_list dl;
	char want[128], line[2048];
	bool found = false;

	diag_list_init(&dl);
	assert_int_equal(training_load_buffer("t.yaml", text, strlen(text), FORMS, &sc, &dl),
	    ST_INVALID);
	assert_null(sc);
	assert_true(dl.errors > 0);
	if (needle != NULL)
		position(text, needle, want, sizeof want);
	for (size_t i = 0; i < dl.count && !found; i++) {
		diag_format(&dl.items[i], line, sizeof line);
		found = (needle == NULL || strncmp(line, want, strlen(want)) == 0) &&
		    strstr(line, msg) != NULL;
	}
	if (!found) {
		for (size_t i = 0; i < dl.count; i++) {
			diag_format(&dl.items[i], line, sizeof line);
			print_message("# got: %s\n", line);
		}
		fail_msg("no error '%s' at %s", msg, needle ? want : "(anywhere)");
	}
	diag_list_free(&dl);
}

static void
expect_edit_error(const char *from, const char *to, const char *needle, const char *msg)
{
	char *text = edit(base, from, to);

	expect_error_at(text, needle, msg);
	free(text);
}

static void
base_scenario_loads(void **state)
{
	struct training_scenario *sc = NULL;
	struct diag_list dl;

	(void)state;
	diag_list_init(&dl);
	assert_int_equal(training_load_buffer("t.yaml", base, strlen(base), FORMS, &sc, &dl), ST_OK);
	assert_int_equal(dl.errors, 0);
	assert_int_equal(dl.warnings, 0);
	assert_string_equal(training_id(sc), "t");
	assert_string_equal(training_form_id(sc), "screening_short");
	assert_int_equal(training_fact_count(sc), 10);
	assert_int_equal(training_expected_count(sc), 2);
	assert_string_equal(form_outcome_id(training_form(sc), training_expected_outcome(sc)),
	    "likely_victim");
	/* Facts come back in form order, in the engine's canonical form. */
	assert_string_equal(training_fact_id(sc, 0), "danger_now");
	assert_string_equal(training_fact_answer(sc, 9), "none");
	training_free(sc);
	diag_list_free(&dl);
}

static void
unknown_question_is_located(void **state)
{
	(void)state;
	expect_edit_error("  could_quit:", "  could_qit:", "could_qit",
	    "no question 'could_qit' in form 'screening_short': did you mean 'could_quit'?");
}

static void
answer_not_a_choice_is_located(void **state)
{
	(void)state;
	expect_edit_error("\"employer\"", "\"boss\"", "\"boss\"",
	    "'boss' is not a choice of documents_held_by (list document_holders): use one of: "
	    "myself, employer");
	expect_edit_error("[\"none\"]", "[\"medical\", \"wings\"]", "\"wings\"",
	    "'wings' is not a choice of needs_now");
	expect_edit_error("could_quit: \"no\"", "could_quit: \"maybe\"", "\"maybe\"",
	    "'maybe' is not a choice of could_quit");
	expect_edit_error("could_quit: \"no\"", "could_quit: [\"no\"]", "[\"no\"]",
	    "could_quit is a yes_no question: it takes one answer, not a list");
}

static void
unknown_indicator_is_located(void **state)
{
	(void)state;
	expect_edit_error("retained_documents]", "retained_docs]", "retained_docs]",
	    "no indicator 'retained_docs' in form 'screening_short' (did you mean "
	    "'retained_documents'?)");
}

static void
unknown_outcome_is_located(void **state)
{
	(void)state;
	expect_edit_error("outcome: likely_victim", "outcome: likely_victm", "likely_victm",
	    "no outcome 'likely_victm' in form 'screening_short' (did you mean 'likely_victim'?)");
}

static void
yaml_errors_are_located(void **state)
{
	(void)state;
	expect_edit_error("title: {en: \"T\"}\n", "title: {en: \"T\"\n", NULL, "YAML syntax");
	expect_edit_error("  could_quit:", "\tcould_quit:", "\tcould_quit",
	    "tab character used for indentation: use spaces");
	expect_error_at("", NULL, "scenario file is empty");
	expect_error_at("# a comment and nothing else\n", NULL, "the file holds no scenario");
	expect_error_at("scenario: [a, b\n", NULL, "YAML syntax");
	expect_edit_error("learning_points:", "lessons:", "lessons",
	    "unknown top-level key 'lessons'");
	expect_edit_error("scenario: t\n", "scenario: t\n---\nx: 1\n", NULL, "a second YAML document");
}

static void
facts_must_agree_with_the_engine(void **state)
{
	(void)state;
	/* Not asked: with the sector given as factory, the rapid screen skips
	 * the question on a forced marriage. */
	expect_edit_error("  sex_with_clients:", "  sector: [\"factory\"]\n  marriage_forced: \"no\"\n"
	    "  sex_with_clients:", "marriage_forced:",
	    "marriage_forced is not asked when the other facts are answered");
	expect_edit_error("retained_documents]", "retained_documents, debt_bondage]",
	    "debt_bondage", "indicator 'debt_bondage' does not fire from the facts");
	expect_edit_error("[restriction_of_movement, retained_documents]", "[restriction_of_movement]",
	    "[restriction_of_movement]", "the facts fire indicator 'retained_documents', which is "
	    "not listed");
	expect_edit_error("outcome: likely_victim", "outcome: possible_victim", "possible_victim",
	    "the facts reach outcome 'likely_victim', not 'possible_victim'");
	expect_edit_error("  could_quit: \"no\"\n", "  could_quit: \"no\"\n  could_quit: \"yes\"\n",
	    "could_quit: \"yes\"", "fact could_quit is given twice");
	/* Refused consent ends the interview: later facts can never be recorded. */
	expect_edit_error("consent_interview: \"yes\"", "consent_interview: \"no\"", "age_band",
	    "age_band comes after the interview ended at consent_interview");
}

static void
answers_get_the_engine_checks(void **state)
{
	char *src, *text;
	size_t len = 0;

	(void)state;
	src = tu_slurp(SCENARIOS "/lao_restaurant_china.yaml", &len);
	assert_non_null(src);
	text = edit(src, "  age: 22", "  age: 200");
	{
		struct training_scenario *sc = NULL;
		struct diag_list dl;
		char line[1024];

		diag_list_init(&dl);
		assert_int_equal(training_load_buffer("t.yaml", text, strlen(text), FORMS, &sc, &dl),
		    ST_INVALID);
		assert_true(dl.count > 0);
		/* The first error is the constraint, at the value. */
		for (size_t i = 0; i < dl.count; i++)
			if (dl.items[i].level == DIAG_ERROR) {
				diag_format(&dl.items[i], line, sizeof line);
				assert_non_null(strstr(line, "'200' does not fit age (integer)"));
				assert_int_equal(dl.items[i].col, 8);
				break;
			}
		diag_list_free(&dl);
	}
	free(text);
	text = edit(src, "  hours_per_day: 10", "  hours_per_day: ten");
	expect_error_at(text, "hours_per_day: ^ten", "'ten' does not fit hours_per_day (integer)");
	free(text);
	free(src);
}

static void
languages_follow_the_rules(void **state)
{
	struct training_scenario *sc = NULL;
	struct diag_list dl;
	char *text;

	(void)state;
	expect_edit_error("  - {code: en, status: reviewed}\n",
	    "  - {code: en, status: reviewed}\n  - {code: lo, status: reviewed}\n",
	    "title: ^{", "title has no 'lo' text: every reviewed language needs one");
	expect_edit_error("code: en, status: reviewed", "code: fr, status: reviewed", "fr,",
	    "form 'screening_short' has no language 'fr'");
	expect_edit_error("title: {en: \"T\"}", "title: {en: \"T\", xx: \"?\"}", "xx:",
	    "'xx' is not a language of this scenario");
	/* A draft language may lack texts: a warning, and English stands in. */
	text = edit(base, "  - {code: en, status: reviewed}\n",
	    "  - {code: en, status: reviewed}\n  - {code: th, status: draft}\n");
	diag_list_init(&dl);
	assert_int_equal(training_load_buffer("t.yaml", text, strlen(text), FORMS, &sc, &dl), ST_OK);
	assert_int_equal(dl.errors, 0);
	assert_true(dl.warnings >= 2);
	assert_string_equal(training_title(sc, "th"), "T");
	training_free(sc);
	diag_list_free(&dl);
	free(text);
}

static void
scenario_files_are_recognised(void **state)
{
	char *src;
	size_t len = 0;

	(void)state;
	assert_true(training_is_scenario(base, strlen(base)));
	assert_true(training_is_scenario("persona: {}\n", 12));
	assert_false(training_is_scenario("id: x\nversion: 1\n", 17));
	assert_false(training_is_scenario("x: {scenario: 1}\n", 17));
	assert_false(training_is_scenario("- scenario\n", 11));
	assert_false(training_is_scenario("{[:\n", 4));
	assert_true(training_is_scenario_file(SCENARIOS "/fair_migrant.yaml"));
	assert_false(training_is_scenario_file(FORMS "/screening.yaml"));
	assert_false(training_is_scenario_file(FORMS "/no-such-file.yaml"));
	src = tu_slurp(FORMS "/screening-short.yaml", &len);
	assert_non_null(src);
	assert_false(training_is_scenario(src, len));
	free(src);
}

/* ---- every bundled scenario ---- */

struct bundle {
	struct training_scenario **list;
	size_t n;
};

static struct bundle
bundled(void)
{
	struct bundle b;
	struct diag_list dl;
	size_t failed = 9;

	diag_list_init(&dl);
	assert_int_equal(training_scan(SCENARIOS, NULL, &b.list, &b.n, &failed, &dl), ST_OK);
	if (dl.errors > 0) {
		char line[1024];

		for (size_t i = 0; i < dl.count; i++) {
			diag_format(&dl.items[i], line, sizeof line);
			print_message("# %s\n", line);
		}
	}
	assert_int_equal(dl.errors, 0);
	assert_int_equal(failed, 0);
	assert_true(b.n >= 5);
	diag_list_free(&dl);
	return b;
}

/* Answers every required question still open with "declined", so that the
 * interview can finish as a trainee who skipped things would. */
static void
decline_open_required(struct interview *iv)
{
	const struct form *f = interview_form(iv);

	for (size_t q = 0; q < form_question_count(f); q++)
		if (form_question_required(f, q) && interview_is_relevant(iv, q) &&
		    interview_answer_kind(iv, q) == IV_NONE)
			assert_int_equal(interview_set_special(iv, q, IV_DECLINED), ST_OK);
}

static void
finish(struct interview *iv, const struct training_scenario *sc)
{
	if (interview_finish(iv) != ST_OK)
		fail_msg("%s: the interview does not finish: %s", training_id(sc), interview_error(iv));
}

static struct interview *
perfect(const struct training_scenario *sc)
{
	struct interview *iv;

	assert_int_equal(interview_start(training_form(sc), NULL, &iv), ST_OK);
	assert_int_equal(interview_set_interviewer(iv, "trainee1"), ST_OK);
	interview_set_training(iv, true);
	if (training_apply_facts(sc, iv) != ST_OK)
		fail_msg("%s: a fact is refused: %s", training_id(sc), interview_error(iv));
	return iv;
}

static bool
lines_have(const struct training_lines *l, enum training_line_kind kind, const char *text)
{
	for (size_t i = 0; i < l->n; i++)
		if ((kind == (enum training_line_kind)-1 || l->v[i].kind == kind) &&
		    strstr(l->v[i].text, text) != NULL)
			return true;
	return false;
}

static void
every_scenario_perfect_interview_scores_100(void **state)
{
	struct bundle b = bundled();

	(void)state;
	for (size_t s = 0; s < b.n; s++) {
		const struct training_scenario *sc = b.list[s];
		struct training_debrief *d;
		struct training_lines l = { 0 };
		struct interview *iv = perfect(sc);
		int pi, po, pa;

		finish(iv, sc);
		assert_int_equal(training_debrief_make(sc, iv, 1500, &d), ST_OK);
		if (training_debrief_score(d) != 100)
			fail_msg("%s: perfect interview scores %d", training_id(sc),
			    training_debrief_score(d));
		assert_int_equal(training_debrief_count(d, TRAINING_CAUGHT), training_expected_count(sc));
		assert_int_equal(training_debrief_count(d, TRAINING_MISSED), 0);
		assert_int_equal(training_debrief_count(d, TRAINING_EXTRA), 0);
		assert_int_equal(training_debrief_answer_marks(d, TRAINING_MATCH), training_fact_count(sc));
		assert_true(training_debrief_outcome_right(d));
		assert_string_equal(training_debrief_outcome_reached(d),
		    form_outcome_id(training_form(sc), training_expected_outcome(sc)));
		training_debrief_points(d, &pi, &po, &pa);
		assert_int_equal(pi, TRAINING_POINTS_INDICATORS);
		assert_int_equal(po, TRAINING_POINTS_OUTCOME);
		assert_int_equal(pa, TRAINING_POINTS_ANSWERS);
		assert_string_equal(training_debrief_trainee(d), "trainee1");
		assert_string_equal(training_debrief_status(d), "final");
		assert_int_equal(training_debrief_seconds(d), 1500);

		assert_int_equal(training_debrief_lines(d, sc, "en", "en", &l), ST_OK);
		assert_true(lines_have(&l, TRAINING_LINE_HEADING, "Score: 100/100"));
		assert_true(lines_have(&l, TRAINING_LINE_TEXT, "Time taken: 25 min 00 s"));
		assert_true(lines_have(&l, TRAINING_LINE_GOOD, "+ The expected outcome was reached."));
		assert_true(lines_have(&l, TRAINING_LINE_GOOD, "+ Every answer matches the scenario."));
		assert_false(lines_have(&l, TRAINING_LINE_HEADING, "Indicators missed"));
		assert_true(lines_have(&l, TRAINING_LINE_HEADING, "Learning points"));
		assert_true(lines_have(&l, TRAINING_LINE_ITEM, training_point(sc, 0, "en")));
		training_lines_free(&l);
		training_debrief_free(d);
		interview_free(iv);
	}
	training_list_free(b.list, b.n);
}

/* Is question q read by the rule of any expected indicator? */
static bool
feeds_expected(const struct training_scenario *sc, size_t q)
{
	const struct form *f = training_form(sc);

	for (size_t i = 0; i < training_expected_count(sc); i++) {
		const struct expr *when = form_indicator_when(f, training_expected_indicator(sc, i));

		for (size_t r = 0; r < expr_ref_count(when); r++)
			if (strcmp(expr_ref_name(when, r), form_question_id(f, q)) == 0)
				return true;
	}
	return false;
}

static void
every_scenario_poor_interview_misses_and_scores_lower(void **state)
{
	struct bundle b = bundled();

	(void)state;
	for (size_t s = 0; s < b.n; s++) {
		const struct training_scenario *sc = b.list[s];
		const struct form *f = training_form(sc);
		struct training_lines l = { 0 };
		struct training_debrief *d;
		struct interview *iv;
		size_t skipped = 0;

		assert_int_equal(interview_start(f, NULL, &iv), ST_OK);
		if (training_expected_count(sc) > 0) {
			/* The trainee never asks the questions behind the indicators. */
			for (size_t i = 0; i < training_fact_count(sc); i++) {
				if (feeds_expected(sc, training_fact_question(sc, i))) {
					skipped++;
					continue;
				}
				assert_int_equal(interview_set(iv, training_fact_question(sc, i),
				    training_fact_answer(sc, i)), ST_OK);
			}
			assert_true(skipped > 0);
		} else {
			/* Nothing to miss: the poor interview leads the respondent and
			 * records a debt to work off and a passport kept by the employer. */
			assert_int_equal(training_apply_facts(sc, iv), ST_OK);
			assert_int_equal(interview_answer_id(iv, "debt_work_off", "yes"), ST_OK);
			assert_int_equal(interview_answer_id(iv, "documents_held_by", "employer"), ST_OK);
		}
		decline_open_required(iv);
		finish(iv, sc);
		assert_int_equal(training_debrief_make(sc, iv, -1, &d), ST_OK);
		assert_true(training_debrief_score(d) < 100);
		assert_int_equal(training_debrief_lines(d, sc, "en", "en", &l), ST_OK);
		if (training_expected_count(sc) > 0) {
			assert_true(training_debrief_count(d, TRAINING_MISSED) > 0);
			assert_true(training_debrief_answer_marks(d, TRAINING_SKIPPED) +
			    training_debrief_answer_marks(d, TRAINING_DECLINED) >= skipped);
			assert_true(lines_have(&l, TRAINING_LINE_HEADING, "Indicators missed"));
			assert_true(lines_have(&l, TRAINING_LINE_BAD, "needed: "));
			assert_true(lines_have(&l, TRAINING_LINE_BAD, "not asked or skipped") ||
			    lines_have(&l, TRAINING_LINE_BAD, ": declined"));
		} else {
			int pi;

			assert_int_equal(training_debrief_count(d, TRAINING_EXTRA), 2);
			training_debrief_points(d, &pi, NULL, NULL);
			assert_int_equal(pi, TRAINING_POINTS_INDICATORS - 2 * TRAINING_EXTRA_PENALTY);
			assert_false(training_debrief_outcome_right(d));
			assert_true(lines_have(&l, TRAINING_LINE_BAD, "! Debt bondage [strong]"));
			assert_true(lines_have(&l, TRAINING_LINE_BAD, "recorded: The employer"));
		}
		training_lines_free(&l);
		training_debrief_free(d);
		interview_free(iv);
	}
	training_list_free(b.list, b.n);
}

static void
every_scenario_wrong_outcome_is_reported(void **state)
{
	struct bundle b = bundled();

	(void)state;
	for (size_t s = 0; s < b.n; s++) {
		const struct training_scenario *sc = b.list[s];
		struct training_lines l = { 0 };
		struct training_debrief *d;
		struct interview *iv = perfect(sc);
		int po;

		const char *expected = form_outcome_id(training_form(sc), training_expected_outcome(sc));
		/* Danger is a sign but no outcome of its own: an outcome that
		 * already rests on signs stands. */
		bool likely = strcmp(expected, "likely_victim") == 0 ||
		    strcmp(expected, "possible_victim") == 0;

		/* The trainee records danger the respondent did not describe.
		 * Danger raises a flag beside the outcome and does not hide a
		 * finding: there the wrong answer shows as an unsupported
		 * indicator; where no sign was expected it also makes the
		 * respondent a possible victim. */
		assert_int_equal(interview_answer_id(iv, "danger_now", "yes"), ST_OK);
		finish(iv, sc);
		assert_int_equal(training_debrief_make(sc, iv, 60, &d), ST_OK);
		training_debrief_points(d, NULL, &po, NULL);
		assert_int_equal(training_debrief_answer_marks(d, TRAINING_DIFFERENT), 1);
		assert_int_equal(training_debrief_lines(d, sc, "en", "en", &l), ST_OK);
		assert_true(lines_have(&l, TRAINING_LINE_BAD, "In danger now"));
		assert_true(lines_have(&l, TRAINING_LINE_BAD, "  ! Immediate danger: act now: raised, "
		    "though the scenario's facts do not raise it"));
		if (likely) {
			assert_true(training_debrief_outcome_right(d));
			assert_int_equal(po, TRAINING_POINTS_OUTCOME);
			assert_true(training_debrief_score(d) <= 100 - TRAINING_EXTRA_PENALTY);
		} else {
			assert_false(training_debrief_outcome_right(d));
			assert_string_equal(training_debrief_outcome_reached(d), "possible_victim");
			assert_int_equal(po, 0);
			assert_true(training_debrief_score(d) <= 100 - TRAINING_POINTS_OUTCOME -
			    TRAINING_EXTRA_PENALTY);
			assert_true(lines_have(&l, TRAINING_LINE_BAD, "- Not the expected outcome."));
			assert_true(lines_have(&l, TRAINING_LINE_ITEM, "reached: Possible victim: further assessment"));
		}
		training_lines_free(&l);
		training_debrief_free(d);
		interview_free(iv);
	}
	training_list_free(b.list, b.n);
}

static void
debrief_json_round_trips_and_is_checked(void **state)
{
	struct bundle b = bundled();

	(void)state;
	for (size_t s = 0; s < b.n; s++) {
		const struct training_scenario *sc = b.list[s];
		struct training_debrief *d, *back;
		struct interview *iv = perfect(sc);
		char *json, *json2, err[256], *bad;
		size_t len, len2;

		assert_int_equal(interview_answer_id(iv, "danger_now", "yes"), ST_OK);
		finish(iv, sc);
		assert_int_equal(training_debrief_make(sc, iv, 754, &d), ST_OK);
		assert_int_equal(training_debrief_to_json(d, &json, &len), ST_OK);
		assert_non_null(strstr(json, "\"training\":true"));
		assert_non_null(strstr(json, "\"kind\":\"debrief\""));
		assert_int_equal(training_debrief_from_json(json, len, &back, err, sizeof err), ST_OK);
		assert_int_equal(training_debrief_to_json(back, &json2, &len2), ST_OK);
		assert_string_equal(json, json2);
		assert_int_equal(training_debrief_score(back), training_debrief_score(d));
		assert_int_equal(training_debrief_started(back), 1772357400);
		training_debrief_free(back);
		/* A score that does not follow from the items is refused. */
		{
			char num[32], num2[32];

			snprintf(num, sizeof num, "\"score\":%d,", training_debrief_score(d));
			snprintf(num2, sizeof num2, "\"score\":%d,", training_debrief_score(d) + 1);
			bad = edit(json, num, num2);
			assert_int_equal(training_debrief_from_json(bad, strlen(bad), &back, err,
			    sizeof err), ST_INVALID);
			assert_non_null(strstr(err, "score does not follow"));
			free(bad);
		}
		bad = edit(json, "\"mark\":\"match\"", "\"mark\":\"maybe\"");
		assert_int_equal(training_debrief_from_json(bad, strlen(bad), &back, err, sizeof err),
		    ST_INVALID);
		assert_non_null(strstr(err, "no valid mark"));
		free(bad);
		training_json_free(json, len);
		training_json_free(json2, len2);
		training_debrief_free(d);
		interview_free(iv);
	}
	training_list_free(b.list, b.n);
}

static void
score_follows_the_documented_formula(void **state)
{
	/* 3 of 4 expected indicators caught and 1 extra: 50*3/4 = 37.5 -> 38,
	 * minus 10 = 28; wrong outcome: 0; 5 of 8 answers: 20*5/8 = 12.5 -> 13.
	 * Total 41. */
	static const char json[] =
	    "{\"kind\":\"debrief\",\"format\":1,\"training\":true,"
	    "\"scenario\":{\"id\":\"x\",\"version\":\"1\",\"form\":\"screening\"},"
	    "\"trainee\":\"bo\",\"record\":\"\",\"lang\":\"en\",\"started\":\"2026-03-01T09:30:00Z\","
	    "\"seconds\":61,\"status\":\"final\",\"score\":%d,"
	    "\"points\":{\"indicators\":28,\"outcome\":0,\"answers\":13},"
	    "\"indicators\":[{\"id\":\"a\",\"mark\":\"caught\"},{\"id\":\"b\",\"mark\":\"caught\"},"
	    "{\"id\":\"c\",\"mark\":\"caught\"},{\"id\":\"d\",\"mark\":\"missed\"},"
	    "{\"id\":\"e\",\"mark\":\"extra\"}],"
	    "\"answers\":["
	    "{\"question\":\"q1\",\"expected\":\"yes\",\"recorded\":\"yes\",\"mark\":\"match\"},"
	    "{\"question\":\"q2\",\"expected\":\"yes\",\"recorded\":\"yes\",\"mark\":\"match\"},"
	    "{\"question\":\"q3\",\"expected\":\"yes\",\"recorded\":\"yes\",\"mark\":\"match\"},"
	    "{\"question\":\"q4\",\"expected\":\"yes\",\"recorded\":\"yes\",\"mark\":\"match\"},"
	    "{\"question\":\"q5\",\"expected\":\"2\",\"recorded\":\"2\",\"mark\":\"match\"},"
	    "{\"question\":\"q6\",\"expected\":\"yes\",\"recorded\":\"no\",\"mark\":\"different\"},"
	    "{\"question\":\"q7\",\"expected\":\"yes\",\"recorded\":null,\"mark\":\"declined\"},"
	    "{\"question\":\"q8\",\"expected\":\"a b\",\"recorded\":null,\"mark\":\"skipped\"}],"
	    "\"outcome\":{\"expected\":\"likely_victim\",\"reached\":\"possible_victim\"}}";
	struct training_debrief *d;
	struct training_lines l = { 0 };
	char buf[sizeof json + 16], err[256];

	(void)state;
	snprintf(buf, sizeof buf, json, 41);
	assert_int_equal(training_debrief_from_json(buf, strlen(buf), &d, err, sizeof err), ST_OK);
	assert_int_equal(training_debrief_score(d), 41);
	assert_int_equal(training_debrief_count(d, TRAINING_EXTRA), 1);
	assert_int_equal(training_debrief_answer_marks(d, TRAINING_DECLINED), 1);
	/* Without its scenario the debrief still renders, with ids. */
	assert_int_equal(training_debrief_lines(d, NULL, "en", "en", &l), ST_OK);
	assert_true(lines_have(&l, TRAINING_LINE_TEXT, "ids are shown instead of labels"));
	assert_true(lines_have(&l, TRAINING_LINE_BAD, "  - d"));
	assert_true(lines_have(&l, TRAINING_LINE_BAD, "  ! e"));
	assert_true(lines_have(&l, TRAINING_LINE_BAD, "q7: declined"));
	assert_true(lines_have(&l, TRAINING_LINE_HEADING, "Score: 41/100 (indicators 28/50"));
	training_lines_free(&l);
	training_debrief_free(d);
	snprintf(buf, sizeof buf, json, 42);
	assert_int_equal(training_debrief_from_json(buf, strlen(buf), &d, err, sizeof err), ST_INVALID);
	assert_null(d);
	assert_int_equal(training_debrief_from_json("[]", 2, &d, err, sizeof err), ST_INVALID);
	assert_int_equal(training_debrief_from_json("{", 1, &d, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "not JSON"));
}

static void
debrief_needs_a_finished_interview(void **state)
{
	struct training_scenario *sc = NULL;
	struct training_debrief *d = NULL;
	struct training_lines l = { 0 };
	struct interview *iv;

	(void)state;
	assert_int_equal(training_find(SCENARIOS, NULL, "lao_restaurant_china", &sc, NULL), ST_OK);
	iv = perfect(sc);
	assert_int_equal(training_debrief_make(sc, iv, 10, &d), ST_INVALID);
	assert_null(d);
	interview_free(iv);

	/* Consent refused: the interview ends, nothing but consent is kept. */
	assert_int_equal(interview_start(training_form(sc), "lo", &iv), ST_OK);
	assert_int_equal(interview_answer_id(iv, "consent_interview", "no"), ST_OK);
	assert_int_equal(interview_state(iv), IV_ENDED);
	assert_int_equal(training_debrief_make(sc, iv, 30, &d), ST_OK);
	assert_string_equal(training_debrief_status(d), "ended");
	assert_null(training_debrief_outcome_reached(d));
	assert_string_equal(training_debrief_lang(d), "lo");
	assert_int_equal(training_debrief_count(d, TRAINING_MISSED), training_expected_count(sc));
	assert_int_equal(training_debrief_answer_marks(d, TRAINING_DIFFERENT), 1);
	assert_int_equal(training_debrief_score(d), 0);
	assert_int_equal(training_debrief_lines(d, sc, "en", "en", &l), ST_OK);
	assert_true(lines_have(&l, TRAINING_LINE_ITEM, "none: the interview ended early"));
	training_lines_free(&l);
	training_debrief_free(d);
	interview_free(iv);
	training_free(sc);
}

static void
texts_exist_in_every_language(void **state)
{
	static const char *const langs[] = { "en", "lo", "th", "zh" };
	static const char *const debrief_word[] = { "Debrief", "ການທົບທວນ", "การทบทวน", "复盘" };
	struct bundle b = bundled();

	(void)state;
	for (size_t s = 0; s < b.n; s++) {
		const struct training_scenario *sc = b.list[s];
		struct interview *iv = perfect(sc);
		struct training_debrief *d;

		finish(iv, sc);
		assert_int_equal(training_debrief_make(sc, iv, 5, &d), ST_OK);
		for (size_t k = 0; k < 4; k++) {
			struct training_lines card = { 0 }, deb = { 0 };

			assert_true(training_has_lang(sc, langs[k]));
			assert_int_equal(training_card_lines(sc, langs[k], langs[k], &card), ST_OK);
			assert_true(card.n > 10);
			assert_string_equal(card.v[0].text, training_title(sc, langs[k]));
			assert_true(lines_have(&card, TRAINING_LINE_HEADING,
			    training_card_text(sc, TRAINING_CARD_NAME, langs[k])));
			/* Each language has its own text, not the English fallback. */
			if (k > 0)
				assert_string_not_equal(training_card_text(sc, TRAINING_CARD_STORY, langs[k]),
				    training_card_text(sc, TRAINING_CARD_STORY, "en"));
			assert_int_equal(training_debrief_lines(d, sc, langs[k], langs[k], &deb), ST_OK);
			assert_true(strstr(deb.v[0].text, debrief_word[k]) != NULL);
			assert_true(lines_have(&deb, TRAINING_LINE_ITEM, training_point(sc, 0, langs[k])));
			training_lines_free(&card);
			training_lines_free(&deb);
		}
		/* Drafts are marked as such: only English is reviewed. */
		assert_string_equal(training_lang_code(sc, 0), "en");
		assert_false(training_lang_draft(sc, 0));
		for (size_t k = 1; k < training_lang_count(sc); k++)
			assert_true(training_lang_draft(sc, k));
		training_debrief_free(d);
		interview_free(iv);
	}
	training_list_free(b.list, b.n);
}

static void
the_five_mekong_cases_are_bundled(void **state)
{
	static const char *const ids[] = {
		"lao_restaurant_china", "lao_fishing_debt", "chinese_via_laos", "child_karaoke",
		"fair_migrant",
	};
	struct training_scenario *sc;

	(void)state;
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		assert_int_equal(training_find(SCENARIOS, NULL, ids[i], &sc, NULL), ST_OK);
		assert_string_equal(training_id(sc), ids[i]);
		training_free(sc);
	}
	assert_int_equal(training_find(SCENARIOS, NULL, "no_such_case", &sc, NULL), ST_NOTFOUND);
	assert_int_equal(training_find(SCENARIOS, NULL, "Not-An-Id", &sc, NULL), ST_NOTFOUND);
	/* The child case expects the child indicator although no means (force,
	 * deception, debt) are present. */
	assert_int_equal(training_find(SCENARIOS, NULL, "child_karaoke", &sc, NULL), ST_OK);
	{
		int want = form_indicator_find(training_form(sc), "child_commercial_sex");
		bool found = false;

		for (size_t i = 0; i < training_expected_count(sc); i++)
			found = found || (int)training_expected_indicator(sc, i) == want;
		assert_true(found);
		for (size_t i = 0; i < training_expected_count(sc); i++) {
			const char *id = form_indicator_id(training_form(sc),
			    training_expected_indicator(sc, i));

			assert_true(strcmp(id, "deception") != 0 && strcmp(id, "debt_bondage") != 0 &&
			    strcmp(id, "restriction_of_movement") != 0);
		}
	}
	training_free(sc);
	assert_int_equal(training_find(SCENARIOS, NULL, "fair_migrant", &sc, NULL), ST_OK);
	assert_int_equal(training_expected_count(sc), 0);
	assert_string_equal(form_outcome_id(training_form(sc), training_expected_outcome(sc)),
	    "no_indicators");
	training_free(sc);
}

/* ---- the vault: debriefs and training records stay in a training vault ---- */

static const struct vault_kdf fast = { 1, 8 };
#define PASS "demo passphrase"

static struct vault *
make_vault(const char *dir, int training)
{
	struct vault *v = vault_new();

	assert_non_null(v);
	vault_set_training(v, training);
	if (vault_create(v, dir, "ana", PASS, strlen(PASS), &fast) != ST_OK)
		fail_msg("vault_create: %s", vault_errmsg(v));
	assert_int_equal(vault_is_training(v), training);
	return v;
}

static struct vault *
reopen(const char *dir, const char *user)
{
	struct vault *v = vault_new();

	assert_int_equal(vault_open(v, dir), ST_OK);
	if (vault_unlock(v, user, PASS, strlen(PASS)) != ST_OK)
		fail_msg("unlock %s: %s", user, vault_errmsg(v));
	return v;
}

/* A finished mock screening of the restaurant case, and its debrief JSON. */
static struct interview *
mock_screening(struct training_scenario *sc, const char *trainee, bool training,
    char **json, size_t *len)
{
	struct training_debrief *d;
	struct interview *iv = perfect(sc);

	assert_int_equal(interview_set_interviewer(iv, trainee), ST_OK);
	interview_set_training(iv, training);
	finish(iv, sc);
	assert_int_equal(training_debrief_make(sc, iv, 90, &d), ST_OK);
	assert_int_equal(training_debrief_to_json(d, json, len), ST_OK);
	training_debrief_free(d);
	return iv;
}

static void
real_vault_refuses_training_records_and_debriefs(void **state)
{
	char *tmp = tu_tmpdir("training"), dir[4200], *json;
	struct training_scenario *sc;
	struct record_id id = { { 0 } }, draft = { { 0 } };
	struct interview *iv;
	struct record_id *ids;
	struct vault *v;
	size_t len, n;

	(void)state;
	snprintf(dir, sizeof dir, "%s/real", tmp);
	v = make_vault(dir, 0);
	assert_int_equal(training_find(SCENARIOS, NULL, "lao_restaurant_china", &sc, NULL), ST_OK);
	assert_int_equal(record_attach_form(v, training_form(sc), NULL, 0), ST_OK);
	iv = mock_screening(sc, "ana", true, &json, &len);
	assert_int_equal(record_save(v, iv, &id), ST_DENIED);
	assert_non_null(strstr(vault_errmsg(v), "is a real vault"));
	assert_non_null(strstr(vault_errmsg(v), "intake --training"));
	assert_int_equal(record_draft_save(v, iv, &draft), ST_DENIED);
	assert_int_equal(vault_debrief_put(v, json, len, &id), ST_DENIED);
	assert_int_equal(vault_debrief_list(v, &ids, &n), ST_DENIED);
	/* Nothing reached the vault. */
	assert_int_equal(vault_record_list(v, &ids, &n), ST_OK);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(vault_draft_list(v, &ids, &n), ST_OK);
	assert_int_equal(n, 0);
	free(ids);
	/* The same interview as a real one is accepted: the rule is the flag. */
	interview_free(iv);
	training_json_free(json, len);
	iv = mock_screening(sc, "ana", false, &json, &len);
	assert_int_equal(record_save(v, iv, &id), ST_OK);
	interview_free(iv);
	training_json_free(json, len);
	vault_close(v);
	/* The mark survives reopening: still a real vault. */
	v = reopen(dir, "ana");
	assert_false(vault_is_training(v));
	assert_int_equal(vault_check_training(v, 1), ST_DENIED);
	vault_close(v);
	training_free(sc);
	tu_rmtree(tmp);
	free(tmp);
}

static bool
has_id(const struct record_id *ids, size_t n, const struct record_id *id)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(ids[i].b, id->b, VAULT_ID_BYTES) == 0)
			return true;
	return false;
}

static int
count_item(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	(void)id;
	(void)json;
	(void)len;
	if (st == ST_OK)
		(*(size_t *)ctx)++;
	return 0;
}

static void
training_vault_keeps_debriefs_for_trainee_and_trainer(void **state)
{
	char *tmp = tu_tmpdir("training"), dir[4200], *json, *back, err[256];
	struct training_scenario *sc;
	struct training_debrief *d;
	struct record_id rec, deb, *ids;
	struct interview *iv;
	struct vault *v;
	size_t len, blen, n, seen;

	(void)state;
	snprintf(dir, sizeof dir, "%s/train", tmp);
	v = make_vault(dir, 1);
	assert_int_equal(vault_user_add(v, "bo", ROLE_INTERVIEWER, PASS, strlen(PASS), &fast), ST_OK);
	assert_int_equal(vault_user_add(v, "cy", ROLE_INTERVIEWER, PASS, strlen(PASS), &fast), ST_OK);
	assert_int_equal(vault_user_add(v, "tia", ROLE_TRAINER, PASS, strlen(PASS), &fast), ST_OK);
	assert_int_equal(training_find(SCENARIOS, NULL, "lao_restaurant_china", &sc, NULL), ST_OK);
	/* A real interview has no place in a training vault. */
	iv = mock_screening(sc, "ana", false, &json, &len);
	assert_int_equal(record_attach_form(v, training_form(sc), NULL, 0), ST_OK);
	assert_int_equal(record_save(v, iv, &rec), ST_DENIED);
	assert_non_null(strstr(vault_errmsg(v), "is a training vault"));
	interview_free(iv);
	training_json_free(json, len);
	vault_close(v);

	/* Trainee bo screens the case; record and debrief are kept. */
	v = reopen(dir, "bo");
	assert_true(vault_is_training(v));
	assert_int_equal(record_attach_form(v, training_form(sc), NULL, 0), ST_OK);
	iv = mock_screening(sc, "bo", true, &json, &len);
	assert_int_equal(record_save(v, iv, &rec), ST_OK);
	assert_int_equal(vault_debrief_put(v, json, len, &deb), ST_OK);
	assert_int_equal(vault_debrief_list(v, &ids, &n), ST_OK);
	assert_int_equal(n, 1);
	assert_true(has_id(ids, n, &deb));
	free(ids);
	interview_free(iv);
	vault_close(v);

	/* The trainer and a supervisor read it; another trainee does not. */
	for (int who = 0; who < 3; who++) {
		static const char *const users[] = { "tia", "ana", "cy" };

		v = reopen(dir, users[who]);
		seen = 0;
		assert_int_equal(vault_debrief_scan(v, count_item, &seen), ST_OK);
		if (who < 2) {
			assert_int_equal(vault_debrief_get(v, &deb, &back, &blen), ST_OK);
			assert_int_equal(blen, len);
			assert_memory_equal(back, json, len);
			assert_int_equal(training_debrief_from_json(back, blen, &d, err, sizeof err), ST_OK);
			assert_int_equal(training_debrief_score(d), 100);
			assert_string_equal(training_debrief_trainee(d), "bo");
			training_debrief_free(d);
			vault_plain_free(back, blen);
			assert_int_equal(seen, 1);
		} else {
			assert_int_equal(vault_debrief_get(v, &deb, &back, &blen), ST_DENIED);
			assert_null(back);
			assert_non_null(strstr(vault_errmsg(v), "another trainee"));
			assert_int_equal(seen, 0);
		}
		vault_close(v);
	}
	training_json_free(json, len);
	training_free(sc);
	tu_rmtree(tmp);
	free(tmp);
}

/* Writes (value != NULL) or deletes the meta key `name` behind the vault's back. */
static void
poke_meta(const char *dir, const char *name, const char *value)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(name), (void *)(uintptr_t)name };
	MDB_val d = { value ? strlen(value) : 0, (void *)(uintptr_t)value };

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	if (value != NULL)
		assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	else
		assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
training_mark_cannot_be_switched_on_disk(void **state)
{
	char *tmp = tu_tmpdir("training"), real[4200], train[4200];
	struct vault *v;

	(void)state;
	snprintf(real, sizeof real, "%s/real", tmp);
	snprintf(train, sizeof train, "%s/train", tmp);
	vault_close(make_vault(real, 0));
	vault_close(make_vault(train, 1));

	/* A real vault made to look like a training vault does not open. */
	poke_meta(real, "training", "\1");
	v = vault_new();
	assert_int_equal(vault_open(v, real), ST_TAMPERED);
	vault_close(v);
	/* A training vault stripped of its mark opens, but fails at unlock. */
	poke_meta(train, "training", NULL);
	v = vault_new();
	assert_int_equal(vault_open(v, train), ST_OK);
	assert_false(vault_is_training(v));
	assert_int_equal(vault_unlock(v, "ana", PASS, strlen(PASS)), ST_TAMPERED);
	assert_non_null(strstr(vault_errmsg(v), "edited on disk"));
	vault_close(v);
	tu_rmtree(tmp);
	free(tmp);
}

/* The flags beside the outcome: the scenario's facts decide which a
 * trainee should raise, and the debrief names one missed (a respondent in
 * danger not recognised) or raised without cause, stored and read back. */
static void
flags_missed_and_raised_without_cause(void **state)
{
	char *src, *text, *more, *json, err[256];
	struct training_scenario *sc = NULL;
	struct training_debrief *d, *back;
	struct training_lines l = { 0 };
	struct diag_list dl;
	struct interview *iv;
	size_t len = 0;

	(void)state;
	src = tu_slurp(SCENARIOS "/lao_restaurant_china.yaml", &len);
	assert_non_null(src);
	text = edit(src, "  danger_now: \"no\"", "  danger_now: \"yes\"");
	more = edit(text, "    - abuse_of_vulnerability", "    - abuse_of_vulnerability\n    - in_danger_now");
	diag_list_init(&dl);
	if (training_load_buffer("t.yaml", more, strlen(more), FORMS, &sc, &dl) != ST_OK) {
		char line[1024];

		diag_format(&dl.items[0], line, sizeof line);
		fail_msg("the scenario in danger does not load: %s", line);
	}
	diag_list_free(&dl);
	assert_true(training_flag_expected(sc, (size_t)form_flag_find(training_form(sc),
	    "immediate_danger")));

	/* The trainee records that she is not in danger. */
	iv = perfect(sc);
	assert_int_equal(interview_answer_id(iv, "danger_now", "no"), ST_OK);
	finish(iv, sc);
	assert_int_equal(training_debrief_make(sc, iv, 60, &d), ST_OK);
	assert_int_equal(training_debrief_flag_count(d), 1);
	assert_string_equal(training_debrief_flag(d, 0).id, "immediate_danger");
	assert_int_equal(training_debrief_flag(d, 0).mark, TRAINING_MISSED);
	assert_int_equal(training_debrief_lines(d, sc, "en", "en", &l), ST_OK);
	assert_true(lines_have(&l, TRAINING_LINE_HEADING, "Flags beside the outcome"));
	assert_true(lines_have(&l, TRAINING_LINE_BAD,
	    "  - Immediate danger: act now: not raised: the scenario's facts raise it"));
	training_lines_free(&l);
	assert_int_equal(training_debrief_lines(d, sc, "en", "lo", &l), ST_OK);
	assert_true(lines_have(&l, TRAINING_LINE_HEADING, "ເຄື່ອງໝາຍຂ້າງຜົນການຄັດກອງ"));
	training_lines_free(&l);
	/* Stored and read back with the flag. */
	assert_int_equal(training_debrief_to_json(d, &json, &len), ST_OK);
	assert_non_null(strstr(json, "\"flags\":[{\"id\":\"immediate_danger\",\"mark\":\"missed\"}]"));
	assert_int_equal(training_debrief_from_json(json, len, &back, err, sizeof err), ST_OK);
	assert_int_equal(training_debrief_flag_count(back), 1);
	assert_int_equal(training_debrief_flag(back, 0).mark, TRAINING_MISSED);
	training_debrief_free(back);
	training_json_free(json, len);
	training_debrief_free(d);
	interview_free(iv);

	/* Recorded as the facts say: caught. */
	iv = perfect(sc);
	finish(iv, sc);
	assert_int_equal(training_debrief_make(sc, iv, 60, &d), ST_OK);
	assert_int_equal(training_debrief_flag(d, 0).mark, TRAINING_CAUGHT);
	assert_int_equal(training_debrief_lines(d, sc, "en", "en", &l), ST_OK);
	assert_true(lines_have(&l, TRAINING_LINE_GOOD, "  + Immediate danger: act now"));
	training_lines_free(&l);
	training_debrief_free(d);
	interview_free(iv);
	training_free(sc);
	free(more);
	free(text);
	free(src);

	/* A debrief stored before flags were compared reads as none. */
	{
		struct bundle b = bundled();
		char *old;

		iv = perfect(b.list[0]);
		finish(iv, b.list[0]);
		assert_int_equal(training_debrief_make(b.list[0], iv, 60, &d), ST_OK);
		assert_int_equal(training_debrief_flag_count(d), 0);
		assert_int_equal(training_debrief_to_json(d, &json, &len), ST_OK);
		old = edit(json, "\"flags\":[],", "");
		assert_int_equal(training_debrief_from_json(old, strlen(old), &back, err, sizeof err),
		    ST_OK);
		assert_int_equal(training_debrief_flag_count(back), 0);
		free(old);
		training_debrief_free(back);
		training_json_free(json, len);
		training_debrief_free(d);
		interview_free(iv);
		training_list_free(b.list, b.n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base_scenario_loads),
		cmocka_unit_test(unknown_question_is_located),
		cmocka_unit_test(answer_not_a_choice_is_located),
		cmocka_unit_test(unknown_indicator_is_located),
		cmocka_unit_test(unknown_outcome_is_located),
		cmocka_unit_test(yaml_errors_are_located),
		cmocka_unit_test(facts_must_agree_with_the_engine),
		cmocka_unit_test(answers_get_the_engine_checks),
		cmocka_unit_test(languages_follow_the_rules),
		cmocka_unit_test(scenario_files_are_recognised),
		cmocka_unit_test(every_scenario_perfect_interview_scores_100),
		cmocka_unit_test(every_scenario_poor_interview_misses_and_scores_lower),
		cmocka_unit_test(every_scenario_wrong_outcome_is_reported),
		cmocka_unit_test(debrief_json_round_trips_and_is_checked),
		cmocka_unit_test(score_follows_the_documented_formula),
		cmocka_unit_test(debrief_needs_a_finished_interview),
		cmocka_unit_test(texts_exist_in_every_language),
		cmocka_unit_test(the_five_mekong_cases_are_bundled),
		cmocka_unit_test(real_vault_refuses_training_records_and_debriefs),
		cmocka_unit_test(training_vault_keeps_debriefs_for_trainee_and_trainer),
		cmocka_unit_test(training_mark_cannot_be_switched_on_disk),
		cmocka_unit_test(flags_missed_and_raised_without_cause),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
