/*
 * fuzz_bundle.c — the content of a transfer bundle. Only a trusted site's
 * signature lets a payload in, but a site's vault or key can be taken:
 * its payload is still the input most exposed to strangers. Each fuzz
 * input is taken as the payload, sealed properly to a fixed office key
 * and signed by a trusted site (so the fuzzer gets past the cryptography
 * and the numbering) and imported into a scratch vault. Checks that
 * nothing crashes and that a refused bundle changes nothing.
 */
#include <fcntl.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vault *vault;
static struct bundle_key *key;
static struct bundle_site *site;
static unsigned long long seq;
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
	bundle_site_free(site);
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
	snprintf(sub, sizeof sub, "%s/site", dir);
	if (bundle_site_keygen(sub, PASS, strlen(PASS), &fast, fp, err, sizeof err) != ST_OK)
		abort();
	snprintf(sub, sizeof sub, "%s/site.key", dir);
	if (bundle_site_open(sub, PASS, strlen(PASS), &site, err, sizeof err) != ST_OK)
		abort();
	snprintf(sub, sizeof sub, "%s/site.pub", dir);
	if (bundle_trust(vault, "fuzz-site", sub, fp, err, sizeof err) != ST_OK)
		abort();
	if ((size_t)snprintf(bundle_path, sizeof bundle_path, "%s/input.bundle", dir) >=
	    sizeof bundle_path)
		abort();
}

/* Seals and signs data as a bundle payload, numbered after every earlier
 * one and needing none of them. */
static void
write_bundle(const uint8_t *data, size_t size)
{
	int fd = open(bundle_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || bundle_test_seal(site, pk, ++seq, 0, data, size, fd) != ST_OK)
		abort();
	close(fd);
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
	if (st == ST_OK && count() != before + r.imported - r.deleted)
		abort();
	return 0;
}
