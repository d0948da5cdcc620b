/*
 * test_malformed.c — broken vault files: each gives a clear error, never a
 * crash.
 *
 * The corpus is made at run time from a reference vault (users, records
 * large and small, a replaced record, summaries, drafts, the short form):
 * data.mdb truncated at many sizes, each page zeroed, bytes flipped in
 * every region of every page (the two meta pages field by field; branch,
 * leaf and overflow pages in their header, pointers, node headers, keys and
 * values), and files that are not a vault at all (another program's LMDB,
 * a newer format, garbage, empty, a directory, a FIFO, a broken lock file).
 *
 * Each case runs in a child process that opens the vault, lists users,
 * unlocks, reads every record, summary, earlier version, draft and the form,
 * scans, verifies (vault_verify, as `intake verify` does) and tries to save.
 * A failure must come with a message a user can act on; a child killed by a
 * signal (or stopped by a sanitizer) fails the test. Damage that no call
 * notices (a flip in a free page, in a stale meta page, or in a branch key
 * that still routes every lookup) is allowed and counted, as are records
 * gone without an error, which verify's audit trail is there to catch.
 */
#include "testutil.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <lmdb.h>
#include "crypto.h"
#include "vault.h"

#define PASS "malformed passphrase"
#define PSIZE 4096
#define MAX_PAGES 256

static const struct vault_kdf fast = { 1, 8 };

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

/* LMDB 0.9 page header: pgno (8), pad (2), flags (2), lower/upper (2+2)
 * or, on an overflow page, the number of pages (4). */
#define P_BRANCH   0x01
#define P_LEAF     0x02
#define P_OVERFLOW 0x04
#define PAGEHDR    16

enum kind { PG_META, PG_BRANCH, PG_LEAF, PG_OVERFLOW, PG_OVERDATA, PG_OTHER };
static const char *const kind_name[] = {
	"meta", "branch", "leaf", "overflow head", "overflow data", "other",
};

struct ref {
	char *tmp;
	char dir[4096];
	char form_hash[65];
	unsigned char *data;
	size_t size, pages;
	enum kind kinds[MAX_PAGES];
	size_t records, drafts;
};

static struct ref R;

struct outcome {
	unsigned cases, detected, unnoticed, lost, crashed, unclear;
	char first_bad[600];
	char sample[VAULT_MSG_MAX];
};

/* ---- what a user would do with the vault, in the child ---- */

struct seen {
	int detected, unclear;
	size_t records;
	char first[VAULT_MSG_MAX];
};

static void
note(struct seen *s, struct vault *v, enum status st)
{
	const char *msg = vault_errmsg(v);

	if (st == ST_OK)
		return;
	s->detected = 1;
	if (msg == NULL || strlen(msg) < 10)
		s->unclear = 1;
	if (s->first[0] == '\0')
		snprintf(s->first, sizeof s->first, "%s: %s", status_str(st), msg ? msg : "");
}

static int
scan_cb(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct seen *s = ctx;

	(void)id;
	(void)json;
	(void)len;
	if (st == ST_OK)
		s->records++;
	if (st != ST_OK) {
		s->detected = 1;
		if (s->first[0] == '\0')
			snprintf(s->first, sizeof s->first, "a record failed its integrity check");
	}
	return 0;
}

static void
verify_problem(void *ctx, const char *what)
{
	struct seen *s = ctx;

	s->detected = 1;
	if (strlen(what) < 10)
		s->unclear = 1;
	if (s->first[0] == '\0')
		snprintf(s->first, sizeof s->first, "verify: %s", what);
}

static void
read_all(struct vault *v, struct seen *s)
{
	struct record_id *ids = NULL, id;
	struct vault_user *users = NULL;
	size_t n = 0, len;
	unsigned count;
	char *json;
	enum status st;

	note(s, v, vault_user_list(v, &users, &n));
	free(users);
	st = vault_unlock(v, "sup", PASS, strlen(PASS));
	note(s, v, st);
	if (st != ST_OK)
		return;
	st = vault_record_list(v, &ids, &n);
	note(s, v, st);
	for (size_t i = 0; st == ST_OK && i < n; i++) {
		enum status g;

		/* The bulk is read by the scans below; single reads for some. */
		if (i < 3 || i + 1 == n) {
			g = vault_record_get(v, &ids[i], &json, &len);
			note(s, v, g);
			vault_plain_free(json, len);
			g = vault_summary_get(v, &ids[i], &json, &len);
			if (g != ST_NOTFOUND)
				note(s, v, g);
			vault_plain_free(json, len);
		}
		g = vault_record_versions(v, &ids[i], &count);
		note(s, v, g);
		for (unsigned k = 1; g == ST_OK && k <= count && k < 1000; k++) {
			enum status h = vault_record_history(v, &ids[i], k, &json, &len);
			note(s, v, h);
			vault_plain_free(json, len);
		}
	}
	free(ids);
	note(s, v, vault_record_scan(v, scan_cb, s));
	count = (unsigned)s->records;
	note(s, v, vault_summary_scan(v, scan_cb, s));
	s->records = count;
	ids = NULL;
	st = vault_draft_list(v, &ids, &n);
	note(s, v, st);
	for (size_t i = 0; st == ST_OK && i < n; i++) {
		note(s, v, vault_draft_get(v, &ids[i], &json, &len));
		vault_plain_free(json, len);
	}
	free(ids);
	note(s, v, vault_form_get(v, R.form_hash, &json, &len));
	vault_plain_free(json, len);
	/* What a supervisor's `intake verify` finds. */
	{
		struct vault_verify_counts counts;
		enum status vs;

		memset(&counts, 0, sizeof counts);
		vs = vault_verify(v, NULL, verify_problem, s, &counts);
		if (vs != ST_TAMPERED)
			note(s, v, vs);
	}
	/* Saving into a damaged vault must fail cleanly or work. */
	note(s, v, vault_record_put(v, "{\"after\":1}", 11, "{}", 2, &id));
	memset(&id, 0, sizeof id);
	note(s, v, vault_draft_put(v, &id, "{\"d\":1}", 7));
}

/* Exit 0 with one line "detected unclear records first-message" on fd. */
static void
child(const char *dir, int fd)
{
	struct seen s = { 0, 0, 0, "" };
	struct vault *v = vault_new();
	char line[VAULT_MSG_MAX + 64];
	enum status st;
	int n;

	if (v == NULL)
		_exit(3);
	st = vault_open(v, dir);
	note(&s, v, st);
	if (st == ST_OK)
		read_all(v, &s);
	vault_close(v);
	n = snprintf(line, sizeof line, "%d %d %zu %s", s.detected, s.unclear, s.records, s.first);
	if (n < 0 || write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
		_exit(4);
	_exit(0);
}

/* Runs one case on the vault in dir. */
static void
run_case(const char *dir, const char *name, struct outcome *o)
{
	char line[VAULT_MSG_MAX + 64] = "";
	int fds[2], status, detected = 0, unclear = 0, at = 0;
	size_t records = 0;
	ssize_t got;
	pid_t pid;

	o->cases++;
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka catches crashes to go on with the next test: the
		 * child must die of them instead, to be counted. */
		static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			signal(sigs[i], SIG_DFL);
		close(fds[0]);
		alarm(60);
		child(dir, fds[1]);
	}
	close(fds[1]);
	got = read(fds[0], line, sizeof line - 1);
	line[got > 0 ? got : 0] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    sscanf(line, "%d %d %zu %n", &detected, &unclear, &records, &at) < 3) {
		o->crashed++;
		if (o->first_bad[0] == '\0')
			snprintf(o->first_bad, sizeof o->first_bad, "%s: the child %s %d", name,
			    WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return;
	}
	if (unclear) {
		o->unclear++;
		if (o->first_bad[0] == '\0')
			snprintf(o->first_bad, sizeof o->first_bad, "%s: an error without a clear "
			    "message (%s)", name, line + at);
	}
	if (detected) {
		o->detected++;
		if (o->sample[0] == '\0')
			snprintf(o->sample, sizeof o->sample, "%s", line + at);
	} else if (records < R.records) {
		o->lost++;
	} else {
		o->unnoticed++;
	}
}

static void
report(const char *what, struct outcome *o)
{
	print_message("# %s: %u cases: %u reported with a message, %u unnoticed (harmless "
	    "bytes), %u lost records without an error, %u crashed, %u unclear\n", what,
	    o->cases, o->detected, o->unnoticed, o->lost, o->crashed, o->unclear);
	if (o->sample[0] != '\0')
		print_message("#   e.g. %s\n", o->sample);
	if (o->crashed > 0 || o->unclear > 0)
		fail_msg("%s: %s", what, o->first_bad);
	assert_true(o->detected > 0 || o->cases == 0);
}

/* ---- cases made from the reference data.mdb ---- */

/* A fresh case directory holding data (len bytes) as data.mdb. */
static void
write_case(char *dir, size_t dirlen, const unsigned char *data, size_t len)
{
	char path[4200];
	int fd;

	assert_true((size_t)snprintf(dir, dirlen, "%s/case", R.tmp) < dirlen);
	tu_rmtree(dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	PATH_FMT(path, "%s/data.mdb", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_true(len == 0 || write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static void
classify(void)
{
	R.pages = R.size / PSIZE;
	assert_true(R.pages <= MAX_PAGES);
	for (size_t p = 0; p < R.pages; p++) {
		const unsigned char *pg = R.data + p * PSIZE;
		uint16_t flags;
		uint32_t over;

		if (p < 2) {
			R.kinds[p] = PG_META;
			continue;
		}
		memcpy(&flags, pg + 10, 2);
		if (flags & P_OVERFLOW) {
			R.kinds[p] = PG_OVERFLOW;
			memcpy(&over, pg + 12, 4);
			for (uint32_t k = 1; k < over && p + k < R.pages; k++)
				R.kinds[p + k] = PG_OVERDATA;
			p += over > 0 ? over - 1 : 0;
		} else if (flags & P_BRANCH) {
			R.kinds[p] = PG_BRANCH;
		} else if (flags & P_LEAF) {
			R.kinds[p] = PG_LEAF;
		} else {
			R.kinds[p] = PG_OTHER;
		}
	}
}

/* Every page of a kind seen up to 6 times; of more, the first and last 3:
 * the cases stay near a thousand however the reference vault is laid out. */
static int
sampled(size_t p)
{
	size_t before = 0, total = 0;

	for (size_t q = 0; q < R.pages; q++) {
		if (R.kinds[q] != R.kinds[p])
			continue;
		before += q < p;
		total++;
	}
	return total <= 6 || before < 3 || before >= total - 3;
}

static int
group_setup(void **state)
{
	struct vault *v;
	struct record_id id, draft;
	char big[3000], data[4200], *src;
	size_t srclen = 0;

	(void)state;
	/* Every case commits twice: on tmpfs a sync costs nothing, and LMDB
	 * reads the same bytes from any file system. */
	if (access("/dev/shm", W_OK) == 0 && getenv("TMPDIR") == NULL) {
		R.tmp = malloc(64);
		assert_non_null(R.tmp);
		snprintf(R.tmp, 64, "/dev/shm/intake-malformed.XXXXXX");
		assert_non_null(mkdtemp(R.tmp));
	} else {
		R.tmp = tu_tmpdir("malformed");
	}
	PATH_FMT(R.dir, "%s/ref", R.tmp);
	v = vault_new();
	assert_non_null(v);
	assert_int_equal(vault_create(v, R.dir, "sup", PASS, strlen(PASS), &fast), ST_OK);
	assert_int_equal(vault_user_add(v, "ivw", ROLE_INTERVIEWER, PASS, strlen(PASS), &fast), ST_OK);
	memset(big, 'b', sizeof big);
	big[0] = '{';
	big[sizeof big - 1] = '}';
	/* Enough records for branch pages above the leaves. */
	for (int i = 0; i < 300; i++) {
		char small[64];
		int n = snprintf(small, sizeof small, "{\"n\":%d}", i);

		assert_int_equal(vault_record_put(v, i % 25 ? small : big, i % 25 ? (size_t)n : sizeof big,
		    "{\"s\":1}", 7, &id), ST_OK);
		R.records++;
	}
	assert_int_equal(vault_record_replace(v, &id, "{\"n\":99}", 8, NULL, 0), ST_OK);
	for (int i = 0; i < 3; i++) {
		memset(&draft, 0, sizeof draft);
		assert_int_equal(vault_draft_put(v, &draft, "{\"draft\":1}", 11), ST_OK);
	}
	src = tu_slurp("forms/screening-short.yaml", &srclen);
	assert_non_null(src);
	assert_int_equal(vault_form_put(v, src, srclen, R.form_hash), ST_OK);
	free(src);
	vault_close(v);
	PATH_FMT(data, "%s/data.mdb", R.dir);
	R.data = (unsigned char *)tu_slurp(data, &R.size);
	assert_non_null(R.data);
	assert_int_equal(R.size % PSIZE, 0);
	classify();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	tu_rmtree(R.tmp);
	free(R.tmp);
	free(R.data);
	return 0;
}

static void
reference_reads_cleanly(void **state)
{
	struct outcome o = { 0 };
	char dir[4200];

	(void)state;
	write_case(dir, sizeof dir, R.data, R.size);
	run_case(dir, "the intact copy", &o);
	assert_int_equal(o.unnoticed, 1);
}

static void
truncated(void **state)
{
	struct outcome o = { 0 };
	char dir[4200], name[64];
	size_t cuts[64 + 2 * MAX_PAGES], n = 0;
	static const size_t fixed[] = { 0, 1, 15, 16, 100, 2048, 4095, 4097, 8191, 8193 };

	(void)state;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		cuts[n++] = fixed[i];
	for (size_t p = 1; p < R.pages; p += 1 + R.pages / 32) {
		cuts[n++] = p * PSIZE;
		cuts[n++] = p * PSIZE + PSIZE / 2;
	}
	cuts[n++] = R.size - 1;
	for (size_t i = 0; i < n; i++) {
		if (cuts[i] >= R.size)
			continue;
		write_case(dir, sizeof dir, R.data, cuts[i]);
		snprintf(name, sizeof name, "truncated to %zu bytes", cuts[i]);
		run_case(dir, name, &o);
	}
	report("truncated data.mdb", &o);
	assert_int_equal(o.unnoticed + o.lost, 0);
}

static void
zeroed_pages(void **state)
{
	struct outcome o = { 0 };
	unsigned char *copy = malloc(R.size);
	char dir[4200], name[64];

	(void)state;
	assert_non_null(copy);
	for (size_t p = 0; p < R.pages; p++) {
		if (!sampled(p))
			continue;
		memcpy(copy, R.data, R.size);
		memset(copy + p * PSIZE, 0, PSIZE);
		write_case(dir, sizeof dir, copy, R.size);
		snprintf(name, sizeof name, "page %zu (%s) zeroed", p, kind_name[R.kinds[p]]);
		run_case(dir, name, &o);
	}
	free(copy);
	report("zeroed pages", &o);
}

/* Offsets worth flipping in a page of this kind. */
static size_t
flip_offsets(size_t p, size_t *off, size_t max)
{
	const unsigned char *pg = R.data + p * PSIZE;
	uint16_t lower, upper;
	size_t n = 0;

	switch (R.kinds[p]) {
	case PG_META:
		/* MDB_meta after the header: magic, version, address, map size,
		 * the free and main database records, last page, txnid. */
		for (size_t o = PAGEHDR; o < PAGEHDR + 136 && n < max; o += 4)
			off[n++] = o;
		return n;
	case PG_OVERDATA:
		off[n++] = 0;
		off[n++] = PSIZE / 2;
		off[n++] = PSIZE - 1;
		return n;
	case PG_OVERFLOW:
		off[n++] = 0;
		off[n++] = 10;
		off[n++] = 12;
		off[n++] = PAGEHDR;
		off[n++] = PSIZE / 2;
		off[n++] = PSIZE - 1;
		return n;
	default:
		break;
	}
	memcpy(&lower, pg + 12, 2);
	memcpy(&upper, pg + 14, 2);
	off[n++] = 0;            /* page number */
	off[n++] = 10;           /* flags */
	off[n++] = 12;           /* lower */
	off[n++] = 14;           /* upper */
	off[n++] = PAGEHDR;      /* first node pointer */
	off[n++] = PAGEHDR + 1;
	if (lower > PAGEHDR + 2 && lower < PSIZE)
		off[n++] = lower - 2;   /* last node pointer */
	if (upper >= PAGEHDR && upper + 8 < PSIZE) {
		off[n++] = upper;       /* a node's data size or child page */
		off[n++] = upper + 4;   /* node flags */
		off[n++] = upper + 6;   /* key size */
		off[n++] = upper + 8;   /* key */
		off[n++] = upper + 8 + (PSIZE - upper - 8) / 2;   /* keys and values */
	}
	off[n++] = PSIZE - 1;
	return n;
}

static void
flipped_bytes(void **state)
{
	static const unsigned char masks[] = { 0x01, 0x80, 0xFF, 0x10 };
	struct outcome by_kind[PG_OTHER + 1];
	unsigned char *copy = malloc(R.size);
	char dir[4200], name[96];
	size_t off[64], n, k = 0;
	unsigned crashed = 0, unclear = 0;

	(void)state;
	assert_non_null(copy);
	memset(by_kind, 0, sizeof by_kind);
	for (size_t p = 0; p < R.pages; p++) {
		if (!sampled(p))
			continue;
		n = flip_offsets(p, off, sizeof off / sizeof off[0]);
		for (size_t i = 0; i < n; i++, k++) {
			unsigned char m = masks[k % sizeof masks];

			memcpy(copy, R.data, R.size);
			copy[p * PSIZE + off[i]] ^= m;
			write_case(dir, sizeof dir, copy, R.size);
			snprintf(name, sizeof name, "page %zu (%s) byte %zu xor 0x%02x", p,
			    kind_name[R.kinds[p]], off[i], m);
			run_case(dir, name, &by_kind[R.kinds[p]]);
		}
	}
	free(copy);
	for (int kd = PG_META; kd <= PG_OTHER; kd++) {
		struct outcome *o = &by_kind[kd];
		char what[64];

		if (o->cases == 0)
			continue;
		snprintf(what, sizeof what, "flipped bytes in %s pages", kind_name[kd]);
		print_message("# %s: %u cases: %u reported with a message, %u unnoticed, %u lost "
		    "records without an error, %u crashed, %u unclear\n", what, o->cases,
		    o->detected, o->unnoticed, o->lost, o->crashed, o->unclear);
		if (o->sample[0] != '\0')
			print_message("#   e.g. %s\n", o->sample);
		if (o->crashed + o->unclear > 0)
			print_message("#   FIRST BAD: %s\n", o->first_bad);
		crashed += o->crashed;
		unclear += o->unclear;
	}
	assert_int_equal(crashed, 0);
	assert_int_equal(unclear, 0);
}

/* ---- files that are not an Intake vault ---- */

static void
lmdb_put_raw(const char *dir, const char *db, const char *key, const void *val, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(key), (void *)(uintptr_t)key };
	MDB_val d = { len, (void *)(uintptr_t)val };

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
not_a_vault(void **state)
{
	struct outcome o = { 0 };
	unsigned char junk[3 * PSIZE];
	unsigned char two[4] = { 0, 0, 0, 3 };
	char dir[4200], path[4300];

	(void)state;
	crypto_random(junk, sizeof junk);
	write_case(dir, sizeof dir, junk, sizeof junk);
	run_case(dir, "random bytes", &o);
	write_case(dir, sizeof dir, (const unsigned char *)"hello\n", 6);
	run_case(dir, "a text file", &o);
	write_case(dir, sizeof dir, NULL, 0);
	run_case(dir, "an empty file", &o);

	/* Another program's LMDB environment, and one with a "meta" table
	 * that is not Intake's. */
	write_case(dir, sizeof dir, NULL, 0);
	PATH_FMT(path, "%s/data.mdb", dir);
	unlink(path);
	lmdb_put_raw(dir, "settings", "colour", "blue", 4);
	run_case(dir, "a foreign LMDB environment", &o);
	write_case(dir, sizeof dir, NULL, 0);
	unlink(path);
	lmdb_put_raw(dir, "meta", "format", "x", 1);
	run_case(dir, "a foreign table named meta", &o);

	/* A newer format, and a meta table whose format is zero. */
	write_case(dir, sizeof dir, R.data, R.size);
	lmdb_put_raw(dir, "meta", "format", two, sizeof two);
	run_case(dir, "a newer format", &o);
	two[3] = 0;
	write_case(dir, sizeof dir, R.data, R.size);
	lmdb_put_raw(dir, "meta", "format", two, sizeof two);
	run_case(dir, "format 0", &o);

	/* data.mdb that is not a regular file. */
	write_case(dir, sizeof dir, NULL, 0);
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	run_case(dir, "data.mdb is a directory", &o);
	rmdir(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	run_case(dir, "data.mdb is a FIFO", &o);
	unlink(path);
	assert_int_equal(symlink("/nonexistent/data.mdb", path), 0);
	run_case(dir, "data.mdb is a dangling link", &o);
	report("not a vault", &o);
	assert_int_equal(o.unnoticed + o.lost, 0);
}

static void
broken_lock_file(void **state)
{
	struct outcome o = { 0 };
	unsigned char junk[8192];
	char dir[4200], path[4300];
	int fd;

	(void)state;
	/* LMDB rebuilds a garbage lock file when no one else has the vault
	 * open: the vault must read normally. */
	crypto_random(junk, sizeof junk);
	write_case(dir, sizeof dir, R.data, R.size);
	PATH_FMT(path, "%s/lock.mdb", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	close(fd);
	run_case(dir, "a garbage lock file", &o);
	assert_int_equal(o.unnoticed, 1);
	write_case(dir, sizeof dir, R.data, R.size);
	assert_int_equal(mkdir(path, 0700), 0);
	run_case(dir, "lock.mdb is a directory", &o);
	rmdir(path);
	report("broken lock file", &o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_reads_cleanly),
		cmocka_unit_test(truncated),
		cmocka_unit_test(zeroed_pages),
		cmocka_unit_test(flipped_bytes),
		cmocka_unit_test(not_a_vault),
		cmocka_unit_test(broken_lock_file),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
