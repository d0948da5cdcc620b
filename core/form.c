/*
 * form.c — questionnaires: loading a form's YAML (through ytree), checking it
 * in one pass that reports every problem with file:line:col, and the
 * read-only accessors the engine, the screens and the exports use. The
 * checks across the whole form (types, cycles, order, consent) are in
 * form_check.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "form.h"
#include "form_int.h"
#include "ytree.h"

#define MAX_YAML_DEPTH   64
#define MAX_SECTIONS     500
#define MAX_LISTS        1000
#define MAX_CHOICES      1000
#define MAX_INDICATORS   500
#define MAX_OUTCOMES     500
#define MAX_FLAGS        50
#define MAX_REFERRALS    1000
#define MAX_LIST_ITEMS   100    /* services, countries, outcome referrals */


static const char *
start_hint(const struct loader *L)
{
	return strcmp(L->noun, "form") == 0 ?
	    "a form starts with id:, version:, languages: and sections:" :
	    "a referrals file starts with referrals:";
}

/*
 * File-level checks before YAML sees the bytes: empty, too big, not UTF-8,
 * tabs in indentation. Each gives a position a user can go to.
 */
static bool
precheck(struct loader *L, const char *buf, size_t len)
{
	if (len > FORM_MAX_BYTES) {
		ysource_error(&L->y, 1, 1, "%s is %zu bytes; the limit is 1 MiB (%d bytes): split it or shorten the texts",
		    L->noun, len, FORM_MAX_BYTES);
		return false;
	}
	if (ytree_blank(buf, len)) {
		ysource_error(&L->y, 1, 1, "%s is empty: %s", L->noun, start_hint(L));
		return false;
	}
	return ysource_precheck(&L->y, buf, len);
}

/* The form's document as a tree, or NULL after an error. */
static struct ynode *
yaml_tree(struct loader *L, const char *buf, size_t len)
{
	struct yproblem why;
	struct ynode *root = ytree_parse(buf, len, MAX_YAML_DEPTH, &why);

	if (why.kind == YP_NONE && root == NULL)
		ysource_error(&L->y, 1, 1, "%s has no content (only comments?): %s", L->noun,
		    start_hint(L));
	ysource_problem(&L->y, &why, "form", MAX_YAML_DEPTH);
	return root;
}

/* ---- tree helpers ----------------------------------------------------- */

/* YAML 1.1 spellings too: XLSForm authors write `required: yes`. */
static bool
get_bool(struct loader *L, const struct ynode *n, const char *what, bool *out)
{
	static const char *const yes[] = {"true", "yes", "True", "Yes", "TRUE", "YES", NULL};
	static const char *const no[] = {"false", "no", "False", "No", "FALSE", "NO", NULL};

	if (n->kind == Y_SCALAR) {
		for (int i = 0; yes[i]; i++)
			if (strcmp(n->text, yes[i]) == 0) {
				*out = true;
				return true;
			}
		for (int i = 0; no[i]; i++)
			if (strcmp(n->text, no[i]) == 0) {
				*out = false;
				return true;
			}
	}
	ERR(L, n, "%s must be true or false", what);
	return false;
}

static bool
get_count(struct loader *L, const struct ynode *n, const char *what, size_t max, size_t *out)
{
	size_t v = 0;

	if (n->kind == Y_SCALAR && n->len > 0 && n->len <= 9) {
		size_t i;

		for (i = 0; i < n->len && n->text[i] >= '0' && n->text[i] <= '9'; i++)
			v = v * 10 + (size_t)(n->text[i] - '0');
		if (i == n->len && v >= 1 && v <= max) {
			*out = v;
			return true;
		}
	}
	ERR(L, n, "%s must be a whole number from 1 to %zu", what, max);
	return false;
}

/* Report variables follow the names of the statistics standard they feed
 * (CTDC's are camelCase: ageBroad, meansOfControlDebtBondage). */
static bool
valid_report_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FORM_ID_MAX || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static char *
get_id(struct loader *L, const struct ynode *n, const char *what)
{
	const char *s = ysource_text(&L->y, n, what);

	if (s == NULL)
		return NULL;
	if (!ytree_valid_id(s, FORM_ID_MAX)) {
		ERR(L, n, "'%.60s' is not a valid %s: use lowercase letters a-z, digits and _, starting with a letter, at most %d characters",
		    s, what, FORM_ID_MAX);
		return NULL;
	}
	return ysource_strdup(&L->y, s);
}

/* ---- labels and languages --------------------------------------------- */

static void
label_free(struct label *l)
{
	for (size_t i = 0; i < FORM_MAX_LANGS; i++)
		free(l->text[i]);
	memset(l, 0, sizeof *l);
}

static int
lang_index(const struct form *f, const char *code)
{
	for (size_t i = 0; i < f->nlangs; i++)
		if (strcmp(f->langs[i].code, code) == 0)
			return (int)i;
	return -1;
}

static void
declared_langs(const struct form *f, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < f->nlangs; i++) {
		int w = snprintf(buf + off, size - off, "%s%s", i ? ", " : "", f->langs[i].code);

		if (w < 0 || (size_t)w >= size - off)
			break;
		off += (size_t)w;
	}
}

/*
 * Reads a label: a mapping from declared language codes to text. A missing
 * default-language text is an error (it is what every fallback shows); a
 * missing reviewed translation is an error, a missing draft one a warning.
 */
static bool
get_label(struct loader *L, const struct ynode *n, const char *what, struct label *out)
{
	struct form *f = L->f;
	bool seen[FORM_MAX_LANGS] = {false};
	char langs[200];

	if (n->kind != Y_MAP) {
		declared_langs(f, langs, sizeof langs);
		ERR(L, n, "%s must map each language to its text, like {%s: \"...\"}, not %s",
		    what, f->nlangs ? f->langs[0].code : "en", ynode_kind_name(n->kind));
		return false;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
		int li;

		if (k->kind != Y_SCALAR) {
			ERR(L, k, "a language code in %s must be text", what);
			continue;
		}
		li = lang_index(f, k->text);
		if (li < 0) {
			declared_langs(f, langs, sizeof langs);
			ERR(L, k, "'%.20s' in %s is not a declared language (declared: %s): add it under languages: or remove this text",
			    k->text, what, langs);
			continue;
		}
		if (seen[li]) {
			ERR(L, k, "%s has two '%s' texts: keep one", what, k->text);
			continue;
		}
		seen[li] = true;
		if (v->kind != Y_SCALAR) {
			ERR(L, v, "the %s text of %s must be text, not %s", k->text, what, ynode_kind_name(v->kind));
			continue;
		}
		if (v->len == 0) {
			ERR(L, v, "the %s text of %s is empty: write the text or remove the line", k->text, what);
			continue;
		}
		free(out->text[li]);
		out->text[li] = ysource_strdup(&L->y, v->text);
	}
	for (size_t li = 0; li < f->nlangs; li++) {
		if (seen[li])
			continue;
		if (li == 0)
			ERR(L, n, "%s has no %s text: add %s: \"...\" (the default language, shown when a translation is missing)",
			    what, f->langs[0].code, f->langs[0].code);
		else if (f->langs[li].status == FORM_LANG_REVIEWED)
			ERR(L, n, "%s has no %s text, and %s is marked reviewed: add %s: \"...\" (or mark the language draft)",
			    what, f->langs[li].code, f->langs[li].code, f->langs[li].code);
		else if (++L->missing[li] <= MISSING_DETAIL)
			ysource_warning(&L->y, n->line, n->col, "%s has no %s text (draft translation): %s text will be shown",
			    what, f->langs[li].code, f->langs[0].code);
	}
	return true;
}

static const char *
label_text(const struct form *f, const struct label *l, size_t lang)
{
	if (lang < f->nlangs && l->text[lang] != NULL)
		return l->text[lang];
	return l->text[0] ? l->text[0] : "";
}

static void
parse_languages(struct loader *L, const struct ynode *root)
{
	static const char *const keys[] = {"code", "name", "status", NULL};
	const struct ynode *seq = ysource_require(&L->y, root, "languages", "the form");
	struct form *f = L->f;

	if (seq == NULL || ysource_seq(&L->y, seq, "languages", true) == NULL)
		return;
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->kids[i], *code, *name, *status;
		const char *c, *s;
		struct lang *lg;
		bool ok = true;

		if (!ysource_check_map(&L->y, it, "a language", keys))
			continue;
		if (f->nlangs == FORM_MAX_LANGS) {
			ERR(L, it, "more than %d languages: remove some", FORM_MAX_LANGS);
			break;
		}
		code = ysource_require(&L->y, it, "code", "this language");
		name = ysource_require(&L->y, it, "name", "this language");
		status = ysource_require(&L->y, it, "status", "this language");
		if (!code || !name || !status)
			continue;
		c = ysource_text(&L->y, code, "a language code");
		if (c == NULL)
			continue;
		for (size_t k = 0; c[k]; k++)
			if (!((c[k] >= 'a' && c[k] <= 'z') || (k > 0 && (c[k] == '-' ||
			    (c[k] >= 'A' && c[k] <= 'Z') || (c[k] >= '0' && c[k] <= '9')))))
				ok = false;
		if (!ok || strlen(c) < 2 || strlen(c) > 15) {
			ERR(L, code, "'%.20s' is not a language code: use a short code such as en, lo, th or zh", c);
			continue;
		}
		if (lang_index(f, c) >= 0) {
			ERR(L, code, "language '%s' is declared twice: keep one", c);
			continue;
		}
		s = ysource_text(&L->y, status, "a language status");
		if (s && strcmp(s, "reviewed") != 0 && strcmp(s, "draft") != 0) {
			ERR(L, status, "unknown status '%.20s': use reviewed or draft", s);
			s = NULL;
		}
		if (ysource_text(&L->y, name, "a language name") == NULL || s == NULL)
			continue;
		lg = &f->langs[f->nlangs++];
		lg->code = ysource_strdup(&L->y, c);
		lg->name = ysource_strdup(&L->y, name->text);
		lg->status = strcmp(s, "reviewed") == 0 ? FORM_LANG_REVIEWED : FORM_LANG_DRAFT;
		lg->line = code->line;
		lg->col = code->col;
		if (lg->status == FORM_LANG_DRAFT)
			ysource_warning(&L->y, status->line, status->col,
			    "language %s is a draft translation: have it reviewed before real interviews", c);
	}
}

/* ---- built-in yes/no list --------------------------------------------- */

static const struct {
	const char *code, *yes, *no;
} yes_no_words[] = {
	{"en", "Yes", "No"},
	/* Draft translations, to be reviewed with the forms' translators. */
	{"lo", "ແມ່ນ", "ບໍ່"},
	{"th", "ใช่", "ไม่ใช่"},
	{"zh", "是", "否"},
};

static void
make_yes_no_list(struct loader *L)
{
	struct form *f = L->f;
	struct clist *yl = &f->lists[0];

	yl->name = ysource_strdup(&L->y, "(yes/no)");
	yl->items = calloc(2, sizeof *yl->items);
	yl->values = calloc(2, sizeof *yl->values);
	if (yl->items == NULL || yl->values == NULL) {
		L->y.nomem = true;
		return;
	}
	yl->n = 2;
	yl->items[0].value = ysource_strdup(&L->y, "yes");
	yl->items[1].value = ysource_strdup(&L->y, "no");
	yl->values[0] = "yes";
	yl->values[1] = "no";
	for (size_t li = 0; li < f->nlangs; li++)
		for (size_t k = 0; k < sizeof yes_no_words / sizeof yes_no_words[0]; k++)
			if (strncmp(f->langs[li].code, yes_no_words[k].code, 2) == 0) {
				yl->items[0].label.text[li] = ysource_strdup(&L->y, yes_no_words[k].yes);
				yl->items[1].label.text[li] = ysource_strdup(&L->y, yes_no_words[k].no);
			}
}

static int
list_find(const struct form *f, const char *name)
{
	for (size_t i = 1; i < f->nlists; i++)
		if (strcmp(f->lists[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * The words of yes_no questions: built in for en, lo, th and zh; a choice
 * list named yes_no (exactly the values yes and no) gives them for any
 * language, replacing the built-in ones where it has text. A language with
 * neither is refused: an answer shown in the wrong language could be
 * misread, and a consent question is a yes_no.
 */
static void
apply_yes_no_list(struct loader *L, const struct ynode *choices)
{
	struct form *f = L->f;
	struct clist *yl = &f->lists[0];
	int own = list_find(f, "yes_no");
	const struct ynode *k = NULL;

	for (size_t i = 0; choices && choices->kind == Y_MAP && i + 1 < choices->n; i += 2)
		if (choices->kids[i]->kind == Y_SCALAR && strcmp(choices->kids[i]->text, "yes_no") == 0)
			k = choices->kids[i];
	if (own > 0) {
		const struct clist *cl = &f->lists[own];
		int yes = form_choice_find(f, (size_t)own, "yes", 3), no = form_choice_find(f, (size_t)own, "no", 2);

		if (cl->n != 2 || yes < 0 || no < 0) {
			ERR(L, k, "choice list yes_no gives the words of yes_no questions, so it must hold exactly the values yes and no: rename the list, or keep only those two");
		} else {
			for (size_t li = 0; li < f->nlangs; li++) {
				const char *ty = cl->items[yes].label.text[li], *tn = cl->items[no].label.text[li];

				if (ty == NULL || tn == NULL)
					continue;
				free(yl->items[0].label.text[li]);
				free(yl->items[1].label.text[li]);
				yl->items[0].label.text[li] = ysource_strdup(&L->y, ty);
				yl->items[1].label.text[li] = ysource_strdup(&L->y, tn);
			}
		}
	}
	for (size_t li = 0; li < f->nlangs; li++)
		if (yl->items[0].label.text[li] == NULL || yl->items[1].label.text[li] == NULL)
			ysource_error(&L->y, f->langs[li].line, f->langs[li].col,
			    "Intake has built-in yes/no words only for en, lo, th and zh: give them for %s in a choice list "
			    "yes_no: [{value: \"yes\", label: {%s: \"...\"}}, {value: \"no\", label: {%s: \"...\"}}]",
			    f->langs[li].code, f->langs[li].code, f->langs[li].code);
}

/* ---- choices ---------------------------------------------------------- */

static bool
valid_value(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static void
parse_choices(struct loader *L, const struct ynode *root)
{
	static const char *const keys[] = {"value", "label", NULL};
	const struct ynode *map = ynode_get(root, "choices");
	struct form *f = L->f;
	size_t nl;

	nl = map && map->kind == Y_MAP ? map->n / 2 : 0;
	f->lists = calloc(nl + 1, sizeof *f->lists);
	if (f->lists == NULL) {
		L->y.nomem = true;
		return;
	}
	f->nlists = 1;
	make_yes_no_list(L);
	if (map == NULL)
		return;
	if (map->kind != Y_MAP) {
		ERR(L, map, "choices must map list names to lists of choices, not %s", ynode_kind_name(map->kind));
		return;
	}
	if (nl > MAX_LISTS) {
		ERR(L, map, "more than %d choice lists", MAX_LISTS);
		return;
	}
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i], *seq = map->kids[i + 1];
		struct clist *cl;
		char what[120];

		if (k->kind != Y_SCALAR || !valid_value(k->text) || !(k->text[0] >= 'a' && k->text[0] <= 'z')) {
			ERR(L, k, "'%.40s' is not a valid choice list name: use lowercase letters, digits and _, starting with a letter",
			    k->kind == Y_SCALAR ? k->text : "?");
			continue;
		}
		for (size_t j = 1; j < f->nlists; j++)
			if (strcmp(f->lists[j].name, k->text) == 0) {
				ERR(L, k, "choice list '%s' is defined twice: keep one", k->text);
				goto next_list;
			}
		snprintf(what, sizeof what, "choice list %s", k->text);
		if (ysource_seq(&L->y, seq, what, true) == NULL)
			continue;
		if (seq->n > MAX_CHOICES) {
			ERR(L, seq, "choice list %s has more than %d choices", k->text, MAX_CHOICES);
			continue;
		}
		cl = &f->lists[f->nlists++];
		cl->name = ysource_strdup(&L->y, k->text);
		cl->items = calloc(seq->n, sizeof *cl->items);
		cl->values = calloc(seq->n, sizeof *cl->values);
		if (cl->items == NULL || cl->values == NULL) {
			L->y.nomem = true;
			return;
		}
		for (size_t c = 0; c < seq->n; c++) {
			const struct ynode *it = seq->kids[c], *v, *lab;
			struct choice *ch;
			char lwhat[160];

			if (!ysource_check_map(&L->y, it, "a choice", keys))
				continue;
			v = ysource_require(&L->y, it, "value", "this choice");
			lab = ysource_require(&L->y, it, "label", "this choice");
			if (v == NULL || lab == NULL || ysource_text(&L->y, v, "a choice value") == NULL)
				continue;
			if (!valid_value(v->text)) {
				ERR(L, v, "'%.40s' is not a valid choice value: use lowercase letters a-z, digits and _ (quote yes and no: \"yes\")",
				    v->text);
				continue;
			}
			for (size_t d = 0; d < cl->n; d++)
				if (strcmp(cl->items[d].value, v->text) == 0) {
					ERR(L, v, "duplicate choice value '%s' in list %s: each value must be unique within its list",
					    v->text, k->text);
					goto next_choice;
				}
			ch = &cl->items[cl->n];
			ch->value = ysource_strdup(&L->y, v->text);
			if (ch->value == NULL)
				return;
			snprintf(lwhat, sizeof lwhat, "the label of choice '%s'", v->text);
			get_label(L, lab, lwhat, &ch->label);
			cl->values[cl->n] = ch->value;
			cl->n++;
next_choice:;
		}
next_list:;
	}
}


/* ---- expressions (parsed while reading, checked once all is read) ------ */

static struct epos
epos_of(const struct ynode *n)
{
	struct epos p = {n->line, n->col, false, true, n->style, n->start, n->end};

	if ((n->plain || n->quoted) && n->end_line == n->line) {
		p.exact = true;
		if (n->quoted)
			p.col++;
	}
	return p;
}

/* Line and column in the form of character `ecol` (1-based; one past the
 * end for "at the end" messages) of expression text `text` written at p. */
void
form_epos_locate(const struct loader *L, struct epos p, const char *text, unsigned ecol,
    unsigned *line, unsigned *col)
{
	const struct form *f = L->f;
	size_t off = 0, tl = strlen(text);
	bool past = false;

	*line = p.line;
	*col = p.exact ? p.col + (ecol > 0 ? ecol - 1 : 0) : p.col;
	for (unsigned c = 1; off < tl && c < ecol; c++) {
		off++;
		while (off < tl && ((unsigned char)text[off] & 0xC0) == 0x80)
			off++;
	}
	if (off >= tl && tl > 0) {
		/* just past the last character: find that one, then step */
		off = tl - 1;
		while (off > 0 && ((unsigned char)text[off] & 0xC0) == 0x80)
			off--;
		past = true;
	}
	if (!p.traced || f->source == NULL || tl == 0 ||
	    !ytree_scalar_pos(f->source, f->source_len, p.style, p.start, p.end, text, off, line, col)) {
		*line = p.line;
		*col = p.exact ? p.col + (ecol > 0 ? ecol - 1 : 0) : p.col;
		return;
	}
	if (past)
		(*col)++;
}

void
form_expr_error_at(struct loader *L, struct epos p, const char *text, const char *what,
    const struct expr_error *e)
{
	unsigned line, col;

	form_epos_locate(L, p, text, e->col, &line, &col);
	ysource_error(&L->y, line, col, "%s: %s", what, e->msg);
}

static struct expr *
get_expr(struct loader *L, const struct ynode *n, const char *what, struct epos *pos)
{
	struct expr *e = NULL;
	struct expr_error ee;
	enum status st;

	if (n->kind != Y_SCALAR) {
		ERR(L, n, "%s must be an expression in quotes, like \"${q} = 'yes'\", not %s", what, ynode_kind_name(n->kind));
		return NULL;
	}
	*pos = epos_of(n);
	st = expr_parse(n->text, n->len, &e, &ee);
	if (st == ST_NOMEM)
		L->y.nomem = true;
	else if (st != ST_OK)
		form_expr_error_at(L, *pos, n->text, what, &ee);
	return e;
}

/* ---- sections and questions ------------------------------------------- */

static const char *const qtype_names[] = {
	[FORM_TEXT] = "text", [FORM_INTEGER] = "integer", [FORM_DECIMAL] = "decimal",
	[FORM_DATE] = "date", [FORM_YES_NO] = "yes_no", [FORM_SELECT_ONE] = "select_one",
	[FORM_SELECT_MULTIPLE] = "select_multiple", [FORM_NOTE] = "note",
	[FORM_CALCULATE] = "calculate",
};

static int
question_index(const struct form *f, const char *id)
{
	for (size_t i = 0; i < f->nquestions; i++)
		if (f->questions[i].id && strcmp(f->questions[i].id, id) == 0)
			return (int)i;
	return -1;
}

static bool
parse_qtype(struct loader *L, const struct ynode *n, enum form_qtype *out)
{
	const char *s = ysource_text(&L->y, n, "type");

	if (s == NULL)
		return false;
	for (size_t t = 0; t < sizeof qtype_names / sizeof qtype_names[0]; t++)
		if (strcmp(s, qtype_names[t]) == 0) {
			*out = (enum form_qtype)t;
			return true;
		}
	if (strncmp(s, "select_one ", 11) == 0 || strncmp(s, "select_multiple ", 16) == 0) {
		const char *sp = strchr(s, ' ');

		ERR(L, n, "write the choice list on its own line: type: %.*s and choices: %.40s",
		    (int)(sp - s), s, sp + 1);
		return false;
	}
	ERR(L, n, "unknown question type '%.40s': use one of text, integer, decimal, date, yes_no, select_one, select_multiple, note, calculate",
	    s);
	return false;
}

/* A calculate question: its calculation, and none of what only asked
 * questions take. */
static void
parse_calculate(struct loader *L, const struct ynode *it, struct question *q)
{
	static const char *const asked_only[] = {
		"hint", "consent", "keep_without_consent", "max_length", NULL,
	};
	const struct ynode *n = ynode_get(it, "calculation");
	char what[120];

	if (n == NULL) {
		ERR(L, it, "calculate '%s' has no calculation: add calculation: \"...\" (an expression such as \"${a} + ${b}\")",
		    q->id);
	} else {
		snprintf(what, sizeof what, "calculation of question '%s'", q->id);
		q->calculation = get_expr(L, n, what, &q->calculation_pos);
	}
	for (size_t k = 0; asked_only[k]; k++)
		if ((n = ynode_get(it, asked_only[k])) != NULL)
			ERR(L, n, "calculate '%s' is never shown or asked, so it takes no %s: remove it",
			    q->id, asked_only[k]);
}

/*
 * One question. A question whose id is missing, invalid or duplicate is not
 * kept (others could not refer to it unambiguously); any other problem is
 * reported and the question kept, so later checks still see it and report
 * their own problems.
 */
static void
parse_question(struct loader *L, const struct ynode *it, size_t section)
{
	static const char *const keys[] = {
		"id", "type", "label", "hint", "required", "relevant", "constraint",
		"constraint_message", "choices", "max_length", "consent",
		"keep_without_consent", "report", "calculation", NULL,
	};
	struct form *f = L->f;
	struct question *q = &f->questions[f->nquestions];
	const struct ynode *n, *idn, *typen, *labn;
	char what[120];
	bool typed;

	if (!ysource_check_map(&L->y, it, "a question", keys))
		return;
	memset(q, 0, sizeof *q);
	q->section = section;
	q->line = it->line;
	q->col = it->col;
	q->list = -1;
	idn = ysource_require(&L->y, it, "id", "this question");
	typen = ynode_get(it, "type");
	labn = ynode_get(it, "label");
	if (idn == NULL)
		return;
	q->id = get_id(L, idn, "question id");
	if (q->id == NULL)
		return;
	if (question_index(f, q->id) >= 0) {
		ERR(L, idn, "duplicate question id '%s' (first at line %u): every question id must be unique in the form",
		    q->id, f->questions[question_index(f, q->id)].line);
		free(q->id);
		q->id = NULL;
		return;
	}
	f->nquestions++;
	if (typen == NULL)
		ERR(L, it, "question '%s' has no type: add type: (text, integer, decimal, date, yes_no, select_one, select_multiple, note or calculate)", q->id);
	typed = typen && parse_qtype(L, typen, &q->type);
	if (!typed)
		q->type = FORM_TEXT;
	/* A calculate is never shown: its label, if any, is for authors. */
	if (labn == NULL && !(typed && q->type == FORM_CALCULATE))
		ERR(L, it, "question '%s' has no label: add label: {%s: \"...\"}", q->id, f->langs[0].code);
	if (typed && q->type == FORM_CALCULATE)
		parse_calculate(L, it, q);
	else if ((n = ynode_get(it, "calculation")) != NULL)
		ERR(L, n, "calculation is only for calculate questions: use type: calculate, or remove it");
	snprintf(what, sizeof what, "the label of question '%s'", q->id);
	if (labn)
		get_label(L, labn, what, &q->label);
	if ((n = ynode_get(it, "hint")) != NULL) {
		snprintf(what, sizeof what, "the hint of question '%s'", q->id);
		q->has_hint = get_label(L, n, what, &q->hint);
	}
	if ((n = ynode_get(it, "required")) != NULL && get_bool(L, n, "required", &q->required) &&
	    q->required && (q->type == FORM_NOTE || q->type == FORM_CALCULATE) && typed)
		ERR(L, n, "%s '%s' takes no answer, so it cannot be required: remove required",
		    qtype_names[q->type], q->id);
	if ((n = ynode_get(it, "relevant")) != NULL) {
		snprintf(what, sizeof what, "relevant of question '%s'", q->id);
		q->relevant = get_expr(L, n, what, &q->relevant_pos);
	}
	if ((n = ynode_get(it, "constraint")) != NULL) {
		snprintf(what, sizeof what, "constraint of question '%s'", q->id);
		if ((q->type == FORM_NOTE || q->type == FORM_CALCULATE) && typed)
			ERR(L, n, "%s '%s' takes no answer, so it cannot have a constraint",
			    qtype_names[q->type], q->id);
		else
			q->constraint = get_expr(L, n, what, &q->constraint_pos);
	}
	if ((n = ynode_get(it, "constraint_message")) != NULL) {
		snprintf(what, sizeof what, "the constraint_message of question '%s'", q->id);
		q->has_cmsg = get_label(L, n, what, &q->cmsg);
		if (ynode_get(it, "constraint") == NULL)
			ysource_warning(&L->y, n->line, n->col, "question '%s' has a constraint_message but no constraint: it is never shown", q->id);
	}
	n = ynode_get(it, "choices");
	if (q->type == FORM_SELECT_ONE || q->type == FORM_SELECT_MULTIPLE) {
		if (n == NULL) {
			ERR(L, it, "%s question '%s' needs choices: name a list from choices:", qtype_names[q->type], q->id);
		} else if (ysource_text(&L->y, n, "choices") != NULL) {
			q->list = list_find(f, n->text);
			if (q->list < 0) {
				char names[300];
				size_t off = 0;

				names[0] = '\0';
				for (size_t i = 1; i < f->nlists; i++) {
					int w = snprintf(names + off, sizeof names - off, "%s%s", i > 1 ? ", " : "", f->lists[i].name);

					if (w < 0 || (size_t)w >= sizeof names - off)
						break;
					off += (size_t)w;
				}
				ERR(L, n, "unknown choice list '%.40s': define it under choices:%s%s%s", n->text,
				    off ? " (lists: " : "", off ? names : "", off ? ")" : "");
			}
		}
	} else if (q->type == FORM_YES_NO) {
		q->list = 0;
		if (n != NULL)
			ERR(L, n, "a yes_no question needs no choices (its answers are yes and no): remove choices, or use select_one");
	} else if (n != NULL && typed) {
		ERR(L, n, "choices is only for select_one and select_multiple questions");
	}
	if ((n = ynode_get(it, "max_length")) != NULL) {
		if (q->type != FORM_TEXT && typed)
			ERR(L, n, "max_length is only for text questions");
		else
			get_count(L, n, "max_length", FORM_MAX_TEXT, &q->max_length);
	}
	if ((n = ynode_get(it, "consent")) != NULL) {
		const char *s = ysource_text(&L->y, n, "consent");

		if (s && strcmp(s, "interview") == 0)
			q->consent = FORM_CONSENT_INTERVIEW;
		else if (s && strcmp(s, "referral") == 0)
			q->consent = FORM_CONSENT_REFERRAL;
		else if (s && strcmp(s, "statistics") == 0)
			q->consent = FORM_CONSENT_STATISTICS;
		else if (s)
			ERR(L, n, "unknown consent '%.30s': use interview, referral or statistics", s);
		if (q->consent != FORM_CONSENT_NONE && q->type != FORM_YES_NO && typed) {
			ERR(L, n, "a consent question must have type yes_no");
			q->consent = FORM_CONSENT_NONE;
		}
	}
	if ((n = ynode_get(it, "keep_without_consent")) != NULL)
		get_bool(L, n, "keep_without_consent", &q->keep);
	if ((n = ynode_get(it, "report")) != NULL && ysource_text(&L->y, n, "report") != NULL) {
		if (!valid_report_name(n->text))
			ERR(L, n, "'%.40s' is not a valid report name: use letters, digits and _, "
			    "starting with a letter (for example ageBroad)", n->text);
		else if ((q->type == FORM_NOTE || q->type == FORM_CALCULATE) && typed)
			ERR(L, n, "%s '%s' takes no answer, so it cannot be reported",
			    qtype_names[q->type], q->id);
		else
			q->report = ysource_strdup(&L->y, n->text);
	}
	if (q->type == FORM_TEXT && q->max_length == 0)
		q->max_length = f->max_text;
}

static void
parse_sections(struct loader *L, const struct ynode *root)
{
	static const char *const keys[] = {"id", "title", "relevant", "questions", NULL};
	const struct ynode *seq = ysource_require(&L->y, root, "sections", "the form");
	struct form *f = L->f;
	size_t total = 0;

	if (seq == NULL || ysource_seq(&L->y, seq, "sections", true) == NULL)
		return;
	if (seq->n > MAX_SECTIONS) {
		ERR(L, seq, "more than %d sections: split the form", MAX_SECTIONS);
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *qs = ynode_get(seq->kids[i], "questions");

		if (qs && qs->kind == Y_SEQ)
			total += qs->n;
	}
	if (total > FORM_MAX_QUESTIONS) {
		ERR(L, seq, "the form has %zu questions; the limit is %d: split it", total, FORM_MAX_QUESTIONS);
		return;
	}
	f->sections = calloc(seq->n, sizeof *f->sections);
	f->questions = calloc(total + 1, sizeof *f->questions);
	if (f->sections == NULL || f->questions == NULL) {
		L->y.nomem = true;
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->kids[i], *idn, *n, *qs;
		struct section *s = &f->sections[f->nsections];
		char what[120];

		if (!ysource_check_map(&L->y, it, "a section", keys))
			continue;
		idn = ysource_require(&L->y, it, "id", "this section");
		if (idn == NULL || (s->id = get_id(L, idn, "section id")) == NULL)
			continue;
		for (size_t k = 0; k < f->nsections; k++)
			if (strcmp(f->sections[k].id, s->id) == 0) {
				ERR(L, idn, "duplicate section id '%s' (first at line %u): every section id must be unique",
				    s->id, f->sections[k].line);
				free(s->id);
				s->id = NULL;
				break;
			}
		if (s->id == NULL)
			continue;
		s->line = it->line;
		s->col = it->col;
		f->nsections++;
		snprintf(what, sizeof what, "the title of section '%s'", s->id);
		if ((n = ysource_require(&L->y, it, "title", "this section")) != NULL)
			get_label(L, n, what, &s->title);
		if ((n = ynode_get(it, "relevant")) != NULL) {
			snprintf(what, sizeof what, "relevant of section '%s'", s->id);
			s->relevant = get_expr(L, n, what, &s->relevant_pos);
		}
		s->first = f->nquestions;
		qs = ysource_require(&L->y, it, "questions", "this section");
		snprintf(what, sizeof what, "the questions of section '%s'", s->id);
		if (qs && ysource_seq(&L->y, qs, what, true) != NULL)
			for (size_t k = 0; k < qs->n; k++)
				parse_question(L, qs->kids[k], f->nsections - 1);
		s->count = f->nquestions - s->first;
	}
}

/* ---- indicators and outcomes ------------------------------------------ */

static void
parse_indicators(struct loader *L, const struct ynode *root)
{
	static const char *const keys[] = {"id", "level", "label", "when", NULL};
	const struct ynode *seq = ynode_get(root, "indicators");
	struct form *f = L->f;

	if (seq == NULL || ysource_seq(&L->y, seq, "indicators", false) == NULL)
		return;
	if (seq->n > MAX_INDICATORS) {
		ERR(L, seq, "more than %d indicators", MAX_INDICATORS);
		return;
	}
	f->inds = calloc(seq->n + 1, sizeof *f->inds);
	if (f->inds == NULL) {
		L->y.nomem = true;
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->kids[i], *idn, *n;
		struct indicator *in = &f->inds[f->ninds];
		char what[120];
		const char *lv;

		if (!ysource_check_map(&L->y, it, "an indicator", keys))
			continue;
		idn = ysource_require(&L->y, it, "id", "this indicator");
		if (idn == NULL || (in->id = get_id(L, idn, "indicator id")) == NULL)
			continue;
		for (size_t k = 0; k < f->ninds; k++)
			if (strcmp(f->inds[k].id, in->id) == 0) {
				ERR(L, idn, "duplicate indicator id '%s' (first at line %u)", in->id, f->inds[k].line);
				free(in->id);
				in->id = NULL;
				break;
			}
		if (in->id == NULL)
			continue;
		in->line = it->line;
		in->col = it->col;
		f->ninds++;
		if ((n = ysource_require(&L->y, it, "level", "this indicator")) != NULL && (lv = ysource_text(&L->y, n, "level")) != NULL) {
			if (strcmp(lv, "strong") == 0)
				in->level = FORM_LEVEL_STRONG;
			else if (strcmp(lv, "medium") == 0)
				in->level = FORM_LEVEL_MEDIUM;
			else if (strcmp(lv, "weak") == 0)
				in->level = FORM_LEVEL_WEAK;
			else
				ERR(L, n, "unknown level '%.30s': use strong, medium or weak", lv);
		}
		snprintf(what, sizeof what, "the label of indicator '%s'", in->id);
		if ((n = ysource_require(&L->y, it, "label", "this indicator")) != NULL)
			get_label(L, n, what, &in->label);
		snprintf(what, sizeof what, "when of indicator '%s'", in->id);
		if ((n = ysource_require(&L->y, it, "when", "this indicator")) != NULL)
			in->when = get_expr(L, n, what, &in->when_pos);
	}
}

/* Outcomes and flags are written alike (id, label, advice, when,
 * referrals) and read by one function; their messages name which. */
struct rule_kind {
	const char *key;        /* "outcomes" */
	const char *noun;       /* "outcome" */
	const char *a_noun;     /* "an outcome" */
	size_t max;
};

static const struct rule_kind outcome_kind = {"outcomes", "outcome", "an outcome", MAX_OUTCOMES};
static const struct rule_kind flag_kind = {"flags", "flag", "a flag", MAX_FLAGS};

static void
rule_referrals(struct loader *L, const struct ynode *n, const struct rule_kind *kind,
    struct outcome *o)
{
	if (n->n > MAX_LIST_ITEMS) {
		ERR(L, n, "more than %d referrals in one %s", MAX_LIST_ITEMS, kind->noun);
		return;
	}
	o->ref_ids = calloc(n->n + 1, sizeof *o->ref_ids);
	o->ref_lines = calloc(n->n + 1, sizeof *o->ref_lines);
	o->ref_cols = calloc(n->n + 1, sizeof *o->ref_cols);
	o->refs = calloc(n->n + 1, sizeof *o->refs);
	if (!o->ref_ids || !o->ref_lines || !o->ref_cols || !o->refs) {
		L->y.nomem = true;
		return;
	}
	for (size_t k = 0; k < n->n; k++) {
		const struct ynode *r = n->kids[k];

		if (ysource_text(&L->y, r, "a referral id") == NULL)
			continue;
		o->ref_ids[o->nrefs] = ysource_strdup(&L->y, r->text);
		o->ref_lines[o->nrefs] = r->line;
		o->ref_cols[o->nrefs] = r->col;
		o->nrefs++;
	}
}

/* Reads the list seq of outcomes or flags into *out, *count. The last
 * outcome must hold always; flags are each evaluated on their own. */
static void
parse_rules(struct loader *L, const struct ynode *seq, const struct rule_kind *kind,
    struct outcome **out, size_t *count)
{
	static const char *const keys[] = {"id", "label", "advice", "when", "referrals", NULL};
	bool outcomes = kind == &outcome_kind;
	char this[40], idname[40];

	snprintf(this, sizeof this, "this %s", kind->noun);
	snprintf(idname, sizeof idname, "%s id", kind->noun);
	if (ysource_seq(&L->y, seq, kind->key, outcomes) == NULL)
		return;
	if (seq->n > kind->max) {
		ERR(L, seq, "more than %zu %s", kind->max, kind->key);
		return;
	}
	*out = calloc(seq->n + 1, sizeof **out);
	if (*out == NULL) {
		L->y.nomem = true;
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->kids[i], *idn, *n;
		struct outcome *o = &(*out)[*count];
		char what[120];

		if (!ysource_check_map(&L->y, it, kind->a_noun, keys))
			continue;
		idn = ysource_require(&L->y, it, "id", this);
		if (idn == NULL || (o->id = get_id(L, idn, idname)) == NULL)
			continue;
		for (size_t k = 0; k < *count; k++)
			if (strcmp((*out)[k].id, o->id) == 0) {
				ERR(L, idn, "duplicate %s id '%s' (first at line %u)", kind->noun, o->id,
				    (*out)[k].line);
				free(o->id);
				o->id = NULL;
				break;
			}
		if (o->id == NULL)
			continue;
		o->line = it->line;
		o->col = it->col;
		(*count)++;
		snprintf(what, sizeof what, "the label of %s '%s'", kind->noun, o->id);
		if ((n = ysource_require(&L->y, it, "label", this)) != NULL)
			get_label(L, n, what, &o->label);
		if ((n = ynode_get(it, "advice")) != NULL) {
			snprintf(what, sizeof what, "the advice of %s '%s'", kind->noun, o->id);
			o->has_advice = get_label(L, n, what, &o->advice);
		}
		snprintf(what, sizeof what, "when of %s '%s'", kind->noun, o->id);
		if ((n = ysource_require(&L->y, it, "when", this)) != NULL)
			o->when = get_expr(L, n, what, &o->when_pos);
		if (outcomes && i == seq->n - 1 && n && o->when && !expr_is_true(o->when))
			ERR(L, n, "the last outcome must have when: \"true()\" so that every interview gets an outcome (add a final catch-all outcome)");
		if ((n = ynode_get(it, "referrals")) != NULL && ysource_seq(&L->y, n, "referrals", false) != NULL)
			rule_referrals(L, n, kind, o);
		if (L->y.nomem)
			return;
	}
}

static void
parse_outcomes(struct loader *L, const struct ynode *root)
{
	const struct ynode *seq = ynode_get(root, "outcomes");
	struct form *f = L->f;

	if (seq == NULL) {
		const struct ynode *ind = ynode_get(root, "indicators");

		if (f->ninds > 0)
			ERR(L, ind, "a form with indicators needs outcomes: add outcomes: with a last one whose when is \"true()\"");
	} else {
		parse_rules(L, seq, &outcome_kind, &f->outs, &f->nouts);
	}
	if ((seq = ynode_get(root, "flags")) != NULL)
		parse_rules(L, seq, &flag_kind, &f->flags, &f->nflags);
}

/* ---- referrals file --------------------------------------------------- */

static char **
get_word_list(struct loader *L, const struct ynode *n, const char *what, size_t *count)
{
	char **out;

	*count = 0;
	if (ysource_seq(&L->y, n, what, false) == NULL)
		return NULL;
	if (n->n > MAX_LIST_ITEMS) {
		ERR(L, n, "%s has more than %d items", what, MAX_LIST_ITEMS);
		return NULL;
	}
	out = calloc(n->n + 1, sizeof *out);
	if (out == NULL) {
		L->y.nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < n->n; i++)
		if (ysource_text(&L->y, n->kids[i], what) != NULL)
			out[(*count)++] = ysource_strdup(&L->y, n->kids[i]->text);
	return out;
}

static void
parse_referrals(struct loader *L, const struct ynode *root)
{
	static const char *const top[] = {"referrals", NULL};
	static const char *const keys[] = {
		"id", "example", "emergency", "name", "contact", "services", "countries", NULL,
	};
	static const char *const services[] = {
		"shelter", "medical", "legal", "return", "police", "hotline", "general",
		"counselling", "counseling", "food", "interpretation", NULL,
	};
	struct form *f = L->f;
	const struct ynode *seq;

	if (!ysource_check_map(&L->y, root, "the referrals file", top))
		return;
	seq = ysource_require(&L->y, root, "referrals", "the referrals file");
	if (seq == NULL || ysource_seq(&L->y, seq, "referrals", false) == NULL)
		return;
	if (seq->n > MAX_REFERRALS) {
		ERR(L, seq, "more than %d referrals", MAX_REFERRALS);
		return;
	}
	f->refs = calloc(seq->n + 1, sizeof *f->refs);
	if (f->refs == NULL) {
		L->y.nomem = true;
		return;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const struct ynode *it = seq->kids[i], *idn, *n;
		struct referral *r = &f->refs[f->nrefs];
		char what[120];

		if (!ysource_check_map(&L->y, it, "a referral", keys))
			continue;
		idn = ysource_require(&L->y, it, "id", "this referral");
		if (idn == NULL || (r->id = get_id(L, idn, "referral id")) == NULL)
			continue;
		for (size_t k = 0; k < f->nrefs; k++)
			if (strcmp(f->refs[k].id, r->id) == 0) {
				ERR(L, idn, "duplicate referral id '%s'", r->id);
				free(r->id);
				r->id = NULL;
				break;
			}
		if (r->id == NULL)
			continue;
		f->nrefs++;
		snprintf(what, sizeof what, "the name of referral '%s'", r->id);
		if ((n = ysource_require(&L->y, it, "name", "this referral")) != NULL)
			get_label(L, n, what, &r->name);
		if ((n = ynode_get(it, "contact")) != NULL && ysource_text(&L->y, n, "contact") != NULL)
			r->contact = ysource_strdup(&L->y, n->text);
		if ((n = ynode_get(it, "emergency")) != NULL)
			get_bool(L, n, "emergency", &r->emergency);
		if ((n = ynode_get(it, "example")) != NULL)
			get_bool(L, n, "example", &r->example);
		if ((n = ynode_get(it, "services")) != NULL) {
			r->services = get_word_list(L, n, "services", &r->nservices);
			for (size_t k = 0; k < r->nservices; k++) {
				size_t s;

				for (s = 0; services[s]; s++)
					if (strcmp(services[s], r->services[k]) == 0)
						break;
				if (services[s] == NULL)
					ysource_warning(&L->y, n->kids[k]->line, n->kids[k]->col,
					    "unknown service '%.30s' (known: shelter, medical, legal, return, police, hotline, general)",
					    r->services[k]);
			}
		}
		if ((n = ynode_get(it, "countries")) != NULL) {
			r->countries = get_word_list(L, n, "countries", &r->ncountries);
			for (size_t k = 0; k < r->ncountries; k++) {
				const char *c = r->countries[k];

				if (strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z')
					ERR(L, n->kids[k], "'%.20s' is not a country code: use two capital letters such as LA, TH or CN", c);
			}
		}
	}
}

/* Reads at most FORM_MAX_BYTES + 1 bytes so a huge file is refused without
 * being read whole. */
static enum status
read_file(const char *path, char **out, size_t *len, int *err)
{
	struct stat st;
	char *buf = NULL;
	size_t cap, n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	*len = 0;
	if (fd < 0) {
		*err = errno;
		return ST_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		return ST_IO;
	}
	cap = (size_t)st.st_size < FORM_MAX_BYTES ? (size_t)st.st_size + 1 : FORM_MAX_BYTES + 2;
	buf = malloc(cap + 1);
	if (buf == NULL) {
		close(fd);
		return ST_NOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = errno;
			free(buf);
			close(fd);
			return ST_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			if (cap > FORM_MAX_BYTES)
				break;
			/* The file grew since fstat; read on up to the limit. */
			char *nb = realloc(buf, (cap = FORM_MAX_BYTES + 2) + 1);

			if (nb == NULL) {
				free(buf);
				close(fd);
				return ST_NOMEM;
			}
			buf = nb;
		}
	}
	close(fd);
	/* Report the real size of a file too big to read whole. */
	*len = n > FORM_MAX_BYTES && (size_t)st.st_size > n ? (size_t)st.st_size : n;
	buf[n < cap ? n : cap] = '\0';
	*out = buf;
	return ST_OK;
}

/* A form may come from anywhere (a USB stick, a colleague): its referrals
 * path must stay inside the form's folder. */
static bool
safe_relative(const char *p)
{
	if (p[0] == '/' || p[0] == '\0')
		return false;
	for (const char *s = p; *s; ) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n;
		if (*s == '/')
			s++;
	}
	return true;
}

static void
load_referrals(struct loader *L, const char *ref_name, const char *ref_buf, size_t ref_len)
{
	const struct ynode *rn = L->ref_node;
	const char *form_file = L->y.file;
	char *path = NULL, *buf = NULL;
	struct ynode *root = NULL;
	size_t len = ref_len;
	int e = 0;

	if (rn == NULL || ysource_text(&L->y, rn, "referrals") == NULL)
		return;
	if (!safe_relative(rn->text)) {
		ERR(L, rn, "referrals must name a file in the form's folder or below it, like referrals.yaml (no '/' at the start, no '..')");
		return;
	}
	if (ref_buf != NULL) {
		path = ysource_strdup(&L->y, ref_name ? ref_name : rn->text);
		buf = malloc(ref_len + 1);
		if (path == NULL || buf == NULL) {
			L->y.nomem = true;
			goto out;
		}
		memcpy(buf, ref_buf, ref_len);
		buf[ref_len] = '\0';
	} else {
		const char *slash = strrchr(L->f->name, '/');
		size_t dlen = slash ? (size_t)(slash - L->f->name) + 1 : 0;
		enum status st;

		path = malloc(dlen + rn->len + 1);
		if (path == NULL) {
			L->y.nomem = true;
			goto out;
		}
		memcpy(path, L->f->name, dlen);
		memcpy(path + dlen, rn->text, rn->len + 1);
		st = read_file(path, &buf, &len, &e);
		if (st == ST_NOMEM) {
			L->y.nomem = true;
			goto out;
		}
		if (st != ST_OK) {
			ERR(L, rn, "cannot read the referrals file %s: %s", path, strerror(e));
			goto out;
		}
	}
	L->y.file = path;
	L->noun = "referrals file";
	if (precheck(L, buf, len) && (root = yaml_tree(L, buf, len)) != NULL) {
		parse_referrals(L, root);
		L->ref_ok = true;
	}
	L->y.file = form_file;
	L->noun = "form";
	if (len <= FORM_MAX_BYTES) {
		L->f->ref_source = buf;
		L->f->ref_len = len;
		buf = NULL;
	}
out:
	ynode_free(root);
	free(buf);
	free(path);
}

static void
parse_form(struct loader *L, const struct ynode *root)
{
	static const char *const keys[] = {
		"id", "version", "title", "languages", "referrals", "settings",
		"choices", "sections", "indicators", "outcomes", "flags", NULL,
	};
	static const char *const settings_keys[] = {"max_text_length", NULL};
	struct form *f = L->f;
	const struct ynode *n;

	if (root->kind != Y_MAP) {
		ERR(L, root, "a form is a mapping of fields (id:, version:, languages:, sections:, ...), not %s",
		    ynode_kind_name(root->kind));
		return;
	}
	ysource_check_map(&L->y, root, "the form", keys);
	parse_languages(L, root);
	if ((n = ysource_require(&L->y, root, "id", "the form")) != NULL)
		f->id = get_id(L, n, "form id");
	if ((n = ysource_require(&L->y, root, "version", "the form")) != NULL && ysource_text(&L->y, n, "version") != NULL) {
		if (n->len > 32 || strpbrk(n->text, " \t\n\"\\") != NULL)
			ERR(L, n, "version '%.40s' must be short and without spaces, like \"1.0\"", n->text);
		else
			f->version = ysource_strdup(&L->y, n->text);
	}
	if (f->nlangs == 0)
		return;         /* labels cannot be read without languages */
	if ((n = ynode_get(root, "title")) != NULL)
		f->has_title = get_label(L, n, "the form title", &f->title);
	f->max_text = FORM_DEFAULT_TEXT;
	if ((n = ynode_get(root, "settings")) != NULL && ysource_check_map(&L->y, n, "settings", settings_keys)) {
		const struct ynode *m = ynode_get(n, "max_text_length");

		if (m)
			get_count(L, m, "max_text_length", FORM_MAX_TEXT, &f->max_text);
	}
	if ((L->ref_node = ynode_get(root, "referrals")) != NULL)
		L->ref_given = true;
	parse_choices(L, root);
	if (L->y.nomem)
		return;
	apply_yes_no_list(L, ynode_get(root, "choices"));
	parse_sections(L, root);
	parse_indicators(L, root);
	parse_outcomes(L, root);
}

/* ---- loading ---------------------------------------------------------- */

static int
diag_order(const struct diag *a, const struct diag *b, const char *form_file)
{
	bool fa = strcmp(a->file, form_file) == 0, fb = strcmp(b->file, form_file) == 0;
	unsigned la = a->line ? a->line : ~0u, lb = b->line ? b->line : ~0u;

	if (fa != fb)
		return fa ? -1 : 1;
	if (la != lb)
		return la < lb ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

/* Sorts the entries added by this load by file (the form first) and
 * position, keeping the order of equal positions: users read them top down. */
static void
sort_diags(struct diag_list *dl, size_t from, const char *form_file)
{
	for (size_t i = from + 1; i < dl->count; i++) {
		struct diag d = dl->items[i];
		size_t j = i;

		while (j > from && diag_order(&dl->items[j - 1], &d, form_file) > 0) {
			dl->items[j] = dl->items[j - 1];
			j--;
		}
		dl->items[j] = d;
	}
}

static void
clist_free(struct clist *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		free(cl->items[i].value);
		label_free(&cl->items[i].label);
	}
	free(cl->items);
	free(cl->values);
	free(cl->name);
}

static void
rules_free(struct outcome *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct outcome *o = &rules[i];

		free(o->id);
		label_free(&o->label);
		label_free(&o->advice);
		expr_free(o->when);
		for (size_t k = 0; k < o->nrefs; k++)
			free(o->ref_ids[k]);
		free(o->ref_ids);
		free(o->ref_lines);
		free(o->ref_cols);
		free(o->refs);
	}
	free(rules);
}

void
form_free(struct form *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nquestions; i++) {
		struct question *q = &f->questions[i];

		free(q->id);
		free(q->report);
		label_free(&q->label);
		label_free(&q->hint);
		label_free(&q->cmsg);
		expr_free(q->relevant);
		expr_free(q->constraint);
		expr_free(q->calculation);
	}
	free(f->questions);
	for (size_t i = 0; i < f->nsections; i++) {
		free(f->sections[i].id);
		label_free(&f->sections[i].title);
		expr_free(f->sections[i].relevant);
	}
	free(f->sections);
	for (size_t i = 0; i < f->nlists; i++)
		clist_free(&f->lists[i]);
	free(f->lists);
	for (size_t i = 0; i < f->ninds; i++) {
		free(f->inds[i].id);
		label_free(&f->inds[i].label);
		expr_free(f->inds[i].when);
	}
	free(f->inds);
	rules_free(f->outs, f->nouts);
	rules_free(f->flags, f->nflags);
	for (size_t i = 0; i < f->nrefs; i++) {
		struct referral *r = &f->refs[i];

		free(r->id);
		label_free(&r->name);
		free(r->contact);
		for (size_t k = 0; k < r->nservices; k++)
			free(r->services[k]);
		free(r->services);
		for (size_t k = 0; k < r->ncountries; k++)
			free(r->countries[k]);
		free(r->countries);
	}
	free(f->refs);
	for (size_t i = 0; i < f->nlangs; i++) {
		free(f->langs[i].code);
		free(f->langs[i].name);
	}
	label_free(&f->title);
	free(f->order);
	free(f->source);
	free(f->ref_source);
	free(f->id);
	free(f->version);
	free(f->name);
	free(f);
}

/*
 * The whole check, in an order that keeps messages useful: file-level
 * problems stop everything (nothing after them would be reliable), YAML
 * syntax stops the rest, and from there on every stage runs even after
 * errors so that one pass reports everything.
 */
enum status
form_load_buffers(const char *name, const char *buf, size_t len,
    const char *ref_name, const char *ref_buf, size_t ref_len,
    struct form **out, struct diag_list *diags)
{
	struct diag_list local;
	struct loader L;
	struct ynode *root = NULL;
	struct form *f;
	size_t errors0, errors1, count0;
	enum status st;

	*out = NULL;
	if (diags == NULL) {
		diag_list_init(&local);
		diags = &local;
	}
	errors0 = diags->errors;
	count0 = diags->count;
	memset(&L, 0, sizeof L);
	L.y.dl = diags;
	L.y.file = name;
	L.noun = "form";
	f = L.f = calloc(1, sizeof *f);
	if (f == NULL) {
		st = ST_NOMEM;
		goto out;
	}
	f->name = ysource_strdup(&L.y, name);
	if (f->name == NULL)
		goto done;
	if (!precheck(&L, buf, len))
		goto done;
	f->source = malloc(len + 1);
	if (f->source == NULL) {
		L.y.nomem = true;
		goto done;
	}
	memcpy(f->source, buf, len);
	f->source[len] = '\0';
	f->source_len = len;
	root = yaml_tree(&L, f->source, len);
	if (root == NULL)
		goto done;
	parse_form(&L, root);
	if (L.y.nomem || f->nlangs == 0)
		goto done;
	if (L.ref_given)
		load_referrals(&L, ref_name, ref_buf, ref_len);
	if (L.y.nomem)
		goto done;
	form_resolve_referrals(&L);
	form_check_expressions(&L);
	form_check_consent(&L, ynode_get(root, "sections"));
	/* Expressions that failed their check contribute no edges. */
	errors1 = diags->errors;
	form_check_cycles(&L);
	/* A cycle always reads forward somewhere: reported once, as a cycle. */
	if (!L.y.nomem && diags->errors == errors1)
		form_check_order(&L);
	form_report_missing_translations(&L);
done:
	ynode_free(root);
	sort_diags(diags, count0, name);
	if (L.y.nomem)
		st = ST_NOMEM;
	else if (diags->errors > errors0)
		st = ST_INVALID;
	else
		st = ST_OK;
	if (st == ST_OK)
		*out = f;
	else
		form_free(f);
out:
	if (diags == &local)
		diag_list_free(&local);
	return st;
}

enum status
form_load_buffer(const char *name, const char *buf, size_t len,
    struct form **out, struct diag_list *diags)
{
	return form_load_buffers(name, buf, len, NULL, NULL, 0, out, diags);
}

enum status
form_load_file(const char *path, struct form **out, struct diag_list *diags)
{
	char *buf = NULL;
	size_t len = 0;
	int e = 0;
	enum status st;

	*out = NULL;
	st = read_file(path, &buf, &len, &e);
	if (st == ST_IO) {
		if (diags)
			diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read the form: %s", strerror(e));
		return ST_IO;
	}
	if (st != ST_OK)
		return st;
	if (len > FORM_MAX_BYTES) {
		struct loader L;
		struct diag_list local;

		memset(&L, 0, sizeof L);
		L.y.dl = diags;
		L.y.file = path;
		L.noun = "form";
		if (diags == NULL) {
			diag_list_init(&local);
			L.y.dl = &local;
		}
		precheck(&L, buf, len);
		if (diags == NULL)
			diag_list_free(&local);
		free(buf);
		return ST_INVALID;
	}
	st = form_load_buffer(path, buf, len, out, diags);
	free(buf);
	return st;
}

enum form_file_kind
form_file_kind(const char *buf, size_t len)
{
	static const char *const keys[] = {"referrals", "sections", "scenario", "persona", NULL};
	unsigned seen = ytree_top_keys(buf, len, keys);

	if ((seen & 1u) && !(seen & 2u))
		return FORM_FILE_REFERRALS;
	if (seen & (4u | 8u))
		return FORM_FILE_SCENARIO;
	return FORM_FILE_FORM;
}

enum form_file_kind
form_file_kind_path(const char *path)
{
	enum form_file_kind kind = FORM_FILE_FORM;
	char *buf;
	size_t len;
	int e;

	if (read_file(path, &buf, &len, &e) != ST_OK)
		return FORM_FILE_FORM;
	if (len <= FORM_MAX_BYTES)
		kind = form_file_kind(buf, len);
	free(buf);
	return kind;
}

/* ---- accessors -------------------------------------------------------- */

#define Q(f, q) ((q) < (f)->nquestions)

const char *form_id(const struct form *f) { return f->id; }
const char *form_version(const struct form *f) { return f->version; }
const char *form_name(const struct form *f) { return f->name; }
size_t form_max_text_length(const struct form *f) { return f->max_text; }

const char *
form_title(const struct form *f, size_t lang)
{
	return f->has_title ? label_text(f, &f->title, lang) : f->id;
}

const char *
form_source(const struct form *f, size_t *len)
{
	if (len)
		*len = f->source_len;
	return f->source;
}

const char *
form_referrals_source(const struct form *f, size_t *len)
{
	if (len)
		*len = f->ref_len;
	return f->ref_source;
}

enum status
form_set_hash(struct form *f, const char *hex)
{
	size_t n = strlen(hex);

	if (n == 0 || n > FORM_HASH_HEX_MAX || strspn(hex, "0123456789abcdefABCDEF") != n)
		return ST_INVALID;
	memcpy(f->hash, hex, n + 1);
	return ST_OK;
}

const char *form_hash(const struct form *f) { return f->hash; }

size_t form_lang_count(const struct form *f) { return f->nlangs; }

const char *
form_lang_code(const struct form *f, size_t lang)
{
	return lang < f->nlangs ? f->langs[lang].code : NULL;
}

const char *
form_lang_name(const struct form *f, size_t lang)
{
	return lang < f->nlangs ? f->langs[lang].name : NULL;
}

enum form_lang_status
form_lang_status(const struct form *f, size_t lang)
{
	return lang < f->nlangs ? f->langs[lang].status : FORM_LANG_DRAFT;
}

int
form_lang_find(const struct form *f, const char *code)
{
	return code ? lang_index(f, code) : -1;
}

size_t
form_lang_match(const struct form *f, const char *code)
{
	size_t n = code ? strlen(code) : 0;
	int exact = n ? lang_index(f, code) : -1;

	if (exact >= 0)
		return (size_t)exact;
	for (size_t i = 0; n && i < f->nlangs; i++)
		if (strncmp(f->langs[i].code, code, n) == 0 && f->langs[i].code[n] == '-')
			return i;
	return 0;
}

size_t form_section_count(const struct form *f) { return f->nsections; }

const char *
form_section_id(const struct form *f, size_t s)
{
	return s < f->nsections ? f->sections[s].id : NULL;
}

const char *
form_section_title(const struct form *f, size_t s, size_t lang)
{
	return s < f->nsections ? label_text(f, &f->sections[s].title, lang) : NULL;
}

size_t
form_section_first(const struct form *f, size_t s)
{
	return s < f->nsections ? f->sections[s].first : 0;
}

size_t
form_section_size(const struct form *f, size_t s)
{
	return s < f->nsections ? f->sections[s].count : 0;
}

const struct expr *
form_section_relevant(const struct form *f, size_t s)
{
	return s < f->nsections ? f->sections[s].relevant : NULL;
}

int
form_section_find(const struct form *f, const char *id)
{
	for (size_t s = 0; s < f->nsections; s++)
		if (strcmp(f->sections[s].id, id) == 0)
			return (int)s;
	return -1;
}

size_t form_question_count(const struct form *f) { return f->nquestions; }

int
form_question_find(const struct form *f, const char *id)
{
	return id ? question_index(f, id) : -1;
}

const char *
form_question_id(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].id : NULL;
}

enum form_qtype
form_question_type(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].type : FORM_NOTE;
}

size_t
form_question_section(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].section : 0;
}

const char *
form_question_label(const struct form *f, size_t q, size_t lang)
{
	return Q(f, q) ? label_text(f, &f->questions[q].label, lang) : NULL;
}

const char *
form_question_hint(const struct form *f, size_t q, size_t lang)
{
	return Q(f, q) && f->questions[q].has_hint ? label_text(f, &f->questions[q].hint, lang) : NULL;
}

bool
form_question_required(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].required : false;
}

const struct expr *
form_question_relevant(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].relevant : NULL;
}

const struct expr *
form_question_constraint(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].constraint : NULL;
}

const struct expr *
form_question_calculation(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].calculation : NULL;
}

const char *
form_question_constraint_message(const struct form *f, size_t q, size_t lang)
{
	return Q(f, q) && f->questions[q].has_cmsg ? label_text(f, &f->questions[q].cmsg, lang) : NULL;
}

int
form_question_choices(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].list : -1;
}

size_t
form_question_max_length(const struct form *f, size_t q)
{
	return Q(f, q) && f->questions[q].type == FORM_TEXT ? f->questions[q].max_length : 0;
}

enum form_consent
form_question_consent(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].consent : FORM_CONSENT_NONE;
}

bool
form_question_keep_without_consent(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].keep : false;
}

const char *
form_question_report(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].report : NULL;
}

unsigned
form_question_line(const struct form *f, size_t q)
{
	return Q(f, q) ? f->questions[q].line : 0;
}

int
form_consent_question(const struct form *f, enum form_consent kind)
{
	if (kind == FORM_CONSENT_NONE)
		return -1;
	for (size_t q = 0; q < f->nquestions; q++)
		if (f->questions[q].consent == kind)
			return (int)q;
	return -1;
}

size_t form_choice_list_count(const struct form *f) { return f->nlists; }

const char *
form_choice_list_name(const struct form *f, size_t list)
{
	return list < f->nlists ? f->lists[list].name : NULL;
}

int
form_choice_list_find(const struct form *f, const char *name)
{
	return name ? list_find(f, name) : -1;
}

size_t
form_choice_count(const struct form *f, size_t list)
{
	return list < f->nlists ? f->lists[list].n : 0;
}

const char *
form_choice_value(const struct form *f, size_t list, size_t i)
{
	return list < f->nlists && i < f->lists[list].n ? f->lists[list].items[i].value : NULL;
}

const char *
form_choice_label(const struct form *f, size_t list, size_t i, size_t lang)
{
	return list < f->nlists && i < f->lists[list].n ?
	    label_text(f, &f->lists[list].items[i].label, lang) : NULL;
}

int
form_choice_find(const struct form *f, size_t list, const char *value, size_t len)
{
	if (list >= f->nlists)
		return -1;
	for (size_t i = 0; i < f->lists[list].n; i++) {
		const char *v = f->lists[list].items[i].value;

		if (strlen(v) == len && memcmp(v, value, len) == 0)
			return (int)i;
	}
	return -1;
}

size_t form_indicator_count(const struct form *f) { return f->ninds; }

const char *
form_indicator_id(const struct form *f, size_t i)
{
	return i < f->ninds ? f->inds[i].id : NULL;
}

enum form_level
form_indicator_level(const struct form *f, size_t i)
{
	return i < f->ninds ? f->inds[i].level : FORM_LEVEL_WEAK;
}

const char *
form_indicator_label(const struct form *f, size_t i, size_t lang)
{
	return i < f->ninds ? label_text(f, &f->inds[i].label, lang) : NULL;
}

const struct expr *
form_indicator_when(const struct form *f, size_t i)
{
	return i < f->ninds ? f->inds[i].when : NULL;
}

int
form_indicator_find(const struct form *f, const char *id)
{
	for (size_t i = 0; id && i < f->ninds; i++)
		if (strcmp(f->inds[i].id, id) == 0)
			return (int)i;
	return -1;
}

const char *
form_level_name(enum form_level level)
{
	switch (level) {
	case FORM_LEVEL_STRONG: return "strong";
	case FORM_LEVEL_MEDIUM: return "medium";
	case FORM_LEVEL_WEAK: return "weak";
	}
	return "weak";
}

size_t form_outcome_count(const struct form *f) { return f->nouts; }

const char *
form_outcome_id(const struct form *f, size_t o)
{
	return o < f->nouts ? f->outs[o].id : NULL;
}

const char *
form_outcome_label(const struct form *f, size_t o, size_t lang)
{
	return o < f->nouts ? label_text(f, &f->outs[o].label, lang) : NULL;
}

const char *
form_outcome_advice(const struct form *f, size_t o, size_t lang)
{
	return o < f->nouts && f->outs[o].has_advice ? label_text(f, &f->outs[o].advice, lang) : NULL;
}

const struct expr *
form_outcome_when(const struct form *f, size_t o)
{
	return o < f->nouts ? f->outs[o].when : NULL;
}

size_t
form_outcome_referral_count(const struct form *f, size_t o)
{
	return o < f->nouts ? f->outs[o].nrefs : 0;
}

size_t
form_outcome_referral(const struct form *f, size_t o, size_t k)
{
	return o < f->nouts && k < f->outs[o].nrefs ? f->outs[o].refs[k] : 0;
}

int
form_outcome_find(const struct form *f, const char *id)
{
	for (size_t o = 0; id && o < f->nouts; o++)
		if (strcmp(f->outs[o].id, id) == 0)
			return (int)o;
	return -1;
}

size_t form_flag_count(const struct form *f) { return f->nflags; }

const char *
form_flag_id(const struct form *f, size_t i)
{
	return i < f->nflags ? f->flags[i].id : NULL;
}

const char *
form_flag_label(const struct form *f, size_t i, size_t lang)
{
	return i < f->nflags ? label_text(f, &f->flags[i].label, lang) : NULL;
}

const char *
form_flag_advice(const struct form *f, size_t i, size_t lang)
{
	return i < f->nflags && f->flags[i].has_advice ? label_text(f, &f->flags[i].advice, lang) : NULL;
}

const struct expr *
form_flag_when(const struct form *f, size_t i)
{
	return i < f->nflags ? f->flags[i].when : NULL;
}

size_t
form_flag_referral_count(const struct form *f, size_t i)
{
	return i < f->nflags ? f->flags[i].nrefs : 0;
}

size_t
form_flag_referral(const struct form *f, size_t i, size_t k)
{
	return i < f->nflags && k < f->flags[i].nrefs ? f->flags[i].refs[k] : 0;
}

int
form_flag_find(const struct form *f, const char *id)
{
	for (size_t i = 0; id && i < f->nflags; i++)
		if (strcmp(f->flags[i].id, id) == 0)
			return (int)i;
	return -1;
}

size_t form_referral_count(const struct form *f) { return f->nrefs; }

const char *
form_referral_id(const struct form *f, size_t r)
{
	return r < f->nrefs ? f->refs[r].id : NULL;
}

const char *
form_referral_name(const struct form *f, size_t r, size_t lang)
{
	return r < f->nrefs ? label_text(f, &f->refs[r].name, lang) : NULL;
}

const char *
form_referral_contact(const struct form *f, size_t r)
{
	return r < f->nrefs && f->refs[r].contact ? f->refs[r].contact : "";
}

bool
form_referral_emergency(const struct form *f, size_t r)
{
	return r < f->nrefs && f->refs[r].emergency;
}

bool
form_referral_example(const struct form *f, size_t r)
{
	return r < f->nrefs && f->refs[r].example;
}

size_t
form_referral_service_count(const struct form *f, size_t r)
{
	return r < f->nrefs ? f->refs[r].nservices : 0;
}

const char *
form_referral_service(const struct form *f, size_t r, size_t k)
{
	return r < f->nrefs && k < f->refs[r].nservices ? f->refs[r].services[k] : NULL;
}

size_t
form_referral_country_count(const struct form *f, size_t r)
{
	return r < f->nrefs ? f->refs[r].ncountries : 0;
}

const char *
form_referral_country(const struct form *f, size_t r, size_t k)
{
	return r < f->nrefs && k < f->refs[r].ncountries ? f->refs[r].countries[k] : NULL;
}

int
form_referral_find(const struct form *f, const char *id)
{
	for (size_t r = 0; id && r < f->nrefs; r++)
		if (strcmp(f->refs[r].id, id) == 0)
			return (int)r;
	return -1;
}

size_t
form_eval_order(const struct form *f, const int **order)
{
	*order = f->order;
	return f->norder;
}

const char *
form_qtype_name(enum form_qtype t)
{
	return (size_t)t < sizeof qtype_names / sizeof qtype_names[0] ? qtype_names[t] : "?";
}

int
form_source_id_version(const char *src, size_t len, char *id, size_t idlen, char *ver,
    size_t verlen)
{
	struct yproblem why;
	struct ynode *root = ytree_parse(src, len, YTREE_MAX_DEPTH, &why);
	struct ynode *i = ynode_get(root, "id"), *v = ynode_get(root, "version");
	int ok = i != NULL && v != NULL && i->kind == Y_SCALAR && v->kind == Y_SCALAR;

	if (ok) {
		snprintf(id, idlen, "%s", i->text);
		snprintf(ver, verlen, "%s", v->text);
	}
	ynode_free(root);
	return ok;
}
