/*
 * thresholds.c: the evidence thresholds that check, overlap and timeline
 * share: one place for their parsing and their help, with the defaults
 * taken from spoor/match.h.
 */
#include <stdio.h>

#include "cmd.h"

void cli_threshold_help(void)
{
    printf("      --common N           a fingerprint in more than N items is "
           "boilerplate\n"
           "                           (default: %d, or one item in %d of a "
           "larger index)\n"
           "      --spread N           ... and one in emails of N or more "
           "threads: list\n"
           "                           footers, signatures (default %d)\n"
           "      --min-evidence N     partially-released needs N canonical "
           "characters in\n"
           "                           releases beyond boilerplate and headers "
           "(default %d)\n"
           "      --min-share F        ... and that share of the item (default "
           "%.2f)\n"
           "      --min-passage N      evidence counts in shared pieces of N "
           "canonical\n"
           "                           characters or more (default %d)\n"
           "      --released-min F     release coverage for 'released' "
           "(default %.1f)\n"
           "      --internal-min F     internal coverage for 'internal-only' "
           "(default %.1f)\n"
           "      --max-sources N      candidate sources verified per item "
           "(default %d)\n"
           "      --min-region N       shortest passage reported, in canonical "
           "characters\n"
           "                           (default %d)\n",
           SPOOR_COMMON_MIN, 1000 / SPOOR_COMMON_PER_MILLE, SPOOR_SPREAD,
           SPOOR_MIN_EVIDENCE, SPOOR_MIN_SHARE, SPOOR_MIN_PASSAGE,
           SPOOR_RELEASED_MIN, SPOOR_INTERNAL_MIN, SPOOR_MAX_SOURCES,
           SPOOR_MIN_REGION);
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
