/*
 * pg_layout.c: the two postings layouts issue 19 asks to measure before a
 * PostgreSQL back end is built, on a real server (bench/pg_layout.py starts
 * one), through libpq as spoor would talk to it.
 *
 *   rows:   p_rows(key int8, content int4, pos int4), a b-tree on key that
 *           includes content and pos (index-only scans after VACUUM);
 *           lookup: WHERE key = ANY($1) with the keys as a binary int8[].
 *   blocks: p_blocks(first int8 primary key, data bytea), the postings
 *           sorted by (key, content, pos) cut into blocks of about `block`
 *           postings that never split a key, each delta- and varint-coded
 *           as a segment bucket is; lookup: for each key, the last block
 *           whose first key is at most it (LATERAL ... LIMIT 1), decoded
 *           and filtered here.
 *
 * Both load the same postings by COPY (binary for rows) in one
 * transaction, then index and VACUUM ANALYZE them; a query is one round
 * trip of QUERY_KEYS keys (half of them indexed). Prints one JSON object.
 * Usage: bench_pg_layout CONNINFO POSTINGS QUERIES [BLOCK]
 * With BENCH_PG_BUCKETS_ONLY set in the environment only the buckets are
 * loaded and looked up (the layout spoor uses, at sizes where a row per
 * posting would not fit the disk); the others report zeros.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

/* Postings per block, unless a fourth argument says. */
static size_t block = 64;
#define QUERY_KEYS 2000
#define INT8OID 20
#define KEY_BITS 40

typedef struct posting {
    uint64_t key;
    uint32_t content, pos;
} posting;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* splitmix64: the same postings every run. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int cmp_posting(const void *a, const void *b)
{
    const posting *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->content != y->content)
        return x->content < y->content ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die(PGconn *c, const char *what)
{
    fprintf(stderr, "bench_pg_layout: %s: %s", what, PQerrorMessage(c));
    exit(1);
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK &&
        PQresultStatus(r) != PGRES_TUPLES_OK)
        die(c, sql);
    PQclear(r);
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static uint64_t get_be64(const unsigned char *p)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static const unsigned char *get_varint(const unsigned char *p,
                                       const unsigned char *end, uint64_t *v)
{
    unsigned shift = 0;
    *v = 0;
    while (p < end && shift < 64) {
        *v |= (uint64_t)(*p & 0x7f) << shift;
        if (!(*p++ & 0x80))
            return p;
        shift += 7;
    }
    return NULL;
}

/* COPY the postings into p_rows, binary format. */
static void load_rows(PGconn *c, const posting *v, size_t n)
{
    static const unsigned char head[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
    unsigned char *buf = malloc(1 << 20), tail[2] = {0xff, 0xff};
    size_t i, at = 0;
    PGresult *r = PQexec(c, "COPY p_rows FROM STDIN (FORMAT binary)");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        die(c, "COPY p_rows");
    PQclear(r);
    if (!buf || PQputCopyData(c, (const char *)head, sizeof(head)) != 1)
        die(c, "COPY header");
    for (i = 0; i < n; i++) {
        unsigned char *p = buf + at;
        p[0] = 0, p[1] = 3; /* three fields */
        put_be32(p + 2, 8), put_be64(p + 6, v[i].key);
        put_be32(p + 14, 4), put_be32(p + 18, v[i].content);
        put_be32(p + 22, 4), put_be32(p + 26, v[i].pos);
        at += 30;
        if (at > (1 << 20) - 64) {
            if (PQputCopyData(c, (const char *)buf, (int)at) != 1)
                die(c, "COPY data");
            at = 0;
        }
    }
    if ((at && PQputCopyData(c, (const char *)buf, (int)at) != 1) ||
        PQputCopyData(c, (const char *)tail, 2) != 1 ||
        PQputCopyEnd(c, NULL) != 1)
        die(c, "COPY end");
    r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(c, "COPY p_rows result");
    PQclear(r);
    free(buf);
}

/* Encode postings v[0..n) as one block: varint deltas of key from the
 * block's first key, then content (delta within a key), pos. */
static size_t encode_block(unsigned char *out, const posting *v, size_t n)
{
    size_t i, at = 0;
    for (i = 0; i < n; i++) {
        int same = i && v[i].key == v[i - 1].key;
        at += put_varint(out + at, i ? v[i].key - v[i - 1].key : 0);
        at += put_varint(out + at, same && v[i].content >= v[i - 1].content
                                       ? v[i].content - v[i - 1].content
                                       : v[i].content);
        at += put_varint(out + at, v[i].pos);
    }
    return at;
}

/* Sync the pipeline and read its results up to the sync, each an
 * INSERT's. */
static void drain(PGconn *c)
{
    PGresult *r;
    if (PQpipelineSync(c) != 1)
        die(c, "sync");
    while ((r = PQgetResult(c)) != NULL || PQstatus(c) == CONNECTION_OK) {
        if (!r)
            continue;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            return;
        }
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die(c, "insert block");
        PQclear(r);
    }
    die(c, "pipeline");
}

/* Load the postings into p_blocks (shift 0: blocks of about `block`
 * postings, keyed by their first key) or p_buckets (the postings of each
 * key >> shift, their first key first): a row each, by a prepared INSERT
 * per row, pipelined. */
static void load_blocks(PGconn *c, const posting *v, size_t n, unsigned shift,
                        size_t *blocks)
{
    unsigned char *data = malloc(n * 30 + 16);
    size_t i = 0;
    const char *stmt = shift ? "bkt" : "blk";
    PGresult *r = PQprepare(
        c, stmt,
        shift ? "INSERT INTO p_buckets VALUES ($1::int8, 1, $2::bytea)"
              : "INSERT INTO p_blocks VALUES ($1::int8, $2::bytea)",
        2, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(c, "prepare");
    PQclear(r);
    if (!data || PQenterPipelineMode(c) != 1)
        die(c, "pipeline");
    *blocks = 0;
    while (i < n) {
        size_t end = i + block, len = 0;
        unsigned char first[8];
        const char *vals[2];
        int lens[2], fmts[2] = {1, 1};
        if (shift) { /* the bucket */
            for (end = i + 1; end < n && v[end].key >> shift == v[i].key >> shift;
                 end++)
                ;
            len = put_varint(data, v[i].key);
            put_be64(first, v[i].key >> shift);
        } else {
            if (end > n)
                end = n;
            while (end < n && v[end].key == v[end - 1].key) /* never split */
                end++;                                      /* a key */
            put_be64(first, v[i].key);
        }
        len += encode_block(data + len, v + i, end - i);
        vals[0] = (const char *)first, lens[0] = 8;
        vals[1] = (const char *)data, lens[1] = (int)len;
        if (PQsendQueryPrepared(c, stmt, 2, vals, lens, fmts, 0) != 1)
            die(c, "send block");
        (*blocks)++;
        i = end;
        if (*blocks % 1000 == 0) { /* drain, so buffers stay bounded */
            drain(c);
        }
    }
    drain(c);
    PQexitPipelineMode(c);
    free(data);
}

/* keys as a binary int8[] parameter. */
static size_t int8_array(unsigned char *out, const uint64_t *k, size_t n)
{
    size_t i, at = 20;
    put_be32(out, 1);               /* dimensions */
    put_be32(out + 4, 0);           /* no NULLs */
    put_be32(out + 8, INT8OID);     /* element type */
    put_be32(out + 12, (uint32_t)n); /* length */
    put_be32(out + 16, 1);          /* lower bound */
    for (i = 0; i < n; i++, at += 12) {
        put_be32(out + at, 8);
        put_be64(out + at + 4, k[i]);
    }
    return at;
}

/* Postings of a bucket's data whose key is one of k[0..n) (sorted). */
static size_t bucket_hits(const unsigned char *p, const unsigned char *end,
                          const uint64_t *k, size_t n)
{
    uint64_t key, d, content, pos;
    size_t found = 0;
    if (!(p = get_varint(p, end, &key)))
        return 0;
    while (p && p < end) {
        size_t lo = 0, hi = n;
        if (!(p = get_varint(p, end, &d)))
            break;
        key += d;
        p = get_varint(p, end, &content);
        p = p ? get_varint(p, end, &pos) : NULL;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (k[mid] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        found += lo < n && k[lo] == key;
    }
    return found;
}

/* Run one lookup of n keys (layout 0 rows, 1 blocks, 2 buckets of
 * key >> shift); returns the postings found. */
static size_t lookup(PGconn *c, int layout, const uint64_t *k, size_t n,
                     unsigned shift, unsigned char *arr)
{
    static uint64_t buckets[QUERY_KEYS];
    size_t len, found = 0, row, nb = 0, i;
    const char *vals[1] = {(const char *)arr};
    int lens[1], fmts[1] = {1};
    static const char *const names[] = {"qr", "qb", "qk"};
    PGresult *r;
    if (layout == 2) { /* the distinct buckets of the keys (sorted) */
        for (i = 0; i < n; i++)
            if (nb == 0 || buckets[nb - 1] != k[i] >> shift)
                buckets[nb++] = k[i] >> shift;
        len = int8_array(arr, buckets, nb);
    } else {
        len = int8_array(arr, k, n);
    }
    lens[0] = (int)len;
    r = PQexecPrepared(c, names[layout], 1, vals, lens, fmts, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die(c, "lookup");
    for (row = 0; row < (size_t)PQntuples(r); row++) {
        if (layout == 0) {
            found++;
            continue;
        }
        if (layout == 2) {
            const unsigned char *p =
                (const unsigned char *)PQgetvalue(r, (int)row, 0);
            found += bucket_hits(p, p + PQgetlength(r, (int)row, 0), k, n);
            continue;
        }
        { /* decode the block, count the postings of the key asked */
            uint64_t want = get_be64((const unsigned char *)PQgetvalue(r, (int)row, 0));
            uint64_t key = get_be64((const unsigned char *)PQgetvalue(r, (int)row, 1));
            const unsigned char *p = (const unsigned char *)PQgetvalue(r, (int)row, 2);
            const unsigned char *end = p + PQgetlength(r, (int)row, 2);
            while (p && p < end) {
                uint64_t d, content, pos;
                if (!(p = get_varint(p, end, &d)))
                    break;
                key += d;
                p = get_varint(p, end, &content);
                p = p ? get_varint(p, end, &pos) : NULL;
                if (key == want)
                    found++;
                else if (key > want)
                    break;
            }
        }
    }
    PQclear(r);
    return found;
}

static int64_t relation_size(PGconn *c, const char *rel)
{
    char sql[200];
    PGresult *r;
    int64_t v;
    snprintf(sql, sizeof(sql), "SELECT pg_total_relation_size('%s')", rel);
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die(c, sql);
    v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

static void percentiles(double *t, size_t n, double *p50, double *p99)
{
    qsort(t, n, sizeof(*t), cmp_double);
    *p50 = t[n / 2];
    *p99 = t[(size_t)(0.99 * (double)(n - 1))];
}

int main(int argc, char **argv)
{
    PGconn *c;
    posting *v;
    uint64_t seed = 19, *keys;
    size_t n, queries, i, q, blocks = 0, found[3] = {0, 0, 0};
    unsigned char *arr;
    double t0, load_rows_s, load_blocks_s, load_buckets_s, *lat[3], p50[3],
        p99[3];
    size_t buckets = 0;
    unsigned shift = KEY_BITS, bits = 0;
    PGresult *r;
    int only_buckets = getenv("BENCH_PG_BUCKETS_ONLY") != NULL;

    if (argc != 4 && argc != 5) {
        fprintf(stderr,
                "usage: bench_pg_layout CONNINFO POSTINGS QUERIES [BLOCK]\n");
        return 2;
    }
    if (argc == 5 && (block = strtoull(argv[4], NULL, 10)) < 1)
        block = 1;
    n = strtoull(argv[2], NULL, 10);
    queries = strtoull(argv[3], NULL, 10);
    c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK)
        die(c, "connect");
    v = malloc(n * sizeof(*v));
    keys = malloc(QUERY_KEYS * sizeof(*keys));
    arr = malloc(20 + 12 * QUERY_KEYS);
    lat[0] = malloc(queries * sizeof(double));
    lat[1] = malloc(queries * sizeof(double));
    lat[2] = malloc(queries * sizeof(double));
    if (!v || !keys || !arr || !lat[0] || !lat[1] || !lat[2])
        return 1;
    /* postings as an index of 10 k-character items holds them: a key in
     * one item mostly, content ids up to n / 600 */
    for (i = 0; i < n; i++) {
        v[i].key = next_rand(&seed) >> (64 - KEY_BITS);
        v[i].content = (uint32_t)(next_rand(&seed) % (n / 600 + 1)) + 1;
        v[i].pos = (uint32_t)(next_rand(&seed) % 10000);
    }
    qsort(v, n, sizeof(*v), cmp_posting);

    /* buckets of about `block` postings: key >> shift */
    while (((size_t)1 << (bits + 1)) * block <= n)
        bits++;
    shift = KEY_BITS - bits;
    exec_ok(c, "SET client_min_messages = warning");
    exec_ok(c, "DROP TABLE IF EXISTS p_rows, p_blocks, p_buckets");
    exec_ok(c, "CREATE TABLE p_buckets (bucket int8, batch int4, data bytea "
               "NOT NULL, PRIMARY KEY (bucket, batch))");
    exec_ok(c, "CREATE TABLE p_rows (key int8 NOT NULL, content int4 NOT NULL,"
               " pos int4 NOT NULL)");
    exec_ok(c, "CREATE TABLE p_blocks (first int8 PRIMARY KEY, data bytea "
               "NOT NULL)");
    load_rows_s = load_blocks_s = 0;
    if (!only_buckets) {
        t0 = now_s();
        exec_ok(c, "BEGIN");
        load_rows(c, v, n);
        exec_ok(c,
                "CREATE INDEX p_rows_key ON p_rows (key) INCLUDE (content, pos)");
        exec_ok(c, "COMMIT");
        exec_ok(c, "VACUUM ANALYZE p_rows");
        load_rows_s = now_s() - t0;
        t0 = now_s();
        exec_ok(c, "BEGIN");
        load_blocks(c, v, n, 0, &blocks);
        exec_ok(c, "COMMIT");
        exec_ok(c, "VACUUM ANALYZE p_blocks");
        load_blocks_s = now_s() - t0;
    }
    t0 = now_s();
    exec_ok(c, "BEGIN");
    load_blocks(c, v, n, shift, &buckets);
    exec_ok(c, "COMMIT");
    exec_ok(c, "VACUUM ANALYZE p_buckets");
    load_buckets_s = now_s() - t0;

    r = PQprepare(c, "qr",
                  "SELECT key, content, pos FROM p_rows WHERE key = ANY($1)", 1,
                  NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(c, "prepare qr");
    PQclear(r);
    r = PQprepare(c, "qb",
                  "SELECT q.k, b.first, b.data FROM unnest($1::int8[]) q(k) "
                  "CROSS JOIN LATERAL (SELECT first, data FROM p_blocks "
                  "WHERE first <= q.k ORDER BY first DESC LIMIT 1) b",
                  1, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(c, "prepare qb");
    PQclear(r);
    r = PQprepare(c, "qk",
                  "SELECT data FROM p_buckets WHERE bucket = ANY($1)", 1, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(c, "prepare qk");
    PQclear(r);
    for (q = 0; q < queries + 5; q++) { /* 5 to warm up */
        int layout;
        size_t nk = 0;
        for (i = 0; i < QUERY_KEYS; i++)
            keys[i] = i % 2 ? v[next_rand(&seed) % n].key
                            : next_rand(&seed) >> (64 - KEY_BITS);
        qsort(keys, QUERY_KEYS, sizeof(*keys), cmp_u64);
        for (i = 0; i < QUERY_KEYS; i++) /* distinct keys, as a check asks */
            if (i == 0 || keys[i] != keys[i - 1])
                keys[nk++] = keys[i];
        for (layout = only_buckets ? 2 : 0; layout < 3; layout++) {
            double t = now_s();
            size_t got = lookup(c, layout, keys, nk, shift, arr);
            t = (now_s() - t) * 1000;
            if (q >= 5) {
                lat[layout][q - 5] = t;
                found[layout] += got;
            }
        }
    }
    if (only_buckets) {
        found[0] = found[1] = found[2];
        memset(lat[0], 0, queries * sizeof(double));
        memset(lat[1], 0, queries * sizeof(double));
    }
    if (found[0] != found[1] || found[0] != found[2]) {
        fprintf(stderr,
                "bench_pg_layout: rows found %zu postings, blocks %zu, "
                "buckets %zu\n",
                found[0], found[1], found[2]);
        return 1;
    }
    for (i = 0; i < 3; i++)
        percentiles(lat[i], queries, &p50[i], &p99[i]);
    printf("{\"postings\": %zu, \"query_keys\": %d, \"queries\": %zu, "
           "\"postings_found\": %zu,\n"
           " \"rows\": {\"load_s\": %.2f, \"bytes\": %" PRId64
           ", \"p50_ms\": %.2f, \"p99_ms\": %.2f},\n"
           " \"blocks\": {\"load_s\": %.2f, \"bytes\": %" PRId64
           ", \"blocks\": %zu, \"per_block\": %zu, \"p50_ms\": %.2f, "
           "\"p99_ms\": %.2f},\n"
           " \"buckets\": {\"load_s\": %.2f, \"bytes\": %" PRId64
           ", \"blocks\": %zu, \"per_block\": %zu, \"p50_ms\": %.2f, "
           "\"p99_ms\": %.2f}}\n",
           n, QUERY_KEYS, queries, found[0], load_rows_s,
           relation_size(c, "p_rows"), p50[0], p99[0], load_blocks_s,
           relation_size(c, "p_blocks"), blocks, block, p50[1], p99[1],
           load_buckets_s, relation_size(c, "p_buckets"), buckets,
           n / (buckets ? buckets : 1), p50[2], p99[2]);
    PQfinish(c);
    free(v);
    free(keys);
    free(arr);
    free(lat[0]);
    free(lat[1]);
    free(lat[2]);
    return 0;
}
