/*
 * setup.c — makes the vault tests/cli/attack.sh attacks, through libintake:
 * supervisor sam, interviewers ana and bo, each with records, summaries and
 * a draft; sam amends a record of each interviewer (earlier versions in the
 * history), and every step is in the audit trail.
 *
 *   setup VAULT PASSPHRASE
 *
 * Then steps on that vault, for the tests of revocation:
 *   setup --add-rex VAULT PASSPHRASE      sam adds supervisor rex, who saves
 *                                         a record of his own
 *   setup --remove-rex VAULT PASSPHRASE   sam removes rex
 *   setup --remove-rex-rekey VAULT PASSPHRASE   ... with VAULT_REKEY
 *   setup --remove-bo-rekey VAULT PASSPHRASE    sam removes bo, VAULT_REKEY
 *   setup --ana-saves VAULT PASSPHRASE    ana saves one more record
 *   setup --bulk VAULT PASSPHRASE         sam imports 8,000 records
 *   setup --format1 VAULT PASSPHRASE      the first vault, in format 1
 *                                         (for `intake upgrade`)
 *
 * Prints "made" and exits 0, or says what failed and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

static int
ok(struct vault *v, enum status st, const char *what)
{
	if (st != ST_OK)
		fprintf(stderr, "setup: %s: %s\n", what, vault_errmsg(v));
	return st == ST_OK;
}

static int
as(struct vault *v, const char *user, const char *pass)
{
	vault_lock(v);
	return ok(v, vault_unlock(v, user, pass, strlen(pass)), user);
}

static int
save(struct vault *v, const char *who, int n, struct record_id *id)
{
	char json[128], sum[128];
	struct record_id d = { { 0 } };

	snprintf(json, sizeof json, "{\"secret\":\"%s record %d\"}", who, n);
	snprintf(sum, sizeof sum, "{\"status\":\"final\",\"interviewer\":\"%s\",\"n\":%d}", who, n);
	if (!ok(v, vault_record_put(v, json, strlen(json), sum, strlen(sum), id), "saving"))
		return 0;
	snprintf(json, sizeof json, "{\"secret\":\"%s draft %d\"}", who, n);
	return n > 0 || ok(v, vault_draft_put(v, &d, json, strlen(json)), "saving a draft");
}

/* 8,000 records of about 2 KiB in one import, so that converting them
 * takes long enough to be interrupted. */
static int
bulk(struct vault *v)
{
	enum { N = 8000 };
	static struct vault_import_record r[N];
	static char json[2100], sum[] = "{\"status\":\"final\",\"interviewer\":\"sam\"}";
	size_t imported = 0, skipped = 0;

	memset(json, 'x', sizeof json - 1);
	memcpy(json, "{\"p\":\"", 6);
	memcpy(json + sizeof json - 3, "\"}", 2);
	json[sizeof json - 1] = '\0';
	for (size_t i = 0; i < N; i++) {
		if (!ok(v, vault_record_id_new(v, &r[i].id), "a record id"))
			return 0;
		r[i].id.b[0] = (unsigned char)i;
		r[i].id.b[1] = (unsigned char)(i >> 8);
		r[i].json = json;
		r[i].len = strlen(json);
		r[i].summary = sum;
		r[i].summary_len = strlen(sum);
	}
	return ok(v, vault_import(v, NULL, 0, r, N, NULL, &imported, &skipped), "importing") &&
	    imported == N;
}

int
main(int argc, char **argv)
{
	struct record_id a0, b0, s0, tmp;
	struct vault *v;
	const char *p;
	int good;

	/* --format1: the same vault as intake 0.1 would have made it. */
	if (argc == 4 && strcmp(argv[1], "--format1") == 0) {
		vault_test_create_format(1);
		argv++;
		argc--;
	}
	if (argc == 4) {
		p = argv[3];
		if ((v = vault_new()) == NULL)
			return 1;
		good = ok(v, vault_open(v, argv[2]), "opening");
		if (strcmp(argv[1], "--add-rex") == 0)
			good = good && as(v, "sam", p) &&
			    ok(v, vault_user_add(v, "rex", ROLE_SUPERVISOR, p, strlen(p), &fast),
			    "adding rex") && as(v, "rex", p) && save(v, "rex", 1, &tmp);
		else if (strcmp(argv[1], "--remove-rex") == 0)
			good = good && as(v, "sam", p) &&
			    ok(v, vault_user_remove(v, "rex"), "removing rex");
		else if (strcmp(argv[1], "--remove-rex-rekey") == 0)
			good = good && as(v, "sam", p) &&
			    ok(v, vault_user_remove_flags(v, "rex", VAULT_REKEY), "removing rex");
		else if (strcmp(argv[1], "--remove-bo-rekey") == 0)
			good = good && as(v, "sam", p) &&
			    ok(v, vault_user_remove_flags(v, "bo", VAULT_REKEY), "removing bo");
		else if (strcmp(argv[1], "--bulk") == 0)
			good = good && as(v, "sam", p) && bulk(v);
		else if (strcmp(argv[1], "--ana-saves") == 0)
			good = good && as(v, "ana", p) && save(v, "ana", 9, &tmp);
		else
			good = 0;
		vault_close(v);
		if (good)
			printf("made\n");
		return good ? 0 : 1;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: setup [--STEP] VAULT PASSPHRASE\n");
		return 1;
	}
	p = argv[2];
	if ((v = vault_new()) == NULL)
		return 1;
	good = ok(v, vault_create(v, argv[1], "sam", p, strlen(p), &fast), "creating") &&
	    ok(v, vault_user_add(v, "ana", ROLE_INTERVIEWER, p, strlen(p), &fast), "adding ana") &&
	    ok(v, vault_user_add(v, "bo", ROLE_INTERVIEWER, p, strlen(p), &fast), "adding bo") &&
	    save(v, "sam", 0, &s0) &&
	    as(v, "ana", p) && save(v, "ana", 0, &a0) && save(v, "ana", 1, &tmp) &&
	    save(v, "ana", 2, &tmp) &&
	    as(v, "bo", p) && save(v, "bo", 0, &b0) && save(v, "bo", 1, &tmp) &&
	    as(v, "sam", p) &&
	    ok(v, vault_record_amend(v, &a0, "{\"secret\":\"ana record 0, amended\"}", 34,
	    "{\"status\":\"amended\",\"interviewer\":\"ana\"}", 40, "date corrected"),
	    "amending ana's") &&
	    ok(v, vault_record_amend(v, &b0, "{\"secret\":\"bo record 0, amended\"}", 33,
	    "{\"status\":\"amended\",\"interviewer\":\"bo\"}", 39, "date corrected"),
	    "amending bo's");
	vault_close(v);
	if (good)
		printf("made\n");
	return good ? 0 : 1;
}
