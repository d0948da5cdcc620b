/*
 * training_int.h — private to the training module (training.c,
 * training_debrief.c, training_text.c): the texts of the card and the
 * debrief in each language, and the string builder the lines are made with.
 * Nothing outside core/training*.c includes it.
 */
#ifndef INTAKE_TRAINING_INT_H
#define INTAKE_TRAINING_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "form.h"
#include "status.h"
#include "training.h"

/* Words of the card and the debrief; training_text.c has them in en, lo,
 * th and zh (the last three are draft translations). */
enum ttext {
	T_FICTIONAL, T_SCENARIO, T_FORM, T_SUGGESTED, T_MIN, T_SEC, T_WHO, T_STORY,
	T_BEHAVIOUR, T_ASKED_WELL, T_FACTS, T_DEBRIEF, T_TRAINEE, T_DATE, T_TIME,
	T_SCORE, T_OUTCOME, T_REACHED, T_EXPECTED, T_OUTCOME_RIGHT, T_OUTCOME_WRONG,
	T_NO_OUTCOME, T_CAUGHT, T_MISSED, T_EXTRA, T_NONE, T_DIFFER, T_RECORDED,
	T_SCENARIO_SAYS, T_SKIPPED_HEAD, T_SKIPPED, T_DECLINED, T_DONT_KNOW, T_POINTS,
	T_NEEDED, T_PART_INDICATORS, T_PART_OUTCOME, T_PART_ANSWERS, T_NONE_EXPECTED,
	T_ALL_MATCH, T_UNKNOWN_SCENARIO, T_NO_SKIPPED, T_NO_EXTRA, T_FLAGS,
	T_FLAG_MISSED, T_FLAG_EXTRA,
	T__COUNT
};

/* The text in language `lang` (a code; anything unknown gives English). */
const char *tt(const char *lang, enum ttext t);

/* A growing string; after a failed allocation it stays empty and `failed`
 * is set, so callers check once, when they take the text. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

void sbuf_init(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_free(struct sbuf *b);         /* wipes: it may hold answers */

/* Moves b's text into a new line of out and empties b. ST_NOMEM if b or the
 * line could not grow. */
enum status tl_push_sbuf(struct training_lines *out, enum training_line_kind kind,
    struct sbuf *b);

/* Appends the answer `canon` (engine canonical text) of question q as the
 * trainee saw it: choice labels for selects and yes/no, else the text. */
void answer_label(struct sbuf *b, const struct form *f, size_t q, const char *canon,
    size_t lang);

#endif
