/*
 * io.c: file-descriptor helpers shared by the stages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

int spoor__write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int spoor__read_at(int fd, void *p, size_t n, uint64_t off)
{
    char *c = p;
    while (n) {
        ssize_t r = pread(fd, c, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO; /* the file ends before n bytes */
            return -1;
        }
        c += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return 0;
}

int spoor__memfd_copy(const char *name, const void *data, size_t len)
{
    int fd = memfd_create(name, MFD_CLOEXEC), saved;
    if (fd < 0)
        return -1;
    if (spoor__write_all(fd, data, len) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Files smaller than this keep their pages while they are read: a later
 * pass would fault them in again, which costs more than it saves. */
#define RELEASE_MIN ((size_t)64 << 20)

static _Thread_local spoor_input input;

void spoor__input_set(const void *map, size_t size)
{
    input.ptr = map;
    input.size = map ? size : 0;
    input.min = RELEASE_MIN;
}

void spoor_buf__as_input(spoor_input *saved, const spoor_buf *buf)
{
    *saved = input;
    if (!spoor_buf__spilled(buf))
        return;
    input.ptr = (const unsigned char *)buf->ptr;
    input.size = buf->size;
    input.min = 0;
}

void spoor__input_restore(const spoor_input *saved)
{
    input = *saved;
}

void spoor__input_done(const void *upto)
{
    const unsigned char *u = upto;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n;
    if (!input.ptr || input.size < input.min || u <= input.ptr ||
        u > input.ptr + input.size)
        return;
    n = (size_t)(u - input.ptr);
    if (u < input.ptr + input.size)
        n -= n % page;
    if (n)
        (void)madvise((void *)input.ptr, n, MADV_DONTNEED);
}

int spoor__tmpfile(const char *what)
{
    const char *dir = getenv("TMPDIR");
    int fd;
    if (!dir || !*dir)
        dir = "/tmp";
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return spoor__error_set(SPOOR_EIO,
                                "cannot create a temporary file in '%s' for "
                                "%s: %s",
                                dir, what, strerror(errno));
    return fd;
}
