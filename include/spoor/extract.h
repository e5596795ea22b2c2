/*
 * spoor/extract.h: format detection and text/metadata extraction.
 *
 * spoor_extract() detects an item's format from its content (never from a
 * name), and fills a spoor_doc with the item's text (always valid UTF-8),
 * its encoding when it was a text file, dated metadata, other metadata and
 * its children (mbox messages, email attachments). Extractors never write to
 * disk and never execute anything from the input; every bound they apply is
 * in lib/common/limits.h.
 *
 * A spoor_doc starts as SPOOR_DOC_INIT and is released with
 * spoor_doc_dispose(). Children may point into the input data, so the input
 * must outlive the doc. Thread safe: docs are independent.
 */
#ifndef SPOOR_EXTRACT_H
#define SPOOR_EXTRACT_H

#include "buf.h"
#include "common.h"

typedef struct spoor_date {
    char *field;  /* e.g. "date", "modified"; owned */
    char *value;  /* ISO 8601, UTC when the source says so; owned */
    char *source; /* where it came from, e.g. "Date header"; owned */
} spoor_date;

typedef struct spoor_meta {
    char *key;   /* owned */
    char *value; /* owned, UTF-8 */
} spoor_meta;

typedef struct spoor_child {
    char *name;       /* path component after '!'; owned */
    const void *data; /* child bytes (into the input or into owned) */
    size_t len;
    void *owned;        /* freed with the doc, may be NULL */
    const char *format; /* internal format the bytes are in (read as it,
                           not detected), or NULL; static storage */
} spoor_child;

typedef struct spoor_skip {
    char *name;   /* child name; owned */
    int code;     /* SPOOR_E* */
    char *reason; /* owned */
} spoor_skip;

/**
 * Bounds on hostile input (defaults and why: lib/common/limits.h). Reaching
 * one skips the item or member and reports the bound's name.
 */
typedef struct spoor_limits {
    uint64_t max_file_bytes;      /* MAX_FILE_BYTES: largest input file */
    uint64_t max_text_bytes;      /* MAX_TEXT_BYTES: extracted text per item */
    unsigned max_depth;           /* MAX_DEPTH: nesting of items */
    uint64_t max_members;         /* MAX_MEMBERS: children per container */
    uint64_t max_member_bytes;    /* MAX_MEMBER_BYTES: one expanded member */
    uint64_t max_expanded_bytes;  /* MAX_EXPANDED_BYTES: per archive */
    uint64_t max_expansion_ratio; /* MAX_EXPANSION_RATIO: expanded/packed */
    unsigned max_mime_parts;      /* MAX_MIME_PARTS: per message */
    unsigned max_mime_depth;      /* MAX_MIME_DEPTH: multipart nesting */
    unsigned max_pdf_pages;       /* MAX_PDF_PAGES: per PDF */
    unsigned max_item_seconds;    /* MAX_ITEM_SECONDS: per item read by an
                                     isolated (child-process) extractor */
    unsigned max_ocr_pages;       /* MAX_OCR_PAGES: pages (and images) read
                                     by OCR per item; 0 turns OCR off */
} spoor_limits;

/** Fill out with the default bounds. */
SPOOR_API void spoor_limits_default(spoor_limits *out);

/** One child met while streaming a container (see spoor_extract_children). */
typedef struct spoor_child_event {
    const char *name; /* member name, '!' replaced by '_' */
    const void *data; /* member bytes, valid during the call; NULL if
                         skipped */
    size_t len;
    const char *mtime;  /* ISO 8601 member time, or NULL */
    int code;           /* 0, or why the member was skipped */
    const char *reason; /* NULL, or the reason it was skipped */
    const char *format; /* internal format to read the bytes as (e.g.
                           "pst-message"), or NULL to detect by content */
} spoor_child_event;

typedef int (*spoor_child_sink)(void *payload, const spoor_child_event *ev);

typedef struct spoor_doc {
    const char *format;   /* "text", "eml", "mbox", "html", "binary",
                             "empty"; static storage */
    const char *encoding; /* text files: "utf-8", "utf-16le", "utf-16be",
                             "windows-1252"; NULL otherwise; static */
    int has_text;         /* 0: binary item, fingerprinted over bytes */
    spoor_buf text;       /* UTF-8 text (may be empty) */
    size_t header_bytes;  /* an email's header block: text[0, header_bytes)
                             is metadata (From, To, Date, Subject), ends
                             with an empty line and is never compared */
    spoor_date *dates;
    size_t n_dates, cap_dates;
    spoor_meta *meta;
    size_t n_meta, cap_meta;
    spoor_child *children;
    size_t n_children, cap_children;
    spoor_skip *skips; /* children that could not be read */
    size_t n_skips, cap_skips;
    int streams_children;  /* children come from spoor_extract_children */
    const void *extractor; /* internal: which extractor read it */
    char *warning;         /* a note on how the item was read, or NULL; owned */
    int textless;       /* a document (docx, pdf...) that yielded no text and no
                           members: reported, never silent (see spoor_walk) */
    unsigned ocr_pages; /* pages (or images) whose text is Tesseract's */
    int ocr_confidence; /* their mean word confidence, 0-100 */
} spoor_doc;

#define SPOOR_DOC_INIT                                                         \
    {                                                                          \
        0                                                                      \
    }

/** Name of the format that data's content has; static storage. */
SPOOR_API const char *spoor_detect(const void *data, size_t len);

/**
 * Extract data (len bytes, any content) into out, which must be
 * SPOOR_DOC_INIT or disposed. On failure out holds what was extracted so
 * far and must still be disposed.
 * @return 0, SPOOR_EINVALID (malformed beyond recovery; message says why),
 *         SPOOR_ELIMIT (a bound was reached; message names it), or
 *         SPOOR_ENOMEM.
 */
SPOOR_API int spoor_extract(spoor_doc *out, const void *data, size_t len,
                            const spoor_limits *limits);

/**
 * Stream the children of a container (archives) whose doc says
 * streams_children: each member, or each member skipped with its reason,
 * goes to sink in order, so only one expanded member is in memory at a
 * time. A negative return from sink stops and is returned.
 * @return 0, a negative sink value, or SPOOR_ELIMIT / SPOOR_EINVALID when
 *         the container itself ends early (members seen so far were sent).
 */
SPOOR_API int spoor_extract_children(const spoor_doc *doc, const void *data,
                                     size_t len, const spoor_limits *limits,
                                     spoor_child_sink sink, void *payload);

/** Release everything doc owns and reset it. NULL-safe. */
SPOOR_API void spoor_doc_dispose(spoor_doc *doc);

/** The value of metadata key in doc, or NULL; borrowed from doc. */
SPOOR_API const char *spoor_doc_meta(const spoor_doc *doc, const char *key);

#endif
