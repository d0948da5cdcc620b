/* test_linebreak.c — wrapping by words: the Lao and Thai texts of the
 * bundled forms never break inside a word ICU keeps whole, at several
 * widths; Chinese punctuation never begins a line; a word wider than the
 * line breaks between clusters; nothing is lost. */
#include "testutil.h"
#include <unigbrk.h>
#include <unistr.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include "form.h"
#include "linebreak.h"

static const char *const bundled[] = {
	"forms/screening.yaml", "forms/screening-short.yaml",
};
static const int widths[] = { 14, 20, 27, 33, 40, 52, 61, 76 };

struct got {
	int n;
	size_t start[512], len[512];
	const char *base;
};

static void
keep_line(void *ctx, int n, const char *start, size_t bytes)
{
	struct got *g = ctx;

	assert_int_equal(n, g->n);
	assert_true(n < 512);
	g->start[n] = (size_t)(start - g->base);
	g->len[n] = bytes;
	g->n++;
}

static int
width_of(const char *s, size_t len)
{
	int w = 0;
	const char *p = s, *end = s + len, *next;

	for (; p < end; p = next) {
		next = (const char *)u8_grapheme_next((const uint8_t *)p, (const uint8_t *)end);
		w += linebreak_cluster_width(p, next);
	}
	return w;
}

/* The reference: ICU's own line breaks of s, straight from its API (not
 * through the module under test), as byte offsets into brk. */
static void
icu_breaks(const char *s, size_t len, char *brk)
{
	UErrorCode e = U_ZERO_ERROR;
	UChar *u = calloc(len + 1, sizeof *u);
	int32_t n = 0, b;
	UBreakIterator *it;

	assert_non_null(u);
	memset(brk, 0, len + 1);
	u_strFromUTF8(u, (int32_t)len + 1, &n, s, (int32_t)len, &e);
	assert_false(U_FAILURE(e));
	it = ubrk_open(UBRK_LINE, "", u, n, &e);
	assert_false(U_FAILURE(e));
	for (b = ubrk_first(it); (b = ubrk_next(it)) != UBRK_DONE;) {
		int32_t bytes = 0;
		UErrorCode e2 = U_ZERO_ERROR;

		u_strToUTF8(NULL, 0, &bytes, u, b, &e2);
		if ((size_t)bytes < len)
			brk[bytes] = 1;
	}
	ubrk_close(it);
	free(u);
}

/*
 * Wraps s at width w and checks every line: it fits (or is one cluster),
 * it starts on a grapheme boundary, and it starts where ICU allows a break
 * unless the word it cuts (from the opportunity before to the one after,
 * its trailing spaces left out) is wider than the line. Between two lines
 * only spaces or a newline are left out. Returns the number of lines.
 */
static int
check_wrap(struct linebreak *lb, const char *s, int w)
{
	size_t len = strlen(s);
	char *brk = malloc(len + 1), *gb = malloc(len + 1);
	struct got *g = calloc(1, sizeof *g);
	int n;

	assert_non_null(brk);
	assert_non_null(gb);
	assert_non_null(g);
	g->base = s;
	icu_breaks(s, len, brk);
	u8_grapheme_breaks((const uint8_t *)s, len, gb);
	n = linebreak_wrap(lb, s, w, keep_line, g);
	assert_int_equal(n, g->n);
	for (int i = 0; i < g->n; i++) {
		size_t o = g->start[i], gap;
		int lw = width_of(s + o, g->len[i]);

		/* Wider than the line only when it is one cluster. */
		if (lw > w)
			assert_int_equal(g->len[i], (size_t)((const char *)u8_grapheme_next(
			    (const uint8_t *)s + o, (const uint8_t *)s + len) - (s + o)));
		if (i == 0) {
			assert_int_equal(o, 0);
			continue;
		}
		gap = g->start[i - 1] + g->len[i - 1];
		for (size_t k = gap; k < o; k++)
			if (s[k] != ' ' && s[k] != '\n')
				fail_msg("text lost between lines %d and %d of \"%s\" at width %d",
				    i - 1, i, s, w);
		assert_true(o == 0 || gb[o]);
		if (brk[o] || s[o - 1] == '\n' || s[o - 1] == ' ')
			continue;
		{
			/* Inside a word: only when that word is wider than the line. */
			size_t a = o, b = o;
			int ww;

			while (a > 0 && !brk[a])
				a--;
			while (b < len && !brk[b])
				b++;
			while (b > a && s[b - 1] == ' ')
				b--;
			ww = width_of(s + a, b - a);
			if (ww <= w)
				fail_msg("line %d of \"%s\" at width %d starts inside the word "
				    "\"%.*s\" (%d columns)", i, s, w, (int)(b - a), s + a, ww);
		}
	}
	free(brk);
	free(gb);
	free(g);
	return n;
}

/* Every text of the forms' language `code`: labels, hints, choices. */
static size_t
check_form_texts(struct linebreak *lb, const char *path, const char *code)
{
	struct form *f = NULL;
	size_t checked = 0;
	int lang;

	assert_int_equal(form_load_file(path, &f, NULL), ST_OK);
	lang = form_lang_find(f, code);
	assert_true(lang >= 0);
	for (size_t q = 0; q < form_question_count(f); q++) {
		const char *texts[2] = { form_question_label(f, q, (size_t)lang),
			form_question_hint(f, q, (size_t)lang) };
		int list = form_question_choices(f, q);

		for (size_t t = 0; t < 2; t++) {
			if (texts[t] == NULL)
				continue;
			for (size_t k = 0; k < sizeof widths / sizeof *widths; k++)
				check_wrap(lb, texts[t], widths[k]);
			checked++;
		}
		for (size_t c = 0; list >= 0 && c < form_choice_count(f, (size_t)list); c++) {
			for (size_t k = 0; k < sizeof widths / sizeof *widths; k++)
				check_wrap(lb, form_choice_label(f, (size_t)list, c, (size_t)lang),
				    widths[k]);
			checked++;
		}
	}
	form_free(f);
	return checked;
}

static void
test_icu_in_use(void **state)
{
	struct linebreak *lb = linebreak_new("");

	(void)state;
	assert_non_null(lb);
	assert_true(linebreak_uses_icu(lb));
	linebreak_free(lb);
}

/* ຖ້າທ່ານຕ້ອງການ: three words, "if", "you", "want"; วันนี้อากาศดี likewise. */
static void
test_lao_thai_words(void **state)
{
	static const char lao[] = "ຖ້າທ່ານຕ້ອງການຄວາມຊ່ວຍເຫຼືອ";
	static const char thai[] = "มีเพียงล่ามเจ้าหน้าที่";
	struct linebreak *lb = linebreak_new("");
	char brk[sizeof lao];

	(void)state;
	assert_int_equal(linebreak_find(lb, lao, strlen(lao), brk), ST_OK);
	/* Before ທ່ານ (byte 9) and ຕ້ອງການ (byte 21); none inside ທ່ານ. */
	assert_true(brk[9]);
	assert_true(brk[21]);
	for (size_t i = 10; i < 21; i++)
		assert_false(brk[i]);
	assert_int_equal(linebreak_find(lb, thai, strlen(thai), brk), ST_OK);
	assert_true(brk[6]);            /* มี|เพียง */
	assert_false(brk[3]);
	linebreak_free(lb);
}

static void
test_forms_lao(void **state)
{
	struct linebreak *lb = linebreak_new("");
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof bundled / sizeof *bundled; i++)
		n += check_form_texts(lb, bundled[i], "lo");
	assert_true(n > 100);
	linebreak_free(lb);
}

static void
test_forms_thai(void **state)
{
	struct linebreak *lb = linebreak_new("");
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof bundled / sizeof *bundled; i++)
		n += check_form_texts(lb, bundled[i], "th");
	assert_true(n > 100);
	linebreak_free(lb);
}

/* No line of Chinese starts with closing punctuation, at any width where
 * the text's longest unbreakable run ("「监护人」。", 12 columns) fits. */
static void
check_no_leading_punct(struct linebreak *lb, const char *s)
{
	static const char *const closing[] = { "。", "，", "、", "）", "」", "』", "！",
		"？", "：", "；", "”", "》", "…" };
	struct got *g = calloc(1, sizeof *g);

	assert_non_null(g);
	for (int w = 12; w <= 40; w++) {
		memset(g, 0, sizeof *g);
		g->base = s;
		linebreak_wrap(lb, s, w, keep_line, g);
		for (int i = 1; i < g->n; i++)
			for (size_t k = 0; k < sizeof closing / sizeof *closing; k++)
				if (strncmp(s + g->start[i], closing[k], strlen(closing[k])) == 0)
					fail_msg("at width %d line %d of \"%s\" starts with %s", w, i,
					    s, closing[k]);
		check_wrap(lb, s, w);
	}
	free(g);
}

static void
test_chinese_punctuation(void **state)
{
	struct linebreak *lb = linebreak_new("");
	struct form *f = NULL;
	int lang;

	(void)state;
	check_no_leading_punct(lb, "只有可信任的翻译、援助工作人员，或受访者（自己）选择的"
	    "「监护人」。是吗？对！注意：不要；『好』《书》……完。");
	assert_int_equal(form_load_file("forms/screening.yaml", &f, NULL), ST_OK);
	lang = form_lang_find(f, "zh");
	assert_true(lang >= 0);
	for (size_t q = 0; q < form_question_count(f); q++) {
		check_no_leading_punct(lb, form_question_label(f, q, (size_t)lang));
		if (form_question_hint(f, q, (size_t)lang) != NULL)
			check_no_leading_punct(lb, form_question_hint(f, q, (size_t)lang));
	}
	form_free(f);
	linebreak_free(lb);
}

/* A word wider than the line breaks between clusters: ຜູ້ (three code
 * points, one column) is never split. */
static void
test_long_word_by_cluster(void **state)
{
	static const char word[] = "ຜູ້ຜູ້ຜູ້ຜູ້ຜູ້ຜູ້ຜູ້";
	struct linebreak *lb = linebreak_new("");
	struct got g = { 0 };

	(void)state;
	g.base = word;
	assert_int_equal(linebreak_wrap(lb, word, 3, keep_line, &g), 3);
	assert_int_equal(g.len[0], 27);
	assert_int_equal(g.len[2], 9);
	assert_int_equal(linebreak_wrap(lb, "中文", 1, NULL, NULL), 2);    /* wider than w: alone */
	assert_int_equal(linebreak_wrap(lb, "", 10, NULL, NULL), 0);
	assert_int_equal(linebreak_wrap(lb, "a b", 0, NULL, NULL), 0);
	linebreak_free(lb);
}

/* English as before: at spaces, and a trailing space makes no empty line. */
static void
test_english(void **state)
{
	struct linebreak *lb = linebreak_new("");
	struct got g = { 0 };

	(void)state;
	g.base = "hello world again ";
	assert_int_equal(linebreak_wrap(lb, g.base, 11, keep_line, &g), 2);
	assert_int_equal(g.len[0], 11);         /* "hello world", as wide as the line */
	assert_int_equal(g.start[1], 12);
	assert_int_equal(linebreak_wrap(lb, "hello ", 5, NULL, NULL), 1);
	assert_int_equal(linebreak_wrap(lb, "one\ntwo", 40, NULL, NULL), 2);
	assert_int_equal(linebreak_wrap(NULL, "hello world", 5, NULL, NULL), 2);
	linebreak_free(lb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icu_in_use),
		cmocka_unit_test(test_lao_thai_words),
		cmocka_unit_test(test_forms_lao),
		cmocka_unit_test(test_forms_thai),
		cmocka_unit_test(test_chinese_punctuation),
		cmocka_unit_test(test_long_word_by_cluster),
		cmocka_unit_test(test_english),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
