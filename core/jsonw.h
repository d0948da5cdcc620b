/*
 * jsonw.h — JSON text written straight into a buffer, byte for byte as
 * jansson's json_dumps(JSON_COMPACT) writes the same values in the same
 * order: what a record is made of is written without building a tree of
 * values first (interview_json.c). Strings must be valid UTF-8; they are
 * escaped as jansson escapes them (\" \\ \b \f \n \r \t, other control
 * characters as \u00XX, nothing else). Numbers with a fraction are
 * formatted by jansson itself.
 *
 * Every call after a failure (out of memory, a NULL or invalid string)
 * does nothing, and jw_finish reports it: one failure fails the whole
 * text, never cuts a part out of it. Every buffer given up while growing,
 * and the text on failure, is wiped: it holds a record's plaintext.
 */
#ifndef INTAKE_JSONW_H
#define INTAKE_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#define JW_DEPTH 8

struct jsonw {
	char *p;
	size_t len, cap;
	bool failed;
	bool after_key;                 /* a key written, its value not yet */
	int depth;
	char open[JW_DEPTH];            /* '{' or '[' at each depth from 1 */
	size_t count[JW_DEPTH];         /* members or elements written there */
};

void jw_init(struct jsonw *w);
/* '{' or '['; jw_end closes the innermost. */
void jw_begin(struct jsonw *w, char open);
void jw_end(struct jsonw *w);
/* An object member's key; the value follows with one of the calls below. */
void jw_key(struct jsonw *w, const char *key);
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const char *s, size_t n);
void jw_null(struct jsonw *w);
void jw_bool(struct jsonw *w, bool b);
void jw_int(struct jsonw *w, long long n);
void jw_real(struct jsonw *w, double d);
/* The text, NUL-terminated, for interview_json_free (wipes, frees);
 * ST_NOMEM when anything failed. */
enum status jw_finish(struct jsonw *w, char **out, size_t *len);

#endif
