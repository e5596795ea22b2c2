/*
 * render_text.c: the readable report of one checked item.
 *
 *   suspect/memo.txt  (text, 3120 bytes, utf-8)
 *     verdict   partially-released: 42% in releases, first in dump-1
 * (2014-12-01) coverage  release 42.0%  internal 97.0%  any 97.0% dates date
 * 2014-12-03T10:11:12Z (Date header) postdates breach-discovered (2014-11-24):
 * date 2014-12-03T10:11:12Z sources 97.0%  fileserver (internal, 2014-12-15)
 * finance/memo.txt ... [120, 5120) "the quarterly numbers show..."
 *
 * Snippets are one line each: whitespace runs collapsed, cut at a UTF-8
 * character boundary.
 */
#include <string.h>

#include <spoor/report.h>

#include "../common/internal.h"

int spoor_snippet(spoor_buf *out, const char *text, size_t start, size_t end,
                  size_t max)
{
    size_t i, written = 0;
    int space = 0, error;
    for (i = start; i < end; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
            c == '\v') {
            space = 1;
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            continue;
        if (written >= max && (c & 0xC0) != 0x80) {
            return spoor_buf_puts(out, "\xE2\x80\xA6");
        }
        if (space && written) {
            if ((error = spoor_buf_put(out, " ", 1)) < 0)
                return error;
            written++;
        }
        space = 0;
        if ((error = spoor_buf_put(out, &text[i], 1)) < 0)
            return error;
        written++;
    }
    return 0;
}

static int pct(spoor_buf *out, double v)
{
    return spoor_buf_printf(out, "%.1f%%", v * 100.0);
}

int spoor_report_text(spoor_buf *out, const spoor_item *item,
                      const spoor_result *r, const spoor_report_opts *opts)
{
    spoor_report_opts defaults = SPOOR_REPORT_OPTS_INIT;
    size_t i, j, k, shown = 0, total_occ = 0;
    const char *text = item->doc.text.ptr ? item->doc.text.ptr : "";
    int error = 0;

    if (!opts)
        opts = &defaults;
    SPOOR_TRY(spoor_buf_printf(out, "%s  (%s, %llu bytes", item->display,
                               item->doc.format,
                               (unsigned long long)item->bytes));
    if (item->doc.encoding)
        SPOOR_TRY(spoor_buf_printf(out, ", %s", item->doc.encoding));
    SPOOR_TRY(spoor_buf_printf(out, ", sha256 %.16s)\n", item->sha256));
    if (item->doc.warning)
        SPOOR_TRY(spoor_buf_printf(out, "  note      %s\n", item->doc.warning));
    if (item->doc.ocr_pages)
        SPOOR_TRY(spoor_buf_printf(out,
                                   "  ocr       text read by OCR from %u "
                                   "picture%s, mean confidence %d%%\n",
                                   item->doc.ocr_pages,
                                   item->doc.ocr_pages == 1 ? "" : "s",
                                   item->doc.ocr_confidence));
    SPOOR_TRY(spoor_buf_printf(out, "  verdict   %s", r->verdict));
    if (r->first_release) {
        SPOOR_TRY(spoor_buf_puts(out, ": "));
        SPOOR_TRY(pct(out, r->cov_release));
        SPOOR_TRY(spoor_buf_printf(out, " in releases, first in %s",
                                   r->first_release));
        if (r->first_release_date)
            SPOOR_TRY(spoor_buf_printf(out, " (%s)", r->first_release_date));
    }
    if (r->verdict_basis)
        SPOOR_TRY(spoor_buf_printf(out, "\n  basis     %s", r->verdict_basis));
    if (r->summary) {
        size_t m, n_rel = 0, n_part = 0, n_int = 0;
        for (m = 0; m < r->n_members; m++) {
            n_rel += !strcmp(r->members[m].verdict, "released");
            n_part += !strcmp(r->members[m].verdict, "partially-released");
            n_int += !strcmp(r->members[m].verdict, "internal-only");
        }
        SPOOR_TRY(spoor_buf_printf(
            out,
            "\n  members   %zu: %zu released, %zu partially-released, %zu "
            "internal-only, %zu unknown; its own text: %s",
            r->n_members, n_rel, n_part, n_int,
            r->n_members - n_rel - n_part - n_int, r->own_verdict));
    }
    SPOOR_TRY(spoor_buf_puts(out, "\n  coverage  release "));
    SPOOR_TRY(pct(out, r->cov_release));
    SPOOR_TRY(spoor_buf_puts(out, "  internal "));
    SPOOR_TRY(pct(out, r->cov_internal));
    SPOOR_TRY(spoor_buf_puts(out, "  any "));
    SPOOR_TRY(pct(out, r->cov_any));
    if (r->approximate)
        SPOOR_TRY(spoor_buf_puts(out, "  (no text: compared as bytes)"));
    SPOOR_TRY(spoor_buf_puts(out, "\n"));
    for (i = 0; i < item->doc.n_dates; i++)
        SPOOR_TRY(spoor_buf_printf(
            out, "  %s %s %s (%s)\n", i ? "         " : "dates    ",
            item->doc.dates[i].field, item->doc.dates[i].value,
            item->doc.dates[i].source));
    for (i = 0; i < r->n_dates; i++)
        SPOOR_TRY(spoor_buf_printf(
            out, "  %s %s %s (%s)\n",
            i + item->doc.n_dates ? "         " : "dates    ",
            r->dates[i].field, r->dates[i].value, r->dates[i].source));
    for (i = 0; i < r->n_postdates; i++)
        SPOOR_TRY(spoor_buf_printf(
            out, "  %s %s (%s): %s %s\n", i ? "         " : "postdates",
            r->postdates[i].event, r->postdates[i].event_date,
            r->postdates[i].field, r->postdates[i].value));
    if (r->dkim_checked && r->n_dkim == 0)
        SPOOR_TRY(spoor_buf_puts(out, "  dkim      no DKIM signature\n"));
    for (i = 0; i < r->n_dkim; i++) {
        const spoor_dkim_sig *g = &r->dkim[i];
        SPOOR_TRY(spoor_buf_printf(out,
                                   "  dkim      %s  d=%s s=%s %s, expiry "
                                   "judged at %s (%s)\n            %s\n",
                                   g->result, g->domain, g->selector,
                                   g->algorithm, g->judged_at, g->time_basis,
                                   g->reason));
    }
    if (r->n_common || r->cov_boilerplate > 0 || r->n_bp_only)
        SPOOR_TRY(spoor_buf_printf(out,
                                   "  boilerplate %zu of %zu fingerprints "
                                   "are boilerplate and seed no match; %.1f%% "
                                   "of the text shared is boilerplate; %zu "
                                   "source%s share only boilerplate\n",
                                   r->n_common, r->n_fps,
                                   100 * r->cov_boilerplate, r->n_bp_only,
                                   r->n_bp_only == 1 ? "" : "s"));
    if (r->n_dropped)
        SPOOR_TRY(spoor_buf_printf(out,
                                   "  limit     %zu more candidate sources "
                                   "not verified (--max-sources)\n",
                                   r->n_dropped));
    for (i = 0; i < r->n_matches; i++)
        total_occ += r->matches[i].source->n_occ;
    if (total_occ)
        SPOOR_TRY(spoor_buf_puts(out, "  sources\n"));
    for (i = 0; i < r->n_matches && shown < opts->max_sources; i++) {
        const spoor_match *m = &r->matches[i];
        for (j = 0; j < m->source->n_occ && shown < opts->max_sources; j++) {
            const spoor_occurrence *o = &m->source->occ[j];
            shown++;
            SPOOR_TRY(spoor_buf_puts(out, "    "));
            SPOOR_TRY(pct(out, m->coverage));
            SPOOR_TRY(spoor_buf_printf(
                out, "  %s (%s%s%s)  %s  [source ", o->collection, o->kind,
                o->date ? ", " : "", o->date ? o->date : "", o->path));
            SPOOR_TRY(pct(out, m->source_coverage));
            SPOOR_TRY(spoor_buf_printf(
                out, ", %zu passage%s%s, %s%s%s%s]\n", m->n_regions,
                m->n_regions == 1 ? "" : "s", m->exact ? ", exact copy" : "",
                m->boilerplate ? "boilerplate, " : "",
                m->relation ? m->relation : "undated", m->when ? " " : "",
                m->when ? m->when : ""));
            if (j > 0)
                continue; /* passages are the same for every occurrence */
            for (k = 0; k < m->n_regions && k < opts->max_snippets; k++) {
                const spoor_region *g = &m->regions[k];
                SPOOR_TRY(spoor_buf_printf(out, "        [%zu, %zu) \"",
                                           g->q_start, g->q_end));
                if (r->approximate)
                    SPOOR_TRY(spoor_buf_puts(out, "(bytes)"));
                else
                    SPOOR_TRY(spoor_snippet(out, text, g->q_start, g->q_end,
                                            opts->snippet_len));
                SPOOR_TRY(spoor_buf_puts(out, "\"\n"));
            }
            if (m->n_regions > opts->max_snippets)
                SPOOR_TRY(spoor_buf_printf(
                    out,
                    "        ... and %zu more passage%s (--json lists "
                    "them)\n",
                    m->n_regions - opts->max_snippets,
                    m->n_regions - opts->max_snippets == 1 ? "" : "s"));
        }
    }
    if (total_occ > shown)
        SPOOR_TRY(spoor_buf_printf(out,
                                   "    ... and %zu more (--json lists "
                                   "all)\n",
                                   total_occ - shown));
    SPOOR_TRY(spoor_buf_puts(out, "\n"));
done:
    return error;
}
