/*
 * cmd_serve.c: spoor serve [--listen ADDR:PORT] [--token-file FILE]
 *              [--max-upload BYTES]
 *
 * The index over HTTP (libmicrohttpd), read-only, from a warm process: a
 * check skips the start-up of a one-shot spoor check. This is the JSON API
 * of issue 20 (the pages come later):
 *
 *   GET  /api/collections  the lines of spoor collections --json
 *   GET  /api/items/REF    spoor show --json of an indexed item
 *   POST /api/check        the body is one input (a file's bytes or pasted
 *                          text; ?name=NAME names it, else "-"): the lines
 *                          of spoor check --json on it
 *
 * Every request needs the access token (Authorization: Bearer TOKEN): from
 * --token-file, else a random one printed at start; without it, 401. It
 * listens on the loopback unless told otherwise. Bounds: 16 connections,
 * 60 s of idleness, uploads of --max-upload bytes (default: the add bound
 * MAX_FILE_BYTES), else 413. Every answer says Content-Security-Policy
 * default-src 'none', nosniff, no-referrer and no-store. Requests are
 * answered one at a time by the server's thread, which alone uses the
 * index.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <microhttpd.h>

#include "cmd.h"

#define DEFAULT_LISTEN "127.0.0.1:8750"
#define MAX_CONNECTIONS 16
#define IDLE_SECONDS 60
#define TOKEN_MIN 16

enum { O_LISTEN = 256, O_TOKEN_FILE, O_MAX_UPLOAD };

static const cli_opt serve_opts[] = {
    {"listen", 0, O_LISTEN, "ADDR:PORT",
     "where to listen (default " DEFAULT_LISTEN "; port 0: any free port)"},
    {"token-file", 0, O_TOKEN_FILE, "FILE",
     "the access token, the file's first line (at least 16 characters);\n"
     "default: a random one, printed at start"},
    {"max-upload", 0, O_MAX_UPLOAD, "BYTES",
     "the largest body POST /api/check takes (default: MAX_FILE_BYTES)"},
    CLI_OPT_END};

typedef struct server {
    spoor_store *store;
    cli_checker *checker;
    char token[256];
    size_t max_upload;
    unsigned long long requests;
} server;

/* A request's state across the calls libmicrohttpd makes for it. */
typedef struct request {
    spoor_buf body;
    int too_big, denied;
} request;

/* Whether a and b (NUL-terminated) are equal, in time that does not
 * depend on where they first differ. */
static int same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i;
    unsigned char d = la != lb;
    for (i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* Whether the request carries the token. */
static int authorised(const server *sv, struct MHD_Connection *conn)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    return h && !strncmp(h, "Bearer ", 7) && same_secret(h + 7, sv->token);
}

/* Queue an answer of status with body (type: its Content-Type), and the
 * headers every answer has. */
static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status,
                              const char *type, const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; frame-ancestors 'none'; "
                            "base-uri 'none'; form-action 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"spoor\"");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
                                strstr(body, "POST") ? "POST" : "GET");
    ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A JSON error answer: {"error": message}. */
static enum MHD_Result answer_error(struct MHD_Connection *conn,
                                    unsigned status, const char *message)
{
    spoor_buf b = SPOOR_BUF_INIT;
    enum MHD_Result ok = MHD_NO;
    if (spoor_buf_puts(&b, "{\"error\": ") == 0 &&
        spoor_json_string(&b, message, strlen(message)) == 0 &&
        spoor_buf_puts(&b, "}\n") == 0)
        ok = answer(conn, status, "application/json", b.ptr, b.size);
    spoor_buf_dispose(&b);
    return ok;
}

/* The lines in b as a 200 answer, or, when error, a 500 saying why; b
 * is released. */
static enum MHD_Result answer_lines(struct MHD_Connection *conn, int error,
                                    spoor_buf *b)
{
    enum MHD_Result ok =
        error < 0 ? answer_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                 spoor_error_last()->message)
                  : answer(conn, MHD_HTTP_OK, "application/x-ndjson",
                           b->ptr ? b->ptr : "", b->size);
    spoor_buf_dispose(b);
    return ok;
}

/* GET /api/collections. */
static enum MHD_Result api_collections(server *sv, struct MHD_Connection *conn)
{
    spoor_buf b = SPOOR_BUF_INIT;
    return answer_lines(
        conn, spoor_store_collections(sv->store, cli_collection_json, &b), &b);
}

/* GET /api/items/REF: show --json of an indexed item (never a file of
 * this machine). */
static enum MHD_Result api_item(server *sv, struct MHD_Connection *conn,
                                const char *ref)
{
    spoor_buf b = SPOOR_BUF_INIT;
    int error = cli_item_json(sv->store, ref, &b);
    if (error == SPOOR_ENOTFOUND || error == SPOOR_EINVALID) {
        spoor_buf_dispose(&b);
        return answer_error(conn,
                            error == SPOOR_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                                                     : MHD_HTTP_BAD_REQUEST,
                            spoor_error_last()->message);
    }
    return answer_lines(conn, error, &b);
}

/* POST /api/check, its body read. */
static enum MHD_Result api_check(server *sv, struct MHD_Connection *conn,
                                 const request *rq)
{
    const char *name =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
    spoor_buf b = SPOOR_BUF_INIT;
    /* a name is a file's name, for format detection and the report: no
     * folders, nothing a walk would take for a path */
    if (!name || !*name || strchr(name, '/') || strchr(name, '!') ||
        strlen(name) > 255)
        name = "-";
    return answer_lines(conn,
                        cli_checker_json(sv->checker, name,
                                         rq->body.ptr ? rq->body.ptr : "",
                                         rq->body.size, &b),
                        &b);
}

/* libmicrohttpd's handler: called once with the headers, then for each
 * piece of the body, then once more to answer. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    server *sv = cls;
    request *rq = *state;
    int post = !strcmp(method, MHD_HTTP_METHOD_POST);
    (void)version;

    if (!rq) { /* the headers: say no early, before any body is read */
        rq = calloc(1, sizeof(*rq));
        if (!rq)
            return MHD_NO;
        *state = rq;
        rq->denied = !authorised(sv, conn);
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body */
        if (!rq->denied && !rq->too_big) {
            if (rq->body.size + *upload_size > sv->max_upload) {
                rq->too_big = 1;
                spoor_buf_dispose(&rq->body);
            } else if (spoor_buf_put(&rq->body, upload, *upload_size) < 0) {
                return MHD_NO;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    sv->requests++;
    if (rq->denied)
        return answer_error(conn, MHD_HTTP_UNAUTHORIZED,
                            "an access token is needed (Authorization: "
                            "Bearer TOKEN)");
    if (!strcmp(url, "/api/collections")) {
        if (strcmp(method, MHD_HTTP_METHOD_GET))
            return answer_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                "/api/collections takes GET");
        return api_collections(sv, conn);
    }
    if (!strncmp(url, "/api/items/", 11) && url[11]) {
        if (strcmp(method, MHD_HTTP_METHOD_GET))
            return answer_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                "/api/items takes GET");
        return api_item(sv, conn, url + 11);
    }
    if (!strcmp(url, "/api/check")) {
        if (!post)
            return answer_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                "/api/check takes POST");
        if (rq->too_big)
            return answer_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                                "the body is larger than --max-upload");
        return api_check(sv, conn, rq);
    }
    return answer_error(conn, MHD_HTTP_NOT_FOUND, "no such page");
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
                    enum MHD_RequestTerminationCode why)
{
    request *rq = *state;
    (void)cls, (void)conn, (void)why;
    if (rq) {
        spoor_buf_dispose(&rq->body);
        free(rq);
    }
    *state = NULL;
}

/* The token: the first line of path, or a random one. */
static int read_token(server *sv, const char *path)
{
    if (path) {
        char *data = NULL;
        size_t len = 0, n;
        if (cli_read_file(path, &data, &len) != CLI_OK)
            return CLI_ERROR;
        n = strcspn(data, "\r\n");
        while (n && (data[n - 1] == ' ' || data[n - 1] == '\t'))
            n--;
        if (n < TOKEN_MIN || n >= sizeof(sv->token)) {
            free(data);
            return cli_error(path, "the token must be %d to %zu characters",
                             TOKEN_MIN, sizeof(sv->token) - 1);
        }
        memcpy(sv->token, data, n);
        sv->token[n] = '\0';
        free(data);
    } else {
        unsigned char r[24];
        size_t i;
        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
            return cli_error(NULL, "cannot make a token: %s", strerror(errno));
        for (i = 0; i < sizeof(r); i++)
            snprintf(sv->token + 2 * i, 3, "%02x", r[i]);
    }
    return CLI_OK;
}

/* ADDR:PORT (IPv4) into addr. */
static int parse_listen(const char *arg, struct sockaddr_in *addr)
{
    const char *colon = strrchr(arg, ':');
    char host[64];
    char *end;
    long port;
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    if (!colon || (size_t)(colon - arg) >= sizeof(host))
        return -1;
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535 ||
        inet_pton(AF_INET, host, &addr->sin_addr) != 1)
        return -1;
    addr->sin_port = htons((uint16_t)port);
    return 0;
}

int cmd_serve(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {serve_opts, NULL};
    cli_parser p;
    server sv;
    struct sockaddr_in addr;
    struct MHD_Daemon *d = NULL;
    const union MHD_DaemonInfo *info;
    const char *token_file = NULL;
    spoor_limits lim;
    char shown[INET_ADDRSTRLEN];
    unsigned port;
    int opt, rc = CLI_OK;

    memset(&sv, 0, sizeof(sv));
    spoor_limits_default(&lim);
    sv.max_upload = (size_t)lim.max_file_bytes;
    parse_listen(DEFAULT_LISTEN, &addr);
    optind = 1;
    cli_parser_init(&p, tables);
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        switch (opt) {
        case O_LISTEN:
            if (parse_listen(optarg, &addr) < 0)
                return cli_error_usage("serve",
                                       "--listen takes ADDR:PORT (IPv4), "
                                       "not '%s'",
                                       optarg);
            break;
        case O_TOKEN_FILE:
            token_file = optarg;
            break;
        case O_MAX_UPLOAD:
            if (cli_parse_size(optarg, &sv.max_upload) < 0 || !sv.max_upload)
                return cli_error_usage("serve", "bad --max-upload '%s'",
                                       optarg);
            break;
        case 'h':
            printf("usage: spoor serve [--listen ADDR:PORT] [--token-file "
                   "FILE] [--max-upload BYTES]\n\nThe index's JSON API over "
                   "HTTP, read-only (docs/design.md, \"spoor serve\"):\n"
                   "  GET  /api/collections  the lines of collections "
                   "--json\n  GET  /api/items/REF    show --json of an "
                   "indexed item\n  POST /api/check        the body is one "
                   "input "
                   "(?name=NAME): the lines of check --json\n"
                   "Every request needs Authorization: Bearer TOKEN.\n\n");
            cli_options_help(tables);
            return CLI_OK;
        default:
            return cli_bad_option("serve", argv);
        }
    }
    if (optind < argc)
        return cli_error_usage("serve", "takes no arguments");
    if ((rc = read_token(&sv, token_file)) != CLI_OK)
        return rc;
    if ((rc = cli_open_index(&sv.store, g, SPOOR_STORE_READONLY)) != CLI_OK)
        return rc;
    if (cli_checker_new(&sv.checker, sv.store) < 0) {
        rc = cli_error_lib(g->index);
        goto done;
    }
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, &sv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_SECONDS,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!d) {
        rc = cli_error(NULL, "cannot listen on %s:%u: %s",
                       inet_ntop(AF_INET, &addr.sin_addr, shown, sizeof(shown)),
                       ntohs(addr.sin_port), strerror(errno));
        goto done;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = info ? info->port : ntohs(addr.sin_port); /* port 0: the one got */
    inet_ntop(AF_INET, &addr.sin_addr, shown, sizeof(shown));
    printf("spoor serve: %s on http://%s:%u/ (read-only)\n",
           spoor_store_path(sv.store), shown, port);
    if (!token_file)
        printf("spoor serve: token %s\n", sv.token);
    printf("spoor serve: try curl -H 'Authorization: Bearer TOKEN' "
           "http://%s:%u/api/collections\n",
           shown, port);
    fflush(stdout);
    cli_catch_interrupt();
    while (!cli_interrupted()) {
        struct timespec t = {0, 200 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    MHD_stop_daemon(d); /* its thread is done with sv */
    d = NULL;
    fprintf(stderr, "spoor serve: stopped after %llu requests\n", sv.requests);
done:
    if (d)
        MHD_stop_daemon(d);
    cli_checker_free(sv.checker);
    spoor_store_free(sv.store);
    return rc == CLI_INTERRUPTED ? CLI_OK : rc;
}
