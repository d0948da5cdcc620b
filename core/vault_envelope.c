/*
 * vault_envelope.c — envelopes: sealing an item (record, summary, draft,
 * form, history, debrief, listing chunk, release) under its kind's purpose
 * key and opening it again, the scratch memory they use, the access rule
 * of items by owner, and the vault-free envelope calls tests and fuzzing
 * use (vault_test_envelope_*). The layout is in vault_int.h ("Envelope").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "vault_int.h"

/* ---- envelopes ------------------------------------------------------------ */

/* A secure buffer of at least n bytes, kept across calls so that sealing and
 * scanning cost no guarded allocation per item. */
unsigned char *
vault_scratch_get(struct vault *v, size_t n)
{
	size_t want = 4096;

	if (v->scratch != NULL && v->scratch_len >= n)
		return v->scratch;
	while (want < n)
		want *= 2;
	secure_free(v->scratch);
	v->scratch = secure_alloc(want);
	v->scratch_len = v->scratch != NULL ? want : 0;
	return v->scratch;
}

void
vault_scratch_done(struct vault *v, size_t used)
{
	secure_wipe(v->scratch, used < v->scratch_len ? used : v->scratch_len);
	vault_scratch_trim(&v->scratch, &v->scratch_len);
	/* What vault_env_content unpacked goes with the scratch it came from. */
	secure_wipe(v->unpack, v->unpack_used);
	v->unpack_used = 0;
	vault_scratch_trim(&v->unpack, &v->unpack_len);
}

void
vault_scratch_trim(unsigned char **p, size_t *len)
{
	if (*len > SCRATCH_KEEP) {
		secure_free(*p);        /* wipes */
		*p = NULL;
		*len = 0;
	}
}

size_t
vault_env_size(size_t owner_len, size_t content_len)
{
	return ENV_OVERHEAD + owner_len + content_len;
}

/* The associated data of an item of the vault vid; key->mv_size <= KEY_MAX. */
static size_t
item_ad(const unsigned char vid[VAULT_ID_BYTES], enum kind kind, const MDB_val *key,
    const unsigned char head[ENV_HEAD], unsigned char ad[AD_MAX])
{
	static const char label[] = "intake-item";
	size_t n = 0, klen = strlen(kinds[kind].name) + 1;

	memcpy(ad + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(ad + n, head, ENV_HEAD);
	n += ENV_HEAD;
	memcpy(ad + n, vid, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	memcpy(ad + n, kinds[kind].name, klen);
	n += klen;
	ad[n++] = (unsigned char)(key->mv_size >> 8);
	ad[n++] = (unsigned char)key->mv_size;
	memcpy(ad + n, key->mv_data, key->mv_size);
	return n + key->mv_size;
}

/* The associated data of the item key's wrap in a format 2 envelope: the
 * item's, then the epoch and the public key it is wrapped for. The sealed
 * payload binds only the item's, so that re-wrapping for new keys leaves
 * it as it is. */
static size_t
wrap_ad(const unsigned char vid[VAULT_ID_BYTES], enum kind kind, const MDB_val *key,
    const unsigned char *env, unsigned char ad[AD_MAX])
{
	size_t n = item_ad(vid, kind, key, env, ad);

	memcpy(ad + n, env + ENV2_OFF_EPOCH, 4 + CRYPTO_PK_BYTES);
	return n + 4 + CRYPTO_PK_BYTES;
}

size_t
vault_env2_wrap_ad(const struct vault *v, enum kind kind, const MDB_val *key,
    const unsigned char *env, unsigned char ad[AD_MAX])
{
	return wrap_ad(v->id, kind, key, env, ad);
}

/* A format 2 envelope of kind under key in the vault vid: plain[plen]
 * (the owner's name and the content, flags saying how the content is
 * stored) sealed under a new item key, made in item and wiped, which is
 * wrapped with wrap, S(epoch, xp), into out[ENV2_OVERHEAD + plen - 1]. */
static void
seal2(const unsigned char vid[VAULT_ID_BYTES], enum kind kind, const MDB_val *key,
    unsigned char flags, uint32_t epoch, const unsigned char xp[CRYPTO_PK_BYTES],
    const unsigned char wrap[CRYPTO_KEY_BYTES], unsigned char item[CRYPTO_KEY_BYTES],
    const unsigned char *plain, size_t plen, unsigned char *out)
{
	unsigned char ad[AD_MAX], wad[AD_MAX];
	size_t adlen, wadlen;

	out[0] = ENV_MAGIC;
	out[1] = 2;
	out[2] = (unsigned char)kind;
	out[3] = flags;
	put_be32(out + ENV2_OFF_EPOCH, epoch);
	memcpy(out + ENV2_OFF_XP, xp, CRYPTO_PK_BYTES);
	adlen = item_ad(vid, kind, key, out, ad);
	wadlen = wrap_ad(vid, kind, key, out, wad);
	crypto_random(item, CRYPTO_KEY_BYTES);
	crypto_wrap(out + ENV2_OFF_WRAP, item, wad, wadlen, wrap);
	crypto_seal(out + ENV2_OFF_SEAL, plain, plen, ad, adlen, item);
	secure_wipe(item, CRYPTO_KEY_BYTES);
}

/* The public key a format 2 item of owner is wrapped for: the owner's,
 * looked up in the write transaction running now; an owner no longer in
 * the vault passes to the user saving it (their name stays in the item). */
void
vault_owner_xp(struct vault *v, const char *owner, unsigned char xp[CRYPTO_PK_BYTES])
{
	MDB_val k = { strlen(owner), vault_unconst(owner) }, d;
	struct user_entry e;

	memcpy(xp, v->xp, CRYPTO_PK_BYTES);
	if (strcmp(owner, v->user) == 0 || v->wtxn == NULL)
		return;
	if (mdb_get(v->wtxn, v->dbi[DB_USERS], &k, &d) == 0 &&
	    vault_user2_parse(d.mv_data, d.mv_size, &e) == ST_OK)
		memcpy(xp, e.raw + USER2_OFF_XP, CRYPTO_PK_BYTES);
	secure_wipe(&e, sizeof e);
}

static enum status draft_tag(struct vault *v, const unsigned char *env, size_t len,
    unsigned char out[DRAFT_TAG]);

size_t
vault_env_size_for(const struct vault *v, enum kind kind, size_t owner_len, size_t content_len)
{
	if (vault_env2(v, kind))
		return ENV2_OVERHEAD + owner_len + content_len + (kind == KIND_DRAFT ? DRAFT_TAG : 0);
	return vault_env_size(owner_len, content_len);
}

/* Whether the content of items of kind is compressed before it is sealed
 * (vault_pack.c): format 2 records, summaries, earlier versions, debriefs
 * and drafts. Listing chunks, forms, releases and sites are not. */
static int
kind_packs(enum kind kind)
{
	return kind == KIND_RECORD || kind == KIND_SUMMARY || kind == KIND_HISTORY ||
	    kind == KIND_DEBRIEF || kind == KIND_DRAFT;
}

int
vault_env_packs(const struct vault *v, enum kind kind)
{
	return kind_packs(kind) && vault_env2(v, kind);
}

enum status
vault_env_stage(struct vault *v, enum kind kind, const char *owner, const void *content,
    size_t clen, int pack, struct env_staged *sg)
{
	size_t olen = strlen(owner), cap, packed = 0;
	unsigned char *plain;

	pack = pack && vault_env_packs(v, kind);
	cap = pack ? vault_pack_bound(clen) : clen;
	memset(sg, 0, sizeof *sg);
	plain = vault_scratch_get(v, 1 + olen + cap);
	if (plain == NULL)
		return vault_fail(v, ST_NOMEM, "out of memory while saving the %s",
		    kinds[kind].name);
	plain[0] = (unsigned char)olen;
	memcpy(plain + 1, owner, olen);
	if (pack)
		packed = vault_pack(v, content, clen, plain + 1 + olen, cap);
	if (packed == 0 && clen > 0)
		memcpy(plain + 1 + olen, content, clen);
	sg->flags = packed > 0 ? ENV_PACKED : 0;
	sg->plen = 1 + olen + (packed > 0 ? packed : clen);
	sg->used = 1 + olen + cap;
	return ST_OK;
}

size_t
vault_env_staged_size(const struct vault *v, enum kind kind, const struct env_staged *sg)
{
	return vault_env_size_for(v, kind, 0, sg->plen - 1);
}

void
vault_env_unstage(struct vault *v, const struct env_staged *sg)
{
	vault_scratch_done(v, sg->used);
}

/* Seals owner and content for the slot `key` into out[vault_env_size_for()];
 * never compresses (vault_env_stage does for vault_item_put). */
enum status
vault_env_seal(struct vault *v, enum kind kind, const MDB_val *key, const char *owner,
    const void *content, size_t clen, unsigned char *out)
{
	struct env_staged sg;
	enum status st;

	if ((st = vault_env_stage(v, kind, owner, content, clen, 0, &sg)) != ST_OK)
		return st;
	return vault_env_seal_staged(v, kind, key, owner, &sg, out);
}

enum status
vault_env_seal_staged(struct vault *v, enum kind kind, const MDB_val *key, const char *owner,
    const struct env_staged *sg, unsigned char *out)
{
	struct keyring *kr = v->kr;
	size_t plen = sg->plen, adlen, off_seal = ENV2_OFF_SEAL;
	unsigned char ad[AD_MAX], *plain = v->scratch;
	int two = vault_env2(v, kind);
	enum status st;

	if (two) {
		unsigned char xp[CRYPTO_PK_BYTES];

		if (kind == KIND_DRAFT) {
			memcpy(xp, v->xp, CRYPTO_PK_BYTES);
			vault_draft_key(v);
		} else {
			vault_owner_xp(v, owner, xp);
			if ((st = vault_s_key(v, v->epoch, xp)) != ST_OK) {
				vault_env_unstage(v, sg);
				return vault_fail(v, st == ST_NOMEM ? ST_NOMEM : ST_TAMPERED,
				    "cannot seal the %s for %s: the key in their user entry is "
				    "not usable (run `intake verify`)", kinds[kind].name, owner);
			}
		}
		seal2(v->id, kind, key, sg->flags, v->epoch, xp, kr->wrap, kr->item, plain, plen,
		    out);
		secure_wipe(kr->wrap, sizeof kr->wrap);
	} else {
		off_seal = ENV_OFF_SEAL;
		out[0] = ENV_MAGIC;
		out[1] = VAULT_FORMAT_1;
		out[2] = (unsigned char)kind;
		out[3] = 0;
		adlen = item_ad(v->id, kind, key, out, ad);
		crypto_random(kr->item, sizeof kr->item);
		crypto_wrap(out + ENV_OFF_WRAP, kr->item, ad, adlen,
		    kr->purpose[kinds[kind].purpose]);
		crypto_seal(out + off_seal, plain, plen, ad, adlen, kr->item);
		secure_wipe(kr->item, sizeof kr->item);
	}
	vault_env_unstage(v, sg);
	if (two && kind == KIND_DRAFT) {
		size_t end = off_seal + plen + CRYPTO_SEAL_OVERHEAD;

		if ((st = draft_tag(v, out, end, out + end)) != ST_OK)
			return vault_fail(v, st == ST_NOMEM ? ST_NOMEM : ST_TAMPERED,
			    "cannot seal the draft: the keys of %s do not work", v->user);
	}
	return ST_OK;
}

/* Format 2 drafts: only their owner holds the key that opens them, but the
 * owner and the group can check them: they end with a keyed BLAKE2b of the
 * rest under a subkey of S(owner, epoch). */
static enum status
draft_tag(struct vault *v, const unsigned char *env, size_t len,
    unsigned char out[DRAFT_TAG])
{
	struct keyring *kr = v->kr;
	enum status st = vault_s_key(v, get_be32(env + ENV2_OFF_EPOCH), env + ENV2_OFF_XP);

	if (st != ST_OK)
		return st;
	crypto_subkey(kr->item, 2, "intkdtag", kr->wrap);
	crypto_digest_keyed(out, env, len, kr->item, CRYPTO_KEY_BYTES);
	secure_wipe(kr->wrap, sizeof kr->wrap);
	secure_wipe(kr->item, sizeof kr->item);
	return ST_OK;
}

enum status
vault_env_draft_check(struct vault *v, const MDB_val *key, const MDB_val *val)
{
	unsigned char tag[DRAFT_TAG];
	const unsigned char *c = val->mv_data;
	enum status st;

	(void)key;
	if (vault_env_plain_len(KIND_DRAFT, val) == 0 || c[1] != 2)
		return ST_TAMPERED;
	st = draft_tag(v, c, val->mv_size - DRAFT_TAG, tag);
	if (st != ST_OK)
		return st == ST_DENIED ? ST_DENIED : st == ST_NOMEM ? ST_NOMEM : ST_TAMPERED;
	return crypto_equal(tag, c + val->mv_size - DRAFT_TAG, DRAFT_TAG) ? ST_OK : ST_TAMPERED;
}

/* The digest the audit trail keeps of a record's envelope: of the whole
 * value in format 1, of the sealed payload in format 2 (re-wrapping the
 * item key for new keys leaves it as it was). */
void
vault_env_digest(const struct vault *v, enum kind kind, const MDB_val *val,
    unsigned char out[CRYPTO_HASH_BYTES])
{
	const unsigned char *c = val->mv_data;

	if (vault_env2(v, kind) && val->mv_size > ENV2_OFF_SEAL && c[1] == 2)
		crypto_digest(out, c + ENV2_OFF_SEAL, val->mv_size - ENV2_OFF_SEAL);
	else
		crypto_digest(out, val->mv_data, val->mv_size);
}

/* Size of the plaintext in envelope val of `kind`, or 0 when its size or
 * header is wrong (every valid envelope has at least the owner length). */
size_t
vault_env_plain_len(enum kind kind, const MDB_val *val)
{
	const unsigned char *c = val->mv_data;

	if (val->mv_size < ENV_OVERHEAD || val->mv_size > ENV2_OVERHEAD + VAULT_USER_MAX + ITEM_MAX)
		return 0;
	if (c[0] != ENV_MAGIC || c[2] != kind ||
	    (c[3] != 0 && !(c[1] == 2 && c[3] == ENV_PACKED && kind_packs(kind))))
		return 0;
	if (c[1] == 2 && kind == KIND_DRAFT)
		return val->mv_size >= ENV2_OVERHEAD + DRAFT_TAG ?
		    val->mv_size - ENV2_OFF_SEAL - CRYPTO_SEAL_OVERHEAD - DRAFT_TAG : 0;
	if (c[1] == 2 && val->mv_size >= ENV2_OVERHEAD)
		return val->mv_size - ENV2_OFF_SEAL - CRYPTO_SEAL_OVERHEAD;
	if (c[1] != VAULT_FORMAT_1 || val->mv_size > vault_env_size(VAULT_USER_MAX, ITEM_MAX))
		return 0;
	return val->mv_size - ENV_OFF_SEAL - CRYPTO_SEAL_OVERHEAD;
}

/* Decrypts envelope val (found under key, vault_env_plain_len() > 0) into plain.
 * owner gets the user who saved it; the content is plain[*off .. + *clen].
 * ST_TAMPERED when anything does not authenticate. */
enum status
vault_env_decrypt(struct vault *v, enum kind kind, const MDB_val *key, const MDB_val *val,
    unsigned char *plain, char owner[VAULT_USER_MAX + 1], size_t *off, size_t *clen)
{
	struct keyring *kr = v->kr;
	const unsigned char *c = val->mv_data;
	size_t adlen, plen = vault_env_plain_len(kind, val), olen;
	unsigned char ad[AD_MAX];
	enum status st;

	size_t off_seal = ENV_OFF_SEAL;

	if (key->mv_size > KEY_MAX)
		return ST_TAMPERED;
	/* An envelope must be of the vault's own format: format 1 kinds in a
	 * format 2 vault are opened only while it is being upgraded. */
	if ((c[1] == 2) != (vault_env2(v, kind) != 0))
		return ST_TAMPERED;
	adlen = item_ad(v->id, kind, key, c, ad);
	if (c[1] == 2) {
		unsigned char wad[AD_MAX];
		size_t wadlen = vault_env2_wrap_ad(v, kind, key, c, wad);

		off_seal = ENV2_OFF_SEAL;
		if (kind == KIND_DRAFT) {
			/* Drafts are read from one's own slots. */
			if (memcmp(c + ENV2_OFF_XP, v->xp, CRYPTO_PK_BYTES) != 0 ||
			    vault_env_draft_check(v, key, val) != ST_OK)
				return ST_TAMPERED;
			vault_draft_key(v);
		} else if ((st = vault_s_key(v, get_be32(c + ENV2_OFF_EPOCH),
		    c + ENV2_OFF_XP)) != ST_OK) {
			return st == ST_NOMEM ? ST_NOMEM : st == ST_DENIED ? ST_DENIED :
			    ST_TAMPERED;
		}
		st = crypto_unwrap(kr->item, c + ENV2_OFF_WRAP, wad, wadlen, kr->wrap);
		secure_wipe(kr->wrap, sizeof kr->wrap);
		if (st != ST_OK)
			return ST_TAMPERED;
	} else if (crypto_unwrap(kr->item, c + ENV_OFF_WRAP, ad, adlen,
	    kr->purpose[kinds[kind].purpose]) != ST_OK) {
		return ST_TAMPERED;
	}
	st = crypto_open(plain, c + off_seal, plen + CRYPTO_SEAL_OVERHEAD, ad, adlen, kr->item);
	secure_wipe(kr->item, sizeof kr->item);
	if (st != ST_OK)
		return ST_TAMPERED;
	olen = plain[0];
	if (olen > VAULT_USER_MAX || 1 + olen > plen) {
		secure_wipe(plain, plen);
		return ST_TAMPERED;
	}
	memcpy(owner, plain + 1, olen);
	owner[olen] = '\0';
	*off = 1 + olen;
	*clen = plen - 1 - olen;
	return ST_OK;
}

/* Opens the envelope val found under key. On success *plain (secure memory,
 * NUL-terminated, for vault_plain_free) holds the content and owner the user
 * who saved it. Returns ST_TAMPERED, ST_FORMAT (a compressed payload
 * refused: vault_pack.c) or ST_NOMEM and sets no message: the caller names
 * the item. The content is unpacked into memory of its own, not the
 * handle's unpack buffer, which a scan running now may be using. */
enum status
vault_env_open(struct vault *v, enum kind kind, const MDB_val *key, const MDB_val *val,
    char owner[VAULT_USER_MAX + 1], char **plain_out, size_t *len_out)
{
	size_t plen = vault_env_plain_len(kind, val), off, clen, size;
	unsigned char *plain, *out;
	enum status st;

	if (plen == 0)
		return ST_TAMPERED;
	plain = secure_alloc(plen + 1);
	if (plain == NULL)
		return ST_NOMEM;
	st = vault_env_decrypt(v, kind, key, val, plain, owner, &off, &clen);
	if (st != ST_OK) {
		secure_free(plain);
		return st;
	}
	if (!vault_env_is_packed(val)) {
		memmove(plain, plain + off, clen);
		secure_wipe(plain + clen, plen + 1 - clen);
		*plain_out = (char *)plain;
		*len_out = clen;
		return ST_OK;
	}
	st = vault_unpack_size(plain + off, clen, &size);
	if (st == ST_OK && (out = secure_alloc(size + 1)) == NULL)
		st = ST_NOMEM;
	if (st == ST_OK && (st = vault_unpack(v, plain + off, clen, out, size)) != ST_OK)
		secure_free(out);
	secure_free(plain);
	if (st != ST_OK)
		return st;
	out[size] = '\0';
	*plain_out = (char *)out;
	*len_out = size;
	return ST_OK;
}

int
vault_env_is_packed(const MDB_val *val)
{
	const unsigned char *c = val->mv_data;

	return val->mv_size > ENV_HEAD && c[1] == 2 && c[3] == ENV_PACKED;
}

enum status
vault_env_content(struct vault *v, const MDB_val *val, unsigned char *plain, size_t off,
    size_t *clen, unsigned char **content)
{
	size_t size, want = 4096;
	enum status st;

	*content = plain + off;
	if (!vault_env_is_packed(val))
		return ST_OK;
	st = vault_unpack_size(plain + off, *clen, &size);
	if (st == ST_OK && (v->unpack == NULL || v->unpack_len < size + 1)) {
		while (want < size + 1)
			want *= 2;
		secure_free(v->unpack);
		v->unpack = secure_alloc(want);
		v->unpack_len = v->unpack != NULL ? want : 0;
		v->unpack_used = 0;
		if (v->unpack == NULL)
			st = ST_NOMEM;
	}
	if (st == ST_OK)
		st = vault_unpack(v, plain + off, *clen, v->unpack, size);
	secure_wipe(plain + off, *clen);
	if (st != ST_OK) {
		*content = NULL;
		*clen = 0;
		return st;
	}
	v->unpack[size] = '\0';
	v->unpack_used = size + 1;
	*content = v->unpack;
	*clen = size;
	return ST_OK;
}

/* Stages the content (compressed when the kind is, vault_pack.c), then
 * mdb_put with MDB_RESERVE of the envelope's exact size and seals straight
 * into the reserved space: the envelope is written once, in the map, with
 * no copy. */
static int
staged_put(struct vault *v, MDB_txn *txn, enum kind kind, MDB_val *key, const char *owner,
    struct env_staged *sg, unsigned flags);

int
vault_item_put(struct vault *v, MDB_txn *txn, enum kind kind, MDB_val *key, const char *owner,
    const void *content, size_t clen, unsigned flags)
{
	struct env_staged sg;
	enum status st;

	if ((st = vault_env_stage(v, kind, owner, content, clen, 1, &sg)) != ST_OK)
		return vault_txn_fail(v, st);
	return staged_put(v, txn, kind, key, owner, &sg, flags);
}

/* ---- sealing on another thread --------------------------------------------- */

/* What sealing the unlocked user's own format 2 records and summaries
 * takes, copied for a thread that does only that (vault_pack_ahead): the
 * vault's id, the epoch, the user's public key and the wrapping key S for
 * them, and room for the item key. In secure memory; freed wiped. */
struct sealer {
	unsigned char vid[VAULT_ID_BYTES];
	unsigned char xp[CRYPTO_PK_BYTES];
	unsigned char wrap[CRYPTO_KEY_BYTES];
	unsigned char item[CRYPTO_KEY_BYTES];
	uint32_t epoch;
};

struct sealer *
vault_sealer_new(struct vault *v)
{
	struct sealer *s;

	if (!vault_env2(v, KIND_RECORD) || (s = secure_alloc(sizeof *s)) == NULL)
		return NULL;
	if (vault_s_key(v, v->epoch, v->xp) != ST_OK) {
		secure_free(s);
		return NULL;
	}
	memcpy(s->vid, v->id, VAULT_ID_BYTES);
	memcpy(s->xp, v->xp, CRYPTO_PK_BYTES);
	memcpy(s->wrap, v->kr->wrap, CRYPTO_KEY_BYTES);
	secure_wipe(v->kr->wrap, sizeof v->kr->wrap);
	s->epoch = v->epoch;
	return s;
}

void
vault_sealer_seal(struct sealer *s, enum kind kind, const MDB_val *key, unsigned char flags,
    const unsigned char *plain, size_t plen, unsigned char *out)
{
	seal2(s->vid, kind, key, flags, s->epoch, s->xp, s->wrap, s->item, plain, plen, out);
}

void
vault_sealer_free(struct sealer *s)
{
	secure_free(s);         /* wipes */
}

int
vault_item_put_sealed(struct vault *v, MDB_txn *txn, enum kind kind, MDB_val *key,
    const unsigned char *env, size_t len, unsigned flags)
{
	MDB_val val = { len, NULL };
	int rc = mdb_put(txn, v->dbi[kinds[kind].db], key, &val, flags | MDB_RESERVE);

	if (rc == 0)
		memcpy(val.mv_data, env, len);
	return rc;
}

static int
staged_put(struct vault *v, MDB_txn *txn, enum kind kind, MDB_val *key, const char *owner,
    struct env_staged *sg, unsigned flags)
{
	MDB_val val;
	enum status st;
	int rc;

	val.mv_size = vault_env_staged_size(v, kind, sg);
	val.mv_data = NULL;
	rc = mdb_put(txn, v->dbi[kinds[kind].db], key, &val, flags | MDB_RESERVE);
	if (rc != 0) {
		vault_env_unstage(v, sg);
		return rc;
	}
	st = vault_env_seal_staged(v, kind, key, owner, sg, val.mv_data);
	return st == ST_OK ? 0 : vault_txn_fail(v, st);
}

void
vault_describe(char *out, size_t len, const char *what, const struct record_id *id)
{
	struct case_code code;

	record_id_code(id, &code);
	snprintf(out, len, "%s %s", what, code.s);
}

enum status
vault_fail_open(struct vault *v, enum status st, const char *what)
{
	if (st == ST_NOMEM)
		return vault_fail(v, ST_NOMEM, "out of memory while opening %s", what);
	if (st == ST_FORMAT)
		return vault_fail(v, ST_FORMAT,
		    "%s opened, but its compressed content is not as intake writes it "
		    "(larger than %zu MiB unpacked, or damaged before it was sealed): "
		    "it was not saved by intake; restore it from a backup", what,
		    (size_t)PACK_MAX >> 20);
	return vault_fail(v, ST_TAMPERED,
	    "%s failed its integrity check: it was altered, damaged, or "
	    "copied from another record or vault; restore it from a backup", what);
}

/* Reads and opens the item of `kind` under key in its own read transaction. */
enum status
vault_item_get(struct vault *v, enum kind kind, const MDB_val *key, const char *what,
    char owner[VAULT_USER_MAX + 1], char **out, size_t *len)
{
	MDB_txn *txn;
	MDB_val k = *key, val;
	enum status st;
	int rc;

	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the vault");
	rc = mdb_get(txn, v->dbi[kinds[kind].db], &k, &val);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return vault_fail(v, ST_NOTFOUND, "no %s in this vault", what);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return vault_fail_mdb(v, rc, "reading the vault");
	}
	st = vault_env_open(v, kind, key, &val, owner, out, len);
	mdb_txn_abort(txn);
	if (st == ST_DENIED)
		return vault_fail_denied(v, what);
	if (st != ST_OK)
		return vault_fail_open(v, st, what);
	return ST_OK;
}

int
vault_may_access(const struct vault *v, const char *owner)
{
	return vault_allowed(v, VAULT_RIGHT_READ_ALL) || strcmp(owner, v->user) == 0;
}

/* A debrief is there to be gone through with a trainer. */
int
vault_may_read_debrief(const struct vault *v, const char *owner)
{
	return v->role == ROLE_TRAINER || vault_may_access(v, owner);
}

enum status
vault_fail_denied(struct vault *v, const char *what)
{
	return vault_fail(v, ST_DENIED,
	    "%s belongs to another interviewer: only they or a supervisor "
	    "can open or change it", what);
}

void
vault_plain_free(char *p, size_t len)
{
	/* sodium_free wipes the whole block; len is kept for callers' symmetry. */
	(void)len;
	secure_free(p);
}

enum status
vault_check_content(struct vault *v, const char *p, size_t len, const char *what, int may_be_empty)
{
	if (p == NULL || (len == 0 && !may_be_empty))
		return vault_fail(v, ST_INVALID, "the %s is empty: nothing to save", what);
	if (len > ITEM_MAX)
		return vault_fail(v, ST_INVALID,
		    "the %s is too large (%zu bytes; at most %zu MiB)", what,
		    len, ITEM_MAX >> 20);
	return ST_OK;
}

/* ---- envelopes without a vault, for tests and fuzzing -------------------- */

static struct vault *
test_vault(const unsigned char id[VAULT_ID_BYTES], const unsigned char vk[CRYPTO_KEY_BYTES],
    const char *kind, size_t slotlen, enum kind *k)
{
	struct vault *v;

	*k = 0;
	for (enum kind i = KIND_RECORD; i <= KIND_FORM; i++)
		if (kind != NULL && strcmp(kind, kinds[i].name) == 0)
			*k = i;
	if (*k == 0 || slotlen > KEY_MAX || (v = vault_new()) == NULL)
		return NULL;
	memcpy(v->id, id, VAULT_ID_BYTES);
	memcpy(v->kr->vk, vk, CRYPTO_KEY_BYTES);
	vault_derive_purpose_keys(v->kr);
	return v;
}

enum status
vault_test_envelope_seal(const unsigned char id[VAULT_ID_BYTES], const unsigned char vk[32],
    const char *kind, const void *slot, size_t slotlen, const char *owner,
    const void *content, size_t len, unsigned char **out, size_t *outlen)
{
	MDB_val key = { slotlen, vault_unconst(slot) };
	struct vault *v;
	enum kind k;
	enum status st;

	*out = NULL;
	if (owner == NULL || strlen(owner) > VAULT_USER_MAX || len > ITEM_MAX)
		return ST_INVALID;
	if ((v = test_vault(id, vk, kind, slotlen, &k)) == NULL)
		return ST_INVALID;
	*outlen = vault_env_size(strlen(owner), len);
	*out = malloc(*outlen);
	st = *out == NULL ? ST_NOMEM : vault_env_seal(v, k, &key, owner, content, len, *out);
	vault_close(v);
	return st;
}

enum status
vault_test_envelope_open(const unsigned char id[VAULT_ID_BYTES], const unsigned char vk[32],
    const char *kind, const void *slot, size_t slotlen, const void *env, size_t len,
    char owner[VAULT_USER_MAX + 1], char **plain, size_t *plainlen)
{
	MDB_val key = { slotlen, vault_unconst(slot) }, val = { len, vault_unconst(env) };
	struct vault *v;
	enum kind k;
	enum status st;

	*plain = NULL;
	*plainlen = 0;
	if ((v = test_vault(id, vk, kind, slotlen, &k)) == NULL)
		return ST_INVALID;
	st = vault_env_open(v, k, &key, &val, owner, plain, plainlen);
	vault_close(v);
	return st;
}

struct frame_put_arg {
	const void *frame;
	size_t len;
	struct record_id id;
};

static int
frame_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct frame_put_arg *a = argp;
	MDB_val key = { VAULT_ID_BYTES, a->id.b }, val;
	struct env_staged sg;
	enum status st;
	int rc;

	crypto_random(a->id.b, VAULT_ID_BYTES);
	if ((st = vault_env_stage(v, KIND_RECORD, v->user, a->frame, a->len, 0, &sg)) != ST_OK)
		return vault_txn_fail(v, st);
	sg.flags = ENV_PACKED;
	val.mv_size = vault_env_staged_size(v, KIND_RECORD, &sg);
	val.mv_data = NULL;
	if ((rc = mdb_put(txn, v->dbi[DB_RECORDS], &key, &val, MDB_NOOVERWRITE | MDB_RESERVE)) != 0) {
		vault_env_unstage(v, &sg);
		return rc;
	}
	st = vault_env_seal_staged(v, KIND_RECORD, &key, v->user, &sg, val.mv_data);
	return st == ST_OK ? 0 : vault_txn_fail(v, st);
}

enum status
vault_test_record_put_frame(struct vault *v, const void *frame, size_t len,
    struct record_id *out)
{
	struct frame_put_arg a = { frame, len, { {0} } };
	enum status st;

	if ((st = vault_need_unlocked(v)) != ST_OK)
		return st;
	if (v->format != 2 || len == 0 || len > ITEM_MAX)
		return vault_fail(v, ST_INVALID, "a frame is saved in a format 2 vault only");
	st = vault_write_txn(v, "saving the record", frame_put_txn, &a);
	if (st == ST_OK)
		*out = a.id;
	return st;
}
