/*
 * query.c: matching a long query without its whole canonical text.
 *
 * A text longer than the walk's offsets_max keeps marks (item->marks)
 * instead of its canonical text with offsets, which cost 12 bytes a
 * character (3 GB for a 200 MB text). What matching needs of it is
 * normalised a stretch at a time, from the last mark before it:
 *
 * - regions: the hits are taken in windows of QUERY_WINDOW query
 *   characters; each window's stretch reaches MARGIN characters past its
 *   first and last hit, and its regions are found against the source as
 *   for any query. A region is cut only where it reaches a stretch's end,
 *   MARGIN characters past the last hit of its window; the shared run
 *   goes on into the next window, whose stretch starts MARGIN characters
 *   before its first hit, so the two pieces overlap on one diagonal and
 *   are joined into one region (spoor_match__join_diagonals). A run that
 *   goes on past MARGIN characters without a hit (hits dropped by the
 *   per-key cap on repetitive text) stays cut there: both pieces are
 *   exact, the coverage is at most a little lower.
 * - byte offsets of canonical characters (a region's ends, boilerplate and
 *   origin spans): from the stretch in hand, else a stretch around them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match_int.h"

/* Query characters of hits taken together, and the characters a stretch
 * reaches beyond them. */
#define QUERY_WINDOW ((size_t)1 << 20)
#define MARGIN ((size_t)64 << 10)

/* QUERY_WINDOW and MARGIN, or what the test hook SPOOR_TEST_QUERY_WINDOW
 * ("WINDOW,MARGIN") says: tests make short texts cross windows. */
static void window_of(size_t *window, size_t *margin)
{
    const char *v = spoor__test_hook("SPOOR_TEST_QUERY_WINDOW");
    unsigned long long w = 0, m = 0;
    *window = QUERY_WINDOW;
    *margin = MARGIN;
    if (v && sscanf(v, "%llu,%llu", &w, &m) == 2 && w > 0 && m >= 64) {
        *window = (size_t)w;
        *margin = (size_t)m;
    }
}

void spoor_qview__init(spoor_qview *v, const spoor_item *item)
{
    memset(v, 0, sizeof(*v));
    v->item = item;
}

void spoor_qview__dispose(spoor_qview *v)
{
    spoor_canon_dispose(&v->st);
    spoor_canon_dispose(&v->scratch);
    memset(v, 0, sizeof(*v));
}

int spoor_qview__stretch(spoor_qview *v, size_t from, size_t to)
{
    const spoor_item *it = v->item;
    spoor_canon_mark mark = spoor_text_marks__at(it->marks, from);
    int error;
    v->have = 0;
    if ((error = spoor_normalise__stretch(
             &v->st, &v->scratch, it->doc.text.ptr ? it->doc.text.ptr : "",
             it->doc.text.size, &mark, from, to, &v->base)) < 0)
        return error;
    /* a long text spilled to a temporary file: its pages go back (a later
     * stretch reads them again from the page cache) */
    spoor_buf__pages_done(&it->doc.text, it->doc.text.size);
    v->have = 1;
    return 0;
}

/* The stretch's index of canonical character c, normalising a stretch
 * around it when it is not in hand. @return 0 or an error; *at is
 * SIZE_MAX when the text has no character c. */
static int index_of(spoor_qview *v, size_t c, size_t *at)
{
    int error;
    *at = SIZE_MAX;
    if (!v->have || c < v->base || c >= v->base + v->st.len) {
        if ((error = spoor_qview__stretch(v, c, c + 1)) < 0)
            return error;
    }
    if (c >= v->base && c < v->base + v->st.len)
        *at = c - v->base;
    return 0;
}

int spoor_match__q_bytes(const spoor_item *item, spoor_qview *v, size_t a,
                         size_t b, size_t *start, size_t *end)
{
    size_t i;
    int error;
    if (item->fp_bytes || b <= a ||
        (!item->canon.start && !item->marks)) { /* no map: positions */
        *start = a;
        *end = b;
        return 0;
    }
    if (item->canon.start) {
        *start = item->canon.start[a];
        *end = item->canon.end[b - 1];
        return 0;
    }
    if ((error = index_of(v, a, &i)) < 0)
        return error;
    *start = i == SIZE_MAX ? a : v->st.start[i];
    if ((error = index_of(v, b - 1, &i)) < 0)
        return error;
    *end = i == SIZE_MAX ? b : v->st.end[i];
    return 0;
}

int spoor_match__cmp_hit_q(const void *a, const void *b)
{
    const spoor_hit *x = a, *y = b;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Whether hits are in spoor_match__cmp_hit_q order already (gathered in
 * order: sorting them again would take a scratch copy of millions). */
static int sorted_by_q(const spoor_hit *hits, size_t n)
{
    size_t i;
    for (i = 1; i < n; i++)
        if (spoor_match__cmp_hit_q(&hits[i - 1], &hits[i]) > 0)
            return 0;
    return 1;
}

int spoor_match__long_query_regions(const spoor_item *item,
                                    spoor_source_reader *src, size_t s_total,
                                    spoor_hit *hits, size_t n_hits, unsigned k,
                                    size_t min_region, const spoor_floors *f,
                                    spoor_region **out, size_t *n, size_t *cap)
{
    spoor_qview v;
    size_t i, j, r, first = *n, window, margin;
    int error = 0;

    window_of(&window, &margin);
    spoor_qview__init(&v, item);
    if (!sorted_by_q(hits, n_hits))
        spoor__sort(hits, n_hits, sizeof(*hits), spoor_match__cmp_hit_q);
    for (i = 0; i < n_hits; i = j) {
        size_t qa = hits[i].q, from, to;
        spoor_floors fl;
        for (j = i + 1; j < n_hits && hits[j].q < qa + window; j++)
            ;
        from = qa > margin ? qa - margin : 0;
        to = hits[j - 1].q + k + margin;
        if (to > item->canon.len)
            to = item->canon.len;
        if ((error = spoor_qview__stretch(&v, from, to)) < 0)
            goto done;
        for (r = i; r < j; r++)
            hits[r].q -= (uint32_t)v.base;
        fl.q = f && f->q > v.base ? f->q - v.base : 0;
        fl.s = f ? f->s : 0;
        r = *n;
        error = spoor_match__source_regions_from(&v.st, src, s_total, hits + i,
                                                 j - i, k, min_region, &fl, out,
                                                 n, cap);
        for (; r < *n; r++) {
            (*out)[r].qc_start += v.base;
            (*out)[r].qc_end += v.base;
        }
        if (error < 0)
            goto done;
        spoor_match__keep_longest(*out, first, n);
    }
    *n = first + spoor_match__join_diagonals(*out + first, *n - first);
done:
    spoor_qview__dispose(&v);
    return error;
}
