/*
 * vault_sites.c — what the vault keeps for signed transfer bundles
 * (bundle.h): at an office, the field sites it trusts and the number of the
 * last bundle imported from each; at a field site, the number of the last
 * bundle made for each office and how far in the audit trail it reached;
 * and applying a verified bundle in one transaction.
 *
 * Table "sites" (opened by name, created by the first write), each value an
 * envelope of kind "site" (owner: the supervisor who wrote it), the key
 * bound into it like any item's:
 *   "t" | site name  ->  "T1" | Ed25519 public key (32) | u64 last bundle
 *                        imported | u64 Unix seconds trusted
 *   "o" | office id (16)  ->  "O1" | u64 last bundle made | u64 audit
 *                        sequence it carried changes up to | u64 Unix seconds
 *                        (the id is bundle.c's, from the office's key and
 *                        the site's signing key)
 * Sealed rather than plain: whoever can write the files must not be able
 * to add a site of their own or wind a sequence number back, and the names
 * of sites (places) are not for every reader of the disk.
 *
 * Deletions that travel need no table of their own: the audit trail keeps
 * every deletion with its record id, time, actor and reason and nothing of
 * the content, chained and sealed; bundle.c reads tombstones from there.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "vault_int.h"

#define SITE_T_BYTES  (2 + VAULT_SITE_KEY_BYTES + 8 + 8)
#define SITE_O_BYTES  (2 + 8 + 8 + 8)
#define SITE_KEY_MAX  (1 + VAULT_USER_MAX)

static size_t
trust_key(const char *name, unsigned char k[SITE_KEY_MAX])
{
	size_t n = strlen(name);

	k[0] = 't';
	memcpy(k + 1, name, n);
	return n + 1;
}

static int
sites_dbi(MDB_txn *txn, unsigned flags, MDB_dbi *dbi)
{
	return mdb_dbi_open(txn, SITES_DB, flags, dbi);
}

/* Opens one "t" entry into out; ST_TAMPERED when it does not open or has
 * the wrong shape. */
static enum status
site_open(struct vault *v, const MDB_val *key, const MDB_val *val, struct vault_site *out)
{
	char *plain = NULL;
	size_t len = 0;
	enum status st;

	memset(out, 0, sizeof *out);
	st = vault_env_open(v, KIND_SITE, key, val, out->trusted_by, &plain, &len);
	if (st != ST_OK)
		return vault_fail_open(v, st, "an entry of the trusted sites");
	if (len != SITE_T_BYTES || memcmp(plain, "T1", 2) != 0 || key->mv_size < 2 ||
	    key->mv_size > SITE_KEY_MAX) {
		vault_plain_free(plain, len);
		return vault_fail(v, ST_TAMPERED, "an entry of the trusted sites is malformed: "
		    "run `intake verify` and restore the vault from a backup");
	}
	memcpy(out->name, (const char *)key->mv_data + 1, key->mv_size - 1);
	memcpy(out->pk, plain + 2, VAULT_SITE_KEY_BYTES);
	out->last_seq = get_be64((unsigned char *)plain + 2 + VAULT_SITE_KEY_BYTES);
	out->trusted_at = get_be64((unsigned char *)plain + 2 + VAULT_SITE_KEY_BYTES + 8);
	vault_plain_free(plain, len);
	return ST_OK;
}

/* Whether one entry of the table opens and has the layout its key's kind
 * ("t" trusted site, "o" office sent to) gives it, for vault_verify:
 * ST_OK, ST_TAMPERED (does not open, or malformed), ST_NOMEM. */
enum status
vault_site_entry_check(struct vault *v, const MDB_val *key, const MDB_val *val)
{
	char owner[VAULT_USER_MAX + 1], *plain = NULL;
	const unsigned char *k = key->mv_data;
	size_t len = 0;
	enum status st;
	int ok;

	if (key->mv_size < 2 || key->mv_size > SITE_KEY_MAX || (k[0] != 't' && k[0] != 'o') ||
	    (k[0] == 'o' && key->mv_size != 1 + VAULT_OFFICE_ID_BYTES))
		return ST_TAMPERED;
	st = vault_env_open(v, KIND_SITE, key, val, owner, &plain, &len);
	if (st == ST_NOMEM)
		return ST_NOMEM;
	if (st != ST_OK)
		return ST_TAMPERED;
	ok = k[0] == 't' ? len == SITE_T_BYTES && memcmp(plain, "T1", 2) == 0 :
	    len == SITE_O_BYTES && memcmp(plain, "O1", 2) == 0;
	vault_plain_free(plain, len);
	return ok ? ST_OK : ST_TAMPERED;
}

static int
site_put(struct vault *v, MDB_txn *txn, MDB_dbi dbi, const struct vault_site *s)
{
	unsigned char k[SITE_KEY_MAX], c[SITE_T_BYTES];
	MDB_val key = { trust_key(s->name, k), k };
	MDB_val val = { vault_env_size(strlen(s->trusted_by), sizeof c), NULL };
	int rc;

	memcpy(c, "T1", 2);
	memcpy(c + 2, s->pk, VAULT_SITE_KEY_BYTES);
	put_be64(c + 2 + VAULT_SITE_KEY_BYTES, s->last_seq);
	put_be64(c + 2 + VAULT_SITE_KEY_BYTES + 8, s->trusted_at);
	/* vault_item_put seals into the db of the kind: sealed by hand into
	 * this table, as releases are. */
	if ((rc = mdb_put(txn, dbi, &key, &val, MDB_RESERVE)) != 0)
		return rc;
	if (vault_env_seal(v, KIND_SITE, &key, s->trusted_by, c, sizeof c, val.mv_data) != ST_OK)
		return vault_txn_fail(v, vault_fail(v, ST_INTERNAL, "cannot seal a site entry"));
	return 0;
}

/* Walks the "t" entries in txn: fn returns 0 to go on, 1 to stop, or an
 * LMDB code / TXN_FAILED. A vault without the table has none. */
typedef int (*site_fn)(struct vault *v, void *ctx, const struct vault_site *s);

static int
site_walk(struct vault *v, MDB_txn *txn, site_fn fn, void *ctx)
{
	struct vault_site s;
	MDB_cursor *cur;
	MDB_dbi dbi;
	MDB_val k = { 1, "t" }, d;
	int rc;

	if ((rc = sites_dbi(txn, 0, &dbi)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		enum status st;

		if (k.mv_size < 1 || ((const char *)k.mv_data)[0] != 't')
			break;
		if ((st = site_open(v, &k, &d, &s)) != ST_OK) {
			rc = vault_txn_fail(v, st);
			break;
		}
		if ((rc = fn(v, ctx, &s)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	secure_wipe(&s, sizeof s);
	return rc == MDB_NOTFOUND || rc == 1 ? 0 : rc;
}

struct find_arg {
	const unsigned char *pk;
	const char *name;
	struct vault_site *out;
	int found;
};

static int
find_fn(struct vault *v, void *ctx, const struct vault_site *s)
{
	struct find_arg *a = ctx;

	(void)v;
	if ((a->pk != NULL && crypto_equal(a->pk, s->pk, VAULT_SITE_KEY_BYTES)) ||
	    (a->name != NULL && strcmp(a->name, s->name) == 0)) {
		*a->out = *s;
		a->found = 1;
		return 1;
	}
	return 0;
}

static enum status
need_sites(struct vault *v)
{
	return vault_need_supervisor(v, "manage the sites and offices of transfer bundles");
}

/* Runs a lookup in its own read transaction. */
static enum status
site_lookup(struct vault *v, struct find_arg *a)
{
	MDB_txn *txn;
	enum status st;
	int rc;

	if ((st = need_sites(v)) != ST_OK)
		return st;
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the trusted sites");
	rc = site_walk(v, txn, find_fn, a);
	mdb_txn_abort(txn);
	if (rc == TXN_FAILED)
		return v->txn_status != ST_OK ? v->txn_status : ST_TAMPERED;
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the trusted sites");
	return a->found ? ST_OK : ST_NOTFOUND;
}

enum status
vault_site_find(struct vault *v, const unsigned char pk[VAULT_SITE_KEY_BYTES],
    struct vault_site *out)
{
	struct find_arg a = { pk, NULL, out, 0 };
	enum status st = site_lookup(v, &a);

	if (st == ST_NOTFOUND)
		vault_fail(v, st, "no trusted site has this key");
	return st;
}

enum status
vault_site_get(struct vault *v, const char *name, struct vault_site *out)
{
	struct find_arg a = { NULL, name, out, 0 };
	enum status st = site_lookup(v, &a);

	if (st == ST_NOTFOUND)
		vault_fail(v, st, "no site named '%s' is trusted here (see `intake bundle "
		    "trusted`)", name);
	return st;
}

struct list_arg {
	struct vault_site *list;
	size_t n, cap;
};

static int
list_fn(struct vault *v, void *ctx, const struct vault_site *s)
{
	struct list_arg *a = ctx;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		struct vault_site *grown = realloc(a->list, cap * sizeof *grown);

		if (grown == NULL)
			return vault_txn_fail(v, vault_fail(v, ST_NOMEM, "out of memory"));
		a->list = grown;
		a->cap = cap;
	}
	a->list[a->n++] = *s;
	return 0;
}

enum status
vault_site_list(struct vault *v, struct vault_site **out, size_t *n)
{
	struct list_arg a = { NULL, 0, 0 };
	MDB_txn *txn;
	enum status st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = need_sites(v)) != ST_OK)
		return st;
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the trusted sites");
	rc = site_walk(v, txn, list_fn, &a);
	mdb_txn_abort(txn);
	if (rc != 0) {
		free(a.list);
		return rc == TXN_FAILED ? v->txn_status : vault_fail_mdb(v, rc,
		    "reading the trusted sites");
	}
	*out = a.list;
	*n = a.n;
	return ST_OK;
}

struct trust_arg {
	const char *name;
	const unsigned char *pk;
	const char *note;
	int add;
};

static int
audit_site(struct vault *v, MDB_txn *txn, enum audit_action a, const char *name,
    const char *note)
{
	struct audit_entry e;
	int rc;

	audit_entry_init(&e, a, v->user);
	snprintf(e.subject, sizeof e.subject, "%s", name);
	snprintf(e.reason, sizeof e.reason, "%s", note ? note : "");
	rc = vault_audit_put_txn(v, txn, &e);
	secure_wipe(&e, sizeof e);
	return rc;
}

static int
trust_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct trust_arg *a = argp;
	struct vault_site s;
	struct find_arg f = { a->pk, a->name, &s, 0 };
	unsigned char k[SITE_KEY_MAX];
	MDB_val key = { trust_key(a->name, k), k };
	MDB_dbi dbi;
	int rc;

	if ((rc = sites_dbi(txn, MDB_CREATE, &dbi)) != 0)
		return rc;
	if (a->add) {
		if ((rc = site_walk(v, txn, find_fn, &f)) != 0)
			return rc;
		if (f.found) {
			vault_fail(v, ST_EXISTS, strcmp(s.name, a->name) == 0 ?
			    "a site named '%s' is trusted already: `intake bundle untrust %s` "
			    "first to give it a new key" : "this key is trusted already, as site "
			    "'%s'", s.name, s.name);
			return vault_txn_fail(v, ST_EXISTS);
		}
		memset(&s, 0, sizeof s);
		snprintf(s.name, sizeof s.name, "%s", a->name);
		memcpy(s.pk, a->pk, VAULT_SITE_KEY_BYTES);
		s.trusted_at = (uint64_t)clock_now();
		snprintf(s.trusted_by, sizeof s.trusted_by, "%s", v->user);
		if ((rc = site_put(v, txn, dbi, &s)) != 0)
			return rc;
		return audit_site(v, txn, AUDIT_SITE_TRUST, a->name, a->note);
	}
	rc = mdb_del(txn, dbi, &key, NULL);
	if (rc == MDB_NOTFOUND) {
		vault_fail(v, ST_NOTFOUND, "no site named '%s' is trusted here (see `intake bundle "
		    "trusted`)", a->name);
		return vault_txn_fail(v, ST_NOTFOUND);
	}
	if (rc != 0)
		return rc;
	return audit_site(v, txn, AUDIT_SITE_UNTRUST, a->name, a->note);
}

enum status
vault_site_trust(struct vault *v, const char *name, const unsigned char pk[VAULT_SITE_KEY_BYTES],
    const char *note)
{
	struct trust_arg a = { name, pk, note, 1 };
	enum status st;

	if ((st = need_sites(v)) != ST_OK)
		return st;
	if (vault_check_user_name(name, v->msg, sizeof v->msg) != ST_OK)
		return vault_fail(v, ST_INVALID, "a site name is 1 to %d characters, as a user name; "
		    "no control characters", VAULT_USER_MAX);
	return vault_write_txn(v, "trusting the site", trust_txn, &a);
}

enum status
vault_site_untrust(struct vault *v, const char *name, const char *note)
{
	struct trust_arg a = { name, NULL, note, 0 };
	enum status st;

	if ((st = need_sites(v)) != ST_OK)
		return st;
	if (strlen(name) > VAULT_USER_MAX || *name == '\0')
		return vault_fail(v, ST_NOTFOUND, "no such site");
	return vault_write_txn(v, "removing the site", trust_txn, &a);
}

/* ---- offices a field site sends to ---------------------------------------- */

static void
office_key(const unsigned char id[VAULT_OFFICE_ID_BYTES], unsigned char k[1 + VAULT_OFFICE_ID_BYTES])
{
	k[0] = 'o';
	memcpy(k + 1, id, VAULT_OFFICE_ID_BYTES);
}

/* The stored state of office id in txn (0, 0 when none). */
static int
office_read(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_OFFICE_ID_BYTES],
    uint64_t *seq, uint64_t *mark)
{
	unsigned char k[1 + VAULT_OFFICE_ID_BYTES];
	char owner[VAULT_USER_MAX + 1], *plain = NULL;
	size_t len = 0;
	MDB_val key = { sizeof k, k }, val;
	MDB_dbi dbi;
	enum status st;
	int rc;

	*seq = 0;
	*mark = 0;
	office_key(id, k);
	if ((rc = sites_dbi(txn, 0, &dbi)) != 0 || (rc = mdb_get(txn, dbi, &key, &val)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	st = vault_env_open(v, KIND_SITE, &key, &val, owner, &plain, &len);
	if (st != ST_OK)
		return vault_txn_fail(v, vault_fail_open(v, st, "the record of bundles sent to an "
		    "office"));
	if (len != SITE_O_BYTES || memcmp(plain, "O1", 2) != 0) {
		vault_plain_free(plain, len);
		return vault_txn_fail(v, vault_fail(v, ST_TAMPERED, "the record of bundles sent to "
		    "an office is malformed: run `intake verify`"));
	}
	*seq = get_be64((unsigned char *)plain + 2);
	*mark = get_be64((unsigned char *)plain + 10);
	vault_plain_free(plain, len);
	return 0;
}

enum status
vault_office_state(struct vault *v, const unsigned char id[VAULT_OFFICE_ID_BYTES],
    uint64_t *seq, uint64_t *mark)
{
	MDB_txn *txn;
	enum status st;
	int rc;

	*seq = 0;
	*mark = 0;
	if ((st = need_sites(v)) != ST_OK)
		return st;
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the bundles sent");
	rc = office_read(v, txn, id, seq, mark);
	mdb_txn_abort(txn);
	if (rc == TXN_FAILED)
		return v->txn_status;
	return rc != 0 ? vault_fail_mdb(v, rc, "reading the bundles sent") : ST_OK;
}

struct sent_arg {
	const unsigned char *id;
	uint64_t seq, mark;
};

static int
sent_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct sent_arg *a = argp;
	unsigned char k[1 + VAULT_OFFICE_ID_BYTES], c[SITE_O_BYTES];
	MDB_val key = { sizeof k, k }, val = { vault_env_size(strlen(v->user), sizeof c), NULL };
	uint64_t seq, mark;
	MDB_dbi dbi;
	int rc;

	if ((rc = office_read(v, txn, a->id, &seq, &mark)) != 0)
		return rc;
	if (seq + 1 != a->seq) {
		vault_fail(v, ST_EXISTS, "another bundle for this office (number %llu) was made "
		    "meanwhile: make this one again", (unsigned long long)seq);
		return vault_txn_fail(v, ST_EXISTS);
	}
	if ((rc = sites_dbi(txn, MDB_CREATE, &dbi)) != 0)
		return rc;
	office_key(a->id, k);
	memcpy(c, "O1", 2);
	put_be64(c + 2, a->seq);
	put_be64(c + 10, a->mark);
	put_be64(c + 18, (uint64_t)clock_now());
	if ((rc = mdb_put(txn, dbi, &key, &val, MDB_RESERVE)) != 0)
		return rc;
	if (vault_env_seal(v, KIND_SITE, &key, v->user, c, sizeof c, val.mv_data) != ST_OK)
		return vault_txn_fail(v, vault_fail(v, ST_INTERNAL, "cannot seal the office entry"));
	return 0;
}

enum status
vault_office_sent(struct vault *v, const unsigned char id[VAULT_OFFICE_ID_BYTES], uint64_t seq,
    uint64_t mark)
{
	struct sent_arg a = { id, seq, mark };
	enum status st;

	if ((st = need_sites(v)) != ST_OK)
		return st;
	return vault_write_txn(v, "noting the bundle sent", sent_txn, &a);
}

/* ---- applying a bundle ----------------------------------------------------- */

static int
apply_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct vault_bundle_apply *a = argp;
	struct vault_import_record *first = NULL;
	unsigned char *added = NULL;
	struct vault_site s;
	struct find_arg f = { a->site_pk, NULL, &s, 0 };
	size_t nfirst = 0;
	MDB_dbi dbi;
	int rc;

	/* vault_write_txn may run this again after growing the map. */
	a->imported = a->amended = a->amended_records = a->deleted = 0;
	if ((rc = sites_dbi(txn, MDB_CREATE, &dbi)) != 0 ||
	    (rc = site_walk(v, txn, find_fn, &f)) != 0)
		return rc;
	if (!f.found) {
		vault_fail(v, ST_DENIED, "the site that signed this bundle is no longer trusted "
		    "here; nothing was imported");
		return vault_txn_fail(v, ST_DENIED);
	}
	if (s.last_seq != a->expect_last) {
		vault_fail(v, ST_EXISTS, "another import of site %s's bundles ran meanwhile (it is "
		    "now at bundle %llu); import this one again; nothing was imported", s.name,
		    (unsigned long long)s.last_seq);
		return vault_txn_fail(v, ST_EXISTS);
	}
	/* Records this vault lacks come in through the batch import, from
	 * their first version; the import skips those it holds, and says
	 * which it added. */
	first = calloc(a->nvers ? a->nvers : 1, sizeof *first);
	added = calloc(a->nvers ? a->nvers : 1, 1);
	if (first == NULL || added == NULL) {
		free(first);
		free(added);
		return vault_txn_fail(v, vault_fail(v, ST_NOMEM, "out of memory"));
	}
	for (size_t i = 0; i < a->nvers; i++)
		if (a->vers[i].version == 1) {
			first[nfirst].id = a->vers[i].id;
			first[nfirst].json = a->vers[i].json;
			first[nfirst].len = a->vers[i].len;
			first[nfirst].summary = a->vers[i].summary;
			first[nfirst++].summary_len = a->vers[i].summary_len;
		}
	rc = vault_import_in(v, txn, a->forms, a->nforms, first, nfirst, added, &a->imported);
	free(first);
	for (size_t i = 0, k = 0, held = 0, was = 0; i < a->nvers && rc == 0; i++) {
		const struct vault_apply_version *ver = &a->vers[i];
		char what[64];
		uint32_t earlier;

		if (ver->version == 1) {
			/* The versions of one record follow its first: how many
			 * this vault holds is read once, before any is added. A
			 * record just imported holds its first alone; one held
			 * before is looked up only when later versions follow. */
			was = !added[k++];
			held = 1;
			if (was && i + 1 < a->nvers && a->vers[i + 1].version > 1 &&
			    (rc = vault_history_count_in(v, txn, &ver->id, &earlier)) == 0)
				held = (size_t)earlier + 1;
			continue;
		}
		if (ver->version <= held)
			continue;
		vault_describe(what, sizeof what, "record", &ver->id);
		if ((rc = vault_record_replace_in(v, txn, &ver->id, ver->json, ver->len,
		    ver->summary, ver->summary_len, what, ver->reason)) != 0)
			break;
		a->amended++;
		/* Counted at the first version added to a record held before. */
		if (was && a->vers[i - 1].version <= held)
			a->amended_records++;
	}
	free(added);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < a->ndels; i++) {
		MDB_val key = { VAULT_ID_BYTES, vault_unconst(a->dels[i].id.b) }, val;
		char what[64];

		if ((rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val)) == MDB_NOTFOUND)
			continue;       /* never here, or deleted already */
		if (rc != 0)
			return rc;
		vault_describe(what, sizeof what, "record", &a->dels[i].id);
		if ((rc = vault_record_delete_in(v, txn, &a->dels[i].id, what,
		    a->dels[i].reason)) != 0)
			return rc;
		a->deleted++;
	}
	s.last_seq = a->seq;
	rc = site_put(v, txn, dbi, &s);
	secure_wipe(&s, sizeof s);
	return rc;
}

enum status
vault_bundle_apply(struct vault *v, struct vault_bundle_apply *a)
{
	enum status st;

	if ((st = vault_need_supervisor(v, "import records")) != ST_OK)
		goto done;
	for (size_t i = 0; i < a->nforms && st == ST_OK; i++)
		st = vault_check_content(v, a->forms[i].src, a->forms[i].len, "form", 0);
	for (size_t i = 0; i < a->nvers && st == ST_OK; i++) {
		st = vault_check_content(v, a->vers[i].json, a->vers[i].len, "record", 0);
		if (st == ST_OK && a->vers[i].summary != NULL)
			st = vault_check_summary(v, a->vers[i].summary, a->vers[i].summary_len);
		if (st == ST_OK && a->vers[i].version > 1 && a->vers[i].reason != NULL)
			st = vault_check_reason(a->vers[i].reason, v->msg, sizeof v->msg);
	}
	for (size_t i = 0; i < a->ndels && st == ST_OK; i++)
		st = vault_check_reason(a->dels[i].reason, v->msg, sizeof v->msg);
	if (st == ST_OK) {
		/* Deletions may free a full vault, as vault_record_delete allows. */
		v->headroom = a->ndels > 0;
		st = vault_write_txn(v, "importing the bundle", apply_txn, a);
		v->headroom = 0;
	}
done:
	vault_import_note(v, NULL);
	return st;
}
