/* test_form.c — loading forms: what a valid form gives, and the
 * file:line:col diagnostics of broken ones. */
#include "testutil.h"
#include "form.h"

#define VALID "tests/forms/valid/"
#define BAD "tests/forms/bad/"

/* Fails unless some diagnostic's full text starts with `prefix`. */
static void
assert_diag(const struct diag_list *dl, const char *prefix)
{
	char buf[2048];

	for (size_t i = 0; i < dl->count; i++) {
		diag_format(&dl->items[i], buf, sizeof buf);
		if (strncmp(buf, prefix, strlen(prefix)) == 0)
			return;
	}
	for (size_t i = 0; i < dl->count; i++) {
		diag_format(&dl->items[i], buf, sizeof buf);
		print_message("  have: %s\n", buf);
	}
	fail_msg("no diagnostic starts with: %s", prefix);
}

/* Loads a bad file: it must fail with exactly `nerrors` errors, the first
 * (by position) being `first`. */
static void
expect_bad_file(const char *path, size_t nerrors, const char *first)
{
	struct diag_list dl;
	struct form *f = (struct form *)1;
	char buf[2048];

	diag_list_init(&dl);
	assert_int_equal(form_load_file(path, &f, &dl), ST_INVALID);
	assert_null(f);
	assert_true(dl.count > 0);
	diag_format(&dl.items[0], buf, sizeof buf);
	if (strncmp(buf, first, strlen(first)) != 0)
		fail_msg("%s: first diagnostic is\n  %s\nwanted\n  %s", path, buf, first);
	assert_int_equal(dl.errors, nerrors);
	diag_list_free(&dl);
}

static enum status
load_text(const char *text, struct form **f, struct diag_list *dl)
{
	diag_list_init(dl);
	return form_load_buffer("t.yaml", text, strlen(text), f, dl);
}

static const char head[] =
	"id: t\n"
	"version: \"1\"\n"
	"languages:\n"
	"  - {code: en, name: English, status: reviewed}\n";
static const char consent_section[] =
	"sections:\n"
	"  - id: s1\n"
	"    title: {en: \"One\"}\n"
	"    questions:\n"
	"      - id: consent\n"
	"        type: yes_no\n"
	"        consent: interview\n"
	"        label: {en: \"Agree?\"}\n";

/* head + consent_section + extra, loaded; returns the status. */
static enum status
load_with(const char *extra, struct form **f, struct diag_list *dl)
{
	char buf[8192];

	snprintf(buf, sizeof buf, "%s%s%s", head, consent_section, extra);
	return load_text(buf, f, dl);
}

static void
valid_form_loads_with_everything(void **state)
{
	struct diag_list dl;
	struct form *f;
	int q, lo, list;

	(void)state;
	diag_list_init(&dl);
	assert_int_equal(form_load_file(VALID "mini.yaml", &f, &dl), ST_OK);
	assert_int_equal(dl.errors, 0);
	/* draft languages and missing draft translations are warnings */
	assert_diag(&dl, "tests/forms/valid/mini.yaml:10:41: warning: language lo is a draft translation");
	assert_diag(&dl, "tests/forms/valid/mini.yaml:65:16: warning: the label of question 'guardian' has no lo text");

	assert_string_equal(form_id(f), "mini");
	assert_string_equal(form_version(f), "1.2");
	assert_int_equal(form_lang_count(f), 4);
	lo = form_lang_find(f, "lo");
	assert_int_equal(lo, 1);
	assert_int_equal(form_lang_find(f, "fr"), -1);
	assert_string_equal(form_lang_name(f, 3), "中文");
	assert_int_equal(form_lang_status(f, 0), FORM_LANG_REVIEWED);
	assert_int_equal(form_lang_status(f, 2), FORM_LANG_DRAFT);
	assert_string_equal(form_title(f, 2), "การคัดกรองแบบสั้น");

	assert_int_equal(form_section_count(f), 4);
	assert_string_equal(form_section_id(f, 1), "about");
	assert_int_equal(form_section_first(f, 1), 3);
	assert_int_equal(form_section_size(f, 1), 5);
	assert_non_null(form_section_relevant(f, 1));
	assert_null(form_section_relevant(f, 0));
	assert_int_equal(form_section_find(f, "closing"), 3);

	assert_int_equal(form_question_count(f), 16);
	q = form_question_find(f, "guardian");
	assert_int_equal(q, 4);
	assert_int_equal(form_question_type(f, (size_t)q), FORM_TEXT);
	/* lo is missing: falls back to English; th is there */
	assert_string_equal(form_question_label(f, (size_t)q, (size_t)lo), "Who takes care of you?");
	assert_string_equal(form_question_label(f, (size_t)q, 2), "ใครดูแลคุณ");
	assert_string_equal(form_question_label(f, (size_t)q, 99), "Who takes care of you?");
	assert_null(form_question_hint(f, (size_t)q, 0));
	assert_int_equal(form_question_max_length(f, (size_t)q), 40);     /* settings */
	assert_int_equal(form_question_max_length(f, (size_t)form_question_find(f, "initials")), 5);
	assert_string_equal(form_question_hint(f, (size_t)form_question_find(f, "arrival_date"), 3), "年-月-日");

	q = form_question_find(f, "age");
	assert_true(form_question_required(f, (size_t)q));
	assert_non_null(form_question_constraint(f, (size_t)q));
	assert_string_equal(form_question_constraint_message(f, (size_t)q, 0), "Age must be between 10 and 100.");
	assert_int_equal(form_question_section(f, (size_t)q), 1);

	q = form_question_find(f, "gender");
	assert_true(form_question_keep_without_consent(f, (size_t)q));
	assert_string_equal(form_question_report(f, (size_t)q), "gender");
	list = form_question_choices(f, (size_t)q);
	assert_string_equal(form_choice_list_name(f, (size_t)list), "genders");
	assert_int_equal(form_choice_count(f, (size_t)list), 3);
	assert_string_equal(form_choice_value(f, (size_t)list, 1), "male");
	assert_string_equal(form_choice_label(f, (size_t)list, 1, 3), "男");
	assert_int_equal(form_choice_find(f, (size_t)list, "other", 5), 2);
	assert_int_equal(form_choice_find(f, (size_t)list, "oth", 3), -1);

	/* yes_no questions use the built-in list 0, labelled in each language */
	q = form_question_find(f, "consent_interview");
	assert_int_equal(form_question_choices(f, (size_t)q), 0);
	assert_string_equal(form_choice_value(f, 0, 0), "yes");
	assert_string_equal(form_choice_label(f, 0, 1, 3), "否");
	assert_int_equal(form_consent_question(f, FORM_CONSENT_INTERVIEW), q);
	assert_int_equal(form_question_consent(f, (size_t)q), FORM_CONSENT_INTERVIEW);
	assert_int_equal(form_consent_question(f, FORM_CONSENT_STATISTICS), 15);
	assert_int_equal(form_question_type(f, 0), FORM_NOTE);

	assert_int_equal(form_indicator_count(f), 4);
	assert_string_equal(form_indicator_id(f, 1), "retained_documents");
	assert_int_equal(form_indicator_level(f, 2), FORM_LEVEL_MEDIUM);
	assert_string_equal(form_level_name(form_indicator_level(f, 3)), "weak");
	assert_int_equal(form_indicator_find(f, "minor"), 3);

	assert_int_equal(form_outcome_count(f), 3);
	assert_string_equal(form_outcome_id(f, 0), "urgent");
	assert_int_equal(form_outcome_referral_count(f, 0), 2);
	assert_string_equal(form_referral_id(f, form_outcome_referral(f, 0, 1)), "shelter_example");
	assert_null(form_outcome_advice(f, 2, 0));
	assert_true(expr_is_true(form_outcome_when(f, 2)));

	assert_int_equal(form_referral_count(f), 3);
	assert_true(form_referral_emergency(f, 0));
	assert_false(form_referral_emergency(f, 2));
	assert_true(form_referral_example(f, 2));
	assert_string_equal(form_referral_contact(f, 1), "+856 21 000 000 (example)");
	assert_string_equal(form_referral_name(f, 1, 1), "ທີ່ພັກພິງ");
	assert_int_equal(form_referral_service_count(f, 1), 3);
	assert_string_equal(form_referral_service(f, 1, 2), "legal");
	assert_string_equal(form_referral_country(f, 2, 1), "CN");
	assert_non_null(form_referrals_source(f, NULL));

	/* out-of-range indices do not crash */
	assert_null(form_question_id(f, 1000));
	assert_null(form_choice_value(f, 1000, 0));
	assert_null(form_referral_id(f, 99));

	assert_string_equal(form_hash(f), "");
	assert_int_equal(form_set_hash(f, "zz"), ST_INVALID);
	assert_int_equal(form_set_hash(f, "00ff"), ST_OK);
	assert_string_equal(form_hash(f), "00ff");
	form_free(f);
	diag_list_free(&dl);
}

static void
eval_order_puts_dependencies_first(void **state)
{
	struct form *f;
	const int *order;
	size_t n, seen_q[32] = {0}, seen_s[8] = {0};

	(void)state;
	assert_int_equal(form_load_file(VALID "mini.yaml", &f, NULL), ST_OK);
	n = form_eval_order(f, &order);
	assert_int_equal(n, form_question_count(f) + form_section_count(f));
	for (size_t i = 0; i < n; i++) {
		if (order[i] < 0) {
			seen_s[-order[i] - 1] = i + 1;
			continue;
		}
		seen_q[order[i]] = i + 1;
		/* its section came first */
		assert_true(seen_s[form_question_section(f, (size_t)order[i])] > 0);
	}
	/* guardian (relevant on age) after age; section about after consent */
	assert_true(seen_q[form_question_find(f, "guardian")] > seen_q[form_question_find(f, "age")]);
	assert_true(seen_s[1] > seen_q[form_question_find(f, "consent_interview")]);
	form_free(f);
}

static void
bad_files_report_message_and_position(void **state)
{
	(void)state;
	expect_bad_file(BAD "yaml_syntax.yaml", 1,
	    "tests/forms/bad/yaml_syntax.yaml:8:5: error: YAML syntax: did not find expected ',' or '}' while parsing a flow mapping (line 7)");
	expect_bad_file(BAD "duplicate_id.yaml", 1,
	    "tests/forms/bad/duplicate_id.yaml:16:13: error: duplicate question id 'age' (first at line 13)");
	expect_bad_file(BAD "unknown_type.yaml", 1,
	    "tests/forms/bad/unknown_type.yaml:14:15: error: unknown question type 'number': use one of text, integer, decimal, date, yes_no, select_one, select_multiple, note");
	expect_bad_file(BAD "missing_ref.yaml", 1,
	    "tests/forms/bad/missing_ref.yaml:18:20: error: relevant of question 'school': unknown question ${agee} at column 1: did you mean ${age}?");
	expect_bad_file(BAD "circular.yaml", 1,
	    "tests/forms/bad/circular.yaml:15:20: error: circular relevant or calculation: ${paid} -> ${owed} -> ${paid}");
	expect_bad_file(BAD "bad_expression.yaml", 1,
	    "tests/forms/bad/bad_expression.yaml:23:36: error: relevant of question 'why': expected ')' after argument 1 of selected() at column 18");
	expect_bad_file(BAD "unknown_list.yaml", 1,
	    "tests/forms/bad/unknown_list.yaml:18:18: error: unknown choice list 'job_kinds': define it under choices: (lists: job_types)");
	expect_bad_file(BAD "tabs.yaml", 1,
	    "tests/forms/bad/tabs.yaml:10:1: error: tab character used for indentation: use spaces");
	expect_bad_file(BAD "not_utf8.yaml", 1,
	    "tests/forms/bad/not_utf8.yaml:7:21: error: byte 0xE9 (after \"title: {en: \"Caf\") is not valid UTF-8");
	expect_bad_file(BAD "empty.yaml", 1,
	    "tests/forms/bad/empty.yaml:1:1: error: form is empty");
	expect_bad_file(BAD "not_a_choice.yaml", 1,
	    "tests/forms/bad/not_a_choice.yaml:24:30: error: relevant of question 'how_much': 'maybe' is not a choice of ${paid} (list yes_no_unsure) at column 11: use one of: yes, no, unsure");
}

static void
every_error_is_reported(void **state)
{
	struct diag_list dl;
	struct form *f;
	const char *p = "tests/forms/bad/many_errors.yaml";
	char buf[2048];

	(void)state;
	diag_list_init(&dl);
	assert_int_equal(form_load_file(p, &f, &dl), ST_INVALID);
	assert_int_equal(dl.errors, 9);
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:1:5: error: 'Many' is not a valid form id");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:7:3: error: the form has no interview consent question");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:10:9: error: question 'age' has no label");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:12:9: error: unknown field 'lable' in a question: did you mean 'label'?");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:15:16: error: the label of question 'paid' has no lo text, and lo is marked reviewed");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:16:29: error: relevant of question 'paid': ${age} is a number question; compare it with a number, not the text 'ten'");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:19:12: error: unknown level 'severe'");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:25:11: error: the last outcome must have when: \"true()\"");
	assert_diag(&dl, "tests/forms/bad/many_errors.yaml:26:17: error: outcome 'refer' names referral 'shelter' but the form has no referrals file");
	/* sorted by position */
	for (size_t i = 1; i < dl.count; i++)
		assert_true(dl.items[i - 1].line <= dl.items[i].line);
	diag_format(&dl.items[0], buf, sizeof buf);
	assert_string_equal(buf, "tests/forms/bad/many_errors.yaml:1:5: error: 'Many' is not a valid form id: use lowercase letters a-z, digits and _, starting with a letter, at most 48 characters");
	diag_list_free(&dl);
}

static void
huge_and_binary_buffers(void **state)
{
	size_t big = 10 * 1024 * 1024;
	char *buf = malloc(big);
	struct diag_list dl;
	struct form *f;
	char path[4096], *dir;
	FILE *fp;

	(void)state;
	assert_non_null(buf);
	/* a plausible file, just far too long */
	for (size_t i = 0; i < big; i++)
		buf[i] = i % 64 == 63 ? '\n' : 'a';
	diag_list_init(&dl);
	assert_int_equal(form_load_buffer("big.yaml", buf, big, &f, &dl), ST_INVALID);
	assert_null(f);
	assert_diag(&dl, "big.yaml:1:1: error: form is 10485760 bytes; the limit is 1 MiB");
	assert_int_equal(dl.errors, 1);
	diag_list_free(&dl);

	/* the same from disk: refused without reading it all */
	dir = tu_tmpdir("form");
	snprintf(path, sizeof path, "%s/big.yaml", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, big, fp), big);
	fclose(fp);
	diag_list_init(&dl);
	assert_int_equal(form_load_file(path, &f, &dl), ST_INVALID);
	assert_string_equal(dl.items[0].msg, "form is 10485760 bytes; the limit is 1 MiB (1048576 bytes): split it or shorten the texts");
	diag_list_free(&dl);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(dir);
	free(buf);

	/* a stray byte in memory: line and column in characters */
	diag_list_init(&dl);
	assert_int_equal(load_text("id: t\ntitle: {en: \"ລາວ\xff\"}\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:2:17: error: byte 0xFF (after \"title: {en: \"ລາວ\") is not valid UTF-8");
	diag_list_free(&dl);
	assert_int_equal(load_text("id: t\n\0\n", &f, &dl), ST_INVALID);
	diag_list_free(&dl);
	assert_int_equal(load_text("   \n\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:1:1: error: form is empty");
	diag_list_free(&dl);
	assert_int_equal(load_text("# only a comment\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:1:1: error: form has no content");
	diag_list_free(&dl);
	assert_int_equal(form_load_file("tests/forms/no/such.yaml", &f, &dl), ST_IO);
	assert_diag(&dl, "tests/forms/no/such.yaml: error: cannot read the form: No such file or directory");
	diag_list_free(&dl);
}

static void
yaml_structure_errors(void **state)
{
	struct diag_list dl;
	struct form *f;
	char deep[400];
	size_t n = 0;

	(void)state;
	assert_int_equal(load_text("- a\n- b\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:1:1: error: a form is a mapping of fields");
	diag_list_free(&dl);
	assert_int_equal(load_text("id: &x t\nversion: *x\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:2:10: error: YAML aliases (*x) are not supported in forms");
	diag_list_free(&dl);
	assert_int_equal(load_text("id: t\n---\nid: u\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:2:1: error: a second YAML document starts here");
	diag_list_free(&dl);
	n += (size_t)snprintf(deep, sizeof deep, "id: ");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(load_text(deep, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:1:68: error: nested more than 64 levels deep");
	diag_list_free(&dl);
	assert_int_equal(load_text("id: t\nid: u\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:2:1: error: duplicate field 'id' in the form (first at line 1)");
	diag_list_free(&dl);
}

static void
spec_rules(void **state)
{
	struct diag_list dl;
	struct form *f = NULL;
	char buf[4096];

	(void)state;
	/* a minimal valid form loads */
	assert_int_equal(load_with("", &f, &dl), ST_OK);
	assert_int_equal(dl.count, 0);
	assert_string_equal(form_title(f, 0), "t");
	form_free(f);
	diag_list_free(&dl);

	/* a second interview consent; a consent that is not yes_no */
	assert_int_equal(load_with(
	    "      - id: consent2\n"
	    "        type: yes_no\n"
	    "        consent: interview\n"
	    "        label: {en: \"Agree again?\"}\n"
	    "      - id: stats\n"
	    "        type: text\n"
	    "        consent: statistics\n"
	    "        label: {en: \"Stats?\"}\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:13:9: error: question 'consent2' is a second consent: interview question (the first is 'consent')");
	assert_diag(&dl, "t.yaml:19:18: error: a consent question must have type yes_no");
	diag_list_free(&dl);

	/* indicator() of a later indicator; outcomes missing */
	assert_int_equal(load_with(
	    "indicators:\n"
	    "  - id: a\n"
	    "    level: strong\n"
	    "    label: {en: \"A\"}\n"
	    "    when: \"indicator('b')\"\n"
	    "  - id: b\n"
	    "    level: weak\n"
	    "    label: {en: \"B\"}\n"
	    "    when: \"${consent} = 'no'\"\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:17:22: error: when of indicator 'a': indicator('b') at column 11 is not defined before this indicator");
	assert_diag(&dl, "t.yaml:14:3: error: a form with indicators needs outcomes");
	diag_list_free(&dl);

	/* referrals: missing file, unsafe path, unknown id */
	snprintf(buf, sizeof buf, "%sreferrals: nowhere.yaml\n%s"
	    "outcomes:\n  - id: o\n    label: {en: \"O\"}\n    when: \"true()\"\n    referrals: [x]\n",
	    head, consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:5:12: error: cannot read the referrals file nowhere.yaml: No such file or directory");
	assert_int_equal(dl.errors, 1);
	diag_list_free(&dl);
	snprintf(buf, sizeof buf, "%sreferrals: ../../etc/passwd\n%s", head, consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:5:12: error: referrals must name a file in the form's folder");
	diag_list_free(&dl);
	{
		static const char refs[] =
		    "referrals:\n"
		    "  - id: shelter\n"
		    "    name: {en: \"Shelter\", fr: \"Abri\"}\n"
		    "    countries: [LA, thailand]\n";

		snprintf(buf, sizeof buf, "%sreferrals: r.yaml\n%s"
		    "outcomes:\n  - id: o\n    label: {en: \"O\"}\n    when: \"true()\"\n    referrals: [shelter, hotline]\n",
		    head, consent_section);
		diag_list_init(&dl);
		assert_int_equal(form_load_buffers("t.yaml", buf, strlen(buf), "r.yaml", refs, strlen(refs), &f, &dl), ST_INVALID);
		assert_diag(&dl, "t.yaml:18:26: error: unknown referral 'hotline' in outcome 'o': use an id from r.yaml");
		assert_diag(&dl, "r.yaml:3:27: error: 'fr' in the name of referral 'shelter' is not a declared language (declared: en)");
		assert_diag(&dl, "r.yaml:4:21: error: 'thailand' is not a country code");
		assert_int_equal(dl.errors, 3);
		diag_list_free(&dl);
	}

	/* field-level rules */
	assert_int_equal(load_with(
	    "      - id: intro\n"
	    "        type: note\n"
	    "        required: true\n"
	    "        label: {en: \"Hello\"}\n"
	    "      - id: job\n"
	    "        type: select_one job_types\n"
	    "        label: {en: \"Job?\"}\n"
	    "      - id: ok\n"
	    "        type: yes_no\n"
	    "        choices: yes_no\n"
	    "        label: \"Okay?\"\n"
	    "      - id: n\n"
	    "        type: integer\n"
	    "        max_length: 3\n"
	    "        constraint: \"${n} > 1\"\n"
	    "        label: {en: \"N\"}\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:15:19: error: note 'intro' takes no answer, so it cannot be required");
	assert_diag(&dl, "t.yaml:18:15: error: write the choice list on its own line: type: select_one and choices: job_types");
	assert_diag(&dl, "t.yaml:22:18: error: a yes_no question needs no choices");
	assert_diag(&dl, "t.yaml:23:16: error: the label of question 'ok' must map each language to its text, like {en: \"...\"}");
	assert_diag(&dl, "t.yaml:26:21: error: max_length is only for text questions");
	assert_diag(&dl, "t.yaml:27:22: error: constraint of question 'n': a constraint refers to its own question as ${n} at column 1: write . for the answer being checked");
	diag_list_free(&dl);

	/* a section relevant that depends on a question inside it */
	snprintf(buf, sizeof buf, "%s%s"
	    "  - id: s2\n"
	    "    title: {en: \"Two\"}\n"
	    "    relevant: \"${inner} = 'yes'\"\n"
	    "    questions:\n"
	    "      - id: inner\n"
	    "        type: yes_no\n"
	    "        label: {en: \"Inner?\"}\n", head, consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:15:16: error: circular relevant or calculation: section 's2' -> ${inner} -> section 's2'");
	diag_list_free(&dl);

	/* a missing reviewed translation is an error; a missing draft one a warning */
	snprintf(buf, sizeof buf,
	    "id: t\nversion: 2\nlanguages:\n"
	    "  - {code: en, name: English, status: reviewed}\n"
	    "  - {code: th, name: Thai, status: reviewed}\n"
	    "  - {code: zh, name: Chinese, status: draft}\n"
	    "%s", consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:9:12: error: the title of section 's1' has no th text, and th is marked reviewed");
	assert_diag(&dl, "t.yaml:9:12: warning: the title of section 's1' has no zh text (draft translation)");
	diag_list_free(&dl);
}

/* Built-in yes/no words exist for en, lo, th and zh only: another language
 * gives its own in a yes_no list, or the form is refused at its code. */
static void
yes_no_words_per_language(void **state)
{
	static const char km_head[] =
	    "id: t\nversion: \"1\"\nlanguages:\n"
	    "  - {code: en, name: English, status: reviewed}\n"
	    "  - {code: km, name: Khmer, status: draft}\n";
	static const char km_list[] =
	    "choices:\n"
	    "  yes_no:\n"
	    "    - {value: \"yes\", label: {en: \"Yes, indeed\", km: \"\u1794\u17b6\u1791\"}}\n"
	    "    - {value: \"no\", label: {en: \"No\", km: \"\u1791\u17c1\"}}\n";
	struct diag_list dl;
	struct form *f = NULL;
	char buf[4096];

	(void)state;
	snprintf(buf, sizeof buf, "%s%s", km_head, consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:5:12: error: Intake has built-in yes/no words only for en, lo, th and zh: give them for km");
	diag_list_free(&dl);

	snprintf(buf, sizeof buf, "%s%s%s", km_head, km_list, consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_OK);
	assert_string_equal(form_choice_label(f, 0, 0, 1), "\u1794\u17b6\u1791");
	assert_string_equal(form_choice_label(f, 0, 1, 1), "\u1791\u17c1");
	assert_string_equal(form_choice_label(f, 0, 0, 0), "Yes, indeed");
	form_free(f);
	diag_list_free(&dl);

	snprintf(buf, sizeof buf, "%schoices:\n  yes_no:\n    - {value: \"yes\", label: {en: \"Y\"}}\n%s",
	    head, consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:6:3: error: choice list yes_no gives the words of yes_no questions, so it must hold exactly the values yes and no");
	diag_list_free(&dl);

	/* The four built-in languages need no list. */
	snprintf(buf, sizeof buf, "%s  - {code: lo, name: Lao, status: draft}\n%s", head, consent_section);
	assert_int_equal(load_text(buf, &f, &dl), ST_OK);
	assert_string_equal(form_choice_label(f, 0, 0, 1), "\u0ec1\u0ea1\u0ec8\u0e99");
	form_free(f);
	diag_list_free(&dl);
}

/*
 * An expression's error points at the exact character, whatever the YAML
 * style of its scalar: escapes and '' shift columns, folding and block
 * indentation shift lines. The section title holds Lao text, so byte and
 * character offsets differ before every expression.
 */
static void
expression_positions_in_every_style(void **state)
{
	static const char qhead[] =
	    "id: t\nversion: \"1\"\nlanguages:\n  - {code: en, name: English, status: reviewed}\n"
	    "sections:\n  - id: s1\n    title: {en: \"ລາວ One\"}\n    questions:\n"
	    "      - id: consent\n        type: yes_no\n        consent: interview\n        label: {en: \"Agree?\"}\n"
	    "      - id: age\n        type: integer\n        label: {en: \"Age\"}\n"
	    "      - id: q\n        type: text\n        label: {en: \"Q\"}\n";
	static const struct {
		const char *style, *relevant, *want;
	} cases[] = {
		{"plain", "        relevant: not(${age} > 1) or ${agee} = 2\n", "t.yaml:19:38: "},
		{"single-quoted", "        relevant: '''x'' = ''x'' and ${agee} = 2'\n", "t.yaml:19:38: "},
		{"double-quoted with escapes", "        relevant: \"\\\"\\u00e9\\\" = 'x' or\\t${agee} = 2\"\n", "t.yaml:19:41: "},
		{"literal |", "        relevant: |\n          ${age} > 1 and\n            ${agee} = 2\n", "t.yaml:21:13: "},
		{"folded >-", "        relevant: >-\n          ${age} > 1\n          and ${agee} = 2\n", "t.yaml:21:15: "},
		{"literal |+", "        relevant: |+\n          ${age} > 1 and\n\n          ${agee} = 2\n\n", "t.yaml:22:11: "},
		{"folded >", "        relevant: >\n          ${age} > 1\n\n          and ${agee} = 2\n", "t.yaml:22:15: "},
		{"multi-line plain", "        relevant: ${age} > 1\n          and ${agee} = 2\n", "t.yaml:20:15: "},
		{"multi-line double-quoted", "        relevant: \"${age} > 1 and\n          ${agee} = \\\n          2\"\n", "t.yaml:20:11: "},
	};
	struct diag_list dl;
	struct form *f = NULL;
	char buf[4096], want[200];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", qhead, cases[i].relevant);
		assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
		snprintf(want, sizeof want, "%serror: relevant of question 'q': unknown question ${agee}", cases[i].want);
		print_message("  style: %s\n", cases[i].style);
		assert_diag(&dl, want);
		diag_list_free(&dl);
	}
	/* A syntax error inside a block scalar: the second '>' of the line. */
	snprintf(buf, sizeof buf, "%s        relevant: >-\n          ${age} > 1 and\n          ${age} > > 2\n", qhead);
	assert_int_equal(load_text(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:21:20: error: relevant of question 'q': ");
	diag_list_free(&dl);
	/* A warning inside an escaped double-quoted scalar: the = of ${age} = ''. */
	snprintf(buf, sizeof buf, "%s        relevant: \"\\\"a\\\" = 'a' and ${age} = ''\"\n", qhead);
	assert_int_equal(load_text(buf, &f, &dl), ST_OK);
	assert_diag(&dl, "t.yaml:19:43: warning: relevant of question 'q': ");
	form_free(f);
	diag_list_free(&dl);
}

/* What `intake forms check` takes a file for is decided here, from the
 * YAML, not from how its lines look. */
static void
file_kinds(void **state)
{
	const char *flow = "{referrals: [], id: r}\n";
	const char *broken = "scenario: fair\npersona: {en: [\n";

	(void)state;
	assert_int_equal(form_file_kind_path("forms/screening.yaml"), FORM_FILE_FORM);
	assert_int_equal(form_file_kind_path("forms/referrals.yaml"), FORM_FILE_REFERRALS);
	assert_int_equal(form_file_kind_path("forms/training/fair_migrant.yaml"), FORM_FILE_SCENARIO);
	assert_int_equal(form_file_kind_path("tests/forms/no-such-file.yaml"), FORM_FILE_FORM);
	/* A form naming its referrals file is a form. */
	assert_int_equal(form_file_kind("referrals: r.yaml\nsections: []\n", 30), FORM_FILE_FORM);
	/* Flow style has no key at the start of a line, and is still a
	 * referral directory. */
	assert_int_equal(form_file_kind(flow, strlen(flow)), FORM_FILE_REFERRALS);
	/* Keys before a syntax error decide: the scenario checker then
	 * reports the error in a scenario's words. */
	assert_int_equal(form_file_kind(broken, strlen(broken)), FORM_FILE_SCENARIO);
	assert_int_equal(form_file_kind("x: {referrals: []}\n", 19), FORM_FILE_FORM);
	assert_int_equal(form_file_kind("- referrals\n", 12), FORM_FILE_FORM);
	assert_int_equal(form_file_kind("", 0), FORM_FILE_FORM);
}

/* flags: written as outcomes are, each evaluated on its own. */
static void
flags_are_read_and_checked(void **state)
{
	static const char rules[] =
	    "indicators:\n"
	    "  - id: a\n"
	    "    level: strong\n"
	    "    label: {en: \"A\"}\n"
	    "    when: \"${consent} = 'no'\"\n"
	    "outcomes:\n"
	    "  - id: all\n"
	    "    label: {en: \"All\"}\n"
	    "    when: \"true()\"\n"
	    "flags:\n"
	    "  - id: danger\n"
	    "    label: {en: \"Danger\"}\n"
	    "    advice: {en: \"Act first\"}\n"
	    "    when: \"indicator('a')\"\n";
	struct diag_list dl;
	struct form *f = NULL;
	char buf[4096];

	(void)state;
	assert_int_equal(load_with(rules, &f, &dl), ST_OK);
	assert_int_equal(form_flag_count(f), 1);
	assert_string_equal(form_flag_id(f, 0), "danger");
	assert_string_equal(form_flag_label(f, 0, 0), "Danger");
	assert_string_equal(form_flag_advice(f, 0, 0), "Act first");
	assert_non_null(form_flag_when(f, 0));
	assert_int_equal(form_flag_referral_count(f, 0), 0);
	assert_int_equal(form_flag_find(f, "danger"), 0);
	assert_int_equal(form_flag_find(f, "all"), -1);
	assert_null(form_flag_id(f, 1));
	form_free(f);
	diag_list_free(&dl);

	snprintf(buf, sizeof buf, "%s%s", rules,
	    "  - id: danger\n"
	    "    label: {en: \"Again\"}\n"
	    "    when: \"true()\"\n"
	    "  - id: other\n"
	    "    label: {en: \"Other\"}\n"
	    "    when: \"indicator('nope')\"\n"
	    "    referrals: [hotline]\n"
	    "  - id: late\n"
	    "    label: {en: \"Late\"}\n"
	    "    whn: \"true()\"\n");
	assert_int_equal(load_with(buf, &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:27:9: error: duplicate flag id 'danger' (first at line 23)");
	assert_diag(&dl, "t.yaml:32:22: error: when of flag 'other': unknown indicator 'nope' at column 11");
	assert_diag(&dl, "t.yaml:33:17: error: flag 'other' names referral 'hotline' but the form has no referrals file");
	assert_diag(&dl, "t.yaml:36:5: error: unknown field 'whn' in a flag: did you mean 'when'?");
	assert_diag(&dl, "t.yaml:34:5: error: this flag has no when: add when:");
	diag_list_free(&dl);

	assert_int_equal(load_with("flags: {id: x}\n", &f, &dl), ST_INVALID);
	assert_diag(&dl, "t.yaml:13:8: error: flags must be a list (items starting with '- '), not a mapping");
	diag_list_free(&dl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_form_loads_with_everything),
		cmocka_unit_test(file_kinds),
		cmocka_unit_test(flags_are_read_and_checked),
		cmocka_unit_test(eval_order_puts_dependencies_first),
		cmocka_unit_test(bad_files_report_message_and_position),
		cmocka_unit_test(every_error_is_reported),
		cmocka_unit_test(huge_and_binary_buffers),
		cmocka_unit_test(yaml_structure_errors),
		cmocka_unit_test(spec_rules),
		cmocka_unit_test(yes_no_words_per_language),
		cmocka_unit_test(expression_positions_in_every_style),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
