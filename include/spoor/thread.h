/*
 * spoor/thread.h: the email thread an indexed message belongs to.
 *
 * Messages are joined by their headers: every message has a thread root,
 * the first id of its References, else its In-Reply-To, else its own
 * Message-ID (stored at add); a thread is the messages of one root, and of
 * every root that is the Message-ID of one of them (a reply that names only
 * its parent). Each message's parent is the message its In-Reply-To (else
 * its last References id) names. A message is inclusive when no later
 * message of the thread holds all of its body (its header block aside):
 * reading the inclusive messages reads the whole thread.
 */
#ifndef SPOOR_THREAD_H
#define SPOOR_THREAD_H

#include "common.h"
#include "store.h"

typedef struct spoor_thread_msg {
    int64_t content;          /* content id */
    int64_t item;             /* its first occurrence's item id */
    char *collection, *path;  /* its first occurrence; owned */
    char *message_id;         /* without angle brackets; owned, or NULL */
    char *in_reply_to, *date; /* owned, or NULL */
    char *from, *subject;     /* owned, or NULL */
    long parent;              /* index of the message it answers, or -1 */
    unsigned depth;           /* replies from the thread's first message */
    int inclusive;            /* no later message holds all of its body */
    long contained_in;        /* a later message that does, or -1 */
} spoor_thread_msg;

/* Threads longer than this are listed without inclusive flags (each would
 * be compared with every later message). */
#define SPOOR_THREAD_COMPARE_MAX 400

/**
 * The thread of content, ordered by date (then content id).
 * @param[out] out owned array, free with spoor_thread_free.
 * @param[out] compared 1 when inclusive flags were computed (the thread
 *             has at most SPOOR_THREAD_COMPARE_MAX messages), else 0 (all
 *             are marked inclusive).
 * @return 0, SPOOR_EINVALID (not an email: no thread), or an index error.
 */
SPOOR_API int spoor_thread(spoor_thread_msg **out, size_t *n, int *compared,
                           spoor_store *s, int64_t content);

/** Free a thread. NULL-safe. */
SPOOR_API void spoor_thread_free(spoor_thread_msg *m, size_t n);

#endif
