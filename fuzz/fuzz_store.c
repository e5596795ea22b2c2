/* fuzz_store: the catalogue reader on an arbitrary file: a damaged or
 * hostile index (as a copied evidence folder might be) is refused or read,
 * never crashes. The bytes go to a private temporary index folder. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "store/store_int.h"

static int on_collection(const spoor_collection_info *c, void *payload)
{
    (void)c;
    (void)payload;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/spoor-fuzz-store-XXXXXX";
    static int made;
    char path[128];
    FILE *f;
    spoor_store *s = NULL;
    if (!made && !mkdtemp(dir))
        return 0;
    made = 1;
    snprintf(path, sizeof(path), "%s/catalogue.sqlite", dir);
    if (!(f = fopen(path, "wb")))
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (spoor_store_open(&s, dir, SPOOR_STORE_READONLY) == 0) {
        spoor_stats st;
        spoor_record *r = NULL;
        spoor_buf b = SPOOR_BUF_INIT;
        int64_t id;
        spoor_store_stats(&st, s);
        spoor_store_collections(s, on_collection, NULL);
        for (id = 1; id < 4; id++) {
            if (spoor_store_record(&r, s, id) == 0) {
                spoor_stored_text t; /* a text stored in parts, read so */
                if (spoor_store__text_open(s, id, (size_t)r->text_bytes,
                                           (size_t)r->canon_len, &t) == 0 &&
                    t.toc.n)
                    spoor_store__text_parts(s, &t, 0, t.toc.n, &b);
                spoor_store__text_close(&t);
                spoor_record_free(r);
            }
            spoor_store_text(&b, s, id);
        }
        spoor_store_resolve(&id, s, "1");
        spoor_buf_dispose(&b);
        spoor_store_free(s);
    }
    unlink(path);
    return 0;
}
