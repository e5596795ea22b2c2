/*
 * test_text.c: UTF-8 validation of texts (ex_text.c), against a plain
 * reference written from RFC 3629, around the 16-byte ASCII blocks of the
 * fast path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "extract/extract_int.h"

/* RFC 3629, one byte at a time: no overlong forms, no surrogates, nothing
 * above U+10FFFF. */
static int reference_valid(const unsigned char *d, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = d[i];
        uint32_t cp, min;
        size_t n, j;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            n = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            n = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            n = 4, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (len - i < n)
            return 0;
        for (j = 1; j < n; j++) {
            if ((d[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (d[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n;
    }
    return 1;
}

/* Validates a copy of exactly len bytes on the heap, so that a read past
 * the end shows under ASan. */
static void check(const unsigned char *d, size_t len)
{
    int want = reference_valid(d, len);
    unsigned char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, d, len);
    assert_int_equal(spoor_text__valid_utf8(copy, len), want);
    free(copy);
}

/* Sequences placed anywhere in a block: valid ones, and the ways of being
 * invalid. */
static const char *const pieces[] = {
    "\xC3\xA9",         /* é */
    "\xE2\x82\xAC",     /* € */
    "\xF0\x9F\x98\x80", /* U+1F600 */
    "\xF4\x8F\xBF\xBF", /* U+10FFFF */
    "\x80",             /* lone continuation */
    "\xC0\xAF",         /* overlong */
    "\xE0\x80\xAF",     /* overlong */
    "\xED\xA0\x80",     /* surrogate */
    "\xF4\x90\x80\x80", /* above U+10FFFF */
    "\xFF",
    "\xC3", /* cut short */
    "\xE2\x82",
    "\xF0\x9F\x98",
};

static void test_text__one_piece_at_every_place(void **state)
{
    unsigned char buf[80];
    size_t p, at, len;
    (void)state;
    for (p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
        size_t n = strlen(pieces[p]);
        for (len = n; len <= 64; len++)
            for (at = 0; at + n <= len; at++) {
                memset(buf, 'a', len);
                memcpy(buf + at, pieces[p], n);
                check(buf, len);
            }
    }
}

static void test_text__ascii_lengths(void **state)
{
    unsigned char buf[100];
    size_t len;
    (void)state;
    memset(buf, 'x', sizeof(buf));
    for (len = 0; len <= sizeof(buf); len++)
        assert_int_equal(spoor_text__valid_utf8(buf, len), 1);
    /* a high bit in any lane of a 16-byte block */
    for (len = 0; len < 48; len++) {
        memset(buf, 'x', 48);
        buf[len] = 0x80 | (unsigned char)len;
        check(buf, 48);
        assert_int_equal(spoor_text__valid_utf8(buf, 48), 0);
    }
}

static void test_text__random_mixtures(void **state)
{
    unsigned char buf[512];
    unsigned seed = 12345;
    int round;
    (void)state;
    for (round = 0; round < 20000; round++) {
        size_t len = 0;
        while (len < sizeof(buf) - 8) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 4) { /* a run of ASCII */
                size_t run = (seed >> 8) % 40;
                if (len + run > sizeof(buf) - 8)
                    break;
                memset(buf + len, 'a' + (int)(run % 26), run);
                len += run;
            } else {
                const char *pc =
                    pieces[(seed >> 4) %
                           (round % 2 ? 4
                                      : sizeof(pieces) / sizeof(pieces[0]))];
                memcpy(buf + len, pc, strlen(pc));
                len += strlen(pc);
            }
        }
        check(buf, len);
        if (len > 3)
            check(buf, len - 3); /* cut anywhere, even inside a piece */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text__one_piece_at_every_place),
        cmocka_unit_test(test_text__ascii_lengths),
        cmocka_unit_test(test_text__random_mixtures),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
