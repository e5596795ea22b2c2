/*
 * fingerprint_int.h: the fingerprinting internals other stages use (the
 * walker, matching, the kernel benchmark): winnowing going on from a
 * selection, text fingerprints in bounded memory, the wide-kernel switch.
 * Not part of the public API.
 */
#ifndef SPOOR_FINGERPRINT_INT_H
#define SPOOR_FINGERPRINT_INT_H

#include <stddef.h>
#include <stdint.h>

struct spoor_canon;

/** Whether winnowing uses its wide (SIMD) kernel; enable 0 or 1 turns it
 * off or back on (where the CPU has it), -1 only asks. Both kernels give
 * the same fingerprints. */
int spoor_winnow__wide_enable(int enable);

struct spoor_fps;

/**
 * Winnow the n symbols at s going on from a selection already made: k-gram
 * 0 is the selection in force when s starts (its fingerprint was emitted
 * before), and the walk goes on from it with windows of w k-grams, as it
 * would have in the whole sequence, emitting the selections after it. n
 * may be shorter than a window. Selections are those of the whole sequence
 * as long as the k-grams before s are not smaller than k-gram 0 in any
 * window holding it, which is so for the last selection of a walk. Needs
 * k >= 1, w >= 1, n >= k. @return 0, SPOOR_EINVALID or SPOOR_ENOMEM.
 */
int spoor_winnow__u32_cont(struct spoor_fps *out, const uint32_t *s, size_t n,
                           unsigned k, unsigned w, uint64_t seed);

/** spoor_winnow__u32_cont over bytes. */
int spoor_winnow__bytes_cont(struct spoor_fps *out, const unsigned char *s,
                             size_t n, unsigned k, unsigned w, uint64_t seed);

struct spoor_text_marks;

/** Where a long sequence's fingerprints go before its end: once out holds
 * `at` or more at the end of a run, flush is called and must take them all
 * (leaving out->n 0), e.g. to sort them into a file (at SIZE_MAX: never).
 * For a text, marks (when not NULL) gets a mark where each piece of it
 * starts, the first {0, 0}, and done (when not NULL) is told after each
 * piece which bytes will not be read again. */
/** Told that the bytes before upto will not be read again. */
typedef void (*spoor_bytes_done_fn)(const unsigned char *upto, void *ctx);

typedef struct spoor_fps_sink {
    size_t at;
    int (*flush)(struct spoor_fps *out, void *ctx);
    void *ctx;
    struct spoor_text_marks *marks;
    spoor_bytes_done_fn done; /* for a text: told after each piece */
    void *done_ctx;
} spoor_fps_sink;

/**
 * The byte fingerprints (SPOOR_BYTES_K, SPOOR_BYTES_W, SPOOR_SEED_BYTES) of
 * the len bytes at data, the same as spoor_winnow_bytes, read in runs of
 * about `run` bytes (0: the default, 8 MiB) going on from each run's last
 * selection; after each run, done (when not NULL) is told which bytes will
 * not be read again, so a caller reading a mapped file can hand their pages
 * back. With a sink, the fingerprints of a long sequence go to it as they
 * pile up, and out holds the last of them (out then holds them all only
 * when the sink was never called). @return 0, SPOOR_ELIMIT, SPOOR_ENOMEM
 * (out is then empty) or the sink's error.
 */
int spoor_fingerprint__bytes(struct spoor_fps *out, const unsigned char *data,
                             size_t len, size_t run, spoor_bytes_done_fn done,
                             void *ctx, const spoor_fps_sink *sink);

/**
 * The text fingerprints (SPOOR_TEXT_K, SPOOR_TEXT_W, SPOOR_SEED_TEXT) of
 * text and the number of its canonical characters (*nchars): the same as
 * spoor_normalise__chars then spoor_winnow_u32, without the whole canonical
 * text in memory when text is longer than two pieces of `piece` bytes (0:
 * the default, 256 KiB). scratch is working memory the caller keeps (it
 * holds a piece's characters afterwards, not the text's). A sink takes
 * the fingerprints of a long text as they pile up, as for
 * spoor_fingerprint__bytes. @return 0, SPOOR_ELIMIT, SPOOR_ENOMEM (out is
 * then empty) or the sink's error.
 */
int spoor_fingerprint__text(struct spoor_fps *out, size_t *nchars,
                            struct spoor_canon *scratch, const char *text,
                            size_t len, size_t piece,
                            const spoor_fps_sink *sink);

#endif
