/*
 * vault_users.c — users and their keys: user entries (wrapping the vault
 * key under a passphrase), unlock, adding, removing and re-keying users,
 * the role table (vault_allowed), and unlock throttling: paced, fair turns
 * per OS account and the failed unlocks carried into the audit trail.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <unistr.h>

#include "clock.h"
#include "vault_int.h"

static enum status throttle_begin(struct vault *v, const char *user);
static enum status unlock_finish(struct vault *v);

/* ---- user entries ------------------------------------------------------- */

static size_t
user_ad(const struct vault *v, const char *name, const unsigned char *entry,
    unsigned char ad[AD_MAX])
{
	static const char label[] = "intake-user";
	size_t n = 0, nlen = strlen(name);

	memcpy(ad + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	put_be32(ad + n, v->format);
	n += 4;
	memcpy(ad + n, entry, USER_HEAD_BYTES);
	n += USER_HEAD_BYTES;
	ad[n++] = (unsigned char)nlen;
	memcpy(ad + n, name, nlen);
	return n + nlen;
}

static enum status
fail_passkey(struct vault *v, enum status st, uint64_t mem_mib)
{
	if (st == ST_NOMEM)
		return vault_fail(v, ST_NOMEM,
		    "not enough memory to check the passphrase: Argon2id needs "
		    "%llu MiB; close other programs and try again", (unsigned long long)mem_mib);
	return vault_fail(v, st, "the Argon2id limits are out of range");
}

/* Builds a user entry wrapping the VK held in the keyring. Runs Argon2id:
 * call it outside any transaction. */
enum status
vault_user_entry_build(struct vault *v, const char *name, enum role role, const char *pass,
    size_t passlen, const struct vault_kdf *kdf, unsigned char out[USER_ENTRY_BYTES])
{
	struct keyring *kr = v->kr;
	unsigned char ad[AD_MAX];
	size_t adlen;
	enum status st;

	memset(out, 0, USER_ENTRY_BYTES);
	out[0] = USER_ENTRY_VERSION;
	out[USER_OFF_ROLE] = (unsigned char)role;
	put_be64(out + USER_OFF_OPS, kdf->ops);
	put_be64(out + USER_OFF_MEM, kdf->mem_mib);
	crypto_random(out + USER_OFF_SALT, CRYPTO_SALT_BYTES);
	st = crypto_passkey(kr->master, pass, passlen, out + USER_OFF_SALT, kdf->ops, kdf->mem_mib);
	if (st != ST_OK)
		return fail_passkey(v, st, kdf->mem_mib);
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(out + USER_OFF_VERIFIER, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX,
	    kr->master);
	adlen = user_ad(v, name, out, ad);
	crypto_wrap(out + USER_OFF_WRAPPED, kr->vk, ad, adlen, kr->kek);
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	return ST_OK;
}

enum status
vault_user_entry_parse(struct vault *v, const char *name, const MDB_val *val, struct user_entry *e)
{
	const unsigned char *p = val->mv_data;

	if (v->format == 2) {
		if (vault_user2_parse(val->mv_data, val->mv_size, e) != ST_OK)
			goto damaged;
		return ST_OK;
	}
	e->len = USER_ENTRY_BYTES;
	if (val->mv_size != USER_ENTRY_BYTES || p[0] != USER_ENTRY_VERSION ||
	    p[USER_OFF_ROLE] > ROLE_TRAINER || p[2] != 0 || p[3] != 0)
		goto damaged;
	memcpy(e->raw, p, USER_ENTRY_BYTES);
	e->role = (enum role)p[USER_OFF_ROLE];
	e->ops = get_be64(p + USER_OFF_OPS);
	e->mem_mib = get_be64(p + USER_OFF_MEM);
	/* Bounds keep an edited entry from making unlock hang or exhaust memory. */
	if (e->ops < CRYPTO_PASSKEY_OPS_MIN || e->ops > CRYPTO_PASSKEY_OPS_MAX ||
	    e->mem_mib < CRYPTO_PASSKEY_MEM_MIN || e->mem_mib > CRYPTO_PASSKEY_MEM_MAX)
		goto damaged;
	return ST_OK;
damaged:
	return vault_fail(v, ST_TAMPERED, "the entry of user %s is damaged or was edited on disk: "
	    "restore the vault from a backup, or ask a supervisor to remove and add %s again",
	    name, name);
}

/* Reads and parses the entry of name. ST_NOTFOUND without a message. */
static enum status
user_read(struct vault *v, const char *name, struct user_entry *e)
{
	MDB_txn *txn;
	MDB_val k = { strlen(name), vault_unconst(name) }, val;
	enum status st;
	int rc;

	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the users");
	rc = mdb_get(txn, v->dbi[DB_USERS], &k, &val);
	if (rc == 0)
		st = vault_user_entry_parse(v, name, &val, e);
	else if (rc == MDB_NOTFOUND)
		st = ST_NOTFOUND;
	else
		st = vault_fail_mdb(v, rc, "reading the users");
	mdb_txn_abort(txn);
	return st;
}

/* A pending entry (version 3, after an upgrade): the format 1 vault key
 * unwrapped with kr->kek as format 1 did (into kr->vk), then the user's new
 * secrets opened under the key derived from it (into kr->secrets). */
static enum status
pending_open(struct vault *v, const char *user, const unsigned char *entry)
{
	struct keyring *kr = v->kr;
	unsigned char head[USER_HEAD_BYTES], ad[AD_MAX];
	size_t adlen, n = 0, nlen = strlen(user);
	enum status st;

	memcpy(head, entry, sizeof head);
	head[0] = USER_ENTRY_VERSION;
	memcpy(ad, "intake-user", 11);
	n = 11;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	put_be32(ad + n, VAULT_FORMAT_1);
	n += 4;
	memcpy(ad + n, head, sizeof head);
	n += sizeof head;
	ad[n++] = (unsigned char)nlen;
	memcpy(ad + n, user, nlen);
	adlen = n + nlen;
	if (crypto_unwrap(kr->vk, entry + USER2_BYTES, ad, adlen, kr->kek) != ST_OK)
		return ST_TAMPERED;
	vault_pending_key(v, user);
	adlen = vault_user2_ad(v, user, entry, ad);
	st = crypto_open(kr->secrets, entry + USER2_OFF_SECRETS, SECRETS_BYTES + CRYPTO_SEAL_OVERHEAD,
	    ad, adlen, kr->wrap);
	secure_wipe(kr->wrap, sizeof kr->wrap);
	secure_wipe(kr->vk, sizeof kr->vk);
	return st;
}

/* The entry a pending user gets at their first unlock after the upgrade:
 * the same signed part, version 2, their secrets (in kr->secrets) sealed
 * under their passphrase with a fresh salt, the format 1 key left out.
 * Runs Argon2id. */
static enum status
pending_reseal(struct vault *v, const char *user, const struct user_entry *e, const char *pass,
    size_t passlen, unsigned char *out, size_t *outlen)
{
	struct keyring *kr = v->kr;
	unsigned char ad[AD_MAX];
	size_t adlen, grant = e->len - USER3_BYTES;
	enum status st;

	memcpy(out, e->raw, USER2_BYTES);
	memcpy(out + USER2_BYTES, e->raw + USER3_BYTES, grant);
	*outlen = USER2_BYTES + grant;
	out[0] = USER2_VERSION;
	crypto_random(out + USER_OFF_SALT, CRYPTO_SALT_BYTES);
	st = crypto_passkey(kr->master, pass, passlen, out + USER_OFF_SALT, e->ops, e->mem_mib);
	if (st != ST_OK)
		return fail_passkey(v, st, e->mem_mib);
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(out + USER_OFF_VERIFIER, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX,
	    kr->master);
	adlen = vault_user2_ad(v, user, out, ad);
	crypto_seal(out + USER2_OFF_SECRETS, kr->secrets, SECRETS_BYTES, ad, adlen, kr->kek);
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	return ST_OK;
}

struct pending_arg {
	const struct user_entry *old;
	const unsigned char *entry;
	size_t len;
};

/* Replaces the pending entry of the unlocked user, if it is still the one
 * unlocked with, and says so in the audit trail. */
static int
pending_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct pending_arg *a = argp;
	MDB_val k = { strlen(v->user), v->user }, d;
	int rc = mdb_get(txn, v->dbi[DB_USERS], &k, &d);

	if (rc != 0 || d.mv_size != a->old->len || memcmp(d.mv_data, a->old->raw, d.mv_size) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	d.mv_size = a->len;
	d.mv_data = vault_unconst(a->entry);
	if ((rc = mdb_put(txn, v->dbi[DB_USERS], &k, &d, 0)) != 0)
		return rc;
	return vault_audit_user_txn(v, txn, AUDIT_USER_PASSWD, v->user, v->user, -1, a->entry,
	    a->len);
}

/* Derives the passphrase keys for entry (of user) under its limits, and
 * says whether the verifier matches and the wrapped key (format 1: VK into
 * kr->vk) or sealed secrets (format 2: into kr->secrets) open. Runs
 * Argon2id. The master and kek are wiped after. */
static enum status
entry_try(struct vault *v, const char *user, const unsigned char *entry, uint64_t ops,
    uint64_t mem, const char *pass, size_t passlen, int *verified, int *opened)
{
	struct keyring *kr = v->kr;
	unsigned char ad[AD_MAX];
	size_t adlen;
	enum status st;

	*verified = *opened = 0;
	st = crypto_passkey(kr->master, pass, passlen, entry + USER_OFF_SALT, ops, mem);
	if (st != ST_OK)
		return fail_passkey(v, st, mem);
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(kr->verifier, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX, kr->master);
	*verified = crypto_equal(kr->verifier, entry + USER_OFF_VERIFIER, VERIFIER_BYTES);
	if (v->format == 2 && entry[0] == USER3_VERSION) {
		*opened = pending_open(v, user, entry) == ST_OK;
	} else if (v->format == 2) {
		*opened = vault_user2_open(v, user, entry) == ST_OK;
	} else {
		adlen = user_ad(v, user, entry, ad);
		*opened = crypto_unwrap(kr->vk, entry + USER_OFF_WRAPPED, ad, adlen,
		    kr->kek) == ST_OK;
	}
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	secure_wipe(kr->verifier, sizeof kr->verifier);
	return ST_OK;
}

/* After a failed unlock: whether the entry's Argon2id limits were edited.
 * A wrong passphrase and changed limits both give a key that neither
 * verifies nor unwraps, and the limits have no copy an attacker could not
 * edit as well. But users get the vault's default limits (meta "kdf", kept
 * under the meta MAC) unless a supervisor chose others: when the entry's
 * limits differ from those, the passphrase is tried again with the
 * defaults, and a key that then passes both the verifier and the unwrap
 * (whose associated data binds the limits) proves the passphrase right and
 * the limits changed; only the holder of the passphrase can produce it.
 * Limits edited on an entry created with non-default ones are not told
 * from a wrong passphrase. Runs Argon2id: outside any transaction. Returns
 * ST_OK when no edit is shown (the caller reports a wrong passphrase),
 * ST_TAMPERED with the message when one is, or the failure of Argon2id. */
static enum status
limits_edited(struct vault *v, const char *user, const struct user_entry *e,
    const char *pass, size_t passlen)
{
	unsigned char entry[ENTRY_MAX];
	int verified, unwrapped;
	enum status st;

	if ((e->ops == v->kdf.ops && e->mem_mib == v->kdf.mem_mib) ||
	    vault_check_kdf(v, &v->kdf) != ST_OK)
		return ST_OK;
	memcpy(entry, e->raw, e->len);
	put_be64(entry + USER_OFF_OPS, v->kdf.ops);
	put_be64(entry + USER_OFF_MEM, v->kdf.mem_mib);
	st = entry_try(v, user, entry, v->kdf.ops, v->kdf.mem_mib, pass, passlen, &verified,
	    &unwrapped);
	vault_lock(v);
	if (st != ST_OK)
		return st;
	if (!verified || !unwrapped)
		return ST_OK;
	return vault_fail(v, ST_TAMPERED,
	    "the passphrase settings (Argon2id limits) in the entry of "
	    "user %s were edited on disk: the passphrase is right, but the entry now says %llu "
	    "passes and %llu MiB instead of %llu and %llu. Restore the vault from a backup, or "
	    "ask a supervisor to set a new passphrase with `intake user passwd %s`", user,
	    (unsigned long long)e->ops, (unsigned long long)e->mem_mib,
	    (unsigned long long)v->kdf.ops, (unsigned long long)v->kdf.mem_mib, user);
}

/* Format 2: meta "root", which every user's sealed secrets bind. */
static enum status
root_read(struct vault *v)
{
	MDB_txn *txn;
	MDB_val d;
	int rc;

	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the vault metadata");
	rc = vault_meta_get(txn, v->dbi[DB_META], META_ROOT, &d);
	if (rc == 0 && d.mv_size == sizeof v->root)
		memcpy(v->root, d.mv_data, sizeof v->root);
	mdb_txn_abort(txn);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the vault metadata");
	if (rc != 0 || d.mv_size != sizeof v->root)
		return vault_fail(v, ST_TAMPERED, "the root key of the vault at %s is missing or "
		    "damaged: restore the vault from a backup", v->dir);
	return ST_OK;
}

/* Format 2: the trust checks and the user's keys (vault_keys_load). */
static enum status
keys_load(struct vault *v, const char *user, const struct user_entry *e)
{
	MDB_txn *txn;
	enum status st;
	int rc;

	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading the users");
	snprintf(v->user, sizeof v->user, "%s", user);
	st = vault_keys_load(v, txn, user, e);
	mdb_txn_abort(txn);
	return st;
}

enum status
vault_unlock(struct vault *v, const char *user, const char *pass, size_t passlen)
{
	struct keyring *kr = v->kr;
	struct user_entry e;
	unsigned char pend[ENTRY_MAX];
	size_t pendlen = 0;
	int verified, unwrapped;
	enum status st;

	if ((st = vault_need_open(v)) != ST_OK)
		return st;
	vault_lock(v);
	if (vault_check_user_name(user, NULL, 0) != ST_OK)
		return vault_fail(v, ST_AUTH,
		    "that is not a valid user name: check the spelling, or see "
		    "`intake user list`");
	if (pass == NULL || passlen > VAULT_PASS_MAX)
		return vault_fail(v, ST_AUTH, "wrong passphrase for user %s", user);
	st = user_read(v, user, &e);
	if (st == ST_NOTFOUND)
		return vault_fail(v, ST_AUTH,
		    "no user named %s in this vault: check the spelling, or see "
		    "`intake user list`", user);
	if (st != ST_OK)
		return st;
	if ((st = throttle_begin(v, user)) != ST_OK)
		return st;
	if (v->format == 2 && (st = root_read(v)) != ST_OK)
		return st;
	st = entry_try(v, user, e.raw, e.ops, e.mem_mib, pass, passlen, &verified, &unwrapped);
	if (st != ST_OK)
		return st;
	if (!verified && !unwrapped) {
		vault_lock(v);
		if ((st = limits_edited(v, user, &e, pass, passlen)) != ST_OK)
			return st;
		return vault_fail(v, ST_AUTH, "wrong passphrase for user %s", user);
	}
	if (!verified || !unwrapped) {
		vault_lock(v);
		return vault_fail(v, ST_TAMPERED,
		    "the entry of user %s was edited or damaged on disk "
		    "(its %s no longer matches): restore the vault from a backup, or ask a "
		    "supervisor to set a new passphrase with `intake user passwd %s`", user,
		    unwrapped ? "passphrase check" : v->format == 2 ?
		    "role or wrapped keys (or the vault's root key)" : "role or wrapped key", user);
	}
	if (v->format == 2 && e.raw[0] == USER3_VERSION &&
	    (st = pending_reseal(v, user, &e, pass, passlen, pend, &pendlen)) != ST_OK) {
		vault_lock(v);
		return st;
	}
	if (v->format == 2 && (st = keys_load(v, user, &e)) != ST_OK) {
		vault_lock(v);
		return st;
	}
	vault_derive_purpose_keys(kr);
	vault_meta_mac(v, kr->mac);
	if (!crypto_equal(kr->mac, v->meta_mac, CRYPTO_HASH_BYTES)) {
		vault_lock(v);
		return vault_fail(v, ST_TAMPERED,
		    "the metadata of the vault at %s (its id, format or "
		    "default passphrase settings) was edited on disk: restore the vault from a "
		    "backup", v->dir);
	}
	secure_wipe(kr->mac, sizeof kr->mac);
	snprintf(v->user, sizeof v->user, "%s", user);
	v->role = e.role;
	v->unlocked = 1;
	if ((st = unlock_finish(v)) != ST_OK) {
		vault_lock(v);
		return st;
	}
	if (pendlen > 0) {
		/* The user's keys, given at the upgrade, now sealed under their
		 * passphrase alone; a failure leaves them pending until next
		 * time, and is not the unlock's. */
		struct pending_arg pa = { &e, pend, pendlen };
		char msg[sizeof v->msg];

		memcpy(msg, v->msg, sizeof msg);
		(void)vault_write_txn(v, "sealing your keys under your passphrase", pending_txn, &pa);
		memcpy(v->msg, msg, sizeof msg);
	}
	vault_listing_ensure(v);
	return ST_OK;
}

/* ---- users ---------------------------------------------------------------- */

struct user_put_arg {
	const char *name;
	const unsigned char *entry;
	size_t len;
	int replace;              /* passwd: the entry must exist with this role */
	int role;
	int rekey;                /* format 2: the user's items move to new keys */
};

/* The role byte of a stored entry of either format, or -1. */
static int
stored_role(const struct vault *v, const MDB_val *d)
{
	const unsigned char *p = d->mv_data;

	if (v->format == 2 ? vault_entry_base(p, d->mv_size) == 0 : d->mv_size != USER_ENTRY_BYTES)
		return -1;
	return p[USER_OFF_ROLE];
}

static int
user_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct user_put_arg *a = argp;
	MDB_val k = { strlen(a->name), vault_unconst(a->name) };
	MDB_val d = { a->len, vault_unconst(a->entry) };
	MDB_val old;
	int rc;

	if (a->replace) {
		rc = mdb_get(txn, v->dbi[DB_USERS], &k, &old);
		if (rc == MDB_NOTFOUND || (rc == 0 && stored_role(v, &old) != a->role)) {
			vault_fail(v, ST_NOTFOUND,
			    "user %s was removed or changed meanwhile: nothing was "
			    "changed", a->name);
			return vault_txn_fail(v, ST_NOTFOUND);
		}
		if (rc != 0)
			return rc;
		if (a->rekey) {
			unsigned char oxp[CRYPTO_PK_BYTES], osp[CRYPTO_SIGN_PK_BYTES];

			if (old.mv_size < USER2_BYTES)
				return vault_txn_fail(v, vault_fail(v, ST_TAMPERED,
				    "the entry of user %s is damaged", a->name));
			memcpy(oxp, (const unsigned char *)old.mv_data + USER2_OFF_XP, sizeof oxp);
			memcpy(osp, (const unsigned char *)old.mv_data + USER2_OFF_SP, sizeof osp);
			rc = vault_rewrap_txn(v, txn, a->name, oxp, a->entry + USER2_OFF_XP, 0);
			if (rc == 0)
				rc = vault_former_add_txn(v, txn, a->name, osp);
			if (rc == 0)
				rc = vault_prefs_drop_txn(v, txn, a->name);
			if (rc != 0)
				return rc;
		}
	}
	rc = mdb_put(txn, v->dbi[DB_USERS], &k, &d, a->replace ? 0 : MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		vault_fail(v, ST_EXISTS, "a user named %s already exists: choose another name",
		    a->name);
		return vault_txn_fail(v, ST_EXISTS);
	}
	if (rc == 0)
		rc = vault_audit_user_txn(v, txn,
		    a->replace ? AUDIT_USER_PASSWD : AUDIT_USER_ADD, v->user,
		    a->name, a->replace ? -1 : a->role, a->entry, a->len);
	return rc;
}

/* Format 2: fresh keys for name, sealed under pass and signed by the
 * unlocked supervisor. Runs Argon2id. */
static enum status
user2_new(struct vault *v, const char *name, enum role role, const char *pass, size_t passlen,
    const struct vault_kdf *k, unsigned char *entry, size_t *len)
{
	unsigned char xp[CRYPTO_PK_BYTES], sp[CRYPTO_SIGN_PK_BYTES];
	enum status st;

	vault_user2_fresh(v, xp, sp);
	st = vault_user2_build(v, name, role, pass, passlen, k, xp, sp, entry, len);
	secure_wipe(v->kr->secrets, sizeof v->kr->secrets);
	return st == ST_OK ? ST_OK : fail_passkey(v, st, k->mem_mib);
}

enum status
vault_user_add(struct vault *v, const char *name, enum role role,
    const char *pass, size_t passlen, const struct vault_kdf *kdf)
{
	unsigned char entry[ENTRY_MAX];
	struct user_put_arg arg = { name, entry, USER_ENTRY_BYTES, 0, (int)role, 0 };
	struct user_entry old;
	struct vault_kdf k;
	enum status st;

	if ((st = vault_need_supervisor(v, "add users")) != ST_OK)
		return st;
	if ((st = vault_check_user_name(name, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if (role != ROLE_SUPERVISOR && role != ROLE_INTERVIEWER && role != ROLE_TRAINER)
		return vault_fail(v, ST_INVALID,
		    "unknown role: use supervisor, interviewer or trainer");
	if ((st = vault_check_passphrase(pass, passlen, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	k = kdf != NULL ? *kdf : v->kdf;
	if ((st = vault_check_kdf(v, &k)) != ST_OK)
		return st;
	/* Checked before Argon2id only to answer fast; the write re-checks. */
	st = user_read(v, name, &old);
	if (st == ST_OK || st == ST_TAMPERED)
		return vault_fail(v, ST_EXISTS,
		    "a user named %s already exists: choose another name",
		    name);
	if (st != ST_NOTFOUND)
		return st;
	if (v->format == 2)
		st = user2_new(v, name, role, pass, passlen, &k, entry, &arg.len);
	else
		st = vault_user_entry_build(v, name, role, pass, passlen, &k, entry);
	if (st != ST_OK)
		return st;
	return vault_write_txn(v, "adding the user", user_put_txn, &arg);
}

/* Format 2: after removing `gone`, the entries and the group key gone
 * signed are signed again by the remover, so that trust never rests on a
 * removed key; each re-signed entry gets its audit entry. */
static int
resign_txn(struct vault *v, MDB_txn *txn, const char *gone)
{
	unsigned char buf[ENTRY_MAX];
	char uname[VAULT_USER_MAX + 1];
	size_t glen = strlen(gone);
	MDB_cursor *cur;
	MDB_val key, val, nv;
	int rc;

	if ((rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		const unsigned char *p = val.mv_data;

		if (stored_role(v, &val) < 0 || key.mv_size > VAULT_USER_MAX ||
		    p[USER2_OFF_ADDER] != glen ||
		    memcmp(p + USER2_OFF_ADDER + 1, gone, glen) != 0)
			continue;
		memcpy(uname, key.mv_data, key.mv_size);
		uname[key.mv_size] = '\0';
		memcpy(buf, p, val.mv_size);
		vault_user2_sign(v, uname, buf);
		nv.mv_size = val.mv_size;
		nv.mv_data = buf;
		/* LMDB may move the node while it writes: the key must not point
		 * into the map. */
		key.mv_data = uname;
		if ((rc = mdb_cursor_put(cur, &key, &nv, MDB_CURRENT)) != 0)
			break;
		if ((rc = vault_audit_user_txn(v, txn, AUDIT_USER_PASSWD, v->user, uname, -1, buf,
		    nv.mv_size)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	if ((rc = vault_meta_get(txn, v->dbi[DB_META], META_GROUP, &val)) != 0)
		return rc;
	{
		const unsigned char *p = val.mv_data;

		if (val.mv_size == GROUP_BYTES_MIN - 1 + glen && p[4 + CRYPTO_PK_BYTES] == glen &&
		    memcmp(p + 5 + CRYPTO_PK_BYTES, gone, glen) == 0)
			rc = vault_group_put(v, txn);
	}
	return rc;
}

struct remove_arg {
	const char *name;
	int rekey;
};

static int
user_remove_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct remove_arg *a = argp;
	const char *name = a->name;
	MDB_val k = { strlen(name), vault_unconst(name) }, key, val;
	unsigned char gone[CRYPTO_PK_BYTES], gone_sp[CRYPTO_SIGN_PK_BYTES];
	MDB_cursor *cur;
	size_t others = 0;
	int rc, is_supervisor, in_group;

	rc = mdb_get(txn, v->dbi[DB_USERS], &k, &val);
	if (rc == MDB_NOTFOUND) {
		vault_fail(v, ST_NOTFOUND,
		    "no user named %s in this vault: see `intake user list`", name);
		return vault_txn_fail(v, ST_NOTFOUND);
	}
	if (rc != 0)
		return rc;
	is_supervisor = stored_role(v, &val) == ROLE_SUPERVISOR;
	in_group = stored_role(v, &val) >= 0 &&
	    vault_role_in_group(v, (enum role)stored_role(v, &val));
	if (v->format == 2 && val.mv_size >= USER2_BYTES) {
		memcpy(gone, (const unsigned char *)val.mv_data + USER2_OFF_XP, sizeof gone);
		memcpy(gone_sp, (const unsigned char *)val.mv_data + USER2_OFF_SP, sizeof gone_sp);
	}
	if (is_supervisor) {
		rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur);
		if (rc != 0)
			return rc;
		while ((rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
			if (key.mv_size == k.mv_size && memcmp(key.mv_data, name, k.mv_size) == 0)
				continue;
			if (stored_role(v, &val) == ROLE_SUPERVISOR)
				others++;
		}
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND)
			return rc;
		if (others == 0) {
			vault_fail(v, ST_DENIED,
			    "%s is the last supervisor: add another supervisor before "
			    "removing %s", name, name);
			return vault_txn_fail(v, ST_DENIED);
		}
	}
	/* What a leaving group member signed (entries, the group key) is
	 * signed again by the remover: someone who stays, or the root, whose
	 * signatures hold whoever holds it. */
	if (v->format == 2 && in_group && strcmp(name, v->user) == 0 &&
	    !crypto_equal(v->sp, v->root, sizeof v->root)) {
		vault_fail(v, ST_DENIED, "%s cannot remove themselves: what they signed must be "
		    "signed again by someone who stays; ask another supervisor to remove %s", name,
		    name);
		return vault_txn_fail(v, ST_DENIED);
	}
	rc = mdb_del(txn, v->dbi[DB_USERS], &k, NULL);
	if (rc == 0)
		rc = vault_prefs_drop_txn(v, txn, name);
	if (rc == 0)
		rc = vault_audit_user_txn(v, txn, AUDIT_USER_REMOVE, v->user, name, -1, NULL, 0);
	if (rc == 0 && v->format == 2)
		rc = resign_txn(v, txn, name);
	/* Their signing key stays known, so that their audit entries are
	 * still checked. */
	if (rc == 0 && v->format == 2)
		rc = vault_former_add_txn(v, txn, name, gone_sp);
	/* A group member leaves: a new epoch, whose key they never held.
	 * Their drafts (under a key only they held) go. With rekey, their
	 * items pass to the remover and, for a group member, every other
	 * item moves to the new epoch: what the leaver held opens nothing in
	 * the file. */
	if (rc == 0 && v->format == 2 && in_group)
		rc = vault_epoch_new(v, txn);
	if (rc == 0 && v->format == 2)
		rc = vault_rewrap_txn(v, txn, name, a->rekey ? gone : NULL, v->xp,
		    a->rekey && in_group);
	return rc;
}

enum status
vault_user_remove_flags(struct vault *v, const char *name, unsigned flags)
{
	struct remove_arg a = { name, (flags & VAULT_REKEY) != 0 };
	uint32_t epoch = v->epoch;
	enum status st;

	if ((st = vault_need_supervisor(v, "remove users")) != ST_OK)
		return st;
	if ((st = vault_check_user_name(name, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if (a.rekey && v->format != 2)
		return vault_fail(v, ST_INVALID, "--rekey needs a vault of format 2: run `intake "
		    "upgrade` first");
	st = vault_write_txn(v, "removing the user", user_remove_txn, &a);
	/* A supervisor who removed themselves has no key left to hold; a
	 * handle that took a new epoch its failed write did not keep must
	 * not seal anything for it. */
	if ((st == ST_OK && strcmp(name, v->user) == 0) || (st != ST_OK && v->epoch != epoch))
		vault_lock(v);
	return st;
}

enum status
vault_user_remove(struct vault *v, const char *name)
{
	return vault_user_remove_flags(v, name, 0);
}

enum status
vault_user_passwd(struct vault *v, const char *name, const char *pass, size_t passlen)
{
	return vault_user_passwd_flags(v, name, pass, passlen, 0);
}

enum status
vault_user_passwd_flags(struct vault *v, const char *name, const char *pass, size_t passlen,
    unsigned flags)
{
	unsigned char entry[ENTRY_MAX];
	struct user_put_arg arg;
	struct user_entry old;
	struct vault_kdf k;
	enum status st;

	if ((st = vault_need_unlocked(v)) != ST_OK)
		return st;
	if (name == NULL)
		name = v->user;
	if ((flags & VAULT_REKEY) && v->format != 2)
		return vault_fail(v, ST_INVALID, "--rekey needs a vault of format 2: run `intake "
		    "upgrade` first");
	/* New keys must be signed by someone the root trusts other than the
	 * keys they replace. */
	if ((flags & VAULT_REKEY) && strcmp(name, v->user) == 0)
		return vault_fail(v, ST_DENIED, "new keys for %s must be signed by another "
		    "supervisor: ask one to run `intake user passwd %s --rekey`", name, name);
	if (strcmp(name, v->user) != 0 && !vault_allowed(v, VAULT_RIGHT_USERS))
		return vault_fail(v, ST_DENIED,
		    "only a supervisor can change another user's passphrase; "
		    "you are unlocked as %s (%s)", v->user, role_name(v->role));
	if ((st = vault_check_user_name(name, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if ((st = vault_check_passphrase(pass, passlen, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	st = user_read(v, name, &old);
	if (st == ST_NOTFOUND)
		return vault_fail(v, ST_NOTFOUND,
		    "no user named %s in this vault: see `intake user list`",
		    name);
	if (st != ST_OK)
		return st;
	/* The user keeps the Argon2id limits chosen when they were added. */
	k.ops = old.ops;
	k.mem_mib = old.mem_mib;
	memset(&arg, 0, sizeof arg);
	arg.len = USER_ENTRY_BYTES;
	if (v->format == 2 && strcmp(name, v->user) == 0) {
		/* One's own keys stay; only the passphrase that seals them changes. */
		memcpy(entry, old.raw, old.len);
		arg.len = old.len;
		st = vault_user2_reseal(v, name, pass, passlen, entry);
		if (st != ST_OK)
			return fail_passkey(v, st, k.mem_mib);
	} else if (v->format == 2) {
		/* A supervisor cannot know another user's secret keys: the user
		 * gets new ones, and their items are re-wrapped for them. Their
		 * drafts were sealed under a key only they held: they go. */
		if (!v->has_gs)
			return vault_fail(v, ST_DENIED, "%s holds no group key: only a supervisor "
			    "can reset another user's passphrase", v->user);
		if ((st = user2_new(v, name, old.role, pass, passlen, &k, entry, &arg.len)) != ST_OK)
			return st;
		arg.rekey = 1;
	} else if ((st = vault_user_entry_build(v, name, old.role, pass, passlen, &k,
	    entry)) != ST_OK) {
		return st;
	}
	arg.name = name;
	arg.entry = entry;
	arg.replace = 1;
	arg.role = (int)old.role;
	return vault_write_txn(v, "changing the passphrase", user_put_txn, &arg);
}

enum status
vault_user_list(struct vault *v, struct vault_user **out, size_t *n)
{
	struct vault_user *list = NULL;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_stat ms;
	MDB_val key, val;
	size_t count = 0;
	enum status st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = vault_need_open(v)) != ST_OK)
		return st;
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_stat(txn, v->dbi[DB_USERS], &ms);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur);
	if (rc != 0) {
		st = vault_fail_mdb(v, rc, "listing the users");
		goto done;
	}
	list = calloc(ms.ms_entries + 1, sizeof *list);
	if (list == NULL) {
		st = vault_fail(v, ST_NOMEM, "out of memory while listing the users");
		goto done;
	}
	while (count < ms.ms_entries && (rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		struct vault_user *u = &list[count];
		const unsigned char *p = val.mv_data;

		if (key.mv_size == 0 || key.mv_size > VAULT_USER_MAX) {
			st = vault_fail(v, ST_TAMPERED,
			    "the users table of %s is damaged (a name of %zu "
			    "bytes): restore the vault from a backup", v->dir, key.mv_size);
			goto done;
		}
		memcpy(u->name, key.mv_data, key.mv_size);
		u->name[key.mv_size] = '\0';
		if (vault_check_user_name(u->name, NULL, 0) != ST_OK) {
			st = vault_fail(v, ST_TAMPERED,
			    "the users table of %s is damaged (an invalid user "
			    "name): restore the vault from a backup", v->dir);
			goto done;
		}
		if (stored_role(v, &val) < 0 || p[USER_OFF_ROLE] > ROLE_TRAINER) {
			st = vault_fail(v, ST_TAMPERED,
			    "the entry of user %s is damaged or was edited on "
			    "disk: restore the vault from a backup", u->name);
			goto done;
		}
		u->role = (enum role)p[USER_OFF_ROLE];
		u->pending = v->format == 2 && p[0] == USER3_VERSION;
		count++;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		st = vault_fail_mdb(v, rc, "listing the users");
		goto done;
	}
	*out = list;
	*n = count;
	list = NULL;
	st = ST_OK;
done:
	free(list);
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

/* ==== roles ================================================================ */

int
vault_allowed(const struct vault *v, enum vault_right r)
{
	if (v == NULL || !v->unlocked)
		return 0;
	/* A trainer belongs to the training vault: in a real one, nothing. */
	if (v->role == ROLE_TRAINER && !v->training)
		return 0;
	if (r == VAULT_RIGHT_CREATE || r == VAULT_RIGHT_READ_OWN)
		return 1;
	return v->role == ROLE_SUPERVISOR || v->role == ROLE_TRAINER;
}

enum status
vault_require(struct vault *v, enum vault_right r)
{
	static const char *const verbs[] = {
		[VAULT_RIGHT_CREATE] = "save records",
		[VAULT_RIGHT_READ_OWN] = "read records",
		[VAULT_RIGHT_READ_ALL] = "read other interviewers' records or earlier versions",
		[VAULT_RIGHT_AMEND_ALL] = "amend other interviewers' records",
		[VAULT_RIGHT_DELETE] = "delete records",
		[VAULT_RIGHT_USERS] = "manage users",
		[VAULT_RIGHT_AUDIT] = "read the audit trail or verify the vault",
		[VAULT_RIGHT_EXPORT] = "export records",
		[VAULT_RIGHT_STATS] = "run statistics",
	};
	enum status st = vault_need_unlocked(v);

	if (st != ST_OK)
		return st;
	if (vault_allowed(v, r))
		return ST_OK;
	if (v->role == ROLE_TRAINER && !v->training)
		return vault_fail(v, ST_DENIED,
		    "%s is a trainer, and trainers work only in the training "
		    "vault: start intake with --training", v->user);
	return vault_fail(v, ST_DENIED, "only a supervisor can %s; you are unlocked as %s (%s)",
	    (unsigned)r < sizeof verbs / sizeof verbs[0] ? verbs[r] : "do that", v->user,
	    role_name(v->role));
}

/* ==== unlock throttling ======================================================
 *
 * Failed unlocks are paced per caller: the key is the OS account (real uid)
 * that runs intake and the user name tried. On a shared server each member
 * of staff has their own account, so guessing from one account never delays
 * another account's unlock: a colleague cannot lock a supervisor out by
 * typing wrong passphrases in her name. More accounts do give more guesses
 * in parallel, but whoever has several accounts on the server is usually in
 * the vault's group and can copy the files and guess offline anyway. Within
 * one account the turns are fair (below); someone who runs programs as your
 * account can read your keystrokes, which no pacing helps against.
 *
 * Table `attempts`: 0x00 | u32 uid | user name -> u32 attempts not yet
 * succeeded in a row | u32 zero | u64 when this value was written (Unix ms)
 * | u64 next free slot (Unix ms). A clock set back is seen against the
 * time written, and the queue moves back with it: waits stay as long as
 * they were. Entries of earlier intakes (keyed by the name
 * alone: u32 streak | u32 failures not yet reported | u64 first of those (s)
 * | u64 last (ms)) are reported and removed by the next unlock.
 *
 * Turns. An attempt takes the slot max(now, next free) and moves next free
 * on by the wait its place in the streak earns (none for the first three,
 * then 1, 2, 4, ... 60 s), in one write transaction. When that slot is now,
 * Argon2id runs at once; when it is later, vault_unlock returns ST_BUSY and
 * the handle keeps the turn: the caller waits (vault_unlock_wait_ms) and
 * calls again, and the turn is served without being counted again. So the
 * turns of concurrent callers are served in the order they were asked for,
 * and a tight loop of wrong guesses cannot take every slot as it opens. A
 * turn not taken within TURN_GRACE_MS after it came lapses (the slot is
 * used up; asking again takes a new one).
 *
 * Table `unlock_failures`: u64 time (Unix ms) | u32 uid | u32 random ->
 * user name tried. A row is written when an attempt's Argon2id starts and
 * removed when it succeeds, so a process killed meanwhile still leaves it.
 * Plain, since no key exists before an unlock: nothing in it is secret, and
 * whoever can write the files can as well guess offline. At most
 * FAILURES_MAX rows: beyond that the oldest are dropped and counted under
 * the key of sixteen zero bytes (u64 how many | u64 first time, ms). The
 * next successful unlock (anyone's) moves them into the audit trail, one
 * entry per run of failures by one account for one user, with the time of
 * the first and of the last.
 */

#define ATTEMPTS_DB      "attempts"
#define FAILURES_DB      "unlock_failures"
#define ATTEMPT_BYTES    24
#define ATTEMPT_KEY_MAX  (5 + VAULT_USER_MAX)
#define FAIL_KEY_BYTES   16
#define FAILURES_MAX     1000
#define THROTTLE_FREE    3          /* failures in a row before any wait */
#define THROTTLE_MAX_S   60
#define TURN_EARLY_MS    20         /* a turn this close counts as come */
#define HORIZON_MS       ((uint64_t)THROTTLE_MAX_S * 1000)   /* longest wait */

struct attempts {
	uint32_t streak;
	uint64_t written_ms;
	uint64_t next_ms;
};

/* A turn of an earlier intake's entry, and the counters it kept. */
struct attempts_old {
	uint32_t streak;
	uint32_t unreported;
	uint64_t since;
};

static void
attempts_decode(const MDB_val *d, struct attempts *a)
{
	const unsigned char *p = d->mv_data;

	memset(a, 0, sizeof *a);
	if (d->mv_size != ATTEMPT_BYTES)
		return;
	a->streak = get_be32(p);
	a->written_ms = get_be64(p + 8);
	a->next_ms = get_be64(p + 16);
}

static void
attempts_encode(const struct attempts *a, unsigned char out[ATTEMPT_BYTES])
{
	put_be32(out, a->streak);
	put_be32(out + 4, 0);
	put_be64(out + 8, a->written_ms);
	put_be64(out + 16, a->next_ms);
}

static size_t
attempts_key(const char *user, unsigned char out[ATTEMPT_KEY_MAX])
{
	size_t n = strlen(user);

	out[0] = 0;
	put_be32(out + 1, (uint32_t)getuid());
	memcpy(out + 5, user, n);
	return 5 + n;
}

/* Seconds to wait after the last of `streak` failures in a row. */
static unsigned
throttle_delay(uint32_t streak)
{
	uint32_t n;

	if (streak < THROTTLE_FREE)
		return 0;
	n = streak - THROTTLE_FREE;
	return n >= 6 ? THROTTLE_MAX_S : 1u << n;
}

/* Writes the row of an attempt about to run Argon2id (its key kept in
 * v->fail_key so that a success removes it), dropping the oldest rows
 * beyond FAILURES_MAX. */
static int
failure_put(struct vault *v, MDB_txn *txn, const char *user, uint64_t now)
{
	unsigned char zero[FAIL_KEY_BYTES] = { 0 }, cnt[16];
	MDB_val k = { FAIL_KEY_BYTES, v->fail_key }, d = { strlen(user), vault_unconst(user) };
	MDB_val zk = { sizeof zero, zero }, zd, ok, od;
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_dbi dbi;
	uint64_t dropped, first;
	int rc;

	rc = mdb_dbi_open(txn, FAILURES_DB, MDB_CREATE, &dbi);
	if (rc != 0)
		return rc;
	put_be64(v->fail_key, now);
	put_be32(v->fail_key + 8, (uint32_t)getuid());
	crypto_random(v->fail_key + 12, 4);
	rc = mdb_put(txn, dbi, &k, &d, MDB_NOOVERWRITE);
	if (rc != 0)
		return rc;
	v->fail_key_set = 1;
	if ((rc = mdb_stat(txn, dbi, &ms)) != 0)
		return rc;
	if (ms.ms_entries <= FAILURES_MAX)
		return 0;
	/* Full: the oldest row gives way and is counted. */
	rc = mdb_get(txn, dbi, &zk, &zd);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	dropped = rc == 0 && zd.mv_size == sizeof cnt ? get_be64(zd.mv_data) : 0;
	first = rc == 0 && zd.mv_size == sizeof cnt ? get_be64((unsigned char *)zd.mv_data + 8) : 0;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &ok, &od, MDB_FIRST);
	if (rc == 0 && ok.mv_size == FAIL_KEY_BYTES && memcmp(ok.mv_data, zero, sizeof zero) == 0)
		rc = mdb_cursor_get(cur, &ok, &od, MDB_NEXT);
	if (rc == 0) {
		if (first == 0 && ok.mv_size >= 8)
			first = get_be64(ok.mv_data);
		rc = mdb_cursor_del(cur, 0);
	}
	mdb_cursor_close(cur);
	if (rc != 0)
		return rc;
	put_be64(cnt, dropped + 1);
	put_be64(cnt + 8, first);
	zd.mv_size = sizeof cnt;
	zd.mv_data = cnt;
	return mdb_put(txn, dbi, &zk, &zd, 0);
}

struct turn_arg {
	const char *user;
	int served;               /* the handle's turn was taken */
	uint64_t slot;            /* the slot given: now, or later (ST_BUSY) */
};

static int
throttle_begin_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct turn_arg *t = argp;
	unsigned char kbuf[ATTEMPT_KEY_MAX], buf[ATTEMPT_BYTES];
	MDB_val k = { attempts_key(t->user, kbuf), kbuf }, d;
	struct attempts a;
	uint64_t now = clock_now_ms();
	MDB_dbi dbi;
	int rc;

	v->fail_key_set = 0;
	if (!t->served) {
		rc = mdb_dbi_open(txn, ATTEMPTS_DB, MDB_CREATE, &dbi);
		if (rc != 0)
			return rc;
		rc = mdb_get(txn, dbi, &k, &d);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
		if (rc == 0)
			attempts_decode(&d, &a);
		else
			memset(&a, 0, sizeof a);
		if (a.written_ms > now)
			a.next_ms -= a.next_ms > a.written_ms - now ? a.written_ms - now : a.next_ms;
		t->slot = a.next_ms > now ? a.next_ms : now;
		/* The queue reaches at most a minute ahead: turns booked and then
		 * abandoned (a killed process, Esc at the unlock screen) cost no
		 * Argon2id, so letting each push the next one further back would
		 * let one account's loop keep a user out for hours. Turns at the
		 * horizon share it; each still runs Argon2id before its answer. */
		if (t->slot > now + HORIZON_MS)
			t->slot = now + HORIZON_MS;
		/* Counted as failed until it succeeds: a process killed during
		 * Argon2id, or many processes guessing at once, still pay. */
		if (a.streak < UINT32_MAX)
			a.streak++;
		a.written_ms = now;
		a.next_ms = t->slot + (uint64_t)throttle_delay(a.streak) * 1000;
		if (a.next_ms > now + HORIZON_MS)
			a.next_ms = now + HORIZON_MS;
		attempts_encode(&a, buf);
		d.mv_size = sizeof buf;
		d.mv_data = buf;
		if ((rc = mdb_put(txn, dbi, &k, &d, 0)) != 0)
			return rc;
		if (t->slot > now + TURN_EARLY_MS)
			return 0;       /* a turn for later: nothing runs now */
	}
	return failure_put(v, txn, t->user, now);
}

/* Counts the attempt and gives it its turn: ST_OK when Argon2id may run
 * now, ST_BUSY (the turn kept in v->turn) when it comes later. */
static enum status
throttle_begin(struct vault *v, const char *user)
{
	struct turn_arg t = { user, 0, 0 };
	uint64_t now = clock_now_ms(), secs;
	enum status st;

	if (v->turn.held && strcmp(v->turn.user, user) == 0) {
		if (now + TURN_EARLY_MS < v->turn.at_ms)
			goto wait;      /* asked again too early: the same turn */
		t.served = now < v->turn.at_ms + VAULT_TURN_GRACE_MS;
	}
	v->turn.held = 0;
	v->headroom = 1;
	st = vault_write_txn(v, "counting the unlock attempt", throttle_begin_txn, &t);
	v->headroom = 0;
	if (st != ST_OK)
		return st;
	if (v->fail_key_set)
		return ST_OK;           /* this attempt's turn is now */
	v->turn.held = 1;
	v->turn.at_ms = t.slot;
	snprintf(v->turn.user, sizeof v->turn.user, "%s", user);
wait:
	secs = (v->turn.at_ms - (now < v->turn.at_ms ? now : v->turn.at_ms) + 999) / 1000;
	return vault_fail(v, ST_BUSY,
	    "unlocks of %s from this account have failed several times in a "
	    "row, so each try waits its turn: yours comes in %llu second%s (each failure makes "
	    "the wait longer, up to a minute)", user, (unsigned long long)secs,
	    secs == 1 ? "" : "s");
}

uint64_t
vault_unlock_wait_ms(const struct vault *v)
{
	uint64_t now = clock_now_ms();

	if (!v->turn.held)
		return 0;
	return v->turn.at_ms > now ? v->turn.at_ms - now : 0;
}

/* One audit entry for a run of failures for user: the first at since_ms,
 * the last at last_ms; by the account uid when note is NULL, else with the
 * note instead. */
static int
failures_report(struct vault *v, MDB_txn *txn, const char *user, size_t ulen, uint32_t uid,
    const char *note, uint32_t count, uint64_t since_ms, uint64_t last_ms)
{
	struct audit_entry e;
	struct passwd pw, *found = NULL;
	char pwbuf[1024];
	int rc;

	uint64_t now = clock_now_ms(), floor_ms = v->created * 1000;

	audit_entry_init(&e, AUDIT_UNLOCK_FAILED, "");
	memcpy(e.user, user, ulen);
	e.user[ulen] = '\0';
	/* The failures table is plain: anyone who can write the files can
	 * plant rows in it. What it says goes into the signed trail only
	 * within what it could truthfully say: a name a user could have typed,
	 * and times between the vault's creation and now. */
	if (vault_check_user_name(e.user, NULL, 0) != ST_OK)
		snprintf(e.user, sizeof e.user, "%s", "(invalid name)");
	if (last_ms > now)
		last_ms = now;
	if (since_ms > last_ms)
		since_ms = last_ms;
	if (since_ms < floor_ms)
		since_ms = floor_ms;
	if (last_ms < floor_ms)
		last_ms = floor_ms;
	e.count = count;
	e.since = since_ms / 1000;
	e.time = last_ms / 1000;
	if (note != NULL)
		snprintf(e.reason, sizeof e.reason, "%s", note);
	else if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof pwbuf, &found) == 0 &&
	    found != NULL && vault_check_user_name(found->pw_name, NULL, 0) == ST_OK)
		snprintf(e.reason, sizeof e.reason, "from OS account %s (uid %lu)",
		    found->pw_name, (unsigned long)uid);
	else
		snprintf(e.reason, sizeof e.reason, "from OS uid %lu", (unsigned long)uid);
	rc = vault_audit_put_txn(v, txn, &e);
	secure_wipe(&e, sizeof e);
	return rc;
}

/* Moves the failures table into the audit trail (see above). */
static int
failures_fold(struct vault *v, MDB_txn *txn)
{
	static const unsigned char zero[FAIL_KEY_BYTES] = { 0 };
	char run_user[VAULT_USER_MAX + 1];
	size_t run_len = 0;
	uint32_t run_uid = 0, run_count = 0;
	uint64_t run_since = 0, run_last = 0;
	MDB_cursor *cur;
	MDB_val k, d;
	MDB_dbi dbi;
	int rc;

	rc = mdb_dbi_open(txn, FAILURES_DB, MDB_CREATE, &dbi);
	if (rc != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *kp = k.mv_data;

		if (k.mv_size == FAIL_KEY_BYTES && memcmp(kp, zero, sizeof zero) == 0) {
			if (d.mv_size == 16 && (rc = failures_report(v, txn, "", 0, 0,
			    "more failed unlocks, not kept one by one (too many at once)",
			    (uint32_t)get_be64(d.mv_data), get_be64((unsigned char *)d.mv_data + 8),
			    get_be64((unsigned char *)d.mv_data + 8))) != 0)
				break;
		} else if (k.mv_size == FAIL_KEY_BYTES && d.mv_size > 0 &&
		    d.mv_size <= VAULT_USER_MAX) {
			uint64_t t = get_be64(kp);
			uint32_t uid = get_be32(kp + 8);

			if (run_count > 0 && (uid != run_uid || d.mv_size != run_len ||
			    memcmp(d.mv_data, run_user, run_len) != 0)) {
				rc = failures_report(v, txn, run_user, run_len, run_uid, NULL, run_count,
				    run_since, run_last);
				if (rc != 0)
					break;
				run_count = 0;
			}
			if (run_count == 0) {
				memcpy(run_user, d.mv_data, d.mv_size);
				run_len = d.mv_size;
				run_uid = uid;
				run_since = t;
			}
			run_last = t;
			run_count++;
		}
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	if (run_count > 0)
		return failures_report(v, txn, run_user, run_len, run_uid, NULL, run_count, run_since,
		    run_last);
	return 0;
}

/* The unlock succeeded: removes its own failure row, clears the count of
 * this account for the user, moves failures (anyone's, and the counters of
 * earlier intakes) into the audit trail, then writes the unlock. */
static int
unlock_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	unsigned char kbuf[ATTEMPT_KEY_MAX];
	MDB_val k = { attempts_key(v->user, kbuf), kbuf }, d;
	struct audit_entry e;
	MDB_cursor *cur;
	MDB_dbi dbi, fdbi;
	int rc;

	(void)arg;
	if (v->fail_key_set) {
		MDB_val fk = { FAIL_KEY_BYTES, v->fail_key };

		rc = mdb_dbi_open(txn, FAILURES_DB, MDB_CREATE, &fdbi);
		if (rc == 0)
			rc = mdb_del(txn, fdbi, &fk, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
	}
	rc = mdb_dbi_open(txn, ATTEMPTS_DB, MDB_CREATE, &dbi);
	if (rc != 0)
		return rc;
	/* The rightful user is back: the count starts afresh. Turns already
	 * given stay with the handles that hold them. */
	rc = mdb_del(txn, dbi, &k, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	/* Entries of earlier intakes: keyed by the name alone. */
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *p = d.mv_data;
		struct attempts_old o;

		if (k.mv_size == 0 || ((const unsigned char *)k.mv_data)[0] == 0)
			continue;
		memset(&o, 0, sizeof o);
		if (d.mv_size == ATTEMPT_BYTES) {
			o.unreported = get_be32(p + 4);
			o.since = get_be64(p + 8);
		}
		rc = 0;
		if (o.unreported > 0 && k.mv_size <= VAULT_USER_MAX)
			rc = failures_report(v, txn, k.mv_data, k.mv_size, 0, "", o.unreported,
			    o.since * 1000, o.since * 1000);
		if (rc == 0)
			rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	if ((rc = failures_fold(v, txn)) != 0)
		return rc;
	audit_entry_init(&e, AUDIT_UNLOCK, v->user);
	return vault_audit_put_txn(v, txn, &e);
}

static enum status
unlock_finish(struct vault *v)
{
	enum status st;

	v->headroom = 1;
	st = vault_write_txn(v, "recording the unlock", unlock_txn, NULL);
	v->headroom = 0;
	if (st == ST_OK)
		v->fail_key_set = 0;
	return st;
}
