/*
 * Loads any bytes as a training scenario (on the bundled forms: run from the
 * repository root). A scenario that loads is played perfectly and debriefed:
 * the debrief must score 100, survive its JSON round trip unchanged, and
 * render its card and debrief in every language.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "training.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
play(const struct training_scenario *sc)
{
	static const char *const langs[] = { "en", "lo", "th", "zh", NULL };
	struct training_debrief *d, *back;
	struct interview *iv;
	char *s1, *s2, err[256];
	size_t l1, l2;

	if (interview_start(training_form(sc), NULL, &iv) != ST_OK)
		return;
	if (training_apply_facts(sc, iv) != ST_OK)
		abort();        /* the loader promised the facts fit */
	if (interview_state(iv) == IV_IN_PROGRESS && interview_finish(iv) != ST_OK) {
		interview_free(iv);
		return;         /* a required question without a fact */
	}
	if (training_debrief_make(sc, iv, 61, &d) != ST_OK)
		abort();
	if (interview_state(iv) == IV_FINISHED && training_debrief_score(d) != 100) {
		fprintf(stderr, "perfect interview scored %d\n", training_debrief_score(d));
		abort();
	}
	if (training_debrief_to_json(d, &s1, &l1) != ST_OK ||
	    training_debrief_from_json(s1, l1, &back, err, sizeof err) != ST_OK) {
		fprintf(stderr, "debrief does not reload: %s\n", err);
		abort();
	}
	if (training_debrief_to_json(back, &s2, &l2) != ST_OK || strcmp(s1, s2) != 0)
		abort();
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		struct training_lines card = { 0 }, deb = { 0 };

		if (training_card_lines(sc, langs[i], langs[i], &card) != ST_OK ||
		    training_debrief_lines(d, sc, langs[i], langs[i], &deb) != ST_OK)
			abort();
		training_lines_free(&card);
		training_lines_free(&deb);
	}
	training_json_free(s1, l1);
	training_json_free(s2, l2);
	training_debrief_free(back);
	training_debrief_free(d);
	interview_free(iv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct training_scenario *sc = NULL;
	struct diag_list dl;
	char line[2048];
	enum status st;

	(void)training_is_scenario((const char *)data, size);
	diag_list_init(&dl);
	st = training_load_buffer("fuzz.yaml", (const char *)data, size, "forms", &sc, &dl);
	if (st == ST_OK) {
		if (dl.errors != 0)
			abort();
		play(sc);
	} else if (sc != NULL || (st != ST_NOMEM && dl.errors == 0)) {
		abort();        /* every refusal tells the author why */
	}
	for (size_t i = 0; i < dl.count; i++)
		(void)diag_format(&dl.items[i], line, sizeof line);
	training_free(sc);
	diag_list_free(&dl);
	return 0;
}
