/*
 * cmd_grep.c: spoor grep [--json] [--raw] [--limit N] [--from N] WORD...
 *
 * Keyword search over the index's texts (SQLite FTS5): the items whose
 * text holds every word, best first, each with a snippet. The search
 * index is brought up to date first when the index may be written;
 * otherwise what it holds is searched and stderr says how many texts it
 * lacks.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum { O_RAW = 256, O_LIMIT, O_FROM };

static const cli_opt grep_opts[] = {
    {"json", 0, 'J', NULL, "one JSON object per line per item"},
    {"raw", 0, O_RAW, NULL,
     "the words are FTS5 syntax: \"a phrase\", NEAR(a b), a OR b, NOT,\n"
     "prefix*"},
    {"limit", 0, O_LIMIT, "N", "items shown (default 20)"},
    {"from", 0, O_FROM, "N", "skip the first N answers (default 0)"},
    CLI_OPT_END};

/* A progress callback for the update (stderr, when a terminal). */
static int on_progress(uint64_t done, uint64_t total, void *payload)
{
    (void)payload;
    cli_progress_of("indexing texts for search", done, total);
    return cli_interrupted() ? -1 : 0;
}

int cli_search_refresh(const cli_global *g, int verbose)
{
    spoor_store *w = NULL;
    uint64_t added = 0, behind = 0;
    /* read first: a shared index has no search index (and opening it for
     * writing would stage a push) */
    int error = spoor_store_open(&w, g->index, SPOOR_STORE_READONLY);
    if (error < 0) /* the caller's own open will say why */
        return CLI_ERROR;
    error = spoor_store_search_behind(&behind, w);
    spoor_store_free(w);
    w = NULL;
    if (error == 0 && behind)
        error = spoor_store_open(&w, g->index, 0);
    if (error == 0 && behind)
        error = spoor_store_search_update(&added, w,
                                          verbose ? on_progress : NULL, NULL);
    if (error < 0 && verbose && error != SPOOR_EUNSUPPORTED) /* shared: the
                                                            caller says */
        fprintf(stderr,
                "spoor: the search index was not brought up to date: %s\n",
                spoor_error_last()->message);
    spoor_store_free(w);
    return error < 0 ? CLI_ERROR : CLI_OK;
}

typedef struct grep_ctx {
    spoor_store *store;
    spoor_buf out;
    int json;
} grep_ctx;

/* The snippet without its markers into plain, with the marked ranges
 * (byte offsets in plain) as JSON into marks, or as [word] in text. */
static int unmark(spoor_buf *plain, spoor_buf *marks, const char *snip,
                  int brackets)
{
    size_t start = 0;
    int open = 0, error = 0;
    for (; *snip && !error; snip++) {
        if (*snip == '\x02' && !open) {
            open = 1, start = plain->size;
            if (brackets)
                error = spoor_buf_puts(plain, "[");
        } else if (*snip == '\x03' && open) {
            open = 0;
            if (brackets)
                error = spoor_buf_puts(plain, "]");
            else
                error = spoor_buf_printf(marks, "%s[%zu, %zu]",
                                         marks->size ? ", " : "", start,
                                         plain->size);
        } else if (*snip != '\x02' && *snip != '\x03') {
            error = spoor_buf_put(plain, *snip == '\n' ? " " : snip, 1);
        }
    }
    return error;
}

#define TRY(x)                                                                 \
    do {                                                                       \
        if ((error = (x)) < 0)                                                 \
            goto done;                                                         \
    } while (0)

/* One answer: where the item is held, its snippet. */
static int on_hit(const spoor_search_hit *h, void *payload)
{
    grep_ctx *c = payload;
    spoor_record *rec = NULL;
    spoor_buf plain = SPOOR_BUF_INIT, marks = SPOOR_BUF_INIT;
    size_t i;
    int error = spoor_store_record(&rec, c->store, h->content);
    if (error < 0)
        return error;
    if (c->json) {
        TRY(unmark(&plain, &marks, h->snippet, 0));
        TRY(spoor_buf_printf(&c->out,
                             "{\"sha256\": \"%s\", \"format\": ", rec->sha256));
        TRY(spoor_json_string(&c->out, rec->format, strlen(rec->format)));
        TRY(spoor_buf_puts(&c->out, ", \"held_in\": ["));
        for (i = 0; i < rec->n_occ; i++) {
            const spoor_occurrence *o = &rec->occ[i];
            TRY(spoor_buf_puts(&c->out, i ? ", {\"collection\": "
                                          : "{\"collection\": "));
            TRY(spoor_json_string(&c->out, o->collection,
                                  strlen(o->collection)));
            TRY(spoor_buf_puts(&c->out, ", \"path\": "));
            TRY(spoor_json_string(&c->out, o->path, strlen(o->path)));
            TRY(spoor_buf_puts(&c->out, "}"));
        }
        TRY(spoor_buf_puts(&c->out, "], \"snippet\": "));
        TRY(spoor_json_string(&c->out, plain.ptr ? plain.ptr : "", plain.size));
        TRY(spoor_buf_printf(&c->out, ", \"marks\": [%s]}\n",
                             marks.ptr ? marks.ptr : ""));
    } else {
        TRY(unmark(&plain, &marks, h->snippet, 1));
        for (i = 0; i < rec->n_occ; i++)
            TRY(spoor_buf_printf(&c->out, "%s:%s\n", rec->occ[i].collection,
                                 rec->occ[i].path));
        TRY(spoor_buf_printf(&c->out, "    %.*s\n", (int)plain.size,
                             plain.ptr ? plain.ptr : ""));
    }
done:
    spoor_buf_dispose(&plain);
    spoor_buf_dispose(&marks);
    spoor_record_free(rec);
    return error;
}

/* Open the index for reading into c->store, and how many texts its
 * search index lacks into *behind. @return CLI_OK, or CLI_ERROR said. */
static int open_to_search(grep_ctx *c, const cli_global *g, uint64_t *behind)
{
    int rc = cli_open_index(&c->store, g, SPOOR_STORE_READONLY);
    if (rc == CLI_OK && spoor_store_search_behind(behind, c->store) < 0)
        rc = cli_error_lib(NULL);
    return rc;
}

int cmd_grep(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {grep_opts, NULL};
    cli_parser p;
    grep_ctx c;
    spoor_buf query = SPOOR_BUF_INIT;
    size_t limit = 20, from = 0;
    uint64_t total = 0, behind = 0;
    int opt, rc, raw = 0, i;

    memset(&c, 0, sizeof(c));
    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        switch (opt) {
        case 'h':
            printf("usage: spoor grep [--json] [--raw] [--limit N] [--from "
                   "N] WORD...\n\nThe indexed items whose text holds every "
                   "WORD (case, accents and\npunctuation aside), best first, "
                   "each with a snippet, the words in\n[brackets]. Builds or "
                   "updates the index's search index first when it\nmay "
                   "write the index.\n\n");
            cli_options_help(tables);
            return CLI_OK;
        case 'J':
            c.json = 1;
            break;
        case O_RAW:
            raw = 1;
            break;
        case O_LIMIT:
        case O_FROM:
            if (cli_parse_size(optarg, opt == O_LIMIT ? &limit : &from) < 0 ||
                (opt == O_LIMIT ? limit : from) > 1000000)
                return cli_error_usage("grep", "bad --%s '%s'",
                                       opt == O_LIMIT ? "limit" : "from",
                                       optarg);
            break;
        default:
            return cli_bad_option("grep", argv);
        }
    }
    if (optind >= argc)
        return cli_error_usage("grep", "needs words to look for");
    for (i = optind; i < argc; i++)
        if ((i > optind && spoor_buf_puts(&query, " ") < 0) ||
            spoor_buf_puts(&query, argv[i]) < 0)
            return cli_error(NULL, "out of memory");
    if ((rc = open_to_search(&c, g, &behind)) != CLI_OK)
        goto done;
    if (behind) { /* update through a writer, then read again */
        spoor_store_free(c.store);
        c.store = NULL;
        (void)cli_search_refresh(g, 1);
        if ((rc = open_to_search(&c, g, &behind)) != CLI_OK)
            goto done;
    }
    if (behind)
        fprintf(stderr,
                "spoor grep: %llu texts are not in the search index "
                "yet\n",
                (unsigned long long)behind);
    if (spoor_store_search(&total, c.store, query.ptr, raw, from, limit, on_hit,
                           &c) < 0) {
        rc = cli_error_lib(NULL);
        goto done;
    }
    if (!c.json)
        spoor_buf_printf(&c.out, "%llu item%s match%s",
                         (unsigned long long)total, total == 1 ? "" : "s",
                         total == 1 ? "es" : "");
    if (!c.json && total > from + limit)
        spoor_buf_printf(&c.out, " (%zu shown; --from %zu for more)\n", limit,
                         from + limit);
    else if (!c.json)
        spoor_buf_puts(&c.out, "\n");
    rc = cli_write(&c.out);
    if (rc == CLI_OK && total == 0)
        rc = CLI_ERROR; /* as grep: nothing found */
done:
    spoor_buf_dispose(&query);
    spoor_buf_dispose(&c.out);
    spoor_store_free(c.store);
    return rc;
}
