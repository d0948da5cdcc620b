/*
 * outsafe.h — the command line's one way to print text that comes from data:
 * answers, form and scenario texts, user names, bundle manifests, anything
 * read from a vault, a form file or a bundle rather than written in the
 * program itself.
 *
 * Such text may hold characters that drive a terminal (escape sequences
 * that rewrite the screen or set the window title), reorder what is shown
 * (bidirectional overrides and isolates) or break lines where none is seen.
 * Loading refuses them where it can (textcheck.h), but a vault or bundle
 * made by another program may still carry them; so every such string is
 * printed through here, where each is shown as visible text instead:
 *   C0 controls and DEL     \x1b, \x7f   (TAB, LF, CR: \t, \n, \r)
 *   C1 controls             <U+009B>
 *   bidi controls, U+2028/9, U+FEFF      <U+202E>
 *   bytes that are not UTF-8            \xNN
 * A backslash in the text itself is printed as it is: the escapes make a
 * hidden character visible, they are not a reversible encoding.
 *
 * A one-line field shows TAB and LF escaped, so one value is one line. A
 * multi-line text (an answer, a paragraph) keeps its line breaks, each
 * followed by the caller's indent, so that no line of the text can start
 * at a column where the report's own lines start; TAB is kept there.
 */
#ifndef INTAKE_OUTSAFE_H
#define INTAKE_OUTSAFE_H

#include <stddef.h>
#include <stdio.h>

/* s[0..len) as one line. */
void outsafe_write(FILE *f, const char *s, size_t len);
/* The same for a NUL-terminated string (NULL prints nothing). */
void outsafe_put(FILE *f, const char *s);

/* A multi-line text: each LF is written, then indent; TAB is kept; every
 * other hidden character is escaped as above. No LF is added at the end. */
void outsafe_text(FILE *f, const char *s, const char *indent);
void outsafe_textn(FILE *f, const char *s, size_t len, const char *indent);

/* s as one line into buf (always NUL-terminated; cut at a character or
 * escape boundary when it does not fit), for printf fields with widths.
 * Returns buf. */
const char *outsafe_str(char *buf, size_t len, const char *s);

/* JSON text (one record) with every hidden character inside its strings
 * written as a \uXXXX escape: the same JSON value, safe on a terminal.
 * Bytes that are not UTF-8 become \uFFFD (hex in capitals, as jansson
 * writes its own escapes). */
void outsafe_json(FILE *f, const char *json, size_t len);

#endif
