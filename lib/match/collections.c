/*
 * collections.c: spoor_overlap and spoor_timeline (see
 * spoor/collections.h): one check per distinct content, from its stored
 * text, its evidence then split by the collections holding its sources.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spoor/collections.h>

#include "../store/store_int.h"
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

/* What one content holds of one collection of a survey. */
typedef struct held {
    size_t chars;    /* evidence characters the collection shares */
    double share;    /* of the content's substance */
    int substantive; /* the verdict's strength rule */
} held;

/* One content's answer: its record, its substance and what each collection
 * of the survey holds of it (filled by a worker, read in id order). */
typedef struct answer {
    spoor_record *rec;
    uint64_t substance;
    held *in;
} answer;

/* The survey: the contents ids[0..n_ids) checked, by jobs threads, in
 * batches; each batch's answers handed to consume in id order. */
typedef struct survey {
    spoor_store *s;
    const cols *c;
    const spoor_check_opts *opts;
    const int64_t *ids;
    size_t n_ids;
    const unsigned char *shared; /* the join: a bit per content id */
    uint64_t n_shared;
    answer *batch; /* the current batch's answers */
    size_t from, to;
    size_t next;        /* next index to take (atomic) */
    int error;          /* the first error of the batch (atomic) */
    char message[1024]; /* its message */
    uint64_t checked, fast;
    /* handing batches to the helper threads */
    pthread_mutex_t mu;
    pthread_cond_t go, idle;
    unsigned gen;  /* batches handed out so far */
    unsigned busy; /* helpers still at the current batch */
    int stop;      /* no more batches */
} survey;

/* Whether content holds fingerprints shared with another (the join). */
static int is_shared(const survey *v, int64_t id)
{
    uint64_t c = (uint64_t)id;
    return c >= v->n_shared || (v->shared[c >> 3] >> (c & 7)) & 1;
}

/* Whether rec has an occurrence in a collection of kind. */
static int occurs_as(const spoor_record *rec, spoor_kind kind)
{
    size_t i;
    for (i = 0; i < rec->n_occ; i++)
        if (rec->occ[i].kind_id == kind)
            return 1;
    return 0;
}

/* Whether rec has an occurrence in collection name. */
static int occurs_in(const spoor_record *rec, const char *name)
{
    size_t i;
    for (i = 0; i < rec->n_occ; i++)
        if (!strcmp(rec->occ[i].collection, name))
            return 1;
    return 0;
}

/*
 * The answer for content id, from the index alone. A content whose
 * fingerprints no other content holds (the join says so) can share
 * nothing but itself: its substance is its body, and each collection
 * holding it holds all of it, which is what a check would find, so it is
 * not checked. The rest (and any that a check could see otherwise: a body
 * under the guarantee, looked up k-gram by k-gram; one without
 * fingerprints; one in a boilerplate collection) is checked from its
 * stored text as far as the evidence.
 */
static int answer_content(spoor_store *s, const survey *v, int64_t id,
                          answer *a, int *checked)
{
    spoor_buf text = SPOOR_BUF_INIT;
    spoor_result *r = NULL;
    spoor_item item;
    size_t b;
    int error = 0;

    memset(&item, 0, sizeof(item));
    *checked = 0;
    SPOOR_TRY(spoor_store__record(s, id, 1, &a->rec));
    if (a->rec->fp_bytes) { /* no text: held where the same content is */
        for (b = 0; b < v->c->n; b++)
            if (occurs_in(a->rec, v->c->v[b].name))
                a->in[b].share = 1.0, a->in[b].substantive = 1;
        goto done;
    }
    a->substance = a->rec->canon_len - a->rec->header_chars;
    if (!is_shared(v, id) && a->substance >= SPOOR_GUARANTEE &&
        a->rec->n_fps > 0 && !occurs_as(a->rec, SPOOR_KIND_BOILERPLATE)) {
        for (b = 0; b < v->c->n; b++)
            if (occurs_in(a->rec, v->c->v[b].name)) {
                a->in[b].chars = a->substance;
                a->in[b].share = 1.0;
                a->in[b].substantive = 1;
            }
        goto done;
    }
    *checked = 1;
    SPOOR_TRY(spoor_store_text(&text, s, id));
    SPOOR_TRY(spoor_item_from_stored(&item, text.ptr ? text.ptr : "", text.size,
                                     (size_t)a->rec->header_bytes));
    memcpy(item.sha256, a->rec->sha256, sizeof(item.sha256));
    item.path = item.display = "";
    SPOOR_TRY(spoor_match__evidence_only(&r, s, &item, v->opts));
    a->substance = r->substance;
    for (b = 0; b < v->c->n; b++) {
        held *h = &a->in[b];
        SPOOR_TRY(
            spoor_result_evidence_in(r, v->c->v[b].name, &h->chars, &h->share));
        h->substantive = (h->share > 0 && h->share >= v->opts->released_min) ||
                         spoor_match__substantive(h->chars, h->share, v->opts);
    }
done:
    spoor_result_free(r);
    spoor_item_dispose(&item);
    spoor_buf_dispose(&text);
    return error;
}

/* Record the batch's first error, with its message (set on this thread;
 * the survey reports it on the calling thread). */
static void fail(survey *v, int error)
{
    int none = 0;
    if (__atomic_compare_exchange_n(&v->error, &none, error, 0,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        snprintf(v->message, sizeof(v->message), "%s",
                 spoor_error_last()->message);
}

/* Take and answer the batch's contents until none is left (each thread,
 * with its own handle on the index). */
static void work_batch(survey *v, spoor_store *s)
{
    int error = spoor_store__read_begin(s); /* one lock for the batch */
    if (error < 0) {
        fail(v, error);
        return;
    }
    for (;;) {
        size_t i = __atomic_fetch_add(&v->next, 1, __ATOMIC_RELAXED);
        int checked = 0;
        if (i >= v->to || __atomic_load_n(&v->error, __ATOMIC_RELAXED) < 0)
            break;
        error =
            answer_content(s, v, v->ids[i], &v->batch[i - v->from], &checked);
        if (error < 0) {
            fail(v, error);
            break;
        }
        __atomic_fetch_add(checked ? &v->checked : &v->fast, 1,
                           __ATOMIC_RELAXED);
    }
    spoor_store__read_end(s);
}

typedef struct worker {
    survey *v;
    spoor_store *s; /* its own handle, or NULL: it could not open one */
} worker;

/* A helper thread: each batch handed out, until the survey stops. */
static void *worker_main(void *arg)
{
    worker *w = arg;
    survey *v = w->v;
    unsigned seen = 0;
    for (;;) {
        pthread_mutex_lock(&v->mu);
        while (seen == v->gen && !v->stop)
            pthread_cond_wait(&v->go, &v->mu);
        if (v->stop) {
            pthread_mutex_unlock(&v->mu);
            return NULL;
        }
        seen = v->gen;
        pthread_mutex_unlock(&v->mu);
        work_batch(v, w->s);
        pthread_mutex_lock(&v->mu);
        if (--v->busy == 0)
            pthread_cond_signal(&v->idle);
        pthread_mutex_unlock(&v->mu);
    }
}

/* Hand the current batch to the n helpers, work at it too, and wait for
 * them to finish it. */
static void share_batch(survey *v, unsigned n)
{
    pthread_mutex_lock(&v->mu);
    v->gen++;
    v->busy = n;
    pthread_cond_broadcast(&v->go);
    pthread_mutex_unlock(&v->mu);
    work_batch(v, v->s);
    pthread_mutex_lock(&v->mu);
    while (v->busy)
        pthread_cond_wait(&v->idle, &v->mu);
    pthread_mutex_unlock(&v->mu);
}

/* Contents answered per thread per batch. */
#define BATCH_PER_JOB 64

typedef int (*consume_fn)(const answer *a, void *ctx);

/*
 * Answer the contents ids[0..n_ids) for the collections c, with jobs
 * threads (0: one per core), handing each answer to consume in id order
 * and reporting progress after each batch.
 */
static int run_survey(spoor_store *s, const cols *c, const int64_t *ids,
                      size_t n_ids, const spoor_check_opts *opts, unsigned jobs,
                      consume_fn consume, void *ctx, spoor_progress_cb progress,
                      void *payload)
{
    survey v;
    worker *w = NULL;
    pthread_t *threads = NULL;
    unsigned n_threads = 0, t;
    size_t batch_cap, i;
    int error = 0;

    memset(&v, 0, sizeof(v));
    pthread_mutex_init(&v.mu, NULL);
    pthread_cond_init(&v.go, NULL);
    pthread_cond_init(&v.idle, NULL);
    v.s = s;
    v.c = c;
    v.opts = opts;
    v.ids = ids;
    v.n_ids = n_ids;
    if (jobs == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cores > 0 ? (unsigned)cores : 1;
    }
    if (jobs > 256)
        jobs = 256;
    batch_cap = (size_t)jobs * BATCH_PER_JOB;
    SPOOR_TRY(spoor_store__shared_contents(s, (unsigned char **)&v.shared,
                                           &v.n_shared));
    v.batch = spoor__calloc(batch_cap, sizeof(*v.batch));
    SPOOR_ALLOC_CHECK(v.batch);
    for (i = 0; i < batch_cap; i++) {
        v.batch[i].in = spoor__calloc(c->n + 1, sizeof(held));
        SPOOR_ALLOC_CHECK(v.batch[i].in);
    }
    if (jobs > 1) {
        w = spoor__calloc(jobs, sizeof(*w));
        threads = spoor__calloc(jobs, sizeof(*threads));
        SPOOR_ALLOC_CHECK(w);
        SPOOR_ALLOC_CHECK(threads);
        for (t = 0; t + 1 < jobs; t++) { /* a handle each */
            w[t].v = &v;
            SPOOR_TRY(spoor_store__reopen(s, &w[t].s));
        }
        /* as many helpers as start (the work is shared, not assigned) */
        while (n_threads + 1 < jobs &&
               pthread_create(&threads[n_threads], NULL, worker_main,
                              &w[n_threads]) == 0)
            n_threads++;
    }
    for (v.from = 0; v.from < n_ids; v.from = v.to) {
        v.to = v.from + batch_cap < n_ids ? v.from + batch_cap : n_ids;
        v.next = v.from;
        share_batch(&v, n_threads);
        if ((error = v.error) < 0)
            error = spoor__error_set(error, "%s", v.message);
        for (i = v.from; i < v.to; i++) {
            answer *a = &v.batch[i - v.from];
            if (error == 0 && a->rec)
                error = consume(a, ctx);
            spoor_record_free(a->rec);
            memset(a->in, 0, c->n * sizeof(held));
            a->rec = NULL;
            a->substance = 0;
        }
        SPOOR_TRY(error);
        if (progress && (error = progress(v.to, n_ids, payload)) < 0)
            goto done;
    }
done:
    pthread_mutex_lock(&v.mu);
    v.stop = 1;
    pthread_cond_broadcast(&v.go);
    pthread_mutex_unlock(&v.mu);
    for (t = 0; t < n_threads; t++)
        pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&v.mu);
    pthread_cond_destroy(&v.go);
    pthread_cond_destroy(&v.idle);
    for (t = 0; w && t + 1 < jobs; t++)
        spoor_store_free(w[t].s);
    for (i = 0; v.batch && i < batch_cap; i++) {
        spoor_record_free(v.batch[i].rec);
        spoor__free(v.batch[i].in);
    }
    spoor__free(v.batch);
    spoor__free((void *)v.shared);
    spoor__free(w);
    spoor__free(threads);
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

/* The overlap matrix as it is summed up. */
typedef struct matrix {
    const cols *c;
    uint64_t *items, *chars; /* [a * n + b] */
    uint64_t *items_total, *chars_total;
    spoor_overlap_item_cb on_item;
    void *payload;
} matrix;

/* consume_fn of overlap: add a content's answer to the matrix. */
static int add_to_matrix(const answer *ans, void *ctx)
{
    matrix *m = ctx;
    size_t n = m->c->n, a, b;
    int error = 0;
    for (a = 0; a < n && error == 0; a++) {
        const char *pa = path_in(ans->rec, m->c->v[a].name);
        if (!pa)
            continue;
        m->items_total[a]++;
        m->chars_total[a] += ans->substance;
        for (b = 0; b < n && error == 0; b++) {
            if (b == a)
                continue;
            m->chars[a * n + b] += ans->in[b].chars;
            if (!ans->in[b].substantive)
                continue;
            m->items[a * n + b]++;
            if (m->on_item)
                error = m->on_item(m->c->v[a].name, m->c->v[b].name, pa,
                                   ans->in[b].share, m->payload);
        }
    }
    return error;
}

int spoor_overlap(spoor_store *s, const char *const *only, size_t n_only,
                  const spoor_check_opts *opts, unsigned jobs,
                  spoor_overlap_cb on_pair, spoor_overlap_item_cb on_item,
                  spoor_progress_cb progress, void *payload)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    cols all = {NULL, 0, 0}, c = {NULL, 0, 0};
    matrix m;
    size_t n_ids = 0, i, j, a, b;
    int64_t *ids = NULL;
    int error = 0;

    memset(&m, 0, sizeof(m));
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
    m.c = &c;
    m.on_item = on_item;
    m.payload = payload;
    m.items = spoor__calloc(c.n * c.n + 1, sizeof(*m.items));
    m.chars = spoor__calloc(c.n * c.n + 1, sizeof(*m.chars));
    m.items_total = spoor__calloc(c.n + 1, sizeof(*m.items_total));
    m.chars_total = spoor__calloc(c.n + 1, sizeof(*m.chars_total));
    if (!m.items || !m.chars || !m.items_total || !m.chars_total)
        SPOOR_TRY(spoor__error_oom());
    SPOOR_TRY(contents_of(s, &c, NULL, &ids, &n_ids));
    SPOOR_TRY(run_survey(s, &c, ids, n_ids, opts, jobs, add_to_matrix, &m,
                         progress, payload));
    for (a = 0; a < c.n; a++)
        for (b = 0; b < c.n; b++) {
            spoor_overlap_pair p;
            if (a == b)
                continue;
            p.a = c.v[a].name;
            p.b = c.v[b].name;
            p.items = m.items[a * c.n + b];
            p.items_total = m.items_total[a];
            p.chars = m.chars[a * c.n + b];
            p.chars_total = m.chars_total[a];
            SPOOR_TRY(on_pair(&p, payload));
        }
done:
    cols_free(&all);
    cols_free(&c);
    spoor__free(m.items);
    spoor__free(m.chars);
    spoor__free(m.items_total);
    spoor__free(m.chars_total);
    spoor__free(ids);
    return error;
}

/* The timeline as it is summed up. */
typedef struct tally {
    const cols *rel;
    uint64_t *counts; /* per release: internal, new, seen before */
    spoor_timeline_item_cb on_item;
    void *payload;
} tally;

/* consume_fn of timeline: count an internal content in the releases that
 * hold its substance, the first of them as where it first appears. */
static int add_to_tally(const answer *ans, void *ctx)
{
    tally *t = ctx;
    const spoor_record *rec = ans->rec;
    const char *c = NULL, *p = NULL;
    long first = -1;
    size_t k;
    for (k = 0; k < t->rel->n; k++) {
        if (!ans->in[k].substantive)
            continue;
        t->counts[3 * k]++;
        if (first < 0) {
            first = (long)k;
            t->counts[3 * k + 1]++;
        } else {
            t->counts[3 * k + 2]++;
        }
    }
    if (!t->on_item)
        return 0;
    for (k = 0; k < rec->n_occ && !c; k++)
        if (rec->occ[k].kind_id == SPOOR_KIND_INTERNAL) {
            c = rec->occ[k].collection;
            p = rec->occ[k].path;
        }
    return t->on_item(c ? c : "", p ? p : "",
                      first >= 0 ? t->rel->v[first].name : NULL,
                      first >= 0 ? t->rel->v[first].date : NULL, t->payload);
}

int spoor_timeline(spoor_store *s, const spoor_check_opts *opts, unsigned jobs,
                   spoor_timeline_cb on_release, spoor_timeline_item_cb on_item,
                   spoor_progress_cb progress, void *payload)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    cols all = {NULL, 0, 0}, rel = {NULL, 0, 0};
    tally t;
    size_t n_ids = 0, i, k;
    int64_t *ids = NULL;
    int error = 0;

    if (!opts)
        opts = &defaults;
    memset(&t, 0, sizeof(t));
    SPOOR_TRY(spoor_store_collections(s, add_col, &all));
    for (i = 0; i < all.n; i++) /* releases, in date order (undated last) */
        if (!strcmp(all.v[i].kind, spoor_kind_name(SPOOR_KIND_RELEASE))) {
            SPOOR_TRY(spoor__array_reserve((void **)&rel.v, &rel.cap, rel.n + 1,
                                           sizeof(*rel.v)));
            rel.v[rel.n++] = all.v[i];
            memset(&all.v[i], 0, sizeof(all.v[i]));
        }
    t.rel = &rel;
    t.on_item = on_item;
    t.payload = payload;
    t.counts = spoor__calloc(3 * rel.n + 1, sizeof(*t.counts));
    SPOOR_ALLOC_CHECK(t.counts);
    /* the internal collections' contents (all.v keeps the others) */
    SPOOR_TRY(contents_of(s, &all, spoor_kind_name(SPOOR_KIND_INTERNAL), &ids,
                          &n_ids));
    SPOOR_TRY(run_survey(s, &rel, ids, n_ids, opts, jobs, add_to_tally, &t,
                         progress, payload));
    for (k = 0; k < rel.n; k++) {
        spoor_timeline_release r;
        r.collection = rel.v[k].name;
        r.date = rel.v[k].date;
        r.internal_items = t.counts[3 * k];
        r.new_items = t.counts[3 * k + 1];
        r.seen_before = t.counts[3 * k + 2];
        SPOOR_TRY(on_release(&r, payload));
    }
done:
    cols_free(&all);
    cols_free(&rel);
    spoor__free(t.counts);
    spoor__free(ids);
    return error;
}
