/* fuzz_segment: the postings segment reader on an arbitrary file: a damaged
 * or hostile segment is refused when mapped (sizes, offsets and the
 * directory are validated), and lookups in one that is accepted, through
 * the map or with pread, stay inside it. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/spoor-fuzz-seg-XXXXXX";
    static int made;
    char path[128];
    FILE *f;
    spoor_segment seg;
    if (!made && !mkdtemp(dir))
        return 0;
    made = 1;
    snprintf(path, sizeof(path), "%s/s.spx", dir);
    if (!(f = fopen(path, "wb")))
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (spoor_segment__open(&seg, dir, "s.spx") == 0) {
        uint64_t probes[3] = {0, UINT64_MAX, 0x8000000000000000ULL};
        spoor_seg_cursor c;
        spoor_seg_entry e;
        size_t i, n = 0;
        int r;
        /* a full scan ends, within the segment's bounds */
        spoor_segment__scan(&seg, &c);
        while ((r = spoor_segment__next(&c, &e)) > 0) {
            if (n++ == 0)
                probes[0] = e.hash;
            if (n > seg.data_size)
                abort(); /* every posting costs at least one byte */
        }
        for (i = 0; i < 6; i++) { /* through the map, then with pread */
            spoor_segment__lookup_mode =
                i < 3 ? SPOOR_SEG_LOOKUP_MAP : SPOOR_SEG_LOOKUP_PREAD;
            spoor_segment__seek(&seg, probes[i % 3], &c);
            while ((r = spoor_segment__next(&c, &e)) > 0)
                if (SPOOR_SEG_KEY(e.hash) != SPOOR_SEG_KEY(probes[i % 3]))
                    abort();
        }
        spoor_segment__close(&seg);
    }
    unlink(path);
    return 0;
}
