/*
 * ex_pdf.c: PDF text and dates with MuPDF.
 *
 * Content detection guarantees a PDF header, and the document is opened as
 * application/pdf, so MuPDF's PDF handler reads it; each call has its own
 * fz_context (so threads need no locks), and MuPDF's
 * warnings are silenced: damage is reported through spoor_doc.warning.
 * Text comes page by page in MuPDF's reading order (structured text), a
 * line per line and a blank line between pages, at most MAX_PDF_PAGES
 * pages. A page that cannot be read is counted in the warning and the rest
 * are still read. Info CreationDate / ModDate become the dates "created" /
 * "modified" (converted to UTC when the PDF gives an offset); Producer,
 * Creator, Author and Title become metadata. Encrypted PDFs are opened with
 * the empty user password when they allow it, and refused otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mupdf/fitz.h>

#include "extract_int.h"
#include "ocr.h"

static void quiet(void *user, const char *message)
{
    (void)user;
    (void)message;
}

static int digits(const char *s, int n, int *out)
{
    int i, v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* "D:YYYYMMDDHHmmSSOHH'mm'" -> ISO 8601 (UTC when an offset is given). */
static int pdf_date_iso(const char *s, char *out, size_t cap)
{
    int y, mo = 1, d = 1, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;
    size_t n;
    if (!strncmp(s, "D:", 2))
        s += 2;
    n = strlen(s);
    if (n < 4 || !digits(s, 4, &y))
        return 0;
    if (n >= 6 && !digits(s + 4, 2, &mo))
        return 0;
    if (n >= 8 && !digits(s + 6, 2, &d))
        return 0;
    if (n >= 10)
        digits(s + 8, 2, &h);
    if (n >= 12)
        digits(s + 10, 2, &mi);
    if (n >= 14)
        digits(s + 12, 2, &se);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return 0;
    if (n >= 15 && (s[14] == '+' || s[14] == '-' || s[14] == 'Z')) {
        sign = s[14] == '+' ? 1 : s[14] == '-' ? -1 : 0;
        if (sign && n >= 17)
            digits(s + 15, 2, &oh);
        if (sign && n >= 20)
            digits(s + 18, 2, &om);
        {
            long t = spoor__days_from_civil(y, mo, d) * 86400L + h * 3600L +
                     mi * 60L + se - sign * (oh * 3600L + om * 60L);
            long days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
            long secs = t - days * 86400;
            long yy, mm, dd;
            spoor__civil_from_days(days, &yy, &mm, &dd);
            if (yy < 0 || yy > 9999)
                return 0;
            snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)yy,
                     (int)mm, (int)dd, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
        }
        return 1;
    }
    if (n >= 14)
        snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi,
                 se);
    else
        snprintf(out, cap, "%04d-%02d-%02d", y, mo, d);
    return 1;
}

static int add_info(spoor_doc *doc, fz_context *ctx, fz_document *fdoc)
{
    static const struct {
        const char *key, *name;
        int is_date;
    } keys[] = {
        {FZ_META_INFO_CREATIONDATE, "created", 1},
        {FZ_META_INFO_MODIFICATIONDATE, "modified", 1},
        {FZ_META_INFO_PRODUCER, "producer", 0},
        {FZ_META_INFO_CREATOR, "creator", 0},
        {FZ_META_INFO_AUTHOR, "author", 0},
        {FZ_META_INFO_TITLE, "title", 0},
    };
    char value[1024], iso[64];
    volatile size_t i;
    int error = 0;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && error == 0; i++) {
        volatile int n = -1;
        fz_try(ctx) n =
            fz_lookup_metadata(ctx, fdoc, keys[i].key, value, sizeof(value));
        fz_catch(ctx) n = -1;
        if (n <= 0 || !value[0])
            continue;
        if (!keys[i].is_date)
            error = spoor_doc__add_meta(doc, keys[i].name, value);
        else if (pdf_date_iso(value, iso, sizeof(iso)))
            error = spoor_doc__add_date(doc, keys[i].name, iso,
                                        "PDF Info dictionary");
    }
    return error;
}

/* Render page i of fdoc in gray at SPOOR_OCR_DPI and append its OCR text. */
static int ocr_page(fz_context *ctx, fz_document *fdoc, int i, spoor_ocr *ocr,
                    spoor_buf *out)
{
    fz_pixmap *volatile pix = NULL;
    volatile int error = 0;
    fz_try(ctx)
    {
        float z = SPOOR_OCR_DPI / 72.0f;
        pix = fz_new_pixmap_from_page_number(ctx, fdoc, i, fz_scale(z, z),
                                             fz_device_gray(ctx), 0);
        error = spoor_ocr__gray(
            ocr, fz_pixmap_samples(ctx, pix), fz_pixmap_width(ctx, pix),
            fz_pixmap_height(ctx, pix), (int)fz_pixmap_stride(ctx, pix), out);
    }
    fz_always(ctx) fz_drop_pixmap(ctx, pix);
    fz_catch(ctx) error =
        spoor__error_set(SPOOR_EINVALID, "page %d cannot be rendered", i + 1);
    return error;
}

/*
 * The text of the PDF d into doc, page by page; pages without a letter or
 * digit are counted in *textless, and read by OCR (at most max_ocr_pages
 * of them) when ocr is given. With info, the Info dictionary's dates and
 * names too.
 */
static int pdf_text(spoor_doc *doc, const unsigned char *d, size_t len,
                    const spoor_limits *lim, spoor_ocr *ocr, int info,
                    int *textless)
{
    fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
    fz_stream *volatile stm = NULL;
    fz_document *volatile fdoc = NULL;
    volatile int error = 0, pages = 0, bad_pages = 0, encrypted = 0;
    volatile unsigned ocr_done = 0;
    char note[256];
    volatile int i;

    *textless = 0;
    if (!ctx)
        return spoor__error_oom();
    fz_set_warning_callback(ctx, quiet, NULL);
    fz_set_error_callback(ctx, quiet, NULL);
    fz_try(ctx)
    {
        fz_register_document_handlers(ctx);
        stm = fz_open_memory(ctx, d, len);
        fdoc = fz_open_document_with_stream(ctx, "application/pdf", stm);
        if (fz_needs_password(ctx, fdoc) &&
            !fz_authenticate_password(ctx, fdoc, ""))
            encrypted = 1;
        else
            pages = fz_count_pages(ctx, fdoc);
    }
    fz_catch(ctx)
    {
        error = spoor__error_set(SPOOR_EINVALID, "PDF cannot be opened: %s",
                                 fz_caught_message(ctx));
    }
    if (error == 0 && encrypted)
        error = spoor__error_set(SPOOR_EUNSUPPORTED,
                                 "PDF is encrypted with a password");
    if (error == 0 && (unsigned)pages > lim->max_pdf_pages)
        error = spoor__error_set(SPOOR_ELIMIT,
                                 "PDF has %d pages, more than MAX_PDF_PAGES "
                                 "(%u)",
                                 pages, lim->max_pdf_pages);
    for (i = 0; error == 0 && i < pages; i++) {
        fz_stext_page *volatile sp = NULL;
        fz_buffer *volatile buf = NULL;
        volatile int empty = 0;
        fz_try(ctx)
        {
            unsigned char *data;
            size_t n;
            sp = fz_new_stext_page_from_page_number(ctx, fdoc, i, NULL);
            buf = fz_new_buffer_from_stext_page(ctx, sp);
            n = fz_buffer_storage(ctx, buf, &data);
            empty = !spoor_extract__has_alnum(data, n);
            if (!(empty && ocr) && spoor_buf_put(&doc->text, data, n) < 0)
                fz_throw(ctx, FZ_ERROR_GENERIC, "out of memory");
        }
        fz_always(ctx)
        {
            fz_drop_buffer(ctx, buf);
            fz_drop_stext_page(ctx, sp);
        }
        fz_catch(ctx)
        {
            bad_pages++;
        }
        if (empty) {
            (*textless)++;
            if (ocr && ocr_done < lim->max_ocr_pages) {
                ocr_done++;
                error = ocr_page(ctx, fdoc, i, ocr, &doc->text);
            }
        }
        if (error == 0 && spoor_buf_puts(&doc->text, "\n") < 0)
            error = spoor__error_oom();
        if (doc->text.size > lim->max_text_bytes)
            break;
    }
    if (error == 0 && info)
        error = add_info(doc, ctx, fdoc);
    if (error == 0 && bad_pages) {
        snprintf(note, sizeof(note),
                 "%d of %d pages could not be read and have no text", bad_pages,
                 pages);
        if (!(doc->warning = spoor__strdup(note)))
            error = spoor__error_oom();
    }
    fz_drop_document(ctx, fdoc);
    fz_drop_stream(ctx, stm);
    fz_drop_context(ctx);
    return error;
}

/* In the child: the whole text, pages without a text layer read by OCR. */
static int pdf_ocr_here(spoor_doc *doc, const unsigned char *d, size_t len,
                        const spoor_limits *lim)
{
    spoor_ocr *ocr = NULL;
    int textless, error = spoor_ocr__new(&ocr);
    if (error == 0)
        error = pdf_text(doc, d, len, lim, ocr, 0, &textless);
    if (error == 0)
        spoor_ocr__done(ocr, doc);
    spoor_ocr__free(ocr);
    return error;
}

static int extract_pdf(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    spoor_doc ocr = SPOOR_DOC_INIT;
    int textless = 0, error;

    doc->has_text = 1;
    error = pdf_text(doc, d, len, lim, NULL, 1, &textless);
    if (error < 0 || !textless || !lim->max_ocr_pages)
        return error;
    /* pages without a text layer (a scan): Tesseract reads them, in a
     * child process */
    ocr.has_text = 1;
    error = spoor_extract__isolated_warm(&ocr, d, len, lim, pdf_ocr_here,
                                         "Tesseract", spoor_ocr__warm);
    if (error == 0) {
        spoor_buf t = doc->text;
        doc->text = ocr.text;
        ocr.text = t;
        doc->ocr_pages = ocr.ocr_pages;
        doc->ocr_confidence = ocr.ocr_confidence;
    } else if (error != SPOOR_ENOMEM) {
        char note[300];
        snprintf(note, sizeof(note),
                 "%d page%s without a text layer, and OCR failed: %s", textless,
                 textless == 1 ? "" : "s", spoor_error_last()->message);
        if (!doc->warning && !(doc->warning = spoor__strdup(note)))
            error = spoor__error_oom();
        else
            error = 0;
    }
    spoor_doc_dispose(&ocr);
    return error;
}

const spoor_extractor spoor_ex_pdf = {"pdf", extract_pdf, NULL};
