/*
 * test_segment.c: the postings segment format: write and read back, merge
 * preserves every posting in order, damaged files are refused.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <zstd.h>

#include <spoor/normalise.h>

#include "common/internal.h"
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
    assert_int_equal(spoor_segment__sort(e, n), 0);
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

/* Every posting of seg with hash's key, in order. */
static size_t lookup(spoor_segment *seg, uint64_t hash, spoor_seg_entry *out,
                     size_t cap)
{
    spoor_seg_cursor c;
    spoor_seg_entry e;
    size_t n = 0;
    int r;
    spoor_segment__seek(seg, hash, &c);
    while ((r = spoor_segment__next(&c, &e)) > 0) {
        assert_true(SPOOR_SEG_KEY(e.hash) == SPOOR_SEG_KEY(hash));
        if (n < cap)
            out[n] = e;
        n++;
    }
    assert_int_equal(r, 0);
    return n;
}

/* Every posting is found by its key, and no other, through the map and
 * with pread (both paths of spoor_segment__seek). */
static void test_segment__round_trip(void **s)
{
    spoor_seg_entry *e = random_entries(20000, 1), got[64];
    spoor_segment seg;
    size_t i, mode;
    (void)s;
    assert_int_equal(spoor_segment__write(dir, "a.spx", e, 20000), 0);
    assert_int_equal(spoor_segment__open(&seg, dir, "a.spx"), 0);
    assert_int_equal(seg.count, 20000);
    /* delta coding: well under the 16 bytes of a plain posting */
    assert_true(seg.size < 20000 * 9);
    for (mode = 0; mode < 2; mode++) {
        spoor_segment__lookup_mode =
            mode ? SPOOR_SEG_LOOKUP_PREAD : SPOOR_SEG_LOOKUP_MAP;
        for (i = 0; i < 20000; i++) {
            size_t n = lookup(&seg, e[i].hash, got, 64), j, k;
            int found = 0;
            assert_true(n >= 1 && n <= 64);
            for (j = 0; j < n; j++)
                found |=
                    got[j].content == e[i].content && got[j].pos == e[i].pos;
            assert_true(found);
            /* exactly the postings that share the key, none more */
            for (j = i; j > 0 && SPOOR_SEG_KEY(e[j - 1].hash) ==
                                     SPOOR_SEG_KEY(e[i].hash);
                 j--)
                ;
            for (k = j; k < 20000 &&
                        SPOOR_SEG_KEY(e[k].hash) == SPOOR_SEG_KEY(e[i].hash);
                 k++)
                ;
            assert_int_equal(n, k - j);
        }
        assert_int_equal(lookup(&seg, 12345, got, 64), 0); /* absent hash */
    }
    spoor_segment__close(&seg);
    free(e);
}

/* One key held by 5,000 items (boilerplate) shares its bucket with other
 * keys on both sides: a lookup of it returns every posting in order, and
 * lookups of its neighbours step over its group and find theirs, through
 * the map and with pread. */
static void test_segment__boilerplate_key(void **s)
{
    const size_t n_common = 5000, n_other = 64;
    spoor_seg_entry *e = malloc((n_common + n_other) * sizeof(*e)), got;
    spoor_segment seg;
    spoor_seg_cursor c;
    uint64_t common = 0x5a5a5a5a5a000000ULL;
    size_t i, n = 0, mode;
    int r;
    (void)s;
    for (i = 0; i < n_common; i++, n++) {
        e[n].hash = common;
        e[n].content = (uint32_t)(i + 1);
        e[n].pos = (uint32_t)(7 * i % 1000);
    }
    /* neighbours: keys just below and above the common one */
    for (i = 0; i < n_other; i++, n++) {
        uint64_t d = (uint64_t)(i / 2 + 1) << 24;
        e[n].hash = i % 2 ? common + d : common - d;
        e[n].content = (uint32_t)(100000 + i);
        e[n].pos = (uint32_t)i;
    }
    assert_int_equal(spoor_segment__sort(e, n), 0);
    assert_int_equal(spoor_segment__write(dir, "b.spx", e, n), 0);
    assert_int_equal(spoor_segment__open(&seg, dir, "b.spx"), 0);
    for (mode = 0; mode < 2; mode++) {
        size_t k = 0;
        spoor_segment__lookup_mode =
            mode ? SPOOR_SEG_LOOKUP_PREAD : SPOOR_SEG_LOOKUP_MAP;
        spoor_segment__seek(&seg, common, &c);
        while ((r = spoor_segment__next(&c, &got)) > 0) {
            assert_true(got.hash == common);
            assert_int_equal(got.content, k + 1);
            assert_int_equal(got.pos, 7 * k % 1000);
            k++;
        }
        assert_int_equal(r, 0);
        assert_int_equal(k, n_common);
        for (i = 0; i < n; i++) {
            size_t hits = 0;
            if (e[i].hash == common)
                continue;
            spoor_segment__seek(&seg, e[i].hash, &c);
            while ((r = spoor_segment__next(&c, &got)) > 0) {
                assert_true(got.hash == e[i].hash);
                assert_int_equal(got.content, e[i].content);
                hits++;
            }
            assert_int_equal(r, 0);
            assert_int_equal(hits, 1);
        }
    }
    /* a group of many costs its postings and a header, nothing per key */
    assert_true(seg.data_size < n_common * 4 + n_other * 8);
    spoor_segment__close(&seg);
    free(e);
}

static void test_segment__merge_preserves_all(void **s)
{
    spoor_segment segs[3], out;
    spoor_seg_entry *all = malloc(30000 * sizeof(*all)), got;
    spoor_seg_cursor c;
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
    assert_int_equal(
        spoor_segment__merge(dir, "merged.spx", segs, 3, NULL, 0, &count), 0);
    assert_int_equal(count, n);
    assert_int_equal(spoor_segment__open(&out, dir, "merged.spx"), 0);
    assert_int_equal(spoor_segment__sort(all, n), 0);
    spoor_segment__scan(&out, &c);
    for (i = 0; i < n; i++) {
        assert_int_equal(spoor_segment__next(&c, &got), 1);
        assert_true(SPOOR_SEG_KEY(got.hash) == SPOOR_SEG_KEY(all[i].hash));
        assert_int_equal(got.content, all[i].content);
        assert_int_equal(got.pos, all[i].pos);
    }
    assert_int_equal(spoor_segment__next(&c, &got), 0);
    for (i = 0; i < 3; i++)
        spoor_segment__close(&segs[i]);
    spoor_segment__close(&out);
    free(all);
}

/* Damaged postings inside an accepted segment: lookups and scans end with
 * 0 or SPOOR_ECORRUPT, never read outside the map. */
static void test_segment__damaged_postings(void **s)
{
    spoor_seg_entry *e = random_entries(3000, 1), got;
    spoor_segment seg;
    spoor_seg_cursor c;
    char path[128];
    size_t i, corrupt, mode;
    (void)s;
    assert_int_equal(spoor_segment__write(dir, "p.spx", e, 3000), 0);
    assert_int_equal(spoor_segment__open(&seg, dir, "p.spx"), 0);
    {
        /* a copy with every data byte's continuation bit set */
        size_t off = (size_t)(seg.data - seg.map);
        unsigned char *copy = malloc(seg.size);
        FILE *f;
        memcpy(copy, seg.map, seg.size);
        for (i = off; i < seg.size; i++)
            copy[i] |= 0x80;
        snprintf(path, sizeof(path), "%s/q.spx", dir);
        f = fopen(path, "wb");
        fwrite(copy, 1, seg.size, f);
        fclose(f);
        free(copy);
    }
    spoor_segment__close(&seg);
    assert_int_equal(spoor_segment__open(&seg, dir, "q.spx"), 0);
    for (mode = 0; mode < 2; mode++) { /* through the map, with pread */
        spoor_segment__lookup_mode =
            mode ? SPOOR_SEG_LOOKUP_PREAD : SPOOR_SEG_LOOKUP_MAP;
        corrupt = 0;
        for (i = 0; i < 3000; i += 7) {
            int r;
            spoor_segment__seek(&seg, e[i].hash, &c);
            while ((r = spoor_segment__next(&c, &got)) > 0)
                ;
            corrupt += r == SPOOR_ECORRUPT;
        }
        assert_true(corrupt > 0);
    }
    spoor_segment__scan(&seg, &c);
    assert_int_equal(spoor_segment__next(&c, &got), SPOOR_ECORRUPT);
    spoor_segment__close(&seg);
    {
        /* a directory entry pointing past the data: the segment opens
         * (the directory is checked as it is read), its bucket is damaged */
        FILE *f;
        uint64_t bad = UINT64_MAX / 2;
        snprintf(path, sizeof(path), "%s/p.spx", dir);
        f = fopen(path, "r+b");
        fseek(f, 64 + 8 * 3, SEEK_SET);
        fwrite(&bad, 8, 1, f);
        fclose(f);
    }
    assert_int_equal(spoor_segment__open(&seg, dir, "p.spx"), 0);
    spoor_segment__scan(&seg, &c);
    {
        int r;
        while ((r = spoor_segment__next(&c, &got)) > 0)
            ;
        assert_int_equal(r, SPOOR_ECORRUPT);
        /* a lookup in that bucket, through the map and with pread */
        for (mode = 0; mode < 2; mode++) {
            uint64_t h = (uint64_t)3 << (64 - seg.bits);
            spoor_segment__lookup_mode =
                mode ? SPOOR_SEG_LOOKUP_PREAD : SPOOR_SEG_LOOKUP_MAP;
            spoor_segment__seek(&seg, h, &c);
            while ((r = spoor_segment__next(&c, &got)) > 0)
                ;
            assert_int_equal(r, SPOOR_ECORRUPT);
        }
    }
    spoor_segment__close(&seg);
    free(e);
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

/* A long text is stored as parts that start at marks, with a table whose
 * canonical counts are those of the whole text; the blob decompresses whole
 * to the text; the parts for a range hold it; a damaged table is refused;
 * a short text is one frame. */
static void test_segment__stored_text_parts(void **s)
{
    static const char *const words[] = {
        "board ", "1,234.50 ", "caf\303\251 ", "\346\227\245\346\234\254 ",
        "3.000 ", "-- ",       "Approved. ",   "x"};
    size_t len = 0, cap = 1500000, zlen, i, first, end;
    char *text = malloc(cap + 16), *back = malloc(cap + 16);
    unsigned x = 7;
    void *z = NULL;
    spoor_buf zb = SPOOR_BUF_INIT;
    spoor_canon whole = SPOOR_CANON_INIT;
    spoor_text_toc toc;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    (void)s;
    while (len < cap) {
        const char *w;
        x = x * 1103515245u + 12345u;
        w = words[(x >> 16) % 8];
        memcpy(text + len, w, strlen(w));
        len += strlen(w);
    }
    assert_int_equal(spoor_normalise(&whole, text, len), 0);
    assert_int_equal(spoor_text__compress(cctx, 1, text, len, &zb), 0);
    z = zb.ptr;
    zlen = zb.size;
    i = spoor_text__toc_size(z, 20, zlen);
    assert_true(i > 0);
    assert_int_equal(spoor_text__toc_parse(z, i, zlen, len, whole.len, &toc),
                     0);
    assert_true(toc.n >= 20);
    for (i = 0; i < toc.n; i++) {
        size_t before = 0;
        if (i > 0) /* a mark: an ASCII letter */
            assert_true(((text[toc.v[i].byte] | 0x20) >= 'a') &&
                        ((text[toc.v[i].byte] | 0x20) <= 'z'));
        while (before < whole.len && whole.start[before] < toc.v[i].byte)
            before++;
        assert_int_equal(toc.v[i].canon, before);
    }
    assert_int_equal(ZSTD_decompress(back, cap + 16, z, zlen), len);
    assert_memory_equal(back, text, len);
    for (i = 0; i < whole.len; i += whole.len / 37) {
        size_t to = i + 5000;
        end = spoor_text__parts_for(&toc, i, to, &first);
        assert_true(toc.v[first].canon <= i);
        assert_true(end == toc.n || toc.v[end].canon >= to);
        assert_true(first < end);
    }
    /* damaged: a part's size, the blob's length */
    {
        unsigned char *p = z;
        spoor_text_toc bad;
        size_t size = spoor_text__toc_size(z, 20, zlen);
        p[20 + 12 * 3] ^= 0x10;
        assert_int_equal(
            spoor_text__toc_parse(z, size, zlen, len, whole.len, &bad),
            SPOOR_ECORRUPT);
        p[20 + 12 * 3] ^= 0x10;
        assert_int_equal(
            spoor_text__toc_parse(z, size, zlen - 1, len, whole.len, &bad),
            SPOOR_ECORRUPT);
        assert_int_equal(
            spoor_text__toc_parse(z, size - 12, zlen, len, whole.len, &bad),
            SPOOR_ECORRUPT);
    }
    spoor_text_toc_dispose(&toc);
    /* a short text: one frame, no table */
    assert_int_equal(spoor_text__compress(cctx, 1, text, 100000, &zb), 0);
    assert_int_equal(spoor_text__toc_size(zb.ptr, 20, zb.size), 0);
    spoor_buf_dispose(&zb);
    ZSTD_freeCCtx(cctx);
    spoor_canon_dispose(&whole);
    free(text);
    free(back);
}

/* A segment of over 2 MiB whose pages are not in memory: prefetching a
 * set of keys asks for them (phase 0 says so, phase 1 reads the
 * directory), lookups then find every posting; in memory, phase 0 leaves
 * it alone; a segment under 2 MiB is never prefetched. */
static void test_segment__prefetch(void **s)
{
    size_t n = 400000, i, k = 0;
    spoor_seg_entry *e = random_entries(n, 1), got[64];
    uint64_t keys[300];
    spoor_segment seg;
    char path[256];
    int fd;
    (void)s;
    assert_int_equal(spoor_segment__write(dir, "big.spx", e, n), 0);
    assert_int_equal(spoor_segment__open(&seg, dir, "big.spx"), 0);
    assert_true(seg.size > ((size_t)2 << 20));
    for (i = 0; i < n && k < 300; i += n / 300) /* ascending, distinct */
        if (!k || keys[k - 1] != SPOOR_SEG_KEY(e[i].hash))
            keys[k++] = SPOOR_SEG_KEY(e[i].hash);
    /* out of memory: the file's clean pages dropped */
    snprintf(path, sizeof(path), "%s/big.spx", dir);
    fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(fdatasync(fd), 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    close(fd);
    assert_int_equal(spoor_segment__prefetch(&seg, keys, k, 0), 1);
    assert_int_equal(spoor_segment__prefetch(&seg, keys, k, 1), 1);
    for (i = 0; i < n; i += n / 300) {
        size_t m = lookup(&seg, e[i].hash, got, 64), j;
        int found = 0;
        for (j = 0; j < m && j < 64; j++)
            found |= got[j].content == e[i].content && got[j].pos == e[i].pos;
        assert_true(found);
    }
    /* its first directory page is in memory now */
    assert_int_equal(spoor_segment__prefetch(&seg, keys, k, 0), 0);
    spoor_segment__close(&seg);
    /* a small segment: left to the map */
    assert_int_equal(spoor_segment__write(dir, "small.spx", e, 1000), 0);
    assert_int_equal(spoor_segment__open(&seg, dir, "small.spx"), 0);
    assert_int_equal(spoor_segment__prefetch(&seg, keys, k, 0), 0);
    spoor_segment__close(&seg);
    free(e);
}

/* Check that a[0..n) (elements of size bytes: a hash, then the element's
 * index before sorting) is sorted on the hash's top 40 bits, stably, and
 * holds every index once. */
static void check_sorted(const unsigned char *a, size_t n, size_t size)
{
    unsigned char *seen = calloc(n + 1, 1);
    size_t i;
    for (i = 0; i < n; i++) {
        uint64_t h, ph;
        uint32_t at, pat;
        memcpy(&h, a + i * size, 8);
        memcpy(&at, a + i * size + 8, 4);
        assert_true(at < n && !seen[at]);
        seen[at] = 1;
        if (!i)
            continue;
        memcpy(&ph, a + (i - 1) * size, 8);
        memcpy(&pat, a + (i - 1) * size + 8, 4);
        assert_true(ph >> 24 <= h >> 24);
        if (ph >> 24 == h >> 24) /* stable: equal keys keep their order */
            assert_true(pat < at);
    }
    free(seen);
}

/* The key sort on each of its paths (insertion; for short arrays of
 * 16-byte elements, buckets on the top bits, or, keys crowding one bucket,
 * the radix sort; radix for the rest), with equal keys whose low bits,
 * outside the key, differ. */
static void test_segment__sort_key40_stable(void **s)
{
    static const size_t ns[] = {0,   1,    2,    5,    31,   32,   33,
                                100, 1023, 1024, 1025, 3000, 20000};
    static const size_t sizes[] = {16, 24};
    size_t a, b, i, crowd;
    (void)s;
    for (crowd = 0; crowd < 2; crowd++)
        for (b = 0; b < sizeof(sizes) / sizeof(sizes[0]); b++)
            for (a = 0; a < sizeof(ns) / sizeof(ns[0]); a++) {
                size_t n = ns[a], size = sizes[b], keys = n / 4 + 2;
                unsigned char *v = calloc(n + 1, size);
                uint64_t *pool = malloc(keys * sizeof(uint64_t));
                for (i = 0; i < keys; i++) /* crowded: one top byte */
                    pool[i] = crowd ? rnd() >> 8 : rnd();
                for (i = 0; i < n; i++) {
                    uint64_t h = (pool[rnd() % keys] & ~(uint64_t)0xffffff) |
                                 (rnd() & 0xffffff);
                    uint32_t at = (uint32_t)i;
                    memcpy(v + i * size, &h, 8);
                    memcpy(v + i * size + 8, &at, 4);
                }
                assert_int_equal(spoor__sort_key40(v, n, size), 0);
                check_sorted(v, n, size);
                free(pool);
                free(v);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment__round_trip),
        cmocka_unit_test(test_segment__merge_preserves_all),
        cmocka_unit_test(test_segment__boilerplate_key),
        cmocka_unit_test(test_segment__damaged_refused),
        cmocka_unit_test(test_segment__damaged_postings),
        cmocka_unit_test(test_segment__stored_text_parts),
        cmocka_unit_test(test_segment__sort_key40_stable),
        cmocka_unit_test(test_segment__prefetch),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("segment", tests, setup, teardown);
}
