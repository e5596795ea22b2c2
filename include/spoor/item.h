/*
 * spoor/item.h: walking inputs into analysed items.
 *
 * spoor_walk() visits a file or a folder (recursively, in name order), reads
 * each file read-only (O_NOFOLLOW inside folders, O_NOATIME where allowed),
 * extracts it, normalises its text, fingerprints it and hands the item to a
 * callback; then it does the same for the item's children (mbox messages,
 * attachments), whose paths are "parent!child". A file or child that cannot
 * be read or extracted is reported to the skip callback with its path and
 * reason, and the walk goes on. Nothing is ever written to disk.
 *
 * Items are borrowed by the callbacks: valid only during the call.
 * Thread safe: walks share no state.
 */
#ifndef SPOOR_ITEM_H
#define SPOOR_ITEM_H

#include "common.h"
#include "extract.h"
#include "fingerprint.h"
#include "normalise.h"

/* The fingerprints of a long item that a walk handed to opts->spill as they
 * piled up (a store sorts them into a temporary file): n of them; free
 * releases the whole, and is called when the item is disposed of. */
typedef struct spoor_spilled {
    uint64_t n;
    void (*free)(struct spoor_spilled *self);
} spoor_spilled;

typedef struct spoor_item {
    const char *path;          /* relative to the walked folder or file; nested
                                  items as outer!inner */
    const char *display;       /* as the user named it: argument + path */
    char sha256[65];           /* hex digest of the item's bytes */
    uint64_t bytes;            /* size of the item's bytes */
    const unsigned char *data; /* the item's bytes */
    unsigned depth;            /* 0 for files, 1 for their children, ... */
    spoor_doc doc;             /* extracted text and metadata */
    spoor_canon canon;         /* canonical text of doc.text */
    size_t header_chars;       /* canonical characters of the email header block
                                  (doc.header_bytes): metadata, never compared;
                                  fingerprints and regions lie after them */
    spoor_fps fps;             /* fingerprints: text, or bytes if fp_bytes */
    int fp_bytes;              /* 1: fingerprints over raw bytes (no text) */
    void *prepared; /* what opts->prepare made of it in a parallel walk's worker
                       made (compressed text, sorted fingerprints), or NULL */
    spoor_spilled *spilled; /* version 6: fingerprints handed to opts->spill
                               (fps then holds none), or NULL; owned */
    struct spoor_text_marks *marks; /* version 6: a text longer than
                               opts->offsets_max: where stretches of it can
                               be normalised (canon then holds its length
                               only); NULL otherwise; owned */
} spoor_item;

typedef struct spoor_walk_opts {
    unsigned version;
    spoor_limits limits; /* bounds on hostile input */
    unsigned jobs;       /* spoor_walk_paths: worker threads (1: none) */
    int no_offsets;      /* 1: items' canon has chars only (start, end NULL),
                            enough to index; 0: with the offset map */
    int canon_len_only;  /* 1 (version 4): items' canon has its length only
                            (chars, start, end NULL), enough to index; long
                            texts are then fingerprinted piece by piece,
                            without their whole canonical text in memory */
    /* version 5: work a parallel walk's worker threads do on each item
     * before it reaches the callback (spoor_store_walk_hooks fills them
     * for spoor_store_add_item); NULL: none */
    int (*prepare)(spoor_item *item); /* sets item->prepared; 0 or error */
    void (*release)(void *prepared);  /* frees what prepare set */
    void (*worker_done)(void);        /* at the end of each worker */
    /* version 6: where the fingerprints of a long item go as they pile up
     * (more than spill_at of them), so that memory does not grow with the
     * item: spill takes fps's fingerprints (leaving fps->n 0) into
     * item->spilled, creating it on first use; 0 or an error. Filled by
     * spoor_store_walk_hooks; NULL: every fingerprint stays in item->fps */
    int (*spill)(spoor_item *item, spoor_fps *fps);
    size_t spill_at;
    /* version 6: a text of more bytes than this keeps marks (item->marks)
     * instead of its canonical text with offsets (12 bytes a character),
     * and is fingerprinted piece by piece; matching normalises the
     * stretches it needs. 0: every text keeps its offsets */
    size_t offsets_max;
} spoor_walk_opts;

#define SPOOR_WALK_OPTS_VERSION 6

/* The offsets_max spoor check uses: the canonical text of a text up to
 * 8 MiB, with offsets, costs at most about 100 MB. */
#define SPOOR_CHECK_OFFSETS_MAX ((size_t)8 << 20)

/** Fill opts with the defaults (spoor_limits_default). */
SPOOR_API void spoor_walk_opts_init(spoor_walk_opts *opts);

/** Called for every item; a negative return stops the walk with it. */
typedef int (*spoor_item_cb)(const spoor_item *item, void *payload);

/**
 * Called for every file or child that is skipped: display names it, code is
 * the error code and reason says why. A negative return stops the walk.
 */
typedef int (*spoor_skip_cb)(const char *display, int code, const char *reason,
                             void *payload);

/**
 * Walk path (file or folder). Items are given to item_cb, skipped inputs to
 * skip_cb (may be NULL). The top-level path itself failing (missing,
 * unreadable) is also reported through skip_cb.
 * @return 0, or the negative value a callback returned.
 */
SPOOR_API int spoor_walk(const char *path, const spoor_walk_opts *opts,
                         spoor_item_cb item_cb, spoor_skip_cb skip_cb,
                         void *payload);

/**
 * Walk n_paths paths as spoor_walk would one after another, reading,
 * extracting, normalising and fingerprinting in opts->jobs worker threads.
 * The callbacks run on the calling thread only, one at a time, and see
 * exactly the items and skips, in exactly the order, that sequential walks
 * give; so results do not depend on the number of jobs. Memory stays
 * bounded: at most a few files per job are in flight, and a worker waits
 * while 16 MiB of its finished items wait for the callbacks. Extractors
 * that run in a child process are then started by a fork server created
 * before the threads (fork in a threaded process is unsafe).
 * @return 0, or the first negative value a callback or a worker returned.
 */
SPOOR_API int spoor_walk_paths(const char *const *paths, size_t n_paths,
                               const spoor_walk_opts *opts,
                               spoor_item_cb item_cb, spoor_skip_cb skip_cb,
                               void *payload);

/**
 * Walk an in-memory input (stdin, say) named display, as if it were a file
 * whose relative path is display.
 * @return 0, the negative value a callback returned (which stops the walk),
 * or SPOOR_ENOMEM; an item that cannot be read goes to on_skip and the walk
 * goes on.
 */
SPOOR_API int spoor_walk_buffer(const char *display, const void *data,
                                size_t len, const spoor_walk_opts *opts,
                                spoor_item_cb item_cb, spoor_skip_cb skip_cb,
                                void *payload);

/**
 * Analyse one buffer without its children: extract, normalise, fingerprint.
 * item must be zeroed; release it with spoor_item_dispose. data must
 * outlive item. @return 0 or a negative code (item then disposed).
 */
SPOOR_API int spoor_item_analyse(spoor_item *item, const void *data, size_t len,
                                 const spoor_limits *limits);

/**
 * Analyse already extracted UTF-8 text (a stored item's text, say) as an
 * item of format "text": the text is used as is, never re-detected.
 * item must be zeroed. @return 0 or a negative code (item then disposed).
 */
SPOOR_API int spoor_item_from_text(spoor_item *item, const char *text,
                                   size_t len);

/**
 * spoor_item_from_text for a stored email item's text, whose first
 * header_bytes are its header block (spoor_record.header_bytes): the block
 * is kept in the text and left out of fingerprints and regions.
 * @return 0, SPOOR_ELIMIT (text over 4 GiB) or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_item_from_stored(spoor_item *item, const char *text,
                                     size_t len, size_t header_bytes);

/**
 * Copy what a report of src needs into dst (zeroed): its names, sha256,
 * sizes, format, text, header block, dates, metadata and canonical text
 * with its map; not its bytes (dst->data is NULL) nor its fingerprints.
 * Release with spoor_item_copy_dispose. @return 0 or SPOOR_ENOMEM (dst
 * then released).
 */
SPOOR_API int spoor_item_copy(spoor_item *dst, const spoor_item *src);

/** Release a copy made by spoor_item_copy. NULL-safe. */
SPOOR_API void spoor_item_copy_dispose(spoor_item *item);

/** Release what spoor_item_analyse allocated. NULL-safe. */
SPOOR_API void spoor_item_dispose(spoor_item *item);

#endif
