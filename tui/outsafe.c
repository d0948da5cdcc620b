/*
 * outsafe.c — printing data on the command line with every character that
 * could drive or reorder a terminal shown as visible text (outsafe.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistr.h>

#include "outsafe.h"
#include "textcheck.h"

/* Where escaped text goes: a stream, or a buffer that takes whole pieces
 * only (an escape or a character is never cut in two). */
struct sink {
	FILE *f;
	char *buf;
	size_t cap, used;
	bool full;
};

static void
emit(struct sink *k, const char *p, size_t n)
{
	if (k->f != NULL) {
		fwrite(p, 1, n, k->f);
		return;
	}
	if (k->full || k->used + n >= k->cap) {
		k->full = true;
		return;
	}
	memcpy(k->buf + k->used, p, n);
	k->used += n;
	k->buf[k->used] = '\0';
}

/* The visible form of hidden character c (or of byte b when c is
 * TEXTCHECK_INVALID). */
static void
emit_escape(struct sink *k, uint32_t c, unsigned char b)
{
	char e[16];
	int n;

	if (c == TEXTCHECK_INVALID)
		n = snprintf(e, sizeof e, "\\x%02x", b);
	else if (c == '\t')
		n = snprintf(e, sizeof e, "\\t");
	else if (c == '\n')
		n = snprintf(e, sizeof e, "\\n");
	else if (c == '\r')
		n = snprintf(e, sizeof e, "\\r");
	else if (c < 0x20 || c == 0x7F)
		n = snprintf(e, sizeof e, "\\x%02x", (unsigned)c);
	else
		n = snprintf(e, sizeof e, "<U+%04X>", (unsigned)c);
	emit(k, e, (size_t)n);
}

/* The length of the UTF-8 character at s (1 for a byte that starts none). */
static size_t
char_len(const char *s, size_t len)
{
	ucs4_t c;
	int n = u8_mbtouc(&c, (const uint8_t *)s, len);

	return n > 0 ? (size_t)n : 1;
}

static void
escape(struct sink *k, const char *s, size_t len, bool lines, const char *indent)
{
	unsigned allow = lines ? TEXTCHECK_TAB | TEXTCHECK_NEWLINE : 0;
	size_t i = 0;

	while (i < len && !k->full) {
		uint32_t c;
		size_t at = textcheck_find(s + i, len - i, allow, &c), n;

		/* Safe text up to the next hidden character, whole characters
		 * at a time so that a buffer is never cut inside one; LF (when
		 * allowed) takes the indent after it. */
		for (size_t j = i; j < i + at && !k->full; j += n) {
			n = char_len(s + j, i + at - j);
			emit(k, s + j, n);
			if (s[j] == '\n' && indent != NULL)
				emit(k, indent, strlen(indent));
		}
		i += at;
		if (i >= len)
			break;
		emit_escape(k, c, (unsigned char)s[i]);
		i += c == TEXTCHECK_INVALID ? 1 : char_len(s + i, len - i);
	}
}

void
outsafe_write(FILE *f, const char *s, size_t len)
{
	struct sink k = { f, NULL, 0, 0, false };

	escape(&k, s, len, false, NULL);
}

void
outsafe_put(FILE *f, const char *s)
{
	if (s != NULL)
		outsafe_write(f, s, strlen(s));
}

void
outsafe_textn(FILE *f, const char *s, size_t len, const char *indent)
{
	struct sink k = { f, NULL, 0, 0, false };

	escape(&k, s, len, true, indent);
}

void
outsafe_text(FILE *f, const char *s, const char *indent)
{
	if (s != NULL)
		outsafe_textn(f, s, strlen(s), indent);
}

const char *
outsafe_str(char *buf, size_t len, const char *s)
{
	struct sink k = { NULL, buf, len, 0, false };

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (s != NULL)
		escape(&k, s, strlen(s), false, NULL);
	return buf;
}

void
outsafe_json(FILE *f, const char *json, size_t len)
{
	struct sink k = { f, NULL, 0, 0, false };
	bool in_string = false;
	size_t i = 0;

	while (i < len) {
		size_t n = char_len(json + i, len - i);
		uint32_t c = 0;
		char e[16];

		if (in_string && json[i] == '\\' && i + 1 < len) {
			emit(&k, json + i, 2);
			i += 2;
			continue;
		}
		if (json[i] == '"')
			in_string = !in_string;
		if (textcheck_find(json + i, n, 0, &c) == n) {
			emit(&k, json + i, n);
		} else if (!in_string) {
			/* Between values JSON has only whitespace; CR would move
			 * the cursor, anything else is not JSON: shown as text. */
			if (c == '\t' || c == '\n')
				emit(&k, json + i, 1);
			else
				emit_escape(&k, c, (unsigned char)json[i]);
		} else {
			snprintf(e, sizeof e, "\\u%04X", c == TEXTCHECK_INVALID ? 0xFFFDu : (unsigned)c);
			emit(&k, e, 6);
		}
		i += c == TEXTCHECK_INVALID ? 1 : n;
	}
}
