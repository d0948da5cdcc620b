/*
 * test_outsafe.c — the command line's output filter and the rule behind it:
 * what a terminal would act on comes out as visible text, everything else
 * byte for byte; and the record commands, run on a vault whose record and
 * summary carry such characters (as another program could write them),
 * print none of them raw.
 */
#include "testutil.h"
#include <fcntl.h>
#include <jansson.h>
#include "cli.h"
#include "form.h"
#include "interview.h"
#include "outsafe.h"
#include "record.h"
#include "textcheck.h"
#include "vault.h"

#define PASS "supervisor passphrase"

/* What fn printed, as a string (the caller frees it). */
static char *
captured(void (*fn)(FILE *, const char *), const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	fn(f, s);
	fclose(f);
	return out;
}

static const char *indent_arg;

static void
text_with_indent(FILE *f, const char *s)
{
	outsafe_text(f, s, indent_arg);
}

static void
json_whole(FILE *f, const char *s)
{
	outsafe_json(f, s, strlen(s));
}

/* No byte a terminal acts on is left: ESC, CSI, any C0 but those let
 * through on purpose, DEL, C1, bidi controls, separators. */
static void
assert_inert(const char *out, int newlines_ok)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		assert_false(*p < 0x20 && !(newlines_ok && (*p == '\n' || *p == '\t')));
		assert_false(*p == 0x7F);
		assert_false(p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F);
		assert_false(p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xA8 && p[2] <= 0xAE);
		assert_false(p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9);
	}
}

static void
test_one_line(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain text", "plain text" },
		{ "ລາວ ไทย 中文", "ລາວ ไทย 中文" },                /* kept as they are */
		{ "A\x1b]0;title\x07" "B", "A\\x1b]0;title\\x07B" },
		{ "\x1b[2J", "\\x1b[2J" },
		{ "del\x7f", "del\\x7f" },
		{ "csi\xc2\x9b" "31m", "csi<U+009B>31m" },
		{ "next\xc2\x85line", "next<U+0085>line" },
		{ "abc\xe2\x80\xae" "cba", "abc<U+202E>cba" },
		{ "iso\xe2\x81\xa6x\xe2\x81\xa9", "iso<U+2066>x<U+2069>" },
		{ "a\xe2\x80\xa8" "b\xe2\x80\xa9", "a<U+2028>b<U+2029>" },
		{ "tab\there\nnew\rline", "tab\\there\\nnew\\rline" },
		{ "bad\xff\xfe" "bytes\xe2\x80", "bad\\xff\\xfebytes\\xe2\\x80" },
		{ "ok \xef\xbf\xbd", "ok \xef\xbf\xbd" },              /* a real U+FFFD */
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = captured(outsafe_put, cases[i].in);

		assert_string_equal(out, cases[i].out);
		assert_inert(out, 0);
		free(out);
	}
}

static void
test_buffer_cuts_whole_pieces(void **state)
{
	char buf[8];

	(void)state;
	/* "ab" + "\x1b" (4 bytes) fits in 7; the next escape does not. */
	assert_string_equal(outsafe_str(buf, sizeof buf, "ab\x1b\x1b"), "ab\\x1b");
	/* A Thai character (3 bytes) is never cut in two. */
	assert_string_equal(outsafe_str(buf, sizeof buf, "abcdeไ"), "abcde");
	assert_string_equal(outsafe_str(buf, sizeof buf, NULL), "");
	assert_string_equal(outsafe_str(buf, sizeof buf, "\xe2\x80\xae"), "");   /* 8 > 7 */
}

/* A multi-line answer cannot start a line of the report: every line after
 * the first begins with the indent. */
static void
test_lines_indented(void **state)
{
	char *out;

	(void)state;
	indent_arg = "    ";
	out = captured(text_with_indent, "first\nOutcome: forged\n\tkept tab\x1b[1A");
	assert_string_equal(out, "first\n    Outcome: forged\n    \tkept tab\\x1b[1A");
	assert_inert(out, 1);
	free(out);
	out = captured(text_with_indent, "cr\r\nline");
	assert_string_equal(out, "cr\\r\n    line");
	free(out);
}

/* JSON keeps its value: hidden characters inside strings become \u
 * escapes, which any JSON reader turns back into the same text. */
static void
test_json_same_value(void **state)
{
	char *out;

	(void)state;
	out = captured(json_whole, "{\"a\":\"x\x7fy\xc2\x9bz\xe2\x80\xae\",\"b\":\"q\\\"\x1b\"}");
	assert_string_equal(out, "{\"a\":\"x\\u007Fy\\u009Bz\\u202E\",\"b\":\"q\\\"\\u001B\"}");
	assert_inert(out, 0);
	free(out);
	out = captured(json_whole, "{\"l\":\"ລາວ\"}\n");
	assert_string_equal(out, "{\"l\":\"ລາວ\"}\n");
	free(out);
}

static void
test_rule(void **state)
{
	uint32_t c;

	(void)state;
	assert_true(textcheck_ok("a\tb\nc", 5, TEXTCHECK_TAB | TEXTCHECK_NEWLINE));
	assert_false(textcheck_ok("a\tb", 3, TEXTCHECK_NEWLINE));
	assert_false(textcheck_ok("a\rb", 3, TEXTCHECK_TAB | TEXTCHECK_NEWLINE));
	assert_int_equal(textcheck_find("ab\xe2\x80\xa8", 5, 0, &c), 2);
	assert_int_equal(c, 0x2028);
	assert_int_equal(textcheck_find("a\xc3", 2, 0, &c), 1);
	assert_int_equal(c, TEXTCHECK_INVALID);
	assert_int_equal(textcheck_find("a\0b", 3, 0, &c), 1);
	assert_int_equal(c, 0);
	assert_true(textcheck_ok("ລາວ ไทย 中文 é", strlen("ລາວ ไทย 中文 é"), 0));
}

/* Runs cmd_record with argv, its stdout and stderr into one string. */
static char *
run_record(struct cli *c, char **argv, int argc, const char *path)
{
	int saved_out = dup(1), saved_err = dup(2), fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved_out >= 0 && saved_err >= 0);
	fflush(stdout);
	fflush(stderr);
	dup2(fd, 1);
	dup2(fd, 2);
	c->argv = argv;
	c->argc = argc;
	cmd_record(c);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(fd);
	return tu_slurp(path, NULL);
}

static void
test_record_commands(void **state)
{
	static const char *const fields[][2] = {
		{ "interviewer", "iv\x1b]0;owned\x07" },
		{ "outcome", "pos\xe2\x80\xaesible" },
		{ "form", "mini\xc2\x9b" "2J" },
		{ "status", "final\xe2\x80\xa8" },
	};
	char *tmp = tu_tmpdir("outsafe"), dir[4096], pass[4096], out[4096], hex[33];
	char *json, *sum, *text, err[256] = "";
	struct cli c;
	struct vault *v = vault_new();
	struct form *f = NULL;
	struct interview *iv;
	struct diag_list dl;
	struct record_id id;
	struct case_code code;
	size_t jl, sl;
	json_t *rec, *sj, *a;
	FILE *pf;
	static const struct vault_kdf fast = { 1, 8 };

	(void)state;
	snprintf(dir, sizeof dir, "%s/vault", tmp);
	snprintf(pass, sizeof pass, "%s/pass", tmp);
	snprintf(out, sizeof out, "%s/out", tmp);
	assert_int_equal(vault_create(v, dir, "sup", PASS, strlen(PASS), &fast), ST_OK);
	diag_list_init(&dl);
	assert_int_equal(form_load_file("tests/forms/valid/mini.yaml", &f, &dl), ST_OK);
	diag_list_free(&dl);
	assert_int_equal(record_attach_form(v, f, NULL, 0), ST_OK);
	a = json_loads("{\"gender\":\"male\",\"consent_interview\":\"yes\",\"age\":40,"
	    "\"job\":\"farm\",\"job_promised\":\"yes\",\"promised_what\":\"cook\","
	    "\"debt\":\"no\"}", 0, NULL);
	assert_int_equal(interview_start(f, "en", &iv), ST_OK);
	interview_set_interviewer(iv, "sup");
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK)
		fail_msg("%s", err);
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(vault_record_id_new(v, &id), ST_OK);
	record_id_hex(&id, hex);
	assert_int_equal(interview_set_record_id(iv, hex), ST_OK);
	assert_int_equal(interview_to_json(iv, &json, &jl), ST_OK);
	assert_int_equal(interview_summary_json(iv, &sum, &sl), ST_OK);
	/* What another program could have written: hidden characters in the
	 * summary and in an answer. */
	rec = json_loads(json, 0, NULL);
	sj = json_loads(sum, 0, NULL);
	interview_json_free(json, jl);
	interview_json_free(sum, sl);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		json_object_set_new(sj, fields[i][0], json_string(fields[i][1]));
	json_object_set_new(json_object_get(rec, "answers"), "promised_what",
	    json_string("cook\x1b[2J\xc2\x9b\xe2\x81\xa6"));
	json = json_dumps(rec, JSON_COMPACT);
	sum = json_dumps(sj, JSON_COMPACT);
	assert_int_equal(vault_record_put_as(v, &id, json, strlen(json), sum, strlen(sum)), ST_OK);
	vault_close(v);
	pf = fopen(pass, "w");
	assert_non_null(pf);
	fprintf(pf, "%s\n", PASS);
	fclose(pf);
	chmod(pass, 0600);

	memset(&c, 0, sizeof c);
	c.vault_dir = dir;
	c.user = "sup";
	c.pass_fd = c.new_pass_fd = c.key_pass_fd = -1;
	c.pass_file = pass;
	setenv("INTAKE_FORMS", "tests/forms/valid", 1);
	record_id_code(&id, &code);
	{
		char *list[] = { "list" }, *show[] = { "show", code.s };

		text = run_record(&c, list, 1, out);
		assert_non_null(strstr(text, "iv\\x1b]0;owned\\x07"));
		assert_non_null(strstr(text, "pos<U+202E>sible"));
		assert_non_null(strstr(text, "mini<U+009B>2J"));
		assert_inert(text, 1);
		free(text);
		c.format = "json";
		text = run_record(&c, show, 2, out);
		assert_non_null(strstr(text, "cook\\u001B[2J\\u009B\\u2066"));
		assert_inert(text, 1);
		free(text);
		/* As text the record no longer rebuilds (the engine refuses
		 * the answer); the refusal is printed safely too. */
		c.format = NULL;
		text = run_record(&c, show, 2, out);
		assert_inert(text, 1);
		free(text);
	}
	free(json);
	free(sum);
	json_decref(rec);
	json_decref(sj);
	json_decref(a);
	interview_free(iv);
	form_free(f);
	tu_rmtree(tmp);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_buffer_cuts_whole_pieces),
		cmocka_unit_test(test_lines_indented),
		cmocka_unit_test(test_json_same_value),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_record_commands),
	};

	umask(077);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
