/*
 * detect.h: which format a byte string is, decided from the bytes alone.
 *
 * The detect stage of the pipeline. Each function looks only at the bytes
 * it is given (at most a bounded prefix for most formats), calls no library
 * and allocates nothing, so detection never loads the extractor module
 * (lib/module/module.h). Formats are tried in the order of
 * lib/extract/extract.c; each returns non-zero when d[0..len) has its format.
 */
#ifndef SPOOR_DETECT_H
#define SPOOR_DETECT_H

#include <stddef.h>

int spoor_detect__empty(const unsigned char *d, size_t len);
int spoor_detect__pdf(const unsigned char *d, size_t len);
int spoor_detect__pst(const unsigned char *d, size_t len);
/** Never matches: for formats only a container produces. */
int spoor_detect__never(const unsigned char *d, size_t len);
int spoor_detect__ooxml(const unsigned char *d, size_t len);
int spoor_detect__archive(const unsigned char *d, size_t len);
int spoor_detect__msg(const unsigned char *d, size_t len);
/** PNG, JPEG or TIFF. */
int spoor_detect__image(const unsigned char *d, size_t len);
int spoor_detect__xls(const unsigned char *d, size_t len);
int spoor_detect__doc(const unsigned char *d, size_t len);
int spoor_detect__rtf(const unsigned char *d, size_t len);
int spoor_detect__mbox(const unsigned char *d, size_t len);
int spoor_detect__eml(const unsigned char *d, size_t len);
int spoor_detect__html(const unsigned char *d, size_t len);
int spoor_detect__text(const unsigned char *d, size_t len);
/** Always matches: the last resort. */
int spoor_detect__binary(const unsigned char *d, size_t len);

int spoor_detect__odf(const unsigned char *d, size_t len);
int spoor_detect__flat_odf(const unsigned char *d, size_t len);

/** "odt", "ods" or "odp" for an OpenDocument package, or NULL. */
const char *spoor_detect__odf_kind(const unsigned char *d, size_t len);
/** "fodt", "fods" or "fodp" for a flat OpenDocument XML file, or NULL. */
const char *spoor_detect__flat_odf_kind(const unsigned char *d, size_t len);
/** "docx", "xlsx" or "pptx" for an OOXML package, or NULL. */
const char *spoor_detect__ooxml_kind(const unsigned char *d, size_t len);
/** Non-zero if d is an OLE2 compound file. */
int spoor_detect__is_ole(const unsigned char *d, size_t len);
/** Non-zero if an OLE2 file d names a stream called name (UTF-16LE). */
int spoor_detect__ole_has_stream(const unsigned char *d, size_t len,
                                 const char *name);
/** Non-zero if an mbox "From " separator line starts at d[i]. */
int spoor_detect__mbox_from_line(const unsigned char *d, size_t len, size_t i);
/** Length of a byte-order mark (UTF-8 3, UTF-16 2) at d, or 0. */
int spoor_detect__bom(const unsigned char *d, size_t len);

#endif
