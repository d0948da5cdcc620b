/*
 * interview_json.c — an interview as record and summary JSON, and back:
 * what is saved, what a loaded record must hold, and answers applied from
 * JSON (imports and tests).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interview.h"
#include "interview_int.h"
#include "jsonr.h"
#include "jsonw.h"

/*
 * The record and the summary are written straight as text (jsonw.c), in
 * the order and the bytes jansson's compact dump of the same values would
 * give: building a tree of values and dumping it was most of the cost of
 * rebuilding records in a bundle import. Any part that fails (out of
 * memory, a text that is not UTF-8) fails the whole record, never drops
 * out of it.
 */

static void
answer_write(struct jsonw *w, const struct interview *iv, size_t q, bool *ok)
{
	enum form_qtype t = form_question_type(iv->f, q);
	const struct answer *a = t == FORM_CALCULATE ? &iv->calc[q] : &iv->answers[q];

	switch (a->kind) {
	case IV_NONE:
		*ok = false;
		return;
	case IV_DECLINED:
	case IV_DONT_KNOW:
		jw_begin(w, '{');
		jw_key(w, "special");
		jw_str(w, a->kind == IV_DECLINED ? "declined" : "dont_know");
		jw_end(w);
		return;
	case IV_VALUE:
		break;
	}
	if (t == FORM_INTEGER) {
		jw_int(w, (long long)a->num);
	} else if (t == FORM_DECIMAL) {
		jw_real(w, a->num);
	} else if (t == FORM_SELECT_MULTIPLE) {
		const char *s = a->text;

		jw_begin(w, '[');
		while (*s) {
			size_t n = strcspn(s, " ");

			jw_strn(w, s, n);
			s += n;
			while (*s == ' ')
				s++;
		}
		jw_end(w);
	} else {
		jw_str(w, a->text);
	}
}

static void
consent_write(struct jsonw *w, const struct interview *iv, const char *key,
    enum form_consent kind)
{
	jw_key(w, key);
	switch (interview_consent(iv, kind)) {
	case IV_CONSENT_YES: jw_str(w, "yes"); return;
	case IV_CONSENT_NO: jw_str(w, "no"); return;
	case IV_CONSENT_UNKNOWN: break;
	}
	jw_null(w);
}

/* The referrals of outcome or flag i as ids. */
static void
referrals_write(struct jsonw *w, const struct form *f, size_t n,
    size_t (*nth)(const struct form *, size_t, size_t), size_t i)
{
	jw_key(w, "referrals");
	jw_begin(w, '[');
	for (size_t k = 0; k < n; k++)
		jw_str(w, form_referral_id(f, nth(f, i, k)));
	jw_end(w);
}

static void
str_or_null_write(struct jsonw *w, const char *key, bool has, const char *s)
{
	jw_key(w, key);
	if (has)
		jw_str(w, s);
	else
		jw_null(w);
}

enum status
interview_to_json(const struct interview *iv, char **out, size_t *len)
{
	const struct form *f = iv->f;
	char started[CLOCK_TEXT_SIZE], ended[CLOCK_TEXT_SIZE];
	struct jsonw w;
	enum status st;
	bool ok = true;

	*out = NULL;
	iv_iso_time(iv->started, started);
	iv_iso_time(iv->ended, ended);
	jw_init(&w);
	jw_begin(&w, '{');
	jw_key(&w, "id");
	jw_str(&w, iv->record_id);
	jw_key(&w, "form");
	jw_begin(&w, '{');
	jw_key(&w, "id");
	jw_str(&w, form_id(f));
	jw_key(&w, "version");
	jw_str(&w, form_version(f));
	jw_key(&w, "hash");
	jw_str(&w, form_hash(f));
	jw_end(&w);
	jw_key(&w, "lang");
	jw_str(&w, form_lang_code(f, iv->lang));
	jw_key(&w, "interviewer");
	jw_str(&w, iv->interviewer);
	jw_key(&w, "started");
	jw_str(&w, started);
	str_or_null_write(&w, "ended", iv->ended != 0, ended);
	jw_key(&w, "status");
	jw_str(&w, interview_status(iv));
	jw_key(&w, "answers");
	jw_begin(&w, '{');
	for (size_t q = 0; q < iv->nq; q++) {
		if (iv->answers[q].kind == IV_NONE && iv->calc[q].kind == IV_NONE)
			continue;
		jw_key(&w, form_question_id(f, q));
		answer_write(&w, iv, q, &ok);
	}
	jw_end(&w);
	jw_key(&w, "indicators");
	jw_begin(&w, '[');
	for (size_t i = 0; i < iv->ni; i++) {
		const int *slots;
		size_t n;

		if (iv->fired[i] < 0)
			continue;
		jw_begin(&w, '{');
		jw_key(&w, "id");
		jw_str(&w, form_indicator_id(f, i));
		jw_key(&w, "level");
		jw_str(&w, form_level_name(form_indicator_level(f, i)));
		jw_key(&w, "answers");
		jw_begin(&w, '[');
		n = expr_refs(form_indicator_when(f, i), &slots);
		for (size_t k = 0; k < n; k++)
			if (iv->states[slots[k]] != EXPR_A_NONE)
				jw_str(&w, form_question_id(f, (size_t)slots[k]));
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "outcome");
	if (iv->outcome >= 0) {
		size_t o = (size_t)iv->outcome;

		jw_begin(&w, '{');
		jw_key(&w, "id");
		jw_str(&w, form_outcome_id(f, o));
		referrals_write(&w, f, form_outcome_referral_count(f, o), form_outcome_referral, o);
		jw_end(&w);
	} else {
		jw_null(&w);
	}
	jw_key(&w, "consent");
	jw_begin(&w, '{');
	consent_write(&w, iv, "interview", FORM_CONSENT_INTERVIEW);
	consent_write(&w, iv, "referral", FORM_CONSENT_REFERRAL);
	consent_write(&w, iv, "statistics", FORM_CONSENT_STATISTICS);
	jw_end(&w);
	str_or_null_write(&w, "ended_reason", iv->reason[0] != '\0', iv->reason);
	jw_key(&w, "training");
	jw_bool(&w, iv->training);
	str_or_null_write(&w, "position", iv->cursor < iv->nq,
	    iv->cursor < iv->nq ? form_question_id(f, iv->cursor) : NULL);
	/* The flags raised, in form order, as the outcome is kept: id and
	 * the referrals given with it. [] when none. */
	jw_key(&w, "flags");
	jw_begin(&w, '[');
	for (size_t i = 0; i < form_flag_count(f); i++) {
		if (!interview_flag_raised(iv, i))
			continue;
		jw_begin(&w, '{');
		jw_key(&w, "id");
		jw_str(&w, form_flag_id(f, i));
		referrals_write(&w, f, form_flag_referral_count(f, i), form_flag_referral, i);
		jw_end(&w);
	}
	jw_end(&w);
	if (iv->amended && iv->state == IV_IN_PROGRESS) {
		jw_key(&w, "amending");
		jw_bool(&w, true);
	}
	/* A draft says when it was written and how far it got, so that the
	 * case list tells one unfinished interview from another. */
	if (iv->state == IV_IN_PROGRESS) {
		char saved[CLOCK_TEXT_SIZE];
		size_t answered, total;

		iv_iso_time(clock_now(), saved);
		interview_progress(iv, &answered, &total);
		jw_key(&w, "saved");
		jw_str(&w, saved);
		jw_key(&w, "answered");
		jw_int(&w, (long long)answered);
	}
	jw_end(&w);
	st = jw_finish(&w, out, len);
	if (st == ST_OK && !ok) {
		interview_json_free(*out, len != NULL ? *len : strlen(*out));
		*out = NULL;
		st = ST_NOMEM;
	}
	return st;
}

enum status
interview_summary_json(const struct interview *iv, char **out, size_t *len)
{
	const struct form *f = iv->f;
	char started[CLOCK_TEXT_SIZE];
	struct jsonw w;

	*out = NULL;
	iv_iso_time(iv->started, started);
	jw_init(&w);
	jw_begin(&w, '{');
	jw_key(&w, "form");
	jw_str(&w, form_id(f));
	jw_key(&w, "lang");
	jw_str(&w, form_lang_code(f, iv->lang));
	jw_key(&w, "status");
	jw_str(&w, interview_status(iv));
	str_or_null_write(&w, "outcome", iv->outcome >= 0,
	    iv->outcome >= 0 ? form_outcome_id(f, (size_t)iv->outcome) : NULL);
	jw_key(&w, "started");
	jw_str(&w, started);
	jw_key(&w, "interviewer");
	jw_str(&w, iv->interviewer);
	jw_key(&w, "training");
	jw_bool(&w, iv->training);
	jw_end(&w);
	return jw_finish(&w, out, len);
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
	"indicators", "outcome", "flags", "consent", "ended_reason", "training", "position",
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
		/* Recomputed from the other answers by iv_update(). */
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
			iv_answer_wipe(&iv->answers[q]);
			iv->answers[q].kind = special;
			continue;
		}
		pr = iv_parse_answer(iv, (size_t)q, text, 0, &a, m, sizeof m);
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
		iv_answer_wipe(&iv->answers[q]);
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
	/* Records made before the form had flags have none. */
	v = json_object_get(root, "flags");
	if (v && !json_is_array(v)) {
		status_msg(err, errsize, "record: flags must be a list");
		return ST_INVALID;
	}
	json_array_foreach(v, i, val)
		if (form_flag_find(f, json_string_value(json_object_get(val, "id"))) < 0) {
			status_msg(err, errsize, "record: flags[%zu] names no flag of form %s", i, form_id(f));
			return ST_INVALID;
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
	enum status st;

	*out = NULL;
	root = jsonr_load(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		status_msg(err, errsize, "record: not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
		return ST_INVALID;
	}
	st = interview_from_json_value(f, root, out, err, errsize);
	json_decref(root);
	return st;
}

enum status
interview_from_json_value(const struct form *f, struct json_t *root, struct interview **out,
    char *err, size_t errsize)
{
	struct interview *iv = NULL;
	const char *status, *s;
	enum status st = ST_INVALID;
	int li;

	*out = NULL;
	status_msg(err, errsize, "record: invalid");
	if (!json_is_object(root)) {
		status_msg(err, errsize, "record: must be a JSON object");
		goto out;
	}
	if ((st = check_record_shape(f, root, err, errsize)) != ST_OK)
		goto out;
	st = ST_INVALID;
	iv = iv_alloc(f);
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
	if (!iv_parse_iso_time(json_string_value(json_object_get(root, "started")), &iv->started)) {
		status_msg(err, errsize, "record: started must be a UTC time like 2026-01-31T08:00:00Z");
		goto out;
	}
	s = json_string_value(json_object_get(root, "ended"));
	if (s && !iv_parse_iso_time(s, &iv->ended)) {
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
	if (s && (!iv_valid_reason(s) || iv->state != IV_ENDED)) {
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
	iv_update(iv);
	s = json_string_value(json_object_get(root, "position"));
	if (s) {
		int q = form_question_find(f, s);

		if (q < 0) {
			status_msg(err, errsize, "record: position names no question of form %s", form_id(f));
			goto out;
		}
		iv->cursor = iv_next_relevant(iv, (size_t)q);
	} else {
		iv->cursor = iv->nq;
	}
	status_msg(err, errsize, "%s", "");
	*out = iv;
	iv = NULL;
	st = ST_OK;
out:
	interview_free(iv);
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
		env = iv_env(iv);
		env.dot = iv_value(iv, q, &iv->answers[q]);
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
