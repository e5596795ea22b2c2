/*
 * cmd_serve.c: spoor serve [--listen ADDR:PORT] [--token-file FILE]
 *              [--max-upload BYTES] [--max-seconds N] [--allow-add]
 *
 * The case in a browser and the JSON API (libmicrohttpd), read-only, from
 * a warm process: a check skips the start-up of a one-shot spoor check.
 *
 *   GET  /                      the case: collections, timeline, check form
 *   POST /check                 a form (pasted text, files, the form's
 *                               token): the evidence report of check --html
 *   GET  /collections/NAME      a collection's contents (?from=N)
 *   GET  /items/SHA256          an item: record, thread, its text checked
 *                               against the rest of the index
 *   GET  /items/SHA256/text     its text, as an attachment
 *   GET  /search?q=WORDS        keyword search (FTS5), with snippets
 *   POST /add                   with --allow-add: a form (collection, kind,
 *                               date, files, the form's token) adds the
 *                               files through a writer of its own
 *   GET  /login?token=TOKEN     sets the session cookie, then goes to /
 *   GET  /api/collections       the lines of spoor collections --json
 *   GET  /api/items/REF         spoor show --json of an indexed item
 *   POST /api/check             the body is one input (a file's bytes or
 *                               pasted text; ?name=NAME names it, else
 *                               "-"): the lines of spoor check --json
 *
 * Every request needs the access token: Authorization: Bearer TOKEN, or
 * the session cookie /login sets (HttpOnly, SameSite=Strict; a random
 * value, not the token). The token comes from --token-file, else is random
 * and printed at start. A form posted with the cookie must carry the
 * forms' token (CSRF), else 403. Bounds: the loopback unless told
 * otherwise, 16 connections, 60 s of idleness, bodies of --max-upload
 * bytes (default MAX_FILE_BYTES; else 413), and --max-seconds a check
 * (default 60; else 503), each item's extraction as long at most. Every
 * answer says Content-Security-Policy with no script and nothing loaded
 * (inline style only), nosniff, no-referrer
 * and no-store; a document's own HTML is only ever shown as escaped
 * text, and a text is served only as an attachment. Requests are answered
 * one at a time by the server's thread, which alone uses the index; when
 * another process has changed the index, it is reopened first.
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
#define MAX_PARTS 32   /* form fields and files in one POST */
#define PAGE_ITEMS 200 /* a collection's contents per page */
#define PAGE_HITS 20   /* search answers per page */
#define COOKIE "spoor_token"

#define DEFAULT_SECONDS 60

enum { O_LISTEN = 256, O_TOKEN_FILE, O_MAX_UPLOAD, O_ALLOW_ADD, O_MAX_SECONDS };

static const cli_opt serve_opts[] = {
    {"listen", 0, O_LISTEN, "ADDR:PORT",
     "where to listen (default " DEFAULT_LISTEN "; port 0: any free port)"},
    {"token-file", 0, O_TOKEN_FILE, "FILE",
     "the access token, the file's first line (at least 16 characters);\n"
     "default: a random one, printed at start"},
    {"max-upload", 0, O_MAX_UPLOAD, "BYTES",
     "the largest body a check or an add takes (default:\n"
     "MAX_FILE_BYTES)"},
    {"max-seconds", 0, O_MAX_SECONDS, "N",
     "the longest a check may take (default 60; then 503)"},
    {"allow-add", 0, O_ALLOW_ADD, NULL,
     "let the case's page add files to a collection (the\n"
     "index is read-only otherwise)"},
    CLI_OPT_END};

typedef struct server {
    const cli_global *g;
    spoor_store *store;
    cli_checker *checker;
    char token[256];
    char csrf[65];    /* the forms' token: random, not the access token */
    char session[65]; /* the cookie /login sets: random, not the token */
    size_t max_upload;
    int allow_add;
    unsigned seconds; /* --max-seconds */
    unsigned long long requests;
} server;

/* A field or file of a posted form. */
typedef struct form_part {
    char name[32];
    char *filename; /* owned; NULL for a plain field */
    spoor_buf data;
} form_part;

/* A request's state across the calls libmicrohttpd makes for it. */
typedef struct request {
    spoor_buf body; /* POST /api/check: the raw body */
    struct MHD_PostProcessor *pp;
    form_part parts[MAX_PARTS];
    size_t n_parts, form_bytes, max;
    int too_big, denied, by_cookie, bad_form;
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

/* Whether the request carries the token: the Authorization header, else
 * the cookie /login set (*by_cookie then 1). */
static int authorised(const server *sv, struct MHD_Connection *conn,
                      int *by_cookie)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    const char *c = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, COOKIE);
    *by_cookie = 0;
    if (h)
        return !strncmp(h, "Bearer ", 7) && same_secret(h + 7, sv->token);
    *by_cookie = 1;
    return c && same_secret(c, sv->session);
}

/* Queue an answer of status with body (type: its Content-Type), and the
 * headers every answer has; extra (may be NULL): more, name then value,
 * NULL-terminated. Pages may style themselves; nothing runs scripts. */
static enum MHD_Result answer_with(struct MHD_Connection *conn, unsigned status,
                                   const char *type, const char *body,
                                   size_t len, const char *const *extra)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; "
                            "form-action 'self'; frame-ancestors 'none'; "
                            "base-uri 'none'");
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
    for (; extra && extra[0]; extra += 2)
        MHD_add_response_header(r, extra[0], extra[1]);
    ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status,
                              const char *type, const char *body, size_t len)
{
    return answer_with(conn, status, type, body, len, NULL);
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

/* ==== The JSON API ==== */

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

/* A file name from a request, for format detection and the report: its
 * last part (no folders: nothing a walk would take for a path), or "-"
 * when that is empty, "." or "..", holds '!' or is over 255 bytes. */
static const char *input_name(const char *name)
{
    const char *slash;
    if (!name)
        return "-";
    while ((slash = strpbrk(name, "/\\")) != NULL)
        name = slash + 1;
    if (!*name || strchr(name, '!') || strlen(name) > 255 ||
        !strcmp(name, ".") || !strcmp(name, ".."))
        return "-";
    return name;
}

/* POST /api/check, its body read. */
static enum MHD_Result api_check(server *sv, struct MHD_Connection *conn,
                                 const request *rq)
{
    const char *name = input_name(
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name"));
    spoor_buf b = SPOOR_BUF_INIT;
    int error = cli_checker_json(
        sv->checker, name, rq->body.ptr ? rq->body.ptr : "", rq->body.size, &b);
    if (error < 0 && cli_checker_timed_out(sv->checker)) {
        spoor_buf_dispose(&b);
        return answer_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                            "the check took longer than --max-seconds");
    }
    return answer_lines(conn, error, &b);
}

/* ==== Pages ==== */

/* The navigation every page starts with, and on the case's page the check
 * form (with the forms' token); query: the search box's words. */
static int page_header(const server *sv, spoor_buf *o, int with_form,
                       const char *query)
{
    int error = spoor_buf_puts(o, "<nav><a href=\"/\">The case</a> &middot; "
                                  "<a href=\"/#check\">Check</a><form "
                                  "method=\"get\" action=\"/search\"><input "
                                  "type=\"search\" name=\"q\" size=\"30\" "
                                  "aria-label=\"words\" value=\"");
    if (!error)
        error =
            spoor_html_escape(o, query ? query : "", query ? strlen(query) : 0);
    if (!error)
        error = spoor_buf_puts(o, "\"> <button type=\"submit\">Search the "
                                  "texts</button></form></nav>\n");
    if (!error && with_form)
        error = spoor_buf_printf(
            o,
            "<section id=\"check\"><h2>Check documents against the index"
            "</h2><form method=\"post\" action=\"/check\" enctype=\"multipart/"
            "form-data\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
            "<p><textarea name=\"text\" rows=\"8\" cols=\"100\" aria-label="
            "\"text\" placeholder=\"Paste text here, or choose files below"
            "\"></textarea></p><p><input type=\"file\" name=\"file\" "
            "multiple aria-label=\"files\"> <button type=\"submit\">Check"
            "</button></p></form></section>\n",
            sv->csrf);
    if (!error && with_form && sv->allow_add)
        error = spoor_buf_printf(
            o,
            "<section id=\"add\"><h2>Add files to the index</h2><form "
            "method=\"post\" action=\"/add\" enctype=\"multipart/form-data\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><p><label>"
            "collection <input name=\"collection\" required></label> <label>"
            "kind <select name=\"kind\"><option>internal</option><option>"
            "release</option><option>suspect</option><option>reference"
            "</option><option>boilerplate</option></select></label> <label>"
            "date <input name=\"date\" placeholder=\"YYYY-MM-DD\" size=\"10\">"
            "</label></p><p><input type=\"file\" name=\"file\" multiple "
            "aria-label=\"files to add\"> <button type=\"submit\">Add</button>"
            "</p></form></section>\n",
            sv->csrf);
    return error;
}

/* A small page saying message (escaped), with status. */
static enum MHD_Result page_message(struct MHD_Connection *conn,
                                    unsigned status, const char *message)
{
    spoor_buf b = SPOOR_BUF_INIT;
    enum MHD_Result ok = MHD_NO;
    if (spoor_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                           "charset=\"utf-8\"><title>spoor</title></head>"
                           "<body><p><a href=\"/\">The case</a></p><p "
                           "class=\"error\">") == 0 &&
        spoor_html_escape(&b, message, strlen(message)) == 0 &&
        spoor_buf_puts(&b, "</p></body></html>\n") == 0)
        ok = answer(conn, status, "text/html; charset=utf-8", b.ptr, b.size);
    spoor_buf_dispose(&b);
    return ok;
}

/* The page in b, or, when error, a page saying why; b is released. */
static enum MHD_Result answer_page(struct MHD_Connection *conn, int error,
                                   spoor_buf *b)
{
    enum MHD_Result ok =
        error < 0 ? page_message(conn,
                                 error == SPOOR_ENOTFOUND ? MHD_HTTP_NOT_FOUND
                                 : error == SPOOR_EINVALID
                                     ? MHD_HTTP_BAD_REQUEST
                                     : MHD_HTTP_INTERNAL_SERVER_ERROR,
                                 spoor_error_last()->message)
                  : answer(conn, MHD_HTTP_OK, "text/html; charset=utf-8",
                           b->ptr ? b->ptr : "", b->size);
    spoor_buf_dispose(b);
    return ok;
}

/* The content a page's sha256 names (exactly 64 lowercase hex digits). */
static int page_content(server *sv, const char *sha, size_t len,
                        int64_t *content)
{
    char hex[65];
    if (len != 64 || strspn(sha, "0123456789abcdef") < 64)
        return SPOOR_EINVALID;
    memcpy(hex, sha, 64);
    hex[64] = '\0';
    return spoor_store_resolve(content, sv->store, hex);
}

/* The options of every page: links under "/", header hd. */
static spoor_html_opts page_opts(const spoor_buf *hd)
{
    spoor_html_opts o = SPOOR_HTML_OPTS_INIT;
    o.base = "/";
    o.header = hd->ptr;
    o.command = "spoor serve";
    return o;
}

/* A count from a query argument (?from=N), 0 when missing or bad. */
static size_t arg_count(struct MHD_Connection *conn, const char *key)
{
    const char *v =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
    size_t n;
    return v && cli_parse_size(v, &n) == 0 && n <= 1000000000 ? n : 0;
}

/* GET /, /collections/NAME, /items/SHA256, /search?q=. */
static enum MHD_Result page_get(server *sv, struct MHD_Connection *conn,
                                const char *url)
{
    spoor_buf b = SPOOR_BUF_INIT, hd = SPOOR_BUF_INIT;
    const char *q =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "q");
    spoor_html_opts o;
    int error = page_header(sv, &hd, !strcmp(url, "/"),
                            !strcmp(url, "/search") ? q : NULL);
    enum MHD_Result ok;
    o = page_opts(&hd);
    if (error < 0)
        ;
    else if (!strcmp(url, "/"))
        error = spoor_html_case(&b, sv->store, &o);
    else if (!strncmp(url, "/collections/", 13))
        error = spoor_html_collection(&b, sv->store, url + 13,
                                      arg_count(conn, "from"), PAGE_ITEMS, &o);
    else if (!strcmp(url, "/search")) {
        uint64_t behind = 0;
        if (spoor_store_search_behind(&behind, sv->store) == 0 && behind)
            (void)cli_search_refresh(sv->g, 0); /* when it may write */
        error = spoor_html_search(&b, sv->store, q ? q : "",
                                  arg_count(conn, "from"), PAGE_HITS, &o);
    } else { /* /items/SHA256 */
        int64_t content;
        if (page_content(sv, url + 7, strlen(url + 7), &content) < 0) {
            spoor_buf_dispose(&hd);
            return page_message(conn, MHD_HTTP_NOT_FOUND,
                                "no such item in the index");
        }
        error = spoor_html_item(&b, sv->store, content, NULL, &o);
    }
    ok = answer_page(conn, error, &b);
    spoor_buf_dispose(&hd);
    return ok;
}

/* GET /items/SHA256/text: the stored text, as an attachment (a browser
 * saves it and never renders it). */
static enum MHD_Result item_text(server *sv, struct MHD_Connection *conn,
                                 const char *sha)
{
    spoor_buf b = SPOOR_BUF_INIT;
    int64_t content;
    char disposition[100];
    const char *extra[] = {"Content-Disposition", disposition, NULL};
    enum MHD_Result ok;
    if (page_content(sv, sha, 64, &content) < 0)
        return page_message(conn, MHD_HTTP_NOT_FOUND,
                            "no such item in the index");
    if (spoor_store_text(&b, sv->store, content) < 0)
        return answer_page(conn, SPOOR_ERROR, &b);
    snprintf(disposition, sizeof(disposition),
             "attachment; filename=\"%.64s.txt\"", sha);
    ok = answer_with(conn, MHD_HTTP_OK, "text/plain; charset=utf-8",
                     b.ptr ? b.ptr : "", b.size, extra);
    spoor_buf_dispose(&b);
    return ok;
}

/* The first part of rq's form named name, or NULL. */
static const form_part *part(const request *rq, const char *name)
{
    size_t i;
    for (i = 0; i < rq->n_parts; i++)
        if (!strcmp(rq->parts[i].name, name))
            return &rq->parts[i];
    return NULL;
}

/* The inputs of rq's form: its pasted text (when not blank, and when
 * with_text) and its files, into in (MAX_PARTS). @return how many. */
static size_t form_inputs(const request *rq, int with_text, cli_input *in)
{
    size_t n = 0, i;
    for (i = 0; i < rq->n_parts; i++) {
        const form_part *p = &rq->parts[i];
        if (with_text && !strcmp(p->name, "text") && p->data.size &&
            strspn(p->data.ptr, " \t\r\n") < p->data.size)
            in[n++] = (cli_input){"pasted text", p->data.ptr, p->data.size};
        else if (!strcmp(p->name, "file") && p->filename && *p->filename)
            in[n++] = (cli_input){input_name(p->filename),
                                  p->data.ptr ? p->data.ptr : "", p->data.size};
    }
    return n;
}

/* A form field as a string (NUL-terminated in place), or NULL when
 * missing or empty. */
static const char *field(const request *rq, const char *name)
{
    form_part *p = (form_part *)part(rq, name);
    if (!p || !p->data.size || spoor_buf_put(&p->data, "", 1) < 0)
        return NULL;
    p->data.size--; /* the NUL stays after the data */
    return p->data.ptr[0] ? p->data.ptr : NULL;
}

/* POST /check, its form read: the pasted text and the files, checked,
 * as the evidence report. */
static enum MHD_Result page_check(server *sv, struct MHD_Connection *conn,
                                  const request *rq)
{
    cli_input in[MAX_PARTS];
    spoor_buf page = SPOOR_BUF_INIT, hd = SPOOR_BUF_INIT,
              skipped = SPOOR_BUF_INIT;
    spoor_html_opts o;
    size_t n = form_inputs(rq, 1, in);
    int error;
    enum MHD_Result ok;

    if (!n)
        return page_message(conn, MHD_HTTP_BAD_REQUEST,
                            "nothing to check: paste text or choose files");
    error = page_header(sv, &hd, 0, NULL);
    o = page_opts(&hd);
    if (error == 0)
        error = cli_checker_html(sv->checker, in, n, &o, &page, &skipped);
    if (error < 0 && cli_checker_timed_out(sv->checker)) {
        spoor_buf_dispose(&page);
        spoor_buf_dispose(&hd);
        spoor_buf_dispose(&skipped);
        return page_message(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                            "the check took longer than the server allows "
                            "(--max-seconds)");
    }
    if (error == 0 && skipped.size) { /* say what could not be read */
        spoor_buf with = SPOOR_BUF_INIT;
        const char *body = strstr(page.ptr, "<h1>");
        size_t at = body ? (size_t)(body - page.ptr) : 0;
        error = spoor_buf_put(&with, page.ptr, at);
        if (!error)
            error = spoor_buf_puts(&with, "<p class=\"skipped\">Not "
                                          "checked:</p><pre>");
        if (!error)
            error = spoor_html_escape(&with, skipped.ptr, skipped.size);
        if (!error)
            error = spoor_buf_puts(&with, "</pre>\n");
        if (!error)
            error = spoor_buf_put(&with, page.ptr + at, page.size - at);
        spoor_buf_dispose(&page);
        page = with;
    }
    ok = answer_page(conn, error, &page);
    spoor_buf_dispose(&hd);
    spoor_buf_dispose(&skipped);
    return ok;
}

/* POST /add (with --allow-add), its form read: the files added to the
 * collection, through a writer of the server's own; the page is add's
 * summary. */
static enum MHD_Result page_add(server *sv, struct MHD_Connection *conn,
                                const request *rq)
{
    cli_input in[MAX_PARTS];
    spoor_buf page = SPOOR_BUF_INIT, summary = SPOOR_BUF_INIT;
    const char *name = field(rq, "collection"), *kind = field(rq, "kind"),
               *date = field(rq, "date");
    size_t n = form_inputs(rq, 0, in);
    int error = 0;
    enum MHD_Result ok;

    if (!name || !n)
        return page_message(conn, MHD_HTTP_BAD_REQUEST,
                            "name a collection and choose files to add");
    if (date && !cli_valid_date(date))
        return page_message(conn, MHD_HTTP_BAD_REQUEST,
                            "the date must be YYYY-MM-DD");
    error = cli_add_inputs(sv->g, name, kind, date, in, n, &summary);
    if (error == SPOOR_EBUSY || error == SPOOR_EEXISTS) {
        ok = page_message(conn,
                          error == SPOOR_EBUSY ? MHD_HTTP_SERVICE_UNAVAILABLE
                                               : MHD_HTTP_CONFLICT,
                          spoor_error_last()->message);
        spoor_buf_dispose(&summary);
        return ok;
    }
    if (error == 0)
        error = page_header(sv, &page, 0, NULL);
    if (error == 0)
        error = spoor_buf_puts(&page, "<h1>Added</h1>\n<pre class=\"added\">");
    if (error == 0)
        error = spoor_html_escape(&page, summary.ptr ? summary.ptr : "",
                                  summary.size);
    if (error == 0)
        error = spoor_buf_puts(&page, "</pre>\n<p><a href=\"/\">The case"
                                      "</a></p>\n</body></html>\n");
    if (error == 0) { /* a whole page: the head first */
        spoor_buf whole = SPOOR_BUF_INIT;
        error = spoor_buf_puts(&whole, "<!DOCTYPE html>\n<html lang=\"en\">"
                                       "<head><meta charset=\"utf-8\"><title>"
                                       "spoor: added</title></head><body>\n");
        if (error == 0)
            error = spoor_buf_put(&whole, page.ptr, page.size);
        spoor_buf_dispose(&page);
        page = whole;
    }
    ok = answer_page(conn, error, &page);
    spoor_buf_dispose(&summary);
    return ok;
}

/* GET /login?token=TOKEN: the cookie that stands for the token, then the
 * case's page (the URL spoor serve prints). */
static enum MHD_Result login(server *sv, struct MHD_Connection *conn)
{
    const char *t =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
    char cookie[320];
    const char *extra[] = {MHD_HTTP_HEADER_SET_COOKIE, cookie,
                           MHD_HTTP_HEADER_LOCATION, "/", NULL};
    if (!t || !same_secret(t, sv->token))
        return page_message(conn, MHD_HTTP_UNAUTHORIZED,
                            "this link's token is not the server's: use the "
                            "URL spoor serve printed");
    snprintf(cookie, sizeof(cookie),
             COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", sv->session);
    return answer_with(conn, MHD_HTTP_SEE_OTHER, "text/plain", "", 0, extra);
}

/* libmicrohttpd's form parser: each piece of each field or file. */
static enum MHD_Result on_form(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *filename,
                               const char *content_type,
                               const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    request *rq = cls;
    form_part *p = rq->n_parts ? &rq->parts[rq->n_parts - 1] : NULL;
    (void)kind, (void)content_type, (void)transfer_encoding;
    if (rq->too_big || rq->bad_form)
        return MHD_YES;
    if (!p || off == 0 || strcmp(p->name, key) ||
        (!p->filename) != (!filename) ||
        (filename && strcmp(p->filename, filename))) {
        if (rq->n_parts == MAX_PARTS || strlen(key) >= sizeof(p->name)) {
            rq->bad_form = 1;
            return MHD_YES;
        }
        p = &rq->parts[rq->n_parts++];
        snprintf(p->name, sizeof(p->name), "%s", key);
        if (filename && !(p->filename = strdup(filename)))
            return MHD_NO;
    }
    rq->form_bytes += size;
    if (rq->form_bytes > rq->max) {
        rq->too_big = 1;
        return MHD_YES;
    }
    if (!size)
        return MHD_YES;
    return spoor_buf_put(&p->data, data, size) < 0 ? MHD_NO : MHD_YES;
}

/* Reopen the index when another process changed it since (an add, a
 * removal, optimize, the search index): a long-lived reader would miss
 * new postings segments. On failure the open handle stays. */
static void fresh(server *sv)
{
    spoor_store *s = NULL;
    cli_checker *k = NULL;
    if (!spoor_store_changed(sv->store))
        return;
    if (spoor_store_open(&s, sv->g->index, SPOOR_STORE_READONLY) < 0 ||
        cli_checker_new(&k, s) < 0) {
        fprintf(stderr, "spoor serve: cannot reopen the index: %s\n",
                spoor_error_last()->message);
        cli_checker_free(k);
        spoor_store_free(s);
        return;
    }
    cli_checker_free(sv->checker);
    spoor_store_free(sv->store);
    cli_checker_limit(k, sv->seconds);
    sv->store = s;
    sv->checker = k;
}

/* Whether url is a page's (not the API's): its errors are pages too. */
static int is_page(const char *url)
{
    return strncmp(url, "/api/", 5) != 0;
}

/* A request whose body is all read: route it. */
static enum MHD_Result route(server *sv, struct MHD_Connection *conn,
                             const char *url, int post, const request *rq)
{
    size_t n = strlen(url);
    if (!strcmp(url, "/login"))
        return post ? page_message(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                   "/login takes GET")
                    : login(sv, conn);
    if (rq->denied)
        return is_page(url)
                   ? page_message(conn, MHD_HTTP_UNAUTHORIZED,
                                  "an access token is needed: open the "
                                  "URL spoor serve printed (/login?token=...)")
                   : answer_error(conn, MHD_HTTP_UNAUTHORIZED,
                                  "an access token is needed (Authorization: "
                                  "Bearer TOKEN)");
    fresh(sv);
    if (!strcmp(url, "/api/collections"))
        return post ? answer_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                   "/api/collections takes GET")
                    : api_collections(sv, conn);
    if (!strncmp(url, "/api/items/", 11) && url[11])
        return post ? answer_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                   "/api/items takes GET")
                    : api_item(sv, conn, url + 11);
    if (!strcmp(url, "/api/check")) {
        if (!post)
            return answer_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                "/api/check takes POST");
        if (rq->too_big)
            return answer_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                                "the body is larger than --max-upload");
        return api_check(sv, conn, rq);
    }
    if (!strcmp(url, "/check") || !strcmp(url, "/add")) {
        const char *t = field(rq, "csrf");
        int add = !strcmp(url, "/add");
        if (add && !sv->allow_add)
            return page_message(conn, MHD_HTTP_FORBIDDEN,
                                "this server is read-only: spoor serve "
                                "--allow-add lets its page add files");
        if (!post)
            return page_message(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                "this takes POST: use the form on the "
                                "case's page");
        if (rq->too_big)
            return page_message(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                                "the files are larger than the server "
                                "takes (--max-upload)");
        if (rq->bad_form || !rq->pp)
            return page_message(conn, MHD_HTTP_BAD_REQUEST,
                                "the form could not be read");
        if (rq->by_cookie && (!t || !same_secret(t, sv->csrf)))
            return page_message(conn, MHD_HTTP_FORBIDDEN,
                                "the form's token is missing or wrong: "
                                "reload the case's page and send it again");
        if (add)
            return page_add(sv, conn, rq);
        return page_check(sv, conn, rq);
    }
    if (post)
        return page_message(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                            "this page takes GET");
    if (!strcmp(url, "/") || !strcmp(url, "/search") ||
        (!strncmp(url, "/collections/", 13) && url[13]) ||
        (!strncmp(url, "/items/", 7) && n == 7 + 64))
        return page_get(sv, conn, url);
    if (!strncmp(url, "/items/", 7) && n == 7 + 64 + 5 &&
        !strcmp(url + 7 + 64, "/text"))
        return item_text(sv, conn, url + 7);
    return is_page(url)
               ? page_message(conn, MHD_HTTP_NOT_FOUND, "no such page")
               : answer_error(conn, MHD_HTTP_NOT_FOUND, "no such page");
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
        rq->max = sv->max_upload;
        rq->denied = !authorised(sv, conn, &rq->by_cookie);
        if (post && !rq->denied &&
            (!strcmp(url, "/check") || !strcmp(url, "/add")))
            rq->pp = MHD_create_post_processor(conn, 64 * 1024, on_form, rq);
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body */
        if (!rq->denied && !rq->too_big && !rq->bad_form) {
            if (rq->pp) {
                if (MHD_post_process(rq->pp, upload, *upload_size) != MHD_YES)
                    rq->bad_form = 1;
            } else if (rq->body.size + *upload_size > sv->max_upload) {
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
    return route(sv, conn, url, post, rq);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **state,
                    enum MHD_RequestTerminationCode why)
{
    request *rq = *state;
    size_t i;
    (void)cls, (void)conn, (void)why;
    if (rq) {
        if (rq->pp)
            MHD_destroy_post_processor(rq->pp);
        for (i = 0; i < rq->n_parts; i++) {
            free(rq->parts[i].filename);
            spoor_buf_dispose(&rq->parts[i].data);
        }
        spoor_buf_dispose(&rq->body);
        free(rq);
    }
    *state = NULL;
}

/* 2 * bytes random hex digits into out (2 * bytes + 1 chars). */
static int random_hex(char *out, size_t bytes)
{
    unsigned char r[32];
    size_t i;
    if (bytes > sizeof(r) || getrandom(r, bytes, 0) != (ssize_t)bytes)
        return cli_error(NULL, "cannot make a random token: %s",
                         strerror(errno));
    for (i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
    return CLI_OK;
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
    } else if (random_hex(sv->token, 24) != CLI_OK) {
        return CLI_ERROR;
    }
    return CLI_OK;
}

/* s percent-encoded (as a URL's query value) on stdout. */
static void print_url_encoded(const char *s)
{
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
            (*s >= '0' && *s <= '9') || strchr("-_.~", *s))
            putchar(*s);
        else
            printf("%%%02X", (unsigned char)*s);
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
    sv.g = g;
    sv.seconds = DEFAULT_SECONDS;
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
        case O_MAX_SECONDS: {
            size_t v;
            if (cli_parse_size(optarg, &v) < 0 || v == 0 || v > 86400)
                return cli_error_usage("serve", "bad --max-seconds '%s'",
                                       optarg);
            sv.seconds = (unsigned)v;
            break;
        }
        case O_ALLOW_ADD:
            sv.allow_add = 1;
            break;
        case O_MAX_UPLOAD:
            if (cli_parse_size(optarg, &sv.max_upload) < 0 || !sv.max_upload)
                return cli_error_usage("serve", "bad --max-upload '%s'",
                                       optarg);
            break;
        case 'h':
            printf("usage: spoor serve [--listen ADDR:PORT] [--token-file "
                   "FILE] [--max-upload BYTES]\n                   "
                   "[--max-seconds N] [--allow-add]\n\nThe case in a browser, "
                   "read-only: its collections and timeline, check\n"
                   "(paste text or upload files: the evidence report), "
                   "collections, items\n(their text, where its passages "
                   "appear elsewhere, their thread), and\nkeyword search. "
                   "Open the /login URL it prints. And the JSON API:\n"
                   "  GET  /api/collections  the lines of collections "
                   "--json\n  GET  /api/items/REF    show --json of an "
                   "indexed item\n  POST /api/check        the body is one "
                   "input "
                   "(?name=NAME): the lines of check --json\n"
                   "Every request needs the token: Authorization: Bearer "
                   "TOKEN, or the cookie\n/login?token=TOKEN sets.\n\n");
            cli_options_help(tables);
            return CLI_OK;
        default:
            return cli_bad_option("serve", argv);
        }
    }
    if (optind < argc)
        return cli_error_usage("serve", "takes no arguments");
    if ((rc = read_token(&sv, token_file)) != CLI_OK ||
        (rc = random_hex(sv.csrf, 32)) != CLI_OK ||
        (rc = random_hex(sv.session, 32)) != CLI_OK)
        return rc;
    (void)cli_search_refresh(g, 1); /* search what is there, if it may */
    if ((rc = cli_open_index(&sv.store, g, SPOOR_STORE_READONLY)) != CLI_OK)
        return rc;
    if (cli_checker_new(&sv.checker, sv.store) < 0) {
        rc = cli_error_lib(g->index);
        goto done;
    }
    cli_checker_limit(sv.checker, sv.seconds);
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
    printf("spoor serve: %s on http://%s:%u/ (%s)\n",
           spoor_store_path(sv.store), shown, port,
           sv.allow_add ? "its page may add files" : "read-only");
    printf("spoor serve: open http://%s:%u/login?token=", shown, port);
    print_url_encoded(token_file ? "TOKEN" : sv.token);
    printf("\n");
    if (!token_file)
        printf("spoor serve: token %s\n", sv.token);
    printf("spoor serve: API: curl -H 'Authorization: Bearer TOKEN' "
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
