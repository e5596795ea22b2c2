/*
 * verify.c: spoor_store_verify (see spoor/store.h), the index's fsck: the
 * catalogue by SQLite's integrity_check, every segment bucket by its
 * checksum and every posting by the contents it names, every stored text
 * by zstd's content checksum and its recorded length.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

typedef struct verifier {
    spoor_store *s;
    spoor_verify_cb on_problem;
    void *payload;
    spoor_verify_stats *st;
} verifier;

/* Report a problem of what. @return 0, or the callback's negative value. */
static int problem(verifier *v, const char *what, const char *msg)
{
    v->st->problems++;
    return v->on_problem ? v->on_problem(what, msg, v->payload) : 0;
}

/* SQLite's integrity_check: each line that is not "ok" is a problem. */
static int check_catalogue(verifier *v)
{
    sqlite3 *db = spoor_store__db(v->s);
    sqlite3_stmt *st = NULL;
    int error = 0, rc;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
        SQLITE_OK)
        return problem(v, "catalogue", sqlite3_errmsg(db));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && error == 0) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok"))
            error = problem(v, "catalogue", line);
    }
    if (error == 0 && rc != SQLITE_DONE)
        error = problem(v, "catalogue", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return error;
}

/* Read segment g through: every bucket against its checksum, every
 * posting's content among the max_id contents. */
static int check_segment(verifier *v, const spoor_segment *g, int64_t max_id)
{
    spoor_seg_cursor *c = spoor__malloc(sizeof(*c));
    spoor_seg_entry e;
    uint64_t n = 0, stray = 0;
    char msg[256];
    int r, error = 0;
    if (!c)
        return spoor__error_oom();
    spoor_segment__scan(g, c);
    while ((r = spoor_segment__next(c, &e)) > 0) {
        n++;
        if (((int64_t)e.content > max_id || e.content == 0) &&
            !spoor_store__is_gone(v->s, e.content))
            stray++;
    }
    v->st->segments++;
    v->st->postings += n;
    if (r < 0)
        error = problem(v, g->name, spoor_error_last()->message);
    else if (n != g->count) {
        snprintf(msg, sizeof(msg), "holds %llu postings, its header says %llu",
                 (unsigned long long)n, (unsigned long long)g->count);
        error = problem(v, g->name, msg);
    }
    if (error == 0 && stray) {
        snprintf(msg, sizeof(msg),
                 "%llu postings name contents the catalogue does not hold",
                 (unsigned long long)stray);
        error = problem(v, g->name, msg);
    }
    spoor__free(c);
    return error;
}

/* Name content id for a report: its id and one of its occurrences. */
static void name_content(verifier *v, int64_t id, char *out, size_t cap)
{
    sqlite3 *db = spoor_store__db(v->s);
    sqlite3_stmt *st = NULL;
    snprintf(out, cap, "content %lld", (long long)id);
    if (sqlite3_prepare_v2(db,
                           "SELECT c.name, i.path FROM items i JOIN "
                           "collections c ON c.id = i.collection_id WHERE "
                           "i.content_id = ? ORDER BY i.id LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, cap, "content %lld (%s:%s)", (long long)id,
                 (const char *)sqlite3_column_text(st, 0),
                 (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
}

/* Every stored text read back: zstd checks each frame's checksum, the
 * store the length the catalogue recorded. */
static int check_texts(verifier *v, spoor_progress_cb progress)
{
    sqlite3 *db = spoor_store__db(v->s);
    sqlite3_stmt *st = NULL;
    spoor_buf text = SPOOR_BUF_INIT;
    int64_t total = 0;
    uint64_t done = 0;
    int error = 0, rc;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM contents", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT id FROM contents WHERE text_bytes > 0 "
                           "ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return problem(v, "catalogue", sqlite3_errmsg(db));
    while (error == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        text.size = 0;
        if (spoor_store_text(&text, v->s, id) < 0) {
            char what[600];
            name_content(v, id, what, sizeof(what));
            error = problem(v, what, spoor_error_last()->message);
        } else {
            v->st->texts++;
        }
        if (error == 0 && progress &&
            ++done % 256 == 0) /* a callback per text would cost more */
            error = progress(done, (uint64_t)total, v->payload);
    }
    if (error == 0 && rc != SQLITE_DONE)
        error = problem(v, "catalogue", sqlite3_errmsg(db));
    if (error == 0 && progress)
        error = progress((uint64_t)total, (uint64_t)total, v->payload);
    sqlite3_finalize(st);
    spoor_buf_dispose(&text);
    return error;
}

int spoor_store_verify(spoor_verify_stats *out, spoor_store *s,
                       spoor_verify_cb on_problem, spoor_progress_cb progress,
                       void *payload)
{
    verifier v;
    const spoor_segment *segs;
    size_t n, i;
    int64_t max_id = 0;
    int error = 0;

    memset(out, 0, sizeof(*out));
    if (spoor_store__remote(s))
        return spoor__error_set(SPOOR_EUNSUPPORTED,
                                "shared index '%s': spoor verify reads a "
                                "local index; PostgreSQL checks its own "
                                "pages (data checksums, amcheck)",
                                spoor_store_path(s));
    v.s = s;
    v.on_problem = on_problem;
    v.payload = payload;
    v.st = out;
    SPOOR_TRY(spoor_store__read_begin(s));
    SPOOR_TRY(check_catalogue(&v));
    SPOOR_TRY(spoor_store__contents(s, &max_id));
    spoor_store__segments(s, &segs, &n);
    for (i = 0; i < n; i++)
        SPOOR_TRY(check_segment(&v, &segs[i], max_id));
    SPOOR_TRY(check_texts(&v, progress));
done:
    spoor_store__read_end(s);
    return error;
}
