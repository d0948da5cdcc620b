/*
 * actions.h — the actions most screens answer alike: opening an overlay
 * (help, the respondent's language, emergency contacts, ending the
 * interview) and quitting.
 *
 * A screen passes the set it offers; an action outside that set is left to
 * the screen, so a key a screen does not offer still does nothing there.
 * Screens call actions_common before their own switch, once any check that
 * must come first (a view that may have gone) is done.
 */
#ifndef INTAKE_ACTIONS_H
#define INTAKE_ACTIONS_H

#include <stdbool.h>

#include "app.h"
#include "keys.h"

#define ACTS_HELP       0x01u
#define ACTS_LANGUAGE   0x02u
#define ACTS_EMERGENCY  0x04u
#define ACTS_END        0x08u   /* the "end the interview" overlay */
#define ACTS_QUIT       0x10u
#define ACTS_ALL        0x1Fu

/* True when act is in `offered` and was carried out. */
bool actions_common(struct app *a, enum action act, unsigned offered);

#endif
