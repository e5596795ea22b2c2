/*
 * spoor/match.h: provenance of an item against the index, and the shared
 * passages of two items.
 *
 * spoor_check_item() looks up the item's fingerprints (an email's header
 * block has none: it is metadata), seeds candidate sources with those that
 * are not boilerplate, verifies every seed against both canonical texts and
 * extends it to the exact shared span along its diagonal (a region; never
 * into a header block). From the regions it computes the evidence: the
 * query's canonical characters inside regions, minus boilerplate. From the
 * evidence: coverage per source and per kind of collection, the verdict,
 * the first release and the case events the item's dates postdate.
 *
 * Boilerplate (parameters are options, defaults below):
 *   - a fingerprint held by more than `common` items (default: 100, or one
 *     item in 1,000 of a larger index), or by emails of at least `spread`
 *     threads (default 10), so a list footer or a signature repeated
 *     across threads is boilerplate while a message quoted within its
 *     thread is not (other items count by `common` only: one document
 *     found in many places is content, not boilerplate);
 *   - anything shared with an item of a `boilerplate` collection;
 *   - inside a region, the characters under boilerplate fingerprints: a
 *     region seeded by a rare fingerprint at its edge does not carry the
 *     boilerplate it extends through.
 * Evidence is what of the regions lies outside the boilerplate, in pieces
 * of at least min_passage (100) canonical characters, or half the item's
 * substance for a short paste; shares are of the item's substance (its
 * compared text less boilerplate).
 *
 * Verdicts (thresholds are options, defaults below):
 *   released            release evidence >= released_min (0.80) of the item
 *   partially-released  otherwise, release evidence of at least min_evidence
 *                       canonical characters (150) and min_share (0.05) of
 *                       the item: a substantive share
 *   internal-only       otherwise, internal evidence >= internal_min (0.50)
 *   unknown             anything else
 * Weaker links are still listed as matches; r->verdict_basis says what the
 * verdict rests on.
 *
 * Items without text are compared over raw bytes; their regions are chains
 * of fingerprint hits (exact to about w bytes), since source bytes are not
 * stored. Results own their memory; free with spoor_result_free().
 */
#ifndef SPOOR_MATCH_H
#define SPOOR_MATCH_H

#include "common.h"
#include "dkim.h"
#include "item.h"
#include "store.h"

#define SPOOR_RELEASED_MIN 0.80
#define SPOOR_INTERNAL_MIN 0.50
#define SPOOR_MAX_SOURCES 200
#define SPOOR_COMMON_MIN 100     /* common: at least this many items */
#define SPOOR_COMMON_PER_MILLE 1 /* ... or this share of the index */
#define SPOOR_SPREAD 10          /* boilerplate across this many families */
#define SPOOR_MIN_EVIDENCE 150   /* partially-released: canonical chars */
#define SPOOR_MIN_SHARE 0.05     /* ... and this share of the item */
#define SPOOR_MIN_PASSAGE 100    /* evidence: pieces of at least this */
#define SPOOR_MIN_REGION 32      /* shortest region kept */
#define SPOOR_GUARANTEE (SPOOR_TEXT_W + SPOOR_TEXT_K - 1)

typedef struct spoor_check_opts {
    unsigned version;
    size_t common; /* boilerplate: items per hash (0: the default rule) */
    const char *const *only; /* restrict to these collections, or NULL */
    size_t n_only;
    double released_min; /* see the verdict table above */
    double internal_min;
    size_t max_sources; /* candidate sources verified per item */
    size_t min_region;  /* shortest region kept, canonical chars */
    spoor_dkim *dkim;   /* verify email signatures with it, or NULL */
    /* version 2 */
    size_t spread;       /* boilerplate: families per hash */
    size_t min_evidence; /* partially-released: canonical characters */
    double min_share;    /* partially-released: share of the item */
    size_t min_passage;  /* evidence comes in pieces of this many chars */
} spoor_check_opts;

#define SPOOR_CHECK_OPTS_VERSION 2
#define SPOOR_CHECK_OPTS_INIT                                                  \
    {                                                                          \
        SPOOR_CHECK_OPTS_VERSION, 0, NULL, 0, SPOOR_RELEASED_MIN,              \
            SPOOR_INTERNAL_MIN, SPOOR_MAX_SOURCES, SPOOR_MIN_REGION, NULL,     \
            SPOOR_SPREAD, SPOOR_MIN_EVIDENCE, SPOOR_MIN_SHARE,                 \
            SPOOR_MIN_PASSAGE                                                  \
    }

typedef struct spoor_region {
    size_t q_start, q_end;   /* half-open byte range in the query's text */
    size_t s_start, s_end;   /* half-open byte range in the source's text */
    size_t qc_start, qc_end; /* the same in canonical characters */
    size_t sc_start, sc_end;
} spoor_region;

/*
 * Where a part of a region comes from (check only): the query bytes
 * [q_start, q_end) of region `region` are held earliest by match `origin`
 * (an index into the result's matches: the earliest-dated source holding
 * that part), and first released in occurrence first_release_occ of match
 * first_release (-1: no release holds it).
 */
typedef struct spoor_origin_span {
    size_t region;
    size_t q_start, q_end;
    long origin, first_release;
    size_t first_release_occ;
} spoor_origin_span;

/* A part of a region that is boilerplate: byte range in the query's text. */
typedef struct spoor_bp_span {
    size_t region;         /* index into the match's regions */
    size_t q_start, q_end; /* half-open, text bytes of the query */
} spoor_bp_span;

/* A half-open range of canonical characters of the query. */
typedef struct spoor_range {
    size_t start, end;
} spoor_range;

typedef struct spoor_match {
    spoor_record *source;   /* owned; occurrences already filtered */
    int exact;              /* same sha256 as the query */
    double coverage;        /* evidence share of the query's compared text */
    double source_coverage; /* the same of the source's */
    spoor_region *regions;  /* owned, ordered by query offset */
    size_t n_regions;
    size_t longest;    /* longest region, canonical chars */
    size_t evidence;   /* canonical chars of regions beyond boilerplate */
    spoor_bp_span *bp; /* boilerplate parts of regions; owned */
    size_t n_bp;
    int boilerplate;        /* the source is in a boilerplate collection */
    const char *relation;   /* to the query in time: "earlier", "same",
                               "later", "undated"; static */
    char *when;             /* the source's time that relation used; owned */
    const char *when_basis; /* where it is from: the source's own date field
                               or "collection date"; borrowed/static */
    spoor_origin_span *origins; /* each region's parts by origin, in region
                                   order; owned */
    size_t n_origins;
    spoor_range *ev; /* the evidence, ordered and disjoint; owned */
    size_t n_ev;
} spoor_match;

typedef struct spoor_postdate {
    char *event, *event_date; /* owned */
    char *field, *value;      /* the item date that is later; owned */
    char *member; /* a container's record: the member whose date it is;
                     owned, NULL for the item's own */
} spoor_postdate;

typedef struct spoor_result {
    spoor_match *matches; /* owned, by coverage descending */
    size_t n_matches;
    double cov_release, cov_internal, cov_any;
    const char *verdict; /* static string */
    char *first_release; /* collection name, owned, or NULL */
    char *first_release_date;
    spoor_postdate *postdates;
    size_t n_postdates;
    size_t n_fps;         /* fingerprints looked up */
    size_t n_common;      /* of which boilerplate */
    size_t n_dropped;     /* candidate sources beyond max_sources */
    int approximate;      /* byte-level regions (no text) */
    spoor_dkim_sig *dkim; /* signatures of an email item; owned */
    size_t n_dkim;
    int dkim_checked;  /* 1: the item is an email and was checked */
    spoor_date *dates; /* dates found while checking (dkim-t); owned */
    size_t n_dates;
    size_t compared;      /* canonical chars compared (without headers) */
    size_t substance;     /* of which not boilerplate: what shares are of */
    size_t piece;         /* evidence counts in pieces of this many */
    size_t release_chars; /* evidence shared with releases */
    size_t internal_chars, any_chars; /* ... with internal collections, any */
    double cov_boilerplate;           /* share of the compared text that is
                                         boilerplate (and shared with a source) */
    size_t n_bp_only; /* sources sharing boilerplate only (not listed) */
    size_t common_used, spread_used; /* the boilerplate thresholds applied */
    int below_guarantee;             /* fewer than G compared characters */
    char *verdict_basis;             /* what the verdict rests on; owned */
    char *when;             /* the item's own time for relations; owned */
    const char *when_field; /* its date field, or NULL; borrowed */
    /* a container's record (spoor_result_absorb, spoor_result_summarise):
     * the fields above then answer for it and everything inside it, and
     * own_* keep its own text's answer */
    int summary;
    const char *own_verdict;
    double own_cov_release, own_cov_internal, own_cov_any;
    size_t agg_substance, agg_release, agg_internal, agg_any;
    struct spoor_member *members; /* owned */
    size_t n_members, cap_members;
} spoor_result;

/* One item inside a container, as its record summarises it. */
typedef struct spoor_member {
    char *path;          /* its path (outer!inner); owned */
    const char *verdict; /* static */
    double cov_release, cov_any;
    char *first_release, *first_release_date; /* owned, or NULL */
    struct {
        char *collection, *path; /* owned */
        double coverage;
    } top[3]; /* its first sources */
    size_t n_top;
} spoor_member;

/**
 * Check item against the index s.
 * @param[out] out the result; NULL on failure.
 * @return 0 or a negative code (index errors, SPOOR_ENOMEM).
 */
SPOOR_API int spoor_check_item(spoor_result **out, spoor_store *s,
                               const spoor_item *item,
                               const spoor_check_opts *opts);

/**
 * Check an indexed content against the rest of the index: its stored text
 * text[0..len) (spoor_store_text) as its record rec says (format, sha256,
 * size, dates, email header block), the content itself left out of the
 * sources. This is the answer an item's page in spoor serve shows. Email
 * signatures are not verified (the stored text is not the message's
 * bytes). item (overwritten) receives the analysed text: it borrows text
 * and rec, which must outlive it; release it with spoor_item_dispose.
 * @return 0 or a negative code, as spoor_check_item (item then released).
 */
SPOOR_API int spoor_check_indexed(spoor_result **out, spoor_item *item,
                                  spoor_store *s, const spoor_record *rec,
                                  const char *text, size_t len,
                                  const spoor_check_opts *opts);

/**
 * Add member's answer (its own, or its summary when it is a container
 * itself) to container's record: a container's record summarises
 * everything nested in it. member_path names the member. Call
 * spoor_result_summarise once every member is in.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_result_absorb(spoor_result *container,
                                  const spoor_result *member,
                                  const char *member_path);

/**
 * Turn container's record into the summary of its own text and its
 * members': coverage over all their substance together, the verdict by
 * the same rule, first_release (the earliest of the members' and its own,
 * for a released or partially-released whole), postdates of any of them,
 * and the verdict basis. An exact copy of a released container is
 * released whatever it holds. Does nothing without members.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_result_summarise(spoor_result *container,
                                     const spoor_check_opts *opts);

/**
 * The evidence that r's sources in collection share with the item: their
 * evidence ranges together (boilerplate sources aside), in canonical
 * characters (*chars) and as a share of the item's substance (*share). An
 * exact copy of an item without text counts whole.
 * @return 0 or SPOOR_ENOMEM.
 */
SPOOR_API int spoor_result_evidence_in(const spoor_result *r,
                                       const char *collection, size_t *chars,
                                       double *share);

/** Free a result. NULL-safe. */
SPOOR_API void spoor_result_free(spoor_result *r);

/**
 * The verdict for these evidence shares; release_chars is the release
 * evidence in canonical characters (bytes for items without text). Static
 * string.
 */
SPOOR_API const char *spoor_verdict(double cov_release, double cov_internal,
                                    size_t release_chars,
                                    const spoor_check_opts *opts);

/**
 * Shared passages of two analysed items (both with text, or both without),
 * regions ordered by a's offsets; a is the "query" side.
 * @param[out] out owned array, free with spoor__free-compatible free().
 * @return 0, SPOOR_EINVALID (a and b of different kinds: text and bytes) or
 * SPOOR_ENOMEM.
 */
SPOOR_API int spoor_compare(spoor_region **out, size_t *n_out,
                            const spoor_item *a, const spoor_item *b,
                            size_t min_region);

/** Free an array returned by spoor_compare. */
SPOOR_API void spoor_regions_free(spoor_region *r);

/** Fraction of [0, total) covered by the union of [start, end) ranges. */
SPOOR_API double spoor_coverage(const size_t *starts, const size_t *ends,
                                size_t n, size_t total);

#endif
