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

/* The folder of private files: $TMPDIR, or /tmp when TMPDIR is unset or
 * not an absolute path (out.c). */
const char *disc_tmp_dir(void);

/* A new private file "<disc_tmp_dir()>/discarc-<what>-<pid>-XXXXXX<suffix>",
 * registered like an output's temporary file, so that a signal's cleanup
 * (disc_out_remove_temps) removes it too; *path gets its name
 * (disc_malloc'd).  Returns an fd open for writing, or -1 with errno set
 * and nothing made (a folder that is missing or not writable is no
 * reason to use another). */
int disc_tmp_private(const char *what, const char *suffix, char **path);

/* Removes a file made by disc_tmp_private, forgets it and frees path;
 * accepts NULL. */
void disc_tmp_private_drop(char *path);

/* Checks the cdrdao .toc at path against what libcdio's cdrdao driver
 * reads safely and writes the copy libcdio is to open (file names made
 * absolute) into a private file; *copy gets its path (disc_malloc'd;
 * give it to disc_cdio_toc_drop).  Returns 0, or DISC_E_* with the
 * message naming path and line (source_cdio_toc.c). */
int disc_cdio_toc_guard(struct disc_ctx *ctx, const char *path, char **copy);

/* Removes a copy made by disc_cdio_toc_guard and frees the path;
 * accepts NULL. */
void disc_cdio_toc_drop(char *copy);

#endif /* DISC_INTERNAL_H */
