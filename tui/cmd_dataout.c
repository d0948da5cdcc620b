/*
 * cmd_dataout.c — data leaving the vault: `intake export`, `stats`,
 * `keygen`, `bundle create|import`, `backup` and `restore`.
 *
 * Each of these is a supervisor's decision (backup and restore excepted:
 * they copy ciphertext only), and each that takes data out is recorded
 * through audit_note() once the data is read and before the first byte of
 * it is written: a run whose entry cannot be written writes nothing. Export
 * and bundle create therefore write into anonymous memory first (spool_*),
 * and only then into the file. A bundle import is recorded by the vault in
 * the import's own transaction. Only export writes plaintext, to a file the
 * supervisor named, and says so on stderr before it starts. What these
 * commands print from data (statistics tables, a bundle's manifest) goes
 * through outsafe.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "bundle.h"
#include "clock.h"
#include "cli.h"
#include "ctdc.h"
#include "dataset.h"
#include "export.h"
#include "formdir.h"
#include "i18n.h"
#include "outsafe.h"
#include "release.h"
#include "secret.h"
#include "stats.h"
#include "vault.h"

#define DEFAULT_KDF_MEM_MIB 64
#define KDF_TARGET_MS 500
#define BY_MAX 8

/* The one place where data-out commands leave their trace in the vault's
 * audit trail (audit_log_data): who, what, how many records, the options
 * and the file. EXIT_OK, or the exit code after saying that nothing was
 * written and why. */
static int
audit_note(struct vault *v, enum audit_action a, size_t count, const char *detail)
{
	char msg[768];
	enum status st = audit_log_data(v, a, count, detail);

	if (st == ST_OK)
		return EXIT_OK;
	snprintf(msg, sizeof msg, "refused: the %s could not be recorded in the audit trail "
	    "(%s), so nothing was written; fix that and run it again", audit_action_name(a),
	    vault_errmsg(v)[0] ? vault_errmsg(v) : status_str(st));
	return cli_fail(st, msg);
}

/* A file in memory (never on disk, gone at close) that holds an export or a
 * bundle until its audit entry is written. -1 with err set on failure. */
static int
spool_open(char *err, size_t errlen)
{
	int fd = memfd_create("intake-out", MFD_CLOEXEC);

	if (fd < 0)
		snprintf(err, errlen, "cannot make room in memory for the output: %s",
		    strerror(errno));
	return fd;
}

/* Copies the spool into fd (the file path) and syncs it. */
static enum status
spool_copy(int spool, int fd, const char *path, char *err, size_t errlen)
{
	char buf[16384];
	enum status st = ST_OK;
	ssize_t n, w;

	if (lseek(spool, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "cannot read back the output: %s", strerror(errno));
		return ST_IO;
	}
	while (st == ST_OK && (n = read(spool, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read back the output: %s", strerror(errno));
			st = ST_IO;
			break;
		}
		for (ssize_t off = 0; off < n; off += w) {
			w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0) {
				snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
				st = ST_IO;
				break;
			}
		}
	}
	explicit_bzero(buf, sizeof buf);
	if (st == ST_OK && fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		st = ST_IO;
	}
	return st;
}

/* The end of every export: st is how writing the spool went. On success
 * the audit entry is written, then the spool is copied into fd (path);
 * closes both. Anything that fails removes the file and says that nothing
 * was exported: EXIT_OK or the exit code. */
static int
export_finish(struct vault *v, enum status st, int spool, int fd, const char *path,
    size_t rows, const char *detail, char *err, size_t errlen)
{
	int rc = EXIT_OK;

	if (st == ST_OK) {
		if ((rc = audit_note(v, AUDIT_EXPORT, rows, detail)) != EXIT_OK) {
			close(spool);
			close(fd);
			unlink(path);
			return rc;
		}
		st = spool_copy(spool, fd, path, err, errlen);
	}
	close(spool);
	if (close(fd) != 0 && st == ST_OK) {
		st = ST_IO;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	}
	if (st != ST_OK) {
		unlink(path);
		rc = cli_fail(st, err);
		fprintf(stderr, "intake: nothing was exported (%s removed)\n", path);
	}
	return rc;
}

/* Exports read forms only for their referrals files: without a forms
 * directory they go on, reading none (formdir_find). */
static void
forms_dir(char *buf, size_t len)
{
	(void)formdir_find(buf, len);
}

/* Opens and unlocks the vault of real cases for a user who holds `right`
 * (core decides who does: vault_allowed); action names the command in the
 * refusal. */
static int
open_supervisor(struct cli *c, enum vault_right right, const char *action, struct vault **out)
{
	struct vault *v;
	char msg[256];
	int rc;

	if (c->training) {
		fprintf(stderr, "intake: %s works on real cases only: the training vault holds "
		    "fictional ones\n", action);
		return EXIT_DENIED;
	}
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	if (!vault_allowed(v, right)) {
		snprintf(msg, sizeof msg, "only a supervisor can %s; you are unlocked as %s (%s)",
		    action, vault_user(v), role_name(vault_role(v)));
		vault_close(v);
		return cli_fail(ST_DENIED, msg);
	}
	*out = v;
	return EXIT_OK;
}

static int
check_since(const struct cli *c)
{
	if (c->since != NULL && dataset_check_date(c->since) != ST_OK) {
		fprintf(stderr, "intake: --since wants a date as YYYY-MM-DD, e.g. 2024-03-01, not "
		    "'%s'\n", c->since);
		return -1;
	}
	return 0;
}

static void
report_left_out(const struct dataset_counts *n)
{
	if (n->training > 0)
		fprintf(stderr, "intake: left out %zu training record%s (fictional cases)\n",
		    n->training, n->training == 1 ? "" : "s");
	if (n->damaged > 0)
		fprintf(stderr, "intake: warning: left out %zu record%s that failed the integrity "
		    "check: the vault is damaged; restore it from a backup\n", n->damaged,
		    n->damaged == 1 ? "" : "s");
}

/* ---- export ---------------------------------------------------------------- */

/* export --format ctdc: the CTDC case-level file (core/ctdc.h). */
static int
export_ctdc(struct cli *c)
{
	char err[512] = "", dir[PATH_MAX], detail[PATH_MAX + 64];
	struct ctdc_result r;
	struct vault *v = NULL;
	enum status st;
	int rc, fd, spool;

	if (c->out == NULL || c->argc != 0 || c->form != NULL || c->since != NULL ||
	    c->lang != NULL) {
		fprintf(stderr, "intake: usage: intake export --format ctdc --out FILE (every "
		    "likely or possible victim who agreed to statistics; no --form, --since or "
		    "--lang)\n");
		return EXIT_USAGE;
	}
	if ((rc = open_supervisor(c, VAULT_RIGHT_EXPORT, "export records", &v)) != EXIT_OK)
		return rc;
	forms_dir(dir, sizeof dir);
	if ((fd = export_create(c->out, err, sizeof err)) < 0) {
		rc = cli_fail(ST_IO, err);
		goto out;
	}
	if ((spool = spool_open(err, sizeof err)) < 0) {
		close(fd);
		unlink(c->out);
		rc = cli_fail(ST_IO, err);
		goto out;
	}
	fprintf(stderr, "intake: warning: %s is PLAINTEXT case-level data: share it only under "
	    "a data-sharing agreement, and delete it when done.\n", c->out);
	st = ctdc_write(v, spool, dir, &r, err, sizeof err);
	snprintf(detail, sizeof detail, "ctdc, to %s", c->out);
	rc = export_finish(v, st, spool, fd, c->out, st == ST_OK ? r.rows : 0, detail, err,
	    sizeof err);
	if (rc != EXIT_OK)
		goto out;
	report_left_out(&r.counts);
	printf("Exported %zu person%s to %s (CTDC); %zu likely or possible victim%s left out "
	    "without statistics consent.\n", r.rows, r.rows == 1 ? "" : "s", c->out,
	    r.no_consent, r.no_consent == 1 ? "" : "s");
out:
	vault_close(v);
	return rc;
}

int
cmd_export(struct cli *c)
{
	char err[512] = "", dir[PATH_MAX], detail[PATH_MAX + 256];
	struct export_opts o = { EXPORT_CSV, c->form, c->since, c->lang, NULL };
	struct export_result r;
	struct vault *v = NULL;
	enum status st;
	int rc, fd, spool;

	if (c->format != NULL && strcmp(c->format, "ctdc") == 0)
		return export_ctdc(c);
	if (c->format != NULL && strcmp(c->format, "jsonl") == 0)
		o.format = EXPORT_JSONL;
	else if (c->format != NULL && strcmp(c->format, "csv") != 0) {
		fprintf(stderr, "intake: --format is csv, jsonl or ctdc\n");
		return EXIT_USAGE;
	}
	if (c->out == NULL || c->argc != 0) {
		fprintf(stderr, "intake: usage: intake export --format csv|jsonl --out FILE "
		    "[--form ID] [--since YYYY-MM-DD] [--lang L]\n");
		return EXIT_USAGE;
	}
	if (check_since(c) != 0)
		return EXIT_USAGE;
	if ((rc = open_supervisor(c, VAULT_RIGHT_EXPORT, "export records", &v)) != EXIT_OK)
		return rc;
	forms_dir(dir, sizeof dir);
	o.forms_dir = dir;
	if ((fd = export_create(c->out, err, sizeof err)) < 0) {
		rc = cli_fail(ST_IO, err);
		goto out;
	}
	if ((spool = spool_open(err, sizeof err)) < 0) {
		close(fd);
		unlink(c->out);
		rc = cli_fail(ST_IO, err);
		goto out;
	}
	fprintf(stderr, "intake: warning: %s is PLAINTEXT: anyone who gets this file can read "
	    "every answer in it. Keep it on an encrypted disk, share it only as agreed, and "
	    "delete it when done.\n", c->out);
	st = export_write(v, spool, &o, &r, err, sizeof err);
	snprintf(detail, sizeof detail, "%s, form %.64s, since %s, labels %.16s, to %s",
	    o.format == EXPORT_CSV ? "csv" : "jsonl", c->form ? c->form : "(all)",
	    c->since ? c->since : "(all)", c->lang ? c->lang : "(each form's)", c->out);
	rc = export_finish(v, st, spool, fd, c->out, st == ST_OK ? r.rows : 0, detail, err,
	    sizeof err);
	if (rc != EXIT_OK)
		goto out;
	report_left_out(&r.counts);
	printf("Exported %zu record%s to %s (%s).\n", r.rows, r.rows == 1 ? "" : "s", c->out,
	    o.format == EXPORT_CSV ? "CSV" : "JSON Lines");
out:
	vault_close(v);
	return rc;
}

/* ---- stats ------------------------------------------------------------------- */

/* Labels and values in a statistics table come from forms, some of them
 * imported: printed through the output filter, the CSV's CRLF row ends
 * kept as they are. */
static void
print_stats(const char *text, size_t len)
{
	size_t from = 0;

	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '\r' && text[i + 1] == '\n') {
			outsafe_textn(stdout, text + from, i - from, "");
			fputs("\r\n", stdout);
			from = i + 2;
			i++;
		}
	outsafe_textn(stdout, text + from, len - from, "");
}

int
cmd_stats(struct cli *c)
{
	char err[1536] = "", dir[PATH_MAX], detail[512], *by_copy = NULL;
	const char *cross[RELEASE_CROSS_MAX][2];
	struct release_opts o;
	struct release_result r;
	struct vault *v = NULL;
	enum status st;
	int rc, csv = 0;

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	if (c->format != NULL && strcmp(c->format, "csv") == 0)
		csv = 1;
	else if (c->format != NULL && strcmp(c->format, "table") != 0) {
		fprintf(stderr, "intake: --format is table or csv\n");
		return EXIT_USAGE;
	}
	if (c->argc != 1) {
		fprintf(stderr, "intake: usage: intake stats PERIOD [--by A,B[;C,D...]] [--k N] "
		    "[--format table|csv] [--ctdc]\n"
		    "intake: PERIOD is a year (2025), a quarter (2025-Q2) or a month (2025-04): "
		    "statistics are published as releases of closed periods, never as queries\n");
		return EXIT_USAGE;
	}
	if (c->since != NULL || c->form != NULL || c->lang != NULL) {
		fprintf(stderr, "intake: stats takes no --since, --form or --lang: a release counts "
		    "every interview of its period, so that no two published populations differ "
		    "by a few records\n");
		return EXIT_USAGE;
	}
	o.period = c->argv[0];
	o.k = c->k_set ? (unsigned)c->k : 0;
	if (c->k_set && stats_check_k(o.k, err, sizeof err) != ST_OK) {
		fprintf(stderr, "intake: %s\n", err);
		return EXIT_USAGE;
	}
	if (c->by != NULL) {
		char *save = NULL, *tok;

		if ((by_copy = strdup(c->by)) == NULL)
			return cli_fail(ST_NOMEM, NULL);
		/* "a,b;c,d": cross-tables separated by ';', fields by ','. */
		for (tok = strtok_r(by_copy, ";", &save); tok != NULL;
		    tok = strtok_r(NULL, ";", &save)) {
			char *comma = strchr(tok, ',');

			if (comma == NULL || strchr(comma + 1, ',') != NULL || comma == tok ||
			    comma[1] == '\0' || o.ncross == RELEASE_CROSS_MAX) {
				fprintf(stderr, "intake: --by names cross-tables of two fields each, "
				    "as A,B;C,D (at most %d)\n", RELEASE_CROSS_MAX);
				free(by_copy);
				return EXIT_USAGE;
			}
			*comma = '\0';
			cross[o.ncross][0] = tok;
			cross[o.ncross++][1] = comma + 1;
		}
		o.cross = (const char *const (*)[2])cross;
	}
	o.ctdc = c->ctdc;
	if ((rc = open_supervisor(c, VAULT_RIGHT_STATS, "produce statistics", &v)) != EXIT_OK)
		goto out;
	forms_dir(dir, sizeof dir);
	o.forms_dir = dir;
	/* A new release is made in the acting user's language (after unlock:
	 * their saved one) and kept as made. */
	o.words = &i18n_words;
	o.lang = i18n_current();
	if ((st = release_get(v, &o, &r, err, sizeof err)) != ST_OK) {
		rc = cli_fail(st, err);
		goto out;
	}
	snprintf(detail, sizeof detail, "release %.32s%s, k %u, cross-tables %.300s, %s to "
	    "standard output", o.period, r.made ? " (made now)" : " (published before)", r.k,
	    r.cross, csv ? "csv" : "table");
	if ((rc = audit_note(v, AUDIT_STATS, r.counted, detail)) != EXIT_OK)
		goto out;
	if (csv)
		print_stats(r.csv, r.csv_len);
	else
		print_stats(r.table, r.table_len);
	if (!r.made)
		fprintf(stderr, "intake: %s was released before: these are its published figures\n",
		    o.period);
out:
	release_result_free(&r);
	free(by_copy);
	vault_close(v);
	return rc;
}

/* ---- keys and bundles -------------------------------------------------------------- */

int
cmd_keygen(struct cli *c)
{
	char err[512] = "", fp[BUNDLE_FP_LEN];
	struct vault_kdf kdf = { c->kdf_ops, c->kdf_mem ? c->kdf_mem : DEFAULT_KDF_MEM_MIB };
	const char *name = c->site != NULL ? c->site : c->out;
	struct secret *pass;
	enum status st;
	int rc = EXIT_OK;

	if ((c->out == NULL) == (c->site == NULL) || c->argc != 0) {
		fprintf(stderr, "intake: usage: intake keygen --out NAME   (an office's key pair: "
		    "NAME.key and NAME.pub)\n       intake keygen --site NAME  (a field site's "
		    "signing key pair: NAME.key and NAME.pub)\n");
		return EXIT_USAGE;
	}
	if ((pass = cli_new_passphrase(c, "the secret key", &rc)) == NULL)
		return rc;
	if (kdf.ops == 0) {
		fprintf(stderr, "Measuring this machine to set passphrase hardening "
		    "(Argon2id, %llu MiB)...\n", (unsigned long long)kdf.mem_mib);
		if ((st = vault_kdf_calibrate(kdf.mem_mib, KDF_TARGET_MS, &kdf)) != ST_OK) {
			secret_free(pass);
			return cli_fail(st, "cannot calibrate the key derivation: use --kdf-ops N");
		}
	}
	st = c->site != NULL ? bundle_site_keygen(name, pass->buf, pass->len, &kdf, fp, err,
	    sizeof err) : bundle_keygen(name, pass->buf, pass->len, &kdf, fp, err, sizeof err);
	secret_free(pass);
	if (st != ST_OK)
		return cli_fail(st == ST_EXISTS ? ST_IO : st, err);
	if (c->site != NULL)
		printf("Wrote %s.key (this site's secret signing key: keep it here, never send it) "
		    "and %s.pub (give it to the office).\nKey fingerprint: %s. Read it to the office "
		    "by phone; they trust this site with `intake bundle trust NAME %s.pub`.\n",
		    name, name, fp, name);
	else
		printf("Wrote %s.key (the secret key: keep it at the office, never send it) and "
		    "%s.pub (give it to field sites).\nKey fingerprint: %s. Field sites should check "
		    "it with you by phone before they send bundles.\n", name, name, fp);
	return EXIT_OK;
}

/* NAME when it is a file, else NAME.EXT when that exists (--key office
 * may sit beside a directory called office). */
static const char *
key_path(const char *name, const char *ext, char *buf, size_t len)
{
	struct stat sb;

	if ((stat(name, &sb) == 0 && S_ISREG(sb.st_mode)) ||
	    snprintf(buf, len, "%s%s", name, ext) >= (int)len)
		return name;
	return stat(buf, &sb) == 0 ? buf : name;
}

static struct secret *
key_passphrase(struct cli *c, const char *path, int *rc)
{
	char err[256] = "", prompt[PATH_MAX + 32];
	struct secret *s;

	if (c->key_pass_fd >= 0)
		s = secret_read_fd(c->key_pass_fd, err, sizeof err);
	else if (c->key_pass_file != NULL)
		s = secret_read_file(c->key_pass_file, err, sizeof err);
	else {
		snprintf(prompt, sizeof prompt, "Passphrase of %s: ", path);
		s = secret_read_tty(prompt, 0, err, sizeof err);
	}
	if (s == NULL)
		*rc = cli_fail(ST_INVALID, err);
	return s;
}

static int
bundle_create_cmd(struct cli *c)
{
	char err[512] = "", dir[PATH_MAX], fp[BUNDLE_FP_LEN], detail[PATH_MAX + 128];
	char pbuf[PATH_MAX], kbuf[PATH_MAX];
	const char *pub, *kpath;
	unsigned char pk[CRYPTO_PK_BYTES];
	struct bundle_site *site = NULL;
	struct bundle_result r;
	struct secret *pass;
	struct vault *v = NULL;
	enum status st;
	int rc, fd, spool;

	if (c->to == NULL || c->out == NULL || c->key == NULL || c->argc != 1) {
		fprintf(stderr, "intake: usage: intake bundle create --to OFFICE[.pub] --key SITE[.key] "
		    "--out FILE [--since YYYY-MM-DD]\n");
		return EXIT_USAGE;
	}
	if (check_since(c) != 0)
		return EXIT_USAGE;
	pub = key_path(c->to, ".pub", pbuf, sizeof pbuf);
	kpath = key_path(c->key, ".key", kbuf, sizeof kbuf);
	if (bundle_pub_load(pub, pk, err, sizeof err) != ST_OK)
		return cli_fail(ST_INVALID, err);
	bundle_fingerprint(pk, fp);
	if ((rc = open_supervisor(c, VAULT_RIGHT_EXPORT, "make a transfer bundle", &v)) != EXIT_OK)
		return rc;
	if ((pass = key_passphrase(c, kpath, &rc)) == NULL)
		goto out;
	st = bundle_site_open(kpath, pass->buf, pass->len, &site, err, sizeof err);
	secret_free(pass);
	if (st != ST_OK) {
		rc = cli_fail(st, err);
		goto out;
	}
	forms_dir(dir, sizeof dir);
	if ((fd = export_create(c->out, err, sizeof err)) < 0) {
		rc = cli_fail(ST_IO, err);
		goto out;
	}
	if ((spool = spool_open(err, sizeof err)) < 0) {
		close(fd);
		unlink(c->out);
		rc = cli_fail(ST_IO, err);
		goto out;
	}
	st = bundle_create(v, site, pk, spool, c->since, dir, &r, err, sizeof err);
	if (st == ST_OK) {
		char what[64];

		if (c->since != NULL)
			snprintf(what, sizeof what, "records closed since %s", c->since);
		else if (r.after > 0)
			snprintf(what, sizeof what, "changes since bundle %llu", r.after);
		else
			snprintf(what, sizeof what, "every record");
		snprintf(detail, sizeof detail, "bundle %llu to key %s, %s, %zu version%s, %zu "
		    "deletion%s, in %s", r.seq, fp, what, r.versions, r.versions == 1 ? "" : "s",
		    r.deletions, r.deletions == 1 ? "" : "s", c->out);
		if ((rc = audit_note(v, AUDIT_BUNDLE_CREATE, r.records, detail)) != EXIT_OK) {
			close(spool);
			close(fd);
			unlink(c->out);
			goto out;
		}
		st = spool_copy(spool, fd, c->out, err, sizeof err);
	}
	close(spool);
	if (close(fd) != 0 && st == ST_OK) {
		st = ST_IO;
		snprintf(err, sizeof err, "cannot write %s: %s", c->out, strerror(errno));
	}
	/* Noted only once the file is whole: a bundle that was not written
	 * leaves the next one to carry the same changes. */
	if (st == ST_OK)
		st = bundle_sent(v, &r, err, sizeof err);
	if (st != ST_OK) {
		unlink(c->out);
		rc = cli_fail(st, err);
		goto out;
	}
	report_left_out(&r.counts);
	printf("Sealed bundle %llu%s: %zu record%s (%zu version%s), %zu deletion%s, %zu form%s, "
	    "%llu bytes, into %s for key %s.\nOnly the holder of that key's secret key can open "
	    "it; this vault cannot.\n", r.seq, r.after ? "" : " (needs no earlier bundle)",
	    r.records, r.records == 1 ? "" : "s", r.versions, r.versions == 1 ? "" : "s",
	    r.deletions, r.deletions == 1 ? "" : "s", r.forms, r.forms == 1 ? "" : "s", r.bytes,
	    c->out, fp);
out:
	bundle_site_free(site);
	vault_close(v);
	return rc;
}

static int
bundle_import_cmd(struct cli *c)
{
	char err[1024] = "", kbuf[PATH_MAX], want[BUNDLE_FP_LEN], have[BUNDLE_FP_LEN];
	char detail[PATH_MAX + 128], site[VAULT_USER_MAX + 1];
	const char *file, *kpath;
	struct bundle_key *key = NULL;
	struct bundle_result r;
	struct secret *pass = NULL;
	struct vault *v = NULL;
	enum status st;
	int rc;

	if (c->key == NULL || c->argc != 2) {
		fprintf(stderr, "intake: usage: intake bundle import FILE --key NAME[.key]\n");
		return EXIT_USAGE;
	}
	file = c->argv[1];
	kpath = key_path(c->key, ".key", kbuf, sizeof kbuf);
	/* Checked before any passphrase is asked for. */
	if ((st = bundle_recipient(file, want, err, sizeof err)) != ST_OK)
		return cli_fail(st == ST_NOTFOUND ? ST_IO : st, err);
	if ((st = bundle_key_fingerprint(kpath, have, err, sizeof err)) != ST_OK)
		return cli_fail(st, err);
	if (strcmp(want, have) != 0) {
		fprintf(stderr, "intake: %s is sealed to another key (%s), not to %s (%s): import "
		    "it with the key it was made for; nothing was imported\n", file, want, kpath, have);
		return EXIT_INVALID;
	}
	if ((rc = open_supervisor(c, VAULT_RIGHT_AMEND_ALL, "import a transfer bundle",
	    &v)) != EXIT_OK)
		return rc;
	/* The signer, signature and numbering too: no passphrase for a bundle
	 * that cannot be imported. */
	if ((st = bundle_sender(v, file, site, err, sizeof err)) != ST_OK) {
		rc = cli_fail(st == ST_NOTFOUND ? ST_IO : st, err);
		goto out;
	}
	if ((pass = key_passphrase(c, kpath, &rc)) == NULL)
		goto out;
	st = bundle_key_open(kpath, pass->buf, pass->len, &key, err, sizeof err);
	secret_free(pass);
	if (st != ST_OK) {
		rc = cli_fail(st, err);
		goto out;
	}
	snprintf(detail, sizeof detail, "from %s, site %s, key %s", file, site, have);
	vault_import_note(v, detail);
	st = bundle_import(v, key, file, &r, err, sizeof err);
	if (st != ST_OK) {
		rc = cli_fail(st == ST_NOTFOUND ? ST_IO : st, err);
		goto out;
	}
	{
		char created[4 * sizeof r.created], name[4 * sizeof r.site];

		/* The manifest's words are the sender's: the core checks them,
		 * and they are shown through the output filter all the same. */
		printf("Imported %zu new record%s from ", r.imported, r.imported == 1 ? "" : "s");
		outsafe_put(stdout, file);
		printf(" (bundle %llu of site %s, made %s); %zu amendment%s and %zu deletion%s "
		    "applied; %zu record%s already here unchanged.\n", r.seq,
		    outsafe_str(name, sizeof name, r.site),
		    outsafe_str(created, sizeof created, r.created), r.amended,
		    r.amended == 1 ? "" : "s", r.deleted, r.deleted == 1 ? "" : "s", r.skipped,
		    r.skipped == 1 ? "" : "s");
	}
out:
	bundle_key_free(key);
	vault_close(v);
	return rc;
}

static int
bundle_trust_cmd(struct cli *c)
{
	char err[1024] = "", fp[BUNDLE_FP_LEN];
	struct vault *v = NULL;
	enum status st;
	int rc;

	if (c->argc != 3) {
		fprintf(stderr, "intake: usage: intake bundle trust NAME SITE.pub\n");
		return EXIT_USAGE;
	}
	if ((rc = open_supervisor(c, VAULT_RIGHT_USERS, "trust a field site", &v)) != EXIT_OK)
		return rc;
	st = bundle_trust(v, c->argv[1], c->argv[2], fp, err, sizeof err);
	if (st != ST_OK)
		rc = cli_fail(st, err);
	else
		printf("Trusted site %s, key fingerprint %s: its signed bundles import here.\n"
		    "Check the fingerprint with the site by phone (`intake keygen --site` printed "
		    "it there).\n", c->argv[1], fp);
	vault_close(v);
	return rc;
}

static int
bundle_untrust_cmd(struct cli *c)
{
	char err[1024] = "";
	struct vault *v = NULL;
	enum status st;
	int rc;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake bundle untrust NAME\n");
		return EXIT_USAGE;
	}
	if ((rc = open_supervisor(c, VAULT_RIGHT_USERS, "stop trusting a field site", &v)) != EXIT_OK)
		return rc;
	st = bundle_untrust(v, c->argv[1], err, sizeof err);
	if (st != ST_OK)
		rc = cli_fail(st, err);
	else
		printf("Site %s is no longer trusted: its bundles are refused here. Records already "
		    "imported from it stay.\n", c->argv[1]);
	vault_close(v);
	return rc;
}

static int
bundle_trusted_cmd(struct cli *c)
{
	struct vault_site *list = NULL;
	struct vault *v = NULL;
	size_t n = 0;
	enum status st;
	int rc;

	if (c->argc != 1) {
		fprintf(stderr, "intake: usage: intake bundle trusted\n");
		return EXIT_USAGE;
	}
	if ((rc = open_supervisor(c, VAULT_RIGHT_USERS, "list the trusted sites", &v)) != EXIT_OK)
		return rc;
	if ((st = vault_site_list(v, &list, &n)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	if (n == 0)
		printf("No site is trusted: `intake bundle trust NAME SITE.pub` adds one.\n");
	for (size_t i = 0; i < n; i++) {
		char fp[BUNDLE_FP_LEN], when[CLOCK_TEXT_SIZE] = "?", name[4 * sizeof list[i].name];

		bundle_fingerprint(list[i].pk, fp);
		if (list[i].trusted_at <= (uint64_t)CLOCK_MAX)
			(void)clock_format((time_t)list[i].trusted_at, CLOCK_ISO, when);
		printf("%-20s %s  last bundle %llu  trusted %s by ", outsafe_str(name, sizeof name,
		    list[i].name), fp, (unsigned long long)list[i].last_seq, when);
		printf("%s\n", outsafe_str(name, sizeof name, list[i].trusted_by));
	}
out:
	free(list);
	vault_close(v);
	return rc;
}

int
cmd_bundle(struct cli *c)
{
	const char *sub = c->argc > 0 ? c->argv[0] : "";

	if (strcmp(sub, "create") == 0)
		return bundle_create_cmd(c);
	if (strcmp(sub, "import") == 0)
		return bundle_import_cmd(c);
	if (strcmp(sub, "trust") == 0)
		return bundle_trust_cmd(c);
	if (strcmp(sub, "untrust") == 0)
		return bundle_untrust_cmd(c);
	if (strcmp(sub, "trusted") == 0)
		return bundle_trusted_cmd(c);
	fprintf(stderr, "intake: usage: intake bundle create --to OFFICE.pub --key SITE.key --out "
	    "FILE [--since D] | import FILE --key OFFICE | trust NAME SITE.pub | untrust NAME | "
	    "trusted\n");
	return EXIT_USAGE;
}

/* ---- backup and restore ------------------------------------------------------------- */

/* Copies the vault at from into the new directory to and opens the copy. */
static int
copy_vault(const char *from, const char *to, int restore)
{
	struct vault *v = vault_new(), *copy = NULL;
	enum status st;
	int rc = EXIT_OK;

	if (v == NULL)
		return cli_fail(ST_NOMEM, NULL);
	if ((st = vault_open(v, from)) != ST_OK || (st = vault_backup(v, to)) != ST_OK) {
		rc = cli_fail(st == ST_EXISTS ? ST_IO : st, vault_errmsg(v));
		goto out;
	}
	if ((copy = vault_new()) == NULL || (st = vault_open(copy, to)) != ST_OK) {
		rc = cli_fail(copy ? st : ST_NOMEM, copy ? vault_errmsg(copy) : NULL);
		goto out;
	}
	if (restore)
		printf("Restored %s into %s.\n", from, to);
	else
		printf("Backed up %s to %s (still encrypted, same users and passphrases).\n"
		    "Open it with: intake --vault %s\n", from, to, to);
out:
	vault_close(copy);
	vault_close(v);
	return rc;
}

int
cmd_backup(struct cli *c)
{
	if (c->argc != 1) {
		fprintf(stderr, "intake: usage: intake backup DEST   (a new or empty directory)\n");
		return EXIT_USAGE;
	}
	return copy_vault(c->vault_dir, c->argv[0], 0);
}

int
cmd_restore(struct cli *c)
{
	if (c->argc != 1) {
		fprintf(stderr, "intake: usage: intake restore BACKUP [--vault DIR]   (DIR must "
		    "not hold a vault)\n");
		return EXIT_USAGE;
	}
	return copy_vault(c->argv[0], c->vault_dir, 1);
}
