/*
 * vault_prefs.c — each user's own preferences (vault.h, vault_pref_get and
 * vault_pref_set): a few key=value lines such as the interface language,
 * sealed so that only their owner reads or changes them.
 *
 * Table "prefs" (PREFS_DB, opened by name, created by the first write),
 * format 2 vaults only:
 *   user name  ->  u8 version (1) | nonce | ciphertext | tag
 * The plaintext is lines "key=value\n", at most VAULT_PREFS_MAX bytes. It
 * is sealed under a subkey of the owner's data key D (the key that wraps
 * their drafts), which nobody else holds, a supervisor included; the
 * associated data binds the vault id, the version byte and the user name,
 * so a value moved to another user's slot or another vault does not open.
 *
 * No audit entry is written: preferences hold no case data and change
 * nothing anyone else sees. A value that does not open is reported by
 * vault_pref_get (ST_TAMPERED) and replaced by the next vault_pref_set,
 * which keeps only the key it sets: preferences are worth less than the
 * chance to save them again.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vault_int.h"

#define PREFS_CTX      "intkpref"   /* crypto_kdf context of the prefs key */
#define PREFS_VERSION  1
#define PREFS_LABEL    "intake-prefs"
#define PREFS_KEY_MAX  32
#define PREFS_VAL_BYTES (1 + VAULT_PREFS_MAX + CRYPTO_SEAL_OVERHEAD)
#define PREFS_AD_MAX   (sizeof PREFS_LABEL - 1 + VAULT_ID_BYTES + 2 + VAULT_USER_MAX)

static size_t
prefs_ad(const struct vault *v, unsigned char ad[PREFS_AD_MAX])
{
	size_t n = 0, ulen = strlen(v->user);

	memcpy(ad, PREFS_LABEL, sizeof PREFS_LABEL - 1);
	n += sizeof PREFS_LABEL - 1;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	ad[n++] = PREFS_VERSION;
	ad[n++] = (unsigned char)ulen;
	memcpy(ad + n, v->user, ulen);
	return n + ulen;
}

/* The unlocked user's prefs key, into kr->wrap (wiped by the caller). */
static void
prefs_key(struct vault *v)
{
	crypto_subkey(v->kr->wrap, 1, PREFS_CTX, v->kr->dk);
}

static enum status
need_prefs(struct vault *v)
{
	enum status st;

	if ((st = vault_need_unlocked(v)) != ST_OK)
		return st;
	if (v->format == VAULT_FORMAT_1)
		return vault_fail(v, ST_FORMAT, "preferences are kept only in a vault of format 2: "
		    "run `intake upgrade` to keep them");
	return ST_OK;
}

/* Keys: 1..PREFS_KEY_MAX of a-z, 0-9, '_'. Values: printable ASCII. */
static int
key_ok(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > PREFS_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
		    key[i] == '_'))
			return 0;
	return 1;
}

static int
value_ok(const char *value)
{
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
	return 1;
}

/* Whether text[len] is lines "key=value\n" of good keys and values. */
static int
text_ok(char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char *nl = memchr(text + i, '\n', len - i), *eq;
		int ok;

		if (nl == NULL)
			return 0;
		*nl = '\0';
		eq = strchr(text + i, '=');
		if (eq != NULL)
			*eq = '\0';
		ok = eq != NULL && key_ok(text + i) && value_ok(eq + 1);
		if (eq != NULL)
			*eq = '=';
		*nl = '\n';
		if (!ok)
			return 0;
		i = (size_t)(nl - text) + 1;
	}
	return 1;
}

/* Opens the value val into text[VAULT_PREFS_MAX + 1] (NUL-terminated):
 * ST_TAMPERED with the message when it does not open or is malformed. */
static enum status
prefs_open(struct vault *v, const MDB_val *val, char *text, size_t *len)
{
	unsigned char ad[PREFS_AD_MAX];
	const unsigned char *p = val->mv_data;
	size_t adlen = prefs_ad(v, ad);
	enum status st = ST_TAMPERED;

	*len = 0;
	text[0] = '\0';
	if (val->mv_size > 1 + CRYPTO_SEAL_OVERHEAD && val->mv_size <= PREFS_VAL_BYTES &&
	    p[0] == PREFS_VERSION) {
		prefs_key(v);
		st = crypto_open((unsigned char *)text, p + 1, val->mv_size - 1, ad, adlen,
		    v->kr->wrap);
		secure_wipe(v->kr->wrap, sizeof v->kr->wrap);
	}
	if (st == ST_OK) {
		*len = val->mv_size - 1 - CRYPTO_SEAL_OVERHEAD;
		text[*len] = '\0';
		if (!text_ok(text, *len))
			st = ST_TAMPERED;
	}
	if (st != ST_OK) {
		secure_wipe(text, VAULT_PREFS_MAX + 1);
		*len = 0;
		return vault_fail(v, ST_TAMPERED, "your saved preferences failed their integrity "
		    "check (tampered or corrupt): they are set again when you next change one");
	}
	return ST_OK;
}

/* Where key's line starts in text, or NULL. */
static char *
find_line(char *text, const char *key)
{
	size_t klen = strlen(key);

	for (char *p = text; *p; ) {
		char *nl = strchr(p, '\n');

		if (strncmp(p, key, klen) == 0 && p[klen] == '=')
			return p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return NULL;
}

enum status
vault_pref_get(struct vault *v, const char *key, char *buf, size_t buflen)
{
	char text[VAULT_PREFS_MAX + 1];
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val k, val;
	size_t len;
	char *line, *end;
	enum status st;
	int rc;

	if (buflen > 0)
		buf[0] = '\0';
	if ((st = vault_need_unlocked(v)) != ST_OK)
		return st;
	if (key == NULL || !key_ok(key) || buf == NULL || buflen == 0)
		return vault_fail(v, ST_INVALID, "a preference is named by 1 to %d of a-z, 0-9 "
		    "and _", PREFS_KEY_MAX);
	/* Format 1 keeps none: nothing is set, as for a user who never chose. */
	if (v->format == VAULT_FORMAT_1)
		return vault_fail(v, ST_NOTFOUND, "no preference \"%s\" is saved", key);
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return vault_fail_mdb(v, rc, "reading your preferences");
	rc = mdb_dbi_open(txn, PREFS_DB, 0, &dbi);
	if (rc == 0) {
		k.mv_data = v->user;
		k.mv_size = strlen(v->user);
		rc = mdb_get(txn, dbi, &k, &val);
	}
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return vault_fail(v, ST_NOTFOUND, "no preference \"%s\" is saved", key);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return vault_fail_mdb(v, rc, "reading your preferences");
	}
	st = prefs_open(v, &val, text, &len);
	mdb_txn_abort(txn);
	if (st != ST_OK)
		return st;
	line = find_line(text, key);
	if (line == NULL) {
		st = vault_fail(v, ST_NOTFOUND, "no preference \"%s\" is saved", key);
		goto cleanup;
	}
	line += strlen(key) + 1;
	end = strchr(line, '\n');
	if ((size_t)(end - line) >= buflen) {
		st = vault_fail(v, ST_INVALID, "the preference \"%s\" is longer than its buffer",
		    key);
		goto cleanup;
	}
	memcpy(buf, line, (size_t)(end - line));
	buf[end - line] = '\0';
	st = ST_OK;
cleanup:
	secure_wipe(text, sizeof text);
	return st;
}

struct pref_set_arg {
	const char *key;
	const char *value;
};

static int
pref_set_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct pref_set_arg *a = argp;
	char text[VAULT_PREFS_MAX + 1], next[VAULT_PREFS_MAX + 1];
	unsigned char out[PREFS_VAL_BYTES], ad[PREFS_AD_MAX];
	size_t len = 0, n = 0, need, adlen;
	MDB_dbi dbi;
	MDB_val k, val;
	int rc;

	text[0] = '\0';
	if ((rc = mdb_dbi_open(txn, PREFS_DB, MDB_CREATE, &dbi)) != 0)
		return rc;
	k.mv_data = v->user;
	k.mv_size = strlen(v->user);
	rc = mdb_get(txn, dbi, &k, &val);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	/* A value that does not open is replaced (the comment at the top). */
	if (rc == 0 && prefs_open(v, &val, text, &len) != ST_OK)
		len = 0;
	/* Every other line as it was, then this key's. */
	for (char *p = text; p < text + len; ) {
		char *nl = strchr(p, '\n');
		size_t ll = (size_t)(nl - p) + 1;

		if (!(strncmp(p, a->key, strlen(a->key)) == 0 && p[strlen(a->key)] == '=')) {
			memcpy(next + n, p, ll);
			n += ll;
		}
		p = nl + 1;
	}
	need = n + strlen(a->key) + 1 + strlen(a->value) + 1;
	if (need > VAULT_PREFS_MAX) {
		secure_wipe(text, sizeof text);
		secure_wipe(next, sizeof next);
		return vault_txn_fail(v, vault_fail(v, ST_INVALID, "preferences hold at most %d "
		    "bytes: \"%s\" does not fit", VAULT_PREFS_MAX, a->key));
	}
	n += (size_t)snprintf(next + n, sizeof next - n, "%s=%s\n", a->key, a->value);
	out[0] = PREFS_VERSION;
	adlen = prefs_ad(v, ad);
	prefs_key(v);
	crypto_seal(out + 1, (const unsigned char *)next, n, ad, adlen, v->kr->wrap);
	secure_wipe(v->kr->wrap, sizeof v->kr->wrap);
	secure_wipe(text, sizeof text);
	secure_wipe(next, sizeof next);
	val.mv_data = out;
	val.mv_size = 1 + n + CRYPTO_SEAL_OVERHEAD;
	return mdb_put(txn, dbi, &k, &val, 0);
}

enum status
vault_pref_set(struct vault *v, const char *key, const char *value)
{
	struct pref_set_arg arg = { key, value };
	enum status st;

	if ((st = need_prefs(v)) != ST_OK)
		return st;
	if (key == NULL || !key_ok(key))
		return vault_fail(v, ST_INVALID, "a preference is named by 1 to %d of a-z, 0-9 "
		    "and _", PREFS_KEY_MAX);
	if (value == NULL || !value_ok(value))
		return vault_fail(v, ST_INVALID, "the value of the preference \"%s\" must be "
		    "printable ASCII", key);
	if (strlen(key) + strlen(value) + 2 > VAULT_PREFS_MAX)
		return vault_fail(v, ST_INVALID, "preferences hold at most %d bytes: \"%s\" does "
		    "not fit", VAULT_PREFS_MAX, key);
	return vault_write_txn(v, "saving your preferences", pref_set_txn, &arg);
}

/* The user's preferences go with the keys that sealed them: when the user
 * is removed, or given new keys by a supervisor, in that transaction. */
int
vault_prefs_drop_txn(struct vault *v, MDB_txn *txn, const char *name)
{
	MDB_val k = { strlen(name), vault_unconst(name) };
	MDB_dbi dbi;
	int rc;

	(void)v;
	rc = mdb_dbi_open(txn, PREFS_DB, 0, &dbi);
	if (rc == 0)
		rc = mdb_del(txn, dbi, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
