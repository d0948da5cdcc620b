/*
 * test_release_verify.c — `intake verify` opens every sealed statistics
 * release and names, by its period, one that was altered on disk.
 *
 * The attacker's edit goes through plain LMDB calls on a closed vault.
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

struct problems {
	char text[16][VAULT_MSG_MAX];
	size_t n;
};

static void
collect(void *ctx, const char *problem)
{
	struct problems *p = ctx;

	if (p->n < 16)
		snprintf(p->text[p->n], sizeof p->text[p->n], "%s", problem);
	p->n++;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->tmp = tu_tmpdir("relverify");
	assert_true((size_t)snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp) < sizeof f->dir);
	f->v = vault_new();
	assert_non_null(f->v);
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_ok(f->v, vault_release_put(f->v, "2026-Q1", Q1, strlen(Q1), PLAN, strlen(PLAN)));
	assert_ok(f->v, vault_release_put(f->v, "2026-Q2", Q2, strlen(Q2), NULL, 0));
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

/* Flips one bit of the last byte (inside the sealed content's tag) of the
 * value stored under name in the releases table, with the vault closed. */
static void
flip_release(struct fx *f, const char *name)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(name), (void *)(uintptr_t)name }, d, nd;
	unsigned char *copy;

	vault_close(f->v);
	f->v = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "releases", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	copy = malloc(d.mv_size);
	assert_non_null(copy);
	memcpy(copy, d.mv_data, d.mv_size);
	copy[d.mv_size - 1] ^= 0x01;
	nd.mv_size = d.mv_size;
	nd.mv_data = copy;
	assert_int_equal(mdb_put(txn, dbi, &k, &nd, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(copy);
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
clean_releases_pass(void **state)
{
	struct fx *f = *state;
	struct vault_verify_counts counts;
	struct problems p;

	assert_int_equal(verify(f, &p, &counts), ST_OK);
	assert_int_equal(p.n, 0);
	/* the plan and two periods */
	assert_int_equal(counts.releases, 3);
}

static void
tampered_release_named_by_period(void **state)
{
	struct fx *f = *state;
	struct problems p;

	flip_release(f, "2026-Q2");
	assert_int_equal(verify(f, &p, NULL), ST_TAMPERED);
	assert_int_equal(p.n, 1);
	if (strstr(p.text[0], "release for period 2026-Q2 failed its integrity check") == NULL)
		fail_msg("problem: %s", p.text[0]);
}

static void
tampered_plan_named(void **state)
{
	struct fx *f = *state;
	struct problems p;

	flip_release(f, "plan");
	assert_int_equal(verify(f, &p, NULL), ST_TAMPERED);
	assert_int_equal(p.n, 1);
	if (strstr(p.text[0], "release plan failed its integrity check") == NULL)
		fail_msg("problem: %s", p.text[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clean_releases_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_release_named_by_period, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_plan_named, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
