/*
 * textcheck.h — the characters that must never travel from data (answers,
 * forms, scenarios, bundles) to a terminal or a spreadsheet as they are.
 *
 * One rule, used wherever text enters (form and scenario loading, answers,
 * bundle manifests) and wherever it leaves (the command line's output
 * filter, the CSV export), so that what is refused on the way in and what is
 * made visible on the way out are the same set:
 *  - C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls
 *    (U+0080–U+009F): they move the cursor, rewrite the screen, set the
 *    window title or start escape sequences;
 *  - bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 *    U+2066–U+2069) and marks (U+061C, U+200E, U+200F): they reorder what is
 *    shown, so a line reads differently from what it holds;
 *  - the line and paragraph separators U+2028 and U+2029: some terminals
 *    and editors break lines there;
 *  - U+FEFF (a byte-order mark inside text), invisible.
 * TAB and LF are controls too; callers say whether they are allowed, as a
 * multi-line text allows them and a one-line field does not.
 */
#ifndef INTAKE_TEXTCHECK_H
#define INTAKE_TEXTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a caller allows beyond the safe characters. */
enum {
	TEXTCHECK_TAB = 1,              /* U+0009 */
	TEXTCHECK_NEWLINE = 2,          /* U+000A (never CR) */
};

/* Returned in *cp for bytes that are not UTF-8. */
#define TEXTCHECK_INVALID UINT32_MAX

/* True when code point c is one of the characters above (TAB and LF
 * included: the caller decides about those). */
bool textcheck_is_hidden(uint32_t c);

/* True when c shows nothing and is not in the hidden set above: format
 * characters (general category Cf: U+00AD soft hyphen, U+200B zero-width
 * space, U+200C/D joiners, U+2060 word joiner, tag characters, ...),
 * variation selectors, the combining grapheme joiner and the Hangul
 * fillers. Text may hold them (Thai and Lao writers put U+200B between
 * words); a name must not, or two different names would look the same. */
bool textcheck_is_invisible(uint32_t c);

/* The byte offset of the first character of s[0..len) that is hidden and
 * not allowed (allow: TEXTCHECK_* bits), or of the first byte that is not
 * UTF-8; len when there is none. *cp (may be NULL) gets that character, or
 * TEXTCHECK_INVALID. */
size_t textcheck_find(const char *s, size_t len, unsigned allow, uint32_t *cp);

/* The same as a yes/no. */
bool textcheck_ok(const char *s, size_t len, unsigned allow);

#endif
