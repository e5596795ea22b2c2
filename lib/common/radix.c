/*
 * radix.c: a stable LSD radix sort on the top 40 bits of a leading 64-bit
 * hash, for fingerprints and postings (qsort with a comparison callback
 * took a tenth of an ingest; this is four counting passes). Its passes
 * each clear and sum 1024 counters, which a short array (one item's
 * fingerprints: a mail message has about 130) does not repay: below
 * SHORT_MAX elements of 16 bytes one counting pass on the top bits runs
 * instead, each bucket then sorted by insertion.
 */
#include <string.h>

#include "internal.h"

#define RADIX_BITS 10
#define RADIX (1u << RADIX_BITS)
#define PASSES 4 /* 4 x 10 = the 40 key bits */

/* Arrays of 16-byte elements shorter than this are bucket sorted (a power
 * of two), unless a bucket holds more than BUCKET_MAX. */
#define SHORT_MAX 1024
#define BUCKET_MAX 32

static uint64_t key40(const unsigned char *elem)
{
    uint64_t h;
    memcpy(&h, elem, sizeof(h));
    return h >> 24;
}

/* An element of 16 bytes: moved by a memcpy of constant size, which the
 * compiler turns into a load and a store, not a call (and which, unlike
 * an assignment of this type, may alias any element type). */
typedef struct elem16 {
    unsigned char b[16];
} elem16;

static inline void move16(elem16 *dst, const elem16 *src)
{
    memcpy(dst, src, sizeof(elem16));
}

/* Sort a[lo, hi) by insertion, stably on key40. */
static void insertion16(elem16 *a, size_t lo, size_t hi)
{
    size_t i, j;
    for (i = lo + 1; i < hi; i++) {
        elem16 t;
        uint64_t k;
        move16(&t, &a[i]);
        k = key40(t.b);
        for (j = i; j > lo && key40(a[j - 1].b) > k; j--)
            move16(&a[j], &a[j - 1]);
        move16(&a[j], &t);
    }
}

/* Sort the n elements of a stably on key40, with tmp (n elements) as
 * scratch: one counting pass on the key's top bits, about as many buckets
 * as elements, then each bucket (one or two elements, mostly) by
 * insertion. Keys made to share their top bits would make that quadratic:
 * with a bucket over BUCKET_MAX, a is left as it was. @return 1 when
 * sorted, 0 when left. */
static int bucket_sort16(elem16 *a, size_t n, elem16 *tmp)
{
    size_t count[SHORT_MAX], i, sum = 0;
    unsigned bits = 1;
    while (((size_t)1 << bits) < n)
        bits++;
    memset(count, 0, ((size_t)1 << bits) * sizeof(size_t));
    for (i = 0; i < n; i++)
        count[key40(a[i].b) >> (40 - bits)]++;
    for (i = 0; i < ((size_t)1 << bits); i++) {
        size_t c = count[i];
        if (c > BUCKET_MAX)
            return 0;
        count[i] = sum;
        sum += c;
    }
    for (i = 0; i < n; i++)
        move16(&tmp[count[key40(a[i].b) >> (40 - bits)]++], &a[i]);
    /* count[b] is now where bucket b + 1 starts */
    for (i = 0, sum = 0; i < ((size_t)1 << bits); sum = count[i], i++)
        if (count[i] - sum > 1)
            insertion16(tmp, sum, count[i]);
    memcpy(a, tmp, n * sizeof(elem16));
    return 1;
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
    if (size == sizeof(elem16) && n < SHORT_MAX &&
        bucket_sort16((elem16 *)a, n, (elem16 *)b)) {
        spoor__free(b);
        return 0;
    }
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
        if (size == sizeof(elem16)) /* moved by move16, not a call */
            for (i = 0; i < n; i++) {
                const elem16 *e = (const elem16 *)src + i;
                move16((elem16 *)dst +
                           count[(key40(e->b) >> shift) & (RADIX - 1)]++,
                       e);
            }
        else
            for (i = 0; i < n; i++) {
                const unsigned char *e = src + i * size;
                memcpy(dst + count[(key40(e) >> shift) & (RADIX - 1)]++ * size,
                       e, size);
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
