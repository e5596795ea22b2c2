/* fuzz_normalise: normalisation and winnowing of arbitrary bytes taken as
 * text: the offset map is monotone, inside the text, and each canonical
 * character's source range normalises to a run holding that character. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spoor_canon c = SPOOR_CANON_INIT, sub = SPOOR_CANON_INIT;
    size_t i, j;
    fuzz_check_text((const char *)data, size);
    if (size > 4096)
        return 0;
    if (spoor_normalise(&c, (const char *)data, size) == 0)
        for (i = 0; i < c.len; i++) {
            int found = 0;
            if (spoor_normalise(&sub, (const char *)data + c.start[i],
                                c.end[i] - c.start[i]) != 0)
                abort();
            for (j = 0; j < sub.len; j++)
                found |= sub.chars[j] == c.chars[i];
            /* a decimal point's dropped zeros can change a lone digit's
             * neighbourhood, never the digit itself */
            if (!found)
                abort();
        }
    spoor_canon_dispose(&c);
    spoor_canon_dispose(&sub);
    return 0;
}
