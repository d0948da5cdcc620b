/*
 * scr_interview.c — the question screen, the review, the outcome, and ending
 * an interview at the respondent's wish.
 *
 * The question screen draws whatever question the engine hands it
 * (interview_view): no question is special-cased here. Every committed
 * answer and every move is followed by a draft save (one short durable
 * transaction), so a crash or a dropped link loses at most the answer being
 * typed.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "app.h"
#include "form.h"
#include "i18n.h"
#include "interview.h"
#include "record.h"
#include "scr_training.h"
#include "summary.h"
#include "ui.h"

#define FIELD_X 4
/* Most rows a wrapped answer field takes; a longer answer scrolls in it. */
#define WRAP_ROWS 6

/*
 * Every screen here speaks to the interviewer in the interface language
 * (i18n.h); only the question and its choices speak to the respondent, in
 * the interview language. The engine's own words (errors, "declined") and
 * the form's texts for the interviewer (hints, notes, indicators, outcome,
 * flags) follow the interface language too: each screen tells the engine
 * which it is before it draws, so a validation error raised by the key that
 * follows is already in it.
 */
static void
speak_to_interviewer(struct app *a)
{
	if (a->iv != NULL)
		(void)interview_set_msg_lang(a->iv, i18n_current());
}

/*
 * ^P shows the question and its choices in the interviewer's language too,
 * each beneath the interview language's, on the question, review and
 * outcome screens: an interviewer who reads the respondent's language
 * haltingly still knows what is asked. Kept for the session, whatever
 * interview is open, and in the vault for the user's next sessions
 * (vault_pref "both", read when a user first needs it: both_user says whose
 * it is).
 */
static bool show_both;
static char both_user[VAULT_USER_MAX + 1];

static void
both_load(const struct app *a)
{
	const char *user = vault_user(a->v);
	char saved[4];

	if (user == NULL || strcmp(user, both_user) == 0)
		return;
	snprintf(both_user, sizeof both_user, "%s", user);
	show_both = vault_pref_get(a->v, "both", saved, sizeof saved) == ST_OK &&
	    strcmp(saved, "1") == 0;
}

/* The form language of the interviewer's texts when it is not the
 * interview's (^P has something to show), else -1. */
static int
other_lang(const struct app *a)
{
	size_t g = interview_guide_lang(a->iv);

	return g == interview_lang(a->iv) ? -1 : (int)g;
}

/* The language to show beneath the interview's, or -1 (^P off, or the
 * same language). */
static int
second_lang(const struct app *a)
{
	both_load(a);
	return show_both ? other_lang(a) : -1;
}

/* second, unless it says what first says (a draft translation falls back
 * to the default language's text). */
static const char *
also(const char *first, const char *second)
{
	return first && second && strcmp(first, second) != 0 ? second : NULL;
}

static int
rows_of(const char *s, int w)
{
	int h = s ? ui_wrap(0, 0, w, 0, 0, s, 0) : 0;

	return h > 0 ? h : 1;
}

/*
 * ^Y on the question, review and outcome screens: the screens go to the
 * next of the program's languages (the interviewer's; one whose catalog
 * is missing is passed over), kept in the vault as the case list's ^T
 * keeps it (not kept: a format 1 vault, a full disk; it holds for the
 * session). The interview's language, which ^T changes here, stays.
 */
static void
next_ui_language(struct app *a)
{
	size_t n = i18n_count(), at = 0;
	char err[1024] = "";

	while (at < n && strcmp(i18n_code_at(at), i18n_current()) != 0)
		at++;
	for (size_t k = 1; k < n; k++) {
		size_t l = (at + k) % n;

		if (i18n_set(i18n_code_at(l), NULL, err, sizeof err) != ST_OK)
			continue;
		(void)vault_pref_set(a->v, "lang", i18n_code_at(l));
		speak_to_interviewer(a);
		/* TRANSLATORS: after ^Y during an interview: the language of
		 * the screens (named in itself), then the interview's. */
		app_say(a, false, _("Your screens are in %s now; the interview stays in %s. ^Y: "
		    "next language."), i18n_name_at(l),
		    form_lang_name(a->form, interview_lang(a->iv)));
		return;
	}
	app_say(a, true, _("The language was not changed: %s"), err);
}

/* Toggles ^P and says what it does now. */
static void
toggle_both(struct app *a)
{
	if (other_lang(a) < 0) {
		app_say(a, false, "%s", _("The interview is in your own language already."));
		return;
	}
	both_load(a);
	show_both = !show_both;
	/* Not saved (a format 1 vault, a full disk): on for this session. */
	(void)vault_pref_set(a->v, "both", show_both ? "1" : "0");
	app_say(a, false, "%s", show_both ? _("Each question is shown in your language too.") :
	    _("Questions in the interview language only."));
}

/* keys, then ACT_BOTH_LANGS when it has something to show, into out
 * (room for n + 1). Returns the count. */
static size_t
with_both(const struct app *a, const enum action *keys, size_t n, enum action *out)
{
	memcpy(out, keys, n * sizeof *keys);
	if (other_lang(a) >= 0)
		out[n++] = ACT_BOTH_LANGS;
	return n;
}

static bool
is_text_type(enum form_qtype t)
{
	return t == FORM_TEXT || t == FORM_INTEGER || t == FORM_DECIMAL || t == FORM_DATE;
}

/* Loads the current answer into the editor or the choice marks. */
static void
question_enter(struct app *a)
{
	struct iv_view v;

	a->edit = NULL;
	a->msg[0] = '\0';
	if (a->iv == NULL || !interview_view(a->iv, &v)) {
		app_goto(a, SCR_REVIEW);
		return;
	}
	a->focus = 0;
	a->scroll = 0;
	if (is_text_type(v.type)) {
		size_t max = v.type == FORM_TEXT ? v.max_length : v.type == FORM_DATE ? 10 : 32;

		if (a->answer_edit == NULL)
			a->answer_edit = lineedit_new(max);
		if (a->answer_edit == NULL)
			return;
		lineedit_set_max(a->answer_edit, max);
		lineedit_clear(a->answer_edit);
		if (v.answer == IV_VALUE && v.value)
			lineedit_set_text(a->answer_edit, v.value, strlen(v.value));
		a->edit = a->answer_edit;
	} else if (v.list >= 0) {
		if (a->ticks != NULL)
			explicit_bzero(a->ticks, a->nticks * sizeof *a->ticks);
		free(a->ticks);
		a->nticks = v.nchoices;
		a->ticks = calloc(v.nchoices + 1, sizeof *a->ticks);
		for (size_t i = 0; i < v.nchoices && a->ticks; i++) {
			const char *val = form_choice_value(a->form, (size_t)v.list, i);

			a->ticks[i] = interview_is_selected(a->iv, v.question, val);
			if (a->ticks[i] && v.type != FORM_SELECT_MULTIPLE)
				a->focus = (int)i;
		}
	}
}

/*
 * The choice that answers `value` ("yes" or "no") on a yes/no question, or
 * -1: a yes_no question, or a select_one of exactly the two choices yes and
 * no by value. Only there do y and n answer in one key.
 */
static int
yes_no_choice(const struct app *a, const struct iv_view *v, const char *value)
{
	int found = -1;

	if (a->edit || v->list < 0 || v->nchoices != 2 ||
	    (v->type != FORM_YES_NO && v->type != FORM_SELECT_ONE))
		return -1;
	for (size_t i = 0; i < 2; i++) {
		const char *val = form_choice_value(a->form, (size_t)v->list, i);

		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			return -1;
		if (strcmp(val, value) == 0)
			found = (int)i;
	}
	return found;
}

static enum keys_context
question_context(struct app *a)
{
	return a->edit ? KCTX_EDIT : KCTX_CHOICE;
}

/*
 * A text answer longer than the one-line field is edited in a wrapped,
 * multi-line field: the respondent's own words are read back whole, not
 * through a window scrolling sideways. The form's max_length decides, so no
 * form needs marking; a short limit (a name, a town) keeps one line.
 */
static bool
wrapped_field(const struct iv_view *v, int cols)
{
	return v->type == FORM_TEXT && v->max_length > (size_t)cols;
}

static const char *
format_hint(enum form_qtype t, bool yes_no)
{
	if (yes_no)
		return N_("y or n answers and goes on; or Up/Down (1-2), then Enter.");
	switch (t) {
	case FORM_INTEGER: return N_("A whole number. Enter accepts, Shift-Tab goes back.");
	case FORM_DECIMAL: return N_("A number, for example 2.5. Enter accepts, Shift-Tab goes back.");
	case FORM_DATE: return N_("A date: YYYY-MM-DD. Enter accepts, Shift-Tab goes back.");
	case FORM_TEXT: return N_("Enter accepts, Shift-Tab goes back.");
	case FORM_SELECT_MULTIPLE: return N_("Space or 1-9 ticks, Enter accepts, Shift-Tab goes back.");
	case FORM_SELECT_ONE:
	case FORM_YES_NO: return N_("Up/Down or 1-9 chooses, Enter accepts, Shift-Tab goes back.");
	case FORM_NOTE: return N_("Enter to continue, Shift-Tab goes back.");
	default: return "";
	}
}

/*
 * "Question N of about M": N is the place of the current question among
 * the relevant ones; M is how many are relevant, but never less than shown
 * before in this interview, so that the count only grows (answers that make
 * questions irrelevant would otherwise make it jump back and forth).
 */
static void
progress_text(struct app *a, const struct iv_view *v, char *buf, size_t size)
{
	size_t n = 0, m = 0;

	for (size_t q = 0; q < form_question_count(a->form); q++) {
		if (!interview_is_relevant(a->iv, q) || form_question_type(a->form, q) == FORM_NOTE)
			continue;
		m++;
		if (q <= v->question)
			n = m;
	}
	if (n == 0)
		n = 1;
	if (m < n)
		m = n;
	if (m < a->progress_max)
		m = a->progress_max;
	a->progress_max = m;
	if (COLS < UI_WIDE_COLS)
		snprintf(buf, size, _("%zu of about %zu"), n, m);
	else
		snprintf(buf, size, _("Question %zu of about %zu"), n, m);
}

/* Rows taken by choice c of the question in view: its label wraps in the
 * width left after the mark; with lang2 >= 0 its label in that language
 * follows. */
static int
choice_rows(const struct form *f, const struct iv_view *v, size_t c, size_t lang, int lang2)
{
	const char *label = form_choice_label(f, (size_t)v->list, c, lang);
	const char *label2 = lang2 >= 0 ? also(label,
	    form_choice_label(f, (size_t)v->list, c, (size_t)lang2)) : NULL;

	return rows_of(label, COLS - 10) + (label2 ? rows_of(label2, COLS - 10) : 0);
}

/*
 * The key bar of a question. Wide: two rows, so that everything the help
 * promises fits at 80 columns: moving through the interview above, the
 * respondent's and the safety keys on the bottom row. Narrow (a phone):
 * three rows of what is used most, quick-hide and emergency among them;
 * the rest (language, sometimes Back) is behind help. Returns its rows.
 */
static int
question_keybar(struct app *a, bool yes_no, bool draw)
{
	static const enum action nav[] = { ACT_SUBMIT, ACT_PREV, ACT_REVIEW,
		ACT_LANGUAGE, ACT_HELP };
	static const enum action nav_yes_no[] = { ACT_SUBMIT, ACT_PREV, ACT_REVIEW,
		ACT_LANGUAGE, ACT_HELP, ACT_YES, ACT_NO };
	static const enum action keys[] = { ACT_DECLINE, ACT_DONT_KNOW,
		ACT_END_INTERVIEW, ACT_EMERGENCY, ACT_HIDE };
	static const enum action narrow1[] = { ACT_SUBMIT, ACT_PREV, ACT_HELP };
	static const enum action narrow1_yes_no[] = { ACT_SUBMIT, ACT_YES, ACT_NO,
		ACT_PREV, ACT_HELP };
	static const enum action narrow2[] = { ACT_DECLINE, ACT_DONT_KNOW, ACT_HIDE };
	static const enum action narrow3[] = { ACT_EMERGENCY, ACT_END_INTERVIEW,
		ACT_REVIEW, ACT_LANGUAGE };
#define N(x) (sizeof x / sizeof x[0])
	enum keys_context ctx = question_context(a);
	enum action top[N(nav_yes_no) + 1];
	size_t ntop = yes_no ? with_both(a, nav_yes_no, N(nav_yes_no), top) :
	    with_both(a, nav, N(nav), top);

	/* ^P only where it fits: help lists it anyway. */
	if (ntop > (yes_no ? N(nav_yes_no) : N(nav)) && ui_keybar_width(ctx, top, ntop) > COLS)
		ntop--;

	if (ui_keybar_width(ctx, top, ntop) <= COLS && ui_keybar_width(ctx, keys, N(keys)) <= COLS) {
		if (draw) {
			ui_keybar_row(LINES - 2, ctx, top, ntop);
			ui_keybar_row(LINES - 1, ctx, keys, N(keys));
		}
		return 2;
	}
	if (draw) {
		if (yes_no)
			ui_keybar_row(LINES - 3, ctx, narrow1_yes_no, N(narrow1_yes_no));
		else
			ui_keybar_row(LINES - 3, ctx, narrow1, N(narrow1));
		ui_keybar_row(LINES - 2, ctx, narrow2, N(narrow2));
		ui_keybar_row(LINES - 1, ctx, narrow3, N(narrow3));
	}
	return 3;
#undef N
}

static void
question_draw(struct app *a)
{
	const struct form *f = a->form;
	size_t lang = interview_lang(a->iv);
	int lang2;
	struct iv_view v;
	char title[256], prog[64];
	int y, w = COLS - 2 * FIELD_X + 2, cy = 0, cx = 0, rows, area_end, bar, hint_rows;
	bool yes_no, wrapped;
	const char *hint;

	speak_to_interviewer(a);
	if (!interview_view(a->iv, &v))
		return;
	lang2 = v.type == FORM_NOTE ? -1 : second_lang(a);
	yes_no = yes_no_choice(a, &v, "yes") >= 0;
	wrapped = a->edit && wrapped_field(&v, w - 2);
	hint = _(format_hint(v.type, yes_no));
	hint_rows = ui_wrap(0, 0, w, 0, 0, hint, 0);
	if (hint_rows < 1)
		hint_rows = 1;
	bar = question_keybar(a, yes_no, false);
	/* The frame speaks to the interviewer (their language, when the form
	 * has it); the question speaks to the respondent. */
	snprintf(title, sizeof title, _("Intake - %s - %s"),
	    form_title(f, interview_guide_lang(a->iv)),
	    form_lang_name(f, lang));
	y = app_frame(a, title);
	progress_text(a, &v, prog, sizeof prog);
	ui_text(y, 1, COLS < UI_WIDE_COLS ? COLS - ui_width(prog) - 3 : COLS - 28,
	    v.section_title ? v.section_title : "", A_BOLD);
	ui_text_right(y, COLS - 1, prog, 0);
	ui_rule(y + 1);
	y += 3;
	area_end = LINES - 2 - bar;
	{
		/* Room for the input first (a field, or up to 6 choices), then the
		 * label, then as much of the hint as fits. */
		int need = (v.list >= 0 ? (v.nchoices < 6 ? (int)v.nchoices : 6) :
		    wrapped ? WRAP_ROWS : 1) + hint_rows;
		int label_h = ui_wrap(0, 0, COLS - 4, 0, 0, v.label, 0);
		int hint_h = v.hint ? ui_wrap(0, 0, COLS - 4, 0, 0, v.hint, 0) : 0;
		int room = area_end - y - need - 1;
		const char *label2 = lang2 >= 0 ? also(v.label,
		    form_question_label(f, v.question, (size_t)lang2)) : NULL;

		if (label_h > room)
			label_h = room > 1 ? room : 1;
		if (v.required)
			ui_text(y, 0, 2, "*", A_BOLD);
		ui_wrap(y, 2, COLS - 4, 0, label_h, v.label, A_BOLD);
		y += label_h;
		room -= label_h + 1;
		/* The interviewer's reading, under what is read out; the
		 * question comes before the hint when both do not fit. */
		if (label2 && room > 0) {
			int h2 = rows_of(label2, COLS - 4);

			h2 = h2 < room ? h2 : room;
			ui_wrap(y, 2, COLS - 4, 0, h2, label2, 0);
			y += h2;
			room -= h2;
		}
		if (v.hint && room > 0) {
			int shown = hint_h < room ? hint_h : room;

			y += 1;
			ui_wrap(y, 2, COLS - 4, 0, shown, v.hint, A_DIM);
			if (shown < hint_h)
				ui_text(y + shown - 1, COLS - 2, 2, "~", A_BOLD);
			y += shown;
		}
		y += 1;
	}
	if (v.answer == IV_DECLINED || v.answer == IV_DONT_KNOW) {
		char s[128];

		snprintf(s, sizeof s, _("Answer: [%s]"), interview_msg(a->iv,
		    v.answer == IV_DECLINED ? IV_MSG_DECLINED : IV_MSG_DONT_KNOW));
		ui_text(area_end - 1, 2, COLS - 4, s, 0);
		area_end--;
	}
	if (wrapped) {
		struct lineedit_block lb;
		int frows = area_end - y - hint_rows;

		if (frows > WRAP_ROWS)
			frows = WRAP_ROWS;
		if (frows < 1)
			frows = 1;
		ui_text(y, 2, 2, ">", A_BOLD);
		if (lineedit_render_block(a->edit, w - 2, frows, &lb) == ST_OK) {
			/* Only the rows in use show as a field: the empty
			 * rows below cost the terminal nothing until the
			 * text reaches them. */
			for (int r = 0; r < lb.rows_used; r++)
				ui_field(y + r, FIELD_X, w - 2, lb.row[r],
				    r == lb.cursor_row ? lb.cursor_col : 0);
			cy = y + lb.cursor_row;
			cx = FIELD_X + lb.cursor_col;
			if (lb.more_above)
				ui_text(y, FIELD_X - 1, 1, "^", 0);
			if (lb.more_below)
				ui_text(y + frows - 1, FIELD_X - 1, 1, "v", 0);
			/* The hint follows the rows in use, where a one-line
			 * field has it: moving from one to the other sends
			 * only what differs. */
			frows = lb.rows_used;
		}
		ui_wrap(y + frows, FIELD_X, w, 0, hint_rows, hint, A_DIM);
	} else if (a->edit) {
		struct lineedit_view lv;

		ui_text(y, 2, 2, ">", A_BOLD);
		if (lineedit_render(a->edit, w - 2, &lv) == ST_OK) {
			ui_field(y, FIELD_X, w - 2, lv.text, lv.cursor_col);
			cy = y;
			cx = FIELD_X + lv.cursor_col;
			if (lv.more_left)
				ui_text(y, FIELD_X - 1, 1, "<", 0);
			if (lv.more_right)
				ui_text(y, FIELD_X + w - 2, 1, ">", 0);
		}
		ui_wrap(y + 1, FIELD_X, w, 0, hint_rows, hint, A_DIM);
	} else if (v.list >= 0) {
		rows = area_end - y - hint_rows;
		if (rows < 1)
			rows = 1;
		/* A long label wraps over several rows: the list scrolls by
		 * whole choices, the highlighted one always in sight. */
		if (a->focus < a->scroll)
			a->scroll = a->focus;
		for (;;) {
			int used = 0;

			for (int c = a->scroll; c <= a->focus; c++)
				used += choice_rows(f, &v, (size_t)c, lang, lang2);
			if (used <= rows || a->scroll >= a->focus)
				break;
			a->scroll++;
		}
		int i = 0;
		size_t c = (size_t)a->scroll;

		for (; c < v.nchoices; c++) {
			const char *label = form_choice_label(f, (size_t)v.list, c, lang);
			const char *label2 = lang2 >= 0 ? also(label,
			    form_choice_label(f, (size_t)v.list, c, (size_t)lang2)) : NULL;
			int h = choice_rows(f, &v, c, lang, lang2), h1 = rows_of(label, COLS - 10);
			bool sel = (int)c == a->focus, on = a->ticks && a->ticks[c];
			const char *mark = v.type == FORM_SELECT_MULTIPLE ? (on ? "[x]" : "[ ]")
			    : (on ? "(*)" : "( )");
			char pre[16];

			if (i + h > rows && !(sel && i == 0))
				break;
			snprintf(pre, sizeof pre, "%s %s ", sel ? ">" : " ", mark);
			for (int k = 0; k < h && i + k < rows; k++) {
				if (sel)
					mvhline(y + i + k, 2, ' ', COLS - 4);
				if (k == 0)
					ui_text(y + i, 2, 6, pre, sel ? A_REVERSE : 0);
				if (k < h1)
					ui_wrap(y + i + k, 8, COLS - 10, k, 1, label, sel ? A_REVERSE : 0);
				else
					ui_wrap(y + i + k, 8, COLS - 10, k - h1, 1, label2,
					    A_DIM | (sel ? A_REVERSE : 0));
			}
			if (sel) {
				cy = y + i;
				cx = 4;
			}
			i += h;
		}
		if (c < v.nchoices)
			ui_text(y + rows, 8, COLS - 10, _("(more below)"), A_DIM);
		ui_wrap(area_end - hint_rows + 1, FIELD_X, w, 0, hint_rows, hint, A_DIM);
	} else {
		ui_wrap(y, FIELD_X, w, 0, hint_rows, hint, A_DIM);
		cy = y;
		cx = FIELD_X;
	}
	ui_message_row(LINES - 1 - bar, a->msg, a->msg_error);
	question_keybar(a, yes_no, true);
	move(cy, cx);
}

/*
 * Lao (U+0ED0-U+0ED9) and Thai (U+0E50-U+0E59) digits become ASCII digits,
 * in place: a number typed with a Lao or Thai keyboard layout is the same
 * number. Each is three UTF-8 bytes, E0 BB 90+d or E0 B9 90+d.
 */
static void
ascii_digits(char *s)
{
	char *out = s;

	while (*s) {
		const unsigned char *u = (const unsigned char *)s;

		if (u[0] == 0xe0 && (u[1] == 0xbb || u[1] == 0xb9) && u[2] >= 0x90 && u[2] <= 0x99) {
			*out++ = (char)('0' + (u[2] - 0x90));
			s += 3;
		} else {
			*out++ = *s++;
		}
	}
	while (out < s)
		*out++ = '\0';
}

/* The answer as the screen holds it, for select and text types: "" when
 * nothing is typed or ticked; NULL when out of memory or for a note. The
 * caller frees it (free_answer). */
static char *
pending_answer(struct app *a, const struct iv_view *v)
{
	char *out = NULL;
	size_t len = 0, cap = 1;

	if (a->edit) {
		if (lineedit_text(a->edit, &out, &len) != ST_OK)
			return NULL;
		if (v->type == FORM_INTEGER || v->type == FORM_DECIMAL)
			ascii_digits(out);
		return out;
	}
	if (v->list < 0)
		return NULL;
	/* A choice is answered by its tick alone (for a single choice the
	 * tick follows the arrows): never by where the highlight rests. "" when
	 * nothing is ticked. */
	for (size_t i = 0; i < v->nchoices; i++)
		if (a->ticks && a->ticks[i])
			cap += strlen(form_choice_value(a->form, (size_t)v->list, i)) + 1;
	if ((out = calloc(1, cap)) == NULL)
		return NULL;
	for (size_t i = 0; i < v->nchoices; i++)
		if (a->ticks && a->ticks[i]) {
			if (len)
				out[len++] = ' ';
			strcpy(out + len, form_choice_value(a->form, (size_t)v->list, i));
			len += strlen(out + len);
		}
	return out;
}

static void
free_answer(struct app *a, char *s)
{
	if (s && a->edit)
		lineedit_text_free(s);
	else if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* After any change of state: save the draft, then follow the engine. */
static void
after_change(struct app *a)
{
	app_save_draft(a);
	if (interview_state(a->iv) == IV_ENDED) {
		app_goto(a, SCR_OUTCOME);
		return;
	}
	if (interview_at_end(a->iv))
		app_goto(a, SCR_REVIEW);
	else
		question_enter(a);
}

/* True when the screen holds something other than the recorded answer. */
static bool
pending_differs(struct app *a, const struct iv_view *v)
{
	const char *cur = v->answer == IV_VALUE ? v->value : NULL;
	char *ans;
	bool differs;

	if (v->type == FORM_NOTE || (ans = pending_answer(a, v)) == NULL)
		return false;
	differs = !((cur && strcmp(cur, ans) == 0) || (!cur && *ans == '\0'));
	free_answer(a, ans);
	return differs;
}

/* The answer would refuse the interview consent, which ends the interview. */
static bool
refuses_consent(struct app *a, const struct iv_view *v, enum iv_answer_kind kind,
    const char *value)
{
	if (form_question_consent(a->form, v->question) != FORM_CONSENT_INTERVIEW)
		return false;
	return kind != IV_VALUE || (*value != '\0' && strcmp(value, "yes") != 0);
}

/* A refused consent ends the interview and keeps almost nothing: ask first,
 * in the "end the interview" overlay, which gives the answer on Enter. */
static void
confirm_consent(struct app *a, enum iv_answer_kind kind, const char *value)
{
	a->end_consent = true;
	a->end_kind = (int)kind;
	snprintf(a->end_value, sizeof a->end_value, "%s", value ? value : "");
	app_overlay(a, SCR_END);
}

/* Commits what the screen holds. Returns false (with the message shown)
 * when the engine refused it, or when a refused consent is to be confirmed
 * first (the overlay is then open). */
static bool
commit(struct app *a, const struct iv_view *v, bool only_if_changed)
{
	char *ans;
	enum status st;

	if (v->type == FORM_NOTE)
		return true;
	if (only_if_changed && !pending_differs(a, v))
		return true;
	ans = pending_answer(a, v);
	if (ans == NULL)
		return false;
	if (refuses_consent(a, v, IV_VALUE, ans)) {
		confirm_consent(a, IV_VALUE, ans);
		free_answer(a, ans);
		return false;
	}
	st = interview_answer(a->iv, ans);
	free_answer(a, ans);
	if (st != ST_OK) {
		app_say(a, true, "%s", interview_error(a->iv));
		return false;
	}
	return true;
}

static void
go_next(struct app *a)
{
	enum status st;

	if (interview_state(a->iv) != IV_IN_PROGRESS) {
		after_change(a);
		return;
	}
	st = interview_next(a->iv);
	if (st == ST_INVALID) {
		app_say(a, true, "%s", interview_error(a->iv));
		return;
	}
	after_change(a);
}

static bool
any_ticked(const struct app *a)
{
	for (size_t i = 0; a->ticks && i < a->nticks; i++)
		if (a->ticks[i])
			return true;
	return false;
}

/* Ticks choice c: the only tick of a single choice, toggled on a checkbox
 * list. */
static void
tick(struct app *a, const struct iv_view *v, size_t c)
{
	if (a->ticks == NULL || c >= a->nticks)
		return;
	if (v->type == FORM_SELECT_MULTIPLE) {
		a->ticks[c] = !a->ticks[c];
		return;
	}
	memset(a->ticks, 0, a->nticks * sizeof *a->ticks);
	a->ticks[c] = true;
}

/*
 * Moves and ticks in a list of choices; false for any other action.
 * On a single choice the tick follows the arrows, so what is marked (*) is
 * what Enter records; a list nobody has touched has no tick and Enter asks
 * for one. A digit chooses (single) or ticks (checkboxes) the Nth choice
 * and stays on the question: one stray key never records and moves on.
 */
static bool
choice_act(struct app *a, const struct iv_view *v, enum action act,
    const struct key_event *ev)
{
	int before = a->focus;

	if (a->edit || v->list < 0)
		return false;
	if (act == ACT_PICK) {
		size_t c = ev->cp >= '1' && ev->cp <= '9' ? ev->cp - '1' : (size_t)-1;

		if (c >= v->nchoices) {
			app_say(a, true, _("There is no choice %lu here."), (unsigned long)(c + 1));
			return true;
		}
		a->focus = (int)c;
		tick(a, v, c);
		return true;
	}
	if (act == ACT_TOGGLE) {
		tick(a, v, (size_t)a->focus);
		return true;
	}
	if (!ui_list_move(&a->focus, v->nchoices, act))
		return false;
	if (v->type != FORM_SELECT_MULTIPLE && a->focus != before)
		tick(a, v, (size_t)a->focus);
	return true;
}

/* Enter on a list of choices with nothing ticked: a required question asks
 * for a tick; an optional one moves on with no answer (clearing one the
 * ticks were taken off). True when handled here. */
static bool
submit_untouched(struct app *a, const struct iv_view *v)
{
	if (a->edit || v->list < 0 || any_ticked(a))
		return false;
	if (v->required) {
		app_say(a, true, "%s", v->type == FORM_SELECT_MULTIPLE ?
		    _("Nothing is ticked: tick the answers with Space or their number, "
		    "or ^D declined, ^N don't know.") :
		    _("Nothing is chosen: choose with Up/Down or the number, then Enter; "
		    "or ^D declined, ^N don't know."));
		return true;
	}
	if (commit(a, v, true))
		go_next(a);
	return true;
}

static void
question_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct iv_view v;

	if (!interview_view(a->iv, &v)) {
		app_goto(a, SCR_REVIEW);
		return;
	}
	if (actions_common(a, act, ACTS_ALL) || choice_act(a, &v, act, ev))
		return;
	switch (act) {
	case ACT_YES:
	case ACT_NO: {
		/* One key answers a yes/no question: it chooses, as Up/Down
		 * would, then accepts, as Enter would (a refused consent still
		 * asks first). Anywhere else the letter does nothing. */
		int c = yes_no_choice(a, &v, act == ACT_YES ? "yes" : "no");

		if (c < 0) {
			app_say(a, false, "%s", _("y and n answer yes/no questions only: choose here "
			    "with Up/Down or the number, then Enter."));
			break;
		}
		a->focus = c;
		tick(a, &v, (size_t)c);
		if (commit(a, &v, false))
			go_next(a);
		break;
	}
	case ACT_SUBMIT:
		if (submit_untouched(a, &v))
			break;
		if (commit(a, &v, false))
			go_next(a);
		break;
	case ACT_NEXT:
		if (commit(a, &v, true))
			go_next(a);
		break;
	case ACT_PREV:
		if (!commit(a, &v, true))
			break;
		if (interview_prev(a->iv) != ST_OK)
			app_say(a, false, "%s", _("This is the first question."));
		else
			after_change(a);
		break;
	case ACT_DECLINE:
	case ACT_DONT_KNOW:
		if (v.type == FORM_NOTE)
			break;
		if (refuses_consent(a, &v, act == ACT_DECLINE ? IV_DECLINED : IV_DONT_KNOW, "")) {
			confirm_consent(a, act == ACT_DECLINE ? IV_DECLINED : IV_DONT_KNOW, "");
			break;
		}
		if (interview_answer_special(a->iv, act == ACT_DECLINE ? IV_DECLINED :
		    IV_DONT_KNOW) != ST_OK) {
			app_say(a, true, "%s", interview_error(a->iv));
			break;
		}
		go_next(a);
		break;
	case ACT_REVIEW:
		if (commit(a, &v, true))
			app_goto(a, SCR_REVIEW);
		break;
	case ACT_BOTH_LANGS:
		toggle_both(a);
		break;
	case ACT_UI_LANGUAGE:
		next_ui_language(a);
		break;
	case ACT_CANCEL:
		/* Esc never leaves a question: a stray one (a slow link can
		 * split an arrow key) must not cost the interview its place. It
		 * undoes the edit of this field, nothing more. */
		if (pending_differs(a, &v)) {
			question_enter(a);
			app_say(a, false, "%s", _("Esc undid the change: the recorded answer is back."));
		} else {
			app_say(a, false, "%s", _("Esc does not leave a question: ^X ends the interview, "
			    "^C quits and keeps the draft."));
		}
		break;
	default:
		if (a->edit)
			app_edit(a, a->edit, act, ev);
		break;
	}
}

const struct screen scr_question = {
	question_context, question_enter, question_draw, question_act,
};

/* ---- review: every relevant question and its answer, then finish ---- */

static size_t
review_items(struct app *a, size_t *qs, size_t max)
{
	size_t n = 0;

	for (size_t q = 0; q < form_question_count(a->form); q++)
		if (interview_is_relevant(a->iv, q) &&
		    form_question_type(a->form, q) != FORM_NOTE && n < max)
			qs[n++] = q;
	return n;
}

static enum keys_context
review_context(struct app *a)
{
	(void)a;
	return KCTX_LIST;
}

/* The question last opened from the review, so that coming back shows
 * its row rather than the top of the list; tied to the interview it
 * belongs to, so that another interview's review starts at the top. */
static const struct interview *review_iv;
static size_t review_q;

static void
review_enter(struct app *a)
{
	size_t qs[FORM_MAX_QUESTIONS], n;

	a->edit = NULL;
	if (a->iv == NULL || a->iv != review_iv)
		return;
	n = review_items(a, qs, FORM_MAX_QUESTIONS);
	for (size_t i = 0; i < n; i++)
		if (qs[i] == review_q)
			a->focus = (int)i;
}

/* A review item: its question and answer, each followed (^P) by its text
 * in the interviewer's language when that differs (label2, ans2 NULL
 * otherwise), and the rows each takes in its column. */
struct review_item {
	const char *label, *label2, *ans2;
	char ans[1024], ans2_buf[1024];
	int hl, hl2, ha, ha2;
};

static void
review_item(struct app *a, size_t q, struct review_item *it)
{
	size_t lang = interview_lang(a->iv);
	int lang2 = second_lang(a);

	it->label = form_question_label(a->form, q, lang);
	summary_answer(a->iv, a->form, q, it->ans, sizeof it->ans);
	it->label2 = it->ans2 = NULL;
	if (lang2 >= 0) {
		it->label2 = also(it->label, form_question_label(a->form, q, (size_t)lang2));
		summary_answer_in(a->iv, a->form, q, (size_t)lang2, it->ans2_buf,
		    sizeof it->ans2_buf);
		it->ans2 = also(it->ans, it->ans2_buf);
	}
	it->hl = rows_of(it->label, COLS / 2 - 4);
	it->hl2 = it->label2 ? rows_of(it->label2, COLS / 2 - 4) : 0;
	it->ha = rows_of(it->ans, COLS / 2 - 1);
	it->ha2 = it->ans2 ? rows_of(it->ans2, COLS / 2 - 1) : 0;
}

/* Rows taken by review item i of n: its question and its answer wrap in
 * two columns, the taller one sets the height. */
static int
review_item_rows(struct app *a, const size_t *qs, size_t n, size_t i)
{
	struct review_item it;

	if (i == n)
		return 1;
	review_item(a, qs[i], &it);
	return it.hl + it.hl2 > it.ha + it.ha2 ? it.hl + it.hl2 : it.ha + it.ha2;
}

/* Row k of a column holding text (rows h) then, dim, text2 (rows h2). */
static void
review_column(int row, int x, int w, int k, const char *text, int h, const char *text2,
    int h2, attr_t at)
{
	if (k < h)
		ui_wrap(row, x, w, k, 1, text, at);
	else if (k - h < h2)
		ui_wrap(row, x, w, k - h, 1, text2, at | A_DIM);
}

static void
review_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL,
		ACT_LANGUAGE, ACT_EMERGENCY, ACT_END_INTERVIEW, ACT_HIDE, ACT_HELP };
	size_t qs[FORM_MAX_QUESTIONS], n = review_items(a, qs, FORM_MAX_QUESTIONS);
	size_t last = (size_t)-1;
	int y, rows, line = 0, cy = 0;
	enum action bar[sizeof keys / sizeof keys[0] + 1];
	size_t nbar;
	struct review_item it;

	speak_to_interviewer(a);
	nbar = with_both(a, keys, sizeof keys / sizeof keys[0], bar);
	y = app_frame(a, _("Intake - review the answers"));
	y += ui_wrap(y, 1, COLS - 2, 0, 2,
	    _("Enter on a question changes it; Enter on Finish shows the outcome."), 0) + 1;
	rows = LINES - 3 - y;
	/* Where the focused item falls, counting section headings and the
	 * rows of wrapped items: all of it is kept in sight when it fits. */
	{
		int focus_line = 0, focus_rows = 1;

		for (size_t i = 0; i <= n && (int)i <= a->focus; i++) {
			if (i < n && form_question_section(a->form, qs[i]) != last) {
				last = form_question_section(a->form, qs[i]);
				focus_line++;
			}
			if ((int)i < a->focus)
				focus_line += review_item_rows(a, qs, n, i);
			else
				focus_rows = review_item_rows(a, qs, n, i);
		}
		if (focus_rows > rows)
			focus_rows = rows;
		if (focus_line < a->scroll)
			a->scroll = focus_line > 0 ? focus_line - 1 : 0;
		if (focus_line + focus_rows > a->scroll + rows)
			a->scroll = focus_line + focus_rows - rows;
		last = (size_t)-1;
	}
	for (size_t i = 0; i <= n; i++) {
		bool sel = (int)i == a->focus;
		attr_t at = sel ? A_REVERSE : 0;
		int row, h;

		if (i < n && form_question_section(a->form, qs[i]) != last) {
			last = form_question_section(a->form, qs[i]);
			row = y + line - a->scroll;
			if (row >= y && row < y + rows)
				ui_text(row, 1, COLS - 2, form_section_title(a->form, last,
				    interview_guide_lang(a->iv)), A_BOLD);
			line++;
		}
		h = review_item_rows(a, qs, n, i);
		if (i < n)
			review_item(a, qs[i], &it);
		for (int k = 0; k < h; k++) {
			row = y + line + k - a->scroll;
			if (row < y || row >= y + rows)
				continue;
			if (sel) {
				mvhline(row, 0, ' ', COLS);
				if (k == 0)
					cy = row;
			}
			if (i == n) {
				char fin[160];

				snprintf(fin, sizeof fin, "%s %s", sel ? ">" : " ",
				    _("Finish the interview"));
				ui_text(row, 1, COLS - 2, fin, sel ? A_REVERSE : A_BOLD);
				continue;
			}
			if (k == 0)
				ui_text(row, 1, 2, sel ? ">" : " ", at);
			review_column(row, 3, COLS / 2 - 4, k, it.label, it.hl, it.label2, it.hl2, at);
			review_column(row, COLS / 2, COLS / 2 - 1, k, it.ans, it.ha, it.ans2, it.ha2, at);
		}
		line += h;
	}
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, bar, nbar);
	move(cy, 1);
}

/*
 * The question that keeps the interview from finishing, or -1: the
 * interview consent when not given, else the first required question left
 * without an answer. The engine checks the same again when the record is
 * saved; asking here lets the outcome be shown, and left again, before
 * anything is final.
 */
static int
unfinished_question(struct app *a, enum iv_msg *why)
{
	int cq = form_consent_question(a->form, FORM_CONSENT_INTERVIEW);

	if (cq >= 0 && interview_is_relevant(a->iv, (size_t)cq) &&
	    interview_consent(a->iv, FORM_CONSENT_INTERVIEW) != IV_CONSENT_YES) {
		*why = IV_MSG_CONSENT_NEEDED;
		return cq;
	}
	*why = IV_MSG_REQUIRED;
	for (size_t q = 0; q < form_question_count(a->form); q++)
		if (interview_is_relevant(a->iv, q) && form_question_required(a->form, q) &&
		    form_question_type(a->form, q) != FORM_NOTE &&
		    interview_answer_kind(a->iv, q) == IV_NONE)
			return (int)q;
	return -1;
}

static void
review_act(struct app *a, enum action act, const struct key_event *ev)
{
	size_t qs[FORM_MAX_QUESTIONS], n = review_items(a, qs, FORM_MAX_QUESTIONS);

	(void)ev;
	/* The list is the questions, then "Finish the interview". */
	if (actions_common(a, act, ACTS_ALL) || ui_list_move(&a->focus, n + 1, act))
		return;
	switch (act) {
	case ACT_SUBMIT:
		if ((size_t)a->focus < n) {
			if (interview_goto(a->iv, qs[a->focus]) == ST_OK) {
				review_iv = a->iv;
				review_q = qs[a->focus];
				app_save_draft(a);
				app_goto(a, SCR_QUESTION);
			}
			break;
		}
		if (interview_state(a->iv) == IV_IN_PROGRESS) {
			enum iv_msg why;
			int q = unfinished_question(a, &why);

			if (q >= 0 && interview_goto(a->iv, (size_t)q) == ST_OK) {
				app_save_draft(a);
				app_goto(a, SCR_QUESTION);
				app_say(a, true, "%s", interview_msg(a->iv, why));
				break;
			}
		}
		app_goto(a, SCR_OUTCOME);
		break;
	case ACT_CANCEL:
	case ACT_PREV:
		if (interview_at_end(a->iv) && interview_prev(a->iv) != ST_OK)
			break;
		app_goto(a, SCR_QUESTION);
		break;
	case ACT_BOTH_LANGS:
		toggle_both(a);
		break;
	case ACT_UI_LANGUAGE:
		next_ui_language(a);
		break;
	default:
		break;
	}
}

const struct screen scr_review = { review_context, review_enter, review_draw, review_act };

/* ---- outcome: indicators, outcome, referrals, consent; then save ---- */

static const char *
consent_text(enum iv_consent c)
{
	return c == IV_CONSENT_YES ? _("yes") : c == IV_CONSENT_NO ? _("no") : _("not given");
}

/* Whether the outcome lists the referrals of every country rather than
 * those of the interview's; each visit to the outcome starts with the
 * interview's own. */
static bool outcome_all_countries;

static void
outcome_enter(struct app *a)
{
	a->edit = NULL;
	outcome_all_countries = false;
}

static void
outcome_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_PREV, ACT_UP, ACT_DOWN,
		ACT_LANGUAGE, ACT_EMERGENCY, ACT_HIDE, ACT_HELP };
	const struct form *f = a->form;
	int o = interview_outcome(a->iv);
	struct ui_pager p;
	char buf[1024];
	enum action bar[sizeof keys / sizeof keys[0] + 1];
	size_t nbar;

	speak_to_interviewer(a);
	nbar = with_both(a, keys, sizeof keys / sizeof keys[0], bar);
	ui_pager_begin(&p, app_frame(a, _("Intake - outcome")) + 1, a->scroll);
	/* What to do next comes first: the referrals below can be longer than
	 * any screen, and a line under them would be out of sight. */
	ui_pager_wrap(&p, 2, _("Enter saves this as a final, encrypted record."), A_BOLD);
	if (interview_state(a->iv) == IV_IN_PROGRESS)
		ui_pager_wrap(&p, 2, _("Shift-Tab or ^R goes back to the answers to change them."), 0);
	p.line++;
	if (interview_state(a->iv) == IV_ENDED) {
		snprintf(buf, sizeof buf, _("The interview ended early: %s."),
		    summary_end_reason(interview_end_reason(a->iv)));
		ui_pager_wrap(&p, 2, buf, A_BOLD);
		ui_pager_wrap(&p, 2, _("Only what the respondent's consent allows is kept."), 0);
		p.line++;
	}
	if (summary_flags(&p, 2, a->iv, f) > 0)
		p.line++;
	if (o >= 0) {
		summary_outcome(&p, 2, f, (size_t)o, interview_guide_lang(a->iv));
		p.line++;
	}
	summary_indicators(&p, 2, a->iv, f, true, second_lang(a));
	p.line++;
	if (summary_flag_contacts(&p, 2, a->iv, f, outcome_all_countries) > 0)
		p.line++;
	if (o >= 0 && form_outcome_referral_count(f, (size_t)o) > 0) {
		const char *cname = NULL, *cc = summary_country(a->iv, f, &cname);
		size_t hidden = 0;

		if (cc != NULL && !outcome_all_countries)
			snprintf(buf, sizeof buf, _("Referrals in %s (Space shows every country):"), cname);
		else if (cc != NULL)
			snprintf(buf, sizeof buf, _("Referrals, every country (Space shows %s only):"), cname);
		else
			snprintf(buf, sizeof buf, "%s", _("Referrals:"));
		ui_pager_wrap(&p, 2, buf, A_BOLD);
		for (size_t k = 0; k < form_outcome_referral_count(f, (size_t)o); k++) {
			size_t r = form_outcome_referral(f, (size_t)o, k);

			if (!outcome_all_countries && !summary_referral_serves(f, r, cc)) {
				hidden++;
				continue;
			}
			/* The contact on a line of its own: a phone number is
			 * never broken across lines. */
			/* For the interviewer: in the interface language. */
			ui_pager_wrap(&p, 4, form_referral_name(f, r, interview_guide_lang(a->iv)), 0);
			ui_pager_line(&p, 6, form_referral_contact(f, r), 0);
		}
		if (hidden > 0) {
			snprintf(buf, sizeof buf, P_("(%zu more in another country: Space shows it.)",
			    "(%zu more in other countries: Space shows them.)", hidden), hidden);
			ui_pager_wrap(&p, 4, buf, A_DIM);
		}
		p.line++;
	}
	snprintf(buf, sizeof buf, _("Consent: interview %s, referral %s, statistics %s"),
	    consent_text(interview_consent(a->iv, FORM_CONSENT_INTERVIEW)),
	    consent_text(interview_consent(a->iv, FORM_CONSENT_REFERRAL)),
	    consent_text(interview_consent(a->iv, FORM_CONSENT_STATISTICS)));
	ui_pager_wrap(&p, 2, buf, 0);
	a->total_lines = p.line;
	if (p.line > p.rows)
		ui_text(LINES - 3, COLS - 24, 24, _("(Up/Down: scroll)"), A_DIM);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, bar, nbar);
	move(p.top, 2);
}

/* Saves the interview as a final record and drops its draft. A mock
 * screening then goes to its debrief; a real interview is closed and the
 * case list shown, and true returned with *code the saved case, for the
 * caller to say. False otherwise (a refusal is shown). */
static bool
save_final(struct app *a, struct case_code *code)
{
	struct record_id id;

	/* Finished only now, so that the outcome screen can still go back. */
	if (interview_state(a->iv) == IV_IN_PROGRESS && interview_finish(a->iv) != ST_OK) {
		char why[512];

		snprintf(why, sizeof why, "%s", interview_error(a->iv));
		if (!interview_at_end(a->iv))
			app_goto(a, SCR_QUESTION);
		app_say(a, true, "%s", why);
		return false;
	}
	if (record_save(a->v, a->iv, &id) != ST_OK) {
		app_say(a, true, _("Not saved: %s"), vault_errmsg(a->v));
		return false;
	}
	if (a->has_draft)
		vault_draft_delete(a->v, &a->draft);
	a->has_draft = false;
	record_id_code(&id, code);
	if (a->training) {
		scr_training_debrief(a);
		return false;
	}
	app_close_interview(a);
	app_goto(a, SCR_CASES);
	return true;
}

static void
outcome_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct case_code code;

	(void)ev;
	if (actions_common(a, act, ACTS_ALL & ~ACTS_END))
		return;
	switch (act) {
	case ACT_SUBMIT:
		if (save_final(a, &code))
			app_say(a, false, _("Saved case %s."), code.s);
		break;
	case ACT_PREV:
	case ACT_REVIEW:
	case ACT_CANCEL:
		if (interview_state(a->iv) != IV_IN_PROGRESS) {
			app_say(a, false, "%s", _("This interview has ended: Enter saves what consent allows."));
			break;
		}
		app_goto(a, SCR_REVIEW);
		break;
	case ACT_TOGGLE:
		outcome_all_countries = !outcome_all_countries;
		break;
	case ACT_BOTH_LANGS:
		toggle_both(a);
		break;
	case ACT_UI_LANGUAGE:
		next_ui_language(a);
		break;
	case ACT_UP:
	case ACT_DOWN:
		ui_pager_scroll(&a->scroll, a->total_lines, act);
		break;
	default:
		break;
	}
}

const struct screen scr_outcome = { review_context, outcome_enter, outcome_draw, outcome_act };

/* ---- ending the interview at the respondent's wish ---- */

/* The words of the refused consent answer waiting for confirmation. */
static const char *
consent_answer_words(struct app *a)
{
	struct iv_view v;

	if (a->end_kind == IV_DECLINED)
		return interview_msg(a->iv, IV_MSG_DECLINED);
	if (a->end_kind == IV_DONT_KNOW)
		return interview_msg(a->iv, IV_MSG_DONT_KNOW);
	if (interview_view(a->iv, &v) && v.list >= 0)
		for (size_t i = 0; i < v.nchoices; i++)
			if (strcmp(form_choice_value(a->form, (size_t)v.list, i), a->end_value) == 0)
				return form_choice_label(a->form, (size_t)v.list, i,
				    interview_lang(a->iv));
	return a->end_value;
}

/* Draws the consent confirmation from row y; returns the row of its Enter
 * line. Each text wraps on a narrow screen; at 80 columns each takes the
 * rows it always had. */
static int
consent_draw(struct app *a, int y)
{
	char line[160];
	int h;

	snprintf(line, sizeof line, _("(The answer given: %s.)"), consent_answer_words(a));
	y += ui_wrap(y, 4, COLS - 8, 0, 2, _("End the interview now?"), A_BOLD) + 1;
	y += ui_wrap(y, 4, COLS - 8, 0, 2, _("The respondent does not agree to the interview."), 0);
	y += ui_wrap(y, 4, COLS - 8, 0, 2, line, 0) + 1;
	h = ui_wrap(y, 4, COLS - 8, 0, 5, _("Without consent the interview ends here and is "
	    "saved as ended: only the consent answer, and what the form keeps without "
	    "consent, is kept."), 0);
	y += (h < 3 ? 3 : h) + 1;
	ui_wrap(y, 4, COLS - 8, 0, 1, _("Enter: end the interview"), A_BOLD);
	ui_wrap(y + 1, 4, COLS - 8, 0, 2, _("Esc: go back to the question and change the answer"), 0);
	ui_message(a->msg, a->msg_error);
	return y;
}

static void
end_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL, ACT_HIDE };
	static const enum action consent_keys[] = { ACT_SUBMIT, ACT_CANCEL, ACT_HIDE };
	int y, h, cy = 0;

	speak_to_interviewer(a);
	y = app_frame(a, _("Intake - end the interview")) + 2;

	if (a->end_consent) {
		y = consent_draw(a, y);
		ui_keybar(KCTX_LIST, consent_keys, sizeof consent_keys / sizeof consent_keys[0]);
		move(y, 4);
		return;
	}

	ui_text(y, 4, COLS - 8, _("End the interview now?"), A_BOLD);
	h = ui_wrap(y + 1, 4, COLS - 8, 0, 5, _("The respondent may stop at any time. What was "
	    "said so far is kept only as far as the consent given allows."), 0);
	y += 2 + (h < 3 ? 3 : h);
	ui_text(y, 4, COLS - 8, _("Why does it end?"), 0);
	y += 2;
	/* A reason too long for a narrow screen wraps under itself. */
	for (size_t i = 0; i < summary_end_choices(); i++) {
		bool sel = (int)i == a->focus;
		const char *reason = summary_end_reason(summary_end_code(i));

		if (sel)
			cy = y;
		ui_text(y, 4, 2, sel ? "> " : "  ", sel ? A_REVERSE : 0);
		h = ui_wrap(y, 6, COLS - 10, 0, 3, reason, sel ? A_REVERSE : 0);
		y += h > 0 ? h : 1;
	}
	if (y + 1 < LINES - 2)	/* else only on the key bar (narrow screens) */
		ui_text(y + 1, 4, COLS - 8, _("Esc: go back to the interview"), A_DIM);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(cy, 4);
}

static void
end_enter(struct app *a)
{
	a->focus = 0;
}

/* Gives the refused consent answer, which ends the interview (the engine
 * keeps only what may be kept without consent), and saves it as ended. */
static void
end_by_consent(struct app *a)
{
	struct case_code code;
	enum status st;

	a->end_consent = false;
	if (a->end_kind == IV_VALUE)
		st = interview_answer(a->iv, a->end_value);
	else
		st = interview_answer_special(a->iv, (enum iv_answer_kind)a->end_kind);
	explicit_bzero(a->end_value, sizeof a->end_value);
	if (st != ST_OK || interview_state(a->iv) != IV_ENDED) {
		app_close_overlay(a);
		if (st != ST_OK)
			app_say(a, true, "%s", interview_error(a->iv));
		else
			after_change(a);
		return;
	}
	if (save_final(a, &code))
		app_say(a, false, _("The interview ended: the respondent did not agree to it. "
		    "Case %s keeps only what may be kept without consent."), code.s);
}

static void
end_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct case_code code;

	(void)ev;
	if (act == ACT_CANCEL) {
		a->end_consent = false;
		app_close_overlay(a);
		return;
	}
	if (a->end_consent) {
		if (act == ACT_SUBMIT)
			end_by_consent(a);
		return;
	}
	if (actions_common(a, act, ACTS_LANGUAGE | ACTS_EMERGENCY))
		return;
	switch (act) {
	case ACT_UP:
	case ACT_DOWN:
		ui_list_move(&a->focus, summary_end_choices(), act);
		break;
	case ACT_SUBMIT:
		if (interview_state(a->iv) == IV_IN_PROGRESS &&
		    interview_stop(a->iv, summary_end_code((size_t)a->focus)) != ST_OK) {
			app_say(a, true, "%s", interview_error(a->iv));
			break;
		}
		if (save_final(a, &code))
			app_say(a, false, _("The interview ended; case %s keeps what consent allows."),
			    code.s);
		break;
	default:
		break;
	}
}

const struct screen scr_end = { review_context, end_enter, end_draw, end_act };
