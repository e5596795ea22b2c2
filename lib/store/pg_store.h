/*
 * pg_store.h: the PostgreSQL back end of the store (pg_store.c): a shared
 * index that spoor push wrote (push.c; the layout: docs/design.md, "A
 * shared index on PostgreSQL"), read through the PostgreSQL module. The
 * store's functions hand a store opened on a PostgreSQL URL to these;
 * nothing outside lib/store includes it.
 */
#ifndef SPOOR_PG_STORE_H
#define SPOOR_PG_STORE_H

#include "store_priv.h"

/* The shared index's format, which push writes and the reader checks. */
#define SPOOR_PG_FORMAT "2"

/** Whether path names a shared index (a postgresql:// or postgres:// URL). */
int spoor_pg__is_url(const char *path);

/** The URL url without its password, "postgresql://HOST/DB", into a new
 * *out (free with spoor__free). @return 0 or an error. */
int spoor_pg__shown(const char *url, char **out);

/**
 * Connect s (zeroed but for its flags) to the shared index at url and
 * check its format: s->pg is set, s->path is the URL without its password
 * (for messages and spoor_store_path). @return 0 or an error naming the
 * server.
 */
int spoor_pg__open(spoor_store *s, const char *url);
void spoor_pg__close(spoor_store *s);

/** A second handle on the same shared index (another connection). */
int spoor_pg__reopen(spoor_store *s, spoor_store **out);

/**
 * store_write.c's change_named on the shared index that s (a staging
 * index) pushes to: column of the row of spoor.table named name set to
 * value, or, column NULL, that row deleted.
 * @return 0, SPOOR_ENOTFOUND (no such row, or none this role may see),
 * SPOOR_EEXISTS (the name is taken) or an error naming the server.
 */
int spoor_pg__change(spoor_store *s, const char *table, const char *column,
                     const char *value, const char *what, const char *name);

/** One read-only snapshot until the matching spoor_pg__read_end; calls
 * nest. @return 0 or an error. */
int spoor_pg__read_begin(spoor_store *s);
void spoor_pg__read_end(spoor_store *s);

/** spoor_store__want_keys: fetch, in one round trip, the postings of the
 * segment keys keys[0..n) (ascending), which spoor_pg__lookup_key then
 * answers from memory. */
int spoor_pg__want_keys(spoor_store *s, const uint64_t *keys, size_t n);
/** spoor_store__want_sources: prefetch the records and short texts of
 * ids[0..n) in three queries; spoor_pg__record hands each record over
 * once, and spoor_pg__text reads the texts from memory. */
int spoor_pg__want_sources(spoor_store *s, const int64_t *ids, size_t n);
int spoor_pg__lookup_key(spoor_store *s, uint64_t key, size_t common,
                         spoor_postings *out, int *common_out);

/* The store's readers, as store_read.c documents them. */
int spoor_pg__contents(spoor_store *s, int64_t *out);
/** spoor_store_collection on a shared index: an existing collection's id,
 * else SPOOR_ENOTFOUND. */
int spoor_pg__collection(spoor_store *s, const char *name, const char *kind,
                         const char *date, int64_t *id_out);
int spoor_pg__by_sha256(spoor_store *s, const char *sha256, int64_t *out);
int spoor_pg__family(spoor_store *s, int64_t content, uint64_t *family);
int spoor_pg__held_in(spoor_store *s, int64_t content, const char *const *names,
                      size_t n, int *held);
int spoor_pg__record(spoor_store *s, int64_t content, int brief,
                     spoor_record **out);
int spoor_pg__text(spoor_store *s, int64_t content, spoor_buf *out);
int spoor_pg__text_open(spoor_store *s, int64_t content, size_t text_bytes,
                        size_t canon_len, spoor_stored_text *t);
int spoor_pg__text_parts(spoor_store *s, spoor_stored_text *t, size_t first,
                         size_t end, spoor_buf *out);
/** The first column of the first row of sql (parameters a, and b unless
 * NULL) into *out, and the number of rows into *count. */
int spoor_pg__first_id(spoor_store *s, const char *sql, const char *a,
                       const char *b, int64_t *out, int *count);
int spoor_pg__ids_of(spoor_store *s, int thread, const char *arg, int64_t **ids,
                     size_t *n);
int spoor_pg__members(spoor_store *s, const char *collection, const char *lo,
                      const char *hi, spoor_member_cb cb, void *payload);
int spoor_pg__collections(spoor_store *s, spoor_collection_cb cb,
                          void *payload);
int spoor_pg__events(spoor_store *s, spoor_event **out, size_t *n_out);
int spoor_pg__keys(spoor_store *s, spoor_key_info_cb cb, void *payload);
int spoor_pg__stats(spoor_store *s, spoor_stats *out);
int spoor_pg__shared_contents(spoor_store *s, unsigned char *bits,
                              uint64_t n_bits);

#endif
