/*
 * test_vault.c — the encrypted store, exercised as users and attackers would.
 *
 * Small Argon2id limits (1 pass, 8 MiB) keep the tests fast. "Attacker"
 * edits go through plain LMDB calls on a closed vault, the way anyone with
 * the files could change them.
 */
#include "testutil.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <lmdb.h>
#include "crypto.h"
#include "textcheck.h"
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

/* snprintf into a path buffer, failing the test on truncation. */
#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

#define PASS_A "alice passphrase 1"
#define PASS_B "bob passphrase 22"
#define PASS_C "carol passphrase 333"
#define PASS_T "trainer passphrase 4"

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->tmp = tu_tmpdir("vault");
	PATH_FMT(f->dir, "%s/vault", f->tmp);
	f->v = vault_new();
	assert_non_null(f->v);
	if (vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast) != ST_OK) {
		print_error("create: %s\n", vault_errmsg(f->v));
		return -1;
	}
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}



#define assert_msg_has(v, needle) do {                                        \
	if (strstr(vault_errmsg(v), (needle)) == NULL)                            \
		fail_msg("message \"%s\" lacks \"%s\"", vault_errmsg(v), (needle));   \
} while (0)

static struct vault *
reopen(const char *dir, const char *user, const char *pass)
{
	struct vault *v = vault_new();

	assert_non_null(v);
	assert_ok(v, vault_open(v, dir));
	if (user != NULL)
		assert_ok(v, vault_unlock(v, user, pass, strlen(pass)));
	return v;
}

static void
relock_as(struct fx *f, const char *user, const char *pass)
{
	assert_ok(f->v, vault_unlock(f->v, user, pass, strlen(pass)));
}

static void
get_equals(struct vault *v, const struct record_id *id, const char *want)
{
	char *json = NULL;
	size_t len = 0;

	assert_ok(v, vault_record_get(v, id, &json, &len));
	assert_int_equal(len, strlen(want));
	assert_string_equal(json, want);
	vault_plain_free(json, len);
}

static struct record_id
put(struct vault *v, const char *json, const char *summary)
{
	struct record_id id;

	assert_ok(v, vault_record_put(v, json, strlen(json), summary,
	    summary ? strlen(summary) : 0, &id));
	return id;
}

/* ---- raw LMDB access, as an attacker with the files has it ------------- */

static MDB_env *
raw_open(const char *dir)
{
	MDB_env *env;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	return env;
}

/* Copies the value of key in db into a malloc'ed buffer (NULL if absent). */
static unsigned char *
raw_get(const char *dir, const char *db, const void *key, size_t klen, size_t *vlen)
{
	MDB_env *env = raw_open(dir);
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)(uintptr_t)key }, d;
	unsigned char *out = NULL;

	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	if (mdb_get(txn, dbi, &k, &d) == 0) {
		out = malloc(d.mv_size + 1);
		assert_non_null(out);
		memcpy(out, d.mv_data, d.mv_size);
		*vlen = d.mv_size;
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return out;
}

static void
raw_put(const char *dir, const char *db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_env *env = raw_open(dir);
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)(uintptr_t)key }, d = { vlen, (void *)(uintptr_t)val };

	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* Applies edit() to the value of key in db. */
static void
raw_edit(const char *dir, const char *db, const void *key, size_t klen,
    void (*edit)(unsigned char *val, size_t *vlen, size_t arg), size_t arg)
{
	size_t vlen = 0;
	unsigned char *val = raw_get(dir, db, key, klen, &vlen);
	unsigned char *big;

	assert_non_null(val);
	big = realloc(val, vlen + 16);
	assert_non_null(big);
	edit(big, &vlen, arg);
	raw_put(dir, db, key, klen, big, vlen);
	free(big);
}

static void
flip_byte(unsigned char *val, size_t *vlen, size_t at)
{
	assert_true(at < *vlen);
	val[at] ^= 0x01;
}

static void
truncate_to(unsigned char *val, size_t *vlen, size_t len)
{
	(void)val;
	assert_true(len < *vlen);
	*vlen = len;
}

/* ---- tests ---------------------------------------------------------------- */

static void
create_open_unlock_lock(void **state)
{
	struct fx *f = *state;
	struct record_id id;
	char *json = NULL;
	size_t len = 0;

	assert_true(vault_is_unlocked(f->v));
	assert_string_equal(vault_user(f->v), "alice");
	assert_int_equal(vault_role(f->v), ROLE_SUPERVISOR);
	id = put(f->v, "{\"a\":1}", "{\"s\":1}");

	vault_lock(f->v);
	assert_false(vault_is_unlocked(f->v));
	assert_null(vault_user(f->v));
	assert_st(f->v, vault_record_get(f->v, &id, &json, &len), ST_LOCKED);
	assert_null(json);
	assert_msg_has(f->v, "locked");
	assert_st(f->v, vault_record_put(f->v, "{}", 2, NULL, 0, &id), ST_LOCKED);

	relock_as(f, "alice", PASS_A);
	get_equals(f->v, &id, "{\"a\":1}");

	vault_close(f->v);
	f->v = reopen(f->dir, NULL, NULL);
	assert_false(vault_is_unlocked(f->v));
	assert_st(f->v, vault_record_get(f->v, &id, &json, &len), ST_LOCKED);
	relock_as(f, "alice", PASS_A);
	assert_int_equal(vault_role(f->v), ROLE_SUPERVISOR);
	get_equals(f->v, &id, "{\"a\":1}");
}

static void
locked_calls_refused(void **state)
{
	struct fx *f = *state;
	struct record_id id = { {0} }, *ids = NULL;
	char *json = NULL, hash[65];
	size_t len = 0, n = 0;
	unsigned count;

	vault_lock(f->v);
	assert_st(f->v, vault_record_list(f->v, &ids, &n), ST_LOCKED);
	assert_st(f->v, vault_record_replace(f->v, &id, "{}", 2, NULL, 0), ST_LOCKED);
	assert_st(f->v, vault_record_versions(f->v, &id, &count), ST_LOCKED);
	assert_st(f->v, vault_record_history(f->v, &id, 1, &json, &len), ST_LOCKED);
	assert_st(f->v, vault_summary_get(f->v, &id, &json, &len), ST_LOCKED);
	assert_st(f->v, vault_record_find(f->v, "0000-0000-0", &id), ST_LOCKED);
	assert_st(f->v, vault_draft_put(f->v, &id, "{}", 2), ST_LOCKED);
	assert_st(f->v, vault_draft_get(f->v, &id, &json, &len), ST_LOCKED);
	assert_st(f->v, vault_draft_list(f->v, &ids, &n), ST_LOCKED);
	assert_st(f->v, vault_draft_delete(f->v, &id), ST_LOCKED);
	assert_st(f->v, vault_form_put(f->v, "id: x", 5, hash), ST_LOCKED);
	assert_st(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast),
	    ST_LOCKED);
	assert_st(f->v, vault_user_passwd(f->v, "alice", PASS_B, strlen(PASS_B)), ST_LOCKED);
	assert_null(json);
}

static void
create_refuses_existing_and_nonempty(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char other[4096], file[4096];
	FILE *fp;

	assert_st(v, vault_create(v, f->dir, "zed", PASS_B, strlen(PASS_B), &fast), ST_EXISTS);
	assert_msg_has(v, "already a vault");
	/* A directory holding anything else is not taken over. */
	PATH_FMT(other, "%s/docs", f->tmp);
	assert_int_equal(mkdir(other, 0700), 0);
	PATH_FMT(file, "%s/letter.txt", other);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_st(v, vault_create(v, other, "zed", PASS_B, strlen(PASS_B), &fast), ST_EXISTS);
	assert_msg_has(v, "not empty");
	assert_st(v, vault_create(v, file, "zed", PASS_B, strlen(PASS_B), &fast), ST_EXISTS);
	assert_msg_has(v, "not a directory");
	vault_close(v);
	/* The first vault is untouched. */
	vault_close(f->v);
	f->v = reopen(f->dir, "alice", PASS_A);
}

static void
create_makes_parents_and_fills_empty_dir(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char deep[4096], empty[4096];

	PATH_FMT(deep, "%s/a/b/c/vault", f->tmp);
	assert_ok(v, vault_create(v, deep, "zed", PASS_B, strlen(PASS_B), &fast));
	vault_close(v);
	PATH_FMT(empty, "%s/empty", f->tmp);
	assert_int_equal(mkdir(empty, 0755), 0);
	v = vault_new();
	assert_ok(v, vault_create(v, empty, "zed", PASS_B, strlen(PASS_B), &fast));
	vault_close(v);
	v = reopen(empty, "zed", PASS_B);
	vault_close(v);
}

static void
create_rejects_bad_input_without_leaving_files(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char dir[4096], name65[66];
	struct stat sb;
	struct vault_kdf weak = { 0, 8 }, huge = { 1, 1u << 20 };

	PATH_FMT(dir, "%s/new", f->tmp);
	memset(name65, 'n', 65);
	name65[65] = '\0';
	assert_st(v, vault_create(v, dir, "", PASS_B, strlen(PASS_B), &fast), ST_INVALID);
	assert_msg_has(v, "empty");
	assert_st(v, vault_create(v, dir, name65, PASS_B, strlen(PASS_B), &fast), ST_INVALID);
	assert_msg_has(v, "65 bytes");
	assert_st(v, vault_create(v, dir, "bad\xff", PASS_B, strlen(PASS_B), &fast), ST_INVALID);
	assert_msg_has(v, "UTF-8");
	assert_st(v, vault_create(v, dir, "zed", "short", 5, &fast), ST_INVALID);
	assert_msg_has(v, "too short");
	assert_st(v, vault_create(v, dir, "zed", "caf\xc3 passphrase", 16, &fast), ST_INVALID);
	assert_msg_has(v, "UTF-8");
	assert_st(v, vault_create(v, dir, "zed", PASS_B, strlen(PASS_B), &weak), ST_INVALID);
	assert_st(v, vault_create(v, dir, "zed", PASS_B, strlen(PASS_B), &huge), ST_INVALID);
	assert_msg_has(v, "Argon2id");
	assert_int_equal(stat(dir, &sb), -1);
	vault_close(v);
}

static void
user_names_checked(void **state)
{
	char msg[VAULT_MSG_MAX], n64[65], n65[66];
	static const char *const good[] = {
		"alice", "Ms. Noy K.", "ນາງ ແກ້ວ", "สมชาย", "王芳", "o'brien-2",
	};
	static const char *const bad[] = {
		"", " alice", "alice ", "al\tice", "al\nice", "a\x7f", "-alice", "\xff",
		"\xc3\x28", "\xed\xa0\x80", "a\xe2\x80\xae" "b", "a\xc2\x85" "b", "ab\xe3\x80\x80",
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (vault_check_user_name(good[i], msg, sizeof msg) != ST_OK)
			fail_msg("\"%s\" refused: %s", good[i], msg);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		msg[0] = '\0';
		assert_int_equal(vault_check_user_name(bad[i], msg, sizeof msg), ST_INVALID);
		assert_true(strlen(msg) > 10);
	}
	assert_int_equal(vault_check_user_name(NULL, NULL, 0), ST_INVALID);
	memset(n64, 'x', 64);
	n64[64] = '\0';
	assert_int_equal(vault_check_user_name(n64, msg, sizeof msg), ST_OK);
	memset(n65, 'x', 65);
	n65[65] = '\0';
	assert_int_equal(vault_check_user_name(n65, msg, sizeof msg), ST_INVALID);
	/* A tiny buffer gets a truncated, terminated message. */
	assert_int_equal(vault_check_user_name("", msg, 8), ST_INVALID);
	assert_int_equal(strlen(msg), 7);
}

static void
passphrases_checked(void **state)
{
	char msg[VAULT_MSG_MAX], big[VAULT_PASS_MAX + 2];
	/* Ten Lao characters are 30 bytes; nine Thai characters are 27 bytes. */
	static const char lao10[] = "ກຂຄງຈສຊຍດຕ";
	static const char thai9[] = "กขคงจฉชซญ";

	(void)state;
	assert_int_equal(vault_check_passphrase("123456789", 9, msg, sizeof msg), ST_INVALID);
	assert_non_null(strstr(msg, "9 characters"));
	assert_int_equal(vault_check_passphrase("1234567890", 10, msg, sizeof msg), ST_OK);
	assert_int_equal(vault_check_passphrase(lao10, strlen(lao10), msg, sizeof msg), ST_OK);
	assert_int_equal(vault_check_passphrase(thai9, strlen(thai9), msg, sizeof msg), ST_INVALID);
	assert_int_equal(vault_check_passphrase("", 0, msg, sizeof msg), ST_INVALID);
	assert_int_equal(vault_check_passphrase(NULL, 0, msg, sizeof msg), ST_INVALID);
	assert_int_equal(vault_check_passphrase("abcdefghij\xff", 11, msg, sizeof msg), ST_INVALID);
	assert_int_equal(vault_check_passphrase("abcde\nfghij", 11, msg, sizeof msg), ST_INVALID);
	assert_int_equal(vault_check_passphrase("abcde\0fghij", 11, msg, sizeof msg), ST_INVALID);
	memset(big, 'p', sizeof big);
	assert_int_equal(vault_check_passphrase(big, VAULT_PASS_MAX, msg, sizeof msg), ST_OK);
	assert_int_equal(vault_check_passphrase(big, VAULT_PASS_MAX + 1, msg, sizeof msg),
	    ST_INVALID);
	assert_non_null(strstr(msg, "1025 bytes"));
}

static void
unlock_failures(void **state)
{
	struct fx *f = *state;

	assert_st(f->v, vault_unlock(f->v, "alice", "wrong passphrase!", 17), ST_AUTH);
	assert_msg_has(f->v, "wrong passphrase");
	assert_false(vault_is_unlocked(f->v));
	assert_st(f->v, vault_unlock(f->v, "mallory", PASS_A, strlen(PASS_A)), ST_AUTH);
	assert_msg_has(f->v, "no user named mallory");
	assert_msg_has(f->v, "intake user list");
	assert_st(f->v, vault_unlock(f->v, "bad\x1b[2J", PASS_A, strlen(PASS_A)), ST_AUTH);
	/* A name with escape sequences is never echoed back to the terminal. */
	assert_null(strchr(vault_errmsg(f->v), '\x1b'));
	assert_st(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A) - 1), ST_AUTH);
	assert_st(f->v, vault_unlock(f->v, "alice", NULL, 0), ST_AUTH);
	assert_false(vault_is_unlocked(f->v));
	relock_as(f, "alice", PASS_A);
}

static void
users_add_list_remove_passwd(void **state)
{
	struct fx *f = *state;
	struct vault_user *users = NULL;
	struct record_id ra, rb;
	size_t n = 0;

	ra = put(f->v, "{\"by\":\"alice\"}", NULL);
	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_ok(f->v, vault_user_add(f->v, "tess", ROLE_TRAINER, PASS_T, strlen(PASS_T), NULL));
	assert_st(f->v, vault_user_add(f->v, "bob", ROLE_SUPERVISOR, PASS_C, strlen(PASS_C), &fast),
	    ST_EXISTS);
	assert_msg_has(f->v, "already exists");
	assert_st(f->v, vault_user_add(f->v, "carl", ROLE_INTERVIEWER, "short", 5, &fast),
	    ST_INVALID);
	assert_st(f->v, vault_user_add(f->v, " carl", ROLE_INTERVIEWER, PASS_C, strlen(PASS_C),
	    &fast), ST_INVALID);
	assert_st(f->v, vault_user_add(f->v, "carl", (enum role)7, PASS_C, strlen(PASS_C), &fast),
	    ST_INVALID);

	vault_lock(f->v);
	assert_ok(f->v, vault_user_list(f->v, &users, &n));
	assert_int_equal(n, 3);
	assert_string_equal(users[0].name, "alice");
	assert_int_equal(users[0].role, ROLE_SUPERVISOR);
	assert_string_equal(users[1].name, "bob");
	assert_int_equal(users[1].role, ROLE_INTERVIEWER);
	assert_string_equal(users[2].name, "tess");
	assert_int_equal(users[2].role, ROLE_TRAINER);
	free(users);

	/* An interviewer cannot manage users or others' passphrases. */
	relock_as(f, "bob", PASS_B);
	assert_int_equal(vault_role(f->v), ROLE_INTERVIEWER);
	assert_st(f->v, vault_user_add(f->v, "eve", ROLE_SUPERVISOR, PASS_C, strlen(PASS_C), &fast),
	    ST_DENIED);
	assert_msg_has(f->v, "only a supervisor");
	assert_st(f->v, vault_user_remove(f->v, "alice"), ST_DENIED);
	assert_st(f->v, vault_user_passwd(f->v, "alice", PASS_C, strlen(PASS_C)), ST_DENIED);
	rb = put(f->v, "{\"by\":\"bob\"}", NULL);

	/* Own passphrase: the old one stops working, records stay readable. */
	assert_ok(f->v, vault_user_passwd(f->v, NULL, PASS_C, strlen(PASS_C)));
	assert_st(f->v, vault_user_passwd(f->v, "bob", "short", 5), ST_INVALID);
	vault_lock(f->v);
	assert_st(f->v, vault_unlock(f->v, "bob", PASS_B, strlen(PASS_B)), ST_AUTH);
	relock_as(f, "bob", PASS_C);
	get_equals(f->v, &rb, "{\"by\":\"bob\"}");

	/* A supervisor resets someone else's passphrase. */
	relock_as(f, "alice", PASS_A);
	assert_ok(f->v, vault_user_passwd(f->v, "bob", PASS_B, strlen(PASS_B)));
	assert_st(f->v, vault_unlock(f->v, "bob", PASS_C, strlen(PASS_C)), ST_AUTH);
	relock_as(f, "bob", PASS_B);
	get_equals(f->v, &rb, "{\"by\":\"bob\"}");
	relock_as(f, "alice", PASS_A);
	assert_ok(f->v, vault_user_passwd(f->v, "alice", PASS_C, strlen(PASS_C)));
	get_equals(f->v, &ra, "{\"by\":\"alice\"}");
	assert_st(f->v, vault_user_passwd(f->v, "nobody", PASS_C, strlen(PASS_C)), ST_NOTFOUND);

	/* Removal. */
	assert_ok(f->v, vault_user_remove(f->v, "bob"));
	assert_st(f->v, vault_user_remove(f->v, "bob"), ST_NOTFOUND);
	assert_st(f->v, vault_unlock(f->v, "bob", PASS_B, strlen(PASS_B)), ST_AUTH);
	assert_msg_has(f->v, "no user named bob");
	relock_as(f, "alice", PASS_C);
	get_equals(f->v, &rb, "{\"by\":\"bob\"}");
	assert_ok(f->v, vault_user_list(f->v, &users, &n));
	assert_int_equal(n, 2);
	free(users);
}

static void
last_supervisor_stays(void **state)
{
	struct fx *f = *state;

	assert_st(f->v, vault_user_remove(f->v, "alice"), ST_DENIED);
	assert_msg_has(f->v, "last supervisor");
	assert_ok(f->v, vault_user_add(f->v, "carol", ROLE_SUPERVISOR, PASS_C, strlen(PASS_C), &fast));
	/* With a second supervisor, alice may leave; her handle locks. */
	assert_ok(f->v, vault_user_remove(f->v, "alice"));
	assert_false(vault_is_unlocked(f->v));
	relock_as(f, "carol", PASS_C);
	assert_st(f->v, vault_user_remove(f->v, "carol"), ST_DENIED);
	assert_st(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)), ST_AUTH);
}

static void
records_put_get_list_find(void **state)
{
	struct fx *f = *state;
	struct record_id ids[3], *list = NULL, found, missing;
	struct case_code code, canon;
	char *json = NULL, typed[32], hex[33];
	size_t n = 0, len = 0;
	static const char *const bodies[3] = {
		"{\"id\":1,\"answers\":{\"q1\":\"ແມ່ນ\"}}",
		"{\"id\":2,\"answers\":{\"q1\":\"ใช่\"}}",
		"{\"id\":3,\"answers\":{\"q1\":\"是\"}}",
	};

	for (int i = 0; i < 3; i++) {
		char sum[32];
		PATH_FMT(sum, "{\"n\":%d}", i);
		ids[i] = put(f->v, bodies[i], sum);
	}
	for (int i = 0; i < 3; i++) {
		char sum[32];
		get_equals(f->v, &ids[i], bodies[i]);
		PATH_FMT(sum, "{\"n\":%d}", i);
		assert_ok(f->v, vault_summary_get(f->v, &ids[i], &json, &len));
		assert_string_equal(json, sum);
		vault_plain_free(json, len);
	}
	assert_ok(f->v, vault_record_list(f->v, &list, &n));
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		int seen = 0;
		for (size_t j = 0; j < n; j++)
			seen += memcmp(list[j].b, ids[i].b, VAULT_ID_BYTES) == 0;
		assert_int_equal(seen, 1);
	}
	free(list);

	/* Case codes: as printed, lower case, without dashes, with O and I. */
	for (int i = 0; i < 3; i++) {
		record_id_code(&ids[i], &code);
		assert_int_equal(strlen(code.s), VAULT_CODE_LEN);
		assert_ok(f->v, vault_record_find(f->v, code.s, &found));
		assert_memory_equal(found.b, ids[i].b, VAULT_ID_BYTES);
		size_t k = 0;
		for (const char *p = code.s; *p; p++) {
			char c = *p;
			if (c == '-')
				continue;
			if (c == '0')
				c = 'o';
			else if (c == '1')
				c = 'I';
			else if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			typed[k++] = c;
		}
		typed[k] = '\0';
		assert_ok(f->v, vault_record_find(f->v, typed, &found));
		assert_memory_equal(found.b, ids[i].b, VAULT_ID_BYTES);
		assert_ok(f->v, case_code_parse(typed, &canon, NULL, 0));
		assert_string_equal(canon.s, code.s);
	}
	record_id_code(&ids[0], &code);
	PATH_FMT(typed, "%s", code.s);
	typed[0] = typed[0] == 'A' ? 'B' : 'A';
	assert_st(f->v, vault_record_find(f->v, typed, &found), ST_INVALID);
	assert_msg_has(f->v, "typing error");
	assert_st(f->v, vault_record_find(f->v, "K7QM-3XTD", &found), ST_INVALID);
	assert_st(f->v, vault_record_find(f->v, "UUUU-UUUU-U", &found), ST_INVALID);
	/* A well-formed code of no record. */
	memset(&missing, 0xEE, sizeof missing);
	record_id_code(&missing, &code);
	assert_st(f->v, vault_record_find(f->v, code.s, &found), ST_NOTFOUND);
	assert_msg_has(f->v, code.s);
	assert_st(f->v, vault_record_get(f->v, &missing, &json, &len), ST_NOTFOUND);
	assert_msg_has(f->v, code.s);
	assert_null(json);
	assert_int_equal(record_id_hex(&missing, hex), ST_OK);
	assert_string_equal(hex, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");

	/* Empty and oversized records are refused. */
	assert_st(f->v, vault_record_put(f->v, "", 0, NULL, 0, &found), ST_INVALID);
	assert_st(f->v, vault_record_put(f->v, NULL, 3, NULL, 0, &found), ST_INVALID);
}

static void
large_record_round_trip(void **state)
{
	struct fx *f = *state;
	size_t big = (size_t)1 << 20, huge = ((size_t)16 << 20) + 1, len = 0;
	char *body = malloc(huge), *json = NULL;
	struct record_id id;

	assert_non_null(body);
	for (size_t i = 0; i < big; i++)
		body[i] = (char)('a' + i % 26);
	assert_ok(f->v, vault_record_put(f->v, body, big, "{}", 2, &id));
	assert_ok(f->v, vault_record_get(f->v, &id, &json, &len));
	assert_int_equal(len, big);
	assert_memory_equal(json, body, big);
	assert_int_equal(json[len], '\0');
	vault_plain_free(json, len);
	memset(body, 'x', huge);
	assert_st(f->v, vault_record_put(f->v, body, huge, NULL, 0, &id), ST_INVALID);
	assert_msg_has(f->v, "too large");
	free(body);
}

static void
replace_keeps_history(void **state)
{
	struct fx *f = *state;
	struct record_id id, other;
	unsigned count = 99;
	char *json = NULL;
	size_t len = 0;

	id = put(f->v, "{\"v\":1}", "{\"s\":1}");
	assert_ok(f->v, vault_record_versions(f->v, &id, &count));
	assert_int_equal(count, 0);
	assert_ok(f->v, vault_record_replace(f->v, &id, "{\"v\":2}", 7, "{\"s\":2}", 7));
	assert_ok(f->v, vault_record_replace(f->v, &id, "{\"v\":3}", 7, NULL, 0));
	assert_ok(f->v, vault_record_versions(f->v, &id, &count));
	assert_int_equal(count, 2);
	get_equals(f->v, &id, "{\"v\":3}");
	assert_ok(f->v, vault_record_history(f->v, &id, 1, &json, &len));
	assert_string_equal(json, "{\"v\":1}");
	vault_plain_free(json, len);
	assert_ok(f->v, vault_record_history(f->v, &id, 2, &json, &len));
	assert_string_equal(json, "{\"v\":2}");
	vault_plain_free(json, len);
	assert_st(f->v, vault_record_history(f->v, &id, 3, &json, &len), ST_NOTFOUND);
	assert_st(f->v, vault_record_history(f->v, &id, 0, &json, &len), ST_NOTFOUND);
	assert_null(json);
	/* NULL summary on replace keeps the last one. */
	assert_ok(f->v, vault_summary_get(f->v, &id, &json, &len));
	assert_string_equal(json, "{\"s\":2}");
	vault_plain_free(json, len);
	/* History of one record does not leak into its neighbour's count. */
	other = put(f->v, "{\"o\":1}", NULL);
	assert_ok(f->v, vault_record_versions(f->v, &other, &count));
	assert_int_equal(count, 0);
	assert_st(f->v, vault_summary_get(f->v, &other, &json, &len), ST_NOTFOUND);
	memset(&other, 0x42, sizeof other);
	assert_st(f->v, vault_record_replace(f->v, &other, "{}", 2, NULL, 0), ST_NOTFOUND);
	assert_st(f->v, vault_record_versions(f->v, &other, &count), ST_NOTFOUND);
}

static void
records_belong_to_owner_and_supervisors(void **state)
{
	struct fx *f = *state;
	struct record_id ra, rb;
	char *json = NULL;
	size_t len = 0;
	unsigned count;

	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_ok(f->v, vault_user_add(f->v, "tess", ROLE_TRAINER, PASS_T, strlen(PASS_T), &fast));
	ra = put(f->v, "{\"by\":\"alice\"}", "{\"sa\":1}");
	assert_ok(f->v, vault_record_replace(f->v, &ra, "{\"by\":\"alice2\"}", 15, NULL, 0));

	relock_as(f, "bob", PASS_B);
	assert_st(f->v, vault_record_get(f->v, &ra, &json, &len), ST_DENIED);
	assert_null(json);
	assert_msg_has(f->v, "another interviewer");
	assert_st(f->v, vault_summary_get(f->v, &ra, &json, &len), ST_DENIED);
	assert_st(f->v, vault_record_history(f->v, &ra, 1, &json, &len), ST_DENIED);
	assert_st(f->v, vault_record_replace(f->v, &ra, "{}", 2, NULL, 0), ST_DENIED);
	rb = put(f->v, "{\"by\":\"bob\"}", NULL);
	get_equals(f->v, &rb, "{\"by\":\"bob\"}");

	relock_as(f, "tess", PASS_T);
	assert_st(f->v, vault_record_get(f->v, &rb, &json, &len), ST_DENIED);

	/* A supervisor reads and amends anyone's; the owner stays bob. */
	relock_as(f, "alice", PASS_A);
	get_equals(f->v, &rb, "{\"by\":\"bob\"}");
	assert_ok(f->v, vault_record_replace(f->v, &rb, "{\"by\":\"bob\",\"amended\":1}", 24, NULL, 0));
	relock_as(f, "bob", PASS_B);
	get_equals(f->v, &rb, "{\"by\":\"bob\",\"amended\":1}");
	assert_ok(f->v, vault_record_versions(f->v, &rb, &count));
	assert_int_equal(count, 1);
	relock_as(f, "alice", PASS_A);
	get_equals(f->v, &ra, "{\"by\":\"alice2\"}");
}

static void
drafts_are_per_user(void **state)
{
	struct fx *f = *state;
	struct record_id a1 = { {0} }, a2 = { {0} }, b1 = { {0} }, zero = { {0} }, *list = NULL;
	char *json = NULL;
	size_t n = 0, len = 0;

	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_ok(f->v, vault_draft_put(f->v, &a1, "{\"d\":\"a1\"}", 10));
	assert_memory_not_equal(a1.b, zero.b, VAULT_ID_BYTES);
	assert_ok(f->v, vault_draft_put(f->v, &a2, "{\"d\":\"a2\"}", 10));
	assert_memory_not_equal(a1.b, a2.b, VAULT_ID_BYTES);
	/* Updating keeps the id and replaces the content. */
	assert_ok(f->v, vault_draft_put(f->v, &a1, "{\"d\":\"a1b\"}", 11));
	assert_ok(f->v, vault_draft_get(f->v, &a1, &json, &len));
	assert_string_equal(json, "{\"d\":\"a1b\"}");
	vault_plain_free(json, len);
	assert_st(f->v, vault_draft_put(f->v, &a1, "", 0), ST_INVALID);

	relock_as(f, "bob", PASS_B);
	assert_ok(f->v, vault_draft_put(f->v, &b1, "{\"d\":\"b1\"}", 10));
	assert_ok(f->v, vault_draft_list(f->v, &list, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(list[0].b, b1.b, VAULT_ID_BYTES);
	free(list);
	/* Bob cannot read, see or delete alice's drafts, even knowing the id. */
	assert_st(f->v, vault_draft_get(f->v, &a1, &json, &len), ST_NOTFOUND);
	assert_null(json);
	assert_st(f->v, vault_draft_delete(f->v, &a1), ST_NOTFOUND);

	/* Not even a supervisor reads another user's drafts. */
	relock_as(f, "alice", PASS_A);
	assert_st(f->v, vault_draft_get(f->v, &b1, &json, &len), ST_NOTFOUND);
	assert_ok(f->v, vault_draft_list(f->v, &list, &n));
	assert_int_equal(n, 2);
	free(list);
	assert_ok(f->v, vault_draft_delete(f->v, &a2));
	assert_st(f->v, vault_draft_delete(f->v, &a2), ST_NOTFOUND);
	assert_msg_has(f->v, "no draft");
	assert_st(f->v, vault_draft_get(f->v, &a2, &json, &len), ST_NOTFOUND);
	assert_ok(f->v, vault_draft_list(f->v, &list, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(list[0].b, a1.b, VAULT_ID_BYTES);
	free(list);
	relock_as(f, "bob", PASS_B);
	assert_ok(f->v, vault_draft_get(f->v, &b1, &json, &len));
	assert_string_equal(json, "{\"d\":\"b1\"}");
	vault_plain_free(json, len);
}

static void
draft_list_respects_name_prefixes(void **state)
{
	struct fx *f = *state;
	struct record_id a = { {0} }, b = { {0} }, *list = NULL;
	size_t n = 0;

	/* "al" is a prefix of "alice": the NUL separator keeps them apart. */
	assert_ok(f->v, vault_user_add(f->v, "al", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_ok(f->v, vault_draft_put(f->v, &a, "{}", 2));
	relock_as(f, "al", PASS_B);
	assert_ok(f->v, vault_draft_list(f->v, &list, &n));
	assert_int_equal(n, 0);
	free(list);
	assert_ok(f->v, vault_draft_put(f->v, &b, "{}", 2));
	relock_as(f, "alice", PASS_A);
	assert_ok(f->v, vault_draft_list(f->v, &list, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(list[0].b, a.b, VAULT_ID_BYTES);
	free(list);
}

static void
forms_by_hash(void **state)
{
	struct fx *f = *state;
	static const char src[] = "id: screening\nversion: 3\ntitle: Screening\n";
	char hash[65], again[65], want[65], *got = NULL;
	size_t len = 0;

	assert_ok(f->v, vault_form_put(f->v, src, strlen(src), hash));
	crypto_digest_hex(want, src, strlen(src));
	assert_string_equal(hash, want);
	assert_ok(f->v, vault_form_put(f->v, src, strlen(src), again));
	assert_string_equal(again, hash);
	assert_ok(f->v, vault_form_get(f->v, hash, &got, &len));
	assert_int_equal(len, strlen(src));
	assert_string_equal(got, src);
	vault_plain_free(got, len);
	/* Upper-case hex names the same form. */
	for (char *p = hash; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_ok(f->v, vault_form_get(f->v, hash, &got, &len));
	vault_plain_free(got, len);
	crypto_digest_hex(want, "other", 5);
	assert_st(f->v, vault_form_get(f->v, want, &got, &len), ST_NOTFOUND);
	assert_st(f->v, vault_form_get(f->v, "abc", &got, &len), ST_INVALID);
	assert_msg_has(f->v, "64 hexadecimal");
	assert_null(got);
	assert_st(f->v, vault_form_put(f->v, "", 0, hash), ST_INVALID);
}

/* One write transaction on the raw environment of a closed vault. */
struct raw {
	MDB_env *env;
	MDB_txn *txn;
};

static struct raw
raw_begin(const char *dir)
{
	struct raw r;

	r.env = raw_open(dir);
	assert_int_equal(mdb_txn_begin(r.env, NULL, 0, &r.txn), 0);
	return r;
}

static MDB_dbi
raw_dbi(struct raw *r, const char *db)
{
	MDB_dbi dbi;

	assert_int_equal(mdb_dbi_open(r->txn, db, 0, &dbi), 0);
	return dbi;
}

static void
raw_end(struct raw *r)
{
	assert_int_equal(mdb_txn_commit(r->txn), 0);
	mdb_env_close(r->env);
}

static void
tamper_record_every_byte(void **state)
{
	struct fx *f = *state;
	struct record_id *ids, control;
	struct case_code code;
	size_t envlen = 0, n, len = 0;
	unsigned char *sample;
	char *json = NULL;
	struct raw r;
	MDB_dbi dbi;

	control = put(f->v, "{}", NULL);
	/* The vault is closed before any raw access: LMDB must not be opened
	 * twice in one process. */
	vault_close(f->v);
	sample = raw_get(f->dir, "records", control.b, VAULT_ID_BYTES, &envlen);
	free(sample);
	f->v = reopen(f->dir, "alice", PASS_A);
	/* One record per byte to flip, one per length to cut, one with a byte
	 * appended. */
	n = 2 * envlen + 1;
	ids = calloc(n, sizeof *ids);
	assert_non_null(ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = put(f->v, "{}", NULL);
	vault_close(f->v);
	f->v = NULL;

	r = raw_begin(f->dir);
	dbi = raw_dbi(&r, "records");
	for (size_t i = 0; i < n; i++) {
		MDB_val k = { VAULT_ID_BYTES, ids[i].b }, d;
		unsigned char buf[512];

		assert_int_equal(mdb_get(r.txn, dbi, &k, &d), 0);
		assert_int_equal(d.mv_size, envlen);
		memcpy(buf, d.mv_data, envlen);
		if (i < envlen) {
			buf[i] ^= 0x01;
		} else if (i < 2 * envlen) {
			d.mv_size = i - envlen;
		} else {
			buf[envlen] = 0;
			d.mv_size = envlen + 1;
		}
		d.mv_data = buf;
		assert_int_equal(mdb_put(r.txn, dbi, &k, &d, 0), 0);
	}
	raw_end(&r);

	f->v = reopen(f->dir, "alice", PASS_A);
	for (size_t i = 0; i < n; i++) {
		enum status st = vault_record_get(f->v, &ids[i], &json, &len);
		if (st != ST_TAMPERED)
			fail_msg("record %zu (%s %zu) -> %s", i, i < envlen ? "flipped byte" :
			    "cut to", i < envlen ? i : i - envlen, status_str(st));
		assert_null(json);
		record_id_code(&ids[i], &code);
		assert_msg_has(f->v, code.s);
		assert_msg_has(f->v, "integrity check");
	}
	get_equals(f->v, &control, "{}");
	free(ids);
}

static void
flip_in_db(const char *dir, const char *db, const void *key, size_t klen, size_t at)
{
	raw_edit(dir, db, key, klen, flip_byte, at);
}

static void
tamper_summary_draft_history_form(void **state)
{
	struct fx *f = *state;
	struct record_id rec, wrapped, draft = { {0} };
	unsigned char dkey[6 + VAULT_ID_BYTES], hkey[VAULT_ID_BYTES + 4] = {0};
	unsigned char fhash[32];
	static const char src[] = "id: f\n";
	char hash[65], *json = NULL;
	size_t len = 0;

	rec = put(f->v, "{\"r\":1}", "{\"s\":1}");
	assert_ok(f->v, vault_record_replace(f->v, &rec, "{\"r\":2}", 7, NULL, 0));
	wrapped = put(f->v, "{\"w\":1}", NULL);
	assert_ok(f->v, vault_draft_put(f->v, &draft, "{\"d\":1}", 7));
	assert_ok(f->v, vault_form_put(f->v, src, strlen(src), hash));
	vault_close(f->v);
	f->v = NULL;

	/* Summary ciphertext, draft tag, history nonce, a byte of the wrapped
	 * per-record key, and the form's ciphertext. */
	flip_in_db(f->dir, "summaries", rec.b, VAULT_ID_BYTES, 110);
	memcpy(dkey, "alice", 6);
	memcpy(dkey + 6, draft.b, VAULT_ID_BYTES);
	flip_in_db(f->dir, "drafts", dkey, sizeof dkey, 125);
	memcpy(hkey, rec.b, VAULT_ID_BYTES);
	hkey[VAULT_ID_BYTES + 3] = 1;
	flip_in_db(f->dir, "history", hkey, sizeof hkey, 80);
	flip_in_db(f->dir, "records", wrapped.b, VAULT_ID_BYTES, 40);
	crypto_digest(fhash, src, strlen(src));
	flip_in_db(f->dir, "forms", fhash, sizeof fhash, 120);

	f->v = reopen(f->dir, "alice", PASS_A);
	assert_st(f->v, vault_summary_get(f->v, &rec, &json, &len), ST_TAMPERED);
	assert_msg_has(f->v, "summary of record");
	assert_st(f->v, vault_draft_get(f->v, &draft, &json, &len), ST_TAMPERED);
	assert_st(f->v, vault_record_history(f->v, &rec, 1, &json, &len), ST_TAMPERED);
	assert_msg_has(f->v, "version 1 of record");
	assert_st(f->v, vault_record_get(f->v, &wrapped, &json, &len), ST_TAMPERED);
	assert_st(f->v, vault_form_get(f->v, hash, &json, &len), ST_TAMPERED);
	assert_null(json);
	/* The untouched current version still opens. */
	get_equals(f->v, &rec, "{\"r\":2}");
	/* A damaged record is not silently replaced. */
	assert_st(f->v, vault_record_replace(f->v, &wrapped, "{}", 2, NULL, 0), ST_TAMPERED);
}

static void
moved_values_refused(void **state)
{
	struct fx *f = *state;
	struct record_id a, b, fresh, draft = { {0} };
	struct case_code code;
	unsigned char *val, dkey[6 + VAULT_ID_BYTES], bkey[4 + VAULT_ID_BYTES];
	unsigned char h1[VAULT_ID_BYTES + 4], h2[VAULT_ID_BYTES + 4];
	size_t vlen = 0, len = 0;
	char *json = NULL, otherdir[4096];
	struct vault *other;

	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	a = put(f->v, "{\"who\":\"A\"}", "{\"s\":\"A\"}");
	b = put(f->v, "{\"who\":\"B\"}", "{\"s\":\"B\"}");
	assert_ok(f->v, vault_record_replace(f->v, &a, "{\"who\":\"A2\"}", 12, NULL, 0));
	assert_ok(f->v, vault_record_replace(f->v, &a, "{\"who\":\"A3\"}", 12, NULL, 0));
	assert_ok(f->v, vault_draft_put(f->v, &draft, "{\"d\":1}", 7));
	vault_close(f->v);
	f->v = NULL;
	memset(&fresh, 0x5C, sizeof fresh);

	/* Record A copied over B and to an id of its own; summary A over B. */
	val = raw_get(f->dir, "records", a.b, VAULT_ID_BYTES, &vlen);
	raw_put(f->dir, "records", b.b, VAULT_ID_BYTES, val, vlen);
	raw_put(f->dir, "records", fresh.b, VAULT_ID_BYTES, val, vlen);
	/* A record envelope put where a summary belongs. */
	raw_put(f->dir, "summaries", a.b, VAULT_ID_BYTES, val, vlen);
	free(val);
	val = raw_get(f->dir, "summaries", b.b, VAULT_ID_BYTES, &vlen);
	raw_put(f->dir, "summaries", fresh.b, VAULT_ID_BYTES, val, vlen);
	free(val);
	/* Alice's draft moved into bob's drafts. */
	memcpy(dkey, "alice", 6);
	memcpy(dkey + 6, draft.b, VAULT_ID_BYTES);
	val = raw_get(f->dir, "drafts", dkey, sizeof dkey, &vlen);
	memcpy(bkey, "bob", 4);
	memcpy(bkey + 4, draft.b, VAULT_ID_BYTES);
	raw_put(f->dir, "drafts", bkey, sizeof bkey, val, vlen);
	free(val);
	/* Version 1 of A put in place of version 2. */
	memcpy(h1, a.b, VAULT_ID_BYTES);
	memcpy(h2, a.b, VAULT_ID_BYTES);
	memcpy(h1 + VAULT_ID_BYTES, "\0\0\0\1", 4);
	memcpy(h2 + VAULT_ID_BYTES, "\0\0\0\2", 4);
	val = raw_get(f->dir, "history", h1, sizeof h1, &vlen);
	raw_put(f->dir, "history", h2, sizeof h2, val, vlen);
	free(val);

	f->v = reopen(f->dir, "alice", PASS_A);
	assert_st(f->v, vault_record_get(f->v, &b, &json, &len), ST_TAMPERED);
	record_id_code(&b, &code);
	assert_msg_has(f->v, code.s);
	assert_st(f->v, vault_record_get(f->v, &fresh, &json, &len), ST_TAMPERED);
	record_id_code(&fresh, &code);
	assert_msg_has(f->v, code.s);
	assert_st(f->v, vault_summary_get(f->v, &a, &json, &len), ST_TAMPERED);
	assert_st(f->v, vault_summary_get(f->v, &fresh, &json, &len), ST_TAMPERED);
	assert_st(f->v, vault_record_history(f->v, &a, 2, &json, &len), ST_TAMPERED);
	assert_ok(f->v, vault_record_history(f->v, &a, 1, &json, &len));
	assert_string_equal(json, "{\"who\":\"A\"}");
	vault_plain_free(json, len);
	get_equals(f->v, &a, "{\"who\":\"A3\"}");
	relock_as(f, "bob", PASS_B);
	assert_st(f->v, vault_draft_get(f->v, &draft, &json, &len), ST_TAMPERED);
	assert_null(json);

	/* A record copied into another vault, under the same id. */
	PATH_FMT(otherdir, "%s/other", f->tmp);
	other = vault_new();
	assert_ok(other, vault_create(other, otherdir, "alice", PASS_A, strlen(PASS_A), &fast));
	vault_close(other);
	vault_close(f->v);
	f->v = NULL;
	val = raw_get(f->dir, "records", a.b, VAULT_ID_BYTES, &vlen);
	raw_put(otherdir, "records", a.b, VAULT_ID_BYTES, val, vlen);
	free(val);
	other = reopen(otherdir, "alice", PASS_A);
	assert_st(other, vault_record_get(other, &a, &json, &len), ST_TAMPERED);
	vault_close(other);
	f->v = reopen(f->dir, "alice", PASS_A);
}

static void
set_role(unsigned char *val, size_t *vlen, size_t role)
{
	/* A format 2 entry: with or without the group key's grant. */
	assert_true(*vlen == 453 || *vlen == 537);
	val[1] = (unsigned char)role;
}

static void
set_ops(unsigned char *val, size_t *vlen, size_t ops)
{
	(void)vlen;
	for (int i = 0; i < 8; i++)
		val[4 + i] = (unsigned char)((uint64_t)ops >> (56 - 8 * i));
}

static void
user_entry_tampering(void **state)
{
	struct fx *f = *state;

	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_ok(f->v, vault_user_add(f->v, "carol", ROLE_INTERVIEWER, PASS_C, strlen(PASS_C), &fast));
	assert_ok(f->v, vault_user_add(f->v, "dave", ROLE_INTERVIEWER, PASS_C, strlen(PASS_C), &fast));
	assert_ok(f->v, vault_user_add(f->v, "erin", ROLE_INTERVIEWER, PASS_C, strlen(PASS_C), &fast));
	assert_ok(f->v, vault_user_add(f->v, "finn", ROLE_INTERVIEWER, PASS_C, strlen(PASS_C), &fast));
	vault_close(f->v);
	f->v = NULL;

	/* bob promotes himself on disk; carol's wrapped key, dave's passphrase
	 * check and erin's salt get a flipped bit; finn asks for 2^40 passes;
	 * alice's entry loses its last byte. */
	raw_edit(f->dir, "users", "bob", 3, set_role, ROLE_SUPERVISOR);
	raw_edit(f->dir, "users", "carol", 5, flip_byte, 52 + 30);
	raw_edit(f->dir, "users", "dave", 4, flip_byte, 36 + 3);
	raw_edit(f->dir, "users", "erin", 4, flip_byte, 20 + 5);
	raw_edit(f->dir, "users", "finn", 4, set_ops, (size_t)1 << 40);
	raw_edit(f->dir, "users", "alice", 5, truncate_to, 123);

	f->v = reopen(f->dir, NULL, NULL);
	assert_st(f->v, vault_unlock(f->v, "bob", PASS_B, strlen(PASS_B)), ST_TAMPERED);
	assert_msg_has(f->v, "role or wrapped key");
	assert_false(vault_is_unlocked(f->v));
	/* With the wrong passphrase it is just a wrong passphrase. */
	assert_st(f->v, vault_unlock(f->v, "bob", PASS_C, strlen(PASS_C)), ST_AUTH);
	assert_st(f->v, vault_unlock(f->v, "carol", PASS_C, strlen(PASS_C)), ST_TAMPERED);
	assert_st(f->v, vault_unlock(f->v, "dave", PASS_C, strlen(PASS_C)), ST_TAMPERED);
	assert_msg_has(f->v, "passphrase check");
	/* A changed salt cannot be told from a wrong passphrase. */
	assert_st(f->v, vault_unlock(f->v, "erin", PASS_C, strlen(PASS_C)), ST_AUTH);
	assert_st(f->v, vault_unlock(f->v, "finn", PASS_C, strlen(PASS_C)), ST_TAMPERED);
	assert_msg_has(f->v, "damaged");
	assert_st(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)), ST_TAMPERED);
	assert_false(vault_is_unlocked(f->v));
}

static void
open_missing_dir(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char dir[4096];

	PATH_FMT(dir, "%s/nowhere", f->tmp);
	assert_st(v, vault_open(v, dir), ST_NOTFOUND);
	assert_msg_has(v, "intake init");
	assert_msg_has(v, dir);
	assert_st(v, vault_unlock(v, "alice", PASS_A, strlen(PASS_A)), ST_INVALID);
	vault_close(v);
}

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
open_not_a_vault(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char empty[4096], foreign[4096], meta_value[4096], garbage[4096], file[4096];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 5, (void *)(uintptr_t)"hello" }, d = { 5, (void *)(uintptr_t)"world" };
	FILE *fp;

	PATH_FMT(empty, "%s/empty", f->tmp);
	assert_int_equal(mkdir(empty, 0700), 0);
	assert_st(v, vault_open(v, empty), ST_FORMAT);
	assert_msg_has(v, "not an Intake vault");
	/* Opening must not have written anything there. */
	assert_int_equal(count_entries(empty), 0);

	/* Another program's LMDB environment, with its own named database. */
	PATH_FMT(foreign, "%s/foreign", f->tmp);
	assert_int_equal(mkdir(foreign, 0700), 0);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
	assert_int_equal(mdb_env_open(env, foreign, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_dbi_open(txn, "settings", MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	assert_st(v, vault_open(v, foreign), ST_FORMAT);
	assert_msg_has(v, "not an Intake vault");

	/* One whose main database has a plain value named "meta". */
	PATH_FMT(meta_value, "%s/metavalue", f->tmp);
	assert_int_equal(mkdir(meta_value, 0700), 0);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_open(env, meta_value, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	k.mv_size = 4;
	k.mv_data = (void *)(uintptr_t)"meta";
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	assert_st(v, vault_open(v, meta_value), ST_FORMAT);
	assert_msg_has(v, "not an Intake vault");

	/* A data.mdb that is not LMDB at all. */
	PATH_FMT(garbage, "%s/garbage", f->tmp);
	assert_int_equal(mkdir(garbage, 0700), 0);
	PATH_FMT(file, "%s/data.mdb", garbage);
	fp = fopen(file, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 3 * 4096; i++)
		fputc((i * 131) & 0xFF, fp);
	fclose(fp);
	assert_st(v, vault_open(v, garbage), ST_FORMAT);
	assert_msg_has(v, "not a valid LMDB");

	/* A file instead of a directory. */
	assert_st(v, vault_open(v, file), ST_FORMAT);
	vault_close(v);
}

static void
open_newer_format(void **state)
{
	struct fx *f = *state;
	unsigned char three[4] = { 0, 0, 0, 3 };
	struct vault *v;

	vault_close(f->v);
	f->v = NULL;
	raw_put(f->dir, "meta", "format", 6, three, sizeof three);
	v = vault_new();
	assert_st(v, vault_open(v, f->dir), ST_FORMAT);
	assert_string_equal(vault_errmsg(v),
	    "this vault uses format 3, newer than this intake (format 2): upgrade intake");
	vault_close(v);
	/* A missing table is damage, not a foreign vault. */
	three[3] = 2;
	raw_put(f->dir, "meta", "format", 6, three, sizeof three);
	f->v = reopen(f->dir, "alice", PASS_A);
}

static void pad_record(char *buf, size_t size, unsigned i);

static void
open_truncated_data(void **state)
{
	struct fx *f = *state;
	char data[4096];
	struct stat sb;
	off_t full;
	char body[2100];

	/* Records that do not compress, each taking an overflow page. */
	for (int i = 0; i < 40; i++) {
		pad_record(body, sizeof body, (unsigned)i);
		(void)put(f->v, body, "{}");
	}
	vault_close(f->v);
	f->v = NULL;
	PATH_FMT(data, "%s/data.mdb", f->dir);
	assert_int_equal(stat(data, &sb), 0);
	full = sb.st_size;
	assert_true(full > 40 * 4096);

	const off_t cuts[] = { full / 2, full - 3 * 4096, 3 * 4096, 8192, 4096 + 17, 4096, 100, 0 };
	for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
		struct vault *v = vault_new();
		enum status st;

		assert_int_equal(truncate(data, cuts[c]), 0);
		st = vault_open(v, f->dir);
		if (st != ST_TAMPERED && st != ST_FORMAT)
			fail_msg("cut to %lld: %s (%s)", (long long)cuts[c], status_str(st),
			    vault_errmsg(v));
		if (strstr(vault_errmsg(v), "truncated") == NULL &&
		    strstr(vault_errmsg(v), "damaged") == NULL)
			fail_msg("cut to %lld: unclear message \"%s\"", (long long)cuts[c],
			    vault_errmsg(v));
		assert_msg_has(v, "backup");
		vault_close(v);
	}
}

/* Fails the test if needle occurs in any file under dir. */
static void
assert_absent_from_files(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int files = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = 0;
		char *data;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		PATH_FMT(path, "%s/%s", dir, e->d_name);
		data = tu_slurp(path, &len);
		assert_non_null(data);
		if (memmem(data, len, needle, strlen(needle)) != NULL)
			fail_msg("\"%s\" found in %s", needle, path);
		free(data);
		files++;
	}
	closedir(d);
	assert_true(files >= 2);
}

static void
marker_never_reaches_disk(void **state)
{
	struct fx *f = *state;
	unsigned char rnd[12];
	char marker[64], hexpart[25], json[256], form[256], hash[65], cmd[4200];
	char *dump = NULL, *got = NULL;
	struct record_id id, draft = { {0} };
	size_t dumplen = 0, cap = 0, n, len = 0;
	FILE *p;

	crypto_random(rnd, sizeof rnd);
	crypto_bin2hex(hexpart, rnd, sizeof rnd);
	PATH_FMT(marker, "MARKER-%s", hexpart);
	PATH_FMT(json, "{\"name\":\"%s\",\"answers\":{\"q1\":\"%s\"}}", marker, marker);
	id = put(f->v, json, json);
	assert_ok(f->v, vault_record_replace(f->v, &id, json, strlen(json), json, strlen(json)));
	assert_ok(f->v, vault_draft_put(f->v, &draft, json, strlen(json)));
	assert_ok(f->v, vault_draft_put(f->v, &draft, json, strlen(json)));
	PATH_FMT(form, "id: screening\nnote: %s\n", marker);
	assert_ok(f->v, vault_form_put(f->v, form, strlen(form), hash));
	assert_ok(f->v, vault_user_passwd(f->v, NULL, PASS_C, strlen(PASS_C)));
	vault_close(f->v);
	f->v = NULL;

	assert_absent_from_files(f->dir, marker);
	assert_absent_from_files(f->dir, PASS_A);
	assert_absent_from_files(f->dir, PASS_C);

	PATH_FMT(cmd, "mdb_dump -a -p '%s' 2>&1", f->dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		if (cap - dumplen < 4096) {
			cap = cap ? 2 * cap : 65536;
			dump = realloc(dump, cap);
			assert_non_null(dump);
		}
		n = fread(dump + dumplen, 1, cap - dumplen - 1, p);
		if (n == 0)
			break;
		dumplen += n;
	}
	assert_int_equal(pclose(p), 0);
	dump[dumplen] = '\0';
	/* The dump worked and covered the sealed tables... */
	assert_non_null(strstr(dump, "records"));
	assert_non_null(strstr(dump, "drafts"));
	assert_non_null(strstr(dump, "history"));
	/* ...and shows no plaintext. */
	assert_null(strstr(dump, marker));
	assert_null(strstr(dump, "MARKER"));
	free(dump);

	/* The marker is really stored: it comes back through the vault. */
	f->v = reopen(f->dir, "alice", PASS_C);
	assert_ok(f->v, vault_record_history(f->v, &id, 1, &got, &len));
	assert_non_null(strstr(got, marker));
	vault_plain_free(got, len);
	assert_ok(f->v, vault_draft_get(f->v, &draft, &got, &len));
	assert_non_null(strstr(got, marker));
	vault_plain_free(got, len);
}

static mode_t
mode_of(const char *dir, const char *file)
{
	char path[4096];
	struct stat sb;

	if (file != NULL)
		PATH_FMT(path, "%s/%s", dir, file);
	else
		PATH_FMT(path, "%s", dir);
	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 07777;
}

static void
file_modes_private_and_shared(void **state)
{
	struct fx *f = *state;
	char priv[4096], shared[4096];
	struct vault *v;
	mode_t old;

	/* A permissive umask must not loosen the vault... */
	old = umask(022);
	PATH_FMT(priv, "%s/private", f->tmp);
	v = vault_new();
	assert_ok(v, vault_create(v, priv, "zed", PASS_B, strlen(PASS_B), &fast));
	vault_close(v);
	assert_int_equal(mode_of(priv, NULL), 0700);
	assert_int_equal(mode_of(priv, "data.mdb"), 0600);
	assert_int_equal(mode_of(priv, "lock.mdb"), 0600);
	/* ...and the program's strict umask must not break group sharing. */
	umask(077);
	PATH_FMT(shared, "%s/shared", f->tmp);
	v = vault_new();
	vault_set_shared(v, 1);
	assert_ok(v, vault_create(v, shared, "zed", PASS_B, strlen(PASS_B), &fast));
	vault_close(v);
	umask(old);
	assert_int_equal(mode_of(shared, NULL), 03770);
	assert_int_equal(mode_of(shared, "data.mdb"), 0660);
	assert_int_equal(mode_of(shared, "lock.mdb"), 0660);
	assert_int_equal(mode_of(f->dir, NULL), 0700);
	v = reopen(shared, "zed", PASS_B);
	vault_close(v);
	/* A lock file lost (say, in a restore) comes back group-writable. */
	PATH_FMT(priv, "%s/lock.mdb", shared);
	assert_int_equal(unlink(priv), 0);
	old = umask(077);
	v = reopen(shared, "zed", PASS_B);
	umask(old);
	assert_int_equal(mode_of(shared, "lock.mdb"), 0660);
	vault_close(v);
}

/* In a shared vault's sticky directory a file of a member who does not
 * own the directory cannot be opened for writing by anyone else
 * (fs.protected_regular): such a file is named with its fix, and a lost
 * lock.mdb is made again only by the directory's owner, never by a
 * member whose file it would then be. Run as root in CI; skipped else. */
static void
sticky_vault_files_belong_to_its_owner(void **state)
{
	struct fx *f = *state;
	char shared[4096], lock[4096];
	struct vault *v;

	if (geteuid() != 0) {
		print_message("# skipped: chown needs root\n");
		return;
	}
	PATH_FMT(shared, "%s/sticky", f->tmp);
	PATH_FMT(lock, "%s/lock.mdb", shared);
	v = vault_new();
	vault_set_shared(v, 1);
	assert_ok(v, vault_create(v, shared, "zed", PASS_B, strlen(PASS_B), &fast));
	vault_close(v);

	/* lock.mdb made by member 4242. */
	assert_int_equal(chown(lock, 4242, (gid_t)-1), 0);
	v = vault_new();
	assert_int_equal(vault_open(v, shared), ST_DENIED);
	assert_non_null(strstr(vault_errmsg(v), "belongs to user 4242, neither you nor the vault "
	    "directory's owner (user 0)"));
	assert_non_null(strstr(vault_errmsg(v), "chown 0 "));
	vault_close(v);
	assert_int_equal(chown(lock, 0, (gid_t)-1), 0);
	v = reopen(shared, "zed", PASS_B);
	vault_close(v);

	/* The directory is member 4242's; lock.mdb is lost: root may not
	 * make it, 4242 may. */
	assert_int_equal(chown(shared, 4242, (gid_t)-1), 0);
	assert_int_equal(chmod(shared, 03770), 0);
	assert_int_equal(unlink(lock), 0);
	v = vault_new();
	assert_int_equal(vault_open(v, shared), ST_DENIED);
	assert_non_null(strstr(vault_errmsg(v), "lock.mdb is missing: in this shared vault only "
	    "the vault directory's owner (user 4242) may make it again"));
	vault_close(v);
	assert_int_equal(access(lock, F_OK), -1);
	assert_int_equal(chown(shared, 0, (gid_t)-1), 0);
	assert_int_equal(chmod(shared, 03770), 0);
	v = reopen(shared, "zed", PASS_B);
	vault_close(v);
	assert_int_equal(access(lock, F_OK), 0);
}

#define KIB ((size_t)1024)

/* A record of size - 1 bytes that does not compress (format 2 compresses
 * before sealing), so that it still takes an overflow page: bytes 1..255
 * from a generator seeded by i, so the same i gives the same record. */
static void
pad_record(char *buf, size_t size, unsigned i)
{
	int n = snprintf(buf, size, "{\"i\":%u,\"pad\":\"", i);
	uint32_t x = 2463534242u + i;

	assert_true(n > 0 && (size_t)n < size - 3);
	for (size_t at = (size_t)n; at < size - 3; at++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[at] = (char)(1 + x % 255);
	}
	memcpy(buf + size - 3, "\"}", 3);
}

static void
map_grows_and_reopens(void **state)
{
	struct fx *f = *state;
	char dir[4096], rec[2048], *json = NULL;
	struct record_id ids[300], *list = NULL;
	size_t initial, n = 0, len = 0;
	struct vault *v = vault_new();

	PATH_FMT(dir, "%s/grow", f->tmp);
	vault_set_map_size(v, 128 * KIB, 0);
	assert_ok(v, vault_create(v, dir, "zed", PASS_B, strlen(PASS_B), &fast));
	initial = vault_map_size(v);
	assert_true(initial >= 128 * KIB && initial < 256 * KIB);
	for (unsigned i = 0; i < 300; i++) {
		pad_record(rec, sizeof rec, i);
		assert_ok(v, vault_record_put(v, rec, strlen(rec), "{\"s\":1}", 7, &ids[i]));
	}
	/* 300 records of 2 KiB need more than 1 MiB: at least three doublings. */
	assert_true(vault_map_size(v) >= 8 * initial);
	vault_close(v);

	v = vault_new();
	vault_set_map_size(v, 128 * KIB, 0);
	assert_ok(v, vault_open(v, dir));
	assert_true(vault_map_size(v) >= 8 * initial);
	assert_ok(v, vault_unlock(v, "zed", PASS_B, strlen(PASS_B)));
	assert_ok(v, vault_record_list(v, &list, &n));
	assert_int_equal(n, 300);
	free(list);
	for (unsigned i = 0; i < 300; i++) {
		pad_record(rec, sizeof rec, i);
		assert_ok(v, vault_record_get(v, &ids[i], &json, &len));
		assert_string_equal(json, rec);
		vault_plain_free(json, len);
	}
	vault_close(v);
}

static void
map_limit_reports_full(void **state)
{
	struct fx *f = *state;
	char dir[4096], rec[2048], *json = NULL;
	struct record_id ids[400], draft = { {0} };
	size_t written = 0, len = 0;
	struct vault *v = vault_new();
	enum status st = ST_OK;

	PATH_FMT(dir, "%s/small", f->tmp);
	vault_set_map_size(v, 128 * KIB, 512 * KIB);
	assert_ok(v, vault_create(v, dir, "zed", PASS_B, strlen(PASS_B), &fast));
	while (written < 400) {
		pad_record(rec, sizeof rec, (unsigned)written);
		st = vault_record_put(v, rec, strlen(rec), "{}", 2, &ids[written]);
		if (st != ST_OK)
			break;
		written++;
	}
	assert_int_equal(st, ST_FULL);
	assert_msg_has(v, "vault is full");
	assert_true(written > 20);
	assert_true(vault_map_size(v) <= 512 * KIB);
	/* Smaller items may still fit; drafts too end with ST_FULL. */
	for (int i = 0; i < 100 && st == ST_FULL; i++) {
		memset(&draft, 0, sizeof draft);
		if (vault_draft_put(v, &draft, rec, strlen(rec)) != ST_OK)
			break;
	}
	assert_st(v, vault_draft_put(v, &draft, rec, strlen(rec)), ST_FULL);
	assert_msg_has(v, "512 KiB");
	/* Everything saved before stays readable, now and after reopening. */
	for (size_t i = 0; i < written; i++) {
		assert_ok(v, vault_record_get(v, &ids[i], &json, &len));
		vault_plain_free(json, len);
	}
	vault_close(v);
	v = vault_new();
	vault_set_map_size(v, 128 * KIB, 512 * KIB);
	assert_ok(v, vault_open(v, dir));
	assert_ok(v, vault_unlock(v, "zed", PASS_B, strlen(PASS_B)));
	for (size_t i = 0; i < written; i++) {
		pad_record(rec, sizeof rec, (unsigned)i);
		assert_ok(v, vault_record_get(v, &ids[i], &json, &len));
		assert_string_equal(json, rec);
		vault_plain_free(json, len);
	}
	vault_close(v);
}

/* Child side of the two-process tests: no cmocka here, just an exit code. */
static int
child_write(const char *dir, unsigned count, int report_fd)
{
	char rec[2048];
	struct record_id id;
	struct vault *v = vault_new();
	unsigned done = 0;
	enum status st = ST_OK;
	int rc = 1;

	vault_set_map_size(v, 128 * KIB, 0);
	if (vault_open(v, dir) != ST_OK ||
	    vault_unlock(v, "alice", PASS_A, strlen(PASS_A)) != ST_OK)
		goto out;
	for (; done < count; done++) {
		pad_record(rec, sizeof rec, 1000 + done);
		st = vault_record_put(v, rec, strlen(rec), "{}", 2, &id);
		if (st != ST_OK)
			break;
	}
	rc = 0;
	if (report_fd >= 0) {
		char line[VAULT_MSG_MAX + 64];
		int n = snprintf(line, sizeof line, "%u %d %s", done, (int)st, vault_errmsg(v));
		if (n < 0 || write(report_fd, line, (size_t)n) != n)
			rc = 1;
	} else if (st != ST_OK) {
		rc = 1;
	}
out:
	vault_close(v);
	return rc;
}

static void
map_resized_by_another_process(void **state)
{
	struct fx *f = *state;
	struct record_id before, after, *list = NULL;
	char *json = NULL;
	size_t n = 0, len = 0, small;
	int status;
	pid_t pid;

	/* A vault created with a tiny map, which a child then outgrows. */
	vault_close(f->v);
	PATH_FMT(f->dir, "%s/resize", f->tmp);
	f->v = vault_new();
	vault_set_map_size(f->v, 128 * KIB, 0);
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	before = put(f->v, "{\"before\":1}", NULL);
	small = vault_map_size(f->v);
	assert_true(small < 256 * KIB);

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_write(f->dir, 200, -1));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* The parent's map is now smaller than the data: it must adopt the
	 * new size and go on reading and writing. */
	assert_ok(f->v, vault_record_list(f->v, &list, &n));
	assert_int_equal(n, 201);
	for (size_t i = 0; i < n; i++) {
		assert_ok(f->v, vault_record_get(f->v, &list[i], &json, &len));
		vault_plain_free(json, len);
	}
	free(list);
	assert_true(vault_map_size(f->v) > small);
	after = put(f->v, "{\"after\":1}", NULL);
	get_equals(f->v, &before, "{\"before\":1}");
	get_equals(f->v, &after, "{\"after\":1}");
}

static void
disk_full_reported(void **state)
{
	struct fx *f = *state;
	struct record_id *list = NULL;
	char report[VAULT_MSG_MAX + 64] = "", *msg, *json = NULL;
	unsigned done = 0;
	int fds[2], status, st = -1;
	size_t n = 0, len = 0;
	ssize_t got;
	pid_t pid;

	put(f->v, "{\"first\":1}", NULL);
	vault_close(f->v);
	f->v = NULL;
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A file size limit stands in for a full disk: writes past it
		 * fail with EFBIG instead of ENOSPC, through the same paths. */
		char data[4096];
		struct stat sb;
		struct rlimit rl;

		close(fds[0]);
		if ((size_t)snprintf(data, sizeof data, "%s/data.mdb", f->dir) >= sizeof data ||
		    stat(data, &sb) != 0)
			_exit(2);
		rl.rlim_cur = rl.rlim_max = (rlim_t)sb.st_size + 64 * KIB;
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		_exit(child_write(f->dir, 1000, fds[1]));
	}
	close(fds[1]);
	got = read(fds[0], report, sizeof report - 1);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(got > 0);
	report[got] = '\0';
	assert_int_equal(sscanf(report, "%u %d", &done, &st), 2);
	msg = strchr(strchr(report, ' ') + 1, ' ') + 1;
	assert_int_equal(st, ST_FULL);
	if (strstr(msg, "no space left") == NULL || strstr(msg, "nothing was saved") == NULL)
		fail_msg("unclear message: %s", msg);
	assert_true(done > 0 && done < 1000);

	f->v = reopen(f->dir, "alice", PASS_A);
	assert_ok(f->v, vault_record_list(f->v, &list, &n));
	assert_int_equal(n, 1 + done);
	for (size_t i = 0; i < n; i++) {
		assert_ok(f->v, vault_record_get(f->v, &list[i], &json, &len));
		vault_plain_free(json, len);
	}
	free(list);
}

static void
default_dir_follows_xdg(void **state)
{
	char buf[4096], *home = getenv("HOME"), *xdg = getenv("XDG_DATA_HOME");
	char *home_copy = home ? strdup(home) : NULL, *xdg_copy = xdg ? strdup(xdg) : NULL;

	(void)state;
	setenv("XDG_DATA_HOME", "/srv/data", 1);
	assert_int_equal(vault_default_dir(buf, sizeof buf, NULL), ST_OK);
	assert_string_equal(buf, "/srv/data/intake/vault");
	assert_int_equal(vault_default_dir(buf, sizeof buf, "training"), ST_OK);
	assert_string_equal(buf, "/srv/data/intake/training");
	setenv("HOME", "/home/noy", 1);
	setenv("XDG_DATA_HOME", "relative/path", 1);
	assert_int_equal(vault_default_dir(buf, sizeof buf, NULL), ST_OK);
	assert_string_equal(buf, "/home/noy/.local/share/intake/vault");
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(vault_default_dir(buf, sizeof buf, "vault"), ST_OK);
	assert_string_equal(buf, "/home/noy/.local/share/intake/vault");
	assert_int_equal(vault_default_dir(buf, 20, NULL), ST_INVALID);
	if (home_copy)
		setenv("HOME", home_copy, 1);
	if (xdg_copy)
		setenv("XDG_DATA_HOME", xdg_copy, 1);
	free(home_copy);
	free(xdg_copy);
}

static void
case_codes_catch_typos(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	struct record_id id;
	struct case_code code, back;
	char msg[VAULT_MSG_MAX], sym[10], typed[16];

	(void)state;
	memset(&id, 0, sizeof id);
	record_id_code(&id, &code);
	assert_string_equal(code.s, "0000-0000-0");
	for (int round = 0; round < 200; round++) {
		crypto_random(id.b, sizeof id.b);
		record_id_code(&id, &code);
		assert_ok(NULL, case_code_parse(code.s, &back, msg, sizeof msg));
		assert_string_equal(back.s, code.s);
		/* The nine symbols without dashes. */
		for (int i = 0, j = 0; code.s[i]; i++)
			if (code.s[i] != '-')
				sym[j++] = code.s[i];
		sym[9] = '\0';
		for (int pos = 0; pos < 9; pos++) {
			for (int a = 0; a < 32; a++) {
				if (alphabet[a] == sym[pos])
					continue;
				memcpy(typed, sym, 10);
				typed[pos] = alphabet[a];
				if (case_code_parse(typed, NULL, msg, sizeof msg) != ST_INVALID)
					fail_msg("%s accepted as a typo of %s", typed, sym);
			}
			if (pos < 8 && sym[pos] != sym[pos + 1]) {
				memcpy(typed, sym, 10);
				typed[pos] = sym[pos + 1];
				typed[pos + 1] = sym[pos];
				if (case_code_parse(typed, NULL, msg, sizeof msg) != ST_INVALID)
					fail_msg("swap %s accepted for %s", typed, sym);
			}
		}
		/* Spaces instead of dashes, as read aloud and typed. */
		memcpy(typed, code.s, sizeof code.s);
		typed[4] = typed[9] = ' ';
		assert_ok(NULL, case_code_parse(typed, &back, NULL, 0));
		assert_string_equal(back.s, code.s);
	}
	assert_int_equal(case_code_parse("", NULL, msg, sizeof msg), ST_INVALID);
	assert_int_equal(case_code_parse(NULL, NULL, msg, sizeof msg), ST_INVALID);
	assert_int_equal(case_code_parse("0000-0000-00", NULL, msg, sizeof msg), ST_INVALID);
	assert_int_equal(case_code_parse("0000-0000-*", NULL, msg, sizeof msg), ST_INVALID);
	/* The example that error messages show is itself a valid code. */
	assert_int_equal(case_code_parse("K7QM-3XTD-D", NULL, msg, sizeof msg), ST_OK);
	assert_int_equal(case_code_parse("oooo-oooo-o", &back, msg, sizeof msg), ST_OK);
	assert_string_equal(back.s, "0000-0000-0");
}

static void
calibration_defaults(void **state)
{
	struct vault_kdf k = { 0, 0 };

	(void)state;
	assert_int_equal(vault_kdf_calibrate(8, 30, &k), ST_OK);
	assert_int_equal(k.mem_mib, 8);
	assert_true(k.ops >= 3);
	assert_int_equal(vault_kdf_calibrate(4, 30, &k), ST_INVALID);
}

/* Writes code point c as UTF-8 into out; returns the byte count. */
static size_t
utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* A reason or a user name refuses exactly the characters textcheck hides
 * (textcheck.h, the one rule): anything a terminal would act on or not
 * show, and nothing a person writes. Every code point is tried inside
 * "a...b", where no other rule (spaces at the ends, '-' first) applies. */
static void
reasons_and_names_refuse_what_textcheck_hides(void **state)
{
	char text[8], msg[256];
	size_t n;

	(void)state;
	for (uint32_t c = 1; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		text[0] = 'a';
		n = 1 + utf8_put(c, text + 1);
		text[n] = 'b';
		text[n + 1] = '\0';
		if (textcheck_is_hidden(c)) {
			if (vault_check_reason(text, msg, sizeof msg) != ST_INVALID ||
			    strstr(msg, "control or invisible") == NULL)
				fail_msg("a reason with U+%04X was not refused as hidden", (unsigned)c);
			if (vault_check_user_name(text, msg, sizeof msg) != ST_INVALID ||
			    strstr(msg, "control or invisible") == NULL)
				fail_msg("a user name with U+%04X was not refused as hidden", (unsigned)c);
		} else {
			if (vault_check_reason(text, msg, sizeof msg) != ST_OK)
				fail_msg("a reason with U+%04X was refused: %s", (unsigned)c, msg);
			/* A name also refuses what shows nothing (U+200B, U+00AD, ...),
			 * so that "ana" and "ana<U+200B>" cannot both be users. */
			if (textcheck_is_invisible(c)) {
				if (vault_check_user_name(text, msg, sizeof msg) != ST_INVALID ||
				    strstr(msg, "shows nothing") == NULL)
					fail_msg("a user name with U+%04X was not refused as invisible",
					    (unsigned)c);
			} else if (vault_check_user_name(text, msg, sizeof msg) != ST_OK) {
				fail_msg("a user name with U+%04X was refused: %s", (unsigned)c, msg);
			}
		}
	}
}

struct scan_log {
	struct vault *v;
	size_t ok, tampered, stop_after;
	int mode;                 /* 0 count, 1 write inside, 2 read inside, 3 nested scan */
	enum status inner;
	struct record_id last;
};

static int
scan_cb(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct scan_log *l = ctx;
	struct record_id tmp;
	char *got = NULL;
	size_t glen = 0;

	if (st == ST_OK) {
		assert_non_null(json);
		assert_int_equal(strlen(json), len);
		l->ok++;
	} else {
		assert_int_equal(st, ST_TAMPERED);
		assert_null(json);
		l->tampered++;
	}
	l->last = *id;
	if (l->mode == 1)
		l->inner = vault_record_put(l->v, "{}", 2, NULL, 0, &tmp);
	else if (l->mode == 2 && st == ST_OK) {
		l->inner = vault_record_get(l->v, id, &got, &glen);
		if (l->inner == ST_OK && strcmp(got, json) != 0)
			l->inner = ST_INTERNAL;
		vault_plain_free(got, glen);
	} else if (l->mode == 3)
		l->inner = vault_record_scan(l->v, scan_cb, l);
	return l->stop_after != 0 && l->ok + l->tampered >= l->stop_after;
}

static struct scan_log
scan_run(struct vault *v, int summaries, int mode, size_t stop_after)
{
	struct scan_log l = { v, 0, 0, stop_after, mode, ST_OK, { {0} } };

	if (summaries)
		assert_ok(v, vault_summary_scan(v, scan_cb, &l));
	else
		assert_ok(v, vault_record_scan(v, scan_cb, &l));
	return l;
}

static void
scans_visit_readable_items(void **state)
{
	struct fx *f = *state;
	struct record_id ra[3];
	struct scan_log l;

	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	for (int i = 0; i < 3; i++)
		ra[i] = put(f->v, "{\"by\":\"alice\"}", "{\"s\":\"a\"}");
	relock_as(f, "bob", PASS_B);
	put(f->v, "{\"by\":\"bob\"}", "{\"s\":\"b\"}");
	put(f->v, "{\"by\":\"bob\"}", NULL);

	assert_int_equal(scan_run(f->v, 0, 0, 0).ok, 2);
	assert_int_equal(scan_run(f->v, 1, 0, 0).ok, 1);
	relock_as(f, "alice", PASS_A);
	assert_int_equal(scan_run(f->v, 0, 0, 0).ok, 5);
	assert_int_equal(scan_run(f->v, 1, 0, 0).ok, 4);
	assert_int_equal(scan_run(f->v, 0, 0, 2).ok, 2);

	/* Reading inside a scan works; writing and nesting are refused. */
	l = scan_run(f->v, 0, 2, 0);
	assert_int_equal(l.inner, ST_OK);
	l = scan_run(f->v, 0, 1, 1);
	assert_int_equal(l.inner, ST_BUSY);
	l = scan_run(f->v, 0, 3, 1);
	assert_int_equal(l.inner, ST_BUSY);
	/* Once the scan is over, writing works again. */
	put(f->v, "{\"after\":1}", NULL);

	vault_close(f->v);
	f->v = NULL;
	flip_in_db(f->dir, "records", ra[1].b, VAULT_ID_BYTES, 100);
	f->v = reopen(f->dir, "alice", PASS_A);
	l = scan_run(f->v, 0, 0, 0);
	assert_int_equal(l.ok, 5);
	assert_int_equal(l.tampered, 1);
	/* bob holds no key to alice's records: he cannot open them, nor tell
	 * a damaged one from any other of hers; he sees his own. */
	relock_as(f, "bob", PASS_B);
	l = scan_run(f->v, 0, 0, 0);
	assert_int_equal(l.ok, 2);
	assert_int_equal(l.tampered, 0);
	vault_lock(f->v);
	assert_st(f->v, vault_record_scan(f->v, scan_cb, &l), ST_LOCKED);
}

static void
meta_edits_detected(void **state)
{
	struct fx *f = *state;
	unsigned char *kdf, *created, *mac;
	size_t klen = 0, clen = 0, mlen = 0;
	struct vault *v;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 3, (void *)(uintptr_t)"mac" };

	vault_close(f->v);
	f->v = NULL;
	kdf = raw_get(f->dir, "meta", "kdf", 3, &klen);
	created = raw_get(f->dir, "meta", "created", 7, &clen);
	mac = raw_get(f->dir, "meta", "mac", 3, &mlen);
	assert_non_null(kdf);
	assert_non_null(created);
	assert_non_null(mac);
	assert_int_equal(klen, 16);

	/* Weaker defaults for future users: opens, but unlock reports it. */
	kdf[7] = 2;
	raw_put(f->dir, "meta", "kdf", 3, kdf, klen);
	v = reopen(f->dir, NULL, NULL);
	assert_st(v, vault_unlock(v, "alice", PASS_A, strlen(PASS_A)), ST_TAMPERED);
	assert_msg_has(v, "metadata");
	assert_false(vault_is_unlocked(v));
	vault_close(v);
	kdf[7] = 1;
	raw_put(f->dir, "meta", "kdf", 3, kdf, klen);

	created[7] ^= 1;
	raw_put(f->dir, "meta", "created", 7, created, clen);
	v = reopen(f->dir, NULL, NULL);
	assert_st(v, vault_unlock(v, "alice", PASS_A, strlen(PASS_A)), ST_TAMPERED);
	vault_close(v);
	created[7] ^= 1;
	raw_put(f->dir, "meta", "created", 7, created, clen);
	v = reopen(f->dir, "alice", PASS_A);
	vault_close(v);

	/* Without its MAC the metadata is damaged. */
	env = raw_open(f->dir);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
	assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	v = vault_new();
	assert_st(v, vault_open(v, f->dir), ST_TAMPERED);
	assert_msg_has(v, "metadata");
	vault_close(v);
	raw_put(f->dir, "meta", "mac", 3, mac, mlen);
	f->v = reopen(f->dir, "alice", PASS_A);
	free(kdf);
	free(created);
	free(mac);
}

static int
die_in_scan(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	(void)ctx;
	(void)id;
	(void)st;
	(void)json;
	(void)len;
	/* Killed while holding a read snapshot, as by a dropped SSH link. */
	kill(getpid(), SIGKILL);
	return 1;
}

static int
readers_list_has(const char *dir, pid_t pid)
{
	char cmd[4200], line[256], want[32];
	int found = 0, listed = 0;
	FILE *p;

	/* mdb_stat -r exits 1 even when it lists the table: check its output. */
	PATH_FMT(cmd, "mdb_stat -r '%s' 2>&1", dir);
	PATH_FMT(want, " %ld ", (long)pid);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof line, p) != NULL) {
		listed |= strstr(line, "Reader Table Status") != NULL;
		found |= strstr(line, want) != NULL;
	}
	pclose(p);
	assert_true(listed);
	return found;
}

static void
open_clears_dead_readers(void **state)
{
	struct fx *f = *state;
	int status;
	pid_t dead, pid;

	put(f->v, "{}", NULL);
	/* This handle keeps the environment open, so the lock table is not
	 * reset by the next opener and only the reader check can clear it. */
	fflush(NULL);
	dead = fork();
	assert_true(dead >= 0);
	if (dead == 0) {
		struct vault *c = vault_new();
		if (vault_open(c, f->dir) == ST_OK &&
		    vault_unlock(c, "alice", PASS_A, strlen(PASS_A)) == ST_OK)
			vault_record_scan(c, die_in_scan, NULL);
		_exit(1);
	}
	assert_int_equal(waitpid(dead, &status, 0), dead);
	assert_true(WIFSIGNALED(status));
	assert_true(readers_list_has(f->dir, dead));

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct vault *c = vault_new();
		int rc = vault_open(c, f->dir) == ST_OK ? 0 : 1;
		vault_close(c);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_false(readers_list_has(f->dir, dead));
	put(f->v, "{}", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_open_unlock_lock, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(locked_calls_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(create_refuses_existing_and_nonempty, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(create_makes_parents_and_fills_empty_dir, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(create_rejects_bad_input_without_leaving_files, fx_setup, fx_teardown),
		cmocka_unit_test(user_names_checked),
		cmocka_unit_test(passphrases_checked),
		cmocka_unit_test_setup_teardown(unlock_failures, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(users_add_list_remove_passwd, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(last_supervisor_stays, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(records_put_get_list_find, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(large_record_round_trip, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(replace_keeps_history, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(records_belong_to_owner_and_supervisors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(drafts_are_per_user, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(draft_list_respects_name_prefixes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(forms_by_hash, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(tamper_record_every_byte, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(tamper_summary_draft_history_form, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(moved_values_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(user_entry_tampering, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(open_missing_dir, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(open_not_a_vault, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(open_newer_format, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(open_truncated_data, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(meta_edits_detected, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(marker_never_reaches_disk, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(file_modes_private_and_shared, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(sticky_vault_files_belong_to_its_owner, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(map_grows_and_reopens, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(map_limit_reports_full, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(map_resized_by_another_process, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(disk_full_reported, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(open_clears_dead_readers, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(scans_visit_readable_items, fx_setup, fx_teardown),
		cmocka_unit_test(default_dir_follows_xdg),
		cmocka_unit_test(case_codes_catch_typos),
		cmocka_unit_test(calibration_defaults),
		cmocka_unit_test(reasons_and_names_refuse_what_textcheck_hides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
