/*
 * hits.c: the hits of a check, counted by source, gathered for the
 * sources it verifies.
 *
 * A check looks its query's fingerprints up, a chunk at a time sorted by
 * hash, and meets hits: a query position and a source position of one
 * fingerprint, in some source content. While there are few (HITS_HELD)
 * they are all held and sorted by source. Past that, the first pass only
 * counts them by source; once the check has chosen the sources it
 * verifies, a second pass gathers only theirs, 8 bytes a hit, each
 * chunk's hits sorted by query position so that a long query's hits need
 * no sort of their own. (A 200 MB text whose near-copy is indexed met 10 M
 * hits, held three times over: 16 bytes each, a sort's scratch and a copy
 * per source; 836 MB.)
 *
 * The sources are gathered in batches of at most HITS_GATHERED hits,
 * verified and let go batch by batch. A source with more hits than that
 * (repetitive text: a line repeated a hundred times in a query and in its
 * copy meets each of its copies, 16 postings of a key kept per item) is
 * seeded only by its unique hits: fingerprints found once in the query and
 * once in the source, the anchors of the alignment (regions still extend
 * over all the text they share, so an exact run is found whole); a 200 MB
 * repetitive text against its near-copy met 170 M hits, 3.2 GB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spoor/fingerprint.h>

#include "../store/store_int.h"
#include "match_int.h"

/* Query fingerprints looked up at a time: 4 MiB of them. */
#define LOOKUP_CHUNK ((size_t)1 << 18)

/* Hits held before a check counts them by source instead (16 bytes each,
 * and as much again to sort them). */
#define HITS_HELD ((size_t)1 << 21)

/* Hits gathered at a time (8 bytes each), and the most of one source
 * before only its unique hits are. */
#define HITS_GATHERED ((size_t)1 << 24)

/* Returned by a first pass that held too many hits: count them instead. */
#define RECOUNT 1

typedef struct chit {
    int64_t content;
    spoor_hit h;
} chit;

/* What one pass does with the postings of a hash that is not boilerplate
 * (n query fingerprints g share it), and at the end of each chunk. */
typedef struct hit_pass {
    int (*take)(spoor_hits *h, const spoor_fp *g, size_t n,
                const spoor_postings *post);
    int (*chunk_done)(spoor_hits *h);
} hit_pass;

static int cmp_chit(const void *a, const void *b)
{
    const chit *x = a, *y = b;
    if (x->content != y->content)
        return x->content < y->content ? -1 : 1;
    if (x->h.q != y->h.q)
        return x->h.q < y->h.q ? -1 : 1;
    return x->h.s < y->h.s ? -1 : x->h.s > y->h.s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t slot_of(int64_t content, size_t cap)
{
    return ((uint64_t)content * 0x9e3779b97f4a7c15ULL) & (cap - 1);
}

void spoor_content_map__dispose(spoor_content_map *c)
{
    spoor__free(c->key);
    spoor__free(c->val);
    memset(c, 0, sizeof(*c));
}

uint64_t *spoor_content_map__find(const spoor_content_map *c, int64_t content)
{
    size_t i;
    if (!c->cap)
        return NULL;
    for (i = slot_of(content, c->cap); c->key[i]; i = (i + 1) & (c->cap - 1))
        if (c->key[i] == content)
            return &c->val[i];
    return NULL;
}

int spoor_content_map__slot(uint64_t **val, int *fresh, spoor_content_map *c,
                            int64_t content)
{
    size_t i;
    if (c->n * 2 >= c->cap) { /* grow and rehash */
        spoor_content_map g;
        g.cap = c->cap ? c->cap * 2 : 256;
        g.n = 0;
        g.key = spoor__calloc(g.cap, sizeof(*g.key));
        g.val = spoor__calloc(g.cap, sizeof(*g.val));
        if (!g.key || !g.val) {
            spoor_content_map__dispose(&g);
            return spoor__error_oom();
        }
        for (i = 0; i < c->cap; i++)
            if (c->key[i]) {
                size_t j = slot_of(c->key[i], g.cap);
                while (g.key[j])
                    j = (j + 1) & (g.cap - 1);
                g.key[j] = c->key[i];
                g.val[j] = c->val[i];
                g.n++;
            }
        spoor_content_map__dispose(c);
        *c = g;
    }
    i = slot_of(content, c->cap);
    while (c->key[i] && c->key[i] != content)
        i = (i + 1) & (c->cap - 1);
    *fresh = !c->key[i];
    if (*fresh) {
        c->key[i] = content;
        c->n++;
    }
    *val = &c->val[i];
    return 0;
}

/* The family of content (cached in c). */
static int family_of(spoor_store *s, spoor_content_map *c, int64_t content,
                     uint64_t *out)
{
    uint64_t *v;
    int fresh, error;
    if ((error = spoor_content_map__slot(&v, &fresh, c, content)) < 0)
        return error;
    if (fresh && (error = spoor_store__family(s, content, v)) < 0) {
        *v = 0;
        return error;
    }
    *out = *v;
    return 0;
}

/* Whether the postings post (of one hash) are spread over spread email
 * threads or more: a list footer or a signature repeated across threads,
 * where a message quoted within its own thread is not. Items that are not
 * emails are counted by the common threshold only: the same document in
 * many places (attachments, exports in several formats) is content. */
static int spread_wide(spoor_store *s, spoor_content_map *fc,
                       const spoor_postings *post, size_t spread, int *wide)
{
    uint64_t *f;
    size_t i, n = 0, distinct = 0;
    int error = 0;
    *wide = 0;
    if (post->n < spread)
        return 0;
    if (!(f = spoor__reallocarray(NULL, post->n, sizeof(*f))))
        return spoor__error_oom();
    for (i = 0; i < post->n; i++) {
        if (i && post->v[i].content == post->v[i - 1].content)
            continue;
        SPOOR_TRY(family_of(s, fc, post->v[i].content, &f[n]));
        n++;
    }
    spoor__sort(f, n, sizeof(*f), cmp_u64);
    for (i = 0; i < n; i++)
        distinct += (f[i] >> 63) && (i == 0 || f[i] != f[i - 1]);
    *wide = distinct >= spread;
done:
    spoor__free(f);
    return error;
}

/* The fingerprints a check looks up: the item's own, or, for a compared
 * text under the guarantee (fewer than G characters), every k-gram of it,
 * so that a short paste is still found where the index selected one of its
 * k-grams (into tmp). */
static int query_fps(const spoor_item *item, spoor_fps *tmp,
                     const spoor_fps **out)
{
    size_t h = item->header_chars, n = item->canon.len - h, i;
    int error;
    *out = &item->fps;
    if (item->fp_bytes || !item->canon.chars || n >= SPOOR_GUARANTEE ||
        n < SPOOR_TEXT_K)
        return 0;
    if ((error = spoor_winnow_u32(tmp, item->canon.chars + h, n, SPOOR_TEXT_K,
                                  1, SPOOR_SEED_TEXT)) < 0)
        return error;
    for (i = 0; i < tmp->n; i++)
        tmp->v[i].pos += (uint32_t)h;
    *out = tmp;
    return 0;
}

/* Tell the index the keys of fps[0..n) (sorted by key): a shared one
 * fetches their postings in one round trip, a local one reads ahead what
 * is not in memory. */
static int want_keys(spoor_store *s, const spoor_fp *fps, size_t n)
{
    uint64_t *keys = spoor__reallocarray(NULL, n ? n : 1, sizeof(*keys));
    size_t i, k = 0;
    int error;
    if (!keys)
        return spoor__error_oom();
    for (i = 0; i < n; i++)
        if (k == 0 || keys[k - 1] != SPOOR_SEG_KEY(fps[i].hash))
            keys[k++] = SPOOR_SEG_KEY(fps[i].hash);
    error = spoor_store__want_keys(s, keys, k);
    spoor__free(keys);
    return error;
}

/* One pass over the query's fingerprints, a chunk at a time (a long query
 * has millions; a key in two chunks is looked up twice, with the same
 * outcome). With mask (the first pass), the k-grams of the boilerplate
 * hashes go into it and are counted in r->n_common; every other hash's
 * postings go to pass->take. */
static int lookup_pass(spoor_hits *h, spoor_result *r, spoor_spans *mask,
                       const hit_pass *pass)
{
    spoor_fp *fps = NULL; /* a chunk of them, by (hash, pos) */
    spoor_postings post = {NULL, 0, 0};
    const spoor_fps *qf = h->qf;
    size_t i, c0, cn, k = h->item->fp_bytes ? SPOOR_BYTES_K : SPOOR_TEXT_K;
    int error = 0;

    if (qf->n == 0)
        return 0;
    fps = spoor__reallocarray(NULL, qf->n < LOOKUP_CHUNK ? qf->n : LOOKUP_CHUNK,
                              sizeof(*fps));
    SPOOR_ALLOC_CHECK(fps);
    for (c0 = 0; c0 < qf->n; c0 += cn) {
        cn = qf->n - c0 < LOOKUP_CHUNK ? qf->n - c0 : LOOKUP_CHUNK;
        /* by segment key, in position order (a stable sort): the lookups
         * read the segments in order, and the fingerprints a segment cannot
         * tell apart are looked up once */
        for (i = 0; i < cn; i++) {
            fps[i].hash = spoor_seg__mix(qf->v[c0 + i].hash);
            fps[i].pos = qf->v[c0 + i].pos;
        }
        SPOOR_TRY(spoor__sort_key40(fps, cn, sizeof(*fps)));
        SPOOR_TRY(want_keys(h->s, fps, cn));
        for (i = 0; i < cn;) {
            size_t end = i, p;
            int common, wide = 0;
            while (end < cn &&
                   SPOOR_SEG_KEY(fps[end].hash) == SPOOR_SEG_KEY(fps[i].hash))
                end++;
            post.n = 0;
            SPOOR_TRY(spoor_store__lookup_key(h->s, fps[i].hash, h->common,
                                              &post, &common));
            if (!common && h->spread && !h->item->fp_bytes)
                SPOOR_TRY(
                    spread_wide(h->s, &h->families, &post, h->spread, &wide));
            if (!common && !wide) {
                if ((error = pass->take(h, fps + i, end - i, &post)) != 0)
                    goto done;
            } else if (mask) {
                r->n_common += end - i;
                for (p = i; p < end; p++)
                    SPOOR_TRY(
                        spoor_spans__push(mask, fps[p].pos, fps[p].pos + k));
            }
            i = end;
        }
        if (pass->chunk_done)
            SPOOR_TRY(pass->chunk_done(h));
        if (qf->n > LOOKUP_CHUNK)
            spoor_store__pages_done(h->s);
    }
done:
    spoor__free(fps);
    spoor__free(post.v);
    return error;
}

/* Postings of the content at post->v[q] from q on (a content's postings
 * of one hash follow each other). */
static size_t run_of(const spoor_postings *post, size_t q)
{
    size_t e = q + 1;
    while (e < post->n && post->v[e].content == post->v[q].content)
        e++;
    return e - q;
}

/* First pass: hold the hits, or, once there are too many (RECOUNT: the
 * pass starts over), count them by source, and their unique ones; those in
 * the exact copy are only counted. */
static int take_first(spoor_hits *h, const spoor_fp *g, size_t n,
                      const spoor_postings *post)
{
    size_t p, q, run;
    int error = 0;
    if (!h->counting && h->n_chits + n * post->n > h->held_max)
        return RECOUNT;
    if (!h->counting)
        SPOOR_TRY(spoor__array_reserve((void **)&h->chits, &h->cap_chits,
                                       h->n_chits + n * post->n,
                                       sizeof(*h->chits)));
    for (q = 0; q < post->n; q += run) {
        int64_t c = post->v[q].content;
        run = run_of(post, q);
        if (c == h->exact) {
            h->n_exact += n * run;
        } else if (h->counting) {
            uint64_t *v;
            int fresh;
            SPOOR_TRY(spoor_content_map__slot(&v, &fresh, &h->counts, c));
            *v += n * run;
            if (n == 1 && run == 1) {
                SPOOR_TRY(spoor_content_map__slot(&v, &fresh, &h->unique, c));
                (*v)++;
            }
        } else {
            for (p = 0; p < n * run; p++) {
                chit *t = &h->chits[h->n_chits++];
                t->content = c;
                t->h.q = g[p / run].pos;
                t->h.s = post->v[q + p % run].pos;
            }
        }
    }
done:
    return error;
}

/* The candidates from the held hits (sorted by source, then query
 * position), each pointing at its slice of h->held. */
static int cands_from_held(spoor_hits *h)
{
    size_t i, n = h->n_chits;
    int error = 0;
    spoor__sort(h->chits, n, sizeof(*h->chits), cmp_chit);
    if (n) {
        h->held = spoor__reallocarray(NULL, n, sizeof(*h->held));
        SPOOR_ALLOC_CHECK(h->held);
    }
    for (i = 0; i < n; i++)
        h->held[i] = h->chits[i].h;
    for (i = 0; i < n;) {
        size_t end = i;
        while (end < n && h->chits[end].content == h->chits[i].content)
            end++;
        SPOOR_TRY(spoor__array_reserve((void **)&h->cands, &h->cap_cands,
                                       h->n_cands + 1, sizeof(*h->cands)));
        h->cands[h->n_cands].content = h->chits[i].content;
        h->cands[h->n_cands].count = end - i;
        h->cands[h->n_cands].unique = 0;
        h->cands[h->n_cands].hits = h->held + i;
        h->cands[h->n_cands].n_hits = end - i;
        h->n_cands++;
        i = end;
    }
    spoor__free(h->chits);
    h->chits = NULL;
    h->n_chits = h->cap_chits = 0;
done:
    return error;
}

/* The candidates from the counts, without their hits yet. */
static int cands_from_counts(spoor_hits *h)
{
    size_t i;
    const spoor_content_map *c = &h->counts;
    int error = 0;
    SPOOR_TRY(spoor__array_reserve((void **)&h->cands, &h->cap_cands, c->n + 1,
                                   sizeof(*h->cands)));
    for (i = 0; i < c->cap; i++)
        if (c->key[i]) {
            spoor_cand *t = &h->cands[h->n_cands++];
            uint64_t *u = spoor_content_map__find(&h->unique, c->key[i]);
            t->content = c->key[i];
            t->count = (size_t)c->val[i];
            t->unique = u ? (size_t)*u : 0;
            t->hits = NULL;
            t->n_hits = 0;
        }
    spoor_content_map__dispose(&h->counts);
    spoor_content_map__dispose(&h->unique);
done:
    return error;
}

int spoor_match__hits_count(spoor_hits *h, spoor_store *s,
                            const spoor_item *item, spoor_result *r,
                            spoor_spans *mask, int64_t exact)
{
    static const hit_pass first = {take_first, NULL};
    const char *v = spoor__test_hook("SPOOR_TEST_HITS");
    unsigned long long held = 0, gathered = 0;
    int error = 0;

    memset(h, 0, sizeof(*h));
    h->s = s;
    h->item = item;
    h->common = r->common_used;
    h->spread = r->spread_used;
    h->exact = exact;
    h->held_max = HITS_HELD;
    h->gathered_max = HITS_GATHERED;
    /* SPOOR_TEST_HITS="HELD,GATHERED": tests take every path on small texts */
    if (v && sscanf(v, "%llu,%llu", &held, &gathered) == 2 && gathered > 0) {
        h->held_max = (size_t)held;
        h->gathered_max = (size_t)gathered;
    }
    SPOOR_TRY(query_fps(item, &h->own, &h->qf));
    r->n_fps = h->qf->n;
    error = lookup_pass(h, r, mask, &first);
    if (error == RECOUNT) { /* too many to hold: count them from the start */
        spoor__free(h->chits);
        h->chits = NULL;
        h->n_chits = h->cap_chits = h->n_exact = 0;
        h->counting = 1;
        mask->n = 0;
        r->n_common = 0;
        error = lookup_pass(h, r, mask, &first);
    }
    if (error < 0)
        goto done;
    error = h->counting ? cands_from_counts(h) : cands_from_held(h);
done:
    return error;
}

/* Whether candidate c has too many hits to gather them all: then only
 * its unique ones are. */
static int only_unique(const spoor_hits *h, const spoor_cand *c)
{
    return c->count > h->gathered_max;
}

/* Second pass: the hits of the sources being gathered (h->want: content
 * -> index in h->to + 1), only the unique ones of those too many. */
static int take_second(spoor_hits *h, const spoor_fp *g, size_t n,
                       const spoor_postings *post)
{
    size_t p, q, run;
    for (q = 0; q < post->n; q += run) {
        uint64_t *v = spoor_content_map__find(&h->want, post->v[q].content);
        spoor_cand *c;
        size_t *fill, want;
        run = run_of(post, q);
        if (!v)
            continue;
        c = &h->to[*v - 1];
        fill = &h->fill[*v - 1];
        if (only_unique(h, c) && (n > 1 || run > 1))
            continue;
        want = only_unique(h, c) ? c->unique : c->count;
        if (*fill + n * run > want)
            return spoor__error_set(SPOOR_ECORRUPT,
                                    "the index changed while a check read it");
        for (p = 0; p < n * run; p++) {
            c->hits[*fill].q = g[p / run].pos;
            c->hits[*fill].s = post->v[q + p % run].pos;
            (*fill)++;
        }
    }
    return 0;
}

/* Sort each source's hits of the chunk just looked up by query position:
 * the chunks follow each other in query order, so the hits end sorted. */
static int second_chunk_done(spoor_hits *h)
{
    size_t i;
    for (i = 0; i < h->n_to; i++) {
        if (!h->fill[i])
            continue;
        spoor__sort(h->to[i].hits + h->chunk_start[i],
                    h->fill[i] - h->chunk_start[i], sizeof(spoor_hit),
                    spoor_match__cmp_hit_q);
        h->chunk_start[i] = h->fill[i];
    }
    return 0;
}

/* The hits of candidate c gathered: all, or its unique ones when it has
 * too many; none in the exact copy. */
static size_t to_gather(const spoor_hits *h, const spoor_cand *c)
{
    if (c->content == h->exact)
        return 0;
    return only_unique(h, c) ? c->unique : c->count;
}

int spoor_match__hits_gather(spoor_hits *h, spoor_cand *c, size_t n,
                             size_t *taken)
{
    static const hit_pass second = {take_second, second_chunk_done};
    size_t i, want, sum = 0;
    int error = 0;

    *taken = n;
    if (!h->counting)
        return 0;
    /* a batch: the first candidates whose hits fit, at least one */
    for (i = 0; i < n; i++) {
        want = to_gather(h, &c[i]);
        if (i && sum + want > h->gathered_max)
            break;
        sum += want;
    }
    *taken = n = i;
    h->to = c;
    h->n_to = n;
    h->fill = spoor__calloc(n ? n : 1, sizeof(*h->fill));
    SPOOR_ALLOC_CHECK(h->fill);
    h->chunk_start = spoor__calloc(n ? n : 1, sizeof(*h->chunk_start));
    SPOOR_ALLOC_CHECK(h->chunk_start);
    for (i = 0; i < n; i++) {
        uint64_t *v;
        int fresh;
        if (!(want = to_gather(h, &c[i])))
            continue;
        c[i].hits = spoor__reallocarray(NULL, want, sizeof(spoor_hit));
        SPOOR_ALLOC_CHECK(c[i].hits);
        SPOOR_TRY(spoor_content_map__slot(&v, &fresh, &h->want, c[i].content));
        *v = i + 1;
    }
    if (sum)
        SPOOR_TRY(lookup_pass(h, NULL, NULL, &second));
    for (i = 0; i < n; i++) {
        c[i].n_hits = h->fill[i];
        if (h->fill[i] != to_gather(h, &c[i])) {
            error = spoor__error_set(SPOOR_ECORRUPT,
                                     "the index changed while a check read it");
            goto done;
        }
    }
done:
    spoor__free(h->fill);
    spoor__free(h->chunk_start);
    h->fill = h->chunk_start = NULL;
    spoor_content_map__dispose(&h->want);
    return error;
}

void spoor_match__hits_release(spoor_hits *h, spoor_cand *c, size_t n)
{
    size_t i;
    if (!h->counting)
        return;
    for (i = 0; i < n; i++) {
        spoor__free(c[i].hits);
        c[i].hits = NULL;
        c[i].n_hits = 0;
    }
}

void spoor_match__hits_dispose(spoor_hits *h)
{
    size_t i;
    if (h->counting)
        for (i = 0; i < h->n_cands; i++)
            spoor__free(h->cands[i].hits);
    spoor__free(h->held);
    spoor__free(h->cands);
    spoor__free(h->chits);
    spoor_fps_dispose(&h->own);
    spoor_content_map__dispose(&h->counts);
    spoor_content_map__dispose(&h->unique);
    spoor_content_map__dispose(&h->want);
    spoor_content_map__dispose(&h->families);
    memset(h, 0, sizeof(*h));
}
