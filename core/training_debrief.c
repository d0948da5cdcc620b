/*
 * training_debrief.c — what a trainee's interview caught and missed against
 * the scenario, its score, its JSON for the vault, and its text.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "training.h"
#include "training_int.h"

#define DEBRIEF_TEXT_MAX 4096      /* longest string field accepted from JSON */
#define DEBRIEF_MAX_SECONDS (100L * 24 * 3600)

struct ind_item {
	char *id;
	enum training_mark mark;
};

struct ans_item {
	char *question;
	char *expected;
	char *recorded;         /* NULL unless MATCH or DIFFERENT */
	enum training_answer_mark mark;
};

struct training_debrief {
	char *scenario, *version, *form, *trainee, *record, *lang, *status;
	time_t started;
	long seconds;
	struct ind_item *ind;
	size_t nind;
	struct ind_item *flag;  /* flags, as indicators: caught, missed, extra */
	size_t nflag;
	struct ans_item *ans;
	size_t nans;
	char *out_expected;
	char *out_reached;      /* NULL: no outcome */
	int pts[3];             /* indicators, outcome, answers */
	int score;
};

static const char *const mark_names[] = { "caught", "missed", "extra" };
static const char *const answer_mark_names[] = {
	"match", "different", "skipped", "declined", "dont_know",
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
training_debrief_free(struct training_debrief *d)
{
	if (d == NULL)
		return;
	free(d->scenario);
	free(d->version);
	free(d->form);
	free(d->trainee);
	free(d->record);
	free(d->lang);
	free(d->status);
	for (size_t i = 0; i < d->nind; i++)
		free(d->ind[i].id);
	free(d->ind);
	for (size_t i = 0; i < d->nflag; i++)
		free(d->flag[i].id);
	free(d->flag);
	for (size_t i = 0; i < d->nans; i++) {
		free(d->ans[i].question);
		wipe_free(d->ans[i].expected);
		wipe_free(d->ans[i].recorded);
	}
	free(d->ans);
	free(d->out_expected);
	free(d->out_reached);
	free(d);
}

/* a * num / den rounded half up; den > 0. */
static int
share(int a, size_t num, size_t den)
{
	return (int)(((size_t)a * num * 2 + den) / (2 * den));
}

/* The score is a function of the items alone (training.h gives the formula),
 * so a debrief read back from JSON can be checked. */
static void
compute_score(struct training_debrief *d)
{
	size_t caught = 0, expected = 0, extra = 0, match = 0;
	int ind;

	for (size_t i = 0; i < d->nind; i++) {
		if (d->ind[i].mark == TRAINING_EXTRA) {
			extra++;
			continue;
		}
		expected++;
		caught += d->ind[i].mark == TRAINING_CAUGHT;
	}
	for (size_t i = 0; i < d->nans; i++)
		match += d->ans[i].mark == TRAINING_MATCH;
	ind = expected ? share(TRAINING_POINTS_INDICATORS, caught, expected)
	    : TRAINING_POINTS_INDICATORS;
	ind -= (int)(extra > 5 ? 5 : extra) * TRAINING_EXTRA_PENALTY;
	d->pts[0] = ind < 0 ? 0 : ind;
	d->pts[1] = d->out_reached != NULL && strcmp(d->out_reached, d->out_expected) == 0
	    ? TRAINING_POINTS_OUTCOME : 0;
	d->pts[2] = d->nans ? share(TRAINING_POINTS_ANSWERS, match, d->nans)
	    : TRAINING_POINTS_ANSWERS;
	d->score = d->pts[0] + d->pts[1] + d->pts[2];
}

static bool
dup_into(char **dst, const char *src)
{
	return (*dst = strdup(src ? src : "")) != NULL;
}

enum status
training_debrief_make(const struct training_scenario *sc, const struct interview *iv,
    long seconds, struct training_debrief **out)
{
	const struct form *f = interview_form(iv), *sf = training_form(sc);
	struct training_debrief *d;
	size_t nind = 0;
	int o;

	*out = NULL;
	if (interview_state(iv) == IV_IN_PROGRESS)
		return ST_INVALID;
	if (strcmp(form_id(f), form_id(sf)) != 0 || strcmp(form_version(f), form_version(sf)) != 0 ||
	    form_indicator_count(f) != form_indicator_count(sf))
		return ST_INVALID;
	if ((d = calloc(1, sizeof *d)) == NULL)
		return ST_NOMEM;
	if (seconds < 0)
		seconds = interview_ended(iv) > interview_started(iv)
		    ? (long)(interview_ended(iv) - interview_started(iv)) : 0;
	d->seconds = seconds > DEBRIEF_MAX_SECONDS ? DEBRIEF_MAX_SECONDS : seconds;
	d->started = interview_started(iv);
	o = interview_outcome(iv);
	if (!dup_into(&d->scenario, training_id(sc)) ||
	    !dup_into(&d->version, training_version(sc)) ||
	    !dup_into(&d->form, form_id(f)) ||
	    !dup_into(&d->trainee, interview_interviewer(iv)) ||
	    !dup_into(&d->record, interview_record_id(iv)) ||
	    !dup_into(&d->lang, form_lang_code(f, interview_lang(iv))) ||
	    !dup_into(&d->status, interview_state(iv) == IV_FINISHED ? "final" : "ended") ||
	    !dup_into(&d->out_expected, form_outcome_id(f, training_expected_outcome(sc))) ||
	    (o >= 0 && !dup_into(&d->out_reached, form_outcome_id(f, (size_t)o))))
		goto nomem;
	if ((d->ind = calloc(form_indicator_count(f) + 1, sizeof *d->ind)) == NULL ||
	    (d->flag = calloc(form_flag_count(f) + 1, sizeof *d->flag)) == NULL ||
	    (d->ans = calloc(training_fact_count(sc) + 1, sizeof *d->ans)) == NULL)
		goto nomem;
	/* Flags are not scored (the outcome is), but one missed is the
	 * first thing a trainer goes through: a respondent in danger. */
	for (size_t i = 0; i < form_flag_count(f); i++) {
		bool want = training_flag_expected(sc, i), got = interview_flag_raised(iv, i);

		if (!want && !got)
			continue;
		d->flag[d->nflag].mark = want && got ? TRAINING_CAUGHT : want ? TRAINING_MISSED :
		    TRAINING_EXTRA;
		if (!dup_into(&d->flag[d->nflag].id, form_flag_id(f, i)))
			goto nomem;
		d->nflag++;
	}
	for (size_t i = 0; i < training_expected_count(sc); i++) {
		size_t ind = training_expected_indicator(sc, i);

		d->ind[nind].mark = interview_indicator_fired(iv, ind) ? TRAINING_CAUGHT : TRAINING_MISSED;
		if (!dup_into(&d->ind[nind++].id, form_indicator_id(f, ind)))
			goto nomem;
		d->nind = nind;
	}
	for (size_t ind = 0; ind < form_indicator_count(f); ind++) {
		bool expected = false;

		for (size_t i = 0; i < training_expected_count(sc); i++)
			expected = expected || training_expected_indicator(sc, i) == ind;
		if (expected || !interview_indicator_fired(iv, ind))
			continue;
		d->ind[nind].mark = TRAINING_EXTRA;
		if (!dup_into(&d->ind[nind++].id, form_indicator_id(f, ind)))
			goto nomem;
		d->nind = nind;
	}
	for (size_t i = 0; i < training_fact_count(sc); i++) {
		struct ans_item *a = &d->ans[i];
		size_t q = training_fact_question(sc, i);
		const char *rec = interview_answer_text(iv, q);

		d->nans = i + 1;
		if (!dup_into(&a->question, training_fact_id(sc, i)) ||
		    !dup_into(&a->expected, training_fact_answer(sc, i)))
			goto nomem;
		switch (interview_answer_kind(iv, q)) {
		case IV_VALUE:
			/* Free text is never typed the same twice: any answer counts,
			 * and the debrief shows both for the trainer to compare. */
			a->mark = form_question_type(f, q) == FORM_TEXT || strcmp(rec, a->expected) == 0
			    ? TRAINING_MATCH : TRAINING_DIFFERENT;
			if (!dup_into(&a->recorded, rec))
				goto nomem;
			break;
		case IV_DECLINED:
			a->mark = TRAINING_DECLINED;
			break;
		case IV_DONT_KNOW:
			a->mark = TRAINING_DONT_KNOW;
			break;
		default:
			a->mark = TRAINING_SKIPPED;
			break;
		}
	}
	compute_score(d);
	*out = d;
	return ST_OK;
nomem:
	training_debrief_free(d);
	return ST_NOMEM;
}

/* ---- accessors --------------------------------------------------------- */

const char *training_debrief_scenario(const struct training_debrief *d) { return d->scenario; }
const char *training_debrief_scenario_version(const struct training_debrief *d) { return d->version; }
const char *training_debrief_form(const struct training_debrief *d) { return d->form; }
const char *training_debrief_trainee(const struct training_debrief *d) { return d->trainee; }
const char *training_debrief_record(const struct training_debrief *d) { return d->record; }
const char *training_debrief_lang(const struct training_debrief *d) { return d->lang; }
time_t training_debrief_started(const struct training_debrief *d) { return d->started; }
long training_debrief_seconds(const struct training_debrief *d) { return d->seconds; }
const char *training_debrief_status(const struct training_debrief *d) { return d->status; }
int training_debrief_score(const struct training_debrief *d) { return d->score; }
size_t training_debrief_indicator_count(const struct training_debrief *d) { return d->nind; }
size_t training_debrief_answer_count(const struct training_debrief *d) { return d->nans; }
const char *training_debrief_outcome_expected(const struct training_debrief *d) { return d->out_expected; }
const char *training_debrief_outcome_reached(const struct training_debrief *d) { return d->out_reached; }

void
training_debrief_points(const struct training_debrief *d, int *indicators, int *outcome,
    int *answers)
{
	if (indicators)
		*indicators = d->pts[0];
	if (outcome)
		*outcome = d->pts[1];
	if (answers)
		*answers = d->pts[2];
}

bool
training_debrief_outcome_right(const struct training_debrief *d)
{
	return d->pts[1] == TRAINING_POINTS_OUTCOME;
}

/* Item i of a list of marked ids (indicators or flags). */
static struct training_indicator_result
marked_at(const struct ind_item *items, size_t n, size_t i)
{
	struct training_indicator_result r = { NULL, TRAINING_MISSED };

	if (i < n) {
		r.id = items[i].id;
		r.mark = items[i].mark;
	}
	return r;
}

struct training_indicator_result
training_debrief_indicator(const struct training_debrief *d, size_t i)
{
	return marked_at(d->ind, d->nind, i);
}

size_t training_debrief_flag_count(const struct training_debrief *d) { return d->nflag; }

struct training_indicator_result
training_debrief_flag(const struct training_debrief *d, size_t i)
{
	return marked_at(d->flag, d->nflag, i);
}

size_t
training_debrief_count(const struct training_debrief *d, enum training_mark mark)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nind; i++)
		n += d->ind[i].mark == mark;
	return n;
}

struct training_answer_result
training_debrief_answer(const struct training_debrief *d, size_t i)
{
	struct training_answer_result r = { NULL, NULL, NULL, TRAINING_SKIPPED };

	if (i < d->nans) {
		r.question = d->ans[i].question;
		r.expected = d->ans[i].expected;
		r.recorded = d->ans[i].recorded;
		r.mark = d->ans[i].mark;
	}
	return r;
}

size_t
training_debrief_answer_marks(const struct training_debrief *d, enum training_answer_mark mark)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nans; i++)
		n += d->ans[i].mark == mark;
	return n;
}

/* ---- JSON -------------------------------------------------------------- */

static void
iso_utc(time_t t, char buf[CLOCK_TEXT_SIZE])
{
	if (!clock_format(t, CLOCK_ISO, buf))
		snprintf(buf, CLOCK_TEXT_SIZE, "1970-01-01T00:00:00Z");
}

static bool
parse_iso_utc(const char *s, time_t *out)
{
	return s != NULL && clock_parse_iso(s, strlen(s), out);
}

/* json_pack with a check: any NULL member means out of memory. */
static json_t *
jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

enum status
training_debrief_to_json(const struct training_debrief *d, char **out, size_t *len)
{
	json_t *root, *inds, *flags, *answers;
	char when[32];
	char *s;

	*out = NULL;
	*len = 0;
	iso_utc(d->started, when);
	if ((inds = json_array()) == NULL)
		return ST_NOMEM;
	if ((answers = json_array()) == NULL) {
		json_decref(inds);
		return ST_NOMEM;
	}
	if ((flags = json_array()) == NULL) {
		json_decref(inds);
		json_decref(answers);
		return ST_NOMEM;
	}
	for (size_t i = 0; i < d->nind; i++)
		if (json_array_append_new(inds, json_pack("{s:s, s:s}", "id", d->ind[i].id,
		    "mark", mark_names[d->ind[i].mark])) != 0)
			goto nomem;
	for (size_t i = 0; i < d->nflag; i++)
		if (json_array_append_new(flags, json_pack("{s:s, s:s}", "id", d->flag[i].id,
		    "mark", mark_names[d->flag[i].mark])) != 0)
			goto nomem;
	for (size_t i = 0; i < d->nans; i++)
		if (json_array_append_new(answers, json_pack("{s:s, s:s, s:o, s:s}",
		    "question", d->ans[i].question, "expected", d->ans[i].expected,
		    "recorded", jstr_or_null(d->ans[i].recorded),
		    "mark", answer_mark_names[d->ans[i].mark])) != 0)
			goto nomem;
	root = json_pack("{s:s, s:i, s:b, s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:I, s:s,"
	    " s:i, s:{s:i, s:i, s:i}, s:o, s:o, s:o, s:{s:s, s:o}}",
	    "kind", "debrief", "format", TRAINING_DEBRIEF_FORMAT, "training", 1,
	    "scenario", "id", d->scenario, "version", d->version, "form", d->form,
	    "trainee", d->trainee, "record", d->record, "lang", d->lang, "started", when,
	    "seconds", (json_int_t)d->seconds, "status", d->status,
	    "score", d->score, "points", "indicators", d->pts[0], "outcome", d->pts[1],
	    "answers", d->pts[2], "indicators", inds, "flags", flags, "answers", answers,
	    "outcome", "expected", d->out_expected, "reached", jstr_or_null(d->out_reached));
	if (root == NULL)
		return ST_NOMEM;
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (s == NULL)
		return ST_NOMEM;
	*out = s;
	*len = strlen(s);
	return ST_OK;
nomem:
	json_decref(inds);
	json_decref(flags);
	json_decref(answers);
	return ST_NOMEM;
}

void
training_json_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

static bool
id_like(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TRAINING_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* A string member no longer than DEBRIEF_TEXT_MAX (ids: id_like); copied. */
static bool
take(json_t *o, const char *key, bool id, char **dst, char *err, size_t errsize)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL || strlen(s) > DEBRIEF_TEXT_MAX || (id && !id_like(s))) {
		status_msg(err, errsize, "debrief: '%s' is missing or not a valid %s", key,
		    id ? "id" : "string");
		return false;
	}
	if ((*dst = strdup(s)) == NULL) {
		status_msg(err, errsize, "out of memory");
		return false;
	}
	return true;
}

static int
name_index(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* Marked ids (indicators or flags) into *items. */
static bool
load_marked(json_t *list, const char *what, struct ind_item **items, size_t *n, char *err,
    size_t errsize)
{
	size_t i;
	json_t *e;

	if ((*items = calloc(json_array_size(list) + 1, sizeof **items)) == NULL) {
		status_msg(err, errsize, "out of memory");
		return false;
	}
	json_array_foreach(list, i, e) {
		int m = name_index(json_string_value(json_object_get(e, "mark")), mark_names, 3);

		if (m < 0) {
			status_msg(err, errsize, "debrief: %s %zu has no valid mark", what, i + 1);
			return false;
		}
		if (!take(e, "id", true, &(*items)[i].id, err, errsize))
			return false;
		(*items)[i].mark = (enum training_mark)m;
		*n = i + 1;
	}
	return true;
}

/* A debrief made before flags were compared has no "flags": none. */
static bool
load_items(struct training_debrief *d, json_t *inds, json_t *flags, json_t *answers, char *err,
    size_t errsize)
{
	size_t i;
	json_t *e;

	if (!json_is_array(inds) || !json_is_array(answers) || (flags != NULL && !json_is_array(flags)) ||
	    json_array_size(inds) > TRAINING_MAX_ITEMS || json_array_size(answers) > TRAINING_MAX_ITEMS ||
	    json_array_size(flags) > TRAINING_MAX_ITEMS) {
		status_msg(err, errsize, "debrief: indicators, flags and answers must be lists of at "
		    "most %d", TRAINING_MAX_ITEMS);
		return false;
	}
	if (!load_marked(inds, "indicator", &d->ind, &d->nind, err, errsize) ||
	    !load_marked(flags, "flag", &d->flag, &d->nflag, err, errsize))
		return false;
	if ((d->ans = calloc(json_array_size(answers) + 1, sizeof *d->ans)) == NULL) {
		status_msg(err, errsize, "out of memory");
		return false;
	}
	json_array_foreach(answers, i, e) {
		int m = name_index(json_string_value(json_object_get(e, "mark")), answer_mark_names, 5);
		json_t *rec = json_object_get(e, "recorded");
		bool valued = m == TRAINING_MATCH || m == TRAINING_DIFFERENT;

		d->nans = i + 1;
		if (m < 0 || (valued ? !json_is_string(rec) : !json_is_null(rec))) {
			status_msg(err, errsize, "debrief: answer %zu has no valid mark, or a recorded "
			    "value that does not fit it", i + 1);
			return false;
		}
		d->ans[i].mark = (enum training_answer_mark)m;
		if (!take(e, "question", true, &d->ans[i].question, err, errsize) ||
		    !take(e, "expected", false, &d->ans[i].expected, err, errsize) ||
		    (valued && !take(e, "recorded", false, &d->ans[i].recorded, err, errsize)))
			return false;
	}
	return true;
}

enum status
training_debrief_from_json(const char *json, size_t len, struct training_debrief **out,
    char *err, size_t errsize)
{
	struct training_debrief *d = NULL;
	json_t *root, *sc, *pts, *oc, *reached;
	json_error_t jerr;
	json_int_t fmt, secs, score;
	enum status st = ST_INVALID;

	*out = NULL;
	status_msg(err, errsize, "%s", "");
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		status_msg(err, errsize, "debrief: not JSON (%s)", jerr.text);
		return ST_INVALID;
	}
	sc = json_object_get(root, "scenario");
	pts = json_object_get(root, "points");
	oc = json_object_get(root, "outcome");
	reached = json_object_get(oc, "reached");
	fmt = json_integer_value(json_object_get(root, "format"));
	secs = json_integer_value(json_object_get(root, "seconds"));
	score = json_integer_value(json_object_get(root, "score"));
	if (!json_is_object(root) ||
	    strcmp(json_string_value(json_object_get(root, "kind")) ?
	    json_string_value(json_object_get(root, "kind")) : "", "debrief") != 0) {
		status_msg(err, errsize, "debrief: not a debrief (kind is not \"debrief\")");
		goto out;
	}
	if (fmt != TRAINING_DEBRIEF_FORMAT) {
		status_msg(err, errsize, "debrief: format %lld is not %d: a newer program wrote it",
		    (long long)fmt, TRAINING_DEBRIEF_FORMAT);
		st = ST_FORMAT;
		goto out;
	}
	if (!json_is_true(json_object_get(root, "training")) || !json_is_object(sc) ||
	    !json_is_object(pts) || !json_is_object(oc) ||
	    !json_is_integer(json_object_get(root, "seconds")) || secs < 0 ||
	    secs > DEBRIEF_MAX_SECONDS || !(json_is_null(reached) || json_is_string(reached))) {
		status_msg(err, errsize, "debrief: training, scenario, points, outcome or seconds "
		    "missing or malformed");
		goto out;
	}
	if ((d = calloc(1, sizeof *d)) == NULL) {
		st = ST_NOMEM;
		goto out;
	}
	d->seconds = (long)secs;
	{
		char *when = NULL;
		bool ok = take(root, "started", false, &when, err, errsize) &&
		    parse_iso_utc(when, &d->started);

		free(when);
		if (!ok) {
			status_msg(err, errsize, "debrief: 'started' is not a time like 2024-05-01T10:20:00Z");
			goto out;
		}
	}
	if (!take(sc, "id", true, &d->scenario, err, errsize) ||
	    !take(sc, "version", false, &d->version, err, errsize) ||
	    !take(sc, "form", true, &d->form, err, errsize) ||
	    !take(root, "trainee", false, &d->trainee, err, errsize) ||
	    !take(root, "record", false, &d->record, err, errsize) ||
	    !take(root, "lang", false, &d->lang, err, errsize) ||
	    !take(root, "status", false, &d->status, err, errsize) ||
	    !take(oc, "expected", true, &d->out_expected, err, errsize) ||
	    (json_is_string(reached) && !take(oc, "reached", true, &d->out_reached, err, errsize)))
		goto out;
	if (strcmp(d->status, "final") != 0 && strcmp(d->status, "ended") != 0) {
		status_msg(err, errsize, "debrief: status must be final or ended");
		goto out;
	}
	if (!load_items(d, json_object_get(root, "indicators"), json_object_get(root, "flags"),
	    json_object_get(root, "answers"), err, errsize))
		goto out;
	compute_score(d);
	if (score != d->score ||
	    json_integer_value(json_object_get(pts, "indicators")) != d->pts[0] ||
	    json_integer_value(json_object_get(pts, "outcome")) != d->pts[1] ||
	    json_integer_value(json_object_get(pts, "answers")) != d->pts[2]) {
		status_msg(err, errsize, "debrief: the stored score does not follow from its items");
		goto out;
	}
	*out = d;
	d = NULL;
	st = ST_OK;
out:
	if (st == ST_INVALID && err != NULL && errsize > 0 && err[0] == '\0')
		status_msg(err, errsize, "debrief: malformed");
	training_debrief_free(d);
	json_decref(root);
	return st;
}

/* ---- text -------------------------------------------------------------- */

/* What the render reads from the scenario, or ids alone without one. */
struct view {
	const struct training_scenario *sc;
	const struct form *f;
	size_t flang;
	const char *ui;            /* the language of the program's words */
};

static void
add_indicator(struct sbuf *b, const struct view *v, const char *id)
{
	int i = v->f ? form_indicator_find(v->f, id) : -1;

	if (i < 0) {
		sbuf_add(b, id);
		return;
	}
	sbuf_add(b, form_indicator_label(v->f, (size_t)i, v->flang));
	sbuf_add(b, " [");
	sbuf_add(b, form_level_name(form_indicator_level(v->f, (size_t)i)));
	sbuf_add(b, "]");
}

static void
add_flag(struct sbuf *b, const struct view *v, const char *id)
{
	int i = v->f ? form_flag_find(v->f, id) : -1;

	sbuf_add(b, i >= 0 ? form_flag_label(v->f, (size_t)i, v->flang) : id);
}

static void
add_outcome(struct sbuf *b, const struct view *v, const char *id)
{
	int o = v->f && id ? form_outcome_find(v->f, id) : -1;

	if (id == NULL)
		sbuf_add(b, tt(v->ui, T_NO_OUTCOME));
	else if (o < 0)
		sbuf_add(b, id);
	else
		sbuf_add(b, form_outcome_label(v->f, (size_t)o, v->flang));
}

static void
add_question(struct sbuf *b, const struct view *v, const char *qid)
{
	int q = v->f ? form_question_find(v->f, qid) : -1;

	sbuf_add(b, q >= 0 ? form_question_label(v->f, (size_t)q, v->flang) : qid);
}

static void
add_answer(struct sbuf *b, const struct view *v, const char *qid, const char *canon)
{
	int q = v->f ? form_question_find(v->f, qid) : -1;

	if (q >= 0)
		answer_label(b, v->f, (size_t)q, canon, v->flang);
	else
		sbuf_add(b, canon);
}

static const char *
special_word(const char *lang, enum training_answer_mark m)
{
	return tt(lang, m == TRAINING_DECLINED ? T_DECLINED : m == TRAINING_DONT_KNOW
	    ? T_DONT_KNOW : T_SKIPPED);
}

/* For a missed indicator: the scenario facts its rule reads that the
 * trainee did not record as expected. */
static enum status
missed_because(const struct training_debrief *d, const struct view *v, const char *id,
    struct training_lines *out, struct sbuf *b)
{
	int ind = v->f ? form_indicator_find(v->f, id) : -1;
	const struct expr *when;
	enum status st;

	if (ind < 0)
		return ST_OK;
	when = form_indicator_when(v->f, (size_t)ind);
	for (size_t r = 0; when != NULL && r < expr_ref_count(when); r++)
		for (size_t i = 0; i < d->nans; i++) {
			if (strcmp(d->ans[i].question, expr_ref_name(when, r)) != 0 ||
			    d->ans[i].mark == TRAINING_MATCH)
				continue;
			sbuf_add(b, "      ");
			sbuf_add(b, tt(v->ui, T_NEEDED));
			sbuf_add(b, ": ");
			add_question(b, v, d->ans[i].question);
			sbuf_add(b, " -> ");
			add_answer(b, v, d->ans[i].question, d->ans[i].expected);
			if ((st = tl_push_sbuf(out, TRAINING_LINE_BAD, b)) != ST_OK)
				return st;
		}
	return ST_OK;
}

static void
add_duration(struct sbuf *b, const char *lang, long seconds)
{
	char num[48];

	snprintf(num, sizeof num, "%ld ", seconds / 60);
	sbuf_add(b, num);
	sbuf_add(b, tt(lang, T_MIN));
	snprintf(num, sizeof num, " %02ld ", seconds % 60);
	sbuf_add(b, num);
	sbuf_add(b, tt(lang, T_SEC));
}

enum status
training_debrief_lines(const struct training_debrief *d, const struct training_scenario *sc,
    const char *lang, const char *ui, struct training_lines *out)
{
	struct view v = { NULL, NULL, 0, ui };
	enum status st = ST_OK;
	char num[96], when[CLOCK_TEXT_SIZE + 4];
	struct sbuf b;
	size_t n;

	if (sc != NULL && strcmp(training_id(sc), d->scenario) == 0 &&
	    strcmp(training_version(sc), d->version) == 0 &&
	    strcmp(training_form_id(sc), d->form) == 0) {
		int fl = form_lang_find(training_form(sc), lang ? lang : "");

		v.sc = sc;
		v.f = training_form(sc);
		v.flang = fl >= 0 ? (size_t)fl : 0;
	}
	sbuf_init(&b);
#define LINE(kind) do { if ((st = tl_push_sbuf(out, kind, &b)) != ST_OK) goto out; } while (0)
	sbuf_add(&b, tt(ui, T_DEBRIEF));
	sbuf_add(&b, ": ");
	sbuf_add(&b, v.sc ? training_title(v.sc, lang) : d->scenario);
	LINE(TRAINING_LINE_TITLE);
	if (v.sc == NULL) {
		sbuf_add(&b, tt(ui, T_UNKNOWN_SCENARIO));
		LINE(TRAINING_LINE_TEXT);
	}
	if (clock_format(d->started, CLOCK_MINUTES, when))
		strcat(when, " UTC");
	else
		snprintf(when, sizeof when, "?");
	sbuf_add(&b, tt(ui, T_TRAINEE));
	sbuf_add(&b, ": ");
	sbuf_add(&b, d->trainee[0] ? d->trainee : "?");
	sbuf_add(&b, "  ·  ");
	sbuf_add(&b, tt(ui, T_DATE));
	sbuf_add(&b, ": ");
	sbuf_add(&b, when);
	sbuf_add(&b, "  ·  ");
	sbuf_add(&b, tt(ui, T_TIME));
	sbuf_add(&b, ": ");
	add_duration(&b, ui, d->seconds);
	if (v.sc != NULL && training_minutes(v.sc) > 0) {
		snprintf(num, sizeof num, " (%s: %u ", tt(ui, T_SUGGESTED), training_minutes(v.sc));
		sbuf_add(&b, num);
		sbuf_add(&b, tt(ui, T_MIN));
		sbuf_add(&b, ")");
	}
	LINE(TRAINING_LINE_TEXT);
	snprintf(num, sizeof num, ": %d/100 (", d->score);
	sbuf_add(&b, tt(ui, T_SCORE));
	sbuf_add(&b, num);
	sbuf_add(&b, tt(ui, T_PART_INDICATORS));
	snprintf(num, sizeof num, " %d/%d · ", d->pts[0], TRAINING_POINTS_INDICATORS);
	sbuf_add(&b, num);
	sbuf_add(&b, tt(ui, T_PART_OUTCOME));
	snprintf(num, sizeof num, " %d/%d · ", d->pts[1], TRAINING_POINTS_OUTCOME);
	sbuf_add(&b, num);
	sbuf_add(&b, tt(ui, T_PART_ANSWERS));
	snprintf(num, sizeof num, " %d/%d)", d->pts[2], TRAINING_POINTS_ANSWERS);
	sbuf_add(&b, num);
	LINE(TRAINING_LINE_HEADING);
	LINE(TRAINING_LINE_BLANK);

	sbuf_add(&b, tt(ui, T_OUTCOME));
	LINE(TRAINING_LINE_HEADING);
	sbuf_add(&b, "  ");
	sbuf_add(&b, tt(ui, T_REACHED));
	sbuf_add(&b, ": ");
	add_outcome(&b, &v, d->out_reached);
	LINE(TRAINING_LINE_ITEM);
	sbuf_add(&b, "  ");
	sbuf_add(&b, tt(ui, T_EXPECTED));
	sbuf_add(&b, ": ");
	add_outcome(&b, &v, d->out_expected);
	LINE(TRAINING_LINE_ITEM);
	sbuf_add(&b, "  ");
	sbuf_add(&b, tt(ui, training_debrief_outcome_right(d) ? T_OUTCOME_RIGHT : T_OUTCOME_WRONG));
	LINE(training_debrief_outcome_right(d) ? TRAINING_LINE_GOOD : TRAINING_LINE_BAD);
	LINE(TRAINING_LINE_BLANK);

	/* A flag (immediate danger) missed or raised without cause, right
	 * after the outcome it stands beside. */
	if (d->nflag > 0) {
		sbuf_add(&b, tt(ui, T_FLAGS));
		LINE(TRAINING_LINE_HEADING);
		for (size_t i = 0; i < d->nflag; i++) {
			enum training_mark m = d->flag[i].mark;

			sbuf_add(&b, m == TRAINING_CAUGHT ? "  + " : m == TRAINING_MISSED ? "  - " : "  ! ");
			add_flag(&b, &v, d->flag[i].id);
			if (m != TRAINING_CAUGHT) {
				sbuf_add(&b, ": ");
				sbuf_add(&b, tt(ui, m == TRAINING_MISSED ? T_FLAG_MISSED : T_FLAG_EXTRA));
			}
			LINE(m == TRAINING_CAUGHT ? TRAINING_LINE_GOOD : TRAINING_LINE_BAD);
		}
		LINE(TRAINING_LINE_BLANK);
	}

	n = training_debrief_count(d, TRAINING_CAUGHT);
	snprintf(num, sizeof num, " (%zu/%zu)", n, n + training_debrief_count(d, TRAINING_MISSED));
	sbuf_add(&b, tt(ui, T_CAUGHT));
	sbuf_add(&b, num);
	LINE(TRAINING_LINE_HEADING);
	if (n + training_debrief_count(d, TRAINING_MISSED) == 0) {
		sbuf_add(&b, "  ");
		sbuf_add(&b, tt(ui, T_NONE_EXPECTED));
		LINE(training_debrief_count(d, TRAINING_EXTRA) ? TRAINING_LINE_ITEM : TRAINING_LINE_GOOD);
	}
	for (size_t i = 0; i < d->nind; i++)
		if (d->ind[i].mark == TRAINING_CAUGHT) {
			sbuf_add(&b, "  + ");
			add_indicator(&b, &v, d->ind[i].id);
			LINE(TRAINING_LINE_GOOD);
		}
	if (training_debrief_count(d, TRAINING_MISSED) > 0) {
		sbuf_add(&b, tt(ui, T_MISSED));
		LINE(TRAINING_LINE_HEADING);
		for (size_t i = 0; i < d->nind; i++) {
			if (d->ind[i].mark != TRAINING_MISSED)
				continue;
			sbuf_add(&b, "  - ");
			add_indicator(&b, &v, d->ind[i].id);
			LINE(TRAINING_LINE_BAD);
			if ((st = missed_because(d, &v, d->ind[i].id, out, &b)) != ST_OK)
				goto out;
		}
	}
	sbuf_add(&b, tt(ui, T_EXTRA));
	LINE(TRAINING_LINE_HEADING);
	if (training_debrief_count(d, TRAINING_EXTRA) == 0) {
		sbuf_add(&b, "  ");
		sbuf_add(&b, tt(ui, T_NO_EXTRA));
		LINE(TRAINING_LINE_GOOD);
	}
	for (size_t i = 0; i < d->nind; i++)
		if (d->ind[i].mark == TRAINING_EXTRA) {
			sbuf_add(&b, "  ! ");
			add_indicator(&b, &v, d->ind[i].id);
			LINE(TRAINING_LINE_BAD);
		}
	LINE(TRAINING_LINE_BLANK);

	sbuf_add(&b, tt(ui, T_DIFFER));
	LINE(TRAINING_LINE_HEADING);
	if (training_debrief_answer_marks(d, TRAINING_DIFFERENT) == 0) {
		sbuf_add(&b, "  ");
		sbuf_add(&b, tt(ui, T_ALL_MATCH));
		LINE(TRAINING_LINE_GOOD);
	}
	for (size_t i = 0; i < d->nans; i++) {
		if (d->ans[i].mark != TRAINING_DIFFERENT)
			continue;
		sbuf_add(&b, "  - ");
		add_question(&b, &v, d->ans[i].question);
		LINE(TRAINING_LINE_BAD);
		sbuf_add(&b, "      ");
		sbuf_add(&b, tt(ui, T_RECORDED));
		sbuf_add(&b, ": ");
		add_answer(&b, &v, d->ans[i].question, d->ans[i].recorded);
		sbuf_add(&b, "  |  ");
		sbuf_add(&b, tt(ui, T_SCENARIO_SAYS));
		sbuf_add(&b, ": ");
		add_answer(&b, &v, d->ans[i].question, d->ans[i].expected);
		LINE(TRAINING_LINE_BAD);
	}
	sbuf_add(&b, tt(ui, T_SKIPPED_HEAD));
	LINE(TRAINING_LINE_HEADING);
	n = training_debrief_answer_marks(d, TRAINING_SKIPPED) +
	    training_debrief_answer_marks(d, TRAINING_DECLINED) +
	    training_debrief_answer_marks(d, TRAINING_DONT_KNOW);
	if (n == 0) {
		sbuf_add(&b, "  ");
		sbuf_add(&b, tt(ui, T_NO_SKIPPED));
		LINE(TRAINING_LINE_GOOD);
	}
	for (size_t i = 0; i < d->nans; i++) {
		if (d->ans[i].mark == TRAINING_MATCH || d->ans[i].mark == TRAINING_DIFFERENT)
			continue;
		sbuf_add(&b, "  - ");
		add_question(&b, &v, d->ans[i].question);
		sbuf_add(&b, ": ");
		sbuf_add(&b, special_word(ui, d->ans[i].mark));
		sbuf_add(&b, "  |  ");
		sbuf_add(&b, tt(ui, T_SCENARIO_SAYS));
		sbuf_add(&b, ": ");
		add_answer(&b, &v, d->ans[i].question, d->ans[i].expected);
		LINE(TRAINING_LINE_BAD);
	}
	if (v.sc != NULL && training_point_count(v.sc) > 0) {
		LINE(TRAINING_LINE_BLANK);
		sbuf_add(&b, tt(ui, T_POINTS));
		LINE(TRAINING_LINE_HEADING);
		for (size_t i = 0; i < training_point_count(v.sc); i++) {
			sbuf_add(&b, "  * ");
			sbuf_add(&b, training_point(v.sc, i, lang));
			LINE(TRAINING_LINE_ITEM);
		}
	}
#undef LINE
out:
	sbuf_free(&b);
	return st;
}
