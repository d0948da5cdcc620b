/*
 * fuzz_vault2.c — the values of vault format 2 that a copy of the files
 * lets anyone rewrite, read back by intake: a user entry (keys, signature,
 * group grant), the signed group keys (meta "group"), an audit entry
 * (wrapped key, sealed entry, signature, link), the list of former users'
 * keys (meta "former") and a record's envelope (compressed content).
 *
 * A small format 2 vault is made once per process (alice a supervisor,
 * bob an interviewer with a record and a draft, carol a supervisor removed
 * again); each input edits one value of a copy of it through LMDB, then
 * the copy is opened, unlocked as alice and as bob, listed, scanned and
 * verified.
 *
 * Input: byte 0 picks the value (0 bob's user entry, 1 meta "group",
 * 2 the last audit entry, 3 meta "former", 4 bob's record); byte 1 the
 * edit: 0 the rest replaces the value, 1 the rest from byte 4 is XORed
 * onto it at the big-endian offset in bytes 2..3, 2 the value is cut to
 * the length in bytes 2..3. Checks: nothing crashes; the record, when it
 * opens, opens to what bob saved; a value edited in any byte of the group
 * keys or of an audit entry does not pass both unlock and verify.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lmdb.h>

#include "vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PA "alice passphrase 1"
#define PB "bobby passphrase 2"
#define PC "carol passphrase 3"
#define RECORD "{\"form\":\"screening\",\"answers\":{\"danger_now\":\"no\"," \
	"\"story\":\"promised factory work, documents kept by the employer, " \
	"documents kept by the employer, wages not paid, wages not paid\"}}"
#define VALUE_MAX (1 << 20)

static const struct vault_kdf light = { 1, 8 };
static char base[4096], tmpl[4200], work[4200];
static struct record_id rec_id;
static int ready;

static void
die(const char *what, struct vault *v)
{
	fprintf(stderr, "fuzz_vault2: %s: %s\n", what, v != NULL ? vault_errmsg(v) : strerror(errno));
	abort();
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
clean_up(void)
{
	if (base[0] != '\0')
		nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
make_template(void)
{
	const char *tmp = getenv("TMPDIR");
	struct record_id draft = { { 0 } };
	struct vault *v = vault_new();

	snprintf(base, sizeof base, "%s/fuzz-vault2.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(base) == NULL)
		die("mkdtemp", NULL);
	atexit(clean_up);
	snprintf(tmpl, sizeof tmpl, "%s/t", base);
	snprintf(work, sizeof work, "%s/w", base);
	if (v == NULL || vault_create(v, tmpl, "alice", PA, strlen(PA), &light) != ST_OK ||
	    vault_user_add(v, "bob", ROLE_INTERVIEWER, PB, strlen(PB), &light) != ST_OK ||
	    vault_user_add(v, "carol", ROLE_SUPERVISOR, PC, strlen(PC), &light) != ST_OK)
		die("making the vault", v);
	vault_lock(v);
	if (vault_unlock(v, "bob", PB, strlen(PB)) != ST_OK ||
	    vault_record_put(v, RECORD, strlen(RECORD), "{\"status\":\"final\"}", 18,
	    &rec_id) != ST_OK ||
	    vault_draft_put(v, &draft, RECORD, strlen(RECORD)) != ST_OK)
		die("saving as bob", v);
	vault_lock(v);
	if (vault_unlock(v, "alice", PA, strlen(PA)) != ST_OK ||
	    vault_user_remove_flags(v, "carol", VAULT_REKEY) != ST_OK)
		die("removing carol", v);
	vault_close(v);
	ready = 1;
}

static void
copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		die(from, NULL);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		die(to, NULL);
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			die(to, NULL);
	close(in);
	close(out);
}

/* Edits the chosen value of the copy at work; *changed: whether its bytes
 * differ from the template's. Returns 0, or -1 when the value is absent. */
static int
edit(unsigned which, unsigned how, const uint8_t *rest, size_t n, int *changed)
{
	static unsigned char val[VALUE_MAX];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, d;
	unsigned char key[64];
	size_t len = 0;
	int rc;

	*changed = 0;
	if (mdb_env_create(&env) != 0)
		die("mdb_env_create", NULL);
	mdb_env_set_maxdbs(env, 32);
	mdb_env_set_mapsize(env, (size_t)64 << 20);
	if ((rc = mdb_env_open(env, work, 0, 0600)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0) {
		fprintf(stderr, "fuzz_vault2: %s\n", mdb_strerror(rc));
		abort();
	}
	static const char *const dbs[] = { "users", "meta", "audit", "meta", "records" };
	if (mdb_dbi_open(txn, dbs[which], 0, &dbi) != 0)
		goto absent;
	switch (which) {
	case 0:
		k.mv_size = 3;
		k.mv_data = "bob";
		break;
	case 1:
		k.mv_size = 5;
		k.mv_data = "group";
		break;
	case 2:
		if (mdb_cursor_open(txn, dbi, &cur) != 0 ||
		    mdb_cursor_get(cur, &k, &d, MDB_LAST) != 0 || k.mv_size > sizeof key)
			goto absent;
		memcpy(key, k.mv_data, k.mv_size);
		k.mv_data = key;
		mdb_cursor_close(cur);
		break;
	case 3:
		k.mv_size = 6;
		k.mv_data = "former";
		break;
	default:
		k.mv_size = VAULT_ID_BYTES;
		k.mv_data = rec_id.b;
		break;
	}
	if (mdb_get(txn, dbi, &k, &d) != 0 || d.mv_size > VALUE_MAX)
		goto absent;
	len = d.mv_size;
	memcpy(val, d.mv_data, len);
	if (how == 0) {
		*changed = n != len || memcmp(val, rest, n) != 0;
		memcpy(val, rest, n < VALUE_MAX ? n : VALUE_MAX);
		len = n < VALUE_MAX ? n : VALUE_MAX;
	} else if (n >= 2) {
		size_t at = (size_t)rest[0] << 8 | rest[1];

		if (how == 1) {
			for (size_t i = 2; i < n && at + i - 2 < len; i++) {
				val[at + i - 2] ^= rest[i];
				*changed |= rest[i] != 0;
			}
		} else if (at < len) {
			len = at;
			*changed = 1;
		}
	}
	d.mv_size = len;
	d.mv_data = val;
	if (mdb_put(txn, dbi, &k, &d, 0) != 0 || mdb_txn_commit(txn) != 0)
		die("writing the value", NULL);
	mdb_env_close(env);
	return 0;
absent:
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return -1;
}

struct seen {
	int ok, damaged, wrong;
};

static int
scan_fn(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct seen *s = ctx;

	if (memcmp(id->b, rec_id.b, VAULT_ID_BYTES) != 0)
		return 0;
	if (st != ST_OK) {
		s->damaged++;
		return 0;
	}
	s->ok++;
	s->wrong += len != strlen(RECORD) || memcmp(json, RECORD, len) != 0;
	return 0;
}

static void
count_problem(void *ctx, const char *text)
{
	(void)text;
	(*(int *)ctx)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char from[4300], to[4300];
	struct vault *v;
	struct seen sn = { 0, 0, 0 };
	struct vault_user *users = NULL;
	size_t nusers = 0;
	int changed = 0, problems = 0, unlocked;
	enum status st;

	if (size < 2 || data[0] > 4 || data[1] > 2)
		return 0;
	if (!ready)
		make_template();
	nftw(work, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(work, 0700) != 0)
		die(work, NULL);
	snprintf(from, sizeof from, "%s/data.mdb", tmpl);
	snprintf(to, sizeof to, "%s/data.mdb", work);
	copy_file(from, to);
	if (edit(data[0], data[1], data + 2, size - 2, &changed) != 0)
		return 0;

	v = vault_new();
	if (v == NULL)
		die("vault_new", NULL);
	if (vault_open(v, work) == ST_OK) {
		st = vault_unlock(v, "alice", PA, strlen(PA));
		unlocked = st == ST_OK;
		if (unlocked) {
			vault_record_scan(v, scan_fn, &sn);
			if (vault_user_list(v, &users, &nusers) == ST_OK)
				free(users);
			st = vault_verify(v, NULL, count_problem, &problems, NULL);
			if (st != ST_OK)
				problems++;
		}
		/* The group keys and the audit trail are signed whole. */
		if (changed && (data[0] == 1 || data[0] == 2) && unlocked && problems == 0)
			abort();
		vault_lock(v);
		if (vault_unlock(v, "bob", PB, strlen(PB)) == ST_OK)
			vault_record_scan(v, scan_fn, &sn);
	}
	vault_close(v);
	/* What opens is what bob saved, whatever the bytes on disk. */
	if (sn.wrong > 0)
		abort();
	return 0;
}
