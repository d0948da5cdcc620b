/*
 * test_sites_verify.c — `intake verify` opens every entry of the trusted
 * sites table and names a site whose entry was altered on disk, or an
 * entry slipped in by someone who edits the files.
 *
 * The attacker's edits go through plain LMDB calls on a closed vault.
 * Small Argon2id limits (1 pass, 8 MiB) keep unlocks fast.
 */
#include "testutil.h"
#include <lmdb.h>
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

#define PASS_A "alice passphrase 1"


struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
};

struct problems {
	char text[8][VAULT_MSG_MAX];
	size_t n;
};

static void
collect(void *ctx, const char *problem)
{
	struct problems *p = ctx;

	if (p->n < 8)
		snprintf(p->text[p->n], sizeof p->text[p->n], "%s", problem);
	p->n++;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	unsigned char pk1[VAULT_SITE_KEY_BYTES], pk2[VAULT_SITE_KEY_BYTES];

	assert_non_null(f);
	memset(pk1, 0x11, sizeof pk1);
	memset(pk2, 0x22, sizeof pk2);
	f->tmp = tu_tmpdir("sitesverify");
	assert_true((size_t)snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp) < sizeof f->dir);
	f->v = vault_new();
	assert_non_null(f->v);
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_ok(f->v, vault_site_trust(f->v, "luang-namtha", pk1, "fingerprint 1"));
	assert_ok(f->v, vault_site_trust(f->v, "houayxay", pk2, "fingerprint 2"));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* With the vault closed: when value is NULL, flips a bit of the last byte
 * (inside the sealed content's tag) of the entry under key; otherwise puts
 * key -> value, as someone adding an entry of their own would. */
static void
edit_sites(struct fx *f, const void *key, size_t klen, const void *value, size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)(uintptr_t)key }, d, nd;
	unsigned char *copy = NULL;

	vault_close(f->v);
	f->v = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "sites", 0, &dbi), 0);
	if (value == NULL) {
		assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
		copy = malloc(d.mv_size);
		assert_non_null(copy);
		memcpy(copy, d.mv_data, d.mv_size);
		copy[d.mv_size - 1] ^= 0x01;
		nd.mv_size = d.mv_size;
		nd.mv_data = copy;
	} else {
		nd.mv_size = vlen;
		nd.mv_data = (void *)(uintptr_t)value;
	}
	assert_int_equal(mdb_put(txn, dbi, &k, &nd, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(copy);
}

/* Copies the sealed value stored under key, for a replay elsewhere. */
static unsigned char *
sites_value(struct fx *f, const void *key, size_t klen, size_t *len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)(uintptr_t)key }, d;
	unsigned char *copy;

	vault_close(f->v);
	f->v = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
	assert_int_equal(mdb_env_open(env, f->dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "sites", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	copy = malloc(d.mv_size);
	assert_non_null(copy);
	memcpy(copy, d.mv_data, d.mv_size);
	*len = d.mv_size;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return copy;
}

static enum status
verify(struct fx *f, struct problems *p, struct vault_verify_counts *counts)
{
	enum status st;

	if (f->v == NULL) {
		f->v = vault_new();
		assert_non_null(f->v);
		assert_ok(f->v, vault_open(f->v, f->dir));
	}
	assert_ok(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)));
	memset(p, 0, sizeof *p);
	st = vault_verify(f->v, NULL, collect, p, counts);
	if (st != ST_OK && st != ST_TAMPERED)
		fail_msg("verify: %s", vault_errmsg(f->v));
	return st;
}

static void
clean_sites_pass(void **state)
{
	struct fx *f = *state;
	struct vault_verify_counts counts;
	struct problems p;

	assert_int_equal(verify(f, &p, &counts), ST_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(counts.sites, 2);
}

static void
altered_site_named(void **state)
{
	struct fx *f = *state;
	struct problems p;

	edit_sites(f, "thouayxay", 9, NULL, 0);
	assert_int_equal(verify(f, &p, NULL), ST_TAMPERED);
	assert_int_equal(p.n, 1);
	if (strstr(p.text[0], "trusted site houayxay failed its integrity check") == NULL)
		fail_msg("problem: %s", p.text[0]);
}

/* A site of one's own slipped in under another name, its value copied from
 * a genuine entry: sealed for the genuine name, it does not open. */
static void
planted_site_named(void **state)
{
	struct fx *f = *state;
	struct problems p;
	unsigned char *val;
	size_t len;

	val = sites_value(f, "thouayxay", 9, &len);
	edit_sites(f, "tmallory", 8, val, len);
	free(val);
	assert_int_equal(verify(f, &p, NULL), ST_TAMPERED);
	assert_int_equal(p.n, 1);
	if (strstr(p.text[0], "trusted site mallory failed its integrity check") == NULL)
		fail_msg("problem: %s", p.text[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clean_sites_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(altered_site_named, setup, teardown),
		cmocka_unit_test_setup_teardown(planted_site_named, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
