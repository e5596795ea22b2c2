/*
 * normalise.c: canonical text with a monotone offset map (see
 * spoor/normalise.h for the definition).
 *
 * Each text character is mapped on its own: ASCII through a 128-entry table
 * (the fast path), anything else through utf8proc (compatibility
 * decomposition + case fold + mark stripping, then recomposition so that
 * Hangul syllables stay whole), keeping only letters and digits. Mapping
 * characters one at a time equals NFKC_Casefold of the whole string once
 * combining marks are stripped, because marks are the only characters that
 * compose across character boundaries.
 *
 * Numbers keep their value: a '.' between two digits is a canonical
 * character, and the trailing zeros of a decimal fraction are dropped (see
 * number_point), so a value matches however many decimals it is shown
 * with, and 14.00 never matches 1.4.
 *
 * Invariants: start[i] < end[i]; start and end are non-decreasing; every
 * canonical character is a letter or digit (Unicode L* or N*), or a '.'
 * between two digits.
 */
#include <string.h>

#include <utf8proc.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX512_PATH 1
#endif

#include <spoor/normalise.h>

#include "../common/internal.h"
#include "normalise_int.h"

/* ASCII: 0 = drop, else the canonical character. */
static const unsigned char ascii_map[128] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
    ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
    ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
    ['z'] = 'z', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd',
    ['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i',
    ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
    ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's',
    ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z',
};

#define MAP_MAX 32 /* longest NFKC_Casefold expansion is 18 code points */

static int keep_category(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* Canonical characters of one non-ASCII code point; returns their count. */
static size_t map_codepoint(utf8proc_int32_t cp, uint32_t *out)
{
    utf8proc_int32_t buf[MAP_MAX];
    int boundclass = 0;
    utf8proc_ssize_t n, i;
    size_t k = 0;

    n = utf8proc_decompose_char(cp, buf, MAP_MAX,
                                UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                    UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
                                &boundclass);
    if (n <= 0 || n > MAP_MAX)
        return 0;
    if (n > 1) {
        n = utf8proc_normalize_utf32(buf, n,
                                     UTF8PROC_COMPOSE | UTF8PROC_STABLE);
        if (n <= 0)
            return 0;
    }
    for (i = 0; i < n; i++)
        if (keep_category(buf[i]))
            out[k++] = (uint32_t)buf[i];
    return k;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* What a '.' is in the text (see point_kind). */
typedef enum point_kind {
    POINT_DROP,   /* punctuation: not between two digits */
    POINT_KEEP,   /* between digits, not one decimal point ("1.0.4",
                     "1.000.000", "12.03.2014"): a canonical character */
    POINT_DECIMAL /* the one decimal point of a number */
} point_kind;

/*
 * The number rule: what the '.' at s[i] is. A decimal point is the one
 * point of a number token (digits with ',' thousands separators, one '.',
 * digits); then *frac_end is the end of its fraction and *zeros the number
 * of trailing zeros of the fraction, which normalisation drops, with the
 * point itself when nothing of the fraction is left. So "1,234.50",
 * "1234.5" and "1234.500" share canonical text (a spreadsheet's CSV export
 * and its cells), while the point stays between other digits: "14.00" is
 * "14", "1.4" is "1.4" and "140" is "140", and "1.0.4" (two points, kept
 * as they are) differs from "1.04". The rule looks at digits, ',' and '.'
 * only, so it stops at a letter in both directions.
 */
static point_kind number_point(const unsigned char *s, size_t len, size_t i,
                               size_t *frac_end, size_t *zeros)
{
    size_t j, k, group;
    *zeros = 0;
    if (i == 0 || i + 1 >= len || !is_digit(s[i - 1]) || !is_digit(s[i + 1]))
        return POINT_DROP;
    /* integer part: digits, with ',' only as a thousands separator (a
     * comma followed by exactly three digits); any other comma separates
     * fields, as in CSV */
    k = i;
    for (;;) {
        for (group = 0; k > 0 && is_digit(s[k - 1]); k--)
            group++;
        if (k >= 2 && s[k - 1] == ',' && group == 3 && is_digit(s[k - 2]))
            k--;
        else
            break;
    }
    if (k >= 2 && s[k - 1] == '.' && is_digit(s[k - 2]))
        return POINT_KEEP; /* a second point: "1.000.000", a version */
    for (j = i + 1; j < len && is_digit(s[j]); j++)
        ;
    if (j + 1 < len && s[j] == '.' && is_digit(s[j + 1]))
        return POINT_KEEP;
    for (k = j; k > i + 1 && s[k - 1] == '0'; k--)
        (*zeros)++;
    *frac_end = j;
    return POINT_DECIMAL;
}

/* Room for need entries in c's arrays: chars, and start and end when c
 * keeps offsets (c->start != NULL). */
static int reserve(spoor_canon *c, size_t need)
{
    size_t ncap;
    void *p;

    if (need <= c->cap)
        return 0;
    ncap = c->cap ? c->cap : 256;
    while (ncap < need)
        ncap *= 2;
    if (!(p = spoor__reallocarray(c->chars, ncap, sizeof(uint32_t))))
        return spoor__error_oom();
    c->chars = p;
    if (c->start) {
        if (!(p = spoor__reallocarray(c->start, ncap, sizeof(uint32_t))))
            return spoor__error_oom();
        c->start = p;
        if (!(p = spoor__reallocarray(c->end, ncap, sizeof(uint32_t))))
            return spoor__error_oom();
        c->end = p;
    }
    c->cap = ncap;
    return 0;
}

/* Give c offset arrays of c->cap entries (offsets) or take them away
 * (!offsets); start and end exist together or not at all. */
static int set_offsets(spoor_canon *c, int offsets)
{
    size_t n = c->cap ? c->cap : 1;
    if (offsets && c->start)
        return 0;
    spoor__free(c->start);
    spoor__free(c->end);
    c->start = c->end = NULL;
    if (!offsets)
        return 0;
    c->start = spoor__reallocarray(NULL, n, sizeof(uint32_t));
    c->end = spoor__reallocarray(NULL, n, sizeof(uint32_t));
    if (c->start && c->end)
        return 0;
    spoor__free(c->start);
    spoor__free(c->end);
    c->start = c->end = NULL;
    return spoor__error_oom();
}

/* The fast path of normalise: a run of ASCII other than '.' from s[*i],
 * one canonical character per letter or digit, written without branches
 * (the caller made room for one per byte). Without offsets (st == NULL)
 * only the characters are written. */
static inline size_t ascii_run(const unsigned char *s, size_t len, size_t *pi,
                               size_t n, uint32_t *ch, uint32_t *st,
                               uint32_t *en)
{
    size_t i = *pi;
    unsigned char b;
    if (st) {
        while (i < len && (b = s[i]) < 0x80 && b != '.') {
            unsigned char mch = ascii_map[b];
            ch[n] = mch;
            st[n] = (uint32_t)i;
            en[n] = (uint32_t)i + 1;
            n += mch != 0;
            i++;
        }
    } else {
        while (i < len && (b = s[i]) < 0x80 && b != '.') {
            unsigned char mch = ascii_map[b];
            ch[n] = mch;
            n += mch != 0;
            i++;
        }
    }
    *pi = i;
    return n;
}

#ifdef HAVE_AVX512_PATH
/*
 * ascii_run with AVX-512 (F and BW), 64 bytes at a time: letters and digits
 * are classified with two compares, upper case is folded by setting bit 5,
 * and the kept bytes of each 16 are widened to code points and packed with
 * a register compress (the memory form is slow on some cores). Stops at the
 * first byte that is not ASCII or is a '.', or when fewer than 64 bytes are
 * left; the caller's scalar ascii_run goes on from there. Each store writes
 * 16 entries at out[n], within the room of one per byte the caller made.
 */
__attribute__((target("avx512f,avx512bw"))) static size_t
ascii_run_avx512(const unsigned char *s, size_t len, size_t *pi, size_t n,
                 uint32_t *ch, uint32_t *st, uint32_t *en)
{
    const __m512i dot = _mm512_set1_epi8('.'), lo_a = _mm512_set1_epi8('a'),
                  zero = _mm512_set1_epi8('0'), n26 = _mm512_set1_epi8(26),
                  n10 = _mm512_set1_epi8(10), bit5 = _mm512_set1_epi8(0x20),
                  one = _mm512_set1_epi32(1),
                  iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                           12, 13, 14, 15);
    size_t i = *pi;

    while (i + 64 <= len) {
        __m512i v = _mm512_loadu_si512((const void *)(s + i));
        __m512i low = _mm512_or_si512(v, bit5);
        __mmask64 stop =
            _mm512_movepi8_mask(v) | _mm512_cmpeq_epi8_mask(v, dot);
        __mmask64 letter =
            _mm512_cmplt_epu8_mask(_mm512_sub_epi8(low, lo_a), n26);
        __mmask64 keep =
            letter | _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, zero), n10);
        __m512i canon = _mm512_mask_blend_epi8(letter, v, low);
        size_t take = 64;
        unsigned g;

        if (stop) {
            take = (size_t)__builtin_ctzll(stop);
            keep &= take ? ~0ULL >> (64 - take) : 0;
        }
        for (g = 0; g < 4; g++) {
            __mmask16 m = (__mmask16)(keep >> (16 * g));
            __m128i b16;
            switch (g) { /* the lane index must be a constant */
            case 0:
                b16 = _mm512_extracti32x4_epi32(canon, 0);
                break;
            case 1:
                b16 = _mm512_extracti32x4_epi32(canon, 1);
                break;
            case 2:
                b16 = _mm512_extracti32x4_epi32(canon, 2);
                break;
            default:
                b16 = _mm512_extracti32x4_epi32(canon, 3);
                break;
            }
            _mm512_storeu_si512(
                (void *)(ch + n),
                _mm512_maskz_compress_epi32(m, _mm512_cvtepu8_epi32(b16)));
            if (st) {
                __m512i pos = _mm512_add_epi32(
                    _mm512_set1_epi32((int)(i + 16 * g)), iota);
                _mm512_storeu_si512((void *)(st + n),
                                    _mm512_maskz_compress_epi32(m, pos));
                _mm512_storeu_si512(
                    (void *)(en + n),
                    _mm512_maskz_compress_epi32(m, _mm512_add_epi32(pos, one)));
            }
            n += (size_t)__builtin_popcount(m);
        }
        i += take;
        if (stop)
            break;
    }
    *pi = i;
    return n;
}
#endif

/* Whether the wide ASCII path runs (AVX-512BW). */
static spoor_wide_switch wide_sw = SPOOR_WIDE_SWITCH("avx512bw");

int spoor_normalise__wide(int enable)
{
    return spoor__wide_switch(&wide_sw, enable);
}

/* Append canonical character m of text bytes [a, b) at out[n]. */
static inline void put_char(spoor_canon *out, size_t n, uint32_t m, size_t a,
                            size_t b)
{
    out->chars[n] = m;
    if (out->start) {
        out->start[n] = (uint32_t)a;
        out->end[n] = (uint32_t)b;
    }
}

/* Normalise text into out after its first `at` characters, which stay
 * (at is 0 with offsets). */
static int normalise(spoor_canon *out, const char *text, size_t len,
                     int offsets, size_t at)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t mapped[MAP_MAX];
    size_t i = 0, n = at;
    int error, wide = spoor_normalise__wide(-1);

    out->len = 0;
    if ((error = set_offsets(out, offsets)) < 0)
        return error;
    if (len > UINT32_MAX)
        return spoor__error_set(SPOOR_ELIMIT,
                                "text of %zu bytes exceeds the 4 GiB offset "
                                "range (MAX_TEXT_BYTES)",
                                len);
    /* Letters are the common case: one canonical char per input byte. */
    if ((error = reserve(out, at + len + 64)) < 0)
        goto fail;
    while (i < len) {
        unsigned char b;
        /* fast path: a run of ASCII other than '.', with room for one
         * canonical character per byte, written without branches */
        if (out->cap - n >= len - i) {
#ifdef HAVE_AVX512_PATH
            if (wide)
                n = ascii_run_avx512(s, len, &i, n, out->chars, out->start,
                                     out->end);
#endif
            n = ascii_run(s, len, &i, n, out->chars, out->start, out->end);
            if (i >= len)
                break;
        }
        b = s[i];
        if (b == '.') {
            size_t frac_end = 0, zeros = 0, k;
            point_kind pk = number_point(s, len, i, &frac_end, &zeros);
            if (pk == POINT_KEEP) {
                if (n + 1 > out->cap && (error = reserve(out, n + 1)) < 0)
                    goto fail;
                put_char(out, n++, '.', i, i + 1);
                i++;
                continue;
            }
            if (pk == POINT_DECIMAL) {
                /* the point and the fraction without its trailing zeros;
                 * neither when only zeros follow the point */
                if (n + frac_end - i > out->cap &&
                    (error = reserve(out, n + frac_end - i)) < 0)
                    goto fail;
                if (frac_end - zeros > i + 1)
                    put_char(out, n++, '.', i, i + 1);
                for (k = i + 1; k < frac_end - zeros; k++)
                    put_char(out, n++, s[k], k, k + 1);
                i = frac_end;
                continue;
            }
        }
        if (b < 0x80) {
            unsigned char m = ascii_map[b];
            if (m) {
                if (n + 1 > out->cap && (error = reserve(out, n + 1)) < 0)
                    goto fail;
                put_char(out, n++, m, i, i + 1);
            }
            i++;
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t step =
                utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
            size_t k, j;
            if (step <= 0) { /* invalid UTF-8: drop one byte */
                i++;
                continue;
            }
            k = map_codepoint(cp, mapped);
            if (k) {
                if (n + k > out->cap && (error = reserve(out, n + k)) < 0)
                    goto fail;
                for (j = 0; j < k; j++)
                    put_char(out, n++, mapped[j], i, i + (size_t)step);
            }
            i += (size_t)step;
        }
    }
    out->len = n;
    return 0;
fail:
    out->len = 0;
    return error;
}

int spoor_normalise(spoor_canon *out, const char *text, size_t len)
{
    return normalise(out, text, len, 1, 0);
}

int spoor_normalise__chars(spoor_canon *out, const char *text, size_t len)
{
    return normalise(out, text, len, 0, 0);
}

int spoor_normalise__chars_after(spoor_canon *out, size_t at, const char *text,
                                 size_t len)
{
    if (at > out->len)
        return spoor__error_set(SPOOR_EINVALID,
                                "keeping %zu of %zu canonical characters", at,
                                out->len);
    return normalise(out, text, len, 0, at);
}

/* Counting steps of a stretch: text bytes per normalise__chars call. */
#define STRETCH_STEP 4096

/* The first mark at or after byte i: an ASCII letter, or len. A letter is
 * never inside a multibyte character, and the number rule stops at it in
 * both directions, so normalisation from it agrees with the whole text. */
static inline int is_ascii_letter(unsigned char b)
{
    return (unsigned)((b | 0x20) - 'a') < 26u;
}

size_t spoor_normalise__stretch_end(const char *text, size_t len, size_t from,
                                    size_t bytes)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = bytes < len - from ? from + bytes : len;
    while (i < len && !is_ascii_letter(s[i]))
        i++;
    return i;
}

int spoor_normalise__stretch(spoor_canon *out, spoor_canon *scratch,
                             const char *text, size_t len,
                             spoor_canon_mark *mark, size_t from, size_t to,
                             size_t *base)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t b = mark->byte, c = mark->canon, e, span, i, j;
    int error;

    if (len > UINT32_MAX)
        return spoor__error_set(SPOOR_ELIMIT,
                                "text of %zu bytes exceeds the 4 GiB offset "
                                "range (MAX_TEXT_BYTES)",
                                len);
    /* count forward in steps to the last step mark at most from */
    while (b < len) {
        e = spoor_normalise__stretch_end(text, len, b, STRETCH_STEP);
        if ((error = spoor_normalise__chars(scratch, text + b, e - b)) < 0)
            return error;
        if (c + scratch->len > from || e >= len)
            break;
        b = e;
        c += scratch->len;
    }
    /* normalise from b with offsets until the stretch reaches to; a text
     * denser in bytes per character than guessed takes a longer try */
    span = (to > c ? to - c : 0) + (to > c ? (to - c) / 4 : 0) + STRETCH_STEP;
    for (;;) {
        e = spoor_normalise__stretch_end(text, len, b, span);
        if ((error = spoor_normalise(out, text + b, e - b)) < 0)
            return error;
        if (c + out->len >= to || e >= len)
            break;
        span *= 2;
    }
    for (i = 0; i < out->len; i++) {
        out->start[i] += (uint32_t)b;
        out->end[i] += (uint32_t)b;
    }
    *base = c;
    /* the next stretch may start at the last letter at most to */
    j = to - c < out->len ? to - c : out->len;
    while (j > 0) {
        j--;
        if (is_ascii_letter(s[out->start[j]])) { /* its one character */
            mark->byte = out->start[j];
            mark->canon = c + j;
            return 0;
        }
    }
    mark->byte = b;
    mark->canon = c;
    return 0;
}

void spoor_canon_dispose(spoor_canon *c)
{
    if (!c)
        return;
    spoor__free(c->chars);
    spoor__free(c->start);
    spoor__free(c->end);
    memset(c, 0, sizeof(*c));
}

int spoor_canon_to_utf8(spoor_buf *out, const spoor_canon *c, size_t from,
                        size_t to)
{
    size_t i;
    int error;

    if (to > c->len)
        to = c->len;
    for (i = from; i < to; i++) {
        utf8proc_uint8_t u[4];
        utf8proc_ssize_t n =
            utf8proc_encode_char((utf8proc_int32_t)c->chars[i], u);
        if ((error = spoor_buf_put(out, u, (size_t)n)) < 0)
            return error;
    }
    return 0;
}

int spoor_text_marks__push(spoor_text_marks *m, size_t byte, size_t canon)
{
    int error;
    if ((error = spoor__array_reserve((void **)&m->v, &m->cap, m->n + 1,
                                      sizeof(*m->v))) < 0)
        return error;
    m->v[m->n].byte = byte;
    m->v[m->n].canon = canon;
    m->n++;
    return 0;
}

spoor_canon_mark spoor_text_marks__at(const spoor_text_marks *m, size_t c)
{
    spoor_canon_mark none = {0, 0};
    size_t lo = 0, hi = m ? m->n : 0;
    while (lo < hi) { /* the first mark past c */
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid].canon <= c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? m->v[lo - 1] : none;
}

void spoor_text_marks__dispose(spoor_text_marks *m)
{
    if (!m)
        return;
    spoor__free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}
