/*
 * stored.c: a source's stored text, read a stretch at a time (see
 * spoor_source_reader): only the stored parts around the canonical
 * characters asked for are decompressed, when the text is stored in parts.
 */
#include <string.h>

#include "../store/store_int.h"
#include "match_int.h"

/* spoor_source_reader.read: the parts that hold [from, to) where the text
 * is stored in parts, else the whole text (read once). */
static int read_stored(void *payload, size_t from, size_t to, const char **text,
                       size_t *len, size_t *byte, spoor_canon_mark **mark)
{
    spoor_stored_source *r = payload;
    int error = 0;

    if (r->stored.toc.n == 0 || to == SIZE_MAX) {
        if (!r->whole) {
            SPOOR_TRY(spoor_store_text(&r->text, r->s, r->content));
            r->whole = 1;
            r->mark.byte = r->mark.canon = 0;
        }
        if (r->mark.canon > from) /* a stretch before the last one (a long
                                     query's next window) starts over */
            r->mark.byte = r->mark.canon = 0;
        *byte = 0;
    } else {
        size_t first,
            end = spoor_text__parts_for(&r->stored.toc, from, to, &first);
        SPOOR_TRY(
            spoor_store__text_parts(r->s, &r->stored, first, end, &r->text));
        r->whole = 0;
        r->mark.byte = 0;
        r->mark.canon = r->stored.toc.v[first].canon;
        *byte = r->stored.toc.v[first].byte;
    }
    *text = r->text.ptr ? r->text.ptr : "";
    *len = r->text.size;
    *mark = &r->mark;
done:
    return error;
}

int spoor_match__stored_open(spoor_stored_source *src,
                             spoor_source_reader *reader, spoor_store *s,
                             const spoor_record *rec)
{
    memset(src, 0, sizeof(*src));
    src->s = s;
    src->content = rec->id;
    reader->read = read_stored;
    reader->payload = src;
    return spoor_store__text_open(s, rec->id, (size_t)rec->text_bytes,
                                  (size_t)rec->canon_len, &src->stored);
}

void spoor_match__stored_close(spoor_stored_source *src)
{
    spoor_store__text_close(&src->stored);
    spoor_buf_dispose(&src->text);
    memset(src, 0, sizeof(*src));
}
