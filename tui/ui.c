/* ui.c — drawing helpers shared by the screens, measured in display
 * columns and cut only between grapheme clusters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unigbrk.h>
#include <unistr.h>
#include <uniwidth.h>

#include "i18n.h"
#include "linebreak.h"
#include "ui.h"

#define ENC "UTF-8"

int
ui_width(const char *s)
{
	return u8_strwidth((const uint8_t *)s, ENC);
}

/* Width of one cluster [p, end). Clusters of zero width (a stray mark) take
 * one column, shown as they are: curses puts them on the previous cell. */
static int
cluster_width(const uint8_t *p, const uint8_t *end)
{
	return u8_width(p, (size_t)(end - p), ENC);
}

int
ui_text(int y, int x, int maxw, const char *s, attr_t attr)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + strlen(s), *next;
	int used = 0, w;

	if (maxw <= 0)
		return 0;
	while (p < end) {
		next = u8_grapheme_next(p, end);
		if (next == NULL)
			break;
		w = cluster_width(p, next);
		if (used + w > maxw)
			break;
		p = next;
		used += w;
	}
	attron(attr);
	mvaddnstr(y, x, s, (int)(p - (const uint8_t *)s));
	attroff(attr);
	return used;
}

void
ui_field(int y, int x, int w, const char *text, int cursor_col)
{
	const uint8_t *p = (const uint8_t *)text, *end = p + strlen(text), *next;
	const uint8_t *rest = p;
	int col = 0, typed = 0, cw;

	while (p < end) {
		next = u8_grapheme_next(p, end);
		if (next == NULL)
			break;
		cw = cluster_width(p, next);
		if (col + cw > w)
			break;
		col += cw;
		if (*p != ' ' || col <= cursor_col) {
			typed = col;
			rest = next;
		}
		p = next;
	}
	ui_text(y, x, typed, text, 0);
	ui_text(y, x + typed, w - typed, (const char *)rest, A_UNDERLINE);
}

void
ui_text_right(int y, int x_end, const char *s, attr_t attr)
{
	int w = ui_width(s);

	if (w > x_end)
		w = x_end;
	ui_text(y, x_end - w, w, s, attr);
}

/* One breaker for every wrap on screen, made at the first. Failing that
 * (no memory), linebreak_wrap still wraps, by clusters. */
static struct linebreak *
wrap_breaker(void)
{
	static struct linebreak *lb;

	if (lb == NULL)
		lb = linebreak_new("");
	return lb;
}

struct wrap_draw {
	int y, x, skip, maxrows;
	attr_t attr;
};

static void
wrap_draw_line(void *ctx, int n, const char *start, size_t bytes)
{
	const struct wrap_draw *d = ctx;

	if (n < d->skip || n - d->skip >= d->maxrows)
		return;
	attron(d->attr);
	mvaddnstr(d->y + n - d->skip, d->x, start, (int)bytes);
	attroff(d->attr);
}

int
ui_wrap(int y, int x, int w, int skip, int maxrows, const char *s, attr_t attr)
{
	struct wrap_draw d = { y, x, skip, maxrows, attr };

	return linebreak_wrap(wrap_breaker(), s, w, maxrows > 0 ? wrap_draw_line : NULL, &d);
}

void
ui_rule(int y)
{
	/* U+2500 rather than the ACS line: PuTTY and some phone clients show
	 * ACS as letters ("qqqq") under UTF-8; the locale is always UTF-8 here. */
	move(y, 0);
	for (int x = 0; x < COLS; x++)
		addstr("\u2500");
}

void
ui_titlebar(const char *left, const char *right)
{
	int rw = right ? ui_width(right) : 0;

	/* A narrow screen needs every column for what the title names. */
	if (COLS < UI_WIDE_COLS && strncmp(left, "Intake - ", 9) == 0)
		left += 9;
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	ui_text(0, 1, COLS - rw - 3, left, A_REVERSE);
	if (right)
		ui_text_right(0, COLS - 1, right, A_REVERSE);
	attroff(A_REVERSE);
}

int
ui_frame(const char *title, const char *right, int training)
{
	ui_titlebar(title, right);
	if (training) {
		const char *b = "*** " UI_TRAINING_BANNER " ***";

		ui_text(1, (COLS - ui_width(b)) / 2, COLS, b, A_BOLD);
		return 2;
	}
	return 1;
}

void
ui_keybar(enum keys_context ctx, const enum action *acts, size_t n)
{
	ui_keybar_row(LINES - 1, ctx, acts, n);
}

/* One key-bar entry: the primary key and the label of an action. */
struct keybar_entry {
	char keys[64];
	const char *label;
	enum action act;
	int w;
};

/* The entries of acts in ctx, Up then Down merged into "Up/Down Move", y
 * then n into "y/n Yes/No";
 * actions with no key in ctx are left out. Returns how many. */
static size_t
keybar_entries(enum keys_context ctx, const enum action *acts, size_t n,
    struct keybar_entry *e, size_t max)
{
	size_t m = 0;

	for (size_t i = 0; i < n && m < max; i++) {
		char *keys = e[m].keys, *sp;
		size_t size = sizeof e[m].keys;

		e[m].label = keys_action_label(acts[i]);
		e[m].act = acts[i];
		if (keys_action_keys(ctx, acts[i], keys, size) != ST_OK && keys[0] == '\0')
			continue;
		if (keys[0] == '\0')
			continue;
		/* The primary key only: the help screen lists the aliases. */
		if ((sp = strchr(keys, ' ')) != NULL)
			*sp = '\0';
		/* Up then Down: one entry, "Up/Down Move", not the same word twice. */
		if (acts[i] == ACT_UP && i + 1 < n && acts[i + 1] == ACT_DOWN &&
		    strcmp(keys, "Up") == 0 && keys_action_keys(ctx, ACT_DOWN, keys + 2,
		    size - 2) == ST_OK && strncmp(keys + 2, "Down", 4) == 0) {
			snprintf(keys, size, "Up/Down");
			e[m].label = _("Move");
			i++;
		} else if (acts[i] == ACT_YES && i + 1 < n && acts[i + 1] == ACT_NO &&
		    keys_action_keys(ctx, ACT_NO, keys + 2, size - 2) == ST_OK &&
		    keys[1] == '\0' && keys[2] != '\0' && (keys[3] == ' ' || keys[3] == '\0')) {
			/* y then n: one entry, "y/n Yes/No". */
			keys[1] = '/';
			keys[3] = '\0';
			e[m].label = _("Yes/No");
			i++;
		}
		e[m].w = ui_width(keys) + 1 + ui_width(e[m].label);
		m++;
	}
	return m;
}

/* Kept on a key bar too narrow for every entry: the panic key, and help,
 * which lists the keys left out. */
static bool
keybar_must(enum action act)
{
	return act == ACT_HIDE || act == ACT_HELP;
}

int
ui_keybar_width(enum keys_context ctx, const enum action *acts, size_t n)
{
	struct keybar_entry e[24];
	size_t m = keybar_entries(ctx, acts, n, e, sizeof e / sizeof e[0]);
	int w = 0;

	for (size_t i = 0; i < m; i++)
		w += e[i].w + (i > 0);
	return w;
}

void
ui_keybar_row(int row, enum keys_context ctx, const enum action *acts, size_t n)
{
	struct keybar_entry e[24];
	size_t m = keybar_entries(ctx, acts, n, e, sizeof e / sizeof e[0]);
	bool show[24];
	int x = 0, reserve = 0;

	move(row, 0);
	clrtoeol();
	/* In order, as many as fit, but room is kept for the entries that
	 * must stay (on a narrow screen the others are behind help). */
	for (size_t i = 0; i < m; i++)
		if (keybar_must(e[i].act))
			reserve += e[i].w + 1;
	for (size_t i = 0; i < m; i++) {
		bool must = keybar_must(e[i].act);

		if (must)
			reserve -= e[i].w + 1;
		show[i] = x + e[i].w + (must ? 0 : reserve) <= COLS;
		if (show[i])
			x += e[i].w + 1;
	}
	x = 0;
	for (size_t i = 0; i < m; i++) {
		if (!show[i])
			continue;
		ui_text(row, x, e[i].w, e[i].keys, A_REVERSE);
		ui_text(row, x + ui_width(e[i].keys) + 1, COLS - x, e[i].label, 0);
		x += e[i].w + 1;
	}
}

int
ui_keybar_fit(enum keys_context ctx, const enum action *acts, size_t n, bool draw)
{
	size_t upper = n;

	if (ui_keybar_width(ctx, acts, n) <= COLS) {
		if (draw)
			ui_keybar_row(LINES - 1, ctx, acts, n);
		return 1;
	}
	/* The longest start that fits, not cutting a merged pair in two. */
	while (upper > 1 && (ui_keybar_width(ctx, acts, upper) > COLS ||
	    (acts[upper - 1] == ACT_UP && acts[upper] == ACT_DOWN) ||
	    (acts[upper - 1] == ACT_YES && acts[upper] == ACT_NO)))
		upper--;
	if (draw) {
		ui_keybar_row(LINES - 2, ctx, acts, upper);
		ui_keybar_row(LINES - 1, ctx, acts + upper, n - upper);
	}
	return 2;
}

void
ui_message(const char *msg, int is_error)
{
	ui_message_row(LINES - 2, msg, is_error);
}

void
ui_message_row(int row, const char *msg, int is_error)
{
	move(row, 0);
	clrtoeol();
	if (msg == NULL || *msg == '\0')
		return;
	/* A long message takes the line above too, rather than being cut. */
	if (ui_wrap(0, 0, COLS - 2, 0, 0, msg, 0) > 1) {
		move(row - 1, 0);
		clrtoeol();
		ui_wrap(row - 1, 2, COLS - 2, 0, 2, msg, is_error ? A_BOLD : 0);
		if (is_error)
			ui_text(row - 1, 0, 2, "! ", A_BOLD);
		return;
	}
	if (is_error) {
		ui_text(row, 0, 2, "! ", A_BOLD);
		ui_text(row, 2, COLS - 2, msg, A_BOLD);
	} else
		ui_text(row, 0, COLS, msg, 0);
}

void
ui_pager_begin(struct ui_pager *p, int top, int skip)
{
	p->top = top;
	p->rows = LINES - 3 - top;
	p->line = 0;
	p->skip = skip;
}

void
ui_pager_line(struct ui_pager *p, int x, const char *text, attr_t attr)
{
	int r = p->line - p->skip;

	if (r >= 0 && r < p->rows)
		ui_text(p->top + r, x, COLS - x - 1, text, attr);
	p->line++;
}

void
ui_pager_wrap(struct ui_pager *p, int x, const char *text, attr_t attr)
{
	int h = ui_wrap(0, x, COLS - x - 1, 0, 0, text, attr);

	for (int i = 0; i < h; i++) {
		int r = p->line - p->skip;

		if (r >= 0 && r < p->rows)
			ui_wrap(p->top + r, x, COLS - x - 1, i, 1, text, attr);
		p->line++;
	}
}

void
ui_pager_scroll(int *scroll, int total, enum action act)
{
	int page = LINES - 6;

	if (act == ACT_UP && *scroll > 0)
		(*scroll)--;
	else if (act == ACT_DOWN && *scroll + 1 < total)
		(*scroll)++;
	else if (act == ACT_PAGE_DOWN || act == ACT_NEXT)
		*scroll = *scroll + page < total ? *scroll + page : *scroll;
	else if (act == ACT_PAGE_UP || act == ACT_PREV)
		*scroll = *scroll > page ? *scroll - page : 0;
	else if (act == ACT_FIRST)
		*scroll = 0;
}

bool
ui_list_move(int *focus, size_t count, enum action act)
{
	switch (act) {
	case ACT_UP:
		if (*focus > 0)
			(*focus)--;
		return true;
	case ACT_DOWN:
		if ((size_t)*focus + 1 < count)
			(*focus)++;
		return true;
	case ACT_FIRST:
	case ACT_PAGE_UP:
		*focus = 0;
		return true;
	case ACT_LAST:
	case ACT_PAGE_DOWN:
		*focus = count ? (int)count - 1 : 0;
		return true;
	default:
		return false;
	}
}
