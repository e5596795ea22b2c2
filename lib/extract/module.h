/*
 * module.h: the extractor module, loaded on first use.
 *
 * The extractors that need large libraries (GMime, libxml2, libarchive,
 * MuPDF, FreeXL, libgsf, libwv, libpff) and DKIM verification (libopendkim,
 * libcrypto) are built into a separate shared object,
 * spoor-extract-<version>.so, installed beside libspoor. libspoor loads it with
 * dlopen the first time an item needs one of them, so a process that only reads
 * plain text (the common `spoor check` of a text excerpt) never maps those
 * libraries: they cost about 20 ms of start-up per process. Detection
 * (lib/detect/) and the text, RTF, empty and binary extractors stay in
 * libspoor.
 *
 * Programs linked with the static internal library (tests, fuzzers, the
 * bench) link the module's objects too; spoor_module__get then returns the
 * linked-in table and never calls dlopen.
 */
#ifndef SPOOR_EXTRACT_MODULE_H
#define SPOOR_EXTRACT_MODULE_H

#include "../auth/dkim_int.h"
#include "extract_int.h"

/* Bumped whenever spoor_module changes; module and library must agree. */
#define SPOOR_MODULE_ABI 1

typedef struct spoor_module {
    unsigned abi;        /* SPOOR_MODULE_ABI */
    const char *version; /* the spoor version it was built from */
    /* the module's extractors, NULL-terminated */
    const spoor_extractor *const *extractors;
    int (*dkim_verify_signed)(spoor_dkim *d, const spoor_item *item,
                              const spoor_dkim_when *when, spoor_dkim_sig **out,
                              size_t *n_out);
    void (*dkim_close_lib)(void *lib);
} spoor_module;

/* The module's one entry point (module_entry.c); dlsym looks it up. */
#define SPOOR_MODULE_SYMBOL "spoor_module_entry"
extern const spoor_module spoor_module_entry;

/**
 * The extractor module, loaded on the first call (thread-safe); NULL if
 * it cannot be loaded, then spoor_module__error() says why (the path
 * tried and the loader's message). Never unloaded.
 */
const spoor_module *spoor_module__get(void);

/** Why the module could not be loaded (a static string), or "". */
const char *spoor_module__error(void);

/** The module's extractor called name, or NULL (error set) if the module
 * cannot be loaded or has none by that name. */
const spoor_extractor *spoor_module__extractor(const char *name);

#endif
