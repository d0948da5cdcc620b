/*
 * summary.h — an interview's answers and findings as the screens show them:
 * the review and outcome screens of an interview in progress, and the
 * read-only record view, so that a record reads the same wherever it is
 * looked at.
 *
 * Questions and choices are in the interview's current language; the
 * texts meant for the interviewer (indicators, flags and their advice) in
 * interview_guide_lang, and the words around them ("Indicators",
 * "Outcome:", the end reasons) in the interface language (i18n.h). Nothing here keeps a copy
 * of an answer beyond the caller's buffer, which the caller owns.
 */
#ifndef INTAKE_SUMMARY_H
#define INTAKE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "form.h"
#include "interview.h"
#include "ui.h"

/* The answer to question q as one line into buf (cut to fit len): choice
 * labels joined by "; ", "[declined]"-style markers, the typed text, or for
 * no answer "(missing)" when required and "-" otherwise. */
void summary_answer(const struct interview *iv, const struct form *f, size_t q,
    char *buf, size_t len);
/* The same with the choice labels in form language lang. */
void summary_answer_in(const struct interview *iv, const struct form *f, size_t q, size_t lang,
    char *buf, size_t len);

/* The "Indicators" heading at column x, each fired indicator at x + 2 as
 * "[level] label", and under it at x + 6 (dim) the questions whose answers
 * fired it, each led by "from: " when `from` is set; with lang2 >= 0 (a
 * form language), each question also in that language beneath it when
 * its text differs. */
void summary_indicators(struct ui_pager *p, int x, const struct interview *iv,
    const struct form *f, bool from, int lang2);

/* "Outcome: label" (bold) at column x and the outcome's advice, if any,
 * wrapped at x + 2. */
void summary_outcome(struct ui_pager *p, int x, const struct form *f, size_t outcome,
    size_t lang);

/* Each flag raised (form_flag_*), to stand before the outcome: "!! label"
 * in bold reverse video at column x (seen first, with or without colour)
 * and its advice in bold at x + 2. Returns how many were drawn. */
size_t summary_flags(struct ui_pager *p, int x, const struct interview *iv, const struct form *f);

/* The contacts of each flag raised: "!! Contacts for: label" (bold) at x,
 * each referral's name (in the interviewer's language, interview_guide_lang:
 * the form's default when it lacks it) at x + 2 and its contact on a line of its own at
 * x + 4: those serving the interview's country and a dim count of the
 * others, or all of them with all_countries. Returns how many flags had
 * contacts. */
size_t summary_flag_contacts(struct ui_pager *p, int x, const struct interview *iv,
    const struct form *f, bool all_countries);

/*
 * The country where the interview takes place, as the two-letter code the
 * referral directory uses (LA, TH, CN, MM, VN, KH, MY), from the answer to
 * the question "interview_country"; NULL when the form has no such
 * question, it is not answered yet, or the country is not one the
 * directory knows. *name gets the answer's label in the interview language
 * (untouched when NULL is returned).
 */
const char *summary_country(const struct interview *iv, const struct form *f,
    const char **name);

/* Whether referral r serves country cc: always when cc is NULL or the
 * referral names no country. */
bool summary_referral_serves(const struct form *f, size_t r, const char *cc);

/* The record's status (interview_status: draft, final, amended, ended) in
 * the interface language. */
const char *summary_status(const struct interview *iv);

/*
 * Why an interview ended early, in words. The first summary_end_choices()
 * reasons are the ones an interviewer picks when ending an interview;
 * summary_end_code(i) gives the code the record keeps for choice i.
 * summary_end_reason(code) gives the words for any code a record may hold
 * ("consent_refused" included); an unknown code is returned as it is.
 */
size_t summary_end_choices(void);
const char *summary_end_code(size_t i);
const char *summary_end_reason(const char *code);

#endif
