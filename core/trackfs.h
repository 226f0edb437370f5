/* trackfs.h - a disc seen as a folder of files, served on demand: audio
 * tracks as WAV files, data tracks as ISO (2048-byte user data) and raw
 * (2352-byte) files, a CUE sheet describing them, and caller-supplied
 * text files.  `discarc mount` puts it behind FUSE.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/mount.md, docs/formats/audio.md (gap policy).
 */
#ifndef DISC_TRACKFS_H
#define DISC_TRACKFS_H

#include "disc.h"

enum disc_tf_kind {
    DISC_TF_WAV = 0, /* 44-byte WAV header + the PCM of the sectors */
    DISC_TF_ISO,     /* 2048 user bytes of each Mode 1 / Form 1 sector,
                        2048 zeros for any other (as `extract --as iso`) */
    DISC_TF_RAW,     /* 2352 raw bytes per sector */
    DISC_TF_TEXT     /* text held in memory (disc.cue, disc.json) */
};

struct disc_tf_file {
    char *name; /* file name, no '/' */
    enum disc_tf_kind kind;
    int track;      /* track number (0: hidden track one audio, text) */
    disc_lba start; /* first sector */
    uint32_t count; /* sectors */
    int64_t size;   /* bytes */
    char *text;     /* DISC_TF_TEXT */
};

struct disc_trackfs {
    const struct disc *d;
    struct disc_tf_file *file;
    int nfiles;
    uint8_t *buf; /* DISC_CHUNK raw sectors for reads */
};

/* Builds the file list of d: per audio track (the ranges `discarc rip`
 * writes with its default gap policy: a pregap at the end of the
 * previous track's file) "NN - Title.wav" ("NN.wav" without CD-TEXT
 * title); per data track "NN.bin" (INDEX 01 to the track end, raw) and,
 * when it holds Mode 1 / Form 1 data, "NN.iso"; and "disc.cue" naming
 * those files.  d must outlive the result. */
int disc_trackfs_new(struct disc_ctx *ctx, const struct disc *d,
                     struct disc_trackfs **out);
/* Adds a text file (copied). */
int disc_trackfs_add_text(struct disc_ctx *ctx, struct disc_trackfs *tf,
                          const char *name, const char *text, size_t len);
/* Index of the file called name, or -1. */
int disc_trackfs_find(const struct disc_trackfs *tf, const char *name);
/* Reads up to len bytes of file i from off; returns the count (0 at or
 * past the end) or a negative code.  Reads at most DISC_CHUNK sectors
 * from the image per call; not thread-safe (one shared buffer). */
int64_t disc_trackfs_read(struct disc_ctx *ctx, struct disc_trackfs *tf, int i,
                          int64_t off, void *buf, size_t len);
void disc_trackfs_free(struct disc_trackfs *tf); /* accepts NULL */

#endif /* DISC_TRACKFS_H */
