/*
 * vault.c — the encrypted store, vault format 1 (see vault.h, DESIGN.md).
 *
 * On disk: one LMDB environment directory (0700, files 0600; 2770/0660 when
 * group-shared) with these named databases. Integers are big-endian.
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
 *   audit      u64 sequence -> sealed, chained entry ("Audit trail" at the end)
 *   attempts   OS uid and user name -> unlock pacing, plain; created on first use
 *   unlock_failures  time, OS uid -> user name tried: failed unlocks not yet in
 *              the audit trail, plain ("unlock throttling" below)
 *   debriefs   debrief id (16) -> envelope "debrief": a trainee's debrief
 *              of a mock screening. Only a training vault has this table.
 *   listing    u32 chunk number -> envelope "listing": the summaries again,
 *              about a hundred to a 16 KiB chunk, for the case list ("The case
 *              listing" below). Vaults of earlier intakes get it at unlock.
 *   meta also holds "audit_head" (the chain's head, described at the end).
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
 * slot or vault fails to open.
 *
 * LMDB: durable commits only (no NOSYNC, no WRITEMAP); every write is one
 * short transaction run by write_txn(), which grows the map on MDB_MAP_FULL
 * and retries; every transaction start adopts a map grown by another process
 * (MDB_MAP_RESIZED). Argon2id never runs inside a transaction.
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <lmdb.h>
#include <unictype.h>
#include <unistr.h>

#include "audit.h"
#include "clock.h"
#include "crypto.h"
#include "pagecheck.h"
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

#define ENV_MAGIC     0x49
#define ENV_HEAD      4
#define ENV_OFF_WRAP  ENV_HEAD
#define ENV_OFF_SEAL  (ENV_HEAD + CRYPTO_WRAPPED_BYTES)
#define ENV_OVERHEAD  (ENV_OFF_SEAL + CRYPTO_SEAL_OVERHEAD + 1)
#define ITEM_MAX      ((size_t)16 << 20)  /* largest record, draft or form */
#define SCRATCH_KEEP  ((size_t)1 << 20)   /* larger scratch is freed after use */
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

/* write_txn() callbacks return 0, an LMDB/errno code, or TXN_FAILED after
 * setting the message and v->txn_status themselves. */
#define TXN_FAILED    (-1)

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
	KIND_RELEASE,       /* statistics releases: the block at the end */
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
};

/* Whether table i must exist in this vault (see enum db). */
static int
db_required(int training, int i)
{
	return i < DB_TRAINING_ONLY || (i == DB_DEBRIEFS && training);
}

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
	int scanning;
	char user[VAULT_USER_MAX + 1];
	enum role role;
	enum status txn_status;
	char msg[512];
	/* Audit trail, roles and sharing (the regions at the end of the file). */
	int headroom;             /* this write may grow the map past map_max */
	int has_group;
	gid_t gid;
	int lock_fd;              /* lock.mdb as checked at open (vault_files) */
	char import_note[VAULT_REASON_MAX + 1];   /* vault_import_note() */
	/* Unlock pacing ("unlock throttling"): a turn given for later, and the
	 * failures row of the attempt running now. Not wiped by vault_lock. */
	struct {
		int held;
		uint64_t at_ms;
		char user[VAULT_USER_MAX + 1];
	} turn;
	unsigned char fail_key[16];
	int fail_key_set;
};

struct user_entry {
	unsigned char raw[USER_ENTRY_BYTES];
	enum role role;
	uint64_t ops;
	uint64_t mem_mib;
};

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Audit entries, unlocks and deletions may grow the map this far past its
 * maximum, so a full vault still unlocks (to export and archive) and every
 * such step is still recorded. */
#define HEADROOM      ((size_t)1 << 20)

/* Defined in the regions at the end of this file. */
static int audit_record_txn(struct vault *v, MDB_txn *txn, enum audit_action a,
    const struct record_id *id, const char *reason);
static int audit_user_txn(struct vault *v, MDB_txn *txn, enum audit_action a,
    const char *actor, const char *subject, int role, const unsigned char *entry);
static enum status group_apply(struct vault *v);
static enum status throttle_begin(struct vault *v, const char *user);
static enum status unlock_finish(struct vault *v);
static void listing_ensure(struct vault *v);

static enum status fail(struct vault *v, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum status
fail(struct vault *v, enum status st, const char *fmt, ...)
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

/* Writes a message into a caller's buffer (which may be NULL), marking a
 * truncated one with "...". */
static enum status say(char *msg, size_t msglen, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum status
say(char *msg, size_t msglen, enum status st, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (msg == NULL || msglen == 0)
		return st;
	va_start(ap, fmt);
	n = vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= msglen && msglen >= 4)
		memcpy(msg + msglen - 4, "...", 4);
	return st;
}

static void
put_be32(unsigned char *p, uint32_t x)
{
	p[0] = (unsigned char)(x >> 24);
	p[1] = (unsigned char)(x >> 16);
	p[2] = (unsigned char)(x >> 8);
	p[3] = (unsigned char)x;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put_be64(unsigned char *p, uint64_t x)
{
	put_be32(p, (uint32_t)(x >> 32));
	put_be32(p + 4, (uint32_t)x);
}

static uint64_t
get_be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* ---- names, passphrases, roles ---------------------------------------- */

const char *
role_name(enum role r)
{
	switch (r) {
	case ROLE_SUPERVISOR:  return "supervisor";
	case ROLE_INTERVIEWER: return "interviewer";
	case ROLE_TRAINER:     return "trainer";
	}
	return "unknown";
}

enum status
role_parse(const char *s, enum role *out)
{
	static const enum role all[] = { ROLE_SUPERVISOR, ROLE_INTERVIEWER, ROLE_TRAINER };

	for (size_t i = 0; s != NULL && i < sizeof all / sizeof all[0]; i++) {
		if (strcmp(s, role_name(all[i])) == 0) {
			*out = all[i];
			return ST_OK;
		}
	}
	return ST_INVALID;
}

/* Characters that change how the text around them is displayed without
 * being seen: they would let two different names look the same. */
static int
is_invisible_control(ucs4_t uc)
{
	return uc_is_general_category(uc, UC_CATEGORY_Cc) ||
	    uc_is_general_category(uc, UC_CATEGORY_Zl) ||
	    uc_is_general_category(uc, UC_CATEGORY_Zp) ||
	    uc == 0x061C || uc == 0x200E || uc == 0x200F ||
	    (uc >= 0x202A && uc <= 0x202E) || (uc >= 0x2066 && uc <= 0x2069) ||
	    uc == 0xFEFF;
}

enum status
vault_check_user_name(const char *name, char *msg, size_t msglen)
{
	const uint8_t *s = (const uint8_t *)name;
	size_t len, i, pos;
	ucs4_t uc = 0, first = 0;
	int n;

	if (name == NULL || name[0] == '\0')
		return say(msg, msglen, ST_INVALID, "the user name is empty: give a name of 1 to %d bytes",
		    VAULT_USER_MAX);
	len = strlen(name);
	if (len > VAULT_USER_MAX)
		return say(msg, msglen, ST_INVALID,
		    "the user name is %zu bytes long; at most %d bytes are allowed "
		    "(about 21 Lao, Thai or Chinese characters)", len, VAULT_USER_MAX);
	if (u8_check(s, len) != NULL)
		return say(msg, msglen, ST_INVALID,
		    "the user name is not valid UTF-8: check the terminal's character encoding");
	if (name[0] == '-')
		return say(msg, msglen, ST_INVALID,
		    "the user name cannot start with '-' (it would read as an option)");
	for (i = 0, pos = 1; i < len; i += (size_t)n, pos++) {
		n = u8_mbtouc(&uc, s + i, len - i);
		if (i == 0)
			first = uc;
		if (is_invisible_control(uc))
			return say(msg, msglen, ST_INVALID,
			    "the user name contains a control or invisible formatting character "
			    "(character %zu): use letters, digits and punctuation", pos);
	}
	if (uc_is_property_white_space(first) || uc_is_property_white_space(uc))
		return say(msg, msglen, ST_INVALID,
		    "the user name starts or ends with a space: remove it");
	return ST_OK;
}

/*
 * Passphrases. Argon2id makes each guess cost about half a second, but that
 * only multiplies the work: a short passphrase is still found by an attacker
 * who has the vault file and time. VAULT_PASS_MIN is 10 characters because
 * that is what an interviewer can type reliably on a phone or a borrowed
 * keyboard while being long enough for a few words ("mango river 42" is
 * better than "M@ngo1"). Characters are Unicode code points, so Lao, Thai
 * and Chinese passphrases count fairly. Passphrases are used as exact bytes
 * (no normalisation), the same on every terminal that types them alike.
 */
enum status
vault_check_passphrase(const char *pass, size_t len, char *msg, size_t msglen)
{
	size_t chars;

	if (pass == NULL || len == 0)
		return say(msg, msglen, ST_INVALID,
		    "the passphrase is empty: use at least %d characters, for example a few words",
		    VAULT_PASS_MIN);
	if (len > VAULT_PASS_MAX)
		return say(msg, msglen, ST_INVALID,
		    "the passphrase is %zu bytes long; at most %d bytes are allowed", len, VAULT_PASS_MAX);
	if (u8_check((const uint8_t *)pass, len) != NULL)
		return say(msg, msglen, ST_INVALID,
		    "the passphrase is not valid UTF-8: check the terminal's character encoding");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pass[i];
		if (c < 0x20 || c == 0x7F)
			return say(msg, msglen, ST_INVALID,
			    "the passphrase contains a control character (such as a tab or a line break)");
	}
	chars = u8_mbsnlen((const uint8_t *)pass, len);
	if (chars < VAULT_PASS_MIN)
		return say(msg, msglen, ST_INVALID,
		    "the passphrase is too short: %zu characters, at least %d are needed "
		    "(a few words are easy to remember)", chars, VAULT_PASS_MIN);
	return ST_OK;
}

static enum status
check_kdf(struct vault *v, const struct vault_kdf *kdf)
{
	if (kdf->ops < CRYPTO_PASSKEY_OPS_MIN || kdf->ops > CRYPTO_PASSKEY_OPS_MAX ||
	    kdf->mem_mib < CRYPTO_PASSKEY_MEM_MIN || kdf->mem_mib > CRYPTO_PASSKEY_MEM_MAX ||
	    (uint64_t)kdf->mem_mib > SIZE_MAX / (1024 * 1024))
		return fail(v, ST_INVALID,
		    "Argon2id limits out of range: ops must be %d..%d and memory %d..%d MiB",
		    CRYPTO_PASSKEY_OPS_MIN, CRYPTO_PASSKEY_OPS_MAX,
		    CRYPTO_PASSKEY_MEM_MIN, CRYPTO_PASSKEY_MEM_MAX);
	return ST_OK;
}

/* ---- case codes --------------------------------------------------------- */

/* Multiplication by x in GF(32) modulo x^5 + x^2 + 1. The check symbol makes
 * sum(x^(9-i) * d_i) vanish: every single wrong symbol and every swap of two
 * neighbours (or of symbols two apart) changes the sum, so it is caught. */
static unsigned
gf32_mulx(unsigned a)
{
	return ((a << 1) & 0x1F) ^ ((a & 0x10) ? 0x05 : 0);
}

static unsigned
code_fold(const unsigned *d, size_t n)
{
	unsigned r = 0;

	for (size_t i = 0; i < n; i++)
		r = gf32_mulx(r) ^ d[i];
	return r;
}

static void
code_format(const unsigned d[9], struct case_code *out)
{
	size_t j = 0;

	for (size_t i = 0; i < 9; i++) {
		if (i == 4 || i == 8)
			out->s[j++] = '-';
		out->s[j++] = crockford[d[i]];
	}
	out->s[j] = '\0';
}

void
record_id_code(const struct record_id *id, struct case_code *out)
{
	uint64_t bits = 0;
	unsigned d[9];

	for (size_t i = 0; i < CODE_BYTES; i++)
		bits = bits << 8 | id->b[i];
	for (size_t i = 0; i < 8; i++)
		d[i] = (unsigned)(bits >> (35 - 5 * i)) & 0x1F;
	d[8] = gf32_mulx(code_fold(d, 8));
	code_format(d, out);
}

static int
crockford_value(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		return 0;
	if (c == 'I' || c == 'L')
		return 1;
	for (int i = 0; i < 32; i++)
		if (crockford[i] == c)
			return i;
	return -1;
}

static enum status
code_decode(const char *text, unsigned d[9], char *msg, size_t msglen)
{
	size_t n = 0;

	if (text == NULL)
		return say(msg, msglen, ST_INVALID, "no case code given");
	for (const char *p = text; *p != '\0'; p++) {
		int val;

		if (*p == '-' || *p == ' ')
			continue;
		val = crockford_value(*p);
		if (val < 0 || n == 9) {
			if (val < 0 && (*p == 'U' || *p == 'u'))
				return say(msg, msglen, ST_INVALID,
				    "case codes never contain the letter U: check the code");
			return say(msg, msglen, ST_INVALID,
			    "this is not a case code: a case code has 9 letters and digits, "
			    "like K7QM-3XTD-D");
		}
		d[n++] = (unsigned)val;
	}
	if (n != 9)
		return say(msg, msglen, ST_INVALID,
		    "this is not a case code: a case code has 9 letters and digits, like K7QM-3XTD-D");
	if (code_fold(d, 9) != 0)
		return say(msg, msglen, ST_INVALID,
		    "this case code has a typing error (its last character does not match): "
		    "check it and type it again");
	return ST_OK;
}

enum status
case_code_parse(const char *text, struct case_code *out, char *msg, size_t msglen)
{
	unsigned d[9];
	enum status st;

	st = code_decode(text, d, msg, msglen);
	if (st == ST_OK && out != NULL)
		code_format(d, out);
	return st;
}

enum status
record_id_hex(const struct record_id *id, char out[2 * VAULT_ID_BYTES + 1])
{
	crypto_bin2hex(out, id->b, VAULT_ID_BYTES);
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
		return fail(v, ST_INVALID, "no vault is open");
	if (training && !v->training)
		return fail(v, ST_DENIED, "%s is a real vault: training records and debriefs "
		    "(fictional cases) are kept only in the training vault; use `intake --training`",
		    v->dir);
	if (!training && v->training)
		return fail(v, ST_DENIED, "%s is a training vault, for fictional cases only: keep "
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
	return v->shared ? (S_ISGID | 0770) : 0700;
}

/* Maps an LMDB or errno code to a status and a message that says what to do.
 * `what` names the operation ("saving the record"). */
static enum status
fail_mdb(struct vault *v, int rc, const char *what)
{
	switch (rc) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return fail(v, ST_FULL, "no space left on the disk holding the vault at %s while %s "
		    "(%s): free some space and try again; nothing was saved",
		    v->dir, what, mdb_strerror(rc));
	case MDB_MAP_FULL:
		if (v->map_max >= ((size_t)1 << 20))
			return fail(v, ST_FULL, "vault is full: it reached %zu MiB, the largest size "
			    "this intake allows, while %s; export and archive older records",
			    v->map_max >> 20, what);
		return fail(v, ST_FULL, "vault is full: it reached %zu KiB, the largest size "
		    "this intake allows, while %s; export and archive older records",
		    v->map_max >> 10, what);
	case MDB_MAP_RESIZED:
		return fail(v, ST_BUSY, "another intake enlarged the vault while it was being "
		    "scanned: try again");
	case MDB_READERS_FULL:
		return fail(v, ST_BUSY, "too many programs have the vault at %s open: close some "
		    "and try again", v->dir);
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_BAD_DBI:
		return fail(v, ST_TAMPERED, "the vault database at %s is damaged (%s while %s): "
		    "restore the vault from a backup", v->dir, mdb_strerror(rc), what);
	case MDB_VERSION_MISMATCH:
		return fail(v, ST_FORMAT, "the vault at %s was written by an incompatible LMDB "
		    "version: use the intake that created it", v->dir);
	case MDB_PANIC:
		return fail(v, ST_IO, "the vault at %s hit a fatal write error while %s: close "
		    "intake and open the vault again", v->dir, what);
	case EACCES:
	case EPERM:
	case EROFS:
		return fail(v, ST_IO, "cannot write to the vault at %s while %s (%s): check that "
		    "it belongs to you and the disk is not read-only", v->dir, what, mdb_strerror(rc));
	case ENOMEM:
		return fail(v, ST_NOMEM, "out of memory while %s", what);
	case MDB_TXN_FULL:
		return fail(v, ST_INVALID, "the item is too large to save in one step while %s", what);
	default:
		return fail(v, ST_IO, "%s failed: %s", what, mdb_strerror(rc));
	}
}

/* Starts a transaction, adopting a map that another process has grown. */
static int
txn_begin(struct vault *v, unsigned flags, MDB_txn **txn)
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

static enum status
map_grow(struct vault *v, const char *what)
{
	MDB_envinfo info;
	size_t next, max = v->map_max + (v->headroom ? HEADROOM : 0);
	int rc;

	mdb_env_info(v->env, &info);
	if (info.me_mapsize >= max)
		return fail_mdb(v, MDB_MAP_FULL, what);
	next = info.me_mapsize > max / 2 ? max : info.me_mapsize * 2;
	rc = mdb_env_set_mapsize(v->env, next);
	if (rc != 0)
		return fail_mdb(v, rc, what);
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

typedef int (*txn_fn)(struct vault *v, MDB_txn *txn, void *arg);

/* Runs fn in one durable write transaction; on a full map, grows it and runs
 * fn again from the start, so fn must not keep state between attempts. */
static enum status
write_txn(struct vault *v, const char *what, txn_fn fn, void *arg)
{
	MDB_txn *txn;
	enum status st;
	int rc;

	/* A scan holds a read snapshot and the scratch buffer; growing the map
	 * under it is not allowed by LMDB. */
	if (v->scanning)
		return fail(v, ST_BUSY, "cannot save while the vault is being scanned");
	for (;;) {
		rc = txn_begin(v, 0, &txn);
		if (rc != 0)
			return fail_mdb(v, rc, what);
		v->txn_status = ST_OK;
		rc = fn(v, txn, arg);
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
			return fail_mdb(v, rc, what);
		st = map_grow(v, what);
		if (st != ST_OK)
			return st;
	}
}

static int
txn_fail(struct vault *v, enum status st)
{
	v->txn_status = st;
	return TXN_FAILED;
}

static enum status
need_open(struct vault *v)
{
	if (!v->is_open)
		return fail(v, ST_INVALID, "no vault is open");
	return ST_OK;
}

static enum status
need_unlocked(struct vault *v)
{
	if (!v->is_open)
		return fail(v, ST_INVALID, "no vault is open");
	if (!v->unlocked)
		return fail(v, ST_LOCKED, "the vault is locked: unlock it with your user name and "
		    "passphrase first");
	return ST_OK;
}

static enum status
need_supervisor(struct vault *v, const char *action)
{
	enum status st = need_unlocked(v);

	if (st != ST_OK)
		return st;
	if (!vault_allowed(v, VAULT_RIGHT_USERS))
		return fail(v, ST_DENIED, "only a supervisor can %s; you are unlocked as %s (%s)",
		    action, v->user, role_name(v->role));
	return ST_OK;
}

static void
derive_purpose_keys(struct keyring *kr)
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

static void
meta_mac(const struct vault *v, unsigned char mac[CRYPTO_HASH_BYTES])
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
	env_close(v);
	secure_free(v->scratch);
	secure_free(v->lbuf);
	secure_free(v->kr);
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
		return fail(v, ST_INVALID, "the vault path is too long");
	return ST_OK;
}

static enum status
set_dir(struct vault *v, const char *dir)
{
	size_t len;

	if (dir == NULL || dir[0] == '\0')
		return fail(v, ST_INVALID, "no vault directory given");
	len = strlen(dir);
	/* Room for "/data.mdb" after the directory. */
	if (len + 16 >= sizeof v->dir)
		return fail(v, ST_INVALID, "the vault path is too long (%zu bytes)", len);
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
			return fail(v, ST_IO, "cannot create the directory %s: %s", path, strerror(errno));
		*p = '/';
	}
	return ST_OK;
}

static int
dir_has_entries(const char *dir)
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

static void *
unconst(const void *p)
{
	/* LMDB takes non-const MDB_val pointers for keys it only reads. */
	return (void *)(uintptr_t)p;
}

/* ---- the vault's two files --------------------------------------------------
 *
 * LMDB opens data.mdb and lock.mdb by path, creating lock.mdb when missing
 * and resizing (ftruncate) it when it is the first to open the vault. In a
 * group-shared vault (directory 2770, files 0660) every member may replace
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
 * write access to the vault directory; a sticky vault directory (chmod +t)
 * closes it, as then only a file's owner may replace it. The descriptor of
 * lock.mdb is kept open while the vault is, and closed only after LMDB
 * closes (closing a descriptor of it drops the process's locks on it). */

/* Whether the file sb (found at path) may belong to the vault whose
 * directory is dir; ST_OK or the failure with its message. */
static enum status
file_owner_check(struct vault *v, const char *path, const struct stat *sb,
    const struct stat *dir)
{
	if (!S_ISREG(sb->st_mode))
		return fail(v, ST_TAMPERED, "%s is not a regular file (found a %s): a vault holds "
		    "only regular files; check what put it there, remove it, and restore the "
		    "vault from a backup if data.mdb is affected", path,
		    S_ISDIR(sb->st_mode) ? "directory" : S_ISFIFO(sb->st_mode) ? "pipe" :
		    S_ISSOCK(sb->st_mode) ? "socket" : "device or special file");
	if (sb->st_nlink != 1)
		return fail(v, ST_TAMPERED, "%s has %lu names (hard links), a vault file has one: "
		    "it may be another user's file linked into the vault so that Intake writes to "
		    "it. Check it (ls -li %s), and remove it if it is not the vault's",
		    path, (unsigned long)sb->st_nlink, path);
	if (sb->st_uid == geteuid() || sb->st_uid == dir->st_uid ||
	    (v->shared && sb->st_gid == dir->st_gid))
		return ST_OK;
	if (v->shared)
		return fail(v, ST_TAMPERED, "%s belongs to user %lu and group %lu, but a file of "
		    "this group-shared vault belongs to its group (%lu): it may be another user's "
		    "file put there so that Intake writes to it. Check it (ls -l %s), and remove "
		    "it if it is not the vault's", path, (unsigned long)sb->st_uid,
		    (unsigned long)sb->st_gid, (unsigned long)dir->st_gid, path);
	return fail(v, ST_TAMPERED, "%s belongs to user %lu, but a file of this vault belongs "
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
		return fail(v, ST_TAMPERED, "%s is a symbolic link (to %s), not the vault's own "
		    "file: someone may have put it there so that Intake overwrites the file it "
		    "points to. Nothing was changed; check the link, remove it, and open the vault "
		    "again", path, n > 0 ? target : "an unreadable target");
	}
	if (errno == EACCES)
		return fail(v, ST_DENIED, "cannot open %s: permission denied", path);
	return fail(v, ST_IO, "cannot open %s: %s", path, strerror(errno));
}

/* Opens and checks lock.mdb into v->lock_fd, creating it when missing (so
 * that LMDB never makes it under the umask), and gives it the vault's mode. */
static enum status
lock_file_open(struct vault *v, const char *lock, const struct stat *dir)
{
	struct stat sb;
	enum status st;
	int fd;

	st = file_open_nofollow(v, lock, O_RDWR | O_CREAT, file_mode(v), &fd);
	if (st == ST_DENIED) {  /* a read-only vault: LMDB tells what it needs */
		st = file_open_nofollow(v, lock, O_RDONLY, 0, &fd);
		if (st == ST_NOTFOUND)
			st = fail(v, ST_DENIED, "cannot create %s: permission denied", lock);
	}
	if (st != ST_OK)
		return st;
	if (fstat(fd, &sb) != 0) {
		st = fail(v, ST_IO, "cannot inspect %s: %s", lock, strerror(errno));
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
		return fail(v, ST_TAMPERED, "%s was replaced while the vault was being opened: "
		    "check the vault directory %s for files that are not the vault's, and open it "
		    "again", data, v->dir);
	if (v->lock_fd >= 0 && (fstat(v->lock_fd, &held) != 0 || lstat(lock, &now) != 0 ||
	    now.st_dev != held.st_dev || now.st_ino != held.st_ino))
		return fail(v, ST_TAMPERED, "%s was replaced while the vault was being opened: "
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

static int
meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name, MDB_val *out)
{
	MDB_val k = { strlen(name), unconst(name) };

	return mdb_get(txn, dbi, &k, out);
}

static int
meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, const void *data, size_t len,
    unsigned flags)
{
	MDB_val k = { strlen(name), unconst(name) };
	MDB_val d = { len, unconst(data) };

	return mdb_put(txn, dbi, &k, &d, flags);
}

/* ---- user entries ------------------------------------------------------- */

static size_t
user_ad(const struct vault *v, const char *name, const unsigned char *entry,
    unsigned char ad[AD_MAX])
{
	static const char label[] = "intake-user";
	size_t n = 0, nlen = strlen(name);

	memcpy(ad + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	put_be32(ad + n, v->format);
	n += 4;
	memcpy(ad + n, entry, USER_HEAD_BYTES);
	n += USER_HEAD_BYTES;
	ad[n++] = (unsigned char)nlen;
	memcpy(ad + n, name, nlen);
	return n + nlen;
}

static enum status
fail_passkey(struct vault *v, enum status st, uint64_t mem_mib)
{
	if (st == ST_NOMEM)
		return fail(v, ST_NOMEM, "not enough memory to check the passphrase: Argon2id needs "
		    "%llu MiB; close other programs and try again", (unsigned long long)mem_mib);
	return fail(v, st, "the Argon2id limits are out of range");
}

/* Builds a user entry wrapping the VK held in the keyring. Runs Argon2id:
 * call it outside any transaction. */
static enum status
user_entry_build(struct vault *v, const char *name, enum role role, const char *pass,
    size_t passlen, const struct vault_kdf *kdf, unsigned char out[USER_ENTRY_BYTES])
{
	struct keyring *kr = v->kr;
	unsigned char ad[AD_MAX];
	size_t adlen;
	enum status st;

	memset(out, 0, USER_ENTRY_BYTES);
	out[0] = USER_ENTRY_VERSION;
	out[USER_OFF_ROLE] = (unsigned char)role;
	put_be64(out + USER_OFF_OPS, kdf->ops);
	put_be64(out + USER_OFF_MEM, kdf->mem_mib);
	crypto_random(out + USER_OFF_SALT, CRYPTO_SALT_BYTES);
	st = crypto_passkey(kr->master, pass, passlen, out + USER_OFF_SALT, kdf->ops, kdf->mem_mib);
	if (st != ST_OK)
		return fail_passkey(v, st, kdf->mem_mib);
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(out + USER_OFF_VERIFIER, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX,
	    kr->master);
	adlen = user_ad(v, name, out, ad);
	crypto_wrap(out + USER_OFF_WRAPPED, kr->vk, ad, adlen, kr->kek);
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	return ST_OK;
}

static enum status
user_entry_parse(struct vault *v, const char *name, const MDB_val *val, struct user_entry *e)
{
	const unsigned char *p = val->mv_data;

	if (val->mv_size != USER_ENTRY_BYTES || p[0] != USER_ENTRY_VERSION ||
	    p[USER_OFF_ROLE] > ROLE_TRAINER || p[2] != 0 || p[3] != 0)
		goto damaged;
	memcpy(e->raw, p, USER_ENTRY_BYTES);
	e->role = (enum role)p[USER_OFF_ROLE];
	e->ops = get_be64(p + USER_OFF_OPS);
	e->mem_mib = get_be64(p + USER_OFF_MEM);
	/* Bounds keep an edited entry from making unlock hang or exhaust memory. */
	if (e->ops < CRYPTO_PASSKEY_OPS_MIN || e->ops > CRYPTO_PASSKEY_OPS_MAX ||
	    e->mem_mib < CRYPTO_PASSKEY_MEM_MIN || e->mem_mib > CRYPTO_PASSKEY_MEM_MAX)
		goto damaged;
	return ST_OK;
damaged:
	return fail(v, ST_TAMPERED, "the entry of user %s is damaged or was edited on disk: "
	    "restore the vault from a backup, or ask a supervisor to remove and add %s again",
	    name, name);
}

/* Reads and parses the entry of name. ST_NOTFOUND without a message. */
static enum status
user_read(struct vault *v, const char *name, struct user_entry *e)
{
	MDB_txn *txn;
	MDB_val k = { strlen(name), unconst(name) }, val;
	enum status st;
	int rc;

	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0)
		return fail_mdb(v, rc, "reading the users");
	rc = mdb_get(txn, v->dbi[DB_USERS], &k, &val);
	if (rc == 0)
		st = user_entry_parse(v, name, &val, e);
	else if (rc == MDB_NOTFOUND)
		st = ST_NOTFOUND;
	else
		st = fail_mdb(v, rc, "reading the users");
	mdb_txn_abort(txn);
	return st;
}

/* After a failed unlock: whether the entry's Argon2id limits were edited.
 * A wrong passphrase and changed limits both give a key that neither
 * verifies nor unwraps, and the limits have no copy an attacker could not
 * edit as well. But users get the vault's default limits (meta "kdf", kept
 * under the meta MAC) unless a supervisor chose others: when the entry's
 * limits differ from those, the passphrase is tried again with the
 * defaults, and a key that then passes both the verifier and the unwrap
 * (whose associated data binds the limits) proves the passphrase right and
 * the limits changed; only the holder of the passphrase can produce it.
 * Limits edited on an entry created with non-default ones are not told
 * from a wrong passphrase. Runs Argon2id: outside any transaction. Returns
 * ST_OK when no edit is shown (the caller reports a wrong passphrase),
 * ST_TAMPERED with the message when one is, or the failure of Argon2id. */
static enum status
limits_edited(struct vault *v, const char *user, const struct user_entry *e,
    const char *pass, size_t passlen)
{
	struct keyring *kr = v->kr;
	unsigned char entry[USER_ENTRY_BYTES], ad[AD_MAX];
	size_t adlen;
	int verified, unwrapped;
	enum status st;

	if ((e->ops == v->kdf.ops && e->mem_mib == v->kdf.mem_mib) ||
	    check_kdf(v, &v->kdf) != ST_OK)
		return ST_OK;
	memcpy(entry, e->raw, sizeof entry);
	put_be64(entry + USER_OFF_OPS, v->kdf.ops);
	put_be64(entry + USER_OFF_MEM, v->kdf.mem_mib);
	st = crypto_passkey(kr->master, pass, passlen, entry + USER_OFF_SALT, v->kdf.ops,
	    v->kdf.mem_mib);
	if (st != ST_OK)
		return fail_passkey(v, st, v->kdf.mem_mib);
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(kr->verifier, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX, kr->master);
	verified = crypto_equal(kr->verifier, entry + USER_OFF_VERIFIER, VERIFIER_BYTES);
	adlen = user_ad(v, user, entry, ad);
	unwrapped = verified &&
	    crypto_unwrap(kr->vk, entry + USER_OFF_WRAPPED, ad, adlen, kr->kek) == ST_OK;
	vault_lock(v);
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	secure_wipe(kr->verifier, sizeof kr->verifier);
	if (!unwrapped)
		return ST_OK;
	return fail(v, ST_TAMPERED, "the passphrase settings (Argon2id limits) in the entry of "
	    "user %s were edited on disk: the passphrase is right, but the entry now says %llu "
	    "passes and %llu MiB instead of %llu and %llu. Restore the vault from a backup, or "
	    "ask a supervisor to set a new passphrase with `intake user passwd %s`", user,
	    (unsigned long long)e->ops, (unsigned long long)e->mem_mib,
	    (unsigned long long)v->kdf.ops, (unsigned long long)v->kdf.mem_mib, user);
}

enum status
vault_unlock(struct vault *v, const char *user, const char *pass, size_t passlen)
{
	struct keyring *kr = v->kr;
	struct user_entry e;
	unsigned char ad[AD_MAX];
	size_t adlen;
	int verified, unwrapped;
	enum status st;

	if ((st = need_open(v)) != ST_OK)
		return st;
	vault_lock(v);
	if (vault_check_user_name(user, NULL, 0) != ST_OK)
		return fail(v, ST_AUTH, "that is not a valid user name: check the spelling, or see "
		    "`intake user list`");
	if (pass == NULL || passlen > VAULT_PASS_MAX)
		return fail(v, ST_AUTH, "wrong passphrase for user %s", user);
	st = user_read(v, user, &e);
	if (st == ST_NOTFOUND)
		return fail(v, ST_AUTH, "no user named %s in this vault: check the spelling, or see "
		    "`intake user list`", user);
	if (st != ST_OK)
		return st;
	if ((st = throttle_begin(v, user)) != ST_OK)
		return st;
	st = crypto_passkey(kr->master, pass, passlen, e.raw + USER_OFF_SALT, e.ops, e.mem_mib);
	if (st != ST_OK)
		return fail_passkey(v, st, e.mem_mib);
	crypto_subkey(kr->kek, PASS_KEK, PASS_CTX, kr->master);
	crypto_subkey_len(kr->verifier, VERIFIER_BYTES, PASS_VERIFIER, PASS_CTX, kr->master);
	verified = crypto_equal(kr->verifier, e.raw + USER_OFF_VERIFIER, VERIFIER_BYTES);
	adlen = user_ad(v, user, e.raw, ad);
	unwrapped = crypto_unwrap(kr->vk, e.raw + USER_OFF_WRAPPED, ad, adlen, kr->kek) == ST_OK;
	secure_wipe(kr->master, sizeof kr->master);
	secure_wipe(kr->kek, sizeof kr->kek);
	secure_wipe(kr->verifier, sizeof kr->verifier);
	if (!verified && !unwrapped) {
		vault_lock(v);
		if ((st = limits_edited(v, user, &e, pass, passlen)) != ST_OK)
			return st;
		return fail(v, ST_AUTH, "wrong passphrase for user %s", user);
	}
	if (!verified || !unwrapped) {
		vault_lock(v);
		return fail(v, ST_TAMPERED, "the entry of user %s was edited or damaged on disk "
		    "(its %s no longer matches): restore the vault from a backup, or ask a "
		    "supervisor to set a new passphrase with `intake user passwd %s`", user,
		    unwrapped ? "passphrase check" : "role or wrapped key", user);
	}
	derive_purpose_keys(kr);
	meta_mac(v, kr->mac);
	if (!crypto_equal(kr->mac, v->meta_mac, CRYPTO_HASH_BYTES)) {
		vault_lock(v);
		return fail(v, ST_TAMPERED, "the metadata of the vault at %s (its id, format or "
		    "default passphrase settings) was edited on disk: restore the vault from a "
		    "backup", v->dir);
	}
	secure_wipe(kr->mac, sizeof kr->mac);
	snprintf(v->user, sizeof v->user, "%s", user);
	v->role = e.role;
	v->unlocked = 1;
	if ((st = unlock_finish(v)) != ST_OK) {
		vault_lock(v);
		return st;
	}
	listing_ensure(v);
	return ST_OK;
}

/* ---- create and open ----------------------------------------------------- */

struct create_arg {
	const char *user;
	const unsigned char *entry;
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
	put_be32(fmt, VAULT_FORMAT);
	put_be64(kdf, v->kdf.ops);
	put_be64(kdf + 8, v->kdf.mem_mib);
	put_be64(created, v->created);
	rc = meta_put(txn, v->dbi[DB_META], META_FORMAT, fmt, sizeof fmt, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		fail(v, ST_EXISTS, "there is already a vault at %s: open it, or choose another "
		    "directory", v->dir);
		return txn_fail(v, ST_EXISTS);
	}
	if (rc == 0)
		rc = meta_put(txn, v->dbi[DB_META], META_ID, v->id, VAULT_ID_BYTES, 0);
	if (rc == 0)
		rc = meta_put(txn, v->dbi[DB_META], META_KDF, kdf, sizeof kdf, 0);
	if (rc == 0)
		rc = meta_put(txn, v->dbi[DB_META], META_CREATED, created, sizeof created, 0);
	if (rc == 0 && v->training)
		rc = meta_put(txn, v->dbi[DB_META], META_TRAINING, "\1", 1, 0);
	if (rc == 0)
		rc = meta_put(txn, v->dbi[DB_META], META_MAC, v->meta_mac, sizeof v->meta_mac, 0);
	if (rc != 0)
		return rc;
	k.mv_size = strlen(a->user);
	k.mv_data = unconst(a->user);
	d.mv_size = USER_ENTRY_BYTES;
	d.mv_data = unconst(a->entry);
	rc = mdb_put(txn, v->dbi[DB_USERS], &k, &d, MDB_NOOVERWRITE);
	if (rc == 0)
		rc = audit_user_txn(v, txn, AUDIT_VAULT_CREATE, a->user, a->user, ROLE_SUPERVISOR,
		    a->entry);
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
			return fail(v, ST_EXISTS, "there is already a vault at %s: open it, or choose "
			    "another directory", v->dir);
		return fail(v, ST_IO, "cannot create %s: %s", path, strerror(errno));
	}
	if (fchmod(fd, file_mode(v)) != 0) {
		close(fd);
		return fail(v, ST_IO, "cannot set the permissions of %s: %s", path, strerror(errno));
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
	unsigned char entry[USER_ENTRY_BYTES];
	struct create_arg arg = { user, entry };
	struct vault_kdf k;
	struct stat sb;
	int made_dir = 0, made_files = 0;
	enum status st;
	int rc;

	if (v->is_open)
		return fail(v, ST_INVALID, "this handle already has a vault open");
	if ((st = vault_check_user_name(user, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if ((st = vault_check_passphrase(pass, passlen, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if (kdf == NULL) {
		st = vault_kdf_calibrate(0, 0, &k);
		if (st != ST_OK)
			return fail(v, st, "cannot calibrate Argon2id: %s", status_str(st));
	} else {
		k = *kdf;
	}
	if ((st = check_kdf(v, &k)) != ST_OK)
		return st;
	if ((st = set_dir(v, dir)) != ST_OK ||
	    (st = join_path(v, data, "data.mdb")) != ST_OK ||
	    (st = join_path(v, lock, "lock.mdb")) != ST_OK)
		return st;

	if (stat(v->dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return fail(v, ST_EXISTS, "%s exists and is not a directory: choose another "
			    "place for the vault", v->dir);
		if (lstat(data, &sb) == 0)
			return fail(v, ST_EXISTS, "there is already a vault at %s: open it, or choose "
			    "another directory", v->dir);
		if (dir_has_entries(v->dir))
			return fail(v, ST_EXISTS, "%s is not empty: choose a new or empty directory "
			    "for the vault", v->dir);
	} else if (errno == ENOENT) {
		if ((st = make_parents(v)) != ST_OK)
			return st;
		if (mkdir(v->dir, 0700) != 0)
			return fail(v, ST_IO, "cannot create the directory %s: %s", v->dir,
			    strerror(errno));
		made_dir = 1;
	} else {
		return fail(v, ST_IO, "cannot use %s: %s", v->dir, strerror(errno));
	}
	if ((st = group_apply(v)) != ST_OK)
		goto failed;
	if (chmod(v->dir, dir_mode(v)) != 0) {
		st = fail(v, ST_IO, "cannot set the permissions of %s: %s", v->dir, strerror(errno));
		goto failed;
	}
	/* O_EXCL on data.mdb makes two concurrent `intake init` in one place
	 * fail cleanly instead of sharing a half-made vault. */
	if ((st = create_file(v, data, 1)) != ST_OK)
		goto failed;
	made_files = 1;
	if (stat(v->dir, &sb) != 0) {
		st = fail(v, ST_IO, "cannot use %s: %s", v->dir, strerror(errno));
		goto failed;
	}
	if ((st = lock_file_open(v, lock, &sb)) != ST_OK)
		goto failed;
	rc = env_start(v);
	if (rc != 0) {
		st = fail_mdb(v, rc, "creating the vault");
		goto failed;
	}
	crypto_random(v->id, sizeof v->id);
	crypto_random(v->kr->vk, sizeof v->kr->vk);
	v->format = VAULT_FORMAT;
	v->kdf = k;
	v->created = (uint64_t)clock_now();
	derive_purpose_keys(v->kr);
	meta_mac(v, v->meta_mac);
	if ((st = user_entry_build(v, user, ROLE_SUPERVISOR, pass, passlen, &k, entry)) != ST_OK)
		goto failed;
	if ((st = write_txn(v, "creating the vault", create_txn, &arg)) != ST_OK)
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
		rc = meta_get(txn, v->dbi[DB_META], META_FORMAT, &val);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
		return fail(v, ST_FORMAT, "%s is not an Intake vault (an LMDB database without "
		    "Intake's metadata): check --vault, or create a vault with `intake init`", v->dir);
	if (rc != 0)
		return fail_mdb(v, rc, "reading the vault metadata");
	if (val.mv_size != 4)
		goto damaged;
	format = get_be32(val.mv_data);
	if (format > VAULT_FORMAT)
		return fail(v, ST_FORMAT, "this vault uses format %lu, newer than this intake "
		    "(format %d): upgrade intake", (unsigned long)format, VAULT_FORMAT);
	if (format == 0)
		goto damaged;
	v->format = format;
	if (meta_get(txn, v->dbi[DB_META], META_ID, &val) != 0 || val.mv_size != VAULT_ID_BYTES)
		goto damaged;
	memcpy(v->id, val.mv_data, VAULT_ID_BYTES);
	if (meta_get(txn, v->dbi[DB_META], META_KDF, &val) != 0 || val.mv_size != 16)
		goto damaged;
	p = val.mv_data;
	v->kdf.ops = get_be64(p);
	v->kdf.mem_mib = get_be64(p + 8);
	if (v->kdf.ops < CRYPTO_PASSKEY_OPS_MIN || v->kdf.ops > CRYPTO_PASSKEY_OPS_MAX ||
	    v->kdf.mem_mib < CRYPTO_PASSKEY_MEM_MIN || v->kdf.mem_mib > CRYPTO_PASSKEY_MEM_MAX)
		goto damaged;
	if (meta_get(txn, v->dbi[DB_META], META_CREATED, &val) != 0 || val.mv_size != 8)
		goto damaged;
	v->created = get_be64(val.mv_data);
	if (meta_get(txn, v->dbi[DB_META], META_MAC, &val) != 0 || val.mv_size != CRYPTO_HASH_BYTES)
		goto damaged;
	memcpy(v->meta_mac, val.mv_data, CRYPTO_HASH_BYTES);
	rc = meta_get(txn, v->dbi[DB_META], META_TRAINING, &val);
	if (rc == 0 && (val.mv_size != 1 || *(const unsigned char *)val.mv_data != 1))
		goto damaged;
	if (rc != 0 && rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the vault metadata");
	v->training = rc == 0;
	for (int i = DB_META + 1; i < DB_COUNT; i++) {
		if (!db_required(v->training, i))
			continue;
		rc = mdb_dbi_open(txn, db_names[i], 0, &v->dbi[i]);
		if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			return fail(v, ST_TAMPERED, "the vault at %s is damaged: its '%s' table is "
			    "missing; restore it from a backup", v->dir, db_names[i]);
		if (rc != 0)
			return fail_mdb(v, rc, "opening the vault");
	}
	return ST_OK;
damaged:
	return fail(v, ST_TAMPERED, "the metadata of the vault at %s is damaged: restore the "
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
		return fail(v, ST_IO, "cannot inspect %s: %s", data, strerror(errno));
	need = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	if ((uint64_t)sb.st_size < need)
		return fail(v, ST_TAMPERED, "%s is truncated (%llu bytes, at least %llu expected): "
		    "the vault is damaged; restore it from a backup", data,
		    (unsigned long long)sb.st_size, (unsigned long long)need);
	return ST_OK;
}

/* LMDB reads its pages without checking them: a damaged page would make it
 * read outside the file or abort. Check them all before any is read. */
static enum status
check_pages(struct vault *v, const char *data, MDB_txn *txn)
{
	char why[256];
	mdb_filehandle_t fd;
	enum status st;

	if (mdb_env_get_fd(v->env, &fd) != 0)
		return fail(v, ST_IO, "cannot inspect %s", data);
	st = pagecheck_file(fd, mdb_txn_id(txn), why, sizeof why);
	switch (st) {
	case ST_OK:
		return ST_OK;
	case ST_TAMPERED:
		return fail(v, ST_TAMPERED, "the vault database %s is damaged (%s): restore the "
		    "vault from a backup", data, why);
	case ST_FORMAT:
		return fail(v, ST_FORMAT, "%s is not a valid LMDB database (%s): check --vault, or "
		    "restore the vault from a backup", data, why);
	default:
		return fail(v, st, "cannot check %s: %s", data, why);
	}
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
		return fail(v, ST_INVALID, "this handle already has a vault open");
	if ((st = set_dir(v, dir)) != ST_OK || (st = join_path(v, data, "data.mdb")) != ST_OK ||
	    (st = join_path(v, lock, "lock.mdb")) != ST_OK)
		return st;
	if (stat(v->dir, &dsb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return fail(v, ST_NOTFOUND, "no vault at %s: create one with `intake init`",
			    v->dir);
		return fail(v, ST_IO, "cannot open the vault at %s: %s", v->dir, strerror(errno));
	}
	if (!S_ISDIR(dsb.st_mode))
		return fail(v, ST_FORMAT, "%s is a file, not a vault directory: check --vault", v->dir);
	v->shared = (dsb.st_mode & S_IRWXG) != 0;
	st = file_open_nofollow(v, data, O_RDONLY, 0, &data_fd);
	if (st == ST_NOTFOUND)
		return fail(v, ST_FORMAT, "%s is not an Intake vault (it has no data.mdb): "
		    "check --vault, or create a vault with `intake init`", v->dir);
	if (st != ST_OK)
		return st;
	if (fstat(data_fd, &sb) != 0) {
		st = fail(v, ST_IO, "cannot read %s: %s", data, strerror(errno));
		goto failed;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = fail(v, ST_FORMAT, "%s is not a regular file, so %s is not an Intake vault",
		    data, v->dir);
		goto failed;
	}
	if ((st = file_owner_check(v, data, &sb, &dsb)) != ST_OK)
		goto failed;
	if (sb.st_size == 0) {
		st = fail(v, ST_TAMPERED, "%s is empty: the vault was truncated, or its creation "
		    "did not finish; restore it from a backup (if `intake init` just failed, remove "
		    "%s and run it again)", data, v->dir);
		goto failed;
	}
	if ((st = lock_file_open(v, lock, &dsb)) != ST_OK)
		goto failed;
	rc = env_start(v);
	if (rc == MDB_INVALID) {
		st = fail(v, ST_FORMAT, "%s is not a valid LMDB database (not an Intake vault, "
		    "or damaged or truncated): check --vault, or restore the vault from a backup",
		    data);
		goto failed;
	}
	if (rc != 0) {
		st = fail_mdb(v, rc, "opening the vault");
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
		st = fail_mdb(v, rc, "opening the vault");
		goto failed;
	}
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0) {
		st = fail_mdb(v, rc, "opening the vault");
		goto failed;
	}
	/* Under this read transaction no writer reuses a page being checked. */
	if ((st = check_pages(v, data, txn)) != ST_OK || (st = open_meta(v, txn)) != ST_OK)
		goto failed;
	/* Committing (not aborting) keeps the database handles open. */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0) {
		st = fail_mdb(v, rc, "opening the vault");
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

/* ---- users ---------------------------------------------------------------- */

struct user_put_arg {
	const char *name;
	const unsigned char *entry;
	int replace;              /* passwd: the entry must exist with this role */
	int role;
};

static int
user_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct user_put_arg *a = argp;
	MDB_val k = { strlen(a->name), unconst(a->name) };
	MDB_val d = { USER_ENTRY_BYTES, unconst(a->entry) };
	MDB_val old;
	int rc;

	if (a->replace) {
		rc = mdb_get(txn, v->dbi[DB_USERS], &k, &old);
		if (rc == MDB_NOTFOUND || (rc == 0 && (old.mv_size != USER_ENTRY_BYTES ||
		    ((const unsigned char *)old.mv_data)[USER_OFF_ROLE] != a->role))) {
			fail(v, ST_NOTFOUND, "user %s was removed or changed meanwhile: nothing was "
			    "changed", a->name);
			return txn_fail(v, ST_NOTFOUND);
		}
		if (rc != 0)
			return rc;
	}
	rc = mdb_put(txn, v->dbi[DB_USERS], &k, &d, a->replace ? 0 : MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		fail(v, ST_EXISTS, "a user named %s already exists: choose another name", a->name);
		return txn_fail(v, ST_EXISTS);
	}
	if (rc == 0)
		rc = audit_user_txn(v, txn, a->replace ? AUDIT_USER_PASSWD : AUDIT_USER_ADD, v->user,
		    a->name, a->replace ? -1 : a->role, a->entry);
	return rc;
}

enum status
vault_user_add(struct vault *v, const char *name, enum role role,
    const char *pass, size_t passlen, const struct vault_kdf *kdf)
{
	unsigned char entry[USER_ENTRY_BYTES];
	struct user_put_arg arg = { name, entry, 0, (int)role };
	struct user_entry old;
	struct vault_kdf k;
	enum status st;

	if ((st = need_supervisor(v, "add users")) != ST_OK)
		return st;
	if ((st = vault_check_user_name(name, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if (role != ROLE_SUPERVISOR && role != ROLE_INTERVIEWER && role != ROLE_TRAINER)
		return fail(v, ST_INVALID, "unknown role: use supervisor, interviewer or trainer");
	if ((st = vault_check_passphrase(pass, passlen, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	k = kdf != NULL ? *kdf : v->kdf;
	if ((st = check_kdf(v, &k)) != ST_OK)
		return st;
	/* Checked before Argon2id only to answer fast; the write re-checks. */
	st = user_read(v, name, &old);
	if (st == ST_OK || st == ST_TAMPERED)
		return fail(v, ST_EXISTS, "a user named %s already exists: choose another name",
		    name);
	if (st != ST_NOTFOUND)
		return st;
	if ((st = user_entry_build(v, name, role, pass, passlen, &k, entry)) != ST_OK)
		return st;
	return write_txn(v, "adding the user", user_put_txn, &arg);
}

static int
user_remove_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const char *name = argp;
	MDB_val k = { strlen(name), unconst(name) }, key, val;
	MDB_cursor *cur;
	size_t others = 0;
	int rc, is_supervisor;

	rc = mdb_get(txn, v->dbi[DB_USERS], &k, &val);
	if (rc == MDB_NOTFOUND) {
		fail(v, ST_NOTFOUND, "no user named %s in this vault: see `intake user list`", name);
		return txn_fail(v, ST_NOTFOUND);
	}
	if (rc != 0)
		return rc;
	is_supervisor = val.mv_size == USER_ENTRY_BYTES &&
	    ((const unsigned char *)val.mv_data)[USER_OFF_ROLE] == ROLE_SUPERVISOR;
	if (is_supervisor) {
		rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur);
		if (rc != 0)
			return rc;
		while ((rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
			if (key.mv_size == k.mv_size && memcmp(key.mv_data, name, k.mv_size) == 0)
				continue;
			if (val.mv_size == USER_ENTRY_BYTES &&
			    ((const unsigned char *)val.mv_data)[USER_OFF_ROLE] == ROLE_SUPERVISOR)
				others++;
		}
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND)
			return rc;
		if (others == 0) {
			fail(v, ST_DENIED, "%s is the last supervisor: add another supervisor before "
			    "removing %s", name, name);
			return txn_fail(v, ST_DENIED);
		}
	}
	rc = mdb_del(txn, v->dbi[DB_USERS], &k, NULL);
	if (rc == 0)
		rc = audit_user_txn(v, txn, AUDIT_USER_REMOVE, v->user, name, -1, NULL);
	return rc;
}

enum status
vault_user_remove(struct vault *v, const char *name)
{
	enum status st;

	if ((st = need_supervisor(v, "remove users")) != ST_OK)
		return st;
	if ((st = vault_check_user_name(name, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	st = write_txn(v, "removing the user", user_remove_txn, unconst(name));
	/* A supervisor who removed themselves has no key left to hold. */
	if (st == ST_OK && strcmp(name, v->user) == 0)
		vault_lock(v);
	return st;
}

enum status
vault_user_passwd(struct vault *v, const char *name, const char *pass, size_t passlen)
{
	unsigned char entry[USER_ENTRY_BYTES];
	struct user_put_arg arg;
	struct user_entry old;
	struct vault_kdf k;
	enum status st;

	if ((st = need_unlocked(v)) != ST_OK)
		return st;
	if (name == NULL)
		name = v->user;
	if (strcmp(name, v->user) != 0 && !vault_allowed(v, VAULT_RIGHT_USERS))
		return fail(v, ST_DENIED, "only a supervisor can change another user's passphrase; "
		    "you are unlocked as %s (%s)", v->user, role_name(v->role));
	if ((st = vault_check_user_name(name, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if ((st = vault_check_passphrase(pass, passlen, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	st = user_read(v, name, &old);
	if (st == ST_NOTFOUND)
		return fail(v, ST_NOTFOUND, "no user named %s in this vault: see `intake user list`",
		    name);
	if (st != ST_OK)
		return st;
	/* The user keeps the Argon2id limits chosen when they were added. */
	k.ops = old.ops;
	k.mem_mib = old.mem_mib;
	if ((st = user_entry_build(v, name, old.role, pass, passlen, &k, entry)) != ST_OK)
		return st;
	arg.name = name;
	arg.entry = entry;
	arg.replace = 1;
	arg.role = (int)old.role;
	return write_txn(v, "changing the passphrase", user_put_txn, &arg);
}

enum status
vault_user_list(struct vault *v, struct vault_user **out, size_t *n)
{
	struct vault_user *list = NULL;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_stat ms;
	MDB_val key, val;
	size_t count = 0;
	enum status st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = need_open(v)) != ST_OK)
		return st;
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_stat(txn, v->dbi[DB_USERS], &ms);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_USERS], &cur);
	if (rc != 0) {
		st = fail_mdb(v, rc, "listing the users");
		goto done;
	}
	list = calloc(ms.ms_entries + 1, sizeof *list);
	if (list == NULL) {
		st = fail(v, ST_NOMEM, "out of memory while listing the users");
		goto done;
	}
	while (count < ms.ms_entries && (rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) == 0) {
		struct vault_user *u = &list[count];
		const unsigned char *p = val.mv_data;

		if (key.mv_size == 0 || key.mv_size > VAULT_USER_MAX) {
			st = fail(v, ST_TAMPERED, "the users table of %s is damaged (a name of %zu "
			    "bytes): restore the vault from a backup", v->dir, key.mv_size);
			goto done;
		}
		memcpy(u->name, key.mv_data, key.mv_size);
		u->name[key.mv_size] = '\0';
		if (vault_check_user_name(u->name, NULL, 0) != ST_OK) {
			st = fail(v, ST_TAMPERED, "the users table of %s is damaged (an invalid user "
			    "name): restore the vault from a backup", v->dir);
			goto done;
		}
		if (val.mv_size != USER_ENTRY_BYTES || p[USER_OFF_ROLE] > ROLE_TRAINER) {
			st = fail(v, ST_TAMPERED, "the entry of user %s is damaged or was edited on "
			    "disk: restore the vault from a backup", u->name);
			goto done;
		}
		u->role = (enum role)p[USER_OFF_ROLE];
		count++;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		st = fail_mdb(v, rc, "listing the users");
		goto done;
	}
	*out = list;
	*n = count;
	list = NULL;
	st = ST_OK;
done:
	free(list);
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

/* ---- envelopes ------------------------------------------------------------ */

/* A secure buffer of at least n bytes, kept across calls so that sealing and
 * scanning cost no guarded allocation per item. */
static unsigned char *
scratch_get(struct vault *v, size_t n)
{
	size_t want = 4096;

	if (v->scratch != NULL && v->scratch_len >= n)
		return v->scratch;
	while (want < n)
		want *= 2;
	secure_free(v->scratch);
	v->scratch = secure_alloc(want);
	v->scratch_len = v->scratch != NULL ? want : 0;
	return v->scratch;
}

static void
scratch_done(struct vault *v, size_t used)
{
	secure_wipe(v->scratch, used < v->scratch_len ? used : v->scratch_len);
	if (v->scratch_len > SCRATCH_KEEP) {
		secure_free(v->scratch);
		v->scratch = NULL;
		v->scratch_len = 0;
	}
}

static size_t
env_size(size_t owner_len, size_t content_len)
{
	return ENV_OVERHEAD + owner_len + content_len;
}

/* The associated data of an item; key->mv_size <= KEY_MAX. */
static size_t
item_ad(const struct vault *v, enum kind kind, const MDB_val *key,
    const unsigned char head[ENV_HEAD], unsigned char ad[AD_MAX])
{
	static const char label[] = "intake-item";
	size_t n = 0, klen = strlen(kinds[kind].name) + 1;

	memcpy(ad + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(ad + n, head, ENV_HEAD);
	n += ENV_HEAD;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	memcpy(ad + n, kinds[kind].name, klen);
	n += klen;
	ad[n++] = (unsigned char)(key->mv_size >> 8);
	ad[n++] = (unsigned char)key->mv_size;
	memcpy(ad + n, key->mv_data, key->mv_size);
	return n + key->mv_size;
}

/* Seals owner and content for the slot `key` into out[env_size()]. */
static enum status
env_seal(struct vault *v, enum kind kind, const MDB_val *key, const char *owner,
    const void *content, size_t clen, unsigned char *out)
{
	struct keyring *kr = v->kr;
	size_t olen = strlen(owner), plen = 1 + olen + clen, adlen;
	unsigned char ad[AD_MAX], *plain;

	plain = scratch_get(v, plen);
	if (plain == NULL)
		return fail(v, ST_NOMEM, "out of memory while saving the %s", kinds[kind].name);
	plain[0] = (unsigned char)olen;
	memcpy(plain + 1, owner, olen);
	if (clen > 0)
		memcpy(plain + 1 + olen, content, clen);
	out[0] = ENV_MAGIC;
	out[1] = VAULT_FORMAT;
	out[2] = (unsigned char)kind;
	out[3] = 0;
	adlen = item_ad(v, kind, key, out, ad);
	crypto_random(kr->item, sizeof kr->item);
	crypto_wrap(out + ENV_OFF_WRAP, kr->item, ad, adlen, kr->purpose[kinds[kind].purpose]);
	crypto_seal(out + ENV_OFF_SEAL, plain, plen, ad, adlen, kr->item);
	secure_wipe(kr->item, sizeof kr->item);
	scratch_done(v, plen);
	return ST_OK;
}

/* Size of the plaintext in envelope val of `kind`, or 0 when its size or
 * header is wrong (every valid envelope has at least the owner length). */
static size_t
env_plain_len(enum kind kind, const MDB_val *val)
{
	const unsigned char *c = val->mv_data;

	if (val->mv_size < ENV_OVERHEAD || val->mv_size > env_size(VAULT_USER_MAX, ITEM_MAX))
		return 0;
	if (c[0] != ENV_MAGIC || c[1] != VAULT_FORMAT || c[2] != kind || c[3] != 0)
		return 0;
	return val->mv_size - ENV_OFF_SEAL - CRYPTO_SEAL_OVERHEAD;
}

/* Decrypts envelope val (found under key, env_plain_len() > 0) into plain.
 * owner gets the user who saved it; the content is plain[*off .. + *clen].
 * ST_TAMPERED when anything does not authenticate. */
static enum status
env_decrypt(struct vault *v, enum kind kind, const MDB_val *key, const MDB_val *val,
    unsigned char *plain, char owner[VAULT_USER_MAX + 1], size_t *off, size_t *clen)
{
	struct keyring *kr = v->kr;
	const unsigned char *c = val->mv_data;
	size_t adlen, plen = env_plain_len(kind, val), olen;
	unsigned char ad[AD_MAX];
	enum status st;

	if (key->mv_size > KEY_MAX)
		return ST_TAMPERED;
	adlen = item_ad(v, kind, key, c, ad);
	if (crypto_unwrap(kr->item, c + ENV_OFF_WRAP, ad, adlen,
	    kr->purpose[kinds[kind].purpose]) != ST_OK)
		return ST_TAMPERED;
	st = crypto_open(plain, c + ENV_OFF_SEAL, val->mv_size - ENV_OFF_SEAL, ad, adlen, kr->item);
	secure_wipe(kr->item, sizeof kr->item);
	if (st != ST_OK)
		return ST_TAMPERED;
	olen = plain[0];
	if (olen > VAULT_USER_MAX || 1 + olen > plen) {
		secure_wipe(plain, plen);
		return ST_TAMPERED;
	}
	memcpy(owner, plain + 1, olen);
	owner[olen] = '\0';
	*off = 1 + olen;
	*clen = plen - 1 - olen;
	return ST_OK;
}

/* Opens the envelope val found under key. On success *plain (secure memory,
 * NUL-terminated, for vault_plain_free) holds the content and owner the user
 * who saved it. Returns ST_TAMPERED or ST_NOMEM and sets no message: the
 * caller names the item. */
static enum status
env_open(struct vault *v, enum kind kind, const MDB_val *key, const MDB_val *val,
    char owner[VAULT_USER_MAX + 1], char **plain_out, size_t *len_out)
{
	size_t plen = env_plain_len(kind, val), off, clen;
	unsigned char *plain;
	enum status st;

	if (plen == 0)
		return ST_TAMPERED;
	plain = secure_alloc(plen + 1);
	if (plain == NULL)
		return ST_NOMEM;
	st = env_decrypt(v, kind, key, val, plain, owner, &off, &clen);
	if (st != ST_OK) {
		secure_free(plain);
		return st;
	}
	memmove(plain, plain + off, clen);
	secure_wipe(plain + clen, plen + 1 - clen);
	*plain_out = (char *)plain;
	*len_out = clen;
	return ST_OK;
}

/* mdb_put with MDB_RESERVE, then seals straight into the reserved space:
 * the envelope is written once, in the map, with no copy. */
static int
item_put(struct vault *v, MDB_txn *txn, enum kind kind, MDB_val *key, const char *owner,
    const void *content, size_t clen, unsigned flags)
{
	MDB_val val = { env_size(strlen(owner), clen), NULL };
	enum status st;
	int rc;

	rc = mdb_put(txn, v->dbi[kinds[kind].db], key, &val, flags | MDB_RESERVE);
	if (rc != 0)
		return rc;
	st = env_seal(v, kind, key, owner, content, clen, val.mv_data);
	return st == ST_OK ? 0 : txn_fail(v, st);
}

static void
describe(char *out, size_t len, const char *what, const struct record_id *id)
{
	struct case_code code;

	record_id_code(id, &code);
	snprintf(out, len, "%s %s", what, code.s);
}

static enum status
fail_open(struct vault *v, enum status st, const char *what)
{
	if (st == ST_NOMEM)
		return fail(v, ST_NOMEM, "out of memory while opening %s", what);
	return fail(v, ST_TAMPERED, "%s failed its integrity check: it was altered, damaged, or "
	    "copied from another record or vault; restore it from a backup", what);
}

/* Reads and opens the item of `kind` under key in its own read transaction. */
static enum status
item_get(struct vault *v, enum kind kind, const MDB_val *key, const char *what,
    char owner[VAULT_USER_MAX + 1], char **out, size_t *len)
{
	MDB_txn *txn;
	MDB_val k = *key, val;
	enum status st;
	int rc;

	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0)
		return fail_mdb(v, rc, "reading the vault");
	rc = mdb_get(txn, v->dbi[kinds[kind].db], &k, &val);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return fail(v, ST_NOTFOUND, "no %s in this vault", what);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return fail_mdb(v, rc, "reading the vault");
	}
	st = env_open(v, kind, key, &val, owner, out, len);
	mdb_txn_abort(txn);
	if (st != ST_OK)
		return fail_open(v, st, what);
	return ST_OK;
}

static int
may_access(const struct vault *v, const char *owner)
{
	return vault_allowed(v, VAULT_RIGHT_READ_ALL) || strcmp(owner, v->user) == 0;
}

/* A debrief is there to be gone through with a trainer. */
static int
may_read_debrief(const struct vault *v, const char *owner)
{
	return v->role == ROLE_TRAINER || may_access(v, owner);
}

static enum status
fail_denied(struct vault *v, const char *what)
{
	return fail(v, ST_DENIED, "%s belongs to another interviewer: only they or a supervisor "
	    "can open or change it", what);
}

void
vault_plain_free(char *p, size_t len)
{
	/* sodium_free wipes the whole block; len is kept for callers' symmetry. */
	(void)len;
	secure_free(p);
}

static enum status
check_content(struct vault *v, const char *p, size_t len, const char *what, int may_be_empty)
{
	if (p == NULL || (len == 0 && !may_be_empty))
		return fail(v, ST_INVALID, "the %s is empty: nothing to save", what);
	if (len > ITEM_MAX)
		return fail(v, ST_INVALID, "the %s is too large (%zu bytes; at most %zu MiB)", what,
		    len, ITEM_MAX >> 20);
	return ST_OK;
}

/* ---- the case listing ------------------------------------------------------
 *
 *   listing  u32 chunk number -> envelope "listing" (owner ""), whose content
 *            is a run of entries: record id (16) | u8 owner length | owner |
 *            u32 summary length | summary | NUL
 *
 * The summaries again, packed so that the case list reads 100,000 of them in
 * about a thousand decryptions instead of 100,000. It is derived data: every
 * write of a summary changes it in the same transaction (listing_put,
 * listing_update, listing_drop), new entries go to the last chunk until it
 * holds LISTING_CHUNK bytes, a vault without it (from an earlier intake) gets
 * it at its next unlock (listing_ensure), readers fall back to the summaries
 * when a chunk does not open, vault_verify compares the two and
 * vault_listing_rebuild makes it again. Which record is in which chunk is
 * sealed inside it; the number and sizes of chunks show about as many
 * records as the summaries table does anyway. A damaged chunk never makes a
 * save fail: appends go to a new chunk and an entry that cannot be found is
 * added again.
 */
#define LISTING_CHUNK  ((size_t)16 << 10)
#define SUMMARY_MAX    (ITEM_MAX - 4096)    /* so that any entry fits a chunk */
#define LENTRY_FIXED   (VAULT_ID_BYTES + 1 + 4 + 1)
/* In place of an owner length: the summary did not open when the listing
 * was built; the entry has no owner and an empty summary. It keeps the case
 * in the list, reported as damaged to everyone, as vault_summary_scan does. */
#define LENTRY_DAMAGED 0xFF

struct lchunk {
	unsigned char *p;       /* secure memory: the decrypted entries */
	size_t len, cap;
	uint32_t no;
};

struct lentry {
	const unsigned char *id;
	bool damaged;           /* LENTRY_DAMAGED */
	char owner[VAULT_USER_MAX + 1];
	const char *summary;    /* NUL-terminated in the chunk */
	size_t len;             /* of the summary */
	size_t off, size;       /* of the whole entry in its chunk */
};

/* The listing's handle in this transaction: 0, MDB_NOTFOUND when the vault
 * has none, or an LMDB error. Opened each time, never cached: a listing
 * built by another process must be seen by this one's next write, and a
 * handle first opened in a transaction that aborts is closed with it. */
static int
listing_dbi(MDB_txn *txn, MDB_dbi *dbi)
{
	int rc = mdb_dbi_open(txn, db_names[DB_LISTING], 0, dbi);

	return rc == MDB_INCOMPATIBLE ? MDB_NOTFOUND : rc;
}

/* Chunks are decrypted into one buffer kept by the handle: a guarded
 * allocation per save would cost more than the rest of the listing's work. */
static void
lchunk_take(struct vault *v, struct lchunk *c, uint32_t no)
{
	c->p = v->lbuf;
	c->cap = v->lbuf_cap;
	c->len = 0;
	c->no = no;
	v->lbuf = NULL;
	v->lbuf_cap = 0;
}

/* Wipes the chunk and gives its buffer back (a large one is freed). */
static void
lchunk_give(struct vault *v, struct lchunk *c)
{
	if (c->cap > SCRATCH_KEEP || v->lbuf != NULL) {
		secure_free(c->p);      /* wipes */
	} else if (c->p != NULL) {
		secure_wipe(c->p, c->cap);
		v->lbuf = c->p;
		v->lbuf_cap = c->cap;
	}
	memset(c, 0, sizeof *c);
}

/* Room for need bytes; 0 or TXN_FAILED (out of memory). */
static int
lchunk_reserve(struct vault *v, struct lchunk *c, size_t need)
{
	unsigned char *p;
	size_t cap = c->cap ? c->cap : LISTING_CHUNK + 4096;

	if (need <= c->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((p = secure_alloc(cap)) == NULL) {
		fail(v, ST_NOMEM, "out of memory while updating the case listing");
		return txn_fail(v, ST_NOMEM);
	}
	if (c->len > 0)
		memcpy(p, c->p, c->len);
	secure_free(c->p);
	c->p = p;
	c->cap = cap;
	return 0;
}

/* The entry at *off of p[len]: 1 and *off moved past it, 0 at the end, -1
 * when what is there is not a whole entry. */
static int
lentry_next(const unsigned char *p, size_t len, size_t *off, struct lentry *e)
{
	size_t at = *off, olen, slen;

	if (at == len)
		return 0;
	if (len - at < LENTRY_FIXED)
		return -1;
	e->id = p + at;
	olen = p[at + VAULT_ID_BYTES];
	e->damaged = olen == LENTRY_DAMAGED;
	if (e->damaged)
		olen = 0;
	if (olen > VAULT_USER_MAX || len - at - LENTRY_FIXED < olen)
		return -1;
	memcpy(e->owner, p + at + VAULT_ID_BYTES + 1, olen);
	e->owner[olen] = '\0';
	slen = get_be32(p + at + VAULT_ID_BYTES + 1 + olen);
	if (slen > SUMMARY_MAX || len - at - LENTRY_FIXED - olen < slen ||
	    p[at + LENTRY_FIXED - 1 + olen + slen] != '\0' || (e->damaged && slen > 0))
		return -1;
	e->summary = (const char *)p + at + VAULT_ID_BYTES + 1 + olen + 4;
	e->len = slen;
	e->off = at;
	e->size = LENTRY_FIXED + olen + slen;
	*off = at + e->size;
	return 1;
}

/* Whether p[len] is a run of whole entries. */
static int
lentries_valid(const unsigned char *p, size_t len)
{
	struct lentry e;
	size_t off = 0;
	int r;

	while ((r = lentry_next(p, len, &off, &e)) > 0)
		;
	return r == 0;
}

/* owner NULL: a damaged entry (slen 0). */
static size_t
lentry_size(const char *owner, size_t slen)
{
	return LENTRY_FIXED + (owner != NULL ? strlen(owner) : 0) + slen;
}

/* Writes the entry into out[lentry_size()]. */
static void
lentry_write(unsigned char *out, const unsigned char id[VAULT_ID_BYTES], const char *owner,
    const char *summary, size_t slen)
{
	size_t olen = owner != NULL ? strlen(owner) : 0;

	memcpy(out, id, VAULT_ID_BYTES);
	out[VAULT_ID_BYTES] = owner != NULL ? (unsigned char)olen : LENTRY_DAMAGED;
	if (olen > 0)
		memcpy(out + VAULT_ID_BYTES + 1, owner, olen);
	put_be32(out + VAULT_ID_BYTES + 1 + olen, (uint32_t)slen);
	if (slen > 0)
		memcpy(out + VAULT_ID_BYTES + 1 + olen + 4, summary, slen);
	out[LENTRY_FIXED - 1 + olen + slen] = '\0';
}

/* Decrypts chunk val (under key) into c. ST_OK, ST_TAMPERED (it does not
 * open, or is not a run of entries) or ST_NOMEM. */
static enum status
lchunk_open(struct vault *v, const MDB_val *key, const MDB_val *val, struct lchunk *c)
{
	char owner[VAULT_USER_MAX + 1];
	size_t plen = env_plain_len(KIND_LISTING, val), off, clen;
	enum status st;

	c->len = 0;
	if (key->mv_size != 4 || plen == 0)
		return ST_TAMPERED;
	c->no = get_be32(key->mv_data);
	if (lchunk_reserve(v, c, plen + 1) != 0)
		return ST_NOMEM;
	st = env_decrypt(v, KIND_LISTING, key, val, c->p, owner, &off, &clen);
	if (st != ST_OK)
		return st;
	memmove(c->p, c->p + off, clen);
	c->len = clen;
	if (owner[0] != '\0' || !lentries_valid(c->p, c->len)) {
		secure_wipe(c->p, plen + 1);
		c->len = 0;
		return ST_TAMPERED;
	}
	return ST_OK;
}

/* Seals c back into its slot; an emptied chunk is deleted. */
static int
lchunk_store(struct vault *v, MDB_txn *txn, MDB_dbi dbi, struct lchunk *c)
{
	unsigned char kb[4];
	MDB_val key = { sizeof kb, kb };
	MDB_val val;
	enum status st;
	int rc;

	put_be32(kb, c->no);
	if (c->len == 0) {
		rc = mdb_del(txn, dbi, &key, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	val.mv_size = env_size(0, c->len);
	val.mv_data = NULL;
	if ((rc = mdb_put(txn, dbi, &key, &val, MDB_RESERVE)) != 0)
		return rc;
	st = env_seal(v, KIND_LISTING, &key, "", c->p, c->len, val.mv_data);
	return st == ST_OK ? 0 : txn_fail(v, st);
}

/* Appends an entry to the last chunk (or a new one) of the listing in dbi. */
static int
listing_append(struct vault *v, MDB_txn *txn, MDB_dbi dbi, struct lchunk *c,
    const unsigned char id[VAULT_ID_BYTES], const char *owner, const char *summary, size_t slen)
{
	size_t need = lentry_size(owner, slen);
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st = ST_TAMPERED;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	if (rc == 0 && k.mv_size == 4)
		st = lchunk_open(v, &k, &d, c);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND) {
		c->no = 1;
		c->len = 0;
	} else if (rc != 0) {
		return rc;
	} else if (st == ST_NOMEM) {
		return txn_fail(v, fail(v, ST_NOMEM, "out of memory while updating the case "
		    "listing"));
	} else if (st != ST_OK || c->len + need > LISTING_CHUNK) {
		/* Full, or damaged (left for vault_verify to report). A
		 * planted key leaves the listing as it is: readers fall
		 * back to the summaries, and the save goes on. */
		if (k.mv_size != 4 || get_be32(k.mv_data) == UINT32_MAX)
			return 0;
		c->no = get_be32(k.mv_data) + 1;
		c->len = 0;
	}
	if ((rc = lchunk_reserve(v, c, c->len + need)) != 0)
		return rc;
	lentry_write(c->p + c->len, id, owner, summary, slen);
	c->len += need;
	return lchunk_store(v, txn, dbi, c);
}

/* Replaces (summary != NULL) or removes (summary == NULL) the entry of id,
 * searching from the newest chunk; a replaced entry that is not found is
 * appended. Nothing to do in a vault without a listing. */
static int
listing_update(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES],
    const char *owner, const char *summary, size_t slen)
{
	struct lchunk c;
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, d;
	struct lentry e;
	int rc, found = 0;

	if ((rc = listing_dbi(txn, &dbi)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	lchunk_take(v, &c, 0);
	rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	while (rc == 0) {
		size_t off = 0;
		enum status st = lchunk_open(v, &k, &d, &c);

		if (st == ST_NOMEM) {
			rc = txn_fail(v, fail(v, ST_NOMEM, "out of memory while updating the case "
			    "listing"));
			goto out;
		}
		while (st == ST_OK && !found && lentry_next(c.p, c.len, &off, &e) > 0)
			found = memcmp(e.id, id, VAULT_ID_BYTES) == 0;
		if (found)
			break;
		rc = mdb_cursor_get(cur, &k, &d, MDB_PREV);
	}
	mdb_cursor_close(cur);
	cur = NULL;
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	rc = 0;
	if (found) {
		size_t need = summary != NULL ? lentry_size(owner, slen) : 0, tail;
		/* An entry that would grow a shared chunk past its size moves to
		 * the last chunk, so amendments never swell one chunk. */
		int move = summary != NULL && c.len > e.size && c.len - e.size + need > LISTING_CHUNK;

		if (move)
			need = 0;
		if (need > e.size && (rc = lchunk_reserve(v, &c, c.len - e.size + need)) != 0)
			goto out;
		tail = c.len - e.off - e.size;
		memmove(c.p + e.off + need, c.p + e.off + e.size, tail);
		if (need > 0)
			lentry_write(c.p + e.off, id, owner, summary, slen);
		if (need < e.size)
			secure_wipe(c.p + e.off + need + tail, e.size - need);
		c.len = c.len - e.size + need;
		rc = lchunk_store(v, txn, dbi, &c);
		if (rc == 0 && move)
			rc = listing_append(v, txn, dbi, &c, id, owner, summary, slen);
	} else if (summary != NULL) {
		rc = listing_append(v, txn, dbi, &c, id, owner, summary, slen);
	}
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	lchunk_give(v, &c);
	return rc;
}

/* A new record's summary; nothing to do in a vault without a listing. */
static int
listing_put(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES],
    const char *owner, const char *summary, size_t slen)
{
	struct lchunk c;
	MDB_dbi dbi;
	int rc;

	if ((rc = listing_dbi(txn, &dbi)) != 0)
		return rc == MDB_NOTFOUND ? 0 : rc;
	lchunk_take(v, &c, 0);
	rc = listing_append(v, txn, dbi, &c, id, owner, summary, slen);
	lchunk_give(v, &c);
	return rc;
}

static int
listing_drop(struct vault *v, MDB_txn *txn, const unsigned char id[VAULT_ID_BYTES])
{
	return listing_update(v, txn, id, "", NULL, 0);
}

/* Fills an empty listing from the summaries table; a summary that does not
 * open gets a damaged entry (LENTRY_DAMAGED). */
static int
listing_build_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	struct lchunk c;
	char owner[VAULT_USER_MAX + 1];
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, d;
	int rc;

	(void)arg;
	if ((rc = mdb_dbi_open(txn, db_names[DB_LISTING], MDB_CREATE, &dbi)) != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST);
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;              /* 0: another process built it first */
	if ((rc = mdb_cursor_open(txn, v->dbi[DB_SUMMARIES], &cur)) != 0)
		return rc;
	lchunk_take(v, &c, 1);
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		size_t plen = env_plain_len(KIND_SUMMARY, &d), off = 0, clen = 0, need;
		unsigned char *buf = NULL;
		int sound = 0;

		if (k.mv_size != VAULT_ID_BYTES)
			continue;       /* no id to list it under: verify reports it */
		if (plen > 0 && (buf = scratch_get(v, plen + 1)) == NULL) {
			rc = txn_fail(v, fail(v, ST_NOMEM, "out of memory while building the case "
			    "listing"));
			break;
		}
		if (plen > 0)
			sound = env_decrypt(v, KIND_SUMMARY, &k, &d, buf, owner, &off, &clen) == ST_OK &&
			    clen <= SUMMARY_MAX;
		/* The entry goes after the chunk before the chunk is sealed:
		 * sealing reuses the scratch buffer the summary is in. */
		need = sound ? lentry_size(owner, clen) : lentry_size(NULL, 0);
		if ((rc = lchunk_reserve(v, &c, c.len + need)) != 0)
			break;
		lentry_write(c.p + c.len, k.mv_data, sound ? owner : NULL,
		    sound ? (const char *)buf + off : NULL, sound ? clen : 0);
		if (buf != NULL)
			scratch_done(v, plen + 1);
		if (c.len > 0 && c.len + need > LISTING_CHUNK) {
			if ((rc = lchunk_store(v, txn, dbi, &c)) != 0)
				break;
			memmove(c.p, c.p + c.len, need);
			secure_wipe(c.p + need, c.len);
			c.len = 0;
			c.no++;
		}
		c.len += need;
	}
	if (rc == MDB_NOTFOUND)
		rc = c.len > 0 ? lchunk_store(v, txn, dbi, &c) : 0;
	scratch_done(v, v->scratch_len);
	mdb_cursor_close(cur);
	lchunk_give(v, &c);
	return rc;
}

/* At unlock: a vault made by an earlier intake gets its listing. A failure
 * is not the unlock's: the case list falls back to the summaries. */
static void
listing_ensure(struct vault *v)
{
	char msg[sizeof v->msg];
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	if ((rc = txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return;
	rc = listing_dbi(txn, &dbi);
	mdb_txn_abort(txn);
	if (rc != MDB_NOTFOUND)
		return;
	memcpy(msg, v->msg, sizeof msg);
	(void)write_txn(v, "building the case listing", listing_build_txn, NULL);
	memcpy(v->msg, msg, sizeof msg);
}

static int
listing_rebuild_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	MDB_dbi dbi;
	int rc;

	if ((rc = mdb_dbi_open(txn, db_names[DB_LISTING], MDB_CREATE, &dbi)) != 0)
		return rc;
	if ((rc = mdb_drop(txn, dbi, 0)) != 0)
		return rc;
	return listing_build_txn(v, txn, arg);
}

enum status
vault_listing_rebuild(struct vault *v)
{
	enum status st;

	if ((st = need_supervisor(v, "rebuild the case listing")) != ST_OK)
		return st;
	return write_txn(v, "rebuilding the case listing", listing_rebuild_txn, NULL);
}

enum status
vault_listing_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	struct lchunk c;
	struct record_id id;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_stat ms;
	MDB_dbi dbi;
	MDB_val k, d;
	enum status st = ST_OK;
	size_t listed = 0;
	int rc, stop = 0;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (v->scanning)
		return fail(v, ST_BUSY, "a scan of the vault is already running");
	if ((rc = txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return fail_mdb(v, rc, "reading the case listing");
	rc = listing_dbi(txn, &dbi);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return fail(v, ST_NOTFOUND, "the vault at %s has no case listing yet", v->dir);
	}
	lchunk_take(v, &c, 0);
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &cur);
	v->scanning = 1;
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0 && !stop;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		struct lentry e;
		size_t off = 0;

		if (!v->unlocked) {
			st = fail(v, ST_LOCKED, "the vault was locked during the scan");
			break;
		}
		st = lchunk_open(v, &k, &d, &c);
		if (st == ST_NOMEM) {
			st = fail(v, ST_NOMEM, "out of memory while reading the case listing");
			break;
		}
		if (st != ST_OK) {
			st = fail(v, ST_TAMPERED, "the case listing of the vault at %s is damaged "
			    "(chunk %lu): a supervisor should run `intake verify`", v->dir,
			    k.mv_size == 4 ? (unsigned long)get_be32(k.mv_data) : 0UL);
			break;
		}
		while (!stop && lentry_next(c.p, c.len, &off, &e) > 0) {
			listed++;
			if (!e.damaged && !may_access(v, e.owner))
				continue;
			memcpy(id.b, e.id, VAULT_ID_BYTES);
			stop = e.damaged ? fn(ctx, &id, ST_TAMPERED, NULL, 0) :
			    fn(ctx, &id, ST_OK, e.summary, e.len);
		}
		secure_wipe(c.p, c.len);
	}
	v->scanning = 0;
	if (st == ST_OK && rc != 0 && rc != MDB_NOTFOUND)
		st = fail_mdb(v, rc, "reading the case listing");
	/* A listing that lost or kept entries (a chunk deleted on disk, an
	 * earlier intake saving without it) must not hide or invent cases. */
	if (st == ST_OK && !stop && mdb_stat(txn, v->dbi[DB_SUMMARIES], &ms) == 0 &&
	    ms.ms_entries != listed)
		st = fail(v, ST_TAMPERED, "the case listing of the vault at %s is out of step with "
		    "its summaries (%zu listed, %zu stored): a supervisor should run `intake verify`",
		    v->dir, listed, (size_t)ms.ms_entries);
	if (cur != NULL)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	lchunk_give(v, &c);
	return st;
}

/* A summary is small (interview_summary_json): the listing packs them. */
static enum status
check_summary(struct vault *v, const char *p, size_t len)
{
	if (p != NULL && len > SUMMARY_MAX)
		return fail(v, ST_INVALID, "the summary is too large (%zu bytes; at most %zu KiB)",
		    len, SUMMARY_MAX >> 10);
	return check_content(v, p, len, "summary", 1);
}

/* ---- records ------------------------------------------------------------- */

/* Whether a key beginning with prefix[plen] exists in dbi. */
static int
prefix_taken(MDB_txn *txn, MDB_dbi dbi, const unsigned char *prefix, size_t plen, int *taken)
{
	MDB_cursor *cur;
	MDB_val k = { plen, unconst(prefix) }, d;
	int rc;

	*taken = 0;
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	if (rc == 0)
		*taken = k.mv_size >= plen && memcmp(k.mv_data, prefix, plen) == 0;
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The highest history version of a record (0 when never replaced). */
static int
history_count(MDB_txn *txn, MDB_dbi dbi, const unsigned char id[VAULT_ID_BYTES],
    uint32_t *count)
{
	unsigned char probe[HISTORY_KEY];
	MDB_cursor *cur;
	MDB_val k = { HISTORY_KEY, probe }, d;
	int rc;

	*count = 0;
	memcpy(probe, id, VAULT_ID_BYTES);
	memset(probe + VAULT_ID_BYTES, 0xFF, 4);
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	if (rc == 0 && !(k.mv_size == HISTORY_KEY && memcmp(k.mv_data, probe, HISTORY_KEY) == 0))
		rc = mdb_cursor_get(cur, &k, &d, MDB_PREV);
	else if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	if (rc == 0 && k.mv_size == HISTORY_KEY && memcmp(k.mv_data, id, VAULT_ID_BYTES) == 0)
		*count = get_be32((const unsigned char *)k.mv_data + VAULT_ID_BYTES);
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

struct record_put_arg {
	const char *json;
	size_t len;
	const char *summary;
	size_t summary_len;
	struct record_id id;
	int fixed_id;           /* the caller chose the id (vault_record_put_as) */
};

static int
record_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct record_put_arg *a = argp;
	MDB_val key = { VAULT_ID_BYTES, a->id.b };
	int rc, taken = 1;

	/* Case codes show the first 40 bits of the id: keep them unique, so a
	 * code names one record and vault_record_find is one lookup. */
	if (a->fixed_id) {
		rc = prefix_taken(txn, v->dbi[DB_RECORDS], a->id.b, CODE_BYTES, &taken);
		if (rc != 0)
			return rc;
		if (taken) {
			fail(v, ST_EXISTS, "a record with this case code already exists");
			return txn_fail(v, ST_EXISTS);
		}
	}
	for (int tries = 0; taken; tries++) {
		if (tries == 64) {
			fail(v, ST_INTERNAL, "cannot find a free record id");
			return txn_fail(v, ST_INTERNAL);
		}
		crypto_random(a->id.b, VAULT_ID_BYTES);
		rc = prefix_taken(txn, v->dbi[DB_RECORDS], a->id.b, CODE_BYTES, &taken);
		if (rc != 0)
			return rc;
	}
	rc = item_put(v, txn, KIND_RECORD, &key, v->user, a->json, a->len, MDB_NOOVERWRITE);
	if (rc == 0 && a->summary != NULL)
		rc = item_put(v, txn, KIND_SUMMARY, &key, v->user, a->summary, a->summary_len, 0);
	if (rc == 0 && a->summary != NULL)
		rc = listing_put(v, txn, a->id.b, v->user, a->summary, a->summary_len);
	if (rc == 0)
		rc = audit_record_txn(v, txn, AUDIT_RECORD_CREATE, &a->id, NULL);
	return rc;
}

enum status
vault_record_put(struct vault *v, const char *json, size_t len,
    const char *summary, size_t summary_len, struct record_id *out)
{
	struct record_put_arg arg = { json, len, summary, summary_len, { {0} }, 0 };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = check_content(v, json, len, "record", 0)) != ST_OK)
		return st;
	if (summary != NULL && (st = check_summary(v, summary, summary_len)) != ST_OK)
		return st;
	st = write_txn(v, "saving the record", record_put_txn, &arg);
	if (st == ST_OK && out != NULL)
		*out = arg.id;
	return st;
}

enum status
vault_record_id_new(struct vault *v, struct record_id *out)
{
	MDB_txn *txn;
	enum status st;
	int rc, taken = 1;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((rc = txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return fail_mdb(v, rc, "choosing a record id");
	for (int tries = 0; taken && tries < 64; tries++) {
		crypto_random(out->b, VAULT_ID_BYTES);
		rc = prefix_taken(txn, v->dbi[DB_RECORDS], out->b, CODE_BYTES, &taken);
		if (rc != 0)
			break;
	}
	mdb_txn_abort(txn);
	if (rc != 0)
		return fail_mdb(v, rc, "choosing a record id");
	if (taken)
		return fail(v, ST_INTERNAL, "cannot find a free record id");
	return ST_OK;
}

enum status
vault_record_put_as(struct vault *v, const struct record_id *id, const char *json,
    size_t len, const char *summary, size_t summary_len)
{
	struct record_put_arg arg = { json, len, summary, summary_len, *id, 1 };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = check_content(v, json, len, "record", 0)) != ST_OK)
		return st;
	if (summary != NULL && (st = check_summary(v, summary, summary_len)) != ST_OK)
		return st;
	return write_txn(v, "saving the record", record_put_txn, &arg);
}

/* An item of `kind` keyed by a record id, for a user allowed to read it
 * (its owner or a supervisor); label names it in messages. */
static enum status
owned_get(struct vault *v, enum kind kind, const char *label, const struct record_id *id,
    char **json, size_t *len)
{
	char what[80], owner[VAULT_USER_MAX + 1];
	MDB_val key = { VAULT_ID_BYTES, unconst(id->b) };
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	describe(what, sizeof what, label, id);
	if ((st = item_get(v, kind, &key, what, owner, json, len)) != ST_OK)
		return st;
	if (!may_access(v, owner)) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return fail_denied(v, what);
	}
	return ST_OK;
}

enum status
vault_record_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	return owned_get(v, KIND_RECORD, "record", id, json, len);
}

enum status
vault_summary_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	return owned_get(v, KIND_SUMMARY, "summary of record", id, json, len);
}

struct record_replace_arg {
	const struct record_id *id;
	const char *json;
	size_t len;
	const char *summary;
	size_t summary_len;
	const char *what;
	const char *reason;
};

static int
record_replace_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct record_replace_arg *a = argp;
	char owner[VAULT_USER_MAX + 1];
	unsigned char hkey[HISTORY_KEY];
	MDB_val key = { VAULT_ID_BYTES, unconst(a->id->b) }, hk = { HISTORY_KEY, hkey }, val;
	char *old = NULL;
	size_t oldlen = 0;
	uint32_t count;
	enum status st;
	int rc;

	rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val);
	if (rc == MDB_NOTFOUND) {
		fail(v, ST_NOTFOUND, "no %s in this vault", a->what);
		return txn_fail(v, ST_NOTFOUND);
	}
	if (rc != 0)
		return rc;
	/* The current version must open: replacing a damaged record would
	 * destroy the evidence of the damage. */
	st = env_open(v, KIND_RECORD, &key, &val, owner, &old, &oldlen);
	if (st != ST_OK)
		return txn_fail(v, fail_open(v, st, a->what));
	if (!may_access(v, owner)) {
		rc = txn_fail(v, fail_denied(v, a->what));
		goto done;
	}
	if (a->reason == NULL && !vault_allowed(v, VAULT_RIGHT_AMEND_ALL)) {
		rc = txn_fail(v, fail(v, ST_INVALID, "give a reason for amending %s: it is kept in "
		    "the audit trail", a->what));
		goto done;
	}
	rc = history_count(txn, v->dbi[DB_HISTORY], a->id->b, &count);
	if (rc != 0)
		goto done;
	if (count == UINT32_MAX) {
		rc = txn_fail(v, fail(v, ST_FULL, "%s has too many versions", a->what));
		goto done;
	}
	memcpy(hkey, a->id->b, VAULT_ID_BYTES);
	put_be32(hkey + VAULT_ID_BYTES, count + 1);
	rc = item_put(v, txn, KIND_HISTORY, &hk, owner, old, oldlen, MDB_NOOVERWRITE);
	if (rc == 0)
		rc = item_put(v, txn, KIND_RECORD, &key, owner, a->json, a->len, 0);
	if (rc == 0 && a->summary != NULL)
		rc = item_put(v, txn, KIND_SUMMARY, &key, owner, a->summary, a->summary_len, 0);
	if (rc == 0 && a->summary != NULL)
		rc = listing_update(v, txn, a->id->b, owner, a->summary, a->summary_len);
	if (rc == 0)
		rc = audit_record_txn(v, txn, AUDIT_RECORD_AMEND, a->id, a->reason);
done:
	vault_plain_free(old, oldlen);
	return rc;
}

enum status
vault_record_replace(struct vault *v, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len)
{
	return vault_record_amend(v, id, json, len, summary, summary_len, NULL);
}

enum status
vault_record_amend(struct vault *v, const struct record_id *id,
    const char *json, size_t len, const char *summary, size_t summary_len,
    const char *reason)
{
	char what[64];
	struct record_replace_arg arg = { id, json, len, summary, summary_len, what, reason };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (reason != NULL && (st = vault_check_reason(reason, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	if ((st = check_content(v, json, len, "record", 0)) != ST_OK)
		return st;
	if (summary != NULL && (st = check_summary(v, summary, summary_len)) != ST_OK)
		return st;
	describe(what, sizeof what, "record", id);
	return write_txn(v, "saving the record", record_replace_txn, &arg);
}

enum status
vault_record_versions(struct vault *v, const struct record_id *id, unsigned *count)
{
	MDB_txn *txn;
	MDB_val key = { VAULT_ID_BYTES, unconst(id->b) }, val;
	char what[64];
	uint32_t c = 0;
	enum status st;
	int rc;

	*count = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	describe(what, sizeof what, "record", id);
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc != 0)
		return fail_mdb(v, rc, "reading the vault");
	rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val);
	if (rc == 0)
		rc = history_count(txn, v->dbi[DB_HISTORY], id->b, &c);
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return fail(v, ST_NOTFOUND, "no %s in this vault", what);
	if (rc != 0)
		return fail_mdb(v, rc, "reading the vault");
	*count = c;
	return ST_OK;
}

enum status
vault_record_history(struct vault *v, const struct record_id *id,
    unsigned version, char **json, size_t *len)
{
	char what[96], owner[VAULT_USER_MAX + 1];
	unsigned char hkey[HISTORY_KEY];
	MDB_val key = { HISTORY_KEY, hkey };
	struct case_code code;
	unsigned count;
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_ALL)) != ST_OK)
		return st;
	if ((st = vault_record_versions(v, id, &count)) != ST_OK)
		return st;
	record_id_code(id, &code);
	if (version == 0 || version > count)
		return fail(v, ST_NOTFOUND, "record %s has %u earlier version%s; there is no "
		    "version %u", code.s, count, count == 1 ? "" : "s", version);
	snprintf(what, sizeof what, "version %u of record %s", version, code.s);
	memcpy(hkey, id->b, VAULT_ID_BYTES);
	put_be32(hkey + VAULT_ID_BYTES, version);
	st = item_get(v, KIND_HISTORY, &key, what, owner, json, len);
	if (st == ST_NOTFOUND)
		return fail(v, ST_TAMPERED, "%s is missing from the history: it was deleted on "
		    "disk; restore the vault from a backup", what);
	if (st != ST_OK)
		return st;
	if (!may_access(v, owner)) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return fail_denied(v, what);
	}
	return ST_OK;
}

/* Collects the ids of keys `prefix || id` (prefix may be empty) of db. */
static enum status
list_ids(struct vault *v, enum db db, const unsigned char *prefix, size_t plen,
    struct record_id **out, size_t *n)
{
	struct record_id *ids = NULL, *grown;
	size_t count = 0, cap = 0;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k = { plen, unconst(prefix) }, d;
	enum status st = ST_OK;
	int rc;

	*out = NULL;
	*n = 0;
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[db], &cur);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &d, plen > 0 ? MDB_SET_RANGE : MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		if (plen > 0 && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		/* A key of the wrong size is damage for `intake verify` to
		 * report; it must not hide the good ids after it. */
		if (k.mv_size != plen + VAULT_ID_BYTES)
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(ids, cap * sizeof *ids);
			if (grown == NULL) {
				st = fail(v, ST_NOMEM, "out of memory while listing the %s", db_names[db]);
				goto done;
			}
			ids = grown;
		}
		memcpy(ids[count++].b, (const unsigned char *)k.mv_data + plen, VAULT_ID_BYTES);
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		st = fail_mdb(v, rc, "listing the vault");
		goto done;
	}
	*out = ids;
	*n = count;
	ids = NULL;
done:
	free(ids);
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

enum status
vault_record_list(struct vault *v, struct record_id **out, size_t *n)
{
	enum status st;

	*out = NULL;
	*n = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	return list_ids(v, DB_RECORDS, NULL, 0, out, n);
}

enum status
vault_record_find(struct vault *v, const char *code, struct record_id *out)
{
	unsigned char prefix[CODE_BYTES];
	struct case_code canon;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k = { CODE_BYTES, prefix }, d;
	uint64_t bits = 0;
	unsigned dg[9];
	enum status st;
	int rc;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if ((st = code_decode(code, dg, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	code_format(dg, &canon);
	for (size_t i = 0; i < 8; i++)
		bits = bits << 5 | dg[i];
	for (size_t i = 0; i < CODE_BYTES; i++)
		prefix[i] = (unsigned char)(bits >> (8 * (CODE_BYTES - 1 - i)));
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_RECORDS], &cur);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	if (rc == 0 && k.mv_size == VAULT_ID_BYTES && memcmp(k.mv_data, prefix, CODE_BYTES) == 0) {
		memcpy(out->b, k.mv_data, VAULT_ID_BYTES);
		st = ST_OK;
	} else if (rc == 0 || rc == MDB_NOTFOUND) {
		st = fail(v, ST_NOTFOUND, "no record with case code %s in this vault", canon.s);
	} else {
		st = fail_mdb(v, rc, "finding the record");
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

/* Walks db in one read snapshot, decrypting each item into the scratch
 * buffer and handing it to fn (see vault_scan_fn). */
static enum status
scan(struct vault *v, enum kind kind, vault_scan_fn fn, void *ctx)
{
	char owner[VAULT_USER_MAX + 1];
	struct record_id id;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, d;
	enum status st = ST_OK;
	int rc;

	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (v->scanning)
		return fail(v, ST_BUSY, "a scan of the vault is already running");
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[kinds[kind].db], &cur);
	v->scanning = 1;
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		size_t plen = env_plain_len(kind, &d), off = 0, clen = 0;
		unsigned char *buf = NULL;
		enum status ist = ST_TAMPERED;
		int stop;

		if (k.mv_size != VAULT_ID_BYTES) {
			/* One planted key must not hide every item after it:
			 * report it (with a zero id) and go on. */
			memset(id.b, 0, sizeof id.b);
			fail(v, ST_TAMPERED, "the %s table of %s is damaged (a key of %zu bytes): "
			    "restore the vault from a backup", db_names[kinds[kind].db], v->dir, k.mv_size);
			if (fn(ctx, &id, ST_TAMPERED, NULL, 0))
				break;
			continue;
		}
		if (!v->unlocked) {
			st = fail(v, ST_LOCKED, "the vault was locked during the scan");
			break;
		}
		memcpy(id.b, k.mv_data, VAULT_ID_BYTES);
		if (plen > 0) {
			buf = scratch_get(v, plen + 1);
			if (buf == NULL) {
				st = fail(v, ST_NOMEM, "out of memory while reading the vault");
				break;
			}
			ist = env_decrypt(v, kind, &k, &d, buf, owner, &off, &clen);
		}
		if (ist == ST_OK && !(kind == KIND_DEBRIEF ? may_read_debrief(v, owner)
		    : may_access(v, owner))) {
			secure_wipe(buf, plen + 1);
			continue;
		}
		if (ist == ST_OK)
			buf[off + clen] = '\0';
		stop = fn(ctx, &id, ist, ist == ST_OK ? (const char *)buf + off : NULL, clen);
		if (buf != NULL)
			scratch_done(v, plen + 1);
		if (stop)
			break;
	}
	v->scanning = 0;
	if (st == ST_OK && rc != 0 && rc != MDB_NOTFOUND)
		st = fail_mdb(v, rc, "reading the vault");
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

enum status
vault_record_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	return scan(v, KIND_RECORD, fn, ctx);
}

enum status
vault_summary_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	return scan(v, KIND_SUMMARY, fn, ctx);
}

/* ---- debriefs (training vaults) ------------------------------------------ */

static enum status
need_debriefs(struct vault *v)
{
	enum status st = need_unlocked(v);

	return st != ST_OK ? st : vault_check_training(v, 1);
}

struct debrief_put_arg {
	const char *json;
	size_t len;
	struct record_id id;
};

static int
debrief_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct debrief_put_arg *a = argp;
	MDB_val key = { VAULT_ID_BYTES, a->id.b };
	int rc = MDB_KEYEXIST;

	for (int tries = 0; rc == MDB_KEYEXIST && tries < 64; tries++) {
		crypto_random(a->id.b, VAULT_ID_BYTES);
		rc = item_put(v, txn, KIND_DEBRIEF, &key, v->user, a->json, a->len, MDB_NOOVERWRITE);
	}
	if (rc == MDB_KEYEXIST) {
		fail(v, ST_INTERNAL, "cannot find a free debrief id");
		return txn_fail(v, ST_INTERNAL);
	}
	return rc;
}

enum status
vault_debrief_put(struct vault *v, const char *json, size_t len, struct record_id *out)
{
	struct debrief_put_arg arg = { json, len, { {0} } };
	enum status st;

	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	if ((st = check_content(v, json, len, "debrief", 0)) != ST_OK)
		return st;
	st = write_txn(v, "saving the debrief", debrief_put_txn, &arg);
	if (st == ST_OK && out != NULL)
		*out = arg.id;
	return st;
}

enum status
vault_debrief_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	char what[64], owner[VAULT_USER_MAX + 1];
	MDB_val key = { VAULT_ID_BYTES, unconst(id->b) };
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	describe(what, sizeof what, "debrief", id);
	if ((st = item_get(v, KIND_DEBRIEF, &key, what, owner, json, len)) != ST_OK)
		return st;
	if (!may_read_debrief(v, owner)) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return fail(v, ST_DENIED, "%s belongs to another trainee: only they, a trainer or a "
		    "supervisor can read it", what);
	}
	return ST_OK;
}

enum status
vault_debrief_list(struct vault *v, struct record_id **out, size_t *n)
{
	enum status st;

	*out = NULL;
	*n = 0;
	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	return list_ids(v, DB_DEBRIEFS, NULL, 0, out, n);
}

enum status
vault_debrief_scan(struct vault *v, vault_scan_fn fn, void *ctx)
{
	enum status st;

	if ((st = need_debriefs(v)) != ST_OK)
		return st;
	return scan(v, KIND_DEBRIEF, fn, ctx);
}

/* ---- drafts --------------------------------------------------------------- */

static size_t
draft_key(const struct vault *v, const struct record_id *id, unsigned char buf[KEY_MAX])
{
	size_t ulen = strlen(v->user);

	memcpy(buf, v->user, ulen);
	buf[ulen] = 0;
	memcpy(buf + ulen + 1, id->b, VAULT_ID_BYTES);
	return ulen + 1 + VAULT_ID_BYTES;
}

static int
id_is_zero(const struct record_id *id)
{
	unsigned char acc = 0;

	for (size_t i = 0; i < VAULT_ID_BYTES; i++)
		acc |= id->b[i];
	return acc == 0;
}

struct draft_put_arg {
	struct record_id id;
	int fresh;
	const char *json;
	size_t len;
};

static int
draft_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct draft_put_arg *a = argp;
	unsigned char kbuf[KEY_MAX];
	MDB_val key;

	if (a->fresh) {
		do
			crypto_random(a->id.b, VAULT_ID_BYTES);
		while (id_is_zero(&a->id));
	}
	key.mv_size = draft_key(v, &a->id, kbuf);
	key.mv_data = kbuf;
	return item_put(v, txn, KIND_DRAFT, &key, v->user, a->json, a->len,
	    a->fresh ? MDB_NOOVERWRITE : 0);
}

enum status
vault_draft_put(struct vault *v, struct record_id *id, const char *json, size_t len)
{
	struct draft_put_arg arg;
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = check_content(v, json, len, "draft", 0)) != ST_OK)
		return st;
	arg.id = *id;
	arg.fresh = id_is_zero(id);
	arg.json = json;
	arg.len = len;
	st = write_txn(v, "saving the draft", draft_put_txn, &arg);
	if (st == ST_OK)
		*id = arg.id;
	return st;
}

enum status
vault_draft_get(struct vault *v, const struct record_id *id, char **json, size_t *len)
{
	char what[64], owner[VAULT_USER_MAX + 1];
	unsigned char kbuf[KEY_MAX];
	MDB_val key;
	enum status st;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	describe(what, sizeof what, "draft", id);
	key.mv_size = draft_key(v, id, kbuf);
	key.mv_data = kbuf;
	if ((st = item_get(v, KIND_DRAFT, &key, what, owner, json, len)) != ST_OK)
		return st;
	if (strcmp(owner, v->user) != 0) {
		vault_plain_free(*json, *len);
		*json = NULL;
		*len = 0;
		return fail_open(v, ST_TAMPERED, what);
	}
	return ST_OK;
}

enum status
vault_draft_list(struct vault *v, struct record_id **out, size_t *n)
{
	unsigned char prefix[VAULT_USER_MAX + 1];
	size_t ulen;
	enum status st;

	*out = NULL;
	*n = 0;
	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	ulen = strlen(v->user);
	memcpy(prefix, v->user, ulen);
	prefix[ulen] = 0;
	return list_ids(v, DB_DRAFTS, prefix, ulen + 1, out, n);
}

struct draft_delete_arg {
	MDB_val key;
	const char *what;
};

static int
draft_delete_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct draft_delete_arg *a = argp;
	int rc = mdb_del(txn, v->dbi[DB_DRAFTS], &a->key, NULL);

	if (rc == MDB_NOTFOUND) {
		fail(v, ST_NOTFOUND, "no %s in this vault", a->what);
		return txn_fail(v, ST_NOTFOUND);
	}
	return rc;
}

enum status
vault_draft_delete(struct vault *v, const struct record_id *id)
{
	unsigned char kbuf[KEY_MAX];
	char what[64];
	struct draft_delete_arg arg = { { 0, kbuf }, what };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	describe(what, sizeof what, "draft", id);
	arg.key.mv_size = draft_key(v, id, kbuf);
	return write_txn(v, "deleting the draft", draft_delete_txn, &arg);
}

/* ---- forms ---------------------------------------------------------------- */

struct form_put_arg {
	const char *src;
	size_t len;
	unsigned char hash[CRYPTO_HASH_BYTES];
};

static int
form_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct form_put_arg *a = argp;
	MDB_val key = { CRYPTO_HASH_BYTES, a->hash }, val;
	int rc;

	/* Same source, same key: a form is stored once. */
	rc = mdb_get(txn, v->dbi[DB_FORMS], &key, &val);
	if (rc != MDB_NOTFOUND)
		return rc;
	return item_put(v, txn, KIND_FORM, &key, v->user, a->src, a->len, MDB_NOOVERWRITE);
}

enum status
vault_form_put(struct vault *v, const char *src, size_t len, char hash_hex[65])
{
	struct form_put_arg arg;
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_CREATE)) != ST_OK)
		return st;
	if ((st = check_content(v, src, len, "form", 0)) != ST_OK)
		return st;
	arg.src = src;
	arg.len = len;
	crypto_digest(arg.hash, src, len);
	if ((st = write_txn(v, "saving the form", form_put_txn, &arg)) != ST_OK)
		return st;
	crypto_bin2hex(hash_hex, arg.hash, CRYPTO_HASH_BYTES);
	return ST_OK;
}

enum status
vault_form_get(struct vault *v, const char *hash_hex, char **src, size_t *len)
{
	unsigned char hash[CRYPTO_HASH_BYTES], got[CRYPTO_HASH_BYTES];
	char what[96], owner[VAULT_USER_MAX + 1];
	MDB_val key = { CRYPTO_HASH_BYTES, hash };
	enum status st;

	*src = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_READ_OWN)) != ST_OK)
		return st;
	if (crypto_hex2bin(hash, sizeof hash, hash_hex) != ST_OK)
		return fail(v, ST_INVALID, "not a form hash: expected 64 hexadecimal digits");
	snprintf(what, sizeof what, "form %.16s", hash_hex);
	if ((st = item_get(v, KIND_FORM, &key, what, owner, src, len)) != ST_OK)
		return st;
	crypto_digest(got, *src, *len);
	if (!crypto_equal(got, hash, sizeof hash)) {
		vault_plain_free(*src, *len);
		*src = NULL;
		*len = 0;
		return fail_open(v, ST_TAMPERED, what);
	}
	return ST_OK;
}

/* ==== roles ================================================================ */

int
vault_allowed(const struct vault *v, enum vault_right r)
{
	if (v == NULL || !v->unlocked)
		return 0;
	/* A trainer belongs to the training vault: in a real one, nothing. */
	if (v->role == ROLE_TRAINER && !v->training)
		return 0;
	if (r == VAULT_RIGHT_CREATE || r == VAULT_RIGHT_READ_OWN)
		return 1;
	return v->role == ROLE_SUPERVISOR || v->role == ROLE_TRAINER;
}

enum status
vault_require(struct vault *v, enum vault_right r)
{
	static const char *const verbs[] = {
		[VAULT_RIGHT_CREATE] = "save records",
		[VAULT_RIGHT_READ_OWN] = "read records",
		[VAULT_RIGHT_READ_ALL] = "read other interviewers' records or earlier versions",
		[VAULT_RIGHT_AMEND_ALL] = "amend other interviewers' records",
		[VAULT_RIGHT_DELETE] = "delete records",
		[VAULT_RIGHT_USERS] = "manage users",
		[VAULT_RIGHT_AUDIT] = "read the audit trail or verify the vault",
		[VAULT_RIGHT_EXPORT] = "export records",
		[VAULT_RIGHT_STATS] = "run statistics",
	};
	enum status st = need_unlocked(v);

	if (st != ST_OK)
		return st;
	if (vault_allowed(v, r))
		return ST_OK;
	if (v->role == ROLE_TRAINER && !v->training)
		return fail(v, ST_DENIED, "%s is a trainer, and trainers work only in the training "
		    "vault: start intake with --training", v->user);
	return fail(v, ST_DENIED, "only a supervisor can %s; you are unlocked as %s (%s)",
	    (unsigned)r < sizeof verbs / sizeof verbs[0] ? verbs[r] : "do that", v->user,
	    role_name(v->role));
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
		return fail(v, ST_INVALID, "the group is chosen before the vault is created");
	if (group == NULL || *group == '\0' ||
	    getgrnam_r(group, &gr, buf, sizeof buf, &found) != 0 || found == NULL)
		return fail(v, ST_NOTFOUND, "there is no group named %s on this system: create it "
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
		return fail(v, ST_DENIED, "you are not a member of the group %s: add yourself "
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
		return fail(v, ST_IO, "cannot give %s to its group: %s", v->dir, strerror(errno));
	return ST_OK;
}

/* ==== audit trail ============================================================
 *
 * Table `audit` (format 1): key u64 sequence, from 1, no gaps; value
 *   0x41 | format | 0 | 0 | nonce (24) | sealed entry | tag (16) | link (32)
 * The entry (audit_encode) is sealed with XChaCha20-Poly1305 under subkey 1
 * of the AUDIT purpose key (context "intkaudt"), associated data
 * "intake-audit" | vault id | the 4 header bytes | sequence, so an entry
 * moved to another position or vault does not open. The link is a keyed
 * BLAKE2b-256, under subkey 2, of
 *   "intake-audit-link" | sequence | previous link (zero before entry 1) |
 *   the value up to the link,
 * so nobody without the vault key can remove, reorder or replace an entry
 * and mend the chain. meta "audit_head" = last sequence | its link | keyed
 * BLAKE2b of "intake-audit-head" | vault id | both: cutting entries off the
 * end needs an older copy of the head, and a head noted outside the server
 * (`intake audit head`) catches even that.
 *
 * Appends find the next sequence from the last key and the previous link in
 * the head, inside the caller's write transaction: LMDB's single writer
 * makes the chain linear however many processes append.
 */

#define AUDIT_MAGIC      0x41
#define AUDIT_CTX        "intkaudt"
#define AUDIT_SUB_SEAL   1
#define AUDIT_SUB_CHAIN  2
#define AUDIT_HEAD_KEY   "audit_head"
#define AUDIT_HEAD_BYTES (8 + 2 * CRYPTO_HASH_BYTES)
#define AUDIT_VAL_MIN    (ENV_HEAD + CRYPTO_SEAL_OVERHEAD + CRYPTO_HASH_BYTES)
#define AUDIT_VAL_MAX    (AUDIT_VAL_MIN + AUDIT_ENTRY_MAX)
#define AUDIT_LINK_LABEL "intake-audit-link"

static void
audit_keys(struct vault *v)
{
	struct keyring *kr = v->kr;

	crypto_subkey(kr->audit_seal, AUDIT_SUB_SEAL, AUDIT_CTX, kr->purpose[CRYPTO_PURPOSE_AUDIT]);
	crypto_subkey(kr->audit_chain, AUDIT_SUB_CHAIN, AUDIT_CTX,
	    kr->purpose[CRYPTO_PURPOSE_AUDIT]);
}

static size_t
audit_ad(const struct vault *v, const unsigned char head[ENV_HEAD], uint64_t seq,
    unsigned char ad[AD_MAX])
{
	static const char label[] = "intake-audit";
	size_t n = 0;

	memcpy(ad + n, label, sizeof label - 1);
	n += sizeof label - 1;
	memcpy(ad + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	memcpy(ad + n, head, ENV_HEAD);
	n += ENV_HEAD;
	put_be64(ad + n, seq);
	return n + 8;
}

/* The link of the entry at seq whose value (without its link) is val[len];
 * len <= AUDIT_VAL_MAX - CRYPTO_HASH_BYTES. */
static void
audit_link(struct vault *v, uint64_t seq, const unsigned char prev[CRYPTO_HASH_BYTES],
    const unsigned char *val, size_t len, unsigned char out[CRYPTO_HASH_BYTES])
{
	unsigned char buf[sizeof AUDIT_LINK_LABEL - 1 + 8 + CRYPTO_HASH_BYTES + AUDIT_VAL_MAX];
	size_t n = sizeof AUDIT_LINK_LABEL - 1;

	memcpy(buf, AUDIT_LINK_LABEL, n);
	put_be64(buf + n, seq);
	n += 8;
	memcpy(buf + n, prev, CRYPTO_HASH_BYTES);
	n += CRYPTO_HASH_BYTES;
	memcpy(buf + n, val, len);
	crypto_digest_keyed(out, buf, n + len, v->kr->audit_chain, CRYPTO_KEY_BYTES);
}

static void
audit_head_tag(struct vault *v, uint64_t seq, const unsigned char link[CRYPTO_HASH_BYTES],
    unsigned char out[CRYPTO_HASH_BYTES])
{
	static const char label[] = "intake-audit-head";
	unsigned char buf[sizeof label - 1 + VAULT_ID_BYTES + 8 + CRYPTO_HASH_BYTES];
	size_t n = sizeof label - 1;

	memcpy(buf, label, n);
	memcpy(buf + n, v->id, VAULT_ID_BYTES);
	n += VAULT_ID_BYTES;
	put_be64(buf + n, seq);
	n += 8;
	memcpy(buf + n, link, CRYPTO_HASH_BYTES);
	crypto_digest_keyed(out, buf, n + CRYPTO_HASH_BYTES, v->kr->audit_chain, CRYPTO_KEY_BYTES);
}

/* Opens the value of the entry at seq into plain[AUDIT_ENTRY_MAX]. */
static enum status
audit_open(struct vault *v, uint64_t seq, const MDB_val *val, unsigned char *plain,
    size_t *plen)
{
	const unsigned char *c = val->mv_data;
	unsigned char ad[AD_MAX];
	size_t adlen, clen;

	if (val->mv_size <= AUDIT_VAL_MIN || val->mv_size > AUDIT_VAL_MAX)
		return ST_TAMPERED;
	if (c[0] != AUDIT_MAGIC || c[1] != VAULT_FORMAT || c[2] != 0 || c[3] != 0)
		return ST_TAMPERED;
	adlen = audit_ad(v, c, seq, ad);
	clen = val->mv_size - ENV_HEAD - CRYPTO_HASH_BYTES;
	if (crypto_open(plain, c + ENV_HEAD, clen, ad, adlen, v->kr->audit_seal) != ST_OK)
		return ST_TAMPERED;
	*plen = clen - CRYPTO_SEAL_OVERHEAD;
	return ST_OK;
}

/* Appends e inside the caller's write transaction. */
static int
audit_put_txn(struct vault *v, MDB_txn *txn, const struct audit_entry *e)
{
	unsigned char kbuf[8], prev[CRYPTO_HASH_BYTES], head[AUDIT_HEAD_BYTES], ad[AD_MAX];
	unsigned char *plain, *out;
	MDB_cursor *cur;
	MDB_val k, d, val;
	uint64_t seq = 1;
	size_t plen = 0, adlen;
	int rc;

	plain = scratch_get(v, AUDIT_ENTRY_MAX);
	if (plain == NULL)
		return txn_fail(v, fail(v, ST_NOMEM, "out of memory while writing the audit trail"));
	if (audit_encode(e, plain, AUDIT_ENTRY_MAX, &plen) != ST_OK) {
		scratch_done(v, AUDIT_ENTRY_MAX);
		return txn_fail(v, fail(v, ST_INVALID, "cannot write the audit entry: a name or "
		    "reason is too long"));
	}
	rc = mdb_cursor_open(txn, v->dbi[DB_AUDIT], &cur);
	if (rc == 0) {
		rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
		mdb_cursor_close(cur);
	}
	if (rc == 0 && k.mv_size != 8) {
		scratch_done(v, AUDIT_ENTRY_MAX);
		return txn_fail(v, fail(v, ST_TAMPERED, "the audit trail of %s is damaged (a key of "
		    "%zu bytes): run `intake verify` and restore the vault from a backup", v->dir,
		    k.mv_size));
	}
	if (rc == 0)
		seq = get_be64(k.mv_data) + 1;
	else if (rc != MDB_NOTFOUND)
		goto out;
	memset(prev, 0, sizeof prev);
	rc = meta_get(txn, v->dbi[DB_META], AUDIT_HEAD_KEY, &d);
	if (rc == 0 && d.mv_size == AUDIT_HEAD_BYTES)
		memcpy(prev, (const unsigned char *)d.mv_data + 8, CRYPTO_HASH_BYTES);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		goto out;
	put_be64(kbuf, seq);
	k.mv_size = sizeof kbuf;
	k.mv_data = kbuf;
	val.mv_size = AUDIT_VAL_MIN + plen;
	val.mv_data = NULL;
	rc = mdb_put(txn, v->dbi[DB_AUDIT], &k, &val, MDB_NOOVERWRITE | MDB_RESERVE);
	if (rc != 0)
		goto out;
	out = val.mv_data;
	out[0] = AUDIT_MAGIC;
	out[1] = VAULT_FORMAT;
	out[2] = 0;
	out[3] = 0;
	audit_keys(v);
	adlen = audit_ad(v, out, seq, ad);
	crypto_seal(out + ENV_HEAD, plain, plen, ad, adlen, v->kr->audit_seal);
	audit_link(v, seq, prev, out, val.mv_size - CRYPTO_HASH_BYTES,
	    out + val.mv_size - CRYPTO_HASH_BYTES);
	put_be64(head, seq);
	memcpy(head + 8, out + val.mv_size - CRYPTO_HASH_BYTES, CRYPTO_HASH_BYTES);
	audit_head_tag(v, seq, head + 8, head + 8 + CRYPTO_HASH_BYTES);
	rc = meta_put(txn, v->dbi[DB_META], AUDIT_HEAD_KEY, head, sizeof head, 0);
out:
	scratch_done(v, AUDIT_ENTRY_MAX);
	return rc;
}

/* The entry of a record change; create and amend carry the digest of the
 * envelope just written, so verify can tell a rolled-back copy. */
static int
audit_record_txn(struct vault *v, MDB_txn *txn, enum audit_action a,
    const struct record_id *id, const char *reason)
{
	struct audit_entry e;
	MDB_val key = { VAULT_ID_BYTES, unconst(id->b) }, val;
	int rc;

	audit_entry_init(&e, a, v->user);
	e.has_record = true;
	e.record = *id;
	if (reason != NULL)
		snprintf(e.reason, sizeof e.reason, "%s", reason);
	if (a != AUDIT_RECORD_DELETE) {
		rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val);
		if (rc != 0)
			return rc;
		crypto_digest(e.digest, val.mv_data, val.mv_size);
		e.has_digest = true;
	}
	rc = audit_put_txn(v, txn, &e);
	secure_wipe(&e, sizeof e);
	return rc;
}

static int
audit_user_txn(struct vault *v, MDB_txn *txn, enum audit_action a, const char *actor,
    const char *subject, int role, const unsigned char *entry)
{
	struct audit_entry e;

	audit_entry_init(&e, a, actor);
	snprintf(e.subject, sizeof e.subject, "%s", subject);
	e.role = role;
	/* verify compares this with the training flag: removing the flag from a
	 * training vault (so trainees' fictional records pass for real) shows. */
	if (a == AUDIT_VAULT_CREATE && v->training)
		snprintf(e.reason, sizeof e.reason, "training");
	if (entry != NULL) {
		crypto_digest(e.digest, entry, USER_ENTRY_BYTES);
		e.has_digest = true;
	}
	return audit_put_txn(v, txn, &e);
}

static int
audit_append_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	return audit_put_txn(v, txn, arg);
}

enum status
vault_audit_append(struct vault *v, const unsigned char *entry, size_t len)
{
	struct audit_entry e;
	enum status st;

	if ((st = need_unlocked(v)) != ST_OK)
		return st;
	if (audit_decode(entry, len, &e) != ST_OK || strcmp(e.user, v->user) != 0) {
		secure_wipe(&e, sizeof e);
		return fail(v, ST_INVALID, "not an audit entry of the unlocked user");
	}
	v->headroom = 1;
	st = write_txn(v, "writing the audit trail", audit_append_txn, &e);
	v->headroom = 0;
	secure_wipe(&e, sizeof e);
	return st;
}

enum status
vault_audit_scan(struct vault *v, vault_audit_fn fn, void *ctx)
{
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, d;
	unsigned char *plain;
	enum status st;
	int rc;

	if ((st = vault_require(v, VAULT_RIGHT_AUDIT)) != ST_OK)
		return st;
	if (v->scanning)
		return fail(v, ST_BUSY, "a scan of the vault is already running");
	if ((plain = scratch_get(v, AUDIT_ENTRY_MAX)) == NULL)
		return fail(v, ST_NOMEM, "out of memory while reading the audit trail");
	audit_keys(v);
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_AUDIT], &cur);
	v->scanning = 1;
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		uint64_t seq = k.mv_size == 8 ? get_be64(k.mv_data) : 0;
		size_t plen = 0;
		enum status ist = seq ? audit_open(v, seq, &d, plain, &plen) : ST_TAMPERED;
		int stop = fn(ctx, seq, ist, ist == ST_OK ? plain : NULL, plen);

		secure_wipe(plain, AUDIT_ENTRY_MAX);
		if (stop)
			break;
	}
	v->scanning = 0;
	st = rc == 0 || rc == MDB_NOTFOUND ? ST_OK : fail_mdb(v, rc, "reading the audit trail");
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	scratch_done(v, AUDIT_ENTRY_MAX);
	return st;
}

/* Reads and authenticates meta "audit_head" in txn: ST_NOTFOUND when
 * absent, ST_TAMPERED when malformed or its tag does not match. */
static enum status
audit_head_read(struct vault *v, MDB_txn *txn, struct vault_audit_head *out)
{
	unsigned char tag[CRYPTO_HASH_BYTES];
	const unsigned char *p;
	MDB_val d;
	int rc = meta_get(txn, v->dbi[DB_META], AUDIT_HEAD_KEY, &d);

	memset(out, 0, sizeof *out);
	if (rc == MDB_NOTFOUND)
		return ST_NOTFOUND;
	if (rc != 0 || d.mv_size != AUDIT_HEAD_BYTES)
		return ST_TAMPERED;
	p = d.mv_data;
	out->seq = get_be64(p);
	memcpy(out->link, p + 8, CRYPTO_HASH_BYTES);
	audit_head_tag(v, out->seq, out->link, tag);
	if (!crypto_equal(tag, p + 8 + CRYPTO_HASH_BYTES, sizeof tag))
		return ST_TAMPERED;
	return ST_OK;
}

enum status
vault_audit_head(struct vault *v, struct vault_audit_head *out)
{
	MDB_txn *txn;
	enum status st;
	int rc;

	memset(out, 0, sizeof *out);
	if ((st = vault_require(v, VAULT_RIGHT_AUDIT)) != ST_OK)
		return st;
	audit_keys(v);
	if ((rc = txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return fail_mdb(v, rc, "reading the audit trail");
	st = audit_head_read(v, txn, out);
	mdb_txn_abort(txn);
	if (st == ST_NOTFOUND || st == ST_TAMPERED)
		return fail(v, ST_TAMPERED, "the head of the audit trail of %s is %s: run `intake "
		    "verify`", v->dir, st == ST_NOTFOUND ? "missing" : "damaged or was edited");
	return st;
}

/* ==== unlock throttling ======================================================
 *
 * Failed unlocks are paced per caller: the key is the OS account (real uid)
 * that runs intake and the user name tried. On a shared server each member
 * of staff has their own account, so guessing from one account never delays
 * another account's unlock: a colleague cannot lock a supervisor out by
 * typing wrong passphrases in her name. More accounts do give more guesses
 * in parallel, but whoever has several accounts on the server is usually in
 * the vault's group and can copy the files and guess offline anyway. Within
 * one account the turns are fair (below); someone who runs programs as your
 * account can read your keystrokes, which no pacing helps against.
 *
 * Table `attempts`: 0x00 | u32 uid | user name -> u32 attempts not yet
 * succeeded in a row | u32 zero | u64 when this value was written (Unix ms)
 * | u64 next free slot (Unix ms). A clock set back is seen against the
 * time written, and the queue moves back with it: waits stay as long as
 * they were. Entries of earlier intakes (keyed by the name
 * alone: u32 streak | u32 failures not yet reported | u64 first of those (s)
 * | u64 last (ms)) are reported and removed by the next unlock.
 *
 * Turns. An attempt takes the slot max(now, next free) and moves next free
 * on by the wait its place in the streak earns (none for the first three,
 * then 1, 2, 4, ... 60 s), in one write transaction. When that slot is now,
 * Argon2id runs at once; when it is later, vault_unlock returns ST_BUSY and
 * the handle keeps the turn: the caller waits (vault_unlock_wait_ms) and
 * calls again, and the turn is served without being counted again. So the
 * turns of concurrent callers are served in the order they were asked for,
 * and a tight loop of wrong guesses cannot take every slot as it opens. A
 * turn not taken within TURN_GRACE_MS after it came lapses (the slot is
 * used up; asking again takes a new one).
 *
 * Table `unlock_failures`: u64 time (Unix ms) | u32 uid | u32 random ->
 * user name tried. A row is written when an attempt's Argon2id starts and
 * removed when it succeeds, so a process killed meanwhile still leaves it.
 * Plain, since no key exists before an unlock: nothing in it is secret, and
 * whoever can write the files can as well guess offline. At most
 * FAILURES_MAX rows: beyond that the oldest are dropped and counted under
 * the key of sixteen zero bytes (u64 how many | u64 first time, ms). The
 * next successful unlock (anyone's) moves them into the audit trail, one
 * entry per run of failures by one account for one user, with the time of
 * the first and of the last.
 */

#define ATTEMPTS_DB      "attempts"
#define FAILURES_DB      "unlock_failures"
#define ATTEMPT_BYTES    24
#define ATTEMPT_KEY_MAX  (5 + VAULT_USER_MAX)
#define FAIL_KEY_BYTES   16
#define FAILURES_MAX     1000
#define THROTTLE_FREE    3          /* failures in a row before any wait */
#define THROTTLE_MAX_S   60
#define TURN_EARLY_MS    20         /* a turn this close counts as come */

struct attempts {
	uint32_t streak;
	uint64_t written_ms;
	uint64_t next_ms;
};

/* A turn of an earlier intake's entry, and the counters it kept. */
struct attempts_old {
	uint32_t streak;
	uint32_t unreported;
	uint64_t since;
};

static void
attempts_decode(const MDB_val *d, struct attempts *a)
{
	const unsigned char *p = d->mv_data;

	memset(a, 0, sizeof *a);
	if (d->mv_size != ATTEMPT_BYTES)
		return;
	a->streak = get_be32(p);
	a->written_ms = get_be64(p + 8);
	a->next_ms = get_be64(p + 16);
}

static void
attempts_encode(const struct attempts *a, unsigned char out[ATTEMPT_BYTES])
{
	put_be32(out, a->streak);
	put_be32(out + 4, 0);
	put_be64(out + 8, a->written_ms);
	put_be64(out + 16, a->next_ms);
}

static size_t
attempts_key(const char *user, unsigned char out[ATTEMPT_KEY_MAX])
{
	size_t n = strlen(user);

	out[0] = 0;
	put_be32(out + 1, (uint32_t)getuid());
	memcpy(out + 5, user, n);
	return 5 + n;
}

/* Seconds to wait after the last of `streak` failures in a row. */
static unsigned
throttle_delay(uint32_t streak)
{
	uint32_t n;

	if (streak < THROTTLE_FREE)
		return 0;
	n = streak - THROTTLE_FREE;
	return n >= 6 ? THROTTLE_MAX_S : 1u << n;
}

/* Writes the row of an attempt about to run Argon2id (its key kept in
 * v->fail_key so that a success removes it), dropping the oldest rows
 * beyond FAILURES_MAX. */
static int
failure_put(struct vault *v, MDB_txn *txn, const char *user, uint64_t now)
{
	unsigned char zero[FAIL_KEY_BYTES] = { 0 }, cnt[16];
	MDB_val k = { FAIL_KEY_BYTES, v->fail_key }, d = { strlen(user), unconst(user) };
	MDB_val zk = { sizeof zero, zero }, zd, ok, od;
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_dbi dbi;
	uint64_t dropped, first;
	int rc;

	rc = mdb_dbi_open(txn, FAILURES_DB, MDB_CREATE, &dbi);
	if (rc != 0)
		return rc;
	put_be64(v->fail_key, now);
	put_be32(v->fail_key + 8, (uint32_t)getuid());
	crypto_random(v->fail_key + 12, 4);
	rc = mdb_put(txn, dbi, &k, &d, MDB_NOOVERWRITE);
	if (rc != 0)
		return rc;
	v->fail_key_set = 1;
	if ((rc = mdb_stat(txn, dbi, &ms)) != 0)
		return rc;
	if (ms.ms_entries <= FAILURES_MAX)
		return 0;
	/* Full: the oldest row gives way and is counted. */
	rc = mdb_get(txn, dbi, &zk, &zd);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	dropped = rc == 0 && zd.mv_size == sizeof cnt ? get_be64(zd.mv_data) : 0;
	first = rc == 0 && zd.mv_size == sizeof cnt ? get_be64((unsigned char *)zd.mv_data + 8) : 0;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &ok, &od, MDB_FIRST);
	if (rc == 0 && ok.mv_size == FAIL_KEY_BYTES && memcmp(ok.mv_data, zero, sizeof zero) == 0)
		rc = mdb_cursor_get(cur, &ok, &od, MDB_NEXT);
	if (rc == 0) {
		if (first == 0 && ok.mv_size >= 8)
			first = get_be64(ok.mv_data);
		rc = mdb_cursor_del(cur, 0);
	}
	mdb_cursor_close(cur);
	if (rc != 0)
		return rc;
	put_be64(cnt, dropped + 1);
	put_be64(cnt + 8, first);
	zd.mv_size = sizeof cnt;
	zd.mv_data = cnt;
	return mdb_put(txn, dbi, &zk, &zd, 0);
}

struct turn_arg {
	const char *user;
	int served;               /* the handle's turn was taken */
	uint64_t slot;            /* the slot given: now, or later (ST_BUSY) */
};

static int
throttle_begin_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct turn_arg *t = argp;
	unsigned char kbuf[ATTEMPT_KEY_MAX], buf[ATTEMPT_BYTES];
	MDB_val k = { attempts_key(t->user, kbuf), kbuf }, d;
	struct attempts a;
	uint64_t now = clock_now_ms();
	MDB_dbi dbi;
	int rc;

	v->fail_key_set = 0;
	if (!t->served) {
		rc = mdb_dbi_open(txn, ATTEMPTS_DB, MDB_CREATE, &dbi);
		if (rc != 0)
			return rc;
		rc = mdb_get(txn, dbi, &k, &d);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
		if (rc == 0)
			attempts_decode(&d, &a);
		else
			memset(&a, 0, sizeof a);
		if (a.written_ms > now)
			a.next_ms -= a.next_ms > a.written_ms - now ? a.written_ms - now : a.next_ms;
		t->slot = a.next_ms > now ? a.next_ms : now;
		/* Counted as failed until it succeeds: a process killed during
		 * Argon2id, or many processes guessing at once, still pay. */
		if (a.streak < UINT32_MAX)
			a.streak++;
		a.written_ms = now;
		a.next_ms = t->slot + (uint64_t)throttle_delay(a.streak) * 1000;
		attempts_encode(&a, buf);
		d.mv_size = sizeof buf;
		d.mv_data = buf;
		if ((rc = mdb_put(txn, dbi, &k, &d, 0)) != 0)
			return rc;
		if (t->slot > now + TURN_EARLY_MS)
			return 0;       /* a turn for later: nothing runs now */
	}
	return failure_put(v, txn, t->user, now);
}

/* Counts the attempt and gives it its turn: ST_OK when Argon2id may run
 * now, ST_BUSY (the turn kept in v->turn) when it comes later. */
static enum status
throttle_begin(struct vault *v, const char *user)
{
	struct turn_arg t = { user, 0, 0 };
	uint64_t now = clock_now_ms(), secs;
	enum status st;

	if (v->turn.held && strcmp(v->turn.user, user) == 0) {
		if (now + TURN_EARLY_MS < v->turn.at_ms)
			goto wait;      /* asked again too early: the same turn */
		t.served = now < v->turn.at_ms + VAULT_TURN_GRACE_MS;
	}
	v->turn.held = 0;
	v->headroom = 1;
	st = write_txn(v, "counting the unlock attempt", throttle_begin_txn, &t);
	v->headroom = 0;
	if (st != ST_OK)
		return st;
	if (v->fail_key_set)
		return ST_OK;           /* this attempt's turn is now */
	v->turn.held = 1;
	v->turn.at_ms = t.slot;
	snprintf(v->turn.user, sizeof v->turn.user, "%s", user);
wait:
	secs = (v->turn.at_ms - (now < v->turn.at_ms ? now : v->turn.at_ms) + 999) / 1000;
	return fail(v, ST_BUSY, "unlocks of %s from this account have failed several times in a "
	    "row, so each try waits its turn: yours comes in %llu second%s (each failure makes "
	    "the wait longer, up to a minute)", user, (unsigned long long)secs,
	    secs == 1 ? "" : "s");
}

uint64_t
vault_unlock_wait_ms(const struct vault *v)
{
	uint64_t now = clock_now_ms();

	if (!v->turn.held)
		return 0;
	return v->turn.at_ms > now ? v->turn.at_ms - now : 0;
}

/* One audit entry for a run of failures for user: the first at since_ms,
 * the last at last_ms; by the account uid when note is NULL, else with the
 * note instead. */
static int
failures_report(struct vault *v, MDB_txn *txn, const char *user, size_t ulen, uint32_t uid,
    const char *note, uint32_t count, uint64_t since_ms, uint64_t last_ms)
{
	struct audit_entry e;
	struct passwd pw, *found = NULL;
	char pwbuf[1024];
	int rc;

	audit_entry_init(&e, AUDIT_UNLOCK_FAILED, "");
	memcpy(e.user, user, ulen);
	e.user[ulen] = '\0';
	e.count = count;
	e.since = since_ms / 1000;
	e.time = last_ms / 1000;
	if (note != NULL)
		snprintf(e.reason, sizeof e.reason, "%s", note);
	else if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof pwbuf, &found) == 0 &&
	    found != NULL && vault_check_user_name(found->pw_name, NULL, 0) == ST_OK)
		snprintf(e.reason, sizeof e.reason, "from OS account %s (uid %lu)",
		    found->pw_name, (unsigned long)uid);
	else
		snprintf(e.reason, sizeof e.reason, "from OS uid %lu", (unsigned long)uid);
	rc = audit_put_txn(v, txn, &e);
	secure_wipe(&e, sizeof e);
	return rc;
}

/* Moves the failures table into the audit trail (see above). */
static int
failures_fold(struct vault *v, MDB_txn *txn)
{
	static const unsigned char zero[FAIL_KEY_BYTES] = { 0 };
	char run_user[VAULT_USER_MAX + 1];
	size_t run_len = 0;
	uint32_t run_uid = 0, run_count = 0;
	uint64_t run_since = 0, run_last = 0;
	MDB_cursor *cur;
	MDB_val k, d;
	MDB_dbi dbi;
	int rc;

	rc = mdb_dbi_open(txn, FAILURES_DB, MDB_CREATE, &dbi);
	if (rc != 0)
		return rc;
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *kp = k.mv_data;

		if (k.mv_size == FAIL_KEY_BYTES && memcmp(kp, zero, sizeof zero) == 0) {
			if (d.mv_size == 16 && (rc = failures_report(v, txn, "", 0, 0,
			    "more failed unlocks, not kept one by one (too many at once)",
			    (uint32_t)get_be64(d.mv_data), get_be64((unsigned char *)d.mv_data + 8),
			    get_be64((unsigned char *)d.mv_data + 8))) != 0)
				break;
		} else if (k.mv_size == FAIL_KEY_BYTES && d.mv_size > 0 &&
		    d.mv_size <= VAULT_USER_MAX) {
			uint64_t t = get_be64(kp);
			uint32_t uid = get_be32(kp + 8);

			if (run_count > 0 && (uid != run_uid || d.mv_size != run_len ||
			    memcmp(d.mv_data, run_user, run_len) != 0)) {
				rc = failures_report(v, txn, run_user, run_len, run_uid, NULL, run_count,
				    run_since, run_last);
				if (rc != 0)
					break;
				run_count = 0;
			}
			if (run_count == 0) {
				memcpy(run_user, d.mv_data, d.mv_size);
				run_len = d.mv_size;
				run_uid = uid;
				run_since = t;
			}
			run_last = t;
			run_count++;
		}
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	if (run_count > 0)
		return failures_report(v, txn, run_user, run_len, run_uid, NULL, run_count, run_since,
		    run_last);
	return 0;
}

/* The unlock succeeded: removes its own failure row, clears the count of
 * this account for the user, moves failures (anyone's, and the counters of
 * earlier intakes) into the audit trail, then writes the unlock. */
static int
unlock_txn(struct vault *v, MDB_txn *txn, void *arg)
{
	unsigned char kbuf[ATTEMPT_KEY_MAX];
	MDB_val k = { attempts_key(v->user, kbuf), kbuf }, d;
	struct audit_entry e;
	MDB_cursor *cur;
	MDB_dbi dbi, fdbi;
	int rc;

	(void)arg;
	if (v->fail_key_set) {
		MDB_val fk = { FAIL_KEY_BYTES, v->fail_key };

		rc = mdb_dbi_open(txn, FAILURES_DB, MDB_CREATE, &fdbi);
		if (rc == 0)
			rc = mdb_del(txn, fdbi, &fk, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
	}
	rc = mdb_dbi_open(txn, ATTEMPTS_DB, MDB_CREATE, &dbi);
	if (rc != 0)
		return rc;
	/* The rightful user is back: the count starts afresh. Turns already
	 * given stay with the handles that hold them. */
	rc = mdb_del(txn, dbi, &k, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	/* Entries of earlier intakes: keyed by the name alone. */
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *p = d.mv_data;
		struct attempts_old o;

		if (k.mv_size == 0 || ((const unsigned char *)k.mv_data)[0] == 0)
			continue;
		memset(&o, 0, sizeof o);
		if (d.mv_size == ATTEMPT_BYTES) {
			o.unreported = get_be32(p + 4);
			o.since = get_be64(p + 8);
		}
		rc = 0;
		if (o.unreported > 0 && k.mv_size <= VAULT_USER_MAX)
			rc = failures_report(v, txn, k.mv_data, k.mv_size, 0, "", o.unreported,
			    o.since * 1000, o.since * 1000);
		if (rc == 0)
			rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	if ((rc = failures_fold(v, txn)) != 0)
		return rc;
	audit_entry_init(&e, AUDIT_UNLOCK, v->user);
	return audit_put_txn(v, txn, &e);
}

static enum status
unlock_finish(struct vault *v)
{
	enum status st;

	v->headroom = 1;
	st = write_txn(v, "recording the unlock", unlock_txn, NULL);
	v->headroom = 0;
	if (st == ST_OK)
		v->fail_key_set = 0;
	return st;
}

/* ==== amend reasons and deletion =========================================== */

enum status
vault_check_reason(const char *reason, char *msg, size_t msglen)
{
	const uint8_t *s = (const uint8_t *)reason;
	size_t len, i;
	ucs4_t uc;
	int n, visible = 0;

	if (reason == NULL || reason[0] == '\0')
		return say(msg, msglen, ST_INVALID, "the reason is empty: say in a few words why "
		    "(it is kept in the audit trail)");
	len = strlen(reason);
	if (len > VAULT_REASON_MAX)
		return say(msg, msglen, ST_INVALID, "the reason is %zu bytes long; at most %d are "
		    "allowed", len, VAULT_REASON_MAX);
	if (u8_check(s, len) != NULL)
		return say(msg, msglen, ST_INVALID, "the reason is not valid UTF-8: check the "
		    "terminal's character encoding");
	for (i = 0; i < len; i += (size_t)n) {
		n = u8_mbtouc(&uc, s + i, len - i);
		if (is_invisible_control(uc))
			return say(msg, msglen, ST_INVALID, "the reason contains a control or invisible "
			    "formatting character: use plain text on one line");
		if (!uc_is_property_white_space(uc))
			visible = 1;
	}
	if (!visible)
		return say(msg, msglen, ST_INVALID, "the reason is only spaces: say in a few words why");
	return ST_OK;
}

struct record_delete_arg {
	const struct record_id *id;
	const char *reason;
	const char *what;
};

static int
record_delete_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct record_delete_arg *a = argp;
	unsigned char probe[HISTORY_KEY];
	MDB_val key = { VAULT_ID_BYTES, unconst(a->id->b) }, k, d;
	MDB_cursor *cur;
	int rc;

	rc = mdb_del(txn, v->dbi[DB_RECORDS], &key, NULL);
	if (rc == MDB_NOTFOUND) {
		fail(v, ST_NOTFOUND, "no %s in this vault", a->what);
		return txn_fail(v, ST_NOTFOUND);
	}
	if (rc == 0)
		rc = mdb_del(txn, v->dbi[DB_SUMMARIES], &key, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	if ((rc = listing_drop(v, txn, a->id->b)) != 0)
		return rc;
	rc = mdb_cursor_open(txn, v->dbi[DB_HISTORY], &cur);
	if (rc != 0)
		return rc;
	memcpy(probe, a->id->b, VAULT_ID_BYTES);
	memset(probe + VAULT_ID_BYTES, 0, 4);
	for (;;) {
		k.mv_size = HISTORY_KEY;
		k.mv_data = probe;
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
		if (rc != 0 || k.mv_size != HISTORY_KEY ||
		    memcmp(k.mv_data, a->id->b, VAULT_ID_BYTES) != 0)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	return audit_record_txn(v, txn, AUDIT_RECORD_DELETE, a->id, a->reason);
}

enum status
vault_record_delete(struct vault *v, const struct record_id *id, const char *reason)
{
	char what[64];
	struct record_delete_arg arg = { id, reason, what };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_DELETE)) != ST_OK)
		return st;
	if ((st = vault_check_reason(reason, v->msg, sizeof v->msg)) != ST_OK)
		return st;
	describe(what, sizeof what, "record", id);
	/* Deleting is how a full vault is made usable again: allow the headroom. */
	v->headroom = 1;
	st = write_txn(v, "deleting the record", record_delete_txn, &arg);
	v->headroom = 0;
	return st;
}

/* ==== verification ===========================================================
 *
 * One read snapshot. The audit pass collects, for every record and user, the
 * last entry that changed it; the passes over the tables then compare what
 * is stored with what the trail says should be there.
 */

struct fact {                       /* the trail's word on one record or user */
	unsigned char key[VAULT_USER_MAX + 1];  /* record id, or user name */
	size_t klen;
	uint64_t seq;                   /* the entry that changed it last */
	enum audit_action action;
	bool has_digest;
	unsigned char digest[CRYPTO_HASH_BYTES];
	uint32_t amends;                /* records: amendments since creation */
	uint32_t history;               /* records: earlier versions found */
	bool seen;
};

struct verify {
	struct vault *v;
	MDB_txn *txn;
	vault_problem_fn fn;
	void *ctx;
	struct vault_verify_counts *counts;
	struct fact *records;           /* one per audit entry, then one per id */
	size_t nrecords, caprecords;
	struct fact *users;
	size_t nusers, capusers;
	int created_training;           /* entry 1 said: a training vault */
};

static void problem(struct verify *cx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct verify *cx, const char *fmt, ...)
{
	char buf[VAULT_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= sizeof buf)
		memcpy(buf + sizeof buf - 4, "...", 4);
	cx->counts->problems++;
	cx->fn(cx->ctx, buf);
}

static struct fact *
fact_add(struct fact **list, size_t *n, size_t *cap)
{
	struct fact *grown;

	if (*n == *cap) {
		size_t want = *cap ? 2 * *cap : 64;

		grown = realloc(*list, want * sizeof **list);
		if (grown == NULL)
			return NULL;
		*list = grown;
		*cap = want;
	}
	memset(&(*list)[*n], 0, sizeof **list);
	return &(*list)[(*n)++];
}

static int
fact_cmp(const void *x, const void *y)
{
	const struct fact *a = x, *b = y;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts facts by key then sequence and keeps the last per key, counting
 * amendments since the last creation. */
static void
facts_reduce(struct fact *f, size_t *n)
{
	size_t out = 0;

	/* A vault without records has no list at all (qsort wants one). */
	if (*n == 0)
		return;
	qsort(f, *n, sizeof *f, fact_cmp);
	for (size_t i = 0; i < *n; i++) {
		uint32_t amends = 0;

		if (out > 0 && f[out - 1].klen == f[i].klen &&
		    memcmp(f[out - 1].key, f[i].key, f[i].klen) == 0) {
			amends = f[out - 1].amends;
			out--;
		}
		if (f[i].action == AUDIT_RECORD_AMEND)
			amends++;
		else if (f[i].action == AUDIT_RECORD_CREATE)
			amends = 0;
		f[out] = f[i];
		f[out].amends = amends;
		out++;
	}
	*n = out;
}

static struct fact *
fact_find(struct fact *f, size_t n, const void *key, size_t klen)
{
	struct fact probe;
	size_t lo = 0, hi = n;

	memset(&probe, 0, sizeof probe);
	memcpy(probe.key, key, klen);
	probe.klen = klen;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c;

		probe.seq = f[mid].seq;
		c = fact_cmp(&probe, &f[mid]);
		if (c == 0)
			return &f[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void
code_of(const unsigned char *id, struct case_code *code)
{
	struct record_id rid;

	memcpy(rid.b, id, VAULT_ID_BYTES);
	record_id_code(&rid, code);
}

static void
verify_meta(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char mac[CRYPTO_HASH_BYTES];
	MDB_val val;

	meta_mac(v, mac);
	if (meta_get(cx->txn, v->dbi[DB_META], META_MAC, &val) != 0 ||
	    val.mv_size != CRYPTO_HASH_BYTES || !crypto_equal(val.mv_data, mac, sizeof mac))
		problem(cx, "the vault metadata (its id, format or default passphrase settings) was "
		    "changed on disk since this intake opened it");
}

/* Records what entry e says about a record or user. */
static enum status
verify_note(struct verify *cx, const struct audit_entry *e)
{
	struct fact *f;

	switch (e->action) {
	case AUDIT_RECORD_CREATE:
	case AUDIT_RECORD_AMEND:
	case AUDIT_RECORD_DELETE:
		if (!e->has_record)
			return ST_OK;
		if ((f = fact_add(&cx->records, &cx->nrecords, &cx->caprecords)) == NULL)
			return ST_NOMEM;
		memcpy(f->key, e->record.b, VAULT_ID_BYTES);
		f->klen = VAULT_ID_BYTES;
		break;
	case AUDIT_VAULT_CREATE:
	case AUDIT_USER_ADD:
	case AUDIT_USER_PASSWD:
	case AUDIT_USER_REMOVE:
		f = NULL;
		for (size_t i = 0; i < cx->nusers; i++)
			if (strcmp((char *)cx->users[i].key, e->subject) == 0)
				f = &cx->users[i];
		if (f == NULL && (f = fact_add(&cx->users, &cx->nusers, &cx->capusers)) == NULL)
			return ST_NOMEM;
		f->klen = strlen(e->subject);
		memcpy(f->key, e->subject, f->klen + 1);
		break;
	default:
		return ST_OK;
	}
	f->seq = e->seq;
	f->action = e->action;
	f->has_digest = e->has_digest;
	memcpy(f->digest, e->digest, sizeof f->digest);
	return ST_OK;
}

static enum status
verify_audit(struct verify *cx, const struct vault_audit_head *noted)
{
	struct vault *v = cx->v;
	unsigned char prev[CRYPTO_HASH_BYTES], link[CRYPTO_HASH_BYTES], *plain;
	struct vault_audit_head head;
	struct audit_entry e;
	MDB_cursor *cur;
	MDB_val k, d;
	uint64_t expect = 1, last = 0;
	int rc, noted_seen = 0;
	enum status st = ST_OK, hst;

	if ((plain = scratch_get(v, AUDIT_ENTRY_MAX)) == NULL)
		return ST_NOMEM;
	memset(prev, 0, sizeof prev);
	rc = mdb_cursor_open(cx->txn, v->dbi[DB_AUDIT], &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		const unsigned char *val = d.mv_data;
		uint64_t seq;
		size_t plen = 0;
		int gap = 0, linked;

		cx->counts->audit++;
		if (k.mv_size != 8 || (seq = get_be64(k.mv_data)) == 0) {
			problem(cx, "the audit table holds a key that is not an entry number (%zu "
			    "bytes): it was edited on disk", k.mv_size);
			continue;
		}
		if (seq > expect) {
			gap = 1;
			if (seq == expect + 1)
				problem(cx, "audit entry %llu is missing: it was deleted",
				    (unsigned long long)expect);
			else
				problem(cx, "audit entries %llu to %llu are missing: they were deleted",
				    (unsigned long long)expect, (unsigned long long)(seq - 1));
		}
		expect = seq + 1;
		last = seq;
		if (d.mv_size <= AUDIT_VAL_MIN || d.mv_size > AUDIT_VAL_MAX) {
			problem(cx, "audit entry %llu is damaged: its size (%zu bytes) is wrong",
			    (unsigned long long)seq, d.mv_size);
			memset(prev, 0, sizeof prev);
			continue;
		}
		audit_link(v, seq, prev, val, d.mv_size - CRYPTO_HASH_BYTES, link);
		linked = crypto_equal(link, val + d.mv_size - CRYPTO_HASH_BYTES, sizeof link);
		if (audit_open(v, seq, &d, plain, &plen) != ST_OK) {
			problem(cx, "audit entry %llu failed its integrity check: it was altered, or "
			    "moved from another position", (unsigned long long)seq);
		} else {
			/* Sealed at this position, so its content is authentic even
			 * where the chain before it is broken. */
			if (!linked && !gap)
				problem(cx, "audit entry %llu does not follow entry %llu in the chain: an "
				    "entry between them was removed, or one of them was replaced",
				    (unsigned long long)seq, (unsigned long long)(seq - 1));
			if (audit_decode(plain, plen, &e) != ST_OK) {
				problem(cx, "audit entry %llu opens but is not a valid entry",
				    (unsigned long long)seq);
			} else {
				e.seq = seq;
				if (seq == 1 && e.action == AUDIT_VAULT_CREATE)
					cx->created_training = strcmp(e.reason, "training") == 0;
				if ((st = verify_note(cx, &e)) != ST_OK)
					break;
			}
		}
		secure_wipe(plain, AUDIT_ENTRY_MAX);
		if (noted != NULL && noted->seq == seq) {
			noted_seen = 1;
			if (!crypto_equal(noted->link, val + d.mv_size - CRYPTO_HASH_BYTES,
			    CRYPTO_HASH_BYTES))
				problem(cx, "audit entry %llu is not the one noted earlier as the head: "
				    "the trail was rewritten from there", (unsigned long long)seq);
		}
		/* Resynchronise on the stored link, so one bad entry is one problem. */
		memcpy(prev, val + d.mv_size - CRYPTO_HASH_BYTES, sizeof prev);
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	secure_wipe(&e, sizeof e);
	scratch_done(v, AUDIT_ENTRY_MAX);
	if (st != ST_OK)
		return st;
	if (rc != 0 && rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the audit trail");
	if (last == 0)
		problem(cx, "the audit trail is empty: its entries were deleted");
	hst = audit_head_read(v, cx->txn, &head);
	if (hst == ST_NOTFOUND)
		problem(cx, "the head of the audit trail is missing from the vault metadata");
	else if (hst != ST_OK)
		problem(cx, "the head of the audit trail was edited on disk");
	else if (head.seq > last)
		problem(cx, "the audit trail ends at entry %llu but its head names entry %llu: the "
		    "last entries were deleted", (unsigned long long)last,
		    (unsigned long long)head.seq);
	else if (head.seq < last)
		problem(cx, "the audit trail goes on past its head (entry %llu) to entry %llu: "
		    "entries were added outside intake, or an older head was put back",
		    (unsigned long long)head.seq, (unsigned long long)last);
	else if (!crypto_equal(head.link, prev, sizeof prev))
		problem(cx, "the last audit entry (%llu) is not the one its head names: it was "
		    "replaced", (unsigned long long)last);
	if (noted != NULL && noted->seq > 0 && !noted_seen) {
		if (noted->seq > last)
			problem(cx, "the head noted earlier names audit entry %llu, but the trail ends "
			    "at entry %llu: entries were removed from its end",
			    (unsigned long long)noted->seq, (unsigned long long)last);
		else
			problem(cx, "audit entry %llu, named by the head noted earlier, is missing",
			    (unsigned long long)noted->seq);
	}
	return ST_OK;
}

static enum status
verify_users(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char digest[CRYPTO_HASH_BYTES];
	char name[VAULT_USER_MAX + 1];
	struct user_entry ue;
	MDB_cursor *cur;
	MDB_val k, d;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_USERS], &cur)) != 0)
		return fail_mdb(v, rc, "reading the users");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct fact *f = NULL;

		cx->counts->users++;
		if (k.mv_size == 0 || k.mv_size > VAULT_USER_MAX) {
			problem(cx, "the users table holds a name of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (vault_check_user_name(name, NULL, 0) != ST_OK) {
			problem(cx, "the users table holds an invalid user name: it was edited on disk");
			continue;
		}
		if (user_entry_parse(v, name, &d, &ue) != ST_OK)
			problem(cx, "the entry of user %s is damaged (its layout, role or passphrase "
			    "settings are out of range)", name);
		for (size_t i = 0; i < cx->nusers; i++)
			if (strcmp((char *)cx->users[i].key, name) == 0)
				f = &cx->users[i];
		if (f == NULL) {
			problem(cx, "user %s is not in the audit trail: the user was added outside "
			    "intake", name);
			continue;
		}
		f->seen = true;
		crypto_digest(digest, d.mv_data, d.mv_size);
		if (f->action == AUDIT_USER_REMOVE)
			problem(cx, "user %s was removed (audit entry %llu) but is present again",
			    name, (unsigned long long)f->seq);
		else if (!f->has_digest || !crypto_equal(digest, f->digest, sizeof digest))
			problem(cx, "the entry of user %s (its role, passphrase settings or wrapped key) "
			    "is not the one written at audit entry %llu: it was edited or replaced on "
			    "disk", name, (unsigned long long)f->seq);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the users");
	for (size_t i = 0; i < cx->nusers; i++)
		if (!cx->users[i].seen && cx->users[i].action != AUDIT_USER_REMOVE)
			problem(cx, "user %s (written at audit entry %llu) is missing: removed outside "
			    "intake", (char *)cx->users[i].key, (unsigned long long)cx->users[i].seq);
	return ST_OK;
}

/* Opens the envelope d found under k and wipes it again; digest, when not
 * NULL, gets the BLAKE2b-256 of its content. ST_TAMPERED when it does not
 * open. */
static enum status
verify_open(struct verify *cx, enum kind kind, const MDB_val *k, const MDB_val *d,
    char owner[VAULT_USER_MAX + 1], unsigned char *digest)
{
	size_t plen = env_plain_len(kind, d), off, clen;
	unsigned char *buf;
	enum status st;

	if (plen == 0 || k->mv_size > KEY_MAX)
		return ST_TAMPERED;
	if ((buf = scratch_get(cx->v, plen + 1)) == NULL)
		return ST_NOMEM;
	st = env_decrypt(cx->v, kind, k, d, buf, owner, &off, &clen);
	if (st == ST_OK && digest != NULL)
		crypto_digest(digest, buf + off, clen);
	scratch_done(cx->v, plen + 1);
	return st == ST_OK ? ST_OK : ST_TAMPERED;
}

static enum status
verify_records(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char digest[CRYPTO_HASH_BYTES];
	char owner[VAULT_USER_MAX + 1];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_RECORDS], &cur)) != 0)
		return fail_mdb(v, rc, "reading the records");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct fact *f;

		cx->counts->records++;
		if (k.mv_size != VAULT_ID_BYTES) {
			problem(cx, "the records table holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		code_of(k.mv_data, &code);
		st = verify_open(cx, KIND_RECORD, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return fail(v, ST_NOMEM, "out of memory while verifying the records");
		}
		if (st != ST_OK)
			problem(cx, "record %s failed its integrity check: it was altered, damaged, or "
			    "copied from another record or vault", code.s);
		f = fact_find(cx->records, cx->nrecords, k.mv_data, VAULT_ID_BYTES);
		if (f == NULL) {
			problem(cx, "record %s is not in the audit trail: it was put into the vault "
			    "outside intake", code.s);
			continue;
		}
		f->seen = true;
		crypto_digest(digest, d.mv_data, d.mv_size);
		if (f->action == AUDIT_RECORD_DELETE)
			problem(cx, "record %s was deleted (audit entry %llu) but is present again",
			    code.s, (unsigned long long)f->seq);
		else if (st == ST_OK && !crypto_equal(digest, f->digest, sizeof digest))
			problem(cx, "record %s is not the version written at audit entry %llu: an older "
			    "copy was put back, or it was replaced on disk", code.s,
			    (unsigned long long)f->seq);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the records");
	return ST_OK;
}

static enum status
verify_summaries(struct verify *cx)
{
	struct vault *v = cx->v;
	char owner[VAULT_USER_MAX + 1];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d, rec;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_SUMMARIES], &cur)) != 0)
		return fail_mdb(v, rc, "reading the summaries");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		cx->counts->summaries++;
		if (k.mv_size != VAULT_ID_BYTES) {
			problem(cx, "the summaries table holds a key of %zu bytes: it was edited on "
			    "disk", k.mv_size);
			continue;
		}
		code_of(k.mv_data, &code);
		st = verify_open(cx, KIND_SUMMARY, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return fail(v, ST_NOMEM, "out of memory while verifying the summaries");
		}
		if (st != ST_OK)
			problem(cx, "the summary of record %s failed its integrity check", code.s);
		if (mdb_get(cx->txn, v->dbi[DB_RECORDS], &k, &rec) == MDB_NOTFOUND)
			problem(cx, "the summary of record %s has no record: the record was deleted "
			    "on disk", code.s);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the summaries");
	return ST_OK;
}

/* The listing against the summaries: the same entries, each once, with the
 * same owner and content. No listing is no problem (the next unlock builds
 * it). */
struct lfact {
	unsigned char id[VAULT_ID_BYTES];
	char owner[VAULT_USER_MAX + 1];
	unsigned char digest[CRYPTO_HASH_BYTES];
	bool seen;
};

/* Owners and digests of summaries: wiped before the memory goes back. */
static void
lfacts_free(struct lfact *f, size_t n)
{
	if (f != NULL)
		explicit_bzero(f, n * sizeof *f);
	free(f);
}

static int
lfact_cmp(const void *x, const void *y)
{
	return memcmp(((const struct lfact *)x)->id, ((const struct lfact *)y)->id, VAULT_ID_BYTES);
}

/* Collects the entries of every chunk that opens into *out (malloc'ed);
 * *damaged counts the chunks that do not. */
static enum status
verify_listing_read(struct verify *cx, MDB_dbi dbi, struct lfact **out, size_t *n,
    size_t *damaged)
{
	struct vault *v = cx->v;
	struct lchunk c;
	struct lfact *f = NULL, *grown;
	size_t cap = 0;
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st = ST_OK;
	int rc;

	*n = 0;
	*damaged = 0;
	if ((rc = mdb_cursor_open(cx->txn, dbi, &cur)) != 0)
		return fail_mdb(v, rc, "reading the case listing");
	lchunk_take(v, &c, 0);
	while (st == ST_OK && (rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct lentry e;
		size_t off = 0;

		if (k.mv_size != 4) {
			problem(cx, "the case listing holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			++*damaged;
			continue;
		}
		st = lchunk_open(v, &k, &d, &c);
		if (st == ST_TAMPERED) {
			++*damaged;
			problem(cx, "chunk %lu of the case listing failed its integrity check: it was "
			    "altered or damaged (the case list reads the summaries instead; "
			    "`intake verify --rebuild-listing` makes it again)",
			    (unsigned long)get_be32(k.mv_data));
			st = ST_OK;
			continue;
		}
		while (st == ST_OK && lentry_next(c.p, c.len, &off, &e) > 0) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 1024;
				if ((grown = malloc(cap * sizeof *f)) == NULL) {
					st = ST_NOMEM;
					break;
				}
				if (*n > 0)
					memcpy(grown, f, *n * sizeof *f);
				lfacts_free(f, *n);
				f = grown;
			}
			memcpy(f[*n].id, e.id, VAULT_ID_BYTES);
			memcpy(f[*n].owner, e.owner, sizeof e.owner);
			crypto_digest(f[*n].digest, e.summary, e.len);
			f[*n].seen = false;
			++*n;
		}
		secure_wipe(c.p, c.len);
	}
	mdb_cursor_close(cur);
	lchunk_give(v, &c);
	if (st == ST_OK && rc != 0 && rc != MDB_NOTFOUND)
		st = fail_mdb(v, rc, "reading the case listing");
	if (st != ST_OK) {
		lfacts_free(f, *n);
		*n = 0;
		return st == ST_NOMEM ? fail(v, ST_NOMEM, "out of memory while verifying the case "
		    "listing") : st;
	}
	*out = f;
	return ST_OK;
}

static enum status
verify_listing(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char digest[CRYPTO_HASH_BYTES];
	char owner[VAULT_USER_MAX + 1];
	struct case_code code;
	struct lfact *f = NULL, key;
	size_t n = 0, damaged;
	bool differs;
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, d;
	enum status st;
	int rc;

	rc = listing_dbi(cx->txn, &dbi);
	if (rc == MDB_NOTFOUND)
		return ST_OK;
	if (rc != 0)
		return fail_mdb(v, rc, "reading the case listing");
	if ((st = verify_listing_read(cx, dbi, &f, &n, &damaged)) != ST_OK)
		return st;
	if (n > 1)
		qsort(f, n, sizeof *f, lfact_cmp);
	for (size_t i = 1; i < n; i++)
		if (memcmp(f[i].id, f[i - 1].id, VAULT_ID_BYTES) == 0) {
			code_of(f[i].id, &code);
			problem(cx, "record %s is in the case listing twice", code.s);
		}
	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_SUMMARIES], &cur)) != 0) {
		lfacts_free(f, n);
		return fail_mdb(v, rc, "reading the summaries");
	}
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct lfact *hit;

		if (k.mv_size != VAULT_ID_BYTES)
			continue;       /* reported with the summaries */
		st = verify_open(cx, KIND_SUMMARY, &k, &d, owner, digest);
		if (st == ST_NOMEM)
			break;
		memcpy(key.id, k.mv_data, VAULT_ID_BYTES);
		hit = n > 0 ? bsearch(&key, f, n, sizeof *f, lfact_cmp) : NULL;
		/* Every entry of this id (duplicates were reported above). */
		while (hit != NULL && hit > f && lfact_cmp(hit - 1, &key) == 0)
			hit--;
		code_of(k.mv_data, &code);
		if (hit == NULL && st == ST_OK && damaged == 0)
			problem(cx, "record %s is missing from the case listing: an older copy of the "
			    "listing was put back, or it was edited on disk", code.s);
		for (differs = false; hit != NULL && hit < f + n && lfact_cmp(hit, &key) == 0; hit++) {
			hit->seen = true;
			/* A summary that does not open is reported with the summaries. */
			if (st == ST_OK && (strcmp(hit->owner, owner) != 0 ||
			    !crypto_equal(hit->digest, digest, sizeof digest)))
				differs = true;
		}
		if (differs)
			problem(cx, "the case listing shows record %s differently from its summary: an "
			    "older copy of the listing was put back, or it was edited on disk", code.s);
	}
	mdb_cursor_close(cur);
	if (st != ST_NOMEM && rc == MDB_NOTFOUND)
		for (size_t i = 0; i < n; i++)
			if (!f[i].seen) {
				code_of(f[i].id, &code);
				problem(cx, "the case listing names record %s, which has no summary",
				    code.s);
			}
	lfacts_free(f, n);
	if (st == ST_NOMEM)
		return fail(v, ST_NOMEM, "out of memory while verifying the case listing");
	if (rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the summaries");
	return ST_OK;
}

static enum status
verify_history(struct verify *cx)
{
	struct vault *v = cx->v;
	char owner[VAULT_USER_MAX + 1];
	unsigned char id[VAULT_ID_BYTES];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d, rec;
	uint32_t expect = 1;
	enum status st;
	int rc;

	memset(id, 0, sizeof id);
	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_HISTORY], &cur)) != 0)
		return fail_mdb(v, rc, "reading the earlier versions");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		uint32_t version;
		struct fact *f;

		cx->counts->history++;
		if (k.mv_size != HISTORY_KEY) {
			problem(cx, "the history table holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		if (memcmp(k.mv_data, id, VAULT_ID_BYTES) != 0) {
			memcpy(id, k.mv_data, VAULT_ID_BYTES);
			expect = 1;
		}
		code_of(id, &code);
		version = get_be32((const unsigned char *)k.mv_data + VAULT_ID_BYTES);
		if (version == expect + 1)
			problem(cx, "earlier version %lu of record %s is missing: it was deleted on disk",
			    (unsigned long)expect, code.s);
		else if (version > expect)
			problem(cx, "earlier versions %lu to %lu of record %s are missing: they were "
			    "deleted on disk", (unsigned long)expect, (unsigned long)(version - 1), code.s);
		expect = version + 1;
		st = verify_open(cx, KIND_HISTORY, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return fail(v, ST_NOMEM, "out of memory while verifying the earlier versions");
		}
		if (st != ST_OK)
			problem(cx, "earlier version %lu of record %s failed its integrity check",
			    (unsigned long)version, code.s);
		rec.mv_size = VAULT_ID_BYTES;
		rec.mv_data = id;
		if (mdb_get(cx->txn, v->dbi[DB_RECORDS], &rec, &d) == MDB_NOTFOUND)
			problem(cx, "earlier version %lu of record %s has no record: the record was "
			    "deleted on disk", (unsigned long)version, code.s);
		if ((f = fact_find(cx->records, cx->nrecords, id, VAULT_ID_BYTES)) != NULL)
			f->history++;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the earlier versions");
	return ST_OK;
}

static enum status
verify_drafts(struct verify *cx)
{
	struct vault *v = cx->v;
	char owner[VAULT_USER_MAX + 1], user[VAULT_USER_MAX + 1];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_DRAFTS], &cur)) != 0)
		return fail_mdb(v, rc, "reading the drafts");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *p = k.mv_data;
		size_t ulen = k.mv_size > VAULT_ID_BYTES + 1 ? k.mv_size - VAULT_ID_BYTES - 1 : 0;

		cx->counts->drafts++;
		if (ulen == 0 || ulen > VAULT_USER_MAX || p[ulen] != 0 || memchr(p, 0, ulen) != NULL) {
			problem(cx, "the drafts table holds a malformed key (%zu bytes): it was edited "
			    "on disk", k.mv_size);
			continue;
		}
		memcpy(user, p, ulen);
		user[ulen] = '\0';
		code_of(p + ulen + 1, &code);
		st = verify_open(cx, KIND_DRAFT, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return fail(v, ST_NOMEM, "out of memory while verifying the drafts");
		}
		if (st != ST_OK)
			problem(cx, "draft %s of user %s failed its integrity check", code.s, user);
		else if (strcmp(owner, user) != 0)
			problem(cx, "draft %s of user %s was saved by another user", code.s, user);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the drafts");
	return ST_OK;
}

static enum status
verify_forms(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char got[CRYPTO_HASH_BYTES];
	char owner[VAULT_USER_MAX + 1], hex[2 * CRYPTO_HASH_BYTES + 1];
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_FORMS], &cur)) != 0)
		return fail_mdb(v, rc, "reading the forms");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		cx->counts->forms++;
		if (k.mv_size != CRYPTO_HASH_BYTES) {
			problem(cx, "the forms table holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		crypto_bin2hex(hex, k.mv_data, CRYPTO_HASH_BYTES);
		st = verify_open(cx, KIND_FORM, &k, &d, owner, got);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return fail(v, ST_NOMEM, "out of memory while verifying the forms");
		}
		if (st != ST_OK)
			problem(cx, "form %.16s failed its integrity check", hex);
		else if (!crypto_equal(got, k.mv_data, sizeof got))
			problem(cx, "form %.16s does not match its hash", hex);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return fail_mdb(v, rc, "reading the forms");
	return ST_OK;
}

/* What the trail says should exist but does not. */
static void
verify_missing(struct verify *cx)
{
	struct case_code code;

	for (size_t i = 0; i < cx->nrecords; i++) {
		struct fact *f = &cx->records[i];

		code_of(f->key, &code);
		if (!f->seen && f->action != AUDIT_RECORD_DELETE)
			problem(cx, "record %s (written at audit entry %llu) is missing: it was deleted "
			    "outside intake", code.s, (unsigned long long)f->seq);
		else if (f->seen && f->action != AUDIT_RECORD_DELETE && f->history < f->amends)
			problem(cx, "record %s was amended %lu time%s but has %lu earlier version%s: "
			    "versions were deleted on disk", code.s, (unsigned long)f->amends,
			    f->amends == 1 ? "" : "s", (unsigned long)f->history,
			    f->history == 1 ? "" : "s");
	}
	if (cx->created_training != cx->v->training)
		problem(cx, "the vault was created as a %s vault but is now marked as a %s one: the "
		    "training flag was changed on disk", cx->created_training ? "training" : "real",
		    cx->v->training ? "training" : "real");
}

enum status
vault_verify(struct vault *v, const struct vault_audit_head *noted, vault_problem_fn fn,
    void *ctx, struct vault_verify_counts *counts)
{
	struct vault_verify_counts local;
	struct verify cx;
	enum status st;
	int rc;

	if (counts == NULL)
		counts = &local;
	memset(counts, 0, sizeof *counts);
	if ((st = vault_require(v, VAULT_RIGHT_AUDIT)) != ST_OK)
		return st;
	if (v->scanning)
		return fail(v, ST_BUSY, "a scan of the vault is already running");
	memset(&cx, 0, sizeof cx);
	cx.v = v;
	cx.fn = fn;
	cx.ctx = ctx;
	cx.counts = counts;
	audit_keys(v);
	if ((rc = txn_begin(v, MDB_RDONLY, &cx.txn)) != 0)
		return fail_mdb(v, rc, "verifying the vault");
	v->scanning = 1;
	verify_meta(&cx);
	st = verify_audit(&cx, noted);
	if (st == ST_OK)
		facts_reduce(cx.records, &cx.nrecords);
	if (st == ST_OK)
		st = verify_users(&cx);
	if (st == ST_OK)
		st = verify_records(&cx);
	if (st == ST_OK)
		st = verify_summaries(&cx);
	if (st == ST_OK)
		st = verify_listing(&cx);
	if (st == ST_OK)
		st = verify_history(&cx);
	if (st == ST_OK)
		st = verify_drafts(&cx);
	if (st == ST_OK)
		st = verify_forms(&cx);
	if (st == ST_OK)
		verify_missing(&cx);
	v->scanning = 0;
	mdb_txn_abort(cx.txn);
	free(cx.records);
	free(cx.users);
	if (st == ST_NOMEM)
		return fail(v, ST_NOMEM, "out of memory while verifying the vault");
	if (st != ST_OK)
		return st;
	if (counts->problems > 0)
		return fail(v, ST_TAMPERED, "the vault at %s failed verification: %zu problem%s "
		    "found", v->dir, counts->problems, counts->problems == 1 ? "" : "s");
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

enum status
vault_form_list(struct vault *v, char (**out)[65], size_t *n)
{
	char (*hashes)[65] = NULL, (*grown)[65];
	size_t count = 0, cap = 0;
	MDB_cursor *cur = NULL;
	MDB_txn *txn = NULL;
	MDB_val k, d;
	enum status st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = need_unlocked(v)) != ST_OK)
		return st;
	rc = txn_begin(v, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, v->dbi[DB_FORMS], &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		if (k.mv_size != CRYPTO_HASH_BYTES) {
			st = fail(v, ST_TAMPERED, "the forms table of %s is damaged (a key of %zu "
			    "bytes): restore the vault from a backup", v->dir, k.mv_size);
			goto done;
		}
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(hashes, cap * sizeof *hashes);
			if (grown == NULL) {
				st = fail(v, ST_NOMEM, "out of memory while listing the forms");
				goto done;
			}
			hashes = grown;
		}
		crypto_bin2hex(hashes[count++], k.mv_data, CRYPTO_HASH_BYTES);
	}
	if (rc != MDB_NOTFOUND) {
		st = fail_mdb(v, rc, "listing the forms");
		goto done;
	}
	*out = hashes;
	*n = count;
	hashes = NULL;
done:
	free(hashes);
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	return st;
}

/* ---- batch import --------------------------------------------------------- */

struct import_arg {
	const struct vault_import_form *forms;
	size_t nforms;
	const struct vault_import_record *recs;
	size_t nrecs;
	unsigned char *added;
	size_t imported;
	size_t skipped;
};

static int
import_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	struct import_arg *a = argp;
	struct audit_entry e;
	unsigned char hash[CRYPTO_HASH_BYTES];
	MDB_val key, val;
	int rc, taken;

	/* write_txn may run this again after growing the map: start afresh. */
	a->imported = 0;
	a->skipped = 0;
	for (size_t i = 0; i < a->nforms; i++) {
		crypto_digest(hash, a->forms[i].src, a->forms[i].len);
		key.mv_size = sizeof hash;
		key.mv_data = hash;
		rc = mdb_get(txn, v->dbi[DB_FORMS], &key, &val);
		if (rc == 0)
			continue;
		if (rc != MDB_NOTFOUND)
			return rc;
		rc = item_put(v, txn, KIND_FORM, &key, v->user, a->forms[i].src, a->forms[i].len,
		    MDB_NOOVERWRITE);
		if (rc != 0)
			return rc;
	}
	for (size_t i = 0; i < a->nrecs; i++) {
		const struct vault_import_record *r = &a->recs[i];

		key.mv_size = VAULT_ID_BYTES;
		key.mv_data = unconst(r->id.b);
		rc = mdb_get(txn, v->dbi[DB_RECORDS], &key, &val);
		if (rc == 0) {
			a->skipped++;
			if (a->added != NULL)
				a->added[i] = 0;
			continue;
		}
		if (rc != MDB_NOTFOUND)
			return rc;
		rc = prefix_taken(txn, v->dbi[DB_RECORDS], r->id.b, CODE_BYTES, &taken);
		if (rc != 0)
			return rc;
		if (taken) {
			struct case_code code;

			record_id_code(&r->id, &code);
			fail(v, ST_EXISTS, "record %s has the case code of a different record already "
			    "in this vault, so it cannot keep its id; nothing was imported", code.s);
			return txn_fail(v, ST_EXISTS);
		}
		rc = item_put(v, txn, KIND_RECORD, &key, v->user, r->json, r->len, MDB_NOOVERWRITE);
		if (rc == 0 && r->summary != NULL)
			rc = item_put(v, txn, KIND_SUMMARY, &key, v->user, r->summary,
			    r->summary_len, 0);
		if (rc == 0 && r->summary != NULL)
			rc = listing_put(v, txn, r->id.b, v->user, r->summary, r->summary_len);
		/* In the trail like any new record, or verify would call it
		 * planted. */
		if (rc == 0)
			rc = audit_record_txn(v, txn, AUDIT_RECORD_CREATE, &r->id,
			    "imported from a transfer bundle");
		if (rc != 0)
			return rc;
		a->imported++;
		if (a->added != NULL)
			a->added[i] = 1;
	}
	audit_entry_init(&e, AUDIT_BUNDLE_IMPORT, v->user);
	e.count = a->imported > UINT32_MAX ? UINT32_MAX : (uint32_t)a->imported;
	memcpy(e.reason, v->import_note, sizeof v->import_note);
	rc = audit_put_txn(v, txn, &e);
	secure_wipe(&e, sizeof e);
	return rc;
}

void
vault_import_note(struct vault *v, const char *note)
{
	size_t cut = note != NULL ? strlen(note) : 0;

	/* Cut at a character boundary: an audit entry holds UTF-8 only. */
	if (cut > VAULT_REASON_MAX) {
		cut = VAULT_REASON_MAX;
		while (cut > 0 && ((unsigned char)note[cut] & 0xC0) == 0x80)
			cut--;
	}
	memset(v->import_note, 0, sizeof v->import_note);
	if (cut > 0)
		memcpy(v->import_note, note, cut);
}

static enum status
import_run(struct vault *v, const struct vault_import_form *forms, size_t nforms,
    const struct vault_import_record *recs, size_t nrecs, unsigned char *added,
    size_t *imported, size_t *skipped)
{
	struct import_arg arg = { forms, nforms, recs, nrecs, added, 0, 0 };
	enum status st;

	*imported = 0;
	*skipped = 0;
	if ((st = need_supervisor(v, "import records")) != ST_OK)
		return st;
	for (size_t i = 0; i < nforms; i++)
		if ((st = check_content(v, forms[i].src, forms[i].len, "form", 0)) != ST_OK)
			return st;
	for (size_t i = 0; i < nrecs; i++) {
		if ((st = check_content(v, recs[i].json, recs[i].len, "record", 0)) != ST_OK)
			return st;
		if (recs[i].summary != NULL && (st = check_summary(v, recs[i].summary,
		    recs[i].summary_len)) != ST_OK)
			return st;
	}
	st = write_txn(v, "importing the records", import_txn, &arg);
	if (st == ST_OK) {
		*imported = arg.imported;
		*skipped = arg.skipped;
	}
	return st;
}

enum status
vault_import(struct vault *v, const struct vault_import_form *forms, size_t nforms,
    const struct vault_import_record *recs, size_t nrecs, unsigned char *added,
    size_t *imported, size_t *skipped)
{
	enum status st = import_run(v, forms, nforms, recs, nrecs, added, imported, skipped);

	vault_import_note(v, NULL);
	return st;
}

/* ---- backup --------------------------------------------------------------- */

/* Copies the environment into fd, adopting a map grown by another process
 * (the copy's read transaction would otherwise fail with MDB_MAP_RESIZED). */
static int
backup_copy(struct vault *v, int fd)
{
	int rc = 0;

	for (int tries = 0; tries < 8; tries++) {
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
			return errno;
		rc = mdb_env_copyfd2(v->env, fd, MDB_CP_COMPACT);
		if (rc != MDB_MAP_RESIZED)
			break;
		rc = mdb_env_set_mapsize(v->env, 0);
		if (rc != 0)
			break;
		rc = MDB_MAP_RESIZED;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = errno;
	return rc;
}

enum status
vault_backup(struct vault *v, const char *dest)
{
	char data[PATH_MAX];
	struct stat sb;
	int made = 0, created = 0, fd = -1, dfd, rc, n;
	enum status st;

	if ((st = need_open(v)) != ST_OK)
		return st;
	if (v->scanning)
		return fail(v, ST_BUSY, "cannot back up while the vault is being scanned");
	if (dest == NULL || dest[0] == '\0')
		return fail(v, ST_INVALID, "no backup directory given");
	n = snprintf(data, sizeof data, "%s/data.mdb", dest);
	if (n < 0 || (size_t)n >= sizeof data)
		return fail(v, ST_INVALID, "the backup path is too long");
	/* Missing parents are made 0700, as vault_create() makes them. */
	for (char *p = data + 1; p < data + n - (int)sizeof "/data.mdb" + 1; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(data, 0700) != 0 && errno != EEXIST) {
			st = fail(v, ST_IO, "cannot create the directory %s: %s", data,
			    strerror(errno));
			*p = '/';
			return st;
		}
		*p = '/';
	}
	if (mkdir(dest, 0700) == 0)
		made = 1;
	else if (errno != EEXIST)
		return fail(v, ST_IO, "cannot create the backup directory %s: %s", dest,
		    strerror(errno));
	else if (lstat(dest, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return fail(v, ST_EXISTS, "%s exists and is not a directory: choose a new "
		    "directory for the backup", dest);
	else if (dir_has_entries(dest))
		return fail(v, ST_EXISTS, "%s is not empty: choose a new or empty directory for "
		    "the backup, so that no earlier backup is overwritten", dest);
	if (chmod(dest, 0700) != 0) {
		st = fail(v, ST_IO, "cannot make %s private: %s", dest, strerror(errno));
		goto failed;
	}
	fd = open(data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		st = fail(v, ST_IO, "cannot create %s: %s", data, strerror(errno));
		goto failed;
	}
	created = 1;
	if (fchmod(fd, 0600) != 0) {
		st = fail(v, ST_IO, "cannot set the permissions of %s: %s", data, strerror(errno));
		goto failed;
	}
	rc = backup_copy(v, fd);
	if (rc == 0 && close(fd) != 0)
		rc = errno;
	fd = -1;
	if (rc != 0) {
		st = fail_mdb(v, rc, "writing the backup");
		goto failed;
	}
	/* The new directory entry must reach the disk too, or the backup may
	 * vanish with a power cut after it was reported made. EINVAL: this
	 * file system cannot sync a directory (and needs no such sync). */
	dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (fsync(dfd) != 0 && errno != EINVAL)) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		st = fail(v, ST_IO, "cannot flush the backup directory %s to disk: %s; nothing "
		    "was kept there: try again", dest, strerror(e));
		goto failed;
	}
	close(dfd);
	return ST_OK;
failed:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(data);
	if (made)
		rmdir(dest);
	return st;
}

/* ---- envelopes without a vault, for tests and fuzzing -------------------- */

static struct vault *
test_vault(const unsigned char id[VAULT_ID_BYTES], const unsigned char vk[CRYPTO_KEY_BYTES],
    const char *kind, size_t slotlen, enum kind *k)
{
	struct vault *v;

	*k = 0;
	for (enum kind i = KIND_RECORD; i <= KIND_FORM; i++)
		if (kind != NULL && strcmp(kind, kinds[i].name) == 0)
			*k = i;
	if (*k == 0 || slotlen > KEY_MAX || (v = vault_new()) == NULL)
		return NULL;
	memcpy(v->id, id, VAULT_ID_BYTES);
	memcpy(v->kr->vk, vk, CRYPTO_KEY_BYTES);
	derive_purpose_keys(v->kr);
	return v;
}

enum status
vault_test_envelope_seal(const unsigned char id[VAULT_ID_BYTES], const unsigned char vk[32],
    const char *kind, const void *slot, size_t slotlen, const char *owner,
    const void *content, size_t len, unsigned char **out, size_t *outlen)
{
	MDB_val key = { slotlen, unconst(slot) };
	struct vault *v;
	enum kind k;
	enum status st;

	*out = NULL;
	if (owner == NULL || strlen(owner) > VAULT_USER_MAX || len > ITEM_MAX)
		return ST_INVALID;
	if ((v = test_vault(id, vk, kind, slotlen, &k)) == NULL)
		return ST_INVALID;
	*outlen = env_size(strlen(owner), len);
	*out = malloc(*outlen);
	st = *out == NULL ? ST_NOMEM : env_seal(v, k, &key, owner, content, len, *out);
	vault_close(v);
	return st;
}

enum status
vault_test_envelope_open(const unsigned char id[VAULT_ID_BYTES], const unsigned char vk[32],
    const char *kind, const void *slot, size_t slotlen, const void *env, size_t len,
    char owner[VAULT_USER_MAX + 1], char **plain, size_t *plainlen)
{
	MDB_val key = { slotlen, unconst(slot) }, val = { len, unconst(env) };
	struct vault *v;
	enum kind k;
	enum status st;

	*plain = NULL;
	*plainlen = 0;
	if ((v = test_vault(id, vk, kind, slotlen, &k)) == NULL)
		return ST_INVALID;
	st = env_open(v, k, &key, &val, owner, plain, plainlen);
	vault_close(v);
	return st;
}

/* ---- statistics releases ----------------------------------------------------
 *
 * The table "releases", created by the first release: key "plan" or a
 * period name, value an envelope "release" (owner: the supervisor who
 * made it). Every item is written once (MDB_NOOVERWRITE) and never
 * changed or deleted: a release, once published, stays what it was.
 */

#define RELEASES_DB "releases"

struct release_put_arg {
	const char *name, *json, *plan;
	size_t len, plan_len;
};

static int
release_item_put(struct vault *v, MDB_txn *txn, MDB_dbi dbi, const char *name,
    const char *content, size_t clen)
{
	MDB_val key = { strlen(name), unconst(name) };
	MDB_val val = { env_size(strlen(v->user), clen), NULL };
	enum status st;
	int rc;

	rc = mdb_put(txn, dbi, &key, &val, MDB_NOOVERWRITE | MDB_RESERVE);
	if (rc == MDB_KEYEXIST) {
		fail(v, ST_EXISTS, "%s has already been released: a release is never replaced",
		    name);
		return txn_fail(v, ST_EXISTS);
	}
	if (rc != 0)
		return rc;
	st = env_seal(v, KIND_RELEASE, &key, v->user, content, clen, val.mv_data);
	return st == ST_OK ? 0 : txn_fail(v, st);
}

static int
release_put_txn(struct vault *v, MDB_txn *txn, void *argp)
{
	const struct release_put_arg *a = argp;
	MDB_dbi dbi;
	int rc;

	if ((rc = mdb_dbi_open(txn, RELEASES_DB, MDB_CREATE, &dbi)) != 0)
		return rc;
	if (a->plan != NULL && (rc = release_item_put(v, txn, dbi, VAULT_RELEASE_PLAN, a->plan,
	    a->plan_len)) != 0)
		return rc;
	return release_item_put(v, txn, dbi, a->name, a->json, a->len);
}

static enum status
release_name_check(struct vault *v, const char *name)
{
	if (name == NULL || *name == '\0' || strlen(name) > VAULT_RELEASE_NAME_MAX)
		return fail(v, ST_INVALID, "a release name is 1 to %d characters",
		    VAULT_RELEASE_NAME_MAX);
	return ST_OK;
}

enum status
vault_release_put(struct vault *v, const char *name, const char *json, size_t len,
    const char *plan, size_t plan_len)
{
	struct release_put_arg arg = { name, json, plan, len, plan_len };
	enum status st;

	if ((st = vault_require(v, VAULT_RIGHT_STATS)) != ST_OK ||
	    (st = release_name_check(v, name)) != ST_OK ||
	    (st = check_content(v, json, len, "release", 0)) != ST_OK ||
	    (plan != NULL && (st = check_content(v, plan, plan_len, "release plan", 0)) != ST_OK))
		return st;
	if (strcmp(name, VAULT_RELEASE_PLAN) == 0)
		return fail(v, ST_INVALID, "'%s' is not a period", name);
	return write_txn(v, "saving the release", release_put_txn, &arg);
}

enum status
vault_release_get(struct vault *v, const char *name, char **json, size_t *len)
{
	char owner[VAULT_USER_MAX + 1];
	MDB_val key, val;
	MDB_txn *txn;
	MDB_dbi dbi;
	enum status st;
	int rc;

	*json = NULL;
	*len = 0;
	if ((st = vault_require(v, VAULT_RIGHT_STATS)) != ST_OK ||
	    (st = release_name_check(v, name)) != ST_OK)
		return st;
	key.mv_size = strlen(name);
	key.mv_data = unconst(name);
	if ((rc = txn_begin(v, MDB_RDONLY, &txn)) != 0)
		return fail_mdb(v, rc, "reading the vault");
	rc = mdb_dbi_open(txn, RELEASES_DB, 0, &dbi);
	if (rc == 0)
		rc = mdb_get(txn, dbi, &key, &val);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
		mdb_txn_abort(txn);
		return fail(v, ST_NOTFOUND, "%s has not been released", name);
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return fail_mdb(v, rc, "reading the vault");
	}
	st = env_open(v, KIND_RELEASE, &key, &val, owner, json, len);
	mdb_txn_abort(txn);
	if (st != ST_OK) {
		char what[VAULT_RELEASE_NAME_MAX + 16];

		snprintf(what, sizeof what, "release %s", name);
		return fail_open(v, st, what);
	}
	return ST_OK;
}
