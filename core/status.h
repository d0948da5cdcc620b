/*
 * status.h — the one list of status codes shared by every core module, and
 * the one way to write a message into a caller's buffer.
 *
 * Every fallible core call returns an `enum status`; status_str() gives the
 * short generic text of a code. The message that says what to do comes by
 * one of four channels, chosen by who holds the failing state:
 *  - vault_errmsg(v): the vault's last failure (unlock, a read, a save, a
 *    role refused); valid until the next vault call.
 *  - interview_error(iv): why the last answer or move was refused, in the
 *    interview's language, for the screen to show beside the question.
 *  - struct diag_list (diag.h): every problem found checking a file (forms,
 *    referrals), each with file:line:col, errors and warnings counted.
 *  - char *err, size_t errlen: one message out of a call that keeps no state
 *    of its own (export, statistics, bundles, search, parsing); written with
 *    status_msg().
 * Core never prints and never exits: the program decides what to show.
 */
#ifndef INTAKE_STATUS_H
#define INTAKE_STATUS_H

#include <stddef.h>

#define STATUS_LIST(X)                                                        \
	X(ST_OK,        "ok")                                                 \
	X(ST_NOMEM,     "out of memory")                                      \
	X(ST_IO,        "input/output error")                                 \
	X(ST_NOTFOUND,  "not found")                                          \
	X(ST_EXISTS,    "already exists")                                     \
	X(ST_INVALID,   "invalid input")                                      \
	X(ST_AUTH,      "wrong user name or passphrase")                      \
	X(ST_TAMPERED,  "data failed its integrity check (tampered or corrupt)") \
	X(ST_FORMAT,    "unsupported format")                                 \
	X(ST_DENIED,    "not allowed for this user's role")                   \
	X(ST_LOCKED,    "the vault is locked")                                \
	X(ST_FULL,      "no space left")                                      \
	X(ST_BUSY,      "busy, try again")                                    \
	X(ST_INTERNAL,  "internal error")

enum status {
#define STATUS_ENUM(name, text) name,
	STATUS_LIST(STATUS_ENUM)
#undef STATUS_ENUM
	ST__COUNT
};

/* Static string; never NULL. */
const char *status_str(enum status st);

/* Formats a message into err (errlen bytes, always NUL-terminated), as
 * printf does; one that does not fit is cut and ends in "...", still worth
 * reading. Does nothing when err is NULL or errlen 0. */
void status_msg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, returning st: `return status_fail(err, len, ST_INVALID, ...);`. */
enum status status_fail(char *err, size_t errlen, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
