/*
 * vault_items.c — what the vault holds for its users: records and their
 * summaries and history, debriefs (training vaults), drafts, forms,
 * deletion of a record, batch import of a bundle, and statistics releases.
 * Each write is one vault_write_txn (vault_store.c) that also writes its audit
 * entry (vault_audit.c) and updates the listing (vault_listing.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "vault_int.h"

/* ---- records ------------------------------------------------------------- */

/* Whether a key beginning with prefix[plen] exists in dbi. */
static int
prefix_taken(MDB_txn *txn, MDB_dbi dbi, const unsigned char *prefix, size_t plen, int *taken)
{
	MDB_cursor *cur;
	MDB_val k = { plen, vault_unconst(prefix) }, d;
	int rc;

	*taken = 0;
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	if (rc == 0)
		*taken = k.mv_size >= plen && memcmp(k.mv_data, prefix, plen) == 0;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Whether the record id is in dbi (*here), and if not, whether another
 * key begins with its case code (*taken): keys with one prefix lie
 * together, so the key at or after id and the one before it say both in
 * one search. */
static int
id_place(MDB_txn *txn, MDB_dbi dbi, const unsigned char id[VAULT_ID_BYTES], int *here,
    int *taken)
{
	MDB_cursor *cur;
	MDB_val k = { VAULT_ID_BYTES, vault_unconst(id) }, d;
	int rc;

	*here = *taken = 0;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	if (rc == 0) {
		*here = k.mv_size == VAULT_ID_BYTES && memcmp(k.mv_data, id, VAULT_ID_BYTES) == 0;
		*taken = !*here && k.mv_size >= CODE_BYTES && memcmp(k.mv_data, id, CODE_BYTES) == 0;
		rc = *here || *taken ? 0 : mdb_cursor_get(cur, &k, &d, MDB_PREV);
	} else if (rc == MDB_NOTFOUND) {
		rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	}
	if (rc == 0 && !*here && !*taken)
		*taken = k.mv_size >= CODE_BYTES && memcmp(k.mv_data, id, CODE_BYTES) == 0;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The highest history version of a record (0 when never replaced). */
static int
history_count(MDB_txn *txn, MDB_dbi dbi, const unsigned char id[VAULT_ID_BYTES],
    uint32_t *count)
{
	unsigned char probe[HISTORY_KEY];
	MDB_cursor *cur;
	MDB_val k = { HISTORY_KEY, probe }, d;
	int rc;

	*count = 0;
	memcpy(probe, id, VAULT_ID_BYTES);
	memset(probe + VAULT_ID_BYTES, 0xFF, 4);
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	if (rc == 0 && !(k.mv_size == HISTORY_KEY && memcmp(k.mv_data, probe, HISTORY_KEY) == 0))
		rc = mdb_cursor_get(cur, &k, &d, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	if (rc == 0 && k.mv_size == HISTORY_KEY && memcmp(k.mv_data, id, VAULT_ID_BYTES) == 0)
		*count = get_be32((const unsigned char *)k.mv_data + VAULT_ID_BYTES);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

struct record_put_arg {
	const char *json;
	size_t len;
	const char *summary;
	size_t summary_len;
	struct record_id id;
	int fixed_id;           /* the caller chose the id (vault_record_put_as) */
};

static int
record_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct record_put_arg *a = argp;
	MDB_val key = { VAULT_ID_BYTES, a->id.b };
	int rc, taken = 1;

	/* Case codes show the first 40 bits of the id: keep them unique, so a
	 * code names one record and vault_record_find is one lookup. */
	if (a->fixed_id) {
		rc = prefix_taken(txn, v->dbi[DB_RECORDS], a->id.b, CODE_BYTES, &taken);
		if (rc != 0)
			return rc;
		if (taken) {
			vault_fail(v, ST_EXISTS, "a record with this case code already exists");
			return vault_txn_fail(v, ST_EXISTS);
		}
	}
	for (int tries = 0; taken; tries++) {
		if (tries == 64) {
			vault_fail(v, ST_INTERNAL, "cannot find a free record id");
			return vault_txn_fail(v, ST_INTERNAL);
		}
		crypto_random(a->id.b, VAULT_ID_BYTES);
		rc = prefix_taken(txn, v->dbi[DB_RECORDS], a->id.b, CODE_BYTES, &taken);
		if (rc != 0)
			return rc;
	}
	rc = vault_item_put(v, txn, KIND_RECORD, &key, v->user, a->json, a->len, MDB_NOOVERWRITE);
	if (rc == 0 && a->summary != NULL)
		rc = vault_item_put(v, txn, KIND_SUMMARY, &key, v->user, a->summary,
		    a->summary_len, 0);
	if (rc == 0 && a->summary != NULL)
		rc = vault_listing_put(v, txn, a->id.b, v->user, a->summary, a->summary_len);
	if (rc == 0)
		rc = vault_audit_record_txn(v, txn, AUDIT_RECORD_CREATE, &a->id, NULL);
	return rc;
}

enum status
vault_record_put(struct vault *v, const char *json, size_t len,
    const char *summary, size_t summary_len, struct record_id *out)
{
	struct record_put_arg arg = { json, len, summary, summary_len, { {0} }, 0 };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = vault_check_content(v, json, len, "record", 0)) != ST_OK)
		return st;
	if (summary != NULL && (st = vault_check_summary(v, summary, summary_len)) != ST_OK)
		return st;
	st = vault_write_txn(v, "saving the record", record_put_txn, &arg);
	if (st == ST_OK && out != NULL)
		*out = arg.id;
	return st;
}

enum status
vault_record_id_new(struct vault *v, struct record_id *out)
{
	MDB_txn *txn;
	enum status st;
	int rc, taken = 1;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "choosing a record id");
	for (int tries = 0; taken && tries < 64; tries++) {
		crypto_random(out->b, VAULT_ID_BYTES);
		rc = prefix_taken(txn, v->dbi[DB_RECORDS], out->b, CODE_BYTES, &taken);
		if (rc != 0)
			break;
	}
	mdb_txn_abort(txn);
	if (rc != 0)
		return vault_fail_mdb(v, rc, "choosing a record id");
	if (taken)
		return vault_fail(v, ST_INTERNAL, "cannot find a free record id");
	return ST_OK;
}

enum status
vault_record_put_as(struct vault *v, const struct record_id *id, const char *json,
    size_t len, const char *summary, size_t summary_len)
{
	struct record_put_arg arg = { json, len, summary, summary_len, *id, 1 };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = vault_check_content(v, json, len, "record", 0)) != ST_OK)
		return st;
	if (summary != NULL && (st = vault_check_summary(v, summary, summary_len)) != ST_OK)
		return st;
	return vault_write_txn(v, "saving the record", record_put_txn, &arg);
}

/* An item of `kind` keyed by a record id, for a user allowed to read it
 * (its owner or a supervisor); label names it in messages. */
static enum status
owned_get(struct vault *v, enum kind kind, const char *label, const struct record_id *id,
    char **json, size_t *len)
{
	char what[80], owner[VAULT_USER_MAX + 1];
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(id->b) };
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, label, id);
	if ((st = vault_item_get(v, kind, &key, what, owner, json, len)) != ST_OK)
		return st;
	if (!vault_may_access(v, owner)) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return vault_fail_denied(v, what);
	}
	return ST_OK;
}

enum status
vault_record_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	return owned_get(v, KIND_RECORD, "record", id, json, len);
}

enum status
vault_summary_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	return owned_get(v, KIND_SUMMARY, "summary of record", id, json, len);
}

struct record_replace_arg {
	const struct record_id *id;
	const char *json;
	size_t len;
	const char *summary;
	size_t summary_len;
	const char *what;
	const char *reason;
};

static int
record_replace_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct record_replace_arg *a = argp;
	char owner[VAULT_USER_MAX + 1];
	unsigned char hkey[HISTORY_KEY];
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(a->id->b) }, hk = { HISTORY_KEY, hkey }, val;
	char *old = NULL;
	size_t oldlen = 0;
	uint32_t count;
	enum status st;
	int rc;

	rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val);
	if (rc == MDB_NOTFOUND) {
		vault_fail(v, ST_NOTFOUND, "no %s in this vault", a->what);
		return vault_txn_fail(v, ST_NOTFOUND);
	}
	if (rc != 0)
		return rc;
	/* The current version must open: replacing a damaged record would
	 * destroy the evidence of the damage. */
	st = vault_env_open(v, KIND_RECORD, &key, &val, owner, &old, &oldlen);
	if (st == ST_DENIED)
		return vault_txn_fail(v, vault_fail_denied(v, a->what));
	if (st != ST_OK)
		return vault_txn_fail(v, vault_fail_open(v, st, a->what));
	if (!vault_may_access(v, owner)) {
		rc = vault_txn_fail(v, vault_fail_denied(v, a->what));
		goto done;
	}
	if (a->reason == NULL && !vault_allowed(v, VAULT_RIGHT_AMEND_ALL)) {
		rc = vault_txn_fail(v, vault_fail(v, ST_INVALID,
		    "give a reason for amending %s: it is kept in "
		    "the audit trail", a->what));
		goto done;
	}
	rc = history_count(txn, v->dbi[DB_HISTORY], a->id->b, &count);
	if (rc != 0)
		goto done;
	if (count == UINT32_MAX) {
		rc = vault_txn_fail(v, vault_fail(v, ST_FULL, "%s has too many versions", a->what));
		goto done;
	}
	memcpy(hkey, a->id->b, VAULT_ID_BYTES);
	put_be32(hkey + VAULT_ID_BYTES, count + 1);
	rc = vault_item_put(v, txn, KIND_HISTORY, &hk, owner, old, oldlen, MDB_NOOVERWRITE);
	if (rc == 0)
		rc = vault_item_put(v, txn, KIND_RECORD, &key, owner, a->json, a->len, 0);
	if (rc == 0 && a->summary != NULL)
		rc = vault_item_put(v, txn, KIND_SUMMARY, &key, owner, a->summary,
		    a->summary_len, 0);
	if (rc == 0 && a->summary != NULL)
		rc = vault_listing_update(v, txn, a->id->b, owner, a->summary, a->summary_len);
	if (rc == 0)
		rc = vault_audit_record_txn(v, txn, AUDIT_RECORD_AMEND, a->id, a->reason);
done:
	vault_plain_free(old, oldlen);
	return rc;
}

enum status
vault_record_replace(struct vault *v, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len)
{
	return vault_record_amend(v, id, json, len, summary, summary_len, NULL);
}

enum status
vault_record_amend(struct vault *v, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len,
    const char *reason)
{
	char what[64];
	struct record_replace_arg arg = { id, json, len, summary, summary_len, what, reason };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (reason != NULL && (st = vault_check_reason(reason, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if ((st = vault_check_content(v, json, len, "record", 0)) != ST_OK)
		return st;
	if (summary != NULL && (st = vault_check_summary(v, summary, summary_len)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, "record", id);
	return vault_write_txn(v, "saving the record", record_replace_txn, &arg);
}

enum status
vault_record_versions(struct vault *v, const struct record_id *id, unsigned *count)
{
	MDB_txn *txn;
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(id->b) }, val;
	char what[64];
	uint32_t c = 0;
	enum status st;
	int rc;

	*count = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, "record", id);
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the vault");
	rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val);
	if (rc == 0)
		rc = history_count(txn, v->dbi[DB_HISTORY], id->b, &c);
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return vault_fail(v, ST_NOTFOUND, "no %s in this vault", what);
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the vault");
	*count = c;
	return ST_OK;
}

enum status
vault_record_history(struct vault *v, const struct record_id *id,
    unsigned version, char **json, size_t *len)
{
	char what[96], owner[VAULT_USER_MAX + 1];
	unsigned char hkey[HISTORY_KEY];
	MDB_val key = { HISTORY_KEY, hkey };
	struct case_code code;
	unsigned count;
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_ALL)) != ST_OK)
		return st;
	if ((st = vault_record_versions(v, id, &count)) != ST_OK)
		return st;
	record_id_code(id, &code);
	if (version == 0 || version > count)
		return vault_fail(v, ST_NOTFOUND, "record %s has %u earlier version%s; there is no "
		    "version %u", code.s, count, count == 1 ? "" : "s", version);
	snprintf(what, sizeof what, "version %u of record %s", version, code.s);
	memcpy(hkey, id->b, VAULT_ID_BYTES);
	put_be32(hkey + VAULT_ID_BYTES, version);
	st = vault_item_get(v, KIND_HISTORY, &key, what, owner, json, len);
	if (st == ST_NOTFOUND)
		return vault_fail(v, ST_TAMPERED,
		    "%s is missing from the history: it was deleted on "
		    "disk; restore the vault from a backup", what);
	if (st != ST_OK)
		return st;
	if (!vault_may_access(v, owner)) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return vault_fail_denied(v, what);
	}
	return ST_OK;
}

/* Collects the ids of keys `prefix || id` (prefix may be empty) of db. */
static enum status
list_ids(struct vault *v, enum db db, const unsigned char *prefix, size_t plen,
    struct record_id **out, size_t *n)
{
	struct record_id *ids = NULL, *grown;
	size_t count = 0, cap = 0;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k = { plen, vault_unconst(prefix) }, d;
	enum status st = ST_OK;
	int rc;

	*out = NULL;
	*n = 0;
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[db], &cur);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &d, plen > 0 ? MDB_SET_RANGE : MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		if (plen > 0 && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		/* A key of the wrong size is damage for `intake verify` to
		 * report; it must not hide the good ids after it. */
		if (k.mv_size != plen + VAULT_ID_BYTES)
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(ids, cap * sizeof *ids);
			if (grown == NULL) {
				st = vault_fail(v, ST_NOMEM,
				    "out of memory while listing the %s", db_names[db]);
				goto done;
			}
			ids = grown;
		}
		memcpy(ids[count++].b, (const unsigned char *)k.mv_data + plen, VAULT_ID_BYTES);
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		st = vault_fail_mdb(v, rc, "listing the vault");
		goto done;
	}
	*out = ids;
	*n = count;
	ids = NULL;
done:
	free(ids);
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

enum status
vault_record_list(struct vault *v, struct record_id **out, size_t *n)
{
	enum status st;

	*out = NULL;
	*n = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	return list_ids(v, DB_RECORDS, NULL, 0, out, n);
}

enum status
vault_record_find(struct vault *v, const char *code, struct record_id *out)
{
	unsigned char prefix[CODE_BYTES];
	struct case_code canon;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k = { CODE_BYTES, prefix }, d;
	uint64_t bits = 0;
	unsigned dg[9];
	enum status st;
	int rc;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if ((st = vault_code_decode(code, dg, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	vault_code_format(dg, &canon);
	for (size_t i = 0; i < 8; i++)
		bits = bits << 5 | dg[i];
	for (size_t i = 0; i < CODE_BYTES; i++)
		prefix[i] = (unsigned char)(bits >> (8 * (CODE_BYTES - 1 - i)));
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_RECORDS], &cur);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	if (rc == 0 && k.mv_size == VAULT_ID_BYTES && memcmp(k.mv_data, prefix, CODE_BYTES) == 0) {
		memcpy(out->b, k.mv_data, VAULT_ID_BYTES);
		st = ST_OK;
	} else if (rc == 0 || rc == MDB_NOTFOUND) {
		st = vault_fail(v, ST_NOTFOUND, "no record with case code %s in this vault",
		    canon.s);
	} else {
		st = vault_fail_mdb(v, rc, "finding the record");
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

/* Walks db in one read snapshot, decrypting each item into the scratch
 * buffer and handing it to fn (see vault_scan_fn). */
static enum status
scan(struct vault *v, enum kind kind, vault_scan_fn fn, void *ctx)
{
	char owner[VAULT_USER_MAX + 1];
	struct record_id id;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, d;
	enum status st = ST_OK;
	int rc;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (v->scanning)
		return vault_fail(v, ST_BUSY, "a scan of the vault is already running");
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[kinds[kind].db], &cur);
	v->scanning = 1;
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		size_t plen = vault_env_plain_len(kind, &d), off = 0, clen = 0;
		unsigned char *buf = NULL, *content = NULL;
		enum status ist = ST_TAMPERED;
		int stop;

		vault_map_tick(v, &d);
		if (k.mv_size != VAULT_ID_BYTES) {
			/* One planted key must not hide every item after it:
			 * report it (with a zero id) and go on. */
			memset(id.b, 0, sizeof id.b);
			vault_fail(v, ST_TAMPERED,
			    "the %s table of %s is damaged (a key of %zu bytes): "
			    "restore the vault from a backup", db_names[kinds[kind].db], v->dir, k.mv_size);
			if (fn(ctx, &id, ST_TAMPERED, NULL, 0))
				break;
			continue;
		}
		if (!v->unlocked) {
			st = vault_fail(v, ST_LOCKED, "the vault was locked during the scan");
			break;
		}
		memcpy(id.b, k.mv_data, VAULT_ID_BYTES);
		if (plen > 0) {
			buf = vault_scratch_get(v, plen + 1);
			if (buf == NULL) {
				st = vault_fail(v, ST_NOMEM,
				    "out of memory while reading the vault");
				break;
			}
			ist = vault_env_decrypt(v, kind, &k, &d, buf, owner, &off, &clen);
			if (ist == ST_OK)
				ist = vault_env_content(v, &d, buf, off, &clen, &content);
		}
		if (ist == ST_DENIED) {
			/* Wrapped for someone else: not this user's to see. */
			vault_scratch_done(v, plen + 1);
			continue;
		}
		if (ist == ST_OK && !(kind == KIND_DEBRIEF ? vault_may_read_debrief(v, owner)
		    : vault_may_access(v, owner))) {
			vault_scratch_done(v, plen + 1);
			continue;
		}
		if (ist == ST_OK)
			content[clen] = '\0';
		/* A refused frame (ST_FORMAT) is damage to a scan, as vault.h says. */
		stop = fn(ctx, &id, ist == ST_FORMAT ? ST_TAMPERED : ist,
		    ist == ST_OK ? (const char *)content : NULL, ist == ST_OK ? clen : 0);
		if (buf != NULL)
			vault_scratch_done(v, plen + 1);
		if (stop)
			break;
	}
	v->scanning = 0;
	vault_pack_settle(v);
	vault_map_tick(v, NULL);
	if (st == ST_OK && rc != 0 && rc != MDB_NOTFOUND)
		st = vault_fail_mdb(v, rc, "reading the vault");
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

enum status
vault_record_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	return scan(v, KIND_RECORD, fn, ctx);
}

enum status
vault_summary_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	return scan(v, KIND_SUMMARY, fn, ctx);
}

/* ---- debriefs (training vaults) ------------------------------------------ */

static enum status
need_debriefs(struct vault *v)
{
	enum status st = vault_need_unlocked(v);

	return st != ST_OK ? st : vault_check_training(v, 1);
}

struct debrief_put_arg {
	const char *json;
	size_t len;
	struct record_id id;
};

static int
debrief_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct debrief_put_arg *a = argp;
	MDB_val key = { VAULT_ID_BYTES, a->id.b };
	int rc = MDB_KEYEXIST;

	for (int tries = 0; rc == MDB_KEYEXIST && tries < 64; tries++) {
		crypto_random(a->id.b, VAULT_ID_BYTES);
		rc = vault_item_put(v, txn, KIND_DEBRIEF, &key, v->user, a->json, a->len,
		    MDB_NOOVERWRITE);
	}
	if (rc == MDB_KEYEXIST) {
		vault_fail(v, ST_INTERNAL, "cannot find a free debrief id");
		return vault_txn_fail(v, ST_INTERNAL);
	}
	return rc;
}

enum status
vault_debrief_put(struct vault *v, const char *json, size_t len, struct record_id *out)
{
	struct debrief_put_arg arg = { json, len, { {0} } };
	enum status st;

	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	if ((st = vault_check_content(v, json, len, "debrief", 0)) != ST_OK)
		return st;
	st = vault_write_txn(v, "saving the debrief", debrief_put_txn, &arg);
	if (st == ST_OK && out != NULL)
		*out = arg.id;
	return st;
}

enum status
vault_debrief_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	char what[64], owner[VAULT_USER_MAX + 1];
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(id->b) };
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, "debrief", id);
	st = vault_item_get(v, KIND_DEBRIEF, &key, what, owner, json, len);
	if (st != ST_OK && st != ST_DENIED)
		return st;
	if (st == ST_DENIED || !vault_may_read_debrief(v, owner)) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return vault_fail(v, ST_DENIED,
		    "%s belongs to another trainee: only they, a trainer or a "
		    "supervisor can read it", what);
	}
	return ST_OK;
}

enum status
vault_debrief_list(struct vault *v, struct record_id **out, size_t *n)
{
	enum status st;

	*out = NULL;
	*n = 0;
	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	return list_ids(v, DB_DEBRIEFS, NULL, 0, out, n);
}

enum status
vault_debrief_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	enum status st;

	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	return scan(v, KIND_DEBRIEF, fn, ctx);
}

/* ---- drafts --------------------------------------------------------------- */

static size_t
draft_key(const struct vault *v, const struct record_id *id, unsigned char buf[KEY_MAX])
{
	size_t ulen = strlen(v->user);

	memcpy(buf, v->user, ulen);
	buf[ulen] = 0;
	memcpy(buf + ulen + 1, id->b, VAULT_ID_BYTES);
	return ulen + 1 + VAULT_ID_BYTES;
}

static int
id_is_zero(const struct record_id *id)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < VAULT_ID_BYTES; i++)
		acc |= id->b[i];
	return acc == 0;
}

struct draft_put_arg {
	struct record_id id;
	int fresh;
	const char *json;
	size_t len;
};

static int
draft_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct draft_put_arg *a = argp;
	unsigned char kbuf[KEY_MAX];
	MDB_val key;

	if (a->fresh) {
		do
			crypto_random(a->id.b, VAULT_ID_BYTES);
		while (id_is_zero(&a->id));
	}
	key.mv_size = draft_key(v, &a->id, kbuf);
	key.mv_data = kbuf;
	return vault_item_put(v, txn, KIND_DRAFT, &key, v->user, a->json, a->len,
	    a->fresh ? MDB_NOOVERWRITE : 0);
}

enum status
vault_draft_put(struct vault *v, struct record_id *id, const char *json, size_t len)
{
	struct draft_put_arg arg;
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = vault_check_content(v, json, len, "draft", 0)) != ST_OK)
		return st;
	arg.id = *id;
	arg.fresh = id_is_zero(id);
	arg.json = json;
	arg.len = len;
	st = vault_write_txn(v, "saving the draft", draft_put_txn, &arg);
	if (st == ST_OK)
		*id = arg.id;
	return st;
}

enum status
vault_draft_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	char what[64], owner[VAULT_USER_MAX + 1];
	unsigned char kbuf[KEY_MAX];
	MDB_val key;
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, "draft", id);
	key.mv_size = draft_key(v, id, kbuf);
	key.mv_data = kbuf;
	if ((st = vault_item_get(v, KIND_DRAFT, &key, what, owner, json, len)) != ST_OK)
		return st;
	if (strcmp(owner, v->user) != 0) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return vault_fail_open(v, ST_TAMPERED, what);
	}
	return ST_OK;
}

enum status
vault_draft_list(struct vault *v, struct record_id **out, size_t *n)
{
	unsigned char prefix[VAULT_USER_MAX + 1];
	size_t ulen;
	enum status st;

	*out = NULL;
	*n = 0;
	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	ulen = strlen(v->user);
	memcpy(prefix, v->user, ulen);
	prefix[ulen] = 0;
	return list_ids(v, DB_DRAFTS, prefix, ulen + 1, out, n);
}

struct draft_delete_arg {
	MDB_val key;
	const char *what;
};

static int
draft_delete_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct draft_delete_arg *a = argp;
	int rc = mdb_del(txn, v->dbi[DB_DRAFTS], &a->key, NULL);

	if (rc == MDB_NOTFOUND) {
		vault_fail(v, ST_NOTFOUND, "no %s in this vault", a->what);
		return vault_txn_fail(v, ST_NOTFOUND);
	}
	return rc;
}

enum status
vault_draft_delete(struct vault *v, const struct record_id *id)
{
	unsigned char kbuf[KEY_MAX];
	char what[64];
	struct draft_delete_arg arg = { { 0, kbuf }, what };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, "draft", id);
	arg.key.mv_size = draft_key(v, id, kbuf);
	return vault_write_txn(v, "deleting the draft", draft_delete_txn, &arg);
}

struct draft_discard_arg {
	const char *owner;
	const struct record_id *id;
	const char *reason;
	const char *what;
};

static int
draft_discard_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct draft_discard_arg *a = argp;
	unsigned char kbuf[KEY_MAX];
	size_t olen = strlen(a->owner);
	MDB_val key = { olen + 1 + VAULT_ID_BYTES, kbuf };
	struct audit_entry e;
	int rc;

	memcpy(kbuf, a->owner, olen + 1);
	memcpy(kbuf + olen + 1, a->id->b, VAULT_ID_BYTES);
	rc = mdb_del(txn, v->dbi[DB_DRAFTS], &key, NULL);
	if (rc == MDB_NOTFOUND) {
		vault_fail(v, ST_NOTFOUND, "no %s of %s in this vault", a->what, a->owner);
		return vault_txn_fail(v, ST_NOTFOUND);
	}
	if (rc != 0)
		return rc;
	audit_entry_init(&e, AUDIT_DRAFT_DISCARD, v->user);
	e.has_record = true;
	e.record = *a->id;
	snprintf(e.subject, sizeof e.subject, "%s", a->owner);
	snprintf(e.reason, sizeof e.reason, "%s", a->reason);
	rc = vault_audit_put_txn(v, txn, &e);
	secure_wipe(&e, sizeof e);
	return rc;
}

enum status
vault_draft_discard(struct vault *v, const char *owner, const struct record_id *id,
    const char *reason)
{
	char what[64];
	struct draft_discard_arg arg = { owner, id, reason, what };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if (owner == NULL || strcmp(owner, v->user) == 0)
		arg.owner = v->user;
	else if (!vault_allowed(v, VAULT_RIGHT_DELETE))
		return vault_fail(v, ST_DENIED,
		    "this draft belongs to %s: only they or a supervisor can discard it", owner);
	else if (strlen(owner) > VAULT_USER_MAX)
		return vault_fail(v, ST_NOTFOUND, "no user %.32s... in this vault", owner);
	if ((st = vault_check_reason(reason, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, "draft", id);
	/* Like deleting a record: a way to make a full vault usable again. */
	v->headroom = 1;
	st = vault_write_txn(v, "discarding the draft", draft_discard_txn, &arg);
	v->headroom = 0;
	return st;
}

enum status
vault_draft_others(struct vault *v, struct vault_draft_ref **out, size_t *n)
{
	struct vault_draft_ref *refs = NULL, *grown;
	size_t count = 0, cap = 0;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, d;
	enum status st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = vault_require(v, VAULT_RIGHT_DELETE)) != ST_OK)
		return st;
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_DRAFTS], &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		const unsigned char *kb = k.mv_data;
		size_t ulen;

		/* Keys are owner NUL id; a malformed one is for verify. */
		if (k.mv_size <= VAULT_ID_BYTES + 1 || k.mv_size - VAULT_ID_BYTES - 1 > VAULT_USER_MAX)
			continue;
		ulen = k.mv_size - VAULT_ID_BYTES - 1;
		if (kb[ulen] != 0 || memchr(kb, 0, ulen) != NULL)
			continue;
		if (strlen(v->user) == ulen && memcmp(kb, v->user, ulen) == 0)
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(refs, cap * sizeof *refs);
			if (grown == NULL) {
				st = vault_fail(v, ST_NOMEM, "out of memory while listing the drafts");
				goto done;
			}
			refs = grown;
		}
		memcpy(refs[count].owner, kb, ulen);
		refs[count].owner[ulen] = 0;
		memcpy(refs[count].id.b, kb + ulen + 1, VAULT_ID_BYTES);
		count++;
	}
	if (rc != MDB_NOTFOUND) {
		st = vault_fail_mdb(v, rc, "listing the drafts");
		goto done;
	}
	*out = refs;
	*n = count;
	refs = NULL;
	st = ST_OK;
done:
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	free(refs);
	return st;
}

/* ---- forms ---------------------------------------------------------------- */

struct form_put_arg {
	const char *src;
	size_t len;
	unsigned char hash[CRYPTO_HASH_BYTES];
};

static int
form_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct form_put_arg *a = argp;
	MDB_val key = { CRYPTO_HASH_BYTES, a->hash }, val;
	int rc;

	/* Same source, same key: a form is stored once. */
	rc = mdb_get(txn, v->dbi[DB_FORMS], &key, &val);
	if (rc != MDB_NOTFOUND)
		return rc;
	return vault_item_put(v, txn, KIND_FORM, &key, v->user, a->src, a->len, MDB_NOOVERWRITE);
}

enum status
vault_form_put(struct vault *v, const char *src, size_t len, char hash_hex[65])
{
	struct form_put_arg arg;
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = vault_check_content(v, src, len, "form", 0)) != ST_OK)
		return st;
	arg.src = src;
	arg.len = len;
	crypto_digest(arg.hash, src, len);
	if ((st = vault_write_txn(v, "saving the form", form_put_txn, &arg)) != ST_OK)
		return st;
	crypto_bin2hex(hash_hex, arg.hash, CRYPTO_HASH_BYTES);
	return ST_OK;
}

enum status
vault_form_get(struct vault *v, const char *hash_hex, char **src, size_t *len)
{
	unsigned char hash[CRYPTO_HASH_BYTES], got[CRYPTO_HASH_BYTES];
	char what[96], owner[VAULT_USER_MAX + 1];
	MDB_val key = { CRYPTO_HASH_BYTES, hash };
	enum status st;

	*src = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (crypto_hex2bin(hash, sizeof hash, hash_hex) != ST_OK)
		return vault_fail(v, ST_INVALID, "not a form hash: expected 64 hexadecimal digits");
	snprintf(what, sizeof what, "form %.16s", hash_hex);
	if ((st = vault_item_get(v, KIND_FORM, &key, what, owner, src, len)) != ST_OK)
		return st;
	crypto_digest(got, *src, *len);
	if (!crypto_equal(got, hash, sizeof hash)) {
		vault_plain_free(*src, *len);
		*src = NULL;
		*len = 0;
		return vault_fail_open(v, ST_TAMPERED, what);
	}
	return ST_OK;
}

/* ---- deletion ------------------------------------------------------------ */

struct record_delete_arg {
	const struct record_id *id;
	const char *reason;
	const char *what;
};

static int
record_delete_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct record_delete_arg *a = argp;
	unsigned char probe[HISTORY_KEY];
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(a->id->b) }, k, d;
	MDB_cursor *cur;
	int rc;

	rc = mdb_del(txn, v->dbi[DB_RECORDS], &key, NULL);
	if (rc == MDB_NOTFOUND) {
		vault_fail(v, ST_NOTFOUND, "no %s in this vault", a->what);
		return vault_txn_fail(v, ST_NOTFOUND);
	}
	if (rc == 0)
		rc = mdb_del(txn, v->dbi[DB_SUMMARIES], &key, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if ((rc = vault_listing_drop(v, txn, a->id->b)) != 0)
		return rc;
	rc = mdb_cursor_open(txn, v->dbi[DB_HISTORY], &cur);
	if (rc != 0)
		return rc;
	memcpy(probe, a->id->b, VAULT_ID_BYTES);
	memset(probe + VAULT_ID_BYTES, 0, 4);
	for (;;) {
		k.mv_size = HISTORY_KEY;
		k.mv_data = probe;
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
		if (rc != 0 || k.mv_size != HISTORY_KEY ||
		    memcmp(k.mv_data, a->id->b, VAULT_ID_BYTES) != 0)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	return vault_audit_record_txn(v, txn, AUDIT_RECORD_DELETE, a->id, a->reason);
}

enum status
vault_record_delete(struct vault *v, const struct record_id *id, const char *reason)
{
	char what[64];
	struct record_delete_arg arg = { id, reason, what };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_DELETE)) != ST_OK)
		return st;
	if ((st = vault_check_reason(reason, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	vault_describe(what, sizeof what, "record", id);
	/* Deleting is how a full vault is made usable again: allow the headroom. */
	v->headroom = 1;
	st = vault_write_txn(v, "deleting the record", record_delete_txn, &arg);
	v->headroom = 0;
	return st;
}

enum status
vault_form_list(struct vault *v, char (**out)[65], size_t *n)
{
	char (*hashes)[65] = NULL, (*grown)[65];
	size_t count = 0, cap = 0;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, d;
	enum status st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = vault_need_unlocked(v)) != ST_OK)
		return st;
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_FORMS], &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		if (k.mv_size != CRYPTO_HASH_BYTES) {
			st = vault_fail(v, ST_TAMPERED,
			    "the forms table of %s is damaged (a key of %zu "
			    "bytes): restore the vault from a backup", v->dir, k.mv_size);
			goto done;
		}
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(hashes, cap * sizeof *hashes);
			if (grown == NULL) {
				st = vault_fail(v, ST_NOMEM,
				    "out of memory while listing the forms");
				goto done;
			}
			hashes = grown;
		}
		crypto_bin2hex(hashes[count++], k.mv_data, CRYPTO_HASH_BYTES);
	}
	if (rc != MDB_NOTFOUND) {
		st = vault_fail_mdb(v, rc, "listing the forms");
		goto done;
	}
	*out = hashes;
	*n = count;
	hashes = NULL;
done:
	free(hashes);
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

/* ---- batch import --------------------------------------------------------- */

struct import_arg {
	const struct vault_import_form *forms;
	size_t nforms;
	const struct vault_import_record *recs;
	size_t nrecs;
	unsigned char *added;
	size_t imported;
	size_t skipped;
};

/* Record i of an import, with its summary, listing entry and audit entry,
 * in txn; its envelopes from pa when they were made ahead. */
static int
import_one(struct vault *v, MDB_txn *txn, struct import_arg *a, size_t i,
    struct pack_ahead *pa, MDB_val *touch)
{
	const struct vault_import_record *r = &a->recs[i];
	const unsigned char *jf = NULL, *sf = NULL;
	size_t jl = 0, sl = 0;
	/* Taken first, for every record, skipped or not (vault_int.h). */
	int ahead = pa != NULL && vault_pack_ahead_take(pa, i, &jf, &jl, &sf, &sl) == 0;
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(r->id.b) };
	int rc, here, taken;

	vault_map_tick(v, touch);
	if ((rc = id_place(txn, v->dbi[DB_RECORDS], r->id.b, &here, &taken)) != 0)
		return rc;
	if (here) {
		a->skipped++;
		if (a->added != NULL)
			a->added[i] = 0;
		return 0;
	}
	if (taken) {
		struct case_code code;

		record_id_code(&r->id, &code);
		vault_fail(v, ST_EXISTS,
		    "record %s has the case code of a different record already "
		    "in this vault, so it cannot keep its id; nothing was imported", code.s);
		return vault_txn_fail(v, ST_EXISTS);
	}
	rc = ahead ? vault_item_put_sealed(v, txn, KIND_RECORD, &key, jf, jl, MDB_NOOVERWRITE) :
	    vault_item_put(v, txn, KIND_RECORD, &key, v->user, r->json, r->len, MDB_NOOVERWRITE);
	if (rc == 0 && r->summary != NULL)
		rc = ahead ? vault_item_put_sealed(v, txn, KIND_SUMMARY, &key, sf, sl, 0) :
		    vault_item_put(v, txn, KIND_SUMMARY, &key, v->user, r->summary,
		    r->summary_len, 0);
	if (rc == 0 && r->summary != NULL)
		rc = vault_listing_put(v, txn, r->id.b, v->user, r->summary, r->summary_len);
	/* In the trail like any new record, or verify would call it planted. */
	if (rc == 0)
		rc = vault_audit_record_txn(v, txn, AUDIT_RECORD_CREATE, &r->id,
		    "imported from a transfer bundle");
	if (rc != 0)
		return rc;
	a->imported++;
	if (a->added != NULL)
		a->added[i] = 1;
	return 0;
}

/* The records of an import, IMPORT_PART at a time in a transaction nested
 * in txn. LMDB keeps the pages a transaction changed in a list sorted by
 * page number, inserting each one where it belongs; the pages an import
 * takes from the free list come in no order, so one list for 20,000
 * records made every insertion move thousands of entries (a sixth of the
 * storing thread's time). A nested transaction's list stays short, and
 * is merged into its parent's in one pass when it commits. All of it is
 * still one transaction: nothing is written before txn commits. */
#define IMPORT_PART 512

static size_t part_fail;
static int part_fail_commit;

void
vault_test_part_fail(size_t nth, int at_commit)
{
	part_fail = nth;
	part_fail_commit = at_commit;
}

/* mdb_txn_begin of the import's part n (from 1), or its commit. */
static int
part_begin(struct vault *v, MDB_txn *txn, size_t n, MDB_txn **part)
{
	if (n == part_fail && !part_fail_commit)
		return ENOMEM;
	return mdb_txn_begin(v->env, txn, 0, part);
}

static int
part_commit(MDB_txn *part, size_t n)
{
	if (n == part_fail && part_fail_commit) {
		mdb_txn_abort(part);    /* as a failed commit leaves it */
		return ENOMEM;
	}
	return mdb_txn_commit(part);
}

static int
import_records(struct vault *v, MDB_txn *txn, struct import_arg *a, MDB_val *touch)
{
	struct pack_ahead *pa = vault_pack_ahead_start(v, a->recs, a->nrecs);
	MDB_txn *part = NULL, *outer = v->wtxn;
	size_t parts = 0;
	int rc = 0;

	for (size_t i = 0; i < a->nrecs && rc == 0; i++) {
		if (part == NULL && (rc = part_begin(v, txn, ++parts, &part)) != 0)
			break;
		/* The parent may not be used while a child is open: code
		 * that reads the write transaction from the handle (the
		 * owner's key when sealing) reads the child. */
		v->wtxn = part;
		rc = import_one(v, part, a, i, pa, touch);
		if (rc == 0 && ((i + 1) % IMPORT_PART == 0 || i + 1 == a->nrecs)) {
			v->wtxn = outer;
			rc = part_commit(part, parts);
			part = NULL;
		}
	}
	v->wtxn = outer;
	if (part != NULL)
		mdb_txn_abort(part);
	vault_pack_ahead_stop(pa);
	return rc;
}

/* The forms and records of an import; the records' listing entries in one
 * batch (vault_listing_batch_begin). */
static int
import_items(struct vault *v, MDB_txn *txn, struct import_arg *a)
{
	unsigned char hash[CRYPTO_HASH_BYTES];
	MDB_val key, val, touch;
	int rc;

	/* vault_write_txn may run this again after growing the map: start afresh. */
	a->imported = 0;
	a->skipped = 0;
	/* The pages the lookups below touch are let go as a scan's are. */
	vault_map_lookups(v, txn, &touch);
	for (size_t i = 0; i < a->nforms; i++) {
		crypto_digest(hash, a->forms[i].src, a->forms[i].len);
		key.mv_size = sizeof hash;
		key.mv_data = hash;
		rc = mdb_get(txn, v->dbi[DB_FORMS], &key, &val);
		if (rc == 0)
			continue;
		if (rc != MDB_NOTFOUND)
			return rc;
		rc = vault_item_put(v, txn, KIND_FORM, &key, v->user, a->forms[i].src,
		    a->forms[i].len, MDB_NOOVERWRITE);
		if (rc != 0)
			return rc;
	}
	vault_listing_batch_begin(v);
	rc = import_records(v, txn, a, &touch);
	return vault_listing_batch_end(v, txn, rc);
}

static int
import_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct import_arg *a = argp;
	struct audit_entry e;
	int rc;

	/* The audit head is signed once, with the import's own entry, not
	 * after every record's entry, and so are the records' entries: each
	 * is written AUDIT2_DEFERRED, linked into the chain but with no
	 * signature of its own, and the import's entry, signed by the same
	 * writer right after them in the same transaction, signs the link
	 * that covers them all. A signature a record was a fifth of an
	 * import's work, and checking them most of verify's. */
	v->head_hold = 1;
	v->head_held = 0;
	v->audit_defer = 1;
	rc = import_items(v, txn, a);
	v->audit_defer = 0;
	v->head_hold = 0;
	if (rc == 0) {
		audit_entry_init(&e, AUDIT_BUNDLE_IMPORT, v->user);
		e.count = a->imported > UINT32_MAX ? UINT32_MAX : (uint32_t)a->imported;
		memcpy(e.reason, v->import_note, sizeof v->import_note);
		rc = vault_audit_put_txn(v, txn, &e);
		secure_wipe(&e, sizeof e);
	}
	v->head_held = 0;
	return rc;
}

void
vault_import_note(struct vault *v, const char *note)
{
	size_t cut = note != NULL ? strlen(note) : 0;

	/* Cut at a character boundary: an audit entry holds UTF-8 only. */
	if (cut > VAULT_REASON_MAX) {
		cut = VAULT_REASON_MAX;
		while (cut > 0 && ((unsigned char)note[cut] & 0xC0) == 0x80)
			cut--;
	}
	memset(v->import_note, 0, sizeof v->import_note);
	if (cut > 0)
		memcpy(v->import_note, note, cut);
}

static enum status
import_run(struct vault *v, const struct vault_import_form *forms, size_t nforms,
    const struct vault_import_record *recs, size_t nrecs, unsigned char *added,
    size_t *imported, size_t *skipped)
{
	struct import_arg arg = { forms, nforms, recs, nrecs, added, 0, 0 };
	enum status st;

	*imported = 0;
	*skipped = 0;
	if ((st = vault_need_supervisor(v, "import records")) != ST_OK)
		return st;
	for (size_t i = 0; i < nforms; i++)
		if ((st = vault_check_content(v, forms[i].src, forms[i].len, "form", 0)) != ST_OK)
			return st;
	for (size_t i = 0; i < nrecs; i++) {
		if ((st = vault_check_content(v, recs[i].json, recs[i].len, "record", 0)) != ST_OK)
			return st;
		if (recs[i].summary != NULL && (st = vault_check_summary(v, recs[i].summary,
		    recs[i].summary_len)) != ST_OK)
			return st;
	}
	st = vault_write_txn(v, "importing the records", import_txn, &arg);
	if (st == ST_OK) {
		*imported = arg.imported;
		*skipped = arg.skipped;
	}
	return st;
}

enum status
vault_import(struct vault *v, const struct vault_import_form *forms, size_t nforms,
    const struct vault_import_record *recs, size_t nrecs, unsigned char *added,
    size_t *imported, size_t *skipped)
{
	enum status st = import_run(v, forms, nforms, recs, nrecs, added, imported, skipped);

	vault_import_note(v, NULL);
	return st;
}

/* ---- statistics releases ----------------------------------------------------
 *
 * The table "releases", created by the first release: key "plan" or a
 * period name, value an envelope "release" (owner: the supervisor who
 * made it). Every item is written once (MDB_NOOVERWRITE) and never
 * changed or deleted: a release, once published, stays what it was.
 */

struct release_put_arg {
	const char *name, *json, *plan;
	size_t len, plan_len;
};

static int
release_item_put(struct vault *v, MDB_txn *txn, MDB_dbi dbi, const char *name,
    const char *content, size_t clen)
{
	MDB_val key = { strlen(name), vault_unconst(name) };
	MDB_val val = { vault_env_size(strlen(v->user), clen), NULL };
	enum status st;
	int rc;

	rc = mdb_put(txn, dbi, &key, &val, MDB_NOOVERWRITE | MDB_RESERVE);
	if (rc == MDB_KEYEXIST) {
		vault_fail(v, ST_EXISTS,
		    "%s has already been released: a release is never replaced",
		    name);
		return vault_txn_fail(v, ST_EXISTS);
	}
	if (rc != 0)
		return rc;
	st = vault_env_seal(v, KIND_RELEASE, &key, v->user, content, clen, val.mv_data);
	return st == ST_OK ? 0 : vault_txn_fail(v, st);
}

static int
release_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct release_put_arg *a = argp;
	MDB_dbi dbi;
	int rc;

	if ((rc = mdb_dbi_open(txn, RELEASES_DB, MDB_CREATE, &dbi)) != 0)
		return rc;
	if (a->plan != NULL && (rc = release_item_put(v, txn, dbi, VAULT_RELEASE_PLAN, a->plan,
	    a->plan_len)) != 0)
		return rc;
	return release_item_put(v, txn, dbi, a->name, a->json, a->len);
}

static enum status
release_name_check(struct vault *v, const char *name)
{
	if (name == NULL || *name == '\0' || strlen(name) > VAULT_RELEASE_NAME_MAX)
		return vault_fail(v, ST_INVALID, "a release name is 1 to %d characters",
		    VAULT_RELEASE_NAME_MAX);
	return ST_OK;
}

enum status
vault_release_put(struct vault *v, const char *name, const char *json, size_t len,
    const char *plan, size_t plan_len)
{
	struct release_put_arg arg = { name, json, plan, len, plan_len };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_STATS)) != ST_OK ||
	    (st = release_name_check(v, name)) != ST_OK ||
	    (st = vault_check_content(v, json, len, "release", 0)) != ST_OK ||
	    (plan != NULL && (st = vault_check_content(v, plan, plan_len, "release plan",
	    0)) != ST_OK))
		return st;
	if (strcmp(name, VAULT_RELEASE_PLAN) == 0)
		return vault_fail(v, ST_INVALID, "'%s' is not a period", name);
	return vault_write_txn(v, "saving the release", release_put_txn, &arg);
}

enum status
vault_release_get(struct vault *v, const char *name, char **json, size_t *len)
{
	char owner[VAULT_USER_MAX + 1];
	MDB_val key, val;
	MDB_txn *txn;
	MDB_dbi dbi;
	enum status st;
	int rc;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_STATS)) != ST_OK ||
	    (st = release_name_check(v, name)) != ST_OK)
		return st;
	key.mv_size = strlen(name);
	key.mv_data = vault_unconst(name);
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the vault");
	rc = mdb_dbi_open(txn, RELEASES_DB, 0, &dbi);
	if (rc == 0)
		rc = mdb_get(txn, dbi, &key, &val);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
		mdb_txn_abort(txn);
		return vault_fail(v, ST_NOTFOUND, "%s has not been released", name);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return vault_fail_mdb(v, rc, "reading the vault");
	}
	st = vault_env_open(v, KIND_RELEASE, &key, &val, owner, json, len);
	mdb_txn_abort(txn);
	if (st != ST_OK) {
		char what[VAULT_RELEASE_NAME_MAX + 16];

		snprintf(what, sizeof what, "release %s", name);
		return vault_fail_open(v, st, what);
	}
	return ST_OK;
}

/* ---- inside a caller's transaction (vault_sites.c) ------------------------- */

int
vault_import_in(struct vault *v, MDB_txn *txn, const struct vault_import_form *forms,
    size_t nforms, const struct vault_import_record *recs, size_t nrecs, unsigned char *added,
    size_t *imported)
{
	struct import_arg arg = { forms, nforms, recs, nrecs, added, 0, 0 };
	int rc = import_txn(v, txn, &arg);

	*imported = arg.imported;
	return rc;
}

int
vault_record_replace_in(struct vault *v, MDB_txn *txn, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len, const char *what,
    const char *reason)
{
	struct record_replace_arg arg = { id, json, len, summary, summary_len, what, reason };

	return record_replace_txn(v, txn, &arg);
}

int
vault_record_delete_in(struct vault *v, MDB_txn *txn, const struct record_id *id,
    const char *what, const char *reason)
{
	struct record_delete_arg arg = { id, reason, what };

	return record_delete_txn(v, txn, &arg);
}

int
vault_history_count_in(struct vault *v, MDB_txn *txn, const struct record_id *id,
    uint32_t *count)
{
	return history_count(txn, v->dbi[DB_HISTORY], id->b, count);
}
