/* vcd.h - builds a small Video CD image (BIN/CUE) with ffmpeg and
 * vcdimager, for tests that want real Mode 2 Form 1 / Form 2 sectors
 * written by an independent encoder.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: vcdimager (vcdxgen, vcdxbuild); docs/formats/cd.md.
 */
#ifndef VCD_H
#define VCD_H

#include <stddef.h>

/* Makes a 1-second NTSC MPEG-1 clip (vcd.mpg), its VCD 2.0 description
 * (vcd.xml) and a raw 2352-byte-sector image vcd.bin + vcd.cue in the
 * current directory (tool output goes to vcd.log).  The image is
 * reproducible: fixed bit-exact encoder and a fixed creation date.
 * Returns 0 with the absolute paths of the BIN and CUE in bin/cue,
 * -1 if ffmpeg, vcdxgen or vcdxbuild is not installed (callers SKIP),
 * -2 if a tool failed or a path did not fit (see vcd.log). */
int vcd_build(char *bin, size_t binlen, char *cue, size_t cuelen);

#endif /* VCD_H */
