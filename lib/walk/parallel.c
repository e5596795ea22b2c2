/*
 * parallel.c: spoor_walk_paths, the walk with worker threads.
 *
 * Three roles:
 *   - one enumerator thread walks the folders (walk.c, in name order) and
 *     appends a task per regular file, or per skip it meets, to an ordered
 *     queue; when MAX_INFLIGHT_PER_JOB x jobs tasks are unfinished it waits
 *     until half of them are done (so it wakes once per many files);
 *   - jobs worker threads each take the oldest task not yet taken and read
 *     its file completely (extraction, normalisation, fingerprints, every
 *     child, and the work opts->prepare asks for, the store's compression
 *     and sorting for an add: spoor_store_walk_hooks), appending copies of the
 * finished items and skips to that task's own queue; a worker waits while its
 * queue holds more than TASK_QUEUE_BYTES, or, unless its task is the oldest,
 * while all the queues together hold more than POOL_BYTES;
 *   - the calling thread takes the tasks in order and, for each, its
 *     events in order, and calls the callbacks; each event delivered goes
 *     back to the worker that made it, which frees it when it next takes
 *     the lock (memory freed where it was allocated stays in that thread's
 *     malloc arena: freeing it on the calling thread had cost mail ingest
 *     a tenth of its time in the arena's lock and cache misses).
 * So the callbacks see the sequential walk's order whatever the timing, no
 * worker ever waits for another, and memory is bounded by the tasks in
 * flight (a worker's delivered events wait for it to free them at its next
 * push, which makes at most twice what its queues may hold). One mutex guards
 * the queues; the work itself runs outside it. Threads are woken only when what
 * they wait for happened (a wake-up is a system call and, in a virtual machine,
 * an inter-processor interrupt); signalling a condition nobody waits on costs
 * no system call. The calling thread, faster than a worker on small items,
 * would wait after nearly every one: it is woken when the oldest task holds
 * READY_EVENTS events or READY_BYTES, is done, or its worker waits for room
 * (mail at -j 2: 6-8 k context switches down to under 1 k).
 */
#include <pthread.h>
#include <string.h>

#include "../common/internal.h"
#include "../extract/extract_int.h"
#include "walk_int.h"

#define MAX_INFLIGHT_PER_JOB 32
#define TASK_QUEUE_BYTES ((size_t)16 << 20)
#define POOL_BYTES ((size_t)64 << 20)
/* the calling thread, waiting for the oldest task's events, is woken when
 * it holds this many of them, or bytes, or is done */
#define READY_EVENTS 64
#define READY_BYTES ((size_t)1 << 20)

enum { EV_ITEM, EV_SKIP };

typedef struct pevent {
    int kind;
    spoor_item item; /* EV_ITEM: an owned copy (spoor_item__take) */
    void (*release)(void *prepared); /* frees item.prepared (opts') */
    char *display, *reason;
    int code;
    size_t cost;    /* bytes held */
    unsigned owner; /* the worker that made it, and frees it */
    struct pevent *next;
} pevent;

typedef struct ptask {
    char *fspath, *path, *display; /* a file; or display of a skip */
    int nofollow;
    int is_skip, code; /* a skip met while enumerating */
    char *reason;
    int taken, done, rc; /* rc: the worker's result */
    char *message;       /* the worker's error message when rc < 0 */
    pevent *head, *tail;
    size_t bytes, n_events; /* queued */
    pthread_cond_t room;    /* the task's queue has room */
    struct ptask *next;
} ptask;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work;  /* a task to take, or the end */
    pthread_cond_t ready; /* an event or a finished task for the caller */
    pthread_cond_t room;  /* fewer tasks in flight */
    pthread_cond_t space; /* fewer bytes queued, or a new oldest task */
    ptask *first, *last;  /* in enumeration order */
    size_t inflight, max_inflight;
    size_t bytes; /* queued in all the tasks' queues */
    int enumerated, stop;
    const spoor_walk_opts *opts;
    const char *const *paths;
    size_t n_paths;
    pevent **spent; /* per worker: events delivered, for it to free */
    unsigned n_workers;
} pool;

typedef struct worker_ctx {
    pool *p;
    ptask *t;
    unsigned id;
} worker_ctx;

static void free_event(pevent *e)
{
    if (e->kind == EV_ITEM) {
        if (e->release && e->item.prepared)
            e->release(e->item.prepared);
        e->item.prepared = NULL;
        spoor_item__dispose_copy(&e->item);
    }
    spoor__free(e->display);
    spoor__free(e->reason);
    spoor__free(e);
}

static void free_task(ptask *t)
{
    pevent *e, *n;
    for (e = t->head; e; e = n) {
        n = e->next;
        free_event(e);
    }
    pthread_cond_destroy(&t->room);
    spoor__free(t->fspath);
    spoor__free(t->path);
    spoor__free(t->display);
    spoor__free(t->reason);
    spoor__free(t->message);
    spoor__free(t);
}

/* Append t to the ordered queue, waiting for room. */
static int enqueue(pool *p, ptask *t)
{
    pthread_mutex_lock(&p->mu);
    if (p->inflight >= p->max_inflight)
        while (p->inflight > p->max_inflight / 2 && !p->stop)
            pthread_cond_wait(&p->room, &p->mu);
    if (p->stop) {
        pthread_mutex_unlock(&p->mu);
        free_task(t);
        return SPOOR_EUSER;
    }
    if (p->last)
        p->last->next = t;
    else
        p->first = t;
    p->last = t;
    p->inflight++;
    if (!t->is_skip)
        pthread_cond_signal(&p->work);
    if (t == p->first)
        pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static ptask *new_task(const char *display)
{
    ptask *t = spoor__calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (!(t->display = spoor__strdup(display))) {
        spoor__free(t);
        return NULL;
    }
    pthread_cond_init(&t->room, NULL);
    return t;
}

/* Enumerator: a file becomes a task. */
static int enum_file(walker *wk, const char *fspath, const char *path,
                     const char *display, int nofollow)
{
    ptask *t = new_task(display);
    if (!t || !(t->fspath = spoor__strdup(fspath)) ||
        !(t->path = spoor__strdup(path))) {
        if (t)
            free_task(t);
        return spoor__error_oom();
    }
    t->nofollow = nofollow;
    return enqueue(wk->payload, t);
}

/* Enumerator: a skip (missing path, link, folder) becomes a task. */
static int enum_skip(const char *display, int code, const char *reason,
                     void *payload)
{
    ptask *t = new_task(display);
    if (!t || !(t->reason = spoor__strdup(reason))) {
        if (t)
            free_task(t);
        return spoor__error_oom();
    }
    t->is_skip = 1;
    t->code = code;
    t->done = 1;
    return enqueue(payload, t);
}

static void *enumerator(void *arg)
{
    pool *p = arg;
    walker wk = {.opts = p->opts,
                 .skip_cb = enum_skip,
                 .payload = p,
                 .file_fn = enum_file};
    size_t i;
    for (i = 0; i < p->n_paths; i++)
        if (spoor_walk__path(&wk, p->paths[i]) < 0)
            break;
    pthread_mutex_lock(&p->mu);
    p->enumerated = 1;
    pthread_cond_broadcast(&p->work);
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Free a list of events linked by next. */
static void free_events(pevent *e)
{
    pevent *n;
    for (; e; e = n) {
        n = e->next;
        free_event(e);
    }
}

/* The events delivered that worker id made, taken from the pool for it
 * to free outside the lock (so that memory goes back to the thread, and
 * the malloc arena, that allocated it). Called with p->mu held. */
static pevent *take_spent(pool *p, unsigned id)
{
    pevent *e = p->spent[id];
    p->spent[id] = NULL;
    return e;
}

/* Worker: hand one event to the task's queue, waiting for room. */
static int push(worker_ctx *w, pevent *e)
{
    pool *p = w->p;
    ptask *t = w->t;
    pevent *spent;
    e->owner = w->id;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (t->head && t->bytes + e->cost > TASK_QUEUE_BYTES && !p->stop) {
            if (t == p->first) /* only the calling thread can make room */
                pthread_cond_signal(&p->ready);
            pthread_cond_wait(&t->room, &p->mu);
        } else if (t != p->first && p->bytes + e->cost > POOL_BYTES &&
                   !p->stop) {
            pthread_cond_wait(&p->space, &p->mu);
        } else {
            break;
        }
    }
    if (p->stop) {
        pthread_mutex_unlock(&p->mu);
        free_event(e);
        return SPOOR_EUSER;
    }
    if (t->tail)
        t->tail->next = e;
    else
        t->head = e;
    t->tail = e;
    t->bytes += e->cost;
    t->n_events++;
    p->bytes += e->cost;
    if (t == p->first &&
        (t->n_events >= READY_EVENTS || t->bytes >= READY_BYTES))
        pthread_cond_signal(&p->ready);
    spent = take_spent(p, w->id);
    pthread_mutex_unlock(&p->mu);
    free_events(spent);
    return 0;
}

/* Queue what storing needs of item, its text taken rather than copied
 * (a copy was the largest memmove of text ingest). */
static int worker_item(spoor_item *item, void *payload)
{
    worker_ctx *w = payload;
    pevent *e = spoor__calloc(1, sizeof(*e));
    size_t text_size = item->doc.text.size;
    int error;
    if (!e)
        return spoor__error_oom();
    e->kind = EV_ITEM;
    if ((error = spoor_item__take(&e->item, item)) < 0) {
        spoor__free(e);
        return error;
    }
    /* the store's work on it (compress, sort) here, in parallel, not in
     * the storing thread: opts' hooks, spoor_store_walk_hooks */
    if (w->p->opts->version >= 5 && w->p->opts->prepare) {
        e->release = w->p->opts->release;
        if ((error = w->p->opts->prepare(&e->item)) < 0) {
            free_event(e);
            return error;
        }
    }
    /* what the event holds: the text, the fingerprints twice (as found
     * and sorted), the compressed text (at most the text's size) */
    e->cost =
        sizeof(*e) + 2 * text_size + 2 * e->item.fps.n * sizeof(spoor_fp) + 256;
    return push(payload, e);
}

static int worker_skip(const char *display, int code, const char *reason,
                       void *payload)
{
    pevent *e = spoor__calloc(1, sizeof(*e));
    if (!e)
        return spoor__error_oom();
    e->kind = EV_SKIP;
    e->code = code;
    e->display = spoor__strdup(display);
    e->reason = spoor__strdup(reason);
    if (!e->display || !e->reason) {
        free_event(e);
        return spoor__error_oom();
    }
    e->cost = sizeof(*e) + strlen(display) + strlen(reason);
    return push(payload, e);
}

static void *worker(void *arg)
{
    pool *p = arg;
    unsigned id;
    pthread_mutex_lock(&p->mu);
    id = p->n_workers++;
    pthread_mutex_unlock(&p->mu);
    for (;;) {
        ptask *t;
        worker_ctx w;
        walker wk;
        pevent *spent;
        int rc;

        pthread_mutex_lock(&p->mu);
        spent = take_spent(p, id);
        for (;;) {
            for (t = p->first; t && (t->taken || t->is_skip); t = t->next)
                ;
            if (t || p->stop || p->enumerated)
                break;
            pthread_cond_wait(&p->work, &p->mu);
        }
        if (!t || p->stop) {
            pthread_mutex_unlock(&p->mu);
            free_events(spent);
            if (p->opts->version >= 5 && p->opts->worker_done)
                p->opts->worker_done();
            spoor_walk__thread_done();
            return NULL;
        }
        t->taken = 1;
        pthread_mutex_unlock(&p->mu);
        free_events(spent);

        w.p = p;
        w.t = t;
        w.id = id;
        wk.opts = p->opts;
        wk.item_cb = NULL;
        wk.take_cb = worker_item;
        wk.skip_cb = worker_skip;
        wk.payload = &w;
        wk.file_fn = spoor_walk__file;
        rc = spoor_walk__file(&wk, t->fspath, t->path, t->display, t->nofollow);
        pthread_mutex_lock(&p->mu);
        t->rc = rc;
        if (rc < 0 && rc != SPOOR_EUSER)
            t->message = spoor__strdup(spoor_error_last()->message);
        t->done = 1;
        if (t == p->first)
            pthread_cond_signal(&p->ready);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Stop everything: wake every waiter. Called with p->mu held. */
static void stop_all(pool *p)
{
    ptask *t;
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_cond_broadcast(&p->ready);
    pthread_cond_broadcast(&p->room);
    pthread_cond_broadcast(&p->space);
    for (t = p->first; t; t = t->next)
        pthread_cond_broadcast(&t->room);
}

/* The calling thread: deliver the events in order, each then handed back
 * to the worker that made it (p->spent) for that worker to free. */
static int deliver(pool *p, spoor_item_cb item_cb, spoor_skip_cb skip_cb,
                   void *payload)
{
    pevent *spent = NULL; /* the last event delivered */
    int error = 0;
    for (;;) {
        ptask *t;
        pevent *e;
        pthread_mutex_lock(&p->mu);
        if (spent) {
            spent->next = p->spent[spent->owner];
            p->spent[spent->owner] = spent;
            spent = NULL;
        }
        while (!((t = p->first) && (t->head || t->done)) &&
               !(p->enumerated && !p->first))
            pthread_cond_wait(&p->ready, &p->mu);
        if (!t) {
            pthread_mutex_unlock(&p->mu);
            return 0;
        }
        if ((e = t->head)) {
            if (!(t->head = e->next))
                t->tail = NULL;
            t->bytes -= e->cost;
            t->n_events--;
            p->bytes -= e->cost;
            pthread_cond_signal(&t->room);
            pthread_cond_broadcast(&p->space);
            pthread_mutex_unlock(&p->mu);
            if (e->kind == EV_ITEM)
                error = item_cb(&e->item, payload);
            else if (skip_cb &&
                     skip_cb(e->display, e->code, e->reason, payload) < 0)
                error = SPOOR_EUSER;
            spent = e;
        } else {
            if (!(p->first = t->next))
                p->last = NULL;
            p->inflight--;
            if (p->inflight <= p->max_inflight / 2)
                pthread_cond_signal(&p->room);
            /* a new oldest task never waits on space */
            pthread_cond_broadcast(&p->space);
            pthread_mutex_unlock(&p->mu);
            if (t->is_skip && skip_cb &&
                skip_cb(t->display, t->code, t->reason, payload) < 0)
                error = SPOOR_EUSER;
            else if (t->rc < 0)
                error =
                    spoor__error_set(t->rc, "%s", t->message ? t->message : "");
            free_task(t);
        }
        if (error < 0) {
            if (spent)
                free_event(spent);
            return error;
        }
    }
}

int spoor_walk_paths(const char *const *paths, size_t n_paths,
                     const spoor_walk_opts *opts, spoor_item_cb item_cb,
                     spoor_skip_cb skip_cb, void *payload)
{
    spoor_walk_opts defaults;
    pthread_t *threads, enum_thread;
    unsigned jobs, i, started = 0;
    pool p;
    int error, enum_started;

    if (!opts) {
        spoor_walk_opts_init(&defaults);
        opts = &defaults;
    }
    jobs = opts->version >= 2 && opts->jobs > 1 ? opts->jobs : 1;
    if (jobs == 1) {
        for (error = 0, i = 0; i < n_paths && error >= 0; i++)
            error = spoor_walk(paths[i], opts, item_cb, skip_cb, payload);
        return error;
    }
    memset(&p, 0, sizeof(p));
    threads = spoor__calloc(jobs, sizeof(*threads));
    p.spent = spoor__calloc(jobs, sizeof(*p.spent));
    if (!threads || !p.spent) {
        spoor__free(threads);
        spoor__free(p.spent);
        return spoor__error_oom();
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.ready, NULL);
    pthread_cond_init(&p.room, NULL);
    pthread_cond_init(&p.space, NULL);
    p.max_inflight = (size_t)jobs * MAX_INFLIGHT_PER_JOB;
    p.opts = opts;
    p.paths = paths;
    p.n_paths = n_paths;

    /* before any thread exists: the fork server for isolated extractors */
    if ((error = spoor_isolate__server_start()) < 0)
        goto cleanup;
    enum_started = pthread_create(&enum_thread, NULL, enumerator, &p) == 0;
    for (i = 0; enum_started && i < jobs; i++)
        if (pthread_create(&threads[i], NULL, worker, &p) == 0)
            started++;
    if (!enum_started || started == 0)
        error = spoor__error_set(SPOOR_ERROR, "cannot start threads");
    else
        error = deliver(&p, item_cb, skip_cb, payload);
    pthread_mutex_lock(&p.mu);
    stop_all(&p);
    pthread_mutex_unlock(&p.mu);
    for (i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (enum_started)
        pthread_join(enum_thread, NULL);
    while (p.first) {
        ptask *t = p.first;
        p.first = t->next;
        free_task(t);
    }
    for (i = 0; i < jobs; i++)
        free_events(p.spent[i]);
    spoor_isolate__server_stop();
cleanup:
    pthread_cond_destroy(&p.work);
    pthread_cond_destroy(&p.ready);
    pthread_cond_destroy(&p.room);
    pthread_cond_destroy(&p.space);
    pthread_mutex_destroy(&p.mu);
    spoor__free(threads);
    spoor__free(p.spent);
    return error;
}
