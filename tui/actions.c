/*
 * actions.c — the overlay and quit actions shared by the screens.
 */
#include "actions.h"

bool
actions_common(struct app *a, enum action act, unsigned offered)
{
	enum screen_id to;

	if (act == ACT_QUIT && (offered & ACTS_QUIT)) {
		a->quit = true;
		return true;
	}
	if (act == ACT_HELP && (offered & ACTS_HELP))
		to = SCR_HELP;
	else if (act == ACT_LANGUAGE && (offered & ACTS_LANGUAGE))
		to = SCR_LANGUAGE;
	else if (act == ACT_EMERGENCY && (offered & ACTS_EMERGENCY))
		to = SCR_EMERGENCY;
	else if (act == ACT_END_INTERVIEW && (offered & ACTS_END)) {
		to = SCR_END;
		a->end_consent = false;
	}
	else
		return false;
	app_overlay(a, to);
	return true;
}
