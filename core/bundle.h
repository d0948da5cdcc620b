/*
 * bundle.h — sealed transfer bundles: records sent from a field site to an
 * office, readable only with the office's secret key.
 *
 * Keys. An office makes an X25519 key pair once (bundle_keygen):
 *   NAME.pub  one line: "intake-pub-1 " base64(public key 32) "\n" (0644);
 *   NAME.key  one line: "intake-key-1 " base64(blob) "\n" (0600), blob =
 *             salt 16 | u64 Argon2id ops | u64 Argon2id MiB | public key 32
 *             | secret key wrapped with XChaCha20-Poly1305 (72) under the
 *             Argon2id key of a passphrase; the wrap's associated data is
 *             "intake-key-1" and the first 64 bytes of the blob, so edited
 *             limits or a swapped public key fail to unwrap.
 * The key id of a public key is the first 16 bytes of its BLAKE2b-256; its
 * fingerprint, shown to people, is the first 8 as four groups of hex.
 *
 * Bundle file (integers big-endian):
 *   header (132 bytes): "INTAKEB1" | u8 version 1 | 3 zero bytes | key id
 *     of the recipient (16) | the stream key sealed to the recipient with
 *     crypto_box_seal (32 + 48) | secretstream header (24);
 *   then chunks: u32 length | secretstream ciphertext of at most
 *     BUNDLE_CHUNK bytes of payload, the header as associated data; the
 *     last chunk, and only it, is tagged final.
 * The stream key is fresh for every bundle and the sender does not keep it:
 * the sending vault cannot open its own bundle. Secretstream numbers the
 * chunks, so a chunk dropped, repeated, reordered or altered fails to open,
 * and a bundle cut short lacks its final chunk.
 *
 * Payload: items "u8 type | u32 length | bytes": 'M' manifest JSON
 * {"format":1, "created", "from": sending vault id, "by": supervisor,
 * "since"}, first; 'C' one record's
 * JSON as stored; 'F' a form source, each followed by 'R' its referrals
 * source (may be empty); 'E' {"records":N,"forms":M}, last.
 *
 * Trust. A sealed box is anonymous: anyone holding the public key can make
 * a bundle. Import therefore trusts no content: the manifest must have the
 * shape intake writes (a vault id, a UTC time, a user name), every form must
 * load, and none may reuse the id and version of a form the vault already
 * holds with other text; every record must name a form in the bundle and
 * rebuild through the interview engine as a typed answer would
 * (interview_from_json). What is stored is the record and summary as the
 * engine rebuilt them, never the sender's JSON, so derived fields
 * (indicators, outcome) are this engine's. Nothing is written until all of
 * it has passed.
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
#define BUNDLE_FP_LEN       20          /* "xxxx-xxxx-xxxx-xxxx" + NUL */

struct bundle_key;

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
	size_t records;              /* in the bundle */
	size_t forms;
	size_t imported;             /* import: new records */
	size_t skipped;              /* import: already in the vault */
	unsigned long long bytes;    /* bundle file size */
	char from[2 * VAULT_ID_BYTES + 1];   /* import: sending vault id */
	char created[32];            /* import: when the bundle was made */
	struct dataset_counts counts; /* create: what was left out */
};

/* Writes a bundle of the selected records (dataset.h: saved, not training,
 * closed on or after since when given) to fd, sealed to pk. Needs a
 * supervisor. ST_IO when writing fails (the caller removes the file). */
enum status bundle_create(struct vault *v, const unsigned char pk[CRYPTO_PK_BYTES], int fd,
    const char *since, const char *forms_dir, struct bundle_result *r,
    char *err, size_t errlen);

/* Verifies the whole bundle at path, then imports it in one transaction
 * (vault_import): records keep their ids, interviewers and times; records
 * already present are skipped. Needs a supervisor. ST_INVALID: not a
 * bundle, sealed to another key (err names both fingerprints), or a form
 * whose id and version the vault holds with other text (err names the form
 * and both hashes); ST_TAMPERED: cut short, reordered, altered, or content
 * that does not verify; ST_DENIED: it holds training records. On any
 * failure nothing is written. */
enum status bundle_import(struct vault *v, const struct bundle_key *k, const char *path,
    struct bundle_result *r, char *err, size_t errlen);

#endif
