/*
 * ytree.c — a YAML document as a tree with positions (libyaml events), and
 * the small checks the YAML loaders share.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <yaml.h>

#include "textcheck.h"
#include "ytree.h"

void
ynode_free(struct ynode *n)
{
	/* Recursion is bounded: ytree_parse refuses trees deeper than
	 * max_depth. */
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static bool
ynode_add(struct ynode *parent, struct ynode *kid)
{
	if (parent->n == parent->cap) {
		size_t ncap = parent->cap ? parent->cap * 2 : 8;
		struct ynode **k = realloc(parent->kids, ncap * sizeof *k);

		if (k == NULL)
			return false;
		parent->kids = k;
		parent->cap = ncap;
	}
	parent->kids[parent->n++] = kid;
	return true;
}

static struct ynode *
ynode_new(enum ykind kind, const yaml_event_t *ev)
{
	struct ynode *n = calloc(1, sizeof *n);

	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->line = (unsigned)ev->start_mark.line + 1;
	n->col = (unsigned)ev->start_mark.column + 1;
	n->end_line = (unsigned)ev->end_mark.line + 1;
	return n;
}

static struct ynode *
ynode_scalar(const yaml_event_t *ev)
{
	struct ynode *n = ynode_new(Y_SCALAR, ev);

	if (n == NULL)
		return NULL;
	n->len = ev->data.scalar.length;
	if ((n->text = malloc(n->len + 1)) == NULL) {
		free(n);
		return NULL;
	}
	memcpy(n->text, ev->data.scalar.value, n->len);
	n->text[n->len] = '\0';
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = YS_SINGLE; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = YS_DOUBLE; break;
	case YAML_LITERAL_SCALAR_STYLE: n->style = YS_LITERAL; break;
	case YAML_FOLDED_SCALAR_STYLE: n->style = YS_FOLDED; break;
	default: n->style = YS_PLAIN; break;
	}

	n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return n;
}

static void
problem_at(struct yproblem *why, enum yproblem_kind kind, const yaml_mark_t *m)
{
	why->kind = kind;
	why->line = (unsigned)m->line + 1;
	why->col = (unsigned)m->column + 1;
}

/* Refuses a scalar that holds a hidden character (textcheck.h); TAB and LF
 * stay allowed, as multi-line texts use them. The position is the
 * character's own when it is in the source as written, else (an escape
 * in a double-quoted scalar) the scalar's start. */
static bool
hidden_problem(struct yproblem *why, const struct ynode *n, const char *buf, size_t len)
{
	size_t from = n->start, to = n->end;
	size_t at = textcheck_find(n->text, n->len, TEXTCHECK_TAB | TEXTCHECK_NEWLINE, &why->ch);
	uint32_t raw;

	if (at == n->len)
		return false;
	why->kind = YP_HIDDEN;
	why->line = n->line;
	why->col = n->col;
	if (from < to && to <= len) {
		at = textcheck_find(buf + from, to - from, TEXTCHECK_TAB | TEXTCHECK_NEWLINE, &raw);
		if (at < to - from && raw == why->ch)
			ytree_pos(buf, from + at, &why->line, &why->col);
	}
	return true;
}

/* libyaml's marks count characters; the loaders need bytes. Marks come
 * nearly in order, so one cursor walks the buffer once. */
struct cursor {
	size_t chars, bytes;
};

static size_t
byte_at(struct cursor *c, const char *buf, size_t len, size_t chars)
{
	if (chars < c->chars)
		c->chars = c->bytes = 0;
	while (c->chars < chars && c->bytes < len) {
		c->bytes++;
		while (c->bytes < len && ((unsigned char)buf[c->bytes] & 0xC0) == 0x80)
			c->bytes++;
		c->chars++;
	}
	return c->bytes;
}

static void
syntax_problem(struct yproblem *why, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) {
		why->kind = YP_NOMEM;
		return;
	}
	problem_at(why, YP_SYNTAX, &p->problem_mark);
	snprintf(why->problem, sizeof why->problem, "%s", p->problem ? p->problem : "error");
	snprintf(why->context, sizeof why->context, "%s", p->context ? p->context : "");
	why->context_line = p->context_mark.line + 1;
}

struct ynode *
ytree_parse(const char *buf, size_t len, int max_depth, struct yproblem *why)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *root = NULL, *stack[YTREE_MAX_DEPTH];
	struct cursor cur = {0, 0};
	int depth = 0, docs = 0;
	bool done = false, failed = false;

	memset(why, 0, sizeof *why);
	if (max_depth > YTREE_MAX_DEPTH)
		max_depth = YTREE_MAX_DEPTH;
	if (!yaml_parser_initialize(&parser)) {
		why->kind = YP_NOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && !failed) {
		struct ynode *n = NULL;
		bool opens = false;

		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_problem(why, &parser);
			failed = true;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				problem_at(why, YP_SECOND_DOC, &ev.start_mark);
			break;
		case YAML_ALIAS_EVENT:
			problem_at(why, YP_ALIAS, &ev.start_mark);
			snprintf(why->anchor, sizeof why->anchor, "%s",
			    (const char *)ev.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
			if ((n = ynode_scalar(&ev)) == NULL)
				why->kind = YP_NOMEM;
			else if ((n->start = byte_at(&cur, buf, len, ev.start_mark.index),
			    n->end = byte_at(&cur, buf, len, ev.end_mark.index),
			    hidden_problem(why, n, buf, len))) {
				ynode_free(n);
				n = NULL;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= max_depth) {
				problem_at(why, YP_TOO_DEEP, &ev.start_mark);
				break;
			}
			n = ynode_new(ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP, &ev);
			if (n == NULL)
				why->kind = YP_NOMEM;
			opens = n != NULL;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				stack[depth - 1]->end_line = (unsigned)ev.end_mark.line + 1;
				depth--;
			}
			break;
		default:
			break;
		}
		if (n != NULL) {
			/* A second root cannot come: a second document stops first. */
			if (depth == 0 && root == NULL) {
				root = n;
			} else if (depth == 0 || !ynode_add(stack[depth - 1], n)) {
				if (depth > 0)
					why->kind = YP_NOMEM;
				ynode_free(n);
				opens = false;
			}
			if (opens)
				stack[depth++] = n;
		}
		failed = why->kind != YP_NONE;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (failed) {
		ynode_free(root);
		return NULL;
	}
	return root;
}

struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	if (map == NULL || map->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == Y_SCALAR && strcmp(map->kids[i]->text, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

/* Bytes of UTF-8 a double-quoted escape starting at p[0] == '\\' yields,
 * and its length in the source; 0 when it is not one. */
static size_t
escape_size(const char *p, const char *end, size_t *srclen)
{
	unsigned long cp = 0;
	size_t digits = 0;

	if (p + 1 >= end)
		return 0;
	*srclen = 2;
	switch (p[1]) {
	case 'x': digits = 2; break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	case 'N': case '_': return 2;           /* U+0085, U+00A0 */
	case 'L': case 'P': return 3;           /* U+2028, U+2029 */
	default: return 1;
	}
	if (p + 2 + digits > end)
		return 0;
	for (size_t i = 0; i < digits; i++) {
		char c = p[2 + i];

		cp = cp * 16 + (unsigned long)(c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
	}
	*srclen = 2 + digits;
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/*
 * Walks the source and the text side by side: equal bytes match; source
 * whitespace the text lacks (indentation, folded line ends) is skipped;
 * text whitespace the source lacks (a folded line end) is placed at the
 * next source character; escapes and '' are decoded by their size.
 */
bool
ytree_scalar_pos(const char *buf, size_t len, enum ystyle style, size_t start,
    size_t end, const char *text, size_t off, unsigned *line, unsigned *col)
{
	const bool block = style == YS_LITERAL || style == YS_FOLDED;
	size_t p = start, i = 0, indent = 0, tl = strlen(text);
	bool line_start = false;

	if (end > len)
		end = len;
	if (start >= end || off >= tl)
		return false;
	if (style == YS_SINGLE || style == YS_DOUBLE)
		p++;
	if (block) {
		size_t q;

		while (p < end && buf[p] != '\n')
			p++;
		p++;
		/* The first line with text sets the indentation. */
		for (q = p; q < end; ) {
			size_t sp = 0;

			while (q + sp < end && buf[q + sp] == ' ')
				sp++;
			if (q + sp < end && buf[q + sp] != '\n' && buf[q + sp] != '\r') {
				indent = sp;
				break;
			}
			while (q < end && buf[q] != '\n')
				q++;
			q++;
		}
		line_start = true;
	}
	while (p < end) {
		char b = buf[p], c = text[i];
		size_t srclen;

		if (line_start) {
			size_t sp = 0;

			line_start = false;
			while (p < end && (block ? sp < indent && buf[p] == ' ' : buf[p] == ' ' || buf[p] == '\t')) {
				p++;
				sp++;
			}
			continue;
		}
		if (style == YS_DOUBLE && b == '\\') {
			size_t made;

			if (p + 1 < end && (buf[p + 1] == '\n' || buf[p + 1] == '\r')) {
				p += buf[p + 1] == '\r' && p + 2 < end && buf[p + 2] == '\n' ? 3 : 2;
				line_start = true;
				continue;
			}
			if ((made = escape_size(buf + p, buf + end, &srclen)) == 0)
				return false;
			if (off < i + made)
				break;
			i += made;
			p += srclen;
			continue;
		}
		if (style == YS_SINGLE && b == '\'' && p + 1 < end && buf[p + 1] == '\'') {
			if (i == off)
				break;
			i++;
			p += 2;
			continue;
		}
		if (c == b) {
			if (i == off)
				break;
			i++;
			p++;
			line_start = b == '\n';
			continue;
		}
		if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
			line_start = b == '\n';
			p++;
			continue;
		}
		if (c == ' ' || c == '\n') {
			if (i == off)
				break;
			i++;
			continue;
		}
		return false;
	}
	if (p >= end)
		return false;
	ytree_pos(buf, p, line, col);
	return true;
}

void
ytree_pos(const char *buf, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

bool
ytree_blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!(buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
			return false;
	return true;
}

size_t
ytree_indent_tabs(const char *buf, size_t len, struct ypos *at, size_t max)
{
	size_t tabs = 0;
	unsigned line = 1;

	for (size_t i = 0; i < len; line++) {
		size_t j = i;

		while (j < len && (buf[j] == ' ' || buf[j] == '\t')) {
			if (buf[j] == '\t') {
				if (tabs < max) {
					at[tabs].line = line;
					at[tabs].col = (unsigned)(j - i + 1);
				}
				tabs++;
				break;
			}
			j++;
		}
		while (j < len && buf[j] != '\n')
			j++;
		i = j + 1;
	}
	return tabs;
}

size_t
ytree_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

bool
ytree_valid_id(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static void __attribute__((format(printf, 5, 0)))
ysource_add(struct ysource *s, enum diag_level level, unsigned line, unsigned col,
    const char *fmt, va_list ap)
{
	char buf[900];

	vsnprintf(buf, sizeof buf, fmt, ap);
	if (diag_add(s->dl, level, s->file, line, col, "%s", buf) == ST_NOMEM)
		s->nomem = true;
}

void
ysource_error(struct ysource *s, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ysource_add(s, DIAG_ERROR, line, col, fmt, ap);
	va_end(ap);
}

void
ysource_warning(struct ysource *s, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ysource_add(s, DIAG_WARNING, line, col, fmt, ap);
	va_end(ap);
}

char *
ysource_strdup(struct ysource *s, const char *str)
{
	char *d = strdup(str);

	if (d == NULL)
		s->nomem = true;
	return d;
}

/* ---- schema checks --------------------------------------------------- */

const char *
ynode_kind_name(enum ykind k)
{
	return k == Y_MAP ? "a mapping" : k == Y_SEQ ? "a list" : "text";
}

bool
ysource_want(struct ysource *s, const struct ynode *n, enum ykind kind, const char *what)
{
	static const char *const wanted[] = {
		[Y_SCALAR] = "text",
		[Y_SEQ] = "a list (items starting with '- ')",
		[Y_MAP] = "a mapping of fields (field: value)",
	};

	if (n->kind == kind)
		return true;
	ysource_error(s, n->line, n->col, "%s must be %s, not %s", what, wanted[kind],
	    ynode_kind_name(n->kind));
	return false;
}

const char *
ysource_text(struct ysource *s, const struct ynode *n, const char *what)
{
	if (!ysource_want(s, n, Y_SCALAR, what))
		return NULL;
	if (n->len == 0 || strspn(n->text, " \n") == n->len) {
		ysource_error(s, n->line, n->col, "%s is empty: write a value", what);
		return NULL;
	}
	return n->text;
}

/* The known fields as "a, b, c", cut to fit. */
static void
field_list(const char *const *allowed, char *list, size_t size)
{
	size_t used = 0;

	list[0] = '\0';
	for (size_t a = 0; allowed[a]; a++) {
		int w = snprintf(list + used, size - used, "%s%s", a ? ", " : "", allowed[a]);

		if (w > 0 && (size_t)w < size - used)
			used += (size_t)w;
	}
}

bool
ysource_check_map(struct ysource *s, const struct ynode *map, const char *what,
    const char *const *allowed)
{
	if (!ysource_want(s, map, Y_MAP, what))
		return false;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i];
		const char *best = NULL;
		char list[300];
		size_t a, bd = 3;

		if (k->kind != Y_SCALAR) {
			ysource_error(s, k->line, k->col, "a field name in %s must be text, not %s", what,
			    ynode_kind_name(k->kind));
			continue;
		}
		for (size_t j = 0; j < i; j += 2)
			if (map->kids[j]->kind == Y_SCALAR && strcmp(map->kids[j]->text, k->text) == 0) {
				ysource_error(s, k->line, k->col, "duplicate field '%s' in %s (first at line %u): keep one",
				    k->text, what, map->kids[j]->line);
				break;
			}
		for (a = 0; allowed[a]; a++)
			if (strcmp(allowed[a], k->text) == 0)
				break;
		if (allowed[a] != NULL)
			continue;
		for (a = 0; allowed[a]; a++) {
			size_t d = ytree_distance(k->text, allowed[a]);

			if (d < bd) {
				bd = d;
				best = allowed[a];
			}
		}
		field_list(allowed, list, sizeof list);
		if (best)
			ysource_error(s, k->line, k->col, "unknown field '%.60s' in %s: did you mean '%s'?", k->text,
			    what, best);
		else
			ysource_error(s, k->line, k->col, "unknown field '%.60s' in %s: known fields are %s",
			    k->text, what, list);
	}
	return true;
}

const struct ynode *
ysource_require(struct ysource *s, const struct ynode *map, const char *key, const char *what)
{
	const struct ynode *v = ynode_get(map, key);

	if (v == NULL)
		ysource_error(s, map->line, map->col, "%s has no %s: add %s:", what, key, key);
	return v;
}

const struct ynode *
ysource_seq(struct ysource *s, const struct ynode *n, const char *what, bool nonempty)
{
	if (!ysource_want(s, n, Y_SEQ, what))
		return NULL;
	if (nonempty && n->n == 0) {
		ysource_error(s, n->line, n->col, "%s is empty: add at least one item", what);
		return NULL;
	}
	return n;
}

bool
ysource_precheck(struct ysource *s, const char *buf, size_t len)
{
	const uint8_t *bad;
	const char *nul;
	struct ypos tab[YTREE_MAX_TAB_REPORTS];
	size_t tabs;
	unsigned line, col;

	bad = u8_check((const uint8_t *)buf, len);
	if (bad != NULL) {
		size_t off = (size_t)((const char *)bad - buf), from = off;

		/* Quote up to 20 characters before it on the same line so the
		 * user can find it. */
		for (int chars = 0; from > 0 && chars < 20 && buf[from - 1] != '\n'; ) {
			from--;
			if (((unsigned char)buf[from] & 0xC0) != 0x80)
				chars++;
		}
		while (from < off && (buf[from] == ' ' || ((unsigned char)buf[from] & 0xC0) == 0x80))
			from++;
		ytree_pos(buf, off, &line, &col);
		if (from < off)
			ysource_error(s, line, col, "byte 0x%02X (after \"%.*s\") is not valid UTF-8: save the file as UTF-8",
			    *bad, (int)(off - from), buf + from);
		else
			ysource_error(s, line, col, "byte 0x%02X is not valid UTF-8: save the file as UTF-8", *bad);
		return false;
	}
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		ytree_pos(buf, (size_t)(nul - buf), &line, &col);
		ysource_error(s, line, col, "the file contains a NUL byte: save it as plain UTF-8 text");
		return false;
	}
	tabs = ytree_indent_tabs(buf, len, tab, YTREE_MAX_TAB_REPORTS);
	for (size_t t = 0; t < tabs && t < YTREE_MAX_TAB_REPORTS; t++)
		ysource_error(s, tab[t].line, tab[t].col, "tab character used for indentation: use spaces");
	if (tabs > YTREE_MAX_TAB_REPORTS)
		ysource_error(s, 0, 0, "%zu more lines are indented with tabs: use spaces",
		    tabs - YTREE_MAX_TAB_REPORTS);
	return tabs == 0;
}

void
ysource_problem(struct ysource *s, const struct yproblem *why, const char *noun, int max_depth)
{
	switch (why->kind) {
	case YP_NONE:
		break;
	case YP_NOMEM:
		s->nomem = true;
		break;
	case YP_SYNTAX:
		if (why->context[0] != '\0')
			ysource_error(s, why->line, why->col,
			    "YAML syntax: %s %s (line %zu): check the indentation, and quote text that contains ': ' or starts with a special character",
			    why->problem, why->context, why->context_line);
		else
			ysource_error(s, why->line, why->col,
			    "YAML syntax: %s: check the indentation, and quote text that contains ': ' or starts with a special character",
			    why->problem);
		break;
	case YP_SECOND_DOC:
		ysource_error(s, why->line, why->col,
		    "a second YAML document starts here: a %s file holds one document; remove the '---'", noun);
		break;
	case YP_ALIAS:
		ysource_error(s, why->line, why->col,
		    "YAML aliases (*%s) are not supported in %ss: write the value out in full", why->anchor, noun);
		break;
	case YP_TOO_DEEP:
		ysource_error(s, why->line, why->col,
		    "nested more than %d levels deep: a %s needs far fewer", max_depth, noun);
		break;
	case YP_HIDDEN:
		ysource_error(s, why->line, why->col,
		    "this text holds U+%04X, a control, bidirectional or line-separator character "
		    "that would change how the text shows on a screen: remove it (a line break is "
		    "a new line in a | block, not an escape)", (unsigned)why->ch);
		break;
	}
}

unsigned
ytree_top_keys(const char *buf, size_t len, const char *const *keys)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0;
	bool key = true, done = false;
	unsigned seen = 0;

	if (buf == NULL || len == 0 || !yaml_parser_initialize(&p))
		return 0;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	/* Only the keys of the top-level mapping matter: depth 1, key slot. */
	while (!done && yaml_parser_parse(&p, &ev)) {
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			if (depth == 1) {
				for (unsigned i = 0; key && i < 32 && keys[i] != NULL; i++)
					if (strcmp((const char *)ev.data.scalar.value, keys[i]) == 0)
						seen |= 1u << i;
				key = !key;
			}
			break;
		case YAML_ALIAS_EVENT:
			if (depth == 1)
				key = !key;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth == 0 && ev.type == YAML_SEQUENCE_START_EVENT)
				done = true;
			if (depth == 1)
				key = !key;
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			done = --depth == 0;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return seen;
}
