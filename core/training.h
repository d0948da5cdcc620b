/*
 * training.h — mock screenings: fictional scenarios, and the debrief that
 * compares a trainee's interview with what the scenario expected.
 *
 * A scenario (the files of forms/training/, described for authors in
 * forms/README.md "Training scenarios") names a form, gives the role-player a
 * card (background, story, how the persona behaves, what they only say if
 * asked well), lists the facts a good interview records (question id ->
 * answer as typed), the indicators those facts fire, the outcome they reach,
 * and the learning points to go through afterwards.
 *
 * Loading checks the scenario against its form, through the interview
 * engine: every fact must be a real question with an answer the engine
 * accepts, asked (relevant) when all facts are given, and the facts must fire
 * exactly the expected indicators and reach the expected outcome. Problems
 * go into a struct diag_list as "file:line:col: error: ..." (diag.h); a
 * scenario with any error never loads.
 *
 * Contracts:
 *  - A loaded scenario owns its form (training_form) and is immutable apart
 *    from that form's hash (form_set_hash, for records). Strings returned by
 *    accessors live as long as the scenario.
 *  - `lang` arguments are language codes ("en", "lo", ...). NULL, or a
 *    language the scenario lacks, or a text missing in a draft language,
 *    gives the scenario's first (default) language.
 *  - A debrief holds answers of a fictional respondent: it is kept only in a
 *    training vault (vault_debrief_put), and the JSON made here must be
 *    released with training_json_free().
 *  - Nothing here prints, exits or reads the clock; only the loaders read
 *    files.
 */
#ifndef INTAKE_TRAINING_H
#define INTAKE_TRAINING_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "diag.h"
#include "form.h"
#include "interview.h"
#include "status.h"

#define TRAINING_MAX_BYTES   (1024 * 1024)   /* scenario file */
#define TRAINING_ID_MAX      48              /* [a-z][a-z0-9_]{0,47} */
#define TRAINING_MAX_ITEMS   500             /* facts, indicators, points */
#define TRAINING_DEBRIEF_FORMAT 1

struct training_scenario;
struct training_debrief;

/* ---- loading ---- */

/*
 * Loads and checks the scenario at `path`. Its form is `<forms_dir>/<form>.yaml`;
 * forms_dir NULL means the folder above the scenario's folder (scenarios live
 * in forms/training/). ST_OK: *out is the scenario, diags may hold warnings.
 * ST_INVALID: diags holds at least one error (the form's own errors too, if
 * the form does not load), *out is NULL. ST_IO: unreadable (also in diags).
 * ST_NOMEM. diags may be NULL.
 */
enum status training_load_file(const char *path, const char *forms_dir,
    struct training_scenario **out, struct diag_list *diags);

/* Same from memory; `name` is used in messages and, with forms_dir NULL, to
 * find the forms folder as above. */
enum status training_load_buffer(const char *name, const char *buf, size_t len,
    const char *forms_dir, struct training_scenario **out, struct diag_list *diags);

void training_free(struct training_scenario *sc);

/*
 * True when buf is YAML whose top-level mapping has a `scenario:` or
 * `persona:` key: the file is a scenario, not a form (so `intake forms
 * check` can send it to the scenario checker). Never fails: text that is not
 * YAML is "not a scenario".
 */
bool training_is_scenario(const char *buf, size_t len);
/* Same for a file; false when it cannot be read. */
bool training_is_scenario_file(const char *path);

/*
 * Loads every *.yaml file of `dir` in name order. Files that fail leave their
 * errors in diags and are skipped (*failed counts them). *list is malloc'ed;
 * release with training_list_free. ST_NOTFOUND: no such directory.
 */
enum status training_scan(const char *dir, const char *forms_dir,
    struct training_scenario ***list, size_t *n, size_t *failed,
    struct diag_list *diags);
void training_list_free(struct training_scenario **list, size_t n);

/*
 * Finds a scenario by id in dir (the file `<dir>/<id>.yaml`, else any file
 * of dir whose scenario id matches) or, when `name` contains a '/' or ends in
 * .yaml, loads that file. ST_NOTFOUND when there is no such scenario.
 */
enum status training_find(const char *dir, const char *forms_dir, const char *name,
    struct training_scenario **out, struct diag_list *diags);

/* ---- the scenario ---- */

const char *training_id(const struct training_scenario *sc);
const char *training_version(const struct training_scenario *sc);
const char *training_name(const struct training_scenario *sc);     /* path given */
const char *training_title(const struct training_scenario *sc, const char *lang);
/* The form the scenario runs (owned by the scenario; start interviews on it). */
struct form *training_form(const struct training_scenario *sc);
const char *training_form_id(const struct training_scenario *sc);
/* Suggested length of the interview in minutes; 0 when not given. */
unsigned training_minutes(const struct training_scenario *sc);

size_t training_lang_count(const struct training_scenario *sc);
const char *training_lang_code(const struct training_scenario *sc, size_t i);
bool training_lang_draft(const struct training_scenario *sc, size_t i);
/* Does the scenario have language `code`? */
bool training_has_lang(const struct training_scenario *sc, const char *code);

enum training_card {
	TRAINING_CARD_NAME,         /* the persona's (fictional) name */
	TRAINING_CARD_BACKGROUND,   /* who they are */
	TRAINING_CARD_STORY,        /* what happened, as they lived it */
	TRAINING_CARD_BEHAVIOUR,    /* how to play them */
};
const char *training_card_text(const struct training_scenario *sc,
    enum training_card part, const char *lang);
/* What the persona says only when asked well (sensitively, in private, ...). */
size_t training_asked_well_count(const struct training_scenario *sc);
const char *training_asked_well(const struct training_scenario *sc, size_t i, const char *lang);

/* Facts in form order: question index in the form, question id, and the
 * expected answer as the engine stores it (interview_answer_text form). */
size_t training_fact_count(const struct training_scenario *sc);
size_t training_fact_question(const struct training_scenario *sc, size_t i);
const char *training_fact_id(const struct training_scenario *sc, size_t i);
const char *training_fact_answer(const struct training_scenario *sc, size_t i);

/* Expected indicators (form indicator indices, in form order) and outcome. */
size_t training_expected_count(const struct training_scenario *sc);
size_t training_expected_indicator(const struct training_scenario *sc, size_t i);
size_t training_expected_outcome(const struct training_scenario *sc);
/* Whether the scenario's facts raise flag i of its form (form_flag_*):
 * the form's rules decide, so the author lists none. */
bool training_flag_expected(const struct training_scenario *sc, size_t i);

size_t training_point_count(const struct training_scenario *sc);
const char *training_point(const struct training_scenario *sc, size_t i, const char *lang);

/*
 * Answers every fact, in form order, on interview iv (which must run the
 * scenario's form and be in progress): what a perfect interview records.
 * ST_INVALID with interview_error() set if the engine refuses one.
 */
enum status training_apply_facts(const struct training_scenario *sc, struct interview *iv);

/* ---- text for screens and the command line ---- */

enum training_line_kind {
	TRAINING_LINE_TITLE,
	TRAINING_LINE_HEADING,
	TRAINING_LINE_TEXT,         /* a paragraph: wrap it to the width */
	TRAINING_LINE_ITEM,         /* a list entry, starts with a marker */
	TRAINING_LINE_GOOD,         /* entry for something done right ("+ ") */
	TRAINING_LINE_BAD,          /* entry for something missed or wrong ("- ", "! ") */
	TRAINING_LINE_BLANK,
};

/* Logical lines: never wrapped here (the caller knows its width), each
 * readable without colour: the marker words and signs are in the text. */
struct training_line {
	enum training_line_kind kind;
	char *text;
};

struct training_lines {
	struct training_line *v;
	size_t n;
	size_t cap;
};

/* Frees the lines' texts and array; leaves *l empty and reusable. */
void training_lines_free(struct training_lines *l);

/* The role-player's card: title, form, background, story, behaviour, what
 * they say only if asked well. The scenario's own text is in `lang`; the
 * card's headings and words are in `ui`, the language of whoever reads it
 * out (en, lo, th, zh; any other, or NULL, gives English). Appends to *out. */
enum status training_card_lines(const struct training_scenario *sc, const char *lang,
    const char *ui, struct training_lines *out);

/* ---- debrief ---- */

enum training_mark {
	TRAINING_CAUGHT,        /* expected indicator that fired */
	TRAINING_MISSED,        /* expected indicator that did not fire */
	TRAINING_EXTRA,         /* fired but not expected */
};

enum training_answer_mark {
	TRAINING_MATCH,         /* recorded as the scenario says (text: any answer) */
	TRAINING_DIFFERENT,     /* another value recorded */
	TRAINING_SKIPPED,       /* no answer: never asked, skipped or not relevant */
	TRAINING_DECLINED,
	TRAINING_DONT_KNOW,
};

struct training_indicator_result {
	const char *id;
	enum training_mark mark;
};

struct training_answer_result {
	const char *question;   /* question id */
	const char *expected;   /* scenario's answer, canonical */
	const char *recorded;   /* canonical value, NULL unless TRAINING_MATCH/DIFFERENT */
	enum training_answer_mark mark;
};

/*
 * The score, 0..100, from three parts (all integer arithmetic, rounded half
 * up):
 *   indicators  50: 50 * caught / expected (50 when none are expected), then
 *               10 off for every indicator that fired but was not expected
 *               (over-identifying), not below 0;
 *   outcome     30: the expected outcome reached, else 0 (an interview ended
 *               without an outcome scores 0 here);
 *   answers     20: 20 * facts recorded as expected / facts (20 with none).
 * The time taken is reported, never scored: a careful interview is not
 * penalised for taking longer.
 */
#define TRAINING_POINTS_INDICATORS 50
#define TRAINING_POINTS_OUTCOME    30
#define TRAINING_POINTS_ANSWERS    20
#define TRAINING_EXTRA_PENALTY     10

/*
 * Compares a finished or ended interview (IV_FINISHED or IV_ENDED; an
 * interview in progress is ST_INVALID) on the scenario's form with the
 * scenario. seconds: time the trainee took; a negative value means
 * interview_ended() - interview_started(). The trainee is
 * interview_interviewer(), the record interview_record_id().
 */
enum status training_debrief_make(const struct training_scenario *sc,
    const struct interview *iv, long seconds, struct training_debrief **out);
void training_debrief_free(struct training_debrief *d);

const char *training_debrief_scenario(const struct training_debrief *d);
const char *training_debrief_scenario_version(const struct training_debrief *d);
const char *training_debrief_form(const struct training_debrief *d);
const char *training_debrief_trainee(const struct training_debrief *d);
const char *training_debrief_record(const struct training_debrief *d);   /* "" if none */
const char *training_debrief_lang(const struct training_debrief *d);
time_t training_debrief_started(const struct training_debrief *d);
long training_debrief_seconds(const struct training_debrief *d);
/* "final" or "ended" (the respondent or consent stopped the interview). */
const char *training_debrief_status(const struct training_debrief *d);

int training_debrief_score(const struct training_debrief *d);
void training_debrief_points(const struct training_debrief *d, int *indicators,
    int *outcome, int *answers);

/* Expected indicators first (form order), then extra ones. */
size_t training_debrief_indicator_count(const struct training_debrief *d);
struct training_indicator_result training_debrief_indicator(const struct training_debrief *d,
    size_t i);
size_t training_debrief_count(const struct training_debrief *d, enum training_mark mark);
/* The flags (form_flag_*) the scenario's facts raise or the interview
 * raised, in form order: caught, missed or extra. Not scored. */
size_t training_debrief_flag_count(const struct training_debrief *d);
struct training_indicator_result training_debrief_flag(const struct training_debrief *d,
    size_t i);

/* One entry per scenario fact, in form order. */
size_t training_debrief_answer_count(const struct training_debrief *d);
struct training_answer_result training_debrief_answer(const struct training_debrief *d,
    size_t i);
size_t training_debrief_answer_marks(const struct training_debrief *d,
    enum training_answer_mark mark);

const char *training_debrief_outcome_expected(const struct training_debrief *d);
/* NULL when the interview reached no outcome (ended without consent). */
const char *training_debrief_outcome_reached(const struct training_debrief *d);
bool training_debrief_outcome_right(const struct training_debrief *d);

/*
 * The debrief as JSON (UTF-8, NUL-terminated, *len without the NUL):
 * {"kind": "debrief", "format": 1, "training": true, scenario {id, version,
 * form}, trainee, record, lang, started, seconds, status, score, points
 * {indicators, outcome, answers}, indicators [{id, mark}], answers
 * [{question, expected, recorded, mark}], outcome {expected, reached}}.
 * Release with training_json_free (it holds a fictional respondent's answers).
 */
enum status training_debrief_to_json(const struct training_debrief *d, char **out,
    size_t *len);
void training_json_free(char *s, size_t len);

/*
 * Rebuilds a debrief from its JSON, trusting nothing: every field is checked
 * and the score is recomputed from the items; a stored score that differs is
 * ST_INVALID. err gets an English message.
 */
enum status training_debrief_from_json(const char *json, size_t len,
    struct training_debrief **out, char *err, size_t errsize);

/*
 * The debrief as text: the scenario's and the form's words (title, labels,
 * learning points) in `lang`, the headings and the program's own words in
 * `ui`, the reader's interface language (en, lo, th, zh; any other, or NULL,
 * gives English):
 * outcome reached against expected, score and time, indicators caught,
 * missed (with the scenario facts behind them that were not recorded) and
 * extra, answers that differ, questions skipped, declined or don't know,
 * then the learning points. sc may be NULL (scenario no longer installed, or
 * changed since: a version differing from the debrief's is ignored): ids then
 * stand in for labels and there are no learning points. Appends to *out.
 */
enum status training_debrief_lines(const struct training_debrief *d,
    const struct training_scenario *sc, const char *lang, const char *ui,
    struct training_lines *out);

#endif
