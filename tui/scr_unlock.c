/*
 * scr_unlock.c — the first and the lock screen: user name and passphrase.
 * Nothing of the vault is visible before it is unlocked; the passphrase is
 * not echoed and its length is not shown.
 *
 * After failed unlocks an attempt may be given a turn for later (vault_unlock
 * ST_BUSY, vault.h): the screen then counts the seconds down and takes the
 * turn when it comes, still answering quick-hide, quit and Esc (which give
 * the turn up and clear the passphrase).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "interview.h"
#include "scr_cases.h"
#include "term.h"
#include "ui.h"

#define UNLOCK_ESC_WAIT_MS 30   /* as the main loop: a lone Esc after this pause */

static enum keys_context
unlock_context(struct app *a)
{
	(void)a;
	return KCTX_EDIT;
}

/*
 * The language of this screen, shown before anyone is known (i18n.h has the
 * order): the one the program started in, or chosen here with ^T. After an
 * unlock the user's saved language may replace it (apply_saved_lang); a
 * lock brings this one back, so the next person is not shown the last
 * one's language.
 */
static char screen_lang[8];

static void
unlock_enter(struct app *a)
{
	char err[256];

	a->focus = lineedit_chars(a->user_edit) > 0 ? 1 : 0;
	if (screen_lang[0] == '\0')
		snprintf(screen_lang, sizeof screen_lang, "%s", i18n_current());
	else if (strcmp(screen_lang, i18n_current()) != 0)
		(void)i18n_set(screen_lang, NULL, err, sizeof err);
}

/* After an unlock: the language the user saved (^T on the case list), unless
 * the language was given (--lang, INTAKE_LANG) or chosen with ^T on this
 * screen just now. A saved value that cannot be read or used leaves the
 * screens as they are: it is a convenience, and nothing is lost. */
static void
apply_saved_lang(struct app *a)
{
	char saved[16], err[256];
	const char *code;

	if (strcmp(screen_lang, i18n_current()) != 0) {
		snprintf(screen_lang, sizeof screen_lang, "%s", i18n_current());
		return;
	}
	if (i18n_given() || vault_pref_get(a->v, "lang", saved, sizeof saved) != ST_OK)
		return;
	code = i18n_code(saved);
	if (code != NULL && strcmp(code, saved) == 0 && strcmp(code, i18n_current()) != 0)
		(void)i18n_set(code, NULL, err, sizeof err);
}

/* The fields start at FIELD_X and are 40 columns wide, less on a phone. */
enum { FIELD_X = 22, FIELD_W = 40 };

static int
field_width(void)
{
	return COLS - FIELD_X - 2 < FIELD_W ? COLS - FIELD_X - 2 : FIELD_W;
}

static void
draw_field(struct app *a, int y, const char *label, struct lineedit *le, int focused)
{
	struct lineedit_view view;
	int x = FIELD_X, w = field_width();

	(void)a;
	ui_text(y, 4, 18, label, focused ? A_BOLD : 0);
	ui_text(y, x - 2, 2, focused ? ">" : " ", A_BOLD);
	if (lineedit_render(le, w, &view) == ST_OK) {
		ui_field(y, x, w, view.text, view.cursor_col);
		if (focused)
			move(y, x + view.cursor_col);
	}
}

static void
unlock_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_NEXT, ACT_LANGUAGE, ACT_HELP, ACT_QUIT };
	const size_t nkeys = sizeof keys / sizeof keys[0];
	int y = ui_frame("Intake", _("locked"), a->training) + 2;

	ui_text(y, 4, COLS - 8, _("Unlock the vault"), A_BOLD);
	ui_text(y + 1, 4, COLS - 8, a->vault_dir, 0);
	y += 3;
	/* Draw the unfocused field first so the cursor ends on the focused one. */
	if (a->focus == 0) {
		draw_field(a, y + 2, _("Passphrase"), a->pass_edit, 0);
		draw_field(a, y, _("User"), a->user_edit, 1);
	} else {
		draw_field(a, y, _("User"), a->user_edit, 0);
		draw_field(a, y + 2, _("Passphrase"), a->pass_edit, 1);
	}
	/* A phone's key bar takes two rows: quit stays on it. */
	ui_message_row(LINES - 1 - ui_keybar_fit(KCTX_EDIT, keys, nkeys, false), a->msg,
	    a->msg_error);
	ui_keybar_fit(KCTX_EDIT, keys, nkeys, true);
	/* ui_message/keybar moved the cursor: put it back on the field. */
	{
		struct lineedit_view view;
		struct lineedit *le = a->focus == 0 ? a->user_edit : a->pass_edit;

		if (lineedit_render(le, field_width(), &view) == ST_OK)
			move(y + (a->focus == 0 ? 0 : 2), FIELD_X + view.cursor_col);
	}
}

static void
redraw(struct app *a)
{
	erase();
	if (COLS >= TERM_MIN_COLS && LINES >= TERM_MIN_ROWS)
		unlock_draw(a);
	refresh();
}

/* Waits for the turn vault_unlock gave (ST_BUSY), showing the seconds left
 * and reading keys meanwhile. Returns true when the turn has come, false
 * when the user gave it up (Esc, quit, quick-hide) or the terminal went. */
static bool
wait_turn(struct app *a, const char *user)
{
	unsigned char buf[64];
	struct key_event ev;
	enum term_event te;
	uint64_t left;
	size_t n, off;
	bool go_on = true;

	while (go_on && (left = vault_unlock_wait_ms(a->v)) > 0) {
		app_say(a, false, _("Unlocks of %s have failed several times in a row, so each try "
		    "waits its turn. Yours comes in %llu s. Esc gives it up."), user,
		    (unsigned long long)(left + 999) / 1000);
		redraw(a);
		te = term_read(left < 1000 ? (int)left : 1000, buf, sizeof buf, &n);
		if (te == TERM_HANGUP) {
			a->quit = true;
			return false;
		}
		if (te != TERM_INPUT)
			continue;
		off = 0;
		while (go_on && keys_decode(a->keys, buf, n, &off, &ev)) {
			switch (keys_action(KCTX_EDIT, &ev)) {
			case ACT_HIDE:
				term_blank();
				go_on = false;
				break;
			case ACT_QUIT:
				a->quit = true;
				go_on = false;
				break;
			case ACT_CANCEL:
				go_on = false;
				break;
			default:
				break;      /* typing waits until the turn is over */
			}
		}
		/* A lone Esc is told from the start of a sequence by a pause. */
		if (go_on && keys_pending(a->keys) && term_read(UNLOCK_ESC_WAIT_MS, buf, sizeof buf, &n) ==
		    TERM_TIMEOUT && keys_flush(a->keys, &ev) && keys_action(KCTX_EDIT, &ev) ==
		    ACT_CANCEL)
			go_on = false;
		explicit_bzero(buf, sizeof buf);
		explicit_bzero(&ev, sizeof ev);
	}
	if (!go_on)
		app_say(a, false, _("The turn to unlock was given up. Type the passphrase to try "
		    "again."));
	return go_on;
}

static void
try_unlock(struct app *a)
{
	char *user = NULL;
	size_t ulen = 0, plen = 0;
	const char *pass;
	enum status st;

	if (lineedit_chars(a->user_edit) == 0) {
		a->focus = 0;
		app_say(a, true, _("Type your user name."));
		return;
	}
	if (lineedit_text(a->user_edit, &user, &ulen) != ST_OK)
		return;
	pass = lineedit_buffer(a->pass_edit, &plen);
	/* Unlocking takes about half a second: say so before the screen stalls. */
	ui_message(_("Unlocking..."), 0);
	refresh();
	st = vault_unlock(a->v, user, pass, plen);
	if (st == ST_BUSY && wait_turn(a, user)) {
		ui_message(_("Unlocking..."), 0);
		refresh();
		st = vault_unlock(a->v, user, pass, plen);
	}
	lineedit_clear(a->pass_edit);
	lineedit_text_free(user);
	if (st == ST_BUSY && vault_unlock_wait_ms(a->v) > 0) {
		a->focus = 1;           /* given up: wait_turn said so */
		return;
	}
	if (st != ST_OK) {
		a->focus = 1;
		app_say(a, true, "%s", vault_errmsg(a->v));
		return;
	}
	apply_saved_lang(a);
	scr_cases_after_unlock(a);
}

static void
unlock_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct lineedit *le = a->focus == 0 ? a->user_edit : a->pass_edit;

	switch (act) {
	case ACT_SUBMIT:
		if (a->focus == 0)
			a->focus = 1;
		else
			try_unlock(a);
		break;
	case ACT_NEXT:
	case ACT_DOWN:
	case ACT_PREV:
	case ACT_UP:
		a->focus = !a->focus;
		break;
	case ACT_QUIT:
		a->quit = true;
		break;
	case ACT_HELP:
		app_overlay(a, SCR_HELP);
		break;
	case ACT_LANGUAGE:
		app_overlay(a, SCR_LANGUAGE);   /* the language of the screens */
		break;
	default:
		app_edit(a, le, act, ev);
		break;
	}
}

const struct screen scr_unlock = {
	unlock_context, unlock_enter, unlock_draw, unlock_act,
};
