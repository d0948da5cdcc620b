/* diag.c — the list of compiler-style diagnostics (file:line:col: level:
 * message) that checking a form or a referrals file collects. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void
diag_list_init(struct diag_list *dl)
{
	memset(dl, 0, sizeof *dl);
}

void
diag_list_free(struct diag_list *dl)
{
	if (dl == NULL)
		return;
	for (size_t i = 0; i < dl->count; i++) {
		free(dl->items[i].file);
		free(dl->items[i].msg);
	}
	free(dl->items);
	diag_list_init(dl);
}

enum status
diag_add(struct diag_list *dl, enum diag_level level, const char *file,
    unsigned line, unsigned col, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;
	char buf[1024];
	int n;

	if (level == DIAG_ERROR)
		dl->errors++;
	else
		dl->warnings++;
	if (dl->count >= DIAG_MAX)
		return ST_FULL;
	if (dl->count == dl->cap) {
		size_t ncap = dl->cap ? dl->cap * 2 : 16;
		struct diag *items = realloc(dl->items, ncap * sizeof *items);

		if (items == NULL)
			return ST_NOMEM;
		dl->items = items;
		dl->cap = ncap;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ST_INTERNAL;
	/* A message longer than the buffer is cut; mark the cut visibly. */
	if ((size_t)n >= sizeof buf)
		memcpy(buf + sizeof buf - 4, "...", 4);
	d = &dl->items[dl->count];
	d->level = level;
	d->line = line;
	d->col = col;
	d->file = strdup(file ? file : "");
	d->msg = strdup(buf);
	if (d->file == NULL || d->msg == NULL) {
		free(d->file);
		free(d->msg);
		return ST_NOMEM;
	}
	dl->count++;
	return ST_OK;
}

int
diag_format(const struct diag *d, char *buf, size_t size)
{
	const char *lvl = d->level == DIAG_ERROR ? "error" : "warning";

	if (d->line == 0)
		return snprintf(buf, size, "%s: %s: %s", d->file, lvl, d->msg);
	return snprintf(buf, size, "%s:%u:%u: %s: %s", d->file, d->line,
	    d->col, lvl, d->msg);
}

size_t
diag_dropped(const struct diag_list *dl)
{
	return dl->errors + dl->warnings - dl->count;
}
