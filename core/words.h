/*
 * words.h — the program's own words, translated by whoever prints them.
 *
 * core/ prints nothing and reads no message catalog; where it writes text
 * for a person (an audit entry's details, a statistics release) it takes
 * a struct words from the caller: get translates a message (its msgid, the
 * English) and nget one that depends on a number n (English: one when n is
 * 1), as gettext's functions do. Either may be NULL or return NULL, giving
 * the English. A translation must read the same printf arguments as its
 * English (the caller's catalogs check it, msgfmt --check). The messages
 * are marked _("...") and P_("one", "many", n) in the core file, as
 * tui/i18n.h marks them, so that po/extract.sh gives them to the catalogs;
 * such a file defines _ and P_ over words_get and words_nget.
 */
#ifndef INTAKE_WORDS_H
#define INTAKE_WORDS_H

struct words {
	const char *(*get)(const char *msgid);
	const char *(*nget)(const char *one, const char *many, unsigned long n);
};

static inline const char *words_get(const struct words *w, const char *msgid)
    __attribute__((format_arg(2)));
static inline const char *words_nget(const struct words *w, const char *one,
    const char *many, unsigned long n) __attribute__((format_arg(2)))
    __attribute__((format_arg(3)));

static inline const char *
words_get(const struct words *w, const char *msgid)
{
	const char *s = w != NULL && w->get != NULL ? w->get(msgid) : NULL;

	return s != NULL ? s : msgid;
}

static inline const char *
words_nget(const struct words *w, const char *one, const char *many, unsigned long n)
{
	const char *s = w != NULL && w->nget != NULL ? w->nget(one, many, n) : NULL;

	return s != NULL ? s : n == 1 ? one : many;
}

#endif
