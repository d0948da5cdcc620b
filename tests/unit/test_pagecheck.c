/*
 * test_pagecheck.c — the page check at open and in verify, with the
 * clean-close mark (core/pagecheck.h).
 *
 * A vault of a few hundred records, large enough that its records and
 * summaries tables exceed what the quick check reads whole, is closed
 * cleanly; then one leaf page of a large table is damaged in place:
 *  - as damage normally happens (its change time moves): vault_open runs
 *    the full check and names the page;
 *  - as the mark's one gap allows (the mark rewritten to match the damaged
 *    file, as a clean close by a process that had the vault open while the
 *    damage happened would): vault_open's quick check lets it through and
 *    vault_verify, which always checks every page, names it before reading
 *    any record.
 * And a scan over a vault file of about 100 MiB does not leave it resident
 * in the process (vault_map_tick).
 */
#include "testutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <lmdb.h>
#include "crypto.h"
#include "pagecheck.h"
#include "vault.h"

#define PASS     "pagecheck passphrase"
#define PSIZE    4096
#define RECORDS  400
#define PAGEHDR  (sizeof(size_t) + 8)

static const struct vault_kdf fast = { 1, 8 };

struct fx {
	char *tmp;
	char dir[4200], data[4300], mark[4300];
};

static void
problem_text(void *ctx, const char *problem)
{
	char *buf = ctx;
	size_t have = strlen(buf);

	snprintf(buf + have, 4096 - have, "%s\n", problem);
}

/* A vault of RECORDS incompressible records of about 1.5 KB, imported in
 * one transaction, then closed. */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct vault_import_record *recs = calloc(RECORDS, sizeof *recs);
	char *bufs = malloc((size_t)RECORDS * 2048), hex[129];
	struct vault *v = vault_new();
	size_t imported = 0, skipped = 0;

	assert_non_null(f);
	assert_non_null(recs);
	assert_non_null(bufs);
	f->tmp = tu_tmpdir("pagecheck");
	snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp);
	snprintf(f->data, sizeof f->data, "%s/data.mdb", f->dir);
	snprintf(f->mark, sizeof f->mark, "%s/%s", f->dir, PAGECHECK_MARK);
	assert_int_equal(vault_create(v, f->dir, "sup", PASS, strlen(PASS), &fast), ST_OK);
	for (size_t i = 0; i < RECORDS; i++) {
		char *p = bufs + i * 2048;
		unsigned char rnd[64];
		int n = snprintf(p, 2048, "{\"n\":%zu,\"x\":\"", i);

		for (int k = 0; k < 11; k++) {
			crypto_random(rnd, sizeof rnd);
			crypto_bin2hex(hex, rnd, sizeof rnd);
			n += snprintf(p + n, 2048 - (size_t)n, "%s", hex);
		}
		n += snprintf(p + n, 2048 - (size_t)n, "\"}");
		crypto_random(recs[i].id.b, VAULT_ID_BYTES);
		recs[i].json = p;
		recs[i].len = (size_t)n;
		recs[i].summary = "{\"status\":\"final\"}";
		recs[i].summary_len = strlen(recs[i].summary);
	}
	assert_int_equal(vault_import(v, NULL, 0, recs, RECORDS, NULL, &imported, &skipped),
	    ST_OK);
	assert_int_equal(imported, RECORDS);
	vault_close(v);
	free(recs);
	free(bufs);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* The newest transaction id of the vault in dir, read with LMDB alone. */
static size_t
last_txnid(const char *dir)
{
	MDB_env *env;
	MDB_envinfo info;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY | MDB_NOLOCK, 0600), 0);
	assert_int_equal(mdb_env_info(env, &info), 0);
	mdb_env_close(env);
	return info.me_last_txnid;
}

static int
mark_matches(const struct fx *f)
{
	int fd = open(f->data, O_RDONLY), ok;

	assert_true(fd >= 0);
	ok = pagecheck_mark_matches(f->mark, fd, last_txnid(f->dir));
	close(fd);
	return ok;
}

/* Damages, in place, a leaf page that the full check reads and the quick
 * check does not (a leaf of a large table): its first node's offset is
 * set past the page. Returns the page number. */
static size_t
damage_big_leaf(const struct fx *f)
{
	unsigned char page[PSIZE], saved[2];
	char msg[256];
	size_t found = 0;
	struct stat sb;
	int fd = open(f->data, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	for (size_t pg = 2; !found && pg < (size_t)sb.st_size / PSIZE; pg++) {
		static const unsigned char far[2] = { 0xff, 0x7f };
		uint16_t flags;

		assert_int_equal(pread(fd, page, PSIZE, (off_t)(pg * PSIZE)), PSIZE);
		memcpy(&flags, page + sizeof(size_t) + 2, sizeof flags);
		if (flags != 0x02)
			continue;
		memcpy(saved, page + PAGEHDR, 2);
		assert_int_equal(pwrite(fd, far, 2, (off_t)(pg * PSIZE + PAGEHDR)), 2);
		/* A leaf in use (a stale free page is never read), and in a
		 * table too large for the quick check to read whole. */
		if (pagecheck_run(fd, 0, PAGECHECK_FULL, msg, sizeof msg) == ST_TAMPERED &&
		    pagecheck_run(fd, 0, PAGECHECK_QUICK, msg, sizeof msg) == ST_OK)
			found = pg;
		else
			assert_int_equal(pwrite(fd, saved, 2, (off_t)(pg * PSIZE + PAGEHDR)), 2);
	}
	close(fd);
	assert_true(found != 0);
	return found;
}

static void
clean_close_leaves_a_mark_that_matches(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	struct stat sb;

	/* setup's vault_close wrote it; an open that changes nothing and a
	 * close keep it matching the file. */
	assert_int_equal(lstat(f->mark, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_true(mark_matches(f));
	assert_int_equal(vault_open(v, f->dir), ST_OK);
	vault_close(v);
	assert_true(mark_matches(f));
	/* A write by the vault moves the file; the close marks it again. */
	v = vault_new();
	assert_int_equal(vault_open(v, f->dir), ST_OK);
	assert_int_equal(vault_unlock(v, "sup", PASS, strlen(PASS)), ST_OK);
	assert_false(mark_matches(f));
	vault_close(v);
	assert_true(mark_matches(f));
}

static void
damage_after_clean_close_is_named_at_open(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char want[64];
	size_t pg = damage_big_leaf(f);

	snprintf(want, sizeof want, "page %zu:", pg);
	assert_int_equal(vault_open(v, f->dir), ST_TAMPERED);
	if (strstr(vault_errmsg(v), want) == NULL)
		fail_msg("the open should name %s; it said: %s", want, vault_errmsg(v));
	assert_non_null(strstr(vault_errmsg(v), "restore the vault from a backup"));
	vault_close(v);
}

static void
damage_the_mark_vouched_for_is_named_by_verify(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char want[64], problems[4096] = "";
	size_t pg = damage_big_leaf(f);
	int fd;

	/* As a clean close would after the damage happened under an open
	 * vault: the mark describes the damaged file. */
	fd = open(f->data, O_RDONLY);
	assert_true(fd >= 0);
	pagecheck_mark_write(f->mark, fd, last_txnid(f->dir), 0600);
	close(fd);
	assert_true(mark_matches(f));

	snprintf(want, sizeof want, "page %zu:", pg);
	assert_int_equal(vault_open(v, f->dir), ST_OK);
	assert_int_equal(vault_unlock(v, "sup", PASS, strlen(PASS)), ST_OK);
	assert_int_equal(vault_verify(v, NULL, problem_text, problems, NULL), ST_TAMPERED);
	if (strstr(problems, want) == NULL)
		fail_msg("verify should name %s; it said: %s", want, problems);
	vault_close(v);
}

static int
count_item(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	(void)id;
	(void)json;
	(void)len;
	if (st == ST_OK)
		++*(size_t *)ctx;
	return 0;
}

/* KiB of files mapped and resident in this process (RssFile + RssShmem). */
static long
file_resident_kib(void)
{
	char line[256];
	long kib, total = 0;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "RssFile: %ld", &kib) == 1 || sscanf(line, "RssShmem: %ld", &kib) == 1)
			total += kib;
	fclose(f);
	return total;
}

static void
a_scan_does_not_keep_the_vault_file_resident(void **state)
{
	enum { BIG = 25000, LEN = 3000 };
	char *tmp = tu_tmpdir("pagecheck-rss"), dir[4200], data[4300];
	struct vault_import_record *recs = calloc(BIG, sizeof *recs);
	char *bufs = malloc((size_t)BIG * LEN);
	struct vault *v = vault_new();
	size_t imported = 0, skipped = 0, n = 0;
	struct stat sb;
	long before, after;

	(void)state;
	assert_non_null(recs);
	assert_non_null(bufs);
	snprintf(dir, sizeof dir, "%s/vault", tmp);
	snprintf(data, sizeof data, "%s/data.mdb", dir);
	assert_int_equal(vault_create(v, dir, "sup", PASS, strlen(PASS), &fast), ST_OK);
	for (size_t i = 0; i < BIG; i++) {
		char *p = bufs + i * LEN;
		unsigned char rnd[64];
		size_t at = (size_t)snprintf(p, LEN, "{\"x\":\"");

		/* Random bytes (none NUL): the vault compresses what it can
		 * before sealing, and the file must stay large. */
		while (at + 128 + 3 < LEN) {
			crypto_random(rnd, sizeof rnd);
			for (size_t b = 0; b < sizeof rnd; b++)
				rnd[b] |= rnd[b] == 0;
			memcpy(p + at, rnd, sizeof rnd);
			at += sizeof rnd;
		}
		memcpy(p + at, "\"}", 3);
		crypto_random(recs[i].id.b, VAULT_ID_BYTES);
		recs[i].json = p;
		recs[i].len = at + 2;
	}
	assert_int_equal(vault_import(v, NULL, 0, recs, BIG, NULL, &imported, &skipped), ST_OK);
	free(recs);
	free(bufs);
	vault_close(v);
	assert_int_equal(stat(data, &sb), 0);
	assert_true(sb.st_size > (off_t)96 << 20);

	v = vault_new();
	assert_int_equal(vault_open(v, dir), ST_OK);
	assert_int_equal(vault_unlock(v, "sup", PASS, strlen(PASS)), ST_OK);
	before = file_resident_kib();
	assert_int_equal(vault_record_scan(v, count_item, &n), ST_OK);
	after = file_resident_kib();
	assert_int_equal(n, BIG);
	/* Before: every page the scan touched stayed, the whole file. */
	if (after - before > 16 * 1024)
		fail_msg("%ld KiB of the %lld KiB file stayed resident after the scan",
		    after - before, (long long)sb.st_size / 1024);
	vault_close(v);
	tu_rmtree(tmp);
	free(tmp);
}

/* LMDB overwrites a value held in overflow pages in place when the run it
 * has is large enough and was written in the same transaction, keeping the
 * run's length: a 4-page value in a 5-page run is LMDB's own doing, not
 * damage (seen after a bundle import stored a record twice in one
 * transaction). */
static void
an_overflow_run_longer_than_its_value_is_sound(void **state)
{
	char *tmp = tu_tmpdir("pagecheck-ov"), data[4300], msg[256] = "";
	unsigned char *big = calloc(1, 5 * PSIZE);
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 3, "key" }, d;
	int fd;

	(void)state;
	assert_non_null(big);
	snprintf(data, sizeof data, "%s/data.mdb", tmp);
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_open(env, tmp, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	d.mv_size = 4 * PSIZE + 200;                  /* 5 pages */
	d.mv_data = big;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	d.mv_size = 4 * PSIZE - 200;                  /* 4 pages, in place */
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);

	fd = open(data, O_RDONLY);
	assert_true(fd >= 0);
	if (pagecheck_run(fd, 0, PAGECHECK_FULL, msg, sizeof msg) != ST_OK)
		fail_msg("a sound file reported as damaged: %s", msg);
	close(fd);
	free(big);
	tu_rmtree(tmp);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clean_close_leaves_a_mark_that_matches, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(damage_after_clean_close_is_named_at_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(damage_the_mark_vouched_for_is_named_by_verify,
		    setup, teardown),
		cmocka_unit_test(a_scan_does_not_keep_the_vault_file_resident),
		cmocka_unit_test(an_overflow_run_longer_than_its_value_is_sound),
	};

	if (crypto_init() != ST_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
