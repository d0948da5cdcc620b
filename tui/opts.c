/*
 * opts.c — the option parser, usage printer and man page writer that walk
 * the declarative option tables of opts.h.
 */
#include <stdlib.h>
#include <string.h>

#include "opts.h"

/* Deep enough for a command table that includes the shared one, which
 * might one day include another. */
#define OPTS_MAX_DEPTH 4
/* Visible options of one command, its includes flattened. */
#define OPTS_MAX_LIST 64

static const struct opt *
find_in(const struct opt *t, const char *name, size_t len, int alias, int depth)
{
	const struct opt *o, *hit;

	if (t == NULL || depth > OPTS_MAX_DEPTH)
		return NULL;
	for (o = t; o->type != OPT_T_END; o++) {
		if (o->type == OPT_T_INCLUDE) {
			if ((hit = find_in(o->include, name, len, alias, depth + 1)) != NULL)
				return hit;
		} else if (alias) {
			if (o->alias != 0 && len == 1 && o->alias == name[0])
				return o;
		} else if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
			return o;
		}
	}
	return NULL;
}

const struct opt *
opts_find(const struct opt *const *tables, const char *name, size_t len, int alias)
{
	const struct opt *hit;

	for (; *tables != NULL; tables++)
		if ((hit = find_in(*tables, name, len, alias, 0)) != NULL)
			return hit;
	return NULL;
}

int
opts_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Stores value (NULL for a flag) as o says; -1 after saying what is wrong. */
static int
store(const struct opt *o, void *dst, const char *value)
{
	char *base = dst;
	uint64_t v;

	switch (o->type) {
	case OPT_T_FLAG:
		*(int *)(void *)(base + o->offset) = 1;
		return 0;
	case OPT_T_STRING:
		*(const char **)(void *)(base + o->offset) = value;
		return 0;
	case OPT_T_FD:
		if (opts_parse_u64(value, 0, 1024, &v) != 0) {
			fprintf(stderr, "intake: --%s wants a file descriptor number, not '%s'\n",
			    o->name, value);
			return -1;
		}
		*(int *)(void *)(base + o->offset) = (int)v;
		return 0;
	case OPT_T_NUMBER:
		if (opts_parse_u64(value, o->min, o->max, &v) != 0) {
			fprintf(stderr, "intake: --%s wants %s\n", o->name, o->want);
			return -1;
		}
		*(uint64_t *)(void *)(base + o->offset) = v;
		if (o->set_offset >= 0)
			*(int *)(void *)(base + o->set_offset) = 1;
		return 0;
	default:
		return -1;
	}
}

int
opts_takes_next(const struct opt *const *tables, const char *word)
{
	const struct opt *o;

	if (word[0] != '-' || word[1] == '\0' || strcmp(word, "--") == 0)
		return 0;
	if (word[1] == '-') {
		if (strchr(word, '=') != NULL)
			return 0;
		o = opts_find(tables, word + 2, strlen(word + 2), 0);
	} else {
		o = word[2] == '\0' ? opts_find(tables, word + 1, 1, 1) : NULL;
	}
	return o != NULL && o->type != OPT_T_FLAG;
}

enum opts_result
opts_parse(const struct opt *const *tables, void *dst, int argc, char **argv,
    char **pos, int *npos, const char **bad)
{
	const struct opt *o;
	const char *w, *name, *eq, *value;
	int i, n = 0, ended = 0;

	for (i = 0; i < argc; i++) {
		w = argv[i];
		if (!ended && strcmp(w, "--") == 0) {
			ended = 1;
			continue;
		}
		if (ended || w[0] != '-' || w[1] == '\0') {
			pos[n++] = argv[i];
			continue;
		}
		value = NULL;
		if (w[1] == '-') {
			name = w + 2;
			eq = strchr(name, '=');
			if (eq == NULL && strcmp(name, "help") == 0)
				return OPTS_HELP;
			o = opts_find(tables, name, eq ? (size_t)(eq - name) : strlen(name), 0);
			if (eq != NULL)
				value = eq + 1;
		} else {
			if (strcmp(w, "-h") == 0)
				return OPTS_HELP;
			o = w[2] == '\0' ? opts_find(tables, w + 1, 1, 1) : NULL;
		}
		if (o == NULL) {
			*bad = w;
			return OPTS_UNKNOWN;
		}
		if (o->type == OPT_T_FLAG && value != NULL) {
			fprintf(stderr, "intake: --%s takes no value\n", o->name);
			return OPTS_BADVALUE;
		}
		if (o->type != OPT_T_FLAG && value == NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "intake: --%s wants a value (%s)\n", o->name,
				    o->argname);
				return OPTS_BADVALUE;
			}
			value = argv[++i];
		}
		if (store(o, dst, value) != 0)
			return OPTS_BADVALUE;
	}
	pos[n] = NULL;
	*npos = n;
	return OPTS_OK;
}

static int
listed(const struct opt *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i]->name, name) == 0)
			return 1;
	return 0;
}

/* The visible options of t in order, each name once (the first wins). */
static size_t
flatten(const struct opt *t, int skip_includes, int depth, const struct opt **list, size_t n)
{
	if (t == NULL || depth > OPTS_MAX_DEPTH)
		return n;
	for (const struct opt *o = t; o->type != OPT_T_END; o++) {
		if (o->type == OPT_T_INCLUDE) {
			if (!skip_includes)
				n = flatten(o->include, 0, depth + 1, list, n);
		} else if (o->help != NULL && !listed(list, n, o->name) && n < OPTS_MAX_LIST) {
			list[n++] = o;
		}
	}
	return n;
}

void
opts_usage(FILE *f, const struct opt *table, int skip_includes)
{
	const struct opt *list[OPTS_MAX_LIST];
	size_t n = flatten(table, skip_includes, 0, list, 0);
	char left[64];

	for (size_t i = 0; i < n; i++) {
		const struct opt *o = list[i];
		const char *h = o->help, *nl;

		if (o->alias)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->alias, o->name,
			    o->argname ? " " : "", o->argname ? o->argname : "");
		else
			snprintf(left, sizeof left, "--%s%s%s", o->name,
			    o->argname ? " " : "", o->argname ? o->argname : "");
		if (strlen(left) > 24)
			fprintf(f, "  %s\n%27s", left, "");
		else
			fprintf(f, "  %-24s ", left);
		while ((nl = strchr(h, '\n')) != NULL) {
			fprintf(f, "%.*s\n%27s", (int)(nl - h), h, "");
			h = nl + 1;
		}
		fprintf(f, "%s\n", h);
	}
}

void
opts_roff(FILE *f, const char *s)
{
	int bol = 1;

	for (; *s != '\0'; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

void
opts_man(FILE *f, const struct opt *table, int skip_includes)
{
	const struct opt *list[OPTS_MAX_LIST];
	size_t n = flatten(table, skip_includes, 0, list, 0);
	char help[1024];

	for (size_t i = 0; i < n; i++) {
		const struct opt *o = list[i];

		fputs(".TP\n", f);
		if (o->alias)
			fprintf(f, "\\fB\\-%c\\fR, ", o->alias);
		fputs("\\fB\\-\\-", f);
		opts_roff(f, o->name);
		fputs("\\fR", f);
		if (o->argname) {
			fputs(" \\fI", f);
			opts_roff(f, o->argname);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		/* The line breaks of the usage text are for 80 columns: man
		 * fills its own. */
		snprintf(help, sizeof help, "%s", o->help);
		for (char *p = help; (p = strchr(p, '\n')) != NULL; )
			*p = ' ';
		opts_roff(f, help);
		fputc('\n', f);
	}
}
