/*
 * module_mail.c: the mail module's table (see module.h); the only symbol
 * libspoor looks up in spoor-mail-<version>.so.
 */
#include "module.h"

static const spoor_extractor *const extractors[] = {
    &spoor_ex_mbox, &spoor_ex_eml, &spoor_ex_html, NULL};

const spoor_module spoor_module_mail = {
    SPOOR_MODULE_ABI, SPOOR_VERSION, extractors, NULL, NULL, NULL,
};
