/*
 * module_load.c: find and load the extractor module (see module.h).
 *
 * The module is looked up in one place only: the folder of the object that
 * holds this code (libspoor.so, wherever it was loaded from), under the
 * name spoor-extract-<version>.so. Nothing from the environment or the
 * inputs chooses what is loaded. A module of another version or ABI is
 * refused, with a message naming its path.
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "module.h"

#pragma weak spoor_module_entry

#define MODULE_FILE "spoor-extract-" SPOOR_VERSION ".so"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const spoor_module *loaded;
static char load_error[PATH_MAX + 512];

/* The module's path: beside the object holding this function. */
static int module_path(char *out, size_t size)
{
    Dl_info info;
    const char *slash;
    int n;
    if (!dladdr((void *)module_path, &info) || !info.dli_fname) {
        snprintf(load_error, sizeof(load_error),
                 "cannot tell where libspoor was loaded from");
        return -1;
    }
    slash = strrchr(info.dli_fname, '/');
    if (slash)
        n = snprintf(out, size, "%.*s/%s", (int)(slash - info.dli_fname),
                     info.dli_fname, MODULE_FILE);
    else
        n = snprintf(out, size, "./%s", MODULE_FILE);
    if (n < 0 || (size_t)n >= size) {
        snprintf(load_error, sizeof(load_error), "module path too long");
        return -1;
    }
    return 0;
}

static void load(void)
{
    char path[PATH_MAX];
    const spoor_module *m;
    void *h;

    if (&spoor_module_entry) { /* linked in (static internal library) */
        loaded = &spoor_module_entry;
        return;
    }
    if (module_path(path, sizeof(path)) < 0)
        return;
    if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
        snprintf(load_error, sizeof(load_error),
                 "cannot load the extractor module: %s", dlerror());
        return;
    }
    m = dlsym(h, SPOOR_MODULE_SYMBOL);
    if (!m || m->abi != SPOOR_MODULE_ABI ||
        strcmp(m->version, SPOOR_VERSION) != 0) {
        snprintf(load_error, sizeof(load_error),
                 "the extractor module %s is not the one built with "
                 "libspoor %s",
                 path, SPOOR_VERSION);
        dlclose(h);
        return;
    }
    loaded = m;
}

const spoor_module *spoor_module__get(void)
{
    pthread_once(&load_once, load);
    return loaded;
}

const char *spoor_module__error(void)
{
    return load_error;
}

const spoor_extractor *spoor_module__extractor(const char *name)
{
    const spoor_module *m = spoor_module__get();
    size_t i;
    if (!m) {
        spoor__error_set(SPOOR_ERROR, "%s", load_error);
        return NULL;
    }
    for (i = 0; m->extractors[i]; i++)
        if (strcmp(m->extractors[i]->name, name) == 0)
            return m->extractors[i];
    spoor__error_set(SPOOR_ERROR, "the extractor module has no %s extractor",
                     name);
    return NULL;
}
