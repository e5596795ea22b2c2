/*
 * dkim_int.h: the DKIM handle, shared by dkim.c (in libspoor: keys, times,
 * the decision whether a message is signed at all) and dkim_verify.c (in
 * the extractor module, which alone links libopendkim and libcrypto).
 */
#ifndef SPOOR_DKIM_INT_H
#define SPOOR_DKIM_INT_H

#include <time.h>

#include <spoor/dkim.h>

typedef struct spoor_dkim_key {
    char *name, *record, *source, *observed, *published;
} spoor_dkim_key;

/* which key answered which signature, during one verification */
typedef struct spoor_dkim_used {
    const void *sig; /* DKIM_SIGINFO * */
    const spoor_dkim_key *key;
} spoor_dkim_used;

struct spoor_dkim {
    void *lib; /* DKIM_LIB *, started by the module on first verification */
    int use_dns;
    time_t as_of; /* -1: none */
    char surfaced[11];
    spoor_dkim_key *keys;
    size_t n_keys, cap_keys;
    spoor_dkim_used used[64];
    size_t n_used;
};

/** The time judged at and its basis for one signed message (dkim.c). */
typedef struct spoor_dkim_when {
    time_t judged;
    const char *basis; /* "as-of", "Date header", "t=" or "now" */
    const char *date;  /* the message's Date, ISO 8601, or NULL */
    long long t_tag;   /* the smallest t= of its signatures, or 0 */
} spoor_dkim_when;

/** "YYYY-MM-DD[THH:MM:SS]" as UTC seconds, or -1. */
time_t spoor_dkim__parse_iso(const char *s);

/**
 * Verify every signature of item, a message known to carry at least one,
 * judging times at when (dkim_verify.c, in the module; see
 * spoor_dkim_verify for the contract).
 */
int spoor_dkim__verify_signed(spoor_dkim *d, const spoor_item *item,
                              const spoor_dkim_when *when, spoor_dkim_sig **out,
                              size_t *n_out);

/** Release the libopendkim state of d->lib (dkim_verify.c). */
void spoor_dkim__close_lib(void *lib);

#endif
