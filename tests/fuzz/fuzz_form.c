/*
 * Loads any bytes as a form (and, after the first NUL byte, as its
 * referrals file). A form that loads is then interviewed: every question
 * gets a few typical answers, the record goes to JSON and back, and must
 * come back identical.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
interview_it(const struct form *f)
{
	static const char *const tries[] = {"1", "yes", "2024-02-29", "x", "0.5", ""};
	struct interview *iv, *back;
	char *s1, *s2, err[256];
	size_t l1, l2, a, t;

	if (interview_start(f, NULL, &iv) != ST_OK)
		return;
	for (size_t q = 0; q < form_question_count(f); q++) {
		int list = form_question_choices(f, q);

		for (size_t k = 0; k < sizeof tries / sizeof tries[0]; k++)
			(void)interview_set(iv, q, tries[k]);
		if (list >= 0 && form_choice_count(f, (size_t)list) > 0)
			(void)interview_set(iv, q, form_choice_value(f, (size_t)list, 0));
		if (q % 3 == 2)
			(void)interview_set_special(iv, q, IV_DONT_KNOW);
		(void)interview_next(iv);
	}
	interview_progress(iv, &a, &t);
	if (a > t)
		abort();
	for (size_t s = 0; s < form_section_count(f); s++)
		(void)interview_goto_section(iv, s);
	if (interview_to_json(iv, &s1, &l1) != ST_OK)
		abort();
	if (interview_from_json(f, s1, l1, &back, err, sizeof err) != ST_OK) {
		fprintf(stderr, "reload failed: %s\n%s\n", err, s1);
		abort();
	}
	if (interview_to_json(back, &s2, &l2) != ST_OK || strcmp(s1, s2) != 0) {
		fprintf(stderr, "round trip differs:\n%s\n%s\n", s1, s2);
		abort();
	}
	(void)interview_finish(back);
	interview_json_free(s1, l1);
	interview_json_free(s2, l2);
	interview_free(back);
	interview_free(iv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *nul = memchr(buf, '\0', size);
	struct diag_list dl;
	struct form *f = NULL;
	enum status st;

	diag_list_init(&dl);
	if (nul != NULL)
		st = form_load_buffers("fuzz.yaml", buf, (size_t)(nul - buf), "referrals.yaml",
		    nul + 1, size - (size_t)(nul - buf) - 1, &f, &dl);
	else
		st = form_load_buffers("fuzz.yaml", buf, size, "referrals.yaml", "referrals: []\n", 14, &f, &dl);
	if ((st == ST_OK) != (f != NULL) || (st == ST_INVALID && dl.errors == 0) ||
	    (st == ST_OK && dl.errors != 0))
		abort();
	for (size_t i = 0; i < dl.count; i++) {
		char line[2048];

		if (diag_format(&dl.items[i], line, sizeof line) < 0)
			abort();
	}
	if (f)
		interview_it(f);
	form_free(f);
	diag_list_free(&dl);
	return 0;
}
