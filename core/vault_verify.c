/*
 * vault_verify.c — vault_verify: one read snapshot in which every table is
 * compared with what the audit chain says should be there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "pagecheck.h"
#include "vault_int.h"

/* ==== verification ===========================================================
 *
 * One read snapshot. The audit pass collects, for every record and user, the
 * last entry that changed it; the passes over the tables then compare what
 * is stored with what the trail says should be there.
 */

struct fact {                       /* the trail's word on one record or user */
	unsigned char key[VAULT_USER_MAX + 1];  /* record id, or user name */
	size_t klen;
	uint64_t seq;                   /* the entry that changed it last */
	enum audit_action action;
	bool has_digest;
	unsigned char digest[CRYPTO_HASH_BYTES];
	uint32_t amends;                /* records: amendments since creation */
	uint32_t history;               /* records: earlier versions found */
	bool seen;
};

struct verify {
	struct vault *v;
	MDB_txn *txn;
	vault_problem_fn fn;
	void *ctx;
	struct vault_verify_counts *counts;
	struct fact *records;           /* one per audit entry, then one per id */
	size_t nrecords, caprecords;
	struct fact *users;
	size_t nusers, capusers;
	int created_training;           /* entry 1 said: a training vault */
	/* Format 2: every signing key the audit trail may carry: the users'
	 * and the former users' (meta "former"). */
	struct former_key *keys;
	size_t nkeys;
	/* Format 2: a run of entries written AUDIT2_DEFERRED, from defer_from
	 * to defer_to by the key defer_sp, waiting for the entry of the same
	 * writer after them whose signature covers them (defer_from 0: none). */
	uint64_t defer_from, defer_to;
	unsigned char defer_sp[CRYPTO_SIGN_PK_BYTES];
};

static void problem(struct verify *cx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct verify *cx, const char *fmt, ...)
{
	char buf[VAULT_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= sizeof buf)
		memcpy(buf + sizeof buf - 4, "...", 4);
	cx->counts->problems++;
	/* fn NULL: the caller wants the count and the status only. */
	if (cx->fn != NULL)
		cx->fn(cx->ctx, buf);
}

static struct fact *
fact_add(struct fact **list, size_t *n, size_t *cap)
{
	struct fact *grown;

	if (*n == *cap) {
		size_t want = *cap ? 2 * *cap : 64;

		grown = realloc(*list, want * sizeof **list);
		if (grown == NULL)
			return NULL;
		*list = grown;
		*cap = want;
	}
	memset(&(*list)[*n], 0, sizeof **list);
	return &(*list)[(*n)++];
}

static int
fact_cmp(const void *x, const void *y)
{
	const struct fact *a = x, *b = y;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts facts by key then sequence and keeps the last per key, counting
 * amendments since the last creation. */
static void
facts_reduce(struct fact *f, size_t *n)
{
	size_t out = 0;

	/* A vault without records has no list at all (qsort wants one). */
	if (*n == 0)
		return;
	qsort(f, *n, sizeof *f, fact_cmp);
	for (size_t i = 0; i < *n; i++) {
		uint32_t amends = 0;

		if (out > 0 && f[out - 1].klen == f[i].klen &&
		    memcmp(f[out - 1].key, f[i].key, f[i].klen) == 0) {
			amends = f[out - 1].amends;
			out--;
		}
		if (f[i].action == AUDIT_RECORD_AMEND)
			amends++;
		else if (f[i].action == AUDIT_RECORD_CREATE)
			amends = 0;
		f[out] = f[i];
		f[out].amends = amends;
		out++;
	}
	*n = out;
}

static struct fact *
fact_find(struct fact *f, size_t n, const void *key, size_t klen)
{
	struct fact probe;
	size_t lo = 0, hi = n;

	memset(&probe, 0, sizeof probe);
	memcpy(probe.key, key, klen);
	probe.klen = klen;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c;

		probe.seq = f[mid].seq;
		c = fact_cmp(&probe, &f[mid]);
		if (c == 0)
			return &f[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void
code_of(const unsigned char *id, struct case_code *code)
{
	struct record_id rid;

	memcpy(rid.b, id, VAULT_ID_BYTES);
	record_id_code(&rid, code);
}

/* The structure of every page of this snapshot (pagecheck.h). Damage is
 * one problem, and the end of the check (still ST_OK here): LMDB cannot
 * safely read on. */
static enum status
verify_pages(struct verify *cx)
{
	char why[256];
	mdb_filehandle_t fd;
	enum status st;

	if (mdb_env_get_fd(cx->v->env, &fd) != 0)
		return vault_fail(cx->v, ST_IO, "cannot read the vault's data file");
	st = pagecheck_run(fd, mdb_txn_id(cx->txn), PAGECHECK_FULL, why, sizeof why);
	if (st == ST_TAMPERED || st == ST_FORMAT) {
		problem(cx, "the vault database is damaged (%s): restore it from a backup", why);
		return ST_OK;
	}
	if (st != ST_OK)
		return vault_fail(cx->v, st, "cannot check the vault's pages: %s", why);
	return ST_OK;
}

static void
verify_meta(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char mac[CRYPTO_HASH_BYTES];
	MDB_val val;

	vault_meta_mac(v, mac);
	if (vault_meta_get(cx->txn, v->dbi[DB_META], META_MAC, &val) != 0 ||
	    val.mv_size != CRYPTO_HASH_BYTES || !crypto_equal(val.mv_data, mac, sizeof mac))
		problem(cx, "the vault metadata (its id, format or default passphrase settings) was "
		    "changed on disk since this intake opened it");
}

/* Records what entry e says about a record or user. */
static enum status
verify_note(struct verify *cx, const struct audit_entry *e)
{
	struct fact *f;

	switch (e->action) {
	case AUDIT_RECORD_CREATE:
	case AUDIT_RECORD_AMEND:
	case AUDIT_RECORD_DELETE:
		if (!e->has_record)
			return ST_OK;
		if ((f = fact_add(&cx->records, &cx->nrecords, &cx->caprecords)) == NULL)
			return ST_NOMEM;
		memcpy(f->key, e->record.b, VAULT_ID_BYTES);
		f->klen = VAULT_ID_BYTES;
		break;
	case AUDIT_VAULT_CREATE:
	case AUDIT_USER_ADD:
	case AUDIT_USER_PASSWD:
	case AUDIT_USER_REMOVE:
		f = NULL;
		for (size_t i = 0; i < cx->nusers; i++)
			if (strcmp((char *)cx->users[i].key, e->subject) == 0)
				f = &cx->users[i];
		if (f == NULL && (f = fact_add(&cx->users, &cx->nusers, &cx->capusers)) == NULL)
			return ST_NOMEM;
		f->klen = strlen(e->subject);
		memcpy(f->key, e->subject, f->klen + 1);
		break;
	default:
		return ST_OK;
	}
	f->seq = e->seq;
	f->action = e->action;
	f->has_digest = e->has_digest;
	memcpy(f->digest, e->digest, sizeof f->digest);
	return ST_OK;
}

/* Format 2: the users' signing keys and the former users', for checking
 * audit entries. */
static enum status
signers_load(struct verify *cx)
{
	struct vault *v = cx->v;
	struct former_key *former = NULL, *all;
	size_t nf = 0, n = 0;
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, d;
	enum status st = vault_former_read(v, cx->txn, &former, &nf);
	int rc;

	if (st == ST_NOMEM)
		return vault_fail(v, ST_NOMEM, "out of memory while verifying the audit trail");
	if (st != ST_OK)
		problem(cx, "the list of former users' signing keys was edited on disk: the audit "
		    "entries of users since removed cannot be checked");
	if ((rc = mdb_stat(cx->txn, v->dbi[DB_USERS], &ms)) != 0 ||
	    (rc = mdb_cursor_open(cx->txn, v->dbi[DB_USERS], &cur)) != 0) {
		free(former);
		return vault_fail_mdb(v, rc, "reading the users");
	}
	if ((all = calloc(ms.ms_entries + nf + 1, sizeof *all)) == NULL) {
		mdb_cursor_close(cur);
		free(former);
		return vault_fail(v, ST_NOMEM, "out of memory while verifying the audit trail");
	}
	while (n < ms.ms_entries && mdb_cursor_get(cur, &k, &d, MDB_NEXT) == 0)
		if (k.mv_size > 0 && k.mv_size <= VAULT_USER_MAX &&
		    vault_entry_base(d.mv_data, d.mv_size) > 0) {
			memcpy(all[n].name, k.mv_data, k.mv_size);
			memcpy(all[n].sp, (const unsigned char *)d.mv_data + USER2_OFF_SP,
			    CRYPTO_SIGN_PK_BYTES);
			n++;
		}
	mdb_cursor_close(cur);
	if (nf > 0)
		memcpy(all + n, former, nf * sizeof *former);
	free(former);
	cx->keys = all;
	cx->nkeys = n + nf;
	return ST_OK;
}

static const char *
signer_name(const struct verify *cx, const unsigned char sp[CRYPTO_SIGN_PK_BYTES])
{
	for (size_t i = 0; i < cx->nkeys; i++)
		if (memcmp(cx->keys[i].sp, sp, CRYPTO_SIGN_PK_BYTES) == 0)
			return cx->keys[i].name;
	return NULL;
}

/* The run of deferred entries waiting for a signature gets none. */
static void
deferred_unsigned(struct verify *cx)
{
	if (cx->defer_from == 0)
		return;
	if (cx->defer_from == cx->defer_to)
		problem(cx, "audit entry %llu has no signature of its own and is not followed by "
		    "its writer's signed entry of the import that wrote it: it was planted, or the "
		    "entry that signed it was removed", (unsigned long long)cx->defer_from);
	else
		problem(cx, "audit entries %llu to %llu have no signature of their own and are not "
		    "followed by their writer's signed entry of the import that wrote them: they "
		    "were planted, or the entry that signed them was removed",
		    (unsigned long long)cx->defer_from, (unsigned long long)cx->defer_to);
	cx->defer_from = 0;
}

/* Format 2: the entry at seq carries its writer's signature, by a key a
 * user of the vault holds or held, and was written by the user it names
 * (an entry of failed unlocks names whose unlocks failed; an entry made
 * at the upgrade is signed by the supervisor who upgraded).
 *
 * An entry written AUDIT2_DEFERRED carries no signature; it waits in cx's
 * run for the entry that signs the link covering it. Only an import writes
 * such entries, one per record it stores, and then its own entry: so a run
 * is accepted only when it is record creations alone, and the entry right
 * after it is its writer's signed import entry counting exactly as many
 * records. Any signed entry covers the links before it, but that alone
 * would let whoever can write the trail plant an unsigned entry in
 * someone's name at its end, for that user's next entry, an unlock, to
 * sign without knowing. */
static void
verify_signature(struct verify *cx, uint64_t seq, const unsigned char prev[CRYPTO_HASH_BYTES],
    const MDB_val *d, const struct audit_entry *e)
{
	unsigned char sp[CRYPTO_SIGN_PK_BYTES];
	const char *signer;
	int deferred;
	enum status st = vault_audit_signed(cx->v, seq, prev, d, sp, &deferred);

	if (cx->defer_from != 0 && (seq != cx->defer_to + 1 ||
	    !crypto_equal(sp, cx->defer_sp, sizeof sp)))
		deferred_unsigned(cx);
	if (st != ST_OK) {
		deferred_unsigned(cx);          /* what would have signed them does not hold */
	} else if (deferred && e->action != AUDIT_RECORD_CREATE) {
		deferred_unsigned(cx);
		problem(cx, "audit entry %llu has no signature of its own, which only the entries "
		    "of the records an import stores may lack: it was planted or edited",
		    (unsigned long long)seq);
	} else if (deferred && cx->defer_from == 0) {
		cx->defer_from = cx->defer_to = seq;
		memcpy(cx->defer_sp, sp, sizeof sp);
	} else if (deferred) {
		cx->defer_to = seq;
	} else if (cx->defer_from != 0 && (e->action != AUDIT_BUNDLE_IMPORT ||
	    (uint64_t)e->count != cx->defer_to - cx->defer_from + 1)) {
		deferred_unsigned(cx);          /* signed, but not by the import that wrote them */
	} else {
		cx->defer_from = 0;             /* the import's entry: it covers the run */
	}
	if (st != ST_OK && deferred)
		problem(cx, "audit entry %llu is marked as signed by its writer's next entry, yet "
		    "carries a signature of its own: it was edited", (unsigned long long)seq);
	else if (st != ST_OK)
		problem(cx, "audit entry %llu does not carry a valid signature of its writer: it "
		    "was edited, or moved from another position", (unsigned long long)seq);
	else if ((signer = signer_name(cx, sp)) == NULL)
		problem(cx, "audit entry %llu is signed by a key no user of the vault has held: "
		    "it was written outside intake", (unsigned long long)seq);
	else if (((const unsigned char *)d->mv_data)[2] != AUDIT2_CONVERTED &&
	    e->action != AUDIT_UNLOCK_FAILED && strcmp(e->user, signer) != 0)
		problem(cx, "audit entry %llu, written as %s, is signed by %s: it was "
		    "re-attributed or signed again by someone else", (unsigned long long)seq,
		    e->user, signer);
}

static enum status
verify_audit(struct verify *cx, const struct vault_audit_head *noted)
{
	struct vault *v = cx->v;
	unsigned char prev[CRYPTO_HASH_BYTES], link[CRYPTO_HASH_BYTES], *plain;
	struct vault_audit_head head;
	struct audit_entry e;
	MDB_cursor *cur;
	MDB_val k, d;
	uint64_t expect = 1, last = 0;
	size_t extra = v->format == 2 ? AUDIT2_OVER : 0;
	int rc, noted_seen = 0;
	enum status st = ST_OK, hst;

	if (v->format == 2 && (st = signers_load(cx)) != ST_OK)
		return st;
	if ((plain = vault_scratch_get(v, AUDIT_ENTRY_MAX)) == NULL)
		return ST_NOMEM;
	memset(prev, 0, sizeof prev);
	rc = mdb_cursor_open(cx->txn, v->dbi[DB_AUDIT], &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		const unsigned char *val = d.mv_data;
		uint64_t seq;
		size_t plen = 0;
		int gap = 0, linked;

		vault_map_tick(v, &d);
		cx->counts->audit++;
		if (k.mv_size != 8 || (seq = get_be64(k.mv_data)) == 0) {
			problem(cx, "the audit table holds a key that is not an entry number (%zu "
			    "bytes): it was edited on disk", k.mv_size);
			continue;
		}
		if (seq > expect) {
			gap = 1;
			if (seq == expect + 1)
				problem(cx, "audit entry %llu is missing: it was deleted",
				    (unsigned long long)expect);
			else
				problem(cx, "audit entries %llu to %llu are missing: they were deleted",
				    (unsigned long long)expect, (unsigned long long)(seq - 1));
		}
		expect = seq + 1;
		last = seq;
		/* Format 2 entries carry their wrapped key (AUDIT2_EXTRA). */
		if (d.mv_size <= AUDIT_VAL_MIN + extra || d.mv_size > AUDIT_VAL_MAX + extra) {
			problem(cx, "audit entry %llu is damaged: its size (%zu bytes) is wrong",
			    (unsigned long long)seq, d.mv_size);
			memset(prev, 0, sizeof prev);
			continue;
		}
		vault_audit_link(v, seq, prev, val, d.mv_size - CRYPTO_HASH_BYTES, link);
		linked = crypto_equal(link, val + d.mv_size - CRYPTO_HASH_BYTES, sizeof link);
		if (vault_audit_open(v, seq, &d, plain, &plen) != ST_OK) {
			problem(cx, "audit entry %llu failed its integrity check: it was altered, or "
			    "moved from another position", (unsigned long long)seq);
		} else {
			/* Sealed at this position, so its content is authentic even
			 * where the chain before it is broken. */
			if (!linked && !gap)
				problem(cx, "audit entry %llu does not follow entry %llu in the chain: an "
				    "entry between them was removed, or one of them was replaced",
				    (unsigned long long)seq, (unsigned long long)(seq - 1));
			if (audit_decode(plain, plen, &e) != ST_OK) {
				problem(cx, "audit entry %llu opens but is not a valid entry",
				    (unsigned long long)seq);
			} else {
				e.seq = seq;
				/* After a gap the link it signed is gone with the
				 * missing entries: the gap is the one problem. */
				if (v->format == 2 && !gap)
					verify_signature(cx, seq, prev, &d, &e);
				if (seq == 1 && e.action == AUDIT_VAULT_CREATE)
					cx->created_training = strcmp(e.reason, "training") == 0;
				if ((st = verify_note(cx, &e)) != ST_OK)
					break;
			}
		}
		secure_wipe(plain, AUDIT_ENTRY_MAX);
		if (noted != NULL && noted->seq == seq) {
			noted_seen = 1;
			if (!crypto_equal(noted->link, val + d.mv_size - CRYPTO_HASH_BYTES,
			    CRYPTO_HASH_BYTES))
				problem(cx, "audit entry %llu is not the one noted earlier as the head: "
				    "the trail was rewritten from there", (unsigned long long)seq);
		}
		/* Resynchronise on the stored link, so one bad entry is one problem. */
		memcpy(prev, val + d.mv_size - CRYPTO_HASH_BYTES, sizeof prev);
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	secure_wipe(&e, sizeof e);
	vault_scratch_done(v, AUDIT_ENTRY_MAX);
	if (st != ST_OK)
		return st;
	deferred_unsigned(cx);                  /* the trail ends before their signature */
	if (rc != 0 && rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the audit trail");
	if (last == 0)
		problem(cx, "the audit trail is empty: its entries were deleted");
	hst = vault_audit_head_read(v, cx->txn, &head);
	if (hst == ST_NOTFOUND)
		problem(cx, "the head of the audit trail is missing from the vault metadata");
	else if (hst != ST_OK)
		problem(cx, "the head of the audit trail was edited on disk");
	else if (head.seq > last)
		problem(cx, "the audit trail ends at entry %llu but its head names entry %llu: the "
		    "last entries were deleted", (unsigned long long)last,
		    (unsigned long long)head.seq);
	else if (head.seq < last)
		problem(cx, "the audit trail goes on past its head (entry %llu) to entry %llu: "
		    "entries were added outside intake, or an older head was put back",
		    (unsigned long long)head.seq, (unsigned long long)last);
	else if (!crypto_equal(head.link, prev, sizeof prev))
		problem(cx, "the last audit entry (%llu) is not the one its head names: it was "
		    "replaced", (unsigned long long)last);
	if (noted != NULL && noted->seq > 0 && !noted_seen) {
		if (noted->seq > last)
			problem(cx, "the head noted earlier names audit entry %llu, but the trail ends "
			    "at entry %llu: entries were removed from its end",
			    (unsigned long long)noted->seq, (unsigned long long)last);
		else
			problem(cx, "audit entry %llu, named by the head noted earlier, is missing",
			    (unsigned long long)noted->seq);
	}
	return ST_OK;
}

static int
user_untrusted(struct verify *cx, const char *name, const struct user_entry *ue,
    char why[VAULT_USER_MAX + 1])
{
	why[0] = '\0';
	return vault_user2_trusted(cx->v, cx->txn, name, ue->raw, why) != ST_OK;
}

static enum status
verify_users(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char digest[CRYPTO_HASH_BYTES];
	char name[VAULT_USER_MAX + 1];
	struct user_entry ue;
	char why[VAULT_USER_MAX + 1];
	MDB_cursor *cur;
	MDB_val k, d;
	int rc, ue_ok;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_USERS], &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the users");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct fact *f = NULL;

		cx->counts->users++;
		if (k.mv_size == 0 || k.mv_size > VAULT_USER_MAX) {
			problem(cx, "the users table holds a name of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (vault_check_user_name(name, NULL, 0) != ST_OK) {
			problem(cx, "the users table holds an invalid user name: it was edited on disk");
			continue;
		}
		ue_ok = vault_user_entry_parse(v, name, &d, &ue) == ST_OK;
		if (!ue_ok) {
			problem(cx, "the entry of user %s is damaged (its layout, role or passphrase "
			    "settings are out of range)", name);
		}
		for (size_t i = 0; i < cx->nusers; i++)
			if (strcmp((char *)cx->users[i].key, name) == 0)
				f = &cx->users[i];
		if (f == NULL) {
			problem(cx, "user %s is not in the audit trail: the user was added outside "
			    "intake", name);
			continue;
		}
		f->seen = true;
		crypto_digest(digest, d.mv_data, v->format == 2 && d.mv_size > USER2_BYTES ?
		    USER2_BYTES : d.mv_size);
		if (f->action == AUDIT_USER_REMOVE)
			problem(cx, "user %s was removed (audit entry %llu) but is present again",
			    name, (unsigned long long)f->seq);
		else if (!f->has_digest || !crypto_equal(digest, f->digest, sizeof digest))
			problem(cx, "the entry of user %s (its role, passphrase settings or wrapped key) "
			    "is not the one written at audit entry %llu: it was edited or replaced on "
			    "disk", name, (unsigned long long)f->seq);
		else if (v->format == 2 && ue_ok && user_untrusted(cx, name, &ue, why))
			/* As written, yet its signature does not lead to the root:
			 * written with the trail by someone who can append to it. */
			problem(cx, "the entry of user %s does not carry a valid signature leading to "
			    "the vault's root (the entry of %s was edited on disk: its role, keys or "
			    "signer changed)", name, why);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the users");
	for (size_t i = 0; i < cx->nusers; i++)
		if (!cx->users[i].seen && cx->users[i].action != AUDIT_USER_REMOVE)
			problem(cx, "user %s (written at audit entry %llu) is missing: removed outside "
			    "intake", (char *)cx->users[i].key, (unsigned long long)cx->users[i].seq);
	return ST_OK;
}

/* Opens the envelope d found under k and wipes it again; digest, when not
 * NULL, gets the BLAKE2b-256 of its content. ST_TAMPERED when it does not
 * open. */
static enum status
verify_open(struct verify *cx, enum kind kind, const MDB_val *k, const MDB_val *d,
    char owner[VAULT_USER_MAX + 1], unsigned char *digest)
{
	size_t plen = vault_env_plain_len(kind, d), off, clen;
	unsigned char *buf, *content;
	enum status st;

	if (plen == 0 || k->mv_size > KEY_MAX)
		return ST_TAMPERED;
	if ((buf = vault_scratch_get(cx->v, plen + 1)) == NULL)
		return ST_NOMEM;
	st = vault_env_decrypt(cx->v, kind, k, d, buf, owner, &off, &clen);
	if (st == ST_OK)
		st = vault_env_content(cx->v, d, buf, off, &clen, &content);
	if (st == ST_OK && digest != NULL)
		crypto_digest(digest, content, clen);
	vault_scratch_done(cx->v, plen + 1);
	return st == ST_OK ? ST_OK : ST_TAMPERED;
}

static enum status
verify_records(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char digest[CRYPTO_HASH_BYTES];
	char owner[VAULT_USER_MAX + 1];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_RECORDS], &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the records");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct fact *f;

		vault_map_tick(v, &d);
		cx->counts->records++;
		if (k.mv_size != VAULT_ID_BYTES) {
			problem(cx, "the records table holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		code_of(k.mv_data, &code);
		st = verify_open(cx, KIND_RECORD, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return vault_fail(v, ST_NOMEM, "out of memory while verifying the records");
		}
		if (st != ST_OK)
			problem(cx, "record %s failed its integrity check: it was altered, damaged, or "
			    "copied from another record or vault", code.s);
		f = fact_find(cx->records, cx->nrecords, k.mv_data, VAULT_ID_BYTES);
		if (f == NULL) {
			problem(cx, "record %s is not in the audit trail: it was put into the vault "
			    "outside intake", code.s);
			continue;
		}
		f->seen = true;
		vault_env_digest(v, KIND_RECORD, &d, digest);
		if (f->action == AUDIT_RECORD_DELETE)
			problem(cx, "record %s was deleted (audit entry %llu) but is present again",
			    code.s, (unsigned long long)f->seq);
		else if (st == ST_OK && !crypto_equal(digest, f->digest, sizeof digest))
			problem(cx, "record %s is not the version written at audit entry %llu: an older "
			    "copy was put back, or it was replaced on disk", code.s,
			    (unsigned long long)f->seq);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the records");
	return ST_OK;
}

static enum status
verify_summaries(struct verify *cx)
{
	struct vault *v = cx->v;
	char owner[VAULT_USER_MAX + 1];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d, rec;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_SUMMARIES], &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the summaries");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		vault_map_tick(v, &d);
		cx->counts->summaries++;
		if (k.mv_size != VAULT_ID_BYTES) {
			problem(cx, "the summaries table holds a key of %zu bytes: it was edited on "
			    "disk", k.mv_size);
			continue;
		}
		code_of(k.mv_data, &code);
		st = verify_open(cx, KIND_SUMMARY, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return vault_fail(v, ST_NOMEM,
			    "out of memory while verifying the summaries");
		}
		if (st != ST_OK)
			problem(cx, "the summary of record %s failed its integrity check", code.s);
		if (mdb_get(cx->txn, v->dbi[DB_RECORDS], &k, &rec) == MDB_NOTFOUND)
			problem(cx, "the summary of record %s has no record: the record was deleted "
			    "on disk", code.s);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the summaries");
	return ST_OK;
}

/* The listing against the summaries: the same entries, each once, with the
 * same owner and content. No listing is no problem (the next unlock builds
 * it). */
struct lfact {
	unsigned char id[VAULT_ID_BYTES];
	char owner[VAULT_USER_MAX + 1];
	unsigned char digest[CRYPTO_HASH_BYTES];
	bool seen;
};

/* Owners and digests of summaries: wiped before the memory goes back. */
static void
lfacts_free(struct lfact *f, size_t n)
{
	if (f != NULL)
		explicit_bzero(f, n * sizeof *f);
	free(f);
}

static int
lfact_cmp(const void *x, const void *y)
{
	return memcmp(((const struct lfact *)x)->id, ((const struct lfact *)y)->id, VAULT_ID_BYTES);
}

/* Collects the entries of every chunk that opens into *out (malloc'ed);
 * *damaged counts the chunks that do not. */
static enum status
verify_listing_read(struct verify *cx, MDB_dbi dbi, struct lfact **out, size_t *n,
    size_t *damaged)
{
	struct vault *v = cx->v;
	struct lchunk c;
	struct lfact *f = NULL, *grown;
	size_t cap = 0;
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st = ST_OK;
	int rc;

	*n = 0;
	*damaged = 0;
	if ((rc = mdb_cursor_open(cx->txn, dbi, &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the case listing");
	vault_lchunk_take(v, &c, 0);
	while (st == ST_OK && (rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct lentry e;
		size_t off = 0;

		vault_map_tick(v, &d);
		if (k.mv_size != 4) {
			problem(cx, "the case listing holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			++*damaged;
			continue;
		}
		st = vault_lchunk_open(v, &k, &d, &c);
		if (st == ST_TAMPERED) {
			++*damaged;
			problem(cx, "chunk %lu of the case listing failed its integrity check: it was "
			    "altered or damaged (the case list reads the summaries instead; "
			    "`intake verify --rebuild-listing` makes it again)",
			    (unsigned long)get_be32(k.mv_data));
			st = ST_OK;
			continue;
		}
		while (st == ST_OK && vault_lentry_next(c.p, c.len, &off, &e) > 0) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 1024;
				if ((grown = malloc(cap * sizeof *f)) == NULL) {
					st = ST_NOMEM;
					break;
				}
				if (*n > 0)
					memcpy(grown, f, *n * sizeof *f);
				lfacts_free(f, *n);
				f = grown;
			}
			memcpy(f[*n].id, e.id, VAULT_ID_BYTES);
			memcpy(f[*n].owner, e.owner, sizeof e.owner);
			crypto_digest(f[*n].digest, e.summary, e.len);
			f[*n].seen = false;
			++*n;
		}
		secure_wipe(c.p, c.len);
	}
	mdb_cursor_close(cur);
	vault_lchunk_give(v, &c);
	if (st == ST_OK && rc != 0 && rc != MDB_NOTFOUND)
		st = vault_fail_mdb(v, rc, "reading the case listing");
	if (st != ST_OK) {
		lfacts_free(f, *n);
		*n = 0;
		return st == ST_NOMEM ? vault_fail(v, ST_NOMEM,
		    "out of memory while verifying the case "
		    "listing") : st;
	}
	*out = f;
	return ST_OK;
}

static enum status
verify_listing(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char digest[CRYPTO_HASH_BYTES];
	char owner[VAULT_USER_MAX + 1];
	struct case_code code;
	struct lfact *f = NULL, key;
	size_t n = 0, damaged;
	bool differs;
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, d;
	enum status st;
	int rc;

	rc = vault_listing_dbi(cx->txn, &dbi);
	if (rc == MDB_NOTFOUND)
		return ST_OK;
	if (rc != 0)
		return vault_fail_mdb(v, rc, "reading the case listing");
	if ((st = verify_listing_read(cx, dbi, &f, &n, &damaged)) != ST_OK)
		return st;
	if (n > 1)
		qsort(f, n, sizeof *f, lfact_cmp);
	for (size_t i = 1; i < n; i++)
		if (memcmp(f[i].id, f[i - 1].id, VAULT_ID_BYTES) == 0) {
			code_of(f[i].id, &code);
			problem(cx, "record %s is in the case listing twice", code.s);
		}
	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_SUMMARIES], &cur)) != 0) {
		lfacts_free(f, n);
		return vault_fail_mdb(v, rc, "reading the summaries");
	}
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		struct lfact *hit;

		vault_map_tick(v, &d);
		if (k.mv_size != VAULT_ID_BYTES)
			continue;       /* reported with the summaries */
		st = verify_open(cx, KIND_SUMMARY, &k, &d, owner, digest);
		if (st == ST_NOMEM)
			break;
		memcpy(key.id, k.mv_data, VAULT_ID_BYTES);
		hit = n > 0 ? bsearch(&key, f, n, sizeof *f, lfact_cmp) : NULL;
		/* Every entry of this id (duplicates were reported above). */
		while (hit != NULL && hit > f && lfact_cmp(hit - 1, &key) == 0)
			hit--;
		code_of(k.mv_data, &code);
		if (hit == NULL && st == ST_OK && damaged == 0)
			problem(cx, "record %s is missing from the case listing: an older copy of the "
			    "listing was put back, or it was edited on disk", code.s);
		for (differs = false; hit != NULL && hit < f + n && lfact_cmp(hit, &key) == 0; hit++) {
			hit->seen = true;
			/* A summary that does not open is reported with the summaries. */
			if (st == ST_OK && (strcmp(hit->owner, owner) != 0 ||
			    !crypto_equal(hit->digest, digest, sizeof digest)))
				differs = true;
		}
		if (differs)
			problem(cx, "the case listing shows record %s differently from its summary: an "
			    "older copy of the listing was put back, or it was edited on disk", code.s);
	}
	mdb_cursor_close(cur);
	if (st != ST_NOMEM && rc == MDB_NOTFOUND)
		for (size_t i = 0; i < n; i++)
			if (!f[i].seen) {
				code_of(f[i].id, &code);
				problem(cx, "the case listing names record %s, which has no summary",
				    code.s);
			}
	lfacts_free(f, n);
	if (st == ST_NOMEM)
		return vault_fail(v, ST_NOMEM, "out of memory while verifying the case listing");
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the summaries");
	return ST_OK;
}

static enum status
verify_history(struct verify *cx)
{
	struct vault *v = cx->v;
	char owner[VAULT_USER_MAX + 1];
	unsigned char id[VAULT_ID_BYTES];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d, rec;
	uint32_t expect = 1;
	enum status st;
	int rc;

	memset(id, 0, sizeof id);
	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_HISTORY], &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the earlier versions");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		uint32_t version;
		struct fact *f;

		cx->counts->history++;
		if (k.mv_size != HISTORY_KEY) {
			problem(cx, "the history table holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		if (memcmp(k.mv_data, id, VAULT_ID_BYTES) != 0) {
			memcpy(id, k.mv_data, VAULT_ID_BYTES);
			expect = 1;
		}
		code_of(id, &code);
		version = get_be32((const unsigned char *)k.mv_data + VAULT_ID_BYTES);
		if (version == expect + 1)
			problem(cx, "earlier version %lu of record %s is missing: it was deleted on disk",
			    (unsigned long)expect, code.s);
		else if (version > expect)
			problem(cx, "earlier versions %lu to %lu of record %s are missing: they were "
			    "deleted on disk", (unsigned long)expect, (unsigned long)(version - 1), code.s);
		expect = version + 1;
		st = verify_open(cx, KIND_HISTORY, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return vault_fail(v, ST_NOMEM,
			    "out of memory while verifying the earlier versions");
		}
		if (st != ST_OK)
			problem(cx, "earlier version %lu of record %s failed its integrity check",
			    (unsigned long)version, code.s);
		rec.mv_size = VAULT_ID_BYTES;
		rec.mv_data = id;
		if (mdb_get(cx->txn, v->dbi[DB_RECORDS], &rec, &d) == MDB_NOTFOUND)
			problem(cx, "earlier version %lu of record %s has no record: the record was "
			    "deleted on disk", (unsigned long)version, code.s);
		if ((f = fact_find(cx->records, cx->nrecords, id, VAULT_ID_BYTES)) != NULL)
			f->history++;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the earlier versions");
	return ST_OK;
}

static enum status
verify_drafts(struct verify *cx)
{
	struct vault *v = cx->v;
	char owner[VAULT_USER_MAX + 1], user[VAULT_USER_MAX + 1];
	struct case_code code;
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_DRAFTS], &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the drafts");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *p = k.mv_data;
		size_t ulen = k.mv_size > VAULT_ID_BYTES + 1 ? k.mv_size - VAULT_ID_BYTES - 1 : 0;

		cx->counts->drafts++;
		if (ulen == 0 || ulen > VAULT_USER_MAX || p[ulen] != 0 || memchr(p, 0, ulen) != NULL) {
			problem(cx, "the drafts table holds a malformed key (%zu bytes): it was edited "
			    "on disk", k.mv_size);
			continue;
		}
		memcpy(user, p, ulen);
		user[ulen] = '\0';
		code_of(p + ulen + 1, &code);
		if (v->format == 2 && strcmp(user, v->user) != 0) {
			/* Only its owner can open it: the tag shows whether it is
			 * as they saved it. */
			st = vault_env_draft_check(v, &k, &d);
			if (st == ST_OK || st == ST_DENIED)
				continue;
		} else {
			st = verify_open(cx, KIND_DRAFT, &k, &d, owner, NULL);
		}
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return vault_fail(v, ST_NOMEM, "out of memory while verifying the drafts");
		}
		if (st != ST_OK)
			problem(cx, "draft %s of user %s failed its integrity check", code.s, user);
		else if (strcmp(owner, user) != 0)
			problem(cx, "draft %s of user %s was saved by another user", code.s, user);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the drafts");
	return ST_OK;
}

static enum status
verify_forms(struct verify *cx)
{
	struct vault *v = cx->v;
	unsigned char got[CRYPTO_HASH_BYTES];
	char owner[VAULT_USER_MAX + 1], hex[2 * CRYPTO_HASH_BYTES + 1];
	MDB_cursor *cur;
	MDB_val k, d;
	enum status st;
	int rc;

	if ((rc = mdb_cursor_open(cx->txn, v->dbi[DB_FORMS], &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the forms");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		cx->counts->forms++;
		if (k.mv_size != CRYPTO_HASH_BYTES) {
			problem(cx, "the forms table holds a key of %zu bytes: it was edited on disk",
			    k.mv_size);
			continue;
		}
		crypto_bin2hex(hex, k.mv_data, CRYPTO_HASH_BYTES);
		st = verify_open(cx, KIND_FORM, &k, &d, owner, got);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return vault_fail(v, ST_NOMEM, "out of memory while verifying the forms");
		}
		if (st != ST_OK)
			problem(cx, "form %.16s failed its integrity check", hex);
		else if (!crypto_equal(got, k.mv_data, sizeof got))
			problem(cx, "form %.16s does not match its hash", hex);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the forms");
	return ST_OK;
}

/* Statistics releases (and the release plan): each must open under its
 * own name. A release is published once and never replaced, so one that
 * does not open was altered, damaged or swapped on disk, and the numbers it
 * held can no longer be vouched for. The table exists only after the first
 * release. */
static enum status
verify_releases(struct verify *cx)
{
	struct vault *v = cx->v;
	char owner[VAULT_USER_MAX + 1], name[VAULT_RELEASE_NAME_MAX + 1];
	MDB_cursor *cur;
	MDB_dbi dbi;
	MDB_val k, d;
	enum status st;
	int rc;

	rc = mdb_dbi_open(cx->txn, RELEASES_DB, 0, &dbi);
	if (rc == MDB_NOTFOUND)
		return ST_OK;
	if (rc == MDB_INCOMPATIBLE) {
		problem(cx, "the statistics releases table is damaged: it was edited on disk");
		return ST_OK;
	}
	if (rc != 0 || (rc = mdb_cursor_open(cx->txn, dbi, &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the statistics releases");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *p = k.mv_data;
		size_t n = k.mv_size < sizeof name - 1 ? k.mv_size : sizeof name - 1;

		cx->counts->releases++;
		/* The name as stored, printable: it may have been edited too. */
		for (size_t i = 0; i < n; i++)
			name[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
		name[n] = '\0';
		if (k.mv_size == 0 || k.mv_size > VAULT_RELEASE_NAME_MAX) {
			problem(cx, "the statistics releases table holds a malformed name (%zu bytes): "
			    "it was edited on disk", k.mv_size);
			continue;
		}
		st = verify_open(cx, KIND_RELEASE, &k, &d, owner, NULL);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return vault_fail(v, ST_NOMEM, "out of memory while verifying the releases");
		}
		if (st == ST_OK)
			continue;
		if (strcmp(name, VAULT_RELEASE_PLAN) == 0)
			problem(cx, "the statistics release plan failed its integrity check: it was "
			    "altered or damaged on disk");
		else
			problem(cx, "the statistics release for period %s failed its integrity "
			    "check: it was altered or damaged on disk, and its figures cannot be "
			    "trusted", name);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the statistics releases");
	return ST_OK;
}

/* The trusted sites and the numbering of bundles sent (vault_sites.c):
 * each entry must open and be well formed. A site slipped in, or a bundle
 * number wound back, by someone who edits the files does not open; the
 * table exists only after the first trust or bundle. */
static enum status
verify_sites(struct verify *cx)
{
	struct vault *v = cx->v;
	MDB_cursor *cur;
	MDB_dbi dbi;
	MDB_val k, d;
	enum status st;
	int rc;

	rc = mdb_dbi_open(cx->txn, SITES_DB, 0, &dbi);
	if (rc == MDB_NOTFOUND)
		return ST_OK;
	if (rc == MDB_INCOMPATIBLE) {
		problem(cx, "the trusted sites table is damaged: it was edited on disk");
		return ST_OK;
	}
	if (rc != 0 || (rc = mdb_cursor_open(cx->txn, dbi, &cur)) != 0)
		return vault_fail_mdb(v, rc, "reading the trusted sites");
	while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0) {
		const unsigned char *p = k.mv_data;
		char name[VAULT_USER_MAX + 1];
		size_t n = k.mv_size > 1 ? k.mv_size - 1 : 0;

		cx->counts->sites++;
		st = vault_site_entry_check(v, &k, &d);
		if (st == ST_NOMEM) {
			mdb_cursor_close(cur);
			return vault_fail(v, ST_NOMEM, "out of memory while verifying the sites");
		}
		if (st == ST_OK)
			continue;
		if (n > VAULT_USER_MAX)
			n = VAULT_USER_MAX;
		/* The name as stored, printable: it may have been edited too. */
		for (size_t i = 0; i < n; i++)
			name[i] = p[i + 1] >= 0x20 && p[i + 1] < 0x7f ? (char)p[i + 1] : '?';
		name[n] = '\0';
		if (k.mv_size >= 2 && p[0] == 't')
			problem(cx, "the trusted site %s failed its integrity check: it was added, "
			    "altered or damaged on disk; trust it again from its public key", name);
		else
			problem(cx, "an entry of the trusted sites or of the bundles sent failed its "
			    "integrity check: it was added, altered or damaged on disk");
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return vault_fail_mdb(v, rc, "reading the trusted sites");
	return ST_OK;
}

/* What the trail says should exist but does not. */
static void
verify_missing(struct verify *cx)
{
	struct case_code code;

	for (size_t i = 0; i < cx->nrecords; i++) {
		struct fact *f = &cx->records[i];

		code_of(f->key, &code);
		if (!f->seen && f->action != AUDIT_RECORD_DELETE)
			problem(cx, "record %s (written at audit entry %llu) is missing: it was deleted "
			    "outside intake", code.s, (unsigned long long)f->seq);
		else if (f->seen && f->action != AUDIT_RECORD_DELETE && f->history < f->amends)
			problem(cx, "record %s was amended %lu time%s but has %lu earlier version%s: "
			    "versions were deleted on disk", code.s, (unsigned long)f->amends,
			    f->amends == 1 ? "" : "s", (unsigned long)f->history,
			    f->history == 1 ? "" : "s");
	}
	if (cx->created_training != cx->v->training)
		problem(cx, "the vault was created as a %s vault but is now marked as a %s one: the "
		    "training flag was changed on disk", cx->created_training ? "training" : "real",
		    cx->v->training ? "training" : "real");
}

enum status
vault_verify(struct vault *v, const struct vault_audit_head *noted, vault_problem_fn fn,
    void *ctx, struct vault_verify_counts *counts)
{
	struct vault_verify_counts local;
	struct verify cx;
	enum status st;
	int rc;

	if (counts == NULL)
		counts = &local;
	memset(counts, 0, sizeof *counts);
	if ((st = vault_require(v, VAULT_RIGHT_AUDIT)) != ST_OK)
		return st;
	if (v->scanning)
		return vault_fail(v, ST_BUSY, "a scan of the vault is already running");
	memset(&cx, 0, sizeof cx);
	cx.v = v;
	cx.fn = fn;
	cx.ctx = ctx;
	cx.counts = counts;
	vault_audit_keys(v);
	if ((rc = vault_txn_begin(v, MDB_RDONLY, &cx.txn)) != 0)
		return vault_fail_mdb(v, rc, "verifying the vault");
	v->scanning = 1;
	/* Every page first, whatever the open's quick check trusted: nothing
	 * below reads a page the check did not pass. */
	if ((st = verify_pages(&cx)) != ST_OK || counts->problems > 0)
		goto checked;
	verify_meta(&cx);
	st = verify_audit(&cx, noted);
	if (st == ST_OK)
		facts_reduce(cx.records, &cx.nrecords);
	if (st == ST_OK)
		st = verify_users(&cx);
	if (st == ST_OK)
		st = verify_records(&cx);
	if (st == ST_OK)
		st = verify_summaries(&cx);
	if (st == ST_OK)
		st = verify_listing(&cx);
	if (st == ST_OK)
		st = verify_history(&cx);
	if (st == ST_OK)
		st = verify_drafts(&cx);
	if (st == ST_OK)
		st = verify_forms(&cx);
	if (st == ST_OK)
		st = verify_releases(&cx);
	if (st == ST_OK)
		st = verify_sites(&cx);
	if (st == ST_OK)
		verify_missing(&cx);
checked:
	v->scanning = 0;
	vault_pack_settle(v);
	vault_map_tick(v, NULL);
	mdb_txn_abort(cx.txn);
	free(cx.records);
	free(cx.users);
	free(cx.keys);
	if (st == ST_NOMEM)
		return vault_fail(v, ST_NOMEM, "out of memory while verifying the vault");
	if (st != ST_OK)
		return st;
	if (counts->problems > 0)
		return vault_fail(v, ST_TAMPERED,
		    "the vault at %s failed verification: %zu problem%s "
		    "found", v->dir, counts->problems, counts->problems == 1 ? "" : "s");
	return ST_OK;
}
