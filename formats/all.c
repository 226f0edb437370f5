/* all.c - the table of every format discarc knows, in probe order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Adding a format: one file in formats/, one line here and one extern.
 */
#include "disc_format.h"

extern const struct disc_format disc_fmt_cue;
extern const struct disc_format disc_fmt_ccd;
extern const struct disc_format disc_fmt_mds;
extern const struct disc_format disc_fmt_toc;
extern const struct disc_format disc_fmt_cdio_toc;
extern const struct disc_format disc_fmt_nrg;
extern const struct disc_format disc_fmt_chd;
extern const struct disc_format disc_fmt_wav;
extern const struct disc_format disc_fmt_aiff;
extern const struct disc_format disc_fmt_flac;

const struct disc_format *const disc_format_table[] = {
    &disc_fmt_cue,      &disc_fmt_ccd,  &disc_fmt_mds, &disc_fmt_toc,
    &disc_fmt_cdio_toc, &disc_fmt_nrg,  &disc_fmt_chd, &disc_fmt_wav,
    &disc_fmt_aiff,     &disc_fmt_flac, NULL,
};
