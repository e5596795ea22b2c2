/*
 * extract_int.h: the extractor interface inside libspoor.
 *
 * An extractor is a (detect, extract) pair registered in extractor_list.h.
 * detect() returns non-zero when data has the format; extractors are tried
 * in table order, so more specific formats come first. extract() fills the
 * doc; helpers below add dates, metadata and children.
 */
#ifndef SPOOR_EXTRACT_INT_H
#define SPOOR_EXTRACT_INT_H

#include <spoor/extract.h>

#include "../common/internal.h"

typedef struct spoor_extractor {
    const char *name;
    int (*detect)(const unsigned char *data, size_t len);
    int (*extract)(spoor_doc *doc, const unsigned char *data, size_t len,
                   const spoor_limits *lim);
    /* containers that stream their members; NULL otherwise */
    int (*children)(const unsigned char *data, size_t len,
                    const spoor_limits *lim, spoor_child_sink sink,
                    void *payload);
} spoor_extractor;

int spoor_doc__add_date(spoor_doc *doc, const char *field, const char *value,
                        const char *source);
int spoor_doc__add_meta(spoor_doc *doc, const char *key, const char *value);
/** Add a child; takes ownership of owned (freed with spoor__free). */
int spoor_doc__add_child(spoor_doc *doc, const char *name, const void *data,
                         size_t len, void *owned);

typedef int (*spoor_isolated_fn)(spoor_doc *doc, const unsigned char *d,
                                 size_t len, const spoor_limits *lim);

/**
 * Run fn in a child process (isolate.c) and copy its text, dates, metadata
 * and warning into doc; a crash, a hang past MAX_ITEM_SECONDS or too much
 * output is an error naming library.
 */
int spoor_extract__isolated(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim, spoor_isolated_fn fn,
                            const char *library);

/** Record a child that could not be read. */
int spoor_doc__add_skip(spoor_doc *doc, const char *name, int code,
                        const char *reason);

/** Replace '!' and control characters in a child name by '_'. */
void spoor_extract__sanitize_name(char *s);

/** Append the visible text of an HTML document to out (libxml2). */
int spoor_html__text(spoor_buf *out, const char *html, size_t len);

/** Decode bytes of unknown encoding into UTF-8 (BOM, UTF-8, cp1252). */
int spoor_text__decode(spoor_buf *out, const unsigned char *data, size_t len,
                       const char **encoding_out);

/** Copy UTF-8, invalid sequences as U+FFFD; returns how many, or < 0. */
int spoor_text__decode_utf8(spoor_buf *out, const unsigned char *data,
                            size_t len);

/**
 * Last step of every extraction: guarantees the text is valid UTF-8
 * (replacing what is not, with a warning).
 */
int spoor_doc__finish(spoor_doc *doc);

/** Append code point cp as UTF-8 (1 to 4 bytes). @return 0 or ENOMEM. */
int spoor_text__put_cp(spoor_buf *out, uint32_t cp);

/** The code point of windows-1252 byte b (undefined bytes keep their
 * Latin-1 value). */
uint32_t spoor_text__cp1252(unsigned char b);

/** Non-zero if data starts like an OLE2 compound file (ex_ole.c). */
int spoor_ole__is_ole(const unsigned char *d, size_t len);

/** Non-zero if an OLE2 directory entry named name (ASCII, at most 32
 * characters) appears in data (names are stored as UTF-16LE). */
int spoor_ole__has_stream(const unsigned char *d, size_t len, const char *name);

/** Add the SummaryInformation dates and metadata of an OLE2 file. */
int spoor_ole__summary(spoor_doc *doc, const unsigned char *d, size_t len);

/** Non-zero if data[0..len) is valid UTF-8. */
int spoor_text__valid_utf8(const unsigned char *data, size_t len);

#define X(name) extern const spoor_extractor spoor_ex_##name;
#include "extractor_list.h"
#undef X

#endif
