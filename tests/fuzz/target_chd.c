/* target_chd.c - MAME CHD v5: one self-contained f.chd (header, hunk
 * map, metadata, compressed hunks).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

FUZZ_TARGET(chd)
{
    static const struct fuzz_file files[] = {
        { "f.chd", FUZZ_NONE, 0 },
    };

    if (fuzz_write_set(data, size, files, 1) == 0)
        (void)fuzz_open_walk(fuzz_path("f.chd"));
    return 0;
}
