/*
 * recordutil.h — for tests that must plant what the program refuses to
 * write: a training record in a real vault (to prove that export, statistics
 * and bundles still leave it out if one ever got there).
 */
#ifndef INTAKE_RECORDUTIL_H
#define INTAKE_RECORDUTIL_H

#include "interview.h"
#include "vault.h"

/* record_save without its training rule: straight through the vault. */
static inline enum status
tu_save_unchecked(struct vault *v, struct interview *iv, struct record_id *id)
{
	char hex[2 * VAULT_ID_BYTES + 1];
	char *json = NULL, *sum = NULL;
	size_t jl = 0, sl = 0;
	enum status st;

	if ((st = vault_record_id_new(v, id)) != ST_OK)
		return st;
	record_id_hex(id, hex);
	if ((st = interview_set_record_id(iv, hex)) != ST_OK ||
	    (st = interview_to_json(iv, &json, &jl)) != ST_OK ||
	    (st = interview_summary_json(iv, &sum, &sl)) != ST_OK)
		goto out;
	st = vault_record_put_as(v, id, json, jl, sum, sl);
out:
	interview_json_free(json, jl);
	interview_json_free(sum, sl);
	return st;
}

#endif
