/*
 * make_msg: write an Outlook .msg test fixture with libgsf's OLE2 writer
 * (no Debian tool writes .msg files).
 *
 *   make_msg OUT.msg [-s SUBJECT] [-f FROM_NAME] [-e FROM_EMAIL] [-t TO]
 *            [-i MESSAGE_ID] [-T SUBMIT_UNIX_TIME] [-b BODY_FILE]
 *            [-H HTML_FILE] [-r RTF_FILE] [-a NAME=FILE]... [-E SUBJ=BODY_FILE]
 *
 * -b gives the plain-text body (PidTagBody, UTF-16LE), -H the HTML body,
 * -r an RTF body, written as compressed RTF (LZFu: a dictionary reference
 * for its opening "{\rtf1\ansi", then literals); -a an attachment by
 * value, -E an attached message with that subject and body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-stdio.h>
#include <gsf/gsf-utils.h>

static void fail(const char *what)
{
    fprintf(stderr, "make_msg: %s\n", what);
    exit(1);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *b;
    long len;
    if (!f)
        fail(path);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)len + 1);
    if (!b || fread(b, 1, (size_t)len, f) != (size_t)len)
        fail(path);
    fclose(f);
    b[len] = '\0';
    *n = (size_t)len;
    return b;
}

static void stream(GsfOutfile *dir, const char *name, const void *d, size_t n)
{
    GsfOutput *s = gsf_outfile_new_child(dir, name, FALSE);
    if (!s || !gsf_output_write(s, n, d) || !gsf_output_close(s))
        fail(name);
    g_object_unref(s);
}

/* A string property as UTF-16LE (ASCII and Latin-1 only: tests). */
static void prop_string(GsfOutfile *dir, unsigned id, const char *v)
{
    char name[40];
    glong n = 0;
    gunichar2 *w;
    if (!v)
        return;
    w = g_utf8_to_utf16(v, -1, NULL, &n, NULL);
    snprintf(name, sizeof(name), "__substg1.0_%04X001F", id);
    stream(dir, name, w, (size_t)n * 2 + 2); /* with its NUL */
    g_free(w);
}

static void prop_binary(GsfOutfile *dir, unsigned id, const void *d, size_t n)
{
    char name[40];
    snprintf(name, sizeof(name), "__substg1.0_%04X0102", id);
    stream(dir, name, d, n);
}

/* The property stream: a header of hsize bytes, then a PT_SYSTIME entry
 * for each (id, unix time) with a time. */
static void props(GsfOutfile *dir, size_t hsize, const unsigned *ids,
                  const long long *times, size_t n)
{
    unsigned char b[32 + 16 * 8];
    size_t i, at = hsize, k;
    memset(b, 0, sizeof(b));
    for (i = 0; i < n; i++) {
        unsigned long long ft;
        if (!times[i])
            continue;
        ft = (unsigned long long)times[i] * 10000000ULL + 116444736000000000ULL;
        b[at] = 0x40;
        b[at + 2] = (unsigned char)(ids[i] & 0xFF);
        b[at + 3] = (unsigned char)(ids[i] >> 8);
        b[at + 4] = 6;
        for (k = 0; k < 8; k++)
            b[at + 8 + k] = (unsigned char)(ft >> (8 * k));
        at += 16;
    }
    stream(dir, "__properties_version1.0", b, at);
}

/* Compressed RTF: "{\rtf1\ansi" as a reference into the preset
 * dictionary, the rest as literals, then the end marker. */
static void rtf_compressed(GsfOutfile *dir, const char *rtf, size_t n)
{
    static const char pre[] = "{\\rtf1\\ansi";
    size_t cap = 32 + n * 2, at = 16, i = 0, w = 207, flagpos = 0, bit = 8, raw;
    unsigned char *z = calloc(1, cap);
    if (!z || n < sizeof(pre) - 1 || memcmp(rtf, pre, sizeof(pre) - 1))
        fail("an RTF body must start with {\\rtf1\\ansi");
    while (i <= n) {
        if (bit == 8) {
            flagpos = at++;
            bit = 0;
        }
        if (i == 0) { /* reference: offset 0, 11 bytes */
            z[flagpos] |= (unsigned char)(1u << bit);
            z[at++] = 0;
            z[at++] = (unsigned char)(11 - 2);
            i = 11;
            w += 11;
        } else if (i == n) { /* end: a reference to the write position */
            z[flagpos] |= (unsigned char)(1u << bit);
            z[at++] = (unsigned char)((w & 4095) >> 4);
            z[at++] = (unsigned char)(((w & 4095) & 15) << 4);
            i++;
        } else {
            z[at++] = (unsigned char)rtf[i++];
            w++;
        }
        bit++;
    }
    raw = n;
    memset(z, 0, 16);
    z[0] = (unsigned char)((at - 4) & 0xFF);
    z[1] = (unsigned char)((at - 4) >> 8);
    z[4] = (unsigned char)(raw & 0xFF);
    z[5] = (unsigned char)(raw >> 8);
    memcpy(z + 8, "LZFu", 4);
    prop_binary(dir, 0x1009, z, at);
    free(z);
}

int main(int argc, char **argv)
{
    const char *subject = NULL, *from = NULL, *email = NULL, *to = NULL,
               *msgid = NULL;
    long long submit = 0;
    GsfOutput *out;
    GsfOutfile *ole;
    GError *err = NULL;
    int opt, n_att = 0;
    unsigned ids[2] = {0x0039, 0x0E06};
    long long times[2];

    if (argc < 2)
        fail("usage: make_msg OUT.msg [options]");
    gsf_init();
    out = gsf_output_stdio_new(argv[1], &err);
    if (!out)
        fail(argv[1]);
    ole = gsf_outfile_msole_new(out);
    optind = 2;
    /* first pass: the scalar fields */
    while ((opt = getopt(argc, argv, "s:f:e:t:i:T:b:H:r:a:E:")) != -1) {
        if (opt == 's')
            subject = optarg;
        else if (opt == 'f')
            from = optarg;
        else if (opt == 'e')
            email = optarg;
        else if (opt == 't')
            to = optarg;
        else if (opt == 'i')
            msgid = optarg;
        else if (opt == 'T')
            submit = atoll(optarg);
    }
    times[0] = submit;
    times[1] = submit ? submit + 60 : 0;
    props(ole, 32, ids, times, 2);
    prop_string(ole, 0x0037, subject);
    prop_string(ole, 0x0C1A, from);
    prop_string(ole, 0x5D01, email);
    prop_string(ole, 0x0E04, to);
    prop_string(ole, 0x1035, msgid);
    optind = 2;
    while ((opt = getopt(argc, argv, "s:f:e:t:i:T:b:H:r:a:E:")) != -1) {
        size_t n;
        char *data, *eq, name[64];
        if (opt == 'b' || opt == 'H' || opt == 'r') {
            data = slurp(optarg, &n);
            if (opt == 'b')
                prop_string(ole, 0x1000, data);
            else if (opt == 'H')
                prop_binary(ole, 0x1013, data, n);
            else
                rtf_compressed(ole, data, n);
            free(data);
        } else if (opt == 'a' || opt == 'E') {
            GsfOutfile *att;
            char *arg = strdup(optarg);
            if (!arg || !(eq = strchr(arg, '=')))
                fail("-a NAME=FILE, -E SUBJECT=BODY_FILE");
            *eq = '\0';
            snprintf(name, sizeof(name), "__attach_version1.0_#%08X", n_att++);
            att = GSF_OUTFILE(gsf_outfile_new_child(ole, name, TRUE));
            props(att, 8, ids, times, 0);
            data = slurp(eq + 1, &n);
            if (opt == 'a') {
                prop_string(att, 0x3707, arg);
                prop_binary(att, 0x3701, data, n);
            } else {
                GsfOutfile *m = GSF_OUTFILE(
                    gsf_outfile_new_child(att, "__substg1.0_3701000D", TRUE));
                props(m, 24, ids, times, 2);
                prop_string(m, 0x0037, arg);
                prop_string(m, 0x1000, data);
                gsf_output_close(GSF_OUTPUT(m));
                g_object_unref(m);
            }
            free(data);
            free(arg);
            gsf_output_close(GSF_OUTPUT(att));
            g_object_unref(att);
        }
    }
    if (!gsf_output_close(GSF_OUTPUT(ole)))
        fail("closing the OLE file");
    g_object_unref(ole);
    g_object_unref(out);
    return 0;
}
