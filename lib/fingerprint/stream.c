/*
 * stream.c: the text fingerprints of a long text without its whole
 * canonical text in memory.
 *
 * The text is normalised piece by piece, each piece ending at a mark (an
 * ASCII letter), where normalisation gives exactly the whole text's
 * canonical characters (spoor_normalise__stretch_end). The canonical
 * characters are winnowed run by run: the first run as usual, each later
 * one going on from the last selection of the run before
 * (spoor_winnow__u32_cont), over the characters from that selection on.
 * The fingerprints are those of normalising and winnowing the whole text at
 * once; memory is one piece and the characters carried from one run to the
 * next (less than a window and a k-gram), four bytes per character, instead
 * of four bytes per character of the whole text. Each piece is normalised
 * right after the characters carried, in the same buffer.
 */
#include <string.h>

#include <spoor/error.h>
#include <spoor/fingerprint.h>
#include <spoor/normalise.h>

#include "../common/internal.h"
#include "../normalise/normalise_int.h"
#include "fingerprint_int.h"

/* Text bytes normalised at a time: the piece's canonical characters stay in
 * the processor's cache while they are winnowed. */
#define STREAM_PIECE ((size_t)256 << 10)

/* Canonical characters a run has at least (but the last): this many, or
 * as many as a piece has bytes when pieces are smaller (tests), and never
 * less than a window, so that the first run starts as the whole text
 * does. */
#define STREAM_MIN_RUN 4096

/* Append run's fingerprints to out, their positions moved on by base. */
static int append_fps(spoor_fps *out, const spoor_fps *run, size_t base)
{
    size_t i;
    int error;
    if ((error = spoor__array_reserve((void **)&out->v, &out->cap,
                                      out->n + run->n, sizeof(spoor_fp))) < 0)
        return error;
    for (i = 0; i < run->n; i++) {
        out->v[out->n + i].hash = run->v[i].hash;
        out->v[out->n + i].pos = (uint32_t)(run->v[i].pos + base);
    }
    out->n += run->n;
    return 0;
}

/* Winnow the characters of a run: the first run by the usual rule, the
 * others going on from the selection they start with. */
static int winnow_run(spoor_fps *run, const spoor_canon *c, int first)
{
    return first ? spoor_winnow_u32(run, c->chars, c->len, SPOOR_TEXT_K,
                                    SPOOR_TEXT_W, SPOOR_SEED_TEXT)
                 : spoor_winnow__u32_cont(run, c->chars, c->len, SPOOR_TEXT_K,
                                          SPOOR_TEXT_W, SPOOR_SEED_TEXT);
}

/* Hand out's fingerprints to sink once it holds enough of them. */
static int maybe_flush(spoor_fps *out, const spoor_fps_sink *sink)
{
    int error;
    if (!sink || out->n < sink->at || !out->n)
        return 0;
    if ((error = sink->flush(out, sink->ctx)) < 0)
        return error;
    out->n = 0;
    return 0;
}

int spoor_fingerprint__text(spoor_fps *out, size_t *nchars,
                            spoor_canon *scratch, const char *text, size_t len,
                            size_t piece, const spoor_fps_sink *sink)
{
    spoor_fps run = SPOOR_FPS_INIT;
    size_t b = 0, total = 0, base = 0; /* scratch holds chars from base */
    size_t min_run, selected = 0;
    int first = 1, error = 0;

    out->n = 0;
    *nchars = 0;
    if (!piece)
        piece = STREAM_PIECE;
    if (len > UINT32_MAX)
        return spoor__error_set(SPOOR_ELIMIT,
                                "text of %zu bytes exceeds the 4 GiB offset "
                                "range (MAX_TEXT_BYTES)",
                                len);
    if (sink && sink->marks)
        SPOOR_TRY(spoor_text_marks__push(sink->marks, 0, 0));
    if (len <= 2 * piece) { /* short: at once */
        SPOOR_TRY(spoor_normalise__chars(scratch, text ? text : "", len));
        *nchars = scratch->len;
        return spoor_winnow_u32(out, scratch->chars, scratch->len, SPOOR_TEXT_K,
                                SPOOR_TEXT_W, SPOOR_SEED_TEXT);
    }
    /* room for about the fingerprints a text of len bytes has (one per
     * (w + 1) / 2 characters, at most one character a byte) at once: room
     * not filled is never touched, while growing by doubling would copy
     * the array with both copies held (sinks take them before) */
    if (!sink || sink->at == SIZE_MAX)
        SPOOR_TRY(spoor__array_reserve((void **)&out->v, &out->cap,
                                       len / ((SPOOR_TEXT_W + 1) / 2) + 1024,
                                       sizeof(spoor_fp)));
    min_run = piece < STREAM_MIN_RUN ? piece : STREAM_MIN_RUN;
    if (min_run < SPOOR_TEXT_K + SPOOR_TEXT_W)
        min_run = SPOOR_TEXT_K + SPOOR_TEXT_W;
    while (b < len) {
        size_t e = spoor_normalise__stretch_end(text, len, b, piece), q, keep;
        size_t had = first && !b ? 0 : scratch->len;
        if (b && sink && sink->marks) /* pieces start at marks */
            SPOOR_TRY(spoor_text_marks__push(sink->marks, b, total));
        SPOOR_TRY(spoor_normalise__chars_after(scratch, had, text + b, e - b));
        total += scratch->len - had;
        b = e;
        if (sink && sink->done)
            sink->done((const unsigned char *)text + b, sink->done_ctx);
        if (b < len && scratch->len < min_run)
            continue;
        SPOOR_TRY(winnow_run(&run, scratch, first));
        SPOOR_TRY(append_fps(out, &run, base));
        selected += run.n;
        first = 0;
        if (b >= len)
            break;
        if (!selected) { /* a first run of a window or more selects */
            error = spoor__error_set(SPOOR_EINVALID,
                                     "winnowing a run selected nothing");
            goto done;
        }
        /* the next run goes on from the last selection: keep its k-gram
         * and what follows it */
        if (run.n)
            q = out->v[out->n - 1].pos;
        else
            q = base; /* the run went on from base and selected nothing */
        SPOOR_TRY(maybe_flush(out, sink));
        keep = base + scratch->len - q;
        memmove(scratch->chars, scratch->chars + (q - base),
                keep * sizeof(uint32_t));
        scratch->len = keep;
        base = q;
    }
    *nchars = total;
done:
    spoor_fps_dispose(&run);
    if (error < 0)
        out->n = 0;
    return error;
}

/* Bytes winnowed at a time by spoor_fingerprint__bytes. */
#define BYTES_RUN ((size_t)8 << 20)

int spoor_fingerprint__bytes(spoor_fps *out, const unsigned char *data,
                             size_t len, size_t run, spoor_bytes_done_fn done,
                             void *ctx, const spoor_fps_sink *sink)
{
    spoor_fps part = SPOOR_FPS_INIT;
    size_t base = 0, end, selected = 0;
    int first = 1, error = 0;

    out->n = 0;
    if (!run)
        run = BYTES_RUN;
    if (run < 2 * ((size_t)SPOOR_BYTES_K + SPOOR_BYTES_W))
        run = 2 * ((size_t)SPOOR_BYTES_K + SPOOR_BYTES_W);
    if (len <= 2 * run) { /* short: at once */
        SPOOR_TRY(spoor_winnow_bytes(out, data, len, SPOOR_BYTES_K,
                                     SPOOR_BYTES_W, SPOOR_SEED_BYTES));
        if (done)
            done(data + len, ctx);
        return 0;
    }
    if (len > UINT32_MAX)
        return spoor__error_set(SPOOR_ELIMIT,
                                "%zu bytes exceed the 4 GiB offset range", len);
    for (end = run;; end += run) {
        if (len - end < run) /* no short last run */
            end = len;
        SPOOR_TRY(first ? spoor_winnow_bytes(&part, data, end, SPOOR_BYTES_K,
                                             SPOOR_BYTES_W, SPOOR_SEED_BYTES)
                        : spoor_winnow__bytes_cont(
                              &part, data + base, end - base, SPOOR_BYTES_K,
                              SPOOR_BYTES_W, SPOOR_SEED_BYTES));
        SPOOR_TRY(append_fps(out, &part, base));
        selected += part.n;
        first = 0;
        if (end >= len)
            break;
        if (!selected) {
            error = spoor__error_set(SPOOR_EINVALID,
                                     "winnowing a run selected nothing");
            goto done;
        }
        /* the next run goes on from the last selection (a run that
         * selected nothing new goes on from the same one) */
        if (part.n)
            base = out->v[out->n - 1].pos;
        SPOOR_TRY(maybe_flush(out, sink));
        if (done)
            done(data + base, ctx);
    }
    if (done)
        done(data + len, ctx);
done:
    spoor_fps_dispose(&part);
    if (error < 0)
        out->n = 0;
    return error;
}
