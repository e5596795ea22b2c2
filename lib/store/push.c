/*
 * push.c: copy a local index into a shared one on PostgreSQL (spoor push,
 * and the commit of a staging index that add writes into a shared index
 * through; the layout: docs/design.md, "A shared index on PostgreSQL").
 *
 * One transaction, under an advisory lock that serialises pushes into one
 * shared index (a second waits for the first to commit: no deadlock
 * between two pushes inserting the same contents in other orders, and the
 * schema is made once, by its first pusher, who owns it): the schema
 * `spoor` if missing, then collections (by name, of the same kind and
 * date), contents (by sha256: a content already there keeps its row, its
 * texts and its postings, since the writer whose row it is wrote them),
 * their texts (the same zstd parts), dates and metadata, items, events and
 * DKIM keys, each row added only when missing, so pushing again adds
 * nothing. Postings go, with their PostgreSQL content ids, into rows of
 * `spoor.postings` (bucket, batch, data): one row per bucket of a batch,
 * the bucket's postings sorted by (key, content, pos), delta- and
 * varint-coded, written by binary COPY. A push has two batches: the
 * contents a release holds (shared: every member reads them) and the
 * others (the pusher's own; row-level security, see pg_schema). As each
 * segment has its own directory bits, each batch has its own bucket bits
 * (spoor.batch), chosen for about BUCKET_POSTINGS postings a bucket: the
 * top bits of the segment key. Removed contents (tombstones) are not
 * pushed. Where row-level security applies to the pusher, COPY cannot
 * write to the tables, and the rows are staged in temporary tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../module/module.h"
#include "pg_ops.h"
#include "pg_store.h"

/* The postings a batch's bucket holds, about (bench/pg_layout.c: buckets
 * of 19 to 76 cost 11 to 8 bytes a posting). Format 2: dates and metadata
 * keep their order (an id each); format 1 is refused. */
#define PG_FORMAT SPOOR_PG_FORMAT
#define BUCKET_POSTINGS 32
#define COPY_CHUNK ((size_t)1 << 20)

static const char *const pg_schema =
    "CREATE SCHEMA IF NOT EXISTS spoor;"
    "CREATE TABLE IF NOT EXISTS spoor.meta(key text PRIMARY KEY, value text);"
    "CREATE TABLE IF NOT EXISTS spoor.collections(id bigserial PRIMARY KEY,"
    " name text UNIQUE NOT NULL, kind text NOT NULL, date text, note text,"
    " created text NOT NULL, owner name NOT NULL DEFAULT current_user);"
    "CREATE TABLE IF NOT EXISTS spoor.contents(id bigserial PRIMARY KEY,"
    " sha256 text UNIQUE NOT NULL, format text NOT NULL, encoding text,"
    " warning text, bytes int8 NOT NULL, text_bytes int8 NOT NULL,"
    " canon_len int8 NOT NULL, fp_bytes int4 NOT NULL, n_fps int8 NOT NULL,"
    " header_bytes int8 NOT NULL, header_chars int8 NOT NULL, thread text,"
    " owner name NOT NULL DEFAULT current_user);"
    "CREATE TABLE IF NOT EXISTS spoor.texts(content_id int8 PRIMARY KEY"
    " REFERENCES spoor.contents(id), z bytea NOT NULL);"
    /* zstd compressed them: stored out of line uncompressed, a part of a
     * long text can be read by substring() without the rest */
    "ALTER TABLE spoor.texts ALTER COLUMN z SET STORAGE EXTERNAL;"
    "CREATE TABLE IF NOT EXISTS spoor.items(id bigserial PRIMARY KEY,"
    " content_id int8 NOT NULL REFERENCES spoor.contents(id),"
    " collection_id int8 NOT NULL REFERENCES spoor.collections(id),"
    " path text NOT NULL, depth int4 NOT NULL, added text NOT NULL,"
    " UNIQUE(collection_id, path, content_id));"
    "CREATE INDEX IF NOT EXISTS items_content ON spoor.items(content_id);"
    "CREATE TABLE IF NOT EXISTS spoor.dates(id bigserial PRIMARY KEY,"
    " content_id int8 NOT NULL"
    " REFERENCES spoor.contents(id), field text NOT NULL, value text NOT NULL,"
    " source text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS dates_content ON spoor.dates(content_id);"
    "CREATE TABLE IF NOT EXISTS spoor.metadata(id bigserial PRIMARY KEY,"
    " content_id int8 NOT NULL"
    " REFERENCES spoor.contents(id), key text NOT NULL, value text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS metadata_content ON spoor.metadata(content_id);"
    "CREATE TABLE IF NOT EXISTS spoor.events(id bigserial PRIMARY KEY,"
    " name text UNIQUE NOT NULL, date text NOT NULL, note text);"
    "CREATE TABLE IF NOT EXISTS spoor.dkim_keys(id bigserial PRIMARY KEY,"
    " name text NOT NULL, record text NOT NULL, source text, observed text,"
    " published text, added text NOT NULL, UNIQUE(name, record));"
    "CREATE SEQUENCE IF NOT EXISTS spoor.batches;"
    "CREATE TABLE IF NOT EXISTS spoor.batch(id int8 PRIMARY KEY,"
    " bits int4 NOT NULL, postings int8 NOT NULL,"
    " owner name NOT NULL DEFAULT current_user, shared bool NOT NULL,"
    " created timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS spoor.postings(bucket int8 NOT NULL,"
    " batch int8 NOT NULL, data bytea NOT NULL, PRIMARY KEY(bucket, batch));"
    /* who sees what (row-level security; the schema's owner, who made it,
     * sees everything): a collection of kind release, or one's own; the
     * items of the collections one sees; a content one of them holds, or
     * that one wrote; the texts, dates and metadata of those; the
     * postings of the shared batches and of one's own */
    "CREATE FUNCTION spoor.content_id(text) RETURNS int8 LANGUAGE sql STABLE"
    " SECURITY DEFINER SET search_path = pg_catalog AS"
    " 'SELECT id FROM spoor.contents WHERE sha256 = $1';"
    "ALTER TABLE spoor.collections ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY see ON spoor.collections FOR SELECT USING"
    " (kind = 'release' OR owner = current_user);"
    "CREATE POLICY add ON spoor.collections FOR INSERT WITH CHECK"
    " (owner = current_user);"
    "ALTER TABLE spoor.items ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY see ON spoor.items USING (EXISTS (SELECT 1 FROM"
    " spoor.collections c WHERE c.id = collection_id));"
    "ALTER TABLE spoor.contents ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY see ON spoor.contents FOR SELECT USING (owner ="
    " current_user OR EXISTS (SELECT 1 FROM spoor.items i WHERE"
    " i.content_id = contents.id));"
    "CREATE POLICY add ON spoor.contents FOR INSERT WITH CHECK"
    " (owner = current_user);"
    "ALTER TABLE spoor.texts ENABLE ROW LEVEL SECURITY;"
    "ALTER TABLE spoor.dates ENABLE ROW LEVEL SECURITY;"
    "ALTER TABLE spoor.metadata ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY see ON spoor.texts USING (EXISTS (SELECT 1 FROM"
    " spoor.contents c WHERE c.id = content_id));"
    "CREATE POLICY see ON spoor.dates USING (EXISTS (SELECT 1 FROM"
    " spoor.contents c WHERE c.id = content_id));"
    "CREATE POLICY see ON spoor.metadata USING (EXISTS (SELECT 1 FROM"
    " spoor.contents c WHERE c.id = content_id));"
    "ALTER TABLE spoor.batch ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY see ON spoor.batch FOR SELECT USING (shared OR owner ="
    " current_user);"
    "CREATE POLICY add ON spoor.batch FOR INSERT WITH CHECK"
    " (owner = current_user);"
    "ALTER TABLE spoor.postings ENABLE ROW LEVEL SECURITY;"
    "CREATE POLICY see ON spoor.postings FOR SELECT USING (EXISTS (SELECT 1"
    " FROM spoor.batch b WHERE b.id = batch));"
    "CREATE POLICY add ON spoor.postings FOR INSERT WITH CHECK (true);";

/* One of a push's two batches of postings: the shared one (contents
 * that a release holds, which every reader sees) and the pusher's own. */
typedef struct push_batch {
    int64_t id;      /* spoor.batch id */
    unsigned shift;  /* segment key >> shift: the bucket */
    uint64_t expect; /* postings of its contents (their n_fps) */
    uint64_t postings;
    spoor_seg_entry *bkt; /* the bucket being gathered */
    size_t n_bkt, cap_bkt;
    uint64_t bucket;
    int have_bucket;
} push_batch;

/* What a push writes of a local content (pusher.how). */
enum { PUSH_ROWS = 1, PUSH_POSTINGS = 2, PUSH_SHARED = 4 };

typedef struct pusher {
    spoor_store *s;
    const spoor_pg_ops *ops; /* libpq, from the PostgreSQL module */
    spoor_pg *pg;
    const char *where; /* the connection, for messages (no password) */
    spoor_push_stats *st;
    push_batch batch[2]; /* 0: shared, 1: the pusher's own */
    int64_t *map;        /* local content id -> PostgreSQL id; 0: not pushed */
    unsigned char *how;  /* local content id -> PUSH_ flags: its text, dates
                            and metadata are written (new), its postings
                            (new, or there but unseen), in the shared batch
                            (a release holds it) */
    size_t n_map;
    int64_t *coll; /* local collection id -> PostgreSQL id */
    size_t n_coll;
    int rls; /* row-level security applies to this role: COPY cannot
                write to its tables, so rows are staged first */
    unsigned char *copy, *row; /* COPY data not sent yet; a bucket's row */
    size_t n_copy, cap_row;
} pusher;

/* SPOOR_EIO naming the shared index and PostgreSQL's message. */
static int pg_error(pusher *p, const char *what)
{
    return spoor__error_set(SPOOR_EIO, "shared index '%s': %s: %s", p->where,
                            what, p->ops->error(p->pg));
}

/* Run sql with text parameters (without any: as a simple query, which
 * may hold several statements); *out (when not NULL) gets the result;
 * what names the step in a message. @return 0 or SPOOR_EIO. */
static int pg_run(pusher *p, spoor_pg_result **out, const char *what,
                  const char *sql, int n, const char *const *params)
{
    if (p->ops->exec(p->pg, out, sql, n, params, NULL, NULL, 0) < 0)
        return pg_error(p, what);
    return 0;
}

/* The int8 in the first column of r's first row, or 0 without a row. */
static int64_t first_int(const pusher *p, const spoor_pg_result *r)
{
    return p->ops->rows(r) > 0 ? strtoll(p->ops->value(r, 0, 0), NULL, 10) : 0;
}

/* A SQLite column as a text parameter (NULL stays NULL). */
static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Create the schema if missing and check its format; this push's batch. */
static int prepare_schema(pusher *p)
{
    static const char *const format[] = {"format", PG_FORMAT};
    spoor_pg_result *r = NULL;
    int error = 0;

    SPOOR_TRY(pg_run(p, NULL, "locking the schema",
                     "SELECT pg_advisory_xact_lock(7372317)", 0, NULL));
    /* made once, by its owner (an administrator: members cannot alter
     * tables they do not own) */
    SPOOR_TRY(pg_run(p, &r, "the schema",
                     "SELECT to_regclass('spoor.meta') IS NULL", 0, NULL));
    if (p->ops->value(r, 0, 0)[0] == 't')
        SPOOR_TRY(pg_run(p, NULL, "making the schema", pg_schema, 0, NULL));
    p->ops->clear(r);
    r = NULL;
    SPOOR_TRY(pg_run(p, NULL, "its format",
                     "INSERT INTO spoor.meta VALUES ($1, $2), ('id', "
                     "replace(gen_random_uuid()::text, '-', '')), "
                     "('created', to_char(now() AT TIME ZONE 'UTC', "
                     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ON CONFLICT DO "
                     "NOTHING",
                     2, format));
    SPOOR_TRY(pg_run(p, &r, "its format",
                     "SELECT value FROM spoor.meta WHERE key = $1", 1, format));
    if (p->ops->rows(r) != 1 || strcmp(p->ops->value(r, 0, 0), PG_FORMAT)) {
        error = spoor__error_set(
            SPOOR_EUNSUPPORTED,
            "shared index '%s' has format %s, this spoor "
            "writes format " PG_FORMAT,
            p->where, p->ops->rows(r) ? p->ops->value(r, 0, 0) : "?");
        goto done;
    }
    p->ops->clear(r);
    SPOOR_TRY(pg_run(p, &r, "its batches",
                     "SELECT nextval('spoor.batches'), "
                     "nextval('spoor.batches'), "
                     "row_security_active('spoor.postings')",
                     0, NULL));
    p->batch[0].id = first_int(p, r);
    p->batch[1].id = strtoll(p->ops->value(r, 0, 1), NULL, 10);
    p->rls = p->ops->value(r, 0, 2)[0] == 't';
done:
    p->ops->clear(r);
    return error;
}

/* The bucket bits of a batch: buckets of about BUCKET_POSTINGS of the
 * postings it expects. */
static void choose_bits(push_batch *b)
{
    unsigned bits = 0;
    while (bits < SPOOR_SEG_KEY_BITS &&
           ((uint64_t)BUCKET_POSTINGS << (bits + 1)) <= b->expect)
        bits++;
    b->shift = SPOOR_SEG_KEY_BITS - bits;
}

/* Batch b's row in spoor.batch (shared: the shared one), once its
 * postings are written; none for a batch without any. */
static int record_batch(pusher *p, const push_batch *b, int shared)
{
    char id[24], bits[8], n[24];
    const char *v[4] = {id, bits, n, shared ? "t" : "f"};
    if (!b->postings)
        return 0;
    snprintf(id, sizeof(id), "%lld", (long long)b->id);
    snprintf(bits, sizeof(bits), "%u", SPOOR_SEG_KEY_BITS - b->shift);
    snprintf(n, sizeof(n), "%llu", (unsigned long long)b->postings);
    return pg_run(p, NULL, "a batch",
                  "INSERT INTO spoor.batch(id, bits, postings, shared) VALUES "
                  "($1, $2, $3, $4)",
                  4, v);
}

/* Step through a SQLite query's rows: each(p, st) per row. */
static int each_row(pusher *p, const char *sql,
                    int (*each)(pusher *p, sqlite3_stmt *st))
{
    sqlite3_stmt *st = NULL;
    int rc, error = 0;
    if (sqlite3_prepare_v2(p->s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return spoor__error_set(SPOOR_ECORRUPT, "index '%s': %s", p->s->path,
                                sqlite3_errmsg(p->s->db));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if ((error = each(p, st)) < 0)
            goto done;
    if (rc != SQLITE_DONE)
        error = spoor__error_set(SPOOR_ECORRUPT, "index '%s': %s", p->s->path,
                                 sqlite3_errmsg(p->s->db));
done:
    sqlite3_finalize(st);
    return error;
}

static int push_collection(pusher *p, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    const char *v[5] = {col(st, 1), col(st, 2), col(st, 3), col(st, 4),
                        col(st, 5)};
    spoor_pg_result *r = NULL;
    int error = 0;
    if (id < 0 || (size_t)id >= p->n_coll)
        return spoor__error_set(SPOOR_ECORRUPT, "index '%s': collection id",
                                p->s->path);
    SPOOR_TRY(pg_run(p, &r, "a collection",
                     "INSERT INTO spoor.collections(name, kind, date, note, "
                     "created) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) "
                     "DO NOTHING RETURNING id",
                     5, v));
    p->st->collections += p->ops->rows(r) > 0;
    if (p->ops->rows(r) == 0) { /* there already: items join it, when it
                                   is of the same kind and date */
        p->ops->clear(r);
        SPOOR_TRY(pg_run(p, &r, "a collection",
                         "SELECT id, kind, date FROM spoor.collections WHERE "
                         "name = $1",
                         1, v));
        if (p->ops->rows(r) == 0) {
            error = spoor__error_set(SPOOR_EEXISTS,
                                     "shared index '%s': collection '%s' is "
                                     "another member's; rename yours",
                                     p->where, v[0]);
            goto done;
        }
        SPOOR_TRY(spoor_store__same_collection(
            v[0], v[1], v[2], p->ops->value(r, 0, 1),
            p->ops->is_null(r, 0, 2) ? NULL : p->ops->value(r, 0, 2)));
    }
    p->coll[id] = first_int(p, r);
done:
    p->ops->clear(r);
    return error;
}

/* ==== COPY ==== */

/* v as a big-endian integer of bytes bytes. */
static void put_be(unsigned char *o, uint64_t v, int bytes)
{
    int i;
    for (i = bytes - 1; i >= 0; i--, v >>= 8)
        o[i] = (unsigned char)v;
}

/* Append data to the COPY buffer, sending it COPY_CHUNK at a time. */
static int copy_bytes(pusher *p, const void *data, size_t len)
{
    const unsigned char *d = data;
    while (len) {
        size_t n = COPY_CHUNK - p->n_copy;
        if (n > len)
            n = len;
        memcpy(p->copy + p->n_copy, d, n);
        p->n_copy += n;
        d += n;
        len -= n;
        if (p->n_copy == COPY_CHUNK) {
            if (p->ops->copy_put(p->pg, p->copy, p->n_copy) < 0)
                return pg_error(p, "COPY");
            p->n_copy = 0;
        }
    }
    return 0;
}

/* One CSV field (v NULL: SQL NULL), quoted, then a comma or, when last,
 * the end of the row. */
static int csv_field(pusher *p, const char *v, int last)
{
    int error = 0;
    if (v) {
        const char *q;
        SPOOR_TRY(copy_bytes(p, "\"", 1));
        while ((q = strchr(v, '"')) != NULL) { /* a quote is doubled */
            SPOOR_TRY(copy_bytes(p, v, (size_t)(q - v) + 1));
            SPOOR_TRY(copy_bytes(p, "\"", 1));
            v = q + 1;
        }
        SPOOR_TRY(copy_bytes(p, v, strlen(v)));
        SPOOR_TRY(copy_bytes(p, "\"", 1));
    }
    error = copy_bytes(p, last ? "\n" : ",", 1);
done:
    return error;
}

/* An int8 as a CSV field. */
static int csv_int(pusher *p, int64_t v, int last)
{
    char b[24];
    snprintf(b, sizeof(b), "%lld", (long long)v);
    return csv_field(p, b, last);
}

/* Start COPY sql (FROM STDIN), with the binary format's header when
 * binary. */
static int copy_begin(pusher *p, const char *sql, int binary)
{
    static const unsigned char head[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
    p->n_copy = 0;
    if (p->ops->copy_start(p->pg, sql) < 0)
        return pg_error(p, sql);
    return binary ? copy_bytes(p, head, sizeof(head)) : 0;
}

/* End the COPY sql that copy_begin started, whether or not it did: its
 * trailer when binary, what is left of the buffer, and the server's
 * answer; the COPY is aborted when error (the rows' error, returned) is
 * set. */
static int copy_finish(pusher *p, const char *sql, int binary, int error)
{
    static const unsigned char tail[2] = {0xff, 0xff};
    if (error == 0 && binary)
        error = copy_bytes(p, tail, sizeof(tail));
    if (error == 0 && p->n_copy &&
        p->ops->copy_put(p->pg, p->copy, p->n_copy) < 0)
        error = pg_error(p, sql);
    p->n_copy = 0;
    if (p->ops->copy_end(p->pg, error ? "spoor push failed" : NULL) < 0 &&
        error == 0)
        error = pg_error(p, sql);
    return error;
}

/* COPY sql (FROM STDIN) with the rows each(p, st) writes for every row of
 * the SQLite query q (in the binary format when binary). */
static int copy_rows(pusher *p, const char *sql, const char *q,
                     int (*each)(pusher *p, sqlite3_stmt *st), int binary)
{
    int error = copy_begin(p, sql, binary);
    if (error == 0)
        error = each_row(p, q, each);
    return copy_finish(p, sql, binary, error);
}

/* The PostgreSQL id of local content id, when this push writes what
 * flag (PUSH_ROWS, PUSH_POSTINGS) says of it, else 0. */
static int64_t id_to_write(const pusher *p, int64_t id, int flag)
{
    return id >= 0 && (size_t)id < p->n_map && (p->how[id] & flag) ? p->map[id]
                                                                   : 0;
}

/* The COPY statement (into sql) that writes rows into spoor.table, its
 * columns cols; where row-level security applies (COPY cannot write to
 * such a table) into a temporary table made for them, which stage_end
 * then inserts from, in the order they came. @return 0 or an error. */
static int stage_begin(pusher *p, const char *table, const char *cols,
                       int binary, char *sql, size_t cap)
{
    int error = 0;
    if (p->rls) {
        snprintf(sql, cap,
                 "CREATE TEMP TABLE push_%s AS SELECT %s FROM spoor.%s WITH "
                 "NO DATA; ALTER TABLE push_%s ADD COLUMN push_order "
                 "bigserial",
                 table, cols, table, table);
        error = pg_run(p, NULL, "staging rows", sql, 0, NULL);
    }
    snprintf(sql, cap, "COPY %s%s(%s) FROM STDIN (FORMAT %s)",
             p->rls ? "push_" : "spoor.", table, cols,
             binary ? "binary" : "csv");
    return error;
}

/* After stage_begin's COPY: the staged rows into spoor.table. */
static int stage_end(pusher *p, const char *table, const char *cols)
{
    char sql[512];
    if (!p->rls)
        return 0;
    snprintf(sql, sizeof(sql),
             "INSERT INTO spoor.%s(%s) SELECT %s FROM push_%s ORDER BY "
             "push_order; DROP TABLE push_%s",
             table, cols, cols, table, table);
    return pg_run(p, NULL, "rows", sql, 0, NULL);
}

/* COPY into spoor.table (its columns cols) the rows each(p, st) writes for
 * every row of the SQLite query q, in the binary format when binary, in
 * q's order. Where row-level security applies COPY cannot write to the
 * table: the rows go to a temporary table first. */
static int copy_into(pusher *p, const char *table, const char *cols,
                     const char *q, int (*each)(pusher *p, sqlite3_stmt *st),
                     int binary)
{
    char sql[512];
    int error = stage_begin(p, table, cols, binary, sql, sizeof(sql));
    if (error == 0)
        error = copy_rows(p, sql, q, each, binary);
    return error < 0 ? error : stage_end(p, table, cols);
}

/* ==== Contents ==== */

static int stage_content(pusher *p, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    int i, error = 0;
    if (id < 0 || (size_t)id >= p->n_map)
        return spoor__error_set(SPOOR_ECORRUPT, "index '%s': content id",
                                p->s->path);
    if (spoor_store__is_gone(p->s, id))
        return 0; /* removed: not pushed */
    for (i = 0; i < 13; i++)
        SPOOR_TRY(csv_field(p, col(st, i), i == 12));
done:
    return error;
}

/* The contents: staged by COPY, inserted where their sha256 is missing
 * (in the local order, so that ids keep it: pushes take turns, so no
 * two insert at once), and every one mapped to its PostgreSQL id. */
static int push_contents(pusher *p)
{
    spoor_pg_result *r = NULL;
    int i, error = 0;
    SPOOR_TRY(pg_run(p, NULL, "staging contents",
                     "CREATE TEMP TABLE push_contents(local int8, sha256 "
                     "text, format text, encoding text, warning text, bytes "
                     "int8, text_bytes int8, canon_len int8, fp_bytes int4, "
                     "n_fps int8, header_bytes int8, header_chars int8, thread "
                     "text) ON COMMIT DROP",
                     0, NULL));
    SPOOR_TRY(copy_rows(p, "COPY push_contents FROM STDIN (FORMAT csv)",
                        "SELECT id, sha256, format, encoding, warning, bytes, "
                        "text_bytes, canon_len, fp_bytes, n_fps, "
                        "header_bytes, header_chars, thread FROM contents "
                        "ORDER BY id",
                        stage_content, 0));
    SPOOR_TRY(pg_run(
        p, &r, "contents",
        "WITH ins AS (INSERT INTO spoor.contents(sha256, format, encoding, "
        "warning, bytes, text_bytes, canon_len, fp_bytes, n_fps, "
        "header_bytes, header_chars, thread) SELECT sha256, format, "
        "encoding, warning, bytes, text_bytes, canon_len, fp_bytes, n_fps, "
        "header_bytes, header_chars, thread FROM push_contents ORDER BY "
        "local ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256) "
        "SELECT s.local, coalesce(ins.id, spoor.content_id(s.sha256)), "
        "ins.id IS NOT NULL, s.n_fps, EXISTS (SELECT 1 FROM "
        "spoor.contents c WHERE c.sha256 = s.sha256) FROM push_contents s "
        "LEFT JOIN ins USING (sha256)",
        0, NULL));
    for (i = 0; i < p->ops->rows(r); i++) {
        int64_t local = strtoll(p->ops->value(r, i, 0), NULL, 10);
        int64_t id = strtoll(p->ops->value(r, i, 1), NULL, 10);
        int is_new = p->ops->value(r, i, 2)[0] == 't';
        int seen = p->ops->value(r, i, 4)[0] == 't';
        if (local < 0 || (size_t)local >= p->n_map || id <= 0) {
            error = spoor__error_set(
                SPOOR_ECORRUPT, "shared index '%s': a content's id", p->where);
            goto done;
        }
        p->map[local] = id;
        if (is_new) {
            p->st->contents++;
            p->how[local] |= PUSH_ROWS;
        } else {
            p->st->contents_there++;
        }
        /* postings the pusher could not read (another member's content)
         * go into its own batches too */
        if (is_new || !seen) {
            p->how[local] |= PUSH_POSTINGS;
            p->batch[p->how[local] & PUSH_SHARED ? 0 : 1].expect +=
                strtoull(p->ops->value(r, i, 3), NULL, 10);
        }
    }
done:
    p->ops->clear(r);
    return error;
}

/* A new content's text: a binary COPY row (int8, bytea). */
static int text_row(pusher *p, sqlite3_stmt *st)
{
    int64_t id = id_to_write(p, sqlite3_column_int64(st, 0), PUSH_ROWS);
    size_t n = (size_t)sqlite3_column_bytes(st, 1);
    unsigned char head[18];
    int error = 0;
    if (!id)
        return 0;
    put_be(head, 2, 2);
    put_be(head + 2, 8, 4), put_be(head + 6, (uint64_t)id, 8);
    put_be(head + 14, n, 4);
    SPOOR_TRY(copy_bytes(p, head, sizeof(head)));
    error = copy_bytes(p, sqlite3_column_blob(st, 1), n);
done:
    return error;
}

/* A row of a new content's (its dates, its metadata) as CSV: its
 * PostgreSQL id, then the query's other columns. */
static int content_row(pusher *p, sqlite3_stmt *st)
{
    int64_t id = id_to_write(p, sqlite3_column_int64(st, 0), PUSH_ROWS);
    int i, n = sqlite3_column_count(st), error = 0;
    if (!id)
        return 0;
    SPOOR_TRY(csv_int(p, id, n == 1));
    for (i = 1; i < n; i++)
        SPOOR_TRY(csv_field(p, col(st, i), i == n - 1));
done:
    return error;
}

/* The new contents' texts (binary COPY), dates and metadata. */
static int push_content_rows(pusher *p)
{
    int error = 0;
    SPOOR_TRY(copy_into(p, "texts", "content_id, z",
                        "SELECT content_id, z FROM texts ORDER BY content_id",
                        text_row, 1));
    SPOOR_TRY(copy_into(p, "dates", "content_id, field, value, source",
                        "SELECT content_id, field, value, source FROM dates "
                        "ORDER BY rowid",
                        content_row, 0));
    error = copy_into(p, "metadata", "content_id, key, value",
                      "SELECT content_id, key, value FROM metadata ORDER BY "
                      "rowid",
                      content_row, 0);
done:
    return error;
}

/* ==== Items ==== */

static int stage_item(pusher *p, sqlite3_stmt *st)
{
    int64_t content = sqlite3_column_int64(st, 1),
            coll = sqlite3_column_int64(st, 2);
    int error = 0;
    if (content < 0 || (size_t)content >= p->n_map || !p->map[content])
        return 0; /* a removed content's */
    if (coll < 0 || (size_t)coll >= p->n_coll || !p->coll[coll])
        return spoor__error_set(SPOOR_ECORRUPT, "index '%s': item collection",
                                p->s->path);
    SPOOR_TRY(csv_int(p, sqlite3_column_int64(st, 0), 0));
    SPOOR_TRY(csv_int(p, p->map[content], 0));
    SPOOR_TRY(csv_int(p, p->coll[coll], 0));
    SPOOR_TRY(csv_field(p, col(st, 3), 0));
    SPOOR_TRY(csv_field(p, col(st, 4), 0));
    error = csv_field(p, col(st, 5), 1);
done:
    return error;
}

/* The items: staged by COPY, inserted where missing (in the local order,
 * the order they were added). */
static int push_items(pusher *p)
{
    spoor_pg_result *r = NULL;
    int error = 0;
    SPOOR_TRY(
        pg_run(p, NULL, "staging items",
               "CREATE TEMP TABLE push_items(local int8, content_id int8, "
               "collection_id int8, path text, depth int4, added text) "
               "ON COMMIT DROP",
               0, NULL));
    SPOOR_TRY(copy_rows(p, "COPY push_items FROM STDIN (FORMAT csv)",
                        "SELECT id, content_id, collection_id, path, depth, "
                        "added FROM items ORDER BY id",
                        stage_item, 0));
    SPOOR_TRY(pg_run(
        p, &r, "items",
        "WITH ins AS (INSERT INTO spoor.items(content_id, "
        "collection_id, path, depth, added) SELECT content_id, "
        "collection_id, path, depth, added FROM push_items ORDER "
        "BY local ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM "
        "ins",
        0, NULL));
    p->st->items = (uint64_t)first_int(p, r);
done:
    p->ops->clear(r);
    return error;
}

static int push_event(pusher *p, sqlite3_stmt *st)
{
    const char *v[3] = {col(st, 0), col(st, 1), col(st, 2)};
    return pg_run(p, NULL, "an event",
                  "INSERT INTO spoor.events(name, date, note) VALUES ($1, $2, "
                  "$3) ON CONFLICT (name) DO NOTHING",
                  3, v);
}

static int push_key(pusher *p, sqlite3_stmt *st)
{
    const char *v[6] = {col(st, 0), col(st, 1), col(st, 2),
                        col(st, 3), col(st, 4), col(st, 5)};
    return pg_run(p, NULL, "a DKIM key",
                  "INSERT INTO spoor.dkim_keys(name, record, source, "
                  "observed, published, added) VALUES ($1, $2, $3, $4, $5, "
                  "$6) ON CONFLICT (name, record) DO NOTHING",
                  6, v);
}

/* ==== Postings ==== */

static size_t put_varint(unsigned char *o, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        o[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    o[n++] = (unsigned char)v;
    return n;
}

/* Write the gathered bucket as one COPY row: its first key, then each
 * posting's key delta, content (a delta within a key) and position. */
static int flush_bucket(pusher *p, push_batch *b)
{
    unsigned char head[30]; /* three fields: bucket, batch, data's size */
    size_t i, len = 0, need = 30 + b->n_bkt * 30;
    const spoor_seg_entry *e = b->bkt;
    int error = 0;
    if (!b->n_bkt)
        return 0;
    SPOOR_TRY(spoor_segment__sort(b->bkt, b->n_bkt));
    if (need > p->cap_row) {
        unsigned char *g = spoor__realloc(p->row, need);
        SPOOR_ALLOC_CHECK(g);
        p->row = g;
        p->cap_row = need;
    }
    len = put_varint(p->row, SPOOR_SEG_KEY(e[0].hash));
    for (i = 0; i < b->n_bkt; i++) {
        uint64_t k = SPOOR_SEG_KEY(e[i].hash);
        int same = i && k == SPOOR_SEG_KEY(e[i - 1].hash);
        len +=
            put_varint(p->row + len, i ? k - SPOOR_SEG_KEY(e[i - 1].hash) : 0);
        len += put_varint(p->row + len, same && e[i].content >= e[i - 1].content
                                            ? e[i].content - e[i - 1].content
                                            : e[i].content);
        len += put_varint(p->row + len, e[i].pos);
    }
    put_be(head, 3, 2);
    put_be(head + 2, 8, 4), put_be(head + 6, b->bucket, 8);
    put_be(head + 14, 8, 4), put_be(head + 18, (uint64_t)b->id, 8);
    put_be(head + 26, len, 4);
    SPOOR_TRY(copy_bytes(p, head, sizeof(head)));
    SPOOR_TRY(copy_bytes(p, p->row, len));
    p->st->buckets++;
    b->n_bkt = 0;
done:
    return error;
}

/* spoor_segment__each's callback: a posting of a content whose postings
 * this push writes, its content id the PostgreSQL one, into its bucket of
 * its batch. */
static int push_posting(const spoor_seg_entry *e, void *ctx)
{
    pusher *p = ctx;
    push_batch *b;
    uint64_t bucket;
    int error = 0;
    if (e->content >= p->n_map || !(p->how[e->content] & PUSH_POSTINGS))
        return 0; /* removed, or there before */
    b = &p->batch[p->how[e->content] & PUSH_SHARED ? 0 : 1];
    bucket = SPOOR_SEG_KEY(e->hash) >> b->shift;
    if (b->have_bucket && bucket != b->bucket)
        SPOOR_TRY(flush_bucket(p, b));
    b->bucket = bucket;
    b->have_bucket = 1;
    SPOOR_TRY(spoor__array_reserve((void **)&b->bkt, &b->cap_bkt, b->n_bkt + 1,
                                   sizeof(*b->bkt)));
    if (p->map[e->content] > UINT32_MAX)
        return spoor__error_set(
            SPOOR_ELIMIT, "shared index '%s': content ids past 2^32", p->where);
    b->bkt[b->n_bkt] = *e;
    b->bkt[b->n_bkt].content = (uint32_t)p->map[e->content];
    b->n_bkt++;
    b->postings++;
    p->st->postings++;
done:
    return error;
}

/* The postings this push writes, bucket by bucket of each batch, by
 * binary COPY, and the batches' rows. */
static int push_postings(pusher *p)
{
    char sql[512];
    int error = 0, i;
    choose_bits(&p->batch[0]);
    choose_bits(&p->batch[1]);
    SPOOR_TRY(
        stage_begin(p, "postings", "bucket, batch, data", 1, sql, sizeof(sql)));
    error = copy_begin(p, sql, 1);
    if (error == 0)
        error = spoor_segment__each(p->s->segs, p->s->n_segs, push_posting, p);
    for (i = 0; i < 2 && error == 0; i++)
        error = flush_bucket(p, &p->batch[i]);
    SPOOR_TRY(copy_finish(p, sql, 1, error));
    SPOOR_TRY(stage_end(p, "postings", "bucket, batch, data"));
    SPOOR_TRY(record_batch(p, &p->batch[0], 1));
    error = record_batch(p, &p->batch[1], 0);
done:
    return error;
}

/* Mark the local contents a release holds: their postings go to the
 * shared batch. */
static int mark_shared(pusher *p, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    if (id >= 0 && (size_t)id < p->n_map)
        p->how[id] |= PUSH_SHARED;
    return 0;
}

/* The largest id of a SQLite table, or an error. */
static int max_id(pusher *p, const char *sql, size_t *out)
{
    sqlite3_stmt *st = NULL;
    int error = 0;
    if (sqlite3_prepare_v2(p->s->db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        error = spoor__error_set(SPOOR_ECORRUPT, "index '%s': %s", p->s->path,
                                 sqlite3_errmsg(p->s->db));
    else
        *out = (size_t)sqlite3_column_int64(st, 0) + 1;
    sqlite3_finalize(st);
    return error;
}

int spoor_store_push(spoor_push_stats *out, spoor_store *s,
                     const char *conninfo)
{
    memset(out, 0, sizeof(*out));
    if (spoor_store__remote(s) || s->push_url)
        return spoor__error_set(SPOOR_EINVALID,
                                "spoor push copies a local index; '%s' is a "
                                "shared one",
                                spoor_store_path(s));
    return spoor_store__push(out, s, conninfo);
}

int spoor_store__push(spoor_push_stats *out, spoor_store *s,
                      const char *conninfo)
{
    pusher p;
    const spoor_module *m = spoor_module__get(SPOOR_MODULE_PG);
    char where[300] = "";
    int error = 0, in_tx = 0;

    memset(out, 0, sizeof(*out));
    memset(&p, 0, sizeof(p));
    p.s = s;
    p.st = out;
    if (!m || !m->pg)
        return spoor__error_set(SPOOR_EUNSUPPORTED,
                                "cannot load the PostgreSQL module: %s",
                                spoor_module__error(SPOOR_MODULE_PG));
    p.ops = m->pg;
    /* name the server in messages without a password */
    if (p.ops->describe(conninfo, where, sizeof(where)) < 0)
        return spoor__error_set(SPOOR_EINVALID,
                                "not a PostgreSQL connection string or URL");
    p.where = where;
    if (!(p.pg = p.ops->connect(conninfo)))
        return spoor__error_oom();
    if (!p.ops->ok(p.pg)) {
        error = pg_error(&p, "cannot connect");
        goto done;
    }
    SPOOR_TRY(spoor_store__read_begin(s));
    in_tx = 1;
    SPOOR_TRY(
        max_id(&p, "SELECT coalesce(max(id), 0) FROM contents", &p.n_map));
    SPOOR_TRY(
        max_id(&p, "SELECT coalesce(max(id), 0) FROM collections", &p.n_coll));
    p.map = spoor__calloc(p.n_map, sizeof(*p.map));
    SPOOR_ALLOC_CHECK(p.map);
    p.how = spoor__calloc(p.n_map, 1);
    SPOOR_ALLOC_CHECK(p.how);
    p.coll = spoor__calloc(p.n_coll, sizeof(*p.coll));
    SPOOR_ALLOC_CHECK(p.coll);
    p.copy = spoor__malloc(COPY_CHUNK);
    SPOOR_ALLOC_CHECK(p.copy);
    SPOOR_TRY(pg_run(&p, NULL, "BEGIN",
                     "SET client_min_messages = warning; BEGIN", 0, NULL));
    SPOOR_TRY(prepare_schema(&p));
    SPOOR_TRY(each_row(&p,
                       "SELECT id, name, kind, date, note, created FROM "
                       "collections ORDER BY id",
                       push_collection));
    SPOOR_TRY(each_row(&p,
                       "SELECT DISTINCT i.content_id FROM items i JOIN "
                       "collections c ON c.id = i.collection_id WHERE c.kind "
                       "= 'release'",
                       mark_shared));
    SPOOR_TRY(push_contents(&p));
    SPOOR_TRY(push_content_rows(&p));
    SPOOR_TRY(push_items(&p));
    SPOOR_TRY(each_row(&p, "SELECT name, date, note FROM events ORDER BY id",
                       push_event));
    SPOOR_TRY(each_row(&p,
                       "SELECT name, record, source, observed, published, "
                       "added FROM dkim_keys ORDER BY id",
                       push_key));
    SPOOR_TRY(push_postings(&p));
    /* fresh statistics for the planner: without them a lookup right after
     * a big push scanned the postings table (at 10^7 postings, 240 ms for
     * a check instead of 35). Only a table's owner may; autovacuum does
     * it for the others' pushes soon after */
    if (out->contents || out->items)
        SPOOR_TRY(
            pg_run(&p, NULL, "statistics",
                   "DO $$ DECLARE t text; BEGIN FOR t IN SELECT "
                   "c.oid::regclass::text FROM pg_class c JOIN pg_namespace "
                   "n ON n.oid = c.relnamespace WHERE n.nspname = 'spoor' "
                   "AND c.relkind IN ('r', 'p') AND pg_has_role(c.relowner, "
                   "'USAGE') LOOP EXECUTE 'ANALYZE ' || t; END LOOP; END $$",
                   0, NULL));
    SPOOR_TRY(pg_run(&p, NULL, "COMMIT", "COMMIT", 0, NULL));
done:
    if (error < 0 && p.pg && p.ops->ok(p.pg))
        (void)p.ops->exec(p.pg, NULL, "ROLLBACK", 0, NULL, NULL, NULL, 0);
    if (in_tx)
        spoor_store__read_end(s);
    if (p.pg)
        p.ops->finish(p.pg);
    spoor__free(p.map);
    spoor__free(p.coll);
    spoor__free(p.how);
    spoor__free(p.batch[0].bkt);
    spoor__free(p.batch[1].bkt);
    spoor__free(p.copy);
    spoor__free(p.row);
    if (error < 0)
        memset(out, 0, sizeof(*out));
    return error;
}
