/*
 * winnow_int.h: what the scalar (winnow.c) and wide (winnow_wide.c)
 * winnowing kernels share: the symbol and hash mixes, and appending a
 * fingerprint.
 */
#ifndef SPOOR_WINNOW_INT_H
#define SPOOR_WINNOW_INT_H

#include <spoor/fingerprint.h>
#include "fingerprint_int.h"

/* The value of symbol c is splitmix64(c + 1). */
static inline uint64_t spoor_winnow__splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* One multiply and a fold: enough to make window minima uniform (the
 * density test in tests/unit/test_winnow.c checks 2 / (w + 1)). */
static inline uint64_t spoor_winnow__mix(uint64_t h)
{
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
}

/* Append fingerprint (pos, hash) to out. @return 0 or SPOOR_ENOMEM. */
int spoor_fps__push(spoor_fps *out, size_t pos, uint64_t hash);

/* Winnow the n symbols at s (bytes when bytes, else uint32_t) with the
 * wide kernel; k >= 1, n >= k, n <= UINT32_MAX, 1 <= win <= n - k + 1.
 * Same fingerprints as the scalar kernel. Only where spoor_winnow__wide_enable
 * says it runs. With cont, the walk goes on from a selection already made:
 * k-gram 0 is selected and emitted before, so it is not emitted again, and
 * win may exceed n - k + 1 (see spoor_winnow__u32_cont).
 * @return 0 or SPOOR_ENOMEM (out is then empty). */
int spoor_winnow__wide(spoor_fps *out, const void *s, int bytes, size_t n,
                       unsigned k, unsigned win, uint64_t seed, int cont);

#endif
