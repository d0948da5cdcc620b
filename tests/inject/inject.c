/*
 * inject.c — failure injection: every vault operation, failed at each of its
 * LMDB calls, secure allocations, heap allocations, writes and syncs in
 * turn, for every N until the operation completes.
 *
 * How failures are injected, without a hook in core/: the test binary is
 * linked with --wrap for the LMDB calls that change state or allocate
 * (mdb_put, mdb_txn_commit, mdb_env_set_mapsize, ...), for sodium_malloc
 * (reached only through crypto.c's secure_alloc) and for malloc, calloc,
 * realloc, strdup and strndup as called from libintake (jansson allocates
 * through crypto.c's wiping allocator, so its blocks count too). write(2),
 * pwrite, writev, fsync and fdatasync are interposed by defining them here:
 * liblmdb's calls bind to these definitions and reach libc through
 * dlsym(RTLD_NEXT). Every new call site in core/ is covered without being
 * marked.
 *
 * For each operation and failure class, a counting run gives the number K of
 * calls the operation makes; then for N = 1..K a fresh copy of a reference
 * vault is opened, the Nth call fails (once: "transient", or that call and
 * every later one: "persistent"), and:
 *  - the operation returns a status other than ST_OK with a message (or
 *    ST_OK when it recovered, e.g. by growing a full map);
 *  - the vault, reopened by a fresh handle, holds exactly the state before
 *    the operation when it failed, or exactly the state after it when it
 *    succeeded; a failed sync may leave either (the data may be on disk
 *    although the kernel reported an error), never anything else;
 *  - after a transient failure the same handle retries and succeeds, or
 *    says to reopen the vault (LMDB stops using an environment whose meta
 *    page write failed);
 *  - nothing leaks: secure allocations are counted and must all be freed,
 *    and LeakSanitizer checks the heap after each operation (ASan builds).
 *
 * Then the full disk and the read-only vault: MDB_MAP_FULL past the largest
 * map, ENOSPC on a 1 MiB tmpfs (in a private mount namespace; or EFBIG from
 * RLIMIT_FSIZE where mounting is not allowed), a read-only bind mount
 * (EROFS) and a vault whose files are read-only for their unprivileged
 * owner (as root, the check runs in a child that drops to uid 65534).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <lmdb.h>

#include "audit.h"
#include "crypto.h"
#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define P_SUP  "supervisor passphrase"
#define P_IVW  "interviewer passphrase"
#define P_IVW2 "a changed passphrase"
#define P_NEU  "new user passphrase"

static const struct vault_kdf fast = { 1, 8 };
static int failures, passes;

static void
say_ok(const char *fmt, ...)
{
	va_list ap;

	passes++;
	printf("ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
say_notok(const char *fmt, ...)
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

/* ---- the failure switch ---------------------------------------------------- */

enum fclass { F_LMDB, F_FULL, F_SECURE, F_MALLOC, F_WRITE, F_SYNC, F_COUNT };

static const char *const class_name[F_COUNT] = {
	"lmdb", "map full", "secure alloc", "malloc", "write", "sync",
};

static struct {
	int armed;
	enum fclass cls;
	unsigned long n;          /* fail call number n (0: only count) */
	unsigned long calls;
	int persistent;
	int err;                  /* errno for write and sync */
	int fired;
	const char *point;
} fc;

static long secure_live;

static void
arm(enum fclass cls, unsigned long n, int persistent, int err)
{
	memset(&fc, 0, sizeof fc);
	fc.cls = cls;
	fc.n = n;
	fc.persistent = persistent;
	fc.err = err;
	fc.armed = 1;
}

static void
disarm(void)
{
	fc.armed = 0;
}

/* Whether this call of class cls must fail. */
static int
fault(enum fclass cls, const char *point)
{
	if (!fc.armed || cls != fc.cls)
		return 0;
	fc.calls++;
	if (fc.n == 0 || fc.calls < fc.n || (fc.fired && !fc.persistent))
		return 0;
	if (!fc.fired)
		fc.point = point;
	fc.fired = 1;
	return 1;
}

/* ---- wrapped LMDB calls (-Wl,--wrap=...) ----------------------------------- */

int __real_mdb_env_create(MDB_env **env);
int __real_mdb_env_open(MDB_env *env, const char *path, unsigned flags, mdb_mode_t mode);
int __real_mdb_env_set_mapsize(MDB_env *env, size_t size);
int __real_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags, MDB_txn **txn);
int __real_mdb_txn_commit(MDB_txn *txn);
int __real_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags);
int __real_mdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int __real_mdb_dbi_open(MDB_txn *txn, const char *name, unsigned flags, MDB_dbi *dbi);
int __real_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cursor);
int __wrap_mdb_env_create(MDB_env **env);
int __wrap_mdb_env_open(MDB_env *env, const char *path, unsigned flags, mdb_mode_t mode);
int __wrap_mdb_env_set_mapsize(MDB_env *env, size_t size);
int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags, MDB_txn **txn);
int __wrap_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags);
int __wrap_mdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int __wrap_mdb_dbi_open(MDB_txn *txn, const char *name, unsigned flags, MDB_dbi *dbi);
int __wrap_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cursor);

/* Each fails with an error the real call can return there. */
int
__wrap_mdb_env_create(MDB_env **env)
{
	return fault(F_LMDB, "mdb_env_create") ? ENOMEM : __real_mdb_env_create(env);
}

int
__wrap_mdb_env_open(MDB_env *env, const char *path, unsigned flags, mdb_mode_t mode)
{
	return fault(F_LMDB, "mdb_env_open") ? EIO : __real_mdb_env_open(env, path, flags, mode);
}

int
__wrap_mdb_env_set_mapsize(MDB_env *env, size_t size)
{
	return fault(F_LMDB, "mdb_env_set_mapsize") ? ENOMEM : __real_mdb_env_set_mapsize(env, size);
}

/* The write transaction in progress: only its commit can fail. */
static MDB_txn *write_txn;

int
__wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags, MDB_txn **txn)
{
	int rc;

	if (fault(F_LMDB, "mdb_txn_begin"))
		return (flags & MDB_RDONLY) ? MDB_READERS_FULL : ENOMEM;
	rc = __real_mdb_txn_begin(env, parent, flags, txn);
	if (rc == 0 && !(flags & MDB_RDONLY))
		write_txn = *txn;
	return rc;
}

/* A failed commit has freed the transaction, as the real one does. */
int
__wrap_mdb_txn_commit(MDB_txn *txn)
{
	if (txn == write_txn &&
	    (fault(F_LMDB, "mdb_txn_commit") || fault(F_FULL, "mdb_txn_commit"))) {
		int err = fc.cls == F_FULL ? MDB_MAP_FULL : EIO;
		mdb_txn_abort(txn);
		return err;
	}
	return __real_mdb_txn_commit(txn);
}

int
__wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags)
{
	if (fault(F_LMDB, "mdb_put"))
		return ENOMEM;
	if (fault(F_FULL, "mdb_put"))
		return MDB_MAP_FULL;
	return __real_mdb_put(txn, dbi, key, data, flags);
}

int
__wrap_mdb_del(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data)
{
	return fault(F_LMDB, "mdb_del") ? ENOMEM : __real_mdb_del(txn, dbi, key, data);
}

int
__wrap_mdb_dbi_open(MDB_txn *txn, const char *name, unsigned flags, MDB_dbi *dbi)
{
	return fault(F_LMDB, "mdb_dbi_open") ? MDB_DBS_FULL : __real_mdb_dbi_open(txn, name, flags, dbi);
}

int
__wrap_mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cursor)
{
	return fault(F_LMDB, "mdb_cursor_open") ? ENOMEM : __real_mdb_cursor_open(txn, dbi, cursor);
}

/* ---- wrapped allocations --------------------------------------------------- */

void *__real_sodium_malloc(size_t len);
void __real_sodium_free(void *p);
void *__real_malloc(size_t len);
void *__real_calloc(size_t n, size_t len);
void *__real_realloc(void *p, size_t len);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_sodium_malloc(size_t len);
void __wrap_sodium_free(void *p);
void *__wrap_malloc(size_t len);
void *__wrap_calloc(size_t n, size_t len);
void *__wrap_realloc(void *p, size_t len);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *
__wrap_sodium_malloc(size_t len)
{
	void *p;

	if (fault(F_SECURE, "sodium_malloc"))
		return NULL;
	p = __real_sodium_malloc(len);
	if (p != NULL)
		secure_live++;
	return p;
}

void
__wrap_sodium_free(void *p)
{
	if (p != NULL)
		secure_live--;
	__real_sodium_free(p);
}

void *
__wrap_malloc(size_t len)
{
	return fault(F_MALLOC, "malloc") ? NULL : __real_malloc(len);
}

void *
__wrap_calloc(size_t n, size_t len)
{
	return fault(F_MALLOC, "calloc") ? NULL : __real_calloc(n, len);
}

void *
__wrap_realloc(void *p, size_t len)
{
	return fault(F_MALLOC, "realloc") ? NULL : __real_realloc(p, len);
}

char *
__wrap_strdup(const char *s)
{
	return fault(F_MALLOC, "strdup") ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return fault(F_MALLOC, "strndup") ? NULL : __real_strndup(s, n);
}

/* ---- interposed writes and syncs (liblmdb binds to these) ------------------- */

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

/* dlsym returns an object pointer; POSIX guarantees it converts. */
static void
resolve(void *fnptr, size_t size, const char *name)
{
	void *sym = dlsym(RTLD_NEXT, name);

	if (sym == NULL || size != sizeof sym)
		abort();
	memcpy(fnptr, &sym, size);
}

static void
resolve_io(void)
{
	resolve(&real_write, sizeof real_write, "write");
	resolve(&real_pwrite, sizeof real_pwrite, "pwrite");
	resolve(&real_writev, sizeof real_writev, "writev");
	resolve(&real_fsync, sizeof real_fsync, "fsync");
	resolve(&real_fdatasync, sizeof real_fdatasync, "fdatasync");
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (fault(F_WRITE, "write")) {
		errno = fc.err;
		return -1;
	}
	return real_write(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (fault(F_WRITE, "pwrite")) {
		errno = fc.err;
		return -1;
	}
	return real_pwrite(fd, buf, len, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (fault(F_WRITE, "writev")) {
		errno = fc.err;
		return -1;
	}
	return real_writev(fd, iov, n);
}

int
fsync(int fd)
{
	if (fault(F_SYNC, "fsync")) {
		errno = fc.err;
		return -1;
	}
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	if (fault(F_SYNC, "fdatasync")) {
		errno = fc.err;
		return -1;
	}
	return real_fdatasync(fd);
}

/* ---- files ----------------------------------------------------------------- */

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

/* dir/leaf into out[PATH_MAX]; a path too long ends the test. */
static void
path_join(char *out, const char *dir, const char *leaf)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", dir, leaf) >= PATH_MAX)
		abort();
}

static int
copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t got;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((got = read(in, buf, sizeof buf)) > 0)
		if (real_write(out, buf, (size_t)got) != got)
			break;
	close(in);
	close(out);
	return got == 0 ? 0 : -1;
}

/* A fresh copy of the reference vault (data.mdb only: LMDB makes the lock). */
static int
vault_copy(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	rm_rf(to);
	if (mkdir(to, 0700) != 0)
		return -1;
	path_join(a, from, "data.mdb");
	path_join(b, to, "data.mdb");
	return copy_file(a, b);
}

/* ---- the state a user can see ------------------------------------------------ */

struct lines {
	char **v;
	size_t n, cap;
};

static void
lines_add(struct lines *l, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (l->v == NULL)
			abort();
	}
	l->v[l->n] = strdup(buf);
	if (l->v[l->n] == NULL)
		abort();
	l->n++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All lines, sorted, in one malloc'ed string; frees the lines. */
static char *
lines_join(struct lines *l)
{
	size_t total = 1, at = 0;
	char *out;

	qsort(l->v, l->n, sizeof *l->v, cmp_str);
	for (size_t i = 0; i < l->n; i++)
		total += strlen(l->v[i]) + 1;
	out = malloc(total);
	if (out == NULL)
		abort();
	for (size_t i = 0; i < l->n; i++) {
		size_t len = strlen(l->v[i]);
		memcpy(out + at, l->v[i], len);
		out[at + len] = '\n';
		at += len + 1;
		free(l->v[i]);
	}
	out[at] = '\0';
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	return out;
}

/* BLAKE2b of the item, with a record's own id (random at each save) read
 * as zeros, so that the same save gives the same line in every run. */
static void
short_hash(char out[17], const char *p, size_t len)
{
	static const char tag[] = "\"id\":\"";
	char hex[65], *copy = malloc(len + 1), *at;

	if (copy == NULL)
		abort();
	memcpy(copy, p, len);
	copy[len] = '\0';
	at = strstr(copy, tag);
	if (at != NULL && strlen(at) >= sizeof tag - 1 + 32)
		memset(at + sizeof tag - 1, '0', 32);
	crypto_digest_hex(hex, copy, len);
	free(copy);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

struct snap_ctx {
	struct vault *v;
	struct lines *l;
	const char *who;
};

static int
snap_record(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct snap_ctx *c = ctx;
	char h[17];

	(void)id;
	if (st != ST_OK) {
		lines_add(c->l, "record DAMAGED");
		return 0;
	}
	short_hash(h, json, len);
	lines_add(c->l, "record %s", h);
	return 0;
}

static int
snap_summary(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct snap_ctx *c = ctx;
	char h[17];

	(void)id;
	if (st != ST_OK) {
		lines_add(c->l, "summary DAMAGED");
		return 0;
	}
	short_hash(h, json, len);
	lines_add(c->l, "summary %s", h);
	return 0;
}

/* Histories and drafts of the unlocked user. */
static void
snap_items(struct vault *v, struct lines *l, const char *who)
{
	struct record_id *ids = NULL;
	char h[17], hcur[17], *json;
	size_t n = 0, len;
	unsigned count;

	if (vault_record_list(v, &ids, &n) == ST_OK) {
		for (size_t i = 0; i < n; i++) {
			if (vault_record_versions(v, &ids[i], &count) != ST_OK || count == 0)
				continue;
			if (vault_record_get(v, &ids[i], &json, &len) != ST_OK)
				continue;
			short_hash(hcur, json, len);
			vault_plain_free(json, len);
			for (unsigned k = 1; k <= count; k++) {
				if (vault_record_history(v, &ids[i], k, &json, &len) != ST_OK) {
					lines_add(l, "history %s %u DAMAGED", hcur, k);
					continue;
				}
				short_hash(h, json, len);
				lines_add(l, "history %s %u %s", hcur, k, h);
				vault_plain_free(json, len);
			}
		}
	}
	free(ids);
	ids = NULL;
	if (vault_draft_list(v, &ids, &n) == ST_OK) {
		for (size_t i = 0; i < n; i++) {
			if (vault_draft_get(v, &ids[i], &json, &len) != ST_OK) {
				lines_add(l, "draft %s DAMAGED", who);
				continue;
			}
			short_hash(h, json, len);
			lines_add(l, "draft %s %s", who, h);
			vault_plain_free(json, len);
		}
	}
	free(ids);
}

/* Hashes of the form sources the tests store. */
static char form_hashes[2][65];

static int
count_entry(void *ctx, uint64_t seq, enum status st, const unsigned char *entry, size_t len)
{
	unsigned *by_action = ctx;
	struct audit_entry e;

	(void)seq;
	if (st != ST_OK || audit_decode(entry, len, &e) != ST_OK || e.action < 1 ||
	    e.action > AUDIT_ACTION_LAST)
		by_action[AUDIT_ACTION_LAST + 1]++;
	else
		by_action[e.action]++;
	return 0;
}

static void
count_problem(void *ctx, const char *what)
{
	unsigned *n = ctx;

	(*n)++;
	if (getenv("INJECT_DEBUG") != NULL)
		fprintf(stderr, "verify: %s\n", what);
}

struct cand {
	const char *user;
	const char *pass[2];
};

/* What users can see of the vault at dir: users, which passphrase unlocks
 * each candidate, records, summaries, histories, drafts. Made with no
 * failure armed. */
static char *
snapshot(const char *dir, const struct cand *cands, size_t ncands)
{
	struct lines l = { NULL, 0, 0 };
	struct vault_user *users = NULL;
	struct vault *v = vault_new();
	struct snap_ctx c = { v, &l, "sup" };
	size_t nu = 0;
	enum status st;

	if (v == NULL)
		abort();
	st = vault_open(v, dir);
	if (st != ST_OK) {
		lines_add(&l, "no vault (%s)", status_str(st));
		vault_close(v);
		return lines_join(&l);
	}
	if (vault_user_list(v, &users, &nu) == ST_OK)
		for (size_t i = 0; i < nu; i++)
			lines_add(&l, "user %s %s", users[i].name, role_name(users[i].role));
	else
		lines_add(&l, "users DAMAGED");
	free(users);
	for (size_t i = 0; i < ncands; i++) {
		int which = -1;
		for (int k = 0; k < 2 && which < 0 && cands[i].pass[k] != NULL; k++)
			if (vault_unlock(v, cands[i].user, cands[i].pass[k],
			    strlen(cands[i].pass[k])) == ST_OK)
				which = k;
		lines_add(&l, "unlock %s %d", cands[i].user, which);
	}
	if (vault_unlock(v, "sup", P_SUP, strlen(P_SUP)) == ST_OK) {
		struct vault_audit_head head;
		struct vault_verify_counts counts;
		unsigned problems = 0;

		/* The audit trail moves with every change, in the same
		 * transaction; verify checks it agrees with what is stored.
		 * Unlocks (this snapshot's own too) are left out of the count. */
		unsigned by_action[AUDIT_ACTION_LAST + 2];

		memset(by_action, 0, sizeof by_action);
		if (vault_audit_head(v, &head) != ST_OK ||
		    vault_audit_scan(v, count_entry, by_action) != ST_OK)
			lines_add(&l, "audit trail DAMAGED");
		for (int a = 1; a <= AUDIT_ACTION_LAST + 1; a++)
			if (by_action[a] > 0 && a != AUDIT_UNLOCK && a != AUDIT_UNLOCK_FAILED)
				lines_add(&l, "audit %s x%u", a <= AUDIT_ACTION_LAST ?
				    audit_action_name((enum audit_action)a) : "DAMAGED", by_action[a]);
		memset(&counts, 0, sizeof counts);
		st = vault_verify(v, NULL, count_problem, &problems, &counts);
		lines_add(&l, "verify %s, %u problems", status_str(st), problems);
		for (size_t i = 0; i < 2; i++) {
			char *src;
			size_t len;
			st = vault_form_get(v, form_hashes[i], &src, &len);
			lines_add(&l, "form %.16s %s", form_hashes[i], status_str(st));
			if (st == ST_OK)
				vault_plain_free(src, len);
		}
		vault_record_scan(v, snap_record, &c);
		vault_summary_scan(v, snap_summary, &c);
		snap_items(v, &l, "sup");
	} else {
		lines_add(&l, "sup cannot unlock");
	}
	/* Another user's drafts, when the op is about that user. */
	for (size_t i = 0; i < ncands; i++)
		if (strcmp(cands[i].user, "ivw") == 0 &&
		    (vault_unlock(v, "ivw", P_IVW, strlen(P_IVW)) == ST_OK ||
		    vault_unlock(v, "ivw", P_IVW2, strlen(P_IVW2)) == ST_OK))
			snap_items(v, &l, "ivw");
	vault_close(v);
	return lines_join(&l);
}

/* ---- the operations ----------------------------------------------------------- */

struct ctx {
	const char *dir;          /* the working copy */
	struct vault *v;          /* opened and unlocked as sup (NULL: the op makes it) */
	struct form *form;
	struct interview *iv;
	struct record_id r1, d1;
};

struct op {
	const char *name;
	int needs_handle;         /* 0: no handle, 1: opened, 2: opened and unlocked */
	enum status (*run)(struct ctx *c);
	struct cand cands[2];
};

static const char rec_json[] = "{\"answers\":{\"q\":\"a new record\"}}";
static const char rec_sum[] = "{\"status\":\"final\"}";
static const char draft_json[] = "{\"answers\":{\"q\":\"a draft in progress\"}}";
static const char form_src[] = "id: tiny\nversion: 1\n";

static enum status
op_create(struct ctx *c)
{
	c->v = vault_new();
	if (c->v == NULL)
		return ST_NOMEM;
	return vault_create(c->v, c->dir, "sup", P_SUP, strlen(P_SUP), &fast);
}

static enum status
op_open(struct ctx *c)
{
	c->v = vault_new();
	if (c->v == NULL)
		return ST_NOMEM;
	return vault_open(c->v, c->dir);
}

static enum status
op_unlock(struct ctx *c)
{
	return vault_unlock(c->v, "ivw", P_IVW, strlen(P_IVW));
}

static enum status
op_record_put(struct ctx *c)
{
	struct record_id id;

	return vault_record_put(c->v, rec_json, sizeof rec_json - 1, rec_sum, sizeof rec_sum - 1, &id);
}

static enum status
op_record_save(struct ctx *c)
{
	struct record_id id;

	return record_save(c->v, c->iv, &id);
}

static enum status
op_draft_new(struct ctx *c)
{
	struct record_id id;

	memset(&id, 0, sizeof id);
	return vault_draft_put(c->v, &id, draft_json, sizeof draft_json - 1);
}

static enum status
op_draft_overwrite(struct ctx *c)
{
	struct record_id id = c->d1;

	return vault_draft_put(c->v, &id, draft_json, sizeof draft_json - 1);
}

static enum status
op_replace(struct ctx *c)
{
	return vault_record_replace(c->v, &c->r1, rec_json, sizeof rec_json - 1, rec_sum,
	    sizeof rec_sum - 1);
}

static enum status
op_user_add(struct ctx *c)
{
	return vault_user_add(c->v, "neu", ROLE_INTERVIEWER, P_NEU, strlen(P_NEU), &fast);
}

static enum status
op_passwd(struct ctx *c)
{
	return vault_user_passwd(c->v, "ivw", P_IVW2, strlen(P_IVW2));
}

static enum status
op_user_remove(struct ctx *c)
{
	return vault_user_remove(c->v, "ivw");
}

static enum status
op_draft_delete(struct ctx *c)
{
	return vault_draft_delete(c->v, &c->d1);
}

static enum status
op_form_put(struct ctx *c)
{
	char hash[65];

	return vault_form_put(c->v, form_src, sizeof form_src - 1, hash);
}

static enum status
op_amend(struct ctx *c)
{
	return vault_record_amend(c->v, &c->r1, rec_json, sizeof rec_json - 1, NULL, 0,
	    "the respondent corrected an answer");
}

static enum status
op_delete(struct ctx *c)
{
	return vault_record_delete(c->v, &c->r1, "the respondent withdrew consent");
}

/* The entry an export writes before its first byte (audit_log_data). */
static enum status
op_audit_data(struct ctx *c)
{
	return audit_log_data(c->v, AUDIT_EXPORT, 3, "csv, form (all), to out.csv");
}

/* The copy goes beside the working vault; check_backup() judges it. */
static enum status
op_backup(struct ctx *c)
{
	char dest[PATH_MAX];

	path_join(dest, c->dir, "../backup");
	return vault_backup(c->v, dest);
}

static enum status
op_close(struct ctx *c)
{
	vault_close(c->v);
	c->v = NULL;
	return ST_OK;
}

static const struct op ops[] = {
	{ "create", 0, op_create, { { "sup", { P_SUP, NULL } } } },
	{ "open", 0, op_open, { { NULL, { NULL } } } },
	{ "unlock", 1, op_unlock, { { NULL, { NULL } } } },
	{ "record put", 2, op_record_put, { { NULL, { NULL } } } },
	{ "record save", 2, op_record_save, { { NULL, { NULL } } } },
	{ "draft put (new)", 2, op_draft_new, { { NULL, { NULL } } } },
	{ "draft put (overwrite)", 2, op_draft_overwrite, { { NULL, { NULL } } } },
	{ "record replace", 2, op_replace, { { NULL, { NULL } } } },
	{ "user add", 2, op_user_add, { { "neu", { P_NEU, NULL } } } },
	{ "user passwd", 2, op_passwd, { { "ivw", { P_IVW, P_IVW2 } } } },
	{ "user remove", 2, op_user_remove, { { "ivw", { P_IVW, NULL } } } },
	{ "draft delete", 2, op_draft_delete, { { NULL, { NULL } } } },
	{ "form put", 2, op_form_put, { { NULL, { NULL } } } },
	{ "record amend", 2, op_amend, { { NULL, { NULL } } } },
	{ "record delete", 2, op_delete, { { NULL, { NULL } } } },
	{ "export audit entry", 2, op_audit_data, { { NULL, { NULL } } } },
	{ "backup", 1, op_backup, { { NULL, { NULL } } } },
	{ "lock and close", 2, op_close, { { NULL, { NULL } } } },
};

static size_t
ncands(const struct op *op)
{
	return op->cands[0].user == NULL ? 0 : op->cands[1].user == NULL ? 1 : 2;
}

/* ---- the reference vault ------------------------------------------------------ */

struct refs {
	char ref[PATH_MAX];
	struct record_id r1, d1;
};

static int
make_reference(const char *tmp, struct form *form, struct refs *r)
{
	struct vault *v = vault_new();
	struct record_id id;
	char hash[65];
	int ok;

	path_join(r->ref, tmp, "ref");
	if (v == NULL)
		return -1;
	memset(&r->d1, 0, sizeof r->d1);
	ok = vault_create(v, r->ref, "sup", P_SUP, strlen(P_SUP), &fast) == ST_OK &&
	    vault_user_add(v, "ivw", ROLE_INTERVIEWER, P_IVW, strlen(P_IVW), &fast) == ST_OK &&
	    vault_record_put(v, "{\"n\":1}", 7, "{\"s\":1}", 7, &r->r1) == ST_OK &&
	    vault_record_put(v, "{\"n\":2}", 7, "{\"s\":2}", 7, &id) == ST_OK &&
	    vault_record_replace(v, &id, "{\"n\":3}", 7, NULL, 0) == ST_OK &&
	    vault_draft_put(v, &r->d1, "{\"d\":1}", 7) == ST_OK &&
	    vault_form_put(v, form_source(form, NULL), strlen(form_source(form, NULL)), hash) == ST_OK &&
	    form_set_hash(form, hash) == ST_OK &&
	    vault_unlock(v, "ivw", P_IVW, strlen(P_IVW)) == ST_OK &&
	    vault_record_put(v, "{\"n\":4}", 7, NULL, 0, &id) == ST_OK &&
	    vault_draft_put(v, &id, "{\"d\":2}", 7) == ST_OK;
	if (!ok)
		fprintf(stderr, "inject: reference vault: %s\n", vault_errmsg(v));
	vault_close(v);
	return ok ? 0 : -1;
}

/* ---- one failure ------------------------------------------------------------- */

struct run {
	enum status st;
	int fired;
	unsigned long calls;
	const char *point;
	char msg[VAULT_MSG_MAX];
};

/* Prepares a handle as the op needs, runs it with the armed failure, and
 * leaves the handle in c->v. Returns -1 if the preparation failed. */
static int
run_op(const struct op *op, struct ctx *c, const struct refs *r, enum fclass cls,
    unsigned long n, int persistent, int err, struct run *out)
{
	c->v = NULL;
	c->r1 = r->r1;
	c->d1 = r->d1;
	if (op->run == op_create)
		rm_rf(c->dir);
	else if (vault_copy(r->ref, c->dir) != 0)
		return -1;
	if (op->run == op_backup) {
		char dest[PATH_MAX];

		path_join(dest, c->dir, "../backup");
		rm_rf(dest);
	}
	if (op->needs_handle > 0) {
		c->v = vault_new();
		if (c->v == NULL || vault_open(c->v, c->dir) != ST_OK)
			return -1;
		if (op->needs_handle > 1 && vault_unlock(c->v, "sup", P_SUP, strlen(P_SUP)) != ST_OK)
			return -1;
	}
	arm(cls, n, persistent, err);
	out->st = op->run(c);
	disarm();
	out->fired = fc.fired;
	out->calls = fc.calls;
	out->point = fc.point;
	snprintf(out->msg, sizeof out->msg, "%s", c->v != NULL ? vault_errmsg(c->v) : "");
	return 0;
}

static void
first_diff(const char *a, const char *b, char *out, size_t len)
{
	size_t i = 0, line = 0;

	while (a[i] != '\0' && a[i] == b[i])
		if (a[i++] == '\n')
			line = i;
	snprintf(out, len, "wanted \"%.60s\", found \"%.60s\"", a + line, b + line);
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = '|';
}

/* A backup that failed leaves nothing; one that worked opens and holds
 * what the vault held. Returns 1 (and says so) when not. */
static int
check_backup(const char *dir, enum status st, const char *want, const char *cls,
    const char *point, unsigned long n)
{
	char dest[PATH_MAX], diff[200];
	struct stat sb;
	char *got;
	int bad = 0;

	path_join(dest, dir, "../backup");
	if (st != ST_OK) {
		if (lstat(dest, &sb) == 0) {
			say_notok("backup: after a %s failure at %s (call %lu) something is left at "
			    "the destination", cls, point, n);
			bad = 1;
		}
	} else {
		got = snapshot(dest, NULL, 0);
		if (strcmp(got, want) != 0) {
			first_diff(want, got, diff, sizeof diff);
			say_notok("backup: after a %s failure at %s (call %lu) it reported success but "
			    "the copy differs: %s", cls, point, n, diff);
			bad = 1;
		}
		free(got);
	}
	rm_rf(dest);
	return bad;
}

struct tally {
	unsigned long points, runs;
};

/* All N for one op, class and mode. */
static void
inject_all(const struct op *op, const struct refs *r, struct ctx *c, enum fclass cls,
    int persistent, int err, const char *before, struct tally *tally)
{
	const char *mode = persistent ? "persistent" : "transient";
	char *after, *now, diff[200], sample[VAULT_MSG_MAX] = "";
	unsigned long total, n, recovered = 0, reopen = 0;
	long secure_base;
	struct run rr;
	int bad = 0;

	/* The counting run: how many calls of this class the op makes. */
	if (run_op(op, c, r, cls, 0, 0, err, &rr) != 0 || rr.st != ST_OK) {
		say_notok("%s: the operation fails with nothing injected: %s", op->name, rr.msg);
		vault_close(c->v);
		return;
	}
	total = rr.calls;
	vault_close(c->v);
	after = snapshot(c->dir, op->cands, ncands(op));
	if (strcmp(after, before) == 0 && op->run != op_unlock && op->run != op_open &&
	    op->run != op_close && op->run != op_backup) {
		say_notok("%s: the operation changed nothing", op->name);
		free(after);
		return;
	}

	secure_base = secure_live;
	for (n = 1; n <= total + 1 && !bad; n++) {
		if (run_op(op, c, r, cls, n, persistent, err, &rr) != 0) {
			say_notok("%s, %s %s failure %lu: cannot prepare the run", op->name,
			    class_name[cls], mode, n);
			bad = 1;
			break;
		}
		if (!rr.fired) {
			/* Past the last call: the op completed. */
			vault_close(c->v);
			c->v = NULL;
			break;
		}
		tally->runs++;
		if (rr.st == ST_OK) {
			recovered++;
		} else if (rr.msg[0] == '\0' && rr.st != ST_NOMEM) {
			say_notok("%s: %s %s failure at %s (call %lu) gave %s without a message",
			    op->name, class_name[cls], mode, rr.point, n, status_str(rr.st));
			bad = 1;
		} else if (sample[0] == '\0' && rr.msg[0] != '\0') {
			snprintf(sample, sizeof sample, "%s", rr.msg);
		}
		/* The same handle, nothing armed: a retry succeeds, or the
		 * handle says the vault must be reopened. */
		if (!bad && rr.st != ST_OK && !persistent && c->v != NULL && op->run != op_create &&
		    op->run != op_open) {
			enum status st2 = op->run(c);
			if (st2 != ST_OK && strstr(c->v != NULL ? vault_errmsg(c->v) : "", "open the vault again") != NULL) {
				reopen++;
			} else if (st2 != ST_OK) {
				say_notok("%s: retry after a %s failure at %s (call %lu) fails: %s",
				    op->name, class_name[cls], rr.point, n,
				    c->v != NULL ? vault_errmsg(c->v) : "");
				bad = 1;
			} else {
				rr.st = ST_OK;
			}
		}
		vault_close(c->v);
		c->v = NULL;
		if (secure_live != secure_base) {
			say_notok("%s: %s %s failure at %s (call %lu) leaks %ld secure allocations",
			    op->name, class_name[cls], mode, rr.point, n, secure_live - secure_base);
			secure_live = secure_base;
			bad = 1;
		}
		now = snapshot(c->dir, op->cands, ncands(op));
		if (!bad && strcmp(now, rr.st == ST_OK ? after : before) != 0 &&
		    !(cls == F_SYNC && strcmp(now, after) == 0)) {
			first_diff(rr.st == ST_OK ? after : before, now, diff, sizeof diff);
			say_notok("%s: after a %s %s failure at %s (call %lu, %s) the vault is "
			    "not in its %s state: %s", op->name, class_name[cls], mode, rr.point, n,
			    status_str(rr.st), rr.st == ST_OK ? "new" : "previous", diff);
			bad = 1;
		}
		free(now);
		if (op->run == op_backup && !bad)
			bad = check_backup(c->dir, rr.st, before, class_name[cls], rr.point, n);
		if (op->run == op_create && rr.st != ST_OK && !bad) {
			/* Nothing half-made is left in the way of a new attempt. */
			struct vault *v2 = vault_new();
			if (vault_create(v2, c->dir, "sup", P_SUP, strlen(P_SUP), &fast) != ST_OK) {
				say_notok("create: after a %s failure at %s (call %lu), creating again "
				    "fails: %s", class_name[cls], rr.point, n, vault_errmsg(v2));
				bad = 1;
			}
			vault_close(v2);
		}
	}
	if (!bad && n > total + 1 && total > 0) {
		say_notok("%s: %s failures never end (%lu calls counted)", op->name, class_name[cls],
		    total);
		bad = 1;
	}
#ifdef HAVE_LSAN
	if (!bad && __lsan_do_recoverable_leak_check() != 0) {
		say_notok("%s: heap leaks after %s %s failures (see the report above)", op->name,
		    class_name[cls], mode);
		bad = 1;
	}
#endif
	if (!bad) {
		tally->points += total;
		if (total == 0)
			say_ok("%s makes no %s call", op->name, class_name[cls]);
		else
			say_ok("%s: %s %s failure at each of %lu calls reported, vault kept%s%s "
			    "(%lu recovered, %lu asked to reopen)%s%s", op->name, class_name[cls], mode,
			    total, persistent ? "" : ", retry works",
#ifdef HAVE_LSAN
			    ", no leak",
#else
			    ", secure memory freed",
#endif
			    recovered, reopen, sample[0] ? "; e.g. " : "", sample);
	}
	free(after);
}

/* ---- full disk and read-only vaults ------------------------------------------ */

/* Saves records until the vault refuses; checks that every record saved
 * before is there. Returns the status that stopped it. */
static enum status
fill(struct vault *v, unsigned max, unsigned *saved, char *msg, size_t msglen)
{
	static char big[6000];
	struct record_id id;
	enum status st = ST_OK;

	memset(big, 'x', sizeof big);
	big[0] = '{';
	big[sizeof big - 1] = '}';
	for (*saved = 0; *saved < max; (*saved)++) {
		st = vault_record_put(v, big, sizeof big, NULL, 0, &id);
		if (st != ST_OK)
			break;
	}
	snprintf(msg, msglen, "%s", vault_errmsg(v));
	return st;
}

static unsigned
count_records(const char *dir)
{
	struct record_id *ids = NULL;
	struct vault *v = vault_new();
	char *json;
	size_t n = 0, len, good = 0;

	if (v == NULL || vault_open(v, dir) != ST_OK ||
	    vault_unlock(v, "sup", P_SUP, strlen(P_SUP)) != ST_OK ||
	    vault_record_list(v, &ids, &n) != ST_OK) {
		vault_close(v);
		return (unsigned)-1;
	}
	for (size_t i = 0; i < n; i++) {
		if (vault_record_get(v, &ids[i], &json, &len) == ST_OK) {
			good++;
			vault_plain_free(json, len);
		}
	}
	free(ids);
	vault_close(v);
	return good == n ? (unsigned)n : (unsigned)-1;
}

static void
map_full(const char *tmp)
{
	char dir[PATH_MAX], msg[VAULT_MSG_MAX];
	struct vault *v = vault_new();
	unsigned saved = 0;
	enum status st;

	path_join(dir, tmp, "mapfull");
	vault_set_map_size(v, 64 * 1024, 512 * 1024);
	if (vault_create(v, dir, "sup", P_SUP, strlen(P_SUP), &fast) != ST_OK) {
		say_notok("map full: cannot create: %s", vault_errmsg(v));
		vault_close(v);
		return;
	}
	st = fill(v, 10000, &saved, msg, sizeof msg);
	vault_close(v);
	if (st != ST_FULL || strstr(msg, "vault is full") == NULL)
		say_notok("map full: the vault stopped with %s: %s", status_str(st), msg);
	else if (count_records(dir) != saved)
		say_notok("map full: %u records saved before the map was full, %u readable after",
		    saved, count_records(dir));
	else
		say_ok("map full: past the largest map (512 KiB here) a save says \"%s\"; the %u "
		    "records saved before all read back", msg, saved);
	rm_rf(dir);
}

/* In a child with its own mount namespace: a 1 MiB tmpfs holding the vault.
 * Exit 0: ENOSPC reported and the vault intact; 1: failed; 2: cannot mount. */
static int
tmpfs_full_child(const char *tmp, char *msg, size_t msglen)
{
	char mnt[PATH_MAX], dir[PATH_MAX];
	struct vault *v;
	unsigned saved = 0;
	enum status st;

	path_join(mnt, tmp, "tmpfs");
	path_join(dir, mnt, "vault");
	if (mkdir(mnt, 0700) != 0 || unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0)
		return 2;
	v = vault_new();
	if (vault_create(v, dir, "sup", P_SUP, strlen(P_SUP), &fast) != ST_OK) {
		snprintf(msg, msglen, "cannot create: %s", vault_errmsg(v));
		return 1;
	}
	st = fill(v, 10000, &saved, msg, msglen);
	vault_close(v);
	if (st != ST_FULL || strstr(msg, "no space left") == NULL || saved == 0)
		return 1;
	if (count_records(dir) != saved) {
		snprintf(msg, msglen, "%u records saved before the disk was full, %u readable "
		    "after", saved, count_records(dir));
		return 1;
	}
	/* A full disk must not stop anyone from reading. */
	umount(mnt);
	return 0;
}

static void
disk_full(const char *tmp)
{
	char msg[VAULT_MSG_MAX] = "";
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	if (pipe(fds) != 0)
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int rc;

		close(fds[0]);
		rc = tmpfs_full_child(tmp, msg, sizeof msg);
		if (real_write(fds[1], msg, strlen(msg)) < 0)
			rc = 1;
		_exit(rc);
	}
	close(fds[1]);
	got = read(fds[0], msg, sizeof msg - 1);
	msg[got > 0 ? got : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		say_ok("disk full: on a full 1 MiB tmpfs a save says \"%s\"; every record saved "
		    "before reads back", msg);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		say_ok("disk full: tmpfs # SKIP mounting a tmpfs is not allowed here (ENOSPC is "
		    "covered by write failures with ENOSPC above, and test_vault limits the file "
		    "size with RLIMIT_FSIZE)");
	else
		say_notok("disk full on tmpfs: %s (status %d)", msg, status);
}

/* The vault is the reference copy; tries to read and to save in it. */
static int
try_vault(const char *dir, char *msg, size_t msglen, int *read_ok)
{
	struct vault *v = vault_new();
	struct record_id id;
	enum status st;

	*read_ok = 0;
	st = vault_open(v, dir);
	if (st == ST_OK && (st = vault_unlock(v, "sup", P_SUP, strlen(P_SUP))) == ST_OK) {
		*read_ok = 1;
		st = vault_record_put(v, rec_json, sizeof rec_json - 1, NULL, 0, &id);
	}
	snprintf(msg, msglen, "%s", vault_errmsg(v));
	vault_close(v);
	return st;
}

/* Read-only bind mount: EROFS. Exit 0 ok, 1 failed, 2 cannot mount. */
static int
readonly_mount_child(const char *dir, char *msg, size_t msglen)
{
	unsigned before = count_records(dir);
	enum status st;
	int read_ok;

	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount(dir, dir, NULL, MS_BIND, NULL) != 0 ||
	    mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0)
		return 2;
	st = try_vault(dir, msg, msglen, &read_ok);
	umount(dir);
	if (st == ST_OK || msg[0] == '\0')
		return 1;
	return count_records(dir) == before ? 0 : 1;
}

/* Files read-only for their owner, as an unprivileged user. */
static int
readonly_files_child(const char *dir, char *msg, size_t msglen)
{
	char data[PATH_MAX], lock[PATH_MAX];
	enum status st;
	int read_ok;

	path_join(data, dir, "data.mdb");
	path_join(lock, dir, "lock.mdb");
	if (geteuid() == 0) {
		if (chown(dir, 65534, 65534) != 0 || chown(data, 65534, 65534) != 0 ||
		    (access(lock, F_OK) == 0 && chown(lock, 65534, 65534) != 0) ||
		    setgid(65534) != 0 || setuid(65534) != 0)
			return 2;
	}
	if (chmod(data, 0400) != 0 || chmod(dir, 0500) != 0)
		return 1;
	st = try_vault(dir, msg, msglen, &read_ok);
	return st != ST_OK && msg[0] != '\0' ? 0 : 1;
}

static void
readonly(const char *tmp, const struct refs *r, int mount_kind)
{
	char dir[PATH_MAX], msg[VAULT_MSG_MAX] = "";
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	path_join(dir, tmp, "readonly");
	if (vault_copy(r->ref, dir) != 0 || pipe(fds) != 0) {
		say_notok("read-only: cannot prepare");
		return;
	}
	/* The unprivileged owner must reach the vault through tmp. */
	chmod(tmp, 0711);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int rc;

		close(fds[0]);
		rc = mount_kind ? readonly_mount_child(dir, msg, sizeof msg)
		    : readonly_files_child(dir, msg, sizeof msg);
		if (real_write(fds[1], msg, strlen(msg)) < 0)
			rc = 1;
		_exit(rc);
	}
	close(fds[1]);
	got = read(fds[0], msg, sizeof msg - 1);
	msg[got > 0 ? got : 0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	chmod(tmp, 0700);
	chmod(dir, 0700);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		say_ok("read-only vault (%s): refused with \"%s\"; nothing changed",
		    mount_kind ? "read-only bind mount" : "files 0400 in a 0500 directory, "
		    "unprivileged owner", msg);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		say_ok("read-only vault (%s) # SKIP %s", mount_kind ? "bind mount" : "permissions",
		    mount_kind ? "bind mounts are not allowed here" :
		    "cannot drop privileges to uid 65534 here");
	else
		say_notok("read-only vault (%s): %s (status %d)",
		    mount_kind ? "read-only bind mount" : "read-only files", msg, status);
	rm_rf(dir);
}

int
main(void)
{
	static const struct { enum fclass cls; int persistent; int err; } passes_[] = {
		{ F_LMDB, 0, 0 }, { F_FULL, 0, 0 },
		{ F_SECURE, 0, 0 }, { F_SECURE, 1, 0 },
		{ F_MALLOC, 0, 0 }, { F_MALLOC, 1, 0 },
		{ F_WRITE, 0, EIO }, { F_WRITE, 1, ENOSPC },
		{ F_SYNC, 0, EIO },
	};
	const char *base = getenv("TMPDIR"), *only = getenv("INJECT_ONLY");
	const char *form_path = getenv("INJECT_FORM");
	struct tally tally = { 0, 0 };
	struct refs refs;
	struct ctx c;
	struct form *form = NULL;
	char tmp[PATH_MAX], work[PATH_MAX];
	char *before;

	resolve_io();
	signal(SIGXFSZ, SIG_IGN);
	/* Thousands of durable commits: on tmpfs a sync costs nothing, and
	 * the failure paths are the same on any file system. */
	if (access("/dev/shm", W_OK) == 0 && getenv("INJECT_ON_DISK") == NULL)
		base = "/dev/shm";
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/intake-inject.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp") >= sizeof tmp || mkdtemp(tmp) == NULL) {
		say_notok("cannot make a temporary directory");
		return 1;
	}
	path_join(work, tmp, "work");
	if (form_load_file(form_path != NULL ? form_path : "forms/screening-short.yaml", &form,
	    NULL) != ST_OK) {
		say_notok("cannot load the short form (set INJECT_FORM)");
		return 1;
	}
	crypto_digest_hex(form_hashes[0], form_src, sizeof form_src - 1);
	crypto_digest_hex(form_hashes[1], form_source(form, NULL), strlen(form_source(form, NULL)));
	if (make_reference(tmp, form, &refs) != 0) {
		say_notok("cannot make the reference vault");
		return 1;
	}
	memset(&c, 0, sizeof c);
	c.dir = work;
	c.form = form;
	/* Answers, indicators, consent and an outcome: every part of a record. */
	if (interview_start(form, NULL, &c.iv) != ST_OK ||
	    interview_set_interviewer(c.iv, "sup") != ST_OK ||
	    interview_answer_id(c.iv, "danger_now", "no") != ST_OK ||
	    interview_answer_id(c.iv, "consent_interview", "yes") != ST_OK ||
	    interview_answer_id(c.iv, "consent_referral", "yes") != ST_OK ||
	    interview_answer_id(c.iv, "consent_statistics", "no") != ST_OK ||
	    interview_answer_id(c.iv, "age_band", "age_18_20") != ST_OK ||
	    interview_answer_id(c.iv, "sector", "factory fishing") != ST_OK ||
	    interview_answer_id(c.iv, "job_different", "yes") != ST_OK ||
	    interview_answer_id(c.iv, "debt_work_off", "yes") != ST_OK ||
	    interview_stop(c.iv, "fault_test") != ST_OK || interview_outcome(c.iv) < 0) {
		say_notok("cannot prepare an interview");
		return 1;
	}
#ifndef HAVE_LSAN
	printf("# not an ASan build: heap leaks are not checked (make inject checks them)\n");
#endif
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		const struct op *op = &ops[i];

		if (only != NULL && strstr(op->name, only) == NULL)
			continue;
		/* Snapshots unlock, which writes to the audit trail: take them
		 * on a copy, never on the reference. */
		if (op->run == op_create)
			rm_rf(work);
		else if (vault_copy(refs.ref, work) != 0)
			abort();
		before = snapshot(work, op->cands, ncands(op));
		for (size_t p = 0; p < sizeof passes_ / sizeof passes_[0]; p++)
			inject_all(op, &refs, &c, passes_[p].cls, passes_[p].persistent, passes_[p].err,
			    before, &tally);
		free(before);
	}
	if (only == NULL) {
		map_full(tmp);
		disk_full(tmp);
		readonly(tmp, &refs, 1);
		readonly(tmp, &refs, 0);
	}
	printf("# inject figures: points=%lu runs=%lu\n", tally.points, tally.runs);
	interview_free(c.iv);
	form_free(form);
	if (failures == 0)
		rm_rf(tmp);
	else
		printf("# kept %s\n", tmp);
	return failures == 0 ? 0 : 1;
}
