/*
 * spoor/common.h: export macro, version and basic types shared by every
 * public header. Nothing here allocates; everything is thread safe.
 */
#ifndef SPOOR_COMMON_H
#define SPOOR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) && !defined(SPOOR_STATIC)
#define SPOOR_API __attribute__((visibility("default")))
#else
#define SPOOR_API
#endif

#define SPOOR_VERSION "0.1.0"

/** The library's version string, e.g. "0.1.0"; static storage. */
SPOOR_API const char *spoor_version(void);

#endif
