/* internal.h - core-only helpers: never included by formats or tools.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DISC_INTERNAL_H
#define DISC_INTERNAL_H

#include "disc_format.h"

/* The disc's private part: extents sorted by LBA and owned sources. */
struct disc_priv {
    struct disc_extent *ext;
    size_t next, cap;
    struct disc_source *sources; /* singly linked, closed in disc_free */
};

/* The file descriptor of a file source, or -1 for other kinds. */
int disc_source_fd(const struct disc_source *s);

/* Checks the cdrdao .toc at path against what libcdio's cdrdao driver
 * reads safely and writes the copy libcdio is to open (file names made
 * absolute) into a private directory; *copy gets its path (disc_malloc'd;
 * give it to disc_cdio_toc_drop).  Returns 0, or DISC_E_* with the
 * message naming path and line (source_cdio_toc.c). */
int disc_cdio_toc_guard(struct disc_ctx *ctx, const char *path, char **copy);

/* Removes a copy made by disc_cdio_toc_guard and its directory, and frees
 * the path; accepts NULL. */
void disc_cdio_toc_drop(char *copy);

#endif /* DISC_INTERNAL_H */
