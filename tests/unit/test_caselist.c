/*
 * test_caselist.c — the case list's rows, read from a real vault: order,
 * what each column shows (odd and hostile summaries included), the search
 * syntax, what an interviewer may see, a damaged summary, and the list
 * without drafts that `intake record list` prints.
 *
 * Summaries are planted with vault_record_put, as any writer could store
 * them, so the reader is tested on more than interview_summary_json writes.
 */
#include "testutil.h"
#include <lmdb.h>
#include <stdint.h>
#include <time.h>
#include "caselist.h"
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

#define PASS_A "alice passphrase 1"
#define PASS_B "bo passphrase 22"


struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
	struct caselist *cl;
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->tmp = tu_tmpdir("caselist");
	assert_true((size_t)snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp) < sizeof f->dir);
	assert_non_null(f->v = vault_new());
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_ok(f->v, vault_user_add(f->v, "bo", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_non_null(f->cl = caselist_new());
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	caselist_free(f->cl);
	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

static struct record_id
put(struct vault *v, const char *summary)
{
	struct record_id id;

	assert_ok(v, vault_record_put(v, "{}", 2, summary, strlen(summary), &id));
	return id;
}

/* A summary as interview_summary_json writes it. */
static struct record_id
put_case(struct vault *v, const char *by, const char *form, const char *lang,
    const char *status, const char *outcome, const char *started)
{
	char s[512];

	assert_true((size_t)snprintf(s, sizeof s, "{\"form\":\"%s\",\"lang\":\"%s\",\"status\":\"%s\","
	    "\"outcome\":%s%s%s,\"started\":\"%s\",\"interviewer\":\"%s\",\"training\":false}",
	    form, lang, status, outcome ? "\"" : "", outcome ? outcome : "null", outcome ? "\"" : "",
	    started, by) < sizeof s);
	return put(v, s);
}

static enum caselist_source
load(struct fx *f)
{
	enum caselist_source src;

	assert_ok(f->v, caselist_load(f->cl, f->v, &src));
	assert_int_equal(src, CASELIST_LISTING);
	return src;
}

static struct caselist_row
row(struct fx *f, size_t i)
{
	struct caselist_row r;

	assert_true(caselist_row(f->cl, i, &r));
	return r;
}

/* Searches, then gives the outcomes of the rows shown, in order, one space
 * apart (an empty outcome leaves two spaces). */
static const char *
shown(struct fx *f, const char *query)
{
	static char out[4096];
	char err[256];
	size_t o = 0;

	out[0] = '\0';
	if (caselist_filter(f->cl, query, err, sizeof err) != ST_OK)
		fail_msg("search \"%s\" refused: %s", query, err);
	for (size_t i = 0; i < caselist_shown(f->cl); i++) {
		struct caselist_row r = row(f, i);

		o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? " " : "", r.outcome);
		assert_true(o < sizeof out);
	}
	return out;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- order ---- */

static void
drafts_first_then_newest_first(void **state)
{
	struct fx *f = *state;
	enum { N = 700 };
	static const char *const odd[] = {
		"yesterday", "", "2023-02-29T10:00:00Z", "2023-01-01T00:00:00Z+07",
	};
	char *want[N], started[32];
	struct record_id d1 = { { 0 } }, d2 = { { 0 } };
	const char *dj1 = "{\"started\":\"2020-01-01T00:00:00Z\",\"status\":\"draft\","
	    "\"outcome\":{\"id\":\"likely_victim\"},\"form\":\"f\",\"answers\":{\"x\":[1,2]}}";
	const char *dj2 = "{\"started\":\"2021-06-01T00:00:00Z\",\"status\":\"draft\"}";
	uint64_t t = 12345;

	/* Times from 1970 to 2105, both ends included, in no order. */
	for (size_t i = 0; i < N; i++) {
		time_t when = i == 0 ? 0 : i == 1 ? (time_t)4291747199 : (time_t)(t % 4291747199u);
		struct tm tm;

		t = t * 6364136223846793005u + 1442695040888963407u;
		gmtime_r(&when, &tm);
		strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
		want[i] = strdup(started);
		put_case(f->v, "alice", "f", "en", "final", "x", started);
	}
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
		put_case(f->v, "alice", "f", "en", "final", "odd", odd[i]);
	assert_ok(f->v, vault_draft_put(f->v, &d1, dj1, strlen(dj1)));
	assert_ok(f->v, vault_draft_put(f->v, &d2, dj2, strlen(dj2)));
	load(f);
	assert_int_equal(caselist_count(f->cl), N + 4 + 2);
	assert_int_equal(caselist_shown(f->cl), N + 4 + 2);

	/* Drafts, the newer first, whatever the records' dates. */
	assert_true(row(f, 0).draft);
	assert_string_equal(row(f, 0).started, "2021-06-01T00:00:00Z");
	assert_memory_equal(row(f, 0).id.b, d2.b, VAULT_ID_BYTES);
	assert_string_equal(row(f, 0).code, "(draft)");
	assert_string_equal(row(f, 1).started, "2020-01-01T00:00:00Z");
	/* A draft's outcome is provisional: none is shown. */
	assert_string_equal(row(f, 1).outcome, "");
	assert_string_equal(row(f, 1).form, "f");
	/* Drafts of an earlier intake say neither when saved nor how far. */
	assert_string_equal(row(f, 1).saved, "");
	assert_int_equal(row(f, 1).answered, -1);

	/* Then every record newest first, each start time shown as stored. */
	qsort(want, N, sizeof *want, cmp_str);
	for (size_t i = 0; i < N; i++) {
		struct caselist_row r = row(f, 2 + i);
		struct case_code code;

		assert_false(r.draft);
		assert_string_equal(r.started, want[N - 1 - i]);
		record_id_code(&r.id, &code);
		assert_string_equal(r.code, code.s);
	}
	for (size_t i = 0; i < N; i++)
		free(want[i]);
	/* Start times not in ISO form (or not a real date) come last, as is. */
	for (size_t i = 0; i < 4; i++) {
		struct caselist_row r = row(f, 2 + N + i);
		bool known = false;

		assert_string_equal(r.outcome, "odd");
		for (size_t k = 0; k < 4; k++)
			known |= strcmp(r.started, odd[k]) == 0;
		assert_true(known);
	}
	assert_false(caselist_row(f->cl, N + 6, &(struct caselist_row){ 0 }));
}

/* ---- what a row shows ---- */

static const char *
outcome_of(struct fx *f, const struct record_id *id)
{
	for (size_t i = 0; i < caselist_shown(f->cl); i++)
		if (memcmp(row(f, i).id.b, id->b, VAULT_ID_BYTES) == 0) {
			static char out[128];

			snprintf(out, sizeof out, "%s", row(f, i).outcome);
			return out;
		}
	fail_msg("record not listed");
	return NULL;
}

static void
odd_summaries_show_safely(void **state)
{
	struct fx *f = *state;
	char big[400], json[600];
	struct record_id esc, ctl, two_bs, one_bs, longv, nested, broken, keyesc, notobj;
	struct caselist_row r;

	esc = put(f->v, "{\"outcome\":\"a\\\"b\\\\c\\/d\\u0041\\ne\"}");
	ctl = put(f->v, "{\"outcome\":\"red\x1b[31mtext\x7f\"}");
	two_bs = put(f->v, "{\"outcome\":\"x\\\\\\\\y\"}");        /* JSON x\\\\y: x\\y */
	one_bs = put(f->v, "{\"outcome\":\"x\\\\y\"}");            /* JSON x\\y: x\y */
	memset(big, 0, sizeof big);
	for (size_t i = 0; i + 2 < 300; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);                    /* é, 2 bytes each */
	snprintf(json, sizeof json, "{\"outcome\":\"%s\"}", big);
	longv = put(f->v, json);
	nested = put(f->v, " { \"form\" : {\"a\":[\"}\",{\"b\":\"]\"}]} , \"lang\" : \"lo\" ,"
	    " \"outcome\" : \"after nested\" } ");
	broken = put(f->v, "{\"outcome\":\"cut off");
	keyesc = put(f->v, "{\"st\\u0061tus\":\"final\",\"outcome\":\"key escaped\"}");
	notobj = put(f->v, "[\"outcome\",\"x\"]");
	load(f);
	assert_int_equal(caselist_count(f->cl), 9);

	assert_string_equal(outcome_of(f, &esc), "a\"b\\c/d? e");
	assert_string_equal(outcome_of(f, &ctl), "red [31mtext ");
	assert_string_equal(outcome_of(f, &two_bs), "x\\\\y");
	assert_string_equal(outcome_of(f, &one_bs), "x\\y");
	assert_string_equal(outcome_of(f, &broken), "");
	assert_string_equal(outcome_of(f, &keyesc), "key escaped");
	assert_string_equal(outcome_of(f, &notobj), "");
	assert_string_equal(outcome_of(f, &nested), "after nested");
	/* A long value is cut between characters. */
	{
		const char *o = outcome_of(f, &longv);
		size_t n = strlen(o);

		assert_true(n > 80 && n < 96);
		assert_int_equal(n % 2, 0);
		assert_memory_equal(o, big, n);
	}
	for (size_t i = 0; i < caselist_shown(f->cl); i++) {
		r = row(f, i);
		if (memcmp(r.id.b, nested.b, VAULT_ID_BYTES) == 0) {
			assert_string_equal(r.form, "");
			assert_string_equal(r.lang, "lo");
		}
		if (memcmp(r.id.b, keyesc.b, VAULT_ID_BYTES) == 0)
			assert_string_equal(r.status, "");
		assert_string_equal(r.interviewer, "");
		assert_string_equal(r.started, "");
	}
}

/* The list remembers each column's latest values and the order of the
 * keys of the summary before, to skip most of the reading of the next:
 * rows built to defeat that must show just what a first reading shows. */
static void
remembered_values_mislead_nothing(void **state)
{
	struct fx *f = *state;
	struct record_id quote, prefix, longer, moved, badhour, badsec, nextday;

	put_case(f->v, "alice", "f", "en", "final", "ab", "2025-03-01T10:00:00Z");
	quote = put(f->v, "{\"form\":\"f\",\"lang\":\"en\",\"status\":\"final\","
	    "\"outcome\":\"ab\\\"c\",\"started\":\"2025-03-01T10:00:01Z\"}");
	put_case(f->v, "alice", "f", "en", "final", "abc", "2025-03-01T10:00:02Z");
	prefix = put_case(f->v, "alice", "f", "en", "final", "ab", "2025-03-01T10:00:03Z");
	longer = put_case(f->v, "alice", "f", "en", "final", "abcd", "2025-03-01T10:00:04Z");
	/* The same values under other keys, in another order. */
	moved = put(f->v, "{\"outcome\":\"en\",\"lang\":\"final\",\"status\":\"ab\","
	    "\"started\":\"2025-03-01T10:00:05Z\",\"form\":\"abc\"}");
	/* Times on the day just read that are not times at all. */
	badhour = put_case(f->v, "alice", "f", "en", "final", "h", "2025-03-01T24:00:00Z");
	badsec = put_case(f->v, "alice", "f", "en", "final", "s", "2025-03-01T10:00:60Z");
	nextday = put_case(f->v, "alice", "f", "en", "final", "n", "2025-03-01T10:00:06Z");
	load(f);
	assert_int_equal(caselist_count(f->cl), 9);
	assert_string_equal(outcome_of(f, &quote), "ab\"c");
	assert_string_equal(outcome_of(f, &prefix), "ab");
	assert_string_equal(outcome_of(f, &longer), "abcd");
	for (size_t i = 0; i < caselist_shown(f->cl); i++) {
		struct caselist_row r = row(f, i);

		if (memcmp(r.id.b, moved.b, VAULT_ID_BYTES) == 0) {
			assert_string_equal(r.outcome, "en");
			assert_string_equal(r.lang, "final");
			assert_string_equal(r.status, "ab");
			assert_string_equal(r.form, "abc");
			assert_string_equal(r.interviewer, "");
		}
	}
	/* Newest first, then the two start times that are not times, as
	 * stored. */
	assert_memory_equal(row(f, 0).id.b, nextday.b, VAULT_ID_BYTES);
	assert_memory_equal(row(f, 1).id.b, moved.b, VAULT_ID_BYTES);
	assert_string_equal(row(f, 6).outcome, "ab");
	assert_string_equal(row(f, 6).started, "2025-03-01T10:00:00Z");
	assert_string_equal(row(f, 7).started, "2025-03-01T24:00:00Z");
	assert_memory_equal(row(f, 7).id.b, badhour.b, VAULT_ID_BYTES);
	assert_string_equal(row(f, 8).started, "2025-03-01T10:00:60Z");
	assert_memory_equal(row(f, 8).id.b, badsec.b, VAULT_ID_BYTES);
	assert_string_equal(shown(f, "date:2025-03-01T10"), "n en abcd ab abc ab\"c ab s");

	/* Read again: what is remembered from the first reading changes
	 * nothing. */
	load(f);
	assert_string_equal(shown(f, ""), "n en abcd ab abc ab\"c ab h s");
}

/* Whether the vault file's mapping in this process reads at random: no
 * read-ahead (VmFlags "rr" in /proc/self/smaps). -1 when not mapped. */
static int
map_reads_at_random(const char *dir)
{
	char line[4400], data[4200], perms[8];
	unsigned long lo, hi;
	int in = 0, found = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	snprintf(data, sizeof data, "%s/data.mdb", dir);
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strcspn(line, "\n");

		line[n] = '\0';
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			/* A mapping's first line ends with its file's path. */
			in = n >= strlen(data) && strcmp(line + n - strlen(data), data) == 0;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			found = strstr(line, " rr") != NULL;
			in = 0;
		}
	}
	fclose(f);
	return found;
}

struct random_seen {
	const char *dir;
	int during;
};

static int
note_random(void *p, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct random_seen *rs = p;

	(void)id;
	(void)st;
	(void)json;
	(void)len;
	if (rs->during < 0)
		rs->during = map_reads_at_random(rs->dir);
	return 0;
}

/* The listing's chunks lie wherever their last rewrite put them: read
 * ahead around each, listing 100,000 cases from a disk read most of the
 * file, and under a 256 MiB memory limit took twice as long reclaiming
 * page cache. The scan reads the map at random, and gives that back. */
static void
listing_read_without_read_ahead(void **state)
{
	struct fx *f = *state;
	struct random_seen rs = { f->dir, -1 };

	for (int i = 0; i < 300; i++)
		put_case(f->v, "alice", "f", "en", "final", "x", "2025-01-01T00:00:00Z");
	assert_int_equal(vault_listing_scan(f->v, note_random, &rs), ST_OK);
	assert_int_equal(rs.during, 1);
	assert_int_equal(map_reads_at_random(f->dir), 0);
}

/* ---- search ---- */

static void
search_syntax(void **state)
{
	struct fx *f = *state;
	char err[256], q[700];

	put_case(f->v, "alice", "screening_short", "en", "final", "likely_victim", "2025-09-04T15:33:20Z");
	put_case(f->v, "bo", "screening_short", "en", "final", "likely_victim_bo", "2025-10-09T08:53:20Z");
	put_case(f->v, "alice", "screening_short", "en", "ended", NULL, "2025-11-01T12:26:40Z");
	put_case(f->v, "alice", "screening", "lo", "final", "no_indicators", "2025-11-24T16:00:00Z");
	put_case(f->v, "bo", "screening", "th", "amended", "possible_victim", "2025-12-06T05:46:40Z");
	put_case(f->v, "Bounmy", "screening", "zh", "final", "by_bounmy", "2026-01-31T10:30:00Z");
	load(f);

	assert_string_equal(shown(f, ""), "by_bounmy possible_victim no_indicators  "
	    "likely_victim_bo likely_victim");
	assert_string_equal(shown(f, "  "), shown(f, ""));
	/* Qualifiers: that column only, prefix, any case. */
	assert_string_equal(shown(f, "status:ended"), "");
	assert_int_equal(caselist_shown(f->cl), 1);
	assert_string_equal(shown(f, "Status:FIN"), "by_bounmy no_indicators likely_victim_bo likely_victim");
	assert_string_equal(shown(f, "status:inal"), "");
	assert_int_equal(caselist_shown(f->cl), 0);
	assert_string_equal(shown(f, "outcome:likely"), "likely_victim_bo likely_victim");
	assert_string_equal(shown(f, "outcome:victim"), "");
	assert_string_equal(shown(f, "form:screening_"), " likely_victim_bo likely_victim");
	assert_string_equal(shown(f, "form:screening"), shown(f, ""));
	assert_string_equal(shown(f, "lang:th"), "possible_victim");
	assert_string_equal(shown(f, "by:bo"), "by_bounmy possible_victim likely_victim_bo");
	assert_string_equal(shown(f, "by:bo outcome:l"), "likely_victim_bo");
	assert_string_equal(shown(f, "status:"), shown(f, ""));
	/* Plain words: anywhere in any column; all of them must match. */
	assert_string_equal(shown(f, "victim"), "possible_victim likely_victim_bo likely_victim");
	assert_string_equal(shown(f, "victim bo"), "possible_victim likely_victim_bo");
	assert_string_equal(shown(f, "VICTIM     BO likely"), "likely_victim_bo");
	assert_string_equal(shown(f, "nobody"), "");
	assert_int_equal(caselist_shown(f->cl), 0);
	assert_string_equal(shown(f, "10:30"), "by_bounmy");
	assert_string_equal(shown(f, "2025-1"), "possible_victim no_indicators  likely_victim_bo");
	assert_string_equal(shown(f, "t16:"), "no_indicators");
	/* Dates: a prefix, or a range inclusive at each end's precision. */
	assert_string_equal(shown(f, "date:2025"), "possible_victim no_indicators  likely_victim_bo "
	    "likely_victim");
	assert_string_equal(shown(f, "date:2025-11"), "no_indicators ");
	assert_string_equal(shown(f, "date:2025-10..2025-11"), "no_indicators  likely_victim_bo");
	assert_string_equal(shown(f, "date:2025-11-01..2025-11-24"), "no_indicators ");
	assert_string_equal(shown(f, "date:2025-11-02..2025-11-24"), "no_indicators");
	assert_string_equal(shown(f, "date:2025-12.."), "by_bounmy possible_victim");
	assert_string_equal(shown(f, "date:..2025-09"), "likely_victim");
	assert_string_equal(shown(f, "date:2025-12-06T05:46:40Z"), "possible_victim");
	assert_string_equal(shown(f, "date:2025-12-06t05"), "possible_victim");
	assert_string_equal(shown(f, "date:2025..2025 outcome:p"), "possible_victim");
	/* A case code, whole or in part, in any case and with its dash. */
	{
		struct caselist_row r;
		char code[16];

		shown(f, "lang:zh");
		r = row(f, 0);
		snprintf(code, sizeof code, "%s", r.code);
		for (char *c = code; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		assert_string_equal(shown(f, code), "by_bounmy");
		code[6] = '\0';
		assert_true(strstr(shown(f, code), "by_bounmy") != NULL);
	}

	/* Mistakes: said, and the word taken as plain text. */
	assert_int_equal(caselist_filter(f->cl, "colour:red", err, sizeof err), ST_INVALID);
	assert_string_equal(err, "\"colour:\" is not a filter: use status: outcome: form: lang: by: "
	    "or date:");
	assert_int_equal(caselist_shown(f->cl), 0);
	assert_int_equal(caselist_filter(f->cl, "date:2025-12..2025-10", err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "ends before it starts"));
	assert_int_equal(caselist_filter(f->cl, "date:november", err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "date:2025-10..2025-11"));
	/* The first mistake is the one described. */
	assert_int_equal(caselist_filter(f->cl, "x: date:nov", err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "\"x:\""));
	memset(q, 0, sizeof q);
	for (size_t i = 0; i < 33; i++)
		strcat(q, "final ");
	assert_int_equal(caselist_filter(f->cl, q, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "first 32 words"));
	assert_int_equal(caselist_shown(f->cl), 4);
	memset(q, 'a', sizeof q - 1);
	assert_int_equal(caselist_filter(f->cl, q, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(caselist_filter(f->cl, "", err, sizeof err), ST_OK);
	assert_string_equal(err, "");
	assert_int_equal(caselist_shown(f->cl), 6);

	/* The search outlives a reload (the list is read again each visit). */
	assert_int_equal(caselist_filter(f->cl, "lang:lo", err, sizeof err), ST_OK);
	put_case(f->v, "alice", "screening", "lo", "final", "new_lao", "2027-01-01T00:00:00Z");
	load(f);
	assert_int_equal(caselist_count(f->cl), 7);
	assert_int_equal(caselist_shown(f->cl), 2);
	assert_string_equal(row(f, 0).outcome, "new_lao");
}

/* ---- who sees what ---- */

static void
interviewer_sees_own_cases(void **state)
{
	struct fx *f = *state;
	struct record_id draft = { { 0 } };

	put_case(f->v, "alice", "f", "en", "final", "alice_case", "2025-01-01T00:00:00Z");
	assert_ok(f->v, vault_unlock(f->v, "bo", PASS_B, strlen(PASS_B)));
	put_case(f->v, "bo", "f", "en", "final", "bo_case", "2025-01-02T00:00:00Z");
	assert_ok(f->v, vault_draft_put(f->v, &draft, "{\"status\":\"draft\"}", 18));
	load(f);
	assert_string_equal(shown(f, ""), " bo_case");
	assert_int_equal(caselist_count(f->cl), 2);
	assert_true(row(f, 0).draft);

	/* A supervisor sees every case, and others' drafts by owner only (to
	 * discard them), none of their content. */
	assert_ok(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)));
	load(f);
	assert_int_equal(caselist_count(f->cl), 3);
	assert_true(row(f, 0).draft);
	assert_true(row(f, 0).others);
	assert_string_equal(row(f, 0).interviewer, "bo");
	assert_string_equal(row(f, 0).status, "draft");
	assert_string_equal(row(f, 0).form, "");
	assert_memory_equal(row(f, 0).id.b, draft.b, VAULT_ID_BYTES);
	assert_false(row(f, 1).others);
	assert_string_equal(shown(f, ""), " bo_case alice_case");
	assert_string_equal(shown(f, "by:bo"), " bo_case");     /* his draft, his case */
}

/* Flips a byte (from_end bytes before the end) of the value under key in
 * table, as someone with the files could; drop_listing also removes the
 * listing, as in a vault of an earlier intake. */
static void
flip_byte(const char *dir, const char *table, const void *key, size_t klen, size_t from_end,
    bool drop_listing)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)(uintptr_t)key }, d;
	unsigned char *copy;

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, table, 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &d), 0);
	assert_non_null(copy = malloc(d.mv_size));
	memcpy(copy, d.mv_data, d.mv_size);
	copy[d.mv_size - from_end] ^= 0x01;
	d.mv_data = copy;
	assert_int_equal(mdb_put(txn, dbi, &k, &d, 0), 0);
	if (drop_listing) {
		assert_int_equal(mdb_dbi_open(txn, "listing", 0, &dbi), 0);
		assert_int_equal(mdb_drop(txn, dbi, 1), 0);
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	free(copy);
}

static void
damaged_summary_is_listed(void **state)
{
	struct fx *f = *state;
	struct record_id bad;
	struct case_code code;
	enum caselist_source src;
	bool found = false;

	put_case(f->v, "alice", "f", "en", "final", "sound", "2025-01-01T00:00:00Z");
	bad = put_case(f->v, "alice", "f", "en", "final", "secret", "2025-01-02T00:00:00Z");
	vault_close(f->v);
	/* Without its listing: the next unlock lists the summaries again,
	 * the damaged one as damaged. */
	flip_byte(f->dir, "summaries", bad.b, VAULT_ID_BYTES, 5, true);
	assert_non_null(f->v = vault_new());
	assert_ok(f->v, vault_open(f->v, f->dir));
	assert_ok(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)));
	assert_ok(f->v, caselist_load(f->cl, f->v, &src));
	assert_int_equal(src, CASELIST_LISTING);
	assert_int_equal(caselist_count(f->cl), 2);
	record_id_code(&bad, &code);
	for (size_t i = 0; i < caselist_shown(f->cl); i++) {
		struct caselist_row r = row(f, i);

		if (strcmp(r.code, code.s) == 0) {
			found = true;
			assert_true(r.damaged);
			assert_string_equal(r.status, "DAMAGED");
			assert_string_equal(r.outcome, "");
		} else {
			assert_false(r.damaged);
			assert_string_equal(r.outcome, "sound");
		}
	}
	assert_true(found);
	assert_string_equal(shown(f, "status:damaged"), "");
	assert_int_equal(caselist_shown(f->cl), 1);
}

/* `intake record list` lists saved records only: no draft, and a summary
 * whose status merely reads "DAMAGED" is not a damaged one. */
static void
drafts_can_be_left_out(void **state)
{
	struct fx *f = *state;
	struct record_id d = { { 0 } };
	const char *dj = "{\"started\":\"2030-01-01T00:00:00Z\",\"status\":\"draft\"}";

	put_case(f->v, "alice", "f", "en", "final", "one", "2025-01-01T00:00:00Z");
	put_case(f->v, "alice", "f", "en", "DAMAGED", "two", "2025-01-02T00:00:00Z");
	assert_ok(f->v, vault_draft_put(f->v, &d, dj, strlen(dj)));
	load(f);
	assert_int_equal(caselist_count(f->cl), 3);
	assert_true(row(f, 0).draft);

	caselist_set_options(f->cl, CASELIST_NO_DRAFTS);
	load(f);
	assert_int_equal(caselist_count(f->cl), 2);
	assert_int_equal(caselist_shown(f->cl), 2);
	for (size_t i = 0; i < 2; i++) {
		assert_false(row(f, i).draft);
		assert_false(row(f, i).damaged);
	}
	assert_string_equal(row(f, 0).outcome, "two");
	assert_string_equal(row(f, 0).status, "DAMAGED");

	caselist_set_options(f->cl, 0);
	load(f);
	assert_int_equal(caselist_count(f->cl), 3);
}

/* With CASELIST_VERBATIM a column is the summary's text as JSON decodes it
 * (for `intake record list`, which makes every control visible itself);
 * without, the same text is made safe to draw. */
static void
verbatim_columns(void **state)
{
	struct fx *f = *state;
	char long_outcome[400];

	memset(long_outcome, 'o', 300);
	long_outcome[300] = '\0';
	put(f->v, "{\"interviewer\":\"alice\",\"form\":\"f\\u001b]0;x\\u0007\\ud83d\\ude00\","
	    "\"status\":\"a\\tb\\\"c\\/\",\"lang\":\"\\u0e81\",\"started\":\"2025-01-01T00:00:00Z\"}");
	load(f);
	assert_string_equal(row(f, 0).form, "f?]0;x???");
	assert_string_equal(row(f, 0).status, "a b\"c/");
	assert_string_equal(row(f, 0).lang, "?");

	caselist_set_options(f->cl, CASELIST_VERBATIM);
	load(f);
	assert_string_equal(row(f, 0).form, "f\x1b]0;x\a\xf0\x9f\x98\x80");
	assert_string_equal(row(f, 0).status, "a\tb\"c/");
	assert_string_equal(row(f, 0).lang, "\xe0\xba\x81");
	assert_string_equal(row(f, 0).interviewer, "alice");

	/* Long columns: 95 bytes to draw, 255 verbatim. */
	put_case(f->v, "alice", "f", "en", "final", long_outcome, "2026-01-01T00:00:00Z");
	load(f);
	assert_int_equal(strlen(row(f, 0).outcome), 255);
	caselist_set_options(f->cl, 0);
	load(f);
	assert_int_equal(strlen(row(f, 0).outcome), 95);
}

/* A chunk of the listing flipped on disk: every case still shows, read one
 * by one, and the list says the index is damaged. */
static void
damaged_listing_falls_back(void **state)
{
	struct fx *f = *state;
	enum caselist_source src;
	unsigned char chunk1[4] = { 0, 0, 0, 1 };

	put_case(f->v, "alice", "f", "en", "final", "one", "2025-01-01T00:00:00Z");
	put_case(f->v, "alice", "f", "en", "final", "two", "2025-01-02T00:00:00Z");
	vault_close(f->v);
	flip_byte(f->dir, "listing", chunk1, sizeof chunk1, 3, false);
	assert_non_null(f->v = vault_new());
	assert_ok(f->v, vault_open(f->v, f->dir));
	assert_ok(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)));
	assert_ok(f->v, caselist_load(f->cl, f->v, &src));
	assert_int_equal(src, CASELIST_LISTING_DAMAGED);
	assert_int_equal(caselist_count(f->cl), 2);
	assert_string_equal(shown(f, "outcome:two"), "two");
}

static void
empty_and_cleared(void **state)
{
	struct fx *f = *state;
	char err[64];

	/* A search before any row, an empty vault, a cleared list. */
	assert_int_equal(caselist_filter(f->cl, "status:final", err, sizeof err), ST_OK);
	assert_int_equal(caselist_shown(f->cl), 0);
	load(f);
	assert_int_equal(caselist_count(f->cl), 0);
	assert_false(caselist_row(f->cl, 0, &(struct caselist_row){ 0 }));
	put_case(f->v, "alice", "f", "en", "final", "one", "2025-01-01T00:00:00Z");
	load(f);
	assert_int_equal(caselist_shown(f->cl), 1);
	caselist_clear(f->cl);
	assert_int_equal(caselist_count(f->cl), 0);
	assert_int_equal(caselist_shown(f->cl), 0);
	caselist_free(NULL);
}

/* Peak resident memory of this process, in KiB. */
static long
peak_kib(void)
{
	char line[256];
	long kib = 0;
	FILE *fp = fopen("/proc/self/status", "r");

	while (fp != NULL && fgets(line, sizeof line, fp) != NULL)
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	if (fp != NULL)
		fclose(fp);
	return kib;
}

/* Every record of the summaries table in data.mdb (LMDB keeps a table's
 * record, entry count included, under its name in the main table; old
 * copies stay in freed pages) made to claim n entries. */
static int
claim_summaries(const char *dir, uint64_t n)
{
	char path[4200];
	unsigned char *b;
	size_t len;
	int found = 0;
	FILE *fp;

	snprintf(path, sizeof path, "%s/data.mdb", dir);
	assert_non_null(fp = fopen(path, "r+b"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = (size_t)ftell(fp);
	rewind(fp);
	assert_non_null(b = malloc(len));
	assert_int_equal(fread(b, 1, len, fp), len);
	/* A node: u16 lo, u16 hi, u16 flags (2: a table), u16 key size (9),
	 * "summaries", then the table's record, its entry count at 32. */
	for (size_t i = 8; i + 9 + 48 <= len; i++)
		if (memcmp(b + i, "summaries", 9) == 0 && b[i - 4] == 2 && b[i - 3] == 0 &&
		    b[i - 2] == 9 && b[i - 1] == 0) {
			memcpy(b + i + 9 + 32, &n, 8);
			found++;
		}
	rewind(fp);
	assert_int_equal(fwrite(b, 1, len, fp), len);
	fclose(fp);
	free(b);
	return found;
}

/* A supervisor's rows are made ahead for as many summaries as the file
 * says there are: a file that claims fifty million must not make the list
 * take two gigabytes first. The rows made ahead stop at four million
 * (AHEAD_MAX), and the list still reads what is there. */
static void
claimed_count_bounds_memory(void **state)
{
	struct fx *f = *state;
	enum caselist_source src;
	long before;

	for (int i = 0; i < 3; i++)
		put_case(f->v, "alice", "f", "en", "final", "x", "2025-01-01T00:00:00Z");
	vault_close(f->v);
	assert_true(claim_summaries(f->dir, 50000000) > 0);
	assert_non_null(f->v = vault_new());
	assert_ok(f->v, vault_open(f->v, f->dir));
	assert_ok(f->v, vault_unlock(f->v, "alice", PASS_A, strlen(PASS_A)));
	before = peak_kib();
	caselist_load(f->cl, f->v, &src);
	if (peak_kib() - before > 400 * 1024)
		fail_msg("the case list took %ld KiB for 3 records", peak_kib() - before);
	assert_int_equal(caselist_count(f->cl), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(drafts_first_then_newest_first, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(odd_summaries_show_safely, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(remembered_values_mislead_nothing, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(listing_read_without_read_ahead, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(search_syntax, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(interviewer_sees_own_cases, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(damaged_summary_is_listed, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(damaged_listing_falls_back, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(drafts_can_be_left_out, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(verbatim_columns, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(empty_and_cleared, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(claimed_count_bounds_memory, fx_setup, fx_teardown),
	};
	int failed = cmocka_run_group_tests_name("rows as they come", tests, NULL, NULL);

	/* Again with every supervisor's list made ahead (caselist.c): the
	 * blocks and work area made before the listing is read, rows added
	 * past them (drafts), and thrown away for the fallback scan. */
	caselist_test_ahead(1);
	failed += cmocka_run_group_tests_name("rows made ahead", tests, NULL, NULL);
	caselist_test_ahead(0);
	return failed;
}
