/*
 * app.c — the main loop, screen dispatch, locking and drafts.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "audit.h"
#include "form.h"
#include "formdir.h"
#include "interview.h"
#include "record.h"
#include "term.h"
#include "ui.h"

#define ESC_WAIT_MS 30

static const struct screen *const screens[SCR__COUNT] = {
	[SCR_UNLOCK] = &scr_unlock,
	[SCR_CASES] = &scr_cases,
	[SCR_NEW] = &scr_new,
	[SCR_QUESTION] = &scr_question,
	[SCR_REVIEW] = &scr_review,
	[SCR_OUTCOME] = &scr_outcome,
	[SCR_RECORD] = &scr_record,
	[SCR_HELP] = &scr_help,
	[SCR_EMERGENCY] = &scr_emergency,
	[SCR_END] = &scr_end,
	[SCR_LANGUAGE] = &scr_language,
	[SCR_RESUME] = &scr_resume,
	[SCR_SCENARIO] = &scr_scenario,
	[SCR_DEBRIEF] = &scr_debrief,
};

/* The screen modules that keep state of their own. */
static const struct screen_state *const states[] = {
	&scr_cases_state, &scr_new_state, &scr_training_state,
};
#define NSTATES (sizeof states / sizeof states[0])

void
app_say(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->msg_error = error;
}

void
app_goto(struct app *a, enum screen_id s)
{
	a->screen = s;
	a->focus = 0;
	a->scroll = 0;
	a->edit = NULL;
	if (screens[s]->enter)
		screens[s]->enter(a);
}

static bool
is_overlay(enum screen_id s)
{
	return s == SCR_HELP || s == SCR_EMERGENCY || s == SCR_LANGUAGE || s == SCR_END;
}

void
app_overlay(struct app *a, enum screen_id s)
{
	if (is_overlay(a->screen)) {
		a->screen = a->back;    /* one overlay at a time */
	} else {
		a->back_focus = a->focus;
		a->back_scroll = a->scroll;
		a->back_edit = a->edit;
	}
	a->back = a->screen;
	a->screen = s;
	a->edit = NULL;
	if (screens[s]->enter)
		screens[s]->enter(a);
}

void
app_close_overlay(struct app *a)
{
	/* Not re-entered: entering a question reloads it from the engine and
	 * would drop what is typed or ticked but not yet accepted. */
	a->screen = a->back;
	a->focus = a->back_focus;
	a->scroll = a->back_scroll;
	a->edit = a->back_edit;
}

bool
app_save_draft(struct app *a)
{
	enum status st;

	if (a->iv == NULL || interview_state(a->iv) != IV_IN_PROGRESS)
		return true;
	st = record_draft_save(a->v, a->iv, &a->draft);
	if (st != ST_OK) {
		app_say(a, true, "The draft could not be saved: %s", vault_errmsg(a->v));
		return false;
	}
	a->has_draft = true;
	return true;
}

void
app_close_interview(struct app *a)
{
	interview_free(a->iv);
	a->iv = NULL;
	if (!a->form_borrowed)
		form_free(a->form);
	a->form = NULL;
	a->form_borrowed = false;
	a->scenario = NULL;
	memset(&a->draft, 0, sizeof a->draft);
	a->has_draft = false;
	a->progress_max = 0;
}

/* The choice ticks are answers: wiped, then freed. */
static void
wipe_ticks(struct app *a)
{
	if (a->ticks != NULL)
		explicit_bzero(a->ticks, a->nticks * sizeof *a->ticks);
	free(a->ticks);
	a->ticks = NULL;
	a->nticks = 0;
}

/* Every screen module forgets what it showed or was typed into it (the
 * case rows name outcomes and interviewers; a search is typed words). */
static void
wipe_states(struct app *a)
{
	for (size_t i = 0; i < NSTATES; i++)
		if (states[i]->wipe != NULL)
			states[i]->wipe(a);
}

void
app_lock(struct app *a, const char *why)
{
	term_blank();
	app_save_draft(a);
	app_close_interview(a);
	lineedit_clear(a->pass_edit);
	/* The answer being typed is the respondent's words too. */
	if (a->answer_edit)
		lineedit_clear(a->answer_edit);
	wipe_states(a);
	wipe_ticks(a);
	a->viewing = false;
	vault_lock(a->v);
	keys_reset(a->keys);
	app_goto(a, SCR_UNLOCK);
	app_say(a, false, "%s", why);
}

bool
app_edit(struct app *a, struct lineedit *le, enum action act, const struct key_event *ev)
{
	enum status st;

	switch (act) {
	case ACT_LEFT: return lineedit_left(le);
	case ACT_RIGHT: return lineedit_right(le);
	/* A wrapped field moves by its visual rows. */
	case ACT_HOME: return lineedit_wrapped(le) ? lineedit_row_home(le) : lineedit_home(le);
	case ACT_END: return lineedit_wrapped(le) ? lineedit_row_end(le) : lineedit_end(le);
	case ACT_UP: return lineedit_row_up(le);
	case ACT_DOWN: return lineedit_row_down(le);
	case ACT_WORD_LEFT: return lineedit_word_left(le);
	case ACT_WORD_RIGHT: return lineedit_word_right(le);
	case ACT_BACKSPACE: return lineedit_backspace(le);
	case ACT_DELETE: return lineedit_delete(le);
	case ACT_KILL_END: return lineedit_kill_end(le);
	case ACT_KILL_START: return lineedit_kill_start(le);
	case ACT_NONE:
		if (ev->key == K_INVALID) {
			app_say(a, true, "That input was not valid UTF-8 and was ignored: "
			    "check the terminal's character set (UTF-8)");
			return false;
		}
		if (ev->key != K_CHAR || ev->mods != 0)
			return false;
		st = lineedit_insert_cp(le, ev->cp);
		if (st != ST_OK) {
			app_say(a, true, "%s", lineedit_errmsg(le));
			return false;
		}
		return true;
	default:
		return false;
	}
}

int
app_frame(struct app *a, const char *title)
{
	char right[160];

	snprintf(right, sizeof right, "%s%s", vault_user(a->v) ? vault_user(a->v) : "",
	    vault_user(a->v) ? "  " : "");
	return ui_frame(title, right, a->training);
}

static void
draw_too_small(void)
{
	char m1[64], m2[64];

	erase();
	snprintf(m1, sizeof m1, "Enlarge the window to %dx%d", TERM_MIN_COLS, TERM_MIN_ROWS);
	snprintf(m2, sizeof m2, "(now %dx%d)", COLS, LINES);
	ui_wrap(LINES / 2 - 1, 0, COLS, 0, 2, m1, A_BOLD);
	ui_text(LINES / 2 + 1, 0, COLS, m2, 0);
	move(0, 0);
}

static void
draw(struct app *a)
{
	if (COLS < TERM_MIN_COLS || LINES < TERM_MIN_ROWS) {
		draw_too_small();
		refresh();
		return;
	}
	erase();
	screens[a->screen]->draw(a);
	refresh();
}

static void
handle(struct app *a, const struct key_event *ev)
{
	const struct screen *s = screens[a->screen];
	enum keys_context ctx = s->context ? s->context(a) : KCTX_GLOBAL;
	enum action act = keys_action(ctx, ev);

	a->msg[0] = '\0';
	if (act == ACT_HIDE && a->screen != SCR_UNLOCK) {
		term_blank();
		audit_log(a->v, AUDIT_HIDE, NULL, NULL);
		app_lock(a, "Hidden and locked. Unlock to continue.");
		return;
	}
	if (act == ACT_REDRAW) {
		clearok(curscr, TRUE);
		return;
	}
	if (COLS < TERM_MIN_COLS || LINES < TERM_MIN_ROWS) {
		if (act == ACT_QUIT)
			a->quit = true;
		return;
	}
	s->act(a, act, ev);
}

static void
app_free(struct app *a)
{
	app_close_interview(a);
	vault_close(a->v);
	keys_free(a->keys);
	lineedit_free(a->user_edit);
	lineedit_free(a->pass_edit);
	lineedit_free(a->answer_edit);
	wipe_states(a);
	wipe_ticks(a);
	for (size_t i = 0; i < NSTATES; i++)
		if (states[i]->close != NULL)
			states[i]->close(a);
}

/* Makes each screen module's state; false when one could not be made. */
static bool
open_states(struct app *a)
{
	for (size_t i = 0; i < NSTATES; i++)
		if (states[i]->open != NULL && !states[i]->open(a))
			return false;
	return true;
}

/* The vault did not open: says why, frees, and gives the exit status. */
static int
open_failed(struct app *a, enum status st)
{
	fprintf(stderr, "intake: %s\n", vault_errmsg(a->v));
	app_free(a);
	return st == ST_NOTFOUND || st == ST_FORMAT ? 4 : st == ST_TAMPERED ? 5 : 1;
}

int
app_run(const char *vault_dir, const char *user, bool training, int idle_seconds)
{
	struct app a;
	struct key_event ev;
	struct stat sb;
	unsigned char buf[512];
	char err[512], data[4096 + 16];
	bool opened = false;
	size_t n, off;
	enum term_event te;
	enum status st;
	int rc = 0;

	memset(&a, 0, sizeof a);
	a.vault_dir = vault_dir;
	a.training = training;
	a.idle_ms = idle_seconds > 0 ? idle_seconds * 1000 : -1;
	(void)formdir_find(a.forms_dir, sizeof a.forms_dir);  /* none: no new interviews */
	if ((a.v = vault_new()) == NULL || (a.keys = keys_new()) == NULL ||
	    (a.user_edit = lineedit_new(VAULT_USER_MAX)) == NULL ||
	    (a.pass_edit = lineedit_new(VAULT_PASS_MAX)) == NULL || !open_states(&a)) {
		fprintf(stderr, "intake: out of memory\n");
		app_free(&a);
		return 1;
	}
	lineedit_set_echo(a.pass_edit, LINEEDIT_ECHO_OFF);
	if (user != NULL && lineedit_set_text(a.user_edit, user, strlen(user)) != ST_OK) {
		fprintf(stderr, "intake: --user: %s\n", lineedit_errmsg(a.user_edit));
		app_free(&a);
		return 2;
	}
	/* No vault at all is said plainly, before the terminal is touched. */
	if (snprintf(data, sizeof data, "%s/data.mdb", vault_dir) >= (int)sizeof data ||
	    stat(data, &sb) != 0) {
		if ((st = vault_open(a.v, vault_dir)) != ST_OK)
			return open_failed(&a, st);
		opened = true;          /* made meanwhile by someone else */
	}
	if (term_start(err, sizeof err) != 0) {
		fprintf(stderr, "intake: %s\n", err);
		app_free(&a);
		return 1;
	}
	app_goto(&a, SCR_UNLOCK);
	/* Opened after the first paint: the unlock screen shows at once while
	 * the pages of a large vault are checked (0.2 s at 100,000 records).
	 * Keys typed meanwhile wait in the terminal. */
	draw(&a);
	if (!opened && (st = vault_open(a.v, vault_dir)) != ST_OK) {
		term_stop();
		return open_failed(&a, st);
	}
	while (!a.quit) {
		draw(&a);
		te = term_read(keys_pending(a.keys) ? ESC_WAIT_MS : a.idle_ms, buf, sizeof buf, &n);
		if (te == TERM_HANGUP)
			break;
		if (te == TERM_RESIZE)
			continue;
		if (te == TERM_TIMEOUT) {
			if (keys_pending(a.keys)) {
				if (keys_flush(a.keys, &ev))
					handle(&a, &ev);
			} else if (a.screen != SCR_UNLOCK) {
				audit_log(a.v, AUDIT_LOCK, NULL, NULL);
				app_lock(&a, "Locked after a time without a key. Unlock to continue.");
			}
			continue;
		}
		off = 0;
		while (!a.quit && keys_decode(a.keys, buf, n, &off, &ev))
			handle(&a, &ev);
		/* Raw keystrokes may be a passphrase or an answer. */
		explicit_bzero(buf, n);
		explicit_bzero(&ev, sizeof ev);
	}
	/* Hang-up or quit: the draft is on disk; wipe and restore the terminal. */
	app_save_draft(&a);
	term_stop();
	explicit_bzero(buf, sizeof buf);
	app_free(&a);
	return rc;
}
