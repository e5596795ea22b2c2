/*
 * spoor/match.h: provenance of an item against the index, and the shared
 * passages of two items.
 *
 * spoor_check_item() looks up the item's fingerprints, seeds candidate
 * sources with fingerprints that are not boilerplate (present in at most
 * opts.common items), verifies every seed against both canonical texts and
 * extends it to the exact shared span along its diagonal (a region). From
 * the regions it computes coverage (the fraction of the item's canonical
 * characters inside regions shared with a source), source coverage, the
 * coverage by releases, internal collections and any source, the verdict,
 * the first release and the case events the item's dates postdate.
 *
 * Verdicts (thresholds are options, defaults below):
 *   released            release coverage >= released_min (0.80)
 *   partially-released  otherwise, a passage of at least G canonical
 *                       characters is shared with a release
 *   internal-only       otherwise, internal coverage >= internal_min (0.50)
 *   unknown             anything else
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

typedef struct spoor_check_opts {
    unsigned version;
    size_t common;           /* boilerplate threshold (items per hash) */
    const char *const *only; /* restrict to these collections, or NULL */
    size_t n_only;
    double released_min; /* see the verdict table above */
    double internal_min;
    size_t max_sources; /* candidate sources verified per item */
    size_t min_region;  /* shortest region kept, canonical chars */
    spoor_dkim *dkim;   /* verify email signatures with it, or NULL */
} spoor_check_opts;

#define SPOOR_CHECK_OPTS_VERSION 1
#define SPOOR_CHECK_OPTS_INIT                                                  \
    {                                                                          \
        SPOOR_CHECK_OPTS_VERSION, 100, NULL, 0, SPOOR_RELEASED_MIN,            \
            SPOOR_INTERNAL_MIN, SPOOR_MAX_SOURCES, 32, NULL                    \
    }

typedef struct spoor_region {
    size_t q_start, q_end;   /* half-open byte range in the query's text */
    size_t s_start, s_end;   /* half-open byte range in the source's text */
    size_t qc_start, qc_end; /* the same in canonical characters */
    size_t sc_start, sc_end;
} spoor_region;

typedef struct spoor_match {
    spoor_record *source;   /* owned; occurrences already filtered */
    int exact;              /* same sha256 as the query */
    double coverage;        /* of the query's canonical text */
    double source_coverage; /* of the source's canonical text */
    spoor_region *regions;  /* owned, ordered by query offset */
    size_t n_regions;
    size_t longest; /* longest region, canonical chars */
} spoor_match;

typedef struct spoor_postdate {
    char *event, *event_date; /* owned */
    char *field, *value;      /* the item date that is later; owned */
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
} spoor_result;

/**
 * Check item against the index s.
 * @param[out] out the result; NULL on failure.
 * @return 0 or a negative code (index errors, SPOOR_ENOMEM).
 */
SPOOR_API int spoor_check_item(spoor_result **out, spoor_store *s,
                               const spoor_item *item,
                               const spoor_check_opts *opts);

/** Free a result. NULL-safe. */
SPOOR_API void spoor_result_free(spoor_result *r);

/**
 * The verdict for these coverages; longest_release is the longest passage
 * shared with a release, in canonical characters. Static string.
 */
SPOOR_API const char *spoor_verdict(double cov_release, double cov_internal,
                                    size_t longest_release,
                                    const spoor_check_opts *opts);

/**
 * Shared passages of two analysed items (both with text, or both without),
 * regions ordered by a's offsets; a is the "query" side.
 * @param[out] out owned array, free with spoor__free-compatible free().
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
