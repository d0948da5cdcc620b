/*
 * linebreak.h — where a line of UTF-8 text may break, and text wrapped into
 * lines of a given display width.
 *
 * Break opportunities come from ICU's line break iterator (UAX #14 with
 * ICU's dictionaries), so Lao and Thai, written without spaces between
 * words, break between words and never inside one; Chinese breaks between
 * characters but no line starts with closing punctuation (。，、）」』！？：；)
 * and none ends with an opening bracket. Should ICU not start (its data
 * missing), libunistring's UAX #14 opportunities are used instead, which
 * break Lao and Thai between any two clusters but lose no text.
 *
 * Widths are display columns (wcwidth semantics, libunistring), and a line
 * is only ever cut between grapheme clusters: a word wider than the line
 * breaks between clusters, marks staying on their base.
 *
 * A struct linebreak keeps one iterator; it is not thread-safe. Text given
 * to it is copied only into buffers wiped before they are freed (an answer
 * shown wrapped is the respondent's words).
 */
#ifndef INTAKE_LINEBREAK_H
#define INTAKE_LINEBREAK_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct linebreak;

/* A breaker for text of language `locale` ("lo", "th", "zh", "" for the
 * root rules, which already know every script). NULL when out of memory. */
struct linebreak *linebreak_new(const char *locale);
void linebreak_free(struct linebreak *lb);

/* Whether ICU's iterator is in use (false: the libunistring fallback). */
bool linebreak_uses_icu(const struct linebreak *lb);

/*
 * The break opportunities of s[0, len): brk[i] is set when a line may
 * start at byte i (after a space, between two Lao words, after 。), clear
 * inside a word and inside a character. brk has len bytes; brk[0] is
 * clear. Invalid UTF-8 is taken byte by byte as U+FFFD. ST_NOMEM leaves brk
 * all clear.
 */
enum status linebreak_find(struct linebreak *lb, const char *s, size_t len, char *brk);

/*
 * Wraps s (NUL-terminated) into lines of at most `width` display columns
 * and calls line(ctx, n, start, bytes) for each, n counting from 0; returns
 * how many lines it takes. A line ends at the last break opportunity that
 * fits, else (one word wider than the line) at the last grapheme cluster
 * that fits, else after one cluster; spaces that open a wrapped line are
 * skipped; '\n' ends a line. line may be NULL (only counting). width < 1
 * gives 0 lines. When the opportunities cannot be computed (no memory) it
 * still wraps, by clusters only.
 */
typedef void linebreak_line_fn(void *ctx, int n, const char *start, size_t bytes);
int linebreak_wrap(struct linebreak *lb, const char *s, int width, linebreak_line_fn *line,
    void *ctx);

/* Display width of one grapheme cluster [p, end) as linebreak_wrap counts
 * it (and the screens draw it). */
int linebreak_cluster_width(const char *p, const char *end);

#endif
