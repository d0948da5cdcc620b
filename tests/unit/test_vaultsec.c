/*
 * test_vaultsec.c — attacks on the vault from people who share its machine:
 * files of the vault replaced by links to a victim's files, Argon2id limits
 * edited in a user entry, and guessing that would keep a user out.
 *
 * Small Argon2id limits keep the tests fast; "attacker" edits go through
 * plain LMDB calls or file operations on a closed vault.
 */
#include "testutil.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <lmdb.h>
#include "audit.h"
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

#define PASS_A "alice passphrase 1"
#define PASS_N "ana passphrase 22"


#define assert_msg_has(v, needle) do {                                        \
	if (strstr(vault_errmsg(v), (needle)) == NULL)                            \
		fail_msg("message \"%s\" lacks \"%s\"", vault_errmsg(v), (needle));   \
} while (0)

struct fx {
	char *tmp;
	char dir[4096];
	char victim[4096];
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct vault *v = vault_new();

	assert_non_null(f);
	assert_non_null(v);
	f->tmp = tu_tmpdir("vaultsec");
	PATH_FMT(f->dir, "%s/vault", f->tmp);
	PATH_FMT(f->victim, "%s/victim.txt", f->tmp);
	if (vault_create(v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast) != ST_OK) {
		print_error("create: %s\n", vault_errmsg(v));
		return -1;
	}
	assert_ok(v, vault_user_add(v, "ana", ROLE_SUPERVISOR, PASS_N, strlen(PASS_N), NULL));
	vault_close(v);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* ---- files of the vault replaced by links ------------------------------- */

#define VICTIM_TEXT "the victim's own notes, which must survive\n"

static void
victim_make(const struct fx *f)
{
	FILE *fp = fopen(f->victim, "w");

	assert_non_null(fp);
	fputs(VICTIM_TEXT, fp);
	fclose(fp);
	assert_int_equal(chmod(f->victim, 0640), 0);
}

/* The victim's file has its content and mode untouched. */
static void
victim_intact(const struct fx *f)
{
	struct stat sb;
	size_t len = 0;
	char *text = tu_slurp(f->victim, &len);

	assert_non_null(text);
	assert_int_equal(len, strlen(VICTIM_TEXT));
	assert_memory_equal(text, VICTIM_TEXT, len);
	free(text);
	assert_int_equal(stat(f->victim, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
}

static void
lock_symlink_refused(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char lock[4200];

	victim_make(f);
	PATH_FMT(lock, "%s/lock.mdb", f->dir);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(symlink(f->victim, lock), 0);
	assert_st(v, vault_open(v, f->dir), ST_TAMPERED);
	assert_msg_has(v, "lock.mdb is a symbolic link");
	assert_msg_has(v, f->victim);
	vault_close(v);
	victim_intact(f);
	/* With the link gone the vault opens again, a fresh lock.mdb made. */
	assert_int_equal(unlink(lock), 0);
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	assert_ok(v, vault_unlock(v, "alice", PASS_A, strlen(PASS_A)));
	vault_close(v);
}

static void
data_symlink_refused(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char data[4200], moved[4200];

	victim_make(f);
	PATH_FMT(data, "%s/data.mdb", f->dir);
	PATH_FMT(moved, "%s/data.real", f->tmp);
	assert_int_equal(rename(data, moved), 0);
	assert_int_equal(symlink(f->victim, data), 0);
	assert_st(v, vault_open(v, f->dir), ST_TAMPERED);
	assert_msg_has(v, "data.mdb is a symbolic link");
	vault_close(v);
	victim_intact(f);
	/* A link to a real vault file is refused as well: LMDB must only ever
	 * write where the check looked. */
	assert_int_equal(unlink(data), 0);
	assert_int_equal(symlink(moved, data), 0);
	v = vault_new();
	assert_st(v, vault_open(v, f->dir), ST_TAMPERED);
	assert_msg_has(v, "symbolic link");
	vault_close(v);
}

static void
lock_hardlink_refused(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char lock[4200];

	victim_make(f);
	PATH_FMT(lock, "%s/lock.mdb", f->dir);
	assert_int_equal(unlink(lock), 0);
	if (link(f->victim, lock) != 0) {
		vault_close(v);
		skip();   /* a file system without hard links */
	}
	assert_st(v, vault_open(v, f->dir), ST_TAMPERED);
	assert_msg_has(v, "hard links");
	vault_close(v);
	victim_intact(f);
}

static void
lock_of_other_user_refused(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();
	char lock[4200];

	if (geteuid() != 0) {
		vault_close(v);
		print_message("# skipped: giving a file to another user needs root\n");
		skip();
	}
	PATH_FMT(lock, "%s/lock.mdb", f->dir);
	assert_int_equal(chown(lock, 65534, 65534), 0);
	assert_int_equal(chmod(lock, 0644), 0);
	assert_st(v, vault_open(v, f->dir), ST_TAMPERED);
	assert_msg_has(v, "belongs to user 65534");
	vault_close(v);
	/* Nothing changed the other user's file. */
	{
		struct stat sb;

		assert_int_equal(stat(lock, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0644);
		assert_int_equal(sb.st_uid, 65534);
	}
}

/* ---- edited Argon2id limits ------------------------------------------------ */

static MDB_env *
raw_open(const char *dir)
{
	MDB_env *env;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	return env;
}

/* Adds delta to the big-endian u64 at off in the users entry of name. */
static void
raw_user_add64(const char *dir, const char *name, size_t off, uint64_t delta)
{
	MDB_env *env = raw_open(dir);
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(name), (void *)(uintptr_t)name }, d;
	unsigned char buf[1024];
	uint64_t x = 0;

	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "users", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	assert_true(d.mv_size <= sizeof buf && off + 8 <= d.mv_size);
	memcpy(buf, d.mv_data, d.mv_size);
	for (int i = 0; i < 8; i++)
		x = x << 8 | buf[off + i];
	x += delta;
	for (int i = 7; i >= 0; i--, x >>= 8)
		buf[off + i] = (unsigned char)x;
	d.mv_data = buf;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

#define USER_OFF_OPS 4
#define USER_OFF_MEM 12

static void
edited_limits_are_tampering(void **state)
{
	struct fx *f = *state;
	struct vault *v = vault_new();

	/* ops edited: the right passphrase is told apart from a wrong one. */
	raw_user_add64(f->dir, "ana", USER_OFF_OPS, 1);
	assert_ok(v, vault_open(v, f->dir));
	assert_st(v, vault_unlock(v, "ana", PASS_N, strlen(PASS_N)), ST_TAMPERED);
	assert_msg_has(v, "user ana");
	assert_msg_has(v, "Argon2id");
	/* A wrong passphrase on the edited entry is still only that. */
	assert_st(v, vault_unlock(v, "ana", "not the passphrase", 18), ST_AUTH);
	vault_close(v);

	/* memory edited, ops put back. */
	raw_user_add64(f->dir, "ana", USER_OFF_OPS, (uint64_t)-1);
	raw_user_add64(f->dir, "ana", USER_OFF_MEM, 8);
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	assert_st(v, vault_unlock(v, "ana", PASS_N, strlen(PASS_N)), ST_TAMPERED);
	assert_msg_has(v, "user ana");
	vault_close(v);

}


/* ---- guessing in someone's name ------------------------------------------------- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct failures {
	uint32_t count;             /* failed unlocks of ana in the trail */
	uint64_t first, last;       /* their times (s) */
	int with_account;           /* an entry names the OS account */
};

static int
note_failure(void *ctx, enum status st, const struct audit_entry *e)
{
	struct failures *fl = ctx;

	if (st != ST_OK || e->action != AUDIT_UNLOCK_FAILED || strcmp(e->user, "ana") != 0)
		return 0;
	if (fl->count == 0 || e->since < fl->first)
		fl->first = e->since;
	if (e->time > fl->last)
		fl->last = e->time;
	fl->count += e->count;
	if (strstr(e->reason, "uid") != NULL)
		fl->with_account = 1;
	return 0;
}

/* Bytes available on a non-blocking pipe: one per failed guess. */
static size_t
drain(int fd)
{
	char buf[256];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		total += (size_t)n;
	return total;
}

/* An attacker loops wrong passphrases in ana's name as fast as the vault
 * answers, from the same OS account (the tests run as one uid), while ana
 * unlocks with hers: her turn must come within a few of the attacker's, and
 * the guesses must be in the audit trail afterwards. */
static void
guessing_never_keeps_the_user_out(void **state)
{
	struct fx *f = *state;
	struct failures fl = { 0 };
	struct vault *v;
	enum status st = ST_BUSY;
	uint64_t start, deadline;
	size_t before = 0, during = 0;
	int report[2], status;
	pid_t attacker;

	assert_int_equal(pipe(report), 0);
	fflush(NULL);
	attacker = fork();
	assert_true(attacker >= 0);
	if (attacker == 0) {
		struct vault *av = vault_new();

		close(report[0]);
		if (av == NULL || vault_open(av, f->dir) != ST_OK)
			_exit(100);
		for (;;) {
			/* A tight loop: no pause, whatever the answer. */
			if (vault_unlock(av, "ana", "a wrong guess 123", 17) == ST_AUTH &&
			    write(report[1], "x", 1) != 1)
				_exit(101);
		}
	}
	close(report[1]);
	/* Let the attacker run up a streak: four failures, waits begun. */
	deadline = now_ms() + 30000;
	while (before < 4 && now_ms() < deadline) {
		char c;

		if (read(report[0], &c, 1) == 1)
			before++;
	}
	assert_int_equal(before, 4);
	assert_int_equal(fcntl(report[0], F_SETFL, O_NONBLOCK), 0);
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	/* ana tries now and then, as a person (or the CLI and the TUI, which
	 * wait vault_unlock_wait_ms) would. The deadline only stops a test
	 * that would otherwise never end. */
	start = now_ms();
	deadline = start + 45000;
	while (now_ms() < deadline) {
		st = vault_unlock(v, "ana", PASS_N, strlen(PASS_N));
		if (st != ST_BUSY)
			break;
		sleep_ms(100);
	}
	during = drain(report[0]);
	kill(attacker, SIGKILL);
	assert_int_equal(waitpid(attacker, &status, 0), attacker);
	close(report[0]);
	print_message("# ana's unlock ended (%s) after %.1f s; the attacker failed %zu times "
	    "before it and %zu times during it\n", status_str(st),
	    (double)(now_ms() - start) / 1000, before, during);
	if (st != ST_OK)
		fail_msg("ana never got in (%s): %s", status_str(st), vault_errmsg(v));
	/* Turns are served in order: ana's came after at most the attacker's
	 * turns already given out, not after every one he asked for. */
	assert_true(during <= 3);
	assert_ok(v, audit_list(v, NULL, note_failure, &fl));
	assert_true(fl.count >= before);
	assert_true(fl.with_account);
	vault_close(v);
}

/* Failures are written when they happen, before anyone succeeds, and reach
 * the trail with their own times. */
static void
failures_are_kept_with_their_times(void **state)
{
	struct fx *f = *state;
	struct failures fl = { 0 };
	struct vault *v = vault_new();
	uint64_t t0 = (uint64_t)time(NULL), t1;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_stat ms;

	assert_ok(v, vault_open(v, f->dir));
	assert_st(v, vault_unlock(v, "ana", "a wrong guess 123", 17), ST_AUTH);
	assert_st(v, vault_unlock(v, "ana", "a wrong guess 456", 17), ST_AUTH);
	t1 = (uint64_t)time(NULL);
	vault_close(v);
	/* On disk at once, with nobody unlocked: two rows. */
	env = raw_open(f->dir);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "unlock_failures", 0, &dbi), 0);
	assert_int_equal(mdb_stat(txn, dbi, &ms), 0);
	assert_int_equal(ms.ms_entries, 2);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	/* The next supervisor's unlock puts them into the trail. */
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	assert_ok(v, vault_unlock(v, "alice", PASS_A, strlen(PASS_A)));
	assert_ok(v, audit_list(v, NULL, note_failure, &fl));
	assert_int_equal(fl.count, 2);
	assert_true(fl.first >= t0 && fl.first <= t1);
	assert_true(fl.last >= fl.first && fl.last <= t1);
	assert_true(fl.with_account);
	vault_close(v);
}

/* Guessing from another OS account paces that account only: ana, from hers,
 * gets in at once, and the guesses are in the trail with their account. */
static void
other_accounts_do_not_delay(void **state)
{
	struct fx *f = *state;
	struct failures fl = { 0 };
	struct vault *v;
	char path[4200];
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		print_message("# skipped: guessing from another account needs root to switch\n");
		skip();
	}
	/* Let uid 65534 reach the vault, as a member of its group would. */
	assert_int_equal(chmod(f->tmp, 0755), 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	PATH_FMT(path, "%s/data.mdb", f->dir);
	assert_int_equal(chmod(path, 0666), 0);
	PATH_FMT(path, "%s/lock.mdb", f->dir);
	assert_int_equal(chmod(path, 0666), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct vault *cv;
		int failed = 0;

		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(100);
		if ((cv = vault_new()) == NULL || vault_open(cv, f->dir) != ST_OK)
			_exit(101);
		/* Three failures, then a fourth that must wait its turn. */
		for (int i = 0; i < 3; i++)
			if (vault_unlock(cv, "ana", "a wrong guess 123", 17) == ST_AUTH)
				failed++;
		_exit(failed == 3 && vault_unlock(cv, "ana", "a wrong guess 123", 17) == ST_BUSY ?
		    0 : 102);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	assert_ok(v, vault_unlock(v, "ana", PASS_N, strlen(PASS_N)));
	assert_ok(v, audit_list(v, NULL, note_failure, &fl));
	assert_int_equal(fl.count, 3);
	assert_true(fl.with_account);
	vault_close(v);
}

/* A vault of an earlier intake keeps counters keyed by the name alone (u32
 * streak | u32 failures not reported | u64 first of those, s | u64 last,
 * ms): the next unlock reports them and drops the old entry. */
static void
earlier_counters_are_reported(void **state)
{
	struct fx *f = *state;
	struct failures fl = { 0 };
	unsigned char val[24] = { 0 };
	uint32_t since;
	struct vault *v;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 3, (void *)(uintptr_t)"ana" }, d = { sizeof val, val };

	val[3] = 2;                                 /* streak 2 */
	val[7] = 2;                                 /* 2 not reported */
	/* since: a moment after the vault was made (an earlier time could not
	 * be true, and is raised to the vault's creation when reported). */
	since = (uint32_t)time(NULL);
	val[12] = (unsigned char)(since >> 24);
	val[13] = (unsigned char)(since >> 16);
	val[14] = (unsigned char)(since >> 8);
	val[15] = (unsigned char)since;
	env = raw_open(f->dir);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "attempts", MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	/* The old streak no longer holds anyone up. */
	assert_ok(v, vault_unlock(v, "ana", PASS_N, strlen(PASS_N)));
	assert_ok(v, audit_list(v, NULL, note_failure, &fl));
	assert_int_equal(fl.count, 2);
	assert_int_equal(fl.first, since);
	vault_close(v);
	env = raw_open(f->dir);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "attempts", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), MDB_NOTFOUND);
	mdb_txn_abort(txn);
	mdb_env_close(env);
}

/* Turns booked and abandoned (a loop that kills each try before Argon2id,
 * as `timeout` does) never push the rightful user's turn past a minute. */
static void
abandoned_turns_wait_at_most_a_minute(void **state)
{
	struct fx *f = *state;
	struct vault *v;
	enum status st;

	for (int i = 0; i < 40; i++) {
		v = vault_new();
		assert_ok(v, vault_open(v, f->dir));
		st = vault_unlock(v, "ana", "a wrong guess 123", 17);
		assert_true(st == ST_AUTH || st == ST_BUSY);
		vault_close(v);         /* a turn for later is abandoned */
	}
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	st = vault_unlock(v, "ana", PASS_N, strlen(PASS_N));
	assert_int_equal(st, ST_BUSY);
	if (vault_unlock_wait_ms(v) > 60u * 1000)
		fail_msg("after 40 abandoned turns the user waits %llu ms: %s",
		    (unsigned long long)vault_unlock_wait_ms(v), vault_errmsg(v));
	vault_close(v);
}

/* Rows planted in the plain failures table (anyone who can write the files
 * can) reach the trail only as what they could truthfully be: no name with
 * escape or bidi characters, no time before the vault existed. */
struct planted {
	int seen, clean_name;
	uint64_t earliest;
};

static int
note_planted(void *ctx, enum status st, const struct audit_entry *e)
{
	struct planted *p = ctx;

	if (st != ST_OK || e->action != AUDIT_UNLOCK_FAILED)
		return 0;
	p->seen++;
	p->clean_name = strcmp(e->user, "(invalid name)") == 0;
	p->earliest = e->since < e->time ? e->since : e->time;
	return 0;
}

static void
planted_failures_are_not_trusted(void **state)
{
	struct fx *f = *state;
	static char name[] = "ana\xe2\x80\xae\x1b[2Jzz";
	unsigned char key[16] = { 0 };
	struct planted p = { 0, 0, 0 };
	uint64_t t0 = (uint64_t)time(NULL) - 3600, ms = 1577836800000ull;   /* 2020 */
	struct vault *v;
	MDB_val k = { sizeof key, key }, d = { sizeof name - 1, name };
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;

	for (int i = 0; i < 8; i++)
		key[i] = (unsigned char)(ms >> (56 - 8 * i));
	key[15] = 1;
	env = raw_open(f->dir);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "unlock_failures", MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	v = vault_new();
	assert_ok(v, vault_open(v, f->dir));
	assert_ok(v, vault_unlock(v, "alice", PASS_A, strlen(PASS_A)));
	assert_ok(v, audit_list(v, NULL, note_planted, &p));
	assert_int_equal(p.seen, 1);
	assert_true(p.clean_name);
	if (p.earliest < t0)
		fail_msg("a planted row dated the trail back to %llu", (unsigned long long)p.earliest);
	vault_close(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lock_symlink_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(data_symlink_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(lock_hardlink_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(lock_of_other_user_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(edited_limits_are_tampering, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(guessing_never_keeps_the_user_out, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(failures_are_kept_with_their_times, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(other_accounts_do_not_delay, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(abandoned_turns_wait_at_most_a_minute, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(planted_failures_are_not_trusted, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(earlier_counters_are_reported, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
