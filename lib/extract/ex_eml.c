/*
 * ex_eml.c: RFC 5322 messages and mbox files (GMime 3).
 *
 * A message's text is a short header block (From, To, Cc, Date, Subject)
 * followed by its body: text/plain parts, or the visible text of text/html
 * parts where a multipart/alternative has no plain part. GMime decodes
 * quoted-printable and base64 and converts charsets to UTF-8. Every
 * attachment, and every attached message, becomes a child item named by
 * its file name (or part-N / message-N).
 *
 * An mbox is split at "From " lines that start the file or follow an empty
 * line; each message becomes a child named by its Message-ID (or
 * message-N), de-duplicated with "#2", "#3"... Children point into the
 * mbox's bytes, so splitting copies nothing. A file that holds exactly one
 * message (a saved .eml that starts with its "From " line) is read as that
 * email: format eml, its text and attachments its own. '!' in names becomes '_'
 * because '!' separates nesting levels in item paths.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "../detect/detect.h"
#include "extract_int.h"

#define MAX_NAME 255

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init(void)
{
    g_mime_init();
}

/* ==== Helpers ==== */

static char *address_list(InternetAddressList *l)
{
    if (!l || internet_address_list_length(l) == 0)
        return NULL;
    return internet_address_list_to_string(l, NULL, FALSE);
}

/* Serialize a GMime object's decoded content into a fresh buffer. */
static int write_content(GMimeDataWrapper *w, unsigned char **out, size_t *len)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    GByteArray *arr;
    int error = 0;

    *out = NULL;
    *len = 0;
    if (g_mime_data_wrapper_write_to_stream(w, mem) < 0) {
        error = spoor__error_set(SPOOR_EINVALID,
                                 "attachment content could not be decoded");
        goto done;
    }
    arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    *len = arr->len;
    if (!(*out = spoor__malloc(arr->len ? arr->len : 1))) {
        error = spoor__error_oom();
        goto done;
    }
    if (arr->len)
        memcpy(*out, arr->data, arr->len);
done:
    g_object_unref(mem);
    return error;
}

static int write_object(GMimeObject *o, unsigned char **out, size_t *len)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    GByteArray *arr;
    int error = 0;

    *out = NULL;
    *len = 0;
    if (g_mime_object_write_to_stream(o, NULL, mem) < 0) {
        error = spoor__error_set(SPOOR_EINVALID,
                                 "attached message could not be written");
        goto done;
    }
    arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    *len = arr->len;
    if (!(*out = spoor__malloc(arr->len ? arr->len : 1))) {
        error = spoor__error_oom();
        goto done;
    }
    if (arr->len)
        memcpy(*out, arr->data, arr->len);
done:
    g_object_unref(mem);
    return error;
}

/* ==== Message body walk ==== */

typedef struct walk_ctx {
    spoor_doc *doc;
    unsigned max_parts, max_depth;
    spoor_buf body;
    unsigned parts;
    unsigned n_unnamed;
} walk_ctx;

static int visit(walk_ctx *c, GMimeObject *o, unsigned depth);

static int add_attachment(walk_ctx *c, GMimePart *part)
{
    const char *fname = g_mime_part_get_filename(part);
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    unsigned char *data = NULL;
    size_t len = 0;
    char name[MAX_NAME + 1];
    int error;

    if (fname && *fname)
        snprintf(name, sizeof(name), "%s", fname);
    else
        snprintf(name, sizeof(name), "part-%u", ++c->n_unnamed);
    spoor_extract__sanitize_name(name);
    if (!w)
        return spoor_doc__add_child(c->doc, name, "", 0, NULL);
    if ((error = write_content(w, &data, &len)) < 0)
        return error;
    return spoor_doc__add_child(c->doc, name, data, len, data);
}

static int add_text_part(walk_ctx *c, GMimeTextPart *tp, int html)
{
    char *text = g_mime_text_part_get_text(tp);
    int error = 0;
    if (!text)
        return 0;
    if (c->body.size && (error = spoor_buf_puts(&c->body, "\n")) < 0)
        goto done;
    if (html)
        error = spoor_html__text(&c->body, text, strlen(text));
    else
        error = spoor_buf_puts(&c->body, text);
done:
    g_free(text);
    return error;
}

static int is_type(GMimeObject *o, const char *type, const char *subtype)
{
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    return ct && g_mime_content_type_is_type(ct, type, subtype);
}

static int visit_alternative(walk_ctx *c, GMimeMultipart *mp, unsigned depth)
{
    int i, n = g_mime_multipart_get_count(mp);
    GMimeObject *best = NULL;
    for (i = 0; i < n && !best; i++) {
        GMimeObject *p = g_mime_multipart_get_part(mp, i);
        if (is_type(p, "text", "plain"))
            best = p;
    }
    for (i = 0; i < n && !best; i++) {
        GMimeObject *p = g_mime_multipart_get_part(mp, i);
        if (is_type(p, "text", "html") || GMIME_IS_MULTIPART(p))
            best = p;
    }
    if (!best && n > 0)
        best = g_mime_multipart_get_part(mp, 0);
    return best ? visit(c, best, depth + 1) : 0;
}

static int visit(walk_ctx *c, GMimeObject *o, unsigned depth)
{
    if (++c->parts > c->max_parts)
        return spoor__error_set(SPOOR_ELIMIT,
                                "more than MAX_MIME_PARTS (%u) MIME parts",
                                c->max_parts);
    if (depth > c->max_depth)
        return spoor__error_set(SPOOR_ELIMIT,
                                "MIME nesting deeper than MAX_MIME_DEPTH (%u)",
                                c->max_depth);
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        int i, n, error;
        if (is_type(o, "multipart", "alternative"))
            return visit_alternative(c, mp, depth);
        n = g_mime_multipart_get_count(mp);
        for (i = 0; i < n; i++)
            if ((error =
                     visit(c, g_mime_multipart_get_part(mp, i), depth + 1)) < 0)
                return error;
        return 0;
    }
    if (GMIME_IS_MESSAGE_PART(o)) {
        GMimeMessage *m =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        unsigned char *data;
        size_t len;
        char name[MAX_NAME + 1];
        int error;
        if (!m)
            return 0;
        if ((error = write_object(GMIME_OBJECT(m), &data, &len)) < 0)
            return error;
        snprintf(name, sizeof(name), "message-%u", ++c->n_unnamed);
        return spoor_doc__add_child(c->doc, name, data, len, data);
    }
    if (GMIME_IS_PART(o)) {
        GMimePart *part = GMIME_PART(o);
        int attached = g_mime_part_is_attachment(part) ||
                       g_mime_part_get_filename(part) != NULL;
        if (!attached && GMIME_IS_TEXT_PART(o) && is_type(o, "text", "plain"))
            return add_text_part(c, GMIME_TEXT_PART(o), 0);
        if (!attached && GMIME_IS_TEXT_PART(o) && is_type(o, "text", "html"))
            return add_text_part(c, GMIME_TEXT_PART(o), 1);
        return add_attachment(c, part);
    }
    return 0;
}

/* ==== Messages ==== */

static int add_iso_date(spoor_doc *doc, GDateTime *dt, const char *field,
                        const char *source)
{
    GDateTime *utc;
    gchar *s;
    int error;
    if (!dt)
        return 0;
    utc = g_date_time_to_utc(dt);
    if (!utc)
        return 0;
    s = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
    error = s ? spoor_doc__add_date(doc, field, s, source) : 0;
    g_free(s);
    g_date_time_unref(utc);
    return error;
}

static int extract_message(spoor_doc *doc, GMimeMessage *msg,
                           const spoor_limits *lim)
{
    walk_ctx c;
    char *from = address_list(g_mime_message_get_from(msg));
    char *to = address_list(g_mime_message_get_to(msg));
    char *cc = address_list(g_mime_message_get_cc(msg));
    const char *subject = g_mime_message_get_subject(msg);
    const char *msgid = g_mime_message_get_message_id(msg);
    const char *date_hdr = g_mime_object_get_header(GMIME_OBJECT(msg), "Date");
    const char *irt =
        g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
    const char *refs =
        g_mime_object_get_header(GMIME_OBJECT(msg), "References");
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    int error = 0;

    memset(&c, 0, sizeof(c));
    c.doc = doc;
    c.max_parts = lim->max_mime_parts;
    c.max_depth = lim->max_mime_depth;
    doc->has_text = 1;
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "From", from));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "To", to));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Cc", cc));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Date", date_hdr));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Subject", subject));
    SPOOR_TRY(spoor_buf_puts(&doc->text, "\n"));
    doc->header_bytes = doc->text.size;
    SPOOR_TRY(
        add_iso_date(doc, g_mime_message_get_date(msg), "date", "Date header"));
    {
        const char *kv[] = {"from",        from,    "to",         to,
                            "subject",     subject, "message-id", msgid,
                            "in-reply-to", irt,     "references", refs};
        SPOOR_TRY(spoor_doc__add_metas(doc, kv, 6));
    }
    if (body)
        SPOOR_TRY(visit(&c, body, 0));
    if (c.body.size)
        SPOOR_TRY(spoor_buf_put(&doc->text, c.body.ptr, c.body.size));
done:
    spoor_buf_dispose(&c.body);
    g_free(from);
    g_free(to);
    g_free(cc);
    return error;
}

static int extract_eml(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    GMimeStream *stream;
    GMimeParser *parser;
    GMimeMessage *msg;
    int error;

    pthread_once(&gmime_once, gmime_init);
    stream = g_mime_stream_mem_new_with_buffer((const char *)d, len);
    parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    msg = g_mime_parser_construct_message(parser, NULL);
    if (!msg)
        error =
            spoor__error_set(SPOOR_EINVALID, "not a parsable RFC 5322 message");
    else
        error = extract_message(doc, msg, lim);
    if (msg)
        g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
    return error;
}

/* ==== mbox ==== */

/* Message-ID of the raw message at d (header scan only), or "". */
static void scan_message_id(const unsigned char *d, size_t len, char *out,
                            size_t cap)
{
    size_t i = 0;
    out[0] = '\0';
    while (i < len) {
        size_t eol, j, k = 0;
        for (eol = i; eol < len && d[eol] != '\n'; eol++)
            ;
        if (eol == i || (eol == i + 1 && d[i] == '\r'))
            return; /* end of headers */
        if (eol - i > 11 &&
            !strncasecmp((const char *)d + i, "message-id:", 11)) {
            j = i + 11;
            for (;;) {
                for (; j < eol; j++) {
                    unsigned char ch = d[j];
                    if (ch == ' ' || ch == '\t' || ch == '\r')
                        continue;
                    if (k + 1 < cap)
                        out[k++] = (char)ch;
                }
                /* folded continuation */
                if (eol + 1 < len &&
                    (d[eol + 1] == ' ' || d[eol + 1] == '\t')) {
                    j = eol + 1;
                    for (eol = j; eol < len && d[eol] != '\n'; eol++)
                        ;
                    continue;
                }
                break;
            }
            out[k] = '\0';
            return;
        }
        i = eol + 1;
    }
}

static int extract_mbox(spoor_doc *doc, const unsigned char *d, size_t len,
                        const spoor_limits *lim)
{
    GHashTable *seen =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t pos = 0, n = 0;
    int error = 0;

    doc->has_text = 1;
    while (pos < len) {
        size_t body, next, end;
        char id[MAX_NAME + 1], name[MAX_NAME + 16];
        unsigned dup;

        for (body = pos; body < len && d[body] != '\n'; body++)
            ;
        body = body < len ? body + 1 : len;
        for (next = body; next < len; next++)
            if (d[next] == 'F' && spoor_detect__mbox_from_line(d, len, next))
                break;
        end = next;
        /* drop the empty separator line before the next From_ line */
        if (end < len && end > body && d[end - 1] == '\n') {
            end--;
            if (end > body && d[end - 1] == '\r')
                end--;
        }
        n++;
        scan_message_id(d + body, end - body, id, sizeof(id));
        if (!id[0])
            snprintf(id, sizeof(id), "message-%zu", n);
        spoor_extract__sanitize_name(id);
        snprintf(name, sizeof(name), "%s", id);
        for (dup = 2; g_hash_table_contains(seen, name); dup++)
            snprintf(name, sizeof(name), "%s#%u", id, dup);
        g_hash_table_add(seen, g_strdup(name));
        if (n == 1 && next >= len) { /* one message: the file is that email */
            g_hash_table_destroy(seen);
            doc->format = "eml";
            return extract_eml(doc, d + body, end - body, lim);
        }
        if ((error = spoor_doc__add_child(doc, name, d + body, end - body,
                                          NULL)) < 0)
            break;
        pos = next;
    }
    g_hash_table_destroy(seen);
    return error;
}

const spoor_extractor spoor_ex_eml = {"eml", extract_eml, NULL};
const spoor_extractor spoor_ex_mbox = {"mbox", extract_mbox, NULL};
