/*
 * host_calls.c (lib/module): linked into each module, never into libspoor
 * or the static programs. Defines every internal helper of libspoor that
 * the modules' code calls as a call through the table the loader hands
 * the module (host.h), since libspoor exports its public API only.
 */
#include "host.h"
#include "module.h"
#include "../detect/detect.h"

/* Set by the loader before any other call into the module. */
const spoor_host *spoor__host;

void *spoor__malloc(size_t n)
{
    return spoor__host->malloc(n);
}

void *spoor__calloc(size_t n, size_t size)
{
    return spoor__host->calloc(n, size);
}

void spoor__free(void *p)
{
    spoor__host->free(p);
}

char *spoor__strdup(const char *s)
{
    return spoor__host->strdup(s);
}

int spoor__array_reserve(void **arr, size_t *cap, size_t need, size_t elsz)
{
    return spoor__host->array_reserve(arr, cap, need, elsz);
}

int spoor__error_set(int code, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = spoor__host->error_setv(code, fmt, ap);
    va_end(ap);
    return rc;
}

int spoor__error_oom(void)
{
    return spoor__host->error_oom();
}

void spoor__civil_from_days(long z, long *y, long *m, long *d)
{
    spoor__host->civil_from_days(z, y, m, d);
}

long spoor__days_from_civil(long y, long m, long d)
{
    return spoor__host->days_from_civil(y, m, d);
}

int spoor__memfd_copy(const char *name, const void *data, size_t len)
{
    return spoor__host->memfd_copy(name, data, len);
}

void spoor_buf__as_input(spoor_input *saved, const spoor_buf *buf)
{
    spoor__host->buf_as_input(saved, buf);
}

void spoor__input_restore(const spoor_input *saved)
{
    spoor__host->input_restore(saved);
}

void spoor__input_done(const void *upto)
{
    spoor__host->input_done(upto);
}

size_t spoor__spill_bound(size_t dflt)
{
    return spoor__host->spill_bound(dflt);
}

int spoor_buf__spill_over(spoor_buf *buf, size_t over)
{
    return spoor__host->buf_spill_over(buf, over);
}

int spoor_buf__spilled(const spoor_buf *buf)
{
    return spoor__host->buf_spilled(buf);
}

void spoor_buf__wrote(spoor_buf *buf)
{
    spoor__host->buf_wrote(buf);
}

const char *spoor_detect__ooxml_kind(const unsigned char *d, size_t len)
{
    return spoor__host->detect_ooxml_kind(d, len);
}

const char *spoor_detect__odf_kind(const unsigned char *d, size_t len)
{
    return spoor__host->detect_odf_kind(d, len);
}

const char *spoor_detect__flat_odf_kind(const unsigned char *d, size_t len)
{
    return spoor__host->detect_flat_odf_kind(d, len);
}

int spoor_detect__mbox_from_line(const unsigned char *d, size_t len, size_t i)
{
    return spoor__host->detect_mbox_from_line(d, len, i);
}

int spoor_doc__add_child(spoor_doc *doc, const char *name, const void *data,
                         size_t len, void *owned)
{
    return spoor__host->doc_add_child(doc, name, data, len, owned);
}

int spoor_doc__add_child_as(spoor_doc *doc, const char *name,
                            const char *format, const void *data, size_t len,
                            void *owned)
{
    return spoor__host->doc_add_child_as(doc, name, format, data, len, owned);
}

int spoor_doc__add_date(spoor_doc *doc, const char *field, const char *value,
                        const char *source)
{
    return spoor__host->doc_add_date(doc, field, value, source);
}

int spoor_doc__add_meta(spoor_doc *doc, const char *key, const char *value)
{
    return spoor__host->doc_add_meta(doc, key, value);
}

int spoor_doc__add_metas(spoor_doc *doc, const char *const *kv, size_t n)
{
    return spoor__host->doc_add_metas(doc, kv, n);
}

int spoor_doc__add_skip(spoor_doc *doc, const char *name, int code,
                        const char *reason)
{
    return spoor__host->doc_add_skip(doc, name, code, reason);
}

int spoor_doc__put_header(spoor_buf *out, const char *name, const char *value)
{
    return spoor__host->doc_put_header(out, name, value);
}

const char *spoor_extract__format_name(const char *name)
{
    return spoor__host->format_name(name);
}

int spoor_extract__has_alnum(const unsigned char *s, size_t n)
{
    return spoor__host->has_alnum(s, n);
}

void spoor_extract__sanitize_name(char *s)
{
    spoor__host->sanitize_name(s);
}

int spoor_extract__isolated(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim, spoor_isolated_fn fn,
                            const char *library)
{
    return spoor__host->isolated(doc, d, len, lim, fn, library);
}

int spoor_extract__isolated_warm(spoor_doc *doc, const unsigned char *d,
                                 size_t len, const spoor_limits *lim,
                                 spoor_isolated_fn fn, const char *library,
                                 spoor_warm_fn warm)
{
    return spoor__host->isolated_warm(doc, d, len, lim, fn, library, warm);
}

int spoor_extract__isolated_children(const unsigned char *d, size_t len,
                                     const spoor_limits *lim,
                                     spoor_isolated_children_fn fn,
                                     const char *library, spoor_child_sink sink,
                                     void *payload)
{
    return spoor__host->isolated_children(d, len, lim, fn, library, sink,
                                          payload);
}

uint32_t spoor_text__cp1252(unsigned char b)
{
    return spoor__host->cp1252(b);
}

int spoor_text__put_cp(spoor_buf *out, uint32_t cp)
{
    return spoor__host->put_cp(out, cp);
}

int spoor_text__valid_utf8(const unsigned char *data, size_t len)
{
    return spoor__host->valid_utf8(data, len);
}

int spoor_wire__child(spoor_buf *out, const char *name, const char *format,
                      const void *data, size_t len)
{
    return spoor__host->wire_child(out, name, format, data, len);
}

int spoor_wire__skip(spoor_buf *out, const char *name, int code,
                     const char *reason)
{
    return spoor__host->wire_skip(out, name, code, reason);
}

int spoor_wire__encode_doc(spoor_buf *out, const spoor_doc *doc)
{
    return spoor__host->wire_encode_doc(out, doc);
}

int spoor_wire__decode_doc(spoor_doc *doc, const unsigned char *d, size_t len,
                           int *record_error, int copy_children)
{
    return spoor__host->wire_decode_doc(doc, d, len, record_error,
                                        copy_children);
}

time_t spoor_dkim__parse_iso(const char *s)
{
    return spoor__host->dkim_parse_iso(s);
}

/* libspoor's text and RTF readers, which the modules call for a text in
 * a stream or an RTF body. */
static int text_extract(spoor_doc *doc, const unsigned char *d, size_t len,
                        const spoor_limits *lim)
{
    return spoor__host->ex_text->extract(doc, d, len, lim);
}

static int rtf_extract(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    return spoor__host->ex_rtf->extract(doc, d, len, lim);
}

const spoor_extractor spoor_ex_text = {"text", text_extract, NULL};
const spoor_extractor spoor_ex_rtf = {"rtf", rtf_extract, NULL};
