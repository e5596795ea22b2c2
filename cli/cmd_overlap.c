/*
 * cmd_overlap.c: spoor overlap [--json] [--items] [-c NAME]... — the
 * matrix between collections: A's items sharing a substantive part with B.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

typedef struct overlap_ctx {
    int json, items;
    spoor_buf out;
} overlap_ctx;

static void print_help(void)
{
    printf("usage: spoor overlap [--json] [--items] [-c NAME]...\n\n"
           "For each ordered pair of collections (A, B): how many of A's "
           "items share a\nsubstantive part with B (as check's verdicts "
           "count it: boilerplate and\nemail headers aside, at least "
           "--min-evidence characters and --min-share\nof the item), and "
           "how many of A's canonical characters B holds. Reads the\nindex "
           "only: each item is checked once from its stored text.\n\n"
           "options:\n"
           "      --json       one JSON object per line per pair: a, b, "
           "items,\n"
           "                   items_total, chars, chars_total\n"
           "      --items      also list the items behind each count\n"
           "  -c, --collection NAME   only these collections (repeatable)\n"
           "  -h, --help       this help\n");
}

static int on_item(const char *a, const char *b, const char *path, double share,
                   void *payload)
{
    overlap_ctx *c = payload;
    if (!c->items)
        return 0;
    if (c->json) {
        spoor_buf_puts(&c->out, "{\"a\": ");
        spoor_json_string(&c->out, a, strlen(a));
        spoor_buf_puts(&c->out, ", \"b\": ");
        spoor_json_string(&c->out, b, strlen(b));
        spoor_buf_puts(&c->out, ", \"item\": ");
        spoor_json_string(&c->out, path, strlen(path));
        spoor_buf_puts(&c->out, ", \"share\": ");
        spoor_json_fraction(&c->out, share);
        return spoor_buf_puts(&c->out, "}\n");
    }
    return spoor_buf_printf(&c->out, "  %s:%s  in %s (%.1f%%)\n", a, path, b,
                            100 * share);
}

static int on_pair(const spoor_overlap_pair *p, void *payload)
{
    overlap_ctx *c = payload;
    if (c->json) {
        spoor_buf_puts(&c->out, "{\"a\": ");
        spoor_json_string(&c->out, p->a, strlen(p->a));
        spoor_buf_puts(&c->out, ", \"b\": ");
        spoor_json_string(&c->out, p->b, strlen(p->b));
        return spoor_buf_printf(
            &c->out,
            ", \"items\": %llu, \"items_total\": %llu, "
            "\"chars\": %llu, \"chars_total\": %llu}\n",
            (unsigned long long)p->items, (unsigned long long)p->items_total,
            (unsigned long long)p->chars, (unsigned long long)p->chars_total);
    }
    return spoor_buf_printf(
        &c->out, "%-20s in %-20s %6llu of %6llu items  %5.1f%% of its text\n",
        p->a, p->b, (unsigned long long)p->items,
        (unsigned long long)p->items_total,
        p->chars_total ? 100.0 * (double)p->chars / (double)p->chars_total
                       : 0.0);
}

static int on_progress(uint64_t done, uint64_t total, void *payload)
{
    (void)payload;
    cli_progress_of("overlap", done, total);
    return 0;
}

int cmd_overlap(int argc, char **argv, const cli_global *g)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'},
        {"items", no_argument, NULL, 'I'},
        {"collection", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    spoor_check_opts opts = SPOOR_CHECK_OPTS_INIT;
    spoor_store *store = NULL;
    overlap_ctx c;
    const char **only;
    size_t n_only = 0;
    int opt, rc;

    memset(&c, 0, sizeof(c));
    if (!(only = calloc((size_t)argc + 1, sizeof(*only))))
        return cli_error(NULL, "out of memory");
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            print_help();
            free(only);
            return CLI_OK;
        } else if (opt == 'J') {
            c.json = 1;
        } else if (opt == 'I') {
            c.items = 1;
        } else if (opt == 'c') {
            only[n_only++] = optarg;
        } else {
            free(only);
            return cli_error_usage("overlap", "bad option");
        }
    }
    if (optind != argc) {
        free(only);
        return cli_error_usage("overlap", "takes no arguments");
    }
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK) {
        free(only);
        return rc;
    }
    if (!c.json)
        spoor_buf_puts(&c.out, c.items ? "items sharing substance:\n" : "");
    if (spoor_overlap(store, only, n_only, &opts, on_pair, on_item, on_progress,
                      &c) < 0)
        rc = cli_error_lib(g->index);
    else
        rc = cli_write(&c.out);
    spoor_buf_dispose(&c.out);
    spoor_store_free(store);
    free(only);
    return rc;
}
