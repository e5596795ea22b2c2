/*
 * thread.c: spoor_thread (see spoor/thread.h).
 *
 * The thread is gathered root by root from the catalogue (contents.thread,
 * indexed), each message's metadata read from its record; then ordered by
 * date, linked to parents, and, for a thread of at most
 * SPOOR_THREAD_COMPARE_MAX messages, each body compared with every later
 * one (spoor_compare over the stored texts, header blocks aside) to find
 * the messages that a later one holds whole.
 */
#include <stdlib.h>
#include <string.h>

#include <spoor/thread.h>

#include "match_int.h"

/* Stop gathering past this many messages (a thread, not a corpus). */
#define THREAD_MAX 100000

/* A message id without its angle brackets and spaces; owned, or NULL. */
static char *bare_id(const char *v, int last)
{
    const char *a = NULL, *e = NULL, *p;
    if (!v)
        return NULL;
    for (p = v; *p; p++) { /* the first (or last) <...> */
        if (*p == '<') {
            const char *q = strchr(p, '>');
            if (!q)
                break;
            a = p + 1;
            e = q;
            if (!last)
                break;
            p = q;
        }
    }
    if (!a) { /* no brackets: the first word */
        while (*v == ' ' || *v == '\t')
            v++;
        for (e = v; *e && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n';
             e++)
            ;
        a = v;
    }
    return e > a ? spoor__strndup(a, (size_t)(e - a)) : NULL;
}

static const char *meta_of(const spoor_record *r, const char *key)
{
    size_t i;
    for (i = 0; i < r->n_meta; i++)
        if (!strcmp(r->meta[i].key, key))
            return r->meta[i].value;
    return NULL;
}

static const char *date_of(const spoor_record *r)
{
    size_t i;
    for (i = 0; i < r->n_dates; i++)
        if (!strcmp(r->dates[i].field, "date") ||
            !strcmp(r->dates[i].field, "submitted"))
            return r->dates[i].value;
    return NULL;
}

void spoor_thread_free(spoor_thread_msg *m, size_t n)
{
    size_t i;
    for (i = 0; m && i < n; i++) {
        spoor__free(m[i].collection);
        spoor__free(m[i].path);
        spoor__free(m[i].message_id);
        spoor__free(m[i].in_reply_to);
        spoor__free(m[i].date);
        spoor__free(m[i].from);
        spoor__free(m[i].subject);
    }
    spoor__free(m);
}

/* Copy s (NULL stays NULL) into *out. */
static int dup_into(char **out, const char *s)
{
    *out = NULL;
    if (s && !(*out = spoor__strdup(s)))
        return spoor__error_oom();
    return 0;
}

/* Fill m from content's record. */
static int load_msg(spoor_store *s, int64_t content, spoor_thread_msg *m)
{
    spoor_record *r = NULL;
    int error;
    memset(m, 0, sizeof(*m));
    m->content = content;
    m->parent = m->contained_in = -1;
    m->inclusive = 1;
    if ((error = spoor_store_record(&r, s, content)) < 0)
        return error;
    if (r->n_occ) {
        m->item = r->occ[0].item_id;
        SPOOR_TRY(dup_into(&m->collection, r->occ[0].collection));
        SPOOR_TRY(dup_into(&m->path, r->occ[0].path));
    }
    m->message_id = bare_id(meta_of(r, "message-id"), 0);
    m->in_reply_to = bare_id(meta_of(r, "in-reply-to"), 0);
    if (!m->in_reply_to) /* else the last id of References */
        m->in_reply_to = bare_id(meta_of(r, "references"), 1);
    SPOOR_TRY(dup_into(&m->date, date_of(r)));
    SPOOR_TRY(dup_into(&m->from, meta_of(r, "from")));
    SPOOR_TRY(dup_into(&m->subject, meta_of(r, "subject")));
done:
    spoor_record_free(r);
    return error;
}

static int cmp_msg(const void *a, const void *b)
{
    const spoor_thread_msg *x = a, *y = b;
    int c;
    if (x->date && y->date && (c = strcmp(x->date, y->date)) != 0)
        return c;
    if (!x->date != !y->date)
        return x->date ? -1 : 1;
    return x->content < y->content ? -1 : x->content > y->content;
}

/* Gather the contents of root's thread into *ids (no duplicates). */
static int gather(spoor_store *s, const char *root, int64_t **ids, size_t *n)
{
    char **roots = NULL;
    size_t n_roots = 0, cap_roots = 0, cap = 0, r, i, j, n_new;
    int64_t *found = NULL;
    int error = 0;

    *ids = NULL;
    *n = 0;
    SPOOR_TRY(
        spoor__array_reserve((void **)&roots, &cap_roots, 1, sizeof(*roots)));
    if (!(roots[n_roots++] = spoor__strdup(root)))
        SPOOR_TRY(spoor__error_oom());
    for (r = 0; r < n_roots && *n < THREAD_MAX; r++) {
        SPOOR_TRY(spoor_store_thread_members(s, roots[r], &found, &n_new));
        for (i = 0; i < n_new; i++) {
            spoor_record *rec = NULL;
            char *mid;
            int seen = 0;
            for (j = 0; j < *n && !seen; j++)
                seen = (*ids)[j] == found[i];
            if (seen)
                continue;
            SPOOR_TRY(spoor__array_reserve((void **)ids, &cap, *n + 1,
                                           sizeof(**ids)));
            (*ids)[(*n)++] = found[i];
            /* replies that name only this message root at its id */
            SPOOR_TRY(spoor_store_record(&rec, s, found[i]));
            mid = bare_id(meta_of(rec, "message-id"), 0);
            spoor_record_free(rec);
            for (j = 0; mid && j < n_roots; j++)
                if (!strcmp(roots[j], mid)) {
                    spoor__free(mid);
                    mid = NULL;
                }
            if (mid) {
                int e = spoor__array_reserve((void **)&roots, &cap_roots,
                                             n_roots + 1, sizeof(*roots));
                if (e < 0) {
                    spoor__free(mid);
                    SPOOR_TRY(e);
                }
                roots[n_roots++] = mid;
            }
        }
        spoor__free(found);
        found = NULL;
    }
done:
    spoor__free(found);
    for (r = 0; r < n_roots; r++)
        spoor__free(roots[r]);
    spoor__free(roots);
    if (error < 0) {
        spoor__free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return error;
}

/* A message's stored text as an item (header block left out). */
static int load_item(spoor_store *s, int64_t content, spoor_item *it,
                     spoor_buf *text)
{
    spoor_record *r = NULL;
    int error;
    memset(it, 0, sizeof(*it));
    if ((error = spoor_store_record(&r, s, content)) < 0)
        return error;
    error = spoor_store_text(text, s, content);
    if (error == 0)
        error = spoor_item_from_stored(it, text->ptr ? text->ptr : "",
                                       text->size, (size_t)r->header_bytes);
    spoor_record_free(r);
    return error;
}

/* Whether b holds all of a's body: its regions cover nearly all of it. */
static int holds(const spoor_item *a, const spoor_item *b, int *yes)
{
    spoor_region *reg = NULL;
    size_t n = 0, i, covered = 0, body = a->canon.len - a->header_chars;
    int error;
    *yes = 0;
    if (body == 0)
        return 0;
    if ((error = spoor_compare(&reg, &n, a, b, SPOOR_TEXT_K)) < 0)
        return error;
    for (i = 0; i < n; i++)
        covered += reg[i].qc_end - reg[i].qc_start;
    spoor_regions_free(reg);
    *yes = covered * 100 >= body * 98; /* the quote marks aside */
    return 0;
}

/* Mark the messages that a later one holds whole. */
static int mark_inclusive(spoor_store *s, spoor_thread_msg *m, size_t n)
{
    spoor_item *items;
    spoor_buf *texts;
    size_t i, j;
    int error = 0;

    items = spoor__calloc(n ? n : 1, sizeof(*items));
    texts = spoor__calloc(n ? n : 1, sizeof(*texts));
    if (!items || !texts) {
        spoor__free(items);
        spoor__free(texts);
        return spoor__error_oom();
    }
    for (i = 0; i < n; i++)
        SPOOR_TRY(load_item(s, m[i].content, &items[i], &texts[i]));
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n && m[i].inclusive; j++) {
            int yes;
            SPOOR_TRY(holds(&items[i], &items[j], &yes));
            if (yes) {
                m[i].inclusive = 0;
                m[i].contained_in = (long)j;
            }
        }
done:
    for (i = 0; i < n; i++) {
        spoor_item_dispose(&items[i]);
        spoor_buf_dispose(&texts[i]);
    }
    spoor__free(items);
    spoor__free(texts);
    return error;
}

int spoor_thread(spoor_thread_msg **out, size_t *n_out, int *compared,
                 spoor_store *s, int64_t content)
{
    spoor_record *rec = NULL;
    spoor_thread_msg *m = NULL;
    int64_t *ids = NULL;
    size_t n = 0, i, j;
    int error = 0;

    *out = NULL;
    *n_out = 0;
    *compared = 0;
    SPOOR_TRY(spoor_store_record(&rec, s, content));
    if (!rec->thread) {
        error = spoor__error_set(SPOOR_EINVALID,
                                 "content %lld is not an email: it has no "
                                 "thread",
                                 (long long)content);
        goto done;
    }
    SPOOR_TRY(gather(s, rec->thread, &ids, &n));
    m = spoor__calloc(n ? n : 1, sizeof(*m));
    SPOOR_ALLOC_CHECK(m);
    for (i = 0; i < n; i++)
        SPOOR_TRY(load_msg(s, ids[i], &m[i]));
    spoor__sort(m, n, sizeof(*m), cmp_msg);
    for (i = 0; i < n; i++)
        for (j = 0; j < n && m[i].in_reply_to && m[i].parent < 0; j++)
            if (j != i && m[j].message_id &&
                !strcmp(m[j].message_id, m[i].in_reply_to))
                m[i].parent = (long)j;
    for (i = 0; i < n; i++) { /* depth, safe against a cycle of parents */
        long p = m[i].parent;
        unsigned d = 0;
        while (p >= 0 && d <= n) {
            d++;
            p = m[p].parent;
        }
        m[i].depth = d;
    }
    if (n <= SPOOR_THREAD_COMPARE_MAX) {
        SPOOR_TRY(mark_inclusive(s, m, n));
        *compared = 1;
    }
    *out = m;
    *n_out = n;
    m = NULL;
done:
    spoor_record_free(rec);
    spoor__free(ids);
    spoor_thread_free(m, n);
    return error;
}
