/*
 * ex_msg.c: Outlook .msg files ([MS-OXMSG]: an OLE2 compound file of MAPI
 * properties), read with libgsf in a child process (isolate.c), as the
 * other old OLE readers are.
 *
 * The text is an email's: a header block (From, To, Cc, Date, Subject;
 * metadata, as spoor_doc.header_bytes says) and the body: the plain-text
 * body (PidTagBody), else the visible text of the HTML body, else the text
 * of the compressed RTF body (LZFu, [MS-OXRTFCP], decompressed here within
 * bounds, then read by the RTF reader). Dates: submitted, delivered,
 * created, modified (MAPI times, UTC). Attachments by value become child
 * items named by their file name; an attached message becomes a child
 * email (its headers and body as an RFC 5322 message). Every stream read is
 * bounded by MAX_MEMBER_BYTES.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-utils.h>

#include "extract_int.h"

/* MAPI property ids ([MS-OXPROPS]). */
enum {
    P_SUBJECT = 0x0037,
    P_SUBMIT_TIME = 0x0039,
    P_SENDER_NAME = 0x0C1A,
    P_SENDER_EMAIL = 0x0C1F,
    P_SENDER_SMTP = 0x5D01,
    P_DISPLAY_CC = 0x0E03,
    P_DISPLAY_TO = 0x0E04,
    P_DELIVERY_TIME = 0x0E06,
    P_BODY = 0x1000,
    P_RTF_COMPRESSED = 0x1009,
    P_HTML = 0x1013,
    P_MESSAGE_ID = 0x1035,
    P_REFERENCES = 0x1039,
    P_IN_REPLY_TO = 0x1042,
    P_CREATION_TIME = 0x3007,
    P_MODIFICATION_TIME = 0x3008,
    P_ATTACH_DATA = 0x3701,
    P_ATTACH_FILENAME = 0x3704,
    P_ATTACH_LONG_FILENAME = 0x3707,
};

/* How many attachments of one message are read at most. */
#define MSG_ATTACH_MAX 10000

static pthread_once_t gsf_once = PTHREAD_ONCE_INIT;

/* libgsf's warnings on a damaged file are not ours to print: the item's
 * error or warning says what matters. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
                  gpointer data)
{
    (void)domain, (void)level, (void)msg, (void)data;
}

static void gsf_init_once(void)
{
    gsf_init();
    g_log_set_handler("libgsf:msole", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE,
                      quiet, NULL);
    g_log_set_handler("libgsf", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE,
                      quiet, NULL);
}

/* Stream name of property id of type (a 4-digit hex type). */
static void substg(char out[40], unsigned id, unsigned type)
{
    snprintf(out, 40, "__substg1.0_%04X%04X", id & 0xFFFF, type & 0xFFFF);
}

/* The bytes of stream name under dir into out; 0 with out empty when there
 * is no such stream. */
static int read_stream(GsfInfile *dir, const char *name, spoor_buf *out,
                       const spoor_limits *lim)
{
    GsfInput *in = gsf_infile_child_by_name(dir, name);
    gsf_off_t size;
    const guint8 *p;
    int error = 0;
    spoor_buf_clear(out);
    if (!in)
        return 0;
    size = gsf_input_size(in);
    if (size < 0 || (uint64_t)size > lim->max_member_bytes) {
        error = spoor__error_set(SPOOR_ELIMIT,
                                 "stream %s of %lld bytes exceeds "
                                 "MAX_MEMBER_BYTES",
                                 name, (long long)size);
    } else if (size > 0) {
        if (!(p = gsf_input_read(in, (size_t)size, NULL)))
            error =
                spoor__error_set(SPOOR_EINVALID, "stream %s is damaged", name);
        else
            error = spoor_buf_put(out, p, (size_t)size);
    }
    g_object_unref(in);
    return error;
}

/* A string property as UTF-8 (owned), from its Unicode stream, else its
 * 8-bit one (windows-1252 unless valid UTF-8); NULL when absent. */
static int prop_string(GsfInfile *dir, unsigned id, const spoor_limits *lim,
                       char **out)
{
    spoor_buf b = SPOOR_BUF_INIT;
    char name[40];
    int error;
    *out = NULL;
    substg(name, id, 0x001F);
    SPOOR_TRY(read_stream(dir, name, &b, lim));
    if (b.size >= 2) {
        glong n = 0;
        size_t units = b.size / 2;
        while (units && !b.ptr[2 * units - 2] && !b.ptr[2 * units - 1])
            units--; /* a trailing NUL */
        *out = g_utf16_to_utf8((const gunichar2 *)b.ptr, (glong)units, NULL, &n,
                               NULL);
        goto done;
    }
    substg(name, id, 0x001E);
    SPOOR_TRY(read_stream(dir, name, &b, lim));
    while (b.size && !b.ptr[b.size - 1])
        b.size--;
    if (b.size)
        *out = spoor_text__valid_utf8((const unsigned char *)b.ptr, b.size)
                   ? g_strndup(b.ptr, b.size)
                   : g_convert(b.ptr, (gssize)b.size, "UTF-8", "WINDOWS-1252",
                               NULL, NULL, NULL);
done:
    spoor_buf_dispose(&b);
    return error;
}

/* A MAPI time (PT_SYSTIME) of property id from dir's property stream,
 * whose entries start after a header of `header` bytes, as ISO 8601 UTC in
 * out; 0 (out empty) when absent or unset. */
static int prop_time(GsfInfile *dir, size_t header, unsigned id,
                     const spoor_limits *lim, char out[32])
{
    spoor_buf b = SPOOR_BUF_INIT;
    size_t i;
    int error;
    out[0] = '\0';
    SPOOR_TRY(read_stream(dir, "__properties_version1.0", &b, lim));
    for (i = header; i + 16 <= b.size; i += 16) {
        const unsigned char *e = (const unsigned char *)b.ptr + i;
        unsigned type = (unsigned)e[0] | (unsigned)e[1] << 8;
        unsigned pid = (unsigned)e[2] | (unsigned)e[3] << 8;
        uint64_t ft = 0;
        int k;
        if (pid != id || type != 0x0040)
            continue;
        for (k = 7; k >= 0; k--)
            ft = ft << 8 | e[8 + k];
        /* 100 ns ticks since 1601-01-01; 0 and the far future are unset */
        if (ft > 116444736000000000ULL && ft < 2650467743990000000ULL) {
            time_t t = (time_t)((ft - 116444736000000000ULL) / 10000000ULL);
            struct tm tm;
            if (gmtime_r(&t, &tm))
                strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        break;
    }
done:
    spoor_buf_dispose(&b);
    return error;
}

/* ==== Compressed RTF ([MS-OXRTFCP]) ==== */

static const char rtf_dict[] =
    "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman "
    "\\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New "
    "RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    "\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/* Decompress an LZFu (or uncompressed MELA) RTF stream into out, at most
 * max bytes. */
static int lzfu(const unsigned char *z, size_t n, size_t max, spoor_buf *out)
{
    unsigned char dict[4096];
    size_t raw, want, pos = 16, w;
    uint32_t magic;
    int error;
    if (n < 16)
        return spoor__error_set(SPOOR_EINVALID, "RTF body too short");
    raw = (size_t)z[4] | (size_t)z[5] << 8 | (size_t)z[6] << 16 |
          (size_t)z[7] << 24;
    magic = (uint32_t)z[8] | (uint32_t)z[9] << 8 | (uint32_t)z[10] << 16 |
            (uint32_t)z[11] << 24;
    want = raw < max ? raw : max;
    if (magic == 0x414c454dU) /* "MELA": stored */
        return spoor_buf_put(out, z + 16, n - 16 < want ? n - 16 : want);
    if (magic != 0x75465a4cU) /* "LZFu" */
        return spoor__error_set(SPOOR_EINVALID, "RTF body: unknown "
                                                "compression");
    memset(dict, 0, sizeof(dict));
    memcpy(dict, rtf_dict, sizeof(rtf_dict) - 1);
    w = sizeof(rtf_dict) - 1;
    while (pos < n && out->size < want) {
        unsigned flags = z[pos++], bit;
        for (bit = 0; bit < 8 && pos < n && out->size < want; bit++) {
            if (flags & (1u << bit)) {
                size_t ref, len, k;
                if (pos + 1 >= n)
                    return 0;
                ref = ((size_t)z[pos] << 4) | (z[pos + 1] >> 4);
                len = (size_t)(z[pos + 1] & 0x0F) + 2;
                pos += 2;
                if (ref == (w & 4095))
                    return 0; /* the end marker */
                for (k = 0; k < len && out->size < want; k++) {
                    unsigned char c = dict[(ref + k) & 4095];
                    if ((error = spoor_buf_put(out, &c, 1)) < 0)
                        return error;
                    dict[w++ & 4095] = c;
                }
            } else {
                unsigned char c = z[pos++];
                if ((error = spoor_buf_put(out, &c, 1)) < 0)
                    return error;
                dict[w++ & 4095] = c;
            }
        }
    }
    return 0;
}

/* ==== Messages ==== */

/* What a message's text and metadata come from. */
typedef struct msg_fields {
    char *subject, *from_name, *from_email, *to, *cc, *msgid, *irt, *refs;
    char submitted[32], delivered[32], created[32], modified[32];
} msg_fields;

static void fields_free(msg_fields *f)
{
    g_free(f->subject);
    g_free(f->from_name);
    g_free(f->from_email);
    g_free(f->to);
    g_free(f->cc);
    g_free(f->msgid);
    g_free(f->irt);
    g_free(f->refs);
    memset(f, 0, sizeof(*f));
}

static int read_fields(GsfInfile *dir, size_t header, const spoor_limits *lim,
                       msg_fields *f)
{
    int error = 0;
    memset(f, 0, sizeof(*f));
    SPOOR_TRY(prop_string(dir, P_SUBJECT, lim, &f->subject));
    SPOOR_TRY(prop_string(dir, P_SENDER_NAME, lim, &f->from_name));
    SPOOR_TRY(prop_string(dir, P_SENDER_SMTP, lim, &f->from_email));
    if (!f->from_email)
        SPOOR_TRY(prop_string(dir, P_SENDER_EMAIL, lim, &f->from_email));
    SPOOR_TRY(prop_string(dir, P_DISPLAY_TO, lim, &f->to));
    SPOOR_TRY(prop_string(dir, P_DISPLAY_CC, lim, &f->cc));
    SPOOR_TRY(prop_string(dir, P_MESSAGE_ID, lim, &f->msgid));
    if (f->msgid && f->msgid[0] == '<') { /* as the mail reader keeps it */
        size_t n = strlen(f->msgid);
        memmove(f->msgid, f->msgid + 1, n);
        if (n > 1 && f->msgid[n - 2] == '>')
            f->msgid[n - 2] = '\0';
    }
    SPOOR_TRY(prop_string(dir, P_IN_REPLY_TO, lim, &f->irt));
    SPOOR_TRY(prop_string(dir, P_REFERENCES, lim, &f->refs));
    SPOOR_TRY(prop_time(dir, header, P_SUBMIT_TIME, lim, f->submitted));
    SPOOR_TRY(prop_time(dir, header, P_DELIVERY_TIME, lim, f->delivered));
    SPOOR_TRY(prop_time(dir, header, P_CREATION_TIME, lim, f->created));
    SPOOR_TRY(prop_time(dir, header, P_MODIFICATION_TIME, lim, f->modified));
done:
    return error;
}

/* "Name <email>", or whichever there is; owned, or NULL. */
static char *sender(const msg_fields *f)
{
    if (f->from_name && f->from_email && strcmp(f->from_name, f->from_email))
        return g_strdup_printf("%s <%s>", f->from_name, f->from_email);
    return g_strdup(f->from_email ? f->from_email : f->from_name);
}

/* The body of the message at dir into out: plain, else HTML made text,
 * else compressed RTF made text. */
static int read_body(GsfInfile *dir, const spoor_limits *lim, spoor_buf *out)
{
    spoor_buf b = SPOOR_BUF_INIT, rtf = SPOOR_BUF_INIT;
    spoor_doc rdoc = SPOOR_DOC_INIT;
    char name[40], *s = NULL;
    int error = 0;

    SPOOR_TRY(prop_string(dir, P_BODY, lim, &s));
    if (s && *s) {
        error = spoor_buf_puts(out, s);
        goto done;
    }
    substg(name, P_HTML, 0x0102);
    SPOOR_TRY(read_stream(dir, name, &b, lim));
    if (b.size) {
        error = spoor_html__text(out, b.ptr, b.size);
        goto done;
    }
    substg(name, P_RTF_COMPRESSED, 0x0102);
    SPOOR_TRY(read_stream(dir, name, &b, lim));
    if (b.size) {
        SPOOR_TRY(lzfu((const unsigned char *)b.ptr, b.size,
                       (size_t)lim->max_member_bytes, &rtf));
        SPOOR_TRY(spoor_ex_rtf.extract(&rdoc, (const unsigned char *)rtf.ptr,
                                       rtf.size, lim));
        error = spoor_buf_put(out, rdoc.text.ptr ? rdoc.text.ptr : "",
                              rdoc.text.size);
    }
done:
    g_free(s);
    spoor_buf_dispose(&b);
    spoor_buf_dispose(&rtf);
    spoor_doc_dispose(&rdoc);
    return error;
}

/* An attached message as an RFC 5322 message (headers and text body), the
 * child that the mail reader then reads as an email. */
static int embedded_as_eml(GsfInfile *dir, const spoor_limits *lim,
                           spoor_buf *out)
{
    msg_fields f;
    char *from = NULL;
    spoor_buf body = SPOOR_BUF_INIT;
    int error = 0;

    SPOOR_TRY(read_fields(dir, 24, lim, &f));
    SPOOR_TRY(read_body(dir, lim, &body));
    from = sender(&f);
    SPOOR_TRY(spoor_doc__put_header(out, "From", from));
    SPOOR_TRY(spoor_doc__put_header(out, "To", f.to));
    SPOOR_TRY(spoor_doc__put_header(out, "Cc", f.cc));
    SPOOR_TRY(spoor_doc__put_header(out, "Subject", f.subject));
    if (f.submitted[0]) {
        GDateTime *dt = g_date_time_new_from_iso8601(f.submitted, NULL);
        gchar *rfc =
            dt ? g_date_time_format(dt, "%a, %d %b %Y %H:%M:%S +0000") : NULL;
        error = spoor_doc__put_header(out, "Date", rfc);
        g_free(rfc);
        if (dt)
            g_date_time_unref(dt);
        SPOOR_TRY(error);
    }
    if (f.msgid)
        SPOOR_TRY(spoor_buf_printf(out, "Message-ID: <%s>\n", f.msgid));
    SPOOR_TRY(spoor_buf_puts(out,
                             "MIME-Version: 1.0\nContent-Type: text/plain; "
                             "charset=utf-8\nContent-Transfer-Encoding: "
                             "8bit\n\n"));
    SPOOR_TRY(spoor_buf_put(out, body.ptr ? body.ptr : "", body.size));
done:
    g_free(from);
    fields_free(&f);
    spoor_buf_dispose(&body);
    return error;
}

/* The attachments of the message at dir become doc's children. */
static int read_attachments(spoor_doc *doc, GsfInfile *dir,
                            const spoor_limits *lim)
{
    int i, n = gsf_infile_num_children(dir), count = 0, error = 0;
    for (i = 0; i < n && error == 0; i++) {
        const char *cname = gsf_infile_name_by_index(dir, i);
        GsfInput *child;
        GsfInfile *att;
        char *fname = NULL, name[300], sname[40];
        spoor_buf data = SPOOR_BUF_INIT;
        GsfInput *obj;

        if (!cname || strncmp(cname, "__attach_version1.0_", 20))
            continue;
        if (++count > MSG_ATTACH_MAX) {
            error = spoor_doc__add_skip(doc, "attachments", SPOOR_ELIMIT,
                                        "more than 10,000 attachments");
            break;
        }
        child = gsf_infile_child_by_index(dir, i);
        att = child && GSF_IS_INFILE(child) ? GSF_INFILE(child) : NULL;
        if (!att) {
            if (child)
                g_object_unref(child);
            continue;
        }
        error = prop_string(att, P_ATTACH_LONG_FILENAME, lim, &fname);
        if (error == 0 && !fname)
            error = prop_string(att, P_ATTACH_FILENAME, lim, &fname);
        substg(sname, P_ATTACH_DATA, 0x000D);
        obj = error == 0 ? gsf_infile_child_by_name(att, sname) : NULL;
        if (fname && *fname) /* else as the mail reader names them */
            snprintf(name, sizeof(name), "%s", fname);
        else
            snprintf(name, sizeof(name), "%s-%d",
                     obj && GSF_IS_INFILE(obj) ? "message" : "part", count);
        spoor_extract__sanitize_name(name);
        if (obj && GSF_IS_INFILE(obj)) { /* an attached message */
            error = embedded_as_eml(GSF_INFILE(obj), lim, &data);
            if (error == 0)
                error = spoor_doc__add_child_as(
                    doc, name, spoor_extract__format_name("eml"), data.ptr,
                    data.size, data.ptr);
            if (error == 0)
                memset(&data, 0, sizeof(data)); /* the child owns it */
        } else if (error == 0) {
            substg(sname, P_ATTACH_DATA, 0x0102);
            error = read_stream(att, sname, &data, lim);
            if (error == SPOOR_ELIMIT) {
                error = spoor_doc__add_skip(doc, name, SPOOR_ELIMIT,
                                            spoor_error_last()->message);
            } else if (error == 0 && !data.size) {
                error = spoor_doc__add_skip(doc, name, SPOOR_EUNSUPPORTED,
                                            "attachment by reference: no "
                                            "data in the file");
            } else if (error == 0) {
                error = spoor_doc__add_child(doc, name, data.ptr, data.size,
                                             data.ptr);
                if (error == 0)
                    memset(&data, 0, sizeof(data));
            }
        }
        if (obj)
            g_object_unref(obj);
        g_free(fname);
        spoor_buf_dispose(&data);
        g_object_unref(att);
    }
    return error;
}

static int extract_msg_here(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim)
{
    GsfInput *in;
    GsfInfile *ole;
    msg_fields f;
    char *from = NULL;
    int error = 0;

    pthread_once(&gsf_once, gsf_init_once);
    memset(&f, 0, sizeof(f));
    doc->has_text = 1;
    if (!(in = gsf_input_memory_new(d, (gsf_off_t)len, FALSE)))
        return spoor__error_oom();
    if (!(ole = gsf_infile_msole_new(in, NULL))) {
        g_object_unref(in);
        return spoor__error_set(SPOOR_EINVALID,
                                "not a readable OLE2 compound file");
    }
    SPOOR_TRY(read_fields(ole, 32, lim, &f));
    from = sender(&f);
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "From", from));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "To", f.to));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Cc", f.cc));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Date", f.submitted));
    SPOOR_TRY(spoor_doc__put_header(&doc->text, "Subject", f.subject));
    SPOOR_TRY(spoor_buf_puts(&doc->text, "\n"));
    doc->header_bytes = doc->text.size;
    SPOOR_TRY(read_body(ole, lim, &doc->text));
    if (f.submitted[0])
        SPOOR_TRY(spoor_doc__add_date(doc, "submitted", f.submitted,
                                      "MSG client submit time"));
    if (f.delivered[0])
        SPOOR_TRY(spoor_doc__add_date(doc, "delivered", f.delivered,
                                      "MSG delivery time"));
    if (f.created[0])
        SPOOR_TRY(spoor_doc__add_date(doc, "created", f.created,
                                      "MSG creation time"));
    if (f.modified[0])
        SPOOR_TRY(spoor_doc__add_date(doc, "modified", f.modified,
                                      "MSG modification time"));
    {
        const char *kv[] = {"from",        from,      "to",         f.to,
                            "subject",     f.subject, "message-id", f.msgid,
                            "in-reply-to", f.irt,     "references", f.refs};
        SPOOR_TRY(spoor_doc__add_metas(doc, kv, 6));
    }
    SPOOR_TRY(read_attachments(doc, ole, lim));
done:
    g_free(from);
    fields_free(&f);
    g_object_unref(ole);
    g_object_unref(in);
    return error;
}

/* libgsf is run in a child process (isolate.c), as for the other old OLE
 * readers: a crash or a hang costs this item only. */
static int extract_msg(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    doc->has_text = 1; /* the child's doc comes back without its flags */
    return spoor_extract__isolated(doc, d, len, lim, extract_msg_here,
                                   "libgsf");
}

const spoor_extractor spoor_ex_msg = {"msg", extract_msg, NULL};
