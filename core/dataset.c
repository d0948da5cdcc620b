/*
 * dataset.c — selection of records and their forms for data leaving a vault
 * (see dataset.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "clock.h"
#include "diag.h"
#include "jsonr.h"

struct loaded {
	char hash[65];
	struct form *form;             /* NULL when the source does not load */
	char *why;                     /* first diagnostic when it does not */
	int selected;                  /* passes the form filter */
};

struct dataset {
	struct vault *v;
	struct loaded *forms;          /* sorted by hash, for lookups */
	size_t nforms;
	const struct form **order;     /* selected, loading forms: id, newest first */
	size_t norder;
	char form_id[FORM_ID_MAX + 1];
	char since[DATASET_DATE_LEN + 1];
	char from[DATASET_DATE_LEN + 1], before[DATASET_DATE_LEN + 1];
};

const char *
dataset_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

enum status
dataset_check_date(const char *s)
{
	return s != NULL && clock_parse_day(s, strlen(s), NULL) ? ST_OK : ST_INVALID;
}

static int
loaded_by_hash(const void *a, const void *b)
{
	return strcmp(((const struct loaded *)a)->hash, ((const struct loaded *)b)->hash);
}

/* By id, then newest version first (versions compare as numbers do). */
static int
form_order(const void *a, const void *b)
{
	const struct form *x = *(const struct form *const *)a, *y = *(const struct form *const *)b;
	int c = strcmp(form_id(x), form_id(y));

	if (c != 0)
		return c;
	c = strverscmp(form_version(y), form_version(x));
	return c != 0 ? c : strcmp(form_hash(x), form_hash(y));
}

/* Loads the form stored under l->hash; its referrals file comes from
 * forms_dir, or from ref (another stored source) when ref is not NULL. */
static enum status
load_one(struct dataset *ds, struct loaded *l, const char *forms_dir, const struct loaded *ref,
    char *err, size_t errlen)
{
	char name[4096], why[512] = "";
	struct diag_list dl;
	char *src = NULL, *rsrc = NULL;
	size_t len = 0, rlen = 0;
	enum status st;

	st = vault_form_get(ds->v, l->hash, &src, &len);
	if (st == ST_OK && ref != NULL)
		st = vault_form_get(ds->v, ref->hash, &rsrc, &rlen);
	if (st != ST_OK) {
		vault_plain_free(src, len);
		status_msg(err, errlen, "%s", vault_errmsg(ds->v));
		return st;
	}
	if (snprintf(name, sizeof name, "%s/stored-form-%.12s.yaml", forms_dir ? forms_dir : ".",
	    l->hash) >= (int)sizeof name) {
		vault_plain_free(src, len);
		vault_plain_free(rsrc, rlen);
		status_msg(err, errlen, "the forms directory path is too long");
		return ST_INVALID;
	}
	diag_list_init(&dl);
	if (ref != NULL)
		st = form_load_buffers(name, src, len, "stored referrals", rsrc, rlen, &l->form, &dl);
	else
		st = form_load_buffer(name, src, len, &l->form, &dl);
	vault_plain_free(src, len);
	vault_plain_free(rsrc, rlen);
	if (ref != NULL && st != ST_OK) {
		/* A failed retry keeps the first reason. */
		diag_list_free(&dl);
		return st == ST_NOMEM ? ST_NOMEM : ST_OK;
	}
	if (st == ST_OK && ref != NULL) {
		free(l->why);
		l->why = NULL;
	}
	if (st == ST_OK)
		st = form_set_hash(l->form, l->hash);
	else if (st == ST_INVALID || st == ST_IO) {
		/* Kept, not fatal: only records taken with this form need it. */
		if (dl.count > 0)
			diag_format(&dl.items[0], why, sizeof why);
		else
			snprintf(why, sizeof why, "it no longer loads");
		l->why = strdup(why);
		st = l->why != NULL ? ST_OK : ST_NOMEM;
	}
	diag_list_free(&dl);
	if (st != ST_OK)
		status_msg(err, errlen, "%s", status_str(st));
	return st;
}

enum status
dataset_open(struct vault *v, const char *forms_dir, const struct dataset_filter *filter,
    struct dataset **out, char *err, size_t errlen)
{
	struct dataset *ds;
	char (*hashes)[65] = NULL;
	size_t n = 0, any = 0;
	enum status st;

	*out = NULL;
	if (filter != NULL && filter->since != NULL && dataset_check_date(filter->since) != ST_OK) {
		status_msg(err, errlen, "'%s' is not a date: give it as YYYY-MM-DD, e.g. 2024-03-01",
		    filter->since);
		return ST_INVALID;
	}
	if (filter != NULL && filter->form_id != NULL && strlen(filter->form_id) > FORM_ID_MAX) {
		status_msg(err, errlen, "no form '%.48s...' in this vault", filter->form_id);
		return ST_INVALID;
	}
	if ((ds = calloc(1, sizeof *ds)) == NULL) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	ds->v = v;
	if (filter != NULL && filter->form_id != NULL)
		snprintf(ds->form_id, sizeof ds->form_id, "%s", filter->form_id);
	if (filter != NULL && filter->since != NULL)
		memcpy(ds->since, filter->since, DATASET_DATE_LEN + 1);
	if ((st = vault_form_list(v, &hashes, &n)) != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		goto failed;
	}
	ds->forms = calloc(n ? n : 1, sizeof *ds->forms);
	ds->order = calloc(n ? n : 1, sizeof *ds->order);
	if (ds->forms == NULL || ds->order == NULL) {
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory");
		goto failed;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(ds->forms[i].hash, hashes[i], sizeof ds->forms[i].hash);
		ds->nforms++;
		if ((st = load_one(ds, &ds->forms[i], forms_dir, NULL, err, errlen)) != ST_OK)
			goto failed;
	}
	/* A form imported from a bundle may name referrals this installation
	 * lacks: the bundle's referrals file is stored too (it does not load
	 * as a form), so try the stored sources that are not forms. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; ds->forms[i].form == NULL && j < n; j++)
			if (j != i && ds->forms[j].form == NULL &&
			    (st = load_one(ds, &ds->forms[i], forms_dir, &ds->forms[j], err,
			    errlen)) != ST_OK)
				goto failed;
	for (size_t i = 0; i < n; i++) {
		struct loaded *l = &ds->forms[i];

		if (l->form == NULL)
			continue;
		l->selected = ds->form_id[0] == '\0' || strcmp(form_id(l->form), ds->form_id) == 0;
		any += l->selected;
		if (l->selected)
			ds->order[ds->norder++] = l->form;
	}
	if (ds->form_id[0] != '\0' && any == 0) {
		status_msg(err, errlen, "no form '%s' in this vault: records are saved with the forms "
		    "they were taken with, and none has this id", ds->form_id);
		st = ST_INVALID;
		goto failed;
	}
	qsort(ds->forms, ds->nforms, sizeof *ds->forms, loaded_by_hash);
	qsort(ds->order, ds->norder, sizeof *ds->order, form_order);
	free(hashes);
	*out = ds;
	return ST_OK;
failed:
	free(hashes);
	dataset_free(ds);
	return st;
}

void
dataset_free(struct dataset *ds)
{
	if (ds == NULL)
		return;
	for (size_t i = 0; i < ds->nforms; i++) {
		form_free(ds->forms[i].form);
		free(ds->forms[i].why);
	}
	free(ds->forms);
	free(ds->order);
	free(ds);
}

size_t
dataset_form_count(const struct dataset *ds)
{
	return ds->norder;
}

const struct form *
dataset_form(const struct dataset *ds, size_t i)
{
	return i < ds->norder ? ds->order[i] : NULL;
}

struct scan_ctx {
	struct dataset *ds;
	dataset_fn fn;
	void *ctx;
	struct dataset_counts *counts;
	enum status st;
	char *err;
	size_t errlen;
};

enum status
dataset_set_period(struct dataset *ds, const char *from, const char *before)
{
	if ((from != NULL && dataset_check_date(from) != ST_OK) ||
	    (before != NULL && dataset_check_date(before) != ST_OK))
		return ST_INVALID;
	ds->from[0] = ds->before[0] = '\0';
	if (from != NULL)
		memcpy(ds->from, from, DATASET_DATE_LEN + 1);
	if (before != NULL)
		memcpy(ds->before, before, DATASET_DATE_LEN + 1);
	return ST_OK;
}

/* Whether an interview started on day started (a timestamp beginning
 * YYYY-MM-DD) lies in the dataset's period; a record without a start date
 * lies in no bounded period. */
static int
in_period(const struct dataset *ds, const char *started)
{
	if (ds->from[0] == '\0' && ds->before[0] == '\0')
		return 1;
	if (strlen(started) < DATASET_DATE_LEN)
		return 0;
	return (ds->from[0] == '\0' || strncmp(started, ds->from, DATASET_DATE_LEN) >= 0) &&
	    (ds->before[0] == '\0' || strncmp(started, ds->before, DATASET_DATE_LEN) < 0);
}

/* Selection happens here, on the decrypted record, because a record's
 * training flag, form and dates live only inside its sealed JSON. */
static int
scan_one(void *arg, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct scan_ctx *c = arg;
	struct dataset *ds = c->ds;
	struct loaded key, *l;
	const char *when;
	json_t *rec, *form;
	int stop;

	if (st != ST_OK) {
		c->counts->damaged++;
		return 0;
	}
	rec = jsonr_load(json, len, 0, NULL);
	form = json_object_get(rec, "form");
	if (!json_is_object(rec) || !json_is_object(form) ||
	    strlen(dataset_str(form, "hash")) != 64) {
		c->counts->damaged++;
		json_decref(rec);
		return 0;
	}
	if (json_is_true(json_object_get(rec, "training"))) {
		c->counts->training++;
		json_decref(rec);
		return 0;
	}
	when = dataset_str(rec, "ended");
	if (*when == '\0')
		when = dataset_str(rec, "started");
	if ((ds->form_id[0] != '\0' && strcmp(dataset_str(form, "id"), ds->form_id) != 0) ||
	    (ds->since[0] != '\0' && strncmp(when, ds->since, DATASET_DATE_LEN) < 0) ||
	    !in_period(ds, dataset_str(rec, "started"))) {
		c->counts->other++;
		json_decref(rec);
		return 0;
	}
	memcpy(key.hash, dataset_str(form, "hash"), sizeof key.hash);
	l = bsearch(&key, ds->forms, ds->nforms, sizeof *ds->forms, loaded_by_hash);
	if (l == NULL || l->form == NULL) {
		struct case_code code;

		record_id_code(id, &code);
		if (l == NULL)
			status_msg(c->err, c->errlen, "record %s names form %s (%.12s), which is not in this "
			    "vault: the vault is incomplete; restore it from a backup", code.s,
			    dataset_str(form, "id"), key.hash);
		else
			status_msg(c->err, c->errlen, "the form of record %s (%s %s) no longer loads: %s",
			    code.s, dataset_str(form, "id"), dataset_str(form, "version"), l->why);
		c->st = ST_INVALID;
		json_decref(rec);
		return 1;
	}
	c->counts->selected++;
	stop = c->fn(c->ctx, id, json, len, rec, l->form);
	json_decref(rec);
	return stop;
}

enum status
dataset_scan(struct dataset *ds, dataset_fn fn, void *ctx, struct dataset_counts *counts,
    char *err, size_t errlen)
{
	struct scan_ctx c = { ds, fn, ctx, counts, ST_OK, err, errlen };
	enum status st;

	memset(counts, 0, sizeof *counts);
	st = vault_record_scan(ds->v, scan_one, &c);
	if (st != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(ds->v));
		return st;
	}
	return c.st;
}
