/*
 * pg_ops.h: libpq, as spoor push (push.c) and the shared index's reader
 * (pg_store.c) call it, through the PostgreSQL
 * module (module_pg.c), so that only a process that talks to a server maps
 * libpq and the TLS and Kerberos libraries it brings.
 */
#ifndef SPOOR_PG_OPS_H
#define SPOOR_PG_OPS_H

#include <stddef.h>

typedef struct spoor_pg spoor_pg;               /* a connection */
typedef struct spoor_pg_result spoor_pg_result; /* a query's rows */

typedef struct spoor_pg_ops {
    /* Parse conninfo (a connection string or URL) into where: its host and
     * database, for messages (never its password). @return 0, or -1 when
     * it is not one. */
    int (*describe)(const char *conninfo, char *where, size_t cap);
    /* Connect; NULL only out of memory (else check with error). */
    spoor_pg *(*connect)(const char *conninfo);
    /* The connection's last error ("" when none), without its newline. */
    const char *(*error)(spoor_pg *c);
    int (*ok)(spoor_pg *c); /* whether the connection is up */
    void (*finish)(spoor_pg *c);
    /* Run sql: without parameters as a simple query (several statements
     * allowed), else with n parameters (text, or binary where fmts[i] is
     * 1, lens[i] bytes; lens and fmts may be NULL). *out gets the rows when
     * out is not NULL, in the binary format when binary (int8 as 8 bytes
     * big-endian, bytea as its bytes), else as text. @return 0, or -1
     * (error says why). */
    int (*exec)(spoor_pg *c, spoor_pg_result **out, const char *sql, int n,
                const char *const *params, const int *lens, const int *fmts,
                int binary);
    int (*rows)(const spoor_pg_result *r);
    const char *(*value)(const spoor_pg_result *r, int row, int col);
    int (*length)(const spoor_pg_result *r, int row, int col); /* bytes */
    int (*is_null)(const spoor_pg_result *r, int row, int col);
    void (*clear)(spoor_pg_result *r);
    /* COPY ... FROM STDIN: start, send data, end (err: abort with this
     * message, else NULL). @return 0, or -1 (error says why). */
    int (*copy_start)(spoor_pg *c, const char *sql);
    int (*copy_put)(spoor_pg *c, const void *data, size_t len);
    int (*copy_end)(spoor_pg *c, const char *err);
} spoor_pg_ops;

#endif
