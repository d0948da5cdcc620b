/*
 * main.c — the `intake` program: hardening, options, command dispatch.
 *
 * The language of the program's own messages (i18n.h) is set first, from
 * the environment, so that even a bad command line is answered in it; the
 * interactive program also takes --lang. A command's own --lang is the
 * respondent's language of what it prints, not the interface's.
 */
#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "crypto.h"
#include "harden.h"
#include "i18n.h"
#include "opts.h"
#include "term.h"
#include "vault.h"

/* ---- option tables --------------------------------------------------------
 *
 * One table per command or subcommand: the parser accepts nothing else, and
 * `intake CMD --help` and the man page (--help-man) are printed from the
 * same entries. A command that opens a vault includes vault_opts.
 */

#define STR(name, field, arg, help) OPT_STRING(name, struct cli, field, arg, help)
#define FD(name, field, help) OPT_FD(name, struct cli, field, help)
#define FLAG(name, field, help) OPT_FLAG(name, struct cli, field, help)

#define VAULT_DIR_OPT STR("vault", vault_dir, "DIR", "the vault (default " \
	"$XDG_DATA_HOME/intake/vault,\nelse ~/.local/share/intake/vault; .../training\n" \
	"with --training)")
#define TRAINING_OPT FLAG("training", training, "the training vault, of fictional cases")
static const struct opt vault_opts[] = {
	VAULT_DIR_OPT,
	STR("user", user, "NAME", "the acting user (asked when absent)"),
	STR("as", as, "NAME", "the acting user (where --user means something else)"),
	FD("passphrase-fd", pass_fd, "read the acting user's passphrase from descriptor N"),
	STR("passphrase-file", pass_file, "F", "read the acting user's passphrase from file F\n(one trailing newline removed)"),
	TRAINING_OPT,
	OPT_END(),
};
/* Commands that never unlock (they copy the files, or read the users
 * table): which vault, and no acting user, so none can be given. */
static const struct opt where_opts[] = {
	VAULT_DIR_OPT,
	TRAINING_OPT,
	OPT_END(),
};

#define KDF_OPTS(what) \
	OPT_NUMBER("kdf-ops", struct cli, kdf_ops, "N", 1, 1000, "a number from 1 to 1000", \
	    "Argon2id passes for " what "\n(default: calibrated to ~0.5 s here)"), \
	OPT_NUMBER("kdf-mem", struct cli, kdf_mem, "MiB", 8, 1024, "MiB from 8 to 1024", \
	    "Argon2id memory for " what " (default 64)")
#define NEW_PASS_OPTS(whose) \
	FD("new-passphrase-fd", new_pass_fd, "read " whose " from descriptor N"), \
	STR("new-passphrase-file", new_pass_file, "F", "... or from file F")
#define REASON_OPTS(what) \
	STR("reason", reason, "TEXT", "why the record is " what " (audited)"), \
	STR("reason-file", reason_file, "FILE", "the same read from FILE, or stdin for -: out of\n" \
	    "sight of `ps`, for anything sensitive")
#define LANG_OPT(what) STR("lang", lang, "CODE", what ": en, lo, th, zh")

/* No command: the interactive program, which makes the training vault on
 * first use (hence the key derivation costs). */
static const struct opt top_opts[] = {
	LANG_OPT("the language of the program's own screens\n(default: INTAKE_LANG, else the locale)"),
	KDF_OPTS("a new training vault"),
	OPT_FLAG_ALIAS("version", 'V', struct cli, version, "the version"),
	FLAG("help-man", help_man, NULL),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt no_opts[] = { OPT_END() };
static const struct opt forms_import_opts[] = {
	STR("out", out, "FORM.yaml", "write the form there (never over an existing file;\n"
	    "default: standard output)"),
	OPT_END(),
};
static const struct opt init_opts[] = {
	STR("user", user, "NAME", "the first supervisor (asked when absent)"),
	STR("as", as, "NAME", "the same as --user"),
	FD("passphrase-fd", pass_fd, "read the first supervisor's passphrase from\ndescriptor N "
	    "(else asked twice)"),
	STR("group", group, "NAME", "share the vault with this OS group (3770/0660)"),
	KDF_OPTS("the vault's users"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt user_add_opts[] = {
	STR("role", role, "ROLE", "supervisor, interviewer or trainer"),
	NEW_PASS_OPTS("the new user's passphrase"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt user_passwd_opts[] = {
	NEW_PASS_OPTS("the new passphrase"),
	FLAG("rekey", rekey, "another user's: new keys, their items re-wrapped for them"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt user_remove_opts[] = {
	FLAG("rekey", rekey, "re-wrap every item the user could open, so that their\n"
	    "keys open nothing in the vault any more"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt record_add_opts[] = {
	STR("form", form, "FILE_OR_ID", "the questionnaire"),
	STR("answers", answers, "FILE", "answers as a JSON object {\"question_id\": answer}"),
	LANG_OPT("the respondent's language"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt record_show_opts[] = {
	STR("format", format, "text|json", "how to print it (default text)"),
	LANG_OPT("the language of questions and answers"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt record_amend_opts[] = {
	STR("answers", answers, "FILE", "the changed answers, a JSON object\n"
	    "{\"question_id\": answer}"),
	REASON_OPTS("amended"),
	LANG_OPT("the respondent's language"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt record_delete_opts[] = {
	REASON_OPTS("deleted"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt record_history_opts[] = {
	STR("format", format, "text|json", "how to print them (default text)"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt training_lang_opts[] = {
	LANG_OPT("the language to print in"),
	OPT_END(),
};
static const struct opt training_score_opts[] = {
	STR("answers", answers, "FILE", "the trainee's answers, a JSON object\n"
	    "{\"question_id\": answer}"),
	LANG_OPT("the language the screening was taken in"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt audit_opts[] = {
	STR("user", user, "NAME", "list only this user's entries (name the acting\nsupervisor with --as)"),
	STR("since", since, "YYYY-MM-DD", "entries from that day on (UTC)"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt verify_opts[] = {
	STR("head", head, "SEQ:HASH", "a head printed earlier by `intake audit head`"),
	FLAG("rebuild-listing", rebuild_listing, "then make the case listing again from the\n"
	    "summaries (when verify reported it damaged)"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt export_opts[] = {
	STR("format", format, "csv|jsonl|ctdc", "the file's format (default csv)"),
	STR("out", out, "FILE", "the file to write (must not exist)"),
	STR("form", form, "ID", "only records of this questionnaire"),
	STR("since", since, "YYYY-MM-DD", "only records closed on or after that day"),
	LANG_OPT("the language of labels"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
/* --since, --form and --lang are taken only for cmd_stats to refuse them
 * with its reason; they are not shown. */
static const struct opt stats_opts[] = {
	STR("by", by, "F1[,F2][;F3...]", "fields to count by (one table per field when\n"
	    "absent)"),
	OPT_NUMBER_SET("k", struct cli, k, k_set, "N", 0, 1000000, "a whole number, such as 11",
	    "smallest count shown (default 11, at least 5)"),
	STR("format", format, "table|csv", "how to print the counts (default table)"),
	FLAG("ctdc", ctdc, "CTDC variable names and codes"),
	STR("since", since, "D", NULL),
	STR("form", form, "ID", NULL),
	STR("lang", lang, "CODE", NULL),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt keygen_opts[] = {
	STR("out", out, "NAME", "an office's key pair: NAME.key and NAME.pub (must not exist)"),
	STR("site", site, "NAME", "a field site's signing key pair: NAME.key and NAME.pub"),
	NEW_PASS_OPTS("the secret key's new passphrase"),
	KDF_OPTS("the secret key"),
	OPT_END(),
};
static const struct opt bundle_create_opts[] = {
	STR("to", to, "NAME[.pub]", "the office's public key"),
	STR("key", key, "SITE[.key]", "this site's signing key (intake keygen --site)"),
	FD("key-passphrase-fd", key_pass_fd, "read that key's passphrase from descriptor N"),
	STR("key-passphrase-file", key_pass_file, "F", "... or from file F"),
	STR("out", out, "FILE", "the bundle to write"),
	STR("since", since, "YYYY-MM-DD", "a full resend: every record closed on or after that\n"
	    "day (default: the changes since the last bundle)"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};
static const struct opt bundle_import_opts[] = {
	STR("key", key, "NAME[.key]", "the office's secret key file"),
	FD("key-passphrase-fd", key_pass_fd, "read that key's passphrase from descriptor N"),
	STR("key-passphrase-file", key_pass_file, "F", "... or from file F"),
	OPT_INCLUDE(vault_opts),
	OPT_END(),
};

/* The subcommand of a row is the word after the command in its usage when
 * that word is lower case ("record show CODE"); rows of one command follow
 * each other. */
static const struct command commands[] = {
	{ "init", cmd_init, "init [--user NAME] [--group G] [--kdf-ops N --kdf-mem MiB]",
	  "create a vault and its first supervisor", init_opts },
	{ "user", cmd_user, "user add NAME --role ROLE",
	  "add a user to the vault (supervisor)", user_add_opts },
	{ "user", cmd_user, "user list", "list the vault's users", where_opts },
	{ "user", cmd_user, "user remove NAME [--rekey]",
	  "remove a user from the vault (supervisor)", user_remove_opts },
	{ "user", cmd_user, "user passwd [NAME] [--rekey]",
	  "change your passphrase, or a user's (supervisor)", user_passwd_opts },
	{ "upgrade", cmd_upgrade, "upgrade",
	  "give each user their own keys: vault format 1 to 2 (supervisor)", vault_opts },
	{ "forms", cmd_forms, "forms check FILE...", "check questionnaires", no_opts },
	{ "forms", cmd_forms, "forms list", "list the installed questionnaires", no_opts },
	{ "forms", cmd_forms, "forms import FILE.xlsx [--out FORM.yaml]",
	  "turn an XLSForm workbook into a form, checked", forms_import_opts },
	{ "record", cmd_record, "record add --form F --answers A.json [--lang L]",
	  "save a record from answers (as typed on paper)", record_add_opts },
	{ "record", cmd_record, "record list", "list the records you may see", vault_opts },
	{ "record", cmd_record, "record show CODE [--format text|json] [--lang L]",
	  "show one record", record_show_opts },
	{ "record", cmd_record, "record amend CODE --answers A.json --reason TEXT|--reason-file F",
	  "change answers of a saved record, keeping the earlier version", record_amend_opts },
	{ "record", cmd_record, "record delete CODE --reason TEXT|--reason-file F",
	  "delete a record and its earlier versions (supervisor)", record_delete_opts },
	{ "record", cmd_record, "record history CODE [--format text|json]",
	  "every earlier version of a record (supervisor)", record_history_opts },
	{ "training", cmd_training, "training list [--lang L]",
	  "the fictional scenarios for mock screenings", training_lang_opts },
	{ "training", cmd_training, "training card SCENARIO [--lang L]",
	  "the role-player's card of a scenario", training_lang_opts },
	{ "training", cmd_training, "training check FILE...",
	  "check scenario files", no_opts },
	{ "training", cmd_training, "training score SCENARIO --answers A.json",
	  "debrief a mock screening taken on paper", training_score_opts },
	{ "training", cmd_training, "training report",
	  "trainees' scores", vault_opts },
	{ "audit", cmd_audit, "audit [--user U] [--since YYYY-MM-DD] [--as NAME]",
	  "list the audit trail (supervisor)", audit_opts },
	{ "audit", cmd_audit, "audit head",
	  "print the head of the audit trail, to note outside the server", vault_opts },
	{ "verify", cmd_verify, "verify [--head SEQ:HASH] [--rebuild-listing]",
	  "check every entry, record, draft and key; exit 5 on damage", verify_opts },
	{ "export", cmd_export, "export --format csv|jsonl|ctdc --out FILE [--form ID] [--since D] [--lang L]",
	  "records as a plaintext file (supervisor)", export_opts },
	{ "stats", cmd_stats, "stats PERIOD [--by A,B;C,D] [--k N] [--format table|csv] [--ctdc]",
	  "release anonymous counts of a closed period (supervisor)", stats_opts },
	{ "keygen", cmd_keygen, "keygen --out NAME | --site NAME",
	  "make NAME.key and NAME.pub: an office's, or a site's signing pair", keygen_opts },
	{ "bundle", cmd_bundle, "bundle create --to OFFICE.pub --key SITE.key --out FILE [--since D]",
	  "seal and sign the changes since the last bundle (supervisor)", bundle_create_opts },
	{ "bundle", cmd_bundle, "bundle import FILE --key NAME",
	  "import a trusted site's signed bundle (supervisor)", bundle_import_opts },
	{ "bundle", cmd_bundle, "bundle trust NAME SITE.pub",
	  "trust a field site's signing key (supervisor)", vault_opts },
	{ "bundle", cmd_bundle, "bundle trusted",
	  "list the trusted sites (supervisor)", vault_opts },
	{ "bundle", cmd_bundle, "bundle untrust NAME",
	  "stop trusting a site (supervisor)", vault_opts },
	{ "backup", cmd_backup, "backup DEST",
	  "a compact, consistent copy of the vault (still encrypted)", where_opts },
	{ "restore", cmd_restore, "restore BACKUP [--vault DIR]",
	  "make a vault again from a backup", where_opts },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char *const environment[][2] = {
	{ "INTAKE_IDLE_SECONDS", "locks the screen after that many seconds without a key\n"
	  "(default 300)" },
	{ "NO_COLOR", "set to 1: no colour" },
	{ "INTAKE_FORMS", "the forms directory" },
	{ "INTAKE_LANG", "the language of the program's own screens: en, lo, th\n"
	  "or zh (else LANGUAGE, LC_ALL, LC_MESSAGES, LANG)" },
};
static const char *const exit_codes[] = {
	"success", "the operation failed", "bad command line", "wrong user or passphrase",
	"no vault, not a vault, or a newer format", "data failed its integrity check",
	"invalid input (name, passphrase, form, answers)", "not allowed for this user's role",
};

/* The subcommand word of a row ("show" of "record show CODE"), into buf;
 * NULL when the row is the command itself. */
static const char *
row_sub(const struct command *cmd, char *buf, size_t len)
{
	const char *w = cmd->usage + strlen(cmd->name);
	size_t n;

	if (*w != ' ')
		return NULL;
	w++;
	n = strspn(w, "abcdefghijklmnopqrstuvwxyz");
	if (n == 0 || n >= len || (w[n] != '\0' && w[n] != ' '))
		return NULL;
	memcpy(buf, w, n);
	buf[n] = '\0';
	return buf;
}

/* The row for the command words pos[0] (and pos[1]): the row of that
 * subcommand, else the command's row without one; NULL when the command
 * has subcommands and none was named (its run() says so). */
static const struct command *
find_row(char **pos, int npos, int *known)
{
	const struct command *plain = NULL;
	char buf[32];
	const char *sub;

	*known = 0;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, pos[0]) != 0)
			continue;
		*known = 1;
		sub = row_sub(&commands[i], buf, sizeof buf);
		if (sub == NULL)
			plain = plain ? plain : &commands[i];
		else if (npos > 1 && strcmp(sub, pos[1]) == 0)
			return &commands[i];
	}
	return plain;
}

static void
row_usage(FILE *f, const struct command *cmd)
{
	fprintf(f, "usage: intake %s\n\n%c%s.\n\nOptions:\n", cmd->usage,
	    toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
	opts_usage(f, cmd->opts, 0);
	fprintf(f, "  %-24s this text\n", "-h, --help");
}

/* Usage of the command called name: its rows, and where to read more. */
static void
command_usage(FILE *f, const char *name)
{
	const char *lead = "usage:";

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0) {
			fprintf(f, "%-6s intake %s\n", lead, commands[i].usage);
			lead = "";
		}
	}
	fprintf(f, "\nSee `intake %s SUBCOMMAND --help` for the options of each.\n", name);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: intake [--vault DIR] [--training]     the interactive program\n"
	    "       intake [--vault DIR] COMMAND [ARGS]\n"
	    "\n"
	    "Field screening for possible victims of human trafficking, with every\n"
	    "record encrypted at rest.\n"
	    "\n"
	    "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  intake %-58s %s\n", commands[i].usage, commands[i].summary);
	fprintf(f, "\nOptions:\n");
	opts_usage(f, top_opts, 0);
	fprintf(f, "  %-24s this text\n", "-h, --help");
	fprintf(f,
	    "\n"
	    "Each command takes only its own options: `intake COMMAND --help` (or\n"
	    "`intake COMMAND SUBCOMMAND --help`) lists them; `man intake` has them all.\n"
	    "Passphrases are never taken from the command line or the environment.\n"
	    "\n"
	    "Environment:\n");
	for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++) {
		const char *h = environment[i][1], *nl = strchr(h, '\n');

		if (nl != NULL)
			fprintf(f, "  %-24s %.*s\n%27s%s\n", environment[i][0], (int)(nl - h), h,
			    "", nl + 1);
		else
			fprintf(f, "  %-24s %s\n", environment[i][0], h);
	}
	fprintf(f, "\nExit status:\n");
	for (size_t i = 0; i < sizeof exit_codes / sizeof exit_codes[0]; i++)
		fprintf(f, "  %zu %s\n", i, exit_codes[i]);
}

static int
has_include(const struct opt *t)
{
	for (; t != NULL && t->type != OPT_T_END; t++)
		if (t->type == OPT_T_INCLUDE)
			return 1;
	return 0;
}

/* intake(1), from the tables above: `intake --help-man > intake.1`. */
static void
man_page(FILE *f)
{
	fprintf(f, ".\\\" intake(1), generated by `intake --help-man` from the option tables\n"
	    ".TH INTAKE 1 \"\" \"intake %s\" \"User Commands\"\n.nh\n.ad l\n", INTAKE_VERSION);
	fputs(".SH NAME\n"
	    "intake \\- screening for possible victims of human trafficking, records "
	    "encrypted at rest\n"
	    ".SH SYNOPSIS\n"
	    ".B intake\n[\\fIOPTIONS\\fR]\n.br\n"
	    ".B intake\n\\fICOMMAND\\fR [\\fISUBCOMMAND\\fR] [\\fIARGS\\fR] [\\fIOPTIONS\\fR]\n"
	    ".SH DESCRIPTION\n"
	    "Without a command, \\fBintake\\fR opens the interactive program on the vault: "
	    "interviews in the respondent's language, the case list, the audit trail. "
	    "With a command it does one thing and exits. Each command takes only its "
	    "own options, listed under it below and by "
	    "\\fBintake\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR; "
	    "options and arguments may come in any order. "
	    "Passphrases are never taken from the command line or the environment.\n"
	    ".SH OPTIONS\n"
	    "Of the interactive program:\n", f);
	opts_man(f, top_opts, 1);
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nthe usage, of \\fBintake\\fR or of "
	    "the command it follows\n"
	    ".SS Vault options\n"
	    "Taken by the interactive program and every command that opens a vault:\n", f);
	opts_man(f, vault_opts, 0);
	fputs(".SH COMMANDS\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *cmd = &commands[i];

		if (i == 0 || strcmp(commands[i - 1].name, cmd->name) != 0) {
			fputs(".SS \"", f);
			opts_roff(f, cmd->name);
			fputs("\"\n", f);
		} else {
			fputs(".PP\n", f);
		}
		fputs("\\fBintake ", f);
		opts_roff(f, cmd->usage);
		fputs("\\fR\n.br\n", f);
		opts_roff(f, cmd->summary);
		fputs(".\n", f);
		if (cmd->opts == vault_opts) {
			fputs(".PP\nThe vault options only.\n", f);
		} else {
			opts_man(f, cmd->opts, 1);
			if (has_include(cmd->opts))
				fputs(".PP\nAnd the vault options.\n", f);
		}
	}
	fputs(".SH ENVIRONMENT\n", f);
	for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++) {
		fputs(".TP\n.B ", f);
		opts_roff(f, environment[i][0]);
		fputc('\n', f);
		for (const char *h = environment[i][1]; *h != '\0'; h++)
			fputc(*h == '\n' ? ' ' : *h, f);
		fputc('\n', f);
	}
	fputs(".SH EXIT STATUS\n", f);
	for (size_t i = 0; i < sizeof exit_codes / sizeof exit_codes[0]; i++) {
		fprintf(f, ".TP\n.B %zu\n", i);
		opts_roff(f, exit_codes[i]);
		fputc('\n', f);
	}
	fputs(".SH SEE ALSO\n"
	    "The README.md of the source, and forms/README.md for the questionnaire "
	    "language.\n", f);
}

/* Refuses the option bad given to the command words `what` (e.g. "user list"). */
static int
refuse(const char *bad, const char *what, const struct command *row)
{
	const char *eq = strchr(bad, '=');

	fprintf(stderr, _("intake: unknown option '%.*s' for `intake%s%s`\n"),
	    eq ? (int)(eq - bad) : (int)strlen(bad), bad, *what ? " " : "", what);
	if (row != NULL)
		row_usage(stderr, row);
	else if (*what)
		command_usage(stderr, what);
	else
		fprintf(stderr, "%s", _("see `intake --help`\n"));
	return EXIT_USAGE;
}

#define IDLE_DEFAULT_SECONDS 300

static int
vault_exists(const char *dir)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof path, "%s/data.mdb", dir);
	return stat(path, &st) == 0;
}

/* The idle lock: INTAKE_IDLE_SECONDS (1..86400: tests lock after one
 * second), else 5 minutes. */
static int
idle_seconds(void)
{
	const char *s = getenv("INTAKE_IDLE_SECONDS");
	uint64_t v;

	if (s != NULL && opts_parse_u64(s, 1, 86400, &v) == 0)
		return (int)v;
	return IDLE_DEFAULT_SECONDS;
}

/* The tables of every row of the command called name, NULL-terminated
 * (room for NCOMMANDS + 1): what a command takes when no subcommand of it
 * was named, so that its run() can say which are. */
static const struct command *
family_tables(const char *name, const struct opt **tables)
{
	const struct command *first = NULL;
	size_t n = 0;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0) {
			first = first ? first : &commands[i];
			tables[n++] = commands[i].opts;
		}
	}
	tables[n] = NULL;
	return first;
}

int
main(int argc, char **argv)
{
	const struct opt *all[NCOMMANDS + 2], *tables[NCOMMANDS + 1];
	const struct command *row = NULL, *family = NULL;
	char *words[2], **pos = NULL, err[256], what[64] = "", subbuf[32];
	const char *bad = NULL, *sub;
	struct cli c;
	int nwords = 0, npos = 0, known = 0, rc;

	if (harden_process(err, sizeof err) != 0) {
		fprintf(stderr, "intake: %s\n", err);
		return EXIT_FAIL;
	}
	/* Before any JSON is parsed: crypto_init installs the allocator that wipes
	 * jansson's memory on free, and every object must come from it. */
	/* The language the environment asks for; a missing catalog leaves
	 * English, said only by the interactive program (below). */
	(void)i18n_set(i18n_from_env(), NULL, err, sizeof err);
	if (crypto_init() != ST_OK) {
		fprintf(stderr, "%s", _("intake: cannot initialise libsodium\n"));
		return EXIT_FAIL;
	}
	memset(&c, 0, sizeof c);
	c.pass_fd = -1;
	c.new_pass_fd = -1;
	c.key_pass_fd = -1;

	/* Options may come before, between or after the command words. A first
	 * pass finds the command words (skipping every known option's value),
	 * which say whose table the second pass holds the options to. */
	for (size_t i = 0; i < NCOMMANDS; i++)
		all[i] = commands[i].opts;
	all[NCOMMANDS] = top_opts;
	all[NCOMMANDS + 1] = NULL;
	for (int i = 1; i < argc && nwords < 2; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (++i < argc && nwords < 2)
				words[nwords++] = argv[i];
			break;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			if (opts_takes_next(all, argv[i]))
				i++;
			continue;
		}
		words[nwords++] = argv[i];
	}
	if (nwords == 0) {
		tables[0] = top_opts;
		tables[1] = NULL;
	} else {
		row = find_row(words, nwords, &known);
		if (!known) {
			fprintf(stderr, _("intake: unknown command '%s': see `intake --help`\n"),
			    words[0]);
			return EXIT_USAGE;
		}
		family = family_tables(words[0], tables);
		if (row != NULL) {
			tables[0] = row->opts;
			tables[1] = NULL;
			sub = row_sub(row, subbuf, sizeof subbuf);
			snprintf(what, sizeof what, "%s%s%s", row->name, sub ? " " : "",
			    sub ? sub : "");
		} else {
			snprintf(what, sizeof what, "%s", family->name);
		}
	}
	if ((pos = calloc((size_t)argc + 1, sizeof *pos)) == NULL) {
		fprintf(stderr, "%s", _("intake: out of memory\n"));
		return EXIT_FAIL;
	}
	switch (opts_parse(tables, &c, argc - 1, argv + 1, pos, &npos, &bad)) {
	case OPTS_OK:
		break;
	case OPTS_HELP:
		if (nwords == 0)
			usage(stdout);
		else if (row != NULL)
			row_usage(stdout, row);
		else
			command_usage(stdout, family->name);
		rc = EXIT_OK;
		goto out;
	case OPTS_UNKNOWN:
		rc = refuse(bad, what, row);
		goto out;
	default:
		rc = EXIT_USAGE;
		goto out;
	}
	if (c.help_man) {
		man_page(stdout);
		rc = EXIT_OK;
		goto out;
	}
	if (c.version) {
		printf("intake %s (vault format %d)\n", INTAKE_VERSION, VAULT_FORMAT);
		rc = EXIT_OK;
		goto out;
	}
	/* Training commands work on the training vault unless told otherwise. */
	if (npos > 0 && strcmp(pos[0], "training") == 0)
		c.training = 1;
	if (c.vault_dir == NULL) {
		if (vault_default_dir(c.vault_buf, sizeof c.vault_buf,
		    c.training ? "training" : "vault") != ST_OK) {
			fprintf(stderr, "%s", _("intake: cannot work out the default vault "
			    "directory (set HOME or XDG_DATA_HOME, or use --vault DIR)\n"));
			rc = EXIT_USAGE;
			goto out;
		}
		c.vault_dir = c.vault_buf;
	}
	if (npos == 0) {
		if (c.as != NULL)
			c.user = c.as;
		if (c.lang != NULL && i18n_code(c.lang) == NULL) {
			fprintf(stderr, _("intake: --lang %s: the program's screens come in en, lo, "
			    "th and zh\n"), c.lang);
			rc = EXIT_USAGE;
			goto out;
		}
		if (c.lang != NULL)
			i18n_pin();     /* a language saved in the vault does not replace it */
		if (i18n_set(c.lang ? i18n_code(c.lang) : i18n_from_env(), NULL, err,
		    sizeof err) != ST_OK)
			fprintf(stderr, _("intake: %s; the screens are in English\n"), err);
		if (term_locale_init(err, sizeof err) != 0) {
			fprintf(stderr, "intake: %s\n", err);
			rc = EXIT_FAIL;
			goto out;
		}
		if (c.training && !vault_exists(c.vault_dir)) {
			/* The training vault is made on first use, by whoever
			 * runs the training: they become its supervisor. */
			fprintf(stderr, _("No training vault yet at %s: creating it "
			    "(fictional cases only).\n"), c.vault_dir);
			if ((rc = cmd_init(&c)) != EXIT_OK)
				goto out;
		}
		rc = app_run(c.vault_dir, c.user, c.training != 0, idle_seconds());
		goto out;
	}
	c.argc = npos - 1;
	c.argv = pos + 1;
	rc = (row != NULL ? row : family)->run(&c);
out:
	free(pos);
	return rc;
}
