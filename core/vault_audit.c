/*
 * vault_audit.c — the vault's side of the audit trail: sealing, chaining
 * and storing entries, the entries of the vault's own changes, reading the
 * trail back and its head, and the calls of audit.h that need a vault
 * (audit_log, audit_log_data, audit_list, audit_head_text). The entries'
 * plaintext layout is audit.c's, which calls nothing of the vault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault_int.h"

/* ==== audit trail ============================================================
 *
 * Table `audit` (format 1): key u64 sequence, from 1, no gaps; value
 *   0x41 | format | 0 | 0 | nonce (24) | sealed entry | tag (16) | link (32)
 * The entry (audit_encode) is sealed with XChaCha20-Poly1305 under subkey 1
 * of the AUDIT purpose key (context "intkaudt"), associated data
 * "intake-audit" | vault id | the 4 header bytes | sequence, so an entry
 * moved to another position or vault does not open. The link is a keyed
 * BLAKE2b-256, under subkey 2, of
 *   "intake-audit-link" | sequence | previous link (zero before entry 1) |
 *   the value up to the link,
 * so nobody without the vault key can remove, reorder or replace an entry
 * and mend the chain. meta "audit_head" = last sequence | its link | keyed
 * BLAKE2b of "intake-audit-head" | vault id | both: cutting entries off the
 * end needs an older copy of the head, and a head noted outside the server
 * (`intake audit head`) catches even that.
 *
 * Appends find the next sequence from the last key and the previous link in
 * the head, inside the caller's write transaction: LMDB's single writer
 * makes the chain linear however many processes append.
 */

void
vault_audit_keys(struct vault *v)
{
	struct keyring *kr = v->kr;

	crypto_subkey(kr->audit_seal, AUDIT_SUB_SEAL, AUDIT_CTX, kr->purpose[CRYPTO_PURPOSE_AUDIT]);
	crypto_subkey(kr->audit_chain, AUDIT_SUB_CHAIN, AUDIT_CTX,
	    kr->purpose[CRYPTO_PURPOSE_AUDIT]);
}

static size_t
audit_ad(const struct vault *v, const unsigned char head[ENV_HEAD], uint64_t seq,
    unsigned char ad[AD_MAX])
{
	static const char label[] = "intake-audit";
	size_t n = 0;

	memcpy(ad + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	memcpy(ad + n, head, ENV_HEAD);
	n += ENV_HEAD;
	put_be64(ad + n, seq);
	return n + 8;
}

size_t
vault_audit_wrap_ad(const struct vault *v, const MDB_val *key, const unsigned char *val,
    unsigned char ad[AD_MAX])
{
	size_t n = audit_ad(v, val, key->mv_size == 8 ? get_be64(key->mv_data) : 0, ad);

	memcpy(ad + n, val + ENV_HEAD, 4 + CRYPTO_PK_BYTES);
	return n + 4 + CRYPTO_PK_BYTES;
}

/* The link of the entry at seq whose value (without its link) is val[len];
 * len <= AUDIT_VAL_MAX - CRYPTO_HASH_BYTES. */
void
vault_audit_link(struct vault *v, uint64_t seq, const unsigned char prev[CRYPTO_HASH_BYTES],
    const unsigned char *val, size_t len, unsigned char out[CRYPTO_HASH_BYTES])
{
	unsigned char buf[sizeof AUDIT_LINK_LABEL - 1 + 8 + CRYPTO_HASH_BYTES + AUDIT_BUF_MAX];
	size_t n = sizeof AUDIT_LINK_LABEL - 1;

	memcpy(buf, AUDIT_LINK_LABEL, n);
	put_be64(buf + n, seq);
	n += 8;
	memcpy(buf + n, prev, CRYPTO_HASH_BYTES);
	n += CRYPTO_HASH_BYTES;
	if (v->format == 2 && len > ENV_HEAD + AUDIT2_EXTRA) {
		/* Format 2: BLAKE2b-256 of the previous link and the entry as its
		 * writer signed it (the wrapped key left out, so re-wrapping an
		 * entry for new keys leaves the chain). */
		memcpy(buf, prev, CRYPTO_HASH_BYTES);
		memcpy(buf + CRYPTO_HASH_BYTES, val, ENV_HEAD);
		memcpy(buf + CRYPTO_HASH_BYTES + ENV_HEAD, val + ENV_HEAD + AUDIT2_EXTRA,
		    len - ENV_HEAD - AUDIT2_EXTRA);
		crypto_digest(out, buf, CRYPTO_HASH_BYTES + len - AUDIT2_EXTRA);
		return;
	}
	memcpy(buf + n, val, len);
	crypto_digest_keyed(out, buf, n + len, v->kr->audit_chain, CRYPTO_KEY_BYTES);
}

static void
audit_head_tag(struct vault *v, uint64_t seq, const unsigned char link[CRYPTO_HASH_BYTES],
    unsigned char out[CRYPTO_HASH_BYTES])
{
	static const char label[] = "intake-audit-head";
	unsigned char buf[sizeof label - 1 + VAULT_ID_BYTES + 8 + CRYPTO_HASH_BYTES];
	size_t n = sizeof label - 1;

	memcpy(buf, label, n);
	memcpy(buf + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	put_be64(buf + n, seq);
	n += 8;
	memcpy(buf + n, link, CRYPTO_HASH_BYTES);
	crypto_digest_keyed(out, buf, n + CRYPTO_HASH_BYTES, v->kr->audit_chain, CRYPTO_KEY_BYTES);
}

/* Format 2: what the writer of the entry at seq signs: label | vault id |
 * seq | previous link | header | sealed entry | their public key. val[len]
 * is the value up to the signature. */
static size_t
audit_sig_msg(const struct vault *v, uint64_t seq, const unsigned char prev[CRYPTO_HASH_BYTES],
    const unsigned char *val, size_t len, unsigned char *out)
{
	static const char label[] = "intake-audit-sig";
	size_t n = sizeof label - 1;

	memcpy(out, label, n);
	memcpy(out + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	put_be64(out + n, seq);
	n += 8;
	memcpy(out + n, prev, CRYPTO_HASH_BYTES);
	n += CRYPTO_HASH_BYTES;
	memcpy(out + n, val, ENV_HEAD);
	n += ENV_HEAD;
	memcpy(out + n, val + ENV_HEAD + AUDIT2_EXTRA, len - ENV_HEAD - AUDIT2_EXTRA);
	return n + len - ENV_HEAD - AUDIT2_EXTRA;
}
#define AUDIT_SIG_MSG_MAX (64 + VAULT_ID_BYTES + 8 + CRYPTO_HASH_BYTES + AUDIT_BUF_MAX)

/* Signs the entry in out[size] (format 2) as the unlocked user: their
 * public key and signature go before the link. */
static void
audit_sign(struct vault *v, uint64_t seq, const unsigned char prev[CRYPTO_HASH_BYTES],
    unsigned char *out, size_t size)
{
	unsigned char msg[AUDIT_SIG_MSG_MAX];
	size_t at = size - CRYPTO_HASH_BYTES - AUDIT2_TAIL;

	memcpy(out + at, v->sp, CRYPTO_SIGN_PK_BYTES);
	crypto_sign_make(out + at + CRYPTO_SIGN_PK_BYTES, msg,
	    audit_sig_msg(v, seq, prev, out, at + CRYPTO_SIGN_PK_BYTES, msg), v->kr->ss);
}

enum status
vault_audit_signed(struct vault *v, uint64_t seq, const unsigned char prev[CRYPTO_HASH_BYTES],
    const MDB_val *val, unsigned char sp[CRYPTO_SIGN_PK_BYTES], int *deferred)
{
	static const unsigned char none[CRYPTO_SIG_BYTES];
	unsigned char msg[AUDIT_SIG_MSG_MAX];
	const unsigned char *c = val->mv_data;
	size_t at;

	*deferred = 0;
	if (val->mv_size <= AUDIT_VAL_MIN + AUDIT2_OVER || val->mv_size > AUDIT_BUF_MAX)
		return ST_TAMPERED;
	at = val->mv_size - CRYPTO_HASH_BYTES - AUDIT2_TAIL;
	memcpy(sp, c + at, CRYPTO_SIGN_PK_BYTES);
	if (c[2] == AUDIT2_DEFERRED) {
		*deferred = 1;
		return memcmp(c + at + CRYPTO_SIGN_PK_BYTES, none, sizeof none) == 0 ? ST_OK :
		    ST_TAMPERED;
	}
	return crypto_sign_check(c + at + CRYPTO_SIGN_PK_BYTES, msg,
	    audit_sig_msg(v, seq, prev, c, at + CRYPTO_SIGN_PK_BYTES, msg), sp);
}

/* meta "audit_head" in format 2: seq | link | the writer's public key |
 * their signature of "intake-audit-head" | vault id | seq | link. */
static size_t
head_msg(const struct vault *v, const unsigned char *head, unsigned char *out)
{
	static const char label[] = "intake-audit-head";
	size_t n = sizeof label - 1;

	memcpy(out, label, n);
	memcpy(out + n, v->id, VAULT_ID_BYTES);
	memcpy(out + n + VAULT_ID_BYTES, head, 8 + CRYPTO_HASH_BYTES);
	return n + VAULT_ID_BYTES + 8 + CRYPTO_HASH_BYTES;
}

/* Writes the head (seq, link) in txn: tagged (format 1) or signed. */
static int
head_put(struct vault *v, MDB_txn *txn, uint64_t seq, const unsigned char link[CRYPTO_HASH_BYTES])
{
	unsigned char head[AUDIT2_HEAD_BYTES], msg[64 + VAULT_ID_BYTES + 8 + CRYPTO_HASH_BYTES];
	size_t len;

	put_be64(head, seq);
	memcpy(head + 8, link, CRYPTO_HASH_BYTES);
	if (v->format == 2) {
		memcpy(head + 8 + CRYPTO_HASH_BYTES, v->sp, CRYPTO_SIGN_PK_BYTES);
		crypto_sign_make(head + 8 + CRYPTO_HASH_BYTES + CRYPTO_SIGN_PK_BYTES, msg,
		    head_msg(v, head, msg), v->kr->ss);
		len = AUDIT2_HEAD_BYTES;
	} else {
		audit_head_tag(v, seq, head + 8, head + 8 + CRYPTO_HASH_BYTES);
		len = AUDIT_HEAD_BYTES;
	}
	return vault_meta_put(txn, v->dbi[DB_META], AUDIT_HEAD_KEY, head, len, 0);
}

/* Opens the value of the entry at seq into plain[AUDIT_ENTRY_MAX]. */
enum status
vault_audit_open(struct vault *v, uint64_t seq, const MDB_val *val, unsigned char *plain,
    size_t *plen)
{
	const unsigned char *c = val->mv_data;
	unsigned char ad[AD_MAX];
	size_t adlen, clen, extra = v->format == 2 ? AUDIT2_EXTRA : 0;
	size_t tail = v->format == 2 ? AUDIT2_TAIL : 0;
	enum status st;

	if (val->mv_size <= AUDIT_VAL_MIN + extra + tail ||
	    val->mv_size > AUDIT_VAL_MAX + extra + tail)
		return ST_TAMPERED;
	if (c[0] != AUDIT_MAGIC || c[1] != (v->format == 2 ? 2 : VAULT_FORMAT_1) ||
	    (c[2] != 0 && (v->format != 2 || (c[2] != AUDIT2_CONVERTED &&
	    c[2] != AUDIT2_DEFERRED))) || c[3] != 0)
		return ST_TAMPERED;
	adlen = audit_ad(v, c, seq, ad);
	if (extra > 0) {
		/* The entry key is wrapped under S(writer, epoch): the writer and
		 * the group read it, nobody else. */
		unsigned char wad[AD_MAX];
		size_t wadlen = adlen;

		memcpy(wad, ad, adlen);
		memcpy(wad + wadlen, c + ENV_HEAD, 4 + CRYPTO_PK_BYTES);
		wadlen += 4 + CRYPTO_PK_BYTES;
		if ((st = vault_s_key(v, get_be32(c + ENV_HEAD), c + ENV_HEAD + 4)) != ST_OK)
			return st == ST_DENIED ? ST_DENIED : st == ST_NOMEM ? ST_NOMEM : ST_TAMPERED;
		st = crypto_unwrap(v->kr->audit_seal, c + ENV_HEAD + 4 + CRYPTO_PK_BYTES, wad, wadlen,
		    v->kr->wrap);
		secure_wipe(v->kr->wrap, sizeof v->kr->wrap);
		if (st != ST_OK)
			return ST_TAMPERED;
	}
	clen = val->mv_size - ENV_HEAD - extra - tail - CRYPTO_HASH_BYTES;
	st = crypto_open(plain, c + ENV_HEAD + extra, clen, ad, adlen, v->kr->audit_seal);
	if (extra > 0)
		secure_wipe(v->kr->audit_seal, sizeof v->kr->audit_seal);
	if (st != ST_OK)
		return ST_TAMPERED;
	*plen = clen - CRYPTO_SEAL_OVERHEAD;
	return ST_OK;
}

/* Appends e inside the caller's write transaction. */
int
vault_audit_put_txn(struct vault *v, MDB_txn *txn, const struct audit_entry *e)
{
	unsigned char kbuf[8], prev[CRYPTO_HASH_BYTES], ad[AD_MAX];
	unsigned char *plain, *out;
	MDB_cursor *cur;
	MDB_val k, d, val;
	uint64_t seq = 1;
	size_t plen = 0, adlen, extra;
	int rc;

	plain = vault_scratch_get(v, AUDIT_ENTRY_MAX);
	if (plain == NULL)
		return vault_txn_fail(v, vault_fail(v, ST_NOMEM,
		    "out of memory while writing the audit trail"));
	if (audit_encode(e, plain, AUDIT_ENTRY_MAX, &plen) != ST_OK) {
		vault_scratch_done(v, AUDIT_ENTRY_MAX);
		return vault_txn_fail(v, vault_fail(v, ST_INVALID,
		    "cannot write the audit entry: a name or "
		    "reason is too long"));
	}
	rc = mdb_cursor_open(txn, v->dbi[DB_AUDIT], &cur);
	if (rc == 0) {
		rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
		mdb_cursor_close(cur);
	}
	if (rc == 0 && k.mv_size != 8) {
		vault_scratch_done(v, AUDIT_ENTRY_MAX);
		return vault_txn_fail(v, vault_fail(v, ST_TAMPERED,
		    "the audit trail of %s is damaged (a key of "
		    "%zu bytes): run `intake verify` and restore the vault from a backup", v->dir,
		    k.mv_size));
	}
	if (rc == 0)
		seq = get_be64(k.mv_data) + 1;
	else if (rc != MDB_NOTFOUND)
		goto out;
	memset(prev, 0, sizeof prev);
	rc = 0;
	if (v->head_held && v->head_seq + 1 == seq)
		memcpy(prev, v->head_link, CRYPTO_HASH_BYTES);
	else if ((rc = vault_meta_get(txn, v->dbi[DB_META], AUDIT_HEAD_KEY, &d)) == 0 &&
	    d.mv_size == (v->format == 2 ? AUDIT2_HEAD_BYTES : AUDIT_HEAD_BYTES))
		memcpy(prev, (const unsigned char *)d.mv_data + 8, CRYPTO_HASH_BYTES);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	put_be64(kbuf, seq);
	k.mv_size = sizeof kbuf;
	k.mv_data = kbuf;
	extra = v->format == 2 ? AUDIT2_EXTRA : 0;
	val.mv_size = AUDIT_VAL_MIN + extra + plen + (v->format == 2 ? AUDIT2_TAIL : 0);
	val.mv_data = NULL;
	/* seq is past the last key: MDB_APPEND fills each page before starting
	 * the next (a plain put splits a full page in two halves). Sequence
	 * numbers show only the order entries were written, which they show
	 * anyway. */
	rc = mdb_put(txn, v->dbi[DB_AUDIT], &k, &val, MDB_NOOVERWRITE | MDB_RESERVE | MDB_APPEND);
	if (rc != 0)
		goto out;
	out = val.mv_data;
	out[0] = AUDIT_MAGIC;
	out[1] = v->format == 2 ? 2 : VAULT_FORMAT_1;
	out[2] = v->format == 2 && v->audit_defer ? AUDIT2_DEFERRED : 0;
	out[3] = 0;
	vault_audit_keys(v);
	adlen = audit_ad(v, out, seq, ad);
	if (extra > 0) {
		unsigned char wad[AD_MAX];
		size_t wadlen = adlen;
		enum status st;

		put_be32(out + ENV_HEAD, v->epoch);
		memcpy(out + ENV_HEAD + 4, v->xp, CRYPTO_PK_BYTES);
		memcpy(wad, ad, adlen);
		memcpy(wad + wadlen, out + ENV_HEAD, 4 + CRYPTO_PK_BYTES);
		wadlen += 4 + CRYPTO_PK_BYTES;
		if ((st = vault_s_key(v, v->epoch, v->xp)) != ST_OK) {
			vault_scratch_done(v, AUDIT_ENTRY_MAX);
			return vault_txn_fail(v, vault_fail(v, st == ST_NOMEM ? ST_NOMEM :
			    ST_TAMPERED, "cannot seal the audit entry: the keys of %s do not "
			    "work (run `intake verify`)", v->user));
		}
		crypto_random(v->kr->audit_seal, sizeof v->kr->audit_seal);
		crypto_wrap(out + ENV_HEAD + 4 + CRYPTO_PK_BYTES, v->kr->audit_seal, wad, wadlen,
		    v->kr->wrap);
		secure_wipe(v->kr->wrap, sizeof v->kr->wrap);
	}
	crypto_seal(out + ENV_HEAD + extra, plain, plen, ad, adlen, v->kr->audit_seal);
	if (extra > 0 && out[2] == AUDIT2_DEFERRED) {
		/* The writer's key, and no signature: the next entry's covers it. */
		size_t at = val.mv_size - CRYPTO_HASH_BYTES - AUDIT2_TAIL;

		memcpy(out + at, v->sp, CRYPTO_SIGN_PK_BYTES);
		memset(out + at + CRYPTO_SIGN_PK_BYTES, 0, CRYPTO_SIG_BYTES);
	} else if (extra > 0) {
		vault_audit_keys(v);
		audit_sign(v, seq, prev, out, val.mv_size);
	}
	vault_audit_link(v, seq, prev, out, val.mv_size - CRYPTO_HASH_BYTES,
	    out + val.mv_size - CRYPTO_HASH_BYTES);
	if (v->head_hold) {
		/* Signed and stored by the next append without head_hold. */
		v->head_held = 1;
		v->head_seq = seq;
		memcpy(v->head_link, out + val.mv_size - CRYPTO_HASH_BYTES, CRYPTO_HASH_BYTES);
		rc = 0;
	} else {
		v->head_held = 0;
		rc = head_put(v, txn, seq, out + val.mv_size - CRYPTO_HASH_BYTES);
	}
out:
	vault_scratch_done(v, AUDIT_ENTRY_MAX);
	return rc;
}

/* Upgrade (vault_upgrade.c): every entry of format 1, opened with old_seal
 * (format 1's audit key), is sealed again as format 2 for the key of the
 * user it names (vault_owner_xp) and chained again under the keyring's
 * chain key (the common key's); fix may change the entry first. The head is
 * written anew. Returns an LMDB code or TXN_FAILED. */
int
vault_audit_upgrade_txn(struct vault *v, MDB_txn *txn, const unsigned char *old_seal,
    void (*fix)(struct audit_entry *, void *), void *ctx)
{
	unsigned char prev[CRYPTO_HASH_BYTES], ad[AD_MAX], wad[AD_MAX];
	unsigned char kbuf[8], *plain, *out = NULL, xp[CRYPTO_PK_BYTES];
	struct audit_entry e;
	MDB_cursor *cur;
	MDB_val k, d, nv;
	uint64_t seq = 0;
	size_t plen, adlen, wadlen, size;
	int rc;

	memset(prev, 0, sizeof prev);
	if ((plain = secure_alloc(2 * AUDIT_ENTRY_MAX)) == NULL ||
	    (out = malloc(AUDIT_BUF_MAX)) == NULL) {
		secure_free(plain);
		return vault_txn_fail(v, vault_fail(v, ST_NOMEM, "out of memory while upgrading"));
	}
	if ((rc = mdb_cursor_open(txn, v->dbi[DB_AUDIT], &cur)) != 0)
		goto done;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *c = d.mv_data;

		seq = k.mv_size == 8 ? get_be64(k.mv_data) : 0;
		if (seq == 0 || d.mv_size <= AUDIT_VAL_MIN || d.mv_size > AUDIT_VAL_MAX ||
		    c[0] != AUDIT_MAGIC || c[1] != VAULT_FORMAT_1 ||
		    crypto_open(plain, c + ENV_HEAD, d.mv_size - ENV_HEAD - CRYPTO_HASH_BYTES, ad,
		    audit_ad(v, c, seq, ad), old_seal) != ST_OK ||
		    audit_decode(plain, d.mv_size - AUDIT_VAL_MIN, &e) != ST_OK) {
			rc = vault_txn_fail(v, vault_fail(v, ST_TAMPERED,
			    "audit entry %llu of %s failed its integrity check: nothing was "
			    "changed; run `intake verify` and restore the vault from a backup",
			    (unsigned long long)seq, v->dir));
			break;
		}
		if (fix != NULL)
			fix(&e, ctx);
		if (audit_encode(&e, plain + AUDIT_ENTRY_MAX, AUDIT_ENTRY_MAX, &plen) != ST_OK) {
			rc = vault_txn_fail(v, vault_fail(v, ST_INVALID,
			    "audit entry %llu cannot be written again", (unsigned long long)seq));
			break;
		}
		vault_owner_xp(v, e.user, xp);
		size = AUDIT_VAL_MIN + AUDIT2_OVER + plen;
		out[0] = AUDIT_MAGIC;
		out[1] = 2;
		out[2] = AUDIT2_CONVERTED;
		out[3] = 0;
		put_be32(out + ENV_HEAD, v->epoch);
		memcpy(out + ENV_HEAD + 4, xp, CRYPTO_PK_BYTES);
		adlen = audit_ad(v, out, seq, ad);
		memcpy(wad, ad, adlen);
		memcpy(wad + adlen, out + ENV_HEAD, 4 + CRYPTO_PK_BYTES);
		wadlen = adlen + 4 + CRYPTO_PK_BYTES;
		if (vault_s_key(v, v->epoch, xp) != ST_OK) {
			rc = vault_txn_fail(v, vault_fail(v, ST_TAMPERED,
			    "cannot seal audit entry %llu for its writer", (unsigned long long)seq));
			break;
		}
		crypto_random(v->kr->item, sizeof v->kr->item);
		crypto_wrap(out + ENV_HEAD + 4 + CRYPTO_PK_BYTES, v->kr->item, wad, wadlen, v->kr->wrap);
		crypto_seal(out + ENV_HEAD + AUDIT2_EXTRA, plain + AUDIT_ENTRY_MAX, plen, ad, adlen,
		    v->kr->item);
		secure_wipe(v->kr->item, sizeof v->kr->item);
		secure_wipe(v->kr->wrap, sizeof v->kr->wrap);
		audit_sign(v, seq, prev, out, size);
		vault_audit_link(v, seq, prev, out, size - CRYPTO_HASH_BYTES,
		    out + size - CRYPTO_HASH_BYTES);
		memcpy(prev, out + size - CRYPTO_HASH_BYTES, CRYPTO_HASH_BYTES);
		put_be64(kbuf, seq);
		k.mv_size = sizeof kbuf;
		k.mv_data = kbuf;
		nv.mv_size = size;
		nv.mv_data = out;
		if ((rc = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	secure_wipe(&e, sizeof e);
	if (rc != MDB_NOTFOUND)
		goto done;
	rc = 0;
	if (seq > 0)
		rc = head_put(v, txn, seq, prev);
done:
	secure_free(plain);
	free(out);
	return rc;
}

/* The entry of a record change; create and amend carry the digest of the
 * envelope just written, so verify can tell a rolled-back copy. */
int
vault_audit_record_txn(struct vault *v, MDB_txn *txn, enum audit_action a,
    const struct record_id *id, const char *reason)
{
	struct audit_entry e;
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(id->b) }, val;
	int rc;

	audit_entry_init(&e, a, v->user);
	e.has_record = true;
	e.record = *id;
	if (reason != NULL)
		snprintf(e.reason, sizeof e.reason, "%s", reason);
	if (a != AUDIT_RECORD_DELETE) {
		rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val);
		if (rc != 0)
			return rc;
		vault_env_digest(v, KIND_RECORD, &val, e.digest);
		e.has_digest = true;
	}
	rc = vault_audit_put_txn(v, txn, &e);
	secure_wipe(&e, sizeof e);
	return rc;
}

int
vault_audit_user_txn(struct vault *v, MDB_txn *txn, enum audit_action a, const char *actor,
    const char *subject, int role, const unsigned char *entry, size_t entry_len)
{
	struct audit_entry e;

	audit_entry_init(&e, a, actor);
	snprintf(e.subject, sizeof e.subject, "%s", subject);
	e.role = role;
	/* verify compares this with the training flag: removing the flag from a
	 * training vault (so trainees' fictional records pass for real) shows. */
	if (a == AUDIT_VAULT_CREATE && v->training)
		snprintf(e.reason, sizeof e.reason, "training");
	if (entry != NULL) {
		/* Format 2: the group key sealed at the end changes with each
		 * epoch and is checked against the signed group key instead. */
		crypto_digest(e.digest, entry, v->format == 2 && entry_len > USER2_BYTES ?
		    USER2_BYTES : entry_len);
		e.has_digest = true;
	}
	return vault_audit_put_txn(v, txn, &e);
}

static int
audit_append_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	return vault_audit_put_txn(v, txn, arg);
}

enum status
vault_audit_append(struct vault *v, const unsigned char *entry, size_t len)
{
	struct audit_entry e;
	enum status st;

	if ((st = vault_need_unlocked(v)) != ST_OK)
		return st;
	if (audit_decode(entry, len, &e) != ST_OK || strcmp(e.user, v->user) != 0) {
		secure_wipe(&e, sizeof e);
		return vault_fail(v, ST_INVALID, "not an audit entry of the unlocked user");
	}
	v->headroom = 1;
	st = vault_write_txn(v, "writing the audit trail", audit_append_txn, &e);
	v->headroom = 0;
	secure_wipe(&e, sizeof e);
	return st;
}

enum status
vault_audit_scan(struct vault *v, vault_audit_fn fn, void *ctx)
{
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, d;
	unsigned char *plain;
	enum status st;
	int rc;

	if ((st = vault_require(v, VAULT_RIGHT_AUDIT)) != ST_OK)
		return st;
	if (v->scanning)
		return vault_fail(v, ST_BUSY, "a scan of the vault is already running");
	if ((plain = vault_scratch_get(v, AUDIT_ENTRY_MAX)) == NULL)
		return vault_fail(v, ST_NOMEM, "out of memory while reading the audit trail");
	vault_audit_keys(v);
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_AUDIT], &cur);
	v->scanning = 1;
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		uint64_t seq = k.mv_size == 8 ? get_be64(k.mv_data) : 0;
		size_t plen = 0;
		enum status ist = seq ? vault_audit_open(v, seq, &d, plain, &plen) : ST_TAMPERED;
		int stop = fn(ctx, seq, ist, ist == ST_OK ? plain : NULL, plen);

		secure_wipe(plain, AUDIT_ENTRY_MAX);
		if (stop)
			break;
	}
	v->scanning = 0;
	vault_pack_settle(v);
	st = rc == 0 || rc == MDB_NOTFOUND ? ST_OK : vault_fail_mdb(v, rc,
	    "reading the audit trail");
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	vault_scratch_done(v, AUDIT_ENTRY_MAX);
	return st;
}

/* Format 2: the head's signature, by a user of the vault (the last who
 * wrote an entry). */
static enum status
head2_read(struct vault *v, MDB_txn *txn, const MDB_val *d, struct vault_audit_head *out)
{
	unsigned char msg[64 + VAULT_ID_BYTES + 8 + CRYPTO_HASH_BYTES];
	const unsigned char *p = d->mv_data, *sp = p + 8 + CRYPTO_HASH_BYTES;
	MDB_cursor *cur;
	MDB_val k, e;
	int rc, known = 0;

	if (d->mv_size != AUDIT2_HEAD_BYTES ||
	    crypto_sign_check(sp + CRYPTO_SIGN_PK_BYTES, msg, head_msg(v, p, msg), sp) != ST_OK)
		return ST_TAMPERED;
	if (mdb_cursor_open(txn, v->dbi[DB_USERS], &cur) != 0)
		return ST_TAMPERED;
	while (!known && (rc = mdb_cursor_get(cur, &k, &e, MDB_NEXT)) == 0)
		known = vault_entry_base(e.mv_data, e.mv_size) > 0 &&
		    memcmp((const unsigned char *)e.mv_data + USER2_OFF_SP, sp,
		    CRYPTO_SIGN_PK_BYTES) == 0;
	mdb_cursor_close(cur);
	if (!known)
		return ST_TAMPERED;
	out->seq = get_be64(p);
	memcpy(out->link, p + 8, CRYPTO_HASH_BYTES);
	return ST_OK;
}

/* Reads and authenticates meta "audit_head" in txn: ST_NOTFOUND when
 * absent, ST_TAMPERED when malformed or its tag does not match. */
enum status
vault_audit_head_read(struct vault *v, MDB_txn *txn, struct vault_audit_head *out)
{
	unsigned char tag[CRYPTO_HASH_BYTES];
	const unsigned char *p;
	MDB_val d;
	int rc = vault_meta_get(txn, v->dbi[DB_META], AUDIT_HEAD_KEY, &d);

	memset(out, 0, sizeof *out);
	if (rc == MDB_NOTFOUND)
		return ST_NOTFOUND;
	if (rc == 0 && v->format == 2)
		return head2_read(v, txn, &d, out);
	if (rc != 0 || d.mv_size != AUDIT_HEAD_BYTES)
		return ST_TAMPERED;
	p = d.mv_data;
	out->seq = get_be64(p);
	memcpy(out->link, p + 8, CRYPTO_HASH_BYTES);
	audit_head_tag(v, out->seq, out->link, tag);
	if (!crypto_equal(tag, p + 8 + CRYPTO_HASH_BYTES, sizeof tag))
		return ST_TAMPERED;
	return ST_OK;
}

enum status
vault_audit_head(struct vault *v, struct vault_audit_head *out)
{
	MDB_txn *txn;
	enum status st;
	int rc;

	memset(out, 0, sizeof *out);
	if ((st = vault_require(v, VAULT_RIGHT_AUDIT)) != ST_OK)
		return st;
	vault_audit_keys(v);
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the audit trail");
	st = vault_audit_head_read(v, txn, out);
	mdb_txn_abort(txn);
	if (st == ST_NOTFOUND || st == ST_TAMPERED)
		return vault_fail(v, ST_TAMPERED,
		    "the head of the audit trail of %s is %s: run `intake "
		    "verify`", v->dir, st == ST_NOTFOUND ? "missing" : "damaged or was edited");
	return st;
}

/* ---- audit.h's calls that go through the vault ---------------------------- */

enum status
audit_log(struct vault *v, enum audit_action a, const struct record_id *id,
    const char *reason)
{
	unsigned char buf[AUDIT_ENTRY_MAX];
	struct audit_entry e;
	size_t len;
	enum status st;

	switch (a) {
	case AUDIT_RECORD_VIEW:
	case AUDIT_HISTORY_VIEW:
	case AUDIT_EXPORT:
	case AUDIT_STATS:
	case AUDIT_LOCK:
	case AUDIT_HIDE:
		break;
	default:
		return ST_INVALID;
	}
	if (!vault_is_unlocked(v))
		return ST_LOCKED;
	audit_entry_init(&e, a, vault_user(v));
	if (id != NULL) {
		e.has_record = true;
		e.record = *id;
	}
	if (reason != NULL)
		snprintf(e.reason, sizeof e.reason, "%s", reason);
	st = audit_encode(&e, buf, sizeof buf, &len);
	if (st == ST_OK)
		st = vault_audit_append(v, buf, len);
	secure_wipe(buf, sizeof buf);
	secure_wipe(&e, sizeof e);
	return st;
}

enum status
audit_log_data(struct vault *v, enum audit_action a, size_t count, const char *detail)
{
	unsigned char buf[AUDIT_ENTRY_MAX];
	struct audit_entry e;
	size_t len, cut;
	enum status st;

	if (a != AUDIT_EXPORT && a != AUDIT_STATS && a != AUDIT_BUNDLE_CREATE)
		return ST_INVALID;
	if (!vault_is_unlocked(v))
		return ST_LOCKED;
	audit_entry_init(&e, a, vault_user(v));
	e.count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	if (detail != NULL) {
		/* Cut at a character boundary: the entry holds UTF-8 only. */
		cut = strlen(detail);
		if (cut > AUDIT_REASON_MAX) {
			cut = AUDIT_REASON_MAX;
			while (cut > 0 && ((unsigned char)detail[cut] & 0xC0) == 0x80)
				cut--;
		}
		memcpy(e.reason, detail, cut);
		e.reason[cut] = '\0';
	}
	st = audit_encode(&e, buf, sizeof buf, &len);
	if (st == ST_OK)
		st = vault_audit_append(v, buf, len);
	secure_wipe(buf, sizeof buf);
	secure_wipe(&e, sizeof e);
	return st;
}

struct list_ctx {
	const struct audit_filter *flt;
	audit_fn fn;
	void *ctx;
	struct audit_entry e;
};

static int
list_one(void *ctxp, uint64_t seq, enum status st, const unsigned char *entry, size_t len)
{
	struct list_ctx *c = ctxp;

	if (st == ST_OK && audit_decode(entry, len, &c->e) != ST_OK)
		st = ST_TAMPERED;
	if (st != ST_OK) {
		memset(&c->e, 0, sizeof c->e);
		c->e.seq = seq;
		return c->fn(c->ctx, ST_TAMPERED, &c->e);
	}
	c->e.seq = seq;
	if (c->flt != NULL && c->flt->user != NULL && strcmp(c->e.user, c->flt->user) != 0 &&
	    strcmp(c->e.subject, c->flt->user) != 0)
		return 0;
	if (c->flt != NULL && c->e.time < c->flt->since)
		return 0;
	return c->fn(c->ctx, ST_OK, &c->e);
}

enum status
audit_list(struct vault *v, const struct audit_filter *flt, audit_fn fn, void *ctx)
{
	struct list_ctx c = { flt, fn, ctx, { 0 } };
	enum status st = vault_audit_scan(v, list_one, &c);

	secure_wipe(&c.e, sizeof c.e);
	return st;
}

enum status
audit_head_text(struct vault *v, char out[AUDIT_HEAD_TEXT_MAX])
{
	struct vault_audit_head h;
	char hex[2 * CRYPTO_HASH_BYTES + 1];
	enum status st;

	out[0] = '\0';
	if ((st = vault_audit_head(v, &h)) != ST_OK)
		return st;
	crypto_bin2hex(hex, h.link, sizeof h.link);
	snprintf(out, AUDIT_HEAD_TEXT_MAX, "%llu:%s", (unsigned long long)h.seq, hex);
	return ST_OK;
}
