/*
 * test_vault2.c — vault format 2 through libintake: what each user's own
 * keys change for the people using the vault. A supervisor's amendment of
 * an interviewer's record stays readable by that interviewer; a passphrase
 * a supervisor resets gives the user new keys and keeps their records;
 * removing the supervisor who added users leaves those users able to
 * unlock (their entries are signed again); an entry edited on disk
 * (promoted, or signed by no one the root trusts) is refused at unlock.
 * Payloads are compressed before they are sealed, the compression bound to
 * the envelope's header, and a frame that would unpack past the limit, or
 * not as intake writes it, is refused.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <lmdb.h>
#include <sodium.h>
#include <zstd.h>

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

/* A write transaction straight on the vault's files, as someone editing
 * them would open one, with table db open in it; raw_end commits it. */
static MDB_txn *
raw_begin(const char *dir, const char *db, MDB_env **env, MDB_dbi *dbi)
{
	MDB_txn *txn;

	assert_int_equal(mdb_env_create(env), 0);
	assert_int_equal(mdb_env_set_maxdbs(*env, 32), 0);
	assert_int_equal(mdb_env_open(*env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(*env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, dbi), 0);
	return txn;
}

static void
raw_end(MDB_env *env, MDB_txn *txn)
{
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
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

	txn = raw_begin(dir, "users", &env, &dbi);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	assert_true(d.mv_size <= sizeof buf);
	memcpy(buf, d.mv_data, d.mv_size);
	fn(buf, d.mv_size);
	d.mv_data = buf;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	raw_end(env, txn);
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

/* A screening of about 2 KiB, as the forms make them: closed answers under
 * long keys and a little free text, varied by i. */
static size_t
screening(char *buf, size_t size, unsigned i)
{
	static const char *const words[] = { "recruiter", "promised", "factory", "work",
		"border", "documents", "kept", "by", "employer", "debt", "wages", "not", "paid",
		"sister", "phone", "village", "bus", "night", "locked", "dormitory" };
	static const char *const ages[] = { "age_18_20", "age_21_23", "age_24_26" };
	size_t n = (size_t)snprintf(buf, size,
	    "{\"form\":\"screening\",\"form_version\":\"2.0\",\"language\":\"lo\","
	    "\"record_id\":\"%032u\",\"interviewer\":\"bob\",\"started\":\"2026-11-%02uT09:%02u:00Z\","
	    "\"finished\":\"2026-11-%02uT10:%02u:00Z\",\"answers\":{\"danger_now\":\"no\","
	    "\"urgent_medical\":\"no\",\"consent_interview\":\"yes\",\"consent_referral\":\"%s\","
	    "\"consent_statistics\":\"yes\",\"age_band\":\"%s\",\"sector\":[\"factory\"],"
	    "\"job_different\":\"yes\",\"documents_held_by\":\"employer\","
	    "\"debt_work_off\":\"%s\",\"movement_restricted\":\"yes\",\"threats\":\"no\","
	    "\"wages_withheld\":\"yes\",\"needs_now\":[\"shelter\",\"legal\"],"
	    "\"story\":\"", i, 1 + i % 28, i % 60, 1 + i % 28, i % 60, i % 2 ? "yes" : "no",
	    ages[i % 3], i % 3 ? "no" : "yes");
	uint32_t x = 88172645u + i;

	while (n + 40 < size - 1 - 40) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n += (size_t)snprintf(buf + n, size - n, "%s ", words[x % 20]);
	}
	n += (size_t)snprintf(buf + n, size - n, "\"},\"indicators\":[\"documents\",\"debt\"]}");
	return n;
}

/* size - 1 bytes that do not compress (none of them NUL). */
static size_t
noise(char *buf, size_t size, unsigned i)
{
	uint32_t x = 2463534242u + i;

	for (size_t at = 0; at < size - 1; at++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[at] = (char)(1 + x % 255);
	}
	buf[size - 1] = '\0';
	return size - 1;
}

/* The raw value of key in table db of the vault at dir: copied into buf
 * (returns its size), or, with put set, buf[len] written in its place. */
static size_t
raw_value(const char *dir, const char *db, const void *key, size_t klen, unsigned char *buf,
    size_t cap, size_t len, int put)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)(uintptr_t)key }, d;

	txn = raw_begin(dir, db, &env, &dbi);
	if (put) {
		d.mv_size = len;
		d.mv_data = buf;
		assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	} else {
		assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
		assert_true(d.mv_size <= cap);
		memcpy(buf, d.mv_data, d.mv_size);
		len = d.mv_size;
	}
	raw_end(env, txn);
	return len;
}

struct seen {
	const struct record_id *id;
	const char *want;
	int found, damaged;
};

static int
seen_fn(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct seen *s = ctx;

	if (memcmp(id->b, s->id->b, VAULT_ID_BYTES) != 0)
		return 0;
	if (st != ST_OK) {
		s->damaged++;
		return 0;
	}
	s->found += len == strlen(s->want) && strcmp(json, s->want) == 0;
	return 0;
}

/* A typical record is sealed as a zstd frame well under half its size
 * (header byte 3 says so), so it stays in a leaf page; its summary, the
 * version an amendment keeps and a draft are compressed too; everything
 * reads back as saved, by a get, a scan and verify. Content that does not
 * compress is stored as it is. */
static void
payloads_packed_before_sealing(void **state)
{
	struct fx *f = *state;
	char rec[2100], rec2[2100], junk[2049], *json = NULL;
	unsigned char env[8192], hk[VAULT_ID_BYTES + 4] = { 0 };
	size_t len = 0, rl = screening(rec, sizeof rec, 1), rl2 = screening(rec2, sizeof rec2, 2);
	struct record_id id, id2, draft = { { 0 } };
	struct seen sn = { &id, rec2, 0, 0 };
	unsigned char dk[4 + VAULT_ID_BYTES];
	size_t n;

	assert_true(rl > 2000 && rl < 2100);
	noise(junk, sizeof junk, 7);
	OK(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PB, strlen(PB), &fast));
	as(f, "bob", PB);
	OK(f->v, vault_record_put(f->v, rec, rl, "{\"status\":\"final\",\"interviewer\":\"bob\"}",
	    39, &id));
	OK(f->v, vault_record_put(f->v, junk, strlen(junk), NULL, 0, &id2));
	OK(f->v, vault_draft_put(f->v, &draft, rec, rl));
	as(f, "alice", PA);
	OK(f->v, vault_record_amend(f->v, &id, rec2, rl2, NULL, 0, "corrected"));
	vault_close(f->v);
	f->v = NULL;

	n = raw_value(f->dir, "records", id.b, VAULT_ID_BYTES, env, sizeof env, 0, 0);
	assert_int_equal(env[1], 2);
	assert_int_equal(env[3], 1);
	assert_true(n < 1024);
	memcpy(hk, id.b, VAULT_ID_BYTES);
	hk[VAULT_ID_BYTES + 3] = 1;
	n = raw_value(f->dir, "history", hk, sizeof hk, env, sizeof env, 0, 0);
	assert_int_equal(env[3], 1);
	assert_true(n < 1024);
	memcpy(dk, "bob", 4);
	memcpy(dk + 4, draft.b, VAULT_ID_BYTES);
	n = raw_value(f->dir, "drafts", dk, sizeof dk, env, sizeof env, 0, 0);
	assert_int_equal(env[3], 1);
	assert_true(n < 1024);
	n = raw_value(f->dir, "records", id2.b, VAULT_ID_BYTES, env, sizeof env, 0, 0);
	assert_int_equal(env[3], 0);
	assert_true(n > strlen(junk));

	f->v = vault_new();
	OK(f->v, vault_open(f->v, f->dir));
	as(f, "alice", PA);
	reads(f->v, &id, rec2);
	reads(f->v, &id2, junk);
	OK(f->v, vault_record_history(f->v, &id, 1, &json, &len));
	assert_int_equal(len, rl);
	assert_string_equal(json, rec);
	vault_plain_free(json, len);
	OK(f->v, vault_record_scan(f->v, seen_fn, &sn));
	assert_int_equal(sn.found, 1);
	assert_int_equal(sn.damaged, 0);
	verifies(f->v);
	as(f, "bob", PB);
	OK(f->v, vault_draft_get(f->v, &draft, &json, &len));
	assert_string_equal(json, rec);
	vault_plain_free(json, len);
}

/* Whether content is compressed is in the header, which the payload's
 * associated data binds: a header claiming otherwise, or a changed byte of
 * the sealed frame, fails to open. */
static void
packed_header_bound(void **state)
{
	struct fx *f = *state;
	char rec[2100];
	unsigned char env[8192], orig[8192];
	size_t n, rl = screening(rec, sizeof rec, 3);
	struct record_id id;
	char *json = NULL;
	size_t len = 0;

	OK(f->v, vault_record_put(f->v, rec, rl, NULL, 0, &id));
	vault_close(f->v);
	f->v = NULL;
	n = raw_value(f->dir, "records", id.b, VAULT_ID_BYTES, orig, sizeof orig, 0, 0);
	assert_int_equal(orig[3], 1);
	for (int edit = 0; edit < 2; edit++) {
		memcpy(env, orig, n);
		if (edit == 0)
			env[3] = 0;
		else
			env[n - 30] ^= 0x01;
		raw_value(f->dir, "records", id.b, VAULT_ID_BYTES, env, 0, n, 1);
		f->v = vault_new();
		OK(f->v, vault_open(f->v, f->dir));
		as(f, "alice", PA);
		assert_int_equal(vault_record_get(f->v, &id, &json, &len), ST_TAMPERED);
		vault_close(f->v);
		f->v = NULL;
	}
	raw_value(f->dir, "records", id.b, VAULT_ID_BYTES, orig, 0, n, 1);
	f->v = vault_new();
	OK(f->v, vault_open(f->v, f->dir));
	as(f, "alice", PA);
	reads(f->v, &id, rec);
}

static void
refused_(struct fx *f, const void *frame, size_t n, int line)
{
	struct record_id id;
	struct seen sn = { &id, "", 0, 0 };
	char *json = NULL;
	size_t len = 0;
	int problems = 0;

	OK(f->v, vault_test_record_put_frame(f->v, frame, n, &id));
	if (vault_record_get(f->v, &id, &json, &len) != ST_FORMAT)
		fail_msg("line %d: a refused frame opened, or not with ST_FORMAT: %s", line,
		    vault_errmsg(f->v));
	assert_null(json);
	assert_non_null(strstr(vault_errmsg(f->v), "compressed content"));
	OK(f->v, vault_record_scan(f->v, seen_fn, &sn));
	assert_int_equal(sn.damaged, 1);
	vault_verify(f->v, NULL, print_problem, &problems, NULL);
	assert_true(problems > 0);
	OK(f->v, vault_record_delete(f->v, &id, "test frame"));
}
#define refused(f, frame, n) refused_((f), (frame), (n), __LINE__)

/* Frames no save writes, sealed as a save seals them (so only opening can
 * tell): one that unpacks past 16 MiB (a decompression bomb: a few hundred
 * bytes declaring 17 MiB), one that does not declare its size, a truncated
 * one, two frames in one. Each is refused with ST_FORMAT; a scan reports
 * it as damaged and verify names it; a genuine frame next to them opens. */
static void
refused_frames(void **state)
{
	struct fx *f = *state;
	size_t big = (size_t)17 << 20, cap = ZSTD_compressBound(big), n, m;
	unsigned char *zeros = calloc(1, big), *frame = malloc(cap + 4096);
	char small[600];
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	struct record_id ok;

	assert_non_null(zeros);
	assert_non_null(frame);
	assert_non_null(cc);
	n = ZSTD_compress(frame, cap, zeros, big, 3);
	assert_false(ZSTD_isError(n));
	assert_true(n < 4096);
	refused(f, frame, n);

	memset(small, 'a', sizeof small);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0)));
	n = ZSTD_compress2(cc, frame, cap, small, sizeof small);
	assert_false(ZSTD_isError(n));
	refused(f, frame, n);

	n = ZSTD_compress(frame, cap, small, sizeof small, 3);
	assert_false(ZSTD_isError(n));
	refused(f, frame, n - 3);
	m = ZSTD_compress(frame + n, cap, small, sizeof small, 3);
	assert_false(ZSTD_isError(m));
	refused(f, frame, n + m);

	/* The same frame alone is what a save writes: it opens. */
	OK(f->v, vault_test_record_put_frame(f->v, frame, n, &ok));
	small[sizeof small - 1] = '\0';
	memset(small, 'a', sizeof small - 1);
	{
		char *json = NULL;
		size_t len = 0;

		OK(f->v, vault_record_get(f->v, &ok, &json, &len));
		assert_int_equal(len, sizeof small);
		assert_memory_equal(json, "aaaa", 4);
		vault_plain_free(json, len);
	}
	ZSTD_freeCCtx(cc);
	free(zeros);
	free(frame);
}

/* LMDB rewrites a value in the overflow run it already holds when the run
 * was written in the same transaction and is large enough, and leaves the
 * run's page count as it was: a listing chunk that grows then shrinks in
 * one transaction (a bundle adding and deleting records) ends in a run
 * longer than its value needs. Such a file is sound, and opens. */
static void
overflow_run_longer_than_its_value_opens(void **state)
{
	struct fx *f = *state;
	static unsigned char big[5 * 4096];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 5, (void *)(uintptr_t)"chunk" }, d;
	int problems = 0;

	vault_close(f->v);
	f->v = NULL;
	memset(big, 'c', sizeof big);
	txn = raw_begin(f->dir, "listing", &env, &dbi);
	d.mv_size = sizeof big;
	d.mv_data = big;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	d.mv_size = 3 * 4096;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	raw_end(env, txn);

	f->v = vault_new();
	OK(f->v, vault_open(f->v, f->dir));
	as(f, "alice", PA);
	/* The planted value is reported, as a listing key of the wrong size;
	 * the pages are not. */
	assert_int_equal(vault_verify(f->v, NULL, print_problem, &problems, NULL), ST_TAMPERED);
	assert_int_equal(problems, 1);
	/* With no function for the problems, verify still counts them. */
	{
		struct vault_verify_counts c;

		assert_int_equal(vault_verify(f->v, NULL, NULL, NULL, &c), ST_TAMPERED);
		assert_int_equal(c.problems, 1);
	}
}

/* The resident pages of files this process maps (the vault's among them),
 * in KiB, sampled while an import runs. */
static atomic_long mapped_peak;
static atomic_int sampling;

static long
mapped_kib(void)
{
	char line[256];
	long kib, sum = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "RssFile: %ld", &kib) == 1 || sscanf(line, "RssShmem: %ld", &kib) == 1)
			sum += kib;
	if (f != NULL)
		fclose(f);
	return sum;
}

static void *
sample_mapped(void *arg)
{
	struct timespec ms = { 0, 1000000 };

	(void)arg;
	while (atomic_load(&sampling)) {
		long k = mapped_kib();

		if (k > atomic_load(&mapped_peak))
			atomic_store(&mapped_peak, k);
		nanosleep(&ms, NULL);
	}
	return NULL;
}

/* Imports n records of about 700 random bytes each (stored inline in the
 * leaves, as real records are: a lookup at a random id touches a leaf of
 * its own). */
static void
import_random(struct fx *f, size_t n)
{
	struct vault_import_record *recs = calloc(n, sizeof *recs);
	char *json = malloc(n * 720);
	size_t imported, skipped;

	assert_non_null(recs);
	assert_non_null(json);
	for (size_t i = 0; i < n; i++) {
		char *j = json + i * 720;
		unsigned char raw[340];

		randombytes_buf(raw, sizeof raw);
		randombytes_buf(recs[i].id.b, VAULT_ID_BYTES);
		memcpy(j, "{\"x\":\"", 6);
		sodium_bin2hex(j + 6, 2 * sizeof raw + 1, raw, sizeof raw);
		memcpy(j + 6 + 2 * sizeof raw, "\"}", 3);
		recs[i].json = j;
		recs[i].len = strlen(j);
	}
	OK(f->v, vault_import(f->v, NULL, 0, recs, n, NULL, &imported, &skipped));
	assert_int_equal(imported, n);
	free(recs);
	free(json);
}

/* n records to import at random ids, each its own summary, in the shape
 * listed_cb checks (in *sums, 400 bytes each): free both. */
static struct vault_import_record *
imports_new(size_t n, char **sums)
{
	struct vault_import_record *recs = calloc(n, sizeof *recs);

	*sums = malloc(n * 400);
	assert_true(recs != NULL && *sums != NULL);
	for (size_t i = 0; i < n; i++) {
		char *s = *sums + i * 400;

		randombytes_buf(recs[i].id.b, VAULT_ID_BYTES);
		memcpy(s, "{\"s\":\"xx", 8);
		sodium_bin2hex(s + 8, 2 * VAULT_ID_BYTES + 1, recs[i].id.b, VAULT_ID_BYTES);
		/* 300 to 330 bytes: about fifty to a chunk, and ends that differ. */
		memset(s + 8 + 2 * VAULT_ID_BYTES, 'y', 300 + i % 31);
		memcpy(s + 8 + 2 * VAULT_ID_BYTES + 300 + i % 31, "\"}", 3);
		recs[i].json = recs[i].summary = s;
		recs[i].len = recs[i].summary_len = strlen(s);
	}
	return recs;
}

static void
import_random_listed(struct fx *f, size_t n)
{
	char *sums;
	struct vault_import_record *recs = imports_new(n, &sums);
	size_t imported, skipped;

	OK(f->v, vault_import(f->v, NULL, 0, recs, n, NULL, &imported, &skipped));
	assert_int_equal(imported, n);
	free(recs);
	free(sums);
}

/* An import looks each record up at a random place of the file, and the
 * kernel maps 64 KiB around every page it faults in: without letting go of
 * them, an import of 20,000 records into a million kept 2 GiB of the file
 * resident. With the pages let go every 1 MiB counted (every 32 MiB in
 * the program), an import into a vault of 10 MiB keeps a fraction of it. */
static void
import_lets_go_of_pages(void **state)
{
	struct fx *f = *state;
	char data[4200];
	struct stat sb;
	pthread_t th;
	long before;

	for (int b = 0; b < 10; b++)
		import_random(f, 1500);
	vault_close(f->v);
	f->v = vault_new();
	OK(f->v, vault_open(f->v, f->dir));
	as(f, "alice", PA);
	snprintf(data, sizeof data, "%s/data.mdb", f->dir);
	assert_int_equal(stat(data, &sb), 0);
	assert_true(sb.st_size > (off_t)10 << 20);

	vault_test_map_tick((size_t)1 << 20);
	before = mapped_kib();
	atomic_store(&mapped_peak, before);
	atomic_store(&sampling, 1);
	assert_int_equal(pthread_create(&th, NULL, sample_mapped, NULL), 0);
	import_random(f, 3000);
	atomic_store(&sampling, 0);
	pthread_join(th, NULL);
	vault_test_map_tick(0);
	if (atomic_load(&mapped_peak) - before > (long)(sb.st_size / 1024 / 4))
		fail_msg("the import kept %ld KiB of a %lld KiB vault file resident",
		    atomic_load(&mapped_peak) - before, (long long)sb.st_size / 1024);
}

struct listed {
	struct record_id *ids;
	size_t n, cap;
	int bad;
};

static int
listed_cb(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct listed *l = ctx;

	/* Each summary here is the record's id in hex, padded. */
	char hex[2 * VAULT_ID_BYTES + 1];

	sodium_bin2hex(hex, sizeof hex, id->b, VAULT_ID_BYTES);
	if (st != ST_OK || len < sizeof hex - 1 || memcmp(json + 8, hex, sizeof hex - 1) != 0)
		l->bad++;
	if (l->n < l->cap)
		l->ids[l->n] = *id;
	l->n++;
	return 0;
}

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, VAULT_ID_BYTES);
}

/* The thread packing an import's records ahead and the one storing them
 * wake each other once for a batch of records, not for every record:
 * each wake-up is system calls on both sides. At most one for each half
 * ring (32 records) each way, and a few more (the ends, a thread woken
 * for no reason). Woken at every record, it was two for each. */
static void
import_wakes_by_the_batch(void **state)
{
	struct fx *f = *state;
	enum { IMPORTED = 2000 };
	char *sums;
	struct vault_import_record *recs = imports_new(IMPORTED, &sums);
	size_t imported, skipped, wakes;

	(void)vault_test_helper_wakes();
	OK(f->v, vault_import(f->v, NULL, 0, recs, IMPORTED, NULL, &imported, &skipped));
	wakes = vault_test_helper_wakes();
	assert_int_equal(imported, IMPORTED);
	assert_true(wakes <= 2 * IMPORTED / 32 + 16);
	free(recs);
	free(sums);
}

/* Records whose slot ahead could not be made are packed as they are
 * stored: every record of the import is there, reads back as it was
 * given, and verifies. */
static void
import_packs_inline_what_could_not_go_ahead(void **state)
{
	struct fx *f = *state;
	enum { IMPORTED = 200 };
	char *sums;
	struct vault_import_record *recs = imports_new(IMPORTED, &sums);
	size_t imported, skipped;

	vault_test_ahead_fail(40, 110);
	OK(f->v, vault_import(f->v, NULL, 0, recs, IMPORTED, NULL, &imported, &skipped));
	vault_test_ahead_fail(0, 0);
	assert_int_equal(imported, IMPORTED);
	for (int i = 0; i < IMPORTED; i++) {
		char *json, *sum;
		size_t len, slen;

		OK(f->v, vault_record_get(f->v, &recs[i].id, &json, &len));
		OK(f->v, vault_summary_get(f->v, &recs[i].id, &sum, &slen));
		assert_int_equal(len, recs[i].len);
		assert_memory_equal(json, recs[i].json, len);
		assert_int_equal(slen, recs[i].summary_len);
		assert_memory_equal(sum, recs[i].summary, slen);
		vault_plain_free(json, len);
		vault_plain_free(sum, slen);
	}
	verifies(f->v);
	free(recs);
	free(sums);
}

/* An import refused at its 650th record, after the records before it
 * were stored in nested transactions already merged into the import's:
 * nothing of it stays, not a record, a summary, a listing entry or an
 * audit entry, and the vault verifies. */
static void
import_refused_late_leaves_nothing(void **state)
{
	struct fx *f = *state;
	enum { IMPORTED = 700, CLASH = 650 };
	char *sums, one[400];
	struct vault_import_record *recs = imports_new(IMPORTED, &sums);
	struct vault_audit_head before, after;
	struct record_id *ids = NULL, here;
	size_t imported, skipped, n = 0, listed = 0;

	OK(f->v, vault_record_id_new(f->v, &here));
	memcpy(one, "{\"s\":\"here\"}", 13);
	OK(f->v, vault_record_put_as(f->v, &here, one, 12, one, 12));
	memcpy(recs[CLASH].id.b, here.b, 5);    /* its case code */
	OK(f->v, vault_audit_head(f->v, &before));
	assert_int_equal(vault_import(f->v, NULL, 0, recs, IMPORTED, NULL, &imported, &skipped),
	    ST_EXISTS);
	OK(f->v, vault_record_list(f->v, &ids, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(ids[0].b, here.b, VAULT_ID_BYTES);
	OK(f->v, vault_listing_scan(f->v, count_ok, &listed));
	assert_int_equal(listed, 1);
	OK(f->v, vault_audit_head(f->v, &after));
	assert_int_equal(after.seq, before.seq);
	assert_memory_equal(after.link, before.link, sizeof after.link);
	verifies(f->v);
	free(ids);
	free(recs);
	free(sums);
}

/* LMDB allocates as it starts a nested transaction and as it merges one
 * into its parent. Either failing for the second part of an import, after
 * the first 512 records were merged, leaves nothing of the import, says
 * memory ran out, and the same import then goes through whole. */
static void
import_part_failing_leaves_nothing(void **state)
{
	struct fx *f = *state;
	enum { IMPORTED = 700 };
	char *sums;
	struct vault_import_record *recs = imports_new(IMPORTED, &sums);
	struct vault_audit_head before, after;
	size_t imported, skipped, n, listed;
	struct record_id *ids;

	for (int at_commit = 0; at_commit < 2; at_commit++) {
		OK(f->v, vault_audit_head(f->v, &before));
		vault_test_part_fail(2, at_commit);
		assert_int_equal(vault_import(f->v, NULL, 0, recs, IMPORTED, NULL, &imported,
		    &skipped), ST_NOMEM);
		vault_test_part_fail(0, 0);
		assert_non_null(strstr(vault_errmsg(f->v), "out of memory"));
		ids = NULL;
		n = 0;
		OK(f->v, vault_record_list(f->v, &ids, &n));
		assert_int_equal(n, 0);
		free(ids);
		listed = 0;
		OK(f->v, vault_listing_scan(f->v, count_ok, &listed));
		assert_int_equal(listed, 0);
		OK(f->v, vault_audit_head(f->v, &after));
		assert_int_equal(after.seq, before.seq);
		assert_memory_equal(after.link, before.link, sizeof after.link);
		verifies(f->v);
	}
	OK(f->v, vault_import(f->v, NULL, 0, recs, IMPORTED, NULL, &imported, &skipped));
	assert_int_equal(imported, IMPORTED);
	verifies(f->v);
	free(recs);
	free(sums);
}

/* The listing of an import is filled chunk by chunk in memory and sealed
 * once a chunk (vault_listing_batch_begin): every record imported is
 * listed once, with its own summary, across chunks, after records saved
 * one by one and before an amendment and a deletion in later transactions;
 * and verify finds the listing and the summaries in step. With twenty
 * chunks, the listing is read with a second thread opening chunks ahead
 * (vault_listing_scan). */
static void
import_lists_each_record_once(void **state)
{
	struct fx *f = *state;
	enum { SAVED = 3, IMPORTED = 1000 };
	char *sums, one[400];
	struct vault_import_record *recs = imports_new(IMPORTED, &sums);
	struct record_id saved[SAVED];
	struct listed l = { calloc(SAVED + IMPORTED + 1, sizeof *l.ids), 0, SAVED + IMPORTED + 1,
	    0 };
	size_t imported, skipped;

	assert_non_null(l.ids);
	for (int i = 0; i < SAVED; i++) {
		OK(f->v, vault_record_id_new(f->v, &saved[i]));
		memcpy(one, "{\"s\":\"xx", 8);
		sodium_bin2hex(one + 8, 2 * VAULT_ID_BYTES + 1, saved[i].b, VAULT_ID_BYTES);
		memset(one + 8 + 2 * VAULT_ID_BYTES, 'y', 300);
		memcpy(one + 8 + 2 * VAULT_ID_BYTES + 300, "\"}", 3);
		OK(f->v, vault_record_put_as(f->v, &saved[i], one, strlen(one), one, strlen(one)));
	}
	OK(f->v, vault_import(f->v, NULL, 0, recs, IMPORTED, NULL, &imported, &skipped));
	assert_int_equal(imported, IMPORTED);

	OK(f->v, vault_listing_scan(f->v, listed_cb, &l));
	assert_int_equal(l.bad, 0);
	assert_int_equal(l.n, SAVED + IMPORTED);
	qsort(l.ids, l.n, sizeof *l.ids, id_cmp);
	for (size_t i = 1; i < l.n; i++)
		assert_true(memcmp(&l.ids[i - 1], &l.ids[i], VAULT_ID_BYTES) != 0);
	for (int i = 0; i < IMPORTED; i++)
		assert_non_null(bsearch(&recs[i].id, l.ids, l.n, sizeof *l.ids, id_cmp));
	verifies(f->v);

	/* Later transactions find the entries the batch sealed. */
	memcpy(one, sums, 400);
	memset(one + 8 + 2 * VAULT_ID_BYTES, 'z', 10);
	OK(f->v, vault_record_replace(f->v, &recs[0].id, one, strlen(one), one, strlen(one)));
	OK(f->v, vault_record_delete(f->v, &recs[IMPORTED - 1].id, "consent withdrawn"));
	l.n = 0;
	l.bad = 0;
	OK(f->v, vault_listing_scan(f->v, listed_cb, &l));
	assert_int_equal(l.bad, 0);
	assert_int_equal(l.n, SAVED + IMPORTED - 1);
	verifies(f->v);
	free(recs);
	free(sums);
	free(l.ids);
}

/* The raw audit table: how many entries are marked as signed by their
 * writer's next entry (header byte 2 is 2), and whether the last is not;
 * with `stamp` set, a byte of the first such entry's empty signature is
 * set, as an editor would to pass it off as signed. */
static size_t
raw_deferred(const char *dir, int stamp, int *last_signed)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_dbi dbi;
	MDB_val k, d;
	unsigned char buf[4096];
	size_t n = 0;

	txn = raw_begin(dir, "audit", &env, &dbi);
	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	while (mdb_cursor_get(cur, &k, &d, MDB_NEXT) == 0) {
		const unsigned char *c = d.mv_data;

		*last_signed = c[2] != 2;
		if (c[2] != 2)
			continue;
		if (stamp && n == 0) {
			assert_true(d.mv_size <= sizeof buf);
			memcpy(buf, c, d.mv_size);
			buf[d.mv_size - 32 - 64] ^= 1;   /* a byte of the signature */
			d.mv_data = buf;
			assert_int_equal(mdb_cursor_put(cur, &k, &d, MDB_CURRENT), 0);
		}
		n++;
	}
	mdb_cursor_close(cur);
	raw_end(env, txn);
	return n;
}

/* An import signs its records' audit entries once: each is marked as
 * signed by its writer's next entry, and the import's own entry, signed,
 * covers them; verify accepts that, and names a marked entry that was
 * given a signature of its own. */
static void
import_entries_signed_once(void **state)
{
	struct fx *f = *state;
	struct tu_problems said;
	int last_signed = 0;

	import_random(f, 40);
	verifies(f->v);
	vault_close(f->v);
	assert_int_equal(raw_deferred(f->dir, 0, &last_signed), 40);
	assert_true(last_signed);
	assert_int_equal(raw_deferred(f->dir, 1, &last_signed), 40);
	f->v = vault_new();
	OK(f->v, vault_open(f->v, f->dir));
	as(f, "alice", PA);
	memset(&said, 0, sizeof said);
	assert_int_equal(vault_verify(f->v, NULL, tu_problem, &said, NULL), ST_TAMPERED);
	if (!tu_said(&said, "is marked as signed by its writer's next entry, yet carries a "
	    "signature of its own"))
		fail_msg("verify said %zu problems, the first: %s", said.n, said.text[0]);
}

static int
stop_after_five(void *ctx, const struct record_id *id, enum status st, const char *json,
    size_t len)
{
	int *n = ctx;

	(void)id;
	(void)st;
	(void)json;
	(void)len;
	return ++*n == 5;
}

/* The raw listing table: a byte of chunk no flipped. */
static void
raw_listing_flip(const char *dir, uint32_t no)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	unsigned char kb[4] = { (unsigned char)(no >> 24), (unsigned char)(no >> 16),
	    (unsigned char)(no >> 8), (unsigned char)no }, buf[65536];
	MDB_val k = { sizeof kb, kb }, d;

	txn = raw_begin(dir, "listing", &env, &dbi);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	assert_true(d.mv_size <= sizeof buf);
	memcpy(buf, d.mv_data, d.mv_size);
	buf[d.mv_size - 20] ^= 1;
	d.mv_data = buf;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	raw_end(env, txn);
}

/* A listing read with chunks opened ahead on a second thread ends as one
 * read in turn would: a caller that stops early stops it, an interviewer
 * who owns none of its chunks lists nothing, and a damaged chunk in the
 * middle is named, with nothing after it handed out. */
static void
listing_read_ahead_ends_as_one_would(void **state)
{
	struct fx *f = *state;
	struct listed l = { calloc(2000, sizeof *l.ids), 0, 2000, 0 };
	int n = 0;

	assert_non_null(l.ids);
	OK(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PB, strlen(PB), &fast));
	import_random_listed(f, 1200);
	OK(f->v, vault_listing_scan(f->v, stop_after_five, &n));
	assert_int_equal(n, 5);
	as(f, "bob", PB);
	OK(f->v, vault_listing_scan(f->v, listed_cb, &l));
	assert_int_equal(l.n, 0);
	vault_close(f->v);
	raw_listing_flip(f->dir, 12);
	f->v = vault_new();
	OK(f->v, vault_open(f->v, f->dir));
	as(f, "alice", PA);
	assert_int_equal(vault_listing_scan(f->v, listed_cb, &l), ST_TAMPERED);
	assert_non_null(strstr(vault_errmsg(f->v), "(chunk 12)"));
	assert_true(l.n > 0 && l.n < 1200);
	free(l.ids);
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
		cmocka_unit_test_setup_teardown(payloads_packed_before_sealing, setup, teardown),
		cmocka_unit_test_setup_teardown(packed_header_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(overflow_run_longer_than_its_value_opens, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(import_lets_go_of_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(import_lists_each_record_once, setup, teardown),
		cmocka_unit_test_setup_teardown(import_entries_signed_once, setup, teardown),
		cmocka_unit_test_setup_teardown(import_wakes_by_the_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(import_refused_late_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(import_part_failing_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(import_packs_inline_what_could_not_go_ahead, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(listing_read_ahead_ends_as_one_would, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
