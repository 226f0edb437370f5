/* target_dat.c - Logiqx XML DATs (redump.org): parsed and matched
 * against a fixed set of track digests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuzz.h"
#include "verify.h"

FUZZ_TARGET(dat)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    struct disc_dat *dat = NULL;
    struct disc_digest t[3];
    struct disc_dat_match m;
    int i;

    if (fuzz_write("f.dat", data, size) != 0)
        return 0;
    memset(t, 0, sizeof t);
    for (i = 0; i < 3; i++) {
        t[i].size = 2352 * (i + 1);
        t[i].crc32 = 0x12345678u + (uint32_t)i;
    }
    if (disc_dat_load(&ctx, fuzz_path("f.dat"), &dat) == 0)
        disc_dat_match(dat, t, 3, &m);
    disc_dat_free(dat);
    return 0;
}
