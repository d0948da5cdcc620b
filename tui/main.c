/*
 * main.c — the `intake` program: hardening, options, command dispatch.
 */
#include <getopt.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "crypto.h"
#include "harden.h"
#include "term.h"
#include "vault.h"

static const struct command commands[] = {
	{ "init", cmd_init, "init [--user NAME] [--group G] [--kdf-ops N --kdf-mem MiB]",
	  "create a vault and its first supervisor" },
	{ "user", cmd_user, "user add NAME --role ROLE | list | remove NAME | passwd [NAME]",
	  "manage the vault's users (supervisor)" },
	{ "forms", cmd_forms, "forms check FILE... | forms list",
	  "check questionnaires; list the installed ones" },
	{ "forms", cmd_forms, "forms import FILE.xlsx [--out FORM.yaml]",
	  "turn an XLSForm workbook into a form, checked" },
	{ "record", cmd_record, "record add --form F --answers A.json [--lang L]",
	  "save a record from answers (as typed on paper)" },
	{ "training", cmd_training, "training list | card SCENARIO [--lang L] | check FILE...",
	  "fictional scenarios for mock screenings; the role-player's card" },
	{ "training", cmd_training, "training score SCENARIO --answers A.json | report",
	  "debrief a mock screening taken on paper; trainees' scores" },
	{ "record", cmd_record, "record list | show CODE [--format text|json]",
	  "list the records you may see; show one" },
	{ "record", cmd_record, "record amend CODE --answers A.json --reason TEXT",
	  "change answers of a saved record, keeping the earlier version" },
	{ "record", cmd_record, "record delete CODE --reason TEXT",
	  "delete a record and its earlier versions (supervisor)" },
	{ "record", cmd_record, "record history CODE [--format text|json]",
	  "every earlier version of a record (supervisor)" },
	{ "audit", cmd_audit, "audit [--user U] [--since YYYY-MM-DD] [--as NAME]",
	  "list the audit trail (supervisor)" },
	{ "audit", cmd_audit, "audit head",
	  "print the head of the audit trail, to note outside the server" },
	{ "verify", cmd_verify, "verify [--head SEQ:HASH] [--rebuild-listing]",
	  "check every entry, record, draft and key; exit 5 on damage" },
	{ "export", cmd_export, "export --format csv|jsonl|ctdc --out FILE [--form ID] [--since D]",
	  "records as a plaintext file (supervisor)" },
	{ "stats", cmd_stats, "stats PERIOD [--by A,B;C,D] [--k N] [--format table|csv] [--ctdc]",
	  "release anonymous counts of a closed period (supervisor)" },
	{ "keygen", cmd_keygen, "keygen --out NAME",
	  "make NAME.key and NAME.pub for sealed bundles" },
	{ "bundle", cmd_bundle, "bundle create --to NAME.pub --out FILE | import FILE --key NAME",
	  "sealed transfer of records to an office (supervisor)" },
	{ "backup", cmd_backup, "backup DEST",
	  "a compact, consistent copy of the vault (still encrypted)" },
	{ "restore", cmd_restore, "restore BACKUP [--vault DIR]",
	  "make a vault again from a backup" },
};

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
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  intake %-58s %s\n", commands[i].usage, commands[i].summary);
	fprintf(f,
	    "\n"
	    "Options:\n"
	    "  --vault DIR              the vault (default $XDG_DATA_HOME/intake/vault,\n"
	    "                           else ~/.local/share/intake/vault)\n"
	    "  --user NAME              the acting user (asked when absent); for audit,\n"
	    "                           the user whose entries to list\n"
	    "  --as NAME                the acting user (where --user means something else)\n"
	    "  --passphrase-fd N        read the acting user's passphrase from descriptor N\n"
	    "  --passphrase-file F      read it from file F (one trailing newline removed)\n"
	    "  --new-passphrase-fd N    a new user's or a new passphrase, from descriptor N\n"
	    "  --new-passphrase-file F  ... or from file F\n"
	    "  --role ROLE              supervisor, interviewer or trainer (user add)\n"
	    "  --kdf-ops N, --kdf-mem MiB  Argon2id cost for init and new users\n"
	    "                           (default: 64 MiB, ops calibrated to ~0.5 s here)\n"
	    "  --form FILE_OR_ID        the questionnaire (record add)\n"
	    "  --lang CODE              the respondent's language: en, lo, th, zh\n"
	    "  --answers FILE           answers as a JSON object {\"question_id\": answer}\n"
	    "  --format text|json       how record show and record history print\n"
	    "                           (export: csv|jsonl; stats: table|csv)\n"
	    "  --reason TEXT            why a record is amended or deleted (audited)\n"
	    "  --reason-file FILE       the same read from FILE, or stdin for -: out of\n"
	    "                           sight of `ps`, for anything sensitive\n"
	    "  --since YYYY-MM-DD       audit: entries from that day on (UTC); export,\n"
	    "                           bundle: records closed on or after that day\n"
	    "  --head SEQ:HASH          verify: a head printed earlier by `intake audit head`\n"
	    "  --rebuild-listing        verify: then make the case listing again from\n"
	    "                           the summaries (when verify reported it damaged)\n"
	    "  --group NAME             init: share the vault with this OS group (2770/0660)\n"
	    "  --out FILE               export / bundle file, keygen's NAME, imported form\n"
	    "  --by F1[,F2]             stats: fields to count by (one table per field\n"
	    "                           when absent)\n"
	    "  --k N                    stats: smallest count shown (default 11, at least 5)\n"
	    "  --ctdc                   stats: CTDC variable names and codes\n"
	    "  --to NAME.pub            bundle create: the office's public key\n"
	    "  --key NAME[.key]         bundle import: the office's secret key file\n"
	    "  --key-passphrase-fd N, --key-passphrase-file F  that key's passphrase\n"
	    "  -h, --help               this text\n"
	    "  -V, --version            the version\n"
	    "\n"
	    "Environment: INTAKE_IDLE_SECONDS locks the screen after that many seconds\n"
	    "without a key (default 300); NO_COLOR=1 turns colour off;\n"
	    "INTAKE_FORMS names the forms directory.\n"
	    "\n"
	    "Passphrases are never taken from the command line or the environment.\n"
	    "\n"
	    "Exit status:\n"
	    "  0 success                 4 no vault, not a vault, or a newer format\n"
	    "  1 the operation failed     5 data failed its integrity check\n"
	    "  2 bad command line         6 invalid input (name, passphrase, form, answers)\n"
	    "  3 wrong user or passphrase 7 not allowed for this user's role\n");
}

enum {
	OPT_VAULT = 256, OPT_USER, OPT_PASS_FD, OPT_PASS_FILE, OPT_NEW_PASS_FD,
	OPT_NEW_PASS_FILE, OPT_ROLE, OPT_KDF_OPS, OPT_KDF_MEM, OPT_LANG,
	OPT_FORMAT, OPT_FORM, OPT_ANSWERS, OPT_TRAINING, OPT_REASON, OPT_REASON_FILE, OPT_SINCE, OPT_HEAD,
	OPT_REBUILD_LISTING,
	OPT_GROUP, OPT_AS,
	OPT_OUT, OPT_BY, OPT_K, OPT_CTDC, OPT_TO, OPT_KEY, OPT_KEY_PASS_FD,
	OPT_KEY_PASS_FILE,
};

static const struct option longopts[] = {
	{ "vault", required_argument, NULL, OPT_VAULT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "passphrase-fd", required_argument, NULL, OPT_PASS_FD },
	{ "passphrase-file", required_argument, NULL, OPT_PASS_FILE },
	{ "new-passphrase-fd", required_argument, NULL, OPT_NEW_PASS_FD },
	{ "new-passphrase-file", required_argument, NULL, OPT_NEW_PASS_FILE },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "kdf-ops", required_argument, NULL, OPT_KDF_OPS },
	{ "kdf-mem", required_argument, NULL, OPT_KDF_MEM },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "form", required_argument, NULL, OPT_FORM },
	{ "answers", required_argument, NULL, OPT_ANSWERS },
	{ "training", no_argument, NULL, OPT_TRAINING },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "reason-file", required_argument, NULL, OPT_REASON_FILE },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "head", required_argument, NULL, OPT_HEAD },
	{ "rebuild-listing", no_argument, NULL, OPT_REBUILD_LISTING },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "as", required_argument, NULL, OPT_AS },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "by", required_argument, NULL, OPT_BY },
	{ "k", required_argument, NULL, OPT_K },
	{ "ctdc", no_argument, NULL, OPT_CTDC },
	{ "to", required_argument, NULL, OPT_TO },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "key-passphrase-fd", required_argument, NULL, OPT_KEY_PASS_FD },
	{ "key-passphrase-file", required_argument, NULL, OPT_KEY_PASS_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Parses a non-negative decimal that fits in [min, max]; -1 otherwise. */
static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_fd(const char *opt, const char *s, int *out)
{
	uint64_t v;

	if (parse_u64(s, 0, 1024, &v) != 0) {
		fprintf(stderr, "intake: %s wants a file descriptor number, not '%s'\n", opt, s);
		return -1;
	}
	*out = (int)v;
	return 0;
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

/* The idle lock: INTAKE_IDLE_SECONDS (5..86400), else 5 minutes. */
static int
idle_seconds(void)
{
	const char *s = getenv("INTAKE_IDLE_SECONDS");
	uint64_t v;

	if (s != NULL && parse_u64(s, 1, 86400, &v) == 0)
		return (int)v;
	return IDLE_DEFAULT_SECONDS;
}

int
main(int argc, char **argv)
{
	struct cli c;
	char err[256];
	int ch;

	if (harden_process(err, sizeof err) != 0) {
		fprintf(stderr, "intake: %s\n", err);
		return EXIT_FAIL;
	}
	/* Before any JSON is parsed: crypto_init installs the allocator that wipes
	 * jansson's memory on free, and every object must come from it. */
	if (crypto_init() != ST_OK) {
		fprintf(stderr, "intake: cannot initialise libsodium\n");
		return EXIT_FAIL;
	}
	memset(&c, 0, sizeof c);
	c.pass_fd = -1;
	c.new_pass_fd = -1;
	c.key_pass_fd = -1;

	/* Options may come before or after the command words (GNU permutation). */
	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_VAULT: c.vault_dir = optarg; break;
		case OPT_USER: c.user = optarg; break;
		case OPT_PASS_FD:
			if (parse_fd("--passphrase-fd", optarg, &c.pass_fd) != 0)
				return EXIT_USAGE;
			break;
		case OPT_PASS_FILE: c.pass_file = optarg; break;
		case OPT_NEW_PASS_FD:
			if (parse_fd("--new-passphrase-fd", optarg, &c.new_pass_fd) != 0)
				return EXIT_USAGE;
			break;
		case OPT_NEW_PASS_FILE: c.new_pass_file = optarg; break;
		case OPT_ROLE: c.role = optarg; break;
		case OPT_KDF_OPS:
			if (parse_u64(optarg, 1, 1000, &c.kdf_ops) != 0) {
				fprintf(stderr, "intake: --kdf-ops wants a number from 1 to 1000\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_KDF_MEM:
			if (parse_u64(optarg, 8, 1024, &c.kdf_mem) != 0) {
				fprintf(stderr, "intake: --kdf-mem wants MiB from 8 to 1024\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_LANG: c.lang = optarg; break;
		case OPT_FORMAT: c.format = optarg; break;
		case OPT_FORM: c.form = optarg; break;
		case OPT_ANSWERS: c.answers = optarg; break;
		case OPT_TRAINING: c.training = 1; break;
		case OPT_REASON: c.reason = optarg; break;
		case OPT_REASON_FILE: c.reason_file = optarg; break;
		case OPT_SINCE: c.since = optarg; break;
		case OPT_HEAD: c.head = optarg; break;
		case OPT_REBUILD_LISTING: c.rebuild_listing = 1; break;
		case OPT_GROUP: c.group = optarg; break;
		case OPT_AS: c.as = optarg; break;
		case OPT_OUT: c.out = optarg; break;
		case OPT_BY: c.by = optarg; break;
		case OPT_K:
			if (parse_u64(optarg, 0, 1000000, &c.k) != 0) {
				fprintf(stderr, "intake: --k wants a whole number, such as 11\n");
				return EXIT_USAGE;
			}
			c.k_set = 1;
			break;
		case OPT_CTDC: c.ctdc = 1; break;
		case OPT_TO: c.to = optarg; break;
		case OPT_KEY: c.key = optarg; break;
		case OPT_KEY_PASS_FD:
			if (parse_fd("--key-passphrase-fd", optarg, &c.key_pass_fd) != 0)
				return EXIT_USAGE;
			break;
		case OPT_KEY_PASS_FILE: c.key_pass_file = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("intake %s (vault format %d)\n", INTAKE_VERSION, VAULT_FORMAT); return EXIT_OK;
		default:
			fprintf(stderr, "intake: see `intake --help`\n");
			return EXIT_USAGE;
		}
	}
	/* Training commands work on the training vault unless told otherwise. */
	if (optind < argc && strcmp(argv[optind], "training") == 0)
		c.training = 1;
	if (c.vault_dir == NULL) {
		if (vault_default_dir(c.vault_buf, sizeof c.vault_buf,
		    c.training ? "training" : "vault") != ST_OK) {
			fprintf(stderr, "intake: cannot work out the default vault "
			    "directory (set HOME or XDG_DATA_HOME, or use --vault DIR)\n");
			return EXIT_USAGE;
		}
		c.vault_dir = c.vault_buf;
	}
	if (optind >= argc) {
		if (term_locale_init(err, sizeof err) != 0) {
			fprintf(stderr, "intake: %s\n", err);
			return EXIT_FAIL;
		}
		if (c.training && !vault_exists(c.vault_dir)) {
			int rc;

			/* The training vault is made on first use, by whoever
			 * runs the training: they become its supervisor. */
			fprintf(stderr, "No training vault yet at %s: creating it "
			    "(fictional cases only).\n", c.vault_dir);
			if ((rc = cmd_init(&c)) != EXIT_OK)
				return rc;
		}
		return app_run(c.vault_dir, c.user, c.training != 0, idle_seconds());
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			c.argc = argc - optind - 1;
			c.argv = argv + optind + 1;
			return commands[i].run(&c);
		}
	}
	fprintf(stderr, "intake: unknown command '%s': see `intake --help`\n", argv[optind]);
	return EXIT_USAGE;
}
