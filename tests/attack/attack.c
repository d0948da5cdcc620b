/*
 * attack.c — what someone holding a copy of a vault's files and one user's
 * passphrase can decrypt when they write their own program: libsodium and
 * LMDB only, none of intake's code and so none of its role checks.
 *
 *   attack VAULT USER PASSFILE [OLDVAULT]
 *
 * With OLDVAULT the user's keys come from that older copy of the vault:
 * what a user since removed kept, tried on the files as they are now.
 * It derives the user's passphrase key from their entry, opens their sealed
 * secrets (X25519, Ed25519 and data keys, the common key), and then tries
 * every key it can make from them on every item of every table: the
 * wrapping key of the user's own items, what their secret makes with every
 * other user's public key and the group's, the draft key, the common key
 * and each of its purpose subkeys (format 1's scheme), as the wrapping key
 * or the audit key; a supervisor's copy also uses the group key sealed to
 * them (which shows the program can open what a key allows). Each item that opens is counted as the user's own (its
 * owner, or for the audit trail its writer, is the user) or another's.
 * Output, one line per table:
 *   TABLE own N other N closed N
 * and "unlocked USER" first. Exit status 0, or 2 when the secrets did not
 * open (wrong passphrase, not a format 2 vault), 1 on a usage or I/O error.
 *
 * With --tamper it edits the files instead, as such a user would to get
 * more than they were given, and intake must refuse the result:
 *   attack --tamper role VAULT USER PASSFILE   USER seals their own keys
 *       again under their passphrase, now as a supervisor
 *   attack --tamper pubkey VAULT USER OTHER    OTHER's entry gets USER's
 *       public key, so that items wrapped for OTHER open for USER
 *   attack --tamper group VAULT                the group key is replaced by
 *       one the attacker made (its signature kept)
 *   attack --tamper root VAULT                 the vault's root key is
 *       replaced by one the attacker made
 *   attack --tamper resign VAULT USER PASSFILE OTHER   the first audit entry
 *       OTHER wrote is signed again with USER's key
 *   attack --tamper defer VAULT USER PASSFILE OTHER    a copy of OTHER's last
 *       audit entry is put at the end of the trail marked as signed by its
 *       writer's next entry (flag 2, no signature), then a copy of USER's
 *       first entry signed by USER, and the head signed by USER: every link
 *       and every signature there holds
 *   attack --tamper plant VAULT USER PASSFILE OTHER    the same unsigned entry
 *       of OTHER's alone, and the head over it signed by USER: OTHER's next
 *       entry will sign the link that covers it
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lmdb.h>
#include <sodium.h>

#define ID_BYTES     16
#define KEY          32
#define NONCE        24
#define TAG          16
#define SEAL         (NONCE + TAG)
#define WRAPPED      (KEY + SEAL)
#define USER_MAX     64
/* The user entry of format 2 (offsets from the vault's documentation). */
#define U_ROLE       1
#define U_OPS        4
#define U_MEM        12
#define U_SALT       20
#define U_HEAD       36
#define U_XP         52
#define U_SP         84
#define U_SECRETS    189
#define U_GRANT      453
#define SECRETS      160
/* Item envelopes of format 2. */
#define E_EPOCH      4
#define E_XP         8
#define E_WRAP       40
#define E_SEAL       112
#define DRAFT_TAG    32
#define MAX_KEYS     512

static unsigned char vid[ID_BYTES], root[32], own_xp[32], own_ss[64], own_sp[32];
/* Every group public key of the vault attacked and, with OLDVAULT, of the
 * copy the keys come from. */
static unsigned char gps[256][32];
static size_t ngps;

static void
add_gps(const MDB_val *group)
{
	const unsigned char *p = group->mv_data;
	uint32_t e = group->mv_size >= 4 ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3] : 0;

	for (uint32_t i = 0; i < e && ngps < 256 && 4 + 32 * (size_t)(i + 1) <= group->mv_size; i++)
		memcpy(gps[ngps++], p + 4 + 32 * (size_t)i, 32);
}
static unsigned char keys[MAX_KEYS][KEY];
static size_t nkeys;
static char user[USER_MAX + 1];

static uint64_t
be64(const unsigned char *p)
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static void
add_key(const unsigned char k[KEY])
{
	if (nkeys < MAX_KEYS)
		memcpy(keys[nkeys++], k, KEY);
}

static int
meta(MDB_txn *txn, MDB_dbi dbi, const char *name, MDB_val *out)
{
	MDB_val k = { strlen(name), (void *)(uintptr_t)name };

	return mdb_get(txn, dbi, &k, out);
}

/* BLAKE2b-256 of label (with its NUL) | shared | a | b. */
static void
agree(unsigned char out[KEY], const unsigned char *sk, const unsigned char *peer,
    const unsigned char *a, const unsigned char *b)
{
	static const char label[] = "intake-item-wrap";
	crypto_generichash_state st;
	unsigned char shared[32];

	if (crypto_scalarmult(shared, sk, peer) != 0)
		return;
	crypto_generichash_init(&st, NULL, 0, KEY);
	crypto_generichash_update(&st, (const unsigned char *)label, sizeof label);
	crypto_generichash_update(&st, shared, 32);
	crypto_generichash_update(&st, a, 32);
	crypto_generichash_update(&st, b, 32);
	crypto_generichash_final(&st, out, KEY);
	add_key(out);
}

static int
aead_open(unsigned char *m, const unsigned char *c, size_t clen, const unsigned char *ad,
    size_t adlen, const unsigned char *key)
{
	if (clen < SEAL)
		return -1;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL, NULL, c + NONCE,
	    clen - NONCE, ad, adlen, c, key);
}

/* "intake-item" | the 4 header bytes | vault id | kind NUL | u16 length | key */
static size_t
item_ad(const unsigned char *head, const char *kind, const MDB_val *k, unsigned char *ad)
{
	size_t n = 0, kl = strlen(kind) + 1;

	memcpy(ad, "intake-item", 11);
	n = 11;
	memcpy(ad + n, head, 4);
	n += 4;
	memcpy(ad + n, vid, ID_BYTES);
	n += ID_BYTES;
	memcpy(ad + n, kind, kl);
	n += kl;
	ad[n++] = (unsigned char)(k->mv_size >> 8);
	ad[n++] = (unsigned char)k->mv_size;
	memcpy(ad + n, k->mv_data, k->mv_size);
	return n + k->mv_size;
}

struct tally {
	unsigned own, other, closed;
};

/* Tries every key on one item; 1 own, 2 another's, 0 closed. */
static int
try_item(const char *kind, const MDB_val *k, const MDB_val *d)
{
	const unsigned char *c = d->mv_data;
	unsigned char ad[512], wad[560], item[KEY], *m;
	size_t adlen, wadlen, n = d->mv_size, plen;
	int r = 0;

	if (n < E_SEAL + SEAL + 1 || k->mv_size > 300 || c[0] != 0x49)
		return 0;
	if ((m = malloc(n)) == NULL)
		return 0;
	adlen = item_ad(c, kind, k, ad);
	memcpy(wad, ad, adlen);
	memcpy(wad + adlen, c + E_EPOCH, 36);
	wadlen = adlen + 36;
	if (strcmp(kind, "draft") == 0)
		n -= DRAFT_TAG;
	for (size_t i = 0; i < nkeys && r == 0; i++) {
		/* As format 2 wraps it, and as format 1 would have. */
		if (aead_open(item, c + E_WRAP, WRAPPED, wad, wadlen, keys[i]) == 0) {
			plen = n - E_SEAL - SEAL;
			if (aead_open(m, c + E_SEAL, n - E_SEAL, ad, adlen, item) == 0)
				r = m[0] <= plen - 1 && m[0] == strlen(user) &&
				    memcmp(m + 1, user, m[0]) == 0 ? 1 : 2;
		}
		if (r == 0 && aead_open(item, c + 4, WRAPPED, ad, adlen, keys[i]) == 0 &&
		    aead_open(m, c + 4 + WRAPPED, n - 4 - WRAPPED, ad, adlen, item) == 0)
			r = m[0] == strlen(user) && memcmp(m + 1, user, m[0]) == 0 ? 1 : 2;
	}
	sodium_memzero(item, sizeof item);
	free(m);
	return r;
}

/* An audit entry: header | epoch | xp | wrapped key | sealed entry | the
 * writer's public key and signature (96) | link (32); associated data
 * "intake-audit" | vault id | header | u64 seq (| epoch | xp for the key). */
static int
try_audit(const MDB_val *k, const MDB_val *d)
{
	const unsigned char *c = d->mv_data;
	unsigned char ad[128], sub[KEY], *m;
	size_t n = d->mv_size, adlen = 0;
	int r = 0;

	if (k->mv_size != 8 || n < 4 + 36 + SEAL + 32 || (m = malloc(n)) == NULL)
		return 0;
	memcpy(ad, "intake-audit", 12);
	adlen = 12;
	memcpy(ad + adlen, vid, ID_BYTES);
	adlen += ID_BYTES;
	memcpy(ad + adlen, c, 4);
	adlen += 4;
	memcpy(ad + adlen, k->mv_data, 8);
	adlen += 8;
	memcpy(ad + adlen, c + 4, 36);
	for (size_t i = 0; i < nkeys && r == 0; i++) {
		/* Format 2: the entry key wrapped for the writer and the group. */
		if (n > 4 + 108 + SEAL + 96 + 32 &&
		    aead_open(sub, c + 40, WRAPPED, ad, adlen + 36, keys[i]) == 0 &&
		    aead_open(m, c + 112, n - 112 - 96 - 32, ad, adlen, sub) == 0) {
			r = memcmp(c + 8, own_xp, 32) == 0 ? 1 : 2;
			break;
		}
		/* Format 1's audit key, and a key used directly. */
		crypto_kdf_derive_from_key(sub, KEY, 1, "intkaudt", keys[i]);
		if (aead_open(m, c + 4, n - 4 - 32, ad, adlen, sub) == 0 ||
		    aead_open(m, c + 112, n - 112 - 32, ad, adlen, keys[i]) == 0)
			r = 2;
	}
	sodium_memzero(sub, sizeof sub);
	free(m);
	return r;
}

static int
open_secrets(MDB_txn *txn, MDB_dbi users, const char *pass, size_t passlen)
{
	MDB_val k = { strlen(user), user }, d;
	unsigned char master[KEY], kek[KEY], s[SECRETS], ad[256], key[KEY], gs[KEY];
	const unsigned char *e;
	size_t n = 0, ulen = strlen(user);
	MDB_cursor *cur;
	int has_gs;

	if (mdb_get(txn, users, &k, &d) != 0 || d.mv_size < U_SECRETS + SECRETS + SEAL) {
		fprintf(stderr, "attack: no format 2 entry for %s\n", user);
		return -1;
	}
	e = d.mv_data;
	memcpy(own_xp, e + U_XP, 32);
	if (crypto_pwhash(master, KEY, pass, passlen, e + U_SALT, be64(e + U_OPS),
	    (size_t)be64(e + U_MEM) << 20, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	crypto_kdf_derive_from_key(kek, KEY, 1, "intakepw", master);
	memcpy(ad, "intake-user2", 12);
	n = 12;
	memcpy(ad + n, vid, ID_BYTES);
	n += ID_BYTES;
	memcpy(ad + n, "\0\0\0\2", 4);
	n += 4;
	memcpy(ad + n, e, U_HEAD);
	n += U_HEAD;
	memcpy(ad + n, root, 32);
	n += 32;
	ad[n++] = (unsigned char)ulen;
	memcpy(ad + n, user, ulen);
	n += ulen;
	if (aead_open(s, e + U_SECRETS, SECRETS + SEAL, ad, n, kek) != 0) {
		fprintf(stderr, "attack: the secrets of %s did not open\n", user);
		return -1;
	}
	/* s: xs (32) | ss (64) | D (32) | C (32). */
	for (size_t g = 0; g < ngps; g++)
		agree(key, s, gps[g], own_xp, gps[g]);  /* S(self, every epoch) */
	crypto_kdf_derive_from_key(key, KEY, 1, "intkdraf", s + 96);
	add_key(key);
	add_key(s + 96);
	add_key(s + 128);
	for (uint64_t p = 1; p <= 8; p++) {
		crypto_kdf_derive_from_key(key, KEY, p, "intake01", s + 128);
		add_key(key);
	}
	/* A group member's entry ends with the group key sealed to them. */
	has_gs = d.mv_size == U_GRANT + 4 + KEY + crypto_box_SEALBYTES &&
	    crypto_box_seal_open(gs, e + U_GRANT + 4, KEY + crypto_box_SEALBYTES, own_xp, s) == 0;
	/* The user's secrets against every public key in the users table. */
	if (mdb_cursor_open(txn, users, &cur) == 0) {
		while (mdb_cursor_get(cur, &k, &d, MDB_NEXT) == 0)
			if (d.mv_size > U_XP + 32) {
				const unsigned char *xp = (const unsigned char *)d.mv_data + U_XP;

				for (size_t g = 0; g < ngps; g++) {
					agree(key, s, xp, xp, gps[g]);
					agree(key, s, gps[g], xp, gps[g]);
					if (has_gs)
						agree(key, gs, xp, xp, gps[g]);
				}
			}
		mdb_cursor_close(cur);
	}
	if (has_gs)
		printf("holds the group key\n");
	sodium_memzero(gs, sizeof gs);
	for (size_t g = 0; g < ngps; g++)
		agree(key, s, gps[g], gps[g], gps[g]);
	memcpy(own_ss, s + 32, 64);
	memcpy(own_sp, e + U_SP, 32);
	sodium_memzero(s, sizeof s);
	sodium_memzero(master, sizeof master);
	sodium_memzero(kek, sizeof kek);
	sodium_memzero(key, sizeof key);
	return 0;
}

static int
put(MDB_txn *txn, MDB_dbi dbi, const char *name, const void *data, size_t len)
{
	MDB_val k = { strlen(name), (void *)(uintptr_t)name }, d = { len, (void *)(uintptr_t)data };

	return mdb_put(txn, dbi, &k, &d, 0);
}

/* The passphrase in file path, without its line end: its length, or -1. */
static long
read_pass(const char *path, char pass[1100])
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (f == NULL)
		return -1;
	len = fread(pass, 1, 1099, f);
	fclose(f);
	while (len > 0 && (pass[len - 1] == '\n' || pass[len - 1] == '\r'))
		len--;
	pass[len] = '\0';
	return (long)len;
}

/* Becomes user `who` of the vault in txn with the passphrase in passfile:
 * the vault's id, root and group keys read, the user's secrets opened.
 * 0, 1 on a read error, 2 when the secrets do not open. */
static int
become(MDB_txn *txn, MDB_dbi m, MDB_dbi u, const char *who, const char *passfile)
{
	char pass[1100];
	long passlen = read_pass(passfile, pass);
	MDB_val d;
	int rc;

	if (passlen < 0)
		return 1;
	snprintf(user, sizeof user, "%s", who);
	if (meta(txn, m, "id", &d) != 0 || d.mv_size != ID_BYTES)
		return 1;
	memcpy(vid, d.mv_data, ID_BYTES);
	if (meta(txn, m, "root", &d) != 0 || d.mv_size != 32)
		return 1;
	memcpy(root, d.mv_data, 32);
	if (meta(txn, m, "group", &d) == 0)
		add_gps(&d);
	rc = open_secrets(txn, u, pass, (size_t)passlen) != 0 ? 2 : 0;
	sodium_memzero(pass, sizeof pass);
	return rc;
}

/* Audit entry out[n] at sequence kb (8 bytes, big-endian) after link
 * prev: USER's signature over it when sign is set (the writer's key at
 * its place is what the caller put there), then its link. */
static void
sign_and_link(unsigned char *out, size_t n, const unsigned char kb[8],
    const unsigned char prev[32], int sign)
{
	unsigned char msg[2200];
	size_t at = n - 32 - 96;        /* the writer's public key */

	if (sign) {
		memcpy(msg, "intake-audit-sig", 16);
		memcpy(msg + 16, vid, ID_BYTES);
		memcpy(msg + 32, kb, 8);
		memcpy(msg + 40, prev, 32);
		memcpy(msg + 72, out, 4);
		memcpy(msg + 76, out + 112, at + 32 - 112);
		crypto_sign_detached(out + at + 32, NULL, msg, 76 + at + 32 - 112, own_ss);
	}
	/* link = BLAKE2b(prev | header | sealed | key | signature) */
	memcpy(msg, prev, 32);
	memcpy(msg + 32, out, 4);
	memcpy(msg + 36, out + 112, n - 32 - 112);
	crypto_generichash(out + n - 32, 32, msg, 36 + n - 32 - 112, NULL, 0);
}

static void
be64_put(unsigned char b[8], uint64_t x)
{
	for (int i = 7; i >= 0; i--, x >>= 8)
		b[i] = (unsigned char)x;
}

/* What both forgeries below start with: become WHO, read OTHER's public
 * keys from their user entry, and open the audit trail (*a) and a cursor
 * on it. */
static int
against(MDB_txn *txn, MDB_dbi m, MDB_dbi u, const char *who, const char *passfile,
    const char *other, unsigned char oxp[32], unsigned char osp[32], MDB_dbi *a,
    MDB_cursor **cur)
{
	MDB_val k = { strlen(other), (void *)(uintptr_t)other }, d;
	int rc;

	if ((rc = become(txn, m, u, who, passfile)) != 0)
		return rc;
	if (mdb_get(txn, u, &k, &d) != 0 || d.mv_size < U_SP + 32)
		return 1;
	memcpy(oxp, (const unsigned char *)d.mv_data + U_XP, 32);
	memcpy(osp, (const unsigned char *)d.mv_data + U_SP, 32);
	if (mdb_dbi_open(txn, "audit", 0, a) != 0 || mdb_cursor_open(txn, *a, cur) != 0)
		return 1;
	return 0;
}

/* The first audit entry written by OTHER, signed again with USER's key
 * (and its link made again), as USER would to pass it off as theirs or to
 * change it: verify must name it. */
static int
resign(MDB_txn *txn, MDB_dbi m, MDB_dbi u, const char *who, const char *passfile,
    const char *other)
{
	unsigned char prev[32], buf[2048], oxp[32], osp[32];
	size_t n;
	MDB_val k, d;
	MDB_cursor *cur;
	MDB_dbi a;
	int rc;

	if ((rc = against(txn, m, u, who, passfile, other, oxp, osp, &a, &cur)) != 0)
		return rc;
	memset(prev, 0, sizeof prev);
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *c = d.mv_data;

		n = d.mv_size;
		if (n < 112 + 96 + 32 || n > sizeof buf || memcmp(c + 8, oxp, 32) != 0) {
			memcpy(prev, c + n - 32, 32);
			continue;
		}
		memcpy(buf, c, n);
		memcpy(buf + n - 32 - 96, own_sp, 32);
		sign_and_link(buf, n, k.mv_data, prev, 1);
		d.mv_data = buf;
		rc = mdb_cursor_put(cur, &k, &d, MDB_CURRENT);
		printf("re-signed audit entry %llu\n", (unsigned long long)be64(k.mv_data));
		break;
	}
	mdb_cursor_close(cur);
	sodium_memzero(own_ss, sizeof own_ss);
	return rc;
}

/* Entry c[n], found at sequence `from`, opened with the keys held and
 * sealed again at sequence `to` with header flag `flag` and writer key sp,
 * after link prev: signed with the attacker's key when sign is set, with
 * 64 zero bytes otherwise; its link made into out[n]. 0, or 1 when the
 * entry does not open. */
static int
reseal(const unsigned char *c, size_t n, const void *from, uint64_t to, unsigned char flag,
    const unsigned char sp[32], int sign, const unsigned char prev[32], unsigned char *out)
{
	unsigned char ad[128], nad[128], sub[KEY], m[2048], kb[8];
	size_t at = n - 32 - 96, slen = at - 112, adlen = 0;
	int found = -1;

	if (n < 112 + SEAL + 96 + 32 || n > sizeof m)
		return 1;
	be64_put(kb, to);
	memcpy(ad, "intake-audit", 12);
	memcpy(ad + 12, vid, ID_BYTES);
	memcpy(ad + 28, c, 4);
	memcpy(ad + 32, from, 8);
	memcpy(ad + 40, c + 4, 36);
	adlen = 40;
	for (size_t i = 0; i < nkeys && found < 0; i++)
		if (aead_open(sub, c + 40, WRAPPED, ad, adlen + 36, keys[i]) == 0 &&
		    aead_open(m, c + 112, slen, ad, adlen, sub) == 0)
			found = (int)i;
	if (found < 0)
		return 1;
	memcpy(out, c, n);
	out[2] = flag;
	memcpy(nad, ad, adlen + 36);
	memcpy(nad + 28, out, 4);
	memcpy(nad + 32, kb, 8);
	randombytes_buf(out + 40, NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 40 + NONCE, NULL, sub, KEY, nad,
	    adlen + 36, NULL, out + 40, keys[found]);
	randombytes_buf(out + 112, NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 112 + NONCE, NULL, m, slen - SEAL, nad,
	    adlen, NULL, out + 112, sub);
	memcpy(out + at, sp, 32);
	memset(out + at + 32, 0, 64);
	sign_and_link(out, n, kb, prev, sign);
	sodium_memzero(sub, sizeof sub);
	sodium_memzero(m, sizeof m);
	return 0;
}

/* A supervisor's forgery: an entry OTHER seems to have written, put at the
 * end of the trail with no signature of its own (as an import's records
 * are), then USER's own entry and head, signed by USER, which covers it by
 * its link. No signature of OTHER's covers it: verify must name it. */
static int
forge_deferred(MDB_txn *txn, MDB_dbi m, MDB_dbi u, const char *who, const char *passfile,
    const char *other, int steps)
{
	unsigned char prev[32], osp[32], oxp[32], them[2048], mine[2048], out[2048];
	unsigned char okey[8], mkey[8], head[8 + 32 + 32 + 64], msg[128];
	size_t tn = 0, mn = 0;
	uint64_t last = 0;
	MDB_val k, d;
	MDB_cursor *cur;
	MDB_dbi a;
	int rc;

	if ((rc = against(txn, m, u, who, passfile, other, oxp, osp, &a, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *c = d.mv_data;

		if (k.mv_size != 8 || d.mv_size > sizeof them || d.mv_size < 112 + 96 + 32)
			continue;
		last = be64(k.mv_data);
		memcpy(prev, c + d.mv_size - 32, 32);
		if (memcmp(c + 8, oxp, 32) == 0) {
			memcpy(them, c, d.mv_size);
			memcpy(okey, k.mv_data, 8);
			tn = d.mv_size;
		} else if (memcmp(c + 8, own_xp, 32) == 0 && mn == 0) {
			memcpy(mine, c, d.mv_size);
			memcpy(mkey, k.mv_data, 8);
			mn = d.mv_size;
		}
	}
	mdb_cursor_close(cur);
	if (tn == 0 || mn == 0)
		return 1;
	/* OTHER's entry at last + 1, unsigned; USER's at last + 2, signed. */
	for (int step = 0; step < steps; step++) {
		uint64_t seq = last + 1 + (uint64_t)step;
		unsigned char kb[8];

		if (reseal(step == 0 ? them : mine, step == 0 ? tn : mn, step == 0 ? okey : mkey,
		    seq, step == 0 ? 2 : 0, step == 0 ? osp : own_sp, step, prev, out) != 0)
			return 1;
		be64_put(kb, seq);
		k.mv_size = 8;
		k.mv_data = kb;
		d.mv_size = step == 0 ? tn : mn;
		d.mv_data = out;
		if ((rc = mdb_put(txn, a, &k, &d, 0)) != 0)
			return rc;
		memcpy(prev, out + d.mv_size - 32, 32);
		memcpy(head, kb, 8);
	}
	/* The head: sequence | link | USER's key | USER's signature. */
	memcpy(head + 8, prev, 32);
	memcpy(head + 40, own_sp, 32);
	memcpy(msg, "intake-audit-head", 17);
	memcpy(msg + 17, vid, ID_BYTES);
	memcpy(msg + 33, head, 40);
	crypto_sign_detached(head + 72, NULL, msg, 73, own_ss);
	rc = put(txn, m, "audit_head", head, sizeof head);
	sodium_memzero(own_ss, sizeof own_ss);
	if (rc == 0)
		printf("forged audit entries %llu to %llu\n", (unsigned long long)last + 1,
		    (unsigned long long)last + (unsigned long long)steps);
	return rc;
}

static int
tamper(int argc, char **argv)
{
	const char *what = argv[2];
	unsigned char buf[1024], pk[64], sk[64];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi m, u;
	MDB_val k, d;
	int rc = 1;

	if (mdb_env_create(&env) != 0 || mdb_env_set_maxdbs(env, 64) != 0 ||
	    mdb_env_open(env, argv[3], 0, 0600) != 0 ||
	    mdb_txn_begin(env, NULL, 0, &txn) != 0 ||
	    mdb_dbi_open(txn, "meta", 0, &m) != 0 || mdb_dbi_open(txn, "users", 0, &u) != 0)
		return 1;
	if (strcmp(what, "group") == 0 && meta(txn, m, "group", &d) == 0 &&
	    d.mv_size <= sizeof buf) {
		memcpy(buf, d.mv_data, d.mv_size);
		crypto_box_keypair(buf + 4, sk);
		rc = put(txn, m, "group", buf, d.mv_size);
	} else if (strcmp(what, "root") == 0) {
		crypto_sign_keypair(pk, sk);
		rc = put(txn, m, "root", pk, 32);
	} else if (strcmp(what, "pubkey") == 0 && argc == 6) {
		k.mv_size = strlen(argv[4]);
		k.mv_data = argv[4];
		if (mdb_get(txn, u, &k, &d) == 0 && d.mv_size > U_XP + 32) {
			memcpy(pk, (const unsigned char *)d.mv_data + U_XP, 32);
			k.mv_size = strlen(argv[5]);
			k.mv_data = argv[5];
			if (mdb_get(txn, u, &k, &d) == 0 && d.mv_size <= sizeof buf) {
				memcpy(buf, d.mv_data, d.mv_size);
				memcpy(buf + U_XP, pk, 32);
				rc = put(txn, u, argv[5], buf, d.mv_size);
			}
		}
	} else if (strcmp(what, "role") == 0 && argc == 6) {
		/* Opens the user's secrets and seals them again as a supervisor's. */
		char pass[1100];
		long passlen = read_pass(argv[5], pass);
		size_t n = 0, ulen = strlen(argv[4]);
		unsigned char master[KEY], kek[KEY], s[SECRETS], ad[256], root_[32];

		if (passlen < 0)
			return 1;
		k.mv_size = ulen;
		k.mv_data = argv[4];
		if (meta(txn, m, "id", &d) != 0 || d.mv_size != ID_BYTES)
			return 1;
		memcpy(vid, d.mv_data, ID_BYTES);
		if (meta(txn, m, "root", &d) != 0 || d.mv_size != 32)
			return 1;
		memcpy(root_, d.mv_data, 32);
		if (mdb_get(txn, u, &k, &d) != 0 || d.mv_size > sizeof buf)
			return 1;
		memcpy(buf, d.mv_data, d.mv_size);
		if (crypto_pwhash(master, KEY, pass, (unsigned long long)passlen, buf + U_SALT, be64(buf + U_OPS),
		    (size_t)be64(buf + U_MEM) << 20, crypto_pwhash_ALG_ARGON2ID13) != 0)
			return 1;
		crypto_kdf_derive_from_key(kek, KEY, 1, "intakepw", master);
		for (int pass_no = 0; pass_no < 2; pass_no++) {
			n = 0;
			memcpy(ad, "intake-user2", 12);
			n = 12;
			memcpy(ad + n, vid, ID_BYTES);
			n += ID_BYTES;
			memcpy(ad + n, "\0\0\0\2", 4);
			n += 4;
			memcpy(ad + n, buf, U_HEAD);
			n += U_HEAD;
			memcpy(ad + n, root_, 32);
			n += 32;
			ad[n++] = (unsigned char)ulen;
			memcpy(ad + n, argv[4], ulen);
			n += ulen;
			if (pass_no == 0) {
				if (aead_open(s, buf + U_SECRETS, SECRETS + SEAL, ad, n, kek) != 0)
					return 2;
				buf[U_ROLE] = 0;        /* supervisor */
			} else {
				randombytes_buf(buf + U_SECRETS, NONCE);
				crypto_aead_xchacha20poly1305_ietf_encrypt(buf + U_SECRETS + NONCE,
				    NULL, s, SECRETS, ad, n, NULL, buf + U_SECRETS, kek);
			}
		}
		rc = put(txn, u, argv[4], buf, d.mv_size);
	} else if (strcmp(what, "resign") == 0 && argc == 7) {
		rc = resign(txn, m, u, argv[4], argv[5], argv[6]);
	} else if ((strcmp(what, "defer") == 0 || strcmp(what, "plant") == 0) && argc == 7) {
		rc = forge_deferred(txn, m, u, argv[4], argv[5], argv[6],
		    strcmp(what, "defer") == 0 ? 2 : 1);
	} else {
		fprintf(stderr, "attack: unknown tampering %s\n", what);
	}
	if (rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	mdb_env_close(env);
	if (rc == 0)
		printf("tampered %s\n", what);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *db, *kind;
	} tables[] = {
		{ "records", "record" }, { "summaries", "summary" }, { "history", "history" },
		{ "listing", "listing" }, { "drafts", "draft" }, { "debriefs", "debrief" },
		{ "audit", NULL },
	};
	char pass[1100];
	long passlen;
	MDB_env *env, *oenv = NULL;
	MDB_txn *txn, *otxn;
	MDB_dbi m, u, om, ou;
	MDB_val d;

	if (argc >= 4 && strcmp(argv[1], "--tamper") == 0)
		return sodium_init() < 0 ? 1 : tamper(argc, argv);
	if ((argc != 4 && argc != 5) || strlen(argv[2]) > USER_MAX) {
		fprintf(stderr, "usage: attack VAULT USER PASSFILE [OLDVAULT]\n");
		return 1;
	}
	snprintf(user, sizeof user, "%s", argv[2]);
	if (sodium_init() < 0 || (passlen = read_pass(argv[3], pass)) < 0)
		return 1;
	if (mdb_env_create(&env) != 0 || mdb_env_set_maxdbs(env, 64) != 0 ||
	    mdb_env_set_mapsize(env, (size_t)1 << 32) != 0 ||
	    mdb_env_open(env, argv[1], MDB_RDONLY | MDB_NOLOCK, 0) != 0 ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0 ||
	    mdb_dbi_open(txn, "meta", 0, &m) != 0 || mdb_dbi_open(txn, "users", 0, &u) != 0) {
		fprintf(stderr, "attack: cannot read %s\n", argv[1]);
		return 1;
	}
	if (meta(txn, m, "group", &d) == 0)
		add_gps(&d);
	/* The keys: from this vault, or from an older copy of it (a user since
	 * removed kept theirs). */
	if (argc == 5) {
		if (mdb_env_create(&oenv) != 0 || mdb_env_set_maxdbs(oenv, 64) != 0 ||
		    mdb_env_open(oenv, argv[4], MDB_RDONLY | MDB_NOLOCK, 0) != 0 ||
		    mdb_txn_begin(oenv, NULL, MDB_RDONLY, &otxn) != 0 ||
		    mdb_dbi_open(otxn, "meta", 0, &om) != 0 ||
		    mdb_dbi_open(otxn, "users", 0, &ou) != 0) {
			fprintf(stderr, "attack: cannot read %s\n", argv[4]);
			return 1;
		}
	} else {
		otxn = txn;
		om = m;
		ou = u;
	}
	if (meta(otxn, om, "id", &d) != 0 || d.mv_size != ID_BYTES)
		return 2;
	memcpy(vid, d.mv_data, ID_BYTES);
	if (meta(otxn, om, "root", &d) != 0 || d.mv_size != 32) {
		fprintf(stderr, "attack: not a format 2 vault\n");
		return 2;
	}
	memcpy(root, d.mv_data, 32);
	if (meta(otxn, om, "group", &d) != 0 || d.mv_size < 36)
		return 2;
	if (otxn != txn)
		add_gps(&d);
	if (open_secrets(otxn, ou, pass, (size_t)passlen) != 0)
		return 2;
	if (otxn != txn) {
		mdb_txn_abort(otxn);
		mdb_env_close(oenv);
	}
	sodium_memzero(pass, sizeof pass);
	printf("unlocked %s\n", user);
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		struct tally y = { 0, 0, 0 };
		MDB_cursor *cur;
		MDB_dbi dbi;
		MDB_val k;

		if (mdb_dbi_open(txn, tables[t].db, 0, &dbi) == 0 &&
		    mdb_cursor_open(txn, dbi, &cur) == 0) {
			while (mdb_cursor_get(cur, &k, &d, MDB_NEXT) == 0) {
				int r = tables[t].kind ? try_item(tables[t].kind, &k, &d) :
				    try_audit(&k, &d);

				if (r == 1)
					y.own++;
				else if (r == 2)
					y.other++;
				else
					y.closed++;
			}
			mdb_cursor_close(cur);
		}
		printf("%s own %u other %u closed %u\n", tables[t].db, y.own, y.other, y.closed);
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
	sodium_memzero(keys, sizeof keys);
	return 0;
}
