/*
 * scr_training.c — mock screenings in the training vault: choosing a
 * scenario and the respondent's language, and the debrief afterwards.
 *
 * The scenario's expected answers and outcome are never shown before the
 * debrief: the trainee interviews the role-player, not the answer key.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "app.h"
#include "form.h"
#include "i18n.h"
#include "interview.h"
#include "record.h"
#include "scr_cases.h"
#include "scr_training.h"
#include "training.h"
#include "ui.h"

/* The scenarios on offer (read once, from the forms' training/ folder) and
 * the debrief being read, as lines of text with their kinds. The scenario
 * being played is the open interview's (a->scenario). */
struct training_state {
	struct training_scenario **scenarios;
	size_t nscenarios;
	char **debrief_text;
	int *debrief_kind;
	size_t debrief_n;
};

static void
free_debrief(struct training_state *t)
{
	for (size_t i = 0; i < t->debrief_n; i++)
		free(t->debrief_text[i]);
	free(t->debrief_text);
	free(t->debrief_kind);
	t->debrief_text = NULL;
	t->debrief_kind = NULL;
	t->debrief_n = 0;
}

static bool
state_open(struct app *a)
{
	return (a->train = calloc(1, sizeof *a->train)) != NULL;
}

/* The debrief names the trainee's answers: not kept past a lock. */
static void
state_wipe(struct app *a)
{
	if (a->train != NULL)
		free_debrief(a->train);
}

static void
state_close(struct app *a)
{
	if (a->train == NULL)
		return;
	free_debrief(a->train);
	training_list_free(a->train->scenarios, a->train->nscenarios);
	free(a->train);
	a->train = NULL;
	a->scenario = NULL;
}

const struct screen_state scr_training_state = { state_open, state_wipe, state_close };

static void
load_scenarios(struct app *a)
{
	struct training_state *t = a->train;
	char dir[sizeof a->forms_dir + 16];
	size_t failed = 0;

	if (t->scenarios != NULL)
		return;
	snprintf(dir, sizeof dir, "%s/training", a->forms_dir);
	if (training_scan(dir, a->forms_dir, &t->scenarios, &t->nscenarios, &failed, NULL) != ST_OK) {
		t->scenarios = NULL;
		t->nscenarios = 0;
	}
	if (failed > 0)
		app_say(a, true, P_("%zu scenario file fails the check: run `intake training check`",
		    "%zu scenario files fail the check: run `intake training check`", failed), failed);
}

/* In score mode (a finished interview, scenario unknown) only scenarios of
 * the interview's form are offered. */
static bool
offered(struct app *a, size_t i)
{
	return a->iv == NULL || strcmp(training_form_id(a->train->scenarios[i]), form_id(a->form)) == 0;
}

static enum keys_context
scenario_context(struct app *a)
{
	(void)a;
	return KCTX_LIST;
}

static void
scenario_enter(struct app *a)
{
	if (a->iv == NULL)
		app_close_interview(a);
	load_scenarios(a);
	a->focus = 0;
	while ((size_t)a->focus < a->train->nscenarios && !offered(a, (size_t)a->focus))
		a->focus++;
}

static void
scenario_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL,
		ACT_HIDE, ACT_HELP };
	int y = app_frame(a, _("Intake - mock screening")) + 1, row = 0, cy = y;
	char line[512];

	if (a->scenario == NULL) {
		ui_text(y, 2, COLS - 4, a->iv ? _("Which scenario was this interview? (to score it)")
		    : _("Choose the scenario the role-player will play:"), A_BOLD);
		for (size_t i = 0; i < a->train->nscenarios; i++) {
			bool sel = (int)i == a->focus;

			if (!offered(a, i))
				continue;
			snprintf(line, sizeof line, "%s %s", sel ? ">" : " ",
			    training_title(a->train->scenarios[i], i18n_current()));
			if (sel) {
				mvhline(y + 2 + row, 0, ' ', COLS);
				cy = y + 2 + row;
			}
			ui_text(y + 2 + row, 2, COLS - 4, line, sel ? A_REVERSE : 0);
			row++;
		}
		if (a->train->nscenarios == 0)
			ui_text(y + 2, 2, COLS - 4, _("No scenarios found in forms/training."), 0);
		ui_wrap(LINES - 5, 2, COLS - 4, 0, 2, _("The role-player's card: `intake training card "
		    "SCENARIO` prints it, for paper or a second terminal."), A_DIM);
	} else
		cy = scr_new_draw_langs(a, training_form(a->scenario),
		    training_title(a->scenario, i18n_current()), y);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(cy, 2);
}

static void
scenario_act(struct app *a, enum action act, const struct key_event *ev)
{
	size_t count = a->scenario ? form_lang_count(training_form(a->scenario)) : a->train->nscenarios;

	(void)ev;
	if (actions_common(a, act, ACTS_HELP | ACTS_QUIT))
		return;
	switch (act) {
	case ACT_UP:
		for (int i = a->focus - 1; i >= 0; i--)
			if (a->scenario || offered(a, (size_t)i)) {
				a->focus = i;
				break;
			}
		break;
	case ACT_DOWN:
		for (size_t i = (size_t)a->focus + 1; i < count; i++)
			if (a->scenario || offered(a, i)) {
				a->focus = (int)i;
				break;
			}
		break;
	case ACT_SUBMIT:
		if ((size_t)a->focus >= count)
			break;
		if (a->scenario != NULL) {
			scr_new_start(a, training_form(a->scenario), (size_t)a->focus, true);
		} else if (a->iv != NULL) {
			a->scenario = a->train->scenarios[a->focus];
			scr_training_debrief(a);
		} else {
			a->scenario = a->train->scenarios[a->focus];
			a->focus = 0;
		}
		break;
	case ACT_CANCEL:
		if (a->scenario != NULL && a->iv == NULL) {
			a->scenario = NULL;
			a->focus = 0;
		} else {
			app_close_interview(a);
			app_goto(a, SCR_CASES);
		}
		break;
	default:
		break;
	}
}

const struct screen scr_scenario = { scenario_context, scenario_enter, scenario_draw, scenario_act };

/* ---- the debrief ---- */

void
scr_training_debrief(struct app *a)
{
	struct training_state *t = a->train;
	struct training_debrief *d = NULL;
	struct training_lines lines = { 0 };
	struct record_id id;
	char *json = NULL;
	size_t len = 0;
	enum status st;

	if (a->scenario == NULL) {
		/* A resumed draft: ask which scenario it played. */
		load_scenarios(a);
		app_goto(a, SCR_SCENARIO);
		return;
	}
	free_debrief(t);
	st = training_debrief_make(a->scenario, a->iv, -1, &d);
	if (st == ST_OK)
		st = training_debrief_to_json(d, &json, &len);
	if (st == ST_OK && (st = vault_debrief_put(a->v, json, len, &id)) != ST_OK)
		app_say(a, true, _("The debrief could not be kept: %s"), vault_errmsg(a->v));
	training_json_free(json, len);
	if (d != NULL)
		st = training_debrief_lines(d, a->scenario,
		    form_lang_code(a->form, interview_lang(a->iv)), i18n_current(), &lines);
	if (st == ST_OK && lines.n > 0) {
		t->debrief_text = calloc(lines.n, sizeof *t->debrief_text);
		t->debrief_kind = calloc(lines.n, sizeof *t->debrief_kind);
		for (size_t i = 0; t->debrief_text && t->debrief_kind && i < lines.n; i++) {
			t->debrief_text[i] = strdup(lines.v[i].text ? lines.v[i].text : "");
			t->debrief_kind[i] = (int)lines.v[i].kind;
			t->debrief_n = i + 1;
		}
	}
	training_lines_free(&lines);
	training_debrief_free(d);
	app_close_interview(a);
	app_goto(a, SCR_DEBRIEF);
}

static void
debrief_draw(struct app *a)
{
	static const enum action keys[] = { ACT_CANCEL, ACT_UP, ACT_DOWN, ACT_HIDE, ACT_HELP };
	const struct training_state *t = a->train;
	struct ui_pager p;

	ui_pager_begin(&p, app_frame(a, _("Intake - debrief")) + 1, a->scroll);
	for (size_t i = 0; i < t->debrief_n; i++) {
		switch ((enum training_line_kind)t->debrief_kind[i]) {
		case TRAINING_LINE_TITLE:
		case TRAINING_LINE_HEADING:
			/* The score's line is long: wrapped on a phone, not cut. */
			ui_pager_wrap(&p, 1, t->debrief_text[i], A_BOLD);
			break;
		case TRAINING_LINE_BLANK:
			p.line++;
			break;
		case TRAINING_LINE_BAD:
			ui_pager_wrap(&p, 3, t->debrief_text[i], A_BOLD);
			break;
		default:
			ui_pager_wrap(&p, 3, t->debrief_text[i], 0);
			break;
		}
	}
	if (t->debrief_n == 0)
		ui_pager_line(&p, 1, _("No debrief could be made for this interview."), 0);
	a->total_lines = p.line;
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(p.top, 1);
}

static void
debrief_act(struct app *a, enum action act, const struct key_event *ev)
{
	(void)ev;
	if (actions_common(a, act, ACTS_HELP | ACTS_QUIT))
		return;
	switch (act) {
	case ACT_CANCEL:
	case ACT_SUBMIT:
		free_debrief(a->train);
		app_goto(a, SCR_CASES);
		app_say(a, false, _("The debrief is kept: `intake training report` lists every session."));
		break;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_DOWN:
	case ACT_NEXT:
	case ACT_PAGE_UP:
	case ACT_PREV:
		ui_pager_scroll(&a->scroll, a->total_lines, act);
		break;
	default:
		break;
	}
}

const struct screen scr_debrief = { scenario_context, NULL, debrief_draw, debrief_act };
