/*
 * bundle.c — key files and sealed transfer bundles (formats in bundle.h).
 *
 * Import reads the whole bundle, opens every chunk into one secure buffer,
 * checks every item, form and record, and only then calls vault_import()
 * once: a bundle is imported whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "clock.h"
#include "diag.h"
#include "form.h"
#include "interview.h"
#include "textcheck.h"

#define PUB_TAG       "intake-pub-1"
#define KEY_TAG       "intake-key-1"
#define MAGIC         "INTAKEB1"
#define MAGIC_LEN     8
#define VERSION       1
#define SEALED_KEY    (CRYPTO_KEY_BYTES + CRYPTO_PK_SEAL_OVERHEAD)
#define HEAD_KEYID    (MAGIC_LEN + 4)
#define HEAD_SEALED   (HEAD_KEYID + BUNDLE_KEYID_BYTES)
#define HEAD_STREAM   (HEAD_SEALED + SEALED_KEY)
#define HEAD_BYTES    (HEAD_STREAM + CRYPTO_STREAM_HEADER_BYTES)
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

struct bundle_key {
	unsigned char sk[CRYPTO_KEY_BYTES];
	unsigned char pk[CRYPTO_PK_BYTES];
	unsigned char kek[CRYPTO_KEY_BYTES];
};

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

static void
fingerprint_of_id(const unsigned char id[BUNDLE_KEYID_BYTES], char fp[BUNDLE_FP_LEN])
{
	char hex[17];

	crypto_bin2hex(hex, id, 8);
	snprintf(fp, BUNDLE_FP_LEN, "%.4s-%.4s-%.4s-%.4s", hex, hex + 4, hex + 8, hex + 12);
}

void
bundle_fingerprint(const unsigned char pk[CRYPTO_PK_BYTES], char fp[BUNDLE_FP_LEN])
{
	unsigned char id[BUNDLE_KEYID_BYTES];

	key_id(pk, id);
	fingerprint_of_id(id, fp);
}

/* Writes all of buf; 0 or an errno. */
static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
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
	e = fchmod(fd, mode) != 0 ? errno : write_all(fd, line, tl);
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

static void
key_ad(const unsigned char blob[KB_BYTES], unsigned char ad[sizeof KEY_TAG - 1 + KB_WRAPPED])
{
	memcpy(ad, KEY_TAG, sizeof KEY_TAG - 1);
	memcpy(ad + sizeof KEY_TAG - 1, blob, KB_WRAPPED);
}

enum status
bundle_keygen(const char *prefix, const char *pass, size_t passlen, const struct vault_kdf *kdf,
    char fp[BUNDLE_FP_LEN], char *err, size_t errlen)
{
	char keypath[4096], pubpath[4096];
	unsigned char blob[KB_BYTES], ad[sizeof KEY_TAG - 1 + KB_WRAPPED];
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
	key_ad(blob, ad);
	crypto_wrap(blob + KB_WRAPPED, k->sk, ad, sizeof ad, k->kek);
	if ((st = write_line_file(keypath, 0600, KEY_TAG, blob, sizeof blob, err, errlen)) != ST_OK)
		goto done;
	if ((st = write_line_file(pubpath, 0644, PUB_TAG, k->pk, CRYPTO_PK_BYTES, err,
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
bundle_pub_load(const char *path, unsigned char pk[CRYPTO_PK_BYTES], char *err, size_t errlen)
{
	char text[KEYFILE_MAX];

	if (read_small(path, text, sizeof text, "public key", err, errlen) < 0)
		return ST_INVALID;
	if (parse_line(text, PUB_TAG, pk, CRYPTO_PK_BYTES) != ST_OK) {
		status_msg(err, errlen, "%s is not an intake public key (expected one line \"%s ...\", as "
		    "`intake keygen` writes it)%s", path, PUB_TAG,
		    strncmp(text, KEY_TAG, sizeof KEY_TAG - 1) == 0 ?
		    ": it is a secret key file; give the .pub file" : "");
		return ST_INVALID;
	}
	return ST_OK;
}

static enum status
key_blob_load(const char *path, unsigned char blob[KB_BYTES], char *err, size_t errlen)
{
	char text[KEYFILE_MAX];

	if (read_small(path, text, sizeof text, "key file", err, errlen) < 0)
		return ST_INVALID;
	if (parse_line(text, KEY_TAG, blob, KB_BYTES) != ST_OK) {
		secure_wipe(text, sizeof text);
		status_msg(err, errlen, "%s is not an intake secret key file (expected one line \"%s "
		    "...\", as `intake keygen` writes it)", path, KEY_TAG);
		return ST_INVALID;
	}
	secure_wipe(text, sizeof text);
	return ST_OK;
}

enum status
bundle_key_fingerprint(const char *key_path, char fp[BUNDLE_FP_LEN], char *err, size_t errlen)
{
	unsigned char blob[KB_BYTES];
	enum status st = key_blob_load(key_path, blob, err, errlen);

	if (st == ST_OK)
		bundle_fingerprint(blob + KB_PK, fp);
	return st;
}

enum status
bundle_key_open(const char *path, const char *pass, size_t passlen, struct bundle_key **out,
    char *err, size_t errlen)
{
	unsigned char blob[KB_BYTES], ad[sizeof KEY_TAG - 1 + KB_WRAPPED];
	struct bundle_key *k;
	enum status st;

	*out = NULL;
	if ((st = key_blob_load(path, blob, err, errlen)) != ST_OK)
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
	key_ad(blob, ad);
	memcpy(k->pk, blob + KB_PK, CRYPTO_PK_BYTES);
	if (crypto_unwrap(k->sk, blob + KB_WRAPPED, ad, sizeof ad, k->kek) != ST_OK) {
		status_msg(err, errlen, "wrong passphrase for %s (or the file was altered)", path);
		st = ST_AUTH;
		goto failed;
	}
	secure_wipe(k->kek, sizeof k->kek);
	if (!crypto_pk_matches(k->pk, k->sk)) {
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

void
bundle_key_free(struct bundle_key *k)
{
	secure_free(k);
}

/* ---- creating ------------------------------------------------------------------- */

struct writer {
	int fd;
	struct crypto_stream *stream;
	unsigned char head[HEAD_BYTES];
	unsigned char *plain;          /* secure, BUNDLE_CHUNK */
	size_t used;
	unsigned char *cipher;         /* u32 length | chunk */
	unsigned long long bytes;
	int error;                     /* errno of a failed write */
	const struct form **forms;     /* forms of the records written */
	size_t nforms;
	size_t records;
	int nomem;
};

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
	w->error = write_all(w->fd, w->cipher, 4 + clen);
	w->bytes += 4 + clen;
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

/* Records go out as the vault holds them (their own bytes), so that the
 * office stores exactly what the field site saved. */
static int
write_record(void *ctx, const struct record_id *id, const char *json, size_t len, json_t *rec,
    const struct form *f)
{
	struct writer *w = ctx;
	size_t i;

	(void)id;
	(void)rec;
	for (i = 0; i < w->nforms && w->forms[i] != f; i++)
		;
	if (i == w->nforms) {
		const struct form **grown = realloc(w->forms, (w->nforms + 1) * sizeof *grown);

		if (grown == NULL) {
			w->nomem = 1;
			return 1;
		}
		w->forms = grown;
		w->forms[w->nforms++] = f;
	}
	put_item(w, 'C', json, len);
	w->records++;
	return w->error != 0;
}

static void
iso_now(char buf[CLOCK_TEXT_SIZE])
{
	if (!clock_format(clock_now(), CLOCK_ISO, buf))
		snprintf(buf, CLOCK_TEXT_SIZE, "1970-01-01T00:00:00Z");
}

enum status
bundle_create(struct vault *v, const unsigned char pk[CRYPTO_PK_BYTES], int fd,
    const char *since, const char *forms_dir, struct bundle_result *r, char *err, size_t errlen)
{
	struct dataset_filter filter = { NULL, since };
	struct dataset *ds = NULL;
	struct writer w;
	unsigned char *key = NULL;
	char created[32], from[2 * VAULT_ID_BYTES + 1];
	enum status st;

	memset(&w, 0, sizeof w);
	memset(r, 0, sizeof *r);
	w.fd = fd;
	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can make a transfer bundle");
		return ST_DENIED;
	}
	if ((st = dataset_open(v, forms_dir, &filter, &ds, err, errlen)) != ST_OK)
		return st;
	key = secure_alloc(CRYPTO_KEY_BYTES);
	w.plain = secure_alloc(BUNDLE_CHUNK);
	w.cipher = malloc(4 + BUNDLE_CHUNK + CRYPTO_STREAM_ABYTES);
	if (key == NULL || w.plain == NULL || w.cipher == NULL) {
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory");
		goto done;
	}
	memcpy(w.head, MAGIC, MAGIC_LEN);
	w.head[MAGIC_LEN] = VERSION;
	key_id(pk, w.head + HEAD_KEYID);
	crypto_random(key, CRYPTO_KEY_BYTES);
	crypto_pk_seal(w.head + HEAD_SEALED, key, CRYPTO_KEY_BYTES, pk);
	w.stream = crypto_stream_push_init(w.head + HEAD_STREAM, key);
	secure_wipe(key, CRYPTO_KEY_BYTES);
	if (w.stream == NULL) {
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory");
		goto done;
	}
	if ((w.error = write_all(fd, w.head, HEAD_BYTES)) == 0)
		w.bytes = HEAD_BYTES;
	iso_now(created);
	vault_id_hex(v, from);
	put_json_item(&w, 'M', json_pack("{s:i, s:s, s:s, s:s, s:s?}", "format", VERSION,
	    "created", created, "from", from, "by", vault_user(v), "since", since));
	st = dataset_scan(ds, write_record, &w, &r->counts, err, errlen);
	if (st != ST_OK)
		goto done;
	for (size_t i = 0; i < w.nforms && !w.error; i++) {
		size_t len, rlen;
		const char *src = form_source(w.forms[i], &len);
		const char *ref = form_referrals_source(w.forms[i], &rlen);

		put_item(&w, 'F', src, len);
		put_item(&w, 'R', ref ? ref : "", ref ? rlen : 0);
	}
	put_json_item(&w, 'E', json_pack("{s:I, s:I}", "records", (json_int_t)w.records,
	    "forms", (json_int_t)w.nforms));
	chunk_flush(&w, 1);
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
	r->forms = w.nforms;
	r->bytes = w.bytes;
done:
	crypto_stream_free(w.stream);
	secure_free(key);
	secure_free(w.plain);
	free(w.cipher);
	free(w.forms);
	dataset_free(ds);
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
	struct vault_import_record *recs;
	char **jsons;                  /* each record as the engine rebuilt it */
	size_t *json_lens;
	char **summaries;
	size_t *summary_lens;
	size_t nrecs;
};

/* The whole bundle is read before anything is opened: import must see every
 * chunk verify before it writes a single record. */
static enum status
read_file(const char *path, struct reader *rd, char *err, size_t errlen)
{
	struct stat sb;
	size_t got = 0;
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
	while (got < rd->flen) {
		ssize_t n = read(fd, rd->file + got, rd->flen - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	rd->flen = got;
	return ST_OK;
}

static enum status
check_header(const unsigned char *head, size_t len, const char *path, char *err, size_t errlen)
{
	if (len < MAGIC_LEN || memcmp(head, MAGIC, MAGIC_LEN) != 0) {
		status_msg(err, errlen, "%s is not an intake transfer bundle; nothing was imported", path);
		return ST_INVALID;
	}
	if (len < HEAD_BYTES) {
		status_msg(err, errlen, "the bundle %s is cut short (%zu bytes): ask the sender for it "
		    "again; nothing was imported", path, len);
		return ST_TAMPERED;
	}
	if (head[MAGIC_LEN] != VERSION || head[MAGIC_LEN + 1] || head[MAGIC_LEN + 2] ||
	    head[MAGIC_LEN + 3]) {
		status_msg(err, errlen, "%s was made by a newer intake (bundle version %u): update intake "
		    "to import it; nothing was imported", path, head[MAGIC_LEN]);
		return ST_FORMAT;
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
	if ((st = check_header(head, n > 0 ? (size_t)n : 0, bundle_path, err, errlen)) != ST_OK)
		return st;
	fingerprint_of_id(head + HEAD_KEYID, fp);
	return ST_OK;
}

/* Opens every chunk of rd->file into rd->plain. The plaintext is never
 * longer than the file, so one secure buffer of the file's size holds it.
 * The recipient check comes first so that a bundle for another office is
 * named as such, not as damaged. */
static enum status
open_chunks(struct reader *rd, const struct bundle_key *k, const char *path, char *err,
    size_t errlen)
{
	unsigned char id[BUNDLE_KEYID_BYTES], *key = NULL;
	char want[BUNDLE_FP_LEN], have[BUNDLE_FP_LEN];
	struct crypto_stream *stream = NULL;
	size_t off = HEAD_BYTES, chunk = 0;
	int final = 0;
	enum status st;

	if ((st = check_header(rd->file, rd->flen, path, err, errlen)) != ST_OK)
		return st;
	key_id(k->pk, id);
	if (!crypto_equal(id, rd->file + HEAD_KEYID, sizeof id)) {
		fingerprint_of_id(rd->file + HEAD_KEYID, want);
		fingerprint_of_id(id, have);
		status_msg(err, errlen, "%s is sealed to another key (%s), not to this one (%s): import it "
		    "with the key it was made for; nothing was imported", path, want, have);
		return ST_INVALID;
	}
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
	while (off < rd->flen && st == ST_OK) {
		size_t clen;

		chunk++;
		if (final) {
			status_msg(err, errlen, "%s has data after its end (from byte %zu): it was altered; "
			    "nothing was imported", path, off);
			st = ST_TAMPERED;
		} else if (rd->flen - off < 4 || (clen = (size_t)get_be(rd->file + off, 4),
		    rd->flen - off - 4 < clen)) {
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
	json_t *o = json_loadb((const char *)it->p, it->len, JSON_REJECT_DUPLICATES, NULL);

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

static int
id_seen(const struct reader *rd, const struct record_id *id)
{
	for (size_t i = 0; i < rd->nrecs; i++)
		if (memcmp(rd->recs[i].id.b, id->b, VAULT_ID_BYTES) == 0)
			return 1;
	return 0;
}

/* Rebuilds one record through the engine; fills its import entry. */
static enum status
check_record(struct reader *rd, const struct item *it, size_t *training, char *err,
    size_t errlen)
{
	struct vault_import_record *r = &rd->recs[rd->nrecs];
	char msg[512] = "";
	struct interview *iv = NULL;
	const struct form *f;
	json_t *o = item_json(it);
	enum status st = ST_TAMPERED;

	if (o == NULL) {
		status_msg(err, errlen, "a record in the bundle is not valid JSON; nothing was imported");
		return ST_TAMPERED;
	}
	if (crypto_hex2bin(r->id.b, VAULT_ID_BYTES, dataset_str(o, "id")) != ST_OK) {
		status_msg(err, errlen, "a record in the bundle has no valid id; nothing was imported");
		goto done;
	}
	if (id_seen(rd, &r->id)) {
		status_msg(err, errlen, "the bundle holds record %s twice; nothing was imported",
		    dataset_str(o, "id"));
		goto done;
	}
	if (json_is_true(json_object_get(o, "training")))
		(*training)++;
	f = bundle_form(rd, dataset_str(json_object_get(o, "form"), "hash"));
	if (f == NULL) {
		status_msg(err, errlen, "record %s names a form the bundle does not hold; nothing was "
		    "imported", dataset_str(o, "id"));
		goto done;
	}
	st = interview_from_json(f, (const char *)it->p, it->len, &iv, msg, sizeof msg);
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
	st = interview_to_json(iv, &rd->jsons[rd->nrecs], &rd->json_lens[rd->nrecs]);
	if (st == ST_OK)
		st = interview_summary_json(iv, &rd->summaries[rd->nrecs],
		    &rd->summary_lens[rd->nrecs]);
	if (st != ST_OK) {
		status_msg(err, errlen, "out of memory");
		rd->nrecs++;            /* so that reader_free wipes what was made */
		r->json = NULL;
		goto done;
	}
	r->json = rd->jsons[rd->nrecs];
	r->len = rd->json_lens[rd->nrecs];
	r->summary = rd->summaries[rd->nrecs];
	r->summary_len = rd->summary_lens[rd->nrecs];
	rd->nrecs++;
done:
	interview_free(iv);
	json_decref(o);
	return st;
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

static enum status
check_content(struct vault *v, struct reader *rd, struct bundle_result *res, char *err,
    size_t errlen)
{
	json_t *m = item_json(&rd->items[0]), *e = item_json(&rd->items[rd->nitems - 1]);
	size_t n = 0, training = 0;
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
	for (size_t i = 0; i < rd->nitems; i++)
		n += rd->items[i].type == 'C';
	if (json_integer_value(json_object_get(e, "records")) != (json_int_t)n ||
	    json_integer_value(json_object_get(e, "forms")) != (json_int_t)rd->nforms) {
		status_msg(err, errlen, "the bundle's content is incomplete (its counts do not match); "
		    "nothing was imported");
		st = ST_TAMPERED;
		goto done;
	}
	rd->recs = calloc(n ? n : 1, sizeof *rd->recs);
	rd->jsons = calloc(n ? n : 1, sizeof *rd->jsons);
	rd->json_lens = calloc(n ? n : 1, sizeof *rd->json_lens);
	rd->summaries = calloc(n ? n : 1, sizeof *rd->summaries);
	rd->summary_lens = calloc(n ? n : 1, sizeof *rd->summary_lens);
	if (rd->recs == NULL || rd->jsons == NULL || rd->json_lens == NULL ||
	    rd->summaries == NULL || rd->summary_lens == NULL) {
		status_msg(err, errlen, "out of memory");
		st = ST_NOMEM;
		goto done;
	}
	for (size_t i = 1; i + 1 < rd->nitems; i++) {
		char t = rd->items[i].type;

		if (t == 'C') {
			if ((st = check_record(rd, &rd->items[i], &training, err, errlen)) != ST_OK)
				goto done;
		} else if (t != 'F' && t != 'R') {
			status_msg(err, errlen, "the bundle holds an item this intake does not know: update "
			    "intake to import it; nothing was imported");
			st = ST_FORMAT;
			goto done;
		}
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
	free(rd->jsons);
	free(rd->json_lens);
	free(rd->forms);
	free(rd->vforms);
	free(rd->recs);
	free(rd->summaries);
	free(rd->summary_lens);
	free(rd->items);
	secure_free(rd->plain);
	free(rd->file);
}

enum status
bundle_import(struct vault *v, const struct bundle_key *k, const char *path,
    struct bundle_result *r, char *err, size_t errlen)
{
	struct reader rd;
	enum status st;

	memset(&rd, 0, sizeof rd);
	memset(r, 0, sizeof *r);
	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can import a transfer bundle");
		return ST_DENIED;
	}
	if ((st = read_file(path, &rd, err, errlen)) != ST_OK ||
	    (st = open_chunks(&rd, k, path, err, errlen)) != ST_OK ||
	    (st = split_items(&rd, err, errlen)) != ST_OK ||
	    (st = check_content(v, &rd, r, err, errlen)) != ST_OK)
		goto done;
	r->records = rd.nrecs;
	r->forms = rd.nforms;
	r->bytes = rd.flen;
	st = vault_import(v, rd.vforms, rd.nvforms, rd.recs, rd.nrecs, NULL, &r->imported,
	    &r->skipped);
	if (st != ST_OK)
		status_msg(err, errlen, "%s", vault_errmsg(v));
done:
	reader_free(&rd);
	return st;
}
