/*
 * cmd_timeline.c: spoor timeline [--json] [--items] — the releases in date
 * order, and what each took of the internal collections.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

typedef struct timeline_ctx {
    int json, items;
    spoor_buf out, item_lines;
} timeline_ctx;

static void print_help(void)
{
    printf("usage: spoor timeline [--json] [--items]\n\n"
           "The release collections in date order; for each, how many "
           "internal items it\nholds in substance (as check's verdicts "
           "count it), how many of those first\nappear in it and how many "
           "an earlier release held already. Reads the index\nonly: each "
           "internal item is checked once from its stored text.\n\n"
           "options:\n"
           "      --json       one JSON object per line per release: "
           "collection, date,\n"
           "                   internal_items, new, seen_before\n"
           "      --items      also each internal item and the first release "
           "holding it\n"
           "  -h, --help       this help\n");
}

static int on_item(const char *collection, const char *path, const char *first,
                   const char *date, void *payload)
{
    timeline_ctx *c = payload;
    spoor_buf *o = &c->item_lines;
    if (!c->items)
        return 0;
    if (!c->json)
        return spoor_buf_printf(o, "  %s:%s  %s%s%s%s\n", collection, path,
                                first ? "first in " : "in no release",
                                first ? first : "", date ? " " : "",
                                date ? date : "");
    spoor_buf_puts(o, "{\"internal_item\": ");
    spoor_json_string(o, collection, strlen(collection));
    spoor_buf_puts(o, ", \"path\": ");
    spoor_json_string(o, path, strlen(path));
    spoor_buf_puts(o, ", \"first_release\": ");
    if (first) {
        spoor_buf_puts(o, "{\"collection\": ");
        spoor_json_string(o, first, strlen(first));
        spoor_buf_puts(o, ", \"date\": ");
        if (date)
            spoor_json_string(o, date, strlen(date));
        else
            spoor_buf_puts(o, "null");
        spoor_buf_puts(o, "}");
    } else {
        spoor_buf_puts(o, "null");
    }
    return spoor_buf_puts(o, "}\n");
}

static int on_release(const spoor_timeline_release *r, void *payload)
{
    timeline_ctx *c = payload;
    if (c->json) {
        spoor_buf_puts(&c->out, "{\"collection\": ");
        spoor_json_string(&c->out, r->collection, strlen(r->collection));
        spoor_buf_puts(&c->out, ", \"date\": ");
        if (r->date)
            spoor_json_string(&c->out, r->date, strlen(r->date));
        else
            spoor_buf_puts(&c->out, "null");
        return spoor_buf_printf(&c->out,
                                ", \"internal_items\": %llu, \"new\": %llu, "
                                "\"seen_before\": %llu}\n",
                                (unsigned long long)r->internal_items,
                                (unsigned long long)r->new_items,
                                (unsigned long long)r->seen_before);
    }
    return spoor_buf_printf(&c->out,
                            "%-10s  %-20s %6llu internal items: %llu new, "
                            "%llu seen before\n",
                            r->date ? r->date : "(undated)", r->collection,
                            (unsigned long long)r->internal_items,
                            (unsigned long long)r->new_items,
                            (unsigned long long)r->seen_before);
}

static int on_progress(uint64_t done, uint64_t total, void *payload)
{
    (void)payload;
    cli_progress_of("timeline", done, total);
    return 0;
}

int cmd_timeline(int argc, char **argv, const cli_global *g)
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'J'},
                                             {"items", no_argument, NULL, 'I'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    spoor_check_opts opts = SPOOR_CHECK_OPTS_INIT;
    spoor_store *store = NULL;
    timeline_ctx c;
    int opt, rc;

    memset(&c, 0, sizeof(c));
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            print_help();
            return CLI_OK;
        } else if (opt == 'J') {
            c.json = 1;
        } else if (opt == 'I') {
            c.items = 1;
        } else {
            return cli_error_usage("timeline", "bad option");
        }
    }
    if (optind != argc)
        return cli_error_usage("timeline", "takes no arguments");
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK)
        return rc;
    if (spoor_timeline(store, &opts, on_release, on_item, on_progress, &c) <
        0) {
        rc = cli_error_lib(g->index);
    } else {
        if (c.item_lines.size && !c.json)
            spoor_buf_puts(&c.out, "internal items:\n");
        if (c.item_lines.size)
            spoor_buf_put(&c.out, c.item_lines.ptr, c.item_lines.size);
        rc = cli_write(&c.out);
    }
    spoor_buf_dispose(&c.out);
    spoor_buf_dispose(&c.item_lines);
    spoor_store_free(store);
    return rc;
}
