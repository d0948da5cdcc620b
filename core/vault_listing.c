/*
 * vault_listing.c — the case listing: the summaries again, sealed in
 * chunks of about a hundred, kept in step with every summary write, built
 * at unlock for vaults of earlier intakes, and read by the case list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault_int.h"

/* ---- the case listing ------------------------------------------------------
 *
 *   listing  u32 chunk number -> envelope "listing" (owner ""), whose content
 *            is a run of entries: record id (16) | u8 owner length | owner |
 *            u32 summary length | summary | NUL
 *
 * The summaries again, packed so that the case list reads 100,000 of them in
 * about a thousand decryptions instead of 100,000. It is derived data: every
 * write of a summary changes it in the same transaction (vault_listing_put,
 * vault_listing_update, vault_listing_drop), new entries go to the last
 * chunk until it holds LISTING_CHUNK bytes, a vault without it (from an
 * earlier intake) gets it at its next unlock (vault_listing_ensure), readers
 * fall back to the summaries when a chunk does not open, vault_verify
 * compares the two and
 * vault_listing_rebuild makes it again. Which record is in which chunk is
 * sealed inside it; the number and sizes of chunks show about as many
 * records as the summaries table does anyway. A damaged chunk never makes a
 * save fail: appends go to a new chunk and an entry that cannot be found is
 * added again.
 */

/* The listing's handle in this transaction: 0, MDB_NOTFOUND when the vault
 * has none, or an LMDB error. Opened each time, never cached: a listing
 * built by another process must be seen by this one's next write, and a
 * handle first opened in a transaction that aborts is closed with it. */
int
vault_listing_dbi(MDB_txn *txn, MDB_dbi *dbi)
{
	int rc = mdb_dbi_open(txn, db_names[DB_LISTING], 0, dbi);

	return rc == MDB_INCOMPATIBLE ? MDB_NOTFOUND : rc;
}

/* Chunks are decrypted into one buffer kept by the handle: a guarded
 * allocation per save would cost more than the rest of the listing's work. */
void
vault_lchunk_take(struct vault *v, struct lchunk *c, uint32_t no)
{
	c->p = v->lbuf;
	c->cap = v->lbuf_cap;
	c->len = 0;
	c->no = no;
	c->owner[0] = '\0';
	v->lbuf = NULL;
	v->lbuf_cap = 0;
}

/* Wipes the chunk and gives its buffer back (a large one is freed). */
void
vault_lchunk_give(struct vault *v, struct lchunk *c)
{
	if (c->cap > SCRATCH_KEEP || v->lbuf != NULL) {
		secure_free(c->p);      /* wipes */
	} else if (c->p != NULL) {
		secure_wipe(c->p, c->cap);
		v->lbuf = c->p;
		v->lbuf_cap = c->cap;
	}
	memset(c, 0, sizeof *c);
}

/* Room for need bytes; 0, or -1 when memory ran out. Touches nothing
 * but c: the listing scan's other thread calls it. */
static int
lchunk_grow(struct lchunk *c, size_t need)
{
	unsigned char *p;
	size_t cap = c->cap ? c->cap : LISTING_CHUNK + 4096;

	if (need <= c->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((p = secure_alloc(cap)) == NULL)
		return -1;
	if (c->len > 0)
		memcpy(p, c->p, c->len);
	secure_free(c->p);
	c->p = p;
	c->cap = cap;
	return 0;
}

/* The same in a write transaction: 0 or TXN_FAILED (out of memory). */
static int
lchunk_reserve(struct vault *v, struct lchunk *c, size_t need)
{
	if (lchunk_grow(c, need) == 0)
		return 0;
	vault_fail(v, ST_NOMEM, "out of memory while updating the case listing");
	return vault_txn_fail(v, ST_NOMEM);
}

/* The entry at *off of p[len]: 1 and *off moved past it, 0 at the end, -1
 * when what is there is not a whole entry. */
int
vault_lentry_next(const unsigned char *p, size_t len, size_t *off, struct lentry *e)
{
	size_t at = *off, olen, slen;

	if (at == len)
		return 0;
	if (len - at < LENTRY_FIXED)
		return -1;
	e->id = p + at;
	olen = p[at + VAULT_ID_BYTES];
	e->damaged = olen == LENTRY_DAMAGED;
	if (e->damaged)
		olen = 0;
	if (olen > VAULT_USER_MAX || len - at - LENTRY_FIXED < olen)
		return -1;
	memcpy(e->owner, p + at + VAULT_ID_BYTES + 1, olen);
	e->owner[olen] = '\0';
	slen = get_be32(p + at + VAULT_ID_BYTES + 1 + olen);
	if (slen > SUMMARY_MAX || len - at - LENTRY_FIXED - olen < slen ||
	    p[at + LENTRY_FIXED - 1 + olen + slen] != '\0' || (e->damaged && slen > 0))
		return -1;
	e->summary = (const char *)p + at + VAULT_ID_BYTES + 1 + olen + 4;
	e->len = slen;
	e->off = at;
	e->size = LENTRY_FIXED + olen + slen;
	*off = at + e->size;
	return 1;
}

/* Whether p[len] is a run of whole entries. */
static int
lentries_valid(const unsigned char *p, size_t len)
{
	struct lentry e;
	size_t off = 0;
	int r;

	while ((r = vault_lentry_next(p, len, &off, &e)) > 0)
		;
	return r == 0;
}

/* Format 2: whether every whole entry of p[len] is owner's or damaged. */
static int
lentries_owned(const unsigned char *p, size_t len, const char *owner)
{
	struct lentry e;
	size_t off = 0;

	while (vault_lentry_next(p, len, &off, &e) > 0)
		if (!e.damaged && strcmp(e.owner, owner) != 0)
			return 0;
	return 1;
}

/* Format 2: whether the chunk in val is wrapped for the key owner's items
 * are wrapped for (the xp in its clear header), without opening it. */
static int
lchunk_is_for(struct vault *v, const MDB_val *val, const unsigned char xp[CRYPTO_PK_BYTES])
{
	const unsigned char *c = val->mv_data;

	return val->mv_size >= ENV2_OVERHEAD && c[1] == 2 &&
	    memcmp(c + ENV2_OFF_XP, xp, CRYPTO_PK_BYTES) == 0 &&
	    get_be32(c + ENV2_OFF_EPOCH) == v->epoch;
}

/* owner NULL: a damaged entry (slen 0). */
static size_t
lentry_size(const char *owner, size_t slen)
{
	return LENTRY_FIXED + (owner != NULL ? strlen(owner) : 0) + slen;
}

/* Writes the entry into out[lentry_size()]. */
static void
lentry_write(unsigned char *out, const unsigned char id[VAULT_ID_BYTES], const char *owner,
    const char *summary, size_t slen)
{
	size_t olen = owner != NULL ? strlen(owner) : 0;

	memcpy(out, id, VAULT_ID_BYTES);
	out[VAULT_ID_BYTES] = owner != NULL ? (unsigned char)olen : LENTRY_DAMAGED;
	if (olen > 0)
		memcpy(out + VAULT_ID_BYTES + 1, owner, olen);
	put_be32(out + VAULT_ID_BYTES + 1 + olen, (uint32_t)slen);
	if (slen > 0)
		memcpy(out + VAULT_ID_BYTES + 1 + olen + 4, summary, slen);
	out[LENTRY_FIXED - 1 + olen + slen] = '\0';
}

/* Decrypts chunk val (under key) into c. ST_OK, ST_TAMPERED (it does not
 * open, or is not a run of entries) or ST_NOMEM. */
enum status
vault_lchunk_open(struct vault *v, const MDB_val *key, const MDB_val *val, struct lchunk *c)
{
	char owner[VAULT_USER_MAX + 1];
	size_t plen = vault_env_plain_len(KIND_LISTING, val), off, clen;
	enum status st;

	c->len = 0;
	if (key->mv_size != 4 || plen == 0)
		return ST_TAMPERED;
	c->no = get_be32(key->mv_data);
	if (lchunk_grow(c, plen + 1) != 0)
		return ST_NOMEM;
	st = vault_env_decrypt(v, KIND_LISTING, key, val, c->p, owner, &off, &clen);
	if (st != ST_OK)
		return st;
	memmove(c->p, c->p + off, clen);
	c->len = clen;
	memcpy(c->owner, owner, sizeof c->owner);
	if ((v->format == 2 ? owner[0] == '\0' || !lentries_owned(c->p, c->len, owner) :
	    owner[0] != '\0') || !lentries_valid(c->p, c->len)) {
		secure_wipe(c->p, plen + 1);
		c->len = 0;
		return ST_TAMPERED;
	}
	return ST_OK;
}

/* Seals c back into its slot; an emptied chunk is deleted. */
static int
lchunk_store(struct vault *v, MDB_txn *txn, MDB_dbi dbi, struct lchunk *c)
{
	unsigned char kb[4];
	MDB_val key = { sizeof kb, kb };
	MDB_val val;
	enum status st;
	int rc;

	put_be32(kb, c->no);
	if (c->len == 0) {
		rc = mdb_del(txn, dbi, &key, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	val.mv_size = vault_env_size_for(v, KIND_LISTING, strlen(c->owner), c->len);
	val.mv_data = NULL;
	if ((rc = mdb_put(txn, dbi, &key, &val, MDB_RESERVE)) != 0)
		return rc;
	st = vault_env_seal(v, KIND_LISTING, &key, c->owner, c->p, c->len, val.mv_data);
	return st == ST_OK ? 0 : vault_txn_fail(v, st);
}

/* Format 2: appends the entry to the last chunk of its owner (found by the
 * key it is wrapped for, opening only that one), or to a new chunk after
 * the last of all; seals it back unless the batch keeps it open (*keep
 * set when it does). */
static int
listing2_append(struct vault *v, MDB_txn *txn, MDB_dbi dbi, struct lchunk *c,
    const unsigned char id[VAULT_ID_BYTES], const char *owner, const char *summary, size_t slen,
    int *keep)
{
	/* A damaged entry (owner NULL) goes among the entries of the user
	 * building the listing. */
	int damaged = owner == NULL;
	size_t need = lentry_size(owner, slen);
	unsigned char xp[CRYPTO_PK_BYTES];
	uint32_t last = 0;
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st = ST_TAMPERED;
	int rc, found = 0;

	if (damaged)
		owner = v->user;
	vault_owner_xp(v, owner, xp);
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	if (rc == 0 && k.mv_size == 4)
		last = get_be32(k.mv_data);
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &d, MDB_PREV))
		if (k.mv_size == 4 && lchunk_is_for(v, &d, xp)) {
			found = 1;
			st = vault_lchunk_open(v, &k, &d, c);
			break;
		}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if (st == ST_NOMEM)
		return vault_txn_fail(v, vault_fail(v, ST_NOMEM,
		    "out of memory while updating the case listing"));
	if (!found || st != ST_OK || strcmp(c->owner, owner) != 0 ||
	    c->len + need > LISTING_CHUNK) {
		/* None yet, full, or damaged (left for vault_verify to report). */
		if (last == UINT32_MAX)
			return 0;
		c->no = last + 1;
		c->len = 0;
		snprintf(c->owner, sizeof c->owner, "%s", owner);
	}
	if ((rc = lchunk_reserve(v, c, c->len + need)) != 0)
		return rc;
	lentry_write(c->p + c->len, id, damaged ? NULL : owner, summary, slen);
	c->len += need;
	if (keep != NULL) {
		*keep = 1;
		return 0;
	}
	return lchunk_store(v, txn, dbi, c);
}

/* meta "listing_partial" (format 2): the listing was built by a user who
 * could not read every summary; the next group member to unlock builds it
 * again. Plain: planting or removing it only costs or saves a rebuild. */
#define LISTING_PARTIAL "listing_partial"

/* Format 2: fills the empty listing in dbi from the summaries, each entry
 * appended to its owner's chunks. The summary is copied out of the scratch
 * buffer, which sealing the chunk reuses. */
static int
listing2_build(struct vault *v, MDB_txn *txn, MDB_dbi dbi)
{
	struct lchunk c, tmp;
	char owner[VAULT_USER_MAX + 1];
	MDB_cursor *cur;
	MDB_val k, d, pk = { sizeof LISTING_PARTIAL - 1, vault_unconst(LISTING_PARTIAL) };
	int rc, partial = 0;

	if ((rc = mdb_cursor_open(txn, v->dbi[DB_SUMMARIES], &cur)) != 0)
		return rc;
	vault_lchunk_take(v, &c, 1);
	memset(&tmp, 0, sizeof tmp);
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		size_t plen = vault_env_plain_len(KIND_SUMMARY, &d), off = 0, clen = 0;
		unsigned char *buf = NULL, *content = NULL;
		enum status st = ST_TAMPERED;

		if (k.mv_size != VAULT_ID_BYTES)
			continue;       /* no id to list it under: verify reports it */
		if (plen > 0 && (buf = vault_scratch_get(v, plen + 1)) == NULL) {
			rc = vault_txn_fail(v, vault_fail(v, ST_NOMEM,
			    "out of memory while building the case listing"));
			break;
		}
		if (plen > 0)
			st = vault_env_decrypt(v, KIND_SUMMARY, &k, &d, buf, owner, &off, &clen);
		if (st == ST_OK)
			st = vault_env_content(v, &d, buf, off, &clen, &content);
		if (st == ST_DENIED) {
			/* Another owner's: left for a group member to list. */
			vault_scratch_done(v, plen + 1);
			partial = 1;
			continue;
		}
		if (st == ST_OK && clen > SUMMARY_MAX)
			st = ST_TAMPERED;
		if (st == ST_OK && (rc = lchunk_reserve(v, &tmp, clen + 1)) == 0) {
			memcpy(tmp.p, content, clen);
			tmp.p[clen] = '\0';
		}
		if (buf != NULL)
			vault_scratch_done(v, plen + 1);
		if (rc != 0)
			break;
		c.len = 0;
		rc = listing2_append(v, txn, dbi, &c, k.mv_data, st == ST_OK ? owner : NULL,
		    st == ST_OK ? (const char *)tmp.p : NULL, st == ST_OK ? clen : 0, NULL);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(cur);
	secure_free(tmp.p);
	vault_lchunk_give(v, &c);
	if (rc != MDB_NOTFOUND)
		return rc;
	if (partial)
		return vault_meta_put(txn, v->dbi[DB_META], LISTING_PARTIAL, "\1", 1, 0);
	rc = mdb_del(txn, v->dbi[DB_META], &pk, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Appends an entry to the last chunk (or a new one) of the listing in dbi. */
static int
listing_append(struct vault *v, MDB_txn *txn, MDB_dbi dbi, struct lchunk *c,
    const unsigned char id[VAULT_ID_BYTES], const char *owner, const char *summary, size_t slen)
{
	size_t need = lentry_size(owner, slen);
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st = ST_TAMPERED;
	int rc;

	if (v->format == 2)
		return listing2_append(v, txn, dbi, c, id, owner, summary, slen, NULL);
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	if (rc == 0 && k.mv_size == 4)
		st = vault_lchunk_open(v, &k, &d, c);
	mdb_cursor_close(cur);
	c->owner[0] = '\0';
	if (rc == MDB_NOTFOUND) {
		c->no = 1;
		c->len = 0;
	} else if (rc != 0) {
		return rc;
	} else if (st == ST_NOMEM) {
		return vault_txn_fail(v, vault_fail(v, ST_NOMEM,
		    "out of memory while updating the case "
		    "listing"));
	} else if (st != ST_OK || c->len + need > LISTING_CHUNK) {
		/* Full, or damaged (left for vault_verify to report). A
		 * planted key leaves the listing as it is: readers fall
		 * back to the summaries, and the save goes on. */
		if (k.mv_size != 4 || get_be32(k.mv_data) == UINT32_MAX)
			return 0;
		c->no = get_be32(k.mv_data) + 1;
		c->len = 0;
	}
	if ((rc = lchunk_reserve(v, c, c->len + need)) != 0)
		return rc;
	lentry_write(c->p + c->len, id, owner, summary, slen);
	c->len += need;
	return lchunk_store(v, txn, dbi, c);
}

/* ---- a batch of appends ----------------------------------------------------
 *
 * Appending one entry opens its owner's last chunk and seals it again: for
 * an import of 20,000 records that was 20,000 chunks of up to
 * LISTING_CHUNK bytes decrypted and sealed, the largest cost of the import
 * after the engine's and the audit trail's. In a batch (format 2) the
 * chunk being filled stays open in v->lpend until it is full, another
 * owner's entry comes, an update needs the table as it is, or the batch
 * ends; the transaction commits nothing before then, so what it commits is
 * what single appends would have made. */

/* Seals the batch's open chunk if it holds appends not yet sealed. */
static int
batch_seal(struct vault *v, MDB_txn *txn, MDB_dbi dbi)
{
	int rc = 0;

	if (v->lpend_dirty)
		rc = lchunk_store(v, txn, dbi, &v->lpend);
	v->lpend_dirty = 0;
	if (v->lpend.p != NULL)
		secure_wipe(v->lpend.p, v->lpend.len);
	v->lpend.len = 0;
	return rc;
}

static int
batch_append(struct vault *v, MDB_txn *txn, MDB_dbi dbi, const unsigned char id[VAULT_ID_BYTES],
    const char *owner, const char *summary, size_t slen)
{
	struct lchunk *c = &v->lpend;
	size_t need = lentry_size(owner, slen);
	int rc;

	if (v->lpend_dirty && owner != NULL && strcmp(c->owner, owner) == 0 &&
	    c->len + need <= LISTING_CHUNK) {
		if ((rc = lchunk_reserve(v, c, c->len + need)) != 0)
			return rc;
		lentry_write(c->p + c->len, id, owner, summary, slen);
		c->len += need;
		return 0;
	}
	if ((rc = batch_seal(v, txn, dbi)) != 0)
		return rc;
	return listing2_append(v, txn, dbi, c, id, owner, summary, slen, &v->lpend_dirty);
}

void
vault_listing_batch_begin(struct vault *v)
{
	vault_lchunk_take(v, &v->lpend, 0);
	v->lpend_dirty = 0;
	v->lbatch = 1;
}

int
vault_listing_batch_end(struct vault *v, MDB_txn *txn, int rc)
{
	MDB_dbi dbi;

	if (rc == 0 && v->lpend_dirty && (rc = vault_listing_dbi(txn, &dbi)) == 0)
		rc = batch_seal(v, txn, dbi);
	v->lpend_dirty = 0;
	v->lbatch = 0;
	vault_lchunk_give(v, &v->lpend);
	return rc;
}

/* Replaces (summary != NULL) or removes (summary == NULL) the entry of id,
 * searching from the newest chunk; a replaced entry that is not found is
 * appended. Nothing to do in a vault without a listing. */
int
vault_listing_update(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES],
    const char *owner, const char *summary, size_t slen)
{
	struct lchunk c;
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, d;
	struct lentry e;
	int rc, found = 0;

	if ((rc = vault_listing_dbi(txn, &dbi)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if ((rc = batch_seal(v, txn, dbi)) != 0 || (rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	vault_lchunk_take(v, &c, 0);
	rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	while (rc == 0) {
		size_t off = 0;
		enum status st = vault_lchunk_open(v, &k, &d, &c);

		if (st == ST_NOMEM) {
			rc = vault_txn_fail(v, vault_fail(v, ST_NOMEM,
			    "out of memory while updating the case "
			    "listing"));
			goto out;
		}
		/* ST_DENIED (format 2): another owner's chunk, not this user's to
		 * change; a supervisor opens them all. */
		while (st == ST_OK && !found && vault_lentry_next(c.p, c.len, &off, &e) > 0)
			found = memcmp(e.id, id, VAULT_ID_BYTES) == 0;
		if (found)
			break;
		rc = mdb_cursor_get(cur, &k, &d, MDB_PREV);
	}
	mdb_cursor_close(cur);
	cur = NULL;
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	if (found) {
		size_t need = summary != NULL ? lentry_size(owner, slen) : 0, tail;
		/* An entry that would grow a shared chunk past its size moves to
		 * the last chunk, so amendments never swell one chunk. */
		int move = summary != NULL && c.len > e.size && c.len - e.size + need > LISTING_CHUNK;

		if (move)
			need = 0;
		if (need > e.size && (rc = lchunk_reserve(v, &c, c.len - e.size + need)) != 0)
			goto out;
		tail = c.len - e.off - e.size;
		memmove(c.p + e.off + need, c.p + e.off + e.size, tail);
		if (need > 0)
			lentry_write(c.p + e.off, id, owner, summary, slen);
		if (need < e.size)
			secure_wipe(c.p + e.off + need + tail, e.size - need);
		c.len = c.len - e.size + need;
		rc = lchunk_store(v, txn, dbi, &c);
		if (rc == 0 && move)
			rc = listing_append(v, txn, dbi, &c, id, owner, summary, slen);
	} else if (summary != NULL) {
		rc = listing_append(v, txn, dbi, &c, id, owner, summary, slen);
	}
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	vault_lchunk_give(v, &c);
	return rc;
}

/* A new record's summary; nothing to do in a vault without a listing. */
int
vault_listing_put(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES],
    const char *owner, const char *summary, size_t slen)
{
	struct lchunk c;
	MDB_dbi dbi;
	int rc;

	if ((rc = vault_listing_dbi(txn, &dbi)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if (v->lbatch && v->format == 2)
		return batch_append(v, txn, dbi, id, owner, summary, slen);
	vault_lchunk_take(v, &c, 0);
	rc = listing_append(v, txn, dbi, &c, id, owner, summary, slen);
	vault_lchunk_give(v, &c);
	return rc;
}

int
vault_listing_drop(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES])
{
	return vault_listing_update(v, txn, id, "", NULL, 0);
}

/* Fills an empty listing from the summaries table; a summary that does not
 * open gets a damaged entry (LENTRY_DAMAGED). */
static int
listing_build_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	struct lchunk c;
	char owner[VAULT_USER_MAX + 1];
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, d;
	int rc;

	(void)arg;
	if ((rc = mdb_dbi_open(txn, db_names[DB_LISTING], MDB_CREATE, &dbi)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST);
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;              /* 0: another process built it first */
	if (v->format == 2)
		return listing2_build(v, txn, dbi);
	if ((rc = mdb_cursor_open(txn, v->dbi[DB_SUMMARIES], &cur)) != 0)
		return rc;
	vault_lchunk_take(v, &c, 1);
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		size_t plen = vault_env_plain_len(KIND_SUMMARY, &d), off = 0, clen = 0, need;
		unsigned char *buf = NULL;
		int sound = 0;

		if (k.mv_size != VAULT_ID_BYTES)
			continue;       /* no id to list it under: verify reports it */
		if (plen > 0 && (buf = vault_scratch_get(v, plen + 1)) == NULL) {
			rc = vault_txn_fail(v, vault_fail(v, ST_NOMEM,
			    "out of memory while building the case "
			    "listing"));
			break;
		}
		if (plen > 0)
			sound = vault_env_decrypt(v, KIND_SUMMARY, &k, &d, buf, owner, &off,
			    &clen) == ST_OK &&
			    clen <= SUMMARY_MAX;
		/* The entry goes after the chunk before the chunk is sealed:
		 * sealing reuses the scratch buffer the summary is in. */
		need = sound ? lentry_size(owner, clen) : lentry_size(NULL, 0);
		if ((rc = lchunk_reserve(v, &c, c.len + need)) != 0)
			break;
		lentry_write(c.p + c.len, k.mv_data, sound ? owner : NULL,
		    sound ? (const char *)buf + off : NULL, sound ? clen : 0);
		if (buf != NULL)
			vault_scratch_done(v, plen + 1);
		if (c.len > 0 && c.len + need > LISTING_CHUNK) {
			if ((rc = lchunk_store(v, txn, dbi, &c)) != 0)
				break;
			memmove(c.p, c.p + c.len, need);
			secure_wipe(c.p + need, c.len);
			c.len = 0;
			c.no++;
		}
		c.len += need;
	}
	if (rc == MDB_NOTFOUND)
		rc = c.len > 0 ? lchunk_store(v, txn, dbi, &c) : 0;
	vault_scratch_done(v, v->scratch_len);
	mdb_cursor_close(cur);
	vault_lchunk_give(v, &c);
	return rc;
}

static int listing_rebuild_txn(struct vault *v, MDB_txn *txn, void *arg);

/* At unlock: a vault made by an earlier intake gets its listing. A failure
 * is not the unlock's: the case list falls back to the summaries. */
void
vault_listing_ensure(struct vault *v)
{
	char msg[sizeof v->msg];
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	MDB_val d;
	int partial;

	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return;
	rc = vault_listing_dbi(txn, &dbi);
	partial = v->format == 2 && v->has_gs &&
	    vault_meta_get(txn, v->dbi[DB_META], LISTING_PARTIAL, &d) == 0;
	mdb_txn_abort(txn);
	if (rc != MDB_NOTFOUND && !partial)
		return;
	memcpy(msg, v->msg, sizeof msg);
	(void)vault_write_txn(v, "building the case listing",
	    partial ? listing_rebuild_txn : listing_build_txn, NULL);
	memcpy(v->msg, msg, sizeof msg);
}

static int
listing_rebuild_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	MDB_dbi dbi;
	int rc;

	if ((rc = mdb_dbi_open(txn, db_names[DB_LISTING], MDB_CREATE, &dbi)) != 0)
		return rc;
	if ((rc = mdb_drop(txn, dbi, 0)) != 0)
		return rc;
	return listing_build_txn(v, txn, arg);
}

int
vault_listing_rebuild_in(struct vault *v, MDB_txn *txn)
{
	return listing_rebuild_txn(v, txn, NULL);
}

enum status
vault_listing_rebuild(struct vault *v)
{
	enum status st;

	if ((st = vault_need_supervisor(v, "rebuild the case listing")) != ST_OK)
		return st;
	return vault_write_txn(v, "rebuilding the case listing", listing_rebuild_txn, NULL);
}

/* ---- reading the listing on two processors ----------------------------------
 *
 * Decrypting the chunks was half of a case list's work (200 MB of them at
 * a million records), handing their entries out the other half. With
 * enough chunks a second thread opens them ahead, in order, into a ring of
 * SCAN_AHEAD slots, while this one walks the cursor and hands out the
 * entries of the chunks opened. This thread queues each chunk's key and
 * value (pointers into the map, valid for the scan's read transaction) in
 * a slot it has finished with; the other opens a slot once it is queued,
 * with the handle's keys and key cache, which nothing else uses meanwhile
 * (fn must not call the vault: vault.h). A chunk's outcome is dealt with
 * here, in order, as if it had been opened here.
 */
#define SCAN_AHEAD      8
#define SCAN_AHEAD_MIN  16      /* chunks: fewer are not worth a thread */

struct scan_slot {
	MDB_val k, d;
	struct lchunk c;
	enum status st;
};

struct scan_ahead {
	struct vault *v;
	struct scan_slot slot[SCAN_AHEAD];
	struct vault_helper h;
	size_t queued, opened;          /* chunks queued by this thread, opened by the other */
};

static void *
scan_opener(void *arg)
{
	struct scan_ahead *sa = arg;

	for (size_t n = 0; !vault_helper_wait_above(&sa->h, &sa->queued, n); n++) {
		struct scan_slot *sl = &sa->slot[n % SCAN_AHEAD];

		sl->st = vault_lchunk_open(sa->v, &sl->k, &sl->d, &sl->c);
		vault_helper_publish(&sa->h, &sa->opened, n + 1);
	}
	return NULL;
}

/* Hands the entries of chunk c (opened with outcome st) to fn. */
static enum status
scan_chunk(struct vault *v, const MDB_val *k, enum status st, struct lchunk *c, vault_scan_fn fn,
    void *ctx, size_t *listed, int *stop)
{
	struct record_id id;
	struct lentry e;
	size_t off = 0;

	if (st == ST_DENIED)
		return ST_OK;           /* format 2: wrapped for another owner */
	if (st == ST_NOMEM)
		return vault_fail(v, ST_NOMEM, "out of memory while reading the case listing");
	if (st != ST_OK)
		return vault_fail(v, ST_TAMPERED,
		    "the case listing of the vault at %s is damaged "
		    "(chunk %lu): a supervisor should run `intake verify`", v->dir,
		    k->mv_size == 4 ? (unsigned long)get_be32(k->mv_data) : 0UL);
	while (!*stop && vault_lentry_next(c->p, c->len, &off, &e) > 0) {
		(*listed)++;
		if (!e.damaged && !vault_may_access(v, e.owner))
			continue;
		memcpy(id.b, e.id, VAULT_ID_BYTES);
		*stop = e.damaged ? fn(ctx, &id, ST_TAMPERED, NULL, 0) :
		    fn(ctx, &id, ST_OK, e.summary, e.len);
	}
	secure_wipe(c->p, c->len);
	return ST_OK;
}

/* The ahead thread for a listing of n chunks, or NULL: then chunks are
 * opened here. */
static struct scan_ahead *
scan_ahead_start(struct vault *v, size_t n)
{
	struct scan_ahead *sa;

	if (n < SCAN_AHEAD_MIN || (sa = calloc(1, sizeof *sa)) == NULL)
		return NULL;
	sa->v = v;
	if (vault_helper_start(&sa->h, scan_opener, sa) != 0) {
		free(sa);
		return NULL;
	}
	return sa;
}

static void
scan_ahead_stop(struct scan_ahead *sa)
{
	if (sa == NULL)
		return;
	vault_helper_stop(&sa->h);
	for (size_t i = 0; i < SCAN_AHEAD; i++)
		secure_free(sa->slot[i].c.p);   /* wipes */
	free(sa);
}

enum status
vault_listing_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	struct lchunk c;
	struct scan_ahead *sa = NULL;
	const void *inside = NULL;      /* in the map, once a chunk is read */
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_stat ms;
	MDB_dbi dbi;
	MDB_val k, d;
	enum status st = ST_OK;
	size_t listed = 0, done = 0;
	int rc, stop = 0, more;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (v->scanning)
		return vault_fail(v, ST_BUSY, "a scan of the vault is already running");
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the case listing");
	rc = vault_listing_dbi(txn, &dbi);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return vault_fail(v, ST_NOTFOUND, "the vault at %s has no case listing yet",
		    v->dir);
	}
	vault_lchunk_take(v, &c, 0);
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc == 0 && mdb_stat(txn, dbi, &ms) == 0)
		sa = scan_ahead_start(v, ms.ms_entries);
	v->scanning = 1;
	rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST);
	more = rc == 0;
	while ((more || (sa != NULL && done < sa->queued)) && !stop && st == ST_OK) {
		enum status cst;

		if (!v->unlocked) {
			st = vault_fail(v, ST_LOCKED, "the vault was locked during the scan");
			break;
		}
		/* Queue what the ring has room for; each chunk's pages count
		 * toward letting the map go, as a scan's do. */
		while (more && (sa == NULL ? 1 : sa->queued - done < SCAN_AHEAD)) {
			if (inside == NULL)
				vault_map_random(v, inside = d.mv_data, true);
			vault_map_tick(v, &d);
			if (sa == NULL)
				break;
			sa->slot[sa->queued % SCAN_AHEAD].k = k;
			sa->slot[sa->queued % SCAN_AHEAD].d = d;
			vault_helper_publish(&sa->h, &sa->queued, sa->queued + 1);
			rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
			more = rc == 0;
		}
		if (sa == NULL) {
			cst = vault_lchunk_open(v, &k, &d, &c);
			st = scan_chunk(v, &k, cst, &c, fn, ctx, &listed, &stop);
			rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
			more = rc == 0;
			continue;
		}
		{
			struct scan_slot *sl = &sa->slot[done % SCAN_AHEAD];

			vault_helper_wait_above(&sa->h, &sa->opened, done);
			st = scan_chunk(v, &sl->k, sl->st, &sl->c, fn, ctx, &listed, &stop);
			done++;
		}
	}
	scan_ahead_stop(sa);
	v->scanning = 0;
	vault_pack_settle(v);
	vault_map_tick(v, NULL);
	vault_map_random(v, inside, false);
	if (st == ST_OK && rc != 0 && rc != MDB_NOTFOUND)
		st = vault_fail_mdb(v, rc, "reading the case listing");
	/* A listing that lost or kept entries (a chunk deleted on disk, an
	 * earlier intake saving without it) must not hide or invent cases. */
	if (st == ST_OK && !stop && (v->format != 2 || v->has_gs) &&
	    mdb_stat(txn, v->dbi[DB_SUMMARIES], &ms) == 0 && ms.ms_entries != listed)
		st = vault_fail(v, ST_TAMPERED,
		    "the case listing of the vault at %s is out of step with "
		    "its summaries (%zu listed, %zu stored): a supervisor should run `intake verify`",
		    v->dir, listed, (size_t)ms.ms_entries);
	if (cur != NULL)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	vault_lchunk_give(v, &c);
	return st;
}

enum status
vault_summary_count(struct vault *v, size_t *n)
{
	MDB_txn *txn;
	MDB_stat ms;
	enum status st;
	int rc;

	*n = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the case listing");
	rc = mdb_stat(txn, v->dbi[DB_SUMMARIES], &ms);
	mdb_txn_abort(txn);
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the case listing");
	*n = ms.ms_entries;
	return ST_OK;
}

/* A summary is small (interview_summary_json): the listing packs them. */
enum status
vault_check_summary(struct vault *v, const char *p, size_t len)
{
	if (p != NULL && len > SUMMARY_MAX)
		return vault_fail(v, ST_INVALID,
		    "the summary is too large (%zu bytes; at most %zu KiB)",
		    len, SUMMARY_MAX >> 10);
	return vault_check_content(v, p, len, "summary", 1);
}
