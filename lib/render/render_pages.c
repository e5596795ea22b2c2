/*
 * render_pages.c: the pages spoor serve shows of an index (see
 * spoor/report.h): the case, a collection, an item. They are built like
 * the evidence report and are as safe: no script, nothing loaded, every
 * string from the index escaped, links percent-encoded. Only the caller's
 * header (opts.header: navigation, forms) is trusted HTML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spoor/report.h>
#include <spoor/thread.h>

#include "../common/internal.h"
#include "render_int.h"

/* The start of a page titled title: head, then the caller's header. */
static int page_start(spoor_buf *o, const char *title,
                      const spoor_html_opts *opts)
{
    int error = spoor_html__head(o, title);
    if (!error && opts && opts->version >= 2 && opts->header)
        error = spoor_buf_puts(o, opts->header);
    return error;
}

/* The links' prefix: opts.base, or NULL (no links). */
static const char *base_of(const spoor_html_opts *opts)
{
    return opts && opts->version >= 2 ? opts->base : NULL;
}

/* s escaped, inside a link to its page when base is set. */
static int linked(spoor_buf *o, const char *base, const char *kind,
                  const char *what, const char *shown)
{
    int error = 0;
    if (base)
        SPOOR_TRY(spoor_html__link(o, base, kind, what, NULL));
    SPOOR_TRY(spoor_html__esc(o, shown));
    if (base)
        SPOOR_TRY(spoor_buf_puts(o, "</a>"));
done:
    return error;
}

/* ==== The case ==== */

typedef struct case_rows {
    spoor_buf *o;
    const char *base;
} case_rows;

static int collection_row(const spoor_collection_info *c, void *payload)
{
    case_rows *cr = payload;
    spoor_buf *o = cr->o;
    int error = 0;
    SPOOR_TRY(spoor_buf_puts(o, "<tr><td>"));
    SPOOR_TRY(linked(o, cr->base, "collections/", c->name, c->name));
    SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
    SPOOR_TRY(spoor_html__esc(o, c->kind));
    SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
    SPOOR_TRY(c->date ? spoor_html__esc(o, c->date)
                      : spoor_buf_puts(o, "&mdash;"));
    SPOOR_TRY(spoor_buf_printf(o,
                               "</td><td class=\"num\">%lld</td><td "
                               "class=\"num\">%lld</td><td class=\"num\">"
                               "%lld</td><td>",
                               (long long)c->n_items, (long long)c->n_unique,
                               (long long)c->bytes));
    SPOOR_TRY(spoor_html__esc(o, c->note));
    SPOOR_TRY(spoor_buf_puts(o, "</td></tr>\n"));
done:
    return error;
}

int spoor_html_case(spoor_buf *out, spoor_store *s, const spoor_html_opts *opts)
{
    spoor_html *h = NULL;
    case_rows cr = {out, base_of(opts)};
    int error = 0;

    SPOOR_TRY(spoor_html_new(&h, s, opts));
    SPOOR_TRY(page_start(out, "spoor: the case", opts));
    SPOOR_TRY(spoor_buf_puts(out, "<h1>The case</h1>\n<p>Index <code>"));
    SPOOR_TRY(spoor_html__esc(out, spoor_store_path(s)));
    SPOOR_TRY(spoor_buf_puts(out, "</code> (id <code>"));
    SPOOR_TRY(spoor_html__esc(out, spoor_store_id(s)));
    SPOOR_TRY(spoor_buf_puts(
        out, "</code>)</p>\n<h2>Collections</h2>\n<table class=\"collections\">"
             "<tr><th>collection</th><th>kind</th><th>date</th><th>items</th>"
             "<th>contents</th><th>bytes</th><th>note</th></tr>\n"));
    SPOOR_TRY(spoor_store_collections(s, collection_row, &cr));
    SPOOR_TRY(spoor_buf_puts(out, "</table>\n<h2>Timeline</h2>\n"));
    SPOOR_TRY(spoor_html__case_timeline(out, h));
    SPOOR_TRY(spoor_html__provenance(out, spoor_store_path(s), "spoor serve"));
done:
    spoor_html_free(h);
    return error;
}

/* ==== A collection ==== */

typedef struct find_collection {
    const char *name;
    spoor_collection_info info;
    char kind[32], date[32];
    int found;
} find_collection;

static int find_one(const spoor_collection_info *c, void *payload)
{
    find_collection *f = payload;
    if (strcmp(c->name, f->name))
        return 0;
    f->info = *c;
    f->info.name = f->name;
    snprintf(f->kind, sizeof(f->kind), "%s", c->kind);
    f->info.kind = f->kind;
    snprintf(f->date, sizeof(f->date), "%s", c->date ? c->date : "");
    f->info.date = c->date ? f->date : NULL;
    f->info.note = f->info.created = NULL;
    f->found = 1;
    return 0;
}

/* One row of a collection's page: content rec, at each of its paths in
 * collection. */
static int content_rows(spoor_buf *o, const char *base, const spoor_record *rec,
                        const char *collection)
{
    size_t i, j;
    int error = 0;
    for (i = 0; i < rec->n_occ; i++) {
        if (strcmp(rec->occ[i].collection, collection))
            continue;
        SPOOR_TRY(spoor_buf_puts(o, "<tr><td>"));
        SPOOR_TRY(linked(o, base, "items/", rec->sha256, rec->occ[i].path));
        SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
        SPOOR_TRY(spoor_html__esc(o, rec->format));
        SPOOR_TRY(spoor_buf_printf(o,
                                   "</td><td class=\"num\">%llu</td><td "
                                   "class=\"num\">%llu</td><td>",
                                   (unsigned long long)rec->bytes,
                                   (unsigned long long)rec->text_bytes));
        for (j = 0; j < rec->n_dates && j < 3; j++) {
            SPOOR_TRY(spoor_buf_puts(o, j ? "<br>" : ""));
            SPOOR_TRY(spoor_html__esc(o, rec->dates[j].field));
            SPOOR_TRY(spoor_buf_puts(o, " "));
            SPOOR_TRY(spoor_html__esc(o, rec->dates[j].value));
        }
        SPOOR_TRY(spoor_buf_puts(o, "</td></tr>\n"));
    }
done:
    return error;
}

/* A link to page from of collection name's listing. */
static int page_link(spoor_buf *o, const char *base, const char *name,
                     size_t from, const char *label)
{
    int error = 0;
    char query[32];
    snprintf(query, sizeof(query), "?from=%zu", from);
    SPOOR_TRY(spoor_html__link(o, base, "collections/", name, query));
    SPOOR_TRY(spoor_buf_printf(o, "%s</a> ", label));
done:
    return error;
}

int spoor_html_collection(spoor_buf *out, spoor_store *s, const char *name,
                          size_t from, size_t count,
                          const spoor_html_opts *opts)
{
    find_collection f;
    const char *base = base_of(opts);
    int64_t *ids = NULL;
    size_t n = 0, i, to;
    spoor_buf title = SPOOR_BUF_INIT;
    int error = 0;

    memset(&f, 0, sizeof(f));
    f.name = name;
    SPOOR_TRY(spoor_store_collections(s, find_one, &f));
    if (!f.found) {
        error = spoor__error_set(SPOOR_ENOTFOUND, "no collection '%s' in %s",
                                 name, spoor_store_path(s));
        goto done;
    }
    SPOOR_TRY(spoor_store_contents_of(s, name, &ids, &n));
    SPOOR_TRY(spoor_buf_printf(&title, "spoor: collection %s", name));
    SPOOR_TRY(page_start(out, title.ptr, opts));
    SPOOR_TRY(spoor_buf_puts(out, "<h1>Collection "));
    SPOOR_TRY(spoor_html__esc(out, name));
    SPOOR_TRY(spoor_buf_puts(out, "</h1>\n<p>Kind "));
    SPOOR_TRY(spoor_html__esc(out, f.info.kind));
    if (f.info.date) {
        SPOOR_TRY(spoor_buf_puts(out, ", dated "));
        SPOOR_TRY(spoor_html__esc(out, f.info.date));
    }
    SPOOR_TRY(spoor_buf_printf(out,
                               "; %lld items, %zu distinct contents.</p>\n",
                               (long long)f.info.n_items, n));
    if (from > n)
        from = n;
    to = count && n - from > count ? from + count : n;
    if (n)
        SPOOR_TRY(spoor_buf_printf(out, "<p>Contents %zu to %zu of %zu. ",
                                   from + 1, to, n));
    if (base && from > 0)
        SPOOR_TRY(page_link(out, base, name, from > count ? from - count : 0,
                            "previous"));
    if (base && to < n)
        SPOOR_TRY(page_link(out, base, name, to, "next"));
    SPOOR_TRY(spoor_buf_puts(
        out, n ? "</p>\n<table class=\"items\"><tr><th>path</th><th>format"
                 "</th><th>bytes</th><th>text bytes</th><th>dates</th></tr>\n"
               : "<table class=\"items\">"));
    for (i = from; i < to; i++) {
        spoor_record *rec = NULL;
        SPOOR_TRY(spoor_store_record(&rec, s, ids[i]));
        error = content_rows(out, base, rec, name);
        spoor_record_free(rec);
        if (error < 0)
            goto done;
    }
    SPOOR_TRY(spoor_buf_puts(out, "</table>\n"));
    SPOOR_TRY(spoor_html__provenance(out, spoor_store_path(s), "spoor serve"));
done:
    free(ids);
    spoor_buf_dispose(&title);
    return error;
}

/* ==== An item ==== */

/* What the index knows of rec: a table. */
static int record_table(spoor_buf *o, const char *base, const spoor_record *rec)
{
    size_t i;
    int error = 0;
    SPOOR_TRY(spoor_buf_puts(o, "<table class=\"record\"><tr><td>sha256</td>"
                                "<td><code>"));
    SPOOR_TRY(spoor_html__esc(o, rec->sha256));
    SPOOR_TRY(spoor_buf_puts(o, "</code></td></tr><tr><td>format</td><td>"));
    SPOOR_TRY(spoor_html__esc(o, rec->format));
    if (rec->encoding) {
        SPOOR_TRY(spoor_buf_puts(o, ", "));
        SPOOR_TRY(spoor_html__esc(o, rec->encoding));
    }
    SPOOR_TRY(spoor_buf_printf(o,
                               "</td></tr><tr><td>size</td><td>%llu bytes, "
                               "%llu bytes of text</td></tr>",
                               (unsigned long long)rec->bytes,
                               (unsigned long long)rec->text_bytes));
    if (rec->warning) {
        SPOOR_TRY(spoor_buf_puts(o, "<tr><td>warning</td><td>"));
        SPOOR_TRY(spoor_html__esc(o, rec->warning));
        SPOOR_TRY(spoor_buf_puts(o, "</td></tr>"));
    }
    for (i = 0; i < rec->n_occ; i++) {
        const spoor_occurrence *oc = &rec->occ[i];
        SPOOR_TRY(spoor_buf_puts(o, i ? "<tr><td></td><td>"
                                      : "<tr><td>held in</td><td>"));
        SPOOR_TRY(
            linked(o, base, "collections/", oc->collection, oc->collection));
        SPOOR_TRY(spoor_buf_puts(o, " ("));
        SPOOR_TRY(spoor_html__esc(o, oc->kind));
        if (oc->date) {
            SPOOR_TRY(spoor_buf_puts(o, ", "));
            SPOOR_TRY(spoor_html__esc(o, oc->date));
        }
        SPOOR_TRY(spoor_buf_puts(o, ") "));
        SPOOR_TRY(spoor_html__esc(o, oc->path));
        SPOOR_TRY(spoor_buf_puts(o, "</td></tr>"));
    }
    for (i = 0; i < rec->n_dates; i++) {
        SPOOR_TRY(spoor_buf_puts(o, "<tr><td>date</td><td>"));
        SPOOR_TRY(spoor_html__esc(o, rec->dates[i].field));
        SPOOR_TRY(spoor_buf_puts(o, " "));
        SPOOR_TRY(spoor_html__esc(o, rec->dates[i].value));
        if (rec->dates[i].source) {
            SPOOR_TRY(spoor_buf_puts(o, " <span class=\"off\">("));
            SPOOR_TRY(spoor_html__esc(o, rec->dates[i].source));
            SPOOR_TRY(spoor_buf_puts(o, ")</span>"));
        }
        SPOOR_TRY(spoor_buf_puts(o, "</td></tr>"));
    }
    for (i = 0; i < rec->n_meta; i++) {
        SPOOR_TRY(spoor_buf_puts(o, "<tr><td>"));
        SPOOR_TRY(spoor_html__esc(o, rec->meta[i].key));
        SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
        SPOOR_TRY(spoor_html__esc(o, rec->meta[i].value));
        SPOOR_TRY(spoor_buf_puts(o, "</td></tr>"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</table>\n"));
done:
    return error;
}

/* The email thread of rec, when it has one: a table of its messages. */
static int thread_section(spoor_buf *o, const char *base, spoor_store *s,
                          const spoor_record *rec)
{
    spoor_thread_msg *m = NULL;
    size_t n = 0, i;
    int compared = 0, error = 0;

    if (!rec->thread)
        return 0;
    error = spoor_thread(&m, &n, &compared, s, rec->id);
    if (error == SPOOR_EINVALID || (error == 0 && n < 2)) {
        error = 0;
        goto done;
    }
    SPOOR_TRY(error);
    SPOOR_TRY(spoor_buf_printf(o,
                               "<h2>Its thread</h2>\n<p>%zu messages. "
                               "Inclusive: no later message holds all of its "
                               "body%s.</p>\n<table class=\"thread\"><tr><th>"
                               "date</th><th>from</th><th>subject</th><th>"
                               "inclusive</th></tr>\n",
                               n,
                               compared ? ""
                                        : " (not compared: too many "
                                          "messages)"));
    for (i = 0; i < n; i++) {
        char sha[65] = "";
        spoor_record *r = NULL;
        SPOOR_TRY(spoor_store_record(&r, s, m[i].content));
        memcpy(sha, r->sha256, sizeof(sha));
        spoor_record_free(r);
        SPOOR_TRY(spoor_buf_puts(o, "<tr><td>"));
        SPOOR_TRY(spoor_html__esc(o, m[i].date));
        SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
        SPOOR_TRY(spoor_html__esc(o, m[i].from));
        SPOOR_TRY(
            spoor_buf_printf(o, "</td><td style=\"padding-left:%upx\">",
                             4 + 12 * (m[i].depth > 20 ? 20 : m[i].depth)));
        if (m[i].content == rec->id)
            SPOOR_TRY(spoor_buf_puts(o, "<b>"));
        SPOOR_TRY(linked(o, base, "items/", sha,
                         m[i].subject ? m[i].subject : "(no subject)"));
        if (m[i].content == rec->id)
            SPOOR_TRY(spoor_buf_puts(o, "</b> (this message)"));
        SPOOR_TRY(spoor_buf_puts(o, m[i].inclusive
                                        ? "</td><td>yes</td></tr>\n"
                                        : "</td><td>no</td></tr>\n"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</table>\n"));
done:
    spoor_thread_free(m, n);
    return error;
}

int spoor_html_item(spoor_buf *out, spoor_store *s, int64_t content,
                    const spoor_check_opts *check, const spoor_html_opts *opts)
{
    spoor_record *rec = NULL;
    spoor_buf text = SPOOR_BUF_INIT, title = SPOOR_BUF_INIT;
    spoor_item item;
    spoor_result *r = NULL;
    spoor_html *h = NULL;
    spoor_html_opts hopts = SPOOR_HTML_OPTS_INIT;
    const char *base = base_of(opts);
    const char *path;
    int error = 0, analysed = 0;

    memset(&item, 0, sizeof(item));
    if (opts && opts->version >= 2)
        hopts = *opts;
    hopts.header = NULL; /* the page's, written once */
    hopts.check = check;
    SPOOR_TRY(spoor_store_record(&rec, s, content));
    path = rec->n_occ ? rec->occ[0].path : rec->sha256;
    SPOOR_TRY(spoor_buf_printf(&title, "spoor: %s", path));
    SPOOR_TRY(page_start(out, title.ptr, opts));
    SPOOR_TRY(spoor_buf_puts(out, "<h1>"));
    SPOOR_TRY(spoor_html__esc(out, path));
    SPOOR_TRY(spoor_buf_puts(out, "</h1>\n"));
    SPOOR_TRY(record_table(out, base, rec));
    if (base && rec->text_bytes) {
        SPOOR_TRY(spoor_buf_puts(out, "<p>"));
        SPOOR_TRY(spoor_html__link(out, base, "items/", rec->sha256, "/text"));
        SPOOR_TRY(spoor_buf_puts(out, "Its text</a>, as a file "
                                      "(UTF-8).</p>\n"));
    }
    SPOOR_TRY(thread_section(out, base, s, rec));
    if (rec->fp_bytes || !rec->text_bytes) {
        SPOOR_TRY(spoor_buf_puts(out, "<p>No text was extracted from it: "
                                      "<code>spoor check</code> compares such "
                                      "items by their bytes.</p>\n"));
        SPOOR_TRY(
            spoor_html__provenance(out, spoor_store_path(s), "spoor serve"));
        goto done;
    }
    SPOOR_TRY(spoor_store_text(&text, s, content));
    SPOOR_TRY(spoor_check_indexed(&r, &item, s, rec, text.ptr ? text.ptr : "",
                                  text.size, check));
    analysed = 1;
    item.path = item.display = path;
    SPOOR_TRY(spoor_html_new(&h, s, &hopts));
    SPOOR_TRY(spoor_html_add(h, &item, r));
    SPOOR_TRY(spoor_buf_puts(out, "<p class=\"note\">Below, this text is "
                                  "checked against every other content of "
                                  "the index: the verdict and passages are "
                                  "theirs. Where this content itself is held "
                                  "is listed above.</p>\n"));
    SPOOR_TRY(spoor_html__report_body(
        out, h, "Where its passages appear elsewhere in the index"));
done:
    spoor_html_free(h);
    spoor_result_free(r);
    if (analysed)
        spoor_item_dispose(&item);
    spoor_buf_dispose(&text);
    spoor_buf_dispose(&title);
    spoor_record_free(rec);
    return error;
}

/* ==== Search ==== */

typedef struct search_rows {
    spoor_buf *o;
    spoor_store *s;
    const char *base;
} search_rows;

/* A snippet: its found words (between 0x02 and 0x03) marked. */
static int snippet_html(spoor_buf *o, const char *snip)
{
    int open = 0, error = 0;
    while (*snip && !error) {
        size_t n = strcspn(snip, "\x02\x03");
        error = spoor_html_escape(o, snip, n);
        snip += n;
        if (error || !*snip)
            break;
        if (*snip == '\x02' && !open)
            error = spoor_buf_puts(o, "<mark>"), open = 1;
        else if (*snip == '\x03' && open)
            error = spoor_buf_puts(o, "</mark>"), open = 0;
        snip++;
    }
    return error || !open ? error : spoor_buf_puts(o, "</mark>");
}

static int search_row(const spoor_search_hit *hit, void *payload)
{
    search_rows *sr = payload;
    spoor_buf *o = sr->o;
    spoor_record *rec = NULL;
    size_t i;
    int error = spoor_store_record(&rec, sr->s, hit->content);
    if (error < 0)
        return error;
    SPOOR_TRY(spoor_buf_puts(o, "<li><p>"));
    for (i = 0; i < rec->n_occ; i++) {
        SPOOR_TRY(spoor_buf_puts(o, i ? "<br>" : ""));
        SPOOR_TRY(spoor_html__esc(o, rec->occ[i].collection));
        SPOOR_TRY(spoor_buf_puts(o, ": "));
        SPOOR_TRY(linked(o, sr->base, "items/", rec->sha256, rec->occ[i].path));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</p><p class=\"snippet\">"));
    SPOOR_TRY(snippet_html(o, hit->snippet));
    SPOOR_TRY(spoor_buf_puts(o, "</p></li>\n"));
done:
    spoor_record_free(rec);
    return error;
}

int spoor_html_search(spoor_buf *out, spoor_store *s, const char *query,
                      size_t from, size_t count, const spoor_html_opts *opts)
{
    search_rows sr = {out, s, base_of(opts)};
    spoor_buf rows = SPOOR_BUF_INIT;
    uint64_t total = 0, behind = 0;
    int error = 0, found;

    SPOOR_TRY(spoor_store_search_behind(&behind, s));
    sr.o = &rows;
    found =
        spoor_store_search(&total, s, query, 0, from, count, search_row, &sr);
    if (found < 0 && found != SPOOR_EINVALID && found != SPOOR_ENOTFOUND) {
        error = found;
        goto done;
    }
    SPOOR_TRY(page_start(out, "spoor: search", opts));
    SPOOR_TRY(spoor_buf_puts(out, "<h1>Search</h1>\n<p>"));
    if (found < 0) {
        SPOOR_TRY(spoor_html__esc(out, spoor_error_last()->message));
        SPOOR_TRY(spoor_buf_puts(out, "</p>\n"));
    } else {
        SPOOR_TRY(spoor_buf_printf(
            out, "%llu item%s hold%s every word of ", (unsigned long long)total,
            total == 1 ? "" : "s", total == 1 ? "s" : ""));
        SPOOR_TRY(spoor_buf_puts(out, "<q>"));
        SPOOR_TRY(spoor_html__esc(out, query));
        SPOOR_TRY(spoor_buf_puts(out, "</q>"));
        if (total > count)
            SPOOR_TRY(spoor_buf_printf(out, "; %zu to %llu shown", from + 1,
                                       (unsigned long long)(from + count < total
                                                                ? from + count
                                                                : total)));
        SPOOR_TRY(spoor_buf_puts(out, ".</p>\n<ol class=\"hits\">\n"));
        SPOOR_TRY(spoor_buf_put(out, rows.ptr ? rows.ptr : "", rows.size));
        SPOOR_TRY(spoor_buf_puts(out, "</ol>\n"));
        if (sr.base && from + count < total) {
            char tail[64];
            snprintf(tail, sizeof(tail), "&from=%zu", from + count);
            SPOOR_TRY(spoor_html__link(out, sr.base, "search?q=", query, tail));
            SPOOR_TRY(spoor_buf_puts(out, "more</a>\n"));
        }
    }
    if (behind)
        SPOOR_TRY(spoor_buf_printf(out,
                                   "<p class=\"note\">%llu indexed texts are "
                                   "not in the search index yet.</p>\n",
                                   (unsigned long long)behind));
    SPOOR_TRY(spoor_html__provenance(out, spoor_store_path(s), "spoor serve"));
done:
    spoor_buf_dispose(&rows);
    return error;
}
