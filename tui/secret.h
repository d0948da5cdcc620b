/*
 * secret.h — passphrases as the program reads them.
 *
 * A passphrase lives in core's secure memory (secure_alloc: guard pages,
 * locked, never dumped) and is wiped by secret_free(). It is read from the terminal without echo,
 * from a file descriptor (--passphrase-fd) or from a file (--passphrase-file);
 * never from argv or the environment. One trailing newline is removed.
 */
#ifndef INTAKE_SECRET_H
#define INTAKE_SECRET_H

#include <stddef.h>

struct secret {
	char *buf;      /* NUL-terminated */
	size_t len;     /* bytes, without the NUL */
	size_t cap;     /* bytes of buf */
};

/* Each returns NULL and writes a message into err on failure. */
struct secret *secret_read_tty(const char *prompt, int echo, char *err, size_t errlen);
struct secret *secret_read_fd(int fd, char *err, size_t errlen);
struct secret *secret_read_file(const char *path, char *err, size_t errlen);
/* 1 when both hold the same bytes, compared in constant time; else 0. */
int secret_equal(const struct secret *a, const struct secret *b);
void secret_free(struct secret *s);            /* NULL-safe; wipes */

#endif
