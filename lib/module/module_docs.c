/*
 * module_docs.c: the documents module's table (see module.h); the only
 * symbol libspoor looks up in spoor-docs-<version>.so.
 */
#include "module.h"

static const spoor_extractor *const extractors[] = {
    &spoor_ex_pdf,      &spoor_ex_pst, &spoor_ex_pst_message, &spoor_ex_ooxml,
    &spoor_ex_archive,  &spoor_ex_xls, &spoor_ex_doc,         &spoor_ex_odf,
    &spoor_ex_flat_odf, &spoor_ex_msg, &spoor_ex_image,       NULL};

const spoor_module spoor_module_docs = {
    SPOOR_MODULE_ABI, SPOOR_VERSION, extractors, NULL, NULL, NULL,
};
