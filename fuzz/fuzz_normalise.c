/* fuzz_normalise: normalisation and winnowing of arbitrary bytes taken as
 * text: the offset map is monotone, inside the text, and each canonical
 * character's source range normalises to a run holding that character; the
 * wide (SIMD) and scalar paths agree; a stretch agrees with the whole, and
 * so do fingerprints made piece by piece. */
#include "fuzz_common.h"
#include "normalise/normalise_int.h"
#include "fingerprint/fingerprint_int.h"

/* a and b hold the same characters and offsets */
static void same(const spoor_canon *a, const spoor_canon *b, size_t base)
{
    if (a->len < base + b->len ||
        memcmp(a->chars + base, b->chars, b->len * 4) != 0 ||
        memcmp(a->start + base, b->start, b->len * 4) != 0 ||
        memcmp(a->end + base, b->end, b->len * 4) != 0)
        abort();
}

static int same_fps(const spoor_fps *a, const spoor_fps *b)
{
    size_t i;
    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++)
        if (a->v[i].hash != b->v[i].hash || a->v[i].pos != b->v[i].pos)
            return 0;
    return 1;
}

/* The wide and scalar winnowing kernels select the same fingerprints, for
 * canonical text and for bytes, with the index's (k, w) and a small pair. */
static void winnow_agree(const spoor_canon *c, const unsigned char *data,
                         size_t size)
{
    static const unsigned kw[][2] = {
        {SPOOR_TEXT_K, SPOOR_TEXT_W}, {SPOOR_BYTES_K, SPOOR_BYTES_W}, {3, 4}};
    spoor_fps f[2] = {SPOOR_FPS_INIT, SPOOR_FPS_INIT},
              g[2] = {SPOOR_FPS_INIT, SPOOR_FPS_INIT};
    int wide = spoor_winnow__wide_enable(-1), i;
    size_t j;
    for (j = 0; j < sizeof(kw) / sizeof(kw[0]); j++) {
        for (i = 0; i < 2; i++) {
            spoor_winnow__wide_enable(i);
            if (spoor_winnow_u32(&f[i], c->chars, c->len, kw[j][0], kw[j][1],
                                 7) != 0 ||
                spoor_winnow_bytes(&g[i], data, size, kw[j][0], kw[j][1], 9) !=
                    0)
                abort();
        }
        if (!same_fps(&f[0], &f[1]) || !same_fps(&g[0], &g[1]))
            abort();
    }
    spoor_winnow__wide_enable(wide);
    for (i = 0; i < 2; i++) {
        spoor_fps_dispose(&f[i]);
        spoor_fps_dispose(&g[i]);
    }
}

/* Fingerprinting piece by piece gives the whole text's fingerprints and
 * character count, for pieces of a few bytes (so that texts of any size
 * here are cut into many). */
static void pieces_agree(const spoor_canon *c, const char *data, size_t size)
{
    spoor_fps whole = SPOOR_FPS_INIT, pieces = SPOOR_FPS_INIT;
    spoor_canon scratch = SPOOR_CANON_INIT;
    size_t piece = 1 + (size ? (unsigned char)data[0] % 97 : 0), n = 0;
    if (spoor_winnow_u32(&whole, c->chars, c->len, SPOOR_TEXT_K, SPOOR_TEXT_W,
                         SPOOR_SEED_TEXT) != 0 ||
        spoor_fingerprint__text(&pieces, &n, &scratch, data, size, piece,
                                NULL) != 0 ||
        n != c->len || !same_fps(&whole, &pieces))
        abort();
    spoor_fps_dispose(&whole);
    spoor_fps_dispose(&pieces);
    spoor_canon_dispose(&scratch);
}

static void paths_agree(const char *data, size_t size)
{
    spoor_canon a = SPOOR_CANON_INIT, b = SPOOR_CANON_INIT,
                scratch = SPOOR_CANON_INIT;
    spoor_canon_mark mark = {0, 0};
    size_t base = 0;
    int wide = spoor_normalise__wide(-1);
    if (spoor_normalise(&a, data, size) != 0)
        abort();
    spoor_normalise__wide(0);
    if (spoor_normalise(&b, data, size) != 0)
        abort();
    spoor_normalise__wide(wide);
    if (a.len != b.len)
        abort();
    same(&a, &b, 0);
    if (spoor_normalise__stretch(&b, &scratch, data, size, &mark, a.len / 3,
                                 a.len / 2, &base) != 0 ||
        base > a.len / 3 || base + b.len < a.len / 2)
        abort();
    same(&a, &b, base);
    winnow_agree(&a, (const unsigned char *)data, size);
    pieces_agree(&a, data, size);
    spoor_canon_dispose(&a);
    spoor_canon_dispose(&b);
    spoor_canon_dispose(&scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spoor_canon c = SPOOR_CANON_INIT, sub = SPOOR_CANON_INIT;
    size_t i, j;
    fuzz_check_text((const char *)data, size);
    paths_agree((const char *)data, size);
    if (size > 4096)
        return 0;
    if (spoor_normalise(&c, (const char *)data, size) == 0)
        for (i = 0; i < c.len; i++) {
            int found = 0;
            if (c.chars[i] == '.') { /* a point is kept for its neighbours */
                if (i == 0 || i + 1 >= c.len || c.chars[i - 1] < '0' ||
                    c.chars[i - 1] > '9' || c.chars[i + 1] < '0' ||
                    c.chars[i + 1] > '9' || c.end[i] - c.start[i] != 1 ||
                    data[c.start[i]] != '.')
                    abort();
                continue;
            }
            if (spoor_normalise(&sub, (const char *)data + c.start[i],
                                c.end[i] - c.start[i]) != 0)
                abort();
            for (j = 0; j < sub.len; j++)
                found |= sub.chars[j] == c.chars[i];
            /* a decimal point's dropped zeros can change a lone digit's
             * neighbourhood, never the digit itself */
            if (!found)
                abort();
        }
    spoor_canon_dispose(&c);
    spoor_canon_dispose(&sub);
    return 0;
}
