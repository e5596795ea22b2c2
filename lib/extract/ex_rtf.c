/*
 * ex_rtf.c: Rich Text Format, by a small bounded parser (no library in
 * Debian reads RTF to text without a rendering toolkit).
 *
 * Text is the characters outside control words, with \par, \line, \row as
 * line breaks and \tab, \cell as tabs; \'hh bytes are decoded as
 * windows-1252 and \uN as Unicode (then \ucN fallback characters skipped).
 * Destinations that hold no body text (font, colour and style tables,
 * pictures, objects, any {\* ...} group) are skipped. The {\info} group
 * gives the dates \creatim (created) and \revtim (modified). Group nesting
 * is bounded by MAX_RTF_DEPTH; deeper groups are skipped as a whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

#define MAX_RTF_DEPTH 256

/* RTF \u is a signed 16-bit unit: surrogates and beyond are U+FFFD. */
static int put_cp(spoor_buf *out, uint32_t cp)
{
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0xFFFF)
        cp = 0xFFFD;
    return spoor_text__put_cp(out, cp);
}

static int is_skipped_dest(const char *w)
{
    static const char *const dests[] = {"fonttbl",
                                        "colortbl",
                                        "stylesheet",
                                        "pict",
                                        "object",
                                        "themedata",
                                        "datastore",
                                        "xmlnsdecl",
                                        "listtable",
                                        "listoverridetable",
                                        "rsidtbl",
                                        "generator",
                                        "latentstyles",
                                        "pgdsctbl",
                                        "revtbl",
                                        "filetbl",
                                        "mmathPr",
                                        "fldinst",
                                        "bkmkstart",
                                        "bkmkend",
                                        "nonshppict",
                                        "shppict",
                                        "colorschememapping",
                                        "wgrffmtfilter",
                                        "listtext",
                                        "pntext",
                                        "pntxta",
                                        "pntxtb",
                                        NULL};
    size_t i;
    for (i = 0; dests[i]; i++)
        if (!strcmp(w, dests[i]))
            return 1;
    return 0;
}

typedef struct group {
    int skip; /* text in this group is not body text */
    int info; /* inside {\info} */
    int date; /* 0, 1 creatim, 2 revtim */
    int uc;   /* fallback characters after \uN */
} group;

typedef struct rtf_date {
    int yr, mo, dy, hr, min;
} rtf_date;

static int add_rtf_date(spoor_doc *doc, const char *field, const rtf_date *t)
{
    char iso[32];
    if (t->yr < 1000 || t->yr > 9999 || t->mo < 1 || t->mo > 12 || t->dy < 1 ||
        t->dy > 31)
        return 0;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:00", t->yr, t->mo,
             t->dy, t->hr % 24, t->min % 60);
    return spoor_doc__add_date(doc, field, iso, "RTF info group");
}

static int extract_rtf(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    group stack[MAX_RTF_DEPTH];
    rtf_date dates[3];
    int depth = 0, pending_skip = 0, error = 0, too_deep = 0;
    size_t i = 0, skip_chars = 0;

    (void)lim;
    memset(dates, 0, sizeof(dates));
    memset(stack, 0, sizeof(stack));
    stack[0].uc = 1;
    doc->has_text = 1;
    while (i < len && error == 0) {
        unsigned char c = d[i];
        group *g = &stack[depth];
        if (too_deep) { /* skip a group nested past the bound */
            if (c == '{')
                too_deep++;
            else if (c == '}')
                too_deep--;
            else if (c == '\\')
                i++;
            i++;
            continue;
        }
        if (c == '{') {
            if (depth + 1 >= MAX_RTF_DEPTH) {
                too_deep = 1;
            } else {
                stack[depth + 1] = *g;
                stack[depth + 1].date = 0;
                depth++;
            }
            i++;
            skip_chars = 0;
            continue;
        }
        if (c == '}') {
            if (g->date && g->info)
                error = add_rtf_date(doc, g->date == 1 ? "created" : "modified",
                                     &dates[g->date]);
            if (depth > 0)
                depth--;
            i++;
            continue;
        }
        if (c == '\r' || c == '\n') {
            i++;
            continue;
        }
        if (c != '\\') {
            if (skip_chars) {
                skip_chars--;
            } else if (!g->skip) {
                uint32_t cp = c;
                cp = spoor_text__cp1252((unsigned char)cp);
                error = put_cp(&doc->text, cp);
            }
            i++;
            continue;
        }
        /* a control symbol or word */
        if (++i >= len)
            break;
        c = d[i];
        if (c == '\'' && i + 2 < len) {
            char hex[3] = {(char)d[i + 1], (char)d[i + 2], 0};
            uint32_t cp = (uint32_t)strtoul(hex, NULL, 16);
            i += 3;
            if (skip_chars) {
                skip_chars--;
                continue;
            }
            cp = spoor_text__cp1252((unsigned char)cp);
            if (!g->skip)
                error = put_cp(&doc->text, cp);
            continue;
        }
        if (c == '*') {
            pending_skip = 1;
            g->skip = 1;
            i++;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            /* control symbol */
            if (!g->skip && !skip_chars) {
                if (c == '{' || c == '}' || c == '\\')
                    error = put_cp(&doc->text, c);
                else if (c == '~')
                    error = put_cp(&doc->text, 0xA0);
                else if (c == '_')
                    error = put_cp(&doc->text, '-');
                else if (c == '\n' || c == '\r')
                    error = put_cp(&doc->text, '\n');
            }
            i++;
            continue;
        }
        {
            char word[32];
            size_t w = 0;
            long param = 0;
            int has_param = 0, neg = 0;
            while (i < len && ((d[i] >= 'a' && d[i] <= 'z') ||
                               (d[i] >= 'A' && d[i] <= 'Z'))) {
                if (w + 1 < sizeof(word))
                    word[w++] = (char)d[i];
                i++;
            }
            word[w] = '\0';
            if (i < len && d[i] == '-') {
                neg = 1;
                i++;
            }
            while (i < len && d[i] >= '0' && d[i] <= '9') {
                if (param < 100000000)
                    param = param * 10 + (d[i] - '0');
                has_param = 1;
                i++;
            }
            if (neg)
                param = -param;
            if (i < len && d[i] == ' ')
                i++;
            (void)pending_skip;
            pending_skip = 0;
            if (is_skipped_dest(word)) {
                g->skip = 1;
            } else if (!strcmp(word, "info")) {
                g->info = 1;
                g->skip = 1;
            } else if (g->info && !strcmp(word, "creatim")) {
                g->date = 1;
            } else if (g->info && !strcmp(word, "revtim")) {
                g->date = 2;
            } else if (g->date && has_param) {
                rtf_date *t = &dates[g->date];
                if (!strcmp(word, "yr"))
                    t->yr = (int)param;
                else if (!strcmp(word, "mo"))
                    t->mo = (int)param;
                else if (!strcmp(word, "dy"))
                    t->dy = (int)param;
                else if (!strcmp(word, "hr"))
                    t->hr = (int)param;
                else if (!strcmp(word, "min"))
                    t->min = (int)param;
            } else if (!strcmp(word, "uc") && has_param) {
                g->uc = (int)(param < 0 ? 0 : param > 10 ? 10 : param);
            } else if (!strcmp(word, "u") && has_param) {
                long cp = param < 0 ? param + 65536 : param;
                if (!g->skip && !skip_chars)
                    error = put_cp(&doc->text, (uint32_t)cp);
                skip_chars = (size_t)g->uc;
            } else if (g->skip || skip_chars) {
                if (skip_chars)
                    skip_chars--;
            } else if (!strcmp(word, "par") || !strcmp(word, "line") ||
                       !strcmp(word, "row") || !strcmp(word, "sect") ||
                       !strcmp(word, "page")) {
                error = spoor_buf_puts(&doc->text, "\n");
            } else if (!strcmp(word, "tab") || !strcmp(word, "cell")) {
                error = spoor_buf_puts(&doc->text, "\t");
            } else if (!strcmp(word, "emdash")) {
                error = put_cp(&doc->text, 0x2014);
            } else if (!strcmp(word, "endash")) {
                error = put_cp(&doc->text, 0x2013);
            } else if (!strcmp(word, "lquote")) {
                error = put_cp(&doc->text, 0x2018);
            } else if (!strcmp(word, "rquote")) {
                error = put_cp(&doc->text, 0x2019);
            } else if (!strcmp(word, "ldblquote")) {
                error = put_cp(&doc->text, 0x201C);
            } else if (!strcmp(word, "rdblquote")) {
                error = put_cp(&doc->text, 0x201D);
            } else if (!strcmp(word, "bullet")) {
                error = put_cp(&doc->text, 0x2022);
            }
        }
    }
    return error;
}

const spoor_extractor spoor_ex_rtf = {"rtf", extract_rtf, NULL};
