/*
 * host.h (lib/module): what libspoor lends its modules.
 *
 * libspoor exports its public API only (include/spoor/, SPOOR_API; every
 * other symbol is hidden). The modules' code (extractors, DKIM) also calls
 * internal helpers of libspoor: allocation, errors, buffers that spill,
 * the input's pages, detection, documents, the isolated-extractor wire.
 * The loader hands each module this table of them (spoor_module.host);
 * host_calls.c, linked into each module, defines every such helper as a
 * call through the table, so the modules' code is the same source as in
 * the programs that link everything statically (tests, fuzzers), which
 * call the helpers directly and never load a module.
 */
#ifndef SPOOR_MODULE_HOST_H
#define SPOOR_MODULE_HOST_H

#include <stdarg.h>
#include <time.h>

#include "../auth/dkim_int.h"
#include "../extract/extract_int.h"

/* A change to spoor_host bumps SPOOR_MODULE_ABI (module.h). */
typedef struct spoor_host {
    /* common */
    void *(*malloc)(size_t n);
    void *(*calloc)(size_t n, size_t size);
    void (*free)(void *p);
    char *(*strdup)(const char *s);
    int (*array_reserve)(void **arr, size_t *cap, size_t need, size_t elsz);
    int (*error_setv)(int code, const char *fmt, va_list ap);
    int (*error_oom)(void);
    void (*civil_from_days)(long z, long *y, long *m, long *d);
    long (*days_from_civil)(long y, long m, long d);
    int (*memfd_copy)(const char *name, const void *data, size_t len);
    void (*buf_as_input)(spoor_input *saved, const spoor_buf *buf);
    void (*input_restore)(const spoor_input *saved);
    void (*input_done)(const void *upto);
    size_t (*spill_bound)(size_t dflt);
    int (*buf_spill_over)(spoor_buf *buf, size_t over);
    int (*buf_spilled)(const spoor_buf *buf);
    void (*buf_wrote)(spoor_buf *buf);
    /* detect */
    const char *(*detect_ooxml_kind)(const unsigned char *d, size_t len);
    const char *(*detect_odf_kind)(const unsigned char *d, size_t len);
    const char *(*detect_flat_odf_kind)(const unsigned char *d, size_t len);
    int (*detect_mbox_from_line)(const unsigned char *d, size_t len, size_t i);
    /* extract */
    int (*doc_add_child)(spoor_doc *doc, const char *name, const void *data,
                         size_t len, void *owned);
    int (*doc_add_child_as)(spoor_doc *doc, const char *name,
                            const char *format, const void *data, size_t len,
                            void *owned);
    int (*doc_add_date)(spoor_doc *doc, const char *field, const char *value,
                        const char *source);
    int (*doc_add_meta)(spoor_doc *doc, const char *key, const char *value);
    int (*doc_add_metas)(spoor_doc *doc, const char *const *kv, size_t n);
    int (*doc_add_skip)(spoor_doc *doc, const char *name, int code,
                        const char *reason);
    int (*doc_put_header)(spoor_buf *out, const char *name, const char *value);
    const char *(*format_name)(const char *name);
    int (*has_alnum)(const unsigned char *s, size_t n);
    void (*sanitize_name)(char *s);
    int (*isolated)(spoor_doc *doc, const unsigned char *d, size_t len,
                    const spoor_limits *lim, spoor_isolated_fn fn,
                    const char *library);
    int (*isolated_warm)(spoor_doc *doc, const unsigned char *d, size_t len,
                         const spoor_limits *lim, spoor_isolated_fn fn,
                         const char *library, spoor_warm_fn warm);
    int (*isolated_children)(const unsigned char *d, size_t len,
                             const spoor_limits *lim,
                             spoor_isolated_children_fn fn, const char *library,
                             spoor_child_sink sink, void *payload);
    uint32_t (*cp1252)(unsigned char b);
    int (*put_cp)(spoor_buf *out, uint32_t cp);
    int (*valid_utf8)(const unsigned char *data, size_t len);
    int (*wire_child)(spoor_buf *out, const char *name, const char *format,
                      const void *data, size_t len);
    int (*wire_skip)(spoor_buf *out, const char *name, int code,
                     const char *reason);
    int (*wire_encode_doc)(spoor_buf *out, const spoor_doc *doc);
    int (*wire_decode_doc)(spoor_doc *doc, const unsigned char *d, size_t len,
                           int *record_error, int copy_children);
    const spoor_extractor *ex_text, *ex_rtf;
    /* auth */
    time_t (*dkim_parse_iso)(const char *s);
} spoor_host;

/* libspoor's table (host.c). */
extern const spoor_host spoor__host_table;

#endif
