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
    unsigned jobs; /* 0: one per core */
    spoor_buf out;
    spoor_overlap_pair *pairs; /* kept for --html (names owned) */
    size_t n_pairs, cap_pairs;
} overlap_ctx;

/* Keep a copy of p for the HTML page. */
static int keep_pair(overlap_ctx *c, const spoor_overlap_pair *p)
{
    spoor_overlap_pair *q;
    if (cli_grow((void **)&c->pairs, &c->cap_pairs, c->n_pairs, sizeof(*q),
                 16) < 0)
        return SPOOR_ENOMEM;
    q = &c->pairs[c->n_pairs];
    *q = *p;
    q->a = strdup(p->a);
    q->b = strdup(p->b);
    c->n_pairs++;
    return q->a && q->b ? 0 : SPOOR_ENOMEM;
}

static void free_pairs(overlap_ctx *c)
{
    size_t i;
    for (i = 0; i < c->n_pairs; i++) {
        free((char *)c->pairs[i].a);
        free((char *)c->pairs[i].b);
    }
    free(c->pairs);
}

static const cli_opt overlap_opts[] = {
    {"json", 0, 'J', NULL,
     "one JSON object per line per pair: a, b, items,\n"
     "items_total, chars, chars_total"},
    {"items", 0, 'I', NULL, "also list the items behind each count"},
    {"html", 0, 'H', "FILE",
     "also write the matrix as a heat map (a self-\ncontained page)"},
    {"collection", 'c', 'c', "NAME", "only these collections (repeatable)"},
    {"jobs", 'j', 'j', "N",
     "check contents in N threads (default: the number\n"
     "of cores); the answer is the same for any N"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor overlap [--json] [--items] [--html FILE] [-j N] [-c "
           "NAME]... "
           "[THRESHOLDS]\n\n"
           "For each ordered pair of collections (A, B): how many of A's "
           "items share a\nsubstantive part with B (as check's verdicts "
           "count it: boilerplate and\nemail headers aside, at least "
           "--min-evidence characters and --min-share\nof the item), and "
           "how many of A's canonical characters B holds. Reads the\nindex "
           "only: each item is checked once from its stored text.\n\n");
    cli_options_help(tables);
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
    if (keep_pair(c, p) < 0)
        return SPOOR_ENOMEM;
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

/* Write the heat map of c's pairs to path. */
static int write_html(const overlap_ctx *c, const char *path, int argc,
                      char **argv, const char *index)
{
    spoor_buf page = SPOOR_BUF_INIT;
    char *cmdline = cli_command_line(argc, argv);
    int rc = cli_write_report(
        path, &page,
        spoor_html_overlap(&page, c->pairs, c->n_pairs, index, cmdline));
    free(cmdline);
    spoor_buf_dispose(&page);
    return rc;
}

int cmd_overlap(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {overlap_opts, cli_threshold_opts(), NULL};
    cli_parser p;
    spoor_check_opts opts = SPOOR_CHECK_OPTS_INIT;
    spoor_store *store = NULL;
    overlap_ctx c;
    const char **only, *html_path = NULL;
    size_t n_only = 0;
    int opt, rc;

    memset(&c, 0, sizeof(c));
    if (!(only = calloc((size_t)argc + 1, sizeof(*only))))
        return cli_error(NULL, "out of memory");
    optind = 1;
    cli_parser_init(&p, tables);
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'h') {
            print_help(tables);
            free(only);
            return CLI_OK;
        } else if (opt == 'J') {
            c.json = 1;
        } else if (opt == 'I') {
            c.items = 1;
        } else if (opt == 'H') {
            html_path = optarg;
        } else if (opt == 'j') {
            size_t jobs;
            if (cli_parse_size(optarg, &jobs) || jobs == 0 || jobs > 256) {
                free(only);
                return cli_error_usage("overlap", "--jobs needs 1 <= N <= 256");
            }
            c.jobs = (unsigned)jobs;
        } else if (opt == 'c') {
            only[n_only++] = optarg;
        } else if ((rc = cli_threshold_option(opt, optarg, &opts, "overlap")) !=
                   CLI_OK) {
            free(only);
            return rc < 0 ? cli_bad_option("overlap", argv) : rc;
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
    if (spoor_overlap(store, only, n_only, &opts, c.jobs, on_pair, on_item,
                      on_progress, &c) < 0)
        rc = cli_error_lib(g->index);
    else
        rc = cli_write(&c.out);
    if (rc == CLI_OK && html_path)
        rc = write_html(&c, html_path, argc, argv, spoor_store_path(store));
    free_pairs(&c);
    spoor_buf_dispose(&c.out);
    spoor_store_free(store);
    free(only);
    return rc;
}
