/*
 * error.c: thread-local last error (code + one-line message).
 *
 * The message lives in a fixed thread-local buffer so that reporting an
 * error, including out-of-memory, never allocates.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <spoor/common.h>

#include "internal.h"

static _Thread_local char message[1024];
static _Thread_local spoor_error last = {0, ""};

const char *spoor_version(void)
{
    return SPOOR_VERSION;
}

int spoor__error_setv(int code, const char *fmt, va_list ap)
{
    vsnprintf(message, sizeof(message), fmt, ap);
    last.code = code;
    last.message = message;
    return code;
}

int spoor__error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    code = spoor__error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

int spoor__error_oom(void)
{
    return spoor__error_set(SPOOR_ENOMEM, "out of memory");
}

const spoor_error *spoor_error_last(void)
{
    if (!last.message)
        last.message = "";
    return &last;
}

void spoor_error_clear(void)
{
    message[0] = '\0';
    last.code = 0;
    last.message = message;
}

const char *spoor_strerror(int code)
{
    switch (code) {
    case SPOOR_OK:
        return "no error";
    case SPOOR_ENOMEM:
        return "out of memory";
    case SPOOR_EIO:
        return "input/output error";
    case SPOOR_ENOTFOUND:
        return "not found";
    case SPOOR_EEXISTS:
        return "already exists";
    case SPOOR_EINVALID:
        return "malformed input";
    case SPOOR_ELIMIT:
        return "limit reached";
    case SPOOR_EUNSUPPORTED:
        return "unsupported";
    case SPOOR_ECORRUPT:
        return "index damaged";
    case SPOOR_EUSER:
        return "stopped by caller";
    case SPOOR_EBUSY:
        return "busy";
    default:
        return "error";
    }
}
