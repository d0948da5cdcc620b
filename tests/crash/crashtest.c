/*
 * crashtest.c — kill a writer at random instants and check what survives.
 *
 * usage: crashtest [KILLS [SEED]]   (KILLS 500, SEED from the clock)
 *
 * A child opens the vault, unlocks it and saves in a loop through the real
 * code: vault_record_put, record_save (an interview from the bundled short
 * form), vault_record_replace, vault_draft_put, vault_draft_delete. After
 * each call has returned success, and only then, it writes one line naming
 * what is now durable into a pipe (one write(2) of less than PIPE_BUF bytes,
 * so a line arrives whole or not at all). The parent SIGKILLs the child at a
 * random instant, mostly 1-30 ms into its saves, sometimes while it is still
 * opening, then opens the vault itself and checks:
 *  - the vault opens and unlocks;
 *  - every record reported as saved is there and decrypts to exactly what
 *    was saved (records saved but killed before the report must be whole
 *    too), a replaced record is at its last reported version or later, and
 *    its earlier versions are kept;
 *  - every draft reported decrypts, at its last reported version or later;
 *  - vault_verify() finds nothing wrong: every item opens in its own slot
 *    and the audit trail is whole and agrees with what is stored (and, with
 *    INTAKE set to the program, `intake verify` says so every 50 kills and
 *    at the end);
 *  - no reader slot of the killed child is left after open (mdb_stat -r).
 * A bystander process keeps the vault open throughout, as another user of a
 * shared server would: otherwise LMDB resets its reader table whenever the
 * last user leaves, and a dead reader would never be seen. Another opens
 * and closes the vault in a loop while the writers save: every open, with
 * its check of every page, must succeed.
 * Output is "ok - ..." / "not ok - ..." lines (tests/run.sh) and a
 * "# crash figures:" line for README.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "crypto.h"
#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

#define USER        "crash"
#define PASS        "crash test passphrase"
#define DRAFT_SLOTS 3
#define LINE_MAX_   128
#define PAD_MAX     3000

static const struct vault_kdf fast = { 1, 8 };

/* What the parent knows was acknowledged. kind: 'R' record_put (content
 * generated from seq), 'S' record_save (interview JSON), 'D' draft. */
struct entry {
	struct record_id id;
	char kind;
	int used;
	int found;            /* seen in the latest scan */
	int deleting;         /* a delete was started: the draft may be gone */
	int deleted;          /* the delete was acknowledged */
	unsigned replaces;    /* acknowledged replaces */
	uint64_t seq;         /* last acknowledged content */
};

struct table {
	struct entry *e;
	size_t cap, n;
};

struct figures {
	unsigned kills, early_kills, left_readers, unreported, program_verifies;
	unsigned long acks, records, drafts, replaces, deletes, history;
	size_t verified_items;
};

static int failures;
static char form_path[PATH_MAX] = "forms/screening-short.yaml";

static void
notok(const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- the content of a record or draft, reproducible from its seq ---- */

static size_t
content(uint64_t seq, char *buf, size_t size)
{
	size_t pad = 40 + (size_t)(seq * 7919 % PAD_MAX), n;
	int w = snprintf(buf, size, "{\"crash\":%" PRIu64 ",\"pad\":\"", seq);

	if (w < 0 || (size_t)w + pad + 3 > size)
		abort();
	n = (size_t)w;
	for (size_t i = 0; i < pad; i++)
		buf[n++] = (char)('a' + (seq + i) % 26);
	buf[n++] = '"';
	buf[n++] = '}';
	buf[n] = '\0';
	return n;
}

/* 0 when json is exactly content(seq) for the seq it names. */
static int
content_check(const char *json, size_t len, uint64_t *seq)
{
	char want[PAD_MAX + 100];
	size_t n;

	if (sscanf(json, "{\"crash\":%" SCNu64 ",", seq) != 1)
		return -1;
	n = content(*seq, want, sizeof want);
	return n == len && memcmp(want, json, len) == 0 ? 0 : -1;
}

/* ---- the table of acknowledged items (open addressing on the id) ---- */

static size_t
slot_of(const struct table *t, const struct record_id *id)
{
	uint64_t h = 0;

	memcpy(&h, id->b, sizeof h);
	return (size_t)(h % t->cap);
}

static struct entry *
table_find(struct table *t, const struct record_id *id, int add)
{
	size_t i;

	if (add && 2 * (t->n + 1) > t->cap) {
		struct table bigger = { calloc(t->cap ? 2 * t->cap : 1024, sizeof *t->e),
		    t->cap ? 2 * t->cap : 1024, 0 };
		if (bigger.e == NULL)
			abort();
		for (size_t j = 0; j < t->cap; j++)
			if (t->e[j].used)
				*table_find(&bigger, &t->e[j].id, 1) = t->e[j];
		free(t->e);
		*t = bigger;
	}
	if (t->cap == 0)
		return NULL;
	for (i = slot_of(t, id); t->e[i].used; i = (i + 1) % t->cap)
		if (memcmp(t->e[i].id.b, id->b, VAULT_ID_BYTES) == 0)
			return &t->e[i];
	if (!add)
		return NULL;
	memset(&t->e[i], 0, sizeof t->e[i]);
	t->e[i].used = 1;
	t->e[i].id = *id;
	t->n++;
	return &t->e[i];
}

/* ---- the child: saves until killed ---- */

static void
report(int fd, char kind, const struct record_id *id, uint64_t seq)
{
	char hex[2 * VAULT_ID_BYTES + 1], line[LINE_MAX_];
	int n;

	record_id_hex(id, hex);
	n = snprintf(line, sizeof line, "%c %s %" PRIu64 "\n", kind, hex, seq);
	if (n < 0 || (size_t)n >= sizeof line || write(fd, line, (size_t)n) != n)
		_exit(4);
}

static void
child_fail(int fd, const char *what, enum status st, struct vault *v)
{
	char line[LINE_MAX_ + VAULT_MSG_MAX];
	int n = snprintf(line, sizeof line, "E %s: %s: %s\n", what, status_str(st),
	    v != NULL ? vault_errmsg(v) : "");

	if (n > 0 && write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
		_exit(4);
	_exit(3);
}

/* A slow reader: holds its snapshot a few milliseconds, as a case list
 * drawn on a slow machine would. */
static int
scan_slowly(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	unsigned *seen = ctx;
	struct timespec pause = { 0, 1000000 };

	(void)id;
	(void)json;
	(void)len;
	if ((*seen)++ < 4)
		nanosleep(&pause, NULL);
	return st != ST_OK;
}

static void
child(const char *dir, int fd, uint64_t seq)
{
	static char buf[PAD_MAX + 100];
	struct record_id mine[64], drafts[DRAFT_SLOTS];
	struct vault *v = vault_new();
	struct form *f = NULL;
	struct interview *iv;
	struct record_id id;
	unsigned nmine = 0;
	enum status st;
	size_t len;

	memset(drafts, 0, sizeof drafts);
	srand((unsigned)seq ^ (unsigned)getpid());
	if (v == NULL)
		child_fail(fd, "vault_new", ST_NOMEM, NULL);
	if ((st = vault_open(v, dir)) != ST_OK)
		child_fail(fd, "open", st, v);
	if ((st = vault_unlock(v, USER, PASS, strlen(PASS))) != ST_OK)
		child_fail(fd, "unlock", st, v);
	if ((st = form_load_file(form_path, &f, NULL)) != ST_OK)
		child_fail(fd, "loading the short form", st, NULL);
	if ((st = record_attach_form(v, f, NULL, 0)) != ST_OK)
		child_fail(fd, "attach form", st, v);
	if (write(fd, "U\n", 2) != 2)
		_exit(4);
	for (;; seq++) {
		int r = rand() % 13, slot = rand() % DRAFT_SLOTS;

		if (r < 5) {
			len = content(seq, buf, sizeof buf);
			st = vault_record_put(v, buf, len, buf, len < 200 ? len : 0, &id);
			if (st != ST_OK)
				child_fail(fd, "record put", st, v);
			if (nmine < 64)
				mine[nmine++] = id;
			report(fd, 'R', &id, seq);
		} else if (r < 8) {
			len = content(seq, buf, sizeof buf);
			if ((st = vault_draft_put(v, &drafts[slot], buf, len)) != ST_OK)
				child_fail(fd, "draft put", st, v);
			report(fd, 'D', &drafts[slot], seq);
		} else if (r == 8) {
			if (interview_start(f, NULL, &iv) != ST_OK ||
			    interview_set_interviewer(iv, USER) != ST_OK ||
			    interview_stop(iv, "crash_test") != ST_OK)
				child_fail(fd, "interview", ST_INTERNAL, NULL);
			st = record_save(v, iv, &id);
			interview_free(iv);
			if (st != ST_OK)
				child_fail(fd, "record_save", st, v);
			report(fd, 'S', &id, 0);
		} else if (r == 9 && nmine > 0) {
			id = mine[(unsigned)rand() % nmine];
			len = content(seq, buf, sizeof buf);
			if ((st = vault_record_replace(v, &id, buf, len, NULL, 0)) != ST_OK)
				child_fail(fd, "replace", st, v);
			report(fd, 'P', &id, seq);
		} else if (r == 10 && drafts[slot].b[0] != 0) {
			/* Announced before: once started, the draft may be gone. */
			report(fd, 'd', &drafts[slot], 0);
			if ((st = vault_draft_delete(v, &drafts[slot])) != ST_OK)
				child_fail(fd, "draft delete", st, v);
			report(fd, 'X', &drafts[slot], 0);
			memset(&drafts[slot], 0, sizeof drafts[slot]);
		} else if (r == 11) {
			/* A kill here leaves a reader slot that the next open
			 * must clear. */
			unsigned seen = 0;
			if ((st = vault_summary_scan(v, scan_slowly, &seen)) != ST_OK)
				child_fail(fd, "summary scan", st, v);
		}
	}
}

/* ---- the parent ---- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Applies one line from the child. Returns -1 on an error line. */
static int
apply_line(struct table *t, char *line, struct figures *fig, struct record_id *touched,
    size_t *ntouched, size_t maxtouched)
{
	char hex[2 * VAULT_ID_BYTES + 1];
	struct record_id id;
	struct entry *e;
	uint64_t seq;
	char kind;

	if (line[0] == 'E') {
		notok("the writer failed by itself (not killed): %s", line + 2);
		return -1;
	}
	if (line[0] == 'U')
		return 0;
	if (sscanf(line, "%c %32s %" SCNu64, &kind, hex, &seq) != 3 ||
	    crypto_hex2bin(id.b, VAULT_ID_BYTES, hex) != ST_OK) {
		notok("unreadable line from the writer: %s", line);
		return -1;
	}
	e = table_find(t, &id, 1);
	fig->acks++;
	switch (kind) {
	case 'R':
	case 'S':
		e->kind = kind;
		e->seq = seq;
		fig->records++;
		break;
	case 'P':
		e->seq = seq;
		e->replaces++;
		fig->replaces++;
		break;
	case 'D':
		e->kind = 'D';
		if (e->deleted || seq > e->seq)
			e->seq = seq;
		e->deleting = e->deleted = 0;
		fig->drafts++;
		break;
	case 'd':
		e->deleting = 1;
		fig->acks--;
		break;
	case 'X':
		e->deleted = 1;
		fig->deletes++;
		break;
	default:
		notok("unknown line from the writer: %s", line);
		return -1;
	}
	if (kind == 'D' || kind == 'd' || kind == 'X' || kind == 'P') {
		if (*ntouched < maxtouched)
			touched[(*ntouched)++] = e->id;
	}
	return 0;
}

/* Reads what the child wrote until deadline (ns) or EOF; *ready is set on
 * "U". Returns -1 on a failure line, 1 on EOF, else 0. */
static int
drain(int fd, char *acc, size_t *acclen, size_t cap, uint64_t deadline, int stop_on_ready,
    int *ready, struct table *t, struct figures *fig, struct record_id *touched,
    size_t *ntouched, size_t maxtouched)
{
	for (;;) {
		uint64_t now = now_ns();
		struct pollfd p = { fd, POLLIN, 0 };
		struct timespec ts;
		ssize_t got;
		char *nl;

		if (deadline != 0 && now >= deadline)
			return 0;
		if (stop_on_ready && *ready)
			return 0;
		ts.tv_sec = deadline ? (time_t)((deadline - now) / 1000000000u) : 5;
		ts.tv_nsec = deadline ? (long)((deadline - now) % 1000000000u) : 0;
		if (ppoll(&p, 1, &ts, NULL) <= 0) {
			if (deadline == 0)
				return 1;
			continue;
		}
		got = read(fd, acc + *acclen, cap - *acclen - 1);
		if (got <= 0)
			return 1;
		*acclen += (size_t)got;
		acc[*acclen] = '\0';
		while ((nl = strchr(acc, '\n')) != NULL) {
			*nl = '\0';
			if (acc[0] == 'U')
				*ready = 1;
			if (apply_line(t, acc, fig, touched, ntouched, maxtouched) != 0)
				return -1;
			*acclen -= (size_t)(nl + 1 - acc);
			memmove(acc, nl + 1, *acclen + 1);
		}
		if (*acclen + 1 >= cap) {
			notok("the writer sent an over-long line");
			return -1;
		}
	}
}

/* Whether `mdb_stat -r` lists a reader of process pid. -1 if it cannot run. */
static int
reader_listed(const char *dir, pid_t pid)
{
	char cmd[PATH_MAX + 64], line[256], want[32];
	int found = 0, listed = 0;
	FILE *p;

	if ((size_t)snprintf(cmd, sizeof cmd, "mdb_stat -r '%s' 2>/dev/null", dir) >= sizeof cmd ||
	    (size_t)snprintf(want, sizeof want, " %ld ", (long)pid) >= sizeof want)
		return -1;
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (fgets(line, sizeof line, p) != NULL) {
		/* "    pid     thread     txnid" rows; pad so " pid " matches. */
		char padded[260];
		listed |= strstr(line, "Reader Table Status") != NULL;
		snprintf(padded, sizeof padded, " %s", line);
		found |= strstr(padded, want) != NULL;
	}
	pclose(p);
	return listed ? found : -1;
}

struct scan_ctx {
	struct table *t;
	struct figures *fig;
	unsigned bad;
	char first_bad[256];
};

static void
scan_bad(struct scan_ctx *c, const struct record_id *id, const char *why)
{
	struct case_code code;

	record_id_code(id, &code);
	if (c->bad++ == 0)
		snprintf(c->first_bad, sizeof c->first_bad, "record %s: %s", code.s, why);
}

static int
scan_record(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct scan_ctx *c = ctx;
	struct entry *e = table_find(c->t, id, 0);
	char hex[2 * VAULT_ID_BYTES + 1];
	uint64_t seq;

	if (st != ST_OK) {
		scan_bad(c, id, "fails its integrity check");
		return 0;
	}
	if (e == NULL)
		c->fig->unreported++;
	else
		e->found = 1;
	if (strncmp(json, "{\"crash\":", 9) == 0) {
		if (content_check(json, len, &seq) != 0)
			scan_bad(c, id, "decrypts to something else than what was saved");
		else if (e != NULL && seq < e->seq)
			scan_bad(c, id, "is older than its last acknowledged replace");
	} else {
		json_t *o = json_loadb(json, len, 0, NULL);
		const char *rid = json_string_value(json_object_get(o, "id"));

		record_id_hex(id, hex);
		if (o == NULL || rid == NULL || strcmp(rid, hex) != 0)
			scan_bad(c, id, "is not the saved interview");
		json_decref(o);
	}
	return 0;
}

static int
summary_ok(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct scan_ctx *c = ctx;

	(void)json;
	(void)len;
	if (st != ST_OK)
		scan_bad(c, id, "has a summary that fails its integrity check");
	return 0;
}

/* One draft: present and at its acknowledged version or later, unless a
 * delete was started or acknowledged. */
static void
check_draft(struct vault *v, struct entry *e, const char *when)
{
	struct case_code code;
	char *json = NULL;
	size_t len = 0;
	uint64_t seq;
	enum status st;

	if (e->kind != 'D')
		return;
	record_id_code(&e->id, &code);
	st = vault_draft_get(v, &e->id, &json, &len);
	if (st == ST_NOTFOUND && (e->deleting || e->deleted))
		return;
	if (st == ST_OK && e->deleted)
		notok("%s: draft %s is back after its delete was acknowledged", when, code.s);
	else if (st != ST_OK)
		notok("%s: draft %s: %s", when, code.s, vault_errmsg(v));
	else if (content_check(json, len, &seq) != 0 || seq < e->seq)
		notok("%s: draft %s is not at its last saved version (%" PRIu64 ")", when,
		    code.s, e->seq);
	vault_plain_free(json, len);
}

static void
check_history(struct vault *v, struct entry *e, struct figures *fig)
{
	struct case_code code;
	unsigned count = 0;
	char *json;
	size_t len;

	if (e->replaces == 0)
		return;
	record_id_code(&e->id, &code);
	if (vault_record_versions(v, &e->id, &count) != ST_OK || count < e->replaces) {
		notok("record %s keeps %u earlier versions, %u replaces were acknowledged",
		    code.s, count, e->replaces);
		return;
	}
	for (unsigned ver = 1; ver <= count; ver++) {
		uint64_t seq;

		if (vault_record_history(v, &e->id, ver, &json, &len) != ST_OK) {
			notok("version %u of record %s: %s", ver, code.s, vault_errmsg(v));
			continue;
		}
		if (content_check(json, len, &seq) != 0)
			notok("version %u of record %s is not what was saved", ver, code.s);
		vault_plain_free(json, len);
		fig->history++;
	}
}

static void *
unconst_str(const char *s)
{
	return (void *)(uintptr_t)s;
}

static void
problem(void *ctx, const char *what)
{
	const char *when = ctx;

	notok("%s: verify: %s", when, what);
}

/* `intake verify` on the vault, as a supervisor would run it. */
static void
verify_program(const char *dir, const char *when, struct figures *fig)
{
	const char *intake = getenv("INTAKE");
	char cmd[2 * PATH_MAX + 128], pass[PATH_MAX + 32];
	FILE *f;
	int rc;

	if (intake == NULL || *intake == '\0')
		return;
	if ((size_t)snprintf(pass, sizeof pass, "%s.pass", dir) >= sizeof pass ||
	    (size_t)snprintf(cmd, sizeof cmd, "'%s' verify --vault '%s' --user " USER
	    " --passphrase-file '%s' >/dev/null 2>'%s.err'", intake, dir, pass, dir) >= sizeof cmd)
		return;
	f = fopen(pass, "w");
	if (f == NULL)
		return;
	fputs(PASS "\n", f);
	fclose(f);
	rc = system(cmd);
	unlink(pass);
	if (rc != 0)
		notok("%s: `intake verify` exits with %d (see %s.err)", when, rc, dir);
	else
		fig->program_verifies++;
}

/* Opens, unlocks and checks the vault after a kill. Returns 0 when all held. */
static int
verify(const char *dir, struct table *t, struct figures *fig, struct record_id *touched,
    size_t ntouched, int full, const char *when)
{
	struct scan_ctx c = { t, fig, 0, "" };
	struct vault *v = vault_new();
	enum status st;
	int before = failures;

	if (v == NULL || (st = vault_open(v, dir)) != ST_OK) {
		notok("%s: the vault does not open: %s", when, vault_errmsg(v));
		vault_close(v);
		return -1;
	}
	if ((st = vault_unlock(v, USER, PASS, strlen(PASS))) != ST_OK) {
		notok("%s: the vault does not unlock: %s", when, vault_errmsg(v));
		vault_close(v);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++)
		t->e[i].found = 0;
	fig->unreported = 0;
	if ((st = vault_record_scan(v, scan_record, &c)) != ST_OK ||
	    (st = vault_summary_scan(v, summary_ok, &c)) != ST_OK)
		notok("%s: scanning the records: %s", when, vault_errmsg(v));
	if (c.bad > 0)
		notok("%s: %u records are damaged, first %s", when, c.bad, c.first_bad);
	for (size_t i = 0; i < t->cap; i++) {
		struct entry *e = &t->e[i];
		struct case_code code;

		if (!e->used || (e->kind != 'R' && e->kind != 'S') || e->found)
			continue;
		record_id_code(&e->id, &code);
		notok("%s: record %s was acknowledged as saved and is missing", when, code.s);
	}
	for (size_t i = 0; i < ntouched; i++) {
		struct entry *e = table_find(t, &touched[i], 0);

		if (e != NULL)
			check_draft(v, e, when);
	}
	{
		struct vault_verify_counts counts;

		memset(&counts, 0, sizeof counts);
		st = vault_verify(v, NULL, problem, unconst_str(when), &counts);
		if (st != ST_OK && st != ST_TAMPERED)
			notok("%s: verify could not run: %s", when, vault_errmsg(v));
		fig->verified_items = counts.records + counts.summaries + counts.drafts +
		    counts.history + counts.audit;
	}
	if (full) {
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->e[i].used)
				continue;
			check_draft(v, &t->e[i], when);
			check_history(v, &t->e[i], fig);
		}
	}
	vault_close(v);
	return failures == before ? 0 : -1;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Until the parent closes the pipe: holds the vault open (reopen 0), or
 * opens and closes it again and again while the writers save (reopen 1),
 * as other users of a shared server do. Exits 1 if an open fails. */
static pid_t
bystander_start(const char *dir, int reopen, int *fd)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct vault *v = NULL;
		unsigned opens = 0;

		close(fds[1]);
		do {
			vault_close(v);
			v = vault_new();
			if (v == NULL || vault_open(v, dir) != ST_OK) {
				fprintf(stderr, "crashtest: a bystander cannot open the vault (open %u): "
				    "%s\n", opens + 1, vault_errmsg(v));
				_exit(1);
			}
			opens++;
			if (reopen) {
				/* A pause, so that readers left by a kill are still
				 * there when the parent looks. */
				struct timespec pause = { 0, 20000000 };

				fcntl(fds[0], F_SETFL, O_NONBLOCK);
				nanosleep(&pause, NULL);
			}
		} while (reopen && read(fds[0], &c, 1) < 0);
		while (read(fds[0], &c, 1) > 0)
			;
		vault_close(v);
		_exit(0);
	}
	close(fds[0]);
	*fd = fds[1];
	return pid;
}

int
main(int argc, char **argv)
{
	static char acc[1 << 16];
	struct record_id touched[4096];   /* ids: the table moves when it grows */
	struct figures fig = { 0 };
	struct table t = { NULL, 0, 0 };
	unsigned kills = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 500;
	unsigned seed = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : (unsigned)time(NULL);
	const char *base = getenv("TMPDIR");
	const char *fp = getenv("CRASH_FORM");
	char tmp[PATH_MAX], dir[PATH_MAX + 16], when[64];
	struct vault *v;
	uint64_t t0 = now_ns();
	unsigned bad_kills = 0, reader_checks = 0;
	int bystander_fd = -1, opener_fd = -1, bystander_status, opener_status;
	pid_t bystander, opener;

	if (fp != NULL && (size_t)snprintf(form_path, sizeof form_path, "%s", fp) >= sizeof form_path)
		return 2;
	if (kills == 0)
		kills = 1;
	srand(seed);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/intake-crash.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp") >= sizeof tmp || mkdtemp(tmp) == NULL) {
		notok("cannot make a temporary directory: %s", strerror(errno));
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/vault", tmp);
	printf("# crashtest: %u kills, seed %u, vault in %s\n", kills, seed, dir);
	/* A small map makes the writers grow it too, under kills. */
	v = vault_new();
	if (v == NULL) {
		notok("out of memory");
		return 1;
	}
	vault_set_map_size(v, 256 * 1024, 0);
	if (vault_create(v, dir, USER, PASS, strlen(PASS), &fast) != ST_OK) {
		notok("cannot create the vault: %s", vault_errmsg(v));
		return 1;
	}
	vault_close(v);
	bystander = bystander_start(dir, 0, &bystander_fd);
	opener = bystander_start(dir, 1, &opener_fd);
	if (bystander < 0 || opener < 0) {
		notok("cannot start the bystander: %s", strerror(errno));
		return 1;
	}

	for (unsigned k = 1; k <= kills; k++) {
		int fds[2], status, ready = 0, listed, rc;
		size_t acclen = 0, ntouched = 0;
		uint64_t deadline;
		pid_t pid;

		snprintf(when, sizeof when, "after kill %u", k);
		if (pipe(fds) != 0) {
			notok("pipe: %s", strerror(errno));
			break;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			notok("fork: %s", strerror(errno));
			break;
		}
		if (pid == 0) {
			close(fds[0]);
			child(dir, fds[1], (uint64_t)k << 24);
			_exit(5);
		}
		close(fds[1]);
		/* One kill in ten lands while the child opens and unlocks;
		 * the others 1-30 ms into its saves. */
		if (rand() % 10 == 0) {
			deadline = now_ns() + (uint64_t)(rand() % 15000) * 1000u;
			rc = drain(fds[0], acc, &acclen, sizeof acc, deadline, 0, &ready, &t, &fig,
			    touched, &ntouched, sizeof touched / sizeof touched[0]);
			if (!ready)
				fig.early_kills++;
		} else {
			rc = drain(fds[0], acc, &acclen, sizeof acc, now_ns() + 10000000000u, 1, &ready,
			    &t, &fig, touched, &ntouched, sizeof touched / sizeof touched[0]);
			deadline = now_ns() + 1000000u + (uint64_t)(rand() % 29000) * 1000u;
			if (rc == 0 && ready)
				rc = drain(fds[0], acc, &acclen, sizeof acc, deadline, 0, &ready, &t, &fig,
				    touched, &ntouched, sizeof touched / sizeof touched[0]);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		/* Lines the child wrote before it died. */
		if (rc == 0)
			rc = drain(fds[0], acc, &acclen, sizeof acc, 0, 0, &ready, &t, &fig,
			    touched, &ntouched, sizeof touched / sizeof touched[0]);
		close(fds[0]);
		if (rc < 0 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			if (rc >= 0)
				notok("%s: the writer ended by itself (status %d)", when, status);
			bad_kills++;
			break;
		}
		fig.kills++;
		listed = reader_listed(dir, pid);
		if (listed > 0)
			fig.left_readers++;
		if (verify(dir, &t, &fig, touched, ntouched, 0, when) != 0) {
			bad_kills++;
			break;
		}
		if (k % 50 == 0)
			verify_program(dir, when, &fig);
		/* vault_open (inside verify) runs the reader check. */
		if (listed >= 0) {
			reader_checks += listed > 0;
			if (reader_listed(dir, pid) != 0) {
				notok("%s: a reader slot of the killed process %ld is still there "
				    "after open", when, (long)pid);
				bad_kills++;
				break;
			}
		}
	}
	if (bad_kills == 0) {
		verify(dir, &t, &fig, NULL, 0, 1, "at the end");
		verify_program(dir, "at the end", &fig);
	}
	close(bystander_fd);
	close(opener_fd);
	if (waitpid(bystander, &bystander_status, 0) != bystander ||
	    !WIFEXITED(bystander_status) || WEXITSTATUS(bystander_status) != 0)
		notok("the bystander holding the vault open failed (status %d)", bystander_status);
	if (waitpid(opener, &opener_status, 0) != opener ||
	    !WIFEXITED(opener_status) || WEXITSTATUS(opener_status) != 0)
		notok("opening the vault while writers saved failed (status %d)", opener_status);

	if (failures == 0) {
		printf("ok - crash: the vault opened and unlocked after each of %u kills "
		    "(%u while the writer was still opening)\n", fig.kills, fig.early_kills);
		printf("ok - crash: all %lu records acknowledged as saved are there and decrypt "
		    "to what was saved (%u more were saved but killed before the report)\n",
		    fig.records, fig.unreported);
		printf("ok - crash: %lu replaces kept %lu earlier versions, each decrypts\n",
		    fig.replaces, fig.history);
		printf("ok - crash: drafts decrypt at their last acknowledged version or later "
		    "(%lu saves, %lu deletes)\n", fig.drafts, fig.deletes);
		printf("ok - crash: %u kills left a reader slot, each cleared when the vault "
		    "was next opened\n", fig.left_readers);
		printf("ok - crash: vault_verify found nothing wrong after every kill (%zu items "
		    "and audit entries at the end)%s\n", fig.verified_items,
		    fig.program_verifies > 0 ? "; so did `intake verify`" : "");
	}
	printf("# crash figures: kills=%u acknowledged=%lu records=%lu drafts=%lu "
	    "replaces=%lu deletes=%lu unreported=%u stale_readers_cleared=%u verified_items=%zu "
	    "program_verifies=%u seconds=%.1f\n",
	    fig.kills, fig.acks, fig.records, fig.drafts, fig.replaces, fig.deletes,
	    fig.unreported, reader_checks, fig.verified_items, fig.program_verifies,
	    (double)(now_ns() - t0) / 1e9);
	if (failures == 0)
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		printf("# the vault is kept in %s\n", dir);
	free(t.e);
	return failures == 0 ? 0 : 1;
}
