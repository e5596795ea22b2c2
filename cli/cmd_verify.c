/*
 * cmd_verify.c: spoor verify [--json] — check the whole index as git fsck
 * checks a repository; exit 0 when sound, 1 naming what is damaged.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

typedef struct verify_ctx {
    int json;
} verify_ctx;

static const cli_opt verify_opts[] = {
    {"json", 0, 'J', NULL,
     "one JSON object per line: each problem (\"damaged\",\n"
     "\"problem\"), then the totals (\"sound\", \"segments\",\n"
     "\"postings\", \"texts\", \"problems\")"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor verify [--json]\n\n"
           "Check the whole index: the catalogue (SQLite's integrity_check), "
           "every bucket\nof every postings segment against its checksum and "
           "every posting against\nthe contents the catalogue holds, every "
           "stored text against its checksum\nand length. Each damaged part "
           "is named on stdout; the exit status is 0\nwhen the index is "
           "sound and 1 when anything is damaged.\n\n"
           "");
    cli_options_help(tables);
}

static int on_problem(const char *what, const char *msg, void *payload)
{
    verify_ctx *c = payload;
    spoor_buf b = SPOOR_BUF_INIT;
    if (c->json) {
        spoor_buf_puts(&b, "{\"damaged\": ");
        spoor_json_string(&b, what, strlen(what));
        spoor_buf_puts(&b, ", \"problem\": ");
        spoor_json_string(&b, msg, strlen(msg));
        spoor_buf_puts(&b, "}\n");
    } else {
        spoor_buf_printf(&b, "damaged: %s: %s\n", what, msg);
    }
    cli_write(&b);
    spoor_buf_dispose(&b);
    return 0;
}

static int on_progress(uint64_t done, uint64_t total, void *payload)
{
    (void)payload;
    cli_progress_of("verify: texts", done, total);
    return 0;
}

int cmd_verify(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {verify_opts, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    spoor_verify_stats st;
    spoor_buf out = SPOOR_BUF_INIT;
    verify_ctx c;
    int opt, rc;

    memset(&c, 0, sizeof(c));
    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'h') {
            print_help(tables);
            return CLI_OK;
        } else if (opt == 'J') {
            c.json = 1;
        } else {
            return cli_bad_option("verify", argv);
        }
    }
    if (optind != argc)
        return cli_error_usage("verify", "takes no arguments");
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK) {
        if (c.json) /* the index could not even be opened: damaged too */
            on_problem(g->index, spoor_error_last()->message, &c);
        return CLI_ERROR;
    }
    if (spoor_store_verify(&st, store, on_problem, on_progress, &c) < 0) {
        rc = cli_error_lib(g->index);
    } else {
        if (c.json)
            spoor_buf_printf(
                &out,
                "{\"sound\": %s, \"segments\": %llu, "
                "\"postings\": %llu, \"texts\": %llu, "
                "\"problems\": %llu}\n",
                st.problems ? "false" : "true", (unsigned long long)st.segments,
                (unsigned long long)st.postings, (unsigned long long)st.texts,
                (unsigned long long)st.problems);
        else
            spoor_buf_printf(
                &out,
                "%s: %llu segment%s (%llu postings) and %llu "
                "stored texts read; %llu problem%s\n",
                st.problems ? "index DAMAGED" : "index sound",
                (unsigned long long)st.segments, st.segments == 1 ? "" : "s",
                (unsigned long long)st.postings, (unsigned long long)st.texts,
                (unsigned long long)st.problems, st.problems == 1 ? "" : "s");
        rc = cli_write(&out);
        if (rc == CLI_OK && st.problems)
            rc = CLI_ERROR;
    }
    spoor_buf_dispose(&out);
    spoor_store_free(store);
    return rc;
}
