/*
 * form_check.c — the checks across a whole form once form.c has read it:
 * expression references and types, relevance and calculation cycles, the
 * order questions are asked in, consent questions, outcome referrals and
 * the count of missing draft translations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form_int.h"

static enum expr_qtype
expr_type_of(enum form_qtype t)
{
	switch (t) {
	case FORM_TEXT: return EXPR_Q_TEXT;
	case FORM_INTEGER:
	case FORM_DECIMAL: return EXPR_Q_NUMBER;
	case FORM_DATE: return EXPR_Q_DATE;
	case FORM_YES_NO: return EXPR_Q_YES_NO;
	case FORM_SELECT_ONE: return EXPR_Q_SELECT_ONE;
	case FORM_SELECT_MULTIPLE: return EXPR_Q_SELECT_MULTIPLE;
	case FORM_NOTE: return EXPR_Q_NOTE;
	case FORM_CALCULATE: return EXPR_Q_CALCULATED;
	}
	return EXPR_Q_TEXT;
}

/* Unknown ${refs} get a "did you mean" hint here; then the checker runs. */
static void
check_one(struct loader *L, struct expr *e, struct epos pos, const char *what,
    const struct expr_scope *sc)
{
	struct form *f = L->f;
	struct expr_error ee;
	bool unknown = false;

	if (e == NULL)
		return;
	for (size_t r = 0; r < expr_ref_count(e); r++) {
		const char *name = expr_ref_name(e, r), *best = NULL;
		size_t bd = 3;

		if (form_question_find(f, name) >= 0)
			continue;
		for (size_t q = 0; q < f->nquestions; q++) {
			size_t d = ytree_distance(name, f->questions[q].id);

			if (d < bd) {
				bd = d;
				best = f->questions[q].id;
			}
		}
		ee.col = expr_ref_col(e, r);
		if (best)
			snprintf(ee.msg, sizeof ee.msg, "unknown question ${%.48s} at column %u: did you mean ${%s}?",
			    name, ee.col, best);
		else
			snprintf(ee.msg, sizeof ee.msg, "unknown question ${%.48s} at column %u: use the id of a question in this form",
			    name, ee.col);
		form_expr_error_at(L, pos, expr_text(e), what, &ee);
		unknown = true;
	}
	if (unknown)
		return;
	switch (expr_check(e, sc, &ee)) {
	case ST_OK:
		if (ee.msg[0] != '\0') {       /* a warning: the form still runs */
			unsigned line, col;

			form_epos_locate(L, pos, expr_text(e), ee.col, &line, &col);
			ysource_warning(&L->y, line, col, "%s: %s", what, ee.msg);
		}
		break;
	case ST_NOMEM:
		L->y.nomem = true;
		break;
	default:
		form_expr_error_at(L, pos, expr_text(e), what, &ee);
		break;
	}
}

/* Checks every expression in the context that decides what it may use:
 * indicator i sees only indicators before it, so indicators cannot form a
 * cycle and one pass in order evaluates them all. */
void
form_check_expressions(struct loader *L)
{
	struct form *f = L->f;
	struct expr_qdecl *qd = calloc(f->nquestions + 1, sizeof *qd);
	const char **inds = calloc(f->ninds + 1, sizeof *inds);
	struct expr_scope sc;
	char what[120];

	if (qd == NULL || inds == NULL) {
		L->y.nomem = true;
		goto out;
	}
	for (size_t i = 0; i < f->nquestions; i++) {
		const struct question *q = &f->questions[i];

		qd[i].id = q->id;
		qd[i].type = expr_type_of(q->type);
		if (q->list >= 0) {
			qd[i].list = q->list > 0 ? f->lists[q->list].name : NULL;
			qd[i].choices = f->lists[q->list].values;
			qd[i].nchoices = f->lists[q->list].n;
		}
	}
	for (size_t i = 0; i < f->ninds; i++)
		inds[i] = f->inds[i].id;
	memset(&sc, 0, sizeof sc);
	sc.questions = qd;
	sc.nquestions = f->nquestions;
	sc.indicators = inds;
	sc.nindicators = f->ninds;
	sc.self = -1;
	sc.ctx = EXPR_CTX_RELEVANT;
	for (size_t s = 0; s < f->nsections; s++) {
		snprintf(what, sizeof what, "relevant of section '%s'", f->sections[s].id);
		check_one(L, f->sections[s].relevant, f->sections[s].relevant_pos, what, &sc);
	}
	for (size_t i = 0; i < f->nquestions; i++) {
		struct question *q = &f->questions[i];

		sc.ctx = EXPR_CTX_RELEVANT;
		sc.self = -1;
		snprintf(what, sizeof what, "relevant of question '%s'", q->id);
		check_one(L, q->relevant, q->relevant_pos, what, &sc);
		sc.ctx = EXPR_CTX_CONSTRAINT;
		sc.self = (int)i;
		snprintf(what, sizeof what, "constraint of question '%s'", q->id);
		check_one(L, q->constraint, q->constraint_pos, what, &sc);
		sc.ctx = EXPR_CTX_RELEVANT;
		sc.self = -1;
		snprintf(what, sizeof what, "calculation of question '%s'", q->id);
		check_one(L, q->calculation, q->calculation_pos, what, &sc);
	}
	sc.self = -1;
	sc.ctx = EXPR_CTX_INDICATOR;
	for (size_t i = 0; i < f->ninds; i++) {
		sc.nvisible = i;
		snprintf(what, sizeof what, "when of indicator '%s'", f->inds[i].id);
		check_one(L, f->inds[i].when, f->inds[i].when_pos, what, &sc);
	}
	sc.ctx = EXPR_CTX_OUTCOME;
	sc.nvisible = f->ninds;
	for (size_t i = 0; i < f->nouts; i++) {
		snprintf(what, sizeof what, "when of outcome '%s'", f->outs[i].id);
		check_one(L, f->outs[i].when, f->outs[i].when_pos, what, &sc);
	}
	/* A flag reads what an outcome may read. */
	for (size_t i = 0; i < f->nflags; i++) {
		snprintf(what, sizeof what, "when of flag '%s'", f->flags[i].id);
		check_one(L, f->flags[i].when, f->flags[i].when_pos, what, &sc);
	}
out:
	free(qd);
	free(inds);
}

/*
 * Relevance dependencies: a question depends on its section and on every
 * question its relevant names; a section on the questions its relevant
 * names. Depth-first search finds cycles (reported by name) and yields the
 * evaluation order (dependencies first).
 */
struct graph {
	struct loader *L;
	size_t nq, n;
	unsigned char *color;   /* 0 white, 1 on the stack, 2 done */
	int *stack;
	size_t depth;
};

static const struct expr *
node_relevant(const struct form *f, size_t node)
{
	return node < f->nquestions ? f->questions[node].relevant
	    : f->sections[node - f->nquestions].relevant;
}

static void
node_name(const struct form *f, size_t node, char *buf, size_t size)
{
	if (node < f->nquestions)
		snprintf(buf, size, "${%s}", f->questions[node].id);
	else
		snprintf(buf, size, "section '%s'", f->sections[node - f->nquestions].id);
}

static void
report_cycle(struct graph *g, size_t from)
{
	struct form *f = g->L->f;
	char msg[700], name[80];
	size_t off = 0, start = 0;
	struct epos pos;

	for (size_t i = 0; i < g->depth; i++)
		if ((size_t)g->stack[i] == from)
			start = i;
	msg[0] = '\0';
	for (size_t i = start; i <= g->depth; i++) {
		size_t node = i < g->depth ? (size_t)g->stack[i] : from;
		int w;

		node_name(f, node, name, sizeof name);
		w = snprintf(msg + off, sizeof msg - off, "%s%s", i > start ? " -> " : "", name);
		if (w < 0 || (size_t)w >= sizeof msg - off) {
			off = sizeof msg - 1;
			break;
		}
		off += (size_t)w;
	}
	pos = from < f->nquestions ? f->questions[from].relevant_pos
	    : f->sections[from - f->nquestions].relevant_pos;
	if (f->questions && from < f->nquestions && f->questions[from].relevant == NULL) {
		pos.line = f->questions[from].line;
		pos.col = f->questions[from].col;
		if (f->questions[from].calculation != NULL)
			pos = f->questions[from].calculation_pos;
	}
	ysource_error(&g->L->y, pos.line, pos.col,
	    "circular relevant or calculation: %s; a question cannot depend, directly or through others, on itself",
	    msg);
}

static void
visit(struct graph *g, size_t node)
{
	struct form *f = g->L->f;
	const struct expr *rel;
	const int *slots;
	size_t nrefs;

	g->color[node] = 1;
	g->stack[g->depth++] = (int)node;
	if (node < g->nq) {
		size_t s = g->nq + f->questions[node].section;

		if (g->color[s] == 1)
			report_cycle(g, s);
		else if (g->color[s] == 0)
			visit(g, s);
	}
	for (int pass = 0; pass < 2; pass++) {
		rel = pass == 0 ? node_relevant(f, node)
		    : node < g->nq ? f->questions[node].calculation : NULL;
		nrefs = rel ? expr_refs(rel, &slots) : 0;
		for (size_t r = 0; r < nrefs; r++) {
			size_t dep = (size_t)slots[r];

			if (g->color[dep] == 1)
				report_cycle(g, dep);
			else if (g->color[dep] == 0)
				visit(g, dep);
		}
	}
	g->depth--;
	g->color[node] = 2;
	f->order[f->norder++] = node < g->nq ? (int)node : -(int)(node - g->nq) - 1;
}

void
form_check_cycles(struct loader *L)
{
	struct form *f = L->f;
	struct graph g = {L, f->nquestions, f->nquestions + f->nsections, NULL, NULL, 0};

	g.color = calloc(g.n + 1, 1);
	g.stack = calloc(g.n + 1, sizeof *g.stack);
	f->order = calloc(g.n + 1, sizeof *f->order);
	if (!g.color || !g.stack || !f->order) {
		L->y.nomem = true;
		goto out;
	}
	/* Sections first, in order, then questions: the order of a valid form
	 * is then close to the file order. */
	for (size_t s = 0; s < f->nsections; s++)
		if (g.color[g.nq + s] == 0)
			visit(&g, g.nq + s);
	for (size_t q = 0; q < f->nquestions; q++)
		if (g.color[q] == 0)
			visit(&g, q);
out:
	free(g.color);
	free(g.stack);
}

/*
 * References to questions asked later. The interview goes through the form
 * in file order, so a `relevant` that reads a question asked after it sees
 * that question empty when it is reached: the question (or section) is
 * skipped, and answering the later question would bring it back behind the
 * interviewer, where nobody goes back to ask it. That is an error. A
 * `constraint` that reads a later question is checked when its own answer
 * is typed, against an empty value: a warning (record add checks every
 * constraint again once all answers are in). A calculate may read later
 * questions (its value follows them), but it counts as asked where the last
 * question it reads is: a relevant that uses it earlier is refused too.
 * Runs after form_check_cycles (its order puts dependencies first).
 */
void
form_check_order(struct loader *L)
{
	struct form *f = L->f;
	size_t *ready = calloc(f->nquestions + 1, sizeof *ready);
	size_t *via = calloc(f->nquestions + 1, sizeof *via);

	if (ready == NULL || via == NULL) {
		L->y.nomem = true;
		goto out;
	}
	/* ready[q]: the question after which q's value is final; via[q]: the
	 * asked question that decides it. */
	for (size_t q = 0; q < f->nquestions; q++)
		ready[q] = via[q] = q;
	for (size_t i = 0; i < f->norder; i++) {
		const struct question *q;
		const int *slots;
		size_t n;

		if (f->order[i] < 0)
			continue;
		q = &f->questions[f->order[i]];
		if (q->type != FORM_CALCULATE)
			continue;
		ready[f->order[i]] = 0;
		via[f->order[i]] = (size_t)f->order[i];
		n = q->calculation ? expr_refs(q->calculation, &slots) : 0;
		for (size_t r = 0; r < n; r++)
			if (slots[r] >= 0 && (size_t)slots[r] < f->nquestions && ready[slots[r]] >= ready[f->order[i]]) {
				ready[f->order[i]] = ready[slots[r]];
				via[f->order[i]] = via[slots[r]];
			}
	}
	for (size_t k = 0; k < f->nsections + f->nquestions; k++) {
		bool section = k < f->nsections;
		/* A section reads nothing of q: the empty question stands in. */
		static const struct question none;
		const struct question *q = section ? &none : &f->questions[k - f->nsections];
		size_t at = section ? f->sections[k].first : k - f->nsections;
		const char *id = section ? f->sections[k].id : q->id;
		const struct expr *e[2] = {
			section ? f->sections[k].relevant : q->relevant, section ? NULL : q->constraint,
		};
		struct epos pos[2] = {
			section ? f->sections[k].relevant_pos : q->relevant_pos,
			section ? f->sections[k].relevant_pos : q->constraint_pos,
		};

		if (section && f->sections[k].count == 0)
			continue;
		for (int w = 0; w < 2; w++) {
			const int *slots;
			size_t n = e[w] ? expr_refs(e[w], &slots) : 0;

			for (size_t r = 0; r < n; r++) {
				size_t dep = (size_t)slots[r], later;
				char through[120] = "";
				unsigned line, col;

				if (slots[r] < 0 || dep >= f->nquestions || ready[dep] <= at)
					continue;
				/* Within its own section a section relevant is a cycle,
				 * already reported. */
				if (section && dep >= at && dep < at + f->sections[k].count)
					continue;
				later = via[dep];
				form_epos_locate(L, pos[w], expr_text(e[w]), expr_ref_col(e[w], r), &line, &col);
				if (later != dep)
					snprintf(through, sizeof through, " (calculate ${%s} reads ${%s})",
					    f->questions[dep].id, f->questions[later].id);
				if (w == 0)
					ysource_error(&L->y, line, col,
					    "relevant of %s '%s' reads ${%s}%s, which is asked after it (line %u): when '%s' is reached it is still empty, "
					    "so '%s' is skipped and would come back behind the interviewer; ask ${%s} first, or move '%s' after it",
					    section ? "section" : "question", id, f->questions[dep].id, through,
					    f->questions[later].line, id, id, f->questions[later].id, id);
				else
					ysource_warning(&L->y, line, col,
					    "constraint of question '%s' reads ${%s}%s, which is asked after it (line %u): it is checked when '%s' is answered, "
					    "while ${%s} is still empty; ask ${%s} first if the check needs it",
					    id, f->questions[dep].id, through, f->questions[later].line, id,
					    f->questions[later].id, f->questions[later].id);
			}
		}
	}
out:
	free(ready);
	free(via);
}

/* The engine ends an interview on a refused interview consent, so exactly
 * one question must carry it; two referral or statistics consents would
 * make the recorded consent ambiguous. */
void
form_check_consent(struct loader *L, const struct ynode *sections)
{
	static const char *const kinds[] = {NULL, "interview", "referral", "statistics"};
	struct form *f = L->f;
	int first[4] = {-1, -1, -1, -1};

	for (size_t i = 0; i < f->nquestions; i++) {
		const struct question *q = &f->questions[i];

		if (q->consent == FORM_CONSENT_NONE)
			continue;
		if (first[q->consent] >= 0)
			ysource_error(&L->y, q->line, q->col, "question '%s' is a second consent: %s question (the first is '%s'): a form has at most one",
			    q->id, kinds[q->consent], f->questions[first[q->consent]].id);
		else
			first[q->consent] = (int)i;
	}
	if (first[FORM_CONSENT_INTERVIEW] < 0 && sections != NULL)
		ERR(L, sections, "the form has no interview consent question: add consent: interview to the yes_no question that asks it");
}

/* Referral ids of outcomes or flags (noun) against the referrals file. */
static void
resolve_rule_referrals(struct loader *L, struct outcome *rules, size_t n, const char *noun)
{
	struct form *f = L->f;

	for (size_t o = 0; o < n; o++) {
		struct outcome *out = &rules[o];

		for (size_t k = 0; k < out->nrefs; k++) {
			size_t r;

			if (out->ref_ids[k] == NULL)
				continue;
			for (r = 0; r < f->nrefs; r++)
				if (strcmp(f->refs[r].id, out->ref_ids[k]) == 0)
					break;
			if (r < f->nrefs) {
				out->refs[k] = r;
			} else if (!L->ref_given) {
				ysource_error(&L->y, out->ref_lines[k], out->ref_cols[k],
				    "%s '%s' names referral '%.48s' but the form has no referrals file: add referrals: referrals.yaml",
				    noun, out->id, out->ref_ids[k]);
			} else if (L->ref_ok) {
				ysource_error(&L->y, out->ref_lines[k], out->ref_cols[k],
				    "unknown referral '%.48s' in %s '%s': use an id from %s",
				    out->ref_ids[k], noun, out->id, L->ref_node && L->ref_node->text ? L->ref_node->text : "the referrals file");
			}
		}
	}
}

/* Outcome and flag referral ids against the referrals file. Only when that
 * file was read and parsed: otherwise its own error already says why, and a
 * second error per id would bury it. */
void
form_resolve_referrals(struct loader *L)
{
	resolve_rule_referrals(L, L->f->outs, L->f->nouts, "outcome");
	resolve_rule_referrals(L, L->f->flags, L->f->nflags, "flag");
}

/* Missing draft translations are common while a translation is under way;
 * the first few are listed with positions, the rest summed up per language. */
void
form_report_missing_translations(struct loader *L)
{
	struct form *f = L->f;

	for (size_t li = 1; li < f->nlangs; li++)
		if (L->missing[li] > MISSING_DETAIL)
			ysource_warning(&L->y, 0, 0, "%zu more texts have no %s translation (draft): the %s text is shown instead",
			    L->missing[li] - MISSING_DETAIL, f->langs[li].code, f->langs[0].code);
}

