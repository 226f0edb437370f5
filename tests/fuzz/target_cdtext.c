/* target_cdtext.c - raw CD-TEXT packs (as a drive or a CDTEXTFILE gives
 * them): framing, decoding, and encoding back what was decoded.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

FUZZ_TARGET(cdtext)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    struct disc *d = disc_new(&ctx);
    const uint8_t *packs = data;
    size_t len = size;

    if (!d)
        return 0;
    d->ntracks = DISC_MAX_TRACKS; /* any track number is in range */
    if (disc_cdtext_frame(&ctx, &packs, &len) == 0 &&
        disc_cdtext_decode(&ctx, d, packs, len) == 0) {
        uint8_t *out = NULL;
        size_t n = 0;
        if (disc_cdtext_encode(&ctx, d, &out, &n) == 0)
            disc_free_mem(out);
    }
    disc_free(d);
    return 0;
}
