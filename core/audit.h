/*
 * audit.h — the audit trail: who did what to which record, and when.
 *
 * Every unlock, failed unlock, record creation, view, amendment and
 * deletion, export, statistics run, user change, lock and quick-hide leaves
 * one entry in the vault's `audit` table. Entries are sealed under a key
 * derived from the vault key (so only users of the vault read them) and
 * chained: each carries a keyed BLAKE2b of its predecessor's link, its own
 * sequence number and its own bytes. Removing, reordering or editing an
 * entry breaks the chain where it happened, and `intake verify` names the
 * entry (vault_verify in vault.h does the checking).
 *
 * Who writes what:
 *  - the vault itself writes the entries of its own changes inside the same
 *    transaction as the change (vault created, unlock, failed unlocks, record
 *    create/amend/delete, a draft discarded, user add/remove/passwd): a
 *    change is never on disk
 *    without its entry;
 *  - callers write what only they know happened with audit_log(): a record
 *    shown to the user, earlier versions shown, a lock after idle time, a
 *    quick-hide; and with audit_log_data() data leaving the vault (export,
 *    statistics, transfer bundle), before the first byte of it is written,
 *    so that a run whose entry cannot be written shows nothing;
 *  - a bundle import is recorded by vault_import() in the transaction of the
 *    import (vault_import_note in vault.h gives it the file's name).
 *
 * Where the code is: audit.c holds the entry's layout, names, the head's
 * text form and the description, and calls nothing of the vault; the calls
 * below that take a struct vault (audit_log, audit_log_data, audit_list,
 * audit_head_text) are the vault's, in vault_audit.c with the chain.
 *
 * Failed unlocks have no key to seal an entry with. Each is written when it
 * happens to the vault's plain `unlock_failures` table (time, OS account,
 * name tried; pacing is separate, see vault_unlock), and the next successful
 * unlock by anyone moves them into the trail: one entry per run of failures
 * by one account for one user, "N failed unlocks since T" with the time of
 * the last as the entry's time and the account as its detail. Failures after
 * the last successful unlock are therefore in the trail only once someone
 * unlocks, but with their own times.
 *
 * Entry numbers (enum audit_action) are part of vault format 1: never
 * renumber them.
 */
#ifndef INTAKE_AUDIT_H
#define INTAKE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "vault.h"
#include "words.h"

enum audit_action {
	AUDIT_VAULT_CREATE  = 1,    /* subject: the first supervisor */
	AUDIT_UNLOCK        = 2,
	AUDIT_UNLOCK_FAILED = 3,    /* user: whose unlocks failed; count, since;
	                               reason: the OS account they came from */
	AUDIT_LOCK          = 4,    /* locked after idle time */
	AUDIT_HIDE          = 5,    /* quick-hide */
	AUDIT_RECORD_CREATE = 6,
	AUDIT_RECORD_VIEW   = 7,
	AUDIT_RECORD_AMEND  = 8,    /* reason */
	AUDIT_RECORD_DELETE = 9,    /* reason; the entry keeps no content */
	AUDIT_HISTORY_VIEW  = 10,   /* earlier versions of a record shown */
	AUDIT_EXPORT        = 11,   /* count: records; reason: format, filter, file */
	AUDIT_STATS         = 12,   /* count: records counted; reason: options */
	AUDIT_USER_ADD      = 13,   /* subject, role */
	AUDIT_USER_REMOVE   = 14,   /* subject */
	AUDIT_USER_PASSWD   = 15,   /* subject */
	AUDIT_BUNDLE_CREATE = 16,   /* count: records sealed; reason: key, filter, file */
	AUDIT_BUNDLE_IMPORT = 17,   /* count: records imported; reason: file, key */
	AUDIT_DRAFT_DISCARD = 18,   /* record: the draft's id; subject: its owner;
	                               reason; the entry keeps no content */
	AUDIT_SITE_TRUST    = 19,   /* subject: the site's name; reason: its key */
	AUDIT_SITE_UNTRUST  = 20,   /* subject: the site's name; reason: its key */
};
#define AUDIT_ACTION_LAST   AUDIT_SITE_UNTRUST

#define AUDIT_REASON_MAX    VAULT_REASON_MAX
/* Longest encoded entry (before sealing). */
#define AUDIT_ENTRY_MAX     (32 + 2 * VAULT_USER_MAX + VAULT_ID_BYTES + 32 + AUDIT_REASON_MAX)

struct audit_entry {
	uint64_t seq;                       /* position in the trail (set when read) */
	uint64_t time;                      /* Unix seconds, system clock */
	enum audit_action action;
	char user[VAULT_USER_MAX + 1];      /* who acted (failed unlocks: whose) */
	char subject[VAULT_USER_MAX + 1];   /* the user acted upon, or "" */
	int role;                           /* user add: the role given; else -1 */
	bool has_record;
	struct record_id record;
	/* BLAKE2b-256 of what the action left on disk: the record's envelope
	 * (create, amend) or the user's entry (vault create, user add, passwd).
	 * vault_verify compares it with what is there now. */
	bool has_digest;
	unsigned char digest[32];
	uint32_t count;                     /* failed unlocks: how many */
	uint64_t since;                     /* failed unlocks: the first one */
	char reason[AUDIT_REASON_MAX + 1];  /* amend, delete; "" when none */
};

/* "record amend", "unlock failed", ...; "unknown" for other numbers. */
const char *audit_action_name(enum audit_action a);

/* Sets e to an entry of action by user at the current time, every optional
 * field empty. */
void audit_entry_init(struct audit_entry *e, enum audit_action a, const char *user);

/* The plaintext layout (version 1, integers big-endian):
 *   u8 version | u8 action | u64 time | u8 flags (1 record, 2 digest,
 *   4 role) | u8 len + user | u8 len + subject | [u8 role] | [16 record id]
 *   | [32 digest] | u32 count | u64 since | u16 len + reason
 * encode: ST_INVALID if a field is out of range; buf holds AUDIT_ENTRY_MAX.
 * decode: ST_TAMPERED if the bytes are not such an entry (seq is left 0). */
enum status audit_encode(const struct audit_entry *e, unsigned char *buf, size_t cap,
    size_t *len);
enum status audit_decode(const unsigned char *buf, size_t len, struct audit_entry *e);

/* Appends an entry for an action the vault cannot see: AUDIT_RECORD_VIEW,
 * AUDIT_HISTORY_VIEW, AUDIT_EXPORT, AUDIT_STATS, AUDIT_LOCK, AUDIT_HIDE
 * (others are written by the vault itself: ST_INVALID). id and reason may
 * be NULL. Needs an unlocked vault; one short durable write. A caller that
 * shows a record should not show it when this fails. */
enum status audit_log(struct vault *v, enum audit_action a, const struct record_id *id,
    const char *reason);

/* Appends the entry of data leaving the vault: AUDIT_EXPORT, AUDIT_STATS or
 * AUDIT_BUNDLE_CREATE (others: ST_INVALID), with how many records it holds
 * and a detail (options, filter, file name; cut to AUDIT_REASON_MAX bytes).
 * Call it after the data is read and before any of it is written: when it
 * fails (vault read-only, disk full: the vault's message says which), write
 * nothing. One short durable write; needs an unlocked vault. */
enum status audit_log_data(struct vault *v, enum audit_action a, size_t count,
    const char *detail);

/* Lists entries in order (supervisor). fn gets st ST_OK and the entry, or
 * ST_TAMPERED and e with only seq set for an entry that does not open (run
 * vault_verify to learn more); fn returns nonzero to stop. A filter user
 * matches the acting user or the subject; since is Unix seconds (0 = all). */
struct audit_filter {
	const char *user;
	uint64_t since;
};
typedef int (*audit_fn)(void *ctx, enum status st, const struct audit_entry *e);
enum status audit_list(struct vault *v, const struct audit_filter *flt, audit_fn fn,
    void *ctx);

/* The head of the chain as "SEQ:HEX" (64 hex digits of the last link), for
 * noting outside the server; parse reads it back. */
#define AUDIT_HEAD_TEXT_MAX (20 + 1 + 64 + 1)
enum status audit_head_text(struct vault *v, char out[AUDIT_HEAD_TEXT_MAX]);
enum status audit_head_parse(const char *text, struct vault_audit_head *out);

/* A one-line human description of the entry's details (record code, subject,
 * count, reason), with control characters replaced: safe for a terminal. */
void audit_describe(const struct audit_entry *e, char *buf, size_t len);

/* The same in another language (core/words.h). Names, codes and reasons
 * are data and stay as recorded. */
void audit_describe_in(const struct audit_entry *e, const struct words *w, char *buf,
    size_t len);

#endif
