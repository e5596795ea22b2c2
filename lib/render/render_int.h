/*
 * render_int.h: what the HTML reports share (render_html.c).
 */
#ifndef SPOOR_RENDER_INT_H
#define SPOOR_RENDER_INT_H

#include <string.h>

#include <spoor/buf.h>
#include <spoor/report.h>

/** Append s (NUL-terminated; NULL: nothing) escaped for HTML text and
 * attributes (spoor_html_escape). @return 0 or SPOOR_ENOMEM. */
static inline int spoor_html__esc(spoor_buf *o, const char *s)
{
    return s ? spoor_html_escape(o, s, strlen(s)) : 0;
}

/**
 * Append the start of a self-contained page titled title (escaped): the
 * doctype, a Content-Security-Policy that loads nothing and allows no
 * script, the report's style sheet, up to the opening <body>.
 * @return 0 or SPOOR_ENOMEM.
 */
int spoor_html__head(spoor_buf *o, const char *title);

/**
 * Append the page's closing section: the spoor version, the time, the
 * matching parameters, index (when not NULL) and command (escaped), and
 * the end of the document. @return 0 or SPOOR_ENOMEM.
 */
int spoor_html__provenance(spoor_buf *o, const char *index,
                           const char *command);

typedef struct spoor_html spoor_html;

/**
 * Append an opening link, <a href="BASE KIND WHAT TAIL">: what is
 * percent-encoded; base, kind and tail (may be NULL) are trusted and
 * escaped for the attribute. @return 0 or SPOOR_ENOMEM.
 */
int spoor_html__link(spoor_buf *o, const char *base, const char *kind,
                     const char *what, const char *tail);

/**
 * Append the case's timeline (h's store): its events, the dated
 * collections, and the points h holds (the items' dates), as an SVG, then
 * the events as a list. @return 0, SPOOR_ENOMEM or an index error.
 */
int spoor_html__case_timeline(spoor_buf *o, spoor_html *h);

/**
 * Append h's report from its heading (title, escaped) to the end of the
 * document: summary, timeline, items, provenance. The page's start is the
 * caller's. @return 0, SPOOR_ENOMEM or an index error.
 */
int spoor_html__report_body(spoor_buf *o, spoor_html *h, const char *title);

/** h's header option (trusted HTML), or NULL. */
const char *spoor_html__header(const spoor_html *h);

#endif
