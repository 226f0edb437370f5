/* vcd.c - builds a small Video CD image with ffmpeg and vcdimager.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: vcdimager (vcdxgen, vcdxbuild); docs/formats/cd.md.
 */
#include <stdio.h>
#include <unistd.h>

#include "test.h"
#include "vcd.h"

int
vcd_build(char *bin, size_t binlen, char *cue, size_t cuelen)
{
    char cwd[4096];
    int n;

    if (!t_have("ffmpeg") || !t_have("vcdxgen") || !t_have("vcdxbuild"))
        return -1;
    if (!getcwd(cwd, sizeof cwd))
        return -2;
    if (t_run(NULL, 0,
              "ffmpeg -nostdin -hide_banner -loglevel error -y "
              "-f lavfi -i testsrc=duration=1:size=352x240:rate=30000/1001 "
              "-f lavfi -i sine=duration=1:sample_rate=44100 "
              "-target ntsc-vcd -fflags +bitexact vcd.mpg >vcd.log 2>&1") != 0)
        return -2;
    if (t_run(NULL, 0,
              "vcdxgen -q -t vcd2 -o vcd.xml vcd.mpg >>vcd.log 2>&1") != 0)
        return -2;
    if (t_run(NULL, 0,
              "vcdxbuild -q -T '2000-01-01 00:00:00' --cue-file=vcd.cue "
              "--bin-file=vcd.bin vcd.xml >>vcd.log 2>&1") != 0)
        return -2;
    if (!t_exists("vcd.bin") || !t_exists("vcd.cue"))
        return -2;
    n = snprintf(bin, binlen, "%s/vcd.bin", cwd);
    if (n < 0 || (size_t)n >= binlen)
        return -2;
    n = snprintf(cue, cuelen, "%s/vcd.cue", cwd);
    if (n < 0 || (size_t)n >= cuelen)
        return -2;
    return 0;
}
