/*
 * crypto.h — every cryptographic primitive Intake uses, on libsodium.
 *
 * core/crypto.c is the only file that includes <sodium.h> (`make lint`
 * checks it), so the choice of primitives is visible in one place. Names
 * avoid libsodium's own (crypto_hash, crypto_pwhash) on purpose:
 *  - Argon2id (crypto_pwhash) turns a passphrase into a key;
 *  - XChaCha20-Poly1305-IETF seals payloads and wraps keys, always with
 *    associated data, with a random 24-byte nonce stored in front;
 *  - crypto_kdf (BLAKE2b) derives purpose keys from the vault key;
 *  - BLAKE2b-256 names form sources and chains audit entries;
 *  - X25519 sealed boxes and secretstream carry transfer bundles.
 *
 * Contracts:
 *  - crypto_init() must succeed before any other call (vault_new() calls it);
 *    it is idempotent and also installs the wiping allocator for jansson.
 *  - Keys live in secure_alloc() memory (guard pages, mlock, wiped on free).
 *    Functions here never copy a key or a plaintext to the stack or heap.
 *  - crypto_open() and crypto_unwrap() write nothing usable on failure: the
 *    output is wiped, and the only error is ST_TAMPERED.
 */
#ifndef INTAKE_CRYPTO_H
#define INTAKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#define CRYPTO_KEY_BYTES      32
#define CRYPTO_SALT_BYTES     16
#define CRYPTO_NONCE_BYTES    24
#define CRYPTO_TAG_BYTES      16
#define CRYPTO_HASH_BYTES     32
/* A sealed message is nonce || ciphertext || tag. */
#define CRYPTO_SEAL_OVERHEAD  (CRYPTO_NONCE_BYTES + CRYPTO_TAG_BYTES)
#define CRYPTO_WRAPPED_BYTES  (CRYPTO_KEY_BYTES + CRYPTO_SEAL_OVERHEAD)

/* Argon2id limits accepted anywhere (also bounds what a vault file may ask
 * for, so an edited user entry cannot make unlock hang or exhaust memory). */
#define CRYPTO_PASSKEY_OPS_MIN 1
#define CRYPTO_PASSKEY_OPS_MAX 1000
#define CRYPTO_PASSKEY_MEM_MIN 8          /* MiB */
#define CRYPTO_PASSKEY_MEM_MAX 1024       /* MiB: an old PC must survive an unlock */
/* Ceiling on ops x MiB: whoever can write the users table must not be able
 * to make an unlock run for hours (64 passes over 1 GiB, or 1000 over 64). */
#define CRYPTO_PASSKEY_WORK_MAX (64 * 1024)

/* Subkeys of the vault key, one per use, so that no key ever serves two
 * purposes. The numbers are part of vault format 1: never renumber. */
enum crypto_purpose {
	CRYPTO_PURPOSE_RECORD_WRAP = 1, /* wraps per-record keys */
	CRYPTO_PURPOSE_SUMMARY     = 2,
	CRYPTO_PURPOSE_DRAFT       = 3,
	CRYPTO_PURPOSE_AUDIT       = 4,
	CRYPTO_PURPOSE_HISTORY     = 5,
	CRYPTO_PURPOSE_FORM        = 6,
	CRYPTO_PURPOSE_META        = 7, /* authenticates the vault metadata */
};
#define CRYPTO_PURPOSE_COUNT 7

enum status crypto_init(void);

/* Guarded, locked memory for keys and plaintext. secure_alloc returns NULL
 * when out of memory; secure_free is NULL-safe and wipes before unmapping. */
void *secure_alloc(size_t len);
void secure_free(void *p);
void secure_wipe(void *p, size_t len);
/* Grows the heap buffer *p of *cap bytes, used of them filled, to at least
 * want bytes (a power of two times first, or first when *cap is 0): a new
 * buffer with the used bytes copied, the old one wiped whole and freed.
 * Not realloc, which would leave the old bytes (a record's text) behind.
 * There is a buffer after every 0 (*p NULL is grown whatever want is);
 * -1 with nothing changed when out of memory or want overflows. */
int wiped_grow(char **p, size_t *cap, size_t used, size_t want, size_t first);
/* Constant-time comparison: 1 when the len bytes are equal, else 0. */
int crypto_equal(const void *a, const void *b, size_t len);

void crypto_random(void *buf, size_t len);

/* Argon2id of pass into key[CRYPTO_KEY_BYTES]. ST_INVALID when the limits
 * are outside the CRYPTO_PASSKEY_* range, ST_NOMEM when memory is short. */
enum status crypto_passkey(unsigned char *key, const char *pass, size_t passlen,
    const unsigned char salt[CRYPTO_SALT_BYTES], uint64_t ops, uint64_t mem_mib);
/* Chooses Argon2id ops so that one run at mem_mib takes about target_ms here
 * (never fewer than 3 passes). Costs two runs, together about target_ms. */
enum status crypto_passkey_calibrate(uint64_t mem_mib, unsigned target_ms, uint64_t *ops);

/* Seals m into out[mlen + CRYPTO_SEAL_OVERHEAD] under key, binding ad. */
void crypto_seal(unsigned char *out, const unsigned char *m, size_t mlen,
    const unsigned char *ad, size_t adlen, const unsigned char *key);
/* Opens c (clen bytes) into m[clen - CRYPTO_SEAL_OVERHEAD]. ST_TAMPERED when
 * c is too short, was altered, or ad or key differ. */
enum status crypto_open(unsigned char *m, const unsigned char *c, size_t clen,
    const unsigned char *ad, size_t adlen, const unsigned char *key);
/* Key wrapping: crypto_seal of a CRYPTO_KEY_BYTES key. */
void crypto_wrap(unsigned char out[CRYPTO_WRAPPED_BYTES], const unsigned char *key,
    const unsigned char *ad, size_t adlen, const unsigned char *kek);
enum status crypto_unwrap(unsigned char *key, const unsigned char in[CRYPTO_WRAPPED_BYTES],
    const unsigned char *ad, size_t adlen, const unsigned char *kek);

/* out[CRYPTO_KEY_BYTES] = subkey number `purpose` of key, in context ctx
 * (exactly 8 characters, e.g. "intake01"). */
void crypto_subkey(unsigned char *out, uint64_t purpose, const char ctx[8],
    const unsigned char *key);
/* Shorter subkeys (16..64 bytes), for verifiers. */
void crypto_subkey_len(unsigned char *out, size_t outlen, uint64_t purpose,
    const char ctx[8], const unsigned char *key);

/* BLAKE2b-256, unkeyed and keyed (keylen 16..64). */
void crypto_digest(unsigned char out[CRYPTO_HASH_BYTES], const void *in, size_t len);
void crypto_digest_keyed(unsigned char out[CRYPTO_HASH_BYTES], const void *in, size_t len,
    const unsigned char *key, size_t keylen);
/* Lower-case hex of BLAKE2b-256: 64 characters and a NUL. */
void crypto_digest_hex(char out[2 * CRYPTO_HASH_BYTES + 1], const void *in, size_t len);

/* Hex encoding; hex must hold 2 * len + 1. */
void crypto_bin2hex(char *hex, const unsigned char *bin, size_t len);
/* Decodes exactly binlen bytes from hex (exactly 2 * binlen hex digits, either
 * case); ST_INVALID otherwise. */
enum status crypto_hex2bin(unsigned char *bin, size_t binlen, const char *hex);

/* ---- sealing to a public key (transfer bundles) ----
 * X25519 key pairs. crypto_pk_seal() is libsodium's sealed box: an
 * ephemeral key pair per message, so the sender keeps nothing that could
 * open it again. The secret key is CRYPTO_KEY_BYTES long and lives in
 * secure_alloc() memory; it is wrapped for storage with crypto_wrap(). */
#define CRYPTO_PK_BYTES  32
#define CRYPTO_PK_SEAL_OVERHEAD 48
void crypto_pk_keypair(unsigned char pk[CRYPTO_PK_BYTES], unsigned char *sk);
/* 1 when pk is the public key of sk, else 0 (constant time). */
int crypto_pk_matches(const unsigned char pk[CRYPTO_PK_BYTES],
    const unsigned char *sk);
/* out[mlen + CRYPTO_PK_SEAL_OVERHEAD]. */
void crypto_pk_seal(unsigned char *out, const unsigned char *m, size_t mlen,
    const unsigned char pk[CRYPTO_PK_BYTES]);
/* m[clen - CRYPTO_PK_SEAL_OVERHEAD]; ST_TAMPERED (m wiped) when c was not
 * sealed to this key pair or was altered. */
enum status crypto_pk_open(unsigned char *m, const unsigned char *c, size_t clen,
    const unsigned char pk[CRYPTO_PK_BYTES], const unsigned char *sk);

/* ---- per-user keys of vault format 2 ----
 * Ed25519 signatures (user entries, the group key, audit entries) and the
 * X25519 agreement that wraps item keys. Secret keys live in secure_alloc()
 * memory; the signing secret key is CRYPTO_SIGN_SK_BYTES long. */
#define CRYPTO_SIGN_PK_BYTES 32
#define CRYPTO_SIGN_SK_BYTES 64
#define CRYPTO_SIG_BYTES     64
void crypto_sign_pair(unsigned char pk[CRYPTO_SIGN_PK_BYTES], unsigned char *sk);
/* 1 when pk is the public key of sk, else 0. */
int crypto_sign_matches(const unsigned char pk[CRYPTO_SIGN_PK_BYTES], const unsigned char *sk);
void crypto_sign_make(unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m, size_t mlen,
    const unsigned char *sk);
/* ST_OK when sig is pk's signature of m, else ST_TAMPERED. */
enum status crypto_sign_check(const unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m,
    size_t mlen, const unsigned char pk[CRYPTO_SIGN_PK_BYTES]);
/* out[CRYPTO_KEY_BYTES] = BLAKE2b-256 of label | X25519(sk, peer) | a | b:
 * the key two parties get from one's secret and the other's public key,
 * bound to the two public keys a and b (CRYPTO_PK_BYTES each). ST_TAMPERED
 * (out wiped) when peer is a low-order point. */
enum status crypto_agree(unsigned char *out, const char *label, const unsigned char *sk,
    const unsigned char peer[CRYPTO_PK_BYTES], const unsigned char a[CRYPTO_PK_BYTES],
    const unsigned char b[CRYPTO_PK_BYTES]);

/* ---- chunked streams (secretstream XChaCha20-Poly1305) ----
 * Each chunk is authenticated together with its position in the stream, so
 * a dropped, repeated or reordered chunk fails to open, and the writer marks
 * the last chunk, so a stream cut short is told apart from a complete one.
 * A stream handle holds key material in secure memory: free it with
 * crypto_stream_free() (NULL-safe), also after a failure. */
#define CRYPTO_STREAM_HEADER_BYTES 24
#define CRYPTO_STREAM_ABYTES       17
struct crypto_stream;
/* Starts a stream under key (CRYPTO_KEY_BYTES) and fills its header, which
 * must be stored in front of the chunks. NULL when out of memory. */
struct crypto_stream *crypto_stream_push_init(unsigned char header[CRYPTO_STREAM_HEADER_BYTES],
    const unsigned char *key);
/* c[mlen + CRYPTO_STREAM_ABYTES]; final marks the last chunk. */
void crypto_stream_push(struct crypto_stream *s, unsigned char *c, const unsigned char *m,
    size_t mlen, const unsigned char *ad, size_t adlen, int final);
/* NULL when out of memory or the header is not valid for key. */
struct crypto_stream *crypto_stream_pull_init(const unsigned char header[CRYPTO_STREAM_HEADER_BYTES],
    const unsigned char *key);
/* m[clen - CRYPTO_STREAM_ABYTES]; *final set to whether this was the last
 * chunk. ST_TAMPERED (m wiped) for an altered, reordered or foreign chunk;
 * after a failure the stream must not be used again. */
enum status crypto_stream_pull(struct crypto_stream *s, unsigned char *m, const unsigned char *c,
    size_t clen, const unsigned char *ad, size_t adlen, int *final);
void crypto_stream_free(struct crypto_stream *s);
/* Raw stream throughput on this machine, for benchmarks: pushes and pulls
 * total bytes in chunks of chunk bytes (random key, zero data) and returns
 * MB/s (10^6 bytes per second) of each direction. ST_NOMEM. */
enum status crypto_stream_measure(size_t total, size_t chunk, double *push_mbs, double *pull_mbs);

/* ---- base64 (standard alphabet, padded) for key files ---- */
/* Characters needed for len bytes, NUL included. */
size_t crypto_base64_size(size_t len);
void crypto_bin2base64(char *out, size_t outsize, const unsigned char *bin, size_t len);
/* Decodes exactly binlen bytes from the first b64len characters of b64;
 * ST_INVALID for anything else (other lengths, characters or padding). */
enum status crypto_base642bin(unsigned char *bin, size_t binlen, const char *b64, size_t b64len);

/* Makes jansson wipe every block it frees, so parsed record JSON does not
 * linger in the heap. Blocks are sized with malloc_usable_size(), not a
 * header, so a json_dumps() result released with plain free() stays legal
 * (jansson allocates it with the installed function). Idempotent. */
void crypto_json_wipe_allocator_install(void);

/* An arena for the jansson blocks one thread makes while it handles one
 * record after another (an import's rebuilds): hundreds of small blocks a
 * record, each wiped and freed one by one, were a fifth of the work. While
 * a thread uses an arena, its blocks come from it in turn (from malloc
 * when it is full), freeing one inside it does nothing, and the reset
 * wipes everything used at once. Every JSON value made with the arena in
 * use must be released before the thread stops using it or resets it, and
 * nothing made then may be given to json_dumps' caller's free(). The
 * arena's memory is secure memory (locked, left out of core dumps). */
struct json_arena;
struct json_arena *crypto_json_arena_new(size_t size);
void crypto_json_arena_use(struct json_arena *a);      /* this thread's; NULL: none */
void crypto_json_arena_reset(struct json_arena *a);
void crypto_json_arena_free(struct json_arena *a);

/* ---- signatures (Ed25519) and BLAKE2b-512 for signed transfer bundles ----
 * A signing key is kept as its 32-byte seed (secure memory); the key pair
 * is derived from it for each signature. crypto_sig_verify: ST_OK, or
 * ST_TAMPERED when sig is not pk's signature of m. The digest stream runs
 * BLAKE2b with a 64-byte output and no key over data given in pieces;
 * NULL from new when out of memory; free is NULL-safe. */
#define CRYPTO_SIG_PK_BYTES   32
#define CRYPTO_SIG_SEED_BYTES 32
#define CRYPTO_SIG_BYTES      64
#define CRYPTO_HASH64_BYTES   64
void crypto_sig_keypair(unsigned char pk[CRYPTO_SIG_PK_BYTES], unsigned char *seed);
void crypto_sig_public(unsigned char pk[CRYPTO_SIG_PK_BYTES], const unsigned char *seed);
void crypto_sig_sign(unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m, size_t mlen,
    const unsigned char *seed);
enum status crypto_sig_verify(const unsigned char sig[CRYPTO_SIG_BYTES], const unsigned char *m,
    size_t mlen, const unsigned char pk[CRYPTO_SIG_PK_BYTES]);
struct crypto_hash64;
struct crypto_hash64 *crypto_hash64_new(void);
void crypto_hash64_update(struct crypto_hash64 *h, const void *in, size_t len);
void crypto_hash64_final(struct crypto_hash64 *h, unsigned char out[CRYPTO_HASH64_BYTES]);
void crypto_hash64_free(struct crypto_hash64 *h);

#endif
