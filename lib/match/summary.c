/*
 * summary.c: a container's record answers for everything inside it.
 *
 * A container (an mbox, an archive, an email with attachments, a PST) is
 * checked as its own text first; then each member's answer is added
 * (spoor_result_absorb: its substance and its evidence by kind, in
 * canonical characters, or bytes for members without text; its postdated
 * events; its verdict and first sources, for the list of members), and
 * spoor_result_summarise makes the verdict of the whole by the same rule
 * as for one item. The container's own answer is kept in own_*.
 */
#include <string.h>

#include "match_int.h"

void spoor_members__free(spoor_result *r)
{
    size_t i, j;
    for (i = 0; i < r->n_members; i++) {
        spoor_member *m = &r->members[i];
        spoor__free(m->path);
        spoor__free(m->first_release);
        spoor__free(m->first_release_date);
        for (j = 0; j < m->n_top; j++) {
            spoor__free(m->top[j].collection);
            spoor__free(m->top[j].path);
        }
    }
    spoor__free(r->members);
    r->members = NULL;
    r->n_members = r->cap_members = 0;
}

/* The numbers a record adds to its container: its summary, or its own. */
static void totals(const spoor_result *r, size_t *sub, size_t *rel, size_t *in,
                   size_t *any)
{
    if (r->summary) {
        *sub = r->agg_substance;
        *rel = r->agg_release;
        *in = r->agg_internal;
        *any = r->agg_any;
        return;
    }
    *sub = r->substance;
    *rel = r->release_chars;
    *in = r->internal_chars;
    *any = r->any_chars;
}

/* Add member's postdated events that c does not list yet. */
static int absorb_postdates(spoor_result *c, const spoor_result *m,
                            const char *path)
{
    size_t i, j, cap = c->n_postdates;
    int error = 0;
    for (i = 0; i < m->n_postdates; i++) {
        spoor_postdate *p;
        int have = 0;
        for (j = 0; j < c->n_postdates && !have; j++)
            have = !strcmp(c->postdates[j].event, m->postdates[i].event);
        if (have)
            continue;
        SPOOR_TRY(spoor__array_reserve((void **)&c->postdates, &cap,
                                       c->n_postdates + 1, sizeof(*p)));
        p = &c->postdates[c->n_postdates++];
        memset(p, 0, sizeof(*p));
        p->event = spoor__strdup(m->postdates[i].event);
        p->event_date = spoor__strdup(m->postdates[i].event_date);
        p->field = spoor__strdup(m->postdates[i].field);
        p->value = spoor__strdup(m->postdates[i].value);
        p->member = spoor__strdup(
            m->postdates[i].member ? m->postdates[i].member : path);
        if (!p->event || !p->event_date || !p->field || !p->value || !p->member)
            SPOOR_TRY(spoor__error_oom());
    }
done:
    return error;
}

/* Copy s into *out (NULL stays NULL). */
static int dup_or_null(char **out, const char *s)
{
    *out = NULL;
    if (s && !(*out = spoor__strdup(s)))
        return spoor__error_oom();
    return 0;
}

int spoor_result_absorb(spoor_result *c, const spoor_result *m,
                        const char *path)
{
    spoor_member *e;
    size_t sub, rel, in, any, i, j;
    int error = 0;

    totals(m, &sub, &rel, &in, &any);
    c->agg_substance += sub;
    c->agg_release += rel;
    c->agg_internal += in;
    c->agg_any += any;
    SPOOR_TRY(absorb_postdates(c, m, path));
    SPOOR_TRY(spoor__array_reserve((void **)&c->members, &c->cap_members,
                                   c->n_members + 1, sizeof(*e)));
    e = &c->members[c->n_members++];
    memset(e, 0, sizeof(*e));
    e->verdict = m->verdict;
    e->cov_release = m->cov_release;
    e->cov_any = m->cov_any;
    SPOOR_TRY(dup_or_null(&e->path, path));
    SPOOR_TRY(dup_or_null(&e->first_release, m->first_release));
    SPOOR_TRY(dup_or_null(&e->first_release_date, m->first_release_date));
    for (i = 0; i < m->n_matches && e->n_top < 3; i++) {
        const spoor_match *s = &m->matches[i];
        if (s->boilerplate || !s->source->n_occ)
            continue;
        j = e->n_top++;
        e->top[j].coverage = s->coverage;
        SPOOR_TRY(
            dup_or_null(&e->top[j].collection, s->source->occ[0].collection));
        SPOOR_TRY(dup_or_null(&e->top[j].path, s->source->occ[0].path));
    }
done:
    return error;
}

/* Whether r's own record is an exact copy of an item of a release. */
static const spoor_occurrence *exact_release(const spoor_result *r)
{
    const spoor_occurrence *best = NULL;
    size_t i, j;
    for (i = 0; i < r->n_matches; i++) {
        const spoor_record *rec = r->matches[i].source;
        if (!r->matches[i].exact)
            continue;
        for (j = 0; j < rec->n_occ; j++)
            if (rec->occ[j].kind_id == SPOOR_KIND_RELEASE &&
                (!best ||
                 (rec->occ[j].date &&
                  (!best->date || strcmp(rec->occ[j].date, best->date) < 0))))
                best = &rec->occ[j];
    }
    return best;
}

/* Replace r's first release with name and date (either may be NULL). */
static int set_first_release(spoor_result *r, const char *name,
                             const char *date)
{
    char *n = NULL, *d = NULL;
    if ((name && !(n = spoor__strdup(name))) ||
        (date && !(d = spoor__strdup(date)))) {
        spoor__free(n);
        return spoor__error_oom();
    }
    spoor__free(r->first_release);
    spoor__free(r->first_release_date);
    r->first_release = n;
    r->first_release_date = d;
    return 0;
}

int spoor_result_summarise(spoor_result *r, const spoor_check_opts *opts)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    const spoor_occurrence *ex;
    const char *best = NULL, *best_date = NULL;
    size_t sub, rel, in, any, i;
    spoor_buf b = SPOOR_BUF_INIT;
    int error = 0;

    if (!r->n_members || r->summary)
        return 0;
    if (!opts)
        opts = &defaults;
    /* the container's own text counts with its members' (an archive's own
     * bytes are not text: its members are its content) */
    r->own_verdict = r->verdict;
    r->own_cov_release = r->cov_release;
    r->own_cov_internal = r->cov_internal;
    r->own_cov_any = r->cov_any;
    if (!r->approximate) {
        totals(r, &sub, &rel, &in, &any);
        r->agg_substance += sub;
        r->agg_release += rel;
        r->agg_internal += in;
        r->agg_any += any;
    }
    r->summary = 1;
    r->cov_release = r->agg_substance
                         ? (double)r->agg_release / (double)r->agg_substance
                         : 0.0;
    r->cov_internal = r->agg_substance
                          ? (double)r->agg_internal / (double)r->agg_substance
                          : 0.0;
    r->cov_any =
        r->agg_substance ? (double)r->agg_any / (double)r->agg_substance : 0.0;
    r->release_chars = r->agg_release;
    if (r->agg_substance >= SPOOR_GUARANTEE)
        r->below_guarantee = 0;
    r->verdict =
        spoor_verdict(r->cov_release, r->cov_internal, r->agg_release, opts);
    if ((ex = exact_release(r)) != NULL) {
        r->verdict = "released";
        best = ex->collection;
        best_date = ex->date;
    } else if (!strcmp(r->verdict, "released") ||
               !strcmp(r->verdict, "partially-released")) {
        if (r->first_release && !strcmp(r->own_verdict, "released")) {
            best = r->first_release;
            best_date = r->first_release_date;
        }
        for (i = 0; i < r->n_members; i++) {
            const spoor_member *m = &r->members[i];
            if (!m->first_release ||
                (best && !(m->first_release_date &&
                           (!best_date ||
                            strcmp(m->first_release_date, best_date) < 0))))
                continue;
            best = m->first_release;
            best_date = m->first_release_date;
        }
    }
    if (best != r->first_release)
        SPOOR_TRY(set_first_release(r, best, best_date));
    SPOOR_TRY(spoor_match__verdict_basis(r, opts));
    SPOOR_TRY(spoor_buf_printf(&b, "with its %zu member%s: %s", r->n_members,
                               r->n_members == 1 ? "" : "s",
                               ex ? "an exact copy of a released item"
                                  : r->verdict_basis));
    spoor__free(r->verdict_basis);
    if (!(r->verdict_basis = spoor__strndup(b.ptr, b.size)))
        error = spoor__error_oom();
done:
    spoor_buf_dispose(&b);
    return error;
}

int spoor_result_evidence_in(const spoor_result *r, const char *collection,
                             size_t *chars, double *share)
{
    size_t i, j;
    int exact = 0, error;

    *share = 0.0;
    if ((error = spoor_match__collection_evidence(r, collection, chars)) < 0)
        return error;
    for (i = 0; i < r->n_matches; i++)
        for (j = 0; j < r->matches[i].source->n_occ; j++)
            exact |=
                r->matches[i].exact && !r->matches[i].boilerplate &&
                !strcmp(r->matches[i].source->occ[j].collection, collection);
    if (r->substance)
        *share = (double)*chars / (double)r->substance;
    else if (exact)
        *share = 1.0; /* an exact copy of an item without text */
    return 0;
}
