/* disc_drive.h - public API of libdiscarc for optical drives and the
 * images libcdio reads (cdrdao TOC, Nero NRG): open options, the retry
 * and unreadable-sector reports, disc_open_drive.  Implemented by
 * source_cdio.c, the only libcdio user.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cdio.md.
 */
#ifndef DISC_DRIVE_H
#define DISC_DRIVE_H

#include "disc.h"

/* Which libcdio driver opens the path given to disc_open_cdio. */
enum disc_cdio_driver {
    DISC_CDIO_DEVICE = 0, /* an optical drive (path NULL: the default) */
    DISC_CDIO_TOC,        /* cdrdao .toc through libcdio's cdrdao driver */
    DISC_CDIO_NRG         /* Nero .nrg through libcdio's nrg driver */
};

enum disc_cdio_status {
    DISC_CDIO_RETRIED = 1, /* read correctly after retries or repairs */
    DISC_CDIO_UNREADABLE   /* never read correctly: zero-filled (with
                              paranoia: its best guess) */
};

/* One sector that needed retries or stayed unreadable. */
struct disc_cdio_event {
    disc_lba lba;
    int track; /* track number, 0 if in none */
    enum disc_cdio_status status;
    int attempts;     /* reads tried (0: paranoia's own) */
    const char *what; /* short reason, static text */
};

struct disc_cdio_opts {
    enum disc_cdio_driver driver;
    int paranoia;       /* audio through libcdio-paranoia: 0 off,
                           1 overlap checking, 2 full */
    int retries;        /* per sector (and paranoia's limit); <= 0: 5 */
    int offset_samples; /* read offset correction in samples: disc
                           sample k is read as drive sample k + offset */
    int no_qscan;       /* drives: keep the TOC's pregaps, no Q scan */
    /* Called for every sector that needed retries or stayed unreadable.
     * Without it an unreadable sector fails the read (DISC_E_DRIVE);
     * with it the read goes on with the sector zero-filled. */
    void (*report)(void *user, const struct disc_cdio_event *ev);
    void *report_user;
};

/* Fills the empty disc d (allocated by the core, freed by it on error)
 * from a drive or a libcdio image: TOC, sessions and lead-outs, modes,
 * CONTROL, MCN, ISRC, CD-TEXT (every language), pregaps and, for drives
 * that deliver raw subchannel, the INDEX 00/02+ points found in Q.  The
 * sectors come from a positional source the disc owns.  o may be NULL
 * (the default drive, no paranoia).  Returns 0 or DISC_E_*. */
int disc_open_cdio(struct disc_ctx *ctx, const char *path,
                   const struct disc_cdio_opts *o, struct disc *d);
/* disc_open_cdio on a new disc, then disc_check.  device NULL: the
 * default drive.  *out is freed with disc_free. */
int disc_open_drive(struct disc_ctx *ctx, const char *device,
                    const struct disc_cdio_opts *o, struct disc **out);

#endif /* DISC_DRIVE_H */
