/*
 * lineedit.h — a one-line text editor for answers in any script.
 *
 * Intake edits answers itself instead of using libform, whose wide-character
 * mode drops and reorders combining marks (Lao ຜູ້ and Thai ที่ come back
 * corrupted). This module never draws: lineedit_render() returns the visible
 * text and the cursor column, the TUI paints them and the tests check them.
 *
 * Model
 *   - The buffer is valid UTF-8 without control characters (Unicode category
 *     Cc: C0, DEL, C1). Anything else offered to it is refused whole, with a
 *     status and a message; the buffer is then unchanged.
 *   - The cursor is a byte offset that always sits on a grapheme-cluster
 *     boundary (UAX #29 extended clusters, libunistring): a base character
 *     and its combining marks move and delete as one unit.
 *   - Length limit: max_chars counts Unicode code points of the text as
 *     typed. For Lao, Thai and Chinese typed text this is also the NFC length;
 *     composing Latin input can only shrink under NFC. Counting code points
 *     rather than clusters keeps a cluster of stacked marks from slipping an
 *     unbounded number of bytes past the limit, and matches string-length()
 *     in form expressions.
 *   - Widths follow wcwidth semantics (uc_width with the UTF-8 encoding): Han
 *     characters take two columns, combining marks none. A cluster that would
 *     be zero columns wide (a mark with no base, a lone format character) is
 *     shown as U+25CC DOTTED CIRCLE, one column, so every cluster the cursor
 *     can stand on is visible.
 *
 * Secrets: answers are sensitive. Every byte the editor drops (deletion, kill,
 * buffer growth, free) is overwritten with explicit_bzero; buffers grow by
 * malloc + copy + wipe, never realloc. Text handed out by lineedit_text() is
 * the caller's to wipe with lineedit_text_free().
 *
 * Not thread-safe; one editor per field or per screen.
 */
#ifndef INTAKE_LINEEDIT_H
#define INTAKE_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Hard ceiling on max_chars, and what max_chars == 0 means. */
#define LINEEDIT_MAX_CHARS 65536

struct lineedit;

enum lineedit_echo {
	LINEEDIT_ECHO_ON,	/* show the text */
	LINEEDIT_ECHO_MASK,	/* one '*' per cluster (passphrase with feedback) */
	LINEEDIT_ECHO_OFF	/* show nothing, cursor stays at column 0 */
};

/* What lineedit_render() hands back. */
struct lineedit_view {
	/* UTF-8, NUL-terminated, exactly `cols` display columns wide (padded
	 * with spaces); owned by the editor, valid until the next call on it. */
	const char *text;
	size_t bytes;		/* strlen(text) */
	int cursor_col;		/* 0 .. cols-1, in display columns */
	bool more_left;		/* text hidden left of the field */
	bool more_right;	/* text hidden right of the field */
};

/* New empty editor; max_chars 0 means LINEEDIT_MAX_CHARS, larger values are
 * clamped to it. NULL when out of memory. */
struct lineedit *lineedit_new(size_t max_chars);

/* Wipes every buffer and frees the editor. NULL is fine. */
void lineedit_free(struct lineedit *le);

/* Message for the last refused call ("" if none): what happened and what the
 * user can do. Static string. */
const char *lineedit_errmsg(const struct lineedit *le);

/* Changes the limit. Text already longer than the new limit is kept; further
 * insertions are refused until it is short enough. */
void lineedit_set_max(struct lineedit *le, size_t max_chars);
size_t lineedit_max(const struct lineedit *le);

/* A hidden echo (mask or off) marks a passphrase: from then on its text
 * lives in core's secure memory (secure_alloc), at the full size of the
 * limit, so it never moves; the limit can then only go down. */
void lineedit_set_echo(struct lineedit *le, enum lineedit_echo echo);

/*
 * Inserts `len` bytes of UTF-8 at the cursor and moves the cursor after them
 * (and after any cluster they merged into). All or nothing:
 *   ST_INVALID  not UTF-8, or contains a control character
 *   ST_FULL     would exceed max_chars
 *   ST_NOMEM
 * On any error the buffer and cursor are unchanged.
 */
enum status lineedit_insert(struct lineedit *le, const char *utf8, size_t len);

/* Same for one code point (surrogates and > U+10FFFF are ST_INVALID). */
enum status lineedit_insert_cp(struct lineedit *le, uint32_t cp);

/* Replaces the whole text (same checks as insert); cursor at the end,
 * view scrolled back to the start. */
enum status lineedit_set_text(struct lineedit *le, const char *utf8, size_t len);

/*
 * Editing and motion. Each returns true when the text or the cursor changed
 * (the TUI redraws only then).
 */
bool lineedit_backspace(struct lineedit *le);	/* delete cluster before cursor */
bool lineedit_delete(struct lineedit *le);	/* delete cluster at cursor */
bool lineedit_left(struct lineedit *le);
bool lineedit_right(struct lineedit *le);
bool lineedit_home(struct lineedit *le);
bool lineedit_end(struct lineedit *le);
/* A word is a run of clusters whose first code point is a letter or digit;
 * Thai and Lao, written without spaces, move a whole phrase at a time. */
bool lineedit_word_left(struct lineedit *le);
bool lineedit_word_right(struct lineedit *le);
bool lineedit_kill_end(struct lineedit *le);	/* Ctrl-K; no kill ring */
bool lineedit_kill_start(struct lineedit *le);	/* Ctrl-U; no kill ring */
bool lineedit_clear(struct lineedit *le);

/*
 * The text in Unicode NFC as a new NUL-terminated string in *out, its length
 * in *outlen (may be NULL). Owned by the caller, who must release it with
 * lineedit_text_free(). ST_NOMEM or ST_INTERNAL on failure (*out NULL).
 */
enum status lineedit_text(struct lineedit *le, char **out, size_t *outlen);

/* Wipes and frees a string from lineedit_text(). NULL is fine. */
void lineedit_text_free(char *text);

/* The raw buffer as typed (not normalised), NUL-terminated, *bytes its
 * length (may be NULL). Owned by the editor; valid until the next change. */
const char *lineedit_buffer(const struct lineedit *le, size_t *bytes);

size_t lineedit_cursor(const struct lineedit *le);	/* byte offset */
size_t lineedit_chars(const struct lineedit *le);	/* code points */

/*
 * Lays out the text in a field `cols` columns wide and returns it in *view.
 *
 * Scrolling keeps the whole cluster under the cursor visible (or the empty
 * cell after the text). When the cursor leaves the field the view jumps by
 * about a third of the field rather than one column, so typing at the edge
 * of a long answer does not resend the whole field on every key over a slow
 * link. The left edge always falls on a cluster boundary; a double-width
 * character that does not fit at the right edge is replaced by a space.
 * Scroll position is kept between calls; render again after every change.
 *
 * ST_INVALID when cols < 1, ST_NOMEM.
 */
enum status lineedit_render(struct lineedit *le, int cols, struct lineedit_view *view);

/*
 * Wrapped fields: the same text laid out over several rows of `cols`
 * columns, for answers longer than one line. Rows break where a line may
 * break (UAX #14: after a space; Lao, Thai and Chinese between clusters)
 * and otherwise between clusters, never inside one; every byte of the text
 * belongs to exactly one row, so the cursor can stand anywhere. The text
 * holds no line breaks (they are control characters): Enter belongs to the
 * screen. A full last row with the cursor at the end gets an empty row
 * after it, where the cursor shows.
 *
 * lineedit_render_block() lays the text out and keeps the cursor's row in
 * sight of `rows` rows (scrolling by rows); the row motions below move by
 * the layout of the last lineedit_render_block() and return false until
 * there is one. lineedit_render() (one line) forgets that layout, so an
 * editor reused for a one-line field moves as one line again.
 */
#define LINEEDIT_ROWS_MAX 16

struct lineedit_block {
	/* rows entries, each UTF-8, NUL-terminated, exactly cols columns wide
	 * (padded with spaces); owned by the editor, valid until the next
	 * call on it. */
	const char *row[LINEEDIT_ROWS_MAX];
	int cursor_row;		/* 0 .. rows-1 */
	int cursor_col;		/* 0 .. cols-1 */
	int rows_used;		/* rows that hold text or the cursor (>= 1) */
	bool more_above;	/* rows hidden above the first shown */
	bool more_below;	/* rows hidden below the last shown */
};

/* ST_INVALID when cols < 2 or rows is not 1 .. LINEEDIT_ROWS_MAX; ST_NOMEM. */
enum status lineedit_render_block(struct lineedit *le, int cols, int rows,
				  struct lineedit_block *view);

/* True while the editor was last drawn by lineedit_render_block(). */
bool lineedit_wrapped(const struct lineedit *le);

/* Up and Down keep the column as near as the row allows; Home and End go
 * to the start of the row and to its last cluster (the text's end on the
 * last row). */
bool lineedit_row_up(struct lineedit *le);
bool lineedit_row_down(struct lineedit *le);
bool lineedit_row_home(struct lineedit *le);
bool lineedit_row_end(struct lineedit *le);

#endif
