/* interview.c — the interview engine: the walk through a form, answer
 * validation, indicators and outcome. The record and summary JSON are in
 * interview_json.c, the engine's texts in interview_text.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uninorm.h>
#include <unistr.h>

#include "interview.h"
#include "interview_int.h"
#include "clock.h"
#include "textcheck.h"

static void
set_error(struct interview *iv, enum iv_msg m, size_t n, size_t max, const char *value)
{
	interview_text_fill(iv->error, sizeof iv->error, iv_msg_row(iv),
	    m, n, max, value);
}

const char *
interview_error(const struct interview *iv)
{
	return iv->error;
}

/* ---- clock ------------------------------------------------------------ */

/* The stored text of t; the first instant when t has none (it cannot:
 * every time here comes from clock_now() or clock_parse_iso()). */
void
iv_iso_time(time_t t, char buf[CLOCK_TEXT_SIZE])
{
	if (!clock_format(t, CLOCK_ISO, buf))
		strcpy(buf, "1970-01-01T00:00:00Z");
}

/* Exactly what iso_time writes, so that a loaded record dumps back to the
 * same text. */
bool
iv_parse_iso_time(const char *s, time_t *out)
{
	return s != NULL && clock_parse_iso(s, strlen(s), out);
}

/* ---- evaluation ------------------------------------------------------- */

/* jr:choice-name() for the environment: slot q is question q; the label is
 * in the interview's current language (falling back as form labels do). */
static const char *
choice_label_of(const void *ctx, int q, const char *value, size_t len)
{
	const struct interview *iv = ctx;
	int list = q >= 0 ? form_question_choices(iv->f, (size_t)q) : -1;
	int i = list >= 0 ? form_choice_find(iv->f, (size_t)list, value, len) : -1;

	return i >= 0 ? form_choice_label(iv->f, (size_t)list, (size_t)i, iv->lang) : NULL;
}

struct expr_env
iv_env(const struct interview *iv)
{
	struct expr_env env;

	memset(&env, 0, sizeof env);
	env.values = iv->values;
	env.states = iv->states;
	env.fired = iv->fired;
	env.nfired = iv->ni;
	env.dot.kind = EXPR_V_EMPTY;
	env.today = iv->today;
	env.choice_label = choice_label_of;
	env.choice_ctx = iv;
	return env;
}

struct expr_value
iv_value(const struct interview *iv, size_t q, const struct answer *a)
{
	struct expr_value v = {EXPR_V_EMPTY, 0, NULL, 0};
	enum form_qtype t = form_question_type(iv->f, q);

	if (a->kind != IV_VALUE)
		return v;
	if (t == FORM_INTEGER || t == FORM_DECIMAL) {
		v.kind = EXPR_V_NUMBER;
		v.num = a->num;
	} else {
		v.kind = EXPR_V_STRING;
		v.str = a->text;
		v.len = a->len;
	}
	return v;
}

static void
set_today(struct interview *iv)
{
	clock_local_day(clock_now(), iv->today);
}

/*
 * Computes calculate question q (when relevant) into iv->calc[q] and its
 * expression slot. The value is text, as in ODK: a number is written as
 * people read it ("3", "2.5"), a condition as "true" or "false"; empty
 * text, NaN and infinities leave it empty. Memory running out leaves it
 * empty too: iv_update() cannot fail, and an empty value is what every
 * expression already handles.
 */
static void
calculate(struct interview *iv, size_t q, bool relevant, const struct expr_env *env)
{
	struct answer *c = &iv->calc[q];
	struct expr_value v = {EXPR_V_EMPTY, 0, NULL, 0};
	const char *text = NULL;
	char numbuf[32];
	size_t len;

	if (relevant)
		v = expr_eval(form_question_calculation(iv->f, q), env);
	switch (v.kind) {
	case EXPR_V_EMPTY:
		break;
	case EXPR_V_BOOL:
		text = v.num != 0 ? "true" : "false";
		break;
	case EXPR_V_NUMBER:
		if (isfinite(v.num))
			text = expr_format_number(v.num, numbuf);
		break;
	case EXPR_V_STRING:
		text = v.str;
		break;
	}
	len = text ? strlen(text) : 0;
	if (len == 0) {
		iv_answer_wipe(c);
	} else if (c->kind != IV_VALUE || c->len != len || memcmp(c->text, text, len) != 0) {
		iv_answer_wipe(c);
		if ((c->text = malloc(len + 1)) != NULL) {
			memcpy(c->text, text, len + 1);
			c->len = len;
			c->kind = IV_VALUE;
		}
	}
	if (c->kind == IV_VALUE) {
		iv->values[q].kind = EXPR_V_STRING;
		iv->values[q].str = c->text;
		iv->values[q].len = c->len;
		iv->states[q] = EXPR_A_VALUE;
	}
}

/*
 * Recomputes relevance (in the form's dependency order, so each condition
 * sees final values), the effective value of every question (empty when not
 * relevant), the indicators and the outcome. Linear in the size of the
 * form's expressions: this runs after every answer.
 */
void
iv_update(struct interview *iv)
{
	const struct form *f = iv->f;
	struct expr_env env;
	const int *order;
	size_t n = form_eval_order(f, &order);
	bool consented;

	set_today(iv);
	for (size_t q = 0; q < iv->nq; q++) {
		iv->values[q].kind = EXPR_V_EMPTY;
		iv->states[q] = EXPR_A_NONE;
	}
	memset(iv->fired, -1, iv->ni);
	memset(iv->raised, 0, form_flag_count(f) * sizeof *iv->raised);
	env = iv_env(iv);
	for (size_t i = 0; i < n; i++) {
		if (order[i] < 0) {
			size_t s = (size_t)(-order[i] - 1);
			const struct expr *rel = form_section_relevant(f, s);

			iv->srel[s] = rel == NULL || expr_eval_bool(rel, &env);
		} else {
			size_t q = (size_t)order[i];
			const struct expr *rel = form_question_relevant(f, q);

			iv->qrel[q] = iv->srel[form_question_section(f, q)] &&
			    (rel == NULL || expr_eval_bool(rel, &env));
			if (form_question_type(f, q) == FORM_CALCULATE) {
				calculate(iv, q, iv->qrel[q], &env);
				iv->qrel[q] = false;    /* never shown, never asked */
			} else if (iv->qrel[q]) {
				iv->values[q] = iv_value(iv, q, &iv->answers[q]);
				iv->states[q] = (unsigned char)iv->answers[q].kind;
			}
		}
	}
	iv->outcome = -1;
	consented = interview_consent(iv, FORM_CONSENT_INTERVIEW) == IV_CONSENT_YES;
	/* Without interview consent an ended interview has no findings: the few
	 * answers kept are for statistics only. */
	if (iv->state == IV_ENDED && !consented)
		return;
	for (size_t i = 0; i < iv->ni; i++)
		if (expr_eval_bool(form_indicator_when(f, i), &env))
			iv->fired[i] = (signed char)form_indicator_level(f, i);
	for (size_t o = 0; o < form_outcome_count(f); o++)
		if (expr_eval_bool(form_outcome_when(f, o), &env)) {
			iv->outcome = (int)o;
			break;
		}
	for (size_t i = 0; i < form_flag_count(f); i++)
		iv->raised[i] = expr_eval_bool(form_flag_when(f, i), &env);
}

/* ---- lifecycle -------------------------------------------------------- */

void
iv_answer_wipe(struct answer *a)
{
	if (a->text) {
		explicit_bzero(a->text, a->len);
		free(a->text);
	}
	memset(a, 0, sizeof *a);
}

void
interview_free(struct interview *iv)
{
	if (iv == NULL)
		return;
	for (size_t q = 0; q < iv->nq; q++) {
		iv_answer_wipe(&iv->answers[q]);
		if (iv->calc)
			iv_answer_wipe(&iv->calc[q]);
	}
	free(iv->answers);
	free(iv->calc);
	free(iv->values);
	free(iv->states);
	free(iv->qrel);
	free(iv->srel);
	free(iv->fired);
	free(iv->raised);
	explicit_bzero(iv, sizeof *iv);
	free(iv);
}

struct interview *
iv_alloc(const struct form *f)
{
	struct interview *iv = calloc(1, sizeof *iv);

	if (iv == NULL)
		return NULL;
	iv->f = f;
	iv->nq = form_question_count(f);
	iv->ns = form_section_count(f);
	iv->ni = form_indicator_count(f);
	iv->answers = calloc(iv->nq + 1, sizeof *iv->answers);
	iv->calc = calloc(iv->nq + 1, sizeof *iv->calc);
	iv->values = calloc(iv->nq + 1, sizeof *iv->values);
	iv->states = calloc(iv->nq + 1, 1);
	iv->qrel = calloc(iv->nq + 1, sizeof *iv->qrel);
	iv->srel = calloc(iv->ns + 1, sizeof *iv->srel);
	iv->fired = calloc(iv->ni + 1, 1);
	iv->raised = calloc(form_flag_count(f) + 1, sizeof *iv->raised);
	if (!iv->answers || !iv->calc || !iv->values || !iv->states || !iv->qrel || !iv->srel || !iv->fired ||
	    !iv->raised) {
		interview_free(iv);
		return NULL;
	}
	iv->outcome = -1;
	return iv;
}

size_t
iv_next_relevant(const struct interview *iv, size_t from)
{
	size_t q = from;

	while (q < iv->nq && !iv->qrel[q])
		q++;
	return q;
}

enum status
interview_start(const struct form *f, const char *lang, struct interview **out)
{
	struct interview *iv;
	int li = lang ? form_lang_find(f, lang) : 0;

	*out = NULL;
	if (li < 0)
		return ST_NOTFOUND;
	iv = iv_alloc(f);
	if (iv == NULL)
		return ST_NOMEM;
	iv->lang = (size_t)li;
	iv->started = clock_now();
	iv_update(iv);
	iv->cursor = iv_next_relevant(iv, 0);
	*out = iv;
	return ST_OK;
}

const struct form *interview_form(const struct interview *iv) { return iv->f; }
enum iv_state interview_state(const struct interview *iv) { return iv->state; }

const char *
interview_status(const struct interview *iv)
{
	switch (iv->state) {
	case IV_IN_PROGRESS: return "draft";
	case IV_FINISHED: return iv->amended ? "amended" : "final";
	case IV_ENDED: return "ended";
	}
	return "draft";
}

size_t interview_lang(const struct interview *iv) { return iv->lang; }

enum status
interview_set_lang(struct interview *iv, const char *code)
{
	int li = code ? form_lang_find(iv->f, code) : -1;

	if (li < 0)
		return ST_NOTFOUND;
	iv->lang = (size_t)li;
	iv_update(iv);     /* calculations with jr:choice-name() follow the language */
	return ST_OK;
}

enum status
interview_set_msg_lang(struct interview *iv, const char *code)
{
	size_t n = code ? strlen(code) : 0;

	if (n >= sizeof iv->msg_lang)
		return ST_INVALID;
	memcpy(iv->msg_lang, n ? code : "", n + 1);
	return ST_OK;
}

size_t
interview_guide_lang(const struct interview *iv)
{
	return iv->msg_lang[0] ? form_lang_match(iv->f, iv->msg_lang) : iv->lang;
}

enum status
interview_set_record_id(struct interview *iv, const char *hex)
{
	size_t n = strlen(hex);

	if (n > IV_RECORD_ID_MAX || strspn(hex, "0123456789abcdef") != n)
		return ST_INVALID;
	memcpy(iv->record_id, hex, n + 1);
	return ST_OK;
}

const char *interview_record_id(const struct interview *iv) { return iv->record_id; }

enum status
interview_set_interviewer(struct interview *iv, const char *name)
{
	size_t n = strlen(name);

	if (n > IV_INTERVIEWER_MAX || u8_check((const uint8_t *)name, n) != NULL)
		return ST_INVALID;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7F)
			return ST_INVALID;
	memcpy(iv->interviewer, name, n + 1);
	return ST_OK;
}

const char *interview_interviewer(const struct interview *iv) { return iv->interviewer; }
void interview_set_training(struct interview *iv, bool t) { iv->training = t; }
bool interview_training(const struct interview *iv) { return iv->training; }
time_t interview_started(const struct interview *iv) { return iv->started; }
time_t interview_ended(const struct interview *iv) { return iv->ended; }

/* ---- position --------------------------------------------------------- */

int
interview_current(const struct interview *iv)
{
	return iv->cursor < iv->nq ? (int)iv->cursor : -1;
}

bool
interview_at_end(const struct interview *iv)
{
	return iv->cursor >= iv->nq;
}

bool
interview_view(const struct interview *iv, struct iv_view *v)
{
	const struct form *f = iv->f;
	size_t q = iv->cursor;

	memset(v, 0, sizeof *v);
	if (q >= iv->nq)
		return false;
	v->question = q;
	v->section = form_question_section(f, q);
	v->id = form_question_id(f, q);
	v->type = form_question_type(f, q);
	v->label = form_question_label(f, q, v->type == FORM_NOTE ? interview_guide_lang(iv) :
	    iv->lang);
	v->hint = form_question_hint(f, q, interview_guide_lang(iv));
	v->section_title = form_section_title(f, v->section, interview_guide_lang(iv));
	v->required = form_question_required(f, q);
	v->list = form_question_choices(f, q);
	v->nchoices = v->list >= 0 ? form_choice_count(f, (size_t)v->list) : 0;
	v->max_length = form_question_max_length(f, q);
	v->answer = iv->answers[q].kind;
	v->value = iv->answers[q].kind == IV_VALUE ? iv->answers[q].text : NULL;
	return true;
}

static bool
needs_answer(const struct interview *iv, size_t q)
{
	return iv->qrel[q] && form_question_required(iv->f, q) &&
	    form_question_type(iv->f, q) != FORM_NOTE && iv->answers[q].kind == IV_NONE;
}

enum status
interview_next(struct interview *iv)
{
	iv->error[0] = '\0';
	if (iv->cursor >= iv->nq)
		return ST_NOTFOUND;
	if (iv->state == IV_IN_PROGRESS && needs_answer(iv, iv->cursor)) {
		set_error(iv, IV_MSG_REQUIRED, 0, 0, NULL);
		return ST_INVALID;
	}
	iv->cursor = iv_next_relevant(iv, iv->cursor + 1);
	return ST_OK;
}

enum status
interview_prev(struct interview *iv)
{
	size_t q = iv->cursor;

	iv->error[0] = '\0';
	while (q > 0) {
		q--;
		if (iv->qrel[q]) {
			iv->cursor = q;
			return ST_OK;
		}
	}
	return ST_NOTFOUND;
}

enum status
interview_goto(struct interview *iv, size_t q)
{
	iv->error[0] = '\0';
	if (q >= iv->nq || !iv->qrel[q])
		return ST_NOTFOUND;
	iv->cursor = q;
	return ST_OK;
}

enum status
interview_goto_section(struct interview *iv, size_t s)
{
	size_t first, end;

	iv->error[0] = '\0';
	if (s >= iv->ns || !iv->srel[s])
		return ST_NOTFOUND;
	first = form_section_first(iv->f, s);
	end = first + form_section_size(iv->f, s);
	for (size_t q = first; q < end; q++)
		if (iv->qrel[q]) {
			iv->cursor = q;
			return ST_OK;
		}
	return ST_NOTFOUND;
}

/* ---- answer parsing --------------------------------------------------- */

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copies at most VALUE_SHOWN characters of s (for quoting back). */
static void
shown_value(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0, chars = 0;

	for (size_t i = 0; i < len && o + 4 < size; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > VALUE_SHOWN)
			break;
		buf[o++] = s[i];
	}
	buf[o] = '\0';
}

/* Number syntax: integer = [+-]digits; decimal also allows one '.' with
 * digits on at least one side. At most MAX_DIGITS digits. Returns the msg
 * to show, or -1 when fine. */
static int
parse_number(const char *s, size_t len, bool decimal, double *out)
{
	size_t i = 0, digits = 0, dots = 0;
	bool neg = false;

	if (i < len && (s[i] == '+' || s[i] == '-')) {
		neg = s[i] == '-';
		i++;
	}
	for (size_t k = i; k < len; k++) {
		if (s[k] >= '0' && s[k] <= '9')
			digits++;
		else if (s[k] == '.' && decimal)
			dots++;
		else
			return decimal ? IV_MSG_NOT_DECIMAL : IV_MSG_NOT_INTEGER;
	}
	if (digits == 0 || dots > 1)
		return decimal ? IV_MSG_NOT_DECIMAL : IV_MSG_NOT_INTEGER;
	if (digits > MAX_DIGITS)
		return IV_MSG_NUMBER_TOO_LONG;
	*out = expr_parse_number(s + i, len - i);
	if (isnan(*out))
		return decimal ? IV_MSG_NOT_DECIMAL : IV_MSG_NOT_INTEGER;
	if (neg)
		*out = -*out;
	if (*out == 0)
		*out = 0;       /* no "-0" */
	return -1;
}

/* A text answer may hold tab and newline, nothing else textcheck.h names:
 * an answer is shown on screens, printed by the command line and exported,
 * and must not move the cursor, change the terminal or reorder what is
 * shown around it. */
static bool
text_ok(const uint8_t *s, size_t len)
{
	return textcheck_ok((const char *)s, len, TEXTCHECK_TAB | TEXTCHECK_NEWLINE);
}

/* Splits a select_multiple answer on spaces and commas; returns the
 * canonical text (values in list order, once each) or sets an error. */
static int
parse_multi(const struct interview *iv, size_t list, const char *s, size_t len,
    char **out, char *bad, size_t badsize)
{
	const struct form *f = iv->f;
	size_t n = form_choice_count(f, list), total = 0, o = 0;
	bool *chosen = calloc(n + 1, sizeof *chosen);
	char *text;

	*out = NULL;
	if (chosen == NULL)
		return -2;
	for (size_t i = 0; i < len; ) {
		size_t j;
		int c;

		while (i < len && (s[i] == ' ' || s[i] == ',' || is_ws(s[i])))
			i++;
		j = i;
		while (j < len && !(s[j] == ' ' || s[j] == ',' || is_ws(s[j])))
			j++;
		if (j == i)
			break;
		c = form_choice_find(f, list, s + i, j - i);
		if (c < 0) {
			shown_value(s + i, j - i, bad, badsize);
			free(chosen);
			return IV_MSG_NOT_CHOICE;
		}
		chosen[c] = true;
		i = j;
	}
	for (size_t c = 0; c < n; c++)
		if (chosen[c])
			total += strlen(form_choice_value(f, list, c)) + 1;
	text = malloc(total + 1);
	if (text == NULL) {
		free(chosen);
		return -2;
	}
	for (size_t c = 0; c < n; c++)
		if (chosen[c]) {
			const char *v = form_choice_value(f, list, c);
			size_t l = strlen(v);

			if (o)
				text[o++] = ' ';
			memcpy(text + o, v, l);
			o += l;
		}
	text[o] = '\0';
	free(chosen);
	*out = text;
	return -1;
}

/*
 * Parses `text` as an answer to q into *a (canonical text, number). On
 * P_ERROR the message, in language row `row`, is in err.
 */
enum parse_result
iv_parse_answer(const struct interview *iv, size_t q, const char *text, size_t row,
    struct answer *a, char *err, size_t errsize)
{
	const struct form *f = iv->f;
	enum form_qtype t = form_question_type(f, q);
	size_t len = strlen(text), b = 0;
	char bad[4 * VALUE_SHOWN + 8];
	char numbuf[32];
	int m = -1;
	int list = form_question_choices(f, q);

	memset(a, 0, sizeof *a);
	if (t == FORM_CALCULATE) {
		snprintf(err, errsize, "This value is computed from other answers; it takes no answer.");
		return P_ERROR;
	}
	if (t == FORM_NOTE) {
		interview_text_fill(err, errsize, row, IV_MSG_NOTE, 0, 0, NULL);
		return P_ERROR;
	}
	if (u8_check((const uint8_t *)text, len) != NULL) {
		interview_text_fill(err, errsize, row, IV_MSG_BAD_TEXT, 0, 0, NULL);
		return P_ERROR;
	}
	while (b < len && is_ws(text[b]))
		b++;
	while (len > b && is_ws(text[len - 1]))
		len--;
	text += b;
	len -= b;
	if (len == 0)
		return P_CLEAR;
	bad[0] = '\0';
	switch (t) {
	case FORM_INTEGER:
	case FORM_DECIMAL:
		m = parse_number(text, len, t == FORM_DECIMAL, &a->num);
		if (m < 0) {
			a->text = strdup(expr_format_number(a->num, numbuf));
			if (a->text == NULL)
				return P_NOMEM;
		}
		break;
	case FORM_DATE:
		if (!clock_parse_day(text, len, NULL))
			m = IV_MSG_NOT_DATE;
		else if ((a->text = strndup(text, len)) == NULL)
			return P_NOMEM;
		break;
	case FORM_YES_NO:
		if (len == 3 && strncasecmp(text, "yes", 3) == 0)
			a->text = strdup("yes");
		else if (len == 2 && strncasecmp(text, "no", 2) == 0)
			a->text = strdup("no");
		else {
			m = IV_MSG_NOT_YES_NO;
			break;
		}
		if (a->text == NULL)
			return P_NOMEM;
		break;
	case FORM_SELECT_ONE: {
		int c;

		if (strcspn(text, " ,\t\n") < len) {
			m = IV_MSG_ONE_CHOICE;
			break;
		}
		c = form_choice_find(f, (size_t)list, text, len);
		if (c < 0) {
			shown_value(text, len, bad, sizeof bad);
			m = IV_MSG_NOT_CHOICE;
			break;
		}
		if ((a->text = strdup(form_choice_value(f, (size_t)list, (size_t)c))) == NULL)
			return P_NOMEM;
		break;
	}
	case FORM_SELECT_MULTIPLE:
		m = parse_multi(iv, (size_t)list, text, len, &a->text, bad, sizeof bad);
		if (m == -2)
			return P_NOMEM;
		if (m < 0 && a->text[0] == '\0') {
			free(a->text);
			a->text = NULL;
			return P_CLEAR;
		}
		break;
	case FORM_TEXT: {
		/* NFC grows UTF-8 at most threefold (UAX #15): given that much
		 * room, u8_normalize writes into our buffer and never frees a
		 * grown copy of the answer without wiping it. */
		size_t cap = 3 * len + 1, nlen = cap - 1, chars, max = form_question_max_length(f, q);
		uint8_t *norm, *res;

		if (!text_ok((const uint8_t *)text, len)) {
			m = IV_MSG_BAD_TEXT;
			break;
		}
		if (len > SIZE_MAX / 3 - 1 || (norm = malloc(cap)) == NULL)
			return P_NOMEM;
		res = u8_normalize(UNINORM_NFC, (const uint8_t *)text, len, norm, &nlen);
		if (res != norm) {
			if (res != NULL) {
				explicit_bzero(res, nlen);
				free(res);
			}
			explicit_bzero(norm, cap);
			free(norm);
			return P_NOMEM;
		}
		chars = u8_mbsnlen(norm, nlen);
		if (max > 0 && chars > max) {
			explicit_bzero(norm, cap);
			free(norm);
			interview_text_fill(err, errsize, row, IV_MSG_TOO_LONG, chars, max, NULL);
			return P_ERROR;
		}
		a->text = malloc(nlen + 1);
		if (a->text == NULL) {
			explicit_bzero(norm, cap);
			free(norm);
			return P_NOMEM;
		}
		memcpy(a->text, norm, nlen);
		a->text[nlen] = '\0';
		explicit_bzero(norm, cap);
		free(norm);
		break;
	}
	case FORM_NOTE:
	case FORM_CALCULATE:
		break;
	}
	if (m >= 0) {
		iv_answer_wipe(a);
		interview_text_fill(err, errsize, row, (enum iv_msg)m, 0, 0, bad);
		explicit_bzero(bad, sizeof bad);
		return P_ERROR;
	}
	a->kind = IV_VALUE;
	a->len = strlen(a->text);
	return P_OK;
}

/* ---- answering -------------------------------------------------------- */

static bool
is_interview_consent(const struct interview *iv, size_t q)
{
	return form_question_consent(iv->f, q) == FORM_CONSENT_INTERVIEW;
}

/* Ends the interview. Without interview consent only answers marked
 * keep_without_consent and the consent answer itself survive. */
static void
end_interview(struct interview *iv, const char *reason, bool keep_all)
{
	if (!keep_all)
		for (size_t q = 0; q < iv->nq; q++)
			if (!form_question_keep_without_consent(iv->f, q) && !is_interview_consent(iv, q))
				iv_answer_wipe(&iv->answers[q]);
	iv->state = IV_ENDED;
	iv->ended = clock_now();
	snprintf(iv->reason, sizeof iv->reason, "%s", reason);
	iv->cursor = iv->nq;
	iv_update(iv);
}

/* Stores a parsed answer and applies what it implies. */
static void
store(struct interview *iv, size_t q, struct answer *a)
{
	iv_answer_wipe(&iv->answers[q]);
	iv->answers[q] = *a;
	memset(a, 0, sizeof *a);
	iv_update(iv);
	if (is_interview_consent(iv, q) &&
	    interview_consent(iv, FORM_CONSENT_INTERVIEW) == IV_CONSENT_NO)
		end_interview(iv, IV_REASON_CONSENT_REFUSED, false);
}

/* True (with the message set) when answers can no longer change. */
static bool
closed(struct interview *iv)
{
	iv->error[0] = '\0';
	if (iv->state != IV_IN_PROGRESS) {
		set_error(iv, IV_MSG_CLOSED, 0, 0, NULL);
		return true;
	}
	return false;
}

static bool
check_open(struct interview *iv, size_t q)
{
	return !closed(iv) && q < iv->nq;
}

enum status
interview_set(struct interview *iv, size_t q, const char *text)
{
	struct answer a;
	const struct expr *cons;

	if (!check_open(iv, q))
		return ST_INVALID;
	switch (iv_parse_answer(iv, q, text, iv_msg_row(iv), &a,
	    iv->error, sizeof iv->error)) {
	case P_NOMEM:
		return ST_NOMEM;
	case P_ERROR:
		return ST_INVALID;
	case P_CLEAR:
		return interview_clear(iv, q);
	case P_OK:
		break;
	}
	cons = form_question_constraint(iv->f, q);
	if (cons != NULL) {
		struct expr_env env = iv_env(iv);

		env.dot = iv_value(iv, q, &a);
		if (!expr_eval_bool(cons, &env)) {
			const char *m = form_question_constraint_message(iv->f, q,
			    interview_guide_lang(iv));

			iv_answer_wipe(&a);
			if (m)
				snprintf(iv->error, sizeof iv->error, "%s", m);
			else
				set_error(iv, IV_MSG_CONSTRAINT, 0, 0, NULL);
			return ST_INVALID;
		}
	}
	store(iv, q, &a);
	return ST_OK;
}

enum status
interview_set_special(struct interview *iv, size_t q, enum iv_answer_kind kind)
{
	struct answer a;

	if (!check_open(iv, q) || (kind != IV_DECLINED && kind != IV_DONT_KNOW))
		return ST_INVALID;
	if (form_question_type(iv->f, q) == FORM_NOTE) {
		set_error(iv, IV_MSG_NOTE, 0, 0, NULL);
		return ST_INVALID;
	}
	memset(&a, 0, sizeof a);
	a.kind = kind;
	store(iv, q, &a);
	return ST_OK;
}

enum status
interview_clear(struct interview *iv, size_t q)
{
	if (!check_open(iv, q))
		return ST_INVALID;
	iv_answer_wipe(&iv->answers[q]);
	iv_update(iv);
	return ST_OK;
}

enum status
interview_answer(struct interview *iv, const char *text)
{
	if (iv->cursor >= iv->nq) {
		iv->error[0] = '\0';
		return ST_NOTFOUND;
	}
	return interview_set(iv, iv->cursor, text);
}

enum status
interview_answer_special(struct interview *iv, enum iv_answer_kind kind)
{
	if (iv->cursor >= iv->nq) {
		iv->error[0] = '\0';
		return ST_NOTFOUND;
	}
	return interview_set_special(iv, iv->cursor, kind);
}

enum status
interview_answer_id(struct interview *iv, const char *qid, const char *text)
{
	int q = form_question_find(iv->f, qid);

	if (q < 0)
		return ST_NOTFOUND;
	return interview_set(iv, (size_t)q, text);
}

/* ---- reading ---------------------------------------------------------- */

enum iv_answer_kind
interview_answer_kind(const struct interview *iv, size_t q)
{
	return q < iv->nq ? iv->answers[q].kind : IV_NONE;
}

const char *
interview_answer_text(const struct interview *iv, size_t q)
{
	return q < iv->nq && iv->answers[q].kind == IV_VALUE ? iv->answers[q].text : NULL;
}

const char *
interview_calculated(const struct interview *iv, size_t q)
{
	return q < iv->nq && iv->calc[q].kind == IV_VALUE ? iv->calc[q].text : NULL;
}

bool
interview_is_selected(const struct interview *iv, size_t q, const char *value)
{
	const char *s = interview_answer_text(iv, q);
	size_t vl = strlen(value);

	while (s && *s) {
		size_t n = strcspn(s, " ");

		if (n == vl && memcmp(s, value, n) == 0)
			return true;
		s += n;
		while (*s == ' ')
			s++;
	}
	return false;
}

bool
interview_is_relevant(const struct interview *iv, size_t q)
{
	return q < iv->nq && iv->qrel[q];
}

bool
interview_section_relevant(const struct interview *iv, size_t s)
{
	return s < iv->ns && iv->srel[s];
}

void
interview_progress(const struct interview *iv, size_t *answered, size_t *total)
{
	size_t a = 0, t = 0;

	for (size_t q = 0; q < iv->nq; q++) {
		if (!iv->qrel[q] || form_question_type(iv->f, q) == FORM_NOTE)
			continue;
		t++;
		if (iv->answers[q].kind != IV_NONE)
			a++;
	}
	*answered = a;
	*total = t;
}

bool
interview_indicator_fired(const struct interview *iv, size_t i)
{
	return i < iv->ni && iv->fired[i] >= 0;
}

bool
interview_flag_raised(const struct interview *iv, size_t i)
{
	return i < form_flag_count(iv->f) && iv->raised[i];
}

size_t
interview_flags_raised(const struct interview *iv)
{
	size_t n = 0;

	for (size_t i = 0; i < form_flag_count(iv->f); i++)
		n += iv->raised[i];
	return n;
}

size_t
interview_fired_count(const struct interview *iv)
{
	size_t n = 0;

	for (size_t i = 0; i < iv->ni; i++)
		n += iv->fired[i] >= 0;
	return n;
}

/*
 * Whether the answer in slot q made indicator rule `when` true: the rule
 * fails without it, or holds on it alone (every other answer the rule
 * refers to taken away). The first catches an answer a rule needs, the
 * second one of several that each suffice. vals and sts are scratch copies
 * of the interview's, restored before returning.
 */
static bool
answer_made_true(const struct interview *iv, const struct expr *when, const int *slots,
    size_t n, int q, struct expr_value *vals, unsigned char *sts)
{
	static const struct expr_value empty = {EXPR_V_EMPTY, 0, NULL, 0};
	struct expr_env env = iv_env(iv);
	bool without, alone;

	env.values = vals;
	env.states = sts;
	vals[q] = empty;
	sts[q] = EXPR_A_NONE;
	without = expr_eval_bool(when, &env);
	vals[q] = iv->values[q];
	sts[q] = iv->states[q];
	if (!without)
		return true;
	for (size_t k = 0; k < n; k++)
		if (slots[k] != q) {
			vals[slots[k]] = empty;
			sts[slots[k]] = EXPR_A_NONE;
		}
	alone = expr_eval_bool(when, &env);
	for (size_t k = 0; k < n; k++) {
		vals[slots[k]] = iv->values[slots[k]];
		sts[slots[k]] = iv->states[slots[k]];
	}
	return alone;
}

size_t
interview_indicator_answers(const struct interview *iv, size_t i, size_t *qs, size_t max)
{
	const struct expr *when;
	const int *slots;
	struct expr_value *vals = NULL;
	unsigned char *sts = NULL;
	size_t n, count = 0;
	bool fired;

	if (i >= iv->ni)
		return 0;
	when = form_indicator_when(iv->f, i);
	n = expr_refs(when, &slots);
	/* Only a rule that holds has answers that made it true; without
	 * memory for the scratch copies, every answer it refers to is given. */
	fired = iv->fired[i] >= 0;
	if (fired && (vals = malloc(iv->nq * sizeof *vals)) != NULL &&
	    (sts = malloc(iv->nq)) != NULL) {
		memcpy(vals, iv->values, iv->nq * sizeof *vals);
		memcpy(sts, iv->states, iv->nq);
	}
	for (size_t k = 0; k < n; k++) {
		if (iv->states[slots[k]] == EXPR_A_NONE)
			continue;
		if (sts != NULL && !answer_made_true(iv, when, slots, n, slots[k], vals, sts))
			continue;
		if (count < max)
			qs[count] = (size_t)slots[k];
		count++;
	}
	if (vals != NULL)
		explicit_bzero(vals, iv->nq * sizeof *vals);
	free(vals);
	free(sts);
	return count;
}

int
interview_outcome(const struct interview *iv)
{
	return iv->outcome;
}

enum iv_consent
interview_consent(const struct interview *iv, enum form_consent kind)
{
	int q = form_consent_question(iv->f, kind);
	const struct answer *a;

	if (q < 0)
		return IV_CONSENT_UNKNOWN;
	a = &iv->answers[q];
	if (a->kind == IV_NONE)
		return IV_CONSENT_UNKNOWN;
	if (a->kind == IV_VALUE && strcmp(a->text, "yes") == 0)
		return IV_CONSENT_YES;
	return IV_CONSENT_NO;
}

/* ---- ending ----------------------------------------------------------- */

enum status
interview_finish(struct interview *iv)
{
	int cq = form_consent_question(iv->f, FORM_CONSENT_INTERVIEW);

	if (closed(iv))
		return ST_INVALID;
	if (cq >= 0 && iv->qrel[cq] &&
	    interview_consent(iv, FORM_CONSENT_INTERVIEW) != IV_CONSENT_YES) {
		iv->cursor = (size_t)cq;
		set_error(iv, IV_MSG_CONSENT_NEEDED, 0, 0, NULL);
		return ST_INVALID;
	}
	for (size_t q = 0; q < iv->nq; q++)
		if (needs_answer(iv, q)) {
			iv->cursor = q;
			set_error(iv, IV_MSG_REQUIRED, 0, 0, NULL);
			return ST_INVALID;
		}
	for (size_t q = 0; q < iv->nq; q++)
		if (!iv->qrel[q])
			iv_answer_wipe(&iv->answers[q]);
	iv->state = IV_FINISHED;
	iv->ended = clock_now();
	iv->cursor = iv->nq;
	iv_update(iv);
	return ST_OK;
}

bool
iv_valid_reason(const char *r)
{
	size_t n = strlen(r);

	return n > 0 && n <= IV_REASON_MAX && strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

enum status
interview_stop(struct interview *iv, const char *reason)
{
	if (!iv_valid_reason(reason))
		return ST_INVALID;
	if (closed(iv))
		return ST_INVALID;
	end_interview(iv, reason, interview_consent(iv, FORM_CONSENT_INTERVIEW) == IV_CONSENT_YES);
	return ST_OK;
}

const char *interview_end_reason(const struct interview *iv) { return iv->reason; }

enum status
interview_reopen(struct interview *iv)
{
	if (iv->state != IV_FINISHED)
		return ST_INVALID;
	iv->state = IV_IN_PROGRESS;
	iv->amended = true;
	iv->ended = 0;
	iv_update(iv);
	iv->cursor = iv_next_relevant(iv, 0);
	return ST_OK;
}
