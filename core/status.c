/*
 * status.c — the texts of the status codes, and messages into a caller's
 * buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

static const char *const status_text[] = {
#define STATUS_TEXT(name, text) [name] = text,
	STATUS_LIST(STATUS_TEXT)
#undef STATUS_TEXT
};

const char *
status_str(enum status st)
{
	if ((unsigned)st >= ST__COUNT)
		return "unknown status";
	return status_text[st];
}

static void
status_vmsg(char *err, size_t errlen, const char *fmt, va_list ap)
{
	int n;

	if (err == NULL || errlen == 0)
		return;
	n = vsnprintf(err, errlen, fmt, ap);
	if (n < 0)
		err[0] = '\0';
	else if ((size_t)n >= errlen && errlen > 4)
		memcpy(err + errlen - 4, "...", 4);
}

void
status_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status_vmsg(err, errlen, fmt, ap);
	va_end(ap);
}

enum status
status_fail(char *err, size_t errlen, enum status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status_vmsg(err, errlen, fmt, ap);
	va_end(ap);
	return st;
}
