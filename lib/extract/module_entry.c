/*
 * module_entry.c: the extractor module's table (see module.h); the only
 * symbol libspoor looks up in it.
 */
#include "module.h"

static const spoor_extractor *const extractors[] = {&spoor_ex_pdf,
                                                    &spoor_ex_pst,
                                                    &spoor_ex_pst_message,
                                                    &spoor_ex_ooxml,
                                                    &spoor_ex_archive,
                                                    &spoor_ex_xls,
                                                    &spoor_ex_doc,
                                                    &spoor_ex_mbox,
                                                    &spoor_ex_eml,
                                                    &spoor_ex_html,
                                                    NULL};

const spoor_module spoor_module_entry = {
    SPOOR_MODULE_ABI,          SPOOR_VERSION,         extractors,
    spoor_dkim__verify_signed, spoor_dkim__close_lib,
};
