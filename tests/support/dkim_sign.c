/*
 * dkim_sign.c: a test helper that DKIM-signs a message with libopendkim.
 *
 *   dkim_sign KEYFILE SELECTOR DOMAIN [--time T] [--ttl S] [--length]
 *             [--ed25519] < message > signed-message
 *   dkim_sign --features      (prints "ed25519" if the library has it)
 *
 * KEYFILE is a PEM private key (openssl genrsa / genpkey). --time fixes the
 * signing time t= (seconds since 1970), --ttl adds x= = t + S, --length
 * signs with l= (the body length). The message is read as is; LF line ends
 * are signed as CRLF (DKIM_LIBFLAGS_FIXCRLF). The signature header is
 * written first, then the message unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0, r;
    char *b = malloc(cap);
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    *len = n;
    return b;
}

int main(int argc, char **argv)
{
    DKIM_LIB *lib = dkim_init(NULL, NULL);
    DKIM *dkim;
    DKIM_STAT st;
    unsigned char *hdr = NULL;
    size_t klen, mlen, hlen;
    char *key, *msg;
    FILE *kf;
    int i, length = 0, ed = 0;
    uint64_t t = 0, ttl = 0;
    unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;

    if (!lib)
        return 2;
    if (argc == 2 && !strcmp(argv[1], "--features")) {
        if (dkim_libfeature(lib, DKIM_FEATURE_ED25519))
            printf("ed25519\n");
        return 0;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: dkim_sign KEYFILE SELECTOR DOMAIN ...\n");
        return 2;
    }
    for (i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--time") && i + 1 < argc)
            t = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--ttl") && i + 1 < argc)
            ttl = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--length"))
            length = 1;
        else if (!strcmp(argv[i], "--ed25519"))
            ed = 1;
    }
    if (!(kf = fopen(argv[1], "rb")))
        return 2;
    key = slurp(kf, &klen);
    fclose(kf);
    key[klen] = '\0';
    msg = slurp(stdin, &mlen);
    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags));
    if (t)
        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &t, sizeof(t));
    if (ttl)
        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL, &ttl,
                     sizeof(ttl));
    dkim = dkim_sign(lib, (const unsigned char *)"test", NULL,
                     (dkim_sigkey_t)key, (const unsigned char *)argv[2],
                     (const unsigned char *)argv[3], DKIM_CANON_RELAXED,
                     DKIM_CANON_RELAXED,
                     ed ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256,
                     length ? 0 : (ssize_t)-1, &st);
    if (!dkim) {
        fprintf(stderr, "dkim_sign: %s\n", dkim_getresultstr(st));
        return 1;
    }
    if (length) {
        /* l= is the whole body: sign the body length of this message */
        char *b = strstr(msg, "\n\n");
        ssize_t blen = b ? (ssize_t)(mlen - (size_t)(b + 2 - msg)) : 0;
        const char *p;
        for (p = b ? b + 2 : msg + mlen; p < msg + mlen; p++)
            if (*p == '\n')
                blen++; /* each LF becomes CRLF */
        dkim_free(dkim);
        dkim = dkim_sign(lib, (const unsigned char *)"test", NULL,
                         (dkim_sigkey_t)key, (const unsigned char *)argv[2],
                         (const unsigned char *)argv[3], DKIM_CANON_RELAXED,
                         DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, blen, &st);
    }
    if ((st = dkim_chunk(dkim, (unsigned char *)msg, mlen)) != DKIM_STAT_OK ||
        (st = dkim_chunk(dkim, NULL, 0)) != DKIM_STAT_OK ||
        (st = dkim_eom(dkim, NULL)) != DKIM_STAT_OK ||
        (st = dkim_getsighdr_d(dkim, strlen(DKIM_SIGNHEADER) + 2, &hdr,
                               &hlen)) != DKIM_STAT_OK) {
        fprintf(stderr, "dkim_sign: %s (%s)\n", dkim_getresultstr(st),
                dkim_geterror(dkim) ? dkim_geterror(dkim) : "");
        return 1;
    }
    printf("%s: %s\n", DKIM_SIGNHEADER, hdr);
    fwrite(msg, 1, mlen, stdout);
    dkim_free(dkim);
    dkim_close(lib);
    free(key);
    free(msg);
    return 0;
}
