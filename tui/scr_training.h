/*
 * scr_training.h — the mock-screening screens (scr_training.c): choosing a
 * scenario, and the debrief. What they keep (the scenarios on offer, the
 * debrief being read) is their struct training_state, reached by no other
 * module; other screens make only the call below.
 */
#ifndef INTAKE_SCR_TRAINING_H
#define INTAKE_SCR_TRAINING_H

#include "app.h"

/* After a mock screening is saved, scores it against its scenario (asking
 * which scenario when a resumed draft lost it), keeps the debrief in the
 * vault, closes the interview and shows the debrief. */
void scr_training_debrief(struct app *a);

#endif
