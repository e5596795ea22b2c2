/*
 * cmd_stats.c: spoor stats [--json] — counts, sizes and matching parameters.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

static const cli_opt stats_opts[] = {{"json", 0, 'J', NULL, "one JSON object"},
                                     CLI_OPT_END};

int cmd_stats(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {stats_opts, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    spoor_stats st;
    int opt, json = 0, rc;
    const int k = SPOOR_TEXT_K, w = SPOOR_TEXT_W, G = k + w - 1;
    double per_char;
    long long common;

    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'J') {
            json = 1;
        } else if (opt == 'h') {
            printf("usage: spoor stats [--json]\n\n"
                   "Index size and counts, and the matching parameters: "
                   "k-gram length k,\nwinnowing window w and the guarantee "
                   "G = w + k - 1 (every shared passage\nof at least G "
                   "canonical characters is found).\n\n");
            cli_options_help(tables);
            return CLI_OK;
        } else {
            return cli_bad_option("stats", argv);
        }
    }
    if (optind != argc)
        return cli_error_usage("stats", "takes no arguments");
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK)
        return rc;
    if (spoor_store_stats(&st, store) < 0) {
        rc = cli_error_lib(g->index);
        goto done;
    }
    per_char = st.canon_chars ? (double)st.stored_bytes / st.canon_chars : 0;
    common = (long long)st.contents * SPOOR_COMMON_PER_MILLE / 1000;
    if (common < SPOOR_COMMON_MIN)
        common = SPOOR_COMMON_MIN;
    if (json) {
        printf("{\"index\": \"%s\", \"collections\": %lld, \"items\": %lld, "
               "\"contents\": %lld, \"postings\": %lld, \"segments\": %lld, "
               "\"postings_bytes\": %lld, \"events\": %lld, "
               "\"text_bytes\": %lld, \"canonical_chars\": %lld, "
               "\"stored_bytes\": %lld, \"bytes_per_canonical_char\": %.3f, "
               "\"k\": %d, \"w\": %d, \"G\": %d, \"bytes_k\": %d, "
               "\"bytes_w\": %d, \"common_default\": %lld, "
               "\"spread_default\": %d, \"min_evidence_default\": %d, "
               "\"min_share_default\": %.2f}\n",
               spoor_store_path(store), (long long)st.collections,
               (long long)st.items, (long long)st.contents,
               (long long)st.postings, (long long)st.segments,
               (long long)st.postings_bytes, (long long)st.events,
               (long long)st.text_bytes, (long long)st.canon_chars,
               (long long)st.stored_bytes, per_char, k, w, G, SPOOR_BYTES_K,
               SPOOR_BYTES_W, common, SPOOR_SPREAD, SPOOR_MIN_EVIDENCE,
               SPOOR_MIN_SHARE);
        goto done;
    }
    printf("index          %s\n", spoor_store_path(store));
    printf("collections    %lld\n", (long long)st.collections);
    printf("items          %lld (%lld distinct contents)\n",
           (long long)st.items, (long long)st.contents);
    printf("events         %lld\n", (long long)st.events);
    printf("text           %lld bytes, %lld canonical characters\n",
           (long long)st.text_bytes, (long long)st.canon_chars);
    printf("postings       %lld in %lld segment%s (%lld bytes)\n",
           (long long)st.postings, (long long)st.segments,
           st.segments == 1 ? "" : "s", (long long)st.postings_bytes);
    printf("on disk        %lld bytes (%.2f per canonical character)\n",
           (long long)st.stored_bytes, per_char);
    printf("matching       k = %d, w = %d: every shared passage of G = %d "
           "canonical\n               characters or more is found; items "
           "without text: k = %d,\n               w = %d over bytes\n",
           k, w, G, SPOOR_BYTES_K, SPOOR_BYTES_W);
    printf("boilerplate    a fingerprint in more than %lld items (check "
           "--common), or in\n               emails of %d threads or more "
           "(--spread), and anything shared\n               with a "
           "boilerplate collection is not evidence\n",
           common, SPOOR_SPREAD);
    printf("verdicts       partially-released needs %d canonical characters "
           "and %.0f%%\n               of the item in releases (--min-evidence,"
           " --min-share)\n",
           SPOOR_MIN_EVIDENCE, 100 * SPOOR_MIN_SHARE);
done:
    spoor_store_free(store);
    return rc;
}
