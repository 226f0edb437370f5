/* target_ccd.c - CloneCD: f.ccd with f.img (2352-byte sectors) and f.sub
 * (96 bytes per sector).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

FUZZ_TARGET(ccd)
{
    static const struct fuzz_file files[] = {
        { "f.ccd", FUZZ_NONE, 0 },
        { "f.img", FUZZ_SECTORS, 2352 },
        { "f.sub", FUZZ_SECTORS, 96 },
    };

    if (fuzz_write_set(data, size, files, 3) == 0)
        (void)fuzz_open_walk(fuzz_path("f.ccd"));
    return 0;
}
