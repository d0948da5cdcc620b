/*
 * summary.h — an interview's answers and findings as the screens show them:
 * the review and outcome screens of an interview in progress, and the
 * read-only record view, so that a record reads the same wherever it is
 * looked at.
 *
 * Form texts (labels, choices, advice) are in the interview's current
 * language; the words around them ("Indicators", "Outcome:", the end
 * reasons) in the interface language (i18n.h). Nothing here keeps a copy
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

/* The "Indicators" heading at column x, each fired indicator at x + 2 as
 * "[level] label", and under it at x + 6 (dim) the questions whose answers
 * fired it, each led by "from: " when `from` is set. */
void summary_indicators(struct ui_pager *p, int x, const struct interview *iv,
    const struct form *f, bool from);

/* "Outcome: label" (bold) at column x and the outcome's advice, if any,
 * wrapped at x + 2. */
void summary_outcome(struct ui_pager *p, int x, const struct form *f, size_t outcome,
    size_t lang);

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
