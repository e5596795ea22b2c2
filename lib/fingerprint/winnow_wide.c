/*
 * winnow_wide.c: the winnowing kernel with AVX-512 (F and DQ). It selects
 * exactly the fingerprints of winnow.c's scalar kernel (same hash, same
 * robust rule) in two passes over blocks of k-grams.
 *
 * Hashes. The cyclic polynomial is linear: with u_j = rotl(T(s_j), -j mod
 * 64) and the prefix xor P_m = u_0 ^ ... ^ u_(m-1), the hash of the k-gram
 * at i is rotl(P_(i+k) ^ P_i, (i + k - 1) mod 64), so eight symbols take one
 * step of a prefix xor instead of eight steps of a chain. The prefix may
 * start anywhere (a common part cancels), so each block starts afresh.
 * T(c) = splitmix64(c + 1) is computed in the vector (the scalar kernel's
 * table holds the same values).
 *
 * Selection. From a selected k-gram sel, the next selection is the first
 * later k-gram with a smaller hash while sel is still in the window (eight
 * hashes compared per step), or, when sel leaves the window, the rightmost
 * minimum of the window that follows it. The first window takes its
 * leftmost minimum. That is winnow.c's rule, visited once per selection
 * (about 2 / (w + 1) of the k-grams) instead of once per k-gram, without
 * its data-dependent branches per k-gram.
 */
#include <string.h>

#include <spoor/error.h>
#include <spoor/fingerprint.h>

#include "../common/internal.h"
#include "winnow_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define WIDE __attribute__((target("avx512f,avx512dq")))

/* k-grams hashed per refill of the hash buffer (at least w + 1) */
#define BLOCK 4096

typedef struct wide {
    const void *s; /* symbols: uint32_t, or bytes */
    int bytes;
    size_t n, m; /* symbols, k-grams */
    unsigned k;
    uint64_t seed;
    uint64_t *x; /* hashes of k-grams [base, base + cnt) */
    uint64_t *p; /* prefix xors of one block */
    size_t base, cnt, chunk;
} wide;

WIDE static inline __m512i splitmix_v(__m512i x)
{
    x = _mm512_add_epi64(x,
                         _mm512_set1_epi64((long long)0x9e3779b97f4a7c15ULL));
    x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 30)),
                           _mm512_set1_epi64((long long)0xbf58476d1ce4e5b9ULL));
    x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 27)),
                           _mm512_set1_epi64((long long)0x94d049bb133111ebULL));
    return _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
}

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
    r &= 63;
    return r ? (x << r) | (x >> (64 - r)) : x;
}

static inline uint64_t sym_at(const wide *w, size_t j)
{
    uint64_t c = w->bytes ? ((const unsigned char *)w->s)[j]
                          : ((const uint32_t *)w->s)[j];
    return spoor_winnow__splitmix(c + 1);
}

/* Hashes of the cnt k-grams from i0 into out (w->p is scratch for
 * cnt + k prefix values). */
WIDE static void hash_block(wide *w, size_t i0, size_t cnt, uint64_t *out)
{
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi64(1),
                  m63 = _mm512_set1_epi64(63), last = _mm512_set1_epi64(7),
                  iota = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
                  seed = _mm512_set1_epi64((long long)w->seed),
                  mul = _mm512_set1_epi64((long long)0xbf58476d1ce4e5b9ULL);
    size_t nsym = cnt + w->k - 1, t;
    uint64_t *p = w->p, carry = 0;
    __m512i pv = zero;

    /* p[t] = u_(i0) ^ ... ^ u_(i0 + t - 1) */
    p[0] = 0;
    for (t = 0; t + 8 <= nsym; t += 8) {
        __m512i c, u,
            idx =
                _mm512_add_epi64(_mm512_set1_epi64((long long)(i0 + t)), iota);
        if (w->bytes)
            c = _mm512_cvtepu8_epi64(_mm_loadl_epi64(
                (const __m128i *)((const unsigned char *)w->s + i0 + t)));
        else
            c = _mm512_cvtepu32_epi64(_mm256_loadu_si256(
                (const __m256i *)((const uint32_t *)w->s + i0 + t)));
        u = splitmix_v(_mm512_add_epi64(c, one));
        u = _mm512_rolv_epi64(
            u, _mm512_and_si512(_mm512_sub_epi64(zero, idx), m63));
        u = _mm512_xor_si512(u, _mm512_alignr_epi64(u, zero, 7));
        u = _mm512_xor_si512(u, _mm512_alignr_epi64(u, zero, 6));
        u = _mm512_xor_si512(u, _mm512_alignr_epi64(u, zero, 4));
        pv = _mm512_xor_si512(u, _mm512_permutexvar_epi64(last, pv));
        _mm512_storeu_si512((void *)(p + t + 1), pv);
    }
    if (t > 0)
        carry = p[t];
    for (; t < nsym; t++) {
        carry ^= rotl64(sym_at(w, i0 + t), (unsigned)(0 - (i0 + t)));
        p[t + 1] = carry;
    }
    /* out[i] = mix(rotl(p[i + k] ^ p[i], i0 + i + k - 1) ^ seed) */
    for (t = 0; t + 8 <= cnt; t += 8) {
        __m512i h =
            _mm512_xor_si512(_mm512_loadu_si512((const void *)(p + t + w->k)),
                             _mm512_loadu_si512((const void *)(p + t)));
        __m512i r = _mm512_and_si512(
            _mm512_add_epi64(_mm512_set1_epi64((long long)(i0 + t + w->k - 1)),
                             iota),
            m63);
        h = _mm512_xor_si512(_mm512_rolv_epi64(h, r), seed);
        h = _mm512_mullo_epi64(h, mul);
        _mm512_storeu_si512((void *)(out + t),
                            _mm512_xor_si512(h, _mm512_srli_epi64(h, 31)));
    }
    for (; t < cnt; t++)
        out[t] = spoor_winnow__mix(
            rotl64(p[t + w->k] ^ p[t], (unsigned)(i0 + t + w->k - 1)) ^
            w->seed);
}

/* Keep the hashes from lo on (lo >= base), then hash the next chunk. */
WIDE static void refill(wide *w, size_t lo)
{
    size_t keep, add;
    keep = w->base + w->cnt - lo;
    memmove(w->x, w->x + (lo - w->base), keep * sizeof(uint64_t));
    w->base = lo;
    w->cnt = keep;
    add = w->m - (lo + keep);
    if (add > w->chunk)
        add = w->chunk;
    hash_block(w, lo + keep, add, w->x + keep);
    w->cnt += add;
}

/* Make hashes [lo, hi] available (base <= lo <= base + cnt, hi < m, hi - lo
 * <= the window). */
WIDE __attribute__((always_inline)) static inline void need(wide *w, size_t lo,
                                                            size_t hi)
{
    if (hi >= w->base + w->cnt)
        refill(w, lo);
}

#define INLINE WIDE __attribute__((always_inline)) static inline

/* Bits i set for x[i] < v (x[i] == v when equal), i < cnt <= 64. */
INLINE uint64_t compare_mask(const uint64_t *x, size_t cnt, uint64_t v,
                             int equal)
{
    const __m512i vv = _mm512_set1_epi64((long long)v);
    uint64_t mask = 0;
    size_t g;
    for (g = 0; g < cnt; g += 8) {
        __mmask8 in = cnt - g >= 8 ? 0xff : (__mmask8)((1u << (cnt - g)) - 1);
        __m512i xs = _mm512_maskz_loadu_epi64(in, x + g);
        mask |= (uint64_t)(equal ? _mm512_mask_cmpeq_epu64_mask(in, xs, vv)
                                 : _mm512_mask_cmplt_epu64_mask(in, xs, vv))
                << g;
    }
    return mask;
}

INLINE uint64_t below_mask(const uint64_t *x, size_t cnt, uint64_t v)
{
    return compare_mask(x, cnt, v, 0);
}

INLINE uint64_t equal_mask(const uint64_t *x, size_t cnt, uint64_t v)
{
    return compare_mask(x, cnt, v, 1);
}

/* The first i < cnt with x[i] < v, or cnt. */
INLINE size_t first_below(const uint64_t *x, size_t cnt, uint64_t v)
{
    size_t g;
    for (g = 0; g < cnt; g += 64) {
        uint64_t mask = below_mask(x + g, cnt - g < 64 ? cnt - g : 64, v);
        if (mask)
            return g + (size_t)__builtin_ctzll(mask);
    }
    return cnt;
}

/* The least of x[0..cnt), cnt >= 1. */
INLINE uint64_t least(const uint64_t *x, size_t cnt)
{
    const __m512i ones = _mm512_set1_epi64(-1);
    __m512i mn = ones;
    size_t g;
    for (g = 0; g < cnt; g += 8) {
        __mmask8 in = cnt - g >= 8 ? 0xff : (__mmask8)((1u << (cnt - g)) - 1);
        mn = _mm512_min_epu64(mn, _mm512_mask_loadu_epi64(ones, in, x + g));
    }
    return _mm512_reduce_min_epu64(mn);
}

/* The rightmost i < cnt with x[i] == v (there is one). */
INLINE size_t rightmost(const uint64_t *x, size_t cnt, uint64_t v)
{
    const __m512i vv = _mm512_set1_epi64((long long)v);
    size_t g = cnt;
    while (g > 0) {
        size_t at = g >= 8 ? g - 8 : 0;
        __mmask8 in = (__mmask8)((1u << (g - at)) - 1);
        __mmask8 eq = _mm512_mask_cmpeq_epu64_mask(
            in, _mm512_maskz_loadu_epi64(in, x + at), vv);
        if (eq)
            return at + 31 - (size_t)__builtin_clz((unsigned)eq);
        g = at;
    }
    return 0; /* not reached */
}

/* Append (pos, hash) to out. */
INLINE int push(spoor_fps *out, size_t pos, uint64_t hash)
{
    if (out->n == out->cap)
        return spoor_fps__push(out, pos, hash);
    out->v[out->n].hash = hash;
    out->v[out->n].pos = (uint32_t)pos;
    out->n++;
    return 0;
}

/* A selection walk (see the top of the file) over the hashes of w. */
typedef struct walker {
    wide w;
    size_t sel;     /* the selected k-gram, not yet emitted */
    spoor_fps *out; /* where its fingerprints go */
} walker;

/* The first selection of a walk from k-gram `from`: the leftmost minimum
 * of the first window (right: the rightmost). */
INLINE size_t first_selection(wide *w, size_t from, size_t win, int right)
{
    const uint64_t *x;
    uint64_t v;
    size_t i;
    need(w, from, from + win - 1);
    x = w->x + (from - w->base);
    v = least(x, win);
    if (right)
        return from + rightmost(x, win, v);
    for (i = 0; x[i] != v; i++)
        ;
    return from + i;
}

/* Emit r's selection and move to the next: 1 when there is none (the walk
 * is over), 0, or SPOOR_ENOMEM. win is a constant in the specialised
 * kernel, so the scans unroll. */
INLINE int step(walker *r, size_t win)
{
    wide *w = &r->w;
    const size_t last = w->m - 1;
    size_t sel = r->sel, to, i;
    uint64_t v = w->x[sel - w->base];
    int error;

    if ((error = push(r->out, sel, v)) < 0)
        return error;
    if (win <= 64 && sel + win <= last) {
        /* both the next smaller arrival and the window after sel, then a
         * choice without a branch: which one it is cannot be predicted,
         * and a miss cost more than the work */
        const uint64_t *x;
        uint64_t below, at;
        need(w, sel, sel + win);
        x = w->x + (sel + 1 - w->base);
        below = below_mask(x, win - 1, v);
        at = 63 - (uint64_t)__builtin_clzll(equal_mask(x, win, least(x, win)));
        r->sel = sel + 1 + (below ? (uint64_t)__builtin_ctzll(below) : at);
        return 0;
    }
    /* while sel is in the window, a smaller arrival takes over */
    to = sel + win - 1 < last ? sel + win - 1 : last;
    need(w, sel, to);
    i = to - sel == win - 1 /* the whole window: a constant count */
            ? first_below(w->x + (sel + 1 - w->base), win - 1, v)
            : first_below(w->x + (sel + 1 - w->base), to - sel, v);
    if (i < to - sel) {
        r->sel = sel + 1 + i;
        return 0;
    }
    if (to == last)
        return 1;
    /* sel leaves: the window after it, rightmost minimum */
    need(w, sel + 1, sel + win);
    {
        const uint64_t *x = w->x + (sel + 1 - w->base);
        r->sel = sel + 1 + rightmost(x, win, least(x, win));
    }
    return 0;
}

/* The first selection of a's walk: the leftmost minimum of the first
 * window, or with cont k-gram 0, the selection the walk goes on from. */
INLINE size_t start_of(walker *a, size_t win, int cont)
{
    if (!cont)
        return first_selection(&a->w, 0, win, 0);
    need(&a->w, 0, 0); /* its hash, which the first step reads */
    return 0;
}

/* The whole walk of a. */
INLINE int walk_one(walker *a, size_t win, int cont)
{
    int rc;
    a->sel = start_of(a, win, cont);
    while ((rc = step(a, win)) == 0)
        ;
    return rc < 0 ? rc : 0;
}

/*
 * Two walks at once, for a long text: a from the start, b from the middle
 * (its first selection the rightmost minimum of its first window), stepped
 * in turn so that the processor overlaps their chains of dependent loads
 * and compares. Where a reaches a k-gram b selected, the walks agree from
 * there on (the next selection depends on the selection only): a stops and
 * b's fingerprints from that one on follow a's. Both hold a minimum of
 * every window they pass, so they meet at b's first window unless equal
 * hashes tie there; if they never meet, a's walk is the whole answer.
 */
INLINE int walk_two(walker *a, walker *b, size_t win, int cont)
{
    spoor_fps *tail = b->out;
    size_t j = 0, met = SIZE_MAX;
    int ra = 0, rb = 0;

    a->sel = start_of(a, win, cont);
    b->sel = first_selection(&b->w, b->w.base, win, 1);
    while (ra == 0 && met == SIZE_MAX) {
        if (rb == 0)
            rb = step(b, win);
        if (rb < 0)
            return rb;
        /* does a stand where b has been? */
        while (j < tail->n && tail->v[j].pos < a->sel)
            j++;
        if (j < tail->n && tail->v[j].pos == a->sel) {
            met = j;
            break;
        }
        ra = step(a, win);
    }
    if (ra < 0)
        return ra;
    if (met == SIZE_MAX)
        return 0; /* a walked to the end */
    while (rb == 0)
        rb = step(b, win);
    if (rb < 0)
        return rb;
    for (j = met; j < tail->n; j++)
        if (push(a->out, tail->v[j].pos, tail->v[j].hash) < 0)
            return SPOOR_ENOMEM;
    return 0;
}

WIDE static int walk_text(walker *a, walker *b, int cont)
{
    return b ? walk_two(a, b, SPOOR_TEXT_W, cont)
             : walk_one(a, SPOOR_TEXT_W, cont);
}

WIDE static int walk_any(walker *a, walker *b, size_t win, int cont)
{
    return b ? walk_two(a, b, win, cont) : walk_one(a, win, cont);
}

/* Set up w for symbols s (see wide) with its hashes starting at k-gram
 * base. @return 0 or SPOOR_ENOMEM. */
static int wide_init(wide *w, const void *s, int bytes, size_t n, unsigned k,
                     unsigned win, uint64_t seed, size_t base)
{
    memset(w, 0, sizeof(*w));
    w->s = s;
    w->bytes = bytes;
    w->n = n;
    w->m = n - k + 1;
    w->k = k;
    w->seed = seed;
    w->base = base;
    /* a short text's buffers hold the text's k-grams, not a block's */
    w->chunk = w->m - base < BLOCK ? w->m - base : BLOCK;
    if (w->chunk < (size_t)win + 1)
        w->chunk = (size_t)win + 1;
    w->x = spoor__reallocarray(NULL, w->chunk + win + 8, sizeof(uint64_t));
    w->p = spoor__reallocarray(NULL, w->chunk + k + 8, sizeof(uint64_t));
    return w->x && w->p ? 0 : spoor__error_oom();
}

static void wide_dispose(wide *w)
{
    spoor__free(w->x);
    spoor__free(w->p);
}

/* Texts of at least this many k-grams are walked in two halves at once. */
#define TWO_WALKS_MIN (4 * BLOCK)

WIDE int spoor_winnow__wide(spoor_fps *out, const void *s, int bytes, size_t n,
                            unsigned k, unsigned win, uint64_t seed, int cont)
{
    walker a, b;
    spoor_fps tail = SPOOR_FPS_INIT;
    size_t m = n - k + 1;
    int two = m >= TWO_WALKS_MIN && win <= 64, error;

    out->n = 0;
    memset(&b, 0, sizeof(b));
    a.out = out;
    b.out = &tail;
    if ((error = wide_init(&a.w, s, bytes, n, k, win, seed, 0)) < 0 ||
        (two &&
         (error = wide_init(&b.w, s, bytes, n, k, win, seed, m / 2)) < 0) ||
        (error = spoor__array_reserve((void **)&out->v, &out->cap,
                                      m / (win / 2 + 1) + 16,
                                      sizeof(spoor_fp))) < 0)
        goto done;
    error = win == SPOOR_TEXT_W ? walk_text(&a, two ? &b : NULL, cont)
                                : walk_any(&a, two ? &b : NULL, win, cont);
    if (!error && cont) { /* k-gram 0 was emitted before */
        memmove(out->v, out->v + 1, (out->n - 1) * sizeof(spoor_fp));
        out->n--;
    }
done:
    wide_dispose(&a.w);
    wide_dispose(&b.w);
    spoor_fps_dispose(&tail);
    if (error < 0)
        out->n = 0;
    return error;
}

#else /* no wide kernel on this platform */

int spoor_winnow__wide(spoor_fps *out, const void *s, int bytes, size_t n,
                       unsigned k, unsigned win, uint64_t seed, int cont)
{
    (void)out, (void)s, (void)bytes, (void)n, (void)k, (void)win, (void)seed;
    (void)cont;
    return spoor__error_set(SPOOR_EINVALID, "no wide winnowing kernel");
}

#endif
