/*
 * test_normalise.c: canonical text and its offset map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <spoor/normalise.h>

#include "common/internal.h"
#include "normalise/normalise_int.h"

static char *canon_of(const char *text)
{
    spoor_canon c = SPOOR_CANON_INIT;
    spoor_buf b = SPOOR_BUF_INIT;
    char *out;
    assert_int_equal(spoor_normalise(&c, text, strlen(text)), 0);
    assert_int_equal(spoor_canon_to_utf8(&b, &c, 0, c.len), 0);
    out = strdup(b.ptr ? b.ptr : "");
    spoor_buf_dispose(&b);
    spoor_canon_dispose(&c);
    return out;
}

static void assert_same_canon(const char *a, const char *b)
{
    char *ca = canon_of(a), *cb = canon_of(b);
    assert_string_equal(ca, cb);
    free(ca);
    free(cb);
}

static void test_normalise__basic(void **state)
{
    char *c;
    (void)state;
    c = canon_of("Hello, World!  It's 2014.");
    assert_string_equal(c, "helloworldits2014");
    free(c);
}

static void test_normalise__rewrap_quote_crlf(void **state)
{
    const char *orig = "The quarterly numbers show a decline in\n"
                       "revenue across all divisions, and the board\n"
                       "expects a restructuring plan by March.\n";
    (void)state;
    assert_same_canon(orig, "The quarterly numbers show a decline in revenue "
                            "across all divisions, and the board expects a "
                            "restructuring plan by March.");
    assert_same_canon(orig, "> The quarterly numbers show a decline\n"
                            "> in revenue across all divisions, and\n"
                            "> the board expects a restructuring plan\n"
                            "> by March.\n");
    assert_same_canon(orig, ">> > The quarterly numbers show a decline in\r\n"
                            ">> > revenue across all divisions, and the "
                            "board\r\n>> > expects a restructuring plan by "
                            "March.\r\n");
    assert_same_canon(orig, "The quarterly numbers show a decline in\r\n"
                            "revenue across all divisions, and the board\r\n"
                            "expects a restructuring plan by March.\r\n");
}

static void test_normalise__smart_quotes_hyphens(void **state)
{
    (void)state;
    assert_same_canon("\"It's the studio's 'final' cut\" -- said Amy",
                      "\xE2\x80\x9CIt\xE2\x80\x99s the studio\xE2\x80\x99s "
                      "\xE2\x80\x98"
                      "final\xE2\x80\x99 cut\xE2\x80\x9D "
                      "\xE2\x80\x94 said Amy");
    assert_same_canon("the restructuring plan", "the restruc-\nturing plan");
    assert_same_canon("the restructuring plan",
                      "the restruc\xC2\xAD"
                      "turing plan"); /* soft hyphen */
}

static void test_normalise__unicode(void **state)
{
    char *c;
    (void)state;
    /* NFKC: ligature fi, fullwidth digits; case fold; marks stripped */
    assert_same_canon("\xEF\xAC\x81nance \xEF\xBC\x91\xEF\xBC\x92",
                      "FINANCE 12");
    assert_same_canon("Caf\xC3\xA9 na\xC3\xAFve", "cafe naive");
    assert_same_canon("Cafe\xCC\x81", "CAF\xC3\x89"); /* decomposed e + acute */
    assert_same_canon("Stra\xC3\x9F"
                      "e",
                      "STRASSE");
    /* Cyrillic and Greek letters stay, case folded */
    c = canon_of("\xD0\x9F\xD0\xBB\xD0\xB0\xD0\xBD, "
                 "\xCE\xA3\xCF\x87\xCE\xAD\xCE\xB4\xCE\xB9\xCE\xBF");
    assert_string_equal(c, "\xD0\xBF\xD0\xBB\xD0\xB0\xD0\xBD\xCF\x83\xCF\x87"
                           "\xCE\xB5\xCE\xB4\xCE\xB9\xCE\xBF");
    free(c);
    c = canon_of("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"); /* Korean stays */
    assert_string_equal(c, "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4");
    free(c);
}

static void test_normalise__numbers(void **state)
{
    char *c;
    (void)state;
    assert_same_canon("1,234.50\t7.00\t0.250", "1234.5 7 0.25");
    assert_same_canon("$1,234.50", "1234.5");
    c = canon_of("1.000.000 and 2.50.1 and 3.10");
    assert_string_equal(c, "1.000.000and2.50.1and3.1");
    free(c);
    /* numbers keep their value: the point stays between digits */
    c = canon_of("EUR 14.00 million, EUR 1.4 million; 140 vs 14.0");
    assert_string_equal(c, "eur14millioneur1.4million140vs14");
    free(c);
    c = canon_of("1.0.4 1.04 v1.a 1. 2 .5");
    assert_string_equal(c, "1.0.41.04v1a125");
    free(c);
    assert_same_canon("142691.25,17095.00,1.50", "142691.25 17095 1.5");
    assert_same_canon("\"1,234.50\",\"17,095.00\"", "1234.5 17095");
    c = canon_of("10.0.");
    assert_string_equal(c, "10");
    free(c);
}

static void test_normalise__offset_map(void **state)
{
    const char *t =
        "  \xEF\xAC\x81le \xE2\x80\x9Cq\xE2\x80\x9D > Caf\xC3\xA9\r\n"
        "Stra\xC3\x9F"
        "e, 12";
    spoor_canon c = SPOOR_CANON_INIT, sub = SPOOR_CANON_INIT;
    size_t i, j;
    (void)state;
    assert_int_equal(spoor_normalise(&c, t, strlen(t)), 0);
    assert_true(c.len > 0);
    for (i = 0; i < c.len; i++) {
        int found = 0;
        assert_true(c.start[i] < c.end[i]);
        assert_true(c.end[i] <= strlen(t));
        if (i) {
            assert_true(c.start[i] >= c.start[i - 1]);
            assert_true(c.end[i] >= c.end[i - 1]);
        }
        /* the source range alone normalises to a run holding chars[i] */
        assert_int_equal(
            spoor_normalise(&sub, t + c.start[i], c.end[i] - c.start[i]), 0);
        for (j = 0; j < sub.len; j++)
            found |= sub.chars[j] == c.chars[i];
        assert_true(found);
    }
    /* "fi" from one ligature share its range */
    assert_int_equal(c.chars[0], 'f');
    assert_int_equal(c.chars[1], 'i');
    assert_int_equal(c.start[0], c.start[1]);
    assert_int_equal(c.start[0], 2);
    assert_int_equal(c.end[0], 5);
    spoor_canon_dispose(&c);
    spoor_canon_dispose(&sub);
}

static void test_normalise__round_trip_random(void **state)
{
    /* random mixes of ASCII, Latin-1, CJK, punctuation and invalid bytes */
    static const char *const pieces[] = {"a",
                                         "Z",
                                         "9",
                                         " ",
                                         "\n",
                                         "\r\n",
                                         ">",
                                         "-",
                                         ",",
                                         "\xC3\xA9",
                                         "\xE2\x80\x9C",
                                         "\xEF\xAC\x81",
                                         "\xE4\xB8\xAD",
                                         "\xFF",
                                         "\xC3",
                                         "\xF0\x9F\x98\x80",
                                         "\xCC\x81",
                                         "\xC2\xAD"};
    char text[4096];
    int round;
    (void)state;
    srand(42);
    for (round = 0; round < 200; round++) {
        spoor_canon c = SPOOR_CANON_INIT;
        size_t n = 0, i;
        while (n < sizeof(text) - 8) {
            const char *p = pieces[rand() % (sizeof(pieces) / sizeof(*pieces))];
            memcpy(text + n, p, strlen(p));
            n += strlen(p);
        }
        assert_int_equal(spoor_normalise(&c, text, n), 0);
        for (i = 0; i < c.len; i++) {
            assert_true(c.start[i] < c.end[i] && c.end[i] <= n);
            if (i)
                assert_true(c.start[i] >= c.start[i - 1] &&
                            c.end[i] >= c.end[i - 1]);
        }
        spoor_canon_dispose(&c);
    }
}

static void test_normalise__empty(void **state)
{
    spoor_canon c = SPOOR_CANON_INIT;
    (void)state;
    assert_int_equal(spoor_normalise(&c, "", 0), 0);
    assert_int_equal(c.len, 0);
    assert_int_equal(spoor_normalise(&c, " ,.;-> \n", 8), 0);
    assert_int_equal(c.len, 0);
    spoor_canon_dispose(&c);
}

/* The wide (SIMD) ASCII path and the scalar one give the same characters
 * and offsets, with and without the offset map: texts of every length up
 * to a few blocks, stops ('.', non-ASCII) at every place in a block. */
static void test_normalise__wide_same_as_scalar(void **state)
{
    static const char alphabet[] = "aZ9 .,-\n\t@[`{0.5\xc3\xa9\xe2\x80\x9c";
    char text[700];
    spoor_canon a = SPOOR_CANON_INIT, b = SPOOR_CANON_INIT;
    unsigned x = 12345, round, dense;
    size_t len, i;
    (void)state;
    if (!spoor_normalise__wide(-1))
        skip(); /* this CPU has no wide path */
    for (round = 0; round < 3000; round++) {
        len = round % 700;
        dense = round % 5; /* how often a stop byte comes */
        for (i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            if ((x >> 16) % 64 < 60 - dense * 12)
                text[i] = (char)("abcXYZ019 \n"[(x >> 8) % 11]);
            else
                text[i] = alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
        }
        spoor_normalise__wide(0);
        assert_int_equal(spoor_normalise(&a, text, len), 0);
        spoor_normalise__wide(1);
        assert_int_equal(spoor_normalise(&b, text, len), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.chars, b.chars, a.len * 4);
        assert_memory_equal(a.start, b.start, a.len * 4);
        assert_memory_equal(a.end, b.end, a.len * 4);
        assert_int_equal(spoor_normalise__chars(&b, text, len), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.chars, b.chars, a.len * 4);
    }
    spoor_canon_dispose(&a);
    spoor_canon_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise__basic),
        cmocka_unit_test(test_normalise__rewrap_quote_crlf),
        cmocka_unit_test(test_normalise__smart_quotes_hyphens),
        cmocka_unit_test(test_normalise__unicode),
        cmocka_unit_test(test_normalise__numbers),
        cmocka_unit_test(test_normalise__offset_map),
        cmocka_unit_test(test_normalise__round_trip_random),
        cmocka_unit_test(test_normalise__empty),
        cmocka_unit_test(test_normalise__wide_same_as_scalar),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("normalise", tests, NULL, NULL);
}
