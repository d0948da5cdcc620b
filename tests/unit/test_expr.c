/* test_expr.c — the expression language: parsing, types, evaluation and
 * its errors, in each context a form uses expressions. */
#include "testutil.h"
#include <math.h>
#include "expr.h"

/* A small form as the checker sees it; slot = index. */
static const char *const yesno[] = {"yes", "no"};
static const char *const jobs[] = {"factory", "farm", "domestic", "fishing"};
static const char *const holders[] = {"self", "employer", "broker"};
enum { S_AGE, S_NAME, S_DOB, S_CONSENT, S_JOB, S_DOCS, S_INTRO, S_HEIGHT, NSLOTS };
static const struct expr_qdecl questions[NSLOTS] = {
	[S_AGE] = {"age", EXPR_Q_NUMBER, NULL, NULL, 0},
	[S_NAME] = {"name", EXPR_Q_TEXT, NULL, NULL, 0},
	[S_DOB] = {"dob", EXPR_Q_DATE, NULL, NULL, 0},
	[S_CONSENT] = {"consent", EXPR_Q_YES_NO, NULL, yesno, 2},
	[S_JOB] = {"job", EXPR_Q_SELECT_ONE, "job_types", jobs, 4},
	[S_DOCS] = {"docs", EXPR_Q_SELECT_MULTIPLE, "holders", holders, 3},
	[S_INTRO] = {"intro", EXPR_Q_NOTE, NULL, NULL, 0},
	[S_HEIGHT] = {"height", EXPR_Q_NUMBER, NULL, NULL, 0},
};
static const char *const indicators[] = {"deception", "retained_documents", "debt"};

static struct expr_value values[NSLOTS];
static unsigned char states[NSLOTS];
static signed char fired[3];

static struct expr_scope
scope(enum expr_ctx ctx)
{
	struct expr_scope sc = {ctx, questions, NSLOTS, indicators, 3, 3, -1};

	if (ctx == EXPR_CTX_CONSTRAINT)
		sc.self = S_AGE;
	if (ctx == EXPR_CTX_INDICATOR)
		sc.nvisible = 1;        /* checking the second indicator */
	return sc;
}

static struct expr_env
env(void)
{
	struct expr_env en = {values, states, fired, 3, {EXPR_V_EMPTY, 0, NULL, 0}, "2026-03-15", NULL, NULL};

	return en;
}

static void
reset(void)
{
	for (int i = 0; i < NSLOTS; i++) {
		values[i].kind = EXPR_V_EMPTY;
		states[i] = EXPR_A_NONE;
	}
	memset(fired, -1, sizeof fired);
}

static void
set_num(int slot, double v)
{
	values[slot].kind = EXPR_V_NUMBER;
	values[slot].num = v;
	states[slot] = EXPR_A_VALUE;
}

static void
set_str(int slot, const char *s)
{
	values[slot].kind = EXPR_V_STRING;
	values[slot].str = s;
	values[slot].len = strlen(s);
	states[slot] = EXPR_A_VALUE;
}

static struct expr *
compile_in(const char *text, enum expr_ctx ctx)
{
	struct expr *e = NULL;
	struct expr_error err;
	struct expr_scope sc = scope(ctx);

	if (expr_parse(text, strlen(text), &e, &err) != ST_OK)
		fail_msg("parse of \"%s\" failed: %s", text, err.msg);
	if (expr_check(e, &sc, &err) != ST_OK)
		fail_msg("check of \"%s\" failed: %s", text, err.msg);
	return e;
}

static bool
truth_in(const char *text, enum expr_ctx ctx)
{
	struct expr *e = compile_in(text, ctx);
	struct expr_env en = env();
	bool r = expr_eval_bool(e, &en);

	expr_free(e);
	return r;
}

static bool
truth(const char *text)
{
	return truth_in(text, EXPR_CTX_OUTCOME);
}

static double
number_of(const char *text)
{
	struct expr *e = compile_in(text, EXPR_CTX_OUTCOME);
	struct expr_env en = env();
	struct expr_value v = expr_eval(e, &en);

	expr_free(e);
	assert_int_equal(v.kind, EXPR_V_NUMBER);
	return v.num;
}

/* Asserts that `text` fails (to parse or to check) at `col` with a message
 * containing `part`. */
static void
expect_error_in(const char *text, enum expr_ctx ctx, unsigned col, const char *part)
{
	struct expr *e = NULL;
	struct expr_error err;
	struct expr_scope sc = scope(ctx);
	enum status st = expr_parse(text, strlen(text), &e, &err);

	if (st == ST_OK) {
		st = expr_check(e, &sc, &err);
		expr_free(e);
	} else {
		assert_null(e);
	}
	if (st != ST_INVALID)
		fail_msg("\"%s\" was accepted", text);
	if (strstr(err.msg, part) == NULL || err.col != col)
		fail_msg("\"%s\": got column %u \"%s\"; wanted column %u \"%s\"",
		    text, err.col, err.msg, col, part);
}

static void
expect_error(const char *text, unsigned col, const char *part)
{
	expect_error_in(text, EXPR_CTX_RELEVANT, col, part);
}

static void
precedence(void **state)
{
	(void)state;
	reset();
	assert_true(truth("1 + 2 * 3 = 7"));
	assert_true(truth("(1 + 2) * 3 = 9"));
	assert_true(truth("10 - 4 - 3 = 3"));
	assert_true(truth("20 div 2 div 5 = 2"));
	assert_true(truth("7 mod 4 = 3"));
	assert_true(truth("-2 * 3 = -6"));
	assert_true(truth("- - 4 = 4"));
	assert_true(truth("2 - -1 = 3"));
	/* and binds tighter than or: true or (false and false) */
	assert_true(truth("1 = 1 or 2 = 3 and 4 = 5"));
	assert_false(truth("(1 = 1 or 2 = 3) and 4 = 5"));
	/* relational binds tighter than equality */
	assert_true(truth("1 < 2 = true()"));
	assert_true(truth("3 > 2 and 2 >= 2 and 2 <= 2 and 1 != 2"));
	assert_true(truth("not(1 = 2)"));
	assert_true(truth("1.5 * 2 = 3 and .5 + .5 = 1"));
}

static void
values_and_types(void **state)
{
	(void)state;
	reset();
	/* unanswered reads as '' */
	assert_false(truth("${age} < 18"));
	assert_false(truth("${age} >= 18"));
	assert_false(truth("${age} = 18"));
	assert_true(truth("${age} != 18"));
	assert_true(truth("${age} = ''"));
	assert_false(truth("${age} != ''"));
	assert_false(truth("${age}"));
	assert_true(truth("${age} + 1 != ${age} + 1"));
	set_num(S_AGE, 16);
	assert_true(truth("${age} < 18"));
	assert_true(truth("${age} != ''"));
	assert_true(truth("${age} * 2 = 32 and ${age} div 3 > 5.33"));
	assert_true(truth("${age}"));
	set_num(S_AGE, 0);
	assert_false(truth("${age}"));

	set_str(S_NAME, "Noy");
	assert_true(truth("${name} = 'Noy' and ${name} != \"noy\""));
	assert_true(truth("string-length(${name}) = 3"));
	set_str(S_NAME, "ລາວ");
	assert_true(truth("string-length(${name}) = 3"));
	assert_true(truth("string-length('') = 0 and string-length(123) = 3"));

	set_str(S_DOB, "2001-09-30");
	assert_true(truth("${dob} < today()"));
	assert_true(truth("${dob} > '2001-09-29' and ${dob} < '2001-10-01'"));

	set_str(S_CONSENT, "yes");
	assert_true(truth("${consent} = 'yes'"));
	assert_true(truth("selected(${consent}, 'yes')"));
	assert_false(truth("selected(${consent}, 'no')"));

	set_str(S_JOB, "farm");
	assert_true(truth("${job} = 'farm' and selected(${job}, 'farm')"));
	assert_false(truth("selected(${job}, 'factory')"));

	assert_true(truth("count-selected(${docs}) = 0"));
	assert_false(truth("selected(${docs}, 'employer')"));
	set_str(S_DOCS, "self employer");
	assert_true(truth("selected(${docs}, 'employer')"));
	assert_true(truth("selected(${docs}, 'self')"));
	assert_false(truth("selected(${docs}, 'broker')"));
	assert_true(truth("count-selected(${docs}) = 2"));
	assert_true(truth("${docs} = 'self employer'"));

	assert_true(truth("int(7.9) = 7 and int(-7.9) = -7"));
	assert_true(truth("number('12.5') = 12.5 and number(' 3 ') = 3"));
	assert_false(truth("number('abc') = number('abc')"));
	assert_true(truth("true() and not(false())"));
	assert_true(truth("number('10') = 10"));
}

static void
answer_states(void **state)
{
	(void)state;
	reset();
	assert_false(truth("answered(${name})"));
	assert_false(truth("declined(${name})"));
	states[S_NAME] = EXPR_A_DECLINED;
	assert_true(truth("declined(${name}) and not(answered(${name}))"));
	assert_true(truth("${name} = ''"));
	states[S_NAME] = EXPR_A_DONT_KNOW;
	assert_true(truth("dont-know(${name}) and not(declined(${name}))"));
	set_str(S_NAME, "x");
	assert_true(truth("answered(${name})"));
}

static void
indicators_fire(void **state)
{
	(void)state;
	reset();
	assert_false(truth("indicator('debt')"));
	assert_true(truth("count-indicators('any') = 0"));
	fired[2] = EXPR_LEVEL_MEDIUM;
	fired[0] = EXPR_LEVEL_STRONG;
	assert_true(truth("indicator('debt') and indicator('deception')"));
	assert_false(truth("indicator('retained_documents')"));
	assert_true(truth("count-indicators('strong') = 1"));
	assert_true(truth("count-indicators('medium') = 1"));
	assert_true(truth("count-indicators('weak') = 0"));
	assert_true(truth("count-indicators('any') = 2"));
	assert_true(truth_in("indicator('deception')", EXPR_CTX_INDICATOR));
}

static void
constraint_dot(void **state)
{
	struct expr *e = compile_in(". >= 0 and . < 120", EXPR_CTX_CONSTRAINT);
	struct expr_env en = env();

	(void)state;
	reset();
	en.dot.kind = EXPR_V_NUMBER;
	en.dot.num = 30;
	assert_true(expr_eval_bool(e, &en));
	en.dot.num = 130;
	assert_false(expr_eval_bool(e, &en));
	en.dot.num = -1;
	assert_false(expr_eval_bool(e, &en));
	expr_free(e);
}

static void
division_by_zero(void **state)
{
	(void)state;
	reset();
	/* XPath 1.0 and ODK Collect: IEEE division */
	assert_true(isinf(number_of("1 div 0")) && number_of("1 div 0") > 0);
	assert_true(isinf(number_of("-1 div 0")) && number_of("-1 div 0") < 0);
	assert_true(isnan(number_of("0 div 0")));
	assert_true(isnan(number_of("5 mod 0")));
	assert_true(number_of("5 mod -3") == 2 && number_of("-5 mod 3") == -2);
	assert_true(truth("1 div 0"));
	assert_true(truth("1 div 0 > 0"));
	assert_false(truth("0 div 0"));
	assert_false(truth("0 div 0 = 0 div 0"));
	assert_true(truth("1 div 0 != 1"));
	/* no integer overflow: numbers are doubles */
	assert_true(truth("99999999999999999999 * 99999999999999999999 > 0"));
	{
		char big[420] = "1";

		memset(big + 1, '0', 400);
		big[401] = '\0';
		assert_true(isinf(number_of(big)));
	}
}

/* What ODK Collect does with the conversions XLSForm authors rely on. */
static void
odk_conversions(void **state)
{
	(void)state;
	reset();
	set_str(S_JOB, "farm");
	/* ordering is numeric: text that is not a number is NaN (false) */
	assert_true(truth("'-17' > '-172'"));
	assert_false(truth("'abc' < 'abd'"));
	assert_true(truth("'10' > '9'"));
	set_num(S_AGE, 12);
	assert_true(truth("${age} = '12'") && truth("${age} = '12.0'"));
	assert_true(truth("true() + 1 = 2"));
	assert_true(truth("0.1 + 0.2 = 0.3"));
	assert_true(truth("boolean('false') and not(boolean(''))"));
	/* dates compare and subtract as day counts */
	set_str(S_DOB, "2025-03-14");
	assert_true(truth("today() - ${dob} > 365"));
	assert_false(truth("today() - ${dob} > 366"));
	assert_true(truth("${dob} < today() + 1"));
	assert_true(truth("number('2008-09-05') = 14127"));
	assert_true(truth("1 div1 = 1 and 7mod4 = 3"));
	assert_true(truth("selected(${job}, ' farm ')"));
}

static void
text_functions(void **state)
{
	struct expr *e;
	struct expr_env en;
	struct expr_value v;

	(void)state;
	reset();
	set_str(S_NAME, "  Noy   Phet ");
	assert_true(truth("concat('a', 1, true(), ${age}, 'b') = 'a1trueb'"));
	assert_true(truth("normalize-space(${name}) = 'Noy Phet'"));
	assert_true(truth("substring-before('2024-05-06', '-') = '2024' and substring-after('a=b', '=') = 'b'"));
	assert_true(truth("contains(${name}, 'Phet') and starts-with('abc', 'ab') and ends-with('abc', 'bc')"));
	assert_true(truth("string(0.1 + 0.2) = '0.30000000000000004'"));
	assert_true(truth("string(1 div 0) = 'Infinity' and string(2.50) = '2.5'"));
	/* as ODK Collect (Java) writes a double */
	assert_true(truth("string(0.0001) = '1.0E-4' and string(1.5 * pow(10, 21)) = '1.5E21'"));
	assert_true(truth("string(12345678.5) = '1.23456785E7' and string(0.001) = '0.001'"));
	assert_true(truth("string(-1 div 0) = '-Infinity' and string(pow(10, 12)) = '1000000000000'"));
	assert_true(truth("string(1 div 3) = '0.3333333333333333' and string(-0.5) = '-0.5'"));
	assert_true(truth("regex('0812345678', '0[0-9]{9}') and not(regex('x0812345678', '0[0-9]{9}'))"));
	assert_true(truth("if(${age} = '', 'none', 'some') = 'none' and coalesce(${age}, 7) = 7"));
	assert_true(truth("round(2.15, 1) = 2.2 and round(-0.5) = 0 and int(-7.9) = -7"));
	assert_true(truth("min(3, '', 1) = 1 and max(3, 'x', 1) = 3 and abs(-2) = 2 and pow(2, 10) = 1024"));
	assert_true(truth("format-date('2024-03-05', '%d/%m/%Y %b %e') = '05/03/2024 Mar 5'"));
	assert_true(truth("date(14127) = '2008-09-05' and decimal-date-time('1970-01-02T12:00:00Z') = 1.5"));
	/* text results longer than the scratch space are cut, never overrun */
	e = compile_in("concat(${name}, ${name}, ${name}, ${name}, ${name}, ${name}, ${name}, ${name})", EXPR_CTX_RELEVANT);
	{
		static char big[1500];

		memset(big, 'x', sizeof big - 1);
		set_str(S_NAME, big);
	}
	en = env();
	v = expr_eval(e, &en);
	assert_int_equal(v.kind, EXPR_V_STRING);
	assert_int_equal(v.len, EXPR_SCRATCH - 1);
	assert_int_equal(v.str[v.len], '\0');
	expr_free(e);
}

/* Accepted, but the check says what the form will really do. */
static void
expect_warning(const char *text, unsigned col, const char *part)
{
	struct expr *e = NULL;
	struct expr_error err;
	struct expr_scope sc = scope(EXPR_CTX_RELEVANT);

	if (expr_parse(text, strlen(text), &e, &err) != ST_OK)
		fail_msg("parse of \"%s\" failed: %s", text, err.msg);
	if (expr_check(e, &sc, &err) != ST_OK)
		fail_msg("\"%s\" was refused: %s", text, err.msg);
	expr_free(e);
	if (strstr(err.msg, part) == NULL || err.col != col)
		fail_msg("\"%s\": got column %u \"%s\"; wanted a warning at column %u \"%s\"",
		    text, err.col, err.msg, col, part);
}

static void
check_warnings(void **state)
{
	(void)state;
	expect_warning("${age} = ''", 8, "is true whenever ${age} has no number");
	expect_warning("${name} + 1 = 2", 1, "arithmetic needs numbers, but ${name} at column 1 is text");
	expect_warning("(1 = 1) = 'yes'", 9, "comparing a condition with text");
	expect_warning("${name} > 'abc'", 11, "it is not a number or a date, so the result is always false");
	expect_warning("${job} > '3'", 1, "its choice values are not numbers");
	expect_warning("${age} = '7'", 0, "");
	expect_warning("selected('a b', 'a')", 0, "");
	expect_warning("${dob} < today() + 1", 0, "");
}

static void
parse_errors_have_columns(void **state)
{
	(void)state;
	expect_error("selected(${docs} 'self')", 18, "expected ')' after argument 1 of selected() at column 18");
	expect_error("${age} > ", 10, "expected a value after '>' at column 10");
	expect_error("(${age} > 1", 12, "expected ')' to close the '(' at column 1");
	expect_error("${age} == 1", 8, "'==' is not an operator at column 8: compare with a single =");
	expect_error("${age} > 1 && ${age} < 5", 12, "use and");
	expect_error("${age} / 2 = 1", 8, "divide with div");
	expect_error("'abc", 1, "unterminated text starting at column 1");
	expect_error("foo(1)", 1, "unknown function 'foo()' at column 1");
	expect_error("yes", 1, "unknown name 'yes' at column 1: refer to a question as ${yes}");
	expect_error("true", 1, "needs parentheses: write true()");
	expect_error("", 1, "empty expression");
	expect_error("   ", 4, "empty expression");
	expect_error("${age", 1, "missing '}'");
	expect_error("${}", 1, "empty reference");
	expect_error("${a-b} = 1", 4, "inside ${...}");
	expect_error("1 2", 3, "unexpected '2' at column 3");
	expect_error(")", 1, "unexpected ')' at column 1");
	expect_error("selected(${docs})", 1, "selected() takes 2 arguments, got 1");
	expect_error("not()", 1, "not() takes 1 argument, got 0");
	expect_error("${age} > 1 and", 15, "expected a value after 'and' at column 15");
	expect_error("1 and or 2", 7, "expected a value before 'or' at column 7");
	expect_error("12abc = 1", 1, "malformed number");
	expect_error("# = 1", 1, "unexpected '#' at column 1");
	/* columns count characters, not bytes */
	expect_error("'ລາວ' = ${nope}", 9, "unknown question ${nope} at column 9");
	expect_error("'ລາວ' ? 1", 7, "unexpected '?' at column 7");
}

static void
type_errors(void **state)
{
	(void)state;
	expect_error("${nope} = 1", 1, "unknown question ${nope} at column 1");
	expect_error("${age} = 'ten'", 10, "${age} is a number question; compare it with a number, not the text 'ten'");
	expect_error("'ten' = ${age}", 1, "${age} is a number question");
	expect_error("${job} = 3", 10, "${job} is a select_one question; compare it with text in quotes, like '3'");
	expect_error("${consent} = 'maybe'", 14,
	    "'maybe' is not a choice of ${consent} (yes_no) at column 14: use one of: yes, no");
	expect_error("${job} != 'office'", 11,
	    "'office' is not a choice of ${job} (list job_types) at column 11: use one of: factory, farm, domestic, fishing");
	expect_error("selected(${docs}, 'boss')", 19, "'boss' is not a choice of ${docs} (list holders)");
	expect_error("selected(${name}, 'x')", 10,
	    "selected() needs a select_one, select_multiple or yes_no question at column 10; ${name} is a text question");
	expect_error("answered('x')", 10, "needs a question as its first argument");
	expect_error("regex(${name}, ${name})", 16, "needs its pattern in quotes");
	expect_error("regex(${name}, '\\d+')", 17, "write [0-9]");
	expect_error("regex(${name}, '(')", 16, "not a valid regular expression");
	/* patterns the C library would take gigabytes or exponential time on */
	expect_error("regex(${name}, 'x{1,100}{1,100}{1,100}')", 25, "a repetition follows another repetition");
	expect_error("regex(${name}, '(x{1,100}){1,100}')", 27, "too large");
	expect_error("regex(${name}, 'ab+++')", 20, "a repetition follows another repetition");
	expect_error("regex(${name}, '(a)\\1')", 20, "back-references");
	expect_error("regex(${name}, 'a{300}')", 18, "above 255");
	expect_error("date('1983-09-31') = ${dob}", 6, "is not a date");
	expect_error("jr:choice-name(${job}, '${age}')", 24, "${age} is a number question");
	expect_error("jr:choice-name(${job}, '${intro}')", 24, "${intro} is a note question");
	expect_error("jr:choice-name(${job}, '${jobs}')", 24, "unknown question ${jobs} in jr:choice-name()");
	expect_error("jr:choice-name(${job}, ${job})", 24, "its second argument");
	expect_error("jr:choice-name(${job}, '${job} ${docs}')", 24, "must be one question as '${id}'");
	expect_error("jr:choice-name(${job}, '/data/job')", 24, "must be one question as '${id}'");
	expect_error("jr:choice-name(${job})", 1, "takes 2 arguments");
	expect_error("choice-name(${job}, '${job}')", 1, "unknown function 'choice-name()'");
	expect_error("jr:itext('x')", 1, "functions with a prefix are not supported, except jr:choice-name()");
	expect_error("concat(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33)", 95, "more than 32 arguments (argument 33 at column 95)");
	expect_error("count-selected(${age}) > 1", 16, "${age} is a number question");
	expect_error(". = 1", 1, "can only be used in a constraint");
	expect_error("${intro} = ''", 1, "${intro} at column 1 is a note and has no answer");
	expect_error("indicator('debt')", 1, "can only be used in the when of an indicator or outcome");
	expect_error("count-indicators('strong') > 0", 1, "can only be used in the when of an indicator or outcome");
	expect_error_in("indicator('debt')", EXPR_CTX_INDICATOR, 11, "not defined before this indicator");
	expect_error_in("indicator('nothing')", EXPR_CTX_OUTCOME, 11, "unknown indicator 'nothing'");
	expect_error_in("count-indicators('huge') > 0", EXPR_CTX_OUTCOME, 18, "use 'strong', 'medium', 'weak' or 'any'");
	expect_error_in("${age} > 1", EXPR_CTX_CONSTRAINT, 1, "write . for the answer being checked");
	expect_error("selected(${consent}, 'yes no')", 22, "takes one choice value");
	expect_error("${age} < ''", 8, "always false");
}

static void
nesting_limits(void **state)
{
	char buf[EXPR_MAX_LEN + 64];
	size_t n = 0;

	(void)state;
	reset();
	/* exactly the limit parses and evaluates */
	for (int i = 0; i < EXPR_MAX_DEPTH; i++)
		buf[n++] = '(';
	buf[n++] = '1';
	for (int i = 0; i < EXPR_MAX_DEPTH; i++)
		buf[n++] = ')';
	buf[n] = '\0';
	assert_true(truth_in(buf, EXPR_CTX_RELEVANT));
	/* one more level is refused with the column of the deepest '(' */
	memmove(buf + 1, buf, n + 1);
	buf[0] = '(';
	memcpy(buf + strlen(buf), ")", 2);
	expect_error(buf, EXPR_MAX_DEPTH + 1, "nested more than 64 levels deep");

	n = 0;
	for (int i = 0; i < 1000; i++)
		buf[n++] = '-';
	buf[n++] = '1';
	buf[n] = '\0';
	expect_error(buf, EXPR_MAX_DEPTH + 1, "nested more than 64 levels deep");

	n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "not(");
	expect_error(buf, 4 * EXPR_MAX_DEPTH + 1, "nested more than 64 levels deep");

	/* a long flat chain is limited by parts, not by the stack */
	n = 0;
	for (int i = 0; i < 1500 && n + 2 < EXPR_MAX_LEN; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "1+");
	buf[n++] = '1';
	buf[n] = '\0';
	expect_error(buf, 1024, "expression too long");

	memset(buf, ' ', EXPR_MAX_LEN + 1);
	buf[EXPR_MAX_LEN + 1] = '\0';
	expect_error(buf, 1, "the limit is 4096");
}

static void
refs_are_collected_once(void **state)
{
	struct expr *e = compile_in("${age} > 1 and ${name} = 'x' or ${age} < 0 and selected(${docs}, 'self')",
	    EXPR_CTX_RELEVANT);
	const int *slots;
	size_t n = expr_refs(e, &slots);

	(void)state;
	assert_int_equal(n, 3);
	assert_int_equal(slots[0], S_AGE);
	assert_int_equal(slots[1], S_NAME);
	assert_int_equal(slots[2], S_DOCS);
	assert_string_equal(expr_ref_name(e, 1), "name");
	assert_int_equal(expr_ref_col(e, 1), 16);
	assert_false(expr_is_true(e));
	expr_free(e);
	e = compile_in(" ( true() ) ", EXPR_CTX_OUTCOME);
	assert_true(expr_is_true(e));
	expr_free(e);
}

static void
numbers_without_locale(void **state)
{
	char buf[32];

	(void)state;
	assert_true(expr_parse_number("12.5", 4) == 12.5);
	assert_true(expr_parse_number("-0.1", 4) == -0.1);
	assert_true(expr_parse_number("007", 3) == 7);
	assert_true(expr_parse_number("123456789012345", 15) == 123456789012345.0);
	assert_true(isnan(expr_parse_number("", 0)));
	assert_true(isnan(expr_parse_number("-", 1)));
	assert_true(isnan(expr_parse_number("1e5", 3)));
	assert_true(isnan(expr_parse_number("+1", 2)));
	assert_true(isnan(expr_parse_number("1.2.3", 5)));
	assert_string_equal(expr_format_number(42, buf), "42");
	assert_string_equal(expr_format_number(-3, buf), "-3");
	assert_string_equal(expr_format_number(2.5, buf), "2.5");
	assert_string_equal(expr_format_number(0.1, buf), "0.1");
	assert_string_equal(expr_format_number(NAN, buf), "NaN");
	assert_true(expr_parse_number("0.30000000000000004", 19) == 0.1 + 0.2);
}

/* jr:choice-name(): the checker binds the named question, evaluation asks
 * the environment for the label of (question, value). */
static int label_calls_slot = -1;

static const char *
fake_label(const void *ctx, int slot, const char *value, size_t len)
{
	label_calls_slot = slot;
	if (slot == S_JOB && len == 4 && memcmp(value, "farm", 4) == 0)
		return ctx;
	return NULL;
}

static const char *
choice_name_of(const char *text, bool with_labels)
{
	static char out[64];
	struct expr *e = compile_in(text, EXPR_CTX_OUTCOME);
	struct expr_env en = env();
	struct expr_value v;

	if (with_labels) {
		en.choice_label = fake_label;
		en.choice_ctx = "Farm (label)";
	}
	v = expr_eval(e, &en);
	snprintf(out, sizeof out, "%s", v.kind == EXPR_V_STRING ? v.str : v.kind == EXPR_V_EMPTY ? "" : "?");
	expr_free(e);
	return out;
}

static void
choice_name(void **state)
{
	(void)state;
	reset();
	set_str(S_JOB, "farm");
	label_calls_slot = -1;
	assert_string_equal(choice_name_of("jr:choice-name(${job}, '${job}')", true), "Farm (label)");
	assert_int_equal(label_calls_slot, S_JOB);
	assert_string_equal(choice_name_of("jr:choice-name( ${job} , ' ${job} ' )", true), "Farm (label)");
	assert_string_equal(choice_name_of("jr:choice-name('farm', '${job}')", true), "Farm (label)");
	/* the value is compared exactly, as ODK does */
	assert_string_equal(choice_name_of("jr:choice-name(' farm', '${job}')", true), "");
	assert_string_equal(choice_name_of("jr:choice-name('nothing', '${job}')", true), "");
	assert_string_equal(choice_name_of("jr:choice-name(${name}, '${job}')", true), "");
	/* other select types name their own slot */
	label_calls_slot = -1;
	assert_string_equal(choice_name_of("jr:choice-name('self', '${docs}')", true), "");
	assert_int_equal(label_calls_slot, S_DOCS);
	assert_string_equal(choice_name_of("jr:choice-name('yes', '${consent}')", true), "");
	assert_int_equal(label_calls_slot, S_CONSENT);
	/* without labels in the environment: '' */
	assert_string_equal(choice_name_of("jr:choice-name(${job}, '${job}')", false), "");
	assert_true(truth("concat(jr:choice-name(${job}, '${job}'), 'x') = 'x'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(precedence),
		cmocka_unit_test(values_and_types),
		cmocka_unit_test(answer_states),
		cmocka_unit_test(indicators_fire),
		cmocka_unit_test(constraint_dot),
		cmocka_unit_test(division_by_zero),
		cmocka_unit_test(odk_conversions),
		cmocka_unit_test(text_functions),
		cmocka_unit_test(check_warnings),
		cmocka_unit_test(parse_errors_have_columns),
		cmocka_unit_test(type_errors),
		cmocka_unit_test(nesting_limits),
		cmocka_unit_test(refs_are_collected_once),
		cmocka_unit_test(numbers_without_locale),
		cmocka_unit_test(choice_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
