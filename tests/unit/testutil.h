/*
 * testutil.h — small helpers shared by the cmocka unit tests.
 * Header-only so each test binary stays a single source file.
 */
#ifndef INTAKE_TESTUTIL_H
#define INTAKE_TESTUTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

/* A fresh private directory under $TMPDIR (or /tmp); remove with tu_rmtree. */
static inline char *
tu_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *path = malloc(4096);

	assert_non_null(path);
	snprintf(path, 4096, "%s/intake-%s.XXXXXX", base && *base ? base : "/tmp", tag);
	assert_non_null(mkdtemp(path));
	return path;
}

static inline void
tu_rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[4096];
	struct stat st;

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof sub, "%s/%.255s", path, e->d_name) >= (int)sizeof sub)
			continue;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			tu_rmtree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(path);
}

/* Reads a whole file; *len receives its size. NULL if unreadable. */
static inline char *
tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	return buf;
}

/* Path of a file in the source tree (tests run from the repository root). */
#define TU_SRC(rel) (rel)

/* For tests of the vault (they include vault.h): a call's status, and on
 * failure the vault's own message. */
#define assert_st(v, expr, want) do {                                         \
	enum status st_ = (expr);                                                 \
	if (st_ != (want))                                                        \
		fail_msg("%s -> %s (wanted %s): %s", #expr, status_str(st_),          \
		    status_str(want), vault_errmsg(v));                               \
} while (0)
#define assert_ok(v, expr) do {                                               \
	enum status st_ = (expr);                                                 \
	if (st_ != ST_OK)                                                         \
		fail_msg("%s -> %s: %s", #expr, status_str(st_), vault_errmsg(v));    \
} while (0)

/* What vault_verify said, kept for the test to look at: the first 32
 * problems (each cut at 512 bytes, VAULT_MSG_MAX) and how many in all.
 * tu_problem is the callback; tu_said whether one holds the text part. */
struct tu_problems {
	char text[32][512];
	size_t n;
};

static inline void
tu_problem(void *ctx, const char *problem)
{
	struct tu_problems *p = ctx;

	if (p->n < 32)
		snprintf(p->text[p->n], sizeof p->text[p->n], "%s", problem);
	p->n++;
}

static inline int
tu_said(const struct tu_problems *p, const char *part)
{
	for (size_t i = 0; i < p->n && i < 32; i++)
		if (strstr(p->text[i], part) != NULL)
			return 1;
	return 0;
}

#endif
