/*
 * render_html.c: the evidence report as one self-contained HTML file (see
 * spoor/report.h).
 *
 * Safety: the page has no script at all and a Content-Security-Policy that
 * forbids loading anything (default-src 'none'); every string that comes
 * from an input or the index passes through spoor_html_escape, which also
 * replaces invalid UTF-8. Colour is never the only carrier of meaning:
 * verdicts are words, highlighted passages carry a title naming the source.
 *
 * Highlighting: a sweep over the query-side region boundaries of all
 * matches splits the text into segments; each segment covered by a region
 * is marked with the colour of the highest-ranked covering source.
 * Side by side: both passages of a region hold the same canonical
 * characters, so they are aligned character by character through the two
 * offset maps; characters and the gaps between them (spacing, punctuation,
 * quote markers) that differ are marked.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spoor/fingerprint.h>
#include <spoor/report.h>

#include "../common/internal.h"
#include "../match/match_int.h"
#include "render_int.h"

#define N_COLOURS 8

/* The first N_COLOURS - 1 sources of an item have a colour each; the rest
 * share the last, grey, and are grouped in the item's legend. */
static const char *const colours[N_COLOURS] = {"#f9d56e", "#8fd3fe", "#b5e7a0",
                                               "#f4a6c1", "#c5b3f2", "#ffb380",
                                               "#9ee6d9", "#d4d4d4"};

typedef struct tpoint {
    long day;    /* days since 1970-01-01 */
    int lane;    /* 0 events, 1 releases, 2 other collections, 3 items */
    char *label; /* owned, unescaped */
} tpoint;

struct spoor_html {
    spoor_store *store;
    int64_t *palette; /* source contents in order of first appearance */
    size_t n_palette, cap_palette;
    spoor_html_opts opts;
    spoor_buf summary, sections, inputs;
    tpoint *points;
    size_t n_points, cap_points;
    size_t n_items;
    char started[32];
};

/* ==== Escaping ==== */

int spoor_html_escape(spoor_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run;
    int error = 0;
    while (i < len && error == 0) {
        unsigned char c = p[i];
        for (run = i;
             run < len && p[run] < 0x80 && p[run] != '&' && p[run] != '<' &&
             p[run] != '>' && p[run] != '"' && p[run] != '\'' &&
             (p[run] >= 0x20 || p[run] == '\n' || p[run] == '\t');
             run++)
            ;
        if (run > i) {
            error = spoor_buf_put(out, p + i, run - i);
            i = run;
            continue;
        }
        if (c == '&')
            error = spoor_buf_puts(out, "&amp;");
        else if (c == '<')
            error = spoor_buf_puts(out, "&lt;");
        else if (c == '>')
            error = spoor_buf_puts(out, "&gt;");
        else if (c == '"')
            error = spoor_buf_puts(out, "&quot;");
        else if (c == '\'')
            error = spoor_buf_puts(out, "&#39;");
        else if (c < 0x20 || c == 0x7f) {
            if (c == '\r')
                ; /* CR of CRLF: the line break is the LF */
            else
                error = spoor_buf_puts(out, "\xEF\xBF\xBD");
        } else {
            size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0, k;
            int ok = n && n <= len - i && c <= 0xF4;
            for (k = 1; ok && k < n; k++)
                ok = (p[i + k] & 0xC0) == 0x80;
            if (ok) {
                error = spoor_buf_put(out, p + i, n);
                i += n;
                continue;
            }
            error = spoor_buf_puts(out, "\xEF\xBF\xBD");
        }
        i++;
    }
    return error;
}

/* ==== Dates ==== */

/* Day number of a YYYY-MM-DD prefix, or 0 with *ok = 0. */
static long day_of(const char *v, int *ok)
{
    int y, m, d;
    *ok = v && strlen(v) >= 10 && sscanf(v, "%4d-%2d-%2d", &y, &m, &d) == 3 &&
          m >= 1 && m <= 12 && d >= 1 && d <= 31 && y > 1000 && y < 9999;
    return *ok ? spoor__days_from_civil(y, m, d) : 0;
}

static int add_point(spoor_html *h, const char *date, int lane,
                     const char *label)
{
    int ok, error;
    long day = day_of(date, &ok);
    tpoint *p;
    if (!ok)
        return 0;
    if ((error = spoor__array_reserve((void **)&h->points, &h->cap_points,
                                      h->n_points + 1, sizeof(*p))) < 0)
        return error;
    p = &h->points[h->n_points];
    p->day = day;
    p->lane = lane;
    if (!(p->label = spoor__strdup(label)))
        return spoor__error_oom();
    h->n_points++;
    return 0;
}

/* ==== Lifecycle ==== */

int spoor_html_new(spoor_html **out, spoor_store *s,
                   const spoor_html_opts *opts)
{
    spoor_html_opts defaults = SPOOR_HTML_OPTS_INIT;
    spoor_html *h;
    time_t now = time(NULL);
    struct tm tm;

    *out = NULL;
    if (!(h = spoor__calloc(1, sizeof(*h))))
        return spoor__error_oom();
    h->store = s;
    h->opts = defaults;
    if (opts && opts->version >= 2)
        h->opts = *opts;
    else if (opts) /* version 1 callers know the fields before header */
        memcpy(&h->opts, opts, offsetof(spoor_html_opts, header));
    if (!h->opts.max_text_bytes)
        h->opts.max_text_bytes = defaults.max_text_bytes;
    if (gmtime_r(&now, &tm))
        strftime(h->started, sizeof(h->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    *out = h;
    return 0;
}

void spoor_html_free(spoor_html *h)
{
    size_t i;
    if (!h)
        return;
    spoor__free(h->palette);
    spoor_buf_dispose(&h->summary);
    spoor_buf_dispose(&h->sections);
    spoor_buf_dispose(&h->inputs);
    for (i = 0; i < h->n_points; i++)
        spoor__free(h->points[i].label);
    spoor__free(h->points);
    spoor__free(h);
}

/* ==== One item ==== */

static int pct(spoor_buf *out, double v)
{
    return spoor_buf_printf(out, "%.1f%%", v * 100.0);
}

static int verdict_badge(spoor_buf *out, const char *v)
{
    int error = spoor_buf_puts(out, "<span class=\"verdict v-");
    if (!error)
        error = spoor_html__esc(out, v);
    if (!error)
        error = spoor_buf_puts(out, "\">");
    if (!error)
        error = spoor_html__esc(out, v);
    return error ? error : spoor_buf_puts(out, "</span>");
}

static int occurrence_text(spoor_buf *out, const spoor_occurrence *o)
{
    int error = spoor_html__esc(out, o->collection);
    if (!error)
        error = spoor_buf_puts(out, " (");
    if (!error)
        error = spoor_html__esc(out, o->kind);
    if (!error && o->date) {
        error = spoor_buf_puts(out, ", ");
        if (!error)
            error = spoor_html__esc(out, o->date);
    }
    if (!error)
        error = spoor_buf_puts(out, ") ");
    return error ? error : spoor_html__esc(out, o->path);
}

int spoor_html__link(spoor_buf *o, const char *base, const char *kind,
                     const char *what, const char *tail)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)what;
    int error = spoor_buf_puts(o, "<a href=\"");
    if (!error)
        error = spoor_html__esc(o, base);
    if (!error)
        error = spoor_buf_puts(o, kind);
    for (; *p && !error; p++) {
        char pct[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
            *p == '~')
            error = spoor_buf_put(o, p, 1);
        else
            error = spoor_buf_put(o, pct, 3);
    }
    if (!error && tail)
        error = spoor_html__esc(o, tail);
    return error ? error : spoor_buf_puts(o, "\">");
}

/* When the report links (opts.base), open a link to source m's page. */
static int source_link(const spoor_html *h, spoor_buf *o, const spoor_match *m)
{
    return h->opts.base ? spoor_html__link(o, h->opts.base, "items/",
                                           m->source->sha256, NULL)
                        : 0;
}

/* Close what source_link opened. */
static int source_link_end(const spoor_html *h, spoor_buf *o)
{
    return h->opts.base ? spoor_buf_puts(o, "</a>") : 0;
}

static int summary_row(spoor_html *h, const spoor_item *item,
                       const spoor_result *r, size_t idx)
{
    spoor_buf *o = &h->summary;
    size_t i;
    int error = 0;
    SPOOR_TRY(spoor_buf_printf(o, "<tr><td><a href=\"#item-%zu\">", idx));
    SPOOR_TRY(spoor_html__esc(o, item->display));
    SPOOR_TRY(spoor_buf_puts(o, "</a></td><td>"));
    SPOOR_TRY(verdict_badge(o, r->verdict));
    SPOOR_TRY(spoor_buf_puts(o, "</td><td class=\"num\">"));
    SPOOR_TRY(pct(o, r->cov_release));
    SPOOR_TRY(spoor_buf_puts(o, "</td><td class=\"num\">"));
    SPOOR_TRY(pct(o, r->cov_internal));
    SPOOR_TRY(spoor_buf_puts(o, "</td><td class=\"num\">"));
    SPOOR_TRY(pct(o, r->cov_any));
    SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
    if (r->first_release) {
        SPOOR_TRY(spoor_html__esc(o, r->first_release));
        if (r->first_release_date) {
            SPOOR_TRY(spoor_buf_puts(o, " "));
            SPOOR_TRY(spoor_html__esc(o, r->first_release_date));
        }
    } else {
        SPOOR_TRY(spoor_buf_puts(o, "&mdash;"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
    for (i = 0; i < item->doc.n_dates + r->n_dates; i++) {
        const spoor_date *d = i < item->doc.n_dates
                                  ? &item->doc.dates[i]
                                  : &r->dates[i - item->doc.n_dates];
        SPOOR_TRY(spoor_buf_puts(o, i ? "<br>" : ""));
        SPOOR_TRY(spoor_html__esc(o, d->field));
        SPOOR_TRY(spoor_buf_puts(o, " "));
        SPOOR_TRY(spoor_html__esc(o, d->value));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</td><td>"));
    for (i = 0; i < r->n_postdates; i++) {
        SPOOR_TRY(spoor_buf_puts(o, i ? "<br>" : ""));
        SPOOR_TRY(spoor_buf_puts(o, "<span class=\"postdates\">after "));
        SPOOR_TRY(spoor_html__esc(o, r->postdates[i].event));
        SPOOR_TRY(spoor_buf_puts(o, " ("));
        SPOOR_TRY(spoor_html__esc(o, r->postdates[i].event_date));
        SPOOR_TRY(spoor_buf_puts(o, ")</span>"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</td></tr>\n"));
done:
    return error;
}

/* The colour of source content, of rank i among its item's sources: one
 * per source content across the report (the first N_COLOURS - 1 in turn),
 * grey for an item's minor sources (rank N_COLOURS - 1 and beyond), which
 * its legend groups. */
static size_t colour_of(spoor_html *h, int64_t content, size_t rank)
{
    size_t i;
    if (rank >= N_COLOURS - 1)
        return N_COLOURS - 1;
    for (i = 0; i < h->n_palette; i++)
        if (h->palette[i] == content)
            return i % (N_COLOURS - 1);
    if (spoor__array_reserve((void **)&h->palette, &h->cap_palette,
                             h->n_palette + 1, sizeof(int64_t)) < 0)
        return 0;
    h->palette[h->n_palette++] = content;
    return i % (N_COLOURS - 1);
}

/* The titles of source i: every occurrence, for hover. */
static int source_title(spoor_buf *o, const spoor_match *m)
{
    size_t j;
    int error = 0;
    for (j = 0; j < m->source->n_occ && error == 0; j++) {
        if (j)
            error = spoor_buf_puts(o, "; ");
        if (!error)
            error = occurrence_text(o, &m->source->occ[j]);
    }
    return error;
}

typedef struct sweep_ev {
    size_t pos;
    int start; /* 1 start, 0 end */
    size_t match, region;
} sweep_ev;

static int cmp_ev(const void *a, const void *b)
{
    const sweep_ev *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->start - y->start; /* ends before starts */
}

/* The item's text with every region highlighted. */
static int highlighted_text(spoor_html *h, spoor_buf *o, const spoor_item *item,
                            const spoor_result *r, size_t limit)
{
    const char *t = item->doc.text.ptr ? item->doc.text.ptr : "";
    size_t len = item->doc.text.size, shown = len, n_ev = 0, cap = 0, i, m;
    sweep_ev *ev = NULL;
    size_t *count = NULL, *active = NULL;
    size_t pos = 0;
    int error = 0;

    if (shown > limit) {
        shown = limit;
        while (shown > 0 && ((unsigned char)t[shown] & 0xC0) == 0x80)
            shown--;
    }
    for (m = 0; m < r->n_matches && !r->approximate; m++)
        for (i = 0; i < r->matches[m].n_regions; i++) {
            const spoor_region *g = &r->matches[m].regions[i];
            if (n_ev + 2 > 200000)
                break;
            SPOOR_TRY(spoor__array_reserve((void **)&ev, &cap, n_ev + 2,
                                           sizeof(*ev)));
            ev[n_ev++] = (sweep_ev){g->q_start, 1, m, i};
            ev[n_ev++] = (sweep_ev){g->q_end, 0, m, i};
        }
    spoor__sort(ev, n_ev, sizeof(*ev), cmp_ev);
    count = spoor__calloc(r->n_matches + 1, sizeof(size_t));
    active = spoor__calloc(r->n_matches + 1, sizeof(size_t));
    SPOOR_ALLOC_CHECK(count);
    SPOOR_ALLOC_CHECK(active);
    SPOOR_TRY(spoor_buf_puts(o, "<pre class=\"text\">"));
    for (i = 0; i <= n_ev && pos < shown; i++) {
        size_t next = i < n_ev ? ev[i].pos : shown, top;
        if (next > shown)
            next = shown;
        if (next > pos) {
            for (top = 0; top < r->n_matches && !count[top]; top++)
                ;
            if (top < r->n_matches) {
                size_t k, listed = 0;
                SPOOR_TRY(source_link(h, o, &r->matches[top]));
                SPOOR_TRY(spoor_buf_printf(
                    o, "<mark class=\"s%zu\" title=\"",
                    colour_of(h, r->matches[top].source->id, top)));
                for (k = top; k < r->n_matches; k++) {
                    const spoor_match *mm = &r->matches[k];
                    const spoor_region *g;
                    if (!count[k])
                        continue;
                    g = &mm->regions[active[k]];
                    if (listed++)
                        SPOOR_TRY(spoor_buf_puts(o, "&#10;"));
                    SPOOR_TRY(source_title(o, mm));
                    SPOOR_TRY(spoor_buf_printf(o,
                                               " &#8212; here [%zu, %zu), "
                                               "there [%zu, %zu)",
                                               g->q_start, g->q_end, g->s_start,
                                               g->s_end));
                }
                SPOOR_TRY(spoor_buf_printf(o, "\" data-source=\"%zu\">", top));
                SPOOR_TRY(spoor_html_escape(o, t + pos, next - pos));
                SPOOR_TRY(spoor_buf_puts(o, "</mark>"));
                SPOOR_TRY(source_link_end(h, o));
            } else {
                SPOOR_TRY(spoor_html_escape(o, t + pos, next - pos));
            }
            pos = next;
        }
        if (i < n_ev) {
            if (ev[i].start) {
                count[ev[i].match]++;
                active[ev[i].match] = ev[i].region;
            } else if (count[ev[i].match]) {
                count[ev[i].match]--;
            }
        }
    }
    SPOOR_TRY(spoor_buf_puts(o, "</pre>\n"));
    if (shown < len)
        SPOOR_TRY(spoor_buf_printf(o,
                                   "<p class=\"note\">Text shown up to byte "
                                   "%zu of %zu; <code>spoor show --text</code>"
                                   " prints it all.</p>\n",
                                   shown, len));
done:
    spoor__free(ev);
    spoor__free(count);
    spoor__free(active);
    return error;
}

/* One side of an aligned passage; the other side decides what differs. */
static int aligned_side(spoor_buf *o, const char *t, const spoor_canon *c,
                        size_t c0, const char *u, const spoor_canon *cu,
                        size_t u0, size_t n, size_t max_bytes)
{
    size_t k, prev = c->start[c0], uprev = cu->start[u0];
    int error = 0;
    for (k = 0; k < n && error == 0; k++) {
        size_t a = c->start[c0 + k], b = c->end[c0 + k];
        size_t ua = cu->start[u0 + k], ub = cu->end[u0 + k];
        int gap_diff, char_diff;
        if (a < prev)
            continue; /* one source character, several canonical ones */
        if (a - c->start[c0] > max_bytes) {
            error = spoor_buf_puts(o, "&#8230;");
            break;
        }
        gap_diff = (a - prev) != (ua > uprev ? ua - uprev : 0) ||
                   (a > prev && memcmp(t + prev, u + uprev, a - prev));
        if (a > prev) {
            if (gap_diff)
                error = spoor_buf_puts(o, "<mark class=\"d\">");
            if (!error)
                error = spoor_html_escape(o, t + prev, a - prev);
            if (!error && gap_diff)
                error = spoor_buf_puts(o, "</mark>");
        }
        char_diff = (b - a) != (ub - ua) || memcmp(t + a, u + ua, b - a);
        if (!error && char_diff)
            error = spoor_buf_puts(o, "<mark class=\"d\">");
        if (!error)
            error = spoor_html_escape(o, t + a, b - a);
        if (!error && char_diff)
            error = spoor_buf_puts(o, "</mark>");
        prev = b;
        uprev = ub > uprev ? ub : uprev;
    }
    return error;
}

/* Canonical characters shown of a passage at most: aligned_side stops
 * after 4,000 bytes, and one byte gives at most 3 canonical characters. */
#define SHOWN_CHARS (3 * 4000 + 16)

/* A source's text: whole with its canonical text (diff), or read and
 * normalised a passage's stretch at a time (check: a 200 MB source
 * normalised whole with offsets took 2.4 GB). */
typedef struct source_view {
    const char *text;         /* whole, or the stretch read */
    const spoor_canon *whole; /* its canonical text, when whole */
    spoor_source_reader *reader;
    spoor_canon st, scratch;
} source_view;

/* Side by side, the passages regs[0..n) of query text qt (canonical text
 * qc; for a long query without it, qv normalises each passage's stretch)
 * and of the source sv. */
static int side_by_side(spoor_buf *o, const char *qt, const spoor_canon *qc,
                        spoor_qview *qv, source_view *sv,
                        const spoor_region *regs, size_t n, size_t max_rows,
                        const char *left, const char *right)
{
    size_t i;
    int error = 0;
    SPOOR_TRY(spoor_buf_puts(o, "<table class=\"sbs\"><tr><th>"));
    SPOOR_TRY(spoor_html__esc(o, left));
    SPOOR_TRY(spoor_buf_puts(o, "</th><th>"));
    SPOOR_TRY(spoor_html__esc(o, right));
    SPOOR_TRY(spoor_buf_puts(o, "</th></tr>\n"));
    for (i = 0; i < n && i < max_rows; i++) {
        const spoor_region *g = &regs[i];
        size_t len = g->qc_end - g->qc_start, q0 = g->qc_start;
        size_t s0 = g->sc_start, base;
        const spoor_canon *sc = &sv->st;
        if (qv) { /* the passage's stretch of a long query */
            size_t to = len < SHOWN_CHARS ? g->qc_end : q0 + SHOWN_CHARS;
            SPOOR_TRY(spoor_qview__stretch(qv, q0, to));
            qc = &qv->st;
            q0 -= qv->base;
            if (len > qc->len - q0)
                len = qc->len - q0;
        }
        if (sv->whole) {
            sc = sv->whole;
        } else { /* the passage's stretch of the source */
            size_t to = s0 + (len < SHOWN_CHARS ? len : SHOWN_CHARS), got, at;
            spoor_canon_mark *mark;
            SPOOR_TRY(sv->reader->read(sv->reader->payload, s0, to, &sv->text,
                                       &got, &at, &mark));
            SPOOR_TRY(spoor_normalise__stretch(&sv->st, &sv->scratch, sv->text,
                                               got, mark, s0, to, &base));
            s0 -= base;
            if (s0 > sc->len)
                s0 = sc->len;
            if (len > sc->len - s0)
                len = sc->len - s0;
        }
        SPOOR_TRY(spoor_buf_printf(o,
                                   "<tr><td><div class=\"off\">[%zu, %zu)"
                                   "</div><pre>",
                                   g->q_start, g->q_end));
        SPOOR_TRY(aligned_side(o, qt, qc, q0, sv->text, sc, s0, len, 4000));
        SPOOR_TRY(spoor_buf_printf(o,
                                   "</pre></td><td><div class=\"off\">[%zu, "
                                   "%zu)</div><pre>",
                                   g->s_start, g->s_end));
        SPOOR_TRY(aligned_side(o, sv->text, sc, s0, qt, qc, q0, len, 4000));
        SPOOR_TRY(spoor_buf_puts(o, "</pre></td></tr>\n"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</table>\n"));
    if (n > max_rows)
        SPOOR_TRY(spoor_buf_printf(o,
                                   "<p class=\"note\">%zu more passages: "
                                   "<code>spoor check --json</code> lists "
                                   "them all.</p>\n",
                                   n - max_rows));
done:
    return error;
}

static int item_section(spoor_html *h, const spoor_item *item,
                        const spoor_result *r, size_t idx)
{
    spoor_buf *o = &h->sections;
    spoor_buf label = SPOOR_BUF_INIT;
    spoor_stored_source stored;
    spoor_source_reader reader;
    source_view sv = {NULL, NULL, NULL, SPOOR_CANON_INIT, SPOOR_CANON_INIT};
    spoor_qview qv;
    size_t i, j;
    int error = 0;

    spoor_qview__init(&qv, item);
    memset(&stored, 0, sizeof(stored));

    SPOOR_TRY(spoor_buf_printf(o,
                               "<section class=\"item\" id=\"item-%zu\">"
                               "<h2>",
                               idx));
    SPOOR_TRY(spoor_html__esc(o, item->display));
    SPOOR_TRY(spoor_buf_puts(o, " "));
    SPOOR_TRY(verdict_badge(o, r->verdict));
    SPOOR_TRY(spoor_buf_puts(o, "</h2>\n<p class=\"meta\">"));
    SPOOR_TRY(spoor_html__esc(o, item->doc.format));
    SPOOR_TRY(spoor_buf_printf(o, ", %llu bytes, %zu bytes of text",
                               (unsigned long long)item->bytes,
                               item->doc.text.size));
    if (item->doc.encoding) {
        SPOOR_TRY(spoor_buf_puts(o, ", "));
        SPOOR_TRY(spoor_html__esc(o, item->doc.encoding));
    }
    SPOOR_TRY(spoor_buf_puts(o, ", sha256 <code>"));
    SPOOR_TRY(spoor_html__esc(o, item->sha256));
    SPOOR_TRY(spoor_buf_puts(o, "</code></p>\n"));
    if (item->doc.warning) {
        SPOOR_TRY(spoor_buf_puts(o, "<p class=\"note\">"));
        SPOOR_TRY(spoor_html__esc(o, item->doc.warning));
        SPOOR_TRY(spoor_buf_puts(o, "</p>\n"));
    }
    if (r->verdict_basis) {
        SPOOR_TRY(spoor_buf_puts(o, "<p class=\"basis\">Verdict basis: "));
        SPOOR_TRY(spoor_html__esc(o, r->verdict_basis));
        SPOOR_TRY(spoor_buf_puts(o, "</p>\n"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "<p>Coverage: releases "));
    SPOOR_TRY(pct(o, r->cov_release));
    SPOOR_TRY(spoor_buf_puts(o, ", internal "));
    SPOOR_TRY(pct(o, r->cov_internal));
    SPOOR_TRY(spoor_buf_puts(o, ", any source "));
    SPOOR_TRY(pct(o, r->cov_any));
    if (r->approximate)
        SPOOR_TRY(spoor_buf_puts(o, " (no text: compared as bytes, "
                                    "approximately)"));
    SPOOR_TRY(spoor_buf_puts(o, ".</p>\n"));
    for (i = 0; i < r->n_dkim; i++) {
        const spoor_dkim_sig *g = &r->dkim[i];
        SPOOR_TRY(spoor_buf_puts(o, "<p class=\"dkim\">DKIM <b>"));
        SPOOR_TRY(spoor_html__esc(o, g->result));
        SPOOR_TRY(spoor_buf_puts(o, "</b> d="));
        SPOOR_TRY(spoor_html__esc(o, g->domain));
        SPOOR_TRY(spoor_buf_puts(o, " s="));
        SPOOR_TRY(spoor_html__esc(o, g->selector));
        SPOOR_TRY(spoor_buf_puts(o, ": "));
        SPOOR_TRY(spoor_html__esc(o, g->reason));
        SPOOR_TRY(spoor_buf_puts(o, "</p>\n"));
    }
    if (r->n_matches) {
        SPOOR_TRY(spoor_buf_puts(o, "<ol class=\"sources\">\n"));
        for (i = 0; i < r->n_matches; i++) {
            const spoor_match *m = &r->matches[i];
            if (i == N_COLOURS - 1 && r->n_matches > N_COLOURS - 1)
                SPOOR_TRY(spoor_buf_printf(
                    o,
                    "</ol>\n<details><summary><span class=\"sw s%d\"></span> "
                    "and %zu other sources, in grey</summary>\n<ol "
                    "class=\"sources\" start=\"%zu\">\n",
                    N_COLOURS - 1, r->n_matches - i, i + 1));
            SPOOR_TRY(spoor_buf_printf(o,
                                       "<li><span class=\"sw s%zu\"></span> ",
                                       colour_of(h, m->source->id, i)));
            SPOOR_TRY(source_link(h, o, m));
            SPOOR_TRY(source_title(o, m));
            SPOOR_TRY(source_link_end(h, o));
            SPOOR_TRY(spoor_buf_puts(o, " &#8212; "));
            SPOOR_TRY(pct(o, m->coverage));
            SPOOR_TRY(spoor_buf_puts(o, " of this item, "));
            SPOOR_TRY(pct(o, m->source_coverage));
            SPOOR_TRY(spoor_buf_printf(o, " of the source%s</li>\n",
                                       m->exact ? ", exact copy" : ""));
        }
        SPOOR_TRY(spoor_buf_puts(
            o, r->n_matches > N_COLOURS - 1 ? "</ol></details>\n" : "</ol>\n"));
    } else {
        SPOOR_TRY(spoor_buf_puts(o, "<p>No passage of this item was found "
                                    "in the index.</p>\n"));
    }
    if (item->doc.text.size)
        SPOOR_TRY(highlighted_text(h, o, item, r, h->opts.max_text_bytes));

    /* side by side, for the top sources */
    for (i = 0; i < r->n_matches && i < h->opts.max_sources && !r->approximate;
         i++) {
        const spoor_match *m = &r->matches[i];
        if (!m->n_regions)
            continue;
        spoor_match__stored_close(&stored);
        SPOOR_TRY(
            spoor_match__stored_open(&stored, &reader, h->store, m->source));
        sv.reader = &reader;
        SPOOR_TRY(spoor_buf_printf(o, "<h3><span class=\"sw s%zu\"></span> ",
                                   colour_of(h, m->source->id, i)));
        SPOOR_TRY(source_link(h, o, m));
        SPOOR_TRY(occurrence_text(o, &m->source->occ[0]));
        SPOOR_TRY(source_link_end(h, o));
        SPOOR_TRY(spoor_buf_puts(o, "</h3>\n"));
        spoor_buf_clear(&label);
        SPOOR_TRY(spoor_buf_puts(&label, m->source->occ[0].collection));
        SPOOR_TRY(spoor_buf_puts(&label, ": "));
        SPOOR_TRY(spoor_buf_puts(&label, m->source->occ[0].path));
        SPOOR_TRY(side_by_side(o, item->doc.text.ptr, &item->canon,
                               item->marks ? &qv : NULL, &sv, m->regions,
                               m->n_regions, h->opts.max_passages,
                               item->display, label.ptr));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</section>\n"));

    /* timeline points and provenance of the input */
    for (j = 0; j < item->doc.n_dates + r->n_dates; j++) {
        const spoor_date *d = j < item->doc.n_dates
                                  ? &item->doc.dates[j]
                                  : &r->dates[j - item->doc.n_dates];
        spoor_buf_clear(&label);
        SPOOR_TRY(spoor_buf_printf(&label, "%s: %s %s", item->display, d->field,
                                   d->value));
        SPOOR_TRY(add_point(h, d->value, 3, label.ptr));
    }
    SPOOR_TRY(spoor_buf_puts(&h->inputs, "<tr><td>"));
    SPOOR_TRY(spoor_html__esc(&h->inputs, item->display));
    SPOOR_TRY(spoor_buf_puts(&h->inputs, "</td><td><code>"));
    SPOOR_TRY(spoor_html__esc(&h->inputs, item->sha256));
    SPOOR_TRY(spoor_buf_puts(&h->inputs, "</code></td></tr>\n"));
done:
    spoor_match__stored_close(&stored);
    spoor_buf_dispose(&label);
    spoor_canon_dispose(&sv.st);
    spoor_canon_dispose(&sv.scratch);
    spoor_qview__dispose(&qv);
    return error;
}

int spoor_html_add(spoor_html *h, const spoor_item *item, const spoor_result *r)
{
    size_t idx = h->n_items++;
    int error = summary_row(h, item, r, idx);
    return error ? error : item_section(h, item, r, idx);
}

/* ==== Timeline ==== */

static int timeline_collection(const spoor_collection_info *c, void *payload)
{
    spoor_html *h = payload;
    char label[512];
    if (!c->date)
        return 0;
    snprintf(label, sizeof(label), "%s (%s)", c->name, c->kind);
    return add_point(h, c->date, strcmp(c->kind, "release") ? 2 : 1, label);
}

static int timeline(spoor_html *h, spoor_buf *o)
{
    static const char *const lanes[] = {"events", "releases", "collections",
                                        "items"};
    const int width = 960, left = 110, right = 30, lane_h = 70, top = 30;
    int height = top + 4 * lane_h + 40, error = 0;
    long lo = 0, hi = 0, span, y, m, d, tick;
    size_t i, *slot = NULL;
    double scale;

    if (h->n_points == 0)
        return spoor_buf_puts(o, "<p>No dates to show.</p>\n");
    lo = hi = h->points[0].day;
    for (i = 1; i < h->n_points; i++) {
        if (h->points[i].day < lo)
            lo = h->points[i].day;
        if (h->points[i].day > hi)
            hi = h->points[i].day;
    }
    span = hi - lo;
    lo -= span / 20 + 3;
    hi += span / 20 + 3;
    span = hi - lo;
    scale = (double)(width - left - right) / (double)span;
    slot = spoor__calloc(h->n_points, sizeof(size_t));
    SPOOR_ALLOC_CHECK(slot);
    SPOOR_TRY(
        spoor_buf_printf(o,
                         "<svg class=\"timeline\" xmlns=\"http://www.w3.org/"
                         "2000/svg\" width=\"%d\" height=\"%d\" "
                         "viewBox=\"0 0 %d %d\" role=\"img\" "
                         "aria-label=\"timeline\">\n",
                         width, height, width, height));
    for (i = 0; i < 4; i++) {
        int ly = top + (int)i * lane_h + lane_h / 2;
        SPOOR_TRY(spoor_buf_printf(o,
                                   "<text x=\"4\" y=\"%d\" class=\"lane\">%s"
                                   "</text><line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                                   "y2=\"%d\" class=\"axis\"/>\n",
                                   ly + 4, lanes[i], left, ly, width - right,
                                   ly));
    }
    /* ticks: weekly for spans under four months, else monthly, thinned
     * to about a dozen */
    spoor__civil_from_days(lo, &y, &m, &d);
    if (span <= 120) {
        long step = span <= 40 ? 7 : 14;
        for (tick = lo + 1; tick <= hi; tick += step) {
            long ty, tm, td;
            int x = left + (int)((double)(tick - lo) * scale);
            spoor__civil_from_days(tick, &ty, &tm, &td);
            SPOOR_TRY(spoor_buf_printf(o,
                                       "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                                       "y2=\"%d\" class=\"tick\"/><text x=\"%d"
                                       "\" y=\"%d\" class=\"ticklabel\">"
                                       "%04ld-%02ld-%02ld</text>\n",
                                       x, top - 5, x, height - 25, x,
                                       height - 10, ty, tm, td));
        }
    } else {
        long months = span / 30 + 1, step = months / 12 + 1, k = 0;
        for (tick = spoor__days_from_civil(y, m, 1); tick <= hi; k++) {
            long ty, tm, td;
            spoor__civil_from_days(tick, &ty, &tm, &td);
            if (tick >= lo && k % step == 0) {
                int x = left + (int)((double)(tick - lo) * scale);
                SPOOR_TRY(spoor_buf_printf(o,
                                           "<line x1=\"%d\" y1=\"%d\" x2=\"%d\""
                                           " y2=\"%d\" class=\"tick\"/><text "
                                           "x=\"%d\" y=\"%d\" class=\"ticklabel"
                                           "\">%04ld-%02ld</text>\n",
                                           x, top - 5, x, height - 25, x,
                                           height - 10, ty, tm));
            }
            tm++;
            if (tm > 12)
                tm = 1, ty++;
            tick = spoor__days_from_civil(ty, tm, 1);
        }
    }
    for (i = 0; i < h->n_points; i++) {
        const tpoint *p = &h->points[i];
        int x = left + (int)((double)(p->day - lo) * scale);
        int ly = top + p->lane * lane_h + lane_h / 2;
        size_t k, same = 0;
        long py, pm, pd;
        for (k = 0; k < i; k++)
            if (h->points[k].lane == p->lane)
                same++;
        slot[i] = same % 3;
        spoor__civil_from_days(p->day, &py, &pm, &pd);
        SPOOR_TRY(spoor_buf_printf(o, "<g class=\"pt lane%d\">", p->lane));
        if (p->lane == 0)
            SPOOR_TRY(spoor_buf_printf(o,
                                       "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                                       "y2=\"%d\" class=\"event\"/>",
                                       x, top, x, top + 4 * lane_h));
        SPOOR_TRY(spoor_buf_printf(o,
                                   "<circle cx=\"%d\" cy=\"%d\" r=\"5\"/>"
                                   "<title>",
                                   x, ly));
        SPOOR_TRY(spoor_html__esc(o, p->label));
        SPOOR_TRY(spoor_buf_printf(
            o,
            " &#8212; %04ld-%02ld-%02ld</title><text x=\"%d\" y=\"%d\" "
            "class=\"plabel\"%s>",
            py, pm, pd, x > width * 2 / 3 ? x - 7 : x + 7,
            ly - 8 + (int)slot[i] * 12,
            x > width * 2 / 3 ? " text-anchor=\"end\"" : ""));
        SPOOR_TRY(spoor_html__esc(o, p->label));
        SPOOR_TRY(spoor_buf_puts(o, "</text></g>\n"));
    }
    SPOOR_TRY(spoor_buf_puts(o, "</svg>\n"));
done:
    spoor__free(slot);
    return error;
}

/* ==== Whole document ==== */

static const char *const css =
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:1200px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px "
    "8px;"
    "vertical-align:top;text-align:left}td.num{text-align:right}"
    ".verdict{padding:2px 8px;border-radius:4px;font-weight:bold;color:#fff;"
    "white-space:nowrap}"
    ".v-released{background:#b03a2e}.v-partially-released{background:#ca6f1e}"
    ".v-internal-only{background:#1f618d}.v-unknown{background:#707b7c}"
    "pre{white-space:pre-wrap;word-wrap:break-word;font-size:13px}"
    "pre.text{border:1px solid #ddd;padding:1em;background:#fcfcfc}"
    ".sw{display:inline-block;width:1em;height:1em;vertical-align:middle;"
    "border:1px solid #999}mark.d{background:#ff8a80;outline:1px solid #c00}"
    ".note{color:#666;font-style:italic}.off{color:#666;font-size:12px}"
    "table.sbs td{width:50%}.postdates{color:#b03a2e;font-weight:bold}"
    "svg .axis{stroke:#999}svg .tick{stroke:#eee}svg .event{stroke:#b03a2e;"
    "stroke-dasharray:4 3}svg text{font-size:11px;font-family:sans-serif}"
    "svg .lane{font-weight:bold}svg .ticklabel{text-anchor:middle;fill:#666}"
    "svg .lane0 circle{fill:#b03a2e}svg .lane1 circle{fill:#ca6f1e}"
    "svg .lane2 circle{fill:#1f618d}svg .lane3 circle{fill:#333}"
    "pre.text a{color:inherit;text-decoration:none}nav{margin-bottom:1em;"
    "padding-bottom:.5em;border-bottom:1px solid #ccc}nav form{display:inline;"
    "margin-left:1em}"
    "code{font-size:12px}td.heat{min-width:7em}td.diag{background:#f4f4f4;"
    "text-align:center}svg .new{fill:#b03a2e}svg .seen{fill:#e6b0aa}";

int spoor_html__head(spoor_buf *o, const char *title)
{
    size_t i;
    int error = 0;
    SPOOR_TRY(spoor_buf_puts(o,
                             "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                             "charset=\"utf-8\"><meta http-equiv=\"Content-"
                             "Security-Policy\" content=\"default-src 'none'; "
                             "style-src 'unsafe-inline'\"><title>"));
    SPOOR_TRY(spoor_html__esc(o, title));
    SPOOR_TRY(spoor_buf_puts(o, "</title><style>"));
    SPOOR_TRY(spoor_buf_puts(o, css));
    for (i = 0; i < N_COLOURS; i++)
        SPOOR_TRY(spoor_buf_printf(o, ".s%zu{background:%s}", i, colours[i]));
    SPOOR_TRY(spoor_buf_puts(o, "</style></head><body>\n"));
done:
    return error;
}

int spoor_html__case_timeline(spoor_buf *o, spoor_html *h)
{
    spoor_event *ev = NULL;
    size_t n_ev = 0, i;
    int error = 0;

    SPOOR_TRY(spoor_store_events(&ev, &n_ev, h->store));
    for (i = 0; i < n_ev; i++)
        SPOOR_TRY(add_point(h, ev[i].date, 0, ev[i].name));
    SPOOR_TRY(spoor_store_collections(h->store, timeline_collection, h));
    SPOOR_TRY(timeline(h, o));
    if (n_ev) {
        SPOOR_TRY(spoor_buf_puts(o, "<ul class=\"events\">"));
        for (i = 0; i < n_ev; i++) {
            SPOOR_TRY(spoor_buf_puts(o, "<li>"));
            SPOOR_TRY(spoor_html__esc(o, ev[i].date));
            SPOOR_TRY(spoor_buf_puts(o, " "));
            SPOOR_TRY(spoor_html__esc(o, ev[i].name));
            if (ev[i].note) {
                SPOOR_TRY(spoor_buf_puts(o, ": "));
                SPOOR_TRY(spoor_html__esc(o, ev[i].note));
            }
            SPOOR_TRY(spoor_buf_puts(o, "</li>"));
        }
        SPOOR_TRY(spoor_buf_puts(o, "</ul>\n"));
    }
done:
    spoor_events_free(ev, n_ev);
    return error;
}

const char *spoor_html__header(const spoor_html *h)
{
    return h->opts.header;
}

int spoor_html__report_body(spoor_buf *o, spoor_html *h, const char *title)
{
    const spoor_check_opts *c = h->opts.check;
    int error = 0;

    SPOOR_TRY(spoor_buf_puts(o, "<h1>"));
    SPOOR_TRY(spoor_html__esc(o, title));
    SPOOR_TRY(spoor_buf_printf(o,
                               "</h1>\n<p>%zu item%s "
                               "checked against the index, %s.</p>\n",
                               h->n_items, h->n_items == 1 ? "" : "s",
                               h->started));
    SPOOR_TRY(spoor_buf_puts(o,
                             "<h2>Summary</h2>\n<table class=\"summary\"><tr>"
                             "<th>item</th><th>verdict</th><th>in releases"
                             "</th><th>internal</th><th>any</th><th>first "
                             "release</th><th>dates</th><th>postdates</th>"
                             "</tr>\n"));
    SPOOR_TRY(spoor_buf_put(o, h->summary.ptr ? h->summary.ptr : "",
                            h->summary.size));
    SPOOR_TRY(spoor_buf_puts(o, "</table>\n<h2>Timeline</h2>\n"));
    SPOOR_TRY(spoor_html__case_timeline(o, h));
    SPOOR_TRY(spoor_buf_puts(o, "<h2>Items</h2>\n"));
    SPOOR_TRY(spoor_buf_put(o, h->sections.ptr ? h->sections.ptr : "",
                            h->sections.size));
    SPOOR_TRY(spoor_buf_printf(o,
                               "<h2>Provenance of this report</h2>\n<table "
                               "class=\"provenance\"><tr><td>spoor</td><td>"
                               "%s</td></tr><tr><td>index</td><td>",
                               spoor_version()));
    SPOOR_TRY(spoor_html__esc(o, spoor_store_path(h->store)));
    SPOOR_TRY(spoor_buf_puts(o, " (id <code>"));
    SPOOR_TRY(spoor_html__esc(o, spoor_store_id(h->store)));
    SPOOR_TRY(spoor_buf_puts(o, "</code>, created "));
    SPOOR_TRY(spoor_html__esc(o, spoor_store_created(h->store)));
    SPOOR_TRY(spoor_buf_printf(o,
                               ")</td></tr><tr><td>run</td><td>%s</td>"
                               "</tr><tr><td>command</td><td><code>",
                               h->started));
    SPOOR_TRY(spoor_html__esc(o, h->opts.command ? h->opts.command : ""));
    SPOOR_TRY(spoor_buf_printf(o,
                               "</code></td></tr><tr><td>parameters</td><td>"
                               "k = %d, w = %d, G = %d canonical characters",
                               SPOOR_TEXT_K, SPOOR_TEXT_W,
                               SPOOR_TEXT_K + SPOOR_TEXT_W - 1));
    if (c)
        SPOOR_TRY(spoor_buf_printf(o,
                                   "; boilerplate above %zu items; released "
                                   "&ge; %.2f; internal-only &ge; %.2f; "
                                   "shortest passage %zu",
                                   c->common, c->released_min, c->internal_min,
                                   c->min_region));
    SPOOR_TRY(spoor_buf_puts(o, "</td></tr></table>\n<h3>Inputs</h3>\n<table "
                                "class=\"inputs\"><tr><th>input</th><th>"
                                "sha256</th></tr>\n"));
    SPOOR_TRY(
        spoor_buf_put(o, h->inputs.ptr ? h->inputs.ptr : "", h->inputs.size));
    SPOOR_TRY(spoor_buf_puts(o, "</table>\n</body></html>\n"));
done:
    return error;
}

int spoor_html_finish(spoor_buf *o, spoor_html *h)
{
    int error = 0;
    SPOOR_TRY(spoor_html__head(o, "spoor evidence report"));
    if (h->opts.header)
        SPOOR_TRY(spoor_buf_puts(o, h->opts.header));
    SPOOR_TRY(spoor_html__report_body(o, h, "spoor evidence report"));
done:
    return error;
}

int spoor_html__provenance(spoor_buf *o, const char *index, const char *command)
{
    time_t now = time(NULL);
    char when[32] = "";
    struct tm tm;
    int error = 0;
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    SPOOR_TRY(spoor_buf_printf(o,
                               "<h2>Provenance of this report</h2>\n<p>spoor "
                               "%s, %s, k = %d, w = %d, G = %d. ",
                               spoor_version(), when, SPOOR_TEXT_K,
                               SPOOR_TEXT_W, SPOOR_TEXT_K + SPOOR_TEXT_W - 1));
    if (index) {
        SPOOR_TRY(spoor_buf_puts(o, "Index: <code>"));
        SPOOR_TRY(spoor_html__esc(o, index));
        SPOOR_TRY(spoor_buf_puts(o, "</code>. "));
    }
    SPOOR_TRY(spoor_buf_puts(o, "Command: <code>"));
    SPOOR_TRY(spoor_html__esc(o, command ? command : ""));
    SPOOR_TRY(spoor_buf_puts(o, "</code></p>\n</body></html>\n"));
done:
    return error;
}

int spoor_html_diff(spoor_buf *o, const char *name_a, const spoor_item *a,
                    const char *name_b, const spoor_item *b,
                    const spoor_region *regs, size_t n_regs,
                    const char *command)
{
    int error = 0;

    SPOOR_TRY(spoor_html__head(o, "spoor diff"));
    SPOOR_TRY(spoor_buf_puts(o, "<h1>Shared passages</h1>\n<p>A: "));
    SPOOR_TRY(spoor_html__esc(o, name_a));
    SPOOR_TRY(spoor_buf_puts(o, " (sha256 <code>"));
    SPOOR_TRY(spoor_html__esc(o, a->sha256));
    SPOOR_TRY(spoor_buf_puts(o, "</code>)<br>B: "));
    SPOOR_TRY(spoor_html__esc(o, name_b));
    SPOOR_TRY(spoor_buf_puts(o, " (sha256 <code>"));
    SPOOR_TRY(spoor_html__esc(o, b->sha256));
    SPOOR_TRY(spoor_buf_printf(o,
                               "</code>)</p>\n<p>%zu shared passage%s. "
                               "Differences inside a passage (spacing, "
                               "punctuation, case, quote markers) are "
                               "marked.</p>\n",
                               n_regs, n_regs == 1 ? "" : "s"));
    if (!a->fp_bytes && n_regs) {
        source_view sv = {b->doc.text.ptr, &b->canon, NULL, SPOOR_CANON_INIT,
                          SPOOR_CANON_INIT};
        SPOOR_TRY(side_by_side(o, a->doc.text.ptr, &a->canon, NULL, &sv, regs,
                               n_regs, (size_t)-1, name_a, name_b));
    }
    SPOOR_TRY(spoor_html__provenance(o, NULL, command));
done:
    return error;
}
