/*
 * verdict.c: evidence -> verdict (thresholds documented in spoor/match.h
 * and docs/design.md). Pure function; the only place verdict words are made.
 */
#include "match_int.h"

/* Whether evidence of chars canonical characters, share of the item, is
 * substantive: the minimum of partially-released. */
int spoor_match__substantive(size_t chars, double share,
                             const spoor_check_opts *opts)
{
    size_t min_chars =
        opts->version >= 2 ? opts->min_evidence : SPOOR_MIN_EVIDENCE;
    double min_share = opts->version >= 2 ? opts->min_share : SPOOR_MIN_SHARE;
    return chars > 0 && chars >= min_chars && share >= min_share;
}

const char *spoor_verdict(double cov_release, double cov_internal,
                          size_t release_chars, const spoor_check_opts *opts)
{
    if (cov_release > 0 && cov_release >= opts->released_min)
        return "released";
    if (spoor_match__substantive(release_chars, cov_release, opts))
        return "partially-released";
    if (cov_internal > 0 && cov_internal >= opts->internal_min)
        return "internal-only";
    return "unknown";
}
