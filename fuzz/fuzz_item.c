/* fuzz_item: the whole per-item pipeline as add and check run it: content
 * detection, extraction, children (recursively, through the walker),
 * normalisation and fingerprinting, on arbitrary bytes. */
#include "fuzz_common.h"

static int on_item(const spoor_item *item, void *payload)
{
    size_t i;
    (void)payload;
    for (i = 0; i < item->canon.len; i++)
        if (item->canon.end[i] > item->doc.text.size)
            abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spoor_walk_opts opts;
    spoor_walk_opts_init(&opts);
    fuzz_limits(&opts.limits);
    opts.limits.max_depth = 4;
    spoor_walk_buffer("fuzz", data, size, &opts, on_item, NULL, NULL);
    return 0;
}
