/*
 * winnow.c: rolling k-gram hash and robust winnowing.
 *
 * Hash: a polynomial rolling hash modulo 2^64 over (symbol + 1), then the
 * murmur3 64-bit finaliser mixed with the seed, so that minima are uniform.
 * Collisions are harmless: matching verifies every seed hit against the
 * canonical text before reporting it.
 *
 * Winnowing: a monotone deque of k-gram indices whose hashes are
 * non-decreasing from front to back gives the window minimum in amortised
 * O(1). Robust rule: while the previously selected k-gram is still in the
 * window and still minimal it stays selected; otherwise the rightmost
 * minimum is selected. A fingerprint is emitted each time the selection
 * changes. Every window contributes its minimum, which is what the
 * guarantee (any shared run of w + k - 1 symbols is found) rests on.
 */
#include <string.h>

#include <spoor/error.h>
#include <spoor/fingerprint.h>

#include "../common/internal.h"

#define BASE 0x9e3779b97f4a7c15ULL

static inline uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

typedef struct winnower {
    spoor_fps *out;
    uint64_t *hashes; /* ring of the last w hashes, indexed by pos % w */
    uint32_t *dq;     /* deque of k-gram indices, ring of size w */
    size_t head, count;
    unsigned w;
    size_t selected; /* SIZE_MAX: none yet */
} winnower;

static int emit(winnower *wn, size_t pos, uint64_t hash)
{
    spoor_fps *out = wn->out;
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

#define DQ(i) (wn->dq[(wn->head + (i)) % wn->w])
#define HASH(p) (wn->hashes[(p) % wn->w])

/* Push k-gram number pos with hash h into the deque. */
static void push(winnower *wn, size_t pos, uint64_t h)
{
    while (wn->count && (size_t)DQ(0) + wn->w <= pos) {
        wn->head = (wn->head + 1) % wn->w;
        wn->count--;
    }
    wn->hashes[pos % wn->w] = h;
    while (wn->count && HASH(DQ(wn->count - 1)) > h)
        wn->count--;
    DQ(wn->count) = (uint32_t)pos;
    wn->count++;
}

/* Select for the window ending at k-gram number last (size win). */
static int select_min(winnower *wn, size_t last, size_t win)
{
    size_t first = last + 1 - win, i;
    uint64_t minh;

    while (wn->count && DQ(0) < first) {
        wn->head = (wn->head + 1) % wn->w;
        wn->count--;
    }
    minh = HASH(DQ(0));
    if (wn->selected != SIZE_MAX && wn->selected >= first &&
        HASH(wn->selected) == minh)
        return 0;
    /* rightmost minimum: equal hashes sit together at the front */
    for (i = 1; i < wn->count && HASH(DQ(i)) == minh; i++)
        ;
    wn->selected = DQ(i - 1);
    return emit(wn, wn->selected, minh);
}

#define WINNOW_BODY(SYM)                                                       \
    winnower wn;                                                               \
    uint64_t pow_k = 1, h = 0;                                                 \
    size_t i, m, win;                                                          \
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
    win = m < w ? m : w;                                                       \
    memset(&wn, 0, sizeof(wn));                                                \
    wn.out = out;                                                              \
    wn.w = (unsigned)win;                                                      \
    wn.selected = SIZE_MAX;                                                    \
    wn.hashes = spoor__malloc(win * sizeof(uint64_t));                         \
    wn.dq = spoor__malloc(win * sizeof(uint32_t));                             \
    if (!wn.hashes || !wn.dq) {                                                \
        error = spoor__error_oom();                                            \
        goto done;                                                             \
    }                                                                          \
    for (i = 0; i < k; i++) {                                                  \
        h = h * BASE + (uint64_t)(SYM(i)) + 1;                                 \
        pow_k *= BASE;                                                         \
    }                                                                          \
    for (i = 0; i < m; i++) {                                                  \
        if (i > 0)                                                             \
            h = h * BASE + (uint64_t)(SYM(i + k - 1)) + 1 -                    \
                pow_k * ((uint64_t)(SYM(i - 1)) + 1);                          \
        push(&wn, i, fmix64(h ^ seed));                                        \
        if (i + 1 >= win && (error = select_min(&wn, i, win)) < 0)             \
            goto done;                                                         \
    }                                                                          \
    done:                                                                      \
    spoor__free(wn.hashes);                                                    \
    spoor__free(wn.dq);                                                        \
    if (error < 0)                                                             \
        out->n = 0;                                                            \
    return error;

#define SYM_AT(i) s[i]

int spoor_winnow_u32(spoor_fps *out, const uint32_t *s, size_t n, unsigned k,
                     unsigned w, uint64_t seed)
{
    WINNOW_BODY(SYM_AT)
}

int spoor_winnow_bytes(spoor_fps *out, const unsigned char *s, size_t n,
                       unsigned k, unsigned w, uint64_t seed)
{
    WINNOW_BODY(SYM_AT)
}

void spoor_fps_dispose(spoor_fps *out)
{
    if (!out)
        return;
    spoor__free(out->v);
    out->v = NULL;
    out->n = out->cap = 0;
}
