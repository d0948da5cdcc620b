/*
 * scr_misc.c — the read-only record view, and the overlays reachable from
 * every screen: help (generated from the key table), emergency contacts
 * (from the referral directory) and the language switch: the respondent's
 * language while an interview or a record is open, else the language of
 * the program's own screens (i18n.h).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "app.h"
#include "form.h"
#include "formdir.h"
#include "i18n.h"
#include "interview.h"
#include "record.h"
#include "summary.h"
#include "ui.h"

static enum keys_context
list_context(struct app *a)
{
	(void)a;
	return KCTX_LIST;
}

/* ---- record view ---- */

static void
record_enter(struct app *a)
{
	char err[512];

	app_close_interview(a);
	if (record_load(a->v, &a->record, 0, a->forms_dir, &a->form, &a->iv,
	    err, sizeof err) != ST_OK) {
		app_goto(a, SCR_CASES);
		app_say(a, true, _("This record cannot be opened: %s"), err);
		return;
	}
	/* As on the outcome screen: the texts meant for the interviewer
	 * (titles, indicators, flags, outcome and advice) in their language,
	 * the questions and answers in the record's. */
	(void)interview_set_msg_lang(a->iv, i18n_current());
	a->viewing = true;
}

static void
record_draw(struct app *a)
{
	static const enum action keys[] = { ACT_CANCEL, ACT_UP, ACT_DOWN, ACT_LANGUAGE,
		ACT_HIDE, ACT_HELP };
	const struct form *f = a->form;
	size_t lang, guide, last = (size_t)-1;
	struct case_code code;
	struct ui_pager p;
	char buf[1024];
	int o;

	if (a->iv == NULL)
		return;
	lang = interview_lang(a->iv);
	guide = interview_guide_lang(a->iv);
	record_id_code(&a->record, &code);
	snprintf(buf, sizeof buf, _("Intake - case %s (read only)"), code.s);
	ui_pager_begin(&p, app_frame(a, buf) + 1, a->scroll);
	snprintf(buf, sizeof buf, _("%s - %s - %s - interviewer %s%s"), form_title(f, guide),
	    form_lang_name(f, lang), summary_status(a->iv), interview_interviewer(a->iv),
	    interview_training(a->iv) ? _(" - TRAINING") : "");
	ui_pager_wrap(&p, 1, buf, A_BOLD);
	if (*interview_end_reason(a->iv)) {
		snprintf(buf, sizeof buf, _("Ended early: %s"),
		    summary_end_reason(interview_end_reason(a->iv)));
		ui_pager_wrap(&p, 1, buf, 0);
	}
	for (size_t q = 0; q < form_question_count(f); q++) {
		enum iv_answer_kind k = interview_answer_kind(a->iv, q);

		if (k == IV_NONE || form_question_type(f, q) == FORM_NOTE)
			continue;
		if (form_question_section(f, q) != last) {
			last = form_question_section(f, q);
			p.line++;
			ui_pager_wrap(&p, 1, form_section_title(f, last, guide), A_BOLD);
		}
		ui_pager_wrap(&p, 3, form_question_label(f, q, lang), 0);
		summary_answer(a->iv, f, q, buf, sizeof buf);
		ui_pager_wrap(&p, 6, buf, 0);
	}
	p.line++;
	summary_indicators(&p, 1, a->iv, f, false, -1);
	o = interview_outcome(a->iv);
	if (interview_flags_raised(a->iv) > 0) {
		p.line++;
		summary_flags(&p, 1, a->iv, f);
	}
	if (o >= 0) {
		p.line++;
		summary_outcome(&p, 1, f, (size_t)o, guide);
	}
	a->total_lines = p.line;
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(p.top, 1);
}

static void
record_act(struct app *a, enum action act, const struct key_event *ev)
{
	(void)ev;
	if (actions_common(a, act, ACTS_ALL & ~ACTS_END))
		return;
	switch (act) {
	case ACT_CANCEL:
	case ACT_SUBMIT:
		app_close_interview(a);
		a->viewing = false;
		app_goto(a, SCR_CASES);
		break;
	default:
		ui_pager_scroll(&a->scroll, a->total_lines, act);
		break;
	}
}

const struct screen scr_record = { list_context, record_enter, record_draw, record_act };

/* ---- overlays: keep the underlying screen's state, return with Esc ---- */

static void
overlay_enter(struct app *a)
{
	a->scroll = 0;
}

static void
overlay_act(struct app *a, enum action act, const struct key_event *ev)
{
	(void)ev;
	if (act == ACT_CANCEL || act == ACT_SUBMIT || act == ACT_HELP)
		app_close_overlay(a);
	else if (act == ACT_LANGUAGE)
		app_overlay(a, SCR_LANGUAGE);   /* the interface's when no interview is open */
	else if (act == ACT_EMERGENCY)
		app_overlay(a, SCR_EMERGENCY);
	else if (act == ACT_QUIT)
		a->quit = true;
	else
		ui_pager_scroll(&a->scroll, a->total_lines, act);
}

static const char *const context_names[KCTX__COUNT] = {
	[KCTX_GLOBAL] = N_("Everywhere"),
	[KCTX_LIST] = N_("In lists"),
	[KCTX_CHOICE] = N_("In the choices of a question"),
	[KCTX_EDIT] = N_("In text fields"),
};

/* Appends s to buf padded with spaces to w display columns (at least one
 * space after it), as %-Ns would in bytes: a translation is measured by
 * what it shows. */
static void
append_padded(char *buf, size_t len, const char *s, int w)
{
	size_t used = strlen(buf);
	int pad = w - ui_width(s);

	snprintf(buf + used, len - used, "%s%*s", s, pad > 0 ? pad + 1 : 1, "");
}

static void
help_draw(struct app *a)
{
	static const enum action keys[] = { ACT_CANCEL, ACT_UP, ACT_DOWN };
	size_t n;
	const struct keys_binding *b = keys_bindings(&n);
	struct ui_pager p;
	char keysbuf[64], line[256];

	ui_pager_begin(&p, app_frame(a, _("Intake - help")) + 1, a->scroll);
	ui_pager_wrap(&p, 1, _("Every action has a Ctrl-key; function keys are aliases."), 0);
	ui_pager_wrap(&p, 1, _("Without function keys, press Esc then a digit: Esc 1 = F1 ... "
	    "Esc 0 = F10."), 0);
	ui_pager_wrap(&p, 1, _("On the unlock screen and the case list, ^T sets the screens' "
	    "language."), 0);
	for (int ctx = 0; ctx < KCTX__COUNT; ctx++) {
		bool seen[ACT__COUNT] = { false };

		p.line++;
		ui_pager_line(&p, 1, _(context_names[ctx]), A_BOLD);
		for (size_t i = 0; i < n; i++) {
			if ((int)b[i].ctx != ctx || seen[b[i].action])
				continue;
			seen[b[i].action] = true;
			keys_action_keys((enum keys_context)ctx, b[i].action, keysbuf, sizeof keysbuf);
			line[0] = '\0';
			append_padded(line, sizeof line, keysbuf, 16);
			append_padded(line, sizeof line, keys_action_label(b[i].action), 14);
			/* Narrow: what it does goes on the lines below its keys. */
			if (COLS >= UI_WIDE_COLS)
				snprintf(line + strlen(line), sizeof line - strlen(line), "%s",
				    keys_action_help(b[i].action));
			ui_pager_line(&p, 3, line, 0);
			if (COLS < UI_WIDE_COLS)
				ui_pager_wrap(&p, 6, keys_action_help(b[i].action), A_DIM);
		}
	}
	a->total_lines = p.line;
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(p.top, 1);
}

const struct screen scr_help = { list_context, overlay_enter, help_draw, overlay_act };

/* Emergency contacts come from the referral directory of the open form, or
 * of the first bundled form when none is open. When the interview's country
 * is known, its contacts come alone unless Space asks for every country. */
static bool emergency_all_countries;

static void
emergency_enter(struct app *a)
{
	a->scroll = 0;
	emergency_all_countries = false;
}

static void
emergency_draw(struct app *a)
{
	static const enum action keys[] = { ACT_CANCEL, ACT_UP, ACT_DOWN, ACT_HIDE };
	struct form *own = NULL;
	const struct form *f = a->form;
	size_t lang = a->iv ? interview_lang(a->iv) : 0, shown = 0, hidden = 0, examples = 0;
	const char *cname = NULL, *cc;
	struct ui_pager p;
	char line[512], path[sizeof a->forms_dir + 32];

	if (f == NULL) {
		snprintf(path, sizeof path, "%s/screening.yaml", a->forms_dir);
		if (form_load_file(path, &own, NULL) != ST_OK)
			own = NULL;
		f = own;
	}
	cc = a->iv ? summary_country(a->iv, f, &cname) : NULL;
	for (size_t r = 0; f && r < form_referral_count(f); r++)
		if (form_referral_emergency(f, r) && form_referral_example(f, r) &&
		    (emergency_all_countries || summary_referral_serves(f, r, cc)))
			examples++;
	ui_pager_begin(&p, app_frame(a, _("Intake - emergency contacts")) + 1, a->scroll);
	/* Said first, before any number is dialled: the bundled directory is
	 * placeholders until someone replaces them with verified contacts. */
	if (examples > 0) {
		ui_pager_wrap(&p, 2, _("Some of these are EXAMPLES, not verified contacts: the "
		    "referral directory (referrals.yaml next to the forms) still holds the bundled "
		    "examples. `intake forms check` lists them."), A_BOLD);
		p.line++;
	}
	if (cc != NULL) {
		snprintf(line, sizeof line, emergency_all_countries ?
		    _("Every country (Space shows %s only):") :
		    _("In %s (Space shows every country):"), cname);
		ui_pager_wrap(&p, 2, line, A_BOLD);
		p.line++;
	}
	for (size_t r = 0; f && r < form_referral_count(f); r++) {
		if (!form_referral_emergency(f, r))
			continue;
		if (!emergency_all_countries && !summary_referral_serves(f, r, cc)) {
			hidden++;
			continue;
		}
		ui_pager_wrap(&p, 2, form_referral_name(f, r, lang), A_BOLD);
		ui_pager_line(&p, 4, form_referral_contact(f, r), 0);
		if (form_referral_example(f, r))
			ui_pager_wrap(&p, 4, _("(example entry: replace with a verified contact)"), A_DIM);
		p.line++;
		shown++;
	}
	if (shown == 0)
		ui_pager_line(&p, 2, _("No emergency contacts in the referral directory (forms/referrals.yaml)."), 0);
	if (hidden > 0) {
		snprintf(line, sizeof line, P_("(%zu more in another country: Space shows it.)",
		    "(%zu more in other countries: Space shows them.)", hidden), hidden);
		ui_pager_wrap(&p, 2, line, A_DIM);
	}
	a->total_lines = p.line;
	form_free(own);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(p.top, 2);
}

static void
emergency_act(struct app *a, enum action act, const struct key_event *ev)
{
	if (act == ACT_TOGGLE) {
		emergency_all_countries = !emergency_all_countries;
		a->scroll = 0;
	} else
		overlay_act(a, act, ev);
}

const struct screen scr_emergency = { list_context, emergency_enter, emergency_draw, emergency_act };

/* ---- language: the respondent's language for the open interview or record ---- */

/* The interface language's index among i18n's languages. */
static int
ui_lang_index(void)
{
	for (size_t i = 0; i < i18n_count(); i++)
		if (strcmp(i18n_code_at(i), i18n_current()) == 0)
			return (int)i;
	return 0;
}

static void
language_enter(struct app *a)
{
	a->focus = a->iv ? (int)interview_lang(a->iv) : ui_lang_index();
}

/* With no interview open: the languages of the program's own screens,
 * each named in itself, so that whoever reads only that one finds it. */
static void
ui_language_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL };
	int y = app_frame(a, _("Intake - language of the screens")) + 2;

	ui_text(y, 4, COLS - 8, _("Show Intake's own screens in:"), A_BOLD);
	for (size_t l = 0; l < i18n_count(); l++) {
		char line[256];
		bool sel = (int)l == a->focus;

		snprintf(line, sizeof line, "%s %-4s %s%s", sel ? ">" : " ", i18n_code_at(l),
		    i18n_name_at(l), l > 0 ? _("   (draft translation)") : "");
		ui_text(y + 2 + (int)l, 4, COLS - 8, line, sel ? A_REVERSE : 0);
	}
	ui_wrap(y + 3 + (int)i18n_count(), 4, COLS - 8, 0, 3, _("Questions are asked in the "
	    "respondent's language, chosen for each interview (^T during the interview)."), A_DIM);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(y + 2 + a->focus, 4);
}

static void
language_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL };
	int y;

	if (a->iv == NULL) {
		ui_language_draw(a);
		return;
	}
	y = app_frame(a, _("Intake - language")) + 2;
	ui_text(y, 4, COLS - 8, _("Show the questions in:"), A_BOLD);
	for (size_t l = 0; a->form && l < form_lang_count(a->form); l++) {
		char line[256];
		bool sel = (int)l == a->focus;

		snprintf(line, sizeof line, "%s %-4s %s%s", sel ? ">" : " ",
		    form_lang_code(a->form, l), form_lang_name(a->form, l),
		    form_lang_status(a->form, l) == FORM_LANG_DRAFT ? _("   (draft translation)") : "");
		ui_text(y + 2 + (int)l, 4, COLS - 8, line, sel ? A_REVERSE : 0);
	}
	ui_wrap(y + 3 + (int)form_lang_count(a->form), 4, COLS - 8, 0, 2,
	    _("Every answer is kept when the language changes."), A_DIM);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(y + 2 + a->focus, 4);
}

/* Enter on the interface languages: switches, or says why it could not. */
static void
ui_language_choose(struct app *a)
{
	char err[1024];

	if (i18n_set(i18n_code_at((size_t)a->focus), NULL, err, sizeof err) != ST_OK) {
		app_close_overlay(a);
		app_say(a, true, _("The language was not changed: %s"), err);
		return;
	}
	app_close_overlay(a);
}

static void
language_act(struct app *a, enum action act, const struct key_event *ev)
{
	(void)ev;
	if (a->iv == NULL) {
		if (act == ACT_UP || act == ACT_DOWN)
			ui_list_move(&a->focus, i18n_count(), act);
		else if (act == ACT_SUBMIT)
			ui_language_choose(a);
		else if (act == ACT_CANCEL)
			app_close_overlay(a);
		return;
	}
	switch (act) {
	case ACT_UP:
	case ACT_DOWN:
		ui_list_move(&a->focus, form_lang_count(a->form), act);
		break;
	case ACT_SUBMIT:
		interview_set_lang(a->iv, form_lang_code(a->form, (size_t)a->focus));
		if (!a->viewing)
			app_save_draft(a);
		app_close_overlay(a);
		break;
	case ACT_CANCEL:
		app_close_overlay(a);
		break;
	default:
		break;
	}
}

const struct screen scr_language = { list_context, language_enter, language_draw, language_act };
