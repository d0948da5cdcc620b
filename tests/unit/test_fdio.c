/*
 * test_fdio.c — whole reads and writes (core/fdio.c), which bundle import,
 * XLSForm import, the CTDC export and `intake forms import` rely on to lose
 * no byte: pieces that arrive one at a time, a read a signal interrupts, a
 * file that ends early, and a write that cannot be made.
 */
#include "testutil.h"
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include "fdio.h"

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A writer that gives the bytes in pieces, after pauses, into a pipe. */
static pid_t
slow_writer(int fd, const char *text, size_t pieces)
{
	pid_t pid = fork();
	size_t len = strlen(text), step = (len + pieces - 1) / pieces;

	assert_true(pid >= 0);
	if (pid == 0) {
		for (size_t off = 0; off < len; off += step) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			if (write(fd, text + off, off + step > len ? len - off : step) < 0)
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

static void
reads_every_piece_through_signals(void **state)
{
	const char *text = "every byte of a bundle arrives, however slowly";
	struct sigaction sa, old;
	struct itimerval tick = { { 0, 5000 }, { 0, 5000 } }, off = { { 0, 0 }, { 0, 0 } };
	char buf[128];
	int p[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = slow_writer(p[1], text, 4);
	close(p[1]);
	/* Without SA_RESTART, each tick interrupts a read waiting on the pipe. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &tick, NULL), 0);
	assert_int_equal(fdio_read(p[0], buf, strlen(text)), strlen(text));
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	sigaction(SIGALRM, &old, NULL);
	assert_memory_equal(buf, text, strlen(text));
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void
a_file_that_ends_early_gives_what_it_has(void **state)
{
	char buf[64];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "short", 5), 5);
	close(p[1]);
	assert_int_equal(fdio_read(p[0], buf, sizeof buf), 5);
	assert_memory_equal(buf, "short", 5);
	assert_int_equal(fdio_read(p[0], buf, sizeof buf), 0);
	close(p[0]);
	/* A descriptor that cannot be read gives nothing, errno saying why. */
	errno = 0;
	assert_int_equal(fdio_read(-1, buf, sizeof buf), 0);
	assert_int_equal(errno, EBADF);
	assert_int_equal(fdio_read(-1, buf, 0), 0);
}

static void
writes_all_or_says_why(void **state)
{
	static char big[256 * 1024];
	char *back = malloc(sizeof big);
	struct sigaction sa, old;
	size_t got = 0;
	int p[2], status;
	pid_t pid;

	(void)state;
	assert_non_null(back);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	/* More than a pipe holds: the write goes on as the reader drains it. */
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(fdio_write(p[1], big, sizeof big) == 0 ? 0 : 1);
	}
	close(p[1]);
	got = fdio_read(p[0], back, sizeof big);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, sizeof big);
	assert_memory_equal(back, big, sizeof big);
	free(back);

	/* Nobody reading: the errno is returned, and left in errno. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGPIPE, &sa, &old), 0);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	errno = 0;
	assert_int_equal(fdio_write(p[1], "x", 1), EPIPE);
	assert_int_equal(errno, EPIPE);
	close(p[1]);
	sigaction(SIGPIPE, &old, NULL);
	assert_int_equal(fdio_write(-1, "x", 1), EBADF);
	assert_int_equal(fdio_write(-1, "x", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_piece_through_signals),
		cmocka_unit_test(a_file_that_ends_early_gives_what_it_has),
		cmocka_unit_test(writes_all_or_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
