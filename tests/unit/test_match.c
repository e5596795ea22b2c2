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

#include <spoor/item.h>
#include <spoor/match.h>

#include "match/match_int.h"

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
    assert_int_equal(
        spoor_match__text_regions(&cq, &cs, hits, 3, 32, 32, &r, &n, &cap), 0);
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
    assert_int_equal(
        spoor_match__text_regions(&cq, &cs, hits, 2, 32, 32, &r, &n, &cap), 0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].qc_start, 3);
    assert_int_equal(r[0].qc_end, 43);
    assert_true(r[0].sc_start == 3 || r[0].sc_start == 60);
    assert_true(r[1].sc_start != r[0].sc_start);
    free(r);
    r = NULL;
    n = cap = 0;
    assert_int_equal(
        spoor_match__text_regions(&cq, &cs, hits, 2, 32, 41, &r, &n, &cap), 0);
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
    assert_string_equal(spoor_verdict(0.01, 0, 63, &o), "partially-released");
    assert_string_equal(spoor_verdict(0.01, 0.9, 62, &o), "internal-only");
    assert_string_equal(spoor_verdict(0, 0.5, 0, &o), "internal-only");
    assert_string_equal(spoor_verdict(0, 0.49, 0, &o), "unknown");
    assert_string_equal(spoor_verdict(0, 0, 0, &o), "unknown");
    o.released_min = 0.5;
    o.internal_min = 0.9;
    assert_string_equal(spoor_verdict(0.5, 0, 100, &o), "released");
    assert_string_equal(spoor_verdict(0, 0.8, 0, &o), "unknown");
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
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
