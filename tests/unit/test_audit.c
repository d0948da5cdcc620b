/*
 * test_audit.c — roles, the audit trail, amend and delete, unlock pacing and
 * `verify`, exercised as users and as attackers with the files would.
 *
 * Attackers' edits go through plain LMDB calls on a closed vault. Small
 * Argon2id limits (1 pass, 8 MiB) keep unlocks fast.
 */
#include "testutil.h"
#include <errno.h>
#include <grp.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <lmdb.h>
#include "audit.h"
#include "crypto.h"
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

#define PASS_A "alice passphrase 1"
#define PASS_B "bob passphrase 22"
#define PASS_T "trainer passphrase 4"



#define assert_msg_has(v, needle) do {                                        \
	if (strstr(vault_errmsg(v), (needle)) == NULL)                            \
		fail_msg("message \"%s\" lacks \"%s\"", vault_errmsg(v), (needle));   \
} while (0)

/* ---- fixture: alice (supervisor), bob (interviewer), tess (trainer) ------- */

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
	struct record_id ra, rb;        /* alice's record; bob's, amended once */
	int training;
};

static void
as(struct fx *f, const char *user)
{
	const char *pass = strcmp(user, "alice") == 0 ? PASS_A :
	    strcmp(user, "bob") == 0 ? PASS_B : PASS_T;

	assert_ok(f->v, vault_unlock(f->v, user, pass, strlen(pass)));
}

static struct record_id
put(struct vault *v, const char *json)
{
	struct record_id id;

	assert_ok(v, vault_record_put(v, json, strlen(json), "{\"s\":1}", 7, &id));
	return id;
}

static int
setup_kind(void **state, int training)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->tmp = tu_tmpdir("audit");
	f->training = training;
	PATH_FMT(f->dir, "%s/vault", f->tmp);
	f->v = vault_new();
	assert_non_null(f->v);
	vault_set_training(f->v, training);
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_ok(f->v, vault_user_add(f->v, "tess", ROLE_TRAINER, PASS_T, strlen(PASS_T), &fast));
	f->ra = put(f->v, "{\"by\":\"alice\"}");
	as(f, "bob");
	f->rb = put(f->v, "{\"by\":\"bob\"}");
	assert_ok(f->v, vault_record_amend(f->v, &f->rb, "{\"by\":\"bob\",\"v\":2}", 18, NULL, 0,
	    "first amendment"));
	as(f, "alice");
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_kind(state, 0);
}

static int
setup_training(void **state)
{
	return setup_kind(state, 1);
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

/* ---- raw LMDB access, as someone with the files has it ------------------- */

static MDB_env *
raw_open(const char *dir)
{
	MDB_env *env;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	return env;
}

/* Runs edit(txn, dbi, arg) in one write transaction on table db. */
static void
raw_txn(const char *dir, const char *db, void (*edit)(MDB_txn *, MDB_dbi, void *), void *arg)
{
	MDB_env *env = raw_open(dir);
	MDB_txn *txn;
	MDB_dbi dbi;

	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	edit(txn, dbi, arg);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

struct kv {
	unsigned char key[96];
	size_t klen;
	unsigned char val[8192];
	size_t vlen;
	size_t at;                      /* flip: the byte; nth: which entry */
	int found;
};

static void
edit_get(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	struct kv *kv = arg;
	MDB_val k = { kv->klen, kv->key }, d;

	kv->found = mdb_get(txn, dbi, &k, &d) == 0;
	if (kv->found) {
		assert_true(d.mv_size <= sizeof kv->val);
		memcpy(kv->val, d.mv_data, d.mv_size);
		kv->vlen = d.mv_size;
	}
}

static void
edit_put(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	struct kv *kv = arg;
	MDB_val k = { kv->klen, kv->key }, d = { kv->vlen, kv->val };

	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
}

static void
edit_del(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	struct kv *kv = arg;
	MDB_val k = { kv->klen, kv->key };

	assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
}

static void
edit_flip(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	struct kv *kv = arg;

	edit_get(txn, dbi, arg);
	assert_true(kv->found);
	assert_true(kv->at < kv->vlen);
	kv->val[kv->at] ^= 0x01;
	edit_put(txn, dbi, arg);
}

/* The kv->at'th key (0-based) of the table, with its value. */
static void
edit_nth(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	struct kv *kv = arg;
	MDB_cursor *cur;
	MDB_val k, d;
	size_t i = 0;
	int rc;

	kv->found = 0;
	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		if (i++ == kv->at) {
			memcpy(kv->key, k.mv_data, k.mv_size);
			kv->klen = k.mv_size;
			memcpy(kv->val, d.mv_data, d.mv_size);
			kv->vlen = d.mv_size;
			kv->found = 1;
			break;
		}
	}
	mdb_cursor_close(cur);
}

static void
seq_key(struct kv *kv, uint64_t seq)
{
	kv->klen = 8;
	for (int i = 0; i < 8; i++)
		kv->key[i] = (unsigned char)(seq >> (56 - 8 * i));
}

static void
id_key(struct kv *kv, const struct record_id *id)
{
	kv->klen = VAULT_ID_BYTES;
	memcpy(kv->key, id->b, VAULT_ID_BYTES);
}

/* ---- collecting what verify and the trail say ---------------------------- */


static void
has_problem(const struct tu_problems *p, const char *a, const char *b)
{
	for (size_t i = 0; i < p->n && i < 32; i++)
		if (strstr(p->text[i], a) != NULL && (b == NULL || strstr(p->text[i], b) != NULL))
			return;
	for (size_t i = 0; i < p->n && i < 32; i++)
		print_error("problem: %s\n", p->text[i]);
	fail_msg("no problem mentions \"%s\"%s%s", a, b ? " and " : "", b ? b : "");
}

/* Reopens f->dir as alice and verifies it. */
static enum status
verify_as_alice(struct fx *f, const struct vault_audit_head *noted, struct tu_problems *p)
{
	enum status st;

	vault_close(f->v);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "alice");
	memset(p, 0, sizeof *p);
	st = vault_verify(f->v, noted, tu_problem, p, NULL);
	if (st != ST_OK && st != ST_TAMPERED)
		fail_msg("verify: %s", vault_errmsg(f->v));
	return st;
}

struct trail {
	struct audit_entry e[256];
	size_t n;
	size_t bad;
};

static int
keep(void *ctx, enum status st, const struct audit_entry *e)
{
	struct trail *t = ctx;

	if (st != ST_OK)
		t->bad++;
	else if (t->n < 256)
		t->e[t->n++] = *e;
	return 0;
}

static void
read_trail(struct vault *v, const struct audit_filter *flt, struct trail *t)
{
	memset(t, 0, sizeof *t);
	assert_ok(v, audit_list(v, flt, keep, t));
	assert_int_equal(t->bad, 0);
}

/* The last entry of action a; the test fails when there is none. */
static const struct audit_entry *last_of(const struct trail *t, enum audit_action a)
    __attribute__((returns_nonnull));

static const struct audit_entry *
last_of(const struct trail *t, enum audit_action a)
{
	for (size_t i = t->n; i > 0; i--)
		if (t->e[i - 1].action == a)
			return &t->e[i - 1];
	fail_msg("no \"%s\" entry in the audit trail", audit_action_name(a));
	abort();
}

/* ---- every operation with every role --------------------------------------- */

struct rt {                         /* what an operation works on */
	struct fx *f;
	struct record_id victim;        /* bob's throwaway record, for delete */
	char temp_user[32];             /* a user made for removal */
	unsigned serial;
};

static int
scan_count(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	(void)id;
	(void)json;
	(void)len;
	if (st == ST_OK)
		(*(size_t *)ctx)++;
	return 0;
}

static int
audit_count(void *ctx, uint64_t seq, enum status st, const unsigned char *e, size_t len)
{
	(void)seq;
	(void)st;
	(void)e;
	(void)len;
	(*(size_t *)ctx)++;
	return 0;
}

static enum status op_put(struct rt *r) {
	struct record_id id;
	return vault_record_put(r->f->v, "{\"n\":1}", 7, NULL, 0, &id);
}
static enum status op_put_as(struct rt *r) {
	struct record_id id;
	enum status st = vault_record_id_new(r->f->v, &id);
	return st != ST_OK ? st : vault_record_put_as(r->f->v, &id, "{\"n\":2}", 7, "{}", 2);
}
static enum status op_get_own(struct rt *r) {
	char *j = NULL; size_t n = 0;
	enum status st = vault_record_get(r->f->v, &r->f->rb, &j, &n);
	vault_plain_free(j, n);
	return st;
}
static enum status op_get_other(struct rt *r) {
	char *j = NULL; size_t n = 0;
	enum status st = vault_record_get(r->f->v, &r->f->ra, &j, &n);
	vault_plain_free(j, n);
	return st;
}
static enum status op_summary_own(struct rt *r) {
	char *j = NULL; size_t n = 0;
	enum status st = vault_summary_get(r->f->v, &r->f->rb, &j, &n);
	vault_plain_free(j, n);
	return st;
}
static enum status op_summary_other(struct rt *r) {
	char *j = NULL; size_t n = 0;
	enum status st = vault_summary_get(r->f->v, &r->f->ra, &j, &n);
	vault_plain_free(j, n);
	return st;
}
static enum status op_amend_own(struct rt *r) {
	return vault_record_amend(r->f->v, &r->f->rb, "{\"a\":1}", 7, NULL, 0, "corrected");
}
static enum status op_replace_own(struct rt *r) {
	return vault_record_replace(r->f->v, &r->f->rb, "{\"a\":2}", 7, NULL, 0);
}
static enum status op_amend_other(struct rt *r) {
	return vault_record_amend(r->f->v, &r->f->ra, "{\"a\":3}", 7, NULL, 0, "corrected");
}
static enum status op_history_own(struct rt *r) {
	char *j = NULL; size_t n = 0;
	enum status st = vault_record_history(r->f->v, &r->f->rb, 1, &j, &n);
	vault_plain_free(j, n);
	return st;
}
static enum status op_versions(struct rt *r) {
	unsigned c;
	return vault_record_versions(r->f->v, &r->f->rb, &c);
}
static enum status op_list(struct rt *r) {
	struct record_id *ids; size_t n;
	enum status st = vault_record_list(r->f->v, &ids, &n);
	free(ids);
	return st;
}
static enum status op_find(struct rt *r) {
	struct case_code code; struct record_id id;
	record_id_code(&r->f->rb, &code);
	return vault_record_find(r->f->v, code.s, &id);
}
static enum status op_record_scan(struct rt *r) {
	size_t n = 0;
	return vault_record_scan(r->f->v, scan_count, &n);
}
static enum status op_summary_scan(struct rt *r) {
	size_t n = 0;
	return vault_summary_scan(r->f->v, scan_count, &n);
}
static enum status op_drafts(struct rt *r) {
	struct record_id id = { {0} }, *ids; char *j = NULL; size_t n = 0;
	enum status st = vault_draft_put(r->f->v, &id, "{\"d\":1}", 7);
	if (st == ST_OK) {
		st = vault_draft_get(r->f->v, &id, &j, &n);
		vault_plain_free(j, n);
	}
	if (st == ST_OK && (st = vault_draft_list(r->f->v, &ids, &n)) == ST_OK)
		free(ids);
	return st == ST_OK ? vault_draft_delete(r->f->v, &id) : st;
}
static enum status op_forms(struct rt *r) {
	char hash[65], *src = NULL; size_t n = 0;
	enum status st = vault_form_put(r->f->v, "id: x\n", 6, hash);
	if (st == ST_OK)
		st = vault_form_get(r->f->v, hash, &src, &n);
	vault_plain_free(src, n);
	return st;
}
static enum status op_delete(struct rt *r) {
	return vault_record_delete(r->f->v, &r->victim, "respondent withdrew consent");
}
static enum status op_user_add(struct rt *r) {
	char name[32];
	snprintf(name, sizeof name, "new%u", r->serial);
	return vault_user_add(r->f->v, name, ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast);
}
static enum status op_user_remove(struct rt *r) {
	return vault_user_remove(r->f->v, r->temp_user);
}
static enum status op_passwd_other(struct rt *r) {
	return vault_user_passwd(r->f->v, r->temp_user, PASS_B, strlen(PASS_B));
}
static enum status op_audit_scan(struct rt *r) {
	size_t n = 0;
	return vault_audit_scan(r->f->v, audit_count, &n);
}
static enum status op_audit_head(struct rt *r) {
	struct vault_audit_head h;
	return vault_audit_head(r->f->v, &h);
}
static enum status op_verify(struct rt *r) {
	struct tu_problems p;
	memset(&p, 0, sizeof p);
	return vault_verify(r->f->v, NULL, tu_problem, &p, NULL);
}
static enum status op_export(struct rt *r) {
	return vault_require(r->f->v, VAULT_RIGHT_EXPORT);
}
static enum status op_stats(struct rt *r) {
	return vault_require(r->f->v, VAULT_RIGHT_STATS);
}
static enum status op_audit_log_view(struct rt *r) {
	return audit_log(r->f->v, AUDIT_RECORD_VIEW, &r->f->rb, NULL);
}

#define OK ST_OK
#define NO ST_DENIED
#define INV ST_INVALID

/* Columns: supervisor, interviewer, trainer in a real vault, trainer in a
 * training vault. The interviewer is bob, owner of rb; ra is alice's. */
static const struct {
	const char *name;
	enum status (*fn)(struct rt *);
	enum status want[4];
} ops[] = {
	{ "record put", op_put, { OK, OK, NO, OK } },
	{ "record id_new + put_as", op_put_as, { OK, OK, NO, OK } },
	{ "record get (bob's)", op_get_own, { OK, OK, NO, OK } },
	{ "record get (alice's)", op_get_other, { OK, NO, NO, OK } },
	{ "summary get (bob's)", op_summary_own, { OK, OK, NO, OK } },
	{ "summary get (alice's)", op_summary_other, { OK, NO, NO, OK } },
	{ "amend bob's with a reason", op_amend_own, { OK, OK, NO, OK } },
	{ "replace bob's without a reason", op_replace_own, { OK, INV, NO, OK } },
	{ "amend alice's", op_amend_other, { OK, NO, NO, OK } },
	{ "history of bob's", op_history_own, { OK, NO, NO, OK } },
	{ "versions of bob's", op_versions, { OK, OK, NO, OK } },
	{ "record list", op_list, { OK, OK, NO, OK } },
	{ "record find", op_find, { OK, OK, NO, OK } },
	{ "record scan", op_record_scan, { OK, OK, NO, OK } },
	{ "summary scan", op_summary_scan, { OK, OK, NO, OK } },
	{ "drafts put/get/list/delete", op_drafts, { OK, OK, NO, OK } },
	{ "forms put/get", op_forms, { OK, OK, NO, OK } },
	{ "record delete", op_delete, { OK, NO, NO, OK } },
	{ "user add", op_user_add, { OK, NO, NO, OK } },
	{ "user remove", op_user_remove, { OK, NO, NO, OK } },
	{ "passwd of another user", op_passwd_other, { OK, NO, NO, OK } },
	{ "audit scan", op_audit_scan, { OK, NO, NO, OK } },
	{ "audit head", op_audit_head, { OK, NO, NO, OK } },
	{ "verify", op_verify, { OK, NO, NO, OK } },
	{ "export", op_export, { OK, NO, NO, OK } },
	{ "statistics", op_stats, { OK, NO, NO, OK } },
	{ "audit_log record view", op_audit_log_view, { OK, OK, OK, OK } },
};

static void
run_role_table(struct fx *f, const char *actor, int column)
{
	enum { NOPS = sizeof ops / sizeof ops[0] };
	struct rt r[NOPS];
	const char *pass = strcmp(actor, "alice") == 0 ? PASS_A :
	    strcmp(actor, "bob") == 0 ? PASS_B : PASS_T;

	/* Fresh objects for the operations that consume them: a record of
	 * bob's to delete, a user to remove. */
	as(f, "bob");
	for (size_t i = 0; i < NOPS; i++) {
		memset(&r[i], 0, sizeof r[i]);
		r[i].f = f;
		r[i].serial = (unsigned)(column * 100 + (int)i);
		snprintf(r[i].temp_user, sizeof r[i].temp_user, "temp%u", r[i].serial);
		r[i].victim = put(f->v, "{\"victim\":1}");
	}
	as(f, "alice");
	for (size_t i = 0; i < NOPS; i++)
		if (ops[i].fn == op_user_remove || ops[i].fn == op_passwd_other)
			assert_ok(f->v, vault_user_add(f->v, r[i].temp_user, ROLE_INTERVIEWER, PASS_B,
			    strlen(PASS_B), &fast));
	as(f, actor);
	for (size_t i = 0; i < NOPS; i++) {
		enum status st = ops[i].fn(&r[i]);

		if (st != ops[i].want[column])
			fail_msg("%s as %s (column %d): %s, wanted %s: %s", ops[i].name, actor, column,
			    status_str(st), status_str(ops[i].want[column]), vault_errmsg(f->v));
		if (st == ST_DENIED && strstr(vault_errmsg(f->v), "supervisor") == NULL &&
		    strstr(vault_errmsg(f->v), "training vault") == NULL &&
		    strstr(vault_errmsg(f->v), "another interviewer") == NULL)
			fail_msg("%s as %s: the refusal does not say who may: %s", ops[i].name, actor,
			    vault_errmsg(f->v));
	}
	/* Everyone may change their own passphrase, and nothing works locked. */
	assert_ok(f->v, vault_user_passwd(f->v, NULL, pass, strlen(pass)));
	vault_lock(f->v);
	for (size_t i = 0; i < NOPS; i++) {
		enum status st = ops[i].fn(&r[i]);

		if (st != ST_LOCKED)
			fail_msg("%s while locked: %s", ops[i].name, status_str(st));
	}
}

static void
roles_in_real_vault(void **state)
{
	struct fx *f = *state;

	run_role_table(f, "alice", 0);
	run_role_table(f, "bob", 1);
	run_role_table(f, "tess", 2);
	as(f, "tess");
	assert_false(vault_allowed(f->v, VAULT_RIGHT_READ_OWN));
	assert_st(f->v, vault_require(f->v, VAULT_RIGHT_CREATE), ST_DENIED);
	assert_msg_has(f->v, "--training");
}

static void
roles_in_training_vault(void **state)
{
	struct fx *f = *state;

	assert_true(vault_is_training(f->v));
	run_role_table(f, "tess", 3);
	/* A trainee in a training vault is an interviewer like any other. */
	run_role_table(f, "bob", 1);
}

/* ---- the audit trail records each action ----------------------------------- */

static void
entries_of_the_setup(void **state)
{
	struct fx *f = *state;
	const struct audit_entry *e;
	struct trail t;

	/* The fixture wrote: create, unlocks, two user adds, two records and
	 * an amendment. */
	read_trail(f->v, NULL, &t);
	assert_true(t.n >= 8);
	assert_int_equal(t.e[0].seq, 1);
	assert_int_equal(t.e[0].action, AUDIT_VAULT_CREATE);
	assert_string_equal(t.e[0].subject, "alice");
	assert_true(t.e[0].has_digest);
	for (size_t i = 0; i < t.n; i++)
		assert_int_equal(t.e[i].seq, i + 1);
	e = last_of(&t, AUDIT_USER_ADD);
	assert_non_null(e);
	assert_string_equal(e->user, "alice");
	assert_string_equal(e->subject, "tess");
	assert_int_equal(e->role, ROLE_TRAINER);
	e = last_of(&t, AUDIT_RECORD_AMEND);
	assert_non_null(e);
	assert_string_equal(e->user, "bob");
	assert_memory_equal(e->record.b, f->rb.b, VAULT_ID_BYTES);
	assert_string_equal(e->reason, "first amendment");
	assert_true(e->has_digest);
	/* Only supervisors read the trail. */
	as(f, "bob");
	assert_st(f->v, audit_list(f->v, NULL, keep, &t), ST_DENIED);
}

static void
entries_written_in_order(void **state)
{
	struct fx *f = *state;
	static const struct {
		enum audit_action a;
		const char *user;
	} want[] = {
		{ AUDIT_UNLOCK, "bob" },
		{ AUDIT_RECORD_CREATE, "bob" },
		{ AUDIT_RECORD_VIEW, "bob" },
		{ AUDIT_HIDE, "bob" },
		{ AUDIT_UNLOCK, "bob" },
		{ AUDIT_LOCK, "bob" },
		{ AUDIT_UNLOCK_FAILED, "alice" },
		{ AUDIT_UNLOCK, "alice" },
		{ AUDIT_USER_PASSWD, "alice" },
		{ AUDIT_RECORD_AMEND, "alice" },
		{ AUDIT_HISTORY_VIEW, "alice" },
		{ AUDIT_EXPORT, "alice" },
		{ AUDIT_STATS, "alice" },
		{ AUDIT_RECORD_DELETE, "alice" },
		{ AUDIT_USER_REMOVE, "alice" },
	};
	struct vault_audit_head before;
	const struct audit_entry *e;
	struct trail t;
	struct record_id id;
	size_t first;

	assert_ok(f->v, vault_audit_head(f->v, &before));
	as(f, "bob");
	id = put(f->v, "{\"new\":1}");
	assert_ok(f->v, audit_log(f->v, AUDIT_RECORD_VIEW, &id, NULL));
	assert_ok(f->v, audit_log(f->v, AUDIT_HIDE, NULL, NULL));
	as(f, "bob");
	assert_ok(f->v, audit_log(f->v, AUDIT_LOCK, NULL, NULL));
	assert_st(f->v, vault_unlock(f->v, "alice", "not alice's passphrase", 22), ST_AUTH);
	as(f, "alice");
	assert_ok(f->v, vault_user_passwd(f->v, "bob", PASS_B, strlen(PASS_B)));
	assert_ok(f->v, vault_record_amend(f->v, &id, "{\"new\":2}", 9, NULL, 0, "age misheard"));
	assert_ok(f->v, audit_log(f->v, AUDIT_HISTORY_VIEW, &id, NULL));
	assert_ok(f->v, audit_log(f->v, AUDIT_EXPORT, NULL, "csv, 3 records"));
	assert_ok(f->v, audit_log(f->v, AUDIT_STATS, NULL, NULL));
	assert_ok(f->v, vault_record_delete(f->v, &id, "respondent withdrew consent"));
	assert_ok(f->v, vault_user_remove(f->v, "tess"));

	read_trail(f->v, NULL, &t);
	first = (size_t)before.seq;
	assert_int_equal(t.n, first + sizeof want / sizeof want[0]);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		e = &t.e[first + i];
		if (e->action != want[i].a || strcmp(e->user, want[i].user) != 0)
			fail_msg("entry %zu: %s by %s, wanted %s by %s", first + i + 1,
			    audit_action_name(e->action), e->user, audit_action_name(want[i].a),
			    want[i].user);
		assert_true(e->time > 1700000000);
	}
	e = &t.e[first + 6];
	assert_int_equal(e->count, 1);
	assert_true(e->since > 0);
	e = &t.e[first + 8];
	assert_string_equal(e->subject, "bob");
	assert_true(e->has_digest);
	e = &t.e[first + 9];
	assert_string_equal(e->reason, "age misheard");
	assert_memory_equal(e->record.b, id.b, VAULT_ID_BYTES);
	e = &t.e[first + 11];
	assert_string_equal(e->reason, "csv, 3 records");
	e = &t.e[first + 13];
	assert_string_equal(e->reason, "respondent withdrew consent");
	assert_true(e->has_record);
	assert_false(e->has_digest);        /* nothing of the content */
	assert_string_equal(t.e[first + 14].subject, "tess");

	/* Filters: by user (acting or acted upon) and by date. */
	{
		struct audit_filter by_bob = { "bob", 0 }, future = { NULL, 4102444800ULL };

		read_trail(f->v, &by_bob, &t);
		for (size_t i = 0; i < t.n; i++)
			assert_true(strcmp(t.e[i].user, "bob") == 0 || strcmp(t.e[i].subject, "bob") == 0);
		assert_int_equal(last_of(&t, AUDIT_HIDE)->action, AUDIT_HIDE);
		assert_string_equal(last_of(&t, AUDIT_USER_PASSWD)->subject, "bob");
		read_trail(f->v, &future, &t);
		assert_int_equal(t.n, 0);
	}
}

static void
audit_log_refuses_what_the_vault_writes(void **state)
{
	struct fx *f = *state;
	unsigned char buf[AUDIT_ENTRY_MAX];
	struct audit_entry e;
	size_t len;

	assert_st(f->v, audit_log(f->v, AUDIT_RECORD_CREATE, &f->ra, NULL), ST_INVALID);
	assert_st(f->v, audit_log(f->v, AUDIT_UNLOCK, NULL, NULL), ST_INVALID);
	assert_st(f->v, audit_log(f->v, AUDIT_RECORD_DELETE, &f->ra, "x"), ST_INVALID);
	/* An entry in another user's name is refused. */
	audit_entry_init(&e, AUDIT_RECORD_VIEW, "bob");
	assert_ok(f->v, audit_encode(&e, buf, sizeof buf, &len));
	assert_st(f->v, vault_audit_append(f->v, buf, len), ST_INVALID);
	vault_lock(f->v);
	assert_st(f->v, audit_log(f->v, AUDIT_HIDE, NULL, NULL), ST_LOCKED);
}

/* ---- encoding ---------------------------------------------------------------- */

static void
encode_decode_round_trip(void **state)
{
	unsigned char buf[AUDIT_ENTRY_MAX], big[AUDIT_ENTRY_MAX + 8];
	struct audit_entry e, d;
	size_t len;

	(void)state;
	audit_entry_init(&e, AUDIT_UNLOCK_FAILED, "ນາງ ແກ້ວ");
	snprintf(e.subject, sizeof e.subject, "王芳");
	e.role = ROLE_TRAINER;
	e.has_record = true;
	memset(e.record.b, 0xA5, VAULT_ID_BYTES);
	e.has_digest = true;
	memset(e.digest, 0x5A, sizeof e.digest);
	e.count = 7;
	e.since = 1234567890;
	memset(e.reason, 'r', AUDIT_REASON_MAX);
	e.reason[AUDIT_REASON_MAX] = '\0';
	assert_int_equal(audit_encode(&e, buf, sizeof buf, &len), ST_OK);
	assert_true(len <= AUDIT_ENTRY_MAX);
	assert_int_equal(audit_decode(buf, len, &d), ST_OK);
	assert_int_equal(d.action, e.action);
	assert_int_equal(d.time, e.time);
	assert_string_equal(d.user, e.user);
	assert_string_equal(d.subject, e.subject);
	assert_int_equal(d.role, ROLE_TRAINER);
	assert_memory_equal(d.record.b, e.record.b, VAULT_ID_BYTES);
	assert_memory_equal(d.digest, e.digest, sizeof d.digest);
	assert_int_equal(d.count, 7);
	assert_int_equal(d.since, 1234567890);
	assert_string_equal(d.reason, e.reason);

	/* Every truncation, and trailing bytes, are refused. */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(audit_decode(buf, n, &d), ST_TAMPERED);
	memcpy(big, buf, len);
	big[len] = 0;
	assert_int_equal(audit_decode(big, len + 1, &d), ST_TAMPERED);
	/* Unknown version, action or flags; invalid UTF-8 in a name. */
	memcpy(big, buf, len);
	big[0] = 2;
	assert_int_equal(audit_decode(big, len, &d), ST_TAMPERED);
	memcpy(big, buf, len);
	big[1] = 0;
	assert_int_equal(audit_decode(big, len, &d), ST_TAMPERED);
	big[1] = AUDIT_ACTION_LAST + 1;
	assert_int_equal(audit_decode(big, len, &d), ST_TAMPERED);
	memcpy(big, buf, len);
	big[10] |= 0x80;
	assert_int_equal(audit_decode(big, len, &d), ST_TAMPERED);
	memcpy(big, buf, len);
	big[12] = 0xFF;
	assert_int_equal(audit_decode(big, len, &d), ST_TAMPERED);
	/* Over-long fields are not encoded. */
	memset(e.reason, 'r', sizeof e.reason);
	e.reason[sizeof e.reason - 1] = '\0';
	e.action = AUDIT_RECORD_AMEND;
	assert_int_equal(audit_encode(&e, buf, sizeof buf, &len), ST_OK);
	assert_int_equal(audit_encode(&e, buf, 10, &len), ST_INVALID);
	e.action = (enum audit_action)0;
	assert_int_equal(audit_encode(&e, buf, sizeof buf, &len), ST_INVALID);
}

static void
head_text_round_trip(void **state)
{
	struct fx *f = *state;
	char text[AUDIT_HEAD_TEXT_MAX];
	struct vault_audit_head h, parsed;

	assert_ok(f->v, audit_head_text(f->v, text));
	assert_ok(f->v, vault_audit_head(f->v, &h));
	assert_int_equal(audit_head_parse(text, &parsed), ST_OK);
	assert_int_equal(parsed.seq, h.seq);
	assert_memory_equal(parsed.link, h.link, sizeof h.link);
	assert_int_equal(strlen(strchr(text, ':') + 1), 64);
	assert_int_equal(audit_head_parse("12", &parsed), ST_INVALID);
	assert_int_equal(audit_head_parse(":abcd", &parsed), ST_INVALID);
	assert_int_equal(audit_head_parse("0:" "0000000000000000000000000000000000000000000000000000000000000000",
	    &parsed), ST_INVALID);
	assert_int_equal(audit_head_parse("3:xyz", &parsed), ST_INVALID);
	assert_int_equal(audit_head_parse("-3:" "0000000000000000000000000000000000000000000000000000000000000000",
	    &parsed), ST_INVALID);
}

static void
describe_is_terminal_safe(void **state)
{
	struct audit_entry e;
	char buf[256];

	(void)state;
	audit_entry_init(&e, AUDIT_RECORD_AMEND, "bob");
	snprintf(e.reason, sizeof e.reason, "bad\x1b[2J\xc2\x9b" "31mtext");
	e.has_record = true;
	memset(e.record.b, 0, VAULT_ID_BYTES);
	audit_describe(&e, buf, sizeof buf);
	assert_null(strchr(buf, '\x1b'));
	assert_null(strstr(buf, "\xc2\x9b"));
	assert_non_null(strstr(buf, "reason: bad?[2J?31mtext"));
	assert_non_null(strstr(buf, "0000-0000-0"));
	audit_describe(&e, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

/* A catalog of a few entries, as the program's i18n_get/i18n_nget give
 * them: NULL (or the msgid) for the rest. */
static const char *
fake_get(const char *msgid)
{
	if (strcmp(msgid, "draft %s of %s") == 0)
		return "D %s / %s";
	if (strcmp(msgid, "reason: ") == 0)
		return "R> ";
	if (strcmp(msgid, "supervisor") == 0)
		return "SUP";
	if (strcmp(msgid, "an unreadable time") == 0)   /* longer than any time */
		return "a time this entry holds that cannot be read as a date";
	return NULL;
}

static const char *
fake_nget(const char *one, const char *many, unsigned long n)
{
	(void)many;
	(void)n;
	return strcmp(one, "%lu record") == 0 ? "%lu RECS" : NULL;
}

static void
describe_in_translates_the_words_not_the_data(void **state)
{
	const struct words w = { fake_get, fake_nget };
	struct audit_entry e;
	char buf[256];

	(void)state;
	audit_entry_init(&e, AUDIT_DRAFT_DISCARD, "ana");
	snprintf(e.subject, sizeof e.subject, "bob");
	snprintf(e.reason, sizeof e.reason, "kept by mistake");
	e.has_record = true;
	memset(e.record.b, 0, VAULT_ID_BYTES);
	audit_describe(&e, buf, sizeof buf);
	assert_string_equal(buf, "draft 0000-0000-0 of bob reason: kept by mistake");
	audit_describe_in(&e, &w, buf, sizeof buf);
	assert_string_equal(buf, "D 0000-0000-0 / bob R> kept by mistake");

	audit_entry_init(&e, AUDIT_EXPORT, "ana");
	e.count = 3;
	snprintf(e.reason, sizeof e.reason, "csv");
	audit_describe_in(&e, &w, buf, sizeof buf);
	assert_string_equal(buf, "3 RECS, csv");

	audit_entry_init(&e, AUDIT_USER_ADD, "ana");
	snprintf(e.subject, sizeof e.subject, "cy");
	e.role = ROLE_SUPERVISOR;
	audit_describe_in(&e, &w, buf, sizeof buf);
	assert_string_equal(buf, "cy (SUP)");

	/* A word the catalog lacks stays English. */
	audit_entry_init(&e, AUDIT_UNLOCK_FAILED, "ana");
	e.count = 2;
	e.since = 0;
	audit_describe_in(&e, &w, buf, sizeof buf);
	assert_non_null(strstr(buf, "2 failed unlocks since 1970-01-01 00:00:00 UTC"));
	/* A damaged time's words, whole however long the translation. */
	e.since = UINT64_MAX;
	audit_describe_in(&e, &w, buf, sizeof buf);
	assert_non_null(strstr(buf, "since a time this entry holds that cannot be read as a date "
	    "UTC"));
}

/* ---- amend and delete ---------------------------------------------------------- */

static void
amend_keeps_every_version(void **state)
{
	struct fx *f = *state;
	char *json = NULL;
	size_t len = 0;
	unsigned count;

	as(f, "bob");
	assert_st(f->v, vault_record_amend(f->v, &f->rb, "{}", 2, NULL, 0, ""), ST_INVALID);
	assert_msg_has(f->v, "reason is empty");
	assert_st(f->v, vault_record_amend(f->v, &f->rb, "{}", 2, NULL, 0, "   "), ST_INVALID);
	assert_st(f->v, vault_record_amend(f->v, &f->rb, "{}", 2, NULL, 0, "a\nb"), ST_INVALID);
	assert_st(f->v, vault_record_replace(f->v, &f->rb, "{}", 2, NULL, 0), ST_INVALID);
	assert_msg_has(f->v, "give a reason");
	assert_ok(f->v, vault_record_amend(f->v, &f->rb, "{\"by\":\"bob\",\"v\":3}", 18,
	    "{\"s\":3}", 7, "second amendment"));
	assert_ok(f->v, vault_record_versions(f->v, &f->rb, &count));
	assert_int_equal(count, 2);
	/* Earlier versions are for supervisors. */
	assert_st(f->v, vault_record_history(f->v, &f->rb, 1, &json, &len), ST_DENIED);
	as(f, "alice");
	assert_ok(f->v, vault_record_history(f->v, &f->rb, 1, &json, &len));
	assert_string_equal(json, "{\"by\":\"bob\"}");
	vault_plain_free(json, len);
	assert_ok(f->v, vault_record_history(f->v, &f->rb, 2, &json, &len));
	assert_string_equal(json, "{\"by\":\"bob\",\"v\":2}");
	vault_plain_free(json, len);
	assert_ok(f->v, vault_record_get(f->v, &f->rb, &json, &len));
	assert_string_equal(json, "{\"by\":\"bob\",\"v\":3}");
	vault_plain_free(json, len);
	/* The owner stays bob after a supervisor's amendment. */
	assert_ok(f->v, vault_record_amend(f->v, &f->rb, "{\"by\":\"bob\",\"v\":4}", 18, NULL, 0,
	    "supervisor's correction"));
	as(f, "bob");
	assert_ok(f->v, vault_record_get(f->v, &f->rb, &json, &len));
	vault_plain_free(json, len);
}

static void
delete_removes_record_summary_history(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;
	struct kv kv;
	char *json = NULL;
	size_t len = 0;
	unsigned count;

	assert_st(f->v, vault_record_delete(f->v, &f->rb, NULL), ST_INVALID);
	assert_st(f->v, vault_record_delete(f->v, &f->rb, ""), ST_INVALID);
	assert_ok(f->v, vault_record_versions(f->v, &f->rb, &count));
	assert_int_equal(count, 1);
	assert_ok(f->v, vault_record_delete(f->v, &f->rb, "respondent withdrew consent"));
	assert_st(f->v, vault_record_get(f->v, &f->rb, &json, &len), ST_NOTFOUND);
	assert_st(f->v, vault_summary_get(f->v, &f->rb, &json, &len), ST_NOTFOUND);
	assert_st(f->v, vault_record_versions(f->v, &f->rb, &count), ST_NOTFOUND);
	assert_st(f->v, vault_record_delete(f->v, &f->rb, "again"), ST_NOTFOUND);
	/* Its neighbour is untouched. */
	assert_ok(f->v, vault_record_get(f->v, &f->ra, &json, &len));
	vault_plain_free(json, len);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_OK);
	vault_close(f->v);
	f->v = NULL;
	/* Nothing of it is left under its id in any table. */
	memset(&kv, 0, sizeof kv);
	id_key(&kv, &f->rb);
	raw_txn(f->dir, "records", edit_get, &kv);
	assert_false(kv.found);
	raw_txn(f->dir, "summaries", edit_get, &kv);
	assert_false(kv.found);
	memset(kv.key + VAULT_ID_BYTES, 0, 3);
	kv.key[VAULT_ID_BYTES + 3] = 1;
	kv.klen = VAULT_ID_BYTES + 4;
	raw_txn(f->dir, "history", edit_get, &kv);
	assert_false(kv.found);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
}

/* ---- verify against an attacker with the files ---------------------------------- */

static void
verify_clean_vault(void **state)
{
	struct fx *f = *state;
	struct vault_verify_counts n;
	struct record_id d = { {0} };
	struct tu_problems p;
	char hash[65];

	/* A draft of each interviewer, a form: verify opens them all. */
	as(f, "bob");
	assert_ok(f->v, vault_draft_put(f->v, &d, "{\"draft\":1}", 11));
	assert_ok(f->v, vault_form_put(f->v, "id: f\n", 6, hash));
	as(f, "alice");
	memset(&p, 0, sizeof p);
	assert_ok(f->v, vault_verify(f->v, NULL, tu_problem, &p, &n));
	assert_int_equal(p.n, 0);
	assert_int_equal(n.problems, 0);
	assert_int_equal(n.users, 3);
	assert_int_equal(n.records, 2);
	assert_int_equal(n.summaries, 2);
	assert_int_equal(n.history, 1);
	assert_int_equal(n.drafts, 1);
	assert_int_equal(n.forms, 1);
	assert_true(n.audit >= 8);
}

static void
verify_deleted_entry(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;
	struct kv kv;

	vault_close(f->v);
	f->v = NULL;
	memset(&kv, 0, sizeof kv);
	seq_key(&kv, 5);                /* bob's unlock */
	raw_txn(f->dir, "audit", edit_del, &kv);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "audit entry 5 is missing", "deleted");
	assert_int_equal(p.n, 1);
	assert_msg_has(f->v, "1 problem");
}

static void
verify_reordered_pair(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;
	struct kv a, b;

	vault_close(f->v);
	f->v = NULL;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	seq_key(&a, 5);
	seq_key(&b, 6);
	raw_txn(f->dir, "audit", edit_get, &a);
	raw_txn(f->dir, "audit", edit_get, &b);
	assert_true(a.found && b.found);
	memcpy(a.key, b.key, 8);
	seq_key(&b, 5);
	raw_txn(f->dir, "audit", edit_put, &a);        /* entry 5's bytes at 6 */
	raw_txn(f->dir, "audit", edit_put, &b);        /* entry 6's bytes at 5 */
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "audit entry 5 failed its integrity check", "moved");
	has_problem(&p, "audit entry 6 failed its integrity check", "moved");
}

static void
verify_flipped_entry_byte(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;
	struct kv kv;

	vault_close(f->v);
	f->v = NULL;
	memset(&kv, 0, sizeof kv);
	seq_key(&kv, 5);                /* bob's unlock */
	kv.at = 40;                     /* inside the ciphertext */
	raw_txn(f->dir, "audit", edit_flip, &kv);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "audit entry 5 failed its integrity check", NULL);
	assert_int_equal(p.n, 1);      /* the chain resynchronises after it */
	/* The list shows the entry as damaged, not as anything else. */
	{
		struct trail t;

		memset(&t, 0, sizeof t);
		assert_ok(f->v, audit_list(f->v, NULL, keep, &t));
		assert_int_equal(t.bad, 1);
	}
	/* A flipped link is caught too, as a break in the chain. */
	vault_close(f->v);
	f->v = NULL;
	seq_key(&kv, 7);
	kv.at = 0;
	raw_txn(f->dir, "audit", edit_get, &kv);
	kv.at = kv.vlen - 1;
	raw_txn(f->dir, "audit", edit_flip, &kv);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "audit entry 7 does not follow entry 6", NULL);
}

static void
verify_flipped_record_and_keys(void **state)
{
	struct fx *f = *state;
	struct case_code ca, cb;
	struct tu_problems p;
	struct kv kv;
	char hash[65];
	struct record_id d = { {0} };

	as(f, "bob");
	assert_ok(f->v, vault_draft_put(f->v, &d, "{\"draft\":1}", 11));
	assert_ok(f->v, vault_form_put(f->v, "id: f\n", 6, hash));
	vault_close(f->v);
	f->v = NULL;
	record_id_code(&f->ra, &ca);
	record_id_code(&f->rb, &cb);
	memset(&kv, 0, sizeof kv);
	/* A byte of alice's record (in its wrapped item key) and of bob's
	 * (in the sealed payload). */
	id_key(&kv, &f->ra);
	kv.at = 10;
	raw_txn(f->dir, "records", edit_flip, &kv);
	id_key(&kv, &f->rb);
	kv.at = 120;
	raw_txn(f->dir, "records", edit_flip, &kv);
	/* bob's summary, the earlier version, the draft, the form. */
	kv.at = 100;
	raw_txn(f->dir, "summaries", edit_flip, &kv);
	kv.at = 0;
	raw_txn(f->dir, "history", edit_nth, &kv);
	kv.at = 90;
	raw_txn(f->dir, "history", edit_flip, &kv);
	kv.at = 0;
	raw_txn(f->dir, "drafts", edit_nth, &kv);
	kv.at = 90;
	raw_txn(f->dir, "drafts", edit_flip, &kv);
	kv.at = 0;
	raw_txn(f->dir, "forms", edit_nth, &kv);
	kv.at = 90;
	raw_txn(f->dir, "forms", edit_flip, &kv);
	/* The last byte of bob's wrapped vault key, and tess's role. */
	kv.klen = 3;
	memcpy(kv.key, "bob", 3);
	kv.at = 123;
	raw_txn(f->dir, "users", edit_flip, &kv);
	kv.klen = 4;
	memcpy(kv.key, "tess", 4);
	raw_txn(f->dir, "users", edit_get, &kv);
	kv.val[1] = ROLE_SUPERVISOR;
	raw_txn(f->dir, "users", edit_put, &kv);

	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "failed its integrity check", ca.s);
	has_problem(&p, "failed its integrity check", cb.s);
	has_problem(&p, "the summary of record", "failed its integrity check");
	has_problem(&p, "earlier version 1 of record", "failed its integrity check");
	has_problem(&p, "draft", "of user bob failed its integrity check");
	has_problem(&p, "form", "failed its integrity check");
	has_problem(&p, "the entry of user bob", "wrapped key");
	has_problem(&p, "the entry of user tess", "is not the one written at audit entry");
	assert_int_equal(p.n, 8);
}

static void
verify_deleted_and_rolled_back(void **state)
{
	struct fx *f = *state;
	struct case_code ca, cb;
	struct tu_problems p;
	struct kv old, kv, user;

	/* An earlier copy of bob's record, and of tess's entry. */
	vault_close(f->v);
	f->v = NULL;
	memset(&old, 0, sizeof old);
	id_key(&old, &f->rb);
	raw_txn(f->dir, "records", edit_get, &old);
	memset(&user, 0, sizeof user);
	user.klen = 4;
	memcpy(user.key, "tess", 4);
	raw_txn(f->dir, "users", edit_get, &user);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "bob");
	assert_ok(f->v, vault_record_amend(f->v, &f->rb, "{\"v\":9}", 7, NULL, 0, "later fix"));
	as(f, "alice");
	assert_ok(f->v, vault_user_remove(f->v, "tess"));
	vault_close(f->v);
	f->v = NULL;
	/* Put the earlier copies back; delete alice's record on disk. */
	raw_txn(f->dir, "records", edit_put, &old);
	raw_txn(f->dir, "users", edit_put, &user);
	memset(&kv, 0, sizeof kv);
	id_key(&kv, &f->ra);
	raw_txn(f->dir, "records", edit_del, &kv);
	record_id_code(&f->ra, &ca);
	record_id_code(&f->rb, &cb);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, cb.s, "is not the version written at audit entry");
	has_problem(&p, "user tess was removed", "present again");
	has_problem(&p, ca.s, "is missing");
	has_problem(&p, "the summary of record", "has no record");
}

static void
verify_history_removed(void **state)
{
	struct fx *f = *state;
	struct case_code cb;
	struct tu_problems p;
	struct kv kv;

	vault_close(f->v);
	f->v = NULL;
	memset(&kv, 0, sizeof kv);
	kv.at = 0;
	raw_txn(f->dir, "history", edit_nth, &kv);
	assert_true(kv.found);
	raw_txn(f->dir, "history", edit_del, &kv);
	record_id_code(&f->rb, &cb);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, cb.s, "was amended 1 time but has 0 earlier versions");
}

static void
verify_cut_tail_needs_noted_head(void **state)
{
	struct fx *f = *state;
	struct vault_audit_head noted;
	struct tu_problems p;
	struct kv head, kv;

	/* The head as it stands, and its value in the metadata. */
	vault_close(f->v);
	f->v = NULL;
	memset(&head, 0, sizeof head);
	head.klen = strlen("audit_head");
	memcpy(head.key, "audit_head", head.klen);
	raw_txn(f->dir, "meta", edit_get, &head);
	assert_true(head.found);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "alice");                 /* entry N+1: this unlock */
	assert_ok(f->v, vault_audit_head(f->v, &noted));
	assert_ok(f->v, audit_log(f->v, AUDIT_EXPORT, NULL, NULL));   /* N+2 */
	vault_close(f->v);
	f->v = NULL;

	/* Cut the last two entries and put the older head back: the trail is
	 * consistent in itself... */
	memset(&kv, 0, sizeof kv);
	seq_key(&kv, noted.seq + 1);
	raw_txn(f->dir, "audit", edit_del, &kv);
	seq_key(&kv, noted.seq);
	raw_txn(f->dir, "audit", edit_del, &kv);
	raw_txn(f->dir, "meta", edit_put, &head);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "alice");
	vault_close(f->v);
	f->v = NULL;
	/* (that unlock appended a new entry noted.seq on top of the cut) */
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_OK);
	/* ...but not with the head noted outside. */
	assert_int_equal(verify_as_alice(f, &noted, &p), ST_TAMPERED);
	has_problem(&p, "is not the one noted earlier as the head", NULL);

	/* Deleting the head itself shows without any note: the next unlock
	 * chains on nothing, and the break is found. */
	vault_close(f->v);
	f->v = NULL;
	raw_txn(f->dir, "meta", edit_del, &head);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "does not follow", NULL);
}

static void
verify_last_entry_removed(void **state)
{
	struct fx *f = *state;
	struct vault_audit_head h;
	struct tu_problems p;
	struct kv kv;

	assert_ok(f->v, vault_audit_head(f->v, &h));
	vault_close(f->v);
	f->v = NULL;
	memset(&kv, 0, sizeof kv);
	seq_key(&kv, h.seq);
	raw_txn(f->dir, "audit", edit_del, &kv);
	/* Opening without unlocking: verify needs an unlock, which appends
	 * entry h.seq again, chained on the stored head: the replaced entry
	 * does not follow its predecessor. */
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "does not follow", NULL);
}

/* ---- training vaults ----------------------------------------------------------- */

static void
training_flag_is_authenticated(void **state)
{
	struct fx *f = *state;
	char real[4096];
	struct tu_problems p;
	struct kv flag;
	struct vault *v;

	/* Copy the flag of this training vault into a real vault: unlock refuses. */
	vault_close(f->v);
	f->v = NULL;
	memset(&flag, 0, sizeof flag);
	flag.klen = strlen("training");
	memcpy(flag.key, "training", flag.klen);
	raw_txn(f->dir, "meta", edit_get, &flag);
	assert_true(flag.found);
	PATH_FMT(real, "%s/real", f->tmp);
	v = vault_new();
	assert_ok(v, vault_create(v, real, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_false(vault_is_training(v));
	vault_close(v);
	raw_txn(real, "meta", edit_put, &flag);
	/* The flag is part of the authenticated metadata and a training vault
	 * has its own tables: the copy is refused at open or at unlock. */
	v = vault_new();
	{
		enum status st = vault_open(v, real);

		if (st == ST_OK)
			st = vault_unlock(v, "alice", PASS_A, strlen(PASS_A));
		assert_int_equal(st, ST_TAMPERED);
	}
	vault_close(v);

	/* Remove the flag of the training vault: the metadata no longer matches
	 * its MAC, so nobody unlocks it as a real vault. */
	raw_txn(f->dir, "meta", edit_del, &flag);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	assert_false(vault_is_training(f->v));
	assert_st(f->v, vault_unlock(f->v, "tess", PASS_T, strlen(PASS_T)), ST_TAMPERED);
	(void)p;
}

/* ---- pacing failed unlocks ------------------------------------------------------- */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
failed_unlocks_slow_down_and_are_audited(void **state)
{
	struct fx *f = *state;
	const struct audit_entry *e;
	struct trail t;
	struct vault *other;

	vault_lock(f->v);
	for (int i = 0; i < 3; i++)
		assert_st(f->v, vault_unlock(f->v, "bob", "a wrong passphrase", 18), ST_AUTH);
	/* The fourth try waits its turn, a second on, even with the right
	 * passphrase; asking again early keeps that same turn... */
	assert_st(f->v, vault_unlock(f->v, "bob", PASS_B, strlen(PASS_B)), ST_BUSY);
	assert_msg_has(f->v, "yours comes in 1 second");
	assert_st(f->v, vault_unlock(f->v, "bob", PASS_B, strlen(PASS_B)), ST_BUSY);
	assert_msg_has(f->v, "yours comes in 1 second");
	/* ...and another process's handle gets the turn after it, two seconds
	 * further: the count is in the vault. */
	other = vault_new();
	assert_ok(other, vault_open(other, f->dir));
	assert_st(other, vault_unlock(other, "bob", PASS_B, strlen(PASS_B)), ST_BUSY);
	assert_msg_has(other, "yours comes in 3 seconds");
	/* Other users are not held up. */
	assert_ok(other, vault_unlock(other, "alice", PASS_A, strlen(PASS_A)));
	vault_close(other);
	/* The turn, when it comes, is served without counting it again. */
	sleep_ms((long)vault_unlock_wait_ms(f->v) + 10);
	as(f, "bob");
	/* Reset by the success: the next mistake costs nothing. */
	assert_st(f->v, vault_unlock(f->v, "bob", "a wrong passphrase", 18), ST_AUTH);
	as(f, "bob");

	/* alice's unlock after bob's: reported once, with the count. */
	as(f, "alice");
	read_trail(f->v, NULL, &t);
	e = last_of(&t, AUDIT_UNLOCK_FAILED);
	assert_non_null(e);
	assert_string_equal(e->user, "bob");
	assert_int_equal(e->count, 1);
	{
		size_t reports = 0;
		uint32_t total = 0;

		for (size_t i = 0; i < t.n; i++)
			if (t.e[i].action == AUDIT_UNLOCK_FAILED && strcmp(t.e[i].user, "bob") == 0) {
				reports++;
				total += t.e[i].count;
			}
		/* 3 reported by alice's unlock in the other handle; bob's turn
		 * succeeded (not a failure); 1 mistake reported by his next
		 * success. */
		assert_int_equal(reports, 2);
		assert_int_equal(total, 4);
	}
}

static void
parallel_guesses_pay_too(void **state)
{
	struct fx *f = *state;
	int go[2], auth = 0, busy = 0, status;
	pid_t kids[4];
	char byte = 0;

	vault_close(f->v);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	for (int i = 0; i < 3; i++)
		assert_st(f->v, vault_unlock(f->v, "bob", "a wrong passphrase", 18), ST_AUTH);
	vault_close(f->v);
	f->v = NULL;
	sleep_ms(1100);
	/* Four processes guess at the same instant: the count is taken before
	 * Argon2id, so one guess goes through and the others must wait. */
	assert_int_equal(pipe(go), 0);
	fflush(NULL);
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			struct vault *v = vault_new();
			enum status st = ST_INTERNAL;

			close(go[1]);
			/* Opening is not what is tested: under load it may meet
			 * another child's transaction, so it gets a few tries. */
			for (int t = 0; v != NULL && t < 20 && (st = vault_open(v, f->dir)) != ST_OK; t++)
				sleep_ms(50);
			if (v == NULL || st != ST_OK)
				_exit(100);
			if (read(go[0], &byte, 1) < 0)
				_exit(101);
			st = vault_unlock(v, "bob", "a wrong passphrase", 18);
			vault_close(v);
			_exit((int)st);
		}
	}
	close(go[0]);
	close(go[1]);           /* EOF releases them all at once */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == ST_AUTH)
			auth++;
		else if (WEXITSTATUS(status) == ST_BUSY)
			busy++;
		else
			fail_msg("child exited %d", WEXITSTATUS(status));
	}
	assert_int_equal(auth, 1);
	assert_int_equal(busy, 3);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
}

/* ---- sharing with a group --------------------------------------------------------- */

static void
group_shared_vault(void **state)
{
	struct fx *f = *state;
	struct group *gr = getgrgid(getegid());
	char dir[4096], file[4096];
	struct stat sb;
	struct vault *v;
	mode_t old;

	assert_non_null(gr);
	v = vault_new();
	assert_st(v, vault_set_group(v, "no-such-group-intake"), ST_NOTFOUND);
	assert_msg_has(v, "groupadd");
	assert_ok(v, vault_set_group(v, gr->gr_name));
	PATH_FMT(dir, "%s/shared", f->tmp);
	old = umask(077);
	assert_ok(v, vault_create(v, dir, "zed", PASS_B, strlen(PASS_B), &fast));
	umask(old);
	vault_close(v);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 03770);
	assert_int_equal(sb.st_gid, gr->gr_gid);
	PATH_FMT(file, "%s/data.mdb", dir);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0660);
	assert_int_equal(sb.st_gid, gr->gr_gid);
	/* A group the process is not in is refused before anything is made.
	 * As root, a child that drops to nobody asks for root's group. */
	if (geteuid() == 0) {
		int status;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
				_exit(100);
			v = vault_new();
			_exit(v == NULL ? 101 : (int)vault_set_group(v, gr->gr_name));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), ST_DENIED);
	} else {
		struct group *g;

		setgrent();
		while ((g = getgrent()) != NULL) {
			int member = g->gr_gid == getegid();
			gid_t list[256];
			int n = getgroups(256, list);

			for (int i = 0; i < n; i++)
				member |= list[i] == g->gr_gid;
			if (!member)
				break;
		}
		endgrent();
		if (g != NULL) {
			v = vault_new();
			assert_st(v, vault_set_group(v, g->gr_name), ST_DENIED);
			assert_msg_has(v, "not a member");
			vault_close(v);
		}
	}
}

/* ---- the case listing ------------------------------------------------------ */

/* What a scan gave: "id-hex json" lines, sorted, so that two scans compare
 * whatever their order. */
struct seen {
	char **line;
	size_t n, cap;
};

static int
seen_add(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct seen *s = ctx;
	char hex[2 * VAULT_ID_BYTES + 1];

	assert_int_equal(st, ST_OK);
	assert_int_equal(strlen(json), len);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->line = realloc(s->line, s->cap * sizeof *s->line);
		assert_non_null(s->line);
	}
	record_id_hex(id, hex);
	assert_true(asprintf(&s->line[s->n++], "%s %s", hex, json) > 0);
	return 0;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->line[i]);
	free(s->line);
	memset(s, 0, sizeof *s);
}

/* The listing gives exactly what the summaries table gives this user, and
 * returns how many. */
static size_t
listing_agrees(struct vault *v)
{
	struct seen a = { 0 }, b = { 0 };
	size_t n;

	assert_ok(v, vault_listing_scan(v, seen_add, &a));
	assert_ok(v, vault_summary_scan(v, seen_add, &b));
	assert_int_equal(a.n, b.n);
	if (a.n > 1) {
		qsort(a.line, a.n, sizeof *a.line, line_cmp);
		qsort(b.line, b.n, sizeof *b.line, line_cmp);
	}
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.line[i], b.line[i]);
	n = a.n;
	seen_free(&a);
	seen_free(&b);
	return n;
}

static struct record_id
put_summary(struct vault *v, int i)
{
	char sum[160];
	struct record_id id;
	int n = snprintf(sum, sizeof sum, "{\"started\":\"2025-11-%02dT08:00:00Z\",\"status\":"
	    "\"final\",\"outcome\":\"refer\",\"n\":%d,\"pad\":\"%060d\"}", i % 28 + 1, i, i);

	assert_ok(v, vault_record_put(v, "{\"r\":1}", 7, sum, (size_t)n, &id));
	return id;
}

/* Every write of a summary keeps the listing in step: saves that fill
 * several chunks, amendments (a summary that grows), a replace without a
 * summary, deletions and an import; as a supervisor (all) and as an
 * interviewer (their own); verify agrees. */
static void
listing_follows_every_write(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;
	struct record_id ids[600], imp = { { 0 } };
	struct vault_import_record rec;
	size_t imported, skipped;
	char big[400];
	int n;

	assert_int_equal(listing_agrees(f->v), 2);
	for (int i = 0; i < 600; i++)
		ids[i] = put_summary(f->v, i);
	assert_int_equal(listing_agrees(f->v), 602);
	/* More than one chunk: the table has several keys. */
	n = snprintf(big, sizeof big, "{\"status\":\"amended\",\"why\":\"%0300d\"}", 7);
	assert_ok(f->v, vault_record_amend(f->v, &ids[3], "{\"r\":2}", 7, big, (size_t)n,
	    "date corrected"));
	assert_ok(f->v, vault_record_amend(f->v, &ids[599], "{\"r\":2}", 7, "{}", 2,
	    "shorter"));
	assert_ok(f->v, vault_record_amend(f->v, &ids[10], "{\"r\":3}", 7, NULL, 0, "no summary"));
	assert_ok(f->v, vault_record_delete(f->v, &ids[0], "entered twice"));
	assert_ok(f->v, vault_record_delete(f->v, &ids[300], "entered twice"));
	assert_int_equal(listing_agrees(f->v), 600);
	memset(&rec, 0, sizeof rec);
	imp.b[0] = 0xEE;
	imp.b[15] = 0x01;
	rec.id = imp;
	rec.json = "{\"r\":9}";
	rec.len = 7;
	rec.summary = "{\"status\":\"imported\"}";
	rec.summary_len = strlen(rec.summary);
	assert_ok(f->v, vault_import(f->v, NULL, 0, &rec, 1, NULL, &imported, &skipped));
	assert_int_equal(imported, 1);
	assert_int_equal(listing_agrees(f->v), 601);

	as(f, "bob");
	assert_int_equal(listing_agrees(f->v), 1);     /* bob's one record */
	put_summary(f->v, 1000);
	assert_int_equal(listing_agrees(f->v), 2);
	as(f, "alice");
	assert_int_equal(listing_agrees(f->v), 602);
	if (verify_as_alice(f, NULL, &p) != ST_OK)
		for (size_t i = 0; i < p.n && i < 32; i++)
			print_error("problem: %s\n", p.text[i]);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.n, 0);
}

static void
drop_table(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	(void)arg;
	assert_int_equal(mdb_drop(txn, dbi, 1), 0);
}

/* A vault made before the listing existed gets it at the next unlock. */
static void
listing_built_at_unlock(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;

	for (int i = 0; i < 20; i++)
		put_summary(f->v, i);
	vault_close(f->v);
	f->v = NULL;
	raw_txn(f->dir, "listing", drop_table, NULL);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "bob");
	assert_int_equal(listing_agrees(f->v), 1);
	as(f, "alice");
	assert_int_equal(listing_agrees(f->v), 22);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_OK);
	assert_int_equal(p.n, 0);
}

/* A damaged chunk: the listing scan says so and the summaries still list
 * every case; saving goes on; verify names the chunk; a supervisor
 * rebuilds it, an interviewer may not. */
static void
listing_damaged_chunk(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;
	struct seen s = { 0 };
	struct kv kv;

	vault_close(f->v);
	f->v = NULL;
	memset(&kv, 0, sizeof kv);
	kv.klen = 4;
	kv.key[3] = 1;                  /* chunk 1 */
	kv.at = 100;
	raw_txn(f->dir, "listing", edit_flip, &kv);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "alice");
	assert_st(f->v, vault_listing_scan(f->v, seen_add, &s), ST_TAMPERED);
	assert_msg_has(f->v, "intake verify");
	seen_free(&s);
	assert_ok(f->v, vault_summary_scan(f->v, seen_add, &s));
	assert_int_equal(s.n, 2);
	seen_free(&s);
	put_summary(f->v, 1);           /* goes to a new chunk */

	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "chunk 1 of the case listing failed its integrity check", NULL);
	assert_int_equal(p.n, 1);
	as(f, "bob");
	assert_st(f->v, vault_listing_rebuild(f->v), ST_DENIED);
	as(f, "alice");
	assert_ok(f->v, vault_listing_rebuild(f->v));
	assert_int_equal(listing_agrees(f->v), 3);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_OK);
}

/* An older copy of a chunk put back: the amended case shows its old
 * summary in the list, and verify says so. */
static void
listing_rolled_back(void **state)
{
	struct fx *f = *state;
	struct tu_problems p;
	struct case_code code;
	struct kv kv;

	vault_close(f->v);
	f->v = NULL;
	memset(&kv, 0, sizeof kv);
	kv.klen = 4;
	kv.key[3] = 1;
	raw_txn(f->dir, "listing", edit_get, &kv);
	assert_true(kv.found);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "alice");
	assert_ok(f->v, vault_record_amend(f->v, &f->ra, "{\"by\":\"alice\",\"v\":2}", 20,
	    "{\"s\":2}", 7, "outcome corrected"));
	vault_close(f->v);
	f->v = NULL;
	raw_txn(f->dir, "listing", edit_put, &kv);
	record_id_code(&f->ra, &code);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_TAMPERED);
	has_problem(&p, "the case listing shows record", code.s);
	assert_int_equal(p.n, 1);
}

/* A summary larger than an item less the room of its listing entry is
 * refused with its size; a large one that fits is listed; amendments that
 * grow entries move them out of a full chunk and the listing stays whole. */
static void
count_big(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	MDB_cursor *cur;
	MDB_val k, d;

	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	while (mdb_cursor_get(cur, &k, &d, MDB_NEXT) == 0)
		*(size_t *)arg += d.mv_size > (16 << 10) + 256;
	mdb_cursor_close(cur);
}

static void
listing_large_summaries(void **state)
{
	struct fx *f = *state;
	size_t len = (size_t)16 << 20, big = 0;
	char *sum = malloc(len);
	struct record_id id, ids[40];
	struct tu_problems p;

	assert_non_null(sum);
	memset(sum, 'x', len);
	assert_st(f->v, vault_record_put(f->v, "{}", 2, sum, len, &id), ST_INVALID);
	assert_msg_has(f->v, "summary is too large");
	assert_ok(f->v, vault_record_put(f->v, "{}", 2, sum, (size_t)100 << 10, &id));
	for (int i = 0; i < 40; i++)
		ids[i] = put_summary(f->v, i);
	for (int round = 1; round <= 3; round++)
		for (int i = 0; i < 40; i += 3)
			assert_ok(f->v, vault_record_amend(f->v, &ids[i], "{\"r\":2}", 7, sum,
			    (size_t)round * 900 + (size_t)i, "longer notes"));
	free(sum);
	assert_int_equal(listing_agrees(f->v), 43);
	assert_int_equal(verify_as_alice(f, NULL, &p), ST_OK);
	assert_int_equal(p.n, 0);
	/* Only the chunk holding the 100 KiB summary alone is over 16 KiB:
	 * the grown entries moved out instead of swelling theirs. */
	vault_close(f->v);
	f->v = NULL;
	raw_txn(f->dir, "listing", count_big, &big);
	assert_int_equal(big, 1);
}

static void
delete_first(MDB_txn *txn, MDB_dbi dbi, void *arg)
{
	MDB_cursor *cur;
	MDB_val k, d;

	(void)arg;
	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	assert_int_equal(mdb_cursor_get(cur, &k, &d, MDB_FIRST), 0);
	assert_int_equal(mdb_cursor_del(cur, 0), 0);
	mdb_cursor_close(cur);
}

/* A chunk deleted on disk: the listing no longer accounts for every
 * summary, and says so rather than hiding cases. */
static void
listing_out_of_step(void **state)
{
	struct fx *f = *state;
	struct seen s = { 0 };

	for (int i = 0; i < 200; i++)
		put_summary(f->v, i);
	vault_close(f->v);
	f->v = NULL;
	raw_txn(f->dir, "listing", delete_first, NULL);
	f->v = vault_new();
	assert_ok(f->v, vault_open(f->v, f->dir));
	as(f, "alice");
	assert_st(f->v, vault_listing_scan(f->v, seen_add, &s), ST_TAMPERED);
	assert_msg_has(f->v, "out of step");
	seen_free(&s);
	assert_ok(f->v, vault_listing_rebuild(f->v));
	assert_int_equal(listing_agrees(f->v), 202);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(roles_in_real_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(roles_in_training_vault, setup_training, teardown),
		cmocka_unit_test_setup_teardown(entries_of_the_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(entries_written_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(audit_log_refuses_what_the_vault_writes, setup, teardown),
		cmocka_unit_test(encode_decode_round_trip),
		cmocka_unit_test_setup_teardown(head_text_round_trip, setup, teardown),
		cmocka_unit_test(describe_is_terminal_safe),
		cmocka_unit_test(describe_in_translates_the_words_not_the_data),
		cmocka_unit_test_setup_teardown(amend_keeps_every_version, setup, teardown),
		cmocka_unit_test_setup_teardown(delete_removes_record_summary_history, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_clean_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_deleted_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_reordered_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_flipped_entry_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_flipped_record_and_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_deleted_and_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_history_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_cut_tail_needs_noted_head, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_last_entry_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(training_flag_is_authenticated, setup_training, teardown),
		cmocka_unit_test_setup_teardown(failed_unlocks_slow_down_and_are_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(parallel_guesses_pay_too, setup, teardown),
		cmocka_unit_test_setup_teardown(group_shared_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_follows_every_write, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_built_at_unlock, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_damaged_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_large_summaries, setup, teardown),
		cmocka_unit_test_setup_teardown(listing_out_of_step, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
