/*
 * test_drafts.c — discarding drafts: who may, the reason it needs, and the
 * audit entry written with it that `intake verify` accepts.
 *
 * alice is a supervisor, bob and carol interviewers. Small Argon2id limits
 * (1 pass, 8 MiB) keep unlocks fast.
 */
#include "testutil.h"
#include "audit.h"
#include "vault.h"

static const struct vault_kdf fast = { 1, 8 };

#define PASS_A "alice passphrase 1"
#define PASS_B "bob passphrase 22"
#define PASS_C "carol passphrase 3"



struct fx {
	char *tmp;
	char dir[4096];
	struct vault *v;
};

static void
as(struct fx *f, const char *user)
{
	const char *pass = strcmp(user, "alice") == 0 ? PASS_A :
	    strcmp(user, "bob") == 0 ? PASS_B : PASS_C;

	assert_ok(f->v, vault_unlock(f->v, user, pass, strlen(pass)));
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->tmp = tu_tmpdir("drafts");
	assert_true((size_t)snprintf(f->dir, sizeof f->dir, "%s/vault", f->tmp) < sizeof f->dir);
	f->v = vault_new();
	assert_non_null(f->v);
	assert_ok(f->v, vault_create(f->v, f->dir, "alice", PASS_A, strlen(PASS_A), &fast));
	assert_ok(f->v, vault_user_add(f->v, "bob", ROLE_INTERVIEWER, PASS_B, strlen(PASS_B), &fast));
	assert_ok(f->v, vault_user_add(f->v, "carol", ROLE_INTERVIEWER, PASS_C, strlen(PASS_C), &fast));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	vault_close(f->v);
	tu_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

static struct record_id
draft(struct fx *f, const char *json)
{
	struct record_id id;

	memset(&id, 0, sizeof id);
	assert_ok(f->v, vault_draft_put(f->v, &id, json, strlen(json)));
	return id;
}

struct found {
	struct audit_entry e;
	int n;
};

static int
find_discard(void *ctx, enum status st, const struct audit_entry *e)
{
	struct found *fd = ctx;

	if (st == ST_OK && e->action == AUDIT_DRAFT_DISCARD) {
		fd->e = *e;
		fd->n++;
	}
	return 0;
}

static void
no_problem(void *ctx, const char *problem)
{
	(void)ctx;
	fail_msg("verify: %s", problem);
}

/* The trail as alice sees it, and a clean verify. */
static struct found
discards(struct fx *f)
{
	struct found fd;

	memset(&fd, 0, sizeof fd);
	as(f, "alice");
	assert_ok(f->v, audit_list(f->v, NULL, find_discard, &fd));
	assert_ok(f->v, vault_verify(f->v, NULL, no_problem, NULL, NULL));
	return fd;
}

static void
own_draft_discarded_with_reason(void **state)
{
	struct fx *f = *state;
	struct record_id id, *ids = NULL;
	struct found fd;
	char *json = NULL;
	size_t len = 0, n = 0;
	char text[512];

	as(f, "bob");
	id = draft(f, "{\"by\":\"bob\"}");
	/* A reason is required, as for deleting a record. */
	assert_st(f->v, vault_draft_discard(f->v, NULL, &id, ""), ST_INVALID);
	assert_ok(f->v, vault_draft_discard(f->v, NULL, &id, "test entry, not a real person"));
	assert_st(f->v, vault_draft_get(f->v, &id, &json, &len), ST_NOTFOUND);
	assert_ok(f->v, vault_draft_list(f->v, &ids, &n));
	assert_int_equal(n, 0);
	free(ids);
	assert_st(f->v, vault_draft_discard(f->v, NULL, &id, "again"), ST_NOTFOUND);

	fd = discards(f);
	assert_int_equal(fd.n, 1);
	assert_string_equal(fd.e.user, "bob");
	assert_string_equal(fd.e.subject, "bob");
	assert_string_equal(fd.e.reason, "test entry, not a real person");
	assert_true(fd.e.has_record);
	assert_memory_equal(fd.e.record.b, id.b, VAULT_ID_BYTES);
	assert_string_equal(audit_action_name(AUDIT_DRAFT_DISCARD), "draft discard");
	audit_describe(&fd.e, text, sizeof text);
	assert_non_null(strstr(text, "reason: test entry, not a real person"));
	assert_true(strncmp(text, "draft ", 6) == 0);
	assert_non_null(strstr(text, " of bob reason: "));
}

static void
interviewer_cannot_discard_anothers(void **state)
{
	struct fx *f = *state;
	struct record_id id, *ids = NULL;
	struct vault_draft_ref *refs = NULL;
	size_t n = 0;

	as(f, "carol");
	id = draft(f, "{\"by\":\"carol\"}");
	as(f, "bob");
	assert_st(f->v, vault_draft_discard(f->v, "carol", &id, "not mine"), ST_DENIED);
	assert_st(f->v, vault_draft_others(f->v, &refs, &n), ST_DENIED);
	/* Naming it as his own finds nothing: drafts are kept per owner. */
	assert_st(f->v, vault_draft_discard(f->v, NULL, &id, "not mine"), ST_NOTFOUND);
	as(f, "carol");
	assert_ok(f->v, vault_draft_list(f->v, &ids, &n));
	assert_int_equal(n, 1);
	free(ids);
	assert_int_equal(discards(f).n, 0);
}

static void
supervisor_discards_anothers(void **state)
{
	struct fx *f = *state;
	struct record_id id, own, *ids = NULL;
	struct vault_draft_ref *refs = NULL;
	struct found fd;
	size_t n = 0;

	as(f, "bob");
	id = draft(f, "{\"by\":\"bob\"}");
	as(f, "alice");
	own = draft(f, "{\"by\":\"alice\"}");
	/* Others' drafts by owner and id; her own are not among them. */
	assert_ok(f->v, vault_draft_others(f->v, &refs, &n));
	assert_int_equal(n, 1);
	assert_string_equal(refs[0].owner, "bob");
	assert_memory_equal(refs[0].id.b, id.b, VAULT_ID_BYTES);
	free(refs);
	assert_ok(f->v, vault_draft_discard(f->v, "bob", &id, "abandoned for a month"));
	as(f, "bob");
	assert_ok(f->v, vault_draft_list(f->v, &ids, &n));
	assert_int_equal(n, 0);
	free(ids);

	fd = discards(f);
	assert_int_equal(fd.n, 1);
	assert_string_equal(fd.e.user, "alice");
	assert_string_equal(fd.e.subject, "bob");
	assert_string_equal(fd.e.reason, "abandoned for a month");
	/* Her own draft is untouched. */
	assert_ok(f->v, vault_draft_list(f->v, &ids, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(ids[0].b, own.b, VAULT_ID_BYTES);
	free(ids);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(own_draft_discarded_with_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(interviewer_cannot_discard_anothers, setup, teardown),
		cmocka_unit_test_setup_teardown(supervisor_discards_anothers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
