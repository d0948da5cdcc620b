/*
 * crypto.c — libsodium behind the small interface of crypto.h.
 *
 * Everything that touches a key or a plaintext writes only into buffers the
 * caller passes (secure memory in practice); libsodium wipes its own
 * internal state. Failure to authenticate is reported as ST_TAMPERED with the
 * output wiped, so a caller cannot use a half-decrypted buffer by mistake.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>

#include "crypto.h"

static int json_wipe_installed;

enum status
crypto_init(void)
{
	/* sodium_init returns 1 when already initialised: both are fine. */
	if (sodium_init() < 0)
		return ST_INTERNAL;
	crypto_json_wipe_allocator_install();
	return ST_OK;
}

void *
secure_alloc(size_t len)
{
	return sodium_malloc(len);
}

void
secure_free(void *p)
{
	if (p != NULL)
		sodium_free(p);
}

void
secure_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		sodium_memzero(p, len);
}

int
wiped_grow(char **p, size_t *cap, size_t used, size_t want, size_t first)
{
	size_t n = *cap ? *cap : first;
	char *grown;

	if (*p != NULL && want <= *cap)
		return 0;
	while (n < want) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if ((grown = malloc(n)) == NULL)
		return -1;
	if (*p != NULL) {
		memcpy(grown, *p, used);
		sodium_memzero(*p, *cap);
		free(*p);
	}
	*p = grown;
	*cap = n;
	return 0;
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

void
crypto_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

static int
passkey_limits_ok(uint64_t ops, uint64_t mem_mib)
{
	if (ops < CRYPTO_PASSKEY_OPS_MIN || ops > CRYPTO_PASSKEY_OPS_MAX)
		return 0;
	if (mem_mib < CRYPTO_PASSKEY_MEM_MIN || mem_mib > CRYPTO_PASSKEY_MEM_MAX)
		return 0;
	if (ops * mem_mib > CRYPTO_PASSKEY_WORK_MAX)
		return 0;
	/* On 32-bit systems the upper memory limits do not fit a size_t. */
	if (mem_mib > SIZE_MAX / (1024 * 1024) ||
	    mem_mib * 1024 * 1024 > crypto_pwhash_argon2id_MEMLIMIT_MAX)
		return 0;
	return ops <= crypto_pwhash_argon2id_OPSLIMIT_MAX &&
	    ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN;
}

enum status
crypto_passkey(unsigned char *key, const char *pass, size_t passlen,
    const unsigned char salt[CRYPTO_SALT_BYTES], uint64_t ops, uint64_t mem_mib)
{
	if (!passkey_limits_ok(ops, mem_mib))
		return ST_INVALID;
	if (passlen > crypto_pwhash_argon2id_PASSWD_MAX)
		return ST_INVALID;
	if (crypto_pwhash(key, CRYPTO_KEY_BYTES, pass, passlen, salt,
	    (unsigned long long)ops, (size_t)(mem_mib * 1024 * 1024),
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		/* The only run-time failure of Argon2id is allocating its memory. */
		secure_wipe(key, CRYPTO_KEY_BYTES);
		return ST_NOMEM;
	}
	return ST_OK;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* One timed Argon2id run of a fixed dummy input (no secret involved). */
static enum status
time_passkey(unsigned char *key, uint64_t ops, uint64_t mem_mib, double *ms)
{
	static const char probe[] = "intake calibration probe";
	unsigned char salt[CRYPTO_SALT_BYTES] = {0};
	double t0 = now_ms();
	enum status st = crypto_passkey(key, probe, sizeof probe - 1, salt, ops, mem_mib);

	*ms = now_ms() - t0;
	if (*ms < 1.0)
		*ms = 1.0;
	return st;
}

enum status
crypto_passkey_calibrate(uint64_t mem_mib, unsigned target_ms, uint64_t *ops)
{
	const uint64_t base = 3;
	unsigned char *key;
	double t1, t2, want;
	uint64_t probe;
	enum status st;

	key = secure_alloc(CRYPTO_KEY_BYTES);
	if (key == NULL)
		return ST_NOMEM;
	/* A run costs a fixed part (allocating and first touching mem_mib)
	 * plus a part per pass; scaling the ops-3 time alone undershoots. So
	 * scale once, time that too, and fit the line through both runs. */
	st = time_passkey(key, base, mem_mib, &t1);
	if (st != ST_OK)
		goto done;
	want = (double)base * (double)target_ms / t1;
	if (want <= (double)base) {
		*ops = base;
		goto done;
	}
	probe = want > (double)CRYPTO_PASSKEY_OPS_MAX ? CRYPTO_PASSKEY_OPS_MAX : (uint64_t)want;
	if (probe <= base)
		probe = base + 1;
	st = time_passkey(key, probe, mem_mib, &t2);
	if (st != ST_OK)
		goto done;
	if (t2 > t1)
		want = (double)probe + ((double)target_ms - t2) * (double)(probe - base) / (t2 - t1);
	else
		want = (double)probe;
	/* Timing noise can flatten the line; the fixed part is never most of
	 * a run, so more than three times the first estimate is noise. */
	if (want > 3.0 * (double)probe)
		want = 3.0 * (double)probe;
	if (want < (double)base)
		want = (double)base;
	if (want > (double)CRYPTO_PASSKEY_OPS_MAX)
		want = (double)CRYPTO_PASSKEY_OPS_MAX;
	*ops = (uint64_t)(want + 0.5);
done:
	secure_free(key);
	return st;
}

void
crypto_seal(unsigned char *out, const unsigned char *m, size_t mlen,
    const unsigned char *ad, size_t adlen, const unsigned char *key)
{
	unsigned char *nonce = out;

	randombytes_buf(nonce, CRYPTO_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + CRYPTO_NONCE_BYTES, NULL,
	    m, mlen, ad, adlen, NULL, nonce, key);
}

enum status
crypto_open(unsigned char *m, const unsigned char *c, size_t clen,
    const unsigned char *ad, size_t adlen, const unsigned char *key)
{
	if (clen < CRYPTO_SEAL_OVERHEAD)
		return ST_TAMPERED;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL, NULL,
	    c + CRYPTO_NONCE_BYTES, clen - CRYPTO_NONCE_BYTES, ad, adlen, c, key) != 0) {
		secure_wipe(m, clen - CRYPTO_SEAL_OVERHEAD);
		return ST_TAMPERED;
	}
	return ST_OK;
}

void
crypto_wrap(unsigned char out[CRYPTO_WRAPPED_BYTES], const unsigned char *key,
    const unsigned char *ad, size_t adlen, const unsigned char *kek)
{
	crypto_seal(out, key, CRYPTO_KEY_BYTES, ad, adlen, kek);
}

enum status
crypto_unwrap(unsigned char *key, const unsigned char in[CRYPTO_WRAPPED_BYTES],
    const unsigned char *ad, size_t adlen, const unsigned char *kek)
{
	return crypto_open(key, in, CRYPTO_WRAPPED_BYTES, ad, adlen, kek);
}

void
crypto_subkey_len(unsigned char *out, size_t outlen, uint64_t purpose,
    const char ctx[8], const unsigned char *key)
{
	/* Lengths outside crypto_kdf's range are a programming error: fail
	 * closed with a wiped (all-zero) result that authenticates nothing. */
	if (outlen < crypto_kdf_BYTES_MIN || outlen > crypto_kdf_BYTES_MAX ||
	    crypto_kdf_derive_from_key(out, outlen, purpose, ctx, key) != 0)
		secure_wipe(out, outlen);
}

void
crypto_subkey(unsigned char *out, uint64_t purpose, const char ctx[8],
    const unsigned char *key)
{
	crypto_subkey_len(out, CRYPTO_KEY_BYTES, purpose, ctx, key);
}

void
crypto_digest(unsigned char out[CRYPTO_HASH_BYTES], const void *in, size_t len)
{
	crypto_generichash(out, CRYPTO_HASH_BYTES, in, len, NULL, 0);
}

void
crypto_digest_keyed(unsigned char out[CRYPTO_HASH_BYTES], const void *in, size_t len,
    const unsigned char *key, size_t keylen)
{
	if (keylen < crypto_generichash_KEYBYTES_MIN || keylen > crypto_generichash_KEYBYTES_MAX) {
		secure_wipe(out, CRYPTO_HASH_BYTES);
		return;
	}
	crypto_generichash(out, CRYPTO_HASH_BYTES, in, len, key, keylen);
}

void
crypto_digest_hex(char out[2 * CRYPTO_HASH_BYTES + 1], const void *in, size_t len)
{
	unsigned char h[CRYPTO_HASH_BYTES];

	crypto_digest(h, in, len);
	sodium_bin2hex(out, 2 * CRYPTO_HASH_BYTES + 1, h, sizeof h);
}

void
crypto_bin2hex(char *hex, const unsigned char *bin, size_t len)
{
	sodium_bin2hex(hex, 2 * len + 1, bin, len);
}

enum status
crypto_hex2bin(unsigned char *bin, size_t binlen, const char *hex)
{
	size_t got = 0;
	const char *end = NULL;

	if (hex == NULL || strlen(hex) != 2 * binlen)
		return ST_INVALID;
	if (sodium_hex2bin(bin, binlen, hex, 2 * binlen, NULL, &got, &end) != 0 ||
	    got != binlen || end == NULL || *end != '\0')
		return ST_INVALID;
	return ST_OK;
}

/* This thread's arena (crypto_json_arena_use), or NULL. */
struct json_arena {
	unsigned char *base;            /* secure memory */
	size_t cap, used;
};

static _Thread_local struct json_arena *json_arena;

static void *
json_wipe_malloc(size_t len)
{
	struct json_arena *a = json_arena;
	size_t want = (len + 15) & ~(size_t)15;

	if (a != NULL && want >= len && want <= a->cap - a->used) {
		void *p = a->base + a->used;

		a->used += want;
		return p;
	}
	return malloc(len);
}

static void
json_wipe_free(void *p)
{
	struct json_arena *a = json_arena;

	if (p == NULL)
		return;
	if (a != NULL && (unsigned char *)p >= a->base && (unsigned char *)p < a->base + a->cap)
		return;                 /* wiped with the rest at the reset */
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

struct json_arena *
crypto_json_arena_new(size_t size)
{
	struct json_arena *a = calloc(1, sizeof *a);

	if (a == NULL || (a->base = secure_alloc(size)) == NULL) {
		free(a);
		return NULL;
	}
	a->cap = size;
	return a;
}

void
crypto_json_arena_use(struct json_arena *a)
{
	json_arena = a;
}

void
crypto_json_arena_reset(struct json_arena *a)
{
	if (a == NULL)
		return;
	secure_wipe(a->base, a->used);
	a->used = 0;
}

void
crypto_json_arena_free(struct json_arena *a)
{
	if (a == NULL)
		return;
	if (json_arena == a)
		json_arena = NULL;
	secure_free(a->base);           /* wipes */
	free(a);
}

void
crypto_json_wipe_allocator_install(void)
{
	if (json_wipe_installed)
		return;
	json_set_alloc_funcs(json_wipe_malloc, json_wipe_free);
	json_wipe_installed = 1;
}

/* ---- sealing to a public key ------------------------------------------- */

void
crypto_pk_keypair(unsigned char pk[CRYPTO_PK_BYTES], unsigned char *sk)
{
	crypto_box_keypair(pk, sk);
}

int
crypto_pk_matches(const unsigned char pk[CRYPTO_PK_BYTES], const unsigned char *sk)
{
	unsigned char derived[crypto_box_PUBLICKEYBYTES];
	int same;

	if (crypto_scalarmult_base(derived, sk) != 0)
		return 0;
	same = sodium_memcmp(derived, pk, sizeof derived) == 0;
	sodium_memzero(derived, sizeof derived);
	return same;
}

void
crypto_sign_pair(unsigned char pk[CRYPTO_SIGN_PK_BYTES], unsigned char *sk)
{
	crypto_sign_keypair(pk, sk);
}

int
crypto_sign_matches(const unsigned char pk[CRYPTO_SIGN_PK_BYTES], const unsigned char *sk)
{
	/* The seed and the key made from it stay in guarded memory. */
	unsigned char derived[crypto_sign_PUBLICKEYBYTES];
	unsigned char *full = sodium_malloc(crypto_sign_SECRETKEYBYTES + crypto_sign_SEEDBYTES);
	unsigned char *seed = full + crypto_sign_SECRETKEYBYTES;
	int same = 0;

	if (full == NULL)
		return 0;
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	crypto_sign_seed_keypair(derived, full, seed);
	same = sodium_memcmp(derived, pk, sizeof derived) == 0 &&
	    sodium_memcmp(full, sk, crypto_sign_SECRETKEYBYTES) == 0;
	sodium_free(full);
	return same;
}

void
crypto_sign_make(unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m, size_t mlen,
    const unsigned char *sk)
{
	crypto_sign_detached(sig, NULL, m, mlen, sk);
}

enum status
crypto_sign_check(const unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m, size_t mlen,
    const unsigned char pk[CRYPTO_SIGN_PK_BYTES])
{
	return crypto_sign_verify_detached(sig, m, mlen, pk) == 0 ? ST_OK : ST_TAMPERED;
}

enum status
crypto_agree(unsigned char *out, const char *label, const unsigned char *sk,
    const unsigned char peer[CRYPTO_PK_BYTES], const unsigned char a[CRYPTO_PK_BYTES],
    const unsigned char b[CRYPTO_PK_BYTES])
{
	/* The shared secret and the hash state that takes it in stay in
	 * guarded memory. */
	struct agree_mem {
		unsigned char shared[crypto_scalarmult_BYTES];
		crypto_generichash_state st;
	} *m = sodium_malloc(sizeof *m);
	enum status rc = ST_TAMPERED;

	if (m == NULL)
		return ST_NOMEM;
	if (crypto_scalarmult(m->shared, sk, peer) == 0) {
		crypto_generichash_init(&m->st, NULL, 0, CRYPTO_KEY_BYTES);
		crypto_generichash_update(&m->st, (const unsigned char *)label, strlen(label) + 1);
		crypto_generichash_update(&m->st, m->shared, crypto_scalarmult_BYTES);
		crypto_generichash_update(&m->st, a, CRYPTO_PK_BYTES);
		crypto_generichash_update(&m->st, b, CRYPTO_PK_BYTES);
		crypto_generichash_final(&m->st, out, CRYPTO_KEY_BYTES);
		rc = ST_OK;
	} else {
		sodium_memzero(out, CRYPTO_KEY_BYTES);
	}
	sodium_free(m);
	return rc;
}

void
crypto_pk_seal(unsigned char *out, const unsigned char *m, size_t mlen,
    const unsigned char pk[CRYPTO_PK_BYTES])
{
	crypto_box_seal(out, m, mlen, pk);
}

enum status
crypto_pk_open(unsigned char *m, const unsigned char *c, size_t clen,
    const unsigned char pk[CRYPTO_PK_BYTES], const unsigned char *sk)
{
	if (clen < crypto_box_SEALBYTES)
		return ST_TAMPERED;
	if (crypto_box_seal_open(m, c, clen, pk, sk) != 0) {
		sodium_memzero(m, clen - crypto_box_SEALBYTES);
		return ST_TAMPERED;
	}
	return ST_OK;
}

/* ---- chunked streams ------------------------------------------------------ */

struct crypto_stream {
	crypto_secretstream_xchacha20poly1305_state st;
};

_Static_assert(CRYPTO_STREAM_HEADER_BYTES == crypto_secretstream_xchacha20poly1305_HEADERBYTES,
    "stream header size");
_Static_assert(CRYPTO_STREAM_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES,
    "stream chunk overhead");
_Static_assert(CRYPTO_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES,
    "stream key size");
_Static_assert(CRYPTO_KEY_BYTES == crypto_box_SECRETKEYBYTES, "box secret key size");
_Static_assert(CRYPTO_PK_BYTES == crypto_box_PUBLICKEYBYTES, "box public key size");
_Static_assert(CRYPTO_PK_SEAL_OVERHEAD == crypto_box_SEALBYTES, "sealed box overhead");

struct crypto_stream *
crypto_stream_push_init(unsigned char header[CRYPTO_STREAM_HEADER_BYTES], const unsigned char *key)
{
	struct crypto_stream *s = sodium_malloc(sizeof *s);

	if (s == NULL)
		return NULL;
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, header, key);
	return s;
}

void
crypto_stream_push(struct crypto_stream *s, unsigned char *c, const unsigned char *m,
    size_t mlen, const unsigned char *ad, size_t adlen, int final)
{
	crypto_secretstream_xchacha20poly1305_push(&s->st, c, NULL, m, mlen, ad, adlen,
	    final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
	    : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
}

struct crypto_stream *
crypto_stream_pull_init(const unsigned char header[CRYPTO_STREAM_HEADER_BYTES],
    const unsigned char *key)
{
	struct crypto_stream *s = sodium_malloc(sizeof *s);

	if (s == NULL)
		return NULL;
	if (crypto_secretstream_xchacha20poly1305_init_pull(&s->st, header, key) != 0) {
		sodium_free(s);
		return NULL;
	}
	return s;
}

enum status
crypto_stream_pull(struct crypto_stream *s, unsigned char *m, const unsigned char *c,
    size_t clen, const unsigned char *ad, size_t adlen, int *final)
{
	unsigned char tag = 0;

	*final = 0;
	if (clen < CRYPTO_STREAM_ABYTES)
		return ST_TAMPERED;
	if (crypto_secretstream_xchacha20poly1305_pull(&s->st, m, NULL, &tag, c, clen,
	    ad, adlen) != 0) {
		sodium_memzero(m, clen - CRYPTO_STREAM_ABYTES);
		return ST_TAMPERED;
	}
	/* Only the two tags a writer here produces are accepted. */
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
		*final = 1;
	else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
		sodium_memzero(m, clen - CRYPTO_STREAM_ABYTES);
		return ST_TAMPERED;
	}
	return ST_OK;
}

void
crypto_stream_free(struct crypto_stream *s)
{
	if (s != NULL)
		sodium_free(s);
}

enum status
crypto_stream_measure(size_t total, size_t chunk, double *push_mbs, double *pull_mbs)
{
	unsigned char key[CRYPTO_KEY_BYTES], header[CRYPTO_STREAM_HEADER_BYTES];
	unsigned char *m, *c;
	size_t n = chunk > 0 ? (total + chunk - 1) / chunk : 0;
	struct crypto_stream *s = NULL;
	enum status st = ST_NOMEM;
	double t0, secs;
	int final = 0;

	if (chunk == 0 || n == 0)
		return ST_INVALID;
	m = calloc(1, chunk);
	c = malloc(n * (chunk + CRYPTO_STREAM_ABYTES));
	if (m == NULL || c == NULL)
		goto done;
	randombytes_buf(key, sizeof key);
	/* Fault the pages in first: the figure is for the cipher, not mmap. */
	memset(c, 0, n * (chunk + CRYPTO_STREAM_ABYTES));
	if ((s = crypto_stream_push_init(header, key)) == NULL)
		goto done;
	t0 = now_ms();
	for (size_t i = 0; i < n; i++)
		crypto_stream_push(s, c + i * (chunk + CRYPTO_STREAM_ABYTES), m, chunk, NULL, 0,
		    i + 1 == n);
	secs = (now_ms() - t0) / 1e3;
	*push_mbs = (double)(n * chunk) / 1e6 / (secs > 1e-9 ? secs : 1e-9);
	crypto_stream_free(s);
	if ((s = crypto_stream_pull_init(header, key)) == NULL)
		goto done;
	t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		st = crypto_stream_pull(s, m, c + i * (chunk + CRYPTO_STREAM_ABYTES),
		    chunk + CRYPTO_STREAM_ABYTES, NULL, 0, &final);
		if (st != ST_OK)
			goto done;
	}
	secs = (now_ms() - t0) / 1e3;
	*pull_mbs = (double)(n * chunk) / 1e6 / (secs > 1e-9 ? secs : 1e-9);
	st = final ? ST_OK : ST_INTERNAL;
done:
	sodium_memzero(key, sizeof key);
	crypto_stream_free(s);
	free(m);
	free(c);
	return st;
}

/* ---- base64 ---------------------------------------------------------------- */

size_t
crypto_base64_size(size_t len)
{
	return sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
}

void
crypto_bin2base64(char *out, size_t outsize, const unsigned char *bin, size_t len)
{
	sodium_bin2base64(out, outsize, bin, len, sodium_base64_VARIANT_ORIGINAL);
}

enum status
crypto_base642bin(unsigned char *bin, size_t binlen, const char *b64, size_t b64len)
{
	size_t got = 0;
	const char *end = NULL;

	if (b64len != crypto_base64_size(binlen) - 1)
		return ST_INVALID;
	if (sodium_base642bin(bin, binlen, b64, b64len, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got != binlen || end != b64 + b64len)
		return ST_INVALID;
	return ST_OK;
}

/* ---- signatures ---- */

void
crypto_sig_keypair(unsigned char pk[CRYPTO_SIG_PK_BYTES], unsigned char *seed)
{
	randombytes_buf(seed, crypto_sign_SEEDBYTES);
	crypto_sig_public(pk, seed);
}

void
crypto_sig_public(unsigned char pk[CRYPTO_SIG_PK_BYTES], const unsigned char *seed)
{
	unsigned char *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);

	if (sk == NULL) {
		memset(pk, 0, CRYPTO_SIG_PK_BYTES);
		return;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_free(sk);
}

void
crypto_sig_sign(unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m, size_t mlen,
    const unsigned char *seed)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);

	/* Without memory there is no signature: all zeros never verifies. */
	memset(sig, 0, CRYPTO_SIG_BYTES);
	if (sk == NULL)
		return;
	crypto_sign_seed_keypair(pk, sk, seed);
	crypto_sign_detached(sig, NULL, m, mlen, sk);
	sodium_free(sk);
}

enum status
crypto_sig_verify(const unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m, size_t mlen,
    const unsigned char pk[CRYPTO_SIG_PK_BYTES])
{
	return crypto_sign_verify_detached(sig, m, mlen, pk) == 0 ? ST_OK : ST_TAMPERED;
}

struct crypto_hash64 {
	crypto_generichash_state st;
};

struct crypto_hash64 *
crypto_hash64_new(void)
{
	struct crypto_hash64 *h = malloc(sizeof *h);

	if (h != NULL)
		crypto_generichash_init(&h->st, NULL, 0, CRYPTO_HASH64_BYTES);
	return h;
}

void
crypto_hash64_update(struct crypto_hash64 *h, const void *in, size_t len)
{
	crypto_generichash_update(&h->st, in, len);
}

void
crypto_hash64_final(struct crypto_hash64 *h, unsigned char out[CRYPTO_HASH64_BYTES])
{
	crypto_generichash_final(&h->st, out, CRYPTO_HASH64_BYTES);
}

void
crypto_hash64_free(struct crypto_hash64 *h)
{
	free(h);
}
