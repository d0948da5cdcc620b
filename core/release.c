/*
 * release.c — statistics releases: periods, the vault's plan, and sealing
 * a release once (see release.h for what a release promises).
 *
 * Stored items (JSON, sealed by vault_release_put):
 *   plan:    {"kind": "quarter", "k": 11, "ctdc": false,
 *             "cross": [["sex", "nationality"], ...]}
 *   release: {"period": "2025-Q2", "kind": "quarter", "from": "2025-04-01",
 *             "before": "2025-07-01", "k": 11, "made": "2025-07-03T10:00:00Z",
 *             "table": "...", "csv": "..."}
 * The printed text is stored as made, so a release reads the same forever.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "release.h"
#include "stats.h"

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

enum status
release_period_parse(const char *p, char from[11], char before[11], const char **kind)
{
	size_t n = p ? strlen(p) : 0;
	char buf[48];
	int y, a, b;

	if (n < 4 || !digits(p, 4) || (y = atoi(p)) < 2000 || y > 9998)
		return ST_INVALID;
	if (n == 4) {
		*kind = "year";
		a = 1;
		b = 13;
	} else if (n == 7 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' && p[6] <= '4') {
		*kind = "quarter";
		a = 3 * (p[6] - '0') - 2;
		b = a + 3;
	} else if (n == 7 && p[4] == '-' && digits(p + 5, 2) && atoi(p + 5) >= 1 &&
	    atoi(p + 5) <= 12) {
		*kind = "month";
		a = atoi(p + 5);
		b = a + 1;
	} else {
		return ST_INVALID;
	}
	/* y is 2000..9998 and a, b 1..13: every date fits 10 characters. */
	snprintf(buf, sizeof buf, "%04d-%02d-01", y, a);
	memcpy(from, buf, 11);
	snprintf(buf, sizeof buf, "%04d-%02d-01", b > 12 ? y + 1 : y, b > 12 ? b - 12 : b);
	memcpy(before, buf, 11);
	return ST_OK;
}

/* The day before day ("YYYY-MM-DD"), into out. */
/* A CLOCK_DAY text (or "" when it could not be made) into out[11]. */
static void
copy_day(char out[11], const char *day)
{
	size_t n = strnlen(day, 10);

	memcpy(out, day, n);
	out[n] = '\0';
}

static void
day_before(const char *day, char out[11])
{
	char buf[CLOCK_TEXT_SIZE] = "";
	time_t t;

	if (clock_parse_day(day, strlen(day), &t))
		clock_format(t - 86400, CLOCK_DAY, buf);
	copy_day(out, buf);
}

void
release_result_free(struct release_result *r)
{
	if (r == NULL)
		return;
	free(r->table);
	free(r->csv);
	memset(r, 0, sizeof *r);
}

/* A stored JSON item (plan or release), parsed; NULL with *st set. */
static json_t *
stored(struct vault *v, const char *name, enum status *st, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	json_t *j;

	if ((*st = vault_release_get(v, name, &text, &len)) != ST_OK) {
		if (*st != ST_NOTFOUND)
			status_msg(err, errlen, "%s", vault_errmsg(v));
		return NULL;
	}
	j = json_loadb(text, len, 0, NULL);
	vault_plain_free(text, len);
	if (!json_is_object(j)) {
		json_decref(j);
		*st = ST_TAMPERED;
		status_msg(err, errlen, "the stored %s does not read as JSON: restore the vault from a "
		    "backup", name);
		return NULL;
	}
	return j;
}

static enum status
result_from(json_t *rel, struct release_result *r, int made, char *err, size_t errlen)
{
	const char *table = json_string_value(json_object_get(rel, "table"));
	const char *csv = json_string_value(json_object_get(rel, "csv"));

	if (table == NULL || csv == NULL) {
		status_msg(err, errlen, "a stored release lacks its text: restore the vault from a backup");
		return ST_TAMPERED;
	}
	r->table = strdup(table);
	/* Below k a release publishes no count: nor does a CSV stored by an
	 * earlier version, which printed its tables whole (stats.c). */
	r->counted = (size_t)json_integer_value(json_object_get(rel, "counted"));
	r->csv = strdup(r->counted < r->k ? STATS_RELEASE_CSV_HEAD : csv);
	if (r->table == NULL || r->csv == NULL) {
		release_result_free(r);
		status_msg(err, errlen, "out of memory");
		return ST_NOMEM;
	}
	r->table_len = strlen(table);
	r->csv_len = strlen(r->csv);
	r->made = made;
	return ST_OK;
}

/* Whether o's cross-tables (when given) are the plan's. */
static int
same_cross(json_t *plan, const struct release_opts *o)
{
	json_t *cross = json_object_get(plan, "cross");

	if (o->cross == NULL)
		return 1;
	if (json_array_size(cross) != o->ncross)
		return 0;
	for (size_t i = 0; i < o->ncross; i++) {
		json_t *pair = json_array_get(cross, i);
		const char *a = json_string_value(json_array_get(pair, 0));
		const char *b = json_string_value(json_array_get(pair, 1));

		if (a == NULL || b == NULL || strcmp(a, o->cross[i][0]) != 0 ||
		    strcmp(b, o->cross[i][1]) != 0)
			return 0;
	}
	return 1;
}

static void
plan_describe(json_t *plan, char *buf, size_t len)
{
	json_t *cross = json_object_get(plan, "cross");
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(cross) && o < len; i++) {
		json_t *pair = json_array_get(cross, i);
		int n = snprintf(buf + o, len - o, "%s%s,%s", i ? ";" : "",
		    json_string_value(json_array_get(pair, 0)) ? json_string_value(json_array_get(pair, 0)) : "?",
		    json_string_value(json_array_get(pair, 1)) ? json_string_value(json_array_get(pair, 1)) : "?");

		o += n > 0 ? (size_t)n : 0;
	}
	if (o == 0)
		snprintf(buf, len, "(none)");
}

/* The plan as given by the first release. */
static json_t *
plan_new(const char *kind, unsigned k, const struct release_opts *o)
{
	json_t *plan = json_object(), *cross = json_array();

	for (size_t i = 0; i < o->ncross && o->cross != NULL; i++)
		json_array_append_new(cross, json_pack("[ss]", o->cross[i][0], o->cross[i][1]));
	json_object_set_new(plan, "kind", json_string(kind));
	json_object_set_new(plan, "k", json_integer(k));
	json_object_set_new(plan, "ctdc", json_boolean(o->ctdc));
	json_object_set_new(plan, "cross", cross);
	return plan;
}

/* The plan's cross-tables as stats_opts takes them (pointers into plan). */
static size_t
plan_cross(json_t *plan, const char *(*out)[2])
{
	json_t *cross = json_object_get(plan, "cross");
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(cross) && n < RELEASE_CROSS_MAX; i++) {
		json_t *pair = json_array_get(cross, i);

		out[n][0] = json_string_value(json_array_get(pair, 0));
		out[n][1] = json_string_value(json_array_get(pair, 1));
		if (out[n][0] != NULL && out[n][1] != NULL)
			n++;
	}
	return n;
}

/* A new release's words are in the language of o->words (core/words.h). */
#define _(m) words_get(o->words, m)

/* Counts, suppresses and formats the release; *rel gets its JSON. */
static enum status
release_make(struct vault *v, const struct release_opts *o, json_t *plan, const char *kind,
    const char *from, const char *before, json_t **rel, char *err, size_t errlen)
{
	const char *cross[RELEASE_CROSS_MAX][2];
	struct stats_opts so;
	struct stats_release sr;
	struct stats *s = NULL;
	char *table = NULL, *csv = NULL, last[11], made[CLOCK_TEXT_SIZE] = "", *head = NULL;
	char *title = NULL;
	size_t tlen, clen;
	enum status st;

	memset(&so, 0, sizeof so);
	so.k = (unsigned)json_integer_value(json_object_get(plan, "k"));
	so.forms_dir = o->forms_dir;
	so.ctdc = json_is_true(json_object_get(plan, "ctdc"));
	so.words = o->words;
	so.lang = o->lang;
	sr.ncross = plan_cross(plan, cross);
	sr.cross = (const char *const (*)[2])cross;
	sr.from = from;
	sr.before = before;
	if ((st = stats_compute_release(v, &so, &sr, &s, err, errlen)) != ST_OK)
		return st;
	if ((st = stats_format(s, STATS_TABLE, &table, &tlen)) != ST_OK ||
	    (st = stats_format(s, STATS_CSV, &csv, &clen)) != ST_OK) {
		status_msg(err, errlen, "out of memory");
		goto out;
	}
	day_before(before, last);
	clock_format(clock_now(), CLOCK_ISO, made);
	/* TRANSLATORS: the first line of a statistics release: the period, its
	 * first and last days, and when it was made. */
	if (asprintf(&title, _("Release %s: interviews started from %s to %s (UTC), released "
	    "%s.\n"), o->period, from, last, made) < 0)
		title = NULL;
	if (title == NULL || asprintf(&head, "%s%s", title, table) < 0) {
		head = NULL;
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory");
		goto out;
	}
	*rel = json_pack("{ss ss ss ss si ss ss ss si}", "period", o->period, "kind", kind,
	    "from", from, "before", before, "k", (json_int_t)so.k, "made", made, "table", head,
	    "csv", csv, "counted", (json_int_t)stats_counted(s));
	if (*rel == NULL) {
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory");
	}
out:
	free(title);
	free(head);
	free(table);
	free(csv);
	stats_free(s);
	return st;
}

static void
today_utc(char out[11])
{
	char buf[CLOCK_TEXT_SIZE] = "";

	clock_format(clock_now(), CLOCK_DAY, buf);
	copy_day(out, buf);
}

enum status
release_get(struct vault *v, const struct release_opts *o, struct release_result *r,
    char *err, size_t errlen)
{
	char from[11], before[11], today[11], have[512];
	const char *kind = NULL;
	json_t *plan = NULL, *rel = NULL;
	char *plan_text = NULL, *rel_text = NULL;
	int first = 0;
	enum status st;

	memset(r, 0, sizeof *r);
	if (!vault_is_unlocked(v) || vault_role(v) != ROLE_SUPERVISOR) {
		status_msg(err, errlen, "only a supervisor can release statistics");
		return ST_DENIED;
	}
	if (release_period_parse(o->period, from, before, &kind) != ST_OK) {
		status_msg(err, errlen, "'%.40s' is not a period: give a year (2025), a quarter (2025-Q2) "
		    "or a month (2025-04)", o->period ? o->period : "");
		return ST_INVALID;
	}
	if (o->ncross > RELEASE_CROSS_MAX) {
		status_msg(err, errlen, "a release has at most %d cross-tables", RELEASE_CROSS_MAX);
		return ST_INVALID;
	}
	if (o->k != 0 && (st = stats_check_k(o->k, err, errlen)) != ST_OK)
		return st;
	plan = stored(v, VAULT_RELEASE_PLAN, &st, err, errlen);
	if (plan == NULL && st != ST_NOTFOUND)
		return st;
	if (plan == NULL) {
		first = 1;
		plan = plan_new(kind, o->k ? o->k : STATS_K_DEFAULT, o);
	}
	if (plan != NULL) {
		r->k = (unsigned)json_integer_value(json_object_get(plan, "k"));
		plan_describe(plan, r->cross, sizeof r->cross);
	}
	if (!first) {
		const char *pk = json_string_value(json_object_get(plan, "kind"));

		plan_describe(plan, have, sizeof have);
		if (pk == NULL || strcmp(pk, kind) != 0) {
			status_msg(err, errlen, "this vault releases statistics by %s (fixed by its first "
			    "release): '%s' is a %s; periods of one kind never overlap, so no release "
			    "can be subtracted from another", pk ? pk : "?", o->period, kind);
			st = ST_INVALID;
			goto out;
		}
		if ((o->k != 0 && (json_int_t)o->k != json_integer_value(json_object_get(plan, "k")))
		    || !same_cross(plan, o) ||
		    (o->ctdc && !json_is_true(json_object_get(plan, "ctdc")))) {
			status_msg(err, errlen, "this vault's releases are fixed by its first: k = %lld, "
			    "cross-tables %s%s; leave out --k, --by and --ctdc to use them",
			    (long long)json_integer_value(json_object_get(plan, "k")), have,
			    json_is_true(json_object_get(plan, "ctdc")) ? ", CTDC codes" : "");
			st = ST_INVALID;
			goto out;
		}
		rel = stored(v, o->period, &st, err, errlen);
		if (rel != NULL) {
			st = result_from(rel, r, 0, err, errlen);
			goto out;
		}
		if (st != ST_NOTFOUND)
			goto out;
	}
	if (o->today != NULL)
		snprintf(today, sizeof today, "%s", o->today);
	else
		today_utc(today);
	if (strcmp(before, today) > 0) {
		status_msg(err, errlen, "%s has not ended (today is %s, UTC): a period is released once "
		    "it is over, so that its population never grows after publication", o->period,
		    today);
		st = ST_INVALID;
		goto out;
	}
	if ((st = release_make(v, o, plan, kind, from, before, &rel, err, errlen)) != ST_OK)
		goto out;
	plan_text = first ? json_dumps(plan, JSON_COMPACT) : NULL;
	rel_text = json_dumps(rel, JSON_COMPACT);
	if (rel_text == NULL || (first && plan_text == NULL)) {
		st = ST_NOMEM;
		status_msg(err, errlen, "out of memory");
		goto out;
	}
	st = vault_release_put(v, o->period, rel_text, strlen(rel_text), plan_text,
	    plan_text ? strlen(plan_text) : 0);
	if (st != ST_OK) {
		status_msg(err, errlen, "%s", vault_errmsg(v));
		goto out;
	}
	st = result_from(rel, r, 1, err, errlen);
out:
	free(plan_text);
	free(rel_text);
	json_decref(plan);
	json_decref(rel);
	return st;
}
