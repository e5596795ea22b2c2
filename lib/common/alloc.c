/*
 * alloc.c: the one allocation wrapper of libspoor.
 *
 * Failure injection (tests only) counts down a process-wide counter; when it
 * reaches zero every later allocation fails until it is reset. Atomic so
 * worker threads may allocate concurrently.
 *
 * Large blocks (texts, canonical arrays, postings of a batch) ask for
 * transparent huge pages: first touches of fresh memory are page faults,
 * about 25 us each for a 4 KiB page in the virtual machines we measured,
 * and they were a fifth of ingest time. Where THP is off the request is
 * refused and nothing changes.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

static atomic_long fail_countdown = -1;

void spoor__alloc_fail_after(long n)
{
    atomic_store(&fail_countdown, n);
}

static int should_fail(void)
{
    long v = atomic_load(&fail_countdown);
    if (v < 0)
        return 0;
    if (v == 0)
        return 1;
    atomic_fetch_sub(&fail_countdown, 1);
    return 0;
}

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Ask for huge pages on the whole 2 MiB pages inside block p of n bytes,
 * when it spans at least two; returns p. */
static void *huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (p && n >= 2 * HUGE_PAGE) {
        uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        uintptr_t e = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
        if (e > a)
            (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
    }
#endif
    return p;
}

void *spoor__malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return huge(malloc(n ? n : 1), n);
}

void *spoor__calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return huge(calloc(n ? n : 1, size ? size : 1),
                size && n <= SIZE_MAX / size ? n * size : 0);
}

void *spoor__realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return huge(realloc(p, n ? n : 1), n);
}

void *spoor__reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return spoor__realloc(p, n * size);
}

void spoor__free(void *p)
{
    free(p);
}

char *spoor__strndup(const char *s, size_t n)
{
    char *d = spoor__malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *spoor__strdup(const char *s)
{
    return s ? spoor__strndup(s, strlen(s)) : NULL;
}

int spoor__array_reserve(void **arr, size_t *cap, size_t need, size_t elsz)
{
    size_t ncap;
    void *p;

    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return spoor__error_oom();
        ncap *= 2;
    }
    p = spoor__reallocarray(*arr, ncap, elsz);
    if (!p)
        return spoor__error_oom();
    *arr = p;
    *cap = ncap;
    return 0;
}

void spoor__sort(void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *))
{
    if (n > 1 && base)
        qsort(base, n, size, cmp);
}
