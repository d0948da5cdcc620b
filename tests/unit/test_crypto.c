/*
 * test_crypto.c — the primitives under the vault: what must open opens, and
 * anything altered, truncated or moved fails as ST_TAMPERED.
 */
#include "testutil.h"
#include <jansson.h>
#include "crypto.h"

static const unsigned char ad1[] = "vault-a|record|0001";
static const unsigned char ad2[] = "vault-a|record|0002";

static void
fill_key(unsigned char *k, unsigned char seed)
{
	for (size_t i = 0; i < CRYPTO_KEY_BYTES; i++)
		k[i] = (unsigned char)(seed + 7 * i);
}

static int
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
init_is_idempotent(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), ST_OK);
	assert_int_equal(crypto_init(), ST_OK);
}

static void
seal_open_round_trip(void **state)
{
	static const char msg[] = "respondent said: passport kept by the employer";
	unsigned char key[CRYPTO_KEY_BYTES], c[sizeof msg + CRYPTO_SEAL_OVERHEAD];
	unsigned char c2[sizeof c], m[sizeof msg];

	(void)state;
	fill_key(key, 1);
	crypto_seal(c, (const unsigned char *)msg, sizeof msg, ad1, sizeof ad1, key);
	assert_int_equal(crypto_open(m, c, sizeof c, ad1, sizeof ad1, key), ST_OK);
	assert_memory_equal(m, msg, sizeof msg);
	/* The plaintext does not appear in the ciphertext. */
	assert_null(memmem(c, sizeof c, "passport", 8));
	/* Random nonces: sealing twice never gives the same bytes. */
	crypto_seal(c2, (const unsigned char *)msg, sizeof msg, ad1, sizeof ad1, key);
	assert_memory_not_equal(c, c2, sizeof c);
}

static void
open_refuses_any_change(void **state)
{
	static const char msg[] = "{\"q1\":\"yes\"}";
	unsigned char key[CRYPTO_KEY_BYTES], other[CRYPTO_KEY_BYTES];
	unsigned char c[sizeof msg + CRYPTO_SEAL_OVERHEAD], m[sizeof msg];

	(void)state;
	fill_key(key, 1);
	fill_key(other, 2);
	crypto_seal(c, (const unsigned char *)msg, sizeof msg, ad1, sizeof ad1, key);
	for (size_t i = 0; i < sizeof c; i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			c[i] ^= (unsigned char)(1u << bit);
			memset(m, 0xAA, sizeof m);
			assert_int_equal(crypto_open(m, c, sizeof c, ad1, sizeof ad1, key), ST_TAMPERED);
			/* Nothing half-decrypted is left for a careless caller. */
			assert_true(all_zero(m, sizeof m));
			c[i] ^= (unsigned char)(1u << bit);
		}
	}
	for (size_t len = 0; len < sizeof c; len++)
		assert_int_equal(crypto_open(m, c, len, ad1, sizeof ad1, key), ST_TAMPERED);
	assert_int_equal(crypto_open(m, c, sizeof c, ad2, sizeof ad2, key), ST_TAMPERED);
	assert_int_equal(crypto_open(m, c, sizeof c, ad1, sizeof ad1 - 1, key), ST_TAMPERED);
	assert_int_equal(crypto_open(m, c, sizeof c, ad1, sizeof ad1, other), ST_TAMPERED);
	assert_int_equal(crypto_open(m, c, sizeof c, ad1, sizeof ad1, key), ST_OK);
}

static void
wrap_unwrap(void **state)
{
	unsigned char kek[CRYPTO_KEY_BYTES], key[CRYPTO_KEY_BYTES], out[CRYPTO_KEY_BYTES];
	unsigned char w[CRYPTO_WRAPPED_BYTES];

	(void)state;
	fill_key(kek, 3);
	crypto_random(key, sizeof key);
	crypto_wrap(w, key, ad1, sizeof ad1, kek);
	assert_null(memmem(w, sizeof w, key, sizeof key));
	assert_int_equal(crypto_unwrap(out, w, ad1, sizeof ad1, kek), ST_OK);
	assert_memory_equal(out, key, sizeof key);
	assert_int_equal(crypto_unwrap(out, w, ad2, sizeof ad2, kek), ST_TAMPERED);
	assert_true(all_zero(out, sizeof out));
	w[CRYPTO_NONCE_BYTES + 3] ^= 0x10;
	assert_int_equal(crypto_unwrap(out, w, ad1, sizeof ad1, kek), ST_TAMPERED);
}

static void
passkey_depends_on_every_input(void **state)
{
	unsigned char salt[CRYPTO_SALT_BYTES] = "0123456789abcde";
	unsigned char salt2[CRYPTO_SALT_BYTES] = "0123456789abcdf";
	unsigned char a[CRYPTO_KEY_BYTES], b[CRYPTO_KEY_BYTES];
	static const char pass[] = "mango river forty two";

	(void)state;
	assert_int_equal(crypto_passkey(a, pass, strlen(pass), salt, 1, 8), ST_OK);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt, 1, 8), ST_OK);
	assert_memory_equal(a, b, sizeof a);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt2, 1, 8), ST_OK);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass) - 1, salt, 1, 8), ST_OK);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt, 2, 8), ST_OK);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt, 1, 9), ST_OK);
	assert_memory_not_equal(a, b, sizeof a);
	/* Limits outside the accepted range are refused, not clamped. */
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt, 0, 8), ST_INVALID);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt, 1, 7), ST_INVALID);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt, CRYPTO_PASSKEY_OPS_MAX + 1, 8),
	    ST_INVALID);
	assert_int_equal(crypto_passkey(b, pass, strlen(pass), salt, 1, CRYPTO_PASSKEY_MEM_MAX + 1),
	    ST_INVALID);
}

static void
calibration_gives_at_least_three_passes(void **state)
{
	uint64_t ops = 0;

	(void)state;
	/* A 1 ms target is unreachable: the floor of 3 passes must hold. */
	assert_int_equal(crypto_passkey_calibrate(8, 1, &ops), ST_OK);
	assert_int_equal(ops, 3);
	assert_int_equal(crypto_passkey_calibrate(8, 200, &ops), ST_OK);
	assert_true(ops >= 3 && ops <= CRYPTO_PASSKEY_OPS_MAX);
	assert_int_equal(crypto_passkey_calibrate(7, 200, &ops), ST_INVALID);
}

static void
subkeys_are_separate(void **state)
{
	unsigned char vk[CRYPTO_KEY_BYTES], a[CRYPTO_KEY_BYTES], b[CRYPTO_KEY_BYTES];
	unsigned char v16[16];

	(void)state;
	fill_key(vk, 9);
	crypto_subkey(a, CRYPTO_PURPOSE_RECORD_WRAP, "intake01", vk);
	crypto_subkey(b, CRYPTO_PURPOSE_RECORD_WRAP, "intake01", vk);
	assert_memory_equal(a, b, sizeof a);
	assert_memory_not_equal(a, vk, sizeof a);
	for (int p = CRYPTO_PURPOSE_SUMMARY; p <= CRYPTO_PURPOSE_COUNT; p++) {
		crypto_subkey(b, (uint64_t)p, "intake01", vk);
		assert_memory_not_equal(a, b, sizeof a);
	}
	crypto_subkey(b, CRYPTO_PURPOSE_RECORD_WRAP, "intake02", vk);
	assert_memory_not_equal(a, b, sizeof a);
	crypto_subkey_len(v16, sizeof v16, 2, "intakepw", vk);
	assert_false(all_zero(v16, sizeof v16));
}

static void
digest_known_answers(void **state)
{
	char hex[2 * CRYPTO_HASH_BYTES + 1];
	unsigned char h[CRYPTO_HASH_BYTES], k1[CRYPTO_HASH_BYTES], k2[CRYPTO_HASH_BYTES];
	unsigned char key[32];

	(void)state;
	/* BLAKE2b-256 test values (RFC 7693 parameters, 32-byte output). */
	crypto_digest_hex(hex, "", 0);
	assert_string_equal(hex, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	crypto_digest_hex(hex, "abc", 3);
	assert_string_equal(hex, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	crypto_digest(h, "abc", 3);
	fill_key(key, 4);
	crypto_digest_keyed(k1, "abc", 3, key, sizeof key);
	assert_memory_not_equal(h, k1, sizeof h);
	key[0] ^= 1;
	crypto_digest_keyed(k2, "abc", 3, key, sizeof key);
	assert_memory_not_equal(k1, k2, sizeof k1);
}

static void
hex_round_trip_and_errors(void **state)
{
	unsigned char bin[4] = { 0x00, 0xAB, 0x7F, 0xFF }, back[4];
	char hex[9];

	(void)state;
	crypto_bin2hex(hex, bin, sizeof bin);
	assert_string_equal(hex, "00ab7fff");
	assert_int_equal(crypto_hex2bin(back, sizeof back, hex), ST_OK);
	assert_memory_equal(back, bin, sizeof bin);
	assert_int_equal(crypto_hex2bin(back, sizeof back, "00AB7FFF"), ST_OK);
	assert_memory_equal(back, bin, sizeof bin);
	assert_int_equal(crypto_hex2bin(back, sizeof back, "00ab7ff"), ST_INVALID);
	assert_int_equal(crypto_hex2bin(back, sizeof back, "00ab7fff0"), ST_INVALID);
	assert_int_equal(crypto_hex2bin(back, sizeof back, "00ab7fgf"), ST_INVALID);
	assert_int_equal(crypto_hex2bin(back, sizeof back, "00ab 7ff"), ST_INVALID);
	assert_int_equal(crypto_hex2bin(back, sizeof back, NULL), ST_INVALID);
}

static void
equal_and_secure_memory(void **state)
{
	unsigned char *p = secure_alloc(64);

	(void)state;
	assert_non_null(p);
	memset(p, 0x5A, 64);
	assert_true(crypto_equal(p, p + 32, 32));
	p[40] ^= 1;
	assert_false(crypto_equal(p, p + 32, 32));
	secure_wipe(p, 64);
	assert_true(all_zero(p, 64));
	secure_free(p);
	secure_free(NULL);
}

static void
json_allocator_is_installed_and_compatible(void **state)
{
	json_malloc_t mf = NULL;
	json_free_t ff = NULL;
	json_error_t err;
	json_t *j;
	char *dumped;

	(void)state;
	assert_int_equal(crypto_init(), ST_OK);
	json_get_alloc_funcs(&mf, &ff);
	assert_true(mf != malloc);
	assert_true(ff != free);
	j = json_loads("{\"name\":\"Noy\",\"age\":19,\"answers\":[1,2,3]}", 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Noy");
	dumped = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(dumped);
	assert_string_equal(dumped, "{\"age\":19,\"answers\":[1,2,3],\"name\":\"Noy\"}");
	/* Plain free() of jansson's output must stay legal (no size header). */
	free(dumped);
	json_decref(j);
	/* Blocks from plain malloc may reach the wiping free too. */
	ff(malloc(10));
	ff(NULL);
}

/* A thread's arena gives jansson its blocks, frees in it cost nothing,
 * a value too large for it comes from malloc and is freed there, and a
 * reset wipes what was used. */
static void
json_arena_serves_and_wipes(void **state)
{
	struct json_arena *a = crypto_json_arena_new(4096);
	json_malloc_t mf = NULL;
	json_free_t ff = NULL;
	char big[6000];
	unsigned char *first;
	json_t *j, *k;

	(void)state;
	assert_non_null(a);
	json_get_alloc_funcs(&mf, &ff);
	crypto_json_arena_use(a);
	first = mf(16);
	assert_non_null(first);
	assert_ptr_equal((unsigned char *)mf(16), first + 16);
	memcpy(first, "arena-canary-42", 16);
	ff(first);                      /* inside: nothing happens */
	assert_memory_equal(first, "arena-canary-42", 16);
	j = json_loads("{\"name\":\"Noy\",\"answers\":[1,2,3]}", 0, NULL);
	assert_non_null(j);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	k = json_string(big);           /* more than the arena holds: malloc */
	assert_non_null(k);
	assert_int_equal(strlen(json_string_value(k)), sizeof big - 1);
	json_decref(k);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Noy");
	json_decref(j);
	crypto_json_arena_reset(a);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(first[i], 0);
	assert_ptr_equal(mf(16), first);        /* used again from the start */
	crypto_json_arena_reset(a);
	crypto_json_arena_use(NULL);
	ff(malloc(10));                 /* outside any arena: wiped and freed */
	crypto_json_arena_free(a);
}

/* A buffer grown wiped: from nothing to its first size, doubling, its
 * used bytes kept, left alone when large enough, and unchanged when the
 * size asked for cannot be had. */
static void
wiped_grow_keeps_what_is_used(void **state)
{
	char *p = NULL, *was;
	size_t cap = 0;

	(void)state;
	assert_int_equal(wiped_grow(&p, &cap, 0, 0, 16), 0);
	assert_non_null(p);
	assert_int_equal(cap, 16);
	memcpy(p, "0123456789", 10);
	was = p;
	assert_int_equal(wiped_grow(&p, &cap, 10, 16, 16), 0);
	assert_ptr_equal(p, was);
	assert_int_equal(wiped_grow(&p, &cap, 10, 100, 16), 0);
	assert_int_equal(cap, 128);
	assert_memory_equal(p, "0123456789", 10);
	was = p;
	assert_int_equal(wiped_grow(&p, &cap, 10, SIZE_MAX, 16), -1);
	assert_ptr_equal(p, was);
	assert_int_equal(cap, 128);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_is_idempotent),
		cmocka_unit_test(seal_open_round_trip),
		cmocka_unit_test(open_refuses_any_change),
		cmocka_unit_test(wrap_unwrap),
		cmocka_unit_test(passkey_depends_on_every_input),
		cmocka_unit_test(calibration_gives_at_least_three_passes),
		cmocka_unit_test(subkeys_are_separate),
		cmocka_unit_test(digest_known_answers),
		cmocka_unit_test(hex_round_trip_and_errors),
		cmocka_unit_test(equal_and_secure_memory),
		cmocka_unit_test(json_allocator_is_installed_and_compatible),
		cmocka_unit_test(json_arena_serves_and_wipes),
		cmocka_unit_test(wiped_grow_keeps_what_is_used),
	};

	if (crypto_init() != ST_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
