/*
 * cmd_event.c: spoor event NAME DATE [--note TEXT], or spoor event to list.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

int cmd_event(int argc, char **argv, const cli_global *g)
{
    static const struct option longopts[] = {
        {"note", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    spoor_store *store = NULL;
    const char *note = NULL;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'n') {
            note = optarg;
        } else if (opt == 'h') {
            printf("usage: spoor event NAME YYYY-MM-DD [--note TEXT]\n"
                   "       spoor event            (list events)\n"
                   "       spoor event rm NAME\n\n"
                   "Record a dated point on the case timeline, e.g. "
                   "breach-discovered.\nRecording an existing NAME again "
                   "changes its date. check reports the\nevents an item's "
                   "dates postdate.\n");
            return CLI_OK;
        } else {
            return cli_error_usage("event", "bad option");
        }
    }
    if (argc - optind == 0) {
        spoor_event *ev = NULL;
        size_t n = 0, i;
        if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK)
            return rc;
        if (spoor_store_events(store, &ev, &n) < 0)
            rc = cli_error_lib(g->index);
        for (i = 0; i < n; i++)
            printf("%s  %s%s%s\n", ev[i].date, ev[i].name,
                   ev[i].note ? "  " : "", ev[i].note ? ev[i].note : "");
        spoor_events_free(ev, n);
        spoor_store_free(store);
        return rc;
    }
    if (argc - optind == 2 && !strcmp(argv[optind], "rm") &&
        !cli_valid_date(argv[optind + 1])) { /* event rm NAME */
        if ((rc = cli_open_index(&store, g, 0)) != CLI_OK)
            return rc;
        if (spoor_store_event_rm(store, argv[optind + 1]) < 0 ||
            spoor_store_commit(store) < 0)
            rc = cli_error_lib(argv[optind + 1]);
        spoor_store_free(store);
        return rc;
    }
    if (argc - optind != 2)
        return cli_error_usage("event", "needs NAME and DATE");
    if (!cli_valid_date(argv[optind + 1]))
        return cli_error_usage("event", "date '%s' is not a YYYY-MM-DD date",
                               argv[optind + 1]);
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_CREATE)) != CLI_OK)
        return rc;
    if (spoor_store_add_event(store, argv[optind], argv[optind + 1], note) < 0)
        rc = cli_error_lib(argv[optind]);
    else
        printf("event %s on %s recorded\n", argv[optind], argv[optind + 1]);
    spoor_store_free(store);
    return rc;
}
