/*
 * extract_int.h: the extractor interface inside libspoor.
 *
 * A format is detected by lib/detect/ and read by its extractor; the
 * table in extract.c lists them, most specific first, and says which
 * extractors live in libspoor and which in the extractor module
 * (module.h). extract() fills the doc; helpers below add dates, metadata
 * and children.
 */
#ifndef SPOOR_EXTRACT_INT_H
#define SPOOR_EXTRACT_INT_H

#include <spoor/extract.h>

#include "../common/internal.h"

typedef struct spoor_extractor {
    const char *name;
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

/** Work done once, before children fork, that they all inherit (a loaded
 * OCR model). Runs in a process with no other thread. */
typedef void (*spoor_warm_fn)(void);

/**
 * spoor_extract__isolated, the child starting warm: warm has run once in
 * the process that forks it (the fork server, or the caller when it forks
 * directly), so every child inherits what it made, copy-on-write, instead
 * of making it again.
 */
int spoor_extract__isolated_warm(spoor_doc *doc, const unsigned char *d,
                                 size_t len, const spoor_limits *lim,
                                 spoor_isolated_fn fn, const char *library,
                                 spoor_warm_fn warm);

/**
 * Whether spoor_extract__isolated forks the caller itself (no fork server
 * runs): the child then has the caller's memory as it is at the call.
 */
int spoor_extract__forks_directly(void);

/**
 * Add a child read as the internal format named format (an extractor that
 * is never detected by content, e.g. "pst-message"), or detected when
 * format is NULL; format must be static storage. Takes ownership of owned.
 */
int spoor_doc__add_child_as(spoor_doc *doc, const char *name,
                            const char *format, const void *data, size_t len,
                            void *owned);

/**
 * Extract data as the extractor named format, skipping detection (formats
 * that only a container produces); unknown names are SPOOR_EINVALID.
 */
int spoor_extract__as(spoor_doc *out, const void *data, size_t len,
                      const char *format, const spoor_limits *limits);

/** The static name of the extractor called name, or NULL. */
const char *spoor_extract__format_name(const char *name);

/* ---- wire.c: a doc as length-prefixed records (see wire.c) ---- */

/** Append one record [type][len:4 LE][p]. @return 0 or SPOOR_ENOMEM. */
int spoor_wire__record(spoor_buf *out, char type, const void *p, size_t n);
/** Append a 'C' child record (format NULL: detect by content). */
int spoor_wire__child(spoor_buf *out, const char *name, const char *format,
                      const void *data, size_t len);
/** Append an 'S' record: child name skipped with code and reason. */
int spoor_wire__skip(spoor_buf *out, const char *name, int code,
                     const char *reason);
/** Append an 'E' record: the extraction failed with code and message. */
int spoor_wire__error(spoor_buf *out, int code, const char *message);
/** Append doc's text, dates, metadata, children, skips and warning. */
int spoor_wire__encode_doc(spoor_buf *out, const spoor_doc *doc);
/**
 * Split the record at d[0..len): its type, payload and payload size.
 * @return the record's whole size, or 0 if d holds no complete record.
 */
size_t spoor_wire__next(const unsigned char *d, size_t len, char *type,
                        const unsigned char **payload, size_t *n);
/**
 * Apply one record to doc; malformed records are ignored. An 'E' record
 * sets the error state and *record_error. Children point into p unless
 * copy_children. @return 0 or SPOOR_ENOMEM.
 */
int spoor_wire__apply(spoor_doc *doc, char type, const unsigned char *p,
                      size_t n, int *record_error, int copy_children);
/** Apply every complete record of d[0..len) to doc. */
int spoor_wire__decode_doc(spoor_doc *doc, const unsigned char *d, size_t len,
                           int *record_error, int copy_children);

/** A streaming container read in a child process: fn emits records into
 * out ('C' and 'S'; an 'E' ends it) and calls flush(out, ctx) when out is
 * worth sending; see spoor_extract__isolated_children. */
typedef int (*spoor_wire_flush)(spoor_buf *out, void *ctx);
typedef int (*spoor_isolated_children_fn)(const unsigned char *d, size_t len,
                                          const spoor_limits *lim,
                                          spoor_buf *out,
                                          spoor_wire_flush flush, void *ctx);

/**
 * Run fn in a child process and pass each child it emits to sink, in
 * order, as it arrives (memory stays bounded by one record). A child
 * that sends nothing for MAX_ITEM_SECONDS, a record over MAX_MEMBER_BYTES
 * plus 1 MiB, or a crash ends the stream with an error naming library;
 * children already sent stay sent. @return as spoor_extract_children.
 */
int spoor_extract__isolated_children(const unsigned char *d, size_t len,
                                     const spoor_limits *lim,
                                     spoor_isolated_children_fn fn,
                                     const char *library, spoor_child_sink sink,
                                     void *payload);

/** Tell isolate.c which input file this thread is reading (fd, and its
 * read-only mapping), so a fork server child can map it instead of a copy;
 * fd -1 when done. */
void spoor_isolate__set_file(int fd, const void *map, size_t size);

/** Start the fork server for isolated extractors (before any thread is
 * created; see isolate.c). Idempotent. @return 0 or SPOOR_EIO. */
int spoor_isolate__server_start(void);

/** Stop the fork server, if started. */
void spoor_isolate__server_stop(void);

/** Append "name: value\n" to out (mail header blocks); nothing when value
 * is NULL or empty. */
int spoor_doc__put_header(spoor_buf *out, const char *name, const char *value);

/** Add n metadata pairs kv[2i] = kv[2i+1], skipping NULL or empty values. */
int spoor_doc__add_metas(spoor_doc *doc, const char *const *kv, size_t n);

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

/** Add the SummaryInformation dates and metadata of an OLE2 file. */
int spoor_ole__summary(spoor_doc *doc, const unsigned char *d, size_t len);

/** Whether s[0..n) holds an ASCII letter or digit, or any non-ASCII byte
 * (text worth reading, as opposed to an empty or image-only page). */
int spoor_extract__has_alnum(const unsigned char *s, size_t n);

/** Non-zero if data[0..len) is valid UTF-8. */
int spoor_text__valid_utf8(const unsigned char *data, size_t len);

/* In libspoor (ex_text.c, ex_rtf.c). */
extern const spoor_extractor spoor_ex_empty, spoor_ex_rtf, spoor_ex_text,
    spoor_ex_binary;
/* In the mail module (module_mail.c lists them). */
extern const spoor_extractor spoor_ex_mbox, spoor_ex_eml, spoor_ex_html;
/* In the documents module (module_docs.c lists them). */
extern const spoor_extractor spoor_ex_pdf, spoor_ex_pst, spoor_ex_pst_message,
    spoor_ex_ooxml, spoor_ex_archive, spoor_ex_xls, spoor_ex_doc, spoor_ex_odf,
    spoor_ex_flat_odf, spoor_ex_msg, spoor_ex_image;

#endif
