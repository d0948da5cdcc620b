/*
 * Figures for forms and the engine: time to load and check a form, and time
 * to re-evaluate relevance, indicators and the outcome after one answer
 * (what happens on every keystroke that commits an answer). Uses the
 * bundled screening form when present, the test form, and a generated
 * 300-question form. Prints figures; never fails on timing. The BENCH lines
 * feed `make bench`'s table; the baseline of a load is libyaml alone
 * parsing the same bytes, measured in the same run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "interview.h"

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
		if (*buf == NULL)
			exit(1);
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

/* 20 sections of 15 questions; every question after the first of a section
 * depends on an earlier one, every section on the previous section. */
static char *
generated_form(size_t *len)
{
	char *buf = NULL, line[512];
	size_t cap = 0;

	*len = 0;
	append(&buf, len, &cap, "id: generated\nversion: \"1\"\nlanguages:\n"
	    "  - {code: en, name: English, status: reviewed}\n"
	    "  - {code: th, name: Thai, status: reviewed}\n"
	    "choices:\n  level:\n");
	for (int c = 0; c < 6; c++) {
		snprintf(line, sizeof line, "    - {value: l%d, label: {en: \"Level %d\", th: \"ระดับ %d\"}}\n", c, c, c);
		append(&buf, len, &cap, line);
	}
	append(&buf, len, &cap, "sections:\n");
	for (int s = 0; s < 20; s++) {
		snprintf(line, sizeof line, "  - id: s%d\n    title: {en: \"Section %d\", th: \"ส่วน %d\"}\n", s, s, s);
		append(&buf, len, &cap, line);
		if (s > 0) {
			snprintf(line, sizeof line, "    relevant: \"${q%d_0} = 'yes' or ${q%d_1} > 3\"\n", s - 1, s - 1);
			append(&buf, len, &cap, line);
		}
		append(&buf, len, &cap, "    questions:\n");
		for (int q = 0; q < 15; q++) {
			static const char *const types[] = {"yes_no", "integer", "select_multiple", "text", "select_one"};
			const char *t = q == 0 ? "yes_no" : q == 1 ? "integer" : types[q % 5];

			snprintf(line, sizeof line, "      - id: q%d_%d\n        type: %s\n        label: {en: \"Question %d.%d\", th: \"คำถาม %d.%d\"}\n",
			    s, q, t, s, q, s, q);
			append(&buf, len, &cap, line);
			if (s == 0 && q == 0)
				append(&buf, len, &cap, "        consent: interview\n");
			if (strcmp(t, "select_multiple") == 0 || strcmp(t, "select_one") == 0)
				append(&buf, len, &cap, "        choices: level\n");
			if (q >= 2) {
				snprintf(line, sizeof line, "        relevant: \"${q%d_1} >= %d and not(${q%d_0} = 'no')\"\n",
				    s, q % 7, s);
				append(&buf, len, &cap, line);
			}
		}
	}
	append(&buf, len, &cap, "indicators:\n");
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof line, "  - id: i%d\n    level: %s\n    label: {en: \"I%d\", th: \"I%d\"}\n"
		    "    when: \"selected(${q%d_2}, 'l%d') or ${q%d_1} > %d\"\n",
		    i, i % 3 == 0 ? "strong" : i % 3 == 1 ? "medium" : "weak", i, i, i % 20, i % 6, i % 20, 10 + i);
		append(&buf, len, &cap, line);
	}
	append(&buf, len, &cap, "outcomes:\n"
	    "  - {id: urgent, label: {en: U, th: U}, when: \"count-indicators('strong') >= 2\"}\n"
	    "  - {id: some, label: {en: S, th: S}, when: \"count-indicators('any') >= 1\"}\n"
	    "  - {id: none, label: {en: N, th: N}, when: \"true()\"}\n");
	return buf;
}

/* libyaml alone over the same bytes (read from path when given): the floor
 * under any form loader. Best of 20, in seconds. */
static double
yaml_only(const char *path, const char *buf, size_t len)
{
	double best = 1e9;

	for (int r = 0; r < 20; r++) {
		double t0 = seconds();
		char *own = NULL;
		yaml_parser_t parser;
		yaml_event_t ev;
		int done = 0;

		if (path != NULL) {
			FILE *fp = fopen(path, "rb");
			long n;

			if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
				return 0;
			rewind(fp);
			own = malloc((size_t)n);
			if (own == NULL || fread(own, 1, (size_t)n, fp) != (size_t)n) {
				fclose(fp);
				free(own);
				return 0;
			}
			fclose(fp);
			buf = own;
			len = (size_t)n;
		}
		yaml_parser_initialize(&parser);
		yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
		while (!done && yaml_parser_parse(&parser, &ev)) {
			done = ev.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&ev);
		}
		yaml_parser_delete(&parser);
		free(own);
		t0 = seconds() - t0;
		if (t0 < best)
			best = t0;
	}
	return best;
}

static void
bench(const char *name, const char *path, const char *buf, size_t len)
{
	struct form *f = NULL;
	struct diag_list dl;
	struct interview *iv;
	double t0, best = 1e9;
	int runs = 0, q;
	size_t nq;

	/* load + full check, best of several runs */
	for (int r = 0; r < 20; r++) {
		diag_list_init(&dl);
		t0 = seconds();
		if ((path ? form_load_file(path, &f, &dl) : form_load_buffer(name, buf, len, &f, &dl)) != ST_OK) {
			printf("%-28s does not load (%zu errors)\n", name, dl.errors);
			diag_list_free(&dl);
			return;
		}
		t0 = seconds() - t0;
		if (t0 < best)
			best = t0;
		diag_list_free(&dl);
		if (r < 19)
			form_free(f);
	}
	nq = form_question_count(f);
	printf("%-28s %4zu questions: load+check %8.3f ms\n", name, nq, best * 1e3);
	{
		double y = yaml_only(path, buf, len);

		char what[128];

		if (strstr(name, "questions") != NULL)
			snprintf(what, sizeof what, "%s", name);
		else
			snprintf(what, sizeof what, "%s (%zu questions)", name, nq);
		printf("BENCH load and check %s|%.2f|ms|libyaml parse alone %.2f ms|"
		    "%.1f|under 50 ms on an old PC\n", what, best * 1e3, y * 1e3,
		    y > 0 ? best / y : 0.0);
	}

	/* one answer = parse + validate + relevance of every question and
	 * section + indicators + outcome */
	if (interview_start(f, NULL, &iv) != ST_OK) {
		form_free(f);
		return;
	}
	q = form_consent_question(f, FORM_CONSENT_INTERVIEW);
	if (q >= 0)
		interview_set(iv, (size_t)q, "yes");
	q = -1;
	for (size_t k = 0; k < nq && q < 0; k++)
		if (form_question_type(f, k) == FORM_INTEGER)
			q = (int)k;
	if (q >= 0) {
		t0 = seconds();
		for (runs = 0; seconds() - t0 < 0.5; runs++)
			interview_set(iv, (size_t)q, runs % 2 ? "17" : "45");
		t0 = seconds() - t0;
		printf("%-28s %4s           answer+re-evaluate %6.2f us (%d runs)\n", "", "",
		    t0 / runs * 1e6, runs);
		printf("BENCH one answer: validate, relevance, indicators, outcome (%s)|%.1f|us|-|-|"
		    "under 1 ms\n", name, t0 / runs * 1e6);
	}
	interview_free(iv);
	form_free(f);
}

int
main(void)
{
	size_t len;
	char *gen;
	FILE *fp;

	setenv("INTAKE_TEST_NOW", "1772357400", 1);
	printf("== bench_form\n");
	if ((fp = fopen("forms/screening.yaml", "r")) != NULL) {
		fclose(fp);
		bench("forms/screening.yaml", "forms/screening.yaml", NULL, 0);
	}
	bench("tests/forms/valid/mini.yaml", "tests/forms/valid/mini.yaml", NULL, 0);
	gen = generated_form(&len);
	bench("generated (300 questions)", NULL, gen, len);
	free(gen);
	return 0;
}
