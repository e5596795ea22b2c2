/*
 * stream.c: the text fingerprints of a long text without its whole
 * canonical text in memory.
 *
 * The text is normalised piece by piece, each piece ending at a mark (an
 * ASCII letter), where normalisation gives exactly the whole text's
 * canonical characters (spoor_normalise__next_mark). The canonical
 * characters are winnowed run by run: the first run as usual, each later
 * one going on from the last selection of the run before
 * (spoor_winnow__u32_cont), over the characters from that selection on.
 * The fingerprints are those of normalising and winnowing the whole text at
 * once; memory is one piece and the characters carried from one run to the
 * next (less than a window and a k-gram), four bytes per character, instead
 * of four bytes per character of the whole text.
 */
#include <string.h>

#include <spoor/error.h>
#include <spoor/fingerprint.h>
#include <spoor/normalise.h>

#include "../common/internal.h"

/* Text bytes normalised at a time: the piece's canonical characters stay in
 * the processor's cache while they are winnowed. */
#define STREAM_PIECE ((size_t)256 << 10)

/* Canonical characters a later run has at least (but the last). */
#define STREAM_MIN_RUN 4096

/* Characters of the current run: [base, base + n) of the whole text's. */
typedef struct run_chars {
    uint32_t *v;
    size_t n, cap, base;
} run_chars;

static int append_chars(run_chars *r, const uint32_t *c, size_t n)
{
    int error;
    if ((error = spoor__array_reserve((void **)&r->v, &r->cap, r->n + n,
                                      sizeof(uint32_t))) < 0)
        return error;
    if (n)
        memcpy(r->v + r->n, c, n * sizeof(uint32_t));
    r->n += n;
    return 0;
}

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

/* Winnow the characters of runs after the first: the first run by the
 * usual rule, the others going on from the selection they start with. */
static int winnow_run(spoor_fps *run, const run_chars *c, int first)
{
    return first ? spoor_winnow_u32(run, c->v, c->n, SPOOR_TEXT_K, SPOOR_TEXT_W,
                                    SPOOR_SEED_TEXT)
                 : spoor_winnow__u32_cont(run, c->v, c->n, SPOOR_TEXT_K,
                                          SPOOR_TEXT_W, SPOOR_SEED_TEXT);
}

int spoor_fingerprint__text(spoor_fps *out, size_t *nchars,
                            spoor_canon *scratch, const char *text, size_t len,
                            size_t piece)
{
    run_chars c = {NULL, 0, 0, 0};
    spoor_fps run = SPOOR_FPS_INIT;
    size_t b = 0, total = 0;
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
    if (len <= 2 * piece) { /* short: at once */
        SPOOR_TRY(spoor_normalise__chars(scratch, text ? text : "", len));
        *nchars = scratch->len;
        return spoor_winnow_u32(out, scratch->chars, scratch->len, SPOOR_TEXT_K,
                                SPOOR_TEXT_W, SPOOR_SEED_TEXT);
    }
    while (b < len) {
        size_t e = spoor_normalise__next_mark(
                   text, len, piece < len - b ? b + piece : len),
               q, keep;
        SPOOR_TRY(spoor_normalise__chars(scratch, text + b, e - b));
        SPOOR_TRY(append_chars(&c, scratch->chars, scratch->len));
        total += scratch->len;
        b = e;
        if (b < len && c.n < STREAM_MIN_RUN)
            continue;
        SPOOR_TRY(winnow_run(&run, &c, first));
        SPOOR_TRY(append_fps(out, &run, c.base));
        first = 0;
        if (b >= len)
            break;
        if (!out->n) { /* a run of STREAM_MIN_RUN characters selects */
            error = spoor__error_set(SPOOR_EINVALID,
                                     "winnowing a run selected nothing");
            goto done;
        }
        /* the next run goes on from the last selection: keep its k-gram
         * and what follows it */
        q = out->v[out->n - 1].pos;
        keep = c.base + c.n - q;
        memmove(c.v, c.v + (q - c.base), keep * sizeof(uint32_t));
        c.n = keep;
        c.base = q;
    }
    *nchars = total;
done:
    spoor__free(c.v);
    spoor_fps_dispose(&run);
    if (error < 0)
        out->n = 0;
    return error;
}
