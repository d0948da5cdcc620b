#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

static const struct {
	const char *name;
	unsigned char nargs;
	const char *usage;
} fns[] = {
	[F_SELECTED]         = {"selected", 2, "selected(${q}, 'value')"},
	[F_COUNT_SELECTED]   = {"count-selected", 1, "count-selected(${q})"},
	[F_INDICATOR]        = {"indicator", 1, "indicator('id')"},
	[F_COUNT_INDICATORS] = {"count-indicators", 1, "count-indicators('strong')"},
	[F_ANSWERED]         = {"answered", 1, "answered(${q})"},
	[F_DECLINED]         = {"declined", 1, "declined(${q})"},
	[F_DONT_KNOW]        = {"dont-know", 1, "dont-know(${q})"},
	[F_STRING_LENGTH]    = {"string-length", 1, "string-length(${q})"},
	[F_NOT]              = {"not", 1, "not(${q} = 'yes')"},
	[F_TRUE]             = {"true", 0, "true()"},
	[F_FALSE]            = {"false", 0, "false()"},
	[F_TODAY]            = {"today", 0, "today()"},
	[F_INT]              = {"int", 1, "int(${q})"},
	[F_NUMBER]           = {"number", 1, "number(${q})"},
};
#define NFNS (sizeof fns / sizeof fns[0])

/* Static types found by expr_check. S_EMPTY is the literal '' which may be
 * compared with anything ("is it unanswered?"). */
enum stype { S_BOOL, S_NUM, S_STR, S_EMPTY };

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
	int a, b;               /* children, -1 if none */
	int ival;               /* N_REF: ref index; N_CALL: indicator index or level */
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
	bool checked;
};

/* ---- numbers ---------------------------------------------------------- */

/* strtod() and printf("%g") follow LC_NUMERIC, which the terminal program
 * may set to a locale with a decimal comma; the form language never does. */

static const double pow10tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

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
	uint64_t mant = 0;
	int sig = 0;
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
		if (sig < 19) {
			if (mant != 0 || s[i] != '0') {
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				sig++;
			}
		} else {
			exp++;
		}
	}
	if (i < end && s[i] == '.') {
		for (i++; i < end && is_digit(s[i]); i++) {
			any = true;
			if (sig < 19) {
				if (mant != 0 || s[i] != '0')
					sig++;
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				exp--;
			}
		}
	}
	if (!any || i != end)
		return NAN;
	if (mant == 0)
		return neg ? -0.0 : 0.0;
	if (exp == 0)
		v = (double)mant;
	else if (exp < 0 && exp >= -22 && mant < (1ULL << 53))
		v = (double)mant / pow10tab[-exp];
	else if (exp > 0 && exp <= 22 && mant < (1ULL << 53))
		v = (double)mant * pow10tab[exp];
	else
		v = (double)mant * pow(10.0, (double)exp);
	return neg ? -v : v;
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
		if (i < p->len && (is_name_start(s[i]) || s[i] == '.')) {
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
	int args[3] = {-1, -1, -1};
	int nargs = 0, n;

	for (fi = 0; fi < NFNS; fi++)
		if (strlen(fns[fi].name) == nlen && memcmp(fns[fi].name, name, nlen) == 0)
			break;
	lex(p);         /* the name */
	if (p->tok != T_LP) {
		if (fi < NFNS && fns[fi].nargs == 0)
			fail(p, col, "'%.*s' at column %u needs parentheses: write %s", (int)nlen, name, col, fns[fi].usage);
		else if (fi < NFNS)
			fail(p, col, "'%.*s' at column %u is a function: write %s", (int)nlen, name, col, fns[fi].usage);
		else
			fail(p, col, "unknown name '%.*s' at column %u: refer to a question as ${%.*s} and write text in quotes, like '%.*s'",
			    (int)(nlen > 48 ? 48 : nlen), name, col, (int)(nlen > 48 ? 48 : nlen), name, (int)(nlen > 48 ? 48 : nlen), name);
		return -1;
	}
	if (fi == NFNS) {
		fail(p, col, "unknown function '%.*s()' at column %u (known: selected, count-selected, indicator, count-indicators, answered, declined, dont-know, string-length, not, true, false, today, int, number)",
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
			arg = parse_or(p);
			if (p->failed)
				return -1;
			if (nargs < 3)
				args[nargs] = arg;
			nargs++;
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
	if (nargs != fns[fi].nargs) {
		fail(p, col, "%s() takes %d argument%s, got %d at column %u: write %s", fns[fi].name,
		    fns[fi].nargs, fns[fi].nargs == 1 ? "" : "s", nargs, col, fns[fi].usage);
		return -1;
	}
	p->depth--;
	lex(p);         /* ) */
	n = mk(p, N_CALL, col, args[0], args[1]);
	if (n >= 0) {
		p->e->nodes[n].fn = (unsigned char)fi;
		p->e->nodes[n].nargs = (unsigned char)nargs;
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
	if (!e->text || !e->nodes || !e->pool || !e->refs) {
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

static const char *
stype_name(int t)
{
	return t == S_NUM ? "a number" : t == S_BOOL ? "a condition" : "text";
}

/* Comparison operands: number vs text is an error; a literal compared with a
 * choice question must be one of its choices. */
static void
check_compare(struct checker *c, const struct node *n, int ta, int tb)
{
	const struct node *na = &c->e->nodes[n->a], *nb = &c->e->nodes[n->b];
	const struct expr_qdecl *qa = node_question(c, na), *qb = node_question(c, nb);
	char name[64], numbuf[32];
	bool ordering = n->kind != N_EQ && n->kind != N_NE;

	if (ta == S_EMPTY || tb == S_EMPTY) {
		if (ordering)
			cfail(c, n->col, "comparing with '' using an ordering operator at column %u is always false: use = '' or != ''", n->col);
		return;
	}
	if ((ta == S_NUM && tb == S_STR) || (ta == S_STR && tb == S_NUM)) {
		const struct node *qn = ta == S_NUM ? na : nb;
		const struct node *other = ta == S_NUM ? nb : na;
		const struct expr_qdecl *q = ta == S_NUM ? qa : qb;
		const struct expr_qdecl *oq = ta == S_NUM ? qb : qa;

		if (q && other->kind == N_STR)
			cfail(c, other->col, "%s is a number question; compare it with a number, not the text '%.*s' (column %u)",
			    node_name(c, qn, name), (int)(other->len > 48 ? 48 : other->len),
			    c->e->pool + other->str, other->col);
		else if (oq && qn->kind == N_NUM)
			cfail(c, qn->col, "%s is a %s question; compare it with text in quotes, like '%s', not a number (column %u)",
			    node_name(c, other, name), qtype_name(oq->type), expr_format_number(qn->num, numbuf), qn->col);
		else
			cfail(c, n->col, "comparing a number with text at column %u: both sides must be numbers or both text", n->col);
		return;
	}
	if ((ta == S_BOOL && tb == S_STR) || (ta == S_STR && tb == S_BOOL)) {
		cfail(c, n->col, "comparing a condition with text at column %u: compare it with true() or false(), or use the condition alone", n->col);
		return;
	}
	if (qa && is_choice_type(qa->type) && nb->kind == N_STR)
		check_choice_literal(c, na, qa, nb);
	else if (qb && is_choice_type(qb->type) && na->kind == N_STR)
		check_choice_literal(c, nb, qb, na);
}

static int
check_question_arg(struct checker *c, const struct node *call, int ai, bool choice_only)
{
	const struct node *a;
	const struct expr_qdecl *q;
	char name[64];

	if (check_node(c, ai) < 0)
		return -1;
	a = &c->e->nodes[ai];
	if (a->kind != N_REF && a->kind != N_DOT) {
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

static int
check_call(struct checker *c, struct node *n)
{
	struct node *arg = n->a >= 0 ? &c->e->nodes[n->a] : NULL;
	const struct expr_scope *sc = c->sc;
	enum expr_ctx ctx = sc->ctx;

	switch ((enum fn)n->fn) {
	case F_SELECTED: {
		const struct expr_qdecl *q;
		const struct node *v;
		int tv;

		if (check_question_arg(c, n, n->a, true) < 0)
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
			if (v->len == 0 || memchr(c->e->pool + v->str, ' ', v->len)) {
				cfail(c, v->col, "selected() takes one choice value at column %u: use one selected() per value, joined with or/and", v->col);
				return -1;
			}
			check_choice_literal(c, arg, q, v);
		}
		return c->failed ? -1 : S_BOOL;
	}
	case F_COUNT_SELECTED:
		return check_question_arg(c, n, n->a, true) < 0 ? -1 : S_NUM;
	case F_ANSWERED:
	case F_DECLINED:
	case F_DONT_KNOW:
		return check_question_arg(c, n, n->a, false) < 0 ? -1 : S_BOOL;
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
	case F_STRING_LENGTH:
		return check_node(c, n->a) < 0 ? -1 : S_NUM;
	case F_NOT:
		return check_node(c, n->a) < 0 ? -1 : S_BOOL;
	case F_TRUE:
	case F_FALSE:
		return S_BOOL;
	case F_TODAY:
		return S_STR;
	case F_INT:
	case F_NUMBER:
		return check_node(c, n->a) < 0 ? -1 : S_NUM;
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
		t = q->type == EXPR_Q_NUMBER ? S_NUM : S_STR;
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

		for (int k = 0; k < 2 && kids[k] >= 0; k++) {
			const struct node *kn = &c->e->nodes[kids[k]];
			int tk = check_node(c, kids[k]);

			if (tk < 0)
				return -1;
			if (tk != S_NUM) {
				if (kn->kind == N_REF || kn->kind == N_DOT)
					cfail(c, kn->col, "arithmetic needs numbers, but %s at column %u is %s: use number(...) if it holds digits",
					    node_name(c, kn, name), kn->col, stype_name(tk));
				else
					cfail(c, kn->col, "arithmetic needs numbers, but the value at column %u is %s", kn->col, stype_name(tk));
				return -1;
			}
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
	struct checker c = {e, sc, err, false};
	int *slots;

	memset(err, 0, sizeof *err);
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
		if (!c.failed)
			cfail(&c, 1, "expression could not be checked");
		return ST_INVALID;
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
 * checked expression should never see, gives a defined result. */

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
	case EXPR_V_NUMBER: return !isnan(v.num) && v.num != 0;
	case EXPR_V_STRING: return v.len > 0;
	}
	return false;
}

static double
to_num(struct expr_value v)
{
	switch (v.kind) {
	case EXPR_V_BOOL:
	case EXPR_V_NUMBER:
		return v.num;
	case EXPR_V_STRING:
		return expr_parse_number(v.str, v.len);
	case EXPR_V_EMPTY:
		break;
	}
	return NAN;
}

static bool
is_blank(struct expr_value v)
{
	return v.kind == EXPR_V_EMPTY || (v.kind == EXPR_V_STRING && v.len == 0);
}

static bool
values_equal(struct expr_value a, struct expr_value b)
{
	if (a.kind == EXPR_V_BOOL || b.kind == EXPR_V_BOOL)
		return expr_value_truthy(a) == expr_value_truthy(b);
	if (is_blank(a) || is_blank(b))
		return is_blank(a) && is_blank(b);
	if (a.kind == EXPR_V_NUMBER || b.kind == EXPR_V_NUMBER)
		return to_num(a) == to_num(b);
	return a.len == b.len && memcmp(a.str, b.str, a.len) == 0;
}

/* <0, 0, >0, or 2 for "unordered" (NaN, empty). */
static int
values_order(struct expr_value a, struct expr_value b)
{
	double x, y;

	if (is_blank(a) || is_blank(b))
		return 2;
	if (a.kind == EXPR_V_STRING && b.kind == EXPR_V_STRING) {
		size_t n = a.len < b.len ? a.len : b.len;
		int r = memcmp(a.str, b.str, n);

		if (r != 0)
			return r < 0 ? -1 : 1;
		return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
	}
	x = to_num(a);
	y = to_num(b);
	if (isnan(x) || isnan(y))
		return 2;
	return x < y ? -1 : x > y ? 1 : 0;
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

static struct expr_value eval_node(const struct expr *e, int ni, const struct expr_env *env);

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

static struct expr_value
eval_call(const struct expr *e, const struct node *n, const struct expr_env *env)
{
	const struct node *a = n->a >= 0 ? &e->nodes[n->a] : NULL;
	struct expr_value v;
	char buf[32];

	switch ((enum fn)n->fn) {
	case F_SELECTED: {
		struct expr_value w = eval_node(e, n->b, env);
		bool found = false;

		v = slot_value(e, a, env);
		if (v.kind != EXPR_V_STRING || w.kind != EXPR_V_STRING || w.len == 0)
			return v_bool(false);
		list_scan(v.str, v.len, w.str, w.len, &found);
		return v_bool(found);
	}
	case F_COUNT_SELECTED:
		v = slot_value(e, a, env);
		if (v.kind != EXPR_V_STRING)
			return v_num(0);
		return v_num((double)list_scan(v.str, v.len, NULL, 0, NULL));
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
		v = eval_node(e, n->a, env);
		switch (v.kind) {
		case EXPR_V_EMPTY:
			return v_num(0);
		case EXPR_V_STRING:
			return v_num((double)utf8_chars(v.str, v.len));
		case EXPR_V_BOOL:
			return v_num(v.num != 0 ? 4 : 5);
		case EXPR_V_NUMBER:
			return v_num((double)strlen(expr_format_number(v.num, buf)));
		}
		return v_num(0);
	case F_NOT:
		return v_bool(!expr_value_truthy(eval_node(e, n->a, env)));
	case F_TRUE:
		return v_bool(true);
	case F_FALSE:
		return v_bool(false);
	case F_TODAY:
		if (env->today == NULL)
			return v_empty;
		return v_str(env->today, strlen(env->today));
	case F_INT:
		return v_num(trunc(to_num(eval_node(e, n->a, env))));
	case F_NUMBER:
		return v_num(to_num(eval_node(e, n->a, env)));
	}
	return v_empty;
}

static struct expr_value
eval_node(const struct expr *e, int ni, const struct expr_env *env)
{
	const struct node *n = &e->nodes[ni];
	double x, y;
	int o;

	switch ((enum nkind)n->kind) {
	case N_NUM:
		return v_num(n->num);
	case N_STR:
		return v_str(e->pool + n->str, n->len);
	case N_REF:
	case N_DOT:
		return slot_value(e, n, env);
	case N_OR:
		return v_bool(expr_value_truthy(eval_node(e, n->a, env)) ||
		    expr_value_truthy(eval_node(e, n->b, env)));
	case N_AND:
		return v_bool(expr_value_truthy(eval_node(e, n->a, env)) &&
		    expr_value_truthy(eval_node(e, n->b, env)));
	case N_EQ:
		return v_bool(values_equal(eval_node(e, n->a, env), eval_node(e, n->b, env)));
	case N_NE:
		return v_bool(!values_equal(eval_node(e, n->a, env), eval_node(e, n->b, env)));
	case N_LT: case N_LE: case N_GT: case N_GE:
		o = values_order(eval_node(e, n->a, env), eval_node(e, n->b, env));
		if (o == 2)
			return v_bool(false);
		switch ((enum nkind)n->kind) {
		case N_LT: return v_bool(o < 0);
		case N_LE: return v_bool(o <= 0);
		case N_GT: return v_bool(o > 0);
		default: return v_bool(o >= 0);
		}
	case N_NEG:
		return v_num(-to_num(eval_node(e, n->a, env)));
	case N_ADD: case N_SUB: case N_MUL: case N_DIV: case N_MOD:
		x = to_num(eval_node(e, n->a, env));
		y = to_num(eval_node(e, n->b, env));
		switch ((enum nkind)n->kind) {
		case N_ADD: return v_num(x + y);
		case N_SUB: return v_num(x - y);
		case N_MUL: return v_num(x * y);
		case N_DIV: return v_num(y == 0 || isnan(y) ? NAN : x / y);
		default: return v_num(y == 0 || isnan(y) || isinf(x) ? NAN : fmod(x, y));
		}
	case N_CALL:
		return eval_call(e, n, env);
	}
	return v_empty;
}

struct expr_value
expr_eval(const struct expr *e, const struct expr_env *env)
{
	if (e == NULL || !e->checked)
		return v_empty;
	return eval_node(e, e->root, env);
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
