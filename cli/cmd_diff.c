/*
 * cmd_diff.c: spoor diff A B — the shared passages of two items.
 *
 * A and B are files (read read-only and extracted like check does) or items
 * of the index (anything spoor show accepts). Each shared passage is shown
 * side by side with its byte ranges in both texts; --json gives the regions.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

typedef struct side {
    const char *name;
    spoor_item item;
    char *data; /* file bytes or stored text; owned */
    size_t len;
} side;

enum { O_JSON = 256, O_WIDTH, O_MINREG, O_HTML };

static const cli_opt diff_opts[] = {
    {"json", 0, O_JSON, NULL, "the regions as one JSON object"},
    {"html", 0, O_HTML, "FILE",
     "also write the passages side by side as a self-\ncontained HTML page"},
    {"width", 0, O_WIDTH, "N", "total line width (default $COLUMNS or 100)"},
    {"min-region", 0, O_MINREG, "N",
     "shortest passage, canonical characters (default\n32)"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor diff [--json] [--width N] A B\n\n"
           "Show the passages that items A and B share, side by side. A "
           "and B are\nfiles, or items of the index: an item id, a sha256 "
           "prefix, collection:path\nor a path stored once.\n\n"
           "");
    cli_options_help(tables);
}

static int load_side(side *s, const cli_global *g, spoor_store **store)
{
    struct stat st;
    int64_t content;
    spoor_buf text = SPOOR_BUF_INIT;
    spoor_record *rec = NULL;
    size_t header;
    int rc;

    memset(&s->item, 0, sizeof(s->item));
    if (stat(s->name, &st) == 0) {
        if ((rc = cli_read_file(s->name, &s->data, &s->len)) != CLI_OK)
            return rc;
        if (spoor_item_analyse(&s->item, s->data, s->len, NULL) < 0)
            return cli_error_lib(s->name);
        return CLI_OK;
    }
    if (!*store && spoor_store_open(store, g->index, SPOOR_STORE_READONLY) < 0)
        return cli_error(s->name, "no such file, and %s",
                         spoor_error_last()->message);
    if (spoor_store_resolve(&content, *store, s->name) < 0)
        return cli_error_lib(s->name);
    if (spoor_store_record(&rec, *store, content) < 0)
        return cli_error_lib(s->name);
    header = (size_t)rec->header_bytes;
    spoor_record_free(rec);
    if (spoor_store_text(&text, *store, content) < 0)
        return cli_error_lib(s->name);
    s->data = text.ptr ? text.ptr : strdup("");
    s->len = text.size;
    /* an email's header block stays in the text, out of the comparison */
    if (spoor_item_from_stored(&s->item, s->data, s->len, header) < 0)
        return cli_error_lib(s->name);
    return CLI_OK;
}

/* Next wrapped line of at most width characters from text[*pos, end). */
static void next_line(const char *t, size_t *pos, size_t end, size_t width,
                      spoor_buf *line, size_t *cols)
{
    size_t i = *pos, last_space_out = 0, last_space_in = 0;
    spoor_buf_clear(line);
    *cols = 0;
    while (i < end &&
           (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
        i++;
    while (i < end && *cols < width) {
        unsigned char c = (unsigned char)t[i];
        size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (i + n > end)
            n = end - i;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            while (i < end && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' ||
                               t[i] == '\t'))
                i++;
            last_space_out = line->size;
            last_space_in = i;
            spoor_buf_put(line, " ", 1);
            (*cols)++;
            continue;
        }
        if (c < 0x20) {
            i++;
            continue;
        }
        spoor_buf_put(line, t + i, n);
        (*cols)++;
        i += n;
    }
    if (i < end && last_space_in && *cols >= width && last_space_out > 0) {
        /* break at the last space instead of inside a word */
        size_t removed = 0, j;
        for (j = last_space_out; j < line->size; j++)
            if (((unsigned char)line->ptr[j] & 0xC0) != 0x80)
                removed++;
        line->size = last_space_out;
        line->ptr[line->size] = '\0';
        *cols -= removed;
        i = last_space_in;
    }
    *pos = i;
}

static void print_side_by_side(const side *a, const side *b,
                               const spoor_region *r, size_t width)
{
    size_t col = (width - 7) / 2, pa = r->q_start, pb = r->s_start, ca, cb;
    spoor_buf la = SPOOR_BUF_INIT, lb = SPOOR_BUF_INIT;
    while (pa < r->q_end || pb < r->s_end) {
        next_line(a->item.doc.text.ptr, &pa, r->q_end, col, &la, &ca);
        next_line(b->item.doc.text.ptr, &pb, r->s_end, col, &lb, &cb);
        if (!la.size && !lb.size)
            break;
        printf("  %s%*s | %s\n", la.ptr ? la.ptr : "", (int)(col - ca), "",
               lb.ptr ? lb.ptr : "");
    }
    spoor_buf_dispose(&la);
    spoor_buf_dispose(&lb);
}

/* The share of item it's compared text (an email's header block aside)
 * that regions r cover on its side (b_side: the B side). */
static double cov(const spoor_region *r, size_t n, const spoor_item *it,
                  int b_side)
{
    size_t *s = calloc(n + 1, sizeof(size_t)),
           *e = calloc(n + 1, sizeof(size_t));
    size_t base = it->fp_bytes ? 0 : it->header_chars;
    size_t total = it->fp_bytes ? (size_t)it->bytes : it->canon.len - base;
    size_t i;
    double v;
    for (i = 0; i < n && s && e; i++) {
        s[i] = (b_side ? r[i].sc_start : r[i].qc_start) - base;
        e[i] = (b_side ? r[i].sc_end : r[i].qc_end) - base;
    }
    v = (s && e) ? spoor_coverage(s, e, n, total) : 0;
    free(s);
    free(e);
    return v;
}

int cmd_diff(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {diff_opts, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    side a, b;
    spoor_region *regs = NULL;
    size_t n = 0, i, width = 100, min_region = 32;
    spoor_buf out = SPOOR_BUF_INIT;
    int opt, json = 0, rc;
    const char *html_path = NULL;
    const char *cols = getenv("COLUMNS");

    if (cols && atoi(cols) >= 40)
        width = (size_t)atoi(cols);
    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        switch (opt) {
        case O_JSON:
            json = 1;
            break;
        case O_HTML:
            html_path = optarg;
            break;
        case O_WIDTH:
            if (cli_parse_size(optarg, &width) || width < 40)
                return cli_error_usage("diff", "--width needs N >= 40");
            break;
        case O_MINREG:
            if (cli_parse_size(optarg, &min_region) || min_region < 32)
                return cli_error_usage("diff", "--min-region needs N >= 32");
            break;
        case 'h':
            print_help(tables);
            return CLI_OK;
        default:
            return cli_bad_option("diff", argv);
        }
    }
    if (argc - optind != 2)
        return cli_error_usage("diff", "needs exactly two items, A and B");
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.name = argv[optind];
    b.name = argv[optind + 1];
    if ((rc = load_side(&a, g, &store)) != CLI_OK ||
        (rc = load_side(&b, g, &store)) != CLI_OK)
        goto done;
    if (spoor_compare(&regs, &n, &a.item, &b.item, min_region) < 0) {
        rc = cli_error_lib(b.name);
        goto done;
    }
    if (html_path) {
        char *cmdline = cli_command_line(argc, argv);
        rc = cli_write_report(html_path, &out,
                              spoor_html_diff(&out, a.name, &a.item, b.name,
                                              &b.item, regs, n, cmdline));
        free(cmdline);
        spoor_buf_clear(&out);
        if (rc != CLI_OK)
            goto done;
    }
    if (json) {
        spoor_buf_puts(&out, "{\"a\": ");
        spoor_json_string(&out, a.name, strlen(a.name));
        spoor_buf_puts(&out, ", \"b\": ");
        spoor_json_string(&out, b.name, strlen(b.name));
        spoor_buf_puts(&out, ", \"coverage_a\": ");
        spoor_json_fraction(&out, cov(regs, n, &a.item, 0));
        spoor_buf_puts(&out, ", \"coverage_b\": ");
        spoor_json_fraction(&out, cov(regs, n, &b.item, 1));
        spoor_buf_puts(&out, ", \"regions\": [");
        for (i = 0; i < n; i++)
            spoor_buf_printf(&out, "%s{\"a\": [%zu, %zu], \"b\": [%zu, %zu]}",
                             i ? ", " : "", regs[i].q_start, regs[i].q_end,
                             regs[i].s_start, regs[i].s_end);
        spoor_buf_puts(&out, "]}\n");
        rc = cli_write(&out);
        goto done;
    }
    printf("A: %s (%s, %zu bytes of text)\nB: %s (%s, %zu bytes of text)\n",
           a.name, a.item.doc.format, a.item.doc.text.size, b.name,
           b.item.doc.format, b.item.doc.text.size);
    printf("%zu shared passage%s: ", n, n == 1 ? "" : "s");
    printf("%.1f%% of A, %.1f%% of B\n", 100 * cov(regs, n, &a.item, 0),
           100 * cov(regs, n, &b.item, 1));
    for (i = 0; i < n; i++) {
        printf("\npassage %zu: A [%zu, %zu)  B [%zu, %zu)  %zu canonical "
               "characters\n",
               i + 1, regs[i].q_start, regs[i].q_end, regs[i].s_start,
               regs[i].s_end, regs[i].qc_end - regs[i].qc_start);
        if (!a.item.fp_bytes)
            print_side_by_side(&a, &b, &regs[i], width);
    }
    rc = CLI_OK;
done:
    spoor_buf_dispose(&out);
    spoor_regions_free(regs);
    spoor_item_dispose(&a.item);
    spoor_item_dispose(&b.item);
    free(a.data);
    free(b.data);
    spoor_store_free(store);
    return rc;
}
