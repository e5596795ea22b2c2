/*
 * internal.h: helpers shared by every stage of libspoor; depends on nothing
 * but the C library and the public headers.
 *
 * Allocation: every allocation in lib/ goes through spoor__malloc and
 * friends so tests can make the N-th one fail (spoor__alloc_fail_after).
 * Errors: spoor__error_set stores a thread-local one-line message and
 * returns the code, so `return spoor__error_set(SPOOR_EINVALID, ...)` works.
 */
#ifndef SPOOR_COMMON_INTERNAL_H
#define SPOOR_COMMON_INTERNAL_H

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <spoor/buf.h>
#include <spoor/error.h>

#include "limits.h"

void *spoor__malloc(size_t n);
void *spoor__calloc(size_t n, size_t size);
void *spoor__realloc(void *p, size_t n);
/** realloc for arrays: fails (NULL) on n * size overflow. */
void *spoor__reallocarray(void *p, size_t n, size_t size);
void spoor__free(void *p);
char *spoor__strdup(const char *s);
char *spoor__strndup(const char *s, size_t n);

/**
 * Make the allocation after the next n ones fail (n = 0: the very next);
 * a negative n turns failure injection off. For tests only; process-wide.
 */
void spoor__alloc_fail_after(long n);

/** Store a message for code on this thread; returns code. */
/** spoor__error_set with a va_list. */
int spoor__error_setv(int code, const char *fmt, va_list ap);
int spoor__error_set(int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Set SPOOR_ENOMEM with a standard message; returns SPOOR_ENOMEM. */
int spoor__error_oom(void);

#define SPOOR_ASSERT(x) assert(x)

/* Run expr; on a negative result store it in `error` and jump to done. */
/* A test hook: the environment variable name in a build with the test
 * suite (SPOOR_TEST_HOOKS, see meson.build), always NULL in a release
 * build, whose library then reads no such variable. */
#ifdef SPOOR_TEST_HOOKS
#define spoor__test_hook(name) getenv(name)
#else
#define spoor__test_hook(name) ((const char *)NULL)
#endif

#define SPOOR_TRY(expr)                                                        \
    do {                                                                       \
        if ((error = (expr)) < 0)                                              \
            goto done;                                                         \
    } while (0)

#define SPOOR_ALLOC_CHECK(p)                                                   \
    do {                                                                       \
        if ((p) == NULL) {                                                     \
            error = spoor__error_oom();                                        \
            goto done;                                                         \
        }                                                                      \
    } while (0)

/** Days since 1970-01-01 of a proleptic Gregorian date (date.c). */
long spoor__days_from_civil(long y, long m, long d);

/** The date of day z since 1970-01-01. */
void spoor__civil_from_days(long z, long *y, long *m, long *d);

/**
 * Sort n elements of size bytes (at most 64) that each start with a
 * uint64_t hash by the hash's top 40 bits, stably (radix.c).
 * @return 0 or SPOOR_ENOMEM (a copy of the array is needed).
 */
int spoor__sort_key40(void *base, size_t n, size_t size);

/** Write all n bytes of p to fd, retrying on EINTR.
 * @return 0, or -1 with errno set. */
int spoor__write_all(int fd, const void *p, size_t n);

/** Read exactly n bytes of fd at offset off, retrying on EINTR.
 * @return 0, or -1 with errno set (EIO when the file is shorter). */
int spoor__read_at(int fd, void *p, size_t n, uint64_t off);

/** What this thread reads in passes, whose pages a pass may hand back as
 * it goes (spoor__input_done), so that a file of gigabytes is read without
 * its pages piling up in the resident set: the input file, mapped
 * read-only, or a spilled buffer being walked. Inputs smaller than min
 * keep their pages. */
typedef struct spoor_input {
    const unsigned char *ptr; /* NULL: none */
    size_t size, min;
} spoor_input;
/** The input file the walker maps (map NULL: none); a file under 64 MiB
 * keeps its pages (a later pass would fault them in again). */
void spoor__input_set(const void *map, size_t size);
/** While a pass reads buf: make it the thread's input when it is spilled
 * (its pages were written out already, so they go back whatever its
 * size), keeping the input before in *saved; for another buffer, nothing
 * changes. Undo with spoor__input_restore. */
void spoor_buf__as_input(spoor_input *saved, const spoor_buf *buf);
/** Set back the input spoor_buf__as_input saved. */
void spoor__input_restore(const spoor_input *saved);
/** Hand back the pages of the thread's input before upto (whole pages);
 * nothing when upto is not in it. */
void spoor__input_done(const void *upto);
/** Bytes a pass reads between two spoor__input_done. */
#define SPOOR_PASS_WINDOW ((size_t)8 << 20)

/** An unnamed temporary file (O_TMPFILE in $TMPDIR, else /tmp: nothing is
 * left behind), read-write, for what (named in the error).
 * @return the descriptor, or SPOOR_EIO. */
int spoor__tmpfile(const char *what);

/** A buffer's bound in memory before it spills: dflt, or what the test
 * hook SPOOR_TEST_TEXT_SPILL says (tests make small inputs spill). */
size_t spoor__spill_bound(size_t dflt);

/** Let buf's bytes move to a temporary file once it holds more than over
 * bytes (see buf.c). @return 0 or SPOOR_ENOMEM. */
int spoor_buf__spill_over(spoor_buf *buf, size_t over);
/** Whether buf's bytes are in its temporary file. */
int spoor_buf__spilled(const spoor_buf *buf);
/** After bytes were written into buf's room directly (buf->size moved
 * on): a spilled buffer hands back what it holds every 8 MiB written. */
void spoor_buf__wrote(spoor_buf *buf);
/** A pass over a spilled buffer will not read its bytes before upto
 * again: hand back their pages (nothing for other buffers). */
void spoor_buf__pages_done(const spoor_buf *buf, size_t upto);

/** An anonymous memory file (close-on-exec) holding a copy of data, for
 * libraries that read only from a path or a descriptor; nothing touches the
 * disk. @return the descriptor, or -1 with errno set. */
int spoor__memfd_copy(const char *name, const void *data, size_t len);

/** qsort that accepts n == 0 with base == NULL. */
void spoor__sort(void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *));

/** Grow *arr (element size elsz) so that it holds at least need elements. */
int spoor__array_reserve(void **arr, size_t *cap, size_t need, size_t elsz);

/** Whether wide code that needs AVX-512F and feature ("avx512bw" or
 * "avx512dq") may run: the CPU has them and the environment variable
 * SPOOR_SCALAR does not ask for the scalar code (cpu.c). */
int spoor__cpu_wide(const char *feature);

/* A wide code path's switch: whether it runs (probed once with
 * spoor__cpu_wide) and whether a test turned it off. Initialise as
 * SPOOR_WIDE_SWITCH("avx512bw"). */
typedef struct spoor_wide_switch {
    const char *feature;
    _Atomic int have; /* -1 until probed */
    _Atomic int off;
} spoor_wide_switch;
#define SPOOR_WIDE_SWITCH(feature)                                             \
    {                                                                          \
        (feature), -1, 0                                                       \
    }

/** Whether sw's wide path runs; enable 0 or 1 turns it off or back on
 * (where the CPU has it), -1 only asks. Thread-safe. */
int spoor__wide_switch(spoor_wide_switch *sw, int enable);

#endif
