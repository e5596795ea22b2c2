/*
 * chain.c: hits -> regions.
 *
 * Text: hits are sorted by diagonal (s - q) then by q. Each hit not inside
 * the region last found on its diagonal is verified (the k canonical
 * characters at both positions must be equal: hash collisions are dropped)
 * and extended left and right while characters agree. Regions on one
 * diagonal are therefore disjoint and each extension scans characters no
 * other extension on that diagonal scans, so the work is linear in the
 * shared text per diagonal. The result is the exact shared span, which is
 * what makes coverage arithmetic honest.
 *
 * Bytes: no source bytes are stored, so hits along a diagonal closer than
 * w + k (the most the winnowing guarantee lets a shared run go without a
 * fingerprint) are chained into one region.
 */
#include <stdlib.h>
#include <string.h>

#include "match_int.h"
#include "../normalise/normalise_int.h"

static int cmp_hit(const void *a, const void *b)
{
    const spoor_hit *x = a, *y = b;
    int64_t dx = (int64_t)x->s - (int64_t)x->q;
    int64_t dy = (int64_t)y->s - (int64_t)y->q;
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return x->q < y->q ? -1 : x->q > y->q;
}

/* First source character a hit's region can reach: its diagonal, or 0. */
static size_t window_start(const spoor_hit *h)
{
    return h->s > h->q ? (size_t)(h->s - h->q) : 0;
}

static int cmp_region(const void *a, const void *b)
{
    const spoor_region *x = a, *y = b;
    if (x->qc_start != y->qc_start)
        return x->qc_start < y->qc_start ? -1 : 1;
    return x->sc_start < y->sc_start ? -1 : x->sc_start > y->sc_start;
}

/* Longer regions first; ties in region order. */
static int cmp_longer(const void *a, const void *b)
{
    const spoor_region *x = a, *y = b;
    size_t lx = x->qc_end - x->qc_start, ly = y->qc_end - y->qc_start;
    if (lx != ly)
        return lx > ly ? -1 : 1;
    return cmp_region(a, b);
}

void spoor_match__keep_longest(spoor_region *r, size_t first, size_t *n)
{
    if (*n - first < SPOOR_MAX_REGIONS)
        return;
    spoor__sort(r + first, *n - first, sizeof(*r), cmp_longer);
    *n = first + SPOOR_MAX_REGIONS / 2;
    spoor__sort(r + first, *n - first, sizeof(*r), cmp_region);
}

/* Append r to out[first..*n), keeping the longest half when there are
 * SPOOR_MAX_REGIONS of them. */
static int push_region(spoor_region **out, size_t first, size_t *n, size_t *cap,
                       const spoor_region *r)
{
    int error;
    if (*n - first >= SPOOR_MAX_REGIONS)
        spoor_match__keep_longest(*out, first, n);
    if ((error = spoor__array_reserve((void **)out, cap, *n + 1,
                                      sizeof(**out))) < 0)
        return error;
    (*out)[(*n)++] = *r;
    return 0;
}

int spoor_match__text_regions(const spoor_canon *q, const spoor_canon *s,
                              spoor_hit *hits, size_t n_hits, unsigned k,
                              size_t min_region, const spoor_floors *f,
                              spoor_region **out, size_t *n, size_t *cap)
{
    size_t i, first = *n;
    size_t qf = f ? f->q : 0, sf = f ? f->s : 0;
    int64_t diag = 0;
    size_t covered = 0; /* q end of the last region on this diagonal */
    int have_diag = 0, error;

    spoor__sort(hits, n_hits, sizeof(*hits), cmp_hit);
    for (i = 0; i < n_hits; i++) {
        size_t qa = hits[i].q, sa = hits[i].s, qb, sb;
        int64_t d = (int64_t)sa - (int64_t)qa;
        spoor_region r;

        if (!have_diag || d != diag) {
            diag = d;
            covered = 0;
            have_diag = 1;
        }
        if (qa < covered || qa < qf || sa < sf)
            continue;
        if (qa + k > q->len || sa + k > s->len ||
            memcmp(q->chars + qa, s->chars + sa, k * sizeof(uint32_t)) != 0)
            continue; /* hash collision */
        qb = qa + k;
        sb = sa + k;
        while (qa > covered && qa > qf && sa > sf &&
               q->chars[qa - 1] == s->chars[sa - 1])
            qa--, sa--;
        while (qb < q->len && sb < s->len && q->chars[qb] == s->chars[sb])
            qb++, sb++;
        covered = qb;
        if (qb - qa < min_region)
            continue;
        r.qc_start = qa;
        r.qc_end = qb;
        r.sc_start = sa;
        r.sc_end = sb;
        r.q_start = q->start[qa];
        r.q_end = q->end[qb - 1];
        r.s_start = s->start[sa];
        r.s_end = s->end[sb - 1];
        if ((error = push_region(out, first, n, cap, &r)) < 0)
            return error;
    }
    if (*n > first)
        spoor__sort(*out + first, *n - first, sizeof(**out), cmp_region);
    return 0;
}

static int cmp_diagonal(const void *a, const void *b)
{
    const spoor_region *x = a, *y = b;
    int64_t dx = (int64_t)x->sc_start - (int64_t)x->qc_start;
    int64_t dy = (int64_t)y->sc_start - (int64_t)y->qc_start;
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return x->qc_start < y->qc_start ? -1 : x->qc_start > y->qc_start;
}

size_t spoor_match__join_diagonals(spoor_region *r, size_t n)
{
    size_t i, m = 0;
    if (n < 2)
        return n;
    spoor__sort(r, n, sizeof(*r), cmp_diagonal);
    for (i = 1; i < n; i++) {
        spoor_region *p = &r[m];
        if ((int64_t)r[i].sc_start - (int64_t)r[i].qc_start ==
                (int64_t)p->sc_start - (int64_t)p->qc_start &&
            r[i].qc_start <= p->qc_end) {
            if (r[i].qc_end > p->qc_end) { /* the run goes on */
                p->qc_end = r[i].qc_end;
                p->sc_end = r[i].sc_end;
                p->q_end = r[i].q_end;
                p->s_end = r[i].s_end;
            }
            continue;
        }
        r[++m] = r[i];
    }
    m++;
    spoor__sort(r, m, sizeof(*r), cmp_region);
    return m;
}

/* Windows closer than this many canonical characters are normalised as
 * one stretch. */
#define WINDOW_JOIN 4096

/* The most source characters normalised at once (12 bytes each with their
 * offsets): a longer source is normalised whole only up to this, and
 * windows are joined into stretches of at most this (or one window). Hits
 * spread over all of a 175 M-character source (repetitive text) had it
 * normalised whole: 2.1 GB. */
#define STRETCH_MAX ((size_t)8 << 20)

/* Whether the hit after a stretch [a, b) of windows joins it. */
static int joins(const spoor_hit *next, size_t a, size_t b, size_t qlen)
{
    size_t w = window_start(next);
    return w <= b + WINDOW_JOIN &&
           (w + qlen - a <= STRETCH_MAX || w + qlen <= b);
}

int spoor_match__source_regions_from(const spoor_canon *q,
                                     spoor_source_reader *src, size_t s_total,
                                     spoor_hit *hits, size_t n_hits, unsigned k,
                                     size_t min_region, const spoor_floors *f,
                                     spoor_region **out, size_t *n, size_t *cap)
{
    spoor_canon sc = SPOOR_CANON_INIT, scratch = SPOOR_CANON_INIT;
    spoor_floors sfl; /* f, in the stretch's characters */
    spoor_canon_mark *mark;
    const char *text;
    size_t i, j, r, first = *n, span = 0, len, byte;
    int error = 0;

    /* hit (q, s) can only grow into source characters [s - q, s - q +
     * q->len): regions are exact and lie on the hit's diagonal */
    spoor__sort(hits, n_hits, sizeof(*hits), cmp_hit);
    for (i = 0; i < n_hits; i = j) {
        size_t a = window_start(&hits[i]), b = a + q->len;
        for (j = i + 1; j < n_hits && joins(&hits[j], a, b, q->len); j++)
            b = window_start(&hits[j]) + q->len;
        span += b - a;
    }
    if (span * 2 >= s_total && s_total <= STRETCH_MAX) {
        if ((error = src->read(src->payload, 0, SIZE_MAX, &text, &len, &byte,
                               &mark)) < 0 ||
            (error = spoor_normalise(&sc, text, len)) < 0)
            goto done;
        error = spoor_match__text_regions(q, &sc, hits, n_hits, k, min_region,
                                          f, out, n, cap);
        goto done;
    }
    for (i = 0; i < n_hits; i = j) {
        size_t a = window_start(&hits[i]), b = a + q->len, base;
        for (j = i + 1; j < n_hits && joins(&hits[j], a, b, q->len); j++)
            b = window_start(&hits[j]) + q->len;
        if ((error = src->read(src->payload, a, b, &text, &len, &byte, &mark)) <
                0 ||
            (error = spoor_normalise__stretch(&sc, &scratch, text, len, mark, a,
                                              b, &base)) < 0)
            goto done;
        for (r = i; r < j; r++)
            hits[r].s -= (uint32_t)base;
        r = *n;
        sfl.q = f ? f->q : 0;
        sfl.s = f && f->s > base ? f->s - base : 0;
        error = spoor_match__text_regions(q, &sc, hits + i, j - i, k,
                                          min_region, &sfl, out, n, cap);
        for (; r < *n; r++) {
            (*out)[r].sc_start += base;
            (*out)[r].sc_end += base;
            (*out)[r].s_start += byte;
            (*out)[r].s_end += byte;
        }
        if (error < 0)
            goto done;
        spoor_match__keep_longest(*out, first, n);
    }
    if (*n > first)
        spoor__sort(*out + first, *n - first, sizeof(**out), cmp_region);
done:
    spoor_canon_dispose(&sc);
    spoor_canon_dispose(&scratch);
    return error;
}

typedef struct whole_text {
    const char *text;
    size_t len;
    spoor_canon_mark mark;
} whole_text;

/* A reader over a text held whole: every stretch is in it. */
static int read_whole(void *payload, size_t from, size_t to, const char **text,
                      size_t *len, size_t *byte, spoor_canon_mark **mark)
{
    whole_text *w = payload;
    (void)from, (void)to;
    *text = w->text;
    *len = w->len;
    *byte = 0;
    *mark = &w->mark;
    return 0;
}

int spoor_match__source_regions(const spoor_canon *q, const char *text,
                                size_t len, size_t s_total, spoor_hit *hits,
                                size_t n_hits, unsigned k, size_t min_region,
                                const spoor_floors *f, spoor_region **out,
                                size_t *n, size_t *cap)
{
    whole_text w = {text, len, {0, 0}};
    spoor_source_reader src = {read_whole, &w};
    return spoor_match__source_regions_from(q, &src, s_total, hits, n_hits, k,
                                            min_region, f, out, n, cap);
}

int spoor_match__byte_regions(spoor_hit *hits, size_t n_hits, unsigned k,
                              unsigned w, spoor_region **out, size_t *n,
                              size_t *cap)
{
    size_t i, first = *n;
    int error;

    spoor__sort(hits, n_hits, sizeof(*hits), cmp_hit);
    i = 0;
    while (i < n_hits) {
        spoor_region r;
        size_t j = i;
        int64_t d = (int64_t)hits[i].s - (int64_t)hits[i].q;
        while (j + 1 < n_hits &&
               (int64_t)hits[j + 1].s - (int64_t)hits[j + 1].q == d &&
               hits[j + 1].q <= (size_t)hits[j].q + w + k)
            j++;
        r.qc_start = r.q_start = hits[i].q;
        r.qc_end = r.q_end = (size_t)hits[j].q + k;
        r.sc_start = r.s_start = hits[i].s;
        r.sc_end = r.s_end = (size_t)hits[j].s + k;
        if ((error = push_region(out, first, n, cap, &r)) < 0)
            return error;
        i = j + 1;
    }
    if (*n > first)
        spoor__sort(*out + first, *n - first, sizeof(**out), cmp_region);
    return 0;
}

size_t spoor_match__drop_contained(spoor_region *r, size_t n)
{
    size_t i, kept = 0, reach = 0;
    for (i = 0; i < n; i++) {
        if (kept && r[i].qc_end <= reach)
            continue; /* inside a region kept before it */
        if (kept && r[i].qc_start == r[kept - 1].qc_start) {
            /* the same start, reaching further: it replaces that one */
            r[kept - 1] = r[i];
        } else {
            r[kept++] = r[i];
        }
        if (r[i].qc_end > reach)
            reach = r[i].qc_end;
    }
    return kept;
}

typedef struct range {
    size_t a, b;
} range;

static int cmp_range(const void *x, const void *y)
{
    const range *r = x, *t = y;
    return r->a < t->a ? -1 : r->a > t->a;
}

double spoor_coverage(const size_t *starts, const size_t *ends, size_t n,
                      size_t total)
{
    range *rs;
    size_t i, covered = 0, cur_a = 0, cur_b = 0;
    int open = 0;

    if (total == 0 || n == 0)
        return 0.0;
    if (!(rs = spoor__reallocarray(NULL, n, sizeof(*rs))))
        return -1.0;
    for (i = 0; i < n; i++) {
        rs[i].a = starts[i] < total ? starts[i] : total;
        rs[i].b = ends[i] < total ? ends[i] : total;
    }
    spoor__sort(rs, n, sizeof(*rs), cmp_range);
    for (i = 0; i < n; i++) {
        if (rs[i].b <= rs[i].a)
            continue;
        if (open && rs[i].a <= cur_b) {
            if (rs[i].b > cur_b)
                cur_b = rs[i].b;
        } else {
            if (open)
                covered += cur_b - cur_a;
            cur_a = rs[i].a;
            cur_b = rs[i].b;
            open = 1;
        }
    }
    if (open)
        covered += cur_b - cur_a;
    spoor__free(rs);
    return (double)covered / (double)total;
}
