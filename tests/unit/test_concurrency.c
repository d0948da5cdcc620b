/*
 * test_concurrency.c — many intake processes on one vault, as on a shelter
 * server: 16 interviewers each save 200 records and keep updating a draft as
 * fast as they can while 4 supervisors list, scan and read. Afterwards every
 * record is there exactly once and decrypts, each interviewer's draft is
 * their own last one, the audit chain is whole, and `mdb_stat -r` shows no
 * reader left behind. Then the same with one interviewer SIGKILLed in the
 * middle of its writes (and one reader too): the others finish and nothing
 * anyone committed is lost.
 *
 * Each child writes the id of every record it saved to its own file right
 * after the save returns, so the parent knows what was committed even by a
 * process it killed. The vault goes to /dev/shm when there is one: the test
 * is about processes sharing a vault, and tmpfs keeps 6,400 durable commits
 * within a few seconds (bench_concurrency measures a real disk).
 */
#include "testutil.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <jansson.h>
#include "crypto.h"
#include "vault.h"

#define WRITERS     16
#define PER_WRITER  200
#define READERS     4
#define PASS_SUP    "supervisor passphrase"
#define PASS_W      "writer passphrase 1"

static const struct vault_kdf fast = { 1, 8 };

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

struct run {
	char base[4096];
	char dir[4096];
	char ids[WRITERS][4096];
};

static int
setup(void **state)
{
	struct run *r = calloc(1, sizeof *r);
	struct stat sb;
	struct vault *v;
	char name[16];

	assert_non_null(r);
	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0) {
		PATH_FMT(r->base, "/dev/shm/intake-conc.XXXXXX");
		assert_non_null(mkdtemp(r->base));
	} else {
		char *t = tu_tmpdir("conc");

		PATH_FMT(r->base, "%s", t);
		free(t);
	}
	PATH_FMT(r->dir, "%s/vault", r->base);
	for (int i = 0; i < WRITERS; i++) {
		char path[sizeof r->ids[i]];

		PATH_FMT(path, "%s/ids.%02d", r->base, i);
		memcpy(r->ids[i], path, sizeof path);
	}
	v = vault_new();
	assert_non_null(v);
	assert_int_equal(vault_create(v, r->dir, "sup", PASS_SUP, strlen(PASS_SUP), &fast), ST_OK);
	for (int i = 0; i < WRITERS; i++) {
		snprintf(name, sizeof name, "w%02d", i);
		assert_int_equal(vault_user_add(v, name, ROLE_INTERVIEWER, PASS_W, strlen(PASS_W),
		    &fast), ST_OK);
	}
	/* Readers are supervisors, one user per process as over SSH. */
	for (int j = 0; j < READERS; j++) {
		snprintf(name, sizeof name, "r%d", j);
		assert_int_equal(vault_user_add(v, name, ROLE_SUPERVISOR, PASS_SUP, strlen(PASS_SUP),
		    &fast), ST_OK);
	}
	vault_close(v);
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	struct run *r = *state;

	tu_rmtree(r->base);
	free(r);
	return 0;
}

/* ---- children ------------------------------------------------------------- */

/* Exit codes of children: 0, or 10 + the status of the call that failed.
 * A writer with a `notify` descriptor writes one byte to it once a quarter
 * of its records are saved and written down, and goes on saving. */
struct sync {
	int up;         /* each child writes a byte here once unlocked */
	int go;         /* ...then waits for end of file here */
	int notify;     /* writer 0 of a kill run: -1 otherwise */
};

/* Tells the parent this child is ready, and waits until all are. */
static void
barrier(const struct sync *s)
{
	char byte;

	if (write(s->up, "u", 1) != 1 || read(s->go, &byte, 1) != 0)
		_exit(5);
}

static void
writer(const struct run *r, int i, const struct sync *s)
{
	char name[16], json[512], line[64], hex[2 * VAULT_ID_BYTES + 1];
	struct record_id draft = { {0} }, id;
	struct vault *v = vault_new();
	enum status st;
	int fd, n;

	snprintf(name, sizeof name, "w%02d", i);
	fd = open(r->ids[i], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (v == NULL || fd < 0)
		_exit(2);
	if ((st = vault_open(v, r->dir)) != ST_OK ||
	    (st = vault_unlock(v, name, PASS_W, strlen(PASS_W))) != ST_OK)
		_exit(10 + (int)st);
	barrier(s);
	for (n = 0; n < PER_WRITER; n++) {
		int jl = snprintf(json, sizeof json, "{\"writer\":%d,\"n\":%d,\"answers\":{\"note\":"
		    "\"%0300d\"}}", i, n, n);

		if ((st = vault_draft_put(v, &draft, json, (size_t)jl)) != ST_OK ||
		    (st = vault_record_put(v, json, (size_t)jl, "{\"s\":1}", 7, &id)) != ST_OK) {
			fprintf(stderr, "%s: %s\n", name, vault_errmsg(v));
			_exit(10 + (int)st);
		}
		record_id_hex(&id, hex);
		jl = snprintf(line, sizeof line, "%s %d\n", hex, n);
		if (write(fd, line, (size_t)jl) != jl)
			_exit(3);
		if (s->notify >= 0 && n + 1 == PER_WRITER / 4 && write(s->notify, "k", 1) != 1)
			_exit(4);
	}
	close(fd);
	vault_close(v);
	_exit(0);
}

static int
count_ok(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	(void)id;
	(void)json;
	(void)len;
	if (st != ST_OK)
		return 1;
	(*(size_t *)ctx)++;
	return 0;
}

/* Lists, scans and reads until the parent closes `stop`. */
static void
reader(const struct run *r, int j, int stop, const struct sync *s)
{
	char name[16];
	struct vault *v = vault_new();
	struct pollfd pfd = { stop, POLLIN, 0 };
	struct record_id *ids;
	size_t n, seen;
	char *json;
	enum status st;

	if (v == NULL)
		_exit(2);
	snprintf(name, sizeof name, "r%d", j);
	if ((st = vault_open(v, r->dir)) != ST_OK ||
	    (st = vault_unlock(v, name, PASS_SUP, strlen(PASS_SUP))) != ST_OK) {
		fprintf(stderr, "reader: %s\n", vault_errmsg(v));
		_exit(10 + (int)st);
	}
	barrier(s);
	while (poll(&pfd, 1, 0) == 0) {
		if ((st = vault_record_list(v, &ids, &n)) != ST_OK) {
			fprintf(stderr, "reader: %s\n", vault_errmsg(v));
			_exit(10 + (int)st);
		}
		/* A few of the listed records, newest and oldest, must open. */
		for (size_t k = 0; k < n && k < 3; k++) {
			size_t len;

			st = vault_record_get(v, &ids[k], &json, &len);
			if (st == ST_OK)
				vault_plain_free(json, len);
			st = st == ST_OK ? vault_record_get(v, &ids[n - 1 - k], &json, &len) : st;
			if (st != ST_OK) {
				fprintf(stderr, "reader: %s\n", vault_errmsg(v));
				_exit(10 + (int)st);
			}
			vault_plain_free(json, len);
		}
		free(ids);
		seen = 0;
		if ((st = vault_summary_scan(v, count_ok, &seen)) != ST_OK) {
			fprintf(stderr, "reader: %s\n", vault_errmsg(v));
			_exit(10 + (int)st);
		}
		if (seen < n)           /* the scan's snapshot is newer: never fewer */
			_exit(4);
	}
	vault_close(v);
	_exit(0);
}

/* ---- the parent's checks ----------------------------------------------------- */

static void
expect_exit(pid_t pid, int want_killed, const char *who)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (want_killed) {
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("%s was to be killed but ended with %s %d", who,
			    WIFEXITED(status) ? "exit" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s ended with %s %d", who, WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static size_t
lines_in(const char *path)
{
	size_t len = 0, n = 0;
	char *s = tu_slurp(path, &len);

	for (size_t i = 0; s != NULL && i < len; i++)
		n += s[i] == '\n';
	free(s);
	return n;
}

/* Output of `mdb_stat -r DIR`: the reader table. */
static void
reader_table(const struct run *r, char *out, size_t len)
{
	char cmd[4300];
	size_t got;
	FILE *p;

	PATH_FMT(cmd, "mdb_stat -r '%s' 2>&1", r->dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	got = fread(out, 1, len - 1, p);
	out[got] = '\0';
	/* mdb_stat -r exits 1 even on success (it returns what fputs
	 * returned); its header shows that it ran. */
	pclose(p);
	if (strstr(out, "Reader Table Status") == NULL)
		fail_msg("mdb_stat -r did not run: %s", out);
}

struct tally {
	unsigned char seen[WRITERS][PER_WRITER];
	size_t total, bad;
};

static int
tally_one(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct tally *t = ctx;
	json_t *o;
	int w, n;

	(void)id;
	if (st != ST_OK) {
		t->bad++;
		return 0;
	}
	o = json_loadb(json, len, 0, NULL);
	w = o ? (int)json_integer_value(json_object_get(o, "writer")) : -1;
	n = o ? (int)json_integer_value(json_object_get(o, "n")) : -1;
	json_decref(o);
	if (w < 0 || w >= WRITERS || n < 0 || n >= PER_WRITER) {
		t->bad++;
		return 0;
	}
	t->seen[w][n]++;
	t->total++;
	return 0;
}

static void
ignore_problem(void *ctx, const char *problem)
{
	(void)ctx;
	print_error("verify: %s\n", problem);
}

/* Every id a writer wrote down is in the vault and opens; returns how many
 * the files name. */
static size_t
check_committed(struct vault *v, const struct run *r)
{
	char hex[2 * VAULT_ID_BYTES + 1];
	struct record_id id;
	size_t total = 0;
	char *json;
	size_t len;
	int n;

	for (int i = 0; i < WRITERS; i++) {
		FILE *f = fopen(r->ids[i], "r");

		assert_non_null(f);
		while (fscanf(f, "%32s %d\n", hex, &n) == 2) {
			if (strlen(hex) != 2 * VAULT_ID_BYTES)
				break;          /* a line cut short by SIGKILL */
			assert_int_equal(crypto_hex2bin(id.b, VAULT_ID_BYTES, hex), ST_OK);
			if (vault_record_get(v, &id, &json, &len) != ST_OK)
				fail_msg("writer %d's record %d (%s), committed, is lost: %s", i, n, hex,
				    vault_errmsg(v));
			vault_plain_free(json, len);
			total++;
		}
		fclose(f);
	}
	return total;
}

/* Runs writers and readers, all starting together once every one is
 * unlocked; kills writer 0 and reader 0 when writer 0 has saved a quarter of
 * its records, if `kill_one`. */
static void
run_all(struct run *r, int kill_one)
{
	pid_t writers[WRITERS], readers[READERS];
	int stop[2], up[2], go[2], ready[2];
	struct sync sy;
	char byte;

	assert_int_equal(pipe(stop), 0);
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	fflush(NULL);
	for (int j = 0; j < READERS + WRITERS; j++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			int w = j - READERS;

			close(stop[1]);
			close(up[0]);
			close(go[1]);
			close(ready[0]);
			sy.up = up[1];
			sy.go = go[0];
			sy.notify = w == 0 && kill_one ? ready[1] : -1;
			if (sy.notify < 0)
				close(ready[1]);
			if (w < 0)
				reader(r, j, stop[0], &sy);
			close(stop[0]);
			writer(r, w, &sy);
		}
		if (j < READERS)
			readers[j] = pid;
		else
			writers[j - READERS] = pid;
	}
	close(stop[0]);
	close(up[1]);
	close(go[0]);
	close(ready[1]);
	for (int j = 0; j < READERS + WRITERS; j++)
		assert_int_equal(read(up[0], &byte, 1), 1);
	close(up[0]);
	close(go[1]);           /* all start at once */
	/* Writer 0's byte comes while it still has most of its records to
	 * save, each queued behind fifteen other writers: the kill lands in
	 * the middle of its run. */
	if (kill_one) {
		assert_int_equal(read(ready[0], &byte, 1), 1);
		kill(writers[0], SIGKILL);
		kill(readers[0], SIGKILL);
	}
	close(ready[0]);
	for (int i = 0; i < WRITERS; i++)
		expect_exit(writers[i], kill_one && i == 0, "a writer");
	close(stop[1]);
	for (int j = 0; j < READERS; j++)
		expect_exit(readers[j], kill_one && j == 0, "a reader");
}

static void
sixteen_writers_four_readers(void **state)
{
	struct run *r = *state;
	struct vault_verify_counts counts;
	struct tally *t = calloc(1, sizeof *t);
	char table[4096], name[16], *json;
	struct record_id *drafts;
	struct vault *v;
	size_t n, len;

	assert_non_null(t);
	run_all(r, 0);
	/* Before anything opens the vault again: no reader left behind. */
	reader_table(r, table, sizeof table);
	if (strstr(table, "(no active readers)") == NULL)
		fail_msg("stale readers after every process ended:\n%s", table);

	v = vault_new();
	assert_int_equal(vault_open(v, r->dir), ST_OK);
	assert_int_equal(vault_unlock(v, "sup", PASS_SUP, strlen(PASS_SUP)), ST_OK);
	assert_int_equal(vault_record_scan(v, tally_one, t), ST_OK);
	assert_int_equal(t->bad, 0);
	assert_int_equal(t->total, WRITERS * PER_WRITER);
	for (int i = 0; i < WRITERS; i++)
		for (int k = 0; k < PER_WRITER; k++)
			if (t->seen[i][k] != 1)
				fail_msg("writer %d's record %d is there %d times", i, k, t->seen[i][k]);
	assert_int_equal(check_committed(v, r), WRITERS * PER_WRITER);
	/* One draft per interviewer, and it is their own last one. */
	assert_int_equal(vault_verify(v, NULL, ignore_problem, NULL, &counts), ST_OK);
	assert_int_equal(counts.drafts, WRITERS);
	assert_int_equal(counts.records, WRITERS * PER_WRITER);
	for (int i = 0; i < WRITERS; i += 5) {
		char want[64];

		snprintf(name, sizeof name, "w%02d", i);
		assert_int_equal(vault_unlock(v, name, PASS_W, strlen(PASS_W)), ST_OK);
		assert_int_equal(vault_draft_list(v, &drafts, &n), ST_OK);
		assert_int_equal(n, 1);
		assert_int_equal(vault_draft_get(v, &drafts[0], &json, &len), ST_OK);
		snprintf(want, sizeof want, "{\"writer\":%d,\"n\":%d,", i, PER_WRITER - 1);
		assert_memory_equal(json, want, strlen(want));
		vault_plain_free(json, len);
		free(drafts);
	}
	vault_close(v);
	free(t);
}

static void
killed_writer_loses_nothing_of_others(void **state)
{
	struct run *r = *state;
	struct vault_verify_counts counts;
	struct tally *t = calloc(1, sizeof *t);
	char table[4096];
	struct vault *v;
	size_t committed, killed_lines;

	assert_non_null(t);
	run_all(r, 1);
	killed_lines = lines_in(r->ids[0]);
	assert_true(killed_lines >= PER_WRITER / 4 && killed_lines < PER_WRITER);

	/* Opening clears whatever the killed processes left in the reader
	 * table, and the writer lock was recovered: the others finished. */
	v = vault_new();
	assert_int_equal(vault_open(v, r->dir), ST_OK);
	reader_table(r, table, sizeof table);
	if (strstr(table, "(no active readers)") == NULL)
		fail_msg("readers left after opening:\n%s", table);
	assert_int_equal(vault_unlock(v, "sup", PASS_SUP, strlen(PASS_SUP)), ST_OK);
	committed = check_committed(v, r);
	assert_int_equal(vault_record_scan(v, tally_one, t), ST_OK);
	assert_int_equal(t->bad, 0);
	for (int i = 1; i < WRITERS; i++)
		for (int k = 0; k < PER_WRITER; k++)
			if (t->seen[i][k] != 1)
				fail_msg("writer %d's record %d is there %d times", i, k, t->seen[i][k]);
	/* The killed writer may have committed one record it had no time to
	 * write down; nothing is there twice. */
	assert_true(t->total == committed || t->total == committed + 1);
	for (int k = 0; k < PER_WRITER; k++)
		assert_true(t->seen[0][k] <= 1);
	assert_int_equal(vault_verify(v, NULL, ignore_problem, NULL, &counts), ST_OK);
	assert_int_equal(counts.records, t->total);
	vault_close(v);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sixteen_writers_four_readers, setup, teardown),
		cmocka_unit_test_setup_teardown(killed_writer_loses_nothing_of_others, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
