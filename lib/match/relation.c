/*
 * relation.c: where each source stands in time relative to the query, and
 * where each passage comes from.
 *
 * An item's time is its own first date by this order of fields: date (an
 * email's Date header), submitted, delivered (PST), created, modified
 * (document metadata). A source without one of its own takes the earliest
 * date of the release collections it is in (it was public by then). Two
 * times compare to the second, or to the day when either is only a day;
 * a source is then `earlier`, `same` or `later` than the query, or
 * `undated` when either has no time.
 *
 * Each part of a region has an origin, the source that holds it with the
 * earliest time (the region's own source when nothing earlier does), and a
 * first release, the earliest release collection holding it: a reply's own
 * text and the message it quotes, in one region of a later copy, are two
 * parts with two origins. The parts are cut where a region of an earlier
 * source begins or ends.
 */
#include <string.h>

#include "match_int.h"

static const char *const time_fields[] = {"date", "submitted", "delivered",
                                          "created", "modified"};

/* The first date of dates[0, n) by the order of time_fields, or NULL. */
static const spoor_date *own_time(const spoor_date *dates, size_t n)
{
    size_t f, i;
    for (f = 0; f < sizeof(time_fields) / sizeof(*time_fields); f++)
        for (i = 0; i < n; i++)
            if (!strcmp(dates[i].field, time_fields[f]) && dates[i].value &&
                strlen(dates[i].value) >= 10)
                return &dates[i];
    return NULL;
}

/* The earliest date of the release collections rec is in, or NULL. */
static const char *release_date(const spoor_record *rec)
{
    const char *best = NULL;
    size_t i;
    for (i = 0; i < rec->n_occ; i++)
        if (rec->occ[i].kind_id == SPOOR_KIND_RELEASE && rec->occ[i].date &&
            (!best || strcmp(rec->occ[i].date, best) < 0))
            best = rec->occ[i].date;
    return best;
}

/* Compare times a and b to the second, or to the day when either is a
 * day only. */
static int cmp_time(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == 10 || lb == 10)
        return strncmp(a, b, 10);
    return strcmp(a, b);
}

int spoor_match__relations(spoor_result *r, const spoor_item *item)
{
    const spoor_date *q = own_time(item->doc.dates, item->doc.n_dates);
    size_t i;

    if (q) {
        if (!(r->when = spoor__strdup(q->value)))
            return spoor__error_oom();
        r->when_field = q->field;
    }
    for (i = 0; i < r->n_matches; i++) {
        spoor_match *m = &r->matches[i];
        const spoor_date *d = own_time(m->source->dates, m->source->n_dates);
        const char *t = d ? d->value : release_date(m->source);
        int c;
        m->when_basis = d ? d->field : t ? "collection date" : NULL;
        if (t && !(m->when = spoor__strdup(t)))
            return spoor__error_oom();
        if (!r->when || !m->when) {
            m->relation = "undated";
            continue;
        }
        c = cmp_time(m->when, r->when);
        m->relation = c < 0 ? "earlier" : c == 0 ? "same" : "later";
    }
    return 0;
}

/* Whether match x is earlier in time than match y: dated before undated,
 * then by time, then the lower content id. */
static int before(const spoor_match *x, const spoor_match *y)
{
    int c;
    if (!x->when != !y->when)
        return x->when != NULL;
    if (x->when && (c = cmp_time(x->when, y->when)) != 0)
        return c < 0;
    return x->source->id < y->source->id;
}

/* Whether one of m's regions covers query character c. Regions are
 * ordered by query start and none lies inside another
 * (spoor_match__drop_contained), so their ends rise too: only the last
 * region starting at or before c can cover it. */
static int covers(const spoor_match *m, size_t c)
{
    size_t lo = 0, hi = m->n_regions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->regions[mid].qc_start <= c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && m->regions[lo - 1].qc_end > c;
}

/* Add to b the starts and ends of x's regions inside (a, e). */
static int add_bounds(const spoor_match *x, size_t a, size_t e, spoor_spans *b)
{
    size_t lo = 0, hi = x->n_regions;
    int error;
    while (lo < hi) { /* the first region ending after a */
        size_t mid = lo + (hi - lo) / 2;
        if (x->regions[mid].qc_end <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < x->n_regions && x->regions[lo].qc_start < e; lo++) {
        const spoor_region *g = &x->regions[lo];
        if (g->qc_start > a &&
            (error = spoor_spans__push(b, g->qc_start, g->qc_start + 1)) < 0)
            return error;
        if (g->qc_end < e &&
            (error = spoor_spans__push(b, g->qc_end, g->qc_end + 1)) < 0)
            return error;
    }
    return 0;
}

static int cmp_bound(const void *a, const void *b)
{
    const spoor_span *x = a, *y = b;
    return x->a < y->a ? -1 : x->a > y->a;
}

/* Origin and first release of query character c for match i: the
 * earliest match holding c (i itself when none is earlier), and the
 * earliest release occurrence of the matches holding it. */
static void origin_at(const spoor_result *r, size_t i, size_t c,
                      spoor_origin_span *o)
{
    const char *rel_date = NULL;
    size_t x, e;
    o->origin = (long)i;
    o->first_release = -1;
    o->first_release_occ = 0;
    for (x = 0; x < r->n_matches; x++) {
        const spoor_match *m = &r->matches[x];
        if (m->boilerplate || (x != i && !covers(m, c)))
            continue;
        if (before(m, &r->matches[o->origin]))
            o->origin = (long)x;
        for (e = 0; e < m->source->n_occ; e++) {
            const spoor_occurrence *oc = &m->source->occ[e];
            if (oc->kind_id != SPOOR_KIND_RELEASE ||
                (o->first_release >= 0 &&
                 (!oc->date || (rel_date && strcmp(oc->date, rel_date) >= 0))))
                continue;
            o->first_release = (long)x;
            o->first_release_occ = e;
            rel_date = oc->date;
        }
    }
}

/* Above this many (regions x matches), each region gets one origin, at
 * its middle, instead of its parts': bounds the work on huge results. */
#define ORIGIN_WORK_MAX 4000000

int spoor_match__origins(spoor_result *r, const spoor_item *item)
{
    spoor_spans b = {NULL, 0, 0};
    spoor_qview qv;
    size_t i, j, x, p, n_regions = 0, cap;
    int fine, error = 0;

    spoor_qview__init(&qv, item);
    for (i = 0; i < r->n_matches; i++)
        n_regions += r->matches[i].n_regions;
    fine = n_regions * r->n_matches <= ORIGIN_WORK_MAX;
    for (i = 0; i < r->n_matches; i++) {
        spoor_match *m = &r->matches[i];
        cap = 0;
        for (j = 0; j < m->n_regions; j++) {
            const spoor_region *g = &m->regions[j];
            b.n = 0;
            SPOOR_TRY(spoor_spans__push(&b, g->qc_start, g->qc_start + 1));
            for (x = 0; fine && x < r->n_matches; x++)
                if (x != i && !r->matches[x].boilerplate &&
                    before(&r->matches[x], m))
                    SPOOR_TRY(
                        add_bounds(&r->matches[x], g->qc_start, g->qc_end, &b));
            spoor__sort(b.v, b.n, sizeof(*b.v), cmp_bound);
            for (p = 0; p < b.n; p++) {
                size_t from = b.v[p].a, to = g->qc_end;
                spoor_origin_span o, *last;
                if (p + 1 < b.n && b.v[p + 1].a == from)
                    continue; /* the same bound twice */
                if (p + 1 < b.n)
                    to = b.v[p + 1].a;
                origin_at(r, i, fine ? from : from + (g->qc_end - from) / 2,
                          &o);
                last = m->n_origins ? &m->origins[m->n_origins - 1] : NULL;
                o.region = j;
                SPOOR_TRY(spoor_match__q_bytes(item, &qv, from, to, &o.q_start,
                                               &o.q_end));
                if (last && last->region == j && last->origin == o.origin &&
                    last->first_release == o.first_release &&
                    last->first_release_occ == o.first_release_occ) {
                    last->q_end = o.q_end; /* the same origin goes on */
                    continue;
                }
                SPOOR_TRY(spoor__array_reserve((void **)&m->origins, &cap,
                                               m->n_origins + 1,
                                               sizeof(*m->origins)));
                m->origins[m->n_origins++] = o;
            }
        }
    }
done:
    spoor_qview__dispose(&qv);
    spoor_spans__dispose(&b);
    return error;
}
