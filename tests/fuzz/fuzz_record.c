/*
 * Feeds any bytes to the record loader and to the batch-answer path over
 * the test form. A record that loads must dump and load again to the same
 * text: what the engine accepts, it can write back.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct form *form;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct interview *iv, *again;
	char *s1, *s2, err[256];
	size_t l1, l2;
	json_t *j;

	if (form == NULL) {
		setenv("INTAKE_TEST_NOW", "1772357400", 1);
		if (form_load_file("tests/forms/valid/mini.yaml", &form, NULL) != ST_OK) {
			fprintf(stderr, "run from the source tree: tests/forms/valid/mini.yaml must load\n");
			abort();
		}
	}
	if (interview_from_json(form, (const char *)data, size, &iv, err, sizeof err) == ST_OK) {
		if (interview_to_json(iv, &s1, &l1) != ST_OK)
			abort();
		if (interview_from_json(form, s1, l1, &again, err, sizeof err) != ST_OK) {
			fprintf(stderr, "reload failed: %s\n%s\n", err, s1);
			abort();
		}
		if (interview_to_json(again, &s2, &l2) != ST_OK || strcmp(s1, s2) != 0)
			abort();
		(void)interview_next(again);
		(void)interview_finish(again);
		interview_json_free(s1, l1);
		interview_json_free(s2, l2);
		interview_free(again);
		interview_free(iv);
	} else if (err[0] == '\0') {
		abort();
	}
	j = json_loadb((const char *)data, size, 0, NULL);
	if (j != NULL) {
		json_t *answers = json_is_object(j) && json_object_get(j, "answers") ?
		    json_object_get(j, "answers") : j;

		if (interview_start(form, NULL, &iv) != ST_OK)
			abort();
		if (interview_apply_answers(iv, answers, err, sizeof err) != ST_OK && err[0] == '\0')
			abort();
		interview_free(iv);
		json_decref(j);
	}
	return 0;
}
