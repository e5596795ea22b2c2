/*
 * opt.c: argument value parsing shared by the commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#define MAX_STDIN_BYTES ((size_t)1 << 30)
#define MAX_READ_BYTES ((size_t)1 << 30)

int cli_valid_date(const char *s)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, i;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

int cli_parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (size_t)v;
    return 0;
}

int cli_parse_fraction(const char *s, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

int cli_read_stream(int fd, const char *name, char **out, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    ssize_t r;
    if (!buf)
        return cli_error(name, "out of memory");
    for (;;) {
        if (n == cap) {
            char *nb;
            if (cap >= MAX_STDIN_BYTES) {
                free(buf);
                return cli_error(name, "stream exceeds 1 GiB");
            }
            nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return cli_error(name, "out of memory");
            }
            buf = nb;
            cap *= 2;
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            return cli_error(name, "cannot read: %s", strerror(errno));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *out = buf;
    *len = n;
    return CLI_OK;
}

int cli_read_stdin(char **out, size_t *len)
{
    return cli_read_stream(STDIN_FILENO, "-", out, len);
}

int cli_open_index(spoor_store **out, const cli_global *g, int flags)
{
    int error = spoor_store_open(out, g->index, flags);
    if (error == SPOOR_EBUSY) { /* another writer: say so, then wait */
        fprintf(stderr, "spoor: %s; waiting for it to finish\n",
                spoor_error_last()->message);
        error = spoor_store_open(out, g->index, flags | SPOOR_STORE_WAIT);
    }
    if (error < 0)
        return cli_error_lib(NULL);
    return CLI_OK;
}

const cli_opt cli_input_opts[] = {
    {"limit", 0, CLI_O_LIMIT, "NAME=N",
     "override a bound (docs/design.md): MAX_FILE_BYTES,\n"
     "MAX_TEXT_BYTES, MAX_DEPTH, MAX_MEMBERS,\n"
     "MAX_MEMBER_BYTES, MAX_EXPANDED_BYTES,\n"
     "MAX_EXPANSION_RATIO, MAX_MIME_PARTS,\n"
     "MAX_MIME_DEPTH, MAX_PDF_PAGES, MAX_ITEM_SECONDS,\n"
     "MAX_OCR_PAGES"},
    {"no-ocr", 0, CLI_O_NO_OCR, NULL,
     "read no text from images and scanned pages"},
    CLI_OPT_END};

int cli_parse_limit(spoor_limits *lim, const char *arg)
{
    static const struct {
        const char *name;
        int is_u64;
        size_t off;
    } names[] = {
        {"MAX_FILE_BYTES", 1, offsetof(spoor_limits, max_file_bytes)},
        {"MAX_TEXT_BYTES", 1, offsetof(spoor_limits, max_text_bytes)},
        {"MAX_DEPTH", 0, offsetof(spoor_limits, max_depth)},
        {"MAX_MEMBERS", 1, offsetof(spoor_limits, max_members)},
        {"MAX_MEMBER_BYTES", 1, offsetof(spoor_limits, max_member_bytes)},
        {"MAX_EXPANDED_BYTES", 1, offsetof(spoor_limits, max_expanded_bytes)},
        {"MAX_EXPANSION_RATIO", 1, offsetof(spoor_limits, max_expansion_ratio)},
        {"MAX_MIME_PARTS", 0, offsetof(spoor_limits, max_mime_parts)},
        {"MAX_MIME_DEPTH", 0, offsetof(spoor_limits, max_mime_depth)},
        {"MAX_PDF_PAGES", 0, offsetof(spoor_limits, max_pdf_pages)},
        {"MAX_ITEM_SECONDS", 0, offsetof(spoor_limits, max_item_seconds)},
        {"MAX_OCR_PAGES", 0, offsetof(spoor_limits, max_ocr_pages)},
    };
    const char *eq = strchr(arg, '=');
    size_t i, v;
    if (!eq || cli_parse_size(eq + 1, &v) || v == 0)
        return -1;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) != (size_t)(eq - arg) ||
            strncmp(arg, names[i].name, (size_t)(eq - arg)))
            continue;
        if (names[i].is_u64)
            *(uint64_t *)((char *)lim + names[i].off) = v;
        else if (v > 0xFFFFFFFFu)
            return -1;
        else
            *(unsigned *)((char *)lim + names[i].off) = (unsigned)v;
        return 0;
    }
    return -1;
}

char *cli_command_line(int argc, char **argv)
{
    size_t n = 8, i;
    char *s;
    for (i = 0; i < (size_t)argc; i++)
        n += strlen(argv[i]) + 1;
    if (!(s = malloc(n)))
        return NULL;
    strcpy(s, "spoor");
    for (i = 0; i < (size_t)argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

int cli_write_file(const char *path, const spoor_buf *buf)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return cli_error(path, "cannot write: %s", strerror(errno));
    if ((buf->size && fwrite(buf->ptr, 1, buf->size, f) != buf->size) ||
        fclose(f) != 0)
        return cli_error(path, "cannot write: %s", strerror(errno));
    return CLI_OK;
}

int cli_write_report(const char *path, const spoor_buf *page, int made)
{
    int rc;
    if (made < 0)
        return cli_error_lib(path);
    if ((rc = cli_write_file(path, page)) == CLI_OK)
        fprintf(stderr, "spoor: report written to %s\n", path);
    return rc;
}

int cli_read_file(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    size_t n = 0;
    char *buf;
    if (fd < 0)
        return cli_error(path, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return cli_error(path, "not a regular file");
    }
    if ((size_t)st.st_size > MAX_READ_BYTES) {
        close(fd);
        return cli_error(path, "larger than 1 GiB");
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return cli_error(path, "out of memory");
    }
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return CLI_OK;
}

int cli_grow(void **arr, size_t *cap, size_t n, size_t size, size_t first)
{
    size_t ncap;
    void *p;
    if (n < *cap)
        return 0;
    ncap = *cap ? 2 * *cap : first;
    if (!(p = realloc(*arr, ncap * size)))
        return SPOOR_ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}
