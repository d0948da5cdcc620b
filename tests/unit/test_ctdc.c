/*
 * test_ctdc.c — the CTDC case-level file: which people are in it (likely
 * or possible victims who agreed to statistics, one row each), that every
 * column of the standard is there in order, and that every value lies in
 * its column's domain (flags 1/0/-99, the standard's codes, concatenated
 * columns naming exactly the flags set).
 */
#include "testutil.h"
#include <fcntl.h>
#include <jansson.h>
#include "ctdc.h"
#include "export.h"
#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

#define PASS_SUP "supervisor passphrase"
#define FORMS_DIR "forms"
#define NREC 240

static const struct vault_kdf fast = { 1, 8 };

struct expect {
	size_t rows, no_consent, male, female, unknown_gender, lao, minors, minor_then, adult_then;
};

struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
	struct form *f;
	struct expect e;
};

static void
save_one(struct fx *f, int i)
{
	static const char *const sexes[] = { "female", "male", "transgender", "female" };
	static const char *const nats[] = { "lao", "thai", "chinese", "myanmar", "stateless" };
	static const char *const sectors[] = { "\"factory\"", "\"fishing\"",
	    "\"sex_work\"", "\"domestic_work\",\"agriculture\"", "\"casino_scam\"" };
	static const char *const holders[] = { "myself", "employer", "recruiter_broker" };
	char json[1400], err[256] = "";
	struct interview *iv;
	struct record_id id;
	const char *sex = sexes[i % 4], *nat = nats[i % 5], *outcome;
	int consent = i % 6 != 5, age = i % 10 == 0 ? 16 : 19 + i % 30, o;
	json_t *a;

	/* i % 3 == 0: no sign at all; the others a few signs of trafficking. */
	snprintf(json, sizeof json, "{\"privacy_check\":\"no_one\",\"safe_now\":\"yes\","
	    "\"danger_now\":\"no\",\"threatened_now\":\"no\",\"urgent_medical\":\"no\",\"interview_country\":\"thailand\","
	    "\"interview_setting\":\"shelter\",\"consent_path\":\"%s\",\"consent_interview\":\"yes\","
	    "\"consent_referral\":\"no\",\"consent_statistics\":\"%s\",\"age\":%d,"
	    "\"sex\":\"%s\",\"nationality\":\"%s\",\"recruited_by\":%s,"
	    "\"job_different\":\"%s\",\"country_of_work\":\"%s\",\"sector\":[%s],"
	    "\"locked_in\":\"%s\",\"physical_violence\":\"%s\",\"documents_held_by\":\"%s\","
	    "%s\"needs_now\":[\"none\"]}",
	    age < 18 ? "child_alone" : "adult", consent ? "yes" : "no", age, sex, nat,
	    i % 4 == 0 ? "[\"friend\",\"broker\"]" : i % 4 == 1 ? "{\"special\":\"declined\"}" :
	    "[\"relative\"]",
	    i % 3 ? "yes" : "no", i % 2 ? "thailand" : "china", sectors[i % 5],
	    i % 3 ? "yes" : "no", i % 3 == 1 ? "yes" : "no", i % 3 ? holders[1 + i % 2] : holders[0],
	    age < 18 ? "" : i % 7 == 3 ? "\"age_at_start\":\"minor\"," : "\"age_at_start\":\"adult\",");
	a = json_loads(json, 0, NULL);
	assert_non_null(a);
	assert_int_equal(interview_start(f->f, "en", &iv), ST_OK);
	interview_set_interviewer(iv, "sup");
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK)
		fail_msg("%s: %s", json, err);
	assert_int_equal(interview_finish(iv), ST_OK);
	o = interview_outcome(iv);
	outcome = o >= 0 ? form_outcome_id(f->f, (size_t)o) : "";
	if (strcmp(outcome, "likely_victim") == 0 || strcmp(outcome, "possible_victim") == 0) {
		if (!consent) {
			f->e.no_consent++;
		} else {
			f->e.rows++;
			f->e.male += strcmp(sex, "male") == 0;
			f->e.female += strcmp(sex, "female") == 0;
			f->e.unknown_gender += strcmp(sex, "transgender") == 0;
			f->e.lao += strcmp(nat, "lao") == 0;
			f->e.minors += age < 18;
			f->e.minor_then += age < 18 || i % 7 == 3;
			f->e.adult_then += age >= 18 && i % 7 != 3;
		}
	}
	assert_int_equal(record_save(f->v, iv, &id), ST_OK);
	interview_free(iv);
	json_decref(a);
}

static int
group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct diag_list dl;

	assert_non_null(f);
	if (access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	f->tmp = tu_tmpdir("ctdc");
	snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp);
	f->v = vault_new();
	assert_int_equal(vault_create(f->v, f->dir, "sup", PASS_SUP, strlen(PASS_SUP), &fast),
	    ST_OK);
	diag_list_init(&dl);
	assert_int_equal(form_load_file(FORMS_DIR "/screening.yaml", &f->f, &dl), ST_OK);
	diag_list_free(&dl);
	assert_int_equal(record_attach_form(f->v, f->f, NULL, 0), ST_OK);
	for (int i = 0; i < NREC; i++)
		save_one(f, i);
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fx *f = *state;

	form_free(f->f);
	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* Splits one CSV line (no quoted cells: no value needs quoting) in place. */
static size_t
split(char *line, char **cells, size_t max)
{
	size_t n = 0;

	for (char *p = line; n < max; ) {
		cells[n++] = p;
		p += strcspn(p, ",");
		if (*p != ',') {
			*p = '\0';
			break;
		}
		*p++ = '\0';
	}
	return n;
}

static int
one_of(const char *v, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (strcmp(v, set[i]) == 0)
			return 1;
	return 0;
}

static size_t
col(const char *name)
{
	for (size_t i = 0; i < CTDC_NCOLUMNS; i++)
		if (strcmp(ctdc_columns[i], name) == 0)
			return i;
	fail_msg("no column %s", name);
	return 0;
}

/* A concatenated cell names exactly the flags of prefix that are 1. */
static void
check_concat(char **cells, const char *concat_name, const char *prefix, const char *except)
{
	const char *v = cells[col(concat_name)];
	char want[512] = "";
	size_t o = 0;

	for (size_t i = 0; i < CTDC_NCOLUMNS; i++) {
		if (strncmp(ctdc_columns[i], prefix, strlen(prefix)) != 0 ||
		    strcmp(ctdc_columns[i], concat_name) == 0 ||
		    (except && strstr(ctdc_columns[i], except) != NULL) ||
		    strcmp(cells[i], "1") != 0)
			continue;
		o += (size_t)snprintf(want + o, sizeof want - o, "%s%s", o ? ";" : "",
		    ctdc_columns[i] + strlen(prefix));
	}
	assert_string_equal(v, o ? want : "-99");
}

static void
test_every_column_every_value_in_its_domain(void **state)
{
	static const char *const flags[] = { "0", "1", "-99", NULL };
	static const char *const genders[] = { "Male", "Female", "-99", NULL };
	static const char *const ages[] = { "0--8", "9--17", "18--20", "21--23", "24--26",
	    "27--29", "30--38", "39--47", "48+", "-99", NULL };
	static const char *const majority[] = { "Adult", "Minor", "-99", NULL };
	static const char *const kinds[] = { "ForcedLabour", "SexualExploit", "ForcedMarriage",
	    "OtherExploit", NULL };
	static const char *const header[] = { "yearOfRegistration", "Datasource", "gender",
	    "ageBroad", "majorityStatus", "majorityStatusAtExploit", "majorityEntry",
	    "citizenship", "meansOfControlDebtBondage", "isForcedLabour", "isSexualExploit",
	    "isAbduction", "RecruiterRelationship", "CountryOfExploitation",
	    "recruiterRelationUnknown", NULL };
	struct fx *f = *state;
	char path[4200], err[512] = "", *text, *line, *next, *cells[CTDC_NCOLUMNS + 2];
	struct ctdc_result r;
	struct expect got = { 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	size_t len, n;
	int fd;

	snprintf(path, sizeof path, "%s/ctdc.csv", f->tmp);
	fd = export_create(path, err, sizeof err);
	assert_true(fd >= 0);
	if (ctdc_write(f->v, fd, FORMS_DIR, &r, err, sizeof err) != ST_OK)
		fail_msg("ctdc: %s", err);
	close(fd);
	assert_int_equal(r.rows, f->e.rows);
	assert_int_equal(r.no_consent, f->e.no_consent);
	/* The generator made both outcomes and refusals: the test has teeth. */
	assert_true(f->e.rows > 50 && f->e.no_consent > 5);
	text = tu_slurp(path, &len);
	assert_non_null(text);
	/* Header: every column, in the standard's order, and the ones named
	 * here among them. */
	next = strstr(text, "\r\n");
	assert_non_null(next);
	*next = '\0';
	n = split(text, cells, CTDC_NCOLUMNS + 2);
	assert_int_equal(n, CTDC_NCOLUMNS);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(cells[i], ctdc_columns[i]);
	for (size_t i = 0; header[i]; i++)
		col(header[i]);
	for (line = next + 2; *line; line = next + 2) {
		next = strstr(line, "\r\n");
		assert_non_null(next);
		*next = '\0';
		assert_int_equal(split(line, cells, CTDC_NCOLUMNS + 2), CTDC_NCOLUMNS);
		got.rows++;
		for (size_t i = 0; i < CTDC_NCOLUMNS; i++) {
			const char *name = ctdc_columns[i], *v = cells[i];

			if (strcmp(name, "yearOfRegistration") == 0)
				assert_true(strlen(v) == 4 && atoi(v) >= 2000);
			else if (strcmp(name, "Datasource") == 0)
				assert_string_equal(v, "Case Management");
			else if (strcmp(name, "gender") == 0)
				assert_true(one_of(v, genders));
			else if (strcmp(name, "ageBroad") == 0)
				assert_true(one_of(v, ages));
			else if (strncmp(name, "majority", 8) == 0)
				assert_true(one_of(v, majority));
			else if (strcmp(name, "citizenship") == 0 ||
			    strcmp(name, "CountryOfExploitation") == 0)
				assert_true(strcmp(v, "-99") == 0 || (strlen(v) == 2 &&
				    v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z'));
			else if (strcmp(name, "typeOfExploitConcatenated") == 0) {
				char copy[256], *save = NULL;

				snprintf(copy, sizeof copy, "%s", v);
				if (strcmp(v, "-99") != 0)
					for (char *t = strtok_r(copy, ";", &save); t;
					    t = strtok_r(NULL, ";", &save))
						assert_true(one_of(t, kinds));
			} else if (strstr(name, "Concatenated") == NULL &&
			    strcmp(name, "RecruiterRelationship") != 0)
				assert_true(one_of(v, flags));
		}
		check_concat(cells, "meansOfControlConcatenated", "meansOfControl", "NotSpecified");
		check_concat(cells, "typeOfLabourConcatenated", "typeOfLabour", "NotSpecified");
		check_concat(cells, "typeOfSexConcatenated", "typeOfSex", NULL);
		check_concat(cells, "RecruiterRelationship", "recruiterRelation", "Unknown");
		/* Facts that carry over exactly. */
		got.male += strcmp(cells[col("gender")], "Male") == 0;
		got.female += strcmp(cells[col("gender")], "Female") == 0;
		got.unknown_gender += strcmp(cells[col("gender")], "-99") == 0;
		got.lao += strcmp(cells[col("citizenship")], "LA") == 0;
		got.minors += strcmp(cells[col("majorityStatus")], "Minor") == 0;
		if (strcmp(cells[col("majorityStatus")], "Minor") == 0)
			assert_string_equal(cells[col("majorityStatusAtExploit")], "Minor");
		/* A minor when it began, whatever the age today (age_at_start). */
		got.minor_then += strcmp(cells[col("majorityStatusAtExploit")], "Minor") == 0;
		got.adult_then += strcmp(cells[col("majorityStatusAtExploit")], "Adult") == 0;
		assert_string_equal(cells[col("majorityEntry")], cells[col("majorityStatusAtExploit")]);
	}
	assert_int_equal(got.rows, f->e.rows);
	assert_int_equal(got.male, f->e.male);
	assert_int_equal(got.female, f->e.female);
	assert_int_equal(got.unknown_gender, f->e.unknown_gender);
	assert_int_equal(got.lao, f->e.lao);
	assert_int_equal(got.minors, f->e.minors);
	assert_int_equal(got.minor_then, f->e.minor_then);
	assert_int_equal(got.adult_then, f->e.adult_then);
	assert_true(got.minor_then > got.minors);
	free(text);
}

/* Only a supervisor writes it. */
static void
test_interviewer_denied(void **state)
{
	struct fx *f = *state;
	struct ctdc_result r;
	char err[256] = "";

	assert_int_equal(vault_user_add(f->v, "ivy", ROLE_INTERVIEWER, "interviewer pass",
	    strlen("interviewer pass"), &fast), ST_OK);
	assert_int_equal(vault_unlock(f->v, "ivy", "interviewer pass",
	    strlen("interviewer pass")), ST_OK);
	assert_int_equal(ctdc_write(f->v, -1, FORMS_DIR, &r, err, sizeof err), ST_DENIED);
	assert_int_equal(vault_unlock(f->v, "sup", PASS_SUP, strlen(PASS_SUP)), ST_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_column_every_value_in_its_domain),
		cmocka_unit_test(test_interviewer_denied),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
