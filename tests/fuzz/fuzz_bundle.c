/*
 * fuzz_bundle.c — the content of a transfer bundle. A sealed box is
 * anonymous, so anyone holding an office's public key can make a bundle:
 * its payload is the input most exposed to strangers. Each fuzz input is
 * taken as the payload, sealed properly to a fixed office key (so the
 * fuzzer gets past the cryptography) and imported into a scratch vault.
 * Checks that nothing crashes and that a refused bundle changes nothing.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bundle.h"
#include "crypto.h"
#include "vault.h"

#define PASS "fuzz passphrase 1"
#define HEAD 132

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vault *vault;
static struct bundle_key *key;
static unsigned char pk[CRYPTO_PK_BYTES];
static char bundle_path[4096];
static char scratch[4096];

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* libFuzzer ends with exit(): leave no scratch vault behind. */
static void
cleanup(void)
{
	vault_close(vault);
	bundle_key_free(key);
	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
setup(void)
{
	static const struct vault_kdf fast = { 1, 8 };
	char dir[4096], sub[4200], fp[BUNDLE_FP_LEN], err[512];

	snprintf(dir, sizeof dir, "%s/intake-fuzz-bundle.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(scratch, sizeof scratch, "%s", dir);
	atexit(cleanup);
	snprintf(sub, sizeof sub, "%s/vault", dir);
	vault = vault_new();
	if (vault_create(vault, sub, "office", PASS, strlen(PASS), &fast) != ST_OK)
		abort();
	snprintf(sub, sizeof sub, "%s/office", dir);
	if (bundle_keygen(sub, PASS, strlen(PASS), &fast, fp, err, sizeof err) != ST_OK)
		abort();
	snprintf(sub, sizeof sub, "%s/office.pub", dir);
	if (bundle_pub_load(sub, pk, err, sizeof err) != ST_OK)
		abort();
	snprintf(sub, sizeof sub, "%s/office.key", dir);
	if (bundle_key_open(sub, PASS, strlen(PASS), &key, err, sizeof err) != ST_OK)
		abort();
	if ((size_t)snprintf(bundle_path, sizeof bundle_path, "%s/input.bundle", dir) >=
	    sizeof bundle_path)
		abort();
}

/* Seals data as a bundle payload, following bundle.h. */
static void
write_bundle(const uint8_t *data, size_t size)
{
	unsigned char head[HEAD], k[CRYPTO_KEY_BYTES], h[CRYPTO_HASH_BYTES];
	unsigned char *c = malloc(4 + BUNDLE_CHUNK + CRYPTO_STREAM_ABYTES);
	struct crypto_stream *s;
	FILE *out = fopen(bundle_path, "wb");

	if (c == NULL || out == NULL)
		abort();
	memcpy(head, "INTAKEB1\1\0\0\0", 12);
	crypto_digest(h, pk, sizeof pk);
	memcpy(head + 12, h, 16);
	crypto_random(k, sizeof k);
	crypto_pk_seal(head + 28, k, sizeof k, pk);
	s = crypto_stream_push_init(head + 108, k);
	fwrite(head, 1, sizeof head, out);
	for (size_t o = 0; o == 0 || o < size; o += BUNDLE_CHUNK) {
		size_t m = size - o < BUNDLE_CHUNK ? size - o : BUNDLE_CHUNK;
		size_t cl = m + CRYPTO_STREAM_ABYTES;

		c[0] = (unsigned char)(cl >> 24);
		c[1] = (unsigned char)(cl >> 16);
		c[2] = (unsigned char)(cl >> 8);
		c[3] = (unsigned char)cl;
		crypto_stream_push(s, c + 4, data + o, m, head, sizeof head, o + m >= size);
		fwrite(c, 1, 4 + cl, out);
	}
	fclose(out);
	crypto_stream_free(s);
	free(c);
}

static size_t
count(void)
{
	struct record_id *ids;
	size_t n;

	if (vault_record_list(vault, &ids, &n) != ST_OK)
		abort();
	free(ids);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_result r;
	char err[1024] = "";
	size_t before;
	enum status st;

	if (vault == NULL)
		setup();
	if (size > 4 * BUNDLE_CHUNK)
		return 0;
	write_bundle(data, size);
	before = count();
	st = bundle_import(vault, key, bundle_path, &r, err, sizeof err);
	if (st != ST_OK && (count() != before || err[0] == '\0'))
		abort();
	if (st == ST_OK && count() != before + r.imported)
		abort();
	return 0;
}
