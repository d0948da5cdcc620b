/*
 * scr_cases.h — the case list, the new-interview screen and the offer to
 * resume (scr_cases.c). What they keep (the case rows, the search, the
 * discard prompt, the forms on offer) is their struct cases_state and
 * struct new_state, reached by no other module. The mock-screening screens
 * (scr_training.c) start an interview as the new-interview screen does.
 */
#ifndef INTAKE_SCR_CASES_H
#define INTAKE_SCR_CASES_H

#include "app.h"

/* After unlock: offers the newest interrupted interview of this user, or
 * shows the case list. */
void scr_cases_after_unlock(struct app *a);

/* The respondent's language, chosen before an interview starts (here and
 * for a mock screening): title at row y, then form f's languages, the one
 * at a->focus highlighted, draft translations marked. Returns the row of
 * the highlighted one, for the cursor. */
int scr_new_draw_langs(struct app *a, const struct form *f, const char *title, int y);

/* Starts an interview of form f in its language number lang, saves it as
 * the user's draft and shows its first question; says on screen why not
 * when it cannot. f becomes a->form; borrowed: f belongs to a->scenario and
 * is not freed with the interview (a mock screening). */
void scr_new_start(struct app *a, struct form *f, size_t lang, bool borrowed);

#endif
