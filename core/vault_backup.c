/*
 * vault_backup.c — vault_backup: a compacted, synced copy of an open
 * vault's data into a new or empty directory, taken while other processes
 * keep writing (a restore is that copy put back in place: README.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vault_int.h"

/* ---- backup --------------------------------------------------------------- */

/* Copies the environment into fd, adopting a map grown by another process
 * (the copy's read transaction would otherwise fail with MDB_MAP_RESIZED). */
static int
backup_copy(struct vault *v, int fd)
{
	int rc = 0;

	for (int tries = 0; tries < 8; tries++) {
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
			return errno;
		rc = mdb_env_copyfd2(v->env, fd, MDB_CP_COMPACT);
		if (rc != MDB_MAP_RESIZED)
			break;
		rc = mdb_env_set_mapsize(v->env, 0);
		if (rc != 0)
			break;
		rc = MDB_MAP_RESIZED;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = errno;
	return rc;
}

enum status
vault_backup(struct vault *v, const char *dest)
{
	char data[PATH_MAX];
	struct stat sb;
	int made = 0, created = 0, fd = -1, dfd, rc, n;
	enum status st;

	if ((st = vault_need_open(v)) != ST_OK)
		return st;
	if (v->scanning)
		return vault_fail(v, ST_BUSY, "cannot back up while the vault is being scanned");
	if (dest == NULL || dest[0] == '\0')
		return vault_fail(v, ST_INVALID, "no backup directory given");
	n = snprintf(data, sizeof data, "%s/data.mdb", dest);
	if (n < 0 || (size_t)n >= sizeof data)
		return vault_fail(v, ST_INVALID, "the backup path is too long");
	/* Missing parents are made 0700, as vault_create() makes them. */
	for (char *p = data + 1; p < data + n - (int)sizeof "/data.mdb" + 1; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(data, 0700) != 0 && errno != EEXIST) {
			st = vault_fail(v, ST_IO, "cannot create the directory %s: %s", data,
			    strerror(errno));
			*p = '/';
			return st;
		}
		*p = '/';
	}
	if (mkdir(dest, 0700) == 0)
		made = 1;
	else if (errno != EEXIST)
		return vault_fail(v, ST_IO, "cannot create the backup directory %s: %s", dest,
		    strerror(errno));
	else if (lstat(dest, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return vault_fail(v, ST_EXISTS, "%s exists and is not a directory: choose a new "
		    "directory for the backup", dest);
	else if (vault_dir_has_entries(dest))
		return vault_fail(v, ST_EXISTS,
		    "%s is not empty: choose a new or empty directory for "
		    "the backup, so that no earlier backup is overwritten", dest);
	if (chmod(dest, 0700) != 0) {
		st = vault_fail(v, ST_IO, "cannot make %s private: %s", dest, strerror(errno));
		goto failed;
	}
	fd = open(data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		st = vault_fail(v, ST_IO, "cannot create %s: %s", data, strerror(errno));
		goto failed;
	}
	created = 1;
	if (fchmod(fd, 0600) != 0) {
		st = vault_fail(v, ST_IO, "cannot set the permissions of %s: %s", data,
		    strerror(errno));
		goto failed;
	}
	rc = backup_copy(v, fd);
	if (rc == 0 && close(fd) != 0)
		rc = errno;
	fd = -1;
	if (rc != 0) {
		st = vault_fail_mdb(v, rc, "writing the backup");
		goto failed;
	}
	/* The new directory entry must reach the disk too, or the backup may
	 * vanish with a power cut after it was reported made. EINVAL: this
	 * file system cannot sync a directory (and needs no such sync). */
	dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (fsync(dfd) != 0 && errno != EINVAL)) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		st = vault_fail(v, ST_IO,
		    "cannot flush the backup directory %s to disk: %s; nothing "
		    "was kept there: try again", dest, strerror(e));
		goto failed;
	}
	close(dfd);
	return ST_OK;
failed:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(data);
	if (made)
		rmdir(dest);
	return st;
}
