/* term.c — the terminal under the screens: locale, curses set-up, raw
 * input, resize and signals, and restoring the terminal on every way out. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

static int started;
static int has_color;
static struct termios saved_tio;
static int saved_tio_ok;
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_winch, got_hangup;
/* Written by the crash handler: leave the alternate screen, show the cursor,
 * reset attributes. Filled from terminfo at start. */
static char crash_reset[256];
static size_t crash_reset_len;

static int
is_utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Only the character set is taken from the environment: numbers, dates and
 * sorting stay the same for every user (a decimal comma has no place in an
 * export), and start-up reads one locale file instead of thirteen. */
int
term_locale_init(char *err, size_t errlen)
{
	if (setlocale(LC_CTYPE, "") != NULL && is_utf8_locale())
		return 0;
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL && is_utf8_locale())
		return 0;
	snprintf(err, errlen, "this terminal's locale is not UTF-8 and C.UTF-8 is not "
	    "installed: Lao, Thai and Chinese cannot be shown. Set LANG to a UTF-8 "
	    "locale (for example LANG=C.UTF-8) and try again");
	return -1;
}

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_hangup = 1;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

static void
on_crash(int sig)
{
	if (crash_reset_len > 0 && write(STDOUT_FILENO, crash_reset, crash_reset_len) < 0) {
		/* Nothing more can be done while dying. */
	}
	if (saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
add_cap(const char *name)
{
	const char *s = tigetstr(name);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (crash_reset_len + n < sizeof crash_reset) {
		memcpy(crash_reset + crash_reset_len, s, n);
		crash_reset_len += n;
	}
}

static int
install_signals(char *err, size_t errlen)
{
	struct sigaction sa;
	int crash_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof crash_sigs / sizeof crash_sigs[0]; i++)
		sigaction(crash_sigs[i], &sa, NULL);
	return 0;
}

/*
 * One write(2) per screen update. ncurses keeps its own output buffer, big
 * enough for a whole screen, and writes it with write(2) on the terminal's
 * descriptor, past stdio (so setvbuf on stdout changes nothing). But until
 * the first endwin(), ncurses 6.4 takes every cursor move of doupdate() for
 * a call from a low-level terminfo program and flushes after it: an update
 * reached the terminal as one write per line or jump, each a TCP segment of
 * its own over SSH. Once a screen has been ended and refreshed, a move no
 * longer flushes and doupdate() writes its buffer once, at its end.
 * endwin() followed by refresh() is the documented way back from a shell
 * escape; here it costs some 70 bytes at start-up (leaving and re-entering
 * the alternate screen, in the same millisecond, before anything is drawn)
 * and restores the raw mode set above.
 */
static void
batch_updates(void)
{
	endwin();
	refresh();
}

int
term_start(char *err, size_t errlen)
{
	const char *no_color = getenv("NO_COLOR");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the interactive program needs a terminal; "
		    "for scripts use the commands in `intake --help`");
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		saved_tio_ok = 1;
	if (install_signals(err, errlen) != 0)
		return -1;
	/* A short ESCDELAY keeps Esc responsive over slow links; we decode
	 * escape sequences ourselves in keys.c anyway. */
	set_escdelay(25);
	if (newterm(NULL, stdout, stdin) == NULL) {
		snprintf(err, errlen, "cannot use terminal type '%s': set TERM (for "
		    "example TERM=xterm-256color or TERM=linux)",
		    getenv("TERM") ? getenv("TERM") : "(unset)");
		return -1;
	}
	started = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, FALSE);
	leaveok(stdscr, FALSE);
	has_color = has_colors() && (no_color == NULL || no_color[0] == '\0');
	if (has_color) {
		start_color();
		use_default_colors();
	}
	/* Clear first: on a terminal without an alternate screen (the Linux
	 * console) the answers would otherwise stay visible after a crash. */
	add_cap("clear");
	add_cap("rmcup");
	add_cap("sgr0");
	add_cap("cnorm");
	if (crash_reset_len + 4 < sizeof crash_reset) {
		memcpy(crash_reset + crash_reset_len, "\033[3J", 4);
		crash_reset_len += 4;
	}
	batch_updates();
	return 0;
}

void
term_blank(void)
{
	if (!started)
		return;
	clear();
	refresh();
	/* E3: erase the scrollback too, where the terminal supports it. */
	fputs("\033[3J", stdout);
	fflush(stdout);
}

void
term_stop(void)
{
	if (!started)
		return;
	started = 0;
	clear();
	refresh();
	endwin();
	fputs("\033[3J", stdout);
	fflush(stdout);
	if (saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
}

static void
adopt_size(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

enum term_event
term_read(int timeout_ms, unsigned char *buf, size_t cap, size_t *n)
{
	struct pollfd fds[2];
	char drain[64];
	ssize_t r;

	*n = 0;
	for (;;) {
		if (got_hangup)
			return TERM_HANGUP;
		if (got_winch) {
			got_winch = 0;
			adopt_size();
			return TERM_RESIZE;
		}
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		fds[1].fd = sig_pipe[0];
		fds[1].events = POLLIN;
		r = poll(fds, 2, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return TERM_HANGUP;
		if (r == 0)
			return TERM_TIMEOUT;
		if (fds[1].revents & POLLIN) {
			while (read(sig_pipe[0], drain, sizeof drain) > 0)
				;
			continue;
		}
		/* A dropped SSH link shows as POLLHUP/POLLERR, EOF or EIO: stop,
		 * never spin on it. */
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return TERM_HANGUP;
		r = read(STDIN_FILENO, buf, cap);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return TERM_HANGUP;
		*n = (size_t)r;
		return TERM_INPUT;
	}
}

int term_color(void) { return has_color; }
int term_cols(void) { return COLS; }
int term_rows(void) { return LINES; }
