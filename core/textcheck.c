/*
 * textcheck.c — the set of characters that text from data may not carry to
 * a terminal (textcheck.h), and the scan that finds them.
 */
#include <unictype.h>
#include <unistr.h>

#include "textcheck.h"

bool
textcheck_is_hidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) ||
	    (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x061C || c == 0x200E || c == 0x200F ||
	    c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

bool
textcheck_is_invisible(uint32_t c)
{
	if (textcheck_is_hidden(c))
		return false;
	return uc_is_general_category((ucs4_t)c, UC_CATEGORY_Cf) ||
	    (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) ||
	    c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0;
}

size_t
textcheck_find(const char *s, size_t len, unsigned allow, uint32_t *cp)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < len) {
		ucs4_t c;
		int n;

		if (p[i] < 0x80) {
			/* The common case, and NUL, which u8_mbtouc would accept. */
			c = p[i];
			n = 1;
		} else if ((n = u8_mbtouc(&c, p + i, len - i)) <= 0 || c == 0xFFFD) {
			/* u8_mbtouc maps malformed input to U+FFFD: tell a real
			 * U+FFFD (EF BF BD) from a replaced byte. */
			if (!(n == 3 && p[i] == 0xEF && p[i + 1] == 0xBF && p[i + 2] == 0xBD)) {
				if (cp != NULL)
					*cp = TEXTCHECK_INVALID;
				return i;
			}
		}
		if (textcheck_is_hidden(c) && !(c == '\t' && (allow & TEXTCHECK_TAB)) &&
		    !(c == '\n' && (allow & TEXTCHECK_NEWLINE))) {
			if (cp != NULL)
				*cp = c;
			return i;
		}
		i += (size_t)n;
	}
	return len;
}

bool
textcheck_ok(const char *s, size_t len, unsigned allow)
{
	return textcheck_find(s, len, allow, NULL) == len;
}
