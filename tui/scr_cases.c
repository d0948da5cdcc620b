/*
 * scr_cases.c — the case list, starting a new interview, and the offer to
 * resume an interrupted one.
 *
 * The case list reads only the small encrypted summaries (and this user's
 * drafts), newest first; an interviewer sees their own cases, a supervisor
 * all. Typing filters as you type over code, date, form, language, status,
 * outcome and interviewer.
 */
#include <curses.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "form.h"
#include "interview.h"
#include "record.h"
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

static void
fill_row(struct case_row *r, json_t *o)
{
	copy_field(r->started, sizeof r->started, o, "started");
	copy_field(r->interviewer, sizeof r->interviewer, o, "interviewer");
	copy_field(r->form, sizeof r->form, o, "form");
	copy_field(r->lang, sizeof r->lang, o, "lang");
	copy_field(r->status, sizeof r->status, o, "status");
	copy_field(r->outcome, sizeof r->outcome, o, "outcome");
}

static int
row_newest_first(const void *x, const void *y)
{
	const struct case_row *a = x, *b = y;

	if (a->draft != b->draft)
		return a->draft ? -1 : 1;       /* unfinished work first */
	return strcmp(b->started, a->started);
}

struct scan_ctx {
	struct app *a;
	size_t cap;
	bool supervisor;
};

/* Adds one row; grows the array geometrically, by malloc, copy and wipe
 * (realloc could leave a copy of the rows behind in freed memory). */
static struct case_row *
add_row(struct app *a, size_t *cap)
{
	struct case_row *grown;

	if (a->nrows == *cap) {
		size_t n = *cap ? *cap * 2 : 256;

		if ((grown = malloc(n * sizeof *grown)) == NULL)
			return NULL;
		if (a->rows != NULL) {
			memcpy(grown, a->rows, a->nrows * sizeof *grown);
			explicit_bzero(a->rows, *cap * sizeof *grown);
			free(a->rows);
		}
		a->rows = grown;
		*cap = n;
		a->rows_cap = n;
	}
	memset(&a->rows[a->nrows], 0, sizeof a->rows[0]);
	return &a->rows[a->nrows];
}

/*
 * Copies the string value of a top-level key of a flat, compact JSON object
 * (the summaries interview_summary_json writes) into dst: the case list reads
 * 100,000 of them, and a full JSON parse per row costs more than decrypting
 * it. Escapes are kept simple (\uXXXX becomes '?'); a missing key, null or a
 * non-string gives "". Never reads past len, never writes past dstlen.
 */
static void
flat_get(const char *json, size_t len, const char *key, char *dst, size_t dstlen)
{
	size_t klen = strlen(key), i = 0, o = 0;
	int depth = 0;

	dst[0] = '\0';
	while (i < len) {
		char c = json[i];

		if (c == '{' || c == '[') {
			depth++;
			i++;
		} else if (c == '}' || c == ']') {
			depth--;
			i++;
		} else if (c == '"') {
			size_t start = ++i;

			while (i < len && json[i] != '"')
				i += json[i] == '\\' ? 2 : 1;
			if (i >= len)
				return;
			i++;
			if (depth != 1 || i - start - 1 != klen || memcmp(json + start, key, klen) != 0 ||
			    i >= len || json[i] != ':')
				continue;
			i++;
			if (i >= len || json[i] != '"')
				return;
			for (i++; i < len && json[i] != '"' && o + 1 < dstlen; i++) {
				if (json[i] == '\\' && i + 1 < len) {
					i++;
					if (json[i] == 'u') {
						dst[o++] = '?';
						i += 4;
						continue;
					}
					dst[o++] = json[i] == 'n' ? ' ' : json[i] == 't' ? ' ' : json[i];
				} else
					dst[o++] = json[i];
			}
			dst[o] = '\0';
			return;
		} else
			i++;
	}
}

static int
scan_summary(void *ctxp, const struct record_id *id, enum status st, const char *json,
    size_t len)
{
	struct scan_ctx *ctx = ctxp;
	struct app *a = ctx->a;
	struct case_row *r;
	struct case_code code;

	if ((r = add_row(a, &ctx->cap)) == NULL)
		return 1;
	r->id = *id;
	record_id_code(id, &code);
	snprintf(r->code, sizeof r->code, "%s", code.s);
	if (st != ST_OK) {
		/* Shown, not hidden: a damaged record is something to report. */
		snprintf(r->status, sizeof r->status, "DAMAGED");
		a->nrows++;
		return 0;
	}
	flat_get(json, len, "started", r->started, sizeof r->started);
	flat_get(json, len, "interviewer", r->interviewer, sizeof r->interviewer);
	flat_get(json, len, "form", r->form, sizeof r->form);
	flat_get(json, len, "lang", r->lang, sizeof r->lang);
	flat_get(json, len, "status", r->status, sizeof r->status);
	flat_get(json, len, "outcome", r->outcome, sizeof r->outcome);
	if (ctx->supervisor || strcmp(r->interviewer, vault_user(a->v)) == 0)
		a->nrows++;
	return 0;
}

/* The case list: every summary this user may read (one scan of the small
 * summaries, no per-record allocation), plus this user's drafts. */
static void
load_rows(struct app *a)
{
	struct scan_ctx ctx = { a, 0, vault_allowed(a->v, VAULT_RIGHT_READ_ALL) };
	struct record_id *drafts = NULL;
	size_t nd = 0;

	app_wipe_lists(a);
	if (vault_summary_scan(a->v, scan_summary, &ctx) != ST_OK)
		app_say(a, true, "Some cases could not be listed: %s", vault_errmsg(a->v));
	if (vault_draft_list(a->v, &drafts, &nd) != ST_OK)
		nd = 0;
	for (size_t i = 0; i < nd; i++) {
		struct case_row *r;
		char *s = NULL;
		size_t sl = 0;
		json_t *o;

		if (vault_draft_get(a->v, &drafts[i], &s, &sl) != ST_OK)
			continue;
		o = json_loadb(s, sl, 0, NULL);
		vault_plain_free(s, sl);
		if (o == NULL || (r = add_row(a, &ctx.cap)) == NULL) {
			json_decref(o);
			continue;
		}
		fill_row(r, o);
		json_decref(o);
		r->id = drafts[i];
		r->draft = true;
		snprintf(r->code, sizeof r->code, "(draft)");
		a->nrows++;
	}
	free(drafts);
	if (a->nrows > 1)
		qsort(a->rows, a->nrows, sizeof *a->rows, row_newest_first);
}

static bool
row_matches(const struct case_row *r, const char *q)
{
	const char *fields[] = { r->code, r->started, r->interviewer, r->form,
		r->lang, r->status, r->outcome };

	if (*q == '\0')
		return true;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcasestr(fields[i], q) != NULL)
			return true;
	return false;
}

static void
apply_filter(struct app *a)
{
	const char *q = lineedit_buffer(a->search, NULL);

	free(a->shown);
	a->shown = calloc(a->nrows + 1, sizeof *a->shown);
	a->nshown = 0;
	if (a->shown == NULL)
		return;
	for (size_t i = 0; i < a->nrows; i++)
		if (row_matches(&a->rows[i], q))
			a->shown[a->nshown++] = i;
	if ((size_t)a->focus > a->nshown)
		a->focus = (int)a->nshown;
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
	load_rows(a);
	apply_filter(a);
	a->edit = a->search;
}

/* Row 0 is "start a new interview"; rows 1.. are cases. */
static void
cases_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_HIDE,
		ACT_HELP, ACT_QUIT };
	struct lineedit_view view;
	int top = app_frame(a, "Intake - cases") + 1, listy, rows, sel;
	char line[256];

	ui_text(top, 2, 8, "Search:", 0);
	lineedit_render(a->search, 40, &view);
	ui_field(top, 10, 40, view.text, view.cursor_col);
	snprintf(line, sizeof line, "%zu of %zu", a->nshown, a->nrows);
	ui_text_right(top, COLS - 1, line, 0);
	snprintf(line, sizeof line, "  %-11s %-10s %-10s %-15s %-3s %-6s %s",
	    "CASE", "DATE", "BY", "FORM", "LNG", "STATUS", "OUTCOME");
	ui_text(top + 2, 0, COLS, line, A_BOLD);
	listy = top + 3;
	rows = LINES - 2 - listy;
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
			    "Start a mock screening (choose a scenario)" : "Start a new interview");
		else if ((size_t)idx <= a->nshown) {
			const struct case_row *r = &a->rows[a->shown[idx - 1]];

			snprintf(line, sizeof line, "%s %-11s %-10.10s %-10.10s %-15.15s %-3.3s %-6.6s %s",
			    idx == sel ? ">" : " ", r->code, r->started, r->interviewer, r->form,
			    r->lang, r->status, r->outcome);
		} else
			break;
		if (attr)
			mvhline(listy + i, 0, ' ', COLS);
		ui_text(listy + i, 0, COLS, line, attr);
	}
	if (a->nrows == 0)
		ui_text(listy + 2, 2, COLS - 4, "No cases yet.", 0);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_EDIT, keys, sizeof keys / sizeof keys[0]);
	move(top, 10 + view.cursor_col);
}

static void
open_row(struct app *a)
{
	const struct case_row *r;
	char err[512];
	enum status st;

	if (a->focus == 0) {
		app_goto(a, a->training ? SCR_SCENARIO : SCR_NEW);
		return;
	}
	r = &a->rows[a->shown[a->focus - 1]];
	if (r->draft) {
		st = record_load(a->v, &r->id, 1, a->forms_dir, &a->form, &a->iv, err, sizeof err);
		if (st != ST_OK) {
			app_say(a, true, "This draft cannot be opened: %s", err);
			return;
		}
		a->draft = r->id;
		a->has_draft = true;
		app_goto(a, interview_at_end(a->iv) ? SCR_REVIEW : SCR_QUESTION);
		return;
	}
	a->record = r->id;
	app_goto(a, SCR_RECORD);
}

static void
cases_act(struct app *a, enum action act, const struct key_event *ev)
{
	int last = (int)a->nshown, page = LINES - 8;

	switch (act) {
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
	case ACT_QUIT:
		a->quit = true;
		break;
	case ACT_HELP:
		app_overlay(a, SCR_HELP);
		break;
	case ACT_CANCEL:
		if (lineedit_clear(a->search))
			apply_filter(a);
		break;
	default:
		if (app_edit(a, a->search, act, ev)) {
			apply_filter(a);
			a->focus = a->nshown > 0 ? 1 : 0;
		}
		break;
	}
}

const struct screen scr_cases = { cases_context, cases_enter, cases_draw, cases_act };

/* ---- new interview: choose the form, then the respondent's language ---- */

static int
cmp_path(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
list_forms(struct app *a)
{
	struct dirent *e;
	DIR *d;
	char path[8192];

	for (size_t i = 0; i < a->nforms; i++)
		free(a->form_paths[i]);
	free(a->form_paths);
	a->form_paths = NULL;
	a->nforms = 0;
	if ((d = opendir(a->forms_dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char **grown;

		if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml") != 0 ||
		    strcmp(e->d_name, "referrals.yaml") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", a->forms_dir, e->d_name);
		grown = realloc(a->form_paths, (a->nforms + 1) * sizeof *grown);
		if (grown == NULL)
			break;
		a->form_paths = grown;
		if ((a->form_paths[a->nforms] = strdup(path)) != NULL)
			a->nforms++;
	}
	closedir(d);
	if (a->nforms > 1)
		if (a->nforms > 1)
		qsort(a->form_paths, a->nforms, sizeof *a->form_paths, cmp_path);
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
	a->pick_form = -1;
}

static void
new_draw(struct app *a)
{
	static const enum action keys[] = { ACT_SUBMIT, ACT_UP, ACT_DOWN, ACT_CANCEL,
		ACT_HIDE, ACT_HELP };
	int y = app_frame(a, "Intake - new interview") + 1, cy = 0;

	if (a->form == NULL) {
		ui_text(y, 2, COLS - 4, "Choose the questionnaire:", A_BOLD);
		for (size_t i = 0; i < a->nforms; i++) {
			struct form *f = NULL;
			char line[512];
			const char *base = strrchr(a->form_paths[i], '/');
			bool sel = (int)i == a->focus;

			if (form_load_file(a->form_paths[i], &f, NULL) == ST_OK)
				snprintf(line, sizeof line, "%s %s  (%zu questions)", sel ? ">" : " ",
				    form_title(f, 0), form_question_count(f));
			else
				snprintf(line, sizeof line, "%s %s  (does not pass the form check)",
				    sel ? ">" : " ", base ? base + 1 : a->form_paths[i]);
			form_free(f);
			if (sel) {
				mvhline(y + 2 + (int)i, 0, ' ', COLS);
				cy = y + 2 + (int)i;
			}
			ui_text(y + 2 + (int)i, 2, COLS - 4, line, sel ? A_REVERSE : 0);
		}
		if (a->nforms == 0)
			ui_text(y + 2, 2, COLS - 4, "No forms found.", 0);
	} else {
		ui_text(y, 2, COLS - 4, form_title(a->form, 0), A_BOLD);
		ui_text(y + 1, 2, COLS - 4, "The respondent's language:", 0);
		for (size_t l = 0; l < form_lang_count(a->form); l++) {
			char line[256];
			bool sel = (int)l == a->focus;

			snprintf(line, sizeof line, "%s %-4s %s%s", sel ? ">" : " ",
			    form_lang_code(a->form, l), form_lang_name(a->form, l),
			    form_lang_status(a->form, l) == FORM_LANG_DRAFT ?
			    "   (draft translation)" : "");
			if (sel) {
				mvhline(y + 3 + (int)l, 0, ' ', COLS);
				cy = y + 3 + (int)l;
			}
			ui_text(y + 3 + (int)l, 2, COLS - 4, line, sel ? A_REVERSE : 0);
		}
	}
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(cy, 2);
}

static void
start_interview(struct app *a)
{
	const char *lang = form_lang_code(a->form, (size_t)a->focus);
	enum status st;

	if ((st = record_attach_form(a->v, a->form)) != ST_OK) {
		app_say(a, true, "%s", vault_errmsg(a->v));
		return;
	}
	if ((st = interview_start(a->form, lang, &a->iv)) != ST_OK) {
		app_say(a, true, "Cannot start the interview: %s", status_str(st));
		return;
	}
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
	int count = a->form ? (int)form_lang_count(a->form) : (int)a->nforms;
	struct diag_list dl;

	(void)ev;
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
			if (form_load_file(a->form_paths[a->focus], &a->form, &dl) != ST_OK) {
				app_say(a, true, "This form has errors: run `intake forms check %s`",
				    a->form_paths[a->focus]);
				a->form = NULL;
			} else
				a->focus = 0;
			diag_list_free(&dl);
		} else
			start_interview(a);
		break;
	case ACT_CANCEL:
		if (a->form != NULL) {
			form_free(a->form);
			a->form = NULL;
			a->focus = 0;
		} else
			app_goto(a, SCR_CASES);
		break;
	case ACT_HELP:
		app_overlay(a, SCR_HELP);
		break;
	case ACT_QUIT:
		a->quit = true;
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
	int y = app_frame(a, "Intake") + 2;
	size_t answered = 0, total = 0;
	char line[256];

	ui_text(y, 4, COLS - 8, "Resume the interrupted interview?", A_BOLD);
	if (a->iv) {
		interview_progress(a->iv, &answered, &total);
		snprintf(line, sizeof line, "%s - %zu of %zu questions answered",
		    form_title(a->form, 0), answered, total);
		ui_wrap(y + 2, 4, COLS - 8, 0, 2, line, 0);
	}
	ui_text(y + 4, 4, COLS - 8, "Enter: resume it now     Esc: go to the case list", 0);
	ui_message(a->msg, a->msg_error);
	ui_keybar(KCTX_LIST, keys, sizeof keys / sizeof keys[0]);
	move(y, 4);
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
app_after_unlock(struct app *a)
{
	struct record_id *drafts = NULL;
	size_t n = 0;
	char err[512], best[32] = "";
	int pick = -1;

	if (vault_draft_list(a->v, &drafts, &n) == ST_OK) {
		/* The newest draft by start time is the interrupted one. */
		for (size_t i = 0; i < n; i++) {
			char *s = NULL;
			size_t sl = 0;
			json_t *o;
			struct case_row r;

			if (vault_draft_get(a->v, &drafts[i], &s, &sl) != ST_OK)
				continue;
			o = json_loadb(s, sl, 0, NULL);
			vault_plain_free(s, sl);
			if (o == NULL)
				continue;
			copy_field(r.started, sizeof r.started, o, "started");
			json_decref(o);
			if (pick < 0 || strcmp(r.started, best) > 0) {
				pick = (int)i;
				snprintf(best, sizeof best, "%s", r.started);
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
		app_say(a, true, "An interrupted interview cannot be opened: %s", err);
}
