/* verify.c - integrity check of a whole disc: data sectors' sync,
 * header, EDC and ECC; captured Q frames' CRC and agreement with the
 * TOC; audio silence and clipping as information.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: ECMA-130 sections 14-16 (sector layout, EDC/ECC), IEC
 * 60908 (Q channel); docs/formats/cd.md.  An audio -> data transition
 * codes the first part of the data track's pregap as audio.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "disc_format.h"
#include "verify.h"

#define SILENCE_MIN 75 /* sectors (1 s) of digital silence worth a note */
#define CLIP_RUN 4     /* consecutive full-scale samples that mean clipping */

const char *
disc_problem_name(enum disc_problem_kind k)
{
    static const char *const names[DISC_PROB_NKINDS] = {
        "read error", "no sync",  "wrong address", "wrong mode",
        "EDC",        "ECC",      "Q CRC",         "Q disagrees with TOC",
        "silence",    "clipping",
    };
    return (int)k >= 0 && k < DISC_PROB_NKINDS ? names[k] : "?";
}

struct vstate {
    struct disc_ctx *ctx;
    const struct disc *d;
    void (*cb)(void *, const struct disc_problem *);
    void *user;
    struct disc_verify_report *rep;
    int damaged_here; /* current sector already counted as damaged */
    /* Runs of information-only findings. */
    disc_lba silent_start, clip_start;
    int32_t silent_len, clip_len;
    int run_track;
};

static void v_report(struct vstate *v, enum disc_problem_kind k, disc_lba lba,
                     int32_t count, int track, int info, const char *fmt, ...)
    DISC_PRINTF(7, 8);

static void
v_report(struct vstate *v, enum disc_problem_kind k, disc_lba lba,
         int32_t count, int track, int info, const char *fmt, ...)
{
    struct disc_problem p;
    va_list ap;

    memset(&p, 0, sizeof p);
    p.kind = k;
    p.lba = lba;
    p.count = count;
    p.track = track;
    p.info = info;
    va_start(ap, fmt);
    (void)vsnprintf(p.detail, sizeof p.detail, fmt, ap); /* may be cut */
    va_end(ap);
    v->rep->count[k] += count;
    if (!info && !v->damaged_here) {
        v->rep->damaged++;
        v->damaged_here = 1;
    }
    if (v->cb)
        v->cb(v->user, &p);
}

static void
v_flush_silence(struct vstate *v)
{
    if (v->silent_len >= SILENCE_MIN)
        v_report(v, DISC_PROB_SILENCE, v->silent_start, v->silent_len,
                 v->run_track, 1, "%d sectors of digital silence",
                 v->silent_len);
    v->silent_len = 0;
}

static void
v_flush_clip(struct vstate *v)
{
    if (v->clip_len > 0)
        v_report(v, DISC_PROB_CLIPPED, v->clip_start, v->clip_len, v->run_track,
                 1, "%d sectors with clipped samples", v->clip_len);
    v->clip_len = 0;
}

static int
v_is_zero(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static int
v_clipped(const uint8_t *s)
{
    int ch, i, run;
    for (ch = 0; ch < 2; ch++) {
        run = 0;
        for (i = 0; i < 588; i++) {
            int16_t x =
                (int16_t)disc_rd_le16(s + (size_t)i * 4 + (size_t)ch * 2);
            run = (x == 32767 || x == -32768) ? run + 1 : 0;
            if (run >= CLIP_RUN)
                return 1;
        }
    }
    return 0;
}

static void
v_audio(struct vstate *v, const struct disc_track *t, disc_lba l,
        const uint8_t *s)
{
    if (l >= t->index[1] && v_is_zero(s, DISC_SECTOR_RAW)) {
        if (!v->silent_len)
            v->silent_start = l;
        v->silent_len++;
    } else {
        v_flush_silence(v);
    }
    if (v_clipped(s)) {
        if (!v->clip_len)
            v->clip_start = l;
        v->clip_len++;
    } else {
        v_flush_clip(v);
    }
}

static int
v_mode_fits(enum disc_track_mode m, enum disc_sector_type t)
{
    if (t == DISC_SECTOR_MODE0)
        return 1; /* empty sectors are legal in gaps */
    switch (m) {
    case DISC_MODE_MODE1:
        return t == DISC_SECTOR_MODE1;
    case DISC_MODE_MODE2_FORM1:
        return t == DISC_SECTOR_FORM1;
    case DISC_MODE_MODE2_FORM2:
        return t == DISC_SECTOR_FORM2;
    case DISC_MODE_MODE2:
    case DISC_MODE_MODE2_MIXED:
        return t == DISC_SECTOR_MODE2 || t == DISC_SECTOR_FORM1 ||
               t == DISC_SECTOR_FORM2;
    case DISC_MODE_AUDIO:
        return 1;
    }
    return 0;
}

static const char *
v_type_name(enum disc_sector_type t)
{
    static const char *const n[] = { "audio",  "Mode 0", "Mode 1",  "Mode 2",
                                     "Form 1", "Form 2", "bad mode" };
    return (int)t >= 0 && t <= DISC_SECTOR_BADMODE ? n[t] : "?";
}

static void
v_data(struct vstate *v, const struct disc_track *t, disc_lba l,
       const uint8_t *s)
{
    struct disc_sector_info in;

    disc_sector_classify(s, &in);
    if (in.type == DISC_SECTOR_AUDIO) {
        /* Audio -> data transitions code the first part of the data
         * track's pregap as audio (ECMA-130 / SCSI-2 Table 236). */
        if (l < t->index[1])
            return;
        v_report(v, DISC_PROB_SYNC, l, 1, t->number, 0,
                 "no sync pattern in a %s track", disc_mode_name(t->mode));
        return;
    }
    v->rep->data_sectors++;
    if (in.type == DISC_SECTOR_BADMODE) {
        v_report(v, DISC_PROB_MODE, l, 1, t->number, 0, "mode byte 0x%02x",
                 s[15]);
        return;
    }
    if (in.lba != l)
        v_report(v, DISC_PROB_ADDRESS, l, 1, t->number, 0,
                 "header says LBA %d%s", in.lba,
                 (s[12] | s[13] | s[14]) ? "" : " (zeroed header)");
    if (!v_mode_fits(t->mode, in.type))
        v_report(v, DISC_PROB_MODE, l, 1, t->number, 0,
                 "%s sector in a %s track", v_type_name(in.type),
                 disc_mode_name(t->mode));
    if (in.edc_ok == 0)
        v_report(v, DISC_PROB_EDC, l, 1, t->number, 0, "%s EDC mismatch",
                 v_type_name(in.type));
    if (in.ecc_ok == 0)
        v_report(v, DISC_PROB_ECC, l, 1, t->number, 0, "%s ECC mismatch",
                 v_type_name(in.type));
}

/* The position Q the TOC implies for lba in track t. */
static void
v_expect(const struct disc_track *t, disc_lba l, int *index, int32_t *rel)
{
    int n;

    if (l < t->index[1]) {
        *index = 0;
        *rel = t->index[1] - l;
        return;
    }
    for (n = t->last_index; n > 1 && t->index[n] > l; n--)
        ;
    *index = n;
    *rel = l - t->index[1];
}

static void
v_q(struct vstate *v, const struct disc_track *t, disc_lba l,
    const uint8_t *sub)
{
    const uint8_t *q = sub + 12;
    struct disc_q dq;
    int index;
    int32_t rel;

    v->rep->q_frames++;
    if (!disc_q_crc_ok(q)) {
        v_report(v, DISC_PROB_QCRC, l, 1, t->number, 0,
                 "Q CRC %02x%02x invalid", q[10], q[11]);
        return;
    }
    if (disc_q_decode(q, &dq) != 0) {
        v_report(v, DISC_PROB_QTOC, l, 1, t->number, 0,
                 "Q frame with a valid CRC but undecodable content");
        return;
    }
    if ((dq.control & DISC_CTL_DATA) != (t->control & DISC_CTL_DATA)) {
        v_report(v, DISC_PROB_QTOC, l, 1, t->number, 0,
                 "Q CONTROL 0x%x, TOC says 0x%x", dq.control, t->control);
        return;
    }
    switch (dq.adr) {
    case 1:
        v_expect(t, l, &index, &rel);
        if (dq.tno != t->number || dq.index != index || dq.rel != rel ||
            dq.abs != l)
            v_report(v, DISC_PROB_QTOC, l, 1, t->number, 0,
                     "Q says track %u index %u rel %d abs %d; TOC: track "
                     "%u index %d rel %d abs %d",
                     dq.tno, dq.index, dq.rel, dq.abs, t->number, index, rel,
                     l);
        break;
    case 2:
        if (v->d->mcn[0] && strcmp(dq.mcn, v->d->mcn) != 0)
            v_report(v, DISC_PROB_QTOC, l, 1, t->number, 0,
                     "Q MCN %s, disc MCN %s", dq.mcn, v->d->mcn);
        break;
    case 3:
        if (t->isrc[0] && strcmp(dq.isrc, t->isrc) != 0)
            v_report(v, DISC_PROB_QTOC, l, 1, t->number, 0,
                     "Q ISRC %s, track ISRC %s", dq.isrc, t->isrc);
        break;
    default:
        break;
    }
}

int
disc_verify_container(struct disc_ctx *ctx, const struct disc *d, char *note,
                      size_t notelen)
{
    int r;

    if (notelen)
        note[0] = '\0';
    if (!d->format || !d->format->check || !d->source_name)
        return 0;
    r = d->format->check(ctx, d->source_name, note, notelen);
    return r < 0 ? r : 1;
}

int
disc_verify(struct disc_ctx *ctx, const struct disc *d,
            void (*cb)(void *user, const struct disc_problem *p), void *user,
            struct disc_verify_report *rep)
{
    struct vstate v;
    uint8_t *main = NULL, *sub = NULL;
    int i, r = 0;

    memset(rep, 0, sizeof *rep);
    memset(&v, 0, sizeof v);
    v.ctx = ctx;
    v.d = d;
    v.cb = cb;
    v.user = user;
    v.rep = rep;
    main = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    sub = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_SUB);
    if (!main || !sub) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto out;
    }
    ctx->progress_done = 0;
    ctx->progress_total = 0;
    for (i = 0; i < d->ntracks; i++)
        ctx->progress_total += disc_track_length(d, i);
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        disc_lba l = t->index[0], end = disc_track_end(d, i);

        v.run_track = t->number;
        while (l < end) {
            uint32_t n = (uint32_t)(end - l), k;
            int want_sub = 0;
            if (n > DISC_CHUNK)
                n = DISC_CHUNK;
            for (k = 0; k < n && !want_sub; k++)
                want_sub = disc_lba_has_sub(d, l + (disc_lba)k);
            r = disc_read_sectors(ctx, d, l, n, main, want_sub ? sub : NULL);
            if (r < 0) {
                /* Report the chunk and go on: one bad file region should
                 * not hide the rest of the disc. */
                v.damaged_here = 0;
                v_report(&v, DISC_PROB_READ, l, (int32_t)n, t->number, 0, "%s",
                         ctx->msg);
                rep->damaged += (int32_t)n - 1;
                r = 0;
                l += (disc_lba)n;
                continue;
            }
            for (k = 0; k < n; k++) {
                disc_lba s = l + (disc_lba)k;
                const uint8_t *m = main + (size_t)k * DISC_SECTOR_RAW;
                v.damaged_here = 0;
                rep->sectors++;
                if (!disc_lba_stored(d, s))
                    continue;
                if (t->mode == DISC_MODE_AUDIO)
                    v_audio(&v, t, s, m);
                else
                    v_data(&v, t, s, m);
                if (want_sub && disc_lba_has_sub(d, s))
                    v_q(&v, t, s, sub + (size_t)k * DISC_SECTOR_SUB);
            }
            l += (disc_lba)n;
            ctx->progress_done += n;
            disc_progress(ctx, ctx->progress_done, ctx->progress_total);
        }
        v_flush_silence(&v);
        v_flush_clip(&v);
    }
out:
    disc_free_mem(main);
    disc_free_mem(sub);
    return r;
}
