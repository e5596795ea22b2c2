/* fuzz_image: the image extractor (Leptonica and Tesseract, in a child
 * process) on arbitrary bytes; checks that it returns (never crashes or
 * hangs), that its text is valid UTF-8 and that the canonical offset map
 * of that text is monotone (fuzz_common.h). */
#include "fuzz_common.h"

SPOOR_FUZZ_EXTRACTOR(image)
