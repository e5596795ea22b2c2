/*
 * cmd_push.c: spoor push — copy the local index into a shared one on
 * PostgreSQL.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

int cmd_push(int argc, char **argv, const cli_global *g)
{
    static const cli_opt none[] = {CLI_OPT_END};
    const cli_opt *const tables[] = {none, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    spoor_push_stats st;
    int opt, rc = CLI_OK;

    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        if (opt == 'h') {
            printf("usage: spoor push POSTGRESQL\n\n"
                   "Copy the index into a shared index on PostgreSQL 15 or "
                   "later, named by a\nlibpq connection string or URL "
                   "(postgresql://user@host/db, or\n\"host=/run/postgresql "
                   "dbname=case\"; the password from ~/.pgpass or\n"
                   "$PGPASSWORD). Its schema spoor is made if missing. "
                   "Collections join those\nof the same name; a content "
                   "already there (the same sha256) keeps its text\nand "
                   "postings; every row is added only when missing, so "
                   "pushing again adds\nnothing. All or nothing: one "
                   "transaction; pushes into one shared index wait\nfor "
                   "each other. The layout: docs/design.md, \"A shared "
                   "index on\nPostgreSQL\". Reading a shared index (check "
                   "-i postgresql://) is not built\nyet.\n\n");
            cli_options_help(tables);
            return CLI_OK;
        }
        return cli_bad_option("push", argv);
    }
    if (optind != argc - 1)
        return cli_error_usage("push", "takes one PostgreSQL connection "
                                       "string or URL");
    if ((rc = cli_open_index(&store, g, 0)) != CLI_OK)
        return rc;
    if (spoor_store_push(&st, store, argv[optind]) < 0) {
        rc = cli_error_lib(g->index);
    } else {
        printf("pushed %llu new collection%s, %llu new content%s (%llu "
               "there already), %llu new item%s, %llu postings in %llu "
               "buckets\n",
               (unsigned long long)st.collections,
               st.collections == 1 ? "" : "s", (unsigned long long)st.contents,
               st.contents == 1 ? "" : "s",
               (unsigned long long)st.contents_there,
               (unsigned long long)st.items, st.items == 1 ? "" : "s",
               (unsigned long long)st.postings, (unsigned long long)st.buckets);
    }
    spoor_store_free(store);
    return rc;
}
