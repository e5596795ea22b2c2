/*
 * extract.c: format dispatch and the spoor_doc helpers.
 *
 * Formats are tried in the order of the table below; the last one
 * (binary) accepts everything, so every input gets a doc and nothing is
 * dropped. Text longer than MAX_TEXT_BYTES is refused with ELIMIT.
 * Formats whose extractor is in a module (module.h) load it only when
 * an input of that format is read; if it cannot be loaded, that item fails
 * with the reason and the rest go on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../detect/detect.h"
#include "extract_int.h"
#include "../module/module.h"

/* A format: its name, its detector and its extractor when libspoor holds
 * it (NULL: in module `module`, looked up by name). */
typedef struct format_entry {
    const char *name;
    int (*detect)(const unsigned char *d, size_t len);
    const spoor_extractor *builtin;
    spoor_module_id module; /* where it is when not builtin */
} format_entry;

#define MAIL SPOOR_MODULE_MAIL
#define DOCS SPOOR_MODULE_DOCS

static const format_entry formats[] = {
    {"empty", spoor_detect__empty, &spoor_ex_empty, 0},
    {"pdf", spoor_detect__pdf, NULL, DOCS},
    {"pst", spoor_detect__pst, NULL, DOCS},
    {"pst-message", spoor_detect__never, NULL, DOCS},
    {"ooxml", spoor_detect__ooxml, NULL, DOCS},
    {"odf", spoor_detect__odf, NULL, DOCS},
    {"archive", spoor_detect__archive, NULL, DOCS},
    {"msg", spoor_detect__msg, NULL, DOCS},
    {"image", spoor_detect__image, NULL, DOCS},
    {"xls", spoor_detect__xls, NULL, DOCS},
    {"doc", spoor_detect__doc, NULL, DOCS},
    {"rtf", spoor_detect__rtf, &spoor_ex_rtf, 0},
    {"flat-odf", spoor_detect__flat_odf, NULL, DOCS},
    {"mbox", spoor_detect__mbox, NULL, MAIL},
    {"eml", spoor_detect__eml, NULL, MAIL},
    {"html", spoor_detect__html, NULL, MAIL},
    {"text", spoor_detect__text, &spoor_ex_text, 0},
    {"binary", spoor_detect__binary, &spoor_ex_binary, 0},
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

static const format_entry *find_format(const unsigned char *data, size_t len)
{
    size_t i;
    for (i = 0; i + 1 < N_FORMATS; i++)
        if (formats[i].detect(data, len))
            return &formats[i];
    return &formats[N_FORMATS - 1];
}

static const format_entry *format_named(const char *name)
{
    size_t i;
    for (i = 0; i < N_FORMATS; i++)
        if (strcmp(formats[i].name, name) == 0)
            return &formats[i];
    return NULL;
}

const char *spoor_detect(const void *data, size_t len)
{
    return find_format(data, len)->name;
}

void spoor_limits_default(spoor_limits *out)
{
    out->max_file_bytes = SPOOR_MAX_FILE_BYTES;
    out->max_text_bytes = SPOOR_MAX_TEXT_BYTES;
    out->max_depth = SPOOR_MAX_DEPTH;
    out->max_members = SPOOR_MAX_MEMBERS;
    out->max_member_bytes = SPOOR_MAX_MEMBER_BYTES;
    out->max_expanded_bytes = SPOOR_MAX_EXPANDED_BYTES;
    out->max_expansion_ratio = SPOOR_MAX_EXPANSION_RATIO;
    out->max_mime_parts = SPOOR_MAX_MIME_PARTS;
    out->max_mime_depth = SPOOR_MAX_MIME_DEPTH;
    out->max_pdf_pages = SPOOR_MAX_PDF_PAGES;
    out->max_ocr_pages = SPOOR_MAX_OCR_PAGES;
    out->max_item_seconds = SPOOR_MAX_ITEM_SECONDS;
}

/* Extracted text held on the heap at most: a longer one moves to a
 * temporary file as it grows (buf.c). */
#define TEXT_SPILL_BYTES ((size_t)32 << 20)

/* Run the extractor of format f on data (the body of spoor_extract). */
static int extract_with(const format_entry *f, spoor_doc *out, const void *data,
                        size_t len, const spoor_limits *limits)
{
    const spoor_extractor *ex = f->builtin;
    spoor_limits defaults;
    int error;

    if (!limits) {
        spoor_limits_default(&defaults);
        limits = &defaults;
    }
    out->format = f->name;
    if (!ex && !(ex = spoor_module__extractor(f->module, f->name)))
        return SPOOR_ERROR;
    out->extractor = ex;
    out->streams_children = ex->children != NULL;
    /* a long text goes to a temporary file as it is extracted */
    if ((error = spoor_buf__spill_over(
             &out->text, spoor__spill_bound(TEXT_SPILL_BYTES))) < 0)
        return error;
    error = ex->extract(out, data, len, limits);
    if (error == 0)
        error = spoor_doc__finish(out);
    if (error == 0 && out->text.size > limits->max_text_bytes)
        error = spoor__error_set(SPOOR_ELIMIT,
                                 "extracted text of %zu bytes exceeds "
                                 "MAX_TEXT_BYTES (%llu)",
                                 out->text.size,
                                 (unsigned long long)limits->max_text_bytes);
    return error;
}

int spoor_extract(spoor_doc *out, const void *data, size_t len,
                  const spoor_limits *limits)
{
    return extract_with(find_format(data, len), out, data, len, limits);
}

const char *spoor_extract__format_name(const char *name)
{
    const format_entry *f = format_named(name);
    return f ? f->name : NULL;
}

int spoor_extract__as(spoor_doc *out, const void *data, size_t len,
                      const char *format, const spoor_limits *limits)
{
    const format_entry *f = format_named(format);
    if (f)
        return extract_with(f, out, data, len, limits);
    return spoor__error_set(SPOOR_EINVALID, "no extractor named %s", format);
}

int spoor_extract_children(const spoor_doc *doc, const void *data, size_t len,
                           const spoor_limits *limits, spoor_child_sink sink,
                           void *payload)
{
    const spoor_extractor *ex = doc->extractor;
    spoor_limits defaults;
    if (!doc->streams_children || !ex || !ex->children)
        return 0;
    if (!limits) {
        spoor_limits_default(&defaults);
        limits = &defaults;
    }
    return ex->children(data, len, limits, sink, payload);
}

/* Whether text t is valid UTF-8, handing back the pages of a spilled text
 * as the check reads it. */
static int text_is_utf8(const spoor_buf *t)
{
    spoor_input saved;
    int ok;
    spoor_buf__as_input(&saved, t);
    ok = spoor_text__valid_utf8((const unsigned char *)t->ptr, t->size);
    spoor__input_restore(&saved);
    return ok;
}

int spoor_doc__finish(spoor_doc *doc)
{
    spoor_buf clean = SPOOR_BUF_INIT;
    const char *enc = NULL;
    char note[200];
    int bad;

    if (!doc->text.size || text_is_utf8(&doc->text))
        return 0;
    /* a library handed back bytes that are not UTF-8: replace them, and
     * say so, rather than store text no report can show */
    bad = spoor_text__decode_utf8(&clean, (const unsigned char *)doc->text.ptr,
                                  doc->text.size);
    (void)enc;
    if (bad < 0) {
        spoor_buf_dispose(&clean);
        return bad;
    }
    spoor_buf_dispose(&doc->text);
    doc->text = clean;
    snprintf(note, sizeof(note),
             "%d invalid UTF-8 sequences in the extracted text replaced with "
             "U+FFFD",
             bad);
    if (!doc->warning && !(doc->warning = spoor__strdup(note)))
        return spoor__error_oom();
    return 0;
}

void spoor_extract__sanitize_name(char *s)
{
    for (; *s; s++)
        if (*s == '!' || (unsigned char)*s < 32 || *s == 127)
            *s = '_';
}

int spoor_doc__add_skip(spoor_doc *doc, const char *name, int code,
                        const char *reason)
{
    spoor_skip *k;
    int error;
    if ((error = spoor__array_reserve((void **)&doc->skips, &doc->cap_skips,
                                      doc->n_skips + 1, sizeof(*k))) < 0)
        return error;
    k = &doc->skips[doc->n_skips];
    k->name = spoor__strdup(name);
    k->reason = spoor__strdup(reason);
    k->code = code;
    if (!k->name || !k->reason) {
        spoor__free(k->name);
        spoor__free(k->reason);
        return spoor__error_oom();
    }
    doc->n_skips++;
    return 0;
}

void spoor_doc_dispose(spoor_doc *doc)
{
    size_t i;
    if (!doc)
        return;
    spoor_buf_dispose(&doc->text);
    for (i = 0; i < doc->n_dates; i++) {
        spoor__free(doc->dates[i].field);
        spoor__free(doc->dates[i].value);
        spoor__free(doc->dates[i].source);
    }
    spoor__free(doc->dates);
    for (i = 0; i < doc->n_meta; i++) {
        spoor__free(doc->meta[i].key);
        spoor__free(doc->meta[i].value);
    }
    spoor__free(doc->meta);
    for (i = 0; i < doc->n_children; i++) {
        spoor__free(doc->children[i].name);
        spoor__free(doc->children[i].owned);
    }
    spoor__free(doc->children);
    for (i = 0; i < doc->n_skips; i++) {
        spoor__free(doc->skips[i].name);
        spoor__free(doc->skips[i].reason);
    }
    spoor__free(doc->skips);
    spoor__free(doc->warning);
    memset(doc, 0, sizeof(*doc));
}

const char *spoor_doc_meta(const spoor_doc *doc, const char *key)
{
    size_t i;
    for (i = 0; i < doc->n_meta; i++)
        if (strcmp(doc->meta[i].key, key) == 0)
            return doc->meta[i].value;
    return NULL;
}

int spoor_doc__add_date(spoor_doc *doc, const char *field, const char *value,
                        const char *source)
{
    spoor_date *d;
    int error;
    if ((error = spoor__array_reserve((void **)&doc->dates, &doc->cap_dates,
                                      doc->n_dates + 1, sizeof(*d))) < 0)
        return error;
    d = &doc->dates[doc->n_dates];
    d->field = spoor__strdup(field);
    d->value = spoor__strdup(value);
    d->source = spoor__strdup(source);
    if (!d->field || !d->value || !d->source) {
        spoor__free(d->field);
        spoor__free(d->value);
        spoor__free(d->source);
        return spoor__error_oom();
    }
    doc->n_dates++;
    return 0;
}

int spoor_doc__add_meta(spoor_doc *doc, const char *key, const char *value)
{
    spoor_meta *m;
    int error;
    if ((error = spoor__array_reserve((void **)&doc->meta, &doc->cap_meta,
                                      doc->n_meta + 1, sizeof(*m))) < 0)
        return error;
    m = &doc->meta[doc->n_meta];
    m->key = spoor__strdup(key);
    m->value = spoor__strdup(value);
    if (!m->key || !m->value) {
        spoor__free(m->key);
        spoor__free(m->value);
        return spoor__error_oom();
    }
    doc->n_meta++;
    return 0;
}

int spoor_doc__add_child(spoor_doc *doc, const char *name, const void *data,
                         size_t len, void *owned)
{
    return spoor_doc__add_child_as(doc, name, NULL, data, len, owned);
}

int spoor_doc__add_child_as(spoor_doc *doc, const char *name,
                            const char *format, const void *data, size_t len,
                            void *owned)
{
    spoor_child *c;
    int error;
    if (doc->n_children >= SPOOR_MAX_MEMBERS) {
        spoor__free(owned);
        return spoor__error_set(SPOOR_ELIMIT,
                                "more than MAX_MEMBERS (%llu) children",
                                (unsigned long long)SPOOR_MAX_MEMBERS);
    }
    if ((error =
             spoor__array_reserve((void **)&doc->children, &doc->cap_children,
                                  doc->n_children + 1, sizeof(*c))) < 0) {
        spoor__free(owned);
        return error;
    }
    c = &doc->children[doc->n_children];
    if (!(c->name = spoor__strdup(name))) {
        spoor__free(owned);
        return spoor__error_oom();
    }
    c->data = data;
    c->len = len;
    c->owned = owned;
    c->format = format;
    doc->n_children++;
    return 0;
}

int spoor_extract__has_alnum(const unsigned char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((s[i] >= '0' && s[i] <= '9') ||
            ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || s[i] >= 0x80)
            return 1;
    return 0;
}

int spoor_doc__put_header(spoor_buf *out, const char *name, const char *value)
{
    if (!value || !*value)
        return 0;
    return spoor_buf_printf(out, "%s: %s\n", name, value);
}

int spoor_doc__add_metas(spoor_doc *doc, const char *const *kv, size_t n)
{
    size_t i;
    int error = 0;
    for (i = 0; i + 1 < 2 * n && error == 0; i += 2)
        if (kv[i + 1] && *kv[i + 1])
            error = spoor_doc__add_meta(doc, kv[i], kv[i + 1]);
    return error;
}
