/*
 * cmd_add.c: spoor add -c NAME [-k KIND] [-d DATE] [--note TEXT] [-j N]
 *            PATH...
 *
 * Walks every PATH, stores each item in collection NAME, and ends with a
 * summary: items by status and by format, and every skipped input with its
 * reason (each skip is also reported on stderr when it happens). Exit 1 if
 * anything was skipped, so scripts notice; everything else is still stored.
 */
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#define MAX_FORMATS 32

typedef struct skip_entry {
    char *display;
    char *reason;
} skip_entry;

/* Documents without text listed by name in the summary. */
#define MAX_TEXTLESS_LISTED 200

typedef struct add_ctx {
    spoor_store *store;
    int64_t collection;
    unsigned long long n_new, n_dup, n_present, bytes;
    const char *formats[MAX_FORMATS];
    unsigned long long format_counts[MAX_FORMATS];
    size_t n_formats;
    skip_entry *skips;
    size_t n_skips, cap_skips;
    char *textless[MAX_TEXTLESS_LISTED]; /* "display (format)", owned */
    unsigned long long n_textless;
    int quiet;
    unsigned long long kill_after; /* test hook: SIGKILL after N items */
} add_ctx;

static const cli_opt add_opts[] = {
    {"collection", 'c', 'c', "NAME", "collection to add to (required)"},
    {"kind", 'k', 'k', "KIND",
     "internal, release, suspect, reference (default\n"
     "for a new collection) or boilerplate (licences,\n"
     "disclaimers, list footers: never evidence)"},
    {"date", 'd', 'd', "DATE",
     "the collection's date (release or snapshot date)"},
    {"note", 0, 'n', "TEXT", "a note kept with a new collection"},
    {"quiet", 'q', 'q', NULL, "no summary, only errors"},
    {"commit-every", 0, 'C', "N",
     "commit to the index every N items (default " SPOOR_STR(
         SPOOR_COMMIT_EVERY) ")"},
    {"jobs", 'j', 'j', "N",
     "read, extract and fingerprint in N threads\n"
     "(default: the number of cores); the result is\n"
     "the same for every N"},
    {"timing", 0, 'T', NULL,
     "at the end, say where the time went (stderr): wall\n"
     "time, and the CPU time of the storing thread, of\n"
     "the workers and of isolated extractors"},
    CLI_OPT_END};

static const cli_opt *const add_tables[] = {add_opts, cli_input_opts, NULL};

static void print_help(void)
{
    printf("usage: spoor add -c NAME [-k KIND] [-d YYYY-MM-DD] [--note TEXT] "
           "PATH...\n\n"
           "Ingest files, folders (recursively) and mailboxes into collection "
           "NAME,\ncreated on first use. Identical content is stored once; "
           "every path and\ncollection it appears in is recorded. Re-running "
           "the same add is safe:\nwhat is already there is kept, what is "
           "missing is added.\n\n");
    cli_options_help(add_tables);
    printf("\nSkipped inputs are reported with their reason; exit status is 1 "
           "if any was\nskipped (the rest is still stored), 2 on bad usage.\n");
}

static void count_format(add_ctx *c, const char *fmt)
{
    size_t i;
    for (i = 0; i < c->n_formats; i++)
        if (!strcmp(c->formats[i], fmt)) {
            c->format_counts[i]++;
            return;
        }
    if (c->n_formats < MAX_FORMATS) {
        c->formats[c->n_formats] = fmt;
        c->format_counts[c->n_formats++] = 1;
    }
}

/* Keep a document that yielded no text for the summary (the first few
 * hundred by name; all are counted). */
static void note_textless(add_ctx *c, const spoor_item *item)
{
    c->n_textless++;
    if (c->n_textless <= MAX_TEXTLESS_LISTED) {
        char *s = malloc(strlen(item->display) + strlen(item->doc.format) + 4);
        if (s) {
            sprintf(s, "%s (%s)", item->display, item->doc.format);
            c->textless[c->n_textless - 1] = s;
        }
    }
}

static int on_item(const spoor_item *item, void *payload)
{
    add_ctx *c = payload;
    int status, error;
    if (cli_interrupted())
        return SPOOR_EUSER; /* stop the walk: what is stored is kept */
    if ((error = spoor_store_add_item(&status, c->store, c->collection, item)) <
        0)
        return error;
    if (status == SPOOR_ADD_NEW)
        c->n_new++;
    else if (status == SPOOR_ADD_DUPLICATE)
        c->n_dup++;
    else
        c->n_present++;
    if (item->depth == 0)
        c->bytes += item->bytes;
    count_format(c, item->doc.format);
    if (item->doc.textless)
        note_textless(c, item);
    if (c->kill_after && c->n_new + c->n_dup + c->n_present >= c->kill_after)
        raise(SIGKILL); /* crash-safety tests only (SPOOR_TEST_KILL_AFTER) */
    cli_progress("add", c->n_new + c->n_dup + c->n_present, c->bytes, 0);
    return 0;
}

static int on_skip(const char *display, int code, const char *reason,
                   void *payload)
{
    add_ctx *c = payload;
    (void)code;
    cli_error(display, "skipped: %s", reason);
    if (cli_grow((void **)&c->skips, &c->cap_skips, c->n_skips,
                 sizeof(*c->skips), 16) < 0)
        return -1;
    c->skips[c->n_skips].display = strdup(display);
    c->skips[c->n_skips].reason = strdup(reason);
    c->n_skips++;
    return 0;
}

/* The add's summary, as add prints it, into out. @return 0 or
 * SPOOR_ENOMEM. */
static int summary(const add_ctx *c, const char *name, spoor_buf *out)
{
    size_t i;
    unsigned long long total = c->n_new + c->n_dup + c->n_present;
    int error = spoor_buf_printf(
        out,
        "added %llu item%s to '%s': %llu new, %llu already indexed "
        "elsewhere, %llu already in this collection; %zu skipped\n",
        total, total == 1 ? "" : "s", name, c->n_new, c->n_dup, c->n_present,
        c->n_skips);
    if (c->n_formats && !error) {
        error = spoor_buf_puts(out, "  by format:");
        for (i = 0; i < c->n_formats && !error; i++)
            error = spoor_buf_printf(out, "%s %s %llu", i ? "," : "",
                                     c->formats[i], c->format_counts[i]);
        if (!error)
            error = spoor_buf_puts(out, "\n");
    }
    if (c->n_textless && !error) {
        error = spoor_buf_printf(out,
                                 "  no text found (empty, or only images) in "
                                 "%llu:\n",
                                 c->n_textless);
        for (i = 0; i < c->n_textless && i < MAX_TEXTLESS_LISTED && !error; i++)
            if (c->textless[i])
                error = spoor_buf_printf(out, "    %s\n", c->textless[i]);
        if (c->n_textless > MAX_TEXTLESS_LISTED && !error)
            error = spoor_buf_printf(out, "    ... and %llu more\n",
                                     c->n_textless - MAX_TEXTLESS_LISTED);
    }
    if (c->n_skips && !error) {
        error = spoor_buf_puts(out, "  skipped:\n");
        for (i = 0; i < c->n_skips && !error; i++)
            error = spoor_buf_printf(out, "    %s: %s\n", c->skips[i].display,
                                     c->skips[i].reason);
    }
    return error;
}

/* Release what c holds (not its store). */
static void add_ctx_dispose(add_ctx *c)
{
    size_t s;
    for (s = 0; s < c->n_skips; s++) {
        free(c->skips[s].display);
        free(c->skips[s].reason);
    }
    free(c->skips);
    for (s = 0; s < MAX_TEXTLESS_LISTED; s++)
        free(c->textless[s]);
}

/* Whether a collection of the index is called want->name. */
typedef struct wanted {
    const char *name;
    int found;
} wanted;

static int find_collection(const spoor_collection_info *ci, void *payload)
{
    wanted *w = payload;
    if (w->name && !strcmp(ci->name, w->name))
        w->found = 1;
    return 0;
}

/* CPU seconds of a getrusage answer. */
static double cpu_s(const struct rusage *r)
{
    return (double)r->ru_utime.tv_sec + (double)r->ru_stime.tv_sec +
           ((double)r->ru_utime.tv_usec + (double)r->ru_stime.tv_usec) / 1e6;
}

/* add --timing: where the time of this add went, on stderr. The calling
 * thread is the storing thread (items are handed to it in order: the
 * catalogue, the pending postings, the segments); the rest of the
 * process's CPU is the workers' (reading, extraction, fingerprints,
 * compression); isolated extractors run in child processes. */
static void print_timing(double since_ms, size_t jobs, unsigned long long items)
{
    struct rusage self, thread, children;
    double wall = (cli_now_ms() - since_ms) / 1e3;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_THREAD, &thread);
    getrusage(RUSAGE_CHILDREN, &children);
    fprintf(stderr,
            "spoor add: timing: %llu items in %.2f s wall; CPU: storing "
            "thread %.2f s, %zu worker%s %.2f s, isolated extractors %.2f "
            "s; the storing thread alone allows at most %.0f items/s\n",
            items, wall, cpu_s(&thread), jobs, jobs == 1 ? "" : "s",
            cpu_s(&self) - cpu_s(&thread), cpu_s(&children),
            cpu_s(&thread) > 0 ? (double)items / cpu_s(&thread) : 0.0);
}

/* When this add made collection name (it was not there before) and added
 * nothing to it, remove it again. @return 1 when removed, 0 when kept, or
 * an index error. */
static int drop_if_empty(add_ctx *c, const char *name, int existed)
{
    uint64_t items, contents;
    int error;
    if (existed || c->n_new + c->n_dup + c->n_present)
        return 0;
    error = spoor_store_collection_rm(&items, &contents, c->store, name);
    return error < 0 ? error : 1;
}

int cmd_add(int argc, char **argv, const cli_global *g)
{
    cli_parser p;
    const char *name = NULL, *kind = NULL, *date = NULL, *note = NULL;
    spoor_kind kind_id = SPOOR_KIND_DEFAULT;
    add_ctx c;
    wanted found = {NULL, 0};
    spoor_walk_opts wopts;
    size_t commit_every = 0, jobs = 0;
    int opt, rc = CLI_OK, error = 0, timing = 0;
    double started = cli_now_ms();

    memset(&c, 0, sizeof(c));
    spoor_walk_opts_init(&wopts);
    cli_parser_init(&p, add_tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        switch (opt) {
        case 'c':
            name = optarg;
            break;
        case 'k':
            kind = optarg;
            break;
        case 'd':
            date = optarg;
            break;
        case 'n':
            note = optarg;
            break;
        case 'q':
            c.quiet = 1;
            break;
        case CLI_O_NO_OCR:
            wopts.limits.max_ocr_pages = 0;
            break;
        case CLI_O_LIMIT:
            if (cli_parse_limit(&wopts.limits, optarg))
                return cli_error_usage("add", "bad --limit '%s'", optarg);
            break;
        case 'C':
            if (cli_parse_size(optarg, &commit_every) || commit_every == 0)
                return cli_error_usage("add", "--commit-every needs N >= 1");
            break;
        case 'T':
            timing = 1;
            break;
        case 'j':
            if (cli_parse_size(optarg, &jobs) || jobs == 0 || jobs > 1024)
                return cli_error_usage("add", "--jobs needs 1 <= N <= 1024");
            break;
        case 'h':
            print_help();
            return CLI_OK;
        default:
            return cli_bad_option("add", argv);
        }
    }
    if (!name || !*name)
        return cli_error_usage("add", "a collection is required (-c NAME)");
    if (kind && spoor_kind_parse(&kind_id, kind) < 0)
        return cli_error_usage("add", "%s", spoor_error_last()->message);
    if (date && !cli_valid_date(date))
        return cli_error_usage("add", "date '%s' is not a YYYY-MM-DD date",
                               date);
    if (optind >= argc)
        return cli_error_usage("add", "no PATH given");

    if ((rc = cli_open_index(&c.store, g, SPOOR_STORE_CREATE)) != CLI_OK)
        return rc;
    if (commit_every)
        spoor_store_set_commit_every(c.store, commit_every);
#ifdef SPOOR_TEST_HOOKS /* a test build only: see meson.build */
    if (getenv("SPOOR_TEST_KILL_AFTER"))
        c.kill_after = strtoull(getenv("SPOOR_TEST_KILL_AFTER"), NULL, 10);
#endif
    found.name = name;
    if (spoor_store_collections(c.store, find_collection, &found) < 0) {
        rc = cli_error_lib(g->index);
        goto done;
    }
    found.name = NULL; /* found.found: whether it was there before */
    if (spoor_store_collection(&c.collection, c.store, name, kind, date, note) <
        0) {
        rc = cli_error_lib(name);
        goto done;
    }
    if (kind && kind_id == SPOOR_KIND_RELEASE && !date)
        fprintf(stderr,
                "spoor: %s: warning: a release without a date (-d): its "
                "items cannot be placed in time, nor can first releases\n",
                name);
    if (!jobs) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cores > 0 ? (size_t)cores : 1;
    }
    wopts.jobs = (unsigned)jobs;
    cli_catch_interrupt();
    /* indexing needs the canonical length and the fingerprints only: long
     * texts are fingerprinted piece by piece, in bounded memory */
    spoor_store_walk_hooks(&wopts); /* the workers prepare for the store */
    wopts.no_offsets = 1;
    wopts.canon_len_only = 1;
    error =
        spoor_walk_paths((const char *const *)(argv + optind),
                         (size_t)(argc - optind), &wopts, on_item, on_skip, &c);
    cli_progress("add", c.n_new + c.n_dup + c.n_present, c.bytes, 1);
    if (cli_interrupted()) {
        if (spoor_store_commit(c.store) < 0) {
            rc = cli_error_lib(g->index);
            goto done;
        }
        fprintf(stderr,
                "spoor add: interrupted; %llu items of this add are stored "
                "in '%s' and kept. Run the same add again to complete it: "
                "what is stored is not added twice.\n",
                c.n_new + c.n_dup + c.n_present, name);
        rc = CLI_INTERRUPTED;
        goto done;
    }
    if (error < 0) {
        rc = cli_error_lib("add");
        goto done;
    }
    if (spoor_store_commit(c.store) < 0) {
        rc = cli_error_lib(g->index);
        goto done;
    }
    if (timing)
        print_timing(started, jobs, c.n_new + c.n_dup + c.n_present);
    if (!c.quiet) {
        spoor_buf out = SPOOR_BUF_INIT;
        if (summary(&c, name, &out) < 0 || cli_write(&out) != CLI_OK)
            rc = cli_error(NULL, "cannot write the summary");
        spoor_buf_dispose(&out);
    }
    if (c.n_skips)
        rc = CLI_ERROR;
    switch (drop_if_empty(&c, name, found.found)) {
    case 0:
        break;
    case 1:
        fprintf(stderr,
                "spoor: %s: nothing was added, so the collection was not "
                "created\n",
                name);
        break;
    default:
        rc = cli_error_lib(name);
    }
done:
    spoor_store_free(c.store);
    add_ctx_dispose(&c);
    return rc;
}

int cli_add_inputs(const cli_global *g, const char *name, const char *kind,
                   const char *date, const cli_input *in, size_t n,
                   spoor_buf *out)
{
    add_ctx c;
    wanted found = {name, 0};
    spoor_walk_opts wopts;
    size_t i;
    int error;

    memset(&c, 0, sizeof(c));
    c.quiet = 1;
    spoor_walk_opts_init(&wopts);
    wopts.no_offsets = 1;
    wopts.canon_len_only = 1;
    if ((error = spoor_store_open(&c.store, g->index, 0)) < 0)
        return error;
    error = spoor_store_collections(c.store, find_collection, &found);
    if (error == 0)
        error = spoor_store_collection(&c.collection, c.store, name, kind, date,
                                       NULL);
    for (i = 0; i < n && error == 0; i++)
        error = spoor_walk_buffer(in[i].name, in[i].data, in[i].len, &wopts,
                                  on_item, on_skip, &c);
    if (error == 0)
        error = spoor_store_commit(c.store);
    if (error == 0 && (error = drop_if_empty(&c, name, found.found)) > 0)
        error = 0;
    if (error == 0)
        error = summary(&c, name, out);
    spoor_store_free(c.store);
    add_ctx_dispose(&c);
    return error;
}
