/*
 * zipxml.c: zip parts and XML helpers (see zipxml.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "zipxml.h"

#define MAX_PARTS 100000
#define MIN_PACKED_FOR_RATIO ((uint64_t)64 << 10)

/* A part longer than this moves to a temporary file as it is read (a
 * sheet of a million rows is hundreds of MB of XML). */
#define PART_SPILL_BYTES ((size_t)32 << 20)

/* Bytes libxml2's reader is handed at a time, and read between two
 * hand-backs of a spilled part's pages. */
#define READ_CHUNK 65536
#define RELEASE_EVERY ((size_t)8 << 20)

void spoor_zip__parts_free(spoor_zip_parts *p)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        spoor__free(p->v[i].name);
        spoor_buf_dispose(&p->v[i].data);
    }
    spoor__free(p->v);
}

const spoor_buf *spoor_zip__find_part(const spoor_zip_parts *p,
                                      const char *name)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].name, name))
            return &p->v[i].data;
    return NULL;
}

int spoor_zip__read_parts(spoor_zip_parts *out, const unsigned char *d,
                          size_t len, const spoor_limits *lim,
                          int (*wanted)(const char *name))
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    uint64_t expanded = 0, packed;
    int error = 0, rc;

    packed = len < MIN_PACKED_FOR_RATIO ? MIN_PACKED_FOR_RATIO : len;
    if (!a)
        return spoor__error_oom();
    archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, d, len) != ARCHIVE_OK) {
        archive_read_free(a);
        return spoor__error_set(SPOOR_EINVALID, "zip cannot be opened");
    }
    while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
           rc == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname(e);
        spoor_zip_part *p;
        if (!name || !wanted(name))
            continue;
        if (archive_entry_is_encrypted(e)) {
            error = spoor__error_set(SPOOR_EUNSUPPORTED,
                                     "part '%s' is encrypted", name);
            goto done;
        }
        if (out->n >= MAX_PARTS) {
            error =
                spoor__error_set(SPOOR_ELIMIT, "more than %d parts", MAX_PARTS);
            goto done;
        }
        SPOOR_TRY(spoor__array_reserve((void **)&out->v, &out->cap, out->n + 1,
                                       sizeof(spoor_zip_part)));
        p = &out->v[out->n];
        memset(p, 0, sizeof(*p));
        if (!(p->name = spoor__strdup(name))) {
            error = spoor__error_oom();
            goto done;
        }
        out->n++;
        SPOOR_TRY(spoor_buf__spill_over(&p->data,
                                        spoor__spill_bound(PART_SPILL_BYTES)));
        for (;;) {
            la_ssize_t n;
            SPOOR_TRY(spoor_buf_grow(&p->data, 65536));
            n = archive_read_data(a, p->data.ptr + p->data.size, 65536);
            if (n == 0)
                break;
            if (n < 0) {
                error = spoor__error_set(
                    SPOOR_EINVALID, "part '%s' is damaged: %s", name,
                    archive_error_string(a) ? archive_error_string(a)
                                            : "read error");
                goto done;
            }
            p->data.size += (size_t)n;
            p->data.ptr[p->data.size] = '\0';
            expanded += (uint64_t)n;
            if (p->data.size > lim->max_member_bytes) {
                error = spoor__error_set(
                    SPOOR_ELIMIT,
                    "part '%s' exceeds MAX_MEMBER_BYTES "
                    "(%llu)",
                    name, (unsigned long long)lim->max_member_bytes);
                goto done;
            }
            if (expanded > lim->max_expanded_bytes ||
                expanded / packed >= lim->max_expansion_ratio) {
                error = spoor__error_set(
                    SPOOR_ELIMIT,
                    "document expands more than MAX_EXPANSION_RATIO (%llu) "
                    "times its size or past MAX_EXPANDED_BYTES",
                    (unsigned long long)lim->max_expansion_ratio);
                goto done;
            }
        }
    }
    if (rc == ARCHIVE_FATAL)
        error = spoor__error_set(
            SPOOR_EINVALID, "zip is damaged: %s",
            archive_error_string(a) ? archive_error_string(a) : "unreadable");
done:
    archive_read_free(a);
    return error;
}

/* ==== XML helpers ==== */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

xmlDocPtr spoor_xml__parse(const spoor_buf *b, const char *name)
{
    pthread_once(&xml_once, xml_init);
    if (!b || !b->ptr || b->size > INT32_MAX)
        return NULL;
    return xmlReadMemory(b->ptr, (int)b->size, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR |
                             XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
}

/* Where a streaming reader reads its part from. */
typedef struct xml_src {
    const spoor_buf *b;
    size_t at, released;
    spoor_input saved; /* the thread's input before the part became it */
} xml_src;

/* xmlReaderForIO's read callback: the part's next bytes, its pages
 * handed back as they are passed (a spilled part is the thread's input). */
static int read_part(void *ctx, char *buf, int len)
{
    xml_src *src = ctx;
    size_t n = src->b->size - src->at;
    if (len <= 0)
        return 0;
    if (n > (size_t)len)
        n = (size_t)len;
    memcpy(buf, src->b->ptr + src->at, n);
    src->at += n;
    if (src->at - src->released >= RELEASE_EVERY) {
        spoor__input_done(src->b->ptr + src->at);
        src->released = src->at;
    }
    return (int)n;
}

static int close_part(void *ctx)
{
    (void)ctx;
    return 0;
}

static xmlTextReaderPtr open_reader(xml_src *src, const spoor_buf *b,
                                    const char *name)
{
    xmlTextReaderPtr r;
    pthread_once(&xml_once, xml_init);
    memset(src, 0, sizeof(*src));
    if (!b || !b->ptr)
        return NULL;
    src->b = b;
    spoor_buf__as_input(&src->saved, b);
    r = xmlReaderForIO(read_part, close_part, src, name, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR |
                           XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
    if (!r)
        spoor__input_restore(&src->saved);
    return r;
}

static void close_reader(xml_src *src, xmlTextReaderPtr r)
{
    if (r) {
        xmlFreeTextReader(r);
        spoor__input_restore(&src->saved);
    }
}

int spoor_xml__stream(const spoor_buf *b, const char *name,
                      int (*walk)(xmlTextReaderPtr r, void *ctx), void *ctx)
{
    xml_src src;
    xmlTextReaderPtr r;
    int error;
    if (!b)
        return 0;
    if (!(r = open_reader(&src, b, name)))
        return spoor_xml__error(name);
    error = walk(r, ctx);
    close_reader(&src, r);
    return error;
}

int spoor_xml__reader_is(xmlTextReaderPtr r, int type, const char *local)
{
    const xmlChar *n;
    if (xmlTextReaderNodeType(r) != type)
        return 0;
    n = xmlTextReaderConstLocalName(r);
    return n && !strcmp((const char *)n, local);
}

/* Why libxml2 refused a part (entity bombs end up here). */
int spoor_xml__error(const char *name)
{
    const xmlError *e = xmlGetLastError();
    char msg[200] = "";
    size_t n;
    if (e && e->message) {
        snprintf(msg, sizeof(msg), "%s", e->message);
        n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
    }
    return spoor__error_set(SPOOR_EINVALID,
                            "part '%s' is not well-formed XML%s%s", name,
                            msg[0] ? ": " : "", msg);
}

int spoor_xml__is(const xmlNode *n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

const char *spoor_xml__attr(const xmlNode *n, const char *local)
{
    const xmlAttr *a;
    for (a = n->properties; a; a = a->next)
        if (!strcmp((const char *)a->name, local) && a->children &&
            a->children->type == XML_TEXT_NODE)
            return (const char *)a->children->content;
    return NULL;
}

char *spoor_xml__node_text(xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    char *s = c ? spoor__strdup((const char *)c) : NULL;
    xmlFree(c);
    return s;
}
