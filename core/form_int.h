/*
 * form_int.h — the form model and the loader's state, shared by the two
 * halves of loading: form.c (reading the YAML, accessors) and form_check.c
 * (the checks across the whole form once it is read). Private to those two.
 */
#ifndef INTAKE_FORM_INT_H
#define INTAKE_FORM_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"
#include "form.h"
#include "ytree.h"

#define MISSING_DETAIL   5      /* missing-translation warnings shown per language */

struct label {
	char *text[FORM_MAX_LANGS];
};

/* Where an expression's text is in the file, to point errors at the right
 * character: its scalar's start (line, col), style and bytes, traced back
 * character by character through escapes, folding and block indentation
 * (ytree_scalar_pos). `exact` when columns map one to one (a one-line plain
 * or quoted scalar), the fallback if tracing fails. */
struct epos {
	unsigned line, col;
	bool exact;
	bool traced;
	enum ystyle style;
	size_t start, end;
};

struct question {
	char *id;
	enum form_qtype type;
	struct label label, hint, cmsg;
	bool has_hint, has_cmsg;
	bool required;
	struct expr *relevant, *constraint, *calculation;
	struct epos relevant_pos, constraint_pos, calculation_pos;
	int list;
	size_t max_length;
	enum form_consent consent;
	bool keep;
	char *report;
	size_t section;
	unsigned line, col;
};

struct section {
	char *id;
	struct label title;
	struct expr *relevant;
	struct epos relevant_pos;
	size_t first, count;
	unsigned line, col;
};

struct choice {
	char *value;
	struct label label;
};

struct clist {
	char *name;
	struct choice *items;
	size_t n;
	const char **values;    /* for the expression checker */
};

struct indicator {
	char *id;
	enum form_level level;
	struct label label;
	struct expr *when;
	struct epos when_pos;
	unsigned line, col;
};

struct outcome {
	char *id;
	struct label label, advice;
	bool has_advice;
	struct expr *when;
	struct epos when_pos;
	char **ref_ids;         /* as written, resolved into refs */
	unsigned *ref_lines, *ref_cols;
	size_t *refs;
	size_t nrefs;
	unsigned line, col;
};

struct referral {
	char *id;
	struct label name;
	char *contact;
	bool emergency, example;
	char **services;
	size_t nservices;
	char **countries;
	size_t ncountries;
};

struct lang {
	char *code;
	char *name;
	enum form_lang_status status;
	unsigned line, col;     /* of its code */
};

/* Every list is in file order; ids are checked unique per kind, so lookups
 * by id are linear scans over at most a few thousand entries. */
struct form {
	char *name;
	char *source;
	size_t source_len;
	char *ref_source;
	size_t ref_len;
	char *id, *version;
	struct label title;
	bool has_title;
	size_t max_text;
	struct lang langs[FORM_MAX_LANGS];
	size_t nlangs;
	struct section *sections;
	size_t nsections;
	struct question *questions;
	size_t nquestions;
	struct clist *lists;    /* [0] is the built-in yes/no list */
	size_t nlists;
	struct indicator *inds;
	size_t ninds;
	struct outcome *outs;
	size_t nouts;
	struct outcome *flags;  /* written as outcomes are; each evaluated alone */
	size_t nflags;
	struct referral *refs;
	size_t nrefs;
	int *order;
	size_t norder;
	char hash[FORM_HASH_HEX_MAX + 1];
};

/* The state of one load: form.c reads, form_check.c cross-checks. */
struct loader {
	struct ysource y;       /* y.file: the name used in messages right now */
	struct form *f;
	const char *noun;       /* "form" or "referrals file" */
	size_t missing[FORM_MAX_LANGS];   /* missing draft translations seen */
	const char *ref_file;   /* referrals file name as given */
	struct ynode *ref_node; /* the `referrals:` value in the form */
	bool ref_given;
	bool ref_ok;            /* the referrals file was read and parsed */
};

#define ERR(L, n, ...) ysource_error(&(L)->y, (n)->line, (n)->col, __VA_ARGS__)

/* Where character ecol (1-based) of expression text written at p is in the
 * file; and an expression error reported there as "what: message". */
void form_epos_locate(const struct loader *L, struct epos p, const char *text, unsigned ecol,
    unsigned *line, unsigned *col);
void form_expr_error_at(struct loader *L, struct epos p, const char *text, const char *what,
    const struct expr_error *e);

/*
 * The cross-checks, in the order form.c runs them, each adding its errors
 * and warnings to L->y:
 *  - form_resolve_referrals: outcome referral ids against the referrals file;
 *  - form_check_expressions: every ${ref}, choice value and type;
 *  - form_check_consent: one question per consent kind, an interview consent;
 *  - form_check_cycles: no relevance/calculation cycle; sets f->order;
 *  - form_check_order: nothing reads a question asked after it (needs the
 *    order form_check_cycles made);
 *  - form_report_missing_translations: the count past the first few.
 */
void form_resolve_referrals(struct loader *L);
void form_check_expressions(struct loader *L);
void form_check_consent(struct loader *L, const struct ynode *sections);
void form_check_cycles(struct loader *L);
void form_check_order(struct loader *L);
void form_report_missing_translations(struct loader *L);

#endif
