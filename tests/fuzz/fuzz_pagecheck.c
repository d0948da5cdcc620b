/*
 * fuzz_pagecheck.c — any bytes as a vault's data.mdb: the page check must
 * not crash, and a file it accepts must be safe for LMDB to read and write.
 *
 * The input is written to data.mdb in a private directory (on /dev/shm when
 * there is one). When pagecheck_file() accepts it, LMDB opens it and reads
 * every item of the main table and of every named table, looks each key up
 * again, then adds and deletes an item in each table and commits (no sync):
 * what the vault would do. A crash or an LMDB assertion there is a file
 * the check should have refused.
 *
 * INTAKE_FUZZ_WRITE_SEEDS=DIR writes the data.mdb of a small vault there
 * (how tests/fuzz/corpus/pagecheck was made).
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lmdb.h>

#include "pagecheck.h"
#include "vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[64], path[96];

static void
copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t got;

	if (in == NULL || out == NULL)
		abort();
	while ((got = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, got, out);
	fclose(in);
	fclose(out);
}

static void
write_seeds(const char *out)
{
	static const struct vault_kdf fast = { 1, 8 };
	struct vault *v = vault_new();
	struct record_id id, draft;
	char vdir[128], from[160], to[4096], big[5000];

	memset(big, 'x', sizeof big);
	big[0] = '{';
	big[sizeof big - 1] = '}';
	snprintf(vdir, sizeof vdir, "%s/seed", dir);
	if (vault_create(v, vdir, "ana", "seed passphrase", 15, &fast) != ST_OK ||
	    vault_user_add(v, "bo", ROLE_INTERVIEWER, "seed passphrase", 15, &fast) != ST_OK)
		abort();
	for (int i = 0; i < 40; i++)
		if (vault_record_put(v, i % 10 ? "{\"n\":1}" : big, i % 10 ? 7 : sizeof big, "{}", 2,
		    &id) != ST_OK)
			abort();
	memset(&draft, 0, sizeof draft);
	if (vault_record_replace(v, &id, "{\"n\":2}", 7, NULL, 0) != ST_OK ||
	    vault_draft_put(v, &draft, "{\"d\":1}", 7) != ST_OK ||
	    vault_draft_delete(v, &draft) != ST_OK)
		abort();
	vault_close(v);
	snprintf(from, sizeof from, "%s/data.mdb", vdir);
	if ((size_t)snprintf(to, sizeof to, "%s/vault", out) >= sizeof to)
		abort();
	copy_file(from, to);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
cleanup(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("INTAKE_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/intake-fuzz-pages.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (seeds != NULL)
		write_seeds(seeds);
	return 0;
}

/* Reads every item of dbi, looking each key up again; returns how many. */
static size_t
read_all(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_cursor *cur;
	MDB_val k, d, again;
	size_t n = 0;

	if (mdb_cursor_open(txn, dbi, &cur) != 0)
		return 0;
	while (mdb_cursor_get(cur, &k, &d, n == 0 ? MDB_FIRST : MDB_NEXT) == 0) {
		volatile unsigned char sink = 0;

		for (size_t i = 0; i < d.mv_size; i += 512)
			sink ^= ((const unsigned char *)d.mv_data)[i];
		(void)sink;
		if (mdb_get(txn, dbi, &k, &again) != 0)
			break;
		n++;
	}
	mdb_cursor_close(cur);
	return n;
}

static void
exercise_lmdb(void)
{
	static const char *const names[] = {
		"meta", "users", "records", "summaries", "drafts", "forms", "history", "audit",
	};
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;

	if (mdb_env_create(&env) != 0)
		return;
	mdb_env_set_maxdbs(env, 16);
	mdb_env_set_mapsize(env, (size_t)64 << 20);
	if (mdb_env_open(env, dir, MDB_NOTLS | MDB_NOSYNC, 0600) != 0)
		goto done;
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
		if (mdb_dbi_open(txn, NULL, 0, &dbi) == 0)
			(void)read_all(txn, dbi);
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (mdb_dbi_open(txn, names[i], 0, &dbi) == 0)
				(void)read_all(txn, dbi);
		mdb_txn_abort(txn);
	}
	/* What a save does: copy-on-write pages, reuse free pages, commit. */
	if (mdb_txn_begin(env, NULL, 0, &txn) == 0) {
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			MDB_val k = { 16, (void *)(uintptr_t)"fuzz-probe-key-1" }, d = { 5000, NULL };
			MDB_cursor *cur;
			MDB_val fk, fd;

			if (mdb_dbi_open(txn, names[i], 0, &dbi) != 0)
				continue;
			if (mdb_put(txn, dbi, &k, &d, MDB_RESERVE) == 0)
				memset(d.mv_data, 'p', d.mv_size);
			if (mdb_cursor_open(txn, dbi, &cur) == 0) {
				if (mdb_cursor_get(cur, &fk, &fd, MDB_FIRST) == 0)
					(void)mdb_cursor_del(cur, 0);
				mdb_cursor_close(cur);
			}
		}
		if (mdb_txn_commit(txn) != 0)
			goto done;
	}
done:
	mdb_env_close(env);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[256] = "";
	enum status st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	st = pagecheck_file(fd, 0, msg, sizeof msg);
	close(fd);
	if (st != ST_OK) {
		if (msg[0] == '\0')
			abort();
		return 0;
	}
	exercise_lmdb();
	return 0;
}
