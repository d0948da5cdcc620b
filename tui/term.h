/*
 * term.h — the terminal underneath the screens.
 *
 * Owns the locale check, curses set-up in raw mode on the alternate screen,
 * raw byte input (keys are decoded by keys.c, not by curses), resize and
 * signal handling, and restoring the terminal on every way out: a normal
 * exit, SIGHUP/SIGTERM (flags the main loop acts on), and a crash (an
 * async-signal-safe handler writes the saved reset sequence and termios back
 * before the process dies).
 *
 * Contract: term_start() once; then term_read() in the loop; term_stop()
 * before any exit. Between start and stop nothing else writes to stdout.
 * Each refresh() reaches the terminal in one write(2), so a keystroke over
 * SSH costs one TCP segment; only an update larger than ncurses' buffer,
 * (LINES + 2) x (COLS + 6) bytes (2236 at 80x24), takes more, as a whole
 * repaint in Lao, Thai or Chinese can. Screen contents pass through
 * ncurses' own buffer only, never through stdio's; term_blank() and
 * term_stop() have written everything when they return.
 */
#ifndef INTAKE_TERM_H
#define INTAKE_TERM_H

#include <stddef.h>

enum term_event {
	TERM_INPUT,             /* bytes arrived */
	TERM_TIMEOUT,           /* nothing within the timeout */
	TERM_RESIZE,            /* the window changed size; curses already knows */
	TERM_HANGUP,            /* SIGHUP, SIGTERM, or the terminal went away */
};

/* Makes sure the locale is UTF-8: keeps the user's when it is, switches to
 * C.UTF-8 when it is not, and fails with a message when neither works. */
int term_locale_init(char *err, size_t errlen);

int term_start(char *err, size_t errlen);
void term_stop(void);                   /* idempotent */

/* Waits up to timeout_ms (-1: forever) for input or a signal. On TERM_INPUT
 * *n bytes are in buf. */
enum term_event term_read(int timeout_ms, unsigned char *buf, size_t cap, size_t *n);

/* Erases the screen and the terminal's scrollback at once (lock, hide). */
void term_blank(void);

int term_color(void);                   /* 0 under NO_COLOR or monochrome */
int term_cols(void);
int term_rows(void);

#define TERM_MIN_COLS 40
#define TERM_MIN_ROWS 20

#endif
