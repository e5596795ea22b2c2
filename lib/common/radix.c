/*
 * radix.c: a stable LSD radix sort on the top 40 bits of a leading 64-bit
 * hash, for fingerprints and postings (qsort with a comparison callback
 * took a tenth of an ingest; this is four counting passes).
 */
#include <string.h>

#include "internal.h"

#define RADIX_BITS 10
#define RADIX (1u << RADIX_BITS)
#define PASSES 4 /* 4 x 10 = the 40 key bits */

static uint64_t key40(const unsigned char *elem)
{
    uint64_t h;
    memcpy(&h, elem, sizeof(h));
    return h >> 24;
}

int spoor__sort_key40(void *base, size_t n, size_t size)
{
    unsigned char *a = base, *b, *src, *dst, *t;
    size_t count[RADIX], i, pass;

    if (n < 2)
        return 0;
    if (n < 32) { /* insertion sort: stable, and cheaper when tiny */
        unsigned char tmp[64];
        if (size > sizeof(tmp))
            return spoor__error_set(SPOOR_ERROR, "element too large");
        for (i = 1; i < n; i++) {
            size_t j = i;
            memcpy(tmp, a + i * size, size);
            while (j > 0 && key40(a + (j - 1) * size) > key40(tmp)) {
                memcpy(a + j * size, a + (j - 1) * size, size);
                j--;
            }
            memcpy(a + j * size, tmp, size);
        }
        return 0;
    }
    if (!(b = spoor__reallocarray(NULL, n, size)))
        return spoor__error_oom();
    src = a;
    dst = b;
    for (pass = 0; pass < PASSES; pass++) {
        unsigned shift = (unsigned)(pass * RADIX_BITS);
        size_t sum = 0;
        memset(count, 0, sizeof(count));
        for (i = 0; i < n; i++)
            count[(key40(src + i * size) >> shift) & (RADIX - 1)]++;
        if (count[(key40(src) >> shift) & (RADIX - 1)] == n)
            continue; /* every element has this digit: nothing to move */
        for (i = 0; i < RADIX; i++) {
            size_t c = count[i];
            count[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++) {
            const unsigned char *e = src + i * size;
            memcpy(dst + count[(key40(e) >> shift) & (RADIX - 1)]++ * size, e,
                   size);
        }
        t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * size);
    spoor__free(b);
    return 0;
}
