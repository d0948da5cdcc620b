/*
 * bundle.c — key files and signed, sealed transfer bundles (rules in
 * bundle.h, bytes in docs/FORMATS.md).
 *
 * Create reads what changed from the audit trail (new and amended records,
 * deletions), writes every version of each changed record, the deletions
 * and the forms, and signs the whole file. Import reads the whole bundle,
 * checks its signer, signature and number before opening anything, opens
 * every chunk into one secure buffer, checks every item, form and version,
 * and only then calls vault_bundle_apply() once: a bundle is imported
 * whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "bundle.h"
#include "clock.h"
#include "diag.h"
#include "fdio.h"
#include "form.h"
#include "interview.h"
#include "jsonr.h"
#include "textcheck.h"

#define PUB_TAG       "intake-pub-1"
#define KEY_TAG       "intake-key-1"
#define SITEPUB_TAG   "intake-sitepub-1"
#define SITEKEY_TAG   "intake-sitekey-1"
#define MAGIC         "INTAKEB1"
#define MAGIC_LEN     8
#define VERSION       2
#define SIG_LABEL     "intake-bundle-v2"
#define SEALED_KEY    (CRYPTO_KEY_BYTES + CRYPTO_PK_SEAL_OVERHEAD)
#define HEAD_KEYID    (MAGIC_LEN + 4)
#define HEAD_SEALED   (HEAD_KEYID + BUNDLE_KEYID_BYTES)
#define HEAD_STREAM   (HEAD_SEALED + SEALED_KEY)
#define HEAD_SITE     (HEAD_STREAM + CRYPTO_STREAM_HEADER_BYTES)
#define HEAD_SEQ      (HEAD_SITE + CRYPTO_SIG_PK_BYTES)
#define HEAD_AFTER    (HEAD_SEQ + 8)
#define HEAD_BYTES    (HEAD_AFTER + 8)
#define FP_BYTES      10          /* of the key id, shown as 25 digits */
#define SEQ_MAX       ((uint64_t)1 << 62)
#define ITEM_HEAD     5
#define BUNDLE_MAX    ((unsigned long long)4 << 30)

/* Key file blob: salt | ops | MiB | public key | wrapped secret key. */
#define KB_SALT       0
#define KB_OPS        CRYPTO_SALT_BYTES
#define KB_MEM        (KB_OPS + 8)
#define KB_PK         (KB_MEM + 8)
#define KB_WRAPPED    (KB_PK + CRYPTO_PK_BYTES)
#define KB_BYTES      (KB_WRAPPED + CRYPTO_WRAPPED_BYTES)
#define KEYFILE_MAX   512

_Static_assert(HEAD_BYTES == BUNDLE_HEAD_BYTES, "bundle.h gives the header's size");
_Static_assert(CRYPTO_SIG_PK_BYTES == CRYPTO_PK_BYTES && CRYPTO_SIG_SEED_BYTES ==
    CRYPTO_KEY_BYTES && CRYPTO_SIG_PK_BYTES == VAULT_SITE_KEY_BYTES,
    "office and site key files share one layout");

/* An office's X25519 key or a site's Ed25519 seed, opened: one shape. */
struct bundle_key {
	unsigned char sk[CRYPTO_KEY_BYTES];
	unsigned char pk[CRYPTO_PK_BYTES];
	unsigned char kek[CRYPTO_KEY_BYTES];
};
struct bundle_site {
	struct bundle_key k;
};

/* The two kinds of key file. */
struct keykind {
	const char *pub_tag, *key_tag;
	int sig;                    /* Ed25519 (a site) rather than X25519 */
	const char *what;           /* for messages */
};
static const struct keykind OFFICE = { PUB_TAG, KEY_TAG, 0, "office" };
static const struct keykind SITE = { SITEPUB_TAG, SITEKEY_TAG, 1, "site" };

static void
put_be(unsigned char *p, uint64_t x, int n)
{
	for (int i = n - 1; i >= 0; i--, x >>= 8)
		p[i] = (unsigned char)x;
}

static uint64_t
get_be(const unsigned char *p, int n)
{
	uint64_t x = 0;

	for (int i = 0; i < n; i++)
		x = x << 8 | p[i];
	return x;
}

static void
key_id(const unsigned char pk[CRYPTO_PK_BYTES], unsigned char id[BUNDLE_KEYID_BYTES])
{
	unsigned char h[CRYPTO_HASH_BYTES];

	crypto_digest(h, pk, CRYPTO_PK_BYTES);
	memcpy(id, h, BUNDLE_KEYID_BYTES);
}

/* Digits read aloud in any of the program's languages: the first 80 bits
 * of the key id as a 25-digit decimal number, in groups of five. */
static void
fingerprint_of_id(const unsigned char id[BUNDLE_KEYID_BYTES], char fp[BUNDLE_FP_LEN])
{
	unsigned char n[FP_BYTES];
	char digits[25];

	memcpy(n, id, FP_BYTES);
	for (int d = 24; d >= 0; d--) {
		unsigned rem = 0;

		for (int i = 0; i < FP_BYTES; i++) {
			unsigned cur = rem << 8 | n[i];

			n[i] = (unsigned char)(cur / 10);
			rem = cur % 10;
		}
		digits[d] = (char)('0' + rem);
	}
	for (int g = 0, o = 0; g < 5; g++) {
		memcpy(fp + o, digits + 5 * g, 5);
		o += 5;
		fp[o++] = g < 4 ? ' ' : '\0';
	}
}

void
bundle_fingerprint(const unsigned char pk[CRYPTO_PK_BYTES], char fp[BUNDLE_FP_LEN])
{
	unsigned char id[BUNDLE_KEYID_BYTES];

	key_id(pk, id);
	fingerprint_of_id(id, fp);
}

/* Reads a small text file into buf (NUL-terminated); -1 with err. */
static int
read_small(const char *path, char *buf, size_t len, const char *what, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		status_msg(err, errlen, "cannot read the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0) {
		status_msg(err, errlen, "cannot read the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	if ((size_t)n == len - 1) {
		status_msg(err, errlen, "%s is too large to be an intake %s", path, what);
		return -1;
	}
	return (int)n;
}

/* Decodes "TAG base64\n" (trailing CR/LF optional) into bin[binlen]. */
static enum status
parse_line(const char *text, const char *tag, unsigned char *bin, size_t binlen)
{
	size_t tl = strlen(tag), n;
	const char *b64;

	if (strncmp(text, tag, tl) != 0 || text[tl] != ' ')
		return ST_INVALID;
	b64 = text + tl + 1;
	n = strcspn(b64, "\r\n");
	if (strspn(b64 + n, "\r\n") != strlen(b64 + n))
		return ST_INVALID;
	return crypto_base642bin(bin, binlen, b64, n);
}

/* Writes "TAG base64\n" to a new file (O_EXCL) with mode. */
static enum status
write_line_file(const char *path, mode_t mode, const char *tag, const unsigned char *bin,
    size_t binlen, char *err, size_t errlen)
{
	char line[KEYFILE_MAX];
	size_t tl = strlen(tag);
	int fd, e;

	if (tl + 1 + crypto_base64_size(binlen) + 1 > sizeof line)
		return ST_INTERNAL;
	memcpy(line, tag, tl);
	line[tl] = ' ';
	crypto_bin2base64(line + tl + 1, sizeof line - tl - 1, bin, binlen);
	tl = strlen(line);
	line[tl++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		e = errno;
		if (e == EEXIST) {
			status_msg(err, errlen, "%s already exists: a key file is never replaced; choose "
			    "another name", path);
			return ST_EXISTS;
		}
		status_msg(err, errlen, "cannot create %s: %s", path, strerror(e));
		return ST_IO;
	}
	e = fchmod(fd, mode) != 0 ? errno : fdio_write(fd, line, tl);
	if (e == 0 && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && e == 0)
		e = errno;
	secure_wipe(line, sizeof line);
	if (e != 0) {
		unlink(path);
		status_msg(err, errlen, "cannot write %s: %s", path, strerror(e));
		return ST_IO;
	}
	return ST_OK;
}

static enum status
key_paths(const char *prefix, char *key, char *pub, size_t len, char *err, size_t errlen)
{
	if (prefix == NULL || *prefix == '\0' ||
	    snprintf(key, len, "%s.key", prefix) >= (int)len ||
	    snprintf(pub, len, "%s.pub", prefix) >= (int)len) {
		status_msg(err, errlen, "give the key files a name, e.g. --out office (for office.key and "
		    "office.pub)");
		return ST_INVALID;
	}
	return ST_OK;
}

#define KEY_AD_MAX (sizeof SITEKEY_TAG - 1 + KB_WRAPPED)

/* The wrap's associated data: the file's tag and the blob before the
 * wrapped key, so edited limits or a swapped public key fail to unwrap. */
static size_t
key_ad(const struct keykind *kk, const unsigned char blob[KB_BYTES], unsigned char ad[KEY_AD_MAX])
{
	size_t tl = strlen(kk->key_tag);

	memcpy(ad, kk->key_tag, tl);
	memcpy(ad + tl, blob, KB_WRAPPED);
	return tl + KB_WRAPPED;
}

static enum status
keygen_any(const struct keykind *kk, const char *prefix, const char *pass, size_t passlen,
    const struct vault_kdf *kdf, char fp[BUNDLE_FP_LEN], char *err, size_t errlen)
{
	char keypath[4096], pubpath[4096];
	unsigned char blob[KB_BYTES], ad[KEY_AD_MAX];
	struct bundle_key *k = NULL;
	struct stat sb;
	enum status st;

	if ((st = key_paths(prefix, keypath, pubpath, sizeof keypath, err, errlen)) != ST_OK)
		return st;
	if (vault_check_passphrase(pass, passlen, err, errlen) != ST_OK)
		return ST_INVALID;
	if (lstat(keypath, &sb) == 0 || lstat(pubpath, &sb) == 0) {
		status_msg(err, errlen, "%s already exists: key files are never replaced; choose another "
		    "name", lstat(keypath, &sb) == 0 ? keypath : pubpath);
		return ST_EXISTS;
	}
	if (crypto_init() != ST_OK || (k = secure_alloc(sizeof *k)) == NULL) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	if (kk->sig)
		crypto_sig_keypair(k->pk, k->sk);
	else
		crypto_pk_keypair(k->pk, k->sk);
	crypto_random(blob + KB_SALT, CRYPTO_SALT_BYTES);
	put_be(blob + KB_OPS, kdf->ops, 8);
	put_be(blob + KB_MEM, kdf->mem_mib, 8);
	memcpy(blob + KB_PK, k->pk, CRYPTO_PK_BYTES);
	st = crypto_passkey(k->kek, pass, passlen, blob + KB_SALT, kdf->ops, kdf->mem_mib);
	if (st != ST_OK) {
		status_msg(err, errlen, st == ST_NOMEM ? "not enough memory for the passphrase hardening "
		    "(Argon2id)" : "Argon2id limits out of range");
		goto done;
	}
	crypto_wrap(blob + KB_WRAPPED, k->sk, ad, key_ad(kk, blob, ad), k->kek);
	if ((st = write_line_file(keypath, 0600, kk->key_tag, blob, sizeof blob, err,
	    errlen)) != ST_OK)
		goto done;
	if ((st = write_line_file(pubpath, 0644, kk->pub_tag, k->pk, CRYPTO_PK_BYTES, err,
	    errlen)) != ST_OK) {
		unlink(keypath);
		goto done;
	}
	bundle_fingerprint(k->pk, fp);
done:
	secure_free(k);
	return st;
}

enum status
bundle_keygen(const char *prefix, const char *pass, size_t passlen, const struct vault_kdf *kdf,
    char fp[BUNDLE_FP_LEN], char *err, size_t errlen)
{
	return keygen_any(&OFFICE, prefix, pass, passlen, kdf, fp, err, errlen);
}

enum status
bundle_site_keygen(const char *prefix, const char *pass, size_t passlen,
    const struct vault_kdf *kdf, char fp[BUNDLE_FP_LEN], char *err, size_t errlen)
{
	return keygen_any(&SITE, prefix, pass, passlen, kdf, fp, err, errlen);
}

static enum status
pub_load_any(const struct keykind *kk, const char *path, unsigned char pk[CRYPTO_PK_BYTES],
    char *err, size_t errlen)
{
	const struct keykind *other = kk->sig ? &OFFICE : &SITE;
	char text[KEYFILE_MAX];

	if (read_small(path, text, sizeof text, "public key", err, errlen) < 0)
		return ST_INVALID;
	if (parse_line(text, kk->pub_tag, pk, CRYPTO_PK_BYTES) != ST_OK) {
		status_msg(err, errlen, "%s is not an intake %s public key (expected one line \"%s "
		    "...\", as `intake keygen%s` writes it)%s", path, kk->what, kk->pub_tag,
		    kk->sig ? " --site" : "",
		    strncmp(text, kk->key_tag, strlen(kk->key_tag)) == 0 ?
		    ": it is a secret key file; give the .pub file" :
		    strncmp(text, other->pub_tag, strlen(other->pub_tag)) == 0 ?
		    kk->sig ? ": it is an office's key" : ": it is a site's signing key" : "");
		return ST_INVALID;
	}
	return ST_OK;
}

enum status
bundle_pub_load(const char *path, unsigned char pk[CRYPTO_PK_BYTES], char *err, size_t errlen)
{
	return pub_load_any(&OFFICE, path, pk, err, errlen);
}

enum status
bundle_site_pub_load(const char *path, unsigned char pk[CRYPTO_SIG_PK_BYTES], char *err,
    size_t errlen)
{
	return pub_load_any(&SITE, path, pk, err, errlen);
}

static enum status
key_blob_load(const struct keykind *kk, const char *path, unsigned char blob[KB_BYTES],
    char *err, size_t errlen)
{
	char text[KEYFILE_MAX];

	if (read_small(path, text, sizeof text, "key file", err, errlen) < 0)
		return ST_INVALID;
	if (parse_line(text, kk->key_tag, blob, KB_BYTES) != ST_OK) {
		secure_wipe(text, sizeof text);
		status_msg(err, errlen, "%s is not an intake %s secret key file (expected one line "
		    "\"%s ...\", as `intake keygen%s` writes it)", path, kk->what, kk->key_tag,
		    kk->sig ? " --site" : "");
		return ST_INVALID;
	}
	secure_wipe(text, sizeof text);
	return ST_OK;
}

enum status
bundle_key_fingerprint(const char *key_path, char fp[BUNDLE_FP_LEN], char *err, size_t errlen)
{
	unsigned char blob[KB_BYTES];
	enum status st = key_blob_load(&OFFICE, key_path, blob, err, errlen);

	if (st == ST_OK)
		bundle_fingerprint(blob + KB_PK, fp);
	return st;
}

static enum status
key_open_any(const struct keykind *kk, const char *path, const char *pass, size_t passlen,
    struct bundle_key **out, char *err, size_t errlen)
{
	unsigned char blob[KB_BYTES], ad[KEY_AD_MAX], derived[CRYPTO_PK_BYTES];
	struct bundle_key *k;
	enum status st;

	*out = NULL;
	if ((st = key_blob_load(kk, path, blob, err, errlen)) != ST_OK)
		return st;
	if (crypto_init() != ST_OK || (k = secure_alloc(sizeof *k)) == NULL) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	st = crypto_passkey(k->kek, pass, passlen, blob + KB_SALT, get_be(blob + KB_OPS, 8),
	    get_be(blob + KB_MEM, 8));
	if (st != ST_OK) {
		status_msg(err, errlen, st == ST_NOMEM ? "not enough memory to open %s (Argon2id)" :
		    "%s asks for passphrase hardening outside the accepted limits: the file is "
		    "damaged", path);
		goto failed;
	}
	memcpy(k->pk, blob + KB_PK, CRYPTO_PK_BYTES);
	if (crypto_unwrap(k->sk, blob + KB_WRAPPED, ad, key_ad(kk, blob, ad), k->kek) != ST_OK) {
		status_msg(err, errlen, "wrong passphrase for %s (or the file was altered)", path);
		st = ST_AUTH;
		goto failed;
	}
	secure_wipe(k->kek, sizeof k->kek);
	if (kk->sig)
		crypto_sig_public(derived, k->sk);
	if (kk->sig ? !crypto_equal(derived, k->pk, sizeof derived) :
	    !crypto_pk_matches(k->pk, k->sk)) {
		status_msg(err, errlen, "%s is damaged: its public and secret keys do not match", path);
		st = ST_TAMPERED;
		goto failed;
	}
	*out = k;
	return ST_OK;
failed:
	secure_free(k);
	return st;
}

enum status
bundle_key_open(const char *path, const char *pass, size_t passlen, struct bundle_key **out,
    char *err, size_t errlen)
{
	return key_open_any(&OFFICE, path, pass, passlen, out, err, errlen);
}

void
bundle_key_free(struct bundle_key *k)
{
	secure_free(k);
}

enum status
bundle_site_open(const char *path, const char *pass, size_t passlen, struct bundle_site **out,
    char *err, size_t errlen)
{
	struct bundle_key *k;
	enum status st = key_open_any(&SITE, path, pass, passlen, &k, err, errlen);

	/* struct bundle_site is a bundle_key under another name, so that an
	 * office key is never passed where a signing key belongs. */
	*out = (struct bundle_site *)k;
	return st;
}

void
bundle_site_free(struct bundle_site *s)
{
	secure_free(s);
}

/* ---- trusted sites ---------------------------------------------------------------- */

enum status
bundle_trust(struct vault *v, const char *name, const char *pub_path, char fp[BUNDLE_FP_LEN],
    char *err, size_t errlen)
{
	unsigned char pk[CRYPTO_SIG_PK_BYTES];
	char note[64];
	enum status st;

	if ((st = bundle_site_pub_load(pub_path, pk, err, errlen)) != ST_OK)
		return st;
	bundle_fingerprint(pk, fp);
	snprintf(note, sizeof note, "key %s", fp);
	if ((st = vault_site_trust(v, name, pk, note)) != ST_OK)
		status_msg(err, errlen, "%s", vault_errmsg(v));
	return st;
}

enum status
bundle_untrust(struct vault *v, const char *name, char *err, size_t errlen)
{
	struct vault_site s;
	char fp[BUNDLE_FP_LEN], note[64];
	enum status st;

	if ((st = vault_site_get(v, name, &s)) == ST_OK) {
		bundle_fingerprint(s.pk, fp);
		snprintf(note, sizeof note, "key %s", fp);
		st = vault_site_untrust(v, name, note);
	}
	if (st != ST_OK)
		status_msg(err, errlen, "%s", vault_errmsg(v));
	return st;
}

/* ---- creating ------------------------------------------------------------------- */

/* What the audit trail says changed (vault_sites.c: deletions travel from
 * there). */
struct amend_note {
	struct record_id id;
	uint64_t seq, time;
	char user[VAULT_USER_MAX + 1];
	char *reason;
};
struct tombstone {
	struct record_id id;
	uint64_t time;
	char user[VAULT_USER_MAX + 1];
	char *reason;
};
struct changes {
	uint64_t from, to;              /* audit positions: (from, to] */
	time_t since;                   /* --since: deletions from then; else -1 */
	int all;                        /* every record is sent */
	struct record_id *ids;          /* created or amended in (from, to] */
	size_t nids, capids;
	struct amend_note *amends;      /* every amendment, any time */
	size_t namends, capamends;
	struct tombstone *tombs;
	size_t ntombs, captombs;
	int nomem, damaged;
	uint64_t damaged_seq;
};

static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *g;

	if (n < *cap)
		return 0;
	if ((g = realloc(*p, (*cap ? 2 * *cap : 64) * size)) == NULL)
		return -1;
	*p = g;
	*cap = *cap ? 2 * *cap : 64;
	return 0;
}

static int
collect_change(void *ctx, enum status st, const struct audit_entry *e)
{
	struct changes *c = ctx;

	if (e->seq > c->to)
		return 1;
	if (st != ST_OK) {
		c->damaged = 1;
		c->damaged_seq = e->seq;
		return 1;
	}
	if (!e->has_record)
		return 0;
	if ((e->action == AUDIT_RECORD_CREATE || e->action == AUDIT_RECORD_AMEND) &&
	    e->seq > c->from && !c->all) {
		if (grow((void **)&c->ids, &c->capids, c->nids, sizeof *c->ids) != 0)
			goto nomem;
		c->ids[c->nids++] = e->record;
	}
	if (e->action == AUDIT_RECORD_AMEND) {
		struct amend_note *a;

		if (grow((void **)&c->amends, &c->capamends, c->namends, sizeof *c->amends) != 0)
			goto nomem;
		a = &c->amends[c->namends];
		a->id = e->record;
		a->seq = e->seq;
		a->time = e->time;
		snprintf(a->user, sizeof a->user, "%s", e->user);
		if ((a->reason = strdup(e->reason)) == NULL)
			goto nomem;
		c->namends++;
	}
	if (e->action == AUDIT_RECORD_DELETE && (c->since >= 0 ? e->time >= (uint64_t)c->since :
	    e->seq > c->from)) {
		struct tombstone *t;

		if (grow((void **)&c->tombs, &c->captombs, c->ntombs, sizeof *c->tombs) != 0)
			goto nomem;
		t = &c->tombs[c->ntombs];
		t->id = e->record;
		t->time = e->time;
		snprintf(t->user, sizeof t->user, "%s", e->user);
		if ((t->reason = strdup(e->reason)) == NULL)
			goto nomem;
		c->ntombs++;
	}
	return 0;
nomem:
	c->nomem = 1;
	return 1;
}

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, VAULT_ID_BYTES);
}

/* By record, then in the order they were made. */
static int
amend_cmp(const void *a, const void *b)
{
	const struct amend_note *x = a, *y = b;
	int c = memcmp(x->id.b, y->id.b, VAULT_ID_BYTES);

	return c != 0 ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
changes_free(struct changes *c)
{
	for (size_t i = 0; i < c->namends; i++)
		free(c->amends[i].reason);
	for (size_t i = 0; i < c->ntombs; i++)
		free(c->tombs[i].reason);
	free(c->ids);
	free(c->amends);
	free(c->tombs);
}

/* The amendment that made version `version` (2 and up) of id, or NULL. */
static const struct amend_note *
amend_of(const struct changes *c, const struct record_id *id, unsigned version)
{
	const struct amend_note *first;
	size_t lo = 0, hi = c->namends;

	if (c->namends == 0)
		return NULL;
	while (lo < hi) {           /* the first note of id */
		size_t mid = (lo + hi) / 2;

		if (memcmp(c->amends[mid].id.b, id->b, VAULT_ID_BYTES) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = c->amends + lo;
	if (version < 2 || lo + version - 2 >= c->namends)
		return NULL;
	first += version - 2;
	return memcmp(first->id.b, id->b, VAULT_ID_BYTES) == 0 ? first : NULL;
}

struct writer {
	int fd;
	struct crypto_stream *stream;
	struct crypto_hash64 *hash;    /* of every byte written, for the signature */
	unsigned char head[HEAD_BYTES];
	unsigned char *plain;          /* secure, BUNDLE_CHUNK */
	size_t used;
	unsigned char *cipher;         /* u32 length | chunk */
	unsigned long long bytes;
	int error;                     /* errno of a failed write */
	const struct form **forms;     /* forms of the records written */
	size_t nforms;
	size_t records, versions;
	int nomem;
	/* bundle_create only */
	struct vault *v;
	struct dataset *ds;
	const struct changes *ch;
	struct record_id *later;       /* records whose earlier versions follow */
	unsigned *later_n;
	size_t nlater, caplater, caplatern;
	enum status st;                /* a failure inside the scan */
	char *err;
	size_t errlen;
};

static void
put_out(struct writer *w, const void *p, size_t len)
{
	if (w->error)
		return;
	w->error = fdio_write(w->fd, p, len);
	crypto_hash64_update(w->hash, p, len);
	w->bytes += len;
}

/* Seals the buffered payload as one chunk. The final chunk may be empty:
 * its tag, not its content, marks the end. */
static void
chunk_flush(struct writer *w, int final)
{
	size_t clen = w->used + CRYPTO_STREAM_ABYTES;

	if (w->error)
		return;
	put_be(w->cipher, clen, 4);
	crypto_stream_push(w->stream, w->cipher + 4, w->plain, w->used, w->head, HEAD_BYTES, final);
	secure_wipe(w->plain, w->used);
	w->used = 0;
	put_out(w, w->cipher, 4 + clen);
}

static void
put_bytes(struct writer *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0 && !w->error) {
		size_t n = BUNDLE_CHUNK - w->used < len ? BUNDLE_CHUNK - w->used : len;

		memcpy(w->plain + w->used, p, n);
		w->used += n;
		p += n;
		len -= n;
		if (w->used == BUNDLE_CHUNK)
			chunk_flush(w, 0);
	}
}

static void
put_item(struct writer *w, char type, const void *data, size_t len)
{
	unsigned char head[ITEM_HEAD];

	head[0] = (unsigned char)type;
	put_be(head + 1, len, 4);
	put_bytes(w, head, sizeof head);
	put_bytes(w, data, len);
}

static void
put_json_item(struct writer *w, char type, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (s == NULL) {
		w->nomem = 1;
		return;
	}
	put_item(w, type, s, strlen(s));
	free(s);
}

static void
iso_time(uint64_t t, char buf[CLOCK_TEXT_SIZE])
{
	if (t > (uint64_t)CLOCK_MAX || !clock_format((time_t)t, CLOCK_ISO, buf))
		snprintf(buf, CLOCK_TEXT_SIZE, "1970-01-01T00:00:00Z");
}

static void
iso_now(char buf[CLOCK_TEXT_SIZE])
{
	iso_time((uint64_t)clock_now(), buf);
}

/* Starts a bundle: its header, the stream, the digest. */
static enum status
writer_start(struct writer *w, const struct bundle_site *site,
    const unsigned char pk[CRYPTO_PK_BYTES], uint64_t seq, uint64_t after)
{
	unsigned char *key = secure_alloc(CRYPTO_KEY_BYTES);

	w->plain = secure_alloc(BUNDLE_CHUNK);
	w->cipher = malloc(4 + BUNDLE_CHUNK + CRYPTO_STREAM_ABYTES);
	w->hash = crypto_hash64_new();
	if (key == NULL || w->plain == NULL || w->cipher == NULL || w->hash == NULL) {
		secure_free(key);
		return ST_NOMEM;
	}
	memcpy(w->head, MAGIC, MAGIC_LEN);
	w->head[MAGIC_LEN] = VERSION;
	key_id(pk, w->head + HEAD_KEYID);
	crypto_random(key, CRYPTO_KEY_BYTES);
	crypto_pk_seal(w->head + HEAD_SEALED, key, CRYPTO_KEY_BYTES, pk);
	w->stream = crypto_stream_push_init(w->head + HEAD_STREAM, key);
	secure_free(key);
	if (w->stream == NULL)
		return ST_NOMEM;
	memcpy(w->head + HEAD_SITE, site->k.pk, CRYPTO_SIG_PK_BYTES);
	put_be(w->head + HEAD_SEQ, seq, 8);
	put_be(w->head + HEAD_AFTER, after, 8);
	put_out(w, w->head, HEAD_BYTES);
	return ST_OK;
}

/* Ends the stream and appends the signature of every byte before it. */
static void
writer_sign(struct writer *w, const struct bundle_site *site)
{
	unsigned char m[sizeof SIG_LABEL - 1 + CRYPTO_HASH64_BYTES], sig[CRYPTO_SIG_BYTES];

	chunk_flush(w, 1);
	memcpy(m, SIG_LABEL, sizeof SIG_LABEL - 1);
	crypto_hash64_final(w->hash, m + sizeof SIG_LABEL - 1);
	crypto_sig_sign(sig, m, sizeof m, site->k.sk);
	if (!w->error)
		w->error = fdio_write(w->fd, sig, sizeof sig);
	w->bytes += sizeof sig;
}

static void
writer_free(struct writer *w)
{
	crypto_stream_free(w->stream);
	crypto_hash64_free(w->hash);
	secure_free(w->plain);
	free(w->cipher);
	free(w->forms);
	free(w->later);
	free(w->later_n);
}

static int
note_form(struct writer *w, const struct form *f)
{
	size_t i;

	for (i = 0; i < w->nforms && w->forms[i] != f; i++)
		;
	if (i == w->nforms) {
		const struct form **grown = realloc(w->forms, (w->nforms + 1) * sizeof *grown);

		if (grown == NULL) {
			w->nomem = 1;
			return -1;
		}
		w->forms = grown;
		w->forms[w->nforms++] = f;
	}
	return 0;
}

/* 'V' (which version, who made it, why) then 'C' (the record as the vault
 * holds it: its own bytes, so the office rebuilds exactly what was saved). */
static void
put_version(struct writer *w, const struct record_id *id, unsigned version, unsigned versions,
    const char *json, size_t len)
{
	const struct amend_note *a = amend_of(w->ch, id, version);
	char hex[2 * VAULT_ID_BYTES + 1], when[CLOCK_TEXT_SIZE];
	json_t *o;

	record_id_hex(id, hex);
	o = json_pack("{s:s, s:I, s:I}", "id", hex, "version", (json_int_t)version,
	    "versions", (json_int_t)versions);
	if (o != NULL && a != NULL) {
		iso_time(a->time, when);
		if (json_object_set_new(o, "time", json_string(when)) != 0 ||
		    json_object_set_new(o, "by", json_string(a->user)) != 0 ||
		    json_object_set_new(o, "reason", json_string(a->reason)) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	put_json_item(w, 'V', o);
	put_item(w, 'C', json, len);
	w->versions++;
}

static int
write_record(void *ctx, const struct record_id *id, const char *json, size_t len, json_t *rec,
    const struct form *f)
{
	struct writer *w = ctx;
	unsigned earlier = 0;

	(void)rec;
	if (!w->ch->all && (w->ch->nids == 0 ||
	    bsearch(id, w->ch->ids, w->ch->nids, sizeof *w->ch->ids, id_cmp) == NULL))
		return 0;
	if (note_form(w, f) != 0)
		return 1;
	if ((w->st = vault_record_versions(w->v, id, &earlier)) != ST_OK) {
		status_msg(w->err, w->errlen, "%s", vault_errmsg(w->v));
		return 1;
	}
	put_version(w, id, earlier + 1, earlier + 1, json, len);
	if (earlier > 0) {
		if (grow((void **)&w->later, &w->caplater, w->nlater, sizeof *w->later) != 0 ||
		    grow((void **)&w->later_n, &w->caplatern, w->nlater, sizeof *w->later_n) != 0) {
			w->nomem = 1;
			return 1;
		}
		w->later[w->nlater] = *id;
		w->later_n[w->nlater++] = earlier;
	}
	w->records++;
	return w->error != 0;
}

/* The form a record's JSON names, among the vault's (dataset.h). */
static const struct form *
form_named(struct dataset *ds, const char *json, size_t len)
{
	json_t *o = jsonr_load(json, len, 0, NULL);
	const char *hash = dataset_str(json_object_get(o, "form"), "hash");
	const struct form *f = NULL;

	for (size_t i = 0; i < dataset_form_count(ds) && f == NULL; i++)
		if (strcmp(form_hash(dataset_form(ds, i)), hash) == 0)
			f = dataset_form(ds, i);
	json_decref(o);
	return f;
}

/* The earlier versions of the records written, after the scan (which
 * allows no other read of items). */
static enum status
write_earlier(struct writer *w)
{
	for (size_t i = 0; i < w->nlater && !w->error && !w->nomem; i++)
		for (unsigned k = 1; k <= w->later_n[i]; k++) {
			const struct form *f;
			char *json = NULL;
			size_t len = 0;
			enum status st = vault_record_history(w->v, &w->later[i], k, &json, &len);

			if (st != ST_OK) {
				status_msg(w->err, w->errlen, "%s", vault_errmsg(w->v));
				return st;
			}
			if ((f = form_named(w->ds, json, len)) == NULL) {
				struct case_code code;

				vault_plain_free(json, len);
				record_id_code(&w->later[i], &code);
				status_msg(w->err, w->errlen, "version %u of record %s names a form this "
				    "vault does not hold or that no longer loads: nothing was written",
				    k, code.s);
				return ST_INVALID;
			}
			note_form(w, f);
			put_version(w, &w->later[i], k, w->later_n[i] + 1, json, len);
			vault_plain_free(json, len);
		}
	return ST_OK;
}

static void
write_tombstones(struct writer *w, const struct changes *c)
{
	for (size_t i = 0; i < c->ntombs; i++) {
		char hex[2 * VAULT_ID_BYTES + 1], when[CLOCK_TEXT_SIZE];

		record_id_hex(&c->tombs[i].id, hex);
		iso_time(c->tombs[i].time, when);
		/* Deletions always had a reason; a trail entry without one still
		 * travels, so that the office deletes its copy too. */
		put_json_item(w, 'D', json_pack("{s:s, s:s, s:s, s:s}", "id", hex, "time", when,
		    "by", c->tombs[i].user, "reason", c->tombs[i].reason[0] ?
		    c->tombs[i].reason : "(no reason recorded)"));
	}
}

/* The records that changed, read one by one: an incremental bundle costs
 * what changed, not the whole vault. The same selection as dataset.h's:
 * training records and records that fail their integrity check are left
 * out and counted; a record deleted since it changed is gone (its
 * deletion travels). */
static enum status
write_changed(struct writer *w, struct dataset_counts *counts)
{
	for (size_t i = 0; i < w->ch->nids && !w->error && !w->nomem; i++) {
		const struct record_id *id = &w->ch->ids[i];
		const struct form *f;
		char *json = NULL;
		size_t len = 0;
		json_t *o;
		int training;
		enum status st = vault_record_get(w->v, id, &json, &len);

		if (st == ST_NOTFOUND)
			continue;
		if (st == ST_TAMPERED) {
			counts->damaged++;
			continue;
		}
		if (st != ST_OK) {
			status_msg(w->err, w->errlen, "%s", vault_errmsg(w->v));
			return st;
		}
		o = jsonr_load(json, len, 0, NULL);
		training = json_is_true(json_object_get(o, "training"));
		json_decref(o);
		if (o == NULL || training) {
			if (o == NULL)
				counts->damaged++;
			else
				counts->training++;
			vault_plain_free(json, len);
			continue;
		}
		if ((f = form_named(w->ds, json, len)) == NULL) {
			struct case_code code;

			vault_plain_free(json, len);
			record_id_code(id, &code);
			status_msg(w->err, w->errlen, "record %s names a form this vault does not hold or "
			    "that no longer loads: nothing was written", code.s);
			return ST_INVALID;
		}
		counts->selected++;
		write_record(w, id, json, len, NULL, f);
		vault_plain_free(json, len);
		if (w->st != ST_OK)
			return w->st;
	}
	return ST_OK;
}

/* Bundles are numbered per office key and signing key: a bundle signed
 * with another key (not trusted there, or a new key that is) starts its
 * own numbering, as the office's trust in that key does. */
static void
pair_id(const unsigned char pk[CRYPTO_PK_BYTES], const struct bundle_site *site,
    unsigned char id[BUNDLE_KEYID_BYTES])
{
	unsigned char both[CRYPTO_PK_BYTES + CRYPTO_SIG_PK_BYTES], h[CRYPTO_HASH_BYTES];

	memcpy(both, pk, CRYPTO_PK_BYTES);
	memcpy(both + CRYPTO_PK_BYTES, site->k.pk, CRYPTO_SIG_PK_BYTES);
	crypto_digest(h, both, sizeof both);
	memcpy(id, h, BUNDLE_KEYID_BYTES);
}

/* Reads what changed in the audit trail up to its head now. */
static enum status
read_changes(struct vault *v, struct changes *c, uint64_t from, const char *since, char *err,
    size_t errlen)
{
	struct vault_audit_head head;
	time_t day;
	enum status st;

	c->from = from;
	c->since = -1;
	if (since != NULL) {
		if (!clock_parse_day(since, strlen(since), &day)) {
			status_msg(err, errlen, "--since %s is not a date like 2026-01-31", since);
			return ST_INVALID;
		}
		c->since = day;
	}
	c->all = since != NULL || from == 0;
	if ((st = vault_audit_head(v, &head)) != ST_OK ||
	    (c->to = head.seq, st = audit_list(v, NULL, collect_change, c)) != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		return st;
	}
	if (c->nomem) {
		status_msg(err, errlen, "out of memory reading the audit trail");
		return ST_NOMEM;
	}
	if (c->damaged) {
		status_msg(err, errlen, "entry %llu of the audit trail does not open, so what changed "
		    "since the last bundle is not known: run `intake verify`; nothing was written",
		    (unsigned long long)c->damaged_seq);
		return ST_TAMPERED;
	}
	if (c->nids > 1) {
		size_t n = 1;

		qsort(c->ids, c->nids, sizeof *c->ids, id_cmp);
		for (size_t i = 1; i < c->nids; i++)
			if (id_cmp(&c->ids[i], &c->ids[n - 1]) != 0)
				c->ids[n++] = c->ids[i];
		c->nids = n;
	}
	if (c->namends > 1)
		qsort(c->amends, c->namends, sizeof *c->amends, amend_cmp);
	return ST_OK;
}

enum status
bundle_create(struct vault *v, const struct bundle_site *site,
    const unsigned char pk[CRYPTO_PK_BYTES], int fd, const char *since, const char *forms_dir,
    struct bundle_result *r, char *err, size_t errlen)
{
	struct dataset_filter filter = { NULL, since };
	struct changes ch;
	struct writer w;
	char created[CLOCK_TEXT_SIZE], from[2 * VAULT_ID_BYTES + 1];
	uint64_t last = 0, mark = 0;
	enum status st;

	memset(&w, 0, sizeof w);
	memset(&ch, 0, sizeof ch);
	memset(r, 0, sizeof *r);
	w.fd = fd;
	w.v = v;
	w.ch = &ch;
	w.err = err;
	w.errlen = errlen;
	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can make a transfer bundle");
		return ST_DENIED;
	}
	pair_id(pk, site, r->office);
	if ((st = vault_office_state(v, r->office, &last, &mark)) != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		return st;
	}
	if (last >= SEQ_MAX) {
		status_msg(err, errlen, "this vault has made too many bundles for this office");
		return ST_FULL;
	}
	/* The audit position is read before the records: a change made while
	 * this runs is either in this bundle or after its mark, never lost. */
	if ((st = read_changes(v, &ch, since != NULL ? 0 : mark, since, err, errlen)) != ST_OK)
		goto done;
	if ((st = dataset_open(v, forms_dir, &filter, &w.ds, err, errlen)) != ST_OK)
		goto done;
	r->seq = last + 1;
	r->after = since != NULL ? 0 : last;
	r->mark = ch.to;
	if ((st = writer_start(&w, site, pk, r->seq, r->after)) != ST_OK) {
		status_msg(err, errlen, "out of memory");
		goto done;
	}
	iso_now(created);
	vault_id_hex(v, from);
	put_json_item(&w, 'M', json_pack("{s:i, s:s, s:s, s:s, s:s?}", "format", VERSION,
	    "created", created, "from", from, "by", vault_user(v), "since", since));
	st = ch.all ? dataset_scan(w.ds, write_record, &w, &r->counts, err, errlen) :
	    write_changed(&w, &r->counts);
	if (st == ST_OK && w.st != ST_OK)
		st = w.st;
	if (st == ST_OK)
		st = write_earlier(&w);
	if (st != ST_OK)
		goto done;
	write_tombstones(&w, &ch);
	for (size_t i = 0; i < w.nforms && !w.error; i++) {
		size_t len, rlen;
		const char *src = form_source(w.forms[i], &len);
		const char *ref = form_referrals_source(w.forms[i], &rlen);

		put_item(&w, 'F', src, len);
		put_item(&w, 'R', ref ? ref : "", ref ? rlen : 0);
	}
	put_json_item(&w, 'E', json_pack("{s:I, s:I, s:I, s:I}", "records", (json_int_t)w.records,
	    "versions", (json_int_t)w.versions, "deletions", (json_int_t)ch.ntombs,
	    "forms", (json_int_t)w.nforms));
	writer_sign(&w, site);
	if (w.nomem) {
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory while writing the bundle");
	} else if (w.error == 0 && fsync(fd) != 0 && errno != EINVAL) {
		w.error = errno;
	}
	if (st == ST_OK && w.error != 0) {
		st = ST_IO;
		status_msg(err, errlen, "cannot write the bundle: %s", strerror(w.error));
	}
	r->records = w.records;
	r->versions = w.versions;
	r->deletions = ch.ntombs;
	r->forms = w.nforms;
	r->bytes = w.bytes;
done:
	writer_free(&w);
	dataset_free(w.ds);
	changes_free(&ch);
	return st;
}

enum status
bundle_sent(struct vault *v, const struct bundle_result *r, char *err, size_t errlen)
{
	enum status st = vault_office_sent(v, r->office, r->seq, r->mark);

	if (st != ST_OK)
		status_msg(err, errlen, "%s", vault_errmsg(v));
	return st;
}

enum status
bundle_test_seal(const struct bundle_site *site, const unsigned char pk[CRYPTO_PK_BYTES],
    unsigned long long seq, unsigned long long after, const void *payload, size_t len, int fd)
{
	struct writer w;
	enum status st;

	memset(&w, 0, sizeof w);
	w.fd = fd;
	if ((st = writer_start(&w, site, pk, seq, after)) == ST_OK) {
		put_bytes(&w, payload, len);
		writer_sign(&w, site);
		st = w.error ? ST_IO : ST_OK;
	}
	writer_free(&w);
	return st;
}

/* ---- importing ------------------------------------------------------------------- */

struct item {
	char type;
	const unsigned char *p;
	size_t len;
};

struct bform {
	char hash[65];
	struct form *form;
};

struct reader {
	unsigned char *file;           /* the bundle as read (ciphertext) */
	size_t flen;
	unsigned char *plain;          /* secure: every chunk opened */
	size_t plen;
	struct item *items;
	size_t nitems;
	struct bform *forms;
	size_t nforms;
	struct vault_import_form *vforms;   /* form and referrals sources */
	size_t nvforms;
	struct vault_apply_version *recs;   /* every version of every record */
	char **jsons;                  /* each version as the engine rebuilt it */
	size_t *json_lens;
	char **summaries;
	size_t *summary_lens;
	char **reasons;                /* the audit reason of each version here */
	size_t nrecs;
	struct vault_apply_delete *dels;
	char **del_reasons;
	size_t ndels;
	size_t nids;                   /* distinct records */
	struct vault_site site;        /* who signed it */
	uint64_t seq, after;
};

/* The whole bundle is read before anything is opened: import must see every
 * chunk verify before it writes a single record. */
static enum status
read_file(const char *path, struct reader *rd, char *err, size_t errlen)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		status_msg(err, errlen, "cannot read the bundle %s: %s", path, strerror(e));
		return e == ENOENT ? ST_NOTFOUND : ST_IO;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		status_msg(err, errlen, "%s is not a file", path);
		return ST_INVALID;
	}
	if ((unsigned long long)sb.st_size > BUNDLE_MAX) {
		close(fd);
		status_msg(err, errlen, "%s is larger than any bundle intake makes (4 GiB): ask for "
		    "bundles of fewer records (--since)", path);
		return ST_INVALID;
	}
	rd->flen = (size_t)sb.st_size;
	rd->file = malloc(rd->flen ? rd->flen : 1);
	if (rd->file == NULL) {
		close(fd);
		status_msg(err, errlen, "out of memory reading %s", path);
		return ST_NOMEM;
	}
	rd->flen = fdio_read(fd, rd->file, rd->flen);
	close(fd);
	return ST_OK;
}

static enum status
check_header(const unsigned char *head, size_t len, size_t need, const char *path, char *err,
    size_t errlen)
{
	if (len < MAGIC_LEN || memcmp(head, MAGIC, MAGIC_LEN) != 0) {
		status_msg(err, errlen, "%s is not an intake transfer bundle; nothing was imported", path);
		return ST_INVALID;
	}
	if (len > MAGIC_LEN && head[MAGIC_LEN] == 1) {
		status_msg(err, errlen, "%s is an unsigned bundle made by an older intake: this office "
		    "imports only bundles signed by a site it trusts; ask the site to update intake "
		    "and send it again; nothing was imported", path);
		return ST_FORMAT;
	}
	if (len < MAGIC_LEN + 4 || head[MAGIC_LEN] != VERSION || head[MAGIC_LEN + 1] ||
	    head[MAGIC_LEN + 2] || head[MAGIC_LEN + 3]) {
		status_msg(err, errlen, "%s was made by a newer intake (bundle version %u): update intake "
		    "to import it; nothing was imported", path, len > MAGIC_LEN ? head[MAGIC_LEN] : 0);
		return ST_FORMAT;
	}
	if (len < need) {
		status_msg(err, errlen, "the bundle %s is cut short (%zu bytes): ask the sender for it "
		    "again; nothing was imported", path, len);
		return ST_TAMPERED;
	}
	return ST_OK;
}

/* The signer must be a site this vault trusts, the signature must cover
 * every byte, and the bundle must come next in that site's numbering: all
 * checked on the ciphertext, before anything is opened. */
static enum status
check_signer(struct vault *v, struct reader *rd, const char *path, char *err, size_t errlen)
{
	unsigned char m[sizeof SIG_LABEL - 1 + CRYPTO_HASH64_BYTES];
	const unsigned char *pk = rd->file + HEAD_SITE;
	struct crypto_hash64 *h;
	char fp[BUNDLE_FP_LEN];
	size_t body = rd->flen - CRYPTO_SIG_BYTES;
	enum status st;

	bundle_fingerprint(pk, fp);
	if ((st = vault_site_find(v, pk, &rd->site)) == ST_NOTFOUND) {
		status_msg(err, errlen, "%s is signed by a site this office does not trust (site key "
		    "%s): if the site is yours, check that fingerprint with it by phone, then `intake "
		    "bundle trust NAME SITE.pub`; nothing was imported", path, fp);
		return ST_DENIED;
	}
	if (st != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		return st;
	}
	if ((h = crypto_hash64_new()) == NULL) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	memcpy(m, SIG_LABEL, sizeof SIG_LABEL - 1);
	crypto_hash64_update(h, rd->file, body);
	crypto_hash64_final(h, m + sizeof SIG_LABEL - 1);
	crypto_hash64_free(h);
	if (crypto_sig_verify(rd->file + body, m, sizeof m, pk) != ST_OK) {
		status_msg(err, errlen, "%s does not match the signature of site %s: it was altered, cut "
		    "short or its parts reordered after it was signed; ask the site for it again; "
		    "nothing was imported", path, rd->site.name);
		return ST_TAMPERED;
	}
	rd->seq = get_be(rd->file + HEAD_SEQ, 8);
	rd->after = get_be(rd->file + HEAD_AFTER, 8);
	if (rd->seq == 0 || rd->seq >= SEQ_MAX || rd->after >= rd->seq) {
		status_msg(err, errlen, "%s has a malformed bundle number: it was not made by intake; "
		    "nothing was imported", path);
		return ST_TAMPERED;
	}
	if (rd->seq <= rd->site.last_seq) {
		status_msg(err, errlen, "%s is bundle %llu of site %s, which this vault has imported "
		    "already (it holds that site's bundles up to %llu); nothing was imported or "
		    "changed", path, (unsigned long long)rd->seq, rd->site.name,
		    (unsigned long long)rd->site.last_seq);
		return ST_EXISTS;
	}
	if (rd->after > rd->site.last_seq) {
		status_msg(err, errlen, "%s is bundle %llu of site %s and carries only the changes since "
		    "its bundle %llu, but this vault has imported that site's bundles only up to %llu: "
		    "import bundle %llu first (or ask the site for a full resend, `intake bundle "
		    "create --since`); nothing was imported", path, (unsigned long long)rd->seq,
		    rd->site.name, (unsigned long long)rd->after, (unsigned long long)rd->site.last_seq,
		    (unsigned long long)rd->site.last_seq + 1);
		return ST_INVALID;
	}
	return ST_OK;
}

enum status
bundle_recipient(const char *bundle_path, char fp[BUNDLE_FP_LEN], char *err, size_t errlen)
{
	unsigned char head[HEAD_BYTES];
	ssize_t n;
	int fd = open(bundle_path, O_RDONLY | O_CLOEXEC);
	enum status st;

	if (fd < 0) {
		int e = errno;

		status_msg(err, errlen, "cannot read the bundle %s: %s", bundle_path, strerror(e));
		return e == ENOENT ? ST_NOTFOUND : ST_IO;
	}
	n = read(fd, head, sizeof head);
	close(fd);
	/* The whole file's size is checked at import: here only the key id. */
	if ((st = check_header(head, n > 0 ? (size_t)n : 0, HEAD_SEALED, bundle_path, err,
	    errlen)) != ST_OK)
		return st;
	fingerprint_of_id(head + HEAD_KEYID, fp);
	return ST_OK;
}

/* The recipient check comes first so that a bundle for another office is
 * named as such, not as damaged. */
static enum status
check_recipient(const struct reader *rd, const struct bundle_key *k, const char *path, char *err,
    size_t errlen)
{
	unsigned char id[BUNDLE_KEYID_BYTES];
	char want[BUNDLE_FP_LEN], have[BUNDLE_FP_LEN];

	key_id(k->pk, id);
	if (!crypto_equal(id, rd->file + HEAD_KEYID, sizeof id)) {
		fingerprint_of_id(rd->file + HEAD_KEYID, want);
		fingerprint_of_id(id, have);
		status_msg(err, errlen, "%s is sealed to another key (%s), not to this one (%s): import it "
		    "with the key it was made for; nothing was imported", path, want, have);
		return ST_INVALID;
	}
	return ST_OK;
}

/* Opens every chunk of rd->file (up to the signature) into rd->plain. The
 * plaintext is never longer than the file, so one secure buffer of the
 * file's size holds it. */
static enum status
open_chunks(struct reader *rd, const struct bundle_key *k, const char *path, char *err,
    size_t errlen)
{
	unsigned char *key = NULL;
	struct crypto_stream *stream = NULL;
	size_t off = HEAD_BYTES, chunk = 0, end = rd->flen - CRYPTO_SIG_BYTES;
	int final = 0;
	enum status st;

	key = secure_alloc(CRYPTO_KEY_BYTES);
	rd->plain = secure_alloc(rd->flen);
	if (key == NULL || rd->plain == NULL) {
		secure_free(key);
		status_msg(err, errlen, "out of memory opening %s", path);
		return ST_NOMEM;
	}
	if (crypto_pk_open(key, rd->file + HEAD_SEALED, SEALED_KEY, k->pk, k->sk) != ST_OK ||
	    (stream = crypto_stream_pull_init(rd->file + HEAD_STREAM, key)) == NULL) {
		secure_free(key);
		status_msg(err, errlen, "%s was altered: its sealed key does not open with this key; "
		    "nothing was imported", path);
		return ST_TAMPERED;
	}
	secure_free(key);
	st = ST_OK;
	while (off < end && st == ST_OK) {
		size_t clen;

		chunk++;
		if (final) {
			status_msg(err, errlen, "%s has data after its end (from byte %zu): it was altered; "
			    "nothing was imported", path, off);
			st = ST_TAMPERED;
		} else if (end - off < 4 || (clen = (size_t)get_be(rd->file + off, 4),
		    end - off - 4 < clen)) {
			status_msg(err, errlen, "%s is cut short (part %zu is incomplete): it was not copied "
			    "or downloaded whole; ask the sender for it again; nothing was imported",
			    path, chunk);
			st = ST_TAMPERED;
		} else if (clen < CRYPTO_STREAM_ABYTES || clen > BUNDLE_CHUNK + CRYPTO_STREAM_ABYTES ||
		    crypto_stream_pull(stream, rd->plain + rd->plen, rd->file + off + 4, clen,
		    rd->file, HEAD_BYTES, &final) != ST_OK) {
			status_msg(err, errlen, "part %zu of %s fails its integrity check: the bundle was "
			    "altered or its parts reordered; nothing was imported", chunk, path);
			st = ST_TAMPERED;
		} else {
			rd->plen += clen - CRYPTO_STREAM_ABYTES;
			off += 4 + clen;
		}
	}
	crypto_stream_free(stream);
	if (st == ST_OK && !final) {
		status_msg(err, errlen, "%s is cut short: its last part is missing (an incomplete copy or "
		    "download); ask the sender for it again; nothing was imported", path);
		st = ST_TAMPERED;
	}
	return st;
}

/* Items may span chunks: the chunking is the writer's business, so the
 * reader works on the opened stream as a whole. */
static enum status
split_items(struct reader *rd, char *err, size_t errlen)
{
	size_t off = 0, cap = 0;

	while (off < rd->plen) {
		struct item it;

		if (rd->plen - off < ITEM_HEAD)
			goto bad;
		it.type = (char)rd->plain[off];
		it.len = (size_t)get_be(rd->plain + off + 1, 4);
		if (rd->plen - off - ITEM_HEAD < it.len)
			goto bad;
		it.p = rd->plain + off + ITEM_HEAD;
		off += ITEM_HEAD + it.len;
		if (rd->nitems == cap) {
			struct item *grown;

			cap = cap ? 2 * cap : 256;
			if ((grown = realloc(rd->items, cap * sizeof *grown)) == NULL) {
				status_msg(err, errlen, "out of memory");
				return ST_NOMEM;
			}
			rd->items = grown;
		}
		rd->items[rd->nitems++] = it;
	}
	if (rd->nitems >= 2 && rd->items[0].type == 'M' && rd->items[rd->nitems - 1].type == 'E')
		return ST_OK;
bad:
	status_msg(err, errlen, "the bundle's content is malformed (it was not made by intake); "
	    "nothing was imported");
	return ST_TAMPERED;
}

static json_t *
item_json(const struct item *it)
{
	json_t *o = jsonr_load((const char *)it->p, it->len, JSON_REJECT_DUPLICATES, NULL);

	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static enum status
load_forms(struct reader *rd, char *err, size_t errlen)
{
	size_t n = 0;

	for (size_t i = 0; i < rd->nitems; i++)
		n += rd->items[i].type == 'F';
	rd->forms = calloc(n ? n : 1, sizeof *rd->forms);
	rd->vforms = calloc(n ? 2 * n : 1, sizeof *rd->vforms);
	if (rd->forms == NULL || rd->vforms == NULL) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	for (size_t i = 0; i < rd->nitems; i++) {
		const struct item *f = &rd->items[i], *r = &rd->items[i + 1];
		struct bform *b = &rd->forms[rd->nforms];
		struct diag_list dl;
		char why[512] = "";
		enum status st;

		if (f->type != 'F')
			continue;
		if (i + 1 >= rd->nitems || r->type != 'R') {
			status_msg(err, errlen, "the bundle's content is malformed (a form without its "
			    "referrals); nothing was imported");
			return ST_TAMPERED;
		}
		diag_list_init(&dl);
		st = form_load_buffers("bundle-form.yaml", (const char *)f->p, f->len,
		    "bundle-referrals.yaml", r->len ? (const char *)r->p : "", r->len, &b->form, &dl);
		if (st != ST_OK && dl.count > 0)
			diag_format(&dl.items[0], why, sizeof why);
		diag_list_free(&dl);
		if (st == ST_NOMEM) {
			status_msg(err, errlen, "out of memory");
			return st;
		}
		if (st != ST_OK) {
			status_msg(err, errlen, "a form in the bundle does not load (%s); nothing was imported",
			    why);
			return ST_TAMPERED;
		}
		crypto_digest_hex(b->hash, f->p, f->len);
		if (form_set_hash(b->form, b->hash) != ST_OK)
			return ST_INTERNAL;
		rd->vforms[rd->nvforms].src = (const char *)f->p;
		rd->vforms[rd->nvforms++].len = f->len;
		/* Kept beside the form, so that it loads here too (dataset.h). */
		if (r->len > 0) {
			rd->vforms[rd->nvforms].src = (const char *)r->p;
			rd->vforms[rd->nvforms++].len = r->len;
		}
		rd->nforms++;
	}
	return ST_OK;
}

static const struct form *
bundle_form(const struct reader *rd, const char *hash)
{
	for (size_t i = 0; i < rd->nforms; i++)
		if (strcmp(rd->forms[i].hash, hash) == 0)
			return rd->forms[i].form;
	return NULL;
}

/* True when s is n characters of [0-9a-f]. */
static bool
is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* True when s is a time as iso_now writes it, YYYY-MM-DDTHH:MM:SSZ. */
static bool
is_iso_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	return true;
}

/* A user name or reason from the sender: shown and audited here, so it
 * must have the shape intake gives them. */
static bool
text_ok(const char *s, size_t max)
{
	return strlen(s) <= max && textcheck_ok(s, strlen(s), 0);
}

/* "from site S, version K by U at T: REASON", cut to fit an audit reason
 * at a character boundary. NULL when out of memory. */
static char *
audit_reason(const char *site, const char *what, const char *by, const char *when,
    const char *reason)
{
	char *out = malloc(VAULT_REASON_MAX + 1);
	size_t n;

	if (out == NULL)
		return NULL;
	n = (size_t)snprintf(out, VAULT_REASON_MAX + 1, "from site %s, %s%s%s%s%s%s%s", site, what,
	    *by ? " by " : "", by, *when ? " at " : "", when, *reason ? ": " : "", reason);
	if (n > VAULT_REASON_MAX) {
		n = VAULT_REASON_MAX;
		while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
			n--;
		out[n] = '\0';
	}
	return out;
}

/* Rebuilds version j of the bundle's versions through the engine; fills
 * its entry. vit is its 'V' item, or NULL for a record sent as its only
 * version. Touches only slot j of rd's arrays, and reads the bundle's forms:
 * check_records runs it on several threads. */
static enum status
check_record(struct reader *rd, size_t j, const struct item *vit, const struct item *it,
    unsigned *of, unsigned char *training, char *err, size_t errlen)
{
	struct vault_apply_version *r = &rd->recs[j];
	char msg[512] = "", what[64];
	struct interview *iv = NULL;
	const struct form *f;
	json_t *o = item_json(it), *vm = vit != NULL ? item_json(vit) : NULL;
	const char *by = "", *when = "", *reason = "";
	json_int_t version = 1, versions = 1;
	enum status st = ST_TAMPERED;

	if (o == NULL || (vit != NULL && vm == NULL)) {
		status_msg(err, errlen, "a record in the bundle is not valid JSON; nothing was imported");
		goto done;
	}
	if (crypto_hex2bin(r->id.b, VAULT_ID_BYTES, dataset_str(o, "id")) != ST_OK) {
		status_msg(err, errlen, "a record in the bundle has no valid id; nothing was imported");
		goto done;
	}
	if (vm != NULL) {
		json_t *t = json_object_get(vm, "time"), *b = json_object_get(vm, "by");
		json_t *why = json_object_get(vm, "reason");

		version = json_integer_value(json_object_get(vm, "version"));
		versions = json_integer_value(json_object_get(vm, "versions"));
		when = t != NULL ? dataset_str(vm, "time") : "";
		by = b != NULL ? dataset_str(vm, "by") : "";
		reason = why != NULL ? dataset_str(vm, "reason") : "";
		if (strcmp(dataset_str(vm, "id"), dataset_str(o, "id")) != 0 || version < 1 ||
		    versions < version || versions > UINT32_MAX ||
		    (t != NULL && !is_iso_time(when)) || (b != NULL && !json_is_string(b)) ||
		    !text_ok(by, VAULT_USER_MAX) || (why != NULL && !json_is_string(why)) ||
		    !text_ok(reason, VAULT_REASON_MAX)) {
			status_msg(err, errlen, "the version notes of record %s are malformed: it was not "
			    "made by intake; nothing was imported", dataset_str(o, "id"));
			goto done;
		}
	}
	r->version = (unsigned)version;
	*of = (unsigned)versions;
	*training = json_is_true(json_object_get(o, "training"));
	f = bundle_form(rd, dataset_str(json_object_get(o, "form"), "hash"));
	if (f == NULL) {
		status_msg(err, errlen, "record %s names a form the bundle does not hold; nothing was "
		    "imported", dataset_str(o, "id"));
		goto done;
	}
	/* The text was parsed once, above, as the engine parses it (duplicate
	 * keys refused): the engine rebuilds the interview from that. */
	st = interview_from_json_value(f, o, &iv, msg, sizeof msg);
	if (st == ST_OK && interview_state(iv) == IV_IN_PROGRESS)
		snprintf(msg, sizeof msg, "it is an unfinished draft");
	if (st != ST_OK || interview_state(iv) == IV_IN_PROGRESS) {
		status_msg(err, errlen, "record %s does not verify against its form: %s; nothing was "
		    "imported", dataset_str(o, "id"), msg);
		st = st == ST_NOMEM ? ST_NOMEM : ST_TAMPERED;
		goto done;
	}
	/* What is stored is the record as this engine rebuilt it from the
	 * answers, never the sender's text: indicators, outcome and every
	 * other derived field then agree with the summary made from the same
	 * interview, whatever the bundle claimed. */
	snprintf(what, sizeof what, "version %u", r->version);
	rd->reasons[j] = audit_reason(rd->site.name, what, by, when, reason);
	st = interview_to_json(iv, &rd->jsons[j], &rd->json_lens[j]);
	if (st == ST_OK)
		st = interview_summary_json(iv, &rd->summaries[j],
		    &rd->summary_lens[j]);
	if (st != ST_OK || rd->reasons[j] == NULL) {
		status_msg(err, errlen, "out of memory");
		st = ST_NOMEM;
		goto done;
	}
	r->json = rd->jsons[j];
	r->len = rd->json_lens[j];
	r->summary = rd->summaries[j];
	r->summary_len = rd->summary_lens[j];
	r->reason = rd->reasons[j];
done:
	interview_free(iv);
	json_decref(o);
	json_decref(vm);
	return st;
}

/* A deletion: the record's id, when, by whom and why; no content. */
static enum status
check_deletion(struct reader *rd, const struct item *it, char *err, size_t errlen)
{
	struct vault_apply_delete *d = &rd->dels[rd->ndels];
	json_t *o = item_json(it);
	const char *when = dataset_str(o, "time"), *by = dataset_str(o, "by");
	const char *reason = dataset_str(o, "reason");
	enum status st = ST_TAMPERED;

	if (o == NULL || crypto_hex2bin(d->id.b, VAULT_ID_BYTES, dataset_str(o, "id")) != ST_OK ||
	    !is_iso_time(when) || !text_ok(by, VAULT_USER_MAX) || *reason == '\0' ||
	    !text_ok(reason, VAULT_REASON_MAX) || json_object_size(o) != 4) {
		status_msg(err, errlen, "a deletion in the bundle is malformed (it must give the "
		    "record's id, a time, a user and a reason, and nothing else): it was not made by "
		    "intake; nothing was imported");
		goto done;
	}
	rd->del_reasons[rd->ndels] = audit_reason(rd->site.name, "deleted there", by, when, reason);
	if (rd->del_reasons[rd->ndels] == NULL) {
		status_msg(err, errlen, "out of memory");
		st = ST_NOMEM;
		goto done;
	}
	d->reason = rd->del_reasons[rd->ndels++];
	st = ST_OK;
done:
	json_decref(o);
	return st;
}

/* A version with the count its notes gave, for sorting. */
struct vsort {
	struct vault_apply_version a;
	unsigned of;
};

static int
version_cmp(const void *p, const void *q)
{
	const struct vsort *x = p, *y = q;
	int c = memcmp(x->a.id.b, y->a.id.b, VAULT_ID_BYTES);

	return c != 0 ? c : x->a.version < y->a.version ? -1 : x->a.version > y->a.version;
}

static int
delete_cmp(const void *a, const void *b)
{
	return memcmp(((const struct vault_apply_delete *)a)->id.b,
	    ((const struct vault_apply_delete *)b)->id.b, VAULT_ID_BYTES);
}

/* Puts the versions in order, record by record, and checks that each
 * record comes with every version 1..n exactly once, and that no record
 * is both sent and deleted. */
static enum status
order_versions(struct reader *rd, const unsigned *of, char *err, size_t errlen)
{
	struct vsort *v = malloc((rd->nrecs ? rd->nrecs : 1) * sizeof *v);
	enum status st = ST_OK;
	char hex[2 * VAULT_ID_BYTES + 1];

	if (v == NULL) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	for (size_t i = 0; i < rd->nrecs; i++) {
		v[i].a = rd->recs[i];
		v[i].of = of[i];
	}
	qsort(v, rd->nrecs, sizeof *v, version_cmp);
	rd->nids = 0;
	for (size_t i = 0, first = 0; i < rd->nrecs && st == ST_OK; i++) {
		const struct record_id *id = &v[i].a.id;
		int last = i + 1 == rd->nrecs || memcmp(v[i + 1].a.id.b, id->b, VAULT_ID_BYTES) != 0;

		if (i == 0 || memcmp(v[i - 1].a.id.b, id->b, VAULT_ID_BYTES) != 0) {
			first = i;
			rd->nids++;
		}
		record_id_hex(id, hex);
		if (v[i].a.version != i - first + 1 || v[i].of != v[first].of ||
		    (last && v[i].a.version != v[i].of)) {
			status_msg(err, errlen, "the bundle does not hold every version of record %s once "
			    "and only once; nothing was imported", hex);
			st = ST_TAMPERED;
		} else if (bsearch(id, rd->dels, rd->ndels, sizeof *rd->dels, delete_cmp) != NULL) {
			status_msg(err, errlen, "the bundle both sends and deletes record %s; nothing was "
			    "imported", hex);
			st = ST_TAMPERED;
		}
	}
	for (size_t i = 0; st == ST_OK && i < rd->nrecs; i++)
		rd->recs[i] = v[i].a;
	free(v);
	return st;
}

/* The manifest's words reach the importing supervisor's screen ("made ...
 * by vault ..."): each must have the shape intake writes, so that a made-up
 * bundle cannot carry terminal escapes or misleading text there. */
static enum status
check_manifest(json_t *m, char *err, size_t errlen)
{
	const char *from = dataset_str(m, "from"), *created = dataset_str(m, "created");
	const char *by = dataset_str(m, "by");
	json_t *since = json_object_get(m, "since");
	const char *what = NULL;

	if (!is_hex(from, 2 * VAULT_ID_BYTES))
		what = "'from' is not a vault id";
	else if (!is_iso_time(created))
		what = "'created' is not a time like 2026-01-31T08:00:00Z";
	else if (strlen(by) > VAULT_USER_MAX || !textcheck_ok(by, strlen(by), 0))
		what = "'by' is not a user name";
	else if (since != NULL && !json_is_null(since) &&
	    (!json_is_string(since) || dataset_check_date(json_string_value(since)) != ST_OK))
		what = "'since' is not a date";
	if (what == NULL)
		return ST_OK;
	status_msg(err, errlen, "the bundle's manifest is malformed (%s): it was not made by intake; "
	    "nothing was imported", what);
	return ST_TAMPERED;
}

/* A form is named by its id and version wherever people see it (the case
 * list, exports, statistics): two different texts under one name would make
 * records of one read as records of the other. A bundled form whose id and
 * version this vault (or the bundle itself) already holds with other text is
 * refused, and with it the whole bundle. */
static enum status
check_form_versions(struct vault *v, const struct reader *rd, char *err, size_t errlen)
{
	char (*hashes)[65] = NULL, id[FORM_ID_MAX + 1], ver[128];
	size_t n = 0;
	enum status st;

	for (size_t i = 0; i < rd->nforms; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(form_id(rd->forms[i].form), form_id(rd->forms[j].form)) == 0 &&
			    strcmp(form_version(rd->forms[i].form),
			    form_version(rd->forms[j].form)) == 0) {
				status_msg(err, errlen, "the bundle holds two different forms named '%s' "
				    "version %s (%.12s and %.12s): it was not made by intake; nothing "
				    "was imported", form_id(rd->forms[i].form),
				    form_version(rd->forms[i].form), rd->forms[j].hash,
				    rd->forms[i].hash);
				return ST_TAMPERED;
			}
	if ((st = vault_form_list(v, &hashes, &n)) != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		return st;
	}
	for (size_t k = 0; k < n && st == ST_OK; k++) {
		char *src = NULL;
		size_t len = 0;
		int named;

		if (bundle_form(rd, hashes[k]) != NULL)
			continue;       /* the same text: nothing to compare */
		if ((st = vault_form_get(v, hashes[k], &src, &len)) != ST_OK) {
			status_msg(err, errlen, "%s", vault_errmsg(v));
			break;
		}
		named = form_source_id_version(src, len, id, sizeof id, ver, sizeof ver);
		vault_plain_free(src, len);
		for (size_t i = 0; named && i < rd->nforms; i++)
			if (strcmp(form_id(rd->forms[i].form), id) == 0 &&
			    strcmp(form_version(rd->forms[i].form), ver) == 0) {
				status_msg(err, errlen, "the bundle's form '%s' version %s (%.12s) differs from "
				    "the form '%s' version %s this vault already holds (%.12s): one id "
				    "and version must name one text; ask the sender to give the changed "
				    "form a new version; nothing was imported", id, ver,
				    rd->forms[i].hash, id, ver, hashes[k]);
				st = ST_INVALID;
				break;
			}
	}
	free(hashes);
	return st;
}

/* ---- the engine's rebuilds, on every processor ------------------------------
 *
 * Rebuilding every version through the engine is half of an import's work,
 * and each version's rebuild depends on nothing but its own items and the
 * bundle's forms, which no rebuild changes. check_records hands the
 * versions out in bundle order to up to IMPORT_THREADS threads, the
 * caller's among them. A failure stops the handing out of later versions;
 * the one reported is the first in bundle order that fails, as with one
 * thread, and nothing is imported. */

#define IMPORT_THREADS      4
#define IMPORT_PER_THREAD   64      /* fewer versions a thread: not worth one */
#define REBUILD_ARENA       ((size_t)512 << 10)  /* a record's JSON values, twice over */

struct job {
	const struct item *vit, *it;
	unsigned char training;
};

struct pool {
	struct reader *rd;
	struct job *jobs;
	unsigned *of;
	size_t njobs;
	atomic_size_t next;
	pthread_mutex_t lock;
	size_t failed;                  /* the first job that failed, or njobs */
	enum status st;
	char err[512];
};

static void *
rebuild_worker(void *arg)
{
	struct pool *p = arg;
	char err[sizeof p->err];
	size_t j, failed;
	/* Every JSON value of a rebuild is released before check_record
	 * returns: the arena is wiped and used again for the next. */
	struct json_arena *arena = crypto_json_arena_new(REBUILD_ARENA);

	crypto_json_arena_use(arena);
	while ((j = atomic_fetch_add(&p->next, 1)) < p->njobs) {
		enum status st;

		pthread_mutex_lock(&p->lock);
		failed = p->failed;
		pthread_mutex_unlock(&p->lock);
		if (j > failed)
			break;
		st = check_record(p->rd, j, p->jobs[j].vit, p->jobs[j].it, &p->of[j],
		    &p->jobs[j].training, err, sizeof err);
		crypto_json_arena_reset(arena);
		if (st == ST_OK)
			continue;
		pthread_mutex_lock(&p->lock);
		if (j < p->failed) {
			p->failed = j;
			p->st = st;
			memcpy(p->err, err, sizeof err);
		}
		pthread_mutex_unlock(&p->lock);
	}
	crypto_json_arena_use(NULL);
	crypto_json_arena_free(arena);
	secure_wipe(err, sizeof err);
	return NULL;
}

static enum status
check_records(struct reader *rd, struct job *jobs, unsigned *of, char *err, size_t errlen)
{
	struct pool p;
	pthread_t th[IMPORT_THREADS - 1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = rd->nrecs / IMPORT_PER_THREAD, started = 0;

	if (want > (size_t)(cpus > 0 ? cpus : 1))
		want = (size_t)(cpus > 0 ? cpus : 1);
	if (want > IMPORT_THREADS)
		want = IMPORT_THREADS;
	memset(&p, 0, sizeof p);
	p.rd = rd;
	p.jobs = jobs;
	p.of = of;
	p.njobs = rd->nrecs;
	p.failed = rd->nrecs;
	p.st = ST_OK;
	atomic_init(&p.next, 0);
	if (pthread_mutex_init(&p.lock, NULL) != 0) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	/* A thread that cannot be started leaves its share to the others. */
	while (started + 1 < want && pthread_create(&th[started], NULL, rebuild_worker, &p) == 0)
		started++;
	rebuild_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.lock);
	if (p.st != ST_OK)
		status_msg(err, errlen, "%s", p.err);
	secure_wipe(p.err, sizeof p.err);
	return p.st;
}

static enum status
check_content(struct vault *v, struct reader *rd, struct bundle_result *res, char *err,
    size_t errlen)
{
	json_t *m = item_json(&rd->items[0]), *e = item_json(&rd->items[rd->nitems - 1]);
	size_t n = 0, nd = 0, nj = 0, training = 0;
	struct job *jobs = NULL;
	unsigned *of = NULL;
	enum status st = ST_TAMPERED;

	if (m == NULL || e == NULL || json_integer_value(json_object_get(m, "format")) != VERSION) {
		status_msg(err, errlen, "the bundle's content is malformed (no valid manifest); nothing "
		    "was imported");
		goto done;
	}
	if ((st = check_manifest(m, err, errlen)) != ST_OK)
		goto done;
	snprintf(res->from, sizeof res->from, "%s", dataset_str(m, "from"));
	snprintf(res->created, sizeof res->created, "%s", dataset_str(m, "created"));
	if ((st = load_forms(rd, err, errlen)) != ST_OK ||
	    (st = check_form_versions(v, rd, err, errlen)) != ST_OK)
		goto done;
	for (size_t i = 0; i < rd->nitems; i++) {
		n += rd->items[i].type == 'C';
		nd += rd->items[i].type == 'D';
	}
	rd->recs = calloc(n ? n : 1, sizeof *rd->recs);
	rd->jsons = calloc(n ? n : 1, sizeof *rd->jsons);
	rd->json_lens = calloc(n ? n : 1, sizeof *rd->json_lens);
	rd->summaries = calloc(n ? n : 1, sizeof *rd->summaries);
	rd->summary_lens = calloc(n ? n : 1, sizeof *rd->summary_lens);
	rd->reasons = calloc(n ? n : 1, sizeof *rd->reasons);
	rd->dels = calloc(nd ? nd : 1, sizeof *rd->dels);
	rd->del_reasons = calloc(nd ? nd : 1, sizeof *rd->del_reasons);
	of = calloc(n ? n : 1, sizeof *of);
	jobs = calloc(n ? n : 1, sizeof *jobs);
	if (rd->recs == NULL || rd->jsons == NULL || rd->json_lens == NULL ||
	    rd->summaries == NULL || rd->summary_lens == NULL || rd->reasons == NULL ||
	    rd->dels == NULL || rd->del_reasons == NULL || of == NULL || jobs == NULL) {
		status_msg(err, errlen, "out of memory");
		st = ST_NOMEM;
		goto done;
	}
	for (size_t i = 1; i + 1 < rd->nitems; i++) {
		char t = rd->items[i].type;

		st = ST_OK;
		if (t == 'V' && rd->items[i + 1].type == 'C') {
			jobs[nj].vit = &rd->items[i];
			jobs[nj++].it = &rd->items[++i];
		} else if (t == 'C') {
			jobs[nj++].it = &rd->items[i];
		} else if (t == 'D') {
			st = check_deletion(rd, &rd->items[i], err, errlen);
		} else if (t == 'V') {
			status_msg(err, errlen, "the bundle's content is malformed (version notes without "
			    "their record); nothing was imported");
			st = ST_TAMPERED;
		} else if (t != 'F' && t != 'R') {
			status_msg(err, errlen, "the bundle holds an item this intake does not know: update "
			    "intake to import it; nothing was imported");
			st = ST_FORMAT;
		}
		if (st != ST_OK)
			goto done;
	}
	rd->nrecs = nj;         /* reader_free wipes whatever the engine made */
	if ((st = check_records(rd, jobs, of, err, errlen)) != ST_OK)
		goto done;
	for (size_t j = 0; j < nj; j++)
		training += jobs[j].training;
	qsort(rd->dels, rd->ndels, sizeof *rd->dels, delete_cmp);
	for (size_t i = 1; i < rd->ndels; i++)
		if (delete_cmp(&rd->dels[i - 1], &rd->dels[i]) == 0) {
			status_msg(err, errlen, "the bundle deletes one record twice; nothing was imported");
			st = ST_TAMPERED;
			goto done;
		}
	if ((st = order_versions(rd, of, err, errlen)) != ST_OK)
		goto done;
	if (json_integer_value(json_object_get(e, "records")) != (json_int_t)rd->nids ||
	    json_integer_value(json_object_get(e, "versions")) != (json_int_t)n ||
	    json_integer_value(json_object_get(e, "deletions")) != (json_int_t)nd ||
	    json_integer_value(json_object_get(e, "forms")) != (json_int_t)rd->nforms) {
		status_msg(err, errlen, "the bundle's content is incomplete (its counts do not match); "
		    "nothing was imported");
		st = ST_TAMPERED;
		goto done;
	}
	if (training > 0) {
		status_msg(err, errlen, "the bundle holds %zu training record%s (fictional cases from a "
		    "training vault): they never go into a vault of real cases; nothing was imported",
		    training, training == 1 ? "" : "s");
		st = ST_DENIED;
		goto done;
	}
	st = ST_OK;
done:
	free(of);
	free(jobs);
	json_decref(m);
	json_decref(e);
	return st;
}

static void
reader_free(struct reader *rd)
{
	for (size_t i = 0; i < rd->nforms; i++)
		form_free(rd->forms[i].form);
	for (size_t i = 0; rd->summaries != NULL && i < rd->nrecs; i++)
		if (rd->summaries[i] != NULL)
			interview_json_free(rd->summaries[i], rd->summary_lens[i]);
	for (size_t i = 0; rd->jsons != NULL && i < rd->nrecs; i++)
		if (rd->jsons[i] != NULL)
			interview_json_free(rd->jsons[i], rd->json_lens[i]);
	for (size_t i = 0; rd->reasons != NULL && i < rd->nrecs; i++)
		free(rd->reasons[i]);
	for (size_t i = 0; rd->del_reasons != NULL && i < rd->ndels; i++)
		free(rd->del_reasons[i]);
	free(rd->jsons);
	free(rd->json_lens);
	free(rd->reasons);
	free(rd->dels);
	free(rd->del_reasons);
	free(rd->forms);
	free(rd->vforms);
	free(rd->recs);
	free(rd->summaries);
	free(rd->summary_lens);
	free(rd->items);
	secure_free(rd->plain);
	free(rd->file);
	secure_wipe(&rd->site, sizeof rd->site);
}

/* Everything that needs no key: the file, its header, its signer, its
 * signature and its number. */
static enum status
read_signed(struct vault *v, struct reader *rd, const char *path, char *err, size_t errlen)
{
	enum status st;

	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can import a transfer bundle");
		return ST_DENIED;
	}
	if ((st = read_file(path, rd, err, errlen)) != ST_OK ||
	    (st = check_header(rd->file, rd->flen, HEAD_BYTES + 4 + CRYPTO_STREAM_ABYTES +
	    CRYPTO_SIG_BYTES, path, err, errlen)) != ST_OK)
		return st;
	return ST_OK;
}

enum status
bundle_sender(struct vault *v, const char *path, char site[VAULT_USER_MAX + 1], char *err,
    size_t errlen)
{
	struct reader rd;
	enum status st;

	memset(&rd, 0, sizeof rd);
	site[0] = '\0';
	if ((st = read_signed(v, &rd, path, err, errlen)) == ST_OK &&
	    (st = check_signer(v, &rd, path, err, errlen)) == ST_OK)
		snprintf(site, VAULT_USER_MAX + 1, "%s", rd.site.name);
	reader_free(&rd);
	return st;
}

enum status
bundle_import(struct vault *v, const struct bundle_key *k, const char *path,
    struct bundle_result *r, char *err, size_t errlen)
{
	struct vault_bundle_apply a;
	struct reader rd;
	enum status st;

	memset(&rd, 0, sizeof rd);
	memset(&a, 0, sizeof a);
	memset(r, 0, sizeof *r);
	if ((st = read_signed(v, &rd, path, err, errlen)) != ST_OK ||
	    (st = check_recipient(&rd, k, path, err, errlen)) != ST_OK ||
	    (st = check_signer(v, &rd, path, err, errlen)) != ST_OK ||
	    (st = open_chunks(&rd, k, path, err, errlen)) != ST_OK ||
	    (st = split_items(&rd, err, errlen)) != ST_OK ||
	    (st = check_content(v, &rd, r, err, errlen)) != ST_OK)
		goto done;
	snprintf(r->site, sizeof r->site, "%s", rd.site.name);
	r->seq = rd.seq;
	r->after = rd.after;
	r->records = rd.nids;
	r->versions = rd.nrecs;
	r->deletions = rd.ndels;
	r->forms = rd.nforms;
	r->bytes = rd.flen;
	memcpy(a.site_pk, rd.site.pk, sizeof a.site_pk);
	a.seq = rd.seq;
	a.expect_last = rd.site.last_seq;
	a.forms = rd.vforms;
	a.nforms = rd.nvforms;
	a.vers = rd.recs;
	a.nvers = rd.nrecs;
	a.dels = rd.dels;
	a.ndels = rd.ndels;
	st = vault_bundle_apply(v, &a);
	if (st != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		goto done;
	}
	r->imported = a.imported;
	r->skipped = rd.nids - a.imported - a.amended_records;
	r->amended = a.amended;
	r->deleted = a.deleted;
done:
	vault_import_note(v, NULL);
	reader_free(&rd);
	return st;
}
