/*
 * cmd_check.c: spoor check [--json] [-c NAME]... PATH...|-
 *
 * Provenance of each input item and each nested item, as a readable report
 * or as one JSON object per line (docs/design.md). '-' reads standard input.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

/* A container waiting for its members: its record is written once they are
 * all in, as the summary of everything inside it. */
typedef struct frame {
    spoor_item item; /* a copy (spoor_item_copy) */
    spoor_result *r;
} frame;

typedef struct check_ctx {
    const char *arg; /* the argument being walked */
    frame *frames;   /* open containers, outermost first */
    size_t n_frames, cap_frames;
    spoor_store *store;
    spoor_html *html;
    spoor_check_opts opts;
    int json;
    int brief, csv;   /* --brief: a line per item and a tally; --csv */
    unsigned fail_on; /* --fail-on: verdicts (bits, see verdict_bit) */
    unsigned long long tally[4]; /* items by verdict, in verdict_bit order */
    int failed_on;               /* an item had a --fail-on verdict */
    int timing;                  /* --timing: each item's time to stderr */
    double since;                /* when the current item's work began */
    unsigned long long n_items, n_skipped;
    spoor_buf out;
    spoor_buf *sink;    /* spoor serve: lines go here, not to stdout */
    spoor_buf *skipped; /* spoor serve's pages: "name: reason" lines */
    double deadline;    /* spoor serve: stop past this (cli_now_ms), or 0 */
    int timed_out;      /* it did */
} check_ctx;

/* Write a report line (or lines) to the sink, else to stdout. */
static int put_out(check_ctx *c, const spoor_buf *b)
{
    if (c->sink)
        return spoor_buf_put(c->sink, b->ptr ? b->ptr : "", b->size) < 0
                   ? SPOOR_ENOMEM
                   : 0;
    if (cli_write(b) != CLI_OK)
        return SPOOR_EIO;
    fflush(stdout);
    return 0;
}

enum {
    O_JSON = 256,
    O_DKEYS,
    O_DDNS,
    O_ASOF,
    O_SURF,
    O_HTML,
    O_TIMING,
    O_BRIEF,
    O_CSV,
    O_FAILON
};

static const cli_opt check_opts[] = {
    {"json", 0, O_JSON, NULL, "one JSON object per line per item"},
    {"brief", 0, O_BRIEF, NULL,
     "one line per item (verdict, release share, first\n"
     "release, path), then a tally of the verdicts"},
    {"csv", 0, O_CSV, NULL, "one CSV row per item, after a header row"},
    {"fail-on", 0, O_FAILON, "VERDICT[,VERDICT]",
     "exit 3 when an item has one of these\n"
     "verdicts (after every item is reported; an error's\n"
     "exit 1 comes first)"},
    {"html", 0, O_HTML, "FILE",
     "also write a self-contained HTML evidence report"},
    {"timing", 0, O_TIMING, NULL,
     "print each item's time in milliseconds to stderr\n"
     "(its reading, extraction, lookup, verification and\n"
     "report, without process start-up)"},
    {"collection", 'c', 'c', "NAME",
     "compare only with this collection (repeatable)"},
    CLI_OPT_END};

static const cli_opt dkim_opts[] = {
    {"dkim-keys", 0, O_DKEYS, "FILE",
     "DKIM key records to use besides the archive"},
    {"dkim-dns", 0, O_DDNS, NULL, "also look DKIM keys up in live DNS"},
    {"as-of", 0, O_ASOF, "DATE",
     "judge DKIM expiry at DATE, not at the message's\nown time"},
    {"surfaced", 0, O_SURF, "DATE",
     "when the messages surfaced (default today): a\n"
     "key published before it weakens a pass"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor check [--json] [-c NAME]... [OPTIONS] PATH...|-\n\n"
           "Report the provenance of each input item (files, folders, "
           "mailboxes and\ntheir nested items): which indexed items share "
           "passages with it, where,\nin which collection, first released "
           "when; its verdict; its dates and the\ncase events they postdate. "
           "'-' reads standard input (a pasted fragment).\n\n");
    cli_options_help(tables);
    printf("\nVerdicts rest on evidence: passages shared with a source, minus "
           "boilerplate\nand email header blocks. released (release evidence "
           ">= released-min),\npartially-released (a substantive share in "
           "releases: --min-evidence and\n--min-share), internal-only "
           "(internal evidence >= internal-min), unknown.\n");
}

static int load_archived_key(const spoor_key_info *k, void *payload)
{
    return spoor_dkim_add_key(payload, k->name, k->record, k->source,
                              k->observed, k->published);
}

typedef struct key_file_ctx {
    spoor_dkim *dkim;
    const char *path;
} key_file_ctx;

static int load_file_key(const char *name, const char *record, void *payload)
{
    key_file_ctx *kf = payload;
    return spoor_dkim_add_key(kf->dkim, name, record, kf->path, NULL, NULL);
}

static const char *const verdicts[4] = {"released", "partially-released",
                                        "internal-only", "unknown"};

/* The bit of verdict v in a --fail-on set (0: not a verdict). */
static unsigned verdict_bit(const char *v, size_t len)
{
    unsigned i;
    for (i = 0; i < 4; i++)
        if (strlen(verdicts[i]) == len && !strncmp(verdicts[i], v, len))
            return 1u << i;
    return 0;
}

/* Parse --fail-on's comma-separated verdicts into *set. @return 0 or -1. */
static int parse_fail_on(const char *arg, unsigned *set)
{
    while (*arg) {
        size_t n = strcspn(arg, ",");
        unsigned bit = verdict_bit(arg, n);
        if (!bit)
            return -1;
        *set |= bit;
        arg += n + (arg[n] == ',');
    }
    return *set ? 0 : -1;
}

/* Append s as one CSV field (RFC 4180: quoted when it must be). */
static int csv_field(spoor_buf *o, const char *s)
{
    int error = 0;
    if (!s)
        return 0;
    if (!strpbrk(s, ",\"\r\n"))
        return spoor_buf_puts(o, s);
    error = spoor_buf_puts(o, "\"");
    for (; *s && error == 0; s++)
        error = *s == '"' ? spoor_buf_puts(o, "\"\"") : spoor_buf_put(o, s, 1);
    return error ? error : spoor_buf_puts(o, "\"");
}

/* One CSV row of item's result r. */
static int csv_row(spoor_buf *o, const spoor_item *item, const spoor_result *r)
{
    int error = 0;
    SPOOR_CLI_TRY(csv_field(o, item->display));
    SPOOR_CLI_TRY(spoor_buf_puts(o, ","));
    SPOOR_CLI_TRY(csv_field(o, item->path));
    SPOOR_CLI_TRY(spoor_buf_printf(o, ",%s,%.4f,%.4f,%.4f,%zu,%zu,", r->verdict,
                                   r->cov_release, r->cov_internal, r->cov_any,
                                   r->substance, r->release_chars));
    SPOOR_CLI_TRY(csv_field(o, r->first_release));
    SPOOR_CLI_TRY(spoor_buf_puts(o, ","));
    SPOOR_CLI_TRY(csv_field(o, r->first_release_date));
    SPOOR_CLI_TRY(spoor_buf_printf(o, ",%s\n", item->sha256));
done:
    return error;
}

/* Write item's record r (and add it to the HTML report). */
static int emit(check_ctx *c, const spoor_item *item, const spoor_result *r)
{
    unsigned bit = verdict_bit(r->verdict, strlen(r->verdict)), i;
    int error;
    spoor_buf_clear(&c->out);
    for (i = 0; i < 4; i++)
        if (bit == 1u << i)
            c->tally[i]++;
    if (bit & c->fail_on)
        c->failed_on = 1;
    if (c->json)
        error = spoor_report_json(&c->out, item, r);
    else if (c->csv)
        error = csv_row(&c->out, item, r);
    else if (c->brief)
        error = spoor_buf_printf(&c->out, "%-18s %5.1f%%  %-12s %s\n",
                                 r->verdict, 100 * r->cov_release,
                                 r->first_release ? r->first_release : "-",
                                 item->display);
    else
        error = spoor_report_text(&c->out, item, r, NULL);
    if (error == 0 && c->html)
        error = spoor_html_add(c->html, item, r);
    if (error < 0)
        return error;
    c->n_items++;
    return put_out(c, &c->out);
}

/* Close the innermost open container: summarise, write it, and add it to
 * the container around it. */
static int close_frame(check_ctx *c)
{
    frame f = c->frames[--c->n_frames];
    int error = spoor_result_summarise(f.r, &c->opts);
    if (error == 0)
        error = emit(c, &f.item, f.r);
    if (error == 0 && c->n_frames)
        error =
            spoor_result_absorb(c->frames[c->n_frames - 1].r, f.r, f.item.path);
    spoor_result_free(f.r);
    spoor_item_copy_dispose(&f.item);
    return error;
}

/* Close every open container (the end of one input); with write 0, only
 * release them (after an error). */
static int close_frames(check_ctx *c, int write)
{
    int error = 0;
    while (write && c->n_frames && error == 0)
        error = close_frame(c);
    while (c->n_frames) { /* after an error: release the rest */
        frame *f = &c->frames[--c->n_frames];
        spoor_result_free(f->r);
        spoor_item_copy_dispose(&f->item);
    }
    return error;
}

static int on_skip(const char *display, int code, const char *reason,
                   void *payload);

/* Reports an item's provenance; with --timing also how long the item took
 * since the previous one was checked (reading, extraction, fingerprints,
 * lookup, verification, rendering: for a file without children, all of its
 * work in this process). An item with members (an mbox, an archive, an
 * email with attachments) is written after them, as their summary. */
static int on_item(const spoor_item *item, void *payload)
{
    check_ctx *c = payload;
    spoor_result *r = NULL;
    int error;

    if (cli_interrupted())
        return SPOOR_EUSER;
#ifdef SPOOR_TEST_HOOKS /* a test build only: a slow check, for limits */
    if (c->deadline && getenv("SPOOR_TEST_ITEM_DELAY_MS"))
        usleep(1000 * (useconds_t)atoi(getenv("SPOOR_TEST_ITEM_DELAY_MS")));
#endif
    if (c->deadline && cli_now_ms() > c->deadline) {
        c->timed_out = 1;
        return SPOOR_EUSER;
    }
    while (c->n_frames && c->frames[c->n_frames - 1].item.depth >= item->depth)
        if ((error = close_frame(c)) < 0)
            return error;
    if ((error = spoor_check_item(&r, c->store, item, &c->opts)) ==
        SPOOR_ECORRUPT) {
        /* damaged index data (a segment bucket or a stored text failing its
         * checksum): no answer for this item, an error naming it, and the
         * batch goes on */
        char why[1200];
        snprintf(why, sizeof(why), "not answered: %s",
                 spoor_error_last()->message);
        return on_skip(item->display, error, why, c);
    }
    if (error < 0)
        return error;
    if (item->doc.n_children || item->doc.streams_children) {
        frame *f;
        if (cli_grow((void **)&c->frames, &c->cap_frames, c->n_frames,
                     sizeof(*c->frames), 8) < 0) {
            spoor_result_free(r);
            return SPOOR_ENOMEM;
        }
        f = &c->frames[c->n_frames];
        if ((error = spoor_item_copy(&f->item, item)) < 0) {
            spoor_result_free(r);
            return error;
        }
        f->r = r;
        c->n_frames++;
    } else {
        error = emit(c, item, r);
        if (error == 0 && c->n_frames)
            error = spoor_result_absorb(c->frames[c->n_frames - 1].r, r,
                                        item->path);
        spoor_result_free(r);
        if (error < 0)
            return error;
    }
    if (c->timing) {
        double t = cli_now_ms();
        fprintf(stderr, "spoor check: timing: %.3f ms %s\n", t - c->since,
                item->display);
        c->since = t;
    }
    return 0;
}

/* As JSON, the path of display relative to the argument arg it was met
 * under (as items' "path" is): below a folder, the rest after it; in a
 * file, the file's name and the rest. */
static int skip_path(spoor_buf *out, const char *arg, const char *display)
{
    size_t n = arg ? strlen(arg) : 0;
    const char *rest, *base;
    spoor_buf p = SPOOR_BUF_INIT;
    int error;
    while (n > 1 && arg[n - 1] == '/')
        n--;
    if (!arg || strncmp(display, arg, n))
        return spoor_json_string(out, display, strlen(display));
    rest = display + n;
    if (*rest == '/')
        return spoor_json_string(out, rest + 1, strlen(rest + 1));
    for (base = arg + n; base > arg && base[-1] != '/'; base--)
        ;
    error = spoor_buf_put(&p, base, (size_t)(arg + n - base));
    if (error == 0)
        error = spoor_buf_puts(&p, rest);
    if (error == 0)
        error = spoor_json_string(out, p.ptr ? p.ptr : "", p.size);
    spoor_buf_dispose(&p);
    return error;
}

/* An input or member that could not be read: on stderr, and with --json
 * as a line of its own with an "error" field, so a script sees every
 * input. */
static int on_skip(const char *display, int code, const char *reason,
                   void *payload)
{
    check_ctx *c = payload;
    c->n_skipped++;
    cli_error(display, "skipped: %s", reason);
    if (c->skipped &&
        spoor_buf_printf(c->skipped, "%s: %s\n", display, reason) < 0)
        return SPOOR_ENOMEM;
    if (c->json) {
        spoor_buf line = SPOOR_BUF_INIT;
        int error = spoor_buf_puts(&line, "{\"input\": ");
        if (error == 0)
            error = spoor_json_string(&line, display, strlen(display));
        if (error == 0)
            error = spoor_buf_puts(&line, ", \"path\": ");
        if (error == 0)
            error = skip_path(&line, c->arg, display);
        if (error == 0)
            error = spoor_buf_puts(&line, ", \"error\": ");
        if (error == 0)
            error = spoor_json_string(&line, reason, strlen(reason));
        if (error == 0)
            error = spoor_buf_printf(&line, ", \"code\": %d}\n", code);
        if (error == 0)
            error = put_out(c, &line);
        spoor_buf_dispose(&line);
        return error;
    }
    return 0;
}

/* Whether path names a stream (a FIFO, a pipe from <(cmd), a character
 * device) rather than a file or a folder. */
static int is_stream(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 &&
           (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode));
}

int cmd_check(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {check_opts, cli_threshold_opts(),
                                     dkim_opts, cli_input_opts, NULL};
    cli_parser p;
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    check_ctx c;
    spoor_walk_opts wopts;
    spoor_dkim_opts dopts = SPOOR_DKIM_OPTS_INIT;
    spoor_dkim *dkim = NULL;
    const char **only = NULL, **key_files = NULL, *html_path = NULL;
    char *cmdline = NULL;
    size_t n_key_files = 0;
    size_t n_only = 0;
    int opt, rc = CLI_OK, i, error = 0;

    memset(&c, 0, sizeof(c));
    c.opts = defaults;
    spoor_walk_opts_init(&wopts);
    /* a long text is matched stretch by stretch, without its canonical
     * text with offsets (12 bytes a character) in memory */
    wopts.offsets_max = SPOOR_CHECK_OFFSETS_MAX;
    only = calloc((size_t)argc, sizeof(*only));
    key_files = calloc((size_t)argc, sizeof(*key_files));
    if (!only || !key_files) {
        free(only);
        free(key_files);
        return cli_error(NULL, "out of memory");
    }
    optind = 1;
    cli_parser_init(&p, tables);
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        switch (opt) {
        case O_JSON:
            c.json = 1;
            break;
        case O_BRIEF:
            c.brief = 1;
            break;
        case O_CSV:
            c.csv = 1;
            break;
        case O_FAILON:
            if (parse_fail_on(optarg, &c.fail_on) < 0)
                rc = cli_error_usage("check",
                                     "--fail-on takes verdicts: released, "
                                     "partially-released, internal-only, "
                                     "unknown (comma-separated)");
            break;
        case O_TIMING:
            c.timing = 1;
            break;
        case 'c':
            only[n_only++] = optarg;
            break;
        case O_HTML:
            html_path = optarg;
            break;
        case O_DKEYS:
            key_files[n_key_files++] = optarg;
            break;
        case O_DDNS:
            dopts.use_dns = 1;
            break;
        case O_ASOF:
            if (!cli_valid_date(optarg))
                rc = cli_error_usage("check", "--as-of needs YYYY-MM-DD");
            dopts.as_of = optarg;
            break;
        case O_SURF:
            if (!cli_valid_date(optarg))
                rc = cli_error_usage("check", "--surfaced needs YYYY-MM-DD");
            dopts.surfaced = optarg;
            break;
        case CLI_O_NO_OCR:
            wopts.limits.max_ocr_pages = 0;
            break;
        case CLI_O_LIMIT:
            if (cli_parse_limit(&wopts.limits, optarg))
                rc = cli_error_usage("check", "bad --limit '%s'", optarg);
            break;
        case 'h':
            print_help(tables);
            free(only);
            free(key_files);
            return CLI_OK;
        default:
            rc = cli_threshold_option(opt, optarg, &c.opts, "check");
            if (rc < 0)
                rc = cli_bad_option("check", argv);
        }
        if (rc != CLI_OK) {
            free(only);
            free(key_files);
            return rc;
        }
    }
    if (optind >= argc) {
        free(only);
        free(key_files);
        return cli_error_usage("check", "no PATH given ('-' reads stdin)");
    }
    if (c.json + c.brief + c.csv > 1) {
        free(only);
        free(key_files);
        return cli_error_usage("check", "--json, --brief and --csv exclude "
                                        "one another");
    }
    if (c.csv) {
        spoor_buf h = SPOOR_BUF_INIT;
        spoor_buf_puts(&h, "input,path,verdict,release,internal,any,"
                           "substantive_chars,release_chars,first_release,"
                           "first_release_date,sha256\n");
        rc = cli_write(&h);
        spoor_buf_dispose(&h);
        if (rc != CLI_OK) {
            free(only);
            free(key_files);
            return rc;
        }
    }
    c.opts.only = n_only ? only : NULL;
    c.opts.n_only = n_only;
    if ((rc = cli_open_index(&c.store, g, SPOOR_STORE_READONLY)) != CLI_OK) {
        free(only);
        free(key_files);
        return rc;
    }
    if (spoor_dkim_new(&dkim, &dopts) < 0 ||
        spoor_store_keys(c.store, load_archived_key, dkim) < 0) {
        rc = cli_error_lib(g->index);
        goto done;
    }
    for (i = 0; i < (int)n_key_files; i++) {
        key_file_ctx kf = {dkim, key_files[i]};
        if (spoor_dkim_parse_keys(key_files[i], load_file_key, &kf) < 0) {
            rc = cli_error_lib(key_files[i]);
            goto done;
        }
    }
    c.opts.dkim = dkim;
    if (html_path) {
        spoor_html_opts hopts = SPOOR_HTML_OPTS_INIT;
        cmdline = cli_command_line(argc, argv);
        hopts.command = cmdline;
        hopts.check = &c.opts;
        if (spoor_html_new(&c.html, c.store, &hopts) < 0) {
            rc = cli_error_lib(html_path);
            goto done;
        }
    }
    for (i = 0; i < (int)n_only; i++) {
        int64_t id;
        if (spoor_store_collection(&id, c.store, only[i], NULL, NULL, NULL) <
            0) {
            rc = cli_error_lib(only[i]);
            goto done;
        }
    }
    cli_catch_interrupt();
    for (i = optind; i < argc && error >= 0; i++) {
        c.since = cli_now_ms();
        c.arg = argv[i];
        if (!strcmp(argv[i], "-")) {
            char *data = NULL;
            size_t len = 0;
            if ((rc = cli_read_stdin(&data, &len)) != CLI_OK)
                goto done;
            error =
                spoor_walk_buffer("-", data, len, &wopts, on_item, on_skip, &c);
            free(data);
        } else if (is_stream(argv[i])) {
            /* a FIFO or a process substitution (<(cmd)): read as a stream */
            char *data = NULL;
            size_t len = 0;
            int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                error = on_skip(argv[i], SPOOR_EIO, strerror(errno), &c);
                continue;
            }
            rc = cli_read_stream(fd, argv[i], &data, &len);
            close(fd);
            if (rc != CLI_OK)
                goto done;
            error = spoor_walk_buffer(argv[i], data, len, &wopts, on_item,
                                      on_skip, &c);
            free(data);
        } else {
            error = spoor_walk(argv[i], &wopts, on_item, on_skip, &c);
        }
        if (error >= 0)
            error = close_frames(&c, 1);
    }
    if (cli_interrupted()) {
        fprintf(stderr,
                "spoor check: interrupted after %llu items; their reports "
                "above are complete, the rest was not checked\n",
                c.n_items);
        rc = CLI_INTERRUPTED;
        goto done;
    }
    if (error < 0) {
        rc = cli_error_lib(argv[i - 1]);
        goto done;
    }
    if (c.html) {
        spoor_buf page = SPOOR_BUF_INIT;
        rc = cli_write_report(html_path, &page,
                              spoor_html_finish(&page, c.html));
        spoor_buf_dispose(&page);
        if (rc != CLI_OK)
            goto done;
    }
    if (c.brief)
        printf("%llu item%s: %llu released, %llu partially-released, %llu "
               "internal-only, %llu unknown; %llu not read\n",
               c.n_items, c.n_items == 1 ? "" : "s", c.tally[0], c.tally[1],
               c.tally[2], c.tally[3], c.n_skipped);
    if (c.n_skipped)
        rc = CLI_ERROR;
    else if (c.failed_on)
        rc = CLI_FAIL_ON;
done:
    close_frames(&c, 0);
    free(c.frames);
    spoor_html_free(c.html);
    free(cmdline);
    spoor_buf_dispose(&c.out);
    spoor_store_free(c.store);
    spoor_dkim_free(dkim);
    free(only);
    free(key_files);
    return rc;
}

/* ==== spoor serve's checks (cmd.h) ==== */

struct cli_checker {
    check_ctx c;
    spoor_walk_opts wopts;
    spoor_dkim *dkim;
    unsigned seconds; /* a request's time limit (cli_checker_limit), or 0 */
};

int cli_checker_new(cli_checker **out, spoor_store *store)
{
    spoor_check_opts defaults = SPOOR_CHECK_OPTS_INIT;
    spoor_dkim_opts dopts = SPOOR_DKIM_OPTS_INIT;
    cli_checker *k = calloc(1, sizeof(*k));
    *out = NULL;
    if (!k)
        return SPOOR_ENOMEM;
    k->c.opts = defaults;
    k->c.json = 1;
    k->c.store = store;
    spoor_walk_opts_init(&k->wopts);
    k->wopts.offsets_max = SPOOR_CHECK_OFFSETS_MAX;
    if (spoor_dkim_new(&k->dkim, &dopts) < 0 ||
        spoor_store_keys(store, load_archived_key, k->dkim) < 0) {
        cli_checker_free(k);
        return SPOOR_ERROR;
    }
    k->c.opts.dkim = k->dkim;
    *out = k;
    return 0;
}

void cli_checker_limit(cli_checker *k, unsigned seconds)
{
    k->seconds = seconds;
    if (seconds && seconds < k->wopts.limits.max_item_seconds)
        k->wopts.limits.max_item_seconds = seconds;
}

int cli_checker_timed_out(const cli_checker *k)
{
    return k->c.timed_out;
}

/* Start the time of one request's check. */
static void checker_start(cli_checker *k)
{
    k->c.timed_out = 0;
    k->c.deadline = k->seconds ? cli_now_ms() + 1000.0 * k->seconds : 0;
}

/* Check one input, named name: walk it and write what its containers
 * summarise. @return 0 or the error that stopped it. */
static int checker_input(cli_checker *k, const char *name, const char *data,
                         size_t len)
{
    int error;
    k->c.arg = name;
    error =
        spoor_walk_buffer(name, data, len, &k->wopts, on_item, on_skip, &k->c);
    if (error >= 0)
        error = close_frames(&k->c, 1);
    else
        (void)close_frames(&k->c, 0);
    return error;
}

int cli_checker_json(cli_checker *k, const char *name, const char *data,
                     size_t len, spoor_buf *out)
{
    int error;
    checker_start(k);
    k->c.sink = out;
    error = checker_input(k, name, data, len);
    k->c.sink = NULL;
    return error < 0 ? error : 0;
}

int cli_checker_html(cli_checker *k, const cli_input *in, size_t n,
                     const spoor_html_opts *hopts, spoor_buf *page,
                     spoor_buf *skipped)
{
    spoor_buf lines = SPOOR_BUF_INIT; /* the JSON lines: not shown */
    spoor_html_opts o = *hopts;
    size_t i;
    int error;
    o.check = &k->c.opts;
    checker_start(k);
    error = spoor_html_new(&k->c.html, k->c.store, &o);
    k->c.sink = &lines;
    k->c.skipped = skipped;
    for (i = 0; i < n && error >= 0; i++)
        error = checker_input(k, in[i].name, in[i].data, in[i].len);
    if (error >= 0)
        error = spoor_html_finish(page, k->c.html);
    spoor_html_free(k->c.html);
    k->c.html = NULL;
    k->c.sink = NULL;
    k->c.skipped = NULL;
    spoor_buf_dispose(&lines);
    return error < 0 ? error : 0;
}

void cli_checker_free(cli_checker *k)
{
    if (!k)
        return;
    close_frames(&k->c, 0);
    free(k->c.frames);
    spoor_buf_dispose(&k->c.out);
    spoor_dkim_free(k->dkim);
    free(k);
}
