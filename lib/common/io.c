/*
 * io.c: file-descriptor helpers shared by the stages.
 */
#include <errno.h>
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
