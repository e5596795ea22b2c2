/*
 * spoor/normalise.h: text -> canonical text, with a map back to text.
 *
 * Canonical text is what spoor compares. It is the sequence of letters and
 * digits of the text after Unicode NFKC and case folding, with combining
 * marks stripped; everything else (whitespace, line breaks, punctuation,
 * symbols, quote markers such as '>' at line start, hyphens of hyphenated
 * line breaks, control and format characters) is dropped. Hence re-wrapped,
 * re-quoted, CRLF, smart-quote and re-hyphenated copies of a text have the
 * same canonical text.
 *
 * Every canonical character i comes from the text bytes
 * [start[i], end[i]); both arrays are non-decreasing (the map is monotone),
 * so a canonical range [a, b) maps back to the text range
 * [start[a], end[b - 1]). One text character may yield several canonical
 * characters (NFKC of U+FB01 is "fi"); they share one source range.
 *
 * Thread safe: no shared state.
 */
#ifndef SPOOR_NORMALISE_H
#define SPOOR_NORMALISE_H

#include "buf.h"
#include "common.h"

typedef struct spoor_canon {
    uint32_t *chars; /* canonical code points; owned */
    uint32_t *start; /* text offset where chars[i]'s source begins; owned */
    uint32_t *end;   /* text offset where it ends (exclusive); owned */
    size_t len;      /* number of canonical characters */
    size_t cap;      /* allocated entries (internal) */
} spoor_canon;

#define SPOOR_CANON_INIT                                                       \
    {                                                                          \
        NULL, NULL, NULL, 0, 0                                                 \
    }

/**
 * Normalise text (UTF-8; invalid bytes are dropped like punctuation) into
 * out, replacing what out held. Text longer than 4 GiB is refused.
 * @return 0, SPOOR_ELIMIT, or SPOOR_ENOMEM (out is then empty).
 */
SPOOR_API int spoor_normalise(spoor_canon *out, const char *text, size_t len);

/** Release the arrays of c and reset it to SPOOR_CANON_INIT. NULL-safe. */
SPOOR_API void spoor_canon_dispose(spoor_canon *c);

/** Append canonical characters [from, to) as UTF-8. @return 0 or ENOMEM. */
SPOOR_API int spoor_canon_to_utf8(spoor_buf *out, const spoor_canon *c,
                                  size_t from, size_t to);

#endif
