/*
 * test_hygiene.c — after lock, nothing of the passphrase or of a record's
 * plaintext is left in the process's memory.
 *
 * The test reads its own memory through /proc/self/mem, mapping by mapping
 * (/proc/self/maps: every readable one except mappings over 1 GiB, which are
 * sanitizer shadow), looking for a passphrase and canaries made at run time
 * from random bytes. It keeps them only XOR-masked, so the search never
 * finds its own needle; the copies it made in plain to hand to the vault
 * are wiped before it looks. The program itself is not dumpable and no other
 * process can read it this way; this test can because it reads itself.
 *
 * The canaries go through every path a respondent's words take: a record
 * saved and read back (single read and scan), its summary, a draft, an
 * interview whose text answer is typed into the line editor, saved with
 * record_save and loaded again with record_load (jansson, libunistring).
 * Under ASan (make sanitize) freed blocks wait in quarantine instead of
 * being reused at once, so a block freed without wiping is found for sure.
 *
 * A second test looks while the vault stays unlocked: once a save, an
 * import or a scan has returned, zstd's contexts (kept made for the whole
 * of one, vault_pack.c) hold nothing of what they compressed or unpacked,
 * nor do the thread and the frames that packed the import's records ahead.
 */
#include "testutil.h"
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include "crypto.h"
#include "form.h"
#include "interview.h"
#include "lineedit.h"
#include "record.h"
#include "vault.h"

#define MASK 0xA5
#define CHUNK ((size_t)1 << 20)
/* The search looks for the last TAIL characters (80 random bits): free()
 * writes its list pointers over the first 16 bytes of a block, which would
 * hide a needle that began a freed block. */
#define TAIL 20

static const struct vault_kdf fast = { 1, 8 };

struct needle {
	unsigned char masked[64];
	size_t len;
	const char *what;
};

/* A fresh random needle: prefix + 24 hex digits, written in plain into out
 * (the caller wipes it) and kept masked. */
static void
needle_make(struct needle *n, const char *what, const char *prefix, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[12];
	size_t p = strlen(prefix), i;

	assert_true(p + 2 * sizeof rnd + 1 <= outlen && p + 2 * sizeof rnd <= sizeof n->masked);
	crypto_random(rnd, sizeof rnd);
	memcpy(out, prefix, p);
	for (i = 0; i < sizeof rnd; i++) {
		out[p + 2 * i] = hex[rnd[i] >> 4];
		out[p + 2 * i + 1] = hex[rnd[i] & 15];
	}
	out[p + 2 * sizeof rnd] = '\0';
	explicit_bzero(rnd, sizeof rnd);
	n->len = p + 2 * sizeof rnd;
	for (i = 0; i < n->len; i++)
		n->masked[i] = (unsigned char)(out[i] ^ MASK);
	n->what = what;
}

static unsigned char *scan_buf;

/* Occurrences of the needle in readable memory; the first one's mapping
 * goes to where. */
static size_t
memory_count(const struct needle *n, char *where, size_t wherelen)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	char line[512];
	size_t found = 0, mappings = 0;

	assert_non_null(maps);
	assert_true(mem >= 0);
	if (scan_buf == NULL) {
		scan_buf = malloc(CHUNK + 64);
		assert_non_null(scan_buf);
	}
	where[0] = '\0';
	while (fgets(line, sizeof line, maps) != NULL) {
		uintptr_t start, end;
		char perms[8], path[256] = "";

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s %255s", &start, &end, perms,
		    path) < 3)
			continue;
		if (perms[0] != 'r' || end - start > ((uintptr_t)1 << 30) ||
		    strcmp(path, "[vvar]") == 0 || strcmp(path, "[vsyscall]") == 0)
			continue;
		mappings++;
		for (uintptr_t at = start; at < end; at += CHUNK) {
			size_t want = end - at < CHUNK + TAIL ? end - at : CHUNK + TAIL;
			ssize_t got = pread(mem, scan_buf, want, (off_t)at);

			if (got <= 0)
				break;
			for (size_t i = 0; i + TAIL <= (size_t)got && i < CHUNK; i++) {
				const unsigned char *tail = n->masked + n->len - TAIL;
				size_t j = 0;

				while (j < TAIL && scan_buf[i + j] == (unsigned char)(tail[j] ^ MASK))
					j++;
				if (j < TAIL)
					continue;
				if (found++ == 0)
					snprintf(where, wherelen, "%s at %#" PRIxPTR " in %s", n->what,
					    at + i, path[0] ? path : "an anonymous mapping");
			}
		}
		explicit_bzero(scan_buf, CHUNK + 64);
	}
	fclose(maps);
	close(mem);
	assert_true(mappings > 3);
	return found;
}

static void
assert_absent(const struct needle *n, const char *when)
{
	char where[400];
	size_t count = memory_count(n, where, sizeof where);

	if (count != 0)
		fail_msg("%s: %zu copies left, first %s", when, count, where);
}

/* The scanner finds a live copy, and no longer once it is wiped. */
static void
scanner_sees_a_live_copy(void **state)
{
	struct needle n;
	char *copy = malloc(64), where[400];

	(void)state;
	assert_non_null(copy);
	needle_make(&n, "the control", "control-", copy, 64);
	assert_true(memory_count(&n, where, sizeof where) >= 1);
	explicit_bzero(copy, 64);
	free(copy);
	assert_absent(&n, "after wiping the control");
}

/* "{"answers":{"note":"<canary>"}}" without printf's buffers. */
static size_t
json_with(char *out, size_t outlen, const char *canary)
{
	static const char head[] = "{\"answers\":{\"note\":\"", tail[] = "\"}}";
	size_t c = strlen(canary);

	assert_true(sizeof head + c + sizeof tail <= outlen);
	memcpy(out, head, sizeof head - 1);
	memcpy(out + sizeof head - 1, canary, c);
	memcpy(out + sizeof head - 1 + c, tail, sizeof tail);
	return sizeof head - 1 + c + sizeof tail - 1;
}

static int
scan_cb(void *ctx, const struct record_id *id, enum status st, const char *json, size_t len)
{
	size_t *seen = ctx;

	(void)id;
	(void)json;
	(void)len;
	*seen += st == ST_OK;
	return 0;
}

static void
lock_leaves_nothing(void **state)
{
	struct needle pass_n, rec_n, typed_n, draft_n;
	char *pass = malloc(64), *rec = malloc(64), *typed = malloc(64), *draftc = malloc(64);
	char *json = malloc(256), *tmp, dir[4200], *plain, *text;
	struct record_id id, saved, draft;
	struct form *form = NULL, *f2 = NULL;
	struct interview *iv = NULL, *iv2 = NULL;
	struct lineedit *le;
	struct vault *v;
	size_t len, plen, seen = 0, tlen;
	char err[256];

	(void)state;
	assert_true(pass && rec && typed && draftc && json);
	needle_make(&pass_n, "the passphrase", "hygiene pass ", pass, 64);
	needle_make(&rec_n, "a record's canary", "record-canary-", rec, 64);
	needle_make(&typed_n, "a typed answer's canary", "typed-canary-", typed, 64);
	needle_make(&draft_n, "a draft's canary", "draft-canary-", draftc, 64);
	tmp = tu_tmpdir("hygiene");
	assert_true((size_t)snprintf(dir, sizeof dir, "%s/vault", tmp) < sizeof dir);

	v = vault_new();
	assert_non_null(v);
	assert_int_equal(vault_create(v, dir, "sup", pass, strlen(pass), &fast), ST_OK);
	vault_lock(v);
	assert_int_equal(vault_unlock(v, "sup", pass, strlen(pass)), ST_OK);

	/* A record and its summary, read back one by one and by scan. */
	len = json_with(json, 256, rec);
	assert_int_equal(vault_record_put(v, json, len, json, len, &id), ST_OK);
	assert_int_equal(vault_record_get(v, &id, &plain, &plen), ST_OK);
	vault_plain_free(plain, plen);
	assert_int_equal(vault_summary_get(v, &id, &plain, &plen), ST_OK);
	vault_plain_free(plain, plen);
	assert_int_equal(vault_record_scan(v, scan_cb, &seen), ST_OK);
	assert_int_equal(vault_summary_scan(v, scan_cb, &seen), ST_OK);
	assert_int_equal(seen, 2);
	memset(&draft, 0, sizeof draft);
	len = json_with(json, 256, draftc);
	assert_int_equal(vault_draft_put(v, &draft, json, len), ST_OK);
	assert_int_equal(vault_draft_get(v, &draft, &plain, &plen), ST_OK);
	vault_plain_free(plain, plen);
	explicit_bzero(json, 256);

	/* An answer typed into the line editor, through the engine to a
	 * record and back. */
	assert_int_equal(form_load_file("tests/forms/valid/mini.yaml", &form, NULL), ST_OK);
	assert_int_equal(record_attach_form(v, form, NULL, 0), ST_OK);
	assert_int_equal(interview_start(form, NULL, &iv), ST_OK);
	assert_int_equal(interview_set_interviewer(iv, "sup"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "consent_interview", "yes"), ST_OK);
	assert_int_equal(interview_answer_id(iv, "age", "15"), ST_OK);
	le = lineedit_new(200);
	assert_non_null(le);
	assert_int_equal(lineedit_insert(le, typed, strlen(typed)), ST_OK);
	assert_int_equal(lineedit_text(le, &text, &tlen), ST_OK);
	assert_int_equal(interview_answer_id(iv, "guardian", text), ST_OK);
	lineedit_text_free(text);
	lineedit_free(le);
	memset(&draft, 0, sizeof draft);
	assert_int_equal(record_draft_save(v, iv, &draft), ST_OK);
	assert_int_equal(interview_stop(iv, "test_done"), ST_OK);
	assert_int_equal(record_save(v, iv, &saved), ST_OK);
	interview_free(iv);
	assert_int_equal(record_load(v, &saved, 0, "tests/forms/valid", &f2, &iv2, err, sizeof err),
	    ST_OK);
	assert_string_equal(interview_answer_text(iv2,
	    (size_t)form_question_find(interview_form(iv2), "guardian")), typed);
	interview_free(iv2);
	form_free(f2);
	form_free(form);

	/* The test's own plain copies go before it looks. */
	explicit_bzero(pass, 64);
	explicit_bzero(rec, 64);
	explicit_bzero(typed, 64);
	explicit_bzero(draftc, 64);
	free(pass);
	free(rec);
	free(typed);
	free(draftc);
	free(json);

	vault_lock(v);
	assert_absent(&pass_n, "after lock");
	assert_absent(&rec_n, "after lock");
	assert_absent(&typed_n, "after lock");
	assert_absent(&draft_n, "after lock");
	vault_close(v);
	assert_absent(&pass_n, "after close");
	assert_absent(&rec_n, "after close");
	assert_absent(&typed_n, "after close");
	tu_rmtree(tmp);
	free(tmp);
}

/* The records an import stores are compressed through one context kept
 * for the whole transaction, and a scan unpacks through one: each is
 * wiped as the operation ends, not only at lock. */
static void
operations_end_wiped(void **state)
{
	struct needle rec_n, imp_n;
	char *rec = malloc(64), *imp = malloc(64), *json = malloc(2048), *tmp, dir[4200];
	struct vault_import_record r[40];       /* enough to be packed ahead */
	struct record_id id;
	struct vault *v;
	size_t len, imported, skipped, seen = 0;

	(void)state;
	assert_true(rec && imp && json);
	needle_make(&rec_n, "a saved record's canary", "saved-canary-", rec, 64);
	needle_make(&imp_n, "an imported record's canary", "import-canary-", imp, 64);
	tmp = tu_tmpdir("hygiene-ops");
	assert_true((size_t)snprintf(dir, sizeof dir, "%s/vault", tmp) < sizeof dir);
	v = vault_new();
	assert_non_null(v);
	assert_int_equal(vault_create(v, dir, "sup", "pass phrase 1", 13, &fast), ST_OK);

	len = json_with(json, 2048, rec);
	assert_int_equal(vault_record_put(v, json, len, json, len, &id), ST_OK);
	explicit_bzero(json, 2048);
	explicit_bzero(rec, 64);
	assert_absent(&rec_n, "after a save");

	memset(r, 0, sizeof r);
	len = json_with(json, 2048, imp);
	/* Padding that compresses, so that the record is stored packed and
	 * the frame made ahead holds the canary's bytes as they are. */
	memcpy(json + len - 2, ",\"pad\":\"", 9);
	memset(json + len + 7, 'p', 600);
	memcpy(json + len + 607, "\"}}", 4);
	len += 610;
	for (int i = 0; i < 40; i++) {
		crypto_random(r[i].id.b, sizeof r[i].id.b);
		r[i].json = json;
		r[i].len = len;
		r[i].summary = json;
		r[i].summary_len = len;
	}
	assert_int_equal(vault_import(v, NULL, 0, r, 40, NULL, &imported, &skipped), ST_OK);
	assert_int_equal(imported, 40);
	explicit_bzero(json, 2048);
	explicit_bzero(imp, 64);
	assert_absent(&imp_n, "after an import");

	assert_int_equal(vault_record_scan(v, scan_cb, &seen), ST_OK);
	assert_int_equal(vault_summary_scan(v, scan_cb, &seen), ST_OK);
	assert_int_equal(seen, 82);
	assert_absent(&rec_n, "after a scan");
	assert_absent(&imp_n, "after a scan");

	vault_close(v);
	free(rec);
	free(imp);
	free(json);
	tu_rmtree(tmp);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scanner_sees_a_live_copy),
		cmocka_unit_test(lock_leaves_nothing),
		cmocka_unit_test(operations_end_wiped),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(scan_buf);
	return rc;
}
