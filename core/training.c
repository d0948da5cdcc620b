/*
 * training.c — scenarios for mock screenings: loading, checking against the
 * form through the interview engine, and the role-player's card.
 * The debrief lives in training_debrief.c; texts shared by both are in
 * training_text.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "training.h"
#include "training_int.h"
#include "ytree.h"

#define MAX_YAML_DEPTH 16

/* ---- reading the file --------------------------------------------------- */

struct loader {
	struct ysource y;
	size_t base;            /* errors already in y.dl before this file */
};

/* Errors found in this file so far. */
static size_t
errors(const struct loader *L)
{
	return L->y.dl->errors - L->base;
}

/* What YAML would report badly or not at all: size, emptiness, encoding,
 * NUL bytes, tabs used for indentation. */
static bool
file_ok(struct loader *L, const char *buf, size_t len)
{
	if (len > TRAINING_MAX_BYTES) {
		ysource_error(&L->y, 0, 0, "scenario is %zu bytes; the limit is 1 MiB: shorten the texts", len);
		return false;
	}
	if (ytree_blank(buf, len)) {
		ysource_error(&L->y, 0, 0, "scenario file is empty: it starts with scenario:, form:, "
		    "languages:, title: and persona: (see forms/README.md)");
		return false;
	}
	return ysource_precheck(&L->y, buf, len);
}

/* The scenario's document as a tree, or NULL (after an error unless the file
 * holds only comments). */
static struct ynode *
yaml_read(struct loader *L, const char *buf, size_t len)
{
	struct yproblem why;
	struct ynode *root = ytree_parse(buf, len, MAX_YAML_DEPTH, &why);

	ysource_problem(&L->y, &why, "scenario", MAX_YAML_DEPTH);
	return root;
}

bool
training_is_scenario(const char *buf, size_t len)
{
	return len <= TRAINING_MAX_BYTES && form_file_kind(buf, len) == FORM_FILE_SCENARIO;
}

/* Reads a whole regular file of at most max bytes. ST_IO with errno kept,
 * ST_FULL when larger than max (len then holds the size). */
static enum status
slurp(const char *path, size_t max, char **out, size_t *len)
{
	struct stat sb;
	FILE *f;
	char *buf;
	size_t n;

	*out = NULL;
	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return ST_IO;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (errno == 0 || S_ISDIR(sb.st_mode))
			errno = EISDIR;
		fclose(f);
		return ST_IO;
	}
	if ((size_t)sb.st_size > max) {
		*len = (size_t)sb.st_size;
		fclose(f);
		return ST_FULL;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		fclose(f);
		return ST_NOMEM;
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return ST_IO;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return ST_OK;
}

bool
training_is_scenario_file(const char *path)
{
	char *buf;
	size_t len;
	bool yes;

	if (slurp(path, TRAINING_MAX_BYTES, &buf, &len) != ST_OK)
		return false;
	yes = training_is_scenario(buf, len);
	free(buf);
	return yes;
}

/* ---- the scenario ------------------------------------------------------ */

/* A text in each of the scenario's languages (index = scenario language). */
struct ltext {
	char *t[FORM_MAX_LANGS];
};

struct fact {
	size_t q;
	char *id;
	char *answer;           /* canonical, as the engine stores it */
	unsigned line, col;     /* of the key */
	struct ynode *value;    /* during loading only */
};

struct training_scenario {
	char *name, *id, *version, *form_id;
	struct form *form;
	size_t nlang;
	char *lang[FORM_MAX_LANGS];
	bool draft[FORM_MAX_LANGS];
	struct ltext title, card[4];
	struct ltext *asked, *points;
	size_t nasked, npoints;
	struct fact *facts;
	size_t nfacts;
	size_t *expected;
	size_t nexpected;
	size_t outcome;
	bool *raises;           /* per form flag: the facts raise it */
	unsigned minutes;
};

static void
ltext_free(struct ltext *t)
{
	for (size_t i = 0; i < FORM_MAX_LANGS; i++)
		free(t->t[i]);
}

void
training_free(struct training_scenario *sc)
{
	if (sc == NULL)
		return;
	free(sc->name);
	free(sc->id);
	free(sc->version);
	free(sc->form_id);
	form_free(sc->form);
	for (size_t i = 0; i < sc->nlang; i++)
		free(sc->lang[i]);
	ltext_free(&sc->title);
	for (size_t i = 0; i < 4; i++)
		ltext_free(&sc->card[i]);
	for (size_t i = 0; i < sc->nasked; i++)
		ltext_free(&sc->asked[i]);
	free(sc->asked);
	for (size_t i = 0; i < sc->npoints; i++)
		ltext_free(&sc->points[i]);
	free(sc->points);
	for (size_t i = 0; i < sc->nfacts; i++) {
		free(sc->facts[i].id);
		free(sc->facts[i].answer);
	}
	free(sc->facts);
	free(sc->expected);
	free(sc->raises);
	free(sc);
}

/* Close-enough candidate for a misspelt id, or NULL. */
static const char *
nearest(const char *word, const char *(*name)(const struct form *, size_t),
    const struct form *f, size_t count)
{
	const char *best = NULL;
	size_t bd = SIZE_MAX, wl = strlen(word), limit = wl / 3 > 2 ? wl / 3 : 2;

	for (size_t i = 0; i < count; i++) {
		const char *cand = name(f, i);
		size_t cl = strlen(cand), gap = wl > cl ? wl - cl : cl - wl, d = SIZE_MAX;

		/* No hint across more than 8 characters of difference in length. */
		if (wl <= TRAINING_ID_MAX && cl <= TRAINING_ID_MAX && gap <= 8)
			d = ytree_distance(word, cand);

		/* A shortened id ("retained_docs") is as good a guess as a typo. */
		if (wl >= 5 && cl > wl && strncmp(cand, word, wl - 1) == 0)
			d = 1;
		if (d < bd) {
			bd = d;
			best = cand;
		}
	}
	return bd <= limit ? best : NULL;
}

static const char *
question_name(const struct form *f, size_t i)
{
	return form_question_id(f, i);
}

static const char *
indicator_name(const struct form *f, size_t i)
{
	return form_indicator_id(f, i);
}

static const char *
outcome_name(const struct form *f, size_t i)
{
	return form_outcome_id(f, i);
}

/* "a, b, c" of count names into buf (cut with "..." when long). */
static const char *
name_list(char *buf, size_t size, const char *(*name)(const struct form *, size_t),
    const struct form *f, size_t count)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name(f, i));

		if (n < 0 || (size_t)n >= size - used) {
			if (size > 4)
				memcpy(buf + size - 4, "...", 4);
			break;
		}
		used += (size_t)n;
	}
	return buf;
}

static int
lang_index(const struct training_scenario *sc, const char *code)
{
	for (size_t i = 0; code != NULL && i < sc->nlang; i++)
		if (strcmp(sc->lang[i], code) == 0)
			return (int)i;
	return -1;
}

/* A text per language: {en: "...", lo: "..."}. A missing language is an error
 * for a reviewed language and a warning for a draft one (the default
 * language's text stands in). */
static void
read_ltext(struct loader *L, struct training_scenario *sc, const struct ynode *n,
    const char *what, struct ltext *out)
{
	if (!ysource_want(&L->y, n, Y_MAP, what))
		return;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
		int li;

		if (k->kind != Y_SCALAR || (li = lang_index(sc, k->text)) < 0) {
			ysource_error(&L->y, k->line, k->col, "%s: '%s' is not a language of this scenario "
			    "(declare it under languages:)", what, k->kind == Y_SCALAR ? k->text : "?");
			continue;
		}
		if (out->t[li] != NULL) {
			ysource_error(&L->y, k->line, k->col, "%s: language '%s' given twice", what, k->text);
			continue;
		}
		if (ysource_text(&L->y, v, what) != NULL)
			out->t[li] = ysource_strdup(&L->y, v->text);
	}
	for (size_t li = 0; li < sc->nlang; li++) {
		if (out->t[li] != NULL)
			continue;
		if (sc->draft[li] && li > 0)
			ysource_warning(&L->y, n->line, n->col, "%s has no '%s' text (draft): the '%s' text is shown "
			    "instead", what, sc->lang[li], sc->lang[0]);
		else if (li == 0)
			ysource_error(&L->y, n->line, n->col, "%s has no '%s' text: the first language is the "
			    "default and every text needs it", what, sc->lang[0]);
		else
			ysource_error(&L->y, n->line, n->col, "%s has no '%s' text: every reviewed language "
			    "needs one", what, sc->lang[li]);
	}
}

/* A list of texts per language. */
static void
read_ltext_list(struct loader *L, struct training_scenario *sc, const struct ynode *n,
    const char *what, struct ltext **out, size_t *count)
{
	if (!ysource_want(&L->y, n, Y_SEQ, what))
		return;
	if (n->n > TRAINING_MAX_ITEMS) {
		ysource_error(&L->y, n->line, n->col, "%s: %zu entries; the limit is %d", what, n->n,
		    TRAINING_MAX_ITEMS);
		return;
	}
	if ((*out = calloc(n->n ? n->n : 1, sizeof **out)) == NULL) {
		L->y.nomem = true;
		return;
	}
	*count = n->n;
	for (size_t i = 0; i < n->n; i++)
		read_ltext(L, sc, n->kids[i], what, &(*out)[i]);
}

static void
read_languages(struct loader *L, struct training_scenario *sc, const struct ynode *n)
{
	if (!ysource_want(&L->y, n, Y_SEQ, "languages"))
		return;
	if (n->n == 0 || n->n > FORM_MAX_LANGS) {
		ysource_error(&L->y, n->line, n->col, "languages: list 1 to %d languages, the first being "
		    "the default", FORM_MAX_LANGS);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *e = n->kids[i], *code = NULL, *status = NULL;

		if (!ysource_want(&L->y, e, Y_MAP, "a language"))
			continue;
		for (size_t j = 0; j + 1 < e->n; j += 2) {
			const struct ynode *k = e->kids[j];

			if (k->kind == Y_SCALAR && strcmp(k->text, "code") == 0)
				code = e->kids[j + 1];
			else if (k->kind == Y_SCALAR && strcmp(k->text, "status") == 0)
				status = e->kids[j + 1];
			else if (!(k->kind == Y_SCALAR && strcmp(k->text, "name") == 0))
				ysource_error(&L->y, k->line, k->col, "unknown key in a language: use code and status");
		}
		if (code == NULL || ysource_text(&L->y, code, "language code") == NULL) {
			if (code == NULL)
				ysource_error(&L->y, e->line, e->col, "a language needs code: (en, lo, th, zh, ...)");
			continue;
		}
		if (lang_index(sc, code->text) >= 0) {
			ysource_error(&L->y, code->line, code->col, "language '%s' is listed twice", code->text);
			continue;
		}
		if (status == NULL || status->kind != Y_SCALAR ||
		    (strcmp(status->text, "reviewed") != 0 && strcmp(status->text, "draft") != 0)) {
			ysource_error(&L->y, status ? status->line : e->line, status ? status->col : e->col,
			    "language '%s' needs status: reviewed or status: draft", code->text);
			continue;
		}
		if (form_lang_find(sc->form, code->text) < 0) {
			ysource_error(&L->y, code->line, code->col, "form '%s' has no language '%s': a scenario "
			    "uses the languages of its form", sc->form_id, code->text);
			continue;
		}
		sc->draft[sc->nlang] = strcmp(status->text, "draft") == 0;
		if ((sc->lang[sc->nlang] = ysource_strdup(&L->y, code->text)) != NULL)
			sc->nlang++;
		if (sc->draft[sc->nlang - 1])
			ysource_warning(&L->y, code->line, code->col, "language %s is a draft translation: have "
			    "it reviewed, then set status: reviewed", code->text);
	}
}

/* ---- facts ------------------------------------------------------------- */

/* Checks one value against the choices of select/yes_no question q; returns
 * false with an error at the value. */
static bool
choice_ok(struct loader *L, const struct form *f, size_t q, const struct ynode *v)
{
	int list = form_question_choices(f, q);
	char all[400];
	size_t used = 0;

	if (list < 0 || form_choice_find(f, (size_t)list, v->text, v->len) >= 0)
		return true;
	all[0] = '\0';
	for (size_t i = 0; i < form_choice_count(f, (size_t)list); i++) {
		int n = snprintf(all + used, sizeof all - used, "%s%s", i ? ", " : "",
		    form_choice_value(f, (size_t)list, i));

		if (n < 0 || (size_t)n >= sizeof all - used)
			break;
		used += (size_t)n;
	}
	ysource_error(&L->y, v->line, v->col, "'%s' is not a choice of %s (list %s): use one of: %s",
	    v->text, form_question_id(f, q), form_choice_list_name(f, (size_t)list), all);
	return false;
}

/* The answer of a fact as it would be typed: a scalar, or for
 * select_multiple a list joined by spaces. NULL after an error. */
static char *
fact_text(struct loader *L, const struct form *f, size_t q, const struct ynode *v)
{
	enum form_qtype t = form_question_type(f, q);
	const char *qid = form_question_id(f, q);
	size_t len = 0;
	char *s;
	bool ok = true;

	if (v->kind == Y_MAP) {
		ysource_error(&L->y, v->line, v->col, "the answer to %s must be a value%s, not a mapping", qid,
		    t == FORM_SELECT_MULTIPLE ? " or a list of choices" : "");
		return NULL;
	}
	if (v->kind == Y_SCALAR) {
		if (v->len == 0) {
			ysource_error(&L->y, v->line, v->col, "empty answer to %s: write the answer the "
			    "trainee should record, or remove the fact", qid);
			return NULL;
		}
		if (t == FORM_YES_NO || t == FORM_SELECT_ONE)
			ok = choice_ok(L, f, q, v);
		return ok ? ysource_strdup(&L->y, v->text) : NULL;
	}
	if (t != FORM_SELECT_MULTIPLE) {
		ysource_error(&L->y, v->line, v->col, "%s is a %s question: it takes one answer, not a list",
		    qid, form_qtype_name(t));
		return NULL;
	}
	if (v->n == 0) {
		ysource_error(&L->y, v->line, v->col, "empty list of choices for %s: list at least one", qid);
		return NULL;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *e = v->kids[i];

		if (e->kind != Y_SCALAR) {
			ysource_error(&L->y, e->line, e->col, "a choice of %s must be a single value", qid);
			ok = false;
		} else if (!choice_ok(L, f, q, e)) {
			ok = false;
		}
		len += (e->kind == Y_SCALAR ? e->len : 0) + 1;
	}
	if (!ok)
		return NULL;
	if ((s = malloc(len + 1)) == NULL) {
		L->y.nomem = true;
		return NULL;
	}
	s[0] = '\0';
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v->kids[i]->text);
	}
	return s;
}

static int
fact_by_question(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;

	return (x->q > y->q) - (x->q < y->q);
}

/* Reads the facts: each key a question of the form, each value an answer
 * its type accepts. Checking them through the engine comes later. */
static void
read_facts(struct loader *L, struct training_scenario *sc, const struct ynode *n)
{
	const struct form *f = sc->form;
	char hint[160];

	if (!ysource_want(&L->y, n, Y_MAP, "facts"))
		return;
	if (n->n / 2 > TRAINING_MAX_ITEMS) {
		ysource_error(&L->y, n->line, n->col, "facts: %zu entries; the limit is %d", n->n / 2,
		    TRAINING_MAX_ITEMS);
		return;
	}
	if ((sc->facts = calloc(n->n / 2 + 1, sizeof *sc->facts)) == NULL) {
		L->y.nomem = true;
		return;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
		struct fact *fa;
		const char *near;
		int q;
		char *text;

		if (k->kind != Y_SCALAR) {
			ysource_error(&L->y, k->line, k->col, "a fact is question_id: answer");
			continue;
		}
		if ((q = form_question_find(f, k->text)) < 0) {
			near = nearest(k->text, question_name, f, form_question_count(f));
			if (near != NULL)
				snprintf(hint, sizeof hint, ": did you mean '%s'?", near);
			else
				snprintf(hint, sizeof hint, ": use the question ids of %s.yaml", sc->form_id);
			ysource_error(&L->y, k->line, k->col, "no question '%s' in form '%s'%s", k->text,
			    sc->form_id, hint);
			continue;
		}
		if (form_question_type(f, (size_t)q) == FORM_NOTE) {
			ysource_error(&L->y, k->line, k->col, "%s is a note: it takes no answer, remove the fact",
			    k->text);
			continue;
		}
		for (size_t j = 0; j < sc->nfacts; j++)
			if (sc->facts[j].q == (size_t)q) {
				ysource_error(&L->y, k->line, k->col, "fact %s is given twice (also at line %u)",
				    k->text, sc->facts[j].line);
				q = -1;
				break;
			}
		if (q < 0 || (text = fact_text(L, f, (size_t)q, v)) == NULL)
			continue;
		fa = &sc->facts[sc->nfacts++];
		fa->q = (size_t)q;
		fa->answer = text;
		fa->id = ysource_strdup(&L->y, k->text);
		fa->line = k->line;
		fa->col = k->col;
		fa->value = n->kids[i + 1];
	}
	qsort(sc->facts, sc->nfacts, sizeof *sc->facts, fact_by_question);
}

static void
read_expect(struct loader *L, struct training_scenario *sc, const struct ynode *n,
    const struct ynode **ind_node, const struct ynode **out_node)
{
	const struct form *f = sc->form;
	char list[600], hint[160];

	if (!ysource_want(&L->y, n, Y_MAP, "expect"))
		return;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->kids[i];

		if (k->kind == Y_SCALAR && strcmp(k->text, "indicators") == 0)
			*ind_node = n->kids[i + 1];
		else if (k->kind == Y_SCALAR && strcmp(k->text, "outcome") == 0)
			*out_node = n->kids[i + 1];
		else
			ysource_error(&L->y, k->line, k->col, "unknown key under expect: use indicators and outcome");
	}
	if (*ind_node == NULL) {
		ysource_error(&L->y, n->line, n->col, "expect needs indicators: the list of indicators the "
		    "facts fire ([] when none should)");
	} else if (ysource_want(&L->y, *ind_node, Y_SEQ, "expect.indicators") &&
	    (sc->expected = calloc((*ind_node)->n + 1, sizeof *sc->expected)) == NULL) {
		L->y.nomem = true;
	}
	for (size_t i = 0; sc->expected != NULL && i < (*ind_node)->n; i++) {
		const struct ynode *e = (*ind_node)->kids[i];
		int ind;
		bool dup = false;

		if (ysource_text(&L->y, e, "an expected indicator") == NULL)
			continue;
		if ((ind = form_indicator_find(f, e->text)) < 0) {
			const char *near = nearest(e->text, indicator_name, f, form_indicator_count(f));

			if (near)
				snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
			else
				hint[0] = '\0';
			ysource_error(&L->y, e->line, e->col, "no indicator '%s' in form '%s'%s: use one of: %s",
			    e->text, sc->form_id, hint, name_list(list, sizeof list, indicator_name, f,
			    form_indicator_count(f)));
			continue;
		}
		for (size_t j = 0; j < sc->nexpected; j++)
			dup = dup || sc->expected[j] == (size_t)ind;
		if (dup)
			ysource_error(&L->y, e->line, e->col, "indicator '%s' is listed twice", e->text);
		else
			sc->expected[sc->nexpected++] = (size_t)ind;
	}
	if (*out_node == NULL)
		ysource_error(&L->y, n->line, n->col, "expect needs outcome: the outcome a good interview reaches");
	else if (ysource_text(&L->y, *out_node, "expect.outcome") != NULL) {
		int o = form_outcome_find(f, (*out_node)->text);

		if (o < 0) {
			const char *near = nearest((*out_node)->text, outcome_name, f,
			    form_outcome_count(f));

			if (near)
				snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
			else
				hint[0] = '\0';
			ysource_error(&L->y, (*out_node)->line, (*out_node)->col,
			    "no outcome '%s' in form '%s'%s: use one of: %s", (*out_node)->text,
			    sc->form_id, hint, name_list(list, sizeof list, outcome_name, f,
			    form_outcome_count(f)));
		} else {
			sc->outcome = (size_t)o;
		}
	}
}

static bool
is_expected(const struct training_scenario *sc, size_t ind)
{
	for (size_t i = 0; i < sc->nexpected; i++)
		if (sc->expected[i] == ind)
			return true;
	return false;
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* The line of expected indicator ind in the scenario, for messages. */
static const struct ynode *
expected_node(const struct ynode *list, const struct form *f, size_t ind)
{
	for (size_t i = 0; list != NULL && i < list->n; i++)
		if (list->kids[i]->kind == Y_SCALAR &&
		    strcmp(list->kids[i]->text, form_indicator_id(f, ind)) == 0)
			return list->kids[i];
	return list;
}

/*
 * Walks the facts through the engine as a perfect interview would: each
 * answer must pass the engine's checks, be asked given the other facts, and
 * together they must fire exactly the expected indicators and reach the
 * expected outcome. Canonical answers are kept for the debrief.
 */
static void
check_with_engine(struct loader *L, struct training_scenario *sc,
    const struct ynode *ind_node, const struct ynode *out_node, bool check_expect)
{
	const struct form *f = sc->form;
	struct interview *iv = NULL;
	const char *ender = NULL;
	enum status st;
	int reached;

	if ((st = interview_start(f, sc->lang[0], &iv)) != ST_OK) {
		L->y.nomem = st == ST_NOMEM;
		if (!L->y.nomem)
			ysource_error(&L->y, 0, 0, "the interview engine refused form '%s'", sc->form_id);
		return;
	}
	for (size_t i = 0; i < sc->nfacts; i++) {
		struct fact *fa = &sc->facts[i];
		const char *canon;

		if (interview_state(iv) != IV_IN_PROGRESS) {
			ysource_error(&L->y, fa->line, fa->col, "%s comes after the interview ended at %s "
			    "(consent refused): the trainee can never record it; remove it",
			    fa->id, ender ? ender : "consent");
			continue;
		}
		st = interview_set(iv, fa->q, fa->answer);
		if (st == ST_NOMEM) {
			L->y.nomem = true;
			break;
		}
		if (st != ST_OK) {
			ysource_error(&L->y, fa->value->line, fa->value->col, "'%s' does not fit %s (%s): %s",
			    fa->answer, fa->id, form_qtype_name(form_question_type(f, fa->q)),
			    interview_error(iv));
			free(fa->answer);
			fa->answer = NULL;
			continue;
		}
		canon = interview_answer_text(iv, fa->q);
		if (canon != NULL && strcmp(canon, fa->answer) != 0) {
			char *c = ysource_strdup(&L->y, canon);

			if (c != NULL) {
				explicit_bzero(fa->answer, strlen(fa->answer));
				free(fa->answer);
				fa->answer = c;
			}
		}
		if (interview_state(iv) != IV_IN_PROGRESS)
			ender = fa->id;
	}
	if (errors(L) > 0 || L->y.nomem)
		goto out;
	for (size_t i = 0; i < sc->nfacts; i++) {
		const struct fact *fa = &sc->facts[i];
		size_t s = form_question_section(f, fa->q);
		const struct expr *rel;

		if (interview_is_relevant(iv, fa->q) || interview_state(iv) != IV_IN_PROGRESS)
			continue;
		rel = interview_section_relevant(iv, s) ? form_question_relevant(f, fa->q)
		    : form_section_relevant(f, s);
		ysource_error(&L->y, fa->line, fa->col, "%s is not asked when the other facts are answered "
		    "(%s%s): change the facts it depends on, or remove it", fa->id,
		    interview_section_relevant(iv, s) ? "relevant: " : "its section's relevant: ",
		    rel ? expr_text(rel) : "?");
	}
	if (interview_state(iv) == IV_IN_PROGRESS) {
		for (size_t q = 0; q < form_question_count(f); q++) {
			bool has = false;

			if (!form_question_required(f, q) || !interview_is_relevant(iv, q) ||
			    form_question_type(f, q) == FORM_NOTE)
				continue;
			for (size_t i = 0; i < sc->nfacts && !has; i++)
				has = sc->facts[i].q == q;
			if (!has)
				ysource_warning(&L->y, 0, 0, "required question %s has no fact: the trainee must "
				    "record something the card does not say", form_question_id(f, q));
		}
	}
	/* The flags the facts raise are what a trainee should raise too: not
	 * listed by the author, since the form's rules decide them. */
	free(sc->raises);
	if ((sc->raises = calloc(form_flag_count(f) + 1, sizeof *sc->raises)) == NULL)
		L->y.nomem = true;
	for (size_t i = 0; sc->raises != NULL && i < form_flag_count(f); i++)
		sc->raises[i] = interview_flag_raised(iv, i);
	if (!check_expect)
		goto out;
	for (size_t i = 0; i < sc->nexpected; i++) {
		size_t ind = sc->expected[i];
		const struct ynode *at = expected_node(ind_node, f, ind);

		if (!interview_indicator_fired(iv, ind))
			ysource_error(&L->y, at->line, at->col, "indicator '%s' does not fire from the facts "
			    "(when: %s): add the facts that fire it, or remove it",
			    form_indicator_id(f, ind), expr_text(form_indicator_when(f, ind)));
	}
	for (size_t ind = 0; ind < form_indicator_count(f); ind++)
		if (interview_indicator_fired(iv, ind) && !is_expected(sc, ind))
			ysource_error(&L->y, ind_node->line, ind_node->col, "the facts fire indicator '%s', "
			    "which is not listed: add it (a trainee who records the facts sees it fire)",
			    form_indicator_id(f, ind));
	reached = interview_outcome(iv);
	if (reached != (int)sc->outcome)
		ysource_error(&L->y, out_node->line, out_node->col, "the facts reach outcome '%s', not '%s': "
		    "change the facts or the expected outcome",
		    reached >= 0 ? form_outcome_id(f, (size_t)reached) : "(none: the interview ended)",
		    form_outcome_id(f, sc->outcome));
	qsort(sc->expected, sc->nexpected, sizeof *sc->expected, size_cmp);
out:
	interview_free(iv);
}

/* The folder of forms for scenario `name` when none is given: the parent of
 * the scenario's folder. */
static void
default_forms_dir(const char *name, char *buf, size_t size)
{
	const char *slash = strrchr(name, '/');
	size_t dirlen;

	if (slash == NULL) {
		snprintf(buf, size, "..");
		return;
	}
	dirlen = (size_t)(slash - name);
	if (dirlen >= size)
		dirlen = size - 1;
	memcpy(buf, name, dirlen);
	buf[dirlen] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		buf[slash == buf ? 1 : (size_t)(slash - buf)] = '\0';
	else if (strcmp(buf, ".") == 0 || dirlen == 0)
		snprintf(buf, size, "..");
	else
		snprintf(buf, size, ".");
}

/* A form name: a form id, or the name of its file without .yaml (form ids
 * use '_', file names often '-'). */
static bool
valid_form_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TRAINING_ID_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* The file of form `name` in dir: <name>.yaml, else the same name with '_'
 * and '-' swapped (screening_short lives in screening-short.yaml). */
static bool
form_path(const char *dir, const char *name, char *path, size_t size)
{
	char alt[TRAINING_ID_MAX + 1];
	struct stat sb;

	for (int pass = 0; pass < 3; pass++) {
		size_t i;

		for (i = 0; name[i] != '\0' && i < TRAINING_ID_MAX; i++)
			alt[i] = pass == 1 && name[i] == '_' ? '-' : pass == 2 && name[i] == '-' ? '_'
			    : name[i];
		alt[i] = '\0';
		if (pass > 0 && strcmp(alt, name) == 0)
			continue;
		if (snprintf(path, size, "%s/%s.yaml", dir, alt) >= (int)size)
			return false;
		if (stat(path, &sb) == 0)
			return true;
	}
	snprintf(path, size, "%s/%s.yaml", dir, name);
	return true;
}

/* Loads the form the scenario names; its own errors join the scenario's. */
static void
load_form(struct loader *L, struct training_scenario *sc, const struct ynode *n,
    const char *forms_dir)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct diag_list fdl;
	const char *stem;
	enum status st;

	if (ysource_text(&L->y, n, "form") == NULL)
		return;
	if (!valid_form_name(n->text)) {
		ysource_error(&L->y, n->line, n->col, "form '%s' is not a form id: write the id of a form "
		    "in forms/, such as screening", n->text);
		return;
	}
	if (forms_dir != NULL)
		snprintf(dir, sizeof dir, "%s", forms_dir);
	else
		default_forms_dir(L->y.file, dir, sizeof dir);
	if (!form_path(dir, n->text, path, sizeof path)) {
		ysource_error(&L->y, n->line, n->col, "the path of form '%s' is too long", n->text);
		return;
	}
	diag_list_init(&fdl);
	st = form_load_file(path, &sc->form, &fdl);
	stem = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (st == ST_NOMEM) {
		L->y.nomem = true;
	} else if (st == ST_IO) {
		ysource_error(&L->y, n->line, n->col, "no form '%s' (looked for %s): name a form of the "
		    "forms folder (see `intake forms list`)", n->text, path);
	} else if (st != ST_OK) {
		for (size_t i = 0; i < fdl.count; i++)
			if (fdl.items[i].level == DIAG_ERROR)
				diag_add(L->y.dl, DIAG_ERROR, fdl.items[i].file, fdl.items[i].line,
				    fdl.items[i].col, "%s", fdl.items[i].msg);
		ysource_error(&L->y, n->line, n->col, "form '%s' (%s) has errors: fix it first "
		    "(`intake forms check %s`)", n->text, path, path);
	} else if (strcmp(form_id(sc->form), n->text) != 0 &&
	    !(strncmp(stem, n->text, strlen(n->text)) == 0 &&
	    strcmp(stem + strlen(n->text), ".yaml") == 0)) {
		ysource_error(&L->y, n->line, n->col, "%s holds form '%s', not '%s'", path,
		    form_id(sc->form), n->text);
	} else {
		sc->form_id = ysource_strdup(&L->y, form_id(sc->form));
	}
	diag_list_free(&fdl);
	if (errors(L) > 0 || L->y.nomem) {
		form_free(sc->form);
		sc->form = NULL;
	}
}

static const char *const top_keys[] = {
	"scenario", "version", "form", "languages", "title", "minutes", "persona",
	"facts", "expect", "learning_points",
};
enum {
	K_SCENARIO, K_VERSION, K_FORM, K_LANGUAGES, K_TITLE, K_MINUTES, K_PERSONA,
	K_FACTS, K_EXPECT, K_POINTS, K__COUNT,
};
static const char *const card_keys[] = { "name", "background", "story", "behaviour" };

static void
read_persona(struct loader *L, struct training_scenario *sc, const struct ynode *n)
{
	const struct ynode *slot[4] = { NULL }, *asked = NULL;

	if (!ysource_want(&L->y, n, Y_MAP, "persona"))
		return;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->kids[i];
		bool known = false;

		for (size_t j = 0; j < 4 && k->kind == Y_SCALAR; j++)
			if (strcmp(k->text, card_keys[j]) == 0) {
				slot[j] = n->kids[i + 1];
				known = true;
			}
		if (k->kind == Y_SCALAR && strcmp(k->text, "if_asked_well") == 0) {
			asked = n->kids[i + 1];
			known = true;
		}
		if (!known)
			ysource_error(&L->y, k->line, k->col, "unknown key in persona: use name, background, "
			    "story, behaviour and if_asked_well");
	}
	for (size_t j = 0; j < 4; j++) {
		char what[64];

		snprintf(what, sizeof what, "persona.%s", card_keys[j]);
		if (slot[j] == NULL)
			ysource_error(&L->y, n->line, n->col, "persona needs %s", card_keys[j]);
		else
			read_ltext(L, sc, slot[j], what, &sc->card[j]);
	}
	if (asked != NULL)
		read_ltext_list(L, sc, asked, "persona.if_asked_well", &sc->asked, &sc->nasked);
}

static enum status
load(struct loader *L, const char *buf, size_t len, const char *forms_dir,
    struct training_scenario **out)
{
	const struct ynode *key[K__COUNT] = { NULL }, *ind_node = NULL, *out_node = NULL;
	struct training_scenario *sc;
	struct ynode *root = NULL;
	bool form_ok;

	if ((sc = calloc(1, sizeof *sc)) == NULL || (sc->name = strdup(L->y.file)) == NULL) {
		free(sc);
		return ST_NOMEM;
	}
	if (!file_ok(L, buf, len) || (root = yaml_read(L, buf, len)) == NULL) {
		if (errors(L) == 0 && !L->y.nomem)
			ysource_error(&L->y, 0, 0, "the file holds no scenario (only comments or blank lines): "
			    "it starts with scenario:, form:, languages:, title: and persona:");
		goto done;
	}
	if (root->kind != Y_MAP) {
		ysource_error(&L->y, root->line, root->col, "a scenario is a mapping of scenario:, form:, "
		    "languages:, title:, persona:, facts:, expect: and learning_points:");
		goto done;
	}
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct ynode *k = root->kids[i];
		size_t j;

		for (j = 0; j < K__COUNT && k->kind == Y_SCALAR; j++)
			if (strcmp(k->text, top_keys[j]) == 0)
				break;
		if (k->kind != Y_SCALAR || j == K__COUNT)
			ysource_error(&L->y, k->line, k->col, "unknown top-level key '%s': a scenario has "
			    "scenario, version, form, languages, title, minutes, persona, facts, "
			    "expect and learning_points", k->kind == Y_SCALAR ? k->text : "?");
		else if (key[j] != NULL)
			ysource_error(&L->y, k->line, k->col, "%s is given twice", k->text);
		else
			key[j] = root->kids[i + 1];
	}
	for (size_t j = 0; j < K__COUNT; j++)
		if (key[j] == NULL && j != K_MINUTES && j != K_VERSION)
			ysource_error(&L->y, 1, 1, "missing %s: (see forms/README.md, \"Training scenarios\")",
			    top_keys[j]);
	if (key[K_SCENARIO] != NULL && ysource_text(&L->y, key[K_SCENARIO], "scenario") != NULL) {
		if (!ytree_valid_id(key[K_SCENARIO]->text, TRAINING_ID_MAX))
			ysource_error(&L->y, key[K_SCENARIO]->line, key[K_SCENARIO]->col, "scenario id '%s': "
			    "use a-z, 0-9 and _, starting with a letter, at most %d characters",
			    key[K_SCENARIO]->text, TRAINING_ID_MAX);
		else
			sc->id = ysource_strdup(&L->y, key[K_SCENARIO]->text);
	}
	if (key[K_VERSION] != NULL && ysource_text(&L->y, key[K_VERSION], "version") != NULL)
		sc->version = ysource_strdup(&L->y, key[K_VERSION]->text);
	else
		sc->version = ysource_strdup(&L->y, "1");
	if (key[K_MINUTES] != NULL && ysource_want(&L->y, key[K_MINUTES], Y_SCALAR, "minutes")) {
		char *end;
		unsigned long m = strtoul(key[K_MINUTES]->text, &end, 10);

		if (key[K_MINUTES]->text[0] < '0' || key[K_MINUTES]->text[0] > '9' || *end ||
		    m < 1 || m > 600)
			ysource_error(&L->y, key[K_MINUTES]->line, key[K_MINUTES]->col, "minutes: a whole "
			    "number of minutes from 1 to 600");
		else
			sc->minutes = (unsigned)m;
	}
	if (key[K_FORM] == NULL || errors(L) > 0)
		goto done;
	load_form(L, sc, key[K_FORM], forms_dir);
	if (sc->form == NULL)
		goto done;
	if (key[K_LANGUAGES] != NULL)
		read_languages(L, sc, key[K_LANGUAGES]);
	if (sc->nlang == 0)
		goto done;
	if (key[K_TITLE] != NULL)
		read_ltext(L, sc, key[K_TITLE], "title", &sc->title);
	if (key[K_PERSONA] != NULL)
		read_persona(L, sc, key[K_PERSONA]);
	if (key[K_POINTS] != NULL)
		read_ltext_list(L, sc, key[K_POINTS], "learning_points", &sc->points, &sc->npoints);
	if (key[K_FACTS] != NULL)
		read_facts(L, sc, key[K_FACTS]);
	if (key[K_EXPECT] != NULL)
		read_expect(L, sc, key[K_EXPECT], &ind_node, &out_node);
	/* The engine's view only makes sense once every fact and expectation
	 * could be read. */
	form_ok = errors(L) == 0 && !L->y.nomem;
	if (form_ok)
		check_with_engine(L, sc, ind_node, out_node, true);
done:
	ynode_free(root);
	/* Whatever path led here, a scenario without these never loads. */
	if (!L->y.nomem && errors(L) == 0 &&
	    (sc->id == NULL || sc->form == NULL || sc->nlang == 0 || sc->title.t[0] == NULL))
		ysource_error(&L->y, 0, 0, "the scenario is incomplete: see forms/README.md, \"Training scenarios\"");
	if (L->y.nomem) {
		training_free(sc);
		return ST_NOMEM;
	}
	if (errors(L) > 0) {
		training_free(sc);
		return ST_INVALID;
	}
	*out = sc;
	return ST_OK;
}

enum status
training_load_buffer(const char *name, const char *buf, size_t len,
    const char *forms_dir, struct training_scenario **out, struct diag_list *diags)
{
	struct diag_list local;
	struct loader L;
	enum status st;

	*out = NULL;
	diag_list_init(&local);
	L.y.file = name ? name : "(scenario)";
	L.y.dl = diags ? diags : &local;
	L.base = L.y.dl->errors;
	L.y.nomem = false;
	st = load(&L, buf, len, forms_dir, out);
	diag_list_free(&local);
	return st;
}

enum status
training_load_file(const char *path, const char *forms_dir,
    struct training_scenario **out, struct diag_list *diags)
{
	char *buf;
	size_t len;
	enum status st;

	*out = NULL;
	st = slurp(path, TRAINING_MAX_BYTES, &buf, &len);
	if (st == ST_IO) {
		int e = errno;

		if (diags)
			diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read the scenario: %s",
			    strerror(e));
		return ST_IO;
	}
	if (st == ST_FULL) {
		if (diags)
			diag_add(diags, DIAG_ERROR, path, 0, 0, "scenario is %zu bytes; the limit "
			    "is 1 MiB: shorten the texts", len);
		return ST_INVALID;
	}
	if (st != ST_OK)
		return st;
	st = training_load_buffer(path, buf, len, forms_dir, out, diags);
	free(buf);
	return st;
}

/* ---- directories ------------------------------------------------------- */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the *.yaml files of dir; *names malloc'ed. */
static enum status
yaml_files(const char *dir, char ***names, size_t *n)
{
	struct dirent *e;
	DIR *d;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT || errno == ENOTDIR ? ST_NOTFOUND : ST_IO;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml") != 0 || e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			char **g = realloc(*names, (cap ? 2 * cap : 16) * sizeof *g);

			if (g == NULL)
				goto nomem;
			*names = g;
			cap = cap ? 2 * cap : 16;
		}
		if (((*names)[*n] = strdup(e->d_name)) == NULL)
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof **names, cmp_name);
	return ST_OK;
nomem:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free((*names)[i]);
	free(*names);
	*names = NULL;
	*n = 0;
	return ST_NOMEM;
}

static void
names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void
training_list_free(struct training_scenario **list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++)
		training_free(list[i]);
	free(list);
}

enum status
training_scan(const char *dir, const char *forms_dir, struct training_scenario ***list,
    size_t *n, size_t *failed, struct diag_list *diags)
{
	char **names, path[PATH_MAX];
	size_t nn;
	enum status st;

	*list = NULL;
	*n = 0;
	if (failed)
		*failed = 0;
	if ((st = yaml_files(dir, &names, &nn)) != ST_OK)
		return st;
	if ((*list = calloc(nn ? nn : 1, sizeof **list)) == NULL) {
		names_free(names, nn);
		return ST_NOMEM;
	}
	for (size_t i = 0; i < nn; i++) {
		struct training_scenario *sc;

		if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
			if (failed)
				(*failed)++;
			continue;
		}
		st = training_load_file(path, forms_dir, &sc, diags);
		if (st == ST_NOMEM) {
			names_free(names, nn);
			training_list_free(*list, *n);
			*list = NULL;
			*n = 0;
			return st;
		}
		if (st != ST_OK) {
			if (failed)
				(*failed)++;
			continue;
		}
		(*list)[(*n)++] = sc;
	}
	names_free(names, nn);
	return ST_OK;
}

static bool
looks_like_path(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') != NULL || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

enum status
training_find(const char *dir, const char *forms_dir, const char *name,
    struct training_scenario **out, struct diag_list *diags)
{
	char path[PATH_MAX];
	struct training_scenario **all;
	size_t n;
	struct stat sb;
	enum status st;

	*out = NULL;
	if (looks_like_path(name))
		return training_load_file(name, forms_dir, out, diags);
	if (!ytree_valid_id(name, TRAINING_ID_MAX))
		return ST_NOTFOUND;
	if (snprintf(path, sizeof path, "%s/%s.yaml", dir, name) >= (int)sizeof path)
		return ST_INVALID;
	if (stat(path, &sb) == 0) {
		st = training_load_file(path, forms_dir, out, diags);
		if (st != ST_OK || strcmp((*out)->id, name) == 0)
			return st;
		training_free(*out);
		*out = NULL;
	}
	/* A file named otherwise may hold it; broken files are not this
	 * lookup's business, so their errors are dropped. */
	{
		struct diag_list quiet;

		diag_list_init(&quiet);
		st = training_scan(dir, forms_dir, &all, &n, NULL, &quiet);
		diag_list_free(&quiet);
	}
	if (st != ST_OK)
		return st;
	st = ST_NOTFOUND;
	for (size_t i = 0; i < n; i++)
		if (*out == NULL && strcmp(all[i]->id, name) == 0) {
			*out = all[i];
			all[i] = NULL;
			st = ST_OK;
		}
	training_list_free(all, n);
	return st;
}

/* ---- accessors --------------------------------------------------------- */

static const char *
ltext_get(const struct training_scenario *sc, const struct ltext *t, const char *lang)
{
	int li = lang_index(sc, lang);

	if (li >= 0 && t->t[li] != NULL)
		return t->t[li];
	return t->t[0] ? t->t[0] : "";
}

const char *training_id(const struct training_scenario *sc) { return sc->id; }
const char *training_version(const struct training_scenario *sc) { return sc->version; }
const char *training_name(const struct training_scenario *sc) { return sc->name; }
struct form *training_form(const struct training_scenario *sc) { return sc->form; }
const char *training_form_id(const struct training_scenario *sc) { return sc->form_id; }
unsigned training_minutes(const struct training_scenario *sc) { return sc->minutes; }
size_t training_lang_count(const struct training_scenario *sc) { return sc->nlang; }

const char *
training_title(const struct training_scenario *sc, const char *lang)
{
	return ltext_get(sc, &sc->title, lang);
}

const char *
training_lang_code(const struct training_scenario *sc, size_t i)
{
	return i < sc->nlang ? sc->lang[i] : NULL;
}

bool
training_lang_draft(const struct training_scenario *sc, size_t i)
{
	return i < sc->nlang && sc->draft[i];
}

bool
training_has_lang(const struct training_scenario *sc, const char *code)
{
	return lang_index(sc, code) >= 0;
}

const char *
training_card_text(const struct training_scenario *sc, enum training_card part,
    const char *lang)
{
	if ((unsigned)part > TRAINING_CARD_BEHAVIOUR)
		return "";
	return ltext_get(sc, &sc->card[part], lang);
}

size_t training_asked_well_count(const struct training_scenario *sc) { return sc->nasked; }

const char *
training_asked_well(const struct training_scenario *sc, size_t i, const char *lang)
{
	return i < sc->nasked ? ltext_get(sc, &sc->asked[i], lang) : NULL;
}

size_t training_fact_count(const struct training_scenario *sc) { return sc->nfacts; }

size_t
training_fact_question(const struct training_scenario *sc, size_t i)
{
	return i < sc->nfacts ? sc->facts[i].q : 0;
}

const char *
training_fact_id(const struct training_scenario *sc, size_t i)
{
	return i < sc->nfacts ? sc->facts[i].id : NULL;
}

const char *
training_fact_answer(const struct training_scenario *sc, size_t i)
{
	return i < sc->nfacts ? sc->facts[i].answer : NULL;
}

size_t training_expected_count(const struct training_scenario *sc) { return sc->nexpected; }

size_t
training_expected_indicator(const struct training_scenario *sc, size_t i)
{
	return i < sc->nexpected ? sc->expected[i] : 0;
}

size_t training_expected_outcome(const struct training_scenario *sc) { return sc->outcome; }

bool
training_flag_expected(const struct training_scenario *sc, size_t i)
{
	return sc->raises != NULL && i < form_flag_count(sc->form) && sc->raises[i];
}
size_t training_point_count(const struct training_scenario *sc) { return sc->npoints; }

const char *
training_point(const struct training_scenario *sc, size_t i, const char *lang)
{
	return i < sc->npoints ? ltext_get(sc, &sc->points[i], lang) : NULL;
}

enum status
training_apply_facts(const struct training_scenario *sc, struct interview *iv)
{
	enum status st;

	if (interview_form(iv) != sc->form)
		return ST_INVALID;
	for (size_t i = 0; i < sc->nfacts; i++) {
		if (interview_state(iv) != IV_IN_PROGRESS)
			break;
		if ((st = interview_set(iv, sc->facts[i].q, sc->facts[i].answer)) != ST_OK)
			return st;
	}
	return ST_OK;
}

/* ---- the role-player's card -------------------------------------------- */

enum status
training_card_lines(const struct training_scenario *sc, const char *lang,
    const char *ui, struct training_lines *out)
{
	const struct form *f = sc->form;
	int fl = form_lang_find(f, lang ? lang : sc->lang[0]);
	size_t flang = fl >= 0 ? (size_t)fl : 0;
	enum status st = ST_OK;
	char num[32];
	struct sbuf b;

	sbuf_init(&b);
#define LINE(kind) do { if ((st = tl_push_sbuf(out, kind, &b)) != ST_OK) goto out; } while (0)
	sbuf_add(&b, training_title(sc, lang));
	LINE(TRAINING_LINE_TITLE);
	sbuf_add(&b, tt(ui, T_FICTIONAL));
	LINE(TRAINING_LINE_TEXT);
	sbuf_add(&b, tt(ui, T_SCENARIO));
	sbuf_add(&b, ": ");
	sbuf_add(&b, sc->id);
	sbuf_add(&b, "  ·  ");
	sbuf_add(&b, tt(ui, T_FORM));
	sbuf_add(&b, ": ");
	sbuf_add(&b, form_title(f, flang));
	if (sc->minutes > 0) {
		snprintf(num, sizeof num, "%u ", sc->minutes);
		sbuf_add(&b, "  ·  ");
		sbuf_add(&b, tt(ui, T_SUGGESTED));
		sbuf_add(&b, ": ");
		sbuf_add(&b, num);
		sbuf_add(&b, tt(ui, T_MIN));
	}
	LINE(TRAINING_LINE_TEXT);
	LINE(TRAINING_LINE_BLANK);
	sbuf_add(&b, tt(ui, T_WHO));
	sbuf_add(&b, ": ");
	sbuf_add(&b, training_card_text(sc, TRAINING_CARD_NAME, lang));
	LINE(TRAINING_LINE_HEADING);
	sbuf_add(&b, training_card_text(sc, TRAINING_CARD_BACKGROUND, lang));
	LINE(TRAINING_LINE_TEXT);
	LINE(TRAINING_LINE_BLANK);
	sbuf_add(&b, tt(ui, T_STORY));
	LINE(TRAINING_LINE_HEADING);
	sbuf_add(&b, training_card_text(sc, TRAINING_CARD_STORY, lang));
	LINE(TRAINING_LINE_TEXT);
	LINE(TRAINING_LINE_BLANK);
	sbuf_add(&b, tt(ui, T_BEHAVIOUR));
	LINE(TRAINING_LINE_HEADING);
	sbuf_add(&b, training_card_text(sc, TRAINING_CARD_BEHAVIOUR, lang));
	LINE(TRAINING_LINE_TEXT);
	if (sc->nasked > 0) {
		LINE(TRAINING_LINE_BLANK);
		sbuf_add(&b, tt(ui, T_ASKED_WELL));
		LINE(TRAINING_LINE_HEADING);
		for (size_t i = 0; i < sc->nasked; i++) {
			sbuf_add(&b, "  * ");
			sbuf_add(&b, training_asked_well(sc, i, lang));
			LINE(TRAINING_LINE_ITEM);
		}
	}
	LINE(TRAINING_LINE_BLANK);
	sbuf_add(&b, tt(ui, T_FACTS));
	LINE(TRAINING_LINE_HEADING);
	for (size_t i = 0; i < sc->nfacts; i++) {
		sbuf_add(&b, "  * ");
		sbuf_add(&b, form_question_label(f, sc->facts[i].q, flang));
		sbuf_add(&b, " -> ");
		answer_label(&b, f, sc->facts[i].q, sc->facts[i].answer, flang);
		LINE(TRAINING_LINE_ITEM);
	}
#undef LINE
out:
	sbuf_free(&b);
	return st;
}
