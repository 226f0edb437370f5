/* rip.h - ripping audio tracks to files (WAV, AIFF, FLAC) and extracting
 * single tracks (ISO, MPEG, raw Mode 2): the plan (which sectors go to
 * which file under a gap policy, hidden track one audio, safe names, the
 * rip's CUE sheet), the streaming driver and data-track extraction.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/audio.md, docs/formats/cd.md (pregaps, HTOA,
 * Video CD, AccurateRip, PCM).
 *
 * The encoding itself lives in formats/audio.c (the only libsndfile
 * user): it implements a struct disc_rip_sink (disc_format.h, the
 * plugin API) and defines disc_rip().  Nothing here includes <sndfile.h>.
 */
#ifndef DISC_RIP_H
#define DISC_RIP_H

#include "disc.h"
#include "discid.h"

struct disc_out;

/* Where the pregap (INDEX 00 .. INDEX 01) of an audio track goes. */
enum disc_rip_gaps {
    DISC_GAPS_APPEND = 0, /* end of the previous track's file (EAC's
                             default, the AccurateRip track split) */
    DISC_GAPS_PREPEND,    /* start of the track's own file */
    DISC_GAPS_DROP        /* nowhere: the CUE says PREGAP (silence) */
};

struct disc_rip_opts {
    uint8_t tracks[DISC_MAX_TRACKS + 1]; /* tracks[n] != 0: rip track n;
                                            all zero: every audio track */
    enum disc_rip_gaps gaps;
    const char *name;  /* file name template (%n %t %a %A %%), or NULL
                          for "%n - %t" with CD-TEXT titles, "track%n"
                          without */
    int force;         /* overwrite existing files */
    int accuraterip;   /* compute AccurateRip v1/v2 CRCs per track */
    int no_cue;        /* do not write the rip's CUE sheet */
    int allow_lossy;   /* write the sheet even when it drops something */
    int strict;        /* refuse any loss the sheet reports */
    const char *file;  /* single-file mode (extract): the one selected
                          track goes to exactly this path; no CUE, no
                          hidden-track split, no name template */
    int plain_encoder; /* every sample through libsndfile's sample API,
                          no raw or kernel-copied PCM: the reference the
                          fast paths are tested against */
};

/* Where a track's pregap ended up. */
enum disc_rip_gap {
    DISC_GAP_NONE = 0, /* the track has no pregap */
    DISC_GAP_HIDDEN,   /* track 1's pregap holds sound: the track 00 file */
    DISC_GAP_PREVIOUS, /* at the end of the previous track's file */
    DISC_GAP_OWN,      /* at the start of the track's own file */
    DISC_GAP_SILENCE   /* in no file; the CUE sheet says PREGAP (drop, or
                          a pregap the image does not store) */
};

/* One output file of a rip. */
struct disc_rip_file {
    uint8_t track;         /* track number; 0 = hidden track one audio */
    int index;             /* array index of the track in the disc */
    enum disc_rip_gap gap; /* where this track's pregap went */
    disc_lba start;        /* first sector of the file's audio */
    uint32_t count;        /* sectors */
    char *name;            /* file name inside the directory */
    char *path;            /* the path written */
    /* Tags, borrowed from the disc (NULL when absent). */
    const char *title, *artist, *album, *genre, *date;
    char number[4];   /* "7" */
    char comment[32]; /* "ISRC USRC17607839" or "" */
    int has_ar;       /* ar holds AccurateRip CRCs */
    struct disc_ar_crc ar;
};

/* What a rip will do (and, after disc_rip_run, did). */
struct disc_rip_plan {
    const struct disc *d;
    struct disc_rip_opts o;
    char ext[8]; /* container file extension, no dot */
    char *dir;   /* output directory ("" in single-file mode) */
    int nfiles;
    struct disc_rip_file file[DISC_MAX_TRACKS + 1];
    char *cue_name; /* the CUE sheet's name, NULL if none */
    char *cue_path;
    int htoa;         /* 1 if track 0 (hidden audio) is a file */
    int skipped_data; /* data tracks left out */
    int64_t sectors;  /* sectors the rip reads */
};

/* Plans a rip of d into dir with files ending in ".ext".  Reads track
 * 1's pregap to tell hidden audio from silence.  Errors: DISC_E_ARG for
 * a bad template, a --tracks entry that is not on the disc or is a data
 * track, nothing to rip.  Free with disc_rip_plan_free. */
int disc_rip_plan_new(struct disc_ctx *ctx, const struct disc *d,
                      const char *dir, const char *ext,
                      const struct disc_rip_opts *o,
                      struct disc_rip_plan **out);
void disc_rip_plan_free(struct disc_rip_plan *p); /* accepts NULL */

/* Turns untrusted text into one safe file name component in buf (size
 * n, at least 16): no '/' or '\\', no control characters, none of
 * :*?"<>|, no leading dot, dash or space, no trailing dot or space, at
 * most DISC_RIP_NAME_MAX bytes on a UTF-8 boundary, invalid UTF-8
 * replaced.  An empty result becomes fallback. */
#define DISC_RIP_NAME_MAX 200
void disc_rip_sanitize(const char *in, const char *fallback, char *buf,
                       size_t n);

/* Rips d into dir with the container (disc_fmt_wav, _aiff, _flac: the
 * descriptor selects the encoder).  *plan (if not NULL) receives the
 * executed plan (AccurateRip CRCs included) for the caller to free.
 * Defined in formats/audio.c. */
int disc_rip(struct disc_ctx *ctx, const struct disc *d,
             const struct disc_format *container, const char *dir,
             const struct disc_rip_opts *o, struct disc_rip_plan **plan);

/* ------------------------------------------------------------------ */
/* Byte order check                                                    */

/* Compares the energy of sample-to-sample differences of a few audio
 * sectors read as little-endian and as byte-swapped.  Returns 1 if the
 * audio looks byte-swapped, 0 if not or when it cannot tell (silence,
 * no audio), or a negative error.  *ratio (may be NULL) gets
 * energy(LE) / energy(swapped). */
int disc_audio_looks_swapped(struct disc_ctx *ctx, const struct disc *d,
                             double *ratio);

/* ------------------------------------------------------------------ */
/* Extracting one data track                                           */

enum disc_extract_kind {
    DISC_EXTRACT_AUTO = 0, /* choose from the track's mode and sectors */
    DISC_EXTRACT_ISO,      /* 2048 user bytes of each Mode 1 / Form 1
                              sector (other sectors: 2048 zeros) */
    DISC_EXTRACT_FORM2,    /* 2324-byte payloads of the Form 2 sectors
                              that carry video, audio or data (MPEG) */
    DISC_EXTRACT_MODE2,    /* 2336 bytes after the header, every sector */
    DISC_EXTRACT_RAW,      /* 2352 raw bytes, every sector */
    DISC_EXTRACT_AUDIO     /* audio track: rip it (disc_rip) */
};

struct disc_extract_stats {
    enum disc_extract_kind kind; /* what was written */
    uint32_t sectors;            /* sectors read (INDEX 01 to the track end) */
    uint32_t written;            /* sectors whose bytes went to the file */
    uint32_t skipped;            /* sectors left out (FORM2: margins, Form 1) */
    uint32_t filled;  /* sectors written as zeros (ISO: not Form 1) */
    uint32_t bad_edc; /* sectors whose EDC did not match */
    int64_t bytes;    /* size of the output */
};

/* The kind AUTO resolves to for track i (array index): audio tracks
 * AUDIO; Mode 1 and Form 1 ISO; Form 2 FORM2; formless Mode 2 MODE2;
 * mixed Mode 2 tracks by their first sectors (Form 2 payload and no
 * Form 1: FORM2, else ISO).  May read sectors. */
int disc_extract_kind_for(struct disc_ctx *ctx, const struct disc *d, int i,
                          enum disc_extract_kind *kind);
/* Usual file extension of a kind ("iso", "mpg", "bin", "wav"). */
const char *disc_extract_ext(enum disc_extract_kind kind);

/* Writes data track number `track` as kind from its INDEX 01 to its end
 * (pregap excluded; the post-gap, which belongs to the track, included)
 * to path through a disc_outset.  Audio tracks are refused with
 * DISC_E_ARG (use disc_rip with o->file).  st may be NULL. */
int disc_extract(struct disc_ctx *ctx, const struct disc *d, int track,
                 enum disc_extract_kind kind, const char *path, int force,
                 struct disc_extract_stats *st);

#endif /* DISC_RIP_H */
