/*
 * match.c: spoor_check_item and spoor_compare (see spoor/match.h).
 *
 * Steps for one item: (1) look up each distinct fingerprint hash once;
 * hashes held by more than the common threshold of items, or by items of
 * `spread` families or more, are boilerplate: they seed nothing and their
 * k-grams go into the boilerplate mask; (2) group hits by source content
 * and rank sources by hit count, keeping opts.max_sources (the rest are
 * counted in n_dropped, never dropped silently); (3) load each kept
 * source's text, normalise it, and build verified regions (chain.c), none
 * reaching into an email header block; (4) passages shared with
 * boilerplate collections join the mask, and each match's evidence is its
 * regions minus the mask (evidence.c); (5) coverage per source and per kind
 * of collection over the union of evidence; (6) verdict, first release,
 * postdated events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spoor/fingerprint.h>

#include "../extract/extract_int.h"
#include "../store/store_int.h"
#include "match_int.h"
#include "../normalise/normalise_int.h"

static int cmp_cand(const void *a, const void *b)
{
    const spoor_cand *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->content < y->content ? -1 : x->content > y->content;
}

/* Fingerprints by hash, then position. */
static int cmp_fp_hash(const void *a, const void *b)
{
    const spoor_fp *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sources (earlier, same or undated in time) before later copies; in
 * each group exact copies first, then by coverage; ties go to the source
 * seen earliest (its earliest dated collection), then to the older item. */
static int cmp_match(const void *a, const void *b)
{
    const spoor_match *x = a, *y = b;
    const char *dx, *dy;
    int lx = x->relation && !strcmp(x->relation, "later"),
        ly = y->relation && !strcmp(y->relation, "later");
    if (lx != ly)
        return lx ? 1 : -1;
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
        spoor__free(r->matches[i].bp);
        spoor__free(r->matches[i].when);
        spoor__free(r->matches[i].origins);
        spoor__free(r->matches[i].ev);
    }
    spoor__free(r->matches);
    spoor__free(r->verdict_basis);
    spoor__free(r->when);
    spoor__free(r->first_release);
    spoor__free(r->first_release_date);
    for (i = 0; i < r->n_postdates; i++) {
        spoor__free(r->postdates[i].event);
        spoor__free(r->postdates[i].event_date);
        spoor__free(r->postdates[i].field);
        spoor__free(r->postdates[i].value);
        spoor__free(r->postdates[i].member);
    }
    spoor_members__free(r);
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

/* Whether match m has an occurrence of kind (NULL: any). */
static int has_kind(const spoor_match *m, const char *kind)
{
    size_t j;
    if (!kind)
        return 1;
    for (j = 0; j < m->source->n_occ; j++)
        if (!strcmp(m->source->occ[j].kind, kind))
            return 1;
    return 0;
}

/* Whether match m has an occurrence in collection name. */
static int in_collection(const spoor_match *m, const char *name)
{
    size_t j;
    for (j = 0; j < m->source->n_occ; j++)
        if (!strcmp(m->source->occ[j].collection, name))
            return 1;
    return 0;
}

/* Evidence characters of the matches that pass keep(m, arg), together:
 * the union of their evidence ranges. */
static int evidence_of(const spoor_result *r,
                       int (*keep)(const spoor_match *, const char *),
                       const char *arg, size_t *chars)
{
    spoor_spans ev = {NULL, 0, 0};
    size_t i, j;
    int error = 0;
    *chars = 0;
    for (i = 0; i < r->n_matches && error == 0; i++)
        if (keep(&r->matches[i], arg))
            for (j = 0; j < r->matches[i].n_ev && error == 0; j++)
                error = spoor_spans__push(&ev, r->matches[i].ev[j].start,
                                          r->matches[i].ev[j].end);
    if (error == 0) {
        spoor_spans__merge(&ev);
        *chars = spoor_spans__total(&ev);
    }
    spoor_spans__dispose(&ev);
    return error;
}

/* The one region of an exact copy: the whole compared text, the same on
 * both sides (identical bytes have identical text and header block). */
static int exact_region(const spoor_item *item, spoor_match *m)
{
    spoor_region g;
    size_t h = item->header_chars;
    memset(&g, 0, sizeof(g));
    if (item->fp_bytes) {
        if (!item->bytes)
            return 0;
        g.qc_end = g.q_end = g.sc_end = g.s_end = (size_t)item->bytes;
    } else {
        spoor_qview qv;
        int error;
        if (item->canon.len <= h || (!item->canon.start && !item->marks))
            return 0;
        g.qc_start = g.sc_start = h;
        g.qc_end = g.sc_end = item->canon.len;
        spoor_qview__init(&qv, item);
        error = spoor_match__q_bytes(item, &qv, h, item->canon.len, &g.q_start,
                                     &g.q_end);
        spoor_qview__dispose(&qv);
        if (error < 0)
            return error;
        g.s_start = g.q_start;
        g.s_end = g.q_end;
    }
    m->regions = spoor__malloc(sizeof(g));
    if (!m->regions)
        return spoor__error_oom();
    m->regions[0] = g;
    m->n_regions = 1;
    return 0;
}

/* Tell a shared index the sources cands[0..n) will be read, so that it
 * fetches their records and texts at once. */
static int want_sources(spoor_store *s, const spoor_cand *cands, size_t n)
{
    int64_t *ids = spoor__reallocarray(NULL, n ? n : 1, sizeof(*ids));
    size_t i;
    int error;
    if (!ids)
        return spoor__error_oom();
    for (i = 0; i < n; i++)
        ids[i] = cands[i].content;
    error = spoor_store__want_sources(s, ids, n);
    spoor__free(ids);
    return error;
}

/* Build the match for one candidate source: its verified regions (the
 * evidence and coverage come later, once the boilerplate mask is known). */
static int build_match(spoor_store *s, const spoor_item *item, int64_t content,
                       spoor_hit *h, size_t n_hits, int exact,
                       const spoor_check_opts *opts, spoor_match *m, int *keep)
{
    size_t i, cap = 0;
    int error = 0;

    *keep = 0;
    memset(m, 0, sizeof(*m));
    SPOOR_TRY(spoor_store_record(&m->source, s, content));
    if (filter_occurrences(m->source, opts) == 0)
        goto done;
    m->exact = exact;
    m->boilerplate = has_kind(m, spoor_kind_name(SPOOR_KIND_BOILERPLATE));
    if (exact) {
        SPOOR_TRY(exact_region(item, m));
    } else if (item->fp_bytes) {
        SPOOR_TRY(spoor_match__byte_regions(h, n_hits, SPOOR_BYTES_K,
                                            SPOOR_BYTES_W, &m->regions,
                                            &m->n_regions, &cap));
    } else if (n_hits) {
        spoor_stored_source src;
        spoor_source_reader reader;
        spoor_floors fl = {item->header_chars, (size_t)m->source->header_chars};
        error = spoor_match__stored_open(&src, &reader, s, m->source);
        if (error == 0 && item->marks)
            error = spoor_match__long_query_regions(
                item, &reader, (size_t)m->source->canon_len, h, n_hits,
                SPOOR_TEXT_K, opts->min_region, &fl, &m->regions, &m->n_regions,
                &cap);
        else if (error == 0)
            error = spoor_match__source_regions_from(
                &item->canon, &reader, (size_t)m->source->canon_len, h, n_hits,
                SPOOR_TEXT_K, opts->min_region, &fl, &m->regions, &m->n_regions,
                &cap);
        spoor_match__stored_close(&src);
        if (error < 0)
            goto done;
    }
    m->n_regions = spoor_match__drop_contained(m->regions, m->n_regions);
    for (i = 0; i < m->n_regions; i++)
        if (m->regions[i].qc_end - m->regions[i].qc_start > m->longest)
            m->longest = m->regions[i].qc_end - m->regions[i].qc_start;
    *keep = exact || m->n_regions > 0;
done:
    if (error < 0 || !*keep) {
        spoor_record_free(m->source);
        spoor__free(m->regions);
        memset(m, 0, sizeof(*m));
    }
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

    if ((error = spoor_store_events(&ev, &n_ev, s)) < 0)
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

/* Share of total that chars are; an empty text shares nothing. */
static double share(size_t chars, size_t total)
{
    return total ? (double)chars / (double)total : 0.0;
}

/* keep callbacks of evidence_of */
static int of_kind(const spoor_match *m, const char *kind)
{
    return !m->boilerplate && has_kind(m, kind);
}

static int of_collection(const spoor_match *m, const char *name)
{
    return !m->boilerplate && in_collection(m, name);
}

int spoor_match__collection_evidence(const spoor_result *r, const char *name,
                                     size_t *chars)
{
    return evidence_of(r, of_collection, name, chars);
}

/* The earliest release collection holding a substantive share of the item
 * on its own (never one reached only through boilerplate, headers or
 * passages under the minimum); only for a released or partially-released
 * item. */
static int compute_first_release(spoor_result *r, const spoor_check_opts *opts)
{
    const spoor_occurrence *best = NULL;
    size_t i, j, chars;
    int error;
    if (strcmp(r->verdict, "released") &&
        strcmp(r->verdict, "partially-released"))
        return 0;
    for (i = 0; i < r->n_matches; i++) {
        const spoor_record *rec = r->matches[i].source;
        if (r->matches[i].boilerplate)
            continue;
        for (j = 0; j < rec->n_occ; j++) {
            const spoor_occurrence *o = &rec->occ[j];
            double sh;
            if (o->kind_id != SPOOR_KIND_RELEASE)
                continue;
            if (best &&
                !(o->date && (!best->date || strcmp(o->date, best->date) < 0 ||
                              (strcmp(o->date, best->date) == 0 &&
                               strcmp(o->collection, best->collection) < 0))))
                continue;
            if ((error = evidence_of(r, of_collection, o->collection, &chars)) <
                0)
                return error;
            sh = share(chars, r->substance);
            if ((r->substance == 0 && r->matches[i].exact) ||
                (sh > 0 && sh >= opts->released_min) ||
                spoor_match__substantive(chars, sh, opts))
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

/* Match m's evidence, coverage (a share of total, the item's substance),
 * source coverage and boilerplate parts under mask. */
static int apply_evidence(spoor_match *m, const spoor_item *item,
                          const spoor_spans *mask, size_t k, size_t total)
{
    spoor_spans mine = {NULL, 0, 0}, src = {NULL, 0, 0}, part = {NULL, 0, 0};
    spoor_qview qv;
    size_t i, j, bcap = 0;
    size_t sbase = item->fp_bytes ? 0 : (size_t)m->source->header_chars;
    size_t stotal = item->fp_bytes ? (size_t)m->source->bytes
                                   : (size_t)m->source->canon_len - sbase;
    int error = 0;

    spoor_qview__init(&qv, item);
    for (i = 0; i < m->n_regions; i++) {
        const spoor_region *g = &m->regions[i];
        size_t at = g->qc_start;
        part.n = 0;
        SPOOR_TRY(
            spoor_spans__evidence(mask, g->qc_start, g->qc_end, k, &part));
        for (j = 0; j <= part.n; j++) {
            size_t a = j < part.n ? part.v[j].a : g->qc_end;
            if (a > at) { /* [at, a) is boilerplate */
                spoor_bp_span *b;
                SPOOR_TRY(spoor__array_reserve((void **)&m->bp, &bcap,
                                               m->n_bp + 1, sizeof(*m->bp)));
                b = &m->bp[m->n_bp++];
                b->region = i;
                SPOOR_TRY(spoor_match__q_bytes(item, &qv, at, a, &b->q_start,
                                               &b->q_end));
            }
            if (j < part.n) {
                size_t d = g->sc_start - g->qc_start; /* same diagonal */
                SPOOR_TRY(spoor_spans__push(&mine, part.v[j].a, part.v[j].b));
                SPOOR_TRY(
                    spoor_spans__push(&src, part.v[j].a + d, part.v[j].b + d));
                at = part.v[j].b;
            }
        }
    }
    spoor_spans__merge(&mine);
    spoor_spans__merge(&src);
    m->evidence = spoor_spans__total(&mine);
    if (mine.n) {
        size_t e;
        m->ev = spoor__reallocarray(NULL, mine.n, sizeof(*m->ev));
        SPOOR_ALLOC_CHECK(m->ev);
        for (e = 0; e < mine.n; e++) {
            m->ev[e].start = mine.v[e].a;
            m->ev[e].end = mine.v[e].b;
        }
        m->n_ev = mine.n;
    }
    m->coverage = m->exact && total == 0 ? 1.0 : share(m->evidence, total);
    m->source_coverage =
        m->exact && stotal == 0 ? 1.0 : share(spoor_spans__total(&src), stotal);
done:
    spoor_qview__dispose(&qv);
    spoor_spans__dispose(&mine);
    spoor_spans__dispose(&src);
    spoor_spans__dispose(&part);
    return error;
}

/* Whether match m shares anything beyond mask: a piece of noise
 * characters (k) or more outside it. */
static int shares_beyond(const spoor_match *m, const spoor_spans *mask,
                         size_t noise, int *beyond)
{
    spoor_spans part = {NULL, 0, 0};
    size_t i;
    int error = 0;
    *beyond = 0;
    for (i = 0; i < m->n_regions && !*beyond && error == 0; i++) {
        part.n = 0;
        error = spoor_spans__evidence(mask, m->regions[i].qc_start,
                                      m->regions[i].qc_end, noise, &part);
        *beyond = part.n > 0;
    }
    spoor_spans__dispose(&part);
    return error;
}

/* Evidence and coverage of every match under mask, in pieces of at least
 * r->piece characters: min_passage, or half the text outside the mask
 * when that is less (a short paste is all one piece), never under the
 * noise floor k. The item's substance, what shares are taken of, is the
 * text outside the mask in such pieces. Matches that share only boilerplate are
 * dropped (counted in r->n_bp_only); exact copies and boilerplate collections'
 * items are kept. */
static int evidence_and_coverage(spoor_result *r, const spoor_item *item,
                                 spoor_spans *mask, size_t noise,
                                 size_t min_passage)
{
    size_t i, n = 0, total, masked;
    int error = 0;

    for (i = 0; i < r->n_matches; i++)
        if (r->matches[i].boilerplate)
            for (size_t j = 0; j < r->matches[i].n_regions; j++)
                SPOOR_TRY(spoor_spans__push(mask,
                                            r->matches[i].regions[j].qc_start,
                                            r->matches[i].regions[j].qc_end));
    spoor_spans__merge(mask);
    /* boilerplate counts for nothing, in the evidence and in the text it
     * is a share of: a released message with a list footer is released */
    masked = spoor_spans__total(mask);
    total = masked < r->compared ? r->compared - masked : 0;
    r->piece = min_passage < total / 2 ? min_passage : total / 2;
    if (r->piece < noise)
        r->piece = noise;
    /* the substance: what lies outside boilerplate in pieces that could
     * be evidence (a gap of a few characters inside a footer cannot), so
     * that an exact copy holds all of it */
    if (masked) {
        spoor_spans out = {NULL, 0, 0};
        size_t from = item->fp_bytes ? 0 : item->header_chars;
        error = spoor_spans__evidence(mask, from, from + r->compared, r->piece,
                                      &out);
        total = spoor_spans__total(&out);
        spoor_spans__dispose(&out);
        SPOOR_TRY(error);
    }
    r->substance = total;
    for (i = 0; i < r->n_matches; i++)
        SPOOR_TRY(apply_evidence(&r->matches[i], item, mask, r->piece, total));
    r->cov_boilerplate = share(masked, r->compared);
    for (i = 0; i < r->n_matches; i++) {
        spoor_match *m = &r->matches[i];
        int beyond = m->evidence > 0;
        if (!beyond)
            SPOOR_TRY(shares_beyond(m, mask, noise, &beyond));
        if (!beyond && !m->exact && !m->boilerplate) {
            spoor_record_free(m->source);
            spoor__free(m->regions);
            spoor__free(m->bp);
            spoor__free(m->ev);
            r->n_bp_only++;
            continue;
        }
        r->matches[n++] = *m;
    }
    r->n_matches = n;
done:
    return error;
}

/* Coverage of the item by kind of collection (an exact copy of an empty
 * text covers it whole) and the release evidence in characters. */
static int kind_coverages(spoor_result *r)
{
    const char *kinds[3] = {spoor_kind_name(SPOOR_KIND_RELEASE),
                            spoor_kind_name(SPOOR_KIND_INTERNAL), NULL};
    double *cov[3] = {&r->cov_release, &r->cov_internal, &r->cov_any};
    size_t *held[3] = {&r->release_chars, &r->internal_chars, &r->any_chars};
    size_t i, j, chars;
    int error;
    for (i = 0; i < 3; i++) {
        if ((error = evidence_of(r, of_kind, kinds[i], &chars)) < 0)
            return error;
        *cov[i] = share(chars, r->substance);
        *held[i] = chars;
        for (j = 0; r->substance == 0 && j < r->n_matches; j++)
            if (r->matches[j].exact && of_kind(&r->matches[j], kinds[i]))
                *cov[i] = 1.0;
    }
    return 0;
}

/* Whether a source of r (not boilerplate) is in a release. */
static int released_any(const spoor_result *r)
{
    size_t i;
    for (i = 0; i < r->n_matches; i++)
        if (of_kind(&r->matches[i], spoor_kind_name(SPOOR_KIND_RELEASE)))
            return 1;
    return 0;
}

/* r->verdict_basis: what the verdict rests on, in words. */
int spoor_match__verdict_basis(spoor_result *r, const spoor_check_opts *opts)
{
    spoor_buf b = SPOOR_BUF_INIT;
    const char *unit = r->approximate ? "bytes" : "characters";
    int error = 0;
    if (!strcmp(r->verdict, "released") && r->substance == 0)
        SPOOR_TRY(spoor_buf_printf(&b,
                                   "an exact copy is in a release; outside "
                                   "boilerplate, no piece of it reaches the "
                                   "%zu %s evidence counts in",
                                   r->piece, unit));
    else if (!strcmp(r->verdict, "released"))
        SPOOR_TRY(spoor_buf_printf(
            &b, "%.1f%% of its %s (%zu %s) is in releases (at least %.0f%%)",
            100 * r->cov_release, r->approximate ? "bytes" : "compared text",
            r->release_chars, unit, 100 * opts->released_min));
    else if (!strcmp(r->verdict, "partially-released"))
        SPOOR_TRY(spoor_buf_printf(
            &b,
            "%zu %s (%.1f%%) in releases, beyond boilerplate and headers; "
            "a substantive share is at least %zu and %.0f%%",
            r->release_chars, unit, 100 * r->cov_release, opts->min_evidence,
            100 * opts->min_share));
    else if (r->release_chars)
        SPOOR_TRY(spoor_buf_printf(
            &b,
            "only %zu %s (%.1f%%) in releases, under the minimum for "
            "partially-released (%zu and %.0f%%)",
            r->release_chars, unit, 100 * r->cov_release, opts->min_evidence,
            100 * opts->min_share));
    else if (released_any(r))
        SPOOR_TRY(spoor_buf_printf(&b,
                                   "nothing of substance in releases (shared "
                                   "pieces under %zu %s do not count)",
                                   r->piece, unit));
    else if (r->n_matches)
        SPOOR_TRY(spoor_buf_puts(&b, "nothing in releases"));
    else if (r->n_bp_only)
        SPOOR_TRY(spoor_buf_printf(&b,
                                   "only boilerplate is shared (with %zu "
                                   "source%s)",
                                   r->n_bp_only, r->n_bp_only == 1 ? "" : "s"));
    else
        SPOOR_TRY(spoor_buf_puts(&b, "no passage found in the index"));
    if (!strcmp(r->verdict, "internal-only"))
        SPOOR_TRY(spoor_buf_printf(&b, "; %.1f%% in internal collections",
                                   100 * r->cov_internal));
    if (r->below_guarantee)
        SPOOR_TRY(spoor_buf_printf(
            &b,
            "; only %zu canonical characters were compared, under the %d a "
            "shared passage needs to be found for certain",
            r->compared, SPOOR_GUARANTEE));
    spoor__free(r->verdict_basis);
    r->verdict_basis = spoor__strndup(b.ptr ? b.ptr : "", b.size);
    if (!r->verdict_basis)
        error = spoor__error_oom();
done:
    spoor_buf_dispose(&b);
    return error;
}

/* spoor_check_item; with full 0, only as far as the evidence (see
 * spoor_match__evidence_only); exclude: a content left out of the sources
 * (the item's own, spoor_check_indexed), or -1. */
static int check(spoor_result **out, spoor_store *s, const spoor_item *item,
                 const spoor_check_opts *opts, int full, int64_t exclude)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    spoor_result *r;
    spoor_hits hits;
    spoor_cand *cands;
    size_t n_cands, mcap = 0, i, kept, batch = 0;
    int64_t exact_id = -1;
    spoor_spans mask = {NULL, 0, 0}; /* boilerplate, query characters */
    size_t k = item->fp_bytes ? SPOOR_BYTES_K : SPOOR_TEXT_K;
    int error = 0;

    *out = NULL;
    memset(&hits, 0, sizeof(hits));
    if (!opts)
        opts = &defaults;
    r = spoor__calloc(1, sizeof(*r));
    if (!r)
        return spoor__error_oom();
    r->approximate = item->fp_bytes;
    r->compared = item->fp_bytes ? (size_t)item->bytes
                                 : item->canon.len - item->header_chars;
    r->below_guarantee = !item->fp_bytes && r->compared < SPOOR_GUARANTEE;
    if ((error = spoor_store__read_begin(s)) < 0)
        goto done;
    {
        int64_t n_contents;
        SPOOR_TRY(spoor_store__contents(s, &n_contents));
        r->common_used = opts->common;
        if (!r->common_used) { /* the default rule */
            r->common_used = (size_t)n_contents * SPOOR_COMMON_PER_MILLE / 1000;
            if (r->common_used < SPOOR_COMMON_MIN)
                r->common_used = SPOOR_COMMON_MIN;
        }
        r->spread_used = opts->version >= 2 ? opts->spread : SPOOR_SPREAD;
    }

    error = spoor_store__by_sha256(s, item->sha256, &exact_id);
    if (error == SPOOR_ENOTFOUND)
        exact_id = -1, error = 0;
    else if (error < 0)
        goto done;

    /* the excluded content is the item's own (same sha256): its hits were
     * only counted, as the exact copy's, and it is dropped here */
    SPOOR_TRY(spoor_match__hits_count(&hits, s, item, r, &mask, exact_id));
    if (exact_id >= 0 && exact_id == exclude)
        hits.n_exact = 0, exact_id = -1;
    if (hits.n_exact) { /* the exact copy competes with the count of its hits */
        SPOOR_TRY(spoor__array_reserve((void **)&hits.cands, &hits.cap_cands,
                                       hits.n_cands + 1, sizeof(*hits.cands)));
        hits.cands[hits.n_cands].content = exact_id;
        hits.cands[hits.n_cands].count = hits.n_exact;
        hits.cands[hits.n_cands].unique = 0;
        hits.cands[hits.n_cands].hits = NULL;
        hits.cands[hits.n_cands].n_hits = 0;
        hits.n_cands++;
    }
    cands = hits.cands;
    n_cands = hits.n_cands;
    if (opts->only && opts->n_only) {
        /* -c: only candidates the named collections hold compete for the
         * max_sources places, so that what other collections hold cannot
         * change the answer (isolation) */
        size_t w = 0;
        for (i = 0; i < n_cands; i++) {
            int held;
            SPOOR_TRY(spoor_store__held_in(s, cands[i].content, opts->only,
                                           opts->n_only, &held));
            if (held)
                cands[w++] = cands[i];
        }
        n_cands = hits.n_cands = w;
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
            spoor_cand t = cands[e];
            memmove(cands + 1, cands, e * sizeof(*cands));
            cands[0] = t;
            if (kept == 0)
                kept = 1;
        }
    }
    r->n_dropped = n_cands - kept;
    if (spoor_store__remote(s)) /* their records and texts at once */
        SPOOR_TRY(want_sources(s, cands, kept));
    for (i = 0; i < kept; i += batch) { /* batches whose hits fit */
        size_t j;
        SPOOR_TRY(spoor_match__hits_gather(&hits, cands + i, kept - i, &batch));
        for (j = i; j < i + batch; j++) {
            spoor_match m;
            int keep;
            SPOOR_TRY(build_match(s, item, cands[j].content, cands[j].hits,
                                  cands[j].n_hits, cands[j].content == exact_id,
                                  opts, &m, &keep));
            if (keep)
                SPOOR_TRY(add_match(r, &mcap, &m));
        }
        spoor_match__hits_release(&hits, cands + i, batch);
    }
    SPOOR_TRY(evidence_and_coverage(r, item, &mask, k,
                                    item->fp_bytes       ? k
                                    : opts->version >= 2 ? opts->min_passage
                                                         : SPOOR_MIN_PASSAGE));
    if (!full)
        goto done;
    SPOOR_TRY(spoor_match__relations(r, item));
    if (r->n_matches > 1)
        spoor__sort(r->matches, r->n_matches, sizeof(*r->matches), cmp_match);
    SPOOR_TRY(spoor_match__origins(r, item));
    SPOOR_TRY(kind_coverages(r));
    r->verdict =
        spoor_verdict(r->cov_release, r->cov_internal, r->release_chars, opts);
    SPOOR_TRY(compute_first_release(r, opts));
    SPOOR_TRY(spoor_match__verdict_basis(r, opts));
    if (opts->dkim && !strcmp(item->doc.format, "eml")) {
        size_t d, cap = 0;
        r->dkim_checked = 1;
        SPOOR_TRY(spoor_dkim_verify(&r->dkim, &r->n_dkim, opts->dkim, item));
        for (d = 0; d < r->n_dkim; d++) {
            spoor_date *dt;
            char src[300];
            if (!r->dkim[d].signed_at)
                continue;
            SPOOR_TRY(spoor__array_reserve((void **)&r->dates, &cap,
                                           r->n_dates + 1, sizeof(*dt)));
            dt = &r->dates[r->n_dates];
            snprintf(src, sizeof(src), "DKIM-Signature t= (d=%s)",
                     r->dkim[d].domain);
            dt->field = spoor__strdup("dkim-t");
            dt->value = spoor__strdup(r->dkim[d].signed_at);
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
    spoor_match__hits_dispose(&hits);
    spoor_spans__dispose(&mask);
    if (error < 0) {
        spoor_result_free(r);
        return error;
    }
    *out = r;
    return 0;
}

int spoor_check_item(spoor_result **out, spoor_store *s, const spoor_item *item,
                     const spoor_check_opts *opts)
{
    return check(out, s, item, opts, 1, -1);
}

int spoor_match__evidence_only(spoor_result **out, spoor_store *s,
                               const spoor_item *item,
                               const spoor_check_opts *opts)
{
    return check(out, s, item, opts, 0, -1);
}

int spoor_check_indexed(spoor_result **out, spoor_item *item, spoor_store *s,
                        const spoor_record *rec, const char *text, size_t len,
                        const spoor_check_opts *opts)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT, o;
    size_t i;
    int error = 0;

    *out = NULL;
    o = opts ? *opts : defaults;
    o.dkim = NULL; /* the stored text is not the message's bytes */
    memset(item, 0, sizeof(*item));
    SPOOR_TRY(
        spoor_item_from_stored(item, text, len, (size_t)rec->header_bytes));
    memcpy(item->sha256, rec->sha256, sizeof(item->sha256));
    item->doc.format = rec->format;
    item->bytes = rec->bytes;
    for (i = 0; i < rec->n_dates; i++)
        SPOOR_TRY(spoor_doc__add_date(
            &item->doc, rec->dates[i].field, rec->dates[i].value,
            rec->dates[i].source ? rec->dates[i].source : "index"));
    SPOOR_TRY(check(out, s, item, &o, 1, rec->id));
done:
    if (error < 0)
        spoor_item_dispose(item);
    return error;
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
    else {
        spoor_floors fl = {a->header_chars, b->header_chars};
        error = spoor_match__text_regions(&a->canon, &b->canon, hits, n,
                                          SPOOR_TEXT_K, min_region, &fl, out,
                                          n_out, &rcap);
    }
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
