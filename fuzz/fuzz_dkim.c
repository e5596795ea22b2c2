/* fuzz_dkim: DKIM verification of arbitrary bytes parsed as an email, with
 * an archived key for the selector the seeds use: signature parsing,
 * header and body canonicalisation and the result mapping never crash. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static spoor_dkim *d;
    spoor_item item;
    spoor_dkim_sig *sigs = NULL;
    size_t n = 0;
    if (!d) {
        spoor_dkim_opts o = SPOOR_DKIM_OPTS_INIT;
        if (spoor_dkim_new(&d, &o) < 0)
            abort();
        spoor_dkim_add_key(
            d, "sel._domainkey.studio.example",
            "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDa6Fik"
            "7GqwSfLhNLGy2oVM",
            "fuzz", NULL, "2015-01-01");
    }
    memset(&item, 0, sizeof(item));
    item.data = data;
    item.bytes = size;
    item.doc.format = "eml";
    spoor_dkim_verify(&sigs, &n, d, &item);
    spoor_dkim_sigs_free(sigs, n);
    return 0;
}
