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
cctx_get(struct vault *v, size_t want)
{
	if (v->zcc != NULL && v->zc_ready >= want)
		return v->zcc;
	if (v->zcc != NULL)
		secure_wipe(v->zc, v->zc_ready);
	v->zcc = NULL;
	v->zc_ready = 0;
	if (ws_get(&v->zc, &v->zc_len, want) == NULL)
		return NULL;
	return ZSTD_initStaticCCtx(v->zc, want);
}

size_t
vault_pack(struct vault *v, const void *src, size_t n, unsigned char *dst, size_t cap)
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
	cc = cctx_get(v, want);
	got = cc != NULL ? ZSTD_compressCCtx(cc, dst, cap, src, n, PACK_LEVEL) : 0;
	if (cc != NULL && held(v) && !ZSTD_isError(got)) {
		if (v->zcc == NULL)
			v->zc_ready = want;
		v->zcc = cc;
	} else if (cc != NULL) {
		secure_wipe(v->zc, v->zcc != NULL ? v->zc_ready : want);
		v->zcc = NULL;
		v->zc_ready = 0;
	}
	if (v->zcc == NULL && v->zc_len > SCRATCH_KEEP) {
		secure_free(v->zc);
		v->zc = NULL;
		v->zc_len = 0;
	}
	if (cc == NULL || ZSTD_isError(got) || got >= n) {
		/* Stored as it is; whatever zstd wrote is plaintext too. */
		secure_wipe(dst, cap);
		return 0;
	}
	return got;
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
	if (v->zcc != NULL)
		secure_wipe(v->zc, v->zc_ready);
	if (v->zdc != NULL)
		secure_wipe(v->zd, v->zd_len);
	v->zcc = v->zdc = NULL;
	v->zc_ready = 0;
	if (v->zc_len > SCRATCH_KEEP) {
		secure_free(v->zc);
		v->zc = NULL;
		v->zc_len = 0;
	}
}

void
vault_pack_forget(struct vault *v)
{
	secure_free(v->zc);
	secure_free(v->zd);
	secure_free(v->unpack);
	v->zc = v->zd = v->unpack = NULL;
	v->zcc = v->zdc = NULL;
	v->zc_ready = 0;
	v->zc_len = v->zd_len = v->unpack_len = v->unpack_used = 0;
}
