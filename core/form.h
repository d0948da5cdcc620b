/*
 * form.h — questionnaires: load, check and read a form (the YAML files in forms/; the
 * language is described for authors in forms/README.md).
 *
 * Loading checks everything at once: file (size, UTF-8, tabs, YAML syntax),
 * structure, ids, references, relevance cycles, expressions and their types,
 * translations, consent questions and the referrals file. Every problem goes
 * into a struct diag_list as "file:line:col: error: ..." (or warning) and a
 * form with any error never loads.
 *
 * Contracts:
 *  - A loaded form is immutable (except form_set_hash) and may be shared by
 *    any number of interviews; it must outlive them.
 *  - Strings returned by accessors live as long as the form.
 *  - Indices: questions are numbered 0..form_question_count()-1 in file
 *    order, across sections; sections, choice lists, choices, indicators,
 *    outcomes and referrals likewise. An out-of-range index is a caller bug:
 *    accessors then return NULL, 0 or -1 rather than crash.
 *  - `lang` is a language index (form_lang_find). Text in a language the
 *    label lacks (a draft translation) falls back to the default language,
 *    the first one declared; an out-of-range lang means the default.
 *  - The form never reads the clock, the environment or any file other than
 *    the form and its referrals file.
 */
#ifndef INTAKE_FORM_H
#define INTAKE_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "expr.h"
#include "status.h"

#define FORM_MAX_BYTES     (1024 * 1024)   /* form or referrals file */
#define FORM_ID_MAX        48              /* [a-z][a-z0-9_]{0,47} */
#define FORM_MAX_LANGS     16
#define FORM_MAX_QUESTIONS 2000
#define FORM_MAX_TEXT      100000          /* largest max_length allowed */
#define FORM_DEFAULT_TEXT  2000            /* settings.max_text_length default */
#define FORM_HASH_HEX_MAX  128

struct form;

enum form_qtype {
	FORM_TEXT,
	FORM_INTEGER,
	FORM_DECIMAL,
	FORM_DATE,
	FORM_YES_NO,
	FORM_SELECT_ONE,
	FORM_SELECT_MULTIPLE,
	FORM_NOTE,
	FORM_CALCULATE,         /* hidden: its value is its calculation's */
};

enum form_consent {
	FORM_CONSENT_NONE,
	FORM_CONSENT_INTERVIEW,
	FORM_CONSENT_REFERRAL,
	FORM_CONSENT_STATISTICS,
};

/* Same numbering as enum expr_level. */
enum form_level {
	FORM_LEVEL_STRONG,
	FORM_LEVEL_MEDIUM,
	FORM_LEVEL_WEAK,
};

enum form_lang_status {
	FORM_LANG_REVIEWED,
	FORM_LANG_DRAFT,
};

/*
 * Loads and checks the form at `path`; its referrals file (if the form names
 * one) is read relative to the form's folder. ST_OK: *out is the form, diags
 * may hold warnings. ST_INVALID: diags holds at least one error, *out is
 * NULL. ST_IO: the file could not be read (also reported in diags).
 * ST_NOMEM. `diags` may be NULL when the caller only wants the status.
 */
enum status form_load_file(const char *path, struct form **out,
    struct diag_list *diags);

/*
 * Same from memory. `name` is used in messages and to find the referrals
 * file (relative to the folder part of name).
 */
enum status form_load_buffer(const char *name, const char *buf, size_t len,
    struct form **out, struct diag_list *diags);

/*
 * Same, with the referrals file given in memory too (for a form replayed
 * from a vault). ref_buf NULL: read it from disk as form_load_buffer does.
 */
enum status form_load_buffers(const char *name, const char *buf, size_t len,
    const char *ref_name, const char *ref_buf, size_t ref_len,
    struct form **out, struct diag_list *diags);

void form_free(struct form *f);

/*
 * What a YAML file of the forms folder is, from the keys of its top-level
 * mapping (read only as far as the text parses, so a broken file is still
 * known by the keys before the break):
 *  - FORM_FILE_REFERRALS: `referrals:` and no `sections:` (a referral
 *    directory, checked through the forms that name it);
 *  - FORM_FILE_SCENARIO: `scenario:` or `persona:` (a training scenario);
 *  - FORM_FILE_FORM: anything else, the form loader then says what is wrong.
 * form_file_kind_path reads the file; one it cannot read, or larger than
 * FORM_MAX_BYTES, is FORM_FILE_FORM (loading it reports why).
 */
enum form_file_kind {
	FORM_FILE_FORM,
	FORM_FILE_REFERRALS,
	FORM_FILE_SCENARIO,
};
enum form_file_kind form_file_kind(const char *buf, size_t len);
enum form_file_kind form_file_kind_path(const char *path);

/* ---- the form ---- */
const char *form_id(const struct form *f);
const char *form_version(const struct form *f);
const char *form_name(const struct form *f);     /* path or name given at load */
const char *form_title(const struct form *f, size_t lang);
size_t form_max_text_length(const struct form *f);

/* Exact bytes the form was loaded from (NUL-terminated at len), and of its
 * referrals file (NULL, 0 when the form has none). */
const char *form_source(const struct form *f, size_t *len);

/* The top-level id and version of a form's source text, without loading
 * the form (a stored form may need referrals that are not at hand): 1 with
 * both copied (cut to fit), 0 when the text does not name them. */
int form_source_id_version(const char *src, size_t len, char *id, size_t idlen, char *ver,
    size_t verlen);
const char *form_referrals_source(const struct form *f, size_t *len);

/* The caller computes the hash of form_source() (BLAKE2b, hex) and attaches
 * it here; records carry it. ST_INVALID unless hex digits, at most
 * FORM_HASH_HEX_MAX. form_hash() is "" until set. */
enum status form_set_hash(struct form *f, const char *hex);
const char *form_hash(const struct form *f);

/* ---- languages (index 0 is the default) ---- */
size_t form_lang_count(const struct form *f);
const char *form_lang_code(const struct form *f, size_t lang);
const char *form_lang_name(const struct form *f, size_t lang);
enum form_lang_status form_lang_status(const struct form *f, size_t lang);
int form_lang_find(const struct form *f, const char *code);   /* -1 if none */
/* The language to show texts in for a reader of language `code` ("lo",
 * "zh"): the form's language of that code, or whose code starts with it
 * and a '-' ("zh" finds "zh-CN"); else the default (0). The screens use it
 * for the interviewer's texts (forms/README.md: hints, notes, indicators,
 * outcomes, flags). */
size_t form_lang_match(const struct form *f, const char *code);

/* ---- sections ---- */
size_t form_section_count(const struct form *f);
const char *form_section_id(const struct form *f, size_t s);
const char *form_section_title(const struct form *f, size_t s, size_t lang);
size_t form_section_first(const struct form *f, size_t s);   /* question index */
size_t form_section_size(const struct form *f, size_t s);    /* questions in it */
const struct expr *form_section_relevant(const struct form *f, size_t s); /* NULL: always */
int form_section_find(const struct form *f, const char *id);

/* ---- questions ---- */
size_t form_question_count(const struct form *f);
int form_question_find(const struct form *f, const char *id);
const char *form_question_id(const struct form *f, size_t q);
enum form_qtype form_question_type(const struct form *f, size_t q);
size_t form_question_section(const struct form *f, size_t q);
const char *form_question_label(const struct form *f, size_t q, size_t lang);
const char *form_question_hint(const struct form *f, size_t q, size_t lang);  /* NULL: none */
bool form_question_required(const struct form *f, size_t q);
const struct expr *form_question_relevant(const struct form *f, size_t q);   /* NULL: always */
const struct expr *form_question_constraint(const struct form *f, size_t q); /* NULL: none */
const char *form_question_constraint_message(const struct form *f, size_t q, size_t lang); /* NULL */
/* The `calculation` of a calculate question; NULL for every other type. */
const struct expr *form_question_calculation(const struct form *f, size_t q);
/* Choice list of a select or yes_no question (yes_no: the built-in list 0),
 * -1 for other types. */
int form_question_choices(const struct form *f, size_t q);
size_t form_question_max_length(const struct form *f, size_t q);  /* text; 0 otherwise */
enum form_consent form_question_consent(const struct form *f, size_t q);
bool form_question_keep_without_consent(const struct form *f, size_t q);
const char *form_question_report(const struct form *f, size_t q);  /* NULL: none */
unsigned form_question_line(const struct form *f, size_t q);       /* in the source */
/* The question carrying a consent kind, or -1. */
int form_consent_question(const struct form *f, enum form_consent kind);

/* ---- choice lists; list 0 is the built-in yes/no list ---- */
size_t form_choice_list_count(const struct form *f);
const char *form_choice_list_name(const struct form *f, size_t list);
int form_choice_list_find(const struct form *f, const char *name);
size_t form_choice_count(const struct form *f, size_t list);
const char *form_choice_value(const struct form *f, size_t list, size_t i);
const char *form_choice_label(const struct form *f, size_t list, size_t i, size_t lang);
int form_choice_find(const struct form *f, size_t list, const char *value, size_t len);

/* ---- indicators ---- */
size_t form_indicator_count(const struct form *f);
const char *form_indicator_id(const struct form *f, size_t i);
enum form_level form_indicator_level(const struct form *f, size_t i);
const char *form_indicator_label(const struct form *f, size_t i, size_t lang);
const struct expr *form_indicator_when(const struct form *f, size_t i);
int form_indicator_find(const struct form *f, const char *id);
const char *form_level_name(enum form_level level);     /* "strong", ... */

/* ---- outcomes (ordered: the first whose when holds applies) ---- */
size_t form_outcome_count(const struct form *f);
const char *form_outcome_id(const struct form *f, size_t o);
const char *form_outcome_label(const struct form *f, size_t o, size_t lang);
const char *form_outcome_advice(const struct form *f, size_t o, size_t lang); /* NULL */
const struct expr *form_outcome_when(const struct form *f, size_t o);
size_t form_outcome_referral_count(const struct form *f, size_t o);
size_t form_outcome_referral(const struct form *f, size_t o, size_t k); /* referral index */
int form_outcome_find(const struct form *f, const char *id);

/* ---- flags: each raised on its own when its `when` holds, beside the
 * outcome (not instead of it); in file order ---- */
size_t form_flag_count(const struct form *f);
const char *form_flag_id(const struct form *f, size_t i);
const char *form_flag_label(const struct form *f, size_t i, size_t lang);
const char *form_flag_advice(const struct form *f, size_t i, size_t lang); /* NULL */
const struct expr *form_flag_when(const struct form *f, size_t i);
size_t form_flag_referral_count(const struct form *f, size_t i);
size_t form_flag_referral(const struct form *f, size_t i, size_t k); /* referral index */
int form_flag_find(const struct form *f, const char *id);

/* ---- referrals (from the referrals file) ---- */
size_t form_referral_count(const struct form *f);
const char *form_referral_id(const struct form *f, size_t r);
const char *form_referral_name(const struct form *f, size_t r, size_t lang);
const char *form_referral_contact(const struct form *f, size_t r);  /* "" if none */
bool form_referral_emergency(const struct form *f, size_t r);
bool form_referral_example(const struct form *f, size_t r);
size_t form_referral_service_count(const struct form *f, size_t r);
const char *form_referral_service(const struct form *f, size_t r, size_t k);
size_t form_referral_country_count(const struct form *f, size_t r);
const char *form_referral_country(const struct form *f, size_t r, size_t k);
int form_referral_find(const struct form *f, const char *id);

/*
 * Order in which relevance and calculations must be computed so that every
 * condition sees final values: each entry is a question index (>= 0) or a
 * section encoded as -(s + 1). Every question and section appears exactly
 * once, after everything its `relevant` (and a calculate's `calculation`)
 * refers to and after its own section.
 */
size_t form_eval_order(const struct form *f, const int **order);

const char *form_qtype_name(enum form_qtype t);

#endif
