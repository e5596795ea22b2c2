/*
 * module_load.c: find and load the extractor modules (see module.h).
 *
 * A module is looked up in one place only: the folder of the object that
 * holds this code (libspoor.so, wherever it was loaded from), under the
 * name spoor-<mail|docs|dkim|pg>-<version>.so. Nothing from the environment or
 * the inputs chooses what is loaded. A module of another version or ABI is
 * refused, with a message naming its path.
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "module.h"

#pragma weak spoor_module_mail
#pragma weak spoor_module_docs
#pragma weak spoor_module_dkim
#pragma weak spoor_module_pg

typedef struct module_slot {
    const char *file;           /* its file name */
    const char *symbol;         /* its table's symbol */
    const spoor_module *linked; /* linked in (static internal library) */
    atomic_int tried;           /* load has run (under load_lock) */
    const spoor_module *loaded;
    char error[PATH_MAX + 512];
} module_slot;

/* A weak symbol's address is NULL where it is not linked in. */
static module_slot slots[SPOOR_N_MODULES] = {
    {"spoor-mail-" SPOOR_VERSION ".so", "spoor_module_mail", &spoor_module_mail,
     0, NULL, ""},
    {"spoor-docs-" SPOOR_VERSION ".so", "spoor_module_docs", &spoor_module_docs,
     0, NULL, ""},
    {"spoor-dkim-" SPOOR_VERSION ".so", "spoor_module_dkim", &spoor_module_dkim,
     0, NULL, ""},
    {"spoor-pg-" SPOOR_VERSION ".so", "spoor_module_pg", &spoor_module_pg, 0,
     NULL, ""},
};

/* Serialises the first loads (each module is loaded at most once). */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* Module m's path: beside the object holding this function. */
static int module_path(module_slot *m, char *out, size_t size)
{
    Dl_info info;
    const char *slash;
    int n;
    if (!dladdr((void *)module_path, &info) || !info.dli_fname) {
        snprintf(m->error, sizeof(m->error),
                 "cannot tell where libspoor was loaded from");
        return -1;
    }
    slash = strrchr(info.dli_fname, '/');
    if (slash)
        n = snprintf(out, size, "%.*s/%s", (int)(slash - info.dli_fname),
                     info.dli_fname, m->file);
    else
        n = snprintf(out, size, "./%s", m->file);
    if (n < 0 || (size_t)n >= size) {
        snprintf(m->error, sizeof(m->error), "module path too long");
        return -1;
    }
    return 0;
}

static void load(module_slot *m)
{
    char path[PATH_MAX];
    const spoor_module *t;
    const spoor_host **host;
    void *h;

    if (m->linked) {
        m->loaded = m->linked;
        return;
    }
    if (module_path(m, path, sizeof(path)) < 0)
        return;
    if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
        snprintf(m->error, sizeof(m->error),
                 "cannot load the extractor module: %s", dlerror());
        return;
    }
    t = dlsym(h, m->symbol);
    host = dlsym(h, "spoor__host");
    if (!t || !host || t->abi != SPOOR_MODULE_ABI ||
        strcmp(t->version, SPOOR_VERSION) != 0) {
        snprintf(m->error, sizeof(m->error),
                 "the extractor module %s is not the one built with "
                 "libspoor %s",
                 path, SPOOR_VERSION);
        dlclose(h);
        return;
    }
    /* the helpers of libspoor the module calls (host.h), before any call */
    *host = &spoor__host_table;
    m->loaded = t;
}

const spoor_module *spoor_module__get(spoor_module_id id)
{
    module_slot *m = &slots[id];
    if (!atomic_load_explicit(&m->tried, memory_order_acquire)) {
        pthread_mutex_lock(&load_lock);
        if (!atomic_load_explicit(&m->tried, memory_order_relaxed)) {
            load(m);
            atomic_store_explicit(&m->tried, 1, memory_order_release);
        }
        pthread_mutex_unlock(&load_lock);
    }
    return m->loaded;
}

const char *spoor_module__error(spoor_module_id id)
{
    return slots[id].error;
}

const spoor_extractor *spoor_module__extractor(spoor_module_id id,
                                               const char *name)
{
    const spoor_module *m = spoor_module__get(id);
    size_t i;
    if (!m) {
        spoor__error_set(SPOOR_ERROR, "%s", slots[id].error);
        return NULL;
    }
    for (i = 0; m->extractors[i]; i++)
        if (strcmp(m->extractors[i]->name, name) == 0)
            return m->extractors[i];
    spoor__error_set(SPOOR_ERROR, "the extractor module %s has no %s extractor",
                     slots[id].file, name);
    return NULL;
}
