/*
 * vault_keys.c — the keys of vault format 2: each user's own key pairs and
 * data key sealed in their user entry, the signatures that chain every user
 * entry and the supervisors' group key to the vault's root, the wrapping
 * keys S(owner, e) of items (computed and cached while unlocked), and the
 * re-wrapping of an owner's items for new keys. The layout is in
 * vault_int.h ("Format 2").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "vault_int.h"

#define S_LABEL     "intake-item-wrap"
#define DRAFT_CTX   "intkdraf"
#define USER2_LABEL "intake-user2"
#define SIG_LABEL   "intake-user2-sig"
#define GROUP_LABEL "intake-group"

int
vault_env2(const struct vault *v, enum kind kind)
{
	if (v->format != 2)
		return 0;
	return kind == KIND_RECORD || kind == KIND_SUMMARY || kind == KIND_HISTORY ||
	    kind == KIND_DEBRIEF || kind == KIND_DRAFT || kind == KIND_LISTING;
}

/* Whether a user of this role holds the group key: supervisors, and
 * trainers in a training vault, where they have a supervisor's rights. */
int
vault_role_in_group(const struct vault *v, enum role role)
{
	return role == ROLE_SUPERVISOR || (role == ROLE_TRAINER && v->training);
}

/* ---- wrapping keys -------------------------------------------------------- */

void
vault_keys_forget(struct vault *v)
{
	if (v->sc != NULL) {
		secure_wipe(v->sc, sizeof *v->sc);
		v->sc->n = 0;
	}
	v->has_gs = 0;
	if (v->ring != NULL)
		secure_free(v->ring);
	v->ring = NULL;
	free(v->gps);
	v->gps = NULL;
	v->epoch = 0;
	memset(v->xp, 0, sizeof v->xp);
	memset(v->sp, 0, sizeof v->sp);
	memset(v->gp, 0, sizeof v->gp);
}

/* kr->wrap = S(xp, epoch): the owner's with xs, a group member's with gs.
 * ST_DENIED when this user holds neither key, ST_TAMPERED when xp is no
 * valid public key or the epoch is unknown to a user who would know it,
 * ST_NOMEM. */
enum status
vault_s_key(struct vault *v, uint32_t epoch, const unsigned char xp[CRYPTO_PK_BYTES])
{
	struct keyring *kr = v->kr;
	const unsigned char *gp;
	struct scache *c;
	enum status st;
	size_t i;

	if (v->sc == NULL && (v->sc = secure_alloc(sizeof *v->sc)) != NULL)
		v->sc->n = 0;
	c = v->sc;
	if (c != NULL)
		for (i = 0; i < c->n; i++)
			if (c->e[i].epoch == epoch && memcmp(c->e[i].xp, xp, CRYPTO_PK_BYTES) == 0) {
				memcpy(kr->wrap, c->e[i].s, CRYPTO_KEY_BYTES);
				return ST_OK;
			}
	/* A group member holds every epoch's key and the owner their own: an
	 * epoch they cannot place was edited. Anyone else cannot tell another's
	 * item from an edited one, and is only told it is not theirs. */
	if (epoch == 0 || epoch > v->epoch || v->gps == NULL)
		return v->has_gs || memcmp(xp, v->xp, CRYPTO_PK_BYTES) == 0 ? ST_TAMPERED :
		    ST_DENIED;
	gp = v->gps + (size_t)(epoch - 1) * CRYPTO_PK_BYTES;
	if (memcmp(xp, v->xp, CRYPTO_PK_BYTES) == 0)
		st = crypto_agree(kr->wrap, S_LABEL, kr->xs, gp, xp, gp);
	else if (v->has_gs && epoch == v->epoch)
		st = crypto_agree(kr->wrap, S_LABEL, kr->gs, xp, xp, gp);
	else if (v->has_gs && v->ring != NULL)
		st = crypto_agree(kr->wrap, S_LABEL, v->ring + (size_t)(epoch - 1) * CRYPTO_KEY_BYTES,
		    xp, xp, gp);
	else
		return ST_DENIED;
	if (st != ST_OK)
		return st;
	if (c != NULL) {
		if (c->n == SCACHE_MAX) {
			secure_wipe(c->e, sizeof c->e);
			c->n = 0;
		}
		c->e[c->n].epoch = epoch;
		memcpy(c->e[c->n].xp, xp, CRYPTO_PK_BYTES);
		memcpy(c->e[c->n].s, kr->wrap, CRYPTO_KEY_BYTES);
		c->n++;
	}
	return ST_OK;
}

void
vault_pending_key(struct vault *v, const char *user)
{
	static const char label[] = "intake-pending";
	unsigned char in[sizeof label + VAULT_USER_MAX];
	size_t n = strlen(user);

	memcpy(in, label, sizeof label);
	memcpy(in + sizeof label, user, n);
	crypto_digest_keyed(v->kr->wrap, in, sizeof label + n, v->kr->vk, CRYPTO_KEY_BYTES);
}

/* kr->wrap = the key drafts of the unlocked user are wrapped under. */
void
vault_draft_key(struct vault *v)
{
	crypto_subkey(v->kr->wrap, 1, DRAFT_CTX, v->kr->dk);
}

/* ---- user entries --------------------------------------------------------- */

static size_t
name_field(const unsigned char *p, char out[VAULT_USER_MAX + 1])
{
	size_t n = p[0] <= VAULT_USER_MAX ? p[0] : 0;

	memcpy(out, p + 1, n);
	out[n] = '\0';
	return n;
}

size_t
vault_user2_ad(const struct vault *v, const char *name, const unsigned char *entry,
    unsigned char ad[AD_MAX])
{
	static const char label[] = USER2_LABEL;
	size_t n = 0, nlen = strlen(name);

	memcpy(ad + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	put_be32(ad + n, 2);
	n += 4;
	memcpy(ad + n, entry, USER_HEAD_BYTES);
	n += USER_HEAD_BYTES;
	memcpy(ad + n, v->root, sizeof v->root);
	n += sizeof v->root;
	ad[n++] = (unsigned char)nlen;
	memcpy(ad + n, name, nlen);
	return n + nlen;
}

/* What the adder signs: the name, the role and the public part. */
static size_t
sig_msg(const struct vault *v, const char *name, const unsigned char *entry,
    unsigned char *out)
{
	static const char label[] = SIG_LABEL;
	size_t n = 0, nlen = strlen(name);

	memcpy(out + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(out + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	out[n++] = (unsigned char)nlen;
	memcpy(out + n, name, nlen);
	n += nlen;
	out[n++] = entry[USER_OFF_ROLE];
	memcpy(out + n, entry + USER2_OFF_XP, USER2_OFF_SECRETS - USER2_OFF_XP);
	return n + USER2_OFF_SECRETS - USER2_OFF_XP;
}
#define SIG_MSG_MAX (sizeof SIG_LABEL + VAULT_ID_BYTES + 2 + VAULT_USER_MAX + USER2_OFF_SECRETS)

/* Signs entry (of name) with the unlocked user's key, as added by them. */
void
vault_user2_sign(struct vault *v, const char *name, unsigned char *entry)
{
	unsigned char msg[SIG_MSG_MAX];
	size_t ulen = strlen(v->user);

	memset(entry + USER2_OFF_ADDER, 0, 1 + VAULT_USER_MAX);
	entry[USER2_OFF_ADDER] = (unsigned char)ulen;
	memcpy(entry + USER2_OFF_ADDER + 1, v->user, ulen);
	crypto_sign_make(entry + USER2_OFF_SIG, msg, sig_msg(v, name, entry, msg), v->kr->ss);
}

/* Builds the entry of a user whose secrets (xs | ss | D | C) are in
 * kr->secrets and public keys in xp, sp; seals them under pass and signs
 * the entry as the unlocked user (v->user, kr->ss). A group member gets the
 * group key sealed to xp. Runs Argon2id: outside any transaction. */
enum status
vault_user2_build(struct vault *v, const char *name, enum role role, const char *pass,
    size_t passlen, const struct vault_kdf *kdf, const unsigned char xp[CRYPTO_PK_BYTES],
    const unsigned char sp[CRYPTO_SIGN_PK_BYTES], unsigned char *out, size_t *len)
{
	struct keyring *kr = v->kr;
	unsigned char ad[AD_MAX];
	size_t adlen;
	enum status st;

	memset(out, 0, USER2_MAX_BYTES);
	out[0] = USER2_VERSION;
	out[USER_OFF_ROLE] = (unsigned char)role;
	put_be64(out + USER_OFF_OPS, kdf->ops);
	put_be64(out + USER_OFF_MEM, kdf->mem_mib);
	crypto_random(out + USER_OFF_SALT, CRYPTO_SALT_BYTES);
	memcpy(out + USER2_OFF_XP, xp, CRYPTO_PK_BYTES);
	memcpy(out + USER2_OFF_SP, sp, CRYPTO_SIGN_PK_BYTES);
	put_be64(out + USER2_OFF_ADDED, (uint64_t)clock_now());
	st = crypto_passkey(kr->master, pass, passlen, out + USER_OFF_SALT, kdf->ops, kdf->mem_mib);
	if (st != ST_OK)
		return st;
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(out + USER_OFF_VERIFIER, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX,
	    kr->master);
	adlen = vault_user2_ad(v, name, out, ad);
	crypto_seal(out + USER2_OFF_SECRETS, kr->secrets, SECRETS_BYTES, ad, adlen, kr->kek);
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	vault_user2_sign(v, name, out);
	*len = USER2_BYTES;
	if (vault_role_in_group(v, role) && v->has_gs) {
		put_be32(out + USER2_BYTES, v->epoch);
		crypto_pk_seal(out + USER2_BYTES + 4, kr->gs, CRYPTO_KEY_BYTES, xp);
		*len = USER2_MAX_BYTES;
	}
	return ST_OK;
}

/* Fresh keys for a new user (or one re-keyed) in kr->secrets: xs, ss, a new
 * D, and the common key C of this vault (kr->vk). */
void
vault_user2_fresh(struct vault *v, unsigned char xp[CRYPTO_PK_BYTES],
    unsigned char sp[CRYPTO_SIGN_PK_BYTES])
{
	unsigned char *s = v->kr->secrets;

	crypto_pk_keypair(xp, s);
	crypto_sign_pair(sp, s + CRYPTO_KEY_BYTES);
	crypto_random(s + CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, CRYPTO_KEY_BYTES);
	memcpy(s + 2 * CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, v->kr->vk, CRYPTO_KEY_BYTES);
}

/* Re-seals the unlocked user's own secrets (kr->secrets filled from the
 * keyring) under a new passphrase into entry (the current one, re-used for
 * everything but the passphrase fields). */
enum status
vault_user2_reseal(struct vault *v, const char *name, const char *pass, size_t passlen,
    unsigned char *entry)
{
	struct keyring *kr = v->kr;
	unsigned char *s = kr->secrets, ad[AD_MAX];
	size_t adlen;
	enum status st;

	memcpy(s, kr->xs, CRYPTO_KEY_BYTES);
	memcpy(s + CRYPTO_KEY_BYTES, kr->ss, CRYPTO_SIGN_SK_BYTES);
	memcpy(s + CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, kr->dk, CRYPTO_KEY_BYTES);
	memcpy(s + 2 * CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, kr->vk, CRYPTO_KEY_BYTES);
	crypto_random(entry + USER_OFF_SALT, CRYPTO_SALT_BYTES);
	st = crypto_passkey(kr->master, pass, passlen, entry + USER_OFF_SALT,
	    get_be64(entry + USER_OFF_OPS), get_be64(entry + USER_OFF_MEM));
	if (st != ST_OK) {
		secure_wipe(s, SECRETS_BYTES);
		return st;
	}
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(entry + USER_OFF_VERIFIER, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX,
	    kr->master);
	adlen = vault_user2_ad(v, name, entry, ad);
	crypto_seal(entry + USER2_OFF_SECRETS, s, SECRETS_BYTES, ad, adlen, kr->kek);
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	secure_wipe(s, SECRETS_BYTES);
	return ST_OK;
}

/* Opens the secrets of entry under kr->kek into kr->secrets. */
enum status
vault_user2_open(struct vault *v, const char *name, const unsigned char *entry)
{
	unsigned char ad[AD_MAX];
	size_t adlen = vault_user2_ad(v, name, entry, ad);

	return crypto_open(v->kr->secrets, entry + USER2_OFF_SECRETS,
	    SECRETS_BYTES + CRYPTO_SEAL_OVERHEAD, ad, adlen, v->kr->kek);
}

/* Whether entry (of name, parsed) carries a signature that chains to the
 * root: the root's own, or that of a group member whose entry does, in
 * txn. ST_OK or ST_TAMPERED; why is set to the first name that failed. */
static enum status
chain_check(struct vault *v, MDB_txn *txn, const char *name, const unsigned char *entry,
    int depth, char why[VAULT_USER_MAX + 1])
{
	unsigned char msg[SIG_MSG_MAX];
	char adder[VAULT_USER_MAX + 1];
	MDB_val k, d;
	struct user_entry ae;
	size_t mlen = sig_msg(v, name, entry, msg);

	if (crypto_sign_check(entry + USER2_OFF_SIG, msg, mlen, v->root) == ST_OK)
		return ST_OK;
	snprintf(why, VAULT_USER_MAX + 1, "%s", name);
	name_field(entry + USER2_OFF_ADDER, adder);
	if (depth <= 0 || adder[0] == '\0' || strcmp(adder, name) == 0)
		return ST_TAMPERED;
	k.mv_size = strlen(adder);
	k.mv_data = adder;
	if (mdb_get(txn, v->dbi[DB_USERS], &k, &d) != 0 ||
	    vault_user2_parse(d.mv_data, d.mv_size, &ae) != ST_OK ||
	    !vault_role_in_group(v, ae.role))
		return ST_TAMPERED;
	if (crypto_sign_check(entry + USER2_OFF_SIG, msg, mlen, ae.raw + USER2_OFF_SP) != ST_OK)
		return ST_TAMPERED;
	return chain_check(v, txn, adder, ae.raw, depth - 1, why);
}

enum status
vault_user2_trusted(struct vault *v, MDB_txn *txn, const char *name, const unsigned char *entry,
    char why[VAULT_USER_MAX + 1])
{
	return chain_check(v, txn, name, entry, 64, why);
}

/* The size of an entry of format 2 (version 2, or 3 while pending) before
 * its grant; 0 for anything else. */
size_t
vault_entry_base(const unsigned char *p, size_t len)
{
	size_t base;

	if (len < 1 || (p[0] != USER2_VERSION && p[0] != USER3_VERSION))
		return 0;
	base = p[0] == USER3_VERSION ? USER3_BYTES : USER2_BYTES;
	return len == base || len == base + GRANT_BYTES ? base : 0;
}

/* Parses a format 2 entry (no message): ST_TAMPERED when malformed. */
enum status
vault_user2_parse(const void *data, size_t len, struct user_entry *e)
{
	const unsigned char *p = data;

	if (vault_entry_base(p, len) == 0 ||
	    p[USER_OFF_ROLE] > ROLE_TRAINER || p[2] != 0 || p[3] != 0 ||
	    p[USER2_OFF_ADDER] > VAULT_USER_MAX)
		return ST_TAMPERED;
	memcpy(e->raw, p, len);
	e->len = len;
	e->role = (enum role)p[USER_OFF_ROLE];
	e->ops = get_be64(p + USER_OFF_OPS);
	e->mem_mib = get_be64(p + USER_OFF_MEM);
	if (e->ops < CRYPTO_PASSKEY_OPS_MIN || e->ops > CRYPTO_PASSKEY_OPS_MAX ||
	    e->mem_mib < CRYPTO_PASSKEY_MEM_MIN || e->mem_mib > CRYPTO_PASSKEY_MEM_MAX)
		return ST_TAMPERED;
	return ST_OK;
}

/* ---- the group key -------------------------------------------------------- */

/* meta "group": u32 epoch | gp of epochs 1..epoch | u8 signer length |
 * signer | Ed25519 signature by the signer of GROUP_LABEL | vault id |
 * epoch | the gps. */
static void
group_sig_state(const struct vault *v, unsigned char *msg, size_t *n)
{
	static const char label[] = GROUP_LABEL;

	memcpy(msg, label, sizeof label - 1);
	memcpy(msg + sizeof label - 1, v->id, VAULT_ID_BYTES);
	*n = sizeof label - 1 + VAULT_ID_BYTES;
}

static unsigned char *
group_msg(const struct vault *v, uint32_t epoch, const unsigned char *gps, size_t *len)
{
	size_t n, all = (size_t)epoch * CRYPTO_PK_BYTES;
	unsigned char *msg = malloc(sizeof GROUP_LABEL + VAULT_ID_BYTES + 4 + all);

	if (msg == NULL)
		return NULL;
	group_sig_state(v, msg, &n);
	put_be32(msg + n, epoch);
	memcpy(msg + n + 4, gps, all);
	*len = n + 4 + all;
	return msg;
}

/* Writes meta "group" for epochs 1..epoch (gps), signed by the unlocked
 * user. */
static int
group_put(struct vault *v, MDB_txn *txn, uint32_t epoch, const unsigned char *gps)
{
	size_t ulen = strlen(v->user), all = (size_t)epoch * CRYPTO_PK_BYTES, mlen, n;
	unsigned char *buf, *msg;
	int rc;

	if ((buf = malloc(4 + all + 1 + ulen + CRYPTO_SIG_BYTES)) == NULL)
		return ENOMEM;
	if ((msg = group_msg(v, epoch, gps, &mlen)) == NULL) {
		free(buf);
		return ENOMEM;
	}
	put_be32(buf, epoch);
	memcpy(buf + 4, gps, all);
	n = 4 + all;
	buf[n++] = (unsigned char)ulen;
	memcpy(buf + n, v->user, ulen);
	n += ulen;
	crypto_sign_make(buf + n, msg, mlen, v->kr->ss);
	n += CRYPTO_SIG_BYTES;
	rc = vault_meta_put(txn, v->dbi[DB_META], META_GROUP, buf, n, 0);
	free(buf);
	free(msg);
	return rc;
}

int
vault_group_put(struct vault *v, MDB_txn *txn)
{
	return group_put(v, txn, v->epoch, v->gps);
}

/* Epoch 1 at creation: a fresh group pair, gs in the keyring. */
int
vault_group_start(struct vault *v)
{
	free(v->gps);
	if ((v->gps = malloc(CRYPTO_PK_BYTES)) == NULL)
		return ENOMEM;
	crypto_pk_keypair(v->gp, v->kr->gs);
	memcpy(v->gps, v->gp, CRYPTO_PK_BYTES);
	v->epoch = 1;
	v->has_gs = 1;
	return 0;
}

/* Reads meta "root" and "group" into v (root, epoch, gps, gp) and checks
 * the group key's signature against the root or a trusted group member.
 * ST_TAMPERED with a message naming what failed. */
enum status
vault_group_read(struct vault *v, MDB_txn *txn)
{
	char signer[VAULT_USER_MAX + 1], why[VAULT_USER_MAX + 1];
	const unsigned char *p;
	unsigned char *msg = NULL;
	struct user_entry se;
	MDB_val d, k;
	size_t mlen, slen, all;
	uint32_t epoch;
	int ok = 0;

	if (vault_meta_get(txn, v->dbi[DB_META], META_ROOT, &d) != 0 ||
	    d.mv_size != CRYPTO_SIGN_PK_BYTES)
		return vault_fail(v, ST_TAMPERED, "the root key of the vault at %s is missing or "
		    "damaged: restore the vault from a backup", v->dir);
	memcpy(v->root, d.mv_data, CRYPTO_SIGN_PK_BYTES);
	if (vault_meta_get(txn, v->dbi[DB_META], META_GROUP, &d) != 0 ||
	    d.mv_size < GROUP_BYTES_MIN)
		goto bad;
	p = d.mv_data;
	epoch = get_be32(p);
	if (epoch == 0 || epoch > GROUP_EPOCHS_MAX)
		goto bad;
	all = (size_t)epoch * CRYPTO_PK_BYTES;
	if (d.mv_size < 4 + all + 1 + 1 + CRYPTO_SIG_BYTES)
		goto bad;
	slen = p[4 + all];
	if (slen == 0 || slen > VAULT_USER_MAX || d.mv_size != 4 + all + 1 + slen + CRYPTO_SIG_BYTES)
		goto bad;
	memcpy(signer, p + 5 + all, slen);
	signer[slen] = '\0';
	if ((msg = group_msg(v, epoch, p + 4, &mlen)) == NULL)
		return vault_fail(v, ST_NOMEM, "out of memory while reading the group key");
	free(v->gps);
	if ((v->gps = malloc(all)) == NULL) {
		free(msg);
		return vault_fail(v, ST_NOMEM, "out of memory while reading the group key");
	}
	memcpy(v->gps, p + 4, all);
	v->epoch = epoch;
	memcpy(v->gp, v->gps + all - CRYPTO_PK_BYTES, CRYPTO_PK_BYTES);
	p += 5 + all + slen;
	if (crypto_sign_check(p, msg, mlen, v->root) == ST_OK) {
		ok = 1;
	} else {
		k.mv_size = slen;
		k.mv_data = signer;
		ok = mdb_get(txn, v->dbi[DB_USERS], &k, &d) == 0 &&
		    vault_user2_parse(d.mv_data, d.mv_size, &se) == ST_OK &&
		    vault_role_in_group(v, se.role) &&
		    crypto_sign_check(p, msg, mlen, se.raw + USER2_OFF_SP) == ST_OK &&
		    vault_user2_trusted(v, txn, signer, se.raw, why) == ST_OK;
	}
	free(msg);
	if (ok)
		return ST_OK;
bad:
	v->epoch = 0;
	return vault_fail(v, ST_TAMPERED, "the supervisors' group key of the vault at %s was "
	    "replaced or damaged on disk (its signature does not lead to the vault's root): "
	    "restore the vault from a backup", v->dir);
}

/* meta "ring": the gs of epochs 1..epoch-1, sealed under a subkey of the
 * current gs (associated data: label, vault id, epoch). A group member
 * reads it at unlock into v->ring. */
static size_t
ring_ad(const struct vault *v, uint32_t epoch, unsigned char ad[AD_MAX])
{
	static const char label[] = "intake-group-ring";

	memcpy(ad, label, sizeof label - 1);
	memcpy(ad + sizeof label - 1, v->id, VAULT_ID_BYTES);
	put_be32(ad + sizeof label - 1 + VAULT_ID_BYTES, epoch);
	return sizeof label - 1 + VAULT_ID_BYTES + 4;
}

enum status
vault_ring_read(struct vault *v, MDB_txn *txn)
{
	unsigned char ad[AD_MAX];
	size_t want = (size_t)(v->epoch - 1) * CRYPTO_KEY_BYTES;
	MDB_val d;
	enum status st;

	if (v->epoch <= 1)
		return ST_OK;
	if (vault_meta_get(txn, v->dbi[DB_META], META_RING, &d) != 0 ||
	    d.mv_size != want + CRYPTO_SEAL_OVERHEAD)
		goto bad;
	if ((v->ring = secure_alloc(want)) == NULL)
		return vault_fail(v, ST_NOMEM, "out of memory while reading the group keys");
	crypto_subkey(v->kr->wrap, 3, "intkring", v->kr->gs);
	st = crypto_open(v->ring, d.mv_data, d.mv_size, ad, ring_ad(v, v->epoch, ad), v->kr->wrap);
	secure_wipe(v->kr->wrap, sizeof v->kr->wrap);
	for (uint32_t e = 1; st == ST_OK && e < v->epoch; e++)
		if (!crypto_pk_matches(v->gps + (size_t)(e - 1) * CRYPTO_PK_BYTES,
		    v->ring + (size_t)(e - 1) * CRYPTO_KEY_BYTES))
			st = ST_TAMPERED;
	if (st == ST_OK)
		return ST_OK;
	secure_free(v->ring);
	v->ring = NULL;
bad:
	return vault_fail(v, ST_TAMPERED, "the older group keys of the vault at %s were replaced "
	    "or damaged on disk: restore the vault from a backup", v->dir);
}

/* A new epoch, in txn, by the unlocked group member: a fresh group pair,
 * the older gs sealed under it in meta "ring", gp added to meta "group"
 * (signed by them), and the new gs sealed to every group member still in
 * the users table (the grant at the end of their entry). The handle takes
 * the new epoch only when all of it is written, so that a transaction run
 * again (map growth) starts from the same state; the caller locks the
 * handle if the commit then fails. */
int
vault_epoch_new(struct vault *v, MDB_txn *txn)
{
	struct keyring *kr = v->kr;
	size_t old = (size_t)v->epoch * CRYPTO_KEY_BYTES;
	unsigned char *ring = NULL, *gps = NULL, *sealed = NULL, *gs = NULL;
	unsigned char ad[AD_MAX], buf[ENTRY_MAX], gp[CRYPTO_PK_BYTES], kb[VAULT_USER_MAX];
	uint32_t epoch = v->epoch + 1;
	MDB_cursor *cur;
	MDB_val k, d, nd;
	int rc;

	if (!v->has_gs || v->epoch >= GROUP_EPOCHS_MAX)
		return vault_txn_fail(v, vault_fail(v, ST_DENIED,
		    "%s holds no group key: only a supervisor can start a new epoch", v->user));
	ring = secure_alloc(old);
	gs = secure_alloc(CRYPTO_KEY_BYTES);
	gps = malloc(old + CRYPTO_PK_BYTES);
	sealed = malloc(old + CRYPTO_SEAL_OVERHEAD);
	if (ring == NULL || gs == NULL || gps == NULL || sealed == NULL) {
		rc = vault_txn_fail(v, vault_fail(v, ST_NOMEM,
		    "out of memory while starting a new group key"));
		goto out;
	}
	/* The ring = the old ring + the old gs, sealed under the new gs. */
	if (v->epoch > 1)
		memcpy(ring, v->ring, old - CRYPTO_KEY_BYTES);
	memcpy(ring + old - CRYPTO_KEY_BYTES, kr->gs, CRYPTO_KEY_BYTES);
	crypto_pk_keypair(gp, gs);
	memcpy(gps, v->gps, old);
	memcpy(gps + old, gp, CRYPTO_PK_BYTES);
	crypto_subkey(kr->wrap, 3, "intkring", gs);
	crypto_seal(sealed, ring, old, ad, ring_ad(v, epoch, ad), kr->wrap);
	secure_wipe(kr->wrap, sizeof kr->wrap);
	rc = vault_meta_put(txn, v->dbi[DB_META], META_RING, sealed, old + CRYPTO_SEAL_OVERHEAD, 0);
	if (rc == 0)
		rc = group_put(v, txn, epoch, gps);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur);
	if (rc != 0)
		goto out;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *p = d.mv_data;

		size_t base = vault_entry_base(p, d.mv_size);

		if (base == 0 || k.mv_size > VAULT_USER_MAX || p[USER_OFF_ROLE] > ROLE_TRAINER ||
		    !vault_role_in_group(v, (enum role)p[USER_OFF_ROLE]))
			continue;
		memcpy(buf, p, base);
		put_be32(buf + base, epoch);
		crypto_pk_seal(buf + base + 4, gs, CRYPTO_KEY_BYTES, p + USER2_OFF_XP);
		nd.mv_size = base + GRANT_BYTES;
		nd.mv_data = buf;
		memcpy(kb, k.mv_data, k.mv_size);       /* not into the map: see above */
		k.mv_data = kb;
		if ((rc = mdb_cursor_put(cur, &k, &nd, MDB_CURRENT)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	/* All written: the handle moves to the new epoch. */
	secure_free(v->ring);
	v->ring = ring;
	ring = NULL;
	free(v->gps);
	v->gps = gps;
	gps = NULL;
	memcpy(kr->gs, gs, CRYPTO_KEY_BYTES);
	memcpy(v->gp, gp, CRYPTO_PK_BYTES);
	v->epoch = epoch;
out:
	secure_free(ring);
	secure_free(gs);
	free(gps);
	free(sealed);
	return rc;
}

/* ---- former users' keys --------------------------------------------------
 *
 * meta "former": u32 count | count times (u8 name length | name | sp) |
 * u8 signer length | signer | Ed25519 signature by the signer (a group
 * member whose entry is trusted, or the root) of "intake-former" | vault
 * id | everything before the signer. */

static int
former_signer_ok(struct vault *v, MDB_txn *txn, const char *signer, const unsigned char *sig,
    const unsigned char *msg, size_t mlen)
{
	char why[VAULT_USER_MAX + 1];
	struct user_entry se;
	MDB_val k = { strlen(signer), vault_unconst(signer) }, d;

	if (crypto_sign_check(sig, msg, mlen, v->root) == ST_OK)
		return 1;
	return mdb_get(txn, v->dbi[DB_USERS], &k, &d) == 0 &&
	    vault_user2_parse(d.mv_data, d.mv_size, &se) == ST_OK &&
	    vault_role_in_group(v, se.role) &&
	    crypto_sign_check(sig, msg, mlen, se.raw + USER2_OFF_SP) == ST_OK &&
	    vault_user2_trusted(v, txn, signer, se.raw, why) == ST_OK;
}

/* Parses the list in d into out/n (NULL: only checks). ST_TAMPERED. */
static enum status
former_parse(struct vault *v, MDB_txn *txn, const MDB_val *d, struct former_key *out, size_t *n,
    size_t *body)
{
	static const char label[] = "intake-former";
	const unsigned char *p = d->mv_data;
	char signer[VAULT_USER_MAX + 1];
	unsigned char *msg;
	size_t at = 4, cnt, slen;
	int ok;

	if (d->mv_size < 4 + 1 + CRYPTO_SIG_BYTES)
		return ST_TAMPERED;
	cnt = get_be32(p);
	for (size_t i = 0; i < cnt; i++) {
		size_t nl;

		if (at >= d->mv_size || (nl = p[at]) == 0 || nl > VAULT_USER_MAX ||
		    d->mv_size - at < 1 + nl + CRYPTO_SIGN_PK_BYTES)
			return ST_TAMPERED;
		if (out != NULL) {
			memcpy(out[i].name, p + at + 1, nl);
			out[i].name[nl] = '\0';
			memcpy(out[i].sp, p + at + 1 + nl, CRYPTO_SIGN_PK_BYTES);
		}
		at += 1 + nl + CRYPTO_SIGN_PK_BYTES;
	}
	if (at >= d->mv_size || (slen = p[at]) == 0 || slen > VAULT_USER_MAX ||
	    d->mv_size != at + 1 + slen + CRYPTO_SIG_BYTES)
		return ST_TAMPERED;
	memcpy(signer, p + at + 1, slen);
	signer[slen] = '\0';
	if ((msg = malloc(sizeof label + VAULT_ID_BYTES + at)) == NULL)
		return ST_NOMEM;
	memcpy(msg, label, sizeof label - 1);
	memcpy(msg + sizeof label - 1, v->id, VAULT_ID_BYTES);
	memcpy(msg + sizeof label - 1 + VAULT_ID_BYTES, p, at);
	ok = former_signer_ok(v, txn, signer, p + at + 1 + slen, msg,
	    sizeof label - 1 + VAULT_ID_BYTES + at);
	free(msg);
	*n = cnt;
	*body = at;
	return ok ? ST_OK : ST_TAMPERED;
}

enum status
vault_former_read(struct vault *v, MDB_txn *txn, struct former_key **out, size_t *n)
{
	MDB_val d;
	size_t body;
	enum status st;
	int rc = vault_meta_get(txn, v->dbi[DB_META], META_FORMER, &d);

	*out = NULL;
	*n = 0;
	if (rc == MDB_NOTFOUND)
		return ST_OK;
	if (rc != 0)
		return ST_TAMPERED;
	/* A list that fails its check gives no keys: its count is not to be
	 * trusted either. */
	if ((st = former_parse(v, txn, &d, NULL, n, &body)) != ST_OK) {
		*n = 0;
		return st;
	}
	if (*n == 0)
		return ST_OK;
	if ((*out = calloc(*n, sizeof **out)) == NULL) {
		*n = 0;
		return ST_NOMEM;
	}
	if ((st = former_parse(v, txn, &d, *out, n, &body)) != ST_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return st;
}

int
vault_former_add_txn(struct vault *v, MDB_txn *txn, const char *name,
    const unsigned char sp[CRYPTO_SIGN_PK_BYTES])
{
	static const char label[] = "intake-former";
	size_t n = 0, body = 4, nl = strlen(name), ul = strlen(v->user), at;
	unsigned char *buf, *msg;
	MDB_val d;
	int rc = vault_meta_get(txn, v->dbi[DB_META], META_FORMER, &d);

	/* A list that does not verify is kept out of the new one: verify
	 * reports the entries it vouched for. */
	if (rc == 0 && former_parse(v, txn, &d, NULL, &n, &body) != ST_OK) {
		n = 0;
		body = 4;
	} else if (rc != 0 && rc != MDB_NOTFOUND) {
		return rc;
	}
	if ((buf = malloc(body + 1 + nl + CRYPTO_SIGN_PK_BYTES + 1 + ul + CRYPTO_SIG_BYTES)) == NULL ||
	    (msg = malloc(sizeof label + VAULT_ID_BYTES + body + 1 + nl + CRYPTO_SIGN_PK_BYTES)) ==
	    NULL) {
		free(buf);
		return ENOMEM;
	}
	if (n > 0)
		memcpy(buf, d.mv_data, body);
	put_be32(buf, (uint32_t)(n + 1));
	at = body;
	buf[at++] = (unsigned char)nl;
	memcpy(buf + at, name, nl);
	at += nl;
	memcpy(buf + at, sp, CRYPTO_SIGN_PK_BYTES);
	at += CRYPTO_SIGN_PK_BYTES;
	memcpy(msg, label, sizeof label - 1);
	memcpy(msg + sizeof label - 1, v->id, VAULT_ID_BYTES);
	memcpy(msg + sizeof label - 1 + VAULT_ID_BYTES, buf, at);
	buf[at] = (unsigned char)ul;
	memcpy(buf + at + 1, v->user, ul);
	crypto_sign_make(buf + at + 1 + ul, msg, sizeof label - 1 + VAULT_ID_BYTES + at, v->kr->ss);
	rc = vault_meta_put(txn, v->dbi[DB_META], META_FORMER, buf, at + 1 + ul + CRYPTO_SIG_BYTES,
	    0);
	free(buf);
	free(msg);
	return rc;
}

/* Takes the unlocked user's keys out of kr->secrets (opened) and entry,
 * checks them against their public halves, the entry's signature chain and
 * (for a group member) the group key; sets v->xp, sp and the group key.
 * ST_TAMPERED with the message naming what failed. */
enum status
vault_keys_load(struct vault *v, MDB_txn *txn, const char *name, const struct user_entry *e)
{
	struct keyring *kr = v->kr;
	const unsigned char *s = kr->secrets;
	char why[VAULT_USER_MAX + 1] = "";
	enum status st;

	memcpy(kr->xs, s, CRYPTO_KEY_BYTES);
	memcpy(kr->ss, s + CRYPTO_KEY_BYTES, CRYPTO_SIGN_SK_BYTES);
	memcpy(kr->dk, s + CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, CRYPTO_KEY_BYTES);
	memcpy(kr->vk, s + 2 * CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES, CRYPTO_KEY_BYTES);
	secure_wipe(kr->secrets, sizeof kr->secrets);
	memcpy(v->xp, e->raw + USER2_OFF_XP, CRYPTO_PK_BYTES);
	memcpy(v->sp, e->raw + USER2_OFF_SP, CRYPTO_SIGN_PK_BYTES);
	if (!crypto_pk_matches(v->xp, kr->xs) || !crypto_sign_matches(v->sp, kr->ss))
		return vault_fail(v, ST_TAMPERED, "the public keys in the entry of user %s were "
		    "swapped on disk (they no longer match the user's own secret keys): restore "
		    "the vault from a backup", name);
	if (vault_user2_trusted(v, txn, name, e->raw, why) != ST_OK)
		return vault_fail(v, ST_TAMPERED, "the entry of user %s does not carry a valid "
		    "signature leading to the vault's root (the entry of %s was edited on disk: "
		    "its role, keys or signer changed, or the root was replaced): restore the "
		    "vault from a backup", name, why);
	if ((st = vault_group_read(v, txn)) != ST_OK)
		return st;
	if (!vault_role_in_group(v, e->role))
		return ST_OK;
	if (e->len != vault_entry_base(e->raw, e->len) + GRANT_BYTES ||
	    get_be32(e->raw + e->len - GRANT_BYTES) != v->epoch ||
	    crypto_pk_open(kr->gs, e->raw + e->len - GRANT_BYTES + 4, GRANT_BYTES - 4, v->xp,
	    kr->xs) != ST_OK || !crypto_pk_matches(v->gp, kr->gs))
		return vault_fail(v, ST_TAMPERED, "the group key sealed to %s does not match the "
		    "vault's signed group key: it was replaced on disk, or %s was not given the "
		    "current one; restore the vault from a backup", name, name);
	v->has_gs = 1;
	return vault_ring_read(v, txn);
}

/* ---- re-wrapping ----------------------------------------------------------- */

/* Re-wraps, in txn, item keys for new keys or a new epoch; the sealed
 * payloads do not change. An item wrapped for gone (may be NULL) is wrapped
 * for heir instead; with all, every other item moves to the current epoch
 * as well, so that no older group key opens anything in the file. Covers
 * records, summaries, history, debriefs, listing chunks and the audit
 * trail. Needs the group key (for items of others). Drafts cannot be
 * re-wrapped by anyone but their owner: those of `owner` (NULL: none) are
 * deleted. Returns an LMDB code or TXN_FAILED. */
int
vault_rewrap_txn(struct vault *v, MDB_txn *txn, const char *owner,
    const unsigned char *gone, const unsigned char *heir, int all)
{
	static const enum kind ks[] = { KIND_RECORD, KIND_SUMMARY, KIND_HISTORY, KIND_DEBRIEF,
		KIND_LISTING, 0 };
	struct keyring *kr = v->kr;
	unsigned char ad[AD_MAX], *buf, kb[KEY_MAX];
	MDB_cursor *cur;
	MDB_val k, d, nd;
	size_t adlen, olen;
	int rc;

	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
		MDB_dbi dbi = ks[i] ? v->dbi[kinds[ks[i]].db] : v->dbi[DB_AUDIT];
		size_t off = ks[i] ? ENV_HEAD : ENV_HEAD;   /* epoch | xp | wrap, both */

		if (ks[i] == KIND_DEBRIEF && !v->training)
			continue;
		if (ks[i] == KIND_LISTING && (rc = vault_listing_dbi(txn, &dbi)) != 0) {
			if (rc == MDB_NOTFOUND)
				continue;
			return rc;
		}
		if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
			return rc;
		while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
			const unsigned char *c = d.mv_data, *to;
			uint32_t epoch;
			enum status st;

			if (d.mv_size < off + AUDIT2_EXTRA + CRYPTO_SEAL_OVERHEAD || k.mv_size > KEY_MAX ||
			    c[1] != 2)
				continue;
			epoch = get_be32(c + off);
			to = gone != NULL && memcmp(c + off + 4, gone, CRYPTO_PK_BYTES) == 0 ? heir :
			    c + off + 4;
			if (to == c + off + 4 && (!all || epoch == v->epoch))
				continue;
			if ((buf = vault_scratch_get(v, d.mv_size)) == NULL) {
				mdb_cursor_close(cur);
				return vault_txn_fail(v, vault_fail(v, ST_NOMEM,
				    "out of memory while re-wrapping the vault's items"));
			}
			memcpy(buf, c, d.mv_size);
			st = vault_s_key(v, epoch, c + off + 4);
			if (st == ST_OK) {
				adlen = ks[i] ? vault_env2_wrap_ad(v, ks[i], &k, buf, ad) :
				    vault_audit_wrap_ad(v, &k, buf, ad);
				st = crypto_unwrap(kr->item, buf + off + 4 + CRYPTO_PK_BYTES, ad, adlen,
				    kr->wrap);
			}
			if (st == ST_OK) {
				memmove(buf + off + 4, to, CRYPTO_PK_BYTES);
				put_be32(buf + off, v->epoch);
				st = vault_s_key(v, v->epoch, buf + off + 4);
			}
			if (st == ST_OK) {
				adlen = ks[i] ? vault_env2_wrap_ad(v, ks[i], &k, buf, ad) :
				    vault_audit_wrap_ad(v, &k, buf, ad);
				crypto_wrap(buf + off + 4 + CRYPTO_PK_BYTES, kr->item, ad, adlen, kr->wrap);
				nd.mv_size = d.mv_size;
				nd.mv_data = buf;
				/* LMDB may move the node while it writes a value kept in
				 * overflow pages: the key must not point into the map. */
				memcpy(kb, k.mv_data, k.mv_size);
				k.mv_data = kb;
				rc = mdb_cursor_put(cur, &k, &nd, MDB_CURRENT);
			}
			secure_wipe(kr->item, sizeof kr->item);
			secure_wipe(kr->wrap, sizeof kr->wrap);
			vault_scratch_done(v, d.mv_size);
			if (st != ST_OK) {
				char what[64];
				struct record_id id;

				memset(id.b, 0, sizeof id.b);
				memcpy(id.b, k.mv_data, k.mv_size < VAULT_ID_BYTES ? k.mv_size :
				    VAULT_ID_BYTES);
				if (ks[i])
					vault_describe(what, sizeof what, kinds[ks[i]].name, &id);
				else
					snprintf(what, sizeof what, "an audit entry");
				mdb_cursor_close(cur);
				return vault_txn_fail(v, vault_fail_open(v, st == ST_NOMEM ? ST_NOMEM :
				    ST_TAMPERED, what));
			}
			if (rc != 0)
				break;
		}
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	if (owner == NULL)
		return 0;
	/* The drafts of owner: user name | 0x00 | draft id. */
	olen = strlen(owner);
	if ((rc = mdb_cursor_open(txn, v->dbi[DB_DRAFTS], &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0)
		if (k.mv_size > olen && memcmp(k.mv_data, owner, olen) == 0 &&
		    ((const unsigned char *)k.mv_data)[olen] == 0 &&
		    (rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
