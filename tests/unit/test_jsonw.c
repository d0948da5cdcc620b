/*
 * test_jsonw.c — the JSON writer gives, byte for byte, what jansson's
 * compact dump gives for the same values (records written by the engine
 * are compared as text: in verify's digests, in bundles, in tests), and
 * fails whole on what jansson would refuse.
 */
#include "testutil.h"
#include <jansson.h>
#include "crypto.h"
#include "form.h"
#include "interview.h"
#include "jsonw.h"

/* What w wrote is what jansson's compact dump of v gives (v released). */
static void
assert_as_jansson(struct jsonw *w, json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT), *got = NULL;
	size_t len = 0;

	assert_non_null(want);
	assert_int_equal(jw_finish(w, &got, &len), ST_OK);
	assert_int_equal(strlen(got), len);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(v);
}

/* s[n] alone in an array, by the writer and by jansson. */
static void
string_as_jansson(const char *s, size_t n)
{
	struct jsonw w;

	jw_init(&w);
	jw_begin(&w, '[');
	jw_strn(&w, s, n);
	jw_end(&w);
	assert_as_jansson(&w, json_pack("[s#]", s, (int)n));
}

/* Strings jansson escapes and those it leaves, one by one, and a NUL
 * inside a counted string. */
static void
strings_as_jansson_writes_them(void **state)
{
	static const char *const texts[] = {
		"", "plain", "quote \" back \\ slash /", "\b\f\n\r\t", "\x01\x1f\x7f",
		"ລາວ ไทย 中文", "😀 outside the BMP", "\xc2\xa0no-break", "end\\",
	};

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		string_as_jansson(texts[i], strlen(texts[i]));
	string_as_jansson("a\0b", 3);
}

/* Numbers, literals, nesting and empty containers. */
static void
values_as_jansson_writes_them(void **state)
{
	static const double reals[] = { 0.0, -0.0, 1.0, 0.1, 3.25, -7.125, 2500.0, 1e300,
	    1.5e-7, 123456789.123, 1.0 / 3.0 };
	json_t *o = json_object(), *arr = json_array(), *nested = json_object();
	struct jsonw w;

	(void)state;
	jw_init(&w);
	jw_begin(&w, '{');
	jw_key(&w, "reals");
	jw_begin(&w, '[');
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
		json_array_append_new(arr, json_real(reals[i]));
		jw_real(&w, reals[i]);
	}
	jw_end(&w);
	json_object_set_new(o, "reals", arr);
	jw_key(&w, "ints");
	jw_begin(&w, '[');
	jw_int(&w, 0);
	jw_int(&w, -42);
	jw_int(&w, 9007199254740993LL);
	jw_end(&w);
	json_object_set_new(o, "ints", json_pack("[I,I,I]", (json_int_t)0, (json_int_t)-42,
	    (json_int_t)9007199254740993LL));
	jw_key(&w, "empty");
	jw_begin(&w, '{');
	jw_end(&w);
	json_object_set_new(o, "empty", json_object());
	jw_key(&w, "none");
	jw_begin(&w, '[');
	jw_end(&w);
	json_object_set_new(o, "none", json_array());
	jw_key(&w, "nested");
	jw_begin(&w, '{');
	jw_key(&w, "t");
	jw_bool(&w, true);
	jw_key(&w, "f");
	jw_bool(&w, false);
	jw_key(&w, "n");
	jw_null(&w);
	jw_key(&w, "k\"ey");
	jw_begin(&w, '[');
	jw_begin(&w, '{');
	jw_end(&w);
	jw_str(&w, "x");
	jw_end(&w);
	jw_end(&w);
	json_object_set_new(nested, "t", json_true());
	json_object_set_new(nested, "f", json_false());
	json_object_set_new(nested, "n", json_null());
	json_object_set_new(nested, "k\"ey", json_pack("[{},s]", "x"));
	json_object_set_new(o, "nested", nested);
	jw_end(&w);
	assert_as_jansson(&w, o);
}

/* What jansson would refuse, or a shape that is not JSON, fails the whole
 * text. */
static void
failures_fail_the_whole_text(void **state)
{
	struct jsonw w;
	char *out = (char *)"unset";
	size_t len = 7;

	(void)state;
	jw_init(&w);
	jw_begin(&w, '{');
	jw_key(&w, "a");
	jw_str(&w, "\xff\xfe not UTF-8");
	jw_end(&w);
	assert_int_equal(jw_finish(&w, &out, &len), ST_NOMEM);
	assert_null(out);

	jw_init(&w);
	jw_begin(&w, '[');
	jw_str(&w, NULL);
	jw_end(&w);
	assert_int_equal(jw_finish(&w, &out, &len), ST_NOMEM);

	jw_init(&w);                    /* a value in an object without its key */
	jw_begin(&w, '{');
	jw_str(&w, "x");
	jw_end(&w);
	assert_int_equal(jw_finish(&w, &out, &len), ST_NOMEM);

	jw_init(&w);                    /* left open */
	jw_begin(&w, '[');
	assert_int_equal(jw_finish(&w, &out, &len), ST_NOMEM);

	jw_init(&w);                    /* "\ud800" as UTF-8: a surrogate */
	jw_begin(&w, '[');
	jw_str(&w, "\xed\xa0\x80");
	jw_end(&w);
	assert_int_equal(jw_finish(&w, &out, &len), ST_NOMEM);
}

/* A record the engine writes reads back into jansson and dumps again to
 * the same bytes: keys in the order written, nothing jansson writes
 * otherwise. */
static void
records_are_jansson_canonical(void **state)
{
	struct form *f;
	struct interview *iv;
	char *rec, *again;
	size_t len;
	json_t *o;

	(void)state;
	assert_int_equal(form_load_file("tests/forms/valid/mini.yaml", &f, NULL), ST_OK);
	assert_int_equal(interview_start(f, NULL, &iv), ST_OK);
	assert_int_equal(interview_set_interviewer(iv, "sup"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "consent_interview", "yes"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "age", "15"), ST_OK);
	if (interview_answer_id(iv, "guardian", "ນາງ \"ແມ່\" \\ ໃຫຍ່") != ST_OK)
		fail_msg("%s", interview_error(iv));
	for (int done = 0; done < 2; done++) {
		assert_int_equal(interview_to_json(iv, &rec, &len), ST_OK);
		o = json_loadb(rec, len, JSON_REJECT_DUPLICATES, NULL);
		assert_non_null(o);
		again = json_dumps(o, JSON_COMPACT);
		assert_string_equal(rec, again);
		free(again);
		json_decref(o);
		interview_json_free(rec, len);
		assert_int_equal(interview_summary_json(iv, &rec, &len), ST_OK);
		o = json_loadb(rec, len, JSON_REJECT_DUPLICATES, NULL);
		again = json_dumps(o, JSON_COMPACT);
		assert_string_equal(rec, again);
		free(again);
		json_decref(o);
		interview_json_free(rec, len);
		if (done == 0)
			assert_int_equal(interview_stop(iv, "respondent_tired"), ST_OK);
	}
	interview_free(iv);
	form_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strings_as_jansson_writes_them),
		cmocka_unit_test(values_as_jansson_writes_them),
		cmocka_unit_test(failures_fail_the_whole_text),
		cmocka_unit_test(records_are_jansson_canonical),
	};

	if (crypto_init() != ST_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
