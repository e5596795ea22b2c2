/*
 * spoor/error.h: error codes and the per-thread last-error message.
 *
 * A fallible function returns 0 or one of the negative codes below and, on
 * error, leaves a one-line message naming the object and the reason in
 * thread-local storage, readable with spoor_error_last() until the next
 * failing call on the same thread.
 */
#ifndef SPOOR_ERROR_H
#define SPOOR_ERROR_H

#include "common.h"

enum {
    SPOOR_OK = 0,
    SPOOR_ERROR = -1,        /* generic failure */
    SPOOR_ENOMEM = -2,       /* out of memory */
    SPOOR_EIO = -3,          /* reading or writing a file failed */
    SPOOR_ENOTFOUND = -4,    /* the named object does not exist */
    SPOOR_EEXISTS = -5,      /* the object exists and conflicts */
    SPOOR_EINVALID = -6,     /* malformed input or argument */
    SPOOR_ELIMIT = -7,       /* a bound from limits.h was reached */
    SPOOR_EUNSUPPORTED = -8, /* the format or feature is not supported */
    SPOOR_ECORRUPT = -9,     /* the index is damaged */
    SPOOR_EUSER = -10,       /* a callback asked to stop */
    SPOOR_EBUSY = -11        /* another process is writing the index */
};

typedef struct spoor_error {
    int code;            /* one of the codes above */
    const char *message; /* one line, lower case, no final period */
} spoor_error;

/** The last error set on this thread; never NULL (code 0 when none). */
SPOOR_API const spoor_error *spoor_error_last(void);

/** Fixed text for an error code; static storage. */
SPOOR_API const char *spoor_strerror(int code);

/** Forget the last error of this thread. */
SPOOR_API void spoor_error_clear(void);

#endif
