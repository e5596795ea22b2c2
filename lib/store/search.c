/*
 * search.c: keyword search over the index's texts (see spoor/store.h),
 * with SQLite FTS5.
 *
 * The search index is derived data, kept beside the catalogue: an FTS5
 * table `search` whose content is the view `search_text` (id, text),
 * where the text comes from the SQL function spoor_text(id), which every
 * connection of a local index has (spoor_store__search_register). So the
 * texts are stored once, compressed, and FTS5 keeps only its inverted
 * index. It is brought up to date on demand (spoor_store_search_update),
 * not while adding: meta 'search_upto' is the highest content id it has
 * seen. Contents a removed collection took are dropped from answers by
 * the join with contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"
#include "store_priv.h"

#define SEARCH_SCHEMA                                                          \
    "CREATE VIEW IF NOT EXISTS search_text AS SELECT id, spoor_text(id) AS "   \
    "text FROM contents;"                                                      \
    "CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(text, "              \
    "content='search_text', content_rowid='id', "                              \
    "tokenize='unicode61 remove_diacritics 2');"

/* Texts added per transaction while updating. */
#define SEARCH_BATCH 256

/* spoor_text(id): the stored text of content id, or NULL. */
static void sql_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    spoor_store *s = sqlite3_user_data(ctx);
    spoor_buf b = SPOOR_BUF_INIT;
    (void)argc;
    if (spoor_store_text(&b, s, sqlite3_value_int64(argv[0])) == 0)
        sqlite3_result_text64(ctx, b.ptr ? b.ptr : "", b.size, SQLITE_TRANSIENT,
                              SQLITE_UTF8);
    else
        sqlite3_result_null(ctx);
    spoor_buf_dispose(&b);
}

int spoor_store__search_register(spoor_store *s)
{
    if (sqlite3_create_function_v2(s->db, "spoor_text", 1, SQLITE_UTF8, s,
                                   sql_text, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, "search: cannot register spoor_text");
    return 0;
}

/* Whether the search table exists. */
static int has_search(spoor_store *s, int *yes)
{
    sqlite3_stmt *st = NULL;
    *yes = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM sqlite_master WHERE name = 'search'",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "search: cannot read the catalogue");
    *yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return 0;
}

/* One integer from sql (bound to v when v >= 0), or 0. */
static int64_t one_int(spoor_store *s, const char *sql, int64_t v)
{
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (v >= 0)
        sqlite3_bind_int64(st, 1, v);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int64_t search_upto(spoor_store *s)
{
    return one_int(s,
                   "SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
                   "'search_upto'",
                   -1);
}

int spoor_store_search_behind(uint64_t *out, spoor_store *s)
{
    int yes;
    int error;
    *out = 0;
    if (s->pg)
        return spoor__error_set(SPOOR_EUNSUPPORTED,
                                "%s: search reads a local index",
                                spoor_store_path(s));
    if ((error = has_search(s, &yes)) < 0)
        return error;
    *out = (uint64_t)one_int(s,
                             "SELECT count(*) FROM contents WHERE id > ? AND "
                             "text_bytes > 0",
                             yes ? search_upto(s) : 0);
    return 0;
}

/* exec, with what to say when it fails. */
static int run(spoor_store *s, const char *sql, const char *what)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : db_error(s, what);
}

/* Index ids[0..n) (their texts) in one transaction, then mark upto. */
static int index_batch(spoor_store *s, sqlite3_stmt *ins, const int64_t *ids,
                       size_t n, int64_t upto)
{
    spoor_buf text = SPOOR_BUF_INIT;
    sqlite3_stmt *mark = NULL;
    size_t i;
    int error = 0;

    SPOOR_TRY(run(s, "BEGIN IMMEDIATE", "search: cannot begin"));
    for (i = 0; i < n; i++) {
        error = spoor_store_text(&text, s, ids[i]);
        if (error == SPOOR_ENOTFOUND) { /* removed meanwhile */
            error = 0;
            continue;
        }
        SPOOR_TRY(error);
        sqlite3_bind_int64(ins, 1, ids[i]);
        sqlite3_bind_text64(ins, 2, text.ptr ? text.ptr : "", text.size,
                            SQLITE_STATIC, SQLITE_UTF8);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            error = db_error(s, "search: cannot index a text");
            goto done;
        }
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
    }
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO meta VALUES('search_upto', "
                           "?)",
                           -1, &mark, NULL) != SQLITE_OK ||
        (sqlite3_bind_int64(mark, 1, upto), sqlite3_step(mark)) !=
            SQLITE_DONE) {
        error = db_error(s, "search: cannot record progress");
        goto done;
    }
    SPOOR_TRY(run(s, "COMMIT", "search: cannot commit"));
done:
    sqlite3_finalize(mark);
    if (error < 0) {
        sqlite3_reset(ins);
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    spoor_buf_dispose(&text);
    return error;
}

int spoor_store_search_update(uint64_t *added, spoor_store *s,
                              spoor_progress_cb progress, void *payload)
{
    sqlite3_stmt *st = NULL, *ins = NULL;
    int64_t *ids = NULL, upto, last;
    size_t n = 0, cap = 0, i;
    int error = 0;

    *added = 0;
    if (s->pg)
        return spoor__error_set(SPOOR_EUNSUPPORTED,
                                "%s: search reads a local index",
                                spoor_store_path(s));
    if (s->readonly || s->in_tx)
        return spoor__error_set(SPOOR_EINVALID,
                                "index '%s': the search index is updated "
                                "through a writer with no open batch",
                                s->path);
    SPOOR_TRY(run(s, SEARCH_SCHEMA, "search: cannot create the search index"));
    upto = search_upto(s);
    last = one_int(s, "SELECT max(id) FROM contents", -1);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id FROM contents WHERE id > ? AND id <= ? "
                           "AND text_bytes > 0 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        error = db_error(s, "search: cannot list texts");
        goto done;
    }
    sqlite3_bind_int64(st, 1, upto);
    sqlite3_bind_int64(st, 2, last);
    while (sqlite3_step(st) == SQLITE_ROW) {
        SPOOR_TRY(
            spoor__array_reserve((void **)&ids, &cap, n + 1, sizeof(*ids)));
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO search(rowid, text) VALUES(?, ?)", -1,
                           &ins, NULL) != SQLITE_OK) {
        error = db_error(s, "search: cannot prepare");
        goto done;
    }
    for (i = 0; i < n; i += SEARCH_BATCH) {
        size_t k = n - i < SEARCH_BATCH ? n - i : SEARCH_BATCH;
        SPOOR_TRY(index_batch(s, ins, ids + i, k,
                              i + k == n ? last : ids[i + k - 1]));
        *added += k;
        if (progress && progress(i + k, n, payload) < 0) {
            error =
                spoor__error_set(SPOOR_EUSER, "search index update stopped");
            goto done;
        }
    }
    if (n == 0 && last > upto) /* contents without text only */
        SPOOR_TRY(index_batch(s, ins, NULL, 0, last));
done:
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    spoor__free(ids);
    return error;
}

/* query as FTS5 syntax: each word a quoted string (all must occur). */
static int quote_words(spoor_buf *out, const char *query)
{
    const char *p = query;
    int error = 0;
    while (*p && !error) {
        size_t n;
        p += strspn(p, " \t\r\n");
        n = strcspn(p, " \t\r\n");
        if (!n)
            break;
        if (out->size)
            error = spoor_buf_puts(out, " ");
        if (!error)
            error = spoor_buf_puts(out, "\"");
        for (; n && !error; n--, p++)
            error = *p == '"' ? spoor_buf_puts(out, "\"\"")
                              : spoor_buf_put(out, p, 1);
        if (!error)
            error = spoor_buf_puts(out, "\"");
    }
    return error;
}

int spoor_store_search(uint64_t *total, spoor_store *s, const char *query,
                       int raw, size_t from, size_t limit, spoor_search_cb cb,
                       void *payload)
{
    sqlite3_stmt *st = NULL;
    spoor_buf q = SPOOR_BUF_INIT;
    int yes, error = 0, rc;

    *total = 0;
    if (s->pg)
        return spoor__error_set(SPOOR_EUNSUPPORTED,
                                "%s: search reads a local index",
                                spoor_store_path(s));
    SPOOR_TRY(has_search(s, &yes));
    if (!yes) {
        error = spoor__error_set(SPOOR_ENOTFOUND,
                                 "index '%s' has no search index yet: spoor "
                                 "grep builds it when it may write the index",
                                 s->path);
        goto done;
    }
    SPOOR_TRY(raw ? spoor_buf_puts(&q, query) : quote_words(&q, query));
    if (!q.size) {
        error =
            spoor__error_set(SPOOR_EINVALID, "search: no words to look for");
        goto done;
    }
    if (sqlite3_prepare_v2(s->db,
                           "SELECT count(*) FROM search JOIN contents c ON "
                           "c.id = search.rowid WHERE search MATCH ?",
                           -1, &st, NULL) != SQLITE_OK) {
        error = db_error(s, "search: cannot prepare");
        goto done;
    }
    sqlite3_bind_text(st, 1, q.ptr, (int)q.size, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        error = spoor__error_set(SPOOR_EINVALID, "search '%s': %s", query,
                                 sqlite3_errmsg(s->db));
        goto done;
    }
    *total = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT search.rowid, c.sha256, snippet(search, 0, char(2), "
            "char(3), '\xe2\x80\xa6', 24) FROM search JOIN contents c ON c.id "
            "= search.rowid WHERE search MATCH ? ORDER BY search.rank, "
            "search.rowid LIMIT ? OFFSET ?",
            -1, &st, NULL) != SQLITE_OK) {
        error = db_error(s, "search: cannot prepare");
        goto done;
    }
    sqlite3_bind_text(st, 1, q.ptr, (int)q.size, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)from);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        spoor_search_hit h;
        h.content = sqlite3_column_int64(st, 0);
        h.sha256 = (const char *)sqlite3_column_text(st, 1);
        h.snippet = (const char *)sqlite3_column_text(st, 2);
        if (!h.sha256)
            continue;
        if (!h.snippet)
            h.snippet = "";
        if ((error = cb(&h, payload)) < 0)
            goto done;
    }
    if (rc != SQLITE_DONE)
        error = spoor__error_set(SPOOR_EINVALID, "search '%s': %s", query,
                                 sqlite3_errmsg(s->db));
done:
    sqlite3_finalize(st);
    spoor_buf_dispose(&q);
    return error;
}
