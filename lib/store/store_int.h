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

/* ==== Segments (segment.c) ==== */

typedef struct spoor_seg_entry {
    uint64_t hash;
    uint32_t content;
    uint32_t pos;
} spoor_seg_entry;

typedef struct spoor_segment {
    char *name; /* file name inside the index folder; owned */
    const unsigned char *map;
    size_t size;
    uint64_t count;
    const uint32_t *dir;
    const spoor_seg_entry *entries;
} spoor_segment;

/** Sort entries by (hash, content, pos). */
void spoor_segment__sort(spoor_seg_entry *e, size_t n);

/** Write sorted entries as segment dir/name (tmp, fsync, rename). */
int spoor_segment__write(const char *dir, const char *name,
                         const spoor_seg_entry *e, size_t n);

/** Map and validate segment dir/name. */
int spoor_segment__open(spoor_segment *seg, const char *dir, const char *name);
void spoor_segment__close(spoor_segment *seg);

/** Entries [return, *end) of seg have this hash. */
size_t spoor_segment__find(const spoor_segment *seg, uint64_t hash,
                           size_t *end);

/** Merge segments into a new segment dir/name. */
int spoor_segment__merge(const char *dir, const char *name,
                         const spoor_segment *segs, size_t n_segs,
                         uint64_t *count_out);

/** Content id with this sha256, or SPOOR_ENOTFOUND. */
int spoor_store__by_sha256(spoor_store *s, const char *sha256, int64_t *out);

#endif
