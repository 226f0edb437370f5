/* ccd.h - private to the CloneCD plugin (ccd_read.c reads and holds the
 * descriptor, ccd_write.c writes).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/ccd.md.
 */
#ifndef DISC_FORMATS_CCD_H
#define DISC_FORMATS_CCD_H

#include "disc_format.h"

/* The write hook of disc_fmt_ccd (ccd_write.c). */
int disc_ccd_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
                   const struct disc_write_opts *o);

#endif
