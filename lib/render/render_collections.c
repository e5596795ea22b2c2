/*
 * render_collections.c: the HTML pages of overlap (a heat map of the
 * matrix) and timeline (a bar chart of what each release took), in the
 * evidence report's style and with its safety: no script, nothing loaded,
 * every name escaped (see render_html.c).
 */
#include <stdio.h>
#include <string.h>

#include <spoor/collections.h>
#include <spoor/report.h>

#include "../common/internal.h"
#include "render_int.h"

static double ratio(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0.0;
}

/* The index in names[0..*n) of name, added when new. */
static size_t name_index(const char **names, size_t *n, const char *name)
{
    size_t i;
    for (i = 0; i < *n; i++)
        if (!strcmp(names[i], name))
            return i;
    names[*n] = name;
    return (*n)++;
}

/* One cell of the heat map: A's items in B, shaded by their share. */
static int heat_cell(spoor_buf *o, const spoor_overlap_pair *p)
{
    double items = ratio(p->items, p->items_total);
    double chars = ratio(p->chars, p->chars_total);
    double alpha = p->items ? 0.08 + 0.72 * items : 0.0;
    int error = 0;
    SPOOR_TRY(spoor_buf_printf(o,
                               "<td class=\"num heat\" style=\"background:"
                               "rgba(176,58,46,%.2f);color:%s\" title=\"",
                               alpha, alpha > 0.5 ? "#fff" : "#222"));
    SPOOR_TRY(spoor_html__esc(o, p->a));
    SPOOR_TRY(spoor_buf_puts(o, " in "));
    SPOOR_TRY(spoor_html__esc(o, p->b));
    SPOOR_TRY(spoor_buf_printf(o,
                               "\"><b>%llu</b> of %llu<br><small>%.1f%% of "
                               "items, %.1f%% of text</small></td>",
                               (unsigned long long)p->items,
                               (unsigned long long)p->items_total, 100 * items,
                               100 * chars));
done:
    return error;
}

int spoor_html_overlap(spoor_buf *o, const spoor_overlap_pair *pairs,
                       size_t n_pairs, const char *index, const char *command)
{
    const char **names = NULL;
    const spoor_overlap_pair **cell = NULL;
    size_t n = 0, i, a, b;
    int error = 0;

    names = spoor__calloc(2 * n_pairs + 1, sizeof(*names));
    SPOOR_ALLOC_CHECK(names);
    for (i = 0; i < n_pairs; i++) {
        name_index(names, &n, pairs[i].a);
        name_index(names, &n, pairs[i].b);
    }
    cell = spoor__calloc(n * n + 1, sizeof(*cell));
    SPOOR_ALLOC_CHECK(cell);
    for (i = 0; i < n_pairs; i++) {
        a = name_index(names, &n, pairs[i].a);
        b = name_index(names, &n, pairs[i].b);
        cell[a * n + b] = &pairs[i];
    }
    SPOOR_TRY(spoor_html__head(o, "spoor overlap"));
    SPOOR_TRY(spoor_buf_puts(
        o, "<h1>Overlap between collections</h1>\n<p>Each row is a "
           "collection A, each column a collection B: how many of A's items "
           "share a substantive part with B (the verdict's rule: boilerplate "
           "and email headers aside, at least the minimum evidence and "
           "share of the item), and what share of A's text that evidence "
           "is. The darker the cell, the larger the share of A's items. "
           "The matrix is not symmetric: a dump may hold all of its items "
           "from a file server that holds far more.</p>\n"));
    SPOOR_TRY(spoor_buf_puts(o, "<table class=\"matrix\"><tr><th>items of "
                                "&#8595; held in &#8594;</th>"));
    for (b = 0; b < n; b++) {
        SPOOR_TRY(spoor_buf_puts(o, "<th>"));
        SPOOR_TRY(spoor_html__esc(o, names[b]));
        SPOOR_TRY(spoor_buf_puts(o, "</th>"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</tr>\n"));
    for (a = 0; a < n; a++) {
        SPOOR_TRY(spoor_buf_puts(o, "<tr><th>"));
        SPOOR_TRY(spoor_html__esc(o, names[a]));
        SPOOR_TRY(spoor_buf_puts(o, "</th>"));
        for (b = 0; b < n; b++)
            SPOOR_TRY(cell[a * n + b] ? heat_cell(o, cell[a * n + b])
                                      : spoor_buf_puts(o, "<td class=\"diag\">"
                                                          "&#8212;</td>"));
        SPOOR_TRY(spoor_buf_puts(o, "</tr>\n"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</table>\n"));
    SPOOR_TRY(spoor_html__provenance(o, index, command));
done:
    spoor__free(names);
    spoor__free(cell);
    return error;
}

int spoor_html_timeline(spoor_buf *o, const spoor_timeline_release *rel,
                        size_t n, const char *index, const char *command)
{
    const int width = 960, left = 260, right = 200, row = 34, top = 10;
    int height = top + (int)n * row + 10, error = 0;
    uint64_t most = 1;
    double scale;
    size_t i;

    for (i = 0; i < n; i++)
        if (rel[i].internal_items > most)
            most = rel[i].internal_items;
    scale = (double)(width - left - right) / (double)most;
    SPOOR_TRY(spoor_html__head(o, "spoor timeline"));
    SPOOR_TRY(spoor_buf_puts(
        o, "<h1>What each release took</h1>\n<p>The releases in date "
           "order. Each bar counts the internal items the release holds in "
           "substance (the verdict's rule): in dark those that appear in it "
           "first, in light those an earlier release held already.</p>\n"));
    if (n == 0)
        SPOOR_TRY(spoor_buf_puts(o, "<p>The index has no release "
                                    "collection.</p>\n"));
    else
        SPOOR_TRY(spoor_buf_printf(o,
                                   "<svg class=\"bars\" xmlns=\"http://www.w3."
                                   "org/2000/svg\" width=\"%d\" height=\"%d\" "
                                   "viewBox=\"0 0 %d %d\" role=\"img\" "
                                   "aria-label=\"internal items per "
                                   "release\">\n",
                                   width, height, width, height));
    for (i = 0; i < n; i++) {
        const spoor_timeline_release *r = &rel[i];
        int y = top + (int)i * row;
        int wn = (int)((double)r->new_items * scale + 0.5);
        int ws = (int)((double)r->seen_before * scale + 0.5);
        SPOOR_TRY(spoor_buf_printf(o, "<text x=\"4\" y=\"%d\" class=\"lane\">",
                                   y + 19));
        SPOOR_TRY(spoor_html__esc(o, r->date ? r->date : "(undated)"));
        SPOOR_TRY(
            spoor_buf_printf(o, "</text><text x=\"96\" y=\"%d\">", y + 19));
        SPOOR_TRY(spoor_html__esc(o, r->collection));
        SPOOR_TRY(spoor_buf_printf(o,
                                   "</text><rect class=\"new\" x=\"%d\" "
                                   "y=\"%d\" width=\"%d\" height=\"22\"/>"
                                   "<rect class=\"seen\" x=\"%d\" y=\"%d\" "
                                   "width=\"%d\" height=\"22\"/><text x=\"%d\" "
                                   "y=\"%d\">%llu internal: %llu new, %llu "
                                   "seen before</text>\n",
                                   left, y + 4, wn, left + wn, y + 4, ws,
                                   left + wn + ws + 6, y + 19,
                                   (unsigned long long)r->internal_items,
                                   (unsigned long long)r->new_items,
                                   (unsigned long long)r->seen_before));
    }
    if (n)
        SPOOR_TRY(spoor_buf_puts(o, "</svg>\n"));
    SPOOR_TRY(spoor_buf_puts(o, "<table><tr><th>date</th><th>release</th>"
                                "<th>internal items</th><th>new</th><th>seen "
                                "before</th></tr>\n"));
    for (i = 0; i < n; i++) {
        SPOOR_TRY(spoor_buf_puts(o, "<tr><td>"));
        SPOOR_TRY(spoor_html__esc(o, rel[i].date ? rel[i].date : "(undated)"));
        SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
        SPOOR_TRY(spoor_html__esc(o, rel[i].collection));
        SPOOR_TRY(spoor_buf_printf(o,
                                   "</td><td class=\"num\">%llu</td><td "
                                   "class=\"num\">%llu</td><td class=\"num\">"
                                   "%llu</td></tr>\n",
                                   (unsigned long long)rel[i].internal_items,
                                   (unsigned long long)rel[i].new_items,
                                   (unsigned long long)rel[i].seen_before));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</table>\n"));
    SPOOR_TRY(spoor_html__provenance(o, index, command));
done:
    return error;
}
