/*
 * caselist.c — the case list's rows: loading, ordering, searching.
 *
 * What shapes this: at 100,000 summaries, and on the virtual machines and
 * old PCs it runs on, the first touch of each fresh page of memory costs as
 * much as parsing a few rows, so a row is 24 bytes (id, start time, and one
 * number for everything else), and the rest is arrays of 4 or 8 bytes per
 * row. A row's interviewer, form, language, status and outcome (and a start
 * time not in ISO form) make its profile, stored once per distinct
 * combination; profiles hold indices into the distinct values. One pass over
 * each summary's JSON, guided by the summary before: in the usual case its
 * keys come in the same order and its values are among each column's four
 * latest, and a row costs a few compares of short texts in place. Order: a
 * radix sort of one u64 per row. Search: each word is compared with the
 * distinct values once, then each row costs a mask test, plus a look at its
 * case code or start time for a plain word that could be part of one.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "caselist.h"
#include "clock.h"

#define HUGE_PAGE       ((size_t)2 << 20)
#define BLOCK_ROWS      (HUGE_PAGE / sizeof(struct row))        /* blocks never move */
#define FIELD_MAX       96      /* bytes kept of one column (UTF-8 safe cut) */
#define VERBATIM_MAX    256     /* the same, with CASELIST_VERBATIM */
#define ROWS_MAX        (UINT32_C(1) << 30)     /* row numbers fit a sort key */
#define LAST_KEPT       4       /* values per column compared before hashing */

/* A search word is one bit of a uint32_t mask. */
_Static_assert(CASELIST_TERMS_MAX <= 32, "search words are bits of a uint32_t");

/* A profile's columns, in the order of the summary keys read; P_STARTED is
 * the start time's text when it is not "YYYY-MM-DDTHH:MM:SSZ" (else ""). */
enum { P_BY, P_FORM, P_LANG, P_STATUS, P_OUTCOME, P_STARTED, NPROF };
/* Search word kinds besides "this column only" (P_BY .. P_OUTCOME). */
enum { T_ANY = NPROF, T_DATE };

static const char *const key_name[NPROF] = {
	[P_BY] = "interviewer", [P_FORM] = "form", [P_LANG] = "lang",
	[P_STATUS] = "status", [P_OUTCOME] = "outcome", [P_STARTED] = "started",
};

static const unsigned char key_len[NPROF] = {
	[P_BY] = 11, [P_FORM] = 4, [P_LANG] = 4, [P_STATUS] = 6, [P_OUTCOME] = 7, [P_STARTED] = 7,
};

#define KEY_ORDER       8       /* keys of a summary whose order is kept */

struct row {
	struct record_id id;
	uint32_t prof;                  /* index into struct profiles */
	uint32_t when;                  /* start, seconds since 1970 (if timed) */
};

/* What a draft row shows beyond the columns: drafts are few (one user's,
 * and for a supervisor others' by owner only), kept apart from the rows. */
struct draft_info {
	uint32_t row;
	time_t saved;                   /* last written; 0 when the draft does not say */
	int answered;                   /* questions answered; -1 when unknown */
	bool others;                    /* another user's: content not read */
};

struct profile {
	uint32_t val[NPROF];            /* indices into struct values */
	bool draft;
	bool damaged;                   /* the summary failed its integrity check */
	bool timed;                     /* the start is in row.when */
};

/* The distinct column values, NUL-terminated back to back in text, found
 * through an open-addressing hash table. */
struct values {
	char *text;
	size_t len, cap;
	uint32_t *off;
	size_t n, ncap;
	uint32_t *slot;                 /* value index + 1; 0 is free */
	size_t nslot;                   /* a power of two, or 0 */
	uint32_t last[NPROF][LAST_KEPT];        /* each column's latest values + 1,
	                                         * newest first */
};

/* The distinct profiles (indices only, nothing to wipe), hashed the same
 * way. */
struct profiles {
	struct profile *p;
	size_t n, cap;
	uint32_t *slot;
	size_t nslot;
	uint32_t last;                  /* the previous row's profile + 1 */
};

struct term {
	int kind;                       /* P_* (that column), T_ANY or T_DATE */
	const char *s, *hi;             /* lower-cased, in caselist.query */
	size_t len, hilen;
	bool range;                     /* date: s..hi, either may be empty */
	bool maybe_code, maybe_time;    /* plain: could be part of a code, a time */
};

struct caselist {
	struct row **block;
	size_t nblock, blockcap, nrows;
	size_t nready;                  /* blocks made ahead (touch_ahead) */
	void *early_work;               /* finish()'s work area, made ahead */
	size_t early_size;
	void **touched;                 /* what the toucher faults in, NULL-ended */
	pthread_t toucher;
	bool touching;
	struct values vals;
	struct profiles profs;
	void *work;                     /* key, order, shown, hit (finish) */
	size_t work_used;               /* bytes */
	uint64_t *key;                  /* sort keys, by row */
	uint32_t *order;                /* every row, in display order */
	uint32_t *shown;                /* the matching rows, in display order */
	size_t nshown;
	uint32_t *vmask;                /* per value: the words it matches */
	uint32_t *pmask;                /* per profile: the words it matches */
	unsigned char *hit;             /* per row: matches the search */
	unsigned opts;                  /* CASELIST_NO_DRAFTS, CASELIST_VERBATIM */
	char query[CASELIST_QUERY_MAX];
	struct term term[CASELIST_TERMS_MAX];
	size_t nterm;
	struct draft_info *drafts;      /* one per draft row, in row order */
	size_t ndrafts, capdrafts;
	signed char key_order[KEY_ORDER];      /* summary_fields: the column of each
	                                         * key of the summary before (-1 other) */
	char day_text[10];              /* row_time: the day last parsed, */
	uint32_t day_start;             /* its first second, */
	bool day_known;                 /* when there is one */
};

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static struct row *
row_at(const struct caselist *cl, size_t i)
{
	return &cl->block[i / BLOCK_ROWS][i % BLOCK_ROWS];
}

/* memcmp(a, b, n) == 0 for the few bytes of a column or a key, without
 * the cost of a call: a summary's row makes a dozen of these. */
static inline bool
same(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	uint64_t u, w;
	uint32_t h, l;

	if (n >= 8) {
		/* Whole words, then the last eight bytes (overlapping). */
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&u, x + i, 8);
			memcpy(&w, y + i, 8);
			if (u != w)
				return false;
		}
		memcpy(&u, x + n - 8, 8);
		memcpy(&w, y + n - 8, 8);
		return u == w;
	}
	if (n >= 4) {
		/* The first four and the last four bytes (overlapping). */
		memcpy(&h, x, 4);
		memcpy(&l, y, 4);
		if (h != l)
			return false;
		memcpy(&h, x + n - 4, 4);
		memcpy(&l, y + n - 4, 4);
		return h == l;
	}
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

static const char *
value_text(const struct values *vs, uint32_t i)
{
	return vs->text + vs->off[i];
}

static void
wipe_free(void *p, size_t len)
{
	if (p != NULL)
		explicit_bzero(p, len);
	free(p);
}

/*
 * Memory for the big arrays. On the virtual machines the program runs on,
 * the first touch of each 4 KiB page costs 5-15 microseconds (more than
 * the rest of the work for 100,000 rows), so sizes from 1 MiB up are
 * rounded up to 2 MiB pages and offered to the kernel as one transparent
 * huge page each (one fault instead of 512). Not zeroed. Free with
 * wipe_free given the bytes used, not *size: wiping pages never touched
 * would fault them in for nothing.
 */
static void *
big_alloc(size_t *size)
{
	void *p;

	if (*size < HUGE_PAGE / 2)
		return malloc(*size ? *size : 1);
	*size = (*size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if ((p = aligned_alloc(HUGE_PAGE, *size)) == NULL)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, *size, MADV_HUGEPAGE);       /* a hint: failure changes nothing */
#endif
	return p;
}

static uint32_t
hash(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

/* ---- distinct values and profiles ---- */

static size_t
value_len(const struct values *vs, uint32_t i)
{
	return (i + 1 < vs->n ? vs->off[i + 1] : vs->len) - vs->off[i] - 1;
}

static bool
value_is(const struct values *vs, uint32_t i, const char *s, size_t len)
{
	return value_len(vs, i) == len && same(value_text(vs, i), s, len);
}

static enum status
values_rehash(struct values *vs, size_t nslot)
{
	uint32_t *slot = calloc(nslot, sizeof *slot);

	if (slot == NULL)
		return ST_NOMEM;
	for (size_t i = 0; i < vs->n; i++) {
		size_t k = hash(value_text(vs, (uint32_t)i), value_len(vs, (uint32_t)i)) & (nslot - 1);

		while (slot[k] != 0)
			k = (k + 1) & (nslot - 1);
		slot[k] = (uint32_t)i + 1;
	}
	free(vs->slot);
	vs->slot = slot;
	vs->nslot = nslot;
	return ST_OK;
}

/* Index of the value s (len bytes of clean text) of column col, adding it
 * when new; it becomes the newest of the column's latest values, which
 * summary_fields and add_row compare with raw JSON text: so not one
 * holding a backslash, which in JSON starts an escape. Growing the text
 * copies it and wipes the old copy (it names outcomes and people). */
static enum status
values_find(struct values *vs, int col, const char *s, size_t len, uint32_t *out)
{
	size_t k;

	if (vs->nslot != 0)
		for (k = hash(s, len) & (vs->nslot - 1); vs->slot[k] != 0; k = (k + 1) & (vs->nslot - 1))
			if (value_is(vs, vs->slot[k] - 1, s, len)) {
				*out = vs->slot[k] - 1;
				goto found;
			}
	if (vs->n >= UINT32_MAX - 1 || vs->len + len + 1 > UINT32_MAX)
		return ST_NOMEM;
	if (vs->len + len + 1 > vs->cap) {
		size_t cap = vs->cap ? vs->cap * 2 : 1024;
		char *text;

		while (cap < vs->len + len + 1)
			cap *= 2;
		if ((text = malloc(cap)) == NULL)
			return ST_NOMEM;
		if (vs->text != NULL)
			memcpy(text, vs->text, vs->len);
		wipe_free(vs->text, vs->cap);
		vs->text = text;
		vs->cap = cap;
	}
	if (vs->n == vs->ncap) {
		size_t ncap = vs->ncap ? vs->ncap * 2 : 64;
		uint32_t *off = realloc(vs->off, ncap * sizeof *off);  /* offsets only */

		if (off == NULL)
			return ST_NOMEM;
		vs->off = off;
		vs->ncap = ncap;
	}
	if ((vs->n + 1) * 2 > vs->nslot && values_rehash(vs, vs->nslot ? vs->nslot * 2 : 128) != ST_OK)
		return ST_NOMEM;
	memcpy(vs->text + vs->len, s, len);
	vs->text[vs->len + len] = '\0';
	vs->off[vs->n] = (uint32_t)vs->len;
	vs->len += len + 1;
	for (k = hash(s, len) & (vs->nslot - 1); vs->slot[k] != 0; k = (k + 1) & (vs->nslot - 1))
		;
	vs->slot[k] = (uint32_t)vs->n + 1;
	*out = (uint32_t)vs->n++;
found:
	if (memchr(s, '\\', len) == NULL) {
		uint32_t *last = vs->last[col];
		int j = 0;

		while (j < LAST_KEPT - 1 && last[j] != *out + 1)
			j++;
		memmove(&last[1], &last[0], (size_t)j * sizeof *last);
		last[0] = *out + 1;
	}
	return ST_OK;
}

static void
values_free(struct values *vs)
{
	wipe_free(vs->text, vs->cap);
	free(vs->off);
	free(vs->slot);
	memset(vs, 0, sizeof *vs);
}

static bool
profile_equal(const struct profile *a, const struct profile *b)
{
	for (int k = 0; k < NPROF; k++)
		if (a->val[k] != b->val[k])
			return false;
	return a->draft == b->draft && a->damaged == b->damaged && a->timed == b->timed;
}

/* A word at a time: a profile is six numbers, hashed once per row whose
 * profile is not the row before's. */
static uint32_t
profile_hash(const struct profile *p)
{
	uint64_t h = (uint64_t)p->draft | (uint64_t)p->timed << 1 | (uint64_t)p->damaged << 2;

	for (int k = 0; k < NPROF; k++)
		h = (h ^ p->val[k]) * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 32);
}

static enum status
profiles_rehash(struct profiles *ps, size_t nslot)
{
	uint32_t *slot = calloc(nslot, sizeof *slot);

	if (slot == NULL)
		return ST_NOMEM;
	for (size_t i = 0; i < ps->n; i++) {
		size_t k = profile_hash(&ps->p[i]) & (nslot - 1);

		while (slot[k] != 0)
			k = (k + 1) & (nslot - 1);
		slot[k] = (uint32_t)i + 1;
	}
	free(ps->slot);
	ps->slot = slot;
	ps->nslot = nslot;
	return ST_OK;
}

static enum status
profiles_find(struct profiles *ps, const struct profile *p, uint32_t *out)
{
	size_t k;

	if (ps->last != 0 && profile_equal(&ps->p[ps->last - 1], p)) {
		*out = ps->last - 1;
		return ST_OK;
	}
	if (ps->nslot != 0)
		for (k = profile_hash(p) & (ps->nslot - 1); ps->slot[k] != 0; k = (k + 1) & (ps->nslot - 1))
			if (profile_equal(&ps->p[ps->slot[k] - 1], p)) {
				ps->last = ps->slot[k];
				*out = ps->last - 1;
				return ST_OK;
			}
	if (ps->n >= UINT32_MAX - 1)
		return ST_NOMEM;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		struct profile *grown = realloc(ps->p, cap * sizeof *grown);   /* indices only */

		if (grown == NULL)
			return ST_NOMEM;
		ps->p = grown;
		ps->cap = cap;
	}
	if ((ps->n + 1) * 2 > ps->nslot && profiles_rehash(ps, ps->nslot ? ps->nslot * 2 : 128) != ST_OK)
		return ST_NOMEM;
	ps->p[ps->n] = *p;
	for (k = profile_hash(p) & (ps->nslot - 1); ps->slot[k] != 0; k = (k + 1) & (ps->nslot - 1))
		;
	ps->slot[k] = (uint32_t)ps->n + 1;
	*out = (uint32_t)ps->n++;
	ps->last = *out + 1;
	return ST_OK;
}

static void
profiles_free(struct profiles *ps)
{
	free(ps->p);
	free(ps->slot);
	memset(ps, 0, sizeof *ps);
}

/* ---- start times: "YYYY-MM-DDTHH:MM:SSZ" <-> seconds since 1970 ---- */

/* True for a real time from 1970 to 2105 (32 bits) in exactly the form
 * records store; only then does iso_text() give the same text back. */
static bool
iso_parse(const char *s, size_t len, uint32_t *out)
{
	time_t t;

	if (!clock_parse_iso(s, len, &t) || (uint64_t)t > UINT32_MAX)
		return false;
	*out = (uint32_t)t;
	return true;
}

/* Two digits at s, or -1. */
static int
two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* iso_parse for a row: most rows start on the same day as the row before
 * (the listing keeps the order they were saved in), so the day of the last
 * time parsed is kept, and a time on that day costs its clock part only.
 * Same answer as iso_parse. */
static bool
row_time(struct caselist *cl, const char *s, size_t len, uint32_t *out)
{
	int h, m, sec;
	uint64_t t;

	if (len == 20 && cl->day_known && same(s, cl->day_text, 10) && s[10] == 'T' &&
	    s[13] == ':' && s[16] == ':' && s[19] == 'Z' && (h = two_digits(s + 11)) >= 0 &&
	    h <= 23 && (m = two_digits(s + 14)) >= 0 && m <= 59 &&
	    (sec = two_digits(s + 17)) >= 0 && sec <= 59) {
		t = (uint64_t)cl->day_start + (uint64_t)(h * 3600 + m * 60 + sec);
		if (t > UINT32_MAX)
			return false;
		*out = (uint32_t)t;
		return true;
	}
	if (!iso_parse(s, len, out))
		return false;
	memcpy(cl->day_text, s, 10);
	h = two_digits(s + 11);
	m = two_digits(s + 14);
	sec = two_digits(s + 17);
	cl->day_start = *out - (uint32_t)(h * 3600 + m * 60 + sec);
	cl->day_known = true;
	return true;
}

/* out gets CLOCK_TEXT_SIZE bytes. */
static void
iso_text(uint32_t when, char *out)
{
	clock_format((time_t)when, CLOCK_ISO, out);
}

/* ---- reading summaries ---- */

/* A column's text as found: raw JSON string content (escapes not yet
 * decoded) or text already decoded (drafts, through jansson). */
struct slice {
	const char *s;
	size_t len;
	bool json;
	uint32_t val;                   /* the column's value it is known to be
	                                 * + 1; 0 when not looked up */
};

/* The quote that ends the JSON string whose content starts at p (end when
 * it does not end). A byte loop: the strings of a summary are a few bytes
 * long, shorter than what a call to memchr costs. A backslash escapes the
 * byte after it, so \\" ends a string and \" does not. */
static const char *
string_end(const char *p, const char *end)
{
	while (p < end) {
		if (*p == '"')
			return p;
		if (*p == '\\') {
			if (end - p < 2)
				return end;
			p += 2;
		} else
			p++;
	}
	return end;
}

/* The ',' or closing bracket that ends the (non-string) value at p. */
static const char *
skip_value(const char *p, const char *end)
{
	int depth = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			if ((p = string_end(p + 1, end)) == end)
				break;
		} else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth-- == 0)
				return p;
		} else if (*p == ',' && depth == 0)
			return p;
	}
	return end;
}

/* Compact JSON has no space: the first test is all most calls make. */
static const char *
skip_space(const char *p, const char *end)
{
	if (p == end || (unsigned char)*p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int
key_index(const char *k, size_t len)
{
	int i;

	switch (len) {
	case 4: i = k[0] == 'f' ? P_FORM : P_LANG; break;
	case 6: i = P_STATUS; break;
	case 7: i = k[0] == 'o' ? P_OUTCOME : P_STARTED; break;
	case 11: i = P_BY; break;
	default: return -1;
	}
	return memcmp(key_name[i], k, len) == 0 ? i : -1;
}

/*
 * The six columns of a summary (interview_summary_json: one flat, compact
 * JSON object) in one pass, without a JSON parser or a copy: the list reads
 * a million of them. A missing key, a non-string value or malformed JSON
 * leaves the column empty. Never reads past len.
 *
 * Summaries written by one intake have their keys in one order and repeat
 * a few values per column, so each key is first compared with the key
 * found at that place in the summary before, and each value with the
 * column's latest values (struct values, last): a match skips scanning the
 * text and, for a value, looking it up again (f[k].val). A latest value
 * holds no backslash, so when its bytes are followed by a quote the JSON
 * string ends there.
 */
static void
summary_fields(struct caselist *cl, const char *js, size_t len, struct slice f[NPROF])
{
	const struct values *vs = &cl->vals;
	const char *p = js, *end = js + len;

	for (int k = 0; k < NPROF; k++)
		f[k] = (struct slice){ "", 0, true, 0 };
	p = skip_space(p, end);
	if (p == end || *p++ != '{')
		return;
	for (size_t i = 0;; i++) {
		const char *ks, *v;
		int k = i < KEY_ORDER ? cl->key_order[i] : -1;
		size_t klen = k >= 0 ? key_len[k] : 0;

		p = skip_space(p, end);
		if (p == end || *p != '"')
			return;
		ks = p + 1;
		if (k >= 0 && (size_t)(end - ks) > klen && ks[klen] == '"' &&
		    same(ks, key_name[k], klen)) {
			p = ks + klen;
		} else {
			if ((p = string_end(ks, end)) == end)
				return;
			k = key_index(ks, (size_t)(p - ks));
			if (i < KEY_ORDER)
				cl->key_order[i] = (signed char)k;
		}
		p = skip_space(p + 1, end);
		if (p == end || *p != ':')
			return;
		p = skip_space(p + 1, end);
		if (p < end && *p == '"') {
			v = p + 1;
			if (k >= 0) {
				const uint32_t *last = vs->last[k];

				for (int j = 0; j < LAST_KEPT && last[j] != 0; j++) {
					size_t vl = value_len(vs, last[j] - 1);

					if ((size_t)(end - v) > vl && v[vl] == '"' &&
					    same(v, value_text(vs, last[j] - 1), vl)) {
						f[k] = (struct slice){ v, vl, true, last[j] };
						p = v + vl;
						break;
					}
				}
			}
			if (k < 0 || f[k].s != v) {
				if ((p = string_end(v, end)) == end)
					return;
				if (k >= 0)
					f[k] = (struct slice){ v, (size_t)(p - v), true, 0 };
			}
			p++;
		} else
			p = skip_value(p, end);
		p = skip_space(p, end);
		if (p == end || *p++ != ',')
			return;
	}
}

/* True when t is the same raw or decoded and safe to show as is: no
 * escape, no control character, short enough to keep whole. */
static bool
plain_text(const struct slice *t)
{
	if (t->len >= FIELD_MAX)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->s[i];

		if (c < 0x20 || c == 0x7f || (c == '\\' && t->json))
			return false;
	}
	return true;
}

static struct slice
text_slice(const char *s)
{
	return (struct slice){ s, strlen(s), false, 0 };
}

/* Cuts dst[0..o) back to a whole UTF-8 character; returns the length. */
static size_t
whole_chars(char *dst, size_t o)
{
	while (o > 0 && ((unsigned char)dst[o - 1] & 0xc0) == 0x80)
		o--;
	if (o > 0 && (unsigned char)dst[o - 1] >= 0xc0)
		o--;
	return o;
}

/* Decodes t into dst (FIELD_MAX bytes): JSON escapes are kept simple
 * (\uXXXX becomes '?'), control characters become spaces (nothing from a
 * record may steer the terminal), and a long text is cut between
 * characters. Returns the length. */
static size_t
clean_text(const struct slice *t, char *dst)
{
	size_t o = 0, i;

	for (i = 0; i < t->len && o + 1 < FIELD_MAX; i++) {
		unsigned char c = (unsigned char)t->s[i];

		if (c == '\\' && t->json && i + 1 < t->len) {
			c = (unsigned char)t->s[++i];
			if (c == 'u') {
				c = '?';
				i += 4;
			} else if (c != '"' && c != '\\' && c != '/')
				c = ' ';
		}
		dst[o++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
	}
	if (i < t->len)
		o = whole_chars(dst, o);
	dst[o] = '\0';
	return o;
}

/* The four hex digits at s (n bytes there) as a number; 0 when they are
 * not four hex digits. */
static int
hex4(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n < 4)
		return 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v << 4 | (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

/* Decodes t into dst (VERBATIM_MAX bytes) as JSON decodes it, control
 * characters kept (\u0000 dropped, a lone surrogate U+FFFD), for a caller
 * that filters what it prints; a long text is cut between characters.
 * Returns the length. */
static size_t
verbatim_text(const struct slice *t, char *dst)
{
	size_t o = 0, i;

	for (i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->s[i], u8[4];
		uint32_t cp, lo;
		size_t n = 1;

		u8[0] = c;
		if (c == '\\' && t->json && i + 1 < t->len) {
			c = (unsigned char)t->s[++i];
			switch (c) {
			case 'b': u8[0] = '\b'; break;
			case 'f': u8[0] = '\f'; break;
			case 'n': u8[0] = '\n'; break;
			case 'r': u8[0] = '\r'; break;
			case 't': u8[0] = '\t'; break;
			case 'u':
				if (!hex4(t->s + i + 1, t->len - i - 1, &cp)) {
					u8[0] = '?';
					break;
				}
				i += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && i + 2 < t->len && t->s[i + 1] == '\\' &&
				    t->s[i + 2] == 'u' && hex4(t->s + i + 3, t->len - i - 3, &lo) &&
				    lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				} else if (cp >= 0xd800 && cp < 0xe000)
					cp = 0xfffd;
				if (cp == 0)
					n = 0;
				else if (cp < 0x80)
					u8[0] = (unsigned char)cp;
				else if (cp < 0x800) {
					u8[0] = (unsigned char)(0xc0 | cp >> 6);
					u8[1] = (unsigned char)(0x80 | (cp & 0x3f));
					n = 2;
				} else if (cp < 0x10000) {
					u8[0] = (unsigned char)(0xe0 | cp >> 12);
					u8[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
					u8[2] = (unsigned char)(0x80 | (cp & 0x3f));
					n = 3;
				} else {
					u8[0] = (unsigned char)(0xf0 | cp >> 18);
					u8[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
					u8[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
					u8[3] = (unsigned char)(0x80 | (cp & 0x3f));
					n = 4;
				}
				break;
			default: u8[0] = c; break;      /* \" \\ \/ */
			}
		}
		if (o + n + 1 > VERBATIM_MAX) {
			o = whole_chars(dst, o);
			break;
		}
		memcpy(dst + o, u8, n);
		o += n;
	}
	dst[o] = '\0';
	return o;
}

/* The text to keep for t: t itself when plain, else its cleaned (or with
 * CASELIST_VERBATIM, decoded) copy in buf (VERBATIM_MAX bytes). */
static struct slice
kept_text(const struct caselist *cl, const struct slice *t, char *buf)
{
	if (plain_text(t))
		return *t;
	if (cl->opts & CASELIST_VERBATIM)
		return (struct slice){ buf, verbatim_text(t, buf), false, 0 };
	return (struct slice){ buf, clean_text(t, buf), false, 0 };
}

static enum status
add_row(struct caselist *cl, const struct record_id *id, bool draft, bool damaged,
    const struct slice f[NPROF], char buf[VERBATIM_MAX])
{
	struct profile p;
	struct row *r;
	uint32_t when = 0;
	enum status st;

	if (cl->nrows >= ROWS_MAX)
		return ST_NOMEM;
	if (cl->nrows == cl->nblock * BLOCK_ROWS && cl->nblock < cl->nready) {
		cl->nblock++;           /* made ahead */
	} else if (cl->nrows == cl->nblock * BLOCK_ROWS) {
		size_t size = HUGE_PAGE;

		if (cl->nblock == cl->blockcap) {
			/* Only block addresses move here, never a row. */
			size_t cap = cl->blockcap ? cl->blockcap * 2 : 16;
			struct row **grown = realloc(cl->block, cap * sizeof *grown);

			if (grown == NULL)
				return ST_NOMEM;
			cl->block = grown;
			cl->blockcap = cap;
		}
		if ((cl->block[cl->nblock] = big_alloc(&size)) == NULL)
			return ST_NOMEM;
		cl->nblock++;
	}
	memset(&p, 0, sizeof p);
	p.draft = draft;
	p.damaged = damaged;
	p.timed = row_time(cl, f[P_STARTED].s, f[P_STARTED].len, &when);
	for (int k = 0; k < NPROF; k++) {
		struct slice t = k == P_STARTED && p.timed ? text_slice("") : f[k];
		const uint32_t *last = cl->vals.last[k];
		int j;

		if (t.val != 0) {       /* found by summary_fields */
			p.val[k] = t.val - 1;
			continue;
		}

		/* Most rows repeat one of the latest rows' values, compared raw. */
		for (j = 0; j < LAST_KEPT && last[j] != 0; j++)
			if (value_is(&cl->vals, last[j] - 1, t.s, t.len))
				break;
		if (j < LAST_KEPT && last[j] != 0) {
			p.val[k] = last[j] - 1;
			continue;
		}
		t = kept_text(cl, &t, buf);
		if ((st = values_find(&cl->vals, k, t.s, t.len, &p.val[k])) != ST_OK)
			return st;
	}
	r = row_at(cl, cl->nrows);
	if ((st = profiles_find(&cl->profs, &p, &r->prof)) != ST_OK)
		return st;
	r->id = *id;
	r->when = when;
	cl->nrows++;
	return ST_OK;
}

/* ---- order ---- */

/* LSD radix sort, a byte at a time, ascending, of the bits from `first`
 * up; the result is in a. Stable: keys equal in those bits keep their
 * order, so keys already in order in the bits below first need no pass
 * over them. Passes where every key has the same byte (most: dates share
 * their high bits) are skipped. */
static void
radix_sort(uint64_t *a, uint64_t *tmp, size_t n, unsigned first)
{
	uint64_t *src = a, *dst = tmp, *swap;

	for (unsigned shift = first; shift < 64; shift += 8) {
		size_t count[256] = { 0 }, pos = 0;

		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		if (count[(src[0] >> shift) & 0xff] == n)
			continue;
		for (size_t b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

static void run_filter(struct caselist *cl);

static void
arrays_free(struct caselist *cl)
{
	/* The sort keys there are start times. */
	wipe_free(cl->work, cl->work_used);
	free(cl->vmask);
	free(cl->pmask);
	cl->work = NULL;
	cl->work_used = 0;
	cl->key = NULL;
	cl->order = cl->shown = cl->vmask = cl->pmask = NULL;
	cl->hit = NULL;
	cl->nshown = 0;
}

/* After the rows are read: the display order and the search's arrays, all
 * sized now so that a keystroke allocates nothing. The sort key of a row is
 * one u64: not a draft (1 bit), no ISO start time (1 bit), the start time
 * counting down (32 bits), the row number (30 bits): ascending, it is drafts
 * first, then newest first, then start times that are not times, each group
 * in the order read. */
static enum status
finish(struct caselist *cl)
{
	size_t n = cl->nrows;
	/* One block: keys, scratch for the sort that becomes order and shown,
	 * then the per-row search results. */
	size_t size = cl->work_used = n * (2 * sizeof(uint64_t) + 1);

	if (cl->early_work != NULL && cl->early_size >= size) {
		cl->work = cl->early_work;
	} else {
		free(cl->early_work);
		cl->work = big_alloc(&size);
	}
	cl->early_work = NULL;
	cl->early_size = 0;
	cl->vmask = malloc((cl->vals.n ? cl->vals.n : 1) * sizeof *cl->vmask);
	cl->pmask = malloc((cl->profs.n ? cl->profs.n : 1) * sizeof *cl->pmask);
	if (cl->work == NULL || cl->vmask == NULL || cl->pmask == NULL) {
		arrays_free(cl);
		return ST_NOMEM;
	}
	cl->key = cl->work;
	cl->order = (uint32_t *)(void *)(cl->key + n);
	cl->shown = cl->order + n;
	cl->hit = (unsigned char *)(cl->shown + n);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = row_at(cl, i);
		const struct profile *p = &cl->profs.p[r->prof];

		cl->key[i] = (uint64_t)!p->draft << 63 | (uint64_t)!p->timed << 62 |
		    (uint64_t)(UINT32_MAX - (p->timed ? r->when : 0)) << 30 | i;
	}
	/* The keys are made in row order, which is the order of their low 30
	 * bits: only the bits above need sorting. */
	if (n > 1)
		radix_sort(cl->key, (uint64_t *)(void *)cl->order, n, 30);
	for (size_t i = 0; i < n; i++)
		cl->order[i] = (uint32_t)(cl->key[i] & (ROWS_MAX - 1));
	run_filter(cl);
	return ST_OK;
}

/* ---- loading ---- */

struct load {
	struct caselist *cl;
	const char *only;               /* the interviewer, when not a supervisor */
	enum status st;
	char buf[VERBATIM_MAX];         /* wiped once at the end, not per row */
};

static int
on_summary(void *p, const struct record_id *id, enum status st, const char *json, size_t len)
{
	struct load *ld = p;
	struct slice f[NPROF];

	if (st != ST_OK) {
		for (int k = 0; k < NPROF; k++)
			f[k] = text_slice("");
		f[P_STATUS] = text_slice("DAMAGED");
	} else {
		summary_fields(ld->cl, json, len, f);
		if (ld->only != NULL) {
			struct slice by = kept_text(ld->cl, &f[P_BY], ld->buf);

			if (by.len != strlen(ld->only) || memcmp(by.s, ld->only, by.len) != 0)
				return 0;
		}
	}
	if ((ld->st = add_row(ld->cl, id, false, st != ST_OK, f, ld->buf)) != ST_OK)
		return 1;
	return 0;
}

/* Draft JSON is the whole interview (interview_to_json), nested: parsed
 * with jansson, which is fine for the few drafts one user has. The outcome
 * there is provisional (the interview is not over) and is not shown. */
static struct slice
draft_field(json_t *o, const char *key)
{
	json_t *j = json_object_get(o, key);

	if (json_is_object(j))
		j = json_object_get(j, "id");
	return text_slice(json_is_string(j) ? json_string_value(j) : "");
}

/* Notes what the draft row just added shows besides its columns. */
static enum status
draft_note(struct caselist *cl, time_t saved, int answered, bool others)
{
	struct draft_info *d;

	if (cl->ndrafts == cl->capdrafts) {
		size_t cap = cl->capdrafts ? 2 * cl->capdrafts : 8;
		struct draft_info *grown = realloc(cl->drafts, cap * sizeof *grown);

		if (grown == NULL)
			return ST_NOMEM;
		cl->drafts = grown;
		cl->capdrafts = cap;
	}
	d = &cl->drafts[cl->ndrafts++];
	d->row = (uint32_t)(cl->nrows - 1);
	d->saved = saved;
	d->answered = answered;
	d->others = others;
	return ST_OK;
}

/* Other users' drafts, for who may discard them: by owner and id only. */
static enum status
load_others(struct caselist *cl, struct vault *v, struct load *ld)
{
	struct vault_draft_ref *refs = NULL;
	size_t n = 0;
	enum status st = ST_OK;

	if (!vault_allowed(v, VAULT_RIGHT_DELETE) || vault_draft_others(v, &refs, &n) != ST_OK)
		return ST_OK;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		struct slice f[NPROF];

		for (int k = 0; k < NPROF; k++)
			f[k] = text_slice("");
		f[P_BY] = text_slice(refs[i].owner);
		f[P_STATUS] = text_slice("draft");
		st = add_row(cl, &refs[i].id, true, false, f, ld->buf);
		if (st == ST_OK)
			st = draft_note(cl, 0, -1, true);
	}
	free(refs);
	return st;
}

static enum status
load_drafts(struct caselist *cl, struct vault *v, struct load *ld)
{
	struct record_id *drafts = NULL;
	size_t nd = 0;
	enum status st = ST_OK;

	if (vault_draft_list(v, &drafts, &nd) != ST_OK)
		return ST_OK;   /* the cases are still worth showing */
	for (size_t i = 0; i < nd && st == ST_OK; i++) {
		struct slice f[NPROF];
		char *s = NULL;
		size_t sl = 0;
		json_t *o, *j;
		const char *saved;
		time_t when = 0;
		int answered = -1;

		if (vault_draft_get(v, &drafts[i], &s, &sl) != ST_OK)
			continue;
		o = json_loadb(s, sl, 0, NULL);
		vault_plain_free(s, sl);
		if (o == NULL)
			continue;
		for (int k = 0; k < NPROF; k++)
			f[k] = draft_field(o, key_name[k]);
		f[P_OUTCOME] = text_slice("");
		if ((saved = json_string_value(json_object_get(o, "saved"))) != NULL &&
		    !clock_parse_iso(saved, strlen(saved), &when))
			when = 0;
		j = json_object_get(o, "answered");
		if (json_is_integer(j) && json_integer_value(j) >= 0 &&
		    json_integer_value(j) <= 1000000)
			answered = (int)json_integer_value(j);
		st = add_row(cl, &drafts[i], true, false, f, ld->buf);
		if (st == ST_OK)
			st = draft_note(cl, when, answered, false);
		json_decref(o);
	}
	free(drafts);
	if (st == ST_OK)
		st = load_others(cl, v, ld);
	return st;
}

static void
rows_free(struct caselist *cl)
{
	size_t nb = cl->nblock > cl->nready ? cl->nblock : cl->nready;

	for (size_t b = 0; b < nb; b++) {
		size_t used = b < cl->nblock ? cl->nrows - b * BLOCK_ROWS : 0;

		wipe_free(cl->block[b], (used < BLOCK_ROWS ? used : BLOCK_ROWS) * sizeof **cl->block);
	}
	free(cl->block);
	cl->block = NULL;
	cl->nblock = cl->blockcap = cl->nrows = cl->nready = 0;
	free(cl->early_work);           /* never written: nothing to wipe */
	cl->early_work = NULL;
	cl->early_size = 0;
	values_free(&cl->vals);
	profiles_free(&cl->profs);
	arrays_free(cl);
	if (cl->drafts != NULL)
		explicit_bzero(cl->drafts, cl->capdrafts * sizeof *cl->drafts);
	free(cl->drafts);
	cl->drafts = NULL;
	cl->ndrafts = cl->capdrafts = 0;
	explicit_bzero(cl->day_text, sizeof cl->day_text);
	cl->day_start = 0;
	cl->day_known = false;
}

/*
 * Memory touched ahead. Even in huge pages, the first touch of the 41 MiB
 * a million rows take was half of loading them on these machines (the host
 * backs each page as the guest first writes it). A supervisor's list holds
 * a row for every summary, a number known before the listing is read: the
 * row blocks and finish()'s work area for that many are made first, and a
 * second thread has the kernel fault them in (MADV_POPULATE_WRITE, which
 * writes nothing into them) while this one decrypts and reads the listing.
 * Where the call or the thread is not available, rows are faulted in as
 * they are written, as before.
 */
#define AHEAD_MIN       (BLOCK_ROWS / 2)        /* fewer rows: not worth a thread */
/* The count comes from the file: a file edited to claim a billion
 * summaries must not make the list take 40 GiB before it reads one. Past
 * this many (four times an office's million), rows beyond are made as
 * they come. */
#define AHEAD_MAX       ((size_t)4 << 20)

static size_t ahead_min = AHEAD_MIN;

void
caselist_test_ahead(size_t min_rows)
{
	ahead_min = min_rows ? min_rows : AHEAD_MIN;
}

#ifdef MADV_POPULATE_WRITE
static void *
toucher(void *arg)
{
	void **p = arg;

	/* Blocks first, in the order rows fill them; the work area last. */
	for (size_t i = 0; p[i] != NULL; i++)
		madvise(p[i], HUGE_PAGE, MADV_POPULATE_WRITE);
	return NULL;
}
#endif

static void
touch_ahead(struct caselist *cl, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	size_t nb, size, areas = 0, work_pages;

	if (n < ahead_min || cl->nblock != 0)
		return;
	if (n > AHEAD_MAX)
		n = AHEAD_MAX;
	nb = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
	size = n * (2 * sizeof(uint64_t) + 1);
	if ((cl->block = calloc(nb, sizeof *cl->block)) == NULL)
		return;
	cl->blockcap = nb;
	for (; cl->nready < nb; cl->nready++) {
		size_t bs = HUGE_PAGE;

		if ((cl->block[cl->nready] = big_alloc(&bs)) == NULL)
			break;
	}
	cl->early_work = big_alloc(&size);
	cl->early_size = cl->early_work != NULL ? size : 0;
	/* The toucher gets its own list of 2 MiB pieces: add_row may move
	 * cl->block meanwhile. */
	work_pages = cl->early_size / HUGE_PAGE;
	if ((cl->touched = calloc(cl->nready + work_pages + 2, sizeof *cl->touched)) == NULL)
		return;
	for (size_t b = 0; b < cl->nready; b++)
		cl->touched[areas++] = cl->block[b];
	for (size_t w = 0; w < work_pages; w++)
		cl->touched[areas++] = (char *)cl->early_work + w * HUGE_PAGE;
	cl->touching = pthread_create(&cl->toucher, NULL, toucher, cl->touched) == 0;
#else
	(void)cl;
	(void)n;
#endif
}

static void
touch_done(struct caselist *cl)
{
	if (cl->touching)
		pthread_join(cl->toucher, NULL);
	cl->touching = false;
	free(cl->touched);
	cl->touched = NULL;
}

enum status
caselist_load(struct caselist *cl, struct vault *v, enum caselist_source *src)
{
	struct load *ld;
	enum status st;
	size_t n;

	rows_free(cl);
	*src = CASELIST_LISTING;
	if ((ld = calloc(1, sizeof *ld)) == NULL)
		return ST_NOMEM;
	ld->cl = cl;
	ld->only = vault_allowed(v, VAULT_RIGHT_READ_ALL) ? NULL : vault_user(v);
	ld->st = ST_OK;
	if (ld->only == NULL && vault_summary_count(v, &n) == ST_OK)
		touch_ahead(cl, n);
	st = vault_listing_scan(v, on_summary, ld);
	touch_done(cl);
	if (st != ST_OK || ld->st != ST_OK) {
		/* Whatever the listing gave before it failed is dropped: the scan
		 * gives every summary again, and names the damaged ones. */
		*src = st == ST_TAMPERED ? CASELIST_LISTING_DAMAGED : CASELIST_SCAN;
		rows_free(cl);
		ld->st = ST_OK;
		st = vault_summary_scan(v, on_summary, ld);
	}
	if (st == ST_OK)
		st = ld->st;
	if (st == ST_OK && !(cl->opts & CASELIST_NO_DRAFTS))
		st = load_drafts(cl, v, ld);
	if (finish(cl) != ST_OK)
		st = ST_NOMEM;
	explicit_bzero(ld, sizeof *ld);
	free(ld);
	return st;
}

/* ---- searching ---- */

/* Lower-case letters a case code or a start time can hold: a word with
 * any other character cannot match them, and is not tried on every row. */
#define CODE_CHARS "0123456789abcdefghjkmnpqrstvwxyz-()"
#define TIME_CHARS "0123456789-t:z"

static bool
charset(const char *s, size_t len, const char *set)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return false;
	return true;
}

/* A date: value into t; false when it is not a date or a range. */
static bool
parse_date(struct term *t, char *err, size_t errlen)
{
	const char *dots = memmem(t->s, t->len, "..", 2);

	if (dots == NULL) {
		if (charset(t->s, t->len, TIME_CHARS))
			return true;
	} else {
		t->range = true;
		t->hi = dots + 2;
		t->hilen = t->len - (size_t)(t->hi - t->s);
		t->len = (size_t)(dots - t->s);
		if (charset(t->s, t->len, TIME_CHARS) && charset(t->hi, t->hilen, TIME_CHARS)) {
			size_t n = t->len < t->hilen ? t->len : t->hilen;

			if (t->len == 0 || t->hilen == 0 || memcmp(t->s, t->hi, n) <= 0)
				return true;
			status_msg(err, errlen, "date:%.*s..%.*s ends before it starts: put the earlier date "
			    "first", (int)t->len, t->s, (int)t->hilen, t->hi);
			return false;
		}
	}
	status_msg(err, errlen, "date: takes a date or its start (2025, 2025-11, 2025-11-02) or a "
	    "range such as date:2025-10..2025-11");
	return false;
}

static int
qualifier(const char *s, size_t len)
{
	static const struct { const char *name; int kind; } q[] = {
		{ "status", P_STATUS }, { "outcome", P_OUTCOME }, { "form", P_FORM },
		{ "lang", P_LANG }, { "by", P_BY }, { "date", T_DATE },
	};

	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
		if (strlen(q[i].name) == len && memcmp(q[i].name, s, len) == 0)
			return q[i].kind;
	return -1;
}

/* Splits the lower-cased query into words in place. A word that cannot be
 * understood is kept as plain text; the first problem is described. */
static enum status
parse_query(struct caselist *cl, char *err, size_t errlen)
{
	enum status st = ST_OK;
	char *p = cl->query;

	cl->nterm = 0;
	for (;;) {
		struct term *t;
		char *w, *colon;
		size_t n = 0;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p == ' ')
			*p++ = '\0';
		if (cl->nterm == CASELIST_TERMS_MAX) {
			status_msg(err, errlen, "Only the first %d words of the search are used",
			    CASELIST_TERMS_MAX);
			st = ST_INVALID;
			break;
		}
		t = &cl->term[cl->nterm++];
		memset(t, 0, sizeof *t);
		t->kind = T_ANY;
		t->s = w;
		t->len = strlen(w);
		if ((colon = memchr(w, ':', t->len)) == NULL)
			goto plain;
		while (w + n < colon && w[n] >= 'a' && w[n] <= 'z')
			n++;
		if (n == 0 || w + n != colon)
			goto plain;     /* "10:30" is plain text: part of a time */
		if ((t->kind = qualifier(w, n)) < 0) {
			t->kind = T_ANY;
			if (st == ST_OK)
				status_msg(err, errlen, "\"%.*s:\" is not a filter: use status: outcome: form: "
				    "lang: by: or date:", (int)n, w);
			st = ST_INVALID;
			goto plain;
		}
		t->s = colon + 1;
		t->len = strlen(t->s);
		if (t->kind != T_DATE || parse_date(t, st == ST_OK ? err : NULL, errlen))
			continue;
		memset(t, 0, sizeof *t);
		t->kind = T_ANY;
		t->s = w;
		t->len = strlen(w);
		st = ST_INVALID;
plain:
		t->maybe_code = charset(t->s, t->len, CODE_CHARS);
		t->maybe_time = charset(t->s, t->len, TIME_CHARS);
	}
	return st;
}

/* needle is lower-case; hay compared ASCII case-insensitively. */
static bool
contains(const char *hay, const char *needle, size_t n)
{
	if (n == 0)
		return true;
	for (; *hay != '\0'; hay++) {
		size_t j = 0;

		while (j < n && hay[j] != '\0' && lower((unsigned char)hay[j]) == (unsigned char)needle[j])
			j++;
		if (j == n)
			return true;
		if (hay[j] == '\0' && j > 0)
			return false;   /* what is left of hay is shorter than needle */
	}
	return false;
}

/* Compares the first n bytes of s (case-insensitively; a shorter s is
 * smaller) with the lower-case bound b. */
static int
cmp_prefix(const char *s, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = lower((unsigned char)s[i]);

		if (c != (unsigned char)b[i])
			return c < (unsigned char)b[i] ? -1 : 1;
	}
	return 0;
}

static bool
date_matches(const struct term *t, const char *started)
{
	if (!t->range)
		return cmp_prefix(started, t->s, t->len) == 0;
	return (t->len == 0 || cmp_prefix(started, t->s, t->len) >= 0) &&
	    (t->hilen == 0 || cmp_prefix(started, t->hi, t->hilen) <= 0);
}

/* Whether row r matches the words in miss (those its profile did not
 * match): dates against its start time, plain words against its case code
 * and start time, each made only when a word needs it. */
static bool
row_matches(const struct caselist *cl, const struct row *r, uint32_t miss)
{
	const struct profile *p = &cl->profs.p[r->prof];
	char when[24] = "";
	struct case_code code = { "" };

	for (; miss != 0; miss &= miss - 1) {
		const struct term *w = &cl->term[__builtin_ctz(miss)];
		bool ok = false;

		if (w->kind == T_DATE || (w->maybe_time && p->timed)) {
			if (when[0] == '\0') {
				if (p->timed)
					iso_text(r->when, when);
				else
					snprintf(when, sizeof when, "%s", value_text(&cl->vals, p->val[P_STARTED]));
			}
			ok = w->kind == T_DATE ? date_matches(w, when) : contains(when, w->s, w->len);
		}
		if (!ok && w->kind == T_ANY && w->maybe_code) {
			if (code.s[0] == '\0') {
				if (p->draft)
					memcpy(code.s, "(draft)", sizeof "(draft)");
				else
					record_id_code(&r->id, &code);
			}
			ok = contains(code.s, w->s, w->len);
		}
		if (!ok)
			return false;
	}
	return true;
}

/* Per keystroke: each word against each distinct value once, each profile
 * from its values, then each row: a mask test, and only when that leaves a
 * word unmatched, a look at its code and time. Rows are visited in memory
 * order (cache friendly), then the display order picks the matching ones. */
static void
run_filter(struct caselist *cl)
{
	uint32_t all, any = 0, col[NPROF] = { 0 };

	cl->nshown = 0;
	if (cl->order == NULL)
		return;
	if (cl->nterm == 0) {
		memcpy(cl->shown, cl->order, cl->nrows * sizeof *cl->shown);
		cl->nshown = cl->nrows;
		return;
	}
	all = cl->nterm == 32 ? UINT32_MAX : (UINT32_C(1) << cl->nterm) - 1;
	memset(cl->vmask, 0, cl->vals.n * sizeof *cl->vmask);
	for (size_t t = 0; t < cl->nterm; t++) {
		const struct term *w = &cl->term[t];
		uint32_t bit = UINT32_C(1) << t;

		if (w->kind == T_DATE)
			continue;
		if (w->kind == T_ANY)
			any |= bit;
		else
			col[w->kind] |= bit;
		for (size_t i = 0; i < cl->vals.n; i++) {
			const char *v = value_text(&cl->vals, (uint32_t)i);

			if (w->kind == T_ANY ? contains(v, w->s, w->len) :
			    strlen(v) >= w->len && cmp_prefix(v, w->s, w->len) == 0)
				cl->vmask[i] |= bit;
		}
	}
	for (int c = 0; c < NPROF; c++)
		col[c] |= any;
	for (size_t i = 0; i < cl->profs.n; i++) {
		const struct profile *p = &cl->profs.p[i];

		cl->pmask[i] = 0;
		for (int c = 0; c < NPROF; c++)
			cl->pmask[i] |= cl->vmask[p->val[c]] & col[c];
	}
	for (size_t i = 0; i < cl->nrows; i++) {
		const struct row *r = row_at(cl, i);
		uint32_t miss = all & ~cl->pmask[r->prof];

		cl->hit[i] = miss == 0 || row_matches(cl, r, miss);
	}
	for (size_t i = 0; i < cl->nrows; i++)
		if (cl->hit[cl->order[i]])
			cl->shown[cl->nshown++] = cl->order[i];
}

enum status
caselist_filter(struct caselist *cl, const char *query, char *err, size_t errlen)
{
	size_t len = strlen(query);
	enum status st = ST_OK;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len >= sizeof cl->query) {
		status_msg(err, errlen, "The search is too long: only its first %d bytes are used",
		    CASELIST_QUERY_MAX - 1);
		len = sizeof cl->query - 1;
		st = ST_INVALID;
	}
	explicit_bzero(cl->query, sizeof cl->query);
	for (size_t i = 0; i < len; i++)
		cl->query[i] = query[i] == '\t' ? ' ' : (char)lower((unsigned char)query[i]);
	if (parse_query(cl, st == ST_OK ? err : NULL, errlen) != ST_OK)
		st = ST_INVALID;
	run_filter(cl);
	return st;
}

/* ---- the rest of the interface ---- */

struct caselist *
caselist_new(void)
{
	return calloc(1, sizeof(struct caselist));
}

void
caselist_set_options(struct caselist *cl, unsigned opts)
{
	cl->opts = opts;
}

void
caselist_clear(struct caselist *cl)
{
	if (cl != NULL)
		rows_free(cl);
}

void
caselist_free(struct caselist *cl)
{
	if (cl == NULL)
		return;
	rows_free(cl);
	explicit_bzero(cl, sizeof *cl);
	free(cl);
}

size_t caselist_count(const struct caselist *cl) { return cl->nrows; }
size_t caselist_shown(const struct caselist *cl) { return cl->nshown; }

bool
caselist_row(const struct caselist *cl, size_t i, struct caselist_row *out)
{
	const struct row *r;
	const struct profile *p;
	struct case_code code;

	if (i >= cl->nshown)
		return false;
	r = row_at(cl, cl->shown[i]);
	p = &cl->profs.p[r->prof];
	out->id = r->id;
	out->draft = p->draft;
	out->damaged = p->damaged;
	if (p->draft)
		memcpy(out->code, "(draft)", sizeof "(draft)");
	else {
		record_id_code(&r->id, &code);
		memcpy(out->code, code.s, sizeof out->code);
	}
	if (p->timed)
		iso_text(r->when, out->started);
	else
		snprintf(out->started, sizeof out->started, "%s", value_text(&cl->vals, p->val[P_STARTED]));
	out->interviewer = value_text(&cl->vals, p->val[P_BY]);
	out->form = value_text(&cl->vals, p->val[P_FORM]);
	out->lang = value_text(&cl->vals, p->val[P_LANG]);
	out->status = value_text(&cl->vals, p->val[P_STATUS]);
	out->outcome = value_text(&cl->vals, p->val[P_OUTCOME]);
	out->saved[0] = '\0';
	out->answered = -1;
	out->others = false;
	for (size_t k = 0; p->draft && k < cl->ndrafts; k++) {
		const struct draft_info *d = &cl->drafts[k];

		if (d->row != cl->shown[i])
			continue;
		if (d->saved == 0 || !clock_format(d->saved, CLOCK_MINUTES, out->saved))
			out->saved[0] = '\0';
		out->answered = d->answered;
		out->others = d->others;
		break;
	}
	return true;
}
