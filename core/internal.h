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

#endif /* DISC_INTERNAL_H */
