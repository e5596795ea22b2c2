/*
 * spoor/store.h: the index: collections, items, texts, dates, events and
 * fingerprint postings, in one folder.
 *
 * Layout: PATH/catalogue.sqlite (SQLite, WAL mode) holds collections,
 * items, texts (zstd), dates, events and keys; fingerprint postings live in
 * immutable sorted segment files PATH/seg-*.spx (segment.c), one per
 * committed batch, registered in the catalogue in the same transaction as
 * their items and merged as they accumulate. Content is stored once per sha256;
 * every (collection, path) where it appears is an occurrence of that content.
 *
 * Lifecycle: spoor_store_open() ... spoor_store_free(). Writes are grouped
 * in transactions committed every few hundred items and by
 * spoor_store_commit(), so a killed writer loses only the uncommitted batch
 * and re-running the same add completes it. One writer at a time (SQLite's
 * lock); any number of readers, each with its own handle. A handle is not
 * shared between threads.
 */
#ifndef SPOOR_STORE_H
#define SPOOR_STORE_H

#include "common.h"
#include "item.h"

typedef struct spoor_store spoor_store;

/*
 * Writers take the index's lock (the file "lock" in its folder, flock):
 * one process writes an index at a time, and creating the index or a
 * collection cannot race. Readers take no lock: they read committed
 * segments and a consistent catalogue while a writer works.
 */
enum {
    SPOOR_STORE_CREATE = 1,   /* create the index folder if missing */
    SPOOR_STORE_READONLY = 2, /* open for reading only */
    SPOOR_STORE_WAIT = 4      /* a writer waits for another's lock */
};

/** Default --common threshold: a fingerprint in more items is boilerplate. */
#define SPOOR_DEFAULT_COMMON 100

/**
 * Open (or with SPOOR_STORE_CREATE create) the index at path. A writer
 * (without SPOOR_STORE_READONLY) takes the index's lock, waiting for it
 * with SPOOR_STORE_WAIT; without, it fails with SPOOR_EBUSY and a message
 * naming the process that holds it.
 * @param[out] out the handle; NULL on failure.
 * @return 0, SPOOR_ENOTFOUND (no index there), SPOOR_EBUSY, SPOOR_ECORRUPT,
 *         SPOOR_EIO.
 */
SPOOR_API int spoor_store_open(spoor_store **out, const char *path, int flags);

/** Commit pending writes and close. NULL-safe. */
SPOOR_API void spoor_store_free(spoor_store *s);

/**
 * Find or create collection name. kind (internal, release, suspect,
 * reference) and date (YYYY-MM-DD) may be NULL: a new collection then gets
 * kind reference and no date; an existing one keeps its own. Giving a kind
 * or date that differs from an existing collection's is SPOOR_EEXISTS.
 * @return 0, SPOOR_EINVALID (a bad name, kind or date; the index open read-
 * only), SPOOR_EEXISTS (another kind or date than the existing collection's)
 * or an index error (SPOOR_EIO, SPOOR_ECORRUPT).
 */
SPOOR_API int spoor_store_collection(int64_t *id_out, spoor_store *s,
                                     const char *name, const char *kind,
                                     const char *date, const char *note);

enum {
    SPOOR_ADD_NEW = 0,       /* new content stored */
    SPOOR_ADD_DUPLICATE = 1, /* content known; new occurrence recorded */
    SPOOR_ADD_PRESENT = 2    /* this occurrence was already recorded */
};

/**
 * Record item as an occurrence in collection; store its content (text,
 * dates, metadata, fingerprints) unless the same sha256 is stored already.
 * @param[out] status_out one of SPOOR_ADD_*.
 * @return 0, SPOOR_ENOTFOUND (no such collection), SPOOR_ENOMEM or an index
 * error (SPOOR_EIO: a full disk, a failed write).
 */
SPOOR_API int spoor_store_add_item(int *status_out, spoor_store *s,
                                   int64_t collection, const spoor_item *item);

/**
 * Fill opts' worker hooks (prepare, release, worker_done) with the store's
 * own: a parallel walk's workers then compress each item's text and sort
 * its fingerprints, so that spoor_store_add_item, in the storing thread,
 * only writes them. Sets opts->version to at least 5.
 */
SPOOR_API void spoor_store_walk_hooks(spoor_walk_opts *opts);

/* Items added per transaction by default (spoor_store_set_commit_every). */
#define SPOOR_COMMIT_EVERY 5000

/** Commit after every `items` added items (default SPOOR_COMMIT_EVERY); smaller
 * is slower but loses less to a crash. */
SPOOR_API void spoor_store_set_commit_every(spoor_store *s, size_t items);

/**
 * Merge all postings segments into one (tiered merging also runs on its own
 * when a tier of segments holds 8). Readers that opened the index earlier
 * keep reading the old segments until they close.
 * @param[out] merged_out how many segments were merged (may be NULL).
 * @return 0, SPOOR_EINVALID (open read-only), SPOOR_ENOMEM or an index
 * error.
 */
SPOOR_API int spoor_store_optimize(uint64_t *merged_out, spoor_store *s);

/**
 * Commit the open write transaction, if any.
 * @return 0, SPOOR_ENOMEM or an index error (SPOOR_EIO: the disk is full;
 * the batch is rolled back and its segment removed).
 */
SPOOR_API int spoor_store_commit(spoor_store *s);

/**
 * Rename collection old_name to new_name (checked as a new name is).
 * @return 0, SPOOR_ENOTFOUND, SPOOR_EEXISTS (the name is taken) or
 *         SPOOR_EINVALID (a bad name, or a read-only index).
 */
SPOOR_API int spoor_store_collection_rename(spoor_store *s,
                                            const char *old_name,
                                            const char *new_name);

/**
 * Change a collection's kind, date (YYYY-MM-DD) or note: each that is not
 * NULL. @return 0, SPOOR_ENOTFOUND or SPOOR_EINVALID (unknown kind).
 */
SPOOR_API int spoor_store_collection_set(spoor_store *s, const char *name,
                                         const char *kind, const char *date,
                                         const char *note);

/** Remove case event name. @return 0 or SPOOR_ENOTFOUND. */
/**
 * Remove collection name with its items; the contents no other collection
 * holds go too (rows, texts, dates, metadata; their postings become
 * tombstones that lookups skip, dropped at the next merge of every
 * segment, as spoor_store_optimize does). One transaction.
 * @param[out] items_out the collection's items removed
 * @param[out] contents_out the contents removed with them
 * @return 0, SPOOR_ENOTFOUND, SPOOR_EINVALID (opened read-only) or an
 *         index error.
 */
SPOOR_API int spoor_store_collection_rm(uint64_t *items_out,
                                        uint64_t *contents_out, spoor_store *s,
                                        const char *name);

/**
 * Remove case event name.
 * @return 0, SPOOR_ENOTFOUND, SPOOR_EINVALID (open read-only) or an index
 * error.
 */
SPOOR_API int spoor_store_event_rm(spoor_store *s, const char *name);

/**
 * Record (or re-date) case event name on date (YYYY-MM-DD).
 * @return 0, SPOOR_EINVALID (a bad name or date) or an index error.
 */
SPOOR_API int spoor_store_add_event(spoor_store *s, const char *name,
                                    const char *date, const char *note);

/**
 * Archive a DKIM key record (see spoor/dkim.h): name
 * "selector._domainkey.domain", record the TXT text, source where it came
 * from, observed / published dates (YYYY-MM-DD or NULL). Re-adding the same
 * (name, record) updates its source and dates.
 * @return 0 or an index error.
 */
SPOOR_API int spoor_store_add_key(spoor_store *s, const char *name,
                                  const char *record, const char *source,
                                  const char *observed, const char *published);

typedef struct spoor_key_info {
    const char *name, *record, *source, *observed, *published, *added;
} spoor_key_info;

typedef int (*spoor_key_info_cb)(const spoor_key_info *k, void *payload);

/**
 * Call cb for every archived key, in the order they were added.
 * @return 0, the negative value cb returned, or an index error.
 */
SPOOR_API int spoor_store_keys(spoor_store *s, spoor_key_info_cb cb,
                               void *payload);

/* ==== Reading ==== */

/* The kinds of collection: what a collection is to the case. */
typedef enum spoor_kind {
    SPOOR_KIND_INTERNAL,    /* the victim's own files */
    SPOOR_KIND_RELEASE,     /* a public leak release (dated) */
    SPOOR_KIND_SUSPECT,     /* documents under question */
    SPOOR_KIND_REFERENCE,   /* anything else; the default */
    SPOOR_KIND_BOILERPLATE, /* licences, footers...: never evidence */
    SPOOR_N_KINDS
} spoor_kind;

#define SPOOR_KIND_DEFAULT SPOOR_KIND_REFERENCE

/** The name of kind k ("internal", "release", ...), as the index, the
 * command line and JSON spell it; NULL for a value out of range. */
SPOOR_API const char *spoor_kind_name(spoor_kind k);

/**
 * The kind called name.
 * @param[out] out the kind.
 * @return 0, or SPOOR_EINVALID (the error names the kinds there are).
 */
SPOOR_API int spoor_kind_parse(spoor_kind *out, const char *name);

typedef struct spoor_occurrence {
    int64_t item_id;
    char *collection;   /* owned */
    char *kind;         /* owned: its name */
    spoor_kind kind_id; /* the same, as an enum */
    char *date;         /* owned; NULL when the collection has none */
    char *path;         /* owned */
} spoor_occurrence;

/** Everything the index knows about one stored content. */
typedef struct spoor_record {
    int64_t id;
    char sha256[65];
    char *format;   /* owned */
    char *encoding; /* owned; may be NULL */
    char *warning;  /* owned; may be NULL */
    uint64_t bytes, text_bytes;
    uint64_t canon_len, n_fps;
    uint64_t header_bytes, header_chars; /* email header block: text bytes
                                            and canonical characters */
    char *thread; /* an email's thread root (message id), or NULL; owned */
    int fp_bytes;
    spoor_date *dates;
    size_t n_dates;
    spoor_meta *meta;
    size_t n_meta;
    spoor_occurrence *occ;
    size_t n_occ;
} spoor_record;

/**
 * Resolve an item reference: a numeric item id ("42" or "#42"), a sha256
 * or a unique prefix of at least 8 hex digits, "collection:path", or a path
 * that exactly one stored occurrence has.
 * @return 0, SPOOR_ENOTFOUND, or SPOOR_EINVALID (ambiguous; message says).
 */
SPOOR_API int spoor_store_resolve(int64_t *content_out, spoor_store *s,
                                  const char *ref);

/**
 * Load record id (a content id). Free with spoor_record_free.
 * @return 0, SPOOR_ENOTFOUND, SPOOR_ECORRUPT (a record that contradicts
 * itself), SPOOR_ENOMEM or an index error.
 */
SPOOR_API int spoor_store_record(spoor_record **out, spoor_store *s,
                                 int64_t content);
SPOOR_API void spoor_record_free(spoor_record *r);

/**
 * The contents whose email thread root is root (see spoor_record.thread),
 * in content order. @param[out] ids owned array (free()). @return 0 or an
 * index error.
 */
SPOOR_API int spoor_store_thread_members(spoor_store *s, const char *root,
                                         int64_t **ids, size_t *n);

/**
 * The distinct contents that collection holds, by id.
 * @param[out] ids owned array (free()). @return 0 or an index error.
 */
SPOOR_API int spoor_store_contents_of(spoor_store *s, const char *collection,
                                      int64_t **ids, size_t *n);

/** One member of a container (spoor_store_members). */
typedef struct spoor_member_info {
    int64_t item;       /* item id */
    const char *path;   /* outer!inner */
    const char *format; /* its format */
    int64_t bytes, text_bytes;
} spoor_member_info;

typedef int (*spoor_member_cb)(const spoor_member_info *m, void *payload);

/**
 * Call cb for every item nested in the item at path of collection (paths
 * path!..., at any depth), in the order they were added.
 * @return 0, a negative value cb returned, or an index error.
 */
SPOOR_API int spoor_store_members(spoor_store *s, const char *collection,
                                  const char *path, spoor_member_cb cb,
                                  void *payload);

/**
 * The stored text of content into out (replacing it).
 * @return 0, SPOOR_ENOTFOUND, SPOOR_ECORRUPT (the stored text fails its
 * checksum or length), SPOOR_ENOMEM or an index error.
 */
SPOOR_API int spoor_store_text(spoor_buf *out, spoor_store *s, int64_t content);

typedef struct spoor_collection_info {
    int64_t id;
    const char *name, *kind, *date, *note, *created;
    int64_t n_items;  /* occurrences */
    int64_t n_unique; /* contents first stored here or shared */
    int64_t bytes;    /* sum of item sizes */
} spoor_collection_info;

typedef int (*spoor_collection_cb)(const spoor_collection_info *c,
                                   void *payload);

/**
 * Call cb for each collection, ordered by date then name.
 * @return 0, the negative value cb returned, or an index error.
 */
SPOOR_API int spoor_store_collections(spoor_store *s, spoor_collection_cb cb,
                                      void *payload);

typedef struct spoor_event {
    char *name; /* owned */
    char *date; /* owned, YYYY-MM-DD */
    char *note; /* owned, may be NULL */
} spoor_event;

/**
 * All events ordered by date. Free with spoor_events_free.
 * @return 0, SPOOR_ENOMEM or an index error.
 */
SPOOR_API int spoor_store_events(spoor_event **out, size_t *n_out,
                                 spoor_store *s);
SPOOR_API void spoor_events_free(spoor_event *ev, size_t n);

typedef struct spoor_stats {
    int64_t collections, items, contents, postings, events;
    int64_t segments;       /* postings segment files */
    int64_t postings_bytes; /* their size on disk */
    int64_t text_bytes;     /* extracted text, uncompressed */
    int64_t stored_bytes;   /* size of the index files on disk */
    int64_t canon_chars;    /* canonical characters indexed */
} spoor_stats;

/**
 * The index's size and counts into *out.
 * @return 0 or an index error.
 */
SPOOR_API int spoor_store_stats(spoor_stats *out, spoor_store *s);

/* What spoor_store_push added to the shared index. */
typedef struct spoor_push_stats {
    uint64_t collections;    /* new collections (others joined by name) */
    uint64_t contents;       /* new contents, with texts and postings */
    uint64_t contents_there; /* contents the shared index held already */
    uint64_t items;          /* new items */
    uint64_t postings, buckets;
} spoor_push_stats;

/**
 * Copy the index into a shared index on PostgreSQL (conninfo: a libpq
 * connection string or URL), in one transaction: its schema `spoor` is
 * made if missing; every row is added only when missing, so a second push
 * adds nothing; a content the shared index holds (by sha256) keeps its
 * text and postings. Removed contents are not pushed. The layout:
 * docs/design.md, "A shared index on PostgreSQL".
 * @return 0, SPOOR_EINVALID (conninfo), SPOOR_EIO (the server: its
 *         message), SPOOR_EUNSUPPORTED (another format) or an index error.
 */
SPOOR_API int spoor_store_push(spoor_push_stats *out, spoor_store *s,
                               const char *conninfo);

/**
 * Whether another process has committed to the local index s since s was
 * opened (an add, a removal, optimize, a search index update): a handle
 * kept open for long (spoor serve) then reopens the index to see it whole.
 * Always 0 for a shared index, which reads a fresh snapshot per check.
 */
SPOOR_API int spoor_store_changed(spoor_store *s);

/** Folder of the index; borrowed. */
SPOOR_API const char *spoor_store_path(const spoor_store *s);

/** Progress of long work: done of total. A negative return stops it. */
typedef int (*spoor_progress_cb)(uint64_t done, uint64_t total, void *payload);

/* ==== Keyword search (SQLite FTS5) ====
 *
 * A search index over the stored texts, built beside the catalogue on
 * demand (spoor grep, spoor serve): words are Unicode-folded, diacritics
 * dropped. It lags behind adds until spoor_store_search_update runs.
 * A shared index (PostgreSQL) has none: SPOOR_EUNSUPPORTED.
 */

/** One answer of a search. Borrowed for the callback's time. */
typedef struct spoor_search_hit {
    int64_t content;     /* content id */
    const char *sha256;  /* its sha256 */
    const char *snippet; /* a passage around the words, each found word
                            between the bytes 0x02 and 0x03 */
} spoor_search_hit;

typedef int (*spoor_search_cb)(const spoor_search_hit *h, void *payload);

/**
 * Bring the search index up to date: index the texts of contents added
 * since the last update. s must be a local index open for writing, with
 * no batch open. progress (may be NULL) hears texts done of total.
 * @param[out] added texts indexed.
 * @return 0, SPOOR_EINVALID (read-only), SPOOR_EUNSUPPORTED (shared),
 * SPOOR_EUSER (progress stopped it; what was done is kept) or an index
 * error.
 */
SPOOR_API int spoor_store_search_update(uint64_t *added, spoor_store *s,
                                        spoor_progress_cb progress,
                                        void *payload);

/**
 * How many stored texts the search index lacks (all of them when it was
 * never built). @return 0, SPOOR_EUNSUPPORTED or an index error.
 */
SPOOR_API int spoor_store_search_behind(uint64_t *out, spoor_store *s);

/**
 * Search the texts for query: by default every word must occur (each
 * taken literally); with raw, query is FTS5 syntax ("a phrase", NEAR(),
 * OR, NOT, prefix*). cb hears the answers best first, from the from-th,
 * at most limit of them. @param[out] total how many answers there are.
 * @return 0, SPOOR_ENOTFOUND (no search index yet; message says),
 * SPOOR_EINVALID (no words, or a bad raw query; message says), a negative
 * value cb returned, or an index error.
 */
SPOOR_API int spoor_store_search(uint64_t *total, spoor_store *s,
                                 const char *query, int raw, size_t from,
                                 size_t limit, spoor_search_cb cb,
                                 void *payload);

/** A damaged part of the index: what (the catalogue, a segment's file
 * name, "content N (collection:path)") and the problem, in words. A
 * negative return stops the verification. */
typedef int (*spoor_verify_cb)(const char *what, const char *problem,
                               void *payload);

/** What spoor_store_verify read. */
typedef struct spoor_verify_stats {
    uint64_t segments, postings; /* segments scanned, postings verified */
    uint64_t texts;              /* stored texts read back and verified */
    uint64_t problems;           /* on_problem calls */
} spoor_verify_stats;

/**
 * Check the whole index, as git fsck does a repository: SQLite's
 * integrity_check of the catalogue; each registered segment read through,
 * every bucket against its checksum and every posting against the
 * contents the catalogue holds; each stored text decompressed, its
 * checksum and length verified. Each problem found goes to on_problem,
 * and the verification goes on. progress (may be NULL) is called as the
 * texts are read.
 * @return 0 (out->problems says whether the index is sound), a negative
 *         value a callback returned, or an error that stopped it (an
 *         unreadable catalogue).
 */
SPOOR_API int spoor_store_verify(spoor_verify_stats *out, spoor_store *s,
                                 spoor_verify_cb on_problem,
                                 spoor_progress_cb progress, void *payload);

/** The index's identity, a random hex string fixed at creation; borrowed. */
SPOOR_API const char *spoor_store_id(const spoor_store *s);

/** When the index was created (ISO 8601 UTC); borrowed. */
SPOOR_API const char *spoor_store_created(const spoor_store *s);

#endif
