/*
 * remove.c: spoor_store_collection_rm (see spoor/store.h): a collection
 * goes with its items, and so do the contents no other collection holds:
 * their rows, texts, dates and metadata at once, their postings as
 * tombstones (table gone) that lookups skip and merges drop.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

/* Run sql on db; an error names what. */
static int run(spoor_store *s, sqlite3 *db, const char *sql, const char *what)
{
    char *msg = NULL;
    int error = 0;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        error = spoor__error_set(SPOOR_EIO, "index '%s': %s: %s",
                                 spoor_store_path(s), what,
                                 msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return error;
}

/* The id of collection name into *id. */
static int collection_id(spoor_store *s, sqlite3 *db, const char *name,
                         int64_t *id)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(db, "SELECT id FROM collections WHERE name = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return spoor__error_set(SPOOR_EIO, "index '%s': %s",
                                spoor_store_path(s), sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return spoor__error_set(SPOOR_ENOTFOUND, "no collection '%s'", name);
    return spoor__error_set(SPOOR_EIO, "index '%s': %s", spoor_store_path(s),
                            sqlite3_errmsg(db));
}

/* A count query's answer. */
static uint64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    uint64_t n = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int spoor_store_collection_rm(uint64_t *items_out, uint64_t *contents_out,
                              spoor_store *s, const char *name)
{
    sqlite3 *db = spoor_store__db(s);
    char sql[1024];
    int64_t id = 0;
    int error = 0, began = 0;

    *items_out = *contents_out = 0;
    if ((error = spoor_store__writable(s, 1)) < 0)
        return error;
    if (sqlite3_db_readonly(db, "main") != 0)
        return spoor__error_set(SPOOR_EINVALID, "index '%s' is open read-only",
                                spoor_store_path(s));
    SPOOR_TRY(run(s, db, "BEGIN IMMEDIATE", "remove"));
    began = 1;
    SPOOR_TRY(collection_id(s, db, name, &id));
    snprintf(sql, sizeof(sql),
             "CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY);"
             "DELETE FROM doomed;"
             "INSERT INTO doomed SELECT content_id FROM items WHERE "
             "collection_id = %lld EXCEPT SELECT content_id FROM items WHERE "
             "collection_id != %lld;",
             (long long)id, (long long)id);
    SPOOR_TRY(run(s, db, sql, "remove"));
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM items WHERE collection_id = %lld",
             (long long)id);
    *items_out = count(db, sql);
    *contents_out = count(db, "SELECT count(*) FROM doomed");
    snprintf(sql, sizeof(sql),
             "DELETE FROM items WHERE collection_id = %lld;"
             "DELETE FROM collections WHERE id = %lld;"
             "INSERT OR IGNORE INTO gone SELECT id FROM doomed;"
             "DELETE FROM dates WHERE content_id IN (SELECT id FROM doomed);"
             "DELETE FROM metadata WHERE content_id IN (SELECT id FROM "
             "doomed);"
             "DELETE FROM texts WHERE content_id IN (SELECT id FROM doomed);"
             "DELETE FROM contents WHERE id IN (SELECT id FROM doomed);"
             "DELETE FROM doomed;",
             (long long)id, (long long)id);
    SPOOR_TRY(run(s, db, sql, "remove"));
    SPOOR_TRY(run(s, db, "COMMIT", "remove"));
    began = 0;
    error = spoor_store__reload_gone(s);
done:
    if (began)
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return error;
}
