/*
 * test_segment.c: the postings segment format: write and read back, merge
 * preserves every posting in order, damaged files are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store_int.h"

static uint64_t state = 1;

static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static spoor_seg_entry *random_entries(size_t n, uint32_t content)
{
    spoor_seg_entry *e = malloc(n * sizeof(*e));
    size_t i;
    for (i = 0; i < n; i++) {
        e[i].hash = rnd();
        if (i && rnd() % 8 == 0)
            e[i].hash = e[i - 1].hash; /* shared hashes */
        e[i].content = content + (uint32_t)(rnd() % 3);
        e[i].pos = (uint32_t)(rnd() % 100000);
    }
    spoor_segment__sort(e, n);
    return e;
}

static char dir[] = "/tmp/spoor-seg-XXXXXX";

static int setup(void **s)
{
    (void)s;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **s)
{
    char cmd[128];
    (void)s;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_segment__round_trip(void **s)
{
    spoor_seg_entry *e = random_entries(20000, 1);
    spoor_segment seg;
    size_t i;
    (void)s;
    assert_int_equal(spoor_segment__write(dir, "a.spx", e, 20000), 0);
    assert_int_equal(spoor_segment__open(&seg, dir, "a.spx"), 0);
    assert_int_equal(seg.count, 20000);
    for (i = 0; i < 20000; i++) {
        size_t end, b = spoor_segment__find(&seg, e[i].hash, &end), j;
        int found = 0;
        assert_true(b < end);
        for (j = b; j < end; j++) {
            assert_true(seg.entries[j].hash == e[i].hash);
            found |= seg.entries[j].content == e[i].content &&
                     seg.entries[j].pos == e[i].pos;
        }
        assert_true(found);
    }
    {
        size_t end, b = spoor_segment__find(&seg, 12345, &end);
        assert_int_equal(b, end); /* absent hash */
    }
    spoor_segment__close(&seg);
    free(e);
}

static void test_segment__merge_preserves_all(void **s)
{
    spoor_segment segs[3], out;
    spoor_seg_entry *all = malloc(30000 * sizeof(*all));
    char name[16];
    uint64_t count = 0;
    size_t i, n = 0;
    (void)s;
    for (i = 0; i < 3; i++) {
        size_t m = 5000 + 5000 * i;
        spoor_seg_entry *e = random_entries(m, 10 * (uint32_t)i + 1);
        snprintf(name, sizeof(name), "m%zu.spx", i);
        assert_int_equal(spoor_segment__write(dir, name, e, m), 0);
        assert_int_equal(spoor_segment__open(&segs[i], dir, name), 0);
        memcpy(all + n, e, m * sizeof(*e));
        n += m;
        free(e);
    }
    assert_int_equal(spoor_segment__merge(dir, "merged.spx", segs, 3, &count),
                     0);
    assert_int_equal(count, n);
    assert_int_equal(spoor_segment__open(&out, dir, "merged.spx"), 0);
    spoor_segment__sort(all, n);
    for (i = 0; i < n; i++) {
        assert_true(out.entries[i].hash == all[i].hash);
        assert_int_equal(out.entries[i].content, all[i].content);
        assert_int_equal(out.entries[i].pos, all[i].pos);
    }
    for (i = 0; i < 3; i++)
        spoor_segment__close(&segs[i]);
    spoor_segment__close(&out);
    free(all);
}

static void test_segment__damaged_refused(void **s)
{
    spoor_seg_entry *e = random_entries(1000, 1);
    spoor_segment seg;
    char path[128];
    FILE *f;
    (void)s;
    assert_int_equal(spoor_segment__write(dir, "d.spx", e, 1000), 0);
    snprintf(path, sizeof(path), "%s/d.spx", dir);
    assert_int_equal(truncate(path, 5000), 0);
    assert_int_equal(spoor_segment__open(&seg, dir, "d.spx"), SPOOR_ECORRUPT);
    f = fopen(path, "r+b");
    fputs("GARBAGE!", f);
    fclose(f);
    assert_int_equal(spoor_segment__open(&seg, dir, "d.spx"), SPOOR_ECORRUPT);
    assert_int_equal(spoor_segment__open(&seg, dir, "missing.spx"),
                     SPOOR_ECORRUPT);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment__round_trip),
        cmocka_unit_test(test_segment__merge_preserves_all),
        cmocka_unit_test(test_segment__damaged_refused),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("segment", tests, setup, teardown);
}
