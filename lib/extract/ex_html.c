/*
 * ex_html.c: visible text of HTML documents and email bodies (libxml2).
 *
 * The parser runs with network access off and recovery on; libxml2 decodes
 * entities and bounds nesting depth itself. It streams (SAX callbacks): no
 * tree is built, which made tree building most of the cost. Text inside script,
 * style, noscript and template is dropped; block elements end a line so words
 * of adjacent blocks stay apart. <meta name=... content=...> dates (date,
 * dcterms.*, article:*_time) are kept as dated metadata.
 */
#include <string.h>
#include <strings.h>
#include <pthread.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "extract_int.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

/* Whether name is one of the NULL-terminated names, looked up by first
 * letter: called for every start and end tag, where a walk through all
 * the names with strcmp was 5 % of ingesting /usr/share/doc. libxml2's
 * HTML parser gives tag names in lower case. */
static int name_in(const char *name, const char *const *by_letter[26])
{
    unsigned char c = (unsigned char)name[0];
    const char *const *p;
    if (c < 'a' || c > 'z' || !(p = by_letter[c - 'a']))
        return 0;
    for (; *p; p++)
        if (!strcmp(name, *p))
            return 1;
    return 0;
}

/* Elements whose content is not text on the page. */
static int is_skipped(const char *name)
{
    static const char *const n[] = {"noscript", NULL};
    static const char *const s[] = {"script", "style", NULL};
    static const char *const t[] = {"template", NULL};
    static const char *const *by_letter[26] = {
        ['n' - 'a'] = n, ['s' - 'a'] = s, ['t' - 'a'] = t};
    return name_in(name, by_letter);
}

/* Elements that start a new line of text. */
static int is_block(const char *name)
{
    static const char *const a[] = {"article", "address", "aside", NULL};
    static const char *const b[] = {"br", "blockquote", NULL};
    static const char *const c[] = {"caption", NULL};
    static const char *const d[] = {"div", "dt", "dd", NULL};
    static const char *const f[] = {"footer", "form", "figure", NULL};
    static const char *const h[] = {"h1", "h2", "h3",     "h4", "h5",
                                    "h6", "hr", "header", NULL};
    static const char *const l[] = {"li", NULL};
    static const char *const m[] = {"main", NULL};
    static const char *const n[] = {"nav", NULL};
    static const char *const o[] = {"ol", NULL};
    static const char *const p[] = {"p", "pre", NULL};
    static const char *const s[] = {"section", NULL};
    static const char *const t[] = {"tr", "table", "title", "td", "th", NULL};
    static const char *const u[] = {"ul", NULL};
    static const char *const *by_letter[26] = {
        ['a' - 'a'] = a, ['b' - 'a'] = b, ['c' - 'a'] = c, ['d' - 'a'] = d,
        ['f' - 'a'] = f, ['h' - 'a'] = h, ['l' - 'a'] = l, ['m' - 'a'] = m,
        ['n' - 'a'] = n, ['o' - 'a'] = o, ['p' - 'a'] = p, ['s' - 'a'] = s,
        ['t' - 'a'] = t, ['u' - 'a'] = u};
    return name_in(name, by_letter);
}

static int is_date_meta(const char *name)
{
    return !strcasecmp(name, "date") || !strncasecmp(name, "dcterms.", 8) ||
           !strncasecmp(name, "dc.date", 7) ||
           (!strncasecmp(name, "article:", 8) && strstr(name, "_time"));
}

/* State of one streaming (SAX) parse: no tree is built. */
typedef struct {
    spoor_buf *out;
    spoor_doc *doc;
    unsigned depth;      /* open elements */
    unsigned skip_depth; /* depth of the open script/style..., 0 if none */
    int error;
} html_sax;

static void end_line(html_sax *st)
{
    spoor_buf *out = st->out;
    if (!st->error && out->size && out->ptr[out->size - 1] != '\n')
        st->error = spoor_buf_puts(out, "\n");
}

static const char *attr_of(const xmlChar **atts, const char *name)
{
    size_t i;
    for (i = 0; atts && atts[i]; i += 2)
        if (!strcasecmp((const char *)atts[i], name))
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

static void meta_date(html_sax *st, const xmlChar **atts)
{
    const char *mn = attr_of(atts, "name"), *mc = attr_of(atts, "content");
    if (!mn)
        mn = attr_of(atts, "property");
    if (mn && mc && is_date_meta(mn) && !st->error)
        st->error = spoor_doc__add_date(st->doc, mn, mc, "html meta");
}

static void on_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
    html_sax *st = ((htmlParserCtxtPtr)ctx)->_private;
    const char *name = (const char *)xname;

    st->depth++;
    if (st->skip_depth)
        return;
    if (is_skipped(name))
        st->skip_depth = st->depth;
    else if (is_block(name))
        end_line(st);
    if (st->doc && !strcmp(name, "meta"))
        meta_date(st, atts);
}

static void on_end(void *ctx, const xmlChar *xname)
{
    html_sax *st = ((htmlParserCtxtPtr)ctx)->_private;

    if (st->skip_depth == st->depth)
        st->skip_depth = 0;
    else if (!st->skip_depth && is_block((const char *)xname))
        end_line(st);
    if (st->depth)
        st->depth--;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    html_sax *st = ((htmlParserCtxtPtr)ctx)->_private;
    if (!st->skip_depth && !st->error && len > 0)
        st->error = spoor_buf_put(st->out, (const char *)ch, (size_t)len);
}

/* Appends the visible text of HTML to out, and with doc its <meta> dates.
 * Streams through libxml2's SAX interface: memory is bounded by the
 * parser's element stack, not by the size of a tree. */
static int html_text(spoor_buf *out, spoor_doc *doc, const char *html,
                     size_t len)
{
    htmlParserCtxtPtr ctxt;
    htmlSAXHandler sax;
    html_sax st = {out, doc, 0, 0, 0};

    if (len > INT32_MAX)
        return spoor__error_set(SPOOR_ELIMIT,
                                "html of %zu bytes exceeds "
                                "the parser's 2 GiB limit",
                                len);
    pthread_once(&xml_once, xml_init);
    if (!(ctxt = htmlCreateMemoryParserCtxt(html, (int)len)))
        return spoor__error_set(SPOOR_EINVALID, "html could not be parsed");
    memset(&sax, 0, sizeof(sax));
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.cdataBlock = on_text;
    memcpy(ctxt->sax, &sax, sizeof(sax));
    ctxt->_private = &st;
    ctxt->userData = ctxt;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                 HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    /* valid UTF-8 is read as such, whatever a <meta charset> claims (as
     * htmlReadMemory does when given an encoding) */
    if (spoor_text__valid_utf8((const unsigned char *)html, len)) {
        xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8");
        if (utf8 && !xmlSwitchToEncoding(ctxt, utf8)) {
            xmlFree((xmlChar *)ctxt->input->encoding);
            ctxt->input->encoding = xmlStrdup((const xmlChar *)"UTF-8");
        }
    }
    htmlParseDocument(ctxt);
    htmlFreeParserCtxt(ctxt);
    return st.error;
}

int spoor_html__text(spoor_buf *out, const char *html, size_t len)
{
    return html_text(out, NULL, html, len);
}

static int extract_html(spoor_doc *doc, const unsigned char *d, size_t len,
                        const spoor_limits *lim)
{
    (void)lim;
    doc->has_text = 1;
    return html_text(&doc->text, doc, (const char *)d, len);
}

const spoor_extractor spoor_ex_html = {"html", extract_html, NULL};
