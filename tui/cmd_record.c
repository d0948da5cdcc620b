/*
 * cmd_record.c — `intake record add|list|show|amend|delete|history`: records
 * from the command line, through the same engine as answers typed in the
 * interview screen.
 *
 * `record show` and `record history` print a record's plaintext to stdout:
 * that is what they are for, only a user whose role may read the record gets
 * that far, and the viewing is in the audit trail before anything is shown.
 * Who may do what is never decided here: the vault's table of rights
 * (vault_allowed, vault_require) does, for the list (through caselist.h) as
 * for every read and write.
 *
 * The text of `record show` is in the interface language (i18n.h): its
 * headings and labels; the form's texts in the record's language or
 * --lang's, the answers as given.
 *
 * Everything printed from a record, a summary or a form goes through
 * outsafe.h; a multi-line answer or text is indented under its first line,
 * so that no answer can put a line of its own where the report's lines
 * start.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uniwidth.h>

#include "audit.h"
#include "caselist.h"
#include "clock.h"
#include "cli.h"
#include "form.h"
#include "formdir.h"
#include "i18n.h"
#include "interview.h"
#include "outsafe.h"
#include "record.h"
#include "vault.h"

/* Saves a finished or ended interview as a new record; prints its case code. */
static int
save_record(struct vault *v, struct interview *iv)
{
	struct record_id id;
	struct case_code code;
	enum status st;
	int o;

	if ((st = record_save(v, iv, &id)) != ST_OK)
		return cli_fail(st, st == ST_NOMEM ? NULL : vault_errmsg(v));
	record_id_code(&id, &code);
	o = interview_outcome(iv);
	printf("Saved case %s (%s", code.s, interview_status(iv));
	if (o >= 0) {
		printf(", outcome ");
		outsafe_put(stdout, form_outcome_id(interview_form(iv), (size_t)o));
	}
	for (size_t i = 0; i < form_flag_count(interview_form(iv)); i++)
		if (interview_flag_raised(iv, i)) {
			printf(", flag ");
			outsafe_put(stdout, form_flag_id(interview_form(iv), i));
		}
	printf(").\n");
	return EXIT_OK;
}

static int
record_add(struct cli *c)
{
	char msg[VAULT_MSG_MAX];
	struct vault *v = NULL;
	struct form *f = NULL;
	struct interview *iv = NULL;
	json_t *answers = NULL;
	enum status st;
	int rc;

	if (c->form == NULL || c->answers == NULL || c->argc != 1) {
		fprintf(stderr, "intake: usage: intake record add --form FILE_OR_ID "
		    "[--lang L] --answers ANSWERS.json\n");
		return EXIT_USAGE;
	}
	if ((st = formdir_load(c->form, &f)) != ST_OK)
		return cli_exit_code(st == ST_NOTFOUND ? ST_INVALID : st);
	if ((rc = cli_load_answers(c->answers, &answers)) != EXIT_OK ||
	    (rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		goto out;
	/* The vault's table of rights decides, as for every role question
	 * here; the one user it refuses a save once unlocked is a trainer
	 * outside the training vault. */
	if (!vault_allowed(v, VAULT_RIGHT_CREATE)) {
		rc = cli_fail(ST_DENIED, "a trainer works only in the training vault (--training)");
		goto out;
	}
	if ((st = record_attach_form(v, f, msg, sizeof msg)) != ST_OK) {
		rc = cli_fail(st, msg);
		goto out;
	}
	if ((rc = cli_interview(c, v, f, answers, c->training, "the record", &iv)) != EXIT_OK)
		goto out;
	rc = save_record(v, iv);
out:
	json_decref(answers);
	interview_free(iv);
	form_free(f);
	vault_close(v);
	return rc;
}

/* The case list's model (caselist.h) without drafts: the same rows, order
 * and owners as the case list screen, read from the vault's listing. A
 * summary that failed its integrity check fails the command (exit 5)
 * before anything is printed. */
static int
record_list(struct cli *c)
{
	struct caselist *cl = NULL;
	struct caselist_row r;
	struct vault *v = NULL;
	enum caselist_source src;
	enum status st;
	size_t n;
	int rc;

	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	if ((cl = caselist_new()) == NULL) {
		rc = cli_fail(ST_NOMEM, NULL);
		goto out;
	}
	caselist_set_options(cl, CASELIST_NO_DRAFTS | CASELIST_VERBATIM);
	if ((st = caselist_load(cl, v, &src)) != ST_OK) {
		rc = cli_fail(st, st == ST_NOMEM ? NULL : vault_errmsg(v));
		goto out;
	}
	n = caselist_shown(cl);
	for (size_t i = 0; i < n; i++)
		if (caselist_row(cl, i, &r) && r.damaged) {
			fprintf(stderr, "intake: the summary of case %s failed its integrity check: it "
			    "was altered, damaged, or copied from another record or vault; restore it "
			    "from a backup\n", r.code);
			rc = cli_exit_code(ST_TAMPERED);
			goto out;
		}
	printf("%-11s  %-10s  %-12s  %-16s  %-4s  %-8s  %s\n", "CASE", "DATE", "INTERVIEWER",
	    "FORM", "LANG", "STATUS", "OUTCOME");
	for (size_t i = 0; i < n && caselist_row(cl, i, &r); i++) {
		char started[16], who[256], form[256], lang[64], status[64], outcome[256];

		/* A summary is data (an imported one was made elsewhere): every
		 * field is shown through the output filter. */
		printf("%-11s  %-10.10s  %-12s  %-16s  %-4s  %-8s  %s\n", r.code,
		    outsafe_str(started, sizeof started, r.started),
		    outsafe_str(who, sizeof who, r.interviewer),
		    outsafe_str(form, sizeof form, r.form),
		    outsafe_str(lang, sizeof lang, r.lang),
		    outsafe_str(status, sizeof status, r.status),
		    outsafe_str(outcome, sizeof outcome, r.outcome));
	}
	printf("%zu record%s\n", n, n == 1 ? "" : "s");
out:
	caselist_free(cl);
	vault_close(v);
	return rc;
}

/* "label time UTC", the label padded to `width` columns so that the
 * times stand one under the other. */
static void
print_time(const char *label, int width, time_t t)
{
	char buf[CLOCK_TEXT_SIZE];
	int w = u8_strwidth((const uint8_t *)label, "UTF-8");

	if (t == 0)
		return;
	if (clock_format(t, CLOCK_MINUTES, buf))
		printf("%s%*s %s UTC\n", label, width > w ? width - w : 0, "", buf);
}

static const char *
consent_word(enum iv_consent c)
{
	return c == IV_CONSENT_YES ? _("yes") : c == IV_CONSENT_NO ? _("no") : _("not asked");
}

/* Writes "lead text\n": text in one line when single, else multi-line
 * text whose later lines start at `indent` (the lead's width, as spaces). */
static void
print_field(const char *lead, const char *text, const char *indent)
{
	fputs(lead, stdout);
	outsafe_text(stdout, text, indent);
	putchar('\n');
}

/* "word " into buf, for a lead of print_finding. */
static const char *
lead_of(char *buf, size_t size, const char *word)
{
	snprintf(buf, size, "%s ", word);
	return buf;
}

/* An outcome or a flag (item i): its label after lead, its advice, and its
 * referrals (nth gives the k-th), named in form language lang. */
static void
print_finding(const struct form *f, size_t lang, const char *lead, const char *label,
    const char *advice, size_t nrefs, size_t (*nth)(const struct form *, size_t, size_t), size_t i)
{
	printf("\n");
	print_field(lead, label, "  ");
	if (advice)
		print_field("  ", advice, "  ");
	for (size_t k = 0; k < nrefs; k++) {
		size_t r = nth(f, i, k);

		printf("  %s ", _("Referral:"));
		outsafe_put(stdout, form_referral_name(f, r, lang));
		printf("  ");
		outsafe_put(stdout, form_referral_contact(f, r));
		if (form_referral_example(f, r))
			printf("  %s", _("(example entry)"));
		putchar('\n');
	}
}

static void
print_text(struct interview *iv, const struct case_code *code)
{
	const struct form *f = interview_form(iv);
	size_t lang = interview_lang(iv), qs[32], last_section = (size_t)-1;
	/* Referrals are for the interviewer: named in the interface language,
	 * the form's default when it lacks it (the record keeps only ids). */
	size_t guide = form_lang_match(f, i18n_current());
	const char *started = _("Started"), *ended = _("Ended");
	int o, ws = u8_strwidth((const uint8_t *)started, "UTF-8");
	int we = u8_strwidth((const uint8_t *)ended, "UTF-8");
	char id[128], lead[64];

	/* The status's words are those of the screens (tui/summary.c). */
	printf("%s %s  %s  %s ", _("Case"), code->s, _(interview_status(iv)), _("form"));
	outsafe_put(stdout, form_id(f));
	printf(" v");
	outsafe_put(stdout, form_version(f));
	printf("  %s ", _("language"));
	outsafe_put(stdout, form_lang_code(f, lang));
	printf("\n%s ", _("Interviewer"));
	outsafe_put(stdout, interview_interviewer(iv));
	if (interview_training(iv))
		printf("  (%s)", _("TRAINING: fictional case"));
	putchar('\n');
	print_time(started, ws > we ? ws : we, interview_started(iv));
	print_time(ended, ws > we ? ws : we, interview_ended(iv));
	if (*interview_end_reason(iv)) {
		printf("%s ", _("Ended early:"));
		outsafe_put(stdout, interview_end_reason(iv));
		putchar('\n');
	}
	for (size_t q = 0; q < form_question_count(f); q++) {
		enum iv_answer_kind k = interview_answer_kind(iv, q);
		size_t s = form_question_section(f, q);

		if (k == IV_NONE || form_question_type(f, q) == FORM_NOTE)
			continue;
		if (s != last_section) {
			putchar('\n');
			print_field("", form_section_title(f, s, lang), "");
			last_section = s;
		}
		print_field("  ", form_question_label(f, q, lang), "  ");
		fputs("    ", stdout);
		if (k == IV_DECLINED || k == IV_DONT_KNOW) {
			putchar('[');
			outsafe_put(stdout, interview_msg(iv, k == IV_DECLINED ? IV_MSG_DECLINED :
			    IV_MSG_DONT_KNOW));
			printf("]\n");
		} else if (form_question_choices(f, q) >= 0) {
			size_t list = (size_t)form_question_choices(f, q), shown = 0;

			for (size_t i = 0; i < form_choice_count(f, list); i++)
				if (interview_is_selected(iv, q, form_choice_value(f, list, i))) {
					fputs(shown++ ? "; " : "", stdout);
					outsafe_text(stdout, form_choice_label(f, list, i, lang), "    ");
				}
			putchar('\n');
		} else
			print_field("", interview_answer_text(iv, q), "    ");
	}
	printf("\n%s\n", _("Indicators"));
	if (interview_fired_count(iv) == 0)
		printf("  %s\n", _("none fired"));
	for (size_t i = 0; i < form_indicator_count(f); i++) {
		size_t na;

		if (!interview_indicator_fired(iv, i))
			continue;
		/* The level's words are those of the screens (tui/summary.c). */
		printf("  [%s] ", _(form_level_name(form_indicator_level(f, i))));
		print_field("", form_indicator_label(f, i, lang), "    ");
		na = interview_indicator_answers(iv, i, qs, sizeof qs / sizeof qs[0]);
		for (size_t k = 0; k < na && k < sizeof qs / sizeof qs[0]; k++) {
			printf("      ");
			printf(_("from: %s"), outsafe_str(id, sizeof id, form_question_id(f, qs[k])));
			putchar('\n');
		}
	}
	/* Flags first: what they ask for (immediate danger) comes before
	 * acting on the outcome. */
	for (size_t i = 0; i < form_flag_count(f); i++)
		if (interview_flag_raised(iv, i))
			print_finding(f, guide, lead_of(lead, sizeof lead, _("FLAG:")),
			    form_flag_label(f, i, lang),
			    form_flag_advice(f, i, lang), form_flag_referral_count(f, i),
			    form_flag_referral, i);
	o = interview_outcome(iv);
	if (o >= 0)
		print_finding(f, guide, lead_of(lead, sizeof lead, _("Outcome:")),
		    form_outcome_label(f, (size_t)o, lang),
		    form_outcome_advice(f, (size_t)o, lang), form_outcome_referral_count(f, (size_t)o),
		    form_outcome_referral, (size_t)o);
	putchar('\n');
	printf(_("Consent: interview %s, referral %s, statistics %s"),
	    consent_word(interview_consent(iv, FORM_CONSENT_INTERVIEW)),
	    consent_word(interview_consent(iv, FORM_CONSENT_REFERRAL)),
	    consent_word(interview_consent(iv, FORM_CONSENT_STATISTICS)));
	putchar('\n');
}

/* --format of show and history: 1 for text (the default), 0 for json, -1
 * after a usage message. */
static int
text_format(const struct cli *c)
{
	if (c->format == NULL || strcmp(c->format, "text") == 0)
		return 1;
	if (strcmp(c->format, "json") == 0)
		return 0;
	fprintf(stderr, "intake: --format is text or json\n");
	return -1;
}

static int
record_show(struct cli *c)
{
	char err[512] = "", dir[PATH_MAX];
	struct vault *v = NULL;
	struct form *f = NULL;
	struct interview *iv = NULL;
	struct record_id id;
	struct case_code code;
	char *json = NULL;
	size_t len = 0;
	enum status st;
	int rc, text;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake record show CODE [--lang L] "
		    "[--format text|json]\n");
		return EXIT_USAGE;
	}
	if ((text = text_format(c)) < 0)
		return EXIT_USAGE;
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	if ((st = vault_record_find(v, c->argv[1], &id)) != ST_OK ||
	    (st = vault_record_get(v, &id, &json, &len)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	if (!text) {
		if ((st = audit_log(v, AUDIT_RECORD_VIEW, &id, NULL)) != ST_OK) {
			rc = cli_fail(st, vault_errmsg(v));
			goto out;
		}
		outsafe_json(stdout, json, len);
		putchar('\n');
		goto out;
	}
	(void)formdir_find(dir, sizeof dir);      /* referrals only; none without */
	if ((st = record_load(v, &id, 0, dir, &f, &iv, err, sizeof err)) != ST_OK) {
		rc = cli_fail(st, err);
		goto out;
	}
	if (c->lang != NULL && interview_set_lang(iv, c->lang) != ST_OK) {
		fprintf(stderr, "intake: form '");
		outsafe_put(stderr, form_id(f));
		fprintf(stderr, "' has no language '");
		outsafe_put(stderr, c->lang);
		fprintf(stderr, "'\n");
		rc = EXIT_INVALID;
		goto out;
	}
	record_id_code(&id, &code);
	print_text(iv, &code);
out:
	vault_plain_free(json, len);
	interview_free(iv);
	form_free(f);
	vault_close(v);
	return rc;
}

/* --reason or --reason-file, read and checked before anything is
 * unlocked. */
static int
check_reason(struct cli *c, const char *what)
{
	char err[256];
	int rc;

	if (c->reason_file != NULL && (rc = cli_read_reason(c)) != EXIT_OK)
		return rc;
	if (c->reason == NULL) {
		fprintf(stderr, "intake: %s needs --reason \"...\" or --reason-file FILE: say why "
		    "(it is kept in the audit trail)\n", what);
		return EXIT_USAGE;
	}
	if (vault_check_reason(c->reason, err, sizeof err) != ST_OK)
		return cli_fail(ST_INVALID, err);
	return EXIT_OK;
}

static int
record_amend_cmd(struct cli *c)
{
	char err[512] = "", dir[PATH_MAX];
	struct vault *v = NULL;
	struct form *f = NULL;
	struct interview *iv = NULL;
	json_t *answers = NULL;
	struct record_id id;
	struct case_code code;
	unsigned versions = 0;
	enum status st;
	int rc;

	if (c->argc != 2 || c->answers == NULL) {
		fprintf(stderr, "intake: usage: intake record amend CODE --answers A.json "
		    "--reason TEXT|--reason-file FILE\n");
		return EXIT_USAGE;
	}
	if ((rc = check_reason(c, "record amend")) != EXIT_OK ||
	    (rc = cli_load_answers(c->answers, &answers)) != EXIT_OK)
		return rc;
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		goto out;
	if ((st = vault_record_find(v, c->argv[1], &id)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	(void)formdir_find(dir, sizeof dir);      /* referrals only; none without */
	if ((st = record_load(v, &id, 0, dir, &f, &iv, err, sizeof err)) != ST_OK) {
		rc = cli_fail(st, err);
		goto out;
	}
	record_id_code(&id, &code);
	if (interview_reopen(iv) != ST_OK) {
		fprintf(stderr, "intake: case %s is '%s': only a finished record can be amended\n",
		    code.s, interview_status(iv));
		rc = EXIT_INVALID;
		goto out;
	}
	if (interview_apply_answers(iv, answers, err, sizeof err) != ST_OK) {
		fprintf(stderr, "intake: invalid answer: ");
		outsafe_put(stderr, err);
		fprintf(stderr, "\nNothing was changed.\n");
		rc = EXIT_INVALID;
		goto out;
	}
	if (interview_finish(iv) != ST_OK) {
		int q = interview_current(iv);

		fprintf(stderr, "intake: the amended record is not complete: ");
		outsafe_put(stderr, q >= 0 ? form_question_id(f, (size_t)q) : "");
		fputs(q >= 0 ? ": " : "", stderr);
		outsafe_put(stderr, interview_error(iv));
		fprintf(stderr, "\nNothing was changed.\n");
		rc = EXIT_INVALID;
		goto out;
	}
	if ((st = record_amend(v, &id, iv, c->reason)) != ST_OK ||
	    (st = vault_record_versions(v, &id, &versions)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	printf("Amended case %s; %u earlier version%s kept.\n", code.s, versions,
	    versions == 1 ? "" : "s");
out:
	json_decref(answers);
	interview_free(iv);
	form_free(f);
	vault_close(v);
	return rc;
}

static int
record_delete_cmd(struct cli *c)
{
	struct vault *v = NULL;
	struct record_id id;
	struct case_code code;
	unsigned versions = 0;
	enum status st;
	int rc;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake record delete CODE --reason TEXT|--reason-file FILE\n");
		return EXIT_USAGE;
	}
	if ((rc = check_reason(c, "record delete")) != EXIT_OK)
		return rc;
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	if ((st = vault_require(v, VAULT_RIGHT_DELETE)) != ST_OK ||
	    (st = vault_record_find(v, c->argv[1], &id)) != ST_OK ||
	    (st = vault_record_versions(v, &id, &versions)) != ST_OK ||
	    (st = vault_record_delete(v, &id, c->reason)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	record_id_code(&id, &code);
	printf("Deleted case %s", code.s);
	if (versions > 0)
		printf(" and its %u earlier version%s", versions, versions == 1 ? "" : "s");
	printf(".\n");
out:
	vault_close(v);
	return rc;
}

/* Prints one version of a record, as text or JSON. */
static int
print_version(struct vault *v, const char *json, size_t len, const char *heading,
    const struct case_code *code, int text, const char *dir)
{
	char err[512] = "";
	struct form *f = NULL;
	struct interview *iv = NULL;
	enum status st;

	if (!text) {
		outsafe_json(stdout, json, len);
		putchar('\n');
		return EXIT_OK;
	}
	printf("==== %s ====\n", heading);
	if ((st = record_from_json(v, json, len, dir, &f, &iv, err, sizeof err)) != ST_OK)
		return cli_fail(st, err);
	print_text(iv, code);
	printf("\n");
	interview_free(iv);
	form_free(f);
	return EXIT_OK;
}

static int
record_history_cmd(struct cli *c)
{
	char dir[PATH_MAX], heading[96];
	struct vault *v = NULL;
	struct record_id id;
	struct case_code code;
	unsigned versions = 0;
	char *json = NULL;
	size_t len = 0;
	enum status st;
	int rc, text;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake record history CODE [--format text|json]\n");
		return EXIT_USAGE;
	}
	if ((text = text_format(c)) < 0)
		return EXIT_USAGE;
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	if ((st = vault_require(v, VAULT_RIGHT_READ_ALL)) != ST_OK ||
	    (st = vault_record_find(v, c->argv[1], &id)) != ST_OK ||
	    (st = vault_record_versions(v, &id, &versions)) != ST_OK ||
	    (st = audit_log(v, AUDIT_HISTORY_VIEW, &id, NULL)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	record_id_code(&id, &code);
	(void)formdir_find(dir, sizeof dir);      /* referrals only; none without */
	for (unsigned i = 1; i <= versions + 1 && rc == EXIT_OK; i++) {
		st = i <= versions ? vault_record_history(v, &id, i, &json, &len) :
		    vault_record_get(v, &id, &json, &len);
		if (st != ST_OK) {
			rc = cli_fail(st, vault_errmsg(v));
			break;
		}
		snprintf(heading, sizeof heading, "Version %u of %u%s", i, versions + 1,
		    i == 1 ? " (the original)" : i == versions + 1 ? " (current)" : "");
		rc = print_version(v, json, len, heading, &code, text, dir);
		vault_plain_free(json, len);
		json = NULL;
	}
out:
	vault_close(v);
	return rc;
}

int
cmd_record(struct cli *c)
{
	const char *sub = c->argc > 0 ? c->argv[0] : "";

	if (strcmp(sub, "add") == 0)
		return record_add(c);
	if (strcmp(sub, "list") == 0)
		return record_list(c);
	if (strcmp(sub, "show") == 0)
		return record_show(c);
	if (strcmp(sub, "amend") == 0)
		return record_amend_cmd(c);
	if (strcmp(sub, "delete") == 0)
		return record_delete_cmd(c);
	if (strcmp(sub, "history") == 0)
		return record_history_cmd(c);
	fprintf(stderr, "intake: usage: intake record add|list|show|amend|delete|history ...\n");
	return EXIT_USAGE;
}
