/* cue.h - what the CUE reader and writer share (private to cue*.c).
 * cue_read.c parses, cue_write.c writes; nothing else includes this.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md, docs/formats/cd.md (session gaps).
 */
#ifndef DISC_CUE_H
#define DISC_CUE_H

#include "disc_format.h"

#define CUE_LEADOUT1 DISC_LEADOUT1
#define CUE_LEADOUT_N DISC_LEADOUT_N
#define CUE_LEADIN DISC_LEADIN

static inline int
cue_is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* 1 for the modes a CUE datatype gives as Mode 2 (CD-ROM XA sessions). */
static inline int
cue_mode2_family(enum disc_track_mode m)
{
    return m == DISC_MODE_MODE2 || m == DISC_MODE_MODE2_FORM1 ||
           m == DISC_MODE_MODE2_FORM2 || m == DISC_MODE_MODE2_MIXED;
}

/* A CD-TEXT command of a sheet (block 0), in the order the writer puts
 * them (docs/formats/cue.md). */
struct cue_text_cmd {
    const char *kw;
    enum disc_cdtext_field f;
    int bare;      /* written unquoted when it can be: Aaru reads these
                      codes only bare */
    int disc_only; /* written for the disc, never for a track */
};

#define CUE_NTEXT 9
extern const struct cue_text_cmd disc_cue_text[CUE_NTEXT];

/* Splits the body of a REM line into key and value as the reader does
 * (the writer checks that its REM lines read back the same).  "KEY
 * value" gives KEY; a phrase of two to four words ending in a colon
 * ("ORIGINAL MEDIA-TYPE: CD", "Ripping Tool: x") gives the phrase
 * without the colon.  The key is upper-cased and returned disc_malloc'd
 * in *key; *value points into body (verbatim).  Returns 0, or
 * DISC_E_NOMEM. */
int disc_cue_rem_split(const char *body, char **key, const char **value);

/* The write hook of disc_fmt_cue (cue_write.c). */
int disc_cue_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
                   const struct disc_write_opts *o);

/* The sheet hook of disc_fmt_cue (cue_write.c): the text alone, for
 * files other code writes (rips). */
int disc_cue_sheet(struct disc_ctx *ctx, const struct disc *d,
                   const struct disc_sheet *map,
                   const struct disc_write_opts *o, struct disc_buf *text,
                   int *cdt_used);

#endif /* DISC_CUE_H */
