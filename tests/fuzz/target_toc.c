/* target_toc.c - cdrdao TOC files with their data files (a.bin, b.bin
 * raw or cooked sectors, c.wav audio).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

FUZZ_TARGET(toc)
{
    static const struct fuzz_file files[] = {
        { "f.toc", FUZZ_NONE, 0 },
        { "a.bin", FUZZ_SECTORS, 2352 },
        { "b.bin", FUZZ_SECTORS, 2048 },
        { "c.wav", FUZZ_WAVE, 0 },
    };

    if (fuzz_write_set(data, size, files, 4) == 0)
        (void)fuzz_open_walk(fuzz_path("f.toc"));
    return 0;
}
