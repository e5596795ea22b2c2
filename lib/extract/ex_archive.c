/*
 * ex_archive.c: zip, tar (plain, gzip, bzip2, xz, zstd), 7z, rar, cpio, ar,
 * and single gzip/bzip2/xz/zstd streams, through libarchive.
 *
 * libarchive is given only the formats spoor means (no mtree, xar, warc and
 * the like, which would take a plain text for an archive). A single
 * compressed stream (gz, bz2, xz, zst) of text is that text: the item is
 * the text, format "gz" and so on; one of anything else holds it as a
 * member named "data".
 *
 * An archive has no text of its own; its members are streamed to the walker
 * one at a time (only one expanded member is in memory), named by their
 * path in the archive, with the member's mtime as an "archive-mtime" date.
 * Directories are structure, not items. Links, devices and encrypted
 * members are reported with their reason, never silently dropped. Bounds:
 * MAX_MEMBERS members, MAX_MEMBER_BYTES per member, MAX_EXPANDED_BYTES and
 * MAX_EXPANSION_RATIO (expanded over packed bytes, packed size counted as at
 * least 64 KiB) per archive; reaching the last three stops the archive,
 * keeping the members already read. Member names are only names: nothing
 * is ever written to a path taken from an archive.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

#include "extract_int.h"

#define READ_CHUNK 65536
#define MIN_PACKED_FOR_RATIO ((uint64_t)64 << 10)

static struct archive *open_archive(const unsigned char *d, size_t len)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_filter_all(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_ar(a);
    archive_read_support_format_iso9660(a);
    archive_read_support_format_raw(a);
    if (archive_read_open_memory(a, d, len) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Name the container by what libarchive finds in it: "zip", "tar.gz",
 * "7z", "gz" (a single compressed stream)... Static strings only. */
static const char *container_name(int format, int filter)
{
    static const struct {
        int filter;
        const char *tar, *raw;
    } filters[] = {
        {ARCHIVE_FILTER_NONE, "tar", "data"},
        {ARCHIVE_FILTER_GZIP, "tar.gz", "gz"},
        {ARCHIVE_FILTER_BZIP2, "tar.bz2", "bz2"},
        {ARCHIVE_FILTER_XZ, "tar.xz", "xz"},
        {ARCHIVE_FILTER_ZSTD, "tar.zst", "zst"},
        {ARCHIVE_FILTER_LZMA, "tar.lzma", "lzma"},
    };
    size_t i;
    switch (format & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_ZIP:
        return "zip";
    case ARCHIVE_FORMAT_7ZIP:
        return "7z";
    case ARCHIVE_FORMAT_RAR:
    case ARCHIVE_FORMAT_RAR_V5:
        return "rar";
    case ARCHIVE_FORMAT_CPIO:
        return "cpio";
    case ARCHIVE_FORMAT_AR:
        return "ar";
    case ARCHIVE_FORMAT_ISO9660:
        return "iso9660";
    case ARCHIVE_FORMAT_TAR:
    case ARCHIVE_FORMAT_RAW:
        for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
            if (filters[i].filter == filter)
                return (format & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR
                           ? filters[i].tar
                           : filters[i].raw;
        return "archive";
    default:
        return "archive";
    }
}

/*
 * The packed bytes behind what has been expanded so far: what libarchive
 * has read of the archive (archive_filter_bytes), at least
 * MIN_PACKED_FOR_RATIO, and at most the archive's size (packed). Judging
 * expansion against this, not the whole archive, stops a bomb early: ten
 * members of 1 GiB of zeros in a 10 MB zip once expanded 9 GiB before the
 * ratio against the whole file was reached; against what was read, the
 * first member stops within its first 64 MiB.
 */
static uint64_t read_so_far(struct archive *a, uint64_t packed)
{
    la_int64_t n = archive_filter_bytes(a, -1);
    uint64_t r = n > 0 ? (uint64_t)n : 0;
    if (r < MIN_PACKED_FOR_RATIO)
        r = MIN_PACKED_FOR_RATIO;
    return r < packed ? r : packed;
}

/* Read the current entry of a into out, up to `want` bytes, within the
 * bounds on one member and on expansion (packed: the input's size).
 * @return 0, or SPOOR_ELIMIT / SPOOR_EINVALID with the reason. */
static int read_entry(struct archive *a, spoor_buf *out, size_t want,
                      uint64_t packed, const spoor_limits *lim)
{
    int error;
    for (;;) {
        la_ssize_t n;
        if (out->size >= want)
            return 0;
        if ((error = spoor_buf_grow(out, READ_CHUNK)) < 0)
            return error;
        n = archive_read_data(a, out->ptr + out->size, READ_CHUNK);
        if (n == 0)
            return 0;
        if (n < 0)
            return spoor__error_set(SPOOR_EINVALID,
                                    "compressed stream is "
                                    "damaged: %s",
                                    archive_error_string(a)
                                        ? archive_error_string(a)
                                        : "read error");
        out->size += (size_t)n;
        out->ptr[out->size] = '\0';
        spoor_buf__wrote(out);
        if (out->size > lim->max_member_bytes)
            return spoor__error_set(SPOOR_ELIMIT,
                                    "decompressed text exceeds "
                                    "MAX_MEMBER_BYTES (%llu)",
                                    (unsigned long long)lim->max_member_bytes);
        if (out->size / packed >= lim->max_expansion_ratio)
            return spoor__error_set(
                SPOOR_ELIMIT,
                "stream expands more than MAX_EXPANSION_RATIO (%llu) times "
                "its size (a decompression bomb?)",
                (unsigned long long)lim->max_expansion_ratio);
    }
}

/* Members (and single streams) held in memory at most: a longer one is
 * read into a temporary file. */
#define MEMBER_SPILL_BYTES ((size_t)32 << 20)

/* A single compressed stream of text is that text: the first 64 KiB say
 * whether it is text, and then the whole of it is read as a text file. */
static int stream_text(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim, int *is_text)
{
    spoor_buf b = SPOOR_BUF_INIT;
    spoor_input saved;
    struct archive *a = open_archive(d, len);
    struct archive_entry *e;
    uint64_t packed = len < MIN_PACKED_FOR_RATIO ? MIN_PACKED_FOR_RATIO : len;
    int error = 0;

    *is_text = 0;
    if (!a)
        return 0;
    if (archive_read_next_header(a, &e) < ARCHIVE_WARN)
        goto done;
    /* a long stream goes to a temporary file as it is read (buf.c) */
    SPOOR_TRY(
        spoor_buf__spill_over(&b, spoor__spill_bound(MEMBER_SPILL_BYTES)));
    SPOOR_TRY(read_entry(a, &b, READ_CHUNK, packed, lim));
    if (!b.size || strcmp(spoor_detect(b.ptr, b.size), "text"))
        goto done;
    *is_text = 1;
    SPOOR_TRY(read_entry(a, &b, SIZE_MAX, packed, lim));
    /* decoding hands back the pages of a stream in a temporary file, as
     * for a mapped input */
    spoor_buf__as_input(&saved, &b);
    error =
        spoor_ex_text.extract(doc, (const unsigned char *)b.ptr, b.size, lim);
    spoor__input_restore(&saved);
done:
    spoor_buf_dispose(&b);
    archive_read_free(a);
    return error;
}

static int extract_archive(spoor_doc *doc, const unsigned char *d, size_t len,
                           const spoor_limits *lim)
{
    struct archive *a = open_archive(d, len);
    struct archive_entry *e;
    int format = 0, filter = 0, is_text = 0, error = 0;
    doc->has_text = 1; /* no text of its own; members carry it */
    doc->format = "archive";
    if (!a)
        return 0; /* stream_members reports why */
    if (archive_read_next_header(a, &e) >= ARCHIVE_WARN) {
        format = archive_format(a);
        filter = archive_filter_code(a, 0);
        doc->format = container_name(format, filter);
    }
    archive_read_free(a);
    if ((format & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW &&
        filter != ARCHIVE_FILTER_NONE) {
        const char *name = doc->format;
        error = stream_text(doc, d, len, lim, &is_text);
        doc->format = name;
        if (is_text)
            doc->streams_children = 0; /* the text is the item's own */
    }
    return error;
}

static void iso_time(time_t t, char out[32])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        snprintf(out, 32, "1970-01-01T00:00:00Z");
    else
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int skip_member(spoor_child_sink sink, void *payload, const char *name,
                       int code, const char *reason)
{
    spoor_child_event ev = {name, NULL, 0, NULL, code, reason, NULL};
    return sink(payload, &ev);
}

/* Hand member ev (its bytes in buf) to sink; the passes over a member in
 * a temporary file hand its pages back, as for a mapped input. */
static int sink_member(spoor_child_sink sink, void *payload,
                       const spoor_child_event *ev, const spoor_buf *buf)
{
    spoor_input saved;
    int error;
    spoor_buf__as_input(&saved, buf);
    error = sink(payload, ev);
    spoor__input_restore(&saved);
    return error;
}

static int stream_members(const unsigned char *d, size_t len,
                          const spoor_limits *lim, spoor_child_sink sink,
                          void *payload)
{
    struct archive *a = open_archive(d, len);
    struct archive_entry *e;
    spoor_buf buf = SPOOR_BUF_INIT;
    uint64_t members = 0, expanded = 0, dirs = 0;
    uint64_t packed = len < MIN_PACKED_FOR_RATIO ? MIN_PACKED_FOR_RATIO : len;
    char reason[512], name[1024];
    int error = 0, rc;

    if (!a)
        return spoor__error_set(SPOOR_EINVALID, "archive cannot be opened");
    /* a long member goes to a temporary file as it is read (buf.c) */
    if ((error = spoor_buf__spill_over(
             &buf, spoor__spill_bound(MEMBER_SPILL_BYTES))) < 0)
        goto done;
    while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
           rc == ARCHIVE_WARN) {
        const char *path = archive_entry_pathname_utf8(e);
        mode_t type = archive_entry_filetype(e);
        char mtime[32];

        if (!path)
            path = archive_entry_pathname(e);
        while (path && path[0] == '.' && path[1] == '/')
            path += 2; /* "./a.txt" is "a.txt" */
        snprintf(name, sizeof(name), "%s", path && *path ? path : "data");
        spoor_extract__sanitize_name(name);
        if (type == AE_IFDIR) {
            dirs++;
            continue;
        }
        if (++members > lim->max_members) {
            error = spoor__error_set(SPOOR_ELIMIT,
                                     "archive has more than MAX_MEMBERS "
                                     "(%llu) members; the rest is not read",
                                     (unsigned long long)lim->max_members);
            break;
        }
        if (archive_entry_hardlink(e)) {
            snprintf(reason, sizeof(reason), "hard link to '%s' not followed",
                     archive_entry_hardlink(e));
            error =
                skip_member(sink, payload, name, SPOOR_EUNSUPPORTED, reason);
        } else if (type == AE_IFLNK) {
            const char *t = archive_entry_symlink(e);
            snprintf(reason, sizeof(reason),
                     "symbolic link to '%s' not followed", t ? t : "");
            error =
                skip_member(sink, payload, name, SPOOR_EUNSUPPORTED, reason);
        } else if (type != AE_IFREG && type != 0) {
            error = skip_member(sink, payload, name, SPOOR_EUNSUPPORTED,
                                "device, fifo or socket member: not a "
                                "regular file");
        } else if (archive_entry_is_encrypted(e)) {
            error = skip_member(sink, payload, name, SPOOR_EUNSUPPORTED,
                                "encrypted member: cannot be read without "
                                "the password");
        } else if (archive_entry_size_is_set(e) &&
                   (uint64_t)archive_entry_size(e) > lim->max_member_bytes) {
            snprintf(reason, sizeof(reason),
                     "member of %lld bytes exceeds MAX_MEMBER_BYTES (%llu)",
                     (long long)archive_entry_size(e),
                     (unsigned long long)lim->max_member_bytes);
            error = skip_member(sink, payload, name, SPOOR_ELIMIT, reason);
        } else {
            /* read the member, watching every bound as bytes arrive */
            int over = 0;
            spoor_buf_clear(&buf);
            for (;;) {
                la_ssize_t n;
                if ((error = spoor_buf_grow(&buf, READ_CHUNK)) < 0)
                    goto done;
                n = archive_read_data(a, buf.ptr + buf.size, READ_CHUNK);
                if (n == 0)
                    break;
                if (n < 0) {
                    snprintf(reason, sizeof(reason), "member is damaged: %s",
                             archive_error_string(a) ? archive_error_string(a)
                                                     : "read error");
                    over = SPOOR_EINVALID;
                    break;
                }
                buf.size += (size_t)n;
                expanded += (uint64_t)n;
                spoor_buf__wrote(&buf);
                /* what was read of a mapped archive goes back too */
                spoor__input_done(d + read_so_far(a, len));
                if (buf.size > lim->max_member_bytes) {
                    snprintf(reason, sizeof(reason),
                             "member exceeds MAX_MEMBER_BYTES (%llu)",
                             (unsigned long long)lim->max_member_bytes);
                    over = SPOOR_ELIMIT;
                    break;
                }
                if (expanded > lim->max_expanded_bytes) {
                    error = spoor__error_set(
                        SPOOR_ELIMIT,
                        "archive expands past MAX_EXPANDED_BYTES (%llu); "
                        "the rest is not read",
                        (unsigned long long)lim->max_expanded_bytes);
                    goto done;
                }
                if (expanded / read_so_far(a, packed) >=
                    lim->max_expansion_ratio) {
                    error = spoor__error_set(
                        SPOOR_ELIMIT,
                        "archive expands more than MAX_EXPANSION_RATIO "
                        "(%llu) times its size (a decompression bomb?): "
                        "%llu bytes from %llu read; the rest is not read",
                        (unsigned long long)lim->max_expansion_ratio,
                        (unsigned long long)expanded,
                        (unsigned long long)archive_filter_bytes(a, -1));
                    goto done;
                }
            }
            if (over) {
                error = skip_member(sink, payload, name, over, reason);
            } else {
                spoor_child_event ev = {
                    name, buf.ptr ? buf.ptr : "", buf.size, NULL, 0, NULL,
                    NULL};
                if (archive_entry_mtime_is_set(e)) {
                    iso_time(archive_entry_mtime(e), mtime);
                    ev.mtime = mtime;
                }
                error = sink_member(sink, payload, &ev, &buf);
            }
        }
        if (error < 0)
            goto done;
    }
    if (rc == ARCHIVE_FATAL)
        error = spoor__error_set(
            SPOOR_EINVALID, "archive is damaged after %llu members: %s",
            (unsigned long long)members,
            archive_error_string(a) ? archive_error_string(a)
                                    : "unreadable header");
    else if (members == 0 && len > 0) { /* nothing silent */
        snprintf(reason, sizeof(reason),
                 "%llu bytes that hold no file (%llu folders): nothing in "
                 "them was read",
                 (unsigned long long)len, (unsigned long long)dirs);
        error =
            skip_member(sink, payload, "(no members)", SPOOR_EINVALID, reason);
    }
done:
    spoor_buf_dispose(&buf);
    archive_read_free(a);
    return error;
}

const spoor_extractor spoor_ex_archive = {"archive", extract_archive,
                                          stream_members};
