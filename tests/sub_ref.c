/* sub_ref.c - the reference the subchannel synthesis is tested against:
 * P and Q of each sector worked out on its own from where it lies in
 * the TOC, with the core's public Q encoders (which add the CRC), as
 * any caller would build them.  It shares nothing with disc_sub_synth's
 * run walk, frame templates or BCD counters.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Conventions (docs/formats/cd.md): P set over every pregap; INDEX 00
 * relative time counts down to 00:00:01; MCN (ADR 2) and ISRC (ADR 3,
 * audio tracks) frames where (L - index[0]) mod 100 is 25 and 50; the
 * lead-out (TNO AA, INDEX 01, the session's last track's control) runs
 * up to the next session's first sector, and 6750 sectors past the
 * last lead-out.
 */
#include <string.h>

#include "fixture.h"

#define REF_LEADOUT 6750
#define REF_MCN_PHASE 25
#define REF_ISRC_PHASE 50

/* The track whose span holds l: the last one that starts at or before
 * it (a session's first track 150 sectors before its index[0]); -1
 * before the first. */
static int
ref_track(const struct disc *d, disc_lba l)
{
    int i, t = -1;

    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *tr = &d->track[i];
        int opens = i == 0 || d->track[i - 1].session != tr->session;
        disc_lba first = tr->index[0] - (opens ? DISC_PREGAP : 0);
        if (first <= l)
            t = i;
    }
    return t;
}

/* P and Q of sector l into sub (96 bytes, R-W zero); -1 outside the
 * range the synthesis serves. */
static int
ref_sector(const struct disc *d, disc_lba l, uint8_t *sub)
{
    const struct disc_track *tr;
    uint8_t *q = sub + 12;
    int t, n, k, last;

    memset(sub, 0, DISC_SECTOR_SUB);
    if (d->ntracks == 0 || d->nsessions == 0 || l < disc_session_start(d, 0) ||
        (int64_t)l >=
            (int64_t)d->session[d->nsessions - 1].leadout + REF_LEADOUT)
        return -1;
    t = ref_track(d, l);
    if (t < 0)
        return -1;
    tr = &d->track[t];
    if (l >= disc_track_end(d, t)) {
        disc_lba lo = disc_track_session(d, t)->leadout;
        disc_q_encode_position(q, tr->control, 0xAA, 1, l - lo, l);
        return 0;
    }
    if (l < tr->index[1])
        memset(sub, 0xFF, 12);
    if (l >= tr->index[0]) {
        int64_t ph = ((int64_t)l - tr->index[0]) % 100;
        uint8_t aframe = (uint8_t)(disc_lba_frames(l) % 75);
        if (ph == REF_MCN_PHASE && d->mcn[0]) {
            disc_q_encode_mcn(q, tr->control, d->mcn, aframe);
            return 0;
        }
        if (ph == REF_ISRC_PHASE && tr->mode == DISC_MODE_AUDIO &&
            tr->isrc[0]) {
            disc_q_encode_isrc(q, tr->control, tr->isrc, aframe);
            return 0;
        }
    }
    if (l < tr->index[1]) {
        disc_q_encode_position(q, tr->control, tr->number, 0, tr->index[1] - l,
                               l);
        return 0;
    }
    last = tr->last_index < DISC_MAX_INDEX ? tr->last_index : DISC_MAX_INDEX;
    for (n = 1, k = 2; k <= last; k++)
        if (tr->index[k] <= l)
            n = k;
    disc_q_encode_position(q, tr->control, tr->number, (uint8_t)n,
                           l - tr->index[1], l);
    return 0;
}

int
t_sub_synth_ref(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                uint32_t count, uint8_t *sub)
{
    uint32_t k;

    for (k = 0; k < count; k++)
        if (ref_sector(d, lba + (disc_lba)k, sub + (size_t)k * 96) != 0)
            return disc_error(ctx, DISC_E_RANGE,
                              "reference subchannel: LBA %d is outside "
                              "the disc",
                              lba + (disc_lba)k);
    return 0;
}
