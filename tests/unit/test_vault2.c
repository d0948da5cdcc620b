/*
 * test_vault2.c — vault format 2 through libintake: what each user's own
 * keys change for the people using the vault. A supervisor's amendment of
 * an interviewer's record stays readable by that interviewer; a passphrase
 * a supervisor resets gives the user new keys and keeps their records;
 * removing the supervisor who added users leaves those users able to
 * unlock (their entries are signed again); an entry edited on disk
 * (promoted, or signed by no one the root trusts) is refused at unlock.
 */
#include <stdint.h>
#include <lmdb.h>

#include "testutil.h"
#include "vault.h"

#define PA "alice passphrase 1"
#define PB "bobby passphrase 2"
#define PC "carol passphrase 3"
#define PD "david passphrase 4"

static const struct vault_kdf fast = { 1, 8 };

struct fx {
	char *dir;
	struct vault *v;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char path[4200];

	assert_non_null(f);
	f->dir = tu_tmpdir("vault2");
	snprintf(path, sizeof path, "%s/v", f->dir);
	strcat(f->dir, "/v");
	f->v = vault_new();
	assert_int_equal(vault_create(f->v, path, "alice", PA, strlen(PA), &fast), ST_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *slash;

	vault_close(f->v);
	slash = strrchr(f->dir, '/');
	*slash = '\0';
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void
ok_(struct vault *v, enum status st, const char *what, int line)
{
	if (st != ST_OK)
		fail_msg("line %d: %s -> %s: %s", line, what, status_str(st), vault_errmsg(v));
}
#define OK(v, call) ok_((v), (call), #call, __LINE__)

static void
as(struct fx *f, const char *user, const char *pass)
{
	vault_lock(f->v);
	OK(f->v, vault_unlock(f->v, user, pass, strlen(pass)));
}

static void
reads(struct vault *v, const struct record_id *id, const char *want)
{
	char *json = NULL;
	size_t len = 0;

	OK(v, vault_record_get(v, id, &json, &len));
	assert_string_equal(json, want);
	vault_plain_free(json, len);
}

static void
print_problem(void *ctx, const char *text)
{
	(*(int *)ctx)++;
	print_error("problem: %s\n", text);
}

static void
verifies(struct vault *v)
{
	int n = 0;

	OK(v, vault_verify(v, NULL, print_problem, &n, NULL));
	assert_int_equal(n, 0);
}

/* The raw users table: the entry of name, edited by fn. */
static void
raw_user_edit(const char *dir, const char *name, void (*fn)(unsigned char *, size_t))
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(name), (void *)(uintptr_t)name }, d;
	unsigned char buf[1024];

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "users", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	assert_true(d.mv_size <= sizeof buf);
	memcpy(buf, d.mv_data, d.mv_size);
	fn(buf, d.mv_size);
	d.mv_data = buf;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
amend_stays_with_owner(void **state)
{
	struct fx *f = *state;
	struct record_id id;

	OK(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PB, strlen(PB), &fast));
	as(f, "bob", PB);
	OK(f->v, vault_record_put(f->v, "{\"v\":1}", 7, "{\"s\":1}", 7, &id));
	as(f, "alice", PA);
	OK(f->v, vault_record_amend(f->v, &id, "{\"v\":2}", 7, "{\"s\":2}", 7, "corrected"));
	/* The new version is wrapped for bob, as his record. */
	as(f, "bob", PB);
	reads(f->v, &id, "{\"v\":2}");
	OK(f->v, vault_record_amend(f->v, &id, "{\"v\":3}", 7, NULL, 0, "mine again"));
	as(f, "alice", PA);
	reads(f->v, &id, "{\"v\":3}");
}

static void
reset_passphrase_keeps_records(void **state)
{
	struct fx *f = *state;
	struct record_id id, d = { { 0 } }, *drafts = NULL;
	size_t n = 0;

	OK(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PB, strlen(PB), &fast));
	as(f, "bob", PB);
	OK(f->v, vault_record_put(f->v, "{\"b\":1}", 7, "{\"s\":1}", 7, &id));
	OK(f->v, vault_draft_put(f->v, &d, "{\"d\":1}", 7));
	as(f, "alice", PA);
	/* alice cannot know bob's keys: bob gets new ones, his record is
	 * wrapped for them, and his draft (under a key only he held) goes. */
	OK(f->v, vault_user_passwd(f->v, "bob", PC, strlen(PC)));
	assert_int_equal(vault_unlock(f->v, "bob", PB, strlen(PB)), ST_AUTH);
	as(f, "bob", PC);
	reads(f->v, &id, "{\"b\":1}");
	OK(f->v, vault_draft_list(f->v, &drafts, &n));
	assert_int_equal(n, 0);
	free(drafts);
	as(f, "alice", PA);
	verifies(f->v);
}

static void
remover_signs_again(void **state)
{
	struct fx *f = *state;

	/* dave (not the root) adds carol; alice removes dave. */
	OK(f->v, vault_user_add(f->v, "dave", ROLE_SUPERVISOR, PD, strlen(PD), &fast));
	as(f, "dave", PD);
	OK(f->v, vault_user_add(f->v, "carol", ROLE_INTERVIEWER, PC, strlen(PC), &fast));
	as(f, "alice", PA);
	OK(f->v, vault_user_remove(f->v, "dave"));
	as(f, "carol", PC);
	as(f, "alice", PA);
	verifies(f->v);
}

/* A supervisor other than the first cannot remove themselves: what they
 * signed must be signed again by someone who stays. Everyone can still
 * unlock. */
static void
self_removal_leaves_no_one_out(void **state)
{
	struct fx *f = *state;

	OK(f->v, vault_user_add(f->v, "dave", ROLE_SUPERVISOR, PD, strlen(PD), &fast));
	as(f, "dave", PD);
	OK(f->v, vault_user_add(f->v, "carol", ROLE_INTERVIEWER, PC, strlen(PC), &fast));
	assert_int_equal(vault_user_remove(f->v, "dave"), ST_DENIED);
	assert_non_null(strstr(vault_errmsg(f->v), "another supervisor"));
	as(f, "carol", PC);
	as(f, "alice", PA);
	OK(f->v, vault_user_remove(f->v, "dave"));
	as(f, "carol", PC);
	as(f, "alice", PA);
	verifies(f->v);
}

static void
to_supervisor(unsigned char *e, size_t len)
{
	(void)len;
	e[1] = ROLE_SUPERVISOR;
}

static void
flip_signature(unsigned char *e, size_t len)
{
	(void)len;
	e[389 + 5] ^= 1;
}

static void
edited_entries_refused(void **state)
{
	struct fx *f = *state;

	OK(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PB, strlen(PB), &fast));
	OK(f->v, vault_user_add(f->v, "carol", ROLE_INTERVIEWER, PC, strlen(PC), &fast));
	vault_close(f->v);
	raw_user_edit(f->dir, "bob", to_supervisor);
	raw_user_edit(f->dir, "carol", flip_signature);
	f->v = vault_new();
	OK(f->v, vault_open(f->v, f->dir));
	assert_int_equal(vault_unlock(f->v, "bob", PB, strlen(PB)), ST_TAMPERED);
	assert_non_null(strstr(vault_errmsg(f->v), "role"));
	assert_false(vault_is_unlocked(f->v));
	assert_int_equal(vault_unlock(f->v, "carol", PC, strlen(PC)), ST_TAMPERED);
	assert_non_null(strstr(vault_errmsg(f->v), "does not carry a valid signature"));
	assert_false(vault_is_unlocked(f->v));
	as(f, "alice", PA);
}

/* The longest audit entries (64-byte names, a 500-byte reason) of format
 * 2, which carry a wrapped key, are read and verified like any other. */
static void
longest_audit_entries_verify(void **state)
{
	struct fx *f = *state;
	char name[65], reason[501];
	struct record_id id;

	memset(name, 'n', 64);
	name[64] = '\0';
	memset(reason, 'r', 500);
	reason[500] = '\0';
	OK(f->v, vault_user_add(f->v, name, ROLE_SUPERVISOR, PB, strlen(PB), &fast));
	as(f, name, PB);
	OK(f->v, vault_record_put(f->v, "{\"v\":1}", 7, NULL, 0, &id));
	OK(f->v, vault_record_amend(f->v, &id, "{\"v\":2}", 7, NULL, 0, reason));
	OK(f->v, vault_record_delete(f->v, &id, reason));
	verifies(f->v);
}

static int
count_ok(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	(void)id;
	(void)json;
	(void)len;
	*(size_t *)ctx += st == ST_OK;
	return st == ST_OK ? 0 : 1;
}

/* --rekey re-wraps listing chunks large enough to live in LMDB's overflow
 * pages; each stays under its own chunk number. */
static void
rekey_keeps_large_listing_chunks(void **state)
{
	struct fx *f = *state;
	char sum[200];
	size_t n = 0;

	OK(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PB, strlen(PB), &fast));
	OK(f->v, vault_user_add(f->v, "carol", ROLE_INTERVIEWER, PC, strlen(PC), &fast));
	OK(f->v, vault_user_add(f->v, "dave", ROLE_SUPERVISOR, PD, strlen(PD), &fast));
	for (int u = 0; u < 4; u++) {
		const char *who = u % 2 ? "carol" : "bob";

		as(f, who, u % 2 ? PC : PB);
		for (int i = 0; i < 100; i++) {
			struct record_id id;
			int len = snprintf(sum, sizeof sum, "{\"interviewer\":\"%s\",\"n\":%d,"
			    "\"pad\":\"%080d\"}", who, i, i);

			OK(f->v, vault_record_put(f->v, "{}", 2, sum, (size_t)len, &id));
		}
	}
	as(f, "alice", PA);
	OK(f->v, vault_user_remove_flags(f->v, "dave", VAULT_REKEY));
	as(f, "bob", PB);
	OK(f->v, vault_listing_scan(f->v, count_ok, &n));
	assert_int_equal(n, 200);
	as(f, "alice", PA);
	verifies(f->v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(amend_stays_with_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_passphrase_keeps_records, setup, teardown),
		cmocka_unit_test_setup_teardown(remover_signs_again, setup, teardown),
		cmocka_unit_test_setup_teardown(self_removal_leaves_no_one_out, setup, teardown),
		cmocka_unit_test_setup_teardown(edited_entries_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(longest_audit_entries_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(rekey_keeps_large_listing_chunks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
