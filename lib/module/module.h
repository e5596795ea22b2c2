/*
 * module.h (lib/module): the modules, loaded on first use. The loader
 * stands apart from the stages whose code the modules carry (extract,
 * auth), so that neither includes the other's folder for it.
 *
 * The extractors that need large libraries, and DKIM verification, are
 * built into four shared objects installed beside libspoor, so that a
 * process maps only the libraries its inputs need:
 *
 *   spoor-mail-<version>.so  email and mailboxes (GMime), HTML (libxml2)
 *   spoor-docs-<version>.so  PDF (MuPDF), OOXML, archives (libarchive),
 *                            XLS (FreeXL), DOC (libgsf, libwv), PST (libpff),
 *                            and HTML again for PST message bodies
 *   spoor-dkim-<version>.so  DKIM verification (libopendkim, libcrypto),
 *                            loaded only for a signed message
 *   spoor-pg-<version>.so    libpq, loaded only to talk to a PostgreSQL
 *                            server (spoor push)
 *
 * libspoor loads a module with dlopen the first time an item needs it: a
 * process that only reads plain text (the common `spoor check` of a text
 * excerpt) maps none; one that reads an unsigned email maps the mail module
 * only. Detection
 * (lib/detect/) and the text, RTF, empty and binary extractors stay in
 * libspoor.
 *
 * Programs linked with the static internal library (tests, fuzzers, the
 * bench) link the modules' objects too; spoor_module__get then returns the
 * linked-in table and never calls dlopen.
 *
 * libspoor exports its public API only; a module finds the internal
 * helpers it calls through the table the loader hands it (host.h): the
 * loader sets the module's spoor__host before it uses anything of it.
 */
#ifndef SPOOR_MODULE_H
#define SPOOR_MODULE_H

#include "../auth/dkim_int.h"
#include "../extract/extract_int.h"
#include "../store/pg_ops.h"

/* Bumped whenever spoor_module or the table of helpers the modules call
 * (spoor_host, host.h) changes; modules and library must agree. */
#define SPOOR_MODULE_ABI 7

typedef struct spoor_module {
    unsigned abi;        /* SPOOR_MODULE_ABI */
    const char *version; /* the spoor version it was built from */
    /* the module's extractors, NULL-terminated */
    const spoor_extractor *const *extractors;
    /* DKIM verification: the DKIM module's; NULL in the others */
    int (*dkim_verify_signed)(spoor_dkim *d, const spoor_item *item,
                              const spoor_dkim_when *when, spoor_dkim_sig **out,
                              size_t *n_out);
    void (*dkim_close_lib)(void *lib);
    /* libpq: the PostgreSQL module's; NULL in the others */
    const spoor_pg_ops *pg;
} spoor_module;

/* The modules. */
typedef enum spoor_module_id {
    SPOOR_MODULE_MAIL,
    SPOOR_MODULE_DOCS,
    SPOOR_MODULE_DKIM,
    SPOOR_MODULE_PG,
    SPOOR_N_MODULES
} spoor_module_id;

/* Each module's one entry point (module_mail.c, module_docs.c,
 * module_dkim.c), which dlsym looks up by these names. */
extern const spoor_module spoor_module_mail;
extern const spoor_module spoor_module_docs;
extern const spoor_module spoor_module_dkim;
extern const spoor_module spoor_module_pg;

/**
 * Module id, loaded on the first call (thread-safe); NULL if it cannot be
 * loaded, then spoor_module__error(id) says why (the path tried and the
 * loader's message). Never unloaded.
 */
const spoor_module *spoor_module__get(spoor_module_id id);

/** Why module id could not be loaded (a static string), or "". */
const char *spoor_module__error(spoor_module_id id);

/** Module id's extractor called name, or NULL (error set) if the module
 * cannot be loaded or has none by that name. */
const spoor_extractor *spoor_module__extractor(spoor_module_id id,
                                               const char *name);

#endif
