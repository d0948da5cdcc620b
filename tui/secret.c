/* secret.c — passphrases in core's secure memory, read from the terminal
 * without echo, a file descriptor or a file. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crypto.h"
#include "secret.h"

#define SECRET_CAP 4096         /* passphrases are at most 1 KiB */

/* The buffer comes from core's secure memory (guard pages, locked out of
 * swap, never in a core dump, wiped when freed). */
static struct secret *
secret_alloc(void)
{
	struct secret *s;

	if (crypto_init() != ST_OK || (s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	if ((s->buf = secure_alloc(SECRET_CAP)) == NULL) {
		free(s);
		return NULL;
	}
	memset(s->buf, 0, SECRET_CAP);
	s->cap = SECRET_CAP;
	return s;
}

void
secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	secure_free(s->buf);
	explicit_bzero(s, sizeof *s);
	free(s);
}

int
secret_equal(const struct secret *a, const struct secret *b)
{
	return a->len == b->len && crypto_equal(a->buf, b->buf, a->len);
}

static void
strip_newline(struct secret *s)
{
	if (s->len > 0 && s->buf[s->len - 1] == '\n')
		s->buf[--s->len] = '\0';
	if (s->len > 0 && s->buf[s->len - 1] == '\r')
		s->buf[--s->len] = '\0';
}

/* Reads until EOF (or a newline when line is set), refusing more than fits. */
static struct secret *
read_into(int fd, int line, char *err, size_t errlen)
{
	struct secret *s = secret_alloc();
	ssize_t n;

	if (s == NULL) {
		snprintf(err, errlen, "cannot allocate locked memory for the passphrase");
		return NULL;
	}
	for (;;) {
		if (s->len + 1 >= s->cap) {
			snprintf(err, errlen, "passphrase is longer than %zu bytes", s->cap - 2);
			secret_free(s);
			return NULL;
		}
		n = read(fd, s->buf + s->len, line ? 1 : s->cap - 1 - s->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read passphrase: %s", strerror(errno));
			secret_free(s);
			return NULL;
		}
		if (n == 0)
			break;
		s->len += (size_t)n;
		if (line && s->buf[s->len - 1] == '\n')
			break;
	}
	s->buf[s->len] = '\0';
	strip_newline(s);
	return s;
}

struct secret *
secret_read_fd(int fd, char *err, size_t errlen)
{
	/* A descriptor may carry two passphrases (old and new): read one line. */
	return read_into(fd, 1, err, errlen);
}

struct secret *
secret_read_file(const char *path, char *err, size_t errlen)
{
	struct secret *s;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open passphrase file %s: %s", path, strerror(errno));
		return NULL;
	}
	s = read_into(fd, 0, err, errlen);
	close(fd);
	return s;
}

/* The terminal state to restore if a signal arrives while echo is off. */
static struct termios saved_tio;
static volatile sig_atomic_t tty_fd_for_restore = -1;

static void
restore_and_reraise(int sig)
{
	if (tty_fd_for_restore >= 0)
		tcsetattr(tty_fd_for_restore, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

struct secret *
secret_read_tty(const char *prompt, int echo, char *err, size_t errlen)
{
	struct termios tio;
	struct sigaction sa, old_int, old_term, old_hup, old_quit;
	struct secret *s;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(err, errlen,
		    "no terminal to ask on: use --passphrase-file F or --passphrase-fd N");
		return NULL;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		/* The prompt is a courtesy; reading still works. */
	}
	if (!echo && tcgetattr(fd, &saved_tio) != 0) {
		/* Never read a passphrase with echo on. */
		snprintf(err, errlen, "cannot turn off echo on this terminal: use "
		    "--passphrase-file F or --passphrase-fd N");
		close(fd);
		return NULL;
	}
	if (!echo) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = restore_and_reraise;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		sigaction(SIGHUP, &sa, &old_hup);
		sigaction(SIGQUIT, &sa, &old_quit);
		tty_fd_for_restore = fd;
		tio = saved_tio;
		tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tio.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &tio);
	}
	s = read_into(fd, 1, err, errlen);
	if (!echo && tty_fd_for_restore >= 0) {
		tcsetattr(fd, TCSAFLUSH, &saved_tio);
		tty_fd_for_restore = -1;
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		if (write(fd, "\n", 1) < 0) {
			/* nothing to do: the newline only tidies the screen */
		}
	}
	close(fd);
	return s;
}
