/*
 * diag.h — diagnostics collected while checking a form and its referrals file.
 *
 * Each entry is one line a user can act on, formatted like a compiler's:
 *   forms/screening.yaml:12:7: error: unknown question type 'number' (use one of: ...)
 * Lines and columns are 1-based; columns count characters, not bytes. A line
 * of 0 means "the whole file" and is printed without a position.
 *
 * Contracts:
 *  - A zero-initialised struct diag_list is valid (diag_list_init does that).
 *  - The list keeps at most DIAG_MAX entries; `errors` and `warnings` count
 *    every diagnostic added, stored or not, so a caller can rely on
 *    `errors == 0` meaning "nothing was wrong", even after an allocation
 *    failure dropped a message.
 *  - Strings inside entries belong to the list; diag_list_free releases them.
 */
#ifndef INTAKE_DIAG_H
#define INTAKE_DIAG_H

#include <stddef.h>
#include "status.h"

#define DIAG_MAX 500

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag {
	enum diag_level level;
	char *file;
	unsigned line;          /* 1-based; 0 = no position */
	unsigned col;           /* 1-based, in characters */
	char *msg;              /* what happened and what to write instead */
};

struct diag_list {
	struct diag *items;
	size_t count;           /* stored entries */
	size_t cap;
	size_t errors;          /* every error added, stored or dropped */
	size_t warnings;
};

void diag_list_init(struct diag_list *dl);
void diag_list_free(struct diag_list *dl);

/* Adds one diagnostic. ST_FULL once DIAG_MAX entries are stored (still
 * counted), ST_NOMEM if the copy failed (still counted). */
enum status diag_add(struct diag_list *dl, enum diag_level level,
    const char *file, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* "file:line:col: error: msg" into buf, like snprintf: returns the length the
 * full text needs (so a result >= size means it was truncated). */
int diag_format(const struct diag *d, char *buf, size_t size);

/* Number of entries that did not fit in the list (errors + warnings - count). */
size_t diag_dropped(const struct diag_list *dl);

#endif
