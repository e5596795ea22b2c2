/*
 * cmd_check.c: spoor check [--json] [-c NAME]... PATH...|-
 *
 * Provenance of each input item and each nested item, as a readable report
 * or as one JSON object per line (design.md). '-' reads standard input.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

typedef struct check_ctx {
    spoor_store *store;
    spoor_check_opts opts;
    int json;
    unsigned long long n_items, n_skipped;
    spoor_buf out;
} check_ctx;

static void print_help(void)
{
    printf("usage: spoor check [--json] [-c NAME]... [OPTIONS] PATH...|-\n\n"
           "Report the provenance of each input item (files, folders, "
           "mailboxes and\ntheir nested items): which indexed items share "
           "passages with it, where,\nin which collection, first released "
           "when; its verdict; its dates and the\ncase events they postdate. "
           "'-' reads standard input (a pasted fragment).\n\n"
           "options:\n"
           "      --json               one JSON object per line per item\n"
           "  -c, --collection NAME    compare only with this collection "
           "(repeatable)\n"
           "      --common N           a fingerprint in more than N items is "
           "boilerplate\n"
           "                           and seeds no match (default 100)\n"
           "      --released-min F     release coverage for 'released' "
           "(default 0.8)\n"
           "      --internal-min F     internal coverage for 'internal-only' "
           "(default 0.5)\n"
           "      --max-sources N      candidate sources verified per item "
           "(default 200)\n"
           "      --min-region N       shortest passage reported, in canonical "
           "characters\n"
           "                           (default 32)\n" CLI_LIMIT_HELP
           "  -h, --help               this help\n\n"
           "Verdicts: released (release coverage >= released-min), "
           "partially-released\n(a passage of at least 63 canonical characters "
           "is in a release),\ninternal-only (internal coverage >= "
           "internal-min), unknown.\n");
}

static int on_item(const spoor_item *item, void *payload)
{
    check_ctx *c = payload;
    spoor_result *r = NULL;
    int error;

    if ((error = spoor_check_item(&r, c->store, item, &c->opts)) < 0)
        return error;
    spoor_buf_clear(&c->out);
    if (c->json)
        error = spoor_report_json(&c->out, item, r);
    else
        error = spoor_report_text(&c->out, item, r, NULL);
    spoor_result_free(r);
    if (error < 0)
        return error;
    c->n_items++;
    if (cli_write(&c->out) != CLI_OK)
        return SPOOR_EIO;
    fflush(stdout);
    return 0;
}

static int on_skip(const char *display, int code, const char *reason,
                   void *payload)
{
    check_ctx *c = payload;
    (void)code;
    c->n_skipped++;
    cli_error(display, "skipped: %s", reason);
    return 0;
}

int cmd_check(int argc, char **argv, const cli_global *g)
{
    enum { O_JSON = 256, O_COMMON, O_RELMIN, O_INTMIN, O_MAXSRC, O_MINREG };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, O_JSON},
        {"collection", required_argument, NULL, 'c'},
        {"common", required_argument, NULL, O_COMMON},
        {"released-min", required_argument, NULL, O_RELMIN},
        {"internal-min", required_argument, NULL, O_INTMIN},
        {"max-sources", required_argument, NULL, O_MAXSRC},
        {"min-region", required_argument, NULL, O_MINREG},
        {"limit", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    check_ctx c;
    spoor_walk_opts wopts;
    const char **only = NULL;
    size_t n_only = 0;
    int opt, rc = CLI_OK, i, error = 0;

    memset(&c, 0, sizeof(c));
    c.opts = defaults;
    spoor_walk_opts_init(&wopts);
    only = calloc((size_t)argc, sizeof(*only));
    if (!only)
        return cli_error(NULL, "out of memory");
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (opt) {
        case O_JSON:
            c.json = 1;
            break;
        case 'c':
            only[n_only++] = optarg;
            break;
        case O_COMMON:
            if (cli_parse_size(optarg, &c.opts.common) || c.opts.common == 0)
                rc = cli_error_usage("check", "--common needs N >= 1");
            break;
        case O_RELMIN:
            if (cli_parse_fraction(optarg, &c.opts.released_min))
                rc =
                    cli_error_usage("check", "--released-min needs a number in "
                                             "[0, 1]");
            break;
        case O_INTMIN:
            if (cli_parse_fraction(optarg, &c.opts.internal_min))
                rc =
                    cli_error_usage("check", "--internal-min needs a number in "
                                             "[0, 1]");
            break;
        case O_MAXSRC:
            if (cli_parse_size(optarg, &c.opts.max_sources) ||
                c.opts.max_sources == 0)
                rc = cli_error_usage("check", "--max-sources needs N >= 1");
            break;
        case O_MINREG:
            if (cli_parse_size(optarg, &c.opts.min_region) ||
                c.opts.min_region < SPOOR_TEXT_K)
                rc = cli_error_usage("check", "--min-region needs N >= %d",
                                     SPOOR_TEXT_K);
            break;
        case 'L':
            if (cli_parse_limit(&wopts.limits, optarg))
                rc = cli_error_usage("check", "bad --limit '%s'", optarg);
            break;
        case 'h':
            print_help();
            free(only);
            return CLI_OK;
        default:
            rc = cli_error_usage("check", "bad option");
        }
        if (rc != CLI_OK) {
            free(only);
            return rc;
        }
    }
    if (optind >= argc) {
        free(only);
        return cli_error_usage("check", "no PATH given ('-' reads stdin)");
    }
    c.opts.only = n_only ? only : NULL;
    c.opts.n_only = n_only;
    if ((rc = cli_open_index(&c.store, g, SPOOR_STORE_READONLY)) != CLI_OK) {
        free(only);
        return rc;
    }
    for (i = 0; i < (int)n_only; i++) {
        int64_t id;
        if (spoor_store_collection(c.store, only[i], NULL, NULL, NULL, &id) <
            0) {
            rc = cli_error_lib(only[i]);
            goto done;
        }
    }
    for (i = optind; i < argc && error >= 0; i++) {
        if (!strcmp(argv[i], "-")) {
            char *data = NULL;
            size_t len = 0;
            if ((rc = cli_read_stdin(&data, &len)) != CLI_OK)
                goto done;
            error =
                spoor_walk_buffer("-", data, len, NULL, on_item, on_skip, &c);
            free(data);
        } else {
            error = spoor_walk(argv[i], &wopts, on_item, on_skip, &c);
        }
    }
    if (error < 0) {
        rc = cli_error_lib(argv[i - 1]);
        goto done;
    }
    if (c.n_skipped)
        rc = CLI_ERROR;
done:
    spoor_buf_dispose(&c.out);
    spoor_store_free(c.store);
    free(only);
    return rc;
}
