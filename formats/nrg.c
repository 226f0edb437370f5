/* nrg.c - Nero Burning ROM images (.nrg, v1 "NERO" and v2 "NER5"
 * footers), read through libcdio's nrg driver (core/source_cdio.c);
 * read-only.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: libcdio 2.1 lib/driver/image/nrg.c and nrg.h (chunk
 * layout: CUEX/DAOX/ETNF/SINF/CDTX/END!); docs/formats/cdio.md.
 */
#include <stdio.h>
#include <string.h>

#include "disc_format.h"

/* The NRG signature is in the last 8 (v1) or 12 (v2) bytes of the file,
 * which the 4 KiB head the registry passes never shows: read the tail
 * through path.  Without a footer the head is still sector data, so the
 * content alone proves nothing (the extension floor applies). */
static int
nrg_probe(const uint8_t *buf, size_t len, const char *path)
{
    uint8_t tail[12];
    FILE *f;
    int ok = 0;

    (void)buf;
    (void)len;
    if (!path)
        return 0;
    f = fopen(path, "rb");
    if (!f)
        return 0;
    if (fseek(f, -12, SEEK_END) == 0 && fread(tail, 1, 12, f) == 12)
        ok = memcmp(tail, "NER5", 4) == 0 || memcmp(tail + 4, "NERO", 4) == 0;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 80 : 0;
}

static int
nrg_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct disc_cdio_opts o;

    memset(&o, 0, sizeof o);
    o.driver = DISC_CDIO_NRG;
    return disc_open_cdio(ctx, path, &o, d);
}

const struct disc_format disc_fmt_nrg = {
    .name = "nrg",
    .description = "Nero NRG (read through libcdio's nrg driver)",
    .extensions = "nrg",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_INDEXES |
            DISC_CAP_ISRC_MCN | DISC_CAP_CDTEXT | DISC_CAP_CDTEXT_LANGS |
            DISC_CAP_HTOA,
    .probe = nrg_probe,
    .read = nrg_read,
    .write = NULL,
};
