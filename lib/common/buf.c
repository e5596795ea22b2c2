/*
 * buf.c: growable NUL-terminated byte buffer (see spoor/buf.h).
 * Invariant: ptr == NULL or size < asize and ptr[size] == '\0'.
 *
 * A buffer may be let spill (spoor_buf__spill_over): past `over` bytes
 * its bytes move from the heap to a shared mapping of an unnamed temporary
 * file (O_TMPFILE in $TMPDIR, else /tmp), which grows with fallocate (a
 * full disk is an error, never a SIGBUS) and mremap. What was written is
 * handed back every SPILL_STEP bytes (MADV_DONTNEED: the pages leave the
 * process's resident set and stay in the file's page cache, from which a
 * later read faults them in), and a pass that reads it can do the same
 * (spoor_buf__pages_done). So an item's text of hundreds of megabytes
 * costs the process a few megabytes of memory, not its size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* Bytes written between two hand-backs of a spilled buffer. */
#define SPILL_STEP ((size_t)8 << 20)

struct spoor_buf_file {
    size_t over;     /* past this many bytes the buffer moves to a file */
    int fd;          /* the file, or -1 while the bytes are on the heap */
    size_t released; /* pages before this offset were handed back */
};

size_t spoor__spill_bound(size_t dflt)
{
    const char *v = spoor__test_hook("SPOOR_TEST_TEXT_SPILL");
    unsigned long long n = v && *v ? strtoull(v, NULL, 10) : 0;
    return n ? (size_t)n : dflt;
}

int spoor_buf__spill_over(spoor_buf *buf, size_t over)
{
    if (!buf->file) {
        if (!(buf->file = spoor__calloc(1, sizeof(*buf->file))))
            return spoor__error_oom();
        buf->file->fd = -1;
    }
    buf->file->over = over;
    return 0;
}

int spoor_buf__spilled(const spoor_buf *buf)
{
    return buf->file && buf->file->fd >= 0;
}

void spoor_buf__pages_done(const spoor_buf *buf, size_t upto)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (!spoor_buf__spilled(buf) || !buf->ptr)
        return;
    if (upto > buf->asize)
        upto = buf->asize;
    upto -= upto % page;
    if (upto)
        (void)madvise(buf->ptr, upto, MADV_DONTNEED);
    buf->file->released = upto;
}

void spoor_buf_dispose(spoor_buf *buf)
{
    if (!buf)
        return;
    if (spoor_buf__spilled(buf)) {
        if (buf->ptr)
            munmap(buf->ptr, buf->asize);
        close(buf->file->fd);
    } else {
        spoor__free(buf->ptr);
    }
    spoor__free(buf->file);
    buf->file = NULL;
    buf->ptr = NULL;
    buf->size = buf->asize = 0;
}

/* Grow a spilling buffer to ncap bytes in its file (moving it there
 * first). @return 0, or SPOOR_EIO (a full disk...) with buf unchanged. */
static int grow_in_file(spoor_buf *buf, size_t ncap)
{
    struct spoor_buf_file *f = buf->file;
    int fd = f->fd, fresh = fd < 0, rc;
    char *p;

    if (fresh && (fd = spoor__tmpfile("a long text")) < 0)
        return SPOOR_EIO;
    rc = posix_fallocate(fd, (off_t)(fresh ? 0 : buf->asize),
                         (off_t)(ncap - (fresh ? 0 : buf->asize)));
    if (rc != 0) {
        spoor__error_set(SPOOR_EIO,
                         "cannot hold a long text of %zu bytes in a temporary "
                         "file: %s",
                         ncap, strerror(rc));
        goto fail;
    }
    p = fresh ? mmap(NULL, ncap, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
              : mremap(buf->ptr, buf->asize, ncap, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) {
        spoor__error_set(SPOOR_ENOMEM, "cannot map a long text: %s",
                         strerror(errno));
        goto fail;
    }
    if (fresh) { /* the heap's bytes move to the file */
        if (buf->ptr)
            memcpy(p, buf->ptr, buf->size + 1);
        spoor__free(buf->ptr);
        f->fd = fd;
        f->released = 0;
    }
    buf->ptr = p;
    buf->asize = ncap;
    return 0;
fail:
    if (fresh)
        close(fd);
    else /* give the file back its old size */
        (void)ftruncate(fd, (off_t)buf->asize);
    return SPOOR_EIO;
}

void spoor_buf__wrote(spoor_buf *buf)
{
    if (buf->file && buf->size < buf->file->released)
        buf->file->released = 0; /* emptied and written again */
    if (spoor_buf__spilled(buf) &&
        buf->size - buf->file->released >= SPILL_STEP)
        spoor_buf__pages_done(buf, buf->size);
}

void spoor_buf_clear(spoor_buf *buf)
{
    buf->size = 0;
    if (buf->ptr)
        buf->ptr[0] = '\0';
}

int spoor_buf_grow(spoor_buf *buf, size_t n)
{
    size_t need, ncap;
    char *p;

    if (n > SIZE_MAX - buf->size - 1)
        return spoor__error_oom();
    need = buf->size + n + 1;
    if (need <= buf->asize)
        return 0;
    ncap = buf->asize ? buf->asize : 64;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if (buf->file && ncap > buf->file->over)
        return grow_in_file(buf, ncap);
    p = spoor__realloc(buf->ptr, ncap);
    if (!p)
        return spoor__error_oom();
    buf->ptr = p;
    buf->asize = ncap;
    return 0;
}

int spoor_buf_put(spoor_buf *buf, const void *data, size_t len)
{
    int error;
    if (buf->file && len > SPILL_STEP) {
        /* a spilling buffer takes a long run a step at a time, handing back
         * what it has written and what it has read of the input */
        const char *d = data;
        size_t at, n, was = buf->size;
        for (at = 0; at < len; at += n) {
            n = len - at < SPILL_STEP ? len - at : SPILL_STEP;
            if ((error = spoor_buf_put(buf, d + at, n)) < 0) {
                buf->size = was; /* unchanged */
                if (buf->ptr)
                    buf->ptr[was] = '\0';
                return error;
            }
            spoor__input_done(d + at + n);
        }
        return 0;
    }
    if ((error = spoor_buf_grow(buf, len)) < 0)
        return error;
    if (len)
        memcpy(buf->ptr + buf->size, data, len);
    buf->size += len;
    buf->ptr[buf->size] = '\0';
    spoor_buf__wrote(buf);
    return 0;
}

int spoor_buf_puts(spoor_buf *buf, const char *s)
{
    return spoor_buf_put(buf, s, strlen(s));
}

int spoor_buf_printf(spoor_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int n, error;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return spoor__error_set(SPOOR_EINVALID, "bad format string");
    if ((error = spoor_buf_grow(buf, (size_t)n)) < 0)
        return error;
    va_start(ap, fmt);
    vsnprintf(buf->ptr + buf->size, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->size += (size_t)n;
    spoor_buf__wrote(buf);
    return 0;
}
