/*
 * spoor/fingerprint.h: winnowed k-gram fingerprints.
 *
 * A fingerprint is a 64-bit hash of k consecutive symbols (canonical
 * characters, or raw bytes for items without text) and the position of the
 * first symbol. Robust winnowing (Schleimer, Wilkerson, Aiken 2003) keeps,
 * in every window of w consecutive k-gram hashes, the minimum; so any run of
 * at least G = w + k - 1 symbols shared by two sequences yields at least one
 * fingerprint with the same hash in both (the guarantee), and no run shorter
 * than k can (the noise floor). Text and byte fingerprints use different
 * seeds and never collide by construction.
 *
 * Thread safe: no shared state.
 */
#ifndef SPOOR_FINGERPRINT_H
#define SPOOR_FINGERPRINT_H

#include "common.h"

#define SPOOR_TEXT_K 32
#define SPOOR_TEXT_W 32
#define SPOOR_BYTES_K 64
#define SPOOR_BYTES_W 192
#define SPOOR_SEED_TEXT 0x243f6a8885a308d3ULL
#define SPOOR_SEED_BYTES 0x13198a2e03707344ULL

typedef struct spoor_fp {
    uint64_t hash;
    uint32_t pos; /* index of the k-gram's first symbol */
} spoor_fp;

typedef struct spoor_fps {
    spoor_fp *v; /* owned */
    size_t n;
    size_t cap;
} spoor_fps;

#define SPOOR_FPS_INIT                                                         \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

/**
 * Winnow the code point sequence s[0..n) with k-grams of length k and
 * windows of w hashes, replacing out's content. Fingerprints come out in
 * increasing position order. Sequences shorter than k give none; sequences
 * with fewer than w k-grams give their minimum.
 * @return 0, SPOOR_EINVALID (k or w is 0), or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_winnow_u32(spoor_fps *out, const uint32_t *s, size_t n,
                               unsigned k, unsigned w, uint64_t seed);

/**
 * As spoor_winnow_u32, over bytes.
 * @return 0, SPOOR_EINVALID (k or w is 0), SPOOR_ELIMIT (n over 4 GiB) or
 * SPOOR_ENOMEM.
 */
SPOOR_API int spoor_winnow_bytes(spoor_fps *out, const unsigned char *s,
                                 size_t n, unsigned k, unsigned w,
                                 uint64_t seed);

/** Release out's array and reset it. NULL-safe. */
SPOOR_API void spoor_fps_dispose(spoor_fps *out);

#endif
