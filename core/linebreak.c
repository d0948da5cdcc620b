/*
 * linebreak.c — break opportunities from ICU's line break iterator over
 * UTF-16 made from the UTF-8 text, and wrapping by display width; contracts
 * in linebreak.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unigbrk.h>
#include <unilbrk.h>
#include <unistr.h>
#include <uniwidth.h>

#include "linebreak.h"

#define ENC "UTF-8"

struct linebreak {
	UBreakIterator *it;             /* NULL: libunistring's opportunities */
};

/* Left in the iterator between calls, so it never points at freed text. */
static const UChar no_text[1] = { 0 };

struct linebreak *
linebreak_new(const char *locale)
{
	struct linebreak *lb = calloc(1, sizeof *lb);
	UErrorCode e = U_ZERO_ERROR;

	if (lb == NULL)
		return NULL;
	lb->it = ubrk_open(UBRK_LINE, locale ? locale : "", no_text, 0, &e);
	if (U_FAILURE(e)) {
		if (lb->it != NULL)
			ubrk_close(lb->it);
		lb->it = NULL;
	}
	return lb;
}

void
linebreak_free(struct linebreak *lb)
{
	if (lb == NULL)
		return;
	if (lb->it != NULL)
		ubrk_close(lb->it);
	free(lb);
}

bool
linebreak_uses_icu(const struct linebreak *lb)
{
	return lb != NULL && lb->it != NULL;
}

static enum status
find_unistring(const char *s, size_t len, char *brk)
{
	char *tmp = malloc(len);

	if (tmp == NULL)
		return ST_NOMEM;
	u8_possible_linebreaks((const uint8_t *)s, len, ENC, tmp);
	for (size_t i = 0; i < len; i++)
		brk[i] = i > 0 && tmp[i] == UC_BREAK_POSSIBLE;
	free(tmp);
	return ST_OK;
}

enum status
linebreak_find(struct linebreak *lb, const char *s, size_t len, char *brk)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	UChar *u16 = NULL;
	size_t *at = NULL, n16 = 0;
	UErrorCode e = U_ZERO_ERROR;
	enum status st = ST_OK;
	int32_t b;

	memset(brk, 0, len);
	if (len == 0)
		return ST_OK;
	/* ICU counts in int32_t: text longer than that is no screen's. */
	if (lb == NULL || lb->it == NULL || len > INT32_MAX / 2)
		return find_unistring(s, len, brk);
	/* A UTF-8 byte gives at most one UTF-16 unit (four bytes give two). */
	if ((u16 = malloc(len * sizeof *u16)) == NULL ||
	    (at = malloc((len + 1) * sizeof *at)) == NULL) {
		st = ST_NOMEM;
		goto out;
	}
	while (p < end) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, (size_t)(end - p));

		at[n16] = (size_t)(p - (const uint8_t *)s);
		if (c >= 0x10000) {
			u16[n16++] = (UChar)(0xD800 + ((c - 0x10000) >> 10));
			at[n16] = at[n16 - 1];
			u16[n16++] = (UChar)(0xDC00 + ((c - 0x10000) & 0x3FF));
		} else {
			u16[n16++] = (UChar)c;
		}
		p += k > 0 ? k : 1;
	}
	at[n16] = len;
	ubrk_setText(lb->it, u16, (int32_t)n16, &e);
	if (U_FAILURE(e)) {
		st = find_unistring(s, len, brk);
		goto out;
	}
	for (b = ubrk_first(lb->it); (b = ubrk_next(lb->it)) != UBRK_DONE;)
		if (b > 0 && (size_t)b < n16)
			brk[at[b]] = 1;
	e = U_ZERO_ERROR;
	ubrk_setText(lb->it, no_text, 0, &e);
out:
	if (u16 != NULL)
		explicit_bzero(u16, len * sizeof *u16);
	free(u16);
	free(at);
	return st;
}

int
linebreak_cluster_width(const char *p, const char *end)
{
	return u8_width((const uint8_t *)p, (size_t)(end - p), ENC);
}

int
linebreak_wrap(struct linebreak *lb, const char *s, int width, linebreak_line_fn *line,
    void *ctx)
{
	const char *end = s + strlen(s), *cur = s, *p, *next, *last;
	size_t n = (size_t)(end - s);
	char *brk = NULL;
	int lines = 0, col, cw;

	if (width < 1)
		return 0;
	if (n > 0 && (brk = malloc(n)) != NULL && linebreak_find(lb, s, n, brk) != ST_OK) {
		free(brk);
		brk = NULL;             /* by clusters only */
	}
	while (cur < end) {
		/* Spaces at the start of a wrapped line are not shown. */
		while (cur < end && *cur == ' ' && cur != s)
			cur++;
		if (cur == end && lines > 0)
			break;
		col = 0;
		last = NULL;
		for (p = cur; p < end && *p != '\n'; p = next) {
			next = (const char *)u8_grapheme_next((const uint8_t *)p, (const uint8_t *)end);
			if (next == NULL)
				next = end;
			if (p > cur && brk != NULL && brk[p - s])
				last = p;
			cw = linebreak_cluster_width(p, next);
			if (col + cw > width) {
				/* A word that ends at the edge stays: the space after
				 * it goes with the break. */
				if (*p == ' ' && p > cur)
					last = p;
				break;
			}
			col += cw;
		}
		if (p < end && *p != '\n' && last != NULL)
			p = last;
		if (p == cur && p < end && *p != '\n') {      /* one cluster wider than the line */
			p = (const char *)u8_grapheme_next((const uint8_t *)p, (const uint8_t *)end);
			if (p == NULL)
				p = end;
		}
		if (line != NULL)
			line(ctx, lines, cur, (size_t)(p - cur));
		lines++;
		cur = p;
		if (cur < end && *cur == '\n')
			cur++;
	}
	free(brk);
	return lines;
}
