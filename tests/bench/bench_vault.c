/*
 * bench_vault.c — what the vault costs: unlock time at the default Argon2id
 * limits, durable save latency against bare LMDB, and read+decrypt rate.
 * Prints figures only; never passes or fails on timing.
 *
 * The 100,000-record read test needs 100,000 durable saves first. On a real
 * disk each save waits for fsync, so the bulk vault is written to /dev/shm
 * (tmpfs, where fsync returns at once) when it has room; the saves still go
 * through vault_record_put one transaction each. Otherwise 10,000 records
 * are written where TMPDIR points and scanned ten times. Reads go through
 * vault_record_scan (the bulk path); vault_record_get is timed on 10,000.
 *
 * Each figure is also printed as a line for tests/bench/report.sh, with a
 * baseline measured in the same run: Argon2id alone for unlock, a bare LMDB
 * put+commit for a save, a bare LMDB cursor walk copying the same values
 * for the scans, vault_record_scan for single reads, and a bare LMDB open
 * of the same file for vault_open (whose page check reads every page).
 * bench_formats sets vault format 2 against format 1 in the same run, with
 * records like a screening's (closed answers under long keys, a little free
 * text: they compress as real ones do), the export of 100,000 records of
 * forms/screening-short.yaml in both formats, and what random keys cost
 * LMDB's pages against keys in the order they were written.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <jansson.h>
#include <lmdb.h>
#include <zstd.h>

#include "crypto.h"
#include "export.h"
#include "form.h"
#include "interview.h"
#include "vault.h"

#define PASS        "benchmark passphrase"
#define RECORD_SIZE 2048
#define SAVE_RUNS   200
#define BULK        100000

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
quantile(double *v, size_t n, double q)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[(size_t)(q * (double)(n - 1) + 0.5)];
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
rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* One row of `make bench`'s table (tests/bench/report.sh):
 * BENCH name|figure|unit|baseline|ratio|target; figure is "value unit". */
static void
row(const char *name, const char *figure, const char *baseline, double ratio, const char *target)
{
	const char *space = strchr(figure, ' ');
	int vlen = space != NULL ? (int)(space - figure) : (int)strlen(figure);

	printf("BENCH %s|%.*s|%s|%s|", name, vlen, figure, space != NULL ? space + 1 : "", baseline);
	if (ratio > 0)
		printf("%.2f|%s\n", ratio, target);
	else
		printf("-|%s\n", target);
}

static int
make_tmp(char *buf, size_t len, const char *base, const char *tag)
{
	int n = snprintf(buf, len, "%s/intake-bench-%s.XXXXXX", base, tag);

	if (n < 0 || (size_t)n >= len || mkdtemp(buf) == NULL) {
		fprintf(stderr, "bench: cannot make a directory under %s: %s\n", base, strerror(errno));
		return -1;
	}
	return 0;
}

static void
fill_record(char *buf, size_t size, unsigned i)
{
	int n = snprintf(buf, size, "{\"id\":%u,\"form\":\"screening\",\"answers\":{\"q\":\"", i);
	unsigned char rnd[64];
	char hex[129];

	for (size_t at = (size_t)n; at < size - 3; at += 128) {
		size_t take = size - 3 - at < 128 ? size - 3 - at : 128;
		crypto_random(rnd, sizeof rnd);
		crypto_bin2hex(hex, rnd, sizeof rnd);
		memcpy(buf + at, hex, take);
	}
	memcpy(buf + size - 3, "\"}", 2);
	buf[size - 1] = '}';
}

static struct vault *
make_vault(const char *dir, const struct vault_kdf *kdf)
{
	struct vault *v = vault_new();

	if (v == NULL || vault_create(v, dir, "bench", PASS, strlen(PASS), kdf) != ST_OK) {
		fprintf(stderr, "bench: cannot create a vault in %s: %s\n", dir, vault_errmsg(v));
		vault_close(v);
		return NULL;
	}
	return v;
}

static int
bench_unlock(const char *base)
{
	struct vault_kdf kdf;
	struct vault *v;
	char dir[4096], path[4200];
	double t0, cal, runs[3];

	t0 = now_ms();
	if (vault_kdf_calibrate(64, 500, &kdf) != ST_OK) {
		fprintf(stderr, "bench: calibration failed\n");
		return -1;
	}
	cal = now_ms() - t0;
	printf("kdf: Argon2id %llu MiB, calibrated to %llu passes for ~500 ms (calibration took %.0f ms)\n",
	    (unsigned long long)kdf.mem_mib, (unsigned long long)kdf.ops, cal);
	if (make_tmp(dir, sizeof dir, base, "unlock") != 0)
		return -1;
	if ((size_t)snprintf(path, sizeof path, "%s/vault", dir) >= sizeof path)
		return -1;
	v = make_vault(path, &kdf);
	if (v == NULL)
		return -1;
	for (int i = 0; i < 3; i++) {
		vault_lock(v);
		t0 = now_ms();
		if (vault_unlock(v, "bench", PASS, strlen(PASS)) != ST_OK) {
			fprintf(stderr, "bench: unlock failed: %s\n", vault_errmsg(v));
			vault_close(v);
			return -1;
		}
		runs[i] = now_ms() - t0;
	}
	vault_close(v);
	rm_rf(dir);
	/* The same Argon2id work with nothing around it. */
	{
		static const unsigned char salt[CRYPTO_SALT_BYTES];
		unsigned char *key = secure_alloc(CRYPTO_KEY_BYTES);
		double argon[3];
		char fig[64], base_fig[96];

		if (key == NULL)
			return -1;
		for (int i = 0; i < 3; i++) {
			t0 = now_ms();
			if (crypto_passkey(key, PASS, strlen(PASS), salt, kdf.ops, kdf.mem_mib) != ST_OK) {
				secure_free(key);
				return -1;
			}
			argon[i] = now_ms() - t0;
		}
		secure_free(key);
		printf("unlock: median %.0f ms over 3 (%.0f, %.0f, %.0f); Argon2id alone %.0f ms\n",
		    quantile(runs, 3, 0.5), runs[0], runs[1], runs[2], quantile(argon, 3, 0.5));
		snprintf(fig, sizeof fig, "%.0f ms", quantile(runs, 3, 0.5));
		snprintf(base_fig, sizeof base_fig, "Argon2id alone %.0f ms", quantile(argon, 3, 0.5));
		row("unlock (Argon2id 64 MiB, calibrated at init)", fig, base_fig,
		    quantile(runs, 3, 0.5) / quantile(argon, 3, 0.5), "about 500 ms; at most 1.1x Argon2id");
	}
	return 0;
}

/* Interleaves vault saves and bare LMDB put+commit of the same size, so that
 * both see the same disk weather. */
static int
bench_save(const char *base)
{
	static const struct vault_kdf light = { 1, 8 };
	static double tv[SAVE_RUNS], tr[SAVE_RUNS];
	char dir[4096], vdir[4200], rdir[4200], rec[RECORD_SIZE + 1];
	static const char summary[] = "{\"code\":\"K7QM-3XTD-D\",\"date\":\"2024-05-01\","
	    "\"interviewer\":\"bench\",\"form\":\"screening 3\",\"status\":\"final\","
	    "\"outcome\":\"refer\"}";
	unsigned char key[16];
	struct record_id id;
	struct vault *v;
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;
	double t0, mv, mr;
	int rc;

	if (make_tmp(dir, sizeof dir, base, "save") != 0)
		return -1;
	if ((size_t)snprintf(vdir, sizeof vdir, "%s/vault", dir) >= sizeof vdir ||
	    (size_t)snprintf(rdir, sizeof rdir, "%s/raw", dir) >= sizeof rdir || mkdir(rdir, 0700) != 0)
		return -1;
	v = make_vault(vdir, &light);
	if (v == NULL)
		return -1;
	if ((rc = mdb_env_create(&env)) != 0 || (rc = mdb_env_set_mapsize(env, (size_t)64 << 20)) != 0 ||
	    (rc = mdb_env_open(env, rdir, 0, 0600)) != 0) {
		fprintf(stderr, "bench: raw LMDB: %s\n", mdb_strerror(rc));
		return -1;
	}
	for (int i = 0; i < SAVE_RUNS; i++) {
		MDB_val k = { sizeof key, key }, d;

		fill_record(rec, RECORD_SIZE + 1, (unsigned)i);
		t0 = now_ms();
		if (vault_record_put(v, rec, RECORD_SIZE, summary, sizeof summary - 1, &id) != ST_OK) {
			fprintf(stderr, "bench: save failed: %s\n", vault_errmsg(v));
			return -1;
		}
		tv[i] = now_ms() - t0;

		crypto_random(key, sizeof key);
		d.mv_size = RECORD_SIZE;
		d.mv_data = rec;
		t0 = now_ms();
		if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 ||
		    (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 ||
		    (rc = mdb_put(txn, dbi, &k, &d, 0)) != 0 || (rc = mdb_txn_commit(txn)) != 0) {
			fprintf(stderr, "bench: raw LMDB: %s\n", mdb_strerror(rc));
			return -1;
		}
		tr[i] = now_ms() - t0;
	}
	mdb_env_close(env);
	vault_close(v);
	rm_rf(dir);
	mv = quantile(tv, SAVE_RUNS, 0.5);
	mr = quantile(tr, SAVE_RUNS, 0.5);
	printf("save %d B record + %zu B summary, durable, %d runs in %s:\n", RECORD_SIZE,
	    sizeof summary - 1, SAVE_RUNS, base);
	printf("  vault_record_put   median %.3f ms, p90 %.3f ms\n", mv, quantile(tv, SAVE_RUNS, 0.9));
	printf("  bare LMDB put+commit median %.3f ms, p90 %.3f ms\n", mr, quantile(tr, SAVE_RUNS, 0.9));
	printf("  ratio %.2fx (target <= 1.5x)\n", mv / mr);
	{
		char fig[64], base_fig[96];

		snprintf(fig, sizeof fig, "%.2f ms", mv);
		snprintf(base_fig, sizeof base_fig, "bare LMDB put+commit %.2f ms", mr);
		row("durable save of a 2 KiB record + summary (median)", fig, base_fig, mv / mr,
		    "at most 1.5x bare LMDB");
	}
	return 0;
}

static int
count_item(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	size_t *n = ctx;

	(void)id;
	(void)json;
	(void)len;
	*n += st == ST_OK;
	return 0;
}

/* Bare LMDB over the vault's own file: a cursor walk of table `name`
 * copying every value, as a scan does before decrypting. Items per second. */
static double
raw_walk(const char *vdir, const char *name, size_t *count)
{
	static unsigned char copy[16384];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, d;
	double t0, ms;
	int rc;

	*count = 0;
	if (mdb_env_create(&env) != 0)
		return 0;
	mdb_env_set_maxdbs(env, 16);
	mdb_env_set_mapsize(env, (size_t)2 << 30);
	if (mdb_env_open(env, vdir, MDB_RDONLY, 0600) != 0 ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0) {
		mdb_env_close(env);
		return 0;
	}
	t0 = now_ms();
	if (mdb_dbi_open(txn, name, 0, &dbi) == 0 && mdb_cursor_open(txn, dbi, &cur) == 0) {
		for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
		    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
			memcpy(copy, d.mv_data, d.mv_size < sizeof copy ? d.mv_size : sizeof copy);
			(*count)++;
		}
		mdb_cursor_close(cur);
	}
	ms = now_ms() - t0;
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return ms > 0 ? (double)*count / (ms / 1e3) : 0;
}

/* Opening the environment with bare LMDB, in milliseconds. */
static double
raw_open(const char *vdir)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	double t0 = now_ms();

	if (mdb_env_create(&env) != 0)
		return 0;
	mdb_env_set_maxdbs(env, 16);
	mdb_env_set_mapsize(env, (size_t)2 << 30);
	if (mdb_env_open(env, vdir, 0, 0600) == 0 && mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
		(void)mdb_dbi_open(txn, "meta", 0, &dbi);
		mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return now_ms() - t0;
}

static int
bench_read(const char *base)
{
	static const struct vault_kdf light = { 1, 8 };
	char dir[4096], vdir[4200], rec[RECORD_SIZE + 1], data[4300];
	struct statvfs fs;
	struct record_id *ids = NULL;
	struct stat sb;
	struct vault *v;
	const char *where = base;
	size_t n = 0, count = BULK, passes = 1, seen = 0, sums = 0, listed = 0, gets, len;
	double t0, wrote, scan_ms, get_ms, sum_ms, list_ms;
	char *json;

	if (statvfs("/dev/shm", &fs) == 0 && (double)fs.f_bavail * (double)fs.f_frsize > 2e9) {
		where = "/dev/shm";
	} else {
		count = BULK / 10;
		passes = 10;
	}
	if (make_tmp(dir, sizeof dir, where, "read") != 0)
		return -1;
	if ((size_t)snprintf(vdir, sizeof vdir, "%s/vault", dir) >= sizeof vdir)
		return -1;
	v = make_vault(vdir, &light);
	if (v == NULL)
		return -1;
	fill_record(rec, RECORD_SIZE + 1, 0);
	t0 = now_ms();
	for (size_t i = 0; i < count; i++) {
		struct record_id id;

		if (vault_record_put(v, rec, RECORD_SIZE, "{\"s\":\"final\"}", 13, &id) != ST_OK) {
			fprintf(stderr, "bench: save %zu failed: %s\n", i, vault_errmsg(v));
			return -1;
		}
	}
	wrote = now_ms() - t0;

	t0 = now_ms();
	for (size_t p = 0; p < passes; p++) {
		if (vault_record_scan(v, count_item, &seen) != ST_OK) {
			fprintf(stderr, "bench: scan failed: %s\n", vault_errmsg(v));
			return -1;
		}
	}
	scan_ms = now_ms() - t0;
	t0 = now_ms();
	if (vault_summary_scan(v, count_item, &sums) != ST_OK)
		return -1;
	sum_ms = now_ms() - t0;
	t0 = now_ms();
	if (vault_listing_scan(v, count_item, &listed) != ST_OK || listed != sums) {
		fprintf(stderr, "bench: listing scan failed: %s\n", vault_errmsg(v));
		return -1;
	}
	list_ms = now_ms() - t0;

	/* One call per record, as the record screen reads them. */
	if (vault_record_list(v, &ids, &n) != ST_OK || n != count) {
		fprintf(stderr, "bench: list failed: %s\n", vault_errmsg(v));
		return -1;
	}
	gets = n < 10000 ? n : 10000;
	t0 = now_ms();
	for (size_t i = 0; i < gets; i++) {
		if (vault_record_get(v, &ids[i], &json, &len) != ST_OK) {
			fprintf(stderr, "bench: read failed: %s\n", vault_errmsg(v));
			return -1;
		}
		vault_plain_free(json, len);
	}
	get_ms = now_ms() - t0;
	if ((size_t)snprintf(data, sizeof data, "%s/data.mdb", vdir) >= sizeof data ||
	    stat(data, &sb) != 0)
		sb.st_size = 0;
	free(ids);
	vault_close(v);

	/* Baselines over the same file, then vault_open with its page check. */
	{
		size_t raw_n = 0, raw_s = 0;
		double raw_rec = raw_walk(vdir, "records", &raw_n);
		double raw_sum = raw_walk(vdir, "summaries", &raw_s);
		double raw_ms = raw_open(vdir), open_ms;
		double scan_rate = (double)seen / (scan_ms / 1e3);
		double get_rate = (double)gets / (get_ms / 1e3), sum_rate = (double)sums / (sum_ms / 1e3);
		char fig[96], basel[128], name[128];

		t0 = now_ms();
		v = vault_new();
		if (v == NULL || vault_open(v, vdir) != ST_OK) {
			fprintf(stderr, "bench: open failed: %s\n", vault_errmsg(v));
			return -1;
		}
		open_ms = now_ms() - t0;
		vault_close(v);
		printf("open: vault_open (page check included) %.1f ms, bare LMDB open %.1f ms\n",
		    open_ms, raw_ms);
		snprintf(name, sizeof name, "read+decrypt %zu records of 2 KiB by scan", count);
		snprintf(fig, sizeof fig, "%.0f records/s", scan_rate);
		snprintf(basel, sizeof basel, "bare LMDB walk+copy %.0f/s", raw_rec);
		row(name, fig, basel, raw_rec > 0 ? raw_rec / scan_rate : 0,
		    "at least 10,000/s");
		snprintf(fig, sizeof fig, "%.0f records/s", get_rate);
		snprintf(basel, sizeof basel, "scan %.0f/s", scan_rate);
		row("read+decrypt one record at a time (vault_record_get)", fig, basel,
		    scan_rate / get_rate, "at least 1,000/s");
		snprintf(name, sizeof name, "case list: %zu summaries by scan", sums);
		snprintf(fig, sizeof fig, "%.0f summaries/s", sum_rate);
		snprintf(basel, sizeof basel, "bare LMDB walk+copy %.0f/s", raw_sum);
		row(name, fig, basel, raw_sum > 0 ? raw_sum / sum_rate : 0, "100,000 in under 1 s");
		snprintf(name, sizeof name, "case list: %zu summaries from the listing", listed);
		snprintf(fig, sizeof fig, "%.0f summaries/s", (double)listed / (list_ms / 1e3));
		snprintf(basel, sizeof basel, "one by one %.0f/s", sum_rate);
		row(name, fig, basel, sum_rate / ((double)listed / (list_ms / 1e3)),
		    "100,000 in under 100 ms");
		snprintf(name, sizeof name, "vault_open of %zu records (every page checked)", count);
		snprintf(fig, sizeof fig, "%.1f ms", open_ms);
		snprintf(basel, sizeof basel, "bare LMDB open %.1f ms", raw_ms);
		row(name, fig, basel, raw_ms > 0 ? open_ms / raw_ms : 0, "under 1 s");
		snprintf(name, sizeof name, "%zu durable saves, one transaction each, on %s", count, where);
		snprintf(fig, sizeof fig, "%.0f saves/s, %.0f B on disk per record",
		    (double)count / (wrote / 1e3), (double)sb.st_size / (double)count);
		row(name, fig, "-", 0, "4 KiB per 2 KiB record (one overflow page)");
	}
	rm_rf(dir);
	printf("bulk: %zu records of %d B saved by vault_record_put (one durable transaction each) "
	    "in %s: %.1f s (%.0f saves/s); data.mdb %.1f MiB, %.0f B per record\n", count,
	    RECORD_SIZE, where, wrote / 1e3, (double)count / (wrote / 1e3),
	    (double)sb.st_size / 1048576.0, (double)sb.st_size / (double)count);
	printf("read+decrypt by vault_record_scan: %zu records%s in %.2f s: %.0f records/s\n", seen,
	    passes > 1 ? " (10 passes over 10,000)" : "", scan_ms / 1e3,
	    (double)seen / (scan_ms / 1e3));
	printf("read+decrypt by vault_record_get: %zu records in %.2f s: %.0f records/s "
	    "(a guarded allocation per record)\n", gets, get_ms / 1e3, (double)gets / (get_ms / 1e3));
	printf("case list by vault_summary_scan: %zu summaries in %.2f s: %.0f summaries/s\n", sums,
	    sum_ms / 1e3, (double)sums / (sum_ms / 1e3));
	return 0;
}

static void
no_problem(void *ctx, const char *problem)
{
	(void)problem;
	(*(size_t *)ctx)++;
}

/* A record of size - 1 bytes shaped like a screening: closed answers under
 * long keys and free text from a small vocabulary, varied by i. */
static void
fill_screening(char *buf, size_t size, unsigned i)
{
	static const char *const words[] = { "recruiter", "promised", "factory", "work",
		"border", "documents", "kept", "by", "employer", "debt", "wages", "not", "paid",
		"sister", "phone", "village", "bus", "night", "locked", "dormitory", "the", "and",
		"to", "months", "friend", "agency", "fee", "Bangkok", "Vientiane", "Kunming" };
	static const char *const ages[] = { "age_18_20", "age_21_23", "age_24_26", "age_27_29" };
	uint32_t x = 88172645u + i * 2654435761u;
	size_t n = (size_t)snprintf(buf, size,
	    "{\"form\":\"screening\",\"form_version\":\"2.0\",\"language\":\"%s\","
	    "\"record_id\":\"%08x%08x%08x%08x\",\"interviewer\":\"i%u\","
	    "\"started\":\"2026-%02u-%02uT%02u:%02u:00Z\",\"answers\":{\"danger_now\":\"no\","
	    "\"urgent_medical\":\"no\",\"consent_interview\":\"yes\",\"consent_referral\":\"%s\","
	    "\"consent_statistics\":\"%s\",\"age_band\":\"%s\",\"sector\":[\"factory\"%s],"
	    "\"job_different\":\"%s\",\"documents_held_by\":\"employer\",\"debt_work_off\":\"%s\","
	    "\"movement_restricted\":\"yes\",\"threats\":\"no\",\"wages_withheld\":\"yes\","
	    "\"needs_now\":[\"shelter\",\"legal\"],\"story\":\"",
	    i % 3 ? "lo" : "th", i * 2654435761u, i ^ 0x9e3779b9u, i * 40503u, ~i, i % 10,
	    1 + i % 12, 1 + i % 28, 8 + i % 10, i % 60, i % 2 ? "yes" : "no",
	    i % 5 ? "yes" : "no", ages[i % 4], i % 3 ? "" : ",\"karaoke_entertainment\"",
	    i % 4 ? "yes" : "no", i % 6 ? "no" : "yes");
	static const char tail[] = "\"},\"indicators\":[\"documents\",\"debt\"]}";

	while (n + 12 < size - sizeof tail) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n += (size_t)snprintf(buf + n, size - n, "%s ", words[x % 30]);
	}
	memset(buf + n, ' ', size - sizeof tail - n);
	memcpy(buf + size - sizeof tail, tail, sizeof tail);
}

/* Pages of one table after the run: leaf and overflow pages, the bytes of
 * its keys and values, and how full its leaf pages are. */
static void
table_pages(const char *vdir, const char *name, size_t count)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_stat st;
	MDB_cursor *cur;
	MDB_val k, d;
	double bytes = 0, inleaf = 0;

	if (mdb_env_create(&env) != 0)
		return;
	mdb_env_set_maxdbs(env, 32);
	if (mdb_env_open(env, vdir, MDB_RDONLY, 0600) != 0 ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0) {
		mdb_env_close(env);
		return;
	}
	if (mdb_dbi_open(txn, name, 0, &dbi) == 0 && mdb_stat(txn, dbi, &st) == 0 &&
	    mdb_cursor_open(txn, dbi, &cur) == 0) {
		while (mdb_cursor_get(cur, &k, &d, MDB_NEXT) == 0) {
			bytes += (double)(k.mv_size + d.mv_size);
			/* A node is 8 bytes of header and 2 of pointer, then its key
			 * and value, or the value's page number when it overflows. */
			inleaf += 10.0 + (double)k.mv_size + (d.mv_size > st.ms_psize / 2 - 16 ?
			    8.0 : (double)d.mv_size);
		}
		mdb_cursor_close(cur);
		printf("  %-9s %7zu entries, %6zu leaf + %6zu overflow pages (%.0f B per record), "
		    "%.0f B of keys and values per entry, leaf pages %.0f%% full\n", name,
		    (size_t)st.ms_entries, (size_t)st.ms_leaf_pages, (size_t)st.ms_overflow_pages,
		    (double)(st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize / (double)count,
		    st.ms_entries ? bytes / (double)st.ms_entries : 0,
		    st.ms_leaf_pages ? 100.0 * inleaf / ((double)st.ms_leaf_pages *
		    (double)(st.ms_psize - 16)) : 0);
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
}

/* What the order of keys costs LMDB's pages, without the vault: n values
 * of len bytes under 16-byte keys, random, counting up, or counting up and
 * put with MDB_APPEND (which splits a full page at its end, not its
 * middle), one transaction per thousand. */
static void
key_order(const char *base, size_t n, size_t len)
{
	for (int ordered = 0; ordered < 3; ordered++) {
		char dir[4096];
		MDB_env *env;
		MDB_txn *txn = NULL;
		MDB_dbi dbi;
		MDB_stat st;
		unsigned char key[16] = { 0 }, *val = calloc(1, len);
		int rc = 0;

		if (val == NULL || make_tmp(dir, sizeof dir, base, "keys") != 0 ||
		    mdb_env_create(&env) != 0) {
			free(val);
			return;
		}
		mdb_env_set_mapsize(env, (size_t)1 << 31);
		rc = mdb_env_open(env, dir, MDB_NOSYNC, 0600);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (txn == NULL && (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
				break;
			if (ordered) {
				for (int b = 15, c = 1; b >= 0 && c; b--)
					c = ++key[b] == 0;
			} else {
				crypto_random(key, sizeof key);
			}
			crypto_random(val, len);
			MDB_val k = { sizeof key, key }, d = { len, val };
			if (rc == 0 && (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) == 0)
				rc = mdb_put(txn, dbi, &k, &d, ordered == 2 ? MDB_APPEND : 0);
			if (rc == 0 && (i % 1000 == 999 || i + 1 == n)) {
				rc = mdb_txn_commit(txn);
				txn = NULL;
			}
		}
		if (txn != NULL)
			mdb_txn_abort(txn);
		if (rc == 0 && mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
			if (mdb_dbi_open(txn, NULL, 0, &dbi) == 0 && mdb_stat(txn, dbi, &st) == 0)
				printf("  %zu values of %zu B under %s keys: %zu leaf pages, %.0f B per "
				    "value, leaf pages %.0f%% full\n", n, len,
				    ordered == 2 ? "counting (MDB_APPEND)" : ordered ?
				    "counting" : "random", (size_t)st.ms_leaf_pages,
				    (double)(st.ms_leaf_pages + st.ms_overflow_pages) * st.ms_psize /
				    (double)n, 100.0 * (double)n * (double)(10 + 16 + len) /
				    ((double)st.ms_leaf_pages * (double)(st.ms_psize - 16)));
			mdb_txn_abort(txn);
		}
		mdb_env_close(env);
		rm_rf(dir);
		free(val);
	}
}

/* One screening of forms/screening-short.yaml, varied by i, through the
 * interview engine (as bench_dataout makes them). */
static char *
short_screening(const struct form *f, int i, size_t *len)
{
	static const char *const ages[] = { "age_9_17", "age_18_20", "age_21_23", "age_24_26",
	    "age_27_29", "age_30_38", "age_39_47" };
	char answers[1024], err[256], *json = NULL;
	struct interview *iv;
	json_t *a;

	snprintf(answers, sizeof answers, "{\"danger_now\":\"no\",\"urgent_medical\":\"no\","
	    "\"consent_interview\":\"yes\",\"consent_referral\":\"%s\",\"consent_statistics\":"
	    "\"yes\",\"age_band\":\"%s\",\"sector\":[\"factory\"%s],\"job_different\":\"%s\","
	    "\"documents_held_by\":\"employer\",\"debt_work_off\":\"%s\","
	    "\"needs_now\":[\"shelter\",\"legal\"]}", i % 2 ? "yes" : "no", ages[i % 7],
	    i % 3 ? "" : ",\"karaoke_entertainment\"", i % 4 ? "yes" : "no", i % 6 ? "no" : "yes");
	if ((a = json_loads(answers, 0, NULL)) == NULL)
		return NULL;
	if (interview_start(f, i % 3 ? "en" : "lo", &iv) != ST_OK) {
		json_decref(a);
		return NULL;
	}
	interview_set_interviewer(iv, i % 2 ? "field-ana" : "field-bo");
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK ||
	    interview_finish(iv) != ST_OK ||
	    interview_set_record_id(iv, "00000000000000000000000000000000") != ST_OK ||
	    interview_to_json(iv, &json, len) != ST_OK) {
		fprintf(stderr, "bench: screening %d: %s\n", i, err);
		json = NULL;
	}
	interview_free(iv);
	json_decref(a);
	return json;
}

#define EXPORT_TEMPLATES 64
#define EXPORT_BATCH     10000

/* The export (CSV) of count records of forms/screening-short.yaml, imported
 * in batches, in a vault of format fmt: ms, or a negative number. */
static double
export_run(const char *where, unsigned fmt, size_t count, double *bytes)
{
	static const struct vault_kdf light = { 1, 8 };
	struct vault_import_record *recs = calloc(EXPORT_BATCH, sizeof *recs);
	char *tpl[EXPORT_TEMPLATES] = { 0 }, *bufs = malloc((size_t)EXPORT_BATCH * 4096);
	char dir[4096] = "", vdir[4200], path[4300], data[4300], err[512], hex[33];
	size_t tlen[EXPORT_TEMPLATES] = { 0 }, imported, skipped;
	struct export_opts o = { EXPORT_CSV, NULL, NULL, "en", "forms" };
	struct export_result r;
	struct vault_import_form form;
	struct diag_list dl = { 0 };
	struct form *f = NULL;
	struct vault *v = NULL;
	struct stat sb;
	double ms = -1, t0;
	int fd;

	if (recs == NULL || bufs == NULL || make_tmp(dir, sizeof dir, where, "export") != 0)
		goto out;
	if (form_load_file("forms/screening-short.yaml", &f, &dl) != ST_OK) {
		fprintf(stderr, "bench: forms/screening-short.yaml does not load (run from the "
		    "source tree)\n");
		goto out;
	}
	{
		/* Records carry their form's hash, as record_save attaches it. */
		char hash[2 * 32 + 1];
		size_t sl;
		const char *src = form_source(f, &sl);

		crypto_digest_hex(hash, src, sl);
		if (form_set_hash(f, hash) != ST_OK)
			goto out;
	}
	for (int i = 0; i < EXPORT_TEMPLATES; i++)
		if ((tpl[i] = short_screening(f, i, &tlen[i])) == NULL || tlen[i] >= 4096)
			goto out;
	vault_test_create_format(fmt);
	snprintf(vdir, sizeof vdir, "%s/vault", dir);
	if ((v = make_vault(vdir, &light)) == NULL)
		goto out;
	form.src = form_source(f, &form.len);
	for (size_t b = 0; b < count / EXPORT_BATCH; b++) {
		for (size_t i = 0; i < EXPORT_BATCH; i++) {
			size_t t = (b * EXPORT_BATCH + i) % EXPORT_TEMPLATES;
			char *p = bufs + i * 4096, *at;

			crypto_random(recs[i].id.b, VAULT_ID_BYTES);
			record_id_hex(&recs[i].id, hex);
			memcpy(p, tpl[t], tlen[t] + 1);
			if ((at = strstr(p, "\"id\":\"")) != NULL)
				memcpy(at + 6, hex, 32);
			recs[i].json = p;
			recs[i].len = tlen[t];
		}
		if (vault_import(v, &form, 1, recs, EXPORT_BATCH, NULL, &imported, &skipped) != ST_OK) {
			fprintf(stderr, "bench: import: %s\n", vault_errmsg(v));
			goto out;
		}
	}
	snprintf(data, sizeof data, "%s/data.mdb", vdir);
	if (stat(data, &sb) == 0)
		*bytes = (double)sb.st_size / (double)count;
	snprintf(path, sizeof path, "%s/export.csv", dir);
	if ((fd = export_create(path, err, sizeof err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		goto out;
	}
	t0 = now_ms();
	if (export_write(v, fd, &o, &r, err, sizeof err) != ST_OK || r.rows != count)
		fprintf(stderr, "bench: export (format %u): %zu rows (%zu left out as damaged, "
		    "%zu by the filter): %s\n", fmt, r.rows, r.counts.damaged, r.counts.other, err);
	else
		ms = now_ms() - t0;
	close(fd);
out:
	vault_test_create_format(2);
	vault_close(v);
	for (int i = 0; i < EXPORT_TEMPLATES; i++)
		if (tpl[i] != NULL)
			interview_json_free(tpl[i], tlen[i]);
	form_free(f);
	diag_list_free(&dl);
	free(recs);
	free(bufs);
	if (dir[0] != '\0')
		rm_rf(dir);
	return ms;
}

/* Vault format 1 against format 2 in the same run (format 1 made through
 * vault_test_create_format): ten interviewers save a tenth of the records
 * each, one durable transaction per save; then a supervisor's unlock
 * beyond Argon2id, the case list from the listing for the supervisor and
 * for one interviewer, verify, bytes on disk per 2 KiB record, and, in
 * format 2, removing a supervisor with --rekey (every item re-wrapped). */
static int
bench_formats(const char *base)
{
	static const struct vault_kdf light = { 1, 8 };
	static const char *const names[10] = { "i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7",
		"i8", "i9" };
	double save[3] = { 0 }, unlock[3] = { 0 }, sup[3] = { 0 }, own[3] = { 0 }, ver[3] = { 0 };
	double bytes[3] = { 0 }, rekey = 0, packed = 0, exp[3] = { 0 }, expb[3] = { 0 };
	char dir[4096], vdir[4200], data[4300], rec[RECORD_SIZE + 1];
	const char *where = base;
	size_t count = BULK;
	struct statvfs fs;

	if (statvfs("/dev/shm", &fs) == 0 && (double)fs.f_bavail * (double)fs.f_frsize > 3e9)
		where = "/dev/shm";
	else
		count = BULK / 10;
	/* BENCH_COUNT: fewer records, for a quick look. */
	if (getenv("BENCH_COUNT") != NULL)
		count = (size_t)strtoul(getenv("BENCH_COUNT"), NULL, 10) / 10 * 10;
	fill_screening(rec, RECORD_SIZE + 1, 7);
	{
		/* The payload as format 2 compresses it, for the bytes-on-disk row. */
		size_t cap = ZSTD_compressBound(RECORD_SIZE);
		void *z = malloc(cap);
		size_t zn = z != NULL ? ZSTD_compress(z, cap, rec, RECORD_SIZE, 3) : 0;

		packed = z != NULL && !ZSTD_isError(zn) ? (double)zn : 0;
		free(z);
	}
	for (unsigned fmt = 1; fmt <= 2; fmt++) {
		struct vault *v;
		struct stat sb;
		size_t n = 0, problems = 0;
		double t0, u[3];

		vault_test_create_format(fmt);
		if (make_tmp(dir, sizeof dir, where, "formats") != 0 ||
		    (size_t)snprintf(vdir, sizeof vdir, "%s/vault", dir) >= sizeof vdir ||
		    (v = make_vault(vdir, &light)) == NULL)
			return -1;
		for (int i = 0; i < 10; i++)
			if (vault_user_add(v, names[i], ROLE_INTERVIEWER, PASS, strlen(PASS), &light) != ST_OK) {
				fprintf(stderr, "bench: %s\n", vault_errmsg(v));
				return -1;
			}
		if (vault_user_add(v, "rex", ROLE_SUPERVISOR, PASS, strlen(PASS), &light) != ST_OK) {
			fprintf(stderr, "bench: %s\n", vault_errmsg(v));
			return -1;
		}
		t0 = now_ms();
		for (int i = 0; i < 10; i++) {
			char sum[96];
			int sl = snprintf(sum, sizeof sum, "{\"status\":\"final\",\"interviewer\":\"%s\"}",
			    names[i]);

			vault_lock(v);
			if (vault_unlock(v, names[i], PASS, strlen(PASS)) != ST_OK)
				return -1;
			for (size_t k = 0; k < count / 10; k++) {
				struct record_id id;

				/* Each record its own (as compressible as the others). */
				fill_screening(rec, RECORD_SIZE + 1, (unsigned)(i * count + k));
				if (vault_record_put(v, rec, RECORD_SIZE, sum, (size_t)sl, &id) != ST_OK) {
					fprintf(stderr, "bench: save failed: %s\n", vault_errmsg(v));
					return -1;
				}
			}
		}
		save[fmt] = (now_ms() - t0) / (double)count;
		if ((size_t)snprintf(data, sizeof data, "%s/data.mdb", vdir) < sizeof data &&
		    stat(data, &sb) == 0)
			bytes[fmt] = (double)sb.st_size / (double)count;
		for (int r = 0; r < 3; r++) {
			vault_lock(v);
			t0 = now_ms();
			if (vault_unlock(v, "bench", PASS, strlen(PASS)) != ST_OK)
				return -1;
			u[r] = now_ms() - t0;
		}
		unlock[fmt] = quantile(u, 3, 0.5);
		t0 = now_ms();
		if (vault_listing_scan(v, count_item, &n) != ST_OK || n != count) {
			fprintf(stderr, "bench: case list (format %u): %zu of %zu: %s\n", fmt, n, count,
			    vault_errmsg(v));
			return -1;
		}
		sup[fmt] = now_ms() - t0;
		t0 = now_ms();
		if (vault_verify(v, NULL, no_problem, &problems, NULL) != ST_OK) {
			fprintf(stderr, "bench: verify (format %u): %s\n", fmt, vault_errmsg(v));
			return -1;
		}
		ver[fmt] = now_ms() - t0;
		if (fmt == 2) {
			t0 = now_ms();
			if (vault_user_remove_flags(v, "rex", VAULT_REKEY) != ST_OK) {
				fprintf(stderr, "bench: rekey failed: %s\n", vault_errmsg(v));
				return -1;
			}
			rekey = now_ms() - t0;
		}
		vault_lock(v);
		if (vault_unlock(v, "i3", PASS, strlen(PASS)) != ST_OK)
			return -1;
		n = 0;
		t0 = now_ms();
		if (vault_listing_scan(v, count_item, &n) != ST_OK || n != count / 10) {
			fprintf(stderr, "bench: own case list (format %u): %zu: %s\n", fmt, n,
			    vault_errmsg(v));
			return -1;
		}
		own[fmt] = now_ms() - t0;
		vault_close(v);
		printf("format %u, pages after the run:\n", fmt);
		table_pages(vdir, "records", count);
		table_pages(vdir, "summaries", count);
		table_pages(vdir, "listing", count);
		table_pages(vdir, "audit", count);
		rm_rf(dir);
	}
	vault_test_create_format(2);
	printf("key order (LMDB alone):\n");
	key_order(where, count < 20000 ? count : 20000, packed > 0 ? (size_t)packed + 160 : 900);
	for (unsigned fmt = 1; fmt <= 2 && getenv("BENCH_NO_EXPORT") == NULL; fmt++)
		exp[fmt] = export_run(where, fmt, count / EXPORT_BATCH * EXPORT_BATCH, &expb[fmt]);
	{
		char fig[96], basel[96], name[160];

		printf("formats on %s, %zu records of %d B: format 1 / format 2\n", where, count,
		    RECORD_SIZE);
		printf("  save %.3f / %.3f ms, unlock beyond Argon2id %.1f / %.1f ms, case list "
		    "(supervisor) %.0f / %.0f ms, case list (one of ten interviewers) %.0f / %.0f ms, "
		    "verify %.2f / %.2f s, %.0f / %.0f B on disk per record, rekey %.2f s\n",
		    save[1], save[2], unlock[1], unlock[2], sup[1], sup[2], own[1], own[2],
		    ver[1] / 1e3, ver[2] / 1e3, bytes[1], bytes[2], rekey / 1e3);
		snprintf(fig, sizeof fig, "%.3f ms", save[2]);
		snprintf(basel, sizeof basel, "format 1 %.3f ms", save[1]);
		row("format 2: a durable save of a 2 KiB record", fig, basel, save[2] / save[1],
		    "at most 1.5x format 1");
		snprintf(fig, sizeof fig, "%.1f ms", unlock[2]);
		snprintf(basel, sizeof basel, "format 1 %.1f ms", unlock[1]);
		row("format 2: unlock at light Argon2id limits", fig, basel, unlock[2] / unlock[1],
		    "Argon2id dominates");
		snprintf(name, sizeof name, "format 2: case list of %zu (supervisor)", count);
		snprintf(fig, sizeof fig, "%.0f ms", sup[2]);
		snprintf(basel, sizeof basel, "format 1 %.0f ms", sup[1]);
		row(name, fig, basel, sup[2] / sup[1], "under 250 ms");
		snprintf(name, sizeof name, "format 2: case list of %zu (one of ten interviewers)", count);
		snprintf(fig, sizeof fig, "%.0f ms", own[2]);
		snprintf(basel, sizeof basel, "format 1 %.0f ms", own[1]);
		row(name, fig, basel, own[2] / own[1], "under 250 ms");
		snprintf(name, sizeof name, "format 2: verify of %zu records", count);
		snprintf(fig, sizeof fig, "%.2f s", ver[2] / 1e3);
		snprintf(basel, sizeof basel, "format 1 %.2f s", ver[1] / 1e3);
		row(name, fig, basel, ver[2] / ver[1], "-");
		snprintf(fig, sizeof fig, "%.0f B", bytes[2]);
		snprintf(basel, sizeof basel, "format 1 %.0f B", bytes[1]);
		row("format 2: bytes on disk per 2 KiB record", fig, basel, bytes[2] / bytes[1],
		    "-");
		snprintf(fig, sizeof fig, "%.0f B", bytes[2]);
		snprintf(basel, sizeof basel, "its payload compressed %.0f B", packed);
		row("format 2: bytes on disk per 2 KiB record, against its compressed payload", fig,
		    basel, packed > 0 ? bytes[2] / packed : 0, "at most 1.3x");
		if (exp[1] > 0 && exp[2] > 0) {
			size_t n = count / EXPORT_BATCH * EXPORT_BATCH;

			snprintf(name, sizeof name, "format 2: export of %zu records as csv", n);
			snprintf(fig, sizeof fig, "%.0f records/s", (double)n / (exp[2] / 1e3));
			snprintf(basel, sizeof basel, "format 1 %.0f records/s",
			    (double)n / (exp[1] / 1e3));
			row(name, fig, basel, exp[1] / exp[2], "at least 1,000 records/s");
			printf("  export: %.2f / %.2f s, %.0f / %.0f B on disk per record of "
			    "screening-short (format 1 / format 2)\n", exp[1] / 1e3, exp[2] / 1e3,
			    expb[1], expb[2]);
		}
		snprintf(name, sizeof name, "format 2: user remove --rekey of a supervisor, %zu records",
		    count);
		snprintf(fig, sizeof fig, "%.2f s", rekey / 1e3);
		row(name, fig, "-", 0, "-");
	}
	return 0;
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (crypto_init() != ST_OK)
		return 1;
	printf("== bench_vault\n");
	/* BENCH_FORMATS=1: only the comparison of the formats. */
	if (getenv("BENCH_FORMATS") != NULL)
		return bench_formats(base) != 0;
	if (bench_unlock(base) != 0 || bench_save(base) != 0 || bench_read(base) != 0 ||
	    bench_formats(base) != 0)
		return 1;
	return 0;
}
