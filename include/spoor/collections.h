/*
 * spoor/collections.h: answers about whole collections, from the index
 * alone.
 *
 * spoor_overlap: for each ordered pair of collections (A, B), how many of
 * A's items share a substantive part with B (the verdict's strength rule:
 * boilerplate and email headers aside, at least min_evidence characters and
 * min_share of the item, or released_min of it), and how many of A's
 * canonical characters are evidence shared with B.
 *
 * spoor_timeline: the release collections in date order; for each, how
 * many internal items it holds in substance, how many of those first
 * appear in it and how many an earlier release held already.
 *
 * Method: first a join of the segments' posting lists (one pass over
 * every posting, in fingerprint order) marks each content that shares a
 * fingerprint with another. A content that shares none can be held only
 * by the collections it is itself in, whole: that is its answer, without
 * a check. Each other distinct content of the collections concerned is
 * checked once, as check does, from its stored text (no re-extraction; an
 * email's header block is left out as always) as far as the evidence: its
 * fingerprints are looked up, candidates verified, boilerplate masked;
 * then its evidence is split by the collections holding its sources. The
 * checks run in parallel (jobs threads).
 */
#ifndef SPOOR_COLLECTIONS_H
#define SPOOR_COLLECTIONS_H

#include "match.h"
#include "store.h"

/** One ordered pair of the overlap matrix. */
typedef struct spoor_overlap_pair {
    const char *a, *b;           /* collection names */
    uint64_t items, items_total; /* A's items sharing substance with B; A's */
    uint64_t chars, chars_total; /* A's evidence chars in B; A's substance */
} spoor_overlap_pair;

typedef int (*spoor_overlap_cb)(const spoor_overlap_pair *p, void *payload);

/** An item of A (its path in A) that shares substance with B. */
typedef int (*spoor_overlap_item_cb)(const char *a, const char *b,
                                     const char *path, double share,
                                     void *payload);

/**
 * The overlap matrix between the collections named in only (all when
 * n_only is 0): on_pair for every ordered pair (A, B), A != B, in the
 * collections' order; on_item (may be NULL) for every item behind a
 * pair's count, before the pairs. opts: the check options (thresholds).
 * jobs: threads that check contents (0: one per core), each with its own
 * handle on the index; answers are summed in content order, so the output
 * is the same for any jobs.
 * @return 0, SPOOR_ENOTFOUND (an unknown collection), a negative value a
 *         callback returned, or an index error.
 */
SPOOR_API int spoor_overlap(spoor_store *s, const char *const *only,
                            size_t n_only, const spoor_check_opts *opts,
                            unsigned jobs, spoor_overlap_cb on_pair,
                            spoor_overlap_item_cb on_item,
                            spoor_progress_cb progress, void *payload);

/** One release of the timeline. */
typedef struct spoor_timeline_release {
    const char *collection, *date; /* date may be NULL (listed last) */
    uint64_t internal_items;       /* internal items it holds in substance */
    uint64_t new_items, seen_before;
} spoor_timeline_release;

typedef int (*spoor_timeline_cb)(const spoor_timeline_release *r,
                                 void *payload);

/** An internal item (collection:path) and the first release holding its
 * substance (NULL: none). */
typedef int (*spoor_timeline_item_cb)(const char *collection, const char *path,
                                      const char *first_release,
                                      const char *date, void *payload);

/**
 * The release timeline: on_release for each release collection in date
 * order (undated last); on_item (may be NULL) for every internal item,
 * before the releases. jobs: as for spoor_overlap.
 * @return 0, a negative value a callback returned, or an index error.
 */
SPOOR_API int spoor_timeline(spoor_store *s, const spoor_check_opts *opts,
                             unsigned jobs, spoor_timeline_cb on_release,
                             spoor_timeline_item_cb on_item,
                             spoor_progress_cb progress, void *payload);

/**
 * Append a self-contained HTML page of the overlap matrix pairs[0..n_pairs)
 * (as spoor_overlap gave them) as a heat map, in the evidence report's
 * style and safety (no script, nothing loaded, names escaped). index and
 * command (may be NULL) are named in its provenance.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_html_overlap(spoor_buf *out,
                                 const spoor_overlap_pair *pairs,
                                 size_t n_pairs, const char *index,
                                 const char *command);

/**
 * Append a self-contained HTML page of the release timeline rel[0..n) (as
 * spoor_timeline gave it) as a bar chart and a table, as spoor_html_overlap.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_html_timeline(spoor_buf *out,
                                  const spoor_timeline_release *rel, size_t n,
                                  const char *index, const char *command);

#endif
