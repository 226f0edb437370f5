/* ccd.c - CloneCD control file with IMG and SUB.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * (stub: being implemented)
 */
#include "disc_format.h"

const struct disc_format disc_fmt_ccd = {
    .name = "ccd",
    .description = "CloneCD control file with IMG and SUB",
    .extensions = "ccd",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA,
};
