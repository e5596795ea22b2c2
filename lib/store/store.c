/*
 * store.c: the SQLite catalogue (see spoor/store.h): opening and creating
 * an index, its schema, the writer's lock, read-only media, read
 * transactions. The rest of the store is split by job (store_priv.h):
 * store_segments.c, store_write.c, store_read.c.
 *
 * contents holds each distinct sha256 once with its zstd-compressed text;
 * items holds every (collection, path) occurrence; segments lists the
 * postings segment files (segment.c) that committed transactions wrote;
 * postings of the open transaction wait in memory. Writes run inside a
 * transaction that add_item commits every BATCH_ITEMS items
 * (spoor_store_set_commit_every) or BATCH_BYTES bytes of text; SQLite's
 * journal makes each commit atomic, so an interrupted add keeps every
 * committed item and nothing half-written.
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

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS collections(id INTEGER PRIMARY KEY,"
    " name TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, date TEXT, note TEXT,"
    " created TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS contents(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " sha256 TEXT UNIQUE NOT NULL, format TEXT NOT NULL, encoding TEXT,"
    " warning TEXT, bytes INTEGER NOT NULL, text_bytes INTEGER NOT NULL,"
    " canon_len INTEGER NOT NULL, fp_bytes INTEGER NOT NULL,"
    " n_fps INTEGER NOT NULL,"
    " header_bytes INTEGER NOT NULL DEFAULT 0,"
    " header_chars INTEGER NOT NULL DEFAULT 0, thread TEXT);"
    /* the compressed text of a content with text: its own table, the blob
     * its last column, so that a long one is written a piece at a time
     * into a zeroblob (store_write.c) */
    "CREATE TABLE IF NOT EXISTS texts(content_id INTEGER PRIMARY KEY,"
    " z BLOB NOT NULL);"
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

/* ==== Read transactions ==== */

int spoor_store__read_begin(spoor_store *s)
{
    int error;
    if (s->pg)
        return spoor_pg__read_begin(s);
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
    if (s->pg) {
        spoor_pg__read_end(s);
        return;
    }
    if (!s->in_read || --s->in_read)
        return;
    (void)sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
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
    else if (v && !strcmp(v, "4"))
        error = spoor__error_set(
            SPOOR_ECORRUPT,
            "index '%s' has catalogue schema 4, made by an older spoor that "
            "kept texts in another table; build the index again with spoor "
            "add",
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

/* A shared index on PostgreSQL, to read (pg_store.c). */
static int open_shared(spoor_store **out, const char *url)
{
    spoor_store *s = spoor__calloc(1, sizeof(*s));
    int error;
    if (!s)
        return spoor__error_oom();
    s->lock_fd = -1;
    s->readonly = 1;
    if ((error = spoor_pg__open(s, url)) < 0) {
        spoor_store_free(s);
        return error;
    }
    *out = s;
    return 0;
}

/* A write to the shared index at url: into a new local index in a folder
 * of its own under $TMPDIR, which spoor_store_commit pushes to url (push.c)
 * and spoor_store_free deletes. The server is asked first, so that a
 * wrong URL fails before any work. */
static int open_staging(spoor_store **out, const char *url, int flags)
{
    spoor_store *probe = NULL;
    const char *tmp = getenv("TMPDIR");
    char dir[4096], *shown;
    int error;

    if ((error = open_shared(&probe, url)) < 0 && error != SPOOR_ENOTFOUND)
        return error; /* ENOTFOUND: no index there yet, push makes it */
    spoor_store_free(probe);
    if ((error = spoor_pg__shown(url, &shown)) < 0)
        return error;
    snprintf(dir, sizeof(dir), "%s/spoor-staging-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        error = spoor__error_set(SPOOR_EIO,
                                 "cannot make a staging folder for '%s' in "
                                 "'%s': %s",
                                 shown, tmp && *tmp ? tmp : "/tmp",
                                 strerror(errno));
        spoor__free(shown);
        return error;
    }
    if ((error = spoor_store_open(out, dir, flags | SPOOR_STORE_CREATE)) < 0) {
        (void)rmdir(dir);
        spoor__free(shown);
        return error;
    }
    (*out)->shown = shown;
    if (!((*out)->push_url = spoor__strdup(url))) {
        spoor_store_free(*out);
        *out = NULL;
        return spoor__error_oom();
    }
    return 0;
}

/* Delete the staging folder of s and what is in it (files spoor wrote). */
static void remove_staging(spoor_store *s)
{
    DIR *d = opendir(s->path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            spoor_store__remove_file(s, e->d_name);
    if (d)
        closedir(d);
    (void)rmdir(s->path);
}

int spoor_store__writable(const spoor_store *s, int changes)
{
    if (s->pg || s->readonly)
        return spoor__error_set(SPOOR_EINVALID, "index '%s' is open read-only",
                                spoor_store_path(s));
    if (changes && s->push_url)
        return spoor__error_set(
            SPOOR_EUNSUPPORTED,
            "shared index '%s': spoor adds to a shared index, renames, "
            "re-dates and notes its collections and removes its events, but "
            "cannot yet remove collections, change their kind (which moves "
            "their postings between who sees them) or optimize it; do that "
            "on a local index and push it into a new database",
            spoor_store_path(s));
    return 0;
}

int spoor_store_commit(spoor_store *s)
{
    spoor_push_stats st;
    int error;
    if ((error = spoor_store__writable(s, 0)) < 0)
        return error;
    if ((error = spoor_store__commit(s)) < 0 || !s->push_url)
        return error;
    return spoor_store__push(&st, s, s->push_url);
}

int spoor_store__reopen(spoor_store *s, spoor_store **out)
{
    return s->pg ? spoor_pg__reopen(s, out)
                 : spoor_store_open(out, s->path, SPOOR_STORE_READONLY);
}

/* The catalogue's PRAGMA data_version: it changes when another
 * connection commits. -1 when it cannot be read. */
static int64_t data_version(spoor_store *s)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int spoor_store_changed(spoor_store *s)
{
    if (s->pg || s->in_read || s->in_tx)
        return 0;
    return data_version(s) != s->data_version;
}

int spoor_store_open(spoor_store **out, const char *path, int flags)
{
    spoor_store *s = NULL;
    char *dbpath = NULL;
    struct stat st;
    int error = 0, oflags;
    size_t n;

    *out = NULL;
    if (spoor_pg__is_url(path))
        return (flags & SPOOR_STORE_READONLY) ? open_shared(out, path)
                                              : open_staging(out, path, flags);
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
    s->pending_max = spoor_store__pending_max();
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
        /* a new catalogue's pages are 16 KiB (SQLite's default is 4):
         * ingest's storing thread writes fewer, larger pages, 12-20 % less
         * of its CPU (docs/performance.md); an existing catalogue keeps
         * its own, and WAL mode fixes it from here on */
        SPOOR_TRY(exec(s, "PRAGMA page_size=16384"));
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
    SPOOR_TRY(spoor_store__search_register(s));
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
    SPOOR_TRY(spoor_store__load_segments(s));
    SPOOR_TRY(spoor_store__reload_gone(s));
    s->data_version = data_version(s);
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
    spoor_pg__close(s);
    if (s->in_tx && spoor_store__commit(s) < 0)
        exec(s, "ROLLBACK");
    {
        size_t i;
        for (i = 0; i < s->n_segs; i++)
            spoor_segment__close(&s->segs[i]);
        spoor__free(s->segs);
        spoor__free(s->pending);
        spoor_store__drop_runs(s);
        spoor__free(s->runs);
        spoor__free(s->run_names);
    }
    sqlite3_finalize(s->st_lookup);
    sqlite3_finalize(s->st_sha);
    sqlite3_finalize(s->st_add_content);
    sqlite3_finalize(s->st_add_item);
    sqlite3_finalize(s->st_find_item);
    sqlite3_finalize(s->st_add_date);
    sqlite3_finalize(s->st_add_meta);
    sqlite3_finalize(s->st_add_text);
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
    if (s->push_url)
        remove_staging(s);
    spoor__free(s->push_url);
    spoor__free(s->shown);
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
    return s->shown ? s->shown : s->path;
}

const char *spoor_store_id(const spoor_store *s)
{
    return s->id;
}

const char *spoor_store_created(const spoor_store *s)
{
    return s->created;
}
