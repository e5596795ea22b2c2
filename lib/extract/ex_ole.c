/*
 * ex_ole.c: what OLE2 compound files (legacy .doc, .xls) share: detection
 * by magic and directory names, and the SummaryInformation property set, read
 * with libgsf, whose creation, last saved and last printed times become the
 * dates "created", "modified" and "printed", and whose author and application
 * become metadata.
 */
#include <pthread.h>
#include <string.h>

#include <gsf/gsf-doc-meta-data.h>
#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-meta-names.h>
#include <gsf/gsf-msole-utils.h>
#include <gsf/gsf-timestamp.h>
#include <gsf/gsf-utils.h>

#include "extract_int.h"

static pthread_once_t gsf_once = PTHREAD_ONCE_INIT;

static void gsf_init_once(void)
{
    gsf_init();
}

static int add_prop(spoor_doc *doc, GsfDocMetaData *meta, const char *name,
                    const char *field, int is_date)
{
    GsfDocProp *prop = gsf_doc_meta_data_lookup(meta, name);
    const GValue *v;
    if (!prop || !(v = gsf_doc_prop_get_val(prop)))
        return 0;
    if (is_date && G_VALUE_HOLDS(v, GSF_TIMESTAMP_TYPE)) {
        GsfTimestamp *ts = g_value_get_boxed(v);
        char *s = ts ? gsf_timestamp_as_string(ts) : NULL;
        int error = 0;
        if (s && *s && strncmp(s, "1601", 4)) /* 1601: an unset FILETIME */
            error =
                spoor_doc__add_date(doc, field, s, "OLE SummaryInformation");
        g_free(s);
        return error;
    }
    if (!is_date && G_VALUE_HOLDS_STRING(v) && g_value_get_string(v) &&
        *g_value_get_string(v))
        return spoor_doc__add_meta(doc, field, g_value_get_string(v));
    return 0;
}

int spoor_ole__summary(spoor_doc *doc, const unsigned char *d, size_t len)
{
    GsfInput *in;
    GsfInfile *ole;
    GsfInput *si;
    GsfDocMetaData *meta;
    GError *err;
    int error = 0;

    pthread_once(&gsf_once, gsf_init_once);
    in = gsf_input_memory_new(d, (gsf_off_t)len, FALSE);
    if (!in)
        return 0;
    ole = gsf_infile_msole_new(in, NULL);
    if (!ole) {
        g_object_unref(in);
        return 0;
    }
    si = gsf_infile_child_by_name(ole, "\005SummaryInformation");
    if (si) {
        meta = gsf_doc_meta_data_new();
        err = gsf_doc_meta_data_read_from_msole(meta, si);
        if (!err) {
            error =
                add_prop(doc, meta, GSF_META_NAME_DATE_CREATED, "created", 1);
            if (!error)
                error = add_prop(doc, meta, GSF_META_NAME_DATE_MODIFIED,
                                 "modified", 1);
            if (!error)
                error =
                    add_prop(doc, meta, GSF_META_NAME_PRINT_DATE, "printed", 1);
            if (!error)
                error = add_prop(doc, meta, GSF_META_NAME_CREATOR, "author", 0);
            if (!error)
                error = add_prop(doc, meta, GSF_META_NAME_GENERATOR,
                                 "application", 0);
        } else {
            g_error_free(err);
        }
        g_object_unref(meta);
        g_object_unref(si);
    }
    g_object_unref(ole);
    g_object_unref(in);
    return error;
}
