/*
 * expr.c — the form expression language: lexer, recursive-descent parser,
 * type checker and evaluator (see expr.h for the contract and the rules,
 * forms/README.md for the same rules as form authors read them).
 */
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "expr.h"

enum nkind {
	N_NUM, N_STR, N_REF, N_DOT,
	N_OR, N_AND, N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE,
	N_ADD, N_SUB, N_MUL, N_DIV, N_MOD, N_NEG, N_CALL,
};

enum fn {
	F_SELECTED, F_COUNT_SELECTED, F_INDICATOR, F_COUNT_INDICATORS,
	F_ANSWERED, F_DECLINED, F_DONT_KNOW, F_STRING_LENGTH, F_NOT,
	F_TRUE, F_FALSE, F_TODAY, F_INT, F_NUMBER,
	F_IF, F_COALESCE, F_CONCAT, F_REGEX, F_CONTAINS, F_STARTS_WITH,
	F_ENDS_WITH, F_SUBSTRING_BEFORE, F_SUBSTRING_AFTER, F_NORMALIZE_SPACE,
	F_ROUND, F_ABS, F_POW, F_MIN, F_MAX, F_BOOLEAN, F_STRING,
	F_FORMAT_DATE, F_DATE, F_DECIMAL_DATE_TIME, F_NOW, F_CHOICE_NAME,
};

#define ANY EXPR_MAX_ARGS

static const struct {
	const char *name;
	unsigned char minargs, maxargs;
	const char *usage;
} fns[] = {
	[F_SELECTED]         = {"selected", 2, 2, "selected(${q}, 'value')"},
	[F_COUNT_SELECTED]   = {"count-selected", 1, 1, "count-selected(${q})"},
	[F_INDICATOR]        = {"indicator", 1, 1, "indicator('id')"},
	[F_COUNT_INDICATORS] = {"count-indicators", 1, 1, "count-indicators('strong')"},
	[F_ANSWERED]         = {"answered", 1, 1, "answered(${q})"},
	[F_DECLINED]         = {"declined", 1, 1, "declined(${q})"},
	[F_DONT_KNOW]        = {"dont-know", 1, 1, "dont-know(${q})"},
	[F_STRING_LENGTH]    = {"string-length", 1, 1, "string-length(${q})"},
	[F_NOT]              = {"not", 1, 1, "not(${q} = 'yes')"},
	[F_TRUE]             = {"true", 0, 0, "true()"},
	[F_FALSE]            = {"false", 0, 0, "false()"},
	[F_TODAY]            = {"today", 0, 0, "today()"},
	[F_INT]              = {"int", 1, 1, "int(${q})"},
	[F_NUMBER]           = {"number", 1, 1, "number(${q})"},
	[F_IF]               = {"if", 3, 3, "if(${q} = 'yes', 1, 0)"},
	[F_COALESCE]         = {"coalesce", 2, 2, "coalesce(${q}, 'none')"},
	[F_CONCAT]           = {"concat", 0, ANY, "concat(${q}, ' ', ${r})"},
	[F_REGEX]            = {"regex", 2, 2, "regex(., '[0-9]{10}')"},
	[F_CONTAINS]         = {"contains", 2, 2, "contains(${q}, 'text')"},
	[F_STARTS_WITH]      = {"starts-with", 2, 2, "starts-with(${q}, 'text')"},
	[F_ENDS_WITH]        = {"ends-with", 2, 2, "ends-with(${q}, 'text')"},
	[F_SUBSTRING_BEFORE] = {"substring-before", 2, 2, "substring-before(${q}, ' ')"},
	[F_SUBSTRING_AFTER]  = {"substring-after", 2, 2, "substring-after(${q}, ' ')"},
	[F_NORMALIZE_SPACE]  = {"normalize-space", 1, 1, "normalize-space(${q})"},
	[F_ROUND]            = {"round", 1, 2, "round(${q}, 2)"},
	[F_ABS]              = {"abs", 1, 1, "abs(${q})"},
	[F_POW]              = {"pow", 2, 2, "pow(${q}, 2)"},
	[F_MIN]              = {"min", 1, ANY, "min(${q}, ${r})"},
	[F_MAX]              = {"max", 1, ANY, "max(${q}, ${r})"},
	[F_BOOLEAN]          = {"boolean", 1, 1, "boolean(${q})"},
	[F_STRING]           = {"string", 1, 1, "string(${q})"},
	[F_FORMAT_DATE]      = {"format-date", 2, 2, "format-date(${q}, '%d/%m/%Y')"},
	[F_DATE]             = {"date", 1, 1, "date('2024-01-31')"},
	[F_DECIMAL_DATE_TIME] = {"decimal-date-time", 1, 1, "decimal-date-time(${q})"},
	[F_NOW]              = {"now", 0, 0, "now()"},
	[F_CHOICE_NAME]      = {"jr:choice-name", 2, 2, "jr:choice-name(${q}, '${q}')"},
};
#define NFNS (sizeof fns / sizeof fns[0])

/* Static types found by expr_check. S_EMPTY is the literal '' which may be
 * compared with anything ("is it unanswered?"); S_DATE is text that holds a
 * date (a date question, today(), date()); S_ANY is if() or coalesce() whose
 * branches differ, checked no further. */
enum stype { S_BOOL, S_NUM, S_STR, S_EMPTY, S_DATE, S_ANY };

/*
 * The tree is a flat array: children are always created before their
 * parent, so indices only point backwards and the whole tree is freed at
 * once. Its size is bounded by the text length and EXPR_MAX_NODES, and so
 * is every recursion over it.
 */
struct node {
	unsigned char kind;
	unsigned char fn;
	unsigned char nargs;
	unsigned char stype;
	unsigned col;
	int a, b;               /* children, -1 if none; N_CALL: arguments 1, 2 */
	int argv;               /* N_CALL: offset of its arguments in expr.argv */
	int ival;               /* N_REF: ref index; N_CALL: indicator index,
	                         * level, or regex index */
	size_t str, len;        /* N_STR: offset and length in pool */
	double num;
};

/* Each distinct ${name}, once, in order of first use: the form builds its
 * dependency graph and the "answers that fired an indicator" from these. */
struct ref {
	size_t name;            /* offset in pool */
	size_t len;
	unsigned col;
	int slot;
};

struct expr {
	char *text;
	size_t len;
	struct node *nodes;
	int nnodes, cap, root;
	char *pool;
	size_t pool_len;
	struct ref *refs;
	int nrefs;
	int *slots;
	int *argv;              /* arguments of every call, each call's in a row */
	int nargv;
	regex_t *regexes;       /* regex() patterns, compiled by expr_check */
	int nregexes;
	char *scratch;          /* EXPR_SCRATCH bytes if any call builds text */
	bool checked;
};

/* ---- numbers ---------------------------------------------------------- */

/* strtod() and printf() follow LC_NUMERIC, which the terminal program may
 * set to a locale with a decimal comma; the form language never does. So
 * numbers are handed to strtod() as "digits e exponent" (no decimal point in
 * any locale), and printf's %e output is read back the same way. */

#define NUM_DIGITS 40           /* significant digits kept when parsing */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

double
expr_parse_number(const char *s, size_t len)
{
	size_t i = 0, end = len;
	bool neg = false, any = false;
	char buf[NUM_DIGITS + 32];
	int nd = 0;
	long exp = 0;
	double v;

	while (i < end && is_space(s[i]))
		i++;
	while (end > i && is_space(s[end - 1]))
		end--;
	if (i < end && s[i] == '-') {
		neg = true;
		i++;
	}
	for (; i < end && is_digit(s[i]); i++) {
		any = true;
		if (nd == 0 && s[i] == '0')
			continue;
		if (nd < NUM_DIGITS)
			buf[nd++] = s[i];
		else if (exp < 100000)
			exp++;
	}
	if (i < end && s[i] == '.') {
		for (i++; i < end && is_digit(s[i]); i++) {
			any = true;
			if (nd == 0 && s[i] == '0') {
				if (exp > -100000)
					exp--;
				continue;
			}
			if (nd < NUM_DIGITS) {
				buf[nd++] = s[i];
				exp--;
			}
		}
	}
	if (!any || i != end)
		return NAN;
	if (nd == 0)
		return neg ? -0.0 : 0.0;
	snprintf(buf + nd, sizeof buf - (size_t)nd, "e%ld", exp);
	v = strtod(buf, NULL);
	return neg ? -v : v;
}

/* The fewest significant digits (no leading or trailing zeros) that read
 * back as v, finite and > 0, and the power of ten of the first digit:
 * v = 0.d1d2... * 10^(e10 + 1). Returns the number of digits. */
static int
shortest_digits(double v, char dig[24], int *e10)
{
	char tmp[48];
	int n = 0, p;

	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
		/* %e writes d[.ddd]e±x with the locale's point: read it back
		 * as digits and exponent. */
		n = 0;
		for (const char *c = tmp; *c && *c != 'e'; c++)
			if (is_digit(*c))
				dig[n++] = *c;
		*e10 = atoi(strchr(tmp, 'e') + 1);
		{
			char back[48];

			snprintf(back, sizeof back, "%.*se%d", n, dig, *e10 - n + 1);
			if (strtod(back, NULL) == v)
				break;
		}
	}
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	return n;
}

/* A number as string() writes it: as ODK Collect (Java) writes a double,
 * except that whole numbers below 1e15 are written in full. */
static const char *
number_text(double v, char buf[32])
{
	char dig[24];
	int n, e10, k = 0;

	if (isnan(v))
		return strcpy(buf, "NaN");
	if (isinf(v))
		return strcpy(buf, v < 0 ? "-Infinity" : "Infinity");
	if (fabs(v) < 1e-12)
		return strcpy(buf, "0");
	if (fabs(v) < 1e15 && fabs(v - trunc(v)) < 1e-12) {
		snprintf(buf, 32, "%.0f", trunc(v));
		return buf;
	}
	n = shortest_digits(fabs(v), dig, &e10);
	if (v < 0)
		buf[k++] = '-';
	if (fabs(v) >= 1e-3 && fabs(v) < 1e7) {
		if (e10 < 0) {
			buf[k++] = '0';
			buf[k++] = '.';
			for (int z = -1; z > e10; z--)
				buf[k++] = '0';
			for (int d = 0; d < n; d++)
				buf[k++] = dig[d];
		} else {
			for (int d = 0; d <= e10; d++)
				buf[k++] = d < n ? dig[d] : '0';
			buf[k++] = '.';
			if (n <= e10 + 1)
				buf[k++] = '0';
			for (int d = e10 + 1; d < n; d++)
				buf[k++] = dig[d];
		}
		buf[k] = '\0';
		return buf;
	}
	buf[k++] = dig[0];
	buf[k++] = '.';
	if (n == 1)
		buf[k++] = '0';
	for (int d = 1; d < n; d++)
		buf[k++] = dig[d];
	snprintf(buf + k, 32 - (size_t)k, "E%d", e10);
	return buf;
}

const char *
expr_format_number(double v, char buf[32])
{
	if (isnan(v))
		return strcpy(buf, "NaN");
	if (isinf(v))
		return strcpy(buf, v < 0 ? "-Infinity" : "Infinity");
	if (v == 0)
		return strcpy(buf, "0");
	if (v == trunc(v) && fabs(v) < 1e15) {
		snprintf(buf, 32, "%.0f", v);
		return buf;
	}
	snprintf(buf, 32, "%.15g", v);
	/* The C library writes the locale's decimal point; the form language
	 * always uses '.'. */
	for (char *p = buf; *p; p++)
		if (!is_digit(*p) && *p != '-' && *p != '+' && *p != 'e')
			*p = '.';
	return buf;
}

/* ---- dates ------------------------------------------------------------ */

/* Dates are text 'YYYY-MM-DD' (what a date question holds), optionally with
 * a time 'THH:MM[:SS[.fff]]' and a zone 'Z' or '+HH:MM'. As a number a date
 * is its day count since 1970-01-01, as ODK Collect counts a date. */

struct when {
	long days;              /* of the date as written */
	int y, m, d;
	double secs;            /* into that day, as written */
	bool has_time, has_zone;
	long zone;              /* seconds east of UTC */
};

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian calendar. */
static long
days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
digits_at(const char *s, size_t len, size_t i, size_t n)
{
	int v = 0;

	if (i + n > len)
		return -1;
	for (size_t k = i; k < i + n; k++) {
		if (!is_digit(s[k]))
			return -1;
		v = v * 10 + (s[k] - '0');
	}
	return v;
}

static bool
parse_when(const char *s, size_t len, struct when *w)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	size_t i = 10;
	int hh, mm, ss = 0;
	double frac = 0;

	memset(w, 0, sizeof *w);
	w->y = digits_at(s, len, 0, 4);
	w->m = digits_at(s, len, 5, 2);
	w->d = digits_at(s, len, 8, 2);
	if (w->y < 0 || w->m < 1 || w->m > 12 || w->d < 1 || s[4] != '-' || s[7] != '-' ||
	    w->d > mdays[w->m - 1] ||
	    (w->m == 2 && w->d == 29 && !(w->y % 4 == 0 && (w->y % 100 != 0 || w->y % 400 == 0))))
		return false;
	w->days = days_from_civil(w->y, w->m, w->d);
	if (i == len)
		return true;
	if (s[i] != 'T')
		return false;
	hh = digits_at(s, len, i + 1, 2);
	mm = digits_at(s, len, i + 4, 2);
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || s[i + 3] != ':')
		return false;
	i += 6;
	if (i < len && s[i] == ':') {
		ss = digits_at(s, len, i + 1, 2);
		if (ss < 0 || ss > 59)
			return false;
		i += 3;
		if (i < len && s[i] == '.') {
			double scale = 0.1;

			for (i++; i < len && is_digit(s[i]); i++, scale /= 10)
				frac += (s[i] - '0') * scale;
		}
	}
	w->has_time = true;
	w->secs = hh * 3600.0 + mm * 60.0 + ss + frac;
	if (i == len)
		return true;
	w->has_zone = true;
	if (s[i] == 'Z')
		return i + 1 == len;
	if (s[i] == '+' || s[i] == '-') {
		int zh = digits_at(s, len, i + 1, 2), zm = 0;
		size_t j = i + 3;

		if (zh < 0)
			return false;
		if (j < len && s[j] == ':')
			j++;
		if (j < len) {
			zm = digits_at(s, len, j, 2);
			j += 2;
		}
		if (zm < 0 || j != len)
			return false;
		w->zone = (s[i] == '-' ? -1 : 1) * (zh * 3600L + zm * 60L);
		return true;
	}
	return false;
}

/* Seconds since 1970-01-01T00:00:00Z; a time without zone is local time. */
static double
when_epoch(const struct when *w)
{
	struct tm tm;
	time_t t;

	if (w->has_zone)
		return (double)w->days * 86400 + w->secs - (double)w->zone;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = w->y - 1900;
	tm.tm_mon = w->m - 1;
	tm.tm_mday = w->d;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return (double)w->days * 86400 + w->secs;
	return (double)t + w->secs;
}

/* ---- lexer ------------------------------------------------------------ */

/* Columns count characters (UTF-8 lead bytes), as an editor shows them, so
 * errors in Lao, Thai or Chinese text point at the right place. Operators
 * from other languages (==, &&, /, %) get a message naming ours. */

enum tok {
	T_END, T_NUM, T_STR, T_REF, T_DOT, T_LP, T_RP, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR,
	T_NAME, T_BAD,
};

struct parser {
	struct expr *e;
	const char *s;
	size_t len;
	size_t pos;             /* byte offset of the next unread byte */
	unsigned pcol;          /* column of pos */
	enum tok tok;           /* current token */
	bool after_value;       /* the token before it ends a value */
	size_t tstart, tlen;    /* its bytes */
	unsigned tcol;          /* its column */
	double tnum;
	size_t tstr, tstrlen;   /* T_STR content, T_REF name: offsets into s */
	int depth;
	struct expr_error *err;
	bool failed;
	bool nomem;
};

static void __attribute__((format(printf, 3, 4)))
fail(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	p->err->col = col;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
	va_end(ap);
}

static void
advance(struct parser *p, size_t n)
{
	for (size_t i = 0; i < n && p->pos < p->len; i++, p->pos++)
		if (((unsigned char)p->s[p->pos] & 0xC0) != 0x80)
			p->pcol++;
}

static bool
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_name_char(char c)
{
	return is_name_start(c) || is_digit(c) || c == '-';
}

static bool
is_id_char(char c)
{
	return is_name_start(c) || is_digit(c);
}

/* `div` or `mod` at the start of s[0..len). */
static bool
starts_operator(const char *s, size_t len)
{
	return len >= 3 && (memcmp(s, "div", 3) == 0 || memcmp(s, "mod", 3) == 0);
}

/* Describes the character at s[i] for a message: printable ASCII quoted, a
 * valid UTF-8 sequence as itself, anything else as a byte value. */
static const char *
describe_char(const char *s, size_t len, size_t i, char buf[24])
{
	unsigned char c = (unsigned char)s[i];
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

	if (c >= 0x20 && c < 0x7F) {
		snprintf(buf, 24, "'%c'", c);
		return buf;
	}
	if (c >= 0xC2 && c <= 0xF4 && i + n <= len) {
		bool ok = true;

		for (size_t k = 1; k < n; k++)
			if (((unsigned char)s[i + k] & 0xC0) != 0x80)
				ok = false;
		if (ok) {
			snprintf(buf, 24, "'%.*s'", (int)n, s + i);
			return buf;
		}
	}
	snprintf(buf, 24, "byte 0x%02X", c);
	return buf;
}

static void
lex(struct parser *p)
{
	const char *s = p->s;
	char c, d, cbuf[24];

	p->after_value = p->tok == T_NUM || p->tok == T_STR || p->tok == T_REF ||
	    p->tok == T_DOT || p->tok == T_RP;
	while (p->pos < p->len && is_space(s[p->pos]))
		advance(p, 1);
	p->tstart = p->pos;
	p->tcol = p->pcol;
	p->tlen = 0;
	if (p->pos >= p->len) {
		p->tok = T_END;
		return;
	}
	c = s[p->pos];
	d = p->pos + 1 < p->len ? s[p->pos + 1] : '\0';
	p->tok = T_BAD;
	switch (c) {
	case '(': p->tok = T_LP; advance(p, 1); break;
	case ')': p->tok = T_RP; advance(p, 1); break;
	case ',': p->tok = T_COMMA; advance(p, 1); break;
	case '+': p->tok = T_PLUS; advance(p, 1); break;
	case '-': p->tok = T_MINUS; advance(p, 1); break;
	case '*': p->tok = T_STAR; advance(p, 1); break;
	case '=':
		if (d == '=') {
			fail(p, p->tcol, "'==' is not an operator at column %u: compare with a single =", p->tcol);
			return;
		}
		p->tok = T_EQ;
		advance(p, 1);
		break;
	case '!':
		if (d != '=') {
			fail(p, p->tcol, "'!' is not an operator at column %u: use not(...) or !=", p->tcol);
			return;
		}
		p->tok = T_NE;
		advance(p, 2);
		break;
	case '<':
		if (d == '>') {
			fail(p, p->tcol, "'<>' is not an operator at column %u: use !=", p->tcol);
			return;
		}
		p->tok = d == '=' ? T_LE : T_LT;
		advance(p, d == '=' ? 2 : 1);
		break;
	case '>':
		p->tok = d == '=' ? T_GE : T_GT;
		advance(p, d == '=' ? 2 : 1);
		break;
	case '&':
		fail(p, p->tcol, "'%s' is not an operator at column %u: use and", d == '&' ? "&&" : "&", p->tcol);
		return;
	case '|':
		fail(p, p->tcol, "'%s' is not an operator at column %u: use or", d == '|' ? "||" : "|", p->tcol);
		return;
	case '/':
		fail(p, p->tcol, "'/' is not an operator at column %u: divide with div", p->tcol);
		return;
	case '%':
		fail(p, p->tcol, "'%%' is not an operator at column %u: use mod", p->tcol);
		return;
	case '\'':
	case '"': {
		size_t i = p->pos + 1;

		while (i < p->len && s[i] != c)
			i++;
		if (i >= p->len) {
			fail(p, p->tcol, "unterminated text starting at column %u: add the closing %c", p->tcol, c);
			return;
		}
		p->tok = T_STR;
		p->tstr = p->pos + 1;
		p->tstrlen = i - p->pos - 1;
		advance(p, i + 1 - p->pos);
		break;
	}
	case '$': {
		size_t i = p->pos + 2;

		if (d != '{') {
			fail(p, p->tcol, "'$' at column %u must start a reference like ${question_id}", p->tcol);
			return;
		}
		while (i < p->len && is_id_char(s[i]))
			i++;
		if (i >= p->len || s[i] != '}') {
			if (i < p->len && s[i] != '}') {
				advance(p, i - p->pos);
				fail(p, p->pcol, "unexpected %s at column %u inside ${...}: question ids use only a-z, 0-9 and _",
				    describe_char(s, p->len, i, cbuf), p->pcol);
				return;
			}
			fail(p, p->tcol, "missing '}' after ${%.*s at column %u", (int)(i - p->pos - 2), s + p->pos + 2, p->tcol);
			return;
		}
		if (i == p->pos + 2) {
			fail(p, p->tcol, "empty reference ${} at column %u: write the question id inside, like ${age}", p->tcol);
			return;
		}
		p->tok = T_REF;
		p->tstr = p->pos + 2;
		p->tstrlen = i - p->pos - 2;
		advance(p, i + 1 - p->pos);
		break;
	}
	case '.':
		if (is_digit(d))
			goto number;
		if (d == '.') {
			fail(p, p->tcol, "'..' is not supported at column %u: refer to questions as ${id}", p->tcol);
			return;
		}
		p->tok = T_DOT;
		advance(p, 1);
		break;
	default:
		if (is_digit(c))
			goto number;
		if (is_name_start(c)) {
			size_t i = p->pos;

			while (i < p->len && is_name_char(s[i]))
				i++;
			/* A trailing '-' belongs to a following minus: `x-` never
			 * names a function. */
			while (i > p->pos + 1 && s[i - 1] == '-')
				i--;
			/* After a value only an operator can follow, so XPath reads
			 * `1 div1` and `3mod4` as div and mod. */
			if (p->after_value && i - p->pos > 3 && starts_operator(s + p->pos, p->len - p->pos))
				i = p->pos + 3;
			p->tok = T_NAME;
			advance(p, i - p->pos);
			break;
		}
		fail(p, p->tcol, "unexpected %s at column %u", describe_char(s, p->len, p->pos, cbuf), p->tcol);
		return;
	}
	p->tlen = p->pos - p->tstart;
	return;
number: {
		size_t i = p->pos;

		while (i < p->len && is_digit(s[i]))
			i++;
		if (i < p->len && s[i] == '.') {
			i++;
			while (i < p->len && is_digit(s[i]))
				i++;
		}
		if (i < p->len && (is_name_start(s[i]) || s[i] == '.') &&
		    !starts_operator(s + i, p->len - i)) {
			fail(p, p->tcol, "malformed number '%.*s' at column %u", (int)(i + 1 - p->pos), s + p->pos, p->tcol);
			return;
		}
		p->tok = T_NUM;
		p->tnum = expr_parse_number(s + p->pos, i - p->pos);
		advance(p, i - p->pos);
		p->tlen = p->pos - p->tstart;
	}
}

static bool
tok_is_word(const struct parser *p, const char *w)
{
	size_t n = strlen(w);

	return p->tok == T_NAME && p->tlen == n && memcmp(p->s + p->tstart, w, n) == 0;
}

/* ---- parser ----------------------------------------------------------- */

/*
 * Recursive descent, one function per precedence level, lowest first:
 * or, and, = !=, < <= > >=, + -, * div mod, unary -, primary. Binary
 * operators loop (left-associative) instead of recursing; only
 * parentheses, calls and unary minus recurse, and they count `depth`.
 * After the first failure every function returns -1 without reading on.
 */

static int
mk(struct parser *p, enum nkind kind, unsigned col, int a, int b)
{
	struct node *n;

	if (p->failed)
		return -1;
	if (p->e->nnodes >= p->e->cap) {
		fail(p, col, "expression too long at column %u: more than %d parts; split it into simpler conditions",
		    col, EXPR_MAX_NODES);
		return -1;
	}
	n = &p->e->nodes[p->e->nnodes];
	memset(n, 0, sizeof *n);
	n->kind = (unsigned char)kind;
	n->col = col;
	n->a = a;
	n->b = b;
	n->ival = -1;
	return p->e->nnodes++;
}

/* Copies s[off..off+len) into the pool, NUL-terminated; returns its offset. */
static size_t
pool_add(struct expr *e, const char *s, size_t len)
{
	size_t off = e->pool_len;

	memcpy(e->pool + off, s, len);
	e->pool[off + len] = '\0';
	e->pool_len += len + 1;
	return off;
}

static int parse_or(struct parser *p);

static const char *
tok_text(const struct parser *p, char buf[48])
{
	if (p->tok == T_END)
		return "the end";
	snprintf(buf, 48, "'%.*s'", p->tlen > 40 ? 40 : (int)p->tlen, p->s + p->tstart);
	return buf;
}

static void
fail_expected_value(struct parser *p, const char *after)
{
	char buf[48];

	if (p->failed)
		return;
	if (p->tok == T_END && after == NULL) {
		fail(p, p->tcol, "empty expression: write a condition such as ${question} = 'yes'");
		return;
	}
	if (p->tok == T_END) {
		fail(p, p->tcol, "expected a value after %s at column %u, but the expression ends", after, p->tcol);
		return;
	}
	if (after)
		fail(p, p->tcol, "expected a value after %s at column %u, found %s", after, p->tcol, tok_text(p, buf));
	else
		fail(p, p->tcol, "expected a value at column %u, found %s", p->tcol, tok_text(p, buf));
}

static int
parse_ref(struct parser *p)
{
	struct expr *e = p->e;
	const char *name = p->s + p->tstr;
	int r, n;

	for (r = 0; r < e->nrefs; r++)
		if (e->refs[r].len == p->tstrlen &&
		    memcmp(e->pool + e->refs[r].name, name, p->tstrlen) == 0)
			break;
	if (r == e->nrefs) {
		e->refs[r].name = pool_add(e, name, p->tstrlen);
		e->refs[r].len = p->tstrlen;
		e->refs[r].col = p->tcol;
		e->refs[r].slot = -1;
		e->nrefs++;
	}
	n = mk(p, N_REF, p->tcol, -1, -1);
	if (n >= 0)
		e->nodes[n].ival = r;
	lex(p);
	return n;
}

static int
parse_call(struct parser *p)
{
	size_t fi;
	unsigned col = p->tcol;
	size_t nlen = p->tlen;
	const char *name = p->s + p->tstart;
	int args[EXPR_MAX_ARGS];
	int nargs = 0, n;

	for (fi = 0; fi < NFNS; fi++)
		if (strlen(fns[fi].name) == nlen && memcmp(fns[fi].name, name, nlen) == 0)
			break;
	if (p->pos < p->len && p->s[p->pos] == ':') {
		/* XPath's prefixed names: only jr:choice-name() is known. The
		 * token is widened to cover "jr:" and the name after it. */
		size_t i = p->pos + 1;

		while (i < p->len && is_name_char(p->s[i]))
			i++;
		while (i > p->pos + 2 && p->s[i - 1] == '-')
			i--;
		if (nlen == 2 && memcmp(name, "jr", 2) == 0 && i - p->pos - 1 == 11 &&
		    memcmp(p->s + p->pos + 1, "choice-name", 11) == 0) {
			advance(p, i - p->pos);
			p->tlen = p->pos - p->tstart;
			nlen = p->tlen;
			fi = F_CHOICE_NAME;
		} else {
			fail(p, col, "'%.*s:' at column %u: functions with a prefix are not supported, except jr:choice-name()",
			    (int)(nlen > 48 ? 48 : nlen), name, col);
			return -1;
		}
	}
	lex(p);         /* the name */
	if (p->tok != T_LP) {
		if (fi < NFNS && fns[fi].maxargs == 0)
			fail(p, col, "'%.*s' at column %u needs parentheses: write %s", (int)nlen, name, col, fns[fi].usage);
		else if (fi < NFNS)
			fail(p, col, "'%.*s' at column %u is a function: write %s", (int)nlen, name, col, fns[fi].usage);
		else
			fail(p, col, "unknown name '%.*s' at column %u: refer to a question as ${%.*s} and write text in quotes, like '%.*s'",
			    (int)(nlen > 48 ? 48 : nlen), name, col, (int)(nlen > 48 ? 48 : nlen), name, (int)(nlen > 48 ? 48 : nlen), name);
		return -1;
	}
	if (fi == NFNS) {
		fail(p, col, "unknown function '%.*s()' at column %u: see the list of functions in forms/README.md",
		    (int)(nlen > 48 ? 48 : nlen), name, col);
		return -1;
	}
	if (++p->depth > EXPR_MAX_DEPTH) {
		fail(p, col, "expression nested more than %d levels deep at column %u: simplify it", EXPR_MAX_DEPTH, col);
		return -1;
	}
	lex(p);         /* ( */
	if (p->tok != T_RP) {
		for (;;) {
			char after[48];
			int arg;

			if (nargs == 0)
				snprintf(after, sizeof after, "'%s('", fns[fi].name);
			else
				snprintf(after, sizeof after, "',' in %s()", fns[fi].name);
			if (p->tok == T_RP || p->tok == T_COMMA || p->tok == T_END) {
				fail_expected_value(p, after);
				return -1;
			}
			if (nargs == EXPR_MAX_ARGS) {
				fail(p, p->tcol, "%s() at column %u has more than %d arguments (argument %d at column %u): split it",
				    fns[fi].name, col, EXPR_MAX_ARGS, nargs + 1, p->tcol);
				return -1;
			}
			arg = parse_or(p);
			if (p->failed)
				return -1;
			args[nargs++] = arg;
			if (p->tok == T_COMMA) {
				lex(p);
				continue;
			}
			if (p->tok == T_RP)
				break;
			if (!p->failed)
				fail(p, p->tcol, "expected ')' after argument %d of %s() at column %u",
				    nargs, fns[fi].name, p->tcol);
			return -1;
		}
	}
	if (nargs < fns[fi].minargs || nargs > fns[fi].maxargs) {
		if (fns[fi].minargs == fns[fi].maxargs)
			fail(p, col, "%s() takes %d argument%s, got %d at column %u: write %s", fns[fi].name,
			    fns[fi].minargs, fns[fi].minargs == 1 ? "" : "s", nargs, col, fns[fi].usage);
		else if (fns[fi].maxargs == ANY)
			fail(p, col, "%s() takes at least %d argument%s, got %d at column %u: write %s", fns[fi].name,
			    fns[fi].minargs, fns[fi].minargs == 1 ? "" : "s", nargs, col, fns[fi].usage);
		else
			fail(p, col, "%s() takes %d to %d arguments, got %d at column %u: write %s", fns[fi].name,
			    fns[fi].minargs, fns[fi].maxargs, nargs, col, fns[fi].usage);
		return -1;
	}
	p->depth--;
	lex(p);         /* ) */
	n = mk(p, N_CALL, col, nargs > 0 ? args[0] : -1, nargs > 1 ? args[1] : -1);
	if (n >= 0) {
		struct expr *e = p->e;

		e->nodes[n].fn = (unsigned char)fi;
		e->nodes[n].nargs = (unsigned char)nargs;
		e->nodes[n].argv = e->nargv;
		/* Every argument is a distinct node, so nargv < cap. */
		memcpy(e->argv + e->nargv, args, (size_t)nargs * sizeof *args);
		e->nargv += nargs;
	}
	return n;
}

static int
parse_primary(struct parser *p, const char *after)
{
	unsigned col = p->tcol;
	char buf[48];
	int n;

	if (p->failed)
		return -1;
	switch (p->tok) {
	case T_NUM:
		n = mk(p, N_NUM, col, -1, -1);
		if (n >= 0)
			p->e->nodes[n].num = p->tnum;
		lex(p);
		return n;
	case T_STR:
		n = mk(p, N_STR, col, -1, -1);
		if (n >= 0) {
			p->e->nodes[n].str = pool_add(p->e, p->s + p->tstr, p->tstrlen);
			p->e->nodes[n].len = p->tstrlen;
		}
		lex(p);
		return n;
	case T_REF:
		return parse_ref(p);
	case T_DOT:
		n = mk(p, N_DOT, col, -1, -1);
		lex(p);
		return n;
	case T_LP:
		if (++p->depth > EXPR_MAX_DEPTH) {
			fail(p, col, "expression nested more than %d levels deep at column %u: simplify it", EXPR_MAX_DEPTH, col);
			return -1;
		}
		lex(p);
		if (p->tok == T_RP || p->tok == T_END) {
			fail_expected_value(p, "'('");
			return -1;
		}
		n = parse_or(p);
		if (p->failed)
			return -1;
		if (p->tok != T_RP) {
			fail(p, p->tcol, "expected ')' to close the '(' at column %u, found %s at column %u",
			    col, tok_text(p, buf), p->tcol);
			return -1;
		}
		p->depth--;
		lex(p);
		return n;
	case T_NAME:
		if (tok_is_word(p, "and") || tok_is_word(p, "or") ||
		    tok_is_word(p, "div") || tok_is_word(p, "mod")) {
			fail(p, col, "expected a value before '%.*s' at column %u", (int)p->tlen, p->s + p->tstart, col);
			return -1;
		}
		return parse_call(p);
	case T_BAD:
		return -1;
	default:
		if (p->tok == T_RP && after == NULL) {
			fail(p, col, "unexpected ')' at column %u: no '(' is open", col);
			return -1;
		}
		fail_expected_value(p, after);
		return -1;
	}
}

static int
parse_unary(struct parser *p, const char *after)
{
	unsigned col = p->tcol;
	int n;

	if (p->tok != T_MINUS)
		return parse_primary(p, after);
	if (++p->depth > EXPR_MAX_DEPTH) {
		fail(p, col, "expression nested more than %d levels deep at column %u: simplify it", EXPR_MAX_DEPTH, col);
		return -1;
	}
	lex(p);
	n = parse_unary(p, "'-'");
	p->depth--;
	return mk(p, N_NEG, col, n, -1);
}

static int
parse_mul(struct parser *p, const char *after)
{
	int l = parse_unary(p, after);

	while (!p->failed) {
		enum nkind k;
		const char *op;
		unsigned col = p->tcol;

		if (p->tok == T_STAR) {
			k = N_MUL;
			op = "'*'";
		} else if (tok_is_word(p, "div")) {
			k = N_DIV;
			op = "'div'";
		} else if (tok_is_word(p, "mod")) {
			k = N_MOD;
			op = "'mod'";
		} else {
			break;
		}
		lex(p);
		l = mk(p, k, col, l, parse_unary(p, op));
	}
	return l;
}

static int
parse_add(struct parser *p, const char *after)
{
	int l = parse_mul(p, after);

	while (!p->failed && (p->tok == T_PLUS || p->tok == T_MINUS)) {
		enum nkind k = p->tok == T_PLUS ? N_ADD : N_SUB;
		unsigned col = p->tcol;

		lex(p);
		l = mk(p, k, col, l, parse_mul(p, k == N_ADD ? "'+'" : "'-'"));
	}
	return l;
}

static int
parse_rel(struct parser *p, const char *after)
{
	static const char *const ops[] = {
		[T_LT] = "'<'", [T_LE] = "'<='", [T_GT] = "'>'", [T_GE] = "'>='",
	};
	int l = parse_add(p, after);

	while (!p->failed && (p->tok == T_LT || p->tok == T_LE ||
	    p->tok == T_GT || p->tok == T_GE)) {
		enum tok t = p->tok;
		enum nkind k = t == T_LT ? N_LT : t == T_LE ? N_LE : t == T_GT ? N_GT : N_GE;
		unsigned col = p->tcol;

		lex(p);
		l = mk(p, k, col, l, parse_add(p, ops[t]));
	}
	return l;
}

static int
parse_eq(struct parser *p, const char *after)
{
	int l = parse_rel(p, after);

	while (!p->failed && (p->tok == T_EQ || p->tok == T_NE)) {
		enum nkind k = p->tok == T_EQ ? N_EQ : N_NE;
		unsigned col = p->tcol;

		lex(p);
		l = mk(p, k, col, l, parse_rel(p, k == N_EQ ? "'='" : "'!='"));
	}
	return l;
}

static int
parse_and(struct parser *p, const char *after)
{
	int l = parse_eq(p, after);

	while (!p->failed && tok_is_word(p, "and")) {
		unsigned col = p->tcol;

		lex(p);
		l = mk(p, N_AND, col, l, parse_eq(p, "'and'"));
	}
	return l;
}

static int
parse_or_after(struct parser *p, const char *after)
{
	int l = parse_and(p, after);

	while (!p->failed && tok_is_word(p, "or")) {
		unsigned col = p->tcol;

		lex(p);
		l = mk(p, N_OR, col, l, parse_and(p, "'or'"));
	}
	return l;
}

static int
parse_or(struct parser *p)
{
	return parse_or_after(p, NULL);
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	free(e->text);
	free(e->nodes);
	free(e->pool);
	free(e->refs);
	free(e->slots);
	free(e->argv);
	for (int i = 0; i < e->nregexes; i++)
		regfree(&e->regexes[i]);
	free(e->regexes);
	free(e->scratch);
	free(e);
}

enum status
expr_parse(const char *text, size_t len, struct expr **out, struct expr_error *err)
{
	struct parser p;
	struct expr *e;
	char buf[48];
	size_t cap;

	memset(err, 0, sizeof *err);
	*out = NULL;
	if (len > EXPR_MAX_LEN) {
		err->col = 1;
		snprintf(err->msg, sizeof err->msg,
		    "expression is %zu bytes long; the limit is %d: split it into simpler conditions",
		    len, EXPR_MAX_LEN);
		return ST_INVALID;
	}
	e = calloc(1, sizeof *e);
	if (e == NULL)
		return ST_NOMEM;
	cap = len + 1 < EXPR_MAX_NODES ? len + 1 : EXPR_MAX_NODES;
	e->cap = (int)cap;
	e->text = malloc(len + 1);
	e->nodes = calloc(cap, sizeof *e->nodes);
	/* Every string and reference name is a distinct part of the text plus a
	 * NUL, so twice the length bounds the pool. */
	e->pool = malloc(2 * len + 2);
	e->refs = calloc(len / 3 + 1, sizeof *e->refs);
	e->argv = calloc(cap, sizeof *e->argv);
	if (!e->text || !e->nodes || !e->pool || !e->refs || !e->argv) {
		expr_free(e);
		return ST_NOMEM;
	}
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	e->len = len;

	memset(&p, 0, sizeof p);
	p.e = e;
	p.s = e->text;
	p.len = len;
	p.pcol = 1;
	p.err = err;
	lex(&p);
	e->root = parse_or(&p);
	if (!p.failed && p.tok != T_END)
		fail(&p, p.tcol, "unexpected %s at column %u: expected an operator (and, or, =, ...) or the end",
		    tok_text(&p, buf), p.tcol);
	if (p.failed) {
		expr_free(e);
		return ST_INVALID;
	}
	*out = e;
	return ST_OK;
}

/* ---- type check ------------------------------------------------------- */

/*
 * Static types catch what an author would otherwise find in the field: a
 * number question compared with text, a choice value that does not exist
 * (so a condition can never be true), indicator() where indicators are not
 * known yet. The checker also binds ${name} to slots; unknown names fail.
 */

struct checker {
	struct expr *e;
	const struct expr_scope *sc;
	struct expr_error *err;
	bool failed;
	bool warned;
	bool builds_text;       /* some call writes text into scratch */
	bool nomem;
};

static void __attribute__((format(printf, 3, 4)))
cfail(struct checker *c, unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	c->err->col = col;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
	va_end(ap);
}

/* Records the first warning; an error found later replaces it. */
static void __attribute__((format(printf, 3, 4)))
cwarn(struct checker *c, unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (c->failed || c->warned)
		return;
	c->warned = true;
	c->err->col = col;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
	va_end(ap);
}

static const char *
qtype_name(enum expr_qtype t)
{
	switch (t) {
	case EXPR_Q_TEXT: return "text";
	case EXPR_Q_NUMBER: return "number";
	case EXPR_Q_DATE: return "date";
	case EXPR_Q_YES_NO: return "yes_no";
	case EXPR_Q_SELECT_ONE: return "select_one";
	case EXPR_Q_SELECT_MULTIPLE: return "select_multiple";
	case EXPR_Q_NOTE: return "note";
	case EXPR_Q_CALCULATED: return "calculate";
	}
	return "?";
}

/* The question a node refers to (${q} or `.`), or NULL. */
static const struct expr_qdecl *
node_question(const struct checker *c, const struct node *n)
{
	if (n->kind == N_REF) {
		int slot = c->e->refs[n->ival].slot;

		return slot >= 0 ? &c->sc->questions[slot] : NULL;
	}
	if (n->kind == N_DOT && c->sc->self >= 0)
		return &c->sc->questions[c->sc->self];
	return NULL;
}

/* "${id}" or "." for messages. */
static const char *
node_name(const struct checker *c, const struct node *n, char buf[64])
{
	if (n->kind == N_DOT)
		return ".";
	snprintf(buf, 64, "${%s}", c->e->pool + c->e->refs[n->ival].name);
	return buf;
}

static bool
is_choice_type(enum expr_qtype t)
{
	return t == EXPR_Q_YES_NO || t == EXPR_Q_SELECT_ONE || t == EXPR_Q_SELECT_MULTIPLE;
}

static bool
has_choice(const struct expr_qdecl *q, const char *v, size_t len)
{
	for (size_t i = 0; i < q->nchoices; i++)
		if (strlen(q->choices[i]) == len && memcmp(q->choices[i], v, len) == 0)
			return true;
	return false;
}

/* Fails unless every space-separated value of literal `lit` is a choice of
 * q (one value only unless q is select_multiple). */
static void
check_choice_literal(struct checker *c, const struct node *qn,
    const struct expr_qdecl *q, const struct node *lit)
{
	const char *s = c->e->pool + lit->str;
	size_t i = 0, len = lit->len;
	char name[64], list[160];
	size_t ll = 0;

	while (i < len) {
		size_t j;

		while (i < len && s[i] == ' ')
			i++;
		j = i;
		while (j < len && s[j] != ' ')
			j++;
		if (j > i && !has_choice(q, s + i, j - i))
			break;
		if (j > i && q->type != EXPR_Q_SELECT_MULTIPLE && (j - i) != len)
			break;
		i = j;
	}
	if (i >= len)
		return;
	list[0] = '\0';
	for (size_t k = 0; k < q->nchoices; k++) {
		int w = snprintf(list + ll, sizeof list - ll, "%s%s", k ? ", " : "", q->choices[k]);

		if (w < 0 || (size_t)w >= sizeof list - ll - 5) {
			snprintf(list + ll, sizeof list - ll, ", ...");
			break;
		}
		ll += (size_t)w;
	}
	cfail(c, lit->col, "'%.*s' is not a choice of %s (%s%s) at column %u: use one of: %s",
	    (int)(len > 48 ? 48 : len), s, node_name(c, qn, name),
	    q->type == EXPR_Q_YES_NO ? "" : "list ", q->list ? q->list : "yes_no",
	    lit->col, list);
}

static int check_node(struct checker *c, int ni);

static bool
literal_is_number(const struct checker *c, const struct node *n)
{
	return !isnan(expr_parse_number(c->e->pool + n->str, n->len));
}

static bool
literal_is_date(const struct checker *c, const struct node *n)
{
	struct when w;

	return parse_when(c->e->pool + n->str, n->len, &w);
}

/* Every choice of q reads as a number (choices coded 1..n). */
static bool
choices_are_numbers(const struct expr_qdecl *q)
{
	if (q->type == EXPR_Q_YES_NO || q->nchoices == 0)
		return false;
	for (size_t i = 0; i < q->nchoices; i++)
		if (isnan(expr_parse_number(q->choices[i], strlen(q->choices[i]))))
			return false;
	return true;
}

/*
 * Warns when an operand of an ordering or of arithmetic surely does not
 * read as a number: both convert text to a number, and text that is neither
 * a number nor a date becomes NaN (false, or NaN again).
 */
static void
check_numeric_operand(struct checker *c, const struct node *n, int t, const char *what)
{
	const struct expr_qdecl *q = node_question(c, n);
	char name[64];

	if (t == S_EMPTY)
		cwarn(c, n->col, "%s '' at column %u: the empty text is not a number, so the result is always %s",
		    what, n->col, what[0] == 'o' ? "false" : "NaN");
	else if (n->kind == N_STR && !literal_is_number(c, n) && !literal_is_date(c, n))
		cwarn(c, n->col, "%s the text '%.*s' at column %u: it is not a number or a date, so the result is always %s",
		    what, (int)(n->len > 48 ? 48 : n->len), c->e->pool + n->str, n->col,
		    what[0] == 'o' ? "false" : "NaN");
	else if (q && is_choice_type(q->type) && !choices_are_numbers(q))
		cwarn(c, n->col, "%s %s at column %u: its choice values are not numbers, so the result is always %s",
		    what, node_name(c, n, name), n->col, what[0] == 'o' ? "false" : "NaN");
	else if (q && q->type == EXPR_Q_TEXT && what[0] == 'a')
		cwarn(c, n->col, "arithmetic needs numbers, but %s at column %u is text: the result is NaN unless the answer is digits; "
		    "use a decimal or integer question", node_name(c, n, name), n->col);
}

/* Comparison operands. Errors for a comparison that can never be true; a
 * warning where the conversion ODK applies surely is not what was meant. */
static void
check_compare(struct checker *c, const struct node *n, int ta, int tb)
{
	const struct node *na = &c->e->nodes[n->a], *nb = &c->e->nodes[n->b];
	const struct expr_qdecl *qa = node_question(c, na), *qb = node_question(c, nb);
	char name[64], numbuf[32];
	bool ordering = n->kind != N_EQ && n->kind != N_NE;

	if (ta == S_EMPTY || tb == S_EMPTY) {
		const struct node *qn = ta == S_EMPTY ? nb : na;
		const struct expr_qdecl *q = ta == S_EMPTY ? qb : qa;

		if (ordering)
			cfail(c, n->col, "comparing with '' using an ordering operator at column %u is always false: use = '' or != ''", n->col);
		else if (q && q->type == EXPR_Q_NUMBER)
			cwarn(c, n->col, "%s %s '' at column %u is true whenever %s has no number: unanswered, declined or don't know; "
			    "say which with not(answered(%s)), declined(%s) or dont-know(%s)",
			    node_name(c, qn, name), n->kind == N_EQ ? "=" : "!=", n->col, name, name, name, name);
		return;
	}
	if (ta == S_ANY || tb == S_ANY)
		return;
	if (ordering) {
		check_numeric_operand(c, na, ta, "ordering");
		check_numeric_operand(c, nb, tb, "ordering");
		return;
	}
	if ((ta == S_NUM && tb == S_STR) || (ta == S_STR && tb == S_NUM)) {
		const struct node *qn = ta == S_NUM ? na : nb;
		const struct node *other = ta == S_NUM ? nb : na;
		const struct expr_qdecl *oq = ta == S_NUM ? qb : qa;

		/* The text is converted to a number: '1' is 1, 'ten' is NaN. */
		if (other->kind == N_STR && !literal_is_number(c, other)) {
			if (qn->kind == N_REF || qn->kind == N_DOT)
				cfail(c, other->col, "%s is a number question; compare it with a number, not the text '%.*s' (column %u)",
				    node_name(c, qn, name), (int)(other->len > 48 ? 48 : other->len),
				    c->e->pool + other->str, other->col);
			else
				cfail(c, other->col, "comparing a number with the text '%.*s' at column %u is never true: it is not a number",
				    (int)(other->len > 48 ? 48 : other->len), c->e->pool + other->str, other->col);
			return;
		}
		/* A choice compared with a number: fine when a choice reads as it. */
		if (oq && is_choice_type(oq->type) && qn->kind == N_NUM) {
			for (size_t i = 0; i < oq->nchoices; i++)
				if (fabs(expr_parse_number(oq->choices[i], strlen(oq->choices[i])) - qn->num) < 1e-12)
					return;
			cfail(c, qn->col, "%s is a %s question; compare it with text in quotes, like '%s', not a number (column %u)",
			    node_name(c, other, name), qtype_name(oq->type), expr_format_number(qn->num, numbuf), qn->col);
		}
		return;
	}
	if ((ta == S_BOOL && (tb == S_STR || tb == S_DATE)) || ((ta == S_STR || ta == S_DATE) && tb == S_BOOL)) {
		cwarn(c, n->col, "comparing a condition with text at column %u: the text counts as true whenever it is not empty "
		    "(so 'no' is true); compare the text with = 'value', or use the condition alone", n->col);
		return;
	}
	if (qa && is_choice_type(qa->type) && nb->kind == N_STR)
		check_choice_literal(c, na, qa, nb);
	else if (qb && is_choice_type(qb->type) && na->kind == N_STR)
		check_choice_literal(c, nb, qb, na);
}

/* The argument at ai of a call that reads a question's answer state or its
 * choices. `any_value`: a value other than a question is accepted too. */
static int
check_question_arg(struct checker *c, const struct node *call, int ai, bool choice_only, bool any_value)
{
	const struct node *a;
	const struct expr_qdecl *q;
	char name[64];

	if (check_node(c, ai) < 0)
		return -1;
	a = &c->e->nodes[ai];
	if (a->kind != N_REF && a->kind != N_DOT) {
		if (any_value)
			return 0;
		cfail(c, a->col, "%s() needs a question as its first argument at column %u: write %s",
		    fns[call->fn].name, a->col, fns[call->fn].usage);
		return -1;
	}
	q = node_question(c, a);
	if (q == NULL)
		return -1;
	if (choice_only && !is_choice_type(q->type)) {
		cfail(c, a->col, "%s() needs a select_one, select_multiple or yes_no question at column %u; %s is a %s question",
		    fns[call->fn].name, a->col, node_name(c, a, name), qtype_name(q->type));
		return -1;
	}
	return 0;
}

static bool
level_from(const char *s, size_t len, int *level)
{
	static const char *const names[] = {"strong", "medium", "weak"};

	for (int i = 0; i < 3; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
			*level = i;
			return true;
		}
	if (len == 3 && memcmp(s, "any", 3) == 0) {
		*level = -1;
		return true;
	}
	return false;
}

static size_t
utf8_count(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Type of if()/coalesce() from its two branches. */
static int
join_types(int ta, int tb)
{
	if (ta == tb)
		return ta;
	if (ta == S_EMPTY && (tb == S_STR || tb == S_DATE))
		return tb;
	if (tb == S_EMPTY && (ta == S_STR || ta == S_DATE))
		return ta;
	return S_ANY;
}

#define REGEX_MAX_LEN   512
#define REGEX_MAX_SIZE  2000    /* estimated automaton positions */
#define REGEX_MAX_COUNT 255     /* largest count in {m,n} */

/*
 * Refuses a pattern whose compiled form would be huge or slow: the C
 * library copies the operand of {m,n} m..n times, so nested or stacked
 * repetitions multiply (x{1,100}{1,100}{1,100} takes gigabytes), and back-
 * references make matching exponential. Estimates the size of the pattern
 * with repetitions expanded; not a matcher. Returns the byte offset of the
 * problem and a reason, or NULL.
 */
static const char *
regex_refused(const char *s, size_t len, size_t *at)
{
	enum { MAXD = 32 };
	double cur[MAXD + 1] = {0}, last = 0;
	int d = 0;
	bool after_quant = true;        /* a quantifier here has no operand */

	if (len > REGEX_MAX_LEN) {
		*at = REGEX_MAX_LEN;
		return "it is longer than 512 bytes";
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		double atom = 1;

		*at = i;
		switch (c) {
		case '\\':
			if (i + 1 < len && s[i + 1] >= '1' && s[i + 1] <= '9')
				return "back-references (\\1 ... \\9) are not supported";
			i++;
			break;
		case '[':
			i++;
			if (i < len && s[i] == '^')
				i++;
			if (i < len && s[i] == ']')
				i++;
			while (i < len && s[i] != ']') {
				if (s[i] == '[' && i + 1 < len && strchr(":.=", s[i + 1])) {
					char close = s[i + 1];

					for (i += 2; i + 1 < len && !(s[i] == close && s[i + 1] == ']'); i++)
						;
					i++;
				}
				i++;
			}
			break;
		case '(':
			if (d == MAXD)
				return "groups are nested too deep";
			cur[++d] = 0;
			after_quant = true;
			continue;
		case ')':
			if (d == 0)
				break;
			atom = cur[d--] + 1;
			break;
		case '|':
			after_quant = true;
			continue;
		case '*':
		case '+':
		case '?':
		case '{': {
			double count = 2;

			if (after_quant)
				return "a repetition follows another repetition (or nothing): write one, or group with ( )";
			if (c == '{') {
				unsigned long m = 0, n = 0;
				bool comma = false, nset = false;

				for (i++; i < len && s[i] != '}'; i++) {
					if (s[i] == ',')
						comma = true;
					else if (is_digit(s[i]) && !comma && m <= REGEX_MAX_COUNT)
						m = m * 10 + (unsigned long)(s[i] - '0');
					else if (is_digit(s[i]) && comma && n <= REGEX_MAX_COUNT) {
						n = n * 10 + (unsigned long)(s[i] - '0');
						nset = true;
					}
				}
				if (m > REGEX_MAX_COUNT || n > REGEX_MAX_COUNT)
					return "a count in {m,n} is above 255";
				count = (double)(nset ? n : comma ? m + 1 : m);
				if (count < 1)
					count = 1;
			}
			cur[d] += last * (count - 1);
			last *= count;
			after_quant = true;
			if (cur[d] > REGEX_MAX_SIZE)
				return "its repetitions make it too large: use smaller counts or fewer nested repetitions";
			continue;
		}
		default:
			break;
		}
		last = atom;
		cur[d] += atom;
		after_quant = false;
		if (cur[d] > REGEX_MAX_SIZE)
			return "its repetitions make it too large: use smaller counts or fewer nested repetitions";
	}
	return NULL;
}

/* Compiles the pattern of regex() at check time, anchored at both ends: ODK
 * Collect matches the whole value. POSIX extended syntax; Java's shorthand
 * classes that POSIX lacks are refused rather than read as letters. */
static int
check_regex(struct checker *c, struct node *n, const struct node *pat)
{
	struct expr *e = c->e;
	const char *src;
	char *re, msg[160];
	regex_t *grown;
	int rc;

	if (pat->kind != N_STR) {
		cfail(c, pat->col, "regex() needs its pattern in quotes at column %u: write %s", pat->col, fns[F_REGEX].usage);
		return -1;
	}
	src = e->pool + pat->str;
	{
		size_t at = 0;
		const char *why = regex_refused(src, pat->len, &at);

		if (why) {
			unsigned col = pat->col + 1 + (unsigned)utf8_count(src, at);

			cfail(c, col, "regex() pattern at column %u is refused: %s", col, why);
			return -1;
		}
	}
	for (size_t i = 0; i + 1 < pat->len; i++) {
		if (src[i] != '\\')
			continue;
		if (strchr("dD", src[i + 1])) {
			/* +1: the quote */
			cfail(c, pat->col + 1 + (unsigned)utf8_count(src, i), "regex() pattern: '\\%c' at column %u is not understood here: write %s",
			    src[i + 1], pat->col + 1 + (unsigned)utf8_count(src, i), src[i + 1] == 'd' ? "[0-9]" : "[^0-9]");
			return -1;
		}
		i++;
	}
	re = malloc(pat->len + 5);
	grown = realloc(e->regexes, (size_t)(e->nregexes + 1) * sizeof *e->regexes);
	if (re == NULL || grown == NULL) {
		free(re);
		if (grown)
			e->regexes = grown;
		c->nomem = true;
		return -1;
	}
	e->regexes = grown;
	snprintf(re, pat->len + 5, "^(%s)$", src);
	rc = regcomp(&e->regexes[e->nregexes], re, REG_EXTENDED | REG_NOSUB);
	free(re);
	if (rc == REG_ESPACE) {
		c->nomem = true;
		return -1;
	}
	if (rc != 0) {
		regerror(rc, &e->regexes[e->nregexes], msg, sizeof msg);
		regfree(&e->regexes[e->nregexes]);
		cfail(c, pat->col, "regex() pattern at column %u is not a valid regular expression: %s", pat->col, msg);
		return -1;
	}
	n->ival = e->nregexes++;
	return 0;
}

static int
check_call(struct checker *c, struct node *n)
{
	struct node *arg = n->a >= 0 ? &c->e->nodes[n->a] : NULL;
	const struct expr_scope *sc = c->sc;
	enum expr_ctx ctx = sc->ctx;
	const int *argv = c->e->argv + n->argv;
	int types[EXPR_MAX_ARGS];

	switch ((enum fn)n->fn) {
	case F_SELECTED: {
		const struct expr_qdecl *q;
		struct node *v;
		int tv;

		if (check_question_arg(c, n, n->a, true, true) < 0)
			return -1;
		tv = check_node(c, n->b);
		if (tv < 0)
			return -1;
		v = &c->e->nodes[n->b];
		if (tv == S_NUM || tv == S_BOOL) {
			cfail(c, v->col, "selected() needs a choice value in quotes as its second argument at column %u, like selected(${q}, 'value')", v->col);
			return -1;
		}
		q = node_question(c, arg);
		if (v->kind == N_STR) {
			/* ODK trims the value: selected(${q}, ' a ') means 'a'. */
			const char *s = c->e->pool + v->str;
			size_t i = 0, len = v->len;

			while (i < len && is_space(s[i]))
				i++;
			while (len > i && is_space(s[len - 1]))
				len--;
			if (len == i || memchr(s + i, ' ', len - i)) {
				cfail(c, v->col, "selected() takes one choice value at column %u: use one selected() per value, joined with or/and", v->col);
				return -1;
			}
			if (q) {
				struct node lit = *v;

				lit.str += i;
				lit.len = len - i;
				check_choice_literal(c, arg, q, &lit);
			}
		}
		return c->failed ? -1 : S_BOOL;
	}
	case F_COUNT_SELECTED:
		return check_question_arg(c, n, n->a, true, true) < 0 ? -1 : S_NUM;
	case F_CHOICE_NAME: {
		/* The second argument names the question whose choice list is
		 * read: text holding exactly one ${id}, as XLSForms write it. The
		 * question is bound here; evaluation asks the environment. */
		const struct node *qa = &c->e->nodes[n->b];
		const char *s;
		size_t i = 0, len, id;
		char name[64];

		if (check_node(c, n->a) < 0)
			return -1;
		if (qa->kind != N_STR) {
			cfail(c, qa->col, "jr:choice-name() needs the question's name in quotes as its second argument at column %u: write %s",
			    qa->col, fns[n->fn].usage);
			return -1;
		}
		s = c->e->pool + qa->str;
		len = qa->len;
		while (i < len && is_space(s[i]))
			i++;
		while (len > i && is_space(s[len - 1]))
			len--;
		id = i + 2;
		if (len < i + 4 || s[i] != '$' || s[i + 1] != '{' || s[len - 1] != '}' ||
		    memchr(s + id, '}', len - 1 - id) != NULL) {
			cfail(c, qa->col, "jr:choice-name() at column %u: the second argument '%.*s' must be one question as '${id}': write %s",
			    qa->col, (int)(qa->len > 48 ? 48 : qa->len), s, fns[n->fn].usage);
			return -1;
		}
		n->ival = -1;
		for (size_t k = 0; k < sc->nquestions; k++)
			if (strlen(sc->questions[k].id) == len - 1 - id &&
			    memcmp(sc->questions[k].id, s + id, len - 1 - id) == 0) {
				n->ival = (int)k;
				break;
			}
		snprintf(name, sizeof name, "%.*s", (int)(len - i > 60 ? 60 : len - i), s + i);
		if (n->ival < 0) {
			cfail(c, qa->col, "unknown question %s in jr:choice-name() at column %u: use the id of a question in this form",
			    name, qa->col);
			return -1;
		}
		if (!is_choice_type(sc->questions[n->ival].type)) {
			cfail(c, qa->col, "jr:choice-name() needs a select_one, select_multiple or yes_no question at column %u; %s is a %s question",
			    qa->col, name, qtype_name(sc->questions[n->ival].type));
			return -1;
		}
		return S_STR;
	}
	case F_ANSWERED:
	case F_DECLINED:
	case F_DONT_KNOW:
		return check_question_arg(c, n, n->a, false, false) < 0 ? -1 : S_BOOL;
	case F_INDICATOR:
	case F_COUNT_INDICATORS: {
		const char *s;

		if (ctx != EXPR_CTX_INDICATOR && ctx != EXPR_CTX_OUTCOME) {
			cfail(c, n->col, "%s() at column %u can only be used in the when of an indicator or outcome",
			    fns[n->fn].name, n->col);
			return -1;
		}
		if (arg->kind != N_STR) {
			cfail(c, arg->col, "%s() needs a name in quotes at column %u: write %s",
			    fns[n->fn].name, arg->col, fns[n->fn].usage);
			return -1;
		}
		s = c->e->pool + arg->str;
		if (n->fn == F_COUNT_INDICATORS) {
			if (!level_from(s, arg->len, &n->ival)) {
				cfail(c, arg->col, "unknown indicator level '%.*s' at column %u: use 'strong', 'medium', 'weak' or 'any'",
				    (int)(arg->len > 32 ? 32 : arg->len), s, arg->col);
				return -1;
			}
			return S_NUM;
		}
		for (size_t i = 0; i < sc->nindicators; i++) {
			if (strcmp(sc->indicators[i], s) != 0)
				continue;
			if (i >= sc->nvisible) {
				cfail(c, arg->col, "indicator('%s') at column %u is not defined before this indicator: an indicator's when can only use indicators listed above it",
				    s, arg->col);
				return -1;
			}
			n->ival = (int)i;
			return S_BOOL;
		}
		cfail(c, arg->col, "unknown indicator '%.*s' at column %u: use the id of an indicator in this form",
		    (int)(arg->len > 48 ? 48 : arg->len), s, arg->col);
		return -1;
	}
	case F_TRUE:
	case F_FALSE:
		return S_BOOL;
	case F_TODAY:
		return S_DATE;
	case F_NOW:
		c->builds_text = true;
		return S_STR;
	default:
		break;
	}
	for (int i = 0; i < n->nargs; i++) {
		types[i] = check_node(c, argv[i]);
		if (types[i] < 0)
			return -1;
	}
	switch ((enum fn)n->fn) {
	case F_IF:
		return join_types(types[1], types[2]);
	case F_COALESCE:
		return join_types(types[0], types[1]);
	case F_NOT:
	case F_BOOLEAN:
	case F_CONTAINS:
	case F_STARTS_WITH:
	case F_ENDS_WITH:
		return S_BOOL;
	case F_REGEX:
		return check_regex(c, n, &c->e->nodes[n->b]) < 0 ? -1 : S_BOOL;
	case F_STRING_LENGTH:
	case F_DECIMAL_DATE_TIME:
		return S_NUM;
	case F_INT:
	case F_NUMBER:
	case F_ROUND:
	case F_ABS:
	case F_POW:
	case F_MIN:
	case F_MAX:
		for (int i = 0; i < n->nargs; i++)
			check_numeric_operand(c, &c->e->nodes[argv[i]], types[i], "arithmetic on");
		return S_NUM;
	case F_DATE:
		if (arg->kind == N_STR && arg->len > 0 && !literal_is_date(c, arg)) {
			cfail(c, arg->col, "date() at column %u: '%.*s' is not a date; write it as 'YYYY-MM-DD'",
			    arg->col, (int)(arg->len > 48 ? 48 : arg->len), c->e->pool + arg->str);
			return -1;
		}
		c->builds_text = true;
		return S_DATE;
	case F_CONCAT:
	case F_STRING:
	case F_SUBSTRING_BEFORE:
	case F_SUBSTRING_AFTER:
	case F_NORMALIZE_SPACE:
	case F_FORMAT_DATE:
		c->builds_text = true;
		return S_STR;
	default:
		break;
	}
	return -1;
}

static int
check_node(struct checker *c, int ni)
{
	struct node *n = &c->e->nodes[ni];
	const struct expr_scope *sc = c->sc;
	int ta, tb, t = -1;
	char name[64];

	if (c->failed)
		return -1;
	switch ((enum nkind)n->kind) {
	case N_NUM:
		t = S_NUM;
		break;
	case N_STR:
		t = n->len == 0 ? S_EMPTY : S_STR;
		break;
	case N_REF:
	case N_DOT: {
		const struct expr_qdecl *q;

		if (n->kind == N_DOT && (sc->ctx != EXPR_CTX_CONSTRAINT || sc->self < 0)) {
			cfail(c, n->col, "'.' at column %u means \"this answer\" and can only be used in a constraint: refer to a question as ${id}", n->col);
			return -1;
		}
		if (n->kind == N_REF && c->e->refs[n->ival].slot < 0) {
			cfail(c, n->col, "unknown question %s at column %u: use the id of a question in this form",
			    node_name(c, n, name), n->col);
			return -1;
		}
		if (n->kind == N_REF && sc->ctx == EXPR_CTX_CONSTRAINT &&
		    c->e->refs[n->ival].slot == sc->self) {
			cfail(c, n->col, "a constraint refers to its own question as %s at column %u: write . for the answer being checked",
			    node_name(c, n, name), n->col);
			return -1;
		}
		q = node_question(c, n);
		if (q->type == EXPR_Q_NOTE) {
			cfail(c, n->col, "%s at column %u is a note and has no answer", node_name(c, n, name), n->col);
			return -1;
		}
		t = q->type == EXPR_Q_NUMBER ? S_NUM : q->type == EXPR_Q_DATE ? S_DATE : S_STR;
		break;
	}
	case N_OR:
	case N_AND:
		if (check_node(c, n->a) < 0 || check_node(c, n->b) < 0)
			return -1;
		t = S_BOOL;
		break;
	case N_EQ: case N_NE: case N_LT: case N_LE: case N_GT: case N_GE:
		ta = check_node(c, n->a);
		tb = ta < 0 ? -1 : check_node(c, n->b);
		if (tb < 0)
			return -1;
		check_compare(c, n, ta, tb);
		t = S_BOOL;
		break;
	case N_ADD: case N_SUB: case N_MUL: case N_DIV: case N_MOD:
	case N_NEG: {
		int kids[2] = {n->a, n->b};

		/* Everything converts to a number (true() + 1 is 2, a date is its
		 * day count); only what surely is not a number gets a warning. */
		for (int k = 0; k < 2 && kids[k] >= 0; k++) {
			int tk = check_node(c, kids[k]);

			if (tk < 0)
				return -1;
			check_numeric_operand(c, &c->e->nodes[kids[k]], tk, "arithmetic on");
		}
		t = S_NUM;
		break;
	}
	case N_CALL:
		t = check_call(c, n);
		break;
	}
	if (t >= 0)
		n->stype = (unsigned char)t;
	return c->failed ? -1 : t;
}

enum status
expr_check(struct expr *e, const struct expr_scope *sc, struct expr_error *err)
{
	struct checker c;
	int *slots;

	memset(&c, 0, sizeof c);
	c.e = e;
	c.sc = sc;
	c.err = err;
	memset(err, 0, sizeof *err);
	e->checked = false;
	for (int i = 0; i < e->nregexes; i++)
		regfree(&e->regexes[i]);
	e->nregexes = 0;
	for (int r = 0; r < e->nrefs; r++) {
		const char *name = e->pool + e->refs[r].name;

		e->refs[r].slot = -1;
		for (size_t i = 0; i < sc->nquestions; i++)
			if (strcmp(sc->questions[i].id, name) == 0) {
				e->refs[r].slot = (int)i;
				break;
			}
	}
	if (check_node(&c, e->root) < 0) {
		if (c.nomem)
			return ST_NOMEM;
		if (!c.failed)
			cfail(&c, 1, "expression could not be checked");
		return ST_INVALID;
	}
	if (c.builds_text && e->scratch == NULL) {
		e->scratch = malloc(EXPR_SCRATCH);
		if (e->scratch == NULL)
			return ST_NOMEM;
	}
	slots = calloc((size_t)e->nrefs + 1, sizeof *slots);
	if (slots == NULL)
		return ST_NOMEM;
	for (int r = 0; r < e->nrefs; r++)
		slots[r] = e->refs[r].slot;
	free(e->slots);
	e->slots = slots;
	e->checked = true;
	return ST_OK;
}

/* ---- evaluation ------------------------------------------------------- */

/* Total functions: every input, including NaN, infinities and values a
 * checked expression should never see, gives a defined result. Where ODK
 * Collect would stop with an error (date('nonsense')), the result is ''. */

struct ev {
	const struct expr *e;
	const struct expr_env *env;
	size_t used;            /* bytes of e->scratch in use */
};

static const struct expr_value v_empty = {EXPR_V_EMPTY, 0, NULL, 0};

static struct expr_value
v_bool(bool b)
{
	struct expr_value v = {EXPR_V_BOOL, b ? 1 : 0, NULL, 0};

	return v;
}

static struct expr_value
v_num(double d)
{
	struct expr_value v = {EXPR_V_NUMBER, d, NULL, 0};

	return v;
}

static struct expr_value
v_str(const char *s, size_t len)
{
	struct expr_value v = {EXPR_V_STRING, 0, s, len};

	return v;
}

bool
expr_value_truthy(struct expr_value v)
{
	switch (v.kind) {
	case EXPR_V_EMPTY: return false;
	case EXPR_V_BOOL: return v.num != 0;
	case EXPR_V_NUMBER: return fabs(v.num) > 1e-12;   /* false for NaN */
	case EXPR_V_STRING: return v.len > 0;
	}
	return false;
}

static double
to_num(struct expr_value v)
{
	double d;
	struct when w;

	switch (v.kind) {
	case EXPR_V_BOOL:
	case EXPR_V_NUMBER:
		return v.num;
	case EXPR_V_STRING:
		d = expr_parse_number(v.str, v.len);
		if (isnan(d) && parse_when(v.str, v.len, &w))
			d = (double)w.days;
		return d;
	case EXPR_V_EMPTY:
		break;
	}
	return NAN;
}

/* Text of a value as string() gives it; numbers are written into buf. */
static const char *
to_text(struct expr_value v, char buf[32], size_t *len)
{
	const char *s = "";

	switch (v.kind) {
	case EXPR_V_EMPTY:
		break;
	case EXPR_V_BOOL:
		s = v.num != 0 ? "true" : "false";
		break;
	case EXPR_V_NUMBER:
		s = number_text(v.num, buf);
		break;
	case EXPR_V_STRING:
		*len = v.len;
		return v.str;
	}
	*len = strlen(s);
	return s;
}

/*
 * Text results are built in the expression's scratch space, one region per
 * result, after the regions still in use. A builder reserves its region
 * before evaluating each argument, so the argument's own text lies after it
 * and is moved down into place.
 */
struct sb {
	struct ev *ev;
	size_t start, len;
};

static void
sb_begin(struct ev *ev, struct sb *b)
{
	b->ev = ev;
	b->start = ev->used;
	b->len = 0;
}

/* Makes the region so far the reserved one before evaluating more. */
static void
sb_reserve(struct sb *b)
{
	b->ev->used = b->start + b->len;
}

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	char *scratch = b->ev->e->scratch;
	size_t room;

	if (scratch == NULL || b->start + b->len + 1 > EXPR_SCRATCH)
		return;
	room = EXPR_SCRATCH - 1 - b->start - b->len;
	if (n > room) {
		n = room;
		/* cut at a character boundary */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memmove(scratch + b->start + b->len, s, n);
	b->len += n;
}

static struct expr_value
sb_end(struct sb *b)
{
	char *scratch = b->ev->e->scratch;

	if (scratch == NULL || b->start >= EXPR_SCRATCH)
		return v_str("", 0);
	scratch[b->start + b->len] = '\0';
	b->ev->used = b->start + b->len + 1;
	return v_str(scratch + b->start, b->len);
}

static struct expr_value
text_copy(struct ev *ev, const char *s, size_t n)
{
	struct sb b;

	sb_begin(ev, &b);
	sb_add(&b, s, n);
	return sb_end(&b);
}

static bool
values_equal(struct expr_value a, struct expr_value b)
{
	char ba[32], bb[32];
	const char *sa, *sb;
	size_t la, lb;

	if (a.kind == EXPR_V_BOOL || b.kind == EXPR_V_BOOL)
		return expr_value_truthy(a) == expr_value_truthy(b);
	if (a.kind == EXPR_V_NUMBER || b.kind == EXPR_V_NUMBER)
		return fabs(to_num(a) - to_num(b)) < 1e-12;
	sa = to_text(a, ba, &la);
	sb = to_text(b, bb, &lb);
	return la == lb && memcmp(sa, sb, la) == 0;
}

/* Number of space-separated values; and whether `w` is one of them. */
static size_t
list_scan(const char *s, size_t len, const char *w, size_t wlen, bool *found)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t j;

		while (i < len && s[i] == ' ')
			i++;
		j = i;
		while (j < len && s[j] != ' ')
			j++;
		if (j > i) {
			n++;
			if (w && j - i == wlen && memcmp(s + i, w, wlen) == 0)
				*found = true;
		}
		i = j;
	}
	return n;
}

static size_t
utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *
find_text(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return h;
	for (size_t i = 0; i + nl <= hl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

/* round(x, places) as ODK Collect rounds: on the shortest decimal form of
 * x, halves away from zero for x >= 0 and towards zero below (so -0.5 is
 * -0); with negative places, x * 10^places + 0.5 truncated. */
static double
round_places(double x, double places)
{
	char dig[24], back[48];
	int n, e10, keep, carry, k;
	bool up;
	int pl = isnan(places) ? 0 : (int)fmax(-1000, fmin(1000, trunc(places)));

	if (isnan(x) || isinf(x))
		return x;
	if (pl > 30 || pl < -30)
		return NAN;
	if (pl < 0) {
		double scale = pow(10, -pl);

		return trunc(x / scale + 0.5) * scale;
	}
	if (x == 0)
		return x;
	n = shortest_digits(fabs(x), dig, &e10);
	keep = e10 + 1 + pl;    /* significant digits that stay */
	if (keep >= n)
		return x;
	if (keep < 0)
		return x < 0 ? -0.0 : 0.0;
	if (dig[keep] > '5')
		up = true;
	else if (dig[keep] < '5')
		up = false;
	else {
		up = x > 0;
		for (k = keep + 1; k < n; k++)
			if (dig[k] != '0')
				up = true;
	}
	/* digits 0..keep-1, plus one if rounding up, times 10^(e10+1-keep) */
	carry = up;
	for (k = keep - 1; k >= 0 && carry; k--) {
		if (dig[k] == '9') {
			dig[k] = '0';
		} else {
			dig[k]++;
			carry = 0;
		}
	}
	if (keep == 0)
		snprintf(back, sizeof back, "%de%d", carry, e10 + 1);
	else
		snprintf(back, sizeof back, "%s%.*se%d", carry ? "1" : "", keep, dig, e10 + 1 - keep);
	return x < 0 ? -strtod(back, NULL) : strtod(back, NULL);
}

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* The calendar fields of a date value: text (a zoned time is shown in local
 * time) or a day count. False if it is neither. */
static bool
when_of(struct expr_value v, struct when *w)
{
	if (v.kind == EXPR_V_STRING) {
		if (!parse_when(v.str, v.len, w))
			return false;
		if (w->has_zone) {
			time_t t = (time_t)floor(when_epoch(w));
			double ms = w->secs - floor(w->secs);
			struct tm tm;

			if (localtime_r(&t, &tm) == NULL)
				return false;
			w->y = tm.tm_year + 1900;
			w->m = tm.tm_mon + 1;
			w->d = tm.tm_mday;
			w->days = days_from_civil(w->y, w->m, w->d);
			w->secs = tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec + ms;
		}
		return true;
	}
	if (v.kind == EXPR_V_NUMBER && isfinite(v.num) && fabs(v.num) < 1e8) {
		double days = floor(v.num);

		memset(w, 0, sizeof *w);
		w->days = (long)days;
		civil_from_days(w->days, &w->y, &w->m, &w->d);
		w->secs = (v.num - days) * 86400;
		return true;
	}
	return false;
}

static struct expr_value
format_date(struct ev *ev, struct expr_value dv, struct expr_value fv)
{
	char fbuf[32], out[32];
	size_t flen;
	const char *f = to_text(fv, fbuf, &flen);
	struct when w;
	struct sb b;
	long secs;
	int dow;

	if (!when_of(dv, &w))
		return v_str("", 0);
	secs = (long)floor(w.secs);
	dow = (int)(((w.days % 7) + 11) % 7);   /* 1970-01-01 was a Thursday */
	sb_begin(ev, &b);
	for (size_t i = 0; i < flen; i++) {
		if (f[i] != '%' || i + 1 == flen) {
			sb_add(&b, f + i, 1);
			continue;
		}
		out[0] = '\0';
		switch (f[++i]) {
		case 'Y': snprintf(out, sizeof out, "%04d", w.y); break;
		case 'y': snprintf(out, sizeof out, "%02d", w.y % 100); break;
		case 'm': snprintf(out, sizeof out, "%02d", w.m); break;
		case 'n': snprintf(out, sizeof out, "%d", w.m); break;
		case 'b': snprintf(out, sizeof out, "%s", month_names[w.m - 1]); break;
		case 'd': snprintf(out, sizeof out, "%02d", w.d); break;
		case 'e': snprintf(out, sizeof out, "%d", w.d); break;
		case 'H': snprintf(out, sizeof out, "%02ld", secs / 3600); break;
		case 'h': snprintf(out, sizeof out, "%ld", secs / 3600); break;
		case 'M': snprintf(out, sizeof out, "%02ld", secs / 60 % 60); break;
		case 'S': snprintf(out, sizeof out, "%02ld", secs % 60); break;
		case '3': snprintf(out, sizeof out, "%03d", (int)((w.secs - floor(w.secs)) * 1000 + 0.5) % 1000); break;
		case 'a': snprintf(out, sizeof out, "%s", day_names[dow]); break;
		default:
			out[0] = '%';
			out[1] = f[i];
			out[2] = '\0';
			break;
		}
		sb_add(&b, out, strlen(out));
	}
	return sb_end(&b);
}

static struct expr_value
date_of(struct ev *ev, struct expr_value v)
{
	struct when w;
	char buf[16];

	if (v.kind == EXPR_V_NUMBER) {
		if (!isfinite(v.num) || fabs(v.num) > 2e6)
			return v_str("", 0);
		memset(&w, 0, sizeof w);
		w.days = (long)trunc(v.num);
		civil_from_days(w.days, &w.y, &w.m, &w.d);
	} else if (v.kind != EXPR_V_STRING || !when_of(v, &w)) {
		return v_str("", 0);
	}
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", w.y, w.m, w.d);
	return text_copy(ev, buf, strlen(buf));
}

static struct expr_value
now_text(struct ev *ev)
{
	time_t t = clock_now();
	struct tm tm;
	char buf[96];
	long off;

	if (localtime_r(&t, &tm) == NULL)
		return v_str("", 0);
	off = tm.tm_gmtoff;
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.000%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 3600, labs(off) / 60 % 60);
	return text_copy(ev, buf, strlen(buf));
}

static struct expr_value eval_node(struct ev *ev, int ni);

static struct expr_value
slot_value(const struct expr *e, const struct node *n, const struct expr_env *env)
{
	if (n->kind == N_DOT)
		return env->dot;
	return env->values[e->refs[n->ival].slot];
}

static enum expr_astate
slot_state(const struct expr *e, const struct node *n, const struct expr_env *env)
{
	if (n->kind == N_DOT)
		return env->dot.kind == EXPR_V_EMPTY ? EXPR_A_NONE : EXPR_A_VALUE;
	return (enum expr_astate)env->states[e->refs[n->ival].slot];
}

/* Evaluates argument i of call n as text. */
static const char *
arg_text(struct ev *ev, const struct node *n, int i, char buf[32], size_t *len)
{
	return to_text(eval_node(ev, ev->e->argv[n->argv + i]), buf, len);
}

static struct expr_value
eval_call(struct ev *ev, const struct node *n)
{
	const struct expr *e = ev->e;
	const struct expr_env *env = ev->env;
	const struct node *a = n->a >= 0 ? &e->nodes[n->a] : NULL;
	const int *argv = e->argv + n->argv;
	struct expr_value v, w;
	char buf[32], buf2[32];
	const char *s, *t, *hit;
	size_t len, tlen;
	struct sb b;

	switch ((enum fn)n->fn) {
	case F_SELECTED: {
		bool found = false;

		s = to_text(eval_node(ev, n->a), buf, &len);
		t = to_text(eval_node(ev, n->b), buf2, &tlen);
		while (tlen > 0 && is_space(*t)) {
			t++;
			tlen--;
		}
		while (tlen > 0 && is_space(t[tlen - 1]))
			tlen--;
		if (tlen == 0)
			return v_bool(false);
		list_scan(s, len, t, tlen, &found);
		return v_bool(found);
	}
	case F_CHOICE_NAME:
		/* JavaRosa compares the value as text, exactly (no trimming). */
		s = to_text(eval_node(ev, n->a), buf, &len);
		t = env->choice_label ? env->choice_label(env->choice_ctx, n->ival, s, len) : NULL;
		return t ? v_str(t, strlen(t)) : v_empty;
	case F_COUNT_SELECTED:
		s = to_text(eval_node(ev, n->a), buf, &len);
		return v_num((double)list_scan(s, len, NULL, 0, NULL));
	case F_INDICATOR:
		return v_bool(n->ival >= 0 && (size_t)n->ival < env->nfired &&
		    env->fired[n->ival] >= 0);
	case F_COUNT_INDICATORS: {
		size_t count = 0;

		for (size_t i = 0; i < env->nfired; i++)
			if (env->fired[i] >= 0 && (n->ival < 0 || env->fired[i] == n->ival))
				count++;
		return v_num((double)count);
	}
	case F_ANSWERED:
		return v_bool(slot_state(e, a, env) == EXPR_A_VALUE);
	case F_DECLINED:
		return v_bool(slot_state(e, a, env) == EXPR_A_DECLINED);
	case F_DONT_KNOW:
		return v_bool(slot_state(e, a, env) == EXPR_A_DONT_KNOW);
	case F_STRING_LENGTH:
		s = to_text(eval_node(ev, n->a), buf, &len);
		return v_num((double)utf8_chars(s, len));
	case F_NOT:
		return v_bool(!expr_value_truthy(eval_node(ev, n->a)));
	case F_BOOLEAN:
		return v_bool(expr_value_truthy(eval_node(ev, n->a)));
	case F_TRUE:
		return v_bool(true);
	case F_FALSE:
		return v_bool(false);
	case F_TODAY:
		if (env->today == NULL)
			return v_empty;
		return v_str(env->today, strlen(env->today));
	case F_NOW:
		return now_text(ev);
	case F_INT:
		return v_num(trunc(to_num(eval_node(ev, n->a))));
	case F_NUMBER:
		return v_num(to_num(eval_node(ev, n->a)));
	case F_ABS:
		return v_num(fabs(to_num(eval_node(ev, n->a))));
	case F_POW:
		v = eval_node(ev, n->a);
		return v_num(pow(to_num(v), to_num(eval_node(ev, n->b))));
	case F_ROUND:
		v = eval_node(ev, n->a);
		return v_num(round_places(to_num(v), n->nargs > 1 ? to_num(eval_node(ev, n->b)) : 0));
	case F_MIN:
	case F_MAX: {
		double r = NAN;

		for (int i = 0; i < n->nargs; i++) {
			double x = to_num(eval_node(ev, argv[i]));

			if (isnan(x))
				continue;
			if (isnan(r) || (n->fn == F_MIN ? x < r : x > r))
				r = x;
		}
		return v_num(r);
	}
	case F_IF:
		return eval_node(ev, argv[expr_value_truthy(eval_node(ev, argv[0])) ? 1 : 2]);
	case F_COALESCE:
		v = eval_node(ev, n->a);
		if (v.kind == EXPR_V_EMPTY || (v.kind == EXPR_V_STRING && v.len == 0) ||
		    (v.kind == EXPR_V_NUMBER && isnan(v.num)))
			return eval_node(ev, n->b);
		return v;
	case F_STRING:
		s = to_text(eval_node(ev, n->a), buf, &len);
		return text_copy(ev, s, len);
	case F_CONCAT:
		sb_begin(ev, &b);
		for (int i = 0; i < n->nargs; i++) {
			sb_reserve(&b);
			s = arg_text(ev, n, i, buf, &len);
			sb_add(&b, s, len);
		}
		return sb_end(&b);
	case F_CONTAINS:
	case F_STARTS_WITH:
	case F_ENDS_WITH:
	case F_SUBSTRING_BEFORE:
	case F_SUBSTRING_AFTER:
		/* Both operands stay valid: the first may sit in scratch, and
		 * evaluating the second only writes after it. */
		s = arg_text(ev, n, 0, buf, &len);
		t = arg_text(ev, n, 1, buf2, &tlen);
		switch ((enum fn)n->fn) {
		case F_CONTAINS:
			return v_bool(find_text(s, len, t, tlen) != NULL);
		case F_STARTS_WITH:
			return v_bool(tlen <= len && memcmp(s, t, tlen) == 0);
		case F_ENDS_WITH:
			return v_bool(tlen <= len && memcmp(s + len - tlen, t, tlen) == 0);
		case F_SUBSTRING_BEFORE:
			hit = tlen ? find_text(s, len, t, tlen) : NULL;
			return hit ? text_copy(ev, s, (size_t)(hit - s)) : v_str("", 0);
		default:
			hit = find_text(s, len, t, tlen);
			return hit ? text_copy(ev, hit + tlen, len - (size_t)(hit - s) - tlen) : v_str("", 0);
		}
	case F_NORMALIZE_SPACE: {
		bool space = false;

		s = to_text(eval_node(ev, n->a), buf, &len);
		sb_begin(ev, &b);
		for (size_t i = 0; i < len; i++) {
			if (is_space(s[i])) {
				space = true;
				continue;
			}
			if (space && b.len > 0)
				sb_add(&b, " ", 1);
			space = false;
			sb_add(&b, s + i, 1);
		}
		return sb_end(&b);
	}
	case F_REGEX:
		/* regexec() reads to the NUL that every text value has. */
		s = to_text(eval_node(ev, n->a), buf, &len);
		if (n->ival < 0 || n->ival >= e->nregexes || memchr(s, '\0', len))
			return v_bool(false);
		return v_bool(regexec(&e->regexes[n->ival], s, 0, NULL, 0) == 0);
	case F_DATE:
		return date_of(ev, eval_node(ev, n->a));
	case F_DECIMAL_DATE_TIME: {
		struct when wh;

		v = eval_node(ev, n->a);
		if (v.kind == EXPR_V_NUMBER || v.kind == EXPR_V_BOOL)
			return v_num(v.num);
		if (v.kind != EXPR_V_STRING || !parse_when(v.str, v.len, &wh))
			return v_num(NAN);
		return v_num(when_epoch(&wh) / 86400);
	}
	case F_FORMAT_DATE:
		v = eval_node(ev, n->a);
		w = eval_node(ev, n->b);
		return format_date(ev, v, w);
	}
	return v_empty;
}

static struct expr_value
eval_node(struct ev *ev, int ni)
{
	const struct node *n = &ev->e->nodes[ni];
	struct expr_value l, r;
	double x, y;

	switch ((enum nkind)n->kind) {
	case N_NUM:
		return v_num(n->num);
	case N_STR:
		return v_str(ev->e->pool + n->str, n->len);
	case N_REF:
	case N_DOT:
		return slot_value(ev->e, n, ev->env);
	case N_OR:
		return v_bool(expr_value_truthy(eval_node(ev, n->a)) ||
		    expr_value_truthy(eval_node(ev, n->b)));
	case N_AND:
		return v_bool(expr_value_truthy(eval_node(ev, n->a)) &&
		    expr_value_truthy(eval_node(ev, n->b)));
	case N_EQ:
	case N_NE:
		l = eval_node(ev, n->a);
		r = eval_node(ev, n->b);
		return v_bool(values_equal(l, r) == (n->kind == N_EQ));
	case N_LT: case N_LE: case N_GT: case N_GE:
		/* ODK Collect orders numbers only: text becomes a number, a
		 * date its day count, anything else NaN (false). */
		x = to_num(eval_node(ev, n->a));
		y = to_num(eval_node(ev, n->b));
		switch ((enum nkind)n->kind) {
		case N_LT: return v_bool(x < y);
		case N_LE: return v_bool(x <= y);
		case N_GT: return v_bool(x > y);
		default: return v_bool(x >= y);
		}
	case N_NEG:
		return v_num(-to_num(eval_node(ev, n->a)));
	case N_ADD: case N_SUB: case N_MUL: case N_DIV: case N_MOD:
		x = to_num(eval_node(ev, n->a));
		y = to_num(eval_node(ev, n->b));
		switch ((enum nkind)n->kind) {
		case N_ADD: return v_num(x + y);
		case N_SUB: return v_num(x - y);
		case N_MUL: return v_num(x * y);
		/* IEEE 754, as XPath 1.0 and Java: x div 0 is +-Infinity,
		 * 0 div 0 NaN; x mod 0 NaN, as fmod() gives. */
		case N_DIV: return v_num(x / y);
		default: return v_num(fmod(x, y));
		}
	case N_CALL:
		return eval_call(ev, n);
	}
	return v_empty;
}

struct expr_value
expr_eval(const struct expr *e, const struct expr_env *env)
{
	struct ev ev = {e, env, 0};

	if (e == NULL || !e->checked)
		return v_empty;
	return eval_node(&ev, e->root);
}

bool
expr_eval_bool(const struct expr *e, const struct expr_env *env)
{
	return expr_value_truthy(expr_eval(e, env));
}

size_t
expr_refs(const struct expr *e, const int **slots)
{
	if (!e->checked) {
		*slots = NULL;
		return 0;
	}
	*slots = e->slots;
	return (size_t)e->nrefs;
}

size_t
expr_ref_count(const struct expr *e)
{
	return (size_t)e->nrefs;
}

const char *
expr_ref_name(const struct expr *e, size_t i)
{
	return i < (size_t)e->nrefs ? e->pool + e->refs[i].name : NULL;
}

unsigned
expr_ref_col(const struct expr *e, size_t i)
{
	return i < (size_t)e->nrefs ? e->refs[i].col : 0;
}

bool
expr_is_true(const struct expr *e)
{
	const struct node *n = &e->nodes[e->root];

	return n->kind == N_CALL && n->fn == F_TRUE;
}

const char *
expr_text(const struct expr *e)
{
	return e->text;
}
