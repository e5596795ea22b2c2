/*
 * match_int.h: region building shared by check and compare.
 */
#ifndef SPOOR_MATCH_INT_H
#define SPOOR_MATCH_INT_H

#include <spoor/item.h>
#include <spoor/match.h>

#include "../common/internal.h"
#include "../normalise/normalise_int.h"

typedef struct spoor_hit {
    uint32_t q, s; /* positions of the same fingerprint in query, source */
} spoor_hit;

/* Hard cap on regions per source: bounds work on repetitive input. */
#define SPOOR_MAX_REGIONS 100000

/* Where regions may begin: canonical characters before q (query) and s
 * (source) are an email's header block, metadata that no region holds. */
typedef struct spoor_floors {
    size_t q, s;
} spoor_floors;

/**
 * Verified, maximally extended regions of the hits (sorted in place) between
 * canonical texts q and s, none reaching below the floors (f may be NULL:
 * none); only regions of at least min_region characters are kept. Text
 * offsets are filled from the canon maps. Appends to out, n and cap.
 */
int spoor_match__text_regions(const spoor_canon *q, const spoor_canon *s,
                              spoor_hit *hits, size_t n_hits, unsigned k,
                              size_t min_region, const spoor_floors *f,
                              spoor_region **out, size_t *n, size_t *cap);

/**
 * spoor_match__text_regions against a source given as its text (len bytes,
 * s_total canonical characters): the same regions, but where the hits reach
 * only a small part of a long source, only the stretches around them are
 * normalised (spoor_normalise__stretch) instead of the whole text. Hits
 * are sorted and their s positions are changed.
 */
int spoor_match__source_regions(const spoor_canon *q, const char *text,
                                size_t len, size_t s_total, spoor_hit *hits,
                                size_t n_hits, unsigned k, size_t min_region,
                                const spoor_floors *f, spoor_region **out,
                                size_t *n, size_t *cap);

/* Where spoor_match__source_regions_from reads a source's text. */
typedef struct spoor_source_reader {
    /*
     * Text that holds canonical characters [from, to) of the source (to ==
     * SIZE_MAX: the whole text): *text of *len bytes, the source's bytes from
     * *byte on, and *mark, a mark in it (offsets relative to *text) at most
     * from, which the caller moves on for its next, later stretch. Valid
     * until the next call. @return 0 or an error.
     */
    int (*read)(void *payload, size_t from, size_t to, const char **text,
                size_t *len, size_t *byte, spoor_canon_mark **mark);
    void *payload;
} spoor_source_reader;

/** spoor_match__source_regions reading the source through src (a text
 * stored in parts is read only around the hits). */
int spoor_match__source_regions_from(const spoor_canon *q,
                                     spoor_source_reader *src, size_t s_total,
                                     spoor_hit *hits, size_t n_hits, unsigned k,
                                     size_t min_region, const spoor_floors *f,
                                     spoor_region **out, size_t *n,
                                     size_t *cap);

/**
 * Join the regions of r[0..n) that overlap or touch on one diagonal (the
 * pieces of one shared run found from two stretches of a query) into one,
 * then order them by query start, then source start.
 * @return how many regions are left, moved to the front.
 */
size_t spoor_match__join_diagonals(spoor_region *r, size_t n);

/* A long query's canonical text (an item with marks, see query.c), a
 * stretch at a time: st holds canonical characters [base, base + st.len)
 * with offsets into the item's text. */
typedef struct spoor_qview {
    const spoor_item *item;
    spoor_canon st, scratch;
    size_t base;
    int have; /* st holds a stretch */
} spoor_qview;

void spoor_qview__init(spoor_qview *v, const spoor_item *item);
void spoor_qview__dispose(spoor_qview *v);
/** Normalise a stretch of the query that covers its canonical characters
 * [from, to) (as far as it has them) into v. @return 0 or an error. */
int spoor_qview__stretch(spoor_qview *v, size_t from, size_t to);

/**
 * Byte offsets in item's text of its canonical characters [a, b): *start
 * where character a begins, *end where character b - 1 ends; from the
 * offset map, or through v for a long query (marks); a and b themselves
 * for bytes, or an item without either. @return 0 or an error.
 */
int spoor_match__q_bytes(const spoor_item *item, spoor_qview *v, size_t a,
                         size_t b, size_t *start, size_t *end);

/**
 * spoor_match__source_regions_from for a long query (item->marks), whose
 * stretches are normalised window by window of hits, the pieces of a run
 * that crosses windows joined (see query.c). Hits are sorted and changed.
 */
int spoor_match__long_query_regions(const spoor_item *item,
                                    spoor_source_reader *src, size_t s_total,
                                    spoor_hit *hits, size_t n_hits, unsigned k,
                                    size_t min_region, const spoor_floors *f,
                                    spoor_region **out, size_t *n, size_t *cap);

/**
 * Drop the regions (ordered by query start) whose query range lies inside
 * another's: a passage that the source holds several times is reported
 * once, by its longest alignment, the first in the source on a tie.
 * @return how many regions are left, moved to the front.
 */
size_t spoor_match__drop_contained(spoor_region *r, size_t n);

/** The evidence (its union, canonical characters) that r's sources in
 * collection name share, boilerplate sources aside (match.c).
 * @return 0 or SPOOR_ENOMEM. */
int spoor_match__collection_evidence(const spoor_result *r, const char *name,
                                     size_t *chars);

/** Free r's members (summary.c). */
void spoor_members__free(spoor_result *r);

/**
 * spoor_check_item as far as the evidence: matches, their evidence, the
 * item's substance and coverage; no relations, origins, verdict or dates
 * (what spoor_result_evidence_in needs, for overlap and timeline).
 * @return as spoor_check_item.
 */
int spoor_match__evidence_only(spoor_result **out, spoor_store *s,
                               const spoor_item *item,
                               const spoor_check_opts *opts);

/** Build r->verdict_basis (match.c). @return 0 or SPOOR_ENOMEM. */
int spoor_match__verdict_basis(spoor_result *r, const spoor_check_opts *opts);

/* ==== Time (relation.c) ==== */

/** Each match's relation in time to item, and r->when. @return 0 or
 * SPOOR_ENOMEM. */
int spoor_match__relations(spoor_result *r, const spoor_item *item);

/** Each region's parts by origin and first release (matches in their
 * final order, item the query). @return 0 or SPOOR_ENOMEM. */
int spoor_match__origins(spoor_result *r, const spoor_item *item);

/* ==== Evidence (evidence.c) ==== */

/* Half-open ranges [a, b) of canonical characters (bytes for items without
 * text). */
typedef struct spoor_span {
    size_t a, b;
} spoor_span;

typedef struct spoor_spans {
    spoor_span *v;
    size_t n, cap;
} spoor_spans;

/** Append [a, b) (nothing when empty). @return 0 or SPOOR_ENOMEM. */
int spoor_spans__push(spoor_spans *s, size_t a, size_t b);

/** Sort and join overlapping or touching ranges. */
void spoor_spans__merge(spoor_spans *s);

/** Characters the ranges hold (merged ranges: their union). */
size_t spoor_spans__total(const spoor_spans *s);

void spoor_spans__dispose(spoor_spans *s);

/**
 * Append to out the evidence of region [a, b) under mask (merged): its
 * parts outside the mask that are at least `least` characters long.
 * @return 0 or SPOOR_ENOMEM.
 */
int spoor_spans__evidence(const spoor_spans *mask, size_t a, size_t b,
                          size_t least, spoor_spans *out);

/** Whether evidence of chars, share of the item, is substantive. */
int spoor_match__substantive(size_t chars, double share,
                             const spoor_check_opts *opts);

/**
 * Regions of byte fingerprints: hits on one diagonal closer than w + k
 * bytes chain into one region [first, last + k). Offsets are bytes.
 */
int spoor_match__byte_regions(spoor_hit *hits, size_t n_hits, unsigned k,
                              unsigned w, spoor_region **out, size_t *n,
                              size_t *cap);

#endif
