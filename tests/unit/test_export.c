/*
 * test_export.c — exports as a supervisor would take them out, read back
 * with an independent RFC 4180 parser and compared cell by cell with the
 * records saved through the interview engine.
 */
#include "testutil.h"
#include "recordutil.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include "crypto.h"
#include "export.h"
#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

#define PASS_SUP "supervisor passphrase"
#define PASS_INT "interviewer passphrase"
#define FORMS_DIR "tests/forms/valid"
#define NREC 3

static const struct vault_kdf fast = { 1, 8 };

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
	struct form *f;
	struct interview *iv[NREC];     /* the records, as saved */
	struct record_id id[NREC];
};

/* Answers of the records: quoting, formula characters, special answers,
 * several languages, an ended interview. */
static const char *const answers[NREC] = {
	"{\"gender\":\"female\",\"consent_interview\":\"yes\",\"age\":16,"
	"\"guardian\":\"Aunt, \\\"Mai\\\"\",\"arrival_date\":\"2024-02-29\",\"initials\":\"=1+2\","
	"\"height\":1.62,\"job\":\"factory\",\"job_promised\":\"yes\","
	"\"promised_what\":\"-cook @ night\",\"docs_holder\":[\"broker\",\"employer\"],"
	"\"debt\":\"yes\",\"debt_amount\":1500.5,\"consent_referral\":\"yes\","
	"\"consent_statistics\":\"no\"}",
	"{\"gender\":{\"special\":\"declined\"},\"consent_interview\":\"yes\",\"age\":30,"
	"\"arrival_date\":{\"special\":\"dont_know\"},\"initials\":\"'q\",\"job\":\"farm\","
	"\"docs_holder\":{\"special\":\"dont_know\"},\"debt\":\"unsure\","
	"\"consent_statistics\":\"yes\"}",
	"{\"gender\":\"male\",\"consent_interview\":\"no\"}",
};
static const char *const langs[NREC] = { "en", "th", "lo" };

static struct interview *
save_record(struct vault *v, const struct form *f, const char *lang, const char *json,
    int training, struct record_id *id)
{
	struct interview *iv = NULL;
	char err[256] = "";
	json_t *a = json_loads(json, 0, NULL);

	assert_non_null(a);
	assert_int_equal(interview_start(f, lang, &iv), ST_OK);
	interview_set_interviewer(iv, vault_user(v));
	interview_set_training(iv, training);
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK)
		fail_msg("answers: %s", err);
	if (interview_state(iv) == IV_IN_PROGRESS)
		assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(training ? tu_save_unchecked(v, iv, id) : record_save(v, iv, id), ST_OK);
	json_decref(a);
	return iv;
}

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct diag_list dl;
	struct record_id tid;
	struct interview *t;

	assert_non_null(f);
	f->tmp = tu_tmpdir("export");
	PATH_FMT(f->dir, "%s/vault", f->tmp);
	f->v = vault_new();
	assert_int_equal(vault_create(f->v, f->dir, "sup", PASS_SUP, strlen(PASS_SUP), &fast),
	    ST_OK);
	assert_int_equal(vault_user_add(f->v, "ivy", ROLE_INTERVIEWER, PASS_INT,
	    strlen(PASS_INT), &fast), ST_OK);
	diag_list_init(&dl);
	assert_int_equal(form_load_file(FORMS_DIR "/mini.yaml", &f->f, &dl), ST_OK);
	diag_list_free(&dl);
	assert_int_equal(record_attach_form(f->v, f->f, NULL, 0), ST_OK);
	for (int i = 0; i < NREC; i++)
		f->iv[i] = save_record(f->v, f->f, langs[i], answers[i], 0, &f->id[i]);
	/* A training record: it must never appear in an export. */
	t = save_record(f->v, f->f, "en", answers[0], 1, &tid);
	interview_free(t);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < NREC; i++)
		interview_free(f->iv[i]);
	form_free(f->f);
	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* ---- an RFC 4180 reader, written for the test ---- */

struct csv {
	char ***rows;
	size_t *ncells;
	size_t nrows;
};

static void
csv_parse(const char *s, struct csv *out)
{
	char buf[8192];
	char **cells = NULL;
	size_t n = 0, len = 0;

	memset(out, 0, sizeof *out);
	for (;;) {
		int end_row = 0, end_file = 0;

		len = 0;
		if (*s == '"') {
			for (s++; ; s++) {
				assert_true(*s != '\0');       /* an unterminated quote */
				if (*s == '"' && s[1] == '"') {
					buf[len++] = '"';
					s++;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					buf[len++] = *s;
				}
				assert_true(len < sizeof buf);
			}
		} else {
			while (*s && *s != ',' && *s != '\r' && *s != '\n') {
				assert_true(*s != '"');        /* a quote inside an unquoted cell */
				buf[len++] = *s++;
				assert_true(len < sizeof buf);
			}
		}
		buf[len] = '\0';
		if (*s == ',')
			s++;
		else if (*s == '\r' && s[1] == '\n') {
			s += 2;
			end_row = 1;
		} else {
			assert_int_equal(*s, '\0');            /* rows end with CRLF */
			end_file = 1;
		}
		if (end_file && n == 0 && len == 0)
			break;
		cells = realloc(cells, (n + 1) * sizeof *cells);
		assert_non_null(cells);
		cells[n++] = strdup(buf);
		if (end_row || end_file) {
			out->rows = realloc(out->rows, (out->nrows + 1) * sizeof *out->rows);
			out->ncells = realloc(out->ncells, (out->nrows + 1) * sizeof *out->ncells);
			out->rows[out->nrows] = cells;
			out->ncells[out->nrows++] = n;
			cells = NULL;
			n = 0;
		}
		if (end_file || *s == '\0')
			break;
	}
	free(cells);
}

static void
csv_free(struct csv *c)
{
	for (size_t r = 0; r < c->nrows; r++) {
		for (size_t i = 0; i < c->ncells[r]; i++)
			free(c->rows[r][i]);
		free(c->rows[r]);
	}
	free(c->rows);
	free(c->ncells);
}

static int
column(const struct csv *c, const char *name)
{
	for (size_t i = 0; i < c->ncells[0]; i++)
		if (strcmp(c->rows[0][i], name) == 0)
			return (int)i;
	return -1;
}

/* The spreadsheet defence undone: one leading ' removed. */
static const char *
unguard(const char *cell)
{
	return cell[0] == '\'' ? cell + 1 : cell;
}

static char *
export_to_string(struct fx *f, const struct export_opts *o, struct export_result *r,
    enum status want)
{
	char path[4096], err[512] = "";
	char *text;
	int fd;

	PATH_FMT(path, "%s/out-%d", f->tmp, rand());
	fd = export_create(path, err, sizeof err);
	assert_true(fd >= 0);
	assert_int_equal(export_write(f->v, fd, o, r, err, sizeof err), want);
	close(fd);
	text = tu_slurp(path, NULL);
	assert_non_null(text);
	unlink(path);
	return text;
}

/* What a cell of a question column must hold for record iv. */
static void
expected_cells(struct interview *iv, const struct form *fm, size_t q, const char *lang,
    char *code, char *label, size_t len)
{
	struct interview *words;
	enum iv_answer_kind k = interview_answer_kind(iv, q);
	int list = form_question_choices(fm, q), l = form_lang_find(fm, lang);

	code[0] = label[0] = '\0';
	assert_int_equal(interview_start(fm, lang, &words), ST_OK);
	if (k == IV_DECLINED || k == IV_DONT_KNOW) {
		snprintf(code, len, "%s", k == IV_DECLINED ? "[declined]" : "[dont_know]");
		snprintf(label, len, "%s", interview_msg(words, k == IV_DECLINED ?
		    IV_MSG_DECLINED : IV_MSG_DONT_KNOW));
	} else if (k == IV_VALUE) {
		snprintf(code, len, "%s", interview_answer_text(iv, q));
		for (size_t i = 0; list >= 0 && i < form_choice_count(fm, (size_t)list); i++)
			if (interview_is_selected(iv, q, form_choice_value(fm, (size_t)list, i)))
				snprintf(label + strlen(label), len - strlen(label), "%s%s",
				    label[0] ? "; " : "", form_choice_label(fm, (size_t)list, i,
				    (size_t)l));
	}
	interview_free(words);
}

static void
test_csv_round_trip(void **state)
{
	struct fx *f = *state;
	struct export_opts o = { EXPORT_CSV, NULL, NULL, "th", FORMS_DIR };
	struct export_result r;
	struct csv c;
	char *text = export_to_string(f, &o, &r, ST_OK);
	size_t seen = 0;

	assert_int_equal(r.rows, NREC);
	assert_int_equal(r.counts.training, 1);
	/* Raw text: quoting and the formula guard as a spreadsheet sees them. */
	assert_non_null(strstr(text, "\"Aunt, \"\"Mai\"\"\""));
	assert_non_null(strstr(text, ",'=1+2,"));
	assert_non_null(strstr(text, ",'-cook @ night,"));
	assert_non_null(strstr(text, ",''q,"));
	assert_null(strstr(text, ",=1+2"));
	csv_parse(text, &c);
	assert_int_equal(c.nrows, NREC + 1);
	for (size_t r_ = 1; r_ < c.nrows; r_++) {
		char **row = c.rows[r_], hex[33];
		int k = -1;

		assert_int_equal(c.ncells[r_], c.ncells[0]);
		for (int i = 0; i < NREC; i++) {
			record_id_hex(&f->id[i], hex);
			if (strcmp(row[column(&c, "_record_id")], hex) == 0)
				k = i;
		}
		assert_true(k >= 0);
		seen |= 1u << k;
		{
			struct case_code code;

			record_id_code(&f->id[k], &code);
			assert_string_equal(row[column(&c, "_case")], code.s);
		}
		assert_string_equal(row[column(&c, "_interviewer")], "sup");
		assert_string_equal(row[column(&c, "_lang")], langs[k]);
		assert_string_equal(row[column(&c, "_status")], interview_status(f->iv[k]));
		assert_string_equal(row[column(&c, "_form")], "mini");
		for (size_t q = 0; q < form_question_count(f->f); q++) {
			char code[1024], label[1024], name[128];
			const char *id = form_question_id(f->f, q);
			int list = form_question_choices(f->f, q), col = column(&c, id);

			if (form_question_type(f->f, q) == FORM_NOTE) {
				assert_int_equal(col, -1);
				continue;
			}
			assert_true(col >= 0);
			expected_cells(f->iv[k], f->f, q, "th", code, label, sizeof code);
			assert_string_equal(unguard(row[col]), code);
			snprintf(name, sizeof name, "%s.label", id);
			if (list >= 0)
				assert_string_equal(unguard(row[column(&c, name)]), label);
			else
				assert_int_equal(column(&c, name), -1);
			if (form_question_type(f->f, q) != FORM_SELECT_MULTIPLE)
				continue;
			for (size_t i = 0; i < form_choice_count(f->f, (size_t)list); i++) {
				const char *val = form_choice_value(f->f, (size_t)list, i);

				snprintf(name, sizeof name, "%s/%s", id, val);
				assert_true(column(&c, name) >= 0);
				assert_string_equal(row[column(&c, name)],
				    interview_answer_kind(f->iv[k], q) != IV_VALUE ? "" :
				    interview_is_selected(f->iv[k], q, val) ? "1" : "0");
			}
		}
	}
	assert_int_equal(seen, (1u << NREC) - 1);
	csv_free(&c);
	free(text);
}

/* The text a CSV cell of record rec (as JSON Lines gives it) must hold
 * for the column named name; NULL for a column this check does not know. */
static const char *
jsonl_cell(json_t *rec, const char *name, char *buf, size_t len)
{
	json_t *a, *it;
	size_t i, used = 0;

	buf[0] = '\0';
	if (strcmp(name, "_indicators") == 0 || strcmp(name, "_flags") == 0) {
		json_array_foreach(json_object_get(rec, name + 1), i, it)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "",
			    json_string_value(json_object_get(it, "id")));
		return buf;
	}
	if (strcmp(name, "_outcome") == 0) {
		a = json_object_get(json_object_get(rec, "outcome"), "id");
		return json_string_value(a) ? json_string_value(a) : "";
	}
	if (strcmp(name, "_status") == 0 || strcmp(name, "_lang") == 0 ||
	    strcmp(name, "_interviewer") == 0)
		return json_string_value(json_object_get(rec, name + 1));
	if (name[0] == '_' || strchr(name, '.') != NULL || strchr(name, '/') != NULL)
		return NULL;
	a = json_object_get(json_object_get(rec, "answers"), name);
	if (a == NULL)
		return "";
	if (json_is_object(a))
		return strcmp(json_string_value(json_object_get(a, "special")), "declined") == 0 ?
		    "[declined]" : "[dont_know]";
	if (json_is_array(a)) {
		json_array_foreach(a, i, it)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "",
			    json_string_value(it));
		return buf;
	}
	if (json_is_string(a))
		return json_string_value(a);
	if (json_is_integer(a)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(a));
		return buf;
	}
	return NULL;            /* decimals: formatted by the engine's rule */
}

/* Every row's cells hold that record's values, never another row's: rows
 * without indicators after rows with select_multiple answers are the case
 * where a reused buffer would carry the earlier row's codes along. */
static void
test_csv_rows_match_jsonl(void **state)
{
	struct fx *f = *state;
	struct export_opts csv_o = { EXPORT_CSV, NULL, NULL, NULL, FORMS_DIR };
	struct export_opts jl_o = { EXPORT_JSONL, NULL, NULL, NULL, FORMS_DIR };
	static const char extra[] = "{\"gender\":\"male\",\"consent_interview\":\"yes\","
	    "\"age\":40,\"job\":\"farm\",\"job_promised\":\"no\",\"docs_holder\":[\"self\"],"
	    "\"debt\":\"no\",\"consent_statistics\":\"yes\"}";
	struct export_result r;
	struct record_id id;
	struct csv c;
	char *csv_text, *jl_text, *line, *save = NULL, want_buf[1024];
	json_t *recs = json_object();
	size_t checked = 0, empty_ind = 0;

	/* Several records whose only select_multiple answer fires nothing:
	 * whatever the order, one follows another. */
	for (int i = 0; i < 3; i++)
		interview_free(save_record(f->v, f->f, "en", extra, 0, &id));
	csv_text = export_to_string(f, &csv_o, &r, ST_OK);
	jl_text = export_to_string(f, &jl_o, &r, ST_OK);
	for (line = strtok_r(jl_text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o1 = json_loads(line, 0, NULL);

		assert_non_null(o1);
		json_object_set_new(recs, json_string_value(json_object_get(o1, "id")), o1);
	}
	csv_parse(csv_text, &c);
	assert_int_equal(c.nrows, NREC + 3 + 1);
	for (size_t row = 1; row < c.nrows; row++) {
		json_t *rec = json_object_get(recs, c.rows[row][column(&c, "_record_id")]);

		assert_non_null(rec);
		for (size_t i = 0; i < c.ncells[0]; i++) {
			const char *want = jsonl_cell(rec, c.rows[0][i], want_buf, sizeof want_buf);

			if (want == NULL)
				continue;
			if (strcmp(unguard(c.rows[row][i]), want) != 0)
				fail_msg("row %zu, column %s: CSV has '%s', the record has '%s'", row,
				    c.rows[0][i], c.rows[row][i], want);
			checked++;
		}
		empty_ind += c.rows[row][column(&c, "_indicators")][0] == '\0';
	}
	assert_true(empty_ind >= 3);
	assert_true(checked > 6 * 10);
	csv_free(&c);
	json_decref(recs);
	free(csv_text);
	free(jl_text);
}

/* Undoes the CSV's rule for hidden characters: \u{XXXX} becomes the
 * character (README, "Exporting records"). */
static char *
csv_unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	while (*s) {
		unsigned cp;
		int n = 0;

		if (s[0] == '\\' && s[1] == 'u' && s[2] == '{' &&
		    sscanf(s + 3, "%x}%n", &cp, &n) == 1 && n > 0) {
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xC0 | cp >> 6);
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*o++ = (char)(0xE0 | cp >> 12);
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			}
			s += 3 + n;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* A record that carries terminal-driving characters (written by another
 * program: the engine refuses them) keeps its exact text in the CSV, but
 * not as raw bytes a spreadsheet or terminal would act on. */
static void
test_csv_hidden_characters(void **state)
{
	struct fx *f = *state;
	static const char hostile[] = "A\x1b]0;x\x07" "B\xc2\x9b" "31mC\xe2\x80\xae" "D"
	    "\xe2\x81\xa6" "E\xe2\x80\xa8" "F\x7f" "G\\u{41}H\r\nI\tJ";
	struct export_opts o = { EXPORT_CSV, NULL, NULL, NULL, FORMS_DIR };
	struct export_result r;
	struct record_id id;
	struct interview *iv;
	struct csv c;
	char hex[33], *json, *sum, *text, *back;
	size_t jl, sl;
	json_t *rec;

	iv = save_record(f->v, f->f, "en", answers[0], 0, &id);
	assert_int_equal(interview_to_json(iv, &json, &jl), ST_OK);
	assert_int_equal(interview_summary_json(iv, &sum, &sl), ST_OK);
	rec = json_loads(json, 0, NULL);
	interview_json_free(json, jl);
	json_object_set_new(json_object_get(rec, "answers"), "guardian", json_string(hostile));
	json = json_dumps(rec, JSON_COMPACT);
	assert_int_equal(vault_record_id_new(f->v, &id), ST_OK);
	record_id_hex(&id, hex);
	json_object_set_new(rec, "id", json_string(hex));
	free(json);
	json = json_dumps(rec, JSON_COMPACT);
	assert_int_equal(vault_record_put_as(f->v, &id, json, strlen(json), sum, sl), ST_OK);
	text = export_to_string(f, &o, &r, ST_OK);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		assert_false(*p < 0x20 && *p != '\r' && *p != '\n' && *p != '\t');
		assert_false(*p == 0x7F);
		assert_false(p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F);
		assert_false(p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xA8 && p[2] <= 0xAE);
		assert_false(p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9);
	}
	assert_non_null(strstr(text, "A\\u{001B}]0;x\\u{0007}B\\u{009B}31mC\\u{202E}D\\u{2066}"
	    "E\\u{2028}F\\u{007F}G\\u{005C}u{41}H\r\nI\tJ"));
	csv_parse(text, &c);
	for (size_t row = 1; row < c.nrows; row++)
		if (strcmp(c.rows[row][column(&c, "_record_id")], hex) == 0) {
			back = csv_unescape(c.rows[row][column(&c, "guardian")]);
			assert_string_equal(back, hostile);
			free(back);
			hex[0] = '\0';
		}
	assert_int_equal(hex[0], '\0');
	csv_free(&c);
	free(text);
	free(json);
	json_decref(rec);
	interview_json_free(sum, sl);
	interview_free(iv);
}

static void
test_jsonl_keeps_records(void **state)
{
	struct fx *f = *state;
	struct export_opts o = { EXPORT_JSONL, NULL, NULL, NULL, FORMS_DIR };
	struct export_result r;
	char *text = export_to_string(f, &o, &r, ST_OK), *line, *save = NULL;
	size_t n = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o1 = json_loads(line, 0, NULL), *stored, *labels;
		struct record_id id;
		char *json;
		size_t len;

		assert_non_null(o1);
		assert_int_equal(crypto_hex2bin(id.b, VAULT_ID_BYTES,
		    json_string_value(json_object_get(o1, "id"))), ST_OK);
		labels = json_object_get(json_object_get(o1, "labels"), "answers");
		assert_non_null(labels);
		assert_string_equal(json_string_value(json_object_get(labels, "consent_interview")),
		    strcmp(json_string_value(json_object_get(json_object_get(o1, "answers"),
		    "consent_interview")), "yes") == 0 ? "Yes" : "No");
		json_object_del(o1, "labels");
		json_object_del(o1, "case");
		assert_int_equal(vault_record_get(f->v, &id, &json, &len), ST_OK);
		stored = json_loadb(json, len, 0, NULL);
		vault_plain_free(json, len);
		assert_true(json_equal(o1, stored));
		assert_false(json_is_true(json_object_get(o1, "training")));
		json_decref(stored);
		json_decref(o1);
		n++;
	}
	assert_int_equal(n, NREC);
	free(text);
}

static void
test_create_never_overwrites(void **state)
{
	struct fx *f = *state;
	char path[4096], bad[4096], err[512] = "";
	struct stat sb;
	char *text;
	int fd;

	PATH_FMT(path, "%s/existing.csv", f->tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep me\n", 8), 8);
	close(fd);
	assert_int_equal(export_create(path, err, sizeof err), -1);
	assert_non_null(strstr(err, "already exists"));
	text = tu_slurp(path, NULL);
	assert_string_equal(text, "keep me\n");
	free(text);
	/* A symbolic link is not followed either. */
	PATH_FMT(bad, "%s/link.csv", f->tmp);
	assert_int_equal(symlink(path, bad), 0);
	assert_int_equal(export_create(bad, err, sizeof err), -1);
	/* Not writable: the directory does not exist, or is a file. */
	PATH_FMT(bad, "%s/no/such/dir/out.csv", f->tmp);
	assert_int_equal(export_create(bad, err, sizeof err), -1);
	assert_non_null(strstr(err, "does not exist"));
	PATH_FMT(bad, "%s/out.csv", path);
	assert_int_equal(export_create(bad, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot create"));
	/* A new file is owner-only whatever the umask. */
	umask(0);
	PATH_FMT(bad, "%s/fresh.csv", f->tmp);
	fd = export_create(bad, err, sizeof err);
	umask(077);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(bad, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void
test_only_supervisors_filters(void **state)
{
	struct fx *f = *state;
	struct export_opts o = { EXPORT_CSV, NULL, NULL, NULL, FORMS_DIR };
	struct export_result r;
	char err[512] = "", path[4096], *text;
	int fd;

	/* Filters: a date after every record; an unknown form; a language no
	 * form has. */
	o.since = "2999-01-01";
	text = export_to_string(f, &o, &r, ST_OK);
	assert_int_equal(r.rows, 0);
	assert_int_equal(r.counts.other, NREC);
	assert_null(strchr(strchr(text, '\n') + 1, '\n'));   /* the header only */
	free(text);
	o.since = "2024-02-30";
	PATH_FMT(path, "%s/x.csv", f->tmp);
	fd = export_create(path, err, sizeof err);
	assert_int_equal(export_write(f->v, fd, &o, &r, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "YYYY-MM-DD"));
	o.since = NULL;
	o.form_id = "nosuchform";
	assert_int_equal(export_write(f->v, fd, &o, &r, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "nosuchform"));
	o.form_id = "mini";
	o.lang = "xx";
	assert_int_equal(export_write(f->v, fd, &o, &r, err, sizeof err), ST_NOTFOUND);
	o.lang = NULL;
	/* An interviewer cannot export, even their own records. */
	assert_int_equal(vault_unlock(f->v, "ivy", PASS_INT, strlen(PASS_INT)), ST_OK);
	assert_int_equal(export_write(f->v, fd, &o, &r, err, sizeof err), ST_DENIED);
	close(fd);
	text = tu_slurp(path, NULL);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(vault_unlock(f->v, "sup", PASS_SUP, strlen(PASS_SUP)), ST_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_csv_round_trip, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_csv_rows_match_jsonl, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_csv_hidden_characters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_jsonl_keeps_records, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_create_never_overwrites, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_only_supervisors_filters, fx_setup, fx_teardown),
	};

	umask(077);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
