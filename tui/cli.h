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
	int training;
	/* data out: export, stats, keygen, bundle */
	const char *out;
	const char *since;
	const char *by;
	uint64_t k;                     /* 0 = default */
	int k_set;
	int ctdc;
	const char *to;
	const char *key;
	int key_pass_fd;                /* -1 when unset */
	const char *key_pass_file;
	int argc;                       /* positional words after the command */
	char **argv;
};

struct command {
	const char *name;
	int (*run)(struct cli *c);
	const char *usage;
	const char *summary;
};

int cmd_init(struct cli *c);
int cmd_user(struct cli *c);
int cmd_forms(struct cli *c);
int cmd_record(struct cli *c);
int cmd_export(struct cli *c);
int cmd_stats(struct cli *c);
int cmd_keygen(struct cli *c);
int cmd_bundle(struct cli *c);
int cmd_backup(struct cli *c);
int cmd_restore(struct cli *c);

/* Prints "intake: msg" to stderr; returns the exit code for st. */
int cli_fail(enum status st, const char *msg);
int cli_exit_code(enum status st);

/* Opens the vault named by --vault (or the default), reporting failures.
 * Returns EXIT_OK and sets *out, or an exit code. */
int cli_open(struct cli *c, struct vault **out);
/* Opens and unlocks as --user (asked on the terminal when absent). */
int cli_open_unlocked(struct cli *c, struct vault **out);
/* The acting user's passphrase: --passphrase-fd/-file, else the terminal. */
struct secret *cli_passphrase(struct cli *c, const char *prompt, int *rc);
/* A new passphrase: --new-passphrase-fd/-file, else asked twice. Checked
 * against the minimum length. */
struct secret *cli_new_passphrase(struct cli *c, const char *who, int *rc);
/* The first supervisor's passphrase at init: --passphrase-fd/-file, else asked
 * twice; checked like a new one. */
struct secret *cli_first_passphrase(struct cli *c, const char *who, int *rc);

#endif
