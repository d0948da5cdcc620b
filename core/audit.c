/*
 * audit.c — audit entries: their plaintext layout, names, the head's text
 * form read back, and a description for listing. Pure: it holds no vault
 * and calls none. Sealing, chaining, storage, appending (audit_log,
 * audit_log_data) and reading the trail (audit_list, audit_head_text) are
 * the vault's (vault_audit.c), which also writes the entries of its own
 * changes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistr.h>

#include "audit.h"
#include "clock.h"
#include "crypto.h"

#define AUDIT_ENTRY_VERSION 1
#define FLAG_RECORD 1
#define FLAG_DIGEST 2
#define FLAG_ROLE   4

static const char *const action_names[] = {
	[AUDIT_VAULT_CREATE] = "vault create",
	[AUDIT_UNLOCK] = "unlock",
	[AUDIT_UNLOCK_FAILED] = "unlock failed",
	[AUDIT_LOCK] = "lock",
	[AUDIT_HIDE] = "quick-hide",
	[AUDIT_RECORD_CREATE] = "record create",
	[AUDIT_RECORD_VIEW] = "record view",
	[AUDIT_RECORD_AMEND] = "record amend",
	[AUDIT_RECORD_DELETE] = "record delete",
	[AUDIT_HISTORY_VIEW] = "history view",
	[AUDIT_EXPORT] = "export",
	[AUDIT_STATS] = "statistics",
	[AUDIT_USER_ADD] = "user add",
	[AUDIT_USER_REMOVE] = "user remove",
	[AUDIT_USER_PASSWD] = "user passwd",
	[AUDIT_BUNDLE_CREATE] = "bundle create",
	[AUDIT_BUNDLE_IMPORT] = "bundle import",
	[AUDIT_DRAFT_DISCARD] = "draft discard",
	[AUDIT_SITE_TRUST]    = "site trust",
	[AUDIT_SITE_UNTRUST]  = "site untrust",
};

const char *
audit_action_name(enum audit_action a)
{
	if ((unsigned)a < 1 || (unsigned)a > AUDIT_ACTION_LAST)
		return "unknown";
	return action_names[a];
}

void
audit_entry_init(struct audit_entry *e, enum audit_action a, const char *user)
{
	memset(e, 0, sizeof *e);
	e->time = (uint64_t)clock_now();
	e->action = a;
	e->role = -1;
	snprintf(e->user, sizeof e->user, "%s", user ? user : "");
}

/* ---- encoding ------------------------------------------------------------- */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	int bad;
};

static void
put(struct wbuf *w, const void *src, size_t n)
{
	if (w->bad || n > w->cap - w->len) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void
put_uint(struct wbuf *w, uint64_t x, size_t bytes)
{
	unsigned char b[8];

	for (size_t i = 0; i < bytes; i++)
		b[i] = (unsigned char)(x >> (8 * (bytes - 1 - i)));
	put(w, b, bytes);
}

static void
put_str(struct wbuf *w, const char *s, size_t max, size_t lenbytes)
{
	size_t n = strlen(s);

	if (n > max) {
		w->bad = 1;
		return;
	}
	put_uint(w, n, lenbytes);
	put(w, s, n);
}

enum status
audit_encode(const struct audit_entry *e, unsigned char *buf, size_t cap, size_t *len)
{
	struct wbuf w = { buf, 0, cap, 0 };
	unsigned flags = (e->has_record ? FLAG_RECORD : 0) | (e->has_digest ? FLAG_DIGEST : 0) |
	    (e->role >= 0 ? FLAG_ROLE : 0);

	*len = 0;
	if ((unsigned)e->action < 1 || (unsigned)e->action > AUDIT_ACTION_LAST || e->role > 255)
		return ST_INVALID;
	put_uint(&w, AUDIT_ENTRY_VERSION, 1);
	put_uint(&w, (uint64_t)e->action, 1);
	put_uint(&w, e->time, 8);
	put_uint(&w, flags, 1);
	put_str(&w, e->user, VAULT_USER_MAX, 1);
	put_str(&w, e->subject, VAULT_USER_MAX, 1);
	if (flags & FLAG_ROLE)
		put_uint(&w, (uint64_t)e->role, 1);
	if (flags & FLAG_RECORD)
		put(&w, e->record.b, VAULT_ID_BYTES);
	if (flags & FLAG_DIGEST)
		put(&w, e->digest, sizeof e->digest);
	put_uint(&w, e->count, 4);
	put_uint(&w, e->since, 8);
	put_str(&w, e->reason, AUDIT_REASON_MAX, 2);
	if (w.bad)
		return ST_INVALID;
	*len = w.len;
	return ST_OK;
}

struct rbuf {
	const unsigned char *p;
	size_t len, off;
	int bad;
};

static const unsigned char *
take(struct rbuf *r, size_t n)
{
	const unsigned char *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t
take_uint(struct rbuf *r, size_t bytes)
{
	const unsigned char *p = take(r, bytes);
	uint64_t x = 0;

	for (size_t i = 0; p != NULL && i < bytes; i++)
		x = x << 8 | p[i];
	return x;
}

/* A length-prefixed UTF-8 string of at most max bytes into out[max + 1]. */
static void
take_str(struct rbuf *r, char *out, size_t max, size_t lenbytes)
{
	size_t n = (size_t)take_uint(r, lenbytes);
	const unsigned char *p;

	out[0] = '\0';
	if (n > max) {
		r->bad = 1;
		return;
	}
	p = take(r, n);
	if (p == NULL || memchr(p, 0, n) != NULL || u8_check(p, n) != NULL) {
		r->bad = 1;
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

enum status
audit_decode(const unsigned char *buf, size_t len, struct audit_entry *e)
{
	struct rbuf r = { buf, len, 0, 0 };
	const unsigned char *p;
	unsigned flags;

	memset(e, 0, sizeof *e);
	e->role = -1;
	if (buf == NULL || take_uint(&r, 1) != AUDIT_ENTRY_VERSION)
		return ST_TAMPERED;
	e->action = (enum audit_action)take_uint(&r, 1);
	e->time = take_uint(&r, 8);
	flags = (unsigned)take_uint(&r, 1);
	if ((unsigned)e->action < 1 || (unsigned)e->action > AUDIT_ACTION_LAST ||
	    (flags & ~(unsigned)(FLAG_RECORD | FLAG_DIGEST | FLAG_ROLE)) != 0)
		return ST_TAMPERED;
	take_str(&r, e->user, VAULT_USER_MAX, 1);
	take_str(&r, e->subject, VAULT_USER_MAX, 1);
	if (flags & FLAG_ROLE)
		e->role = (int)take_uint(&r, 1);
	if ((flags & FLAG_RECORD) && (p = take(&r, VAULT_ID_BYTES)) != NULL) {
		e->has_record = true;
		memcpy(e->record.b, p, VAULT_ID_BYTES);
	}
	if ((flags & FLAG_DIGEST) && (p = take(&r, sizeof e->digest)) != NULL) {
		e->has_digest = true;
		memcpy(e->digest, p, sizeof e->digest);
	}
	e->count = (uint32_t)take_uint(&r, 4);
	e->since = take_uint(&r, 8);
	take_str(&r, e->reason, AUDIT_REASON_MAX, 2);
	if (r.bad || r.off != len) {
		memset(e, 0, sizeof *e);
		return ST_TAMPERED;
	}
	return ST_OK;
}

enum status
audit_head_parse(const char *text, struct vault_audit_head *out)
{
	const char *colon;
	uint64_t seq = 0;

	memset(out, 0, sizeof *out);
	if (text == NULL || (colon = strchr(text, ':')) == NULL || colon == text ||
	    colon - text > 19)
		return ST_INVALID;
	for (const char *p = text; p < colon; p++) {
		if (*p < '0' || *p > '9')
			return ST_INVALID;
		seq = seq * 10 + (uint64_t)(*p - '0');
	}
	if (seq == 0 || crypto_hex2bin(out->link, sizeof out->link, colon + 1) != ST_OK)
		return ST_INVALID;
	out->seq = seq;
	return ST_OK;
}

/* ---- description ----------------------------------------------------------- */

/* Appends s to buf with C0 controls, DEL and C1 controls replaced by '?':
 * an entry's text must not drive the terminal it is listed on. */
static void
append_safe(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0' && used + 1 < len) {
		int c1 = p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F;

		buf[used++] = (*p < 0x20 || *p == 0x7F || c1) ? '?' : (char)*p;
		p += c1 ? 2 : 1;
	}
	buf[used] = '\0';
}

static void
append_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append_fmt(char *buf, size_t len, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	append_safe(buf, len, tmp);
}

/* The words of a description are marked as core/words.h says; w translates
 * them (English without). */
#define _(s) words_get(w, s)
#define P_(one, many, n) words_nget(w, one, many, n)

void
audit_describe(const struct audit_entry *e, char *buf, size_t len)
{
	audit_describe_in(e, NULL, buf, len);
}

void
audit_describe_in(const struct audit_entry *e, const struct words *w, char *buf,
    size_t len)
{
	struct case_code code;
	char when[CLOCK_TEXT_SIZE];
	/* Data that left or entered the vault: how many records, then what. */
	int data = e->action == AUDIT_EXPORT || e->action == AUDIT_STATS ||
	    e->action == AUDIT_BUNDLE_CREATE || e->action == AUDIT_BUNDLE_IMPORT;
	int owner_said = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (e->has_record) {
		record_id_code(&e->record, &code);
		/* A draft's id is no case code: say whose draft it was. */
		if (e->action != AUDIT_DRAFT_DISCARD)
			append_safe(buf, len, code.s);
		else if (e->subject[0] != '\0') {
			/* TRANSLATORS: in `intake audit`: a discarded draft's id and
			 * the user whose draft it was. */
			append_fmt(buf, len, _("draft %s of %s"), code.s, e->subject);
			owner_said = 1;
		} else
			/* TRANSLATORS: in `intake audit`: a discarded draft's id. */
			append_fmt(buf, len, _("draft %s"), code.s);
	}
	if (e->subject[0] != '\0' && !owner_said) {
		append_safe(buf, len, !*buf ? "" : " ");
		append_safe(buf, len, e->subject);
	}
	if (e->role >= 0 && e->role <= ROLE_TRAINER)
		append_fmt(buf, len, " (%s)", words_get(w, role_name((enum role)e->role)));
	if (e->action == AUDIT_UNLOCK_FAILED) {
		/* A damaged entry may hold any time. Its words are used as they
		 * are: a translation may be longer than a time. */
		const char *since = when;

		if (e->since > (uint64_t)CLOCK_MAX || !clock_format((time_t)e->since, CLOCK_SECONDS, when))
			since = _("an unreadable time");
		append_safe(buf, len, *buf ? " " : "");
		append_fmt(buf, len, P_("%lu failed unlock since %s UTC",
		    "%lu failed unlocks since %s UTC", (unsigned long)e->count),
		    (unsigned long)e->count, since);
	}
	if (data) {
		append_safe(buf, len, *buf ? " " : "");
		append_fmt(buf, len, P_("%lu record", "%lu records", (unsigned long)e->count),
		    (unsigned long)e->count);
	}
	if (e->reason[0] != '\0') {
		/* Details, not a reason someone gave: after a comma. */
		if (e->action == AUDIT_UNLOCK_FAILED)
			data = 1;
		append_safe(buf, len, data ? ", " : *buf ? " " : "");
		/* TRANSLATORS: in `intake audit`, before the reason a user gave
		 * for amending or deleting a record. */
		append_safe(buf, len, e->action == AUDIT_VAULT_CREATE || data ? "" : _("reason: "));
		append_safe(buf, len, e->reason);
	}
}
