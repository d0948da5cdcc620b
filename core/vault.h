/*
 * vault.h — the encrypted store (format 1, ../DESIGN.md "Vault").
 *
 * A vault is an LMDB environment directory. Every record, summary and draft is
 * sealed under its own random key (envelope encryption); the per-record key is
 * wrapped under a purpose key derived from the vault key (VK); VK is wrapped
 * once per user under an Argon2id key of that user's passphrase.
 *
 * The code is core/vault_*.c, one file per policy, around the private
 * header vault_int.h, whose top comment maps the files and describes the
 * format on disk.
 *
 * Lifetimes and contracts:
 *  - vault_new() never fails except for memory; vault_errmsg() is valid on the
 *    handle after any failed call and names what to do next.
 *  - vault_open() does not need a passphrase; record/draft calls need
 *    vault_unlock() first and return ST_LOCKED otherwise.
 *  - vault_lock() wipes every key held in memory; vault_close() locks first.
 *  - No call holds an LMDB write transaction after it returns: every write is
 *    one short, durable transaction, so many processes can share a vault.
 *  - Plaintext returned to the caller (record or draft JSON) is allocated by
 *    the vault in guarded, locked memory, NUL-terminated (the NUL is not
 *    counted in len), and must be released with vault_plain_free(), which
 *    wipes it. On failure the out pointer is set to NULL.
 *  - A handle is for one thread and one process: do not use it in a child
 *    after fork(), and do not open the same vault twice in one process
 *    (LMDB's locks are per process).
 *  - Access: records and their summaries open for their owner (the user who
 *    saved them) and for supervisors, else ST_DENIED; earlier versions only
 *    for supervisors; drafts only for their owner. Record and draft calls,
 *    forms included, need unlocking. The full table is at vault_allowed().
 *  - Every change of records and users writes its audit entry (audit.h) in
 *    the same transaction, and every unlock writes one: unlocking needs a
 *    vault the process can write to.
 */
#ifndef INTAKE_VAULT_H
#define INTAKE_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include "status.h"

#define VAULT_FORMAT        2      /* written by `intake init`; 1 is still read */
#define VAULT_ID_BYTES      16
#define VAULT_USER_MAX      64     /* bytes of UTF-8 in a user name */
#define VAULT_PASS_MIN      10     /* characters; why: vault_check_passphrase() */
#define VAULT_PASS_MAX      1024   /* bytes */
#define VAULT_CODE_LEN      11     /* "XXXX-XXXX-X" + NUL counted separately */
#define VAULT_MSG_MAX       512    /* longest vault_errmsg(), NUL included */
#define VAULT_REASON_MAX    500    /* bytes of UTF-8 in an amend or delete reason */

struct vault;

enum role {
	ROLE_SUPERVISOR,
	ROLE_INTERVIEWER,
	ROLE_TRAINER,
};

struct vault_kdf {
	uint64_t ops;           /* Argon2id opslimit */
	uint64_t mem_mib;       /* Argon2id memlimit in MiB */
};

struct vault_user {
	char name[VAULT_USER_MAX + 1];
	enum role role;
	int pending;            /* format 2: keys from `intake upgrade`, not yet sealed
	                         * under the user's passphrase (their next unlock) */
};

struct record_id {
	unsigned char b[VAULT_ID_BYTES];
};

/* Case code: the short, typable name of a record ("K7QM-3XTD-D"): Crockford
 * base32 of the id's first 40 bits plus a check character that catches any
 * single mistyped character and any swap of two neighbours. The vault keeps
 * those 40 bits unique among its records. */
struct case_code {
	char s[16];
};

const char *role_name(enum role r);
enum status role_parse(const char *s, enum role *out);

/* Validates a user name: 1..VAULT_USER_MAX bytes of valid UTF-8, no control
 * characters, no leading/trailing space. On failure fills msg. */
enum status vault_check_user_name(const char *name, char *msg, size_t msglen);
/* Validates a passphrase: at least VAULT_PASS_MIN characters (code points), at most
 * VAULT_PASS_MAX bytes, valid UTF-8, no control characters. msg may be NULL. */
enum status vault_check_passphrase(const char *pass, size_t len, char *msg, size_t msglen);

struct vault *vault_new(void);
void vault_close(struct vault *v);                  /* NULL-safe; locks first */
const char *vault_errmsg(const struct vault *v);

/* The default directory: $XDG_DATA_HOME/intake/LEAF, else
 * ~/.local/share/intake/LEAF (leaf NULL = "vault"). Writes into buf;
 * ST_INVALID if it does not fit, ST_NOTFOUND if there is no home directory. */
enum status vault_default_dir(char *buf, size_t len, const char *leaf);

/* Before create/open: the LMDB map starts at `initial` bytes and doubles when
 * full up to `max` (0 keeps a default: 64 MiB and 64 GiB, 1 GiB on 32-bit
 * systems); past max, writes fail with ST_FULL "vault is full" (unlocks,
 * audit entries and deletions may take 1 MiB more, so that a full vault can
 * still be opened, exported and trimmed, and all of it audited). The map is
 * address space, not disk: the file grows with the data. Tests use a tiny
 * initial size to exercise growth. */
void vault_set_map_size(struct vault *v, size_t initial, size_t max);
/* The current map size in bytes (0 when no vault is open). */
size_t vault_map_size(const struct vault *v);
/*
 * Training vaults hold fictional cases only (`intake --training`): mock
 * screenings and their debriefs. vault_set_training(v, 1) before
 * vault_create makes the new vault one; the mark is kept in its metadata,
 * under the metadata MAC, so it cannot be switched on disk.
 * vault_check_training(v, training) is the rule every path that stores a
 * record, draft or debrief must follow: a record whose payload says
 * "training": true only enters a training vault, and a training vault takes
 * nothing else (ST_DENIED with a message saying which vault to use). The
 * vault does not read record JSON, so the caller passes the record's flag
 * (record_save and record_draft_save do, with interview_training()).
 */
void vault_set_training(struct vault *v, int training);
int vault_is_training(const struct vault *v);       /* 0 when no vault is open */
enum status vault_check_training(struct vault *v, int training);

/* Before vault_create: make the directory group-shared (3770: setgid and sticky; files 0660)
 * for several users of one server; the default is private (0700, 0600). */
void vault_set_shared(struct vault *v, int group_shared);

/* Calibrates Argon2id ops so that one unlock takes about target_ms here, at
 * mem_mib of memory (0 and 0 = 64 MiB and 500 ms), never fewer than 3 passes.
 * Takes two Argon2id runs, together about target_ms. */
enum status vault_kdf_calibrate(uint64_t mem_mib, unsigned target_ms, struct vault_kdf *out);

/* Creates dir (0700, or group-shared after vault_set_shared) and a new vault
 * in it, with its first supervisor; leaves the vault open and unlocked as
 * that user. Refuses an existing vault or a non-empty directory (ST_EXISTS).
 * kdf NULL = calibrate (64 MiB, about 500 ms); it becomes the default for
 * later users. Missing parent directories are created 0700. */
enum status vault_create(struct vault *v, const char *dir, const char *user,
    const char *pass, size_t passlen, const struct vault_kdf *kdf);

/* Opens an existing vault. ST_NOTFOUND (no directory: "create one with
 * `intake init`"), ST_FORMAT (not a vault, or a newer format), ST_TAMPERED. */
enum status vault_open(struct vault *v, const char *dir);

/* Locks first, so a failed unlock leaves the vault locked. ST_AUTH: no such
 * user or wrong passphrase. ST_TAMPERED: the passphrase is right but the
 * user's entry (role, Argon2id limits, wrapped key) or the vault metadata
 * was edited on disk.
 *
 * Pacing (vault_users.c, "unlock throttling"): attempts are counted on disk
 * per OS account (real uid) and user name before Argon2id runs, so parallel
 * processes cannot guess faster; after 3 failures in a row each attempt
 * gets a turn 1, 2, 4, ... up to 60 seconds after the one before, given in
 * the order asked. ST_BUSY: this attempt's turn comes later; nothing was
 * checked. The handle keeps the turn: wait vault_unlock_wait_ms(), then call
 * vault_unlock again with the same user (and the passphrase) within
 * VAULT_TURN_GRACE_MS, and the turn is served without being counted again;
 * calling earlier answers ST_BUSY again, later lets the turn lapse (a new
 * one is taken). Each failure is written, with its time, the name tried and
 * the OS account, to a plain table at once; the next successful unlock
 * (anyone's) moves those into the audit trail, and writes its own entry. */
#define VAULT_TURN_GRACE_MS 10000
enum status vault_unlock(struct vault *v, const char *user, const char *pass, size_t passlen);
/* Milliseconds until the turn kept after ST_BUSY comes (0: it has come, or
 * no turn is kept). */
uint64_t vault_unlock_wait_ms(const struct vault *v);
void vault_lock(struct vault *v);
int vault_is_unlocked(const struct vault *v);
const char *vault_user(const struct vault *v);      /* NULL when locked */
enum role vault_role(const struct vault *v);

/* Users. add/remove need an unlocked supervisor; passwd changes the unlocked
 * user's own passphrase (name NULL = self), or any user's when the caller is
 * a supervisor (the vault key is re-wrapped; no record is re-encrypted; the
 * user keeps their Argon2id limits). kdf NULL = the vault's default
 * parameters. Removing the last supervisor is refused (ST_DENIED); a
 * supervisor who removes themselves is locked out of the handle. */
enum status vault_user_add(struct vault *v, const char *name, enum role role,
    const char *pass, size_t passlen, const struct vault_kdf *kdf);
enum status vault_user_remove(struct vault *v, const char *name);
/* Format 2: with VAULT_REKEY, removing a user also re-wraps every item they
 * could open (theirs pass to the remover; a supervisor's removal moves all
 * to the new epoch), and a supervisor setting another user's passphrase
 * (which in format 2 always gives the user new keys) says so. */
#define VAULT_REKEY 1u
/* Converts the open format 1 vault to format 2 in one transaction: every
 * user gets their own keys (signed by the unlocked supervisor, whose
 * signing key becomes the root), every item is sealed again for its owner.
 * Each user's keys are sealed under the format 1 vault key until their next
 * unlock seals them under their passphrase; that key is gone from the
 * vault once the last user has unlocked. Supervisor only; the handle stays
 * unlocked. */
enum status vault_upgrade(struct vault *v);
enum status vault_user_remove_flags(struct vault *v, const char *name, unsigned flags);
enum status vault_user_passwd_flags(struct vault *v, const char *name, const char *pass,
    size_t passlen, unsigned flags);
enum status vault_user_passwd(struct vault *v, const char *name,
    const char *pass, size_t passlen);
/* Sorted by name bytes; *out is malloc'ed (free()); works without unlocking. */
enum status vault_user_list(struct vault *v, struct vault_user **out, size_t *n);

/* Records. json is the full record (DESIGN.md "Records"); summary is the small
 * JSON shown in the case list (NULL: none on put, unchanged on replace). put
 * assigns a fresh random id. replace keeps the previous version in history
 * and stores the new one under the same id; the owner stays the original
 * interviewer. A record, draft or form holds at most 16 MiB. */
enum status vault_record_put(struct vault *v, const char *json, size_t len,
    const char *summary, size_t summary_len, struct record_id *out);
/* A fresh random id not yet used by a record, for a record that must carry
 * its own id inside its JSON; then store it with vault_record_put_as(),
 * which refuses an id already present (ST_EXISTS). */
enum status vault_record_id_new(struct vault *v, struct record_id *out);
enum status vault_record_put_as(struct vault *v, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len);
enum status vault_record_get(struct vault *v, const struct record_id *id,
    char **json, size_t *len);
enum status vault_record_replace(struct vault *v, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len);
/* Earlier versions, oldest first: version 1 is the original, version count
 * (from vault_record_versions) the one replaced last; the current record is
 * version count + 1 and is read with vault_record_get. Earlier versions are
 * for supervisors only (VAULT_RIGHT_READ_ALL). */
enum status vault_record_history(struct vault *v, const struct record_id *id,
    unsigned version, char **json, size_t *len);
/* *count = number of earlier versions kept (0 for a record never replaced). */
enum status vault_record_versions(struct vault *v, const struct record_id *id,
    unsigned *count);
/* All record ids, other interviewers' too; *out is malloc'ed (free(); NULL
 * when there are none). */
enum status vault_record_list(struct vault *v, struct record_id **out, size_t *n);
enum status vault_summary_get(struct vault *v, const struct record_id *id,
    char **json, size_t *len);

/* vault_record_get and vault_summary_get return plaintext in a guarded
 * allocation of its own (mmap, mprotect, mlock: tens to hundreds of
 * microseconds); code that reads many items, such as the case list, export
 * or verify, should use the scans below. Besides ST_TAMPERED, an item that
 * opens but whose compressed content intake would not have written (over
 * 16 MiB unpacked, or not unpacking as it says) is ST_FORMAT; a scan
 * reports it as ST_TAMPERED.
 *
 * Scans: every record (or summary) the unlocked user may read, in id order,
 * from one consistent snapshot, without an allocation per item; items of
 * other interviewers are skipped. fn gets st ST_OK with json (NUL-terminated,
 * valid only during the call, wiped after it), or ST_TAMPERED with json NULL
 * for an item that fails its integrity check (reported to every user: its
 * owner is sealed inside it), and the scan goes on. fn returns 0 to
 * continue, nonzero to stop. fn may read from the vault but must not write
 * (ST_BUSY), scan, lock or close it. */
typedef int (*vault_scan_fn)(void *ctx, const struct record_id *id, enum status st,
    const char *json, size_t len);
enum status vault_record_scan(struct vault *v, vault_scan_fn fn, void *ctx);
enum status vault_summary_scan(struct vault *v, vault_scan_fn fn, void *ctx);

/* The case listing: the same summaries as vault_summary_scan, read from a
 * sealed index that keeps them in chunks of about a hundred (so reading
 * 100,000 costs about a thousand decryptions, not 100,000), oldest first. fn
 * gets ST_TAMPERED (json NULL, reported to every user) for a summary that
 * failed its integrity check when the listing was built; a summary damaged
 * on disk later still lists from the listing's own sealed copy (vault_verify
 * reports it). Returns ST_NOTFOUND when the vault has no listing yet (one
 * made by an earlier intake: vault_unlock builds it) and ST_TAMPERED when a
 * chunk fails its integrity check or the listing does not hold as many
 * entries as there are summaries (a chunk deleted, a save by an earlier
 * intake); in both cases fn may already have been called for some
 * summaries: the caller discards them and falls back to vault_summary_scan,
 * which names each damaged item. vault_verify compares the listing with the
 * summaries table. fn must not call the vault: a second thread may be
 * opening the next chunks with the handle's keys meanwhile. */
enum status vault_listing_scan(struct vault *v, vault_scan_fn fn, void *ctx);
/* How many summaries the vault holds, whoever owns them (what the size of
 * the file tells anyway): the rows a supervisor's case list will hold. */
enum status vault_summary_count(struct vault *v, size_t *n);
/* Makes the listing again from the summaries, in one write transaction
 * (supervisors: after vault_verify reported it damaged or out of step). */
enum status vault_listing_rebuild(struct vault *v);

/* Debriefs of mock screenings (core/training.h), only in a training vault
 * (ST_DENIED elsewhere). put stores the unlocked user's debrief JSON under a
 * fresh random id; the envelope binds vault id, debrief id and the kind
 * "debrief". get, list and scan give the debriefs the user may read: their
 * own, or everyone's for trainers and supervisors (get: ST_DENIED). */
enum status vault_debrief_put(struct vault *v, const char *json, size_t len,
    struct record_id *out);
enum status vault_debrief_get(struct vault *v, const struct record_id *id,
    char **json, size_t *len);
enum status vault_debrief_list(struct vault *v, struct record_id **out, size_t *n);
enum status vault_debrief_scan(struct vault *v, vault_scan_fn fn, void *ctx);

/* Drafts belong to the unlocked user; no one else, supervisors included,
 * lists or reads them. put with id->b all zero creates a new draft and fills
 * id; otherwise it overwrites that draft (creating it again if deleted).
 * Lists are malloc'ed (free(); NULL when empty). */
enum status vault_draft_put(struct vault *v, struct record_id *id,
    const char *json, size_t len);
enum status vault_draft_get(struct vault *v, const struct record_id *id,
    char **json, size_t *len);
enum status vault_draft_list(struct vault *v, struct record_id **out, size_t *n);
enum status vault_draft_delete(struct vault *v, const struct record_id *id);

/* Preferences of the unlocked user (the interface language, ...): short
 * values under keys of 1 to 32 of a-z, 0-9 and _, kept as "key=value"
 * lines of at most VAULT_PREFS_MAX bytes in all, sealed so that only their
 * owner reads them (no one else, supervisors included). They hold no case
 * data, so no audit entry is written. Values are printable ASCII.
 * get copies the value into buf: ST_NOTFOUND when it was never set,
 * ST_TAMPERED when the stored preferences do not open (the next set
 * replaces them), ST_INVALID when buf is too small. set: ST_INVALID when
 * the key or value is not allowed or the whole would pass VAULT_PREFS_MAX.
 * A format 1 vault keeps none: get gives ST_NOTFOUND, set ST_FORMAT. */
#define VAULT_PREFS_MAX 256
enum status vault_pref_get(struct vault *v, const char *key, char *buf, size_t buflen);
enum status vault_pref_set(struct vault *v, const char *key, const char *value);

/* Discarding a draft on purpose (the interview will not be finished), with
 * a reason (as for vault_record_delete): the draft goes and an audit entry
 * "draft discard" naming its id, owner and the reason is written in the same
 * transaction. owner NULL means the unlocked user's own draft; a draft of
 * someone else may be discarded only by who may delete records
 * (supervisors: ST_DENIED for others). ST_NOTFOUND when there is no such
 * draft. vault_draft_delete stays for the draft of an interview just saved
 * as a record, which needs no entry. */
enum status vault_draft_discard(struct vault *v, const char *owner,
    const struct record_id *id, const char *reason);

/* The drafts of other users, by owner and id only (their content stays
 * theirs), for a supervisor to discard what was abandoned: who may delete
 * records, else ST_DENIED. *out is malloc'ed (free(); NULL when empty). */
struct vault_draft_ref {
	char owner[VAULT_USER_MAX + 1];
	struct record_id id;
};
enum status vault_draft_others(struct vault *v, struct vault_draft_ref **out, size_t *n);

/* Form sources, keyed by their BLAKE2b-256 hash (hex, 64 chars + NUL, either
 * case on get). Sealed like records (a deployment's forms may name local
 * services); get checks the source against its hash. Putting the same source
 * twice stores it once. */
enum status vault_form_put(struct vault *v, const char *src, size_t len, char hash_hex[65]);
enum status vault_form_get(struct vault *v, const char *hash_hex, char **src, size_t *len);

/* The vault's random id as hex (the vault must be open; "" otherwise). */
void vault_id_hex(const struct vault *v, char out[2 * VAULT_ID_BYTES + 1]);

/* The hashes (hex) of every form source stored in the vault, in hash order;
 * *out is malloc'ed (free(); NULL when there are none). Needs unlocking. */
enum status vault_form_list(struct vault *v, char (**out)[65], size_t *n);

/* Batch import (transfer bundles): stores the form sources and records in
 * ONE write transaction, so a failure leaves the vault as it was. Records
 * keep the ids given; a record whose id is already present is skipped (not
 * compared, not replaced) and counted in *skipped; a record whose case code
 * (first 40 bits) belongs to a different record fails the whole import with
 * ST_EXISTS. Imported records belong to the importing user (who must be a
 * supervisor): the interviewer named inside a record gains no access to it
 * in this vault. summary may be NULL (none stored). added[i] (may be NULL)
 * is set to 1 for each record stored, 0 for each skipped. */
struct vault_import_form {
	const char *src;
	size_t len;
};
struct vault_import_record {
	struct record_id id;
	const char *json;
	size_t len;
	const char *summary;
	size_t summary_len;
};
enum status vault_import(struct vault *v, const struct vault_import_form *forms, size_t nforms,
    const struct vault_import_record *recs, size_t nrecs, unsigned char *added,
    size_t *imported, size_t *skipped);

/* The import's own transaction also writes one audit entry, "bundle import"
 * (AUDIT_BUNDLE_IMPORT in audit.h), with the number of records imported and
 * the note set here beforehand (the bundle's file and key, cut to
 * VAULT_REASON_MAX bytes; NULL clears it). A note serves one vault_import()
 * call, whatever its outcome. */
void vault_import_note(struct vault *v, const char *note);

/* Writes a compact copy of the vault (still encrypted, one consistent
 * snapshot) into dest, a new or empty directory, made 0700 with data.mdb
 * 0600 whatever the vault's own sharing mode (missing parents are made
 * 0700). Other processes keep reading
 * and writing meanwhile. Needs an open vault, not an unlocked one: the copy
 * holds nothing its files did not. On failure nothing is left in dest.
 * The copy opens with vault_open() like any vault. */
enum status vault_backup(struct vault *v, const char *dest);

void vault_plain_free(char *p, size_t len);         /* wipes, then frees */

void record_id_code(const struct record_id *id, struct case_code *out);
enum status record_id_hex(const struct record_id *id, char out[2 * VAULT_ID_BYTES + 1]);
/* Reads a typed case code: case-insensitive, dashes and spaces optional, O
 * read as 0 and I, L as 1. ST_INVALID with a message (msg may be NULL) when it
 * is malformed or its check character does not match; out gets the canonical
 * "XXXX-XXXX-X" form. */
enum status case_code_parse(const char *text, struct case_code *out, char *msg, size_t msglen);
/* Finds the record whose case code matches (as case_code_parse reads it). */
enum status vault_record_find(struct vault *v, const char *code, struct record_id *out);

/* ---- roles ----------------------------------------------------------------
 *
 *                          supervisor  interviewer  trainer
 *   save records, drafts       yes         yes       in a training vault
 *   read and amend own         yes         yes       in a training vault
 *   read all, earlier versions yes         no        in a training vault
 *   amend all, delete          yes         no        in a training vault
 *   users, audit, verify,      yes         no        in a training vault
 *   export, statistics
 *
 * A trainer runs a training vault (mock screenings, debriefs), so there they
 * have a supervisor's rights; in a real vault a trainer may only change their
 * own passphrase. Every vault call checks this table; modules above the vault
 * (export, statistics, the screens) ask vault_allowed() so that it is the
 * only place that decides. An owner amends with a reason; a supervisor may
 * amend without one (vault_record_replace).
 */
enum vault_right {
	VAULT_RIGHT_CREATE,     /* save records, drafts and forms */
	VAULT_RIGHT_READ_OWN,   /* read (and amend with a reason) one's own records */
	VAULT_RIGHT_READ_ALL,   /* read every record, summary and earlier version */
	VAULT_RIGHT_AMEND_ALL,  /* amend anyone's record */
	VAULT_RIGHT_DELETE,     /* delete a record, with a reason */
	VAULT_RIGHT_USERS,      /* add and remove users, set others' passphrases */
	VAULT_RIGHT_AUDIT,      /* read the audit trail, verify the vault */
	VAULT_RIGHT_EXPORT,
	VAULT_RIGHT_STATS,
};
/* 1 when the unlocked user may; 0 when not, or when locked. */
int vault_allowed(const struct vault *v, enum vault_right r);
/* ST_OK, ST_LOCKED, or ST_DENIED with a message naming the role needed. */
enum status vault_require(struct vault *v, enum vault_right r);

/* Before vault_create: make it a training vault (for mock screenings; its
 * records are fictional). The flag is authenticated with a key derived from
 * the vault key: set on disk, the unlock reports ST_TAMPERED; removed on
 * disk, vault_verify reports it (the vault's first audit entry names the
 * kind of vault). vault_is_training() is known after open. */
void vault_set_training(struct vault *v, int training);
int vault_is_training(const struct vault *v);

/* Before vault_create: share the vault with the OS group `group` (implies
 * vault_set_shared): the directory gets that group and the setgid bit, so
 * files LMDB creates later keep it. ST_NOTFOUND: no such group; ST_DENIED:
 * this user is not a member of it (and is not root). */
enum status vault_set_group(struct vault *v, const char *group);

/* Validates an amend or delete reason: 1..VAULT_REASON_MAX bytes of UTF-8,
 * not only spaces, no control characters. msg may be NULL. */
enum status vault_check_reason(const char *reason, char *msg, size_t msglen);

/* vault_record_replace with a reason, which an owner amending their own
 * record must give (ST_INVALID without); a supervisor may pass NULL. The
 * reason goes to the audit entry, not into the record. */
enum status vault_record_amend(struct vault *v, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len,
    const char *reason);

/* Deletes a record, its summary and every earlier version (supervisor, with
 * a reason, e.g. the respondent withdrew consent) and writes an audit entry
 * naming the record and the reason, with nothing of its content. A damaged
 * record can be deleted. Drafts are not touched: they have their own ids and
 * the draft of a record is deleted when it is saved. LMDB frees the pages;
 * their old ciphertext stays in data.mdb until reused (a compacting copy,
 * `mdb_copy -c`, drops it). */
enum status vault_record_delete(struct vault *v, const struct record_id *id,
    const char *reason);

/* ---- audit trail plumbing, for core/audit.c (others use audit.h) ---------- */

struct vault_audit_head {
	uint64_t seq;                   /* 0: the trail is empty */
	unsigned char link[32];
};

/* Seals and chains an encoded entry (audit_encode) whose user is the
 * unlocked user. One durable write transaction; it may grow the map a
 * little past its maximum, so a full vault still records who unlocked it. */
enum status vault_audit_append(struct vault *v, const unsigned char *entry, size_t len);
/* Every entry in order, decrypted (not chain-checked), for a user with
 * VAULT_RIGHT_AUDIT; fn as for vault_scan_fn, entry valid during the call. */
typedef int (*vault_audit_fn)(void *ctx, uint64_t seq, enum status st,
    const unsigned char *entry, size_t len);
enum status vault_audit_scan(struct vault *v, vault_audit_fn fn, void *ctx);
/* The stored head (authenticated: ST_TAMPERED when edited). */
enum status vault_audit_head(struct vault *v, struct vault_audit_head *out);

/* ---- verification -------------------------------------------------------- */

struct vault_verify_counts {
	size_t users, records, summaries, drafts, history, forms, audit, problems;
	size_t releases;                /* statistics releases, the plan included */
	size_t sites;                   /* trusted sites and offices sent to */
};
/* Called once per problem with a sentence naming what and where. */
typedef void (*vault_problem_fn)(void *ctx, const char *problem);
/*
 * Checks everything a supervisor's key can check, in one snapshot: the
 * metadata; every user entry (its layout, and that it is the one the audit
 * trail says was written last: an edited role or wrapped key shows); every
 * record, summary, earlier version, form, draft (all users' drafts),
 * statistics release, trusted site and office sent to opens
 * and sits in its own slot; the audit chain is whole from entry 1 to its
 * head, and agrees with what is stored (no record or user missing, put back
 * or rolled back to an older copy). noted, when not NULL, is a head noted
 * earlier (audit_head_parse): the trail must still hold it.
 * ST_OK when nothing is wrong, ST_TAMPERED when fn was called; other codes
 * when the check could not run. Needs VAULT_RIGHT_AUDIT. fn must not call
 * the vault; NULL only counts the problems (counts->problems).
 */
enum status vault_verify(struct vault *v, const struct vault_audit_head *noted,
    vault_problem_fn fn, void *ctx, struct vault_verify_counts *counts);

/* ---- for tests and fuzzing only: the program never calls these ---- */
/* Lets go of the pages of the vault file a scan or an import touched
 * every `bytes` counted instead of every 32 MiB (0: back to 32 MiB), so a
 * small vault shows what a large one does. */
void vault_test_map_tick(size_t bytes);
/* How many times a thread working beside another (an import's packer, a
 * listing's reader) was woken since the last call. */
size_t vault_test_helper_wakes(void);
/* The next imports' records from..to-1 find no room packed ahead of
 * them, as when their slot cannot be allocated (0, 0: back to normal). */
void vault_test_ahead_fail(size_t from, size_t to);
/* In the next imports, the nth nested transaction (counted from 1: each
 * holds 512 records) fails to start, or at_commit fails to merge, as LMDB
 * does when it cannot allocate (ENOMEM). 0: back to normal. */
void vault_test_part_fail(size_t nth, int at_commit);

/* Seals content as the envelope of `kind` ("record", "summary", "draft",
 * "history" or "form") stored under the LMDB key `slot` (at most
 * VAULT_USER_MAX + 17 bytes) of the vault whose id and vault key are given,
 * saved by owner. *out is malloc'ed (free()). */
enum status vault_test_envelope_seal(const unsigned char id[VAULT_ID_BYTES],
    const unsigned char vk[32], const char *kind, const void *slot, size_t slotlen,
    const char *owner, const void *content, size_t len, unsigned char **out, size_t *outlen);
/* Opens an envelope exactly as a read from the vault would (same checks,
 * same result): ST_TAMPERED unless it was sealed for this vault, kind and
 * slot. On success *plain is as from vault_record_get (vault_plain_free)
 * and owner holds who saved it. */
/* Tests of upgrading only: vault_create writes format `format` (1, or
 * anything else for the current one) from now on in this process. */
void vault_test_create_format(unsigned format);
/* Tests of what opening refuses: saves frame[len] as the compressed content
 * of a new record of the unlocked user (format 2), sealed as a save seals,
 * though no save would write such a frame; no summary, no audit entry. */
enum status vault_test_record_put_frame(struct vault *v, const void *frame, size_t len,
    struct record_id *out);
enum status vault_test_envelope_open(const unsigned char id[VAULT_ID_BYTES],
    const unsigned char vk[32], const char *kind, const void *slot, size_t slotlen,
    const void *env, size_t len, char owner[VAULT_USER_MAX + 1], char **plain, size_t *plainlen);

/* ---- statistics releases (core/release.h) ----
 * Sealed items of kind "release" in their own table, written once and never
 * replaced: the release plan under the name VAULT_RELEASE_PLAN, and one
 * release per period name. Supervisors only (VAULT_RIGHT_STATS).
 * put stores json under name, and plan (when not NULL) under the plan's
 * name, in one transaction; ST_EXISTS when either is there already. get
 * gives a copy to free with vault_plain_free(); ST_NOTFOUND when absent. */
#define VAULT_RELEASE_PLAN     "plan"
#define VAULT_RELEASE_NAME_MAX 32
enum status vault_release_put(struct vault *v, const char *name, const char *json, size_t len,
    const char *plan, size_t plan_len);
enum status vault_release_get(struct vault *v, const char *name, char **json, size_t *len);

/* ---- transfer bundles: trusted sites, offices sent to (vault_sites.c) ----
 * Kept sealed (kind "site") in the table "sites"; supervisors only.
 *
 * At an office: the field sites whose signed bundles it imports, each a
 * name (as for user names) and an Ed25519 public key, with the number of
 * the last bundle imported from it. trust refuses a name or key already
 * trusted (ST_EXISTS); untrust of an unknown name is ST_NOTFOUND. Both
 * write an audit entry (site trust / site untrust) naming the site, with
 * note (the key's fingerprint) as its detail, in the same transaction.
 * find looks a key up (ST_NOTFOUND when it is not trusted). list is sorted
 * by name, malloc'ed (free(); NULL when empty).
 *
 * At a field site: per office (an id bundle.c derives from the office's
 * key and the site's signing key), the number of the last bundle
 * made for it and the audit sequence number up to which that bundle
 * carried the changes (0, 0 when none). vault_office_sent records a new
 * bundle seq once its file is written: ST_EXISTS when the stored number is
 * no longer seq - 1 (another bundle was made meanwhile).
 */
#define VAULT_SITE_KEY_BYTES  32
#define VAULT_OFFICE_ID_BYTES 16
struct vault_site {
	char name[VAULT_USER_MAX + 1];
	unsigned char pk[VAULT_SITE_KEY_BYTES];
	uint64_t last_seq;              /* last bundle imported (0: none) */
	uint64_t trusted_at;            /* Unix seconds */
	char trusted_by[VAULT_USER_MAX + 1];
};
enum status vault_site_trust(struct vault *v, const char *name,
    const unsigned char pk[VAULT_SITE_KEY_BYTES], const char *note);
enum status vault_site_untrust(struct vault *v, const char *name, const char *note);
enum status vault_site_find(struct vault *v, const unsigned char pk[VAULT_SITE_KEY_BYTES],
    struct vault_site *out);
enum status vault_site_get(struct vault *v, const char *name, struct vault_site *out);
enum status vault_site_list(struct vault *v, struct vault_site **out, size_t *n);
enum status vault_office_state(struct vault *v, const unsigned char id[VAULT_OFFICE_ID_BYTES],
    uint64_t *seq, uint64_t *mark);
enum status vault_office_sent(struct vault *v, const unsigned char id[VAULT_OFFICE_ID_BYTES],
    uint64_t seq, uint64_t mark);

/* Applies a verified bundle from a trusted site in ONE write transaction:
 * the site's last bundle number must still be expect_last (ST_EXISTS
 * otherwise: another import ran meanwhile) and becomes seq. forms are
 * stored as by vault_import; vers holds every version of every record the
 * bundle carries, grouped by record, versions 1..n in order: a record this
 * vault lacks is imported from version 1 (vault_import's rules, its
 * "bundle import" entry with vault_import_note), then each version above
 * the number this vault held (its earlier versions + 1; all of them for a
 * record imported now; none for a record deleted here) replaces the
 * record as an amendment with the version's reason; deletions remove
 * records this vault holds (vault_record_delete's audit entry, with the
 * reason given). Counts come back in the struct. */
struct vault_apply_version {
	struct record_id id;
	unsigned version;               /* 1 = the original */
	const char *json;
	size_t len;
	const char *summary;
	size_t summary_len;
	const char *reason;             /* the audit reason of versions >= 2 */
};
struct vault_apply_delete {
	struct record_id id;
	const char *reason;
};
struct vault_bundle_apply {
	unsigned char site_pk[VAULT_SITE_KEY_BYTES];
	uint64_t seq, expect_last;
	const struct vault_import_form *forms;
	size_t nforms;
	const struct vault_apply_version *vers;
	size_t nvers;
	const struct vault_apply_delete *dels;
	size_t ndels;
	/* out: records imported, versions added (to records here before or
	 * just imported), records here before that gained versions, records
	 * deleted */
	size_t imported, amended, amended_records, deleted;
};
enum status vault_bundle_apply(struct vault *v, struct vault_bundle_apply *a);

#endif
