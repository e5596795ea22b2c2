/*
 * test_match.c: region chaining, extension, coverage arithmetic and verdict
 * thresholds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <spoor/fingerprint.h>
#include <spoor/item.h>
#include <spoor/match.h>

#include "match/match_int.h"
#include "normalise/normalise_int.h"

static void canon_from(spoor_canon *c, const char *s)
{
    size_t n = strlen(s), i;
    c->chars = malloc((n + 1) * 4);
    c->start = malloc((n + 1) * 4);
    c->end = malloc((n + 1) * 4);
    for (i = 0; i < n; i++) {
        c->chars[i] = (unsigned char)s[i];
        c->start[i] = (uint32_t)i;
        c->end[i] = (uint32_t)i + 1;
    }
    c->len = c->cap = n;
}

static void test_match__coverage_union(void **state)
{
    size_t a[] = {0, 10, 5, 50, 90};
    size_t b[] = {10, 20, 15, 60, 200}; /* last one clipped to total */
    (void)state;
    assert_float_equal(spoor_coverage(a, b, 5, 100), 0.40, 1e-9);
    assert_float_equal(spoor_coverage(a, b, 0, 100), 0.0, 1e-9);
    assert_float_equal(spoor_coverage(a, b, 5, 0), 0.0, 1e-9);
    {
        size_t s[] = {0}, e[] = {100};
        assert_float_equal(spoor_coverage(s, e, 1, 100), 1.0, 1e-9);
    }
    {
        size_t s[] = {30, 0, 10}, e[] = {40, 10, 30}; /* adjacent ranges */
        assert_float_equal(spoor_coverage(s, e, 3, 80), 0.5, 1e-9);
    }
}

static void test_match__extend_and_chain(void **state)
{
    /* shared run "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH" (44 chars)
     * sits at 5 in q and 10 in s; two hits on its diagonal give one region */
    const char *run = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";
    char q[128], s[128];
    spoor_canon cq = SPOOR_CANON_INIT, cs = SPOOR_CANON_INIT;
    spoor_hit hits[3] = {{12, 17}, {5, 10}, {0, 70}}; /* last: collision */
    spoor_region *r = NULL;
    size_t n = 0, cap = 0;
    (void)state;
    snprintf(q, sizeof(q), "QQQQQ%sqqqqqqqqqq", run);
    snprintf(s, sizeof(s), "SSSSSSSSSS%sssssssssssssssssssssss", run);
    canon_from(&cq, q);
    canon_from(&cs, s);
    assert_int_equal(spoor_match__text_regions(&cq, &cs, hits, 3, 32, 32, NULL,
                                               &r, &n, &cap),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].qc_start, 5);
    assert_int_equal(r[0].qc_end, 5 + 44);
    assert_int_equal(r[0].sc_start, 10);
    assert_int_equal(r[0].sc_end, 10 + 44);
    assert_int_equal(r[0].q_start, 5);
    assert_int_equal(r[0].s_end, 54);
    free(r);
    spoor_canon_dispose(&cq);
    spoor_canon_dispose(&cs);
}

static void test_match__two_diagonals_min_region(void **state)
{
    /* the same 40-char passage twice in s: two regions, one per diagonal;
     * a min_region above 40 keeps neither */
    const char *p = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    char q[128], s[256];
    spoor_canon cq = SPOOR_CANON_INIT, cs = SPOOR_CANON_INIT;
    spoor_hit hits[2] = {{3, 3}, {3, 60}};
    spoor_region *r = NULL;
    size_t n = 0, cap = 0;
    (void)state;
    snprintf(q, sizeof(q), "xyz%s!!!", p);
    snprintf(s, sizeof(s), "---%s-----------------%s---", p, p);
    canon_from(&cq, q);
    canon_from(&cs, s);
    assert_int_equal(spoor_match__text_regions(&cq, &cs, hits, 2, 32, 32, NULL,
                                               &r, &n, &cap),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].qc_start, 3);
    assert_int_equal(r[0].qc_end, 43);
    assert_true(r[0].sc_start == 3 || r[0].sc_start == 60);
    assert_true(r[1].sc_start != r[0].sc_start);
    free(r);
    r = NULL;
    n = cap = 0;
    assert_int_equal(spoor_match__text_regions(&cq, &cs, hits, 2, 32, 41, NULL,
                                               &r, &n, &cap),
                     0);
    assert_int_equal(n, 0);
    free(r);
    spoor_canon_dispose(&cq);
    spoor_canon_dispose(&cs);
}

static void test_match__byte_chains(void **state)
{
    spoor_hit hits[4] = {{0, 100}, {150, 250}, {400, 500}, {10, 900}};
    spoor_region *r = NULL;
    size_t n = 0, cap = 0;
    (void)state;
    /* k=64, w=192: 0 and 150 chain (gap <= 256), 400 too (gap 250), the
     * last hit is on another diagonal */
    assert_int_equal(spoor_match__byte_regions(hits, 4, 64, 192, &r, &n, &cap),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].q_start, 0);
    assert_int_equal(r[0].q_end, 464);
    assert_int_equal(r[0].s_start, 100);
    assert_int_equal(r[1].q_start, 10);
    assert_int_equal(r[1].q_end, 74);
    free(r);
}

static void test_match__compare_items(void **state)
{
    const char *passage =
        "The board approved the restructuring of the distribution unit, "
        "with the loss of two hundred positions before the end of the year.";
    char a[1024], b[1024];
    spoor_item ia, ib;
    spoor_region *r = NULL;
    size_t n = 0;
    (void)state;
    snprintf(a, sizeof(a), "Memo to all staff.\n\n%s\n\nRegards, HR", passage);
    /* b: the passage re-wrapped and quoted inside other text */
    snprintf(b, sizeof(b),
             "Unrelated opening sentence about lunch menus.\n> The board "
             "approved the restructuring of the\n> distribution unit, with "
             "the loss of two hundred\n> positions before the end of the "
             "year.\nThanks.");
    memset(&ia, 0, sizeof(ia));
    memset(&ib, 0, sizeof(ib));
    assert_int_equal(spoor_item_from_text(&ia, a, strlen(a)), 0);
    assert_int_equal(spoor_item_from_text(&ib, b, strlen(b)), 0);
    assert_int_equal(spoor_compare(&r, &n, &ia, &ib, 32), 0);
    assert_int_equal(n, 1);
    /* the region covers the passage exactly in a's text */
    assert_int_equal(r[0].q_start, strstr(a, "The board") - a);
    assert_int_equal(r[0].q_end, strstr(a, "year.") - a + 4);
    assert_int_equal(r[0].s_start, strstr(b, "The board") - b);
    assert_int_equal(r[0].s_end, strstr(b, "year.") - b + 4);
    spoor_regions_free(r);
    spoor_item_dispose(&ia);
    spoor_item_dispose(&ib);
}

static void test_match__verdict_thresholds(void **state)
{
    spoor_check_opts o = SPOOR_CHECK_OPTS_INIT;
    (void)state;
    assert_string_equal(spoor_verdict(0.80, 0, 500, &o), "released");
    assert_string_equal(spoor_verdict(1.0, 1.0, 1000, &o), "released");
    assert_string_equal(spoor_verdict(0.79, 1.0, 500, &o),
                        "partially-released");
    /* substance: at least 150 characters and 5 % of the item */
    assert_string_equal(spoor_verdict(0.05, 0, 150, &o), "partially-released");
    assert_string_equal(spoor_verdict(0.05, 0, 149, &o), "unknown");
    assert_string_equal(spoor_verdict(0.0499, 0.9, 5000, &o), "internal-only");
    assert_string_equal(spoor_verdict(0.03, 0, 63, &o), "unknown");
    assert_string_equal(spoor_verdict(0, 0.5, 0, &o), "internal-only");
    assert_string_equal(spoor_verdict(0, 0.49, 0, &o), "unknown");
    assert_string_equal(spoor_verdict(0, 0, 0, &o), "unknown");
    o.min_evidence = 50;
    o.min_share = 0.01;
    assert_string_equal(spoor_verdict(0.01, 0, 50, &o), "partially-released");
    o.released_min = 0.5;
    o.internal_min = 0.9;
    assert_string_equal(spoor_verdict(0.5, 0, 100, &o), "released");
    assert_string_equal(spoor_verdict(0, 0.8, 0, &o), "unknown");
}

/* Text that exercises every rule of normalisation near stretch edges:
 * words, numbers with points and thousands separators, non-ASCII letters
 * and ligatures, CJK runs with no ASCII letter, punctuation and invalid
 * UTF-8. Deterministic. */
static char *mixed_text(size_t want, unsigned seed, size_t *len)
{
    static const char *const parts[] = {
        "board ",
        "Approved ",
        "the ",
        "1,234.50 ",
        "1234.500 ",
        "3.14 ",
        "v1.000.000 ",
        "caf\xc3\xa9 ",
        "\xef\xac\x81nance ",
        "-- ",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
        "\xff\xfe",
        ".\n",
        "x.5 ",
        "a.b.c ",
        "42",
        "\xe2\x80\x9cquoted\xe2\x80\x9d ",
        "Stra\303\237e ",
        "0.0 ",
        ",,, ",
    };
    char *t = malloc(want + 64);
    size_t n = 0;
    unsigned x = seed * 2654435761u + 1;
    while (n < want) {
        const char *p;
        x = x * 1103515245u + 12345u;
        p = parts[(x >> 16) % (sizeof(parts) / sizeof(parts[0]))];
        memcpy(t + n, p, strlen(p));
        n += strlen(p);
    }
    *len = n;
    return t;
}

/* Fingerprint hits between canonical texts a and b, by brute force. */
static size_t join_hits(const spoor_canon *a, const spoor_canon *b,
                        spoor_hit **hits)
{
    spoor_fps fa = {NULL, 0, 0}, fb = {NULL, 0, 0};
    size_t i, j, n = 0, cap = 16;
    *hits = malloc(cap * sizeof(**hits));
    spoor_winnow_u32(&fa, a->chars, a->len, SPOOR_TEXT_K, SPOOR_TEXT_W,
                     SPOOR_SEED_TEXT);
    spoor_winnow_u32(&fb, b->chars, b->len, SPOOR_TEXT_K, SPOOR_TEXT_W,
                     SPOOR_SEED_TEXT);
    for (i = 0; i < fa.n; i++)
        for (j = 0; j < fb.n; j++)
            if (fa.v[i].hash == fb.v[j].hash) {
                if (n == cap)
                    *hits = realloc(*hits, (cap *= 2) * sizeof(**hits));
                (*hits)[n].q = fa.v[i].pos;
                (*hits)[n].s = fb.v[j].pos;
                n++;
            }
    spoor_fps_dispose(&fa);
    spoor_fps_dispose(&fb);
    return n;
}

/* Normalising stretches of a long source around the hits gives exactly the
 * regions of normalising the whole source: excerpts of one place, of two
 * distant places, cut inside numbers and multibyte characters. */
static void test_match__source_regions_equal_whole(void **state)
{
    size_t len, cuts[][2] = {{100003, 600},  {7, 900},     {250001, 3000},
                             {299000, 1000}, {150000, 64}, {123457, 20000},
                             {0, 300000}};
    char *src = mixed_text(300000, 1, &len);
    spoor_canon whole = SPOOR_CANON_INIT, cq = SPOOR_CANON_INIT;
    size_t c;
    (void)state;
    assert_int_equal(spoor_normalise(&whole, src, len), 0);
    for (c = 0; c <= sizeof(cuts) / sizeof(cuts[0]); c++) {
        char *q;
        size_t qlen, n_hits, n1 = 0, n2 = 0, cap1 = 0, cap2 = 0, i;
        spoor_hit *h1, *h2;
        spoor_region *r1 = NULL, *r2 = NULL;
        if (c < sizeof(cuts) / sizeof(cuts[0])) {
            qlen =
                cuts[c][1] < len - cuts[c][0] ? cuts[c][1] : len - cuts[c][0];
            q = malloc(qlen + 1);
            memcpy(q, src + cuts[c][0], qlen);
        } else { /* two distant excerpts with other text between */
            qlen = 1500;
            q = malloc(qlen + 1);
            memcpy(q, src + 5000, 700);
            memcpy(q + 700, "unrelated words here ", 20);
            memcpy(q + 720, src + 280000, 780);
        }
        assert_int_equal(spoor_normalise(&cq, q, qlen), 0);
        n_hits = join_hits(&cq, &whole, &h1);
        assert_true(n_hits > 0);
        h2 = malloc(n_hits * sizeof(*h2));
        memcpy(h2, h1, n_hits * sizeof(*h2));
        assert_int_equal(spoor_match__text_regions(&cq, &whole, h1, n_hits,
                                                   SPOOR_TEXT_K, 32, NULL, &r1,
                                                   &n1, &cap1),
                         0);
        assert_int_equal(spoor_match__source_regions(&cq, src, len, whole.len,
                                                     h2, n_hits, SPOOR_TEXT_K,
                                                     32, NULL, &r2, &n2, &cap2),
                         0);
        assert_true(n1 > 0);
        assert_int_equal(n1, n2);
        for (i = 0; i < n1; i++)
            assert_memory_equal(&r1[i], &r2[i], sizeof(r1[i]));
        free(q);
        free(h1);
        free(h2);
        free(r1);
        free(r2);
    }
    spoor_canon_dispose(&whole);
    spoor_canon_dispose(&cq);
    free(src);
}

/* Each stretch holds the whole text's canonical characters and offsets
 * from its base on, covers what was asked, and the mark it leaves serves
 * the next stretch. */
static void test_match__stretches(void **state)
{
    size_t len, i, f;
    char *src = mixed_text(200000, 2, &len);
    spoor_canon whole = SPOOR_CANON_INIT, part = SPOOR_CANON_INIT,
                scratch = SPOOR_CANON_INIT;
    spoor_canon_mark mark = {0, 0};
    (void)state;
    assert_int_equal(spoor_normalise(&whole, src, len), 0);
    for (f = 17; f < whole.len + 5000; f += 9973) {
        size_t base, to = f + 1 + f % 7000;
        assert_int_equal(spoor_normalise__stretch(&part, &scratch, src, len,
                                                  &mark, f, to, &base),
                         0);
        assert_true(base <= f);
        assert_true(base + part.len >= (to < whole.len ? to : whole.len));
        assert_true(mark.canon <= to);
        for (i = 0; i < part.len; i++) {
            assert_int_equal(part.chars[i], whole.chars[base + i]);
            assert_int_equal(part.start[i], whole.start[base + i]);
            assert_int_equal(part.end[i], whole.end[base + i]);
        }
    }
    spoor_canon_dispose(&whole);
    spoor_canon_dispose(&part);
    spoor_canon_dispose(&scratch);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match__coverage_union),
        cmocka_unit_test(test_match__extend_and_chain),
        cmocka_unit_test(test_match__two_diagonals_min_region),
        cmocka_unit_test(test_match__byte_chains),
        cmocka_unit_test(test_match__compare_items),
        cmocka_unit_test(test_match__verdict_thresholds),
        cmocka_unit_test(test_match__source_regions_equal_whole),
        cmocka_unit_test(test_match__stretches),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
