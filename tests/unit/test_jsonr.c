/*
 * test_jsonr.c — the JSON reader gives what json_loadb gives: the same
 * values in the same order for every text jansson takes, NULL for every
 * text jansson refuses, with both flags intake uses. The texts intake
 * writes are read without jansson's reader; the rest may go to it.
 */
#include "testutil.h"
#include <jansson.h>
#include "crypto.h"
#include "form.h"
#include "interview.h"
#include "jsonr.h"

/* jsonr_load and json_loadb agree on text[len] with flags: both refuse
 * it, or both give values that dump to the same bytes (keys in order).
 * Says whether they took it. */
static bool
agree(const char *text, size_t len, size_t flags)
{
	json_error_t e;
	json_t *a = jsonr_load(text, len, flags, &e), *b = json_loadb(text, len, flags, NULL);
	char *da, *db;
	bool took = a != NULL;

	if ((a == NULL) != (b == NULL))
		fail_msg("jsonr %s, jansson %s: %.*s", a ? "took" : "refused", b ? "took" : "refused",
		    (int)len, text);
	if (a != NULL) {
		da = json_dumps(a, JSON_COMPACT);
		db = json_dumps(b, JSON_COMPACT);
		assert_non_null(da);
		assert_non_null(db);
		if (strcmp(da, db) != 0 || !json_equal(a, b))
			fail_msg("jsonr read %s, jansson %s", da, db);
		free(da);
		free(db);
	}
	json_decref(a);
	json_decref(b);
	return took;
}

static bool
agree_both(const char *text, size_t len)
{
	bool took = agree(text, len, 0);

	agree(text, len, JSON_REJECT_DUPLICATES);
	return took;
}

/* What intake writes and reads: read here, not by jansson. */
static void
common_texts_read_here(void **state)
{
	static const char *const texts[] = {
		"{}", "[]", " \t\r\n{ } \n", "[1,-2,0,-0,9223372036854775807,-9223372036854775808]",
		"[1.5,-0.25,1e3,2E-2,1.0e+2,0.0,-0.0,123456789.125]",
		"[true,false,null,\"\"]",
		"{\"a\":{\"b\":[{\"c\":[]}],\"d\":{}},\"e\":\"f\"}",
		"{\"q\":\"quote \\\" back \\\\ slash \\/ \\b\\f\\n\\r\\t end\"}",
		"{\"u\":\"\\u00e9\\u0041\\u20ac \\ud83d\\ude00 \\u001f\"}",
		"{\"lao\":\"ລາວ\",\"thai\":\"ไทย\",\"zh\":\"中文\",\"emoji\":\"😀\",\"del\":\"\x7f\"}",
		"{\"k\\n\":1,\"\":2,\"ລາວ\":3}",
		"[\"\\n\",\"\\u00e9\",\"\\\\\"]",
		"{\"dup\":1,\"dup\":2}",
	};

	(void)state;
	(void)jsonr_test_deferred();
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		agree(texts[i], strlen(texts[i]), 0);
		assert_int_equal(jsonr_test_deferred(), 0);
	}
}

/* Every refusal is jansson's: each of these is refused by both, or taken
 * by both where jansson takes what looks odd. */
static void
odd_texts_as_jansson_reads_them(void **state)
{
	static const char *const texts[] = {
		"", " ", "1", "\"s\"", "true", "null", "{", "[", "}", "]", "[1,]", "[,1]", "{,}",
		"{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]",
		"[01]", "[-]", "[-01]", "[1.]", "[.5]", "[1e]", "[1e+]", "[+1]", "[0x10]",
		"[1.5e400]", "[-1e400]", "[1e-400]", "[9223372036854775808]",
		"[-9223372036854775809]", "[99999999999999999999]", "[Infinity]", "[NaN]",
		"[tru]", "[truex]", "[nul]", "[True]", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]",
		"[\"\\u0000\"]", "{\"\\u0000\":1}", "[\"\\ud800\"]", "[\"\\udc00\"]",
		"[\"\\ud800\\u0041\"]", "[\"\\ud800x\"]", "[\"a\tb\"]", "[\"a\nb\"]",
		"[\"unterminated]", "[\"\\", "{} x", "{}{}", "[]]", "\xef\xbb\xbf{}",
		"[\"\xc3\"]", "[\"\xc0\x80\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]",
		"[\"\xff\"]", "[\"\x80\"]", "[\"\xe2\x82\"]", "[\"\xc3\\n\"]", "[\"\\n\xa9\"]",
		"[\"\xc3\xa9\\u00e9\xc3\xa9\"]", "[1]\x01", "[\"\x01\"]", "{\"a\":1 \"b\":2}",
	};
	static const char with_nul[] = "[\"a\0b\"]";
	static const char dup[] = "{\"a\":1,\"b\":{\"a\":2},\"a\":3}";

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		agree_both(texts[i], strlen(texts[i]));
	agree_both(with_nul, sizeof with_nul - 1);
	/* A duplicate key: taken without the flag, refused with it. */
	assert_true(agree(dup, strlen(dup), 0));
	assert_false(agree(dup, strlen(dup), JSON_REJECT_DUPLICATES));
	/* Nesting past this reader's depth goes to jansson, which takes it,
	 * and past jansson's own, which it refuses. */
	{
		static char deep[2 * (JSON_PARSER_MAX_DEPTH + 10)];
		size_t n = JSONR_DEPTH + 10;

		memset(deep, '[', n);
		memset(deep + n, ']', n);
		assert_true(agree_both(deep, 2 * n));
		n = JSON_PARSER_MAX_DEPTH + 10;
		memset(deep, '[', n);
		memset(deep + n, ']', n);
		assert_false(agree_both(deep, 2 * n));
	}
	/* A text not NUL-terminated is read only to its length. */
	assert_true(agree_both("{\"a\":[1,2]}garbage", 11));
}

static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Texts a record might be, changed at random a byte or a few at a time
 * with the bytes JSON turns on: both readers agree on every one. */
static void
changed_texts_as_jansson_reads_them(void **state)
{
	static const char bytes[] = "\"\\{}[],:0123456789eE.-+tfnul \t\n\x01\x1f\x7f\xc3\xa9\xed\xa0"
	    "\x80\xf4\x90\xff/bu";
	static const char *const seeds[] = {
		"{\"id\":\"0123abcd\",\"form\":{\"id\":\"mini\",\"version\":\"1.2\",\"hash\":\"ab\"},"
		    "\"lang\":\"lo\",\"answers\":{\"age\":16,\"height\":1.5,\"docs\":[\"self\","
		    "\"employer\"],\"debt\":{\"special\":\"declined\"},\"name\":\"ນາງ \\\"ແມ່\\\"\"},"
		    "\"ended\":null,\"training\":false,\"flags\":[true,-12,3e2]}",
		"[\"\\u00e9\\ud83d\\ude00\",{\"a\":{\"a\":[[],{}]}},-0.5,\"ไทย 中文\"]",
	};
	uint64_t seed = 0x9e3779b97f4a7c15u;
	size_t took = 0;
	char text[512];

	(void)state;
	for (int round = 0; round < 20000; round++) {
		const char *from = seeds[round % 2];
		size_t len = strlen(from);
		int edits = 1 + (int)(next(&seed) % 3);

		memcpy(text, from, len);
		for (int e = 0; e < edits && len > 0; e++) {
			size_t at = next(&seed) % len;
			char c = bytes[next(&seed) % (sizeof bytes - 1)];

			switch (next(&seed) % 4) {
			case 0:
				text[at] = c;
				break;
			case 1:
				memmove(text + at, text + at + 1, len - at - 1);
				len--;
				break;
			case 2:
				if (len + 1 < sizeof text) {
					memmove(text + at + 1, text + at, len - at);
					text[at] = c;
					len++;
				}
				break;
			default:
				len = at;
				break;
			}
		}
		took += agree_both(text, len);
	}
	/* Both kinds were tried: many changes leave a valid text. */
	assert_true(took > 1000);
	assert_true(took < 19000);
}

/* A record and a summary as the engine writes them, read here: each
 * record of the fuzz corpus that loads, written again by the engine. */
static void
records_read_here(void **state)
{
	static const char *const names[] = { "amending", "answers", "ended", "final", "stopped" };
	struct form *f;
	size_t loaded = 0;

	(void)state;
	assert_int_equal(form_load_file("tests/forms/valid/mini.yaml", &f, NULL), ST_OK);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[256], err[256], *text, *rec;
		struct interview *iv;
		size_t len;

		snprintf(path, sizeof path, "tests/fuzz/corpus/record/%s", names[i]);
		assert_non_null(text = tu_slurp(path, &len));
		if (interview_from_json(f, text, len, &iv, err, sizeof err) == ST_OK) {
			(void)jsonr_test_deferred();
			assert_int_equal(interview_to_json(iv, &rec, &len), ST_OK);
			assert_true(agree(rec, len, JSON_REJECT_DUPLICATES));
			interview_json_free(rec, len);
			assert_int_equal(interview_summary_json(iv, &rec, &len), ST_OK);
			assert_true(agree(rec, len, 0));
			interview_json_free(rec, len);
			assert_int_equal(jsonr_test_deferred(), 0);
			interview_free(iv);
			loaded++;
		}
		free(text);
	}
	assert_true(loaded >= 3);
	form_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(common_texts_read_here),
		cmocka_unit_test(odd_texts_as_jansson_reads_them),
		cmocka_unit_test(changed_texts_as_jansson_reads_them),
		cmocka_unit_test(records_read_here),
	};

	if (crypto_init() != ST_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
