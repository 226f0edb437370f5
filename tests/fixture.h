/* fixture.h - synthetic discs and pattern data for tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Every sector of a fixture disc is derived from its LBA (audio: a
 * pseudo-random pattern; data: a valid Mode 1 / Form 1 / Form 2 sector
 * whose user bytes are the pattern), so a wrong offset anywhere shows.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include "disc_format.h"

/* Fills one raw sector of LBA lba for the given mode. */
void fx_sector(uint8_t *raw, disc_lba lba, enum disc_track_mode mode);

/* A track description for fx_disc_build. */
struct fx_track {
    enum disc_track_mode mode;
    int session;    /* 1.. */
    int32_t pregap; /* INDEX 00 sectors before INDEX 01 (stored) */
    int32_t length; /* sectors from INDEX 01 to the track end */
    int32_t idx2;   /* offset of INDEX 02 after INDEX 01, 0 = none */
    const char *isrc;
    const char *title;
    uint8_t control_extra; /* DCP/PRE/4CH bits */
};

/* Builds a disc of n tracks served by a pattern source.  Track 1 starts
 * at LBA 0 (its pregap, if any, from LBA 0: HTOA); a later session's
 * first track starts 11400 (first gap) or 6900 sectors after the
 * previous lead-out. */
struct disc *fx_disc_build(struct disc_ctx *ctx, const struct fx_track *t,
                           int n, const char *mcn);

/* Mode 1 track (1000 sectors) + audio (150-sector pregap, 500) + audio
 * (75-sector pregap, INDEX 02, 400, ISRC); MCN; CD-TEXT. */
struct disc *fx_disc_mixed(struct disc_ctx *ctx);
/* Enhanced CD: two audio tracks in session 1, a Mode 2 Form 1 track in
 * session 2. */
struct disc *fx_disc_enhanced(struct disc_ctx *ctx);
/* n audio tracks of len sectors each (streaming tests). */
struct disc *fx_disc_audio(struct disc_ctx *ctx, int n, int32_t len);

/* Copies tests/data/<rel> to the file as in the cwd; 0 or -1. */
int fx_copy_data(const char *rel, const char *as);
/* A sparse file of size zero bytes; 0 or -1. */
int fx_sparse(const char *path, long long size);
/* Opens path with the 1st, 2nd, ... allocation failing until an open
 * succeeds without a failed allocation (*out then holds the disc).  Every
 * failing run must return DISC_E_NOMEM and leave *out NULL, else the test
 * fails.  Returns the number of runs, or -1 after a failure (reported). */
long fx_oom_open(struct disc_ctx *ctx, const char *path, struct disc **out,
                 long max);

/* MD5 of count raw sectors of d from lba, as 32 hex digits. */
int fx_md5_sectors(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                   uint32_t count, char hex[33]);
/* MD5 of a byte range of a file (len -1: to the end). */
int fx_md5_file(const char *path, long long off, long long len, char hex[33]);

/* P+Q (R-W zero) of count sectors from lba, built sector by sector from
 * each one's place in the TOC with the core's Q encoders (tests/sub_ref.c):
 * the independent reference disc_sub_synth is compared with. */
int t_sub_synth_ref(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                    uint32_t count, uint8_t *sub);

#endif /* FIXTURE_H */
