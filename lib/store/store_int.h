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
 * Append the postings of hash to out, unless they span more than common
 * distinct contents: then nothing is appended and *common_out is set to 1.
 */
int spoor_store__lookup(spoor_store *s, uint64_t hash, size_t common,
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
 * without it). Nothing is done inside a write transaction.
 * @return 0 or an error naming the index.
 */
int spoor_store__read_begin(spoor_store *s);
void spoor_store__read_end(spoor_store *s);

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

/** Start c on every posting of seg, in order. */
void spoor_segment__scan(const spoor_segment *seg, spoor_seg_cursor *c);

/** How lookups read a segment: chosen per segment by its size and use
 * (see segment.c), or, for tests, always through the map or with pread. */
enum { SPOOR_SEG_LOOKUP_AUTO, SPOOR_SEG_LOOKUP_MAP, SPOOR_SEG_LOOKUP_PREAD };
extern int spoor_segment__lookup_mode;

/** Start c on the postings whose key is hash's key. */
void spoor_segment__seek(spoor_segment *seg, uint64_t hash,
                         spoor_seg_cursor *c);

/**
 * The next posting of c into *out.
 * @return 1, 0 when there is none, or SPOOR_ECORRUPT (damaged bucket).
 */
int spoor_segment__next(spoor_seg_cursor *c, spoor_seg_entry *out);

/** Merge segments into a new segment dir/name. */
int spoor_segment__merge(const char *dir, const char *name,
                         const spoor_segment *segs, size_t n_segs,
                         uint64_t *count_out);

/** Content id with this sha256, or SPOOR_ENOTFOUND. */
int spoor_store__by_sha256(spoor_store *s, const char *sha256, int64_t *out);

#endif
