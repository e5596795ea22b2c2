/*
 * module_pg.c: the PostgreSQL module's table (see module.h and
 * store/pg_ops.h): libpq behind the few calls spoor push and the shared
 * index's reader make.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "../store/pg_ops.h"
#include "module.h"

static int pg_describe(const char *conninfo, char *where, size_t cap)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *o;
    const char *host = "", *db = "";
    if (!opts)
        return -1;
    for (o = opts; o->keyword; o++) {
        if (!strcmp(o->keyword, "host") && o->val)
            host = o->val;
        if (!strcmp(o->keyword, "dbname") && o->val)
            db = o->val;
    }
    snprintf(where, cap, "%s%s%s", *host ? host : "localhost", *db ? "/" : "",
             db);
    PQconninfoFree(opts);
    return 0;
}

static spoor_pg *pg_connect(const char *conninfo)
{
    return (spoor_pg *)PQconnectdb(conninfo);
}

static const char *pg_error(spoor_pg *c)
{
    static _Thread_local char msg[512];
    size_t n;
    snprintf(msg, sizeof(msg), "%s", PQerrorMessage((PGconn *)c));
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    return msg;
}

static int pg_ok(spoor_pg *c)
{
    return PQstatus((PGconn *)c) == CONNECTION_OK;
}

static void pg_finish(spoor_pg *c)
{
    PQfinish((PGconn *)c);
}

static int pg_exec(spoor_pg *c, spoor_pg_result **out, const char *sql, int n,
                   const char *const *params, const int *lens, const int *fmts,
                   int binary)
{
    PGresult *r = n || binary ? PQexecParams((PGconn *)c, sql, n, NULL, params,
                                             lens, fmts, binary ? 1 : 0)
                              : PQexec((PGconn *)c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (out)
        *out = NULL;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        PQclear(r);
        return -1;
    }
    if (out)
        *out = (spoor_pg_result *)r;
    else
        PQclear(r);
    return 0;
}

static int pg_rows(const spoor_pg_result *r)
{
    return r ? PQntuples((const PGresult *)r) : 0;
}

static const char *pg_value(const spoor_pg_result *r, int row, int col)
{
    return PQgetvalue((const PGresult *)r, row, col);
}

static int pg_length(const spoor_pg_result *r, int row, int col)
{
    return PQgetlength((const PGresult *)r, row, col);
}

static int pg_is_null(const spoor_pg_result *r, int row, int col)
{
    return PQgetisnull((const PGresult *)r, row, col);
}

static void pg_clear(spoor_pg_result *r)
{
    PQclear((PGresult *)r);
}

static int pg_copy_start(spoor_pg *c, const char *sql)
{
    PGresult *r = PQexec((PGconn *)c, sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    return ok ? 0 : -1;
}

static int pg_copy_put(spoor_pg *c, const void *data, size_t len)
{
    return PQputCopyData((PGconn *)c, data, (int)len) == 1 ? 0 : -1;
}

static int pg_copy_end(spoor_pg *c, const char *err)
{
    PGresult *r;
    int ok = PQputCopyEnd((PGconn *)c, err) == 1;
    while ((r = PQgetResult((PGconn *)c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            ok = 0;
        PQclear(r);
    }
    return ok && !err ? 0 : -1;
}

static const spoor_pg_ops ops = {
    pg_describe, pg_connect,    pg_error,    pg_ok,       pg_finish,
    pg_exec,     pg_rows,       pg_value,    pg_length,   pg_is_null,
    pg_clear,    pg_copy_start, pg_copy_put, pg_copy_end,
};

static const spoor_extractor *const extractors[] = {NULL};

const spoor_module spoor_module_pg = {
    SPOOR_MODULE_ABI, SPOOR_VERSION, extractors, NULL, NULL, &ops,
};
