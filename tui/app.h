/*
 * app.h — the interactive program: its state, its screens and the loop that
 * dispatches between them.
 *
 * Screens are modules (scr_*.c), each a struct screen of four functions; the
 * loop turns bytes into key events (keys.c), events into actions through the
 * current screen's key context, and hands the action to that screen. Screens
 * draw the engine's state; every rule of the interview stays in core/.
 * struct app holds what every screen shares (the vault, the open interview,
 * the focus and the message line); what one screen module keeps of its own
 * is its struct, opaque here, which the loop reaches only through that
 * module's struct screen_state. So the loop (app.c) calls no screen by
 * name, and screens call the loop and actions.c, never the other way.
 *
 * Safety rules the loop enforces for every screen:
 *  - quick-hide (ACT_HIDE) and the idle timeout blank the screen, wipe the
 *    keys (vault_lock) and free the open interview (its answers are wiped by
 *    the engine) after its draft is saved; only the unlock screen follows;
 *  - below 40x20 (TERM_MIN_COLS x TERM_MIN_ROWS) nothing but "enlarge the
 *    window" is shown; from there up every screen lays itself out in the
 *    room it has, and 80x24 is the size the screens are drawn for;
 *  - SIGHUP/SIGTERM end the loop; the draft was saved at the last answer.
 */
#ifndef INTAKE_APP_H
#define INTAKE_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "lineedit.h"
#include "vault.h"

struct cases_state;
struct form;
struct interview;
struct new_state;
struct training_scenario;
struct training_state;

enum screen_id {
	SCR_UNLOCK,
	SCR_CASES,
	SCR_NEW,
	SCR_QUESTION,
	SCR_REVIEW,
	SCR_OUTCOME,
	SCR_RECORD,
	SCR_HELP,
	SCR_EMERGENCY,
	SCR_END,
	SCR_LANGUAGE,
	SCR_RESUME,
	SCR_SCENARIO,
	SCR_DEBRIEF,
	SCR__COUNT
};

struct app;

struct screen {
	/* Key context while this screen has the focus. */
	enum keys_context (*context)(struct app *a);
	/* Called when the screen becomes current. */
	void (*enter)(struct app *a);
	/* Draws everything into stdscr and places the hardware cursor. */
	void (*draw)(struct app *a);
	/* One action; ev is the key it came from (for text input). */
	void (*act)(struct app *a, enum action act, const struct key_event *ev);
};

struct app {
	struct vault *v;
	const char *vault_dir;
	char forms_dir[4096];
	bool training;
	int idle_ms;
	bool quit;

	enum screen_id screen;
	enum screen_id back;            /* where overlays return */
	/* The place on `back` an overlay returns to: its list row, scroll and
	 * text field, kept as they were (a field's typed text and the ticks
	 * live in answer_edit and ticks, which no overlay touches). */
	int back_focus;
	int back_scroll;
	struct lineedit *back_edit;
	struct keys *keys;
	struct lineedit *edit;          /* the text field of the current screen */
	struct lineedit *user_edit;
	struct lineedit *pass_edit;
	int focus;                      /* field or list row with the focus */
	int scroll;                     /* first list row shown */
	int total_lines;                /* lines of the scrolling view drawn last */
	char msg[512];
	bool msg_error;

	/* The open interview, its form and its draft. */
	struct form *form;
	struct interview *iv;
	struct record_id draft;
	bool has_draft;
	struct record_id record;        /* the record being viewed */
	struct lineedit *answer_edit;   /* text, number and date answers */
	size_t progress_max;            /* the "of about M" shown so far */
	bool *ticks;                    /* choices ticked on the screen */
	size_t nticks;
	bool viewing;                   /* a->iv is a saved record, read-only */
	/* The "end the interview" overlay asks to confirm a refused interview
	 * consent when end_consent is set: end_kind is the answer to give
	 * (IV_VALUE with end_value, or declined / don't know). */
	bool end_consent;
	int end_kind;
	char end_value[64];

	/* The scenario the open interview plays (training): a->form is then
	 * its form, borrowed (form_borrowed), not freed with the interview. */
	struct training_scenario *scenario;
	bool form_borrowed;

	/* What the screen modules keep of their own between visits, each
	 * opaque here and acted on only by its module (struct screen_state). */
	struct cases_state *cases;      /* scr_cases.h: the case list */
	struct new_state *newform;      /* scr_cases.h: the forms on offer */
	struct training_state *train;   /* scr_training.h: scenarios, debrief */
};

extern const struct screen scr_unlock, scr_cases, scr_new, scr_question,
    scr_review, scr_outcome, scr_record, scr_help, scr_emergency, scr_end,
    scr_language, scr_resume, scr_scenario, scr_debrief;

/* The state a screen module keeps beyond one key (a->cases, a->newform,
 * a->train), and what the loop asks of it, so that the loop never needs to
 * know what it holds: open makes it at start (false: out of memory; close
 * is called all the same), wipe forgets whatever was shown or typed when
 * the program locks, close frees it at exit. Each may be NULL. */
struct screen_state {
	bool (*open)(struct app *a);
	void (*wipe)(struct app *a);
	void (*close)(struct app *a);
};

extern const struct screen_state scr_cases_state, scr_new_state, scr_training_state;

/* Runs the program until quit or hangup; returns an exit code. */
/* user (may be NULL) is filled into the unlock screen. */
int app_run(const char *vault_dir, const char *user, bool training, int idle_seconds);

void app_goto(struct app *a, enum screen_id s);
/* Opens an overlay (help, emergency, language, end) that returns here,
 * to the same row and field, with what was typed or ticked unchanged. */
void app_overlay(struct app *a, enum screen_id s);
void app_close_overlay(struct app *a);
void app_say(struct app *a, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Saves the open interview as the user's draft; reports failure on screen.
 * Returns false if it could not be saved. */
bool app_save_draft(struct app *a);
/* Closes the open interview (after its draft is saved) and wipes it. */
void app_close_interview(struct app *a);
/* Locks: saves the draft, wipes keys and answers, blanks the screen. */
void app_lock(struct app *a, const char *why);

/* Routes a text-input event to a line editor; true if it changed. */
bool app_edit(struct app *a, struct lineedit *le, enum action act,
    const struct key_event *ev);

/* Standard screen frame: title bar with form and user, banner. */
int app_frame(struct app *a, const char *title);

#endif
