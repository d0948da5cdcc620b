/*
 * opts.h — declarative option tables for the `intake` commands and the one
 * parser that walks them.
 *
 * Each command (or subcommand) describes its options as an array of struct
 * opt ended by OPT_END(); a table may include another (OPT_INCLUDE), so the
 * options every vault command shares are written once. The same tables make
 * the parser, the command's usage (`intake CMD --help`) and the man page,
 * so the three cannot disagree.
 *
 * Only long options exist ("--name VALUE" or "--name=VALUE"), plus an
 * optional one-letter alias; -h and --help are known to every table.
 * Options and positional words may be mixed; "--" ends the options.
 */
#ifndef INTAKE_OPTS_H
#define INTAKE_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_type {
	OPT_T_END,
	OPT_T_FLAG,     /* int set to 1 */
	OPT_T_STRING,   /* const char * pointing into argv */
	OPT_T_FD,       /* int: a file descriptor number 0..1024 */
	OPT_T_NUMBER,   /* uint64_t in [min, max] */
	OPT_T_INCLUDE,  /* every option of another table */
};

struct opt {
	enum opt_type type;
	const char *name;       /* without the leading "--" */
	char alias;             /* a one-letter form ("-V"), or 0 */
	size_t offset;          /* where the value goes in the caller's struct */
	const char *argname;    /* the value's name in usage: "DIR", "N" */
	const char *help;       /* NULL: accepted but left out of usage and man */
	uint64_t min, max;      /* OPT_T_NUMBER */
	const char *want;       /* OPT_T_NUMBER: what a bad value should have been */
	ptrdiff_t set_offset;   /* OPT_T_NUMBER: an int set to 1 when given; -1 none */
	const struct opt *include;
};

#define OPT_END() { OPT_T_END, NULL, 0, 0, NULL, NULL, 0, 0, NULL, -1, NULL }
#define OPT_FLAG(name, type, field, help) \
	{ OPT_T_FLAG, name, 0, offsetof(type, field), NULL, help, 0, 0, NULL, -1, NULL }
#define OPT_STRING(name, type, field, arg, help) \
	{ OPT_T_STRING, name, 0, offsetof(type, field), arg, help, 0, 0, NULL, -1, NULL }
#define OPT_FD(name, type, field, help) \
	{ OPT_T_FD, name, 0, offsetof(type, field), "N", help, 0, 0, NULL, -1, NULL }
#define OPT_NUMBER(name, type, field, arg, lo, hi, want, help) \
	{ OPT_T_NUMBER, name, 0, offsetof(type, field), arg, help, lo, hi, want, -1, NULL }
/* The same, also setting the int field `set` to 1 when the option is given. */
#define OPT_NUMBER_SET(name, type, field, set, arg, lo, hi, want, help) \
	{ OPT_T_NUMBER, name, 0, offsetof(type, field), arg, help, lo, hi, want, \
	  (ptrdiff_t)offsetof(type, set), NULL }
#define OPT_FLAG_ALIAS(name, alias, type, field, help) \
	{ OPT_T_FLAG, name, alias, offsetof(type, field), NULL, help, 0, 0, NULL, -1, NULL }
#define OPT_INCLUDE(table) { OPT_T_INCLUDE, NULL, 0, 0, NULL, NULL, 0, 0, NULL, -1, table }

enum opts_result {
	OPTS_OK,
	OPTS_HELP,      /* -h or --help was given: print the usage, exit 0 */
	OPTS_UNKNOWN,   /* an option no table has; *bad names it */
	OPTS_BADVALUE,  /* a value missing, extra or out of range: already said */
};

/* The option called name (len bytes, no "--"), or the one whose alias is
 * name[0] when alias is set, in any of the NULL-terminated tables (their
 * includes too); the first match wins, so a command may give a shared
 * option its own help by listing it before the include. NULL when none. */
const struct opt *opts_find(const struct opt *const *tables, const char *name, size_t len,
    int alias);

/* Splits argv[0..argc) into options and positional words. The options are
 * looked up in tables and stored into dst; the positional words are put in
 * pos (room for argc + 1 pointers) in order, NULL-terminated, their count in
 * *npos. Values that fail their check are reported on stderr ("intake:
 * --kdf-ops wants ..."). On OPTS_UNKNOWN *bad is the word as given. */
enum opts_result opts_parse(const struct opt *const *tables, void *dst, int argc,
    char **argv, char **pos, int *npos, const char **bad);

/* A decimal in [min, max] into *out: 0, or -1 when s is not one. */
int opts_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Whether the word at argv[i] is an option whose value is the next word
 * (the first pass that finds the command before its table is known). */
int opts_takes_next(const struct opt *const *tables, const char *word);

/* "  --name ARG    help" lines for every visible option of table, shared
 * ones included unless skip_includes; each name once. */
void opts_usage(FILE *f, const struct opt *table, int skip_includes);

/* The same as roff (.TP paragraphs) for the man page. */
void opts_man(FILE *f, const struct opt *table, int skip_includes);

/* s written as roff text: backslashes and dashes escaped, no line starting
 * with a control character. */
void opts_roff(FILE *f, const char *s);

#endif
