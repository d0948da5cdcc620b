/*
 * bench_tui.c — what the interactive program costs a terminal and a user:
 * start-up to the unlock screen, the bytes written for a question screen,
 * per typed character and per move to the next question, and the time to
 * open the case list at 100,000 records. Measured in the same run next to a
 * minimal ncurses program and `dialog --form` with 8 fields doing the same.
 *
 * Every program runs in a pseudo-terminal made here (80x24,
 * TERM=xterm-256color, LANG=C.UTF-8); the bytes it writes are counted and
 * fed to a small terminal emulator, so the bench waits for what a user would
 * see (never a fixed sleep) and can tell how much of the screen a key really
 * changed. Prints figures, as a table and as "BENCH name|figure|unit|
 * baseline|ratio|target" lines; never fails on timing: exits non-zero only
 * when the program cannot be driven at all.
 *
 * What each figure is:
 *  - start-up: from fork until the text first shows ("Unlock the vault",
 *    dialog's last button, drawn last, the minimal program's line), median of
 *    STARTUP_RUNS alternating runs;
 *  - bytes: from the key until the screen has been quiet for QUIET_MS;
 *  - a move "costs no more than the region that changed" when it sends no
 *    cell that had not changed (resent_cells), or fewer bytes than painting
 *    the changed cells alone would (region_bytes): curses may scroll part of
 *    the screen and repaint a few cells of it, cheaper than the cells the
 *    scroll moved;
 *  - a short interview: every byte from the first question's paint to the
 *    review after the last answer (the typing form: consent, two texts, a
 *    number, a date), next to a shell script of dialog boxes asking the
 *    same, from its first box to its exit;
 *  - case list: from the Enter that submits the passphrase until the list
 *    shows, minus the same on an empty vault, so that the key derivation
 *    cancels out;
 *  - writes: the chunks the terminal side reads, each read as soon as poll
 *    reports output. A write(2) of the program arrives as one chunk unless
 *    the kernel splits it (past some 4 KiB) or several writes in quick
 *    succession arrive together, so the count is at most the number of
 *    write(2) calls (strace -e trace=write tells them exactly). Over SSH a
 *    write tends to leave as a TCP segment of its own. Per keystroke: the
 *    mean over every key of a short interview (the typing form from the
 *    unlock screen to its saved case); per interview: all of it, start-up
 *    included.
 *
 * BENCH_TUI_DUMP=1 prints to stderr every byte the programs write, escapes
 * made visible, labelled with the step that caused them. BENCH_TUI_KEEP=1
 * keeps the vaults (to profile the program on them); BENCH_TUI_RECORDS=N
 * fills the big vault with N records instead of 100,000.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

#define ROWS            24
#define COLS            80
#define USER            "ana"
#define PASS            "bench passphrase"
#define QUIET_MS        50      /* no output for this long: the screen is done */
#define WAIT_MS         15000   /* longest wait for any one screen */
#define STARTUP_RUNS    21
#define CASELIST_RUNS   5
#define BULK            100000  /* records; BENCH_TUI_RECORDS=N changes it */
#define TYPED           "garment factory, Mae Sot"      /* 24 ASCII characters */
#define DIALOG_FIELDS   8

/* ---- time and small helpers ---- */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of the non-negative values; -1 when there are none. */
static double
median(double *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0)
			v[k++] = v[i];
	if (k == 0)
		return -1;
	qsort(v, k, sizeof *v, cmp_double);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_rf(const char *path)
{
	if (path[0] != '\0')
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* snprintf that reports truncation as failure. */
static bool
fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));

static bool
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

/* ---- a terminal emulator: just enough of xterm for what ncurses sends ---- */

struct cell {
	char s[24];             /* UTF-8 of one cluster; "" on the right half of a wide one */
	unsigned char len;
	unsigned char wide;     /* 1: left half of a double-width character, 2: right half */
	unsigned char printed;  /* written by the program since vt_unmark() */
	unsigned attr;          /* SGR flags */
	short fg, bg;
};

enum { VS_GROUND, VS_ESC, VS_CSI, VS_STRING, VS_STRING_ESC, VS_CHARSET };

struct vt {
	struct cell c[ROWS][COLS];
	int y, x, saved_y, saved_x, top, bot;
	bool wrap_pending, insert, acs;
	unsigned attr;
	short fg, bg;
	int state, np;
	int p[16];
	char priv, inter;
	unsigned char u8[4];
	int u8len, u8need;
	struct cell last;       /* the last character printed, for REP */
};

static void
blank(const struct vt *t, struct cell *c)
{
	memset(c, 0, sizeof *c);
	c->s[0] = ' ';
	c->len = 1;
	c->fg = -1;
	c->bg = t->bg;          /* bce: erasing uses the current background */
}

static void
vt_reset(struct vt *t)
{
	memset(t, 0, sizeof *t);
	t->fg = t->bg = -1;
	t->bot = ROWS - 1;
	for (int y = 0; y < ROWS; y++)
		for (int x = 0; x < COLS; x++)
			blank(t, &t->c[y][x]);
}

/* Clearing one half of a wide character clears the other half too. */
static void
unsplit(struct vt *t, int y, int x)
{
	if (t->c[y][x].wide == 1 && x + 1 < COLS)
		blank(t, &t->c[y][x + 1]);
	if (t->c[y][x].wide == 2 && x > 0)
		blank(t, &t->c[y][x - 1]);
}

static void
scroll_up(struct vt *t, int top, int bot, int n)
{
	for (; n > 0; n--) {
		memmove(&t->c[top], &t->c[top + 1], (size_t)(bot - top) * sizeof t->c[0]);
		for (int x = 0; x < COLS; x++)
			blank(t, &t->c[bot][x]);
	}
}

static void
scroll_down(struct vt *t, int top, int bot, int n)
{
	for (; n > 0; n--) {
		memmove(&t->c[top + 1], &t->c[top], (size_t)(bot - top) * sizeof t->c[0]);
		for (int x = 0; x < COLS; x++)
			blank(t, &t->c[top][x]);
	}
}

static void
line_feed(struct vt *t)
{
	if (t->y == t->bot)
		scroll_up(t, t->top, t->bot, 1);
	else if (t->y < ROWS - 1)
		t->y++;
}

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Prints one character of display width w (0: a combining mark). */
static void
put_char(struct vt *t, const char *s, size_t len, int w)
{
	struct cell *c;

	if (w == 0) {
		int x = t->wrap_pending ? t->x : t->x - 1;

		if (x < 0)
			return;
		c = &t->c[t->y][x];
		if (c->wide == 2 && x > 0)
			c = &t->c[t->y][x - 1];
		if (c->len + len < sizeof c->s) {
			memcpy(c->s + c->len, s, len);
			c->len = (unsigned char)(c->len + len);
		}
		return;
	}
	if (t->wrap_pending || (w == 2 && t->x == COLS - 1)) {
		t->x = 0;
		line_feed(t);
		t->wrap_pending = false;
	}
	if (t->insert) {
		memmove(&t->c[t->y][t->x + w], &t->c[t->y][t->x],
		    (size_t)(COLS - t->x - w) * sizeof(struct cell));
	}
	unsplit(t, t->y, t->x);
	if (w == 2)
		unsplit(t, t->y, t->x + 1);
	c = &t->c[t->y][t->x];
	memset(c, 0, sizeof *c);
	memcpy(c->s, s, len < sizeof c->s ? len : sizeof c->s - 1);
	c->len = (unsigned char)(len < sizeof c->s ? len : sizeof c->s - 1);
	c->attr = t->attr;
	c->fg = t->fg;
	c->bg = t->bg;
	c->wide = w == 2;
	c->printed = 1;
	t->last = *c;
	if (w == 2) {
		c[1] = *c;
		c[1].s[0] = '\0';
		c[1].len = 0;
		c[1].wide = 2;
	}
	t->x += w;
	if (t->x >= COLS) {
		t->x = COLS - 1;
		t->wrap_pending = true;
	}
}

/* The DEC line-drawing set, as xterm shows it after ESC ( 0. */
static const char *
acs_char(unsigned char b)
{
	static const char *const map[] = {
		"◆", "▒", "␉", "␌", "␍", "␊", "°", "±", "␤", "␋", "┘", "┐", "┌", "└",
		"┼", "⎺", "⎻", "─", "⎼", "⎽", "├", "┤", "┴", "┬", "│", "≤", "≥", "π",
		"≠", "£", "·",
	};

	return b >= 0x60 && b <= 0x7e ? map[b - 0x60] : NULL;
}

static int
param(const struct vt *t, int i, int def)
{
	return i < t->np && t->p[i] > 0 ? t->p[i] : def;
}

static void
sgr(struct vt *t)
{
	static const unsigned on[] = { 0, 1, 2, 4, 8, 16, 0, 32, 64 };

	if (t->np == 0) {
		t->attr = 0;
		t->fg = t->bg = -1;
	}
	for (int i = 0; i < t->np; i++) {
		int v = t->p[i] < 0 ? 0 : t->p[i];

		if (v == 0) {
			t->attr = 0;
			t->fg = t->bg = -1;
		} else if (v < 9)
			t->attr |= on[v];
		else if (v == 22)
			t->attr &= ~(1u | 2u);
		else if (v >= 23 && v <= 28)
			t->attr &= ~on[v - 20];
		else if (v >= 30 && v <= 37)
			t->fg = (short)(v - 30);
		else if (v >= 90 && v <= 97)
			t->fg = (short)(v - 82);
		else if (v >= 40 && v <= 47)
			t->bg = (short)(v - 40);
		else if (v >= 100 && v <= 107)
			t->bg = (short)(v - 92);
		else if (v == 39)
			t->fg = -1;
		else if (v == 49)
			t->bg = -1;
		else if ((v == 38 || v == 48) && i + 2 < t->np && t->p[i + 1] == 5) {
			if (v == 38)
				t->fg = (short)t->p[i + 2];
			else
				t->bg = (short)t->p[i + 2];
			i += 2;
		}
	}
}

static void
erase_cells(struct vt *t, int y, int x0, int x1)
{
	for (int x = x0; x < x1; x++) {
		unsplit(t, y, x);
		blank(t, &t->c[y][x]);
	}
}

static void
csi(struct vt *t, unsigned char f)
{
	int n = param(t, 0, 1);

	if (t->priv != 0 || t->inter != 0) {
		if (t->inter == '!' && f == 'p') {      /* soft reset */
			t->attr = 0;
			t->fg = t->bg = -1;
			t->insert = false;
			t->top = 0;
			t->bot = ROWS - 1;
		}
		return;
	}
	if (f != 'b')
		t->wrap_pending = false;
	switch (f) {
	case '@':
		n = clamp(n, 0, COLS - t->x);
		memmove(&t->c[t->y][t->x + n], &t->c[t->y][t->x],
		    (size_t)(COLS - t->x - n) * sizeof(struct cell));
		erase_cells(t, t->y, t->x, t->x + n);
		break;
	case 'A': t->y = clamp(t->y - n, 0, ROWS - 1); break;
	case 'B': t->y = clamp(t->y + n, 0, ROWS - 1); break;
	case 'C': t->x = clamp(t->x + n, 0, COLS - 1); break;
	case 'D': t->x = clamp(t->x - n, 0, COLS - 1); break;
	case 'E': t->y = clamp(t->y + n, 0, ROWS - 1); t->x = 0; break;
	case 'F': t->y = clamp(t->y - n, 0, ROWS - 1); t->x = 0; break;
	case 'G': case '`': t->x = clamp(n - 1, 0, COLS - 1); break;
	case 'd': t->y = clamp(n - 1, 0, ROWS - 1); break;
	case 'H': case 'f':
		t->y = clamp(param(t, 0, 1) - 1, 0, ROWS - 1);
		t->x = clamp(param(t, 1, 1) - 1, 0, COLS - 1);
		break;
	case 'J': {
		int m = param(t, 0, 0);

		if (m == 0) {
			erase_cells(t, t->y, t->x, COLS);
			for (int y = t->y + 1; y < ROWS; y++)
				erase_cells(t, y, 0, COLS);
		} else if (m == 1) {
			erase_cells(t, t->y, 0, t->x + 1);
			for (int y = 0; y < t->y; y++)
				erase_cells(t, y, 0, COLS);
		} else if (m == 2) {
			for (int y = 0; y < ROWS; y++)
				erase_cells(t, y, 0, COLS);
		}
		break;
	}
	case 'K': {
		int m = param(t, 0, 0);

		erase_cells(t, t->y, m == 0 ? t->x : 0, m == 1 ? t->x + 1 : COLS);
		break;
	}
	case 'L':
		if (t->y >= t->top && t->y <= t->bot)
			scroll_down(t, t->y, t->bot, clamp(n, 0, t->bot - t->y + 1));
		break;
	case 'M':
		if (t->y >= t->top && t->y <= t->bot)
			scroll_up(t, t->y, t->bot, clamp(n, 0, t->bot - t->y + 1));
		break;
	case 'P':
		n = clamp(n, 0, COLS - t->x);
		unsplit(t, t->y, t->x);
		memmove(&t->c[t->y][t->x], &t->c[t->y][t->x + n],
		    (size_t)(COLS - t->x - n) * sizeof(struct cell));
		for (int x = COLS - n; x < COLS; x++)
			blank(t, &t->c[t->y][x]);
		break;
	case 'S': scroll_up(t, t->top, t->bot, n); break;
	case 'T': scroll_down(t, t->top, t->bot, n); break;
	case 'X': erase_cells(t, t->y, t->x, clamp(t->x + n, 0, COLS)); break;
	case 'b':
		if (t->last.len > 0)
			for (int i = 0; i < n; i++)
				put_char(t, t->last.s, t->last.len, t->last.wide ? 2 : 1);
		break;
	case 'm': sgr(t); break;
	case 'r':
		t->top = clamp(param(t, 0, 1) - 1, 0, ROWS - 1);
		t->bot = clamp(param(t, 1, ROWS) - 1, 0, ROWS - 1);
		if (t->bot <= t->top) {
			t->top = 0;
			t->bot = ROWS - 1;
		}
		t->y = t->x = 0;
		break;
	case 'h': case 'l':
		if (param(t, 0, 0) == 4)
			t->insert = f == 'h';
		break;
	default:
		break;
	}
}

static void
esc(struct vt *t, unsigned char b)
{
	t->state = VS_GROUND;
	switch (b) {
	case '[':
		t->state = VS_CSI;
		t->np = 0;
		t->priv = t->inter = 0;
		memset(t->p, -1, sizeof t->p);
		break;
	case ']': case 'P': case '_': case '^':
		t->state = VS_STRING;
		break;
	case '(': case ')': case '*': case '+':
		t->state = VS_CHARSET;
		t->inter = (char)b;
		break;
	case '7': t->saved_y = t->y; t->saved_x = t->x; break;
	case '8': t->y = t->saved_y; t->x = t->saved_x; t->wrap_pending = false; break;
	case 'D': line_feed(t); break;
	case 'E': t->x = 0; line_feed(t); break;
	case 'M':
		if (t->y == t->top)
			scroll_down(t, t->top, t->bot, 1);
		else if (t->y > 0)
			t->y--;
		break;
	case 'c': vt_reset(t); break;
	default: break;                 /* ESC = and ESC > (keypad modes), ESC H */
	}
}

static void
control(struct vt *t, unsigned char b)
{
	switch (b) {
	case '\r': t->x = 0; t->wrap_pending = false; break;
	case '\n': case '\v': case '\f': line_feed(t); t->wrap_pending = false; break;
	case '\b':
		if (t->x > 0 && !t->wrap_pending)
			t->x--;
		t->wrap_pending = false;
		break;
	case '\t': t->x = clamp((t->x / 8 + 1) * 8, 0, COLS - 1); break;
	case 0x1b: t->state = VS_ESC; break;
	default: break;                 /* BEL, SO, SI */
	}
}

static void
printable(struct vt *t, unsigned char b)
{
	wchar_t wc;
	mbstate_t ms;
	int w;

	if (t->u8need == 0) {
		if (b < 0x80) {
			const char *a = t->acs ? acs_char(b) : NULL;

			if (a)
				put_char(t, a, strlen(a), 1);
			else
				put_char(t, (const char *)&b, 1, 1);
			return;
		}
		t->u8need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		t->u8len = 0;
	}
	t->u8[t->u8len++] = b;
	if (t->u8len < t->u8need)
		return;
	t->u8need = 0;
	memset(&ms, 0, sizeof ms);
	if (mbrtowc(&wc, (const char *)t->u8, (size_t)t->u8len, &ms) > (size_t)t->u8len) {
		put_char(t, "\xef\xbf\xbd", 3, 1);
		return;
	}
	w = wcwidth(wc);
	put_char(t, (const char *)t->u8, (size_t)t->u8len, w < 0 ? 1 : w > 2 ? 2 : w);
}

static void
vt_feed(struct vt *t, const unsigned char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = buf[i];

		switch (t->state) {
		case VS_GROUND:
			if (b < 0x20 || b == 0x7f)
				control(t, b);
			else
				printable(t, b);
			break;
		case VS_ESC:
			esc(t, b);
			break;
		case VS_CHARSET:
			if (t->inter == '(')
				t->acs = b == '0';
			t->inter = 0;
			t->state = VS_GROUND;
			break;
		case VS_STRING:                 /* OSC or DCS: up to BEL or ST */
			if (b == 0x07)
				t->state = VS_GROUND;
			else if (b == 0x1b)
				t->state = VS_STRING_ESC;
			break;
		case VS_STRING_ESC:
			t->state = b == '\\' ? VS_GROUND : VS_STRING;
			break;
		case VS_CSI:
			if (b >= '0' && b <= '9') {
				if (t->np == 0)
					t->np = 1;
				t->p[t->np - 1] = (t->p[t->np - 1] < 0 ? 0 : t->p[t->np - 1]) * 10 + (b - '0');
				if (t->p[t->np - 1] > 9999)
					t->p[t->np - 1] = 9999;
			} else if (b == ';' || b == ':') {
				if (t->np == 0)
					t->np = 1;
				if (t->np < 16)
					t->np++;
			} else if (b >= '<' && b <= '?') {
				t->priv = (char)b;
			} else if (b >= 0x20 && b <= 0x2f) {
				t->inter = (char)b;
			} else if (b >= 0x40 && b <= 0x7e) {
				csi(t, b);
				t->state = VS_GROUND;
			} else if (b < 0x20) {
				control(t, b);
			}
			break;
		default:
			t->state = VS_GROUND;
			break;
		}
	}
}

/* Row y as UTF-8 text. */
static void
vt_row(const struct vt *t, int y, char *out, size_t cap)
{
	size_t o = 0;

	for (int x = 0; x < COLS; x++) {
		const struct cell *c = &t->c[y][x];

		if (c->wide == 2 || o + c->len + 1 > cap)
			continue;
		memcpy(out + o, c->s, c->len);
		o += c->len;
	}
	out[o] = '\0';
}

static bool
vt_has(const struct vt *t, const char *text)
{
	char row[COLS * sizeof(((struct cell *)0)->s) + 1];

	for (int y = 0; y < ROWS; y++) {
		vt_row(t, y, row, sizeof row);
		if (strstr(row, text) != NULL)
			return true;
	}
	return false;
}

static bool
same_cell(const struct cell *a, const struct cell *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0 && a->wide == b->wide &&
	    a->attr == b->attr && a->fg == b->fg && a->bg == b->bg;
}

static void
vt_unmark(struct vt *t)
{
	for (int y = 0; y < ROWS; y++)
		for (int x = 0; x < COLS; x++)
			t->c[y][x].printed = 0;
}

#define BRIDGE 8        /* unchanged cells cheaper to rewrite than to skip with a move */

/*
 * Cells the program printed again although they had not changed: a repaint
 * beyond the region that changed. A run of up to BRIDGE unchanged cells
 * between two changed ones on a row does not count: writing through it
 * costs no more than a cursor move over it.
 */
static size_t
resent_cells(const struct vt *before, const struct vt *after)
{
	size_t n = 0;

	for (int y = 0; y < ROWS; y++) {
		bool changed[COLS];

		for (int x = 0; x < COLS; x++)
			changed[x] = !same_cell(&before->c[y][x], &after->c[y][x]);
		for (int x = 0; x < COLS; x++) {
			bool left = false, right = false;

			if (changed[x] || !after->c[y][x].printed)
				continue;
			for (int d = 1; d <= BRIDGE; d++) {
				left |= x - d >= 0 && changed[x - d];
				right |= x + d < COLS && changed[x + d];
			}
			if (!(left && right))
				n++;
		}
	}
	return n;
}

/*
 * A lower bound of what painting only the cells that changed from `before`
 * to `after` costs: the new text of those cells, one cursor move (8 bytes,
 * "ESC [ row ; col H") per run of changed cells on a row, and the shortest
 * attribute change (4 bytes, "ESC [ 1 m") wherever the attributes differ
 * from the cell before it in the run, with a reset (3 bytes) at the end.
 */
static size_t
region_bytes(const struct vt *before, const struct vt *after, size_t *cells)
{
	size_t bytes = 0;

	*cells = 0;
	for (int y = 0; y < ROWS; y++) {
		int x = 0;

		while (x < COLS) {
			unsigned attr = 0;
			short fg = -1, bg = -1;

			if (same_cell(&before->c[y][x], &after->c[y][x])) {
				x++;
				continue;
			}
			bytes += 8;
			for (; x < COLS && !same_cell(&before->c[y][x], &after->c[y][x]); x++) {
				const struct cell *c = &after->c[y][x];

				if (c->attr != attr || c->fg != fg || c->bg != bg) {
					bytes += 4;
					attr = c->attr;
					fg = c->fg;
					bg = c->bg;
				}
				bytes += c->len;
				(*cells)++;
			}
			if (attr != 0 || fg != -1 || bg != -1)
				bytes += 3;
		}
	}
	return bytes;
}

/* ---- programs in a pseudo-terminal ---- */

static bool dump;
static size_t bulk_n = BULK;

struct proc {
	const char *name;
	pid_t pid;
	int fd;
	bool eof;
	size_t bytes;           /* everything the program wrote */
	unsigned long reads;    /* chunks it arrived in */
	char trace[PATH_MAX];   /* strace's log of its write(2) calls, or "" */
	double t_last;          /* when its last output arrived */
	const char *step;       /* for the dump */
	struct vt vt;
};

static void
dump_bytes(const struct proc *p, const unsigned char *b, size_t n)
{
	fprintf(stderr, "[%s: %s, %zu B] ", p->name, p->step ? p->step : "", n);
	for (size_t i = 0; i < n; i++) {
		if (b[i] == 0x1b)
			fputs("\\e", stderr);
		else if (b[i] == '\r')
			fputs("\\r", stderr);
		else if (b[i] == '\n')
			fputs("\\n", stderr);
		else if (b[i] < 0x20 || b[i] == 0x7f)
			fprintf(stderr, "^%c", b[i] ^ 0x40);
		else
			fputc(b[i], stderr);
	}
	fputc('\n', stderr);
}

/* Starts argv[0] on a new 80x24 pseudo-terminal, with the terminal's
 * environment and the given NAME=VALUE settings. */
static bool
proc_start(struct proc *p, const char *name, char *const argv[], char *const env[])
{
	struct winsize ws = { .ws_row = ROWS, .ws_col = COLS };

	memset(p, 0, sizeof *p);
	p->name = name;
	vt_reset(&p->vt);
	p->pid = forkpty(&p->fd, NULL, NULL, &ws);
	if (p->pid < 0) {
		fprintf(stderr, "bench_tui: forkpty: %s\n", strerror(errno));
		return false;
	}
	if (p->pid == 0) {
		unsetenv("LC_ALL");
		unsetenv("LC_CTYPE");
		unsetenv("LINES");
		unsetenv("COLUMNS");
		unsetenv("NO_COLOR");
		unsetenv("TMUX");
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		for (size_t i = 0; env && env[i]; i++)
			putenv(env[i]);
		execv(argv[0], argv);
		_exit(127);
	}
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	return true;
}

/* Reads what is there within timeout_ms. Returns bytes read, 0 on a quiet
 * timeout, -1 when the program has gone. */
static ssize_t
proc_pump(struct proc *p, int timeout_ms)
{
	unsigned char buf[65536];
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };
	struct termios tio;
	size_t added = 0;
	ssize_t n;

	if (p->eof)
		return -1;
	if (poll(&pf, 1, timeout_ms < 0 ? 0 : timeout_ms) <= 0)
		return 0;
	n = read(p->fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {                   /* EIO: the program closed the terminal */
		p->eof = true;
		return -1;
	}
	p->t_last = now_ms();
	p->reads++;
	/* The terminal driver keeps a login's settings: with ONLCR every \n the
	 * program writes arrives here as \r\n; the \r is not the program's. */
	if (tcgetattr(p->fd, &tio) == 0 && (tio.c_oflag & OPOST) && (tio.c_oflag & ONLCR))
		for (ssize_t i = 0; i < n; i++)
			added += buf[i] == '\n';
	p->bytes += (size_t)n - added;
	vt_feed(&p->vt, buf, (size_t)n);
	if (dump)
		dump_bytes(p, buf, (size_t)n);
	return n;
}

/* Waits until text is on the screen; its arrival time is then p->t_last. */
static bool
wait_text(struct proc *p, const char *text)
{
	double end = now_ms() + WAIT_MS;

	while (!vt_has(&p->vt, text)) {
		double left = end - now_ms();

		if (left <= 0 || proc_pump(p, (int)left) < 0) {
			fprintf(stderr, "bench_tui: %s: \"%s\" did not appear%s\n", p->name, text,
			    p->eof ? " (the program ended)" : "");
			return false;
		}
	}
	return true;
}

/* Waits until the program writes something after `mark` bytes, then until
 * it has been quiet for QUIET_MS. */
static bool
wait_settled(struct proc *p, size_t mark)
{
	double end = now_ms() + WAIT_MS;

	while (p->bytes == mark) {
		double left = end - now_ms();

		if (left <= 0 || proc_pump(p, (int)left) < 0)
			return false;
	}
	for (;;) {
		ssize_t r = proc_pump(p, QUIET_MS);

		if (r == 0)
			return true;
		if (r < 0 || now_ms() > end)
			return false;
	}
}

static void
quiet(struct proc *p)
{
	double end = now_ms() + WAIT_MS;

	while (proc_pump(p, QUIET_MS) > 0 && now_ms() < end)
		;
}

static bool
proc_send(struct proc *p, const char *s, const char *step)
{
	size_t n = strlen(s), off = 0;

	p->step = step;
	while (off < n) {
		ssize_t w = write(p->fd, s + off, n - off);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			proc_pump(p, 10);
			continue;
		}
		if (w < 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

/* Sends keys, then waits for text (when given) and for the screen to
 * settle. Returns the bytes written in answer, or -1. */
static long
key(struct proc *p, const char *keys, const char *step, const char *expect)
{
	size_t mark = p->bytes;

	if (!proc_send(p, keys, step))
		return -1;
	if (expect && !wait_text(p, expect))
		return -1;
	if (!wait_settled(p, mark) && p->bytes == mark)
		return -1;
	return (long)(p->bytes - mark);
}

static void
proc_stop(struct proc *p)
{
	double end = now_ms() + 2000;
	int status;

	if (p->pid <= 0)
		return;
	if (dump) {
		char row[COLS * sizeof p->vt.c[0][0].s + 1];

		fprintf(stderr, "[%s: the screen as the emulator shows it]\n", p->name);
		for (int y = 0; y < ROWS; y++) {
			vt_row(&p->vt, y, row, sizeof row);
			fprintf(stderr, "|%s|\n", row);
		}
	}
	kill(p->pid, SIGTERM);
	while (!p->eof && now_ms() < end)
		proc_pump(p, 50);
	if (waitpid(p->pid, &status, WNOHANG) == 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
	}
	close(p->fd);
	p->pid = -1;
}

/* ---- the programs under test ---- */

static char intake_bin[PATH_MAX], minimal_bin[PATH_MAX], dialog_bin[PATH_MAX];
static char strace_bin[PATH_MAX];
static char src_dir[PATH_MAX];

static bool
executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* The binaries sit next to this one (BUILD/bench) and one level up
 * (BUILD/intake); the forms in the source tree, where make runs. */
static bool
find_programs(const char *argv0)
{
	char here[PATH_MAX];
	const char *path = getenv("PATH"), *env = getenv("INTAKE");
	char *slash;

	if (!fmt(here, sizeof here, "%s", argv0))
		return false;
	if ((slash = strrchr(here, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(here, ".");
	if (env && *env) {
		if (!fmt(intake_bin, sizeof intake_bin, "%s", env))
			return false;
	} else if (!fmt(intake_bin, sizeof intake_bin, "%s/../intake", here))
		return false;
	if (!fmt(minimal_bin, sizeof minimal_bin, "%s/minimal_curses", here))
		return false;
	if (getcwd(src_dir, sizeof src_dir) == NULL)
		return false;
	dialog_bin[0] = '\0';
	while (path && *path) {
		const char *colon = strchr(path, ':');
		int l = colon ? (int)(colon - path) : (int)strlen(path);

		if (fmt(dialog_bin, sizeof dialog_bin, "%.*s/dialog", l, path) &&
		    executable(dialog_bin))
			break;
		dialog_bin[0] = '\0';
		path = colon ? colon + 1 : NULL;
	}
	strace_bin[0] = '\0';
	path = getenv("PATH");
	while (path && *path) {
		const char *colon = strchr(path, ':');
		int l = colon ? (int)(colon - path) : (int)strlen(path);

		char cmd[PATH_MAX + 64];

		/* Installed, and allowed to trace here (a container may forbid it). */
		if (fmt(strace_bin, sizeof strace_bin, "%.*s/strace", l, path) &&
		    executable(strace_bin) &&
		    fmt(cmd, sizeof cmd, "%s -qq -o /dev/null true >/dev/null 2>&1", strace_bin) &&
		    system(cmd) == 0)
			break;
		strace_bin[0] = '\0';
		path = colon ? colon + 1 : NULL;
	}
	return executable(intake_bin);
}

/* A fresh scratch directory, on tmpfs when there is room (saves are
 * durable: fsync on a disk would dominate the bulk vault). */
static bool
scratch_dir(char *buf, size_t len)
{
	struct statvfs sv;
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	if (statvfs("/dev/shm", &sv) == 0 && (double)sv.f_bavail * (double)sv.f_frsize > 1e9)
		base = "/dev/shm";
	if (!fmt(buf, len, "%s/intake-bench-tui.XXXXXX", base) || mkdtemp(buf) == NULL) {
		fprintf(stderr, "bench_tui: cannot make a directory under %s: %s\n", base,
		    strerror(errno));
		return false;
	}
	return true;
}

/* A vault with the bench user (cheap key derivation: the case-list figure
 * subtracts the unlock time anyway). Left open and unlocked in *out. */
static bool
make_vault(const char *dir, struct vault **out)
{
	struct vault_kdf kdf = { 1, 8 };
	struct vault *v = vault_new();

	*out = NULL;
	if (v == NULL || vault_create(v, dir, USER, PASS, strlen(PASS), &kdf) != ST_OK) {
		fprintf(stderr, "bench_tui: cannot create a vault in %s: %s\n", dir,
		    v ? vault_errmsg(v) : "out of memory");
		vault_close(v);
		return false;
	}
	*out = v;
	return true;
}

/* An empty vault DIR/NAME, closed again; its path in out. */
static bool
empty_vault(const char *dir, const char *name, char *out, size_t len)
{
	struct vault *v;

	if (!fmt(out, len, "%s/%s", dir, name) || !make_vault(out, &v))
		return false;
	vault_close(v);
	return true;
}

static bool
intake_start(struct proc *p, char *vault, const char *forms)
{
	static char env_forms[PATH_MAX + 16];
	char *argv[] = { intake_bin, "--vault", vault, NULL };
	char *env[] = { env_forms, "INTAKE_IDLE_SECONDS=3600", NULL };

	if (!fmt(env_forms, sizeof env_forms, "INTAKE_FORMS=%s", forms))
		return false;
	if (!proc_start(p, "intake", argv, env) || !wait_text(p, "Unlock the vault"))
		return false;
	quiet(p);
	return true;
}

/* The same under strace, when it is installed, logging the program's
 * write(2) calls to DIR/NAME.strace; without strace p->trace stays "". */
static bool
intake_start_traced(struct proc *p, char *vault, const char *forms, const char *dir,
    const char *name)
{
	static char env_forms[PATH_MAX + 16], trace[PATH_MAX];
	char *argv[] = { strace_bin, "-f", "-qq", "-e", "trace=write", "-o", trace,
	    intake_bin, "--vault", vault, NULL };
	char *env[] = { env_forms, "INTAKE_IDLE_SECONDS=3600", NULL };

	if (!strace_bin[0])
		return intake_start(p, vault, forms);
	if (!fmt(env_forms, sizeof env_forms, "INTAKE_FORMS=%s", forms) ||
	    !fmt(trace, sizeof trace, "%s/%s.strace", dir, name))
		return false;
	if (!proc_start(p, "intake", argv, env))
		return false;
	memcpy(p->trace, trace, sizeof p->trace);
	if (!wait_text(p, "Unlock the vault"))
		return false;
	quiet(p);
	return true;
}

/* The program's write(2) calls on its terminal so far: exact from strace's
 * log, else the chunks read (at most as many). */
static unsigned long
proc_writes(const struct proc *p)
{
	FILE *f;
	char line[512];
	unsigned long n = 0;
	bool bol = true;

	if (!p->trace[0] || (f = fopen(p->trace, "r")) == NULL)
		return p->reads;
	while (fgets(line, sizeof line, f) != NULL) {
		/* "PID write(1, ..." at the start of a line; long lines come in
		 * pieces, only a line's first piece counts. */
		const char *w = strchr(line, ' ');

		if (bol && w && strncmp(w + 1, "write(1,", 8) == 0)
			n++;
		bol = strchr(line, '\n') != NULL;
	}
	fclose(f);
	/* No write at all in the log of a program that has written: strace
	 * could not trace it (ptrace refused on a shared machine); count
	 * chunks instead. */
	return n == 0 && p->bytes > 0 ? p->reads : n;
}

/* Types the user and passphrase; returns the time from the Enter that
 * submits the passphrase until the case list shows, or -1. */
static double
intake_unlock(struct proc *p)
{
	double t0;

	if (key(p, USER "\r", "user name", NULL) < 0)
		return -1;
	proc_send(p, PASS, "passphrase");
	quiet(p);
	t0 = now_ms();
	if (!proc_send(p, "\r", "unlock") || !wait_text(p, "Start a new interview"))
		return -1;
	return p->t_last - t0;
}

/* ---- 1. start-up ---- */

static double
startup_once(const char *name, char *const argv[], char *const env[], const char *text)
{
	struct proc p;
	double t0 = now_ms(), t = -1;

	if (!proc_start(&p, name, argv, env))
		return -1;
	if (wait_text(&p, text))
		t = p.t_last - t0;
	proc_stop(&p);
	return t;
}

/* dialog --form with DIALOG_FIELDS labelled fields of 30 columns. */
static char **
dialog_argv(void)
{
	static char labels[DIALOG_FIELDS][16], ys[DIALOG_FIELDS][8];
	static char *argv[8 + DIALOG_FIELDS * 8 + 1];
	int n = 0;

	argv[n++] = dialog_bin;
	argv[n++] = "--form";
	argv[n++] = "Bench form";
	argv[n++] = "20";
	argv[n++] = "60";
	argv[n++] = "8";
	for (int i = 0; i < DIALOG_FIELDS; i++) {
		snprintf(labels[i], sizeof labels[i], "Field %d:", i + 1);
		snprintf(ys[i], sizeof ys[i], "%d", i + 1);
		argv[n++] = labels[i];
		argv[n++] = ys[i];
		argv[n++] = "1";
		argv[n++] = "";
		argv[n++] = ys[i];
		argv[n++] = "12";
		argv[n++] = "30";
		argv[n++] = "0";
	}
	argv[n] = NULL;
	return argv;
}

struct startup {
	double intake, minimal, dialog;
};

static bool
bench_startup(char *vault, struct startup *r)
{
	double ti[STARTUP_RUNS], tm[STARTUP_RUNS], td[STARTUP_RUNS];
	char *iargv[] = { intake_bin, "--vault", vault, NULL };
	char *margv[] = { minimal_bin, NULL };
	char forms[PATH_MAX + 16];
	char *ienv[] = { forms, NULL };

	if (!fmt(forms, sizeof forms, "INTAKE_FORMS=%s/forms", src_dir))
		return false;
	/* Interleaved, so that a busy moment on the machine hits all three. */
	for (int i = 0; i < STARTUP_RUNS; i++) {
		ti[i] = startup_once("intake", iargv, ienv, "Unlock the vault");
		tm[i] = executable(minimal_bin) ?
		    startup_once("minimal_curses", margv, NULL, "minimal curses ready") : -1;
		td[i] = dialog_bin[0] ?
		    startup_once("dialog", dialog_argv(), NULL, "<Cancel>") : -1;
		if (ti[i] < 0)
			return false;
	}
	r->intake = median(ti, STARTUP_RUNS);
	r->minimal = median(tm, STARTUP_RUNS);
	r->dialog = median(td, STARTUP_RUNS);
	return true;
}

/* ---- 2. bytes to the terminal ---- */

struct move {
	long bytes;             /* written for it */
	size_t region;          /* lower bound of painting only the changed cells */
	size_t cells;           /* cells that changed */
	size_t resent;          /* unchanged cells printed again */
};

struct paint {
	long first;             /* first paint of the screen */
	long repaint;           /* the whole screen again (intake: Ctrl-L) */
	double per_char;
	struct move move;       /* to the next question (text) or field */
	struct move move2;      /* intake: to the next question (yes/no) */
	long interview;         /* the questions of the typing form, first paint to
				 * the last answer accepted (dialog: a script
				 * asking the same) */
	double writes_per_key;  /* intake: over a short interview */
	long writes_interview;  /* intake: the same interview, start-up included */
	bool writes_exact;      /* counted by strace, not as chunks read */
};

/* Types TYPED one character at a time, each answered before the next. */
static double
type_text(struct proc *p)
{
	const char *s = TYPED;
	size_t total = 0, n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		char one[2] = { s[i], '\0' };
		long b = key(p, one, "typed character", NULL);

		if (b < 0)
			return -1;
		total += (size_t)b;
	}
	if (!vt_has(&p->vt, s)) {
		fprintf(stderr, "bench_tui: %s: the typed text is not on the screen\n", p->name);
		return -1;
	}
	return (double)total / (double)n;
}

/* Sends a key that moves on, measuring what it writes against what changed. */
static void
move_on(struct proc *p, const char *keys, const char *expect, struct move *m)
{
	static struct vt before;

	vt_unmark(&p->vt);
	before = p->vt;
	m->bytes = key(p, keys, "move", expect);
	m->region = region_bytes(&before, &p->vt, &m->cells);
	m->resent = resent_cells(&before, &p->vt);
}

/* The rapid screen: the first paint of its first question, the whole
 * screen again, then a move to the next question. False when the program
 * could not even be unlocked; a figure that could not be taken stays -1. */
static bool
rapid_session(char *vault, struct paint *r)
{
	struct proc p;
	char forms[PATH_MAX];
	bool unlocked = false;

	if (!fmt(forms, sizeof forms, "%s/forms", src_dir) || !intake_start(&p, vault, forms))
		return false;
	if (intake_unlock(&p) < 0)
		goto out;
	unlocked = true;
	quiet(&p);
	if (key(&p, "\r", "new interview", "Choose the questionnaire") < 0)
		goto out;
	if (!vt_has(&p.vt, "> Trafficking rapid screen"))
		fprintf(stderr, "bench_tui: the rapid screen is not the first form offered\n");
	if (key(&p, "\r", "form chosen", "The respondent's language") < 0)
		goto out;
	if ((r->first = key(&p, "\r", "first question", "Are you afraid")) < 0)
		goto out;
	r->repaint = key(&p, "\x0c", "Ctrl-L repaint", NULL);
	/* A choice is made explicitly (Enter alone on an untouched list asks
	 * for one); the move measured is the Enter that accepts it. */
	if (key(&p, "1", "choose Yes", "(*) Yes") < 0)
		goto out;
	move_on(&p, "\r", "needs a doctor now", &r->move2);
out:
	proc_stop(&p);
	return unlocked;
}

/* Keys the interview sent and the chunks they were answered in. */
struct tally {
	unsigned long keys, writes;
};

/* One key (or one line of them, counted as one) and its answer, tallied. */
static bool
tkey(struct proc *p, struct tally *t, const char *keys, const char *step, const char *expect)
{
	unsigned long before = proc_writes(p);

	if (key(p, keys, step, expect) < 0)
		return false;
	t->keys++;
	t->writes += proc_writes(p) - before;
	return true;
}

/* Types s one character at a time, tallied. */
static bool
ttype(struct proc *p, struct tally *t, const char *s)
{
	for (; *s; s++) {
		char one[2] = { *s, '\0' };

		if (!tkey(p, t, one, "typed character", NULL))
			return false;
	}
	return true;
}

/* The typing form as a short interview, from the unlock screen to a saved
 * case: a text question typed into, then Tab to the next (the figures of
 * the typing and the move), then the rest answered and the case saved.
 * Every key is tallied for the writes per keystroke. */
static bool
typing_session(char *vault, const char *dir, struct paint *r)
{
	struct proc p;
	struct tally t = { 0, 0 };
	char forms[PATH_MAX];
	bool unlocked = false;
	unsigned long writes;
	size_t interview_mark = 0;

	if (!fmt(forms, sizeof forms, "%s/tests/e2e/forms", src_dir) ||
	    !intake_start_traced(&p, vault, forms, dir, "typing"))
		return false;
	if (!tkey(&p, &t, USER "\r", "user name", "Passphrase"))
		goto out;
	/* A passphrase character changes nothing on the screen: a key that
	 * costs no write. */
	for (const char *c = PASS; *c; c++) {
		char one[2] = { *c, '\0' };

		writes = proc_writes(&p);
		if (!proc_send(&p, one, "passphrase"))
			goto out;
		quiet(&p);
		t.keys++;
		t.writes += proc_writes(&p) - writes;
	}
	if (!tkey(&p, &t, "\r", "unlock", "Start a new interview"))
		goto out;
	unlocked = true;
	quiet(&p);
	if (!tkey(&p, &t, "\r", "new interview", "Typing test") ||
	    !tkey(&p, &t, "\r", "form chosen", "The respondent's language"))
		goto out;
	interview_mark = p.bytes;
	if (!tkey(&p, &t, "\r", "language chosen", "Do you agree?") ||
	    !tkey(&p, &t, "y", "consent (y: yes in one key)", "Where did you work?"))
		goto out;
	writes = proc_writes(&p);
	r->per_char = type_text(&p);
	t.keys += strlen(TYPED);
	t.writes += proc_writes(&p) - writes;
	writes = proc_writes(&p);
	move_on(&p, "\t", "What happened?", &r->move);
	t.keys++;
	t.writes += proc_writes(&p) - writes;
	if (r->per_char < 0 || r->move.bytes < 0 ||
	    !ttype(&p, &t, "No pay") ||
	    !tkey(&p, &t, "\r", "story", "Hours a day?") ||
	    !ttype(&p, &t, "14") ||
	    !tkey(&p, &t, "\r", "hours", "When did you leave?") ||
	    !ttype(&p, &t, "2025-11-02") ||
	    !tkey(&p, &t, "\r", "date", "review the answers"))
		goto out;
	r->interview = (long)(p.bytes - interview_mark);
	if (!tkey(&p, &t, "\033[F", "End", NULL) ||
	    !tkey(&p, &t, "\r", "to the outcome", "Outcome:") ||
	    !tkey(&p, &t, "\r", "save", "Saved case"))
		goto out;
	r->writes_per_key = (double)t.writes / (double)t.keys;
	r->writes_interview = (long)proc_writes(&p);
	r->writes_exact = p.trace[0] != '\0';
out:
	proc_stop(&p);
	return unlocked;
}

/* Each interview leaves a draft, and a draft changes what unlocking shows:
 * the two sessions use a vault each. */
static bool
bench_intake_paint(char *rapid, char *typing, const char *dir, struct paint *r)
{
	bool a, b;

	memset(r, 0, sizeof *r);
	r->first = r->repaint = r->move.bytes = r->move2.bytes = -1;
	r->per_char = r->writes_per_key = -1;
	r->writes_interview = r->interview = -1;
	a = rapid_session(rapid, r);
	b = typing_session(typing, dir, r);
	return a && b;
}

/*
 * The questions of the typing form asked by a dialog script, one dialog
 * each (a yes/no box, then an input box per answer), given the answers the
 * intake session types: what a shell script built on dialog would cost the
 * link for the same short interview, start to last answer.
 */
static long
dialog_interview(void)
{
	static char script[] =
	    "exec 2>/dev/null; d=\"$1\"; "
	    "$d --yesno 'Do you agree?' 7 40 && "
	    "$d --inputbox 'Where did you work?' 8 60 && "
	    "$d --inputbox 'What happened?' 8 60 && "
	    "$d --inputbox 'Hours a day?' 8 60 && "
	    "$d --inputbox 'When did you leave?' 8 60";
	char sh[] = "/bin/sh", c[] = "-c", name[] = "sh";
	char *argv[] = { sh, c, script, name, dialog_bin, NULL };
	struct proc p;
	long total = -1;

	if (!dialog_bin[0] || !proc_start(&p, "dialog script", argv, NULL))
		return -1;
	p.step = "yes/no";
	if (!wait_text(&p, "Do you agree?"))
		goto out;
	quiet(&p);
	if (key(&p, "\r", "consent", "Where did you work?") < 0 ||
	    key(&p, TYPED "\r", "workplace", "What happened?") < 0 ||
	    key(&p, "No pay\r", "story", "Hours a day?") < 0 ||
	    key(&p, "14\r", "hours", "When did you leave?") < 0 ||
	    !proc_send(&p, "2025-11-02\r", "date"))
		goto out;
	while (!p.eof && proc_pump(&p, 200))
		;
	total = (long)p.bytes;
out:
	proc_stop(&p);
	return total;
}

static void
bench_dialog_paint(struct paint *r)
{
	struct proc p;

	memset(r, 0, sizeof *r);
	r->first = r->repaint = r->move.bytes = r->move2.bytes = -1;
	r->per_char = -1;
	r->interview = -1;
	if (!dialog_bin[0] || !proc_start(&p, "dialog", dialog_argv(), NULL))
		return;
	p.step = "first paint";
	if (!wait_text(&p, "<Cancel>"))
		goto out;
	quiet(&p);
	r->first = (long)p.bytes;
	r->per_char = type_text(&p);
	/* Down arrow, as the keypad mode dialog sets sends it. */
	move_on(&p, "\033OB", NULL, &r->move);
out:
	proc_stop(&p);
	r->interview = dialog_interview();
}

/* ---- 3. the case list at 100,000 records ---- */

/* One real record of the typing form, through the engine, and its summary
 * as a JSON object to vary. */
static bool
sample_record(struct vault *v, char **json, size_t *jlen, json_t **summary)
{
	char path[PATH_MAX + 32], *sum = NULL;
	struct form *f = NULL;
	struct interview *iv = NULL;
	size_t slen = 0;
	bool ok = false;

	*json = NULL;
	*summary = NULL;
	if (!fmt(path, sizeof path, "%s/tests/e2e/forms/typing.yaml", src_dir) ||
	    form_load_file(path, &f, NULL) != ST_OK || record_attach_form(v, f, NULL, 0) != ST_OK ||
	    interview_start(f, "en", &iv) != ST_OK)
		goto out;
	interview_set_interviewer(iv, USER);
	if (interview_answer_id(iv, "consent_interview", "yes") != ST_OK ||
	    interview_answer_id(iv, "name_place", "A garment factory") != ST_OK ||
	    interview_answer_id(iv, "story", "Worked without pay for a year") != ST_OK ||
	    interview_answer_id(iv, "hours", "14") != ST_OK ||
	    interview_answer_id(iv, "left_on", "2025-11-02") != ST_OK ||
	    interview_finish(iv) != ST_OK ||
	    interview_set_record_id(iv, "00000000000000000000000000000000") != ST_OK ||
	    interview_to_json(iv, json, jlen) != ST_OK ||
	    interview_summary_json(iv, &sum, &slen) != ST_OK)
		goto out;
	*summary = json_loadb(sum, slen, 0, NULL);
	ok = *summary != NULL;
out:
	if (!ok)
		fprintf(stderr, "bench_tui: cannot make a sample record: %s\n",
		    iv ? interview_error(iv) : vault_errmsg(v));
	interview_json_free(sum, slen);
	interview_free(iv);
	form_free(f);
	return ok;
}

/* Fills the vault with bulk_n final records, each with its own id and start
 * time (the case list sorts on it). Returns the seconds it took, or -1. */
static double
fill_vault(struct vault *v)
{
	char *json = NULL, *sum;
	size_t jlen = 0;
	json_t *summary;
	double t0 = now_ms();
	time_t base = 1700000000;

	if (!sample_record(v, &json, &jlen, &summary))
		return -1;
	for (size_t i = 0; i < bulk_n; i++) {
		struct record_id id;
		time_t t = base + (time_t)(i * 613);
		char started[32];
		struct tm tm;
		enum status st;

		gmtime_r(&t, &tm);
		strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(summary, "started", json_string(started));
		if ((sum = json_dumps(summary, JSON_COMPACT)) == NULL)
			break;
		st = vault_record_id_new(v, &id);
		if (st == ST_OK)
			st = vault_record_put_as(v, &id, json, jlen, sum, strlen(sum));
		free(sum);
		if (st != ST_OK) {
			fprintf(stderr, "bench_tui: record %zu: %s\n", i, vault_errmsg(v));
			break;
		}
	}
	interview_json_free(json, jlen);
	json_decref(summary);
	return (now_ms() - t0) / 1e3;
}

static int
count_item(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	(void)id;
	(void)st;
	(void)json;
	(void)len;
	++*(size_t *)ctx;
	return 0;
}

/* The floor under the case list: decrypting every summary in one
 * vault_summary_scan, nothing parsed or drawn (median of 3, in ms). */
static double
scan_ms(struct vault *v)
{
	double t[3];

	for (int i = 0; i < 3; i++) {
		size_t n = 0;
		double t0 = now_ms();

		t[i] = vault_summary_scan(v, count_item, &n) == ST_OK && n == bulk_n ?
		    now_ms() - t0 : -1;
	}
	return median(t, 3);
}

/* Median over CASELIST_RUNS fresh starts of the time from the Enter that
 * submits the passphrase until the case list shows `count`. */
static double
caselist_ms(char *vault, const char *count)
{
	double t[CASELIST_RUNS];
	char forms[PATH_MAX];

	if (!fmt(forms, sizeof forms, "%s/forms", src_dir))
		return -1;
	for (int i = 0; i < CASELIST_RUNS; i++) {
		struct proc p;

		t[i] = -1;
		if (!intake_start(&p, vault, forms))
			continue;
		t[i] = intake_unlock(&p);
		if (t[i] >= 0 && !vt_has(&p.vt, count)) {
			fprintf(stderr, "bench_tui: the case list does not show \"%s\"\n", count);
			t[i] = -1;
		}
		proc_stop(&p);
	}
	return median(t, CASELIST_RUNS);
}

/* ---- report ---- */

/* Whole numbers, and one decimal below 100. */
static void
num(char *buf, size_t len, double v)
{
	if (v < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.*f", v >= 100 || v == (long)v ? 0 : 1, v);
}

/* The machine-readable lines, printed after the table. */
static char bench_lines[32][256];
static size_t nbench;

static void
bench_line(const char *name, const char *figure, const char *unit, const char *base,
    const char *ratio, const char *target)
{
	if (nbench < sizeof bench_lines / sizeof bench_lines[0])
		snprintf(bench_lines[nbench++], sizeof bench_lines[0], "BENCH %s|%s|%s|%s|%s|%s",
		    name, figure, unit, base, ratio, target);
}

/* One figure: a row of the table and a BENCH line. figure or baseline < 0
 * print as n/a. */
static void
report(const char *name, const char *what, double figure, const char *unit,
    const char *base_name, double base, const char *target, bool met)
{
	char f[32], b[32], r[32], bl[96];

	num(f, sizeof f, figure);
	num(b, sizeof b, base);
	if (figure >= 0 && base > 0)
		snprintf(r, sizeof r, "%.2f", figure / base);
	else
		snprintf(r, sizeof r, "n/a");
	if (base_name && base_name[0])
		snprintf(bl, sizeof bl, "%s %s", base_name, b);
	else
		snprintf(bl, sizeof bl, "-");
	printf("  %-44s %9s %-6s %-30s %6s  %s%s\n", what, f, unit, bl, r,
	    target && target[0] ? target : "",
	    target && target[0] && figure >= 0 ? (met ? "  met" : "  MISSED") : "");
	bench_line(name, f, unit, bl, r, target && target[0] ? target : "-");
}

/* A move: its bytes next to dialog's field move, and whether it painted
 * only the region that changed (no unchanged cell sent again). */
static void
report_move(const char *name, const char *what, const struct move *m, const struct move *base)
{
	char sub[64], line[160], n[32];

	report(name, what, (double)m->bytes, "B", base ? "dialog --form field move" : "",
	    base ? (double)base->bytes : -1, base ? "<= changed region" : "",
	    m->bytes >= 0 && (m->resent == 0 || (size_t)m->bytes <= m->region));
	if (m->bytes < 0)
		return;
	snprintf(line, sizeof line, "    changed %zu cells; painting only them >= %zu B; "
	    "unchanged cells sent again:", m->cells, m->region);
	printf("  %-60s %zu\n", line, m->resent);
	snprintf(sub, sizeof sub, "%s_resent", name);
	snprintf(n, sizeof n, "%zu", m->resent);
	bench_line(sub, n, "cells", "-", "-", base ? "0" : "-");
}

int
main(int argc, char **argv)
{
	struct startup su;
	struct paint ip, dp;
	struct vault *v = NULL;
	char dir[PATH_MAX], empty[PATH_MAX + 8], rapid[PATH_MAX + 8], typing[PATH_MAX + 8];
	char bulk[PATH_MAX + 8], what[64];
	double fill_s = -1, t_empty = -1, t_bulk = -1, t_scan = -1;
	int rc = 1;

	(void)argc;
	setlocale(LC_ALL, "C.UTF-8");
	signal(SIGPIPE, SIG_IGN);
	dump = getenv("BENCH_TUI_DUMP") && *getenv("BENCH_TUI_DUMP") == '1';
	if (getenv("BENCH_TUI_RECORDS") && atol(getenv("BENCH_TUI_RECORDS")) > 0)
		bulk_n = (size_t)atol(getenv("BENCH_TUI_RECORDS"));
	printf("== bench_tui\n");
	dir[0] = '\0';
	if (!find_programs(argv[0])) {
		fprintf(stderr, "bench_tui: cannot find the intake program (%s); run `make bench`\n",
		    intake_bin);
		return 1;
	}
	if (!scratch_dir(dir, sizeof dir) ||
	    !empty_vault(dir, "empty", empty, sizeof empty) ||
	    !empty_vault(dir, "rapid", rapid, sizeof rapid) ||
	    !empty_vault(dir, "typing", typing, sizeof typing) ||
	    !fmt(bulk, sizeof bulk, "%s/bulk", dir))
		goto out;

	if (!bench_startup(empty, &su)) {
		fprintf(stderr, "bench_tui: the program does not reach its unlock screen\n");
		goto out;
	}
	if (!bench_intake_paint(rapid, typing, dir, &ip)) {
		fprintf(stderr, "bench_tui: the program could not be unlocked\n");
		goto out;
	}
	bench_dialog_paint(&dp);

	if (make_vault(bulk, &v)) {
		fill_s = fill_vault(v);
		if (fill_s >= 0)
			t_scan = scan_ms(v);
		vault_close(v);
		v = NULL;
	}
	t_empty = caselist_ms(empty, "0 of 0");
	if (fill_s >= 0) {
		char count[32];

		snprintf(count, sizeof count, "%zu of %zu", bulk_n, bulk_n);
		t_bulk = caselist_ms(bulk, count);
	}

	printf("pseudo-terminal 80x24, TERM=xterm-256color, LANG=C.UTF-8; vaults in %s\n", dir);
	printf("  %-44s %9s %-6s %-30s %6s  %s\n", "", "figure", "unit", "baseline", "ratio",
	    "target");
	report("tui_startup", "start-up to the unlock screen (median)", su.intake, "ms",
	    "dialog --form", su.dialog, su.dialog >= 0 ? "<= dialog" : "", su.intake <= su.dialog);
	report("tui_startup_vs_minimal", "  same, against a minimal ncurses program", su.intake,
	    "ms", "minimal curses", su.minimal, "", true);
	report("tui_first_paint", "first paint of a question screen", (double)ip.first, "B",
	    "dialog --form", (double)dp.first, "<= 2500", ip.first >= 0 && ip.first <= 2500);
	report("tui_full_repaint", "  whole question screen again (Ctrl-L)", (double)ip.repaint,
	    "B", "", -1, "", true);
	report("tui_bytes_per_char", "per typed ASCII character", ip.per_char, "B",
	    "dialog --form", dp.per_char, "<= 8", ip.per_char >= 0 && ip.per_char <= 8);
	report_move("tui_move_text", "move to the next question (text, Tab)", &ip.move, &dp.move);
	report_move("tui_move_choice", "move to the next question (yes/no, Enter)", &ip.move2,
	    &dp.move);
	report_move("dialog_move_field", "dialog --form: move to the next field (Down)", &dp.move,
	    NULL);
	report("tui_interview_bytes", "a short interview (5 questions), all bytes",
	    (double)ip.interview, "B", "dialog script", (double)dp.interview, "<= dialog",
	    ip.interview >= 0 && dp.interview >= 0 && ip.interview <= dp.interview);
	printf("  (write(2) calls %s)\n", ip.writes_exact ? "counted by strace" :
	    "counted as chunks read: at most the write(2) calls; install strace for them");
	report("tui_writes_per_key", "writes per keystroke (short interview)", ip.writes_per_key,
	    "writes", "", -1, "<= 1", ip.writes_per_key >= 0 && ip.writes_per_key <= 1);
	report("tui_writes_interview", "writes per short interview (start to saved)",
	    (double)ip.writes_interview, "writes", "", -1, "", true);
	if (fill_s >= 0)
		printf("  (%zu records generated in %.1f s)\n", bulk_n, fill_s);
	snprintf(what, sizeof what, "open the case list at %zu records", bulk_n);
	report("tui_caselist_100k", what, t_bulk >= 0 &&
	    t_empty >= 0 ? t_bulk - t_empty : -1, "ms", "", -1,
	    "<= 250", t_bulk >= 0 && t_empty >= 0 && t_bulk - t_empty <= 250);
	report("tui_caselist_empty", "  empty vault (subtracted from it)",
	    t_empty, "ms", "", -1, "", true);
	report("vault_summary_scan_100k", "  decrypting every summary alone (core scan)",
	    t_scan, "ms", "", -1, "", true);
	printf("  references from the issue: dialog --form 8 fields paints 5014 B, 34 B per "
	    "character, ~100 B per field move; a minimal libform program 16 B per character\n");
	for (size_t i = 0; i < nbench; i++)
		puts(bench_lines[i]);
	rc = 0;
out:
	vault_close(v);
	if (getenv("BENCH_TUI_KEEP") && *getenv("BENCH_TUI_KEEP") == '1')
		fprintf(stderr, "bench_tui: vaults kept in %s (user %s, passphrase \"%s\")\n",
		    dir, USER, PASS);
	else
		rm_rf(dir);
	return rc;
}
