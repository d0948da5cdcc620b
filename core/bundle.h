/*
 * bundle.h — signed, sealed transfer bundles: every change of a field
 * site's records (new records, amendments, deletions) sent to an office,
 * readable only with the office's secret key and importable only when
 * signed by a site the office trusts. docs/FORMATS.md describes the files
 * byte by byte; this header gives the rules.
 *
 * Keys. An office makes an X25519 key pair once (bundle_keygen): NAME.pub
 * "intake-pub-1 ..." and NAME.key "intake-key-1 ..." (passphrase-wrapped,
 * 0600). A field site makes an Ed25519 signing pair (bundle_site_keygen):
 * NAME.pub "intake-sitepub-1 ..." and NAME.key "intake-sitekey-1 ...",
 * wrapped the same way. The office trusts a site by name and public key
 * (bundle_trust; kept sealed in the office vault, vault.h "trusted
 * sites"). A key's fingerprint, for reading aloud over the phone, is 25
 * decimal digits in five groups of five: the first 10 bytes of the
 * BLAKE2b-256 of the public key as one big-endian number.
 *
 * Bundles are numbered per site vault, office key and signing key: 1, 2,
 * ... A bundle
 * made without --since carries every change since the last bundle made for
 * that office (the site vault keeps the number and how far into its audit
 * trail that bundle reached), and depends on the bundle before it ("after"
 * = its number - 1); a bundle made with --since carries every record
 * closed since that day, and every deletion since then, and depends on
 * none ("after" = 0). The office imports bundle N of a site only when it
 * has imported that site's bundle "after" and none numbered N or later:
 * a bundle already imported is refused as such and changes nothing, one
 * that comes before its predecessor is refused naming the missing number.
 *
 * Import checks, in order, before anything is decrypted: the file's header,
 * the recipient (this office's key), the signer (a trusted site), the
 * signature over every byte, the numbering. Then every chunk opens, and
 * no content is trusted: the manifest must have the shape intake writes,
 * every form must load and none may reuse the id and version of a form the
 * vault holds with other text, every version of every record must rebuild
 * through the interview engine, and deletions carry a reason and nothing
 * else. What is stored is each record as this engine rebuilt it. Then it
 * is applied in one transaction (vault_bundle_apply): nothing is written
 * unless all of it is.
 */
#ifndef INTAKE_BUNDLE_H
#define INTAKE_BUNDLE_H

#include <stddef.h>

#include "crypto.h"
#include "dataset.h"
#include "status.h"
#include "vault.h"

#define BUNDLE_CHUNK        (64 * 1024)
#define BUNDLE_KEYID_BYTES  16
#define BUNDLE_FP_LEN       30          /* "ddddd ddddd ddddd ddddd ddddd" + NUL */
#define BUNDLE_HEAD_BYTES   180
#define BUNDLE_SIG_BYTES    64

struct bundle_key;
struct bundle_site;

/* Writes prefix.key and prefix.pub (neither may exist: ST_EXISTS, nothing
 * written). pass must satisfy vault_check_passphrase(). fp gets the
 * fingerprint of the new public key. */
enum status bundle_keygen(const char *prefix, const char *pass, size_t passlen,
    const struct vault_kdf *kdf, char fp[BUNDLE_FP_LEN], char *err, size_t errlen);

/* Reads a public key file. ST_INVALID (err) when it is not one. */
enum status bundle_pub_load(const char *path, unsigned char pk[CRYPTO_PK_BYTES],
    char *err, size_t errlen);

/* The fingerprint of the public key stored in a key file (no passphrase
 * needed), or of a bundle's recipient. */
enum status bundle_key_fingerprint(const char *key_path, char fp[BUNDLE_FP_LEN],
    char *err, size_t errlen);
enum status bundle_recipient(const char *bundle_path, char fp[BUNDLE_FP_LEN],
    char *err, size_t errlen);
void bundle_fingerprint(const unsigned char pk[CRYPTO_PK_BYTES], char fp[BUNDLE_FP_LEN]);

/* Opens a key file with its passphrase: ST_AUTH for a wrong passphrase (or
 * a file altered so that it no longer unwraps), ST_INVALID for a file that
 * is not a key file. The key lives in secure memory until bundle_key_free
 * (NULL-safe). */
enum status bundle_key_open(const char *path, const char *pass, size_t passlen,
    struct bundle_key **out, char *err, size_t errlen);
void bundle_key_free(struct bundle_key *k);

struct bundle_result {
	size_t records;              /* in the bundle (each with all its versions) */
	size_t versions;             /* record versions in the bundle */
	size_t deletions;            /* deletions in the bundle */
	size_t forms;
	size_t imported;             /* import: new records */
	size_t skipped;              /* import: records here already, unchanged */
	size_t amended;              /* import: versions added to records here */
	size_t deleted;              /* import: records deleted here */
	unsigned long long seq;      /* the bundle's number from its site */
	unsigned long long after;    /* the bundle it needs first (0: none) */
	unsigned long long mark;     /* create: audit trail position carried */
	unsigned char office[BUNDLE_KEYID_BYTES];   /* create: office and signing key, as
	                                               the numbering's key (vault.h) */
	char site[VAULT_USER_MAX + 1];              /* import: the trusted site's name */
	unsigned long long bytes;    /* bundle file size */
	char from[2 * VAULT_ID_BYTES + 1];   /* import: sending vault id */
	char created[32];            /* import: when the bundle was made */
	struct dataset_counts counts; /* create: what was left out */
};

/* Site signing keys: as bundle_keygen, bundle_pub_load, bundle_key_open. */
enum status bundle_site_keygen(const char *prefix, const char *pass, size_t passlen,
    const struct vault_kdf *kdf, char fp[BUNDLE_FP_LEN], char *err, size_t errlen);
enum status bundle_site_pub_load(const char *path, unsigned char pk[CRYPTO_SIG_PK_BYTES],
    char *err, size_t errlen);
enum status bundle_site_open(const char *path, const char *pass, size_t passlen,
    struct bundle_site **out, char *err, size_t errlen);
void bundle_site_free(struct bundle_site *s);

/* Trusting sites (supervisor): trust reads the site's public key file;
 * fp gets its fingerprint. untrust names the site. Both audited. */
enum status bundle_trust(struct vault *v, const char *name, const char *pub_path,
    char fp[BUNDLE_FP_LEN], char *err, size_t errlen);
enum status bundle_untrust(struct vault *v, const char *name, char *err, size_t errlen);

/* Writes the next bundle for the office pk to fd, signed with site: the
 * changes since the last bundle for that office, or (since given) every
 * record closed on or after since with all its versions and every deletion
 * since then. Needs a supervisor (the audit trail tells what changed).
 * Nothing is noted in the vault: once the file is safely written, call
 * bundle_sent(v, r), else the next bundle carries the same changes again.
 * ST_IO when writing fails (the caller removes the file). */
enum status bundle_create(struct vault *v, const struct bundle_site *site,
    const unsigned char pk[CRYPTO_PK_BYTES], int fd, const char *since, const char *forms_dir,
    struct bundle_result *r, char *err, size_t errlen);
/* Notes the bundle of r (from bundle_create) as made: ST_EXISTS when
 * another bundle for that office was noted meanwhile (discard this one). */
enum status bundle_sent(struct vault *v, const struct bundle_result *r, char *err,
    size_t errlen);

/* Checks a bundle's header, signer and signature against this vault's
 * trusted sites, decrypting nothing: for asking the office key's
 * passphrase only for a bundle that can be imported. site gets the
 * trusted name. Errors as bundle_import's. */
enum status bundle_sender(struct vault *v, const char *path, char site[VAULT_USER_MAX + 1],
    char *err, size_t errlen);

/* Verifies the whole bundle at path, then applies it in one transaction.
 * Needs a supervisor. ST_DENIED: signed by a site not trusted here, or
 * it holds training records; ST_EXISTS: already imported (nothing
 * changes); ST_INVALID: not a bundle, sealed to another key (err names
 * both fingerprints), an earlier bundle of the site is missing (err names
 * it), or a form whose id and version the vault holds with other text;
 * ST_FORMAT: an unsigned bundle of an older intake, or a newer format;
 * ST_TAMPERED: its signature does not verify, cut short, reordered,
 * altered, or content that does not verify. On any failure nothing is
 * written. */
enum status bundle_import(struct vault *v, const struct bundle_key *k, const char *path,
    struct bundle_result *r, char *err, size_t errlen);

/* For tests and fuzzing only: writes payload (the items) as a bundle to
 * fd, sealed to pk, numbered seq (after: the bundle it needs), signed with
 * site, exactly as bundle_create frames its items. */
enum status bundle_test_seal(const struct bundle_site *site,
    const unsigned char pk[CRYPTO_PK_BYTES], unsigned long long seq, unsigned long long after,
    const void *payload, size_t len, int fd);

#endif
