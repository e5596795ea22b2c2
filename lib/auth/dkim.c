/*
 * dkim.c: offline DKIM verification with libopendkim (see spoor/dkim.h).
 *
 * This file holds the keys, the times and the decision whether a message
 * is signed at all; the verification itself is dkim_verify.c, in the
 * extractor module, so a check of unsigned items never loads libopendkim.
 *
 * libopendkim does the cryptography and canonicalisation. spoor supplies
 * keys through the key-lookup callback from its archive (never DNS unless
 * asked). Time is spoor's job: libopendkim compares x= and t= with the wall
 * clock (time(2) in dkim_sig_expired and dkim_sig_future, whatever
 * DKIM_OPTS_FIXEDTIME says), which would fail every old signature today.
 * Its checks are "now >= x + drift" and "now < t - drift" in unsigned
 * arithmetic, so the drift is set per message to the smallest t= of its
 * signatures (or to now when none has t=): then neither check can fire for
 * any real signature, nor can t - drift wrap around. spoor judges x= and t=
 * itself at the time they must be judged at: --as-of, else the message's
 * Date header, else the signature's t=, else the wall clock (time_basis).
 * A signature dated (t=) more than a day after that time is reported, as
 * mail is signed seconds to hours after it is dated.
 *
 * Line ends: the message is converted to CRLF before verification (mbox
 * files store LF; signatures are computed over CRLF), dropping any CR
 * already before an LF, so mixed line ends verify as their sender sent
 * them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <spoor/dkim.h>

#include "../common/internal.h"
#include "../module/module.h"
#include "dkim_int.h"

/* ==== Times ==== */

time_t spoor_dkim__parse_iso(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!s || strlen(s) < 10 ||
        sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return (time_t)-1;
    if (strlen(s) >= 19)
        sscanf(s + 11, "%2d:%2d:%2d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* ==== Keys ==== */

int spoor_dkim_add_key(spoor_dkim *d, const char *name, const char *record,
                       const char *source, const char *observed,
                       const char *published)
{
    spoor_dkim_key *k;
    int error;
    if ((error = spoor__array_reserve((void **)&d->keys, &d->cap_keys,
                                      d->n_keys + 1, sizeof(*k))) < 0)
        return error;
    k = &d->keys[d->n_keys];
    memset(k, 0, sizeof(*k));
    k->name = spoor__strdup(name);
    k->record = spoor__strdup(record);
    k->source = source ? spoor__strdup(source) : NULL;
    k->observed = observed ? spoor__strdup(observed) : NULL;
    k->published = published ? spoor__strdup(published) : NULL;
    if (!k->name || !k->record || (source && !k->source) ||
        (observed && !k->observed) || (published && !k->published)) {
        spoor__free(k->name);
        spoor__free(k->record);
        spoor__free(k->source);
        spoor__free(k->observed);
        spoor__free(k->published);
        return spoor__error_oom();
    }
    d->n_keys++;
    return 0;
}

int spoor_dkim_parse_keys(const char *path, spoor_key_cb cb, void *payload)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    unsigned long lineno = 0;
    int error = 0;

    if (!f)
        return spoor__error_set(SPOOR_EIO, "key file '%s': %s", path,
                                strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        char *p = line, *name, *rec, *end;
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            error = spoor__error_set(SPOOR_EINVALID,
                                     "key file '%s' line %lu: longer than %zu "
                                     "bytes",
                                     path, lineno, sizeof(line) - 1);
            break;
        }
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            continue;
        name = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
        while (isspace((unsigned char)*p))
            p++;
        rec = p;
        end = rec + strlen(rec);
        while (end > rec && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (!strstr(name, "._domainkey.") || !*rec || !strstr(rec, "p=")) {
            error = spoor__error_set(SPOOR_EINVALID,
                                     "key file '%s' line %lu: expected "
                                     "'selector._domainkey.domain "
                                     "v=DKIM1; ... p=KEY'",
                                     path, lineno);
            break;
        }
        if ((error = cb(name, rec, payload)) < 0)
            break;
    }
    fclose(f);
    return error;
}

/* ==== Lifecycle ==== */

int spoor_dkim_new(spoor_dkim **out, const spoor_dkim_opts *opts)
{
    spoor_dkim_opts defaults = SPOOR_DKIM_OPTS_INIT;
    spoor_dkim *d;
    time_t now = time(NULL);
    struct tm tm;

    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (!(d = spoor__calloc(1, sizeof(*d))))
        return spoor__error_oom();
    d->as_of = opts->as_of ? spoor_dkim__parse_iso(opts->as_of) : (time_t)-1;
    if (opts->as_of && d->as_of == (time_t)-1) {
        spoor__free(d);
        return spoor__error_set(SPOOR_EINVALID, "as-of '%s' is not a date",
                                opts->as_of);
    }
    if (opts->surfaced)
        snprintf(d->surfaced, sizeof(d->surfaced), "%.10s", opts->surfaced);
    else if (gmtime_r(&now, &tm))
        strftime(d->surfaced, sizeof(d->surfaced), "%Y-%m-%d", &tm);
    d->use_dns = opts->use_dns;
    *out = d;
    return 0;
}

void spoor_dkim_free(spoor_dkim *d)
{
    size_t i;
    if (!d)
        return;
    for (i = 0; i < d->n_keys; i++) {
        spoor__free(d->keys[i].name);
        spoor__free(d->keys[i].record);
        spoor__free(d->keys[i].source);
        spoor__free(d->keys[i].observed);
        spoor__free(d->keys[i].published);
    }
    spoor__free(d->keys);
    if (d->lib)
        spoor_module__get(SPOOR_MODULE_DKIM)->dkim_close_lib(d->lib);
    spoor__free(d);
}

void spoor_dkim_sigs_free(spoor_dkim_sig *s, size_t n)
{
    size_t i;
    for (i = 0; s && i < n; i++) {
        spoor__free(s[i].domain);
        spoor__free(s[i].selector);
        spoor__free(s[i].algorithm);
        spoor__free(s[i].headers);
        spoor__free(s[i].body_hash);
        spoor__free(s[i].result);
        spoor__free(s[i].reason);
        spoor__free(s[i].signed_at);
        spoor__free(s[i].expires);
        spoor__free(s[i].judged_at);
        spoor__free(s[i].time_basis);
        spoor__free(s[i].key_source);
        spoor__free(s[i].key_published);
    }
    spoor__free(s);
}

/* ==== Verification ==== */

/* The value of a t= tag whose digits start at m[at] (after optional
 * blanks), read within len bytes: the message is not NUL-terminated, and a
 * field may end the input. RFC 6376 allows at most 12 digits; longer or
 * missing values give 0. */
static long long tag_time(const unsigned char *m, size_t len, size_t at)
{
    long long v = 0;
    size_t digits = 0;
    while (at < len && (m[at] == ' ' || m[at] == '\t'))
        at++;
    for (; at < len && m[at] >= '0' && m[at] <= '9'; at++) {
        if (++digits > 12)
            return 0;
        v = v * 10 + (m[at] - '0');
    }
    return v;
}

/* The header block holds a DKIM-Signature field; *t is the smallest t= of
 * them all, or 0. */
static int find_signature(const unsigned char *m, size_t len, long long *t)
{
    size_t i = 0;
    int found = 0;
    *t = 0;
    while (i < len) {
        size_t eol;
        for (eol = i; eol < len && m[eol] != '\n'; eol++)
            ;
        if (eol == i || (eol == i + 1 && m[i] == '\r'))
            break;
        if (eol - i > 15 &&
            !strncasecmp((const char *)m + i, "DKIM-Signature:", 15)) {
            size_t j;
            found = 1;
            /* scan this field and its continuation lines for t= */
            for (j = i + 15; j + 2 < len; j++) {
                if (m[j] == '\n' && j + 1 < len && m[j + 1] != ' ' &&
                    m[j + 1] != '\t')
                    break;
                if (m[j] == 't' && m[j + 1] == '=' &&
                    (m[j - 1] == ';' || isspace(m[j - 1]))) {
                    long long v = tag_time(m, len, j + 2);
                    if (v > 0 && (!*t || v < *t))
                        *t = v;
                }
            }
        }
        i = eol + 1;
    }
    return found;
}

/* The verification a child process runs (verify_isolated): what it needs
 * is in the memory it was forked with. */
static _Thread_local struct {
    spoor_dkim *d;
    const spoor_item *item;
    const spoor_dkim_when *when;
    const spoor_module *m;
} job;

/* Fields of a signature in the order they travel from the child, as one
 * metadata value, separated by US (0x1f); RS (0x1e) alone is NULL. */
#define SIG_FIELDS 13

static void sig_fields(spoor_dkim_sig *s, char **f[SIG_FIELDS])
{
    f[0] = &s->domain, f[1] = &s->selector, f[2] = &s->algorithm;
    f[3] = &s->headers, f[4] = &s->body_hash, f[5] = &s->result;
    f[6] = &s->reason, f[7] = &s->signed_at, f[8] = &s->expires;
    f[9] = &s->judged_at, f[10] = &s->time_basis, f[11] = &s->key_source;
    f[12] = &s->key_published;
}

/* In the child: verify, and send each signature as a metadata value. */
static int verify_child(spoor_doc *doc, const unsigned char *data, size_t len,
                        const spoor_limits *lim)
{
    spoor_dkim_sig *s = NULL;
    spoor_buf v = SPOOR_BUF_INIT;
    size_t n = 0, i, k;
    int error;
    (void)data, (void)len, (void)lim;
    if ((error = job.m->dkim_verify_signed(job.d, job.item, job.when, &s, &n)) <
        0)
        return error;
    for (i = 0; i < n && error == 0; i++) {
        char **f[SIG_FIELDS];
        sig_fields(&s[i], f);
        spoor_buf_clear(&v);
        for (k = 0; k < SIG_FIELDS && error == 0; k++) {
            const char *x = *f[k];
            error = spoor_buf_puts(&v, x ? x : "\x1e");
            if (error == 0)
                error = spoor_buf_puts(&v, "\x1f");
        }
        if (error == 0)
            error = spoor_buf_printf(&v, "%lld", s[i].length);
        if (error == 0)
            error = spoor_doc__add_meta(doc, "dkim-sig", v.ptr);
    }
    spoor_buf_dispose(&v);
    spoor_dkim_sigs_free(s, n);
    return error;
}

/* Rebuild the signatures the child sent. */
static int sigs_from(const spoor_doc *doc, spoor_dkim_sig **out, size_t *n_out)
{
    spoor_dkim_sig *s;
    size_t i, n = 0, k;
    for (i = 0; i < doc->n_meta; i++)
        n += !strcmp(doc->meta[i].key, "dkim-sig");
    *out = NULL;
    *n_out = 0;
    if (!n)
        return 0;
    if (!(s = spoor__calloc(n, sizeof(*s))))
        return spoor__error_oom();
    for (i = 0, n = 0; i < doc->n_meta; i++) {
        const char *p = doc->meta[i].value;
        char **f[SIG_FIELDS];
        if (strcmp(doc->meta[i].key, "dkim-sig"))
            continue;
        sig_fields(&s[n], f);
        for (k = 0; k < SIG_FIELDS; k++) {
            const char *e = strchr(p, 0x1f);
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (!(len == 1 && p[0] == 0x1e) &&
                !(*f[k] = spoor__strndup(p, len))) {
                spoor_dkim_sigs_free(s, n + 1);
                return spoor__error_oom();
            }
            p = e ? e + 1 : p + len;
        }
        s[n].length = strtoll(p, NULL, 10);
        n++;
    }
    *out = s;
    *n_out = n;
    return 0;
}

/* libopendkim run in a child process: guided fuzzing keeps finding a bad
 * free inside its dkim_eoh that depends on what earlier messages left in
 * the heap (a fresh context per message and zeroed allocations did not
 * stop it). A crash or a hang costs this message's verification only. In
 * a process with worker threads (a fork server runs) it runs here, as a
 * forked child would not have the keys. */
static int verify_isolated(spoor_dkim *d, const spoor_item *item,
                           const spoor_dkim_when *when, const spoor_module *m,
                           spoor_dkim_sig **out, size_t *n_out)
{
    spoor_doc doc = SPOOR_DOC_INIT;
    spoor_limits lim;
    int error;
    if (!spoor_extract__forks_directly())
        return m->dkim_verify_signed(d, item, when, out, n_out);
    spoor_limits_default(&lim);
    lim.max_item_seconds = 30;
    job.d = d, job.item = item, job.when = when, job.m = m;
    error = spoor_extract__isolated(&doc, item->data, (size_t)item->bytes, &lim,
                                    verify_child, "libopendkim");
    if (error == 0)
        error = sigs_from(&doc, out, n_out);
    spoor_doc_dispose(&doc);
    return error;
}

int spoor_dkim_verify(spoor_dkim_sig **out, size_t *n_out, spoor_dkim *d,
                      const spoor_item *item)
{
    const spoor_module *m;
    const char *basis = "now", *date = NULL;
    spoor_dkim_when when;
    long long t_tag;
    time_t judged;
    size_t k;

    *out = NULL;
    *n_out = 0;
    if (strcmp(item->doc.format, "eml") ||
        !find_signature(item->data, (size_t)item->bytes, &t_tag))
        return 0;
    for (k = 0; k < item->doc.n_dates; k++)
        if (!strcmp(item->doc.dates[k].field, "date"))
            date = item->doc.dates[k].value;
    if (d->as_of != (time_t)-1) {
        judged = d->as_of;
        basis = "as-of";
    } else if (date && spoor_dkim__parse_iso(date) != (time_t)-1) {
        judged = spoor_dkim__parse_iso(date);
        basis = "Date header";
    } else if (t_tag > 0) {
        judged = (time_t)t_tag;
        basis = "t=";
    } else {
        judged = time(NULL);
    }
    when.judged = judged;
    when.basis = basis;
    when.date = date;
    when.t_tag = t_tag;
    if (!(m = spoor_module__get(SPOOR_MODULE_DKIM)))
        return spoor__error_set(SPOOR_ERROR, "cannot verify DKIM: %s",
                                spoor_module__error(SPOOR_MODULE_DKIM));
    return verify_isolated(d, item, &when, m, out, n_out);
}
