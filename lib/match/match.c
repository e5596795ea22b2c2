/*
 * match.c: spoor_check_item and spoor_compare (see spoor/match.h).
 *
 * Steps for one item: (1) look up each distinct fingerprint hash once;
 * hashes held by more than opts.common items are boilerplate and seed
 * nothing; (2) group hits by source content and rank sources by hit count,
 * keeping opts.max_sources (the rest are counted in n_dropped, never
 * dropped silently); (3) load each kept source's text, normalise it, and
 * build verified regions (chain.c); (4) coverage per source and per kind of
 * collection over the union of regions; (5) verdict, first release,
 * postdated events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spoor/fingerprint.h>

#include "../store/store_int.h"
#include "match_int.h"

typedef struct cand {
    int64_t content;
    size_t first, count; /* slice of the hits array */
} cand;

typedef struct chit {
    int64_t content;
    spoor_hit h;
} chit;

static int cmp_fp_hash(const void *a, const void *b)
{
    const spoor_fp *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_chit(const void *a, const void *b)
{
    const chit *x = a, *y = b;
    if (x->content != y->content)
        return x->content < y->content ? -1 : 1;
    if (x->h.q != y->h.q)
        return x->h.q < y->h.q ? -1 : 1;
    return x->h.s < y->h.s ? -1 : x->h.s > y->h.s;
}

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->content < y->content ? -1 : x->content > y->content;
}

/* Exact copies first, then by coverage; ties go to the source seen
 * earliest (its earliest dated collection), then to the older item. */
static int cmp_match(const void *a, const void *b)
{
    const spoor_match *x = a, *y = b;
    const char *dx, *dy;
    if (x->exact != y->exact)
        return x->exact ? -1 : 1;
    if (x->coverage != y->coverage)
        return x->coverage > y->coverage ? -1 : 1;
    dx = x->source->n_occ ? x->source->occ[0].date : NULL;
    dy = y->source->n_occ ? y->source->occ[0].date : NULL;
    if (dx && dy && strcmp(dx, dy))
        return strcmp(dx, dy);
    if (!dx != !dy)
        return dx ? -1 : 1;
    return x->source->id < y->source->id ? -1 : 1;
}

void spoor_regions_free(spoor_region *r)
{
    spoor__free(r);
}

void spoor_result_free(spoor_result *r)
{
    size_t i;
    if (!r)
        return;
    for (i = 0; i < r->n_matches; i++) {
        spoor_record_free(r->matches[i].source);
        spoor__free(r->matches[i].regions);
    }
    spoor__free(r->matches);
    spoor__free(r->first_release);
    spoor__free(r->first_release_date);
    for (i = 0; i < r->n_postdates; i++) {
        spoor__free(r->postdates[i].event);
        spoor__free(r->postdates[i].event_date);
        spoor__free(r->postdates[i].field);
        spoor__free(r->postdates[i].value);
    }
    spoor__free(r->postdates);
    spoor_dkim_sigs_free(r->dkim, r->n_dkim);
    for (i = 0; i < r->n_dates; i++) {
        spoor__free(r->dates[i].field);
        spoor__free(r->dates[i].value);
        spoor__free(r->dates[i].source);
    }
    spoor__free(r->dates);
    spoor__free(r);
}

/* Drop occurrences outside opts->only; returns how many remain. */
static size_t filter_occurrences(spoor_record *rec,
                                 const spoor_check_opts *opts)
{
    size_t i, j, kept = 0;
    if (!opts->only || opts->n_only == 0)
        return rec->n_occ;
    for (i = 0; i < rec->n_occ; i++) {
        int keep = 0;
        for (j = 0; j < opts->n_only && !keep; j++)
            keep = strcmp(rec->occ[i].collection, opts->only[j]) == 0;
        if (keep) {
            rec->occ[kept++] = rec->occ[i];
        } else {
            spoor__free(rec->occ[i].collection);
            spoor__free(rec->occ[i].kind);
            spoor__free(rec->occ[i].date);
            spoor__free(rec->occ[i].path);
        }
    }
    rec->n_occ = kept;
    return kept;
}

/* Union coverage over the regions of matches with an occurrence of kind
 * (NULL: any). Also reports the longest such region. */
static int kind_coverage(const spoor_result *r, const char *kind, size_t total,
                         double *cov, size_t *longest)
{
    size_t i, j, n = 0, cap = 0;
    size_t *a = NULL, *b = NULL;
    int error = 0;

    *cov = 0.0;
    if (longest)
        *longest = 0;
    for (i = 0; i < r->n_matches; i++) {
        const spoor_match *m = &r->matches[i];
        int has = kind == NULL;
        for (j = 0; j < m->source->n_occ && !has; j++)
            has = strcmp(m->source->occ[j].kind, kind) == 0;
        if (!has)
            continue;
        for (j = 0; j < m->n_regions; j++) {
            size_t c2 = cap;
            if ((error = spoor__array_reserve((void **)&a, &cap, n + 1,
                                              sizeof(size_t))) < 0 ||
                (error = spoor__array_reserve((void **)&b, &c2, n + 1,
                                              sizeof(size_t))) < 0)
                goto done;
            a[n] = m->regions[j].qc_start;
            b[n] = m->regions[j].qc_end;
            if (longest && b[n] - a[n] > *longest)
                *longest = b[n] - a[n];
            n++;
        }
        if (m->exact && longest && total > *longest)
            *longest = total;
    }
    if (n) {
        *cov = spoor_coverage(a, b, n, total);
        if (*cov < 0)
            error = spoor__error_oom();
    }
    for (i = 0; i < r->n_matches && error == 0; i++) {
        const spoor_match *m = &r->matches[i];
        int has = kind == NULL;
        for (j = 0; j < m->source->n_occ && !has; j++)
            has = strcmp(m->source->occ[j].kind, kind) == 0;
        if (has && m->exact)
            *cov = 1.0;
    }
done:
    spoor__free(a);
    spoor__free(b);
    return error;
}

static double region_cov(const spoor_match *m, int source_side, size_t total)
{
    size_t *a, *b, i;
    double c;
    if (m->n_regions == 0 || total == 0)
        return 0.0;
    a = spoor__reallocarray(NULL, m->n_regions, sizeof(size_t));
    b = spoor__reallocarray(NULL, m->n_regions, sizeof(size_t));
    if (!a || !b) {
        spoor__free(a);
        spoor__free(b);
        return -1.0;
    }
    for (i = 0; i < m->n_regions; i++) {
        a[i] = source_side ? m->regions[i].sc_start : m->regions[i].qc_start;
        b[i] = source_side ? m->regions[i].sc_end : m->regions[i].qc_end;
    }
    c = spoor_coverage(a, b, m->n_regions, total);
    spoor__free(a);
    spoor__free(b);
    return c;
}

/* A source's stored text as spoor_match__source_regions_from reads it. */
typedef struct stored_source {
    spoor_store *s;
    int64_t content;
    spoor_stored_text stored; /* its table of parts, if it has one */
    spoor_buf *text;          /* the text read: whole, or some parts */
    int whole;                /* text holds it whole */
    spoor_canon_mark mark;
} stored_source;

/* spoor_source_reader.read: the parts that hold [from, to) where the text
 * is stored in parts, else the whole text (read once). */
static int read_stored(void *payload, size_t from, size_t to, const char **text,
                       size_t *len, size_t *byte, spoor_canon_mark **mark)
{
    stored_source *r = payload;
    int error = 0;

    if (r->stored.toc.n == 0 || to == SIZE_MAX) {
        if (!r->whole) {
            SPOOR_TRY(spoor_store_text(r->s, r->content, r->text));
            r->whole = 1;
            r->mark.byte = r->mark.canon = 0;
        }
        *byte = 0;
    } else {
        size_t first,
            end = spoor_text__parts_for(&r->stored.toc, from, to, &first);
        SPOOR_TRY(
            spoor_store__text_parts(r->s, &r->stored, first, end, r->text));
        r->whole = 0;
        r->mark.byte = 0;
        r->mark.canon = r->stored.toc.v[first].canon;
        *byte = r->stored.toc.v[first].byte;
    }
    *text = r->text->ptr ? r->text->ptr : "";
    *len = r->text->size;
    *mark = &r->mark;
done:
    return error;
}

/* Build the match for one candidate source. */
static int build_match(spoor_store *s, const spoor_item *item, int64_t content,
                       chit *hits, size_t n_hits, int exact,
                       const spoor_check_opts *opts, spoor_match *m, int *keep)
{
    spoor_buf text = SPOOR_BUF_INIT;
    spoor_hit *h = NULL;
    size_t i, cap = 0, qtotal, stotal;
    int error = 0;

    *keep = 0;
    memset(m, 0, sizeof(*m));
    SPOOR_TRY(spoor_store_record(s, content, &m->source));
    if (filter_occurrences(m->source, opts) == 0)
        goto done;
    m->exact = exact;
    if (n_hits) {
        h = spoor__reallocarray(NULL, n_hits, sizeof(*h));
        SPOOR_ALLOC_CHECK(h);
        for (i = 0; i < n_hits; i++)
            h[i] = hits[i].h;
    }
    if (item->fp_bytes) {
        SPOOR_TRY(spoor_match__byte_regions(h, n_hits, SPOOR_BYTES_K,
                                            SPOOR_BYTES_W, &m->regions,
                                            &m->n_regions, &cap));
        qtotal = (size_t)item->bytes;
        stotal = (size_t)m->source->bytes;
    } else {
        if (n_hits) {
            stored_source src;
            spoor_source_reader reader = {read_stored, &src};
            memset(&src, 0, sizeof(src));
            src.s = s;
            src.content = content;
            src.text = &text;
            error = spoor_store__text_open(
                s, content, (size_t)m->source->text_bytes,
                (size_t)m->source->canon_len, &src.stored);
            if (error == 0)
                error = spoor_match__source_regions_from(
                    &item->canon, &reader, (size_t)m->source->canon_len, h,
                    n_hits, SPOOR_TEXT_K, opts->min_region, &m->regions,
                    &m->n_regions, &cap);
            spoor_store__text_close(&src.stored);
            if (error < 0)
                goto done;
        }
        qtotal = item->canon.len;
        stotal = (size_t)m->source->canon_len;
    }
    for (i = 0; i < m->n_regions; i++)
        if (m->regions[i].qc_end - m->regions[i].qc_start > m->longest)
            m->longest = m->regions[i].qc_end - m->regions[i].qc_start;
    if (exact) {
        m->coverage = m->source_coverage = 1.0;
    } else {
        m->coverage = region_cov(m, 0, qtotal);
        m->source_coverage = region_cov(m, 1, stotal);
        if (m->coverage < 0 || m->source_coverage < 0) {
            error = spoor__error_oom();
            goto done;
        }
    }
    *keep = exact || m->n_regions > 0;
done:
    spoor__free(h);
    spoor_buf_dispose(&text);
    if (error < 0 || !*keep) {
        spoor_record_free(m->source);
        spoor__free(m->regions);
        memset(m, 0, sizeof(*m));
    }
    return error;
}

/* Gather hits of all non-boilerplate fingerprints of item. */
static int gather_hits(spoor_store *s, const spoor_item *item,
                       const spoor_check_opts *opts, spoor_result *r,
                       chit **hits_out, size_t *n_out)
{
    spoor_fp *fps = NULL;
    spoor_postings post = {NULL, 0, 0};
    chit *hits = NULL;
    size_t i, j, n = 0, cap = 0;
    int error = 0;

    *hits_out = NULL;
    *n_out = 0;
    if (item->fps.n == 0)
        return 0;
    fps = spoor__reallocarray(NULL, item->fps.n, sizeof(*fps));
    SPOOR_ALLOC_CHECK(fps);
    memcpy(fps, item->fps.v, item->fps.n * sizeof(*fps));
    spoor__sort(fps, item->fps.n, sizeof(*fps), cmp_fp_hash);
    r->n_fps = item->fps.n;
    for (i = 0; i < item->fps.n;) {
        size_t end = i, p, q;
        int common;
        while (end < item->fps.n && fps[end].hash == fps[i].hash)
            end++;
        post.n = 0;
        SPOOR_TRY(
            spoor_store__lookup(s, fps[i].hash, opts->common, &post, &common));
        if (common) {
            r->n_common += end - i;
        } else {
            for (p = i; p < end; p++) {
                SPOOR_TRY(spoor__array_reserve((void **)&hits, &cap, n + post.n,
                                               sizeof(*hits)));
                for (q = 0; q < post.n; q++) {
                    hits[n].content = post.v[q].content;
                    hits[n].h.q = fps[p].pos;
                    hits[n].h.s = post.v[q].pos;
                    n++;
                }
            }
        }
        i = end;
    }
    (void)j;
    *hits_out = hits;
    *n_out = n;
    hits = NULL;
done:
    spoor__free(fps);
    spoor__free(post.v);
    spoor__free(hits);
    return error;
}

static int add_match(spoor_result *r, size_t *cap, spoor_match *m)
{
    int error = spoor__array_reserve((void **)&r->matches, cap,
                                     r->n_matches + 1, sizeof(*m));
    if (error < 0)
        return error;
    r->matches[r->n_matches++] = *m;
    return 0;
}

/* YYYY-MM-DD prefix of an ISO date into out[11]; 0 if it has none. */
static int day_of(const char *v, char out[11])
{
    int i;
    if (!v || strlen(v) < 10)
        return 0;
    for (i = 0; i < 10; i++) {
        char c = v[i];
        if ((i == 4 || i == 7) ? c != '-' : (c < '0' || c > '9'))
            return 0;
    }
    memcpy(out, v, 10);
    out[10] = '\0';
    return 1;
}

static int compute_dates(spoor_store *s, const spoor_item *item,
                         spoor_result *r)
{
    spoor_event *ev = NULL;
    size_t n_ev = 0, i, j, cap = 0;
    int error;

    if ((error = spoor_store_events(s, &ev, &n_ev)) < 0)
        return error;
    for (i = 0; i < n_ev; i++) {
        for (j = 0; j < item->doc.n_dates + r->n_dates; j++) {
            const spoor_date *dt = j < item->doc.n_dates
                                       ? &item->doc.dates[j]
                                       : &r->dates[j - item->doc.n_dates];
            char day[11];
            spoor_postdate *p;
            if (!day_of(dt->value, day) || strcmp(day, ev[i].date) <= 0)
                continue;
            SPOOR_TRY(spoor__array_reserve((void **)&r->postdates, &cap,
                                           r->n_postdates + 1, sizeof(*p)));
            p = &r->postdates[r->n_postdates];
            memset(p, 0, sizeof(*p));
            r->n_postdates++;
            p->event = spoor__strdup(ev[i].name);
            p->event_date = spoor__strdup(ev[i].date);
            p->field = spoor__strdup(dt->field);
            p->value = spoor__strdup(dt->value);
            if (!p->event || !p->event_date || !p->field || !p->value) {
                error = spoor__error_oom();
                goto done;
            }
            break; /* one entry per event: the first later date */
        }
    }
done:
    spoor_events_free(ev, n_ev);
    return error;
}

static int compute_first_release(spoor_result *r)
{
    const spoor_occurrence *best = NULL;
    size_t i, j;
    for (i = 0; i < r->n_matches; i++) {
        const spoor_record *rec = r->matches[i].source;
        for (j = 0; j < rec->n_occ; j++) {
            const spoor_occurrence *o = &rec->occ[j];
            if (strcmp(o->kind, "release"))
                continue;
            if (!best ||
                (o->date && (!best->date || strcmp(o->date, best->date) < 0 ||
                             (strcmp(o->date, best->date) == 0 &&
                              strcmp(o->collection, best->collection) < 0))))
                best = o;
        }
    }
    if (!best)
        return 0;
    r->first_release = spoor__strdup(best->collection);
    if (!r->first_release)
        return spoor__error_oom();
    if (best->date && !(r->first_release_date = spoor__strdup(best->date)))
        return spoor__error_oom();
    return 0;
}

int spoor_check_item(spoor_result **out, spoor_store *s, const spoor_item *item,
                     const spoor_check_opts *opts)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    spoor_result *r;
    chit *hits = NULL;
    cand *cands = NULL;
    size_t n_hits = 0, n_cands = 0, ccap = 0, mcap = 0, i, kept;
    int64_t exact_id = -1;
    size_t longest_release = 0;
    int error = 0;

    *out = NULL;
    if (!opts)
        opts = &defaults;
    r = spoor__calloc(1, sizeof(*r));
    if (!r)
        return spoor__error_oom();
    r->approximate = item->fp_bytes;
    if ((error = spoor_store__read_begin(s)) < 0)
        goto done;

    error = spoor_store__by_sha256(s, item->sha256, &exact_id);
    if (error == SPOOR_ENOTFOUND)
        exact_id = -1, error = 0;
    else if (error < 0)
        goto done;

    SPOOR_TRY(gather_hits(s, item, opts, r, &hits, &n_hits));
    spoor__sort(hits, n_hits, sizeof(*hits), cmp_chit);
    for (i = 0; i < n_hits;) {
        size_t end = i;
        while (end < n_hits && hits[end].content == hits[i].content)
            end++;
        SPOOR_TRY(spoor__array_reserve((void **)&cands, &ccap, n_cands + 1,
                                       sizeof(*cands)));
        cands[n_cands].content = hits[i].content;
        cands[n_cands].first = i;
        cands[n_cands].count = end - i;
        n_cands++;
        i = end;
    }
    spoor__sort(cands, n_cands, sizeof(*cands), cmp_cand);
    kept = n_cands < opts->max_sources ? n_cands : opts->max_sources;

    if (exact_id >= 0) {
        /* The exact copy is always verified, whatever its rank. */
        size_t e = n_cands;
        for (i = 0; i < n_cands && e == n_cands; i++)
            if (cands[i].content == exact_id)
                e = i;
        if (e == n_cands) {
            spoor_match m;
            int keep;
            SPOOR_TRY(
                build_match(s, item, exact_id, NULL, 0, 1, opts, &m, &keep));
            if (keep)
                SPOOR_TRY(add_match(r, &mcap, &m));
        } else if (e >= kept) {
            cand t = cands[e];
            memmove(cands + 1, cands, e * sizeof(*cands));
            cands[0] = t;
            if (kept == 0)
                kept = 1;
        }
    }
    r->n_dropped = n_cands - kept;
    for (i = 0; i < kept; i++) {
        spoor_match m;
        int keep;
        SPOOR_TRY(build_match(s, item, cands[i].content, hits + cands[i].first,
                              cands[i].count, cands[i].content == exact_id,
                              opts, &m, &keep));
        if (keep)
            SPOOR_TRY(add_match(r, &mcap, &m));
    }
    if (r->n_matches > 1)
        spoor__sort(r->matches, r->n_matches, sizeof(*r->matches), cmp_match);

    {
        size_t total = item->fp_bytes ? (size_t)item->bytes : item->canon.len;
        SPOOR_TRY(kind_coverage(r, "release", total, &r->cov_release,
                                &longest_release));
        SPOOR_TRY(kind_coverage(r, "internal", total, &r->cov_internal, NULL));
        SPOOR_TRY(kind_coverage(r, NULL, total, &r->cov_any, NULL));
        if (item->fp_bytes && longest_release > 0 &&
            longest_release < SPOOR_TEXT_W + SPOOR_TEXT_K - 1)
            longest_release = SPOOR_TEXT_W + SPOOR_TEXT_K - 1;
    }
    r->verdict =
        spoor_verdict(r->cov_release, r->cov_internal, longest_release, opts);
    SPOOR_TRY(compute_first_release(r));
    if (opts->dkim && !strcmp(item->doc.format, "eml")) {
        size_t k, cap = 0;
        r->dkim_checked = 1;
        SPOOR_TRY(spoor_dkim_verify(opts->dkim, item, &r->dkim, &r->n_dkim));
        for (k = 0; k < r->n_dkim; k++) {
            spoor_date *dt;
            char src[300];
            if (!r->dkim[k].signed_at)
                continue;
            SPOOR_TRY(spoor__array_reserve((void **)&r->dates, &cap,
                                           r->n_dates + 1, sizeof(*dt)));
            dt = &r->dates[r->n_dates];
            snprintf(src, sizeof(src), "DKIM-Signature t= (d=%s)",
                     r->dkim[k].domain);
            dt->field = spoor__strdup("dkim-t");
            dt->value = spoor__strdup(r->dkim[k].signed_at);
            dt->source = spoor__strdup(src);
            r->n_dates++;
            if (!dt->field || !dt->value || !dt->source) {
                error = spoor__error_oom();
                goto done;
            }
        }
    }
    SPOOR_TRY(compute_dates(s, item, r));
done:
    spoor_store__read_end(s);
    spoor__free(hits);
    spoor__free(cands);
    if (error < 0) {
        spoor_result_free(r);
        return error;
    }
    *out = r;
    return 0;
}

int spoor_compare(spoor_region **out, size_t *n_out, const spoor_item *a,
                  const spoor_item *b, size_t min_region)
{
    spoor_fp *bf = NULL;
    spoor_hit *hits = NULL;
    size_t i, n = 0, cap = 0, rcap = 0;
    int error = 0;

    *out = NULL;
    *n_out = 0;
    if (a->fp_bytes != b->fp_bytes)
        return spoor__error_set(SPOOR_EINVALID,
                                "cannot compare an item with text to one "
                                "without");
    if (b->fps.n) {
        bf = spoor__reallocarray(NULL, b->fps.n, sizeof(*bf));
        SPOOR_ALLOC_CHECK(bf);
        memcpy(bf, b->fps.v, b->fps.n * sizeof(*bf));
        spoor__sort(bf, b->fps.n, sizeof(*bf), cmp_fp_hash);
    }
    for (i = 0; i < a->fps.n && b->fps.n; i++) {
        size_t lo = 0, hi = b->fps.n;
        uint64_t h = a->fps.v[i].hash;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (bf[mid].hash < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < b->fps.n && bf[lo].hash == h; lo++) {
            SPOOR_TRY(spoor__array_reserve((void **)&hits, &cap, n + 1,
                                           sizeof(*hits)));
            hits[n].q = a->fps.v[i].pos;
            hits[n].s = bf[lo].pos;
            n++;
        }
    }
    if (a->fp_bytes)
        error = spoor_match__byte_regions(hits, n, SPOOR_BYTES_K, SPOOR_BYTES_W,
                                          out, n_out, &rcap);
    else
        error = spoor_match__text_regions(&a->canon, &b->canon, hits, n,
                                          SPOOR_TEXT_K, min_region, out, n_out,
                                          &rcap);
done:
    spoor__free(bf);
    spoor__free(hits);
    if (error < 0) {
        spoor__free(*out);
        *out = NULL;
        *n_out = 0;
    }
    return error;
}
