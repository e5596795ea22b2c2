/*
 * spoor/report.h: rendering check results as JSON lines or readable text.
 *
 * The JSON object follows docs/design.md exactly (input, sha256, format, bytes,
 * text_bytes, dates, verdict, coverage, first_release, postdates, matches)
 * and adds fields only: path, encoding, warning, fingerprints, boilerplate,
 * sources_not_verified, approximate. Matches are one per occurrence
 * (collection, path) of each matched source, highest coverage first.
 * Renderers append to a spoor_buf and never fail except on memory.
 */
#ifndef SPOOR_REPORT_H
#define SPOOR_REPORT_H

#include "buf.h"
#include "item.h"
#include "match.h"

/* Regions listed per source occurrence in JSON: the rest are counted in
 * "regions_not_listed" (coverage still counts them all). */
#define SPOOR_REPORT_MAX_REGIONS 1000

typedef struct spoor_report_opts {
    unsigned version;
    size_t max_sources;  /* text report: sources listed per item */
    size_t max_snippets; /* text report: passages quoted per source */
    size_t snippet_len;  /* text report: bytes per quoted passage */
} spoor_report_opts;

#define SPOOR_REPORT_OPTS_INIT                                                 \
    {                                                                          \
        1, 5, 2, 72                                                            \
    }

/**
 * Append one JSON object (one line, ending in '\n').
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_report_json(spoor_buf *out, const spoor_item *item,
                                const spoor_result *r);

/**
 * Append the readable report of one item.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_report_text(spoor_buf *out, const spoor_item *item,
                                const spoor_result *r,
                                const spoor_report_opts *opts);

/**
 * Append s[0..len) as a JSON string literal, quotes included.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_json_string(spoor_buf *out, const char *s, size_t len);

/**
 * Append a JSON number for a fraction, at most 4 decimals.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_json_fraction(spoor_buf *out, double v);

/** Append up to max bytes of text[start..end) on one line, whitespace
 * runs collapsed, cut at a UTF-8 boundary, with "…" when cut.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_snippet(spoor_buf *out, const char *text, size_t start,
                            size_t end, size_t max);

/* ==== HTML evidence report ==== */

/*
 * A self-contained HTML file (no script, no network, no external asset;
 * safe to open when built from hostile files, since every input-derived
 * string is escaped): a summary table, an inline SVG timeline of events,
 * collection dates and item dates, then per item its text with every
 * matched passage highlighted in its source's colour (the title names the
 * collection, date, path and offsets) and the passages side by side with
 * the source's, differences marked. Ends with the report's provenance:
 * spoor version, index identity, time, parameters and every input's
 * sha256. Build with spoor_html_new, add each item, then finish.
 */
typedef struct spoor_html spoor_html;

typedef struct spoor_html_opts {
    unsigned version;
    const char *command;           /* the command line, for provenance */
    const spoor_check_opts *check; /* thresholds used, for provenance */
    size_t max_text_bytes;         /* text shown per item (default 256 KiB) */
    size_t max_sources;            /* side-by-side sources per item (5) */
    size_t max_passages;           /* passages per source (20) */
    /* version 2 (spoor serve's pages) */
    const char *header; /* trusted HTML put first in the body (navigation,
                           forms), or NULL */
    const char *base;   /* links: when not NULL, every source and
                           collection links to its page under this URL
                           prefix (BASE "items/" sha256, BASE
                           "collections/" name), see spoor_html_item */
} spoor_html_opts;

#define SPOOR_HTML_OPTS_VERSION 2
#define SPOOR_HTML_OPTS_INIT                                                   \
    {                                                                          \
        SPOOR_HTML_OPTS_VERSION, NULL, NULL, 262144, 5, 20, NULL, NULL         \
    }

/**
 * Start a report reading sources from s (which must outlive it).
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_html_new(spoor_html **out, spoor_store *s,
                             const spoor_html_opts *opts);

/**
 * Add one checked item. Copies what it needs; item and r may go.
 * @return 0, SPOOR_ENOMEM, or an index error reading a source's text
 * (SPOOR_ECORRUPT, SPOOR_EIO).
 */
SPOOR_API int spoor_html_add(spoor_html *h, const spoor_item *item,
                             const spoor_result *r);

/**
 * Write the whole document to out.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_html_finish(spoor_buf *out, spoor_html *h);

SPOOR_API void spoor_html_free(spoor_html *h);

/* ==== spoor serve's pages ====
 *
 * Whole pages in the evidence report's style and safety, each starting
 * with opts->header (version 2; trusted HTML: navigation, forms) and
 * linking to the others under opts->base when it is set:
 *   BASE "collections/" NAME   a collection (?from=N: its page from N)
 *   BASE "items/" SHA256       an item (BASE "items/" SHA256 "/text": its
 *                              text, which the caller serves)
 *   BASE "search?q=" WORDS     a search (&from=N: from the N-th answer)
 */

/**
 * Append the case's page: its collections (kind, date, sizes, note) and
 * its timeline (events, dated collections). @return 0, SPOOR_ENOMEM or an
 * index error.
 */
SPOOR_API int spoor_html_case(spoor_buf *out, spoor_store *s,
                              const spoor_html_opts *opts);

/**
 * Append the page of collection name: its kind, date and counts, and the
 * contents it holds (path, format, sizes, dates) from the from-th, at most
 * count of them (0: all), with links to the pages before and after.
 * @return 0, SPOOR_ENOTFOUND (no such collection; message says),
 * SPOOR_ENOMEM or an index error.
 */
SPOOR_API int spoor_html_collection(spoor_buf *out, spoor_store *s,
                                    const char *name, size_t from, size_t count,
                                    const spoor_html_opts *opts);

/**
 * Append the page of indexed content: what the index knows of it (sha256,
 * format, sizes, where it is held, dates, metadata), its email thread when
 * it has one, and its text checked against the rest of the index
 * (spoor_check_indexed with check, which may be NULL for the defaults),
 * shown as the evidence report shows a checked item: verdict, highlighted
 * passages linked to their sources, side by side, timeline.
 * @return 0, SPOOR_ENOTFOUND, SPOOR_ENOMEM or an index error.
 */
SPOOR_API int spoor_html_item(spoor_buf *out, spoor_store *s, int64_t content,
                              const spoor_check_opts *check,
                              const spoor_html_opts *opts);

/**
 * Append the page of a keyword search (spoor_store_search, every word of
 * query) from its from-th answer, count of them: where each item is held,
 * linked, and its snippet with the words marked; how many texts the search
 * index lacks. A query with no words, or an index with no search index
 * yet, gives a page that says so. @return 0, SPOOR_ENOMEM or an index
 * error.
 */
SPOOR_API int spoor_html_search(spoor_buf *out, spoor_store *s,
                                const char *query, size_t from, size_t count,
                                const spoor_html_opts *opts);

/**
 * A self-contained side-by-side page of two items' shared passages.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_html_diff(spoor_buf *out, const char *name_a,
                              const spoor_item *a, const char *name_b,
                              const spoor_item *b, const spoor_region *regs,
                              size_t n_regs, const char *command);

/**
 * Append s[0..len) HTML-escaped (&, <, >, ", '), invalid UTF-8 as U+FFFD.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_html_escape(spoor_buf *out, const char *s, size_t len);

#endif
