/*
 * sdc.c — cell suppression for linked count tables, audited with GLPK (see
 * sdc.h for the model, the protection interval and why the bounds are
 * those of the integer program).
 *
 * One GLPK problem holds the whole set: a column per cell (fixed at its
 * count when shown, >= 0 when hidden), a row per line (members minus total
 * equal to 0). Each audit solve only changes the objective and, when a
 * cell is hidden, that cell's bounds, so the simplex starts from the last
 * basis every time.
 *
 * GLPK ends the process on invalid arguments or when its own allocation
 * fails (it has no error return for those); the calls here pass only
 * indices checked against the problem's size.
 */
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sdc.h"

#define EPS 1e-6

struct line {
	size_t *cells;                 /* members, then the total last */
	size_t n;                      /* members + 1 */
};

struct sdc {
	size_t ncells;
	uint64_t *count;
	unsigned char *hidden, *frozen;
	struct line *lines;
	size_t nlines, lcap;
	size_t **of;                   /* cell -> the lines through it */
	size_t *nof;
};

struct sdc *
sdc_new(size_t ncells)
{
	struct sdc *m = calloc(1, sizeof *m);
	size_t n = ncells ? ncells : 1;

	if (m == NULL)
		return NULL;
	m->ncells = ncells;
	m->count = calloc(n, sizeof *m->count);
	m->hidden = calloc(n, 1);
	m->frozen = calloc(n, 1);
	m->of = calloc(n, sizeof *m->of);
	m->nof = calloc(n, sizeof *m->nof);
	if (m->count == NULL || m->hidden == NULL || m->frozen == NULL || m->of == NULL ||
	    m->nof == NULL) {
		sdc_free(m);
		return NULL;
	}
	return m;
}

void
sdc_free(struct sdc *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nlines; i++)
		free(m->lines[i].cells);
	for (size_t i = 0; m->of != NULL && i < m->ncells; i++)
		free(m->of[i]);
	free(m->lines);
	free(m->of);
	free(m->nof);
	free(m->count);
	free(m->hidden);
	free(m->frozen);
	free(m);
}

void
sdc_set(struct sdc *m, size_t cell, uint64_t count)
{
	m->count[cell] = count;
}

void
sdc_freeze(struct sdc *m, size_t cell)
{
	m->frozen[cell] = 1;
}

void
sdc_hide(struct sdc *m, size_t cell)
{
	m->hidden[cell] = 1;
}

int
sdc_hidden(const struct sdc *m, size_t cell)
{
	return m->hidden[cell];
}

static enum status
incidence_add(struct sdc *m, size_t cell, size_t line)
{
	size_t *grown = realloc(m->of[cell], (m->nof[cell] + 1) * sizeof *grown);

	if (grown == NULL)
		return ST_NOMEM;
	m->of[cell] = grown;
	grown[m->nof[cell]++] = line;
	return ST_OK;
}

enum status
sdc_line(struct sdc *m, const size_t *members, size_t n, size_t total)
{
	struct line *l;

	if (m->nlines == m->lcap) {
		size_t cap = m->lcap ? 2 * m->lcap : 64;
		struct line *grown = realloc(m->lines, cap * sizeof *grown);

		if (grown == NULL)
			return ST_NOMEM;
		m->lines = grown;
		m->lcap = cap;
	}
	l = &m->lines[m->nlines];
	if ((l->cells = malloc((n + 1) * sizeof *l->cells)) == NULL)
		return ST_NOMEM;
	memcpy(l->cells, members, n * sizeof *members);
	l->cells[n] = total;
	l->n = n + 1;
	m->nlines++;
	for (size_t i = 0; i < l->n; i++)
		if (incidence_add(m, l->cells[i], m->nlines - 1) != ST_OK)
			return ST_NOMEM;
	return ST_OK;
}

static void
column_bounds(glp_prob *lp, const struct sdc *m, size_t cell)
{
	if (m->hidden[cell])
		glp_set_col_bnds(lp, (int)cell + 1, GLP_LO, 0.0, 0.0);
	else
		glp_set_col_bnds(lp, (int)cell + 1, GLP_FX, (double)m->count[cell],
		    (double)m->count[cell]);
}

static glp_prob *
problem_build(const struct sdc *m)
{
	glp_prob *lp;
	int *ia = NULL, *ja = NULL, ne = 0;
	double *ar = NULL;
	size_t nz = 0;

	for (size_t i = 0; i < m->nlines; i++)
		nz += m->lines[i].n;
	ia = malloc((nz + 1) * sizeof *ia);
	ja = malloc((nz + 1) * sizeof *ja);
	ar = malloc((nz + 1) * sizeof *ar);
	if (ia == NULL || ja == NULL || ar == NULL) {
		free(ia);
		free(ja);
		free(ar);
		return NULL;
	}
	lp = glp_create_prob();
	glp_add_cols(lp, (int)m->ncells);
	if (m->nlines > 0)
		glp_add_rows(lp, (int)m->nlines);
	for (size_t c = 0; c < m->ncells; c++) {
		column_bounds(lp, m, c);
		glp_set_col_kind(lp, (int)c + 1, GLP_IV);
	}
	for (size_t i = 0; i < m->nlines; i++) {
		const struct line *l = &m->lines[i];

		glp_set_row_bnds(lp, (int)i + 1, GLP_FX, 0.0, 0.0);
		for (size_t j = 0; j < l->n; j++) {
			ne++;
			ia[ne] = (int)i + 1;
			ja[ne] = (int)l->cells[j] + 1;
			ar[ne] = j + 1 == l->n ? -1.0 : 1.0;
		}
	}
	if (ne > 0)
		glp_load_matrix(lp, ne, ia, ja, ar);
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

/* The smallest (dir GLP_MIN) or largest value of cell over the integer
 * points of the problem. *bound is UINT64_MAX when unbounded above. */
static enum status
extreme(glp_prob *lp, size_t cell, int dir, struct sdc_work *w, uint64_t *bound)
{
	glp_smcp sp;
	glp_iocp ip;
	double v;
	int st;

	glp_init_smcp(&sp);
	sp.msg_lev = GLP_MSG_OFF;
	glp_set_obj_dir(lp, dir);
	glp_set_obj_coef(lp, (int)cell + 1, 1.0);
	w->lps++;
	if (glp_simplex(lp, &sp) != 0) {
		/* A stale basis can be singular after bounds changed: start over. */
		glp_std_basis(lp);
		if (glp_simplex(lp, &sp) != 0)
			goto failed;
	}
	st = glp_get_status(lp);
	if (st == GLP_UNBND && dir == GLP_MAX) {
		*bound = UINT64_MAX;
		glp_set_obj_coef(lp, (int)cell + 1, 0.0);
		return ST_OK;
	}
	if (st != GLP_OPT)
		goto failed;
	v = glp_get_obj_val(lp);
	if (fabs(v - floor(v + 0.5)) > EPS) {
		glp_init_iocp(&ip);
		ip.msg_lev = GLP_MSG_OFF;
		w->mips++;
		if (glp_intopt(lp, &ip) != 0 || glp_mip_status(lp) != GLP_OPT)
			goto failed;
		v = glp_mip_obj_val(lp);
	}
	glp_set_obj_coef(lp, (int)cell + 1, 0.0);
	v = dir == GLP_MIN ? ceil(v - EPS) : floor(v + EPS);
	*bound = v <= 0 ? 0 : (uint64_t)v;
	return ST_OK;
failed:
	glp_set_obj_coef(lp, (int)cell + 1, 0.0);
	return ST_INTERNAL;
}

/* The cell to hide next for cell c: the shown, unfrozen, nonzero cell with
 * the smallest count (lowest index on ties) on a line through c; when
 * there is none, on a line through a hidden cell of those lines, and so on
 * outwards (a breadth-first walk over hidden cells), since what pins c is
 * then a shown cell further along a chain of hidden ones. seen and queue
 * have room for every cell. (size_t)-1 when none is left anywhere. */
static size_t
next_to_hide(const struct sdc *m, size_t c, unsigned char *seen, size_t *queue)
{
	size_t best = (size_t)-1, head = 0, tail = 0, level_end;

	memset(seen, 0, m->ncells);
	seen[c] = 1;
	queue[tail++] = c;
	while (head < tail) {
		level_end = tail;
		for (; head < level_end; head++) {
			size_t h = queue[head];

			for (size_t i = 0; i < m->nof[h]; i++) {
				const struct line *l = &m->lines[m->of[h][i]];

				for (size_t j = 0; j < l->n; j++) {
					size_t e = l->cells[j];

					if (seen[e])
						continue;
					seen[e] = 1;
					if (m->hidden[e]) {
						queue[tail++] = e;
						continue;
					}
					if (m->frozen[e] || m->count[e] == 0)
						continue;
					if (best == (size_t)-1 || m->count[e] < m->count[best] ||
					    (m->count[e] == m->count[best] && e < best))
						best = e;
				}
			}
		}
		if (best != (size_t)-1)
			break;
	}
	return best;
}

enum status
sdc_protect(struct sdc *m, unsigned k, struct sdc_work *w)
{
	struct sdc_work none;
	size_t *queue = NULL, *walk = NULL, nq = 0, i = 0;
	unsigned char *seen = NULL;
	glp_prob *lp = NULL;
	enum status st = ST_OK;

	if (w == NULL)
		w = &none;
	memset(w, 0, sizeof *w);
	queue = malloc((m->ncells ? m->ncells : 1) * sizeof *queue);
	walk = malloc((m->ncells ? m->ncells : 1) * sizeof *walk);
	seen = malloc(m->ncells ? m->ncells : 1);
	if (queue == NULL || walk == NULL || seen == NULL) {
		st = ST_NOMEM;
		goto out;
	}
	for (size_t c = 0; c < m->ncells; c++) {
		if (!m->frozen[c] && m->count[c] > 0 && m->count[c] < k) {
			m->hidden[c] = 1;
			w->hidden_primary++;
		}
		if (m->hidden[c])
			queue[nq++] = c;
	}
	if (nq == 0)
		goto out;
	glp_term_out(GLP_OFF);
	if ((lp = problem_build(m)) == NULL) {
		st = ST_NOMEM;
		goto out;
	}
	while (i < nq) {
		size_t c = queue[i], more;
		uint64_t lo = 0, hi = 0;

		if ((st = extreme(lp, c, GLP_MAX, w, &hi)) != ST_OK)
			goto out;
		if (hi >= k && (st = extreme(lp, c, GLP_MIN, w, &lo)) != ST_OK)
			goto out;
		if (hi >= k && hi - lo >= k) {
			i++;
			continue;
		}
		if ((more = next_to_hide(m, c, seen, walk)) == (size_t)-1) {
			st = ST_INVALID;
			goto out;
		}
		m->hidden[more] = 1;
		column_bounds(lp, m, more);
		queue[nq++] = more;
		w->hidden_more++;
	}
out:
	if (lp != NULL)
		glp_delete_prob(lp);
	free(queue);
	free(walk);
	free(seen);
	return st;
}
