/*
 * interview.h — the interview engine: one respondent, one form, one walk.
 *
 * The engine owns every rule of an interview: which question comes next
 * (skipping questions and sections whose `relevant` is false), what answer is
 * valid, which indicators fire with which answers, which outcome and
 * referrals follow, and what consent allows to be kept. The terminal only
 * shows interview_view() and forwards what the interviewer typed.
 *
 * Contracts:
 *  - The form must outlive the interview.
 *  - Answers are respondents' words: the engine wipes them from memory when
 *    they are replaced, cleared, dropped or freed. JSON produced here is
 *    plaintext of a record: release it with interview_json_free().
 *  - Every answer goes through the same validation, whether typed
 *    (interview_answer), set by id, loaded from a record or applied from a
 *    batch file. A failed answer leaves the previous answer in place and
 *    sets interview_error() to a message in the interviewer's language
 *    (interview_set_msg_lang), by default the interview's.
 *  - An answer that becomes not relevant is kept while the interviewer moves
 *    around (they may change their mind) but reads as empty in every
 *    expression, and is dropped by interview_finish().
 *  - Only IV_IN_PROGRESS interviews accept answers; moving around stays
 *    possible in every state (for review).
 *  - Times come from clock_now() (clock.h): the system clock, which only
 *    test builds let INTAKE_TEST_NOW fix; today() in expressions is that
 *    instant's local date.
 */
#ifndef INTAKE_INTERVIEW_H
#define INTAKE_INTERVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "form.h"
#include "status.h"

struct interview;
struct json_t;

enum iv_state {
	IV_IN_PROGRESS,         /* record status "draft" */
	IV_FINISHED,            /* "final", or "amended" once reopened */
	IV_ENDED,               /* "ended": consent refused or stopped */
};

/* Same numbering as enum expr_astate. */
enum iv_answer_kind {
	IV_NONE,
	IV_VALUE,
	IV_DECLINED,
	IV_DONT_KNOW,
};

enum iv_consent {
	IV_CONSENT_UNKNOWN,     /* not asked or not answered yet */
	IV_CONSENT_YES,
	IV_CONSENT_NO,          /* answered no, declined or don't know */
};

/* Texts the engine provides in every language it knows (en, lo, th, zh;
 * other languages get English). */
enum iv_msg {
	IV_MSG_REQUIRED,
	IV_MSG_NOT_INTEGER,
	IV_MSG_NOT_DECIMAL,
	IV_MSG_NUMBER_TOO_LONG,
	IV_MSG_NOT_DATE,
	IV_MSG_TOO_LONG,        /* has {n} and {max} */
	IV_MSG_NOT_CHOICE,      /* has {value} */
	IV_MSG_ONE_CHOICE,
	IV_MSG_NOT_YES_NO,
	IV_MSG_CONSTRAINT,
	IV_MSG_BAD_TEXT,
	IV_MSG_NOTE,
	IV_MSG_CLOSED,
	IV_MSG_CONSENT_NEEDED,
	IV_MSG_DECLINED,        /* the words for the two special answers */
	IV_MSG_DONT_KNOW,
	IV_MSG__COUNT,
};

#define IV_REASON_CONSENT_REFUSED "consent_refused"
#define IV_REASON_MAX 32        /* [a-z0-9_]{1,32} */
#define IV_INTERVIEWER_MAX 64   /* bytes */
#define IV_RECORD_ID_MAX 64     /* hex digits */

/* What the interview screen shows for the current question. Its strings
 * belong to the form or the interview: valid until the next call that
 * changes an answer or the language. */
struct iv_view {
	size_t question;
	size_t section;
	const char *id;
	/* The question in the interview language (or the default); a note,
	 * which speaks to the interviewer, the hint and the section title in
	 * the interviewer's (interview_guide_lang). */
	const char *label;
	const char *hint;           /* NULL: none */
	const char *section_title;
	enum form_qtype type;
	bool required;
	int list;                   /* choice list (form_choice_*), -1 if none */
	size_t nchoices;
	size_t max_length;          /* text: characters; 0 otherwise */
	enum iv_answer_kind answer;
	const char *value;          /* canonical answer text, NULL unless IV_VALUE */
};

/* Starts a new interview in language `lang` (a code; NULL = the form's
 * default) at the first relevant question. ST_NOTFOUND: unknown language. */
enum status interview_start(const struct form *f, const char *lang,
    struct interview **out);
void interview_free(struct interview *iv);

const struct form *interview_form(const struct interview *iv);
enum iv_state interview_state(const struct interview *iv);
/* "draft", "final", "amended" or "ended". */
const char *interview_status(const struct interview *iv);

/* ---- language: switching keeps every answer ---- */
size_t interview_lang(const struct interview *iv);
enum status interview_set_lang(struct interview *iv, const char *code);
/* The interviewer's language (a code: "lo", "zh"; NULL or "" = follow the
 * interview language). The engine's texts speak to the interviewer: they
 * follow it (interview_msg, interview_error, a constraint_message in that
 * language when the form has it). It changes nothing the respondent hears,
 * nor the record. ST_INVALID: longer than 15 bytes. */
enum status interview_set_msg_lang(struct interview *iv, const char *code);
/* An engine text in the interviewer's language (above). */
const char *interview_msg(const struct interview *iv, enum iv_msg msg);
/* The form language of the form's texts meant for the interviewer (hints,
 * notes, section titles, constraint messages, indicators, outcomes, flags
 * and their advice): the form's language of the interviewer's (form_lang_match, so
 * the default when the form lacks it); the interview language when no
 * interviewer's language is set. */
size_t interview_guide_lang(const struct interview *iv);

/* ---- record fields the caller supplies (ST_INVALID if malformed) ---- */
enum status interview_set_record_id(struct interview *iv, const char *hex);
const char *interview_record_id(const struct interview *iv);   /* "" if none */
enum status interview_set_interviewer(struct interview *iv, const char *name);
const char *interview_interviewer(const struct interview *iv); /* "" if none */
void interview_set_training(struct interview *iv, bool training);
bool interview_training(const struct interview *iv);
time_t interview_started(const struct interview *iv);
time_t interview_ended(const struct interview *iv);            /* 0 if not */

/* ---- position ---- */
/* Current question, or -1 past the last relevant question (the place to
 * review and finish). */
int interview_current(const struct interview *iv);
bool interview_at_end(const struct interview *iv);
/* false at the end; otherwise fills *v for the current question. */
bool interview_view(const struct interview *iv, struct iv_view *v);

/* To the next relevant question (or the end). ST_INVALID, staying put, when
 * the current question is required and unanswered (interview_error() says
 * so); ST_NOTFOUND at the end already. */
enum status interview_next(struct interview *iv);
/* To the previous relevant question; ST_NOTFOUND at the first. */
enum status interview_prev(struct interview *iv);
/* To question q if it is relevant (ST_NOTFOUND if not). */
enum status interview_goto(struct interview *iv, size_t q);
/* To the first relevant question of section s (ST_NOTFOUND if none). */
enum status interview_goto_section(struct interview *iv, size_t s);

/* ---- answering ---- */
/*
 * Answers the current question with text as typed: integer "-12",
 * decimal "2.5", date "2024-02-29", yes_no "yes"/"no", select_one a choice
 * value, select_multiple choice values separated by spaces or commas, text
 * anything (trimmed, NFC-normalised, at most max_length characters). Empty
 * text clears the answer. ST_INVALID + interview_error() on a bad answer.
 * Answering the interview-consent question "no" (or declined / don't know)
 * ends the interview (IV_ENDED, reason "consent_refused") keeping only
 * keep_without_consent answers and the consent answer.
 */
enum status interview_answer(struct interview *iv, const char *text);
/* IV_DECLINED or IV_DONT_KNOW for the current question. */
enum status interview_answer_special(struct interview *iv, enum iv_answer_kind kind);
/* Same for any question, current or not. */
enum status interview_set(struct interview *iv, size_t q, const char *text);
enum status interview_set_special(struct interview *iv, size_t q, enum iv_answer_kind kind);
enum status interview_clear(struct interview *iv, size_t q);
/* By question id, for scripted walks: ST_NOTFOUND for an unknown id. */
enum status interview_answer_id(struct interview *iv, const char *qid, const char *text);
/* Last validation message (interviewer's language); "" when the last call
 * succeeded. */
const char *interview_error(const struct interview *iv);

/* ---- reading answers ---- */
enum iv_answer_kind interview_answer_kind(const struct interview *iv, size_t q);
/* Canonical text of a value (numbers normalised, select_multiple values
 * space-separated in list order); NULL unless IV_VALUE. */
const char *interview_answer_text(const struct interview *iv, size_t q);
/* The value of calculate question q as computed from the answers so far
 * (text, as ODK keeps it), or NULL when empty or not relevant. A calculate
 * question is never asked: interview_answer_kind() is IV_NONE for it,
 * interview_is_relevant() false, and setting it fails. Records carry its
 * value among the answers, as a string; loading a record recomputes it. */
const char *interview_calculated(const struct interview *iv, size_t q);
/* True if value is chosen in a select or yes_no answer. */
bool interview_is_selected(const struct interview *iv, size_t q, const char *value);
bool interview_is_relevant(const struct interview *iv, size_t q);
bool interview_section_relevant(const struct interview *iv, size_t s);
/* Relevant questions that take an answer, and how many of them have one
 * (declined and don't know count as answered). */
void interview_progress(const struct interview *iv, size_t *answered, size_t *total);

/* ---- indicators, outcome, consent ---- */
bool interview_indicator_fired(const struct interview *iv, size_t i);
size_t interview_fired_count(const struct interview *iv);
/* Questions whose answers made indicator i's `when` true (for a rule that
 * does not hold: every question it refers to that has an answer): writes
 * up to max question indices to qs and returns how many there are. */
size_t interview_indicator_answers(const struct interview *iv, size_t i,
    size_t *qs, size_t max);
/* First outcome whose `when` holds, or -1 (no outcomes, or the interview
 * ended without interview consent). */
int interview_outcome(const struct interview *iv);
/* Whether flag i of the form (form_flag_*) is raised: its `when` holds, on
 * the same terms as the outcome (never without interview consent once the
 * interview ended), and whatever the outcome is. interview_flags_raised
 * counts them. */
bool interview_flag_raised(const struct interview *iv, size_t i);
size_t interview_flags_raised(const struct interview *iv);
enum iv_consent interview_consent(const struct interview *iv, enum form_consent kind);

/* ---- ending ---- */
/*
 * Finishes: every relevant required question must be answered (else
 * ST_INVALID, the current question becomes the first one missing) and the
 * interview consent given (else ST_INVALID). Then drops answers that are not
 * relevant and freezes the record (IV_FINISHED).
 */
enum status interview_finish(struct interview *iv);
/* The respondent ended the interview: IV_ENDED with `reason` ([a-z0-9_]).
 * With interview consent given everything is kept; otherwise only
 * keep_without_consent answers and the consent answer. */
enum status interview_stop(struct interview *iv, const char *reason);
const char *interview_end_reason(const struct interview *iv);   /* "" if none */
/* Reopens a finished record for amendment: IV_IN_PROGRESS again, and the
 * next finish gives status "amended". ST_INVALID unless IV_FINISHED. */
enum status interview_reopen(struct interview *iv);

/* ---- records (../DESIGN.md "Records") ---- */
/*
 * The record as JSON text (UTF-8, NUL-terminated, *len without the NUL):
 * id, form {id, version, hash}, lang, interviewer, started, ended, status,
 * answers, indicators, outcome, consent, ended_reason, training, position.
 */
enum status interview_to_json(const struct interview *iv, char **out, size_t *len);
/* The small case-list summary: form, lang, status, outcome, started,
 * interviewer, training. No answers. */
enum status interview_summary_json(const struct interview *iv, char **out, size_t *len);
/* Wipes and frees text from interview_to_json / interview_summary_json. */
void interview_json_free(char *s, size_t len);

/*
 * Rebuilds an interview from record JSON, trusting nothing: the form must be
 * the one the record names (id, version, and hash when both have one), every
 * answer must pass the same checks as a typed answer (constraints aside:
 * they were checked when answered and may depend on later answers).
 * ST_INVALID with a message in err (English, for logs and the command line).
 */
enum status interview_from_json(const struct form *f, const char *json, size_t len,
    struct interview **out, char *err, size_t errsize);
/* The same from a record already parsed (with JSON_REJECT_DUPLICATES), for
 * a caller that reads the record's id and form first: root is only read. */
enum status interview_from_json_value(const struct form *f, struct json_t *root,
    struct interview **out, char *err, size_t errsize);

/*
 * Applies a JSON object {question_id: answer} in form order, each through
 * the same validation as a typed answer, then checks that no answered
 * question is left not relevant. Values: a string as typed, a number, an
 * array of strings (select_multiple), null (skip), or {"special":
 * "declined"|"dont_know"}. On the first problem returns ST_INVALID with
 * "question_id: message" in err; answers applied before it stay.
 * `answers` is only read (non-const because jansson iterates that way).
 */
enum status interview_apply_answers(struct interview *iv, struct json_t *answers,
    char *err, size_t errsize);

#endif
