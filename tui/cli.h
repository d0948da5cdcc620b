/*
 * cli.h — the `intake` command line: options shared by every command, the
 * command table and the helpers commands use to open and unlock a vault.
 *
 * Commands print to stdout what the user asked for and to stderr what went
 * wrong ("intake: ..."), and return one of the exit codes below; only main()
 * exits. Record plaintext is printed only by commands that exist to show it.
 */
#ifndef INTAKE_CLI_H
#define INTAKE_CLI_H

#include <limits.h>
#include <stdint.h>

#include "status.h"

struct vault;
struct secret;
struct form;
struct interview;
struct json_t;
struct opt;

/* Exit codes, documented in `intake --help` and README. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,          /* the operation failed (I/O, full disk, ...) */
	EXIT_USAGE = 2,         /* bad command line */
	EXIT_AUTH = 3,          /* wrong user name or passphrase */
	EXIT_NOVAULT = 4,       /* no vault, not a vault, or a newer format */
	EXIT_TAMPERED = 5,      /* data failed its integrity check */
	EXIT_INVALID = 6,       /* invalid input: name, passphrase, form, answers */
	EXIT_DENIED = 7,        /* not allowed for this user's role */
};

struct cli {
	const char *vault_dir;
	char vault_buf[PATH_MAX];
	const char *user;
	int pass_fd;                    /* -1 when unset */
	const char *pass_file;
	int new_pass_fd;
	const char *new_pass_file;
	const char *role;
	uint64_t kdf_ops;               /* 0 = calibrate */
	uint64_t kdf_mem;               /* MiB; 0 = default */
	const char *lang;
	const char *format;
	const char *form;
	const char *answers;
	const char *reason;             /* record amend, record delete */
	const char *reason_file;        /* the same from a file, "-" for stdin */
	char reason_buf[520];           /* what cli_read_reason() read */
	const char *since;              /* audit, export, bundle: YYYY-MM-DD */
	const char *head;               /* verify: a head noted earlier, SEQ:HASH */
	int rebuild_listing;            /* verify: make the case listing again first */
	int rekey;                      /* user remove, passwd: re-wrap items (format 2) */
	const char *group;              /* init: share the vault with this OS group */
	const char *as;                 /* the acting user, also where --user filters */
	int training;
	/* data out: export, stats, keygen, bundle */
	const char *out;
	const char *by;
	uint64_t k;                     /* 0 = default */
	int k_set;
	int ctdc;
	const char *to;
	const char *site;               /* keygen --site: a field site's signing key */
	const char *key;
	int key_pass_fd;                /* -1 when unset */
	const char *key_pass_file;
	int version;                    /* -V: print the version */
	int help_man;                   /* print intake(1) */
	int argc;                       /* positional words after the command */
	char **argv;
};

/* One command, or one subcommand of it (the word after the name in usage
 * when that word is lower case: "record show CODE"). */
struct command {
	const char *name;
	int (*run)(struct cli *c);
	const char *usage;
	const char *summary;
	const struct opt *opts;         /* what it takes (opts.h); NULL: no option */
};

int cmd_init(struct cli *c);
int cmd_user(struct cli *c);
int cmd_upgrade(struct cli *c);
int cmd_forms(struct cli *c);
int cmd_record(struct cli *c);
int cmd_training(struct cli *c);

/* Checks one training scenario file as `intake training check` does:
 * prints its diagnostics on stderr and a summary line on stdout; 0 when it
 * loads, 1 when not. `intake forms check` hands it every file whose top
 * level has a `scenario:` or `persona:` key (training_is_scenario_file). */
int cli_check_scenario(const char *path);
int cmd_audit(struct cli *c);
int cmd_verify(struct cli *c);
int cmd_export(struct cli *c);
int cmd_stats(struct cli *c);
int cmd_keygen(struct cli *c);
int cmd_bundle(struct cli *c);
int cmd_backup(struct cli *c);
int cmd_restore(struct cli *c);

/* Prints s on stdout and, after it, spaces up to `width` display columns
 * (none when it is already as wide): printf's %-Ns for text that is not
 * ASCII, as a translated heading is. */
void cli_put_col(const char *s, int width);

/* Prints "intake: msg" to stderr; returns the exit code for st. */
int cli_fail(enum status st, const char *msg);
int cli_exit_code(enum status st);

/* Opens the vault named by --vault (or the default), reporting failures.
 * Returns EXIT_OK and sets *out, or an exit code. */
int cli_open(struct cli *c, struct vault **out);
/* Opens and unlocks as --as, else --user (asked on the terminal when both
 * are absent). */
int cli_open_unlocked(struct cli *c, struct vault **out);
/* The acting user's passphrase: --passphrase-fd/-file, else the terminal. */
struct secret *cli_passphrase(struct cli *c, const char *prompt, int *rc);
/* A new passphrase: --new-passphrase-fd/-file, else asked twice. Checked
 * against the minimum length. */
struct secret *cli_new_passphrase(struct cli *c, const char *who, int *rc);
/* The reason of --reason-file (out of sight of `ps`, unlike --reason) into
 * c->reason: the file's text, or standard input's for "-", without its one
 * trailing newline. EXIT_OK, or an exit code after saying what is wrong
 * (both options given, an unreadable or too long file). The text is not
 * checked here: vault_check_reason() does that for both options. */
int cli_read_reason(struct cli *c);
/* Reads the answers file at path: one JSON object {"question_id": answer}.
 * EXIT_OK and *out (the caller's, json_decref), or EXIT_INVALID after saying
 * where the file is wrong. */
int cli_load_answers(const char *path, struct json_t **out);
/* Interviews f with the answers as the vault's user would in the interview
 * screen: in --lang, marked training when `training`, finished unless the
 * answers ended it. EXIT_OK and *out (the caller's), or an exit code after a
 * message that names `what` ("the record") and ends "Nothing was saved."
 * when an answer or the whole was refused. */
int cli_interview(struct cli *c, struct vault *v, const struct form *f,
    struct json_t *answers, int training, const char *what, struct interview **out);
/* The first supervisor's passphrase at init: --passphrase-fd/-file, else asked
 * twice; checked like a new one. */
struct secret *cli_first_passphrase(struct cli *c, const char *who, int *rc);

#endif
