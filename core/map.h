/* map.h - a picture of a disc: one static SVG file with sessions as
 * bands, tracks as blocks proportional to their length, pregaps, index
 * points, lead-in/lead-out, CD-TEXT titles, and marked sectors (damaged
 * or unreadable) in red with their LBAs in tooltips.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: SVG 1.1 (W3C), docs/map.md.
 */
#ifndef DISC_MAP_H
#define DISC_MAP_H

#include "disc.h"

enum disc_map_kind {
    DISC_MAP_BAD = 0,    /* damaged: verify found it (EDC, ECC, ...) */
    DISC_MAP_UNREADABLE, /* a drive could not read it */
    DISC_MAP_RETRIED     /* read only after retries */
};

struct disc_map;

/* A map of d (which must outlive it). */
int disc_map_new(struct disc_ctx *ctx, const struct disc *d,
                 struct disc_map **out);
/* Marks count sectors from lba as kind; what (may be NULL) names the
 * problem ("EDC").  Runs of one kind that touch or overlap merge, so
 * memory grows with the number of separate runs only. */
int disc_map_mark(struct disc_ctx *ctx, struct disc_map *m, disc_lba lba,
                  int32_t count, enum disc_map_kind kind, const char *what);
/* Writes the SVG to path through the safe output layer (an existing
 * file is refused unless force; an input file of the disc always).
 * name (may be NULL) goes in the heading. */
int disc_map_write(struct disc_ctx *ctx, const struct disc_map *m,
                   const char *name, const char *path, int force);
void disc_map_free(struct disc_map *m); /* accepts NULL */

/* Layout constants, for tests that check positions: the x of LBA l is
 * DISC_MAP_X0 + (l - first) * (DISC_MAP_X1 - DISC_MAP_X0) / (last -
 * first), where first is the first session's start (track 1's pregap
 * start minus the 150-sector Red Book pregap) and last the last lead-out;
 * the SVG root carries both as data-lba0 and data-lba1. */
#define DISC_MAP_WIDTH 1200
#define DISC_MAP_X0 84
#define DISC_MAP_X1 1116

#endif /* DISC_MAP_H */
