/* interview.c — the interview engine: the walk through a form, answer
 * validation, indicators, outcome, and the record and summary JSON. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uninorm.h>
#include <unistr.h>

#include "interview.h"
#include "clock.h"
#include "textcheck.h"

#define MAX_DIGITS 15           /* numbers stay exact as doubles */
#define VALUE_SHOWN 40          /* characters of a bad value quoted back */

struct answer {
	enum iv_answer_kind kind;
	char *text;                 /* IV_VALUE: canonical text */
	size_t len;
	double num;                 /* integer and decimal */
};

struct interview {
	const struct form *f;
	size_t nq, ns, ni;
	size_t lang;
	struct answer *answers;
	/* Values of calculate questions, recomputed by update(); never in
	 * answers[], so nothing that reads answers (screens, progress, finish)
	 * sees them. */
	struct answer *calc;
	/* evaluation state, rebuilt by update() after every change */
	struct expr_value *values;
	unsigned char *states;
	bool *qrel;
	bool *srel;
	signed char *fired;
	int outcome;
	size_t cursor;              /* question index; nq = the end */
	enum iv_state state;
	bool amended;
	bool training;
	time_t started, ended;
	char record_id[IV_RECORD_ID_MAX + 1];
	char interviewer[IV_INTERVIEWER_MAX + 1];
	char reason[IV_REASON_MAX + 1];
	char today[CLOCK_TEXT_SIZE];
	char error[512];
};

/* ---- engine texts ----------------------------------------------------- */

static const char *const msg_langs[] = {"en", "lo", "th", "zh"};

static const char *const msgs[][IV_MSG__COUNT] = {
	{
		[IV_MSG_REQUIRED] = "An answer is needed. If the respondent will not or cannot answer, mark it declined or don't know.",
		[IV_MSG_NOT_INTEGER] = "Enter a whole number, like 25.",
		[IV_MSG_NOT_DECIMAL] = "Enter a number, like 2.5.",
		[IV_MSG_NUMBER_TOO_LONG] = "That number is too long (at most 15 digits).",
		[IV_MSG_NOT_DATE] = "Enter a real date as YYYY-MM-DD, like 2024-03-15.",
		[IV_MSG_TOO_LONG] = "Too long: {n} characters. The limit is {max}.",
		[IV_MSG_NOT_CHOICE] = "'{value}' is not one of the choices.",
		[IV_MSG_ONE_CHOICE] = "Choose only one answer.",
		[IV_MSG_NOT_YES_NO] = "Answer yes or no.",
		[IV_MSG_CONSTRAINT] = "This answer is not accepted here. Check it with the respondent.",
		[IV_MSG_BAD_TEXT] = "The text contains a control character or invalid bytes. Retype it.",
		[IV_MSG_NOTE] = "This is a note; it takes no answer.",
		[IV_MSG_CLOSED] = "This interview is closed; its answers can no longer change.",
		[IV_MSG_CONSENT_NEEDED] = "The respondent has not agreed to the interview.",
		[IV_MSG_DECLINED] = "Declined",
		[IV_MSG_DONT_KNOW] = "Don't know",
	},
	/* Lao, Thai and Chinese are draft translations awaiting review by the
	 * translators of the bundled forms. */
	{
		[IV_MSG_REQUIRED] = "ຕ້ອງມີຄຳຕອບ. ຖ້າຜູ້ຕອບບໍ່ຢາກຕອບ ຫຼື ຕອບບໍ່ໄດ້, ໃຫ້ໝາຍວ່າ ປະຕິເສດ ຫຼື ບໍ່ຮູ້.",
		[IV_MSG_NOT_INTEGER] = "ກະລຸນາໃສ່ຕົວເລກຖ້ວນ, ເຊັ່ນ 25.",
		[IV_MSG_NOT_DECIMAL] = "ກະລຸນາໃສ່ຕົວເລກ, ເຊັ່ນ 2.5.",
		[IV_MSG_NUMBER_TOO_LONG] = "ຕົວເລກຍາວເກີນໄປ (ບໍ່ເກີນ 15 ຫຼັກ).",
		[IV_MSG_NOT_DATE] = "ກະລຸນາໃສ່ວັນທີທີ່ມີຢູ່ແທ້ ແບບ YYYY-MM-DD, ເຊັ່ນ 2024-03-15.",
		[IV_MSG_TOO_LONG] = "ຍາວເກີນໄປ: {n} ຕົວອັກສອນ. ສູງສຸດ {max}.",
		[IV_MSG_NOT_CHOICE] = "'{value}' ບໍ່ແມ່ນໜຶ່ງໃນຕົວເລືອກ.",
		[IV_MSG_ONE_CHOICE] = "ກະລຸນາເລືອກພຽງຄຳຕອບດຽວ.",
		[IV_MSG_NOT_YES_NO] = "ກະລຸນາຕອບ ແມ່ນ ຫຼື ບໍ່.",
		[IV_MSG_CONSTRAINT] = "ຄຳຕອບນີ້ບໍ່ຖືກຍອມຮັບ. ກະລຸນາກວດສອບກັບຜູ້ຕອບ.",
		[IV_MSG_BAD_TEXT] = "ຂໍ້ຄວາມມີຕົວອັກສອນຄວບຄຸມ ຫຼື ໄບທີ່ບໍ່ຖືກຕ້ອງ. ກະລຸນາພິມໃໝ່.",
		[IV_MSG_NOTE] = "ນີ້ແມ່ນໝາຍເຫດ; ບໍ່ຕ້ອງຕອບ.",
		[IV_MSG_CLOSED] = "ການສຳພາດນີ້ປິດແລ້ວ; ບໍ່ສາມາດປ່ຽນຄຳຕອບໄດ້.",
		[IV_MSG_CONSENT_NEEDED] = "ຜູ້ຕອບຍັງບໍ່ໄດ້ຕົກລົງໃຫ້ສຳພາດ.",
		[IV_MSG_DECLINED] = "ປະຕິເສດ",
		[IV_MSG_DONT_KNOW] = "ບໍ່ຮູ້",
	},
	{
		[IV_MSG_REQUIRED] = "ต้องมีคำตอบ หากผู้ตอบไม่ต้องการหรือไม่สามารถตอบได้ ให้บันทึกว่า ปฏิเสธ หรือ ไม่ทราบ",
		[IV_MSG_NOT_INTEGER] = "กรุณาใส่จำนวนเต็ม เช่น 25",
		[IV_MSG_NOT_DECIMAL] = "กรุณาใส่ตัวเลข เช่น 2.5",
		[IV_MSG_NUMBER_TOO_LONG] = "ตัวเลขยาวเกินไป (ไม่เกิน 15 หลัก)",
		[IV_MSG_NOT_DATE] = "กรุณาใส่วันที่ที่มีอยู่จริงในรูปแบบ YYYY-MM-DD เช่น 2024-03-15",
		[IV_MSG_TOO_LONG] = "ยาวเกินไป: {n} ตัวอักษร จำกัดไว้ที่ {max}",
		[IV_MSG_NOT_CHOICE] = "'{value}' ไม่ใช่ตัวเลือกที่มีให้",
		[IV_MSG_ONE_CHOICE] = "กรุณาเลือกคำตอบเดียว",
		[IV_MSG_NOT_YES_NO] = "กรุณาตอบ ใช่ หรือ ไม่ใช่",
		[IV_MSG_CONSTRAINT] = "ไม่สามารถรับคำตอบนี้ได้ กรุณาตรวจสอบกับผู้ตอบ",
		[IV_MSG_BAD_TEXT] = "ข้อความมีอักขระควบคุมหรือไบต์ที่ไม่ถูกต้อง กรุณาพิมพ์ใหม่",
		[IV_MSG_NOTE] = "นี่คือหมายเหตุ ไม่ต้องตอบ",
		[IV_MSG_CLOSED] = "การสัมภาษณ์นี้ปิดแล้ว ไม่สามารถเปลี่ยนคำตอบได้",
		[IV_MSG_CONSENT_NEEDED] = "ผู้ตอบยังไม่ได้ยินยอมให้สัมภาษณ์",
		[IV_MSG_DECLINED] = "ปฏิเสธ",
		[IV_MSG_DONT_KNOW] = "ไม่ทราบ",
	},
	{
		[IV_MSG_REQUIRED] = "需要回答。如果受访者不愿或无法回答，请标记为“拒绝回答”或“不知道”。",
		[IV_MSG_NOT_INTEGER] = "请输入整数，例如 25。",
		[IV_MSG_NOT_DECIMAL] = "请输入数字，例如 2.5。",
		[IV_MSG_NUMBER_TOO_LONG] = "数字太长（最多 15 位）。",
		[IV_MSG_NOT_DATE] = "请按 YYYY-MM-DD 格式输入真实日期，例如 2024-03-15。",
		[IV_MSG_TOO_LONG] = "太长：{n} 个字符。上限为 {max}。",
		[IV_MSG_NOT_CHOICE] = "“{value}”不是可选项之一。",
		[IV_MSG_ONE_CHOICE] = "只能选择一个答案。",
		[IV_MSG_NOT_YES_NO] = "请回答“是”或“否”。",
		[IV_MSG_CONSTRAINT] = "此答案不被接受。请与受访者核实。",
		[IV_MSG_BAD_TEXT] = "文本包含控制字符或无效字节。请重新输入。",
		[IV_MSG_NOTE] = "这是说明，无需回答。",
		[IV_MSG_CLOSED] = "此访谈已结束，答案不能再更改。",
		[IV_MSG_CONSENT_NEEDED] = "受访者尚未同意接受访谈。",
		[IV_MSG_DECLINED] = "拒绝回答",
		[IV_MSG_DONT_KNOW] = "不知道",
	},
};

/* Message table row for a language code: "lo" and "lo-LA" both find Lao;
 * languages without a row get English. */
static size_t
msg_row(const char *code)
{
	for (size_t i = 0; code && i < sizeof msg_langs / sizeof msg_langs[0]; i++) {
		size_t n = strlen(msg_langs[i]);

		if (strncmp(code, msg_langs[i], n) == 0 && (code[n] == '\0' || code[n] == '-'))
			return i;
	}
	return 0;
}

const char *
interview_msg(const struct interview *iv, enum iv_msg m)
{
	if ((unsigned)m >= IV_MSG__COUNT)
		return "";
	return msgs[msg_row(form_lang_code(iv->f, iv->lang))][m];
}

/* Writes template `m` of row `row` into buf, filling {n}, {max}, {value}. */
static void
fill_msg(char *buf, size_t size, size_t row, enum iv_msg m, size_t n, size_t max,
    const char *value)
{
	const char *t = msgs[row][m];
	size_t o = 0;

	while (*t && o + 1 < size) {
		char num[32];
		const char *sub = NULL;
		size_t skip = 0;

		if (strncmp(t, "{n}", 3) == 0) {
			snprintf(num, sizeof num, "%zu", n);
			sub = num;
			skip = 3;
		} else if (strncmp(t, "{max}", 5) == 0) {
			snprintf(num, sizeof num, "%zu", max);
			sub = num;
			skip = 5;
		} else if (strncmp(t, "{value}", 7) == 0) {
			sub = value ? value : "";
			skip = 7;
		}
		if (sub) {
			size_t l = strlen(sub);

			if (l > size - 1 - o)
				l = size - 1 - o;
			memcpy(buf + o, sub, l);
			o += l;
			t += skip;
		} else {
			buf[o++] = *t++;
		}
	}
	buf[o] = '\0';
}

static void
set_error(struct interview *iv, enum iv_msg m, size_t n, size_t max, const char *value)
{
	fill_msg(iv->error, sizeof iv->error, msg_row(form_lang_code(iv->f, iv->lang)),
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
static void
iso_time(time_t t, char buf[CLOCK_TEXT_SIZE])
{
	if (!clock_format(t, CLOCK_ISO, buf))
		strcpy(buf, "1970-01-01T00:00:00Z");
}

/* Exactly what iso_time writes, so that a loaded record dumps back to the
 * same text. */
static bool
parse_iso_time(const char *s, time_t *out)
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

static struct expr_env
env_of(const struct interview *iv)
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

static struct expr_value
value_of(const struct interview *iv, size_t q, const struct answer *a)
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
 * empty too: update() cannot fail, and an empty value is what every
 * expression already handles.
 */
static void answer_wipe(struct answer *a);

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
		answer_wipe(c);
	} else if (c->kind != IV_VALUE || c->len != len || memcmp(c->text, text, len) != 0) {
		answer_wipe(c);
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
static void
update(struct interview *iv)
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
	env = env_of(iv);
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
				iv->values[q] = value_of(iv, q, &iv->answers[q]);
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
}

/* ---- lifecycle -------------------------------------------------------- */

static void
answer_wipe(struct answer *a)
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
		answer_wipe(&iv->answers[q]);
		if (iv->calc)
			answer_wipe(&iv->calc[q]);
	}
	free(iv->answers);
	free(iv->calc);
	free(iv->values);
	free(iv->states);
	free(iv->qrel);
	free(iv->srel);
	free(iv->fired);
	explicit_bzero(iv, sizeof *iv);
	free(iv);
}

static struct interview *
alloc_interview(const struct form *f)
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
	if (!iv->answers || !iv->calc || !iv->values || !iv->states || !iv->qrel || !iv->srel || !iv->fired) {
		interview_free(iv);
		return NULL;
	}
	iv->outcome = -1;
	return iv;
}

static size_t
next_relevant(const struct interview *iv, size_t from)
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
	iv = alloc_interview(f);
	if (iv == NULL)
		return ST_NOMEM;
	iv->lang = (size_t)li;
	iv->started = clock_now();
	update(iv);
	iv->cursor = next_relevant(iv, 0);
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
	update(iv);     /* calculations with jr:choice-name() follow the language */
	return ST_OK;
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
	v->label = form_question_label(f, q, iv->lang);
	v->hint = form_question_hint(f, q, iv->lang);
	v->section_title = form_section_title(f, v->section, iv->lang);
	v->type = form_question_type(f, q);
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
	iv->cursor = next_relevant(iv, iv->cursor + 1);
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

enum parse_result { P_OK, P_CLEAR, P_ERROR, P_NOMEM };

/*
 * Parses `text` as an answer to q into *a (canonical text, number). On
 * P_ERROR the message, in language row `row`, is in err.
 */
static enum parse_result
parse_answer(const struct interview *iv, size_t q, const char *text, size_t row,
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
		fill_msg(err, errsize, row, IV_MSG_NOTE, 0, 0, NULL);
		return P_ERROR;
	}
	if (u8_check((const uint8_t *)text, len) != NULL) {
		fill_msg(err, errsize, row, IV_MSG_BAD_TEXT, 0, 0, NULL);
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
			fill_msg(err, errsize, row, IV_MSG_TOO_LONG, chars, max, NULL);
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
		answer_wipe(a);
		fill_msg(err, errsize, row, (enum iv_msg)m, 0, 0, bad);
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
				answer_wipe(&iv->answers[q]);
	iv->state = IV_ENDED;
	iv->ended = clock_now();
	snprintf(iv->reason, sizeof iv->reason, "%s", reason);
	iv->cursor = iv->nq;
	update(iv);
}

/* Stores a parsed answer and applies what it implies. */
static void
store(struct interview *iv, size_t q, struct answer *a)
{
	answer_wipe(&iv->answers[q]);
	iv->answers[q] = *a;
	memset(a, 0, sizeof *a);
	update(iv);
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
	switch (parse_answer(iv, q, text, msg_row(form_lang_code(iv->f, iv->lang)), &a,
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
		struct expr_env env = env_of(iv);

		env.dot = value_of(iv, q, &a);
		if (!expr_eval_bool(cons, &env)) {
			const char *m = form_question_constraint_message(iv->f, q, iv->lang);

			answer_wipe(&a);
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
	answer_wipe(&iv->answers[q]);
	update(iv);
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
	struct expr_env env = env_of(iv);
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
			answer_wipe(&iv->answers[q]);
	iv->state = IV_FINISHED;
	iv->ended = clock_now();
	iv->cursor = iv->nq;
	update(iv);
	return ST_OK;
}

static bool
valid_reason(const char *r)
{
	size_t n = strlen(r);

	return n > 0 && n <= IV_REASON_MAX && strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

enum status
interview_stop(struct interview *iv, const char *reason)
{
	if (!valid_reason(reason))
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
	update(iv);
	iv->cursor = next_relevant(iv, 0);
	return ST_OK;
}

/* ---- record JSON ------------------------------------------------------ */

static json_t *
answer_json(const struct interview *iv, size_t q)
{
	enum form_qtype t = form_question_type(iv->f, q);
	const struct answer *a = t == FORM_CALCULATE ? &iv->calc[q] : &iv->answers[q];

	switch (a->kind) {
	case IV_NONE:
		return NULL;
	case IV_DECLINED:
		return json_pack("{s:s}", "special", "declined");
	case IV_DONT_KNOW:
		return json_pack("{s:s}", "special", "dont_know");
	case IV_VALUE:
		break;
	}
	if (t == FORM_INTEGER)
		return json_integer((json_int_t)a->num);
	if (t == FORM_DECIMAL)
		return json_real(a->num);
	if (t == FORM_SELECT_MULTIPLE) {
		json_t *arr = json_array();
		const char *s = a->text;

		while (arr && *s) {
			size_t n = strcspn(s, " ");

			if (json_array_append_new(arr, json_stringn(s, n)) != 0) {
				json_decref(arr);
				return NULL;
			}
			s += n;
			while (*s == ' ')
				s++;
		}
		return arr;
	}
	return json_string(a->text);
}

static json_t *
consent_json(const struct interview *iv, enum form_consent kind)
{
	switch (interview_consent(iv, kind)) {
	case IV_CONSENT_YES: return json_string("yes");
	case IV_CONSENT_NO: return json_string("no");
	case IV_CONSENT_UNKNOWN: break;
	}
	return json_null();
}

/*
 * json_dumps() goes on when it fails to write an object's key (jansson
 * 2.14 ignores that error), so one failed allocation can yield a record
 * with a key cut out ("{"id":"x",":"1.0"}"). Dumping through this
 * callback makes the first failure stick and fail the whole text. Every
 * buffer given up while growing is wiped: it holds a record's plaintext.
 */
struct dumpbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void
dumpbuf_free(struct dumpbuf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
}

static int
dump_append(const char *buf, size_t size, void *data)
{
	struct dumpbuf *b = data;
	size_t cap = b->cap ? b->cap : 1024;
	char *grown;

	if (b->failed)
		return -1;
	if (size >= b->cap - b->len) {
		while (cap - b->len <= size && cap <= SIZE_MAX / 2)
			cap *= 2;
		grown = cap - b->len > size ? malloc(cap) : NULL;
		if (grown == NULL) {
			b->failed = true;
			return -1;
		}
		if (b->len > 0)
			memcpy(grown, b->p, b->len);
		dumpbuf_free(b);
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, buf, size);
	b->len += size;
	b->p[b->len] = '\0';
	return 0;
}

static enum status
dump(json_t *root, char **out, size_t *len)
{
	struct dumpbuf b = { NULL, 0, 0, false };
	int rc;

	if (root == NULL)
		return ST_NOMEM;
	rc = json_dump_callback(root, dump_append, &b, JSON_COMPACT);
	json_decref(root);
	if (rc != 0 || b.failed || b.p == NULL) {
		dumpbuf_free(&b);
		return ST_NOMEM;
	}
	*out = b.p;
	if (len)
		*len = b.len;
	return ST_OK;
}

enum status
interview_to_json(const struct interview *iv, char **out, size_t *len)
{
	const struct form *f = iv->f;
	json_t *root, *answers, *inds, *outcome, *consent;
	char started[CLOCK_TEXT_SIZE], ended[CLOCK_TEXT_SIZE];
	bool ok = true;

	*out = NULL;
	iso_time(iv->started, started);
	iso_time(iv->ended, ended);
	answers = json_object();
	inds = json_array();
	consent = json_object();
	for (size_t q = 0; answers && q < iv->nq; q++) {
		json_t *a = answer_json(iv, q);

		if (iv->answers[q].kind == IV_NONE && iv->calc[q].kind == IV_NONE)
			continue;
		if (a == NULL || json_object_set_new(answers, form_question_id(f, q), a) != 0)
			ok = false;
	}
	for (size_t i = 0; inds && i < iv->ni; i++) {
		json_t *qs, *one;
		const int *slots;
		size_t n;

		if (iv->fired[i] < 0)
			continue;
		qs = json_array();
		n = expr_refs(form_indicator_when(f, i), &slots);
		for (size_t k = 0; qs && k < n; k++)
			if (iv->states[slots[k]] != EXPR_A_NONE &&
			    json_array_append_new(qs, json_string(form_question_id(f, (size_t)slots[k]))) != 0)
				ok = false;
		one = json_pack("{s:s, s:s, s:o}", "id", form_indicator_id(f, i),
		    "level", form_level_name(form_indicator_level(f, i)), "answers", qs);
		if (one == NULL || json_array_append_new(inds, one) != 0)
			ok = false;
	}
	if (iv->outcome >= 0) {
		json_t *refs = json_array();
		size_t o = (size_t)iv->outcome;

		for (size_t k = 0; refs && k < form_outcome_referral_count(f, o); k++)
			if (json_array_append_new(refs, json_string(form_referral_id(f,
			    form_outcome_referral(f, o, k)))) != 0)
				ok = false;
		outcome = json_pack("{s:s, s:o}", "id", form_outcome_id(f, o), "referrals", refs);
	} else {
		outcome = json_null();
	}
	/* Every part is required ("o", not "o*"): a part that could not be
	 * allocated must fail the whole record, never drop out of it. */
	if (consent && (json_object_set_new(consent, "interview",
	    consent_json(iv, FORM_CONSENT_INTERVIEW)) != 0 ||
	    json_object_set_new(consent, "referral", consent_json(iv, FORM_CONSENT_REFERRAL)) != 0 ||
	    json_object_set_new(consent, "statistics", consent_json(iv, FORM_CONSENT_STATISTICS)) != 0))
		ok = false;
	root = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
	    "id", iv->record_id,
	    "form", "id", form_id(f), "version", form_version(f), "hash", form_hash(f),
	    "lang", form_lang_code(f, iv->lang),
	    "interviewer", iv->interviewer,
	    "started", started,
	    "ended", iv->ended ? json_string(ended) : json_null(),
	    "status", interview_status(iv),
	    "answers", answers,
	    "indicators", inds,
	    "outcome", outcome,
	    "consent", consent,
	    "ended_reason", iv->reason[0] ? json_string(iv->reason) : json_null(),
	    "training", iv->training,
	    "position", iv->cursor < iv->nq ? json_string(form_question_id(f, iv->cursor)) : json_null());
	if (root && iv->amended && iv->state == IV_IN_PROGRESS &&
	    json_object_set_new(root, "amending", json_true()) != 0)
		ok = false;
	/* A draft says when it was written and how far it got, so that the
	 * case list tells one unfinished interview from another. */
	if (root && iv->state == IV_IN_PROGRESS) {
		char saved[CLOCK_TEXT_SIZE];
		size_t answered, total;

		iso_time(clock_now(), saved);
		interview_progress(iv, &answered, &total);
		if (json_object_set_new(root, "saved", json_string(saved)) != 0 ||
		    json_object_set_new(root, "answered", json_integer((json_int_t)answered)) != 0)
			ok = false;
	}
	if (!ok) {
		json_decref(root);
		return ST_NOMEM;
	}
	return dump(root, out, len);
}

enum status
interview_summary_json(const struct interview *iv, char **out, size_t *len)
{
	const struct form *f = iv->f;
	char started[CLOCK_TEXT_SIZE];

	*out = NULL;
	iso_time(iv->started, started);
	return dump(json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b}",
	    "form", form_id(f),
	    "lang", form_lang_code(f, iv->lang),
	    "status", interview_status(iv),
	    "outcome", iv->outcome >= 0 ? json_string(form_outcome_id(f, (size_t)iv->outcome)) : json_null(),
	    "started", started,
	    "interviewer", iv->interviewer,
	    "training", iv->training), out, len);
}

void
interview_json_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

/*
 * Turns a JSON answer into the text a user would have typed, so that every
 * path goes through parse_answer. Returns NULL with *special set for
 * {"special": ...}; NULL with msg set when the JSON shape is wrong.
 */
static char *
json_answer_text(const struct interview *iv, size_t q, const json_t *v,
    enum iv_answer_kind *special, const char **msg)
{
	enum form_qtype t = form_question_type(iv->f, q);
	char buf[64];

	*special = IV_NONE;
	*msg = NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_real(v)) {
		char nb[32];

		return strdup(expr_format_number(json_real_value(v), nb));
	}
	if (json_is_boolean(v) && t == FORM_YES_NO)
		return strdup(json_is_true(v) ? "yes" : "no");
	if (json_is_array(v)) {
		size_t total = 1, o = 0, i;
		json_t *it;
		char *s;

		if (t != FORM_SELECT_MULTIPLE) {
			*msg = "a list of values is only for select_multiple questions";
			return NULL;
		}
		json_array_foreach(v, i, it) {
			if (!json_is_string(it)) {
				*msg = "a select_multiple answer must be a list of choice values (strings)";
				return NULL;
			}
			total += json_string_length(it) + 1;
		}
		s = malloc(total);
		if (s == NULL)
			return NULL;
		json_array_foreach(v, i, it) {
			size_t l = json_string_length(it);

			/* A value holding a separator would split into two. */
			if (strcspn(json_string_value(it), " ,\t\n") != l) {
				free(s);
				*msg = "a choice value cannot contain spaces or commas";
				return NULL;
			}
			if (o)
				s[o++] = ' ';
			memcpy(s + o, json_string_value(it), l);
			o += l;
		}
		s[o] = '\0';
		return s;
	}
	if (json_is_object(v)) {
		const char *sp = json_string_value(json_object_get(v, "special"));

		if (json_object_size(v) == 1 && sp && strcmp(sp, "declined") == 0)
			*special = IV_DECLINED;
		else if (json_object_size(v) == 1 && sp && strcmp(sp, "dont_know") == 0)
			*special = IV_DONT_KNOW;
		else
			*msg = "an object answer must be {\"special\": \"declined\"} or {\"special\": \"dont_know\"}";
		return NULL;
	}
	*msg = "an answer must be a string, a number, a list of strings or {\"special\": ...}";
	return NULL;
}

static const char *const record_keys[] = {
	"id", "form", "lang", "interviewer", "started", "ended", "status", "answers",
	"indicators", "outcome", "consent", "ended_reason", "training", "position",
	"amending", "saved", "answered", NULL,
};

static bool
str_or_null(const json_t *v)
{
	return v == NULL || json_is_null(v) || json_is_string(v);
}

/* Loads answers without side effects (no consent ending, no constraints). */
static enum status
load_answers(struct interview *iv, json_t *answers, char *err, size_t errsize)
{
	const char *key;
	json_t *v;

	if (!json_is_object(answers)) {
		status_msg(err, errsize, "record: answers must be an object");
		return ST_INVALID;
	}
	json_object_foreach(answers, key, v) {
		int q = form_question_find(iv->f, key);
		enum iv_answer_kind special;
		const char *msg;
		char *text, m[512];
		struct answer a;
		enum parse_result pr;

		if (q < 0) {
			status_msg(err, errsize, "record: answers.%.64s: no such question in form %s", key, form_id(iv->f));
			return ST_INVALID;
		}
		/* Recomputed from the other answers by update(). */
		if (form_question_type(iv->f, (size_t)q) == FORM_CALCULATE)
			continue;
		text = json_answer_text(iv, (size_t)q, v, &special, &msg);
		if (text == NULL && special == IV_NONE) {
			status_msg(err, errsize, "record: answers.%s: %s", key, msg ? msg : "out of memory");
			return msg ? ST_INVALID : ST_NOMEM;
		}
		if (special != IV_NONE) {
			if (form_question_type(iv->f, (size_t)q) == FORM_NOTE) {
				status_msg(err, errsize, "record: answers.%s: a note takes no answer", key);
				return ST_INVALID;
			}
			answer_wipe(&iv->answers[q]);
			iv->answers[q].kind = special;
			continue;
		}
		pr = parse_answer(iv, (size_t)q, text, 0, &a, m, sizeof m);
		explicit_bzero(text, strlen(text));
		free(text);
		if (pr == P_NOMEM)
			return ST_NOMEM;
		if (pr == P_CLEAR) {
			status_msg(err, errsize, "record: answers.%s: empty answer", key);
			return ST_INVALID;
		}
		if (pr == P_ERROR) {
			status_msg(err, errsize, "record: answers.%s: %s", key, m);
			explicit_bzero(m, sizeof m);
			return ST_INVALID;
		}
		answer_wipe(&iv->answers[q]);
		iv->answers[q] = a;
	}
	return ST_OK;
}

static enum status
check_record_shape(const struct form *f, json_t *root, char *err, size_t errsize)
{
	const json_t *form = json_object_get(root, "form"), *v;
	const char *key;
	json_t *val;
	size_t i;

	json_object_foreach(root, key, val) {
		size_t k;

		for (k = 0; record_keys[k]; k++)
			if (strcmp(record_keys[k], key) == 0)
				break;
		if (record_keys[k] == NULL) {
			status_msg(err, errsize, "record: unknown field '%.64s'", key);
			return ST_INVALID;
		}
	}
	if (!json_is_object(form) || !json_is_string(json_object_get(form, "id")) ||
	    !json_is_string(json_object_get(form, "version")) ||
	    !str_or_null(json_object_get(form, "hash"))) {
		status_msg(err, errsize, "record: form must be {\"id\", \"version\", \"hash\"}");
		return ST_INVALID;
	}
	if (strcmp(json_string_value(json_object_get(form, "id")), form_id(f)) != 0 ||
	    strcmp(json_string_value(json_object_get(form, "version")), form_version(f)) != 0) {
		status_msg(err, errsize, "record: taken with form %.48s version %.32s, not %s version %s",
		    json_string_value(json_object_get(form, "id")),
		    json_string_value(json_object_get(form, "version")), form_id(f), form_version(f));
		return ST_INVALID;
	}
	v = json_object_get(form, "hash");
	if (json_is_string(v) && json_string_value(v)[0] && form_hash(f)[0] &&
	    strcmp(json_string_value(v), form_hash(f)) != 0) {
		status_msg(err, errsize, "record: taken with a different text of form %s %s (hash differs)",
		    form_id(f), form_version(f));
		return ST_INVALID;
	}
	static const char *const strings[] = {"id", "lang", "started", "status", NULL};
	for (i = 0; strings[i]; i++)
		if (!json_is_string(json_object_get(root, strings[i]))) {
			status_msg(err, errsize, "record: %s must be a string", strings[i]);
			return ST_INVALID;
		}
	static const char *const optional[] = {"interviewer", "ended", "ended_reason", "position", NULL};
	for (i = 0; optional[i]; i++)
		if (!str_or_null(json_object_get(root, optional[i]))) {
			status_msg(err, errsize, "record: %s must be a string or null", optional[i]);
			return ST_INVALID;
		}
	v = json_object_get(root, "training");
	if (v && !json_is_boolean(v)) {
		status_msg(err, errsize, "record: training must be true or false");
		return ST_INVALID;
	}
	v = json_object_get(root, "amending");
	if (v && !json_is_boolean(v)) {
		status_msg(err, errsize, "record: amending must be true or false");
		return ST_INVALID;
	}
	v = json_object_get(root, "indicators");
	if (v && !json_is_array(v)) {
		status_msg(err, errsize, "record: indicators must be a list");
		return ST_INVALID;
	}
	json_array_foreach(v, i, val) {
		const char *id = json_string_value(json_object_get(val, "id"));

		if (id == NULL || form_indicator_find(f, id) < 0) {
			status_msg(err, errsize, "record: indicators[%zu] names no indicator of form %s", i, form_id(f));
			return ST_INVALID;
		}
	}
	v = json_object_get(root, "outcome");
	if (v && !json_is_null(v)) {
		const char *id = json_string_value(json_object_get(v, "id"));

		if (id == NULL || form_outcome_find(f, id) < 0) {
			status_msg(err, errsize, "record: outcome names no outcome of form %s", form_id(f));
			return ST_INVALID;
		}
	}
	v = json_object_get(root, "consent");
	if (v && !json_is_object(v)) {
		status_msg(err, errsize, "record: consent must be an object");
		return ST_INVALID;
	}
	return ST_OK;
}

/* The consent stored in the record must say what its answers say. */
static enum status
check_consent_field(const struct interview *iv, const json_t *consent, char *err, size_t errsize)
{
	static const char *const names[] = {NULL, "interview", "referral", "statistics"};

	for (int k = FORM_CONSENT_INTERVIEW; k <= FORM_CONSENT_STATISTICS && consent; k++) {
		const json_t *v = json_object_get(consent, names[k]);
		enum iv_consent have = interview_consent(iv, (enum form_consent)k);
		const char *want = have == IV_CONSENT_YES ? "yes" : have == IV_CONSENT_NO ? "no" : NULL;

		if (!str_or_null(v) || (want == NULL) != (v == NULL || json_is_null(v)) ||
		    (want && strcmp(json_string_value(v), want) != 0)) {
			status_msg(err, errsize, "record: consent.%s does not match the consent answers", names[k]);
			return ST_INVALID;
		}
	}
	return ST_OK;
}

enum status
interview_from_json(const struct form *f, const char *json, size_t len,
    struct interview **out, char *err, size_t errsize)
{
	json_error_t jerr;
	json_t *root;
	struct interview *iv = NULL;
	const char *status, *s;
	enum status st = ST_INVALID;
	int li;

	*out = NULL;
	status_msg(err, errsize, "record: invalid");
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		status_msg(err, errsize, "record: not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
		return ST_INVALID;
	}
	if (!json_is_object(root)) {
		status_msg(err, errsize, "record: must be a JSON object");
		goto out;
	}
	if ((st = check_record_shape(f, root, err, errsize)) != ST_OK)
		goto out;
	st = ST_INVALID;
	iv = alloc_interview(f);
	if (iv == NULL) {
		st = ST_NOMEM;
		goto out;
	}
	li = form_lang_find(f, json_string_value(json_object_get(root, "lang")));
	if (li < 0) {
		status_msg(err, errsize, "record: lang is not a language of form %s", form_id(f));
		goto out;
	}
	iv->lang = (size_t)li;
	if (interview_set_record_id(iv, json_string_value(json_object_get(root, "id"))) != ST_OK) {
		status_msg(err, errsize, "record: id must be lowercase hex digits");
		goto out;
	}
	s = json_string_value(json_object_get(root, "interviewer"));
	if (s && interview_set_interviewer(iv, s) != ST_OK) {
		status_msg(err, errsize, "record: interviewer is not a valid user name");
		goto out;
	}
	iv->training = json_is_true(json_object_get(root, "training"));
	iv->amended = json_is_true(json_object_get(root, "amending"));
	if (!parse_iso_time(json_string_value(json_object_get(root, "started")), &iv->started)) {
		status_msg(err, errsize, "record: started must be a UTC time like 2026-01-31T08:00:00Z");
		goto out;
	}
	s = json_string_value(json_object_get(root, "ended"));
	if (s && !parse_iso_time(s, &iv->ended)) {
		status_msg(err, errsize, "record: ended must be a UTC time like 2026-01-31T08:00:00Z");
		goto out;
	}
	status = json_string_value(json_object_get(root, "status"));
	if (strcmp(status, "draft") == 0) {
		iv->state = IV_IN_PROGRESS;
	} else if (strcmp(status, "final") == 0 || strcmp(status, "amended") == 0) {
		iv->state = IV_FINISHED;
		iv->amended = status[0] == 'a';
	} else if (strcmp(status, "ended") == 0) {
		iv->state = IV_ENDED;
	} else {
		status_msg(err, errsize, "record: unknown status '%.16s' (draft, final, amended or ended)", status);
		goto out;
	}
	if (iv->state != IV_IN_PROGRESS && s == NULL) {
		status_msg(err, errsize, "record: a %s record needs an ended time", status);
		goto out;
	}
	s = json_string_value(json_object_get(root, "ended_reason"));
	if (s && (!valid_reason(s) || iv->state != IV_ENDED)) {
		status_msg(err, errsize, "record: ended_reason must be a short lowercase word, on ended records only");
		goto out;
	}
	if (iv->state == IV_ENDED && s == NULL) {
		status_msg(err, errsize, "record: an ended record needs an ended_reason");
		goto out;
	}
	if (s)
		snprintf(iv->reason, sizeof iv->reason, "%s", s);
	if (json_object_get(root, "answers") &&
	    (st = load_answers(iv, json_object_get(root, "answers"), err, errsize)) != ST_OK)
		goto out;
	st = ST_INVALID;
	if (iv->state == IV_IN_PROGRESS &&
	    interview_consent(iv, FORM_CONSENT_INTERVIEW) == IV_CONSENT_NO) {
		status_msg(err, errsize, "record: a draft cannot hold a refused interview consent");
		goto out;
	}
	if (check_consent_field(iv, json_object_get(root, "consent"), err, errsize) != ST_OK)
		goto out;
	update(iv);
	s = json_string_value(json_object_get(root, "position"));
	if (s) {
		int q = form_question_find(f, s);

		if (q < 0) {
			status_msg(err, errsize, "record: position names no question of form %s", form_id(f));
			goto out;
		}
		iv->cursor = next_relevant(iv, (size_t)q);
	} else {
		iv->cursor = iv->nq;
	}
	status_msg(err, errsize, "%s", "");
	*out = iv;
	iv = NULL;
	st = ST_OK;
out:
	interview_free(iv);
	json_decref(root);
	return st;
}

enum status
interview_apply_answers(struct interview *iv, struct json_t *answers,
    char *err, size_t errsize)
{
	const char *key;
	json_t *v;

	status_msg(err, errsize, "%s", "");
	if (!json_is_object(answers)) {
		status_msg(err, errsize, "answers must be a JSON object of question_id: answer");
		return ST_INVALID;
	}
	json_object_foreach(answers, key, v) {
		int q = form_question_find(iv->f, key);

		if (q < 0) {
			status_msg(err, errsize, "%.64s: no such question in form %s", key, form_id(iv->f));
			return ST_INVALID;
		}
		if (form_question_type(iv->f, (size_t)q) == FORM_CALCULATE) {
			status_msg(err, errsize, "%s: a calculate question is computed from the other answers and takes none: remove it",
			    key);
			return ST_INVALID;
		}
	}
	for (size_t q = 0; q < iv->nq; q++) {
		const char *id = form_question_id(iv->f, q), *msg;
		enum iv_answer_kind special;
		enum status st;
		char *text;

		v = json_object_get(answers, id);
		if (v == NULL || json_is_null(v))
			continue;
		if (iv->state != IV_IN_PROGRESS) {
			status_msg(err, errsize, "%s: the interview already ended (%s), so this answer would be dropped",
			    id, iv->reason[0] ? iv->reason : interview_status(iv));
			return ST_INVALID;
		}
		text = json_answer_text(iv, q, v, &special, &msg);
		if (text == NULL && special == IV_NONE) {
			status_msg(err, errsize, "%s: %s", id, msg ? msg : "out of memory");
			return msg ? ST_INVALID : ST_NOMEM;
		}
		if (special != IV_NONE) {
			st = interview_set_special(iv, q, special);
		} else {
			st = interview_set(iv, q, text);
			explicit_bzero(text, strlen(text));
			free(text);
		}
		if (st != ST_OK) {
			status_msg(err, errsize, "%s: %s", id, iv->error[0] ? iv->error : status_str(st));
			return st;
		}
	}
	for (size_t q = 0; iv->state == IV_IN_PROGRESS && q < iv->nq; q++)
		if (iv->answers[q].kind != IV_NONE && !iv->qrel[q]) {
			status_msg(err, errsize, "%s: this question is not asked with these answers (its relevant condition or its section's is false): remove it",
			    form_question_id(iv->f, q));
			return ST_INVALID;
		}
	/* Each answer passed its constraint when it was applied, in form order;
	 * a constraint that reads a later question (the form check warns about
	 * those) saw it empty then. Checked again with every answer in. */
	for (size_t q = 0; iv->state == IV_IN_PROGRESS && q < iv->nq; q++) {
		const struct expr *cons = form_question_constraint(iv->f, q);
		struct expr_env env;

		if (cons == NULL || !iv->qrel[q] || iv->answers[q].kind != IV_VALUE)
			continue;
		env = env_of(iv);
		env.dot = value_of(iv, q, &iv->answers[q]);
		if (!expr_eval_bool(cons, &env)) {
			const char *m = form_question_constraint_message(iv->f, q, iv->lang);

			status_msg(err, errsize, "%s: with the later answers its constraint fails (%s): %s",
			    form_question_id(iv->f, q), expr_text(cons),
			    m ? m : "check the answers it compares");
			return ST_INVALID;
		}
	}
	iv->cursor = iv->nq;
	for (size_t q = 0; iv->state == IV_IN_PROGRESS && q < iv->nq; q++)
		if (iv->qrel[q] && form_question_type(iv->f, q) != FORM_NOTE &&
		    iv->answers[q].kind == IV_NONE) {
			iv->cursor = q;
			break;
		}
	return ST_OK;
}
