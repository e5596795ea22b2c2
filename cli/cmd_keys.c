/*
 * cmd_keys.c: spoor keys add FILE... | spoor keys list — the DKIM key
 * archive. A key file has one record per line, as libopendkim's
 * DKIM_QUERY_FILE reads it:
 *
 *   selector._domainkey.example.com v=DKIM1; k=rsa; p=MIGfMA0...
 *
 * Each record keeps where it came from (the file), when it was observed in
 * DNS (--observed) and, when known, when its private key became public
 * (--published): a pass with a key public before a message surfaced proves
 * nothing and is downgraded.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

typedef struct keys_ctx {
    spoor_store *store;
    const char *source, *observed, *published;
    unsigned long n;
} keys_ctx;

static int on_key(const char *name, const char *record, void *payload)
{
    keys_ctx *k = payload;
    int error = spoor_store_add_key(k->store, name, record, k->source,
                                    k->observed, k->published);
    if (error == 0)
        k->n++;
    return error;
}

static int print_key(const spoor_key_info *k, void *payload)
{
    int json = *(int *)payload;
    if (json) {
        spoor_buf o = SPOOR_BUF_INIT;
        const char *f[] = {"name",      k->name,      "record",   k->record,
                           "source",    k->source,    "observed", k->observed,
                           "published", k->published, "added",    k->added};
        size_t i;
        spoor_buf_puts(&o, "{");
        for (i = 0; i < 12; i += 2) {
            spoor_buf_printf(&o, "%s\"%s\": ", i ? ", " : "", f[i]);
            if (f[i + 1])
                spoor_json_string(&o, f[i + 1], strlen(f[i + 1]));
            else
                spoor_buf_puts(&o, "null");
        }
        spoor_buf_puts(&o, "}\n");
        cli_write(&o);
        spoor_buf_dispose(&o);
    } else {
        printf("%s  observed %s  published %s  from %s\n", k->name,
               k->observed ? k->observed : "-",
               k->published ? k->published : "-", k->source ? k->source : "-");
    }
    return 0;
}

enum { O_OBS = 256, O_PUB, O_JSON };

static const cli_opt keys_opts[] = {
    {"observed", 0, O_OBS, "DATE", "when the records were seen in DNS"},
    {"published", 0, O_PUB, "DATE",
     "when the private keys became public (weakens a\n"
     "pass for messages that surfaced after it)"},
    {"json", 0, O_JSON, NULL, "list as JSON lines"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor keys add [--observed DATE] [--published DATE] "
           "FILE...\n"
           "       spoor keys list [--json]\n\n"
           "Archive DKIM public keys for offline verification by check. A "
           "key file has\none record a line: "
           "'selector._domainkey.domain v=DKIM1; k=rsa; p=...'\n"
           "('#' comments and blank lines are skipped).\n\n"
           "");
    cli_options_help(tables);
}

int cmd_keys(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {keys_opts, NULL};
    cli_parser p;
    keys_ctx k;
    int opt, json = 0, rc, i;
    const char *sub;

    memset(&k, 0, sizeof(k));
    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        switch (opt) {
        case O_OBS:
            k.observed = optarg;
            break;
        case O_PUB:
            k.published = optarg;
            break;
        case O_JSON:
            json = 1;
            break;
        case 'h':
            print_help(tables);
            return CLI_OK;
        default:
            return cli_bad_option("keys", argv);
        }
    }
    if (optind >= argc)
        return cli_error_usage("keys", "needs 'add FILE...' or 'list'");
    sub = argv[optind++];
    if ((k.observed && !cli_valid_date(k.observed)) ||
        (k.published && !cli_valid_date(k.published)))
        return cli_error_usage("keys", "dates must be YYYY-MM-DD");
    if (!strcmp(sub, "list")) {
        if ((rc = cli_open_index(&k.store, g, SPOOR_STORE_READONLY)) != CLI_OK)
            return rc;
        if (spoor_store_keys(k.store, print_key, &json) < 0)
            rc = cli_error_lib(g->index);
        spoor_store_free(k.store);
        return rc;
    }
    if (strcmp(sub, "add"))
        return cli_error_usage("keys", "unknown subcommand '%s'", sub);
    if (optind >= argc)
        return cli_error_usage("keys", "add needs a FILE");
    if ((rc = cli_open_index(&k.store, g, SPOOR_STORE_CREATE)) != CLI_OK)
        return rc;
    for (i = optind; i < argc && rc == CLI_OK; i++) {
        unsigned long before = k.n;
        k.source = argv[i];
        if (spoor_dkim_parse_keys(argv[i], on_key, &k) < 0)
            rc = cli_error_lib(argv[i]);
        else
            printf("%s: %lu key record%s archived\n", argv[i], k.n - before,
                   k.n - before == 1 ? "" : "s");
    }
    if (rc == CLI_OK && spoor_store_commit(k.store) < 0) /* shared: pushed */
        rc = cli_error_lib(g->index);
    spoor_store_free(k.store);
    return rc;
}
