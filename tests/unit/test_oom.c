/*
 * test_oom.c: out-of-memory sweep over the core paths (sqlite's *fault.test
 * idea). For N = 0, 1, 2, ... the N-th allocation through spoor__malloc
 * and friends fails; each path must then return SPOOR_ENOMEM (never crash,
 * never report success with partial results), and, in the sanitizer build,
 * leak nothing. The sweep ends when the path succeeds with no failure
 * injected after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <spoor/spoor.h>

#include "common/internal.h"

typedef int (*path_fn)(void);

static const char sample[] =
    "From: a@studio.example\nTo: b@x.example\nSubject: numbers\n"
    "Date: Wed, 03 Dec 2014 10:11:12 +0000\nMessage-ID: <o@x>\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
    "Content-Type: text/plain; charset=utf-8\n\n> The quarterly numbers "
    "show a decline in revenue across all divisions, and the board expects "
    "a restructuring plan by March. Caf\xC3\xA9 \xEF\xAC\x81nance 1,234.50\n"
    "--B\nContent-Type: text/plain; name=a.txt\nContent-Disposition: "
    "attachment; filename=a.txt\n\nThe quarterly numbers show a decline in "
    "revenue across all divisions, and the board expects a plan.\n--B--\n";

static int path_normalise_winnow(void)
{
    spoor_canon c = SPOOR_CANON_INIT;
    spoor_fps f = SPOOR_FPS_INIT;
    int error = spoor_normalise(&c, sample, sizeof(sample) - 1);
    if (error == 0)
        error = spoor_winnow_u32(&f, c.chars, c.len, 8, 4, 1);
    spoor_canon_dispose(&c);
    spoor_fps_dispose(&f);
    return error;
}

static int path_analyse_email(void)
{
    spoor_item item;
    int error;
    memset(&item, 0, sizeof(item));
    error = spoor_item_analyse(&item, sample, sizeof(sample) - 1, NULL);
    spoor_item_dispose(&item);
    return error;
}

static int on_item(const spoor_item *item, void *payload)
{
    (void)item;
    (*(int *)payload)++;
    return 0;
}

static int path_walk_children(void)
{
    int n = 0;
    int error = spoor_walk_buffer("m.eml", sample, sizeof(sample) - 1, NULL,
                                  on_item, NULL, &n);
    /* a child lost to memory is reported through the skip callback, which
     * is absent here: the walk itself succeeds with fewer items */
    return error ? error : (n == 2 ? 0 : SPOOR_ENOMEM);
}

static int path_compare_render(void)
{
    spoor_item a, b;
    spoor_region *r = NULL;
    spoor_buf out = SPOOR_BUF_INIT;
    size_t n = 0;
    int error;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    error = spoor_item_from_text(&a, sample, sizeof(sample) - 1);
    if (error == 0)
        error = spoor_item_from_text(&b, sample + 40, sizeof(sample) - 41);
    if (error == 0)
        error = spoor_compare(&r, &n, &a, &b, 32);
    if (error == 0)
        error = spoor_json_string(&out, sample, sizeof(sample) - 1);
    if (error == 0)
        error = spoor_snippet(&out, sample, 0, sizeof(sample) - 1, 40);
    if (error == 0)
        error = spoor_html_escape(&out, sample, sizeof(sample) - 1);
    spoor_regions_free(r);
    spoor_buf_dispose(&out);
    spoor_item_dispose(&a);
    spoor_item_dispose(&b);
    return error;
}

static void sweep(path_fn fn, const char *name)
{
    long n;
    int rc = -1;
    for (n = 0; n < 100000; n++) {
        spoor__alloc_fail_after(n);
        rc = fn();
        spoor__alloc_fail_after(-1);
        if (rc == 0)
            break;
        if (rc != SPOOR_ENOMEM)
            fail_msg("%s: allocation %ld failing gave %d (%s), not ENOMEM",
                     name, n, rc, spoor_error_last()->message);
    }
    assert_int_equal(rc, 0);
    printf("# %s: %ld allocation failures survived\n", name, n);
}

static void test_oom__normalise_winnow(void **state)
{
    (void)state;
    sweep(path_normalise_winnow, "normalise+winnow");
}

static void test_oom__analyse_email(void **state)
{
    (void)state;
    sweep(path_analyse_email, "extract+analyse email");
}

static void test_oom__walk_children(void **state)
{
    (void)state;
    sweep(path_walk_children, "walk with children");
}

static void test_oom__compare_render(void **state)
{
    (void)state;
    sweep(path_compare_render, "compare+render");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom__normalise_winnow),
        cmocka_unit_test(test_oom__analyse_email),
        cmocka_unit_test(test_oom__walk_children),
        cmocka_unit_test(test_oom__compare_render),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}
