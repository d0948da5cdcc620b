/*
 * cmd_training.c — `intake training list|card|check|score|report`: the
 * fictional scenarios of forms/training/ and the debriefs kept in the
 * training vault.
 *
 * `card` prints the role-player's card to stdout, to print or to show on a
 * second terminal. `score` and `report` touch only a training vault (the
 * default vault of this command is the training one; a real vault refuses
 * debriefs). Nothing here prints a real respondent's answers: the answers in
 * a debrief are a fictional persona's.
 *
 * The report's headings and totals are in the interface language (i18n.h),
 * padded by display width so that columns line up in Lao, Thai and Chinese
 * too; English is printed byte for byte as before. So are the headings of
 * the card and of the debrief `score` prints: the scenario's own text (the
 * role-player's story, the form's labels) is in its language (--lang).
 */
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniwidth.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cli.h"
#include "formdir.h"
#include "i18n.h"
#include "interview.h"
#include "linebreak.h"
#include "outsafe.h"
#include "record.h"
#include "training.h"
#include "vault.h"

#define CARD_WIDTH 78           /* printed cards, and output to a pipe */

/* forms/training beside the forms directory. */
static int
scenario_dir(char *dir, size_t len, char *forms, size_t flen)
{
	if (formdir_require(forms, flen) != ST_OK)
		return EXIT_FAIL;
	if (snprintf(dir, len, "%s/training", forms) >= (int)len) {
		fprintf(stderr, "intake: forms directory path too long\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Loads a scenario by id (from forms/training) or path, reporting problems. */
static int
load_scenario(const char *name, struct training_scenario **out)
{
	char dir[PATH_MAX], forms[PATH_MAX];
	struct diag_list dl;
	enum status st;
	int rc;

	*out = NULL;
	if ((rc = scenario_dir(dir, sizeof dir, forms, sizeof forms)) != EXIT_OK)
		return rc;
	diag_list_init(&dl);
	/* A path names its own forms folder (the one above it); an id uses ours. */
	st = training_find(dir, strchr(name, '/') ? NULL : forms, name, out, &dl);
	if (st != ST_OK && dl.errors > 0)
		formdir_print_diags(&dl);
	diag_list_free(&dl);
	if (st == ST_NOTFOUND || st == ST_IO) {
		fputs("intake: no scenario '", stderr);
		outsafe_put(stderr, name);
		fputs("' in ", stderr);
		outsafe_put(stderr, dir);
		fputs(": see `intake training list`\n", stderr);
		return EXIT_INVALID;
	}
	if (st != ST_OK) {
		fputs("intake: scenario '", stderr);
		outsafe_put(stderr, name);
		fputs("' has errors: see `intake training check`\n", stderr);
		return cli_exit_code(st);
	}
	return EXIT_OK;
}

static int
check_lang(const struct training_scenario *sc, const char *lang)
{
	if (lang == NULL || training_has_lang(sc, lang))
		return EXIT_OK;
	fputs("intake: scenario '", stderr);
	outsafe_put(stderr, training_id(sc));
	fputs("' has no language '", stderr);
	outsafe_put(stderr, lang);
	fputs("'; it has:", stderr);
	for (size_t i = 0; i < training_lang_count(sc); i++) {
		fputc(' ', stderr);
		outsafe_put(stderr, training_lang_code(sc, i));
	}
	fprintf(stderr, "\n");
	return EXIT_INVALID;
}

static int
output_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col - 1;
	return CARD_WIDTH;
}

struct card_line {
	const char *text;
	size_t lead;
};

static void
card_line(void *ctx, int n, const char *start, size_t bytes)
{
	const struct card_line *c = ctx;

	/* The spaces where the line breaks are not printed. */
	while (bytes > 0 && start[bytes - 1] == ' ')
		bytes--;
	if (n == 0)
		outsafe_write(stdout, c->text, c->lead);
	else
		printf("%*s", (int)c->lead, "");
	outsafe_write(stdout, start, bytes);
	putchar('\n');
}

/* Prints one logical line wrapped to width; continuation lines line up
 * after the line's leading marker ("  * ", "  - ", ...). Breaks come from
 * core/linebreak.h: Lao and Thai between words, Chinese by its rules. */
static void
print_wrapped(struct linebreak *lb, const char *text, int width)
{
	struct card_line c = { text, strspn(text, " ") };

	if (text[c.lead] != '\0' && strchr("*-+!", text[c.lead]) && text[c.lead + 1] == ' ')
		c.lead += 2;
	if (text[c.lead] == '\0' || linebreak_wrap(lb, text + c.lead, width - (int)c.lead,
	    card_line, &c) == 0) {
		outsafe_put(stdout, text);
		putchar('\n');
	}
}

static void
print_lines(const struct training_lines *l)
{
	int width = output_width();
	struct linebreak *lb = linebreak_new("");

	for (size_t i = 0; i < l->n; i++) {
		const char *t = l->v[i].text;

		switch (l->v[i].kind) {
		case TRAINING_LINE_TITLE:
			outsafe_put(stdout, t);
			putchar('\n');
			/* Underline to the title's display width, not its bytes. */
			for (int k = 0, w = u8_strwidth((const uint8_t *)t, "UTF-8"); k < w && k < 70; k++)
				putchar('=');
			putchar('\n');
			break;
		case TRAINING_LINE_BLANK:
			putchar('\n');
			break;
		default:
			print_wrapped(lb, t, width);
			break;
		}
	}
	linebreak_free(lb);
}

/* ---- list, card, check ---- */

static int
training_list(struct cli *c)
{
	char dir[PATH_MAX], forms[PATH_MAX];
	struct training_scenario **all;
	struct diag_list dl;
	size_t n, failed;
	enum status st;
	int rc;

	if ((rc = scenario_dir(dir, sizeof dir, forms, sizeof forms)) != EXIT_OK)
		return rc;
	diag_list_init(&dl);
	st = training_scan(dir, forms, &all, &n, &failed, &dl);
	diag_list_free(&dl);
	if (st == ST_NOTFOUND) {
		fprintf(stderr, "intake: no scenarios: %s does not exist\n", dir);
		return EXIT_FAIL;
	}
	if (st != ST_OK)
		return cli_fail(st, NULL);
	printf("Training scenarios in ");
	outsafe_put(stdout, dir);
	printf(" (fictional cases):\n");
	printf("  %-22s %-16s %-17s %s\n", "SCENARIO", "FORM", "EXPECTED OUTCOME", "TITLE");
	for (size_t i = 0; i < n; i++) {
		const struct training_scenario *sc = all[i];
		char id[256], form[256], outcome[256];

		printf("  %-22s %-16s %-17s ", outsafe_str(id, sizeof id, training_id(sc)),
		    outsafe_str(form, sizeof form, training_form_id(sc)),
		    outsafe_str(outcome, sizeof outcome, form_outcome_id(training_form(sc),
		    training_expected_outcome(sc))));
		outsafe_put(stdout, training_title(sc, c->lang));
		putchar('\n');
	}
	printf("%zu scenario%s", n, n == 1 ? "" : "s");
	if (failed > 0)
		printf("; %zu file%s with errors left out: run `intake training check %s/*.yaml`",
		    failed, failed == 1 ? "" : "s", dir);
	printf("\n");
	training_list_free(all, n);
	return EXIT_OK;
}

static int
training_card(struct cli *c)
{
	struct training_scenario *sc;
	struct training_lines l = { 0 };
	enum status st;
	int rc;

	if (c->argc != 2) {
		fprintf(stderr, "intake: usage: intake training card SCENARIO [--lang L]\n");
		return EXIT_USAGE;
	}
	if ((rc = load_scenario(c->argv[1], &sc)) != EXIT_OK)
		return rc;
	if ((rc = check_lang(sc, c->lang)) == EXIT_OK) {
		if ((st = training_card_lines(sc, c->lang, i18n_current(), &l)) == ST_OK)
			print_lines(&l);
		else
			rc = cli_fail(st, NULL);
	}
	training_lines_free(&l);
	training_free(sc);
	return rc;
}

int
cli_check_scenario(const char *path)
{
	struct training_scenario *sc = NULL;
	struct diag_list dl;
	enum status st;

	diag_list_init(&dl);
	st = training_load_file(path, NULL, &sc, &dl);
	formdir_print_diags(&dl);
	if (st == ST_OK) {
		char id[256], form[256], outcome[256];

		outsafe_put(stdout, path);
		printf(": ok: scenario '%s' on form '%s', %zu facts, %zu indicators, outcome %s",
		    outsafe_str(id, sizeof id, training_id(sc)),
		    outsafe_str(form, sizeof form, training_form_id(sc)), training_fact_count(sc),
		    training_expected_count(sc), outsafe_str(outcome, sizeof outcome,
		    form_outcome_id(training_form(sc), training_expected_outcome(sc))));
		if (dl.warnings > 0)
			printf(", %zu warning%s", dl.warnings, dl.warnings == 1 ? "" : "s");
		printf("\n");
	} else {
		outsafe_put(stdout, path);
		printf(": %zu error%s: this scenario cannot be used until fixed\n",
		    dl.errors ? dl.errors : 1, dl.errors == 1 ? "" : "s");
	}
	training_free(sc);
	diag_list_free(&dl);
	return st == ST_OK ? 0 : 1;
}

static int
training_check(struct cli *c)
{
	int bad = 0;

	if (c->argc < 2) {
		fprintf(stderr, "intake: usage: intake training check FILE...\n");
		return EXIT_USAGE;
	}
	for (int i = 1; i < c->argc; i++)
		bad |= cli_check_scenario(c->argv[i]);
	return bad ? EXIT_INVALID : EXIT_OK;
}

/* ---- score: a mock screening taken on paper ---- */

static int
save_debrief(struct vault *v, const struct training_scenario *sc, struct interview *iv,
    const char *lang)
{
	struct training_debrief *d = NULL;
	struct training_lines l = { 0 };
	struct record_id id;
	struct case_code code;
	char *json = NULL;
	size_t len = 0;
	enum status st;
	int rc = EXIT_OK;

	if ((st = record_save(v, iv, &id)) != ST_OK)
		return cli_fail(st, st == ST_NOMEM ? NULL : vault_errmsg(v));
	record_id_code(&id, &code);
	if ((st = training_debrief_make(sc, iv, -1, &d)) != ST_OK ||
	    (st = training_debrief_to_json(d, &json, &len)) != ST_OK) {
		rc = cli_fail(st, NULL);
		goto out;
	}
	if ((st = vault_debrief_put(v, json, len, NULL)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	printf("Saved training case %s and its debrief.\n\n", code.s);
	if ((st = training_debrief_lines(d, sc, lang, i18n_current(), &l)) != ST_OK) {
		rc = cli_fail(st, NULL);
		goto out;
	}
	print_lines(&l);
out:
	training_lines_free(&l);
	training_json_free(json, len);
	training_debrief_free(d);
	return rc;
}

static int
training_score(struct cli *c)
{
	char msg[VAULT_MSG_MAX];
	struct training_scenario *sc = NULL;
	struct interview *iv = NULL;
	struct vault *v = NULL;
	json_t *answers = NULL;
	enum status st;
	int rc;

	if (c->argc != 2 || c->answers == NULL) {
		fprintf(stderr, "intake: usage: intake training score SCENARIO --answers A.json "
		    "[--lang L]\n");
		return EXIT_USAGE;
	}
	if ((rc = load_scenario(c->argv[1], &sc)) != EXIT_OK)
		return rc;
	if ((rc = cli_load_answers(c->answers, &answers)) != EXIT_OK ||
	    (rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		goto out;
	if ((st = vault_check_training(v, 1)) != ST_OK) {
		rc = cli_fail(st, vault_errmsg(v));
		goto out;
	}
	if ((st = record_attach_form(v, training_form(sc), msg, sizeof msg)) != ST_OK) {
		rc = cli_fail(st, msg);
		goto out;
	}
	if ((rc = cli_interview(c, v, training_form(sc), answers, 1, "the mock screening",
	    &iv)) != EXIT_OK)
		goto out;
	rc = save_debrief(v, sc, iv, c->lang);
out:
	json_decref(answers);
	interview_free(iv);
	vault_close(v);
	training_free(sc);
	return rc;
}

/* ---- report ---- */

struct report {
	struct training_debrief **d;
	size_t n, cap;
	size_t damaged;
	bool nomem;
};

static int
report_add(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct report *r = ctx;
	struct training_debrief *d;
	char err[256];

	(void)id;
	if (st != ST_OK || training_debrief_from_json(json, len, &d, err, sizeof err) != ST_OK) {
		r->damaged++;
		return 0;
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 32;
		struct training_debrief **g = realloc(r->d, ncap * sizeof *g);

		if (g == NULL) {
			training_debrief_free(d);
			r->nomem = true;
			return 1;
		}
		r->d = g;
		r->cap = ncap;
	}
	r->d[r->n++] = d;
	return 0;
}

static int
by_trainee_then_date(const void *a, const void *b)
{
	const struct training_debrief *x = *(struct training_debrief *const *)a;
	const struct training_debrief *y = *(struct training_debrief *const *)b;
	int c = strcmp(training_debrief_trainee(x), training_debrief_trainee(y));

	if (c != 0)
		return c;
	return (training_debrief_started(x) > training_debrief_started(y)) -
	    (training_debrief_started(x) < training_debrief_started(y));
}

static void
report_trainee_total(const char *who, size_t sessions, long sum)
{
	printf("  ");
	outsafe_put(stdout, who);
	printf(P_(": %zu session, average score %ld\n\n", ": %zu sessions, average score %ld\n\n",
	    sessions), sessions, (sum + (long)sessions / 2) / (long)sessions);
}

static int
training_report(struct cli *c)
{
	struct report r = { NULL, 0, 0, 0, false };
	/* Room for every byte of a path escaped (outsafe.h cuts what does not fit). */
	static char path[4 * PATH_MAX + 1];
	struct vault *v = NULL;
	enum status st;
	size_t from = 0;
	long sum = 0;
	int rc;

	if (c->argc != 1) {
		fprintf(stderr, "intake: usage: intake training report [--vault DIR]\n");
		return EXIT_USAGE;
	}
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	st = vault_debrief_scan(v, report_add, &r);
	if (st == ST_OK && r.nomem)
		st = ST_NOMEM;
	if (st != ST_OK) {
		rc = cli_fail(st, st == ST_NOMEM ? NULL : vault_errmsg(v));
		goto out;
	}
	if (r.n > 0)
		qsort(r.d, r.n, sizeof *r.d, by_trainee_then_date);
	printf(_("Training report, %s"), outsafe_str(path, sizeof path, c->vault_dir));
	printf("%s\n\n", vault_role(v) == ROLE_INTERVIEWER ? _(" (your sessions only)") : "");
	/* TRANSLATORS: the headings of `intake training report`'s columns. */
	cli_put_col(_("TRAINEE"), 14);
	putchar(' ');
	cli_put_col(_("DATE (UTC)"), 16);
	putchar(' ');
	cli_put_col(_("SCENARIO"), 22);
	putchar(' ');
	for (int k = u8_strwidth((const uint8_t *)_("SCORE"), "UTF-8"); k < 5; k++)
		putchar(' ');
	fputs(_("SCORE"), stdout);
	fputs("  ", stdout);
	cli_put_col(_("INDICATORS"), 10);
	putchar(' ');
	cli_put_col(_("OUTCOME"), 7);
	printf(" %s\n", _("TIME"));
	for (size_t i = 0; i < r.n; i++) {
		const struct training_debrief *d = r.d[i];
		char when[32], ind[32], who[256], scen[256];
		time_t t = training_debrief_started(d);
		long s = training_debrief_seconds(d);
		int n;

		if (i > 0 && strcmp(training_debrief_trainee(d), training_debrief_trainee(r.d[i - 1])) != 0) {
			report_trainee_total(training_debrief_trainee(r.d[i - 1]), i - from, sum);
			from = i;
			sum = 0;
		}
		if (!clock_format(t, CLOCK_MINUTES, when))
			snprintf(when, sizeof when, "?");
		n = snprintf(ind, sizeof ind, "%zu/%zu", training_debrief_count(d, TRAINING_CAUGHT),
		    training_debrief_count(d, TRAINING_CAUGHT) + training_debrief_count(d, TRAINING_MISSED));
		if (training_debrief_count(d, TRAINING_EXTRA) > 0 && n > 0 && (size_t)n < sizeof ind)
			snprintf(ind + n, sizeof ind - (size_t)n, " +%zu",
			    training_debrief_count(d, TRAINING_EXTRA));
		printf("%-14s %-16s %-22s %5d  %-10s ",
		    outsafe_str(who, sizeof who, training_debrief_trainee(d)), when,
		    outsafe_str(scen, sizeof scen, training_debrief_scenario(d)),
		    training_debrief_score(d), ind);
		/* TRANSLATORS: whether the trainee chose the scenario's outcome. */
		cli_put_col(training_debrief_outcome_right(d) ? _("right") : _("wrong"), 7);
		printf(" %ld:%02ld\n", s / 60, s % 60);
		sum += training_debrief_score(d);
	}
	if (r.n > 0)
		report_trainee_total(training_debrief_trainee(r.d[r.n - 1]), r.n - from, sum);
	printf(P_("%zu session", "%zu sessions", r.n), r.n);
	if (r.damaged > 0)
		printf(P_("; %zu debrief failed the integrity check and is left out",
		    "; %zu debriefs failed the integrity check and are left out", r.damaged),
		    r.damaged);
	printf("\n");
	if (r.damaged > 0)
		rc = EXIT_TAMPERED;
out:
	for (size_t i = 0; i < r.n; i++)
		training_debrief_free(r.d[i]);
	free(r.d);
	vault_close(v);
	return rc;
}

int
cmd_training(struct cli *c)
{
	const char *sub = c->argc > 0 ? c->argv[0] : "";

	if (strcmp(sub, "list") == 0 && c->argc == 1)
		return training_list(c);
	if (strcmp(sub, "card") == 0)
		return training_card(c);
	if (strcmp(sub, "check") == 0)
		return training_check(c);
	if (strcmp(sub, "score") == 0)
		return training_score(c);
	if (strcmp(sub, "report") == 0)
		return training_report(c);
	fprintf(stderr, "intake: usage: intake training list | card SCENARIO [--lang L] | "
	    "check FILE... | score SCENARIO --answers A.json | report\n");
	return EXIT_USAGE;
}
