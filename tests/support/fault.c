/*
 * fault.c: an LD_PRELOAD shim for the durability tests. It stands between
 * spoor and the C library's fsync and rename:
 *
 *   FAULT_FSYNC_FAIL=N   the N-th fsync (1-based) of a file whose name
 *                        holds ".spx" fails with EIO, as a dying disk
 *                        would; others pass through
 *   FAULT_LOG=FILE       every fsync and rename is logged to FILE, with
 *                        the path behind an fsync's descriptor
 *
 * so a test can prove that a segment is synced before it is renamed into
 * place and registered, and that a failed sync leaves nothing registered.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int seg_fsyncs;

/* The path behind descriptor fd into out (empty when unknown). */
static void path_of(int fd, char *out, size_t cap)
{
    char link[64];
    ssize_t n;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
}

static void log_line(const char *fmt, const char *a, const char *b)
{
    const char *file = getenv("FAULT_LOG");
    FILE *f;
    if (!file || !(f = fopen(file, "a")))
        return;
    fprintf(f, fmt, a, b);
    fclose(f);
}

int fsync(int fd)
{
    static int (*real)(int);
    const char *fail = getenv("FAULT_FSYNC_FAIL");
    char path[4096];
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    path_of(fd, path, sizeof(path));
    if (strstr(path, ".spx") && fail && ++seg_fsyncs == atoi(fail)) {
        log_line("fsync %s%s: EIO\n", path, "");
        errno = EIO;
        return -1;
    }
    log_line("fsync %s%s\n", path, "");
    return real(fd);
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real)
        real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    log_line("rename %s -> %s\n", from, to);
    return real(from, to);
}
