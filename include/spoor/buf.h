/*
 * spoor/buf.h: a growable byte buffer that the library fills for callers.
 *
 * A spoor_buf starts as SPOOR_BUF_INIT and is released with
 * spoor_buf_dispose(). Its content is always NUL-terminated (the NUL is not
 * counted in size) once anything was written. Not thread safe per buffer.
 */
#ifndef SPOOR_BUF_H
#define SPOOR_BUF_H

#include "common.h"

struct spoor_buf_file;

typedef struct spoor_buf {
    char *ptr;                   /* owned; NULL until the first write */
    size_t size;                 /* bytes used, excluding the terminating NUL */
    size_t asize;                /* bytes allocated */
    struct spoor_buf_file *file; /* internal: set for a buffer whose bytes
                                    move to a temporary file once large (an
                                    item's text), NULL for others */
} spoor_buf;

#define SPOOR_BUF_INIT                                                         \
    {                                                                          \
        NULL, 0, 0, NULL                                                       \
    }

/** Free the buffer's memory and reset it to SPOOR_BUF_INIT. NULL-safe. */
SPOOR_API void spoor_buf_dispose(spoor_buf *buf);

/** Append len bytes. @return 0 or SPOOR_ENOMEM (buffer unchanged). */
SPOOR_API int spoor_buf_put(spoor_buf *buf, const void *data, size_t len);

/** Append a NUL-terminated string. @return 0 or SPOOR_ENOMEM. */
SPOOR_API int spoor_buf_puts(spoor_buf *buf, const char *s);

/** Append printf-formatted text. @return 0 or SPOOR_ENOMEM. */
SPOOR_API int spoor_buf_printf(spoor_buf *buf, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Make room for at least n more bytes. @return 0 or SPOOR_ENOMEM. */
SPOOR_API int spoor_buf_grow(spoor_buf *buf, size_t n);

/** Set size to 0, keeping the allocation. */
SPOOR_API void spoor_buf_clear(spoor_buf *buf);

#endif
