/*
 * spill.c: postings in bounded memory, whatever the size of an item or a
 * batch.
 *
 * Two levels, both an external sort:
 *
 * - An item's fingerprints. A walk hands them over (spoor_walk_opts.spill)
 *   once SPILL_AT pile up: they are keyed as segments key them
 *   (spoor_seg__mix), sorted by (key, position) and appended to a temporary
 *   file (O_TMPFILE in $TMPDIR, else /tmp: nothing is left behind) as one
 *   sorted run. When the item is stored, its runs are merged (one read
 *   buffer per run) into the batch's postings, keeping at most
 *   MAX_POSTINGS_PER_HASH positions of a key, as for any item.
 * - A batch's postings. Once PENDING_MAX are pending, they are sorted and
 *   written as a run segment in the index folder (an unregistered file,
 *   which the next writer deletes should this one crash); the commit merges
 *   the runs and the rest into the batch's one segment (segment.c's
 *   streaming merge), so the segments a commit leaves are the same.
 *
 * Memory: SPILL_AT fingerprints in the walk, a buffer per item run, and
 * PENDING_MAX postings; the rest waits on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_priv.h"

/* Fingerprints an item holds before they go to its runs: 16 MiB. */
#define SPILL_AT ((size_t)1 << 20)
/* Entries read at a time from each run of an item. */
#define RUN_BUF 4096

typedef struct item_runs {
    spoor_spilled base; /* first: spoor_item.spilled points here */
    int fd;
    uint64_t *start; /* run i is entries [start[i], start[i + 1]) */
    size_t n_runs, cap;
} item_runs;

static void runs_free(spoor_spilled *self)
{
    item_runs *r = (item_runs *)self;
    if (r->fd >= 0)
        close(r->fd);
    spoor__free(r->start);
    spoor__free(r);
}

/* spoor_walk_opts.spill: sort fps as segments key them and append them to
 * item's runs as one run. */
static int spill_item(spoor_item *item, spoor_fps *fps)
{
    item_runs *r = (item_runs *)item->spilled;
    size_t i;
    int error;

    if (!fps->n)
        return 0;
    if (!r) {
        if (!(r = spoor__calloc(1, sizeof(*r))))
            return spoor__error_oom();
        r->base.free = runs_free;
        if ((r->fd = spoor__tmpfile("the fingerprints of a long item")) < 0) {
            error = r->fd;
            spoor__free(r);
            return error;
        }
        item->spilled = &r->base;
    }
    if ((error = spoor__array_reserve((void **)&r->start, &r->cap,
                                      r->n_runs + 2, sizeof(uint64_t))) < 0)
        return error;
    for (i = 0; i < fps->n; i++)
        fps->v[i].hash = spoor_seg__mix(fps->v[i].hash);
    /* in position order: stable on the key, they end by (key, pos) */
    if ((error = spoor__sort_key40(fps->v, fps->n, sizeof(spoor_fp))) < 0)
        return error;
    if (spoor__write_all(r->fd, fps->v, fps->n * sizeof(spoor_fp)) < 0)
        return spoor__error_set(SPOOR_EIO,
                                "cannot write the fingerprints of a long "
                                "item to a temporary file: %s",
                                strerror(errno));
    r->start[r->n_runs] = r->base.n;
    r->base.n += fps->n;
    r->start[++r->n_runs] = r->base.n;
    fps->n = 0;
    return 0;
}

/* A threshold: dflt, or the n-th number of the test hook SPOOR_TEST_SPILL
 * ("SPILL_AT,PENDING_MAX"), with which tests make small inputs spill. */
static size_t threshold(int n, size_t dflt)
{
    const char *v = spoor__test_hook("SPOOR_TEST_SPILL");
    unsigned long long x;
    if (!v)
        return dflt;
    if (n == 1 && (v = strchr(v, ',')))
        v++;
    x = v ? strtoull(v, NULL, 10) : 0;
    return x ? (size_t)x : dflt;
}

void spoor_store__spill_hooks(spoor_walk_opts *opts)
{
    opts->spill = spill_item;
    opts->spill_at = threshold(0, SPILL_AT);
}

size_t spoor_store__pending_max(void)
{
    return threshold(1, PENDING_MAX);
}

/* ==== A batch's postings ==== */

/* Write the pending postings as a run segment of the batch. */
static int spill_pending(spoor_store *s)
{
    char name[160];
    int error;
    if (!s->n_pending)
        return 0;
    if ((error = spoor__array_reserve((void **)&s->runs, &s->cap_runs,
                                      s->n_runs + 1, sizeof(spoor_segment))) <
            0 ||
        (error = spoor__array_reserve((void **)&s->run_names, &s->cap_run_names,
                                      s->n_runs + 1, sizeof(char *))) < 0)
        return error;
    spoor_store__segment_name(s, name, sizeof(name));
    if ((error = spoor_segment__sort(s->pending, s->n_pending)) < 0 ||
        (error =
             spoor_segment__write(s->path, name, s->pending, s->n_pending)) < 0)
        return error;
    if (!(s->run_names[s->n_runs] = spoor__strdup(name))) {
        spoor_store__remove_file(s, name);
        return spoor__error_oom();
    }
    if ((error = spoor_segment__open(&s->runs[s->n_runs], s->path, name)) < 0) {
        spoor_store__remove_file(s, name);
        spoor__free(s->run_names[s->n_runs]);
        return error;
    }
    s->n_runs++;
    s->n_pending = 0;
    return 0;
}

int spoor_store__pending_room(spoor_store *s)
{
    int error;
    if (s->n_pending >= s->pending_max && (error = spill_pending(s)) < 0)
        return error;
    if (s->n_pending == s->cap_pending)
        return spoor__array_reserve((void **)&s->pending, &s->cap_pending,
                                    s->n_pending + 1, sizeof(spoor_seg_entry));
    return 0;
}

/* One run of an item being merged: a window of it in buf. */
typedef struct run_cursor {
    uint64_t next, end; /* entries of the file not yet read */
    spoor_fp buf[RUN_BUF];
    size_t at, n;
} run_cursor;

/* Fill c's buffer from fd. @return 1, 0 at the run's end, or SPOOR_EIO. */
static int run_fill(run_cursor *c, int fd)
{
    size_t want, got = 0;
    if (c->at < c->n)
        return 1;
    if (c->next >= c->end)
        return 0;
    want = c->end - c->next < RUN_BUF ? (size_t)(c->end - c->next) : RUN_BUF;
    while (got < want * sizeof(spoor_fp)) {
        ssize_t r =
            pread(fd, (char *)c->buf + got, want * sizeof(spoor_fp) - got,
                  (off_t)(c->next * sizeof(spoor_fp) + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return spoor__error_set(SPOOR_EIO,
                                    "cannot read back the fingerprints of a "
                                    "long item: %s",
                                    r ? strerror(errno) : "file too short");
        got += (size_t)r;
    }
    c->next += want;
    c->at = 0;
    c->n = want;
    return 1;
}

int spoor_store__push_spilled(spoor_store *s, const spoor_spilled *spilled,
                              uint32_t content)
{
    const item_runs *r = (const item_runs *)spilled;
    run_cursor *cur = spoor__calloc(r->n_runs ? r->n_runs : 1, sizeof(*cur));
    uint64_t key = 0;
    size_t i, best, same = 0;
    int error = 0, live;

    if (!cur)
        return spoor__error_oom();
    for (i = 0; i < r->n_runs; i++) {
        cur[i].next = r->start[i];
        cur[i].end = r->start[i + 1];
    }
    for (;;) {
        const spoor_fp *f, *b;
        best = r->n_runs;
        for (i = 0; i < r->n_runs; i++) {
            if ((live = run_fill(&cur[i], r->fd)) < 0) {
                error = live;
                goto done;
            }
            if (!live)
                continue;
            f = &cur[i].buf[cur[i].at];
            if (best == r->n_runs)
                best = i;
            else if (b = &cur[best].buf[cur[best].at],
                     f->hash < b->hash ||
                         (f->hash == b->hash && f->pos < b->pos))
                best = i;
        }
        if (best == r->n_runs)
            break;
        f = &cur[best].buf[cur[best].at++];
        same = f->hash == key && same ? same + 1 : 1;
        key = f->hash;
        if (same > MAX_POSTINGS_PER_HASH)
            continue;
        if ((error = spoor_store__pending_push(s, f->hash, content, f->pos)) <
            0)
            goto done;
    }
done:
    spoor__free(cur);
    return error;
}

/* Close and delete the batch's run segments. */
void spoor_store__drop_runs(spoor_store *s)
{
    size_t i;
    for (i = 0; i < s->n_runs; i++) {
        spoor_segment__close(&s->runs[i]);
        spoor_store__remove_file(s, s->run_names[i]);
        spoor__free(s->run_names[i]);
    }
    s->n_runs = 0;
}

int spoor_store__merge_runs(spoor_store *s, const char *name, uint64_t *count)
{
    int error;
    if ((error = spill_pending(s)) < 0)
        return error;
    return spoor_segment__merge(s->path, name, s->runs, s->n_runs, NULL, 0,
                                count);
}
