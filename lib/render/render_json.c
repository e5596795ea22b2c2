/*
 * render_json.c: one check result as one line of JSON (see spoor/report.h).
 * Strings are escaped per RFC 8259; invalid UTF-8 (which extracted text never
 * holds, but paths may) is written as U+FFFD so the output is always valid.
 */
#include <stdio.h>
#include <string.h>

#include <spoor/report.h>

#include "../common/internal.h"

int spoor_json_string(spoor_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run;
    int error;

    if ((error = spoor_buf_put(out, "\"", 1)) < 0)
        return error;
    while (i < len) {
        unsigned char c = p[i];
        for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x80 &&
                      p[run] != '"' && p[run] != '\\';
             run++)
            ;
        if (run > i) {
            if ((error = spoor_buf_put(out, p + i, run - i)) < 0)
                return error;
            i = run;
            continue;
        }
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            error = spoor_buf_put(out, e, 2);
            i++;
        } else if (c < 0x20) {
            char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            if (c == '\n')
                error = spoor_buf_puts(out, "\\n");
            else if (c == '\t')
                error = spoor_buf_puts(out, "\\t");
            else if (c == '\r')
                error = spoor_buf_puts(out, "\\r");
            else
                error = spoor_buf_put(out, e, 6);
            i++;
        } else {
            /* non-ASCII: copy a valid sequence, else U+FFFD */
            size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0, k;
            int ok = n && n <= len - i;
            for (k = 1; ok && k < n; k++)
                ok = (p[i + k] & 0xC0) == 0x80;
            if (ok && n == 3 && c == 0xE0 && p[i + 1] < 0xA0)
                ok = 0;
            if (ok && n == 3 && c == 0xED && p[i + 1] >= 0xA0)
                ok = 0;
            if (ok && n == 4 &&
                ((c == 0xF0 && p[i + 1] < 0x90) ||
                 (c == 0xF4 && p[i + 1] >= 0x90) || c > 0xF4))
                ok = 0;
            if (ok) {
                error = spoor_buf_put(out, p + i, n);
                i += n;
            } else {
                error = spoor_buf_puts(out, "\xEF\xBF\xBD");
                i++;
            }
        }
        if (error < 0)
            return error;
    }
    return spoor_buf_put(out, "\"", 1);
}

static int jstr(spoor_buf *out, const char *s)
{
    if (!s)
        return spoor_buf_puts(out, "null");
    return spoor_json_string(out, s, strlen(s));
}

int spoor_json_fraction(spoor_buf *out, double v)
{
    char tmp[32];
    size_t n;
    if (v < 0)
        v = 0;
    if (v > 1)
        v = 1;
    snprintf(tmp, sizeof(tmp), "%.4f", v);
    n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    if (tmp[n - 1] == '.')
        n--;
    return spoor_buf_put(out, tmp, n);
}

static int dates_json(spoor_buf *out, const spoor_date *d, size_t n,
                      const spoor_date *d2, size_t n2)
{
    size_t i;
    int error = spoor_buf_puts(out, "[");
    for (i = 0; i < n + n2 && error == 0; i++) {
        const spoor_date *dt = i < n ? &d[i] : &d2[i - n];
        error = spoor_buf_puts(out, i ? ", {\"field\": " : "{\"field\": ");
        if (!error)
            error = jstr(out, dt->field);
        if (!error)
            error = spoor_buf_puts(out, ", \"value\": ");
        if (!error)
            error = jstr(out, dt->value);
        if (!error)
            error = spoor_buf_puts(out, ", \"source\": ");
        if (!error)
            error = jstr(out, dt->source);
        if (!error)
            error = spoor_buf_puts(out, "}");
    }
    return error ? error : spoor_buf_puts(out, "]");
}

/* The earliest-dated occurrence of m (the first when none is dated). */
static const spoor_occurrence *earliest_occ(const spoor_match *m)
{
    const spoor_occurrence *best = &m->source->occ[0];
    size_t i;
    for (i = 1; i < m->source->n_occ; i++) {
        const spoor_occurrence *o = &m->source->occ[i];
        if (o->date && (!best->date || strcmp(o->date, best->date) < 0))
            best = o;
    }
    return best;
}

/* The "origins" of region `region` of match m of r, from *o on (origin
 * spans are in region order): each part with its origin and first
 * release. */
static int region_origins(spoor_buf *out, const spoor_result *r,
                          const spoor_match *m, size_t region, size_t *o)
{
    int error = 0, first = 1;
    SPOOR_TRY(spoor_buf_puts(out, ", \"origins\": ["));
    for (; *o < m->n_origins && m->origins[*o].region == region; (*o)++) {
        const spoor_origin_span *g = &m->origins[*o];
        const spoor_match *om = &r->matches[g->origin];
        const spoor_occurrence *oc = earliest_occ(om);
        SPOOR_TRY(spoor_buf_printf(out,
                                   "%s{\"query\": [%zu, %zu], "
                                   "\"collection\": ",
                                   first ? "" : ", ", g->q_start, g->q_end));
        first = 0;
        SPOOR_TRY(jstr(out, oc->collection));
        SPOOR_TRY(spoor_buf_puts(out, ", \"path\": "));
        SPOOR_TRY(jstr(out, oc->path));
        SPOOR_TRY(spoor_buf_printf(
            out, ", \"item\": %lld, \"time\": ", (long long)oc->item_id));
        SPOOR_TRY(jstr(out, om->when));
        SPOOR_TRY(spoor_buf_puts(out, ", \"first_release\": "));
        if (g->first_release >= 0) {
            const spoor_occurrence *fr =
                &r->matches[g->first_release].source->occ[g->first_release_occ];
            SPOOR_TRY(spoor_buf_puts(out, "{\"collection\": "));
            SPOOR_TRY(jstr(out, fr->collection));
            SPOOR_TRY(spoor_buf_puts(out, ", \"date\": "));
            SPOOR_TRY(jstr(out, fr->date));
            SPOOR_TRY(spoor_buf_puts(out, "}"));
        } else {
            SPOOR_TRY(spoor_buf_puts(out, "null"));
        }
        SPOOR_TRY(spoor_buf_puts(out, "}"));
    }
    SPOOR_TRY(spoor_buf_puts(out, "]"));
done:
    return error;
}

static int match_json(spoor_buf *out, const spoor_result *r,
                      const spoor_match *m, const spoor_occurrence *o,
                      int first)
{
    size_t i, b, listed, og = 0;
    int error = 0, first_bp;
    SPOOR_TRY(spoor_buf_puts(out, first ? "{\"collection\": "
                                        : ", {\"collection\": "));
    SPOOR_TRY(jstr(out, o->collection));
    SPOOR_TRY(spoor_buf_puts(out, ", \"kind\": "));
    SPOOR_TRY(jstr(out, o->kind));
    SPOOR_TRY(spoor_buf_puts(out, ", \"date\": "));
    SPOOR_TRY(jstr(out, o->date));
    SPOOR_TRY(spoor_buf_puts(out, ", \"path\": "));
    SPOOR_TRY(jstr(out, o->path));
    SPOOR_TRY(spoor_buf_printf(
        out, ", \"item\": %lld, \"sha256\": ", (long long)o->item_id));
    SPOOR_TRY(jstr(out, m->source->sha256));
    SPOOR_TRY(spoor_buf_printf(
        out, ", \"exact\": %s, \"coverage\": ", m->exact ? "true" : "false"));
    SPOOR_TRY(spoor_json_fraction(out, m->coverage));
    SPOOR_TRY(spoor_buf_puts(out, ", \"source_coverage\": "));
    SPOOR_TRY(spoor_json_fraction(out, m->source_coverage));
    SPOOR_TRY(spoor_buf_printf(out, ", \"evidence_chars\": %zu", m->evidence));
    if (m->source->thread) {
        SPOOR_TRY(spoor_buf_puts(out, ", \"thread\": "));
        SPOOR_TRY(jstr(out, m->source->thread));
    }
    SPOOR_TRY(spoor_buf_puts(out, ", \"relation\": "));
    SPOOR_TRY(jstr(out, m->relation));
    SPOOR_TRY(spoor_buf_puts(out, ", \"source_time\": "));
    SPOOR_TRY(jstr(out, m->when));
    SPOOR_TRY(spoor_buf_puts(out, ", \"source_time_basis\": "));
    SPOOR_TRY(jstr(out, m->when_basis));
    if (m->boilerplate)
        SPOOR_TRY(spoor_buf_puts(out, ", \"boilerplate\": true"));
    listed = m->n_regions < SPOOR_REPORT_MAX_REGIONS ? m->n_regions
                                                     : SPOOR_REPORT_MAX_REGIONS;
    if (listed < m->n_regions)
        SPOOR_TRY(spoor_buf_printf(out, ", \"regions_not_listed\": %zu",
                                   m->n_regions - listed));
    SPOOR_TRY(spoor_buf_puts(out, ", \"regions\": ["));
    for (i = 0, b = 0; i < listed; i++) {
        SPOOR_TRY(spoor_buf_printf(out,
                                   "%s{\"query\": [%zu, %zu], "
                                   "\"source\": [%zu, %zu]",
                                   i ? ", " : "", m->regions[i].q_start,
                                   m->regions[i].q_end, m->regions[i].s_start,
                                   m->regions[i].s_end));
        if (b < m->n_bp && m->bp[b].region == i) {
            SPOOR_TRY(spoor_buf_puts(out, ", \"boilerplate\": ["));
            for (first_bp = 1; b < m->n_bp && m->bp[b].region == i; b++) {
                SPOOR_TRY(spoor_buf_printf(out, "%s[%zu, %zu]",
                                           first_bp ? "" : ", ",
                                           m->bp[b].q_start, m->bp[b].q_end));
                first_bp = 0;
            }
            SPOOR_TRY(spoor_buf_puts(out, "]"));
        }
        SPOOR_TRY(region_origins(out, r, m, i, &og));
        SPOOR_TRY(spoor_buf_puts(out, "}"));
    }
    SPOOR_TRY(spoor_buf_puts(out, "]}"));
done:
    return error;
}

static int dkim_json(spoor_buf *out, const spoor_result *r)
{
    size_t i;
    int error = 0;
    SPOOR_TRY(spoor_buf_puts(out, ", \"dkim\": ["));
    for (i = 0; i < r->n_dkim; i++) {
        const spoor_dkim_sig *g = &r->dkim[i];
        SPOOR_TRY(spoor_buf_puts(out, i ? ", {\"domain\": " : "{\"domain\": "));
        SPOOR_TRY(jstr(out, g->domain));
        SPOOR_TRY(spoor_buf_puts(out, ", \"selector\": "));
        SPOOR_TRY(jstr(out, g->selector));
        SPOOR_TRY(spoor_buf_puts(out, ", \"algorithm\": "));
        SPOOR_TRY(jstr(out, g->algorithm));
        SPOOR_TRY(spoor_buf_puts(out, ", \"signed_headers\": "));
        SPOOR_TRY(jstr(out, g->headers));
        SPOOR_TRY(spoor_buf_puts(out, ", \"body_hash\": "));
        SPOOR_TRY(jstr(out, g->body_hash));
        SPOOR_TRY(spoor_buf_puts(out, ", \"result\": "));
        SPOOR_TRY(jstr(out, g->result));
        SPOOR_TRY(spoor_buf_puts(out, ", \"reason\": "));
        SPOOR_TRY(jstr(out, g->reason));
        SPOOR_TRY(spoor_buf_puts(out, ", \"t\": "));
        SPOOR_TRY(jstr(out, g->signed_at));
        SPOOR_TRY(spoor_buf_puts(out, ", \"x\": "));
        SPOOR_TRY(jstr(out, g->expires));
        SPOOR_TRY(spoor_buf_puts(out, ", \"judged_at\": "));
        SPOOR_TRY(jstr(out, g->judged_at));
        SPOOR_TRY(spoor_buf_puts(out, ", \"time_basis\": "));
        SPOOR_TRY(jstr(out, g->time_basis));
        if (g->length >= 0)
            SPOOR_TRY(spoor_buf_printf(out, ", \"l\": %lld", g->length));
        else
            SPOOR_TRY(spoor_buf_puts(out, ", \"l\": null"));
        SPOOR_TRY(spoor_buf_printf(out, ", \"weak\": %s",
                                   !strcmp(g->result, "pass-weak") ? "true"
                                                                   : "false"));
        SPOOR_TRY(spoor_buf_puts(out, ", \"key_source\": "));
        SPOOR_TRY(jstr(out, g->key_source));
        SPOOR_TRY(spoor_buf_puts(out, ", \"key_published\": "));
        SPOOR_TRY(jstr(out, g->key_published));
        SPOOR_TRY(spoor_buf_puts(out, "}"));
    }
    SPOOR_TRY(spoor_buf_puts(out, "]"));
done:
    return error;
}

/* A container's record: its own answer, and its members. */
static int summary_json(spoor_buf *out, const spoor_result *r)
{
    size_t i, j;
    int error = 0;
    SPOOR_TRY(spoor_buf_printf(out,
                               ", \"summary\": {\"members\": %zu, "
                               "\"substantive_chars\": %zu, "
                               "\"release_chars\": %zu}, \"own\": "
                               "{\"verdict\": ",
                               r->n_members, r->agg_substance, r->agg_release));
    SPOOR_TRY(jstr(out, r->own_verdict));
    SPOOR_TRY(spoor_buf_puts(out, ", \"coverage\": {\"release\": "));
    SPOOR_TRY(spoor_json_fraction(out, r->own_cov_release));
    SPOOR_TRY(spoor_buf_puts(out, ", \"internal\": "));
    SPOOR_TRY(spoor_json_fraction(out, r->own_cov_internal));
    SPOOR_TRY(spoor_buf_puts(out, ", \"any\": "));
    SPOOR_TRY(spoor_json_fraction(out, r->own_cov_any));
    SPOOR_TRY(spoor_buf_puts(out, "}}, \"members\": ["));
    for (i = 0; i < r->n_members; i++) {
        const spoor_member *m = &r->members[i];
        SPOOR_TRY(spoor_buf_puts(out, i ? ", {\"path\": " : "{\"path\": "));
        SPOOR_TRY(jstr(out, m->path));
        SPOOR_TRY(spoor_buf_puts(out, ", \"verdict\": "));
        SPOOR_TRY(jstr(out, m->verdict));
        SPOOR_TRY(spoor_buf_puts(out, ", \"coverage\": {\"release\": "));
        SPOOR_TRY(spoor_json_fraction(out, m->cov_release));
        SPOOR_TRY(spoor_buf_puts(out, ", \"any\": "));
        SPOOR_TRY(spoor_json_fraction(out, m->cov_any));
        SPOOR_TRY(spoor_buf_puts(out, "}, \"first_release\": "));
        if (m->first_release) {
            SPOOR_TRY(spoor_buf_puts(out, "{\"collection\": "));
            SPOOR_TRY(jstr(out, m->first_release));
            SPOOR_TRY(spoor_buf_puts(out, ", \"date\": "));
            SPOOR_TRY(jstr(out, m->first_release_date));
            SPOOR_TRY(spoor_buf_puts(out, "}"));
        } else {
            SPOOR_TRY(spoor_buf_puts(out, "null"));
        }
        SPOOR_TRY(spoor_buf_puts(out, ", \"sources\": ["));
        for (j = 0; j < m->n_top; j++) {
            SPOOR_TRY(spoor_buf_puts(out, j ? ", {\"collection\": "
                                            : "{\"collection\": "));
            SPOOR_TRY(jstr(out, m->top[j].collection));
            SPOOR_TRY(spoor_buf_puts(out, ", \"path\": "));
            SPOOR_TRY(jstr(out, m->top[j].path));
            SPOOR_TRY(spoor_buf_puts(out, ", \"coverage\": "));
            SPOOR_TRY(spoor_json_fraction(out, m->top[j].coverage));
            SPOOR_TRY(spoor_buf_puts(out, "}"));
        }
        SPOOR_TRY(spoor_buf_puts(out, "]}"));
    }
    SPOOR_TRY(spoor_buf_puts(out, "]"));
done:
    return error;
}

int spoor_report_json(spoor_buf *out, const spoor_item *item,
                      const spoor_result *r)
{
    size_t i, j;
    int error = 0, first = 1;

    SPOOR_TRY(spoor_buf_puts(out, "{\"input\": "));
    SPOOR_TRY(jstr(out, item->display));
    SPOOR_TRY(spoor_buf_puts(out, ", \"path\": "));
    SPOOR_TRY(jstr(out, item->path));
    SPOOR_TRY(spoor_buf_puts(out, ", \"sha256\": "));
    SPOOR_TRY(jstr(out, item->sha256));
    SPOOR_TRY(spoor_buf_puts(out, ", \"format\": "));
    SPOOR_TRY(jstr(out, item->doc.format));
    SPOOR_TRY(spoor_buf_printf(out, ", \"bytes\": %llu, \"text_bytes\": %zu",
                               (unsigned long long)item->bytes,
                               item->doc.text.size));
    if (item->doc.encoding) {
        SPOOR_TRY(spoor_buf_puts(out, ", \"encoding\": "));
        SPOOR_TRY(jstr(out, item->doc.encoding));
    }
    if (item->doc.warning) {
        SPOOR_TRY(spoor_buf_puts(out, ", \"warning\": "));
        SPOOR_TRY(jstr(out, item->doc.warning));
    }
    if (item->doc.textless)
        SPOOR_TRY(spoor_buf_puts(out, ", \"status\": \"no-text\""));
    if (item->doc.ocr_pages)
        SPOOR_TRY(spoor_buf_printf(out,
                                   ", \"ocr\": {\"pages\": %u, "
                                   "\"confidence\": %d}",
                                   item->doc.ocr_pages,
                                   item->doc.ocr_confidence));
    SPOOR_TRY(spoor_buf_puts(out, ", \"dates\": "));
    SPOOR_TRY(dates_json(out, item->doc.dates, item->doc.n_dates, r->dates,
                         r->n_dates));
    SPOOR_TRY(spoor_buf_puts(out, ", \"verdict\": "));
    SPOOR_TRY(jstr(out, r->verdict));
    SPOOR_TRY(spoor_buf_puts(out, ", \"verdict_basis\": "));
    SPOOR_TRY(jstr(out, r->verdict_basis));
    SPOOR_TRY(spoor_buf_printf(
        out,
        ", \"compared_chars\": %zu, \"substantive_chars\": %zu, "
        "\"header_bytes\": %zu, "
        "\"below_guarantee\": %s, \"release_chars\": %zu, "
        "\"boilerplate_coverage\": ",
        r->compared, r->substance, item->doc.header_bytes,
        r->below_guarantee ? "true" : "false", r->release_chars));
    SPOOR_TRY(spoor_json_fraction(out, r->cov_boilerplate));
    SPOOR_TRY(spoor_buf_puts(out, ", \"coverage\": {\"release\": "));
    SPOOR_TRY(spoor_json_fraction(out, r->cov_release));
    SPOOR_TRY(spoor_buf_puts(out, ", \"internal\": "));
    SPOOR_TRY(spoor_json_fraction(out, r->cov_internal));
    SPOOR_TRY(spoor_buf_puts(out, ", \"any\": "));
    SPOOR_TRY(spoor_json_fraction(out, r->cov_any));
    SPOOR_TRY(spoor_buf_puts(out, "}, \"first_release\": "));
    if (r->first_release) {
        SPOOR_TRY(spoor_buf_puts(out, "{\"collection\": "));
        SPOOR_TRY(jstr(out, r->first_release));
        SPOOR_TRY(spoor_buf_puts(out, ", \"date\": "));
        SPOOR_TRY(jstr(out, r->first_release_date));
        SPOOR_TRY(spoor_buf_puts(out, "}"));
    } else {
        SPOOR_TRY(spoor_buf_puts(out, "null"));
    }
    SPOOR_TRY(spoor_buf_puts(out, ", \"postdates\": ["));
    for (i = 0; i < r->n_postdates; i++) {
        const spoor_postdate *p = &r->postdates[i];
        SPOOR_TRY(spoor_buf_puts(out, i ? ", {\"event\": " : "{\"event\": "));
        SPOOR_TRY(jstr(out, p->event));
        SPOOR_TRY(spoor_buf_puts(out, ", \"date\": "));
        SPOOR_TRY(jstr(out, p->event_date));
        SPOOR_TRY(spoor_buf_puts(out, ", \"field\": "));
        SPOOR_TRY(jstr(out, p->field));
        SPOOR_TRY(spoor_buf_puts(out, ", \"value\": "));
        SPOOR_TRY(jstr(out, p->value));
        if (p->member) {
            SPOOR_TRY(spoor_buf_puts(out, ", \"member\": "));
            SPOOR_TRY(jstr(out, p->member));
        }
        SPOOR_TRY(spoor_buf_puts(out, "}"));
    }
    SPOOR_TRY(spoor_buf_puts(out, "]"));
    if (r->summary)
        SPOOR_TRY(summary_json(out, r));
    if (r->dkim_checked)
        SPOOR_TRY(dkim_json(out, r));
    SPOOR_TRY(spoor_buf_puts(out, ", \"matches\": ["));
    for (i = 0; i < r->n_matches; i++)
        for (j = 0; j < r->matches[i].source->n_occ; j++) {
            SPOOR_TRY(match_json(out, r, &r->matches[i],
                                 &r->matches[i].source->occ[j], first));
            first = 0;
        }
    SPOOR_TRY(spoor_buf_printf(out,
                               "], \"fingerprints\": %zu, \"boilerplate\": "
                               "%zu, \"boilerplate_sources\": %zu, "
                               "\"common_threshold\": %zu, \"spread\": %zu, "
                               "\"sources_not_verified\": %zu, "
                               "\"approximate\": %s}\n",
                               r->n_fps, r->n_common, r->n_bp_only,
                               r->common_used, r->spread_used, r->n_dropped,
                               r->approximate ? "true" : "false"));
done:
    return error;
}
