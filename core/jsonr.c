/*
 * jsonr.c — JSON text read into jansson values (see jsonr.h).
 *
 * A recursive descent over the bytes, building values with jansson's own
 * constructors (so they come from whatever allocator jansson was given:
 * an import's rebuild threads give each its arena). Every rule below is
 * one json_loadb applies; where this reader would have to decide
 * something jansson decides differently or reports, it gives up, and
 * jsonr_load asks jansson.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "crypto.h"
#include "jsonr.h"

struct reader {
	const char *p, *end;
	size_t flags;
	int depth;
	char *buf;              /* unescaped strings; wiped before freed */
	size_t cap;
};

static atomic_size_t deferred;

size_t
jsonr_test_deferred(void)
{
	return atomic_exchange(&deferred, 0);
}

/* Reals are read in the C locale, as jansson reads them, whatever
 * LC_NUMERIC the program runs in. */
static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void
c_numeric_make(void)
{
	c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static void
skip_space(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
		r->p++;
}

static int
room(struct reader *r, size_t used, size_t more)
{
	return more > SIZE_MAX - used ? -1 : wiped_grow(&r->buf, &r->cap, used, used + more, 256);
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* One escape at r->p (just past its backslash), appended to r->buf at
 * *used. \u0000 and lone surrogates are left to jansson, which refuses
 * them. */
static int
escape(struct reader *r, size_t *used)
{
	unsigned cp, lo;
	char c;

	if (r->p == r->end || room(r, *used, 4) != 0)
		return -1;
	c = *r->p++;
	switch (c) {
	case '"': case '\\': case '/':
		r->buf[(*used)++] = c;
		return 0;
	case 'b': r->buf[(*used)++] = '\b'; return 0;
	case 'f': r->buf[(*used)++] = '\f'; return 0;
	case 'n': r->buf[(*used)++] = '\n'; return 0;
	case 'r': r->buf[(*used)++] = '\r'; return 0;
	case 't': r->buf[(*used)++] = '\t'; return 0;
	case 'u':
		break;
	default:
		return -1;
	}
	if (r->end - r->p < 4 || hex4(r->p, &cp) != 0 || cp == 0)
		return -1;
	r->p += 4;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return -1;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
		    hex4(r->p + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		r->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	*used += (size_t)u8_uctomb((uint8_t *)r->buf + *used, cp, 4);
	return 0;
}

/* The string at r->p (just past its opening quote), as *s and *len: in
 * the text itself when it has no escape, else in r->buf. */
static int
string(struct reader *r, const char **s, size_t *len)
{
	const char *q = r->p;
	size_t used = 0;

	while (q < r->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
		q++;
	if (q < r->end && *q == '"') {
		if (u8_check((const uint8_t *)r->p, (size_t)(q - r->p)) != NULL)
			return -1;
		*s = r->p;
		*len = (size_t)(q - r->p);
		r->p = q + 1;
		return 0;
	}
	for (;;) {
		size_t n = (size_t)(q - r->p);

		if (q == r->end || (unsigned char)*q < 0x20 || room(r, used, n) != 0)
			return -1;
		memcpy(r->buf + used, r->p, n);
		used += n;
		r->p = q + 1;
		if (*q == '"')
			break;
		if (escape(r, &used) != 0)
			return -1;
		for (q = r->p; q < r->end && *q != '"' && *q != '\\' &&
		    (unsigned char)*q >= 0x20; q++)
			;
	}
	if (u8_check((const uint8_t *)r->buf, used) != NULL)
		return -1;
	*s = r->buf;
	*len = used;
	return 0;
}

static bool
digit(const struct reader *r, const char *q)
{
	return q < r->end && *q >= '0' && *q <= '9';
}

static json_t *
number(struct reader *r)
{
	const char *start = r->p, *q = r->p;
	bool neg = *q == '-', real = false;
	char text[64], *stop;
	json_int_t v = 0;
	double d;

	q += neg;
	if (!digit(r, q))
		return NULL;
	if (*q == '0') {
		if (digit(r, ++q))
			return NULL;    /* a leading zero */
	} else {
		while (digit(r, q))
			q++;
	}
	if (q < r->end && *q == '.') {
		if (!digit(r, ++q))
			return NULL;
		while (digit(r, q))
			q++;
		real = true;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (!digit(r, q))
			return NULL;
		while (digit(r, q))
			q++;
		real = true;
	}
	r->p = q;
	if (!real) {
		for (const char *p = start + neg; p < q; p++) {
			int dg = *p - '0';

			if (neg ? v < (LLONG_MIN + dg) / 10 : v > (LLONG_MAX - dg) / 10)
				return NULL;    /* jansson: too big an integer */
			v = neg ? v * 10 - dg : v * 10 + dg;
		}
		return json_integer(v);
	}
	if ((size_t)(q - start) >= sizeof text)
		return NULL;
	pthread_once(&c_numeric_once, c_numeric_make);
	if (c_numeric == (locale_t)0)
		return NULL;
	memcpy(text, start, (size_t)(q - start));
	text[q - start] = '\0';
	errno = 0;
	d = strtod_l(text, &stop, c_numeric);
	/* Out of range either way: left to jansson, which refuses an
	 * overflow and takes an underflow. */
	if (stop != text + (q - start) || errno == ERANGE)
		return NULL;
	return json_real(d);
}

static json_t *value(struct reader *r);

static json_t *
object(struct reader *r)
{
	json_t *o = json_object();

	skip_space(r);
	if (o != NULL && r->p < r->end && *r->p == '}') {
		r->p++;
		return o;
	}
	while (o != NULL) {
		const char *k;
		char *copy = NULL;
		size_t klen;
		json_t *val;
		int rc;

		if (r->p == r->end || *r->p != '"')
			break;
		r->p++;
		if (string(r, &k, &klen) != 0)
			break;
		if (k == r->buf) {
			/* The value may unescape into the same buffer. */
			if ((copy = malloc(klen ? klen : 1)) == NULL)
				break;
			k = memcpy(copy, k, klen);
		}
		if ((r->flags & JSON_REJECT_DUPLICATES) && json_object_getn(o, k, klen) != NULL)
			val = NULL;
		else if (skip_space(r), r->p == r->end || *r->p++ != ':')
			val = NULL;
		else
			val = value(r);
		rc = val != NULL ? json_object_setn_new_nocheck(o, k, klen, val) : -1;
		if (copy != NULL) {
			secure_wipe(copy, klen);
			free(copy);
		}
		if (rc != 0)
			break;
		skip_space(r);
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return o;
		}
		if (r->p == r->end || *r->p++ != ',')
			break;
		skip_space(r);
	}
	json_decref(o);
	return NULL;
}

static json_t *
array(struct reader *r)
{
	json_t *a = json_array(), *val;

	skip_space(r);
	if (a != NULL && r->p < r->end && *r->p == ']') {
		r->p++;
		return a;
	}
	while (a != NULL && (val = value(r)) != NULL && json_array_append_new(a, val) == 0) {
		skip_space(r);
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return a;
		}
		if (r->p == r->end || *r->p++ != ',')
			break;
	}
	json_decref(a);
	return NULL;
}

static bool
word(struct reader *r, const char *w, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return false;
	r->p += n;
	return true;
}

static json_t *
value(struct reader *r)
{
	json_t *v = NULL;
	const char *s;
	size_t len;

	skip_space(r);
	if (r->p == r->end)
		return NULL;
	switch (*r->p) {
	case '{':
	case '[':
		if (r->depth == JSONR_DEPTH)
			return NULL;
		r->depth++;
		v = *r->p++ == '{' ? object(r) : array(r);
		r->depth--;
		return v;
	case '"':
		r->p++;
		return string(r, &s, &len) == 0 ? json_stringn_nocheck(s, len) : NULL;
	case 't':
		return word(r, "true", 4) ? json_true() : NULL;
	case 'f':
		return word(r, "false", 5) ? json_false() : NULL;
	case 'n':
		return word(r, "null", 4) ? json_null() : NULL;
	default:
		return *r->p == '-' || (*r->p >= '0' && *r->p <= '9') ? number(r) : NULL;
	}
}

json_t *
jsonr_load(const char *text, size_t len, size_t flags, json_error_t *err)
{
	struct reader r = { text, text + len, flags, 0, NULL, 0 };
	json_t *v = NULL;

	/* jansson takes only an object or an array at the top, and one. */
	if ((flags & ~(size_t)JSON_REJECT_DUPLICATES) == 0 && text != NULL) {
		skip_space(&r);
		if (r.p < r.end && (*r.p == '{' || *r.p == '['))
			v = value(&r);
		skip_space(&r);
		if (v != NULL && r.p != r.end) {
			json_decref(v);
			v = NULL;
		}
	}
	if (r.buf != NULL) {
		secure_wipe(r.buf, r.cap);
		free(r.buf);
	}
	if (v != NULL)
		return v;
	atomic_fetch_add(&deferred, 1);
	return json_loadb(text, len, flags, err);
}
