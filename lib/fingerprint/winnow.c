/*
 * winnow.c: rolling k-gram hash and robust winnowing.
 *
 * Hash: a cyclic polynomial (buzhash) over 64-bit symbol values (a table
 * for symbols below 256, splitmix64 beyond): h = rotl(h, 1) ^ T[in] ^
 * rotl(T[out], k), no multiply in the dependency chain; then xored with the
 * seed and mixed by one multiply and a fold, so that window minima are
 * uniform.
 * Collisions are harmless: matching verifies every seed hit against the
 * canonical text before reporting it.
 *
 * Winnowing (see below for the window-minimum scheme). Robust rule: while the
 * previously selected k-gram is still in the window and still minimal it stays
 * selected; otherwise the rightmost minimum is selected. A fingerprint is
 * emitted each time the selection changes. Every window contributes its
 * minimum, which is what the guarantee (any shared run of w + k - 1 symbols is
 * found) rests on.
 */
#include <pthread.h>
#include <string.h>

#include <spoor/error.h>
#include <spoor/fingerprint.h>

#include "../common/internal.h"
#include "winnow_int.h"
#include "fingerprint_int.h"

static uint64_t sym_table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void init_table(void)
{
    unsigned i;
    for (i = 0; i < 256; i++)
        sym_table[i] = spoor_winnow__splitmix(i + 1);
}

static inline uint64_t rotl(uint64_t x, unsigned r)
{
    return r ? (x << r) | (x >> (64 - r)) : x;
}

/*
 * The window minimum is kept as (position, hash) of the current selection.
 * A new k-gram with a strictly smaller hash becomes the selection (it is
 * then the rightmost minimum); an equal one does not (robust rule). When
 * the selection leaves the window, the window is rescanned for its
 * rightmost minimum: the minimum sits at a uniform place in the window, so
 * a rescan of w hashes happens about every w / 2 positions, about two
 * comparisons per position on average, with no division and no
 * per-character call. Hashes live in a ring of a power of two >= w.
 */
int spoor_fps__push(spoor_fps *out, size_t pos, uint64_t hash)
{
    int error;
    if (out->n == out->cap &&
        (error = spoor__array_reserve((void **)&out->v, &out->cap, out->n + 1,
                                      sizeof(spoor_fp))) < 0)
        return error;
    out->v[out->n].hash = hash;
    out->v[out->n].pos = (uint32_t)pos;
    out->n++;
    return 0;
}

#define WINNOW_BODY(SYM, WIN, CONT)                                            \
    uint64_t *ring = NULL, h = 0, minh = 0;                                    \
    const unsigned rot_k = k % 64;                                             \
    size_t i, j, m, win, mask, ring_n = 1, minpos = 0;                         \
    size_t emitted = (CONT) ? 0 : SIZE_MAX;                                    \
    int error = 0;                                                             \
                                                                               \
    out->n = 0;                                                                \
    if (k == 0 || w == 0)                                                      \
        return spoor__error_set(SPOOR_EINVALID, "k and w must be positive");   \
    if (n < k)                                                                 \
        return 0;                                                              \
    if (n > UINT32_MAX)                                                        \
        return spoor__error_set(SPOOR_ELIMIT, "sequence over 4 GiB");          \
    m = n - k + 1;                                                             \
    win = (WIN);                                                               \
    while (ring_n < win)                                                       \
        ring_n <<= 1;                                                          \
    mask = ring_n - 1;                                                         \
    /* about one fingerprint per w / 2 k-grams; reserve that up front */       \
    if ((error = spoor__array_reserve((void **)&out->v, &out->cap,             \
                                      m / (win / 2 + 1) + 16,                  \
                                      sizeof(spoor_fp))) < 0)                  \
        return error;                                                          \
    if (!(ring = spoor__malloc(ring_n * sizeof(uint64_t))))                    \
        return spoor__error_oom();                                             \
    pthread_once(&table_once, init_table);                                     \
    for (i = 0; i < k; i++)                                                    \
        h = rotl(h, 1) ^ SYM(i);                                               \
    for (i = 0; i < m; i++) {                                                  \
        uint64_t x;                                                            \
        if (i > 0)                                                             \
            h = rotl(h, 1) ^ rotl(SYM(i - 1), rot_k) ^ SYM(i + k - 1);         \
        x = spoor_winnow__mix(h ^ seed);                                       \
        ring[i & mask] = x;                                                    \
        if (i == 0 || x < minh) {                                              \
            minh = x;                                                          \
            minpos = i;                                                        \
        }                                                                      \
        if (!(CONT) && i + 1 < win)                                            \
            continue;                                                          \
        if (minpos + win <= i) { /* the selection left the window */           \
            minh = ring[(i + 1 - win) & mask];                                 \
            minpos = i + 1 - win;                                              \
            for (j = i + 2 - win; j <= i; j++) { /* branchless: cmov */        \
                uint64_t y = ring[j & mask];                                   \
                int le = y <= minh;                                            \
                minh = le ? y : minh;                                          \
                minpos = le ? j : minpos;                                      \
            }                                                                  \
        }                                                                      \
        if (minpos != emitted) {                                               \
            if ((error = spoor_fps__push(out, minpos, minh)) < 0)              \
                break;                                                         \
            emitted = minpos;                                                  \
        }                                                                      \
    }                                                                          \
    spoor__free(ring);                                                         \
    if (error < 0)                                                             \
        out->n = 0;                                                            \
    return error;

/* symbol -> 64-bit value: a table for the first 256, a mix beyond */
#define SYM_U32(i)                                                             \
    (s[i] < 256 ? sym_table[s[i]] : spoor_winnow__splitmix((uint64_t)s[i] + 1))
#define SYM_BYTE(i) sym_table[s[i]]

/* The kernels for the (k, w) the index uses, with both as constants: the
 * compiler folds the rotation, the ring's mask and the window length, and
 * unrolls the rescan. Only for texts of at least one whole window (the
 * window is then w k-grams long). */
static int winnow_text(spoor_fps *out, const uint32_t *s, size_t n,
                       uint64_t seed)
{
    const unsigned k = SPOOR_TEXT_K, w = SPOOR_TEXT_W;
    WINNOW_BODY(SYM_U32, w, 0)
}

static int winnow_bytes(spoor_fps *out, const unsigned char *s, size_t n,
                        uint64_t seed)
{
    const unsigned k = SPOOR_BYTES_K, w = SPOOR_BYTES_W;
    WINNOW_BODY(SYM_BYTE, w, 0)
}

/* Whether the wide kernel runs (AVX-512DQ). */
static spoor_wide_switch wide_sw = SPOOR_WIDE_SWITCH("avx512dq");

int spoor_winnow__wide_enable(int enable)
{
    return spoor__wide_switch(&wide_sw, enable);
}

/* The wide kernel's window for n symbols, or 0 where the scalar kernel
 * runs (no wide kernel, or arguments it leaves to the scalar kernel's
 * checks). */
static unsigned wide_window(size_t n, unsigned k, unsigned w)
{
    if (k == 0 || w == 0 || n < k || n > UINT32_MAX ||
        !spoor_winnow__wide_enable(-1))
        return 0;
    return n - k + 1 < w ? (unsigned)(n - k + 1) : w;
}

int spoor_winnow_u32(spoor_fps *out, const uint32_t *s, size_t n, unsigned k,
                     unsigned w, uint64_t seed)
{
    unsigned wide_win = wide_window(n, k, w);
    if (wide_win)
        return spoor_winnow__wide(out, s, 0, n, k, wide_win, seed, 0);
    if (k == SPOOR_TEXT_K && w == SPOOR_TEXT_W && n >= (size_t)k + w - 1)
        return winnow_text(out, s, n, seed);
    {
        WINNOW_BODY(SYM_U32, m < w ? m : w, 0)
    }
}

/* The scalar kernel going on from a selection (spoor_winnow__u32_cont). */
static int winnow_u32_cont(spoor_fps *out, const uint32_t *s, size_t n,
                           unsigned k, unsigned w, uint64_t seed)
{
    WINNOW_BODY(SYM_U32, w, 1)
}

int spoor_winnow__u32_cont(spoor_fps *out, const uint32_t *s, size_t n,
                           unsigned k, unsigned w, uint64_t seed)
{
    /* the window stays w long, however few k-grams follow */
    if (wide_window(n, k, w))
        return spoor_winnow__wide(out, s, 0, n, k, w, seed, 1);
    return winnow_u32_cont(out, s, n, k, w, seed);
}

/* The scalar kernel over bytes going on from a selection. */
static int winnow_bytes_cont(spoor_fps *out, const unsigned char *s, size_t n,
                             unsigned k, unsigned w, uint64_t seed)
{
    WINNOW_BODY(SYM_BYTE, w, 1)
}

int spoor_winnow__bytes_cont(spoor_fps *out, const unsigned char *s, size_t n,
                             unsigned k, unsigned w, uint64_t seed)
{
    if (wide_window(n, k, w))
        return spoor_winnow__wide(out, s, 1, n, k, w, seed, 1);
    return winnow_bytes_cont(out, s, n, k, w, seed);
}

int spoor_winnow_bytes(spoor_fps *out, const unsigned char *s, size_t n,
                       unsigned k, unsigned w, uint64_t seed)
{
    unsigned wide_win = wide_window(n, k, w);
    if (wide_win)
        return spoor_winnow__wide(out, s, 1, n, k, wide_win, seed, 0);
    if (k == SPOOR_BYTES_K && w == SPOOR_BYTES_W && n >= (size_t)k + w - 1)
        return winnow_bytes(out, s, n, seed);
    {
        WINNOW_BODY(SYM_BYTE, m < w ? m : w, 0)
    }
}

void spoor_fps_dispose(spoor_fps *out)
{
    if (!out)
        return;
    spoor__free(out->v);
    out->v = NULL;
    out->n = out->cap = 0;
}
