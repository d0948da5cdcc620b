/*
 * i18n.h — the language of Intake's own screens (the interviewer's, not the
 * respondent's: that one is the interview's, chosen per interview), and
 * the translation of the program's messages into it.
 *
 * Languages: en (the messages as written in the source), lo, th, zh
 * (Simplified Chinese). Messages are marked in the source with _("...") and,
 * in static tables translated where they are shown, N_("..."); a message
 * that depends on a number uses P_("one", "many", n). `make pot` extracts
 * them (xgettext) into po/intake.pot; po/LANG.po holds each translation;
 * msgfmt compiles them into GNU .mo catalogs, which the build puts under
 * build/locale and `make install` under $(PREFIX)/share/locale.
 *
 * The catalogs are read here, not by glibc's gettext(): glibc translates
 * only when LC_MESSAGES names a locale generated on the machine (and
 * ignores LANGUAGE under the C locale), and a shelter server often has only
 * C.UTF-8. So the language never depends on which locales are installed:
 * this module opens <dir>/<catalog>/LC_MESSAGES/intake.mo itself. <dir> is
 * the first that holds the catalog of:
 *   1. locale/ beside the binary, then ../locale (build trees: build/intake,
 *      build/tests/...), then ../share/locale (an installed or staged tree);
 *   2. the $(PREFIX)/share/locale compiled in.
 * A catalog is checked as it is read, and an entry that would be unsafe is
 * dropped (its English shown instead): a translation whose printf
 * conversions differ from the English one's (so a wrong catalog cannot make
 * a format read the wrong arguments), positional conversions (%1$s) among
 * them, and any translation that is not UTF-8 or holds a control or a
 * hidden character (core/textcheck.h), so a catalog cannot write escape
 * sequences to the terminal. Plural forms: the catalogs' languages have
 * one form; a catalog of two forms is taken as English's (n != 1).
 *
 * One language at a time for the whole process, as gettext has: the state
 * is this module's. Strings returned stay valid until the next i18n_set().
 */
#ifndef INTAKE_I18N_H
#define INTAKE_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"
#include "words.h"

#define _(s) i18n_get(s)
#define N_(s) (s)
#define P_(one, many, n) i18n_nget(one, many, n)

/* The translation of msgid in the current language, or msgid itself. */
const char *i18n_get(const char *msgid) __attribute__((format_arg(1)));
/* The same for a message that depends on n (English: one when n is 1). */
const char *i18n_nget(const char *one, const char *many, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));
/* The two above, for core/ functions that take the caller's words
 * (core/words.h). */
extern const struct words i18n_words;

/* The languages offered, in the order of the chooser: code ("en", "lo",
 * "th", "zh") and name written in that language ("ພາສາລາວ"). */
size_t i18n_count(void);
const char *i18n_code_at(size_t i);
const char *i18n_name_at(size_t i);

/* The supported code for a language code or locale name ("lo",
 * "lo_LA.UTF-8", "th_TH", "zh_TW.UTF-8" -> "zh", "en_GB" -> "en"); NULL
 * for anything else, "C" and "POSIX" included. */
const char *i18n_code(const char *name);

/*
 * The language the environment asks for: INTAKE_LANG when it names one of
 * the languages above; else, as GNU gettext reads it, the first language
 * of LANGUAGE (a colon-separated list) that is one of them, unless the
 * locale below is C or POSIX (C.UTF-8 included), where LANGUAGE is not
 * read; else the locale: the first of LC_ALL, LC_MESSAGES, LANG that is
 * set. "en" when none names a language offered. Whether the locale is
 * installed does not matter.
 */
const char *i18n_from_env(void);

/*
 * Switches to the language `code` (one of i18n_code_at), reading its
 * catalog from dir, or from the places above when dir is NULL. "en" needs
 * no catalog. On failure (no catalog found or readable: ST_NOTFOUND,
 * ST_FORMAT, ST_NOMEM; an unknown code: ST_INVALID) the language stays
 * what it was and err says what happened and where it looked.
 */
enum status i18n_set(const char *code, const char *dir, char *err, size_t errlen);

/* The current language's code ("en" until i18n_set succeeds). */
const char *i18n_current(void);

/*
 * Where the language of the screens comes from, first that applies:
 *   1. --lang on the command line (main.c calls i18n_pin);
 *   2. INTAKE_LANG, when it names a language offered;
 *   3. after an unlock only, the language the user chose with ^T on the case
 *      list or ^Y in an interview in an earlier session, kept in the vault
 *      (vault_pref_get "lang");
 *      not when ^T was used on the unlock screen just before, which is a
 *      choice for this session;
 *   4. the locale (i18n_from_env).
 * The unlock screen, shown before anyone is known, is in the language of
 * 1, 2 or 4 (or the one chosen there with ^T), and is again after a lock.
 * i18n_given: whether 1 or 2 applies, so that a saved language must not
 * replace it.
 */
void i18n_pin(void);
bool i18n_given(void);

/* Entries of the current catalog dropped as unsafe when it was read. */
size_t i18n_dropped(void);

#endif
