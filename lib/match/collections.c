/*
 * collections.c: spoor_overlap and spoor_timeline (see
 * spoor/collections.h): one check per distinct content, from its stored
 * text, its evidence then split by the collections holding its sources.
 */
#include <stdlib.h>
#include <string.h>

#include <spoor/collections.h>

#include "match_int.h"

typedef struct col {
    char *name, *kind, *date;
} col;

typedef struct cols {
    col *v;
    size_t n, cap;
} cols;

static void cols_free(cols *c)
{
    size_t i;
    for (i = 0; i < c->n; i++) {
        spoor__free(c->v[i].name);
        spoor__free(c->v[i].kind);
        spoor__free(c->v[i].date);
    }
    spoor__free(c->v);
    memset(c, 0, sizeof(*c));
}

static int add_col(const spoor_collection_info *ci, void *payload)
{
    cols *c = payload;
    col *e;
    int error =
        spoor__array_reserve((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
    if (error < 0)
        return error;
    e = &c->v[c->n++];
    memset(e, 0, sizeof(*e));
    e->name = spoor__strdup(ci->name);
    e->kind = spoor__strdup(ci->kind);
    if (ci->date)
        e->date = spoor__strdup(ci->date);
    if (!e->name || !e->kind || (ci->date && !e->date))
        return spoor__error_oom();
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct contents of the collections c[0..n) (those whose kind is
 * kind, when kind is not NULL), sorted. */
static int contents_of(spoor_store *s, const cols *c, const char *kind,
                       int64_t **out, size_t *n_out)
{
    int64_t *all = NULL, *ids = NULL;
    size_t n = 0, cap = 0, k, i, m;
    int error = 0;
    *out = NULL;
    *n_out = 0;
    for (i = 0; i < c->n; i++) {
        if (!c->v[i].name || (kind && strcmp(c->v[i].kind, kind)))
            continue; /* moved elsewhere, or of another kind */
        SPOOR_TRY(spoor_store_contents_of(s, c->v[i].name, &ids, &k));
        error = spoor__array_reserve((void **)&all, &cap, n + k, sizeof(*all));
        if (error == 0 && k)
            memcpy(all + n, ids, k * sizeof(*ids));
        spoor__free(ids);
        ids = NULL;
        SPOOR_TRY(error);
        n += k;
    }
    spoor__sort(all, n, sizeof(*all), cmp_id);
    for (i = m = 0; i < n; i++)
        if (!m || all[m - 1] != all[i])
            all[m++] = all[i];
    *out = all;
    *n_out = m;
    all = NULL;
done:
    spoor__free(all);
    return error;
}

/* The share of content (record rec, checked as r: NULL for an item without
 * text) that collection name holds, in characters and as a share; and
 * whether it is substantive. */
static int held_in(const spoor_record *rec, const spoor_result *r,
                   const char *name, const spoor_check_opts *opts,
                   size_t *chars, double *share, int *substantive)
{
    size_t i;
    int error = 0;
    *chars = 0;
    *share = 0.0;
    if (r) {
        error = spoor_result_evidence_in(r, name, chars, share);
    } else { /* no text: held when the same content is there */
        for (i = 0; i < rec->n_occ; i++)
            if (!strcmp(rec->occ[i].collection, name))
                *share = 1.0;
    }
    *substantive = (*share > 0 && *share >= opts->released_min) ||
                   spoor_match__substantive(*chars, *share, opts) ||
                   (!r && *share > 0);
    return error;
}

/* Check content from its stored text: *rec always, *r for an item with
 * text (else NULL). */
static int check_content(spoor_store *s, int64_t content,
                         const spoor_check_opts *opts, spoor_record **rec,
                         spoor_result **r)
{
    spoor_buf text = SPOOR_BUF_INIT;
    spoor_item item;
    int error = 0;
    *r = NULL;
    memset(&item, 0, sizeof(item));
    SPOOR_TRY(spoor_store_record(s, content, rec));
    if ((*rec)->fp_bytes)
        goto done;
    SPOOR_TRY(spoor_store_text(s, content, &text));
    SPOOR_TRY(spoor_item_from_stored(&item, text.ptr ? text.ptr : "", text.size,
                                     (size_t)(*rec)->header_bytes));
    memcpy(item.sha256, (*rec)->sha256, sizeof(item.sha256));
    item.path = item.display = "";
    error = spoor_check_item(r, s, &item, opts);
done:
    spoor_item_dispose(&item);
    spoor_buf_dispose(&text);
    return error;
}

/* The path of rec's occurrence in collection name, or NULL. */
static const char *path_in(const spoor_record *rec, const char *name)
{
    size_t i;
    for (i = 0; i < rec->n_occ; i++)
        if (!strcmp(rec->occ[i].collection, name))
            return rec->occ[i].path;
    return NULL;
}

int spoor_overlap(spoor_store *s, const char *const *only, size_t n_only,
                  const spoor_check_opts *opts, spoor_overlap_cb on_pair,
                  spoor_overlap_item_cb on_item, spoor_progress_cb progress,
                  void *payload)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    cols all = {NULL, 0, 0}, c = {NULL, 0, 0};
    uint64_t *items = NULL, *chars = NULL, *items_total = NULL,
             *chars_total = NULL;
    size_t *held = NULL, n_ids = 0, i, j, a, b;
    double *shares = NULL;
    int *subst = NULL;
    int64_t *ids = NULL;
    int error = 0;

    if (!opts)
        opts = &defaults;
    SPOOR_TRY(spoor_store_collections(s, add_col, &all));
    for (i = 0; i < all.n; i++) { /* the collections asked for, in order */
        int want = n_only == 0;
        for (j = 0; j < n_only && !want; j++)
            want = !strcmp(only[j], all.v[i].name);
        if (want) {
            SPOOR_TRY(spoor__array_reserve((void **)&c.v, &c.cap, c.n + 1,
                                           sizeof(*c.v)));
            c.v[c.n++] = all.v[i];
            memset(&all.v[i], 0, sizeof(all.v[i]));
        }
    }
    if (c.n < n_only) {
        error = spoor__error_set(SPOOR_ENOTFOUND,
                                 "a collection named with -c is not in the "
                                 "index");
        goto done;
    }
    items = spoor__calloc(c.n * c.n + 1, sizeof(*items));
    chars = spoor__calloc(c.n * c.n + 1, sizeof(*chars));
    items_total = spoor__calloc(c.n + 1, sizeof(*items_total));
    chars_total = spoor__calloc(c.n + 1, sizeof(*chars_total));
    held = spoor__calloc(c.n + 1, sizeof(*held));
    shares = spoor__calloc(c.n + 1, sizeof(*shares));
    subst = spoor__calloc(c.n + 1, sizeof(*subst));
    if (!items || !chars || !items_total || !chars_total || !held || !shares ||
        !subst)
        SPOOR_TRY(spoor__error_oom());
    SPOOR_TRY(contents_of(s, &c, NULL, &ids, &n_ids));
    for (i = 0; i < n_ids; i++) {
        spoor_record *rec = NULL;
        spoor_result *r = NULL;
        uint64_t substance;
        error = check_content(s, ids[i], opts, &rec, &r);
        for (b = 0; b < c.n && error == 0; b++)
            error = held_in(rec, r, c.v[b].name, opts, &held[b], &shares[b],
                            &subst[b]);
        substance = r ? r->substance : 0;
        for (a = 0; a < c.n && error == 0; a++) {
            const char *pa = path_in(rec, c.v[a].name);
            if (!pa)
                continue;
            items_total[a]++;
            chars_total[a] += substance;
            for (b = 0; b < c.n && error == 0; b++) {
                if (b == a)
                    continue;
                chars[a * c.n + b] += held[b];
                if (!subst[b])
                    continue;
                items[a * c.n + b]++;
                if (on_item)
                    error = on_item(c.v[a].name, c.v[b].name, pa, shares[b],
                                    payload);
            }
        }
        spoor_result_free(r);
        spoor_record_free(rec);
        SPOOR_TRY(error);
        if (progress && (error = progress(i + 1, n_ids, payload)) < 0)
            goto done;
    }
    for (a = 0; a < c.n; a++)
        for (b = 0; b < c.n; b++) {
            spoor_overlap_pair p;
            if (a == b)
                continue;
            p.a = c.v[a].name;
            p.b = c.v[b].name;
            p.items = items[a * c.n + b];
            p.items_total = items_total[a];
            p.chars = chars[a * c.n + b];
            p.chars_total = chars_total[a];
            SPOOR_TRY(on_pair(&p, payload));
        }
done:
    cols_free(&all);
    cols_free(&c);
    spoor__free(items);
    spoor__free(chars);
    spoor__free(items_total);
    spoor__free(chars_total);
    spoor__free(held);
    spoor__free(shares);
    spoor__free(subst);
    spoor__free(ids);
    return error;
}

int spoor_timeline(spoor_store *s, const spoor_check_opts *opts,
                   spoor_timeline_cb on_release, spoor_timeline_item_cb on_item,
                   spoor_progress_cb progress, void *payload)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    cols all = {NULL, 0, 0}, rel = {NULL, 0, 0};
    uint64_t *counts = NULL; /* per release: internal, new, seen before */
    size_t n_ids = 0, i, k, ch;
    int64_t *ids = NULL;
    int error = 0;

    if (!opts)
        opts = &defaults;
    SPOOR_TRY(spoor_store_collections(s, add_col, &all));
    for (i = 0; i < all.n; i++) /* releases, in date order (undated last) */
        if (!strcmp(all.v[i].kind, "release")) {
            SPOOR_TRY(spoor__array_reserve((void **)&rel.v, &rel.cap, rel.n + 1,
                                           sizeof(*rel.v)));
            rel.v[rel.n++] = all.v[i];
            memset(&all.v[i], 0, sizeof(all.v[i]));
        }
    counts = spoor__calloc(3 * rel.n + 1, sizeof(*counts));
    SPOOR_ALLOC_CHECK(counts);
    /* the internal collections' contents (all.v keeps the others) */
    SPOOR_TRY(contents_of(s, &all, "internal", &ids, &n_ids));
    for (i = 0; i < n_ids; i++) {
        spoor_record *rec = NULL;
        spoor_result *r = NULL;
        long first = -1;
        error = check_content(s, ids[i], opts, &rec, &r);
        for (k = 0; k < rel.n && error == 0; k++) {
            double share;
            int subst;
            error = held_in(rec, r, rel.v[k].name, opts, &ch, &share, &subst);
            if (error < 0 || !subst)
                continue;
            counts[3 * k]++;
            if (first < 0) {
                first = (long)k;
                counts[3 * k + 1]++;
            } else {
                counts[3 * k + 2]++;
            }
        }
        if (error == 0 && on_item) {
            const char *c = NULL, *p = NULL;
            for (k = 0; k < rec->n_occ && !c; k++)
                if (!strcmp(rec->occ[k].kind, "internal")) {
                    c = rec->occ[k].collection;
                    p = rec->occ[k].path;
                }
            error = on_item(c ? c : "", p ? p : "",
                            first >= 0 ? rel.v[first].name : NULL,
                            first >= 0 ? rel.v[first].date : NULL, payload);
        }
        spoor_result_free(r);
        spoor_record_free(rec);
        SPOOR_TRY(error);
        if (progress && (error = progress(i + 1, n_ids, payload)) < 0)
            goto done;
    }
    for (k = 0; k < rel.n; k++) {
        spoor_timeline_release t;
        t.collection = rel.v[k].name;
        t.date = rel.v[k].date;
        t.internal_items = counts[3 * k];
        t.new_items = counts[3 * k + 1];
        t.seen_before = counts[3 * k + 2];
        SPOOR_TRY(on_release(&t, payload));
    }
done:
    cols_free(&all);
    cols_free(&rel);
    spoor__free(counts);
    spoor__free(ids);
    return error;
}
