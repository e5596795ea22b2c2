/*
 * isolate.c: run an extractor backed by an old C library (FreeXL, libwv,
 * libpff) in a child process, so that a crash or a hang on a hostile file
 * costs that file only: it is reported and skipped, and the batch goes on.
 *
 * The child extracts into its own spoor_doc and sends it back over a pipe
 * as wire records (wire.c), ending with a 'Z' record. The parent reads at
 * most max_text_bytes plus 1 MiB of records and waits at most
 * MAX_ITEM_SECONDS; past either bound the child is killed and the bound is
 * named. A container read this way (PST) streams its children instead:
 * each record is handed on as it arrives, the wait restarts with each one,
 * and one record may be at most MAX_MEMBER_BYTES plus 1 MiB. A child that
 * dies, or ends without its 'Z' record, is reported with the library's
 * name. The child leaves with _exit, so no parent buffer is flushed twice.
 *
 * Single-threaded, the parent forks the child itself. fork() in a threaded
 * process is unsafe (another thread may hold a lock the child then needs),
 * so a parallel walk first starts a fork server (spoor_isolate__server_
 * start), a single-threaded copy of the process made before any thread:
 * the parent sends it a request over a SOCK_SEQPACKET socket with the
 * item's bytes as a file descriptor (the input file itself when the bytes
 * are the mapped file, else an anonymous memory file) and the pipe to
 * answer on; the server forks the child and replies with its pid. Children
 * of the server are reaped by it (SIGCHLD ignored), so the parent judges
 * the run by its 'Z' record and kills by pid on a timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "extract_int.h"
#include "../module/module.h"

enum { MODE_DOC, MODE_CHILDREN };

typedef union isolated_fn {
    spoor_isolated_fn doc;
    spoor_isolated_children_fn children;
} isolated_fn;

/* The file being walked by this thread (walk.c), for the fork server. */
static _Thread_local struct {
    int fd;
    const unsigned char *map;
    size_t size;
} current_file = {-1, NULL, 0};

static int server_fd = -1; /* requests to the fork server, or -1 */
static pid_t server_pid = -1;

void spoor_isolate__set_file(int fd, const void *map, size_t size)
{
    current_file.fd = fd;
    current_file.map = map;
    current_file.size = size;
}

/* Send out's records to fd and empty out. */
static int flush_fd(spoor_buf *out, void *ctx)
{
    int fd = *(int *)ctx;
    int rc = spoor__write_all(fd, out->ptr, out->size);
    out->size = 0;
    return rc < 0 ? spoor__error_set(SPOOR_EIO, "pipe closed") : 0;
}

/* The child: run fn on d and send the outcome to fd, then 'Z'; exits. */
static void run_child(int mode, isolated_fn fn, int fd, const unsigned char *d,
                      size_t len, const spoor_limits *lim)
{
    spoor_doc doc = SPOOR_DOC_INIT;
    spoor_buf out = SPOOR_BUF_INIT;
    const char *test = spoor__test_hook("SPOOR_TEST_ISOLATED");
    int rc;

    signal(SIGPIPE, SIG_DFL);
    if (test && !strcmp(test, "crash")) { /* tests: a library that breaks */
        signal(SIGSEGV, SIG_DFL);         /* past any sanitizer's handler */
        raise(SIGSEGV);
    }
    if (test && !strcmp(test, "hang"))
        for (;;)
            pause();
    if (mode == MODE_DOC) {
        rc = fn.doc(&doc, d, len, lim);
        rc = rc < 0 ? spoor_wire__error(&out, rc, spoor_error_last()->message)
                    : spoor_wire__encode_doc(&out, &doc);
    } else {
        rc = fn.children(d, len, lim, &out, flush_fd, &fd);
        if (rc < 0)
            rc = spoor_wire__error(&out, rc, spoor_error_last()->message);
    }
    if (rc < 0 || spoor_wire__record(&out, 'Z', NULL, 0) < 0 ||
        flush_fd(&out, &fd) < 0)
        _exit(1);
    _exit(0);
}

/* ==== Warm starts ==== */

#define MAX_WARM 8

/* The warm functions this process has run (the server's, or the caller's
 * when it forks directly); both are single-threaded where they run it. */
static spoor_warm_fn warmed[MAX_WARM];

/* Run warm here once, so that children forked from now on inherit it. */
static void warm_once(spoor_warm_fn warm)
{
    size_t i;
    if (!warm)
        return;
    for (i = 0; i < MAX_WARM && warmed[i]; i++)
        if (warmed[i] == warm)
            return;
    if (i == MAX_WARM)
        return; /* children start cold */
    warm();
    warmed[i] = warm;
}

/* ==== The fork server ==== */

typedef struct request {
    int mode;
    isolated_fn fn;     /* valid in the server: a fork of this process */
    spoor_warm_fn warm; /* run once in the server before forking, or NULL */
    spoor_limits lim;
    uint64_t offset, len; /* the item's bytes in the passed descriptor */
} request;

/* Receive a request and its three descriptors; -1 at end of stream. */
static int receive(int sock, request *rq, int fds[3])
{
    char cbuf[CMSG_SPACE(3 * sizeof(int))];
    struct iovec iov = {rq, sizeof(*rq)};
    struct msghdr m;
    struct cmsghdr *c;
    ssize_t n;

    memset(&m, 0, sizeof(m));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = sizeof(cbuf);
    do
        n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    c = CMSG_FIRSTHDR(&m);
    if (!c || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(3 * sizeof(int))) {
        return 0; /* malformed: nothing to answer on */
    }
    memcpy(fds, CMSG_DATA(c), 3 * sizeof(int));
    if ((size_t)n != sizeof(*rq)) {
        close(fds[0]);
        close(fds[1]);
        close(fds[2]);
        return 0;
    }
    return 1;
}

static void serve(int sock)
{
    signal(SIGCHLD, SIG_IGN); /* children are reaped automatically */
    for (;;) {
        request rq;
        int fds[3], r = receive(sock, &rq, fds);
        pid_t pid;
        if (r < 0)
            _exit(0);
        if (r == 0)
            continue;
        warm_once(rq.warm);
        pid = fork();
        if (pid == 0) {
            const unsigned char *d = (const unsigned char *)"";
            close(sock);
            close(fds[2]);
            signal(SIGCHLD, SIG_DFL);
            if (rq.len) {
                uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
                uint64_t delta = rq.offset % page;
                void *map = mmap(NULL, rq.len + delta, PROT_READ, MAP_PRIVATE,
                                 fds[0], (off_t)(rq.offset - delta));
                if (map == MAP_FAILED)
                    _exit(3);
                d = (const unsigned char *)map + delta;
            }
            close(fds[0]);
            run_child(rq.mode, rq.fn, fds[1], d, rq.len, &rq.lim);
        }
        spoor__write_all(fds[2], &pid, sizeof(pid));
        close(fds[0]);
        close(fds[1]);
        close(fds[2]);
    }
}

int spoor_isolate__server_start(void)
{
    int sv[2];
    pid_t pid;
    if (server_fd >= 0)
        return 0;
    /* the server's children run the documents module's functions (the
     * isolated extractors are there): map it first, so their addresses are
     * the same in the server (a fork of this process); if it cannot be
     * loaded no isolated extractor runs */
    (void)spoor_module__get(SPOOR_MODULE_DOCS);
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return spoor__error_set(SPOOR_EIO, "socketpair: %s", strerror(errno));
    fflush(NULL);
    if ((pid = fork()) < 0) {
        close(sv[0]);
        close(sv[1]);
        return spoor__error_set(SPOOR_EIO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(sv[0]);
        serve(sv[1]);
        _exit(0);
    }
    close(sv[1]);
    server_fd = sv[0];
    server_pid = pid;
    return 0;
}

void spoor_isolate__server_stop(void)
{
    if (server_fd < 0)
        return;
    close(server_fd); /* the server leaves at end of stream */
    server_fd = -1;
    while (waitpid(server_pid, NULL, 0) < 0 && errno == EINTR)
        ;
    server_pid = -1;
}

/* ==== Starting and ending a run ==== */

typedef struct child_run {
    pid_t pid;
    int fd; /* read end of the records pipe */
    int via_server;
} child_run;

/* The item's bytes as a descriptor for the server: the mapped input file
 * itself when d lies in it (*own = 0), else a memory file holding a copy. */
static int data_fd(const unsigned char *d, size_t len, uint64_t *offset,
                   int *own)
{
    *offset = 0;
    *own = 1;
    if (current_file.fd >= 0 && len && d >= current_file.map &&
        d + len <= current_file.map + current_file.size) {
        *offset = (uint64_t)(d - current_file.map);
        *own = 0;
        return current_file.fd;
    }
    return spoor__memfd_copy("spoor-item", d, len);
}

static int start_via_server(child_run *r, int mode, isolated_fn fn,
                            const unsigned char *d, size_t len,
                            const spoor_limits *lim, spoor_warm_fn warm)
{
    request rq;
    int res[2], answer[2], fds[3], own, dfd, error = 0;
    char cbuf[CMSG_SPACE(3 * sizeof(int))];
    struct iovec iov = {&rq, sizeof(rq)};
    struct msghdr m;
    struct cmsghdr *c;
    pid_t pid = -1;
    ssize_t n;

    memset(&rq, 0, sizeof(rq));
    rq.mode = mode;
    rq.fn = fn;
    rq.warm = warm;
    rq.lim = *lim;
    rq.len = len;
    if ((dfd = data_fd(d, len, &rq.offset, &own)) < 0)
        return spoor__error_set(SPOOR_EIO, "memfd: %s", strerror(errno));
    if (pipe2(res, O_CLOEXEC) < 0) {
        error = spoor__error_set(SPOOR_EIO, "pipe: %s", strerror(errno));
        goto done_data;
    }
    if (pipe2(answer, O_CLOEXEC) < 0) {
        error = spoor__error_set(SPOOR_EIO, "pipe: %s", strerror(errno));
        close(res[0]);
        close(res[1]);
        goto done_data;
    }
    fds[0] = dfd;
    fds[1] = res[1];
    fds[2] = answer[1];
    memset(&m, 0, sizeof(m));
    memset(cbuf, 0, sizeof(cbuf));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = sizeof(cbuf);
    c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(fds));
    memcpy(CMSG_DATA(c), fds, sizeof(fds));
    do
        n = sendmsg(server_fd, &m, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    close(res[1]);
    close(answer[1]);
    if (n == (ssize_t)sizeof(rq)) {
        do
            n = read(answer[0], &pid, sizeof(pid));
        while (n < 0 && errno == EINTR);
    }
    close(answer[0]);
    if (n != (ssize_t)sizeof(pid) || pid < 0) {
        close(res[0]);
        error = spoor__error_set(SPOOR_EIO,
                                 "the fork server could not start a child");
    } else {
        r->pid = pid;
        r->fd = res[0];
        r->via_server = 1;
    }
done_data:
    if (own)
        close(dfd);
    return error;
}

static int start_run(child_run *r, int mode, isolated_fn fn,
                     const unsigned char *d, size_t len,
                     const spoor_limits *lim, spoor_warm_fn warm)
{
    int fds[2];
    memset(r, 0, sizeof(*r));
    if (server_fd >= 0)
        return start_via_server(r, mode, fn, d, len, lim, warm);
    warm_once(warm);
    if (pipe2(fds, O_CLOEXEC) < 0)
        return spoor__error_set(SPOOR_EIO, "pipe: %s", strerror(errno));
    fflush(NULL);
    if ((r->pid = fork()) < 0) {
        close(fds[0]);
        close(fds[1]);
        return spoor__error_set(SPOOR_EIO, "fork: %s", strerror(errno));
    }
    if (r->pid == 0) {
        close(fds[0]);
        run_child(mode, fn, fds[1], d, len, lim);
    }
    close(fds[1]);
    r->fd = fds[0];
    return 0;
}

/* Close the run (killed first when kill_it). @return error unchanged, or
 * an error naming library if the child crashed, failed or ended without
 * its 'Z' record. */
static int end_run(child_run *r, int kill_it, int finished, const char *library,
                   int error)
{
    int status = 0;
    close(r->fd);
    if (kill_it)
        kill(r->pid, SIGKILL);
    if (r->via_server) {
        if (error == 0 && !kill_it && !finished)
            error = spoor__error_set(SPOOR_EINVALID,
                                     "%s died on this item; the item is "
                                     "damaged or hostile",
                                     library);
        return error;
    }
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
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
    else if (error == 0 && !kill_it && !finished)
        error = spoor__error_set(
            SPOOR_EINVALID, "%s ended without finishing this item", library);
    return error;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
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
    if (r > 0) {
        in->size += (size_t)r;
        spoor_buf__wrote(in); /* a spilled one hands back what it holds */
    }
    return r < 0 ? 0 : r;
}

static int timed_out(const char *library, const spoor_limits *lim,
                     const char *what)
{
    return spoor__error_set(SPOOR_ELIMIT,
                            "%s took longer than MAX_ITEM_SECONDS (%u) %s",
                            library, lim->max_item_seconds, what);
}

/* Non-zero if the records of in end with a 'Z' record. */
static int ends_finished(const spoor_buf *in)
{
    const unsigned char *p, *d = (const unsigned char *)in->ptr;
    size_t used = 0, step, n;
    char type = 0;
    if (!in->size) /* nothing came (ptr is NULL then) */
        return 0;
    while ((step = spoor_wire__next(d + used, in->size - used, &type, &p, &n)) >
           0)
        used += step;
    return used == in->size && type == 'Z';
}

int spoor_extract__forks_directly(void)
{
    return server_fd < 0;
}

int spoor_extract__isolated(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim, spoor_isolated_fn fn,
                            const char *library)
{
    return spoor_extract__isolated_warm(doc, d, len, lim, fn, library, NULL);
}

int spoor_extract__isolated_warm(spoor_doc *doc, const unsigned char *d,
                                 size_t len, const spoor_limits *lim,
                                 spoor_isolated_fn fn, const char *library,
                                 spoor_warm_fn warm)
{
    int error = 0, child_error = 0, killed = 0;
    spoor_buf in = SPOOR_BUF_INIT;
    size_t cap = lim->max_text_bytes + (1u << 20);
    long long deadline = now_ms() + (long long)lim->max_item_seconds * 1000;
    isolated_fn f;
    ssize_t r;
    child_run run;

    f.doc = fn;
    if ((error = start_run(&run, MODE_DOC, f, d, len, lim, warm)) < 0)
        return error;
    for (;;) {
        if (!wait_readable(run.fd, deadline)) {
            killed = 1;
            error = timed_out(library, lim, "on this item");
            break;
        }
        if ((r = read_some(run.fd, &in)) <= 0) {
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
    error = end_run(&run, killed, ends_finished(&in), library, error);
    if (error == 0)
        error = spoor_wire__decode_doc(doc, (const unsigned char *)in.ptr,
                                       in.size, &child_error, 1);
    spoor_buf_dispose(&in);
    if (error == 0 && child_error < 0)
        error = child_error;
    return error;
}

/* Records held in memory at most: a longer one (an attachment) is read
 * into a temporary file. */
#define RECORD_SPILL_BYTES ((size_t)32 << 20)

/* Hand one streamed record to sink; 'E' sets *child_error. While the
 * member is walked, records in a temporary file (in spilled) are the
 * thread's input, whose pages the passes hand back. */
static int pass_record(char type, const unsigned char *p, size_t n,
                       spoor_child_sink sink, void *payload, int *child_error,
                       const spoor_buf *in)
{
    spoor_doc one = SPOOR_DOC_INIT;
    spoor_input saved;
    int error;
    spoor_buf__as_input(&saved, in);
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
    spoor__input_restore(&saved);
    return error;
}

int spoor_extract__isolated_children(const unsigned char *d, size_t len,
                                     const spoor_limits *lim,
                                     spoor_isolated_children_fn fn,
                                     const char *library, spoor_child_sink sink,
                                     void *payload)
{
    int error = 0, child_error = 0, killed = 0, finished = 0;
    spoor_buf in = SPOOR_BUF_INIT;
    uint64_t cap = lim->max_member_bytes + (1u << 20);
    long long wait_ms = (long long)lim->max_item_seconds * 1000;
    long long deadline = now_ms() + wait_ms;
    isolated_fn f;
    child_run run;

    f.children = fn;
    /* a long record (an attachment) goes to a temporary file as it is
     * read (buf.c) */
    if ((error = spoor_buf__spill_over(
             &in, spoor__spill_bound(RECORD_SPILL_BYTES))) < 0)
        return error;
    if ((error = start_run(&run, MODE_CHILDREN, f, d, len, lim, NULL)) < 0) {
        spoor_buf_dispose(&in);
        return error;
    }
    for (;;) {
        const unsigned char *p;
        size_t used = 0, step, n;
        ssize_t r;
        char type;
        if (!wait_readable(run.fd, deadline)) {
            killed = 1;
            error = timed_out(library, lim, "without reading a message");
            break;
        }
        if ((r = read_some(run.fd, &in)) <= 0) {
            killed = r < 0;
            error = (int)r;
            break;
        }
        while (error == 0 && child_error == 0 &&
               (step = spoor_wire__next((const unsigned char *)in.ptr + used,
                                        in.size - used, &type, &p, &n)) > 0) {
            finished = type == 'Z';
            error = pass_record(type, p, n, sink, payload, &child_error, &in);
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
    error = end_run(&run, killed, finished && in.size == 0, library, error);
    spoor_buf_dispose(&in);
    if (error == 0 && child_error < 0)
        error = child_error;
    return error;
}
