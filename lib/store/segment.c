/*
 * segment.c: immutable, memory-mapped, sorted postings segments (the
 * Lucene / zoekt design; see spoor/store.h for how the catalogue registers
 * them).
 *
 * File format, version 1, little endian:
 *   header (64 bytes): "SPOORSG1", u32 version, u32 dir_bits (12),
 *                      u64 count, u64 entries_offset, 32 bytes zero
 *   directory: (1 << dir_bits) + 1 u32: index of the first entry whose
 *              hash has each value of its top dir_bits bits
 *   padding to a multiple of 16 bytes
 *   entries:   count x {u64 hash, u32 content, u32 pos}, sorted by
 *              (hash, content, pos)
 * A lookup reads two directory words and binary-searches one bucket, so it
 * touches a few pages of a mapped file whatever the segment's size.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

#define SEG_MAGIC "SPOORSG1"
#define SEG_VERSION 1
#define DIR_BITS 12
#define DIR_N ((1u << DIR_BITS) + 1)
#define HEADER_SIZE 64
/* entries start 16-byte aligned after the directory */
#define ENTRIES_OFFSET ((HEADER_SIZE + DIR_N * 4 + 15) & ~(size_t)15)

static int cmp_entry(const void *a, const void *b)
{
    const spoor_seg_entry *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->content != y->content)
        return x->content < y->content ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void spoor_segment__sort(spoor_seg_entry *e, size_t n)
{
    spoor__sort(e, n, sizeof(*e), cmp_entry);
}

static int write_all(int fd, const void *p, size_t n, const char *path)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return spoor__error_set(SPOOR_EIO, "segment '%s': %s", path,
                                    strerror(errno ? errno : EIO));
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* A writer streams sorted entries into NAME.tmp and builds the directory. */
typedef struct seg_writer {
    int fd;
    char *tmp, *final;
    uint32_t dir[DIR_N];
    uint64_t count;
    uint32_t next_bucket;
    spoor_seg_entry buf[4096];
    size_t n_buf;
} seg_writer;

static int writer_flush(seg_writer *w)
{
    int error = 0;
    if (w->n_buf)
        error = write_all(w->fd, w->buf, w->n_buf * sizeof(w->buf[0]), w->tmp);
    w->n_buf = 0;
    return error;
}

static int writer_open(seg_writer *w, const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 8;
    memset(w, 0, sizeof(*w));
    w->fd = -1;
    w->tmp = spoor__malloc(n);
    w->final = spoor__malloc(n);
    if (!w->tmp || !w->final)
        return spoor__error_oom();
    snprintf(w->final, n, "%s/%s", dir, name);
    snprintf(w->tmp, n, "%s/%s.tmp", dir, name);
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", w->tmp,
                                strerror(errno));
    if (lseek(w->fd, ENTRIES_OFFSET, SEEK_SET) < 0)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", w->tmp,
                                strerror(errno));
    return 0;
}

static int writer_add(seg_writer *w, const spoor_seg_entry *e)
{
    uint32_t b = (uint32_t)(e->hash >> (64 - DIR_BITS));
    while (w->next_bucket <= b)
        w->dir[w->next_bucket++] = (uint32_t)w->count;
    w->buf[w->n_buf++] = *e;
    w->count++;
    if (w->count > UINT32_MAX)
        return spoor__error_set(SPOOR_ELIMIT, "segment over 4G postings");
    return w->n_buf == sizeof(w->buf) / sizeof(w->buf[0]) ? writer_flush(w) : 0;
}

static void writer_abort(seg_writer *w)
{
    if (w->fd >= 0) {
        close(w->fd);
        unlink(w->tmp);
    }
    spoor__free(w->tmp);
    spoor__free(w->final);
    w->fd = -1;
    w->tmp = w->final = NULL;
}

static int writer_finish(seg_writer *w, const char *dir)
{
    unsigned char header[HEADER_SIZE];
    uint32_t v = SEG_VERSION, bits = DIR_BITS;
    uint64_t off = ENTRIES_OFFSET;
    int error, dfd;

    if ((error = writer_flush(w)) < 0)
        return error;
    while (w->next_bucket < DIR_N)
        w->dir[w->next_bucket++] = (uint32_t)w->count;
    memset(header, 0, sizeof(header));
    memcpy(header, SEG_MAGIC, 8);
    memcpy(header + 8, &v, 4);
    memcpy(header + 12, &bits, 4);
    memcpy(header + 16, &w->count, 8);
    memcpy(header + 24, &off, 8);
    if (lseek(w->fd, 0, SEEK_SET) < 0 ||
        (error = write_all(w->fd, header, sizeof(header), w->tmp)) < 0 ||
        (error = write_all(w->fd, w->dir, sizeof(w->dir), w->tmp)) < 0)
        return error < 0 ? error
                         : spoor__error_set(SPOOR_EIO, "segment '%s': %s",
                                            w->tmp, strerror(errno));
    if (fsync(w->fd) < 0 || close(w->fd) < 0) {
        w->fd = -1;
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", w->tmp,
                                strerror(errno));
    }
    w->fd = -1;
    if (getenv("SPOOR_TEST_KILL_BEFORE_RENAME"))
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
    size_t i;
    int error = 0;
    if (!w)
        return spoor__error_oom();
    if ((error = writer_open(w, dir, name)) < 0)
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
    struct stat st;
    uint32_t version, bits;
    uint64_t count, off;
    size_t i;
    void *map;
    int fd;

    memset(seg, 0, sizeof(*seg));
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return spoor__error_set(SPOOR_ECORRUPT,
                                "segment '%s' is registered but missing: %s",
                                path, strerror(errno));
    if (fstat(fd, &st) < 0 || (size_t)st.st_size < ENTRIES_OFFSET) {
        close(fd);
        return spoor__error_set(SPOOR_ECORRUPT, "segment '%s' is truncated",
                                path);
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return spoor__error_set(SPOOR_EIO, "segment '%s': %s", path,
                                strerror(errno));
    memcpy(&version, (char *)map + 8, 4);
    memcpy(&bits, (char *)map + 12, 4);
    memcpy(&count, (char *)map + 16, 8);
    memcpy(&off, (char *)map + 24, 8);
    seg->map = map;
    seg->size = (size_t)st.st_size;
    seg->dir = (const uint32_t *)((const char *)map + HEADER_SIZE);
    seg->count = count;
    /* validate every header field before computing anything from it */
    if (memcmp(map, SEG_MAGIC, 8) || version != SEG_VERSION ||
        bits != DIR_BITS || off != ENTRIES_OFFSET)
        goto corrupt;
    seg->entries =
        (const spoor_seg_entry *)((const char *)map + ENTRIES_OFFSET);
    if (count > (seg->size - ENTRIES_OFFSET) / sizeof(spoor_seg_entry) ||
        seg->size != ENTRIES_OFFSET + count * sizeof(spoor_seg_entry) ||
        seg->dir[DIR_N - 1] != count)
        goto corrupt;
    for (i = 1; i < DIR_N; i++)
        if (seg->dir[i] < seg->dir[i - 1])
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

void spoor_segment__close(spoor_segment *seg)
{
    if (seg->map)
        munmap((void *)seg->map, seg->size);
    spoor__free(seg->name);
    memset(seg, 0, sizeof(*seg));
}

size_t spoor_segment__find(const spoor_segment *seg, uint64_t hash, size_t *end)
{
    uint32_t b = (uint32_t)(hash >> (64 - DIR_BITS));
    size_t lo = seg->dir[b], hi = seg->dir[b + 1], e;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seg->entries[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (e = lo; e < seg->dir[b + 1] && seg->entries[e].hash == hash; e++)
        ;
    *end = e;
    return lo;
}

int spoor_segment__merge(const char *dir, const char *name,
                         const spoor_segment *segs, size_t n_segs,
                         uint64_t *count_out)
{
    seg_writer *w = spoor__malloc(sizeof(*w));
    size_t *cur = spoor__calloc(n_segs ? n_segs : 1, sizeof(size_t));
    int error = 0;

    if (!w || !cur) {
        spoor__free(w);
        spoor__free(cur);
        return spoor__error_oom();
    }
    if ((error = writer_open(w, dir, name)) < 0)
        goto done;
    /* k-way merge: the number of segments is small (tiered merging keeps
     * it under a few dozen), so a linear scan for the minimum is enough */
    for (;;) {
        size_t best = n_segs, i;
        for (i = 0; i < n_segs; i++)
            if (cur[i] < segs[i].count &&
                (best == n_segs ||
                 cmp_entry(&segs[i].entries[cur[i]],
                           &segs[best].entries[cur[best]]) < 0))
                best = i;
        if (best == n_segs)
            break;
        if ((error = writer_add(w, &segs[best].entries[cur[best]++])) < 0)
            goto done;
    }
    *count_out = w->count;
    error = writer_finish(w, dir);
done:
    writer_abort(w);
    spoor__free(w);
    spoor__free(cur);
    return error;
}
