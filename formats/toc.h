/* toc.h - private to the cdrdao TOC plugin (toc_read.c reads and holds
 * the descriptor, toc_write.c writes): the track modes of a TOC file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: cdrdao(1) "TOC FILES"; cdrdao trackdb/TrackData.cc (block
 * sizes); docs/formats/toc.md.
 */
#ifndef DISC_FORMATS_TOC_H
#define DISC_FORMATS_TOC_H

#include "disc_format.h"

/* Track modes, in the order of disc_toc_modes. */
enum toc_mode {
    TOC_AUDIO = 0,
    TOC_MODE1,
    TOC_MODE1_RAW,
    TOC_MODE2,
    TOC_MODE2_RAW,
    TOC_MODE2_FORM1,
    TOC_MODE2_FORM2,
    TOC_MODE2_FORM_MIX,
    TOC_MODE0, /* ZERO only */
    TOC_NMODES
};

struct toc_modeinfo {
    const char *name;
    uint32_t size; /* bytes per block in the file, without sub-channel */
    enum disc_track_mode mode;
    enum disc_data_layout layout;
};

/* Name, block size and model mode/layout of each TOC mode (toc_read.c). */
extern const struct toc_modeinfo disc_toc_modes[TOC_NMODES];

/* The write hook of disc_fmt_toc (toc_write.c). */
int disc_toc_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
                   const struct disc_write_opts *o);

#endif
