/*
 * floor.c: the time the parsing libraries alone take on a corpus, a lower
 * bound for any ingest that must read it with them. libxml2 parses HTML
 * with the options spoor uses and empty SAX callbacks (spoor's do more);
 * GMime splits mbox files into messages and builds each one (spoor then
 * also decodes the parts). Files are read into memory before the clock
 * starts; best of RUNS, on one core.
 *
 *   bench_floor html|mail RUNS FILE...   -> prints JSON: files, bytes,
 *                                           items, seconds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

typedef struct {
    char *data;
    size_t len;
} blob;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Read path whole into b. @return 0, or -1 with a message on stderr. */
static int slurp(const char *path, blob *b)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) || !(b->data = malloc((size_t)n + 1)) ||
        fread(b->data, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench_floor: cannot read %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    b->len = (size_t)n;
    return 0;
}

/* Parse one HTML document as ex_html.c does, callbacks empty: 1 item. */
static long parse_html(const blob *b)
{
    htmlSAXHandler sax;
    htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(b->data, (int)b->len);
    if (!ctxt)
        return 0;
    memset(&sax, 0, sizeof(sax));
    memcpy(ctxt->sax, &sax, sizeof(sax));
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                 HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    htmlParseDocument(ctxt);
    htmlFreeParserCtxt(ctxt);
    return 1;
}

/* Split one mbox into messages and build each: the number of messages. */
static long parse_mbox(const blob *b)
{
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(b->data, b->len);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    long n = 0;
    g_mime_parser_set_format(p, GMIME_FORMAT_MBOX);
    while (!g_mime_parser_eos(p)) {
        GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
        if (!m)
            break;
        n++;
        g_object_unref(m);
    }
    g_object_unref(p);
    g_object_unref(s);
    return n;
}

int main(int argc, char **argv)
{
    long (*parse)(const blob *);
    blob *files;
    size_t bytes = 0;
    long items = 0;
    double best = 1e9;
    int runs, r, i, n;

    if (argc < 4 || (strcmp(argv[1], "html") && strcmp(argv[1], "mail"))) {
        fprintf(stderr, "usage: bench_floor html|mail RUNS FILE...\n");
        return 2;
    }
    parse = argv[1][0] == 'h' ? parse_html : parse_mbox;
    runs = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
    n = argc - 3;
    if (!(files = calloc((size_t)n, sizeof(*files))))
        return 2;
    for (i = 0; i < n; i++) {
        if (slurp(argv[3 + i], &files[i]) < 0)
            return 2;
        bytes += files[i].len;
    }
    xmlInitParser();
    g_mime_init();
    for (r = 0; r < runs; r++) {
        double t0 = now(), t;
        items = 0;
        for (i = 0; i < n; i++)
            items += parse(&files[i]);
        if ((t = now() - t0) < best)
            best = t;
    }
    printf("{\"files\": %d, \"bytes\": %zu, \"items\": %ld, "
           "\"seconds\": %.4f}\n",
           n, bytes, items, best);
    for (i = 0; i < n; i++)
        free(files[i].data);
    free(files);
    return 0;
}
