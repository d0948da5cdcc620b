/*
 * keys.h — terminal input decoding and the key map.
 *
 * Two halves:
 *
 *  1. A byte decoder. The TUI runs the terminal in raw mode with curses'
 *     keypad() off and feeds every byte it reads here. The decoder knows the
 *     sequences of xterm, PuTTY, the Linux console and rxvt itself, rather
 *     than trusting a terminfo entry that often does not match the client at
 *     the other end of an SSH link. It makes no curses call, so it is unit
 *     tested and fuzzed on plain bytes. Guarantees:
 *       - a well-formed escape sequence it does not know (mouse reports,
 *         bracketed-paste markers, focus events, answers to queries) is
 *         consumed whole and yields nothing: its bytes never reach an answer;
 *       - bytes that are not UTF-8 yield K_INVALID, never a character;
 *       - a sequence may arrive split across any number of reads.
 *
 *  2. One binding table from keys to named actions, per context. Screens act
 *     on actions, never on raw keys, and the help screen and key bar are
 *     generated from the same table (see keys.c for the map and its reasons).
 *
 * Names are K_* because curses.h already defines KEY_*.
 */
#ifndef INTAKE_KEYS_H
#define INTAKE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define KEYS_LIST(X)                                                        \
	X(K_NONE, "None")                                                  \
	X(K_CHAR, "Char")	/* text: ev.cp holds the code point */     \
	X(K_INVALID, "Invalid")	/* input that is not UTF-8 */              \
	X(K_ENTER, "Enter")	/* CR or LF; CR LF counts once */          \
	X(K_TAB, "Tab")                                                    \
	X(K_BACKTAB, "Shift-Tab")                                          \
	X(K_BACKSPACE, "Backspace")	/* both ^? and ^H */               \
	X(K_DELETE, "Del")                                                 \
	X(K_INSERT, "Ins")                                                 \
	X(K_UP, "Up") X(K_DOWN, "Down") X(K_LEFT, "Left") X(K_RIGHT, "Right") \
	X(K_HOME, "Home") X(K_END, "End") X(K_PGUP, "PgUp") X(K_PGDN, "PgDn") \
	X(K_F1, "F1") X(K_F2, "F2") X(K_F3, "F3") X(K_F4, "F4")            \
	X(K_F5, "F5") X(K_F6, "F6") X(K_F7, "F7") X(K_F8, "F8")            \
	X(K_F9, "F9") X(K_F10, "F10") X(K_F11, "F11") X(K_F12, "F12")      \
	X(K_ESC, "Esc")                                                    \
	X(K_CTRL_A, "^A") X(K_CTRL_B, "^B") X(K_CTRL_C, "^C")              \
	X(K_CTRL_D, "^D") X(K_CTRL_E, "^E") X(K_CTRL_F, "^F")              \
	X(K_CTRL_G, "^G") X(K_CTRL_H, "^H") X(K_CTRL_I, "^I")              \
	X(K_CTRL_J, "^J") X(K_CTRL_K, "^K") X(K_CTRL_L, "^L")              \
	X(K_CTRL_M, "^M") X(K_CTRL_N, "^N") X(K_CTRL_O, "^O")              \
	X(K_CTRL_P, "^P") X(K_CTRL_Q, "^Q") X(K_CTRL_R, "^R")              \
	X(K_CTRL_S, "^S") X(K_CTRL_T, "^T") X(K_CTRL_U, "^U")              \
	X(K_CTRL_V, "^V") X(K_CTRL_W, "^W") X(K_CTRL_X, "^X")              \
	X(K_CTRL_Y, "^Y") X(K_CTRL_Z, "^Z")

/* K_CTRL_H, _I, _J and _M are never produced: those bytes are Backspace,
 * Tab and Enter. Ctrl-@, Ctrl-\, Ctrl-], Ctrl-^ and Ctrl-_ yield nothing. */
enum key {
#define KEYS_ENUM(name, text) name,
	KEYS_LIST(KEYS_ENUM)
#undef KEYS_ENUM
	K__COUNT
};

#define KEYMOD_SHIFT 1u
#define KEYMOD_ALT 2u		/* also Meta, and Esc typed as a prefix */
#define KEYMOD_CTRL 4u

struct key_event {
	enum key key;
	uint32_t cp;		/* K_CHAR only, else 0 */
	unsigned mods;		/* KEYMOD_* reported by the terminal */
};

/*
 * Text input rule for the TUI: insert a K_CHAR only when mods == 0 (an
 * Alt-letter is a command, not text), and only when keys_action() gave
 * ACT_NONE for it in the current context.
 */

struct keys;

/* NULL when out of memory. keys_free(NULL) is fine. */
struct keys *keys_new(void);
void keys_free(struct keys *k);

/*
 * Decodes bytes buf[*used .. len). Returns true with *ev set as soon as one
 * event is complete, having advanced *used past what it consumed; call again
 * with the same buffer for the next. Returns false when every byte is
 * consumed (*used == len); a partial sequence is then kept for the next call.
 *
 *	size_t off = 0;
 *	while (keys_decode(k, buf, n, &off, &ev))
 *		handle(&ev);
 *	if (keys_pending(k) && nothing more arrives within ~30 ms)
 *		if (keys_flush(k, &ev))
 *			handle(&ev);
 */
bool keys_decode(struct keys *k, const void *buf, size_t len, size_t *used,
		 struct key_event *ev);

/* A partial sequence is buffered: a lone Esc, an unfinished escape
 * sequence or UTF-8 character. */
bool keys_pending(const struct keys *k);

/*
 * The caller's timeout ran out with keys_pending() true: a lone Esc becomes
 * K_ESC (true), an unfinished UTF-8 character K_INVALID (true), an unfinished
 * escape sequence is dropped (false). Afterwards nothing is pending.
 */
bool keys_flush(struct keys *k, struct key_event *ev);

/* Forgets any partial sequence (on lock, or after a resize). */
void keys_reset(struct keys *k);

/* Static name of a key: "Enter", "F1", "^D". */
const char *keys_name(enum key key);

/*
 * Human name of an event for the key bar and help: "^D", "F1", "Space",
 * "Ctrl-Right", "Alt-x", "ຜ". ST_INVALID if size is too small (buf is then
 * a truncated but terminated string).
 */
enum status keys_format(const struct key_event *ev, char *buf, size_t size);

/* ---- actions and bindings ---- */

/* name, key-bar label, help text (English; translation comes later). */
#define ACTION_LIST(X)                                                      \
	X(ACT_NONE, "", "")                                                 \
	X(ACT_HELP, "Help", "Show the keys and what they do")               \
	X(ACT_SUBMIT, "OK", "Accept the answer or the highlighted item")   \
	X(ACT_NEXT, "Next", "Go to the next question or field")             \
	X(ACT_PREV, "Back", "Go to the previous question or field")         \
	X(ACT_CANCEL, "Cancel", "Close this window or undo the edit")       \
	X(ACT_DECLINE, "Declined", "The respondent declines to answer")     \
	X(ACT_DONT_KNOW, "Don't know", "The respondent does not know")      \
	X(ACT_REVIEW, "Review", "Review the answers given so far")          \
	X(ACT_LANGUAGE, "Language", "Change the interview language")        \
	X(ACT_BOTH_LANGS, "Both", "Show the question also in your own language") \
	X(ACT_EMERGENCY, "Emergency", "Show emergency contacts")            \
	X(ACT_END_INTERVIEW, "End", "End the interview (asks first)")       \
	X(ACT_HIDE, "Hide", "Hide the screen at once and lock")             \
	X(ACT_REDRAW, "Redraw", "Redraw a garbled screen")                  \
	X(ACT_QUIT, "Quit", "Quit Intake (an open interview is kept)")      \
	X(ACT_UP, "Up", "Move up; in a wrapped answer, a row up")          \
	X(ACT_DOWN, "Down", "Move down; in a wrapped answer, a row down")      \
	X(ACT_PAGE_UP, "Page up", "Scroll the list one page up")            \
	X(ACT_PAGE_DOWN, "Page down", "Scroll the list one page down")      \
	X(ACT_FIRST, "First", "Go to the first item")                       \
	X(ACT_LAST, "Last", "Go to the last item")                          \
	X(ACT_TOGGLE, "Select", "Tick or untick the highlighted choice")    \
	X(ACT_PICK, "Choose", "Choose (tick) the choice with that number") \
	X(ACT_YES, "Yes", "Answer yes and go on (yes/no questions)")      \
	X(ACT_NO, "No", "Answer no and go on (yes/no questions)")         \
	X(ACT_LEFT, "Left", "Cursor one character left")                    \
	X(ACT_RIGHT, "Right", "Cursor one character right")                 \
	X(ACT_HOME, "Start", "Start of the text (of the row if it wraps)")             \
	X(ACT_END, "End of text", "End of the text (of the row if it wraps)")          \
	X(ACT_WORD_LEFT, "Word left", "Cursor one word left")               \
	X(ACT_WORD_RIGHT, "Word right", "Cursor one word right")            \
	X(ACT_BACKSPACE, "Erase", "Erase the character before the cursor")  \
	X(ACT_DELETE, "Delete", "Erase the character under the cursor")     \
	X(ACT_KILL_END, "Erase to end", "Erase from the cursor to the end") \
	X(ACT_KILL_START, "Erase to start", "Erase from the start to the cursor") \
	X(ACT_DISCARD, "Discard", "Discard the highlighted draft, with a reason") \
	X(ACT_UI_LANGUAGE, "My language", "During an interview: your screens' next language (the interview's stays)")

enum action {
#define ACTION_ENUM(name, label, help) name,
	ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
	ACT__COUNT
};

/* Where the focus is. Bindings of the context win over global ones. */
enum keys_context {
	KCTX_GLOBAL,		/* any screen */
	KCTX_LIST,		/* a list: case list, review, overlays */
	KCTX_CHOICE,		/* the choices of a question */
	KCTX_EDIT,		/* a text field (lineedit) */
	KCTX__COUNT
};

struct keys_binding {
	enum keys_context ctx;
	enum key key;
	uint32_t cp;		/* K_CHAR only */
	unsigned mods;
	enum action action;
};

/*
 * The action of an event in a context: the context's own bindings, then the
 * global ones. An event with modifiers that has no binding of its own acts
 * as the bare key (Ctrl-Up is Up), except characters: Alt-x is not x.
 * ACT_NONE for everything unbound (a K_CHAR in KCTX_EDIT is text to insert).
 */
enum action keys_action(enum keys_context ctx, const struct key_event *ev);

/* The whole table, in help order; *count receives its length. Static. */
const struct keys_binding *keys_bindings(size_t *count);

/* Short label ("Declined") and help sentence of an action. Static. */
const char *keys_action_label(enum action act);
const char *keys_action_help(enum action act);

/*
 * The keys that perform `act` in `ctx` (not shadowed there), joined by
 * spaces, primary first: "^D F2". Empty if none. ST_INVALID if size is too
 * small (buf then holds as many whole names as fit).
 */
enum status keys_action_keys(enum keys_context ctx, enum action act, char *buf,
			     size_t size);

#endif
