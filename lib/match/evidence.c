/*
 * evidence.c: what of the shared regions counts as evidence.
 *
 * The boilerplate mask is a set of canonical ranges of the query (common
 * fingerprints' k-grams, passages shared with boilerplate collections).
 * A region's evidence is what of it lies outside the mask, in pieces of at
 * least `least` characters (the check's min_passage, never under k): a
 * piece under k is below the noise floor (no fingerprint could have found
 * it, and it is the edge of boilerplate the mask only samples), and short
 * shared formulas ("New upstream release", a version line) are no
 * substance however many sources share them.
 */
#include <string.h>

#include "match_int.h"

static int cmp_span(const void *a, const void *b)
{
    const spoor_span *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

int spoor_spans__push(spoor_spans *s, size_t a, size_t b)
{
    int error;
    if (b <= a)
        return 0;
    if ((error = spoor__array_reserve((void **)&s->v, &s->cap, s->n + 1,
                                      sizeof(*s->v))) < 0)
        return error;
    s->v[s->n].a = a;
    s->v[s->n].b = b;
    s->n++;
    return 0;
}

void spoor_spans__merge(spoor_spans *s)
{
    size_t i, n = 0;
    if (s->n < 2)
        return;
    spoor__sort(s->v, s->n, sizeof(*s->v), cmp_span);
    for (i = 1; i < s->n; i++) {
        if (s->v[i].a <= s->v[n].b) {
            if (s->v[i].b > s->v[n].b)
                s->v[n].b = s->v[i].b;
        } else {
            s->v[++n] = s->v[i];
        }
    }
    s->n = n + 1;
}

size_t spoor_spans__total(const spoor_spans *s)
{
    size_t i, t = 0;
    for (i = 0; i < s->n; i++)
        t += s->v[i].b - s->v[i].a;
    return t;
}

void spoor_spans__dispose(spoor_spans *s)
{
    spoor__free(s->v);
    memset(s, 0, sizeof(*s));
}

int spoor_spans__evidence(const spoor_spans *mask, size_t a, size_t b,
                          size_t least, spoor_spans *out)
{
    size_t lo = 0, hi = mask->n, at = a;
    int error;
    /* the first mask range ending after a */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (mask->v[mid].b <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < mask->n && mask->v[lo].a < b; lo++) {
        size_t ma = mask->v[lo].a;
        if (ma > at && ma - at >= least &&
            (error = spoor_spans__push(out, at, ma)) < 0)
            return error;
        if (mask->v[lo].b > at)
            at = mask->v[lo].b;
    }
    if (at < b && b - at >= least)
        return spoor_spans__push(out, at, b);
    return 0;
}
