/*
 * render_int.h: what the HTML reports share (render_html.c).
 */
#ifndef SPOOR_RENDER_INT_H
#define SPOOR_RENDER_INT_H

#include <spoor/buf.h>

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

#endif
