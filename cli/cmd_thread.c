/*
 * cmd_thread.c: spoor thread [--json] ITEM — the email thread an indexed
 * message belongs to, with its inclusive messages marked.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

static const cli_opt thread_opts[] = {
    {"json", 0, 'J', NULL, "one JSON object per line per message"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor thread [--json] ITEM\n\n"
           "The email thread ITEM belongs to (an item id, sha256, "
           "collection:path...),\njoined by Message-ID, In-Reply-To and "
           "References, in date order, each reply\nunder the message it "
           "answers. Inclusive messages (marked *) are those no\nlater "
           "message holds whole: reading them reads the whole thread.\n\n"
           "");
    cli_options_help(tables);
}

/* One message as a JSON line. */
static int message_json(spoor_buf *out, const spoor_thread_msg *m,
                        const spoor_thread_msg *all, int compared)
{
    const char *s[] = {m->collection, m->path, m->message_id, m->in_reply_to,
                       m->date,       m->from, m->subject};
    const char *k[] = {"collection", "path", "message_id", "in_reply_to",
                       "date",       "from", "subject"};
    size_t i;
    int error = spoor_buf_printf(out, "{\"item\": %lld", (long long)m->item);
    for (i = 0; i < 7 && error == 0; i++) {
        error = spoor_buf_printf(out, ", \"%s\": ", k[i]);
        if (error == 0)
            error = s[i] ? spoor_json_string(out, s[i], strlen(s[i]))
                         : spoor_buf_puts(out, "null");
    }
    if (error == 0)
        error = spoor_buf_printf(
            out,
            ", \"depth\": %u, \"parent\": %lld, "
            "\"inclusive\": %s, \"contained_in\": %lld}\n",
            m->depth, m->parent >= 0 ? (long long)all[m->parent].item : -1LL,
            !compared      ? "null"
            : m->inclusive ? "true"
                           : "false",
            m->contained_in >= 0 ? (long long)all[m->contained_in].item : -1LL);
    return error;
}

int cmd_thread(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {thread_opts, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    spoor_thread_msg *m = NULL;
    spoor_buf out = SPOOR_BUF_INIT;
    size_t n = 0, i, n_incl = 0;
    int64_t content;
    int opt, rc, json = 0, compared = 0;

    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'h') {
            print_help(tables);
            return CLI_OK;
        }
        if (opt == 'J') {
            json = 1;
            continue;
        }
        return cli_bad_option("thread", argv);
    }
    if (optind + 1 != argc)
        return cli_error_usage("thread", "needs one ITEM");
    if ((rc = cli_open_index(&store, g, SPOOR_STORE_READONLY)) != CLI_OK)
        return rc;
    if (spoor_store_resolve(&content, store, argv[optind]) < 0 ||
        spoor_thread(&m, &n, &compared, store, content) < 0) {
        rc = cli_error_lib(argv[optind]);
        goto done;
    }
    for (i = 0; i < n; i++) {
        n_incl += m[i].inclusive;
        if (json) {
            if (message_json(&out, &m[i], m, compared) < 0) {
                rc = cli_error(NULL, "out of memory");
                goto done;
            }
            continue;
        }
        spoor_buf_printf(&out, "%c %*s#%lld  %s  %s:%s\n",
                         compared && m[i].inclusive ? '*' : ' ',
                         (int)(2 * (m[i].depth < 20 ? m[i].depth : 20)), "",
                         (long long)m[i].item, m[i].date ? m[i].date : "-",
                         m[i].collection ? m[i].collection : "?",
                         m[i].path ? m[i].path : "?");
        spoor_buf_printf(&out, "  %*s   from %s, subject %s%s\n",
                         (int)(2 * (m[i].depth < 20 ? m[i].depth : 20)), "",
                         m[i].from ? m[i].from : "-",
                         m[i].subject ? m[i].subject : "-",
                         m[i].content == content ? "  (this item)" : "");
    }
    if (!json && compared)
        spoor_buf_printf(&out, "%zu message%s, %zu inclusive (marked *)\n", n,
                         n == 1 ? "" : "s", n_incl);
    else if (!json)
        spoor_buf_printf(&out,
                         "%zu messages: more than %d, so inclusive messages "
                         "were not computed\n",
                         n, SPOOR_THREAD_COMPARE_MAX);
    rc = cli_write(&out);
done:
    spoor_buf_dispose(&out);
    spoor_thread_free(m, n);
    spoor_store_free(store);
    return rc;
}
