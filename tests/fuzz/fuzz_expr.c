/*
 * Parses any bytes as an expression; whatever parses is checked in every
 * context against a small form and evaluated with empty, ordinary and
 * hostile values. Crashes, leaks and undefined behaviour are the findings;
 * an error column outside the text is one too.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

static const char *const yesno[] = {"yes", "no"};
static const char *const holders[] = {"self", "employer", "broker"};
static const struct expr_qdecl questions[] = {
	{"age", EXPR_Q_NUMBER, NULL, NULL, 0},
	{"name", EXPR_Q_TEXT, NULL, NULL, 0},
	{"dob", EXPR_Q_DATE, NULL, NULL, 0},
	{"consent", EXPR_Q_YES_NO, NULL, yesno, 2},
	{"docs", EXPR_Q_SELECT_MULTIPLE, "holders", holders, 3},
	{"job", EXPR_Q_SELECT_ONE, "holders", holders, 3},
	{"intro", EXPR_Q_NOTE, NULL, NULL, 0},
};
#define NQ (sizeof questions / sizeof questions[0])
static const char *const indicators[] = {"a", "b", "c"};

static void
evaluate(const struct expr *e)
{
	struct expr_value values[NQ];
	unsigned char states[NQ];
	signed char fired[3] = {-1, 0, 2};
	struct expr_env env = {values, states, fired, 3, {EXPR_V_EMPTY, 0, NULL, 0}, "2026-03-01", NULL, NULL};
	static const double nums[] = {0, -1, 1e308, NAN, INFINITY, 17.5};

	memset(values, 0, sizeof values);
	memset(states, 0, sizeof states);
	(void)expr_eval_bool(e, &env);
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		for (size_t q = 0; q < NQ; q++) {
			if (questions[q].type == EXPR_Q_NUMBER) {
				values[q].kind = EXPR_V_NUMBER;
				values[q].num = nums[k];
			} else {
				values[q].kind = EXPR_V_STRING;
				values[q].str = k % 2 ? "self broker" : "";
				values[q].len = strlen(values[q].str);
			}
			states[q] = (unsigned char)(k % 4);
		}
		env.dot = values[k % NQ];
		(void)expr_eval(e, &env);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expr *e;
	struct expr_error err;
	size_t chars = 0;

	for (size_t i = 0; i < size; i++)
		chars += (data[i] & 0xC0) != 0x80;
	if (expr_parse((const char *)data, size, &e, &err) != ST_OK) {
		if (size <= EXPR_MAX_LEN && (err.col < 1 || err.col > chars + 1 || err.msg[0] == '\0'))
			abort();
		return 0;
	}
	for (int ctx = EXPR_CTX_RELEVANT; ctx <= EXPR_CTX_OUTCOME; ctx++) {
		struct expr_scope sc = {(enum expr_ctx)ctx, questions, NQ, indicators, 3,
		    ctx == EXPR_CTX_INDICATOR ? 1 : 3, ctx == EXPR_CTX_CONSTRAINT ? 0 : -1};

		if (expr_check(e, &sc, &err) == ST_OK)
			evaluate(e);
		else if (err.col < 1 || err.col > chars + 1)
			abort();
	}
	expr_free(e);
	return 0;
}
