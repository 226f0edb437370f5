/* target_mds.c - Alcohol 120%: f.mds with f.mdf (2448-byte sectors:
 * main channel and interleaved subchannel).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

FUZZ_TARGET(mds)
{
    static const struct fuzz_file files[] = {
        { "f.mds", FUZZ_NONE, 0 },
        { "f.mdf", FUZZ_SECTORS, 2448 },
    };

    if (fuzz_write_set(data, size, files, 2) == 0)
        (void)fuzz_open_walk(fuzz_path("f.mds"));
    return 0;
}
