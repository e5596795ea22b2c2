/*
 * store_segments.c: the segment registry of the store (see store_priv.h):
 * registering the segment a commit writes, mapping them at open, tiered
 * merging, optimize, and the tombstones of removed contents.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>
#include <zstd.h>

#include "store_priv.h"

int spoor_store__add_segment(spoor_store *s, const char *name)
{
    int error;
    if ((error = spoor__array_reserve((void **)&s->segs, &s->cap_segs,
                                      s->n_segs + 1, sizeof(spoor_segment))) <
        0)
        return error;
    if ((error = spoor_segment__open(&s->segs[s->n_segs], s->path, name)) < 0)
        return error;
    s->n_segs++;
    return 0;
}

void spoor_store__segment_name(spoor_store *s, char *out, size_t cap)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    snprintf(out, cap, "seg-%lld-%09ld-%d-%u.spx", (long long)t.tv_sec,
             t.tv_nsec, (int)getpid(), s->seg_serial++);
}

/* Record segment name (count postings) in the catalogue with its
 * identity: the id in its header and its size. */
static int register_segment(spoor_store *s, const char *name, uint64_t count)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    uint64_t id, bytes;
    int error = 0;
    now_iso(now);
    if ((error = spoor_segment__ident(s->path, name, &id, &bytes)) < 0)
        return error;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO segments(name, count, created, ident, "
                           "bytes) VALUES(?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "segments");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)count);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)id);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)bytes);
    if (sqlite3_step(st) != SQLITE_DONE)
        error = db_error(s, "register segment");
    sqlite3_finalize(st);
    return error;
}

void spoor_store__remove_file(spoor_store *s, const char *name)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", s->path, name);
    unlink(p);
}

static int merge_tiers(spoor_store *s);

/* A commit that failed: the transaction is rolled back, its postings
 * dropped and its segment file (name, when one was written) removed, so
 * that nothing of the batch is stored, nor committed later by
 * spoor_store_free, and the next writer finds nothing in its way. */
static int commit_failed(spoor_store *s, const char *name, int error)
{
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = 0;
    s->n_pending = 0;
    spoor_store__drop_runs(s);
    if (name[0])
        spoor_store__remove_file(s, name);
    return error;
}

int spoor_store__commit(spoor_store *s)
{
    char name[128] = "";
    int error;
    if (!s->in_tx)
        return 0;
    if (s->n_runs) {
        /* postings spilled to runs: merged into the batch's one segment */
        uint64_t count = 0;
        spoor_store__segment_name(s, name, sizeof(name));
        if ((error = spoor_store__merge_runs(s, name, &count)) < 0 ||
            (error = register_segment(s, name, count)) < 0)
            return commit_failed(s, name, error);
        spoor_store__drop_runs(s);
    } else if (s->n_pending) {
        /* the batch's postings become one segment, registered in the same
         * transaction as its items */
        spoor_store__segment_name(s, name, sizeof(name));
        if ((error = spoor_segment__sort(s->pending, s->n_pending)) < 0)
            return commit_failed(s, "", error);
        if ((error = spoor_segment__write(s->path, name, s->pending,
                                          s->n_pending)) < 0 ||
            (error = register_segment(s, name, s->n_pending)) < 0)
            return commit_failed(s, name, error);
    }
    if (spoor__test_hook("SPOOR_TEST_KILL_BEFORE_COMMIT"))
        raise(SIGKILL);                  /* crash-safety test hook */
    if ((error = exec(s, "COMMIT")) < 0) /* a full disk, most likely */
        return commit_failed(s, name, error);
    s->in_tx = 0;
    s->n_pending = 0;
    if (name[0] && (error = spoor_store__add_segment(s, name)) < 0)
        return error;
    return merge_tiers(s);
}

/* Map every registered segment; a writer also deletes files no committed
 * transaction registered (left by a crash). */
int spoor_store__load_segments(spoor_store *s)
{
    sqlite3_stmt *st = NULL;
    DIR *d;
    struct dirent *e;
    int error = 0, rc;

    if (sqlite3_prepare_v2(
            s->db, "SELECT name, ident, bytes FROM segments ORDER BY id", -1,
            &st, NULL) != SQLITE_OK)
        return 0; /* an index without segments yet */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && error == 0) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const spoor_segment *g;
        if ((error = spoor_store__add_segment(s, name ? name : "")) < 0)
            break;
        g = &s->segs[s->n_segs - 1];
        if (g->id != (uint64_t)sqlite3_column_int64(st, 1) ||
            g->size != (uint64_t)sqlite3_column_int64(st, 2))
            error = spoor__error_set(SPOOR_ECORRUPT,
                                     "index '%s': segment '%s' is not the "
                                     "file the catalogue registered (its "
                                     "identity or size differs)",
                                     s->path, g->name);
    }
    if (error == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
        error = db_error(s, "segments");
    sqlite3_finalize(st);
    if (error < 0 || s->readonly)
        return error;
    if (!(d = opendir(s->path)))
        return 0;
    while ((e = readdir(d))) {
        size_t i, n = strlen(e->d_name);
        int known = 0;
        if (strncmp(e->d_name, "seg-", 4) ||
            !(strstr(e->d_name, ".spx") || strstr(e->d_name, ".tmp")))
            continue;
        for (i = 0; i < s->n_segs && !known; i++)
            known = !strcmp(s->segs[i].name, e->d_name);
        if (!known && n < 200)
            spoor_store__remove_file(s, e->d_name);
    }
    closedir(d);
    return 0;
}

/* Remove segs[0..n) from the catalogue's list (inside a transaction). */
static int unregister_segments(spoor_store *s, const spoor_segment *segs,
                               size_t n)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    int error = 0;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM segments WHERE name = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return db_error(s, "segments");
    for (i = 0; i < n && error == 0; i++) {
        sqlite3_bind_text(st, 1, segs[i].name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            error = db_error(s, "unregister segment");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return error;
}

/*
 * Merge the segments whose indexes in s->segs are pick[0..n) into one: the
 * new segment is written, then registered and the old ones unregistered in
 * one transaction; only then are the old files removed (readers that
 * mapped them keep them until they close).
 */
static int merge_segments(spoor_store *s, const size_t *pick, size_t n)
{
    spoor_segment *srcs = spoor__calloc(n ? n : 1, sizeof(*srcs));
    char name[128];
    uint64_t count = 0;
    size_t i, j;
    int error = 0;

    if (!srcs)
        return spoor__error_oom();
    for (i = 0; i < n; i++)
        srcs[i] = s->segs[pick[i]]; /* shallow: merge only reads them */
    spoor_store__segment_name(s, name, sizeof(name));
    SPOOR_TRY(spoor_segment__merge(s->path, name, srcs, n, s->gone, s->n_gone,
                                   &count));
    if ((error = exec(s, "BEGIN IMMEDIATE")) == 0 &&
        (error = unregister_segments(s, srcs, n)) == 0 &&
        (error = register_segment(s, name, count)) == 0 &&
        (n < s->n_segs || (error = exec(s, "DELETE FROM gone")) == 0))
        error = exec(s, "COMMIT"); /* all merged: no posting of a removed
                                      content is left anywhere */
    if (error < 0) {
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        spoor_store__remove_file(s, name);
        goto done;
    }
    for (i = 0; i < n; i++) {
        spoor_store__remove_file(s, srcs[i].name);
        spoor_segment__close(&s->segs[pick[i]]);
    }
    /* drop the closed ones (name NULL), keeping the others' order */
    for (i = j = 0; i < s->n_segs; i++)
        if (s->segs[i].name)
            s->segs[j++] = s->segs[i];
    s->n_segs = j;
    if ((error = spoor_store__add_segment(s, name)) == 0 && s->n_segs == 1)
        error = spoor_store__reload_gone(s);
done:
    spoor__free(srcs);
    return error;
}

/* The tier of a segment of count postings: floor(log_F(count)). */
static unsigned tier_of(uint64_t count)
{
    unsigned t = 0;
    while (count >= SPOOR_MERGE_FACTOR) {
        count /= SPOOR_MERGE_FACTOR;
        t++;
    }
    return t;
}

/*
 * Size-tiered merging, run after each commit: while a tier (segments of
 * F^t to F^(t+1) - 1 postings, F = SPOOR_MERGE_FACTOR) holds F segments,
 * its F oldest are merged into one, which lands in a higher tier. Each
 * posting is rewritten about once per tier it climbs, log_F of the index's
 * size in all. (Merging every segment at 32, as before, rewrote the whole
 * index each time: quadratic in the corpus, 3.3 times the data written at
 * 1 M items and more at every scale beyond.)
 */
static int merge_tiers(spoor_store *s)
{
    size_t pick[SPOOR_MERGE_FACTOR];
    for (;;) {
        unsigned counts[64] = {0}, full = 64, t;
        size_t i, n = 0;
        int error;
        for (i = 0; i < s->n_segs && full == 64; i++)
            if (++counts[t = tier_of(s->segs[i].count)] == SPOOR_MERGE_FACTOR)
                full = t;
        if (full == 64)
            return 0;
        for (i = 0; i < s->n_segs && n < SPOOR_MERGE_FACTOR; i++)
            if (tier_of(s->segs[i].count) == full)
                pick[n++] = i;
        if ((error = merge_segments(s, pick, n)) < 0)
            return error;
    }
}

int spoor_store_optimize(uint64_t *merged_out, spoor_store *s)
{
    size_t *pick, i, n;
    int error;

    if (merged_out)
        *merged_out = 0;
    if ((error = spoor_store__writable(s, 1)) < 0 ||
        (error = spoor_store__commit(s)) < 0)
        return error;
    /* one segment is rewritten too when it holds tombstones */
    if ((n = s->n_segs) == 0 || (n == 1 && s->n_gone == 0))
        return 0;
    if (!(pick = spoor__malloc(n * sizeof(*pick))))
        return spoor__error_oom();
    for (i = 0; i < n; i++)
        pick[i] = i;
    error = merge_segments(s, pick, n);
    spoor__free(pick);
    if (error == 0 && merged_out)
        *merged_out = n;
    return error;
}
