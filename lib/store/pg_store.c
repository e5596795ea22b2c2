/*
 * pg_store.c: reading a shared index on PostgreSQL (see pg_store.h).
 *
 * The catalogue's reads are the local ones' queries on the schema `spoor`
 * (text ordered with COLLATE "C", as SQLite orders it). Postings are read
 * a chunk of keys at a time: spoor_pg__want_keys asks, in one query, for
 * each bits value among the batches (a batch's bucket is the top `bits` of
 * a key, its own), the keys' buckets in those batches; it decodes the rows
 * and keeps the postings of the wanted keys, sorted, which
 * spoor_pg__lookup_key then answers from. The sources a check verifies are
 * read at once too (spoor_pg__want_sources): records in two queries, short
 * texts in a third. Row-level security, where the server sets it, decides
 * which rows a role reads; the reader asks for everything and gets what it
 * may see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../module/module.h"
#include "pg_ops.h"
#include "pg_store.h"

/* The postings a range of keys holds that spoor_pg__shared_contents reads
 * at once, about. */
#define SHARED_RANGE_POSTINGS ((uint64_t)4 << 20)

/* Sources prefetched at once (spoor_pg__want_sources), at most; a text
 * prefetched is shorter than SOURCE_TEXT_MAX bytes (the longer may be read
 * in parts). */
#define SOURCES_AT_ONCE 4096
#define SOURCE_TEXT_MAX ((size_t)1 << 20)

/* A prefetched source: its record, until spoor_pg__record hands it over,
 * and its stored text when read whole. */
typedef struct pg_source {
    int64_t id;
    spoor_record *rec;
    spoor_buf z;
    uint64_t text_bytes;
    int has_text;
} pg_source;

/* A batch of postings: its id and bucket bits (spoor.batch). */
typedef struct pg_batch {
    int64_t id;
    unsigned bits;
} pg_batch;

struct spoor_pgstore {
    const spoor_pg_ops *ops;
    spoor_pg *c;
    char *conninfo; /* as given: spoor_pg__reopen connects with it */
    uint64_t *keys; /* the wanted keys, ascending */
    size_t n_keys, cap_keys;
    spoor_seg_entry *got; /* their postings, by (key, content, pos) */
    size_t n_got, cap_got;
    pg_source *src; /* prefetched sources, by id */
    size_t n_src, cap_src;
    pg_batch *batches; /* by bits (load_batches) */
    size_t n_batches, cap_batches;
    int batches_read;
    int in_read;
};

int spoor_pg__is_url(const char *path)
{
    return !strncmp(path, "postgresql://", 13) ||
           !strncmp(path, "postgres://", 11);
}

/* SPOOR_EIO naming the shared index, the step and PostgreSQL's message. */
static int pg_fail(spoor_store *s, const char *what)
{
    return spoor__error_set(SPOOR_EIO, "shared index '%s': %s: %s", s->path,
                            what, s->pg->ops->error(s->pg->c));
}

/* Run sql with n text parameters; *out gets the rows (binary: in the
 * binary format). @return 0 or SPOOR_EIO naming what. */
static int run(spoor_store *s, spoor_pg_result **out, const char *what,
               const char *sql, int n, const char *const *params, int binary)
{
    if (s->pg->ops->exec(s->pg->c, out, sql, n, params, NULL, NULL, binary) < 0)
        return pg_fail(s, what);
    return 0;
}

/* A text column (NULL when SQL NULL). */
static const char *val(const spoor_store *s, const spoor_pg_result *r, int row,
                       int col)
{
    return s->pg->ops->is_null(r, row, col) ? NULL
                                            : s->pg->ops->value(r, row, col);
}

static int64_t ival(const spoor_store *s, const spoor_pg_result *r, int row,
                    int col)
{
    const char *v = val(s, r, row, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

/* A copy of a text column (NULL stays NULL); *oom set when a copy fails. */
static char *dup(const spoor_store *s, const spoor_pg_result *r, int row,
                 int col, int *oom)
{
    const char *v = val(s, r, row, col);
    char *d = v ? spoor__strdup(v) : NULL;
    if (v && !d)
        *oom = 1;
    return d;
}

/* A binary int8 column. */
static int64_t bin_int8(const spoor_store *s, const spoor_pg_result *r, int row,
                        int col)
{
    const unsigned char *p =
        (const unsigned char *)s->pg->ops->value(r, row, col);
    uint64_t v = 0;
    int i;
    if (s->pg->ops->is_null(r, row, col) ||
        s->pg->ops->length(r, row, col) != 8)
        return 0;
    for (i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* ==== Opening ==== */

/* The PostgreSQL module's libpq, or an error saying why not. */
static int pg_module(const spoor_pg_ops **ops)
{
    const spoor_module *m = spoor_module__get(SPOOR_MODULE_PG);
    if (!m || !m->pg)
        return spoor__error_set(SPOOR_EUNSUPPORTED,
                                "cannot load the PostgreSQL module: %s",
                                spoor_module__error(SPOOR_MODULE_PG));
    *ops = m->pg;
    return 0;
}

int spoor_pg__shown(const char *url, char **out)
{
    const spoor_pg_ops *ops = NULL;
    char where[300], shown[320];
    int error;
    *out = NULL;
    if ((error = pg_module(&ops)) < 0)
        return error;
    if (ops->describe(url, where, sizeof(where)) < 0)
        return spoor__error_set(SPOOR_EINVALID,
                                "not a PostgreSQL connection URL");
    snprintf(shown, sizeof(shown), "postgresql://%s", where);
    if (!(*out = spoor__strdup(shown)))
        return spoor__error_oom();
    return 0;
}

int spoor_pg__open(spoor_store *s, const char *url)
{
    const spoor_pg_ops *ops = NULL;
    spoor_pg_result *r = NULL;
    int error = 0, i;

    /* the URL without its password, for messages and reports */
    SPOOR_TRY(spoor_pg__shown(url, &s->path));
    SPOOR_TRY(pg_module(&ops));
    s->pg = spoor__calloc(1, sizeof(*s->pg));
    SPOOR_ALLOC_CHECK(s->pg);
    s->pg->ops = ops;
    s->pg->conninfo = spoor__strdup(url);
    SPOOR_ALLOC_CHECK(s->pg->conninfo);
    if (!(s->pg->c = s->pg->ops->connect(url)))
        return spoor__error_oom();
    if (!s->pg->ops->ok(s->pg->c))
        return pg_fail(s, "cannot connect");
    if (s->pg->ops->exec(s->pg->c, &r,
                         "SELECT key, value FROM spoor.meta WHERE key IN "
                         "('format', 'id', 'created')",
                         0, NULL, NULL, NULL, 0) < 0)
        return spoor__error_set(SPOOR_ENOTFOUND,
                                "shared index '%s': no spoor index there "
                                "(spoor push makes one): %s",
                                s->path, s->pg->ops->error(s->pg->c));
    error = spoor__error_set(SPOOR_EUNSUPPORTED,
                             "shared index '%s' has no format: push an "
                             "index into a new database",
                             s->path);
    for (i = 0; i < s->pg->ops->rows(r); i++) {
        const char *k = val(s, r, i, 0), *v = val(s, r, i, 1);
        if (!k || !v)
            continue;
        if (!strcmp(k, "id"))
            snprintf(s->id, sizeof(s->id), "%s", v);
        else if (!strcmp(k, "created"))
            snprintf(s->created, sizeof(s->created), "%s", v);
        else if (strcmp(v, SPOOR_PG_FORMAT))
            error = spoor__error_set(SPOOR_EUNSUPPORTED,
                                     "shared index '%s' has format %s; this "
                                     "spoor reads format " SPOOR_PG_FORMAT
                                     ": push the index again into a new "
                                     "database",
                                     s->path, v);
        else
            error = 0;
    }
done:
    if (s->pg)
        s->pg->ops->clear(r);
    return error;
}

static void sources_clear(struct spoor_pgstore *pg);

void spoor_pg__close(spoor_store *s)
{
    if (!s->pg)
        return;
    if (s->pg->c)
        s->pg->ops->finish(s->pg->c);
    spoor__free(s->pg->conninfo);
    spoor__free(s->pg->keys);
    spoor__free(s->pg->got);
    spoor__free(s->pg->batches);
    sources_clear(s->pg);
    spoor__free(s->pg->src);
    spoor__free(s->pg);
    s->pg = NULL;
}

int spoor_pg__change(spoor_store *s, const char *table, const char *column,
                     const char *value, const char *what, const char *name)
{
    spoor_store shared;
    spoor_pg_result *r = NULL;
    const char *v[2] = {column ? value : name, name};
    char sql[160];
    int error = 0;

    memset(&shared, 0, sizeof(shared));
    shared.lock_fd = -1;
    if (column)
        snprintf(sql, sizeof(sql),
                 "UPDATE spoor.%s SET %s = $1 WHERE name = $2 RETURNING 1",
                 table, column);
    else
        snprintf(sql, sizeof(sql),
                 "DELETE FROM spoor.%s WHERE name = $1 RETURNING 1", table);
    SPOOR_TRY(spoor_pg__open(&shared, s->push_url));
    if (shared.pg->ops->exec(shared.pg->c, &r, sql, column ? 2 : 1, v, NULL,
                             NULL, 0) < 0) {
        const char *msg = shared.pg->ops->error(shared.pg->c);
        error =
            strstr(msg, "duplicate key")
                ? spoor__error_set(SPOOR_EEXISTS, "%s: the name is taken", what)
                : pg_fail(&shared, what);
        goto done;
    }
    if (shared.pg->ops->rows(r) == 0)
        error = spoor__error_set(SPOOR_ENOTFOUND, "no %s '%s'", what, name);
done:
    if (r)
        shared.pg->ops->clear(r);
    spoor_pg__close(&shared);
    spoor__free(shared.path);
    return error;
}

int spoor_pg__reopen(spoor_store *s, spoor_store **out)
{
    return spoor_store_open(out, s->pg->conninfo, SPOOR_STORE_READONLY);
}

int spoor_pg__read_begin(spoor_store *s)
{
    int error;
    if (s->pg->in_read++)
        return 0;
    if ((error = run(s, NULL, "a snapshot",
                     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
                     0)) < 0)
        s->pg->in_read = 0;
    return error;
}

void spoor_pg__read_end(spoor_store *s)
{
    s->pg->batches_read = 0; /* the next snapshot reads them again */
    if (s->pg->in_read && --s->pg->in_read == 0)
        (void)s->pg->ops->exec(s->pg->c, NULL, "COMMIT", 0, NULL, NULL, NULL,
                               0);
}

/* ==== Postings ==== */

/* A varint of [*p, end) into *v. @return 0, or -1 past end or 64 bits. */
static int get_varint(const unsigned char **p, const unsigned char *end,
                      uint64_t *v)
{
    unsigned shift = 0;
    *v = 0;
    while (*p < end && shift < 64) {
        unsigned char b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
        shift += 7;
    }
    return -1;
}

/* Whether key is one of the wanted keys. */
static int wanted(const struct spoor_pgstore *pg, uint64_t key)
{
    size_t lo = 0, hi = pg->n_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pg->keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < pg->n_keys && pg->keys[lo] == key;
}

/* Decode a bucket row (push.c: its first key, then each posting's key
 * delta, content (a delta within a key) and position) and keep the
 * postings of a wanted key when lo == hi, else of a key in [lo, hi). @return 0,
 * SPOOR_ENOMEM or SPOOR_ECORRUPT. */
static int decode_bucket(spoor_store *s, const unsigned char *p, size_t len,
                         uint64_t lo, uint64_t hi)
{
    struct spoor_pgstore *pg = s->pg;
    const unsigned char *end = p + len;
    uint64_t key, kd, content = 0, v, pos;
    int first = 1, error;

    if (get_varint(&p, end, &key) < 0)
        goto bad;
    while (p < end) {
        if (get_varint(&p, end, &kd) < 0 || get_varint(&p, end, &v) < 0 ||
            get_varint(&p, end, &pos) < 0)
            goto bad;
        key += kd;
        content = !first && kd == 0 ? content + v : v;
        first = 0;
        if (key >> SPOOR_SEG_KEY_BITS || content > UINT32_MAX ||
            pos > UINT32_MAX)
            goto bad;
        if (lo == hi ? !wanted(pg, key) : key < lo || key >= hi)
            continue;
        if ((error = spoor__array_reserve((void **)&pg->got, &pg->cap_got,
                                          pg->n_got + 1, sizeof(*pg->got))) < 0)
            return error;
        pg->got[pg->n_got].hash = key << (64 - SPOOR_SEG_KEY_BITS);
        pg->got[pg->n_got].content = (uint32_t)content;
        pg->got[pg->n_got].pos = (uint32_t)pos;
        pg->n_got++;
    }
    return 0;
bad:
    return spoor__error_set(SPOOR_ECORRUPT,
                            "shared index '%s': a postings row is damaged",
                            s->path);
}

/* The decimal array literal {a,b,...} of v[0..n) into out. */
static int int8_array(spoor_buf *out, const uint64_t *v, size_t n)
{
    size_t i;
    int error = spoor_buf_puts(out, "{");
    for (i = 0; i < n && error == 0; i++)
        error = spoor_buf_printf(out, i ? ",%llu" : "%llu",
                                 (unsigned long long)v[i]);
    return error ? error : spoor_buf_puts(out, "}");
}

/* Decode every row of r (its first column: a bucket's data), keeping
 * postings as decode_bucket does, then sort them, once each (a content
 * another member held unseen has its postings in two batches). */
static int decode_rows(spoor_store *s, spoor_pg_result *r, uint64_t lo,
                       uint64_t hi)
{
    spoor_seg_entry *g;
    size_t n = 0, j;
    int i, error = 0;
    s->pg->n_got = 0;
    for (i = 0; i < s->pg->ops->rows(r); i++)
        SPOOR_TRY(
            decode_bucket(s, (const unsigned char *)s->pg->ops->value(r, i, 0),
                          (size_t)s->pg->ops->length(r, i, 0), lo, hi));
    SPOOR_TRY(spoor_segment__sort(s->pg->got, s->pg->n_got));
    g = s->pg->got;
    for (j = 0; j < s->pg->n_got; j++)
        if (n == 0 || g[j].hash != g[n - 1].hash ||
            g[j].content != g[n - 1].content || g[j].pos != g[n - 1].pos)
            g[n++] = g[j];
    s->pg->n_got = n;
done:
    return error;
}

/* The batches (id, bits) this snapshot sees, by bits, read once per
 * snapshot (or per lookup outside one). */
static int load_batches(spoor_store *s)
{
    struct spoor_pgstore *pg = s->pg;
    spoor_pg_result *r = NULL;
    int error, i;
    if (pg->batches_read && pg->in_read)
        return 0;
    if ((error = run(s, &r, "batches",
                     "SELECT id, bits FROM spoor.batch ORDER BY bits, id", 0,
                     NULL, 0)) < 0)
        return error;
    pg->n_batches = 0;
    error = spoor__array_reserve((void **)&pg->batches, &pg->cap_batches,
                                 (size_t)pg->ops->rows(r) + 1,
                                 sizeof(*pg->batches));
    for (i = 0; error == 0 && i < pg->ops->rows(r); i++) {
        int64_t bits = ival(s, r, i, 1);
        if (bits < 0 || bits > SPOOR_SEG_KEY_BITS) {
            error = spoor__error_set(
                SPOOR_ECORRUPT, "shared index '%s': a batch's bits", s->path);
            break;
        }
        pg->batches[pg->n_batches].id = ival(s, r, i, 0);
        pg->batches[pg->n_batches].bits = (unsigned)bits;
        pg->n_batches++;
    }
    pg->ops->clear(r);
    pg->batches_read = error == 0;
    return error;
}

int spoor_pg__want_keys(spoor_store *s, const uint64_t *keys, size_t n)
{
    struct spoor_pgstore *pg = s->pg;
    spoor_buf sql = SPOOR_BUF_INIT, *arrs = NULL;
    const char **params = NULL;
    uint64_t *v = NULL;
    spoor_pg_result *r = NULL;
    size_t g, e, i, m, np = 0;
    int error = 0;

    pg->n_keys = pg->n_got = 0;
    SPOOR_TRY(spoor__array_reserve((void **)&pg->keys, &pg->cap_keys, n,
                                   sizeof(*pg->keys)));
    memcpy(pg->keys, keys, n * sizeof(*keys));
    pg->n_keys = n;
    SPOOR_TRY(load_batches(s));
    if (n == 0 || pg->n_batches == 0)
        goto done;
    /* for each bits value among the batches, the keys' buckets in the
     * batches of those bits: bucket = ANY(...) AND batch = ANY(...), which
     * the server answers with probes of its (bucket, batch) index */
    arrs = spoor__calloc(2 * pg->n_batches, sizeof(*arrs));
    params = spoor__calloc(2 * pg->n_batches, sizeof(*params));
    v = spoor__reallocarray(NULL, n > pg->n_batches ? n : pg->n_batches,
                            sizeof(*v));
    SPOOR_ALLOC_CHECK(arrs);
    SPOOR_ALLOC_CHECK(params);
    SPOOR_ALLOC_CHECK(v);
    for (g = 0; g < pg->n_batches; g = e) {
        unsigned shift = SPOOR_SEG_KEY_BITS - pg->batches[g].bits;
        for (e = g;
             e < pg->n_batches && pg->batches[e].bits == pg->batches[g].bits;
             e++)
            v[e - g] = (uint64_t)pg->batches[e].id;
        SPOOR_TRY(int8_array(&arrs[np + 1], v, e - g));
        for (i = m = 0; i < n; i++) /* keys ascend: so do their buckets */
            if (m == 0 || v[m - 1] != keys[i] >> shift)
                v[m++] = keys[i] >> shift;
        SPOOR_TRY(int8_array(&arrs[np], v, m));
        SPOOR_TRY(
            spoor_buf_printf(&sql,
                             "%sSELECT data FROM spoor.postings WHERE bucket = "
                             "ANY($%zu::int8[]) AND batch = ANY($%zu::int8[])",
                             np ? " UNION ALL " : "", np + 1, np + 2));
        params[np] = arrs[np].ptr;
        params[np + 1] = arrs[np + 1].ptr;
        np += 2;
    }
    SPOOR_TRY(run(s, &r, "postings", sql.ptr, (int)np, params, 1));
    error = decode_rows(s, r, 0, 0);
done:
    if (r)
        pg->ops->clear(r);
    for (i = 0; arrs && i < np; i++)
        spoor_buf_dispose(&arrs[i]);
    spoor__free(arrs);
    spoor__free(params);
    spoor__free(v);
    spoor_buf_dispose(&sql);
    if (error < 0)
        pg->n_keys = pg->n_got = 0;
    return error;
}

int spoor_pg__lookup_key(spoor_store *s, uint64_t key, size_t common,
                         spoor_postings *out, int *common_out)
{
    struct spoor_pgstore *pg = s->pg;
    uint64_t k = SPOOR_SEG_KEY(key);
    size_t lo = 0, hi, start = out->n, distinct = 0;
    int error;

    *common_out = 0;
    if (!wanted(pg, k) && (error = spoor_pg__want_keys(s, &k, 1)) < 0)
        return error;
    hi = pg->n_got;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (SPOOR_SEG_KEY(pg->got[mid].hash) < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < pg->n_got && SPOOR_SEG_KEY(pg->got[lo].hash) == k; lo++) {
        const spoor_seg_entry *e = &pg->got[lo];
        if (out->n == start || e->content != out->v[out->n - 1].content) {
            if (++distinct > common) {
                *common_out = 1;
                out->n = start;
                return 0;
            }
        }
        if ((error = spoor__array_reserve((void **)&out->v, &out->cap,
                                          out->n + 1, sizeof(*out->v))) < 0)
            return error;
        out->v[out->n].content = e->content;
        out->v[out->n].pos = e->pos;
        out->n++;
    }
    return 0;
}

int spoor_pg__shared_contents(spoor_store *s, unsigned char *bits,
                              uint64_t n_bits)
{
    spoor_pg_result *r = NULL;
    uint64_t total, ranges = 1, i;
    unsigned range_bits = 0;
    int error = 0;

    SPOOR_TRY(run(s, &r, "postings",
                  "SELECT coalesce(sum(postings), 0) FROM spoor.batch", 0, NULL,
                  0));
    total = (uint64_t)ival(s, r, 0, 0);
    s->pg->ops->clear(r);
    r = NULL;
    while (range_bits < 20 && total / ranges > SHARED_RANGE_POSTINGS)
        ranges = (uint64_t)1 << ++range_bits;
    /* a range of keys at a time, its rows from every batch */
    for (i = 0; i < ranges; i++) {
        uint64_t lo = i << (SPOOR_SEG_KEY_BITS - range_bits);
        uint64_t hi = (i + 1) << (SPOOR_SEG_KEY_BITS - range_bits);
        char a[24], b[24];
        const char *v[2] = {a, b};
        size_t g, e;
        snprintf(a, sizeof(a), "%llu", (unsigned long long)lo);
        snprintf(b, sizeof(b), "%llu", (unsigned long long)(hi - 1));
        SPOOR_TRY(run(s, &r, "postings",
                      "SELECT p.data FROM spoor.batch b JOIN spoor.postings "
                      "p ON p.batch = b.id WHERE p.bucket BETWEEN "
                      "($1::int8 >> (40 - b.bits)) AND ($2::int8 >> (40 - "
                      "b.bits))",
                      2, v, 1));
        SPOOR_TRY(decode_rows(s, r, lo, hi));
        s->pg->ops->clear(r);
        r = NULL;
        /* a key whose postings name two contents: both share it */
        for (g = 0; g < s->pg->n_got; g = e) {
            const spoor_seg_entry *got = s->pg->got;
            int shared = 0;
            for (e = g + 1; e < s->pg->n_got && SPOOR_SEG_KEY(got[e].hash) ==
                                                    SPOOR_SEG_KEY(got[g].hash);
                 e++)
                shared |= got[e].content != got[g].content;
            for (; shared && g < e; g++)
                if (got[g].content < n_bits)
                    bits[got[g].content / 8] |=
                        (unsigned char)(1u << (got[g].content % 8));
        }
    }
done:
    if (r)
        s->pg->ops->clear(r);
    s->pg->n_got = s->pg->n_keys = 0;
    return error;
}

/* ==== The catalogue ==== */

/* The first column of the one row of sql with n parameters as an int8;
 * SPOOR_ENOTFOUND (message: missing) without a row. */
static int one_int(spoor_store *s, const char *what, const char *sql, int n,
                   const char *const *params, const char *missing, int64_t *out)
{
    spoor_pg_result *r = NULL;
    int error = run(s, &r, what, sql, n, params, 0);
    if (error == 0 && s->pg->ops->rows(r) == 0)
        error = spoor__error_set(SPOOR_ENOTFOUND, "%s", missing);
    else if (error == 0)
        *out = ival(s, r, 0, 0);
    if (r)
        s->pg->ops->clear(r);
    return error;
}

int spoor_pg__contents(spoor_store *s, int64_t *out)
{
    return one_int(s, "contents",
                   "SELECT coalesce(max(id), 0) FROM "
                   "spoor.contents",
                   0, NULL, "no contents", out);
}

int spoor_pg__collection(spoor_store *s, const char *name, const char *kind,
                         const char *date, int64_t *id_out)
{
    spoor_pg_result *r = NULL;
    int error = run(s, &r, "collections",
                    "SELECT id, kind, date FROM spoor.collections WHERE name "
                    "= $1",
                    1, &name, 0);
    if (error < 0)
        return error;
    if (s->pg->ops->rows(r) == 0) {
        error = spoor__error_set(SPOOR_ENOTFOUND, "no collection '%s'", name);
    } else {
        *id_out = ival(s, r, 0, 0);
        error = spoor_store__same_collection(name, kind, date, val(s, r, 0, 1),
                                             val(s, r, 0, 2));
    }
    s->pg->ops->clear(r);
    return error;
}

int spoor_pg__by_sha256(spoor_store *s, const char *sha256, int64_t *out)
{
    return one_int(s, "a content by sha256",
                   "SELECT id FROM spoor.contents WHERE sha256 = $1", 1,
                   &sha256, "no such content", out);
}

int spoor_pg__family(spoor_store *s, int64_t content, uint64_t *family)
{
    spoor_pg_result *r = NULL;
    char id[24];
    const char *v = id, *t;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, as the local one */
    int error;

    snprintf(id, sizeof(id), "%lld", (long long)content);
    if ((error = run(s, &r, "thread",
                     "SELECT thread FROM spoor.contents WHERE id = $1", 1, &v,
                     0)) < 0)
        return error;
    if (s->pg->ops->rows(r) == 0) {
        s->pg->ops->clear(r);
        return spoor__error_set(SPOOR_ENOTFOUND, "no content %lld",
                                (long long)content);
    }
    if (!(t = val(s, r, 0, 0))) {
        *family = (uint64_t)content;
    } else {
        for (; *t; t++)
            h = (h ^ (unsigned char)*t) * 0x100000001b3ULL;
        *family = h | (1ULL << 63);
    }
    s->pg->ops->clear(r);
    return 0;
}

int spoor_pg__held_in(spoor_store *s, int64_t content, const char *const *names,
                      size_t n, int *held)
{
    spoor_buf q = SPOOR_BUF_INIT;
    spoor_pg_result *r = NULL;
    const char **v = NULL;
    char id[24];
    size_t i;
    int error = 0;

    *held = 0;
    if (n == 0)
        return 0;
    if (n > 1000)
        return spoor__error_set(SPOOR_ELIMIT, "more than 1000 collections");
    v = spoor__calloc(n + 1, sizeof(*v));
    SPOOR_ALLOC_CHECK(v);
    snprintf(id, sizeof(id), "%lld", (long long)content);
    v[0] = id;
    SPOOR_TRY(spoor_buf_puts(&q, "SELECT 1 FROM spoor.items i JOIN "
                                 "spoor.collections c ON c.id = "
                                 "i.collection_id WHERE i.content_id = $1 AND "
                                 "c.name IN ("));
    for (i = 0; i < n; i++) {
        v[i + 1] = names[i];
        SPOOR_TRY(spoor_buf_printf(&q, i ? ", $%zu" : "$%zu", i + 2));
    }
    SPOOR_TRY(spoor_buf_puts(&q, ") LIMIT 1"));
    SPOOR_TRY(run(s, &r, "collections of a content", q.ptr, (int)n + 1, v, 0));
    *held = s->pg->ops->rows(r) > 0;
done:
    if (r)
        s->pg->ops->clear(r);
    spoor__free(v);
    spoor_buf_dispose(&q);
    return error;
}

/* The columns of a record's content row (spoor.contents). */
#define RECORD_HEAD                                                            \
    "SELECT id, sha256, format, encoding, warning, bytes, text_bytes, "        \
    "canon_len, fp_bytes, n_fps, header_bytes, header_chars, thread FROM "     \
    "spoor.contents WHERE id = ANY($1::int8[]) ORDER BY id"

/* The rest of the records of contents $1 in one query: (content, part,
 * order, five texts) for their dates (part 0: field, value, source) and
 * metadata (1: key, value) unless $2 (brief), and occurrences (2: item id,
 * collection, kind, date, path), each part in the local order. */
#define RECORD_REST                                                            \
    "SELECT content_id, 0 AS part, id AS ord, field, value, source, "          \
    "NULL::text, NULL::text FROM spoor.dates WHERE content_id = "              \
    "ANY($1::int8[]) AND NOT $2::bool UNION ALL SELECT content_id, 1, id, "    \
    "key, value, NULL, NULL, NULL FROM spoor.metadata WHERE content_id = "     \
    "ANY($1::int8[]) AND NOT $2::bool UNION ALL SELECT i.content_id, 2, "      \
    "row_number() OVER (PARTITION BY i.content_id ORDER BY c.date IS NULL, "   \
    "c.date COLLATE \"C\", c.name COLLATE \"C\", i.path COLLATE \"C\"), "      \
    "i.id::text, c.name, c.kind, c.date, i.path FROM spoor.items i JOIN "      \
    "spoor.collections c ON c.id = i.collection_id WHERE i.content_id = "      \
    "ANY($1::int8[]) ORDER BY 1, 2, 3"

/* A new record from row of r (RECORD_HEAD's columns) into *out. */
static int record_head(spoor_store *s, const spoor_pg_result *r, int row,
                       spoor_record **out)
{
    spoor_record *rec = spoor__calloc(1, sizeof(*rec));
    int oom = 0;
    *out = NULL;
    if (!rec)
        return spoor__error_oom();
    rec->id = ival(s, r, row, 0);
    snprintf(rec->sha256, sizeof(rec->sha256), "%s",
             s->pg->ops->value(r, row, 1));
    rec->format = dup(s, r, row, 2, &oom);
    rec->encoding = dup(s, r, row, 3, &oom);
    rec->warning = dup(s, r, row, 4, &oom);
    rec->bytes = (uint64_t)ival(s, r, row, 5);
    rec->text_bytes = (uint64_t)ival(s, r, row, 6);
    rec->canon_len = (uint64_t)ival(s, r, row, 7);
    rec->fp_bytes = (int)ival(s, r, row, 8);
    rec->n_fps = (uint64_t)ival(s, r, row, 9);
    rec->header_bytes = (uint64_t)ival(s, r, row, 10);
    rec->header_chars = (uint64_t)ival(s, r, row, 11);
    rec->thread = dup(s, r, row, 12, &oom);
    if (oom || !rec->format) {
        spoor_record_free(rec);
        return spoor__error_oom();
    }
    if (rec->header_bytes > rec->text_bytes ||
        rec->header_chars > rec->canon_len) {
        spoor_record_free(rec);
        return spoor__error_set(SPOOR_ECORRUPT,
                                "shared index '%s': content %lld: header "
                                "block beyond its text",
                                s->path, (long long)ival(s, r, row, 0));
    }
    *out = rec;
    return 0;
}

/* Append row of r (RECORD_REST's columns) to rec. */
static int record_row(spoor_store *s, const spoor_pg_result *r, int row,
                      spoor_record *rec, size_t *caps)
{
    int part = (int)ival(s, r, row, 1), oom = 0, error;
    if (part == 0) {
        if ((error = spoor__array_reserve((void **)&rec->dates, &caps[0],
                                          rec->n_dates + 1,
                                          sizeof(*rec->dates))) < 0)
            return error;
        rec->dates[rec->n_dates].field = dup(s, r, row, 3, &oom);
        rec->dates[rec->n_dates].value = dup(s, r, row, 4, &oom);
        rec->dates[rec->n_dates].source = dup(s, r, row, 5, &oom);
        rec->n_dates++;
    } else if (part == 1) {
        if ((error =
                 spoor__array_reserve((void **)&rec->meta, &caps[1],
                                      rec->n_meta + 1, sizeof(*rec->meta))) < 0)
            return error;
        rec->meta[rec->n_meta].key = dup(s, r, row, 3, &oom);
        rec->meta[rec->n_meta].value = dup(s, r, row, 4, &oom);
        rec->n_meta++;
    } else {
        spoor_occurrence *o;
        if ((error = spoor__array_reserve((void **)&rec->occ, &caps[2],
                                          rec->n_occ + 1, sizeof(*rec->occ))) <
            0)
            return error;
        o = &rec->occ[rec->n_occ++];
        memset(o, 0, sizeof(*o));
        o->item_id = ival(s, r, row, 3);
        o->collection = dup(s, r, row, 4, &oom);
        o->kind = dup(s, r, row, 5, &oom);
        o->kind_id = SPOOR_KIND_DEFAULT;
        if (o->kind)
            (void)spoor_kind_parse(&o->kind_id, o->kind);
        o->date = dup(s, r, row, 6, &oom);
        o->path = dup(s, r, row, 7, &oom);
    }
    return oom ? spoor__error_oom() : 0;
}

/* The records of ids[0..n) (ascending, once each; at most
 * SOURCES_AT_ONCE) in two queries: recs[i] for ids[i], NULL when there is
 * no such content (or the role cannot see it). */
static int records_of(spoor_store *s, const int64_t *ids, size_t n, int brief,
                      spoor_record **recs)
{
    spoor_buf arr = SPOOR_BUF_INIT;
    spoor_pg_result *r = NULL;
    const char *v[2];
    size_t i, caps[3];
    int64_t last;
    int row, error = 0;

    memset(recs, 0, n * sizeof(*recs));
    SPOOR_TRY(int8_array(&arr, (const uint64_t *)ids, n));
    v[0] = arr.ptr;
    v[1] = brief ? "t" : "f";
    SPOOR_TRY(run(s, &r, "contents", RECORD_HEAD, 1, v, 0));
    for (row = 0, i = 0; row < s->pg->ops->rows(r); row++) {
        int64_t id = ival(s, r, row, 0);
        while (i < n && ids[i] < id)
            i++;
        if (i < n && ids[i] == id)
            SPOOR_TRY(record_head(s, r, row, &recs[i]));
    }
    s->pg->ops->clear(r);
    r = NULL;
    SPOOR_TRY(run(s, &r, "records", RECORD_REST, 2, v, 0));
    for (row = 0, i = 0, last = -1; row < s->pg->ops->rows(r); row++) {
        int64_t id = ival(s, r, row, 0);
        if (id != last) { /* the rows come by content */
            last = id;
            memset(caps, 0, sizeof(caps));
            while (i < n && ids[i] < id)
                i++;
        }
        if (i < n && ids[i] == id && recs[i])
            SPOOR_TRY(record_row(s, r, row, recs[i], caps));
    }
done:
    if (r)
        s->pg->ops->clear(r);
    spoor_buf_dispose(&arr);
    if (error < 0)
        for (i = 0; i < n; i++) {
            spoor_record_free(recs[i]);
            recs[i] = NULL;
        }
    return error;
}

/* The prefetched source of content (spoor_pg__want_sources), or NULL. */
static pg_source *cached_source(struct spoor_pgstore *pg, int64_t content)
{
    size_t lo = 0, hi = pg->n_src;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pg->src[mid].id < content)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < pg->n_src && pg->src[lo].id == content ? &pg->src[lo] : NULL;
}

int spoor_pg__record(spoor_store *s, int64_t content, int brief,
                     spoor_record **out)
{
    pg_source *c = cached_source(s->pg, content);
    int error;
    *out = NULL;
    if (c && c->rec) { /* prefetched: handed over */
        *out = c->rec;
        c->rec = NULL;
        return 0;
    }
    if ((error = records_of(s, &content, 1, brief, out)) < 0)
        return error;
    if (!*out)
        return spoor__error_set(SPOOR_ENOTFOUND, "no content %lld",
                                (long long)content);
    return 0;
}

/* Drop the prefetched sources. */
static void sources_clear(struct spoor_pgstore *pg)
{
    size_t i;
    for (i = 0; i < pg->n_src; i++) {
        spoor_record_free(pg->src[i].rec);
        spoor_buf_dispose(&pg->src[i].z);
    }
    pg->n_src = 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int spoor_pg__want_sources(spoor_store *s, const int64_t *ids, size_t n)
{
    struct spoor_pgstore *pg = s->pg;
    spoor_record **recs = NULL;
    int64_t *sorted = NULL;
    spoor_buf arr = SPOOR_BUF_INIT;
    spoor_pg_result *r = NULL;
    size_t i, k = 0;
    int row, error = 0;

    sources_clear(pg);
    if (n == 0 || n > SOURCES_AT_ONCE)
        return 0; /* too many at once: each is read when asked for */
    sorted = spoor__reallocarray(NULL, n, sizeof(*sorted));
    recs = spoor__calloc(n, sizeof(*recs));
    SPOOR_ALLOC_CHECK(sorted);
    SPOOR_ALLOC_CHECK(recs);
    memcpy(sorted, ids, n * sizeof(*ids));
    qsort(sorted, n, sizeof(*sorted), cmp_id);
    for (i = 0; i < n; i++)
        if (k == 0 || sorted[k - 1] != sorted[i])
            sorted[k++] = sorted[i];
    SPOOR_TRY(records_of(s, sorted, k, 0, recs));
    SPOOR_TRY(spoor__array_reserve((void **)&pg->src, &pg->cap_src, k,
                                   sizeof(*pg->src)));
    for (i = 0; i < k; i++) {
        memset(&pg->src[i], 0, sizeof(pg->src[i]));
        pg->src[i].id = sorted[i];
        pg->src[i].rec = recs[i];
        recs[i] = NULL;
    }
    pg->n_src = k;
    /* the texts read whole (one zstd frame each), up to a bound */
    SPOOR_TRY(int8_array(&arr, (const uint64_t *)sorted, k));
    {
        const char *v[1] = {arr.ptr};
        char q[320];
        snprintf(q, sizeof(q),
                 "SELECT t.content_id, t.z, c.text_bytes FROM spoor.texts t "
                 "JOIN spoor.contents c ON c.id = t.content_id WHERE "
                 "t.content_id = ANY($1::int8[]) AND c.text_bytes < %zu",
                 (size_t)SOURCE_TEXT_MAX);
        SPOOR_TRY(run(s, &r, "stored texts", q, 1, v, 1));
    }
    for (row = 0; row < pg->ops->rows(r); row++) {
        pg_source *c = cached_source(pg, bin_int8(s, r, row, 0));
        if (!c || pg->ops->is_null(r, row, 1))
            continue;
        SPOOR_TRY(spoor_buf_put(&c->z, pg->ops->value(r, row, 1),
                                (size_t)pg->ops->length(r, row, 1)));
        c->text_bytes = (uint64_t)bin_int8(s, r, row, 2);
        c->has_text = 1;
    }
done:
    if (r)
        pg->ops->clear(r);
    spoor_buf_dispose(&arr);
    if (recs)
        for (i = 0; i < n; i++)
            spoor_record_free(recs[i]);
    spoor__free(recs);
    spoor__free(sorted);
    if (error < 0)
        sources_clear(pg);
    return error;
}

/* ==== Stored texts ==== */

int spoor_pg__text(spoor_store *s, int64_t content, spoor_buf *out)
{
    spoor_pg_result *r = NULL;
    char id[24];
    const char *v = id;
    int error;

    pg_source *c = cached_source(s->pg, content);
    if (c && c->has_text) /* prefetched */
        return spoor_store__unpack_text(s, content, c->z.ptr, c->z.size,
                                        c->text_bytes, out);
    spoor_buf_clear(out);
    snprintf(id, sizeof(id), "%lld", (long long)content);
    if ((error = run(s, &r, "a stored text",
                     "SELECT t.z, c.text_bytes FROM spoor.contents c LEFT "
                     "JOIN spoor.texts t ON t.content_id = c.id WHERE c.id = "
                     "$1",
                     1, &v, 1)) < 0)
        return error;
    if (s->pg->ops->rows(r) == 0)
        error = spoor__error_set(SPOOR_ENOTFOUND, "no content %lld",
                                 (long long)content);
    else if (!s->pg->ops->is_null(r, 0, 0))
        error = spoor_store__unpack_text(
            s, content, s->pg->ops->value(r, 0, 0),
            (size_t)s->pg->ops->length(r, 0, 0),
            (unsigned long long)bin_int8(s, r, 0, 1), out);
    s->pg->ops->clear(r);
    return error;
}

/* Bytes [off, off + len) of content's stored text into out (replacing
 * what it held); *zlen (when not NULL) gets the stored size. */
static int text_bytes_at(spoor_store *s, int64_t content, size_t off,
                         size_t len, spoor_buf *out, size_t *zlen)
{
    spoor_pg_result *r = NULL;
    char id[24], o[24], n[24];
    const char *v[3] = {id, o, n};
    int error = 0;

    snprintf(id, sizeof(id), "%lld", (long long)content);
    snprintf(o, sizeof(o), "%zu", off + 1);
    snprintf(n, sizeof(n), "%zu", len);
    out->size = 0;
    SPOOR_TRY(run(s, &r, "a stored text",
                  "SELECT substring(z from $2::int4 for $3::int4), "
                  "length(z)::int8 FROM spoor.texts WHERE content_id = $1",
                  3, v, 1));
    if (s->pg->ops->rows(r) == 0) {
        if (zlen)
            *zlen = 0;
        goto done;
    }
    if ((size_t)s->pg->ops->length(r, 0, 0) != len)
        error = spoor_store__damaged_text(s, content);
    else
        error = spoor_buf_put(out, s->pg->ops->value(r, 0, 0), len);
    if (zlen)
        *zlen = (size_t)bin_int8(s, r, 0, 1);
done:
    if (r)
        s->pg->ops->clear(r);
    return error;
}

int spoor_pg__text_open(spoor_store *s, int64_t content, size_t text_bytes,
                        size_t canon_len, spoor_stored_text *t)
{
    size_t zlen = 0, size;
    int error = 0;

    memset(t, 0, sizeof(*t));
    t->content = content;
    if (!spoor_text__may_have_parts(text_bytes))
        return 0;
    SPOOR_TRY(text_bytes_at(s, content, 0, 20, &t->z, &zlen));
    if (zlen < 20 || t->z.size < 20 ||
        !(size = spoor_text__toc_size(t->z.ptr, 20, zlen)))
        goto no_parts;
    SPOOR_TRY(text_bytes_at(s, content, 0, size, &t->z, NULL));
    if ((error = spoor_text__toc_parse(t->z.ptr, size, zlen, text_bytes,
                                       canon_len, &t->toc)) == SPOOR_ECORRUPT)
        error = spoor_store__damaged_text(s, content);
    if (error < 0)
        goto done;
    return 0;
no_parts:
    spoor_buf_dispose(&t->z);
    return 0;
done:
    spoor_buf_dispose(&t->z);
    spoor_text_toc_dispose(&t->toc);
    memset(t, 0, sizeof(*t));
    return error;
}

int spoor_pg__text_parts(spoor_store *s, spoor_stored_text *t, size_t first,
                         size_t end, spoor_buf *out)
{
    const spoor_text_part *a = &t->toc.v[first], *b = &t->toc.v[end - 1];
    int error = text_bytes_at(s, t->content, a->zoff,
                              b->zoff + b->zbytes - a->zoff, &t->z, NULL);
    return error < 0 ? error : spoor_store__unpack_parts(s, t, first, end, out);
}

/* ==== Listings ==== */

int spoor_pg__first_id(spoor_store *s, const char *sql, const char *a,
                       const char *b, int64_t *out, int *count)
{
    spoor_pg_result *r = NULL;
    const char *v[2] = {a, b};
    int error = run(s, &r, "resolve", sql, b ? 2 : 1, v, 0);
    *count = 0;
    if (error < 0)
        return error;
    *count = s->pg->ops->rows(r);
    if (*count > 0)
        *out = ival(s, r, 0, 0);
    s->pg->ops->clear(r);
    return 0;
}

int spoor_pg__ids_of(spoor_store *s, int thread, const char *arg, int64_t **ids,
                     size_t *n)
{
    spoor_pg_result *r = NULL;
    int error, i;
    *ids = NULL;
    *n = 0;
    if ((error = run(s, &r, thread ? "thread" : "contents",
                     thread ? "SELECT id FROM spoor.contents WHERE thread = $1 "
                              "ORDER BY id"
                            : "SELECT DISTINCT i.content_id FROM spoor.items "
                              "i JOIN spoor.collections c ON c.id = "
                              "i.collection_id WHERE c.name = $1 ORDER BY "
                              "i.content_id",
                     1, &arg, 0)) < 0)
        return error;
    *ids = spoor__calloc((size_t)s->pg->ops->rows(r) + 1, sizeof(**ids));
    if (!*ids)
        error = spoor__error_oom();
    for (i = 0; *ids && i < s->pg->ops->rows(r); i++)
        (*ids)[(*n)++] = ival(s, r, i, 0);
    s->pg->ops->clear(r);
    return error;
}

int spoor_pg__members(spoor_store *s, const char *collection, const char *lo,
                      const char *hi, spoor_member_cb cb, void *payload)
{
    spoor_pg_result *r = NULL;
    const char *v[3] = {collection, lo, hi};
    int error, i;
    if ((error = run(s, &r, "members",
                     "SELECT i.id, i.path, t.format, t.bytes, t.text_bytes "
                     "FROM spoor.items i JOIN spoor.contents t ON t.id = "
                     "i.content_id JOIN spoor.collections c ON c.id = "
                     "i.collection_id WHERE c.name = $1 AND i.path COLLATE "
                     "\"C\" >= $2 AND i.path COLLATE \"C\" < $3 ORDER BY i.id",
                     3, v, 0)) < 0)
        return error;
    for (i = 0; i < s->pg->ops->rows(r) && error == 0; i++) {
        spoor_member_info m;
        m.item = ival(s, r, i, 0);
        m.path = val(s, r, i, 1);
        m.format = val(s, r, i, 2);
        m.bytes = ival(s, r, i, 3);
        m.text_bytes = ival(s, r, i, 4);
        error = cb(&m, payload);
    }
    s->pg->ops->clear(r);
    return error < 0 ? error : 0;
}

int spoor_pg__collections(spoor_store *s, spoor_collection_cb cb, void *payload)
{
    spoor_pg_result *r = NULL;
    int error, i;
    if ((error = run(
             s, &r, "collections",
             "SELECT c.id, c.name, c.kind, c.date, c.note, c.created,"
             " (SELECT count(*) FROM spoor.items i WHERE i.collection_id ="
             " c.id), (SELECT count(DISTINCT content_id) FROM spoor.items i"
             " WHERE i.collection_id = c.id), (SELECT coalesce(sum(t.bytes),"
             " 0) FROM spoor.items i JOIN spoor.contents t ON t.id ="
             " i.content_id WHERE i.collection_id = c.id AND i.depth = 0)"
             " FROM spoor.collections c ORDER BY c.date IS NULL, c.date"
             " COLLATE \"C\", c.name COLLATE \"C\"",
             0, NULL, 0)) < 0)
        return error;
    for (i = 0; i < s->pg->ops->rows(r) && error == 0; i++) {
        spoor_collection_info ci;
        ci.id = ival(s, r, i, 0);
        ci.name = val(s, r, i, 1);
        ci.kind = val(s, r, i, 2);
        ci.date = val(s, r, i, 3);
        ci.note = val(s, r, i, 4);
        ci.created = val(s, r, i, 5);
        ci.n_items = ival(s, r, i, 6);
        ci.n_unique = ival(s, r, i, 7);
        ci.bytes = ival(s, r, i, 8);
        error = cb(&ci, payload);
    }
    s->pg->ops->clear(r);
    return error < 0 ? error : 0;
}

int spoor_pg__events(spoor_store *s, spoor_event **out, size_t *n_out)
{
    spoor_pg_result *r = NULL;
    spoor_event *ev;
    int error, i, n, oom = 0;
    *out = NULL;
    *n_out = 0;
    if ((error = run(s, &r, "events",
                     "SELECT name, date, note FROM spoor.events ORDER BY date "
                     "COLLATE \"C\", name COLLATE \"C\"",
                     0, NULL, 0)) < 0)
        return error;
    n = s->pg->ops->rows(r);
    ev = spoor__calloc((size_t)n + 1, sizeof(*ev));
    if (!ev) {
        s->pg->ops->clear(r);
        return spoor__error_oom();
    }
    for (i = 0; i < n; i++) {
        ev[i].name = dup(s, r, i, 0, &oom);
        ev[i].date = dup(s, r, i, 1, &oom);
        ev[i].note = dup(s, r, i, 2, &oom);
    }
    s->pg->ops->clear(r);
    if (oom) {
        spoor_events_free(ev, (size_t)n);
        return spoor__error_oom();
    }
    *out = ev;
    *n_out = (size_t)n;
    return 0;
}

int spoor_pg__keys(spoor_store *s, spoor_key_info_cb cb, void *payload)
{
    spoor_pg_result *r = NULL;
    int error, i;
    if ((error = run(s, &r, "DKIM keys",
                     "SELECT name, record, source, observed, published, added "
                     "FROM spoor.dkim_keys ORDER BY id",
                     0, NULL, 0)) < 0)
        return error;
    for (i = 0; i < s->pg->ops->rows(r) && error == 0; i++) {
        spoor_key_info k;
        k.name = val(s, r, i, 0);
        k.record = val(s, r, i, 1);
        k.source = val(s, r, i, 2);
        k.observed = val(s, r, i, 3);
        k.published = val(s, r, i, 4);
        k.added = val(s, r, i, 5);
        error = cb(&k, payload);
    }
    s->pg->ops->clear(r);
    return error < 0 ? error : 0;
}

int spoor_pg__stats(spoor_store *s, spoor_stats *out)
{
    spoor_pg_result *r = NULL;
    int error;
    memset(out, 0, sizeof(*out));
    if ((error = run(
             s, &r, "stats",
             "SELECT (SELECT count(*) FROM spoor.collections), (SELECT"
             " count(*) FROM spoor.items), (SELECT count(*) FROM"
             " spoor.contents), (SELECT coalesce(sum(postings), 0) FROM"
             " spoor.batch), (SELECT count(*) FROM spoor.batch), (SELECT"
             " count(*) FROM spoor.events), (SELECT coalesce(sum(text_bytes),"
             " 0) FROM spoor.contents), (SELECT coalesce(sum(canon_len), 0)"
             " FROM spoor.contents), greatest(pg_total_relation_size("
             "'spoor.postings'), (SELECT coalesce(sum("
             "pg_total_relation_size(relid)), 0) FROM"
             " pg_partition_tree('spoor.postings'))), (SELECT coalesce(sum("
             "pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN"
             " pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ="
             " 'spoor' AND c.relkind = 'r')",
             0, NULL, 0)) < 0)
        return error;
    out->collections = ival(s, r, 0, 0);
    out->items = ival(s, r, 0, 1);
    out->contents = ival(s, r, 0, 2);
    out->postings = ival(s, r, 0, 3);
    out->segments = ival(s, r, 0, 4);
    out->events = ival(s, r, 0, 5);
    out->text_bytes = ival(s, r, 0, 6);
    out->canon_chars = ival(s, r, 0, 7);
    out->postings_bytes = ival(s, r, 0, 8);
    out->stored_bytes = ival(s, r, 0, 9);
    s->pg->ops->clear(r);
    return 0;
}
