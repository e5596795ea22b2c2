/*
 * thresholds.c: the evidence thresholds that check, overlap and timeline
 * share: one place for their parsing and their help, with the defaults
 * taken from spoor/match.h.
 */
#include <stdio.h>

#include "cmd.h"

const cli_opt *cli_threshold_opts(void)
{
    /* the help carries the defaults of spoor/match.h, written once */
    static char common[128], spread[96], minev[128], share[64], passage[96],
        released[64], internal[64], sources[64], region[96];
    static cli_opt t[10];
    if (t[0].name)
        return t;
    snprintf(common, sizeof(common),
             "a fingerprint in more than N items is boilerplate\n"
             "(default: %d, or one item in %d of a larger index)",
             SPOOR_COMMON_MIN, 1000 / SPOOR_COMMON_PER_MILLE);
    snprintf(spread, sizeof(spread),
             "... and one in emails of N or more threads: list\n"
             "footers, signatures (default %d)",
             SPOOR_SPREAD);
    snprintf(minev, sizeof(minev),
             "partially-released needs N canonical characters in\n"
             "releases beyond boilerplate and headers (default %d)",
             SPOOR_MIN_EVIDENCE);
    snprintf(share, sizeof(share),
             "... and that share of the item (default %.2f)", SPOOR_MIN_SHARE);
    snprintf(passage, sizeof(passage),
             "evidence counts in shared pieces of N canonical\n"
             "characters or more (default %d)",
             SPOOR_MIN_PASSAGE);
    snprintf(released, sizeof(released),
             "release coverage for 'released' (default %.1f)",
             SPOOR_RELEASED_MIN);
    snprintf(internal, sizeof(internal),
             "internal coverage for 'internal-only' (default %.1f)",
             SPOOR_INTERNAL_MIN);
    snprintf(sources, sizeof(sources),
             "candidate sources verified per item (default %d)",
             SPOOR_MAX_SOURCES);
    snprintf(region, sizeof(region),
             "shortest passage reported, in canonical characters\n"
             "(default %d)",
             SPOOR_MIN_REGION);
    t[0] = (cli_opt){"common", 0, CLI_O_COMMON, "N", common};
    t[1] = (cli_opt){"spread", 0, CLI_O_SPREAD, "N", spread};
    t[2] = (cli_opt){"min-evidence", 0, CLI_O_MINEV, "N", minev};
    t[3] = (cli_opt){"min-share", 0, CLI_O_MINSHARE, "F", share};
    t[4] = (cli_opt){"min-passage", 0, CLI_O_MINPASS, "N", passage};
    t[5] = (cli_opt){"released-min", 0, CLI_O_RELMIN, "F", released};
    t[6] = (cli_opt){"internal-min", 0, CLI_O_INTMIN, "F", internal};
    t[7] = (cli_opt){"max-sources", 0, CLI_O_MAXSRC, "N", sources};
    t[8] = (cli_opt){"min-region", 0, CLI_O_MINREG, "N", region};
    return t; /* t[9] stays the end */
}

int cli_threshold_option(int opt, const char *arg, spoor_check_opts *o,
                         const char *cmd)
{
    switch (opt) {
    case CLI_O_COMMON:
        if (cli_parse_size(arg, &o->common) || o->common == 0)
            return cli_error_usage(cmd, "--common needs N >= 1");
        return CLI_OK;
    case CLI_O_RELMIN:
        if (cli_parse_fraction(arg, &o->released_min))
            return cli_error_usage(cmd, "--released-min needs a number in "
                                        "[0, 1]");
        return CLI_OK;
    case CLI_O_INTMIN:
        if (cli_parse_fraction(arg, &o->internal_min))
            return cli_error_usage(cmd, "--internal-min needs a number in "
                                        "[0, 1]");
        return CLI_OK;
    case CLI_O_SPREAD:
        if (cli_parse_size(arg, &o->spread) || o->spread < 2)
            return cli_error_usage(cmd, "--spread needs N >= 2");
        return CLI_OK;
    case CLI_O_MINEV:
        if (cli_parse_size(arg, &o->min_evidence) || o->min_evidence == 0)
            return cli_error_usage(cmd, "--min-evidence needs N >= 1");
        return CLI_OK;
    case CLI_O_MINSHARE:
        if (cli_parse_fraction(arg, &o->min_share))
            return cli_error_usage(cmd, "--min-share needs a number in [0, 1]");
        return CLI_OK;
    case CLI_O_MINPASS:
        if (cli_parse_size(arg, &o->min_passage) ||
            o->min_passage < SPOOR_TEXT_K)
            return cli_error_usage(cmd, "--min-passage needs N >= %d",
                                   SPOOR_TEXT_K);
        return CLI_OK;
    case CLI_O_MAXSRC:
        if (cli_parse_size(arg, &o->max_sources) || o->max_sources == 0)
            return cli_error_usage(cmd, "--max-sources needs N >= 1");
        return CLI_OK;
    case CLI_O_MINREG:
        if (cli_parse_size(arg, &o->min_region) || o->min_region < SPOOR_TEXT_K)
            return cli_error_usage(cmd, "--min-region needs N >= %d",
                                   SPOOR_TEXT_K);
        return CLI_OK;
    default:
        return -1;
    }
}
