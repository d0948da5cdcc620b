/*
 * export.h — a vault's records as a plaintext file (CSV or JSON Lines), for
 * a supervisor who asked for one by name.
 *
 * The output is plaintext of every selected record: that is its purpose.
 * Which records: dataset.h (saved records, training records never). The
 * file itself is created by export_create(): owner-only (0600), never over
 * an existing file or through a symbolic link.
 *
 * CSV (RFC 4180, UTF-8 without BOM, CRLF line ends), one header row, then
 * one row per record. Columns:
 *  - record columns, named with a leading underscore (question ids cannot
 *    start with one): _case, _record_id, _form, _form_version, _lang,
 *    _interviewer, _started, _ended, _status, _ended_reason, _outcome,
 *    _outcome.label, _flags (ids of the flags raised beside the outcome,
 *    space separated; empty for records made before their form had flags),
 *    _indicators (ids of the indicators fired, space separated),
 *    _consent_interview, _consent_referral, _consent_statistics;
 *  - then per question (notes have none), in form order, over all selected
 *    forms (a question id shared by two forms or versions is one column):
 *      ID          the answer as a code: the choice value (yes_no: yes/no;
 *                  select_multiple: values separated by spaces), the number,
 *                  the date or the text; "[declined]" or "[dont_know]" for
 *                  the two special answers; empty when not asked or
 *                  unanswered;
 *      ID.label    (choice questions) the choice label(s) in the chosen
 *                  language, "; " between several; for a special answer the
 *                  word for it in that language;
 *      ID/VALUE    (select_multiple) one column per choice: 1 chosen, 0 not
 *                  chosen, empty when the question has no value answer.
 *  - Cells holding a comma, a double quote, CR or LF are quoted, quotes
 *    doubled. Spreadsheet defence: a cell (other than a number answer)
 *    beginning with = + - @ TAB CR or ' gets one ' in front, so that no
 *    spreadsheet runs it as a formula; removing one leading ' from a cell that
 *    has one gives back the exact text.
 *  - A text answer that is exactly "[declined]" or "[dont_know]" reads like
 *    the special answer in CSV; JSON Lines keeps them apart.
 *
 * JSON Lines: one line per record, the record's own JSON (as stored, with
 * every code) plus "case" (the case code) and "labels": {"answers":
 * {question id: label, or a list of labels}, "outcome": label or null,
 * "flags": [label of each flag raised]}.
 */
#ifndef INTAKE_EXPORT_H
#define INTAKE_EXPORT_H

#include <stddef.h>

#include "dataset.h"
#include "status.h"
#include "vault.h"

enum export_format {
	EXPORT_CSV,
	EXPORT_JSONL,
};

struct export_opts {
	enum export_format format;
	const char *form_id;        /* NULL: every form */
	const char *since;          /* "YYYY-MM-DD" or NULL */
	const char *lang;           /* language code of labels; NULL: each form's default */
	const char *forms_dir;      /* where the forms' referrals files are */
};

struct export_result {
	size_t rows;                /* records written */
	struct dataset_counts counts;
};

/* Creates path for writing: O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 whatever
 * the umask. Returns the descriptor, or -1 with a message in err (exists,
 * not writable, no such directory). */
int export_create(const char *path, char *err, size_t errlen);

/* Writes the export to fd (not closed; synced when it is a file). Needs a
 * supervisor (ST_DENIED). ST_NOTFOUND: no selected form has language lang.
 * ST_IO: writing failed (err names the cause; the caller removes the file).
 * Other failures as dataset_open() and dataset_scan(). */
enum status export_write(struct vault *v, int fd, const struct export_opts *o,
    struct export_result *r, char *err, size_t errlen);

#endif
