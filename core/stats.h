/*
 * stats.h — anonymous statistics: counts that may leave the vault.
 *
 * Records counted: those of dataset.h (saved, not training) whose
 * respondent answered yes to the statistics consent question (`consent:
 * statistics`); the others are only counted as excluded.
 *
 * Variables: the `report:` names of the forms' questions (forms/README.md).
 * Questions sharing a name feed one variable (age and age_band both feed
 * ageBroad: the first of them answered in a record gives its value). What a
 * variable may show:
 *  - yes_no, select_one: the choice value;
 *  - select_multiple: the values chosen, in list order, joined with ';'
 *    (as CTDC's typeOfExploitConcatenated);
 *  - integer, decimal: only as CTDC age bands (age_0_8, age_9_17, age_18_20,
 *    age_21_23, age_24_26, age_27_29, age_30_38, age_39_47, age_48_plus),
 *    the codes the bundled age_band question uses;
 *  - date: only the month, YYYY-MM;
 *  - text: never (a text question with `report:` is refused).
 * Declined, don't know and not asked count as "(unknown)". Built-in
 * variables: month and year of the interview (its start); outcome (its id)
 * and flags (the flags raised beside the outcome, joined with ';' in form
 * order, "none" when none, "(unknown)" for a record made before its form
 * had flags), counted apart, so that a possible victim in danger now counts
 * under possible_victim and under immediate_danger. Built-ins are counted
 * only when named (--by, a release's cross-tables); outcome and flags have
 * no CTDC field, so --ctdc refuses them.
 *
 * Population: every counted record of the vault; a form or date filter is
 * refused (ST_INVALID), since two counts whose populations differ by a few
 * records publish those records by subtraction.
 *
 * Suppression (sdc.h has the model and the proof): the tables of one
 * population are linked (every one-way table shares the grand total; a
 * cross-table's margins are the one-way tables of its two variables) and
 * are suppressed together. Every query computes every one-way table and
 * suppresses them in one run, so each prints the same whatever else was
 * asked; a cross-table is then suppressed with those figures frozen (only
 * its inner cells may be hidden for it; ST_INVALID when that cannot
 * protect it). Hidden counts print as "x", and a hidden count is known
 * only to be 0 or more: every count from 1 to k-1 is hidden, and more
 * until GLPK finds, for every hidden count, a smallest and largest value
 * consistent with everything the run publishes at least k apart. Zeros
 * are shown. The grand total is always shown; below k records nothing but
 * "fewer than k" is published. Summary figures (counted, excluded for
 * consent, left out) below k print as "fewer than k" (stats_figure()).
 *
 * Not covered by a query (stats_compute): two different cross-tables are
 * each audited with the one-way tables, not with each other; and counts
 * taken at different times differ by the records saved in between. A
 * release (stats_compute_release, core/release.h) closes both: all its
 * tables are suppressed in one run, over a closed period, published once.
 * The command line offers releases only.
 *
 * --ctdc coding: variables named by their `report:` name (only names of the
 * CTDC data standard are accepted); yes/no as 1/0; unknown as -99; age
 * bands as 0--8, 9--17, 18--20, 21--23, 24--26, 27--29, 30--38, 39--47, 48+;
 * the Mekong country and nationality codes of the bundled forms as ISO
 * 3166 alpha-2 (LA, TH, CN, MM, VN, KH, MY) for citizenship and
 * CountryOfExploitation; year as yearOfRegistration. Other values keep the
 * form's codes.
 */
#ifndef INTAKE_STATS_H
#define INTAKE_STATS_H

#include <stddef.h>

#include "dataset.h"
#include "sdc.h"
#include "status.h"
#include "vault.h"
#include "words.h"

#define STATS_K_DEFAULT 11     /* as CTDC */
#define STATS_K_MIN     5      /* why: stats_check_k() */
#define STATS_K_MAX     1000
#define STATS_BY_MAX    2      /* fields in one cross-tabulation */
#define STATS_CROSS_MAX 16     /* cross-tables in one release */

enum stats_format {
	STATS_TABLE,
	STATS_CSV,
};

/* The first line of a release's CSV, and all of it below k. */
#define STATS_RELEASE_CSV_HEAD "variable,value,variable2,value2,count\r\n"

struct stats_opts {
	const char *const *by;      /* field names (report names or question ids) */
	size_t nby;                 /* 0: one table per variable */
	unsigned k;
	int ctdc;
	const char *form_id;        /* must be NULL (see Population) */
	const char *since;          /* must be NULL (see Population) */
	const char *lang;           /* labels of values in table output; NULL: default */
	const char *forms_dir;
	const struct words *words;  /* the table output's own words; NULL: English */
};

/* A release (core/release.h): every one-way table and these cross-tables,
 * all printed, suppressed together in one run, counted over the
 * interviews started in [from, before) ("YYYY-MM-DD"). */
struct stats_release {
	const char *const (*cross)[2];
	size_t ncross;
	const char *from, *before;
};

struct stats;

/* ST_INVALID with the reason in msg when k is below STATS_K_MIN or above
 * STATS_K_MAX: k = 1 publishes unique people, and with fewer than 5 in a
 * cell anyone who knows a few of them can single out the rest. */
enum status stats_check_k(unsigned k, char *msg, size_t msglen);

/* Counts. Needs a supervisor (ST_DENIED). ST_INVALID (err lists the
 * reportable fields) for a field that is not reportable, too many fields,
 * a bad k, a form or date filter, or a cross-table that cannot be
 * protected; ST_INTERNAL when the audit's solver fails. Other failures as dataset_open() and dataset_scan(). */
enum status stats_compute(struct vault *v, const struct stats_opts *o, struct stats **out,
    char *err, size_t errlen);
/* The same for a release: o->by must be empty (ST_INVALID). */
enum status stats_compute_release(struct vault *v, const struct stats_opts *o,
    const struct stats_release *rel, struct stats **out, char *err, size_t errlen);
void stats_free(struct stats *s);

size_t stats_counted(const struct stats *s);      /* consented, counted */
size_t stats_no_consent(const struct stats *s);   /* excluded: no statistics consent */
const struct dataset_counts *stats_left_out(const struct stats *s);

/* n as it may be printed: the number when n >= k, else "fewer than k".
 * Returns buf. */
const char *stats_figure(const struct stats *s, size_t n, char *buf, size_t len);

/* The audit's work (linear programs solved, cells hidden). */
const struct sdc_work *stats_work(const struct stats *s);

/* The tables as text (table: aligned, with a header saying what was
 * counted and what was excluded; csv: RFC 4180, header row first). *out is
 * malloc'ed, NUL-terminated (free()). ST_NOMEM. */
enum status stats_format(const struct stats *s, enum stats_format fmt, char **out, size_t *len);

#endif
