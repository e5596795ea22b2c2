/*
 * segment.c: immutable, memory-mapped, sorted postings segments (the
 * Lucene / zoekt design; see spoor/store.h for how the catalogue registers
 * them).
 *
 * File format, version 4, little endian:
 *   header (64 bytes): "SPOORSG4", u32 version, u32 dir_bits, u64 count,
 *                      u64 data_offset, u64 data_size, u32 key_bits (40),
 *                      u32 content_base, u64 id (random: the segment's
 *                      identity, which the catalogue records), u32
 *                      checksum of the 56 bytes before it, zero padding
 *   directory: (1 << dir_bits) + 1 u64: where each bucket starts in the
 *              data (the last one is data_size)
 *   data:      bucket by bucket, a u32 checksum, then the bucket's
 *              postings, sorted by (key, content, pos), delta-coded with
 *              LEB128 varints.
 * Checksums are the low 32 bits of XXH3-64 (libxxhash). A bucket's is
 * seeded with the segment's id and the bucket's number, so that a bucket
 * read from the wrong place, through a damaged directory entry or from
 * another segment, fails it as surely as a flipped bit does. Every bucket
 * read, by a lookup or a scan, is checked before a posting of it is
 * decoded: no answer is built from postings that were not verified.
 * The key of a fingerprint hash is its top KEY_BITS (40) bits; its top
 * dir_bits choose the bucket (dir_bits grows with the segment so that a
 * bucket holds about 32 postings) and the rest, the remainder, is coded.
 * A bucket is a run of key groups, one per key, in rising order:
 *   group:   (delta << 1 | many), then if many: count, bytes;
 *            then the group's postings (bytes of them when many)
 *   posting: the first of its group (content - content_base, pos); each
 *            next one the content's increase, then, if that is zero, the
 *            position's increase, and otherwise the position itself
 * where delta is the remainder itself for the bucket's first group, and
 * its increase (at least 1) after that. A posting costs about 7 bytes
 * instead of 16. A lookup steps over a whole group of another key in one
 * jump, however many items share that key (boilerplate: format 2 decoded
 * every posting of a bucket, and one common key of 5,000 postings in a
 * bucket made a check of the bench's 100k-item index 5 times slower).
 * Cutting hashes to 40 bits lets two fingerprints share a
 * key about once in 10^12 pairs: such a posting only proposes a candidate,
 * which matching verifies against the text before it counts.
 *
 * A lookup reads two directory words and one bucket, whatever the
 * segment's size, either through the map or with pread into the cursor. A
 * page fault on a mapped file costs far more than a small pread in a
 * virtual machine (about 80 us against 3 to 16 us on the bench machine),
 * while a page already mapped costs nothing. So a segment under 2 MiB is
 * read through the map (a check's few hundred lookups soon fault all of it
 * in), and a larger one with pread until it has had one lookup per 8 KiB
 * of it, through the map after that, when its pages are likely resident:
 * a `spoor check` of one file touches each page of a large segment once,
 * a check of many files keeps coming back. (Measured at 1 M items: three
 * 63 MB segments read through the map made a one-file check 39 ms instead
 * of 17; 20 segments of 1 MB read with pread made it 33 ms instead of 27.)
 * Merges scan through the map. Every varint is bounded by its bucket; a
 * damaged bucket is SPOOR_ECORRUPT, never a read outside the bucket.
 *
 * Crash safety: a segment is written to NAME.tmp, fsynced, renamed to NAME
 * and the folder fsynced; only then does the catalogue transaction that
 * registers it (with its items) commit. A crash before the commit leaves
 * at most an unregistered file, which readers never open and the next
 * writer deletes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "store_int.h"

#define SEG_MAGIC "SPOORSG4"
#define SEG_MAGIC_OLD "SPOORSG" /* + '1' to '3': formats no longer read */
#define SEG_VERSION 4
#define CHECK_SIZE 4 /* a bucket's checksum */
#define HEADER_SIZE 64
#define MIN_DIR_BITS 4
#define MAX_DIR_BITS 22
#define POSTINGS_PER_BUCKET 32

static int cmp_entry(const void *a, const void *b)
{
    const spoor_seg_entry *x = a, *y = b;
    uint64_t kx = SPOOR_SEG_KEY(x->hash), ky = SPOOR_SEG_KEY(y->hash);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if (x->content != y->content)
        return x->content < y->content ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The checksum of bucket b of the segment with identity id. */
static uint32_t bucket_check(uint64_t id, uint64_t b, const void *p, size_t n)
{
    return (uint32_t)XXH3_64bits_withSeed(p, n,
                                          id ^ (b * 0x9e3779b97f4a7c15ULL));
}

/* The checksum of a header (of its first 56 bytes). */
static uint32_t header_check(const unsigned char *head)
{
    return (uint32_t)XXH3_64bits(head, 56);
}

/* Directory bits for a segment of count postings. */
static unsigned dir_bits_for(uint64_t count)
{
    unsigned bits = MIN_DIR_BITS;
    while (bits < MAX_DIR_BITS &&
           ((uint64_t)POSTINGS_PER_BUCKET << bits) < count)
        bits++;
    return bits;
}

static size_t data_offset_for(unsigned bits)
{
    return HEADER_SIZE + (((size_t)1 << bits) + 1) * 8;
}

int spoor_segment__sort(spoor_seg_entry *e, size_t n)
{
    size_t i;
    int error;
    /* postings arrive item by item (content ids rising), each item's by
     * (key, pos): a stable sort on the key alone then gives the order */
    if ((error = spoor__sort_key40(e, n, sizeof(*e))) < 0)
        return error;
    for (i = 1; i < n; i++)
        if (cmp_entry(&e[i - 1], &e[i]) > 0) {
            spoor__sort(e, n, sizeof(*e), cmp_entry);
            break;
        }
    return 0;
}

/* spoor__write_all, failing with an error that names the segment. */
static int write_all(int fd, const void *p, size_t n, const char *path)
{
    if (spoor__write_all(fd, p, n) < 0)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", path,
                                strerror(errno));
    return 0;
}

/* A writer streams sorted entries into NAME.tmp and builds the directory. */
typedef struct seg_writer {
    int fd;
    char *tmp, *final;
    unsigned bits; /* dir_bits */
    uint64_t *dir; /* (1 << bits) + 1 bucket starts */
    uint64_t count, max_count, data_size;
    uint64_t open_bucket; /* the bucket being filled, in bkt */
    uint64_t id;          /* the segment's identity */
    unsigned char *bkt;   /* its postings until it is sealed */
    size_t n_bkt, cap_bkt;
    uint32_t base; /* content_base */
    spoor_seg_entry prev;
    /* the key group being written: its postings wait in group until the
     * key changes, so that its header can give their count and size */
    int have_group, bucket_started; /* bucket_started: a group written */
    uint64_t g_rem, g_n, prev_rem;
    unsigned char *group;
    size_t n_group, cap_group;
    unsigned char buf[65536];
    size_t n_buf;
} seg_writer;

static int writer_flush(seg_writer *w)
{
    int error = 0;
    if (w->n_buf)
        error = write_all(w->fd, w->buf, w->n_buf, w->tmp);
    w->n_buf = 0;
    return error;
}

/* Open NAME.tmp for at most max_count postings whose smallest content id is
 * base. */
static int writer_open(seg_writer *w, const char *dir, const char *name,
                       uint64_t max_count, uint32_t base)
{
    size_t n = strlen(dir) + strlen(name) + 8;
    memset(w, 0, offsetof(seg_writer, buf));
    w->n_buf = 0;
    w->fd = -1;
    w->bits = dir_bits_for(max_count);
    w->max_count = max_count;
    if (getrandom(&w->id, sizeof(w->id), 0) != sizeof(w->id)) {
        struct timespec t; /* no entropy yet: unique enough for an id */
        clock_gettime(CLOCK_REALTIME, &t);
        w->id = (uint64_t)t.tv_sec * 1000000007ULL ^ (uint64_t)t.tv_nsec ^
                (uint64_t)getpid() << 40;
    }
    w->base = base;
    w->tmp = spoor__malloc(n);
    w->final = spoor__malloc(n);
    w->dir = spoor__calloc(((size_t)1 << w->bits) + 1, sizeof(uint64_t));
    if (!w->tmp || !w->final || !w->dir)
        return spoor__error_oom();
    snprintf(w->final, n, "%s/%s", dir, name);
    snprintf(w->tmp, n, "%s/%s.tmp", dir, name);
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", w->tmp,
                                strerror(errno));
    if (lseek(w->fd, (off_t)data_offset_for(w->bits), SEEK_SET) < 0)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", w->tmp,
                                strerror(errno));
    return 0;
}

/* Append n bytes to the file's data. */
static int emit(seg_writer *w, const void *src, size_t n)
{
    const unsigned char *p = src;
    int error;
    while (n) {
        size_t k = sizeof(w->buf) - w->n_buf;
        if (k == 0) {
            if ((error = writer_flush(w)) < 0)
                return error;
            continue;
        }
        if (k > n)
            k = n;
        memcpy(w->buf + w->n_buf, p, k);
        w->n_buf += k;
        w->data_size += k;
        p += k;
        n -= k;
    }
    return 0;
}

/* Append n bytes to the open bucket. */
static int put_bytes(seg_writer *w, const unsigned char *p, size_t n)
{
    int error;
    if ((error = spoor__array_reserve((void **)&w->bkt, &w->cap_bkt,
                                      w->n_bkt + n, 1)) < 0)
        return error;
    memcpy(w->bkt + w->n_bkt, p, n);
    w->n_bkt += n;
    return 0;
}

/* Append a varint to the open bucket. */
static int put_varint(seg_writer *w, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (unsigned char)v;
    return put_bytes(w, b, n);
}

/* Write the open bucket to the file, its checksum first, and open the
 * next one. */
static int seal_bucket(seg_writer *w)
{
    uint32_t check = bucket_check(w->id, w->open_bucket,
                                  w->bkt ? w->bkt : (void *)"", w->n_bkt);
    int error;
    w->dir[w->open_bucket++] = w->data_size;
    if ((error = emit(w, &check, sizeof(check))) < 0 ||
        (error = emit(w, w->bkt, w->n_bkt)) < 0)
        return error;
    w->n_bkt = 0;
    return 0;
}

/* Append a varint to the key group being written. */
static int group_varint(seg_writer *w, uint64_t v)
{
    int error;
    if (w->n_group + 10 > w->cap_group &&
        (error = spoor__array_reserve((void **)&w->group, &w->cap_group,
                                      w->n_group + 10, 1)) < 0)
        return error;
    while (v >= 0x80) {
        w->group[w->n_group++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    w->group[w->n_group++] = (unsigned char)v;
    return 0;
}

/* Write the key group being built, if any, with its header. */
static int flush_group(seg_writer *w)
{
    uint64_t delta;
    int error;
    if (!w->have_group)
        return 0;
    delta = w->bucket_started ? w->g_rem - w->prev_rem : w->g_rem;
    if ((error = put_varint(w, delta << 1 | (w->g_n > 1))) < 0 ||
        (w->g_n > 1 && ((error = put_varint(w, w->g_n)) < 0 ||
                        (error = put_varint(w, w->n_group)) < 0)) ||
        (error = put_bytes(w, w->group, w->n_group)) < 0)
        return error;
    w->prev_rem = w->g_rem;
    w->bucket_started = 1;
    w->have_group = 0;
    w->n_group = 0;
    w->g_n = 0;
    return 0;
}

/* Append e, which must not sort before the previous entry. */
static int writer_add(seg_writer *w, const spoor_seg_entry *e)
{
    uint64_t key = SPOOR_SEG_KEY(e->hash);
    uint64_t b = key >> (SPOOR_SEG_KEY_BITS - w->bits);
    uint64_t rem = key & (((uint64_t)1 << (SPOOR_SEG_KEY_BITS - w->bits)) - 1);
    int error;

    if (w->count == w->max_count || e->content < w->base ||
        (w->count && cmp_entry(&w->prev, e) > 0))
        return spoor__error_set(SPOOR_EINVALID,
                                "segment '%s': postings out of order", w->tmp);
    if (b > w->open_bucket) {
        if ((error = flush_group(w)) < 0)
            return error;
        while (w->open_bucket < b)
            if ((error = seal_bucket(w)) < 0)
                return error;
        w->bucket_started = 0;
    } else if (w->have_group && rem != w->g_rem &&
               (error = flush_group(w)) < 0) {
        return error;
    }
    if (!w->have_group) {
        w->have_group = 1;
        w->g_rem = rem;
    }
    if (w->g_n == 0)
        error = group_varint(w, e->content - w->base);
    else
        error = group_varint(w, e->content - w->prev.content);
    if (error == 0)
        error = group_varint(w, w->g_n == 0 || e->content != w->prev.content
                                    ? e->pos
                                    : e->pos - w->prev.pos);
    if (error < 0)
        return error;
    w->g_n++;
    w->prev = *e;
    w->count++;
    return 0;
}

static void writer_abort(seg_writer *w)
{
    if (w->fd >= 0) {
        close(w->fd);
        unlink(w->tmp);
    }
    spoor__free(w->tmp);
    spoor__free(w->final);
    spoor__free(w->dir);
    spoor__free(w->group);
    spoor__free(w->bkt);
    w->bkt = NULL;
    w->fd = -1;
    w->tmp = w->final = NULL;
    w->dir = NULL;
    w->group = NULL;
}

static int writer_finish(seg_writer *w, const char *dir)
{
    unsigned char header[HEADER_SIZE];
    uint32_t v = SEG_VERSION, bits = w->bits, key_bits = SPOOR_SEG_KEY_BITS;
    uint64_t off = data_offset_for(w->bits);
    size_t n_dir = ((size_t)1 << w->bits) + 1;
    int error, dfd;

    uint32_t check;
    int synced, closed, eno;

    if ((error = flush_group(w)) < 0)
        return error;
    while (w->open_bucket < n_dir - 1)
        if ((error = seal_bucket(w)) < 0)
            return error;
    w->dir[n_dir - 1] = w->data_size;
    if ((error = writer_flush(w)) < 0)
        return error;
    memset(header, 0, sizeof(header));
    memcpy(header, SEG_MAGIC, 8);
    memcpy(header + 8, &v, 4);
    memcpy(header + 12, &bits, 4);
    memcpy(header + 16, &w->count, 8);
    memcpy(header + 24, &off, 8);
    memcpy(header + 32, &w->data_size, 8);
    memcpy(header + 40, &key_bits, 4);
    memcpy(header + 44, &w->base, 4);
    memcpy(header + 48, &w->id, 8);
    check = header_check(header);
    memcpy(header + 56, &check, 4);
    if (lseek(w->fd, 0, SEEK_SET) < 0 ||
        (error = write_all(w->fd, header, sizeof(header), w->tmp)) < 0 ||
        (error = write_all(w->fd, w->dir, n_dir * 8, w->tmp)) < 0)
        return error < 0 ? error
                         : spoor__error_set(SPOOR_EIO, "segment '%s': %s",
                                            w->tmp, strerror(errno));
    synced = fsync(w->fd) == 0;
    eno = errno;
    closed = close(w->fd) == 0;
    w->fd = -1;
    if (!synced || !closed) {
        error = spoor__error_set(SPOOR_EIO, "segment '%s': %s", w->tmp,
                                 strerror(synced ? errno : eno));
        unlink(w->tmp); /* not synced: it must not stay, nor be renamed */
        return error;
    }
    w->fd = -1;
    if (spoor__test_hook("SPOOR_TEST_KILL_BEFORE_RENAME"))
        raise(SIGKILL); /* crash-safety test hook */
    if (rename(w->tmp, w->final) < 0)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", w->final,
                                strerror(errno));
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int spoor_segment__write(const char *dir, const char *name,
                         const spoor_seg_entry *e, size_t n)
{
    seg_writer *w = spoor__malloc(sizeof(*w));
    uint32_t base = UINT32_MAX;
    size_t i;
    int error = 0;
    if (!w)
        return spoor__error_oom();
    for (i = 0; i < n; i++)
        if (e[i].content < base)
            base = e[i].content;
    if ((error = writer_open(w, dir, name, n, n ? base : 0)) < 0)
        goto done;
    for (i = 0; i < n && error == 0; i++)
        error = writer_add(w, &e[i]);
    if (error == 0)
        error = writer_finish(w, dir);
done:
    writer_abort(w); /* after finish: frees names only (fd closed) */
    spoor__free(w);
    return error;
}

int spoor_segment__open(spoor_segment *seg, const char *dir, const char *name)
{
    char path[4096];
    unsigned char head[HEADER_SIZE];
    struct stat st;
    uint32_t version, bits, key_bits, check;
    uint64_t count, off, size, first, last;
    size_t n_dir;
    void *map;
    int fd;

    memset(seg, 0, sizeof(*seg));
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return spoor__error_set(SPOOR_ECORRUPT,
                                "segment '%s' is registered but missing: %s",
                                path, strerror(errno));
    if (fstat(fd, &st) < 0 || (size_t)st.st_size < HEADER_SIZE) {
        close(fd);
        return spoor__error_set(SPOOR_ECORRUPT, "segment '%s' is truncated",
                                path);
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        close(fd);
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", path,
                                strerror(errno));
    }
    seg->map = map;
    seg->fd = fd; /* valid while map is */
    seg->size = (size_t)st.st_size;
    /* header and directory ends by pread: a short-lived reader should not
     * fault pages of the map in (see the file comment) */
    if (spoor__read_at(fd, head, HEADER_SIZE, 0) < 0)
        goto corrupt;
    if (memcmp(head, SEG_MAGIC_OLD, 7) == 0 && head[7] >= '1' &&
        head[7] <= '3') {
        spoor_segment__close(seg);
        return spoor__error_set(SPOOR_ECORRUPT,
                                "segment '%s' is in format %c, which this "
                                "spoor no longer reads; build the index "
                                "again with spoor add",
                                path, head[7]);
    }
    memcpy(&version, head + 8, 4);
    memcpy(&bits, head + 12, 4);
    memcpy(&count, head + 16, 8);
    memcpy(&off, head + 24, 8);
    memcpy(&size, head + 32, 8);
    memcpy(&key_bits, head + 40, 4);
    memcpy(&seg->content_base, head + 44, 4);
    memcpy(&seg->id, head + 48, 8);
    memcpy(&check, head + 56, 4);
    /* validate every header field before computing anything from it */
    if (memcmp(head, SEG_MAGIC, 8) || version != SEG_VERSION ||
        check != header_check(head) || bits < MIN_DIR_BITS ||
        bits > MAX_DIR_BITS || key_bits != SPOOR_SEG_KEY_BITS ||
        off != data_offset_for(bits) || off > seg->size ||
        size != seg->size - off || count > size)
        goto corrupt;
    n_dir = ((size_t)1 << bits) + 1;
    seg->bits = bits;
    seg->count = count;
    seg->dir = (const uint64_t *)((const char *)map + HEADER_SIZE);
    seg->data = (const unsigned char *)map + off;
    seg->data_size = size;
    /* the rest of the directory is checked bucket by bucket as it is
     * read (enter_bucket, read_bucket): a lookup must not read all of it */
    if (spoor__read_at(fd, &first, 8, HEADER_SIZE) < 0 ||
        spoor__read_at(fd, &last, 8, HEADER_SIZE + (n_dir - 1) * 8) < 0 ||
        first != 0 || last != size)
        goto corrupt;
    if (!(seg->name = spoor__strdup(name))) {
        spoor_segment__close(seg);
        return spoor__error_oom();
    }
    return 0;
corrupt:
    spoor_segment__close(seg);
    return spoor__error_set(SPOOR_ECORRUPT, "segment '%s' is damaged", path);
}

int spoor_segment__ident(const char *dir, const char *name, uint64_t *id,
                         uint64_t *bytes)
{
    char path[4096];
    unsigned char head[HEADER_SIZE];
    struct stat st;
    int fd, ok;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", path,
                                strerror(errno));
    ok = fstat(fd, &st) == 0 && spoor__read_at(fd, head, HEADER_SIZE, 0) == 0;
    close(fd);
    if (!ok)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", path,
                                strerror(errno));
    memcpy(id, head + 48, 8);
    *bytes = (uint64_t)st.st_size;
    return 0;
}

void spoor_segment__close(spoor_segment *seg)
{
    if (seg->map) {
        munmap((void *)seg->map, seg->size);
        close(seg->fd);
    }
    spoor__free(seg->name);
    memset(seg, 0, sizeof(*seg));
}

/* Leave c at an empty bucket that reads as damaged. */
static void set_damaged(spoor_seg_cursor *c)
{
    c->damaged = 1;
    c->p = c->end = c->seg->data;
}

/* Point c at bucket b, which is data[from, to) of the map: its checksum,
 * then its postings; a directory entry out of order or past the data
 * leaves c at an empty, damaged bucket. @return 0, or -1 when damaged. */
static int point_at(spoor_seg_cursor *c, uint64_t b, uint64_t from, uint64_t to)
{
    c->bucket = b;
    c->first = 1;
    c->left = 0;
    c->gend = NULL;
    if (from > to || to - from < CHECK_SIZE || to > c->seg->data_size) {
        set_damaged(c);
        return -1;
    }
    c->p = c->seg->data + from + CHECK_SIZE;
    c->end = c->seg->data + to;
    return 0;
}

/* Check c's bucket, whose checksum is at check and postings at c->p (up to
 * c->end); a mismatch leaves c at an empty, damaged bucket. */
static void verify_bucket(spoor_seg_cursor *c, const unsigned char *check)
{
    uint32_t want;
    memcpy(&want, check, sizeof(want));
    if (bucket_check(c->seg->id, c->bucket, c->p, (size_t)(c->end - c->p)) !=
        want) {
        set_damaged(c);
        c->bad_check = 1;
    }
}

/* Point c at bucket b, reading the directory and the bucket through the
 * map. */
static void enter_bucket(spoor_seg_cursor *c, uint64_t b)
{
    if (point_at(c, b, c->seg->dir[b], c->seg->dir[b + 1]) == 0)
        verify_bucket(c, c->p - CHECK_SIZE);
}

/* enter_bucket for a lookup: the two directory words, and the bucket when
 * it fits c->buf, are read with pread instead of through the map (a
 * larger bucket is read through the map). */
static void read_bucket(spoor_seg_cursor *c, uint64_t b)
{
    const spoor_segment *seg = c->seg;
    uint64_t ends[2];
    size_t n;
    if (spoor__read_at(seg->fd, ends, sizeof(ends), HEADER_SIZE + b * 8) < 0) {
        (void)point_at(c, b, 0, 0);
        set_damaged(c);
        return;
    }
    if (point_at(c, b, ends[0], ends[1]) < 0)
        return;
    if ((n = (size_t)(ends[1] - ends[0])) > sizeof(c->buf)) {
        verify_bucket(c, c->p - CHECK_SIZE);
        return;
    }
    if (spoor__read_at(seg->fd, c->buf, n,
                       (uint64_t)(seg->data - seg->map) + ends[0]) < 0) {
        set_damaged(c);
        return;
    }
    c->p = c->buf + CHECK_SIZE;
    c->end = c->buf + n;
    verify_bucket(c, c->buf);
}

/* Start c on seg; everything before the bucket buffer is cleared. */
static void cursor_start(spoor_seg_cursor *c, const spoor_segment *seg,
                         uint64_t last)
{
    memset(c, 0, offsetof(spoor_seg_cursor, buf));
    c->seg = seg;
    c->last = last;
}

void spoor_segment__scan(const spoor_segment *seg, spoor_seg_cursor *c)
{
    cursor_start(c, seg, ((uint64_t)1 << seg->bits) - 1);
    enter_bucket(c, 0);
}

/* The bucket of key (a SPOOR_SEG_KEY) in seg. */
static uint64_t bucket_of(const spoor_segment *seg, uint64_t key)
{
    return key >> (SPOOR_SEG_KEY_BITS - seg->bits);
}

#ifdef SPOOR_TEST_HOOKS
int spoor_segment__lookup_mode = SPOOR_SEG_LOOKUP_AUTO;
#endif

/* Segments under this size are always read through the map. */
#define MAP_ALWAYS_BELOW ((size_t)2 << 20)
/* A larger segment is read with pread until it has had one lookup per
 * this many of its bytes, through the map after that. */
#define BYTES_PER_LOOKUP 8192

/* Whether the next lookup in seg reads through the map (see the file
 * comment); counts the lookup. */
static int lookup_maps(spoor_segment *seg)
{
    uint64_t n = __atomic_fetch_add(&seg->lookups, 1, __ATOMIC_RELAXED);
    if (spoor_segment__lookup_mode != SPOOR_SEG_LOOKUP_AUTO)
        return spoor_segment__lookup_mode == SPOOR_SEG_LOOKUP_MAP;
    return seg->size < MAP_ALWAYS_BELOW || n >= seg->size / BYTES_PER_LOOKUP;
}

void spoor_segment__seek(spoor_segment *seg, uint64_t hash, spoor_seg_cursor *c)
{
    uint64_t b = bucket_of(seg, SPOOR_SEG_KEY(hash));
    cursor_start(c, seg, b);
    if (lookup_maps(seg))
        enter_bucket(c, b);
    else
        read_bucket(c, b);
    c->want = SPOOR_SEG_KEY(hash);
    c->seeking = 1;
}

/* Whether the page (of page bytes) of the map holding byte off is in the
 * page cache (a failed probe says no). */
static int resident(const spoor_segment *seg, uint64_t off, size_t page)
{
    unsigned char in = 0;
    void *at = (void *)(seg->map + (off & ~(uint64_t)(page - 1)));
    return mincore(at, 1, &in) == 0 && (in & 1);
}

int spoor_segment__prefetch(const spoor_segment *seg, const uint64_t *keys,
                            size_t n, int phase)
{
    uint64_t last = UINT64_MAX, data_off = (uint64_t)(seg->data - seg->map);
    size_t i, page;
    if (!n || seg->size < MAP_ALWAYS_BELOW)
        return 0;
    if (phase == 0) { /* the directory words of every key, a page once */
        page = (size_t)sysconf(_SC_PAGESIZE);
        if (resident(seg, HEADER_SIZE + bucket_of(seg, keys[0]) * 8, page))
            return 0; /* its pages are likely in memory: no cost */
        for (i = 0; i < n; i++) {
            uint64_t off = HEADER_SIZE + bucket_of(seg, keys[i]) * 8;
            if (off / page == last)
                continue;
            last = off / page;
            (void)posix_fadvise(seg->fd, (off_t)off, 16, POSIX_FADV_WILLNEED);
        }
        return 1;
    }
    for (i = 0; i < n; i++) { /* every key's bucket, its ends read */
        uint64_t b = bucket_of(seg, keys[i]), ends[2];
        if (b == last)
            continue;
        last = b;
        if (spoor__read_at(seg->fd, ends, sizeof(ends), HEADER_SIZE + b * 8) <
                0 ||
            ends[0] > ends[1] || ends[1] > seg->data_size)
            continue; /* the lookup says it is damaged */
        (void)posix_fadvise(seg->fd, (off_t)(data_off + ends[0]),
                            (off_t)(ends[1] - ends[0]), POSIX_FADV_WILLNEED);
    }
    return 1;
}

/* SPOOR_ECORRUPT naming c's segment. */
static int damaged(const spoor_seg_cursor *c)
{
    if (c->bad_check)
        return spoor__error_set(SPOOR_ECORRUPT,
                                "segment '%s' is damaged: bucket %llu fails "
                                "its checksum",
                                c->seg->name ? c->seg->name : "?",
                                (unsigned long long)c->bucket);
    return spoor__error_set(SPOOR_ECORRUPT, "segment '%s' is damaged",
                            c->seg->name ? c->seg->name : "?");
}

static int get_varint_slow(spoor_seg_cursor *c, uint64_t *out);

/* One LEB128 varint of the cursor's bucket; most are one or two bytes. */
static inline int get_varint(spoor_seg_cursor *c, uint64_t *out)
{
    if (c->p + 2 <= c->end) {
        unsigned b0 = c->p[0], b1;
        if (b0 < 0x80) {
            *out = b0;
            c->p++;
            return 0;
        }
        if ((b1 = c->p[1]) < 0x80) {
            *out = (b0 & 0x7F) | (uint64_t)b1 << 7;
            c->p += 2;
            return 0;
        }
    }
    return get_varint_slow(c, out);
}

static int get_varint_slow(spoor_seg_cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (c->p < c->end && shift < 64) {
        unsigned char byte = *c->p++;
        v |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return 0;
        }
        shift += 7;
    }
    return damaged(c);
}

/* Read the header of the bucket's next key group: c->rem, c->left, and
 * c->gend for a group of many. 1, 0 at the bucket's end, or
 * SPOOR_ECORRUPT. */
static int next_group(spoor_seg_cursor *c)
{
    unsigned rem_bits = SPOOR_SEG_KEY_BITS - c->seg->bits;
    uint64_t a = 0, n = 1, bytes = 0;
    int error;

    if (c->gend && c->p != c->gend) /* the last group overran its size */
        return damaged(c);
    c->gend = NULL;
    if (c->p == c->end)
        return c->damaged ? damaged(c) : 0;
    if ((error = get_varint(c, &a)) < 0)
        return error;
    if (!c->first && (a >> 1) == 0)
        return damaged(c); /* keys rise within a bucket */
    c->rem = c->first ? a >> 1 : c->rem + (a >> 1);
    c->first = 0;
    if (c->rem >> rem_bits)
        return damaged(c);
    if (a & 1) {
        if ((error = get_varint(c, &n)) < 0 ||
            (error = get_varint(c, &bytes)) < 0)
            return error;
        /* a posting takes at least two bytes */
        if (n < 2 || bytes > (uint64_t)(c->end - c->p) || n > bytes / 2)
            return damaged(c);
        c->gend = c->p + bytes;
    }
    c->left = n;
    c->gfirst = 1;
    return 1;
}

/* Decode the next posting of the current key group into c->e. 1 or
 * SPOOR_ECORRUPT. */
static int decode_posting(spoor_seg_cursor *c)
{
    const spoor_segment *seg = c->seg;
    unsigned rem_bits = SPOOR_SEG_KEY_BITS - seg->bits;
    uint64_t a = 0, b2 = 0;
    int error;

    if ((error = get_varint(c, &a)) < 0 || (error = get_varint(c, &b2)) < 0)
        return error;
    if (c->gfirst) {
        c->content = a;
        c->pos = b2;
        c->gfirst = 0;
    } else {
        c->content += a;
        c->pos = a ? b2 : c->pos + b2;
    }
    if (--c->left == 0 && c->gend && c->p != c->gend)
        return damaged(c);
    if (c->content > UINT32_MAX - seg->content_base || c->pos > UINT32_MAX)
        return damaged(c);
    c->e.hash = ((c->bucket << rem_bits) | c->rem) << (64 - SPOOR_SEG_KEY_BITS);
    c->e.content = (uint32_t)(c->content + seg->content_base);
    c->e.pos = (uint32_t)c->pos;
    return 1;
}

/* Skip the rest of the current key group: one jump for a group of many,
 * two varints for a group of one. */
static int skip_group(spoor_seg_cursor *c)
{
    int k;
    if (c->gend) {
        c->p = c->gend;
    } else if (c->left) {
        for (k = 0; k < 2; k++) {
            while (c->p < c->end && (*c->p & 0x80))
                c->p++;
            if (c->p == c->end)
                return damaged(c);
            c->p++;
        }
    }
    c->left = 0;
    return 0;
}

/* Seeking: move to the wanted key's group, stepping over the groups of
 * smaller keys. 1 when found, 0 when the bucket has no such key, or
 * SPOOR_ECORRUPT. */
static int find_group(spoor_seg_cursor *c)
{
    unsigned rem_bits = SPOOR_SEG_KEY_BITS - c->seg->bits;
    uint64_t want_rem = c->want & (((uint64_t)1 << rem_bits) - 1);
    int r;
    for (;;) {
        if ((r = next_group(c)) <= 0)
            return r;
        if (c->rem == want_rem)
            return 1;
        if (c->rem > want_rem) {
            c->left = 0;
            return 0;
        }
        if ((r = skip_group(c)) < 0)
            return r;
    }
}

int spoor_segment__next(spoor_seg_cursor *c, spoor_seg_entry *out)
{
    int r;
    if (c->seeking) {
        if (!c->skipped) {
            c->skipped = 1;
            if ((r = find_group(c)) <= 0)
                return r;
        }
        if (c->left == 0)
            return 0; /* one key: its group is all there is */
    } else {
        while (c->left == 0) {
            if ((r = next_group(c)) < 0)
                return r;
            if (r == 0) {
                if (c->bucket >= c->last)
                    return 0;
                enter_bucket(c, c->bucket + 1);
            }
        }
    }
    if ((r = decode_posting(c)) < 0)
        return r;
    *out = c->e;
    return 1;
}

/*
 * During a merge, hand back the pages of a source segment already read:
 * they stay in the page cache, but leave this process's resident set, so
 * memory does not grow with the size of the segments merged.
 */
#define RELEASE_STEP ((size_t)8 << 20)

static void release_read(const spoor_segment *seg, spoor_seg_cursor *c)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t done = (size_t)(c->p - seg->map); /* bytes of the map read */
    size_t upto = done / RELEASE_STEP * RELEASE_STEP / page * page;
    if (upto > c->released) {
        madvise((void *)(seg->map + c->released), upto - c->released,
                MADV_DONTNEED);
        c->released = upto;
    }
}

/*
 * A k-way merge of segments' postings in (key, content, pos) order. The
 * number of segments is small (tiered merging keeps it under a few
 * dozen), so a linear scan for the minimum is enough.
 */
typedef struct seg_merge {
    const spoor_segment *segs;
    size_t n;
    spoor_seg_cursor *cur;
    spoor_seg_entry *head; /* each cursor's next posting */
    int *live;             /* whether head holds one */
} seg_merge;

static void merge_close(seg_merge *m)
{
    spoor__free(m->cur);
    spoor__free(m->head);
    spoor__free(m->live);
    memset(m, 0, sizeof(*m));
}

/* Start m on segs[0..n). @return 0, SPOOR_ENOMEM or SPOOR_ECORRUPT. */
static int merge_open(seg_merge *m, const spoor_segment *segs, size_t n)
{
    size_t i;
    m->segs = segs;
    m->n = n;
    m->cur = spoor__calloc(n ? n : 1, sizeof(*m->cur));
    m->head = spoor__calloc(n ? n : 1, sizeof(*m->head));
    m->live = spoor__calloc(n ? n : 1, sizeof(int));
    if (!m->cur || !m->head || !m->live) {
        merge_close(m);
        return spoor__error_oom();
    }
    for (i = 0; i < n; i++) {
        spoor_segment__scan(&segs[i], &m->cur[i]);
        if ((m->live[i] = spoor_segment__next(&m->cur[i], &m->head[i])) < 0)
            return m->live[i];
    }
    return 0;
}

/* The next posting of the merge into *out, handing back the pages read
 * (see release_read). @return 1, 0 at the end, or SPOOR_ECORRUPT. */
static int merge_next(seg_merge *m, spoor_seg_entry *out)
{
    size_t best = m->n, i;
    for (i = 0; i < m->n; i++)
        if (m->live[i] > 0 &&
            (best == m->n || cmp_entry(&m->head[i], &m->head[best]) < 0))
            best = i;
    if (best == m->n)
        return 0;
    *out = m->head[best];
    release_read(&m->segs[best], &m->cur[best]);
    if ((m->live[best] = spoor_segment__next(&m->cur[best], &m->head[best])) <
        0)
        return m->live[best];
    return 1;
}

int spoor_segment__each(const spoor_segment *segs, size_t n,
                        int (*each)(const spoor_seg_entry *e, void *ctx),
                        void *ctx)
{
    seg_merge m;
    spoor_seg_entry e;
    int error, more;
    memset(&m, 0, sizeof(m));
    if ((error = merge_open(&m, segs, n)) < 0)
        goto done;
    while ((more = merge_next(&m, &e)) > 0)
        if ((error = each(&e, ctx)) != 0)
            goto done;
    error = more < 0 ? more : 0;
done:
    merge_close(&m);
    return error;
}

/* Whether content is among gone[0..n) (sorted). */
static int in_sorted(const int64_t *gone, size_t n, int64_t content)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gone[mid] < content)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && gone[lo] == content;
}

int spoor_segment__merge(const char *dir, const char *name,
                         const spoor_segment *segs, size_t n_segs,
                         const int64_t *gone, size_t n_gone,
                         uint64_t *count_out)
{
    seg_writer *w = spoor__malloc(sizeof(*w));
    seg_merge m;
    spoor_seg_entry e;
    uint64_t total = 0;
    uint32_t base = UINT32_MAX;
    size_t i;
    int error = 0, more;

    memset(&m, 0, sizeof(m));
    if (!w)
        return spoor__error_oom();
    memset(w, 0, sizeof(*w));
    w->fd = -1; /* writer_abort before writer_open touches nothing */
    for (i = 0; i < n_segs; i++) {
        total += segs[i].count;
        if (segs[i].count && segs[i].content_base < base)
            base = segs[i].content_base;
    }
    SPOOR_TRY(merge_open(&m, segs, n_segs));
    SPOOR_TRY(writer_open(w, dir, name, total, base == UINT32_MAX ? 0 : base));
    while ((more = merge_next(&m, &e)) > 0)
        if (!n_gone || !in_sorted(gone, n_gone, e.content))
            SPOOR_TRY(writer_add(w, &e));
    SPOOR_TRY(more);
    *count_out = w->count;
    error = writer_finish(w, dir);
done:
    writer_abort(w);
    spoor__free(w);
    merge_close(&m);
    return error;
}

/* Mark content c in bits (n_bits of them; ids beyond are ignored). */
static void mark(unsigned char *bits, uint64_t n_bits, uint64_t c)
{
    if (c < n_bits)
        bits[c >> 3] |= (unsigned char)(1u << (c & 7));
}

int spoor_segment__shared(const spoor_segment *segs, size_t n_segs,
                          unsigned char *bits, uint64_t n_bits)
{
    seg_merge m;
    spoor_seg_entry e;
    uint64_t key = 0, first = 0; /* the group's key and first content */
    int started = 0, error = 0, more;

    memset(&m, 0, sizeof(m));
    SPOOR_TRY(merge_open(&m, segs, n_segs));
    /* in (key, content) order a group's postings come together, whatever
     * segment holds them */
    while ((more = merge_next(&m, &e)) > 0) {
        if (!started || SPOOR_SEG_KEY(e.hash) != key) {
            started = 1;
            key = SPOOR_SEG_KEY(e.hash);
            first = e.content;
        } else if (e.content != first) {
            mark(bits, n_bits, first);
            mark(bits, n_bits, e.content);
        }
    }
    error = more;
done:
    merge_close(&m);
    return error;
}
