/*
 * test_formorder.c — references to questions asked later: a relevant that
 * reads one is refused (the question would be skipped, then come back behind
 * the interviewer), also through a calculate; a constraint that reads one is
 * a warning, and an answers file is checked against every constraint once
 * all its answers are in.
 */
#include "testutil.h"

#include <jansson.h>

#include "form.h"
#include "interview.h"

static const char head[] =
    "id: t\n"
    "version: \"1\"\n"
    "languages:\n"
    "  - {code: en, name: English, status: reviewed}\n"
    "sections:\n"
    "  - id: s1\n"
    "    title: {en: \"One\"}\n"
    "    questions:\n"
    "      - id: consent\n"
    "        type: yes_no\n"
    "        consent: interview\n"
    "        label: {en: \"Agree?\"}\n";

static struct form *
load(const char *tail, struct diag_list *dl, enum status want)
{
	char buf[4096];
	struct form *f = NULL;

	snprintf(buf, sizeof buf, "%s%s", head, tail);
	diag_list_init(dl);
	assert_int_equal(form_load_buffer("t.yaml", buf, strlen(buf), &f, dl), want);
	return f;
}

static void
has(const struct diag_list *dl, const char *prefix)
{
	char line[2048];

	for (size_t i = 0; i < dl->count; i++) {
		diag_format(&dl->items[i], line, sizeof line);
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			return;
	}
	for (size_t i = 0; i < dl->count; i++) {
		diag_format(&dl->items[i], line, sizeof line);
		print_message("  have: %s\n", line);
	}
	fail_msg("no diagnostic starts with: %s", prefix);
}

static void
relevant_of_a_later_question_is_refused(void **state)
{
	struct diag_list dl;

	(void)state;
	load("      - id: early\n"
	    "        type: text\n"
	    "        relevant: \"${late} = 'yes'\"\n"
	    "        label: {en: \"Early\"}\n"
	    "      - id: late\n"
	    "        type: yes_no\n"
	    "        label: {en: \"Late\"}\n", &dl, ST_INVALID);
	has(&dl, "t.yaml:15:20: error: relevant of question 'early' reads ${late}, which is asked after it (line 17)");
	diag_list_free(&dl);

	/* a section whose relevant reads a question of a later section */
	load("  - id: s2\n"
	    "    title: {en: \"Two\"}\n"
	    "    relevant: \"${late} = 'yes'\"\n"
	    "    questions:\n"
	    "      - {id: mid, type: text, label: {en: \"Mid\"}}\n"
	    "  - id: s3\n"
	    "    title: {en: \"Three\"}\n"
	    "    questions:\n"
	    "      - {id: late, type: yes_no, label: {en: \"Late\"}}\n", &dl, ST_INVALID);
	has(&dl, "t.yaml:15:16: error: relevant of section 's2' reads ${late}, which is asked after it (line 21)");
	diag_list_free(&dl);
}

static void
through_a_calculate(void **state)
{
	struct diag_list dl;
	struct form *f;

	(void)state;
	load("      - id: total\n"
	    "        type: calculate\n"
	    "        calculation: \"${a} + 1\"\n"
	    "      - id: early\n"
	    "        type: text\n"
	    "        relevant: \"${total} > 2\"\n"
	    "        label: {en: \"Early\"}\n"
	    "      - id: a\n"
	    "        type: integer\n"
	    "        label: {en: \"A\"}\n", &dl, ST_INVALID);
	has(&dl, "t.yaml:18:20: error: relevant of question 'early' reads ${total} (calculate ${total} reads ${a}), which is asked after it (line 20)");
	diag_list_free(&dl);

	/* a calculate placed early but used after what it reads: fine */
	f = load("      - id: total\n"
	    "        type: calculate\n"
	    "        calculation: \"${a} + 1\"\n"
	    "      - id: a\n"
	    "        type: integer\n"
	    "        label: {en: \"A\"}\n"
	    "      - id: late\n"
	    "        type: text\n"
	    "        relevant: \"${total} > 2\"\n"
	    "        label: {en: \"Late\"}\n", &dl, ST_OK);
	assert_int_equal(dl.count, 0);
	form_free(f);
	diag_list_free(&dl);
}

static const char later_constraint[] =
    "      - id: paid\n"
    "        type: integer\n"
    "        constraint: \"not(. > ${promised})\"\n"
    "        constraint_message: {en: \"Paid cannot exceed what was promised.\"}\n"
    "        label: {en: \"Paid\"}\n"
    "      - id: promised\n"
    "        type: integer\n"
    "        label: {en: \"Promised\"}\n";

static void
constraint_of_a_later_question_warns_and_record_add_rechecks(void **state)
{
	struct diag_list dl;
	struct form *f;
	struct interview *iv = NULL;
	json_t *ans;
	char err[400];

	(void)state;
	f = load(later_constraint, &dl, ST_OK);
	has(&dl, "t.yaml:15:30: warning: constraint of question 'paid' reads ${promised}, which is asked after it (line 18)");
	diag_list_free(&dl);

	/* Applied in form order, paid passes against an empty promised. */
	assert_int_equal(interview_start(f, NULL, &iv), ST_OK);
	ans = json_pack("{s:s, s:i, s:i}", "consent", "yes", "paid", 500, "promised", 300);
	assert_int_equal(interview_apply_answers(iv, ans, err, sizeof err), ST_INVALID);
	assert_string_equal(err, "paid: with the later answers its constraint fails (not(. > ${promised})): "
	    "Paid cannot exceed what was promised.");
	json_decref(ans);
	interview_free(iv);

	assert_int_equal(interview_start(f, NULL, &iv), ST_OK);
	ans = json_pack("{s:s, s:i, s:i}", "consent", "yes", "paid", 200, "promised", 300);
	assert_int_equal(interview_apply_answers(iv, ans, err, sizeof err), ST_OK);
	json_decref(ans);
	interview_free(iv);
	form_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relevant_of_a_later_question_is_refused),
		cmocka_unit_test(through_a_calculate),
		cmocka_unit_test(constraint_of_a_later_question_warns_and_record_add_rechecks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
