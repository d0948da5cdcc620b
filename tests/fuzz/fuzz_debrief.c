/*
 * Reads any bytes as a stored debrief. One that is accepted must render
 * (without its scenario) and survive a JSON round trip unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "training.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct training_debrief *d, *back;
	struct training_lines lines = { 0 };
	char *s1, *s2, err[256];
	size_t l1, l2;

	if (training_debrief_from_json((const char *)data, size, &d, err, sizeof err) != ST_OK) {
		if (err[0] == '\0')
			abort();        /* a refusal always says why */
		return 0;
	}
	if (training_debrief_lines(d, NULL, "th", "th", &lines) != ST_OK)
		abort();
	training_lines_free(&lines);
	if (training_debrief_to_json(d, &s1, &l1) != ST_OK ||
	    training_debrief_from_json(s1, l1, &back, err, sizeof err) != ST_OK)
		abort();
	if (training_debrief_to_json(back, &s2, &l2) != ST_OK || strcmp(s1, s2) != 0)
		abort();
	if (training_debrief_score(back) != training_debrief_score(d))
		abort();
	training_json_free(s1, l1);
	training_json_free(s2, l2);
	training_debrief_free(back);
	training_debrief_free(d);
	return 0;
}
