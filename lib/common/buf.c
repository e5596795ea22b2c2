/*
 * buf.c: growable NUL-terminated byte buffer (see spoor/buf.h).
 * Invariant: ptr == NULL or size < asize and ptr[size] == '\0'.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

void spoor_buf_dispose(spoor_buf *buf)
{
    if (!buf)
        return;
    spoor__free(buf->ptr);
    buf->ptr = NULL;
    buf->size = buf->asize = 0;
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
    p = spoor__realloc(buf->ptr, ncap);
    if (!p)
        return spoor__error_oom();
    buf->ptr = p;
    buf->asize = ncap;
    return 0;
}

int spoor_buf_put(spoor_buf *buf, const void *data, size_t len)
{
    int error = spoor_buf_grow(buf, len);
    if (error < 0)
        return error;
    if (len)
        memcpy(buf->ptr + buf->size, data, len);
    buf->size += len;
    buf->ptr[buf->size] = '\0';
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
    return 0;
}
