/* cmd_map.c - the --map option of `info`, `verify` and `read`: the disc
 * drawn as one SVG picture.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/map.md.
 */
#include <stdio.h>

#include "cli.h"
#include "map.h"

int
cli_write_map(struct disc_ctx *ctx, const struct disc *d,
              const struct disc_map *m, const char *name, const char *path,
              int force)
{
    struct disc_map *own = NULL;
    int r = 0;

    if (!m) {
        r = disc_map_new(ctx, d, &own);
        m = own;
    }
    if (r == 0)
        r = disc_map_write(ctx, m, name, path, force);
    disc_map_free(own);
    if (r == 0 && !cli_quiet)
        (void)fprintf(stderr, "discarc: wrote %s\n", path);
    return r;
}
