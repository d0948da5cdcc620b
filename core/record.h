/*
 * record.h — an interview kept in a vault: final records and drafts.
 *
 * Glue between the engine (interview.h) and the store (vault.h), shared by
 * the command line and the screens so both save and reload records the same
 * way:
 *  - record_attach_form() stores the exact form source in the vault (keyed by
 *    its BLAKE2b hash) and stamps the hash on the form, so every record names
 *    the form it was taken with, and can be shown with it years later.
 *  - A record is reloaded with the form source kept in the vault; only its
 *    referrals file comes from forms_dir (the current directory of contacts,
 *    which a shelter updates as services change).
 *  - Draft and record JSON never leave these calls except inside the engine
 *    or the vault; buffers are wiped.
 *  - Training records (interview_training()) are saved only into a training
 *    vault, and a training vault takes only training records: record_save
 *    and record_draft_save refuse the rest with ST_DENIED and the reason in
 *    vault_errmsg() (vault_check_training). Any other path that brings a
 *    record into a vault, such as an import, must apply the same check to
 *    the record's "training" flag.
 */
#ifndef INTAKE_RECORD_H
#define INTAKE_RECORD_H

#include <stddef.h>

#include "form.h"
#include "interview.h"
#include "status.h"
#include "vault.h"

/* ST_INVALID (why in err) when the vault holds another text under the
 * form's id and version; the vault's own errors are copied into err. */
enum status record_attach_form(struct vault *v, struct form *f, char *err, size_t errlen);

/* Saves a finished or ended interview as a new record with a fresh id (the id
 * is written into the record too). ST_INVALID if still in progress. */
enum status record_save(struct vault *v, struct interview *iv, struct record_id *out);

/* Writes the interview as the unlocked user's draft: a new draft when
 * draft->b is all zero (filled in), else that draft is overwritten. One short
 * durable transaction. */
enum status record_draft_save(struct vault *v, struct interview *iv, struct record_id *draft);

/* Reloads a record or a draft with the form it was taken with. On failure
 * err holds a message for the user (also when the vault refused: then it is
 * vault_errmsg()). *f and *iv belong to the caller (interview_free first).
 * Loading a record (not a draft) writes its "record view" audit entry first,
 * and fails if that cannot be written. */
enum status record_load(struct vault *v, const struct record_id *id, int draft,
    const char *forms_dir, struct form **f, struct interview **iv,
    char *err, size_t errlen);

/* The same from record JSON already read (an earlier version, say); writes
 * no audit entry. */
enum status record_from_json(struct vault *v, const char *json, size_t len,
    const char *forms_dir, struct form **f, struct interview **iv,
    char *err, size_t errlen);

/* Saves a reopened interview (interview_reopen, answers, interview_finish)
 * over its record: the earlier version is kept, reason goes to the audit
 * trail (vault_record_amend). ST_INVALID if still in progress. */
enum status record_amend(struct vault *v, const struct record_id *id, struct interview *iv,
    const char *reason);

#endif
