/*
 * module_dkim.c: the DKIM module's table (see module.h); the only symbol
 * libspoor looks up in spoor-dkim-<version>.so. It has no extractors.
 */
#include "module.h"

static const spoor_extractor *const extractors[] = {NULL};

const spoor_module spoor_module_dkim = {
    SPOOR_MODULE_ABI,          SPOOR_VERSION,         extractors,
    spoor_dkim__verify_signed, spoor_dkim__close_lib, NULL,
};
