/*
 * bench_office.c — an office vault at 100,000 and at 1,000,000 records:
 * what opening it, the case list, a search, a statistics release, an
 * export, verify and a bundle import cost in time and in peak memory, and
 * bytes on disk per record. Each 1,000,000-record figure is printed next to
 * the 100,000-record one of the same run. Prints figures only; never passes
 * or fails on them.
 *
 * Records are 200 different screenings taken through the interview engine
 * (forms/screening-short.yaml), with their summaries, stored under fresh
 * ids with vault_import in batches of 10,000 by one supervisor; the vaults
 * live in /dev/shm when it has room, so the figures are CPU and memory,
 * not disk. BENCH_OFFICE_RECORDS=N replaces the sizes with N/10 and N.
 * BENCH_OFFICE_DIR=PATH builds the vaults and the bundle there and keeps
 * them, or reuses them when a previous run left them there (building a
 * million records takes minutes); the import and the release then run on
 * a copy, so the kept vaults stay as built (a release is made once, then
 * read back). BENCH_OFFICE_OPS=open,caselist,... runs
 * only the operations named (open, full, caselist, search, release,
 * export, verify, import, scoped).
 *
 * Every operation runs in a new process (this program run again with
 * "op NAME DIR"), so its peak resident memory (VmHWM, reset by exec) is
 * its own: open is vault_open alone; the others open and unlock first.
 * The open, the case list, the search and the import run five times each
 * (BENCH_OFFICE_RUNS=N: N times), each import into a fresh copy of the
 * vault; the run of median time is printed, with the fastest and the
 * slowest. The others take tens of seconds at a million records and run
 * once.
 * Resident memory counts the pages of the vault file that LMDB's map has
 * touched (page cache, shared and reclaimable); "allocated" is the peak of
 * the anonymous part alone (heap and stacks), sampled every 5 ms.
 * "open, full check" removes the clean-close mark first (what an open
 * after another process wrote without closing, or after a restore,
 * costs). The bundle imported carries 20,000 records, as a field site
 * sends a few weeks at a time (BENCH_OFFICE_BUNDLE=N: N records instead,
 * for a profile of the import under callgrind: run "bench_office op import
 * VAULT DIR" on a copy of a kept vault).
 *
 * Under a 256 MiB memory limit: where a memory cgroup can be made (cgroup
 * v1, as root), the 100,000-record vault is copied to a disk (not tmpfs,
 * whose pages stay charged to whoever touched them first; BENCH_OFFICE_DISK
 * names the directory, /var/tmp by default) and what a user waits for, the
 * open, the unlock and the case list, is timed in a process inside a
 * cgroup limited to 256 MiB: cold (the page cache dropped first, when the
 * machine allows it), then warm. Otherwise the row says why it was not
 * measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "bundle.h"
#include "caselist.h"
#include "crypto.h"
#include "export.h"
#include "interview.h"
#include "pagecheck.h"
#include "record.h"
#include "release.h"
#include "vault.h"

#define PASS            "benchmark passphrase"
#define USER            "bench"
#define FORMS_DIR       "forms"
#define SMALL           100000
#define LARGE           1000000
#define BATCH           10000
#define TEMPLATES       200
#define BUNDLE_RECORDS  20000

static const struct vault_kdf fast = { 1, 8 };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the process, every thread's (user and system): the import
 * and the case list do their work on two, and the memory sampler's share
 * is a fraction of a percent. Steadier than the wall clock on a machine
 * other people load. */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *
base_dir(size_t need)
{
	struct statvfs fs;
	const char *tmp = getenv("TMPDIR");

	if (statvfs("/dev/shm", &fs) == 0 && (double)fs.f_bavail * fs.f_frsize > (double)need)
		return "/dev/shm";
	return tmp && *tmp ? tmp : "/tmp";
}

/* Peak resident memory of this process since exec, in KiB. */
static long
peak_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kib;
}

/* The largest anonymous resident memory (heap, stacks: what the process
 * allocated, not the vault file LMDB maps) seen by a thread that samples
 * /proc/self/status every 5 ms while an operation runs, in KiB. */
static atomic_long anon_peak;
static atomic_int sampling;

static long
anon_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "RssAnon: %ld", &kib) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kib;
}

static void *
sampler(void *arg)
{
	struct timespec ts = { 0, 5000000 };

	(void)arg;
	while (atomic_load(&sampling)) {
		long k = anon_kib();

		if (k > atomic_load(&anon_peak))
			atomic_store(&anon_peak, k);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Bytes this process has read (rchar of /proc/self/io: read and pread,
 * whether from the disk or the page cache). */
static size_t
io_read(void)
{
	char line[256];
	unsigned long long n = 0;
	FILE *f = fopen("/proc/self/io", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "rchar: %llu", &n) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return (size_t)n;
}

/* A copy of the kept vault vdir for an operation that changes it, in
 * vdir.what: 0, or -1 when the vault is not kept or the copy failed. */
static int
keep_copy(const char *vdir, const char *what, char *copy, size_t len, int kept)
{
	char cmd[8000];

	snprintf(copy, len, "%s.%s", vdir, what);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", copy, vdir, copy);
	return kept && system(cmd) == 0 ? 0 : -1;
}

/* ---- building the vaults ---- */

struct tpl {
	char *json, *summary;
	size_t len, slen;
};

static int
make_template(const struct form *f, int i, struct tpl *t)
{
	static const char *const ages[] = { "age_9_17", "age_18_20", "age_21_23", "age_24_26",
	    "age_27_29", "age_30_38", "age_39_47" };
	static const char *const docs[] = { "myself", "employer", "recruiter_broker",
	    "authorities" };
	char answers[1024], err[256];
	struct interview *iv;
	json_t *a;
	int ok;

	snprintf(answers, sizeof answers, "{\"danger_now\":\"no\",\"urgent_medical\":\"no\","
	    "\"consent_interview\":\"yes\",\"consent_referral\":\"%s\","
	    "\"consent_statistics\":\"%s\",\"age_band\":\"%s\",\"sector\":[\"factory\"%s],"
	    "\"job_different\":\"%s\",\"could_quit\":{\"special\":\"declined\"},"
	    "\"documents_held_by\":\"%s\",\"debt_work_off\":\"%s\","
	    "\"physical_violence\":\"no\",\"threats\":[\"none\"],\"sex_with_clients\":\"no\","
	    "\"needs_now\":[\"shelter\",\"legal\"]}",
	    i % 2 ? "yes" : "no", i % 5 ? "yes" : "no", ages[i % 7],
	    i % 3 ? "" : ",\"karaoke_entertainment\"", i % 4 ? "yes" : "no", docs[i % 4],
	    i % 6 ? "no" : "yes");
	a = json_loads(answers, 0, NULL);
	if (a == NULL || interview_start(f, i % 3 ? "en" : "lo", &iv) != ST_OK)
		return -1;
	interview_set_interviewer(iv, i % 2 ? "field-ana" : "field-bo");
	ok = interview_apply_answers(iv, a, err, sizeof err) == ST_OK &&
	    interview_finish(iv) == ST_OK &&
	    interview_set_record_id(iv, "00000000000000000000000000000000") == ST_OK &&
	    interview_to_json(iv, &t->json, &t->len) == ST_OK &&
	    interview_summary_json(iv, &t->summary, &t->slen) == ST_OK;
	if (!ok)
		fprintf(stderr, "bench: template %d: %s %s\n", i, err, interview_error(iv));
	interview_free(iv);
	json_decref(a);
	return ok && t->len < 4096 && t->slen < 1024 ? 0 : -1;
}

/* A fresh record id whose case code (its first 40 bits) no other id of
 * this run has: random ids would share one about every other run at a
 * million records, and an import refuses that. The code is a counter
 * multiplied by an odd number modulo 2^40 (a bijection), so ids still
 * arrive in scattered order, as real ones do. */
static void
new_id(struct record_id *id)
{
	static uint64_t next = 1;
	uint64_t code = (next++ * 0x9E3779B97Full) & ((1ull << 40) - 1);

	crypto_random(id->b, VAULT_ID_BYTES);
	for (int i = 0; i < 5; i++)
		id->b[i] = (unsigned char)(code >> (32 - 8 * i));
}

/* Adds n records (ids fresh, written into each JSON) to an open vault. */
static int
fill(struct vault *v, struct form *f, size_t n)
{
	static struct tpl tpl[TEMPLATES];
	static int made;
	struct vault_import_record *recs = calloc(BATCH, sizeof *recs);
	char *bufs = malloc((size_t)BATCH * 4096), *sums = malloc((size_t)BATCH * 1024), hex[33];
	struct vault_import_form form;
	size_t imported, skipped;
	int rc = 0;

	if (recs == NULL || bufs == NULL || sums == NULL)
		return -1;
	for (int i = 0; !made && i < TEMPLATES; i++)
		if (make_template(f, i, &tpl[i]) != 0)
			return -1;
	made = 1;
	form.src = form_source(f, &form.len);
	for (size_t done = 0; done < n && rc == 0; done += BATCH) {
		size_t batch = n - done < BATCH ? n - done : BATCH;

		for (size_t i = 0; i < batch; i++) {
			const struct tpl *t = &tpl[(done + i) % TEMPLATES];
			char *p = bufs + i * 4096, *s = sums + i * 1024, *at;

			new_id(&recs[i].id);
			record_id_hex(&recs[i].id, hex);
			memcpy(p, t->json, t->len + 1);
			if ((at = strstr(p, "\"id\":\"")) != NULL)
				memcpy(at + 6, hex, 32);
			memcpy(s, t->summary, t->slen + 1);
			if ((at = strstr(s, "\"id\":\"")) != NULL)
				memcpy(at + 6, hex, 32);
			recs[i].json = p;
			recs[i].len = t->len;
			recs[i].summary = s;
			recs[i].summary_len = t->slen;
		}
		if (vault_import(v, &form, 1, recs, batch, NULL, &imported, &skipped) != ST_OK) {
			fprintf(stderr, "bench: import: %s\n", vault_errmsg(v));
			rc = -1;
		}
	}
	free(recs);
	free(bufs);
	free(sums);
	return rc;
}

static struct vault *
make_vault(const char *dir)
{
	struct vault *v = vault_new();

	if (v == NULL || vault_create(v, dir, USER, PASS, strlen(PASS), &fast) != ST_OK) {
		fprintf(stderr, "bench: cannot create a vault in %s: %s\n", dir, vault_errmsg(v));
		vault_close(v);
		return NULL;
	}
	return v;
}

/* ---- one operation, in its own process ---- */

static struct vault *
open_unlocked(const char *dir)
{
	struct vault *v = vault_new();

	if (v == NULL || vault_open(v, dir) != ST_OK ||
	    vault_unlock(v, USER, PASS, strlen(PASS)) != ST_OK) {
		fprintf(stderr, "bench: %s: %s\n", dir, vault_errmsg(v));
		vault_close(v);
		return NULL;
	}
	return v;
}

static void
problem_count(void *ctx, const char *problem)
{
	(void)problem;
	++*(size_t *)ctx;
}

/* Prints "RESULT ms peak_kib count anon_peak_kib". */
static int
run_op(const char *op, const char *dir, const char *arg)
{
	char err[1024], path[4200];
	double t0, ms = -1, c0, cms = -1;
	size_t count = 0;
	struct vault *v = NULL;
	enum status st = ST_OK;
	pthread_t th;

	if (crypto_init() != ST_OK)
		return 1;
	atomic_store(&sampling, 1);
	if (pthread_create(&th, NULL, sampler, NULL) != 0)
		return 1;
	if (strcmp(op, "firstlist") == 0) {
		/* What a user waits for: the open, the unlock, the case list. */
		struct caselist *cl = caselist_new();
		enum caselist_source src;

		v = vault_new();
		t0 = now_ms();
		c0 = cpu_ms();
		st = vault_open(v, dir);
		if (st == ST_OK)
			st = vault_unlock(v, USER, PASS, strlen(PASS));
		if (st == ST_OK)
			st = caselist_load(cl, v, &src);
		ms = now_ms() - t0;
		cms = cpu_ms() - c0;
		if (st != ST_OK)
			fprintf(stderr, "bench: open to the case list: %s\n", vault_errmsg(v));
		count = caselist_count(cl);
		caselist_free(cl);
	} else if (strcmp(op, "open") == 0) {
		size_t read_before = io_read();

		v = vault_new();
		t0 = now_ms();
		c0 = cpu_ms();
		st = vault_open(v, dir);
		ms = now_ms() - t0;
		cms = cpu_ms() - c0;
		count = io_read() - read_before;        /* bytes read by the open */
		if (st != ST_OK)
			fprintf(stderr, "bench: open: %s\n", vault_errmsg(v));
	} else if ((v = open_unlocked(dir)) == NULL) {
		return 1;
	} else if (strcmp(op, "caselist") == 0 || strcmp(op, "search") == 0) {
		struct caselist *cl = caselist_new();
		enum caselist_source src;

		t0 = now_ms();
		c0 = cpu_ms();
		st = caselist_load(cl, v, &src);
		ms = now_ms() - t0;
		cms = cpu_ms() - c0;
		count = caselist_count(cl);
		if (st == ST_OK && strcmp(op, "search") == 0) {
			t0 = now_ms();
		c0 = cpu_ms();
			st = caselist_filter(cl, arg, err, sizeof err);
			ms = now_ms() - t0;
		cms = cpu_ms() - c0;
			count = caselist_shown(cl);
		}
		caselist_free(cl);
	} else if (strcmp(op, "release") == 0) {
		struct release_opts o = { "2026", NULL, 0, 0, 0, FORMS_DIR, "2027-02-01", NULL, NULL };
		struct release_result r;

		memset(&r, 0, sizeof r);
		t0 = now_ms();
		c0 = cpu_ms();
		st = release_get(v, &o, &r, err, sizeof err);
		ms = now_ms() - t0;
		cms = cpu_ms() - c0;
		if (st != ST_OK)
			fprintf(stderr, "bench: release: %s\n", err);
		if (st == ST_OK && !r.made) {
			/* Read back, not made: no figure rather than a wrong one. */
			fprintf(stderr, "bench: the vault already holds this release (made by an "
			    "earlier run on it): build the vaults again (a new BENCH_OFFICE_DIR)\n");
			st = ST_EXISTS;
		}
		count = r.counted;
		release_result_free(&r);
	} else if (strcmp(op, "export") == 0) {
		struct export_opts o = { EXPORT_CSV, NULL, NULL, "en", FORMS_DIR };
		struct export_result r;
		int fd;

		memset(&r, 0, sizeof r);
		snprintf(path, sizeof path, "%s.export.csv", dir);
		if ((fd = export_create(path, err, sizeof err)) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		t0 = now_ms();
		c0 = cpu_ms();
		st = export_write(v, fd, &o, &r, err, sizeof err);
		ms = now_ms() - t0;
		cms = cpu_ms() - c0;
		close(fd);
		unlink(path);
		if (st != ST_OK)
			fprintf(stderr, "bench: export: %s\n", err);
		count = r.rows;
	} else if (strcmp(op, "verify") == 0) {
		struct vault_verify_counts c;
		size_t problems = 0;

		t0 = now_ms();
		c0 = cpu_ms();
		st = vault_verify(v, NULL, problem_count, &problems, &c);
		ms = now_ms() - t0;
		cms = cpu_ms() - c0;
		if (st != ST_OK)
			fprintf(stderr, "bench: verify: %s\n", vault_errmsg(v));
		count = c.records;
	} else if (strcmp(op, "import") == 0) {
		struct bundle_key *k = NULL;
		struct bundle_result r;

		memset(&r, 0, sizeof r);
		snprintf(path, sizeof path, "%s/office-key.key", arg);
		if (bundle_key_open(path, PASS, strlen(PASS), &k, err, sizeof err) != ST_OK) {
			fprintf(stderr, "bench: key: %s\n", err);
			return 1;
		}
		snprintf(path, sizeof path, "%s/cases.bundle", arg);
		t0 = now_ms();
		c0 = cpu_ms();
		st = bundle_import(v, k, path, &r, err, sizeof err);
		ms = now_ms() - t0;
		cms = cpu_ms() - c0;
		if (st != ST_OK)
			fprintf(stderr, "bench: bundle import: %s\n", err);
		count = r.imported;
		bundle_key_free(k);
	} else {
		fprintf(stderr, "bench: unknown operation %s\n", op);
		return 1;
	}
	vault_close(v);
	atomic_store(&sampling, 0);
	pthread_join(th, NULL);
	if (anon_kib() > atomic_load(&anon_peak))
		atomic_store(&anon_peak, anon_kib());
	printf("RESULT %.1f %ld %zu %ld %.1f\n", st == ST_OK ? ms : -1.0, peak_kib(), count,
	    atomic_load(&anon_peak), cms);
	return st == ST_OK ? 0 : 1;
}

/* ---- the parent: runs each operation as a new process ---- */

struct result {
	double ms, cpu;
	long kib, anon;
	size_t count;
	double lo, hi;                  /* over the runs (runs_of): fastest, slowest */
	int runs;
};

#define FAILED ((struct result){ -1, -1, -1, -1, 0, -1, -1, 0 })

static char self[4096];

static struct result
spawn(const char *op, const char *dir, const char *arg, const char *wrap)
{
	struct result r = FAILED;
	char cmd[16384], line[256];
	FILE *p;

	if (wrap != NULL)
		snprintf(cmd, sizeof cmd, "%s '%s' op %s '%s' '%s'", wrap, self, op, dir,
		    arg ? arg : "");
	else
		snprintf(cmd, sizeof cmd, "'%s' op %s '%s' '%s'", self, op, dir, arg ? arg : "");
	if ((p = popen(cmd, "r")) == NULL)
		return r;
	while (fgets(line, sizeof line, p) != NULL)
		if (sscanf(line, "RESULT %lf %ld %zu %ld %lf", &r.ms, &r.kib, &r.count, &r.anon,
		    &r.cpu) == 5)
			break;
	while (fgets(line, sizeof line, p) != NULL)
		;
	if (pclose(p) != 0)
		r.ms = -1;
	r.lo = r.hi = r.ms;
	r.runs = r.ms >= 0;
	return r;
}

static int
by_time(const void *a, const void *b)
{
	const struct result *x = a, *y = b;

	return (x->ms > y->ms) - (x->ms < y->ms);
}

/* How many times each operation that has a target, or varies most, runs
 * (BENCH_OFFICE_RUNS, 5 by default): on a virtual machine the same
 * operation varies by up to half from one run to the next. */
static int
runs_wanted(void)
{
	const char *env = getenv("BENCH_OFFICE_RUNS");
	long n = env != NULL ? atol(env) : 5;

	return n < 1 ? 1 : n > 25 ? 25 : (int)n;
}

/* op run n times; the run of median time, with the fastest and slowest.
 * copy_of: each run gets a fresh copy of that vault (an operation that
 * changes it), removed after. Any run failing fails the whole. */
static struct result
runs_of(int n, const char *op, const char *dir, const char *arg, const char *copy_of)
{
	struct result r[25], m;
	char copy[2500];

	for (int i = 0; i < n; i++) {
		if (copy_of != NULL && keep_copy(copy_of, op, copy, sizeof copy, 1) != 0)
			return FAILED;
		r[i] = spawn(op, copy_of != NULL ? copy : dir, arg, NULL);
		if (copy_of != NULL)
			nftw(copy, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		if (r[i].ms < 0)
			return FAILED;
	}
	qsort(r, (size_t)n, sizeof *r, by_time);
	m = r[n / 2];
	m.lo = r[0].ms;
	m.hi = r[n - 1].ms;
	m.runs = n;
	return m;
}

static void
row(const char *what, const char *unit, struct result small, struct result large,
    size_t nsmall, size_t nlarge, const char *target)
{
	char a[64], b[64];

	snprintf(a, sizeof a, unit[0] == 's' ? "%.2f" : "%.1f",
	    unit[0] == 's' ? small.ms / 1e3 : small.ms);
	snprintf(b, sizeof b, unit[0] == 's' ? "%.2f" : "%.1f",
	    unit[0] == 's' ? large.ms / 1e3 : large.ms);
	printf("  %-32s %zu: %7s %s (CPU %.0f ms), %6.1f MiB peak (%5.1f allocated) | %zu: %7s %s "
	    "(CPU %.0f ms), %6.1f MiB peak (%5.1f allocated)\n", what, nsmall, a, unit, small.cpu,
	    small.kib / 1024.0, small.anon / 1024.0, nlarge, b, unit, large.cpu,
	    large.kib / 1024.0, large.anon / 1024.0);
	if (small.runs > 1 || large.runs > 1)
		printf("  %-32s median of %d runs; fastest to slowest %.1f to %.1f ms | %.1f to %.1f "
		    "ms\n", "", large.runs > small.runs ? large.runs : small.runs, small.lo, small.hi,
		    large.lo, large.hi);
	printf("BENCH office: %s, %zu records|%s|%s|%zu records %s %s|%.2f|%s\n", what, nlarge, b,
	    unit, nsmall, a, unit, small.ms > 0 ? large.ms / small.ms : 0, target);
	printf("BENCH office: %s, peak memory, %zu records|%.1f|MiB|%zu records %.1f MiB|%.2f|"
	    "at most 1024 MiB\n", what, nlarge, large.kib / 1024.0, nsmall, small.kib / 1024.0,
	    small.kib > 0 ? (double)large.kib / (double)small.kib : 0);
	printf("BENCH office: %s, peak allocated memory, %zu records|%.1f|MiB|%zu records %.1f MiB|"
	    "%.2f|at most 1024 MiB\n", what, nlarge, large.anon / 1024.0, nsmall, small.anon / 1024.0,
	    small.anon > 0 ? (double)large.anon / (double)small.anon : 0);
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : 0;
}

/* BUNDLE_RECORDS, or BENCH_OFFICE_BUNDLE=N when set (a small bundle to
 * profile the import with, under callgrind say). */
static size_t
bundle_records(void)
{
	const char *env = getenv("BENCH_OFFICE_BUNDLE");

	return env != NULL && atol(env) > 0 ? (size_t)atol(env) : BUNDLE_RECORDS;
}

/* A field vault of bundle_records() records, sealed into a bundle for the
 * office key, in dir. */
static int
make_bundle(const char *dir, struct form *f)
{
	char src[4200], prefix[4200], pub[4200], path[4200], fp[32], err[1024], sprefix[4200],
	    skey[4200];
	unsigned char pk[CRYPTO_PK_BYTES];
	struct bundle_result r;
	struct bundle_site *site = NULL;
	struct vault *from;
	int fd, rc = -1;

	snprintf(src, sizeof src, "%s/field", dir);
	snprintf(prefix, sizeof prefix, "%s/office-key", dir);
	snprintf(pub, sizeof pub, "%s/office-key.pub", dir);
	snprintf(path, sizeof path, "%s/cases.bundle", dir);
	snprintf(sprefix, sizeof sprefix, "%s/site-key", dir);
	snprintf(skey, sizeof skey, "%s/site-key.key", dir);
	if ((from = make_vault(src)) == NULL)
		return -1;
	err[0] = '\0';
	if (record_attach_form(from, f, NULL, 0) == ST_OK && fill(from, f, bundle_records()) == 0 &&
	    bundle_keygen(prefix, PASS, strlen(PASS), &fast, fp, err, sizeof err) == ST_OK &&
	    bundle_pub_load(pub, pk, err, sizeof err) == ST_OK &&
	    bundle_site_keygen(sprefix, PASS, strlen(PASS), &fast, fp, err, sizeof err) == ST_OK &&
	    bundle_site_open(skey, PASS, strlen(PASS), &site, err, sizeof err) == ST_OK &&
	    (fd = export_create(path, err, sizeof err)) >= 0) {
		if (bundle_create(from, site, pk, fd, NULL, FORMS_DIR, &r, err, sizeof err) == ST_OK)
			rc = 0;
		else
			fprintf(stderr, "bench: bundle create: %s\n", err);
		close(fd);
	} else
		fprintf(stderr, "bench: bundle keys: %s\n", err);
	bundle_site_free(site);
	vault_close(from);
	return rc;
}

/*
 * A 256 MiB memory cgroup (v1: /sys/fs/cgroup/memory, writable as root):
 * made, limited, and the operation's shell moved into it before it execs
 * this program, so every page it touches is charged there. NULL (with
 * why in note) when it cannot be made here.
 */
#define CGROUP_ROOT     "/sys/fs/cgroup/memory"
#define CGROUP_LIMIT    ((size_t)256 << 20)

static int
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok = f != NULL && fputs(text, f) >= 0;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static long long
read_number(const char *path)
{
	long long n = -1;
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		if (fscanf(f, "%lld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static const char *
memory_cgroup(char *path, size_t pathlen, char *note, size_t notelen)
{
	static char wrap[2048];
	char file[2200], limit[32];

	snprintf(path, pathlen, "%s/intake-bench-office-%ld", CGROUP_ROOT, (long)getpid());
	snprintf(file, sizeof file, "%s/memory.limit_in_bytes", path);
	snprintf(limit, sizeof limit, "%zu", CGROUP_LIMIT);
	if (mkdir(path, 0755) != 0) {
		snprintf(note, notelen, "no memory cgroup here (%s: %s)", CGROUP_ROOT, strerror(errno));
		return NULL;
	}
	if (write_text(file, limit) != 0) {
		snprintf(note, notelen, "cannot limit a memory cgroup here (%s)", strerror(errno));
		rmdir(path);
		return NULL;
	}
	snprintf(wrap, sizeof wrap, "sh -c 'echo $$ > %s/cgroup.procs && exec \"$0\" \"$@\"'",
	    path);
	return wrap;
}

/* Whether BENCH_OFFICE_OPS (a comma-separated list; unset: all) names op. */
static bool
wanted(const char *op)
{
	const char *list = getenv("BENCH_OFFICE_OPS"), *p;
	size_t n = strlen(op);

	if (list == NULL || *list == '\0')
		return true;
	for (p = list; (p = strstr(p, op)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static const char *
mark_bundle(const char *dir)
{
	static char path[4200];

	snprintf(path, sizeof path, "%s/cases.bundle", dir);
	return path;
}

int
main(int argc, char **argv)
{
	enum { OPEN, OPEN_FULL, CASELIST, SEARCH, RELEASE, EXPORT, VERIFY, IMPORT, NOPS };
	static const char *const names[NOPS] = { "vault open", "vault open, full page check",
	    "case list", "search", "statistics release", "export (CSV)", "verify",
	    "bundle import (20,000 records)" };
	static const char *const targets[NOPS] = { "under 0.5 s", "-", "under 0.5 s", "-", "-",
	    "-", "-", "-" };
	size_t sizes[2] = { SMALL, LARGE };
	struct result res[2][NOPS], scoped = FAILED, warm = FAILED;
	int runs = runs_wanted();
	char scope_note[2048] = "";
	long long scoped_peak = -1, scoped_fails = -1;
	bool cold = false;
	double per_record[2] = { 0, 0 }, build_s[2] = { 0, 0 };
	char dir[1024], vdir[2][1200], mark[2500], fp[BUNDLE_FP_LEN];
	const char *env = getenv("BENCH_OFFICE_RECORDS"), *wrap;
	const char *keep = getenv("BENCH_OFFICE_DIR");
	struct diag_list dl;
	struct form *f = NULL;
	double start = now_ms(), t0, bundle_bytes = 0;

	if (argc == 5 && strcmp(argv[1], "op") == 0)
		return run_op(argv[2], argv[3], argv[4]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env != NULL && atol(env) >= 10) {
		sizes[1] = (size_t)atol(env);
		sizes[0] = sizes[1] / 10;
	}
	if (readlink("/proc/self/exe", self, sizeof self - 1) < 0)
		return 1;
	if (crypto_init() != ST_OK)
		return 1;
	if (keep != NULL && *keep != '\0') {
		if ((size_t)snprintf(dir, sizeof dir, "%s", keep) >= sizeof dir ||
		    (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
			fprintf(stderr, "bench: cannot make %s: %s\n", keep, strerror(errno));
			return 1;
		}
	} else if ((size_t)snprintf(dir, sizeof dir, "%s/intake-bench-office.XXXXXX",
	    /* Both vaults and, for the import, a copy of the larger: at most
	     * about 3,000 bytes a record at these sizes (4,039 at 100,000). */
	    base_dir((sizes[0] + 2 * sizes[1]) * 3000 + sizes[0] * 1100)) >= sizeof dir ||
	    mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench: cannot make a directory: %s\n", strerror(errno));
		return 1;
	}
	printf("== office scale (in %s)\n", dir);
	diag_list_init(&dl);
	if (form_load_file(FORMS_DIR "/screening-short.yaml", &f, &dl) != ST_OK) {
		fprintf(stderr, "bench: run from the source tree (needs forms/)\n");
		goto failed;
	}
	diag_list_free(&dl);
	snprintf(mark, sizeof mark, "%s/cases.bundle", dir);
	if (file_size(mark) == 0 && make_bundle(dir, f) != 0)
		goto failed;
	for (int s = 0; s < 2; s++) {
		struct vault *v;
		char data[2500];

		snprintf(vdir[s], sizeof vdir[s], "%s/vault-%zu", dir, sizes[s]);
		snprintf(data, sizeof data, "%s/data.mdb", vdir[s]);
		if (keep != NULL && file_size(data) > 0) {
			per_record[s] = (double)file_size(data) / (double)sizes[s];
			printf("reusing %s\n", vdir[s]);
			continue;
		}
		t0 = now_ms();
		snprintf(mark, sizeof mark, "%s/site-key.pub", dir);
		if ((v = make_vault(vdir[s])) == NULL || record_attach_form(v, f, NULL, 0) != ST_OK ||
		    bundle_trust(v, "field", mark, fp, mark, sizeof mark) != ST_OK ||
		    fill(v, f, sizes[s]) != 0) {
			fprintf(stderr, "bench: building %s failed\n", vdir[s]);
			vault_close(v);
			goto failed;
		}
		vault_close(v);
		build_s[s] = (now_ms() - t0) / 1e3;
		per_record[s] = (double)file_size(data) / (double)sizes[s];
		printf("built %zu records in %.0f s (%.0f records/s), data.mdb %.0f MB\n", sizes[s],
		    build_s[s], sizes[s] / build_s[s], (double)file_size(data) / 1e6);
	}
	for (int s = 0; s < 2; s++) {
#ifdef PAGECHECK_MARK
		snprintf(mark, sizeof mark, "%s/%s", vdir[s], PAGECHECK_MARK);
#else
		snprintf(mark, sizeof mark, "%s/no-mark", vdir[s]);
#endif
		for (int i = 0; i < NOPS; i++)
			res[s][i] = FAILED;
		if (wanted("open"))
			res[s][OPEN] = runs_of(runs, "open", vdir[s], NULL, NULL);
		if (wanted("full")) {
			/* The mark comes back at the close of a later operation. */
			unlink(mark);
			res[s][OPEN_FULL] = spawn("open", vdir[s], NULL, NULL);
		}
		if (wanted("caselist"))
			res[s][CASELIST] = runs_of(runs, "caselist", vdir[s], NULL, NULL);
		if (wanted("search"))
			res[s][SEARCH] = runs_of(runs, "search", vdir[s], "field-ana", NULL);
		if (wanted("release")) {
			/* A release is made once and then read back: a kept vault
			 * (which a previous run released) gets a copy, as the
			 * import does, and so does the next run. */
			char copy[2500];

			if (keep_copy(vdir[s], "release", copy, sizeof copy, keep != NULL) != 0)
				snprintf(copy, sizeof copy, "%s", vdir[s]);
			res[s][RELEASE] = spawn("release", copy, NULL, NULL);
			if (strcmp(copy, vdir[s]) != 0)
				nftw(copy, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		}
		if (wanted("export"))
			res[s][EXPORT] = spawn("export", vdir[s], NULL, NULL);
		if (wanted("verify"))
			res[s][VERIFY] = spawn("verify", vdir[s], NULL, NULL);
		if (wanted("import")) {
			/* Each run imports into a fresh copy: a second import of
			 * the same bundle would change nothing. */
			res[s][IMPORT] = runs_of(runs, "import", dir, dir, vdir[s]);
			bundle_bytes = (double)file_size(mark_bundle(dir));
		}
	}
	if (wanted("scoped")) {
		char cg[1200], disk[1400], cmd[4000], file[1400];

		/* On a disk, not in /dev/shm: tmpfs pages stay charged to
		 * whoever first touched them, and are never read from a disk. */
		snprintf(disk, sizeof disk, "%s/intake-bench-office-disk-%ld",
		    getenv("BENCH_OFFICE_DISK") ? getenv("BENCH_OFFICE_DISK") : "/var/tmp",
		    (long)getpid());
		snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", vdir[0], disk);
		if ((wrap = memory_cgroup(cg, sizeof cg, scope_note, sizeof scope_note)) == NULL) {
			;
		} else if (system(cmd) != 0) {
			snprintf(scope_note, sizeof scope_note, "cannot copy the vault to %s", disk);
		} else {
			/* The copy is a file the vault has not checked: one open
			 * outside the cgroup checks it and leaves the clean-close
			 * mark a user's own vault has. */
			spawn("open", disk, NULL, NULL);
			/* Cold: the page cache dropped, when this machine allows it. */
			sync();
			cold = write_text("/proc/sys/vm/drop_caches", "3") == 0;
			scoped = spawn("firstlist", disk, NULL, wrap);
			snprintf(file, sizeof file, "%s/memory.max_usage_in_bytes", cg);
			scoped_peak = read_number(file);
			snprintf(file, sizeof file, "%s/memory.failcnt", cg);
			scoped_fails = read_number(file);
			/* Warm: the same again, its pages now in the page cache. */
			warm = spawn("firstlist", disk, NULL, wrap);
		}
		if (wrap != NULL) {
			snprintf(cmd, sizeof cmd, "rm -rf '%s'", disk);
			if (system(cmd) != 0)
				fprintf(stderr, "bench: could not remove %s\n", disk);
			rmdir(cg);
		}
	}
	printf("office scale: %zu and %zu records (time, peak resident memory of the process)\n",
	    sizes[0], sizes[1]);
	for (int i = 0; i < NOPS; i++)
		row(names[i], i == RELEASE || i == EXPORT || i == VERIFY || i == IMPORT ? "s" : "ms",
		    res[0][i], res[1][i], sizes[0], sizes[1], targets[i]);
	if (bundle_bytes > 0) {
		double mbs[2];

		for (int s = 0; s < 2; s++)
			mbs[s] = res[s][IMPORT].ms > 0 ? bundle_bytes / 1e6 / (res[s][IMPORT].ms / 1e3) : 0;
		printf("  bundle import throughput (bundle of %.1f MB): %zu: %.1f MB/s | %zu: %.1f "
		    "MB/s\n", bundle_bytes / 1e6, sizes[0], mbs[0], sizes[1], mbs[1]);
		for (int s = 0; s < 2; s++)
			if (res[s][IMPORT].runs > 1 && res[s][IMPORT].lo > 0)
				printf("  %zu: %.1f to %.1f MB/s over %d runs\n", sizes[s],
				    bundle_bytes / 1e6 / (res[s][IMPORT].hi / 1e3),
				    bundle_bytes / 1e6 / (res[s][IMPORT].lo / 1e3), res[s][IMPORT].runs);
		printf("BENCH office: bundle import throughput, %zu records|%.1f|MB/s|%zu records "
		    "%.1f MB/s|%.2f|at least 30 MB/s\n", sizes[1], mbs[1], sizes[0], mbs[0],
		    mbs[0] > 0 ? mbs[1] / mbs[0] : 0);
	}
	printf("  bytes on disk per record: %zu: %.0f B | %zu: %.0f B\n", sizes[0], per_record[0],
	    sizes[1], per_record[1]);
	printf("  bytes read by the open: %zu: %zu KiB (full check %zu KiB) | %zu: %zu KiB (full "
	    "check %zu KiB)\n", sizes[0], res[0][OPEN].count / 1024, res[0][OPEN_FULL].count / 1024,
	    sizes[1], res[1][OPEN].count / 1024, res[1][OPEN_FULL].count / 1024);
	printf("BENCH office: data.mdb per record, %zu records|%.0f|B|%zu records %.0f B|%.2f|-\n",
	    sizes[1], per_record[1], sizes[0], per_record[0], per_record[1] / per_record[0]);
	if (scoped.ms >= 0) {
		printf("  open, unlock and case list of %zu records on a disk, in a 256 MiB memory "
		    "cgroup: %s %.0f ms (CPU %.0f ms), %.1f MiB peak resident, cgroup peak %.1f MiB, "
		    "%lld times at the limit; then warm %.0f ms (CPU %.0f ms)\n", sizes[0],
		    cold ? "cold (page cache dropped)" : "page cache not dropped (refused)",
		    scoped.ms, scoped.cpu, scoped.kib / 1024.0, scoped_peak / 1048576.0,
		    scoped_fails, warm.ms, warm.cpu);
		printf("BENCH office: open to the case list of %zu records in a 256 MiB memory "
		    "cgroup, %s|%.1f|ms|warm %.1f ms|-|under 1 s\n", sizes[0], cold ? "cold" : "warm",
		    scoped.ms, warm.ms);
	} else
		printf("BENCH office: open to the case list of %zu records in a 256 MiB memory "
		    "cgroup|not measured (%s)|-|-|-|under 1 s\n", sizes[0],
		    scope_note[0] ? scope_note : "not asked for");
	form_free(f);
	if (keep == NULL)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	printf("total bench time %.0f s\n", (now_ms() - start) / 1e3);
	return 0;
failed:
	form_free(f);
	if (keep == NULL)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 1;
}
