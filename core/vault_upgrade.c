/*
 * vault_upgrade.c — `intake upgrade`: a vault of format 1 becomes format 2
 * in one write transaction, so a process killed on the way leaves format 1
 * as it was. The supervisor running it signs every user's new entry (their
 * signing key becomes the vault's root) and every item is sealed again for
 * its owner. Users other than the supervisor cannot be given a passphrase
 * seal, so each entry is pending (version 3, vault_int.h): the user's new
 * secrets sealed under a key derived from the format 1 vault key, which
 * their format 1 wrap still holds; their next unlock seals the secrets
 * under their passphrase and drops the format 1 part (vault_users.c). When
 * the last user has unlocked, nothing of the format 1 key is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "vault_int.h"

struct up_user {
	char name[VAULT_USER_MAX + 1];
	enum role role;
	unsigned char raw1[USER_ENTRY_BYTES];
	unsigned char xp[CRYPTO_PK_BYTES];
	unsigned char sp[CRYPTO_SIGN_PK_BYTES];
	unsigned char entry[ENTRY_MAX];
	size_t len;
};

/* A record's envelope digest before and after, so the audit trail's
 * digests follow the records. */
struct up_digest {
	unsigned char id[VAULT_ID_BYTES];
	unsigned char old[CRYPTO_HASH_BYTES], now[CRYPTO_HASH_BYTES];
};

struct up {
	struct up_user *u;
	size_t n, self;
	unsigned char *sec;       /* secure: n * SECRETS_BYTES */
	unsigned char *vk;        /* secure: the format 1 vault key */
	unsigned char *c;         /* secure: the common key of format 2 */
	unsigned char *plain;     /* secure: an item being converted */
	size_t plain_cap;
	struct up_digest *dg;
	size_t ndg, capdg;
};

static int
dg_cmp(const void *a, const void *b)
{
	return memcmp(a, b, VAULT_ID_BYTES);
}

static void
fix_digest(struct audit_entry *e, void *ctx)
{
	struct up *u = ctx;
	struct up_digest *hit;

	if (!e->has_record || !e->has_digest || u->ndg == 0)
		return;
	hit = bsearch(e->record.b, u->dg, u->ndg, sizeof *u->dg, dg_cmp);
	if (hit != NULL && crypto_equal(hit->old, e->digest, CRYPTO_HASH_BYTES))
		memcpy(e->digest, hit->now, CRYPTO_HASH_BYTES);
}

static void
keys_as(struct vault *v, const struct up *u, size_t i)
{
	const unsigned char *s = u->sec + i * SECRETS_BYTES;

	memcpy(v->kr->xs, s, CRYPTO_KEY_BYTES);
	memcpy(v->kr->dk, s + CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, CRYPTO_KEY_BYTES);
	memcpy(v->xp, u->u[i].xp, CRYPTO_PK_BYTES);
}

/* Keys of the vault's format: 1 (the format 1 key's purpose keys) or 2 (the
 * common key's). */
static void
format_as(struct vault *v, const struct up *u, int format)
{
	v->format = (uint32_t)format;
	memcpy(v->kr->vk, format == 1 ? u->vk : u->c, CRYPTO_KEY_BYTES);
	vault_derive_purpose_keys(v->kr);
}

static int
grow_plain(struct vault *v, struct up *u, size_t n)
{
	if (n <= u->plain_cap)
		return 0;
	secure_free(u->plain);
	u->plain_cap = 0;
	if ((u->plain = secure_alloc(n)) == NULL)
		return vault_txn_fail(v, vault_fail(v, ST_NOMEM, "out of memory while upgrading"));
	u->plain_cap = n;
	return 0;
}

/* Seals every item of dbi (of kind) again: opened as format 1, sealed as
 * format 2 for its owner (a draft under its user's data key). An item that
 * does not open is left as it is: the new format reports it as damaged. */
static int
convert(struct vault *v, MDB_txn *txn, struct up *u, enum kind kind, MDB_dbi dbi)
{
	char owner[VAULT_USER_MAX + 1];
	unsigned char kb[KEY_MAX], *out = NULL;
	MDB_cursor *cur;
	MDB_val k, d, nk, nv;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		size_t plen, off = 0, clen = 0, who = u->self;
		struct up_digest *g = NULL;
		struct env_staged sg;
		enum status st;

		format_as(v, u, 1);
		plen = vault_env_plain_len(kind, &d);
		if (plen == 0 || k.mv_size > KEY_MAX)
			continue;
		if ((rc = grow_plain(v, u, plen + 1)) != 0)
			break;
		if (vault_env_decrypt(v, kind, &k, &d, u->plain, owner, &off, &clen) != ST_OK)
			continue;
		if (kind == KIND_DRAFT) {
			for (who = 0; who < u->n; who++)
				if (k.mv_size == strlen(u->u[who].name) + 1 + VAULT_ID_BYTES &&
				    memcmp(k.mv_data, u->u[who].name, k.mv_size - 1 - VAULT_ID_BYTES) == 0)
					break;
			if (who == u->n)
				continue;       /* a draft of no user: stays, unreadable */
		}
		if (kind == KIND_RECORD) {
			if (u->ndg == u->capdg) {
				size_t cap = u->capdg ? 2 * u->capdg : 1024;
				struct up_digest *p = realloc(u->dg, cap * sizeof *p);

				if (p == NULL) {
					rc = vault_txn_fail(v, vault_fail(v, ST_NOMEM,
					    "out of memory while upgrading"));
					break;
				}
				u->dg = p;
				u->capdg = cap;
			}
			g = &u->dg[u->ndg];
			memcpy(g->id, k.mv_data, VAULT_ID_BYTES < k.mv_size ? VAULT_ID_BYTES : k.mv_size);
			vault_env_digest(v, kind, &d, g->old);
		}
		memcpy(kb, k.mv_data, k.mv_size);
		nk.mv_size = k.mv_size;
		nk.mv_data = kb;
		format_as(v, u, 2);
		/* Compressed as a save compresses it (vault_pack.c). */
		if ((st = vault_env_stage(v, kind, owner, u->plain + off, clen, 1, &sg)) != ST_OK) {
			secure_wipe(u->plain, plen + 1);
			rc = vault_txn_fail(v, st);
			break;
		}
		nv.mv_size = vault_env_staged_size(v, kind, &sg);
		free(out);
		if ((out = malloc(nv.mv_size)) == NULL) {
			vault_env_unstage(v, &sg);
			secure_wipe(u->plain, plen + 1);
			rc = vault_txn_fail(v, vault_fail(v, ST_NOMEM, "out of memory while upgrading"));
			break;
		}
		if (kind == KIND_DRAFT)
			keys_as(v, u, who);
		st = vault_env_seal_staged(v, kind, &nk, owner, &sg, out);
		keys_as(v, u, u->self);
		secure_wipe(u->plain, plen + 1);
		if (st != ST_OK) {
			rc = vault_txn_fail(v, st);
			break;
		}
		nv.mv_data = out;
		if (g != NULL) {
			vault_env_digest(v, kind, &nv, g->now);
			u->ndg++;
		}
		if ((rc = mdb_cursor_put(cur, &nk, &nv, MDB_CURRENT)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	free(out);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Forms and statistics releases stay format 1 envelopes, now under the
 * common key. */
static int
convert_common(struct vault *v, MDB_txn *txn, struct up *u, enum kind kind, MDB_dbi dbi)
{
	char owner[VAULT_USER_MAX + 1];
	unsigned char kb[KEY_MAX], *out = NULL;
	MDB_cursor *cur;
	MDB_val k, d, nk, nv;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		size_t plen, off = 0, clen = 0;
		enum status st;

		format_as(v, u, 1);
		plen = vault_env_plain_len(kind, &d);
		if (plen == 0 || k.mv_size > KEY_MAX)
			continue;
		if ((rc = grow_plain(v, u, plen + 1)) != 0)
			break;
		if (vault_env_decrypt(v, kind, &k, &d, u->plain, owner, &off, &clen) != ST_OK)
			continue;
		memcpy(kb, k.mv_data, k.mv_size);
		nk.mv_size = k.mv_size;
		nk.mv_data = kb;
		format_as(v, u, 2);
		nv.mv_size = vault_env_size_for(v, kind, strlen(owner), clen);
		free(out);
		if ((out = malloc(nv.mv_size)) == NULL) {
			rc = vault_txn_fail(v, vault_fail(v, ST_NOMEM, "out of memory while upgrading"));
			break;
		}
		st = vault_env_seal(v, kind, &nk, owner, u->plain + off, clen, out);
		secure_wipe(u->plain, plen + 1);
		if (st != ST_OK) {
			rc = vault_txn_fail(v, st);
			break;
		}
		nv.mv_data = out;
		if ((rc = mdb_cursor_put(cur, &nk, &nv, MDB_CURRENT)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	free(out);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
upgrade_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	struct up *u = arg;
	unsigned char fmt[4], old_seal[CRYPTO_KEY_BYTES];
	MDB_cursor *cur;
	MDB_val k, d;
	MDB_dbi rel;
	size_t seen = 0;
	int rc;

	u->ndg = 0;
	format_as(v, u, 1);
	/* The users must be the ones read before. */
	if ((rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		size_t i;

		for (i = 0; i < u->n; i++)
			if (k.mv_size == strlen(u->u[i].name) &&
			    memcmp(k.mv_data, u->u[i].name, k.mv_size) == 0)
				break;
		if (i == u->n || d.mv_size != USER_ENTRY_BYTES ||
		    memcmp(d.mv_data, u->u[i].raw1, USER_ENTRY_BYTES) != 0)
			break;
		seen++;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND || seen != u->n) {
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
		return vault_txn_fail(v, vault_fail(v, ST_BUSY, "the users of the vault changed "
		    "meanwhile: nothing was changed; run `intake upgrade` again"));
	}
	for (size_t i = 0; i < u->n; i++) {
		k.mv_size = strlen(u->u[i].name);
		k.mv_data = u->u[i].name;
		d.mv_size = u->u[i].len;
		d.mv_data = u->u[i].entry;
		if ((rc = mdb_put(txn, v->dbi[DB_USERS], &k, &d, 0)) != 0)
			return rc;
	}
	/* The format 1 audit key, before the keyring moves to the common key. */
	vault_audit_keys(v);
	memcpy(old_seal, v->kr->audit_seal, sizeof old_seal);
	if ((rc = convert(v, txn, u, KIND_RECORD, v->dbi[DB_RECORDS])) != 0 ||
	    (rc = convert(v, txn, u, KIND_SUMMARY, v->dbi[DB_SUMMARIES])) != 0 ||
	    (rc = convert(v, txn, u, KIND_HISTORY, v->dbi[DB_HISTORY])) != 0 ||
	    (rc = convert(v, txn, u, KIND_DRAFT, v->dbi[DB_DRAFTS])) != 0 ||
	    (v->training && (rc = convert(v, txn, u, KIND_DEBRIEF, v->dbi[DB_DEBRIEFS])) != 0) ||
	    (rc = convert_common(v, txn, u, KIND_FORM, v->dbi[DB_FORMS])) != 0)
		goto out;
	rc = mdb_dbi_open(txn, RELEASES_DB, 0, &rel);
	if (rc == 0)
		rc = convert_common(v, txn, u, KIND_RELEASE, rel);
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	if (u->ndg > 1)
		qsort(u->dg, u->ndg, sizeof *u->dg, dg_cmp);
	format_as(v, u, 2);
	vault_audit_keys(v);
	if ((rc = vault_audit_upgrade_txn(v, txn, old_seal, fix_digest, u)) != 0)
		goto out;
	put_be32(fmt, 2);
	vault_meta_mac(v, v->meta_mac);
	if ((rc = vault_meta_put(txn, v->dbi[DB_META], META_FORMAT, fmt, sizeof fmt, 0)) != 0 ||
	    (rc = vault_meta_put(txn, v->dbi[DB_META], META_ROOT, v->root, sizeof v->root, 0)) != 0 ||
	    (rc = vault_group_put(v, txn)) != 0 ||
	    (rc = vault_meta_put(txn, v->dbi[DB_META], META_MAC, v->meta_mac,
	    sizeof v->meta_mac, 0)) != 0 ||
	    (rc = vault_listing_rebuild_in(v, txn)) != 0)
		goto out;
	/* Every entry changed: each gets its audit entry, with its digest. */
	for (size_t i = 0; i < u->n && rc == 0; i++)
		rc = vault_audit_user_txn(v, txn, AUDIT_USER_PASSWD, v->user, u->u[i].name, -1,
		    u->u[i].entry, u->u[i].len);
out:
	secure_wipe(old_seal, sizeof old_seal);
	return rc;
}

/* The users of the vault, read before the transaction (Argon2id is not
 * needed, but the keys are made outside it). */
static enum status
read_users(struct vault *v, struct up *u)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, d;
	int rc;

	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the users");
	if ((rc = mdb_stat(txn, v->dbi[DB_USERS], &ms)) != 0 ||
	    (rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur)) != 0) {
		mdb_txn_abort(txn);
		return vault_fail_mdb(v, rc, "reading the users");
	}
	u->u = calloc(ms.ms_entries + 1, sizeof *u->u);
	while (u->u != NULL && u->n < ms.ms_entries &&
	    (rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct up_user *x = &u->u[u->n];
		const unsigned char *p = d.mv_data;

		if (k.mv_size == 0 || k.mv_size > VAULT_USER_MAX || d.mv_size != USER_ENTRY_BYTES ||
		    p[USER_OFF_ROLE] > ROLE_TRAINER)
			break;
		memcpy(x->name, k.mv_data, k.mv_size);
		x->name[k.mv_size] = '\0';
		memcpy(x->raw1, p, USER_ENTRY_BYTES);
		x->role = (enum role)p[USER_OFF_ROLE];
		if (strcmp(x->name, v->user) == 0)
			u->self = u->n;
		u->n++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (u->u == NULL)
		return vault_fail(v, ST_NOMEM, "out of memory while upgrading");
	if (u->n != ms.ms_entries)
		return vault_fail(v, ST_TAMPERED, "the users table of %s is damaged: run `intake "
		    "verify` before upgrading", v->dir);
	return ST_OK;
}

/* Every user's keys and pending entry, signed by the unlocked supervisor. */
static enum status
make_entries(struct vault *v, struct up *u)
{
	struct keyring *kr = v->kr;
	unsigned char ad[AD_MAX];
	size_t adlen;

	for (size_t i = 0; i < u->n; i++) {
		unsigned char *s = u->sec + i * SECRETS_BYTES;

		crypto_pk_keypair(u->u[i].xp, s);
		crypto_sign_pair(u->u[i].sp, s + CRYPTO_KEY_BYTES);
		crypto_random(s + CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, CRYPTO_KEY_BYTES);
		memcpy(s + 2 * CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, u->c, CRYPTO_KEY_BYTES);
	}
	keys_as(v, u, u->self);
	memcpy(kr->ss, u->sec + u->self * SECRETS_BYTES + CRYPTO_KEY_BYTES, CRYPTO_SIGN_SK_BYTES);
	memcpy(v->sp, u->u[u->self].sp, sizeof v->sp);
	memcpy(v->root, v->sp, sizeof v->root);
	if (vault_group_start(v) != 0)
		return vault_fail(v, ST_NOMEM, "out of memory while upgrading");
	memcpy(kr->vk, u->vk, CRYPTO_KEY_BYTES);
	for (size_t i = 0; i < u->n; i++) {
		struct up_user *x = &u->u[i];
		unsigned char *e = x->entry;

		memset(e, 0, sizeof x->entry);
		memcpy(e, x->raw1, USER_OFF_WRAPPED);
		e[0] = USER3_VERSION;
		memcpy(e + USER2_OFF_XP, x->xp, CRYPTO_PK_BYTES);
		memcpy(e + USER2_OFF_SP, x->sp, CRYPTO_SIGN_PK_BYTES);
		put_be64(e + USER2_OFF_ADDED, (uint64_t)clock_now());
		vault_pending_key(v, x->name);
		adlen = vault_user2_ad(v, x->name, e, ad);
		crypto_seal(e + USER2_OFF_SECRETS, u->sec + i * SECRETS_BYTES, SECRETS_BYTES, ad, adlen,
		    kr->wrap);
		secure_wipe(kr->wrap, sizeof kr->wrap);
		vault_user2_sign(v, x->name, e);
		memcpy(e + USER2_BYTES, x->raw1 + USER_OFF_WRAPPED, CRYPTO_WRAPPED_BYTES);
		x->len = USER3_BYTES;
		if (vault_role_in_group(v, x->role)) {
			put_be32(e + USER3_BYTES, v->epoch);
			crypto_pk_seal(e + USER3_BYTES + 4, kr->gs, CRYPTO_KEY_BYTES, x->xp);
			x->len += GRANT_BYTES;
		}
	}
	return ST_OK;
}

enum status
vault_upgrade(struct vault *v)
{
	struct up u;
	unsigned char mac[CRYPTO_HASH_BYTES];
	enum status st;

	if ((st = vault_need_supervisor(v, "upgrade the vault")) != ST_OK)
		return st;
	if (v->format != VAULT_FORMAT_1)
		return vault_fail(v, ST_INVALID, "the vault at %s is already of format %lu: nothing "
		    "to upgrade", v->dir, (unsigned long)v->format);
	memset(&u, 0, sizeof u);
	memcpy(mac, v->meta_mac, sizeof mac);
	if ((st = read_users(v, &u)) != ST_OK)
		goto done;
	u.sec = secure_alloc(u.n * SECRETS_BYTES);
	u.vk = secure_alloc(CRYPTO_KEY_BYTES);
	u.c = secure_alloc(CRYPTO_KEY_BYTES);
	if (u.sec == NULL || u.vk == NULL || u.c == NULL) {
		st = vault_fail(v, ST_NOMEM, "out of memory while upgrading");
		goto done;
	}
	memcpy(u.vk, v->kr->vk, CRYPTO_KEY_BYTES);
	crypto_random(u.c, CRYPTO_KEY_BYTES);
	if ((st = make_entries(v, &u)) != ST_OK)
		goto done;
	st = vault_write_txn(v, "upgrading the vault", upgrade_txn, &u);
done:
	if (st == ST_OK) {
		/* The handle goes on in format 2, as the supervisor, whose own
		 * entry is pending like everyone's until their next unlock. */
		format_as(v, &u, 2);
	} else if (u.vk != NULL) {
		format_as(v, &u, 1);
		vault_keys_forget(v);
		secure_wipe(v->kr->xs, sizeof v->kr->xs);
		secure_wipe(v->kr->dk, sizeof v->kr->dk);
		memcpy(v->meta_mac, mac, sizeof mac);
		memset(v->root, 0, sizeof v->root);
	}
	secure_wipe(v->kr->ss, sizeof v->kr->ss);
	if (st == ST_OK)
		memcpy(v->kr->ss, u.sec + u.self * SECRETS_BYTES + CRYPTO_KEY_BYTES,
		    CRYPTO_SIGN_SK_BYTES);
	secure_free(u.sec);
	secure_free(u.vk);
	secure_free(u.c);
	secure_free(u.plain);
	free(u.dg);
	if (u.u != NULL)
		secure_wipe(u.u, u.n * sizeof *u.u);
	free(u.u);
	return st;
}
