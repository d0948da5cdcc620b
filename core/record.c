/* record.c — interviews kept in a vault: saving, loading and amending
 * records and drafts, shared by the command line and the screens. */
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "jsonr.h"
#include "record.h"

/* A form is named by its id and version wherever people see it (the case
 * list, exports, statistics, bundles): two texts under one name would make
 * records of one read as records of the other. A form whose id and version
 * the vault already holds with another text is refused (bundle import
 * refuses the same, the other way round). */
static enum status
form_name_taken(struct vault *v, const struct form *f, const char *src, size_t len,
    char *err, size_t errlen)
{
	char (*hashes)[65] = NULL, id[FORM_ID_MAX + 1], ver[128];
	size_t n = 0;
	enum status st;

	if ((st = vault_form_list(v, &hashes, &n)) != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		return st;
	}
	for (size_t k = 0; k < n && st == ST_OK; k++) {
		char *have = NULL;
		size_t hlen = 0;
		int clash;

		if ((st = vault_form_get(v, hashes[k], &have, &hlen)) != ST_OK) {
			status_msg(err, errlen, "%s", vault_errmsg(v));
			break;
		}
		clash = (hlen != len || memcmp(have, src, len) != 0) &&
		    form_source_id_version(have, hlen, id, sizeof id, ver, sizeof ver) &&
		    strcmp(id, form_id(f)) == 0 && strcmp(ver, form_version(f)) == 0;
		vault_plain_free(have, hlen);
		if (clash) {
			status_msg(err, errlen, "the form '%s' version %s differs from the form of that "
			    "id and version this vault already holds (%.12s): one id and version must "
			    "name one text; give the changed form a new version", id, ver, hashes[k]);
			st = ST_INVALID;
		}
	}
	free(hashes);
	return st;
}

enum status
record_attach_form(struct vault *v, struct form *f, char *err, size_t errlen)
{
	char hash[65];
	const char *src;
	size_t len;
	enum status st;

	src = form_source(f, &len);
	if ((st = form_name_taken(v, f, src, len, err, errlen)) != ST_OK)
		return st;
	if ((st = vault_form_put(v, src, len, hash)) != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		return st;
	}
	if ((st = form_set_hash(f, hash)) != ST_OK)
		status_msg(err, errlen, "out of memory");
	return st;
}

enum status
record_save(struct vault *v, struct interview *iv, struct record_id *out)
{
	char hex[2 * VAULT_ID_BYTES + 1];
	char *json = NULL, *sum = NULL;
	size_t jlen = 0, slen = 0;
	enum status st;

	if (interview_state(iv) == IV_IN_PROGRESS)
		return ST_INVALID;
	if ((st = vault_check_training(v, interview_training(iv))) != ST_OK)
		return st;
	if ((st = vault_record_id_new(v, out)) != ST_OK)
		return st;
	if ((st = record_id_hex(out, hex)) != ST_OK ||
	    (st = interview_set_record_id(iv, hex)) != ST_OK ||
	    (st = interview_to_json(iv, &json, &jlen)) != ST_OK ||
	    (st = interview_summary_json(iv, &sum, &slen)) != ST_OK)
		goto out;
	st = vault_record_put_as(v, out, json, jlen, sum, slen);
out:
	interview_json_free(json, jlen);
	interview_json_free(sum, slen);
	return st;
}

enum status
record_draft_save(struct vault *v, struct interview *iv, struct record_id *draft)
{
	char *json = NULL;
	size_t len = 0;
	enum status st;

	if ((st = vault_check_training(v, interview_training(iv))) != ST_OK)
		return st;
	if ((st = interview_to_json(iv, &json, &len)) != ST_OK)
		return st;
	st = vault_draft_put(v, draft, json, len);
	interview_json_free(json, len);
	return st;
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

enum status
record_load(struct vault *v, const struct record_id *id, int draft,
    const char *forms_dir, struct form **f, struct interview **iv,
    char *err, size_t errlen)
{
	char *json = NULL;
	size_t len = 0;
	enum status st;

	*f = NULL;
	*iv = NULL;
	st = draft ? vault_draft_get(v, id, &json, &len) : vault_record_get(v, id, &json, &len);
	/* A record is not shown unless its viewing is in the audit trail. */
	if (st == ST_OK && !draft)
		st = audit_log(v, AUDIT_RECORD_VIEW, id, NULL);
	if (st != ST_OK) {
		snprintf(err, errlen, "%s", vault_errmsg(v));
		vault_plain_free(json, len);
		return st;
	}
	st = record_from_json(v, json, len, forms_dir, f, iv, err, errlen);
	vault_plain_free(json, len);
	return st;
}

enum status
record_from_json(struct vault *v, const char *json, size_t len, const char *forms_dir,
    struct form **f, struct interview **iv, char *err, size_t errlen)
{
	char name[4096];
	struct diag_list dl;
	json_t *o = NULL, *form;
	char *src = NULL;
	size_t srclen = 0;
	enum status st;

	*f = NULL;
	*iv = NULL;
	o = jsonr_load(json, len, 0, NULL);
	form = o ? json_object_get(o, "form") : NULL;
	if (form == NULL) {
		snprintf(err, errlen, "the record is not valid JSON naming its form");
		st = ST_TAMPERED;
		goto out;
	}
	if ((st = vault_form_get(v, jstr(form, "hash"), &src, &srclen)) != ST_OK) {
		snprintf(err, errlen, "%s", vault_errmsg(v));
		goto out;
	}
	if (snprintf(name, sizeof name, "%s/%s.yaml", forms_dir ? forms_dir : ".",
	    jstr(form, "id")) >= (int)sizeof name) {
		snprintf(err, errlen, "forms directory path too long");
		st = ST_INVALID;
		goto out;
	}
	diag_list_init(&dl);
	st = form_load_buffer(name, src, srclen, f, &dl);
	if (st != ST_OK) {
		if (dl.count > 0)
			diag_format(&dl.items[0], err, errlen);
		else
			snprintf(err, errlen, "the form of this record no longer loads");
	}
	diag_list_free(&dl);
	if (st != ST_OK)
		goto out;
	if ((st = form_set_hash(*f, jstr(form, "hash"))) != ST_OK ||
	    (st = interview_from_json(*f, json, len, iv, err, errlen)) != ST_OK) {
		form_free(*f);
		*f = NULL;
	}
out:
	json_decref(o);
	vault_plain_free(src, srclen);
	return st;
}

enum status
record_amend(struct vault *v, const struct record_id *id, struct interview *iv,
    const char *reason)
{
	char *json = NULL, *sum = NULL;
	size_t jlen = 0, slen = 0;
	enum status st;

	if (interview_state(iv) == IV_IN_PROGRESS)
		return ST_INVALID;
	if ((st = interview_to_json(iv, &json, &jlen)) == ST_OK &&
	    (st = interview_summary_json(iv, &sum, &slen)) == ST_OK)
		st = vault_record_amend(v, id, json, jlen, sum, slen, reason);
	interview_json_free(json, jlen);
	interview_json_free(sum, slen);
	return st;
}
