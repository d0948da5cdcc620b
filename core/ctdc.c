/*
 * ctdc.c — the CTDC case-level file (see ctdc.h for which records, and
 * forms/README.md for which question fills which column).
 *
 * Each selected record becomes one row of 63 cells, built from its answers
 * by question id, written as one CSV line and forgotten: nothing of the
 * record outlives its scan callback but the line written to the file.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctdc.h"
#include "fdio.h"

#define UNKNOWN "-99"

enum col {
	C_YEAR, C_DATASOURCE, C_GENDER, C_AGE, C_MAJORITY, C_MAJORITY_EXPLOIT, C_MAJORITY_ENTRY,
	C_CITIZENSHIP,
	C_M_DEBT, C_M_EARNINGS, C_M_FINANCIAL, C_M_THREATS, C_M_PSYCH, C_M_PHYSICAL, C_M_SEXUAL,
	C_M_FALSE, C_M_SUBSTANCES, C_M_MOVEMENT, C_M_MEDICAL, C_M_HOURS, C_M_CHILDREN,
	C_M_LAW, C_M_NECESSITIES, C_M_DOCUMENTS, C_M_OTHER, C_M_NOTSPEC, C_M_CONCAT,
	C_LABOUR, C_SEXUAL, C_OTHER, C_SEX_AND_LABOUR, C_MARRIAGE, C_MILITARY, C_ORGAN,
	C_SLAVERY, C_EXPLOIT_CONCAT,
	C_L_AGRICULTURE, C_L_AQUAFARMING, C_L_BEGGING, C_L_CONSTRUCTION, C_L_DOMESTIC,
	C_L_HOSPITALITY, C_L_ILLICIT, C_L_MANUFACTURING, C_L_MINING, C_L_PEDDLING,
	C_L_TRANSPORT, C_L_OTHER, C_L_NOTSPEC, C_L_CONCAT,
	C_S_PROSTITUTION, C_S_PORNOGRAPHY, C_S_REMOTE, C_S_PRIVATE, C_S_CONCAT,
	C_ABDUCTION, C_RECRUITER, C_COUNTRY_EXPLOIT,
	C_R_PARTNER, C_R_FRIEND, C_R_FAMILY, C_R_OTHER, C_R_UNKNOWN,
	C_COUNT
};

const char *const ctdc_columns[CTDC_NCOLUMNS] = {
	"yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus",
	"majorityStatusAtExploit", "majorityEntry", "citizenship",
	"meansOfControlDebtBondage", "meansOfControlTakesEarnings",
	"meansOfControlRestrictsFinancialAccess", "meansOfControlThreats",
	"meansOfControlPsychologicalAbuse", "meansOfControlPhysicalAbuse",
	"meansOfControlSexualAbuse", "meansOfControlFalsePromises",
	"meansOfControlPsychoactiveSubstances", "meansOfControlRestrictsMovement",
	"meansOfControlRestrictsMedicalCare", "meansOfControlExcessiveWorkingHours",
	"meansOfControlUsesChildren", "meansOfControlThreatOfLawEnforcement",
	"meansOfControlWithholdsNecessities", "meansOfControlWithholdsDocuments",
	"meansOfControlOther", "meansOfControlNotSpecified", "meansOfControlConcatenated",
	"isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour",
	"isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices",
	"typeOfExploitConcatenated",
	"typeOfLabourAgriculture", "typeOfLabourAquafarming", "typeOfLabourBegging",
	"typeOfLabourConstruction", "typeOfLabourDomesticWork", "typeOfLabourHospitality",
	"typeOfLabourIllicitActivities", "typeOfLabourManufacturing",
	"typeOfLabourMiningOrDrilling", "typeOfLabourPeddling", "typeOfLabourTransportation",
	"typeOfLabourOther", "typeOfLabourNotSpecified", "typeOfLabourConcatenated",
	"typeOfSexProstitution", "typeOfSexPornography", "typeOfSexRemoteInteractiveServices",
	"typeOfSexPrivateSexualServices", "typeOfSexConcatenated",
	"isAbduction", "RecruiterRelationship", "CountryOfExploitation",
	"recruiterRelationIntimatePartner", "recruiterRelationFriend", "recruiterRelationFamily",
	"recruiterRelationOther", "recruiterRelationUnknown",
};

_Static_assert(C_COUNT == CTDC_NCOLUMNS, "one name per column");

#define CELL_MAX 192

struct row {
	char cell[C_COUNT][CELL_MAX];
};

struct ctx {
	int fd;
	struct ctdc_result *r;
	char *buf;
	size_t len, cap;
	enum status st;
	char *err;
	size_t errlen;
};

/* ---- reading answers -------------------------------------------------------- */

static json_t *
answer(json_t *rec, const char *q)
{
	json_t *a = json_object_get(json_object_get(rec, "answers"), q);

	/* Declined and don't know are objects {"special": ...}: no value. */
	return json_is_object(a) ? NULL : a;
}

/* 1 yes, 0 no, -1 unknown. */
static int
yes_no(json_t *rec, const char *q)
{
	const char *s = json_string_value(answer(rec, q));

	if (s == NULL)
		return -1;
	return strcmp(s, "yes") == 0 ? 1 : strcmp(s, "no") == 0 ? 0 : -1;
}

/* Whether select_multiple q has value: 1, 0, or -1 when unanswered. */
static int
has(json_t *rec, const char *q, const char *value)
{
	json_t *a = answer(rec, q), *it;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return -1;
	json_array_foreach(a, i, it)
		if (json_is_string(it) && strcmp(json_string_value(it), value) == 0)
			return 1;
	return 0;
}

/* Whether select_multiple q has any value but "none": 1, 0, -1. */
static int
has_any(json_t *rec, const char *q)
{
	json_t *a = answer(rec, q), *it;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return -1;
	json_array_foreach(a, i, it)
		if (json_is_string(it) && strcmp(json_string_value(it), "none") != 0)
			return 1;
	return 0;
}

/* The stronger of two findings: 1 if either is 1, else 0 if either is 0. */
static int
either(int a, int b)
{
	return a == 1 || b == 1 ? 1 : a == 0 || b == 0 ? 0 : -1;
}

static void
flag(struct row *w, enum col c, int v)
{
	snprintf(w->cell[c], CELL_MAX, "%s", v < 0 ? UNKNOWN : v ? "1" : "0");
}

static void
text(struct row *w, enum col c, const char *s)
{
	snprintf(w->cell[c], CELL_MAX, "%s", s != NULL && *s ? s : UNKNOWN);
}

/* Joins the names of columns [from, to) that are 1 into column c (each
 * name the part after the common prefix); -99 when none is 1. */
static void
concat(struct row *w, enum col c, enum col from, enum col to, size_t skip)
{
	size_t o = 0;

	w->cell[c][0] = '\0';
	for (enum col i = from; i < to; i++) {
		if (strcmp(w->cell[i], "1") == 0 && o < CELL_MAX) {
			int n = snprintf(w->cell[c] + o, CELL_MAX - o, "%s%s", o ? ";" : "",
			    ctdc_columns[i] + skip);

			o += n > 0 ? (size_t)n : 0;
		}
	}
	if (o == 0)
		text(w, c, UNKNOWN);
}

static const char *
country_code(const char *v)
{
	static const char *const map[][2] = {
		{ "laos", "LA" }, { "lao", "LA" }, { "thailand", "TH" }, { "thai", "TH" },
		{ "china", "CN" }, { "chinese", "CN" }, { "myanmar", "MM" }, { "vietnam", "VN" },
		{ "vietnamese", "VN" }, { "cambodia", "KH" }, { "cambodian", "KH" },
		{ "malaysia", "MY" },
	};

	for (size_t i = 0; v != NULL && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(v, map[i][0]) == 0)
			return map[i][1];
	return UNKNOWN;
}

const char *const ctdc_band_codes[CTDC_NBANDS] = {
	"age_0_8", "age_9_17", "age_18_20", "age_21_23", "age_24_26", "age_27_29",
	"age_30_38", "age_39_47", "age_48_plus",
};
const char *const ctdc_band_names[CTDC_NBANDS] = {
	"0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+",
};

size_t
ctdc_band_of_age(double age)
{
	static const int upper[CTDC_NBANDS] = { 8, 17, 20, 23, 26, 29, 38, 47, 1000000 };
	size_t i;

	for (i = 0; i < CTDC_NBANDS; i++)
		if (age < (double)upper[i] + 1.0)
			break;
	return i;
}

/* ageBroad and majorityStatus from age, else age_band, else presumed_minor;
 * majorityStatusAtExploit and majorityEntry also from age_at_start. */
static void
fill_age(struct row *w, json_t *rec)
{
	json_t *age = answer(rec, "age");
	const char *band = json_string_value(answer(rec, "age_band"));
	const char *at_start, *exploit = UNKNOWN;
	int minor = -1;

	text(w, C_AGE, UNKNOWN);
	if (json_is_number(age) && json_number_value(age) >= 0) {
		double a = json_number_value(age);
		size_t b = ctdc_band_of_age(a);

		if (b < CTDC_NBANDS)
			text(w, C_AGE, ctdc_band_names[b]);
		minor = a < 18.0;
	} else if (band != NULL) {
		for (size_t i = 0; i < CTDC_NBANDS; i++)
			if (strcmp(band, ctdc_band_codes[i]) == 0) {
				text(w, C_AGE, ctdc_band_names[i]);
				minor = i < 2;
			}
	} else if (yes_no(rec, "presumed_minor") == 1) {
		minor = 1;
	}
	text(w, C_MAJORITY, minor < 0 ? UNKNOWN : minor ? "Minor" : "Adult");
	/* Exploitation came before registration: a minor now was a minor then;
	 * of anyone else the forms ask it (age_at_start). Entry into the
	 * situation is when the exploitation began as the forms ask it. */
	at_start = json_string_value(answer(rec, "age_at_start"));
	if (minor == 1 || (at_start != NULL && strcmp(at_start, "minor") == 0))
		exploit = "Minor";
	else if (at_start != NULL && strcmp(at_start, "adult") == 0)
		exploit = "Adult";
	text(w, C_MAJORITY_EXPLOIT, exploit);
	text(w, C_MAJORITY_ENTRY, exploit);
}

static void
fill_means(struct row *w, json_t *rec)
{
	const char *held = json_string_value(answer(rec, "documents_held_by"));
	int docs = -1, debt = yes_no(rec, "debt_work_off");
	enum col i;

	if (debt < 0 && yes_no(rec, "debt_owed") == 0)
		debt = 0;
	if (held != NULL)
		docs = strcmp(held, "employer") == 0 || strcmp(held, "recruiter_broker") == 0 ||
		    strcmp(held, "spouse_family") == 0;
	docs = either(docs, yes_no(rec, "docs_taken_journey"));
	flag(w, C_M_DEBT, debt);
	flag(w, C_M_EARNINGS, yes_no(rec, "wages_withheld"));
	flag(w, C_M_FINANCIAL, -1);
	flag(w, C_M_THREATS, has_any(rec, "threats"));
	flag(w, C_M_PSYCH, -1);
	flag(w, C_M_PHYSICAL, yes_no(rec, "physical_violence"));
	flag(w, C_M_SEXUAL, yes_no(rec, "sexual_violence"));
	flag(w, C_M_FALSE, yes_no(rec, "job_different"));
	flag(w, C_M_SUBSTANCES, -1);
	flag(w, C_M_MOVEMENT, yes_no(rec, "locked_in"));
	flag(w, C_M_MEDICAL, has(rec, "denied_necessities", "medical_care"));
	flag(w, C_M_HOURS, yes_no(rec, "forced_overtime"));
	flag(w, C_M_CHILDREN, -1);
	flag(w, C_M_LAW, has(rec, "threats", "police_immigration"));
	flag(w, C_M_NECESSITIES, has_any(rec, "denied_necessities"));
	flag(w, C_M_DOCUMENTS, docs);
	flag(w, C_M_OTHER, -1);
	/* Not specified: no means is known either way. */
	for (i = C_M_DEBT; i < C_M_OTHER && strcmp(w->cell[i], UNKNOWN) == 0; i++)
		;
	flag(w, C_M_NOTSPEC, i == C_M_OTHER);
	concat(w, C_M_CONCAT, C_M_DEBT, C_M_NOTSPEC, strlen("meansOfControl"));
}

static void
fill_exploitation(struct row *w, json_t *rec)
{
	static const struct { const char *sector; enum col col; } labour[] = {
		{ "agriculture", C_L_AGRICULTURE }, { "fishing", C_L_AQUAFARMING },
		{ "construction", C_L_CONSTRUCTION }, { "domestic_work", C_L_DOMESTIC },
		{ "restaurant", C_L_HOSPITALITY }, { "karaoke_entertainment", C_L_HOSPITALITY },
		{ "casino_scam", C_L_ILLICIT }, { "factory", C_L_MANUFACTURING },
		{ "other", C_L_OTHER },
	};
	int answered = has_any(rec, "sector") >= 0, any_labour = answered ? 0 : -1;
	int sexual, marriage, other;

	for (enum col c = C_L_AGRICULTURE; c < C_L_NOTSPEC; c++)
		flag(w, c, answered ? 0 : -1);
	for (size_t i = 0; answered && i < sizeof labour / sizeof labour[0]; i++)
		if (has(rec, "sector", labour[i].sector) == 1) {
			flag(w, labour[i].col, 1);
			any_labour = 1;
		}
	flag(w, C_L_NOTSPEC, any_labour == 1 ? 0 : -1);
	concat(w, C_L_CONCAT, C_L_AGRICULTURE, C_L_NOTSPEC, strlen("typeOfLabour"));
	sexual = either(has(rec, "sector", "sex_work"), yes_no(rec, "sex_with_clients"));
	marriage = either(has(rec, "sector", "marriage"), yes_no(rec, "marriage_forced"));
	other = has(rec, "sector", "casino_scam");
	flag(w, C_LABOUR, any_labour);
	flag(w, C_SEXUAL, sexual);
	flag(w, C_OTHER, other);
	flag(w, C_SEX_AND_LABOUR, any_labour == 1 && sexual == 1 ? 1 :
	    any_labour == 0 || sexual == 0 ? 0 : -1);
	flag(w, C_MARRIAGE, marriage);
	flag(w, C_MILITARY, -1);
	flag(w, C_ORGAN, -1);
	flag(w, C_SLAVERY, -1);
	w->cell[C_EXPLOIT_CONCAT][0] = '\0';
	{
		static const struct { enum col c; const char *name; } kinds[] = {
			{ C_LABOUR, "ForcedLabour" }, { C_SEXUAL, "SexualExploit" },
			{ C_MARRIAGE, "ForcedMarriage" }, { C_OTHER, "OtherExploit" },
		};
		size_t o = 0;

		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
			if (strcmp(w->cell[kinds[i].c], "1") == 0) {
				int n = snprintf(w->cell[C_EXPLOIT_CONCAT] + o, CELL_MAX - o, "%s%s",
				    o ? ";" : "", kinds[i].name);

				o += n > 0 ? (size_t)n : 0;
			}
		}
		if (o == 0)
			text(w, C_EXPLOIT_CONCAT, UNKNOWN);
	}
	flag(w, C_S_PROSTITUTION, sexual);
	flag(w, C_S_PORNOGRAPHY, -1);
	flag(w, C_S_REMOTE, -1);
	flag(w, C_S_PRIVATE, -1);
	concat(w, C_S_CONCAT, C_S_PROSTITUTION, C_S_CONCAT, strlen("typeOfSex"));
	flag(w, C_ABDUCTION, -1);
}

static void
fill_recruiter(struct row *w, json_t *rec)
{
	json_t *raw = json_object_get(json_object_get(rec, "answers"), "recruited_by");
	int answered = json_is_array(raw) && json_array_size(raw) > 0;
	int partner = has(rec, "recruited_by", "intimate_partner");
	int friend = has(rec, "recruited_by", "friend");
	int family = has(rec, "recruited_by", "relative");
	int other = -1;

	if (answered) {
		static const char *const others[] = { "broker", "agency", "employer", "online",
		    "other" };

		other = 0;
		for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
			other |= has(rec, "recruited_by", others[i]) == 1;
	}
	flag(w, C_R_PARTNER, partner);
	flag(w, C_R_FRIEND, friend);
	flag(w, C_R_FAMILY, family);
	flag(w, C_R_OTHER, other);
	/* Asked, but declined or not known. */
	flag(w, C_R_UNKNOWN, json_is_object(raw) ? 1 : answered ? 0 : -1);
	concat(w, C_RECRUITER, C_R_PARTNER, C_R_UNKNOWN, strlen("recruiterRelation"));
}

static void
fill(struct row *w, json_t *rec)
{
	const char *sex = json_string_value(answer(rec, "sex"));
	const char *started = dataset_str(rec, "started");

	if (strlen(started) >= 4)
		snprintf(w->cell[C_YEAR], CELL_MAX, "%.4s", started);
	else
		text(w, C_YEAR, UNKNOWN);
	text(w, C_DATASOURCE, "Case Management");
	/* The standard's gender codes are Male and Female: transgender, like
	 * a declined answer, is -99 (and so is not singled out). */
	text(w, C_GENDER, sex == NULL ? UNKNOWN : strcmp(sex, "female") == 0 ? "Female" :
	    strcmp(sex, "male") == 0 ? "Male" : UNKNOWN);
	fill_age(w, rec);
	text(w, C_CITIZENSHIP, country_code(json_string_value(answer(rec, "nationality"))));
	fill_means(w, rec);
	fill_exploitation(w, rec);
	fill_recruiter(w, rec);
	text(w, C_COUNTRY_EXPLOIT, country_code(json_string_value(answer(rec,
	    "country_of_work"))));
}

/* ---- writing ------------------------------------------------------------------ */

static enum status
flush(struct ctx *c)
{
	int e = fdio_write(c->fd, c->buf, c->len);

	if (e != 0) {
		status_msg(c->err, c->errlen, "cannot write the CTDC file: %s", strerror(e));
		return ST_IO;
	}
	c->len = 0;
	return ST_OK;
}

/* Appends a CSV cell (quoted when it holds a comma, quote or newline). */
static void
put(struct ctx *c, const char *s, int last)
{
	size_t need = 2 * strlen(s) + 4;

	if (c->len + need > c->cap && (c->st = flush(c)) != ST_OK)
		return;
	if (strpbrk(s, ",\"\r\n") != NULL) {
		c->buf[c->len++] = '"';
		for (; *s; s++) {
			if (*s == '"')
				c->buf[c->len++] = '"';
			c->buf[c->len++] = *s;
		}
		c->buf[c->len++] = '"';
	} else {
		memcpy(c->buf + c->len, s, strlen(s));
		c->len += strlen(s);
	}
	if (last) {
		c->buf[c->len++] = '\r';
		c->buf[c->len++] = '\n';
	} else {
		c->buf[c->len++] = ',';
	}
}

static int
one(void *arg, const struct record_id *id, const char *json, size_t len, json_t *rec,
    const struct form *f)
{
	struct ctx *c = arg;
	const char *outcome = dataset_str(json_object_get(rec, "outcome"), "id");
	struct row w;

	(void)id;
	(void)json;
	(void)len;
	(void)f;
	if (strcmp(outcome, "likely_victim") != 0 && strcmp(outcome, "possible_victim") != 0)
		return 0;
	if (strcmp(dataset_str(json_object_get(rec, "consent"), "statistics"), "yes") != 0) {
		c->r->no_consent++;
		return 0;
	}
	memset(&w, 0, sizeof w);
	fill(&w, rec);
	for (size_t i = 0; i < C_COUNT && c->st == ST_OK; i++)
		put(c, w.cell[i], i + 1 == C_COUNT);
	if (c->st != ST_OK)
		return 1;
	c->r->rows++;
	explicit_bzero(&w, sizeof w);
	return 0;
}

enum status
ctdc_write(struct vault *v, int fd, const char *forms_dir, struct ctdc_result *r,
    char *err, size_t errlen)
{
	struct ctx c = { fd, r, NULL, 0, 64 * 1024, ST_OK, err, errlen };
	struct dataset *ds = NULL;
	enum status st;

	memset(r, 0, sizeof *r);
	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can write the CTDC file");
		return ST_DENIED;
	}
	if ((c.buf = malloc(c.cap)) == NULL) {
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	for (size_t i = 0; i < C_COUNT; i++)
		put(&c, ctdc_columns[i], i + 1 == C_COUNT);
	if ((st = dataset_open(v, forms_dir, NULL, &ds, err, errlen)) != ST_OK)
		goto out;
	st = dataset_scan(ds, one, &c, &r->counts, err, errlen);
	if (st == ST_OK)
		st = c.st;
	if (st == ST_OK)
		st = flush(&c);
	if (st == ST_OK && fsync(fd) != 0 && errno != EINVAL) {
		status_msg(err, errlen, "cannot write the CTDC file: %s", strerror(errno));
		st = ST_IO;
	}
out:
	dataset_free(ds);
	explicit_bzero(c.buf, c.cap);
	free(c.buf);
	return st;
}
