/*
 * ex_odf.c: OpenDocument text, spreadsheets and presentations (odt, ods,
 * odp, their templates, and the flat XML forms fodt, fods, fodp), read
 * with libarchive (the zip: content.xml, styles.xml, meta.xml) and libxml2.
 *
 * Text in document order: paragraphs and headings end lines, text:s gives
 * its spaces, text:tab a tab, text:line-break a line; notes, comments
 * (office:annotation) and tracked deletions are kept where they stand,
 * since what was deleted is evidence too. Tables (and every ods sheet,
 * after a line with its name) give a line per row with tab-separated
 * cells; a number cell gives its value (office:value) as the shortest
 * decimal that round-trips, as an xlsx cell does, so a CSV export matches
 * either; a date cell its ISO date. Repeated cells and rows are written
 * once per repetition up to REPEAT_MAX. Then the page headers and footers
 * (styles.xml). meta.xml gives the dates created, modified and printed,
 * and creator, initial creator, title and generator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../detect/detect.h"
#include "extract_int.h"
#include "zipxml.h"

/* Repeated cells or rows with content written at most this many times
 * (a sheet may say a cell repeats a million times). */
#define REPEAT_MAX 16
/* Spaces of one text:s at most. */
#define SPACES_MAX 64

static const char ns_text[] = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";

static int wanted(const char *name)
{
    return !strcmp(name, "content.xml") || !strcmp(name, "styles.xml") ||
           !strcmp(name, "meta.xml");
}

/* Whether n's namespace is href. */
static int in_ns(const xmlNode *n, const char *href)
{
    return n && n->ns && n->ns->href &&
           !strcmp((const char *)n->ns->href, href);
}

/* Elements whose subtrees hold no text of the document. */
static int skipped_name(const char *local)
{
    static const char *const skip[] = {"binary-data",      "script",
                                       "scripts",          "forms",
                                       "sequence-decls",   "variable-decls",
                                       "automatic-styles", "font-face-decls",
                                       "settings",         NULL};
    size_t i;
    for (i = 0; local && skip[i]; i++)
        if (!strcmp(local, skip[i]))
            return 1;
    return 0;
}

/* Whether n is such an element. */
static int skipped(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && skipped_name((const char *)n->name);
}
/* How many times a repeated cell or row is written: once when it is
 * empty, else its count up to REPEAT_MAX. */
static long repeats(const xmlNode *n, const char *attr_name)
{
    const char *v = spoor_xml__attr(n, attr_name);
    long r = v ? strtol(v, NULL, 10) : 1;
    if (r < 1)
        r = 1;
    if (!n->children)
        return 1;
    return r > REPEAT_MAX ? REPEAT_MAX : r;
}

/* A number or date cell's value, written as xlsx cells are; 1 if it was
 * written (its paragraphs are then not read). */
static int cell_value(spoor_buf *out, const xmlNode *c, int *error)
{
    const char *type = spoor_xml__attr(c, "value-type"), *v;
    char num[64], *end;
    double d;
    if (!type)
        return 0;
    if (!strcmp(type, "date") && (v = spoor_xml__attr(c, "date-value"))) {
        size_t n = strlen(v);
        /* midnight is the day alone, as xlsx date cells */
        if (n == 19 && !strcmp(v + 10, "T00:00:00"))
            n = 10;
        *error = spoor_buf_put(out, v, n);
        return 1;
    }
    if (strcmp(type, "float") && strcmp(type, "percentage") &&
        strcmp(type, "currency"))
        return 0;
    if (!(v = spoor_xml__attr(c, "value")))
        return 0;
    d = strtod(v, &end);
    if (end == v || *end)
        return 0;
    snprintf(num, sizeof(num), "%.15g", d);
    *error = spoor_buf_puts(out, num);
    return 1;
}

/* Tables nested in cells deeper than this are read as plain text. */
#define TABLE_DEPTH_MAX 8

static int text_of(spoor_buf *out, xmlNode *root, unsigned depth, int sheet);

/* One cell (written repeat times), tab-separated from the one before. */
static int cell_text(spoor_buf *line, xmlNode *c, int *first, unsigned depth)
{
    spoor_buf one = SPOOR_BUF_INIT;
    long r = repeats(c, "number-columns-repeated"), i;
    size_t k;
    int error = 0;
    if (!cell_value(&one, c, &error) && error == 0)
        error = text_of(&one, c, depth + 1, 0);
    /* a cell's paragraphs are one field of the row */
    while (one.size && one.ptr[one.size - 1] == '\n')
        one.size--;
    for (k = 0; k < one.size; k++)
        if (one.ptr[k] == '\n')
            one.ptr[k] = ' ';
    for (i = 0; i < r && error == 0; i++) {
        if (!*first)
            error = spoor_buf_puts(line, "\t");
        *first = 0;
        if (error == 0 && one.size)
            error = spoor_buf_put(line, one.ptr, one.size);
    }
    spoor_buf_dispose(&one);
    return error;
}

/* One table row: a line of its cells (written repeat times; an empty row
 * not at all). */
static int row_text(spoor_buf *out, xmlNode *row, unsigned depth)
{
    spoor_buf line = SPOOR_BUF_INIT;
    long r = repeats(row, "number-rows-repeated"), i;
    size_t k;
    xmlNode *c;
    int first = 1, error = 0, any = 0;
    for (c = row->children; c && error == 0; c = c->next)
        if (spoor_xml__is(c, "table-cell") ||
            spoor_xml__is(c, "covered-table-cell"))
            error = cell_text(&line, c, &first, depth);
    while (line.size && line.ptr[line.size - 1] == '\t')
        line.size--; /* trailing empty cells, as an xlsx row has none */
    for (k = 0; k < line.size && !any; k++)
        any = line.ptr[k] != '\t';
    for (i = 0; any && i < r && error == 0; i++) {
        error = spoor_buf_put(out, line.ptr, line.size);
        if (error == 0)
            error = spoor_buf_puts(out, "\n");
    }
    spoor_buf_dispose(&line);
    return error;
}

/* The text under root in document order, without recursion except into
 * table cells (at most TABLE_DEPTH_MAX deep): a hostile document's depth
 * costs no stack. sheet: a spreadsheet, whose tables are named sheets. */
static int text_of(spoor_buf *out, xmlNode *root, unsigned depth, int sheet)
{
    xmlNode *n = root->children;
    int error = 0;
    while (n && error == 0) {
        int descend = 1;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (in_ns(n->parent, ns_text) && n->content)
                error = spoor_buf_puts(out, (const char *)n->content);
        } else if (n->type != XML_ELEMENT_NODE || skipped(n)) {
            descend = 0;
        } else if (in_ns(n, ns_text) && spoor_xml__is(n, "s")) {
            const char *c = spoor_xml__attr(n, "c");
            long k = c ? strtol(c, NULL, 10) : 1;
            for (k = k < 1            ? 1
                     : k > SPACES_MAX ? SPACES_MAX
                                      : k;
                 k-- > 0 && error == 0;)
                error = spoor_buf_puts(out, " ");
        } else if (in_ns(n, ns_text) && spoor_xml__is(n, "tab")) {
            error = spoor_buf_puts(out, "\t");
        } else if (in_ns(n, ns_text) && spoor_xml__is(n, "line-break")) {
            error = spoor_buf_puts(out, "\n");
        } else if (spoor_xml__is(n, "table-row") && depth < TABLE_DEPTH_MAX) {
            error = row_text(out, n, depth);
            descend = 0;
        } else if (spoor_xml__is(n, "table") && sheet &&
                   spoor_xml__attr(n, "name")) {
            error = spoor_buf_printf(out, "%s\n", spoor_xml__attr(n, "name"));
        }
        if (descend && n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        for (;;) { /* leave n, and every parent it was the last child of */
            if (n == root)
                return error;
            if (n->type == XML_ELEMENT_NODE && error == 0 &&
                in_ns(n, ns_text) &&
                (spoor_xml__is(n, "p") || spoor_xml__is(n, "h")))
                error = spoor_buf_puts(out, "\n");
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (!n)
                return error;
        }
    }
    return error;
}

/* The element named local directly under n, or NULL. */
static xmlNode *child(xmlNode *n, const char *local)
{
    for (n = n ? n->children : NULL; n; n = n->next)
        if (spoor_xml__is(n, local))
            return n;
    return NULL;
}

static int read_meta(spoor_doc *doc, xmlNode *meta, const char *source);

/* A streamed walk over a part: the text of the first body and the first
 * master-styles under its root (text_of's, without a tree of the part),
 * and the first meta's dates and names (a flat document's). */
typedef struct odf_walk {
    spoor_doc *doc;
    spoor_buf styles; /* master-styles' text, which follows the body's */
    int sheet, done_body, done_styles, done_meta;
    unsigned char text_ns[SPOOR_XML_DEPTH_MAX]; /* open element in ns_text */
    unsigned char para[SPOOR_XML_DEPTH_MAX];    /* open text:p or text:h */
} odf_walk;

/* The reader's current element's attribute local (any namespace), owned,
 * or NULL. */
static char *reader_attr(xmlTextReaderPtr r, const char *local)
{
    char *v = NULL;
    if (xmlTextReaderMoveToFirstAttribute(r) != 1)
        return NULL;
    do {
        const xmlChar *n = xmlTextReaderConstLocalName(r);
        if (n && !strcmp((const char *)n, local)) {
            const xmlChar *x = xmlTextReaderConstValue(r);
            v = spoor__strdup(x ? (const char *)x : "");
            break;
        }
    } while (xmlTextReaderMoveToNextAttribute(r) == 1);
    xmlTextReaderMoveToElement(r);
    return v;
}

/* One element's start in the walk under a body or master-styles (text_of's
 * cases): *skip is set when its subtree is to be passed over, *row when it
 * is a table row (read whole by the caller). */
static int walk_element(odf_walk *w, xmlTextReaderPtr r, spoor_buf *out, int d,
                        int sheet, int *skip, int *row)
{
    const char *ln = (const char *)xmlTextReaderConstLocalName(r);
    const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);
    int text = ns && !strcmp((const char *)ns, ns_text), error = 0;
    *row = 0;
    *skip = skipped_name(ln);
    w->text_ns[d] = (unsigned char)text;
    w->para[d] =
        (unsigned char)(text && ln && (!strcmp(ln, "p") || !strcmp(ln, "h")));
    if (*skip || !ln)
        return 0;
    if (text && !strcmp(ln, "s")) {
        char *c = reader_attr(r, "c");
        long k = c ? strtol(c, NULL, 10) : 1;
        spoor__free(c);
        for (k = k < 1            ? 1
                 : k > SPACES_MAX ? SPACES_MAX
                                  : k;
             k-- > 0 && error == 0;)
            error = spoor_buf_puts(out, " ");
    } else if (text && !strcmp(ln, "tab")) {
        error = spoor_buf_puts(out, "\t");
    } else if (text && !strcmp(ln, "line-break")) {
        error = spoor_buf_puts(out, "\n");
    } else if (!strcmp(ln, "table-row")) {
        *row = 1;
    } else if (!strcmp(ln, "table") && sheet) {
        char *name = reader_attr(r, "name");
        if (name)
            error = spoor_buf_printf(out, "%s\n", name);
        spoor__free(name);
    }
    return error;
}

/* Walk the part read by r (see odf_walk). */
static int walk_part(odf_walk *w, xmlTextReaderPtr r, const char *part)
{
    spoor_buf *out = NULL; /* while inside a body or master-styles */
    int rc = xmlTextReaderRead(r), skip = -1, sheet = 0, error = 0;

    while (rc == 1 && error == 0) {
        int type = xmlTextReaderNodeType(r), d = xmlTextReaderDepth(r), row = 0;
        const char *ln = (const char *)xmlTextReaderConstLocalName(r);
        if (d < 0 || d >= SPOOR_XML_DEPTH_MAX)
            return spoor__error_set(SPOOR_ELIMIT,
                                    "part '%s' nests deeper than %d", part,
                                    SPOOR_XML_DEPTH_MAX);
        if (skip >= 0 && d > skip) {
            rc = xmlTextReaderRead(r);
            continue;
        }
        if (d == 1 && type == XML_READER_TYPE_ELEMENT && ln) {
            int empty = xmlTextReaderIsEmptyElement(r);
            out = NULL;
            if (!strcmp(ln, "body") && !w->done_body) {
                w->done_body = 1;
                out = empty ? NULL : &w->doc->text;
                sheet = w->sheet;
            } else if (!strcmp(ln, "master-styles") && !w->done_styles) {
                w->done_styles = 1;
                out = empty ? NULL : &w->styles;
                sheet = 0;
            } else if (!strcmp(ln, "meta") && !w->done_meta) {
                xmlNode *n = xmlTextReaderExpand(r);
                w->done_meta = 1;
                if (!n)
                    break;
                SPOOR_TRY(read_meta(w->doc, n, "office:meta"));
                rc = xmlTextReaderNext(r);
                continue;
            }
        } else if (d == 1 && type == XML_READER_TYPE_END_ELEMENT) {
            out = NULL;
        } else if (out && d >= 2) {
            if (skip >= 0) { /* the end of a skipped subtree */
                skip = -1;
            } else if (type == XML_READER_TYPE_ELEMENT) {
                int skipped, empty = xmlTextReaderIsEmptyElement(r);
                SPOOR_TRY(walk_element(w, r, out, d, sheet, &skipped, &row));
                if (row) {
                    xmlNode *n = xmlTextReaderExpand(r);
                    if (!n)
                        break;
                    SPOOR_TRY(row_text(out, n, 0));
                    rc = xmlTextReaderNext(r);
                    continue;
                }
                if (skipped && !empty)
                    skip = d;
                else if (!skipped && empty && w->para[d])
                    SPOOR_TRY(spoor_buf_puts(out, "\n"));
            } else if (type == XML_READER_TYPE_END_ELEMENT) {
                if (w->para[d])
                    SPOOR_TRY(spoor_buf_puts(out, "\n"));
            } else if (type == XML_READER_TYPE_TEXT ||
                       type == XML_READER_TYPE_CDATA ||
                       type == XML_READER_TYPE_WHITESPACE ||
                       type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
                const xmlChar *v = xmlTextReaderConstValue(r);
                if (d > 2 && w->text_ns[d - 1] && v)
                    SPOOR_TRY(spoor_buf_puts(out, (const char *)v));
            }
        }
        rc = xmlTextReaderRead(r);
    }
    if (rc < 0 || rc == 1) /* not well-formed, or a subtree not expanded */
        error = spoor_xml__error(part);
done:
    return error;
}

typedef struct part_ctx {
    odf_walk *w;
    const char *part;
} part_ctx;

static int part_walk(xmlTextReaderPtr r, void *ctx)
{
    part_ctx *c = ctx;
    return walk_part(c->w, r, c->part);
}

/* The text of part b (body, then master-styles), streamed; with
 * with_meta, a flat document's meta too. */
static int part_text(spoor_doc *doc, const spoor_buf *b, const char *part,
                     int sheet, int with_meta)
{
    odf_walk w;
    part_ctx c = {&w, part};
    int error;
    memset(&w, 0, sizeof(w));
    w.doc = doc;
    w.sheet = sheet;
    w.done_meta = !with_meta;
    error = spoor_xml__stream(b, part, part_walk, &c);
    if (error == 0 && w.styles.size)
        error = spoor_buf_put(&doc->text, w.styles.ptr, w.styles.size);
    spoor_buf_dispose(&w.styles);
    return error;
}

/* meta.xml's (or a flat document's office:meta) dates and names. */
static int read_meta(spoor_doc *doc, xmlNode *meta, const char *source)
{
    static const struct {
        const char *elem, *key;
        int is_date;
    } map[] = {
        {"creation-date", "created", 1},    {"date", "modified", 1},
        {"print-date", "printed", 1},       {"initial-creator", "creator", 0},
        {"creator", "last-modified-by", 0}, {"title", "title", 0},
        {"generator", "application", 0},
    };
    xmlNode *n;
    size_t i;
    int error = 0;
    for (n = meta ? meta->children : NULL; n && error == 0; n = n->next)
        for (i = 0; i < sizeof(map) / sizeof(map[0]) && error == 0; i++) {
            char *v;
            if (!spoor_xml__is(n, map[i].elem) ||
                !(v = spoor_xml__node_text(n)))
                continue;
            if (*v)
                error = map[i].is_date
                            ? spoor_doc__add_date(doc, map[i].key, v, source)
                            : spoor_doc__add_meta(doc, map[i].key, v);
            spoor__free(v);
        }
    return error;
}

/* Parse part name of ps into *out (NULL when the package has none), or
 * fail naming it. */
static int with_part(const spoor_zip_parts *ps, const char *name,
                     xmlDocPtr *out)
{
    const spoor_buf *b = spoor_zip__find_part(ps, name);
    *out = NULL;
    if (!b)
        return 0;
    if (!(*out = spoor_xml__parse(b, name)))
        return spoor_xml__error(name);
    return 0;
}

static int extract_odf(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    spoor_zip_parts ps = {NULL, 0, 0};
    const char *kind = spoor_detect__odf_kind(d, len);
    xmlDocPtr meta = NULL;
    int error = 0, sheet;

    doc->has_text = 1;
    if (!kind)
        return spoor__error_set(SPOOR_EINVALID,
                                "not an OpenDocument package (no mimetype)");
    doc->format = kind;
    sheet = !strcmp(kind, "ods");
    SPOOR_TRY(spoor_zip__read_parts(&ps, d, len, lim, wanted));
    if (!spoor_zip__find_part(&ps, "content.xml")) {
        error = spoor__error_set(SPOOR_EINVALID,
                                 "OpenDocument package without content.xml");
        goto done;
    }
    SPOOR_TRY(part_text(doc, spoor_zip__find_part(&ps, "content.xml"),
                        "content.xml", sheet, 0));
    SPOOR_TRY(part_text(doc, spoor_zip__find_part(&ps, "styles.xml"),
                        "styles.xml", 0, 0));
    SPOOR_TRY(with_part(&ps, "meta.xml", &meta));
    if (meta)
        SPOOR_TRY(read_meta(doc, child(xmlDocGetRootElement(meta), "meta"),
                            "meta.xml"));
done:
    if (meta)
        xmlFreeDoc(meta);
    spoor_zip__parts_free(&ps);
    return error;
}

static int extract_flat_odf(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim)
{
    const char *kind = spoor_detect__flat_odf_kind(d, len);
    spoor_buf b = {(char *)d, len, len, NULL};

    (void)lim;
    doc->has_text = 1;
    if (!kind)
        return spoor__error_set(SPOOR_EINVALID, "not a flat OpenDocument file");
    doc->format = kind;
    return part_text(doc, &b, kind, !strcmp(kind, "fods"), 1);
}

const spoor_extractor spoor_ex_odf = {"odf", extract_odf, NULL};
const spoor_extractor spoor_ex_flat_odf = {"flat-odf", extract_flat_odf, NULL};
