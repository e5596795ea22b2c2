/*
 * ex_ooxml.c: Word, Excel and PowerPoint OOXML files (docx, xlsx, pptx and
 * their macro-enabled and template variants), read with libarchive (the
 * zip) and libxml2 (the parts; no network, no entity substitution, so
 * entity bombs stay unexpanded).
 *
 * docx: the body, footnotes, endnotes, headers, footers and comments, in
 *   that order; tracked deletions (w:delText) are kept in place, since what
 *   was deleted is evidence too. Paragraphs end lines, w:tab is a tab.
 * xlsx: every sheet in workbook order, a line per row, cells separated by
 *   tabs; shared strings resolved; numbers printed as the shortest decimal
 *   that round-trips (%.15g); cells with a date format as ISO dates. With
 *   the normaliser's number rule (trailing fractional zeros dropped), a CSV
 *   export that shows "1,234.50" matches the cell 1234.5.
 * pptx: slides in number order, then their notes.
 * docProps/core.xml gives the dates created, modified and printed (and
 * creator, last-modified-by, title); docProps/app.xml the application.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../detect/detect.h"
#include "extract_int.h"
#include "zipxml.h"

/* ==== Zip parts ==== */

static int wanted(const char *name)
{
    static const char *const prefixes[] = {"word/document.xml",
                                           "word/footnotes.xml",
                                           "word/endnotes.xml",
                                           "word/comments.xml",
                                           "word/header",
                                           "word/footer",
                                           "xl/workbook.xml",
                                           "xl/_rels/workbook.xml.rels",
                                           "xl/sharedStrings.xml",
                                           "xl/styles.xml",
                                           "xl/worksheets/sheet",
                                           "ppt/slides/slide",
                                           "ppt/notesSlides/notesSlide",
                                           "docProps/core.xml",
                                           "docProps/app.xml",
                                           NULL};
    size_t i;
    for (i = 0; prefixes[i]; i++)
        if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
            return strstr(name, "_rels/") == NULL ||
                   !strcmp(name, "xl/_rels/workbook.xml.rels");
    return 0;
}

/* Next node in document order, staying under root; descend unless skip. */
static xmlNode *next_node(xmlNode *n, const xmlNode *root, int descend,
                          spoor_buf *out, const char *para, int *error)
{
    if (descend && n->children && n->type == XML_ELEMENT_NODE)
        return n->children;
    while (n && n != root) {
        if (para && spoor_xml__is(n, para) && out && *error == 0)
            *error = spoor_buf_puts(out, "\n");
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/*
 * Append the text under root: text nodes whose parent is one of text_elems,
 * a tab for tab elements, a line break for br/cr and after each para
 * element. Subtrees named in skip_elems are ignored.
 */
static int collect_text(spoor_buf *out, xmlNode *root,
                        const char *const *text_elems, const char *para,
                        const char *const *skip_elems)
{
    xmlNode *n = root;
    int error = 0;
    size_t i;

    while (n && error == 0) {
        int descend = 1;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            for (i = 0; text_elems[i]; i++)
                if (n->parent && spoor_xml__is(n->parent, text_elems[i]) &&
                    n->content)
                    error = spoor_buf_puts(out, (const char *)n->content);
        } else if (n->type == XML_ELEMENT_NODE) {
            if (spoor_xml__is(n, "tab"))
                error = spoor_buf_puts(out, "\t");
            else if (spoor_xml__is(n, "br") || spoor_xml__is(n, "cr"))
                error = spoor_buf_puts(out, "\n");
            for (i = 0; skip_elems && skip_elems[i]; i++)
                if (spoor_xml__is(n, skip_elems[i]))
                    descend = 0;
        }
        n = next_node(n, root, descend, out, para, &error);
    }
    return error;
}

static int in_list(const char *name, const char *const *list)
{
    size_t i;
    for (i = 0; name && list && list[i]; i++)
        if (!strcmp(name, list[i]))
            return 1;
    return 0;
}

/*
 * collect_text over the root of the XML read by r, streamed: the same
 * text, without a tree of the part. is_text[d] says whether the open
 * element at depth d is one of text_elems (the parent of a text node at
 * d + 1); skip is the depth of the subtree being skipped, or -1.
 */
static int collect_stream(spoor_buf *out, xmlTextReaderPtr r,
                          const char *const *text_elems, const char *para,
                          const char *const *skip_elems, const char *name)
{
    unsigned char is_text[SPOOR_XML_DEPTH_MAX];
    int rc, skip = -1, error = 0;

    while (error == 0 && (rc = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r), d = xmlTextReaderDepth(r);
        const char *ln = (const char *)xmlTextReaderConstLocalName(r);
        int ends_para = d > 0 && para && ln && !strcmp(ln, para);
        if (d < 0 || d >= SPOOR_XML_DEPTH_MAX)
            return spoor__error_set(SPOOR_ELIMIT,
                                    "part '%s' nests deeper than %d", name,
                                    SPOOR_XML_DEPTH_MAX);
        if (skip >= 0 && d > skip)
            continue;    /* inside a skipped subtree */
        if (skip >= 0) { /* the end of the skipped element */
            skip = -1;
            if (type == XML_READER_TYPE_END_ELEMENT) {
                if (ends_para)
                    error = spoor_buf_puts(out, "\n");
                continue;
            }
        }
        switch (type) {
        case XML_READER_TYPE_ELEMENT:
            is_text[d] = (unsigned char)in_list(ln, text_elems);
            if (!strcmp(ln, "tab"))
                error = spoor_buf_puts(out, "\t");
            else if (!strcmp(ln, "br") || !strcmp(ln, "cr"))
                error = spoor_buf_puts(out, "\n");
            if (xmlTextReaderIsEmptyElement(r)) {
                if (ends_para && error == 0)
                    error = spoor_buf_puts(out, "\n");
            } else if (in_list(ln, skip_elems)) {
                skip = d;
            }
            break;
        case XML_READER_TYPE_END_ELEMENT:
            if (ends_para)
                error = spoor_buf_puts(out, "\n");
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (d > 0 && is_text[d - 1]) {
                const xmlChar *v = xmlTextReaderConstValue(r);
                if (v)
                    error = spoor_buf_puts(out, (const char *)v);
            }
            break;
        default:
            break;
        }
    }
    if (error == 0 && rc < 0)
        error = spoor_xml__error(name);
    return error;
}

typedef struct collect_ctx {
    spoor_buf *out;
    const char *const *text_elems;
    const char *para, *name;
} collect_ctx;

static int collect_walk(xmlTextReaderPtr r, void *ctx)
{
    static const char *const skip[] = {"instrText", "rPh", NULL};
    collect_ctx *c = ctx;
    return collect_stream(c->out, r, c->text_elems, c->para, skip, c->name);
}

static int collect_part(spoor_buf *out, const spoor_buf *b, const char *name,
                        const char *const *text_elems, const char *para)
{
    collect_ctx c = {out, text_elems, para, name};
    return spoor_xml__stream(b, name, collect_walk, &c);
}

/* ==== docProps ==== */

static int read_props(spoor_doc *doc, const spoor_zip_parts *ps)
{
    static const struct {
        const char *part, *elem, *key;
        int is_date;
    } map[] = {
        {"docProps/core.xml", "created", "created", 1},
        {"docProps/core.xml", "modified", "modified", 1},
        {"docProps/core.xml", "lastPrinted", "printed", 1},
        {"docProps/core.xml", "creator", "creator", 0},
        {"docProps/core.xml", "lastModifiedBy", "last-modified-by", 0},
        {"docProps/core.xml", "title", "title", 0},
        {"docProps/app.xml", "Application", "application", 0},
        {"docProps/app.xml", "Company", "company", 0},
    };
    const char *part_names[] = {"docProps/core.xml", "docProps/app.xml"};
    int error = 0;
    size_t p, i;

    for (p = 0; p < 2 && error == 0; p++) {
        xmlDocPtr x = spoor_xml__parse(spoor_zip__find_part(ps, part_names[p]),
                                       part_names[p]);
        xmlNode *root, *n;
        if (!x)
            continue;
        root = xmlDocGetRootElement(x);
        for (n = root ? root->children : NULL; n && error == 0; n = n->next)
            for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
                char *v;
                if (strcmp(map[i].part, part_names[p]) ||
                    !spoor_xml__is(n, map[i].elem))
                    continue;
                if (!(v = spoor_xml__node_text(n)) || !*v) {
                    spoor__free(v);
                    continue;
                }
                error =
                    map[i].is_date
                        ? spoor_doc__add_date(doc, map[i].key, v, part_names[p])
                        : spoor_doc__add_meta(doc, map[i].key, v);
                spoor__free(v);
            }
        xmlFreeDoc(x);
    }
    return error;
}

/* ==== docx ==== */

static int extract_docx(spoor_doc *doc, const spoor_zip_parts *ps)
{
    static const char *const text[] = {"t", "delText", NULL};
    static const char *const order[] = {"word/document.xml",
                                        "word/footnotes.xml",
                                        "word/endnotes.xml",
                                        "word/header",
                                        "word/footer",
                                        "word/comments.xml",
                                        NULL};
    size_t o, i;
    int error = 0;
    for (o = 0; order[o] && error == 0; o++)
        for (i = 0; i < ps->n && error == 0; i++)
            if (!strncmp(ps->v[i].name, order[o], strlen(order[o])))
                error = collect_part(&doc->text, &ps->v[i].data, ps->v[i].name,
                                     text, "p");
    return error;
}

/* ==== pptx ==== */

static long part_number(const char *name, const char *prefix)
{
    return strtol(name + strlen(prefix), NULL, 10);
}

static int extract_pptx(spoor_doc *doc, const spoor_zip_parts *ps)
{
    static const char *const text[] = {"t", NULL};
    static const char *const prefixes[] = {"ppt/slides/slide",
                                           "ppt/notesSlides/notesSlide"};
    int error = 0;
    size_t k, i;
    for (k = 0; k < 2 && error == 0; k++) {
        long n, max = 0;
        for (i = 0; i < ps->n; i++)
            if (!strncmp(ps->v[i].name, prefixes[k], strlen(prefixes[k])))
                if ((n = part_number(ps->v[i].name, prefixes[k])) > max)
                    max = n;
        for (n = 1; n <= max && error == 0; n++)
            for (i = 0; i < ps->n && error == 0; i++)
                if (!strncmp(ps->v[i].name, prefixes[k], strlen(prefixes[k])) &&
                    part_number(ps->v[i].name, prefixes[k]) == n)
                    error = collect_part(&doc->text, &ps->v[i].data,
                                         ps->v[i].name, text, "p");
    }
    return error;
}

/* ==== xlsx ==== */

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static void strlist_free(strlist *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        spoor__free(l->v[i]);
    spoor__free(l->v);
}

static int strlist_add(strlist *l, char *s)
{
    int error;
    if (!s)
        return spoor__error_oom();
    if ((error = spoor__array_reserve((void **)&l->v, &l->cap, l->n + 1,
                                      sizeof(char *))) < 0) {
        spoor__free(s);
        return error;
    }
    l->v[l->n++] = s;
    return 0;
}

/* Each element of the reader's part at depth depth, whose parent is named
 * parent and which is named local, expanded into a tree of its own (freed
 * as the reader moves on), to each(n, ctx). */
static int each_element(xmlTextReaderPtr r, const char *name, int depth,
                        const char *parent, const char *local,
                        int (*each)(xmlNode *n, void *ctx), void *ctx)
{
    int rc = xmlTextReaderRead(r), in_parent = 0, error = 0;
    while (rc == 1 && error == 0) {
        int d = xmlTextReaderDepth(r);
        if (d == depth - 1 &&
            xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT)
            in_parent =
                spoor_xml__reader_is(r, XML_READER_TYPE_ELEMENT, parent);
        if (d == depth && in_parent &&
            spoor_xml__reader_is(r, XML_READER_TYPE_ELEMENT, local)) {
            xmlNode *n = xmlTextReaderExpand(r);
            if (!n)
                break;
            error = each(n, ctx);
            rc = xmlTextReaderNext(r);
            continue;
        }
        rc = xmlTextReaderRead(r);
    }
    if (error == 0 && rc < 0)
        error = spoor_xml__error(name);
    if (error == 0 && rc == 1) /* xmlTextReaderExpand failed */
        error = spoor_xml__error(name);
    return error;
}

static int add_shared_string(xmlNode *si, void *ctx)
{
    static const char *const text[] = {"t", NULL};
    static const char *const skip[] = {"rPh", NULL};
    spoor_buf b = SPOOR_BUF_INIT;
    int error = collect_text(&b, si, text, NULL, skip);
    if (error == 0)
        error = strlist_add(ctx, spoor__strdup(b.ptr ? b.ptr : ""));
    spoor_buf_dispose(&b);
    return error;
}

static int sst_walk(xmlTextReaderPtr r, void *ctx)
{
    return each_element(r, "xl/sharedStrings.xml", 1, "sst", "si",
                        add_shared_string, ctx);
}

/* The shared strings, read as a stream (the <si> of an <sst>); a part
 * that is not well-formed gives none, as it always has. */
static int shared_strings(strlist *out, const spoor_zip_parts *ps)
{
    static const char *const name = "xl/sharedStrings.xml";
    int error =
        spoor_xml__stream(spoor_zip__find_part(ps, name), name, sst_walk, out);
    if (error == SPOOR_EINVALID) {
        spoor_error_clear();
        strlist_free(out);
        memset(out, 0, sizeof(*out));
        error = 0;
    }
    return error;
}

static int is_date_format(int id, const char *code)
{
    int in_quote = 0, in_bracket = 0;
    if ((id >= 14 && id <= 22) || (id >= 45 && id <= 47))
        return 1;
    for (; code && *code; code++) {
        char c = (char)tolower((unsigned char)*code);
        if (c == '"')
            in_quote = !in_quote;
        else if (c == '[')
            in_bracket = 1;
        else if (c == ']')
            in_bracket = 0;
        else if (!in_quote && !in_bracket && (c == 'y' || c == 'd'))
            return 1;
    }
    return 0;
}

/* For each cell style index: 1 if it formats dates. */
static int date_styles(unsigned char **out, size_t *n_out,
                       const spoor_zip_parts *ps)
{
    xmlDocPtr x = spoor_xml__parse(spoor_zip__find_part(ps, "xl/styles.xml"),
                                   "xl/styles.xml");
    xmlNode *root, *sec, *n;
    struct {
        int id;
        const char *code;
    } fmts[256];
    size_t n_fmts = 0, cap = 0, count = 0;
    unsigned char *flags = NULL;
    int error = 0;

    *out = NULL;
    *n_out = 0;
    if (!x)
        return 0;
    root = xmlDocGetRootElement(x);
    for (sec = root ? root->children : NULL; sec; sec = sec->next)
        if (spoor_xml__is(sec, "numFmts"))
            for (n = sec->children; n && n_fmts < 256; n = n->next)
                if (spoor_xml__is(n, "numFmt") &&
                    spoor_xml__attr(n, "numFmtId")) {
                    fmts[n_fmts].id = atoi(spoor_xml__attr(n, "numFmtId"));
                    fmts[n_fmts].code = spoor_xml__attr(n, "formatCode");
                    n_fmts++;
                }
    for (sec = root ? root->children : NULL; sec && error == 0; sec = sec->next)
        if (spoor_xml__is(sec, "cellXfs"))
            for (n = sec->children; n && error == 0; n = n->next) {
                int id;
                const char *code = NULL;
                size_t f;
                if (!spoor_xml__is(n, "xf"))
                    continue;
                id = spoor_xml__attr(n, "numFmtId")
                         ? atoi(spoor_xml__attr(n, "numFmtId"))
                         : 0;
                for (f = 0; f < n_fmts; f++)
                    if (fmts[f].id == id)
                        code = fmts[f].code;
                if ((error = spoor__array_reserve((void **)&flags, &cap,
                                                  count + 1, 1)) < 0)
                    break;
                flags[count++] = (unsigned char)is_date_format(id, code);
            }
    xmlFreeDoc(x);
    if (error < 0) {
        spoor__free(flags);
        return error;
    }
    *out = flags;
    *n_out = count;
    return 0;
}

/* Excel serial date (1900 system) to ISO 8601. */
static void serial_to_iso(double serial, char *out, size_t cap)
{
    long days = (long)floor(serial);
    double frac = serial - (double)days;
    long secs = lround(frac * 86400.0);
    long y, m, d;
    /* days since 1899-12-30 (accounts for Excel's 1900 leap-year bug for
     * dates after February 1900); serial 25569 is 1970-01-01 */
    spoor__civil_from_days(days - 25569, &y, &m, &d);
    if (secs >= 86400)
        secs = 86399;
    if (secs)
        snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, (int)m,
                 (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
                 (int)(secs % 60));
    else
        snprintf(out, cap, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

static int cell_value(spoor_buf *out, xmlNode *c, const strlist *sst,
                      const unsigned char *dates, size_t n_dates)
{
    static const char *const text[] = {"t", NULL};
    const char *t = spoor_xml__attr(c, "t"), *s = spoor_xml__attr(c, "s");
    xmlNode *n, *v = NULL, *isn = NULL;
    char *val = NULL, num[64];
    int error = 0;

    for (n = c->children; n; n = n->next) {
        if (spoor_xml__is(n, "v"))
            v = n;
        else if (spoor_xml__is(n, "is"))
            isn = n;
    }
    if (t && !strcmp(t, "inlineStr"))
        return isn ? collect_text(out, isn, text, NULL, NULL) : 0;
    if (!v)
        return 0;
    if (!(val = spoor_xml__node_text(v)))
        return spoor__error_oom();
    if (t && !strcmp(t, "s")) {
        long i = strtol(val, NULL, 10);
        if (i >= 0 && (size_t)i < sst->n)
            error = spoor_buf_puts(out, sst->v[i]);
    } else if (t && !strcmp(t, "b")) {
        error = spoor_buf_puts(out, val[0] == '1' ? "TRUE" : "FALSE");
    } else if (t && (!strcmp(t, "str") || !strcmp(t, "e"))) {
        error = spoor_buf_puts(out, val);
    } else {
        char *end;
        double d = strtod(val, &end);
        long si = s ? strtol(s, NULL, 10) : 0;
        if (end == val || *end) {
            error = spoor_buf_puts(out, val);
        } else if (si >= 0 && (size_t)si < n_dates && dates[si] && d >= 1 &&
                   d < 2958466) {
            serial_to_iso(d, num, sizeof(num));
            error = spoor_buf_puts(out, num);
        } else {
            snprintf(num, sizeof(num), "%.15g", d);
            error = spoor_buf_puts(out, num);
        }
    }
    spoor__free(val);
    return error;
}

typedef struct sheet_ctx {
    spoor_buf *out;
    const strlist *sst;
    const unsigned char *dates;
    size_t n_dates;
    const char *name;
} sheet_ctx;

/* One <row> of a sheet: its cells' values, tab-separated, and a newline. */
static int row_text(xmlNode *row, void *ctx)
{
    sheet_ctx *sc = ctx;
    xmlNode *c;
    int first = 1, error = 0;
    for (c = row->children; c && error == 0; c = c->next) {
        if (!spoor_xml__is(c, "c"))
            continue;
        if (!first)
            error = spoor_buf_puts(sc->out, "\t");
        first = 0;
        if (error == 0)
            error = cell_value(sc->out, c, sc->sst, sc->dates, sc->n_dates);
    }
    return error ? error : spoor_buf_puts(sc->out, "\n");
}

static int rows_walk(xmlTextReaderPtr r, void *ctx)
{
    sheet_ctx *sc = ctx;
    return each_element(r, sc->name, 2, "sheetData", "row", row_text, sc);
}

/* The rows of a sheet (worksheet/sheetData/row), read as a stream: one
 * row's tree at a time. */
static int sheet_text(spoor_buf *out, const spoor_buf *b, const char *name,
                      const strlist *sst, const unsigned char *dates,
                      size_t n_dates)
{
    sheet_ctx sc = {out, sst, dates, n_dates, name};
    return spoor_xml__stream(b, name, rows_walk, &sc);
}

static int extract_xlsx(spoor_doc *doc, const spoor_zip_parts *ps)
{
    strlist sst = {NULL, 0, 0};
    unsigned char *dates = NULL;
    size_t n_dates = 0, i;
    xmlDocPtr wb = NULL, rels = NULL;
    xmlNode *root, *sheets, *s, *r;
    int error = 0;

    SPOOR_TRY(shared_strings(&sst, ps));
    SPOOR_TRY(date_styles(&dates, &n_dates, ps));
    wb = spoor_xml__parse(spoor_zip__find_part(ps, "xl/workbook.xml"),
                          "xl/workbook.xml");
    rels =
        spoor_xml__parse(spoor_zip__find_part(ps, "xl/_rels/workbook.xml.rels"),
                         "xl/_rels/workbook.xml.rels");
    root = wb ? xmlDocGetRootElement(wb) : NULL;
    for (sheets = root ? root->children : NULL; sheets; sheets = sheets->next) {
        if (!spoor_xml__is(sheets, "sheets"))
            continue;
        for (s = sheets->children; s && error == 0; s = s->next) {
            const char *rid = spoor_xml__attr(s, "id"), *target = NULL;
            char partname[1024];
            xmlNode *rr = rels ? xmlDocGetRootElement(rels) : NULL;
            if (!spoor_xml__is(s, "sheet"))
                continue;
            for (r = rr ? rr->children : NULL; r && rid; r = r->next)
                if (spoor_xml__is(r, "Relationship") &&
                    spoor_xml__attr(r, "Id") &&
                    !strcmp(spoor_xml__attr(r, "Id"), rid))
                    target = spoor_xml__attr(r, "Target");
            if (!target)
                continue;
            if (target[0] == '/')
                snprintf(partname, sizeof(partname), "%s", target + 1);
            else
                snprintf(partname, sizeof(partname), "xl/%s", target);
            SPOOR_TRY(spoor_buf_printf(&doc->text, "%s\n",
                                       spoor_xml__attr(s, "name")
                                           ? spoor_xml__attr(s, "name")
                                           : "sheet"));
            error = sheet_text(&doc->text, spoor_zip__find_part(ps, partname),
                               partname, &sst, dates, n_dates);
            if (error == 0)
                error = spoor_buf_puts(&doc->text, "\n");
        }
    }
    (void)i;
done:
    if (wb)
        xmlFreeDoc(wb);
    if (rels)
        xmlFreeDoc(rels);
    strlist_free(&sst);
    spoor__free(dates);
    return error;
}

/* ==== Entry ==== */

static int extract_ooxml(spoor_doc *doc, const unsigned char *d, size_t len,
                         const spoor_limits *lim)
{
    spoor_zip_parts ps = {NULL, 0, 0};
    const char *kind = spoor_detect__ooxml_kind(d, len);
    int error = 0;

    doc->has_text = 1;
    if (!kind)
        return spoor__error_set(SPOOR_EINVALID,
                                "not an OOXML package (no content types or "
                                "main part)");
    doc->format = kind;
    SPOOR_TRY(spoor_zip__read_parts(&ps, d, len, lim, wanted));
    if (!strcmp(kind, "docx"))
        SPOOR_TRY(extract_docx(doc, &ps));
    else if (!strcmp(kind, "xlsx"))
        SPOOR_TRY(extract_xlsx(doc, &ps));
    else
        SPOOR_TRY(extract_pptx(doc, &ps));
    SPOOR_TRY(read_props(doc, &ps));
done:
    spoor_zip__parts_free(&ps);
    return error;
}

const spoor_extractor spoor_ex_ooxml = {"ooxml", extract_ooxml, NULL};
