/*
 * dkim_verify.c: the libopendkim side of DKIM verification (see dkim.c for
 * how times are judged and why). Part of the extractor module.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <opendkim/dkim.h>

#include "../common/internal.h"
#include "dkim_int.h"

#define FUTURE_SLACK (24 * 3600)

/* ==== Times ==== */

static char *iso_of(time_t t)
{
    char buf[32];
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return spoor__strdup("invalid");
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return spoor__strdup(buf);
}

/* ==== Keys ==== */

static int key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
    spoor_dkim *d = dkim_get_user_context(dkim);
    const char *sel = (const char *)dkim_sig_getselector(sig);
    const char *dom = (const char *)dkim_sig_getdomain(sig);
    char name[512];
    size_t i;

    if (!d || !sel || !dom)
        return DKIM_CBSTAT_ERROR;
    snprintf(name, sizeof(name), "%s._domainkey.%s", sel, dom);
    for (i = d->n_keys; i-- > 0;) {
        if (strcasecmp(d->keys[i].name, name))
            continue;
        if (strlen(d->keys[i].record) + 1 > buflen)
            return DKIM_CBSTAT_ERROR;
        memcpy(buf, d->keys[i].record, strlen(d->keys[i].record) + 1);
        if (d->n_used < sizeof(d->used) / sizeof(d->used[0])) {
            d->used[d->n_used].sig = sig;
            d->used[d->n_used].key = &d->keys[i];
            d->n_used++;
        }
        return DKIM_CBSTAT_CONTINUE;
    }
    return DKIM_CBSTAT_NOTFOUND;
}

/* ==== Signatures ==== */

static const char *alg_name(DKIM_SIGINFO *sig)
{
    dkim_alg_t alg = -1;
    dkim_sig_getsignalg(sig, &alg);
    switch (alg) {
    case DKIM_SIGN_RSASHA1:
        return "rsa-sha1";
    case DKIM_SIGN_RSASHA256:
        return "rsa-sha256";
    case DKIM_SIGN_ED25519SHA256:
        return "ed25519-sha256";
    default:
        return "unknown";
    }
}

static char *tag(DKIM_SIGINFO *sig, const char *name)
{
    u_char *v = dkim_sig_gettagvalue(sig, 0, (u_char *)name);
    return v ? spoor__strdup((const char *)v) : NULL;
}

static const spoor_dkim_key *key_of(const spoor_dkim *d,
                                    const DKIM_SIGINFO *sig)
{
    size_t i;
    for (i = 0; i < d->n_used; i++)
        if (d->used[i].sig == sig)
            return d->used[i].key;
    return NULL;
}

static int is_format_error(int e)
{
    return e == DKIM_SIGERROR_VERSION || e == DKIM_SIGERROR_DOMAIN ||
           e == DKIM_SIGERROR_TIMESTAMPS ||
           (e >= DKIM_SIGERROR_INVALID_HC && e <= DKIM_SIGERROR_CORRUPT_B) ||
           (e >= DKIM_SIGERROR_MISSING_BH && e <= DKIM_SIGERROR_CORRUPT_BH) ||
           e == DKIM_SIGERROR_EMPTY_H || e == DKIM_SIGERROR_INVALID_H ||
           e == DKIM_SIGERROR_TOOLARGE_L || e == DKIM_SIGERROR_DNSSYNTAX;
}

static int fill_sig(spoor_dkim *d, DKIM *dkim, DKIM_SIGINFO *sig,
                    spoor_dkim_sig *o, time_t judged, const char *basis,
                    const char *message_date)
{
    unsigned int flags = dkim_sig_getflags(sig);
    int bh = dkim_sig_getbh(sig), err = dkim_sig_geterror(sig);
    const spoor_dkim_key *key = key_of(d, sig);
    char *t = tag(sig, "t"), *x = tag(sig, "x"), *l = tag(sig, "l");
    const char *result, *why;
    char reason[512];
    int weak = 0;

    (void)dkim;
    o->domain = spoor__strdup((const char *)(dkim_sig_getdomain(sig)
                                                 ? dkim_sig_getdomain(sig)
                                                 : (u_char *)""));
    o->selector = spoor__strdup((const char *)(dkim_sig_getselector(sig)
                                                   ? dkim_sig_getselector(sig)
                                                   : (u_char *)""));
    o->algorithm = spoor__strdup(alg_name(sig));
    o->headers = tag(sig, "h");
    o->body_hash = spoor__strdup(bh == DKIM_SIGBH_MATCH      ? "match"
                                 : bh == DKIM_SIGBH_MISMATCH ? "mismatch"
                                                             : "untested");
    o->signed_at = t ? iso_of((time_t)strtoll(t, NULL, 10)) : NULL;
    o->expires = x ? iso_of((time_t)strtoll(x, NULL, 10)) : NULL;
    o->judged_at = iso_of(judged);
    o->time_basis = spoor__strdup(basis);
    o->length = l ? strtoll(l, NULL, 10) : -1;
    if (key) {
        o->key_source = key->source ? spoor__strdup(key->source) : NULL;
        o->key_published =
            key->published ? spoor__strdup(key->published) : NULL;
    }
    spoor__free(t);
    spoor__free(x);
    spoor__free(l);

    {
        const char *xt = o->expires, *tt = o->signed_at;
        time_t xv = xt ? spoor_dkim__parse_iso(xt) : (time_t)-1;
        time_t tv = tt ? spoor_dkim__parse_iso(tt) : (time_t)-1;
        if (xv != (time_t)-1 && xv < judged && err == DKIM_SIGERROR_OK)
            err = DKIM_SIGERROR_EXPIRED;
        else if (tv != (time_t)-1 && tv > judged + FUTURE_SLACK &&
                 err == DKIM_SIGERROR_OK && strcmp(basis, "t="))
            err = DKIM_SIGERROR_FUTURE;
    }
    if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH &&
        err == DKIM_SIGERROR_OK) {
        result = "pass";
        snprintf(reason, sizeof(reason),
                 "the signed headers (%s) and the body%s are unchanged since "
                 "a holder of %s's key signed them; this does not show who "
                 "wrote the message",
                 o->headers ? o->headers : "",
                 o->length >= 0 ? " up to l=" : "",
                 o->domain ? o->domain : "the domain");
        if (o->length >= 0) {
            weak = 1;
            snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason),
                     "; weak: l=%lld signs only the first %lld bytes of the "
                     "body, so text may have been appended",
                     o->length, o->length);
        }
        if (key && key->published && strcmp(key->published, d->surfaced) <= 0) {
            weak = 1;
            snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason),
                     "; weak: the private key was published on %s, before "
                     "the message surfaced (%s), so anyone could have "
                     "signed it",
                     key->published, d->surfaced);
        }
        if (weak)
            result = "pass-weak";
    } else if (err == DKIM_SIGERROR_NOKEY || err == DKIM_SIGERROR_KEYFAIL ||
               err == DKIM_SIGERROR_MULTIREPLY ||
               (!(flags & DKIM_SIGFLAG_KEYLOADED) && !key &&
                err == DKIM_SIGERROR_UNKNOWN)) {
        result = "no-key";
        snprintf(reason, sizeof(reason),
                 "no key for %s._domainkey.%s in the key archive%s",
                 o->selector ? o->selector : "", o->domain ? o->domain : "",
                 d->use_dns ? " or DNS" : " (add it with spoor keys add)");
    } else if (o->algorithm && !strcmp(o->algorithm, "unknown")) {
        result = "unsupported";
        snprintf(reason, sizeof(reason), "signature algorithm not supported");
    } else if (bh == DKIM_SIGBH_MISMATCH) {
        result = "fail";
        snprintf(reason, sizeof(reason),
                 "body hash mismatch: the body was changed after signing");
    } else if (err == DKIM_SIGERROR_EXPIRED) {
        result = "fail";
        snprintf(reason, sizeof(reason),
                 "signature expired (x=%s) before %s (%s)%s",
                 o->expires ? o->expires : "?", o->judged_at, basis,
                 (flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH
                     ? "; the signature itself is cryptographically valid"
                     : "");
    } else if (err == DKIM_SIGERROR_FUTURE) {
        result = "fail";
        snprintf(reason, sizeof(reason),
                 "signed (t=%s) more than a day after %s (%s)",
                 o->signed_at ? o->signed_at : "?", o->judged_at, basis);
    } else if (err == DKIM_SIGERROR_BADSIG ||
               (err == DKIM_SIGERROR_OK && (flags & DKIM_SIGFLAG_PROCESSED))) {
        result = "fail";
        snprintf(reason, sizeof(reason),
                 "signature mismatch: a signed header (%s) was changed after "
                 "signing",
                 o->headers ? o->headers : "");
    } else if (is_format_error(err)) {
        result = "bad-format";
        why = dkim_sig_geterrorstr(err);
        snprintf(reason, sizeof(reason), "malformed signature: %s",
                 why ? why : "unknown error");
    } else {
        result = "fail";
        why = dkim_sig_geterrorstr(err);
        snprintf(reason, sizeof(reason), "%s", why ? why : "not verified");
    }
    (void)message_date;
    o->result = spoor__strdup(result);
    o->reason = spoor__strdup(reason);
    if (!o->domain || !o->selector || !o->algorithm || !o->body_hash ||
        !o->judged_at || !o->time_basis || !o->result || !o->reason)
        return spoor__error_oom();
    return 0;
}

void spoor_dkim__close_lib(void *lib)
{
    dkim_close(lib);
}

/* libopendkim's allocations, zeroed: guided fuzzing finds a bad free
 * inside dkim_eoh that depends on what earlier messages left in the heap
 * (a fresh context per message did not stop it; no single input
 * reproduces it), the mark of memory read before it is written. With
 * every block zeroed, what the library reads unset is the same each
 * time. */
static void *zeroed_malloc(void *closure, size_t n)
{
    (void)closure;
    return calloc(1, n ? n : 1);
}

static void plain_free(void *closure, void *p)
{
    (void)closure;
    free(p);
}

/* Start libopendkim for d on its first verification. */
static int start_lib(spoor_dkim *d)
{
    unsigned int flags = 0;
    if (d->lib)
        return 0;
    if (!(d->lib = dkim_init(zeroed_malloc, plain_free)))
        return spoor__error_set(SPOOR_ERROR, "libopendkim cannot start");
    dkim_options(d->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
                 sizeof(flags));
    if (!d->use_dns)
        dkim_set_key_lookup(d->lib, key_lookup);
    return 0;
}

int spoor_dkim__verify_signed(spoor_dkim *d, const spoor_item *item,
                              const spoor_dkim_when *when, spoor_dkim_sig **out,
                              size_t *n_out)
{
    DKIM *dkim = NULL;
    DKIM_STAT st;
    DKIM_SIGINFO **sigs = NULL;
    spoor_dkim_sig *res = NULL;
    const char *basis = when->basis, *date = when->date;
    long long t_tag = when->t_tag;
    time_t judged = when->judged;
    uint64_t fixed, drift;
    int nsigs = 0, i, error = 0;

    *out = NULL;
    *n_out = 0;
    if ((error = start_lib(d)) < 0)
        return error;
    fixed = (uint64_t)judged;
    dkim_options(d->lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed,
                 sizeof(fixed));
    drift = t_tag > 0 ? (uint64_t)t_tag : (uint64_t)time(NULL);
    dkim_options(d->lib, DKIM_OP_SETOPT, DKIM_OPTS_CLOCKDRIFT, &drift,
                 sizeof(drift));
    d->n_used = 0;
    dkim = dkim_verify(d->lib, (const u_char *)"spoor", NULL, &st);
    if (!dkim)
        return spoor__error_set(SPOOR_ERROR, "libopendkim: %s",
                                dkim_getresultstr(st));
    dkim_set_user_context(dkim, d);
    {
        const unsigned char *m = item->data;
        size_t n = (size_t)item->bytes, j;
        /* a saved message may start with its mbox "From " line, which is
         * not a header (no colon) and was never signed */
        if (n > 5 && !memcmp(m, "From ", 5)) {
            const unsigned char *nl = memchr(m, '\n', n);
            j = nl ? (size_t)(nl - m) + 1 : n;
            m += j;
            n -= j;
        }
        spoor_buf crlf = SPOOR_BUF_INIT;
        if ((error = spoor_buf_grow(&crlf, n + n / 16 + 2)) < 0)
            goto done;
        for (j = 0; j < n && error == 0; j++) {
            if (m[j] == '\r' && j + 1 < n && m[j + 1] == '\n')
                continue;
            if (m[j] == '\n')
                error = spoor_buf_put(&crlf, "\r\n", 2);
            else
                error = spoor_buf_put(&crlf, &m[j], 1);
        }
        st = error ? DKIM_STAT_NORESOURCE
                   : dkim_chunk(dkim, (u_char *)crlf.ptr, crlf.size);
        spoor_buf_dispose(&crlf);
        if (error < 0)
            goto done;
    }
    if (st == DKIM_STAT_OK)
        st = dkim_chunk(dkim, NULL, 0);
    if (st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG)
        (void)dkim_eom(dkim, NULL);
    if (dkim_getsiglist(dkim, &sigs, &nsigs) != DKIM_STAT_OK || nsigs <= 0) {
        /* a signature field was there but could not even be parsed */
        res = spoor__calloc(1, sizeof(*res));
        SPOOR_ALLOC_CHECK(res);
        *n_out = 1;
        res->domain = spoor__strdup("");
        res->selector = spoor__strdup("");
        res->algorithm = spoor__strdup("unknown");
        res->body_hash = spoor__strdup("untested");
        res->result = spoor__strdup("bad-format");
        res->reason = spoor__strdup(dkim_geterror(dkim)
                                        ? dkim_geterror(dkim)
                                        : "DKIM-Signature cannot be parsed");
        res->judged_at = iso_of(judged);
        res->time_basis = spoor__strdup(basis);
        res->length = -1;
        goto done;
    }
    res = spoor__calloc((size_t)nsigs, sizeof(*res));
    SPOOR_ALLOC_CHECK(res);
    *n_out = (size_t)nsigs;
    for (i = 0; i < nsigs; i++) {
        if (!(dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_PROCESSED) &&
            !(dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE))
            (void)dkim_sig_process(dkim, sigs[i]);
        SPOOR_TRY(fill_sig(d, dkim, sigs[i], &res[i], judged, basis, date));
    }
done:
    if (dkim)
        dkim_free(dkim);
    /* a fresh libopendkim context for every message: guided fuzzing found
     * a bad free inside dkim_eoh that only a context which had verified
     * many hostile messages reached */
    spoor_dkim__close_lib(d->lib);
    d->lib = NULL;
    if (error < 0) {
        spoor_dkim_sigs_free(res, *n_out);
        *n_out = 0;
        return error;
    }
    *out = res;
    return 0;
}
