/*
 * bench_concurrency.c — durable saves per second with 1, 4 and 16 intake
 * processes saving at once into one vault, as interviewers on a shelter
 * server do. Each save is one write transaction (record, summary and its
 * audit entry) committed with fsync; LMDB runs one writer at a time, so the
 * figure to watch is how total throughput and each writer's wait change as
 * writers are added. Runs where TMPDIR points (a real disk, normally) and,
 * for comparison, in /dev/shm when there is one. Prints figures only.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vault.h"

#define PASS        "benchmark passphrase"
#define TOTAL_SAVES 1600
#define RECORD_SIZE 2048

static const struct vault_kdf fast = { 1, 8 };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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

/* One writer: unlocks as its own user and saves n records. */
static void
writer(const char *dir, int i, int n)
{
	char name[16], rec[RECORD_SIZE + 1];
	struct record_id id;
	struct vault *v = vault_new();

	snprintf(name, sizeof name, "w%02d", i);
	memset(rec, 'x', RECORD_SIZE);
	memcpy(rec, "{\"a\":\"", 6);
	memcpy(rec + RECORD_SIZE - 2, "\"}", 2);
	rec[RECORD_SIZE] = '\0';
	if (v == NULL || vault_open(v, dir) != ST_OK ||
	    vault_unlock(v, name, PASS, strlen(PASS)) != ST_OK)
		_exit(2);
	for (int k = 0; k < n; k++)
		if (vault_record_put(v, rec, RECORD_SIZE, "{\"s\":1}", 7, &id) != ST_OK) {
			fprintf(stderr, "bench: %s\n", vault_errmsg(v));
			_exit(3);
		}
	vault_close(v);
	_exit(0);
}

static double one_writer;

static int
run(const char *base, int writers)
{
	char dir[4096], name[16];
	struct vault *v;
	pid_t pids[16];
	double t0, ms;
	int per = TOTAL_SAVES / writers, status, failed = 0;

	if ((size_t)snprintf(dir, sizeof dir, "%s/intake-bench-conc.XXXXXX", base) >= sizeof dir ||
	    mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench: cannot make a directory under %s: %s\n", base, strerror(errno));
		return -1;
	}
	if (strlen(dir) + 7 >= sizeof dir)
		return -1;
	strcat(dir, "/vault");
	v = vault_new();
	if (v == NULL || vault_create(v, dir, "sup", PASS, strlen(PASS), &fast) != ST_OK)
		return -1;
	for (int i = 0; i < writers; i++) {
		snprintf(name, sizeof name, "w%02d", i);
		if (vault_user_add(v, name, ROLE_INTERVIEWER, PASS, strlen(PASS), &fast) != ST_OK)
			return -1;
	}
	vault_close(v);
	fflush(NULL);
	t0 = now_ms();
	for (int i = 0; i < writers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return -1;
		if (pids[i] == 0)
			writer(dir, i, per);
	}
	for (int i = 0; i < writers; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	ms = now_ms() - t0;
	dir[strlen(dir) - 6] = '\0';
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (failed) {
		fprintf(stderr, "bench: a writer failed\n");
		return -1;
	}
	/* The wall time includes each process's open and unlock (8 MiB
	 * Argon2id here), small beside the saves. */
	printf("  %2d writer%s x %4d saves: %6.0f saves/s in all, %6.2f ms per save "
	    "as each writer sees it\n", writers, writers == 1 ? " " : "s", per,
	    writers * per / (ms / 1e3), ms / per);
	/* The table's baseline: one writer, same place, same run. */
	if (writers == 1)
		one_writer = writers * per / (ms / 1e3);
	else
		printf("BENCH %d processes saving at once in %s|%.0f|saves/s|1 writer %.0f saves/s|"
		    "%.2f|at least 1 writer's rate\n", writers, base, writers * per / (ms / 1e3),
		    one_writer, one_writer > 0 ? writers * per / (ms / 1e3) / one_writer : 0.0);
	return 0;
}

int
main(void)
{
	static const int counts[] = { 1, 4, 16 };
	const char *tmp = getenv("TMPDIR");
	struct stat sb;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	printf("== bench_concurrency\n");
	printf("durable saves of %d B records (+ summary + audit entry), %d per run, in %s:\n",
	    RECORD_SIZE, TOTAL_SAVES, tmp);
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		if (run(tmp, counts[i]) != 0)
			return 1;
	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0) {
		printf("the same in /dev/shm (tmpfs: fsync costs nothing; the rest of a save):\n");
		for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
			if (run("/dev/shm", counts[i]) != 0)
				return 1;
	}
	return 0;
}
