/*
 * ui.h — drawing helpers shared by the screens.
 *
 * Everything is measured in display columns (wcwidth semantics through
 * libunistring), and text is cut only at grapheme-cluster boundaries, so Lao
 * and Thai marks stay on their base and Chinese never splits. Screens redraw
 * into curses' buffer and curses sends only the cells that changed; nothing
 * here calls refresh().
 *
 * Nothing relies on colour: selection is reverse video plus a '>' marker,
 * required fields carry '*', errors start with '!'.
 */
#ifndef INTAKE_UI_H
#define INTAKE_UI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"

/* Display width of UTF-8 text. */
int ui_width(const char *s);

/* Draws s at (y, x), at most maxw columns; returns the columns used. */
int ui_text(int y, int x, int maxw, const char *s, attr_t attr);

/* A text field w columns wide from the editor's view text (padded to w):
 * what was typed is drawn plain, the empty rest of the field underlined, so
 * the field shows where to type while a typed character costs the terminal
 * that character alone (no attribute switch on and off around it). The
 * typed part ends after its last non-space or at the cursor, whichever is
 * further. */
void ui_field(int y, int x, int w, const char *text, int cursor_col);

/* Draws s right-aligned so that it ends at column x_end (exclusive). */
void ui_text_right(int y, int x_end, const char *s, attr_t attr);

/* Wraps s into width w, drawing at most maxrows lines from row y (skipping
 * the first `skip` lines). Returns how many lines the whole text takes.
 * With maxrows 0 it only counts. Breaks where core/linebreak.h allows (ICU's
 * line breaking: Lao and Thai between words, never before Chinese closing
 * punctuation); a word wider than w breaks between clusters. */
int ui_wrap(int y, int x, int w, int skip, int maxrows, const char *s, attr_t attr);

/* A full-width line of '-' (ACS_HLINE when the terminal has it). */
void ui_rule(int y);

/* Top bar: left and right text on one reverse line. */
void ui_titlebar(const char *left, const char *right);

/* The width the screens are drawn for; below it (down to TERM_MIN_COLS)
 * they take their narrow layout: shorter titles, key bars on two rows
 * (ui_keybar_fit) or keeping the essential keys and leaving the rest to
 * help, texts wrapped. */
#define UI_WIDE_COLS 80

/* Bottom key bar: "Key label" pairs for the actions, in order, as many as
 * fit (Up then Down as "Up/Down Move", y then n as "y/n Yes/No"); the
 * keys come from the binding table of ctx. When not all fit, the
 * quick-hide and help keys are kept (help lists the others). */
void ui_keybar(enum keys_context ctx, const enum action *acts, size_t n);
/* The same on screen row `row` (a screen with a two-row key bar). */
void ui_keybar_row(int row, enum keys_context ctx, const enum action *acts, size_t n);
/* Columns the whole key bar of acts takes. */
int ui_keybar_width(enum keys_context ctx, const enum action *acts, size_t n);
/* A key bar on the last one or two rows: one when every entry fits, else
 * as many as fit on the upper row and the rest below (where quick-hide and
 * help still win over the others). Returns the rows it takes; with draw
 * false it only counts, so a screen can lay out its body first. */
int ui_keybar_fit(enum keys_context ctx, const enum action *acts, size_t n, bool draw);

/* The one-line message area above the key bar ("! ..." for errors); a
 * message too long for one line takes the line above as well. */
void ui_message(const char *msg, int is_error);
/* The same with the message area on screen row `row`. */
void ui_message_row(int row, const char *msg, int is_error);

/* The standard frame of a screen: title bar, optional training banner. Returns
 * the first free row. */
int ui_frame(const char *title, const char *right, int training);

/* A scrolling view: a screen writes all its lines through the pager, which
 * draws those that fall inside [top, top + rows) after skipping `skip`, and
 * counts them all (line) so the screen knows how far it can scroll. */
struct ui_pager {
	int top, rows, line, skip;
};

/* A pager from row top down to the message line, skipping `skip` lines. */
void ui_pager_begin(struct ui_pager *p, int top, int skip);
void ui_pager_line(struct ui_pager *p, int x, const char *text, attr_t attr);
void ui_pager_wrap(struct ui_pager *p, int x, const char *text, attr_t attr);

/* Scrolls a pager view of `total` lines whose first shown line is *scroll:
 * Up/Down by a line, PageUp/PageDown (and Prev/Next) by a screen less the
 * frame, First to the top. Other actions leave it. */
void ui_pager_scroll(int *scroll, int total, enum action act);

/* Moves the highlight *focus of a list of `count` items: Up/Down by one
 * within the list, First/PageUp to the first item, Last/PageDown to the
 * last. True when act was one of these. A list that offers only Up and
 * Down passes only those. */
bool ui_list_move(int *focus, size_t count, enum action act);

#define UI_TRAINING_BANNER "TRAINING - fictional cases only"

#endif
