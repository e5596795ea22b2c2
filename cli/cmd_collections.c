/*
 * cmd_collections.c: spoor collections [--json]
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

static int print_row(const spoor_collection_info *c, void *payload)
{
    int *json = payload;
    if (*json) {
        spoor_buf o = SPOOR_BUF_INIT;
        spoor_buf_puts(&o, "{\"name\": ");
        spoor_json_string(&o, c->name, strlen(c->name));
        spoor_buf_puts(&o, ", \"kind\": ");
        spoor_json_string(&o, c->kind, strlen(c->kind));
        spoor_buf_puts(&o, ", \"date\": ");
        if (c->date)
            spoor_json_string(&o, c->date, strlen(c->date));
        else
            spoor_buf_puts(&o, "null");
        spoor_buf_puts(&o, ", \"note\": ");
        if (c->note)
            spoor_json_string(&o, c->note, strlen(c->note));
        else
            spoor_buf_puts(&o, "null");
        spoor_buf_printf(&o,
                         ", \"items\": %lld, \"unique\": %lld, \"bytes\": "
                         "%lld}\n",
                         (long long)c->n_items, (long long)c->n_unique,
                         (long long)c->bytes);
        cli_write(&o);
        spoor_buf_dispose(&o);
        return 0;
    }
    printf("%-20s %-10s %-10s %8lld %14lld  %s\n", c->name, c->kind,
           c->date ? c->date : "-", (long long)c->n_items, (long long)c->bytes,
           c->note ? c->note : "");
    return 0;
}

int cmd_collections(int argc, char **argv, const cli_global *g)
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'J'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    spoor_store *store = NULL;
    int opt, json = 0, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'J') {
            json = 1;
        } else if (opt == 'h') {
            printf("usage: spoor collections [--json]\n\n"
                   "List collections (by date, then name) with kind, date, "
                   "number of items\n(occurrences, nested ones included) "
                   "and bytes of top-level files.\n");
            return CLI_OK;
        } else {
            return cli_error_usage("collections", "bad option");
        }
    }
    if (optind != argc)
        return cli_error_usage("collections", "takes no arguments");
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK)
        return rc;
    if (!json)
        printf("%-20s %-10s %-10s %8s %14s  %s\n", "collection", "kind", "date",
               "items", "bytes", "note");
    if (spoor_store_collections(store, print_row, &json) < 0)
        rc = cli_error_lib(g->index);
    spoor_store_free(store);
    return rc;
}
