/*
 * store_int.h: what the match stage reads from the store, inside libspoor.
 */
#ifndef SPOOR_STORE_INT_H
#define SPOOR_STORE_INT_H

#include <spoor/store.h>

#include "../common/internal.h"

typedef struct spoor_posting {
    int64_t content;
    uint32_t pos;
} spoor_posting;

typedef struct spoor_postings {
    spoor_posting *v;
    size_t n, cap;
} spoor_postings;

/**
 * Hand back the pages of the segments that lookups faulted in (they stay
 * in the page cache): a long query looks up millions of hashes, touching
 * every page of the segments, which would stay in its resident set.
 */
void spoor_store__pages_done(spoor_store *s);

/**
 * Whether s may be written: not a shared index opened to read nor a local
 * one opened read-only, and, when changes (renaming, re-dating, removing,
 * merging: what a push cannot carry), not a write to a shared index.
 * @return 0 or an error saying why not.
 */
int spoor_store__writable(const spoor_store *s, int changes);

/**
 * Before a run of spoor_store__lookup_key calls: the segment keys (top
 * SPOOR_SEG_KEY_BITS bits of spoor_seg__mix of a hash) they will ask for,
 * ascending, without repeats. A shared index fetches their postings in
 * one round trip; a local one reads ahead what of them is not in memory
 * (spoor_segment__prefetch). @return 0 or an error.
 */
int spoor_store__want_keys(spoor_store *s, const uint64_t *keys, size_t n);

/** Before reading the records and texts of the sources ids[0..n) (a
 * check's candidates): a shared index fetches them in a few round trips
 * instead of a few each; a local one has nothing to do. @return 0 or an
 * error. */
int spoor_store__want_sources(spoor_store *s, const int64_t *ids, size_t n);

/** Whether s is a shared index on a server (lookups cost a round trip:
 * announce them with spoor_store__want_keys). */
int spoor_store__remote(const spoor_store *s);

/** A second, read-only handle on the index s reads (for another thread).
 * @return 0 or an error. */
int spoor_store__reopen(spoor_store *s, spoor_store **out);

/**
 * Append the postings of hash to out, unless they span more than common
 * distinct contents: then nothing is appended and *common_out is set to 1.
 */
int spoor_store__lookup(spoor_store *s, uint64_t hash, size_t common,
                        spoor_postings *out, int *common_out);

/** spoor_store__lookup of a key (spoor_seg__mix of a hash): fingerprints
 * whose keys share their top SPOOR_SEG_KEY_BITS bits have the same
 * postings. Looking keys up in their order reads the segments in order. */
int spoor_store__lookup_key(spoor_store *s, uint64_t key, size_t common,
                            spoor_postings *out, int *common_out);

/**
 * Compress item's text and sort its fingerprints ahead of storing, on any
 * thread (a parallel walk's workers do), into item->prepared, which
 * spoor_store_add_item then uses and spoor_store__prepared_free releases.
 * @return 0 or SPOOR_ENOMEM / SPOOR_ERROR (zstd).
 */
int spoor_store__prepare(spoor_item *item);
void spoor_store__prepared_free(void *prepared);
/** Release what spoor_store__prepare keeps per thread; at thread exit. */
void spoor_store__thread_done(void);

/**
 * Read the catalogue in one transaction until spoor_store__read_end: one
 * snapshot, and SQLite takes its shared lock once instead of once per
 * statement (a check of one document made ~270 fcntl and ~170 stat calls
 * without it). Calls nest: the outermost end closes it. Nothing is done
 * inside a write transaction.
 * @return 0 or an error naming the index.
 */
int spoor_store__read_begin(spoor_store *s);
void spoor_store__read_end(spoor_store *s);

/* ==== Stored text (text_parts.c) ==== */

struct ZSTD_CCtx_s;

typedef struct spoor_text_part {
    size_t byte, zoff;             /* where it starts: text, stored blob */
    uint32_t bytes, zbytes, canon; /* its sizes; canonical chars before it */
} spoor_text_part;

/* The table of a text stored in parts (n == 0: stored as one frame). */
typedef struct spoor_text_toc {
    spoor_text_part *v;
    size_t n;
} spoor_text_toc;

/**
 * Compress len bytes of text with cctx at level into out (emptied first):
 * one zstd frame, or for a long text the parts and their table (see
 * text_parts.c). When text is the thread's input (spoor_buf__as_input),
 * its pages are handed back part by part, and so are out's as they are
 * written when out spills. @return 0, SPOOR_ENOMEM, SPOOR_EIO (out
 * spilling) or SPOOR_ERROR (zstd); out is then empty.
 */
int spoor_text__compress(struct ZSTD_CCtx_s *cctx, int level, const char *text,
                         size_t len, spoor_buf *out);

/** Whether a text of text_bytes is long enough to be stored in parts
 * (shorter ones are always one frame). */
int spoor_text__may_have_parts(size_t text_bytes);

/** The size of the table at the start of a stored blob of zlen bytes, given
 * its first avail (>= 20) bytes; 0 when the blob has no table. */
size_t spoor_text__toc_size(const void *start, size_t avail, size_t zlen);

/**
 * Parse and check a table of size bytes against the blob's size and the
 * content's text_bytes and canon_len. @return 0, SPOOR_ECORRUPT (no
 * message set) or SPOOR_ENOMEM.
 */
int spoor_text__toc_parse(const void *toc, size_t size, size_t zlen,
                          size_t text_bytes, size_t canon_len,
                          spoor_text_toc *out);
void spoor_text_toc_dispose(spoor_text_toc *toc);

/** The parts [*first, return value) that hold canonical characters
 * [from, to): the first starts at a mark at or before from. toc->n > 0. */
size_t spoor_text__parts_for(const spoor_text_toc *toc, size_t from, size_t to,
                             size_t *first);

/* A stored text opened to read parts of it (store.c). */
typedef struct spoor_stored_text {
    void *blob; /* the open blob (sqlite3_blob); NULL without parts */
    spoor_text_toc toc;
    spoor_buf z; /* compressed parts being read */
    int64_t content;
} spoor_stored_text;

/**
 * Open content's stored text, whose text_bytes and canon_len the record
 * gives, and read its table of parts if it has one (t->toc.n == 0 when
 * not: read it whole with spoor_store_text). Close with
 * spoor_store__text_close. @return 0 or an error naming the index.
 */
int spoor_store__text_open(spoor_store *s, int64_t content, size_t text_bytes,
                           size_t canon_len, spoor_stored_text *t);

/** Decompress parts [first, end) of t into out (replacing what it held).
 * @return 0 or an error naming the index. */
int spoor_store__text_parts(spoor_store *s, spoor_stored_text *t, size_t first,
                            size_t end, spoor_buf *out);
void spoor_store__text_close(spoor_stored_text *t);

/* ==== Segments (segment.c) ==== */

/*
 * The hash a segment files a fingerprint under: winnowing keeps window
 * minima, whose top bits are mostly zero, and a segment buckets postings
 * on the top bits of their hash. Filed as they are, the postings of a
 * 100k-item index filled one bucket in twelve, and a lookup decoded about
 * twenty times the 32 postings a bucket is meant to hold. A multiplication
 * by an odd constant is a bijection that spreads them (equal hashes stay
 * equal, different ones different).
 */
static inline uint64_t spoor_seg__mix(uint64_t fingerprint_hash)
{
    return fingerprint_hash * 0x9e3779b97f4a7c15ULL;
}

/* Segments keep the top KEY_BITS bits of a (mixed) hash (segment.c). */
#define SPOOR_SEG_KEY_BITS 40
#define SPOOR_SEG_KEY(h) ((uint64_t)(h) >> (64 - SPOOR_SEG_KEY_BITS))

typedef struct spoor_seg_entry {
    uint64_t hash; /* read back from a segment: only its key bits are set */
    uint32_t content;
    uint32_t pos;
} spoor_seg_entry;

typedef struct spoor_segment {
    char *name; /* file name inside the index folder; owned */
    int fd;     /* read-only, for lookups (pread); open while map is */
    const unsigned char *map;
    size_t size;
    uint64_t count;
    unsigned bits;       /* directory bits */
    const uint64_t *dir; /* (1 << bits) + 1 bucket starts in data */
    const unsigned char *data;
    uint64_t data_size;
    uint32_t content_base;
    uint64_t id;      /* its identity (header), which the catalogue records */
    uint64_t lookups; /* seeks so far (atomic), see spoor_segment__seek */
} spoor_segment;

/* Bytes of a bucket a seeking cursor reads into itself (about 500
 * postings; a typical bucket holds 32). */
#define SPOOR_SEG_CURSOR_BUF 4096

/** A position in a segment's postings (see spoor_segment__next). */
typedef struct spoor_seg_cursor {
    const spoor_segment *seg;
    const unsigned char *p, *end; /* the rest of the current bucket */
    uint64_t bucket, last;        /* current and last bucket to read */
    uint64_t rem, content, pos;   /* the previous posting, decoded */
    uint64_t left;                /* postings left in the key group */
    const unsigned char *gend;    /* end of a group of many, else NULL */
    uint64_t want;                /* seeking: the key wanted */
    int first, gfirst, seeking, skipped, damaged;
    int bad_check; /* damaged: the bucket failed its checksum */
    spoor_seg_entry e;
    size_t released; /* merge: bytes of the map handed back (madvise) */
    /* seeking: the bucket, read with pread when it fits (see segment.c);
     * last, so that starting a cursor need not clear it */
    unsigned char buf[SPOOR_SEG_CURSOR_BUF];
} spoor_seg_cursor;

/** Sort entries by (key, content, pos): the order segments keep.
 * @return 0 or SPOOR_ENOMEM. */
int spoor_segment__sort(spoor_seg_entry *e, size_t n);

/** Write sorted entries as segment dir/name (tmp, fsync, rename). */
int spoor_segment__write(const char *dir, const char *name,
                         const spoor_seg_entry *e, size_t n);

/** Map and validate segment dir/name. */
int spoor_segment__open(spoor_segment *seg, const char *dir, const char *name);
void spoor_segment__close(spoor_segment *seg);

/** The identity of segment dir/name: the id in its header and its size in
 * bytes, as the catalogue records them. @return 0 or SPOOR_EIO. */
int spoor_segment__ident(const char *dir, const char *name, uint64_t *id,
                         uint64_t *bytes);

/** Start c on every posting of seg, in order. */
void spoor_segment__scan(const spoor_segment *seg, spoor_seg_cursor *c);

/** How lookups read a segment: chosen per segment by its size and use
 * (see segment.c), or, for tests, always through the map or with pread. */
enum { SPOOR_SEG_LOOKUP_AUTO, SPOOR_SEG_LOOKUP_MAP, SPOOR_SEG_LOOKUP_PREAD };
#ifdef SPOOR_TEST_HOOKS
extern int spoor_segment__lookup_mode; /* unit tests set it */
#else
#define spoor_segment__lookup_mode SPOOR_SEG_LOOKUP_AUTO
#endif

/**
 * Ask the kernel to read ahead what lookups of keys[0..n) (ascending
 * SPOOR_SEG_KEY values) will read in seg, so that a cold index is read
 * with many requests in flight rather than one page fault or pread at a
 * time: phase 0 the directory words, phase 1 (after phase 0 of every
 * segment) the buckets, whose ends it reads. A segment under 2 MiB, or
 * whose first directory page is in memory, is left alone (the probe is
 * one system call). @return 1 when phase 0 asked for pages (then run
 * phase 1), else 0.
 */
int spoor_segment__prefetch(const spoor_segment *seg, const uint64_t *keys,
                            size_t n, int phase);

/** Start c on the postings whose key is hash's key. */
void spoor_segment__seek(spoor_segment *seg, uint64_t hash,
                         spoor_seg_cursor *c);

/**
 * The next posting of c into *out.
 * @return 1, 0 when there is none, or SPOOR_ECORRUPT (damaged bucket).
 */
int spoor_segment__next(spoor_seg_cursor *c, spoor_seg_entry *out);

/**
 * Every posting of segs[0..n) in (key, content, pos) order to each(e,
 * ctx), handing back the pages read; a non-zero return stops the walk.
 * @return 0, each's value, SPOOR_ENOMEM or SPOOR_ECORRUPT.
 */
int spoor_segment__each(const spoor_segment *segs, size_t n,
                        int (*each)(const spoor_seg_entry *e, void *ctx),
                        void *ctx);

/** Merge segments into a new segment dir/name, leaving out the postings
 * of the removed contents gone[0..n_gone) (sorted). */
int spoor_segment__merge(const char *dir, const char *name,
                         const spoor_segment *segs, size_t n_segs,
                         const int64_t *gone, size_t n_gone,
                         uint64_t *count_out);

/**
 * The posting-list join of overlap and timeline: set bit c of bits (n_bits
 * of them) for every content c that shares a key (a fingerprint, or one
 * with the same top bits) with another content, in any of segs[0..n_segs).
 * One pass over every posting, in key order; memory: the cursors.
 * @return 0, SPOOR_ENOMEM or SPOOR_ECORRUPT.
 */
int spoor_segment__shared(const spoor_segment *segs, size_t n_segs,
                          unsigned char *bits, uint64_t n_bits);

/**
 * spoor_segment__shared over the index's segments: *bits (free with
 * spoor__free) holds a bit per content id 0..*n_bits-1, set where the
 * content shares a fingerprint with another.
 * @return 0, SPOOR_ENOMEM or an index error.
 */
int spoor_store__shared_contents(spoor_store *s, unsigned char **bits,
                                 uint64_t *n_bits);

/** Read the tombstones again (table gone: removed contents whose postings
 * segments may still hold). @return 0 or an index error. */
int spoor_store__reload_gone(spoor_store *s);

/** Whether content has an item in one of the collections names[0..n)
 * (*held). @return 0 or an index error. */
int spoor_store__held_in(spoor_store *s, int64_t content,
                         const char *const *names, size_t n, int *held);

/** Whether content was removed (its postings are tombstones). */
int spoor_store__is_gone(const spoor_store *s, int64_t content);

/** The registered segments of s (mapped; owned by s). */
void spoor_store__segments(spoor_store *s, const spoor_segment **segs,
                           size_t *n);

/** The catalogue's SQLite handle (owned by s). */
struct sqlite3 *spoor_store__db(spoor_store *s);

/** Give s's catalogue connection the SQL function spoor_text(id) that the
 * search index's content view reads (search.c). @return 0 or an error. */
int spoor_store__search_register(spoor_store *s);

/** About how many contents the index holds (the largest content id: ids
 * are dense). @return 0 or an index error. */
int spoor_store__contents(spoor_store *s, int64_t *out);

/**
 * The family of content for telling boilerplate from a passage quoted in a
 * thread: an email's thread (a hash of its root message id, top bit set),
 * else the content id itself. @return 0, SPOOR_ENOTFOUND or an index error.
 */
int spoor_store__family(spoor_store *s, int64_t content, uint64_t *family);

/** spoor_store_record; brief: without its dates and metadata (two
 * queries fewer, for overlap and timeline). */
int spoor_store__record(spoor_store *s, int64_t content, int brief,
                        spoor_record **out);

/** Content id with this sha256, or SPOOR_ENOTFOUND. */
int spoor_store__by_sha256(spoor_store *s, const char *sha256, int64_t *out);

#endif
