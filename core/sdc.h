/*
 * sdc.h — statistical disclosure control for a set of linked count tables:
 * choosing which counts to hide, and proving with linear programming that
 * nothing published lets anyone narrow a hidden count down.
 *
 * The model: cells are nonnegative integer counts (every cell, margin and
 * grand total of every table of the set, one cell per distinct count: a
 * margin shared by two tables is one cell). Lines are the additive
 * relations the tables publish: the members of a line sum to its total
 * (a row of a cross-table to its row margin, a one-way table to the grand
 * total).
 *
 * What a reader knows of a hidden cell: only that it is a count (>= 0).
 * Every hidden cell is printed alike ("x"), whether it was hidden for being
 * small or to protect another: if small hidden cells were told apart
 * ("<k", 1..k-1) the others would be known to be 0 or >= k, and those
 * bounds narrow the hidden counts exactly where protection is needed.
 * A reader also knows every shown cell and every line relation.
 *
 * Protection interval: a hidden cell is protected when, over every
 * assignment of nonnegative integers to the hidden cells that satisfies
 * every line with the shown cells, its smallest and largest possible
 * values differ by at least k (upper - lower >= k). So no hidden count is
 * pinned, and no small count can be told apart from 0 or from a count of
 * k or more.
 *
 * Audit: the smallest and largest value of each hidden cell are found with
 * GLPK's simplex method on the linear relaxation. The relaxation's range
 * contains the integer range, so it alone could only overstate protection;
 * hence when a simplex optimum is not an integer, the bound is recomputed
 * with GLPK's branch and bound (glp_intopt) on the integer program. An
 * integer optimum of the relaxation is attained by an integer assignment,
 * so it is the integer program's optimum too. Either way the bounds used
 * are exactly those of the integer program. (Line systems of one-way
 * tables and two-way tables with their margins are totally unimodular,
 * so the simplex optimum is almost always an integer already.)
 *
 * Hiding more: cells with a count from 1 to k-1 are hidden first. Then,
 * while a hidden cell fails the audit, one more cell is hidden: among the
 * lines through the failing cell, the shown cell with the smallest nonzero
 * count that is not frozen (a total as well as a member). Hiding a cell
 * only removes an equality from what a reader knows, so a cell once
 * protected stays protected, and one pass over the hidden cells (new ones
 * appended) is enough. Zeros are never hidden; a cell in a line whose
 * total is zero is never hidden.
 *
 * Not covered: a reader who knows the suppression rule may reason about
 * why a cell was chosen; publications not given to one sdc run together
 * (hence one run per set of linked tables, see stats.h).
 */
#ifndef INTAKE_SDC_H
#define INTAKE_SDC_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct sdc;

struct sdc_work {
	size_t lps;                    /* simplex solves */
	size_t mips;                   /* branch-and-bound solves */
	size_t hidden_primary;         /* cells 1..k-1 */
	size_t hidden_more;            /* hidden to protect them */
};

/* A set of ncells cells, all counts 0 and shown. NULL out of memory. */
struct sdc *sdc_new(size_t ncells);
void sdc_free(struct sdc *m);

void sdc_set(struct sdc *m, size_t cell, uint64_t count);
/* Freezes a cell: never hidden to protect another (it stays as it is,
 * shown or hidden): for cells already published elsewhere. */
void sdc_freeze(struct sdc *m, size_t cell);
/* Hides a cell (e.g. one hidden by an earlier run whose figures stand). */
void sdc_hide(struct sdc *m, size_t cell);

/* members[0..n-1] sum to total. Copied. ST_NOMEM. */
enum status sdc_line(struct sdc *m, const size_t *members, size_t n, size_t total);

/* Hides every unfrozen cell with a count 1..k-1, then audits and hides
 * more until every hidden cell is protected (see above). ST_INVALID when
 * a hidden cell cannot be protected because every cell that could be
 * hidden for it is frozen; ST_NOMEM; ST_INTERNAL when GLPK fails. w may
 * be NULL. */
enum status sdc_protect(struct sdc *m, unsigned k, struct sdc_work *w);

int sdc_hidden(const struct sdc *m, size_t cell);

#endif
