/*
 * kernel.c: throughput of the fingerprint kernel alone (normalisation and
 * winnowing of canonical text), on a text file, best of N runs. The kernel
 * figure is the one add runs: the text normalised and winnowed piece by
 * piece (spoor_fingerprint__text); whole_text_mb_s is normalising the whole
 * text to characters, then winnowing it (normalise_chars_mb_s and
 * winnow_text_mb_s, added); normalise_mb_s is the offset-mapped variant check
 * runs on queries; normalise_chars_scalar_mb_s is normalisation to
 * characters with the wide (SIMD) ASCII path turned off, on a CPU that has it,
 * and winnow_text_scalar_mb_s winnowing with the wide kernel turned off.
 * kernel_items_mb_s is the kernel over the text cut into items of
 * ITEM_BYTES, each fingerprinted on its own as add does a mail message.
 *
 *   bench_kernel FILE [RUNS]   -> prints JSON with MB/s per stage
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spoor/spoor.h>

#include "common/internal.h"
#include "normalise/normalise_int.h"
#include "fingerprint/fingerprint_int.h"

/* The size of an item in kernel_items_mb_s: a mail message's text. */
#define ITEM_BYTES 3000

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    FILE *f;
    char *buf;
    long n;
    int runs = argc > 2 ? atoi(argv[2]) : 5, r;
    double best_norm = 1e9, best_chars = 1e9, best_win = 1e9, best_bytes = 1e9,
           best_scalar = 1e9, best_win_scalar = 1e9, best_pieces = 1e9,
           best_items = 1e9;
    size_t nchars = 0;
    int wide = spoor_normalise__wide(-1);
    spoor_canon c = SPOOR_CANON_INIT, with_offsets = SPOOR_CANON_INIT;
    spoor_fps fps = SPOOR_FPS_INIT;

    if (argc < 2 || !(f = fopen(argv[1], "rb")))
        return 2;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        return 2;
    fclose(f);
    for (r = 0; r < runs; r++) {
        double t0 = now(), t1, t2, t3, tc;
        spoor_normalise(&with_offsets, buf, (size_t)n);
        tc = now();
        if (tc - t0 < best_norm)
            best_norm = tc - t0;
        t0 = now();
        spoor_normalise__chars(&c, buf, (size_t)n);
        t1 = now();
        spoor_winnow_u32(&fps, c.chars, c.len, SPOOR_TEXT_K, SPOOR_TEXT_W,
                         SPOOR_SEED_TEXT);
        t2 = now();
        spoor_winnow_bytes(&fps, (const unsigned char *)buf, (size_t)n,
                           SPOOR_BYTES_K, SPOOR_BYTES_W, SPOOR_SEED_BYTES);
        t3 = now();
        if (t1 - t0 < best_chars)
            best_chars = t1 - t0;
        if (t2 - t1 < best_win)
            best_win = t2 - t1;
        if (t3 - t2 < best_bytes)
            best_bytes = t3 - t2;
        t0 = now();
        spoor_fingerprint__text(&fps, &nchars, &c, buf, (size_t)n, 0, NULL);
        t1 = now();
        if (t1 - t0 < best_pieces)
            best_pieces = t1 - t0;
        t0 = now();
        for (size_t at = 0; at < (size_t)n; at += ITEM_BYTES)
            spoor_fingerprint__text(&fps, &nchars, &c, buf + at,
                                    (size_t)n - at < ITEM_BYTES ? (size_t)n - at
                                                                : ITEM_BYTES,
                                    0, NULL);
        t1 = now();
        if (t1 - t0 < best_items)
            best_items = t1 - t0;
        spoor_normalise__wide(0);
        t0 = now();
        spoor_normalise__chars(&c, buf, (size_t)n);
        t1 = now();
        spoor_normalise__wide(1);
        if (t1 - t0 < best_scalar)
            best_scalar = t1 - t0;
        spoor_winnow__wide_enable(0);
        t0 = now();
        spoor_winnow_u32(&fps, c.chars, c.len, SPOOR_TEXT_K, SPOOR_TEXT_W,
                         SPOOR_SEED_TEXT);
        t1 = now();
        spoor_winnow__wide_enable(1);
        if (t1 - t0 < best_win_scalar)
            best_win_scalar = t1 - t0;
    }
    printf("{\"bytes\": %ld, \"canonical_chars\": %zu, "
           "\"normalise_mb_s\": %.1f, \"normalise_chars_mb_s\": %.1f, "
           "\"winnow_text_mb_s\": %.1f, "
           "\"kernel_mb_s\": %.1f, \"winnow_bytes_mb_s\": %.1f, "
           "\"normalise_chars_scalar_mb_s\": %.1f, \"wide_ascii\": %s, "
           "\"winnow_text_scalar_mb_s\": %.1f, \"wide_winnow\": %s, "
           "\"whole_text_mb_s\": %.1f, \"kernel_items_mb_s\": %.1f}\n",
           n, c.len, n / best_norm / 1e6, n / best_chars / 1e6,
           n / best_win / 1e6, n / best_pieces / 1e6, n / best_bytes / 1e6,
           n / best_scalar / 1e6, wide ? "true" : "false",
           n / best_win_scalar / 1e6,
           spoor_winnow__wide_enable(-1) ? "true" : "false",
           n / (best_chars + best_win) / 1e6, n / best_items / 1e6);
    spoor_canon_dispose(&c);
    spoor_canon_dispose(&with_offsets);
    spoor_fps_dispose(&fps);
    free(buf);
    return 0;
}
