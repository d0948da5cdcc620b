/*
 * test_odk.c — the expression language against ODK's own evaluators: runs
 * every case in tests/expr/odk/cases.tsv (taken from JavaRosa's and
 * Enketo's test suites) and fails on any case where Intake gives another
 * result than ODK, unless the case is marked as a deliberate difference;
 * then it must give the marked result, and that result must still differ
 * from ODK's (a stale mark fails too). Also checks that `forms check`
 * reports expression warnings at file:line:col while the form still loads.
 */
#include "testutil.h"
#include <math.h>
#include <time.h>
#include "expr.h"
#include "form.h"

#define CASES "tests/expr/odk/cases.tsv"
#define MAX_CTX 8

struct ctx {
	size_t n;
	struct expr_qdecl q[MAX_CTX];
	struct expr_value v[MAX_CTX];
	unsigned char st[MAX_CTX];
	char names[MAX_CTX][32];
	char text[MAX_CTX][128];
	/* select_one[value=Label|...]: the choices and their labels */
	size_t nchoices[MAX_CTX];
	const char *choices[MAX_CTX][MAX_CTX];
	char cvalue[MAX_CTX][MAX_CTX][32];
	char clabel[MAX_CTX][MAX_CTX][64];
};

/* jr:choice-name() in the cases: the label of `value` in slot's choices. */
static const char *
ctx_label(const void *cp, int slot, const char *value, size_t len)
{
	const struct ctx *c = cp;

	for (size_t k = 0; slot >= 0 && (size_t)slot < c->n && k < c->nchoices[slot]; k++)
		if (strlen(c->cvalue[slot][k]) == len && memcmp(c->cvalue[slot][k], value, len) == 0)
			return c->clabel[slot][k];
	return NULL;
}

/* "value=Label|value=Label" into slot i's choices. */
static void
parse_choices(struct ctx *c, size_t i, char *spec)
{
	char *save = NULL, *pair;

	c->q[i].type = EXPR_Q_SELECT_ONE;
	for (pair = strtok_r(spec, "|", &save); pair; pair = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(pair, '=');
		size_t k = c->nchoices[i]++;

		assert_true(k < MAX_CTX && eq != NULL);
		*eq = '\0';
		snprintf(c->cvalue[i][k], sizeof c->cvalue[i][k], "%s", pair);
		snprintf(c->clabel[i][k], sizeof c->clabel[i][k], "%s", eq + 1);
		c->choices[i][k] = c->cvalue[i][k];
	}
	c->q[i].choices = c->choices[i];
	c->q[i].nchoices = c->nchoices[i];
}

/* In place: \t, \n and \\ become a tab, a newline and a backslash. */
static void
unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '\\' && (s[1] == 't' || s[1] == 'n' || s[1] == '\\')) {
			s++;
			*w++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : '\\';
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* "name:type=value;..." or "-"; type select_one[value=Label|...] declares
 * a select_one question with its choices' labels. */
static void
parse_ctx(const char *spec, struct ctx *c)
{
	char buf[512];
	char *save = NULL, *item;

	memset(c, 0, sizeof *c);
	if (strcmp(spec, "-") == 0)
		return;
	snprintf(buf, sizeof buf, "%s", spec);
	for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(item, ':');
		char *rb = colon && strncmp(colon + 1, "select_one[", 11) == 0 ? strchr(colon, ']') : NULL;
		char *eq = strchr(rb ? rb : item, '=');
		size_t i = c->n++;

		assert_true(i < MAX_CTX && colon && eq && colon < eq);
		*colon = '\0';
		*eq = '\0';
		if (rb != NULL) {
			*rb = '\0';
			parse_choices(c, i, colon + 12);
		}
		snprintf(c->names[i], sizeof c->names[i], "%s", item);
		snprintf(c->text[i], sizeof c->text[i], "%s", eq + 1);
		unescape(c->text[i]);
		c->q[i].id = c->names[i];
		if (strcmp(colon + 1, "number") == 0)
			c->q[i].type = EXPR_Q_NUMBER;
		else if (strcmp(colon + 1, "date") == 0)
			c->q[i].type = EXPR_Q_DATE;
		else if (c->nchoices[i] == 0)
			c->q[i].type = EXPR_Q_TEXT;
		if (c->text[i][0] == '\0') {
			c->v[i].kind = EXPR_V_EMPTY;
			c->st[i] = EXPR_A_NONE;
		} else if (c->q[i].type == EXPR_Q_NUMBER) {
			c->v[i].kind = EXPR_V_NUMBER;
			c->v[i].num = expr_parse_number(c->text[i], strlen(c->text[i]));
			c->st[i] = EXPR_A_VALUE;
		} else {
			c->v[i].kind = EXPR_V_STRING;
			c->v[i].str = c->text[i];
			c->v[i].len = strlen(c->text[i]);
			c->st[i] = EXPR_A_VALUE;
		}
	}
}

/* Intake's result for expr under ctx, written as the data file writes
 * results: "error" if refused, else bool:, num: or str:. */
static void
evaluate(const char *text, struct ctx *c, char *out, size_t outsz)
{
	struct expr *e = NULL;
	struct expr_error err;
	struct expr_scope sc = {EXPR_CTX_OUTCOME, c->q, c->n, NULL, 0, 0, -1};
	struct expr_env env = {c->v, c->st, NULL, 0, {EXPR_V_EMPTY, 0, NULL, 0}, "2026-03-15", ctx_label, c};
	struct expr_value v;
	char num[32];

	if (expr_parse(text, strlen(text), &e, &err) != ST_OK) {
		snprintf(out, outsz, "error");
		return;
	}
	if (expr_check(e, &sc, &err) != ST_OK) {
		snprintf(out, outsz, "error");
		expr_free(e);
		return;
	}
	v = expr_eval(e, &env);
	switch (v.kind) {
	case EXPR_V_EMPTY:
		snprintf(out, outsz, "str:");
		break;
	case EXPR_V_BOOL:
		snprintf(out, outsz, "bool:%s", v.num != 0 ? "true" : "false");
		break;
	case EXPR_V_NUMBER:
		snprintf(out, outsz, "num:%s", expr_format_number(v.num, num));
		/* keep full precision for the comparison */
		if (isfinite(v.num))
			snprintf(out, outsz, "num:%.17g", v.num);
		break;
	case EXPR_V_STRING:
		snprintf(out, outsz, "str:%.*s", (int)v.len, v.str);
		break;
	}
	expr_free(e);
}

/* Does Intake's result `got` agree with the data file's `want`? Numbers
 * agree within 1e-12 relative (the data file writes them in decimal). */
static bool
agrees(const char *got, const char *want)
{
	if (strncmp(got, "num:", 4) == 0 && strncmp(want, "num:", 4) == 0) {
		double g, w;

		if (strcmp(want + 4, "NaN") == 0)
			return strcmp(got + 4, "NaN") == 0;
		if (strcmp(want + 4, "Infinity") == 0 || strcmp(want + 4, "-Infinity") == 0)
			return strcmp(got + 4, want + 4) == 0;
		if (strcmp(got + 4, "NaN") == 0 || strstr(got + 4, "Infinity"))
			return false;
		g = strtod(got + 4, NULL);
		w = strtod(want + 4, NULL);
		return fabs(g - w) <= 1e-12 * fmax(1, fabs(w));
	}
	return strcmp(got, want) == 0;
}

static void
odk_cases(void **state)
{
	FILE *f = fopen(CASES, "r");
	char line[2048];
	unsigned n = 0, agree = 0, differ = 0, bad = 0, lineno = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		char *field[6] = {0}, *p = line, got[1200], want_str[1200];
		struct ctx c;
		int nf = 0;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		while (nf < 6) {
			field[nf++] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (nf < 4)
			fail_msg(CASES ":%u: fewer than 4 fields", lineno);
		unescape(field[0]);
		snprintf(want_str, sizeof want_str, "%s", field[2]);
		unescape(want_str);
		parse_ctx(field[1], &c);
		evaluate(field[0], &c, got, sizeof got);
		n++;
		if (nf >= 5 && field[4][0] != '\0') {
			char mark[256];

			snprintf(mark, sizeof mark, "%s", field[4]);
			unescape(mark);
			differ++;
			if (!agrees(got, mark)) {
				print_message(CASES ":%u: %s: Intake gives %s, marked as %s (%s)\n",
				    lineno, field[0], got, mark, field[3]);
				bad++;
			} else if (agrees(got, want_str)) {
				print_message(CASES ":%u: %s: marked as a difference, but Intake now agrees with ODK (%s)\n",
				    lineno, field[0], field[3]);
				bad++;
			}
			continue;
		}
		if (agrees(got, want_str)) {
			agree++;
		} else {
			print_message(CASES ":%u: %s: ODK gives %s, Intake %s (%s)\n",
			    lineno, field[0], want_str, got, field[3]);
			bad++;
		}
	}
	fclose(f);
	print_message("%u ODK cases: %u agree, %u differ deliberately (listed in forms/README.md), %u wrong\n",
	    n, agree, differ, bad);
	assert_true(n >= 150);
	assert_int_equal(bad, 0);
}

/* A form whose expressions surely mean something else still loads; each
 * such expression gets a warning at its file, line and column. */
static void
check_warns_with_position(void **state)
{
	static const char *const want[] = {
		"tests/expr/warnings.yaml:28:27: warning: relevant of question 'hours': ${age} = '' at column 8 is true whenever ${age} has no number",
		"tests/expr/warnings.yaml:32:30: warning: relevant of question 'pay': ordering the text 'M' at column 11",
		"tests/expr/warnings.yaml:38:49: warning: when of indicator 'minor': comparing a condition with text at column 38",
	};
	struct diag_list dl;
	struct form *f = NULL;
	char buf[2048];

	(void)state;
	diag_list_init(&dl);
	assert_int_equal(form_load_file("tests/expr/warnings.yaml", &f, &dl), ST_OK);
	assert_non_null(f);
	assert_int_equal(dl.errors, 0);
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		bool found = false;

		for (size_t i = 0; i < dl.count; i++) {
			diag_format(&dl.items[i], buf, sizeof buf);
			if (strncmp(buf, want[w], strlen(want[w])) == 0)
				found = true;
		}
		if (!found) {
			for (size_t i = 0; i < dl.count; i++) {
				diag_format(&dl.items[i], buf, sizeof buf);
				print_message("  have: %s\n", buf);
			}
			fail_msg("no diagnostic starts with: %s", want[w]);
		}
	}
	form_free(f);
	diag_list_free(&dl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(odk_cases),
		cmocka_unit_test(check_warns_with_position),
	};

	/* decimal-date-time() reads a time without zone as local time, as
	 * ODK Collect does; the expected values assume UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
