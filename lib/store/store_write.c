/*
 * store_write.c: writing the catalogue (see store_priv.h): collections,
 * items and their contents (texts, dates, metadata, pending postings),
 * events and DKIM keys.
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

#include "pg_store.h"
#include "store_priv.h"

/* ==== Writing ==== */

/* The message id that roots an email's thread: the first id of its
 * References, else its In-Reply-To, else its own Message-ID; *len bytes at
 * the returned pointer (into doc's metadata), without angle brackets. NULL
 * for an item that is not an email. */
static const char *thread_root(const spoor_doc *doc, size_t *len)
{
    const char *keys[] = {"references", "in-reply-to", "message-id"};
    size_t i;
    if (!doc->header_bytes)
        return NULL;
    for (i = 0; i < 3; i++) {
        const char *v = spoor_doc_meta(doc, keys[i]), *e;
        if (!v)
            continue;
        while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
            v++;
        if (*v == '<' && (e = strchr(v, '>')) && e > v + 1) {
            *len = (size_t)(e - v - 1);
            return v + 1;
        }
        for (e = v; *e && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n';
             e++)
            ;
        if (e > v) {
            *len = (size_t)(e - v);
            return v;
        }
    }
    return NULL;
}

/* Names of collections and events: printable UTF-8 of at most 128 bytes,
 * no ':' or '!' (they separate a collection from a path, and nesting
 * levels), no control character, not starting with '-' (an option).
 * @return 0 or SPOOR_EINVALID saying why. */
static int valid_name(const char *what, const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t n = strlen(name), i;
    const char *why = NULL;
    if (n == 0)
        why = "is empty";
    else if (n > 128)
        why = "is longer than 128 bytes";
    else if (name[0] == '-')
        why = "starts with '-'";
    else if (!g_utf8_validate(name, (gssize)n, NULL))
        why = "is not valid UTF-8";
    for (i = 0; i < n && !why; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            why = "holds a control character (a tab, a new line...)";
        else if (p[i] == ':' || p[i] == '!')
            why = "holds ':' or '!', which separate paths in item names";
    }
    if (!why)
        return 0;
    return spoor__error_set(SPOOR_EINVALID, "%s name '%.60s%s' %s", what, name,
                            n > 60 ? "..." : "", why);
}

static const char *const kind_names[SPOOR_N_KINDS] = {
    "internal", "release", "suspect", "reference", "boilerplate"};
#define KINDS_LISTED "internal, release, suspect, reference or boilerplate"

const char *spoor_kind_name(spoor_kind k)
{
    return (unsigned)k < SPOOR_N_KINDS ? kind_names[k] : NULL;
}

int spoor_kind_parse(spoor_kind *out, const char *name)
{
    unsigned k;
    for (k = 0; name && k < SPOOR_N_KINDS; k++)
        if (!strcmp(name, kind_names[k])) {
            *out = (spoor_kind)k;
            return 0;
        }
    return spoor__error_set(SPOOR_EINVALID,
                            "unknown kind '%s' (" KINDS_LISTED ")",
                            name ? name : "");
}

/* Whether k names a kind. */
static int valid_kind(const char *k)
{
    spoor_kind parsed;
    return spoor_kind_parse(&parsed, k) == 0;
}

int spoor_store__same_collection(const char *name, const char *kind,
                                 const char *date, const char *has_kind,
                                 const char *has_date)
{
    if (kind && strcmp(kind, has_kind))
        return spoor__error_set(SPOOR_EEXISTS,
                                "collection '%s' exists with kind '%s', not "
                                "'%s'",
                                name, has_kind, kind);
    if (date && (!has_date || strcmp(date, has_date)))
        return spoor__error_set(SPOOR_EEXISTS,
                                "collection '%s' exists with date '%s', not "
                                "'%s'",
                                name, has_date ? has_date : "(none)", date);
    return 0;
}

int spoor_store_collection(int64_t *id_out, spoor_store *s, const char *name,
                           const char *kind, const char *date, const char *note)
{
    sqlite3_stmt *st = NULL;
    int error = 0, rc;
    char now[32];

    if (kind && !valid_kind(kind))
        return spoor__error_set(SPOOR_EINVALID,
                                "collection '%s': unknown kind '%s' "
                                "(" KINDS_LISTED ")",
                                name, kind);
    if (s->pg) /* a shared index, read: only an existing one */
        return spoor_pg__collection(s, name, kind, date, id_out);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, kind, date FROM collections "
                           "WHERE name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "collections");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(st, 0);
        error = spoor_store__same_collection(
            name, kind, date, (const char *)sqlite3_column_text(st, 1),
            (const char *)sqlite3_column_text(st, 2));
        sqlite3_finalize(st);
        return error;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(s, "collections");
    if (s->readonly)
        return spoor__error_set(SPOOR_ENOTFOUND, "no collection '%s'", name);
    if ((error = valid_name("collection", name)) < 0)
        return error;
    now_iso(now);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO collections(name, kind, date, note, "
                           "created) VALUES(?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "collections");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind ? kind : spoor_kind_name(SPOOR_KIND_DEFAULT),
                      -1, SQLITE_STATIC);
    if (date)
        sqlite3_bind_text(st, 3, date, -1, SQLITE_STATIC);
    if (note)
        sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        error = db_error(s, "create collection");
    else
        *id_out = sqlite3_last_insert_rowid(s->db);
    sqlite3_finalize(st);
    return error;
}

/* Set column to value in the row of table named name, or, column NULL,
 * delete that row: 0, or SPOOR_ENOTFOUND naming what when no row has that
 * name. Written to a shared index goes to the shared index itself, but
 * for a collection's kind (which would move its postings between the
 * shared and a private batch): refused. */
static int change_named(spoor_store *s, const char *table, const char *column,
                        const char *value, const char *what, const char *name)
{
    sqlite3_stmt *st = NULL;
    char sql[128];
    int rc, error = 0;
    if (s->push_url && !(column && !strcmp(column, "kind")))
        return spoor_pg__change(s, table, column, value, what, name);
    if ((error = spoor_store__writable(s, 1)) < 0)
        return error;
    if (column)
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ? WHERE name = ?", table,
                 column);
    else
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE name = ?", table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, what);
    if (column)
        sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, column ? 2 : 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT)
        error = spoor__error_set(SPOOR_EEXISTS, "%s: the name is taken", what);
    else if (rc != SQLITE_DONE)
        error = db_error(s, what);
    else if (sqlite3_changes(s->db) == 0)
        error = spoor__error_set(SPOOR_ENOTFOUND, "no %s '%s'", what, name);
    sqlite3_finalize(st);
    return error;
}

int spoor_store_collection_rename(spoor_store *s, const char *old_name,
                                  const char *new_name)
{
    int error = valid_name("collection", new_name);
    if (error < 0)
        return error;
    return change_named(s, "collections", "name", new_name, "collection",
                        old_name);
}

int spoor_store_collection_set(spoor_store *s, const char *name,
                               const char *kind, const char *date,
                               const char *note)
{
    int error = 0;
    spoor_kind k;
    if (kind && (error = spoor_kind_parse(&k, kind)) < 0)
        return error;
    if (kind && (error = change_named(s, "collections", "kind", kind,
                                      "collection", name)) < 0)
        return error;
    if (date && (error = change_named(s, "collections", "date", date,
                                      "collection", name)) < 0)
        return error;
    if (note && (error = change_named(s, "collections", "note", note,
                                      "collection", name)) < 0)
        return error;
    return 0;
}

int spoor_store_event_rm(spoor_store *s, const char *name)
{
    return change_named(s, "events", NULL, NULL, "event", name);
}

int spoor_store__by_sha256(spoor_store *s, const char *sha256, int64_t *out)
{
    int error, rc;
    if (s->pg)
        return spoor_pg__by_sha256(s, sha256, out);
    if ((error = prepare(s, &s->st_sha,
                         "SELECT id FROM contents WHERE sha256 = ?")) < 0)
        return error;
    sqlite3_bind_text(s->st_sha, 1, sha256, -1, SQLITE_STATIC);
    rc = sqlite3_step(s->st_sha);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s->st_sha, 0);
        sqlite3_reset(s->st_sha);
        return 0;
    }
    sqlite3_reset(s->st_sha);
    if (rc != SQLITE_DONE)
        return db_error(s, "contents");
    return SPOOR_ENOTFOUND;
}

typedef struct prepared_item {
    spoor_buf z;      /* the text, zstd-compressed */
    spoor_fp *sorted; /* the fingerprints by (hash, pos) */
} prepared_item;

/* Compressed text held on the heap at most: a longer one goes to a
 * temporary file as it is written (buf.c). */
#define Z_SPILL_BYTES ((size_t)16 << 20)
/* A compressed text longer than this is written into the catalogue a
 * piece of this size at a time (a zeroblob, then sqlite3_blob_write),
 * not bound whole: SQLite would copy it into one record in memory. */
#define BLOB_STEP ((size_t)4 << 20)

/* Compress doc's text with cctx (created on first use) into z: one frame,
 * or parts and their table for a long text (text_parts.c); a spilled
 * text's pages go back as they are read. */
static int compress_text(ZSTD_CCtx **cctx, const spoor_doc *doc, spoor_buf *z)
{
    spoor_input saved;
    int error;
    spoor_buf_clear(z);
    if (!doc->text.size)
        return 0;
    if (!*cctx && !(*cctx = ZSTD_createCCtx()))
        return spoor__error_oom();
    if ((error = spoor_buf__spill_over(z, spoor__spill_bound(Z_SPILL_BYTES))) <
        0)
        return error;
    spoor_buf__as_input(&saved, &doc->text);
    error = spoor_text__compress(*cctx, ZSTD_LEVEL, doc->text.ptr,
                                 doc->text.size, z);
    spoor__input_restore(&saved);
    return error;
}

/* Store z as the compressed text of content id: bound whole when short,
 * else into a zeroblob a piece at a time, handing back the pages of a
 * spilled z as they are written. */
static int store_text(spoor_store *s, int64_t id, const spoor_buf *z)
{
    sqlite3_blob *blob = NULL;
    size_t at, n;
    int error = 0;
    SPOOR_TRY(prepare(s, &s->st_add_text,
                      "INSERT INTO texts(content_id, z) VALUES(?, ?)"));
    sqlite3_bind_int64(s->st_add_text, 1, id);
    if (z->size <= BLOB_STEP)
        sqlite3_bind_blob(s->st_add_text, 2, z->ptr, (int)z->size,
                          SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob64(s->st_add_text, 2, (sqlite3_uint64)z->size);
    if (sqlite3_step(s->st_add_text) != SQLITE_DONE)
        return db_error(s, "store text");
    if (z->size <= BLOB_STEP)
        return 0;
    if (sqlite3_blob_open(s->db, "main", "texts", "z", id, 1, &blob) !=
        SQLITE_OK)
        return db_error(s, "store text");
    for (at = 0; at < z->size; at += n) {
        n = z->size - at < BLOB_STEP ? z->size - at : BLOB_STEP;
        if (sqlite3_blob_write(blob, z->ptr + at, (int)n, (int)at) !=
            SQLITE_OK) {
            error = db_error(s, "store text");
            break;
        }
        spoor_buf__pages_done(z, at + n);
    }
    sqlite3_blob_close(blob);
done:
    return error;
}

/* The item's fingerprints as segments file them (spoor_seg__mix), sorted
 * by key then position. */
static int sort_fps(const spoor_item *item, spoor_fp **sorted)
{
    size_t i;
    *sorted = NULL;
    if (!item->fps.n)
        return 0;
    *sorted = spoor__reallocarray(NULL, item->fps.n, sizeof(spoor_fp));
    if (!*sorted)
        return spoor__error_oom();
    for (i = 0; i < item->fps.n; i++) {
        (*sorted)[i].hash = spoor_seg__mix(item->fps.v[i].hash);
        (*sorted)[i].pos = item->fps.v[i].pos;
    }
    /* fingerprints come in position order: stable on the key, they end
     * by (key, pos), the order the segments keep */
    return spoor__sort_key40(*sorted, item->fps.n, sizeof(spoor_fp));
}

/* One compression context per worker thread, kept for its lifetime. */
static _Thread_local ZSTD_CCtx *thread_cctx;

int spoor_store__prepare(spoor_item *item)
{
    prepared_item *p = spoor__calloc(1, sizeof(*p));
    int error;
    if (!p)
        return spoor__error_oom();
    if ((error = compress_text(&thread_cctx, &item->doc, &p->z)) < 0 ||
        (error = sort_fps(item, &p->sorted)) < 0) {
        spoor_store__prepared_free(p);
        return error;
    }
    if (p->z.ptr && !spoor_buf__spilled(&p->z)) {
        /* held in a queue until stored: keep only what is used */
        void *small = spoor__realloc(p->z.ptr, p->z.size + 1);
        if (small) {
            p->z.ptr = small;
            p->z.asize = p->z.size + 1;
        }
    }
    item->prepared = p;
    return 0;
}

void spoor_store__thread_done(void)
{
    ZSTD_freeCCtx(thread_cctx);
    thread_cctx = NULL;
}

void spoor_store__prepared_free(void *prepared)
{
    prepared_item *p = prepared;
    if (!p)
        return;
    spoor_buf_dispose(&p->z);
    spoor__free(p->sorted);
    spoor__free(p);
}

static int store_content(spoor_store *s, const spoor_item *item, int64_t *out)
{
    const spoor_doc *doc = &item->doc;
    const prepared_item *ready = item->prepared;
    spoor_fp *sorted = NULL, *own_sorted = NULL;
    const spoor_buf *z;
    spoor_buf own_z = SPOOR_BUF_INIT;
    const char *thread;
    size_t i, thread_len = 0;
    int64_t id;
    int error = 0;

    if (ready) {
        z = &ready->z;
        sorted = ready->sorted;
    } else {
        SPOOR_TRY(compress_text(&s->zctx, doc, &own_z));
        SPOOR_TRY(sort_fps(item, &own_sorted));
        z = &own_z;
        sorted = own_sorted;
    }
    SPOOR_TRY(prepare(s, &s->st_add_content,
                      "INSERT INTO contents(sha256, format, encoding, "
                      "warning, bytes, text_bytes, canon_len, fp_bytes, "
                      "n_fps, header_bytes, header_chars, thread) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
    sqlite3_bind_text(s->st_add_content, 1, item->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->st_add_content, 2, doc->format, -1, SQLITE_STATIC);
    if (doc->encoding)
        sqlite3_bind_text(s->st_add_content, 3, doc->encoding, -1,
                          SQLITE_STATIC);
    if (doc->warning)
        sqlite3_bind_text(s->st_add_content, 4, doc->warning, -1,
                          SQLITE_STATIC);
    sqlite3_bind_int64(s->st_add_content, 5, (sqlite3_int64)item->bytes);
    sqlite3_bind_int64(s->st_add_content, 6, (sqlite3_int64)doc->text.size);
    sqlite3_bind_int64(s->st_add_content, 7, (sqlite3_int64)item->canon.len);
    sqlite3_bind_int(s->st_add_content, 8, item->fp_bytes);
    sqlite3_bind_int64(
        s->st_add_content, 9,
        (sqlite3_int64)(item->spilled ? item->spilled->n : item->fps.n));
    sqlite3_bind_int64(s->st_add_content, 10, (sqlite3_int64)doc->header_bytes);
    sqlite3_bind_int64(s->st_add_content, 11,
                       (sqlite3_int64)item->header_chars);
    thread = thread_root(doc, &thread_len);
    if (thread)
        sqlite3_bind_text(s->st_add_content, 12, thread, (int)thread_len,
                          SQLITE_STATIC);
    if (sqlite3_step(s->st_add_content) != SQLITE_DONE) {
        error = db_error(s, "store content");
        goto done;
    }
    id = sqlite3_last_insert_rowid(s->db);
    if (z->size)
        SPOOR_TRY(store_text(s, id, z));

    if (id > UINT32_MAX) {
        error = spoor__error_set(SPOOR_ELIMIT, "index '%s' holds 4G contents",
                                 s->path);
        goto done;
    }
    if (item->spilled)
        SPOOR_TRY(spoor_store__push_spilled(s, item->spilled, (uint32_t)id));
    if (item->fps.n && s->n_pending + item->fps.n <= s->pending_max)
        SPOOR_TRY(spoor__array_reserve((void **)&s->pending, &s->cap_pending,
                                       s->n_pending + item->fps.n,
                                       sizeof(spoor_seg_entry)));
    for (i = 0; i < item->fps.n; i++) {
        if (i >= MAX_POSTINGS_PER_HASH &&
            sorted[i - MAX_POSTINGS_PER_HASH].hash == sorted[i].hash)
            continue;
        SPOOR_TRY(spoor_store__pending_push(s, sorted[i].hash, (uint32_t)id,
                                            sorted[i].pos));
    }
    SPOOR_TRY(
        prepare(s, &s->st_add_date, "INSERT INTO dates VALUES(?, ?, ?, ?)"));
    for (i = 0; i < doc->n_dates; i++) {
        sqlite3_reset(s->st_add_date);
        sqlite3_bind_int64(s->st_add_date, 1, id);
        sqlite3_bind_text(s->st_add_date, 2, doc->dates[i].field, -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(s->st_add_date, 3, doc->dates[i].value, -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(s->st_add_date, 4, doc->dates[i].source, -1,
                          SQLITE_STATIC);
        if (sqlite3_step(s->st_add_date) != SQLITE_DONE) {
            error = db_error(s, "store dates");
            goto done;
        }
    }
    SPOOR_TRY(
        prepare(s, &s->st_add_meta, "INSERT INTO metadata VALUES(?, ?, ?)"));
    for (i = 0; i < doc->n_meta; i++) {
        sqlite3_reset(s->st_add_meta);
        sqlite3_bind_int64(s->st_add_meta, 1, id);
        sqlite3_bind_text(s->st_add_meta, 2, doc->meta[i].key, -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(s->st_add_meta, 3, doc->meta[i].value, -1,
                          SQLITE_STATIC);
        if (sqlite3_step(s->st_add_meta) != SQLITE_DONE) {
            error = db_error(s, "store metadata");
            goto done;
        }
    }
    *out = id;
done:
    spoor_buf_dispose(&own_z);
    spoor__free(own_sorted);
    return error;
}

int spoor_store_add_item(int *status_out, spoor_store *s, int64_t collection,
                         const spoor_item *item)
{
    int64_t content;
    int error, rc, status = SPOOR_ADD_DUPLICATE;
    char now[32];

    if ((error = spoor_store__writable(s, 0)) < 0 || (error = begin(s)) < 0)
        return error;
    error = spoor_store__by_sha256(s, item->sha256, &content);
    if (error == SPOOR_ENOTFOUND) {
        if ((error = store_content(s, item, &content)) < 0)
            return error;
        status = SPOOR_ADD_NEW;
    } else if (error < 0) {
        return error;
    }
    if ((error = prepare(s, &s->st_add_item,
                         "INSERT OR IGNORE INTO items(content_id, "
                         "collection_id, path, depth, added) "
                         "VALUES(?, ?, ?, ?, ?)")) < 0)
        return error;
    now_iso(now);
    sqlite3_bind_int64(s->st_add_item, 1, content);
    sqlite3_bind_int64(s->st_add_item, 2, collection);
    sqlite3_bind_text(s->st_add_item, 3, item->path, -1, SQLITE_STATIC);
    sqlite3_bind_int(s->st_add_item, 4, (int)item->depth);
    sqlite3_bind_text(s->st_add_item, 5, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(s->st_add_item);
    if (rc != SQLITE_DONE)
        return db_error(s, "store item");
    if (sqlite3_changes(s->db) == 0)
        status = SPOOR_ADD_PRESENT;
    *status_out = status;
    s->batch_items++;
    s->batch_bytes += item->doc.text.size;
    if (s->batch_items >= s->commit_every || s->batch_bytes >= BATCH_BYTES)
        return spoor_store__commit(s);
    return 0;
}

int spoor_store_add_event(spoor_store *s, const char *name, const char *date,
                          const char *note)
{
    sqlite3_stmt *st = NULL;
    int error = 0;
    if ((error = valid_name("event", name)) < 0 ||
        (error = spoor_store__writable(s, 0)) < 0)
        return error;
    /* recording an event again re-dates it; its note is kept unless a new
     * one is given */
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO events(name, date, note) "
                           "VALUES(?, ?, ?) ON CONFLICT(name) DO UPDATE "
                           "SET date = excluded.date, "
                           "note = coalesce(excluded.note, note)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "events");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
    if (note)
        sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        error = db_error(s, "record event");
    sqlite3_finalize(st);
    return error;
}

int spoor_store_add_key(spoor_store *s, const char *name, const char *record,
                        const char *source, const char *observed,
                        const char *published)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int error = 0;
    if ((error = spoor_store__writable(s, 0)) < 0)
        return error;
    now_iso(now);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO dkim_keys(name, record, source, "
                           "observed, published, added) VALUES(?,?,?,?,?,?) "
                           "ON CONFLICT(name, record) DO UPDATE SET "
                           "source = excluded.source, observed = "
                           "coalesce(excluded.observed, observed), "
                           "published = coalesce(excluded.published, "
                           "published)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "dkim keys");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, record, -1, SQLITE_STATIC);
    if (source)
        sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    if (observed)
        sqlite3_bind_text(st, 4, observed, -1, SQLITE_STATIC);
    if (published)
        sqlite3_bind_text(st, 5, published, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        error = db_error(s, "store dkim key");
    sqlite3_finalize(st);
    return error;
}

int spoor_store_keys(spoor_store *s, spoor_key_info_cb cb, void *payload)
{
    sqlite3_stmt *st = NULL;
    int error = 0, rc;
    if (s->pg)
        return spoor_pg__keys(s, cb, payload);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name, record, source, observed, "
                           "published, added FROM dkim_keys ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        /* an index made before keys existed has no table: no keys */
        return 0;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        spoor_key_info k;
        k.name = (const char *)sqlite3_column_text(st, 0);
        k.record = (const char *)sqlite3_column_text(st, 1);
        k.source = (const char *)sqlite3_column_text(st, 2);
        k.observed = (const char *)sqlite3_column_text(st, 3);
        k.published = (const char *)sqlite3_column_text(st, 4);
        k.added = (const char *)sqlite3_column_text(st, 5);
        if ((error = cb(&k, payload)) < 0)
            break;
    }
    if (error == 0 && rc != SQLITE_DONE)
        error = db_error(s, "dkim keys");
    sqlite3_finalize(st);
    return error;
}

void spoor_store_walk_hooks(spoor_walk_opts *opts)
{
    if (opts->version < 6)
        opts->version = 6;
    opts->prepare = spoor_store__prepare;
    opts->release = spoor_store__prepared_free;
    opts->worker_done = spoor_store__thread_done;
    spoor_store__spill_hooks(opts);
}
