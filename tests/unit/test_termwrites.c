/*
 * test_termwrites.c — a screen update reaches the terminal in one write(2).
 *
 * Over SSH every write the program makes on its terminal tends to leave as a
 * TCP segment of its own; an update cut into one write per cursor jump costs
 * a phone on a slow link headers and round trips for nothing. The program
 * runs here in a pseudo-terminal (80x24, xterm-256color) on a fresh vault;
 * after a key that changes several lines, the write(2) calls it makes on the
 * terminal are counted: under strace when it is installed (exact), else as
 * the chunks that arrive on the terminal side until it has been quiet for a
 * while (writes that follow each other closely can arrive as one chunk, so
 * without strace the test can only miss a split, never invent one). Never
 * timing: the count is what is asserted.
 *
 * Then quick hide and SIGTERM: the scrollback erase and the exit from the
 * alternate screen reach the terminal, none of it left in a buffer.
 *
 * Needs INTAKE (the program), as `make test` sets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"
#include "vault.h"

#define USER    "ana"
#define PASS    "pty test passphrase"
#define QUIET   300             /* ms without output: the update is complete */
#define WAIT    15000           /* ms: longest wait for any screen */

struct prog {
	pid_t pid;
	int fd;
	char *screen;           /* everything written, NULs dropped */
	size_t len, cap;
	unsigned chunks;        /* reads that returned data */
	char trace[PATH_MAX];   /* strace's log, or "" */
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *
strace_path(void)
{
	static const char *const where[] = { "/usr/bin/strace", "/bin/strace" };

	char cmd[128];

	/* Installed, and allowed to trace here (a container may forbid it). */
	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
		snprintf(cmd, sizeof cmd, "%s -qq -e trace=write -o /dev/null true "
		    ">/dev/null 2>&1", where[i]);
		if (access(where[i], X_OK) == 0 && system(cmd) == 0)
			return where[i];
	}
	return NULL;
}

/* Reads what arrives within ms; returns the bytes read, 0 on silence, -1 at
 * the end. */
static ssize_t
pump(struct prog *p, int ms)
{
	char buf[65536];
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pf, 1, ms) <= 0)
		return 0;
	n = read(p->fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	p->chunks++;
	if (p->len + (size_t)n + 1 > p->cap) {
		p->cap = (p->len + (size_t)n + 1) * 2;
		p->screen = realloc(p->screen, p->cap);
		assert_non_null(p->screen);
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] != '\0')
			p->screen[p->len++] = buf[i];
	p->screen[p->len] = '\0';
	return n;
}

/* Waits for text to appear after byte `from`, then for silence. */
static void
wait_for(struct prog *p, size_t from, const char *text)
{
	double end = now_ms() + WAIT;

	while (p->screen == NULL || p->len < from || strstr(p->screen + from, text) == NULL) {
		if (now_ms() > end || pump(p, 100) < 0)
			fail_msg("\"%s\" never reached the terminal", text);
	}
	while (pump(p, QUIET) > 0)
		;
}

/* write(2) calls on the terminal (descriptor 1) so far, from strace's log. */
static unsigned
traced_writes(const struct prog *p)
{
	size_t len = 0;
	char *log = tu_slurp(p->trace, &len), *s;
	unsigned n = 0;

	assert_non_null(log);
	for (s = log; (s = strstr(s, "write(1,")) != NULL; s++)
		n++;
	free(log);
	return n;
}

/* The program's own process: under strace, strace's child. */
static pid_t
program_pid(const struct prog *p)
{
	char path[64];
	FILE *f;
	int child = 0;

	if (!p->trace[0])
		return p->pid;
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)p->pid, (int)p->pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &child), 1);
	fclose(f);
	return (pid_t)child;
}

static void
start(struct prog *p, const char *vault, const char *dir)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	const char *intake = getenv("INTAKE"), *st = strace_path();
	char forms[PATH_MAX];

	assert_non_null(intake);
	assert_non_null(getcwd(forms, sizeof forms - 32));
	strcat(forms, "/tests/e2e/forms");
	memset(p, 0, sizeof *p);
	if (st)
		snprintf(p->trace, sizeof p->trace, "%s/strace.log", dir);
	p->pid = forkpty(&p->fd, NULL, NULL, &ws);
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		unsetenv("LC_ALL");
		unsetenv("LINES");
		unsetenv("COLUMNS");
		unsetenv("NO_COLOR");
		setenv("INTAKE_FORMS", forms, 1);
		setenv("INTAKE_IDLE_SECONDS", "3600", 1);
		if (st)
			execl(st, "strace", "-f", "-qq", "-e", "trace=write", "-o", p->trace,
			    intake, "--vault", vault, (char *)NULL);
		else
			execl(intake, "intake", "--vault", vault, (char *)NULL);
		_exit(127);
	}
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
}

static void
stop(struct prog *p)
{
	double end = now_ms() + 3000;
	int status;

	kill(p->pid, SIGTERM);
	while (now_ms() < end && pump(p, 50) >= 0)
		;
	if (waitpid(p->pid, &status, WNOHANG) == 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
	}
	close(p->fd);
	free(p->screen);
}

/* Sends keys and counts the writes until the answer, holding `expect`, has
 * settled. */
static unsigned
writes_for(struct prog *p, const char *keys, const char *expect)
{
	size_t mark = p->len;
	unsigned before_chunks = p->chunks, before_traced = p->trace[0] ? traced_writes(p) : 0;

	assert_int_equal(write(p->fd, keys, strlen(keys)), (ssize_t)strlen(keys));
	wait_for(p, mark, expect);
	if (p->trace[0])
		return traced_writes(p) - before_traced;
	return p->chunks - before_chunks;
}

static void
test_one_write_per_update(void **state)
{
	char *dir = tu_tmpdir("termwrites"), vault[PATH_MAX];
	struct vault_kdf kdf = { 1, 8 };
	struct vault *v = vault_new();
	struct prog p;

	(void)state;
	snprintf(vault, sizeof vault, "%s/vault", dir);
	assert_non_null(v);
	assert_int_equal(vault_create(v, vault, USER, PASS, strlen(PASS), &kdf), ST_OK);
	vault_close(v);

	start(&p, vault, dir);
	wait_for(&p, 0, "Unlock the vault");
	/* The user name accepted: the label of the field left, the label of
	 * the next and the cursor change on three lines, one update. */
	assert_int_equal(writes_for(&p, USER "\r", "Passphrase"), 1);
	assert_true(writes_for(&p, PASS "\r", "Start a new interview") >= 1);
	/* The case list becomes the choice of questionnaire: most lines change. */
	assert_int_equal(writes_for(&p, "\r", "Typing test"), 1);
	/* The questionnaire becomes the choice of language. */
	assert_int_equal(writes_for(&p, "\r", "The respondent's language"), 1);
	/* Quick hide (^Q): the blanking and the scrollback erase reach the
	 * terminal at once, nothing of the screen left in a buffer. */
	writes_for(&p, "\x11", "\033[3J");
	/* SIGTERM: the program leaves the alternate screen before it ends. */
	{
		size_t mark = p.len;

		kill(program_pid(&p), SIGTERM);
		wait_for(&p, mark, "\033[?1049l");
	}
	stop(&p);
	tu_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_write_per_update),
	};

	umask(077);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
