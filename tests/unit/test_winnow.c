/*
 * test_winnow.c: the winnowing guarantee, as a property test.
 *
 * For many random pairs of texts with a planted shared passage of exactly
 * G = w + k - 1 symbols, at some random offset in each, the two texts must
 * share a fingerprint hash, and the region builder must recover the planted
 * span. With a planted passage shorter than k they must share none (the
 * texts are otherwise independent random strings over 36 symbols, so a
 * chance 32-gram match has probability ~ 36^-32).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <spoor/fingerprint.h>
#include <spoor/normalise.h>

#include "common/internal.h"
#include "match/match_int.h"
#include "normalise/normalise_int.h"
#include "fingerprint/fingerprint_int.h"
#include "fingerprint/winnow_int.h"

#define K SPOOR_TEXT_K
#define W SPOOR_TEXT_W
#define G (K + W - 1)

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

static void random_text(uint32_t *t, size_t n)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t i;
    for (i = 0; i < n; i++)
        t[i] = (uint32_t)alpha[rnd() % 36];
}

static size_t shared_hashes(const spoor_fps *a, const spoor_fps *b)
{
    size_t i, j, n = 0;
    for (i = 0; i < a->n; i++)
        for (j = 0; j < b->n; j++)
            if (a->v[i].hash == b->v[j].hash)
                n++;
    return n;
}

static void plant(size_t len, size_t *found, size_t rounds)
{
    size_t r;
    *found = 0;
    for (r = 0; r < rounds; r++) {
        size_t na = 200 + rnd() % 800, nb = 200 + rnd() % 800;
        uint32_t *a = malloc(na * sizeof(*a)), *b = malloc(nb * sizeof(*b));
        uint32_t *p = malloc(len * sizeof(*p));
        size_t pa = rnd() % (na - len), pb = rnd() % (nb - len);
        spoor_fps fa = SPOOR_FPS_INIT, fb = SPOOR_FPS_INIT;
        random_text(a, na);
        random_text(b, nb);
        random_text(p, len);
        memcpy(a + pa, p, len * sizeof(*p));
        memcpy(b + pb, p, len * sizeof(*p));
        /* the shared run is exactly len: its neighbours differ */
        if (pa > 0 && pb > 0 && a[pa - 1] == b[pb - 1])
            b[pb - 1] = a[pa - 1] == 'a' ? 'b' : 'a';
        if (a[pa + len] == b[pb + len])
            b[pb + len] = a[pa + len] == 'a' ? 'b' : 'a';
        assert_int_equal(spoor_winnow_u32(&fa, a, na, K, W, SPOOR_SEED_TEXT),
                         0);
        assert_int_equal(spoor_winnow_u32(&fb, b, nb, K, W, SPOOR_SEED_TEXT),
                         0);
        if (shared_hashes(&fa, &fb))
            (*found)++;
        spoor_fps_dispose(&fa);
        spoor_fps_dispose(&fb);
        free(a);
        free(b);
        free(p);
    }
}

static void test_winnow__planted_g_always_found(void **state)
{
    size_t found;
    (void)state;
    plant(G, &found, 2000);
    assert_int_equal(found, 2000);
}

static void test_winnow__shorter_than_k_never(void **state)
{
    size_t found;
    (void)state;
    plant(K - 1, &found, 2000);
    assert_int_equal(found, 0);
}

static void test_winnow__region_recovers_planted_span(void **state)
{
    size_t r;
    (void)state;
    for (r = 0; r < 300; r++) {
        size_t len = G + rnd() % 200, na = len + 100 + rnd() % 500,
               nb = len + 100 + rnd() % 500, i, j, n_hits = 0, n_reg = 0,
               cap = 0;
        size_t pa = rnd() % (na - len), pb = rnd() % (nb - len);
        spoor_canon ca = SPOOR_CANON_INIT, cb = SPOOR_CANON_INIT;
        spoor_fps fa = SPOOR_FPS_INIT, fb = SPOOR_FPS_INIT;
        spoor_hit hits[4096];
        spoor_region *regs = NULL;
        int ok = 0;

        ca.chars = malloc(na * 4);
        ca.start = malloc(na * 4);
        ca.end = malloc(na * 4);
        cb.chars = malloc(nb * 4);
        cb.start = malloc(nb * 4);
        cb.end = malloc(nb * 4);
        ca.len = ca.cap = na;
        cb.len = cb.cap = nb;
        random_text(ca.chars, na);
        random_text(cb.chars, nb);
        random_text(ca.chars + pa, len);
        memcpy(cb.chars + pb, ca.chars + pa, len * 4);
        for (i = 0; i < na; i++)
            ca.start[i] = (uint32_t)(2 * i), ca.end[i] = (uint32_t)(2 * i + 1);
        for (i = 0; i < nb; i++)
            cb.start[i] = (uint32_t)(3 * i), cb.end[i] = (uint32_t)(3 * i + 2);
        spoor_winnow_u32(&fa, ca.chars, na, K, W, SPOOR_SEED_TEXT);
        spoor_winnow_u32(&fb, cb.chars, nb, K, W, SPOOR_SEED_TEXT);
        for (i = 0; i < fa.n; i++)
            for (j = 0; j < fb.n; j++)
                if (fa.v[i].hash == fb.v[j].hash && n_hits < 4096) {
                    hits[n_hits].q = fa.v[i].pos;
                    hits[n_hits].s = fb.v[j].pos;
                    n_hits++;
                }
        assert_int_equal(spoor_match__text_regions(&ca, &cb, hits, n_hits, K, K,
                                                   NULL, &regs, &n_reg, &cap),
                         0);
        for (i = 0; i < n_reg; i++) {
            /* the region holds the planted span (chance extension by a
             * symbol or two at either end is allowed) */
            if (regs[i].qc_start <= pa && regs[i].qc_end >= pa + len &&
                regs[i].qc_start + 3 >= pa && regs[i].qc_end <= pa + len + 3 &&
                regs[i].sc_start + (pa - regs[i].qc_start) == pb &&
                regs[i].q_start == 2 * regs[i].qc_start &&
                regs[i].s_end == 3 * (regs[i].sc_end - 1) + 2)
                ok = 1;
        }
        assert_true(ok);
        free(regs);
        spoor_fps_dispose(&fa);
        spoor_fps_dispose(&fb);
        spoor_canon_dispose(&ca);
        spoor_canon_dispose(&cb);
    }
}

static void test_winnow__density_and_order(void **state)
{
    uint32_t t[20000];
    spoor_fps f = SPOOR_FPS_INIT;
    size_t i;
    double density;
    (void)state;
    random_text(t, 20000);
    assert_int_equal(spoor_winnow_u32(&f, t, 20000, K, W, SPOOR_SEED_TEXT), 0);
    for (i = 1; i < f.n; i++)
        assert_true(f.v[i].pos > f.v[i - 1].pos);
    /* expected density of winnowing is 2 / (w + 1) */
    density = (double)f.n / 20000.0;
    assert_true(density > 1.5 / (W + 1) && density < 2.5 / (W + 1));
    /* no window of w k-grams lacks a fingerprint */
    for (i = 1; i < f.n; i++)
        assert_true(f.v[i].pos - f.v[i - 1].pos <= W);
    spoor_fps_dispose(&f);
}

static void test_winnow__short_and_repetitive(void **state)
{
    uint32_t t[500];
    spoor_fps f = SPOOR_FPS_INIT;
    size_t i;
    (void)state;
    random_text(t, 40);
    assert_int_equal(spoor_winnow_u32(&f, t, K - 1, K, W, SPOOR_SEED_TEXT), 0);
    assert_int_equal(f.n, 0);
    assert_int_equal(spoor_winnow_u32(&f, t, K, K, W, SPOOR_SEED_TEXT), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(spoor_winnow_u32(&f, t, 40, K, W, SPOOR_SEED_TEXT), 0);
    assert_int_equal(f.n, 1); /* fewer than w k-grams: their minimum */
    for (i = 0; i < 500; i++)
        t[i] = 'a';
    assert_int_equal(spoor_winnow_u32(&f, t, 500, K, W, SPOOR_SEED_TEXT), 0);
    /* robust winnowing: one fingerprint per window in a constant run */
    assert_true(f.n <= 500 / W + 2);
    assert_int_equal(spoor_winnow_u32(&f, t, 500, 0, W, 0), SPOOR_EINVALID);
    spoor_fps_dispose(&f);
}

static void test_winnow__bytes_seed_differs(void **state)
{
    unsigned char b[300];
    uint32_t t[300];
    spoor_fps fb = SPOOR_FPS_INIT, ft = SPOOR_FPS_INIT;
    size_t i;
    (void)state;
    for (i = 0; i < 300; i++)
        b[i] = (unsigned char)(t[i] = rnd() % 256);
    spoor_winnow_bytes(&fb, b, 300, K, W, SPOOR_SEED_BYTES);
    spoor_winnow_u32(&ft, t, 300, K, W, SPOOR_SEED_TEXT);
    assert_int_equal(shared_hashes(&fb, &ft), 0);
    spoor_fps_dispose(&fb);
    spoor_fps_dispose(&ft);
}

/* ==== A slow reference: the fingerprints by definition ==== */

static uint64_t ref_splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t ref_rotl(uint64_t x, unsigned r)
{
    r %= 64;
    return r ? (x << r) | (x >> (64 - r)) : x;
}

/*
 * Hash of the k-gram at i: the xor of each symbol's value rotated by its
 * distance from the k-gram's end, then seeded and mixed (winnow.c's file
 * comment). Selection per window of win k-grams: the previous selection
 * while it is in the window and minimal, else the rightmost minimum (the
 * leftmost in the very first window); a fingerprint whenever it changes.
 */
static void ref_winnow(spoor_fps *out, const uint32_t *s, size_t n, unsigned k,
                       unsigned w, uint64_t seed)
{
    size_t m, win, i, t, sel = SIZE_MAX, emitted = SIZE_MAX;
    uint64_t *h;
    out->n = 0;
    if (n < k)
        return;
    m = n - k + 1;
    win = m < w ? m : w;
    h = malloc(m * sizeof(*h));
    for (i = 0; i < m; i++) {
        uint64_t x = 0;
        for (t = 0; t < k; t++)
            x ^= ref_rotl(ref_splitmix64((uint64_t)s[i + t] + 1), k - 1 - t);
        x = (x ^ seed) * 0xbf58476d1ce4e5b9ULL;
        h[i] = x ^ (x >> 31);
    }
    for (i = win - 1; i < m; i++) {
        size_t from = i + 1 - win, j;
        uint64_t mn = UINT64_MAX;
        for (j = from; j <= i; j++)
            mn = h[j] < mn ? h[j] : mn;
        if (sel == SIZE_MAX || sel < from || h[sel] != mn) {
            for (j = from; j <= i; j++)
                if (h[j] == mn) {
                    sel = j;
                    if (i + 1 == win)
                        break; /* first window: leftmost */
                }
        }
        if (sel != emitted) {
            if ((out->n & (out->n + 1)) == 0) /* n + 1 a power of two */
                out->v = realloc(out->v, 2 * (out->n + 1) * sizeof(*out->v));
            out->v[out->n].hash = h[sel];
            out->v[out->n].pos = (uint32_t)sel;
            out->n++;
            emitted = sel;
        }
    }
    free(h);
}

static void expect_same(const spoor_fps *got, const spoor_fps *want)
{
    size_t i;
    assert_int_equal(got->n, want->n);
    for (i = 0; i < got->n; i++) {
        assert_int_equal(got->v[i].pos, want->v[i].pos);
        assert_true(got->v[i].hash == want->v[i].hash);
    }
}

/* Each kernel (scalar; wide, where the CPU has it) against ref_winnow. */
static void expect_reference(const uint32_t *s, size_t n, unsigned k,
                             unsigned w)
{
    spoor_fps got = SPOOR_FPS_INIT, want = SPOOR_FPS_INIT;
    unsigned char *b = malloc(n + 1);
    size_t i, all_bytes = 1;
    int wide, have_wide = spoor_winnow__wide_enable(-1);
    for (i = 0; i < n; i++) {
        b[i] = (unsigned char)s[i];
        all_bytes &= s[i] < 256;
    }
    ref_winnow(&want, s, n, k, w, SPOOR_SEED_TEXT);
    for (wide = 0; wide <= have_wide; wide++) {
        spoor_winnow__wide_enable(wide);
        assert_int_equal(spoor_winnow_u32(&got, s, n, k, w, SPOOR_SEED_TEXT),
                         0);
        expect_same(&got, &want);
    }
    if (all_bytes) { /* the byte kernel: same rule, its own seed */
        ref_winnow(&want, s, n, k, w, SPOOR_SEED_BYTES);
        for (wide = 0; wide <= have_wide; wide++) {
            spoor_winnow__wide_enable(wide);
            assert_int_equal(
                spoor_winnow_bytes(&got, b, n, k, w, SPOOR_SEED_BYTES), 0);
            expect_same(&got, &want);
        }
    }
    spoor_winnow__wide_enable(have_wide);
    spoor_fps_dispose(&got);
    free(want.v);
    free(b);
}

/* The fast kernels (scalar, and wide where the CPU has it) select exactly
 * what the definition selects: on random text, on text over two letters
 * (many equal hashes, so the tie rules matter), on runs of one letter, and
 * on code points beyond 255; for the k and w the index uses and others, w a
 * power of two or not; texts shorter than a window and longer than the
 * wide kernel's block. */
static void test_winnow__same_as_reference(void **state)
{
    static const unsigned kw[][2] = {{SPOOR_TEXT_K, SPOOR_TEXT_W},
                                     {SPOOR_BYTES_K, SPOOR_BYTES_W},
                                     {1, 1},
                                     {2, 3},
                                     {3, 5},
                                     {4, 4},
                                     {5, 7},
                                     {8, 100}};
    static uint32_t t[20000];
    size_t c, r, i;
    (void)state;
    {
        for (c = 0; c < sizeof(kw) / sizeof(kw[0]); c++)
            for (r = 0; r < 40; r++) {
                /* short, then up to a few of the wide kernel's blocks */
                size_t n = r < 5    ? r * 7
                           : r < 36 ? rnd() % 3000
                                    : rnd() % 20000;
                for (i = 0; i < n; i++)
                    switch (r % 4) {
                    case 0:
                        t[i] = 'a' + rnd() % 26;
                        break;
                    case 1:
                        t[i] = 'a' + rnd() % 2;
                        break;
                    case 2:
                        t[i] = (i / 50) % 2 ? 'x' : 'y';
                        break;
                    default:
                        t[i] = rnd() % 4 ? 'a' + rnd() % 3 : 0x400 + rnd() % 3;
                    }
                expect_reference(t, n, kw[c][0], kw[c][1]);
            }
    }
}

/* Long texts, which the wide kernel walks in two halves at once: random
 * text; runs of one letter and of two alternating letters across the
 * middle (equal hashes tie there, so the halves may hold different
 * selections and must meet later or not at all); a text that is one run. */
static void test_winnow__long_texts_same_as_reference(void **state)
{
    static uint32_t t[70000];
    size_t n, i, c;
    (void)state;
    for (c = 0; c < 6; c++) {
        n = 40000 + c * 5000;
        for (i = 0; i < n; i++)
            t[i] = 'a' + rnd() % 26;
        switch (c) {
        case 1: /* a run of one letter over the middle */
            for (i = n / 2 - 300; i < n / 2 + 300; i++)
                t[i] = 'q';
            break;
        case 2: /* two letters alternating over the middle */
            for (i = n / 2 - 500; i < n / 2 + 500; i++)
                t[i] = i % 2 ? 'a' : 'b';
            break;
        case 3: /* one run from the middle to the end */
            for (i = n / 2 - 40; i < n; i++)
                t[i] = 'z';
            break;
        case 4: /* the whole text one run */
            for (i = 0; i < n; i++)
                t[i] = 'm';
            break;
        case 5: /* a period of 3 everywhere */
            for (i = 0; i < n; i++)
                t[i] = 'a' + i % 3;
            break;
        }
        expect_reference(t, n, SPOOR_TEXT_K, SPOOR_TEXT_W);
        expect_reference(t, n, 5, 7);
    }
}

/* A UTF-8 text of kind c (see test_winnow__text_in_pieces), len bytes. */
static void text_of_kind(char *t, size_t len, int c)
{
    static const char *const words[] = {"leak ",
                                        "dump ",
                                        "r\xc3\xa9sum\xc3\xa9 ",
                                        "1,234.50 ",
                                        "0.5 ",
                                        "\xef\xac\x81le ",
                                        "\xe6\x9d\xb1\xe4\xba\xac ",
                                        "stra\xc3\x9f"
                                        "e ",
                                        "\xff\xfe ",
                                        "3.14159 ",
                                        "Zoo. ",
                                        "--- ",
                                        "42 "};
    size_t i = 0;
    while (i < len) {
        const char *w;
        size_t n;
        switch (c) {
        case 0: /* words, numbers, accents, ligatures, CJK, bad bytes */
            w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
            break;
        case 1: /* one letter: every window ties */
            w = "a";
            break;
        case 2: /* a short period */
            w = "ab ";
            break;
        case 3: /* long stretches without a letter (no marks) */
            w = rnd() % 50 ? "12 " : "x ";
            break;
        default: /* a phrase repeated, and runs */
            w = rnd() % 3 ? "the same phrase again " : "aaaaaaaaaaaaaaaaaaaa";
        }
        n = strlen(w);
        if (n > len - i)
            n = len - i;
        memcpy(t + i, w, n);
        i += n;
    }
}

/* A sink that appends what it is handed to the spoor_fps it is given. */
static int collect(spoor_fps *out, void *ctx)
{
    spoor_fps *all = ctx;
    size_t i;
    for (i = 0; i < out->n; i++)
        assert_int_equal(spoor_fps__push(all, out->v[i].pos, out->v[i].hash),
                         0);
    out->n = 0;
    return 0;
}

/* What a sink of `at` was handed, then what out held last, in one. */
static void sink_then_rest(spoor_fps *all, const spoor_fps *rest)
{
    size_t i;
    for (i = 0; i < rest->n; i++)
        assert_int_equal(spoor_fps__push(all, rest->v[i].pos, rest->v[i].hash),
                         0);
}

/* Fingerprinting a text piece by piece (stream.c) gives the fingerprints
 * and the character count of the whole canonical text at once, with both
 * kernels, for pieces of many sizes: on prose with numbers and non-ASCII
 * text cut anywhere, on runs and periods (equal hashes, so the selection a
 * run goes on from is one of several equal ones), on text with long
 * stretches without a mark, and on text whose pieces hold almost
 * nothing. */
static void test_winnow__text_in_pieces(void **state)
{
    /* 50,000: runs long enough for the wide kernel's two walks */
    static const size_t pieces[] = {1, 40, 333, 1024, 4096, 9000, 50000};
    static const size_t lens[] = {20000, 60000, 200000};
    static char t[200000];
    spoor_canon whole = SPOOR_CANON_INIT, scratch = SPOOR_CANON_INIT;
    spoor_fps got = SPOOR_FPS_INIT, want = SPOOR_FPS_INIT;
    int have_wide = spoor_winnow__wide_enable(-1), wide, c;
    size_t p, l, len, nchars;
    (void)state;
    for (c = 0; c < 5; c++)
        for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            len = lens[l];
            text_of_kind(t, len, c);
            assert_int_equal(spoor_normalise__chars(&whole, t, len), 0);
            ref_winnow(&want, whole.chars, whole.len, K, W, SPOOR_SEED_TEXT);
            for (wide = 0; wide <= have_wide; wide++) {
                spoor_winnow__wide_enable(wide);
                for (p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
                    assert_int_equal(spoor_fingerprint__text(&got, &nchars,
                                                             &scratch, t, len,
                                                             pieces[p], NULL),
                                     0);
                    assert_int_equal(nchars, whole.len);
                    expect_same(&got, &want);
                    { /* with a sink taking them as they pile up */
                        spoor_fps all = SPOOR_FPS_INIT;
                        spoor_fps_sink sink = {50,   collect, &all,
                                               NULL, NULL,    NULL};
                        assert_int_equal(
                            spoor_fingerprint__text(&got, &nchars, &scratch, t,
                                                    len, pieces[p], &sink),
                            0);
                        sink_then_rest(&all, &got);
                        expect_same(&all, &want);
                        spoor_fps_dispose(&all);
                    }
                }
                /* the default piece: these texts are short, done at once */
                assert_int_equal(spoor_fingerprint__text(
                                     &got, &nchars, &scratch, t, len, 0, NULL),
                                 0);
                assert_int_equal(nchars, whole.len);
                expect_same(&got, &want);
            }
        }
    spoor_winnow__wide_enable(have_wide);
    spoor_canon_dispose(&whole);
    spoor_canon_dispose(&scratch);
    spoor_fps_dispose(&got);
    free(want.v);
}

/* Counts the calls of spoor_fingerprint__bytes's done callback and checks
 * that what it hands back only grows. */
typedef struct bytes_done {
    const unsigned char *last;
    int calls;
} bytes_done;

static void note_done(const unsigned char *upto, void *ctx)
{
    bytes_done *d = ctx;
    assert_true(upto >= d->last);
    d->last = upto;
    d->calls++;
}

/* Fingerprinting bytes run by run (stream.c) gives the fingerprints of the
 * whole sequence at once, with both kernels, for runs of many sizes: on
 * random bytes, on zeros (every hash equal), on a short period and on text;
 * and hands back every byte once the last run is read. */
static void test_winnow__bytes_in_runs(void **state)
{
    static const size_t runs[] = {1, 700, 4096, 65536};
    static unsigned char b[300000];
    spoor_fps got = SPOOR_FPS_INIT, want = SPOOR_FPS_INIT;
    int have_wide = spoor_winnow__wide_enable(-1), wide, c;
    size_t r, i, len = sizeof(b);
    (void)state;
    for (c = 0; c < 4; c++) {
        for (i = 0; i < len; i++)
            b[i] = c == 0   ? (unsigned char)(rnd() >> 7)
                   : c == 1 ? 0
                   : c == 2 ? (unsigned char)(i % 7)
                            : (unsigned char)"the same phrase again "[i % 22];
        assert_int_equal(spoor_winnow_bytes(&want, b, len, SPOOR_BYTES_K,
                                            SPOOR_BYTES_W, SPOOR_SEED_BYTES),
                         0);
        for (wide = 0; wide <= have_wide; wide++) {
            spoor_winnow__wide_enable(wide);
            for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
                bytes_done d = {b, 0};
                assert_int_equal(spoor_fingerprint__bytes(&got, b, len, runs[r],
                                                          note_done, &d, NULL),
                                 0);
                expect_same(&got, &want);
                assert_ptr_equal(d.last, b + len);
                assert_true(runs[r] > len / 2 || d.calls > 1);
                { /* with a sink taking them as they pile up */
                    spoor_fps all = SPOOR_FPS_INIT;
                    spoor_fps_sink sink = {10, collect, &all, NULL, NULL, NULL};
                    assert_int_equal(spoor_fingerprint__bytes(&got, b, len,
                                                              runs[r], NULL,
                                                              NULL, &sink),
                                     0);
                    sink_then_rest(&all, &got);
                    expect_same(&all, &want);
                    spoor_fps_dispose(&all);
                }
            }
        }
    }
    spoor_winnow__wide_enable(have_wide);
    spoor_fps_dispose(&got);
    spoor_fps_dispose(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_winnow__planted_g_always_found),
        cmocka_unit_test(test_winnow__shorter_than_k_never),
        cmocka_unit_test(test_winnow__region_recovers_planted_span),
        cmocka_unit_test(test_winnow__density_and_order),
        cmocka_unit_test(test_winnow__short_and_repetitive),
        cmocka_unit_test(test_winnow__bytes_seed_differs),
        cmocka_unit_test(test_winnow__same_as_reference),
        cmocka_unit_test(test_winnow__long_texts_same_as_reference),
        cmocka_unit_test(test_winnow__text_in_pieces),
        cmocka_unit_test(test_winnow__bytes_in_runs),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("winnow", tests, NULL, NULL);
}
