/*
 * cmd_show.c: spoor show ITEM [--text] [--json]
 *
 * ITEM is an item of the index (id, sha256 prefix, collection:path, or a
 * path stored once), a file, or a member of a file (FILE!member, as check
 * names nested items). For a file, spoor extracts it the way add and check
 * do, and says whether the index holds the same content. --text prints the
 * extracted text exactly: report offsets index into it. A container's
 * members are listed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

enum { O_TEXT = 256, O_JSON };

static const cli_opt show_opts[] = {
    {"text", 0, O_TEXT, NULL, "print the text only"},
    {"json", 0, O_JSON, NULL, "print the metadata as one JSON object"},
    CLI_OPT_END};

static void print_help(const cli_opt *const *tables)
{
    printf("usage: spoor show [--text|--json] ITEM\n\n"
           "Show an item's metadata, dates, the collections and paths it "
           "appears in,\nor with --text its extracted text, exactly (byte "
           "offsets in reports index\ninto it). ITEM is an item id, a sha256 "
           "(or a prefix of 8+ hex digits),\ncollection:path, a path stored "
           "once, or a file or a member of one\n(FILE!member, as check names "
           "nested items), extracted on the fly. A\ncontainer's members are "
           "listed.\n\n"
           "");
    cli_options_help(tables);
}

/* The members of what is shown, listed after it: from the index
 * (spoor_store_members) or from walking the file. */
typedef struct member_list {
    spoor_buf json, text;
    size_t n;
} member_list;

static void list_member(member_list *ml, int64_t item, const char *path,
                        const char *format, unsigned long long bytes,
                        unsigned long long text_bytes)
{
    spoor_buf_printf(&ml->json,
                     "%s{\"item\": %lld, \"path\": ", ml->n ? ", " : "",
                     (long long)item);
    spoor_json_string(&ml->json, path, strlen(path));
    spoor_buf_puts(&ml->json, ", \"format\": ");
    spoor_json_string(&ml->json, format, strlen(format));
    spoor_buf_printf(&ml->json, ", \"bytes\": %llu, \"text_bytes\": %llu}",
                     bytes, text_bytes);
    if (item >= 0)
        spoor_buf_printf(&ml->text, "  #%-6lld %s (%s, %llu bytes)\n",
                         (long long)item, path, format, bytes);
    else
        spoor_buf_printf(&ml->text, "  %s (%s, %llu bytes)\n", path, format,
                         bytes);
    ml->n++;
}

static int member_of_index(const spoor_member_info *m, void *payload)
{
    list_member(payload, m->item, m->path, m->format,
                (unsigned long long)m->bytes,
                (unsigned long long)m->text_bytes);
    return 0;
}

/* Walking a file for ITEM (FILE or FILE!member): the item itself, copied,
 * and its members listed. */
typedef struct file_walk {
    const char *ref;
    spoor_item found; /* a copy; found.display != NULL once found */
    member_list *ml;
    size_t ref_len;
} file_walk;

static int on_file_item(const spoor_item *item, void *payload)
{
    file_walk *fw = payload;
    if (!fw->found.display && !strcmp(item->display, fw->ref))
        return spoor_item_copy(&fw->found, item);
    if (fw->found.display && !strncmp(item->display, fw->ref, fw->ref_len) &&
        item->display[fw->ref_len] == '!')
        list_member(fw->ml, -1, item->display, item->doc.format,
                    (unsigned long long)item->bytes,
                    (unsigned long long)item->doc.text.size);
    return 0;
}

static int on_file_skip(const char *display, int code, const char *reason,
                        void *payload)
{
    (void)code;
    (void)payload;
    cli_error(display, "skipped: %s", reason);
    return 0;
}

/* The regular file that ITEM names or that FILE!member is inside, or NULL
 * (an owned copy of its path). */
static char *outer_file(const char *ref)
{
    struct stat st;
    char *p = strdup(ref), *bang;
    if (!p)
        return NULL;
    for (;;) {
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            return p;
        if (!(bang = strrchr(p, '!'))) {
            free(p);
            return NULL;
        }
        *bang = '\0';
    }
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

/* show --json's line of ref (its record r, or, not indexed, the file
 * item file) and its members ml, appended to o. */
static void show_json(spoor_buf *out, const char *ref, const spoor_record *r,
                      const spoor_item *file, const member_list *ml)
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
    spoor_buf_puts(&o, "], \"members\": [");
    if (ml->json.size)
        spoor_buf_put(&o, ml->json.ptr, ml->json.size);
    spoor_buf_puts(&o, "]}\n");
    spoor_buf_put(out, o.ptr, o.size);
    spoor_buf_dispose(&o);
}

int cli_item_json(spoor_store *store, const char *ref, spoor_buf *out)
{
    member_list ml = {SPOOR_BUF_INIT, SPOOR_BUF_INIT, 0};
    spoor_record *rec = NULL;
    spoor_item none;
    int64_t content;
    int error;

    memset(&none, 0, sizeof(none));
    if ((error = spoor_store_resolve(&content, store, ref)) == 0 &&
        (error = spoor_store_record(&rec, store, content)) == 0 && rec->n_occ)
        error = spoor_store_members(store, rec->occ[0].collection,
                                    rec->occ[0].path, member_of_index, &ml);
    if (error == 0)
        show_json(out, ref, rec, &none, &ml);
    spoor_record_free(rec);
    spoor_buf_dispose(&ml.json);
    spoor_buf_dispose(&ml.text);
    return error;
}

static void show_text(const char *ref, const spoor_record *r,
                      const spoor_item *file, const member_list *ml)
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
    } else {
        printf("appears in\n");
        for (i = 0; i < r->n_occ; i++)
            printf("  #%-6lld %s (%s%s%s)  %s\n", (long long)r->occ[i].item_id,
                   r->occ[i].collection, r->occ[i].kind,
                   r->occ[i].date ? ", " : "",
                   r->occ[i].date ? r->occ[i].date : "", r->occ[i].path);
    }
    if (ml->n) {
        printf("members   %zu\n", ml->n);
        fwrite(ml->text.ptr, 1, ml->text.size, stdout);
    }
}

int cmd_show(int argc, char **argv, const cli_global *g)
{
    const cli_opt *const tables[] = {show_opts, NULL};
    cli_parser p;
    spoor_store *store = NULL;
    spoor_record *rec = NULL;
    spoor_buf text = SPOOR_BUF_INIT;
    member_list ml = {SPOOR_BUF_INIT, SPOOR_BUF_INIT, 0};
    file_walk fw;
    char *outer = NULL;
    int opt, want_text = 0, json = 0, rc = CLI_OK, is_file;
    int64_t content = -1;
    const char *ref;

    memset(&fw, 0, sizeof(fw));
    cli_parser_init(&p, tables);
    optind = 1;
    while ((opt = cli_parser_next(&p, argc, argv)) != -1) {
        switch (opt) {
        case O_TEXT:
            want_text = 1;
            break;
        case O_JSON:
            json = 1;
            break;
        case 'h':
            print_help(tables);
            return CLI_OK;
        default:
            return cli_bad_option("show", argv);
        }
    }
    if (argc - optind != 1)
        return cli_error_usage("show", "needs exactly one ITEM");
    ref = argv[optind];
    outer = outer_file(ref);
    is_file = outer != NULL;

    if (spoor_store_open(&store, g->index, SPOOR_STORE_READONLY) < 0) {
        if (!is_file) {
            rc = cli_error_lib(ref);
            goto done;
        }
        store = NULL;
    }
    if (is_file) {
        spoor_walk_opts wopts;
        spoor_walk_opts_init(&wopts);
        fw.ref = ref;
        fw.ref_len = strlen(ref);
        fw.ml = &ml;
        if (spoor_walk(outer, &wopts, on_file_item, on_file_skip, &fw) < 0) {
            rc = cli_error_lib(ref);
            goto done;
        }
        if (!fw.found.display) {
            rc = cli_error(ref, "no such item in %s", outer);
            goto done;
        }
        if (store && spoor_store_resolve(&content, store, fw.found.sha256) < 0)
            content = -1;
    } else if (spoor_store_resolve(&content, store, ref) < 0) {
        rc = cli_error_lib(ref);
        goto done;
    }
    if (content >= 0 && spoor_store_record(&rec, store, content) < 0) {
        rc = cli_error_lib(ref);
        goto done;
    }
    if (!is_file && rec->n_occ &&
        spoor_store_members(store, rec->occ[0].collection, rec->occ[0].path,
                            member_of_index, &ml) < 0) {
        rc = cli_error_lib(ref);
        goto done;
    }
    if (want_text) {
        if (is_file) {
            rc = cli_write(&fw.found.doc.text);
        } else if (spoor_store_text(&text, store, content) < 0) {
            rc = cli_error_lib(ref);
        } else {
            rc = cli_write(&text);
        }
    } else if (json) {
        spoor_buf o = SPOOR_BUF_INIT;
        show_json(&o, ref, rec, &fw.found, &ml);
        rc = cli_write(&o);
        spoor_buf_dispose(&o);
    } else {
        show_text(ref, rec, &fw.found, &ml);
    }
done:
    spoor_record_free(rec);
    spoor_item_copy_dispose(&fw.found);
    spoor_buf_dispose(&text);
    spoor_buf_dispose(&ml.json);
    spoor_buf_dispose(&ml.text);
    spoor_store_free(store);
    free(outer);
    return rc;
}
