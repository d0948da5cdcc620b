/*
 * jsonw.c — JSON text written straight into a buffer (rules in jsonw.h).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "crypto.h"
#include "jsonw.h"

void
jw_init(struct jsonw *w)
{
	memset(w, 0, sizeof *w);
}

static void
fail(struct jsonw *w)
{
	if (w->p != NULL) {
		explicit_bzero(w->p, w->cap);
		free(w->p);
	}
	w->p = NULL;
	w->len = w->cap = 0;
	w->failed = true;
}

static void
put(struct jsonw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	if (n >= SIZE_MAX - w->len || wiped_grow(&w->p, &w->cap, w->len, w->len + n + 1, 2048)) {
		fail(w);
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

/* Before a value: the comma after an array's previous element; in an
 * object, the key before it. */
static void
value_start(struct jsonw *w)
{
	if (w->depth == 0) {
		if (w->len > 0)
			fail(w);        /* one value at the top */
	} else if (w->open[w->depth] == '{') {
		if (!w->after_key)
			fail(w);
	} else if (w->count[w->depth]++ > 0) {
		put(w, ",", 1);
	}
	w->after_key = false;
}

void
jw_begin(struct jsonw *w, char open)
{
	value_start(w);
	if (w->depth + 1 >= JW_DEPTH || (open != '{' && open != '[')) {
		fail(w);
		return;
	}
	put(w, &open, 1);
	w->depth++;
	w->open[w->depth] = open;
	w->count[w->depth] = 0;
}

void
jw_end(struct jsonw *w)
{
	if (w->depth == 0 || w->after_key) {
		fail(w);
		return;
	}
	put(w, w->open[w->depth] == '{' ? "}" : "]", 1);
	w->depth--;
}

static void
escaped(struct jsonw *w, const char *s, size_t n)
{
	const char *run = s, *end = s + n;

	if (u8_check((const uint8_t *)s, n) != NULL) {
		fail(w);
		return;
	}
	put(w, "\"", 1);
	for (const char *c = s; c < end; c++) {
		unsigned char ch = (unsigned char)*c;
		char seq[8];
		const char *text = seq;
		size_t len = 2;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		put(w, run, (size_t)(c - run));
		switch (ch) {
		case '"': text = "\\\""; break;
		case '\\': text = "\\\\"; break;
		case '\b': text = "\\b"; break;
		case '\f': text = "\\f"; break;
		case '\n': text = "\\n"; break;
		case '\r': text = "\\r"; break;
		case '\t': text = "\\t"; break;
		default:
			snprintf(seq, sizeof seq, "\\u%04X", ch);
			len = 6;
			break;
		}
		put(w, text, len);
		run = c + 1;
	}
	put(w, run, (size_t)(end - run));
	put(w, "\"", 1);
}

void
jw_key(struct jsonw *w, const char *key)
{
	if (key == NULL || w->depth == 0 || w->open[w->depth] != '{' || w->after_key) {
		fail(w);
		return;
	}
	if (w->count[w->depth]++ > 0)
		put(w, ",", 1);
	escaped(w, key, strlen(key));
	put(w, ":", 1);
	w->after_key = true;
}

void
jw_strn(struct jsonw *w, const char *s, size_t n)
{
	if (s == NULL) {
		fail(w);
		return;
	}
	value_start(w);
	escaped(w, s, n);
}

void
jw_str(struct jsonw *w, const char *s)
{
	jw_strn(w, s, s != NULL ? strlen(s) : 0);
}

void
jw_null(struct jsonw *w)
{
	value_start(w);
	put(w, "null", 4);
}

void
jw_bool(struct jsonw *w, bool b)
{
	value_start(w);
	put(w, b ? "true" : "false", b ? 4 : 5);
}

void
jw_int(struct jsonw *w, long long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%lld", n);

	value_start(w);
	put(w, buf, (size_t)len);
}

void
jw_real(struct jsonw *w, double d)
{
	/* jansson's own formatting (precision, a ".0" on whole numbers, its
	 * exponent form), whatever its version does. */
	char buf[64];
	json_t *r = json_real(d);
	size_t len = r != NULL ? json_dumpb(r, buf, sizeof buf, JSON_ENCODE_ANY) : 0;

	json_decref(r);
	if (len == 0 || len >= sizeof buf) {
		fail(w);
		return;
	}
	value_start(w);
	put(w, buf, len);
}

enum status
jw_finish(struct jsonw *w, char **out, size_t *len)
{
	*out = NULL;
	if (w->failed || w->depth != 0 || w->p == NULL) {
		fail(w);
		return ST_NOMEM;
	}
	*out = w->p;
	if (len != NULL)
		*len = w->len;
	w->p = NULL;
	w->len = w->cap = 0;
	return ST_OK;
}
