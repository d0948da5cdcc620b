/*
 * keys.c — byte decoder and key map; contracts in keys.h.
 *
 * The key map (KCTX_GLOBAL unless noted). Every action has a Ctrl-letter or
 * plain key; function keys are only aliases, and Esc followed by a digit is
 * the function key (Esc 1 = F1 ... Esc 0 = F10) for phone SSH clients that
 * have none.
 *
 *   Enter            OK / accept           Tab, PgDn      next question
 *   Shift-Tab, PgUp  previous question     Up, Down       move up / down
 *   Esc              cancel                ^G, F1         help
 *   ^D, F2           declined              ^N, F3         don't know
 *   ^R, F4           review answers        ^T, F5         language
 *   ^E, F6           emergency contacts    ^X, F10        end interview
 *   ^Q, F12          quick-hide (lock)     ^L             redraw
 *   ^C               quit                  ^O             discard a draft
 *   ^Y, F8           in an interview, the screens' language (the interviewer's)
 *   list:  Space select, Home/End first/last, PgUp/PgDn page
 *   choices of a question: Space tick, 1-9 choose the Nth, Home/End
 *          first/last; PgUp/PgDn keep their global meaning (the help
 *          promises they change the question, whatever has the focus);
 *          y / n answer a yes/no question and go on
 *   text:  Left/Right, Home/End (also ^A), Ctrl-Left/Right word,
 *          Backspace, Del, ^K erase to end, ^U erase to start; in a
 *          wrapped (multi-row) field Home/End act on the row and the
 *          global Up/Down move between rows (app_edit)
 *
 * Reasons:
 *   - Quick-hide is ^Q, one chord, "quick": a panic key must work under any
 *     keyboard layout (a Ctrl-letter reaches us as the same byte whether a
 *     Lao, Thai or Chinese input method is active, where a plain key such as
 *     the backtick turns into a Lao or Thai letter), and must not be eaten
 *     on the way: ^B is tmux's prefix and ^A screen's, both plausible on a
 *     shelter server that keeps sessions across dropped links. Raw mode
 *     turns off XON/XOFF, so ^Q reaches the program. Pressing it by mistake
 *     only locks, the safe direction.
 *   - ^K stays "erase to end" in text fields, as in every Unix editor, so
 *     "don't know" is ^N ("No idea"); ^U erases to the start for the same
 *     reason. ^D (declined) and ^E (emergency) take readline's delete-char
 *     and end-of-line: the End and Del keys do those.
 *   - ^Y ("Your language") changes the screens' language during an
 *     interview, where ^T is the respondent's: the two must never be one
 *     key. ^Y (and ^V) are free in raw mode; F8 is the next free function
 *     key PuTTY sends.
 *   - Language is ^T ("Translate") so that ^L keeps its universal meaning,
 *     redraw: on a shared server a `wall` message or a line-noise burst
 *     garbles the screen and the interviewer needs a way back.
 *   - ^O discards the highlighted draft in the case list: it is the
 *     terminal's own "discard" character (VDISCARD), free in raw mode, and
 *     asks for a reason before anything goes.
 *   - ^C is only quit (the program keeps the draft); ^Z is left unbound
 *     (raw mode delivers it instead of suspending). ^H, ^I, ^J, ^M and ^[
 *     are Backspace, Tab, Enter and Esc on the wire and cannot be bound.
 *   - Shift-Tab: xterm and PuTTY send ESC [ Z; the Linux console sends
 *     ESC TAB (Alt-Tab to us), which is taken as Shift-Tab so a console
 *     has a way back.
 *   - Ctrl-Left/Right: xterm sends ESC [ 1;5D; PuTTY (and any terminal in
 *     normal cursor mode that marks Ctrl this way) sends ESC O D. Intake
 *     never switches the terminal to application cursor mode (keypad is
 *     off), so a plain arrow arrives as ESC [ D and ESC O C/D can only be
 *     the Ctrl variant.
 *   - y and n (either case) answer a yes/no question in one key, the
 *     commonest answer on a phone keyboard; the digits keep "choose, then
 *     Enter", because "1 Enter" is the documented habit and a digit that
 *     moved on would let that Enter land on the next question. A Lao, Thai
 *     or Chinese layout gives no y or n: their words for yes and no share
 *     no first letter that a single key could stand for without doubt, so
 *     there Up/Down or the digit and Enter answer.
 *   - ^S, ^W, ^P, ^F stay free: some web-based SSH clients lose them to the
 *     browser (save, close tab, print, find).
 */
#include "keys.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistr.h>

#define SEQ_MAX 32		/* parameter bytes kept; longer ones are junk */
#define PARAM_MAX 4

enum state {
	S_GROUND,
	S_ESC,			/* after ESC */
	S_CSI,			/* after ESC [ */
	S_CSI_LINUX,		/* after ESC [ [ (Linux console F1-F5) */
	S_SS3,			/* after ESC O */
	S_UTF8,			/* inside a multi-byte character */
	S_MOUSE			/* X10 mouse report payload after ESC [ M */
};

struct keys {
	enum state state;
	bool alt;		/* ESC ESC: the second is a Meta prefix */
	bool after_cr;		/* swallow the LF of a CR LF pair */
	bool junk;		/* sequence too long or malformed: drop it */
	unsigned char seq[SEQ_MAX];
	size_t seqlen;
	uint32_t cp;		/* UTF-8 being assembled */
	int need;		/* continuation bytes still expected */
	unsigned char lo, hi;	/* range of the next continuation byte */
	int mouse_left;		/* X10 payload characters still to skip */
	int mouse_cont;		/* continuation bytes of a UTF-8 payload char */
};

/* What one step did with the byte. */
enum step {
	TAKE = 1,		/* byte consumed */
	EMIT = 2		/* *ev is set */
};

struct keys *
keys_new(void)
{
	return calloc(1, sizeof(struct keys));
}

void
keys_free(struct keys *k)
{
	if (k == NULL)
		return;
	explicit_bzero(k, sizeof *k);
	free(k);
}

void
keys_reset(struct keys *k)
{
	explicit_bzero(k, sizeof *k);
}

bool
keys_pending(const struct keys *k)
{
	return k->state != S_GROUND;
}

static int
emit(struct key_event *ev, enum key key, uint32_t cp, unsigned mods)
{
	ev->key = key;
	ev->cp = cp;
	ev->mods = mods;
	return EMIT;
}

/* A byte with no sequence in progress. */
static int
ground(struct keys *k, unsigned char c, struct key_event *ev)
{
	bool after_cr = k->after_cr;

	k->after_cr = false;
	if (c == '\n' && after_cr)
		return TAKE;
	switch (c) {
	case 0x1b:
		k->state = S_ESC;
		k->alt = false;
		return TAKE;
	case '\r':
		k->after_cr = true;
		return TAKE | emit(ev, K_ENTER, 0, 0);
	case '\n':
		return TAKE | emit(ev, K_ENTER, 0, 0);
	case '\t':
		return TAKE | emit(ev, K_TAB, 0, 0);
	case 0x08:
	case 0x7f:
		return TAKE | emit(ev, K_BACKSPACE, 0, 0);
	default:
		break;
	}
	if (c >= 0x01 && c <= 0x1a)
		return TAKE | emit(ev, (enum key)(K_CTRL_A + (c - 1)), 0, 0);
	if (c < 0x20)
		return TAKE;	/* ^@ ^\ ^] ^^ ^_ */
	if (c < 0x80)
		return TAKE | emit(ev, K_CHAR, c, 0);

	/* UTF-8 lead bytes, with the ranges that exclude overlong forms,
	 * surrogates and code points past U+10FFFF (RFC 3629). */
	k->lo = 0x80;
	k->hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		k->need = 1;
		k->cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k->need = 2;
		k->cp = c & 0x0f;
		if (c == 0xe0)
			k->lo = 0xa0;
		else if (c == 0xed)
			k->hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k->need = 3;
		k->cp = c & 0x07;
		if (c == 0xf0)
			k->lo = 0x90;
		else if (c == 0xf4)
			k->hi = 0x8f;
	} else {
		return TAKE | emit(ev, K_INVALID, 0, 0);
	}
	k->state = S_UTF8;
	return TAKE;
}

static int
utf8(struct keys *k, unsigned char c, struct key_event *ev)
{
	if (c < k->lo || c > k->hi) {
		/* Broken character: report it, then read c afresh. */
		k->state = S_GROUND;
		k->cp = 0;
		return emit(ev, K_INVALID, 0, 0);
	}
	k->cp = (k->cp << 6) | (c & 0x3f);
	k->lo = 0x80;
	k->hi = 0xbf;
	if (--k->need > 0)
		return TAKE;
	k->state = S_GROUND;
	/* C1 controls are valid UTF-8 but never text a user typed. */
	if (k->cp >= 0x80 && k->cp <= 0x9f)
		return TAKE | emit(ev, K_INVALID, 0, 0);
	emit(ev, K_CHAR, k->cp, 0);
	k->cp = 0;
	return TAKE | EMIT;
}

static void
start_seq(struct keys *k, enum state st)
{
	k->state = st;
	k->seqlen = 0;
	k->junk = false;
}

static int
esc(struct keys *k, unsigned char c, struct key_event *ev)
{
	unsigned mods = k->alt ? KEYMOD_ALT : 0;
	int r;

	switch (c) {
	case '[':
		start_seq(k, S_CSI);
		return TAKE;
	case 'O':
		start_seq(k, S_SS3);
		return TAKE;
	case 0x1b:
		if (k->alt) {
			/* A third Esc: the first two were one Alt-Esc. */
			k->state = S_GROUND;
			return emit(ev, K_ESC, 0, KEYMOD_ALT);
		}
		k->alt = true;
		return TAKE;
	default:
		break;
	}
	k->state = S_GROUND;
	k->alt = false;
	if (c >= '1' && c <= '9')
		return TAKE | emit(ev, (enum key)(K_F1 + (c - '1')), 0, mods);
	if (c == '0')
		return TAKE | emit(ev, K_F10, 0, mods);
	if (c >= 0x80) {
		/* Not a Meta prefix: Esc, then the character on its own. */
		return emit(ev, K_ESC, 0, mods);
	}
	if (c == '\t')		/* Linux console Shift-Tab */
		return TAKE | emit(ev, K_BACKTAB, 0, mods);
	/* Meta-key: Esc as a prefix to a character or control key. */
	r = ground(k, c, ev);
	if (r & EMIT)
		ev->mods |= KEYMOD_ALT;
	return r;
}

/* Parses "n;n;n" from seq. False for anything else (private markers,
 * sub-parameters, too many): such sequences are not keys. */
static bool
params(const struct keys *k, unsigned *p, size_t *np)
{
	size_t i, n = 0;
	bool digits = false;

	for (i = 0; i < PARAM_MAX; i++)
		p[i] = 0;
	for (i = 0; i < k->seqlen; i++) {
		unsigned char c = k->seq[i];

		if (c >= '0' && c <= '9') {
			if (p[n] > 9999)
				return false;
			p[n] = p[n] * 10 + (unsigned)(c - '0');
			digits = true;
		} else if (c == ';') {
			if (++n >= PARAM_MAX)
				return false;
			digits = true;
		} else {
			return false;
		}
	}
	*np = digits ? n + 1 : 0;
	return true;
}

/* xterm modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4 | meta 8). */
static unsigned
xterm_mods(unsigned m)
{
	unsigned bits, mods = 0;

	if (m < 2)
		return 0;
	bits = m - 1;
	if (bits & 1)
		mods |= KEYMOD_SHIFT;
	if (bits & (2 | 8))
		mods |= KEYMOD_ALT;
	if (bits & 4)
		mods |= KEYMOD_CTRL;
	return mods;
}

/* The key of "ESC [ n ~" (VT220, xterm, PuTTY, Linux console, rxvt). */
static enum key
tilde_key(unsigned n)
{
	switch (n) {
	case 1: return K_HOME;		/* Linux console, PuTTY (Find) */
	case 2: return K_INSERT;
	case 3: return K_DELETE;
	case 4: return K_END;		/* Linux console, PuTTY (Select) */
	case 5: return K_PGUP;
	case 6: return K_PGDN;
	case 7: return K_HOME;		/* rxvt */
	case 8: return K_END;		/* rxvt */
	case 11: case 12: case 13: case 14: case 15:
		return (enum key)(K_F1 + (n - 11));
	case 17: case 18: case 19: case 20: case 21:
		return (enum key)(K_F6 + (n - 17));
	case 23: return K_F11;
	case 24: return K_F12;
	default: return K_NONE;	/* 200~/201~ paste markers, F13+, ... */
	}
}

static int
csi_final(struct keys *k, unsigned char c, struct key_event *ev)
{
	unsigned p[PARAM_MAX];
	size_t np;
	unsigned mods;
	enum key key = K_NONE;

	k->state = S_GROUND;
	if (k->junk || !params(k, p, &np))
		return TAKE;
	mods = np >= 2 ? xterm_mods(p[1]) : 0;
	if (k->alt)
		mods |= KEYMOD_ALT;
	switch (c) {
	case 'A': key = K_UP; break;
	case 'B': key = K_DOWN; break;
	case 'C': key = K_RIGHT; break;
	case 'D': key = K_LEFT; break;
	case 'H': key = K_HOME; break;
	case 'F': key = K_END; break;
	case 'Z': key = K_BACKTAB; break;
	case 'P': key = K_F1; break;
	case 'Q': key = K_F2; break;
	case 'S': key = K_F4; break;
	case 'R':
		/* ESC [ r ; c R is also a cursor position report. */
		if (np == 0 || (np == 2 && p[0] == 1))
			key = K_F3;
		break;
	case 'a': case 'b': case 'c': case 'd':
		/* rxvt Shift-arrows */
		if (np == 0) {
			key = c == 'a' ? K_UP : c == 'b' ? K_DOWN :
			      c == 'c' ? K_RIGHT : K_LEFT;
			mods |= KEYMOD_SHIFT;
		}
		break;
	case '~':
	case '^':		/* rxvt: Ctrl */
	case '$':		/* rxvt: Shift */
	case '@':		/* rxvt: Ctrl-Shift */
		if (np == 0)
			break;
		key = tilde_key(p[0]);
		if (c == '^' || c == '@')
			mods |= KEYMOD_CTRL;
		if (c == '$' || c == '@')
			mods |= KEYMOD_SHIFT;
		break;
	default:
		break;
	}
	if (key == K_NONE)
		return TAKE;
	return TAKE | emit(ev, key, 0, mods);
}

/* rxvt ends Shift sequences with '$' (ESC [ 3 $), which ECMA-48 calls an
 * intermediate byte; it is final after plain digits. */
static bool
rxvt_dollar(const struct keys *k)
{
	size_t i;

	if (k->seqlen == 0)
		return false;
	for (i = 0; i < k->seqlen; i++)
		if (k->seq[i] < '0' || k->seq[i] > '9')
			return false;
	return true;
}

static int
csi(struct keys *k, unsigned char c, struct key_event *ev)
{
	if (c < 0x20 || c >= 0x80) {
		/* Broken off by a control or non-ASCII byte: drop the
		 * sequence, then read c afresh (Enter still works). */
		k->state = S_GROUND;
		return 0;
	}
	if (c == '$' && rxvt_dollar(k))
		return csi_final(k, c, ev);
	if (c < 0x40) {
		/* Parameter (0x30-0x3f) or intermediate (0x20-0x2f) byte;
		 * an intermediate makes it a sequence that is not a key. */
		if (c < 0x30 || k->seqlen == SEQ_MAX)
			k->junk = true;
		else
			k->seq[k->seqlen++] = c;
		return TAKE;
	}
	if (k->seqlen == 0 && !k->junk && c == '[') {
		k->state = S_CSI_LINUX;
		return TAKE;
	}
	if (k->seqlen == 0 && !k->junk && c == 'M') {
		k->state = S_MOUSE;
		k->mouse_left = 3;
		k->mouse_cont = 0;
		return TAKE;
	}
	return csi_final(k, c, ev);
}

static int
csi_linux(struct keys *k, unsigned char c, struct key_event *ev)
{
	if (c < 0x20 || c >= 0x80) {
		k->state = S_GROUND;
		return 0;
	}
	k->state = S_GROUND;
	if (c >= 'A' && c <= 'E')
		return TAKE | emit(ev, (enum key)(K_F1 + (c - 'A')), 0,
				   k->alt ? KEYMOD_ALT : 0);
	return TAKE;
}

/* X10 mouse report: three payload characters, each one byte, or a UTF-8
 * sequence in xterm's 1005 mode. Skipped whole. */
static int
mouse(struct keys *k, unsigned char c)
{
	if (k->mouse_cont > 0 && c >= 0x80 && c <= 0xbf) {
		k->mouse_cont--;
	} else {
		k->mouse_cont = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		k->mouse_left--;
	}
	if (k->mouse_left == 0 && k->mouse_cont == 0)
		k->state = S_GROUND;
	return TAKE;
}

static int
ss3(struct keys *k, unsigned char c, struct key_event *ev)
{
	static const char keypad[] = "*+,-./0123456789";	/* ESC O j..y */
	unsigned p[PARAM_MAX];
	size_t np;
	unsigned mods = k->alt ? KEYMOD_ALT : 0;
	enum key key = K_NONE;

	if (c < 0x20 || c >= 0x80) {
		k->state = S_GROUND;
		return 0;
	}
	if ((c >= '0' && c <= '9') || c == ';') {
		if (k->seqlen == SEQ_MAX)
			k->junk = true;
		else
			k->seq[k->seqlen++] = c;
		return TAKE;
	}
	k->state = S_GROUND;
	if (c < 0x40 || k->junk || !params(k, p, &np))
		return TAKE;
	if (np > 0)
		mods |= xterm_mods(p[np - 1]);	/* ESC O 5 P or ESC O 1;5P */
	switch (c) {
	case 'A': key = K_UP; break;
	case 'B': key = K_DOWN; break;
	case 'C':
	case 'D':
		/* PuTTY's Ctrl-Right/Left: see the reasons above. */
		key = c == 'C' ? K_RIGHT : K_LEFT;
		if (np == 0)
			mods |= KEYMOD_CTRL;
		break;
	case 'H': key = K_HOME; break;
	case 'F': key = K_END; break;
	case 'P': key = K_F1; break;
	case 'Q': key = K_F2; break;
	case 'R': key = K_F3; break;
	case 'S': key = K_F4; break;
	case 'M': key = K_ENTER; break;	/* keypad Enter */
	case 'a': case 'b': case 'c': case 'd':
		/* rxvt Ctrl-arrows */
		key = c == 'a' ? K_UP : c == 'b' ? K_DOWN :
		      c == 'c' ? K_RIGHT : K_LEFT;
		mods |= KEYMOD_CTRL;
		break;
	case 'X':
		return TAKE | emit(ev, K_CHAR, '=', 0);
	default:
		/* Keypad in application mode types its character. */
		if (c >= 'j' && c <= 'y')
			return TAKE | emit(ev, K_CHAR, (uint32_t)keypad[c - 'j'], 0);
		return TAKE;
	}
	return TAKE | emit(ev, key, 0, mods);
}

static int
step(struct keys *k, unsigned char c, struct key_event *ev)
{
	switch (k->state) {
	case S_ESC: return esc(k, c, ev);
	case S_CSI: return csi(k, c, ev);
	case S_CSI_LINUX: return csi_linux(k, c, ev);
	case S_SS3: return ss3(k, c, ev);
	case S_UTF8: return utf8(k, c, ev);
	case S_MOUSE: return mouse(k, c);
	case S_GROUND: break;
	}
	return ground(k, c, ev);
}

bool
keys_decode(struct keys *k, const void *buf, size_t len, size_t *used,
	    struct key_event *ev)
{
	const unsigned char *b = buf;

	while (*used < len) {
		int r = step(k, b[*used], ev);

		if (r & TAKE)
			(*used)++;
		if (r & EMIT)
			return true;
	}
	return false;
}

bool
keys_flush(struct keys *k, struct key_event *ev)
{
	enum state st = k->state;
	bool alt = k->alt;

	keys_reset(k);
	if (st == S_ESC) {
		emit(ev, K_ESC, 0, alt ? KEYMOD_ALT : 0);
		return true;
	}
	if (st == S_UTF8) {
		emit(ev, K_INVALID, 0, 0);
		return true;
	}
	return false;
}

/* ---- names ---- */

static const char *const key_names[] = {
#define KEYS_NAME(name, text) [name] = text,
	KEYS_LIST(KEYS_NAME)
#undef KEYS_NAME
};

const char *
keys_name(enum key key)
{
	if ((unsigned)key >= K__COUNT)
		return "?";
	return key_names[key];
}

enum status
keys_format(const struct key_event *ev, char *buf, size_t size)
{
	char ch[5] = "";
	const char *name = keys_name(ev->key);
	int n;

	if (ev->key == K_CHAR) {
		uint32_t c = ev->cp;

		if (c == ' ') {
			name = "Space";
		} else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c > 0x10ffff ||
			   (c >= 0xd800 && c <= 0xdfff)) {
			name = "?";
		} else {
			u8_uctomb((uint8_t *)ch, (ucs4_t)c, 4);
			name = ch;
		}
	}
	n = snprintf(buf, size, "%s%s%s%s",
		     ev->mods & KEYMOD_CTRL ? "Ctrl-" : "",
		     ev->mods & KEYMOD_ALT ? "Alt-" : "",
		     ev->mods & KEYMOD_SHIFT ? "Shift-" : "", name);
	if (n < 0 || (size_t)n >= size)
		return ST_INVALID;
	return ST_OK;
}

/* ---- bindings ---- */

#define G(key, act) { KCTX_GLOBAL, key, 0, 0, act }
#define L(key, act) { KCTX_LIST, key, 0, 0, act }
#define E(key, act) { KCTX_EDIT, key, 0, 0, act }
#define C(key, act) { KCTX_CHOICE, key, 0, 0, act }
#define PICK(d) { KCTX_CHOICE, K_CHAR, d, 0, ACT_PICK }

/* Primary key first for each action: keys_action_keys() keeps that order. */
static const struct keys_binding bindings[] = {
	G(K_CTRL_G, ACT_HELP), G(K_F1, ACT_HELP),
	G(K_ENTER, ACT_SUBMIT),
	G(K_TAB, ACT_NEXT), G(K_PGDN, ACT_NEXT),
	G(K_BACKTAB, ACT_PREV), G(K_PGUP, ACT_PREV),
	G(K_ESC, ACT_CANCEL),
	G(K_CTRL_D, ACT_DECLINE), G(K_F2, ACT_DECLINE),
	G(K_CTRL_N, ACT_DONT_KNOW), G(K_F3, ACT_DONT_KNOW),
	G(K_CTRL_R, ACT_REVIEW), G(K_F4, ACT_REVIEW),
	G(K_CTRL_T, ACT_LANGUAGE), G(K_F5, ACT_LANGUAGE),
	G(K_CTRL_E, ACT_EMERGENCY), G(K_F6, ACT_EMERGENCY),
	G(K_CTRL_X, ACT_END_INTERVIEW), G(K_F10, ACT_END_INTERVIEW),
	G(K_CTRL_Q, ACT_HIDE), G(K_F12, ACT_HIDE),
	G(K_CTRL_L, ACT_REDRAW),
	G(K_CTRL_C, ACT_QUIT),
	/* P for "paired": ^B is tmux's prefix, ^S and ^Q flow control, ^W
	 * closes a browser's SSH tab. */
	G(K_CTRL_P, ACT_BOTH_LANGS), G(K_F7, ACT_BOTH_LANGS),
	G(K_CTRL_O, ACT_DISCARD),
	/* After the keys the first page of help shows, so that page reads as
	 * it did. */
	G(K_CTRL_Y, ACT_UI_LANGUAGE), G(K_F8, ACT_UI_LANGUAGE),
	G(K_UP, ACT_UP), G(K_DOWN, ACT_DOWN),

	{ KCTX_LIST, K_CHAR, ' ', 0, ACT_TOGGLE },
	L(K_PGUP, ACT_PAGE_UP), L(K_PGDN, ACT_PAGE_DOWN),
	L(K_HOME, ACT_FIRST), L(K_END, ACT_LAST),

	{ KCTX_CHOICE, K_CHAR, ' ', 0, ACT_TOGGLE },
	PICK('1'), PICK('2'), PICK('3'), PICK('4'), PICK('5'), PICK('6'),
	PICK('7'), PICK('8'), PICK('9'),
	C(K_HOME, ACT_FIRST), C(K_END, ACT_LAST),
	{ KCTX_CHOICE, K_CHAR, 'y', 0, ACT_YES }, { KCTX_CHOICE, K_CHAR, 'Y', 0, ACT_YES },
	{ KCTX_CHOICE, K_CHAR, 'n', 0, ACT_NO }, { KCTX_CHOICE, K_CHAR, 'N', 0, ACT_NO },

	E(K_LEFT, ACT_LEFT), E(K_RIGHT, ACT_RIGHT),
	E(K_HOME, ACT_HOME), E(K_CTRL_A, ACT_HOME), E(K_END, ACT_END),
	{ KCTX_EDIT, K_LEFT, 0, KEYMOD_CTRL, ACT_WORD_LEFT },
	{ KCTX_EDIT, K_RIGHT, 0, KEYMOD_CTRL, ACT_WORD_RIGHT },
	E(K_BACKSPACE, ACT_BACKSPACE), E(K_DELETE, ACT_DELETE),
	E(K_CTRL_K, ACT_KILL_END), E(K_CTRL_U, ACT_KILL_START),
};

#undef G
#undef L
#undef E
#undef C
#undef PICK

const struct keys_binding *
keys_bindings(size_t *count)
{
	*count = sizeof bindings / sizeof *bindings;
	return bindings;
}

static const struct keys_binding *
find(enum keys_context ctx, enum key key, uint32_t cp, unsigned mods)
{
	size_t i;

	for (i = 0; i < sizeof bindings / sizeof *bindings; i++) {
		const struct keys_binding *b = &bindings[i];

		if (b->ctx == ctx && b->key == key && b->mods == mods &&
		    (key != K_CHAR || b->cp == cp))
			return b;
	}
	return NULL;
}

/* Binding of an exact key in ctx, falling back to the global table. */
static const struct keys_binding *
lookup(enum keys_context ctx, enum key key, uint32_t cp, unsigned mods)
{
	const struct keys_binding *b = NULL;

	if (ctx != KCTX_GLOBAL)
		b = find(ctx, key, cp, mods);
	return b ? b : find(KCTX_GLOBAL, key, cp, mods);
}

enum action
keys_action(enum keys_context ctx, const struct key_event *ev)
{
	const struct keys_binding *b;

	if ((unsigned)ctx >= KCTX__COUNT)
		return ACT_NONE;
	b = lookup(ctx, ev->key, ev->cp, ev->mods);
	if (b == NULL && ev->mods != 0 && ev->key != K_CHAR)
		b = lookup(ctx, ev->key, ev->cp, 0);
	return b ? b->action : ACT_NONE;
}

static const char *const action_labels[] = {
#define ACTION_LABEL(name, label, help) [name] = label,
	ACTION_LIST(ACTION_LABEL)
#undef ACTION_LABEL
};

static const char *const action_helps[] = {
#define ACTION_HELP(name, label, help) [name] = help,
	ACTION_LIST(ACTION_HELP)
#undef ACTION_HELP
};

const char *
keys_action_label(enum action act)
{
	return (unsigned)act < ACT__COUNT ? _(action_labels[act]) : "";
}

const char *
keys_action_help(enum action act)
{
	return (unsigned)act < ACT__COUNT ? _(action_helps[act]) : "";
}

enum status
keys_action_keys(enum keys_context ctx, enum action act, char *buf, size_t size)
{
	size_t i, len = 0;
	char name[32];

	if (size == 0)
		return ST_INVALID;
	buf[0] = '\0';
	for (i = 0; i < sizeof bindings / sizeof *bindings; i++) {
		const struct keys_binding *b = &bindings[i];
		struct key_event ev = { b->key, b->cp, b->mods };
		size_t n;

		if (b->action != act || (b->ctx != ctx && b->ctx != KCTX_GLOBAL))
			continue;
		/* Skip a global key the context binds to something else. */
		if (lookup(ctx, b->key, b->cp, b->mods) != b)
			continue;
		if (keys_format(&ev, name, sizeof name) != ST_OK)
			return ST_INTERNAL;
		n = strlen(name);
		if (len + (len > 0) + n + 1 > size)
			return ST_INVALID;
		if (len > 0)
			buf[len++] = ' ';
		memcpy(buf + len, name, n + 1);
		len += n;
	}
	return ST_OK;
}
