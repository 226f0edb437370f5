/* mds.c - Alcohol 120% MDS descriptor with MDF data (v1.x).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * (stub: being implemented)
 */
#include "disc_format.h"

const struct disc_format disc_fmt_mds = {
    .name = "mds",
    .description = "Alcohol 120% MDS descriptor with MDF data (v1.x)",
    .extensions = "mds",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA,
};
