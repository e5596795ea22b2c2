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

/** Content id with this sha256, or SPOOR_ENOTFOUND. */
int spoor_store__by_sha256(spoor_store *s, const char *sha256, int64_t *out);

#endif
