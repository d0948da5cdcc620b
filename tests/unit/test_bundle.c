/*
 * test_bundle.c — sealed transfer bundles from a field vault to an office
 * vault: the round trip, and every way a bundle can arrive wrong (another
 * key, cut short, parts reordered, a flipped byte, sent twice, training
 * records, content that does not verify). After each failure the office
 * vault must hold exactly what it held before.
 */
#include "testutil.h"
#include "recordutil.h"
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include "audit.h"
#include "bundle.h"
#include "crypto.h"
#include "export.h"
#include "form.h"
#include "interview.h"
#include "record.h"
#include "vault.h"

#define PASS_SUP  "field supervisor pass"
#define PASS_OFF  "office supervisor pass"
#define PASS_KEY  "office key passphrase"
#define FORMS_DIR "tests/forms/valid"
#define MARKER    "MARKERQZX"
#define NREC      250
#define NTRAIN    2

static const struct vault_kdf fast = { 1, 8 };

#define PATH_FMT(buf, ...) \
	assert_true((size_t)snprintf((buf), sizeof(buf), __VA_ARGS__) < sizeof(buf))

struct fx {
	char *tmp;
	char field_dir[4096], office_dir[4096], key[4096], pub[4096], bundle[4096];
	struct vault *field, *office;
	struct form *f;
	struct record_id ids[NREC];
	struct record_id training_id;
	struct bundle_key *k;
	struct bundle_site *site;
	unsigned char pk[CRYPTO_PK_BYTES];
	unsigned long long seq;         /* of the last bundle crafted */
};

static void
save(struct fx *f, int i, int training, struct record_id *id)
{
	char json[512], err[256] = "";
	struct interview *iv;
	json_t *a;

	snprintf(json, sizeof json, "{\"gender\":\"%s\",\"consent_interview\":\"yes\",\"age\":%d,"
	    "\"guardian\":\"" MARKER " %d\",\"job\":\"farm\",\"docs_holder\":[\"employer\"],"
	    "\"consent_statistics\":\"yes\"}", i % 2 ? "female" : "male", 12 + i % 5, i);
	a = json_loads(json, 0, NULL);
	assert_int_equal(interview_start(f->f, i % 3 ? "en" : "lo", &iv), ST_OK);
	interview_set_interviewer(iv, i % 2 ? "field-bo" : "field-cy");
	interview_set_training(iv, training);
	if (interview_apply_answers(iv, a, err, sizeof err) != ST_OK)
		fail_msg("%s", err);
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(training ? tu_save_unchecked(f->field, iv, id) :
	    record_save(f->field, iv, id), ST_OK);
	interview_free(iv);
	json_decref(a);
}

static size_t
record_count(struct vault *v)
{
	struct record_id *ids;
	size_t n;

	assert_int_equal(vault_record_list(v, &ids, &n), ST_OK);
	free(ids);
	return n;
}

/* A new, empty office vault that trusts the field site. */
static void
fx_office(struct fx *f)
{
	char fp[BUNDLE_FP_LEN], pub[4096], err[512] = "";

	PATH_FMT(pub, "%s/site.pub", f->tmp);
	f->office = vault_new();
	assert_int_equal(vault_create(f->office, f->office_dir, "officesup", PASS_OFF,
	    strlen(PASS_OFF), &fast), ST_OK);
	if (bundle_trust(f->office, "field", pub, fp, err, sizeof err) != ST_OK)
		fail_msg("trust: %s", err);
}

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct diag_list dl;
	char fp[BUNDLE_FP_LEN], prefix[4096], err[512] = "";
	struct bundle_result r;
	int fd;

	assert_non_null(f);
	if (access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	f->tmp = tu_tmpdir("bundle");
	PATH_FMT(f->field_dir, "%s/field", f->tmp);
	PATH_FMT(f->office_dir, "%s/office", f->tmp);
	PATH_FMT(prefix, "%s/office", f->tmp);
	PATH_FMT(f->key, "%s/office.key", f->tmp);
	PATH_FMT(f->pub, "%s/office.pub", f->tmp);
	PATH_FMT(f->bundle, "%s/cases.bundle", f->tmp);
	f->field = vault_new();
	assert_int_equal(vault_create(f->field, f->field_dir, "fieldsup", PASS_SUP,
	    strlen(PASS_SUP), &fast), ST_OK);
	diag_list_init(&dl);
	assert_int_equal(form_load_file(FORMS_DIR "/mini.yaml", &f->f, &dl), ST_OK);
	diag_list_free(&dl);
	assert_int_equal(record_attach_form(f->field, f->f, NULL, 0), ST_OK);
	for (int i = 0; i < NREC; i++)
		save(f, i, 0, &f->ids[i]);
	for (int i = 0; i < NTRAIN; i++)
		save(f, i, 1, &f->training_id);
	assert_int_equal(bundle_keygen(prefix, PASS_KEY, strlen(PASS_KEY), &fast, fp, err,
	    sizeof err), ST_OK);
	assert_int_equal(bundle_pub_load(f->pub, f->pk, err, sizeof err), ST_OK);
	assert_int_equal(bundle_key_open(f->key, PASS_KEY, strlen(PASS_KEY), &f->k, err,
	    sizeof err), ST_OK);
	PATH_FMT(prefix, "%s/site", f->tmp);
	assert_int_equal(bundle_site_keygen(prefix, PASS_KEY, strlen(PASS_KEY), &fast, fp, err,
	    sizeof err), ST_OK);
	PATH_FMT(prefix, "%s/site.key", f->tmp);
	assert_int_equal(bundle_site_open(prefix, PASS_KEY, strlen(PASS_KEY), &f->site, err,
	    sizeof err), ST_OK);
	fx_office(f);
	fd = export_create(f->bundle, err, sizeof err);
	assert_true(fd >= 0);
	if (bundle_create(f->field, f->site, f->pk, fd, NULL, FORMS_DIR, &r, err,
	    sizeof err) != ST_OK)
		fail_msg("bundle_create: %s", err);
	assert_int_equal(bundle_sent(f->field, &r, err, sizeof err), ST_OK);
	f->seq = r.seq;
	close(fd);
	assert_int_equal(r.records, NREC);
	assert_int_equal(r.forms, 1);
	assert_int_equal(r.counts.training, NTRAIN);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	bundle_key_free(f->k);
	bundle_site_free(f->site);
	form_free(f->f);
	vault_close(f->field);
	vault_close(f->office);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	struct bundle_result r;
	char err[512] = "", path[4096];
	struct export_opts eo = { EXPORT_CSV, NULL, NULL, NULL, NULL };
	struct export_result er;
	size_t blen;
	char *bytes = tu_slurp(f->bundle, &blen);
	int fd;

	/* Sealed: none of the respondents' words is readable in the file. */
	assert_non_null(bytes);
	assert_null(memmem(bytes, blen, MARKER, strlen(MARKER)));
	assert_null(memmem(bytes, blen, "field-bo", 8));
	free(bytes);
	if (bundle_import(f->office, f->k, f->bundle, &r, err, sizeof err) != ST_OK)
		fail_msg("import: %s", err);
	assert_int_equal(r.imported, NREC);
	assert_int_equal(r.skipped, 0);
	assert_int_equal(record_count(f->office), NREC);
	{
		char hex[33];

		vault_id_hex(f->field, hex);
		assert_string_equal(r.from, hex);
	}
	/* Byte for byte the same records: ids, interviewers, times kept. */
	for (int i = 0; i < NREC; i++) {
		char *a, *b, *s;
		size_t la, lb, ls;

		assert_int_equal(vault_record_get(f->field, &f->ids[i], &a, &la), ST_OK);
		assert_int_equal(vault_record_get(f->office, &f->ids[i], &b, &lb), ST_OK);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		assert_int_equal(vault_summary_get(f->office, &f->ids[i], &s, &ls), ST_OK);
		assert_non_null(strstr(s, i % 2 ? "field-bo" : "field-cy"));
		vault_plain_free(a, la);
		vault_plain_free(b, lb);
		vault_plain_free(s, ls);
	}
	assert_int_equal(vault_record_get(f->office, &f->training_id, &bytes, &blen),
	    ST_NOTFOUND);
	/* The form came along and loads in the office even where its referrals
	 * file is missing (the bundled one was kept). */
	eo.forms_dir = f->tmp;
	PATH_FMT(path, "%s/office.csv", f->tmp);
	fd = export_create(path, err, sizeof err);
	if (export_write(f->office, fd, &eo, &er, err, sizeof err) != ST_OK)
		fail_msg("export: %s", err);
	close(fd);
	assert_int_equal(er.rows, NREC);
}

static void
test_imported_twice(void **state)
{
	struct fx *f = *state;
	struct bundle_result r;
	char err[512] = "";

	assert_int_equal(bundle_import(f->office, f->k, f->bundle, &r, err, sizeof err), ST_OK);
	/* The same bundle again is refused as already imported: nothing changes. */
	assert_int_equal(bundle_import(f->office, f->k, f->bundle, &r, err, sizeof err), ST_EXISTS);
	assert_non_null(strstr(err, "imported already"));
	assert_int_equal(r.imported, 0);
	assert_int_equal(record_count(f->office), NREC);
}

static void
test_another_key(void **state)
{
	struct fx *f = *state;
	struct bundle_key *k2 = NULL;
	struct bundle_result r;
	char prefix[4096], key2[4096], fp[BUNDLE_FP_LEN], want[BUNDLE_FP_LEN], err[512] = "";

	PATH_FMT(prefix, "%s/field", f->tmp);
	PATH_FMT(key2, "%s/field.key", f->tmp);
	assert_int_equal(bundle_keygen(prefix, PASS_KEY, strlen(PASS_KEY), &fast, fp, err,
	    sizeof err), ST_OK);
	assert_int_equal(bundle_key_open(key2, PASS_KEY, strlen(PASS_KEY), &k2, err, sizeof err),
	    ST_OK);
	/* Nor can the sending vault, holding some other key, open it. */
	assert_int_equal(bundle_import(f->field, k2, f->bundle, &r, err, sizeof err), ST_INVALID);
	assert_int_equal(bundle_import(f->office, k2, f->bundle, &r, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "another key"));
	assert_int_equal(bundle_recipient(f->bundle, want, err, sizeof err), ST_OK);
	assert_int_equal(bundle_import(f->office, k2, f->bundle, &r, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, fp));
	assert_int_equal(record_count(f->office), 0);
	bundle_key_free(k2);
}

/* Writes len bytes of data to a fresh file named tag; returns its path. */
static const char *
variant(struct fx *f, const char *tag, const void *data, size_t len)
{
	static char path[4096];
	int fd;

	PATH_FMT(path, "%s/%s.bundle", f->tmp, tag);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
expect_refused(struct fx *f, const char *path, enum status want, const char *text)
{
	struct bundle_result r;
	char err[512] = "";
	enum status st = bundle_import(f->office, f->k, path, &r, err, sizeof err);

	if (st != want || (text && strstr(err, text) == NULL))
		fail_msg("%s: status %d (%s), wanted %d with '%s'", path, st, err, want,
		    text ? text : "");
	assert_non_null(strstr(err, "nothing was imported"));
	assert_int_equal(record_count(f->office), 0);
}

#define HEAD BUNDLE_HEAD_BYTES

/* A manifest as bundle_create writes one. */
#define MANIFEST "{\"format\":2,\"created\":\"2026-03-01T08:00:00Z\"," \
	"\"from\":\"00112233445566778899aabbccddeeff\",\"by\":\"fieldsup\"}"

/* Offsets of the chunks (their length fields) in a bundle. */
static size_t
chunk_offsets(const unsigned char *b, size_t len, size_t *off, size_t max)
{
	size_t n = 0;

	for (size_t o = HEAD; o + 4 + BUNDLE_SIG_BYTES <= len && n < max; n++) {
		off[n] = o;
		o += 4 + ((size_t)b[o] << 24 | (size_t)b[o + 1] << 16 | (size_t)b[o + 2] << 8 |
		    b[o + 3]);
	}
	return n;
}

static void
test_cut_short(void **state)
{
	struct fx *f = *state;
	size_t len = 0, off[16], n;
	unsigned char *b = (unsigned char *)tu_slurp(f->bundle, &len);

	n = chunk_offsets(b, len, off, 16);
	assert_true(n >= 3);
	expect_refused(f, variant(f, "head", b, HEAD), ST_TAMPERED, "cut short");
	expect_refused(f, variant(f, "mid", b, off[1] + 1000), ST_TAMPERED, "cut short");
	/* Whole chunks, but the final one missing. */
	expect_refused(f, variant(f, "boundary", b, off[n - 1]), ST_TAMPERED, "cut short");
	expect_refused(f, variant(f, "lastbyte", b, len - 1), ST_TAMPERED, "cut short");
	free(b);
}

static void
test_reordered(void **state)
{
	struct fx *f = *state;
	size_t len = 0, off[16], n, l1, l2;
	unsigned char *b = (unsigned char *)tu_slurp(f->bundle, &len), *r;

	n = chunk_offsets(b, len, off, 16);
	assert_true(n >= 3);
	/* Swap the first two chunks (both full-sized, so only the order
	 * differs), and separately drop the second. */
	l1 = off[1] - off[0];
	l2 = off[2] - off[1];
	assert_int_equal(l1, l2);
	r = malloc(len);
	memcpy(r, b, len);
	memcpy(r + off[0], b + off[1], l2);
	memcpy(r + off[0] + l2, b + off[0], l1);
	expect_refused(f, variant(f, "swapped", r, len), ST_TAMPERED, "reordered");
	memcpy(r, b, off[1]);
	memcpy(r + off[1], b + off[2], len - off[2]);
	expect_refused(f, variant(f, "dropped", r, len - l2), ST_TAMPERED, "reordered");
	free(r);
	free(b);
}

static void
test_flipped_bytes(void **state)
{
	struct fx *f = *state;
	size_t len = 0, off[16];
	unsigned char *b = (unsigned char *)tu_slurp(f->bundle, &len);
	size_t where[8];

	chunk_offsets(b, len, off, 16);
	where[0] = 0;                    /* magic */
	where[1] = 40;                   /* sealed key */
	where[2] = HEAD - 3;             /* stream header */
	where[3] = off[0] + 2;           /* a chunk length */
	where[4] = off[0] + 4 + 100;     /* chunk 1 */
	where[5] = off[1] + 4 + 5000;    /* chunk 2 */
	where[6] = len - 1;              /* the final tag's MAC */
	where[7] = 13;                   /* recipient key id */
	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
		char tag[32];

		b[where[i]] ^= 0x20;
		snprintf(tag, sizeof tag, "flip%zu", where[i]);
		expect_refused(f, variant(f, tag, b, len), i == 0 || i == 7 ? ST_INVALID :
		    ST_TAMPERED, NULL);
		b[where[i]] ^= 0x20;
	}
	free(b);
}

/* ---- bundles made by hand, following bundle.h, to test the content checks ---- */

struct citem {
	char type;
	const char *data;
	size_t len;
};

/* Signed by the trusted site, each with the next number and needing no
 * earlier bundle, so that only its content decides. */
static void
craft(struct fx *f, const char *path, const struct citem *items, size_t n)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	int fd;

	for (size_t i = 0; i < n; i++) {
		plain = realloc(plain, plen + 5 + items[i].len);
		plain[plen] = (unsigned char)items[i].type;
		for (int k = 0; k < 4; k++)
			plain[plen + 1 + k] = (unsigned char)(items[i].len >> (24 - 8 * k));
		memcpy(plain + plen + 5, items[i].data, items[i].len);
		plen += 5 + items[i].len;
	}
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(bundle_test_seal(f->site, f->pk, ++f->seq, 0, plain, plen, fd), ST_OK);
	close(fd);
	free(plain);
}

static void
test_content_checked(void **state)
{
	struct fx *f = *state;
	char path[4096], *rec, *bad, end[64];
	const char *src, *ref;
	size_t rlen, slen, reflen;
	struct citem items[6];

	PATH_FMT(path, "%s/crafted.bundle", f->tmp);
	src = form_source(f->f, &slen);
	ref = form_referrals_source(f->f, &reflen);
	items[0] = (struct citem){ 'M', MANIFEST, strlen(MANIFEST) };
	items[2] = (struct citem){ 'F', src, slen };
	items[3] = (struct citem){ 'R', ref, reflen };
	snprintf(end, sizeof end, "{\"records\":1,\"versions\":1,\"deletions\":0,\"forms\":1}");
	items[4] = (struct citem){ 'E', end, strlen(end) };
	/* As made here, a good record imports... */
	assert_int_equal(vault_record_get(f->field, &f->ids[0], &rec, &rlen), ST_OK);
	items[1] = (struct citem){ 'C', rec, rlen };
	craft(f, path, items, 5);
	{
		struct bundle_result r;
		char err[512];
		size_t blen;

		if (bundle_import(f->office, f->k, path, &r, err, sizeof err) != ST_OK)
			fail_msg("crafted: %s", err);
		assert_int_equal(r.imported, 1);
		assert_int_equal(vault_record_get(f->office, &f->ids[0], &bad, &blen), ST_OK);
		vault_plain_free(bad, blen);
		/* Start the rest from an empty office vault again. */
		vault_close(f->office);
		tu_rmtree(f->office_dir);
		fx_office(f);
	}
	/* ...an answer the form does not allow does not. */
	bad = strdup(rec);
	memcpy(strstr(bad, "\"farm\""), "\"pirt\"", 6);
	items[1] = (struct citem){ 'C', bad, rlen };
	craft(f, path, items, 5);
	expect_refused(f, path, ST_TAMPERED, "does not verify");
	/* A form that does not load. */
	items[1] = (struct citem){ 'C', rec, rlen };
	items[2] = (struct citem){ 'F', "id: other\n", 10 };
	craft(f, path, items, 5);
	expect_refused(f, path, ST_TAMPERED, "does not load");
	/* A record naming a form the bundle lacks. */
	items[2] = (struct citem){ 'F', ref, reflen };
	items[3] = (struct citem){ 'R', "", 0 };
	craft(f, path, items, 5);
	expect_refused(f, path, ST_TAMPERED, NULL);
	items[2] = (struct citem){ 'F', src, slen };
	items[3] = (struct citem){ 'R', ref, reflen };
	/* Counts that do not match what arrived. */
	snprintf(end, sizeof end, "{\"records\":1,\"versions\":2,\"deletions\":0,\"forms\":1}");
	items[4].len = strlen(end);
	craft(f, path, items, 5);
	expect_refused(f, path, ST_TAMPERED, "incomplete");
	snprintf(end, sizeof end, "{\"records\":1,\"versions\":1,\"deletions\":0,\"forms\":1}");
	items[4].len = strlen(end);
	/* Training records never enter a vault of real cases. */
	vault_plain_free(rec, rlen);
	assert_int_equal(vault_record_get(f->field, &f->training_id, &rec, &rlen), ST_OK);
	items[1] = (struct citem){ 'C', rec, rlen };
	craft(f, path, items, 5);
	expect_refused(f, path, ST_DENIED, "training");
	free(bad);
	vault_plain_free(rec, rlen);
}

/* Replaces the first `from` in s (malloc'ed) with `to`; returns the new
 * string (the old one is freed). */
static char *
replace_once(char *s, const char *from, const char *to)
{
	char *at = strstr(s, from), *out;
	size_t head, fl = strlen(from), tl = strlen(to);

	assert_non_null(at);
	head = (size_t)(at - s);
	out = malloc(strlen(s) - fl + tl + 1);
	assert_non_null(out);
	memcpy(out, s, head);
	memcpy(out + head, to, tl);
	strcpy(out + head + tl, at + fl);
	free(s);
	return out;
}

static const char *
outcome_of(const char *json, size_t len, char *buf, size_t buflen)
{
	json_t *o = json_loadb(json, len, 0, NULL);
	const char *id;

	assert_non_null(o);
	id = json_string_value(json_object_get(json_object_get(o, "outcome"), "id"));
	if (id == NULL)
		id = json_string_value(json_object_get(o, "outcome"));
	snprintf(buf, buflen, "%s", id ? id : "(none)");
	json_decref(o);
	return buf;
}

/* A record whose JSON claims an outcome and indicators its answers do not
 * give: what is stored is what the engine rebuilt, so the record, its
 * summary (the case list) and an export all say the same. */
static void
test_stores_rebuilt_record(void **state)
{
	struct fx *f = *state;
	char path[4096], end[64], err[512] = "", want[64], got[64], *rec, *doctored, *json;
	const char *src, *ref;
	size_t rlen, slen, reflen, len;
	struct citem items[5];
	struct bundle_result r;
	struct export_opts o = { EXPORT_JSONL, NULL, NULL, NULL, FORMS_DIR };
	struct export_result er;
	json_t *line;

	PATH_FMT(path, "%s/doctored.bundle", f->tmp);
	src = form_source(f->f, &slen);
	ref = form_referrals_source(f->f, &reflen);
	assert_int_equal(vault_record_get(f->field, &f->ids[0], &rec, &rlen), ST_OK);
	outcome_of(rec, rlen, want, sizeof want);
	assert_string_not_equal(want, "none");
	/* The sender's text: no indicators, outcome "none". */
	doctored = strndup(rec, rlen);
	{
		json_t *d = json_loads(doctored, 0, NULL);

		assert_non_null(d);
		json_object_set_new(d, "indicators", json_array());
		json_object_set_new(d, "outcome", json_pack("{s:s, s:[]}", "id", "none",
		    "referrals"));
		free(doctored);
		doctored = json_dumps(d, JSON_COMPACT);
		json_decref(d);
	}
	items[0] = (struct citem){ 'M', MANIFEST, strlen(MANIFEST) };
	items[1] = (struct citem){ 'C', doctored, strlen(doctored) };
	items[2] = (struct citem){ 'F', src, slen };
	items[3] = (struct citem){ 'R', ref, reflen };
	snprintf(end, sizeof end, "{\"records\":1,\"versions\":1,\"deletions\":0,\"forms\":1}");
	items[4] = (struct citem){ 'E', end, strlen(end) };
	craft(f, path, items, 5);
	if (bundle_import(f->office, f->k, path, &r, err, sizeof err) != ST_OK)
		fail_msg("doctored: %s", err);
	assert_int_equal(r.imported, 1);
	/* The record... */
	assert_int_equal(vault_record_get(f->office, &f->ids[0], &json, &len), ST_OK);
	assert_string_equal(outcome_of(json, len, got, sizeof got), want);
	assert_true(len == rlen && memcmp(json, rec, rlen) == 0);
	vault_plain_free(json, len);
	/* ...its summary... */
	assert_int_equal(vault_summary_get(f->office, &f->ids[0], &json, &len), ST_OK);
	assert_string_equal(outcome_of(json, len, got, sizeof got), want);
	vault_plain_free(json, len);
	/* ...and an export of it. */
	{
		char out[4096];
		int fd;

		PATH_FMT(out, "%s/office.jsonl", f->tmp);
		fd = export_create(out, err, sizeof err);
		assert_true(fd >= 0);
		assert_int_equal(export_write(f->office, fd, &o, &er, err, sizeof err), ST_OK);
		close(fd);
		json = tu_slurp(out, NULL);
		line = json_loads(json, 0, NULL);
		assert_non_null(line);
		assert_string_equal(json_string_value(json_object_get(json_object_get(line,
		    "outcome"), "id")), want);
		assert_true(json_array_size(json_object_get(line, "indicators")) > 0);
		json_decref(line);
		free(json);
	}
	free(doctored);
	vault_plain_free(rec, rlen);
}

/* A bundled form under an id and version this vault holds with other text
 * is refused, naming the form and both texts' hashes; nothing is imported. */
static void
test_form_version_clash(void **state)
{
	struct fx *f = *state;
	char path[4096], end[64], err[512] = "", old_hash[65], new_hash[65], *rec, *changed;
	const char *src, *ref;
	size_t rlen, slen, reflen;
	struct citem items[5];
	struct bundle_result r;
	enum status st;

	PATH_FMT(path, "%s/clash.bundle", f->tmp);
	src = form_source(f->f, &slen);
	ref = form_referrals_source(f->f, &reflen);
	/* The office has the form as installed. */
	assert_int_equal(record_attach_form(f->office, f->f, NULL, 0), ST_OK);
	crypto_digest_hex(old_hash, src, slen);
	/* The sender changed its text and kept its version. */
	changed = malloc(slen + 32);
	assert_non_null(changed);
	memcpy(changed, src, slen);
	memcpy(changed + slen, "# edited in the field\n", 23);
	crypto_digest_hex(new_hash, changed, strlen(changed));
	assert_int_equal(vault_record_get(f->field, &f->ids[1], &rec, &rlen), ST_OK);
	{
		char *r2 = strndup(rec, rlen);

		r2 = replace_once(r2, old_hash, new_hash);
		vault_plain_free(rec, rlen);
		rec = r2;
	}
	items[0] = (struct citem){ 'M', MANIFEST, strlen(MANIFEST) };
	items[1] = (struct citem){ 'C', rec, strlen(rec) };
	items[2] = (struct citem){ 'F', changed, strlen(changed) };
	items[3] = (struct citem){ 'R', ref, reflen };
	snprintf(end, sizeof end, "{\"records\":1,\"versions\":1,\"deletions\":0,\"forms\":1}");
	items[4] = (struct citem){ 'E', end, strlen(end) };
	craft(f, path, items, 5);
	st = bundle_import(f->office, f->k, path, &r, err, sizeof err);
	assert_int_equal(st, ST_INVALID);
	assert_non_null(strstr(err, "'mini' version"));
	assert_non_null(strstr(err, "nothing was imported"));
	{
		char a[13], b[13];

		snprintf(a, sizeof a, "%.12s", old_hash);
		snprintf(b, sizeof b, "%.12s", new_hash);
		assert_non_null(strstr(err, a));
		assert_non_null(strstr(err, b));
	}
	assert_int_equal(record_count(f->office), 0);
	/* The same form as the office holds goes in. */
	vault_close(f->office);
	f->office = vault_new();
	assert_int_equal(vault_open(f->office, f->office_dir), ST_OK);
	assert_int_equal(vault_unlock(f->office, "officesup", PASS_OFF, strlen(PASS_OFF)), ST_OK);
	{
		char *plain;
		size_t plen;

		assert_int_equal(vault_record_get(f->field, &f->ids[1], &plain, &plen), ST_OK);
		items[1] = (struct citem){ 'C', plain, plen };
		items[2] = (struct citem){ 'F', src, slen };
		craft(f, path, items, 5);
		if (bundle_import(f->office, f->k, path, &r, err, sizeof err) != ST_OK)
			fail_msg("same form: %s", err);
		assert_int_equal(r.imported, 1);
		vault_plain_free(plain, plen);
	}
	free(rec);
	free(changed);
}

/* A manifest's words are shown to the importing supervisor: one that is
 * not what intake writes (a terminal escape in 'created', a 'from' that is
 * not a vault id) is refused with nothing imported. */
static void
test_manifest_checked(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {
		"{\"format\":1,\"created\":\"2026-03-01T08:00:00Z\x1b]0;x\\u0007\","
		"\"from\":\"00112233445566778899aabbccddeeff\",\"by\":\"s\"}",
		"{\"format\":1,\"created\":\"2026-03-01T08:00:00Z\","
		"\"from\":\"0011\\u001b[2J445566778899aabbccddeeff\",\"by\":\"s\"}",
		"{\"format\":1,\"created\":\"2026-03-01T08:00:00Z\","
		"\"from\":\"00112233445566778899aabbccddeeff\",\"by\":\"s\\u202e\"}",
		"{\"format\":1,\"created\":\"2026-03-01T08:00:00Z\\u2028\","
		"\"from\":\"00112233445566778899aabbccddeeff\",\"by\":\"s\"}",
	};
	char path[4096], end[64], *rec;
	const char *src, *ref;
	size_t rlen, slen, reflen;
	struct citem items[5];

	PATH_FMT(path, "%s/manifest.bundle", f->tmp);
	src = form_source(f->f, &slen);
	ref = form_referrals_source(f->f, &reflen);
	assert_int_equal(vault_record_get(f->field, &f->ids[2], &rec, &rlen), ST_OK);
	items[1] = (struct citem){ 'C', rec, rlen };
	items[2] = (struct citem){ 'F', src, slen };
	items[3] = (struct citem){ 'R', ref, reflen };
	snprintf(end, sizeof end, "{\"records\":1,\"versions\":1,\"deletions\":0,\"forms\":1}");
	items[4] = (struct citem){ 'E', end, strlen(end) };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		items[0] = (struct citem){ 'M', bad[i], strlen(bad[i]) };
		craft(f, path, items, 5);
		expect_refused(f, path, ST_TAMPERED, "manifest");
	}
	vault_plain_free(rec, rlen);
}

static void
test_key_files(void **state)
{
	struct fx *f = *state;
	struct bundle_key *k = NULL;
	char prefix[4096], fp[BUNDLE_FP_LEN], err[512] = "", *text;
	unsigned char pk[CRYPTO_PK_BYTES];
	struct stat sb;
	size_t len;

	assert_int_equal(stat(f->key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(f->pub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	text = tu_slurp(f->pub, &len);
	assert_true(strncmp(text, "intake-pub-1 ", 13) == 0);
	free(text);
	/* Never replaced. */
	PATH_FMT(prefix, "%s/office", f->tmp);
	assert_int_equal(bundle_keygen(prefix, PASS_KEY, strlen(PASS_KEY), &fast, fp, err,
	    sizeof err), ST_EXISTS);
	assert_int_equal(bundle_key_open(f->key, "wrong passphrase!", 17, &k, err, sizeof err),
	    ST_AUTH);
	assert_null(k);
	/* The secret key file is not a public key, and vice versa. */
	assert_int_equal(bundle_pub_load(f->key, pk, err, sizeof err), ST_INVALID);
	assert_non_null(strstr(err, "secret key"));
	assert_int_equal(bundle_key_open(f->pub, PASS_KEY, strlen(PASS_KEY), &k, err, sizeof err),
	    ST_INVALID);
	/* Weakening the stored Argon2id limits breaks the unwrap. */
	text = tu_slurp(f->key, &len);
	{
		unsigned char blob[136];
		char line[512];
		int fd;

		assert_int_equal(crypto_base642bin(blob, sizeof blob, text + 13,
		    strcspn(text + 13, "\n")), ST_OK);
		blob[23] ^= 2;       /* ops: 1 becomes 3 */
		memcpy(line, "intake-key-1 ", 13);
		crypto_bin2base64(line + 13, sizeof line - 13, blob, sizeof blob);
		strcat(line, "\n");
		unlink(f->key);
		fd = open(f->key, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
		close(fd);
		assert_int_equal(bundle_key_open(f->key, PASS_KEY, strlen(PASS_KEY), &k, err,
		    sizeof err), ST_AUTH);
	}
	free(text);
}

static void
test_case_code_clash(void **state)
{
	struct fx *f = *state;
	struct vault_import_record recs[2];
	struct vault_import_form form = { "id: x\n", 6 };
	size_t imported, skipped;
	struct record_id other;

	/* A record already in the office vault... */
	assert_int_equal(vault_record_id_new(f->office, &other), ST_OK);
	other.b[15] = 0x80;
	assert_int_equal(vault_record_put_as(f->office, &other, "{}", 2, NULL, 0), ST_OK);
	/* ...and an import whose second record shares its case code, its id
	 * sorting before that record's, then after it (the last key). */
	for (int after = 0; after < 2; after++) {
		memset(recs, 0, sizeof recs);
		recs[0].id = f->ids[0];
		recs[0].json = "{\"a\":1}";
		recs[0].len = 7;
		recs[1].id = other;
		recs[1].id.b[15] = after ? 0xFF : 0x00;
		recs[1].json = "{\"b\":2}";
		recs[1].len = 7;
		assert_int_equal(vault_import(f->office, &form, 1, recs, 2, NULL, &imported,
		    &skipped), ST_EXISTS);
		assert_int_equal(record_count(f->office), 1);
	}
	/* Interviewers cannot import at all. */
	assert_int_equal(vault_user_add(f->office, "ivy", ROLE_INTERVIEWER, PASS_SUP,
	    strlen(PASS_SUP), &fast), ST_OK);
	assert_int_equal(vault_unlock(f->office, "ivy", PASS_SUP, strlen(PASS_SUP)), ST_OK);
	assert_int_equal(vault_import(f->office, &form, 1, recs, 1, NULL, &imported, &skipped),
	    ST_DENIED);
}

/* ---- signed, numbered bundles that carry every change ---- */

/* The next bundle of the field vault (changes since the last, or since
 * `since`), written to a file named tag and noted as sent. */
static const char *
next_bundle(struct fx *f, const char *tag, const char *since, struct bundle_result *r)
{
	static char path[4096];
	char err[512] = "";
	int fd;

	PATH_FMT(path, "%s/%s.bundle", f->tmp, tag);
	fd = export_create(path, err, sizeof err);
	assert_true(fd >= 0);
	if (bundle_create(f->field, f->site, f->pk, fd, since, FORMS_DIR, r, err,
	    sizeof err) != ST_OK)
		fail_msg("bundle_create: %s", err);
	close(fd);
	assert_int_equal(bundle_sent(f->field, r, err, sizeof err), ST_OK);
	return path;
}

static void
import_ok(struct fx *f, const char *path, struct bundle_result *r)
{
	char err[1024] = "";

	if (bundle_import(f->office, f->k, path, r, err, sizeof err) != ST_OK)
		fail_msg("import %s: %s", path, err);
}

/* Refused with nothing changed: the office's records and their versions
 * are what they were. */
static void
refused_unchanged(struct fx *f, const char *path, enum status want, const char *text)
{
	struct bundle_result r;
	char err[1024] = "";
	size_t before = record_count(f->office);
	unsigned v0 = 0, v1 = 0;
	enum status st;

	(void)vault_record_versions(f->office, &f->ids[0], &v0);
	st = bundle_import(f->office, f->k, path, &r, err, sizeof err);
	if (st != want || (text != NULL && strstr(err, text) == NULL))
		fail_msg("%s: status %d (%s), wanted %d with '%s'", path, st, err, want,
		    text ? text : "");
	assert_int_equal(record_count(f->office), before);
	(void)vault_record_versions(f->office, &f->ids[0], &v1);
	assert_int_equal(v0, v1);
}

struct audit_find {
	enum audit_action a;
	const char *text;
	int found;
};

static int
audit_find_fn(void *ctx, enum status st, const struct audit_entry *e)
{
	struct audit_find *q = ctx;

	if (st == ST_OK && e->action == q->a && strstr(e->reason, q->text) != NULL)
		q->found = 1;
	return 0;
}

static int
audited(struct vault *v, enum audit_action a, const char *text)
{
	struct audit_find q = { a, text, 0 };

	assert_int_equal(audit_list(v, NULL, audit_find_fn, &q), ST_OK);
	return q.found;
}

/* Amends ids[0] at the field (its guardian's text) and deletes ids[1]. */
static void
amend_and_delete(struct fx *f)
{
	char *json, *changed;
	size_t len;

	assert_int_equal(vault_record_get(f->field, &f->ids[0], &json, &len), ST_OK);
	changed = strdup(json);
	vault_plain_free(json, len);
	changed = replace_once(changed, MARKER " 0\"", MARKER " 0 corrected\"");
	assert_int_equal(vault_record_amend(f->field, &f->ids[0], changed, strlen(changed), NULL, 0,
	    "guardian's name misspelt"), ST_OK);
	free(changed);
	assert_int_equal(vault_record_delete(f->field, &f->ids[1], "consent withdrawn"), ST_OK);
}

static void
test_changes_travel(void **state)
{
	struct fx *f = *state;
	struct bundle_result r1, r2, r3;
	struct record_id brief;
	const char *b2;
	char *json;
	size_t len;
	unsigned versions = 0;

	import_ok(f, f->bundle, &r1);
	amend_and_delete(f);
	/* A record made and deleted between two bundles: only its deletion
	 * travels, which the office, never having had it, passes over. */
	save(f, NREC, 0, &brief);
	assert_int_equal(vault_record_delete(f->field, &brief, "entered twice"), ST_OK);
	b2 = next_bundle(f, "second", NULL, &r2);
	/* Only what changed: the amended record with both its versions, and
	 * the deletions. */
	assert_int_equal(r2.seq, 2);
	assert_int_equal(r2.after, 1);
	assert_int_equal(r2.records, 1);
	assert_int_equal(r2.versions, 2);
	assert_int_equal(r2.deletions, 2);
	import_ok(f, b2, &r2);
	assert_int_equal(r2.amended, 1);
	assert_int_equal(r2.deleted, 1);
	assert_int_equal(r2.imported, 0);
	assert_int_equal(r2.skipped, 0);
	assert_int_equal(record_count(f->office), NREC - 1);
	assert_int_equal(vault_record_get(f->office, &f->ids[1], &json, &len), ST_NOTFOUND);
	assert_int_equal(vault_record_versions(f->office, &f->ids[0], &versions), ST_OK);
	assert_int_equal(versions, 1);
	assert_int_equal(vault_record_get(f->office, &f->ids[0], &json, &len), ST_OK);
	assert_non_null(strstr(json, MARKER " 0 corrected"));
	vault_plain_free(json, len);
	/* The office's trail names the reasons, who gave them and the site. */
	assert_true(audited(f->office, AUDIT_RECORD_AMEND, "guardian's name misspelt"));
	assert_true(audited(f->office, AUDIT_RECORD_AMEND, "from site field, version 2 by fieldsup"));
	assert_true(audited(f->office, AUDIT_RECORD_DELETE, "consent withdrawn"));
	assert_true(audited(f->office, AUDIT_RECORD_DELETE, "from site field"));
	/* Nothing changed since: the next bundle is empty and imports. */
	import_ok(f, next_bundle(f, "third", NULL, &r3), &r3);
	assert_int_equal(r3.records, 0);
	assert_int_equal(r3.deletions, 0);
	assert_int_equal(record_count(f->office), NREC - 1);
	{
		struct vault_verify_counts c;

		assert_int_equal(vault_verify(f->office, NULL, NULL, NULL, &c), ST_OK);
	}
}

/* A new record amended before its first bundle arrives with every
 * version, in order. */
static void
test_new_record_with_versions(void **state)
{
	struct fx *f = *state;
	struct bundle_result r;
	unsigned versions = 0;

	amend_and_delete(f);
	import_ok(f, next_bundle(f, "resend", "2000-01-01", &r), &r);
	assert_int_equal(r.after, 0);
	assert_int_equal(r.imported, NREC - 1);
	assert_int_equal(vault_record_versions(f->office, &f->ids[0], &versions), ST_OK);
	assert_int_equal(versions, 1);
}

static void
test_untrusted_refused(void **state)
{
	struct fx *f = *state;
	char err[512] = "";

	assert_int_equal(bundle_untrust(f->office, "field", err, sizeof err), ST_OK);
	refused_unchanged(f, f->bundle, ST_DENIED, "does not trust");
	assert_int_equal(record_count(f->office), 0);
	assert_int_equal(bundle_untrust(f->office, "field", err, sizeof err), ST_NOTFOUND);
}

static void
test_order_and_replay(void **state)
{
	struct fx *f = *state;
	struct bundle_result r1, r2;
	const char *b2;
	char path2[4096];

	amend_and_delete(f);
	b2 = next_bundle(f, "second", NULL, &r2);
	PATH_FMT(path2, "%s", b2);
	/* The second before the first: refused, naming the one missing. */
	refused_unchanged(f, path2, ST_INVALID, "import bundle 1 first");
	assert_int_equal(record_count(f->office), 0);
	import_ok(f, f->bundle, &r1);
	/* The first again: a replay, refused, nothing changes. */
	refused_unchanged(f, f->bundle, ST_EXISTS, "imported already");
	import_ok(f, path2, &r2);
	refused_unchanged(f, path2, ST_EXISTS, "imported already");
	refused_unchanged(f, f->bundle, ST_EXISTS, "imported already");
	assert_int_equal(record_count(f->office), NREC - 1);
}

static void
test_signature_and_number_edited(void **state)
{
	struct fx *f = *state;
	size_t len = 0;
	unsigned char *b = (unsigned char *)tu_slurp(f->bundle, &len);
	const size_t seq_at = HEAD - 16, after_at = HEAD - 8, site_at = HEAD - 48;
	struct bundle_site *other = NULL;
	char prefix[4096], fp[BUNDLE_FP_LEN], err[512] = "";

	assert_non_null(b);
	if (b == NULL)
		return;

	/* A later number, as if to skip ahead; the signature no longer holds. */
	b[seq_at + 7] ^= 4;
	refused_unchanged(f, variant(f, "seq", b, len), ST_TAMPERED, "signature");
	b[seq_at + 7] ^= 4;
	b[after_at + 7] ^= 1;
	refused_unchanged(f, variant(f, "after", b, len), ST_TAMPERED, "signature");
	b[after_at + 7] ^= 1;
	b[len - 10] ^= 1;
	refused_unchanged(f, variant(f, "sig", b, len), ST_TAMPERED, "signature");
	b[len - 10] ^= 1;
	/* Another site's key in the header: not trusted. */
	b[site_at] ^= 1;
	refused_unchanged(f, variant(f, "site", b, len), ST_DENIED, "does not trust");
	b[site_at] ^= 1;
	/* A bundle signed by an untrusted site, even one holding office.pub. */
	PATH_FMT(prefix, "%s/rogue", f->tmp);
	assert_int_equal(bundle_site_keygen(prefix, PASS_KEY, strlen(PASS_KEY), &fast, fp, err,
	    sizeof err), ST_OK);
	PATH_FMT(prefix, "%s/rogue.key", f->tmp);
	assert_int_equal(bundle_site_open(prefix, PASS_KEY, strlen(PASS_KEY), &other, err,
	    sizeof err), ST_OK);
	{
		struct bundle_site *mine = f->site;

		f->site = other;
		{
			static const char end[] =
			    "{\"records\":0,\"versions\":0,\"deletions\":0,\"forms\":0}";
			struct citem items[2] = {
				{ 'M', MANIFEST, strlen(MANIFEST) },
				{ 'E', end, sizeof end - 1 },
			};

			craft(f, prefix, items, 2);
		}
		f->site = mine;
	}
	refused_unchanged(f, prefix, ST_DENIED, fp);
	bundle_site_free(other);
	/* The untouched bundle still imports. */
	{
		struct bundle_result r;

		import_ok(f, variant(f, "intact", b, len), &r);
		assert_int_equal(r.imported, NREC);
	}
	free(b);
}

/* The engine rebuilds a bundle's records on several threads: a bundle of
 * hundreds imports whole, each record as the engine made it; with two
 * records that do not verify, the one named is the first in the bundle,
 * as one thread would have found it, and nothing is imported. */
static void
test_many_records_rebuilt(void **state)
{
	enum { N = 400, BAD1 = 190, BAD2 = 330 };
	struct fx *f = *state;
	struct citem *items = calloc(N + 4, sizeof *items);
	char path[4096], *rec, end[96], hex[N][33], *copies[N];
	const char *src, *ref, *id;
	size_t rlen, slen, reflen;
	json_t *o;

	assert_non_null(items);
	PATH_FMT(path, "%s/many.bundle", f->tmp);
	src = form_source(f->f, &slen);
	ref = form_referrals_source(f->f, &reflen);
	assert_int_equal(vault_record_get(f->field, &f->ids[0], &rec, &rlen), ST_OK);
	o = json_loadb(rec, rlen, 0, NULL);
	assert_non_null(o);
	id = json_string_value(json_object_get(o, "id"));
	assert_true(id != NULL && strlen(id) == 32);
	items[0] = (struct citem){ 'M', MANIFEST, strlen(MANIFEST) };
	items[1] = (struct citem){ 'F', src, slen };
	items[2] = (struct citem){ 'R', ref, reflen };
	for (int i = 0; i < N; i++) {
		unsigned char b[16];

		crypto_random(b, sizeof b);
		crypto_bin2hex(hex[i], b, sizeof b);
		copies[i] = replace_once(strdup(rec), id, hex[i]);
		items[3 + i] = (struct citem){ 'C', copies[i], strlen(copies[i]) };
	}
	snprintf(end, sizeof end, "{\"records\":%d,\"versions\":%d,\"deletions\":0,\"forms\":1}",
	    N, N);
	items[3 + N] = (struct citem){ 'E', end, strlen(end) };
	craft(f, path, items, N + 4);
	{
		struct bundle_result r;
		struct record_id got;
		char err[512], *back;
		size_t blen;

		if (bundle_import(f->office, f->k, path, &r, err, sizeof err) != ST_OK)
			fail_msg("many: %s", err);
		assert_int_equal(r.imported, N);
		assert_int_equal(record_count(f->office), N);
		for (int i = 0; i < N; i += 57) {
			assert_int_equal(crypto_hex2bin(got.b, sizeof got.b, hex[i]), ST_OK);
			assert_int_equal(vault_record_get(f->office, &got, &back, &blen), ST_OK);
			assert_non_null(strstr(back, hex[i]));
			vault_plain_free(back, blen);
		}
		vault_close(f->office);
		tu_rmtree(f->office_dir);
		fx_office(f);
	}
	/* Two records the form does not allow, far apart. */
	for (int b = 0; b < 2; b++) {
		char *c = copies[b == 0 ? BAD1 : BAD2];

		memcpy(strstr(c, "\"farm\""), "\"pirt\"", 6);
	}
	craft(f, path, items, N + 4);
	{
		char want[128];
		struct bundle_result r;
		char err[512] = "";

		assert_int_equal(bundle_import(f->office, f->k, path, &r, err, sizeof err),
		    ST_TAMPERED);
		snprintf(want, sizeof want, "record %s does not verify", hex[BAD1]);
		if (strstr(err, want) == NULL)
			fail_msg("wanted '%s' in: %s", want, err);
		assert_non_null(strstr(err, "nothing was imported"));
		assert_int_equal(record_count(f->office), 0);
	}
	for (int i = 0; i < N; i++)
		free(copies[i]);
	free(items);
	json_decref(o);
	vault_plain_free(rec, rlen);
}

/* A fingerprint is 25 digits in five groups, to be read over the phone. */
static void
test_fingerprint_digits(void **state)
{
	struct fx *f = *state;
	char fp[BUNDLE_FP_LEN];

	bundle_fingerprint(f->pk, fp);
	assert_int_equal(strlen(fp), 29);
	for (int i = 0; i < 29; i++)
		assert_true(i % 6 == 5 ? fp[i] == ' ' : (fp[i] >= '0' && fp[i] <= '9'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_imported_twice, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_another_key, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cut_short, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reordered, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_flipped_bytes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_content_checked, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stores_rebuilt_record, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_form_version_clash, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_manifest_checked, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_key_files, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_case_code_clash, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_changes_travel, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_new_record_with_versions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_order_and_replay, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_signature_and_number_edited, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_digits, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_many_records_rebuilt, fx_setup, fx_teardown),
	};

	umask(077);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
