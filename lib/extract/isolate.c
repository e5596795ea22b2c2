/*
 * isolate.c: run an extractor backed by an old C library (FreeXL, libwv) in
 * a child process, so that a crash or a hang on a hostile file costs that
 * file only: it is reported and skipped, and the batch goes on.
 *
 * The child (fork) extracts into its own spoor_doc and sends it back over a
 * pipe as wire records (wire.c). The parent reads at most max_text_bytes
 * plus 1 MiB of records and waits at most MAX_ITEM_SECONDS; past either
 * bound the child is killed and the bound is named. A container read this
 * way (PST) streams its children instead: each record is handed on as it
 * arrives, the wait restarts with each one, and one record may be at most
 * MAX_MEMBER_BYTES plus 1 MiB. A child that dies on a signal is reported
 * with the library's name. The child leaves with _exit, so no parent buffer
 * is flushed twice.
 *
 * fork in a multi-threaded process is only safe because the child calls
 * nothing that another thread could hold locked at the time of the fork in
 * the single-threaded CLI; a parallel ingest must spawn a helper instead.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "extract_int.h"

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Send out's records to fd and empty out. */
static int flush_fd(spoor_buf *out, void *ctx)
{
    int fd = *(int *)ctx;
    int rc = write_all(fd, out->ptr, out->size);
    out->size = 0;
    return rc < 0 ? spoor__error_set(SPOOR_EIO, "pipe closed") : 0;
}

static void child(int fd, spoor_isolated_fn fn, const unsigned char *d,
                  size_t len, const spoor_limits *lim)
{
    spoor_doc doc = SPOOR_DOC_INIT;
    spoor_buf out = SPOOR_BUF_INIT;
    int rc = fn(&doc, d, len, lim);
    if (rc < 0)
        rc = spoor_wire__error(&out, rc, spoor_error_last()->message);
    else
        rc = spoor_wire__encode_doc(&out, &doc);
    if (rc < 0 || flush_fd(&out, &fd) < 0)
        _exit(1);
    _exit(0);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Fork; the child runs in the returned pid 0 branch of the caller. */
static pid_t spawn(int fds[2])
{
    pid_t pid;
    if (pipe(fds) < 0)
        return spoor__error_set(SPOOR_EIO, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return spoor__error_set(SPOOR_EIO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGPIPE, SIG_DFL);
    } else {
        close(fds[1]);
    }
    return pid;
}

/* Wait for the child (killed first when kill_it); an error naming library
 * if it crashed or failed, else error unchanged. */
static int reap(pid_t pid, int kill_it, const char *library, int error)
{
    int status = 0;
    if (kill_it)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (error == 0 && !kill_it && WIFSIGNALED(status))
        error = spoor__error_set(SPOOR_EINVALID,
                                 "%s crashed on this item (signal %d); the "
                                 "item is damaged or hostile",
                                 library, WTERMSIG(status));
    else if (error == 0 && !kill_it && WIFEXITED(status) &&
             WEXITSTATUS(status) != 0)
        error = spoor__error_set(SPOOR_EINVALID,
                                 "%s failed on this item (exit status %d)",
                                 library, WEXITSTATUS(status));
    return error;
}

/* Wait up to the deadline for fd to be readable; 1 ready, 0 timed out. */
static int wait_readable(int fd, long long deadline)
{
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
            return 1; /* let read() report it */
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
            return 1;
    }
}

/* Read what is available on fd into in (at most 64 KiB more).
 * @return bytes read, 0 at end of stream, < 0 on error. */
static ssize_t read_some(int fd, spoor_buf *in)
{
    ssize_t r;
    int error;
    if ((error = spoor_buf_grow(in, 65536)) < 0)
        return error;
    do
        r = read(fd, in->ptr + in->size, 65536);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        in->size += (size_t)r;
    return r < 0 ? 0 : r;
}

static int timed_out(const char *library, const spoor_limits *lim,
                     const char *what)
{
    return spoor__error_set(SPOOR_ELIMIT,
                            "%s took longer than MAX_ITEM_SECONDS (%u) %s",
                            library, lim->max_item_seconds, what);
}

int spoor_extract__isolated(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim, spoor_isolated_fn fn,
                            const char *library)
{
    int fds[2], error = 0, child_error = 0, killed = 0;
    pid_t pid;
    spoor_buf in = SPOOR_BUF_INIT;
    size_t cap = lim->max_text_bytes + (1u << 20);
    long long deadline = now_ms() + (long long)lim->max_item_seconds * 1000;
    ssize_t r;

    if ((pid = spawn(fds)) < 0)
        return (int)pid;
    if (pid == 0)
        child(fds[1], fn, d, len, lim);
    for (;;) {
        if (!wait_readable(fds[0], deadline)) {
            killed = 1;
            error = timed_out(library, lim, "on this item");
            break;
        }
        if ((r = read_some(fds[0], &in)) <= 0) {
            killed = r < 0;
            error = (int)r;
            break;
        }
        if (in.size > cap) {
            killed = 1;
            error = spoor__error_set(SPOOR_ELIMIT,
                                     "extracted text exceeds MAX_TEXT_BYTES "
                                     "(%llu)",
                                     (unsigned long long)lim->max_text_bytes);
            break;
        }
    }
    close(fds[0]);
    error = reap(pid, killed, library, error);
    if (error == 0)
        error = spoor_wire__decode_doc(doc, (const unsigned char *)in.ptr,
                                       in.size, &child_error, 1);
    spoor_buf_dispose(&in);
    if (error == 0 && child_error < 0)
        error = child_error;
    return error;
}

/* The child side of spoor_extract__isolated_children. */
static void children_child(int fd, spoor_isolated_children_fn fn,
                           const unsigned char *d, size_t len,
                           const spoor_limits *lim)
{
    spoor_buf out = SPOOR_BUF_INIT;
    int rc = fn(d, len, lim, &out, flush_fd, &fd);
    if (rc < 0 && spoor_wire__error(&out, rc, spoor_error_last()->message) < 0)
        _exit(1);
    if (flush_fd(&out, &fd) < 0)
        _exit(1);
    _exit(0);
}

/* Hand one streamed record to sink; 'E' sets *child_error. */
static int pass_record(char type, const unsigned char *p, size_t n,
                       spoor_child_sink sink, void *payload, int *child_error)
{
    spoor_doc one = SPOOR_DOC_INIT;
    int error;
    if (type != 'C' && type != 'S' && type != 'E')
        return 0;
    error = spoor_wire__apply(&one, type, p, n, child_error, 0);
    if (error == 0 && one.n_children) {
        const spoor_child *c = &one.children[0];
        spoor_child_event ev = {c->name, c->data, c->len,   NULL,
                                0,       NULL,    c->format};
        error = sink(payload, &ev);
    } else if (error == 0 && one.n_skips) {
        const spoor_skip *k = &one.skips[0];
        spoor_child_event ev = {k->name, NULL,      0,   NULL,
                                k->code, k->reason, NULL};
        error = sink(payload, &ev);
    }
    spoor_doc_dispose(&one);
    return error;
}

int spoor_extract__isolated_children(const unsigned char *d, size_t len,
                                     const spoor_limits *lim,
                                     spoor_isolated_children_fn fn,
                                     const char *library, spoor_child_sink sink,
                                     void *payload)
{
    int fds[2], error = 0, child_error = 0, killed = 0;
    pid_t pid;
    spoor_buf in = SPOOR_BUF_INIT;
    uint64_t cap = lim->max_member_bytes + (1u << 20);
    long long wait_ms = (long long)lim->max_item_seconds * 1000;
    long long deadline = now_ms() + wait_ms;

    if ((pid = spawn(fds)) < 0)
        return (int)pid;
    if (pid == 0)
        children_child(fds[1], fn, d, len, lim);
    for (;;) {
        const unsigned char *p;
        size_t used = 0, step, n;
        ssize_t r;
        char type;
        if (!wait_readable(fds[0], deadline)) {
            killed = 1;
            error = timed_out(library, lim, "without reading a message");
            break;
        }
        if ((r = read_some(fds[0], &in)) <= 0) {
            killed = r < 0;
            error = (int)r;
            break;
        }
        while (error == 0 && child_error == 0 &&
               (step = spoor_wire__next((const unsigned char *)in.ptr + used,
                                        in.size - used, &type, &p, &n)) > 0) {
            error = pass_record(type, p, n, sink, payload, &child_error);
            used += step;
        }
        if (used) {
            memmove(in.ptr, in.ptr + used, in.size - used);
            in.size -= used;
        }
        if (error < 0 || child_error < 0) {
            killed = 1;
            break;
        }
        if (in.size >= 5) {
            const unsigned char *h = (const unsigned char *)in.ptr;
            uint64_t want = (uint64_t)h[1] | (uint64_t)h[2] << 8 |
                            (uint64_t)h[3] << 16 | (uint64_t)h[4] << 24;
            if (want > cap) {
                killed = 1;
                error = spoor__error_set(
                    SPOOR_ELIMIT,
                    "a %s record of %llu bytes exceeds MAX_MEMBER_BYTES "
                    "(%llu)",
                    library, (unsigned long long)want,
                    (unsigned long long)lim->max_member_bytes);
                break;
            }
        }
        deadline = now_ms() + wait_ms; /* sink time does not count */
    }
    close(fds[0]);
    error = reap(pid, killed, library, error);
    spoor_buf_dispose(&in);
    if (error == 0 && child_error < 0)
        error = child_error;
    return error;
}
