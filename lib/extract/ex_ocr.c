/*
 * ex_ocr.c: text from pictures with Tesseract (libtesseract, English
 * model from Debian's tesseract-ocr-eng), in a child process (isolate.c):
 * image files (PNG, JPEG, TIFF, read by Leptonica) and the pages of a PDF
 * that have no text layer (rendered by MuPDF at OCR_DPI, see ex_pdf.c).
 *
 * Bounds: MAX_OCR_PAGES pages or images per item (0 turns OCR off),
 * pictures of at most OCR_MAX_PIXELS, and the child's MAX_ITEM_SECONDS.
 * The text is Tesseract's, and report offsets index into it as into any
 * text; the doc says how many pages it came from and Tesseract's mean word
 * confidence (spoor_doc.ocr_pages, ocr_confidence), and check reports
 * both. An image without text is an image: it is compared over its bytes.
 */
#include <stdio.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "extract_int.h"
#include "ocr.h"

/* Pictures larger than this (about 12,000 x 12,000) are not read. */
#define OCR_MAX_PIXELS ((uint64_t)150 << 20)

struct spoor_ocr {
    TessBaseAPI *api;
    long conf_sum; /* confidence of each page read, summed */
    unsigned pages;
    int warm; /* the process's warm engine (spoor_ocr__warm): kept */
};

/* The engine spoor_ocr__warm made in this process (the fork server's, or
 * the caller's), which its children inherit started; NULL if none. */
static spoor_ocr *warm_engine;

/* Make an engine: Tesseract started with the English model. */
static int ocr_start(spoor_ocr **out)
{
    spoor_ocr *o = spoor__calloc(1, sizeof(*o));
    *out = NULL;
    if (!o)
        return spoor__error_oom();
    setMsgSeverity(L_SEVERITY_NONE); /* Leptonica's messages are not ours */
    o->api = TessBaseAPICreate();
    if (!o->api || TessBaseAPIInit3(o->api, NULL, "eng") != 0) {
        if (o->api)
            TessBaseAPIDelete(o->api);
        spoor__free(o);
        return spoor__error_set(SPOOR_EUNSUPPORTED,
                                "Tesseract cannot start (is "
                                "tesseract-ocr-eng installed?)");
    }
    TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
    *out = o;
    return 0;
}

void spoor_ocr__warm(void)
{
    if (!warm_engine && ocr_start(&warm_engine) == 0)
        warm_engine->warm = 1;
}

int spoor_ocr__new(spoor_ocr **out)
{
    if (warm_engine) { /* started already, before this child forked */
        warm_engine->conf_sum = 0;
        warm_engine->pages = 0;
        *out = warm_engine;
        return 0;
    }
    return ocr_start(out);
}

void spoor_ocr__free(spoor_ocr *o)
{
    if (!o || o->warm)
        return;
    TessBaseAPIEnd(o->api);
    TessBaseAPIDelete(o->api);
    spoor__free(o);
}

/* Read pix's text into out. */
static int ocr_pix(spoor_ocr *o, PIX *pix, spoor_buf *out)
{
    char *text;
    int error = 0;
    uint64_t w = pixGetWidth(pix), h = pixGetHeight(pix);
    if (w * h > OCR_MAX_PIXELS)
        return spoor__error_set(SPOOR_ELIMIT,
                                "picture of %llu x %llu pixels is too large "
                                "to read by OCR",
                                (unsigned long long)w, (unsigned long long)h);
    TessBaseAPISetImage2(o->api, pix);
    if (TessBaseAPIRecognize(o->api, NULL) != 0)
        return spoor__error_set(SPOOR_EINVALID, "OCR failed on this picture");
    text = TessBaseAPIGetUTF8Text(o->api);
    if (text) {
        error = spoor_buf_puts(out, text);
        TessDeleteText(text);
    }
    o->conf_sum += TessBaseAPIMeanTextConf(o->api);
    o->pages++;
    TessBaseAPIClear(o->api);
    return error;
}

int spoor_ocr__gray(spoor_ocr *o, const unsigned char *samples, int w, int h,
                    int stride, spoor_buf *out)
{
    PIX *pix;
    int y, error;
    if (w <= 0 || h <= 0 || (uint64_t)w * (uint64_t)h > OCR_MAX_PIXELS)
        return spoor__error_set(SPOOR_ELIMIT,
                                "page of %d x %d pixels is too large to read "
                                "by OCR",
                                w, h);
    if (!(pix = pixCreate(w, h, 8)))
        return spoor__error_oom();
    for (y = 0; y < h; y++) {
        l_uint32 *line = pixGetData(pix) + (size_t)y * pixGetWpl(pix);
        int x;
        for (x = 0; x < w; x++)
            SET_DATA_BYTE(line, x, samples[(size_t)y * stride + x]);
    }
    error = ocr_pix(o, pix, out);
    pixDestroy(&pix);
    return error;
}

void spoor_ocr__done(spoor_ocr *o, spoor_doc *doc)
{
    doc->ocr_pages = o->pages;
    doc->ocr_confidence = o->pages ? (int)(o->conf_sum / o->pages) : 0;
}

/* An image file: its text, read by Tesseract in the child. */
static int extract_image_here(spoor_doc *doc, const unsigned char *d,
                              size_t len, const spoor_limits *lim)
{
    spoor_ocr *o = NULL;
    PIX *pix;
    int error = 0;
    (void)lim;
    setMsgSeverity(L_SEVERITY_NONE);
    if (!(pix = pixReadMem(d, len)))
        return spoor__error_set(SPOOR_EINVALID, "picture cannot be decoded");
    SPOOR_TRY(spoor_ocr__new(&o));
    SPOOR_TRY(ocr_pix(o, pix, &doc->text));
    spoor_ocr__done(o, doc);
done:
    spoor_ocr__free(o);
    pixDestroy(&pix);
    return error;
}

static int extract_image(spoor_doc *doc, const unsigned char *d, size_t len,
                         const spoor_limits *lim)
{
    int error;
    doc->format = len > 3 && d[0] == 0xFF && d[1] == 0xD8 ? "jpeg"
                  : len > 3 && d[0] == 0x89               ? "png"
                                                          : "tiff";
    if (!lim->max_ocr_pages) { /* OCR off: an image is compared as bytes */
        doc->has_text = 0;
        return 0;
    }
    doc->has_text = 1;
    error = spoor_extract__isolated_warm(doc, d, len, lim, extract_image_here,
                                         "Tesseract", spoor_ocr__warm);
    if (error < 0 && error != SPOOR_ENOMEM) {
        /* no text read: the picture is still compared as bytes, and the
         * reason is said */
        char note[300];
        snprintf(note, sizeof(note), "OCR read nothing: %s",
                 spoor_error_last()->message);
        spoor__free(doc->warning);
        if (!(doc->warning = spoor__strdup(note)))
            return spoor__error_oom();
        spoor_buf_clear(&doc->text);
        error = 0;
    }
    if (error == 0 &&
        !spoor_extract__has_alnum(
            (const unsigned char *)(doc->text.ptr ? doc->text.ptr : ""),
            doc->text.size)) {
        /* a picture without text is a picture: compared over its bytes */
        spoor_buf_clear(&doc->text);
        doc->has_text = 0;
        doc->ocr_pages = 0;
    }
    return error;
}

const spoor_extractor spoor_ex_image = {"image", extract_image, NULL};
