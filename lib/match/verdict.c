/*
 * verdict.c: coverages -> verdict (thresholds documented in spoor/match.h
 * and the README). Pure function; the only place verdict words are made.
 */
#include <spoor/fingerprint.h>
#include <spoor/match.h>

const char *spoor_verdict(double cov_release, double cov_internal,
                          size_t longest_release, const spoor_check_opts *opts)
{
    const size_t g = SPOOR_TEXT_W + SPOOR_TEXT_K - 1;
    if (cov_release > 0 && cov_release >= opts->released_min)
        return "released";
    if (longest_release >= g)
        return "partially-released";
    if (cov_internal > 0 && cov_internal >= opts->internal_min)
        return "internal-only";
    return "unknown";
}
