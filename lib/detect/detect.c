/*
 * detect.c: format detection from the bytes (see detect.h).
 *
 * Kept apart from the extractors so that deciding what an input is never
 * needs the libraries that read it: `spoor check` of a plain-text file
 * loads none of them.
 */
#include <string.h>
#include <strings.h>

#include "detect.h"

#define TEXT_SAMPLE_BYTES 65536

int spoor_detect__bom(const unsigned char *d, size_t len)
{
    if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        return 3;
    if (len >= 2 &&
        ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF)))
        return 2;
    return 0;
}

static int has_magic(const unsigned char *d, size_t len, size_t off,
                     const char *magic, size_t n)
{
    return len >= off + n && memcmp(d + off, magic, n) == 0;
}

int spoor_detect__empty(const unsigned char *d, size_t len)
{
    (void)d;
    return len == 0;
}

int spoor_detect__never(const unsigned char *d, size_t len)
{
    (void)d;
    (void)len;
    return 0;
}

int spoor_detect__binary(const unsigned char *d, size_t len)
{
    (void)d;
    (void)len;
    return 1;
}

/* ==== Documents ==== */

int spoor_detect__pdf(const unsigned char *d, size_t len)
{
    size_t n = len < 1024 ? len : 1024;
    return n >= 5 && memmem(d, n, "%PDF-", 5) != NULL;
}

int spoor_detect__rtf(const unsigned char *d, size_t len)
{
    return len >= 5 && memcmp(d, "{\\rtf", 5) == 0;
}

/* Little-endian integers of a zip's records. */
static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static size_t get32(const unsigned char *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
           (size_t)p[3] << 24;
}

/* What a zip's central directory says about a package. */
typedef struct zip_kind {
    int content_types, word, xl, ppt; /* OOXML parts */
    const char *odf;                  /* from the mimetype member */
} zip_kind;

/* The first entries a package needs are listed early; a directory of more
 * entries than this is looked at no further. */
#define ZIP_NAMES_MAX 4096

/* The OpenDocument kind that a stored "mimetype" member at local header
 * offset off names, or NULL. */
static const char *odf_mimetype(const unsigned char *d, size_t len, size_t off)
{
    static const struct {
        const char *mime, *kind;
    } kinds[] = {
        {"application/vnd.oasis.opendocument.text", "odt"},
        {"application/vnd.oasis.opendocument.text-template", "odt"},
        {"application/vnd.oasis.opendocument.spreadsheet", "ods"},
        {"application/vnd.oasis.opendocument.spreadsheet-template", "ods"},
        {"application/vnd.oasis.opendocument.presentation", "odp"},
        {"application/vnd.oasis.opendocument.presentation-template", "odp"},
    };
    size_t data, n, i;
    if (off > len || len - off < 30 || memcmp(d + off, "PK\x03\x04", 4) ||
        get16(d + off + 8) != 0) /* stored, as the format requires */
        return NULL;
    data = off + 30 + get16(d + off + 26) + get16(d + off + 28);
    n = get32(d + off + 18);
    if (data > len || n > len - data || n > 100)
        return NULL;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (n == strlen(kinds[i].mime) && !memcmp(d + data, kinds[i].mime, n))
            return kinds[i].kind;
    return NULL;
}

/* Read the central directory of zip d into k: 0 if d is not a zip with an
 * end record and a directory inside it. Every offset is checked. */
static int zip_directory(const unsigned char *d, size_t len, zip_kind *k)
{
    size_t end, lo, cd, cd_size, p, entries, i;
    memset(k, 0, sizeof(*k));
    if (len < 22 || memcmp(d, "PK\x03\x04", 4) != 0)
        return 0;
    lo = len > 22 + 65535 ? len - 22 - 65535 : 0;
    for (end = len - 22;; end--) { /* the end record, from the end */
        if (!memcmp(d + end, "PK\x05\x06", 4))
            break;
        if (end == lo)
            return 0;
    }
    entries = get16(d + end + 10);
    cd_size = get32(d + end + 12);
    cd = get32(d + end + 16);
    if (cd > end || cd_size > end - cd)
        return 0;
    for (i = 0, p = cd; i < entries && i < ZIP_NAMES_MAX; i++) {
        size_t n, extra, comment;
        const char *name;
        if (p > end || end - p < 46 || memcmp(d + p, "PK\x01\x02", 4))
            break;
        n = get16(d + p + 28);
        extra = get16(d + p + 30);
        comment = get16(d + p + 32);
        if (n > end - p - 46)
            break;
        name = (const char *)d + p + 46;
#define NAME_IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
        if (NAME_IS("[Content_Types].xml"))
            k->content_types = 1;
        else if (NAME_IS("word/document.xml"))
            k->word = 1;
        else if (NAME_IS("xl/workbook.xml"))
            k->xl = 1;
        else if (NAME_IS("ppt/presentation.xml"))
            k->ppt = 1;
        else if (NAME_IS("mimetype"))
            k->odf = odf_mimetype(d, len, get32(d + p + 42));
#undef NAME_IS
        p += 46 + n + extra + comment;
    }
    return 1;
}

/* A package is decided from its central directory's member names (and an
 * OpenDocument's mimetype member), never from bytes found anywhere in it:
 * a zip that stores a .docx uncompressed is a zip holding a docx. */
const char *spoor_detect__ooxml_kind(const unsigned char *d, size_t len)
{
    zip_kind k;
    if (!zip_directory(d, len, &k) || !k.content_types)
        return NULL;
    return k.word ? "docx" : k.xl ? "xlsx" : k.ppt ? "pptx" : NULL;
}

int spoor_detect__ooxml(const unsigned char *d, size_t len)
{
    return spoor_detect__ooxml_kind(d, len) != NULL;
}

const char *spoor_detect__odf_kind(const unsigned char *d, size_t len)
{
    zip_kind k;
    return zip_directory(d, len, &k) ? k.odf : NULL;
}

int spoor_detect__odf(const unsigned char *d, size_t len)
{
    return spoor_detect__odf_kind(d, len) != NULL;
}

const char *spoor_detect__flat_odf_kind(const unsigned char *d, size_t len)
{
    static const struct {
        const char *mime, *kind;
    } kinds[] = {
        {"office:mimetype=\"application/vnd.oasis.opendocument.text\"", "fodt"},
        {"office:mimetype=\"application/vnd.oasis.opendocument.spreadsheet\"",
         "fods"},
        {"office:mimetype=\"application/vnd.oasis.opendocument.presentation\"",
         "fodp"},
    };
    size_t n = len < 4096 ? len : 4096, i,
           b = (size_t)spoor_detect__bom(d, len);
    if (n < b + 5 || memcmp(d + b, "<?xml", 5) ||
        !memmem(d, n, "<office:document", 16))
        return NULL;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (memmem(d, n, kinds[i].mime, strlen(kinds[i].mime)))
            return kinds[i].kind;
    return NULL;
}

int spoor_detect__flat_odf(const unsigned char *d, size_t len)
{
    return spoor_detect__flat_odf_kind(d, len) != NULL;
}

static const unsigned char ole_magic[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                           0xA1, 0xB1, 0x1A, 0xE1};

int spoor_detect__is_ole(const unsigned char *d, size_t len)
{
    return len >= 512 && memcmp(d, ole_magic, 8) == 0;
}

int spoor_detect__ole_has_stream(const unsigned char *d, size_t len,
                                 const char *name)
{
    unsigned char w[64];
    size_t n = strlen(name), i;
    if (n > sizeof(w) / 2)
        n = sizeof(w) / 2;
    for (i = 0; i < n; i++) {
        w[2 * i] = (unsigned char)name[i];
        w[2 * i + 1] = 0;
    }
    return memmem(d, len, w, 2 * n) != NULL;
}

int spoor_detect__image(const unsigned char *d, size_t len)
{
    return has_magic(d, len, 0, "\x89PNG\r\n\x1a\n", 8) ||
           has_magic(d, len, 0, "\xff\xd8\xff", 3) ||
           has_magic(d, len, 0, "II*\x00", 4) ||
           has_magic(d, len, 0, "MM\x00*", 4);
}

int spoor_detect__msg(const unsigned char *d, size_t len)
{
    return spoor_detect__is_ole(d, len) &&
           spoor_detect__ole_has_stream(d, len, "__properties_version1.0") &&
           spoor_detect__ole_has_stream(d, len, "__substg1.0_");
}

int spoor_detect__xls(const unsigned char *d, size_t len)
{
    return spoor_detect__is_ole(d, len) &&
           (spoor_detect__ole_has_stream(d, len, "Workbook") ||
            spoor_detect__ole_has_stream(d, len, "Book")) &&
           !spoor_detect__ole_has_stream(d, len, "WordDocument");
}

int spoor_detect__doc(const unsigned char *d, size_t len)
{
    return spoor_detect__is_ole(d, len) &&
           spoor_detect__ole_has_stream(d, len, "WordDocument");
}

/* ==== Containers ==== */

int spoor_detect__pst(const unsigned char *d, size_t len)
{
    return len >= 564 && memcmp(d, "!BDN", 4) == 0 &&
           (memcmp(d + 8, "SM", 2) == 0 || memcmp(d + 8, "SO", 2) == 0);
}

/* Zips whose members make them OOXML documents are not archives. */
int spoor_detect__archive(const unsigned char *d, size_t len)
{
    if (has_magic(d, len, 0, "PK\x03\x04", 4) ||
        has_magic(d, len, 0, "PK\x05\x06", 4))
        return !spoor_detect__ooxml(d, len);
    return has_magic(d, len, 257, "ustar", 5) ||
           has_magic(d, len, 0, "\x1f\x8b", 2) ||
           has_magic(d, len, 0, "BZh", 3) ||
           has_magic(d, len, 0,
                     "\xfd"
                     "7zXZ\x00",
                     6) ||
           has_magic(d, len, 0, "7z\xbc\xaf\x27\x1c", 6) ||
           has_magic(d, len, 0, "Rar!\x1a\x07", 6) ||
           has_magic(d, len, 0, "\x28\xb5\x2f\xfd", 4) ||
           has_magic(d, len, 0, "070707", 6) ||
           has_magic(d, len, 0, "070701", 6) ||
           has_magic(d, len, 0, "070702", 6) ||
           has_magic(d, len, 0, "!<arch>\n", 8) ||
           has_magic(d, len, 32769, "CD001", 5); /* ISO 9660 */
}

/* ==== Mail ==== */

static int is_header_name_char(unsigned char c)
{
    return c > 32 && c < 127 && c != ':';
}

/* Length of a header field name at d followed by ':', or 0. */
static size_t header_name_len(const unsigned char *d, size_t len)
{
    size_t i = 0;
    while (i < len && i < 78 && is_header_name_char(d[i]))
        i++;
    return (i > 0 && i < len && d[i] == ':') ? i : 0;
}

int spoor_detect__eml(const unsigned char *d, size_t len)
{
    static const char *const known[] = {
        "from",         "to",           "subject",        "date",
        "message-id",   "received",     "mime-version",   "return-path",
        "delivered-to", "content-type", "dkim-signature", "cc",
        "reply-to",     "x-mailer",     "sender",         NULL};
    size_t i = 0, lim = len < 65536 ? len : 65536;
    int hits = 0, k;

    if (!header_name_len(d, lim))
        return 0;
    while (i < lim) {
        size_t n, eol;
        if (d[i] == '\n' || (d[i] == '\r' && i + 1 < lim && d[i + 1] == '\n'))
            break; /* end of header block */
        if (d[i] != ' ' && d[i] != '\t') {
            if (!(n = header_name_len(d + i, lim - i)))
                return 0;
            for (k = 0; known[k]; k++)
                if (strlen(known[k]) == n &&
                    !strncasecmp((const char *)d + i, known[k], n))
                    hits++;
        }
        for (eol = i; eol < lim && d[eol] != '\n'; eol++)
            ;
        i = eol + 1;
    }
    return hits >= 2;
}

int spoor_detect__mbox_from_line(const unsigned char *d, size_t len, size_t i)
{
    return len - i >= 5 && memcmp(d + i, "From ", 5) == 0 &&
           (i == 0 || (i >= 2 && d[i - 1] == '\n' &&
                       (d[i - 2] == '\n' ||
                        (i >= 3 && d[i - 2] == '\r' && d[i - 3] == '\n'))));
}

int spoor_detect__mbox(const unsigned char *d, size_t len)
{
    size_t eol;
    if (!spoor_detect__mbox_from_line(d, len, 0))
        return 0;
    for (eol = 0; eol < len && eol < 1024 && d[eol] != '\n'; eol++)
        ;
    if (eol >= len || d[eol] != '\n')
        return 0;
    return header_name_len(d + eol + 1, len - eol - 1) > 0;
}

/* ==== Text ==== */

int spoor_detect__html(const unsigned char *d, size_t len)
{
    size_t i = 0, n = len < 1024 ? len : 1024;
    char head[1025];
    if (spoor_detect__bom(d, n) == 3) /* UTF-8 */
        i = 3;
    while (i < n &&
           (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (i >= n || d[i] != '<')
        return 0;
    memcpy(head, d, n);
    head[n] = '\0';
    for (i = 0; i < n; i++)
        if (head[i] == '\0')
            return 0;
    return strcasestr(head, "<!doctype html") || strcasestr(head, "<html") ||
           strcasestr(head, "<body") || strcasestr(head, "<head");
}

/* A sample of the first 64 KiB holding a NUL byte, or more than 1 % C0
 * control bytes other than tab, line feed, form feed, carriage return,
 * vertical tab and escape, is binary (unless it has a BOM). */
int spoor_detect__text(const unsigned char *d, size_t len)
{
    size_t n = len < TEXT_SAMPLE_BYTES ? len : TEXT_SAMPLE_BYTES, i, ctl = 0;
    if (spoor_detect__bom(d, len))
        return 1;
    for (i = 0; i < n; i++) {
        unsigned char c = d[i];
        if (c == 0)
            return 0;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' &&
             c != '\v' && c != 0x1b) ||
            c == 0x7f)
            ctl++;
    }
    return ctl * 100 <= n;
}
