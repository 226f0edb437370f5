/* cue.c - CUE sheet with BIN files (CDRWin, EAC, redump).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * (stub: being implemented)
 */
#include "disc_format.h"

const struct disc_format disc_fmt_cue = {
    .name = "cue",
    .description = "CUE sheet with BIN files (CDRWin, EAC, redump)",
    .extensions = "cue",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA,
};
