/* test_keys.c — the key decoder: the escape sequences of common terminals
 * become the same named keys. */
#include "testutil.h"
#include "keys.h"

#define MAXEV 64

struct seq {
	const char *bytes;
	enum key key;
	unsigned mods;
};

/* Decodes `n` bytes, whole or one byte per read; returns the event count. */
static size_t
decode(struct keys *k, const char *bytes, size_t n, bool bytewise,
       struct key_event *out)
{
	size_t count = 0, off = 0;

	if (!bytewise) {
		while (count < MAXEV && keys_decode(k, bytes, n, &off, &out[count]))
			count++;
		assert_int_equal(off, n);
		return count;
	}
	for (size_t i = 0; i < n; i++) {
		off = 0;
		while (count < MAXEV && keys_decode(k, bytes + i, 1, &off, &out[count]))
			count++;
		assert_int_equal(off, 1);
	}
	return count;
}

/* Each sequence, followed by 'x', gives its key and then 'x' (nothing is
 * swallowed after it), whether it arrives in one read or byte by byte. */
static void
check_table(const struct seq *t, size_t n)
{
	struct keys *k = keys_new();
	struct key_event ev[MAXEV];
	char buf[64];

	assert_non_null(k);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(t[i].bytes);

		memcpy(buf, t[i].bytes, len);
		buf[len] = 'x';
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			size_t got = decode(k, buf, len + 1, bytewise, ev);

			if (got != 2 || ev[0].key != t[i].key || ev[0].mods != t[i].mods)
				fail_msg("sequence %zu (\\e%s): %zu events, first %s mods %u",
					 i, t[i].bytes + 1, got, keys_name(ev[0].key),
					 ev[0].mods);
			assert_int_equal(ev[1].key, K_CHAR);
			assert_int_equal(ev[1].cp, 'x');
			assert_false(keys_pending(k));
		}
	}
	keys_free(k);
}

static void
xterm_sequences(void **state)
{
	static const struct seq t[] = {
		{ "\x1b[A", K_UP, 0 }, { "\x1b[B", K_DOWN, 0 },
		{ "\x1b[C", K_RIGHT, 0 }, { "\x1b[D", K_LEFT, 0 },
		{ "\x1b[H", K_HOME, 0 }, { "\x1b[F", K_END, 0 },
		{ "\x1b[2~", K_INSERT, 0 }, { "\x1b[3~", K_DELETE, 0 },
		{ "\x1b[5~", K_PGUP, 0 }, { "\x1b[6~", K_PGDN, 0 },
		{ "\x1b[15~", K_F5, 0 }, { "\x1b[17~", K_F6, 0 },
		{ "\x1b[18~", K_F7, 0 }, { "\x1b[19~", K_F8, 0 },
		{ "\x1b[20~", K_F9, 0 }, { "\x1b[21~", K_F10, 0 },
		{ "\x1b[23~", K_F11, 0 }, { "\x1b[24~", K_F12, 0 },
		{ "\x1b[Z", K_BACKTAB, 0 },
		/* modifiers: consumed with the key, reported in mods */
		{ "\x1b[1;5C", K_RIGHT, KEYMOD_CTRL },
		{ "\x1b[1;5D", K_LEFT, KEYMOD_CTRL },
		{ "\x1b[1;2A", K_UP, KEYMOD_SHIFT },
		{ "\x1b[1;3B", K_DOWN, KEYMOD_ALT },
		{ "\x1b[1;6H", K_HOME, KEYMOD_CTRL | KEYMOD_SHIFT },
		{ "\x1b[3;5~", K_DELETE, KEYMOD_CTRL },
		{ "\x1b[15;2~", K_F5, KEYMOD_SHIFT },
		{ "\x1b[1;2P", K_F1, KEYMOD_SHIFT },
		{ "\x1b[1;5R", K_F3, KEYMOD_CTRL },
		/* SS3 (F1-F4; Intake never turns on application cursor mode,
		 * so ESC O C / D is a Ctrl-arrow, see putty_sequences) */
		{ "\x1bOA", K_UP, 0 }, { "\x1bOB", K_DOWN, 0 },
		{ "\x1bOC", K_RIGHT, KEYMOD_CTRL }, { "\x1bOD", K_LEFT, KEYMOD_CTRL },
		{ "\x1bOH", K_HOME, 0 }, { "\x1bOF", K_END, 0 },
		{ "\x1bOP", K_F1, 0 }, { "\x1bOQ", K_F2, 0 },
		{ "\x1bOR", K_F3, 0 }, { "\x1bOS", K_F4, 0 },
		{ "\x1bO5P", K_F1, KEYMOD_CTRL }, { "\x1bOM", K_ENTER, 0 },
	};

	(void)state;
	check_table(t, sizeof t / sizeof *t);
}

static void
putty_sequences(void **state)
{
	/* PuTTY's default "ESC[n~" function keys and its Home/End. */
	static const struct seq t[] = {
		{ "\x1b[11~", K_F1, 0 }, { "\x1b[12~", K_F2, 0 },
		{ "\x1b[13~", K_F3, 0 }, { "\x1b[14~", K_F4, 0 },
		{ "\x1b[15~", K_F5, 0 }, { "\x1b[1~", K_HOME, 0 },
		{ "\x1b[4~", K_END, 0 }, { "\x1b[3~", K_DELETE, 0 },
		{ "\x1b[A", K_UP, 0 }, { "\x1bOA", K_UP, 0 },
		/* Ctrl-Left/Right in normal cursor mode: a word, not a letter */
		{ "\x1bOD", K_LEFT, KEYMOD_CTRL }, { "\x1bOC", K_RIGHT, KEYMOD_CTRL },
		{ "\x1b[D", K_LEFT, 0 }, { "\x1b[C", K_RIGHT, 0 },
	};

	(void)state;
	check_table(t, sizeof t / sizeof *t);
}

static void
linux_console_sequences(void **state)
{
	static const struct seq t[] = {
		{ "\x1b[[A", K_F1, 0 }, { "\x1b[[B", K_F2, 0 },
		{ "\x1b[[C", K_F3, 0 }, { "\x1b[[D", K_F4, 0 },
		{ "\x1b[[E", K_F5, 0 }, { "\x1b[17~", K_F6, 0 },
		{ "\x1b[1~", K_HOME, 0 }, { "\x1b[4~", K_END, 0 },
		{ "\x1b[3~", K_DELETE, 0 }, { "\x1b[2~", K_INSERT, 0 },
		/* Shift-Tab on the console is ESC TAB: back, not Alt-Tab */
		{ "\x1b\t", K_BACKTAB, 0 },
	};

	(void)state;
	check_table(t, sizeof t / sizeof *t);
}

static void
rxvt_sequences(void **state)
{
	static const struct seq t[] = {
		{ "\x1b[7~", K_HOME, 0 }, { "\x1b[8~", K_END, 0 },
		{ "\x1b[11~", K_F1, 0 }, { "\x1b[14~", K_F4, 0 },
		{ "\x1bOa", K_UP, KEYMOD_CTRL }, { "\x1bOb", K_DOWN, KEYMOD_CTRL },
		{ "\x1bOc", K_RIGHT, KEYMOD_CTRL }, { "\x1bOd", K_LEFT, KEYMOD_CTRL },
		{ "\x1b[a", K_UP, KEYMOD_SHIFT }, { "\x1b[d", K_LEFT, KEYMOD_SHIFT },
		{ "\x1b[3$", K_DELETE, KEYMOD_SHIFT },
		{ "\x1b[5^", K_PGUP, KEYMOD_CTRL },
		{ "\x1b[7@", K_HOME, KEYMOD_CTRL | KEYMOD_SHIFT },
		{ "\x1b\x1b[A", K_UP, KEYMOD_ALT },	/* Meta-Up */
	};

	(void)state;
	check_table(t, sizeof t / sizeof *t);
}

static void
esc_digit_is_function_key(void **state)
{
	static const struct seq t[] = {
		{ "\x1b" "1", K_F1, 0 }, { "\x1b" "2", K_F2, 0 },
		{ "\x1b" "3", K_F3, 0 }, { "\x1b" "4", K_F4, 0 },
		{ "\x1b" "5", K_F5, 0 }, { "\x1b" "6", K_F6, 0 },
		{ "\x1b" "7", K_F7, 0 }, { "\x1b" "8", K_F8, 0 },
		{ "\x1b" "9", K_F9, 0 }, { "\x1b" "0", K_F10, 0 },
		/* Esc as a Meta prefix */
		{ "\x1b" "d", K_CHAR, KEYMOD_ALT },
		{ "\x1b\x7f", K_BACKSPACE, KEYMOD_ALT },
		{ "\x1b\x04", K_CTRL_D, KEYMOD_ALT },
	};
	struct key_event ev = { K_CHAR, 'd', KEYMOD_ALT };

	(void)state;
	check_table(t, sizeof t / sizeof *t);
	/* Alt-d is a command, never text: no action in a text field. */
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_NONE);
}

static void
control_bytes(void **state)
{
	static const struct seq t[] = {
		{ "\x7f", K_BACKSPACE, 0 }, { "\x08", K_BACKSPACE, 0 },
		{ "\r", K_ENTER, 0 }, { "\n", K_ENTER, 0 }, { "\t", K_TAB, 0 },
		{ "\x01", K_CTRL_A, 0 }, { "\x04", K_CTRL_D, 0 },
		{ "\x0b", K_CTRL_K, 0 }, { "\x11", K_CTRL_Q, 0 },
		{ "\x13", K_CTRL_S, 0 }, { "\x1a", K_CTRL_Z, 0 },
	};
	struct keys *k = keys_new();
	struct key_event ev[MAXEV];

	(void)state;
	check_table(t, sizeof t / sizeof *t);
	/* CR LF is one Enter; CR CR two; ^@ and ^\ nothing. */
	assert_int_equal(decode(k, "\r\n", 2, false, ev), 1);
	assert_int_equal(decode(k, "\r", 1, false, ev), 1);
	assert_int_equal(decode(k, "\n", 1, false, ev), 0);
	assert_int_equal(decode(k, "\r\r", 2, true, ev), 2);
	assert_int_equal(decode(k, "\n\n", 2, true, ev), 1);
	assert_int_equal(decode(k, "\0\x1c" "a", 3, false, ev), 1);
	assert_int_equal(ev[0].cp, 'a');
	keys_free(k);
}

static void
text_is_decoded_across_reads(void **state)
{
	/* a 中 ຜູ້ ที่ 😀 */
	static const char text[] = "a\xE4\xB8\xAD\xE0\xBA\x9C\xE0\xBA\xB9\xE0\xBB\x89"
				   "\xE0\xB8\x97\xE0\xB8\xB5\xE0\xB9\x88\xF0\x9F\x98\x80";
	static const uint32_t want[] = { 'a', 0x4E2D, 0x0E9C, 0x0EB9, 0x0EC9,
					 0x0E17, 0x0E35, 0x0E48, 0x1F600 };
	struct keys *k = keys_new();
	struct key_event ev[MAXEV];
	size_t off = 0;

	(void)state;
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		size_t n = decode(k, text, sizeof text - 1, bytewise, ev);

		assert_int_equal(n, sizeof want / sizeof *want);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(ev[i].key, K_CHAR);
			assert_int_equal(ev[i].cp, want[i]);
			assert_int_equal(ev[i].mods, 0);
		}
	}
	/* Half a character waits for the rest of it. */
	assert_false(keys_decode(k, "\xE4\xB8", 2, &off, ev));
	assert_true(keys_pending(k));
	off = 0;
	assert_true(keys_decode(k, "\xAD", 1, &off, ev));
	assert_int_equal(ev[0].cp, 0x4E2D);
	/* An escape sequence split over reads. */
	off = 0;
	assert_false(keys_decode(k, "\x1b[1", 3, &off, ev));
	assert_true(keys_pending(k));
	off = 0;
	assert_true(keys_decode(k, "5~", 2, &off, ev));
	assert_int_equal(ev[0].key, K_F5);
	assert_false(keys_pending(k));
	keys_free(k);
}

static void
unknown_sequences_yield_nothing(void **state)
{
	static const char *const junk[] = {
		"\x1b[200~", "\x1b[201~",	/* bracketed paste markers */
		"\x1b[<0;10;5M", "\x1b[<0;10;5m",	/* SGR mouse */
		"\x1b[M !!", "\x1b[M\xC3\x80!!",	/* X10 mouse, 1005 mode */
		"\x1b[32;10;5M",			/* urxvt mouse */
		"\x1b[I", "\x1b[O",			/* focus in/out */
		"\x1b[?1;2c", "\x1b[24;80R",		/* device answers */
		"\x1b[?1;2$y", "\x1b[97;5u", "\x1b[99~", "\x1b[27;5;13~",
		"\x1b[1;2;3;4;5;6A", "\x1b[!p", "\x1b[=1E", "\x1b[1:2A",
		"\x1b[99999999A", "\x1b[[Z", "\x1bOz", "\x1bO;;;;;;;P",
		"\x1b[0123456789012345678901234567890123456789012345678901;A",
	};
	struct keys *k = keys_new();
	struct key_event ev[MAXEV];
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
		size_t len = strlen(junk[i]);

		memcpy(buf, junk[i], len);
		memcpy(buf + len, "\x1b[B", 3);
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			size_t n = decode(k, buf, len + 3, bytewise, ev);

			if (n != 1 || ev[0].key != K_DOWN)
				fail_msg("junk %zu (\\e%s) gave %zu events, first %s",
					 i, junk[i] + 1, n, keys_name(ev[0].key));
			assert_false(keys_pending(k));
		}
	}
	/* A sequence broken off by a control byte is dropped; the control
	 * byte still counts, so Enter after line noise works. */
	assert_int_equal(decode(k, "\x1b[1;\r", 5, false, ev), 1);
	assert_int_equal(ev[0].key, K_ENTER);
	assert_int_equal(decode(k, "\x1b[1;\x1b[A", 8, true, ev), 1);
	assert_int_equal(ev[0].key, K_UP);
	/* Unfinished at the timeout: dropped, nothing pending afterwards. */
	assert_int_equal(decode(k, "\x1b[12", 4, false, ev), 0);
	assert_true(keys_pending(k));
	assert_false(keys_flush(k, ev));
	assert_false(keys_pending(k));
	assert_int_equal(decode(k, "x", 1, false, ev), 1);
	assert_int_equal(ev[0].cp, 'x');
	keys_free(k);
}

static void
lone_esc_after_timeout(void **state)
{
	struct keys *k = keys_new();
	struct key_event ev[MAXEV];

	(void)state;
	assert_int_equal(decode(k, "\x1b", 1, false, ev), 0);
	assert_true(keys_pending(k));
	assert_true(keys_flush(k, ev));
	assert_int_equal(ev[0].key, K_ESC);
	assert_int_equal(ev[0].mods, 0);
	assert_false(keys_pending(k));
	assert_false(keys_flush(k, ev));

	/* Esc then a non-ASCII character: Esc, then the character. */
	assert_int_equal(decode(k, "\x1b\xE4\xB8\xAD", 4, true, ev), 2);
	assert_int_equal(ev[0].key, K_ESC);
	assert_int_equal(ev[1].key, K_CHAR);
	assert_int_equal(ev[1].cp, 0x4E2D);

	/* Three Escs: an Alt-Esc, then a pending Esc. */
	assert_int_equal(decode(k, "\x1b\x1b\x1b", 3, false, ev), 1);
	assert_int_equal(ev[0].key, K_ESC);
	assert_true(keys_pending(k));
	keys_reset(k);
	assert_false(keys_pending(k));
	keys_free(k);
	keys_free(NULL);
}

static void
invalid_utf8_is_reported(void **state)
{
	static const char *const bad[] = {
		"\xFF", "\xC0\xAF", "\xC3(", "\xED\xA0\x80", "\xF4\x90\x80\x80",
		"\x80", "\xC2\x85" /* C1 NEL */, "\xE4\xB8" "a",
	};
	struct keys *k = keys_new();
	struct key_event ev[MAXEV];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		size_t n = decode(k, bad[i], strlen(bad[i]), false, ev);

		assert_true(n >= 1);
		assert_int_equal(ev[0].key, K_INVALID);
		/* Only ASCII that followed the bad bytes comes out as text. */
		for (size_t j = 1; j < n; j++)
			assert_true(ev[j].key == K_INVALID ||
				    (ev[j].key == K_CHAR && ev[j].cp < 0x80));
		assert_false(keys_pending(k));
	}
	assert_int_equal(decode(k, "\xC3(", 2, true, ev), 2);
	assert_int_equal(ev[1].cp, '(');
	/* Unfinished at the timeout: invalid. */
	assert_int_equal(decode(k, "\xF0\x9F", 2, false, ev), 0);
	assert_true(keys_flush(k, ev));
	assert_int_equal(ev[0].key, K_INVALID);
	keys_free(k);
}

static struct key_event
kev(enum key key, unsigned mods)
{
	struct key_event ev = { key, 0, mods };

	return ev;
}

static void
binding_lookup(void **state)
{
	struct key_event space = { K_CHAR, ' ', 0 }, a = { K_CHAR, 'a', 0 };
	struct key_event ev;

	(void)state;
	ev = kev(K_CTRL_D, 0);
	assert_int_equal(keys_action(KCTX_GLOBAL, &ev), ACT_DECLINE);
	ev = kev(K_F2, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_DECLINE);
	ev = kev(K_CTRL_N, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_DONT_KNOW);
	ev = kev(K_CTRL_K, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_KILL_END);
	assert_int_equal(keys_action(KCTX_GLOBAL, &ev), ACT_NONE);
	ev = kev(K_CTRL_U, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_KILL_START);
	ev = kev(K_CTRL_G, 0);
	assert_int_equal(keys_action(KCTX_LIST, &ev), ACT_HELP);
	ev = kev(K_F1, KEYMOD_SHIFT);	/* modifiers fall back to the key */
	assert_int_equal(keys_action(KCTX_LIST, &ev), ACT_HELP);
	ev = kev(K_CTRL_X, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_END_INTERVIEW);
	ev = kev(K_CTRL_E, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_EMERGENCY);
	ev = kev(K_CTRL_T, 0);
	assert_int_equal(keys_action(KCTX_GLOBAL, &ev), ACT_LANGUAGE);
	ev = kev(K_CTRL_R, 0);
	assert_int_equal(keys_action(KCTX_GLOBAL, &ev), ACT_REVIEW);
	ev = kev(K_CTRL_P, 0);	/* in a text field too: not text */
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_BOTH_LANGS);
	ev = kev(K_F7, 0);
	assert_int_equal(keys_action(KCTX_CHOICE, &ev), ACT_BOTH_LANGS);
	ev = kev(K_CTRL_C, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_QUIT);
	for (int c = 0; c < KCTX__COUNT; c++) {
		ev = kev(K_CTRL_Q, 0);
		assert_int_equal(keys_action((enum keys_context)c, &ev), ACT_HIDE);
	}
	ev = kev(K_ENTER, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_SUBMIT);
	ev = kev(K_ESC, KEYMOD_ALT);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_CANCEL);

	/* Context first, then global. */
	ev = kev(K_HOME, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_HOME);
	assert_int_equal(keys_action(KCTX_LIST, &ev), ACT_FIRST);
	assert_int_equal(keys_action(KCTX_GLOBAL, &ev), ACT_NONE);
	ev = kev(K_PGDN, 0);
	assert_int_equal(keys_action(KCTX_LIST, &ev), ACT_PAGE_DOWN);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_NEXT);
	ev = kev(K_RIGHT, KEYMOD_CTRL);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_WORD_RIGHT);
	ev = kev(K_RIGHT, KEYMOD_SHIFT);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_RIGHT);
	ev = kev(K_UP, KEYMOD_CTRL);
	assert_int_equal(keys_action(KCTX_LIST, &ev), ACT_UP);
	ev = kev(K_BACKSPACE, 0);
	assert_int_equal(keys_action(KCTX_EDIT, &ev), ACT_BACKSPACE);
	assert_int_equal(keys_action(KCTX_LIST, &ev), ACT_NONE);

	/* Text is not bound in a text field; Space ticks in a list. */
	assert_int_equal(keys_action(KCTX_EDIT, &a), ACT_NONE);
	assert_int_equal(keys_action(KCTX_EDIT, &space), ACT_NONE);
	assert_int_equal(keys_action(KCTX_LIST, &space), ACT_TOGGLE);
	assert_int_equal(keys_action((enum keys_context)99, &space), ACT_NONE);

	/* The choices of a question: Space ticks, digits choose, and PgDn /
	 * PgUp keep their global meaning (next / previous question). */
	assert_int_equal(keys_action(KCTX_CHOICE, &space), ACT_TOGGLE);
	for (uint32_t d = '1'; d <= '9'; d++) {
		struct key_event dig = { K_CHAR, d, 0 };

		assert_int_equal(keys_action(KCTX_CHOICE, &dig), ACT_PICK);
		assert_int_equal(keys_action(KCTX_EDIT, &dig), ACT_NONE);
	}
	{
		struct key_event zero = { K_CHAR, '0', 0 };

		assert_int_equal(keys_action(KCTX_CHOICE, &zero), ACT_NONE);
	}
	/* y and n answer in the choices only: in a text field they are text,
	 * Alt-y is nothing, and no other letter is bound. */
	{
		struct key_event y = { K_CHAR, 'y', 0 }, n = { K_CHAR, 'N', 0 };
		struct key_event alt_y = { K_CHAR, 'y', KEYMOD_ALT }, x = { K_CHAR, 'x', 0 };

		assert_int_equal(keys_action(KCTX_CHOICE, &y), ACT_YES);
		assert_int_equal(keys_action(KCTX_CHOICE, &n), ACT_NO);
		assert_int_equal(keys_action(KCTX_EDIT, &y), ACT_NONE);
		assert_int_equal(keys_action(KCTX_LIST, &y), ACT_NONE);
		assert_int_equal(keys_action(KCTX_CHOICE, &alt_y), ACT_NONE);
		assert_int_equal(keys_action(KCTX_CHOICE, &x), ACT_NONE);
	}
	ev = kev(K_PGDN, 0);
	assert_int_equal(keys_action(KCTX_CHOICE, &ev), ACT_NEXT);
	ev = kev(K_PGUP, 0);
	assert_int_equal(keys_action(KCTX_CHOICE, &ev), ACT_PREV);
	ev = kev(K_END, 0);
	assert_int_equal(keys_action(KCTX_CHOICE, &ev), ACT_LAST);
	ev = kev(K_BACKTAB, 0);
	assert_int_equal(keys_action(KCTX_CHOICE, &ev), ACT_PREV);
}

static bool
is_fkey(enum key k)
{
	return k >= K_F1 && k <= K_F12;
}

static void
binding_table_rules(void **state)
{
	size_t n;
	const struct keys_binding *t = keys_bindings(&n);
	int hide_keys = 0;

	(void)state;
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		/* One meaning per key and context. */
		for (size_t j = i + 1; j < n; j++)
			assert_false(t[i].ctx == t[j].ctx && t[i].key == t[j].key &&
				     t[i].cp == t[j].cp && t[i].mods == t[j].mods);
		/* Keys that never arrive, or must stay free. */
		assert_true(t[i].key != K_CTRL_H && t[i].key != K_CTRL_I &&
			    t[i].key != K_CTRL_J && t[i].key != K_CTRL_M &&
			    t[i].key != K_CTRL_Z && t[i].key != K_NONE &&
			    t[i].key != K_INVALID);
		assert_true(t[i].key != K_CTRL_C || t[i].action == ACT_QUIT);
		assert_true(t[i].action > ACT_NONE && t[i].action < ACT__COUNT);
		/* Function keys only as aliases: the action has another key. */
		if (is_fkey(t[i].key)) {
			bool other = false;

			for (size_t j = 0; j < n; j++)
				other |= t[j].action == t[i].action && !is_fkey(t[j].key);
			assert_true(other);
		}
		if (t[i].action == ACT_HIDE && !is_fkey(t[i].key)) {
			/* Quick-hide: one keystroke, in every context. */
			assert_int_equal(t[i].ctx, KCTX_GLOBAL);
			assert_true(t[i].key >= K_CTRL_A && t[i].key <= K_CTRL_Z);
			hide_keys++;
		}
	}
	assert_int_equal(hide_keys, 1);
	/* Every action but ACT_NONE is bound and described. */
	for (int a = ACT_NONE + 1; a < ACT__COUNT; a++) {
		bool bound = false;

		for (size_t i = 0; i < n; i++)
			bound |= t[i].action == (enum action)a;
		assert_true(bound);
		assert_true(strlen(keys_action_label((enum action)a)) > 0);
		assert_true(strlen(keys_action_help((enum action)a)) > 0);
	}
	assert_string_equal(keys_action_label(ACT_DECLINE), "Declined");
	assert_string_equal(keys_action_label((enum action)999), "");
}

static void
key_names(void **state)
{
	struct key_event ev;
	char buf[32];

	(void)state;
	ev = kev(K_CTRL_D, 0);
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "^D");
	ev = kev(K_F1, 0);
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "F1");
	ev = kev(K_ENTER, 0);
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Enter");
	ev = kev(K_TAB, 0);
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Tab");
	ev = kev(K_BACKTAB, 0);
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Shift-Tab");
	ev = kev(K_RIGHT, KEYMOD_CTRL);
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Ctrl-Right");
	ev = (struct key_event){ K_CHAR, ' ', 0 };
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Space");
	ev = (struct key_event){ K_CHAR, 'x', KEYMOD_ALT };
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Alt-x");
	ev = (struct key_event){ K_CHAR, 0x0E9C, 0 };
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "\xE0\xBA\x9C");
	ev = (struct key_event){ K_CHAR, 0x1B, 0 };
	assert_int_equal(keys_format(&ev, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "?");
	ev = kev(K_BACKSPACE, 0);
	assert_int_equal(keys_format(&ev, buf, 4), ST_INVALID);
	assert_string_equal(buf, "Bac");
	assert_string_equal(keys_name((enum key)999), "?");

	assert_int_equal(keys_action_keys(KCTX_GLOBAL, ACT_DECLINE, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "^D F2");
	assert_int_equal(keys_action_keys(KCTX_GLOBAL, ACT_HIDE, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "^Q F12");
	assert_int_equal(keys_action_keys(KCTX_GLOBAL, ACT_NEXT, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Tab PgDn");
	/* In a list PgDn pages, so it is not shown as "next". */
	assert_int_equal(keys_action_keys(KCTX_LIST, ACT_NEXT, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Tab");
	assert_int_equal(keys_action_keys(KCTX_EDIT, ACT_HOME, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Home ^A");
	assert_int_equal(keys_action_keys(KCTX_EDIT, ACT_WORD_LEFT, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "Ctrl-Left");
	assert_int_equal(keys_action_keys(KCTX_GLOBAL, ACT_KILL_END, buf, sizeof buf), ST_OK);
	assert_string_equal(buf, "");
	assert_int_equal(keys_action_keys(KCTX_GLOBAL, ACT_DECLINE, buf, 4), ST_INVALID);
	assert_string_equal(buf, "^D");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xterm_sequences),
		cmocka_unit_test(putty_sequences),
		cmocka_unit_test(linux_console_sequences),
		cmocka_unit_test(rxvt_sequences),
		cmocka_unit_test(esc_digit_is_function_key),
		cmocka_unit_test(control_bytes),
		cmocka_unit_test(text_is_decoded_across_reads),
		cmocka_unit_test(unknown_sequences_yield_nothing),
		cmocka_unit_test(lone_esc_after_timeout),
		cmocka_unit_test(invalid_utf8_is_reported),
		cmocka_unit_test(binding_lookup),
		cmocka_unit_test(binding_table_rules),
		cmocka_unit_test(key_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
