/* cue_layout.c - CUE sheets: the layout of a parsed sheet.  Walks the
 * FILE, TRACK, INDEX, PREGAP/POSTGAP and session lines that cue_read.c
 * collected and maps every track's sectors onto its FILEs (extents),
 * with the session gaps between them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md, docs/formats/cd.md (session gaps).
 */
#include <stdio.h>
#include <string.h>

#include "cue.h"

/* ------------------------------------------------------------------ */
/* Reader: layout                                                      */

/* The walk over the sheet that turns file times into disc LBAs.  A
 * "segment" is a run of one track's sectors stored contiguously in the
 * current FILE, from file time seg_time (byte seg_byte) at LBA seg_lba. */
struct cue_walk {
    int file;
    int open;      /* a segment is open */
    int seg_track; /* track (array index) of the open segment */
    int32_t seg_time;
    int64_t seg_byte;
    disc_lba seg_lba;
    int cur_track;     /* last track that had an INDEX, -1 */
    int post;          /* track whose POSTGAP is still to be placed, -1 */
    int pending;       /* session whose boundary is not placed yet, 0 */
    int32_t last_time; /* time of the last INDEX walked in this FILE */
};

/* Time at which the current FILE runs out for sectors of stride bytes
 * stored from the open segment's start. */
static int32_t
cue_file_end_time(const struct cue_parse *p, const struct cue_walk *w,
                  uint32_t stride)
{
    const struct cue_file *f = &p->file[w->file];
    int64_t left = f->size - w->seg_byte;

    if (left < 0)
        left = 0;
    return w->seg_time + (int32_t)(left / stride);
}

static int
cue_close_seg(struct cue_parse *p, struct cue_walk *w, int32_t t_end)
{
    const struct cue_track *t;
    const struct cue_file *f = &p->file[w->file];
    struct disc_extent e;
    int64_t bytes;
    int32_t n;
    int r;

    if (!w->open || t_end <= w->seg_time)
        return 0;
    t = &p->track[w->seg_track];
    n = t_end - w->seg_time;
    bytes = (int64_t)n * t->dt->stride;
    if (w->seg_byte + bytes > f->size) {
        p->line = f->line;
        return cue_err(p, DISC_E_RANGE,
                       "FILE \"%.100s\" (%lld bytes) is "
                       "too short: TRACK %02d needs bytes up to %lld",
                       f->name, (long long)f->size, t->number,
                       (long long)w->seg_byte + (long long)bytes);
    }
    if (f->type == CUE_F_AUDIO && t->dt->stride != DISC_SECTOR_RAW) {
        p->line = f->line;
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK %02d (%s) cannot be stored "
                       "in the audio file \"%.100s\"",
                       t->number, t->dt->name, f->name);
    }
    memset(&e, 0, sizeof e);
    e.lba = w->seg_lba;
    e.count = (uint32_t)n;
    e.src = f->src;
    e.offset = w->seg_byte;
    e.stride = t->dt->stride;
    e.data = f->type == CUE_F_AUDIO ? DISC_DATA_RAW : t->dt->layout;
    if (f->type == CUE_F_MOTOROLA && t->dt->mode == DISC_MODE_AUDIO)
        e.flags = DISC_EXT_SWAP;
    e.sub = t->dt->cdg ? DISC_SUBL_INTERLEAVED : DISC_SUBL_NONE;
    r = disc_extent_add(p->ctx, p->d, &e);
    if (r < 0)
        return r;
    w->seg_byte += bytes;
    w->seg_lba += n;
    w->seg_time = t_end;
    return 0;
}

/* Generated (unstored) sectors for a PREGAP or POSTGAP of track ti. */
static int
cue_gen(struct cue_parse *p, struct cue_walk *w, int ti, int32_t n)
{
    struct disc_extent e;
    int r;

    if (n <= 0)
        return 0;
    memset(&e, 0, sizeof e);
    e.lba = w->seg_lba;
    e.count = (uint32_t)n;
    e.data = DISC_DATA_GEN;
    e.gen = disc_gen_for_mode(p->track[ti].dt->mode);
    r = disc_extent_add(p->ctx, p->d, &e);
    if (r < 0)
        return r;
    w->seg_lba += n;
    return 0;
}

/* Ends the running track's data at file time t_end, then places the
 * POSTGAP it still owes. */
static int
cue_end_track(struct cue_parse *p, struct cue_walk *w, int32_t t_end)
{
    int r = cue_close_seg(p, w, t_end);

    if (r == 0 && w->post >= 0) {
        r = cue_gen(p, w, w->post, p->track[w->post].postgap);
        w->post = -1;
    }
    return r;
}

/* Closes the current FILE: the open segment runs to its end. */
static int
cue_finish_file(struct cue_parse *p, struct cue_walk *w)
{
    const struct cue_file *f;
    const struct cue_track *t;
    int64_t left;
    int32_t end;

    if (w->file < 0)
        return 0;
    f = &p->file[w->file];
    p->line = f->line;
    /* Nothing in this FILE belongs to a track: no INDEX in it, and no
     * track running on from the previous FILE. */
    if (!w->open)
        return cue_err(p, DISC_E_FORMAT, "FILE \"%.100s\" holds no track",
                       f->name);
    t = &p->track[w->seg_track];
    left = f->size - w->seg_byte;
    end = cue_file_end_time(p, w, t->dt->stride);
    if (left > 0 && left % t->dt->stride)
        disc_warn_at(p->ctx, p->path, f->line,
                     "FILE \"%.100s\" ends with %lld bytes that are not a "
                     "whole %u-byte sector; ignored",
                     f->name, (long long)(left % t->dt->stride), t->dt->stride);
    if (f->last_time >= 0 && end <= f->last_time) {
        char a[16], b[16];
        return cue_err(p, DISC_E_RANGE,
                       "FILE \"%.100s\" is too short: it "
                       "ends at %s, but TRACK %02d has an INDEX at %s",
                       f->name, disc_format_msf(end, a, sizeof a), t->number,
                       disc_format_msf(f->last_time, b, sizeof b));
    }
    return cue_end_track(p, w, end);
}

/* Frames between a session's lead-out and its successor's first INDEX 01
 * from the REM length lines (DIC multi-BIN), or the standard gap. */
static int32_t
cue_gap_length(const struct cue_parse *p, int s)
{
    const struct cue_gap *g = &p->gap[s];
    int32_t lo = disc_session_gap(s) - CUE_LEADIN - DISC_PREGAP;

    /* DIC prints 01:30:00 / 01:00:00 / 00:02:00 for every session, even
     * where the real lead-out is 00:30:00; read that triple as "the
     * standard gap". */
    if (g->leadout == CUE_LEADOUT1 && g->leadin == CUE_LEADIN &&
        g->pregap == DISC_PREGAP)
        return disc_session_gap(s);
    return (g->leadout >= 0 ? g->leadout : lo) +
           (g->leadin >= 0 ? g->leadin : CUE_LEADIN) +
           (g->pregap >= 0 ? g->pregap : DISC_PREGAP);
}

/* The lead-out of the session before session s as the sheet places it:
 * between FILEs (redump style; the first FILE of s starts the session).
 * With REM LEAD-OUT/LEAD-IN/PREGAP lines, their sum is the distance from
 * the lead-out to the first sector of that FILE (MAME's rule; DIC stores
 * nothing before INDEX 01 there, so both rules agree on its sheets);
 * without them the standard gap ends at the session's INDEX 01 (redumper
 * and the sheets on redump.org have no such lines). */
static int
cue_session_between(struct cue_parse *p, struct cue_walk *w, int s)
{
    const struct cue_track *ft = &p->track[p->session_first[s] - 1];
    const struct cue_gap *g = &p->gap[s];
    int lines = g->leadout >= 0 || g->leadin >= 0 || g->pregap >= 0;
    int32_t gap = cue_gap_length(p, s), t1 = ft->idx[1].time;
    struct disc_session *prev = &p->d->session[s - 2];
    disc_lba lead = w->seg_lba;

    prev->leadout = lead;
    if (ft->idx[1].file != w->file) {
        p->line = ft->idx[1].line;
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX 01 of TRACK %02d, the first "
                       "track of session %02d, must be in its first FILE",
                       ft->number, s);
    }
    if (lines)
        gap += t1 + ft->pregap;
    if (gap - t1 - ft->pregap < DISC_PREGAP) {
        p->line = ft->line;
        return cue_err(p, DISC_E_FORMAT,
                       "session %02d: a gap of %d sectors "
                       "after the lead-out leaves no room for the pregap of "
                       "TRACK %02d",
                       s, gap, ft->number);
    }
    w->seg_lba = lead + gap - t1 - ft->pregap;
    return 0;
}

/* 1 when the n-byte sector at off of f is a data sector whose header
 * gives lba, 0 when it is not, -1 when it cannot be read. */
static int
cue_sector_is(struct cue_parse *p, const struct cue_file *f, int64_t off,
              uint32_t n, disc_lba lba, int *zero)
{
    uint8_t sec[DISC_SECTOR_RAW + 96];
    struct disc_msf m = disc_lba_to_msf(lba);
    uint32_t i;

    *zero = 0;
    if (n > sizeof sec || off < 0 || off + n > f->size || !f->src->ops->pread ||
        f->src->ops->pread(p->ctx, f->src, off, n, sec) < 0)
        return -1;
    for (i = 0; i < n && !sec[i]; i++)
        ;
    *zero = i == n;
    return n >= 16 && memcmp(sec, disc_sync, sizeof disc_sync) == 0 &&
           sec[12] == disc_to_bcd(m.m) && sec[13] == disc_to_bcd(m.s) &&
           sec[14] == disc_to_bcd(m.f);
}

/* One FILE holding two sessions: 1 when it stores the gap between them
 * ("padded", file time = disc time: Aaru, IsoBuster, ImgBurn, our
 * --merge), 0 when the next session follows the lead-out directly
 * ("compact": DIC's .img).  The sheets are the same; the file tells: a
 * data sector whose header is the session's first LBA, at the padded or
 * at the compact position; otherwise zeros where the gap would be.  A
 * file too short for the padded form is compact.  at: byte offset of
 * the lead-out, gap: sectors between it and the session, lba: the LBA
 * of the session's first stored sector. */
static int
cue_gap_is_stored(struct cue_parse *p, const struct cue_file *f, int64_t at,
                  int32_t gap, uint32_t stride, disc_lba lba)
{
    int64_t pad = at + (int64_t)gap * stride;
    int z0, z1, zend;

    if (pad + stride > f->size)
        return 0;
    if (cue_sector_is(p, f, pad, stride, lba, &z1) == 1)
        return 1;
    if (cue_sector_is(p, f, at, stride, lba, &z0) == 1)
        return 0;
    (void)cue_sector_is(p, f, pad - stride, stride, lba, &zend);
    return z0 && zend;
}

/* The lead-out inside one FILE (single-file sheets: DIC _img.cue, Aaru,
 * IsoBuster, ImgBurn): INDEX times are disc positions.  REM LEAD-OUT,
 * when given, is the lead-out's position; without it the standard gap is
 * assumed (libMirage).  Whether the gap is stored in the file is
 * cue_gap_is_stored's call. */
static int
cue_session_inside(struct cue_parse *p, struct cue_walk *w, int s,
                   int32_t t_first)
{
    const struct cue_track *ft = &p->track[p->session_first[s] - 1];
    const struct cue_gap *g = &p->gap[s];
    const struct cue_file *f = &p->file[w->file];
    int32_t std = disc_session_gap(s);
    int32_t L;
    int r;

    if (ft->idx[1].file != w->file) {
        p->line = ft->idx[1].line;
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX 01 of TRACK %02d, the first "
                       "track of session %02d, must be in the same FILE as "
                       "its first INDEX",
                       ft->number, s);
    }
    if (g->leadout >= 0 && (g->leadin >= 0 || g->pregap >= 0)) {
        /* Length lines inside one FILE: the gap counts from the previous
         * session's data end, which is the first INDEX time here. */
        L = ft->idx[1].time + ft->pregap - cue_gap_length(p, s);
    } else if (g->leadout >= 0) {
        L = g->leadout;
    } else {
        L = ft->idx[1].time + ft->pregap - std;
    }
    if (L <= w->last_time || t_first - L < DISC_PREGAP) {
        char a[16];
        p->line = g->line ? g->line : ft->line;
        return cue_err(p, DISC_E_FORMAT,
                       "session %02d: lead-out of the "
                       "previous session at %s does not fit between its "
                       "last INDEX and TRACK %02d",
                       s, disc_format_msf(L < 0 ? 0 : L, a, sizeof a),
                       ft->number);
    }
    if (L > cue_file_end_time(p, w, p->track[w->seg_track].dt->stride)) {
        p->line = f->line;
        return cue_err(p, DISC_E_RANGE,
                       "FILE \"%.100s\" is too short for "
                       "session %02d's lead-out",
                       f->name, s - 1);
    }
    r = cue_end_track(p, w, L);
    if (r < 0)
        return r;
    p->d->session[s - 2].leadout = w->seg_lba;
    if (cue_gap_is_stored(p, f, w->seg_byte, t_first - L, ft->dt->stride,
                          w->seg_lba + (t_first - L) + ft->pregap))
        w->seg_byte += (int64_t)(t_first - L) * ft->dt->stride;
    w->seg_lba += t_first - L;
    w->seg_time = t_first;
    w->open = 0;
    return 0;
}

/* INDEX n of track t must lie inside the current FILE, whose sectors
 * from the open segment on are stride bytes long. */
static int
cue_index_in_file(struct cue_parse *p, const struct cue_walk *w,
                  const struct cue_track *t, int n, uint32_t stride)
{
    const struct cue_file *f = &p->file[w->file];
    int32_t time = t->idx[n].time, end = cue_file_end_time(p, w, stride);
    char a[16], b[16];

    p->line = t->idx[n].line;
    if (time < end)
        return 0;
    return cue_err(p, DISC_E_RANGE,
                   "INDEX %02d of TRACK %02d at %s "
                   "is beyond the end of FILE \"%.100s\" (%s)",
                   n, t->number, disc_format_msf(time, a, sizeof a), f->name,
                   disc_format_msf(end, b, sizeof b));
}

static int
cue_walk_index(struct cue_parse *p, struct cue_walk *w, int ti, int n)
{
    struct cue_track *t = &p->track[ti];
    int32_t time = t->idx[n].time;
    int r;

    p->line = t->idx[n].line;
    if (ti != w->cur_track && w->pending &&
        p->session_first[w->pending] == ti + 1) {
        r = cue_session_inside(p, w, w->pending, time);
        w->pending = 0;
        if (r < 0)
            return r;
    }
    r = cue_index_in_file(p, w, t, n,
                          w->open ? p->track[w->seg_track].dt->stride
                                  : t->dt->stride);
    if (r < 0)
        return r;
    if (ti != w->cur_track) {
        r = cue_end_track(p, w, time);
        if (r < 0)
            return r;
        if (!w->open && time != w->seg_time) {
            char a[16];
            return cue_err(p, DISC_E_FORMAT,
                           "TRACK %02d, the first track "
                           "of session %02d, must start its FILE at "
                           "00:00:00, not %s",
                           t->number, t->session,
                           disc_format_msf(time, a, sizeof a));
        }
        t->gen_start = w->seg_lba;
        r = cue_gen(p, w, ti, t->pregap);
        if (r < 0)
            return r;
        w->open = 1;
        w->seg_track = ti;
        w->cur_track = ti;
    }
    t->lba[n] = w->seg_lba + (time - w->seg_time);
    w->last_time = time;
    if (n == t->last && t->postgap > 0)
        w->post = ti;
    return 0;
}

/* The INDEX 00 of an unripped data track (cue_drop_unripped) is the
 * session's lead-out: the running track ends there, and the rest of the
 * FILE, the placeholder's pregap, belongs to no track. */
static int
cue_walk_leadout(struct cue_parse *p, struct cue_walk *w, int ti)
{
    const struct cue_track *t = &p->track[ti];
    int r = cue_index_in_file(p, w, t, 0, p->track[w->seg_track].dt->stride);

    if (r == 0)
        r = cue_end_track(p, w, t->idx[0].time);
    w->file = -1; /* nothing more of it is stored */
    return r;
}

int
disc_cue_layout(struct cue_parse *p)
{
    struct cue_walk w;
    size_t i;
    int r = 0;

    memset(&w, 0, sizeof w);
    w.file = -1;
    w.cur_track = -1;
    w.post = -1;
    for (i = 0; i < p->nitem && r == 0; i++) {
        const struct cue_item *it = &p->item[i];
        switch (it->kind) {
        case CUE_IT_FILE:
            r = cue_finish_file(p, &w);
            if (r < 0)
                break;
            w.file = it->arg;
            w.seg_time = 0;
            w.seg_byte = 0;
            w.last_time = -1;
            if (w.pending) {
                r = cue_session_between(p, &w, w.pending);
                w.pending = 0;
                w.open = 0;
            } else {
                /* Data before the first INDEX of this FILE continues the
                 * current track (EAC "gaps appended" and similar). */
                w.open = w.cur_track >= 0;
                w.seg_track = w.cur_track;
            }
            break;
        case CUE_IT_INDEX:
            r = cue_walk_index(p, &w, it->arg, it->index);
            break;
        case CUE_IT_SESSION:
            w.pending = it->arg;
            break;
        case CUE_IT_LEADOUT:
            r = cue_walk_leadout(p, &w, it->arg);
            break;
        }
    }
    if (r == 0)
        r = cue_finish_file(p, &w);
    if (r == 0)
        p->d->session[p->d->nsessions - 1].leadout = w.seg_lba;
    return r;
}
