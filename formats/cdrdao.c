/* cdrdao.c - cdrdao TOC images (.toc + data files), read through
 * libcdio's cdrdao driver (core/source_cdio.c); read-only.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: cdrdao(1) "TOC FILES"; libcdio 2.1 lib/driver/image/cdrdao.c
 * (its dialect and quirks); docs/formats/cd.md (big-endian audio);
 * docs/formats/cdio.md.
 */
#include <ctype.h>
#include <string.h>

#include "disc_format.h"

/* 1 if word w starts a line of buf (after blanks). */
static int
toc_has_line(const char *buf, const char *w)
{
    size_t n = strlen(w);
    const char *p = buf;

    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, w, n) == 0 &&
            (p[n] == ' ' || p[n] == '\t' || p[n] == '\r' || p[n] == '\n' ||
             p[n] == '\0' || p[n] == '/'))
            return 1;
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return 0;
}

/* cdrdao's TRACK names a mode right away ("TRACK AUDIO"), where a CUE
 * sheet puts a number first ("TRACK 01 AUDIO"). */
static int
toc_probe(const uint8_t *buf, size_t len, const char *path)
{
    static const char *const modes[] = {
        "TRACK AUDIO",     "TRACK MODE1",       "TRACK MODE1_RAW",
        "TRACK MODE2",     "TRACK MODE2_RAW",   "TRACK MODE2_FORM1",
        "TRACK MODE2_FORM2", "TRACK MODE2_FORM_MIX", "TRACK MODE0",
    };
    const char *s = (const char *)buf;
    size_t i;
    int score = 0;

    (void)path;
    for (i = 0; i < len; i++)
        if (buf[i] == 0)
            return 0; /* binary */
    if (toc_has_line(s, "CD_DA") || toc_has_line(s, "CD_ROM") ||
        toc_has_line(s, "CD_ROM_XA") || toc_has_line(s, "CD_I"))
        score += 40;
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (toc_has_line(s, modes[i]))
            score += 40;
    return score > 90 ? 90 : score;
}

static int
toc_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct disc_cdio_opts o;

    memset(&o, 0, sizeof o);
    o.driver = DISC_CDIO_TOC;
    return disc_open_cdio(ctx, path, &o, d);
}

const struct disc_format disc_fmt_toc = {
    .name = "toc",
    .description = "cdrdao TOC (read through libcdio's cdrdao driver)",
    .extensions = "toc",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_INDEXES |
            DISC_CAP_ISRC_MCN | DISC_CAP_CDTEXT | DISC_CAP_HTOA,
    .probe = toc_probe,
    .read = toc_read,
    .write = NULL,
};
