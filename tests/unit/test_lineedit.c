/* test_lineedit.c — the line editor: editing and cursor moves by grapheme
 * cluster (Lao, Thai, Chinese), and what fits in the field. */
#include "testutil.h"
#include "lineedit.h"

/* Lao ຜູ້ = PHO SUNG + vowel sign UU + tone mark MAI THO: one cluster. */
#define LAO_PHU "\xE0\xBA\x9C\xE0\xBA\xB9\xE0\xBB\x89"
/* Thai ที่ = THO THAHAN + SARA II + MAI EK; นี่ = NO NU + SARA II + MAI EK. */
#define THAI_THI "\xE0\xB8\x97\xE0\xB8\xB5\xE0\xB9\x88"
#define THAI_NI "\xE0\xB8\x99\xE0\xB8\xB5\xE0\xB9\x88"
#define ZH_ZHONG "\xE4\xB8\xAD"	/* 中 */
#define ZH_WEN "\xE6\x96\x87"	/* 文 */
#define DOTTED "\xE2\x97\x8C"
#define ACUTE "\xCC\x81"	/* U+0301 COMBINING ACUTE ACCENT */

static struct lineedit *
editor_with(const char *text)
{
	struct lineedit *le = lineedit_new(0);

	assert_non_null(le);
	assert_int_equal(lineedit_set_text(le, text, strlen(text)), ST_OK);
	return le;
}

static void
assert_text(struct lineedit *le, const char *want)
{
	size_t n;
	const char *buf = lineedit_buffer(le, &n);

	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
	assert_int_equal(buf[n], '\0');
}

/* Renders in `cols` columns and checks the text and cursor column. */
static void
assert_view(struct lineedit *le, int cols, const char *want, int col)
{
	struct lineedit_view v;

	assert_int_equal(lineedit_render(le, cols, &v), ST_OK);
	assert_string_equal(v.text, want);
	assert_int_equal(v.bytes, strlen(want));
	assert_int_equal(v.cursor_col, col);
}

static void
lao_cluster_is_one_unit(void **state)
{
	struct lineedit *le = editor_with(LAO_PHU);

	(void)state;
	assert_int_equal(lineedit_chars(le), 3);
	assert_int_equal(lineedit_cursor(le), 9);
	assert_true(lineedit_left(le));
	assert_int_equal(lineedit_cursor(le), 0);
	assert_false(lineedit_left(le));
	assert_true(lineedit_right(le));
	assert_int_equal(lineedit_cursor(le), 9);
	assert_view(le, 10, LAO_PHU "         ", 1);
	assert_true(lineedit_backspace(le));
	assert_text(le, "");
	assert_int_equal(lineedit_chars(le), 0);

	/* Delete removes the whole cluster under the cursor, marks included. */
	assert_int_equal(lineedit_set_text(le, "a" LAO_PHU "b", 11), ST_OK);
	lineedit_home(le);
	assert_true(lineedit_right(le));
	assert_int_equal(lineedit_cursor(le), 1);
	assert_true(lineedit_right(le));
	assert_int_equal(lineedit_cursor(le), 10);
	assert_true(lineedit_left(le));
	assert_true(lineedit_delete(le));
	assert_text(le, "ab");
	assert_int_equal(lineedit_chars(le), 2);
	lineedit_free(le);
}

static void
lao_typed_mark_by_mark_stays_intact(void **state)
{
	struct lineedit *le = lineedit_new(0);
	char *out;

	(void)state;
	/* An input method sends base and marks one code point at a time. */
	assert_int_equal(lineedit_insert_cp(le, 0x0E9C), ST_OK);
	assert_int_equal(lineedit_insert_cp(le, 0x0EB9), ST_OK);
	assert_int_equal(lineedit_insert_cp(le, 0x0EC9), ST_OK);
	assert_text(le, LAO_PHU);
	assert_int_equal(lineedit_cursor(le), 9);
	assert_int_equal(lineedit_text(le, &out, NULL), ST_OK);
	assert_string_equal(out, LAO_PHU);	/* NFC keeps the mark order */
	lineedit_text_free(out);
	lineedit_free(le);
}

static void
thai_backspace_removes_whole_cluster(void **state)
{
	struct lineedit *le = editor_with(THAI_THI THAI_NI);

	(void)state;
	assert_view(le, 10, THAI_THI THAI_NI "        ", 2);
	assert_true(lineedit_backspace(le));
	assert_text(le, THAI_THI);
	assert_int_equal(lineedit_chars(le), 3);
	assert_view(le, 10, THAI_THI "         ", 1);
	assert_true(lineedit_backspace(le));
	assert_text(le, "");
	assert_false(lineedit_backspace(le));
	lineedit_free(le);
}

static void
chinese_is_double_width(void **state)
{
	struct lineedit *le = editor_with(ZH_ZHONG ZH_WEN);

	(void)state;
	assert_view(le, 10, ZH_ZHONG ZH_WEN "      ", 4);
	assert_true(lineedit_left(le));
	assert_view(le, 10, ZH_ZHONG ZH_WEN "      ", 2);
	assert_true(lineedit_home(le));
	assert_view(le, 10, ZH_ZHONG ZH_WEN "      ", 0);
	assert_false(lineedit_home(le));

	/* Insert in the middle: the cursor lands after the new character. */
	assert_true(lineedit_right(le));
	assert_int_equal(lineedit_insert(le, "a", 1), ST_OK);
	assert_text(le, ZH_ZHONG "a" ZH_WEN);
	assert_view(le, 10, ZH_ZHONG "a" ZH_WEN "     ", 3);
	assert_true(lineedit_end(le));
	assert_true(lineedit_backspace(le));
	assert_view(le, 10, ZH_ZHONG "a       ", 3);
	lineedit_free(le);
}

static void
ascii_scrolls_by_a_third(void **state)
{
	struct lineedit *le = lineedit_new(0);
	struct lineedit_view v;

	(void)state;
	for (const char *p = "abcdefghi"; *p; p++)
		assert_int_equal(lineedit_insert(le, p, 1), ST_OK);
	/* Nine characters and the cursor cell fill a 10-column field. */
	assert_view(le, 10, "abcdefghi ", 9);
	assert_int_equal(lineedit_insert(le, "j", 1), ST_OK);
	assert_int_equal(lineedit_render(le, 10, &v), ST_OK);
	assert_string_equal(v.text, "efghij    ");
	assert_int_equal(v.cursor_col, 6);
	assert_true(v.more_left);
	assert_false(v.more_right);
	/* The next key does not scroll again. */
	assert_int_equal(lineedit_insert(le, "k", 1), ST_OK);
	assert_view(le, 10, "efghijk   ", 7);

	lineedit_home(le);
	assert_int_equal(lineedit_render(le, 10, &v), ST_OK);
	assert_string_equal(v.text, "abcdefghij");
	assert_int_equal(v.cursor_col, 0);
	assert_false(v.more_left);
	assert_true(v.more_right);
	lineedit_end(le);
	assert_view(le, 10, "fghijk    ", 6);
	lineedit_free(le);
}

static void
mixed_scripts_scroll_in_ten_columns(void **state)
{
	/* Widths 1 + 1 + 2 + 2 + 6 = 12 columns. */
	struct lineedit *le = editor_with(LAO_PHU THAI_THI ZH_ZHONG ZH_WEN "abcdef");
	struct lineedit_view v;

	(void)state;
	assert_view(le, 10, "abcdef    ", 6);
	lineedit_home(le);
	assert_int_equal(lineedit_render(le, 10, &v), ST_OK);
	assert_string_equal(v.text, LAO_PHU THAI_THI ZH_ZHONG ZH_WEN "abcd");
	assert_true(v.more_right);
	assert_int_equal(v.cursor_col, 0);
	/* Walk right: the Lao and Thai clusters are one column each. */
	lineedit_right(le);
	assert_view(le, 10, LAO_PHU THAI_THI ZH_ZHONG ZH_WEN "abcd", 1);
	lineedit_right(le);
	assert_view(le, 10, LAO_PHU THAI_THI ZH_ZHONG ZH_WEN "abcd", 2);
	lineedit_right(le);
	assert_view(le, 10, LAO_PHU THAI_THI ZH_ZHONG ZH_WEN "abcd", 4);
	for (int i = 0; i < 4; i++)
		lineedit_right(le);
	assert_view(le, 10, LAO_PHU THAI_THI ZH_ZHONG ZH_WEN "abcd", 9);
	/* Onto 'e' at column 10: the view jumps and starts on 文. */
	lineedit_right(le);
	assert_view(le, 10, ZH_WEN "abcdef  ", 6);
	lineedit_free(le);
}

static void
wide_char_at_right_edge_is_padded(void **state)
{
	struct lineedit *le = editor_with("abcdefghi" ZH_ZHONG);
	struct lineedit_view v;

	(void)state;
	lineedit_home(le);
	/* 中 would take columns 9-10 of a 10-column field: a space instead. */
	assert_int_equal(lineedit_render(le, 10, &v), ST_OK);
	assert_string_equal(v.text, "abcdefghi ");
	assert_true(v.more_right);
	for (int i = 0; i < 9; i++)
		lineedit_right(le);
	/* With the cursor on 中 the whole character is brought into view. */
	assert_view(le, 10, "efghi" ZH_ZHONG "   ", 5);

	/* One column is too narrow for 中: a space, cursor on it. */
	assert_view(le, 1, " ", 0);
	lineedit_free(le);
}

static void
left_edge_never_splits_wide_char(void **state)
{
	struct lineedit *le = editor_with("a" ZH_ZHONG ZH_WEN ZH_ZHONG ZH_WEN ZH_ZHONG ZH_WEN);
	struct lineedit_view v;

	(void)state;
	/* 13 columns in 9: a jump to column 8 would cut 文 (7-8); the view
	 * starts at the next character instead. */
	assert_int_equal(lineedit_render(le, 9, &v), ST_OK);
	assert_string_equal(v.text, ZH_ZHONG ZH_WEN "     ");
	assert_int_equal(v.cursor_col, 4);
	assert_true(v.more_left);
	lineedit_free(le);
}

static void
zero_width_clusters_are_visible(void **state)
{
	struct lineedit *le = editor_with(ACUTE "ab");

	(void)state;
	/* A mark without a base sits on a dotted circle. */
	assert_view(le, 6, DOTTED ACUTE "ab   ", 3);
	lineedit_home(le);
	/* Typing a base before it joins them; the cursor ends after both. */
	assert_int_equal(lineedit_insert(le, "e", 1), ST_OK);
	assert_int_equal(lineedit_cursor(le), 3);
	assert_view(le, 6, "e" ACUTE "ab   ", 1);
	assert_true(lineedit_left(le));
	assert_int_equal(lineedit_cursor(le), 0);

	/* A lone zero-width space is shown as the circle and not sent. */
	assert_int_equal(lineedit_set_text(le, "\xE2\x80\x8B", 3), ST_OK);
	assert_view(le, 4, DOTTED "   ", 1);
	lineedit_free(le);
}

static void
text_is_nfc(void **state)
{
	struct lineedit *le = lineedit_new(0);
	char *out;
	size_t n;

	(void)state;
	assert_int_equal(lineedit_insert(le, "e", 1), ST_OK);
	assert_int_equal(lineedit_insert_cp(le, 0x0301), ST_OK);
	/* e + acute is one cluster: one step left. */
	assert_true(lineedit_left(le));
	assert_int_equal(lineedit_cursor(le), 0);
	assert_int_equal(lineedit_text(le, &out, &n), ST_OK);
	assert_string_equal(out, "\xC3\xA9");	/* U+00E9 */
	assert_int_equal(n, 2);
	lineedit_text_free(out);

	/* The buffer keeps what was typed; only the output is normalised. */
	assert_text(le, "e" ACUTE);

	assert_int_equal(lineedit_set_text(le, "A\xCC\x8A" ZH_ZHONG, 6), ST_OK);
	assert_int_equal(lineedit_text(le, &out, &n), ST_OK);
	assert_string_equal(out, "\xC3\x85" ZH_ZHONG);	/* U+00C5 中 */
	lineedit_text_free(out);

	lineedit_clear(le);
	assert_int_equal(lineedit_text(le, &out, &n), ST_OK);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	lineedit_text_free(out);
	lineedit_free(le);
}

static void
invalid_input_rejected_whole(void **state)
{
	static const char *const bad[] = {
		"\xFF", "x\xC3", "\xC3\x28", "\xED\xA0\x80" /* surrogate */,
		"\xC0\xAF" /* overlong '/' */, "\xF4\x90\x80\x80" /* > U+10FFFF */,
	};
	static const char *const controls[] = {
		"a\tb", "\x1B[2J", "line\nbreak", "\x7F", "\xC2\x9B" /* C1 CSI */,
	};
	struct lineedit *le = editor_with("abc");

	(void)state;
	lineedit_left(le);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(lineedit_insert(le, bad[i], strlen(bad[i])), ST_INVALID);
		assert_text(le, "abc");
		assert_int_equal(lineedit_cursor(le), 2);
		assert_non_null(strstr(lineedit_errmsg(le), "UTF-8"));
		assert_int_equal(lineedit_set_text(le, bad[i], strlen(bad[i])), ST_INVALID);
		assert_text(le, "abc");
	}
	for (size_t i = 0; i < sizeof controls / sizeof *controls; i++) {
		assert_int_equal(lineedit_insert(le, controls[i], strlen(controls[i])), ST_INVALID);
		assert_text(le, "abc");
		assert_non_null(strstr(lineedit_errmsg(le), "control character"));
	}
	assert_int_equal(lineedit_insert_cp(le, 0xD800), ST_INVALID);
	assert_int_equal(lineedit_insert_cp(le, 0x110000), ST_INVALID);
	assert_int_equal(lineedit_insert_cp(le, 0x1B), ST_INVALID);
	assert_text(le, "abc");
	assert_int_equal(lineedit_chars(le), 3);
	assert_int_equal(lineedit_cursor(le), 2);
	lineedit_free(le);
}

static void
max_length_counts_code_points(void **state)
{
	struct lineedit *le = lineedit_new(5);

	(void)state;
	assert_int_equal(lineedit_max(le), 5);
	assert_int_equal(lineedit_insert(le, "abcd", 4), ST_OK);
	assert_int_equal(lineedit_insert(le, "ef", 2), ST_FULL);
	assert_text(le, "abcd");
	assert_non_null(strstr(lineedit_errmsg(le), "longer"));
	assert_int_equal(lineedit_insert(le, "e", 1), ST_OK);
	assert_int_equal(lineedit_insert_cp(le, 'f'), ST_FULL);
	assert_text(le, "abcde");
	assert_int_equal(lineedit_set_text(le, "abcdef", 6), ST_FULL);
	assert_text(le, "abcde");

	/* ຜູ້ is one cluster but three code points. */
	lineedit_set_max(le, 3);
	assert_int_equal(lineedit_set_text(le, LAO_PHU, 9), ST_OK);
	assert_int_equal(lineedit_insert(le, "a", 1), ST_FULL);
	assert_int_equal(lineedit_insert_cp(le, 0x4E2D), ST_FULL);
	assert_text(le, LAO_PHU);
	lineedit_free(le);

	le = lineedit_new(LINEEDIT_MAX_CHARS * 2);
	assert_int_equal(lineedit_max(le), LINEEDIT_MAX_CHARS);
	lineedit_free(le);
}

static void
kill_and_clear_wipe(void **state)
{
	struct lineedit *le = editor_with("hello world");
	const char *buf;
	size_t n;

	(void)state;
	lineedit_home(le);
	for (int i = 0; i < 5; i++)
		lineedit_right(le);
	assert_true(lineedit_kill_end(le));
	assert_text(le, "hello");
	assert_int_equal(lineedit_cursor(le), 5);
	assert_false(lineedit_kill_end(le));

	assert_int_equal(lineedit_set_text(le, "hello world", 11), ST_OK);
	lineedit_home(le);
	for (int i = 0; i < 6; i++)
		lineedit_right(le);
	assert_true(lineedit_kill_start(le));
	assert_text(le, "world");
	assert_int_equal(lineedit_cursor(le), 0);
	assert_false(lineedit_kill_start(le));
	assert_int_equal(lineedit_chars(le), 5);

	assert_int_equal(lineedit_set_text(le, "secret answer", 13), ST_OK);
	assert_true(lineedit_clear(le));
	assert_false(lineedit_clear(le));
	assert_int_equal(lineedit_chars(le), 0);
	assert_int_equal(lineedit_cursor(le), 0);
	/* No byte of the cleared answer remains in the buffer. */
	buf = lineedit_buffer(le, &n);
	assert_int_equal(n, 0);
	for (int i = 0; i < 13; i++)
		assert_int_equal(buf[i], 0);
	lineedit_free(le);
}

static void
growth_keeps_text(void **state)
{
	struct lineedit *le = lineedit_new(0);
	char *out;
	size_t n;

	(void)state;
	/* Far past the first allocation: every growth must copy intact. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(lineedit_insert(le, THAI_THI, 9), ST_OK);
	assert_int_equal(lineedit_chars(le), 3000);
	assert_int_equal(lineedit_text(le, &out, &n), ST_OK);
	assert_int_equal(n, 9000);
	for (int i = 0; i < 1000; i++)
		assert_memory_equal(out + 9 * i, THAI_THI, 9);
	lineedit_text_free(out);
	lineedit_free(le);
}

static void
word_motion(void **state)
{
	struct lineedit *le = editor_with("hello, world " LAO_PHU THAI_THI);

	(void)state;
	assert_true(lineedit_word_left(le));
	assert_int_equal(lineedit_cursor(le), 13);
	assert_true(lineedit_word_left(le));
	assert_int_equal(lineedit_cursor(le), 7);
	assert_true(lineedit_word_left(le));
	assert_int_equal(lineedit_cursor(le), 0);
	assert_false(lineedit_word_left(le));
	assert_true(lineedit_word_right(le));
	assert_int_equal(lineedit_cursor(le), 5);
	assert_true(lineedit_word_right(le));
	assert_int_equal(lineedit_cursor(le), 12);
	assert_true(lineedit_word_right(le));
	assert_int_equal(lineedit_cursor(le), 31);
	assert_false(lineedit_word_right(le));
	lineedit_free(le);
}

static void
masked_and_hidden_echo(void **state)
{
	struct lineedit *le = editor_with(LAO_PHU ZH_ZHONG "x");

	(void)state;
	lineedit_set_echo(le, LINEEDIT_ECHO_MASK);
	assert_view(le, 6, "***   ", 3);
	lineedit_set_echo(le, LINEEDIT_ECHO_OFF);
	assert_view(le, 6, "      ", 0);
	lineedit_set_echo(le, LINEEDIT_ECHO_ON);
	assert_view(le, 6, LAO_PHU ZH_ZHONG "x  ", 4);
	lineedit_free(le);
}

static void
render_rejects_empty_field(void **state)
{
	struct lineedit *le = editor_with("abc");
	struct lineedit_view v;

	(void)state;
	assert_int_equal(lineedit_render(le, 0, &v), ST_INVALID);
	assert_int_equal(lineedit_render(le, -3, &v), ST_INVALID);
	assert_null(v.text);
	lineedit_free(le);
	lineedit_free(NULL);
	lineedit_text_free(NULL);
}

/* A hidden entry (a passphrase) keeps one buffer from the start: typing a
 * long one never leaves copies of its beginning in freed memory. */
static void
hidden_entry_never_moves(void **state)
{
	struct lineedit *le = lineedit_new(1024);
	const char *first;

	(void)state;
	assert_non_null(le);
	lineedit_set_echo(le, LINEEDIT_ECHO_OFF);
	first = lineedit_buffer(le, NULL);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(lineedit_insert(le, i % 2 ? "x" : "\xe0\xba\x81", i % 2 ? 1 : 3),
		    ST_OK);
	assert_ptr_equal(lineedit_buffer(le, NULL), first);
	lineedit_free(le);
}

/* A wrapped field: rows break after a space, a word longer than the row
 * breaks between clusters, Chinese never splits, Up/Down keep the column,
 * Home/End stay on the row. */
static void
block_wraps_and_moves_by_rows(void **state)
{
	struct lineedit *le = editor_with("aaaa bbbb cc");
	struct lineedit_block b;

	(void)state;
	assert_false(lineedit_row_up(le));	/* no layout yet */
	assert_int_equal(lineedit_render_block(le, 6, 3, &b), ST_OK);
	assert_true(lineedit_wrapped(le));
	assert_string_equal(b.row[0], "aaaa  ");
	assert_string_equal(b.row[1], "bbbb  ");
	assert_string_equal(b.row[2], "cc    ");
	assert_int_equal(b.cursor_row, 2);
	assert_int_equal(b.cursor_col, 2);
	assert_int_equal(b.rows_used, 3);
	assert_int_equal(lineedit_render_block(le, 6, 5, &b), ST_OK);
	assert_int_equal(b.rows_used, 3);
	assert_true(lineedit_row_up(le));
	assert_int_equal(lineedit_cursor(le), 7);	/* "bb|bb" */
	assert_true(lineedit_row_end(le));
	assert_int_equal(lineedit_cursor(le), 9);	/* on row 2's break space */
	assert_true(lineedit_row_home(le));
	assert_int_equal(lineedit_cursor(le), 5);
	assert_true(lineedit_row_up(le));
	assert_int_equal(lineedit_cursor(le), 0);
	assert_false(lineedit_row_up(le));
	assert_true(lineedit_row_down(le));
	assert_true(lineedit_row_down(le));
	assert_false(lineedit_row_down(le));
	assert_int_equal(lineedit_cursor(le), 10);
	/* A one-line render forgets the rows. */
	assert_int_equal(lineedit_render(le, 20, &(struct lineedit_view){0}), ST_OK);
	assert_false(lineedit_wrapped(le));
	lineedit_free(le);

	le = editor_with("abcdefg" ZH_ZHONG ZH_WEN);
	assert_int_equal(lineedit_render_block(le, 4, 3, &b), ST_OK);
	assert_true(b.more_above);		/* four rows, cursor on the last */
	assert_false(b.more_below);
	assert_string_equal(b.row[0], "efg ");	/* 中 does not fit after efg */
	assert_string_equal(b.row[1], ZH_ZHONG ZH_WEN);
	assert_string_equal(b.row[2], "    ");	/* the full row's cursor row */
	assert_int_equal(b.cursor_row, 2);
	assert_int_equal(b.cursor_col, 0);
	lineedit_free(le);

	/* A full last row: the cursor at the end shows on a row of its own. */
	le = editor_with("abcd" LAO_PHU THAI_THI);
	assert_int_equal(lineedit_render_block(le, 6, 2, &b), ST_OK);
	assert_string_equal(b.row[0], "abcd" LAO_PHU THAI_THI);
	assert_string_equal(b.row[1], "      ");
	assert_int_equal(b.cursor_row, 1);
	assert_int_equal(b.cursor_col, 0);
	assert_true(lineedit_backspace(le));	/* the Thai cluster, whole */
	assert_text(le, "abcd" LAO_PHU);
	assert_int_equal(lineedit_render_block(le, 1, 2, &b), ST_INVALID);
	lineedit_free(le);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lao_cluster_is_one_unit),
		cmocka_unit_test(lao_typed_mark_by_mark_stays_intact),
		cmocka_unit_test(thai_backspace_removes_whole_cluster),
		cmocka_unit_test(chinese_is_double_width),
		cmocka_unit_test(ascii_scrolls_by_a_third),
		cmocka_unit_test(mixed_scripts_scroll_in_ten_columns),
		cmocka_unit_test(wide_char_at_right_edge_is_padded),
		cmocka_unit_test(left_edge_never_splits_wide_char),
		cmocka_unit_test(zero_width_clusters_are_visible),
		cmocka_unit_test(text_is_nfc),
		cmocka_unit_test(invalid_input_rejected_whole),
		cmocka_unit_test(max_length_counts_code_points),
		cmocka_unit_test(kill_and_clear_wipe),
		cmocka_unit_test(growth_keeps_text),
		cmocka_unit_test(word_motion),
		cmocka_unit_test(masked_and_hidden_echo),
		cmocka_unit_test(hidden_entry_never_moves),
		cmocka_unit_test(render_rejects_empty_field),
		cmocka_unit_test(block_wraps_and_moves_by_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
