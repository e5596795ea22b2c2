/*
 * store.c: the SQLite catalogue (see spoor/store.h).
 *
 * Schema version 1. contents holds each distinct sha256 once with its
 * zstd-compressed text; items holds every (collection, path) occurrence;
 * segments lists the postings segment files (segment.c) that committed
 * transactions wrote; postings of the open transaction wait in memory. Writes
 * run inside a transaction that add_item commits every BATCH_ITEMS items
 * (spoor_store_set_commit_every) or BATCH_BYTES bytes of text; SQLite's journal
 * makes each commit atomic, so an interrupted add keeps every committed item
 * and nothing half-written.
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

#include "store_int.h"

/* Schema 3: canonical text keeps the decimal point between digits, and an
 * email's header block is left out of fingerprints (contents.header_bytes,
 * header_chars). The postings of an older index were made from other
 * canonical text, so schemas 1 and 2 are refused with the message to build
 * the index again. (Schema 2 stored long texts in parts, text_parts.c.) */
#define SCHEMA_VERSION "4"
/* Schema 4: segments carry checksums and an identity the catalogue
 * records (segments.ident, bytes); stored texts carry zstd's content
 * checksum. Schema 3 is refused too: its files hold no checksums. */
/* zstd level for stored text: level 1 compresses prose about 3:1 at
 * several hundred MB/s; higher levels cost ingest speed for little */
#define ZSTD_LEVEL 1
#define BATCH_ITEMS 5000
/* Postings kept per distinct hash per item: repetitive content (a file of
 * zeros, a table of identical rows) would otherwise store one posting per
 * window; the first positions are enough to seed a match, which then
 * extends along the text. */
#define MAX_POSTINGS_PER_HASH 16
/* Size-tiered merging (see merge_tiers): a tier's segments are merged into
 * one when it holds this many. */
#define SPOOR_MERGE_FACTOR 8
#define BATCH_BYTES (64u << 20)

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
    int in_tx;
    int in_read; /* depth of spoor_store__read_begin's read transaction */
    size_t batch_items, batch_bytes;
    size_t commit_every;      /* items per transaction */
    ZSTD_CCtx *zctx;          /* reused for every text */
    ZSTD_DCtx *dctx;          /* reused for every text read */
    spoor_seg_entry *pending; /* postings of the open transaction */
    size_t n_pending, cap_pending;
    spoor_segment *segs; /* registered segments, mapped */
    size_t n_segs, cap_segs;
    unsigned seg_serial;
    sqlite3_stmt *st_lookup, *st_sha, *st_add_content, *st_add_item,
        *st_find_item, *st_add_date, *st_add_meta;
    /* the reads of check, kept by prepare */
    sqlite3_stmt *st_content, *st_dates, *st_meta, *st_occ, *st_text,
        *st_family;
};

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS collections(id INTEGER PRIMARY KEY,"
    " name TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, date TEXT, note TEXT,"
    " created TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS contents(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " sha256 TEXT UNIQUE NOT NULL, format TEXT NOT NULL, encoding TEXT,"
    " warning TEXT, bytes INTEGER NOT NULL, text_bytes INTEGER NOT NULL,"
    " canon_len INTEGER NOT NULL, fp_bytes INTEGER NOT NULL,"
    " n_fps INTEGER NOT NULL, text BLOB,"
    " header_bytes INTEGER NOT NULL DEFAULT 0,"
    " header_chars INTEGER NOT NULL DEFAULT 0, thread TEXT);"
    "CREATE TABLE IF NOT EXISTS items(id INTEGER PRIMARY KEY,"
    " content_id INTEGER NOT NULL REFERENCES contents(id),"
    " collection_id INTEGER NOT NULL REFERENCES collections(id),"
    " path TEXT NOT NULL, depth INTEGER NOT NULL, added TEXT NOT NULL,"
    " UNIQUE(collection_id, path, content_id));"
    "CREATE INDEX IF NOT EXISTS items_content ON items(content_id);"
    "CREATE INDEX IF NOT EXISTS contents_thread ON contents(thread);"
    "CREATE INDEX IF NOT EXISTS items_path ON items(path);"
    "CREATE TABLE IF NOT EXISTS dates(content_id INTEGER NOT NULL,"
    " field TEXT NOT NULL, value TEXT NOT NULL, source TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS dates_content ON dates(content_id);"
    "CREATE TABLE IF NOT EXISTS metadata(content_id INTEGER NOT NULL,"
    " key TEXT NOT NULL, value TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS metadata_content ON metadata(content_id);"
    "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY,"
    " name TEXT UNIQUE NOT NULL, date TEXT NOT NULL, note TEXT);"
    "CREATE TABLE IF NOT EXISTS segments(id INTEGER PRIMARY KEY,"
    " name TEXT UNIQUE NOT NULL, count INTEGER NOT NULL,"
    " created TEXT NOT NULL, ident INTEGER NOT NULL, bytes INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gone(content_id INTEGER PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS dkim_keys(id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, record TEXT NOT NULL, source TEXT,"
    " observed TEXT, published TEXT, added TEXT NOT NULL,"
    " UNIQUE(name, record));";

/* ==== Helpers ==== */

static int db_error(spoor_store *s, const char *what)
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
static void done_with(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static int exec(spoor_store *s, const char *sql)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, "statement failed");
    return 0;
}

static int prepare(spoor_store *s, sqlite3_stmt **st, const char *sql)
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

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? spoor__strdup((const char *)t) : NULL;
}

int spoor_store__read_begin(spoor_store *s)
{
    int error;
    if (s->in_tx)
        return 0;
    if (s->in_read) {
        s->in_read++;
        return 0;
    }
    if ((error = exec(s, "BEGIN")) < 0)
        return error;
    s->in_read = 1;
    return 0;
}

void spoor_store__read_end(spoor_store *s)
{
    if (!s->in_read || --s->in_read)
        return;
    (void)sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

static int begin(spoor_store *s)
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

static int add_segment(spoor_store *s, const char *name)
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

static void segment_name(spoor_store *s, char *out, size_t cap)
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

/* Delete the file called name in the index folder. */
static void remove_file(spoor_store *s, const char *name)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", s->path, name);
    unlink(p);
}

static int merge_tiers(spoor_store *s);

int spoor_store_commit(spoor_store *s)
{
    char name[128] = "";
    int error;
    if (!s->in_tx)
        return 0;
    if (s->n_pending) {
        /* the batch's postings become one segment, registered in the same
         * transaction as its items */
        segment_name(s, name, sizeof(name));
        if ((error = spoor_segment__sort(s->pending, s->n_pending)) < 0 ||
            (error = spoor_segment__write(s->path, name, s->pending,
                                          s->n_pending)) < 0)
            return error;
        if ((error = register_segment(s, name, s->n_pending)) < 0) {
            remove_file(s, name); /* never registered: nothing refers to it */
            return error;
        }
    }
    if (spoor__test_hook("SPOOR_TEST_KILL_BEFORE_COMMIT"))
        raise(SIGKILL); /* crash-safety test hook */
    if ((error = exec(s, "COMMIT")) < 0) {
        /* a full disk, most likely: the transaction is rolled back, and its
         * segment goes now rather than at the next writer's opening */
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->in_tx = 0;
        s->n_pending = 0;
        if (name[0])
            remove_file(s, name);
        return error;
    }
    s->in_tx = 0;
    s->n_pending = 0;
    if (name[0] && (error = add_segment(s, name)) < 0)
        return error;
    return merge_tiers(s);
}

/* Map every registered segment; a writer also deletes files no committed
 * transaction registered (left by a crash). */
static int load_segments(spoor_store *s)
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
        if ((error = add_segment(s, name ? name : "")) < 0)
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
            remove_file(s, e->d_name);
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
    segment_name(s, name, sizeof(name));
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
        remove_file(s, name);
        goto done;
    }
    for (i = 0; i < n; i++) {
        remove_file(s, srcs[i].name);
        spoor_segment__close(&s->segs[pick[i]]);
    }
    /* drop the closed ones (name NULL), keeping the others' order */
    for (i = j = 0; i < s->n_segs; i++)
        if (s->segs[i].name)
            s->segs[j++] = s->segs[i];
    s->n_segs = j;
    if ((error = add_segment(s, name)) == 0 && s->n_segs == 1)
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

int spoor_store_optimize(spoor_store *s, uint64_t *merged_out)
{
    size_t *pick, i, n;
    int error;

    if (merged_out)
        *merged_out = 0;
    if (s->readonly)
        return spoor__error_set(SPOOR_EINVALID, "index '%s' is read-only",
                                s->path);
    if ((error = spoor_store_commit(s)) < 0)
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

/* ==== Open / close ==== */

/* Refuse a catalogue of another schema: an older one with the message to
 * build the index again, an unknown one as such. A new catalogue (no meta
 * table yet, or no schema row) passes when may_be_new. */
static int check_schema(spoor_store *s, const char *path, int may_be_new)
{
    sqlite3_stmt *st = NULL;
    const char *v;
    int error = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='schema'",
                           -1, &st, NULL) != SQLITE_OK) {
        if (may_be_new)
            return 0;
        return db_error(s, "not a spoor index");
    }
    v = sqlite3_step(st) == SQLITE_ROW
            ? (const char *)sqlite3_column_text(st, 0)
            : NULL;
    if (!v && may_be_new)
        error = 0;
    else if (v && !strcmp(v, "3"))
        error = spoor__error_set(
            SPOOR_ECORRUPT,
            "index '%s' has catalogue schema 3, made by an older spoor whose "
            "files carry no checksums; build the index again with spoor add",
            path);
    else if (v && (!strcmp(v, "1") || !strcmp(v, "2")))
        error = spoor__error_set(
            SPOOR_ECORRUPT,
            "index '%s' has catalogue schema %s, made by an older spoor whose "
            "canonical text differs (numbers, email headers); build the index "
            "again with spoor add",
            path, v);
    else if (!v || strcmp(v, SCHEMA_VERSION) != 0)
        error = spoor__error_set(SPOOR_ECORRUPT,
                                 "index '%s' has an unknown schema", path);
    sqlite3_finalize(st);
    return error;
}

/*
 * Open the catalogue dbpath of an index on storage that cannot be written
 * (a read-only mount, write-blocked evidence media): as an immutable
 * database, read without locks or a -shm file. An index closed cleanly
 * keeps nothing in its WAL; one that was not (a -wal file with committed
 * changes) cannot be read there without losing them, and is refused.
 */
static int open_immutable(spoor_store *s, const char *dbpath)
{
    char wal[4200];
    struct stat st;
    char *uri;
    int rc;
    snprintf(wal, sizeof(wal), "%s-wal", dbpath);
    if (stat(wal, &st) == 0 && st.st_size > 0)
        return spoor__error_set(
            SPOOR_EIO,
            "index '%s' is on storage that cannot be written and was not "
            "closed cleanly (catalogue.sqlite-wal holds changes): copy it "
            "to writable storage and open it there once",
            s->path);
    uri = sqlite3_mprintf("file:%s?immutable=1", dbpath);
    if (!uri)
        return spoor__error_oom();
    if (strpbrk(dbpath, "?#%")) { /* sqlite3_mprintf has no URI escape */
        sqlite3_free(uri);
        return spoor__error_set(SPOOR_EINVALID,
                                "index '%s' is on storage that cannot be "
                                "written, and its path holds '?', '#' or "
                                "'%%': copy it to a plainer path",
                                s->path);
    }
    rc = sqlite3_open_v2(
        uri, &s->db,
        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    sqlite3_free(uri);
    return rc == SQLITE_OK ? 0 : db_error(s, "cannot open catalogue");
}

/*
 * Take the writer's lock of the index at path (its file "lock"): at once,
 * or with wait after the holder lets go. The holder's pid and the time it
 * took the lock are written in the file, for the message of another
 * writer that finds it taken.
 */
static int take_lock(spoor_store *s, const char *path, int wait)
{
    char lp[4200], info[128], now[32];
    ssize_t n;
    int len;
    snprintf(lp, sizeof(lp), "%s/lock", path);
    s->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (s->lock_fd < 0)
        return spoor__error_set(SPOOR_EIO, "index '%s': cannot open %s: %s",
                                path, lp, strerror(errno));
    while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            return spoor__error_set(SPOOR_EIO, "index '%s': cannot lock: %s",
                                    path, strerror(errno));
        if (!wait) {
            n = pread(s->lock_fd, info, sizeof(info) - 1, 0);
            info[n > 0 ? n : 0] = '\0';
            info[strcspn(info, "\n")] = '\0';
            return spoor__error_set(SPOOR_EBUSY,
                                    "index '%s' is being written by another "
                                    "process (%s)",
                                    path,
                                    info[0] ? info : "it has just started");
        }
        while (flock(s->lock_fd, LOCK_EX) < 0)
            if (errno != EINTR)
                return spoor__error_set(SPOOR_EIO,
                                        "index '%s': cannot lock: %s", path,
                                        strerror(errno));
        break;
    }
    now_iso(now);
    len =
        snprintf(info, sizeof(info), "pid %ld since %s\n", (long)getpid(), now);
    /* a failure here only costs another writer's message its detail */
    if (ftruncate(s->lock_fd, 0) == 0 &&
        pwrite(s->lock_fd, info, (size_t)len, 0) != len)
        (void)ftruncate(s->lock_fd, 0);
    return 0;
}

int spoor_store_open(spoor_store **out, const char *path, int flags)
{
    spoor_store *s = NULL;
    char *dbpath = NULL;
    struct stat st;
    int error = 0, oflags;
    size_t n;

    *out = NULL;
    if (stat(path, &st) < 0) {
        if (!(flags & SPOOR_STORE_CREATE))
            return spoor__error_set(SPOOR_ENOTFOUND,
                                    "no index at '%s' (spoor add creates one)",
                                    path);
        /* another writer may create it at the same moment: fine */
        if (mkdir(path, 0777) < 0 &&
            (errno != EEXIST || stat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
            return spoor__error_set(SPOOR_EIO, "cannot create index '%s': %s",
                                    path, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return spoor__error_set(SPOOR_EINVALID, "index '%s' is not a folder",
                                path);
    }
    n = strlen(path) + sizeof("/catalogue.sqlite");
    dbpath = spoor__malloc(n);
    SPOOR_ALLOC_CHECK(dbpath);
    snprintf(dbpath, n, "%s/catalogue.sqlite", path);
    if (!(flags & SPOOR_STORE_CREATE) && stat(dbpath, &st) < 0) {
        error = spoor__error_set(
            SPOOR_ENOTFOUND, "no index at '%s' (spoor add creates one)", path);
        goto done;
    }
    s = spoor__calloc(1, sizeof(*s));
    SPOOR_ALLOC_CHECK(s);
    s->lock_fd = -1;
    s->path = spoor__strdup(path);
    SPOOR_ALLOC_CHECK(s->path);
    s->readonly = !!(flags & SPOOR_STORE_READONLY);
    s->commit_every = BATCH_ITEMS;
    oflags = s->readonly ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (!s->readonly && access(path, W_OK) < 0) {
        error = spoor__error_set(SPOOR_EIO,
                                 "index '%s' cannot be written (%s): read "
                                 "commands work on it, add and optimize "
                                 "need writable storage",
                                 path, strerror(errno));
        goto done;
    }
    if (!s->readonly)
        SPOOR_TRY(take_lock(s, path, !!(flags & SPOOR_STORE_WAIT)));
    if (s->readonly && access(path, W_OK) < 0) {
        /* read-only media: SQLite cannot make the -shm file a WAL reader
         * needs, so the catalogue is opened immutable, which is what it
         * is there (see open_immutable) */
        SPOOR_TRY(open_immutable(s, dbpath));
    } else if (sqlite3_open_v2(dbpath, &s->db, oflags | SQLITE_OPEN_NOMUTEX,
                               NULL) != SQLITE_OK) {
        error = db_error(s, "cannot open catalogue");
        goto done;
    }
    sqlite3_busy_timeout(s->db, 30000);
    if (!s->readonly) {
        SPOOR_TRY(exec(s, "PRAGMA journal_mode=WAL"));
        SPOOR_TRY(exec(s, "PRAGMA synchronous=NORMAL"));
        SPOOR_TRY(check_schema(s, path, 1));
        SPOOR_TRY(exec(s, schema));
        SPOOR_TRY(exec(s, "INSERT OR IGNORE INTO meta VALUES"
                          "('schema', '" SCHEMA_VERSION "')"));
        {
            char q[256], now[32];
            now_iso(now);
            snprintf(q, sizeof(q),
                     "INSERT OR IGNORE INTO meta VALUES('created', '%s');"
                     "INSERT OR IGNORE INTO meta VALUES('id', "
                     "lower(hex(randomblob(16))))",
                     now);
            SPOOR_TRY(exec(s, q));
        }
    }
    SPOOR_TRY(exec(s, "PRAGMA cache_size=-65536"));
    SPOOR_TRY(check_schema(s, path, 0));
    {
        sqlite3_stmt *st_m = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "SELECT key, value FROM meta WHERE key IN "
                               "('id', 'created')",
                               -1, &st_m, NULL) == SQLITE_OK) {
            while (sqlite3_step(st_m) == SQLITE_ROW) {
                const char *k = (const char *)sqlite3_column_text(st_m, 0);
                const char *v = (const char *)sqlite3_column_text(st_m, 1);
                if (k && v && !strcmp(k, "id"))
                    snprintf(s->id, sizeof(s->id), "%s", v);
                else if (k && v)
                    snprintf(s->created, sizeof(s->created), "%s", v);
            }
        }
        sqlite3_finalize(st_m);
    }
    SPOOR_TRY(load_segments(s));
    SPOOR_TRY(spoor_store__reload_gone(s));
done:
    spoor__free(dbpath);
    if (error < 0) {
        spoor_store_free(s);
        return error;
    }
    *out = s;
    return 0;
}

void spoor_store_free(spoor_store *s)
{
    if (!s)
        return;
    if (s->in_tx && spoor_store_commit(s) < 0)
        exec(s, "ROLLBACK");
    {
        size_t i;
        for (i = 0; i < s->n_segs; i++)
            spoor_segment__close(&s->segs[i]);
        spoor__free(s->segs);
        spoor__free(s->pending);
    }
    sqlite3_finalize(s->st_lookup);
    sqlite3_finalize(s->st_sha);
    sqlite3_finalize(s->st_add_content);
    sqlite3_finalize(s->st_add_item);
    sqlite3_finalize(s->st_find_item);
    sqlite3_finalize(s->st_add_date);
    sqlite3_finalize(s->st_add_meta);
    sqlite3_finalize(s->st_content);
    sqlite3_finalize(s->st_family);
    sqlite3_finalize(s->st_dates);
    sqlite3_finalize(s->st_meta);
    sqlite3_finalize(s->st_occ);
    sqlite3_finalize(s->st_text);
    sqlite3_finalize(s->st_held);
    sqlite3_close(s->db);
    ZSTD_freeCCtx(s->zctx);
    ZSTD_freeDCtx(s->dctx);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* lets the lock go */
    spoor__free(s->gone);
    spoor__free(s->path);
    spoor__free(s);
}

void spoor_store_set_commit_every(spoor_store *s, size_t items)
{
    s->commit_every = items ? items : 1;
}

const char *spoor_store_path(const spoor_store *s)
{
    return s->path;
}

const char *spoor_store_id(const spoor_store *s)
{
    return s->id;
}

const char *spoor_store_created(const spoor_store *s)
{
    return s->created;
}

/* ==== Writing ==== */

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

static int valid_kind(const char *k)
{
    return !strcmp(k, "internal") || !strcmp(k, "release") ||
           !strcmp(k, "suspect") || !strcmp(k, "reference") ||
           !strcmp(k, "boilerplate");
}

int spoor_store_collection(spoor_store *s, const char *name, const char *kind,
                           const char *date, const char *note, int64_t *id_out)
{
    sqlite3_stmt *st = NULL;
    int error = 0, rc;
    char now[32];

    if (kind && !valid_kind(kind))
        return spoor__error_set(SPOOR_EINVALID,
                                "collection '%s': unknown kind '%s' (internal, "
                                "release, suspect, reference or "
                                "boilerplate)",
                                name, kind);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, kind, date FROM collections "
                           "WHERE name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(s, "collections");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 1);
        const char *d = (const char *)sqlite3_column_text(st, 2);
        *id_out = sqlite3_column_int64(st, 0);
        if (kind && strcmp(kind, k))
            error = spoor__error_set(SPOOR_EEXISTS,
                                     "collection '%s' exists with kind '%s', "
                                     "not '%s'",
                                     name, k, kind);
        else if (date && (!d || strcmp(date, d)))
            error = spoor__error_set(SPOOR_EEXISTS,
                                     "collection '%s' exists with date '%s', "
                                     "not '%s'",
                                     name, d ? d : "(none)", date);
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
    sqlite3_bind_text(st, 2, kind ? kind : "reference", -1, SQLITE_STATIC);
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

/* Run an UPDATE or DELETE of one row named name (bound last): 0, or
 * SPOOR_ENOTFOUND naming what when no row has that name. */
static int change_named(spoor_store *s, const char *sql, const char *what,
                        const char *name, const char *const *args, size_t n)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc, error = 0;
    if (s->readonly)
        return spoor__error_set(SPOOR_EINVALID, "index '%s' is open read-only",
                                s->path);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(s, what);
    for (i = 0; i < n; i++)
        sqlite3_bind_text(st, (int)i + 1, args[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, (int)n + 1, name, -1, SQLITE_STATIC);
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
    const char *args[1] = {new_name};
    int error = valid_name("collection", new_name);
    if (error < 0)
        return error;
    return change_named(s, "UPDATE collections SET name = ? WHERE name = ?",
                        "collection", old_name, args, 1);
}

int spoor_store_collection_set(spoor_store *s, const char *name,
                               const char *kind, const char *date,
                               const char *note)
{
    const char *args[1];
    int error = 0;
    if (kind && !valid_kind(kind))
        return spoor__error_set(SPOOR_EINVALID,
                                "unknown kind '%s' (internal, release, "
                                "suspect, reference or boilerplate)",
                                kind);
    if (kind && (args[0] = kind,
                 error = change_named(
                     s, "UPDATE collections SET kind = ? WHERE name = ?",
                     "collection", name, args, 1)) < 0)
        return error;
    if (date && (args[0] = date,
                 error = change_named(
                     s, "UPDATE collections SET date = ? WHERE name = ?",
                     "collection", name, args, 1)) < 0)
        return error;
    if (note && (args[0] = note,
                 error = change_named(
                     s, "UPDATE collections SET note = ? WHERE name = ?",
                     "collection", name, args, 1)) < 0)
        return error;
    return 0;
}

int spoor_store_event_rm(spoor_store *s, const char *name)
{
    return change_named(s, "DELETE FROM events WHERE name = ?", "event", name,
                        NULL, 0);
}

int spoor_store__by_sha256(spoor_store *s, const char *sha256, int64_t *out)
{
    int error, rc;
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
    void *z; /* the text, zstd-compressed */
    size_t zlen;
    spoor_fp *sorted; /* the fingerprints by (hash, pos) */
} prepared_item;

/* Compress text with cctx (created on first use) into *z, *zlen: one
 * frame, or parts and their table for a long text (text_parts.c). */
static int compress_text(ZSTD_CCtx **cctx, const spoor_doc *doc, void **z,
                         size_t *zlen)
{
    *z = NULL;
    *zlen = 0;
    if (!doc->text.size)
        return 0;
    if (!*cctx && !(*cctx = ZSTD_createCCtx()))
        return spoor__error_oom();
    return spoor_text__compress(*cctx, ZSTD_LEVEL, doc->text.ptr,
                                doc->text.size, z, zlen);
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
    if ((error = compress_text(&thread_cctx, &item->doc, &p->z, &p->zlen)) <
            0 ||
        (error = sort_fps(item, &p->sorted)) < 0) {
        spoor_store__prepared_free(p);
        return error;
    }
    if (p->z) { /* held in a queue until stored: keep only what is used */
        void *small = spoor__realloc(p->z, p->zlen ? p->zlen : 1);
        if (small)
            p->z = small;
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
    spoor__free(p->z);
    spoor__free(p->sorted);
    spoor__free(p);
}

static int store_content(spoor_store *s, const spoor_item *item, int64_t *out)
{
    const spoor_doc *doc = &item->doc;
    const prepared_item *ready = item->prepared;
    spoor_fp *sorted = NULL, *own_sorted = NULL;
    void *z = NULL, *own_z = NULL;
    const char *thread;
    size_t zlen = 0, i, thread_len = 0;
    int64_t id;
    int error = 0;

    if (ready) {
        z = ready->z;
        zlen = ready->zlen;
        sorted = ready->sorted;
    } else {
        SPOOR_TRY(compress_text(&s->zctx, doc, &own_z, &zlen));
        SPOOR_TRY(sort_fps(item, &own_sorted));
        z = own_z;
        sorted = own_sorted;
    }
    SPOOR_TRY(prepare(s, &s->st_add_content,
                      "INSERT INTO contents(sha256, format, encoding, "
                      "warning, bytes, text_bytes, canon_len, fp_bytes, "
                      "n_fps, text, header_bytes, header_chars, thread) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"));
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
    sqlite3_bind_int64(s->st_add_content, 9, (sqlite3_int64)item->fps.n);
    if (z)
        sqlite3_bind_blob(s->st_add_content, 10, z, (int)zlen, SQLITE_STATIC);
    sqlite3_bind_int64(s->st_add_content, 11, (sqlite3_int64)doc->header_bytes);
    sqlite3_bind_int64(s->st_add_content, 12,
                       (sqlite3_int64)item->header_chars);
    thread = thread_root(doc, &thread_len);
    if (thread)
        sqlite3_bind_text(s->st_add_content, 13, thread, (int)thread_len,
                          SQLITE_STATIC);
    if (sqlite3_step(s->st_add_content) != SQLITE_DONE) {
        error = db_error(s, "store content");
        goto done;
    }
    id = sqlite3_last_insert_rowid(s->db);

    if (id > UINT32_MAX) {
        error = spoor__error_set(SPOOR_ELIMIT, "index '%s' holds 4G contents",
                                 s->path);
        goto done;
    }
    SPOOR_TRY(spoor__array_reserve((void **)&s->pending, &s->cap_pending,
                                   s->n_pending + item->fps.n,
                                   sizeof(spoor_seg_entry)));
    for (i = 0; i < item->fps.n; i++) {
        spoor_seg_entry *e;
        if (i >= MAX_POSTINGS_PER_HASH &&
            sorted[i - MAX_POSTINGS_PER_HASH].hash == sorted[i].hash)
            continue;
        e = &s->pending[s->n_pending++];
        e->hash = sorted[i].hash;
        e->content = (uint32_t)id;
        e->pos = sorted[i].pos;
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
    spoor__free(own_z);
    spoor__free(own_sorted);
    return error;
}

int spoor_store_add_item(spoor_store *s, int64_t collection,
                         const spoor_item *item, int *status_out)
{
    int64_t content;
    int error, rc, status = SPOOR_ADD_DUPLICATE;
    char now[32];

    if ((error = begin(s)) < 0)
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
        return spoor_store_commit(s);
    return 0;
}

int spoor_store_add_event(spoor_store *s, const char *name, const char *date,
                          const char *note)
{
    sqlite3_stmt *st = NULL;
    int error = 0;
    if ((error = valid_name("event", name)) < 0)
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

/* ==== Reading ==== */

int spoor_store__lookup(spoor_store *s, uint64_t hash, size_t common,
                        spoor_postings *out, int *common_out)
{
    size_t start = out->n, distinct = 0, g;
    int error;

    *common_out = 0;
    for (g = 0; g < s->n_segs; g++) {
        spoor_seg_cursor cur;
        spoor_seg_entry entry, *en = &entry;
        uint32_t last = 0;
        int have = 0, r;
        spoor_segment__seek(&s->segs[g], spoor_seg__mix(hash), &cur);
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
    return ids_of(s, "SELECT id FROM contents WHERE thread = ? ORDER BY id",
                  root, "thread", ids, n);
}

int spoor_store__contents(spoor_store *s, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *out = 0;
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
    error = spoor_segment__shared(s->segs, s->n_segs, *bits, *n_bits);
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

int spoor_store_resolve(spoor_store *s, const char *ref, int64_t *out)
{
    const char *id = ref[0] == '#' ? ref + 1 : ref;
    const char *colon;
    int count = 0, error;
    size_t len = strlen(ref);

    if (*id && strspn(id, "0123456789") == strlen(id) && strlen(id) < 19) {
        error = resolve_query(s, "SELECT content_id FROM items WHERE id = ?",
                              id, NULL, out, &count);
        if (error < 0 || count == 1)
            return error;
    }
    if (len >= 8 && len <= 64 && is_hex(ref)) {
        char pattern[80];
        snprintf(pattern, sizeof(pattern), "%s*", ref);
        for (char *p = pattern; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p - 'A' + 'a');
        error = resolve_query(s, "SELECT id FROM contents WHERE sha256 GLOB ?",
                              pattern, NULL, out, &count);
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
        error = resolve_query(s,
                              "SELECT DISTINCT i.content_id FROM items i JOIN "
                              "collections c ON c.id = i.collection_id "
                              "WHERE c.name = ? AND i.path = ?",
                              coll, colon + 1, out, &count);
        spoor__free(coll);
        if (error < 0 || count == 1)
            return error;
    }
    error = resolve_query(s,
                          "SELECT DISTINCT content_id FROM items "
                          "WHERE path = ?",
                          ref, NULL, out, &count);
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

int spoor_store_record(spoor_store *s, int64_t content, spoor_record **out)
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

/* The error for a stored text that does not read back. */
static int damaged_text(spoor_store *s, int64_t content)
{
    return spoor__error_set(SPOOR_ECORRUPT,
                            "index '%s': stored text of content %lld is "
                            "damaged",
                            s->path, (long long)content);
}

/* The store's decompression context, made on first use. */
static ZSTD_DCtx *dctx_of(spoor_store *s)
{
    if (!s->dctx)
        s->dctx = ZSTD_createDCtx();
    return s->dctx;
}

int spoor_store_text(spoor_store *s, int64_t content, spoor_buf *out)
{
    sqlite3_stmt *st = NULL;
    const void *z;
    int zlen, error = 0;
    unsigned long long size;
    size_t got;

    spoor_buf_clear(out);
    if ((error =
             prepare(s, &s->st_text,
                     "SELECT text, text_bytes FROM contents WHERE id = ?")) < 0)
        return error;
    st = s->st_text;
    sqlite3_bind_int64(st, 1, content);
    if (sqlite3_step(st) != SQLITE_ROW) {
        error = spoor__error_set(SPOOR_ENOTFOUND, "no content %lld",
                                 (long long)content);
        goto done;
    }
    z = sqlite3_column_blob(st, 0);
    zlen = sqlite3_column_bytes(st, 0);
    if (!z || zlen == 0)
        goto done;
    /* one frame, or a table and the parts' frames (text_parts.c): either
     * way it decompresses to text_bytes */
    size = (unsigned long long)sqlite3_column_int64(st, 1);
    if (size == 0 || size > SPOOR_MAX_TEXT_BYTES) {
        error = damaged_text(s, content);
        goto done;
    }
    if (!dctx_of(s)) {
        error = spoor__error_oom();
        goto done;
    }
    SPOOR_TRY(spoor_buf_grow(out, (size_t)size));
    got = ZSTD_decompressDCtx(s->dctx, out->ptr, (size_t)size, z, (size_t)zlen);
    if (ZSTD_isError(got) || got != size) {
        error = damaged_text(s, content);
        goto done;
    }
    out->size = got;
    out->ptr[got] = '\0';
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

    memset(t, 0, sizeof(*t));
    t->content = content;
    /* most sources are short: one frame, read whole by spoor_store_text,
     * without opening the blob here first */
    if (!spoor_text__may_have_parts(text_bytes))
        return 0;
    /* a NULL text (an empty one) has no blob to open, and no parts */
    if (sqlite3_blob_open(s->db, "main", "contents", "text", content, 0,
                          &blob) != SQLITE_OK)
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
            error = damaged_text(s, content);
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
    size_t bytes = b->byte + b->bytes - a->byte, i, at = 0;
    int error = 0;

    spoor_buf_clear(out);
    if (!dctx_of(s))
        return spoor__error_oom();
    t->z.size = 0;
    SPOOR_TRY(spoor_buf_grow(&t->z, zbytes));
    SPOOR_TRY(spoor_buf_grow(out, bytes));
    if (sqlite3_blob_read(t->blob, t->z.ptr, (int)zbytes, (int)a->zoff) !=
        SQLITE_OK)
        return db_error(s, "stored text");
    for (i = first; i < end; i++) {
        const spoor_text_part *p = &t->toc.v[i];
        size_t got =
            ZSTD_decompressDCtx(s->dctx, out->ptr + at, p->bytes,
                                t->z.ptr + (p->zoff - a->zoff), p->zbytes);
        if (ZSTD_isError(got) || got != p->bytes)
            return damaged_text(s, t->content);
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

int spoor_store_events(spoor_store *s, spoor_event **out, size_t *n_out)
{
    sqlite3_stmt *st = NULL;
    spoor_event *ev = NULL;
    size_t n = 0, cap = 0;
    int error = 0, rc;

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

int spoor_store_stats(spoor_store *s, spoor_stats *out)
{
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
