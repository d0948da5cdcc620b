/*
 * test_table_verify.c — `intake verify` opens every entry of the sealed
 * statistics releases and of the trusted sites, and names an entry altered
 * on disk (a release by its period, a site by its name), or a site entry
 * slipped in by someone who edits the files.
 *
 * The attacker's edits go through plain LMDB calls on a closed vault.
 * Small Argon2id limits (1 pass, 8 MiB) keep unlocks fast.
 */
#include "testutil.h"
#include <lmdb.h>
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

#define PASS_A "alice passphrase 1"
#define PLAN "{\"period\":\"quarter\",\"cross\":[]}"
#define Q1 "{\"period\":\"2026-Q1\",\"counts\":[12,7]}"
#define Q2 "{\"period\":\"2026-Q2\",\"counts\":[15,9]}"

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
};


/* A vault with a release plan, two releases and two trusted sites. */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	unsigned char pk1[VAULT_SITE_KEY_BYTES], pk2[VAULT_SITE_KEY_BYTES];

	assert_non_null(f);
	memset(pk1, 0x11, sizeof pk1);
	memset(pk2, 0x22, sizeof pk2);
	f->tmp = tu_tmpdir("tableverify");
	assert_true((size_t)snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp) < sizeof f->dir);
	f->v = vault_new();
	assert_non_null(f->v);
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_ok(f->v, vault_release_put(f->v, "2026-Q1", Q1, strlen(Q1), PLAN, strlen(PLAN)));
	assert_ok(f->v, vault_release_put(f->v, "2026-Q2", Q2, strlen(Q2), NULL, 0));
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

/* With the vault closed, the value under key in table: a copy into *got
 * (when got is not NULL), then, when write, replaced by value, or when
 * value is NULL by the same bytes with a bit of the last (inside the
 * sealed content's tag) flipped. */
static void
table_edit(struct fx *f, const char *table, const void *key, size_t klen, int write,
    const void *value, size_t vlen, unsigned char **got, size_t *glen)
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
	assert_int_equal(mdb_env_open(env, f->dir, write ? 0 : MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, write ? 0 : MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, table, 0, &dbi), 0);
	if (got != NULL || value == NULL) {
		assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
		copy = malloc(d.mv_size);
		assert_non_null(copy);
		memcpy(copy, d.mv_data, d.mv_size);
	}
	if (write) {
		if (value == NULL)
			copy[d.mv_size - 1] ^= 0x01;
		nd.mv_size = value ? vlen : d.mv_size;
		nd.mv_data = value ? (void *)(uintptr_t)value : copy;
		assert_int_equal(mdb_put(txn, dbi, &k, &nd, 0), 0);
		assert_int_equal(mdb_txn_commit(txn), 0);
	} else
		mdb_txn_abort(txn);
	mdb_env_close(env);
	if (got != NULL) {
		*got = copy;
		*glen = d.mv_size;
	} else
		free(copy);
}

static void
flip(struct fx *f, const char *table, const char *key)
{
	table_edit(f, table, key, strlen(key), 1, NULL, 0, NULL, NULL);
}

static enum status
verify(struct fx *f, struct tu_problems *p, struct vault_verify_counts *counts)
{
	enum status st;

	if (f->v == NULL) {
		f->v = vault_new();
		assert_non_null(f->v);
		assert_ok(f->v, vault_open(f->v, f->dir));
	}
	assert_ok(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)));
	memset(p, 0, sizeof *p);
	st = vault_verify(f->v, NULL, tu_problem, p, counts);
	if (st != ST_OK && st != ST_TAMPERED)
		fail_msg("verify: %s", vault_errmsg(f->v));
	return st;
}

/* After an edit: one problem, saying this. */
static void
named(struct fx *f, const char *what)
{
	struct tu_problems p;

	assert_int_equal(verify(f, &p, NULL), ST_TAMPERED);
	assert_int_equal(p.n, 1);
	if (strstr(p.text[0], what) == NULL)
		fail_msg("problem: %s", p.text[0]);
}

static void
clean_tables_pass(void **state)
{
	struct fx *f = *state;
	struct vault_verify_counts counts;
	struct tu_problems p;

	assert_int_equal(verify(f, &p, &counts), ST_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(counts.releases, 3);   /* the plan and two periods */
	assert_int_equal(counts.sites, 2);
}

static void
tampered_release_named_by_period(void **state)
{
	flip(*state, "releases", "2026-Q2");
	named(*state, "release for period 2026-Q2 failed its integrity check");
}

static void
tampered_plan_named(void **state)
{
	flip(*state, "releases", "plan");
	named(*state, "release plan failed its integrity check");
}

static void
altered_site_named(void **state)
{
	flip(*state, "sites", "thouayxay");
	named(*state, "trusted site houayxay failed its integrity check");
}

/* A site of one's own slipped in under another name, its value copied from
 * a genuine entry: sealed for the genuine name, it does not open. */
static void
planted_site_named(void **state)
{
	struct fx *f = *state;
	unsigned char *val;
	size_t len;

	table_edit(f, "sites", "thouayxay", 9, 0, NULL, 0, &val, &len);
	table_edit(f, "sites", "tmallory", 8, 1, val, len, NULL, NULL);
	free(val);
	named(f, "trusted site mallory failed its integrity check");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clean_tables_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_release_named_by_period, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_plan_named, setup, teardown),
		cmocka_unit_test_setup_teardown(altered_site_named, setup, teardown),
		cmocka_unit_test_setup_teardown(planted_site_named, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
