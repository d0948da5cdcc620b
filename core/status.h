/*
 * status.h — the one list of status codes shared by every core module.
 *
 * Every fallible core call returns an `enum status`; the module that failed
 * keeps a detailed, user-actionable message (vault_errmsg(), form errors with
 * file:line:col). status_str() gives the short generic text of a code.
 * Core never prints and never exits: the program decides what to show.
 */
#ifndef INTAKE_STATUS_H
#define INTAKE_STATUS_H

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

#endif
