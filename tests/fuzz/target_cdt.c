/* target_cdt.c - .cdt files (CD-TEXT as cdrecord and libburn write it)
 * through a fixed sheet's CDTEXTFILE line; the input is d.cdt.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuzz.h"

FUZZ_TARGET(cdt)
{
    static const char sheet[] = "CDTEXTFILE \"d.cdt\"\n"
                                "FILE \"c.wav\" WAVE\n"
                                "  TRACK 01 AUDIO\n"
                                "    INDEX 01 00:00:00\n"
                                "  TRACK 02 AUDIO\n"
                                "    INDEX 01 00:00:10\n";
    static const struct fuzz_file files[] = {
        { "d.cdt", FUZZ_NONE, 0 },
        { "c.wav", FUZZ_WAVE, 0 },
    };

    if (fuzz_write_set(data, size, files, 2) == 0 &&
        fuzz_write("f.cue", sheet, strlen(sheet)) == 0)
        (void)fuzz_open_walk(fuzz_path("f.cue"));
    return 0;
}
