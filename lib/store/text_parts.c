/*
 * text_parts.c: how an item's text is stored, and reading part of it.
 *
 * A text under TEXT_PARTS_MIN bytes is one zstd frame. A longer one is cut
 * into parts of about TEXT_PART_BYTES, each ending where the next begins
 * with an ASCII letter (a mark: normalisation can start there afresh, see
 * spoor_canon_mark), and stored as
 *
 *   a zstd skippable frame: magic TOC_MAGIC, u32 payload size, payload:
 *       "spoortx1", u32 n, then per part u32 bytes, u32 zbytes, u32 canon
 *       (canonical characters before the part)
 *   then one zstd frame per part, in order.
 *
 * ZSTD_decompress reads both layouts whole (it skips the skippable frame
 * and joins the frames), so the whole text reads the same either way; the
 * table lets check decompress and normalise only the parts around its hits
 * (a 600-byte excerpt of a 5 MB text decompressed and normalised all 5 MB).
 * Integers are in host order, as in the segments.
 */
#include <string.h>

#include <zstd.h>

#include <spoor/error.h>
#include <spoor/normalise.h>

#include "../common/internal.h"
#include "../common/limits.h"
#include "store_int.h"
#include "../normalise/normalise_int.h"

#define TOC_MAGIC 0x184D2A5Eu /* one of zstd's skippable frame magics */
#define TOC_TAG "spoortx1"
#define TEXT_PART_BYTES ((size_t)64 << 10)
#define TEXT_PARTS_MIN (4 * TEXT_PART_BYTES)

static void put32(unsigned char *p, size_t v)
{
    uint32_t x = (uint32_t)v;
    memcpy(p, &x, 4);
}

static uint32_t get32(const unsigned char *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* Where the parts of a text of len bytes end: ends[i] for part i; returns
 * the number of parts. ends has room for len / TEXT_PART_BYTES + 1. The
 * pages of the thread's input read are handed back as it goes: reading a
 * byte of each part faults in the pages around it, which is most of the
 * text. */
static size_t cut(const char *text, size_t len, size_t *ends)
{
    size_t n = 0, at = 0;
    while (at < len) {
        size_t e = spoor_normalise__stretch_end(text, len, at, TEXT_PART_BYTES);
        ends[n++] = e;
        at = e;
        if (n % 128 == 0)
            spoor__input_done(text + at);
    }
    return n;
}

int spoor_text__compress(ZSTD_CCtx *cctx, int level, const char *text,
                         size_t len, spoor_buf *out)
{
    spoor_canon scratch = SPOOR_CANON_INIT;
    size_t *ends = NULL, n, i, head, cap, at = 0, canon = 0, done;
    unsigned char *o;
    int error = 0;

    spoor_buf_clear(out);
    /* every frame carries zstd's checksum of its content (XXH64), which
     * decompression verifies: a damaged stored text is an error, never
     * other text */
    if (ZSTD_isError(
            ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)))
        return spoor__error_set(SPOOR_ENOMEM, "zstd refused its parameters");
    if (len < TEXT_PARTS_MIN) {
        cap = ZSTD_compressBound(len);
        SPOOR_TRY(spoor_buf_grow(out, cap));
        done = ZSTD_compress2(cctx, out->ptr, cap, text, len);
        goto check;
    }
    if (!(ends = spoor__reallocarray(NULL, len / TEXT_PART_BYTES + 1,
                                     sizeof(size_t))))
        return spoor__error_oom();
    n = cut(text, len, ends);
    head = 8 + 8 + 4 + 12 * n;
    cap = head;
    for (i = 0, at = 0; i < n; at = ends[i++])
        cap += ZSTD_compressBound(ends[i] - at);
    SPOOR_TRY(spoor_buf_grow(out, cap));
    o = (unsigned char *)out->ptr;
    put32(o, TOC_MAGIC);
    put32(o + 4, head - 8);
    memcpy(o + 8, TOC_TAG, 8);
    put32(o + 16, n);
    done = head;
    for (i = 0, at = 0; i < n; at = ends[i++]) {
        size_t part =
            ZSTD_compress2(cctx, o + done, cap - done, text + at, ends[i] - at);
        if (ZSTD_isError(part)) {
            done = part;
            goto check;
        }
        put32(o + 20 + 12 * i, ends[i] - at);
        put32(o + 24 + 12 * i, part);
        put32(o + 28 + 12 * i, canon);
        done += part;
        if ((error =
                 spoor_normalise__chars(&scratch, text + at, ends[i] - at)) < 0)
            goto done;
        canon += scratch.len;
        spoor__input_done(text + ends[i]); /* the pages read go back */
        spoor_buf__pages_done(out, done);  /* and those written, if spilled */
    }
check:
    if (ZSTD_isError(done)) {
        error =
            spoor__error_set(SPOOR_ERROR, "zstd: %s", ZSTD_getErrorName(done));
        goto done;
    }
    out->size = done;
    out->ptr[done] = '\0';
done:
    if (error < 0)
        spoor_buf_clear(out);
    spoor__free(ends);
    spoor_canon_dispose(&scratch);
    return error;
}

int spoor_text__may_have_parts(size_t text_bytes)
{
    return text_bytes >= TEXT_PARTS_MIN;
}

size_t spoor_text__toc_size(const void *start, size_t avail, size_t zlen)
{
    const unsigned char *p = start;
    size_t size;
    if (avail < 20 || get32(p) != TOC_MAGIC || memcmp(p + 8, TOC_TAG, 8) != 0)
        return 0;
    size = (size_t)get32(p + 4) + 8;
    return size <= zlen ? size : 0;
}

int spoor_text__toc_parse(const void *toc, size_t size, size_t zlen,
                          size_t text_bytes, size_t canon_len,
                          spoor_text_toc *out)
{
    const unsigned char *p = toc;
    size_t n, i, byte = 0, zoff = size;
    uint32_t canon = 0;

    memset(out, 0, sizeof(*out));
    n = size >= 20 ? get32(p + 16) : 0;
    if (size < 20 || (size - 20) / 12 != n || (size - 20) % 12 != 0 || n == 0 ||
        text_bytes > SPOOR_MAX_TEXT_BYTES)
        return SPOOR_ECORRUPT;
    if (!(out->v = spoor__reallocarray(NULL, n, sizeof(*out->v))))
        return spoor__error_oom();
    for (i = 0; i < n; i++) {
        const unsigned char *e = p + 20 + 12 * i;
        spoor_text_part *t = &out->v[i];
        t->bytes = get32(e);
        t->zbytes = get32(e + 4);
        t->canon = get32(e + 8);
        t->byte = byte;
        t->zoff = zoff;
        if (t->bytes == 0 || t->zbytes == 0 || t->canon < canon ||
            t->canon > canon_len || t->zbytes > zlen - zoff ||
            t->bytes > text_bytes - byte) {
            spoor_text_toc_dispose(out);
            return SPOOR_ECORRUPT;
        }
        canon = t->canon;
        byte += t->bytes;
        zoff += t->zbytes;
    }
    if (byte != text_bytes || zoff != zlen) {
        spoor_text_toc_dispose(out);
        return SPOOR_ECORRUPT;
    }
    out->n = n;
    return 0;
}

void spoor_text_toc_dispose(spoor_text_toc *toc)
{
    spoor__free(toc->v);
    memset(toc, 0, sizeof(*toc));
}

size_t spoor_text__parts_for(const spoor_text_toc *toc, size_t from, size_t to,
                             size_t *first)
{
    size_t lo = 0, hi = toc->n, end;
    /* first: the last part that starts at or before from */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (toc->v[mid].canon <= from)
            lo = mid;
        else
            hi = mid;
    }
    *first = lo;
    /* end: the first part after it that starts at or after to */
    for (end = lo + 1; end < toc->n && toc->v[end].canon < to; end++)
        ;
    return end;
}
