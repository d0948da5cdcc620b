/*
 * vault_store.c — the vault as an LMDB environment: the handle and its
 * messages, durable write transactions (vault_write_txn) and map growth, the
 * directory and its two files as checked at open, creating and opening a
 * vault (meta, the first supervisor), closing it, and group sharing.
 * The vault's format is described in vault_int.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>
#include <unistr.h>

#include "addrspace.h"
#include "clock.h"
#include "pagecheck.h"
#include "vault_int.h"

static enum status group_apply(struct vault *v);
static void mark_clean_close(struct vault *v);
static enum status map_nomem(struct vault *v, const char *what);


/* Whether table i must exist in this vault (see enum db). */
static int
db_required(int training, int i)
{
	return i < DB_TRAINING_ONLY || (i == DB_DEBRIEFS && training);
}

enum status
vault_fail(struct vault *v, enum status st, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		snprintf(v->msg, sizeof v->msg, "%s", status_str(st));
	else if ((size_t)n >= sizeof v->msg)
		memcpy(v->msg + sizeof v->msg - 4, "...", 4);
	return st;
}

enum status
vault_check_kdf(struct vault *v, const struct vault_kdf *kdf)
{
	if (kdf->ops < CRYPTO_PASSKEY_OPS_MIN || kdf->ops > CRYPTO_PASSKEY_OPS_MAX ||
	    kdf->mem_mib < CRYPTO_PASSKEY_MEM_MIN || kdf->mem_mib > CRYPTO_PASSKEY_MEM_MAX ||
	    (uint64_t)kdf->mem_mib > SIZE_MAX / (1024 * 1024))
		return vault_fail(v, ST_INVALID,
		    "Argon2id limits out of range: ops must be %d..%d and memory %d..%d MiB",
		    CRYPTO_PASSKEY_OPS_MIN, CRYPTO_PASSKEY_OPS_MAX,
		    CRYPTO_PASSKEY_MEM_MIN, CRYPTO_PASSKEY_MEM_MAX);
	return ST_OK;
}

/* ---- handle, errors, LMDB plumbing --------------------------------------- */

struct vault *
vault_new(void)
{
	struct vault *v;

	if (crypto_init() != ST_OK)
		return NULL;
	v = calloc(1, sizeof *v);
	if (v == NULL)
		return NULL;
	v->kr = secure_alloc(sizeof *v->kr);
	if (v->kr == NULL) {
		free(v);
		return NULL;
	}
	secure_wipe(v->kr, sizeof *v->kr);
	v->map_initial = MAP_INITIAL;
	v->map_max = MAP_MAX;
	v->role = ROLE_INTERVIEWER;
	v->lock_fd = -1;
	return v;
}

const char *
vault_errmsg(const struct vault *v)
{
	if (v == NULL)
		return "out of memory";
	return v->msg;
}

void
vault_set_map_size(struct vault *v, size_t initial, size_t max)
{
	if (initial > 0)
		v->map_initial = initial;
	if (max > 0)
		v->map_max = max;
	if (v->map_max < v->map_initial)
		v->map_max = v->map_initial;
}

size_t
vault_map_size(const struct vault *v)
{
	MDB_envinfo info;

	if (!v->is_open || mdb_env_info(v->env, &info) != 0)
		return 0;
	return info.me_mapsize;
}

void
vault_set_training(struct vault *v, int training)
{
	if (!v->is_open)
		v->training = training != 0;
}

int
vault_is_training(const struct vault *v)
{
	return v != NULL && v->is_open && v->training;
}

enum status
vault_check_training(struct vault *v, int training)
{
	if (!v->is_open)
		return vault_fail(v, ST_INVALID, "no vault is open");
	if (training && !v->training)
		return vault_fail(v, ST_DENIED, "%s is a real vault: training records and debriefs "
		    "(fictional cases) are kept only in the training vault; use `intake --training`",
		    v->dir);
	if (!training && v->training)
		return vault_fail(v, ST_DENIED,
		    "%s is a training vault, for fictional cases only: keep "
		    "real interviews in the real vault (run intake without --training)", v->dir);
	return ST_OK;
}

void
vault_set_shared(struct vault *v, int group_shared)
{
	v->shared = group_shared != 0;
}

static mode_t
file_mode(const struct vault *v)
{
	return v->shared ? 0660 : 0600;
}

static mode_t
dir_mode(const struct vault *v)
{
	return v->shared ? (S_ISGID | S_ISVTX | 0770) : 0700;
}

/* Maps an LMDB or errno code to a status and a message that says what to do.
 * `what` names the operation ("saving the record"). */
enum status
vault_fail_mdb(struct vault *v, int rc, const char *what)
{
	switch (rc) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return vault_fail(v, ST_FULL,
		    "no space left on the disk holding the vault at %s while %s "
		    "(%s): free some space and try again; nothing was saved",
		    v->dir, what, mdb_strerror(rc));
	case MDB_MAP_FULL:
		if (v->map_max >= ((size_t)1 << 20))
			return vault_fail(v, ST_FULL,
			    "vault is full: it reached %zu MiB, the largest size "
			    "this intake allows, while %s; export and archive older records",
			    v->map_max >> 20, what);
		return vault_fail(v, ST_FULL, "vault is full: it reached %zu KiB, the largest size "
		    "this intake allows, while %s; export and archive older records",
		    v->map_max >> 10, what);
	case MDB_MAP_RESIZED:
		return vault_fail(v, ST_BUSY,
		    "another intake enlarged the vault while it was being "
		    "scanned: try again");
	case MDB_READERS_FULL:
		return vault_fail(v, ST_BUSY,
		    "too many programs have the vault at %s open: close some "
		    "and try again", v->dir);
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_BAD_DBI:
		return vault_fail(v, ST_TAMPERED,
		    "the vault database at %s is damaged (%s while %s): "
		    "restore the vault from a backup", v->dir, mdb_strerror(rc), what);
	case MDB_VERSION_MISMATCH:
		return vault_fail(v, ST_FORMAT,
		    "the vault at %s was written by an incompatible LMDB "
		    "version: use the intake that created it", v->dir);
	case MDB_PANIC:
		return vault_fail(v, ST_IO,
		    "the vault at %s hit a fatal write error while %s: close "
		    "intake and open the vault again", v->dir, what);
	case EACCES:
	case EPERM:
	case EROFS:
		return vault_fail(v, ST_IO,
		    "cannot write to the vault at %s while %s (%s): check that "
		    "it belongs to you and the disk is not read-only", v->dir, what, mdb_strerror(rc));
	case ENOMEM:
		return map_nomem(v, what);
	case MDB_TXN_FULL:
		return vault_fail(v, ST_INVALID,
		    "the item is too large to save in one step while %s", what);
	default:
		return vault_fail(v, ST_IO, "%s failed: %s", what, mdb_strerror(rc));
	}
}

/* Starts a transaction, adopting a map that another process has grown. */
int
vault_txn_begin(struct vault *v, unsigned flags, MDB_txn **txn)
{
	int rc;

	for (int tries = 0; ; tries++) {
		rc = mdb_txn_begin(v->env, NULL, flags, txn);
		/* Remapping is only allowed with no transaction open in this
		 * process; a running scan holds one. */
		if (rc != MDB_MAP_RESIZED || tries == 8 || v->scanning)
			return rc;
		rc = mdb_env_set_mapsize(v->env, 0);
		if (rc != 0)
			return rc;
	}
}

/* LMDB maps the file read-only and shared: dropping the process's view of
 * its pages loses nothing (a later read faults them in again from the page
 * cache), even while a read transaction points into them. Without it a
 * scan of a million records kept the whole file resident, gigabytes.
 * LMDB does not say where its map is (mdb_env_info gives the address
 * only for MDB_FIXEDMAP), so the mapping that holds a value just read is
 * looked up in /proc/self/maps; only a shared mapping that cannot be
 * written is ever released (for any other, MADV_DONTNEED would lose data). */
#define MAP_TICK ((size_t)32 << 20)

/* madvise(advice) on the read-only shared mapping that holds inside. */
static void
map_advise(const void *inside, int advice)
{
	uintptr_t at = (uintptr_t)inside;
	char line[512];
	FILE *maps;

	if ((maps = fopen("/proc/self/maps", "re")) == NULL)
		return;
	while (fgets(line, sizeof line, maps) != NULL) {
		unsigned long long lo, hi;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) != 3 || at < lo || at >= hi)
			continue;
		if (perms[0] == 'r' && perms[1] == '-' && perms[3] == 's')
			(void)madvise((void *)(uintptr_t)lo, (size_t)(hi - lo), advice);
		break;
	}
	fclose(maps);
}

void
vault_map_random(struct vault *v, const void *inside, bool random)
{
	if (v->env != NULL && inside != NULL)
		map_advise(inside, random ? MADV_RANDOM : MADV_NORMAL);
}

static void
map_release(const void *inside)
{
	map_advise(inside, MADV_DONTNEED);
}

static size_t map_tick = MAP_TICK;

void
vault_test_map_tick(size_t bytes)
{
	map_tick = bytes != 0 ? bytes : MAP_TICK;
}

void
vault_map_lookups(struct vault *v, MDB_txn *txn, MDB_val *touch)
{
	MDB_cursor *cur;
	MDB_val k, d;

	touch->mv_size = MAP_LOOKUP_COST;
	touch->mv_data = NULL;
	if (mdb_cursor_open(txn, v->dbi[DB_RECORDS], &cur) != 0)
		return;
	if (mdb_cursor_get(cur, &k, &d, MDB_FIRST) == 0)
		touch->mv_data = d.mv_data;
	mdb_cursor_close(cur);
}

void
vault_map_tick(struct vault *v, const MDB_val *val)
{
	static size_t read_since;
	static const void *inside;

	if (val != NULL && val->mv_data == NULL)
		return;         /* vault_map_lookups found no map to let go of */
	if (val != NULL) {
		/* Each item may cost a page of its own besides its bytes
		 * (lookups beside the scan, half-full leaves). */
		inside = val->mv_data;
		read_since += val->mv_size + 4096;
		if (read_since < map_tick)
			return;
	}
	read_since = 0;
	if (v->env != NULL && inside != NULL)
		map_release(inside);
}

static enum status
map_grow(struct vault *v, const char *what)
{
	MDB_envinfo info;
	size_t next, max = v->map_max + (v->headroom ? HEADROOM : 0);
	int rc;

	mdb_env_info(v->env, &info);
	if (info.me_mapsize >= max)
		return vault_fail_mdb(v, MDB_MAP_FULL, what);
	next = info.me_mapsize > max / 2 ? max : info.me_mapsize * 2;
	rc = mdb_env_set_mapsize(v->env, next);
	if (rc != 0)
		return vault_fail_mdb(v, rc, what);
	return ST_OK;
}

/* LMDB reports a short write as EIO, and a disk that fills up in the middle
 * of a commit gives a short write, not ENOSPC. With less room left than the
 * largest item could need, a full disk is the likely cause: say so. */
static int
disk_nearly_full(const struct vault *v)
{
	struct statvfs fs;
	unsigned long long avail;

	if (statvfs(v->dir, &fs) != 0)
		return 0;
	avail = (unsigned long long)(geteuid() == 0 ? fs.f_bfree : fs.f_bavail) * fs.f_frsize;
	return avail < ITEM_MAX + ((unsigned long long)1 << 20);
}

/* Runs fn in one durable write transaction; on a full map, grows it and runs
 * fn again from the start, so fn must not keep state between attempts. */
enum status
vault_write_txn(struct vault *v, const char *what, txn_fn fn, void *arg)
{
	MDB_txn *txn;
	enum status st;
	int rc;

	/* A scan holds a read snapshot and the scratch buffer; growing the map
	 * under it is not allowed by LMDB. */
	if (v->scanning)
		return vault_fail(v, ST_BUSY, "cannot save while the vault is being scanned");
	for (;;) {
		rc = vault_txn_begin(v, 0, &txn);
		if (rc != 0)
			return vault_fail_mdb(v, rc, what);
		v->txn_status = ST_OK;
		v->wtxn = txn;
		rc = fn(v, txn, arg);
		v->wtxn = NULL;
		vault_pack_settle(v);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
		if (rc == 0)
			return ST_OK;
		if (rc == TXN_FAILED)
			return v->txn_status;
		if (rc == EIO && disk_nearly_full(v))
			rc = ENOSPC;
		if (rc != MDB_MAP_FULL)
			return vault_fail_mdb(v, rc, what);
		st = map_grow(v, what);
		if (st != ST_OK)
			return st;
	}
}

static atomic_size_t helper_wakes;

size_t
vault_test_helper_wakes(void)
{
	return atomic_exchange(&helper_wakes, 0);
}

int
vault_helper_start(struct vault_helper *h, void *(*fn)(void *), void *arg)
{
	h->stop = 0;
	h->waiting = 0;
	h->wait_on = NULL;
	h->wait_past = 0;
	if (pthread_mutex_init(&h->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&h->cond, NULL) != 0) {
		pthread_mutex_destroy(&h->lock);
		return -1;
	}
	if (pthread_create(&h->th, NULL, fn, arg) != 0) {
		pthread_cond_destroy(&h->cond);
		pthread_mutex_destroy(&h->lock);
		return -1;
	}
	return 0;
}

int
vault_helper_wait_above(struct vault_helper *h, const size_t *count, size_t n)
{
	int stop;

	pthread_mutex_lock(&h->lock);
	while (!h->stop && *count <= n) {
		h->waiting++;
		h->wait_on = count;
		h->wait_past = n;
		pthread_cond_wait(&h->cond, &h->lock);
	}
	stop = h->stop;
	pthread_mutex_unlock(&h->lock);
	return stop;
}

void
vault_helper_publish(struct vault_helper *h, size_t *count, size_t value)
{
	pthread_mutex_lock(&h->lock);
	*count = value;
	/* A wake-up is a system call, and a thread woken to find it must
	 * wait on is two more: waking the other side at every item was a
	 * tenth of the storing thread's time in an import. It is woken only
	 * when this is what it waits for (read under the lock, so no wait is
	 * missed), and once: a thread woken is no longer counted as waiting,
	 * and counts itself again if it must wait on. With more than one
	 * waiting (or one woken for no reason, counted twice), all are
	 * woken. */
	if (h->waiting > 1 || (h->waiting == 1 && h->wait_on == count && value > h->wait_past)) {
		h->waiting = 0;
		h->wait_on = NULL;
		atomic_fetch_add(&helper_wakes, 1);
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
}

void
vault_helper_stop(struct vault_helper *h)
{
	pthread_mutex_lock(&h->lock);
	h->stop = 1;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->th, NULL);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
}

int
vault_txn_fail(struct vault *v, enum status st)
{
	v->txn_status = st;
	return TXN_FAILED;
}

enum status
vault_need_open(struct vault *v)
{
	if (!v->is_open)
		return vault_fail(v, ST_INVALID, "no vault is open");
	return ST_OK;
}

enum status
vault_need_unlocked(struct vault *v)
{
	if (!v->is_open)
		return vault_fail(v, ST_INVALID, "no vault is open");
	if (!v->unlocked)
		return vault_fail(v, ST_LOCKED,
		    "the vault is locked: unlock it with your user name and "
		    "passphrase first");
	return ST_OK;
}

enum status
vault_need_supervisor(struct vault *v, const char *action)
{
	enum status st = vault_need_unlocked(v);

	if (st != ST_OK)
		return st;
	if (!vault_allowed(v, VAULT_RIGHT_USERS))
		return vault_fail(v, ST_DENIED,
		    "only a supervisor can %s; you are unlocked as %s (%s)",
		    action, v->user, role_name(v->role));
	return ST_OK;
}

void
vault_derive_purpose_keys(struct keyring *kr)
{
	for (int p = 1; p <= CRYPTO_PURPOSE_COUNT; p++)
		crypto_subkey(kr->purpose[p], (uint64_t)p, VK_CTX, kr->vk);
}

/* The metadata as stored, and its MAC under the META purpose key. */
static size_t
meta_raw(const struct vault *v, unsigned char raw[META_RAW + 1])
{
	put_be32(raw, v->format);
	memcpy(raw + 4, v->id, VAULT_ID_BYTES);
	put_be64(raw + 4 + VAULT_ID_BYTES, v->kdf.ops);
	put_be64(raw + 12 + VAULT_ID_BYTES, v->kdf.mem_mib);
	put_be64(raw + 20 + VAULT_ID_BYTES, v->created);
	/* Only training vaults add a byte, so real vaults keep their MAC. */
	if (!v->training)
		return META_RAW;
	raw[META_RAW] = 1;
	return META_RAW + 1;
}

void
vault_meta_mac(const struct vault *v, unsigned char mac[CRYPTO_HASH_BYTES])
{
	unsigned char raw[META_RAW + 1];
	size_t n = meta_raw(v, raw);

	crypto_digest_keyed(mac, raw, n, v->kr->purpose[CRYPTO_PURPOSE_META],
	    CRYPTO_KEY_BYTES);
}

void
vault_lock(struct vault *v)
{
	if (v == NULL)
		return;
	secure_wipe(v->kr, sizeof *v->kr);
	secure_wipe(v->user, sizeof v->user);
	vault_keys_forget(v);
	v->unlocked = 0;
	v->role = ROLE_INTERVIEWER;
}

int
vault_is_unlocked(const struct vault *v)
{
	return v != NULL && v->unlocked;
}

const char *
vault_user(const struct vault *v)
{
	return v != NULL && v->unlocked ? v->user : NULL;
}

enum role
vault_role(const struct vault *v)
{
	/* Least privilege when locked. */
	return v != NULL && v->unlocked ? v->role : ROLE_INTERVIEWER;
}

static void
env_close(struct vault *v)
{
	if (v->env != NULL)
		mdb_env_close(v->env);
	v->env = NULL;
	v->is_open = 0;
	/* Only after LMDB has let go: closing any descriptor of lock.mdb drops
	 * the process's fcntl locks on it, which LMDB relies on. */
	if (v->lock_fd >= 0)
		close(v->lock_fd);
	v->lock_fd = -1;
}

void
vault_close(struct vault *v)
{
	if (v == NULL)
		return;
	vault_lock(v);
	mark_clean_close(v);
	env_close(v);
	secure_free(v->scratch);
	vault_pack_forget(v);
	secure_free(v->lbuf);
	secure_free(v->kr);
	secure_free(v->sc);
	free(v);
}

/* ---- directory and environment ------------------------------------------ */

enum status
vault_default_dir(char *buf, size_t len, const char *leaf)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (leaf == NULL || *leaf == '\0')
		leaf = "vault";
	/* XDG requires an absolute path; a relative one is ignored. */
	if (xdg != NULL && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/intake/%s", xdg, leaf);
	} else {
		if (home == NULL || home[0] == '\0') {
			struct passwd *pw = getpwuid(getuid());
			home = pw != NULL ? pw->pw_dir : NULL;
		}
		if (home == NULL || home[0] == '\0')
			return ST_NOTFOUND;
		n = snprintf(buf, len, "%s/.local/share/intake/%s", home, leaf);
	}
	if (n < 0 || (size_t)n >= len)
		return ST_INVALID;
	return ST_OK;
}

static enum status
join_path(struct vault *v, char *out, const char *file)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", v->dir, file);

	if (n < 0 || n >= PATH_MAX)
		return vault_fail(v, ST_INVALID, "the vault path is too long");
	return ST_OK;
}

static enum status
set_dir(struct vault *v, const char *dir)
{
	size_t len;

	if (dir == NULL || dir[0] == '\0')
		return vault_fail(v, ST_INVALID, "no vault directory given");
	len = strlen(dir);
	/* Room for "/data.mdb" after the directory. */
	if (len + 16 >= sizeof v->dir)
		return vault_fail(v, ST_INVALID, "the vault path is too long (%zu bytes)", len);
	memcpy(v->dir, dir, len + 1);
	while (len > 1 && v->dir[len - 1] == '/')
		v->dir[--len] = '\0';
	return ST_OK;
}

/* mkdir -p for the parents of v->dir (0700 for those it creates). */
static enum status
make_parents(struct vault *v)
{
	char path[PATH_MAX];

	memcpy(path, v->dir, sizeof path);
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return vault_fail(v, ST_IO, "cannot create the directory %s: %s", path,
			    strerror(errno));
		*p = '/';
	}
	return ST_OK;
}

int
vault_dir_has_entries(const char *dir)
{
	int any = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			any = 1;
			break;
		}
	}
	closedir(d);
	return any;
}

void *
vault_unconst(const void *p)
{
	/* LMDB takes non-const MDB_val pointers for keys it only reads. */
	return (void *)(uintptr_t)p;
}

/* ---- the vault's two files --------------------------------------------------
 *
 * LMDB opens data.mdb and lock.mdb by path, creating lock.mdb when missing
 * and resizing (ftruncate) it when it is the first to open the vault. In a
 * group-shared vault every member may write the directory, and where it
 * lacks the sticky bit (a vault made before Intake set it: 2770) replace
 * either file, so a member could leave a symbolic or hard link to another
 * user's file there and have the next user's Intake truncate it or change
 * its mode. So before LMDB sees them, each file is opened here without
 * following links (O_NOFOLLOW) and checked on the descriptor: a regular
 * file with one link, owned by the user opening it or by the owner of the
 * directory or, in a shared vault, belonging to the directory's group (the
 * setgid directory gives every file created in it that group). lock.mdb is
 * created here when missing, and its mode is fixed with fchmod on the
 * descriptor, never by path. After LMDB has opened both, the names are
 * checked to still lead to the same files (device and inode).
 *
 * What is left: between this check and LMDB's own open a member could still
 * swap lock.mdb for a link; LMDB would then resize the target before the
 * second check refuses the vault. Winning that race needs exact timing and
 * write access to the vault directory; the sticky bit, which vault_create
 * sets on a shared vault's directory (3770), closes it, as then only a
 * file's owner may replace it. The descriptor of
 * lock.mdb is kept open while the vault is, and closed only after LMDB
 * closes (closing a descriptor of it drops the process's locks on it). */

/* Whether the file sb (found at path) may belong to the vault whose
 * directory is dir; ST_OK or the failure with its message. */
static enum status
file_owner_check(struct vault *v, const char *path, const struct stat *sb,
    const struct stat *dir)
{
	if (!S_ISREG(sb->st_mode))
		return vault_fail(v, ST_TAMPERED,
		    "%s is not a regular file (found a %s): a vault holds "
		    "only regular files; check what put it there, remove it, and restore the "
		    "vault from a backup if data.mdb is affected", path,
		    S_ISDIR(sb->st_mode) ? "directory" : S_ISFIFO(sb->st_mode) ? "pipe" :
		    S_ISSOCK(sb->st_mode) ? "socket" : "device or special file");
	if (sb->st_nlink != 1)
		return vault_fail(v, ST_TAMPERED,
		    "%s has %lu names (hard links), a vault file has one: "
		    "it may be another user's file linked into the vault so that Intake writes to "
		    "it. Check it (ls -li %s), and remove it if it is not the vault's",
		    path, (unsigned long)sb->st_nlink, path);
	/* In a sticky directory (a shared vault, 3770) the system refuses to
	 * open for writing a file that belongs neither to the opener nor to
	 * the directory's owner (fs.protected_regular): say what to do rather
	 * than let LMDB fail on it. */
	if ((dir->st_mode & S_ISVTX) && sb->st_uid != geteuid() && sb->st_uid != dir->st_uid)
		return vault_fail(v, ST_DENIED,
		    "%s belongs to user %lu, neither you nor the vault directory's owner (user "
		    "%lu): in this shared vault's sticky directory only they can open it. As root, "
		    "give it to the directory's owner: chown %lu %s", path,
		    (unsigned long)sb->st_uid, (unsigned long)dir->st_uid,
		    (unsigned long)dir->st_uid, path);
	if (sb->st_uid == geteuid() || sb->st_uid == dir->st_uid ||
	    (v->shared && sb->st_gid == dir->st_gid))
		return ST_OK;
	if (v->shared)
		return vault_fail(v, ST_TAMPERED,
		    "%s belongs to user %lu and group %lu, but a file of "
		    "this group-shared vault belongs to its group (%lu): it may be another user's "
		    "file put there so that Intake writes to it. Check it (ls -l %s), and remove "
		    "it if it is not the vault's", path, (unsigned long)sb->st_uid,
		    (unsigned long)sb->st_gid, (unsigned long)dir->st_gid, path);
	return vault_fail(v, ST_TAMPERED,
	    "%s belongs to user %lu, but a file of this vault belongs "
	    "to the vault's owner (user %lu) or to you (user %lu): it may be another user's file "
	    "put there so that Intake writes to it. Check it (ls -l %s), and remove it if it is "
	    "not the vault's", path, (unsigned long)sb->st_uid, (unsigned long)dir->st_uid,
	    (unsigned long)geteuid(), path);
}

/* Opens path without following a link; ST_NOTFOUND (no message) when it is
 * absent. */
static enum status
file_open_nofollow(struct vault *v, const char *path, int flags, mode_t mode, int *fd)
{
	char target[PATH_MAX];
	ssize_t n;

	*fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	if (*fd >= 0)
		return ST_OK;
	if (errno == ENOENT)
		return ST_NOTFOUND;
	if (errno == ELOOP) {
		n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		return vault_fail(v, ST_TAMPERED,
		    "%s is a symbolic link (to %s), not the vault's own "
		    "file: someone may have put it there so that Intake overwrites the file it "
		    "points to. Nothing was changed; check the link, remove it, and open the vault "
		    "again", path, n > 0 ? target : "an unreadable target");
	}
	if (errno == EACCES)
		return vault_fail(v, ST_DENIED, "cannot open %s: permission denied", path);
	return vault_fail(v, ST_IO, "cannot open %s: %s", path, strerror(errno));
}

/* Opens and checks lock.mdb into v->lock_fd, creating it when missing (so
 * that LMDB never makes it under the umask), and gives it the vault's mode. */
static enum status
lock_file_open(struct vault *v, const char *lock, const struct stat *dir)
{
	struct stat sb;
	enum status st;
	int fd = -1;

	/* A lock.mdb made by a member who does not own the sticky directory
	 * would be theirs alone to open (file_owner_check): only the owner
	 * makes it again. */
	if ((dir->st_mode & S_ISVTX) && dir->st_uid != geteuid() &&
	    file_open_nofollow(v, lock, O_RDWR, 0, &fd) == ST_NOTFOUND)
		return vault_fail(v, ST_DENIED,
		    "%s is missing: in this shared vault only the vault directory's owner (user "
		    "%lu) may make it again, so that every member can open it. Have them run any "
		    "intake command on the vault once", lock, (unsigned long)dir->st_uid);
	if (fd >= 0)
		close(fd);
	st = file_open_nofollow(v, lock, O_RDWR | O_CREAT, file_mode(v), &fd);
	if (st == ST_DENIED) {  /* a read-only vault: LMDB tells what it needs */
		st = file_open_nofollow(v, lock, O_RDONLY, 0, &fd);
		if (st == ST_NOTFOUND)
			st = vault_fail(v, ST_DENIED, "cannot create %s: permission denied", lock);
	}
	if (st != ST_OK)
		return st;
	if (fstat(fd, &sb) != 0) {
		st = vault_fail(v, ST_IO, "cannot inspect %s: %s", lock, strerror(errno));
		close(fd);
		return st;
	}
	if ((st = file_owner_check(v, lock, &sb, dir)) != ST_OK) {
		close(fd);
		return st;
	}
	/* Another member's lock.mdb is theirs to fix; LMDB says so if it
	 * cannot use it. */
	if ((sb.st_mode & 07777) != file_mode(v) && sb.st_uid == geteuid())
		(void)fchmod(fd, file_mode(v));
	v->lock_fd = fd;
	return ST_OK;
}

/* After LMDB opened the vault: its names still lead to the files checked. */
static enum status
files_unchanged(struct vault *v, const char *data, const struct stat *data_sb,
    const char *lock)
{
	struct stat now, held;
	mdb_filehandle_t fd;

	if (mdb_env_get_fd(v->env, &fd) != 0 || fstat(fd, &now) != 0 ||
	    now.st_dev != data_sb->st_dev || now.st_ino != data_sb->st_ino)
		return vault_fail(v, ST_TAMPERED,
		    "%s was replaced while the vault was being opened: "
		    "check the vault directory %s for files that are not the vault's, and open it "
		    "again", data, v->dir);
	if (v->lock_fd >= 0 && (fstat(v->lock_fd, &held) != 0 || lstat(lock, &now) != 0 ||
	    now.st_dev != held.st_dev || now.st_ino != held.st_ino))
		return vault_fail(v, ST_TAMPERED,
		    "%s was replaced while the vault was being opened: "
		    "check the vault directory %s for files that are not the vault's, and open it "
		    "again", lock, v->dir);
	return ST_OK;
}

static int
env_start(struct vault *v)
{
	int rc = mdb_env_create(&v->env);

	if (rc != 0) {
		v->env = NULL;
		return rc;
	}
	rc = mdb_env_set_maxdbs(v->env, DB_COUNT + 8);
	if (rc == 0)
		rc = mdb_env_set_mapsize(v->env, v->map_initial);
	/* MDB_NOTLS: read transactions are not tied to a thread; durability
	 * flags are deliberately absent (every commit is synced). */
	if (rc == 0)
		rc = mdb_env_open(v->env, v->dir, MDB_NOTLS, file_mode(v));
	if (rc != 0) {
		mdb_env_close(v->env);
		v->env = NULL;
	}
	return rc;
}

int
vault_meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name, MDB_val *out)
{
	MDB_val k = { strlen(name), vault_unconst(name) };

	return mdb_get(txn, dbi, &k, out);
}

int
vault_meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, const void *data, size_t len,
    unsigned flags)
{
	MDB_val k = { strlen(name), vault_unconst(name) };
	MDB_val d = { len, vault_unconst(data) };

	return mdb_put(txn, dbi, &k, &d, flags);
}

/* ---- create and open ----------------------------------------------------- */

/* The format vault_create writes: 2, or 1 in the test build's tests of
 * upgrading (vault_test_create_format). */
static uint32_t vault_create_format = VAULT_FORMAT;

void
vault_test_create_format(unsigned format)
{
	vault_create_format = format == 1 ? 1 : VAULT_FORMAT;
}

struct create_arg {
	const char *user;
	const unsigned char *entry;
	size_t len;
};

static int
create_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct create_arg *a = argp;
	unsigned char fmt[4], kdf[16], created[8];
	MDB_val k, d;
	int rc;

	for (int i = 0; i < DB_COUNT; i++) {
		if (!db_required(v->training, i) && i != DB_LISTING)
			continue;
		rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &v->dbi[i]);
		if (rc != 0)
			return rc;
	}
	put_be32(fmt, v->format);
	put_be64(kdf, v->kdf.ops);
	put_be64(kdf + 8, v->kdf.mem_mib);
	put_be64(created, v->created);
	rc = vault_meta_put(txn, v->dbi[DB_META], META_FORMAT, fmt, sizeof fmt, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		vault_fail(v, ST_EXISTS,
		    "there is already a vault at %s: open it, or choose another "
		    "directory", v->dir);
		return vault_txn_fail(v, ST_EXISTS);
	}
	if (rc == 0)
		rc = vault_meta_put(txn, v->dbi[DB_META], META_ID, v->id, VAULT_ID_BYTES, 0);
	if (rc == 0)
		rc = vault_meta_put(txn, v->dbi[DB_META], META_KDF, kdf, sizeof kdf, 0);
	if (rc == 0)
		rc = vault_meta_put(txn, v->dbi[DB_META], META_CREATED, created, sizeof created, 0);
	if (rc == 0 && v->training)
		rc = vault_meta_put(txn, v->dbi[DB_META], META_TRAINING, "\1", 1, 0);
	if (rc == 0)
		rc = vault_meta_put(txn, v->dbi[DB_META], META_MAC, v->meta_mac,
		    sizeof v->meta_mac, 0);
	if (rc == 0 && v->format == 2)
		rc = vault_meta_put(txn, v->dbi[DB_META], META_ROOT, v->root, sizeof v->root, 0);
	if (rc == 0 && v->format == 2)
		rc = vault_group_put(v, txn);
	if (rc != 0)
		return rc;
	k.mv_size = strlen(a->user);
	k.mv_data = vault_unconst(a->user);
	d.mv_size = a->len;
	d.mv_data = vault_unconst(a->entry);
	rc = mdb_put(txn, v->dbi[DB_USERS], &k, &d, MDB_NOOVERWRITE);
	if (rc == 0)
		rc = vault_audit_user_txn(v, txn, AUDIT_VAULT_CREATE, a->user, a->user,
		    ROLE_SUPERVISOR, a->entry, a->len);
	return rc;
}

/* Creates path with exactly `mode`, whatever the umask. */
static enum status
create_file(struct vault *v, const char *path, int excl)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (excl ? O_EXCL : 0),
	    file_mode(v));

	if (fd < 0) {
		if (errno == EEXIST)
			return vault_fail(v, ST_EXISTS,
			    "there is already a vault at %s: open it, or choose "
			    "another directory", v->dir);
		return vault_fail(v, ST_IO, "cannot create %s: %s", path, strerror(errno));
	}
	if (fchmod(fd, file_mode(v)) != 0) {
		close(fd);
		return vault_fail(v, ST_IO, "cannot set the permissions of %s: %s", path,
		    strerror(errno));
	}
	close(fd);
	return ST_OK;
}

enum status
vault_kdf_calibrate(uint64_t mem_mib, unsigned target_ms, struct vault_kdf *out)
{
	uint64_t ops;
	enum status st;

	if (crypto_init() != ST_OK)
		return ST_INTERNAL;
	if (mem_mib == 0)
		mem_mib = DEFAULT_KDF_MIB;
	if (target_ms == 0)
		target_ms = DEFAULT_KDF_MS;
	st = crypto_passkey_calibrate(mem_mib, target_ms, &ops);
	if (st != ST_OK)
		return st;
	out->ops = ops;
	out->mem_mib = mem_mib;
	return ST_OK;
}

enum status
vault_create(struct vault *v, const char *dir, const char *user,
    const char *pass, size_t passlen, const struct vault_kdf *kdf)
{
	char data[PATH_MAX], lock[PATH_MAX];
	unsigned char entry[ENTRY_MAX];
	struct create_arg arg = { user, entry, 0 };
	struct vault_kdf k;
	struct stat sb;
	int made_dir = 0, made_files = 0;
	enum status st;
	int rc;

	if (v->is_open)
		return vault_fail(v, ST_INVALID, "this handle already has a vault open");
	if ((st = vault_check_user_name(user, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if ((st = vault_check_passphrase(pass, passlen, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if (kdf == NULL) {
		st = vault_kdf_calibrate(0, 0, &k);
		if (st != ST_OK)
			return vault_fail(v, st, "cannot calibrate Argon2id: %s", status_str(st));
	} else {
		k = *kdf;
	}
	if ((st = vault_check_kdf(v, &k)) != ST_OK)
		return st;
	if ((st = set_dir(v, dir)) != ST_OK ||
	    (st = join_path(v, data, "data.mdb")) != ST_OK ||
	    (st = join_path(v, lock, "lock.mdb")) != ST_OK)
		return st;

	if (stat(v->dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return vault_fail(v, ST_EXISTS,
			    "%s exists and is not a directory: choose another "
			    "place for the vault", v->dir);
		if (lstat(data, &sb) == 0)
			return vault_fail(v, ST_EXISTS,
			    "there is already a vault at %s: open it, or choose "
			    "another directory", v->dir);
		if (vault_dir_has_entries(v->dir))
			return vault_fail(v, ST_EXISTS,
			    "%s is not empty: choose a new or empty directory "
			    "for the vault", v->dir);
	} else if (errno == ENOENT) {
		if ((st = make_parents(v)) != ST_OK)
			return st;
		if (mkdir(v->dir, 0700) != 0)
			return vault_fail(v, ST_IO, "cannot create the directory %s: %s", v->dir,
			    strerror(errno));
		made_dir = 1;
	} else {
		return vault_fail(v, ST_IO, "cannot use %s: %s", v->dir, strerror(errno));
	}
	if ((st = group_apply(v)) != ST_OK)
		goto failed;
	if (chmod(v->dir, dir_mode(v)) != 0) {
		st = vault_fail(v, ST_IO, "cannot set the permissions of %s: %s", v->dir,
		    strerror(errno));
		goto failed;
	}
	/* O_EXCL on data.mdb makes two concurrent `intake init` in one place
	 * fail cleanly instead of sharing a half-made vault. */
	if ((st = create_file(v, data, 1)) != ST_OK)
		goto failed;
	made_files = 1;
	if (stat(v->dir, &sb) != 0) {
		st = vault_fail(v, ST_IO, "cannot use %s: %s", v->dir, strerror(errno));
		goto failed;
	}
	if ((st = lock_file_open(v, lock, &sb)) != ST_OK)
		goto failed;
	rc = env_start(v);
	if (rc != 0) {
		st = vault_fail_mdb(v, rc, "creating the vault");
		goto failed;
	}
	crypto_random(v->id, sizeof v->id);
	crypto_random(v->kr->vk, sizeof v->kr->vk);
	v->format = vault_create_format;
	v->kdf = k;
	v->created = (uint64_t)clock_now();
	vault_derive_purpose_keys(v->kr);
	vault_meta_mac(v, v->meta_mac);
	if (v->format == 2) {
		/* The first supervisor's signing key is the vault's root; their
		 * entry is signed by it, and the group's first epoch starts. */
		struct keyring *kr = v->kr;

		snprintf(v->user, sizeof v->user, "%s", user);
		vault_user2_fresh(v, v->xp, v->sp);
		memcpy(kr->xs, kr->secrets, CRYPTO_KEY_BYTES);
		memcpy(kr->ss, kr->secrets + CRYPTO_KEY_BYTES, CRYPTO_SIGN_SK_BYTES);
		memcpy(kr->dk, kr->secrets + CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES,
		    CRYPTO_KEY_BYTES);
		memcpy(v->root, v->sp, sizeof v->root);
		if (vault_group_start(v) != 0) {
			st = vault_fail(v, ST_NOMEM, "out of memory while creating the vault");
			goto failed;
		}
		st = vault_user2_build(v, user, ROLE_SUPERVISOR, pass, passlen, &k, v->xp, v->sp,
		    entry, &arg.len);
		secure_wipe(kr->secrets, sizeof kr->secrets);
		if (st != ST_OK) {
			st = vault_fail(v, st, "cannot derive the passphrase key: %s",
			    status_str(st));
			goto failed;
		}
	} else {
		arg.len = USER_ENTRY_BYTES;
		if ((st = vault_user_entry_build(v, user, ROLE_SUPERVISOR, pass, passlen, &k,
		    entry)) != ST_OK)
			goto failed;
	}
	if ((st = vault_write_txn(v, "creating the vault", create_txn, &arg)) != ST_OK)
		goto failed;
	v->is_open = 1;
	snprintf(v->user, sizeof v->user, "%s", user);
	v->role = ROLE_SUPERVISOR;
	v->unlocked = 1;
	return ST_OK;

failed:
	vault_lock(v);
	env_close(v);
	if (made_files) {
		unlink(data);
		unlink(lock);
	}
	if (made_dir)
		rmdir(v->dir);
	return st;
}

static enum status
open_meta(struct vault *v, MDB_txn *txn)
{
	MDB_val val;
	const unsigned char *p;
	uint32_t format;
	int rc;

	rc = mdb_dbi_open(txn, db_names[DB_META], 0, &v->dbi[DB_META]);
	if (rc == 0)
		rc = vault_meta_get(txn, v->dbi[DB_META], META_FORMAT, &val);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
		return vault_fail(v, ST_FORMAT,
		    "%s is not an Intake vault (an LMDB database without "
		    "Intake's metadata): check --vault, or create a vault with `intake init`", v->dir);
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the vault metadata");
	if (val.mv_size != 4)
		goto damaged;
	format = get_be32(val.mv_data);
	if (format > 2)
		return vault_fail(v, ST_FORMAT,
		    "this vault uses format %lu, newer than this intake "
		    "(format %d): upgrade intake", (unsigned long)format, VAULT_FORMAT);
	if (format == 0)
		goto damaged;
	v->format = format;
	if (vault_meta_get(txn, v->dbi[DB_META], META_ID,
	    &val) != 0 || val.mv_size != VAULT_ID_BYTES)
		goto damaged;
	memcpy(v->id, val.mv_data, VAULT_ID_BYTES);
	if (vault_meta_get(txn, v->dbi[DB_META], META_KDF, &val) != 0 || val.mv_size != 16)
		goto damaged;
	p = val.mv_data;
	v->kdf.ops = get_be64(p);
	v->kdf.mem_mib = get_be64(p + 8);
	if (v->kdf.ops < CRYPTO_PASSKEY_OPS_MIN || v->kdf.ops > CRYPTO_PASSKEY_OPS_MAX ||
	    v->kdf.mem_mib < CRYPTO_PASSKEY_MEM_MIN || v->kdf.mem_mib > CRYPTO_PASSKEY_MEM_MAX)
		goto damaged;
	if (vault_meta_get(txn, v->dbi[DB_META], META_CREATED, &val) != 0 || val.mv_size != 8)
		goto damaged;
	v->created = get_be64(val.mv_data);
	if (vault_meta_get(txn, v->dbi[DB_META], META_MAC,
	    &val) != 0 || val.mv_size != CRYPTO_HASH_BYTES)
		goto damaged;
	memcpy(v->meta_mac, val.mv_data, CRYPTO_HASH_BYTES);
	rc = vault_meta_get(txn, v->dbi[DB_META], META_TRAINING, &val);
	if (rc == 0 && (val.mv_size != 1 || *(const unsigned char *)val.mv_data != 1))
		goto damaged;
	if (rc != 0 && rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the vault metadata");
	v->training = rc == 0;
	for (int i = DB_META + 1; i < DB_COUNT; i++) {
		if (!db_required(v->training, i))
			continue;
		rc = mdb_dbi_open(txn, db_names[i], 0, &v->dbi[i]);
		if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			return vault_fail(v, ST_TAMPERED,
			    "the vault at %s is damaged: its '%s' table is "
			    "missing; restore it from a backup", v->dir, db_names[i]);
		if (rc != 0)
			return vault_fail_mdb(v, rc, "opening the vault");
	}
	return ST_OK;
damaged:
	return vault_fail(v, ST_TAMPERED, "the metadata of the vault at %s is damaged: restore the "
	    "vault from a backup", v->dir);
}

/* LMDB maps data.mdb and trusts its size: reading a page past the end of a
 * truncated file would kill the process with SIGBUS. The last page in use is
 * recorded in the meta page, so compare before touching any data page. */
static enum status
check_truncation(struct vault *v, const char *data)
{
	MDB_envinfo info;
	MDB_stat ms;
	struct stat sb;
	mdb_filehandle_t fd;
	uint64_t need;

	if (mdb_env_info(v->env, &info) != 0 || mdb_env_stat(v->env, &ms) != 0 ||
	    mdb_env_get_fd(v->env, &fd) != 0 || fstat(fd, &sb) != 0)
		return vault_fail(v, ST_IO, "cannot inspect %s: %s", data, strerror(errno));
	need = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	if ((uint64_t)sb.st_size < need)
		return vault_fail(v, ST_TAMPERED,
		    "%s is truncated (%llu bytes, at least %llu expected): "
		    "the vault is damaged; restore it from a backup", data,
		    (unsigned long long)sb.st_size, (unsigned long long)need);
	return ST_OK;
}

/* LMDB reads its pages without checking them: a damaged page would make it
 * read outside the file or abort. Check them before any is read: all of
 * them, unless the clean-close mark says this file has not changed since
 * this snapshot was checked or closed cleanly (pagecheck.h); then the
 * quick check. A full check that passes leaves the mark for the next open. */
static enum status
check_pages(struct vault *v, const char *data, MDB_txn *txn)
{
	char why[256], mark[PATH_MAX];
	mdb_filehandle_t fd;
	enum pagecheck_mode mode = PAGECHECK_FULL;
	enum status st;
	int marked;

	if (mdb_env_get_fd(v->env, &fd) != 0)
		return vault_fail(v, ST_IO, "cannot inspect %s", data);
	/* set_dir left room for the name: joining cannot fail here. */
	marked = join_path(v, mark, PAGECHECK_MARK) == ST_OK;
	if (marked && pagecheck_mark_matches(mark, fd, mdb_txn_id(txn)))
		mode = PAGECHECK_QUICK;
	st = pagecheck_run(fd, mdb_txn_id(txn), mode, why, sizeof why);
	switch (st) {
	case ST_OK:
		if (marked && mode == PAGECHECK_FULL)
			pagecheck_mark_write(mark, fd, mdb_txn_id(txn), file_mode(v));
		return ST_OK;
	case ST_TAMPERED:
		return vault_fail(v, ST_TAMPERED,
		    "the vault database %s is damaged (%s): restore the "
		    "vault from a backup", data, why);
	case ST_FORMAT:
		return vault_fail(v, ST_FORMAT,
		    "%s is not a valid LMDB database (%s): check --vault, or "
		    "restore the vault from a backup", data, why);
	default:
		return vault_fail(v, st, "cannot check %s: %s", data, why);
	}
}

/* LMDB's ENOMEM: most often a mapping that an address-space limit (ulimit
 * -v) does not leave room for; say so, with the size the map needs. */
static enum status
map_nomem(struct vault *v, const char *what)
{
	char data[PATH_MAX], why[512];
	size_t need = v->map_initial, recorded;
	MDB_envinfo info;
	int fd;

	if (v->env != NULL && mdb_env_info(v->env, &info) == 0 && info.me_mapsize > need)
		need = info.me_mapsize;
	if (join_path(v, data, "data.mdb") == ST_OK &&
	    (fd = open(data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) >= 0) {
		recorded = pagecheck_map_size(fd);
		if (recorded > need)
			need = recorded;
		close(fd);
	}
	if (addrspace_explain(need, why, sizeof why))
		return vault_fail(v, ST_NOMEM, "cannot map the vault at %s into memory while %s: %s",
		    v->dir, what, why);
	return vault_fail(v, ST_NOMEM, "out of memory while %s", what);
}

/* A clean close vouches for the snapshot it leaves: the next open, if the
 * file is still exactly as now, needs only the quick check. */
static void
mark_clean_close(struct vault *v)
{
	char mark[PATH_MAX];
	MDB_envinfo info;
	mdb_filehandle_t fd;

	if (!v->is_open || v->env == NULL || mdb_env_get_fd(v->env, &fd) != 0 ||
	    mdb_env_info(v->env, &info) != 0 || join_path(v, mark, PAGECHECK_MARK) != ST_OK)
		return;
	/* The id first: once LMDB publishes it, that commit's writes are done,
	 * so the times read next cover them (a later commit moves them). */
	if (!pagecheck_mark_matches(mark, fd, info.me_last_txnid))
		pagecheck_mark_write(mark, fd, info.me_last_txnid, file_mode(v));
}

enum status
vault_open(struct vault *v, const char *dir)
{
	char data[PATH_MAX], lock[PATH_MAX];
	struct stat sb, dsb;
	MDB_envinfo info;
	MDB_txn *txn = NULL;
	enum status st;
	int rc, dead, data_fd = -1;

	if (v->is_open)
		return vault_fail(v, ST_INVALID, "this handle already has a vault open");
	if ((st = set_dir(v, dir)) != ST_OK || (st = join_path(v, data, "data.mdb")) != ST_OK ||
	    (st = join_path(v, lock, "lock.mdb")) != ST_OK)
		return st;
	if (stat(v->dir, &dsb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return vault_fail(v, ST_NOTFOUND,
			    "no vault at %s: create one with `intake init`",
			    v->dir);
		return vault_fail(v, ST_IO, "cannot open the vault at %s: %s", v->dir,
		    strerror(errno));
	}
	if (!S_ISDIR(dsb.st_mode))
		return vault_fail(v, ST_FORMAT,
		    "%s is a file, not a vault directory: check --vault", v->dir);
	v->shared = (dsb.st_mode & S_IRWXG) != 0;
	st = file_open_nofollow(v, data, O_RDONLY, 0, &data_fd);
	if (st == ST_NOTFOUND)
		return vault_fail(v, ST_FORMAT, "%s is not an Intake vault (it has no data.mdb): "
		    "check --vault, or create a vault with `intake init`", v->dir);
	if (st != ST_OK)
		return st;
	if (fstat(data_fd, &sb) != 0) {
		st = vault_fail(v, ST_IO, "cannot read %s: %s", data, strerror(errno));
		goto failed;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = vault_fail(v, ST_FORMAT,
		    "%s is not a regular file, so %s is not an Intake vault",
		    data, v->dir);
		goto failed;
	}
	if ((st = file_owner_check(v, data, &sb, &dsb)) != ST_OK)
		goto failed;
	if (sb.st_size == 0) {
		st = vault_fail(v, ST_TAMPERED,
		    "%s is empty: the vault was truncated, or its creation "
		    "did not finish; restore it from a backup (if `intake init` just failed, remove "
		    "%s and run it again)", data, v->dir);
		goto failed;
	}
	if ((st = lock_file_open(v, lock, &dsb)) != ST_OK)
		goto failed;
	rc = env_start(v);
	if (rc == MDB_INVALID) {
		st = vault_fail(v, ST_FORMAT,
		    "%s is not a valid LMDB database (not an Intake vault, "
		    "or damaged or truncated): check --vault, or restore the vault from a backup",
		    data);
		goto failed;
	}
	if (rc != 0) {
		st = vault_fail_mdb(v, rc, "opening the vault");
		goto failed;
	}
	st = files_unchanged(v, data, &sb, lock);
	close(data_fd);
	data_fd = -1;
	if (st != ST_OK)
		goto failed;
	mdb_reader_check(v->env, &dead);
	if ((st = check_truncation(v, data)) != ST_OK)
		goto failed;
	/* Adopt the map size the vault has grown to, never below our start. */
	rc = mdb_env_set_mapsize(v->env, 0);
	if (rc == 0 && mdb_env_info(v->env, &info) == 0 && info.me_mapsize < v->map_initial)
		rc = mdb_env_set_mapsize(v->env, v->map_initial);
	if (rc != 0) {
		st = vault_fail_mdb(v, rc, "opening the vault");
		goto failed;
	}
	rc = vault_txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0) {
		st = vault_fail_mdb(v, rc, "opening the vault");
		goto failed;
	}
	/* Under this read transaction no writer reuses a page being checked. */
	if ((st = check_pages(v, data, txn)) != ST_OK || (st = open_meta(v, txn)) != ST_OK)
		goto failed;
	/* Committing (not aborting) keeps the database handles open. */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		st = vault_fail_mdb(v, rc, "opening the vault");
		goto failed;
	}
	v->is_open = 1;
	return ST_OK;

failed:
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (data_fd >= 0)
		close(data_fd);
	env_close(v);
	return st;
}

/* ==== group sharing ======================================================== */

enum status
vault_set_group(struct vault *v, const char *group)
{
	struct group gr, *found = NULL;
	char buf[16384];
	gid_t *groups = NULL;
	int n, member;

	if (v->is_open)
		return vault_fail(v, ST_INVALID, "the group is chosen before the vault is created");
	if (group == NULL || *group == '\0' ||
	    getgrnam_r(group, &gr, buf, sizeof buf, &found) != 0 || found == NULL)
		return vault_fail(v, ST_NOTFOUND,
		    "there is no group named %s on this system: create it "
		    "(as root: groupadd %s) and add the interviewers to it", group ? group : "",
		    group ? group : "NAME");
	member = geteuid() == 0 || getegid() == gr.gr_gid;
	n = member ? 0 : getgroups(0, NULL);
	if (n > 0 && (groups = calloc((size_t)n, sizeof *groups)) != NULL)
		n = getgroups(n, groups);
	for (int i = 0; !member && groups != NULL && i < n; i++)
		member = groups[i] == gr.gr_gid;
	free(groups);
	if (!member)
		return vault_fail(v, ST_DENIED,
		    "you are not a member of the group %s: add yourself "
		    "(as root: usermod -aG %s YOUR_NAME), log in again, and retry", group, group);
	v->shared = 1;
	v->has_group = 1;
	v->gid = gr.gr_gid;
	return ST_OK;
}

/* Gives the new directory its group before anything is created in it: with
 * the setgid bit (dir_mode), data.mdb and lock.mdb, and a lock.mdb LMDB
 * recreates later, inherit that group. */
static enum status
group_apply(struct vault *v)
{
	if (!v->has_group)
		return ST_OK;
	if (chown(v->dir, (uid_t)-1, v->gid) != 0)
		return vault_fail(v, ST_IO, "cannot give %s to its group: %s", v->dir,
		    strerror(errno));
	return ST_OK;
}

void
vault_id_hex(const struct vault *v, char out[2 * VAULT_ID_BYTES + 1])
{
	if (!v->is_open) {
		out[0] = '\0';
		return;
	}
	crypto_bin2hex(out, v->id, VAULT_ID_BYTES);
}
