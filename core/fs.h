/* fs.h - the file system of a data track (ISO 9660 with Joliet and Rock
 * Ridge names) or UDF, read through the disc's own sector access: listing and
 * copying files without a temporary copy of the track.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: ECMA-119 (volume descriptors), docs/filesystems.md.
 *
 * The file-system parsing is libarchive's (ISO 9660) and libudfread's
 * (UDF); core/fs.c is their only user and nothing here includes their
 * headers.
 */
#ifndef DISC_FS_H
#define DISC_FS_H

#include "disc.h"

enum disc_fs_type {
    DISC_FS_FILE = 0,
    DISC_FS_DIR,
    DISC_FS_LINK, /* symbolic link (Rock Ridge) */
    DISC_FS_OTHER /* device, FIFO, socket (Rock Ridge) */
};

/* disc_fs_open flags. */
#define DISC_FS_UDF 1u /* read the UDF side of a UDF/ISO 9660 bridge */

/* One file or directory. */
struct disc_fs_entry {
    char *path; /* UTF-8, from the root, no leading or trailing '/' */
    enum disc_fs_type type;
    int64_t size;  /* bytes (0 for directories) */
    int64_t mtime; /* seconds since 1970-01-01 UTC, when has_mtime */
    int has_mtime;
    unsigned mode; /* permission bits (Rock Ridge; else libarchive's
                      0400 for files, 0700 for directories) */
    char *link;    /* symbolic link target, or NULL */
};

/* What a track holds. */
struct disc_fs_info {
    int track;            /* track number */
    disc_lba start;       /* LBA of the track's sector 0 (its INDEX 01) */
    int absolute;         /* 1: the file system addresses disc LBAs (later
                             sessions, Video CD tracks); 0: LBAs relative to
                             start */
    int joliet;           /* a Joliet supplementary descriptor exists */
    int rockridge;        /* Rock Ridge entries were found (after the first
                             disc_fs_next) */
    int udf;              /* a UDF volume recognition sequence exists */
    int udf_read;         /* the UDF file system is the one read (UDF-only
                             volume, or DISC_FS_UDF): no dates, no links */
    char volume[33];      /* primary volume identifier, trailing blanks cut */
    int64_t volume_bytes; /* volume space size x 2048 */
};

struct disc_fs;

/* Opens the file system of data track number `track`; track 0 picks the
 * last data track whose sector 16 starts a volume descriptor (the newest
 * session of a multi-session disc, session 2 of a CD-Extra, track 1 of a
 * Video CD).  ISO 9660 is read when present, UDF otherwise or with
 * DISC_FS_UDF in flags.  The disc must outlive fs.  DISC_E_UNSUPPORTED
 * for a track with neither, DISC_E_ARG for an audio track or a track
 * not on the disc. */
int disc_fs_open(struct disc_ctx *ctx, const struct disc *d, int track,
                 unsigned flags, struct disc_fs **out);
const struct disc_fs_info *disc_fs_info(const struct disc_fs *fs);
/* The next entry in the order the file system stores them: returns 1
 * with *e valid until the next call, 0 after the last, or a negative
 * code.  Hard links (entries sharing data) come with link set to the
 * first path and size 0 unless the caller resolves them (disc_fs_list
 * does). */
int disc_fs_next(struct disc_ctx *ctx, struct disc_fs *fs,
                 const struct disc_fs_entry **e);
/* Reads up to len bytes of the current entry's data; returns the count
 * (0 at its end) or a negative code. */
int64_t disc_fs_read(struct disc_ctx *ctx, struct disc_fs *fs, void *buf,
                     size_t len);
/* Accepts NULL. */
void disc_fs_close(struct disc_fs *fs);

/* Reads the whole tree of fs (which must be freshly opened) and returns
 * the entries under path ("" or "/" for the root): its direct children,
 * or with recursive everything below it, sorted by path; a path naming
 * a file gives that one entry.  *out (n entries) is freed with
 * disc_fs_list_free.  DISC_E_RANGE when nothing has that path. */
int disc_fs_list(struct disc_ctx *ctx, struct disc_fs *fs, const char *path,
                 int recursive, struct disc_fs_entry **out, size_t *n);
void disc_fs_list_free(struct disc_fs_entry *e, size_t n);

/* Copies the file `path` (matched exactly, else ignoring case) of data
 * track `track` (0 as in disc_fs_open) to out through the safe output
 * layer.  *bytes (may be NULL) gets its size.  DISC_E_RANGE when no
 * such file exists, DISC_E_ARG for a directory. */
int disc_fs_extract(struct disc_ctx *ctx, const struct disc *d, int track,
                    unsigned flags, const char *path, const char *out,
                    int force, int64_t *bytes);

#endif /* DISC_FS_H */
