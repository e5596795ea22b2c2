/*
 * cmd_optimize.c: spoor optimize — merge the postings segments into one.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

int cmd_optimize(int argc, char **argv, const cli_global *g)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    spoor_store *store = NULL;
    uint64_t merged = 0;
    spoor_stats st;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: spoor optimize\n\n"
                   "Merge the index's postings segments (one is written per "
                   "committed batch\nof an add) into one, so a check reads "
                   "one sorted file. add merges on its\nown when 32 "
                   "segments accumulate. Checks running meanwhile keep "
                   "reading the\nsegments they opened.\n");
            return CLI_OK;
        }
        return cli_bad_option("optimize", argv);
    }
    if (optind != argc)
        return cli_error_usage("optimize", "takes no arguments");
    if ((rc = cli_open_index(&store, g, 0)) != CLI_OK)
        return rc;
    if (spoor_store_optimize(&merged, store) < 0 ||
        spoor_store_stats(&st, store) < 0) {
        rc = cli_error_lib(g->index);
    } else if (merged) {
        printf("merged %llu segment%s into one (%lld postings, %lld "
               "bytes)\n",
               (unsigned long long)merged, merged == 1 ? "" : "s",
               (long long)st.postings, (long long)st.postings_bytes);
    } else {
        printf("nothing to merge (%lld segment%s)\n", (long long)st.segments,
               st.segments == 1 ? "" : "s");
    }
    spoor_store_free(store);
    return rc;
}
