/*
 * test_backup.c — vault_backup(): a copy taken while another process keeps
 * saving records opens as a vault, and every record in it decrypts.
 */
#include "testutil.h"
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "vault.h"

#define PASS "backup test passphrase"
#define RECORD "{\"answers\":{\"note\":\"a record saved while the backup ran\"}}"

static const struct vault_kdf fast = { 1, 8 };

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

struct tally {
	size_t ok, bad;
};

static int
count_one(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct tally *t = ctx;

	(void)id;
	if (st == ST_OK && len == strlen(RECORD) && memcmp(json, RECORD, len) == 0)
		t->ok++;
	else
		t->bad++;
	return 0;
}

static struct tally
scan_all(const char *dir)
{
	struct vault *v = vault_new();
	struct tally t = { 0, 0 };

	assert_int_equal(vault_open(v, dir), ST_OK);
	assert_int_equal(vault_unlock(v, "sup", PASS, strlen(PASS)), ST_OK);
	assert_int_equal(vault_record_scan(v, count_one, &t), ST_OK);
	vault_close(v);
	return t;
}

/* The writer: its own handle, opened after the fork; saves records until
 * killed, telling the parent through the pipe after each of the first 50. */
static void
writer(const char *dir, int wfd)
{
	struct vault *v = vault_new();
	struct record_id id;

	if (vault_open(v, dir) != ST_OK || vault_unlock(v, "sup", PASS, strlen(PASS)) != ST_OK)
		_exit(2);
	for (int i = 0; ; i++) {
		if (vault_record_put(v, RECORD, strlen(RECORD), NULL, 0, &id) != ST_OK)
			_exit(3);
		if (i < 50 && write(wfd, "x", 1) != 1)
			_exit(4);
	}
}

static void
test_backup_while_writing(void **state)
{
	char *tmp = tu_tmpdir("backup");
	char dir[4096], dest[4096], data[4096];
	struct vault *v;
	struct tally before, copy, after;
	struct stat sb;
	int p[2], status;
	pid_t pid;
	char c;

	(void)state;
	PATH_FMT(dir, "%s/vault", tmp);
	PATH_FMT(dest, "%s/copy", tmp);
	v = vault_new();
	vault_set_shared(v, 1);
	assert_int_equal(vault_create(v, dir, "sup", PASS, strlen(PASS), &fast), ST_OK);
	vault_close(v);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		writer(dir, p[1]);
	}
	close(p[1]);
	for (int i = 0; i < 50; i++)
		assert_int_equal(read(p[0], &c, 1), 1);
	before = scan_all(dir);
	/* The writer is still saving while the copy is taken. */
	v = vault_new();
	assert_int_equal(vault_open(v, dir), ST_OK);
	assert_int_equal(vault_backup(v, dest), ST_OK);
	vault_close(v);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	after = scan_all(dir);
	copy = scan_all(dest);
	assert_int_equal(copy.bad, 0);
	assert_true(copy.ok >= before.ok);
	assert_true(copy.ok <= after.ok);
	assert_true(before.ok >= 50);
	/* Private, whatever the vault's own sharing. */
	assert_int_equal(stat(dest, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	PATH_FMT(data, "%s/data.mdb", dest);
	assert_int_equal(stat(data, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	tu_rmtree(tmp);
	free(tmp);
}

static void
test_backup_never_overwrites(void **state)
{
	char *tmp = tu_tmpdir("backup");
	char dir[4096], dest[4096], file[4096], again[4096];
	struct vault *v = vault_new();
	struct record_id id;
	FILE *f;

	(void)state;
	PATH_FMT(dir, "%s/vault", tmp);
	PATH_FMT(dest, "%s/old", tmp);
	PATH_FMT(file, "%s/old/keep", tmp);
	assert_int_equal(vault_create(v, dir, "sup", PASS, strlen(PASS), &fast), ST_OK);
	assert_int_equal(vault_record_put(v, RECORD, strlen(RECORD), NULL, 0, &id), ST_OK);
	/* A directory with something in it is refused, and left alone. */
	assert_int_equal(mkdir(dest, 0755), 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(vault_backup(v, dest), ST_EXISTS);
	assert_non_null(strstr(vault_errmsg(v), "not empty"));
	assert_int_equal(access(file, F_OK), 0);
	assert_int_equal(vault_backup(v, file), ST_EXISTS);
	/* An empty one is fine; a restore is a backup of the backup. */
	unlink(file);
	assert_int_equal(vault_backup(v, dest), ST_OK);
	vault_close(v);
	v = vault_new();
	PATH_FMT(again, "%s/restored", tmp);
	assert_int_equal(vault_open(v, dest), ST_OK);
	assert_int_equal(vault_backup(v, again), ST_OK);
	vault_close(v);
	assert_int_equal(scan_all(again).ok, 1);
	/* Missing parents are made, private; a parent that is a file is not. */
	v = vault_new();
	PATH_FMT(again, "%s/new/parents/copy", tmp);
	assert_int_equal(vault_open(v, dir), ST_OK);
	assert_int_equal(vault_backup(v, again), ST_OK);
	PATH_FMT(again, "%s/new", tmp);
	{
		struct stat sb;

		assert_int_equal(stat(again, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0700);
	}
	PATH_FMT(again, "%s/vault/data.mdb/copy", tmp);
	assert_int_equal(vault_backup(v, again), ST_IO);
	vault_close(v);
	assert_int_equal(scan_all(dir).ok, 1);
	tu_rmtree(tmp);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_while_writing),
		cmocka_unit_test(test_backup_never_overwrites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
