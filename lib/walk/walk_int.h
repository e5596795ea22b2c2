/*
 * walk_int.h: the walker shared by the sequential walk (walk.c) and the
 * parallel one (parallel.c).
 */
#ifndef SPOOR_WALK_INT_H
#define SPOOR_WALK_INT_H

#include <spoor/item.h>

typedef struct walker walker;

/** What a walker does with each regular file found (walk.c: read it). */
typedef int (*spoor_walk_file_fn)(walker *wk, const char *fspath,
                                  const char *path, const char *display,
                                  int nofollow);

/** Like spoor_item_cb, given the walker's own item: it may take the item's
 * text and fingerprints (walk_data uses neither after the call). */
typedef int (*spoor_item_take_cb)(spoor_item *item, void *payload);

struct walker {
    const spoor_walk_opts *opts;
    spoor_item_cb item_cb;
    spoor_item_take_cb take_cb; /* when set, called instead of item_cb */
    spoor_skip_cb skip_cb;
    void *payload;
    spoor_walk_file_fn file_fn; /* spoor_walk__file, or a stand-in */
};

/** Read file fspath as item path/display (and its children) for wk. */
int spoor_walk__file(walker *wk, const char *fspath, const char *path,
                     const char *display, int nofollow);

/** Release the calling thread's file buffer (workers call it on exit). */
void spoor_walk__thread_done(void);

/** Visit path (file or folder) in name order, files through wk->file_fn,
 * skips (missing path, links, bad folders) through wk->skip_cb. */
int spoor_walk__path(walker *wk, const char *path);

/**
 * Copy what storing needs of src (path, display, sha256, sizes, format,
 * text, dates, metadata, warning, canonical length, fingerprints; not the
 * bytes, the children or the canonical text) into dst, which owns it all
 * and is released with spoor_item__dispose_copy. The text is moved, not
 * copied, and so are fingerprints too many for the thread to keep: src is
 * left without them. @return 0 or ENOMEM (src unchanged).
 */
int spoor_item__take(spoor_item *dst, spoor_item *src);
void spoor_item__dispose_copy(spoor_item *item);

#endif
