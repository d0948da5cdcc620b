/*
 * expr.h — the form expression language (XLSForm-compatible subset):
 * `relevant`, `constraint`, indicator `when` and outcome `when`.
 *
 * Life of an expression:
 *   1. expr_parse()  once, at form load: text -> immutable syntax tree.
 *   2. expr_check()  once, at form load: binds every ${q} to a question slot,
 *      checks types against the form (struct expr_scope), compiles regex()
 *      patterns and sets aside the scratch space for text results.
 *   3. expr_eval*()  many times: reads answers from a struct expr_env of plain
 *      arrays; no allocation, no failure, bounded time and stack. Text built
 *      by concat(), string() and the like is written into the expression's
 *      own scratch space of EXPR_SCRATCH bytes (text that would not fit is
 *      cut at a character boundary), so evaluating writes to the expression:
 *      evaluate one expression from one thread at a time.
 *
 * Semantics follow ODK Collect (JavaRosa), so that a condition copied from an
 * XLSForm means the same here; the few deliberate differences are listed in
 * forms/README.md. Documented for form authors there:
 *  - Numbers are doubles. Integers cannot overflow: there is no integer type.
 *  - An unanswered, declined, don't-know or not-relevant question reads as the
 *    empty value ''. Arithmetic with '' gives NaN. NaN is false, compares
 *    false with `= < <= > >=` and true with `!=` (`!=` is always `not(=)`).
 *  - `a div 0` is Infinity or -Infinity, `0 div 0` NaN; `a mod 0` is NaN.
 *  - `=`/`!=`: if either side is a condition, both are compared as
 *    conditions; else if either side is a number, both are converted to
 *    numbers and are equal when they differ by less than 1e-12; else both are
 *    compared as text.
 *  - `< <= > >=` always compare numbers: text that reads as a number is that
 *    number, a date 'YYYY-MM-DD' is its day count since 1970-01-01, any other
 *    text is NaN (so the comparison is false).
 *  - Boolean value of a number: its magnitude exceeds 1e-12 (so not 0 and not
 *    NaN); of a string: not empty.
 *  - select_multiple reads as its chosen values separated by one space.
 *
 *  - jr:choice-name(value, '${q}') is the label of the choice `value` of
 *    select question q in the interview's language ('' for an unknown
 *    value); expr_check binds q, the environment supplies the label.
 *
 * Limits: at most EXPR_MAX_LEN bytes of text, EXPR_MAX_NODES tree nodes,
 * EXPR_MAX_ARGS arguments to one function and EXPR_MAX_DEPTH levels of
 * parentheses, function calls and unary operators. Parsing, checking and
 * evaluating therefore recurse at most EXPR_MAX_NODES deep on any input.
 */
#ifndef INTAKE_EXPR_H
#define INTAKE_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include "status.h"

#define EXPR_MAX_LEN    4096
#define EXPR_MAX_NODES  1024
#define EXPR_MAX_DEPTH  64
#define EXPR_MAX_ARGS   32
#define EXPR_SCRATCH    2048    /* bytes of text results per evaluation */

struct expr;

/* Where an expression appears; decides what it may use. */
enum expr_ctx {
	EXPR_CTX_RELEVANT,      /* no `.`, no indicator(), no count-indicators() */
	EXPR_CTX_CONSTRAINT,    /* `.` is the answer being checked */
	EXPR_CTX_INDICATOR,     /* indicator() of earlier indicators only */
	EXPR_CTX_OUTCOME,       /* indicator() of any indicator */
};

/* Question types as the checker sees them. */
enum expr_qtype {
	EXPR_Q_TEXT,
	EXPR_Q_NUMBER,          /* integer and decimal */
	EXPR_Q_DATE,
	EXPR_Q_YES_NO,
	EXPR_Q_SELECT_ONE,
	EXPR_Q_SELECT_MULTIPLE,
	EXPR_Q_NOTE,            /* has no value: referring to it is an error */
	EXPR_Q_CALCULATED,      /* text a calculation made: number or text, unknown */
};

/* Indicator levels; count-indicators('any') counts all. */
enum expr_level {
	EXPR_LEVEL_STRONG,
	EXPR_LEVEL_MEDIUM,
	EXPR_LEVEL_WEAK,
	EXPR_LEVEL_COUNT,
};

struct expr_qdecl {
	const char *id;
	enum expr_qtype type;
	const char *list;               /* choice list name (messages only) */
	const char *const *choices;     /* allowed values: select and yes_no */
	size_t nchoices;
};

/* What an expression can refer to. The slot of question i is i. */
struct expr_scope {
	enum expr_ctx ctx;
	const struct expr_qdecl *questions;
	size_t nquestions;
	const char *const *indicators;  /* every indicator id, in form order */
	size_t nindicators;
	size_t nvisible;                /* indicator() may name indicators[0..nvisible) */
	int self;                       /* slot whose constraint this is, or -1 */
};

struct expr_error {
	unsigned col;                   /* 1-based, in characters of the text */
	char msg[320];                  /* complete sentence, ends with the hint */
};

enum expr_vkind {
	EXPR_V_EMPTY,
	EXPR_V_BOOL,
	EXPR_V_NUMBER,
	EXPR_V_STRING,
};

/* A value. Strings are borrowed, NUL-terminated at str[len]. */
struct expr_value {
	enum expr_vkind kind;
	double num;                     /* BOOL: 0 or 1; NUMBER */
	const char *str;                /* STRING */
	size_t len;
};

/* Answer state of a question slot, as answered()/declined()/dont-know() see it. */
enum expr_astate {
	EXPR_A_NONE,
	EXPR_A_VALUE,
	EXPR_A_DECLINED,
	EXPR_A_DONT_KNOW,
};

/*
 * Everything evaluation reads, as arrays indexed by slot. A slot that is not
 * relevant must already read as EXPR_V_EMPTY / EXPR_A_NONE. `fired[i]` is the
 * level of indicator i if it fired, -1 if not (or not evaluated yet).
 * Arrays must cover every slot and indicator the scope at check time had.
 */
struct expr_env {
	const struct expr_value *values;
	const unsigned char *states;    /* enum expr_astate per slot */
	const signed char *fired;
	size_t nfired;
	struct expr_value dot;          /* `.` in a constraint */
	const char *today;              /* "YYYY-MM-DD" */
	/* jr:choice-name(): the label, in the interview's language, of the
	 * choice whose value is value[0..len) (not NUL-terminated) in the
	 * choice list of the question in `slot`; NULL if the list has no such
	 * value. It must not allocate and must take bounded time; the label
	 * must stay valid while the result is in use. choice_label NULL: every
	 * jr:choice-name() is ''. */
	const char *(*choice_label)(const void *ctx, int slot, const char *value, size_t len);
	const void *choice_ctx;
};

/*
 * Parses `len` bytes of `text`. On failure returns ST_INVALID and fills *err
 * (column and message, e.g. "expected ')' after argument 1 of selected() at
 * column 14"); ST_NOMEM if memory ran out. *out is set only on ST_OK.
 */
enum status expr_parse(const char *text, size_t len, struct expr **out,
    struct expr_error *err);

/*
 * Binds references and type-checks against `scope`. Call once per expression
 * before evaluating it; ST_INVALID with *err on the first problem found.
 * On ST_OK, err->msg is either empty or a warning: something the form can
 * run with but that surely does not mean what its author intended (such as
 * ordering text that is not a number); err->col points at it.
 */
enum status expr_check(struct expr *e, const struct expr_scope *scope,
    struct expr_error *err);

void expr_free(struct expr *e);

/* Evaluates; only after a successful expr_check. Never fails. String results
 * borrow from the expression (valid until it is evaluated again or freed),
 * the environment or `today`. */
struct expr_value expr_eval(const struct expr *e, const struct expr_env *env);
bool expr_eval_bool(const struct expr *e, const struct expr_env *env);

/* Truth of a value, by the rules above. */
bool expr_value_truthy(struct expr_value v);

/* The question slots referred to by ${...}, each once, in order of first use;
 * valid after expr_check. `.` is not included. */
size_t expr_refs(const struct expr *e, const int **slots);

/* Names referred to by ${...} (before or after checking), each once. */
size_t expr_ref_count(const struct expr *e);
const char *expr_ref_name(const struct expr *e, size_t i);
/* 1-based column of the first ${name} for ref i. */
unsigned expr_ref_col(const struct expr *e, size_t i);

/* True if the expression is `true()` (possibly in parentheses). */
bool expr_is_true(const struct expr *e);

/* The source text, NUL-terminated. */
const char *expr_text(const struct expr *e);

/*
 * Parses a number the way number() does: optional spaces, optional '-',
 * digits with an optional '.' and fraction (either may be empty, not both);
 * anything else, including exponents and "Infinity", is NaN. Locale-
 * independent; correctly rounded for up to 40 significant digits.
 */
double expr_parse_number(const char *s, size_t len);

/* Formats a number for people to read (answers, exports), without locale:
 * integers below 1e15 without a decimal point, others with up to 15
 * significant digits. string() in an expression writes numbers as ODK
 * Collect does instead (see forms/README.md). buf needs 32 bytes. */
const char *expr_format_number(double v, char buf[32]);

#endif
