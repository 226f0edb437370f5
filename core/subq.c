/* subq.c - MCN, ISRC and INDEX 02+ recovered from the Q channel of a
 * disc's captured subchannel, for formats whose descriptor has no field
 * for them (MDS v1, CHD).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: IEC 60908 (Q channel modes 1-3); libMirage (where MCN and
 * ISRC frames are looked for); docs/formats/mds.md, docs/formats/chd.md.
 */
#include <string.h>

#include "disc_format.h"

/* MCN and ISRC Q frames recur within every 100 sectors. */
#define SUBQ_SCAN 100
/* Looks for MCN (ADR 2) and ISRC (ADR 3) Q frames in the first 100
 * sectors of track i from its INDEX 00 and from its INDEX 01 (libMirage
 * looks from INDEX 00). */
int
disc_sub_scan_codes(struct disc_ctx *ctx, const struct disc *d, int i,
                    char mcn[14], char isrc[13])
{
    static const size_t qoff = 12; /* Q is channel 1 of the linear P-W */
    uint8_t sub[SUBQ_SCAN * DISC_SECTOR_SUB];
    const struct disc_track *t = &d->track[i];
    disc_lba end = disc_track_end(d, i), from[2], to[2];
    int pass, r;

    mcn[0] = isrc[0] = '\0';
    from[0] = t->index[0];
    to[0] = t->index[0] + SUBQ_SCAN;
    from[1] = t->index[1] > to[0] ? t->index[1] : to[0];
    to[1] = t->index[1] + SUBQ_SCAN;
    for (pass = 0; pass < 2; pass++) {
        disc_lba stop = to[pass] < end ? to[pass] : end, l;
        if (from[pass] >= stop)
            continue;
        r = disc_read_sectors(ctx, d, from[pass], (uint32_t)(stop - from[pass]),
                              NULL, sub);
        if (r < 0)
            return r;
        for (l = 0; l < stop - from[pass]; l++) {
            const uint8_t *q = sub + (size_t)l * DISC_SECTOR_SUB + qoff;
            struct disc_q dq;
            if (!disc_q_crc_ok(q) || disc_q_decode(q, &dq) != 0)
                continue;
            if (dq.adr == 2 && !mcn[0] && disc_valid_mcn(dq.mcn))
                memcpy(mcn, dq.mcn, 14);
            else if (dq.adr == 3 && !isrc[0] && disc_valid_isrc(dq.isrc))
                memcpy(isrc, dq.isrc, 13);
        }
    }
    return 0;
}

struct subq_src {
    struct disc_ctx *ctx;
    const struct disc *d;
};

/* The Q frame of lba as the disc serves it, for disc_qscan_indexes. */
static int
subq_at(void *user, disc_lba lba, uint8_t *q)
{
    const struct subq_src *m = user;
    uint8_t sub[DISC_SECTOR_SUB];
    int r = disc_read_sectors(m->ctx, m->d, lba, 1, NULL, sub);

    if (r < 0)
        return r;
    memcpy(q, sub + 12, 12); /* Q is channel 1 of the linear P-W */
    return 0;
}

/* Finds INDEX 02 and later of track i in its Q by the core's binary search
 * (disc_qscan_indexes).  idx[2..*last] get the result;
 * *last is 1 when there are none or the Q cannot tell. */
int
disc_sub_scan_indexes(struct disc_ctx *ctx, const struct disc *d, int i,
                      disc_lba *idx, int *last)
{
    struct subq_src m = { ctx, d };
    int r = disc_qscan_indexes(ctx, d, i, subq_at, &m, idx, last);

    return r < 0 ? r : 0;
}

/* Puts MCN, ISRC and INDEX 02+ found in the captured Q into the model
 * (for formats that have no field for them). */
int
disc_sub_recover(struct disc_ctx *ctx, struct disc *d)
{
    disc_lba idx[DISC_MAX_INDEX + 1];
    char mcn[14], isrc[13];
    int i, last, k, r;

    for (i = 0; i < d->ntracks; i++) {
        struct disc_track *t = &d->track[i];
        if (!disc_lba_has_sub(d, t->index[1]))
            continue;
        r = disc_sub_scan_codes(ctx, d, i, mcn, isrc);
        if (r < 0)
            return r;
        if (mcn[0] && !d->mcn[0])
            memcpy(d->mcn, mcn, sizeof mcn);
        if (isrc[0])
            memcpy(t->isrc, isrc, sizeof isrc);
        r = disc_sub_scan_indexes(ctx, d, i, idx, &last);
        if (r < 0)
            return r;
        for (k = 2; k <= last; k++)
            t->index[k] = idx[k];
        t->last_index = (uint8_t)last;
    }
    return 0;
}
