/*
 * test_outsafe.c — the command line's output filter and the rule behind it:
 * what a terminal would act on comes out as visible text, everything else
 * byte for byte.
 */
#include "testutil.h"
#include "outsafe.h"
#include "textcheck.h"

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
	assert_string_equal(out, "{\"a\":\"x\\u007fy\\u009bz\\u202e\",\"b\":\"q\\\"\\u001b\"}");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_buffer_cuts_whole_pieces),
		cmocka_unit_test(test_lines_indented),
		cmocka_unit_test(test_json_same_value),
		cmocka_unit_test(test_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
