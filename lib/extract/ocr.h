/*
 * ocr.h: Tesseract over pictures (ex_ocr.c), for the readers of images and
 * of PDF pages without a text layer. Used in a child process only.
 */
#ifndef SPOOR_OCR_H
#define SPOOR_OCR_H

#include "extract_int.h"

/* Resolution PDF pages are rendered at for OCR. */
#define SPOOR_OCR_DPI 200

typedef struct spoor_ocr spoor_ocr;

/** Start Tesseract (English). @return 0, SPOOR_EUNSUPPORTED (no model) or
 * SPOOR_ENOMEM. */
/** An engine for reading pages: the process's warm one when
 * spoor_ocr__warm made it (a child then starts with Tesseract loaded),
 * else a new one. @return 0 or SPOOR_EUNSUPPORTED (no model). */
int spoor_ocr__new(spoor_ocr **out);

/** Start this process's warm engine, once (a spoor_warm_fn: the fork
 * server runs it before forking OCR children). A failure leaves none: the
 * children then start their own and report why. */
void spoor_ocr__warm(void);
void spoor_ocr__free(spoor_ocr *o);

/** Append the text of an 8-bit gray picture (w x h, stride bytes a row)
 * to out. @return 0, SPOOR_ELIMIT (too large), SPOOR_EINVALID or ENOMEM. */
int spoor_ocr__gray(spoor_ocr *o, const unsigned char *samples, int w, int h,
                    int stride, spoor_buf *out);

/** Record in doc how many pictures o read and their mean confidence. */
void spoor_ocr__done(spoor_ocr *o, spoor_doc *doc);

#endif
