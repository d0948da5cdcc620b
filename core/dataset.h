/*
 * dataset.h — a vault's records as data leaving the vault: the selection of
 * records shared by export, statistics and transfer bundles, and the forms
 * they were taken with.
 *
 * Which records: every saved record (final, amended, or ended early: drafts
 * are never records) that the unlocked user may read, except
 *  - training records ("training": true): fictional cases never leave a
 *    vault as data; they are counted in dataset_counts.training;
 *  - records of another form when filter.form_id is set, records saved
 *    before filter.since (the day the record was closed, else started, UTC),
 *    and records whose interview started outside dataset_set_period()'s;
 *  - records that fail their integrity check or do not parse: counted in
 *    dataset_counts.damaged and left out, so one damaged record does not
 *    block the rest (the caller reports the count).
 *
 * Forms: a record names the BLAKE2b hash of its form source, which the vault
 * keeps. dataset_open() loads every form stored in the vault once (the
 * referrals file, which a form may name, is read from forms_dir as
 * record_load() does). A form that no longer loads is remembered, and is an
 * error only when a selected record uses it.
 *
 * Contracts: the vault must be unlocked and stay open while the dataset
 * lives; forms returned live as long as the dataset. dataset_scan() holds a
 * vault scan (no vault writes from fn) and hands fn the record both as text
 * (valid during the call, wiped after) and parsed (owned by the scan).
 */
#ifndef INTAKE_DATASET_H
#define INTAKE_DATASET_H

#include <stddef.h>

#include "form.h"
#include "status.h"
#include "vault.h"

struct dataset;
struct json_t;

#define DATASET_DATE_LEN 10            /* "YYYY-MM-DD" */

struct dataset_filter {
	const char *form_id;           /* NULL: every form */
	const char *since;             /* "YYYY-MM-DD" or NULL: every date */
};

struct dataset_counts {
	size_t selected;               /* handed to fn */
	size_t training;               /* left out: training records */
	size_t other;                  /* left out by the form or date filter */
	size_t damaged;                /* left out: failed integrity check or parse */
};

/* ST_OK when s is a valid calendar date "YYYY-MM-DD"; else ST_INVALID. */
enum status dataset_check_date(const char *s);

/* Loads the vault's forms. ST_INVALID (err says why) for a bad filter:
 * a malformed since, or a form_id no stored form has. */
enum status dataset_open(struct vault *v, const char *forms_dir,
    const struct dataset_filter *filter, struct dataset **out, char *err, size_t errlen);
void dataset_free(struct dataset *ds);

/* Selects only the interviews started (the record's "started" day, UTC,
 * which never changes once a record is saved) in [from, before), both
 * "YYYY-MM-DD" or NULL for no bound; records outside count as other.
 * ST_INVALID for a malformed date. Before dataset_scan(). */
enum status dataset_set_period(struct dataset *ds, const char *from, const char *before);

/* The forms that load and pass the form filter, by id, then newest
 * version first. */
size_t dataset_form_count(const struct dataset *ds);
const struct form *dataset_form(const struct dataset *ds, size_t i);

/* fn returns 0 to go on, nonzero to stop the scan (dataset_scan then
 * returns ST_OK). f is the record's form. */
typedef int (*dataset_fn)(void *ctx, const struct record_id *id, const char *json,
    size_t len, struct json_t *rec, const struct form *f);

/* Runs fn over the selected records in id order, from one snapshot, and
 * fills counts. Fails (err) when a selected record's form is missing from
 * the vault or no longer loads, or the vault fails. */
enum status dataset_scan(struct dataset *ds, dataset_fn fn, void *ctx,
    struct dataset_counts *counts, char *err, size_t errlen);

/* Small readers of record JSON: a string member or "" (never NULL). */
const char *dataset_str(struct json_t *o, const char *key);

#endif
