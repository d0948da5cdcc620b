/*
 * fuzz_keys — raw terminal bytes through the key decoder into a line editor,
 * the way the TUI wires them. Checks after every event:
 *   - a K_CHAR is always insertable text (never a control, never invalid);
 *   - the editor's buffer is valid UTF-8 without control characters, its
 *     counters match it and the cursor sits on a cluster boundary;
 *   - the rendered field is exactly as wide as asked, cursor inside it;
 *   - NFC output is valid UTF-8; invalid chunks leave the buffer unchanged.
 *
 * Input: byte 0 picks the read size and the field width, byte 1 the length
 * limit; the rest is what the terminal sent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unigbrk.h>
#include <unistr.h>
#include <uniwidth.h>

#include "keys.h"
#include "lineedit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_editor(struct lineedit *le)
{
	size_t len, cur = lineedit_cursor(le), i;
	const uint8_t *buf = (const uint8_t *)lineedit_buffer(le, &len);
	const uint8_t *p;
	char *brk;
	ucs4_t uc;

	if (u8_check(buf, len) != NULL || buf[len] != '\0' ||
	    strlen((const char *)buf) != len || cur > len ||
	    u8_mbsnlen(buf, len) != lineedit_chars(le))
		abort();
	for (p = buf; p < buf + len;) {
		p += u8_mbtouc_unsafe(&uc, p, (size_t)(buf + len - p));
		if (uc_is_general_category(uc, UC_CATEGORY_Cc))
			abort();
	}
	if (cur > 0 && cur < len) {
		brk = malloc(len);
		if (brk == NULL)
			abort();
		u8_grapheme_breaks(buf, len, brk);
		i = brk[cur];
		free(brk);
		if (!i)
			abort();
	}
}

static void
check_render(struct lineedit *le, int cols)
{
	struct lineedit_view v;

	if (lineedit_render(le, cols, &v) != ST_OK)
		abort();
	if (v.bytes != strlen(v.text) || u8_check((const uint8_t *)v.text, v.bytes) ||
	    u8_width((const uint8_t *)v.text, v.bytes, "UTF-8") != cols ||
	    v.cursor_col < 0 || v.cursor_col >= cols)
		abort();
}

static void
check_text(struct lineedit *le)
{
	char *out;
	size_t n;

	if (lineedit_text(le, &out, &n) != ST_OK)
		abort();
	if (strlen(out) != n || u8_check((const uint8_t *)out, n) != NULL)
		abort();
	lineedit_text_free(out);
}

/* Offers raw bytes as a paste: accepted only when they are clean text. */
static void
paste(struct lineedit *le, const uint8_t *s, size_t n)
{
	size_t before_len, after_len;
	const char *before = lineedit_buffer(le, &before_len);
	char *copy = malloc(before_len + 1);
	size_t cur = lineedit_cursor(le);
	enum status st;

	if (copy == NULL)
		abort();
	memcpy(copy, before, before_len + 1);
	st = lineedit_insert(le, (const char *)s, n);
	if (u8_check(s, n) != NULL && st != ST_INVALID)
		abort();
	if (st != ST_OK) {
		const char *after = lineedit_buffer(le, &after_len);

		if (after_len != before_len || memcmp(after, copy, before_len) != 0 ||
		    lineedit_cursor(le) != cur)
			abort();
	}
	free(copy);
}

static void
apply(struct lineedit *le, const struct key_event *ev, int cols)
{
	enum status st;

	if ((unsigned)ev->key >= K__COUNT)
		abort();
	switch (keys_action(KCTX_EDIT, ev)) {
	case ACT_LEFT: lineedit_left(le); break;
	case ACT_RIGHT: lineedit_right(le); break;
	case ACT_HOME: lineedit_home(le); break;
	case ACT_END: lineedit_end(le); break;
	case ACT_WORD_LEFT: lineedit_word_left(le); break;
	case ACT_WORD_RIGHT: lineedit_word_right(le); break;
	case ACT_BACKSPACE: lineedit_backspace(le); break;
	case ACT_DELETE: lineedit_delete(le); break;
	case ACT_KILL_END: lineedit_kill_end(le); break;
	case ACT_KILL_START: lineedit_kill_start(le); break;
	case ACT_CANCEL: lineedit_clear(le); break;
	case ACT_SUBMIT: check_text(le); break;
	case ACT_NEXT: lineedit_set_echo(le, LINEEDIT_ECHO_MASK); break;
	case ACT_PREV: lineedit_set_echo(le, LINEEDIT_ECHO_ON); break;
	case ACT_UP: check_render(le, 1); break;
	case ACT_NONE:
		if (ev->key == K_CHAR) {
			if (ev->cp < 0x20 || (ev->cp >= 0x7f && ev->cp <= 0x9f) ||
			    ev->cp > 0x10ffff || (ev->cp >= 0xd800 && ev->cp <= 0xdfff))
				abort();
			if (ev->mods != 0)
				break;	/* Alt-letter: a command, not text */
			st = lineedit_insert_cp(le, ev->cp);
			if (st != ST_OK && st != ST_FULL)
				abort();
		}
		break;
	default:
		break;
	}
	check_editor(le);
	check_render(le, cols);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keys *k;
	struct lineedit *le;
	struct key_event ev;
	size_t chunk, pos, off;
	int cols;

	if (size < 2)
		return 0;
	chunk = (size_t)(data[0] & 0x0f) + 1;
	cols = (data[0] >> 4) * 3 + 1;
	k = keys_new();
	le = lineedit_new(data[1] & 1 ? (size_t)(data[1] >> 1) : 0);
	if (k == NULL || le == NULL)
		abort();
	data += 2;
	size -= 2;
	for (pos = 0; pos < size; pos += chunk) {
		size_t n = size - pos < chunk ? size - pos : chunk;

		off = 0;
		while (keys_decode(k, data + pos, n, &off, &ev))
			apply(le, &ev, cols);
		if (off != n)
			abort();
		/* Every 8th read times out, as a slow link would. */
		if ((pos / chunk) % 8 == 7 && keys_pending(k) && keys_flush(k, &ev))
			apply(le, &ev, cols);
	}
	if (keys_flush(k, &ev))
		apply(le, &ev, cols);
	if (keys_pending(k))
		abort();
	paste(le, data, size < 64 ? size : 64);
	check_editor(le);
	check_render(le, cols);
	check_text(le);
	lineedit_free(le);
	keys_free(k);
	return 0;
}
