/*
 * isolate.c: run an extractor backed by an old C library (FreeXL, libwv) in
 * a child process, so that a crash or a hang on a hostile file costs that
 * file only: it is reported and skipped, and the batch goes on.
 *
 * The child (fork) extracts into its own spoor_doc and streams it back over
 * a pipe as records [type:1][len:4, little endian][payload]: 'T' text,
 * 'D' date (field NUL value NUL source), 'M' metadata (key NUL value),
 * 'W' warning, 'E' error (code:4, message). The parent reads at most
 * max_text_bytes plus 1 MiB of records and waits at most
 * MAX_ITEM_SECONDS; past either bound the child is killed and the bound is
 * named. A child that dies on a signal is reported with the library's name.
 * The child leaves with _exit, so no parent buffer is flushed twice.
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

static int put_record(int fd, char type, const void *p, size_t n)
{
    unsigned char h[5] = {(unsigned char)type, (unsigned char)(n & 0xFF),
                          (unsigned char)((n >> 8) & 0xFF),
                          (unsigned char)((n >> 16) & 0xFF),
                          (unsigned char)((n >> 24) & 0xFF)};
    if (write_all(fd, h, 5) < 0)
        return -1;
    return n ? write_all(fd, p, n) : 0;
}

static int put_strings(int fd, char type, const char *a, const char *b,
                       const char *c)
{
    char buf[8192];
    int n = snprintf(buf, sizeof(buf), "%s%c%s%c%s", a, 0, b, 0, c ? c : "");
    if (n < 0 || (size_t)n >= sizeof(buf))
        return 0; /* an oversized date or metadata value is dropped */
    return put_record(fd, type, buf, (size_t)n + 1);
}

static void child(int fd, spoor_isolated_fn fn, const unsigned char *d,
                  size_t len, const spoor_limits *lim)
{
    spoor_doc doc = SPOOR_DOC_INIT;
    size_t i, off;
    int rc = fn(&doc, d, len, lim);
    if (rc < 0) {
        const char *m = spoor_error_last()->message;
        char buf[1100];
        int32_t code = rc;
        memcpy(buf, &code, 4);
        snprintf(buf + 4, sizeof(buf) - 4, "%s", m ? m : "");
        put_record(fd, 'E', buf, 4 + strlen(buf + 4));
        _exit(0);
    }
    for (off = 0; off < doc.text.size; off += 1 << 20) {
        size_t n =
            doc.text.size - off < (1u << 20) ? doc.text.size - off : (1u << 20);
        if (put_record(fd, 'T', doc.text.ptr + off, n) < 0)
            _exit(1);
    }
    for (i = 0; i < doc.n_dates; i++)
        put_strings(fd, 'D', doc.dates[i].field, doc.dates[i].value,
                    doc.dates[i].source);
    for (i = 0; i < doc.n_meta; i++)
        put_strings(fd, 'M', doc.meta[i].key, doc.meta[i].value, NULL);
    if (doc.warning)
        put_record(fd, 'W', doc.warning, strlen(doc.warning));
    _exit(0);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Apply one record to doc. */
static int apply(spoor_doc *doc, char type, const char *p, size_t n,
                 int *child_error)
{
    const char *b, *c;
    switch (type) {
    case 'T':
        return spoor_buf_put(&doc->text, p, n);
    case 'D':
    case 'M':
        if (n == 0 || p[n - 1] != '\0')
            return 0;
        b = p + strlen(p) + 1;
        if (b >= p + n)
            return 0;
        c = b + strlen(b) + 1;
        return type == 'D' ? spoor_doc__add_date(doc, p, b, c < p + n ? c : "")
                           : spoor_doc__add_meta(doc, p, b);
    case 'W': {
        char *w = spoor__strndup(p, n);
        if (!w)
            return spoor__error_oom();
        spoor__free(doc->warning);
        doc->warning = w;
        return 0;
    }
    case 'E': {
        int32_t code;
        if (n < 4)
            return 0;
        memcpy(&code, p, 4);
        *child_error = spoor__error_set(code < 0 ? code : SPOOR_EINVALID,
                                        "%.*s", (int)(n - 4), p + 4);
        return 0;
    }
    default:
        return 0;
    }
}

int spoor_extract__isolated(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim, spoor_isolated_fn fn,
                            const char *library)
{
    int fds[2], status = 0, error = 0, child_error = 0, killed = 0;
    pid_t pid;
    spoor_buf in = SPOOR_BUF_INIT;
    size_t used = 0, cap = lim->max_text_bytes + (1u << 20);
    long long deadline = now_ms() + (long long)lim->max_item_seconds * 1000;

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
        child(fds[1], fn, d, len, lim);
        _exit(0);
    }
    close(fds[1]);
    for (;;) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        long long left = deadline - now_ms();
        ssize_t r;
        if (left <= 0) {
            killed = 1;
            error = spoor__error_set(SPOOR_ELIMIT,
                                     "%s took longer than MAX_ITEM_SECONDS "
                                     "(%u) on this item",
                                     library, lim->max_item_seconds);
            break;
        }
        if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
            break;
        if (!(pfd.revents & (POLLIN | POLLHUP)))
            continue;
        if ((error = spoor_buf_grow(&in, 65536)) < 0) {
            killed = 1;
            break;
        }
        r = read(fds[0], in.ptr + in.size, 65536);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        in.size += (size_t)r;
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
    if (killed)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (error == 0 && WIFSIGNALED(status))
        error = spoor__error_set(SPOOR_EINVALID,
                                 "%s crashed on this item (signal %d); the "
                                 "item is damaged or hostile",
                                 library, WTERMSIG(status));
    else if (error == 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
        error = spoor__error_set(SPOOR_EINVALID,
                                 "%s failed on this item (exit status %d)",
                                 library, WEXITSTATUS(status));
    while (error == 0 && used + 5 <= in.size) {
        const unsigned char *h = (const unsigned char *)in.ptr + used;
        size_t n = (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 |
                   (size_t)h[4] << 24;
        if (used + 5 + n > in.size)
            break;
        error = apply(doc, (char)h[0], in.ptr + used + 5, n, &child_error);
        used += 5 + n;
    }
    spoor_buf_dispose(&in);
    if (error == 0 && child_error < 0)
        error = child_error;
    return error;
}
