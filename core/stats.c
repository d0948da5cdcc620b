/*
 * stats.c — anonymous statistics with small-cell and complementary
 * suppression (see stats.h for what is counted and how it is hidden).
 *
 * Counting runs in two steps: the scan turns each consenting record into a
 * tuple of value indices (one per variable, values interned as they are
 * met); then values are put in a stable order and the tables are filled,
 * suppressed and formatted. No record text is kept past its scan callback.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uniwidth.h>

#include "ctdc.h"
#include "sdc.h"
#include "stats.h"
#include "words.h"

#define UNKNOWN_CODE   "(unknown)"
#define TOTAL_CODE     "(total)"
#define CTDC_UNKNOWN   "-99"
#define NAME_MAX_LEN   64
#define INFINITE       ((uint64_t)1 << 40)

enum builtin { VAR_REPORT, VAR_MONTH, VAR_YEAR, VAR_OUTCOME, VAR_FLAGS };

#define NO_FLAG        "none"
enum flag { SHOWN, HIDDEN };

struct qref {
	const struct form *f;
	size_t q;
};

struct var {
	char name[NAME_MAX_LEN + 1];   /* report name, or month / year */
	char local[NAME_MAX_LEN + 1];  /* first question id carrying it */
	enum builtin builtin;
	int text;                      /* fed by a text question: never counted */
	struct qref *qs;               /* in form order */
	size_t nqs;
	char **values;
	size_t nvalues, cap, nseeded;
	size_t *rank;                  /* value index -> position in output order */
	size_t *order;                 /* position -> value index */
};

struct table {
	struct var *a, *b;             /* b NULL: one-way table */
	size_t rows, cols;             /* of cells; one-way: cols = 1 */
	size_t *v;                     /* (rows + 1) x (cols + 1): margins last */
	unsigned char *flag;
	size_t *cell;                  /* entry -> sdc cell (suppress()) */
	size_t ua, ub;                 /* cross-table: its variables' one-way tables */
};

struct stats {
	unsigned k;
	int ctdc;
	struct var *vars;
	size_t nvars;
	size_t *used;                  /* indices of vars counted */
	size_t nused;
	size_t *tuples;                /* counted records x nused value indices */
	size_t ntuples, tcap;
	size_t counted;
	size_t no_consent;
	struct dataset_counts counts;
	struct table *tables;          /* a one-way table per used var, then the cross-table */
	size_t ntables;
	size_t nby;                    /* fields asked for: 0 every one-way table */
	size_t (*pairs)[2];            /* cross-tables: indices in used */
	size_t npairs;
	size_t bya, byb;               /* their indices in used (and tables) */
	int release;                   /* every table, suppressed in one run */
	int published;                 /* counted >= k: tables are printed */
	struct sdc_work work;
	struct dataset *ds;            /* keeps the forms alive for labels */
	char lang[16];                 /* labels' language code; "" default */
	const struct words *words;     /* the table's own words (core/words.h) */
	enum status fail;
};

enum status
stats_check_k(unsigned k, char *msg, size_t msglen)
{
	if (k < STATS_K_MIN) {
		status_msg(msg, msglen, "--k %u is too small: a cell of %s%u lets people be singled out "
		    "(k = 1 publishes unique individuals; with fewer than %d in a cell, anyone who "
		    "knows a few of them can identify the rest); use --k %d or more (default %d, "
		    "as CTDC)", k, k <= 1 ? "" : "fewer than ", k <= 1 ? 1 : k, STATS_K_MIN,
		    STATS_K_MIN, STATS_K_DEFAULT);
		return ST_INVALID;
	}
	if (k > STATS_K_MAX) {
		status_msg(msg, msglen, "--k %u is larger than %d: nothing would be shown", k, STATS_K_MAX);
		return ST_INVALID;
	}
	return ST_OK;
}

/* ---- CTDC names and codes ---------------------------------------------------- */

static int
is_ctdc_name(const char *n)
{
	static const char *const exact[] = {
		"gender", "ageBroad", "majorityStatus", "citizenship", "CountryOfExploitation",
		"yearOfRegistration", "typeOfExploitConcatenated", "typeOfLabourConcatenated",
		"typeOfSexConcatenated", "recruiterRelation", NULL,
	};
	static const char *const prefix[] = {
		"meansOfControl", "recruiterRelation", "isForced", "isSexual", "isSlavery",
		"isOrgan", "isAbduction", "isOther", NULL,
	};

	for (size_t i = 0; exact[i]; i++)
		if (strcmp(n, exact[i]) == 0)
			return 1;
	for (size_t i = 0; prefix[i]; i++)
		if (strncmp(n, prefix[i], strlen(prefix[i])) == 0)
			return 1;
	return 0;
}

static const char *
age_band(double age)
{
	size_t b = ctdc_band_of_age(age);

	return ctdc_band_codes[b < CTDC_NBANDS ? b : CTDC_NBANDS - 1];
}

/* The CTDC code of value in variable name (value itself when none). */
static const char *
ctdc_code(const char *name, const char *value)
{
	static const char *const countries[][2] = {
		{ "laos", "LA" }, { "lao", "LA" }, { "thailand", "TH" }, { "thai", "TH" },
		{ "china", "CN" }, { "chinese", "CN" }, { "myanmar", "MM" }, { "vietnam", "VN" },
		{ "vietnamese", "VN" }, { "cambodia", "KH" }, { "cambodian", "KH" },
		{ "malaysia", "MY" },
	};

	if (strcmp(value, UNKNOWN_CODE) == 0)
		return CTDC_UNKNOWN;
	if (strcmp(value, "yes") == 0)
		return "1";
	if (strcmp(value, "no") == 0)
		return "0";
	for (size_t i = 0; i < CTDC_NBANDS; i++)
		if (strcmp(value, ctdc_band_codes[i]) == 0)
			return ctdc_band_names[i];
	if (strcmp(name, "citizenship") == 0 || strcmp(name, "CountryOfExploitation") == 0)
		for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
			if (strcmp(value, countries[i][0]) == 0)
				return countries[i][1];
	return value;
}

/* ---- variables ------------------------------------------------------------------ */

static struct var *
var_find(struct stats *s, const char *name)
{
	for (size_t i = 0; i < s->nvars; i++)
		if (strcmp(s->vars[i].name, name) == 0)
			return &s->vars[i];
	return NULL;
}

static struct var *
var_add(struct stats *s, const char *name, enum builtin b)
{
	struct var *grown = realloc(s->vars, (s->nvars + 1) * sizeof *grown), *v;

	if (grown == NULL)
		return NULL;
	s->vars = grown;
	v = &s->vars[s->nvars++];
	memset(v, 0, sizeof *v);
	snprintf(v->name, sizeof v->name, "%s", name);
	v->builtin = b;
	return v;
}

/* Interns value into v; returns its index or (size_t)-1 out of memory. */
static size_t
value_intern(struct var *v, const char *value)
{
	char *dup;

	for (size_t i = v->nvalues; i-- > 0;)
		if (strcmp(v->values[i], value) == 0)
			return i;
	if (v->nvalues == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		char **grown = realloc(v->values, cap * sizeof *grown);

		if (grown == NULL)
			return (size_t)-1;
		v->values = grown;
		v->cap = cap;
	}
	if ((dup = strdup(value)) == NULL)
		return (size_t)-1;
	v->values[v->nvalues] = dup;
	return v->nvalues++;
}

static const char *
coded(const struct stats *s, const struct var *v, const char *value)
{
	return s->ctdc ? ctdc_code(v->name, value) : value;
}

/* Known values first, so that zero counts show and the order follows the
 * forms: choice lists of choice questions, the age bands of numbers. */
static enum status
var_seed(struct stats *s, struct var *v)
{
	for (size_t i = 0; i < v->nqs; i++) {
		const struct form *f = v->qs[i].f;
		size_t q = v->qs[i].q;
		enum form_qtype t = form_question_type(f, q);

		if (t == FORM_INTEGER || t == FORM_DECIMAL) {
			for (size_t b = 0; b < CTDC_NBANDS; b++)
				if (value_intern(v, coded(s, v, ctdc_band_codes[b])) == (size_t)-1)
					return ST_NOMEM;
		} else if (t == FORM_YES_NO || t == FORM_SELECT_ONE) {
			size_t list = (size_t)form_question_choices(f, q);

			for (size_t c = 0; c < form_choice_count(f, list); c++)
				if (value_intern(v, coded(s, v, form_choice_value(f, list, c))) == (size_t)-1)
					return ST_NOMEM;
		}
	}
	/* Outcomes and flags of every form, in form order: a flag raised by no
	 * record still shows its zero. */
	if (v->builtin == VAR_FLAGS && value_intern(v, NO_FLAG) == (size_t)-1)
		return ST_NOMEM;
	for (size_t k = 0; (v->builtin == VAR_OUTCOME || v->builtin == VAR_FLAGS) &&
	    k < dataset_form_count(s->ds); k++) {
		const struct form *f = dataset_form(s->ds, k);
		size_t n = v->builtin == VAR_OUTCOME ? form_outcome_count(f) : form_flag_count(f);

		for (size_t i = 0; i < n; i++)
			if (value_intern(v, v->builtin == VAR_OUTCOME ? form_outcome_id(f, i) :
			    form_flag_id(f, i)) == (size_t)-1)
				return ST_NOMEM;
	}
	v->nseeded = v->nvalues;
	/* Unknown always has its row, so every table sums to the same total. */
	if (v->builtin != VAR_MONTH && v->builtin != VAR_YEAR &&
	    value_intern(v, coded(s, v, UNKNOWN_CODE)) == (size_t)-1)
		return ST_NOMEM;
	return ST_OK;
}

static enum status
vars_build(struct stats *s, const struct dataset *ds)
{
	if (var_add(s, "month", VAR_MONTH) == NULL || var_add(s, "year", VAR_YEAR) == NULL ||
	    var_add(s, "outcome", VAR_OUTCOME) == NULL || var_add(s, "flags", VAR_FLAGS) == NULL)
		return ST_NOMEM;
	snprintf(s->vars[2].local, sizeof s->vars[2].local, "outcome");
	snprintf(s->vars[3].local, sizeof s->vars[3].local, "flags");
	snprintf(s->vars[0].local, sizeof s->vars[0].local, "month");
	snprintf(s->vars[1].local, sizeof s->vars[1].local, "%s",
	    s->ctdc ? "yearOfRegistration" : "year");
	if (s->ctdc)
		snprintf(s->vars[1].name, sizeof s->vars[1].name, "yearOfRegistration");
	for (size_t k = 0; k < dataset_form_count(ds); k++) {
		const struct form *f = dataset_form(ds, k);

		for (size_t q = 0; q < form_question_count(f); q++) {
			const char *r = form_question_report(f, q);
			struct var *v;
			struct qref *grown;

			if (r == NULL || strlen(r) > NAME_MAX_LEN)
				continue;
			if ((v = var_find(s, r)) == NULL) {
				if ((v = var_add(s, r, VAR_REPORT)) == NULL)
					return ST_NOMEM;
				snprintf(v->local, sizeof v->local, "%s", form_question_id(f, q));
			}
			if (form_question_type(f, q) == FORM_TEXT) {
				v->text = 1;
				continue;
			}
			grown = realloc(v->qs, (v->nqs + 1) * sizeof *grown);
			if (grown == NULL)
				return ST_NOMEM;
			v->qs = grown;
			v->qs[v->nqs].f = f;
			v->qs[v->nqs++].q = q;
		}
	}
	return ST_OK;
}

/* A variable may be counted: not fed by free text, and under --ctdc only
 * the standard's names. */
static int
var_countable(const struct stats *s, const struct var *v)
{
	if (v->builtin == VAR_MONTH)
		return !s->ctdc;
	if (v->builtin == VAR_YEAR)
		return 1;
	/* The CTDC standard has no field for either. */
	if (v->builtin == VAR_OUTCOME || v->builtin == VAR_FLAGS)
		return !s->ctdc;
	return !v->text && v->nqs > 0 && (!s->ctdc || is_ctdc_name(v->name));
}

static const char *
var_shown(const struct stats *s, const struct var *v)
{
	return s->ctdc ? v->name : v->local;
}

/* "gender (sex), ageBroad (age, age_band), ..., month, year" into buf. */
static void
reportable_list(const struct stats *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nvars && o < len; i++) {
		const struct var *v = &s->vars[i];
		int n;

		if (!var_countable(s, v) || v->builtin != VAR_REPORT)
			continue;
		n = snprintf(buf + o, len - o, "%s%s (", o ? ", " : "", v->name);
		o += n > 0 ? (size_t)n : 0;
		for (size_t q = 0; q < v->nqs && o < len; q++) {
			const char *id = form_question_id(v->qs[q].f, v->qs[q].q);
			int dup = 0;

			for (size_t p = 0; p < q; p++)
				dup |= strcmp(id, form_question_id(v->qs[p].f, v->qs[p].q)) == 0;
			if (dup)
				continue;
			n = snprintf(buf + o, len - o, "%s%s", buf[o - 1] == '(' ? "" : ", ", id);
			o += n > 0 ? (size_t)n : 0;
		}
		if (o < len) {
			n = snprintf(buf + o, len - o, ")");
			o += n > 0 ? (size_t)n : 0;
		}
	}
	if (o < len)
		snprintf(buf + o, len - o, "%s%s", o ? ", " : "", s->ctdc ? "yearOfRegistration" :
		    "month, year, outcome, flags");
}

/* Resolves a --by name: a report name, a question id carrying one, or a
 * built-in variable. */
static enum status
var_resolve(struct stats *s, const struct dataset *ds, const char *name, struct var **out,
    char *err, size_t errlen)
{
	char list[1024];
	struct var *v = var_find(s, name);
	int question = 0, unreported = 0;

	if (v == NULL && s->ctdc && strcmp(name, "year") == 0)
		v = var_find(s, "yearOfRegistration");
	for (size_t k = 0; v == NULL && k < dataset_form_count(ds); k++) {
		const struct form *f = dataset_form(ds, k);
		int q = form_question_find(f, name);

		if (q < 0)
			continue;
		question = 1;
		if (form_question_report(f, (size_t)q) != NULL)
			v = var_find(s, form_question_report(f, (size_t)q));
		else
			unreported = 1;
	}
	reportable_list(s, list, sizeof list);
	if (v != NULL && v->text) {
		status_msg(err, errlen, "'%s' is free text: statistics never count free text. Reportable "
		    "fields: %s", name, list);
		return ST_INVALID;
	}
	if (v != NULL && s->ctdc && !var_countable(s, v)) {
		status_msg(err, errlen, "'%s' is not a variable of the CTDC standard, so --ctdc cannot "
		    "show it. CTDC fields here: %s", name, list);
		return ST_INVALID;
	}
	if (v == NULL) {
		if (question && unreported)
			status_msg(err, errlen, "'%s' is not reportable: its question has no report: key in "
			    "the form. Reportable fields: %s", name, list);
		else
			status_msg(err, errlen, "'%s' is not a reportable field. Reportable fields: %s", name,
			    list);
		return ST_INVALID;
	}
	*out = v;
	return ST_OK;
}

/* ---- counting ------------------------------------------------------------------- */

/* Writes the value of answer a to question q of f into buf; NULL when the
 * answer is not a value (declined, don't know) or cannot be shown. */
static const char *
answer_value(const struct form *f, size_t q, json_t *a, char *buf, size_t len)
{
	enum form_qtype t = form_question_type(f, q);
	const char *s = json_string_value(a);
	json_t *it;
	size_t i, o = 0;

	switch (t) {
	case FORM_YES_NO:
	case FORM_SELECT_ONE:
		return s;
	case FORM_DATE:
		if (s == NULL || strlen(s) < 7)
			return NULL;
		snprintf(buf, len, "%.7s", s);
		return buf;
	case FORM_INTEGER:
	case FORM_DECIMAL:
		if (!json_is_number(a) || json_number_value(a) < 0)
			return NULL;
		return age_band(json_number_value(a));
	case FORM_SELECT_MULTIPLE:
		if (!json_is_array(a) || json_array_size(a) == 0)
			return NULL;
		buf[0] = '\0';
		json_array_foreach(a, i, it) {
			int n = snprintf(buf + o, len - o, "%s%s", i ? ";" : "",
			    json_string_value(it) ? json_string_value(it) : "");

			if (n < 0 || (size_t)n >= len - o)
				return NULL;
			o += (size_t)n;
		}
		return buf;
	case FORM_TEXT:
	case FORM_NOTE:
	case FORM_CALCULATE:
		break;
	}
	return NULL;
}

/* The flags a record raised, joined with ';' in its order (as a
 * select_multiple is); "none" when it raised none; unknown for a record
 * made before its form had flags (it says nothing either way). */
static const char *
flags_value(json_t *rec, char *buf, size_t len)
{
	json_t *flags = json_object_get(rec, "flags"), *it;
	size_t i, used = 0;

	if (!json_is_array(flags))
		return UNKNOWN_CODE;
	if (json_array_size(flags) == 0)
		return NO_FLAG;
	buf[0] = '\0';
	json_array_foreach(flags, i, it) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ";" : "", dataset_str(it, "id"));

		if (n < 0 || (size_t)n >= len - used)
			return UNKNOWN_CODE;
		used += (size_t)n;
	}
	return buf;
}

static const char *
record_value(const struct stats *s, const struct var *v, json_t *rec, const struct form *f,
    char *buf, size_t len)
{
	json_t *answers = json_object_get(rec, "answers");
	const char *started = dataset_str(rec, "started");

	if (v->builtin == VAR_OUTCOME) {
		const char *o = dataset_str(json_object_get(rec, "outcome"), "id");

		return *o ? o : UNKNOWN_CODE;
	}
	if (v->builtin == VAR_FLAGS)
		return flags_value(rec, buf, len);
	if (v->builtin == VAR_MONTH || v->builtin == VAR_YEAR) {
		if (strlen(started) < 7)
			return UNKNOWN_CODE;
		snprintf(buf, len, "%.*s", v->builtin == VAR_MONTH ? 7 : 4, started);
		return buf;
	}
	for (size_t i = 0; i < v->nqs; i++) {
		const char *val;

		if (v->qs[i].f != f)
			continue;
		val = answer_value(f, v->qs[i].q,
		    json_object_get(answers, form_question_id(f, v->qs[i].q)), buf, len);
		if (val != NULL)
			return coded(s, v, val);
	}
	return coded(s, v, UNKNOWN_CODE);
}

/* Only the interned value indices of a consenting record are kept; the
 * record itself is gone when the scan moves on. */
static int
count_one(void *ctx, const struct record_id *id, const char *json, size_t len, json_t *rec,
    const struct form *f)
{
	struct stats *s = ctx;
	char buf[1024];

	(void)id;
	(void)json;
	(void)len;
	if (strcmp(dataset_str(json_object_get(rec, "consent"), "statistics"), "yes") != 0) {
		s->no_consent++;
		return 0;
	}
	if (s->ntuples == s->tcap) {
		size_t cap = s->tcap ? 2 * s->tcap : 1024;
		size_t *grown = realloc(s->tuples, cap * (s->nused ? s->nused : 1) * sizeof *grown);

		if (grown == NULL) {
			s->fail = ST_NOMEM;
			return 1;
		}
		s->tuples = grown;
		s->tcap = cap;
	}
	for (size_t u = 0; u < s->nused; u++) {
		struct var *v = &s->vars[s->used[u]];
		size_t ix = value_intern(v, record_value(s, v, rec, f, buf, sizeof buf));

		if (ix == (size_t)-1) {
			s->fail = ST_NOMEM;
			return 1;
		}
		s->tuples[s->ntuples * s->nused + u] = ix;
	}
	s->ntuples++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Output order: known values as seeded, then the others sorted, unknown
 * last. */
static enum status
var_order(const struct stats *s, struct var *v)
{
	const char *unknown = coded(s, v, UNKNOWN_CODE);
	char ***extra;
	size_t n = 0, pos = 0, unk = (size_t)-1;

	v->rank = malloc((v->nvalues ? v->nvalues : 1) * sizeof *v->rank);
	v->order = malloc((v->nvalues ? v->nvalues : 1) * sizeof *v->order);
	extra = malloc((v->nvalues ? v->nvalues : 1) * sizeof *extra);
	if (v->rank == NULL || v->order == NULL || extra == NULL) {
		free(extra);
		return ST_NOMEM;
	}
	for (size_t i = 0; i < v->nvalues; i++) {
		if (strcmp(v->values[i], unknown) == 0)
			unk = i;
		else if (i < v->nseeded)
			v->order[pos++] = i;
		else
			extra[n++] = &v->values[i];
	}
	qsort(extra, n, sizeof *extra, cmp_str);
	for (size_t i = 0; i < n; i++)
		v->order[pos++] = (size_t)(extra[i] - v->values);
	if (unk != (size_t)-1)
		v->order[pos++] = unk;
	for (size_t p = 0; p < pos; p++)
		v->rank[v->order[p]] = p;
	free(extra);
	return ST_OK;
}

/* ---- tables and suppression ------------------------------------------------------ */

#define AT(t, r, c) ((r) * ((t)->cols + 1) + (c))

static enum status
table_fill(struct stats *s, struct table *t, size_t ua, size_t ub, int two)
{
	size_t n = (t->a->nvalues + 1) * ((two ? t->b->nvalues : 1) + 1);

	t->rows = t->a->nvalues;
	t->cols = two ? t->b->nvalues : 1;
	t->v = calloc(n, sizeof *t->v);
	t->flag = calloc(n, 1);
	if (t->v == NULL || t->flag == NULL)
		return ST_NOMEM;
	for (size_t i = 0; i < s->ntuples; i++) {
		const size_t *tu = &s->tuples[i * s->nused];
		size_t r = t->a->rank[tu[ua]], c = two ? t->b->rank[tu[ub]] : 0;

		t->v[AT(t, r, c)]++;
		if (two) {
			t->v[AT(t, r, t->cols)]++;
			t->v[AT(t, t->rows, c)]++;
			t->v[AT(t, t->rows, t->cols)]++;
		} else {
			t->v[AT(t, t->rows, 0)]++;
		}
	}
	if (!two)
		for (size_t r = 0; r <= t->rows; r++)
			t->v[AT(t, r, 1)] = t->v[AT(t, r, 0)];
	return ST_OK;
}

/* The sdc cell of every entry of every table: one cell per distinct count.
 * Cell 0 is the grand total; one-way table u has its cells in a run; a
 * cross-table's margins are the cells of the one-way tables of its two
 * variables, so each count is one cell wherever it is printed. */
static enum status
cells_assign(struct stats *s, size_t *ncells)
{
	size_t next = 1;

	for (size_t i = 0; i < s->ntables; i++) {
		struct table *t = &s->tables[i];
		const struct table *ta = &s->tables[t->ua], *tb = &s->tables[t->ub];
		size_t n = (t->rows + 1) * (t->cols + 1);

		if ((t->cell = calloc(n, sizeof *t->cell)) == NULL)
			return ST_NOMEM;
		if (t->b == NULL) {
			for (size_t r = 0; r < t->rows; r++)
				t->cell[AT(t, r, 0)] = t->cell[AT(t, r, 1)] = next++;
			continue;
		}
		for (size_t r = 0; r < t->rows; r++)
			for (size_t c = 0; c < t->cols; c++)
				t->cell[AT(t, r, c)] = next++;
		for (size_t r = 0; r < t->rows; r++)
			t->cell[AT(t, r, t->cols)] = ta->cell[AT(ta, r, 0)];
		for (size_t c = 0; c < t->cols; c++)
			t->cell[AT(t, t->rows, c)] = tb->cell[AT(tb, c, 0)];
	}
	*ncells = next;
	return ST_OK;
}

/* Puts tables [0, n) into m: their counts and their lines. */
static enum status
model_add(const struct stats *s, struct sdc *m, size_t n)
{
	size_t *e = NULL;
	enum status st = ST_OK;

	sdc_set(m, 0, s->ntuples);
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		const struct table *t = &s->tables[i];
		size_t len = (t->rows > t->cols ? t->rows : t->cols) + 1;

		free(e);
		if ((e = malloc(len * sizeof *e)) == NULL)
			return ST_NOMEM;
		for (size_t r = 0; r <= t->rows; r++)
			for (size_t c = 0; c <= t->cols; c++)
				sdc_set(m, t->cell[AT(t, r, c)], t->v[AT(t, r, c)]);
		if (t->b == NULL) {
			for (size_t r = 0; r < t->rows; r++)
				e[r] = t->cell[AT(t, r, 0)];
			st = sdc_line(m, e, t->rows, 0);
			continue;
		}
		for (size_t r = 0; r < t->rows && st == ST_OK; r++) {
			for (size_t c = 0; c < t->cols; c++)
				e[c] = t->cell[AT(t, r, c)];
			st = sdc_line(m, e, t->cols, t->cell[AT(t, r, t->cols)]);
		}
		for (size_t c = 0; c < t->cols && st == ST_OK; c++) {
			for (size_t r = 0; r < t->rows; r++)
				e[r] = t->cell[AT(t, r, c)];
			st = sdc_line(m, e, t->rows, t->cell[AT(t, t->rows, c)]);
		}
	}
	free(e);
	return st;
}

static void
flags_take(struct stats *s, const struct sdc *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct table *t = &s->tables[i];

		for (size_t e = 0; e < (t->rows + 1) * (t->cols + 1); e++)
			t->flag[e] = sdc_hidden(m, t->cell[e]) ? HIDDEN : SHOWN;
	}
}

static void
work_add(struct sdc_work *to, const struct sdc_work *w)
{
	to->lps += w->lps;
	to->mips += w->mips;
	to->hidden_primary += w->hidden_primary;
	to->hidden_more += w->hidden_more;
}

/* A release: every table in one run, nothing frozen but the grand total.
 * A query: suppression in two runs (sdc.h). First every one-way table, together:
 * they depend only on the population, so every query on it prints them
 * alike. Then a cross-table, with the one-way tables' figures frozen as
 * they were published: only its inner cells may be hidden for it. The
 * grand total is always shown (the header prints it). */
static enum status
suppress(struct stats *s, char *err, size_t errlen)
{
	size_t ncells, nway = s->nused;
	struct sdc *m = NULL;
	struct sdc_work w;
	enum status st;

	if ((st = cells_assign(s, &ncells)) != ST_OK)
		return st;
	if ((m = sdc_new(ncells)) == NULL)
		return ST_NOMEM;
	sdc_freeze(m, 0);
	if (s->release)
		nway = s->ntables;
	if ((st = model_add(s, m, nway)) != ST_OK || (st = sdc_protect(m, s->k, &w)) != ST_OK)
		goto out;
	work_add(&s->work, &w);
	flags_take(s, m, nway);
	if (s->ntables == nway)
		goto out;
	sdc_free(m);
	if ((m = sdc_new(ncells)) == NULL)
		return ST_NOMEM;
	if ((st = model_add(s, m, s->ntables)) != ST_OK)
		goto out;
	sdc_freeze(m, 0);
	for (size_t i = 0; i < nway; i++) {
		const struct table *t = &s->tables[i];

		for (size_t r = 0; r < t->rows; r++) {
			sdc_freeze(m, t->cell[AT(t, r, 0)]);
			if (t->flag[AT(t, r, 0)] != SHOWN)
				sdc_hide(m, t->cell[AT(t, r, 0)]);
		}
	}
	if ((st = sdc_protect(m, s->k, &w)) == ST_INVALID)
		status_msg(err, errlen, "this cross-table cannot be published: even with every inner cell "
		    "hidden, its margins (the one-way tables' published counts) would narrow a "
		    "hidden count to fewer than %u values; publish the one-way tables instead",
		    s->k + 1);
	if (st != ST_OK)
		goto out;
	work_add(&s->work, &w);
	flags_take(s, m, s->ntables);
out:
	if (st == ST_INTERNAL)
		status_msg(err, errlen, "the linear-programming audit of the suppression failed");
	sdc_free(m);
	return st;
}

/* ---- computing ------------------------------------------------------------------- */

void
stats_free(struct stats *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nvars; i++) {
		struct var *v = &s->vars[i];

		for (size_t j = 0; j < v->nvalues; j++)
			free(v->values[j]);
		free(v->values);
		free(v->qs);
		free(v->rank);
		free(v->order);
	}
	free(s->vars);
	for (size_t i = 0; i < s->ntables; i++) {
		free(s->tables[i].v);
		free(s->tables[i].flag);
		free(s->tables[i].cell);
	}
	free(s->tables);
	free(s->used);
	free(s->pairs);
	free(s->tuples);
	dataset_free(s->ds);
	free(s);
}

/* The index in used of the field called name, added when missing. */
static enum status
use_field(struct stats *s, const char *name, size_t *at, char *err, size_t errlen)
{
	struct var *v;
	enum status st = var_resolve(s, s->ds, name, &v, err, errlen);
	size_t u;

	if (st != ST_OK)
		return st;
	for (u = 0; u < s->nused && &s->vars[s->used[u]] != v; u++)
		;
	if (u == s->nused)
		s->used[s->nused++] = (size_t)(v - s->vars);
	*at = u;
	return ST_OK;
}

static enum status
choose_vars(struct stats *s, const struct stats_opts *o, const struct stats_release *rel,
    char *err, size_t errlen)
{
	size_t at[STATS_BY_MAX];

	s->used = calloc(s->nvars ? s->nvars : 1, sizeof *s->used);
	s->pairs = calloc(rel->ncross ? rel->ncross : 1, sizeof *s->pairs);
	if (s->used == NULL || s->pairs == NULL)
		return ST_NOMEM;
	/* Every one-way table is counted whatever was asked, so that what is
	 * printed is suppressed together with what any other query prints. */
	for (size_t i = 0; i < s->nvars; i++)
		if (s->vars[i].builtin == VAR_REPORT && var_countable(s, &s->vars[i]))
			s->used[s->nused++] = i;
	for (size_t i = 0; i < o->nby; i++) {
		enum status st = use_field(s, o->by[i], &at[i], err, errlen);

		if (st != ST_OK)
			return st;
		if (i == 1 && at[1] == at[0]) {
			status_msg(err, errlen, "'%s' is named twice in --by", o->by[i]);
			return ST_INVALID;
		}
	}
	s->nby = o->nby;
	s->bya = o->nby > 0 ? at[0] : 0;
	s->byb = o->nby > 1 ? at[1] : 0;
	if (o->nby == 2) {
		s->pairs[0][0] = at[0];
		s->pairs[0][1] = at[1];
		s->npairs = 1;
	}
	for (size_t i = 0; i < rel->ncross; i++) {
		enum status st;

		if ((st = use_field(s, rel->cross[i][0], &s->pairs[i][0], err, errlen)) != ST_OK ||
		    (st = use_field(s, rel->cross[i][1], &s->pairs[i][1], err, errlen)) != ST_OK)
			return st;
		if (s->pairs[i][0] == s->pairs[i][1]) {
			status_msg(err, errlen, "the cross-table %s by %s names one field twice",
			    rel->cross[i][0], rel->cross[i][1]);
			return ST_INVALID;
		}
		for (size_t j = 0; j < i; j++)
			if ((s->pairs[j][0] == s->pairs[i][0] && s->pairs[j][1] == s->pairs[i][1]) ||
			    (s->pairs[j][0] == s->pairs[i][1] && s->pairs[j][1] == s->pairs[i][0])) {
				status_msg(err, errlen, "the cross-table %s by %s is named twice",
				    rel->cross[i][0], rel->cross[i][1]);
				return ST_INVALID;
			}
		s->npairs++;
	}
	return ST_OK;
}

enum status
stats_compute(struct vault *v, const struct stats_opts *o, struct stats **out,
    char *err, size_t errlen)
{
	return stats_compute_release(v, o, NULL, out, err, errlen);
}

enum status
stats_compute_release(struct vault *v, const struct stats_opts *o,
    const struct stats_release *rel, struct stats **out, char *err, size_t errlen)
{
	static const struct stats_release none = { NULL, 0, NULL, NULL };
	struct dataset_filter filter = { o->form_id, o->since };
	struct stats *s;
	enum status st;

	*out = NULL;
	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can produce statistics");
		return ST_DENIED;
	}
	if ((st = stats_check_k(o->k, err, errlen)) != ST_OK)
		return st;
	if (o->nby > STATS_BY_MAX) {
		status_msg(err, errlen, "--by takes at most %d fields: finer cross-tabulations leave "
		    "almost every cell under k", STATS_BY_MAX);
		return ST_INVALID;
	}
	if (o->form_id != NULL || o->since != NULL) {
		status_msg(err, errlen, "statistics count every record of the vault: --%s is refused, "
		    "because two counts whose populations differ by a few records (one form "
		    "or day more or less) publish those records' answers by subtraction",
		    o->since != NULL ? "since" : "form");
		return ST_INVALID;
	}
	if (o->lang != NULL && strlen(o->lang) >= sizeof s->lang) {
		status_msg(err, errlen, "no form has the language '%.32s'", o->lang);
		return ST_INVALID;
	}
	if (rel != NULL && o->nby) {
		status_msg(err, errlen, "a release takes its cross-tables from its plan, not --by");
		return ST_INVALID;
	}
	if (rel != NULL && rel->ncross > STATS_CROSS_MAX) {
		status_msg(err, errlen, "a release has at most %d cross-tables", STATS_CROSS_MAX);
		return ST_INVALID;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		return ST_NOMEM;
	s->k = o->k;
	s->release = rel != NULL;
	if (rel == NULL)
		rel = &none;
	s->ctdc = o->ctdc;
	snprintf(s->lang, sizeof s->lang, "%s", o->lang ? o->lang : "");
	s->words = o->words;
	if ((st = dataset_open(v, o->forms_dir, &filter, &s->ds, err, errlen)) != ST_OK)
		goto failed;
	if ((st = dataset_set_period(s->ds, rel->from, rel->before)) != ST_OK) {
		status_msg(err, errlen, "a period's bounds are dates, YYYY-MM-DD");
		goto failed;
	}
	if ((st = vars_build(s, s->ds)) != ST_OK || (st = choose_vars(s, o, rel, err, errlen)) != ST_OK)
		goto failed;
	for (size_t u = 0; u < s->nused; u++)
		if ((st = var_seed(s, &s->vars[s->used[u]])) != ST_OK)
			goto failed;
	st = dataset_scan(s->ds, count_one, s, &s->counts, err, errlen);
	if (st == ST_OK)
		st = s->fail;
	if (st != ST_OK)
		goto failed;
	for (size_t u = 0; u < s->nused; u++)
		if ((st = var_order(s, &s->vars[s->used[u]])) != ST_OK)
			goto failed;
	s->ntables = s->nused + s->npairs;
	s->tables = calloc(s->ntables ? s->ntables : 1, sizeof *s->tables);
	if (s->tables == NULL) {
		st = ST_NOMEM;
		goto failed;
	}
	for (size_t i = 0; i < s->ntables; i++) {
		struct table *t = &s->tables[i];
		int two = i >= s->nused;

		t->ua = two ? s->pairs[i - s->nused][0] : i;
		t->ub = two ? s->pairs[i - s->nused][1] : 0;
		t->a = &s->vars[s->used[t->ua]];
		t->b = two ? &s->vars[s->used[t->ub]] : NULL;
		if ((st = table_fill(s, t, t->ua, t->ub, two)) != ST_OK)
			goto failed;
	}
	/* Below k records, every count but zeros would be hidden: nothing is
	 * published but "fewer than k". */
	s->published = s->ntuples >= s->k;
	if (s->published && (st = suppress(s, err, errlen)) != ST_OK)
		goto failed;
	/* The per-record tuples are no longer needed: drop them now. */
	s->counted = s->ntuples;
	free(s->tuples);
	s->tuples = NULL;
	s->ntuples = 0;
	*out = s;
	return ST_OK;
failed:
	if (st == ST_NOMEM)
		status_msg(err, errlen, "out of memory while counting");
	if (st == ST_INTERNAL && err[0] == '\0')
		status_msg(err, errlen, "internal error while counting");
	stats_free(s);
	return st;
}

size_t
stats_counted(const struct stats *s)
{
	return s->counted;
}

size_t
stats_no_consent(const struct stats *s)
{
	return s->no_consent;
}

const struct dataset_counts *
stats_left_out(const struct stats *s)
{
	return &s->counts;
}

/* The text of a table (never the CSV, which is for programs) is in the
 * language of s->words: its messages are marked as core/words.h says. */
#define _(m) words_get(s->words, m)

const char *
stats_figure(const struct stats *s, size_t n, char *buf, size_t len)
{
	if (n >= s->k)
		snprintf(buf, len, "%zu", n);
	else
		/* TRANSLATORS: a statistics release's figure below k. */
		snprintf(buf, len, _("fewer than %u"), s->k);
	return buf;
}

const struct sdc_work *
stats_work(const struct stats *s)
{
	return &s->work;
}

/* ---- output ------------------------------------------------------------------------ */

struct text {
	char *p;
	size_t len, cap;
	int failed;
};

static void tprintf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
tprintf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = 1;
		return;
	}
	if (t->p == NULL || t->len + (size_t)n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *grown;

		while (t->len + (size_t)n + 1 > cap)
			cap *= 2;
		if ((grown = realloc(t->p, cap)) == NULL) {
			t->failed = 1;
			return;
		}
		t->p = grown;
		t->cap = cap;
		va_start(ap, fmt);
		vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
	}
	t->len += (size_t)n;
}

static const char *
count_text(const struct stats *s, const struct table *t, size_t e, char buf[32])
{
	(void)s;
	if (t->flag[e] != SHOWN)
		snprintf(buf, 32, "x");
	else
		snprintf(buf, 32, "%zu", t->v[e]);
	return buf;
}

/* Whether table i is printed: what was asked for, when anything is. */
static int
printed(const struct stats *s, size_t i)
{
	if (!s->published)
		return 0;
	if (s->release)
		return 1;
	if (s->nby == 0)
		return s->tables[i].b == NULL && s->tables[i].a->builtin == VAR_REPORT;
	if (s->nby == 1)
		return i == s->bya;
	return i == s->nused;
}

static const char *
value_text(const struct var *v, size_t pos)
{
	return v->values[v->order[pos]];
}

/* The label of one value code of v, from the first question whose choice
 * list has it; "" when none. */
static const char *
label_one(const struct stats *s, const struct var *v, const char *code, size_t len)
{
	for (size_t i = 0; i < v->nqs; i++) {
		const struct form *f = v->qs[i].f;
		int list = form_question_choices(f, v->qs[i].q);
		int c = list >= 0 ? form_choice_find(f, (size_t)list, code, len) : -1;
		size_t lang = s->lang[0] ? form_lang_match(f, s->lang) : 0;

		if (c >= 0)
			return form_choice_label(f, (size_t)list, (size_t)c, lang);
	}
	return "";
}

static void
value_label(struct text *out, const struct stats *s, const struct var *v, const char *value)
{
	const char *p = value;
	int first = 1;

	if (s->ctdc || v->builtin != VAR_REPORT)
		return;
	while (*p) {
		size_t n = strcspn(p, ";");
		const char *l = label_one(s, v, p, n);

		if (*l)
			tprintf(out, "%s%s", first ? "" : "; ", l);
		first = 0;
		p += n;
		if (*p == ';')
			p++;
	}
}

static void
title(struct text *out, const struct stats *s, const struct var *v)
{
	if (s->ctdc || v->builtin != VAR_REPORT || strcmp(v->local, v->name) == 0)
		tprintf(out, "%s", var_shown(s, v));
	else
		tprintf(out, "%s (%s)", v->local, v->name);
}

static size_t
max_width(const struct var *v, size_t min)
{
	for (size_t i = 0; i < v->nvalues; i++)
		if (strlen(v->values[i]) > min)
			min = strlen(v->values[i]);
	return min;
}

/* txt in a column w display columns wide, on the right when right: a
 * translated heading is measured in columns, not bytes. */
static void
padded(struct text *out, const char *txt, size_t w, int right)
{
	int cols = u8_strwidth((const uint8_t *)txt, "UTF-8");
	size_t n = cols > 0 && (size_t)cols < w ? w - (size_t)cols : 0;

	tprintf(out, "%*s%s%*s", right ? (int)n : 0, "", txt, right ? 0 : (int)n, "");
}

static void
table_oneway(struct text *out, const struct stats *s, const struct table *t)
{
	size_t w = max_width(t->a, strlen(TOTAL_CODE));
	char buf[32];

	title(out, s, t->a);
	tprintf(out, "\n  ");
	/* TRANSLATORS: the headings of a statistics table's columns. */
	padded(out, _("value"), w, 0);
	tprintf(out, "  ");
	padded(out, _("count"), 8, 1);
	tprintf(out, "  %s\n", s->ctdc ? "" : _("label"));
	for (size_t r = 0; r <= t->rows; r++) {
		tprintf(out, "  %-*s  %8s", (int)w, r < t->rows ? value_text(t->a, r) : TOTAL_CODE,
		    count_text(s, t, AT(t, r, 0), buf));
		if (r < t->rows) {
			tprintf(out, "  ");
			value_label(out, s, t->a, value_text(t->a, r));
		}
		tprintf(out, "\n");
	}
	tprintf(out, "\n");
}

static void
table_twoway(struct text *out, const struct stats *s, const struct table *t)
{
	size_t w = max_width(t->a, strlen(TOTAL_CODE)), cw = strlen(TOTAL_CODE);
	char buf[32];

	for (size_t c = 0; c < t->cols; c++)
		if (strlen(value_text(t->b, c)) > cw)
			cw = strlen(value_text(t->b, c));
	title(out, s, t->a);
	/* TRANSLATORS: between the two fields of a cross-table's title. */
	tprintf(out, " %s ", _("by"));
	title(out, s, t->b);
	tprintf(out, "\n  %-*s", (int)w, "");
	for (size_t c = 0; c <= t->cols; c++)
		tprintf(out, "  %*s", (int)cw, c < t->cols ? value_text(t->b, c) : TOTAL_CODE);
	tprintf(out, "\n");
	for (size_t r = 0; r <= t->rows; r++) {
		tprintf(out, "  %-*s", (int)w, r < t->rows ? value_text(t->a, r) : TOTAL_CODE);
		for (size_t c = 0; c <= t->cols; c++)
			tprintf(out, "  %*s", (int)cw, count_text(s, t, AT(t, r, c), buf));
		tprintf(out, "\n");
	}
	tprintf(out, "\n");
}

/* RFC 4180 cell: values are codes, but a form may use anything printable. */
static void
csv_cell(struct text *out, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		tprintf(out, "\"");
		for (; *s; s++)
			tprintf(out, *s == '"' ? "\"\"" : "%c", *s);
		tprintf(out, "\"");
	} else {
		tprintf(out, "%s", s);
	}
	tprintf(out, last ? "\r\n" : ",");
}

/* A release mixes one-way and cross-tables in one file: each row names its
 * variables (a one-way row leaves the second pair empty). Below k counted
 * records it is the header alone, as the text publishes no table: nothing
 * was suppressed, so every count would be exact. */
static void
csv_release(struct text *out, const struct stats *s)
{
	char buf[32];

	tprintf(out, "%s", STATS_RELEASE_CSV_HEAD);
	if (!s->published)
		return;
	for (size_t i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];

		for (size_t r = 0; r <= t->rows; r++) {
			for (size_t c = 0; c <= (t->b ? t->cols : 0); c++) {
				csv_cell(out, var_shown(s, t->a), 0);
				csv_cell(out, r < t->rows ? value_text(t->a, r) : TOTAL_CODE, 0);
				csv_cell(out, t->b ? var_shown(s, t->b) : "", 0);
				csv_cell(out, t->b == NULL ? "" : c < t->cols ? value_text(t->b, c) :
				    TOTAL_CODE, 0);
				csv_cell(out, count_text(s, t, AT(t, r, c), buf), 1);
			}
		}
	}
}

static void
csv_tables(struct text *out, const struct stats *s)
{
	char buf[32];

	if (s->release) {
		csv_release(out, s);
		return;
	}
	if (s->nby < 2)
		tprintf(out, "variable,value,count\r\n");
	else {
		csv_cell(out, var_shown(s, s->tables[s->nused].a), 0);
		csv_cell(out, var_shown(s, s->tables[s->nused].b), 0);
		tprintf(out, "count\r\n");
	}
	for (size_t i = 0; i < s->ntables; i++) {
		const struct table *t = &s->tables[i];

		if (!printed(s, i))
			continue;

		for (size_t r = 0; r <= t->rows; r++) {
			for (size_t c = 0; c <= (t->b ? t->cols : 0); c++) {
				if (t->b == NULL)
					csv_cell(out, var_shown(s, t->a), 0);
				csv_cell(out, r < t->rows ? value_text(t->a, r) : TOTAL_CODE, 0);
				if (t->b != NULL)
					csv_cell(out, c < t->cols ? value_text(t->b, c) : TOTAL_CODE, 0);
				csv_cell(out, count_text(s, t, AT(t, r, c), buf), 1);
			}
		}
	}
}

enum status
stats_format(const struct stats *s, enum stats_format fmt, char **out, size_t *len)
{
	const struct dataset_counts *lo = &s->counts;
	struct text t = { NULL, 0, 0, 0 };
	char buf[32];

	*out = NULL;
	*len = 0;
	if (fmt == STATS_CSV) {
		csv_tables(&t, s);
	} else {
		char buf2[32];

		tprintf(&t, _("Anonymous statistics (k = %u)\n"), s->k);
		tprintf(&t, _("Counted: %s records whose respondent agreed to anonymous "
		    "statistics.\n"), stats_figure(s, s->counted, buf, sizeof buf));
		tprintf(&t, _("Excluded: %s records without that consent.\n"),
		    stats_figure(s, s->no_consent, buf, sizeof buf));
		if (lo->training > 0 || lo->damaged > 0)
			tprintf(&t, _("Left out: %s training records, %s that failed the integrity "
			    "check.\n"), stats_figure(s, lo->training, buf, sizeof buf),
			    stats_figure(s, lo->damaged, buf2, sizeof buf2));
		if (!s->published)
			tprintf(&t, _("No table is published below %u records.\n"), s->k);
		else
			/* TRANSLATORS: keep "x": it is what the tables print. */
			tprintf(&t, _("\"x\" is a hidden count (0 or more): every count from 1 to %u "
			    "is hidden, and enough others that no combination of the published "
			    "figures narrows a hidden count to fewer than %u possible values.\n\n"),
			    s->k - 1, s->k + 1);
		for (size_t i = 0; i < s->ntables; i++) {
			if (!printed(s, i))
				continue;
			if (s->tables[i].b != NULL)
				table_twoway(&t, s, &s->tables[i]);
			else
				table_oneway(&t, s, &s->tables[i]);
		}
	}
	if (t.failed || t.p == NULL) {
		free(t.p);
		return ST_NOMEM;
	}
	*out = t.p;
	*len = t.len;
	return ST_OK;
}
