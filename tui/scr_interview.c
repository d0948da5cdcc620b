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
#include "interview.h"
#include "record.h"
#include "summary.h"
#include "ui.h"

#define FIELD_X 4

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

static enum keys_context
question_context(struct app *a)
{
	return a->edit ? KCTX_EDIT : KCTX_LIST;
}

static const char *
format_hint(enum form_qtype t)
{
	switch (t) {
	case FORM_INTEGER: return "A whole number. Enter accepts, Shift-Tab goes back.";
	case FORM_DECIMAL: return "A number, for example 2.5. Enter accepts, Shift-Tab goes back.";
	case FORM_DATE: return "A date: YYYY-MM-DD. Enter accepts, Shift-Tab goes back.";
	case FORM_TEXT: return "Enter accepts, Shift-Tab goes back.";
	case FORM_SELECT_MULTIPLE: return "Space ticks a choice, Enter accepts, Shift-Tab goes back.";
	case FORM_SELECT_ONE:
	case FORM_YES_NO: return "Up/Down chooses, Enter accepts, Shift-Tab goes back.";
	case FORM_NOTE: return "Enter to continue, Shift-Tab goes back.";
	default: return "";
	}
}

static void
question_draw(struct app *a)
{
	/* Safety first on the key bar: ending, emergency and hide always fit at
	 * 80 columns; Enter and Back are on the hint line and in help. */
	static const enum action keys[] = { ACT_DECLINE, ACT_DONT_KNOW,
		ACT_END_INTERVIEW, ACT_EMERGENCY, ACT_HIDE, ACT_LANGUAGE, ACT_HELP,
		ACT_REVIEW, ACT_PREV };
	const struct form *f = a->form;
	size_t lang = interview_lang(a->iv), answered, total;
	struct iv_view v;
	char title[256], prog[64];
	int y, w = COLS - 2 * FIELD_X + 2, cy = 0, cx = 0, rows, area_end;

	if (!interview_view(a->iv, &v))
		return;
	/* The frame speaks to the interviewer (the form's default language);
	 * the question speaks to the respondent. */
	snprintf(title, sizeof title, "Intake - %s - %s", form_title(f, 0),
	    form_lang_name(f, lang));
	y = app_frame(a, title);
	interview_progress(a->iv, &answered, &total);
	snprintf(prog, sizeof prog, "%zu/%zu", answered, total);
	ui_text(y, 1, COLS - 12, v.section_title ? v.section_title : "", A_BOLD);
	ui_text_right(y, COLS - 1, prog, 0);
	ui_rule(y + 1);
	y += 3;
	area_end = LINES - 3;
	{
		/* Room for the input first (a field, or up to 6 choices), then the
		 * label, then as much of the hint as fits. */
		int need = v.list >= 0 ? (v.nchoices < 6 ? (int)v.nchoices : 6) + 1 : 2;
		int label_h = ui_wrap(0, 0, COLS - 4, 0, 0, v.label, 0);
		int hint_h = v.hint ? ui_wrap(0, 0, COLS - 4, 0, 0, v.hint, 0) : 0;
		int room = area_end - y - need - 1;

		if (label_h > room)
			label_h = room > 1 ? room : 1;
		if (v.required)
			ui_text(y, 0, 2, "*", A_BOLD);
		ui_wrap(y, 2, COLS - 4, 0, label_h, v.label, A_BOLD);
		y += label_h;
		room -= label_h + 1;
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

		snprintf(s, sizeof s, "Answer: [%s]", interview_msg(a->iv,
		    v.answer == IV_DECLINED ? IV_MSG_DECLINED : IV_MSG_DONT_KNOW));
		ui_text(area_end - 1, 2, COLS - 4, s, 0);
		area_end--;
	}
	if (a->edit) {
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
		ui_text(y + 1, FIELD_X, w, format_hint(v.type), A_DIM);
	} else if (v.list >= 0) {
		rows = area_end - y - 1;
		if (rows < 1)
			rows = 1;
		if (a->focus < a->scroll)
			a->scroll = a->focus;
		if (a->focus >= a->scroll + rows)
			a->scroll = a->focus - rows + 1;
		for (int i = 0; i < rows && (size_t)(a->scroll + i) < v.nchoices; i++) {
			size_t c = (size_t)(a->scroll + i);
			bool sel = (int)c == a->focus, on = a->ticks && a->ticks[c];
			const char *mark = v.type == FORM_SELECT_MULTIPLE ? (on ? "[x]" : "[ ]")
			    : (on ? "(*)" : "( )");
			char pre[16];

			snprintf(pre, sizeof pre, "%s %s ", sel ? ">" : " ", mark);
			if (sel)
				mvhline(y + i, 2, ' ', COLS - 4);
			ui_text(y + i, 2, 6, pre, sel ? A_REVERSE : 0);
			ui_text(y + i, 8, COLS - 10, form_choice_label(f, (size_t)v.list, c, lang),
			    sel ? A_REVERSE : 0);
			if (sel) {
				cy = y + i;
				cx = 4;
			}
		}
		if (a->scroll + rows < (int)v.nchoices)
			ui_text(y + rows, 8, COLS - 10, "(more below)", A_DIM);
		ui_text(area_end, FIELD_X, w, format_hint(v.type), A_DIM);
	} else {
		ui_text(y, FIELD_X, w, format_hint(v.type), A_DIM);
		cy = y;
		cx = FIELD_X;
	}
	ui_message(a->msg, a->msg_error);
	ui_keybar(question_context(a), keys, sizeof keys / sizeof keys[0]);
	move(cy, cx);
}

/* The answer as the screen holds it, for select and text types. NULL when
 * nothing is chosen. The caller frees it (lineedit_text_free). */
static char *
pending_answer(struct app *a, const struct iv_view *v)
{
	char *out = NULL;
	size_t len = 0, cap = 1;

	if (a->edit) {
		if (lineedit_text(a->edit, &out, &len) != ST_OK)
			return NULL;
		return out;
	}
	if (v->list < 0)
		return NULL;
	if (v->type != FORM_SELECT_MULTIPLE) {
		const char *val = form_choice_value(a->form, (size_t)v->list, (size_t)a->focus);

		return val ? strdup(val) : NULL;
	}
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

/* Commits what the screen holds. Returns false (with the message shown)
 * when the engine refused it. */
static bool
commit(struct app *a, const struct iv_view *v, bool only_if_changed)
{
	char *ans;
	const char *cur = v->answer == IV_VALUE ? v->value : NULL;
	enum status st;

	if (v->type == FORM_NOTE)
		return true;
	if (only_if_changed && !a->edit && v->type != FORM_SELECT_MULTIPLE)
		return true;
	ans = pending_answer(a, v);
	if (ans == NULL)
		return !only_if_changed;
	if (only_if_changed && ((cur && strcmp(cur, ans) == 0) || (!cur && *ans == '\0'))) {
		free_answer(a, ans);
		return true;
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

static void
question_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct iv_view v;

	if (!interview_view(a->iv, &v)) {
		app_goto(a, SCR_REVIEW);
		return;
	}
	if (actions_common(a, act, ACTS_ALL) || ui_list_move(&a->focus, v.nchoices, act))
		return;
	switch (act) {
	case ACT_SUBMIT:
		if (!a->edit && v.type == FORM_SELECT_ONE && a->ticks)
			memset(a->ticks, 0, a->nticks * sizeof *a->ticks);
		/* Enter on a checkbox list with nothing ticked takes the
		 * highlighted choice, as a one-choice answer. */
		if (v.type == FORM_SELECT_MULTIPLE && a->ticks && (size_t)a->focus < a->nticks) {
			bool any = false;

			for (size_t i = 0; i < a->nticks; i++)
				any |= a->ticks[i];
			if (!any)
				a->ticks[a->focus] = true;
		}
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
			app_say(a, false, "This is the first question.");
		else
			after_change(a);
		break;
	case ACT_TOGGLE:
		if (a->ticks && (size_t)a->focus < a->nticks) {
			if (v.type != FORM_SELECT_MULTIPLE)
				memset(a->ticks, 0, a->nticks * sizeof *a->ticks);
			a->ticks[a->focus] = !a->ticks[a->focus];
		}
		break;
	case ACT_DECLINE:
	case ACT_DONT_KNOW:
		if (v.type == FORM_NOTE)
			break;
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
	case ACT_CANCEL:
		app_save_draft(a);
		app_close_interview(a);
		app_goto(a, SCR_CASES);
		app_say(a, false, "The interview is kept as a draft: open it from the list to go on.");
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

static void
review_enter(struct app *a)
{
	a->edit = NULL;
}

static void
review_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL,
		ACT_LANGUAGE, ACT_EMERGENCY, ACT_END_INTERVIEW, ACT_HIDE, ACT_HELP };
	size_t qs[FORM_MAX_QUESTIONS], n = review_items(a, qs, FORM_MAX_QUESTIONS);
	size_t lang = interview_lang(a->iv), last = (size_t)-1;
	int y = app_frame(a, "Intake - review the answers"), rows, line = 0, cy = 0;

	char ans[512];

	ui_text(y, 1, COLS - 2, "Enter on a question changes it; Enter on Finish ends the interview.", 0);
	y += 2;
	rows = LINES - 3 - y;
	/* Where the focused item falls, counting section headings. */
	{
		int focus_line = 0;

		for (size_t i = 0; i <= n && (int)i <= a->focus; i++) {
			if (i < n && form_question_section(a->form, qs[i]) != last) {
				last = form_question_section(a->form, qs[i]);
				focus_line++;
			}
			if ((int)i < a->focus)
				focus_line++;
		}
		if (focus_line < a->scroll)
			a->scroll = focus_line > 0 ? focus_line - 1 : 0;
		if (focus_line >= a->scroll + rows)
			a->scroll = focus_line - rows + 1;
		last = (size_t)-1;
	}
	for (size_t i = 0; i <= n; i++) {
		bool sel = (int)i == a->focus;
		int row;

		if (i < n && form_question_section(a->form, qs[i]) != last) {
			last = form_question_section(a->form, qs[i]);
			row = y + line - a->scroll;
			if (row >= y && row < y + rows)
				ui_text(row, 1, COLS - 2, form_section_title(a->form, last, lang), A_BOLD);
			line++;
		}
		row = y + line - a->scroll;
		if (row >= y && row < y + rows) {
			if (sel) {
				mvhline(row, 0, ' ', COLS);
				cy = row;
			}
			if (i == n)
				ui_text(row, 1, COLS - 2, sel ? "> Finish the interview" :
				    "  Finish the interview", sel ? A_REVERSE : A_BOLD);
			else {
				ui_text(row, 1, 2, sel ? ">" : " ", sel ? A_REVERSE : 0);
				ui_text(row, 3, COLS / 2 - 4, form_question_label(a->form, qs[i], lang),
				    sel ? A_REVERSE : 0);
				summary_answer(a->iv, a->form, qs[i], ans, sizeof ans);
				ui_text(row, COLS / 2, COLS / 2 - 1, ans, sel ? A_REVERSE : 0);
			}
		}
		line++;
	}
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(cy, 1);
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
				app_save_draft(a);
				app_goto(a, SCR_QUESTION);
			}
			break;
		}
		if (interview_state(a->iv) == IV_IN_PROGRESS && interview_finish(a->iv) != ST_OK) {
			app_say(a, true, "%s", interview_error(a->iv));
			if (!interview_at_end(a->iv))
				app_goto(a, SCR_QUESTION);
			if (*interview_error(a->iv))
				app_say(a, true, "%s", interview_error(a->iv));
			break;
		}
		app_goto(a, SCR_OUTCOME);
		break;
	case ACT_CANCEL:
	case ACT_PREV:
		if (interview_at_end(a->iv) && interview_prev(a->iv) != ST_OK)
			break;
		app_goto(a, SCR_QUESTION);
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
	return c == IV_CONSENT_YES ? "yes" : c == IV_CONSENT_NO ? "no" : "not given";
}

static void
outcome_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_LANGUAGE,
		ACT_EMERGENCY, ACT_HIDE, ACT_HELP };
	const struct form *f = a->form;
	size_t lang = interview_lang(a->iv);
	int o = interview_outcome(a->iv);
	struct ui_pager p;
	char buf[1024];

	ui_pager_begin(&p, app_frame(a, "Intake - outcome") + 1, a->scroll);
	if (interview_state(a->iv) == IV_ENDED) {
		snprintf(buf, sizeof buf, "The interview ended early (%s).", interview_end_reason(a->iv));
		ui_pager_line(&p, 2, buf, A_BOLD);
		ui_pager_line(&p, 2, "Only what the respondent's consent allows is kept.", 0);
		p.line++;
	}
	if (o >= 0) {
		summary_outcome(&p, 2, f, (size_t)o, lang);
		for (size_t k = 0; k < form_outcome_referral_count(f, (size_t)o); k++) {
			size_t r = form_outcome_referral(f, (size_t)o, k);

			snprintf(buf, sizeof buf, "Referral: %s  %s", form_referral_name(f, r, lang),
			    form_referral_contact(f, r));
			ui_pager_wrap(&p, 4, buf, 0);
		}
		p.line++;
	}
	summary_indicators(&p, 2, a->iv, f, true);
	p.line++;
	snprintf(buf, sizeof buf, "Consent: interview %s, referral %s, statistics %s",
	    consent_text(interview_consent(a->iv, FORM_CONSENT_INTERVIEW)),
	    consent_text(interview_consent(a->iv, FORM_CONSENT_REFERRAL)),
	    consent_text(interview_consent(a->iv, FORM_CONSENT_STATISTICS)));
	ui_pager_line(&p, 2, buf, 0);
	p.line++;
	ui_pager_line(&p, 2, "Enter saves this as a final, encrypted record.", A_BOLD);
	a->total_lines = p.line;
	if (p.line > p.rows)
		ui_text(LINES - 3, COLS - 24, 24, "(Up/Down: scroll)", A_DIM);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
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

	if (record_save(a->v, a->iv, &id) != ST_OK) {
		app_say(a, true, "Not saved: %s", vault_errmsg(a->v));
		return false;
	}
	if (a->has_draft)
		vault_draft_delete(a->v, &a->draft);
	a->has_draft = false;
	record_id_code(&id, code);
	if (a->training) {
		app_debrief(a);
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
			app_say(a, false, "Saved case %s.", code.s);
		break;
	case ACT_UP:
	case ACT_DOWN:
		ui_pager_scroll(&a->scroll, a->total_lines, act);
		break;
	default:
		break;
	}
}

const struct screen scr_outcome = { review_context, review_enter, outcome_draw, outcome_act };

/* ---- ending the interview at the respondent's wish ---- */

static const char *const end_reasons[][2] = {
	{ "respondent_stopped", "The respondent asked to stop" },
	{ "not_safe", "It is not safe to continue" },
	{ "no_privacy", "No private place: someone is listening" },
	{ "interrupted", "Interrupted: cannot continue now" },
	{ "other", "Another reason" },
};
#define N_REASONS (sizeof end_reasons / sizeof end_reasons[0])

static void
end_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL, ACT_HIDE };
	int y = app_frame(a, "Intake - end the interview") + 2;

	ui_text(y, 4, COLS - 8, "End the interview now?", A_BOLD);
	ui_wrap(y + 1, 4, COLS - 8, 0, 3, "The respondent may stop at any time. What was "
	    "said so far is kept only as far as the consent given allows.", 0);
	y += 5;
	ui_text(y, 4, COLS - 8, "Why does it end?", 0);
	for (size_t i = 0; i < N_REASONS; i++) {
		bool sel = (int)i == a->focus;
		char line[128];

		snprintf(line, sizeof line, "%s %s", sel ? ">" : " ", end_reasons[i][1]);
		ui_text(y + 2 + (int)i, 4, COLS - 8, line, sel ? A_REVERSE : 0);
	}
	ui_text(y + 3 + (int)N_REASONS, 4, COLS - 8, "Esc: go back to the interview", A_DIM);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(y + 2 + a->focus, 4);
}

static void
end_enter(struct app *a)
{
	a->focus = 0;
}

static void
end_act(struct app *a, enum action act, const struct key_event *ev)
{
	struct case_code code;

	(void)ev;
	if (actions_common(a, act, ACTS_LANGUAGE | ACTS_EMERGENCY))
		return;
	switch (act) {
	case ACT_UP:
	case ACT_DOWN:
		ui_list_move(&a->focus, N_REASONS, act);
		break;
	case ACT_CANCEL:
		app_close_overlay(a);
		break;
	case ACT_SUBMIT:
		if (interview_state(a->iv) == IV_IN_PROGRESS &&
		    interview_stop(a->iv, end_reasons[a->focus][0]) != ST_OK) {
			app_say(a, true, "%s", interview_error(a->iv));
			break;
		}
		if (save_final(a, &code))
			app_say(a, false, "The interview ended; case %s keeps what consent allows.",
			    code.s);
		break;
	default:
		break;
	}
}

const struct screen scr_end = { review_context, end_enter, end_draw, end_act };
