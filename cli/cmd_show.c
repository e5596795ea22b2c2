/*
 * cmd_show.c: spoor show ITEM [--text] [--json]
 *
 * ITEM is an item of the index (id, sha256 prefix, collection:path, or a
 * path stored once) or a file. For a file, spoor extracts it the way add
 * and check do, and says whether the index holds the same content. --text
 * prints the extracted text exactly: report offsets index into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

static void print_help(void)
{
    printf("usage: spoor show [--text|--json] ITEM\n\n"
           "Show an item's metadata, dates, the collections and paths it "
           "appears in,\nor with --text its extracted text, exactly (byte "
           "offsets in reports index\ninto it). ITEM is an item id, a sha256 "
           "(or a prefix of 8+ hex digits),\ncollection:path, a path stored "
           "once, or a file (extracted on the fly).\n\n"
           "options:\n"
           "      --text   print the text only\n"
           "      --json   print the metadata as one JSON object\n"
           "  -h, --help   this help\n");
}

static void json_kv(spoor_buf *o, const char *k, const char *v, int comma)
{
    if (comma)
        spoor_buf_puts(o, ", ");
    spoor_json_string(o, k, strlen(k));
    spoor_buf_puts(o, ": ");
    if (v)
        spoor_json_string(o, v, strlen(v));
    else
        spoor_buf_puts(o, "null");
}

static void show_json(const char *ref, const spoor_record *r,
                      const spoor_item *file)
{
    spoor_buf o = SPOOR_BUF_INIT;
    const spoor_date *dates = r ? r->dates : file->doc.dates;
    size_t n_dates = r ? r->n_dates : file->doc.n_dates, i;
    const spoor_meta *meta = r ? r->meta : file->doc.meta;
    size_t n_meta = r ? r->n_meta : file->doc.n_meta;

    spoor_buf_puts(&o, "{");
    json_kv(&o, "item", ref, 0);
    json_kv(&o, "sha256", r ? r->sha256 : file->sha256, 1);
    json_kv(&o, "format", r ? r->format : file->doc.format, 1);
    json_kv(&o, "encoding", r ? r->encoding : file->doc.encoding, 1);
    json_kv(&o, "warning", r ? r->warning : file->doc.warning, 1);
    spoor_buf_printf(
        &o,
        ", \"bytes\": %llu, \"text_bytes\": %llu, "
        "\"indexed\": %s",
        (unsigned long long)(r ? r->bytes : file->bytes),
        (unsigned long long)(r ? r->text_bytes : file->doc.text.size),
        r ? "true" : "false");
    spoor_buf_puts(&o, ", \"dates\": [");
    for (i = 0; i < n_dates; i++) {
        spoor_buf_puts(&o, i ? ", {" : "{");
        json_kv(&o, "field", dates[i].field, 0);
        json_kv(&o, "value", dates[i].value, 1);
        json_kv(&o, "source", dates[i].source, 1);
        spoor_buf_puts(&o, "}");
    }
    spoor_buf_puts(&o, "], \"metadata\": {");
    for (i = 0; i < n_meta; i++)
        json_kv(&o, meta[i].key, meta[i].value, i > 0);
    spoor_buf_puts(&o, "}, \"appears_in\": [");
    for (i = 0; r && i < r->n_occ; i++) {
        spoor_buf_printf(&o, "%s{\"item\": %lld", i ? ", " : "",
                         (long long)r->occ[i].item_id);
        json_kv(&o, "collection", r->occ[i].collection, 1);
        json_kv(&o, "kind", r->occ[i].kind, 1);
        json_kv(&o, "date", r->occ[i].date, 1);
        json_kv(&o, "path", r->occ[i].path, 1);
        spoor_buf_puts(&o, "}");
    }
    spoor_buf_puts(&o, "]}\n");
    cli_write(&o);
    spoor_buf_dispose(&o);
}

static void show_text(const char *ref, const spoor_record *r,
                      const spoor_item *file)
{
    const spoor_date *dates = r ? r->dates : file->doc.dates;
    size_t n_dates = r ? r->n_dates : file->doc.n_dates, i;
    const spoor_meta *meta = r ? r->meta : file->doc.meta;
    size_t n_meta = r ? r->n_meta : file->doc.n_meta;
    const char *enc = r ? r->encoding : file->doc.encoding;
    const char *warn = r ? r->warning : file->doc.warning;

    printf("item      %s\n", ref);
    printf("sha256    %s\n", r ? r->sha256 : file->sha256);
    printf("format    %s%s%s%s, %llu bytes, %llu bytes of text\n",
           r ? r->format : file->doc.format, enc ? " (" : "", enc ? enc : "",
           enc ? ")" : "", (unsigned long long)(r ? r->bytes : file->bytes),
           (unsigned long long)(r ? r->text_bytes : file->doc.text.size));
    if (warn)
        printf("note      %s\n", warn);
    for (i = 0; i < n_dates; i++)
        printf("%s %s %s (%s)\n", i ? "         " : "dates    ", dates[i].field,
               dates[i].value, dates[i].source);
    for (i = 0; i < n_meta; i++)
        printf("%s %s: %s\n", i ? "         " : "metadata ", meta[i].key,
               meta[i].value);
    if (!r) {
        printf("index     not in the index\n");
        return;
    }
    printf("appears in\n");
    for (i = 0; i < r->n_occ; i++)
        printf("  #%-6lld %s (%s%s%s)  %s\n", (long long)r->occ[i].item_id,
               r->occ[i].collection, r->occ[i].kind, r->occ[i].date ? ", " : "",
               r->occ[i].date ? r->occ[i].date : "", r->occ[i].path);
}

int cmd_show(int argc, char **argv, const cli_global *g)
{
    enum { O_TEXT = 256, O_JSON };
    static const struct option longopts[] = {
        {"text", no_argument, NULL, O_TEXT},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    spoor_store *store = NULL;
    spoor_record *rec = NULL;
    spoor_item file;
    spoor_buf text = SPOOR_BUF_INIT;
    char *data = NULL;
    size_t len = 0;
    int opt, want_text = 0, json = 0, rc = CLI_OK, is_file;
    int64_t content = -1;
    struct stat st;
    const char *ref;

    memset(&file, 0, sizeof(file));
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case O_TEXT:
            want_text = 1;
            break;
        case O_JSON:
            json = 1;
            break;
        case 'h':
            print_help();
            return CLI_OK;
        default:
            return cli_error_usage("show", "bad option");
        }
    }
    if (argc - optind != 1)
        return cli_error_usage("show", "needs exactly one ITEM");
    ref = argv[optind];
    is_file = stat(ref, &st) == 0 && S_ISREG(st.st_mode);

    if (spoor_store_open(&store, g->index, SPOOR_STORE_READONLY) < 0) {
        if (!is_file)
            return cli_error_lib(ref);
        store = NULL;
    }
    if (is_file) {
        if ((rc = cli_read_file(ref, &data, &len)) != CLI_OK)
            goto done;
        if (spoor_item_analyse(&file, data, len, NULL) < 0) {
            rc = cli_error_lib(ref);
            goto done;
        }
        if (store && spoor_store_resolve(store, file.sha256, &content) < 0)
            content = -1;
    } else if (spoor_store_resolve(store, ref, &content) < 0) {
        rc = cli_error_lib(ref);
        goto done;
    }
    if (content >= 0 && spoor_store_record(store, content, &rec) < 0) {
        rc = cli_error_lib(ref);
        goto done;
    }
    if (want_text) {
        if (is_file) {
            rc = cli_write(&file.doc.text);
        } else if (spoor_store_text(store, content, &text) < 0) {
            rc = cli_error_lib(ref);
        } else {
            rc = cli_write(&text);
        }
    } else if (json) {
        show_json(ref, rec, &file);
    } else {
        show_text(ref, rec, &file);
    }
done:
    spoor_record_free(rec);
    spoor_item_dispose(&file);
    spoor_buf_dispose(&text);
    spoor_store_free(store);
    free(data);
    return rc;
}
