/* target_audio.c - the audio file of a CUE sheet's FILE line (WAVE,
 * AIFF, FLAC or anything else libsndfile might take): the input is
 * c.wav under a fixed two-track sheet.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuzz.h"

FUZZ_TARGET(audio)
{
    static const char sheet[] = "FILE \"c.wav\" WAVE\n"
                                "  TRACK 01 AUDIO\n"
                                "    INDEX 01 00:00:00\n"
                                "  TRACK 02 AUDIO\n"
                                "    INDEX 00 00:00:05\n"
                                "    INDEX 01 00:00:10\n";

    if (fuzz_write("c.wav", data, size) == 0 &&
        fuzz_write("f.cue", sheet, strlen(sheet)) == 0)
        (void)fuzz_open_walk(fuzz_path("f.cue"));
    return 0;
}
