/*
 * ex_doc.c: legacy Word documents (Word 97-2003 .doc) with libwv.
 *
 * Why libwv: it is the maintained Debian library that reads the Word binary
 * format (piece tables, 8-bit and UTF-16 text runs, fast-saved files) from
 * a libgsf input, so the document never leaves memory; antiword and catdoc
 * are command-line tools that would need the document on disk or a child
 * process. libwv keeps global state, so calls are serialised by a mutex.
 *
 * Text comes through the character callback: paragraph marks (13), line
 * and page breaks (11, 12) end lines, cell marks (7) are tabs, and field
 * instructions (between the field begin 19 and separator 20) are dropped
 * while field results are kept. 8-bit runs are windows-1252. Dates come
 * from the SummaryInformation stream (ex_ole.c).
 */
#include <pthread.h>
#include <string.h>

#include <gsf/gsf-input-memory.h>
#include <wv.h>

#include "extract_int.h"

static pthread_mutex_t wv_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct doc_ctx {
    spoor_buf *out;
    int field_depth; /* nesting of fields */
    int in_instr;    /* inside a field's instruction part */
    uint32_t high;   /* pending high surrogate */
    int error;
    size_t max;
} doc_ctx;

static void put_cp(doc_ctx *c, uint32_t cp)
{
    if (c->error || c->out->size > c->max)
        return;
    c->error = spoor_text__put_cp(c->out, cp);
}

static int on_char(wvParseStruct *ps, U16 ch, U8 chartype, U16 lid)
{
    doc_ctx *c = ps->userData;
    uint32_t cp = ch;
    (void)lid;
    if (chartype == 1) { /* 8-bit, windows-1252 */
        cp = spoor_text__cp1252((unsigned char)(cp & 0xFF));
    }
    switch (cp) {
    case 19: /* field begin */
        c->field_depth++;
        c->in_instr = 1;
        return 0;
    case 20: /* field separator: the result follows */
        c->in_instr = 0;
        return 0;
    case 21: /* field end */
        if (c->field_depth > 0)
            c->field_depth--;
        c->in_instr = 0;
        return 0;
    default:
        break;
    }
    if (c->in_instr)
        return 0;
    if (cp == 13 || cp == 11 || cp == 12)
        cp = '\n';
    else if (cp == 7)
        cp = '\t';
    else if (cp == 30)
        cp = '-';
    else if (cp == 31 || cp < 9)
        return 0;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        c->high = cp;
        return 0;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = c->high ? 0x10000 + ((c->high - 0xD800) << 10) + (cp - 0xDC00)
                     : 0xFFFD;
        c->high = 0;
    }
    put_cp(c, cp);
    return 0;
}

static int on_special(wvParseStruct *ps, U16 ch, CHP *achp)
{
    (void)ps;
    (void)ch;
    (void)achp;
    return 0; /* pictures, footnote references, ... carry no text */
}

static int extract_doc_here(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim)
{
    wvParseStruct ps;
    GsfInput *in;
    doc_ctx c;
    int ret, error = 0;

    doc->has_text = 1;
    memset(&c, 0, sizeof(c));
    c.out = &doc->text;
    c.max = lim->max_text_bytes;
    pthread_mutex_lock(&wv_lock);
    in = gsf_input_memory_new(d, (gsf_off_t)len, FALSE);
    memset(&ps, 0, sizeof(ps));
    ret = in ? wvInitParser_gsf(&ps, in) : -1;
    if (ret & 0x8000) {
        error = spoor__error_set(SPOOR_EUNSUPPORTED,
                                 "Word document is encrypted with a password");
    } else if (ret) {
        error = spoor__error_set(
            SPOOR_EINVALID, "Word document cannot be read (libwv %d)", ret);
    } else {
        ps.userData = &c;
        wvSetCharHandler(&ps, on_char);
        wvSetSpecialCharHandler(&ps, on_special);
        if (wvText(&ps) != 0 && doc->text.size == 0)
            error = spoor__error_set(SPOOR_EINVALID,
                                     "Word document text cannot be read");
        error = error ? error : c.error;
    }
    if (ret == 0 || (ret & 0x8000))
        wvOLEFree(&ps);
    pthread_mutex_unlock(&wv_lock);
    if (error == 0)
        error = spoor_ole__summary(doc, d, len);
    return error;
}

/* libwv is run in a child process (isolate.c): an old library parsing a
 * hostile binary format, with global state besides. */
static int extract_doc(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    doc->has_text = 1;
    return spoor_extract__isolated(doc, d, len, lim, extract_doc_here, "libwv");
}

const spoor_extractor spoor_ex_doc = {"doc", extract_doc, NULL};
