/*
 * ytree.h — one YAML document as a tree of nodes with positions, and the
 * pieces the two loaders that read YAML (forms and referrals in form.c,
 * training scenarios in training.c) share. Private to core/.
 *
 * The loaders word their own messages (a form author and a trainer read
 * different ones); what is shared reports problems as data (struct yproblem,
 * positions) or adds the caller's text to the caller's diagnostics.
 *
 * Contracts:
 *  - Positions are 1-based; columns count characters, not bytes.
 *  - A tree from ytree_parse belongs to the caller: ynode_free releases it
 *    (NULL is fine). A scalar's text is a NUL-terminated copy; `len`
 *    excludes the terminator.
 *  - A mapping keeps key, value, key, value ... in kids[], in file order;
 *    a sequence keeps its items. Keys may be any kind: check before use.
 *  - Nothing here prints or exits.
 */
#ifndef INTAKE_YTREE_H
#define INTAKE_YTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

/* How a scalar is written. */
enum ystyle { YS_PLAIN, YS_SINGLE, YS_DOUBLE, YS_LITERAL, YS_FOLDED };

struct ynode {
	enum ykind kind;
	unsigned line, col;     /* start */
	unsigned end_line;      /* of a sequence or mapping: its last line */
	bool plain, quoted;     /* scalar style: plain, or '...' / "..." */
	enum ystyle style;      /* scalars: the style exactly */
	size_t start, end;      /* scalars: byte offsets of the source, quotes
	                         * and block header included */
	char *text;             /* scalars only */
	size_t len;
	struct ynode **kids;
	size_t n, cap;
};

/* Why ytree_parse gave no tree. */
enum yproblem_kind {
	YP_NONE,                /* no problem: the document is empty */
	YP_NOMEM,
	YP_SYNTAX,              /* problem, context, context_line */
	YP_SECOND_DOC,          /* a second document starts at line:col */
	YP_ALIAS,               /* *anchor at line:col */
	YP_TOO_DEEP,            /* more than max_depth levels at line:col */
	YP_HIDDEN,              /* a scalar holds character ch (textcheck.h) at line:col */
};

struct yproblem {
	enum yproblem_kind kind;
	unsigned line, col;
	char problem[128];      /* libyaml's words; "error" when it gave none */
	char context[128];      /* libyaml's context, "" when none */
	size_t context_line;
	char anchor[900];       /* YP_ALIAS, cut to fit */
	uint32_t ch;            /* YP_HIDDEN: the character */
};

/*
 * Parses the one YAML document in buf[0..len) (UTF-8). Returns its root, or
 * NULL with *why saying why (YP_NONE: only comments or blank lines).
 * Aliases are refused (they would let a small file expand into a huge tree)
 * and so is nesting deeper than max_depth (<= YTREE_MAX_DEPTH), which also
 * bounds the recursion of ynode_free. So is a scalar (key or value) holding
 * a character textcheck.h names, other than TAB and line feed, whether
 * written raw or as a "\e"-style escape: every text of a form or scenario
 * reaches a screen, and must not drive it (YP_HIDDEN, at the character
 * when it is written raw, else at the scalar).
 */
#define YTREE_MAX_DEPTH 64
struct ynode *ytree_parse(const char *buf, size_t len, int max_depth, struct yproblem *why);
void ynode_free(struct ynode *n);

/* The value of `key` in mapping `map` (first occurrence), or NULL when map is
 * NULL, not a mapping or lacks the key. */
struct ynode *ynode_get(const struct ynode *map, const char *key);

/*
 * Where byte `off` of a scalar's text (text, of the given style, written at
 * buf[start..end)) is in the source, whatever the style: escapes and ''
 * in quoted scalars, line folding, block indentation and header. false
 * when the text cannot be traced back (then use the scalar's start).
 */
bool ytree_scalar_pos(const char *buf, size_t len, enum ystyle style, size_t start,
    size_t end, const char *text, size_t off, unsigned *line, unsigned *col);

/* Line and column of byte offset off in buf. */
void ytree_pos(const char *buf, size_t off, unsigned *line, unsigned *col);

/* True when buf holds only spaces, tabs and line ends. */
bool ytree_blank(const char *buf, size_t len);

/* YAML forbids tabs in indentation, and libyaml's own message would not say
 * why. Counts the lines of buf whose leading whitespace holds a tab; the
 * first `max` of them go into at[] (the position of that tab). */
struct ypos {
	unsigned line, col;
};
size_t ytree_indent_tabs(const char *buf, size_t len, struct ypos *at, size_t max);

/* Which of keys[] (NULL-terminated, the first 32 count) the top-level
 * mapping of buf names: bit i for keys[i]. Reads libyaml's events only as
 * far as the text parses, so a file broken further down is still known by
 * the keys before the break; 0 when the document is no mapping. */
unsigned ytree_top_keys(const char *buf, size_t len, const char *const *keys);

/* Edit distance of a and b, for "did you mean" hints; SIZE_MAX when either
 * is longer than 62 bytes (no useful hint then). */
size_t ytree_distance(const char *a, const char *b);

/* An id as forms and scenarios write them: [a-z][a-z0-9_]*, at most max
 * characters. */
bool ytree_valid_id(const char *s, size_t max);

/* Where a loader's messages go: its diagnostics and the file name they
 * carry. `nomem` is set, never cleared, when a message or a copy could not be
 * made; the loader then fails with ST_NOMEM. */
struct ysource {
	struct diag_list *dl;
	const char *file;
	bool nomem;
};

void ysource_error(struct ysource *s, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ysource_warning(struct ysource *s, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A copy of str, or NULL with s->nomem set. */
char *ysource_strdup(struct ysource *s, const char *str);

/*
 * Schema checks both loaders make, each reporting into s in one wording
 * (`what` names the thing checked, as "the label of outcome 'x'"):
 *  - ynode_kind_name: "text", "a list" or "a mapping".
 *  - ysource_want: n is of `kind`, else an error at n.
 *  - ysource_text: n is a scalar holding more than spaces and line ends:
 *    its text, else NULL after an error.
 *  - ysource_check_map: map is a mapping whose keys are text, unique and
 *    among allowed (NULL-terminated); false only when map is no mapping.
 *    Unknown keys are errors, not ignored: a misspelt `relevnt` would
 *    otherwise silently ask a question of everyone.
 *  - ysource_require: the value of key in map, else NULL after an error at
 *    map.
 *  - ysource_seq: n as a list (with an item when nonempty), else NULL after
 *    an error.
 */
const char *ynode_kind_name(enum ykind k);
bool ysource_want(struct ysource *s, const struct ynode *n, enum ykind kind, const char *what);
const char *ysource_text(struct ysource *s, const struct ynode *n, const char *what);
bool ysource_check_map(struct ysource *s, const struct ynode *map, const char *what,
    const char *const *allowed);
const struct ynode *ysource_require(struct ysource *s, const struct ynode *map, const char *key,
    const char *what);
const struct ynode *ysource_seq(struct ysource *s, const struct ynode *n, const char *what,
    bool nonempty);

/* What YAML would report badly or not at all, before it sees the bytes:
 * invalid UTF-8 (quoting the text before it), a NUL byte, tabs in
 * indentation (the first YTREE_MAX_TAB_REPORTS, then a count). Size and
 * emptiness are the caller's: their limits and hints differ. */
#define YTREE_MAX_TAB_REPORTS 20
bool ysource_precheck(struct ysource *s, const char *buf, size_t len);

/* Reports why ytree_parse gave no tree (nothing for YP_NONE: what an empty
 * document means is the caller's). `noun` names the file kind ("form",
 * "scenario"); max_depth is the one given to ytree_parse. */
void ysource_problem(struct ysource *s, const struct yproblem *why, const char *noun,
    int max_depth);

#endif
