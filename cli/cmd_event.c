/*
 * cmd_event.c: spoor event NAME DATE [--note TEXT]; spoor event [--json] to
 * list; spoor event rm NAME.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

static const cli_opt event_opts[] = {
    {"note", 0, 'n', "TEXT", "a note kept with the event"},
    {"json", 0, 'J', NULL,
     "list events as JSON: one object per line (name,\ndate, note)"},
    CLI_OPT_END};

int cmd_event(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {event_opts, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    const char *note = NULL;
    int opt, rc, json = 0;

    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'n') {
            note = optarg;
        } else if (opt == 'J') {
            json = 1;
        } else if (opt == 'h') {
            printf("usage: spoor event NAME YYYY-MM-DD [--note TEXT]\n"
                   "       spoor event [--json]\n"
                   "       spoor event rm NAME\n\n"
                   "Record a dated point on the case timeline, e.g. "
                   "breach-discovered.\nRecording an existing NAME again "
                   "changes its date and keeps its note\nunless a new one "
                   "is given. Without arguments, list the events. check\n"
                   "reports the events an item's dates postdate.\n\n");
            cli_options_help(tables);
            return CLI_OK;
        } else {
            return cli_bad_option("event", argv);
        }
    }
    if (argc - optind == 0) {
        spoor_event *ev = NULL;
        size_t n = 0, i;
        if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK)
            return rc;
        if (spoor_store_events(&ev, &n, store) < 0)
            rc = cli_error_lib(g->index);
        for (i = 0; i < n && rc == CLI_OK; i++) {
            spoor_buf o = SPOOR_BUF_INIT;
            if (!json) {
                spoor_buf_printf(&o, "%s  %s%s%s\n", ev[i].date, ev[i].name,
                                 ev[i].note ? "  " : "",
                                 ev[i].note ? ev[i].note : "");
            } else {
                spoor_buf_puts(&o, "{\"name\": ");
                spoor_json_string(&o, ev[i].name, strlen(ev[i].name));
                spoor_buf_puts(&o, ", \"date\": ");
                spoor_json_string(&o, ev[i].date, strlen(ev[i].date));
                spoor_buf_puts(&o, ", \"note\": ");
                if (ev[i].note)
                    spoor_json_string(&o, ev[i].note, strlen(ev[i].note));
                else
                    spoor_buf_puts(&o, "null");
                spoor_buf_puts(&o, "}\n");
            }
            rc = cli_write(&o);
            spoor_buf_dispose(&o);
        }
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
    if (spoor_store_add_event(store, argv[optind], argv[optind + 1], note) <
            0 ||
        spoor_store_commit(store) < 0) /* a shared index: pushed */
        rc = cli_error_lib(argv[optind]);
    else
        printf("event %s on %s recorded\n", argv[optind], argv[optind + 1]);
    spoor_store_free(store);
    return rc;
}
