/*
 * ex_text.c: plain text (with encoding detection), empty and binary items.
 *
 * Encoding is decided from the bytes, in this order, and always recorded:
 * a byte-order mark (UTF-8, UTF-16LE, UTF-16BE); valid UTF-8; otherwise
 * windows-1252 (a superset of Latin-1 for printable text), with a warning
 * saying the encoding was a fallback. Invalid sequences inside a declared
 * encoding become U+FFFD and are counted in the warning.
 *
 * Text vs binary: a sample of the first 64 KiB holding a NUL byte, or more
 * than 1 % C0 control bytes other than tab, line feed, form feed, carriage
 * return, vertical tab and escape, is binary (unless it has a BOM).
 */
#include <stdio.h>
#include <string.h>

#include "../detect/detect.h"
#include "extract_int.h"

/* Length of the valid UTF-8 sequence at d (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *d, size_t len)
{
    unsigned char c = d[0];
    uint32_t cp;
    size_t n, i;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((d[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (d[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/* Whether the 16 bytes at d are all ASCII. */
static inline int ascii16(const unsigned char *d)
{
    uint64_t a, b;
    memcpy(&a, d, 8);
    memcpy(&b, d + 8, 8);
    return !((a | b) & 0x8080808080808080ULL);
}

int spoor_text__valid_utf8(const unsigned char *d, size_t len)
{
    size_t i = 0, n, stop;
    while (i < len) {
        /* a window at a time, handing back the input's pages read */
        stop = len - i > SPOOR_PASS_WINDOW ? i + SPOOR_PASS_WINDOW : len;
        while (i < stop) {
            /* runs of ASCII, the common case, 16 bytes at a time: this was
             * called byte by byte on every text, twice, and was 3 % of
             * ingest */
            while (stop - i >= 16 && ascii16(d + i))
                i += 16;
            if (i >= stop)
                break;
            if (d[i] < 0x80) {
                i++;
                continue;
            }
            if (!(n = utf8_seq(d + i, len - i)))
                return 0;
            i += n;
        }
        spoor__input_done(d + i);
    }
    return 1;
}

int spoor_text__put_cp(spoor_buf *out, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return spoor_buf_put(out, u, n);
}

/* Copy UTF-8, replacing invalid sequences with U+FFFD; counts them. */
static int decode_utf8(spoor_buf *out, const unsigned char *d, size_t len,
                       size_t *bad)
{
    size_t i = 0, n, run;
    int error;
    while (i < len) {
        for (run = i; run < len && d[run] < 0x80; run++)
            ;
        if (run > i && (error = spoor_buf_put(out, d + i, run - i)) < 0)
            return error;
        i = run;
        if (i >= len)
            break;
        if ((n = utf8_seq(d + i, len - i))) {
            error = spoor_buf_put(out, d + i, n);
            i += n;
        } else {
            (*bad)++;
            error = spoor_text__put_cp(out, 0xFFFD);
            i++;
        }
        if (error < 0)
            return error;
    }
    return 0;
}

static int decode_utf16(spoor_buf *out, const unsigned char *d, size_t len,
                        int big_endian, size_t *bad)
{
    size_t i;
    int error;
    for (i = 0; i + 1 < len; i += 2) {
        uint32_t u = big_endian ? (uint32_t)(d[i] << 8 | d[i + 1])
                                : (uint32_t)(d[i + 1] << 8 | d[i]);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
            uint32_t lo = big_endian ? (uint32_t)(d[i + 2] << 8 | d[i + 3])
                                     : (uint32_t)(d[i + 3] << 8 | d[i + 2]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                u = 0xFFFD, (*bad)++;
            }
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            u = 0xFFFD, (*bad)++;
        }
        if ((error = spoor_text__put_cp(out, u)) < 0)
            return error;
        if (i % SPOOR_PASS_WINDOW >= SPOOR_PASS_WINDOW - 4)
            spoor__input_done(d + i);
    }
    if (len & 1)
        (*bad)++;
    return 0;
}

/* windows-1252 0x80..0x9F; undefined bytes keep their Latin-1 value. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

uint32_t spoor_text__cp1252(unsigned char b)
{
    return b >= 0x80 && b < 0xA0 ? cp1252_high[b - 0x80] : b;
}

static int decode_cp1252(spoor_buf *out, const unsigned char *d, size_t len)
{
    size_t i;
    int error;
    for (i = 0; i < len; i++) {
        if ((error = spoor_text__put_cp(out, spoor_text__cp1252(d[i]))) < 0)
            return error;
        if (i % SPOOR_PASS_WINDOW == SPOOR_PASS_WINDOW - 1)
            spoor__input_done(d + i + 1);
    }
    return 0;
}

int spoor_text__decode_utf8(spoor_buf *out, const unsigned char *d, size_t len)
{
    size_t bad = 0;
    int error = decode_utf8(out, d, len, &bad);
    if (error < 0)
        return error;
    return (int)(bad > (size_t)INT32_MAX ? INT32_MAX : bad);
}

int spoor_text__decode(spoor_buf *out, const unsigned char *d, size_t len,
                       const char **encoding_out)
{
    size_t bad = 0;
    int error;

    if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
        *encoding_out = "utf-8";
        error = decode_utf8(out, d + 3, len - 3, &bad);
    } else if (len >= 2 && d[0] == 0xFF && d[1] == 0xFE) {
        *encoding_out = "utf-16le";
        error = decode_utf16(out, d + 2, len - 2, 0, &bad);
    } else if (len >= 2 && d[0] == 0xFE && d[1] == 0xFF) {
        *encoding_out = "utf-16be";
        error = decode_utf16(out, d + 2, len - 2, 1, &bad);
    } else if (spoor_text__valid_utf8(d, len)) {
        *encoding_out = "utf-8";
        error = spoor_buf_put(out, d, len);
    } else {
        *encoding_out = "windows-1252";
        error = decode_cp1252(out, d, len);
    }
    if (error < 0)
        return error;
    return (int)(bad > (size_t)INT32_MAX ? INT32_MAX : bad);
}

static int extract_text(spoor_doc *doc, const unsigned char *d, size_t len,
                        const spoor_limits *lim)
{
    (void)lim;
    char note[160];
    int bad = spoor_text__decode(&doc->text, d, len, &doc->encoding);
    if (bad < 0)
        return bad;
    doc->has_text = 1;
    if (strcmp(doc->encoding, "windows-1252") == 0)
        snprintf(note, sizeof(note),
                 "not valid UTF-8 and no byte-order mark: decoded as "
                 "windows-1252 (fallback)");
    else if (bad > 0)
        snprintf(note, sizeof(note),
                 "%d invalid %s sequences replaced with U+FFFD", bad,
                 doc->encoding);
    else
        return 0;
    if (!(doc->warning = spoor__strdup(note)))
        return spoor__error_oom();
    return 0;
}

static int extract_empty(spoor_doc *doc, const unsigned char *d, size_t len,
                         const spoor_limits *lim)
{
    (void)lim;
    (void)d;
    (void)len;
    doc->has_text = 1;
    return 0;
}

static int extract_binary(spoor_doc *doc, const unsigned char *d, size_t len,
                          const spoor_limits *lim)
{
    (void)lim;
    (void)d;
    (void)len;
    doc->has_text = 0;
    return 0;
}

const spoor_extractor spoor_ex_text = {"text", extract_text, NULL};
const spoor_extractor spoor_ex_empty = {"empty", extract_empty, NULL};
const spoor_extractor spoor_ex_binary = {"binary", extract_binary, NULL};
