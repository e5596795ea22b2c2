/*
 * wire.c: a spoor_doc as a stream of length-prefixed records.
 *
 * Used where an extraction crosses a boundary: an isolated child process
 * sends its doc back over a pipe (isolate.c), and a PST message read in
 * such a child travels as one record list (ex_pst.c). A record is
 * [type:1][len:4, little endian][payload]:
 *   'T' text bytes            'W' warning
 *   'H' header block: its size in bytes, 8 bytes little endian
 *   'O' OCR: pages:4 confidence:4, little endian
 *   'D' field NUL value NUL source
 *   'M' key NUL value
 *   'C' child: name NUL format NUL bytes (format empty: detect by content)
 *   'S' skipped child: code:4 name NUL reason
 *   'E' error: code:4 message
 * Every value is length-bounded by its record, so a hostile string cannot
 * forge a record boundary; malformed records are ignored.
 */
#include <string.h>

#include "extract_int.h"

int spoor_wire__record(spoor_buf *out, char type, const void *p, size_t n)
{
    unsigned char h[5] = {(unsigned char)type, (unsigned char)(n & 0xFF),
                          (unsigned char)((n >> 8) & 0xFF),
                          (unsigned char)((n >> 16) & 0xFF),
                          (unsigned char)((n >> 24) & 0xFF)};
    int error;
    if (n > 0xFFFFFFFFu)
        return spoor__error_set(SPOOR_ELIMIT, "record of %zu bytes", n);
    if ((error = spoor_buf_put(out, h, 5)) < 0)
        return error;
    return n ? spoor_buf_put(out, p, n) : 0;
}

/* A record of NUL-terminated parts, the last one's NUL included. */
static int record_parts(spoor_buf *out, char type, const char *const *parts,
                        size_t n_parts, const void *tail, size_t tail_len)
{
    size_t i, total = tail_len;
    unsigned char h[5];
    int error;
    for (i = 0; i < n_parts; i++)
        total += strlen(parts[i]) + 1;
    h[0] = (unsigned char)type;
    h[1] = (unsigned char)(total & 0xFF);
    h[2] = (unsigned char)((total >> 8) & 0xFF);
    h[3] = (unsigned char)((total >> 16) & 0xFF);
    h[4] = (unsigned char)((total >> 24) & 0xFF);
    if (total > 0xFFFFFFFFu)
        return spoor__error_set(SPOOR_ELIMIT, "record of %zu bytes", total);
    if ((error = spoor_buf_put(out, h, 5)) < 0)
        return error;
    for (i = 0; i < n_parts; i++)
        if ((error = spoor_buf_put(out, parts[i], strlen(parts[i]) + 1)) < 0)
            return error;
    return tail_len ? spoor_buf_put(out, tail, tail_len) : 0;
}

int spoor_wire__child(spoor_buf *out, const char *name, const char *format,
                      const void *data, size_t len)
{
    const char *parts[2] = {name, format ? format : ""};
    return record_parts(out, 'C', parts, 2, data, len);
}

/* A record [code:4][first NUL][second] ('S'), or [code:4][second] ('E'
 * when first is NULL). */
static int code_record(spoor_buf *out, char type, int code, const char *first,
                       const char *second)
{
    unsigned char c[4];
    uint32_t u = (uint32_t)code;
    spoor_buf tmp = SPOOR_BUF_INIT;
    int error;
    memcpy(c, &u, 4);
    if ((error = spoor_buf_put(&tmp, c, 4)) == 0 && first)
        error = spoor_buf_put(&tmp, first, strlen(first) + 1);
    if (error == 0 && (error = spoor_buf_puts(&tmp, second ? second : "")) == 0)
        error = spoor_wire__record(out, type, tmp.ptr, tmp.size);
    spoor_buf_dispose(&tmp);
    return error;
}

int spoor_wire__skip(spoor_buf *out, const char *name, int code,
                     const char *reason)
{
    return code_record(out, 'S', code, name, reason);
}

int spoor_wire__error(spoor_buf *out, int code, const char *message)
{
    return code_record(out, 'E', code, NULL, message);
}

int spoor_wire__encode_doc(spoor_buf *out, const spoor_doc *doc)
{
    size_t i, off;
    int error = 0;
    for (off = 0; off < doc->text.size && error == 0; off += 1u << 20) {
        size_t n = doc->text.size - off;
        error = spoor_wire__record(out, 'T', doc->text.ptr + off,
                                   n < (1u << 20) ? n : (1u << 20));
    }
    for (i = 0; i < doc->n_dates && error == 0; i++) {
        const char *p[3] = {doc->dates[i].field, doc->dates[i].value,
                            doc->dates[i].source};
        error = record_parts(out, 'D', p, 3, NULL, 0);
    }
    for (i = 0; i < doc->n_meta && error == 0; i++) {
        const char *p[2] = {doc->meta[i].key, doc->meta[i].value};
        error = record_parts(out, 'M', p, 2, NULL, 0);
    }
    for (i = 0; i < doc->n_children && error == 0; i++)
        error = spoor_wire__child(out, doc->children[i].name,
                                  doc->children[i].format,
                                  doc->children[i].data, doc->children[i].len);
    for (i = 0; i < doc->n_skips && error == 0; i++)
        error = spoor_wire__skip(out, doc->skips[i].name, doc->skips[i].code,
                                 doc->skips[i].reason);
    if (doc->warning && error == 0)
        error =
            spoor_wire__record(out, 'W', doc->warning, strlen(doc->warning));
    if (doc->ocr_pages && error == 0) {
        unsigned char o[8];
        uint32_t v[2] = {doc->ocr_pages, (uint32_t)doc->ocr_confidence};
        for (i = 0; i < 8; i++)
            o[i] = (unsigned char)(v[i / 4] >> (8 * (i % 4)));
        error = spoor_wire__record(out, 'O', o, 8);
    }
    if (doc->header_bytes && error == 0) {
        unsigned char h[8];
        for (i = 0; i < 8; i++)
            h[i] = (unsigned char)((uint64_t)doc->header_bytes >> (8 * i));
        error = spoor_wire__record(out, 'H', h, 8);
    }
    return error;
}

size_t spoor_wire__next(const unsigned char *d, size_t len, char *type,
                        const unsigned char **payload, size_t *n)
{
    size_t sz;
    if (len < 5)
        return 0;
    sz = (size_t)d[1] | (size_t)d[2] << 8 | (size_t)d[3] << 16 |
         (size_t)d[4] << 24;
    if (sz > len - 5)
        return 0;
    *type = (char)d[0];
    *payload = d + 5;
    *n = sz;
    return 5 + sz;
}

/* The NUL-terminated part of p[0..n) starting at *pos, or NULL. */
static const char *part(const unsigned char *p, size_t n, size_t *pos)
{
    const unsigned char *s = p + *pos, *z;
    if (*pos >= n || !(z = memchr(s, 0, n - *pos)))
        return NULL;
    *pos += (size_t)(z - s) + 1;
    return (const char *)s;
}

int spoor_wire__apply(spoor_doc *doc, char type, const unsigned char *p,
                      size_t n, int *record_error, int copy_children)
{
    void *owned = NULL;
    size_t pos = 0;
    const char *a, *b, *c;
    uint32_t code;
    switch (type) {
    case 'T':
        return spoor_buf_put(&doc->text, p, n);
    case 'D':
        if (!(a = part(p, n, &pos)) || !(b = part(p, n, &pos)) ||
            !(c = part(p, n, &pos)))
            return 0;
        return spoor_doc__add_date(doc, a, b, c);
    case 'M':
        if (!(a = part(p, n, &pos)) || !(b = part(p, n, &pos)))
            return 0;
        return spoor_doc__add_meta(doc, a, b);
    case 'C':
        if (!(a = part(p, n, &pos)) || !(b = part(p, n, &pos)))
            return 0;
        if (copy_children && n > pos) {
            if (!(owned = spoor__malloc(n - pos)))
                return spoor__error_oom();
            memcpy(owned, p + pos, n - pos);
        }
        return spoor_doc__add_child_as(doc, a, spoor_extract__format_name(b),
                                       owned ? owned : p + pos, n - pos, owned);
    case 'S':
        if (n < 4)
            return 0;
        memcpy(&code, p, 4);
        pos = 4;
        if (!(a = part(p, n, &pos)))
            return 0;
        {
            char *reason = spoor__strndup((const char *)p + pos, n - pos);
            int error;
            if (!reason)
                return spoor__error_oom();
            error = spoor_doc__add_skip(
                doc, a, (int32_t)code < 0 ? (int32_t)code : SPOOR_EINVALID,
                reason);
            spoor__free(reason);
            return error;
        }
    case 'H': { /* checked against the text when the doc is used */
        uint64_t h = 0;
        size_t i;
        if (n != 8)
            return 0;
        for (i = 0; i < 8; i++)
            h |= (uint64_t)p[i] << (8 * i);
        doc->header_bytes = h <= SIZE_MAX ? (size_t)h : 0;
        return 0;
    }
    case 'O': {
        uint32_t v[2] = {0, 0};
        size_t i;
        if (n != 8)
            return 0;
        for (i = 0; i < 8; i++)
            v[i / 4] |= (uint32_t)p[i] << (8 * (i % 4));
        doc->ocr_pages = v[0];
        doc->ocr_confidence = v[1] <= 100 ? (int)v[1] : 0;
        return 0;
    }
    case 'W': {
        char *w = spoor__strndup((const char *)p, n);
        if (!w)
            return spoor__error_oom();
        spoor__free(doc->warning);
        doc->warning = w;
        return 0;
    }
    case 'E':
        if (n < 4)
            return 0;
        memcpy(&code, p, 4);
        if (record_error)
            *record_error = spoor__error_set(
                (int32_t)code < 0 ? (int32_t)code : SPOOR_EINVALID, "%.*s",
                (int)(n - 4), (const char *)p + 4);
        return 0;
    default:
        return 0;
    }
}

int spoor_wire__decode_doc(spoor_doc *doc, const unsigned char *d, size_t len,
                           int *record_error, int copy_children)
{
    size_t used = 0, step, n;
    const unsigned char *p;
    char type;
    int error = 0;
    while (error == 0 &&
           (step = spoor_wire__next(d + used, len - used, &type, &p, &n)) > 0) {
        error = spoor_wire__apply(doc, type, p, n, record_error, copy_children);
        used += step;
    }
    return error;
}
