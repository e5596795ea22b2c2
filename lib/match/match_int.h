/*
 * match_int.h: region building shared by check and compare.
 */
#ifndef SPOOR_MATCH_INT_H
#define SPOOR_MATCH_INT_H

#include <spoor/item.h>
#include <spoor/match.h>

#include "../common/internal.h"
#include "../normalise/normalise_int.h"
#include "../store/store_int.h"

typedef struct spoor_hit {
    uint32_t q, s; /* positions of the same fingerprint in query, source */
} spoor_hit;

/* Regions of a source held at most: past it, the longer half is kept (on
 * repetitive text, short runs on chance diagonals must not crowd out the
 * passage itself). */
#define SPOOR_MAX_REGIONS 100000

/** When out[first..*n) holds SPOOR_MAX_REGIONS regions or more, keep the
 * longer half of them (ties to the earlier), in region order. */
void spoor_match__keep_longest(spoor_region *out, size_t first, size_t *n);

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

/* A source's stored text, read through a spoor_source_reader (stored.c). */
typedef struct spoor_stored_source {
    struct spoor_store *s;
    int64_t content;
    spoor_stored_text stored; /* its table of parts, if it has one */
    spoor_buf text;           /* the text read: whole, or some parts */
    int whole;                /* text holds it whole */
    spoor_canon_mark mark;
} spoor_stored_source;

/**
 * Open the stored text of source rec for reading through *reader (which
 * points into src): only the parts around what is read are decompressed.
 * Close with spoor_match__stored_close, even on error.
 * @return 0 or an error naming the index.
 */
int spoor_match__stored_open(spoor_stored_source *src,
                             spoor_source_reader *reader, struct spoor_store *s,
                             const spoor_record *rec);

void spoor_match__stored_close(spoor_stored_source *src);

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

/* Content id -> 64-bit value (open addressing; content ids start at 1, 0
 * marks an empty slot). */
typedef struct spoor_content_map {
    int64_t *key;
    uint64_t *val;
    size_t cap, n;
} spoor_content_map;

/** The value of content, added as 0 when missing (*fresh then 1).
 * @return 0 or SPOOR_ENOMEM. */
int spoor_content_map__slot(uint64_t **val, int *fresh, spoor_content_map *c,
                            int64_t content);

/** The value of content, or NULL when missing. */
uint64_t *spoor_content_map__find(const spoor_content_map *c, int64_t content);

void spoor_content_map__dispose(spoor_content_map *c);

/* A source a check may verify: the hits of the query in it. */
typedef struct spoor_cand {
    int64_t content;
    size_t count;    /* its hits */
    size_t unique;   /* of which unique (counted only past held_max) */
    spoor_hit *hits; /* n_hits of them once gathered, else NULL */
    size_t n_hits;
} spoor_cand;

struct spoor_store;

/* The hits of one check (hits.c). */
typedef struct spoor_hits {
    struct spoor_store *s;
    const spoor_item *item;
    spoor_fps own;       /* a short text's every k-gram, when looked up */
    const spoor_fps *qf; /* the fingerprints looked up */
    size_t common, spread;
    int64_t exact;       /* the query's exact copy, or -1 */
    size_t n_exact;      /* hits in it (only counted) */
    size_t held_max;     /* hits held before counting instead */
    size_t gathered_max; /* hits gathered at a time */
    int counting;        /* too many hits: counted, gathered later */
    struct chit *chits;
    size_t n_chits, cap_chits;
    spoor_hit *held; /* every candidate's hits, when held */
    spoor_cand *cands;
    size_t n_cands, cap_cands;
    spoor_content_map counts, unique, want, families;
    spoor_cand *to; /* the second pass's sources */
    size_t n_to, *fill, *chunk_start;
} spoor_hits;

/**
 * Look up the query fingerprints of item (its own, or a short text's every
 * k-gram) and count their hits by source into h->cands (h->n_cands, in no
 * set order), holding the hits too while there are few; hits in content
 * exact (or -1) are only counted, in h->n_exact, and it is not among the
 * candidates. Boilerplate k-grams go into mask and r->n_common; r->n_fps
 * is set. h is disposed with spoor_match__hits_dispose, even on error.
 */
int spoor_match__hits_count(spoor_hits *h, struct spoor_store *s,
                            const spoor_item *item, spoor_result *r,
                            spoor_spans *mask, int64_t exact);

/**
 * Give the first *taken of the candidates c[0..n) (from h->cands, in any
 * order; at least one when n > 0) their hits, sorted by query position:
 * a batch whose hits fit in memory (all of them when they are held). A
 * candidate with too many is given its unique hits only; the exact copy
 * none. Let them go with spoor_match__hits_release.
 */
int spoor_match__hits_gather(spoor_hits *h, spoor_cand *c, size_t n,
                             size_t *taken);

/** Free the hits gathered for c[0..n) (held hits stay). */
void spoor_match__hits_release(spoor_hits *h, spoor_cand *c, size_t n);

void spoor_match__hits_dispose(spoor_hits *h);

/** Order hits by query position, then source position (for qsort). */
int spoor_match__cmp_hit_q(const void *a, const void *b);

#endif
