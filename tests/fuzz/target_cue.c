/* target_cue.c - CUE sheets with their FILE companions (BINARY a.bin
 * and b.bin, WAVE c.wav, CDTEXTFILE d.cdt).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

FUZZ_TARGET(cue)
{
    static const struct fuzz_file files[] = {
        { "f.cue", FUZZ_NONE, 0 },       { "a.bin", FUZZ_SECTORS, 2352 },
        { "b.bin", FUZZ_SECTORS, 2048 }, { "c.wav", FUZZ_WAVE, 0 },
        { "d.cdt", FUZZ_NONE, 0 },
    };

    if (fuzz_write_set(data, size, files, 5) == 0)
        (void)fuzz_open_walk(fuzz_path("f.cue"));
    return 0;
}
