/*
 * cmd_audit.c — `intake audit`, `intake audit head` and `intake verify`.
 *
 * In `intake audit`, --user names whose entries to list (as REDCap's log
 * filter does); the acting supervisor is --as NAME, or asked on the terminal.
 * Times are UTC. Names and reasons in entries are data (a failed unlock
 * is kept under the name that was typed): they are printed through
 * outsafe.h.
 *
 * The human-readable text (the headings of `intake audit`, the kinds of
 * entry, the count, `intake verify`'s summary) is in the interface language
 * (i18n.h), and so are the words around the entries' details ("draft ...
 * of", "N records", "reason:", the role); the details themselves (names,
 * codes, reasons) are data and stay as recorded. English is
 * printed byte for byte as before: columns are padded by display width,
 * which for English text is its length. `intake audit head` is read by
 * programs and stays English.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "clock.h"
#include "cli.h"
#include "i18n.h"
#include "outsafe.h"
#include "vault.h"

/* The kinds of entry as core/audit.c names them (audit_action_name), so
 * that the catalogs hold them; translated where they are printed. */
static const char *const action_words[] __attribute__((unused)) = {
	N_("vault create"), N_("unlock"), N_("unlock failed"), N_("lock"),
	N_("quick-hide"), N_("record create"), N_("record view"), N_("record amend"),
	N_("record delete"), N_("history view"), N_("export"), N_("statistics"),
	N_("user add"), N_("user remove"), N_("user passwd"), N_("bundle create"),
	N_("bundle import"), N_("draft discard"), N_("site trust"), N_("site untrust"),
};
/* The roles as core/vault_names.c names them (role_name), which the
 * details translate. */
static const char *const role_words[] __attribute__((unused)) = {
	N_("supervisor"), N_("interviewer"), N_("trainer"),
};

/* Reads YYYY-MM-DD as midnight UTC; -1 if it is not such a date. */
static int
parse_day(const char *s, uint64_t *out)
{
	time_t t;

	if (!clock_parse_day(s, strlen(s), &t) || t < 0)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

static int
print_entry(void *ctx, enum status st, const struct audit_entry *e)
{
	size_t *shown = ctx;
	char when[CLOCK_TEXT_SIZE], detail[768], user[4 * VAULT_USER_MAX + 1];

	(*shown)++;
	if (st != ST_OK) {
		printf("%-6llu (this entry failed its integrity check: run `intake verify`)\n",
		    (unsigned long long)e->seq);
		return 0;
	}
	if (e->time > (uint64_t)CLOCK_MAX || !clock_format((time_t)e->time, CLOCK_SECONDS, when))
		snprintf(when, sizeof when, "%-19s", "?");
	audit_describe_in(e, &i18n_words, detail, sizeof detail);
	printf("%-6llu %s  %-12s ", (unsigned long long)e->seq, when,
	    outsafe_str(user, sizeof user, e->user));
	cli_put_col(_(audit_action_name(e->action)), 14);
	putchar(' ');
	outsafe_put(stdout, detail);
	putchar('\n');
	return 0;
}

static int
audit_head(struct cli *c)
{
	char head[AUDIT_HEAD_TEXT_MAX];
	struct vault *v;
	enum status st;
	int rc;

	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	st = audit_head_text(v, head);
	if (st != ST_OK)
		rc = cli_fail(st, vault_errmsg(v));
	else {
		outsafe_put(stdout, head);
		putchar('\n');
	}
	vault_close(v);
	return rc;
}

int
cmd_audit(struct cli *c)
{
	struct audit_filter flt = { NULL, 0 };
	struct vault *v;
	size_t shown = 0;
	enum status st;
	int rc;

	if (c->argc == 1 && strcmp(c->argv[0], "head") == 0)
		return audit_head(c);
	if (c->argc != 0) {
		fprintf(stderr, "intake: usage: intake audit [--user U] [--since YYYY-MM-DD] "
		    "[--as NAME] | intake audit head\n");
		return EXIT_USAGE;
	}
	if (c->since != NULL && parse_day(c->since, &flt.since) != 0) {
		fprintf(stderr, "intake: --since wants a date like 2025-03-31, not '");
		outsafe_put(stderr, c->since);
		fprintf(stderr, "'\n");
		return EXIT_USAGE;
	}
	/* Here --user filters; the actor is --as, or asked. */
	flt.user = c->user;
	c->user = NULL;
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	/* TRANSLATORS: the headings of `intake audit`'s columns. */
	cli_put_col(_("ENTRY"), 6);
	putchar(' ');
	cli_put_col(_("TIME (UTC)"), 19);
	fputs("  ", stdout);
	cli_put_col(_("USER"), 12);
	putchar(' ');
	cli_put_col(_("ACTION"), 14);
	printf(" %s\n", _("DETAILS"));
	st = audit_list(v, &flt, print_entry, &shown);
	if (st != ST_OK)
		rc = cli_fail(st, vault_errmsg(v));
	else
		printf(P_("%zu entry\n", "%zu entries\n", shown), shown);
	vault_close(v);
	return rc;
}

static void
print_problem(void *ctx, const char *problem)
{
	(void)ctx;
	printf("PROBLEM: ");
	outsafe_put(stdout, problem);
	putchar('\n');
}

int
cmd_verify(struct cli *c)
{
	struct vault_verify_counts n;
	struct vault_audit_head noted;
	struct vault *v;
	enum status st;
	int rc;

	if (c->argc != 0) {
		fprintf(stderr, "intake: usage: intake verify [--head SEQ:HASH] [--rebuild-listing]\n");
		return EXIT_USAGE;
	}
	if (c->head != NULL && audit_head_parse(c->head, &noted) != ST_OK) {
		fprintf(stderr, "intake: --head wants the text `intake audit head` printed: an entry "
		    "number, a colon and 64 hexadecimal digits\n");
		return EXIT_USAGE;
	}
	if ((rc = cli_open_unlocked(c, &v)) != EXIT_OK)
		return rc;
	st = vault_verify(v, c->head ? &noted : NULL, print_problem, NULL, &n);
	if ((st == ST_OK || st == ST_TAMPERED) && strcmp(i18n_current(), "en") != 0)
		/* TRANSLATORS: `intake verify`'s summary; English prints its own,
		 * with a plural for each number. */
		printf(_("Checked: %zu users, %zu records, %zu summaries, %zu earlier versions, "
		    "%zu drafts, %zu forms, %zu audit entries; %zu problems.\n"), n.users,
		    n.records, n.summaries, n.history, n.drafts, n.forms, n.audit, n.problems);
	else if (st == ST_OK || st == ST_TAMPERED)
		printf("Checked %zu user%s, %zu record%s, %zu summar%s, %zu earlier version%s, "
		    "%zu draft%s, %zu form%s and %zu audit entr%s: %zu problem%s.\n",
		    n.users, n.users == 1 ? "" : "s", n.records, n.records == 1 ? "" : "s",
		    n.summaries, n.summaries == 1 ? "y" : "ies", n.history, n.history == 1 ? "" : "s",
		    n.drafts, n.drafts == 1 ? "" : "s", n.forms, n.forms == 1 ? "" : "s",
		    n.audit, n.audit == 1 ? "y" : "ies", n.problems, n.problems == 1 ? "" : "s");
	if (st != ST_OK)
		rc = cli_fail(st, vault_errmsg(v));
	/* After the check, so that what was wrong with the listing is
	 * reported before it is replaced. */
	if (c->rebuild_listing && (st == ST_OK || st == ST_TAMPERED)) {
		if ((st = vault_listing_rebuild(v)) != ST_OK)
			rc = cli_fail(st, vault_errmsg(v));
		else
			printf("The case listing was made again from the summaries.\n");
	}
	vault_close(v);
	return rc;
}
