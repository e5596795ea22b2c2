/*
 * cmd_collections.c: spoor collections [--json]; collections rename OLD
 * NEW; collections set NAME [-k KIND] [-d DATE] [--note TEXT]; collections
 * rm NAME
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

int cli_collection_json(const spoor_collection_info *c, void *payload)
{
    spoor_buf *o = payload;
    int error = spoor_buf_puts(o, "{\"name\": ");
    if (error == 0)
        error = spoor_json_string(o, c->name, strlen(c->name));
    if (error == 0)
        error = spoor_buf_puts(o, ", \"kind\": ");
    if (error == 0)
        error = spoor_json_string(o, c->kind, strlen(c->kind));
    if (error == 0)
        error = spoor_buf_puts(o, ", \"date\": ");
    if (error == 0)
        error = c->date ? spoor_json_string(o, c->date, strlen(c->date))
                        : spoor_buf_puts(o, "null");
    if (error == 0)
        error = spoor_buf_puts(o, ", \"note\": ");
    if (error == 0)
        error = c->note ? spoor_json_string(o, c->note, strlen(c->note))
                        : spoor_buf_puts(o, "null");
    if (error == 0)
        error = spoor_buf_printf(
            o, ", \"items\": %lld, \"unique\": %lld, \"bytes\": %lld}\n",
            (long long)c->n_items, (long long)c->n_unique, (long long)c->bytes);
    return error;
}

static int print_row(const spoor_collection_info *c, void *payload)
{
    int *json = payload;
    if (*json) {
        spoor_buf o = SPOOR_BUF_INIT;
        int error = cli_collection_json(c, &o);
        if (error == 0 && cli_write(&o) != CLI_OK)
            error = SPOOR_EIO;
        spoor_buf_dispose(&o);
        return error;
    }
    printf("%-20s %-10s %-10s %8lld %14lld  %s\n", c->name, c->kind,
           c->date ? c->date : "-", (long long)c->n_items, (long long)c->bytes,
           c->note ? c->note : "");
    return 0;
}

/* collections rm NAME: what went is said on stdout. */
static int remove_collection(spoor_store *store, const char *name)
{
    uint64_t items, contents;
    if (spoor_store_collection_rm(&items, &contents, store, name) < 0)
        return cli_error_lib(name);
    printf("removed collection '%s': %llu item%s, and %llu content%s no "
           "other collection held\n(their postings are skipped now and "
           "dropped when every segment is merged:\nspoor optimize does it "
           "at once)\n",
           name, (unsigned long long)items, items == 1 ? "" : "s",
           (unsigned long long)contents, contents == 1 ? "" : "s");
    return CLI_OK;
}

/* collections rename OLD NEW / set NAME [-k KIND] [-d DATE] [--note] /
 * rm NAME. */
static int change(const cli_global *g, const char *what, char **args,
                  int n_args, const char *kind, const char *date,
                  const char *note)
{
    spoor_store *store = NULL;
    int rc, error;
    if (!strcmp(what, "rename") ? n_args != 2 : n_args != 1)
        return cli_error_usage("collections", "%s: wrong number of names",
                               what);
    if (!strcmp(what, "set") && !kind && !date && !note)
        return cli_error_usage("collections", "set: give -k, -d or --note");
    if (date && !cli_valid_date(date))
        return cli_error_usage("collections",
                               "date '%s' is not a YYYY-MM-DD "
                               "date",
                               date);
    if ((rc = cli_open_index(&store, g, 0)) != CLI_OK)
        return rc;
    if (!strcmp(what, "rm")) {
        rc = remove_collection(store, args[0]);
        spoor_store_free(store);
        return rc;
    }
    error = !strcmp(what, "rename")
                ? spoor_store_collection_rename(store, args[0], args[1])
                : spoor_store_collection_set(store, args[0], kind, date, note);
    if (error == 0)
        error = spoor_store_commit(store);
    rc = error < 0 ? cli_error_lib(args[0]) : CLI_OK;
    spoor_store_free(store);
    return rc;
}

static const cli_opt collections_opts[] = {
    {"json", 0, 'J', NULL, "list as JSON: one object per line per collection"},
    {"kind", 'k', 'k', "KIND", "set: the collection's new kind"},
    {"date", 'd', 'd', "DATE", "set: its new date (YYYY-MM-DD)"},
    {"note", 0, 'n', "TEXT", "set: its new note"},
    CLI_OPT_END};

int cmd_collections(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {collections_opts, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    const char *kind = NULL, *date = NULL, *note = NULL;
    int opt, json = 0, rc;

    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'J') {
            json = 1;
        } else if (opt == 'k') {
            kind = optarg;
        } else if (opt == 'd') {
            date = optarg;
        } else if (opt == 'n') {
            note = optarg;
        } else if (opt == 'h') {
            printf("usage: spoor collections [--json]\n"
                   "       spoor collections rename OLD NEW\n"
                   "       spoor collections set NAME [-k KIND] [-d DATE] "
                   "[--note TEXT]\n"
                   "       spoor collections rm NAME\n\n"
                   "List collections (by date, then name) with kind, date, "
                   "number of items\n(occurrences, nested ones included) "
                   "and bytes of top-level files;\nrename one, or change its "
                   "kind, date or note (a mistake at add); or remove\none "
                   "with its items and the contents no other collection "
                   "holds.\n\n");
            cli_options_help(tables);
            return CLI_OK;
        } else {
            return cli_bad_option("collections", argv);
        }
    }
    if (optind < argc &&
        (!strcmp(argv[optind], "rename") || !strcmp(argv[optind], "set") ||
         !strcmp(argv[optind], "rm")))
        return change(g, argv[optind], argv + optind + 1, argc - optind - 1,
                      kind, date, note);
    if (optind != argc)
        return cli_error_usage("collections",
                               "unknown '%s' (rename, set, rm, or nothing)",
                               argv[optind]);
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
