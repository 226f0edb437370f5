/* discid.h - disc identifiers (freedb/CDDB, MusicBrainz, AccurateRip,
 * CTDB) and AccurateRip track CRCs (v1, v2).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md (Enhanced CD, the formulas),
 * docs/formats/audio.md.
 */
#ifndef DISC_DISCID_H
#define DISC_DISCID_H

#include "disc.h"

/* Identifiers of a disc's audio program.  Strings are NUL-terminated
 * and empty when the identifier does not exist (no audio track). */
struct disc_ids {
    uint32_t freedb;           /* CDDB id, libcdio/CUETools form: every track
                                  and the real lead-out (docs/formats/cd.md) */
    char musicbrainz[29];      /* 28 characters, base64 with "._-" */
    char mb_toc[1024];         /* "first last leadout off1 ... offN" (frames),
                                  the TOC MusicBrainz looks discs up by */
    uint32_t ar_id1;           /* AccurateRip disc id 1 */
    uint32_t ar_id2;           /* AccurateRip disc id 2 */
    int ar_tracks;             /* audio tracks AccurateRip counts */
    char accuraterip[48];      /* "dBAR-NNN-xxxxxxxx-xxxxxxxx-xxxxxxxx.bin" */
    char accuraterip_url[128]; /* the full http://www.accuraterip.com
                                  address of that file */
    char ctdb[29];             /* CUETools database TOC id */
};

/* Computes every identifier of d.  Enhanced CD (audio session, then a
 * data session) is handled as docs/formats/cd.md says: MusicBrainz ends the
 * disc at the data track's start - 11400; freedb and AccurateRip keep
 * the data track and the real lead-out.  Returns 0, or DISC_E_ARG when
 * the disc has no tracks. */
int disc_ids_compute(struct disc_ctx *ctx, const struct disc *d,
                     struct disc_ids *out);

/* ------------------------------------------------------------------ */
/* AccurateRip track CRCs                                              */

#define DISC_AR_SKIP 2940 /* samples (5 sectors) skipped at each disc end */

struct disc_ar_crc {
    uint32_t v1; /* sum of i * s[i] */
    uint32_t v2; /* sum of lo32(i * s[i]) + hi32(i * s[i]) */
};

/* An order-free accumulator: samples may be fed in any order because
 * each carries its 1-based position in the track. */
struct disc_ar_acc {
    uint32_t v1, v2;
    uint32_t lo, hi; /* 1-based positions included (lo > hi: none) */
};

/* Prepares a for a track of nsamples stereo samples; first/last say
 * whether it is the first/last audio track of the disc (2939 samples
 * skipped at the start, 2940 at the end). */
void disc_ar_init(struct disc_ar_acc *a, uint32_t nsamples, int first,
                  int last);
/* Adds n samples (4 bytes each, little-endian L then R) whose first one
 * is at 1-based position pos. */
void disc_ar_feed(struct disc_ar_acc *a, uint32_t pos, const uint8_t *pcm,
                  size_t n);
void disc_ar_result(const struct disc_ar_acc *a, struct disc_ar_crc *out);

/* The sectors AccurateRip checks for audio track i (array index): from
 * its INDEX 01 to the next audio track's INDEX 01 in the same session
 * (pregaps count toward the previous track), else to the track's end;
 * *first / *last tell whether it is the disc's first / last audio
 * track.  Returns 0, or DISC_E_ARG when track i is not audio. */
int disc_ar_range(const struct disc *d, int i, disc_lba *start, uint32_t *count,
                  int *first, int *last);

/* Reads audio track i (array index) and computes its AccurateRip CRCs
 * (for verification against the database).  Returns 0 or an error. */
int disc_ar_track(struct disc_ctx *ctx, const struct disc *d, int i,
                  struct disc_ar_crc *out);

#endif /* DISC_DISCID_H */
