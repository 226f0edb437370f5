/* cdrdao.c - cdrdao TOC images (.toc + data files) read through
 * libcdio's cdrdao driver (core/source_cdio.c), for comparison with the
 * native reader (formats/toc_read.c); read-only, chosen only by name.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: cdrdao(1) "TOC FILES"; libcdio 2.1 lib/driver/image/cdrdao.c
 * (its dialect and quirks); docs/formats/cd.md (big-endian audio);
 * docs/formats/cdio.md.
 */
#include <string.h>

#include "disc_format.h"

static int
toc_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct disc_cdio_opts o;

    memset(&o, 0, sizeof o);
    o.driver = DISC_CDIO_TOC;
    return disc_open_cdio(ctx, path, &o, d);
}

/* Never probed: formats/toc_read.c reads .toc files; this reading through
 * libcdio stays available with --from cdio-toc, for comparison. */
const struct disc_format disc_fmt_cdio_toc = {
    .name = "cdio-toc",
    .description = "cdrdao TOC read through libcdio's cdrdao driver "
                   "(--from only)",
    .extensions = "toc",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_INDEXES |
            DISC_CAP_ISRC_MCN | DISC_CAP_CDTEXT | DISC_CAP_HTOA,
    .probe = NULL,
    .read = toc_read,
    .write = NULL,
};
