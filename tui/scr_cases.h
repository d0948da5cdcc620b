/*
 * scr_cases.h — the case list, the new-interview screen and the offer to
 * resume (scr_cases.c). What they keep (the case rows, the search, the
 * discard prompt, the forms on offer) is their struct cases_state and
 * struct new_state, reached by no other module; other screens make only
 * the call below.
 */
#ifndef INTAKE_SCR_CASES_H
#define INTAKE_SCR_CASES_H

#include "app.h"

/* After unlock: offers the newest interrupted interview of this user, or
 * shows the case list. */
void scr_cases_after_unlock(struct app *a);

#endif
