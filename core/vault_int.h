/*
 * vault_int.h — the encrypted store's private contract: what the vault_*.c
 * files share and nothing else includes. vault.h is the public contract.
 *
 * The files, each one policy:
 *   vault_store.c     the handle, messages (vault_fail, vault_fail_mdb), the
 *                     LMDB environment: durable write transactions
 *                     (vault_write_txn) and map growth, directory and file
 *                     checks, create, open, close, group sharing
 *   vault_envelope.c  sealing and opening items (vault_env_seal,
 *                     vault_env_open, vault_item_put, vault_item_get),
 *                     scratch memory, access by owner, the
 *                     vault_test_envelope_* calls
 *   vault_pack.c      compressing format 2 payloads before sealing and
 *                     unpacking them after opening (zstd)
 *   vault_names.c     rules that need no vault: user names, passphrases,
 *                     roles, case codes, reasons
 *   vault_users.c     user entries and keys, unlock, users, roles
 *                     (vault_allowed), unlock throttling
 *   vault_items.c     records, summaries, history, debriefs, drafts, forms,
 *                     deletion, batch import, statistics releases
 *   vault_listing.c   the case listing
 *   vault_audit.c     the audit chain: sealing, chaining, storing, reading
 *   vault_verify.c    vault_verify
 *   vault_backup.c    vault_backup
 *   vault_sites.c     transfer bundles: the sites an office trusts, what was
 *                     sent to each office, applying a bundle in one
 *                     transaction (table "sites")
 *
 * Calls between them go through the prototypes below, whose names start
 * with vault_ like the public calls of vault.h; calls out of the vault go
 * to crypto.c (the one caller of libsodium), pagecheck.c, clock.c,
 * textcheck.c (the hidden characters names and reasons refuse) and audit.c,
 * whose entry layout (audit_encode, audit_decode) the vault seals and
 * chains.
 *
 * Between the vault and audit.c, calls run one way: vault_*.c -> audit.c
 * -> vault_names.c (the vault files call each other freely). audit.c calls
 * no vault_* function and takes no handle; the calls of audit.h that need
 * one (audit_log, audit_log_data, audit_list, audit_head_text) are defined
 * in vault_audit.c. audit.c uses only record_id_code and role_name, which
 * live in vault_names.c, the one vault file that calls neither audit.c nor
 * another vault file.
 *
 * Vault format 1 (intake 0.1; still opened). On disk: one LMDB environment directory (0700, files
 * 0600; 3770/0660 when group-shared) with these named databases. Integers
 * are big-endian.
 *
 *   meta       "format" u32 | "id" 16 random bytes | "kdf" u64 ops, u64 MiB
 *              (defaults for new users) | "created" u64 Unix seconds |
 *              "training" u8 1, in a training vault only |
 *              "mac" keyed BLAKE2b-256 of the four values above, in that
 *              order (then the byte 1 in a training vault), under the META
 *              purpose key: checked at unlock, so weakened defaults, a
 *              changed id, or a vault switched between real and training
 *              are reported, not used
 *   users      name -> user entry, 124 bytes:
 *                0 u8 entry version (1)   1 u8 role   2 u16 zero
 *                4 u64 Argon2id ops      12 u64 Argon2id MiB
 *               20 salt[16]              36 verifier[16]
 *               52 wrapped VK[72] (nonce | ciphertext | tag)
 *   records    record id (16) -> envelope "record"
 *   summaries  record id (16) -> envelope "summary"
 *   drafts     user name | 0x00 | draft id (16) -> envelope "draft"
 *   forms      BLAKE2b-256 of the source (32) -> envelope "form"
 *   history    record id | u32 version (1 = original) -> envelope "history",
 *              the earlier versions of a replaced record
 *   audit      u64 sequence -> sealed, chained entry ("audit trail" in
 *              vault_audit.c)
 *   attempts   OS uid and user name -> unlock pacing, plain; created on first use
 *   unlock_failures  time, OS uid -> user name tried: failed unlocks not yet in
 *              the audit trail, plain ("unlock throttling" in
 *              vault_users.c)
 *   debriefs   debrief id (16) -> envelope "debrief": a trainee's debrief
 *              of a mock screening. Only a training vault has this table.
 *   listing    u32 chunk number -> envelope "listing": the summaries again,
 *              about a hundred to a 16 KiB chunk, for the case list ("the
 *              case listing" in vault_listing.c). Vaults of earlier intakes
 *              get it at unlock.
 *   meta also holds "audit_head" (the chain's head, described in
 *              vault_audit.c).
 *
 * Format 2 (what vault_create writes; docs/FORMATS.md "Vault (format 2)"
 * has every byte). Each user's entry holds their X25519 and Ed25519 public
 * keys, their secrets (xs, ss, data key D, the common key C) sealed under
 * their passphrase key, and the signature of the supervisor who added them;
 * the first supervisor's signing key is the root (meta "root"), bound into
 * every user's sealed secrets. meta "group" holds the supervisors' group
 * public keys of every epoch, signed; the current group secret is sealed to
 * each group member at the end of their entry, the older ones in meta
 * "ring". Records, summaries, history, debriefs, listing chunks (one owner
 * each) and audit entries carry the epoch and owner key they are wrapped
 * for, in clear, ahead of the item key wrapped under S(owner, epoch)
 * (vault_keys.c); drafts are wrapped under the owner's D. Forms, releases,
 * the meta MAC and the audit chain's link key stay under C, as under VK in
 * format 1 (C takes VK's place in the keyring).
 *
 * Keys stay as in format 1: record ids are random, so their order shows
 * nothing about when records were made; listing chunks and audit entries
 * are numbered in the order of activity, and audit entries are appended
 * (MDB_APPEND), which fills each page. The choice, measured: random keys
 * leave leaf pages about 70% full, keys that grow with time appended fill
 * them to about 96%, some 390 bytes per compressed 2 KiB record (a sixth of
 * its cost on disk). Ids that grow with time would date every record for
 * anyone holding the files, and make the case codes (the id's first 40
 * bits) of the same week alike, where a mistyped random code is caught.
 * Not worth 390 bytes. docs/FORMATS.md ("Order of ids") has the figures.
 *
 * A training vault (intake --training) holds fictional cases only. It is
 * marked at creation, in meta ("training") and in the meta MAC, and has the
 * debriefs table; vault_check_training() is the one rule that keeps training
 * records out of real vaults and real records out of training vaults.
 *
 * Keys. The passphrase goes through Argon2id to a 32-byte master; two
 * crypto_kdf subkeys of it are the key that wraps VK and a 16-byte verifier.
 * The verifier costs an attacker nothing (each guess still needs Argon2id)
 * but lets unlock tell "wrong passphrase" (ST_AUTH) from "entry edited on
 * disk" (ST_TAMPERED). The wrap's associated data binds vault id, format,
 * bytes 0..35 of the entry (role, limits, salt) and the user name. Edited
 * Argon2id limits change the master itself, so neither check passes; unlock
 * then tries the vault's default limits, and a passphrase that verifies and
 * unwraps under those shows the edit (limits_edited).
 *
 * Envelope: header (0x49, format, kind, 0) | item key wrapped under the
 * kind's purpose key (72) | nonce (24) | ciphertext | tag (16). The
 * plaintext is u8 owner length | owner name | content. Wrap and payload share
 * one associated data: "intake-item" | header | vault id | kind name | NUL |
 * u16 key length | the LMDB key. Binding the whole key binds the record id,
 * the draft's user and the history version, so a value moved to any other
 * slot or vault fails to open. In format 2, header byte 3 is ENV_PACKED when
 * the content was compressed before sealing (vault_pack.c): records,
 * summaries, history, debriefs and drafts, whenever zstd makes them
 * smaller; being in the header, the flag is in the associated data.
 *
 * LMDB: durable commits only (no NOSYNC, no WRITEMAP); every write is one
 * short transaction run by vault_write_txn(), which grows the map on
 * MDB_MAP_FULL and retries; every transaction start adopts a map grown by
 * another process (MDB_MAP_RESIZED). Argon2id never runs inside a
 * transaction.
 *
 * Access: the table at vault_allowed() (vault.h). Records and summaries are
 * readable and replaceable by their owner (the interviewer who saved them)
 * and by supervisors; history only by supervisors; drafts only by their
 * owner; a trainer has a supervisor's rights in a training vault and none in
 * a real one.
 *
 * Not detected by the calls that read: an older but authentic value put back
 * in its own slot (a record's earlier version, a user entry from before a
 * passwd) or a value deleted. vault_verify() finds those against the audit
 * chain, whose entries carry a digest of what each change left on disk.
 */
#ifndef INTAKE_VAULT_INT_H
#define INTAKE_VAULT_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <lmdb.h>
#include <pthread.h>

#include "audit.h"
#include "crypto.h"
#include "vault.h"

#define META_FORMAT   "format"
#define META_ID       "id"
#define META_KDF      "kdf"
#define META_CREATED  "created"
#define META_TRAINING "training"
#define META_MAC      "mac"
#define META_RAW      (4 + VAULT_ID_BYTES + 16 + 8)

#define VK_CTX        "intake01"    /* crypto_kdf context of purpose keys */
#define PASS_CTX      "intakepw"    /* crypto_kdf context of the passphrase master */
#define PASS_KEK      1
#define PASS_VERIFIER 2
#define VERIFIER_BYTES 16

#define USER_ENTRY_VERSION 1
#define USER_OFF_ROLE      1
#define USER_OFF_OPS       4
#define USER_OFF_MEM       12
#define USER_OFF_SALT      20
#define USER_OFF_VERIFIER  36
#define USER_OFF_WRAPPED   52
#define USER_HEAD_BYTES    USER_OFF_VERIFIER
#define USER_ENTRY_BYTES   (USER_OFF_WRAPPED + CRYPTO_WRAPPED_BYTES)

/* Format 2 user entries ("Format 2" below). Bytes 0..51 as in format 1. */
#define VAULT_FORMAT_1     1
#define USER2_VERSION      2
#define USER2_OFF_XP       52
#define USER2_OFF_SP       84
#define USER2_OFF_ADDED    116
#define USER2_OFF_ADDER    124      /* u8 length | name, zero-padded */
#define USER2_OFF_SECRETS  (USER2_OFF_ADDER + 1 + VAULT_USER_MAX)
#define SECRETS_BYTES      (CRYPTO_KEY_BYTES + CRYPTO_SIGN_SK_BYTES + 2 * CRYPTO_KEY_BYTES)
#define USER2_OFF_SIG      (USER2_OFF_SECRETS + SECRETS_BYTES + CRYPTO_SEAL_OVERHEAD)
#define USER2_BYTES        (USER2_OFF_SIG + CRYPTO_SIG_BYTES)
#define GRANT_BYTES        (4 + CRYPTO_KEY_BYTES + CRYPTO_PK_SEAL_OVERHEAD)
#define USER2_MAX_BYTES    (USER2_BYTES + GRANT_BYTES)
/* An entry given its keys at an upgrade from format 1, until its user's
 * next unlock: version 3, the secrets sealed under a key derived from the
 * format 1 vault key, and that key still wrapped as in format 1 after the
 * signature (then the grant, if any). */
#define USER3_VERSION      3
#define USER3_BYTES        (USER2_BYTES + CRYPTO_WRAPPED_BYTES)
#define ENTRY_MAX          (USER3_BYTES + GRANT_BYTES)
#define META_ROOT          "root"
#define META_GROUP         "group"
#define GROUP_BYTES_MIN    (4 + CRYPTO_PK_BYTES + 1 + 1 + CRYPTO_SIG_BYTES)
#define GROUP_EPOCHS_MAX   65536
#define META_RING          "ring"

#define ENV_MAGIC     0x49
#define ENV_HEAD      4
#define ENV_OFF_WRAP  ENV_HEAD
#define ENV_OFF_SEAL  (ENV_HEAD + CRYPTO_WRAPPED_BYTES)
#define ENV_OVERHEAD  (ENV_OFF_SEAL + CRYPTO_SEAL_OVERHEAD + 1)
#define ENV2_OFF_EPOCH ENV_HEAD
#define ENV2_OFF_XP   (ENV_HEAD + 4)
#define ENV2_OFF_WRAP (ENV2_OFF_XP + CRYPTO_PK_BYTES)
#define ENV2_OFF_SEAL (ENV2_OFF_WRAP + CRYPTO_WRAPPED_BYTES)
#define ENV2_OVERHEAD (ENV2_OFF_SEAL + CRYPTO_SEAL_OVERHEAD + 1)
#define DRAFT_TAG     CRYPTO_HASH_BYTES   /* format 2 drafts end with it */
/* Header byte 3 of a format 2 envelope: 0, or ENV_PACKED when the content
 * in the sealed payload is a zstd frame (vault_pack.c). The byte is in the
 * payload's associated data, so it cannot be changed without the payload
 * failing to open. */
#define ENV_PACKED    1
#define PACK_MIN      32                  /* shorter content is stored as it is */
#define ITEM_MAX      ((size_t)16 << 20)  /* largest record, draft or form */
#define SCRATCH_KEEP  ((size_t)1 << 20)   /* larger scratch is freed after use */
#define PACK_MAX      ITEM_MAX            /* the most a frame may unpack to */
#define AD_MAX        256
#define KEY_MAX       (VAULT_USER_MAX + 1 + VAULT_ID_BYTES)
#define HISTORY_KEY   (VAULT_ID_BYTES + 4)
#define CODE_BYTES    5                   /* id bytes shown in a case code */

/* The map starts here and doubles when full, up to the maximum: virtual
 * address space only, the file grows with the data. 32-bit systems get
 * a smaller ceiling because the whole map must fit their address space. */
#define MAP_INITIAL   ((size_t)64 << 20)
#define MAP_MAX       (sizeof(size_t) > 4 ? (size_t)64 << 30 : (size_t)1 << 30)

#define DEFAULT_KDF_MIB 64
#define DEFAULT_KDF_MS  500

/* vault_write_txn() callbacks return 0, an LMDB/errno code, or TXN_FAILED after
 * setting the message and v->txn_status themselves. */
#define TXN_FAILED    (-1)
typedef int (*txn_fn)(struct vault *v, MDB_txn *txn, void *arg);

/* Tables before DB_TRAINING_ONLY exist in every vault; debriefs only in
 * training vaults; the listing in every vault made or unlocked by this
 * intake (vaults of earlier ones lack it until their next unlock). */
enum db {
	DB_META, DB_USERS, DB_RECORDS, DB_SUMMARIES, DB_DRAFTS, DB_FORMS,
	DB_HISTORY, DB_AUDIT, DB_DEBRIEFS, DB_LISTING, DB_COUNT
};
#define DB_TRAINING_ONLY DB_DEBRIEFS

static const char *const db_names[DB_COUNT] = {
	"meta", "users", "records", "summaries", "drafts", "forms", "history", "audit",
	"debriefs", "listing",
};

enum kind {
	KIND_RECORD = 1, KIND_SUMMARY, KIND_DRAFT, KIND_HISTORY, KIND_FORM, KIND_DEBRIEF,
	KIND_LISTING,
	KIND_RELEASE,       /* statistics releases (vault_items.c) */
	KIND_SITE,          /* trusted sites, offices sent to (vault_sites.c) */
};

static const struct {
	const char *name;
	enum crypto_purpose purpose;
	enum db db;
} kinds[] = {
	[KIND_RECORD]  = { "record",  CRYPTO_PURPOSE_RECORD_WRAP, DB_RECORDS },
	[KIND_SUMMARY] = { "summary", CRYPTO_PURPOSE_SUMMARY,     DB_SUMMARIES },
	[KIND_DRAFT]   = { "draft",   CRYPTO_PURPOSE_DRAFT,       DB_DRAFTS },
	[KIND_HISTORY] = { "history", CRYPTO_PURPOSE_HISTORY,     DB_HISTORY },
	[KIND_FORM]    = { "form",    CRYPTO_PURPOSE_FORM,        DB_FORMS },
	/* Debriefs share the record wrapping key: the kind name in the
	 * associated data keeps either from opening as the other. */
	[KIND_DEBRIEF] = { "debrief", CRYPTO_PURPOSE_RECORD_WRAP, DB_DEBRIEFS },
	/* The listing repeats summaries: it shares their key, and the kind
	 * name keeps a chunk from opening as a summary or the reverse. */
	[KIND_LISTING] = { "listing", CRYPTO_PURPOSE_SUMMARY,     DB_LISTING },
	/* Releases live in their own table, opened by name (RELEASES_DB):
	 * .db is not used for them. They share the summary key; the kind name
	 * keeps them apart. */
	[KIND_RELEASE] = { "release", CRYPTO_PURPOSE_SUMMARY,     DB_META },
	/* Like releases: a table of their own (SITES_DB), the summary key. */
	[KIND_SITE]    = { "site",    CRYPTO_PURPOSE_SUMMARY,     DB_META },
};
#define SITES_DB "sites"
/* One entry of SITES_DB opens and is well formed (vault_sites.c), for
 * vault_verify: ST_OK, ST_TAMPERED or ST_NOMEM. */
enum status vault_site_entry_check(struct vault *v, const MDB_val *key, const MDB_val *val);
#define RELEASES_DB "releases"
/* Each user's own preferences (vault_prefs.c): opened by name. */
#define PREFS_DB "prefs"
/* Deletes name's preferences, if any (vault_prefs.c): they were sealed
 * under keys that are going. 0 or an LMDB error. */
int vault_prefs_drop_txn(struct vault *v, MDB_txn *txn, const char *name);
/* Everything secret the handle holds, in one guarded allocation. The
 * scratch fields hold short-lived keys so that none lands on the stack. */
struct keyring {
	unsigned char vk[CRYPTO_KEY_BYTES];
	unsigned char purpose[CRYPTO_PURPOSE_COUNT + 1][CRYPTO_KEY_BYTES];
	unsigned char item[CRYPTO_KEY_BYTES];
	unsigned char master[CRYPTO_KEY_BYTES];
	unsigned char kek[CRYPTO_KEY_BYTES];
	unsigned char verifier[VERIFIER_BYTES];
	unsigned char mac[CRYPTO_HASH_BYTES];
	unsigned char audit_seal[CRYPTO_KEY_BYTES];   /* subkeys of the AUDIT key */
	unsigned char audit_chain[CRYPTO_KEY_BYTES];
	/* Format 2 (vault_keys.c): the unlocked user's own keys, the group
	 * key of the current epoch when they hold it, and the wrapping key of
	 * the item being sealed or opened. vk holds the common key C. */
	unsigned char xs[CRYPTO_KEY_BYTES];
	unsigned char ss[CRYPTO_SIGN_SK_BYTES];
	unsigned char dk[CRYPTO_KEY_BYTES];
	unsigned char gs[CRYPTO_KEY_BYTES];
	unsigned char wrap[CRYPTO_KEY_BYTES];
	unsigned char secrets[SECRETS_BYTES];
};

/* Wrapping keys S(owner, e) computed while unlocked (vault_keys.c), in
 * secure memory, so that bulk reads cost one X25519 per owner and epoch. */
#define SCACHE_MAX 256
struct scache {
	size_t n;
	struct {
		uint32_t epoch;
		unsigned char xp[CRYPTO_PK_BYTES];
		unsigned char s[CRYPTO_KEY_BYTES];
	} e[SCACHE_MAX];
};

/* A zstd compression context on a secure workspace of its own
 * (vault_pack.c): the handle's, and the one of a thread packing an
 * import's records ahead. */
struct packer {
	unsigned char *ws;
	size_t len;             /* bytes of ws */
	void *cc;               /* the context kept ready, or NULL */
	size_t ready;           /* the bytes of ws cc was made on */
};

struct lchunk {
	unsigned char *p;       /* secure memory: the decrypted entries */
	size_t len, cap;
	uint32_t no;
	/* Format 2: the one owner of the chunk's entries, whose key wraps it. */
	char owner[VAULT_USER_MAX + 1];
};

struct vault {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	int is_open;
	int unlocked;
	int shared;
	int training;
	size_t map_initial;
	size_t map_max;
	char dir[PATH_MAX];
	unsigned char id[VAULT_ID_BYTES];
	uint32_t format;
	struct vault_kdf kdf;
	uint64_t created;
	unsigned char meta_mac[CRYPTO_HASH_BYTES];
	struct keyring *kr;
	unsigned char *scratch;   /* secure, for sealing and scans; wiped after use */
	size_t scratch_len;
	unsigned char *lbuf;      /* secure, for a chunk of the listing; wiped after use */
	size_t lbuf_cap;
	/* A batch of listing appends (vault_listing_batch_begin): the chunk
	 * being filled, sealed when full or at the batch's end. */
	struct lchunk lpend;
	int lbatch, lpend_dirty;
	/* Secure (vault_pack.c): zstd's compression and decompression
	 * workspaces, wiped after each use outside a write transaction or a
	 * scan and at the end of one (vault_pack_settle), with the contexts
	 * kept ready on them until then; and the content a scan unpacked
	 * (vault_env_content; wiped by vault_scratch_done). */
	struct packer zpk;
	unsigned char *zd, *unpack;
	size_t zd_len, unpack_len, unpack_used;
	void *zdc;                /* the decompression context kept ready, or NULL */
	int scanning;
	char user[VAULT_USER_MAX + 1];
	enum role role;
	enum status txn_status;
	char msg[512];
	/* Audit trail, roles and sharing (vault_audit.c, vault_users.c,
	 * vault_store.c). */
	int headroom;             /* this write may grow the map past map_max */
	int has_group;
	gid_t gid;
	int lock_fd;              /* lock.mdb as checked at open (vault_files) */
	char import_note[VAULT_REASON_MAX + 1];   /* vault_import_note() */
	/* While head_hold is set (one write transaction appending many
	 * entries: an import), vault_audit_put_txn keeps the new head's
	 * sequence and link here instead of signing and storing the head after
	 * every entry; the first append with head_hold clear stores the head,
	 * signed, as it would have been. The holder clears both before its
	 * transaction ends, whatever happens. */
	int head_hold, head_held;
	uint64_t head_seq;
	unsigned char head_link[CRYPTO_HASH_BYTES];
	/* While audit_defer is set (an import's records, format 2), entries
	 * are written AUDIT2_DEFERRED: the import's own entry, which the
	 * holder writes before the transaction commits, signs them all. */
	int audit_defer;
	/* Unlock pacing ("unlock throttling"): a turn given for later, and the
	 * failures row of the attempt running now. Not wiped by vault_lock. */
	struct {
		int held;
		uint64_t at_ms;
		char user[VAULT_USER_MAX + 1];
	} turn;
	unsigned char fail_key[16];
	int fail_key_set;
	/* Format 2 (vault_keys.c): public keys of the unlocked user, the root,
	 * the current group epoch; wtxn is the write transaction running now
	 * (vault_write_txn), in which sealing looks up an owner's key. */
	unsigned char xp[CRYPTO_PK_BYTES];
	unsigned char sp[CRYPTO_SIGN_PK_BYTES];
	unsigned char root[CRYPTO_SIGN_PK_BYTES];
	unsigned char gp[CRYPTO_PK_BYTES];
	uint32_t epoch;
	int has_gs;
	unsigned char *gps;       /* gp of epochs 1..epoch, 32 bytes each (malloc) */
	unsigned char *ring;      /* secure: gs of epochs 1..epoch-1, a group member's */
	struct scache *sc;
	MDB_txn *wtxn;
};

struct user_entry {
	unsigned char raw[ENTRY_MAX];
	size_t len;
	enum role role;
	uint64_t ops;
	uint64_t mem_mib;
};

/* Audit entries, unlocks and deletions may grow the map this far past its
 * maximum, so a full vault still unlocks (to export and archive) and every
 * such step is still recorded. */
#define HEADROOM      ((size_t)1 << 20)

/* The case listing (vault_listing.c, "the case listing" there). */
#define LISTING_CHUNK  ((size_t)16 << 10)
#define SUMMARY_MAX    (ITEM_MAX - 4096)    /* so that any entry fits a chunk */
#define LENTRY_FIXED   (VAULT_ID_BYTES + 1 + 4 + 1)
/* In place of an owner length: the summary did not open when the listing
 * was built; the entry has no owner and an empty summary. It keeps the case
 * in the list, reported as damaged to everyone, as vault_summary_scan does. */
#define LENTRY_DAMAGED 0xFF

struct lentry {
	const unsigned char *id;
	bool damaged;           /* LENTRY_DAMAGED */
	char owner[VAULT_USER_MAX + 1];
	const char *summary;    /* NUL-terminated in the chunk */
	size_t len;             /* of the summary */
	size_t off, size;       /* of the whole entry in its chunk */
};

/* The audit chain (vault_audit.c, "audit trail" there). */
#define AUDIT_MAGIC      0x41
#define AUDIT_CTX        "intkaudt"
#define AUDIT_SUB_SEAL   1
#define AUDIT_SUB_CHAIN  2
#define AUDIT_HEAD_KEY   "audit_head"
#define AUDIT_HEAD_BYTES (8 + 2 * CRYPTO_HASH_BYTES)
#define AUDIT_VAL_MIN    (ENV_HEAD + CRYPTO_SEAL_OVERHEAD + CRYPTO_HASH_BYTES)
#define AUDIT_VAL_MAX    (AUDIT_VAL_MIN + AUDIT_ENTRY_MAX)
/* Format 2: epoch | writer's xp | the entry key wrapped under S(writer, epoch) */
#define AUDIT2_EXTRA     (4 + CRYPTO_PK_BYTES + CRYPTO_WRAPPED_BYTES)
/* Format 2: after the sealed entry, the writer's Ed25519 public key and
 * signature ("audit trail" in vault_audit.c). */
#define AUDIT2_TAIL      (CRYPTO_SIGN_PK_BYTES + CRYPTO_SIG_BYTES)
#define AUDIT2_OVER      (AUDIT2_EXTRA + AUDIT2_TAIL)
#define AUDIT_BUF_MAX    (AUDIT_VAL_MAX + AUDIT2_OVER)
#define AUDIT2_HEAD_BYTES (8 + CRYPTO_HASH_BYTES + CRYPTO_SIGN_PK_BYTES + CRYPTO_SIG_BYTES)
#define AUDIT2_CONVERTED 1   /* header byte 2: signed by the supervisor who upgraded */
/* Header byte 2: signed by its writer's next entry, which follows it and
 * signs the link that covers it; its own signature is 64 zero bytes,
 * which no Ed25519 signature is (an import's records: vault_audit.c). */
#define AUDIT2_DEFERRED  2
#define META_FORMER      "former"
#define AUDIT_LINK_LABEL "intake-audit-link"

/* ---- vault_store.c ---------------------------------------------------------
 *
 * Messages. Every failing internal call sets v's message (vault_errmsg)
 * before returning a status; a caller passes the status on and adds none.
 * vault_fail formats the message (cut with "..." when too long) and
 * returns st: `return vault_fail(v, ST_INVALID, "...")`. vault_fail_mdb
 * turns an LMDB or errno code into a status and a message that says what
 * to do; `what` names the operation ("saving the record"). */
enum status vault_fail(struct vault *v, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum status vault_fail_mdb(struct vault *v, int rc, const char *what);

/* Transactions. vault_txn_begin starts one (flags 0 or MDB_RDONLY),
 * adopting a map another process has grown; it returns an LMDB code.
 *
 * vault_write_txn is the one way to write: it runs fn in one durable write
 * transaction and commits when fn returns 0. fn returns 0, an LMDB or
 * errno code (reported through vault_fail_mdb with `what`), or TXN_FAILED
 * after setting the message itself: `return vault_txn_fail(v,
 * vault_fail(v, ...))`. On MDB_MAP_FULL the map grows and fn runs again
 * from the start, so fn keeps no state between attempts (it resets what it
 * counts in arg). Refused (ST_BUSY) while a scan holds its snapshot.
 * Argon2id never runs inside fn: derive keys before. */
int vault_txn_begin(struct vault *v, unsigned flags, MDB_txn **txn);
/* A scan read one more value (val, in a read transaction: it points into
 * LMDB's map): every 32 MiB or so (each value counted a page more than its
 * bytes), the pages of the vault file the process touched are let go
 * (they stay in the page cache), so a scan's resident memory stays
 * bounded whatever the vault's size. val NULL (a scan's end): now. */
void vault_map_tick(struct vault *v, const MDB_val *val);
/* Random access to the map that holds inside (a value just read), or back
 * to normal: the kernel then reads only the page a fault needs instead of
 * reading ahead around it. For reads that jump about the file (the case
 * listing's chunks lie wherever their last rewrite put them): with read
 * ahead, listing 100,000 cases from a disk read most of the file, which
 * under a 256 MiB memory limit meant reclaiming page cache all along. */
void vault_map_random(struct vault *v, const void *inside, bool random);
/* What one lookup at a random key costs in pages of the map: the kernel
 * maps up to 16 pages around each page fault (fault-around), so a write
 * transaction that looks up thousands of scattered keys (an import: the
 * record, its summary) touched 64 KiB for each, and an import of 20,000
 * records into a million kept 2 GiB of the file resident. An import counts
 * each record it looks up as this many bytes read. */
#define MAP_LOOKUP_COST  ((size_t)3 * (64 << 10))
/* Sets *touch to count one such lookup in txn (before the transaction
 * writes anything); vault_map_tick(v, touch) after each. */
void vault_map_lookups(struct vault *v, MDB_txn *txn, MDB_val *touch);
enum status vault_write_txn(struct vault *v, const char *what, txn_fn fn, void *arg);
int vault_txn_fail(struct vault *v, enum status st);

/* Preconditions of the public calls, each with its message: ST_INVALID
 * when no vault is open, ST_LOCKED when it is locked, ST_DENIED when the
 * unlocked user is no supervisor (`action` ends "only a supervisor can"). */
enum status vault_need_open(struct vault *v);
enum status vault_need_unlocked(struct vault *v);
enum status vault_need_supervisor(struct vault *v, const char *action);

/* ST_INVALID and a message unless kdf is within crypto.h's Argon2id limits. */
enum status vault_check_kdf(struct vault *v, const struct vault_kdf *kdf);
/* kr->purpose[] from kr->vk (crypto_kdf subkeys, context VK_CTX). */
void vault_derive_purpose_keys(struct keyring *kr);
/* The MAC of the meta values (meta "mac" in the format above); needs the
 * purpose keys. */
void vault_meta_mac(const struct vault *v, unsigned char mac[CRYPTO_HASH_BYTES]);
/* meta's value `name` in txn: LMDB codes (MDB_NOTFOUND when absent). */
int vault_meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name, MDB_val *out);
int vault_meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, const void *data, size_t len,
    unsigned flags);
/* Whether directory dir holds anything but "." and "..". */
int vault_dir_has_entries(const char *dir);
/* p without const, for the MDB_val fields LMDB only reads. */
void *vault_unconst(const void *p);

/* ---- vault_envelope.c ------------------------------------------------------
 *
 * Scratch: one secure buffer kept by the handle for sealing and scans.
 * vault_scratch_get gives at least n bytes (NULL when out of memory, with
 * no message); every get ends with vault_scratch_done(v, bytes used), which
 * wipes them and frees a buffer grown past SCRATCH_KEEP. vault_scratch_trim
 * frees (wiped) any such kept secure buffer *p of *len bytes grown past
 * SCRATCH_KEEP, so that one large item does not keep its memory. */
unsigned char *vault_scratch_get(struct vault *v, size_t n);
void vault_scratch_done(struct vault *v, size_t used);
void vault_scratch_trim(unsigned char **p, size_t *len);

/* Envelopes (the format above). Both ways need an unlocked vault.
 * vault_env_seal writes vault_env_size(owner length, content length) bytes
 * for the slot `key`; vault_env_plain_len is 0 for a value of the wrong
 * size or header. vault_env_decrypt and vault_env_open return ST_TAMPERED
 * when anything fails to authenticate (or ST_NOMEM) and set no message:
 * the caller names the item with vault_fail_open. vault_env_open gives
 * secure memory for vault_plain_free. */
size_t vault_env_size(size_t owner_len, size_t content_len);
enum status vault_env_seal(struct vault *v, enum kind kind, const MDB_val *key,
    const char *owner, const void *content, size_t clen, unsigned char *out);
size_t vault_env_plain_len(enum kind kind, const MDB_val *val);
enum status vault_env_decrypt(struct vault *v, enum kind kind, const MDB_val *key,
    const MDB_val *val, unsigned char *plain, char owner[VAULT_USER_MAX + 1], size_t *off,
    size_t *clen);
enum status vault_env_open(struct vault *v, enum kind kind, const MDB_val *key,
    const MDB_val *val, char owner[VAULT_USER_MAX + 1], char **plain_out, size_t *len_out);

/* Compression before sealing (format 2 records, summaries, history,
 * debriefs, drafts: vault_env_packs). vault_env_stage puts the plaintext
 * u8 owner length | owner | content in the scratch, the content as a zstd
 * frame when pack is set, the kind packs and the frame is smaller, and
 * says so in sg->flags (the envelope's header byte 3, ENV_PACKED). The
 * envelope is then vault_env_staged_size bytes; vault_env_seal_staged
 * seals it and wipes the scratch; vault_env_unstage wipes it when the
 * sealing does not happen. vault_env_seal is both steps without
 * compression, for sizes taken from vault_env_size_for.
 *
 * Opening: vault_env_decrypt gives the content as stored (a frame when
 * vault_env_is_packed(val)); vault_env_content gives it unpacked, in the
 * handle's unpack buffer (NUL-terminated, wiped by the caller's next
 * vault_scratch_done; content[*clen] is writable either way), and wipes
 * the frame in plain. ST_FORMAT when the frame is refused (vault_pack.c). */
struct env_staged {
	size_t plen;            /* bytes of plaintext staged */
	size_t used;            /* bytes of scratch to wipe */
	unsigned char flags;    /* header byte 3 */
};
int vault_env_packs(const struct vault *v, enum kind kind);
enum status vault_env_stage(struct vault *v, enum kind kind, const char *owner,
    const void *content, size_t clen, int pack, struct env_staged *sg);
size_t vault_env_staged_size(const struct vault *v, enum kind kind, const struct env_staged *sg);
enum status vault_env_seal_staged(struct vault *v, enum kind kind, const MDB_val *key,
    const char *owner, const struct env_staged *sg, unsigned char *out);
void vault_env_unstage(struct vault *v, const struct env_staged *sg);
int vault_env_is_packed(const MDB_val *val);
enum status vault_env_content(struct vault *v, const MDB_val *val, unsigned char *plain,
    size_t off, size_t *clen, unsigned char **content);

/* ---- vault_pack.c ----------------------------------------------------------
 *
 * vault_pack compresses src[n] into dst[cap >= vault_pack_bound(n)] and
 * returns the frame's length, or 0 when it would be no smaller (or n is
 * outside PACK_MIN..PACK_MAX): the content is then stored as it is.
 * vault_unpack_size reads the size a frame declares: ST_FORMAT unless it
 * is one whole frame declaring at most PACK_MAX. vault_unpack writes
 * exactly that many bytes into dst (ST_FORMAT, dst wiped, when the frame
 * does not give them; ST_NOMEM). zstd's workspaces are the handle's,
 * secure, freed by vault_pack_forget (close). Outside a write transaction
 * (v->wtxn) and a scan (v->scanning) they are wiped after each call;
 * inside one the contexts stay made on them, and vault_pack_settle, which
 * vault_write_txn and every scan call as they end, wipes them. */
size_t vault_pack(struct vault *v, const void *src, size_t n, unsigned char *dst, size_t cap);
size_t vault_pack_bound(size_t n);
enum status vault_unpack_size(const void *frame, size_t n, size_t *size);
enum status vault_unpack(struct vault *v, const void *frame, size_t n, unsigned char *dst,
    size_t size);
void vault_pack_settle(struct vault *v);
void vault_pack_forget(struct vault *v);
/* The same on a packer of one's own: keep leaves the context made (for
 * vault_packer_settle to wipe), else it is wiped after the call;
 * vault_packer_forget wipes and frees the workspace. */
size_t vault_packer_pack(struct packer *pk, int keep, const void *src, size_t n,
    unsigned char *dst, size_t cap);
void vault_packer_settle(struct packer *pk);
void vault_packer_forget(struct packer *pk);

/* A second thread working ahead of this one through a ring (vault_store.c):
 * each side publishes how far it got in a counter the other waits on,
 * under one lock and one condition. start gives 0, or -1 with nothing
 * left to undo; wait_above waits until *count exceeds n or the helper is
 * told to stop, and says whether it was; publish sets *count and wakes
 * the other side if that is what it waits for; stop tells the thread to
 * stop, waits for it and undoes start. */
struct vault_helper {
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	int waiting;                    /* threads waiting and not yet woken */
	const size_t *wait_on;          /* what the last of them waits for */
	size_t wait_past;
};
int vault_helper_start(struct vault_helper *h, void *(*fn)(void *), void *arg);
int vault_helper_wait_above(struct vault_helper *h, const size_t *count, size_t n);
void vault_helper_publish(struct vault_helper *h, size_t *count, size_t value);
void vault_helper_stop(struct vault_helper *h);

/* Packing and sealing an import's records ahead on a second thread
 * (vault_pack.c), while this one stores them: recs[i]'s record and
 * summary envelopes, owned by the unlocked user, taken in order.
 * vault_pack_ahead_start gives NULL when it is not worth it or cannot
 * start (then every record is packed and sealed as it is stored). take,
 * called for every record in turn from 0 (none skipped: the waits rely
 * on it), waits for record i's envelopes and gives up those of every
 * record before it: 0 with them set (*slen 0: no summary), or -1 when
 * they could not be made (store the record as usual). stop ends the
 * thread, frees every slot (they hold envelopes only) and wipes the
 * plaintext the thread sealed from. */
struct pack_ahead;
struct pack_ahead *vault_pack_ahead_start(struct vault *v, const struct vault_import_record *recs,
    size_t n);
int vault_pack_ahead_take(struct pack_ahead *pa, size_t i, const unsigned char **json,
    size_t *jlen, const unsigned char **sum, size_t *slen);
void vault_pack_ahead_stop(struct pack_ahead *pa);

/* Items. vault_item_put seals into the slot reserved in the caller's write
 * transaction (an LMDB code); vault_item_get reads and opens in its own
 * read transaction, with the message set. */
int vault_item_put(struct vault *v, MDB_txn *txn, enum kind kind, MDB_val *key,
    const char *owner, const void *content, size_t clen, unsigned flags);
/* Sealing the unlocked user's own records and summaries on another
 * thread (vault_pack_ahead): new copies what it takes from the vault (NULL
 * for a format 1 vault, or when it cannot); seal writes the envelope of
 * plain[plen] (the owner's name and the content, as vault_env_stage lays
 * them out; flags ENV_PACKED when packed) for key into
 * out[ENV2_OVERHEAD + plen - 1]; put_sealed stores such an envelope. */
struct sealer;
struct sealer *vault_sealer_new(struct vault *v);
void vault_sealer_seal(struct sealer *s, enum kind kind, const MDB_val *key, unsigned char flags,
    const unsigned char *plain, size_t plen, unsigned char *out);
void vault_sealer_free(struct sealer *s);
int vault_item_put_sealed(struct vault *v, MDB_txn *txn, enum kind kind, MDB_val *key,
    const unsigned char *env, size_t len, unsigned flags);
enum status vault_item_get(struct vault *v, enum kind kind, const MDB_val *key,
    const char *what, char owner[VAULT_USER_MAX + 1], char **out, size_t *len);
/* "what CODE" for messages: the item's kind and the record's case code. */
void vault_describe(char *out, size_t len, const char *what, const struct record_id *id);
/* The message of an item that did not open (st: ST_TAMPERED or ST_NOMEM). */
enum status vault_fail_open(struct vault *v, enum status st, const char *what);
/* Access by owner (vault.h, vault_allowed): the owner, or a user with the
 * right to read all; a trainer also reads debriefs. vault_fail_denied is
 * the message for anyone else. */
int vault_may_access(const struct vault *v, const char *owner);
int vault_may_read_debrief(const struct vault *v, const char *owner);
enum status vault_fail_denied(struct vault *v, const char *what);
/* ST_INVALID and a message for content that is NULL, empty (unless
 * may_be_empty) or larger than ITEM_MAX. */
enum status vault_check_content(struct vault *v, const char *p, size_t len, const char *what,
    int may_be_empty);

/* ---- vault_items.c, for vault_sites.c ------------------------------------
 *
 * The bodies of a batch import (with its "bundle import" entry), an
 * amendment and a deletion, run inside the caller's write transaction so
 * that a transfer bundle is applied whole or not at all. Each returns an
 * LMDB code, or TXN_FAILED with the message set; what names the record in
 * messages. vault_import_in sets added[i] (as vault_import does) when
 * recs[i] was imported, not already here. vault_history_count_in: the
 * earlier versions kept of id. */
int vault_import_in(struct vault *v, MDB_txn *txn, const struct vault_import_form *forms,
    size_t nforms, const struct vault_import_record *recs, size_t nrecs, unsigned char *added,
    size_t *imported);
int vault_record_replace_in(struct vault *v, MDB_txn *txn, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len, const char *what,
    const char *reason);
int vault_record_delete_in(struct vault *v, MDB_txn *txn, const struct record_id *id,
    const char *what, const char *reason);
int vault_history_count_in(struct vault *v, MDB_txn *txn, const struct record_id *id,
    uint32_t *count);

/* ---- vault_names.c: a case code's nine symbols to text and back. ---------- */
void vault_code_format(const unsigned d[9], struct case_code *out);
enum status vault_code_decode(const char *text, unsigned d[9], char *msg, size_t msglen);

/* ---- vault_users.c ---------------------------------------------------------
 *
 * A user entry (the format above). vault_user_entry_build wraps the VK held
 * in the keyring and runs Argon2id: call it outside any transaction.
 * vault_user_entry_parse checks an entry's size, version, role and Argon2id
 * limits (ST_TAMPERED, with the message) and reads them into e. */
enum status vault_user_entry_build(struct vault *v, const char *name, enum role role,
    const char *pass, size_t passlen, const struct vault_kdf *kdf,
    unsigned char out[USER_ENTRY_BYTES]);
enum status vault_user_entry_parse(struct vault *v, const char *name, const MDB_val *val,
    struct user_entry *e);

/* ---- vault_listing.c -------------------------------------------------------
 *
 * Kept in step inside the caller's write transaction with every summary
 * written (put: a new record; update: a replaced summary, or removed with
 * summary NULL; drop: a deleted record); each returns an LMDB code and
 * does nothing in a vault without a listing. vault_listing_ensure builds
 * it at unlock for a vault of an earlier intake; its failure is not the
 * unlock's. vault_check_summary refuses a summary too large for a chunk. */
int vault_listing_put(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES],
    const char *owner, const char *summary, size_t slen);
int vault_listing_update(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES],
    const char *owner, const char *summary, size_t slen);
int vault_listing_drop(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES]);
/* Between these two, in one write transaction, vault_listing_put fills
 * its owner's open chunk in memory and seals it once, when it is full or
 * at the end, rather than once an entry (an import of thousands); update
 * and drop seal it first. The end takes the batch's rc: the chunk is
 * sealed only when it is 0; it returns an LMDB code, or rc. */
void vault_listing_batch_begin(struct vault *v);
int vault_listing_batch_end(struct vault *v, MDB_txn *txn, int rc);
void vault_listing_ensure(struct vault *v);
/* The listing made again from the summaries inside txn (an upgrade). */
int vault_listing_rebuild_in(struct vault *v, MDB_txn *txn);
enum status vault_check_summary(struct vault *v, const char *p, size_t len);

/* Reading chunks (verification): vault_listing_dbi opens the table in txn
 * (MDB_NOTFOUND when the vault has none); a chunk's buffer is taken from
 * the handle and given back (wiped); vault_lchunk_open decrypts into it
 * (ST_TAMPERED when it does not open or is not a run of entries);
 * vault_lentry_next walks its entries: 1, 0 at the end, -1 when damaged. */
int vault_listing_dbi(MDB_txn *txn, MDB_dbi *dbi);
void vault_lchunk_take(struct vault *v, struct lchunk *c, uint32_t no);
void vault_lchunk_give(struct vault *v, struct lchunk *c);
enum status vault_lchunk_open(struct vault *v, const MDB_val *key, const MDB_val *val,
    struct lchunk *c);
int vault_lentry_next(const unsigned char *p, size_t len, size_t *off, struct lentry *e);

/* ---- vault_audit.c ---------------------------------------------------------
 *
 * Entries of the vault's own changes, appended inside the caller's write
 * transaction so that no change is on disk without its entry: a record
 * change (create and amend carry the digest of the envelope just written),
 * a user change (role -1 when none; entry: the user entry written, or NULL),
 * or any entry e.
 * Each returns an LMDB code, or TXN_FAILED with the message set. */
int vault_audit_record_txn(struct vault *v, MDB_txn *txn, enum audit_action a,
    const struct record_id *id, const char *reason);
int vault_audit_user_txn(struct vault *v, MDB_txn *txn, enum audit_action a,
    const char *actor, const char *subject, int role, const unsigned char *entry,
    size_t entry_len);
int vault_audit_put_txn(struct vault *v, MDB_txn *txn, const struct audit_entry *e);

/* Reading the chain (verification): vault_audit_keys derives its two keys
 * into the keyring; vault_audit_link computes the link of the entry at seq
 * over val[len] (its value without the link); vault_audit_open opens the
 * entry at seq into plain[AUDIT_ENTRY_MAX]; vault_audit_head_read reads
 * meta "audit_head" (ST_NOTFOUND when absent, ST_TAMPERED when its tag
 * does not match). */
void vault_audit_keys(struct vault *v);
void vault_audit_link(struct vault *v, uint64_t seq,
    const unsigned char prev[CRYPTO_HASH_BYTES], const unsigned char *val, size_t len,
    unsigned char out[CRYPTO_HASH_BYTES]);
enum status vault_audit_open(struct vault *v, uint64_t seq, const MDB_val *val,
    unsigned char *plain, size_t *plen);
enum status vault_audit_head_read(struct vault *v, MDB_txn *txn, struct vault_audit_head *out);
/* Format 2: whether the entry at seq (value val, prev the link before it)
 * carries a valid signature; its signer's key goes to sp. An entry
 * AUDIT2_DEFERRED sets *deferred and is ST_OK when its signature is the
 * 64 zero bytes it must be (its writer's next entry is what signs it).
 * ST_TAMPERED. */
enum status vault_audit_signed(struct vault *v, uint64_t seq,
    const unsigned char prev[CRYPTO_HASH_BYTES], const MDB_val *val,
    unsigned char sp[CRYPTO_SIGN_PK_BYTES], int *deferred);
int vault_audit_upgrade_txn(struct vault *v, MDB_txn *txn, const unsigned char *old_seal,
    void (*fix)(struct audit_entry *, void *), void *ctx);

/* ---- vault_keys.c: format 2 ------------------------------------------------
 *
 * vault_env2: whether items of kind use the format 2 envelope in v (records,
 * summaries, history, debriefs and drafts of a format 2 vault; forms and
 * releases stay under the common key C). vault_s_key puts S(xp, epoch) in
 * kr->wrap (ST_DENIED when this user holds no key for it); vault_draft_key
 * puts the unlocked user's draft key there. The vault_user2_* calls build,
 * parse, open (under kr->kek) and check user entries; vault_keys_load takes
 * the unlocked user's keys from kr->secrets after checking their trust. */
int vault_env2(const struct vault *v, enum kind kind);
int vault_role_in_group(const struct vault *v, enum role role);
void vault_keys_forget(struct vault *v);
enum status vault_s_key(struct vault *v, uint32_t epoch, const unsigned char xp[CRYPTO_PK_BYTES]);
void vault_draft_key(struct vault *v);
size_t vault_user2_ad(const struct vault *v, const char *name, const unsigned char *entry,
    unsigned char ad[AD_MAX]);
void vault_user2_sign(struct vault *v, const char *name, unsigned char *entry);
void vault_user2_fresh(struct vault *v, unsigned char xp[CRYPTO_PK_BYTES],
    unsigned char sp[CRYPTO_SIGN_PK_BYTES]);
enum status vault_user2_build(struct vault *v, const char *name, enum role role,
    const char *pass, size_t passlen, const struct vault_kdf *kdf,
    const unsigned char xp[CRYPTO_PK_BYTES], const unsigned char sp[CRYPTO_SIGN_PK_BYTES],
    unsigned char *out, size_t *len);
enum status vault_user2_reseal(struct vault *v, const char *name, const char *pass,
    size_t passlen, unsigned char *entry);
enum status vault_user2_open(struct vault *v, const char *name, const unsigned char *entry);
enum status vault_user2_parse(const void *data, size_t len, struct user_entry *e);
size_t vault_entry_base(const unsigned char *p, size_t len);
/* kr->wrap = the key a pending entry of user seals their secrets under,
 * derived from the format 1 vault key in kr->vk. */
void vault_pending_key(struct vault *v, const char *user);
enum status vault_user2_trusted(struct vault *v, MDB_txn *txn, const char *name,
    const unsigned char *entry, char why[VAULT_USER_MAX + 1]);
int vault_group_put(struct vault *v, MDB_txn *txn);
/* meta "former": the signing keys of users removed or given new keys, so
 * that their audit entries are still checked; signed by a group member.
 * add appends (name, sp) in txn; read gives them (malloc'ed, n) or
 * ST_TAMPERED when the list's signature does not lead to the root. */
struct former_key {
	char name[VAULT_USER_MAX + 1];
	unsigned char sp[CRYPTO_SIGN_PK_BYTES];
};
int vault_former_add_txn(struct vault *v, MDB_txn *txn, const char *name,
    const unsigned char sp[CRYPTO_SIGN_PK_BYTES]);
enum status vault_former_read(struct vault *v, MDB_txn *txn, struct former_key **out, size_t *n);
int vault_group_start(struct vault *v);
int vault_epoch_new(struct vault *v, MDB_txn *txn);
enum status vault_ring_read(struct vault *v, MDB_txn *txn);
enum status vault_group_read(struct vault *v, MDB_txn *txn);
enum status vault_keys_load(struct vault *v, MDB_txn *txn, const char *name,
    const struct user_entry *e);
int vault_rewrap_txn(struct vault *v, MDB_txn *txn, const char *owner,
    const unsigned char *gone, const unsigned char *heir, int all);
/* vault_audit.c, format 2: the associated data of an entry's wrapped key. */
size_t vault_audit_wrap_ad(const struct vault *v, const MDB_val *key, const unsigned char *val,
    unsigned char ad[AD_MAX]);
/* vault_envelope.c, format 2: the wrap's associated data, the size of an
 * envelope of kind in v, the digest the audit trail keeps of an envelope. */
size_t vault_env2_wrap_ad(const struct vault *v, enum kind kind, const MDB_val *key,
    const unsigned char *env, unsigned char ad[AD_MAX]);
void vault_owner_xp(struct vault *v, const char *owner, unsigned char xp[CRYPTO_PK_BYTES]);
size_t vault_env_size_for(const struct vault *v, enum kind kind, size_t owner_len,
    size_t content_len);
void vault_env_digest(const struct vault *v, enum kind kind, const MDB_val *val,
    unsigned char out[CRYPTO_HASH_BYTES]);
/* Format 2 drafts: whether the tag of draft val (under key) is right; the
 * owner and the group can tell, without the key that opens it. ST_OK,
 * ST_TAMPERED, ST_DENIED (this user holds no key to check it). */
enum status vault_env_draft_check(struct vault *v, const MDB_val *key, const MDB_val *val);

/* Big-endian integers, as every table stores them. */
static inline void
put_be32(unsigned char *p, uint32_t x)
{
	p[0] = (unsigned char)(x >> 24);
	p[1] = (unsigned char)(x >> 16);
	p[2] = (unsigned char)(x >> 8);
	p[3] = (unsigned char)x;
}

static inline uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put_be64(unsigned char *p, uint64_t x)
{
	put_be32(p, (uint32_t)(x >> 32));
	put_be32(p + 4, (uint32_t)x);
}

static inline uint64_t
get_be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

#endif
