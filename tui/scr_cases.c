/*
 * scr_cases.c — the case list, starting a new interview, and the offer to
 * resume an interrupted one.
 *
 * The case list reads only the encrypted summaries, from the vault's sealed
 * listing (caselist.c falls back to them one by one), and this user's
 * drafts, newest first; an interviewer sees their own cases, a supervisor
 * all. Typing filters as you type (caselist.h has the search syntax: words
 * that must all match, status:, outcome:, form:, lang:, by: and date:).
 *
 * A draft row shows when it was last saved and how many questions it
 * answers, never an outcome (there is none yet). ^O on a draft asks for a
 * reason, typed on the list's bottom line, and discards it with an audit
 * entry (vault_draft_discard): an interviewer their own drafts, a
 * supervisor also others' (listed by owner only, their content unread).
 */
#include <curses.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "app.h"
#include "caselist.h"
#include "form.h"
#include "i18n.h"
#include "interview.h"
#include "record.h"
#include "scr_cases.h"
#include "ui.h"

static void
copy_field(char *dst, size_t len, json_t *o, const char *key)
{
	json_t *j = json_object_get(o, key);
	const char *s = json_string_value(j);

	if (s == NULL && json_is_object(j))
		s = json_string_value(json_object_get(j, "id"));
	snprintf(dst, len, "%s", s ? s : "");
}

/* The case list: its rows (wiped on lock), where they were read from, the
 * search field that filters them, and the discard prompt: which draft, and
 * the reason being typed (one at a time; the reason is wiped when the
 * prompt closes). */
struct cases_state {
	struct caselist *rows;
	enum caselist_source src;
	struct lineedit *search;
	struct {
		bool asking;
		struct record_id id;
		bool others;
		char owner[VAULT_USER_MAX + 1];
		struct lineedit *reason;
	} discard;
	char lang[8];       /* the screens' language when last saved or entered */
};

static bool
cases_open(struct app *a)
{
	if ((a->cases = calloc(1, sizeof *a->cases)) == NULL)
		return false;
	return (a->cases->search = lineedit_new(64)) != NULL;
}

/* On lock: the rows name outcomes and interviewers, the search and a
 * discard reason are typed words. */
static void
cases_wipe(struct app *a)
{
	if (a->cases == NULL)
		return;
	caselist_free(a->cases->rows);
	a->cases->rows = NULL;
	if (a->cases->search != NULL)
		lineedit_clear(a->cases->search);
	if (a->cases->discard.reason != NULL)
		lineedit_clear(a->cases->discard.reason);
	a->cases->discard.asking = false;
}

static void
cases_close(struct app *a)
{
	if (a->cases == NULL)
		return;
	cases_wipe(a);
	lineedit_free(a->cases->search);
	lineedit_free(a->cases->discard.reason);
	free(a->cases);
	a->cases = NULL;
}

const struct screen_state scr_cases_state = { cases_open, cases_wipe, cases_close };

static void
discard_close(struct app *a)
{
	struct cases_state *c = a->cases;

	if (c->discard.reason != NULL)
		lineedit_clear(c->discard.reason);
	c->discard.asking = false;
	memset(&c->discard.id, 0, sizeof c->discard.id);
	if (a->edit == c->discard.reason)
		a->edit = c->search;
}

/* The rows, read again each time the list is entered (a record may have
 * been saved or amended since), filtered by the search typed so far. */
static void
load_rows(struct app *a)
{
	struct cases_state *c = a->cases;
	enum status st;

	if (c->rows == NULL && (c->rows = caselist_new()) == NULL) {
		app_say(a, true, _("Out of memory: the cases cannot be listed; close other programs"));
		return;
	}
	st = caselist_load(c->rows, a->v, &c->src);
	if (st == ST_NOMEM)
		app_say(a, true, _("Out of memory: not every case is listed; close other programs"));
	else if (st != ST_OK)
		app_say(a, true, _("Some cases could not be listed: %s"), vault_errmsg(a->v));
}

static void
apply_filter(struct app *a)
{
	struct cases_state *c = a->cases;
	char err[256];
	size_t shown;

	if (c->rows == NULL)
		return;
	if (caselist_filter(c->rows, lineedit_buffer(c->search, NULL), err, sizeof err) != ST_OK)
		app_say(a, true, "%s", err);
	shown = caselist_shown(c->rows);
	if ((size_t)a->focus > shown)
		a->focus = (int)shown;
}

static enum keys_context
cases_context(struct app *a)
{
	(void)a;
	return KCTX_EDIT;
}

static void
cases_enter(struct app *a)
{
	struct cases_state *c = a->cases;

	discard_close(a);
	load_rows(a);
	apply_filter(a);
	a->edit = c->search;
	snprintf(c->lang, sizeof c->lang, "%s", i18n_current());
}

/*
 * A language chosen with ^T here is kept in the vault for the user's next
 * session (scr_unlock.c applies it, i18n.h has the order). The chooser
 * (scr_misc.c) returns here without entering again, so the change is seen
 * when the list is drawn next. A failed save is not reported: the choice
 * still holds for this session, and a format 1 vault keeps no preferences.
 */
static void
keep_language(struct app *a)
{
	struct cases_state *c = a->cases;

	if (strcmp(c->lang, i18n_current()) == 0)
		return;
	snprintf(c->lang, sizeof c->lang, "%s", i18n_current());
	(void)vault_pref_set(a->v, "lang", c->lang);
}

/* The columns of the list, by the width there is. A phone (under 60
 * columns) sees what a case is and how it ended: CASE, DATE and OUTCOME,
 * where a case with no outcome shows its status (ended, DAMAGED) and a
 * draft the time it was saved; from 60
 * columns BY and STATUS come back; from UI_WIDE_COLS every column. The
 * search still matches every column, shown or not. */
enum row_layout { ROWS_NARROW, ROWS_MEDIUM, ROWS_WIDE };

static enum row_layout
row_layout(void)
{
	return COLS >= UI_WIDE_COLS ? ROWS_WIDE : COLS >= 60 ? ROWS_MEDIUM : ROWS_NARROW;
}

/* One row of the list. A draft has no outcome: in the status and outcome
 * columns it shows the time it was last saved and how many questions are
 * answered, and in the date column the day it was saved; another user's
 * draft (a supervisor's view) shows only whose it is. */
static void
row_text(char *line, size_t len, bool selected, const struct caselist_row *r,
    enum row_layout lay)
{
	const char *mark = selected ? ">" : " ";
	const char *by = lay == ROWS_NARROW ? "" : r->interviewer;
	int byw = lay == ROWS_NARROW ? 0 : 11;
	char saved[128];

	if (r->draft && r->others)
		snprintf(line, len, "%s %-11s %-10s %-*.10s%s", mark, r->code, "", byw, by,
		    _("another interviewer's draft (^O discards it)"));
	else if (r->draft && r->saved[0] != '\0' && r->answered >= 0) {
		/* TRANSLATORS: a draft in the case list: the time it was last
		 * saved (hh:mm) and how many questions it answers. */
		snprintf(saved, sizeof saved, _("saved %s, %d answered"), r->saved + 11,
		    r->answered);
		if (lay == ROWS_WIDE)
			snprintf(line, len, "%s %-11s %-10.10s %-10.10s %-15.15s %-3.3s %s",
			    mark, r->code, r->saved, r->interviewer, r->form, r->lang, saved);
		else if (lay == ROWS_NARROW)	/* the day and time it was saved */
			snprintf(line, len, "%s %-11s %s", mark, r->code, r->saved);
		else
			snprintf(line, len, "%s %-11s %-10.10s %-*.10s%s", mark, r->code, r->saved,
			    byw, by, saved);
	} else if (lay == ROWS_WIDE)
		snprintf(line, len, "%s %-11s %-10.10s %-10.10s %-15.15s %-3.3s %-6.6s %s",
		    mark, r->code, r->started, r->interviewer, r->form, r->lang, r->status,
		    r->draft ? "" : r->outcome);
	else if (lay == ROWS_MEDIUM)
		snprintf(line, len, "%s %-11s %-10.10s %-10.10s %-6.6s %s", mark, r->code,
		    r->started, r->interviewer, r->status, r->draft ? "" : r->outcome);
	else
		snprintf(line, len, "%s %-11s %-10.10s %s", mark, r->code, r->started,
		    !r->draft && r->outcome[0] != '\0' ? r->outcome : r->status);
}

/* The question while a discard is asked for: what goes, and the reason.
 * The field follows the question on its row when at least 20 columns are
 * left for it, else it takes the whole row below (a phone). */
static void
discard_text(const struct cases_state *c, char *line, size_t len)
{
	if (c->discard.others)
		snprintf(line, len, _("Discard %s's draft? Reason:"), c->discard.owner);
	else
		snprintf(line, len, "%s", _("Discard this draft? Reason:"));
}

static int
discard_rows(const struct cases_state *c)
{
	char line[256];

	discard_text(c, line, sizeof line);
	return ui_width(line) + 3 + 20 < COLS ? 1 : 2;
}

/* Draws the discard prompt so that its last row is `bottom`. */
static void
discard_draw(const struct cases_state *c, int bottom)
{
	struct lineedit_view view;
	char line[256];
	int x, w, y = bottom;

	discard_text(c, line, sizeof line);
	if (discard_rows(c) == 1) {
		x = ui_width(line) + 3;
		ui_text(y, 2, COLS - 4, line, A_BOLD);
	} else {
		x = 2;
		ui_text(y - 1, 2, COLS - 4, line, A_BOLD);
	}
	w = COLS - x - 1;
	lineedit_render(c->discard.reason, w, &view);
	ui_field(y, x, w, view.text, view.cursor_col);
	move(y, x + view.cursor_col);
}

/* Row 0 is "start a new interview"; rows 1.. are cases. */
static void
cases_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_LANGUAGE,
		ACT_HIDE, ACT_HELP, ACT_QUIT };
	static const enum action draft_keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_DISCARD,
		ACT_LANGUAGE, ACT_HIDE, ACT_HELP, ACT_QUIT };
	/* Column headings, each drawn in its column: a translation is measured
	 * in display columns, not bytes. The language column holds codes (lo,
	 * th) and keeps its code-like heading. */
	static const struct {
		int x, w;
		const char *head;
		bool code;
	} wide[] = {
		{ 2, 11, N_("CASE"), false }, { 14, 10, N_("DATE"), false },
		{ 25, 10, N_("BY"), false }, { 36, 15, N_("FORM"), false },
		{ 52, 3, "LNG", true }, { 56, 6, N_("STATUS"), false },
		{ 63, 0, N_("OUTCOME"), false },
	}, medium[] = {
		{ 2, 11, N_("CASE"), false }, { 14, 10, N_("DATE"), false },
		{ 25, 10, N_("BY"), false }, { 36, 6, N_("STATUS"), false },
		{ 43, 0, N_("OUTCOME"), false },
	}, narrow[] = {
		{ 2, 11, N_("CASE"), false }, { 14, 10, N_("DATE"), false },
		{ 25, 0, N_("OUTCOME"), false },
	}, *cols;
	size_t ncols;
	static const enum action ask_keys[] = { ACT_SUBMIT, ACT_CANCEL, ACT_HIDE };
	struct cases_state *c = a->cases;
	struct lineedit_view view;
	struct caselist_row r;
	enum row_layout lay = row_layout();
	const enum action *bar;
	size_t nbar;
	int top = app_frame(a, _("Intake - cases")) + 1, y = top + 1, listy, rows, sel, fieldw, kb;
	int msgrows;
	int fieldx = 2 + ui_width(_("Search:")) + 1;
	size_t count = c->rows ? caselist_count(c->rows) : 0;
	size_t shown = c->rows ? caselist_shown(c->rows) : 0;
	char line[256];

	keep_language(a);
	/* The field takes the width the count ("100000 of 100000") leaves. */
	if (fieldx < 10)
		fieldx = 10;
	snprintf(line, sizeof line, _("%zu of %zu"), shown, count);
	fieldw = COLS - fieldx - ui_width(line) - 3;
	ui_text(top, 2, fieldx - 2, _("Search:"), 0);
	lineedit_render(c->search, fieldw, &view);
	ui_field(top, fieldx, fieldw, view.text, view.cursor_col);
	ui_text_right(top, COLS - 1, line, 0);
	/* Stays while the list is open: a message would go at the next key. */
	if (c->src == CASELIST_LISTING_DAMAGED)
		ui_text(y++, 2, COLS - 4, _("! The case index is damaged: a supervisor should run "
		    "`intake verify`"), A_BOLD);
	/* The filter words are the search's syntax: never translated. */
	snprintf(line, sizeof line, "%s status: outcome: form: lang: by: date:2025-11 "
	    "date:2025-10..2025-11", _("Filters:"));
	/* Narrow, the words take two rows rather than lose the later ones. */
	if (lay == ROWS_WIDE)
		ui_text(y++, 2, COLS - 4, line, 0);
	else
		y += ui_wrap(y, 2, COLS - 4, 0, 2, line, 0) > 1 ? 2 : 1;
	cols = lay == ROWS_WIDE ? wide : lay == ROWS_MEDIUM ? medium : narrow;
	ncols = lay == ROWS_WIDE ? sizeof wide / sizeof wide[0] : lay == ROWS_MEDIUM ?
	    sizeof medium / sizeof medium[0] : sizeof narrow / sizeof narrow[0];
	for (size_t k = 0; k < ncols; k++)
		ui_text(y, cols[k].x, cols[k].w ? cols[k].w : COLS - cols[k].x,
		    cols[k].code ? cols[k].head : _(cols[k].head), A_BOLD);
	listy = y + 1;
	if (c->discard.asking) {
		bar = ask_keys;
		nbar = sizeof ask_keys / sizeof ask_keys[0];
	} else if (a->focus > 0 && c->rows != NULL &&
	    caselist_row(c->rows, (size_t)a->focus - 1, &r) && r.draft) {
		bar = draft_keys;
		nbar = sizeof draft_keys / sizeof draft_keys[0];
	} else {
		bar = keys;
		nbar = sizeof keys / sizeof keys[0];
	}
	/* Under the list: the message (a long one takes two rows), then the key
	 * bar (one or two rows). The discard prompt takes the list's last rows. */
	kb = ui_keybar_fit(KCTX_EDIT, bar, nbar, false);
	msgrows = a->msg[0] != '\0' && ui_wrap(0, 0, COLS - 2, 0, 0, a->msg, 0) > 1 ? 2 : 1;
	rows = LINES - 1 - kb - listy - (c->discard.asking ? msgrows - 1 + discard_rows(c) : 0);
	sel = a->focus;
	if (sel < a->scroll)
		a->scroll = sel;
	if (sel >= a->scroll + rows)
		a->scroll = sel - rows + 1;
	for (int i = 0; i < rows; i++) {
		int idx = a->scroll + i;
		attr_t attr = idx == sel ? A_REVERSE : 0;

		if (idx == 0)
			snprintf(line, sizeof line, "%s + %s", idx == sel ? ">" : " ", a->training ?
			    _("Start a mock screening (choose a scenario)") : _("Start a new interview"));
		else if (caselist_row(c->rows, (size_t)idx - 1, &r))
			row_text(line, sizeof line, idx == sel, &r, lay);
		else
			break;
		if (attr)
			mvhline(listy + i, 0, ' ', COLS);
		ui_text(listy + i, 0, COLS, line, attr);
	}
	if (count == 0)
		ui_text(listy + 2, 2, COLS - 4, _("No cases yet."), 0);
	else if (shown == 0)
		ui_text(listy + 2, 2, COLS - 4, _("No case matches the search (Esc clears it)."), 0);
	ui_message_row(LINES - 1 - kb, a->msg, a->msg_error);
	ui_keybar_fit(KCTX_EDIT, bar, nbar, true);
	if (c->discard.asking) {
		discard_draw(c, LINES - 1 - kb - msgrows);
		return;
	}
	move(top, fieldx + view.cursor_col);
}

static void
open_row(struct app *a)
{
	struct cases_state *c = a->cases;
	struct caselist_row r;
	char err[512];
	enum status st;

	if (a->focus == 0) {
		app_goto(a, a->training ? SCR_SCENARIO : SCR_NEW);
		return;
	}
	if (c->rows == NULL || !caselist_row(c->rows, (size_t)a->focus - 1, &r))
		return;
	if (r.draft && r.others) {
		app_say(a, true, _("This is %s's draft: only they can continue it (^O discards it)."),
		    r.interviewer);
		return;
	}
	if (r.draft) {
		st = record_load(a->v, &r.id, 1, a->forms_dir, &a->form, &a->iv, err, sizeof err);
		if (st != ST_OK) {
			app_say(a, true, _("This draft cannot be opened: %s"), err);
			return;
		}
		a->draft = r.id;
		a->has_draft = true;
		app_goto(a, interview_at_end(a->iv) ? SCR_REVIEW : SCR_QUESTION);
		return;
	}
	a->record = r.id;
	app_goto(a, SCR_RECORD);
}

/* ^O: asks for the reason to discard the highlighted draft. */
static void
discard_ask(struct app *a)
{
	struct cases_state *c = a->cases;
	struct caselist_row r;

	if (a->focus == 0 || c->rows == NULL ||
	    !caselist_row(c->rows, (size_t)a->focus - 1, &r) || !r.draft) {
		app_say(a, true, _("Only a draft can be discarded: highlight a (draft) row first."));
		return;
	}
	if (c->discard.reason == NULL &&
	    (c->discard.reason = lineedit_new(VAULT_REASON_MAX / 4)) == NULL) {
		app_say(a, true, _("Out of memory: close other programs and try again"));
		return;
	}
	lineedit_clear(c->discard.reason);
	c->discard.asking = true;
	c->discard.id = r.id;
	c->discard.others = r.others;
	snprintf(c->discard.owner, sizeof c->discard.owner, "%s", r.interviewer);
	a->edit = c->discard.reason;
	app_say(a, false, _("Type why it goes (kept in the audit trail); Enter discards, Esc keeps it."));
}

/* Enter on the prompt: discards with the reason typed, or says why not. */
static void
discard_confirm(struct app *a)
{
	struct cases_state *c = a->cases;
	const char *reason = lineedit_buffer(c->discard.reason, NULL);
	enum status st;

	st = vault_draft_discard(a->v, c->discard.others ? c->discard.owner : NULL, &c->discard.id,
	    reason);
	if (st == ST_INVALID) {
		/* Nothing went: the prompt stays for a better reason. */
		app_say(a, true, "%s", vault_errmsg(a->v));
		return;
	}
	if (st != ST_OK) {
		app_say(a, true, _("The draft was not discarded: %s"), vault_errmsg(a->v));
		discard_close(a);
		return;
	}
	if (a->has_draft && memcmp(a->draft.b, c->discard.id.b, VAULT_ID_BYTES) == 0) {
		memset(&a->draft, 0, sizeof a->draft);
		a->has_draft = false;
	}
	discard_close(a);
	load_rows(a);
	apply_filter(a);
	app_say(a, false, _("The draft was discarded; the audit trail keeps the reason."));
}

static void
discard_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct cases_state *c = a->cases;

	switch (act) {
	case ACT_SUBMIT:
		discard_confirm(a);
		break;
	case ACT_CANCEL:
		discard_close(a);
		app_say(a, false, _("Nothing was discarded."));
		break;
	case ACT_QUIT:
		discard_close(a);
		a->quit = true;
		break;
	default:
		app_edit(a, c->discard.reason, act, ev);
		break;
	}
}

static void
cases_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct cases_state *c = a->cases;
	int last = c->rows ? (int)caselist_shown(c->rows) : 0, page = LINES - 8;

	if (c->discard.asking) {
		discard_act(a, act, ev);
		return;
	}
	/* No interview is open here: ^T chooses the language of the
	 * program's own screens (scr_misc.c). */
	if (actions_common(a, act, ACTS_HELP | ACTS_LANGUAGE | ACTS_QUIT))
		return;
	switch (act) {
	case ACT_DISCARD:
		discard_ask(a);
		break;
	case ACT_SUBMIT:
		open_row(a);
		break;
	case ACT_UP:
		if (a->focus > 0)
			a->focus--;
		break;
	case ACT_DOWN:
		if (a->focus < last)
			a->focus++;
		break;
	case ACT_NEXT:
		a->focus = a->focus + page > last ? last : a->focus + page;
		break;
	case ACT_PREV:
		a->focus = a->focus - page < 0 ? 0 : a->focus - page;
		break;
	case ACT_CANCEL:
		if (lineedit_clear(c->search))
			apply_filter(a);
		break;
	default:
		if (app_edit(a, c->search, act, ev)) {
			apply_filter(a);
			a->focus = c->rows && caselist_shown(c->rows) > 0 ? 1 : 0;
		}
		break;
	}
}

const struct screen scr_cases = { cases_context, cases_enter, cases_draw, cases_act };

/* ---- new interview: choose the form, then the respondent's language ---- */

/* The forms on offer: the paths of the questionnaires in the forms
 * folder, listed again each time the screen is entered. */
struct new_state {
	char **paths;
	size_t n;
};

static void
free_paths(struct new_state *nf)
{
	for (size_t i = 0; i < nf->n; i++)
		free(nf->paths[i]);
	free(nf->paths);
	nf->paths = NULL;
	nf->n = 0;
}

static bool
new_open(struct app *a)
{
	return (a->newform = calloc(1, sizeof *a->newform)) != NULL;
}

static void
new_close(struct app *a)
{
	if (a->newform == NULL)
		return;
	free_paths(a->newform);
	free(a->newform);
	a->newform = NULL;
}

const struct screen_state scr_new_state = { new_open, NULL, new_close };

/* A form's title in the interface language where the form has it: these
 * screens speak to the interviewer, before the respondent's is chosen. */
static const char *
reader_title(const struct form *f)
{
	return form_title(f, form_lang_match(f, i18n_current()));
}

static int
cmp_path(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
list_forms(struct app *a)
{
	struct new_state *nf = a->newform;
	struct dirent *e;
	DIR *d;
	char path[8192];

	free_paths(nf);
	if ((d = opendir(a->forms_dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char **grown;

		if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml") != 0 ||
		    strcmp(e->d_name, "referrals.yaml") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", a->forms_dir, e->d_name);
		grown = realloc(nf->paths, (nf->n + 1) * sizeof *grown);
		if (grown == NULL)
			break;
		nf->paths = grown;
		if ((nf->paths[nf->n] = strdup(path)) != NULL)
			nf->n++;
	}
	closedir(d);
	if (nf->n > 1)
		qsort(nf->paths, nf->n, sizeof *nf->paths, cmp_path);
}

static enum keys_context
new_context(struct app *a)
{
	(void)a;
	return KCTX_LIST;
}

static void
new_enter(struct app *a)
{
	app_close_interview(a);
	list_forms(a);
}

static void
new_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL,
		ACT_HIDE, ACT_HELP };
	const size_t nkeys = sizeof keys / sizeof keys[0];
	int y = app_frame(a, _("Intake - new interview")) + 1, cy = 0, row = y + 2, n;

	if (a->form == NULL) {
		ui_text(y, 2, COLS - 4, _("Choose the questionnaire:"), A_BOLD);
		for (size_t i = 0; i < a->newform->n; i++) {
			struct form *f = NULL;
			char line[512];
			const char *base = strrchr(a->newform->paths[i], '/');
			bool sel = (int)i == a->focus;

			if (form_load_file(a->newform->paths[i], &f, NULL) == ST_OK)
				snprintf(line, sizeof line, P_("%s %s  (%zu question)",
				    "%s %s  (%zu questions)", form_question_count(f)), sel ? ">" : " ",
				    reader_title(f), form_question_count(f));
			else
				snprintf(line, sizeof line, _("%s %s  (does not pass the form check)"),
				    sel ? ">" : " ", base ? base + 1 : a->newform->paths[i]);
			form_free(f);
			/* A narrow screen gives a long title a second row, under the
			 * title's start rather than under the mark. */
			n = COLS < UI_WIDE_COLS && line[0] != '\0' && line[1] == ' ' &&
			    ui_wrap(0, 0, COLS - 4, 0, 0, line, 0) > 1 ? 2 : 1;
			if (sel) {
				mvhline(row, 0, ' ', COLS);
				if (n > 1)
					mvhline(row + 1, 0, ' ', COLS);
				cy = row;
			}
			if (n == 1)
				ui_text(row, 2, COLS - 4, line, sel ? A_REVERSE : 0);
			else {
				ui_text(row, 2, 2, sel ? "> " : "  ", sel ? A_REVERSE : 0);
				ui_wrap(row, 4, COLS - 6, 0, 2, line + 2, sel ? A_REVERSE : 0);
			}
			row += n;
		}
		if (a->newform->n == 0)
			ui_text(y + 2, 2, COLS - 4, _("No forms found."), 0);
	} else
		cy = scr_new_draw_langs(a, a->form, reader_title(a->form), y);
	ui_message_row(LINES - 1 - ui_keybar_fit(KCTX_LIST, keys, nkeys, false), a->msg,
	    a->msg_error);
	ui_keybar_fit(KCTX_LIST, keys, nkeys, true);
	move(cy, 2);
}

int
scr_new_draw_langs(struct app *a, const struct form *f, const char *title, int y)
{
	int cy = y, n = COLS < UI_WIDE_COLS ? ui_wrap(0, 0, COLS - 4, 0, 0, title, 0) : 1;

	/* A narrow screen gives a long title a second row. */
	n = n < 2 ? n : 2;
	if (n == 1)
		ui_text(y, 2, COLS - 4, title, A_BOLD);
	else
		ui_wrap(y, 2, COLS - 4, 0, n, title, A_BOLD);
	y += n - 1;
	ui_text(y + 1, 2, COLS - 4, _("The respondent's language:"), 0);
	for (size_t l = 0; l < form_lang_count(f); l++) {
		char line[256];
		bool sel = (int)l == a->focus;

		snprintf(line, sizeof line, "%s %-4s %s%s", sel ? ">" : " ",
		    form_lang_code(f, l), form_lang_name(f, l),
		    form_lang_status(f, l) == FORM_LANG_DRAFT ? _("   (draft translation)") : "");
		if (sel) {
			mvhline(y + 3 + (int)l, 0, ' ', COLS);
			cy = y + 3 + (int)l;
		}
		ui_text(y + 3 + (int)l, 2, COLS - 4, line, sel ? A_REVERSE : 0);
	}
	return cy;
}

void
scr_new_start(struct app *a, struct form *f, size_t lang, bool borrowed)
{
	char msg[VAULT_MSG_MAX];
	enum status st;

	if ((st = record_attach_form(a->v, f, msg, sizeof msg)) != ST_OK) {
		app_say(a, true, "%s", msg);
		return;
	}
	if ((st = interview_start(f, form_lang_code(f, lang), &a->iv)) != ST_OK) {
		app_say(a, true, _("Cannot start the interview: %s"), status_str(st));
		return;
	}
	a->form = f;
	a->form_borrowed = borrowed;
	interview_set_interviewer(a->iv, vault_user(a->v));
	interview_set_training(a->iv, a->training);
	memset(&a->draft, 0, sizeof a->draft);
	if (!app_save_draft(a))
		return;
	app_goto(a, SCR_QUESTION);
}

static void
new_act(struct app *a, enum action act, const struct key_event *ev)
{
	int count = a->form ? (int)form_lang_count(a->form) : (int)a->newform->n;
	struct diag_list dl;

	(void)ev;
	if (actions_common(a, act, ACTS_HELP | ACTS_QUIT))
		return;
	switch (act) {
	case ACT_UP:
		if (a->focus > 0)
			a->focus--;
		break;
	case ACT_DOWN:
		if (a->focus + 1 < count)
			a->focus++;
		break;
	case ACT_SUBMIT:
		if (count == 0)
			break;
		if (a->form == NULL) {
			diag_list_init(&dl);
			if (form_load_file(a->newform->paths[a->focus], &a->form, &dl) != ST_OK) {
				app_say(a, true, _("This form has errors: run `intake forms check %s`"),
				    a->newform->paths[a->focus]);
				a->form = NULL;
			} else
				a->focus = 0;
			diag_list_free(&dl);
		} else
			scr_new_start(a, a->form, (size_t)a->focus, false);
		break;
	case ACT_CANCEL:
		if (a->form != NULL) {
			form_free(a->form);
			a->form = NULL;
			a->focus = 0;
		} else
			app_goto(a, SCR_CASES);
		break;
	default:
		break;
	}
}

const struct screen scr_new = { new_context, new_enter, new_draw, new_act };

/* ---- resume: offered right after unlock when a draft is waiting ---- */

static enum keys_context
resume_context(struct app *a)
{
	(void)a;
	return KCTX_LIST;
}

static void
resume_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_CANCEL, ACT_HIDE };
	int top = app_frame(a, "Intake") + 2, y = top, n;
	size_t answered = 0, total = 0;
	char line[256];

	/* On a phone each text wraps, and the next starts below what it took;
	 * at UI_WIDE_COLS and wider the rows are fixed. */
	if (COLS >= UI_WIDE_COLS) {
		ui_text(y, 4, COLS - 8, _("Resume the interrupted interview?"), A_BOLD);
		y += 2;
	} else {
		n = ui_wrap(y, 4, COLS - 8, 0, 2, _("Resume the interrupted interview?"), A_BOLD);
		y += (n < 2 ? n : 2) + 1;
	}
	if (a->iv) {
		interview_progress(a->iv, &answered, &total);
		snprintf(line, sizeof line, P_("%s - %zu of %zu question answered",
		    "%s - %zu of %zu questions answered", total), reader_title(a->form),
		    answered, total);
		n = ui_wrap(y, 4, COLS - 8, 0, COLS >= UI_WIDE_COLS ? 2 : 3, line, 0);
		y += COLS >= UI_WIDE_COLS ? 2 : (n < 3 ? n : 3) + 1;
	} else if (COLS >= UI_WIDE_COLS)
		y += 2;
	ui_wrap(y, 4, COLS - 8, 0, 2, _("Enter: resume it now     Esc: go to the case list"), 0);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(top, 4);
}

static void
resume_act(struct app *a, enum action act, const struct key_event *ev)
{
	(void)ev;
	if (act == ACT_SUBMIT)
		app_goto(a, interview_at_end(a->iv) ? SCR_REVIEW : SCR_QUESTION);
	else if (act == ACT_CANCEL) {
		app_close_interview(a);
		app_goto(a, SCR_CASES);
	} else if (act == ACT_QUIT)
		a->quit = true;
}

const struct screen scr_resume = { resume_context, NULL, resume_draw, resume_act };

void
scr_cases_after_unlock(struct app *a)
{
	struct record_id *drafts = NULL;
	size_t n = 0;
	char err[512], best[32] = "";
	int pick = -1;

	if (vault_draft_list(a->v, &drafts, &n) == ST_OK) {
		/* The draft written last is the interrupted one: its save time,
		 * or for a draft that has none its start. */
		for (size_t i = 0; i < n; i++) {
			char *s = NULL;
			size_t sl = 0;
			json_t *o;
			char started[32];

			if (vault_draft_get(a->v, &drafts[i], &s, &sl) != ST_OK)
				continue;
			o = json_loadb(s, sl, 0, NULL);
			vault_plain_free(s, sl);
			if (o == NULL)
				continue;
			copy_field(started, sizeof started, o, "saved");
			if (started[0] == '\0')
				copy_field(started, sizeof started, o, "started");
			json_decref(o);
			if (pick < 0 || strcmp(started, best) > 0) {
				pick = (int)i;
				snprintf(best, sizeof best, "%s", started);
			}
		}
	}
	if (pick >= 0 && record_load(a->v, &drafts[pick], 1, a->forms_dir, &a->form,
	    &a->iv, err, sizeof err) == ST_OK) {
		a->draft = drafts[pick];
		a->has_draft = true;
		free(drafts);
		app_goto(a, SCR_RESUME);
		return;
	}
	free(drafts);
	app_goto(a, SCR_CASES);
	if (pick >= 0)
		app_say(a, true, _("An interrupted interview cannot be opened: %s"), err);
}
