/*
 * export.c — CSV and JSON Lines exports (see export.h for the columns).
 *
 * Output goes through stdio with a buffer in secure memory, so the pieces of
 * records passing through it are wiped; jansson frees through the wiping
 * allocator (crypto_json_wipe_allocator_install).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unistr.h>

#include "crypto.h"
#include "export.h"
#include "expr.h"
#include "interview.h"
#include "textcheck.h"

#define OUT_BUFFER     (64 * 1024)
#define DECLINED_CODE  "[declined]"
#define DONT_KNOW_CODE "[dont_know]"

static const char *const record_columns[] = {
	"_case", "_record_id", "_form", "_form_version", "_lang", "_interviewer",
	"_started", "_ended", "_status", "_ended_reason", "_outcome", "_outcome.label",
	"_flags", "_indicators", "_consent_interview", "_consent_referral", "_consent_statistics",
};

/* One question column group, shared by every form that has the question. */
struct column {
	const char *id;             /* owned by the form that added it */
	int labelled;               /* a choice question in some form */
	int numeric;                /* integer or decimal in every form */
	const char **choices;       /* select_multiple: union of values */
	size_t nchoices;
};

/* Per selected form: its language index, the index of each column's
 * question in it (-1: none), and its words for the special answers. */
struct form_map {
	const struct form *f;
	size_t lang;
	int *q;
	char declined[64];
	char dont_know[64];
};

/* A growing string, wiped before it is freed or reused for another record. */
struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	int failed;
};

struct exporter {
	FILE *out;
	struct sbuf buf;
	struct sbuf buf2;
	enum export_format format;
	struct column *cols;
	size_t ncols;
	struct form_map *maps;
	size_t nmaps;
	size_t rows;
	int failed;                 /* out of memory while writing */
};

static void
sbuf_add(struct sbuf *b, const char *sep, const char *s)
{
	size_t sl = strlen(sep), n = strlen(s);

	if (wiped_grow(&b->p, &b->cap, b->len, b->len + sl + n + 1, 256) != 0) {
		b->failed = 1;
		return;
	}
	memcpy(b->p + b->len, sep, sl);
	memcpy(b->p + b->len + sl, s, n);
	b->len += sl + n;
	b->p[b->len] = '\0';
}

/* Empties b for the next cell: its text becomes "" (not only its length 0),
 * so a cell written from b with nothing added is empty, never the previous
 * cell's words. What was there is wiped first. */
static void
sbuf_reset(struct sbuf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->len);
		b->p[0] = '\0';
	}
	b->len = 0;
}

static void
sbuf_free(struct sbuf *b)
{
	if (b->p != NULL) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof *b);
}

int
export_create(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		int e = errno;

		if (e == EEXIST)
			status_msg(err, errlen, "%s already exists: an export never replaces a file; choose "
			    "a new name or remove the old export first", path);
		else if (e == ENOENT)
			status_msg(err, errlen, "cannot create %s: its directory does not exist", path);
		else
			status_msg(err, errlen, "cannot create %s: %s", path, strerror(e));
		return -1;
	}
	if (fchmod(fd, 0600) != 0) {
		status_msg(err, errlen, "cannot make %s private: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* ---- CSV cells ------------------------------------------------------------ */

static void
csv_sep(struct exporter *x, int *first)
{
	if (!*first)
		putc_unlocked(',', x->out);
	*first = 0;
}

/* Writes the text of a cell, quotes doubled. A spreadsheet or a terminal
 * that shows the file must not be driven by it, so every character
 * textcheck.h names other than TAB, LF and CR (which RFC 4180 allows in a
 * quoted cell) is written as \u{XXXX}, its code point in hex; and a
 * backslash that starts "\u{" in the text is written \u{005C}, so that
 * replacing every \u{XXXX} by its character gives back the exact text
 * (README, "Exporting records"). */
static void
csv_text(struct exporter *x, const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		uint32_t c;
		size_t at = textcheck_find(s + i, len - i, TEXTCHECK_TAB | TEXTCHECK_NEWLINE, &c);
		ucs4_t uc;

		/* Runs of plain text in one write: a character at a time
		 * was an eighth of an export. */
		for (size_t end = i + at; i < end; i++) {
			size_t run = i;

			while (run < end && s[run] != '"' && s[run] != '\\')
				run++;
			fwrite_unlocked(s + i, 1, run - i, x->out);
			if ((i = run) == end)
				break;
			if (s[i] == '"')
				fputs_unlocked("\"\"", x->out);
			else if (s[i + 1] == 'u' && s[i + 2] == '{')
				fputs_unlocked("\\u{005C}", x->out);
			else
				putc_unlocked('\\', x->out);
		}
		if (i >= len)
			break;
		if (c == '\r') {
			putc_unlocked('\r', x->out);
			i++;
		} else if (c == TEXTCHECK_INVALID) {
			/* Not in records (JSON text is UTF-8): a byte stands for
			 * U+FFFD, as a reader would show it. */
			fputs("\\u{FFFD}", x->out);
			i++;
		} else {
			fprintf(x->out, "\\u{%04X}", (unsigned)c);
			i += (size_t)u8_mbtouc(&uc, (const uint8_t *)s + i, len - i);
		}
	}
}

/* Writes one cell: quoted when needed, with the formula defence unless the
 * cell is a number answer. */
static void
csv_cell(struct exporter *x, int *first, const char *s, int numeric)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	csv_sep(x, first);
	if (quote)
		putc_unlocked('"', x->out);
	if (!numeric && s[0] != '\0' && strchr("=+-@\t\r'", s[0]) != NULL)
		putc_unlocked('\'', x->out);
	csv_text(x, s);
	if (quote)
		putc_unlocked('"', x->out);
}

static void
csv_end_row(struct exporter *x)
{
	fputs("\r\n", x->out);
}

/* ---- columns ---------------------------------------------------------------- */

static struct column *
column_find(struct exporter *x, const char *id)
{
	for (size_t i = 0; i < x->ncols; i++)
		if (strcmp(x->cols[i].id, id) == 0)
			return &x->cols[i];
	return NULL;
}

static enum status
column_add_choice(struct column *c, const char *value)
{
	const char **grown;

	for (size_t i = 0; i < c->nchoices; i++)
		if (strcmp(c->choices[i], value) == 0)
			return ST_OK;
	grown = realloc(c->choices, (c->nchoices + 1) * sizeof *grown);
	if (grown == NULL)
		return ST_NOMEM;
	c->choices = grown;
	c->choices[c->nchoices++] = value;
	return ST_OK;
}

static int
is_choice_type(enum form_qtype t)
{
	return t == FORM_YES_NO || t == FORM_SELECT_ONE || t == FORM_SELECT_MULTIPLE;
}

/* The union of the questions of every selected form, in form order. */
static enum status
columns_build(struct exporter *x, const struct dataset *ds)
{
	size_t cap = 0;

	for (size_t k = 0; k < dataset_form_count(ds); k++) {
		const struct form *f = dataset_form(ds, k);

		for (size_t q = 0; q < form_question_count(f); q++) {
			enum form_qtype t = form_question_type(f, q);
			struct column *c;

			if (t == FORM_NOTE)
				continue;
			c = column_find(x, form_question_id(f, q));
			if (c == NULL) {
				if (x->ncols == cap) {
					struct column *grown;

					cap = cap ? 2 * cap : 64;
					grown = realloc(x->cols, cap * sizeof *grown);
					if (grown == NULL)
						return ST_NOMEM;
					x->cols = grown;
				}
				c = &x->cols[x->ncols++];
				memset(c, 0, sizeof *c);
				c->id = form_question_id(f, q);
				c->numeric = 1;
			}
			c->labelled |= is_choice_type(t);
			c->numeric &= t == FORM_INTEGER || t == FORM_DECIMAL;
			if (t == FORM_SELECT_MULTIPLE) {
				size_t list = (size_t)form_question_choices(f, q);

				for (size_t i = 0; i < form_choice_count(f, list); i++)
					if (column_add_choice(c, form_choice_value(f, list, i)) != ST_OK)
						return ST_NOMEM;
			}
		}
	}
	return ST_OK;
}

/* The engine's words for the special answers, in the form's language. */
static enum status
special_words(struct form_map *m)
{
	struct interview *iv;
	enum status st;

	st = interview_start(m->f, form_lang_code(m->f, m->lang), &iv);
	if (st != ST_OK)
		return st;
	snprintf(m->declined, sizeof m->declined, "%s", interview_msg(iv, IV_MSG_DECLINED));
	snprintf(m->dont_know, sizeof m->dont_know, "%s", interview_msg(iv, IV_MSG_DONT_KNOW));
	interview_free(iv);
	return ST_OK;
}

static enum status
maps_build(struct exporter *x, const struct dataset *ds, const char *lang, int *lang_found)
{
	enum status st;

	*lang_found = lang == NULL;
	x->nmaps = dataset_form_count(ds);
	x->maps = calloc(x->nmaps ? x->nmaps : 1, sizeof *x->maps);
	if (x->maps == NULL)
		return ST_NOMEM;
	for (size_t k = 0; k < x->nmaps; k++) {
		struct form_map *m = &x->maps[k];
		int l = lang ? form_lang_find(dataset_form(ds, k), lang) : -1;

		m->f = dataset_form(ds, k);
		m->lang = l >= 0 ? (size_t)l : 0;
		*lang_found |= l >= 0;
		m->q = malloc((x->ncols ? x->ncols : 1) * sizeof *m->q);
		if (m->q == NULL)
			return ST_NOMEM;
		for (size_t c = 0; c < x->ncols; c++)
			m->q[c] = form_question_find(m->f, x->cols[c].id);
		if ((st = special_words(m)) != ST_OK)
			return st;
	}
	return ST_OK;
}

static void
exporter_free(struct exporter *x)
{
	sbuf_free(&x->buf);
	sbuf_free(&x->buf2);
	for (size_t i = 0; i < x->ncols; i++)
		free(x->cols[i].choices);
	free(x->cols);
	for (size_t k = 0; k < x->nmaps; k++)
		free(x->maps[k].q);
	free(x->maps);
}

static const struct form_map *
map_of(const struct exporter *x, const struct form *f)
{
	for (size_t k = 0; k < x->nmaps; k++)
		if (x->maps[k].f == f)
			return &x->maps[k];
	return NULL;
}

/* Writes the cell "a" sep "b" (column names of any length). */
static void
csv_name(struct exporter *x, int *first, const char *a, const char *sep, const char *b)
{
	sbuf_reset(&x->buf);
	sbuf_add(&x->buf, "", a);
	sbuf_add(&x->buf, sep, b);
	x->failed |= x->buf.failed;
	csv_cell(x, first, x->buf.p ? x->buf.p : "", 0);
}

static void
csv_header(struct exporter *x)
{
	int first = 1;

	for (size_t i = 0; i < sizeof record_columns / sizeof record_columns[0]; i++)
		csv_cell(x, &first, record_columns[i], 0);
	for (size_t c = 0; c < x->ncols; c++) {
		const struct column *col = &x->cols[c];

		csv_cell(x, &first, col->id, 0);
		if (col->labelled)
			csv_name(x, &first, col->id, ".", "label");
		for (size_t i = 0; i < col->nchoices; i++)
			csv_name(x, &first, col->id, "/", col->choices[i]);
	}
	csv_end_row(x);
}

/* ---- answers ---------------------------------------------------------------- */

static const char *
choice_label(const struct form_map *m, size_t q, const char *value)
{
	int list = form_question_choices(m->f, q);
	int i = list >= 0 ? form_choice_find(m->f, (size_t)list, value, strlen(value)) : -1;

	return i >= 0 ? form_choice_label(m->f, (size_t)list, (size_t)i, m->lang) : value;
}

enum special { NOT_SPECIAL, DECLINED, DONT_KNOW };

static enum special
special_of(json_t *a)
{
	const char *s = json_is_object(a) ? json_string_value(json_object_get(a, "special")) : NULL;

	if (s == NULL)
		return NOT_SPECIAL;
	return strcmp(s, "declined") == 0 ? DECLINED : strcmp(s, "dont_know") == 0 ?
	    DONT_KNOW : NOT_SPECIAL;
}

/* Writes the code of a scalar answer into buf (numbers) or returns it. */
static const char *
scalar_code(json_t *a, char buf[32])
{
	if (json_is_string(a))
		return json_string_value(a);
	if (json_is_integer(a)) {
		snprintf(buf, 32, "%lld", (long long)json_integer_value(a));
		return buf;
	}
	if (json_is_real(a))
		return expr_format_number(json_real_value(a), buf);
	return "";
}

/* Writes code, label and choice cells of one column for answer a (NULL:
 * none) of question q (-1: not in this record's form). */
static void
csv_answer(struct exporter *x, int *first, const struct column *col, const struct form_map *m,
    int q, json_t *a)
{
	enum special special = special_of(a);
	char num[32];
	size_t i;
	json_t *it;

	if (a == NULL || q < 0) {
		csv_cell(x, first, "", 0);
		if (col->labelled)
			csv_cell(x, first, "", 0);
		for (i = 0; i < col->nchoices; i++)
			csv_cell(x, first, "", 1);
		return;
	}
	if (special != NOT_SPECIAL) {
		csv_cell(x, first, special == DECLINED ? DECLINED_CODE : DONT_KNOW_CODE, 0);
		if (col->labelled)
			csv_cell(x, first, special == DECLINED ? m->declined : m->dont_know, 0);
		for (i = 0; i < col->nchoices; i++)
			csv_cell(x, first, "", 1);
		return;
	}
	if (!json_is_array(a)) {
		const char *code = scalar_code(a, num);

		csv_cell(x, first, code, col->numeric);
		if (col->labelled)
			csv_cell(x, first, form_question_choices(m->f, (size_t)q) >= 0 ?
			    choice_label(m, (size_t)q, code) : "", 0);
		for (i = 0; i < col->nchoices; i++)
			csv_cell(x, first, "", 1);
		return;
	}
	/* select_multiple: codes and labels joined, then one 0/1 per choice. */
	sbuf_reset(&x->buf);
	sbuf_reset(&x->buf2);
	json_array_foreach(a, i, it) {
		const char *v = json_string_value(it) ? json_string_value(it) : "";

		sbuf_add(&x->buf, i ? " " : "", v);
		sbuf_add(&x->buf2, i ? "; " : "", choice_label(m, (size_t)q, v));
	}
	x->failed |= x->buf.failed | x->buf2.failed;
	csv_cell(x, first, x->buf.p ? x->buf.p : "", 0);
	if (col->labelled)
		csv_cell(x, first, x->buf2.p ? x->buf2.p : "", 0);
	for (size_t c = 0; c < col->nchoices; c++) {
		int chosen = 0;

		json_array_foreach(a, i, it)
			if (json_is_string(it) && strcmp(json_string_value(it), col->choices[c]) == 0)
				chosen = 1;
		csv_cell(x, first, chosen ? "1" : "0", 1);
	}
}

static const char *
consent_of(json_t *rec, const char *kind)
{
	return dataset_str(json_object_get(rec, "consent"), kind);
}

static const char *
outcome_id(json_t *rec)
{
	return dataset_str(json_object_get(rec, "outcome"), "id");
}

static const char *
outcome_label(const struct form_map *m, json_t *rec)
{
	int o = form_outcome_find(m->f, outcome_id(rec));

	return o >= 0 ? form_outcome_label(m->f, (size_t)o, m->lang) : "";
}

/* A cell of the ids in list (flags or indicators, each {"id": ...}),
 * separated by spaces; empty when none or when the record has no list. */
static void
csv_ids(struct exporter *x, int *first, json_t *list)
{
	json_t *it;
	size_t i;

	sbuf_reset(&x->buf);
	json_array_foreach(list, i, it)
		sbuf_add(&x->buf, i ? " " : "", dataset_str(it, "id"));
	x->failed |= x->buf.failed;
	csv_cell(x, first, x->buf.p ? x->buf.p : "", 0);
}

static void
csv_row(struct exporter *x, const struct record_id *id, json_t *rec, const struct form_map *m)
{
	char hex[2 * VAULT_ID_BYTES + 1];
	struct case_code code;
	json_t *answers = json_object_get(rec, "answers"), *form = json_object_get(rec, "form");
	int first = 1;

	record_id_code(id, &code);
	record_id_hex(id, hex);
	csv_cell(x, &first, code.s, 0);
	csv_cell(x, &first, hex, 0);
	csv_cell(x, &first, dataset_str(form, "id"), 0);
	csv_cell(x, &first, dataset_str(form, "version"), 0);
	csv_cell(x, &first, dataset_str(rec, "lang"), 0);
	csv_cell(x, &first, dataset_str(rec, "interviewer"), 0);
	csv_cell(x, &first, dataset_str(rec, "started"), 0);
	csv_cell(x, &first, dataset_str(rec, "ended"), 0);
	csv_cell(x, &first, dataset_str(rec, "status"), 0);
	csv_cell(x, &first, dataset_str(rec, "ended_reason"), 0);
	csv_cell(x, &first, outcome_id(rec), 0);
	csv_cell(x, &first, outcome_label(m, rec), 0);
	csv_ids(x, &first, json_object_get(rec, "flags"));
	csv_ids(x, &first, json_object_get(rec, "indicators"));
	csv_cell(x, &first, consent_of(rec, "interview"), 0);
	csv_cell(x, &first, consent_of(rec, "referral"), 0);
	csv_cell(x, &first, consent_of(rec, "statistics"), 0);
	for (size_t c = 0; c < x->ncols; c++)
		csv_answer(x, &first, &x->cols[c], m, m->q[c],
		    m->q[c] >= 0 ? json_object_get(answers, x->cols[c].id) : NULL);
	csv_end_row(x);
}

/* The labels of the flags a record raised, in its order ([] when none). */
static json_t *
flag_labels(json_t *rec, const struct form_map *m)
{
	json_t *labels = json_array(), *it;
	size_t i;

	json_array_foreach(json_object_get(rec, "flags"), i, it) {
		int k = form_flag_find(m->f, dataset_str(it, "id"));

		if (labels != NULL && json_array_append_new(labels,
		    json_string(k >= 0 ? form_flag_label(m->f, (size_t)k, m->lang) : dataset_str(it, "id"))) != 0) {
			json_decref(labels);
			return NULL;
		}
	}
	return labels;
}

/* The labels object of a JSON Lines record. */
static json_t *
jsonl_labels(json_t *rec, const struct form_map *m)
{
	json_t *answers = json_object_get(rec, "answers"), *labels = json_object(), *a;
	const char *qid, *lab = outcome_label(m, rec);
	json_t *out = json_pack("{s:o, s:o, s:o}", "answers", labels,
	    "outcome", *lab ? json_string(lab) : json_null(), "flags", flag_labels(rec, m));

	if (out == NULL)
		return NULL;
	json_object_foreach(answers, qid, a) {
		int q = form_question_find(m->f, qid);
		enum special special = special_of(a);
		json_t *l = NULL, *it;
		size_t i;

		if (special != NOT_SPECIAL)
			l = json_string(special == DECLINED ? m->declined : m->dont_know);
		else if (q < 0 || form_question_choices(m->f, (size_t)q) < 0)
			l = NULL;
		else if (json_is_array(a)) {
			l = json_array();
			json_array_foreach(a, i, it)
				json_array_append_new(l, json_string(choice_label(m, (size_t)q,
				    json_string_value(it) ? json_string_value(it) : "")));
		} else if (json_is_string(a)) {
			l = json_string(choice_label(m, (size_t)q, json_string_value(a)));
		}
		if (l != NULL && json_object_set_new(labels, qid, l) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static void
jsonl_row(struct exporter *x, const struct record_id *id, json_t *rec, const struct form_map *m)
{
	struct case_code code;
	json_t *labels = jsonl_labels(rec, m);
	char *line;

	record_id_code(id, &code);
	if (labels == NULL || json_object_set_new(rec, "case", json_string(code.s)) != 0 ||
	    json_object_set_new(rec, "labels", labels) != 0) {
		x->failed = 1;
		return;
	}
	line = json_dumps(rec, JSON_COMPACT);
	if (line == NULL) {
		x->failed = 1;
		return;
	}
	fputs(line, x->out);
	putc('\n', x->out);
	explicit_bzero(line, strlen(line));
	free(line);
}

static int
export_one(void *ctx, const struct record_id *id, const char *json, size_t len, json_t *rec,
    const struct form *f)
{
	struct exporter *x = ctx;
	const struct form_map *m = map_of(x, f);

	(void)json;
	(void)len;
	if (m == NULL) {
		x->failed = 1;
		return 1;
	}
	if (x->format == EXPORT_CSV)
		csv_row(x, id, rec, m);
	else
		jsonl_row(x, id, rec, m);
	x->rows++;
	return x->failed || ferror(x->out);
}

enum status
export_write(struct vault *v, int fd, const struct export_opts *o, struct export_result *r,
    char *err, size_t errlen)
{
	struct dataset_filter filter = { o->form_id, o->since };
	struct exporter x;
	struct dataset *ds = NULL;
	char *iobuf = NULL;
	int lang_found, dupfd = -1;
	enum status st;

	memset(&x, 0, sizeof x);
	memset(r, 0, sizeof *r);
	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can export records");
		return ST_DENIED;
	}
	if ((st = dataset_open(v, o->forms_dir, &filter, &ds, err, errlen)) != ST_OK)
		return st;
	x.format = o->format;
	if ((st = columns_build(&x, ds)) != ST_OK ||
	    (st = maps_build(&x, ds, o->lang, &lang_found)) != ST_OK) {
		status_msg(err, errlen, "%s", status_str(st));
		goto done;
	}
	if (!lang_found) {
		status_msg(err, errlen, "no form in this export has the language '%s'", o->lang);
		st = ST_NOTFOUND;
		goto done;
	}
	iobuf = secure_alloc(OUT_BUFFER);
	if (iobuf == NULL || (dupfd = dup(fd)) < 0 || (x.out = fdopen(dupfd, "w")) == NULL) {
		st = iobuf == NULL ? ST_NOMEM : ST_IO;
		status_msg(err, errlen, "cannot write the export: %s", iobuf ? strerror(errno) : "out of memory");
		goto done;
	}
	dupfd = -1;
	setvbuf(x.out, iobuf, _IOFBF, OUT_BUFFER);
	if (x.format == EXPORT_CSV)
		csv_header(&x);
	st = dataset_scan(ds, export_one, &x, &r->counts, err, errlen);
	if (st == ST_OK && x.failed) {
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory while writing the export");
	}
	if (fflush(x.out) != 0 || ferror(x.out)) {
		if (st == ST_OK) {
			st = ST_IO;
			status_msg(err, errlen, "cannot write the export: %s", strerror(errno));
		}
	}
	if (st == ST_OK && fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
		st = ST_IO;
		status_msg(err, errlen, "cannot write the export to disk: %s", strerror(errno));
	}
	r->rows = x.rows;
done:
	if (x.out != NULL)
		fclose(x.out);
	if (dupfd >= 0)
		close(dupfd);
	secure_free(iobuf);
	exporter_free(&x);
	dataset_free(ds);
	return st;
}
