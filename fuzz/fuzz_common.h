/*
 * fuzz_common.h: shared body of the extractor fuzz targets.
 *
 * Each target feeds arbitrary bytes to one extractor (skipping content
 * detection, so the parser sees everything), streams the children of
 * containers, then normalises and fingerprints the text, checking the
 * offset-map invariants. Tight limits keep each input fast. Built with
 * libFuzzer (clang, -Dfuzz=true) or with fuzz/replay.c (any compiler), which
 * replays a corpus as an ordinary test.
 */
#ifndef SPOOR_FUZZ_COMMON_H
#define SPOOR_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spoor/spoor.h>

#include "extract/extract_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_limits(spoor_limits *lim)
{
    spoor_limits_default(lim);
    lim->max_member_bytes = 8 << 20;
    lim->max_expanded_bytes = 32 << 20;
    lim->max_members = 1000;
    lim->max_pdf_pages = 50;
    lim->max_text_bytes = 16 << 20;
    /* an isolated library that hangs is killed well before libFuzzer's
     * -timeout (10 s in scripts/fuzz.sh): the item is then skipped, as
     * in use */
    lim->max_item_seconds = 4;
}

/* The canonical map is monotone and inside the text. */
static inline void fuzz_check_text(const char *text, size_t len)
{
    spoor_canon c = SPOOR_CANON_INIT;
    spoor_fps f = SPOOR_FPS_INIT;
    size_t i;
    if (spoor_normalise(&c, text, len) == 0) {
        for (i = 0; i < c.len; i++) {
            if (c.start[i] >= c.end[i] || c.end[i] > len ||
                (i && (c.start[i] < c.start[i - 1] || c.end[i] < c.end[i - 1])))
                abort();
        }
        if (spoor_winnow_u32(&f, c.chars, c.len, SPOOR_TEXT_K, SPOOR_TEXT_W,
                             SPOOR_SEED_TEXT) == 0)
            for (i = 1; i < f.n; i++)
                if (f.v[i].pos <= f.v[i - 1].pos)
                    abort();
    }
    spoor_fps_dispose(&f);
    spoor_canon_dispose(&c);
}

static inline int fuzz_sink(void *payload, const spoor_child_event *ev)
{
    (void)payload;
    if (ev->data && ev->len)
        fuzz_check_text(ev->data, ev->len < 65536 ? ev->len : 65536);
    return 0;
}

static inline void fuzz_extractor(const spoor_extractor *ex, const uint8_t *data,
                           size_t size)
{
    spoor_doc doc = SPOOR_DOC_INIT;
    spoor_limits lim;
    fuzz_limits(&lim);
    /* OCR (Tesseract starts in a child for a few hundred ms) only where it
     * is the point: the image target; the PDF target fuzzes MuPDF */
    if (ex != &spoor_ex_image)
        lim.max_ocr_pages = 0;
    doc.format = ex->name;
    doc.extractor = ex;
    doc.streams_children = ex->children != NULL;
    if (ex->extract(&doc, data, size, &lim) == 0 &&
        spoor_doc__finish(&doc) == 0) {
        if (doc.text.size && !spoor_text__valid_utf8(
                                 (const unsigned char *)doc.text.ptr,
                                 doc.text.size))
            abort(); /* extracted text is always valid UTF-8 */
        fuzz_check_text(doc.text.ptr ? doc.text.ptr : "", doc.text.size);
        if (ex->children)
            ex->children(data, size, &lim, fuzz_sink, NULL);
    }
    spoor_doc_dispose(&doc);
}

#define SPOOR_FUZZ_EXTRACTOR(name)                                             \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)               \
    {                                                                          \
        fuzz_extractor(&spoor_ex_##name, data, size);                          \
        return 0;                                                              \
    }

#endif
