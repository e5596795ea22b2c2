/*
 * cmd_optimize.c: spoor optimize — merge the postings segments into one.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

int cmd_optimize(int argc, char **argv, const cli_global *g)
{
    static const cli_opt none[] = {CLI_OPT_END};
    const cli_opt *const tables[] = {none, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    uint64_t merged = 0;
    spoor_stats st;
    int opt, rc;

    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'h') {
            printf("usage: spoor optimize\n\n"
                   "Merge the index's postings segments (one is written per "
                   "committed batch\nof an add) into one, so a check reads "
                   "one sorted file. add merges on its\nown each time 8 "
                   "segments of a size accumulate. Checks running meanwhile\n"
                   "keep reading the segments they opened.\n\n");
            cli_options_help(tables);
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
