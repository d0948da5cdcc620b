/*
 * fdio.c — whole reads and writes on a file descriptor (fdio.h).
 */
#include <errno.h>
#include <unistd.h>

#include "fdio.h"

size_t
fdio_read(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

int
fdio_write(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
