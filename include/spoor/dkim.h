/*
 * spoor/dkim.h: offline DKIM verification of email items with archived keys.
 *
 * Keys come from a key archive (spoor keys add, or files given directly),
 * never from live DNS unless use_dns is set: signing keys are rotated out
 * of DNS within months, and leaks surface years later. Expiry (x=) is
 * judged at the message's own time (its Date header; else the signature's
 * t=), or at as_of when given, never at today's clock; each signature says
 * which time was used.
 *
 * What a pass proves: the signed headers and the body (up to l=, when the
 * signature has one) are unchanged since a holder of the domain's private
 * key signed them. It does not prove who wrote the message, nor anything if
 * the private key was public before the message surfaced: a pass with such
 * a key is reported as "pass-weak". l= signatures are flagged weak too,
 * since text may be appended after the signed length.
 *
 * Lifecycle: spoor_dkim_new, add keys, verify any number of items,
 * spoor_dkim_free. A handle is used by one thread at a time.
 */
#ifndef SPOOR_DKIM_H
#define SPOOR_DKIM_H

#include "common.h"
#include "item.h"

typedef struct spoor_dkim spoor_dkim;

typedef struct spoor_dkim_opts {
    unsigned version;
    int use_dns;          /* 1: look keys up in live DNS (explicit only) */
    const char *as_of;    /* judge expiry at this YYYY-MM-DD[Thh:mm:ssZ],
                             or NULL for the message's own time */
    const char *surfaced; /* when the messages surfaced (YYYY-MM-DD); a key
                             published on or before it weakens a pass;
                             NULL: today */
} spoor_dkim_opts;

#define SPOOR_DKIM_OPTS_VERSION 1
#define SPOOR_DKIM_OPTS_INIT                                                   \
    {                                                                          \
        SPOOR_DKIM_OPTS_VERSION, 0, NULL, NULL                                 \
    }

typedef struct spoor_dkim_sig {
    char *domain;        /* d= */
    char *selector;      /* s= */
    char *algorithm;     /* a=, e.g. rsa-sha256 */
    char *headers;       /* h=, the signed header fields */
    char *body_hash;     /* "match", "mismatch" or "untested" */
    char *result;        /* pass, pass-weak, fail, no-key, bad-format,
                            unsupported */
    char *reason;        /* why, in words (also for pass: what it proves) */
    char *signed_at;     /* t= as ISO 8601 UTC, or NULL */
    char *expires;       /* x= as ISO 8601 UTC, or NULL */
    char *judged_at;     /* the time expiry was judged at, ISO 8601 UTC */
    char *time_basis;    /* "Date header", "t=", "as-of" or "now" */
    long long length;    /* l=, or -1 */
    char *key_source;    /* where the key record came from, or NULL */
    char *key_published; /* when the private key became public, or NULL */
} spoor_dkim_sig;

/** Create a verifier. @return 0, SPOOR_ENOMEM or SPOOR_ERROR. */
SPOOR_API int spoor_dkim_new(spoor_dkim **out, const spoor_dkim_opts *opts);
SPOOR_API void spoor_dkim_free(spoor_dkim *d);

/**
 * Add one key record: name is "selector._domainkey.domain", record the TXT
 * text ("v=DKIM1; k=rsa; p=..."), source where it came from, observed when
 * it was seen in DNS and published when its private key became public
 * (both YYYY-MM-DD or NULL). Later records for a name are tried too.
 * @return 0 or SPOOR_ENOMEM (a malformed record is kept and judged when a
 * signature needs it).
 */
SPOOR_API int spoor_dkim_add_key(spoor_dkim *d, const char *name,
                                 const char *record, const char *source,
                                 const char *observed, const char *published);

typedef int (*spoor_key_cb)(const char *name, const char *record,
                            void *payload);

/**
 * Parse a key file (one "name record" per line, as libopendkim's
 * DKIM_QUERY_FILE reads; '#' comments and blank lines skipped) and call cb
 * for each record. @return 0, SPOOR_EIO, SPOOR_EINVALID (line named).
 */
SPOOR_API int spoor_dkim_parse_keys(const char *path, spoor_key_cb cb,
                                    void *payload);

/**
 * Verify every DKIM-Signature of an email item (format "eml"); other items
 * have none. @param[out] out owned array (spoor_dkim_sigs_free).
 * @return 0 (each signature's result is in *out, a failing one included),
 * SPOOR_ENOMEM, or SPOOR_ERROR when the verification could not run (its
 * child process failed).
 */
SPOOR_API int spoor_dkim_verify(spoor_dkim_sig **out, size_t *n_out,
                                spoor_dkim *d, const spoor_item *item);

SPOOR_API void spoor_dkim_sigs_free(spoor_dkim_sig *sigs, size_t n);

#endif
