/*
 * store_read.c: reading the catalogue (see store_priv.h): lookups of
 * postings, records, stored texts, listings of collections, events and
 * members, and the index statistics.
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
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>
#include <zstd.h>

#include "pg_store.h"
#include "store_priv.h"

/* ==== Reading ==== */

void spoor_store__pages_done(spoor_store *s)
{
    size_t g;
    for (g = 0; g < s->n_segs; g++)
        if (s->segs[g].map && s->segs[g].size)
            (void)madvise((void *)s->segs[g].map, s->segs[g].size,
                          MADV_DONTNEED);
}

int spoor_store__lookup(spoor_store *s, uint64_t hash, size_t common,
                        spoor_postings *out, int *common_out)
{
    return spoor_store__lookup_key(s, spoor_seg__mix(hash), common, out,
                                   common_out);
}

/* Segments whose buckets want_keys reads ahead (one with more has
 * merges pending; its later segments are read as they come). */
#define PREFETCH_SEGS 64

int spoor_store__want_keys(spoor_store *s, const uint64_t *keys, size_t n)
{
    unsigned char cold[PREFETCH_SEGS];
    size_t g, segs = s->n_segs < PREFETCH_SEGS ? s->n_segs : PREFETCH_SEGS;
    if (s->pg)
        return spoor_pg__want_keys(s, keys, n);
    /* every segment's directory words first, then their buckets: the
     * reads of all the segments are in flight together */
    for (g = 0; g < segs; g++)
        cold[g] =
            (unsigned char)spoor_segment__prefetch(&s->segs[g], keys, n, 0);
    for (g = 0; g < segs; g++)
        if (cold[g])
            (void)spoor_segment__prefetch(&s->segs[g], keys, n, 1);
    return 0;
}

int spoor_store__want_sources(spoor_store *s, const int64_t *ids, size_t n)
{
    return s->pg ? spoor_pg__want_sources(s, ids, n) : 0;
}

int spoor_store__remote(const spoor_store *s)
{
    return s->pg != NULL;
}

int spoor_store__lookup_key(spoor_store *s, uint64_t key, size_t common,
                            spoor_postings *out, int *common_out)
{
    size_t start = out->n, distinct = 0, g;
    int error;

    if (s->pg)
        return spoor_pg__lookup_key(s, key, common, out, common_out);
    *common_out = 0;
    for (g = 0; g < s->n_segs; g++) {
        spoor_seg_cursor cur;
        spoor_seg_entry entry, *en = &entry;
        uint32_t last = 0;
        int have = 0, r;
        spoor_segment__seek(&s->segs[g], key, &cur);
        while ((r = spoor_segment__next(&cur, en)) != 0) {
            if (r < 0) {
                out->n = start;
                return r;
            }
            if (s->n_gone && spoor_store__is_gone(s, en->content))
                continue; /* a removed content's posting (a tombstone) */
            if (!have || en->content != last) {
                last = en->content;
                have = 1;
                if (++distinct > common) {
                    *common_out = 1;
                    out->n = start;
                    return 0;
                }
            }
            if ((error = spoor__array_reserve((void **)&out->v, &out->cap,
                                              out->n + 1,
                                              sizeof(spoor_posting))) < 0)
                return error;
            out->v[out->n].content = en->content;
            out->v[out->n].pos = en->pos;
            out->n++;
        }
    }
    return 0;
}

/* The ids a query with one text parameter (arg) yields, in a new *ids;
 * what names the query in errors. */
static int ids_of(spoor_store *s, const char *sql, const char *arg,
                  const char *what, int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc, error = 0;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, what);
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((error = spoor__array_reserve((void **)ids, &cap, *n + 1,
                                          sizeof(**ids))) < 0)
            break;
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (error == 0 && rc != SQLITE_DONE)
        error = db_error(s, what);
    sqlite3_finalize(st);
    if (error < 0) {
        spoor__free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return error;
}

int spoor_store_contents_of(spoor_store *s, const char *collection,
                            int64_t **ids, size_t *n)
{
    if (s->pg)
        return spoor_pg__ids_of(s, 0, collection, ids, n);
    return ids_of(s,
                  "SELECT DISTINCT i.content_id FROM items i JOIN "
                  "collections c ON c.id = i.collection_id WHERE "
                  "c.name = ? ORDER BY i.content_id",
                  collection, "contents", ids, n);
}

int spoor_store_members(spoor_store *s, const char *collection,
                        const char *path, spoor_member_cb cb, void *payload)
{
    sqlite3_stmt *st = NULL;
    char *lo = NULL, *hi = NULL;
    size_t n = strlen(path);
    int rc, error = 0;

    /* the paths from "path!" up to, not including, "path\"" ('!' + 1) */
    lo = spoor__malloc(n + 2);
    hi = spoor__malloc(n + 2);
    SPOOR_ALLOC_CHECK(lo);
    SPOOR_ALLOC_CHECK(hi);
    memcpy(lo, path, n);
    memcpy(hi, path, n);
    lo[n] = '!';
    hi[n] = '!' + 1;
    lo[n + 1] = hi[n + 1] = '\0';
    if (s->pg) {
        error = spoor_pg__members(s, collection, lo, hi, cb, payload);
        goto done;
    }
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT items.id, items.path, contents.format, contents.bytes, "
            "contents.text_bytes FROM items JOIN contents ON contents.id = "
            "items.content_id JOIN collections ON collections.id = "
            "items.collection_id WHERE collections.name = ? AND items.path >= "
            "? AND items.path < ? ORDER BY items.id",
            -1, &st, NULL) != SQLITE_OK) {
        error = db_error(s, "members");
        goto done;
    }
    sqlite3_bind_text(st, 1, collection, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        spoor_member_info m;
        m.item = sqlite3_column_int64(st, 0);
        m.path = (const char *)sqlite3_column_text(st, 1);
        m.format = (const char *)sqlite3_column_text(st, 2);
        m.bytes = sqlite3_column_int64(st, 3);
        m.text_bytes = sqlite3_column_int64(st, 4);
        if ((error = cb(&m, payload)) < 0)
            break;
    }
    if (error == 0 && rc != SQLITE_DONE)
        error = db_error(s, "members");
done:
    sqlite3_finalize(st);
    spoor__free(lo);
    spoor__free(hi);
    return error;
}

int spoor_store_thread_members(spoor_store *s, const char *root, int64_t **ids,
                               size_t *n)
{
    if (s->pg)
        return spoor_pg__ids_of(s, 1, root, ids, n);
    return ids_of(s, "SELECT id FROM contents WHERE thread = ? ORDER BY id",
                  root, "thread", ids, n);
}

int spoor_store__contents(spoor_store *s, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *out = 0;
    if (s->pg)
        return spoor_pg__contents(s, out);
    if (sqlite3_prepare_v2(s->db, "SELECT max(id) FROM contents", -1, &st,
                           NULL) != SQLITE_OK)
        return db_error(s, "contents");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_error(s, "contents");
}

int spoor_store__shared_contents(spoor_store *s, unsigned char **bits,
                                 uint64_t *n_bits)
{
    int64_t max_id;
    int error;
    *bits = NULL;
    *n_bits = 0;
    SPOOR_TRY(spoor_store__contents(s, &max_id));
    *bits = spoor__calloc((size_t)max_id / 8 + 1, 1);
    SPOOR_ALLOC_CHECK(*bits);
    *n_bits = (uint64_t)max_id + 1;
    error = s->pg ? spoor_pg__shared_contents(s, *bits, *n_bits)
                  : spoor_segment__shared(s->segs, s->n_segs, *bits, *n_bits);
done:
    if (error < 0) {
        spoor__free(*bits);
        *bits = NULL;
        *n_bits = 0;
    }
    return error;
}

int spoor_store__reload_gone(spoor_store *s)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc, error = 0;
    spoor__free(s->gone);
    s->gone = NULL;
    s->n_gone = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT content_id FROM gone ORDER BY content_id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "tombstones");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        SPOOR_TRY(spoor__array_reserve((void **)&s->gone, &cap, s->n_gone + 1,
                                       sizeof(*s->gone)));
        s->gone[s->n_gone++] = sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_DONE)
        error = db_error(s, "tombstones");
done:
    sqlite3_finalize(st);
    return error;
}

int spoor_store__held_in(spoor_store *s, int64_t content,
                         const char *const *names, size_t n, int *held)
{
    size_t i;
    int rc;
    *held = 0;
    if (n == 0)
        return 0;
    if (s->pg)
        return spoor_pg__held_in(s, content, names, n, held);
    if (!s->st_held || s->n_held != n) {
        spoor_buf q = SPOOR_BUF_INIT;
        int error = spoor_buf_puts(&q, "SELECT 1 FROM items i JOIN collections "
                                       "c ON c.id = i.collection_id WHERE "
                                       "i.content_id = ? AND c.name IN (?");
        for (i = 1; i < n && error == 0; i++)
            error = spoor_buf_puts(&q, ", ?");
        if (error == 0)
            error = spoor_buf_puts(&q, ") LIMIT 1");
        sqlite3_finalize(s->st_held);
        s->st_held = NULL;
        if (error == 0 && sqlite3_prepare_v2(s->db, q.ptr, -1, &s->st_held,
                                             NULL) != SQLITE_OK)
            error = db_error(s, "collections of a content");
        spoor_buf_dispose(&q);
        if (error < 0)
            return error;
        s->n_held = n;
    }
    sqlite3_reset(s->st_held);
    sqlite3_bind_int64(s->st_held, 1, content);
    for (i = 0; i < n; i++)
        sqlite3_bind_text(s->st_held, (int)i + 2, names[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(s->st_held);
    *held = rc == SQLITE_ROW;
    sqlite3_reset(s->st_held);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? 0
               : db_error(s, "collections of a content");
}

int spoor_store__is_gone(const spoor_store *s, int64_t content)
{
    size_t lo = 0, hi = s->n_gone;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->gone[mid] < content)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_gone && s->gone[lo] == content;
}

void spoor_store__segments(spoor_store *s, const spoor_segment **segs,
                           size_t *n)
{
    *segs = s->segs;
    *n = s->n_segs;
}

struct sqlite3 *spoor_store__db(spoor_store *s)
{
    return s->db;
}

int spoor_store__family(spoor_store *s, int64_t content, uint64_t *family)
{
    const unsigned char *t;
    int error, n, i, rc;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

    if (s->pg)
        return spoor_pg__family(s, content, family);
    if ((error = prepare(s, &s->st_family,
                         "SELECT thread FROM contents WHERE id = ?")) < 0)
        return error;
    sqlite3_bind_int64(s->st_family, 1, content);
    rc = sqlite3_step(s->st_family);
    if (rc != SQLITE_ROW) {
        error = rc == SQLITE_DONE
                    ? spoor__error_set(SPOOR_ENOTFOUND, "no content %lld",
                                       (long long)content)
                    : db_error(s, "thread");
        done_with(s->st_family);
        return error;
    }
    t = sqlite3_column_text(s->st_family, 0);
    n = sqlite3_column_bytes(s->st_family, 0);
    if (!t) {
        *family = (uint64_t)content;
    } else {
        for (i = 0; i < n; i++)
            h = (h ^ t[i]) * 0x100000001b3ULL;
        *family = h | (1ULL << 63);
    }
    done_with(s->st_family);
    return 0;
}

/* The queries of spoor_store_resolve: an item id, a sha256 prefix (a
 * pattern), collection and path, a path. */
static const char *const resolve_sqlite[] = {
    "SELECT content_id FROM items WHERE id = ?",
    "SELECT id FROM contents WHERE sha256 GLOB ?",
    "SELECT DISTINCT i.content_id FROM items i JOIN collections c ON c.id = "
    "i.collection_id WHERE c.name = ? AND i.path = ?",
    "SELECT DISTINCT content_id FROM items WHERE path = ?",
};
static const char *const resolve_pg[] = {
    "SELECT content_id FROM spoor.items WHERE id = $1::int8",
    "SELECT id FROM spoor.contents WHERE sha256 LIKE $1",
    "SELECT DISTINCT i.content_id FROM spoor.items i JOIN spoor.collections c "
    "ON c.id = i.collection_id WHERE c.name = $1 AND i.path = $2",
    "SELECT DISTINCT content_id FROM spoor.items WHERE path = $1",
};

static int is_hex(const char *p)
{
    for (; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
              (*p >= 'A' && *p <= 'F')))
            return 0;
    return 1;
}

/* Run a query that should yield one content id for text. */
static int resolve_query(spoor_store *s, const char *sql, const char *a,
                         const char *b, int64_t *out, int *count)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *count = 0;
    if (s->pg)
        return spoor_pg__first_id(s, sql, a, b, out, count);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "resolve");
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == 0)
            *out = sqlite3_column_int64(st, 0);
        (*count)++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_error(s, "resolve");
}

int spoor_store_resolve(int64_t *out, spoor_store *s, const char *ref)
{
    const char *id = ref[0] == '#' ? ref + 1 : ref;
    const char *colon;
    int count = 0, error;
    size_t len = strlen(ref);
    /* the queries, on the catalogue or on a shared index */
    const char *const *q = s->pg ? resolve_pg : resolve_sqlite;

    if (*id && strspn(id, "0123456789") == strlen(id) && strlen(id) < 19) {
        error = resolve_query(s, q[0], id, NULL, out, &count);
        if (error < 0 || count == 1)
            return error;
    }
    if (len >= 8 && len <= 64 && is_hex(ref)) {
        char pattern[80];
        snprintf(pattern, sizeof(pattern), "%s%s", ref, s->pg ? "%" : "*");
        for (char *p = pattern; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p - 'A' + 'a');
        error = resolve_query(s, q[1], pattern, NULL, out, &count);
        if (error < 0 || count == 1)
            return error;
        if (count > 1)
            return spoor__error_set(SPOOR_EINVALID,
                                    "'%s' is a prefix of %d items' sha256", ref,
                                    count);
    }
    if ((colon = strchr(ref, ':')) != NULL) {
        char *coll = spoor__strndup(ref, (size_t)(colon - ref));
        if (!coll)
            return spoor__error_oom();
        error = resolve_query(s, q[2], coll, colon + 1, out, &count);
        spoor__free(coll);
        if (error < 0 || count == 1)
            return error;
    }
    error = resolve_query(s, q[3], ref, NULL, out, &count);
    if (error < 0 || count == 1)
        return error;
    if (count > 1)
        return spoor__error_set(SPOOR_EINVALID,
                                "'%s' names %d different items; use "
                                "collection:path or a sha256 prefix",
                                ref, count);
    return spoor__error_set(SPOOR_ENOTFOUND, "no item '%s' in the index", ref);
}

void spoor_record_free(spoor_record *r)
{
    size_t i;
    if (!r)
        return;
    spoor__free(r->format);
    spoor__free(r->encoding);
    spoor__free(r->warning);
    spoor__free(r->thread);
    for (i = 0; i < r->n_dates; i++) {
        spoor__free(r->dates[i].field);
        spoor__free(r->dates[i].value);
        spoor__free(r->dates[i].source);
    }
    spoor__free(r->dates);
    for (i = 0; i < r->n_meta; i++) {
        spoor__free(r->meta[i].key);
        spoor__free(r->meta[i].value);
    }
    spoor__free(r->meta);
    for (i = 0; i < r->n_occ; i++) {
        spoor__free(r->occ[i].collection);
        spoor__free(r->occ[i].kind);
        spoor__free(r->occ[i].date);
        spoor__free(r->occ[i].path);
    }
    spoor__free(r->occ);
    spoor__free(r);
}

int spoor_store_record(spoor_record **out, spoor_store *s, int64_t content)
{
    return spoor_store__record(s, content, 0, out);
}

int spoor_store__record(spoor_store *s, int64_t content, int brief,
                        spoor_record **out)
{
    sqlite3_stmt *st = NULL;
    spoor_record *r;
    size_t cap;
    int error = 0, rc;

    if (s->pg)
        return spoor_pg__record(s, content, brief, out);
    *out = NULL;
    r = spoor__calloc(1, sizeof(*r));
    if (!r)
        return spoor__error_oom();
    if ((error = prepare(s, &s->st_content,
                         "SELECT id, sha256, format, encoding, warning, "
                         "bytes, text_bytes, canon_len, fp_bytes, n_fps, "
                         "header_bytes, header_chars, thread "
                         "FROM contents WHERE id = ?")) < 0)
        goto done;
    st = s->st_content;
    sqlite3_bind_int64(st, 1, content);
    if (sqlite3_step(st) != SQLITE_ROW) {
        error = spoor__error_set(SPOOR_ENOTFOUND, "no content %lld",
                                 (long long)content);
        goto done;
    }
    r->id = sqlite3_column_int64(st, 0);
    snprintf(r->sha256, sizeof(r->sha256), "%s",
             (const char *)sqlite3_column_text(st, 1));
    r->format = col_dup(st, 2);
    r->encoding = col_dup(st, 3);
    r->warning = col_dup(st, 4);
    r->bytes = (uint64_t)sqlite3_column_int64(st, 5);
    r->text_bytes = (uint64_t)sqlite3_column_int64(st, 6);
    r->canon_len = (uint64_t)sqlite3_column_int64(st, 7);
    r->fp_bytes = sqlite3_column_int(st, 8);
    r->n_fps = (uint64_t)sqlite3_column_int64(st, 9);
    r->header_bytes = (uint64_t)sqlite3_column_int64(st, 10);
    r->header_chars = (uint64_t)sqlite3_column_int64(st, 11);
    r->thread = col_dup(st, 12);
    if (r->header_bytes > r->text_bytes || r->header_chars > r->canon_len) {
        error = spoor__error_set(SPOOR_ECORRUPT,
                                 "index '%s': content %lld: header block "
                                 "beyond its text",
                                 s->path, (long long)content);
        goto done;
    }
    done_with(st);
    st = NULL;
    if (brief)
        goto occurrences;

    if ((error = prepare(s, &s->st_dates,
                         "SELECT field, value, source FROM dates "
                         "WHERE content_id = ? ORDER BY rowid")) < 0)
        goto done;
    st = s->st_dates;
    sqlite3_bind_int64(st, 1, content);
    cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        SPOOR_TRY(spoor__array_reserve((void **)&r->dates, &cap, r->n_dates + 1,
                                       sizeof(spoor_date)));
        r->dates[r->n_dates].field = col_dup(st, 0);
        r->dates[r->n_dates].value = col_dup(st, 1);
        r->dates[r->n_dates].source = col_dup(st, 2);
        r->n_dates++;
        /* the columns are NOT NULL: a NULL copy is memory running out */
        if (!r->dates[r->n_dates - 1].field ||
            !r->dates[r->n_dates - 1].value || !r->dates[r->n_dates - 1].source)
            SPOOR_TRY(spoor__error_oom());
    }
    if (rc != SQLITE_DONE) { /* a read error is not the end of the rows */
        error = db_error(s, "dates");
        goto done;
    }
    done_with(st);
    st = NULL;

    if ((error = prepare(s, &s->st_meta,
                         "SELECT key, value FROM metadata "
                         "WHERE content_id = ? ORDER BY rowid")) < 0)
        goto done;
    st = s->st_meta;
    sqlite3_bind_int64(st, 1, content);
    cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        SPOOR_TRY(spoor__array_reserve((void **)&r->meta, &cap, r->n_meta + 1,
                                       sizeof(spoor_meta)));
        r->meta[r->n_meta].key = col_dup(st, 0);
        r->meta[r->n_meta].value = col_dup(st, 1);
        r->n_meta++;
        if (!r->meta[r->n_meta - 1].key || !r->meta[r->n_meta - 1].value)
            SPOOR_TRY(spoor__error_oom());
    }
    if (rc != SQLITE_DONE) {
        error = db_error(s, "metadata");
        goto done;
    }
    done_with(st);
    st = NULL;

occurrences:
    if ((error =
             prepare(s, &s->st_occ,
                     "SELECT i.id, c.name, c.kind, c.date, i.path FROM items i "
                     "JOIN collections c ON c.id = i.collection_id "
                     "WHERE i.content_id = ? "
                     "ORDER BY c.date IS NULL, c.date, c.name, i.path")) < 0)
        goto done;
    st = s->st_occ;
    sqlite3_bind_int64(st, 1, content);
    cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        spoor_occurrence *o;
        SPOOR_TRY(spoor__array_reserve((void **)&r->occ, &cap, r->n_occ + 1,
                                       sizeof(spoor_occurrence)));
        o = &r->occ[r->n_occ++];
        o->item_id = sqlite3_column_int64(st, 0);
        o->collection = col_dup(st, 1);
        o->kind = col_dup(st, 2);
        o->kind_id = SPOOR_KIND_DEFAULT;
        if (o->kind) /* a kind the index holds was checked when stored */
            (void)spoor_kind_parse(&o->kind_id, o->kind);
        o->date = col_dup(st, 3);
        o->path = col_dup(st, 4);
        if (!o->collection || !o->kind || !o->path ||
            (!o->date && sqlite3_column_type(st, 3) != SQLITE_NULL))
            SPOOR_TRY(spoor__error_oom());
    }
    if (rc != SQLITE_DONE)
        error = db_error(s, "occurrences");
done:
    done_with(st);
    if (error < 0) {
        spoor_record_free(r);
        return error;
    }
    *out = r;
    return 0;
}

int spoor_store__damaged_text(const spoor_store *s, int64_t content)
{
    return spoor__error_set(SPOOR_ECORRUPT,
                            "%sindex '%s': stored text of content %lld is "
                            "damaged",
                            s->pg ? "shared " : "", s->path,
                            (long long)content);
}

/* The store's decompression context, made on first use. */
static ZSTD_DCtx *dctx_of(spoor_store *s)
{
    if (!s->dctx)
        s->dctx = ZSTD_createDCtx();
    return s->dctx;
}

int spoor_store__unpack_text(spoor_store *s, int64_t content, const void *z,
                             size_t zlen, unsigned long long size,
                             spoor_buf *out)
{
    size_t got;
    int error = 0;
    spoor_buf_clear(out);
    if (!z || zlen == 0)
        return 0;
    /* one frame, or a table and the parts' frames (text_parts.c): either
     * way it decompresses to text_bytes */
    if (size == 0 || size > SPOOR_MAX_TEXT_BYTES)
        return spoor_store__damaged_text(s, content);
    if (!dctx_of(s))
        return spoor__error_oom();
    SPOOR_TRY(spoor_buf_grow(out, (size_t)size));
    got = ZSTD_decompressDCtx(s->dctx, out->ptr, (size_t)size, z, zlen);
    if (ZSTD_isError(got) || got != size)
        return spoor_store__damaged_text(s, content);
    out->size = got;
    out->ptr[got] = '\0';
done:
    return error;
}

int spoor_store_text(spoor_buf *out, spoor_store *s, int64_t content)
{
    sqlite3_stmt *st = NULL;
    int error = 0;

    if (s->pg)
        return spoor_pg__text(s, content, out);
    spoor_buf_clear(out);
    if ((error = prepare(s, &s->st_text,
                         "SELECT t.z, c.text_bytes FROM contents c LEFT JOIN "
                         "texts t ON t.content_id = c.id WHERE c.id = ?")) < 0)
        return error;
    st = s->st_text;
    sqlite3_bind_int64(st, 1, content);
    if (sqlite3_step(st) != SQLITE_ROW) {
        error = spoor__error_set(SPOOR_ENOTFOUND, "no content %lld",
                                 (long long)content);
        goto done;
    }
    error = spoor_store__unpack_text(
        s, content, sqlite3_column_blob(st, 0),
        (size_t)sqlite3_column_bytes(st, 0),
        (unsigned long long)sqlite3_column_int64(st, 1), out);
done:
    done_with(st);
    return error;
}

int spoor_store__text_open(spoor_store *s, int64_t content, size_t text_bytes,
                           size_t canon_len, spoor_stored_text *t)
{
    sqlite3_blob *blob = NULL;
    unsigned char head[20];
    size_t zlen, size;
    int error = 0;

    if (s->pg)
        return spoor_pg__text_open(s, content, text_bytes, canon_len, t);
    memset(t, 0, sizeof(*t));
    t->content = content;
    /* most sources are short: one frame, read whole by spoor_store_text,
     * without opening the blob here first */
    if (!spoor_text__may_have_parts(text_bytes))
        return 0;
    /* a NULL text (an empty one) has no blob to open, and no parts */
    if (sqlite3_blob_open(s->db, "main", "texts", "z", content, 0, &blob) !=
        SQLITE_OK)
        return 0;
    zlen = (size_t)sqlite3_blob_bytes(blob);
    if (zlen < sizeof(head) ||
        sqlite3_blob_read(blob, head, (int)sizeof(head), 0) != SQLITE_OK ||
        !(size = spoor_text__toc_size(head, sizeof(head), zlen)))
        goto no_parts;
    SPOOR_TRY(spoor_buf_grow(&t->z, size));
    if (sqlite3_blob_read(blob, t->z.ptr, (int)size, 0) != SQLITE_OK) {
        error = db_error(s, "stored text");
        goto done;
    }
    if ((error = spoor_text__toc_parse(t->z.ptr, size, zlen, text_bytes,
                                       canon_len, &t->toc)) < 0) {
        if (error == SPOOR_ECORRUPT)
            error = spoor_store__damaged_text(s, content);
        goto done;
    }
    t->blob = blob;
    return 0;
no_parts:
    sqlite3_blob_close(blob);
    return 0;
done:
    sqlite3_blob_close(blob);
    spoor_buf_dispose(&t->z);
    memset(t, 0, sizeof(*t));
    return error;
}

int spoor_store__text_parts(spoor_store *s, spoor_stored_text *t, size_t first,
                            size_t end, spoor_buf *out)
{
    const spoor_text_part *a = &t->toc.v[first], *b = &t->toc.v[end - 1];
    size_t zbytes = b->zoff + b->zbytes - a->zoff;
    int error = 0;

    if (s->pg)
        return spoor_pg__text_parts(s, t, first, end, out);
    t->z.size = 0;
    SPOOR_TRY(spoor_buf_grow(&t->z, zbytes));
    if (sqlite3_blob_read(t->blob, t->z.ptr, (int)zbytes, (int)a->zoff) !=
        SQLITE_OK)
        return db_error(s, "stored text");
    error = spoor_store__unpack_parts(s, t, first, end, out);
done:
    return error;
}

int spoor_store__unpack_parts(spoor_store *s, spoor_stored_text *t,
                              size_t first, size_t end, spoor_buf *out)
{
    const spoor_text_part *a = &t->toc.v[first], *b = &t->toc.v[end - 1];
    size_t bytes = b->byte + b->bytes - a->byte, i, at = 0;
    int error = 0;

    spoor_buf_clear(out);
    if (!dctx_of(s))
        return spoor__error_oom();
    SPOOR_TRY(spoor_buf_grow(out, bytes));
    for (i = first; i < end; i++) {
        const spoor_text_part *p = &t->toc.v[i];
        size_t got =
            ZSTD_decompressDCtx(s->dctx, out->ptr + at, p->bytes,
                                t->z.ptr + (p->zoff - a->zoff), p->zbytes);
        if (ZSTD_isError(got) || got != p->bytes)
            return spoor_store__damaged_text(s, t->content);
        at += got;
    }
    out->size = at;
    out->ptr[at] = '\0';
done:
    return error;
}

void spoor_store__text_close(spoor_stored_text *t)
{
    if (t->blob)
        sqlite3_blob_close(t->blob);
    spoor_buf_dispose(&t->z);
    spoor_text_toc_dispose(&t->toc);
    memset(t, 0, sizeof(*t));
}

int spoor_store_collections(spoor_store *s, spoor_collection_cb cb,
                            void *payload)
{
    sqlite3_stmt *st = NULL;
    int error = 0, rc;
    if (s->pg)
        return spoor_pg__collections(s, cb, payload);
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT c.id, c.name, c.kind, c.date, c.note, c.created,"
            " (SELECT count(*) FROM items i WHERE i.collection_id = c.id),"
            " (SELECT count(DISTINCT content_id) FROM items i"
            "  WHERE i.collection_id = c.id),"
            " (SELECT coalesce(sum(t.bytes), 0) FROM items i JOIN contents t"
            "  ON t.id = i.content_id WHERE i.collection_id = c.id"
            "  AND i.depth = 0)"
            " FROM collections c ORDER BY c.date IS NULL, c.date, c.name",
            -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "collections");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        spoor_collection_info ci;
        ci.id = sqlite3_column_int64(st, 0);
        ci.name = (const char *)sqlite3_column_text(st, 1);
        ci.kind = (const char *)sqlite3_column_text(st, 2);
        ci.date = (const char *)sqlite3_column_text(st, 3);
        ci.note = (const char *)sqlite3_column_text(st, 4);
        ci.created = (const char *)sqlite3_column_text(st, 5);
        ci.n_items = sqlite3_column_int64(st, 6);
        ci.n_unique = sqlite3_column_int64(st, 7);
        ci.bytes = sqlite3_column_int64(st, 8);
        if ((error = cb(&ci, payload)) < 0)
            break;
    }
    if (error == 0 && rc != SQLITE_DONE)
        error = db_error(s, "collections");
    sqlite3_finalize(st);
    return error;
}

void spoor_events_free(spoor_event *ev, size_t n)
{
    size_t i;
    for (i = 0; ev && i < n; i++) {
        spoor__free(ev[i].name);
        spoor__free(ev[i].date);
        spoor__free(ev[i].note);
    }
    spoor__free(ev);
}

int spoor_store_events(spoor_event **out, size_t *n_out, spoor_store *s)
{
    sqlite3_stmt *st = NULL;
    spoor_event *ev = NULL;
    size_t n = 0, cap = 0;
    int error = 0, rc;

    if (s->pg)
        return spoor_pg__events(s, out, n_out);
    *out = NULL;
    *n_out = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name, date, note FROM events "
                           "ORDER BY date, name",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "events");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        SPOOR_TRY(spoor__array_reserve((void **)&ev, &cap, n + 1, sizeof(*ev)));
        ev[n].name = col_dup(st, 0);
        ev[n].date = col_dup(st, 1);
        ev[n].note = col_dup(st, 2);
        n++;
        if (!ev[n - 1].name || !ev[n - 1].date ||
            (!ev[n - 1].note && sqlite3_column_type(st, 2) != SQLITE_NULL))
            SPOOR_TRY(spoor__error_oom());
    }
    if (rc != SQLITE_DONE)
        error = db_error(s, "events");
done:
    sqlite3_finalize(st);
    if (error < 0) {
        spoor_events_free(ev, n);
        return error;
    }
    *out = ev;
    *n_out = n;
    return 0;
}

static int64_t count_of(spoor_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t file_size(const char *dir, const char *name)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

int spoor_store_stats(spoor_stats *out, spoor_store *s)
{
    if (s->pg)
        return spoor_pg__stats(s, out);
    memset(out, 0, sizeof(*out));
    out->collections = count_of(s, "SELECT count(*) FROM collections");
    out->items = count_of(s, "SELECT count(*) FROM items");
    out->contents = count_of(s, "SELECT count(*) FROM contents");
    out->postings = count_of(s, "SELECT coalesce(sum(count), 0) FROM "
                                "segments");
    out->segments = count_of(s, "SELECT count(*) FROM segments");
    out->events = count_of(s, "SELECT count(*) FROM events");
    out->text_bytes =
        count_of(s, "SELECT coalesce(sum(text_bytes), 0) FROM contents");
    out->canon_chars =
        count_of(s, "SELECT coalesce(sum(canon_len), 0) FROM contents");
    out->stored_bytes = file_size(s->path, "catalogue.sqlite") +
                        file_size(s->path, "catalogue.sqlite-wal");
    {
        size_t i;
        for (i = 0; i < s->n_segs; i++) {
            out->stored_bytes += (int64_t)s->segs[i].size;
            out->postings_bytes += (int64_t)s->segs[i].size;
        }
    }
    if (out->collections < 0 || out->items < 0 || out->postings < 0)
        return db_error(s, "stats");
    return 0;
}
