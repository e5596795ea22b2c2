/*
 * walk.c: files and folders -> analysed items, depth first, in name order.
 *
 * Evidence rules: inputs are opened O_RDONLY (plus O_NOATIME where the
 * kernel allows it, so reading does not even touch access times), files met
 * inside a folder with O_NOFOLLOW (symbolic links are reported, not
 * followed), and only regular files are read: small ones into a reused
 * per-thread buffer, large ones memory-mapped read-only (unmapping costs a
 * TLB shootdown across cores, far more than reading a small file). Children of
 * an item are walked after the item itself, at most max_depth levels deep.
 * Every skip goes to the skip callback.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <nettle/sha2.h>

#include <spoor/item.h>

#include "../common/internal.h"
#include "../extract/extract_int.h"
#include "walk_int.h"
#include "../normalise/normalise_int.h"
#include "../fingerprint/fingerprint_int.h"

static int skip(walker *wk, const char *display, int code, const char *reason)
{
    if (!wk->skip_cb)
        return 0;
    return wk->skip_cb(display, code, reason, wk->payload) < 0 ? SPOOR_EUSER
                                                               : 0;
}

void spoor_item_dispose(spoor_item *item)
{
    if (!item)
        return;
    spoor_doc_dispose(&item->doc);
    spoor_canon_dispose(&item->canon);
    spoor_fps_dispose(&item->fps);
    if (item->spilled)
        item->spilled->free(item->spilled);
    item->spilled = NULL;
    spoor_text_marks__dispose(item->marks);
    spoor__free(item->marks);
    item->marks = NULL;
}

/* A pass over the input hands back its pages (spoor__input_done). */
static void pages_done(const unsigned char *upto, void *ctx)
{
    (void)ctx;
    spoor__input_done(upto);
}

/* SHA-256 with Nettle (SHA extensions where the CPU has them; several
 * times GLib's speed, and a small library to load, unlike libcrypto), a
 * window at a time, handing back the pages of a mapped input read. */
static void sha256_hex(const void *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = data;
    unsigned char md[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    size_t i, at, n;
    sha256_init(&ctx);
    for (at = 0; at < len; at += n) {
        n = len - at < SPOOR_PASS_WINDOW ? len - at : SPOOR_PASS_WINDOW;
        sha256_update(&ctx, n, p + at);
        pages_done(p + at + n, NULL);
    }
    sha256_digest(&ctx, sizeof(md), md);
    for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

void spoor_walk_opts_init(spoor_walk_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->version = SPOOR_WALK_OPTS_VERSION;
    spoor_limits_default(&opts->limits);
    opts->jobs = 1;
}

/* Canonical text and fingerprint buffers of the thread's last item, kept
 * for its next one: reusing warm memory instead of fresh pages (a page
 * fault is expensive, most of all in a virtual machine). Buffers above
 * SCRATCH_KEEP bytes are freed instead. */
#define SCRATCH_KEEP ((size_t)32 << 20)

static _Thread_local struct {
    spoor_canon canon;
    spoor_fps fps;
} scratch;

/* Give item the thread's buffers, empty: an item without text must not
 * show the previous item's canonical length or fingerprints. */
static void scratch_lend(spoor_item *item)
{
    item->canon = scratch.canon;
    item->fps = scratch.fps;
    item->canon.len = 0;
    item->fps.n = 0;
    memset(&scratch, 0, sizeof(scratch));
}

/* Keep item's canonical text buffers for the thread's next item (if small
 * enough), leaving item without them. */
static void scratch_return_canon(spoor_item *item)
{
    if (!scratch.canon.cap && item->canon.cap * 12 <= SCRATCH_KEEP) {
        scratch.canon = item->canon;
        memset(&item->canon, 0, sizeof(item->canon));
    }
}

/* Whether the thread keeps fingerprint buffer f for its next item. */
static int scratch_keeps_fps(const spoor_fps *f)
{
    return f->cap * sizeof(spoor_fp) <= SCRATCH_KEEP;
}

/* Keep item's canonical text and fingerprint buffers for the thread's next
 * item (those small enough), leaving item without them. */
static void scratch_return(spoor_item *item)
{
    scratch_return_canon(item);
    if (!scratch.fps.cap && scratch_keeps_fps(&item->fps)) {
        scratch.fps = item->fps;
        memset(&item->fps, 0, sizeof(item->fps));
    }
}

/* Copy into dst (zeroed here) what describes src: its names, sha256,
 * sizes, flags, header block, warning, dates and metadata; not its text,
 * canonical text or fingerprints. On failure dst holds what was copied. */
static int copy_description(spoor_item *dst, const spoor_item *src)
{
    const spoor_doc *d = &src->doc;
    size_t i;
    int error = 0;

    memset(dst, 0, sizeof(*dst));
    memcpy(dst->sha256, src->sha256, sizeof(dst->sha256));
    dst->bytes = src->bytes;
    dst->depth = src->depth;
    dst->fp_bytes = src->fp_bytes;
    dst->header_chars = src->header_chars;
    dst->doc.format = d->format;
    dst->doc.encoding = d->encoding;
    dst->doc.has_text = d->has_text;
    dst->doc.textless = d->textless;
    dst->doc.header_bytes = d->header_bytes;
    if (!(dst->path = spoor__strdup(src->path ? src->path : "")) ||
        !(dst->display = spoor__strdup(src->display ? src->display : "")) ||
        (d->warning && !(dst->doc.warning = spoor__strdup(d->warning))))
        SPOOR_TRY(spoor__error_oom());
    for (i = 0; i < d->n_dates; i++)
        SPOOR_TRY(spoor_doc__add_date(&dst->doc, d->dates[i].field,
                                      d->dates[i].value, d->dates[i].source));
    for (i = 0; i < d->n_meta; i++)
        SPOOR_TRY(
            spoor_doc__add_meta(&dst->doc, d->meta[i].key, d->meta[i].value));
done:
    return error;
}

int spoor_item__take(spoor_item *dst, spoor_item *src)
{
    int error = 0;

    SPOOR_TRY(copy_description(dst, src));
    dst->canon.len = src->canon.len;
    /* fingerprints the thread keeps for its next item are copied (warm
     * memory for the next one), larger ones moved */
    if (src->fps.n && scratch_keeps_fps(&src->fps)) {
        dst->fps.v = spoor__reallocarray(NULL, src->fps.n, sizeof(spoor_fp));
        SPOOR_ALLOC_CHECK(dst->fps.v);
        memcpy(dst->fps.v, src->fps.v, src->fps.n * sizeof(spoor_fp));
        dst->fps.n = dst->fps.cap = src->fps.n;
    } else if (src->fps.n) {
        dst->fps = src->fps;
        memset(&src->fps, 0, sizeof(src->fps));
    }
    /* the text and spilled fingerprints last, once nothing can fail: src
     * keeps them on failure */
    dst->doc.text = src->doc.text;
    memset(&src->doc.text, 0, sizeof(src->doc.text));
    dst->spilled = src->spilled;
    src->spilled = NULL;
    dst->marks = src->marks;
    src->marks = NULL;
done:
    if (error < 0)
        spoor_item__dispose_copy(dst);
    return error;
}

/* Copy n entries of src into a new *dst (nothing when src is NULL). */
static int copy_u32(uint32_t **dst, const uint32_t *src, size_t n)
{
    *dst = NULL;
    if (!src || !n)
        return 0;
    if (!(*dst = spoor__reallocarray(NULL, n, sizeof(uint32_t))))
        return spoor__error_oom();
    memcpy(*dst, src, n * sizeof(uint32_t));
    return 0;
}

int spoor_item_copy(spoor_item *dst, const spoor_item *src)
{
    const spoor_doc *d = &src->doc;
    int error = 0;

    SPOOR_TRY(copy_description(dst, src));
    if (d->text.size)
        SPOOR_TRY(spoor_buf_put(&dst->doc.text, d->text.ptr, d->text.size));
    SPOOR_TRY(copy_u32(&dst->canon.chars, src->canon.chars, src->canon.len));
    SPOOR_TRY(copy_u32(&dst->canon.start, src->canon.start, src->canon.len));
    SPOOR_TRY(copy_u32(&dst->canon.end, src->canon.end, src->canon.len));
    dst->canon.len = dst->canon.cap = src->canon.len;
    if (src->marks) {
        dst->marks = spoor__calloc(1, sizeof(*dst->marks));
        SPOOR_ALLOC_CHECK(dst->marks);
        if (src->marks->n) {
            dst->marks->v = spoor__reallocarray(NULL, src->marks->n,
                                                sizeof(*src->marks->v));
            SPOOR_ALLOC_CHECK(dst->marks->v);
            memcpy(dst->marks->v, src->marks->v,
                   src->marks->n * sizeof(*src->marks->v));
            dst->marks->n = dst->marks->cap = src->marks->n;
        }
    }
    if (!dst->canon.start != !dst->canon.end) { /* both or neither */
        spoor__free(dst->canon.start);
        spoor__free(dst->canon.end);
        dst->canon.start = dst->canon.end = NULL;
    }
done:
    if (error < 0)
        spoor_item__dispose_copy(dst);
    return error;
}

void spoor_item_copy_dispose(spoor_item *item)
{
    if (item)
        spoor_item__dispose_copy(item);
}

void spoor_item__dispose_copy(spoor_item *item)
{
    spoor__free((char *)item->path);
    spoor__free((char *)item->display);
    spoor_item_dispose(item);
    memset(item, 0, sizeof(*item));
}

/* How much of the canonical text an item keeps. */
typedef enum canon_keep {
    CANON_OFFSETS, /* characters and their offset map */
    CANON_CHARS,   /* characters */
    CANON_LEN      /* the length: pieces at a time (spoor_fingerprint__text) */
} canon_keep;

/* Bytes of text per piece, and of bytes per run of a binary item: the
 * default (0), or SPOOR_PIECE_BYTES, which tests set to compare small
 * pieces with the whole at once. Read once per process, not once per
 * item. */
static size_t piece_bytes(void)
{
    static atomic_size_t cached = SIZE_MAX; /* SIZE_MAX: not read yet */
    size_t piece = atomic_load(&cached);
    if (piece == SIZE_MAX) {
        const char *v = spoor__test_hook("SPOOR_PIECE_BYTES");
        unsigned long long n = v && *v ? strtoull(v, NULL, 10) : 0;
        piece = n > 0 && n < SIZE_MAX ? (size_t)n : 0;
        atomic_store(&cached, piece);
    }
    return piece;
}

/* The header block of doc that is compared as metadata only: its
 * header_bytes when they end a line inside the text, else none. */
static size_t header_bytes_of(const spoor_doc *doc)
{
    size_t hb = doc->header_bytes;
    if (!doc->has_text || hb == 0 || hb > doc->text.size ||
        doc->text.ptr[hb - 1] != '\n')
        return 0;
    return hb;
}

/* Move fingerprints f on by base canonical characters. */
static void shift_fps(spoor_fps *f, size_t base)
{
    size_t i;
    for (i = 0; base && i < f->n; i++)
        f->v[i].pos += (uint32_t)base;
}

/* item->header_chars: the canonical characters of text[0, hb), counted in
 * item->canon's buffer (which the caller then refills). */
static int count_header_chars(spoor_item *item, const char *text, size_t hb)
{
    int error;
    item->header_chars = 0;
    if (!hb)
        return 0;
    if ((error = spoor_normalise__chars(&item->canon, text, hb)) < 0)
        return error;
    item->header_chars = item->canon.len;
    return 0;
}

/* Where an item's fingerprints go as they pile up: opts->spill, their
 * positions first moved on by shift (the header block's characters). */
typedef struct spill_ctx {
    spoor_item *item;
    const spoor_walk_opts *opts;
    size_t shift;
} spill_ctx;

static int spill_flush(spoor_fps *fps, void *ctx)
{
    spill_ctx *c = ctx;
    shift_fps(fps, c->shift);
    return c->opts->spill(c->item, fps);
}

/* The sink for item's fingerprints in *sink: to opts' spill (when it has
 * one), marks into marks (when not NULL), the pages of a spilled text (the
 * thread's input while it is read) handed back piece by piece; NULL when
 * none of these. */
static const spoor_fps_sink *make_sink(spoor_fps_sink *sink, spill_ctx *c,
                                       spoor_item *item,
                                       const spoor_walk_opts *opts,
                                       size_t shift, spoor_text_marks *marks)
{
    int spill = opts && opts->version >= 6 && opts->spill && opts->spill_at;
    int spilled = spoor_buf__spilled(&item->doc.text);
    if (!spill && !marks && !spilled)
        return NULL;
    sink->done = spilled ? pages_done : NULL;
    sink->done_ctx = NULL;
    c->item = item;
    c->opts = opts;
    c->shift = shift;
    sink->at = spill ? opts->spill_at : SIZE_MAX;
    sink->flush = spill ? spill_flush : NULL;
    sink->ctx = c;
    sink->marks = marks;
    return sink;
}

/* Once some of item's fingerprints were spilled, spill the rest too, so
 * that they are all in one place. */
static int spill_rest(spoor_item *item, const spoor_walk_opts *opts)
{
    if (!item->spilled || !item->fps.n)
        return 0;
    return opts->spill(item, &item->fps);
}

/* Fingerprint text after its header block of hb bytes into item,
 * item->canon its length only; the pieces are normalised in item->canon's
 * lent buffer, which then goes back to the thread's scratch. The body is
 * fingerprinted as a text of its own (normalisation never joins the block's
 * last line to the body), so its fingerprints are those of the whole text
 * minus the block's, and equal to the body's alone, moved on. */
static int fingerprint_len_only(spoor_item *item, const char *text, size_t len,
                                size_t hb, const spoor_walk_opts *opts,
                                spoor_text_marks *marks)
{
    spoor_fps_sink sink;
    spill_ctx ctx;
    spoor_input saved;
    size_t nchars = 0, i;
    int error = count_header_chars(item, text, hb);
    spoor_buf__as_input(&saved, &item->doc.text);
    if (error == 0)
        error = spoor_fingerprint__text(
            &item->fps, &nchars, &item->canon, text + hb, len - hb,
            piece_bytes(),
            make_sink(&sink, &ctx, item, opts, item->header_chars, marks));
    spoor__input_restore(&saved);
    scratch_return_canon(item);
    spoor_canon_dispose(&item->canon);
    item->canon.len = error < 0 ? 0 : item->header_chars + nchars;
    if (error == 0)
        shift_fps(&item->fps, item->header_chars);
    if (error == 0)
        error = spill_rest(item, opts);
    if (error == 0 && marks && hb) { /* the body's marks, in the text */
        for (i = 0; i < marks->n; i++) {
            marks->v[i].byte += hb;
            marks->v[i].canon += item->header_chars;
        }
        error = spoor_text_marks__push(marks, 0, 0);
        if (error == 0) { /* {0, 0} first */
            memmove(marks->v + 1, marks->v, (marks->n - 1) * sizeof(*marks->v));
            marks->v[0].byte = marks->v[0].canon = 0;
        }
    }
    return error;
}

/* A text longer than opts->offsets_max: fingerprinted piece by piece,
 * keeping marks (item->marks) instead of its canonical text. */
static int fingerprint_long(spoor_item *item, const char *text, size_t len,
                            size_t hb, const spoor_walk_opts *opts)
{
    if (!(item->marks = spoor__calloc(1, sizeof(*item->marks))))
        return spoor__error_oom();
    return fingerprint_len_only(item, text, len, hb, opts, item->marks);
}

/* Whether a text of len bytes is long for opts (see offsets_max; tests
 * lower a bound that is set with SPOOR_TEST_OFFSETS_MAX). */
static int is_long(const spoor_walk_opts *opts, size_t len)
{
    const char *v = spoor__test_hook("SPOOR_TEST_OFFSETS_MAX");
    size_t max;
    if (!opts || opts->version < 6 || !opts->offsets_max)
        return 0;
    max = v && *v ? (size_t)strtoull(v, NULL, 10) : opts->offsets_max;
    return len > max;
}

/* Normalise text (offsets: with the map) into item->canon and fingerprint
 * what follows its header block of hb bytes. */
static int fingerprint_text(spoor_item *item, const char *text, size_t len,
                            size_t hb, int offsets)
{
    size_t h;
    int error = 0;
    SPOOR_TRY(count_header_chars(item, text, hb));
    h = item->header_chars;
    SPOOR_TRY(offsets ? spoor_normalise(&item->canon, text, len)
                      : spoor_normalise__chars(&item->canon, text, len));
    if (h > item->canon.len) /* cannot happen: the block is a prefix */
        h = item->header_chars = item->canon.len;
    SPOOR_TRY(spoor_winnow_u32(
        &item->fps, item->canon.chars ? item->canon.chars + h : NULL,
        item->canon.len - h, SPOOR_TEXT_K, SPOOR_TEXT_W, SPOOR_SEED_TEXT));
    shift_fps(&item->fps, h);
done:
    return error;
}

/* Formats that hold text: one that yields none is worth a word. */
static int expects_text(const char *format)
{
    static const char *const f[] = {"docx", "xlsx", "pptx", "odt",  "ods",
                                    "odp",  "fodt", "fods", "fodp", "pdf",
                                    "doc",  "xls",  "rtf",  "html", NULL};
    size_t i;
    for (i = 0; f[i]; i++)
        if (!strcmp(format, f[i]))
            return 1;
    return 0;
}

/* Mark a document that yielded no text and no members (a scan, an empty
 * or damaged file) and say so in its warning: nothing is silent. */
static int note_textless(spoor_item *item)
{
    spoor_doc *d = &item->doc;
    char *w;
    if (!d->has_text || d->n_children || d->streams_children ||
        item->canon.len > item->header_chars || !expects_text(d->format))
        return 0;
    d->textless = 1;
    w = spoor__malloc(strlen(d->format) +
                      (d->warning ? strlen(d->warning) : 0) + 96);
    if (!w)
        return spoor__error_oom();
    sprintf(w, "%s%sno text found in this %s: empty, or only images (a scan)",
            d->warning ? d->warning : "", d->warning ? "; " : "", d->format);
    spoor__free(d->warning);
    d->warning = w;
    return 0;
}

/* spoor_item_analyse, reading data as format when not NULL, keeping of the
 * canonical text what keep says; the fingerprints of a long item go to
 * opts' spill where opts (when not NULL) has one. */
static int analyse_as(spoor_item *item, const void *data, size_t len,
                      const spoor_limits *limits, const char *format,
                      canon_keep keep, const spoor_walk_opts *opts)
{
    spoor_fps_sink sink;
    spill_ctx ctx;
    int error = 0;

    item->data = data;
    item->bytes = len;
    sha256_hex(data, len, item->sha256);
    SPOOR_TRY(format ? spoor_extract__as(&item->doc, data, len, format, limits)
                     : spoor_extract(&item->doc, data, len, limits));
    if (item->doc.has_text) /* the text is its own copy now */
        pages_done((const unsigned char *)data + len, NULL);
    item->doc.header_bytes = header_bytes_of(&item->doc);
    if (item->doc.has_text) {
        const char *text = item->doc.text.ptr ? item->doc.text.ptr : "";
        size_t tlen = item->doc.text.size, hb = item->doc.header_bytes;
        item->fp_bytes = 0;
        if (keep == CANON_LEN)
            SPOOR_TRY(fingerprint_len_only(item, text, tlen, hb, opts, NULL));
        else if (keep == CANON_OFFSETS && is_long(opts, tlen))
            SPOOR_TRY(fingerprint_long(item, text, tlen, hb, opts));
        else
            SPOOR_TRY(
                fingerprint_text(item, text, tlen, hb, keep == CANON_OFFSETS));
        SPOOR_TRY(note_textless(item));
    } else {
        SPOOR_TRY(spoor_fingerprint__bytes(
            &item->fps, data, len, piece_bytes(), pages_done, NULL,
            make_sink(&sink, &ctx, item, opts, 0, NULL)));
        SPOOR_TRY(spill_rest(item, opts));
        item->fp_bytes = 1;
    }
done:
    if (error < 0)
        spoor_item_dispose(item);
    return error;
}

int spoor_item_analyse(spoor_item *item, const void *data, size_t len,
                       const spoor_limits *limits)
{
    return analyse_as(item, data, len, limits, NULL, CANON_OFFSETS, NULL);
}

int spoor_item_from_stored(spoor_item *item, const char *text, size_t len,
                           size_t header_bytes)
{
    int error = 0;

    item->data = (const unsigned char *)text;
    item->bytes = len;
    sha256_hex(text, len, item->sha256);
    item->doc.format = "text";
    item->doc.encoding = "utf-8";
    item->doc.has_text = 1;
    SPOOR_TRY(spoor_buf_put(&item->doc.text, text, len));
    item->doc.header_bytes = header_bytes;
    item->doc.header_bytes = header_bytes_of(&item->doc);
    SPOOR_TRY(fingerprint_text(item, text, len, item->doc.header_bytes, 1));
done:
    if (error < 0)
        spoor_item_dispose(item);
    return error;
}

int spoor_item_from_text(spoor_item *item, const char *text, size_t len)
{
    return spoor_item_from_stored(item, text, len, 0);
}

static int walk_data(walker *wk, const char *path, const char *display,
                     const void *data, size_t len, unsigned depth,
                     const char *mtime, const char *format);

typedef struct child_ctx {
    walker *wk;
    const char *path, *display;
    unsigned depth;
} child_ctx;

/* Walk one child (listed or streamed) of the item at c->path. */
static int walk_child(void *payload, const spoor_child_event *ev)
{
    child_ctx *c = payload;
    walker *wk = c->wk;
    char *cpath = g_strconcat(c->path, "!", ev->name, NULL);
    char *cdisp = g_strconcat(c->display, "!", ev->name, NULL);
    int error;

    if (ev->code < 0) {
        error = skip(wk, cdisp, ev->code, ev->reason);
    } else if (c->depth + 1 > wk->opts->limits.max_depth) {
        char reason[128];
        snprintf(reason, sizeof(reason), "nested deeper than MAX_DEPTH (%u)",
                 wk->opts->limits.max_depth);
        error = skip(wk, cdisp, SPOOR_ELIMIT, reason);
    } else {
        error = walk_data(wk, cpath, cdisp, ev->data ? ev->data : "", ev->len,
                          c->depth + 1, ev->mtime, ev->format);
    }
    g_free(cpath);
    g_free(cdisp);
    return error;
}

/* What items of a walk with opts keep of their canonical text. */
static canon_keep canon_keep_of(const spoor_walk_opts *o)
{
    if (o->version >= 4 && o->canon_len_only)
        return CANON_LEN;
    return o->version >= 3 && o->no_offsets ? CANON_CHARS : CANON_OFFSETS;
}

/* Analyse data (as format, or detected when NULL) as item path/display at
 * depth, report it, then its children: listed ones, skipped ones, then
 * streamed ones. */
static int walk_data(walker *wk, const char *path, const char *display,
                     const void *data, size_t len, unsigned depth,
                     const char *mtime, const char *format)
{
    spoor_item item;
    child_ctx cc = {wk, path, display, depth};
    int error;
    size_t i;

    memset(&item, 0, sizeof(item));
    item.path = path;
    item.display = display;
    item.depth = depth;
    scratch_lend(&item);
    if ((error = analyse_as(&item, data, len, &wk->opts->limits, format,
                            canon_keep_of(wk->opts), wk->opts)) < 0) {
        if (error == SPOOR_EUSER)
            return error;
        return skip(wk, display, error, spoor_error_last()->message);
    }
    if (mtime && (error = spoor_doc__add_date(&item.doc, "archive-mtime", mtime,
                                              "archive member")) < 0)
        goto done;
    if ((error = wk->take_cb ? wk->take_cb(&item, wk->payload)
                             : wk->item_cb(&item, wk->payload)) < 0)
        goto done;
    for (i = 0; i < item.doc.n_children; i++) {
        const spoor_child *c = &item.doc.children[i];
        spoor_child_event ev = {c->name, c->data, c->len,   NULL,
                                0,       NULL,    c->format};
        if ((error = walk_child(&cc, &ev)) < 0)
            goto done;
    }
    for (i = 0; i < item.doc.n_skips; i++) {
        const spoor_skip *k = &item.doc.skips[i];
        spoor_child_event ev = {k->name, NULL,      0,   NULL,
                                k->code, k->reason, NULL};
        if ((error = walk_child(&cc, &ev)) < 0)
            goto done;
    }
    if (item.doc.streams_children) {
        error = spoor_extract_children(&item.doc, data, len, &wk->opts->limits,
                                       walk_child, &cc);
        if (error < 0 && error != SPOOR_EUSER)
            error = skip(wk, display, error, spoor_error_last()->message);
    }
done:
    scratch_return(&item);
    spoor_item_dispose(&item);
    return error;
}

static int open_input(const char *fspath, int nofollow)
{
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int fd;
    if (nofollow)
        flags |= O_NOFOLLOW;
    fd = open(fspath, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(fspath, flags);
    return fd;
}

/* Files up to this size are read into the thread's buffer, not mapped. */
#define READ_MAX ((size_t)8 << 20)

static _Thread_local struct {
    unsigned char *ptr;
    size_t cap;
} read_buf;

void spoor_walk__thread_done(void)
{
    spoor_canon_dispose(&scratch.canon);
    spoor_fps_dispose(&scratch.fps);
    spoor__free(read_buf.ptr);
    read_buf.ptr = NULL;
    read_buf.cap = 0;
}

/* Read all size bytes of fd into the thread's buffer; NULL (errno set, or
 * EIO for a file that changed size while read) on failure. */
static void *read_small(int fd, size_t size)
{
    size_t got = 0;
    if (read_buf.cap < size) {
        size_t cap = read_buf.cap ? read_buf.cap : 64 << 10;
        void *p;
        while (cap < size)
            cap *= 2;
        if (!(p = spoor__malloc(cap))) {
            errno = ENOMEM;
            return NULL;
        }
        spoor__free(read_buf.ptr);
        read_buf.ptr = p;
        read_buf.cap = cap;
    }
    while (got < size) {
        ssize_t r = pread(fd, read_buf.ptr + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO;
            return NULL;
        }
        got += (size_t)r;
    }
    return read_buf.ptr;
}

int spoor_walk__file(walker *wk, const char *fspath, const char *path,
                     const char *display, int nofollow)
{
    struct stat st;
    void *map = NULL, *data = NULL;
    int fd, error = 0;
    char reason[256];

    if ((fd = open_input(fspath, nofollow)) < 0) {
        snprintf(reason, sizeof(reason), "cannot open: %s",
                 errno == ELOOP ? "symbolic link not followed"
                                : strerror(errno));
        return skip(wk, display, SPOOR_EIO, reason);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return skip(wk, display, SPOOR_EUNSUPPORTED, "not a regular file");
    }
    if ((uint64_t)st.st_size > wk->opts->limits.max_file_bytes) {
        close(fd);
        snprintf(reason, sizeof(reason),
                 "file of %lld bytes exceeds MAX_FILE_BYTES (%llu)",
                 (long long)st.st_size,
                 (unsigned long long)wk->opts->limits.max_file_bytes);
        return skip(wk, display, SPOOR_ELIMIT, reason);
    }
    if (st.st_size > 0 && (size_t)st.st_size <= READ_MAX) {
        if (!(data = read_small(fd, (size_t)st.st_size))) {
            snprintf(reason, sizeof(reason), "cannot read: %s",
                     errno == EIO ? "input/output error, or the file shrank "
                                    "while it was read"
                                  : strerror(errno));
            close(fd);
            return skip(wk, display, SPOOR_EIO, reason);
        }
    } else if (st.st_size > 0) {
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            snprintf(reason, sizeof(reason), "cannot map: %s", strerror(errno));
            close(fd);
            return skip(wk, display, SPOOR_EIO, reason);
        }
        data = map;
    }
    /* an extractor run in another process may read the file from fd */
    spoor_isolate__set_file(fd, data, data ? (size_t)st.st_size : 0);
    spoor__input_set(map, (size_t)st.st_size);
    error = walk_data(wk, path, display, data ? data : "", (size_t)st.st_size,
                      0, NULL, NULL);
    spoor_isolate__set_file(-1, NULL, 0);
    spoor__input_set(NULL, 0);
    close(fd);
    if (map)
        munmap(map, (size_t)st.st_size);
    return error;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(walker *wk, const char *fspath, const char *rel,
                    const char *display, unsigned level)
{
    DIR *dir;
    struct dirent *de;
    GPtrArray *names;
    int error = 0;
    guint i;

    if (level > SPOOR_MAX_DIR_DEPTH)
        return skip(wk, display, SPOOR_ELIMIT,
                    "folder nested deeper than MAX_DIR_DEPTH");
    if (!(dir = opendir(fspath))) {
        char reason[256];
        snprintf(reason, sizeof(reason), "cannot open folder: %s",
                 strerror(errno));
        return skip(wk, display, SPOOR_EIO, reason);
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((de = readdir(dir)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            g_ptr_array_add(names, g_strdup(de->d_name));
    closedir(dir);
    spoor__sort(names->pdata, names->len, sizeof(char *), cmp_names);

    for (i = 0; i < names->len && error >= 0; i++) {
        const char *name = names->pdata[i];
        char *cfs = g_build_filename(fspath, name, NULL);
        char *crel = *rel ? g_strconcat(rel, "/", name, NULL) : g_strdup(name);
        char *cdisp = g_strconcat(display, "/", name, NULL);
        struct stat st;
        if (lstat(cfs, &st) < 0) {
            char reason[256];
            snprintf(reason, sizeof(reason), "cannot stat: %s",
                     strerror(errno));
            error = skip(wk, cdisp, SPOOR_EIO, reason);
        } else if (S_ISDIR(st.st_mode)) {
            error = walk_dir(wk, cfs, crel, cdisp, level + 1);
        } else if (S_ISLNK(st.st_mode)) {
            error = skip(wk, cdisp, SPOOR_EUNSUPPORTED,
                         "symbolic link not followed");
        } else if (!S_ISREG(st.st_mode)) {
            error = skip(wk, cdisp, SPOOR_EUNSUPPORTED, "not a regular file");
        } else {
            error = wk->file_fn(wk, cfs, crel, cdisp, 1);
        }
        g_free(cfs);
        g_free(crel);
        g_free(cdisp);
    }
    g_ptr_array_free(names, TRUE);
    return error;
}

int spoor_walk__path(walker *wk, const char *path)
{
    struct stat st;
    char *display, *base;
    size_t n;
    int error;

    display = g_strdup(path);
    n = strlen(display);
    while (n > 1 && display[n - 1] == '/')
        display[--n] = '\0';
    if (stat(path, &st) < 0) {
        char reason[256];
        snprintf(reason, sizeof(reason), "%s", strerror(errno));
        error = skip(wk, display, SPOOR_ENOTFOUND, reason);
    } else if (S_ISDIR(st.st_mode)) {
        error = walk_dir(wk, path, "", display, 0);
    } else {
        base = g_path_get_basename(display);
        error = wk->file_fn(wk, path, base, display, 0);
        g_free(base);
    }
    g_free(display);
    return error;
}

int spoor_walk(const char *path, const spoor_walk_opts *opts,
               spoor_item_cb item_cb, spoor_skip_cb skip_cb, void *payload)
{
    spoor_walk_opts defaults;
    walker wk = {.opts = opts ? opts : &defaults,
                 .item_cb = item_cb,
                 .skip_cb = skip_cb,
                 .payload = payload,
                 .file_fn = spoor_walk__file};
    int error;
    spoor_walk_opts_init(&defaults);
    error = spoor_walk__path(&wk, path);
    spoor_walk__thread_done();
    return error;
}

int spoor_walk_buffer(const char *display, const void *data, size_t len,
                      const spoor_walk_opts *opts, spoor_item_cb item_cb,
                      spoor_skip_cb skip_cb, void *payload)
{
    spoor_walk_opts defaults;
    walker wk = {.opts = opts ? opts : &defaults,
                 .item_cb = item_cb,
                 .skip_cb = skip_cb,
                 .payload = payload,
                 .file_fn = spoor_walk__file};
    int error;
    spoor_walk_opts_init(&defaults);
    error =
        walk_data(&wk, display, display, data ? data : "", len, 0, NULL, NULL);
    spoor_walk__thread_done();
    return error;
}
