/*
 * vault_pack.c — compression of format 2 payloads (records, summaries,
 * earlier versions, debriefs, drafts) before they are sealed, and their
 * decompression after they are opened. Nothing is ever compressed after
 * sealing: ciphertext does not compress, and a compressor fed ciphertext
 * would say nothing the sizes do not already say.
 *
 * zstd keeps copies of what it reads and writes in its contexts (literals,
 * the sequences it found): both contexts live in the handle's secure
 * memory (ZSTD_initStaticCCtx, ZSTD_initStaticDCtx on a secure_alloc'ed
 * workspace, so zstd allocates nothing itself). Those two calls are of
 * zstd's static API, exported by libzstd 1.5 and later.
 *
 * When they are wiped: a call outside a write transaction or a scan makes
 * its context, uses it and wipes the bytes the context was made on. Inside
 * one (an import of 20,000 records, an export of a million) the context is
 * made once and used for every item, and vault_pack_settle wipes it when
 * the transaction or the scan ends. Making a context clears its whole
 * workspace, and that clearing plus the wipe cost more than compressing a
 * 2 KiB record; a context reused holds only the last item's traces, in
 * locked memory no core dump holds, as the scan's unpack buffer holds the
 * last item itself.
 *
 * A frame is accepted only as this file writes it: one frame, its content
 * size in the header, at most PACK_MAX once unpacked, unpacking to exactly
 * that size. Anything else is ST_FORMAT. The frame is authentic by then
 * (it was inside the AEAD), so such a frame was written by a program that
 * holds the keys but is not intake, or by a damaged one: a decompression
 * bomb costs nothing but the refusal.
 */
#include <stdlib.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "vault_int.h"

/* Level 3 (zstd's default): a 2 KiB record in about 20 us; higher levels
 * gain a few percent on such small inputs for several times the time. */
#define PACK_LEVEL  3

/* The workspace wanted is rounded up to whole pages, which keeps it
 * aligned as ZSTD_initStatic* require. */
static unsigned char *
ws_get(unsigned char **ws, size_t *len, size_t want)
{
	want = (want + 4095) & ~(size_t)4095;
	if (*ws != NULL && *len >= want)
		return *ws;
	secure_free(*ws);
	*ws = secure_alloc(want);
	*len = *ws != NULL ? want : 0;
	return *ws;
}

/* Inside a write transaction or a scan, contexts stay made until
 * vault_pack_settle. */
static int
held(const struct vault *v)
{
	return v->wtxn != NULL || v->scanning;
}

/* A compression context for parameters needing want bytes: the one kept
 * ready when it is large enough, else one made on the workspace. */
static ZSTD_CCtx *
cctx_get(struct packer *pk, size_t want)
{
	if (pk->cc != NULL && pk->ready >= want)
		return pk->cc;
	if (pk->cc != NULL)
		secure_wipe(pk->ws, pk->ready);
	pk->cc = NULL;
	pk->ready = 0;
	if (ws_get(&pk->ws, &pk->len, want) == NULL)
		return NULL;
	return ZSTD_initStaticCCtx(pk->ws, want);
}

size_t
vault_packer_pack(struct packer *pk, int keep, const void *src, size_t n, unsigned char *dst,
    size_t cap)
{
	ZSTD_CCtx *cc;
	size_t got, want;

	if (n < PACK_MIN || n > PACK_MAX)
		return 0;
	/* The context gets the part of the workspace its parameters need,
	 * not all of it: zstd writes nothing outside what it is given, so
	 * that part is all there is to wipe. The workspace keeps the size of
	 * the largest item packed since it was made. */
	want = (ZSTD_estimateCCtxSize_usingCParams(ZSTD_getCParams(PACK_LEVEL, n, 0)) + 4095) &
	    ~(size_t)4095;
	cc = cctx_get(pk, want);
	got = cc != NULL ? ZSTD_compressCCtx(cc, dst, cap, src, n, PACK_LEVEL) : 0;
	if (cc != NULL && keep && !ZSTD_isError(got)) {
		if (pk->cc == NULL)
			pk->ready = want;
		pk->cc = cc;
	} else if (cc != NULL) {
		secure_wipe(pk->ws, pk->cc != NULL ? pk->ready : want);
		pk->cc = NULL;
		pk->ready = 0;
	}
	if (pk->cc == NULL)
		vault_scratch_trim(&pk->ws, &pk->len);
	if (cc == NULL || ZSTD_isError(got) || got >= n) {
		/* Stored as it is; whatever zstd wrote is plaintext too. */
		secure_wipe(dst, cap);
		return 0;
	}
	return got;
}

void
vault_packer_settle(struct packer *pk)
{
	if (pk->cc != NULL)
		secure_wipe(pk->ws, pk->ready);
	pk->cc = NULL;
	pk->ready = 0;
	vault_scratch_trim(&pk->ws, &pk->len);
}

void
vault_packer_forget(struct packer *pk)
{
	secure_free(pk->ws);            /* wipes */
	memset(pk, 0, sizeof *pk);
}

size_t
vault_pack(struct vault *v, const void *src, size_t n, unsigned char *dst, size_t cap)
{
	return vault_packer_pack(&v->zpk, held(v), src, n, dst, cap);
}

size_t
vault_pack_bound(size_t n)
{
	return n < PACK_MIN || n > PACK_MAX ? n : ZSTD_compressBound(n);
}

enum status
vault_unpack_size(const void *frame, size_t n, size_t *size)
{
	unsigned long long fs;

	*size = 0;
	if (n == 0 || ZSTD_findFrameCompressedSize(frame, n) != n)
		return ST_FORMAT;
	fs = ZSTD_getFrameContentSize(frame, n);
	if (fs == ZSTD_CONTENTSIZE_UNKNOWN || fs == ZSTD_CONTENTSIZE_ERROR || fs > PACK_MAX)
		return ST_FORMAT;
	*size = (size_t)fs;
	return ST_OK;
}

enum status
vault_unpack(struct vault *v, const void *frame, size_t n, unsigned char *dst, size_t size)
{
	ZSTD_DCtx *dc = v->zdc;
	size_t got = 0, check;

	if (vault_unpack_size(frame, n, &check) != ST_OK || check != size)
		return ST_FORMAT;
	if (dc == NULL) {
		if (ws_get(&v->zd, &v->zd_len, ZSTD_estimateDCtxSize()) == NULL)
			return ST_NOMEM;
		dc = ZSTD_initStaticDCtx(v->zd, v->zd_len);
	}
	if (dc != NULL)
		got = ZSTD_decompressDCtx(dc, dst, size, frame, n);
	v->zdc = dc != NULL && held(v) ? dc : NULL;
	if (v->zdc == NULL)
		secure_wipe(v->zd, v->zd_len);
	if (dc == NULL)
		return ST_NOMEM;
	if (ZSTD_isError(got) || got != size) {
		secure_wipe(dst, size);
		return ST_FORMAT;
	}
	return ST_OK;
}

void
vault_pack_settle(struct vault *v)
{
	vault_packer_settle(&v->zpk);
	if (v->zdc != NULL)
		secure_wipe(v->zd, v->zd_len);
	v->zdc = NULL;
}

void
vault_pack_forget(struct vault *v)
{
	vault_packer_forget(&v->zpk);
	secure_free(v->zd);
	secure_free(v->unpack);
	v->zd = v->unpack = NULL;
	v->zdc = NULL;
	v->zd_len = v->unpack_len = v->unpack_used = 0;
}

/* ---- packing an import's records ahead ----------------------------------------
 *
 * Storing a record in an import is compressing it and its summary,
 * sealing both, then LMDB and the audit entry; compressing and sealing
 * were two thirds of it, on one processor while the other idled. A second
 * thread compresses and seals the records in order into a ring of
 * AHEAD_SLOTS slots, at most that many records ahead of the one being
 * stored, with a packer and a sealer of its own; the storing thread only
 * copies each envelope into the place LMDB gives it. A slot holds only
 * envelopes (ciphertext); the plaintext the thread lays out to seal is in
 * secure memory of its own, wiped after each seal. Each slot is written
 * only while no record the storing thread may still read is in it: the
 * thread storing record i has given up every slot of the records before
 * i, and the packer waits for that before it reuses one.
 */
#define AHEAD_SLOTS  64
#define AHEAD_MIN    32         /* fewer records: not worth a thread */
#define AHEAD_HALF   (AHEAD_SLOTS / 2)

struct ahead_slot {
	unsigned char *json, *sum;      /* envelopes */
	size_t jcap, scap, jlen, slen;
	int failed;
};

struct pack_ahead {
	const struct vault_import_record *recs;
	size_t n;
	struct ahead_slot slot[AHEAD_SLOTS];
	struct packer pk;
	struct sealer *sealer;
	unsigned char owner[1 + VAULT_USER_MAX];        /* length, name */
	unsigned char *plain;           /* secure: what is being sealed */
	size_t plain_cap;
	struct vault_helper h;
	size_t packed;                  /* records packed, in order */
	size_t taken;                   /* the record being stored: slots before are free */
	size_t packed_below;            /* the storer's: records it knows are sealed */
};

static size_t fail_from, fail_to;

void
vault_test_ahead_fail(size_t from, size_t to)
{
	fail_from = from;
	fail_to = to;
}

/* At least want bytes in *buf, secure or not. */
static int
room(unsigned char **buf, size_t *cap, size_t want, int secure)
{
	if (*buf != NULL && *cap >= want)
		return 0;
	if (secure)
		secure_free(*buf);
	else
		free(*buf);
	*cap = want < 4096 ? 4096 : want;
	*buf = secure ? secure_alloc(*cap) : malloc(*cap);
	if (*buf == NULL)
		*cap = 0;
	return *buf != NULL ? 0 : -1;
}

/* The envelope of content[n] for record id, as kind, into *env: laid out
 * with its owner's name as vault_env_stage lays it out, packed when that
 * makes it smaller, sealed. */
static int
ahead_seal(struct pack_ahead *pa, enum kind kind, const unsigned char id[VAULT_ID_BYTES],
    const char *content, size_t n, unsigned char **env, size_t *cap, size_t *len)
{
	size_t olen = 1 + pa->owner[0], packed, plen;
	MDB_val key = { VAULT_ID_BYTES, vault_unconst(id) };

	if (room(&pa->plain, &pa->plain_cap, olen + vault_pack_bound(n), 1) != 0)
		return -1;
	memcpy(pa->plain, pa->owner, olen);
	packed = vault_packer_pack(&pa->pk, 1, content, n, pa->plain + olen, pa->plain_cap - olen);
	if (packed == 0)
		memcpy(pa->plain + olen, content, n);
	plen = olen + (packed > 0 ? packed : n);
	if (room(env, cap, ENV2_OVERHEAD + plen - 1, 0) != 0) {
		secure_wipe(pa->plain, olen + vault_pack_bound(n));
		return -1;
	}
	vault_sealer_seal(pa->sealer, kind, &key, packed > 0 ? ENV_PACKED : 0, pa->plain, plen,
	    *env);
	/* All zstd may have written, which can pass what it returned. */
	secure_wipe(pa->plain, olen + vault_pack_bound(n));
	*len = ENV2_OVERHEAD + plen - 1;
	return 0;
}

static void *
ahead_run(void *arg)
{
	struct pack_ahead *pa = arg;
	size_t free_below = AHEAD_SLOTS;        /* records with a free slot */

	for (size_t j = 0; j < pa->n; j++) {
		const struct vault_import_record *r = &pa->recs[j];
		struct ahead_slot *s = &pa->slot[j % AHEAD_SLOTS];

		/* The slot is free once the record AHEAD_SLOTS before is
		 * stored. When it is not, wait until half the ring is: one
		 * wake-up for many records, not one for each. */
		if (j >= free_below) {
			size_t past = j - AHEAD_SLOTS + AHEAD_HALF;

			if (vault_helper_wait_above(&pa->h, &pa->taken, past))
				break;
			free_below = past + 1 + AHEAD_SLOTS;
		}
		s->slen = 0;
		s->failed = (j >= fail_from && j < fail_to) ||
		    ahead_seal(pa, KIND_RECORD, r->id.b, r->json, r->len, &s->json, &s->jcap,
		    &s->jlen) != 0 ||
		    (r->summary != NULL && ahead_seal(pa, KIND_SUMMARY, r->id.b, r->summary,
		    r->summary_len, &s->sum, &s->scap, &s->slen) != 0);
		vault_helper_publish(&pa->h, &pa->packed, j + 1);
	}
	vault_packer_forget(&pa->pk);
	return NULL;
}

struct pack_ahead *
vault_pack_ahead_start(struct vault *v, const struct vault_import_record *recs, size_t n)
{
	struct pack_ahead *pa;

	if (n < AHEAD_MIN || !vault_env_packs(v, KIND_RECORD) || (pa = calloc(1, sizeof *pa)) == NULL)
		return NULL;
	pa->recs = recs;
	pa->n = n;
	pa->owner[0] = (unsigned char)strlen(v->user);
	memcpy(pa->owner + 1, v->user, pa->owner[0]);
	if ((pa->sealer = vault_sealer_new(v)) == NULL ||
	    vault_helper_start(&pa->h, ahead_run, pa) != 0) {
		vault_sealer_free(pa->sealer);
		free(pa);
		return NULL;
	}
	return pa;
}

int
vault_pack_ahead_take(struct pack_ahead *pa, size_t i, const unsigned char **json, size_t *jlen,
    const unsigned char **sum, size_t *slen)
{
	struct ahead_slot *s = &pa->slot[i % AHEAD_SLOTS];

	vault_helper_publish(&pa->h, &pa->taken, i);
	/* The same the other way: a storer that caught up waits for half a
	 * ring. It cannot store faster than records are sealed anyway, and
	 * only the last batch waits longer than it would have. Both sides'
	 * marks assume take is called for every record in turn, none
	 * skipped: a storer skipping ahead could wait for a record the
	 * packer cannot reach before the storer frees its slot. */
	if (i >= pa->packed_below) {
		size_t past = i + AHEAD_HALF < pa->n ? i + AHEAD_HALF : pa->n - 1;

		vault_helper_wait_above(&pa->h, &pa->packed, past);
		pa->packed_below = past + 1;
	}
	if (s->failed)
		return -1;
	*json = s->json;
	*jlen = s->jlen;
	*sum = s->sum;
	*slen = s->slen;
	return 0;
}

void
vault_pack_ahead_stop(struct pack_ahead *pa)
{
	if (pa == NULL)
		return;
	vault_helper_stop(&pa->h);
	for (size_t k = 0; k < AHEAD_SLOTS; k++) {
		free(pa->slot[k].json);
		free(pa->slot[k].sum);
	}
	secure_free(pa->plain);
	vault_sealer_free(pa->sealer);
	free(pa);
}
