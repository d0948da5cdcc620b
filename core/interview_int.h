/*
 * interview_int.h — the interview's state, shared by the engine
 * (interview.c), its record JSON (interview_json.c) and its texts
 * (interview_text.c). Private to those three.
 */
#ifndef INTAKE_INTERVIEW_INT_H
#define INTAKE_INTERVIEW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "clock.h"
#include "interview.h"

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
	/* The language of the engine's texts (errors, the special answers'
	 * words): the interviewer's, set by interview_set_msg_lang; "" means
	 * the interview language. */
	char msg_lang[16];
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
	bool *raised;            /* per flag of the form */
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

/* Between the engine and its JSON (interview.c):
 *  - iv_alloc: an interview of f with nothing answered, or NULL;
 *  - iv_update: relevance, values, indicators and outcome recomputed;
 *  - iv_env, iv_value: the expression environment, and q's value in it;
 *  - iv_next_relevant: the first question from `from` on that is asked;
 *  - iv_parse_answer: text as an answer to q into *a; on P_ERROR the
 *    message, in language row `row`, is in err;
 *  - iv_answer_wipe: a's text wiped and freed;
 *  - iv_iso_time / iv_parse_iso_time: a time as records store it, and back;
 *  - iv_valid_reason: a stop reason a record may hold. */
enum parse_result { P_OK, P_CLEAR, P_ERROR, P_NOMEM };

struct interview *iv_alloc(const struct form *f);
void iv_update(struct interview *iv);
struct expr_env iv_env(const struct interview *iv);
struct expr_value iv_value(const struct interview *iv, size_t q, const struct answer *a);
size_t iv_next_relevant(const struct interview *iv, size_t from);
enum parse_result iv_parse_answer(const struct interview *iv, size_t q, const char *text, size_t row,
    struct answer *a, char *err, size_t errsize);
void iv_answer_wipe(struct answer *a);
void iv_iso_time(time_t t, char buf[CLOCK_TEXT_SIZE]);
bool iv_parse_iso_time(const char *s, time_t *out);
bool iv_valid_reason(const char *r);

/* The row of the engine's texts for a language code ("lo" and "lo-LA" both
 * find Lao; a language without a row gets English), and template m of that
 * row written into buf with {n}, {max} and {value} filled in. */
size_t interview_text_row(const char *code);
/* The row of iv's own texts: its msg_lang, else its interview language. */
size_t iv_msg_row(const struct interview *iv);
void interview_text_fill(char *buf, size_t size, size_t row, enum iv_msg m, size_t n, size_t max,
    const char *value);

#endif
