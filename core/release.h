/*
 * release.h — anonymous statistics published as releases, not answered as
 * queries.
 *
 * A release counts the interviews started (UTC day) in one closed period
 * and publishes every one-way table and the cross-tables of the vault's
 * plan, suppressed together as linked tables (stats.h, sdc.h). The plan is
 * fixed by the first release and kept in the vault: the kind of period
 * (month "2025-04", quarter "2025-Q2" or year "2025"), k, the
 * cross-tables, and whether CTDC names and codes are used. Periods of one kind never overlap, so no two releases
 * share a record, and no release is a few records away from another: a
 * population is never published twice, and nothing can be subtracted.
 *
 * A release is sealed in the vault (vault_release_put) the first time its
 * period is asked for and printed from there every later time, figures
 * and text alike, whatever was saved since: records whose interview
 * started in a released period and that were saved after its release are
 * never counted. A period that has not ended (today, UTC, is inside or
 * before it) is refused.
 */
#ifndef INTAKE_RELEASE_H
#define INTAKE_RELEASE_H

#include <stddef.h>

#include "status.h"
#include "vault.h"
#include "words.h"

#define RELEASE_CROSS_MAX 16

struct release_opts {
	const char *period;                 /* "YYYY", "YYYY-Qn" or "YYYY-MM" */
	/* The plan's cross-tables: named at the first release; later NULL
	 * (the plan's) or exactly the plan's. Field names as stats --by. */
	const char *const (*cross)[2];
	size_t ncross;
	unsigned k;                         /* 0: the plan's, first STATS_K_DEFAULT */
	int ctdc;                           /* CTDC names and codes (stats.h); in the plan */
	const char *forms_dir;
	const char *today;                  /* "YYYY-MM-DD"; NULL: the clock (UTC) */
	/* The language the release's text is made in (a new release only: one
	 * made before is printed as it was made): its own words, and the form
	 * language of value labels (form_lang_match). NULL: English, labels in
	 * each form's default language. The CSV is always the same. */
	const struct words *words;
	const char *lang;
};

struct release_result {
	char *table, *csv;                  /* NUL-terminated; release_result_free() */
	size_t table_len, csv_len;
	int made;                           /* 1: made now; 0: printed from the vault */
	size_t counted;                     /* records counted (for the audit trail) */
	unsigned k;                         /* the plan's, for the audit trail */
	char cross[512];                    /* the plan's cross-tables, "A,B;C,D" or "(none)" */
};

/* The period's first day and the day after its last ("YYYY-MM-DD"), and
 * its kind ("month", "quarter", "year"). ST_INVALID otherwise. */
enum status release_period_parse(const char *period, char from[11], char before[11],
    const char **kind);

/* The release of o->period: from the vault when made before, else made
 * now and sealed there. Supervisors only (ST_DENIED). ST_INVALID (err
 * says why) for a bad or open period, a period of another kind than the
 * plan's, cross-tables or k other than the plan's. Otherwise as
 * stats_compute(), and vault failures (err from vault_errmsg()). */
enum status release_get(struct vault *v, const struct release_opts *o,
    struct release_result *r, char *err, size_t errlen);
void release_result_free(struct release_result *r);

#endif
