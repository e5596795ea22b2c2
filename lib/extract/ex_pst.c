/*
 * ex_pst.c: Outlook personal folders (.pst) and offline folders (.ost) with
 * libpff, read in an isolated child process (isolate.c).
 *
 * A PST is a streaming container. libpff reads it straight from the input
 * bytes (a libbfio memory range: nothing is copied or written to disk).
 * Each message becomes a child item named by its folder path and its
 * Message-ID, e.g. "Top of Personal Folders/Inbox/<id@host>" (or
 * "message-<descriptor>" when it has none; a repeated name gets
 * " #<descriptor>"). A message travels from the child process as a
 * "pst-message": wire records (wire.c) holding
 *   text      a From/To/Date/Subject block like an email's, then the plain
 *             text body, else the visible text of the HTML body, else the
 *             text of the RTF body;
 *   dates     submitted, delivered, created, modified (MAPI properties);
 *   metadata  subject, from, to, message-id, folder;
 *   children  attachments by value (their bytes, detected as usual) and
 *             attached messages (nested pst-messages); attachments by
 *             reference hold no data and are reported as skipped.
 * Bounds: MAX_DIR_DEPTH folder levels, MAX_MEMBERS messages, MAX_DEPTH
 * levels of attached messages, MAX_MEMBER_BYTES of attachments per message
 * (further ones are skipped with the bound's name), MAX_TEXT_BYTES per body.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <libbfio.h>
#include <libpff.h>

#include "extract_int.h"

#define PR_SUBJECT 0x0037
#define PR_SENDER_NAME 0x0c1a
#define PR_SENDER_EMAIL 0x0c1f
#define PR_DISPLAY_TO 0x0e04
#define PR_INTERNET_MESSAGE_ID 0x1035
#define PR_DISPLAY_NAME 0x3001
#define PR_ATTACH_FILENAME 0x3704
#define PR_ATTACH_LONG_FILENAME 0x3707

static int extract_pst(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    (void)lim;
    doc->has_text = 1; /* no text of its own; messages carry it */
    if (len >= 10 && memcmp(d + 8, "SO", 2) == 0)
        doc->format = "ost";
    return 0;
}

static int extract_pst_message(spoor_doc *doc, const unsigned char *d,
                               size_t len, const spoor_limits *lim)
{
    int record_error = 0, error;
    (void)lim;
    doc->has_text = 1;
    error = spoor_wire__decode_doc(doc, d, len, &record_error, 0);
    return error < 0 ? error : record_error;
}

/* ==== Reading with libpff (in the child process) ==== */

typedef struct pst_reader {
    const spoor_limits *lim;
    spoor_buf *out;
    spoor_wire_flush flush;
    void *flush_ctx;
    GHashTable *names; /* message names already sent */
    uint64_t messages;
} pst_reader;

/* Set the spoor error from a libpff error (first line), freeing it. */
static int pff_fail(libpff_error_t **e, const char *what)
{
    char msg[512] = "";
    char *nl;
    if (e && *e) {
        libpff_error_sprint(*e, msg, sizeof(msg));
        libpff_error_free(e);
    }
    if ((nl = strchr(msg, '\n')))
        *nl = '\0';
    return spoor__error_set(SPOOR_EINVALID, "libpff: %s%s%s", what,
                            *msg ? ": " : "", msg);
}

/* A string property of item as UTF-8 (g_free), or NULL when absent. */
static char *string_prop(libpff_item_t *item, uint32_t type)
{
    libpff_record_set_t *set = NULL;
    libpff_record_entry_t *entry = NULL;
    size_t size = 0;
    uint8_t *s = NULL;

    if (libpff_item_get_record_set_by_index(item, 0, &set, NULL) != 1 ||
        libpff_record_set_get_entry_by_type(
            set, type, 0, &entry, LIBPFF_ENTRY_VALUE_FLAG_MATCH_ANY_VALUE_TYPE,
            NULL) != 1 ||
        libpff_record_entry_get_data_as_utf8_string_size(entry, &size, NULL) !=
            1 ||
        size == 0 || size > (1u << 20))
        goto done;
    s = g_malloc(size + 1);
    if (libpff_record_entry_get_data_as_utf8_string(entry, s, size, NULL) !=
        1) {
        g_free(s);
        s = NULL;
        goto done;
    }
    s[size] = '\0';
    /* a subject may start with a prefix marker: 0x01 and a length */
    if (s[0] == 1 && s[1])
        memmove(s, s + 2, strlen((char *)s + 2) + 1);
    if (!*s) {
        g_free(s);
        s = NULL;
    }
done:
    libpff_record_entry_free(&entry, NULL);
    libpff_record_set_free(&set, NULL);
    return (char *)s;
}

/* FILETIME to ISO 8601 UTC; 0 if the value is absent or out of range. */
static int filetime_iso(uint64_t ft, char out[32])
{
    struct tm tm;
    time_t t;
    if (ft == 0 || ft == UINT64_MAX)
        return 0;
    t = (time_t)(ft / 10000000u) - (time_t)11644473600LL;
    if (!gmtime_r(&t, &tm) || tm.tm_year < -1899 || tm.tm_year > 8099)
        return 0;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 1;
}

typedef int (*pff_time_fn)(libpff_item_t *, uint64_t *, libpff_error_t **);

static int add_time(spoor_doc *doc, libpff_item_t *msg, pff_time_fn fn,
                    const char *field, const char *source, char iso[32])
{
    uint64_t ft = 0;
    libpff_error_t *e = NULL;
    if (fn(msg, &ft, &e) != 1) {
        libpff_error_free(&e);
        return 0;
    }
    if (!filetime_iso(ft, iso))
        return 0;
    return spoor_doc__add_date(doc, field, iso, source);
}

typedef int (*pff_size_fn)(libpff_item_t *, size_t *, libpff_error_t **);
typedef int (*pff_body_fn)(libpff_item_t *, uint8_t *, size_t,
                           libpff_error_t **);

/* One body of msg (NUL-terminated, g_free) or NULL; *too_big if over max. */
static char *body(libpff_item_t *msg, pff_size_fn size_fn, pff_body_fn fn,
                  uint64_t max, int *too_big)
{
    size_t size = 0;
    uint8_t *b;
    libpff_error_t *e = NULL;
    if (size_fn(msg, &size, &e) != 1 || size == 0) {
        libpff_error_free(&e);
        return NULL;
    }
    if (size > max) {
        *too_big = 1;
        return NULL;
    }
    b = g_malloc(size + 1);
    if (fn(msg, b, size, &e) != 1) {
        libpff_error_free(&e);
        g_free(b);
        return NULL;
    }
    b[size] = '\0';
    return (char *)b;
}

/* Append the message body: plain text, else HTML, else RTF text. */
static int put_body(spoor_doc *doc, libpff_item_t *msg, const spoor_limits *lim)
{
    int too_big = 0, error = 0;
    char *b;
    if ((b = body(msg, libpff_message_get_plain_text_body_size,
                  libpff_message_get_plain_text_body, lim->max_text_bytes,
                  &too_big))) {
        error = spoor_buf_puts(&doc->text, b);
    } else if ((b = body(msg, libpff_message_get_html_body_size,
                         libpff_message_get_html_body, lim->max_text_bytes,
                         &too_big))) {
        error = spoor_html__text(&doc->text, b, strlen(b));
    } else if ((b = body(msg, libpff_message_get_rtf_body_size,
                         libpff_message_get_rtf_body, lim->max_text_bytes,
                         &too_big))) {
        spoor_doc rtf = SPOOR_DOC_INIT;
        error = spoor_ex_rtf.extract(&rtf, (const unsigned char *)b, strlen(b),
                                     lim);
        if (error == 0)
            error = spoor_buf_put(&doc->text, rtf.text.ptr, rtf.text.size);
        spoor_doc_dispose(&rtf);
    }
    g_free(b);
    if (error == 0 && too_big)
        error = spoor__error_set(SPOOR_ELIMIT,
                                 "message body exceeds MAX_TEXT_BYTES (%llu)",
                                 (unsigned long long)lim->max_text_bytes);
    return error;
}

static int read_message(spoor_doc *doc, libpff_item_t *msg, const char *folder,
                        unsigned depth, const spoor_limits *lim);

/* A name for attachment i not used by an earlier child of doc. */
static char *attachment_name(const spoor_doc *doc, libpff_item_t *att, int i)
{
    char *name = string_prop(att, PR_ATTACH_LONG_FILENAME);
    size_t k;
    if (!name)
        name = string_prop(att, PR_ATTACH_FILENAME);
    if (!name)
        name = string_prop(att, PR_DISPLAY_NAME);
    if (!name)
        name = g_strdup_printf("attachment-%d", i + 1);
    spoor_extract__sanitize_name(name);
    for (k = 0; k < doc->n_children + doc->n_skips; k++) {
        const char *other = k < doc->n_children
                                ? doc->children[k].name
                                : doc->skips[k - doc->n_children].name;
        if (strcmp(other, name) == 0) {
            char *u = g_strdup_printf("%s #%d", name, i + 1);
            g_free(name);
            return u;
        }
    }
    return name;
}

/* Add attachment i of msg to doc as a child (or a skip); *budget is what
 * is left of MAX_MEMBER_BYTES for this message's attachments. */
static int add_attachment(spoor_doc *doc, libpff_item_t *att, int i,
                          unsigned depth, const spoor_limits *lim,
                          uint64_t *budget)
{
    libpff_error_t *e = NULL;
    char *name = attachment_name(doc, att, i);
    char reason[160];
    int type = 0, error = 0;
    size64_t size = 0;

    if (libpff_attachment_get_type(att, &type, &e) != 1) {
        libpff_error_free(&e);
        error = spoor_doc__add_skip(doc, name, SPOOR_EINVALID,
                                    "libpff: unreadable attachment");
    } else if (type == LIBPFF_ATTACHMENT_TYPE_REFERENCE) {
        error = spoor_doc__add_skip(doc, name, SPOOR_EUNSUPPORTED,
                                    "attachment by reference: its data is "
                                    "not in the PST");
    } else if (type == LIBPFF_ATTACHMENT_TYPE_ITEM) {
        libpff_item_t *inner = NULL;
        spoor_doc sub = SPOOR_DOC_INIT;
        spoor_buf blob = SPOOR_BUF_INIT;
        if (depth + 1 > lim->max_depth) {
            snprintf(reason, sizeof(reason),
                     "nested deeper than MAX_DEPTH (%u)", lim->max_depth);
            error = spoor_doc__add_skip(doc, name, SPOOR_ELIMIT, reason);
        } else if (libpff_attachment_get_item(att, &inner, &e) != 1) {
            libpff_error_free(&e);
            error = spoor_doc__add_skip(doc, name, SPOOR_EINVALID,
                                        "libpff: unreadable attached message");
        } else if ((error = read_message(&sub, inner, "", depth + 1, lim)) <
                       0 ||
                   (error = spoor_wire__encode_doc(&blob, &sub)) < 0) {
            if (error != SPOOR_ENOMEM)
                error = spoor_doc__add_skip(doc, name, error,
                                            spoor_error_last()->message);
        } else if (blob.size > *budget) {
            snprintf(reason, sizeof(reason),
                     "attachments of this message exceed MAX_MEMBER_BYTES "
                     "(%llu)",
                     (unsigned long long)lim->max_member_bytes);
            error = spoor_doc__add_skip(doc, name, SPOOR_ELIMIT, reason);
        } else {
            *budget -= blob.size;
            error = spoor_doc__add_child_as(doc, name, "pst-message", blob.ptr,
                                            blob.size, blob.ptr);
            blob.ptr = NULL;
        }
        spoor_buf_dispose(&blob);
        spoor_doc_dispose(&sub);
        libpff_item_free(&inner, NULL);
    } else if (libpff_attachment_get_data_size(att, &size, &e) != 1) {
        libpff_error_free(&e);
        error = spoor_doc__add_child(doc, name, "", 0, NULL);
    } else if (size > *budget) {
        snprintf(reason, sizeof(reason),
                 "attachment of %llu bytes exceeds what is left of "
                 "MAX_MEMBER_BYTES (%llu) for this message",
                 (unsigned long long)size,
                 (unsigned long long)lim->max_member_bytes);
        error = spoor_doc__add_skip(doc, name, SPOOR_ELIMIT, reason);
    } else {
        uint8_t *data = spoor__malloc(size ? (size_t)size : 1);
        ssize_t got = 0;
        if (!data)
            error = spoor__error_oom();
        else if (size &&
                 (libpff_attachment_data_seek_offset(att, 0, SEEK_SET, &e) <
                      0 ||
                  (got = libpff_attachment_data_read_buffer(
                       att, data, (size_t)size, &e)) != (ssize_t)size)) {
            libpff_error_free(&e);
            spoor__free(data);
            error = spoor_doc__add_skip(doc, name, SPOOR_EINVALID,
                                        "libpff: attachment data unreadable");
        } else {
            *budget -= size;
            error = spoor_doc__add_child(doc, name, data, (size_t)size, data);
        }
    }
    g_free(name);
    return error;
}

/* Read msg into doc (text, dates, metadata, attachments). */
static int read_message(spoor_doc *doc, libpff_item_t *msg, const char *folder,
                        unsigned depth, const spoor_limits *lim)
{
    char *subject = string_prop(msg, PR_SUBJECT);
    char *sender = string_prop(msg, PR_SENDER_NAME);
    char *email = string_prop(msg, PR_SENDER_EMAIL);
    char *to = string_prop(msg, PR_DISPLAY_TO);
    char *msgid = string_prop(msg, PR_INTERNET_MESSAGE_ID);
    char *from = NULL;
    char submitted[32] = "", iso[32];
    uint64_t budget = lim->max_member_bytes;
    libpff_error_t *e = NULL;
    int n = 0, i, error = 0;

    doc->has_text = 1;
    if (sender && email && strcmp(sender, email) != 0)
        from = g_strdup_printf("%s <%s>", sender, email);
    else
        from = g_strdup(email ? email : sender);
    SPOOR_TRY(add_time(doc, msg, libpff_message_get_client_submit_time,
                       "submitted", "PST client submit time", submitted));
    SPOOR_TRY(add_time(doc, msg, libpff_message_get_delivery_time, "delivered",
                       "PST delivery time", iso));
    SPOOR_TRY(add_time(doc, msg, libpff_message_get_creation_time, "created",
                       "PST creation time", iso));
    SPOOR_TRY(add_time(doc, msg, libpff_message_get_modification_time,
                       "modified", "PST modification time", iso));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "From", from));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "To", to));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Date", submitted));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Subject", subject));
    SPOOR_TRY(spoor_buf_puts(&doc->text, "\n"));
    doc->header_bytes = doc->text.size;
    SPOOR_TRY(put_body(doc, msg, lim));
    {
        const char *kv[] = {"from",  from,         "to",  to,       "subject",
                            subject, "message-id", msgid, "folder", folder};
        SPOOR_TRY(spoor_doc__add_metas(doc, kv, 5));
    }
    if (libpff_message_get_number_of_attachments(msg, &n, &e) != 1) {
        libpff_error_free(&e);
        n = 0;
    }
    for (i = 0; i < n && error == 0; i++) {
        libpff_item_t *att = NULL;
        if (doc->n_children + doc->n_skips >= lim->max_members) {
            error = spoor_doc__add_skip(doc, "attachments", SPOOR_ELIMIT,
                                        "more than MAX_MEMBERS attachments");
            break;
        }
        if (libpff_message_get_attachment(msg, i, &att, &e) != 1) {
            char name[32];
            libpff_error_free(&e);
            snprintf(name, sizeof(name), "attachment-%d", i + 1);
            error = spoor_doc__add_skip(doc, name, SPOOR_EINVALID,
                                        "libpff: unreadable attachment");
            continue;
        }
        error = add_attachment(doc, att, i, depth, lim, &budget);
        libpff_item_free(&att, NULL);
    }
done:
    g_free(subject);
    g_free(sender);
    g_free(email);
    g_free(to);
    g_free(msgid);
    g_free(from);
    return error;
}

/* The item name of msg in folder: "<folder>/<Message-ID>", unique. */
static char *message_name(pst_reader *r, libpff_item_t *msg, const char *folder)
{
    char *msgid = string_prop(msg, PR_INTERNET_MESSAGE_ID);
    uint32_t id = 0;
    char *name;
    libpff_error_t *e = NULL;
    if (libpff_item_get_identifier(msg, &id, &e) != 1)
        libpff_error_free(&e);
    if (msgid)
        spoor_extract__sanitize_name(msgid);
    name = msgid ? g_strdup_printf("%s%s%s", folder, *folder ? "/" : "", msgid)
                 : g_strdup_printf("%s%smessage-%u", folder, *folder ? "/" : "",
                                   id);
    if (g_hash_table_contains(r->names, name)) {
        char *u = g_strdup_printf("%s #%u", name, id);
        g_free(name);
        name = u;
    }
    g_hash_table_add(r->names, g_strdup(name));
    g_free(msgid);
    return name;
}

/* Send message i of folder as a 'C' record (or an 'S' record). */
static int send_message(pst_reader *r, libpff_item_t *folder_item, int i,
                        const char *folder)
{
    libpff_item_t *msg = NULL;
    libpff_error_t *e = NULL;
    spoor_doc doc = SPOOR_DOC_INIT;
    spoor_buf blob = SPOOR_BUF_INIT;
    char *name;
    int error;

    if (libpff_folder_get_sub_message(folder_item, i, &msg, &e) != 1) {
        char *where = g_strdup_printf("%s%smessage #%d", folder,
                                      *folder ? "/" : "", i + 1);
        libpff_error_free(&e);
        error = spoor_wire__skip(r->out, where, SPOOR_EINVALID,
                                 "libpff: unreadable message");
        g_free(where);
        return error < 0 ? error : r->flush(r->out, r->flush_ctx);
    }
    name = message_name(r, msg, folder);
    error = read_message(&doc, msg, folder, 1, r->lim);
    if (error == 0)
        error = spoor_wire__encode_doc(&blob, &doc);
    if (error == 0)
        error =
            spoor_wire__child(r->out, name, "pst-message", blob.ptr, blob.size);
    else if (error != SPOOR_ENOMEM)
        error =
            spoor_wire__skip(r->out, name, error, spoor_error_last()->message);
    if (error == 0)
        error = r->flush(r->out, r->flush_ctx);
    spoor_buf_dispose(&blob);
    spoor_doc_dispose(&doc);
    libpff_item_free(&msg, NULL);
    g_free(name);
    return error;
}

/* Send every message of folder and of its sub-folders, depth first. */
static int read_folder(pst_reader *r, libpff_item_t *f, const char *parent,
                       unsigned depth)
{
    libpff_error_t *e = NULL;
    char *fname = string_prop(f, PR_DISPLAY_NAME);
    char *path;
    int n = 0, i, error = 0;

    if (fname) {
        for (i = 0; fname[i]; i++)
            if (fname[i] == '/')
                fname[i] = '_';
        spoor_extract__sanitize_name(fname);
    }
    path = g_strdup_printf("%s%s%s", parent, *parent && fname ? "/" : "",
                           fname ? fname : "");
    if (depth > SPOOR_MAX_DIR_DEPTH) {
        error = spoor_wire__skip(r->out, path, SPOOR_ELIMIT,
                                 "folders nested deeper than MAX_DIR_DEPTH");
        goto done;
    }
    if (libpff_folder_get_number_of_sub_messages(f, &n, &e) != 1) {
        libpff_error_free(&e);
        error = spoor_wire__skip(r->out, *path ? path : "(root folder)",
                                 SPOOR_EINVALID,
                                 "libpff: the folder's messages are "
                                 "unreadable");
        n = 0;
    }
    for (i = 0; i < n && error == 0; i++) {
        if (r->messages++ >= r->lim->max_members) {
            error = spoor__error_set(SPOOR_ELIMIT,
                                     "more than MAX_MEMBERS (%llu) messages",
                                     (unsigned long long)r->lim->max_members);
            goto done;
        }
        error = send_message(r, f, i, path);
    }
    if (error == 0 && libpff_folder_get_number_of_sub_folders(f, &n, &e) != 1) {
        libpff_error_free(&e);
        error = spoor_wire__skip(r->out, *path ? path : "(root folder)",
                                 SPOOR_EINVALID,
                                 "libpff: the folder's sub-folders are "
                                 "unreadable");
        n = 0;
    }
    for (i = 0; i < n && error == 0; i++) {
        libpff_item_t *sub = NULL;
        if (libpff_folder_get_sub_folder(f, i, &sub, &e) != 1) {
            libpff_error_free(&e);
            error = spoor_wire__skip(r->out, path, SPOOR_EINVALID,
                                     "libpff: a sub-folder is unreadable");
            continue;
        }
        error = read_folder(r, sub, path, depth + 1);
        libpff_item_free(&sub, NULL);
    }
done:
    g_free(fname);
    g_free(path);
    return error;
}

/* The child-process body: open the PST from memory and stream it. */
static int read_pst(const unsigned char *d, size_t len, const spoor_limits *lim,
                    spoor_buf *out, spoor_wire_flush flush, void *ctx)
{
    libbfio_handle_t *io = NULL;
    libpff_file_t *file = NULL;
    libpff_item_t *root = NULL;
    libpff_error_t *e = NULL;
    pst_reader r = {lim, out, flush, ctx, NULL, 0};
    int error = 0;

    if (libbfio_memory_range_initialize(&io, NULL) != 1 ||
        libbfio_memory_range_set(io, (uint8_t *)d, len, NULL) != 1)
        return spoor__error_oom();
    if (libpff_file_initialize(&file, &e) != 1) {
        error = pff_fail(&e, "cannot start");
        goto done;
    }
    if (libpff_file_open_file_io_handle(file, io, LIBPFF_OPEN_READ, &e) != 1) {
        error = pff_fail(&e, "cannot open the PST");
        goto done;
    }
    if (libpff_file_get_root_folder(file, &root, &e) != 1) {
        error = pff_fail(&e, "no readable root folder (the PST is damaged or "
                             "truncated)");
        goto done;
    }
    r.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    error = read_folder(&r, root, "", 0);
done:
    if (r.names)
        g_hash_table_destroy(r.names);
    libpff_item_free(&root, NULL);
    if (file) {
        libpff_file_close(file, NULL);
        libpff_file_free(&file, NULL);
    }
    libbfio_handle_free(&io, NULL);
    return error;
}

static int stream_messages(const unsigned char *d, size_t len,
                           const spoor_limits *lim, spoor_child_sink sink,
                           void *payload)
{
    return spoor_extract__isolated_children(d, len, lim, read_pst, "libpff",
                                            sink, payload);
}

const spoor_extractor spoor_ex_pst = {"pst", extract_pst, stream_messages};
const spoor_extractor spoor_ex_pst_message = {"pst-message",
                                              extract_pst_message, NULL};
