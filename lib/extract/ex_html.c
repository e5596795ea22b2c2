/*
 * ex_html.c: visible text of HTML documents and email bodies (libxml2).
 *
 * The parser runs with network access off and recovery on; libxml2 decodes
 * entities and bounds nesting depth itself. The tree is walked without
 * recursion. Text inside script, style, noscript and template is dropped;
 * block elements end a line so words of adjacent blocks stay apart.
 * <meta name=... content=...> dates (date, dcterms.*, article:*_time) are
 * kept as dated metadata.
 */
#include <string.h>
#include <strings.h>
#include <pthread.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "extract_int.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
    xmlInitParser();
}

static int is_skipped(const char *name)
{
    return !strcmp(name, "script") || !strcmp(name, "style") ||
           !strcmp(name, "noscript") || !strcmp(name, "template");
}

static int is_block(const char *name)
{
    static const char *const blocks[] = {
        "p",    "div",   "br",      "li",      "tr",     "h1",     "h2",
        "h3",   "h4",    "h5",      "h6",      "table",  "ul",     "ol",
        "pre",  "title", "section", "article", "header", "footer", "blockquote",
        "hr",   "dt",    "dd",      "address", "td",     "th",     "caption",
        "form", "nav",   "aside",   "main",    "figure", NULL};
    size_t i;
    for (i = 0; blocks[i]; i++)
        if (!strcmp(name, blocks[i]))
            return 1;
    return 0;
}

static int is_date_meta(const char *name)
{
    return !strcasecmp(name, "date") || !strncasecmp(name, "dcterms.", 8) ||
           !strncasecmp(name, "dc.date", 7) ||
           (!strncasecmp(name, "article:", 8) && strstr(name, "_time"));
}

static int walk_tree(spoor_buf *out, spoor_doc *doc, xmlNode *root)
{
    xmlNode *n = root;
    int error = 0;

    while (n) {
        int descend = 1;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                error = spoor_buf_puts(out, (const char *)n->content);
        } else if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            if (is_skipped(name))
                descend = 0;
            else if (is_block(name) && out->size &&
                     out->ptr[out->size - 1] != '\n')
                error = spoor_buf_puts(out, "\n");
            if (doc && !strcmp(name, "meta")) {
                xmlChar *mn = xmlGetProp(n, (const xmlChar *)"name");
                xmlChar *mc = xmlGetProp(n, (const xmlChar *)"content");
                if (!mn)
                    mn = xmlGetProp(n, (const xmlChar *)"property");
                if (mn && mc && is_date_meta((const char *)mn))
                    error = spoor_doc__add_date(doc, (const char *)mn,
                                                (const char *)mc, "html meta");
                xmlFree(mn);
                xmlFree(mc);
            }
        }
        if (error < 0)
            return error;
        if (descend && n->children && n->type != XML_ENTITY_REF_NODE) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (n == root || (n && n->type == XML_HTML_DOCUMENT_NODE))
                return 0;
            if (n && n->type == XML_ELEMENT_NODE &&
                is_block((const char *)n->name) && out->size &&
                out->ptr[out->size - 1] != '\n' &&
                (error = spoor_buf_puts(out, "\n")) < 0)
                return error;
        }
        if (n)
            n = n->next;
    }
    return 0;
}

static int html_text(spoor_buf *out, spoor_doc *doc, const char *html,
                     size_t len)
{
    htmlDocPtr hd;
    xmlNode *root;
    int error = 0;
    const char *enc;

    if (len > INT32_MAX)
        return spoor__error_set(SPOOR_ELIMIT,
                                "html of %zu bytes exceeds "
                                "the parser's 2 GiB limit",
                                len);
    pthread_once(&xml_once, xml_init);
    enc = spoor_text__valid_utf8((const unsigned char *)html, len) ? "UTF-8"
                                                                   : NULL;
    hd = htmlReadMemory(html, (int)len, NULL, enc,
                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                            HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!hd)
        return spoor__error_set(SPOOR_EINVALID, "html could not be parsed");
    root = xmlDocGetRootElement(hd);
    if (root)
        error = walk_tree(out, doc, root);
    xmlFreeDoc(hd);
    return error;
}

int spoor_html__text(spoor_buf *out, const char *html, size_t len)
{
    return html_text(out, NULL, html, len);
}

static int detect_html(const unsigned char *d, size_t len)
{
    size_t i = 0, n = len < 1024 ? len : 1024;
    char head[1025];
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        i = 3;
    while (i < n &&
           (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (i >= n || d[i] != '<')
        return 0;
    memcpy(head, d, n);
    head[n] = '\0';
    for (i = 0; i < n; i++)
        if (head[i] == '\0')
            return 0;
    return strcasestr(head, "<!doctype html") || strcasestr(head, "<html") ||
           strcasestr(head, "<body") || strcasestr(head, "<head");
}

static int extract_html(spoor_doc *doc, const unsigned char *d, size_t len,
                        const spoor_limits *lim)
{
    (void)lim;
    doc->has_text = 1;
    return html_text(&doc->text, doc, (const char *)d, len);
}

const spoor_extractor spoor_ex_html = {"html", detect_html, extract_html, NULL};
