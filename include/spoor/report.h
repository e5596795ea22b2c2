/*
 * spoor/report.h: rendering check results as JSON lines or readable text.
 *
 * The JSON object follows design.md exactly (input, sha256, format, bytes,
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

/** Append one JSON object (one line, ending in '\n'). */
SPOOR_API int spoor_report_json(spoor_buf *out, const spoor_item *item,
                                const spoor_result *r);

/** Append the readable report of one item. */
SPOOR_API int spoor_report_text(spoor_buf *out, const spoor_item *item,
                                const spoor_result *r,
                                const spoor_report_opts *opts);

/** Append s[0..len) as a JSON string literal, quotes included. */
SPOOR_API int spoor_json_string(spoor_buf *out, const char *s, size_t len);

/** Append a JSON number for a fraction, at most 4 decimals. */
SPOOR_API int spoor_json_fraction(spoor_buf *out, double v);

/** Append up to max bytes of text[start..end) on one line, whitespace
 * runs collapsed, cut at a UTF-8 boundary, with "…" when cut. */
SPOOR_API int spoor_snippet(spoor_buf *out, const char *text, size_t start,
                            size_t end, size_t max);

#endif
