/*
 * normalise_int.h: the normaliser's internals other stages use (the
 * fingerprint stream, matching, the store's text parts, the walker): the
 * chars-only and appending forms, marks and stretches, the wide-path
 * switch. Not part of the public API.
 */
#ifndef SPOOR_NORMALISE_INT_H
#define SPOOR_NORMALISE_INT_H

#include <stddef.h>

struct spoor_canon;
/** spoor_normalise without the offset map: out's chars only (start and end
 * are NULL); a third of the memory traffic, for callers that index. */
int spoor_normalise__chars(struct spoor_canon *out, const char *text,
                           size_t len);

/** spoor_normalise__chars appending to the first `at` characters of out
 * (at <= out->len), which stay. @return 0, SPOOR_EINVALID (at too large),
 * SPOOR_ELIMIT or SPOOR_ENOMEM (out is then empty). */
int spoor_normalise__chars_after(struct spoor_canon *out, size_t at,
                                 const char *text, size_t len);

/** Whether normalisation uses its wide (SIMD) ASCII path; enable 0 or 1
 * turns it off or back on (where the CPU has it), -1 only asks. For tests
 * and the kernel benchmark: both paths give the same canonical text. */
int spoor_normalise__wide(int enable);

/* A place where normalisation of a text can start afresh: the text's start
 * or an ASCII letter, at byte `byte`, with `canon` canonical characters
 * before it. Normalising the text from a mark on gives exactly the
 * canonical characters of the whole text from `canon` on. */
typedef struct spoor_canon_mark {
    size_t byte, canon;
} spoor_canon_mark;

/* Marks of a long text, by rising canon: where a stretch of it can be
 * normalised without normalising what comes before. */
typedef struct spoor_text_marks {
    spoor_canon_mark *v;
    size_t n, cap;
} spoor_text_marks;

/** Append mark (byte, canon) to m. @return 0 or SPOOR_ENOMEM. */
int spoor_text_marks__push(spoor_text_marks *m, size_t byte, size_t canon);
/** The last mark of m whose canon is at most c ({0, 0} when none). */
spoor_canon_mark spoor_text_marks__at(const spoor_text_marks *m, size_t c);
void spoor_text_marks__dispose(spoor_text_marks *m);

/** Where a stretch of text that starts at a mark, byte from (<= len), ends
 * after at least `bytes` bytes: the first mark at or after from + bytes (an
 * ASCII letter), or len. */
size_t spoor_normalise__stretch_end(const char *text, size_t len, size_t from,
                                    size_t bytes);

/**
 * Normalise, with offsets, a stretch of text that covers its canonical
 * characters [from, to) (as far as the text has them), scanning forward from
 * *mark, a mark whose canon is at most from ({0, 0} the first time). On
 * success out->chars[0] is canonical character *base (base <= from), out's
 * offsets are offsets into the whole text, and *mark is moved on to a mark at
 * most `to`, where a later stretch can start. scratch is working memory the
 * caller keeps across calls (chars only). Touches about the stretch's bytes
 * plus one pass of counting over the text before it.
 * @return 0, SPOOR_ELIMIT or SPOOR_ENOMEM.
 */
int spoor_normalise__stretch(struct spoor_canon *out,
                             struct spoor_canon *scratch, const char *text,
                             size_t len, spoor_canon_mark *mark, size_t from,
                             size_t to, size_t *base);

#endif
