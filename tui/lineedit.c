/*
 * lineedit.c — grapheme-aware line editor; see lineedit.h for the contract.
 *
 * Cluster boundaries are recomputed over the whole buffer (u8_grapheme_breaks)
 * after each change rather than looked up pairwise around the cursor: the
 * extended rules (regional-indicator pairs, emoji ZWJ sequences, Thai SARA AM
 * as a spacing mark) need context, and answers are at most a few kilobytes.
 */
#include "lineedit.h"

#include "crypto.h"

#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unigbrk.h>
#include <unilbrk.h>
#include <uninorm.h>
#include <unistr.h>
#include <uniwidth.h>

#define DOTTED_CIRCLE "\xE2\x97\x8C"	/* U+25CC, stands in for a base */

struct lineedit {
	char *buf;		/* cap bytes, buf[len] == '\0', tail zeroed */
	size_t len, cap;
	size_t cur;		/* byte offset on a cluster boundary */
	size_t nchars;		/* code points in buf */
	size_t max_chars;
	size_t scroll;		/* display column at the field's left edge */
	char *brk;		/* brk[i] != 0: a cluster starts at buf[i] */
	size_t brkcap;
	bool brk_valid;
	char *view;		/* lineedit_render() output */
	size_t viewcap;
	/* Wrapped layout of the last lineedit_render_block(): rows[i] is the
	 * byte offset where visual row i starts; wrap_cols 0 when there is
	 * none. lb holds the line-break opportunities (derived from the
	 * answer, so wiped like it). */
	size_t *rows;
	size_t nrows, rowcap;
	int wrap_cols;
	size_t vscroll;		/* first visual row shown */
	char *lb;
	size_t lbcap;
	enum lineedit_echo echo;
	bool secure;		/* buf is core's secure memory (a hidden entry) */
	const char *err;
};

static const char msg_utf8[] =
	"the text is not valid UTF-8 and was not inserted: set the terminal "
	"(or SSH client) character set to UTF-8";
static const char msg_control[] =
	"the text contains a control character (tab, escape, line break...) "
	"and was not inserted: type or paste plain text only";
static const char msg_full[] =
	"the answer would be longer than this question allows: shorten it";
static const char msg_nomem[] = "out of memory: the text was not inserted";

/* Wipe-then-free: answers must not linger in freed heap. */
static void
wipe_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	explicit_bzero(p, n);
	free(p);
}

/* Grows *p to at least `need` bytes by malloc + copy + wipe, never realloc. */
static bool
grow(char **p, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 64;
	char *np;

	if (need <= *cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	np = calloc(1, ncap);
	if (np == NULL)
		return false;
	if (*p != NULL) {
		memcpy(np, *p, *cap);
		wipe_free(*p, *cap);
	}
	*p = np;
	*cap = ncap;
	return true;
}

static size_t
clamp_max(size_t max_chars)
{
	if (max_chars == 0 || max_chars > LINEEDIT_MAX_CHARS)
		return LINEEDIT_MAX_CHARS;
	return max_chars;
}

struct lineedit *
lineedit_new(size_t max_chars)
{
	struct lineedit *le = calloc(1, sizeof *le);

	if (le == NULL)
		return NULL;
	if (!grow(&le->buf, &le->cap, 64)) {
		free(le);
		return NULL;
	}
	le->max_chars = clamp_max(max_chars);
	le->echo = LINEEDIT_ECHO_ON;
	le->err = "";
	return le;
}

void
lineedit_free(struct lineedit *le)
{
	if (le == NULL)
		return;
	if (le->secure)
		secure_free(le->buf);
	else
		wipe_free(le->buf, le->cap);
	wipe_free(le->brk, le->brkcap);
	wipe_free(le->view, le->viewcap);
	wipe_free(le->lb, le->lbcap);
	wipe_free(le->rows, le->rowcap * sizeof *le->rows);
	explicit_bzero(le, sizeof *le);
	free(le);
}

const char *
lineedit_errmsg(const struct lineedit *le)
{
	return le->err;
}

void
lineedit_set_max(struct lineedit *le, size_t max_chars)
{
	le->max_chars = clamp_max(max_chars);
	/* Secure memory never grows: the limit stays within it. */
	if (le->secure && le->max_chars > (le->cap - 1) / 4)
		le->max_chars = (le->cap - 1) / 4;
}

size_t
lineedit_max(const struct lineedit *le)
{
	return le->max_chars;
}

void
lineedit_set_echo(struct lineedit *le, enum lineedit_echo echo)
{
	size_t cap = le->max_chars * 4 + 1;
	char *p;

	if (cap < le->len + 1)
		cap = le->len + 1;
	le->echo = echo;
	/* Hidden text is a passphrase: it moves now, once, to core's secure
	 * memory (locked out of swap, never dumped) at its full size, so that
	 * it never moves again (grow() finds it large enough). Without secure
	 * memory it stays where it is, wiped all the same. */
	if (echo == LINEEDIT_ECHO_ON || le->secure || crypto_init() != ST_OK ||
	    (p = secure_alloc(cap)) == NULL)
		return;
	memset(p, 0, cap);
	memcpy(p, le->buf, le->len + 1);
	wipe_free(le->buf, le->cap);
	le->buf = p;
	le->cap = cap;
	le->secure = true;
}

const char *
lineedit_buffer(const struct lineedit *le, size_t *bytes)
{
	if (bytes)
		*bytes = le->len;
	return le->buf;
}

size_t
lineedit_cursor(const struct lineedit *le)
{
	return le->cur;
}

size_t
lineedit_chars(const struct lineedit *le)
{
	return le->nchars;
}

/* Cluster boundaries of the current buffer; false only when out of memory. */
static bool
breaks(struct lineedit *le)
{
	if (le->brk_valid)
		return true;
	if (!grow(&le->brk, &le->brkcap, le->len + 1))
		return false;
	if (le->len > 0)
		u8_grapheme_breaks((const uint8_t *)le->buf, le->len, le->brk);
	le->brk[le->len] = 1;
	le->brk_valid = true;
	return true;
}

/* Start of the cluster after the one at pos (len at the end). */
static size_t
next_boundary(const struct lineedit *le, size_t pos)
{
	if (pos >= le->len)
		return le->len;
	pos++;
	while (pos < le->len && !le->brk[pos])
		pos++;
	return pos;
}

/* Start of the cluster before pos (0 at the start). */
static size_t
prev_boundary(const struct lineedit *le, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && !le->brk[pos])
		pos--;
	return pos;
}

/*
 * After an edit, text on both sides of the cursor may have joined into one
 * cluster (a mark typed before a mark, a Hangul jamo between jamo): move the
 * cursor forward to the end of that cluster so it never stands inside one.
 * Without memory for the break table the cursor is left as it is; the next
 * successful call repairs it.
 */
static void
settle(struct lineedit *le)
{
	le->brk_valid = false;
	if (!breaks(le))
		return;
	while (le->cur < le->len && !le->brk[le->cur])
		le->cur++;
}

/* Counts code points of valid UTF-8, refusing control characters. */
static enum status
check_text(struct lineedit *le, const char *s, size_t len, size_t *nchars)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	size_t n = 0;
	ucs4_t uc;

	if (len > 0 && (s == NULL || u8_check(p, len) != NULL)) {
		le->err = msg_utf8;
		return ST_INVALID;
	}
	while (p < end) {
		p += u8_mbtouc_unsafe(&uc, p, (size_t)(end - p));
		if (uc_is_general_category(uc, UC_CATEGORY_Cc)) {
			le->err = msg_control;
			return ST_INVALID;
		}
		n++;
	}
	*nchars = n;
	return ST_OK;
}

enum status
lineedit_insert(struct lineedit *le, const char *utf8, size_t len)
{
	size_t n;
	enum status st = check_text(le, utf8, len, &n);

	if (st != ST_OK || len == 0)
		return st;
	if (n > le->max_chars || le->nchars > le->max_chars - n) {
		le->err = msg_full;
		return ST_FULL;
	}
	if (!grow(&le->buf, &le->cap, le->len + len + 1)) {
		le->err = msg_nomem;
		return ST_NOMEM;
	}
	memmove(le->buf + le->cur + len, le->buf + le->cur, le->len - le->cur);
	memcpy(le->buf + le->cur, utf8, len);
	le->len += len;
	le->buf[le->len] = '\0';
	le->cur += len;
	le->nchars += n;
	settle(le);
	return ST_OK;
}

enum status
lineedit_insert_cp(struct lineedit *le, uint32_t cp)
{
	uint8_t enc[6];
	int n = u8_uctomb(enc, (ucs4_t)cp, (int)sizeof enc);
	enum status st;

	if (n <= 0) {
		le->err = msg_utf8;
		return ST_INVALID;
	}
	st = lineedit_insert(le, (const char *)enc, (size_t)n);
	explicit_bzero(enc, sizeof enc);
	return st;
}

/* Removes buf[from, to) and wipes the vacated tail. */
static void
cut(struct lineedit *le, size_t from, size_t to)
{
	const uint8_t *p = (const uint8_t *)le->buf + from;

	le->nchars -= u8_mbsnlen(p, to - from);
	memmove(le->buf + from, le->buf + to, le->len - to);
	explicit_bzero(le->buf + le->len - (to - from), to - from);
	le->len -= to - from;
	if (le->cur >= to)
		le->cur -= to - from;
	else if (le->cur > from)
		le->cur = from;
	settle(le);
}

enum status
lineedit_set_text(struct lineedit *le, const char *utf8, size_t len)
{
	size_t n;
	enum status st = check_text(le, utf8, len, &n);

	if (st != ST_OK)
		return st;
	if (n > le->max_chars) {
		le->err = msg_full;
		return ST_FULL;
	}
	if (!grow(&le->buf, &le->cap, len + 1)) {
		le->err = msg_nomem;
		return ST_NOMEM;
	}
	explicit_bzero(le->buf, le->len);
	if (len > 0)
		memcpy(le->buf, utf8, len);
	le->buf[len] = '\0';
	le->len = len;
	le->cur = len;
	le->nchars = n;
	le->scroll = 0;
	settle(le);
	return ST_OK;
}

bool
lineedit_backspace(struct lineedit *le)
{
	size_t from;

	if (le->cur == 0 || !breaks(le))
		return false;
	from = prev_boundary(le, le->cur);
	cut(le, from, le->cur);
	return true;
}

bool
lineedit_delete(struct lineedit *le)
{
	if (le->cur >= le->len || !breaks(le))
		return false;
	cut(le, le->cur, next_boundary(le, le->cur));
	return true;
}

static bool
move_to(struct lineedit *le, size_t pos)
{
	if (pos == le->cur)
		return false;
	le->cur = pos;
	return true;
}

bool
lineedit_left(struct lineedit *le)
{
	if (!breaks(le))
		return false;
	return move_to(le, prev_boundary(le, le->cur));
}

bool
lineedit_right(struct lineedit *le)
{
	if (!breaks(le))
		return false;
	return move_to(le, next_boundary(le, le->cur));
}

bool
lineedit_home(struct lineedit *le)
{
	return move_to(le, 0);
}

bool
lineedit_end(struct lineedit *le)
{
	return move_to(le, le->len);
}

/* Whether the cluster at pos belongs to a word (letter or digit first). */
static bool
wordy(const struct lineedit *le, size_t pos)
{
	ucs4_t uc;

	u8_mbtouc_unsafe(&uc, (const uint8_t *)le->buf + pos, le->len - pos);
	return uc_is_alnum(uc);
}

bool
lineedit_word_left(struct lineedit *le)
{
	size_t pos = le->cur;

	if (!breaks(le))
		return false;
	while (pos > 0 && !wordy(le, prev_boundary(le, pos)))
		pos = prev_boundary(le, pos);
	while (pos > 0 && wordy(le, prev_boundary(le, pos)))
		pos = prev_boundary(le, pos);
	return move_to(le, pos);
}

bool
lineedit_word_right(struct lineedit *le)
{
	size_t pos = le->cur;

	if (!breaks(le))
		return false;
	while (pos < le->len && !wordy(le, pos))
		pos = next_boundary(le, pos);
	while (pos < le->len && wordy(le, pos))
		pos = next_boundary(le, pos);
	return move_to(le, pos);
}

bool
lineedit_kill_end(struct lineedit *le)
{
	if (le->cur >= le->len)
		return false;
	cut(le, le->cur, le->len);
	return true;
}

bool
lineedit_kill_start(struct lineedit *le)
{
	if (le->cur == 0)
		return false;
	cut(le, 0, le->cur);
	return true;
}

bool
lineedit_clear(struct lineedit *le)
{
	/* The rendered view holds a copy of the text: wipe it too, so a
	 * clear on lock leaves nothing of the answer behind. */
	if (le->view != NULL)
		explicit_bzero(le->view, le->viewcap);
	if (le->len == 0)
		return false;
	cut(le, 0, le->len);
	le->scroll = 0;
	return true;
}

enum status
lineedit_text(struct lineedit *le, char **out, size_t *outlen)
{
	/* NFC grows UTF-8 by at most a factor of 3 (UAX #15): with room for
	 * that, u8_normalize writes straight into our buffer and never leaves
	 * a reallocated copy of the answer behind. */
	size_t cap = 3 * le->len + 1, n = cap - 1;
	uint8_t *res, *dst = malloc(cap);

	*out = NULL;
	if (dst == NULL)
		return ST_NOMEM;
	res = u8_normalize(UNINORM_NFC, (const uint8_t *)le->buf, le->len, dst, &n);
	if (res == NULL) {
		wipe_free(dst, cap);
		return ST_NOMEM;
	}
	if (res != dst) {
		/* Unexpected for valid text, but handle it without leaking. */
		wipe_free(res, n);
		wipe_free(dst, cap);
		return ST_INTERNAL;
	}
	dst[n] = '\0';
	*out = (char *)dst;
	if (outlen)
		*outlen = n;
	return ST_OK;
}

void
lineedit_text_free(char *text)
{
	if (text != NULL)
		wipe_free(text, strlen(text));
}

/* Columns the terminal gives buf[a, b) (wcwidth semantics). */
static size_t
text_width(const struct lineedit *le, size_t a, size_t b)
{
	const uint8_t *p = (const uint8_t *)le->buf + a, *end = (const uint8_t *)le->buf + b;
	size_t w = 0;
	ucs4_t uc;
	int cw;

	while (p < end) {
		p += u8_mbtouc_unsafe(&uc, p, (size_t)(end - p));
		cw = uc_width(uc, "UTF-8");
		if (cw > 0)
			w += (size_t)cw;
	}
	return w;
}

/* Columns the cluster buf[a, b) occupies in the field. */
static size_t
cluster_cols(const struct lineedit *le, size_t a, size_t b)
{
	size_t w;

	if (le->echo == LINEEDIT_ECHO_MASK)
		return 1;
	w = text_width(le, a, b);
	return w > 0 ? w : 1;
}

/* Columns the field gives buf[a, b), a and b on cluster boundaries. */
static size_t
text_cols(const struct lineedit *le, size_t a, size_t b)
{
	size_t w = 0;

	while (a < b) {
		size_t next = next_boundary(le, a);

		w += cluster_cols(le, a, next);
		a = next;
	}
	return w;
}

/* Appends the cluster buf[a, b) as the field shows it. */
static size_t
put_cluster(const struct lineedit *le, char *dst, size_t a, size_t b)
{
	size_t n = 0;
	ucs4_t uc;

	if (le->echo == LINEEDIT_ECHO_MASK) {
		dst[0] = '*';
		return 1;
	}
	if (text_width(le, a, b) > 0) {
		memcpy(dst, le->buf + a, b - a);
		return b - a;
	}
	memcpy(dst, DOTTED_CIRCLE, sizeof DOTTED_CIRCLE - 1);
	n = sizeof DOTTED_CIRCLE - 1;
	/* Marks go on the dotted circle; a lone format character (bidi
	 * override, zero-width space) is not sent to the terminal at all. */
	u8_mbtouc_unsafe(&uc, (const uint8_t *)le->buf + a, b - a);
	if (uc_is_general_category(uc, UC_CATEGORY_M)) {
		memcpy(dst + n, le->buf + a, b - a);
		n += b - a;
	}
	return n;
}

/* Moves le->scroll so the cursor cell [cx, cx + cw) lies inside the field. */
static void
scroll_to(struct lineedit *le, size_t cols, size_t total, size_t cx, size_t cw)
{
	size_t margin = cols / 3, pos, x;

	if (cw > cols)
		cw = cols;
	if (total + 1 <= cols) {
		le->scroll = 0;
		return;
	}
	if (cx < le->scroll)
		le->scroll = cx > margin ? cx - margin : 0;
	else if (cx + cw > le->scroll + cols)
		le->scroll = cx + cw - cols + margin;
	if (le->scroll > cx)
		le->scroll = cx;
	/* Snap forward to a cluster start, so no wide character is cut at the
	 * left edge; the cursor's own cluster start bounds the search. */
	for (pos = 0, x = 0; pos < le->len && x < le->scroll;) {
		size_t next = next_boundary(le, pos);

		x += cluster_cols(le, pos, next);
		pos = next;
	}
	le->scroll = x;
}

enum status
lineedit_render(struct lineedit *le, int cols, struct lineedit_view *view)
{
	size_t ncols, total = 0, cx = 0, cw = 1, pos, x, n = 0, need;

	memset(view, 0, sizeof *view);
	if (cols < 1)
		return ST_INVALID;
	le->wrap_cols = 0;
	ncols = (size_t)cols;
	if (!breaks(le))
		return ST_NOMEM;
	/* Worst case per column: a dotted circle, or a cluster of any length. */
	need = le->len + 4 * ncols + 1;
	if (!grow(&le->view, &le->viewcap, need))
		return ST_NOMEM;
	explicit_bzero(le->view, le->viewcap);

	if (le->echo != LINEEDIT_ECHO_OFF) {
		for (pos = 0; pos < le->len;) {
			size_t next = next_boundary(le, pos);
			size_t w = cluster_cols(le, pos, next);

			if (pos == le->cur) {
				cx = total;
				cw = w;
			}
			total += w;
			pos = next;
		}
		if (le->cur == le->len)
			cx = total;
		scroll_to(le, ncols, total, cx, cw);

		for (pos = 0, x = 0; pos < le->len;) {
			size_t next = next_boundary(le, pos);
			size_t w = cluster_cols(le, pos, next);

			if (x >= le->scroll + ncols) {
				view->more_right = true;
				break;
			}
			if (x >= le->scroll) {
				if (x + w > le->scroll + ncols) {
					/* A wide character cut by the right edge. */
					view->more_right = true;
					break;
				}
				n += put_cluster(le, le->view + n, pos, next);
			}
			x += w;
			pos = next;
		}
		view->more_left = le->scroll > 0;
		view->cursor_col = (int)(cx - le->scroll);
		x = (x > le->scroll ? x - le->scroll : 0);
	} else {
		le->scroll = 0;
		x = 0;
	}
	for (; x < ncols; x++)
		le->view[n++] = ' ';
	le->view[n] = '\0';
	view->text = le->view;
	view->bytes = n;
	return ST_OK;
}

/* ---- wrapped fields ---- */

/* Doubles the room for row starts (room for at least 16). */
static bool
grow_rows(struct lineedit *le)
{
	size_t ncap = le->rowcap ? 2 * le->rowcap : 16;
	size_t *rows = calloc(ncap, sizeof *rows);

	if (rows == NULL)
		return false;
	if (le->rows != NULL) {
		memcpy(rows, le->rows, le->rowcap * sizeof *rows);
		wipe_free(le->rows, le->rowcap * sizeof *rows);
	}
	le->rows = rows;
	le->rowcap = ncap;
	return true;
}

/* Lays the text out in rows of cols columns (le->rows, le->nrows). */
static bool
layout(struct lineedit *le, size_t cols)
{
	size_t start = 0, pos, x, last_break, n = 0;

	if (!grow(&le->lb, &le->lbcap, le->len + 1))
		return false;
	if (le->len > 0)
		u8_possible_linebreaks((const uint8_t *)le->buf, le->len, "UTF-8", le->lb);
	for (;;) {
		size_t full = 0;

		if (n + 2 > le->rowcap && !grow_rows(le))
			return false;
		le->rows[n++] = start;
		x = 0;
		last_break = 0;
		for (pos = start; pos < le->len;) {
			size_t next = next_boundary(le, pos);
			size_t w = cluster_cols(le, pos, next);

			if (pos > start && le->lb[pos] == UC_BREAK_POSSIBLE)
				last_break = pos;
			if (x + w > cols)
				break;
			x += w;
			pos = next;
		}
		if (pos >= le->len) {
			full = x >= cols;
			if (full && le->len > 0)
				le->rows[n++] = le->len;	/* the cursor's row */
			break;
		}
		if (last_break > start)
			pos = last_break;
		if (pos == start)
			pos = next_boundary(le, start);	/* wider than the row */
		start = pos;
	}
	le->nrows = n;
	le->wrap_cols = (int)cols;
	return true;
}

/* The visual row of byte offset pos. */
static size_t
row_of(const struct lineedit *le, size_t pos)
{
	size_t r = 0;

	while (r + 1 < le->nrows && le->rows[r + 1] <= pos)
		r++;
	return r;
}

/* End of visual row r: the next row's start, or the text's end. */
static size_t
row_end(const struct lineedit *le, size_t r)
{
	return r + 1 < le->nrows ? le->rows[r + 1] : le->len;
}

/* The offset in row r nearest column col from the row's start, staying in
 * the row (the last row may end at the text's end). */
static size_t
row_at_col(const struct lineedit *le, size_t r, size_t col)
{
	size_t pos = le->rows[r], end = row_end(le, r), x = 0;

	while (pos < end) {
		size_t next = next_boundary(le, pos), w = cluster_cols(le, pos, next);

		if (x + w > col)
			break;
		x += w;
		pos = next;
	}
	if (pos == end && r + 1 < le->nrows && pos > le->rows[r])
		pos = prev_boundary(le, pos);
	return pos;
}

bool
lineedit_wrapped(const struct lineedit *le)
{
	return le->wrap_cols > 0;
}

/* The layout of the last block render, redone for the text as it is now
 * (an edit since then moves rows). */
static bool
relayout(struct lineedit *le)
{
	return le->wrap_cols > 0 && breaks(le) && layout(le, (size_t)le->wrap_cols);
}

bool
lineedit_row_up(struct lineedit *le)
{
	size_t r;

	if (!relayout(le) || (r = row_of(le, le->cur)) == 0)
		return false;
	return move_to(le, row_at_col(le, r - 1, text_cols(le, le->rows[r], le->cur)));
}

bool
lineedit_row_down(struct lineedit *le)
{
	size_t r;

	if (!relayout(le) || (r = row_of(le, le->cur)) + 1 >= le->nrows)
		return false;
	return move_to(le, row_at_col(le, r + 1, text_cols(le, le->rows[r], le->cur)));
}

bool
lineedit_row_home(struct lineedit *le)
{
	if (!relayout(le))
		return false;
	return move_to(le, le->rows[row_of(le, le->cur)]);
}

bool
lineedit_row_end(struct lineedit *le)
{
	size_t r, end;

	if (!relayout(le))
		return false;
	r = row_of(le, le->cur);
	end = row_end(le, r);
	if (r + 1 < le->nrows && end > le->rows[r])
		end = prev_boundary(le, end);
	return move_to(le, end);
}

enum status
lineedit_render_block(struct lineedit *le, int cols, int rows, struct lineedit_block *view)
{
	size_t crow, n = 0, need;

	memset(view, 0, sizeof *view);
	if (cols < 2 || rows < 1 || rows > LINEEDIT_ROWS_MAX)
		return ST_INVALID;
	if (!breaks(le) || !layout(le, (size_t)cols))
		return ST_NOMEM;
	/* Per row: its clusters, a dotted circle for each zero-width one, the
	 * padding and the NUL. */
	need = le->len + (size_t)rows * (4 * (size_t)cols + 1) + 1;
	if (!grow(&le->view, &le->viewcap, need))
		return ST_NOMEM;
	explicit_bzero(le->view, le->viewcap);

	crow = row_of(le, le->cur);
	if (crow < le->vscroll)
		le->vscroll = crow;
	if (crow >= le->vscroll + (size_t)rows)
		le->vscroll = crow - (size_t)rows + 1;
	if (le->vscroll > 0 && le->nrows < le->vscroll + (size_t)rows)
		le->vscroll = le->nrows > (size_t)rows ? le->nrows - (size_t)rows : 0;
	for (int i = 0; i < rows; i++) {
		size_t r = le->vscroll + (size_t)i, x = 0;

		view->row[i] = le->view + n;
		if (r < le->nrows) {
			for (size_t pos = le->rows[r]; pos < row_end(le, r);) {
				size_t next = next_boundary(le, pos), w = cluster_cols(le, pos, next);

				if (x + w > (size_t)cols)
					break;	/* a cluster wider than the row */
				n += put_cluster(le, le->view + n, pos, next);
				x += w;
				pos = next;
			}
		}
		for (; x < (size_t)cols; x++)
			le->view[n++] = ' ';
		le->view[n++] = '\0';
	}
	view->cursor_row = (int)(crow - le->vscroll);
	view->cursor_col = (int)text_cols(le, le->rows[crow], le->cur);
	if (view->cursor_col >= cols)
		view->cursor_col = cols - 1;
	view->rows_used = le->nrows - le->vscroll < (size_t)rows ?
	    (int)(le->nrows - le->vscroll) : rows;
	view->more_above = le->vscroll > 0;
	view->more_below = le->nrows > le->vscroll + (size_t)rows;
	return ST_OK;
}
