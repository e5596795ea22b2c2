/*
 * cmd_timeline.c: spoor timeline [--json] [--items] — the releases in date
 * order, and what each took of the internal collections.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

typedef struct timeline_ctx {
    int json, items;
    unsigned jobs; /* 0: one per core */
    spoor_buf out, item_lines;
    spoor_timeline_release *rel; /* kept for --html (strings owned) */
    size_t n_rel, cap_rel;
} timeline_ctx;

/* Keep a copy of r for the HTML page. */
static int keep_release(timeline_ctx *c, const spoor_timeline_release *r)
{
    spoor_timeline_release *q;
    if (cli_grow((void **)&c->rel, &c->cap_rel, c->n_rel, sizeof(*q), 8) < 0)
        return SPOOR_ENOMEM;
    q = &c->rel[c->n_rel++];
    *q = *r;
    q->collection = strdup(r->collection);
    q->date = r->date ? strdup(r->date) : NULL;
    return q->collection && (q->date || !r->date) ? 0 : SPOOR_ENOMEM;
}

static void free_releases(timeline_ctx *c)
{
    size_t i;
    for (i = 0; i < c->n_rel; i++) {
        free((char *)c->rel[i].collection);
        free((char *)c->rel[i].date);
    }
    free(c->rel);
}

/* Write the bar chart of c's releases to path. */
static int write_html(const timeline_ctx *c, const char *path, int argc,
                      char **argv, const char *index)
{
    spoor_buf page = SPOOR_BUF_INIT;
    char *cmdline = cli_command_line(argc, argv);
    int rc = cli_write_report(
        path, &page,
        spoor_html_timeline(&page, c->rel, c->n_rel, index, cmdline));
    free(cmdline);
    spoor_buf_dispose(&page);
    return rc;
}

static const cli_opt timeline_opts[] = {
    {"json", 0, 'J', NULL,
     "one JSON object per line per release: collection,\n"
     "date, internal_items, new, seen_before"},
    {"items", 0, 'I', NULL,
     "also each internal item and the first release\nholding it"},
    {"html", 0, 'H', "FILE",
     "also write the timeline as a bar chart (a self-\ncontained page)"},
    {"jobs", 'j', 'j', "N",
     "check contents in N threads (default: the number\n"
     "of cores); the answer is the same for any N"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor timeline [--json] [--items] [--html FILE] [-j N] "
           "[THRESHOLDS]\n\n"
           "The release collections in date order; for each, how many "
           "internal items it\nholds in substance (as check's verdicts "
           "count it), how many of those first\nappear in it and how many "
           "an earlier release held already. Reads the index\nonly: each "
           "internal item is checked once from its stored text.\n\n");
    cli_options_help(tables);
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
    if (keep_release(c, r) < 0)
        return SPOOR_ENOMEM;
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
                            "%-10s  %-20s %6llu internal item%s: %llu new, "
                            "%llu seen before\n",
                            r->date ? r->date : "(undated)", r->collection,
                            (unsigned long long)r->internal_items,
                            r->internal_items == 1 ? "" : "s",
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
    const cli_opt *const tables[] = {timeline_opts, cli_threshold_opts(), NULL};
    cli_parser p;
    spoor_check_opts opts = SPOOR_CHECK_OPTS_INIT;
    spoor_store *store = NULL;
    timeline_ctx c;
    const char *html_path = NULL;
    int opt, rc;

    memset(&c, 0, sizeof(c));
    optind = 1;
    cli_parser_init(&p, tables);
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'h') {
            print_help(tables);
            return CLI_OK;
        } else if (opt == 'J') {
            c.json = 1;
        } else if (opt == 'I') {
            c.items = 1;
        } else if (opt == 'H') {
            html_path = optarg;
        } else if (opt == 'j') {
            size_t jobs;
            if (cli_parse_size(optarg, &jobs) || jobs == 0 || jobs > 256)
                return cli_error_usage("timeline",
                                       "--jobs needs 1 <= N <= 256");
            c.jobs = (unsigned)jobs;
        } else if ((rc = cli_threshold_option(opt, optarg, &opts,
                                              "timeline")) != CLI_OK) {
            return rc < 0 ? cli_bad_option("timeline", argv) : rc;
        }
    }
    if (optind != argc)
        return cli_error_usage("timeline", "takes no arguments");
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK)
        return rc;
    if (spoor_timeline(store, &opts, c.jobs, on_release, on_item, on_progress,
                       &c) < 0) {
        rc = cli_error_lib(g->index);
    } else {
        if (c.item_lines.size && !c.json)
            spoor_buf_puts(&c.out, "internal items:\n");
        if (c.item_lines.size)
            spoor_buf_put(&c.out, c.item_lines.ptr, c.item_lines.size);
        rc = cli_write(&c.out);
        if (rc == CLI_OK && html_path)
            rc = write_html(&c, html_path, argc, argv, spoor_store_path(store));
    }
    free_releases(&c);
    spoor_buf_dispose(&c.out);
    spoor_buf_dispose(&c.item_lines);
    spoor_store_free(store);
    return rc;
}
