/*
 * cli.c — helpers shared by the commands: opening and unlocking the vault,
 * reading passphrases, turning status codes into exit codes, interviewing
 * from an answers file.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <langinfo.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uniwidth.h>

#include "cli.h"
#include "form.h"
#include "i18n.h"
#include "interview.h"
#include "outsafe.h"
#include "secret.h"
#include "vault.h"

int
cli_exit_code(enum status st)
{
	switch (st) {
	case ST_OK: return EXIT_OK;
	case ST_AUTH: return EXIT_AUTH;
	case ST_NOTFOUND: return EXIT_NOVAULT;
	case ST_FORMAT: return EXIT_NOVAULT;
	case ST_TAMPERED: return EXIT_TAMPERED;
	case ST_INVALID: return EXIT_INVALID;
	case ST_DENIED: return EXIT_DENIED;
	default: return EXIT_FAIL;
	}
}

int
cli_fail(enum status st, const char *msg)
{
	/* Messages name users, files and forms: data, shown through the filter. */
	fputs("intake: ", stderr);
	outsafe_put(stderr, msg && *msg ? msg : status_str(st));
	fputc('\n', stderr);
	return cli_exit_code(st);
}

int
cli_open(struct cli *c, struct vault **out)
{
	struct vault *v = vault_new();
	enum status st;
	int rc;

	if (v == NULL)
		return cli_fail(ST_NOMEM, NULL);
	st = vault_open(v, c->vault_dir);
	if (st == ST_NOTFOUND && c->training) {
		/* `intake init` would make a real vault here. */
		fputs("intake: no training vault at ", stderr);
		outsafe_put(stderr, c->vault_dir);
		fputs(": create one with `intake --training init`\n", stderr);
		vault_close(v);
		return cli_exit_code(st);
	}
	if (st != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		vault_close(v);
		return rc;
	}
	*out = v;
	return EXIT_OK;
}

struct secret *
cli_passphrase(struct cli *c, const char *prompt, int *rc)
{
	char err[256] = "";
	struct secret *s;

	if (c->pass_fd >= 0)
		s = secret_read_fd(c->pass_fd, err, sizeof err);
	else if (c->pass_file != NULL)
		s = secret_read_file(c->pass_file, err, sizeof err);
	else
		s = secret_read_tty(prompt, 0, err, sizeof err);
	if (s == NULL)
		*rc = cli_fail(ST_INVALID, err);
	return s;
}

/* A passphrase being set: from fd or file when given, else asked twice. */
static struct secret *
passphrase_to_set(int fd, const char *file, const char *who, int *rc)
{
	char err[256] = "", prompt[160];
	struct secret *s, *again;

	if (fd >= 0)
		s = secret_read_fd(fd, err, sizeof err);
	else if (file != NULL)
		s = secret_read_file(file, err, sizeof err);
	else {
		snprintf(prompt, sizeof prompt, "New passphrase for %s (at least %d characters): ",
		    who, VAULT_PASS_MIN);
		s = secret_read_tty(prompt, 0, err, sizeof err);
		if (s != NULL) {
			again = secret_read_tty("Repeat it: ", 0, err, sizeof err);
			if (again == NULL) {
				secret_free(s);
				s = NULL;
			} else if (!secret_equal(s, again)) {
				secret_free(s);
				secret_free(again);
				*rc = cli_fail(ST_INVALID, "the two passphrases differ; nothing was changed");
				return NULL;
			} else
				secret_free(again);
		}
	}
	if (s == NULL) {
		*rc = cli_fail(ST_INVALID, err);
		return NULL;
	}
	if (vault_check_passphrase(s->buf, s->len, err, sizeof err) != ST_OK) {
		secret_free(s);
		*rc = cli_fail(ST_INVALID, err);
		return NULL;
	}
	return s;
}

struct secret *
cli_new_passphrase(struct cli *c, const char *who, int *rc)
{
	return passphrase_to_set(c->new_pass_fd, c->new_pass_file, who, rc);
}

struct secret *
cli_first_passphrase(struct cli *c, const char *who, int *rc)
{
	return passphrase_to_set(c->pass_fd, c->pass_file, who, rc);
}

/* The acting user: --user, else asked on the terminal into buf. */
static const char *
acting_user(struct cli *c, char *buf, size_t len, int *rc)
{
	char err[256] = "";
	struct secret *s;

	if (c->as != NULL)
		return c->as;
	if (c->user != NULL)
		return c->user;
	s = secret_read_tty("User: ", 1, err, sizeof err);
	if (s == NULL) {
		*rc = cli_fail(ST_INVALID, strstr(err, "no terminal") ?
		    "no terminal to ask on: name the acting user with --user NAME (or --as NAME)" :
		    err);
		return NULL;
	}
	if (s->len >= len) {
		secret_free(s);
		*rc = cli_fail(ST_INVALID, "user name too long");
		return NULL;
	}
	memcpy(buf, s->buf, s->len + 1);
	secret_free(s);
	return buf;
}

static void
cli_sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Whether the terminal's locale (LC_CTYPE from the environment) writes
 * UTF-8, so that Lao, Thai and Chinese text can be shown. The process's
 * own LC_CTYPE is left as it was: only the answer is wanted. */
static bool
cli_terminal_utf8(void)
{
	const char *was = setlocale(LC_CTYPE, NULL), *cs;
	char saved[64];
	bool utf8 = false;

	if (was == NULL || strlen(was) >= sizeof saved)
		return false;
	memcpy(saved, was, strlen(was) + 1);
	if (setlocale(LC_CTYPE, "") != NULL) {
		cs = nl_langinfo(CODESET);
		utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	}
	(void)setlocale(LC_CTYPE, saved);
	return utf8;
}

/*
 * After an unlock: the output follows the acting user's saved interface
 * language (i18n.h, source 3), as the screens do, unless --lang or
 * INTAKE_LANG was given or the terminal cannot show it (its locale is not
 * UTF-8, or not installed: the language stays the environment's, English
 * under C or POSIX). A missing catalog leaves the language as it was.
 */
static void
cli_apply_saved_lang(struct cli *c, struct vault *v)
{
	char saved[16], err[256];
	const char *code;

	if (c->lang != NULL || i18n_given() || !cli_terminal_utf8())
		return;
	if (vault_pref_get(v, "lang", saved, sizeof saved) != ST_OK)
		return;
	code = i18n_code(saved);
	if (code != NULL && strcmp(code, saved) == 0 && strcmp(code, i18n_current()) != 0)
		(void)i18n_set(code, NULL, err, sizeof err);
}

int
cli_open_unlocked(struct cli *c, struct vault **out)
{
	char namebuf[VAULT_USER_MAX * 4 + 1];
	const char *user;
	struct secret *pass;
	struct vault *v;
	enum status st;
	int rc = EXIT_OK;

	if ((rc = cli_open(c, &v)) != EXIT_OK)
		return rc;
	if ((user = acting_user(c, namebuf, sizeof namebuf, &rc)) == NULL)
		goto fail;
	if ((pass = cli_passphrase(c, "Passphrase: ", &rc)) == NULL)
		goto fail;
	/* Paced unlocks: a turn given for later is waited for here, once, in
	 * plain sight (Ctrl-C gives up), then taken. */
	st = vault_unlock(v, user, pass->buf, pass->len);
	for (int said = 0; st == ST_BUSY && vault_unlock_wait_ms(v) > 0; said = 1) {
		if (!said)
			fprintf(stderr, "intake: %s. Waiting for it (Ctrl-C gives up)...\n",
			    vault_errmsg(v));
		cli_sleep_ms(vault_unlock_wait_ms(v));
		st = vault_unlock(v, user, pass->buf, pass->len);
	}
	secret_free(pass);
	if (st != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto fail;
	}
	cli_apply_saved_lang(c, v);
	*out = v;
	return EXIT_OK;
fail:
	vault_close(v);
	return rc;
}

_Static_assert(sizeof ((struct cli *)0)->reason_buf > VAULT_REASON_MAX + 2,
    "the reason buffer holds a reason of the longest kind, its newline and one byte more");

int
cli_read_reason(struct cli *c)
{
	const bool in = strcmp(c->reason_file, "-") == 0;
	const char *name = in ? "standard input" : c->reason_file;
	size_t len = 0, cap = sizeof c->reason_buf - 1;
	int fd, e = 0;

	if (c->reason != NULL) {
		fprintf(stderr, "intake: give --reason or --reason-file, not both\n");
		return EXIT_USAGE;
	}
	if (in && (c->pass_fd == 0 || c->new_pass_fd == 0)) {
		fprintf(stderr, "intake: --reason-file - and --passphrase-fd 0 both read standard "
		    "input: give the reason or the passphrase in a file\n");
		return EXIT_USAGE;
	}
	fd = in ? STDIN_FILENO : open(c->reason_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "intake: cannot read the reason from %s: %s\n", name, strerror(errno));
		return EXIT_FAIL;
	}
	/* One byte more than any valid reason and its newline tells "too long". */
	while (len < cap) {
		ssize_t n = read(fd, c->reason_buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			e = errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (!in)
		close(fd);
	if (e != 0) {
		explicit_bzero(c->reason_buf, sizeof c->reason_buf);
		fprintf(stderr, "intake: cannot read the reason from %s: %s\n", name, strerror(e));
		return EXIT_FAIL;
	}
	/* A NUL would end the reason early and keep the rest out of the trail. */
	if (memchr(c->reason_buf, '\0', len) != NULL) {
		explicit_bzero(c->reason_buf, sizeof c->reason_buf);
		fprintf(stderr, "intake: the reason in %s holds a NUL byte: give plain text\n", name);
		return EXIT_INVALID;
	}
	if (len > 0 && c->reason_buf[len - 1] == '\n')
		len--;
	if (len > 0 && c->reason_buf[len - 1] == '\r')
		len--;
	c->reason_buf[len] = '\0';
	if (len > VAULT_REASON_MAX) {
		explicit_bzero(c->reason_buf, sizeof c->reason_buf);
		fprintf(stderr, "intake: the reason in %s is longer than %d bytes: say it shorter\n",
		    name, VAULT_REASON_MAX);
		return EXIT_INVALID;
	}
	c->reason = c->reason_buf;
	return EXIT_OK;
}

int
cli_load_answers(const char *path, json_t **out)
{
	json_error_t jerr;
	json_t *answers = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (answers == NULL || !json_is_object(answers)) {
		fputs("intake: ", stderr);
		outsafe_put(stderr, path);
		fprintf(stderr, ":%d:%d: ", jerr.line, jerr.column);
		/* jansson's words may quote the file. */
		outsafe_put(stderr, answers ? "the answers must be one JSON object "
		    "{\"question_id\": answer}" : jerr.text);
		fputc('\n', stderr);
		json_decref(answers);
		return EXIT_INVALID;
	}
	*out = answers;
	return EXIT_OK;
}

int
cli_interview(struct cli *c, struct vault *v, const struct form *f, json_t *answers,
    int training, const char *what, struct interview **out)
{
	char err[512] = "";
	struct interview *iv = NULL;
	enum status st;

	*out = NULL;
	st = interview_start(f, c->lang, &iv);
	if (st == ST_NOTFOUND) {
		fputs("intake: form '", stderr);
		outsafe_put(stderr, form_id(f));
		fputs("' has no language '", stderr);
		outsafe_put(stderr, c->lang);
		fputs("'\n", stderr);
		return EXIT_INVALID;
	}
	if (st != ST_OK)
		return cli_fail(st, NULL);
	interview_set_interviewer(iv, vault_user(v));
	interview_set_training(iv, training != 0);
	/* Its errors are for the interviewer: in the interface language. */
	(void)interview_set_msg_lang(iv, i18n_current());
	if (interview_apply_answers(iv, answers, err, sizeof err) != ST_OK) {
		fputs("intake: invalid answer: ", stderr);
		outsafe_put(stderr, err);
		fputs("\nNothing was saved.\n", stderr);
		goto fail;
	}
	if (interview_state(iv) == IV_IN_PROGRESS && interview_finish(iv) != ST_OK) {
		int q = interview_current(iv);

		fprintf(stderr, "intake: %s is not complete: ", what);
		outsafe_put(stderr, q >= 0 ? form_question_id(f, (size_t)q) : "");
		fputs(q >= 0 ? ": " : "", stderr);
		outsafe_put(stderr, interview_error(iv));
		fputs("\nNothing was saved.\n", stderr);
		goto fail;
	}
	*out = iv;
	return EXIT_OK;
fail:
	interview_free(iv);
	return EXIT_INVALID;
}

void
cli_put_col(const char *s, int width)
{
	int w = u8_strwidth((const uint8_t *)s, "UTF-8");

	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
}
