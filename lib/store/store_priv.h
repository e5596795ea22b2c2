/*
 * store_priv.h: what the files of the store share (store.c: open, schema,
 * lock and transactions; store_segments.c: the segment registry, tiered
 * merging and tombstones; store_write.c: adding collections, items, events
 * and keys; store_read.c: records, texts, lookups and listings): the
 * handle's layout and small SQLite helpers. Nothing outside lib/store
 * includes it.
 */
#ifndef SPOOR_STORE_PRIV_H
#define SPOOR_STORE_PRIV_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>
#include <zstd.h>

#include "store_int.h"

/* Schema 3: canonical text keeps the decimal point between digits, and an
 * email's header block is left out of fingerprints (contents.header_bytes,
 * header_chars). The postings of an older index were made from other
 * canonical text, so schemas 1 and 2 are refused with the message to build
 * the index again. (Schema 2 stored long texts in parts, text_parts.c.) */
#define SCHEMA_VERSION "5"
/* Schema 4: segments carry checksums and an identity the catalogue
 * records (segments.ident, bytes); stored texts carry zstd's content
 * checksum. Schema 3 is refused too: its files hold no checksums.
 * Schema 5: compressed texts live in their own table (texts), written a
 * piece at a time; schema 4 is refused. */
/* zstd level for stored text: level 1 compresses prose about 3:1 at
 * several hundred MB/s; higher levels cost ingest speed for little */
#define ZSTD_LEVEL 1
#define BATCH_ITEMS SPOOR_COMMIT_EVERY
/* Postings kept per distinct hash per item: repetitive content (a file of
 * zeros, a table of identical rows) would otherwise store one posting per
 * window; the first positions are enough to seed a match, which then
 * extends along the text. */
#define MAX_POSTINGS_PER_HASH 16
/* Size-tiered merging (see merge_tiers): a tier's segments are merged into
 * one when it holds this many. */
#define SPOOR_MERGE_FACTOR 8
#define BATCH_BYTES (64u << 20)
/* Postings a batch holds in memory; more go to run segments (spill.c). */
#define PENDING_MAX ((size_t)2 << 20)

struct spoor_store {
    sqlite3 *db;
    char *path;
    int lock_fd;   /* a writer's lock on the index (flock), or -1 */
    int64_t *gone; /* removed contents whose postings segments still hold
                      (tombstones), sorted */
    size_t n_gone;
    sqlite3_stmt *st_held; /* spoor_store__held_in's, for n_held names */
    size_t n_held;
    char id[64];      /* the index's identity (meta 'id') */
    char created[32]; /* when it was created */
    int readonly;
    int64_t data_version; /* PRAGMA data_version at open */
    int in_tx;
    int in_read; /* depth of spoor_store__read_begin's read transaction */
    size_t batch_items, batch_bytes;
    size_t commit_every;      /* items per transaction */
    ZSTD_CCtx *zctx;          /* reused for every text */
    ZSTD_DCtx *dctx;          /* reused for every text read */
    spoor_seg_entry *pending; /* postings of the open transaction */
    size_t n_pending, cap_pending;
    size_t pending_max;  /* PENDING_MAX (tests: less) */
    spoor_segment *runs; /* the transaction's run segments (spill.c) */
    char **run_names;
    size_t n_runs, cap_runs, cap_run_names;
    spoor_segment *segs; /* registered segments, mapped */
    size_t n_segs, cap_segs;
    unsigned seg_serial;
    sqlite3_stmt *st_lookup, *st_sha, *st_add_content, *st_add_item,
        *st_find_item, *st_add_date, *st_add_meta, *st_add_text;
    /* the reads of check, kept by prepare */
    sqlite3_stmt *st_content, *st_dates, *st_meta, *st_occ, *st_text,
        *st_family;
    /* a shared index on PostgreSQL (pg_store.c), read there; NULL: local */
    struct spoor_pgstore *pg;
    /* a write to a shared index: s is a local staging index in a folder of
     * its own (path), which spoor_store_commit pushes to push_url; shown:
     * that URL without its password */
    char *push_url, *shown;
};

/* ==== Shared between the store's files ==== */

/** Whether collection name, of kind has_kind and date has_date (or NULL),
 * is the one asked for (kind and date: NULL, or what it must have).
 * @return 0 or SPOOR_EEXISTS saying how it differs. */
int spoor_store__same_collection(const char *name, const char *kind,
                                 const char *date, const char *has_kind,
                                 const char *has_date);

/** spoor_store_push of a local or staging index s (push.c). */
int spoor_store__push(spoor_push_stats *out, spoor_store *s,
                      const char *conninfo);

/** Commit the open transaction to the local index (spoor_store_commit,
 * without pushing a staging index). @return 0 or an error. */
int spoor_store__commit(spoor_store *s);

/** SPOOR_ECORRUPT: content's stored text in s does not read back (the
 * message names the index). */
int spoor_store__damaged_text(const spoor_store *s, int64_t content);

/** Decompress a stored text (z, zlen bytes; NULL or empty: no text) of
 * size bytes, content's, into out (replacing it). @return 0, SPOOR_ENOMEM
 * or SPOOR_ECORRUPT naming the index. */
int spoor_store__unpack_text(spoor_store *s, int64_t content, const void *z,
                             size_t zlen, unsigned long long size,
                             spoor_buf *out);

/** Decompress parts [first, end) of t, whose compressed bytes t->z holds
 * from the first one's on, into out. @return 0 or an error. */
int spoor_store__unpack_parts(spoor_store *s, spoor_stored_text *t,
                              size_t first, size_t end, spoor_buf *out);

/** A new segment file name, unique in the index folder. */
void spoor_store__segment_name(spoor_store *s, char *out, size_t cap);
/** Delete the file called name in the index folder. */
void spoor_store__remove_file(spoor_store *s, const char *name);

/** Room for one more pending posting: the pending ones written as a run
 * segment first when PENDING_MAX are pending. @return 0 or an error. */
int spoor_store__pending_room(spoor_store *s);
/** Append the postings of an item's spilled fingerprints (as content),
 * at most MAX_POSTINGS_PER_HASH of a key. @return 0 or an error. */
int spoor_store__push_spilled(spoor_store *s, const spoor_spilled *spilled,
                              uint32_t content);
/** Merge the transaction's runs and pending postings into segment name,
 * *count postings. @return 0 or an error (the file may be left: remove
 * it). */
int spoor_store__merge_runs(spoor_store *s, const char *name, uint64_t *count);
/** Close and delete the transaction's run segments. */
void spoor_store__drop_runs(spoor_store *s);
/** PENDING_MAX, or what the test hook SPOOR_TEST_SPILL says. */
size_t spoor_store__pending_max(void);
/** Fill opts' spill hooks (spoor_store_walk_hooks). */
void spoor_store__spill_hooks(spoor_walk_opts *opts);

/** Append a posting (key: spoor_seg__mix of the hash) to the open
 * transaction (see spoor_store__pending_room). @return 0 or an error. */
static inline int spoor_store__pending_push(spoor_store *s, uint64_t key,
                                            uint32_t content, uint32_t pos)
{
    spoor_seg_entry *e;
    if (s->n_pending >= s->pending_max || s->n_pending == s->cap_pending) {
        int error = spoor_store__pending_room(s);
        if (error < 0)
            return error;
    }
    e = &s->pending[s->n_pending++];
    e->hash = key;
    e->content = content;
    e->pos = pos;
    return 0;
}

/* ==== SQLite helpers ==== */

static inline int db_error(spoor_store *s, const char *what)
{
    int rc = sqlite3_errcode(s->db);
    int code = (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? SPOOR_ECORRUPT
               : rc == SQLITE_NOMEM                          ? SPOOR_ENOMEM
                                                             : SPOOR_EIO;
    return spoor__error_set(code, "index '%s': %s: %s", s->path, what,
                            sqlite3_errmsg(s->db));
}

/* Reset a statement kept by prepare once it is read (a statement left
 * stepping would hold its read of the index open) and drop its bindings. */
static inline void done_with(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static inline int exec(spoor_store *s, const char *sql)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, "statement failed");
    return 0;
}

static inline int prepare(spoor_store *s, sqlite3_stmt **st, const char *sql)
{
    if (*st) {
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
        return 0;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
                           NULL) != SQLITE_OK)
        return db_error(s, "prepare");
    return 0;
}

static inline void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static inline char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? spoor__strdup((const char *)t) : NULL;
}

static inline int begin(spoor_store *s)
{
    int error;
    if (s->in_tx)
        return 0;
    if ((error = exec(s, "BEGIN IMMEDIATE")) < 0)
        return error;
    s->in_tx = 1;
    s->batch_items = s->batch_bytes = 0;
    return 0;
}

/* ==== Between the store's files ==== */

/** Map segment name of the index folder into s->segs (store_segments.c).
 * @return 0 or an index error. */
int spoor_store__add_segment(spoor_store *s, const char *name);

/** Map every registered segment, checking each file's identity; a writer
 * also deletes files no committed transaction registered (left by a
 * crash) (store_segments.c). @return 0 or an index error. */
int spoor_store__load_segments(spoor_store *s);

#endif
