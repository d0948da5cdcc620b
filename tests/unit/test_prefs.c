/*
 * test_prefs.c — each user's preferences in the vault (vault_pref_get,
 * vault_pref_set): kept across sessions, readable by their owner only (a
 * supervisor included among those who cannot), refused when too long,
 * reported when tampered with, and what a format 1 vault answers.
 *
 * alice is a supervisor, bob an interviewer. Small Argon2id limits (1 pass,
 * 8 MiB) keep unlocks fast.
 */
#include "testutil.h"
#include <lmdb.h>
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

#define PASS_A "alice passphrase 1"
#define PASS_B "bob passphrase 22"



struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
};

/* Opens the vault again (a new session) and unlocks it as user. */
static void
as(struct fx *f, const char *user)
{
	const char *pass = strcmp(user, "alice") == 0 ? PASS_A : PASS_B;

	if (f->v != NULL)
		vault_close(f->v);
	f->v = vault_new();
	assert_non_null(f->v);
	assert_ok(f->v, vault_open(f->v, f->dir));
	assert_ok(f->v, vault_unlock(f->v, user, pass, strlen(pass)));
}

static int
setup_format(void **state, unsigned format)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->tmp = tu_tmpdir("prefs");
	assert_true((size_t)snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp) < sizeof f->dir);
	vault_test_create_format(format);
	f->v = vault_new();
	assert_non_null(f->v);
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	vault_test_create_format(0);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_format(state, 0);
}

static int
setup_format1(void **state)
{
	return setup_format(state, 1);
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

/* The prefs table opened directly, as whoever can write the files. With
 * copy_from set, user's value becomes copy_from's; otherwise a byte of
 * user's value is flipped. */
static void
edit_prefs(struct fx *f, const char *user, const char *copy_from)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(user), (void *)(uintptr_t)user }, d, nd;
	unsigned char *copy;

	vault_close(f->v);
	f->v = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "prefs", 0, &dbi), 0);
	if (copy_from != NULL) {
		MDB_val from = { strlen(copy_from), (void *)(uintptr_t)copy_from };

		assert_int_equal(mdb_get(txn, dbi, &from, &d), 0);
	} else {
		assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	}
	copy = malloc(d.mv_size);
	assert_non_null(copy);
	memcpy(copy, d.mv_data, d.mv_size);
	if (copy_from == NULL)
		copy[d.mv_size / 2] ^= 0x01;
	nd.mv_size = d.mv_size;
	nd.mv_data = copy;
	assert_int_equal(mdb_put(txn, dbi, &k, &nd, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(copy);
}

static void
round_trip(void **state)
{
	struct fx *f = *state;
	char buf[32];

	as(f, "bob");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_NOTFOUND);
	assert_ok(f->v, vault_pref_set(f->v, "lang", "lo"));
	assert_ok(f->v, vault_pref_set(f->v, "both", "1"));
	assert_ok(f->v, vault_pref_set(f->v, "lang", "th"));

	/* A new session finds both, the language as last set. */
	as(f, "bob");
	assert_ok(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf));
	assert_string_equal(buf, "th");
	assert_ok(f->v, vault_pref_get(f->v, "both", buf, sizeof buf));
	assert_string_equal(buf, "1");
	assert_st(f->v, vault_pref_get(f->v, "lan", buf, sizeof buf), ST_NOTFOUND);
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, 2), ST_INVALID);

	vault_lock(f->v);
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_LOCKED);
	assert_st(f->v, vault_pref_set(f->v, "lang", "en"), ST_LOCKED);
}

/* Nobody else reads them: alice, a supervisor, has none of her own, her
 * own do not touch bob's, and bob's value put in her slot does not open. */
static void
others_cannot_read(void **state)
{
	struct fx *f = *state;
	char buf[32];

	as(f, "bob");
	assert_ok(f->v, vault_pref_set(f->v, "lang", "lo"));
	as(f, "alice");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_NOTFOUND);
	assert_ok(f->v, vault_pref_set(f->v, "lang", "zh"));
	as(f, "bob");
	assert_ok(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf));
	assert_string_equal(buf, "lo");

	edit_prefs(f, "alice", "bob");
	as(f, "alice");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_TAMPERED);
	assert_string_equal(buf, "");
}

/* A flipped byte is reported, not read; the next set writes them afresh. */
static void
tampered(void **state)
{
	struct fx *f = *state;
	char buf[32];

	as(f, "bob");
	assert_ok(f->v, vault_pref_set(f->v, "lang", "lo"));
	edit_prefs(f, "bob", NULL);
	as(f, "bob");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_TAMPERED);
	assert_ok(f->v, vault_pref_set(f->v, "both", "1"));
	assert_ok(f->v, vault_pref_get(f->v, "both", buf, sizeof buf));
	assert_string_equal(buf, "1");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_NOTFOUND);
}

/* More than VAULT_PREFS_MAX bytes in all is refused, keeping what was. */
static void
too_long(void **state)
{
	struct fx *f = *state;
	char big[VAULT_PREFS_MAX + 8], buf[VAULT_PREFS_MAX];

	as(f, "bob");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_st(f->v, vault_pref_set(f->v, "lang", big), ST_INVALID);
	assert_st(f->v, vault_pref_set(f->v, "lang", "lo\nboth=1"), ST_INVALID);
	assert_st(f->v, vault_pref_set(f->v, "Lang", "lo"), ST_INVALID);
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_NOTFOUND);

	/* Fits alone (5 + 200 + 1 bytes), but not beside lang=lo and both=1. */
	assert_ok(f->v, vault_pref_set(f->v, "lang", "lo"));
	assert_ok(f->v, vault_pref_set(f->v, "both", "1"));
	big[200] = '\0';
	assert_ok(f->v, vault_pref_set(f->v, "note", big));
	big[200] = 'x';
	big[240] = '\0';
	assert_st(f->v, vault_pref_set(f->v, "note", big), ST_INVALID);
	assert_ok(f->v, vault_pref_get(f->v, "note", buf, sizeof buf));
	assert_int_equal(strlen(buf), 200);
	assert_ok(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf));
	assert_string_equal(buf, "lo");
}

/* A format 1 vault keeps none: nothing is set, and setting says why. */
static void
format1_keeps_none(void **state)
{
	struct fx *f = *state;
	char buf[32];

	as(f, "bob");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_NOTFOUND);
	assert_st(f->v, vault_pref_set(f->v, "lang", "lo"), ST_FORMAT);
	assert_non_null(strstr(vault_errmsg(f->v), "upgrade"));
}

/* A user removed and added again under the same name, or given new keys by
 * a supervisor, starts with no preferences, not with ones that no longer
 * open. */
static void
gone_with_the_keys(void **state)
{
	struct fx *f = *state;
	char buf[32];

	as(f, "bob");
	assert_ok(f->v, vault_pref_set(f->v, "lang", "lo"));
	as(f, "alice");
	assert_ok(f->v, vault_user_remove(f->v, "bob"));
	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B),
	    &fast));
	as(f, "bob");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_NOTFOUND);
	assert_ok(f->v, vault_pref_set(f->v, "lang", "th"));
	as(f, "alice");
	assert_ok(f->v, vault_user_passwd(f->v, "bob", PASS_B, strlen(PASS_B)));
	as(f, "bob");
	assert_st(f->v, vault_pref_get(f->v, "lang", buf, sizeof buf), ST_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(others_cannot_read, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(gone_with_the_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(format1_keeps_none, setup_format1, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
