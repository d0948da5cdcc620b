/*
 * fdio.h — reads and writes on a file descriptor that finish what they
 * start: a call a signal interrupts (EINTR) is made again, and a short read
 * or write goes on from where it stopped. Nothing here prints or allocates.
 */
#ifndef INTAKE_FDIO_H
#define INTAKE_FDIO_H

#include <stddef.h>

/* Reads into buf until len bytes, the end of the file or a failed read;
 * returns how many bytes were read. Fewer than len: the file ended (errno
 * untouched) or a read failed (errno says why); a caller that needs all
 * len bytes compares. */
size_t fdio_read(int fd, void *buf, size_t len);

/* Writes all len bytes of buf. Returns 0, or an errno value (EIO for a
 * write that wrote nothing), which errno also holds. */
int fdio_write(int fd, const void *buf, size_t len);

#endif
