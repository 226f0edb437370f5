/* source.c - extents and disc_read_sectors(): every sector of a disc as
 * raw 2352 bytes plus 96 deinterleaved subchannel bytes, whatever the
 * storage (raw, cooked, generated, interleaved or separate subchannel).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/architecture.md (sources and extents),
 * docs/formats/cd.md (sector and subchannel layouts).
 */
#include <string.h>

#include "internal.h"

/* Sectors processed per batch through the stack scratch buffer. */
#define BATCH 16
#define MAX_STRIDE (DISC_SECTOR_RAW + DISC_SECTOR_SUB)

uint32_t
disc_data_size(enum disc_data_layout l)
{
    switch (l) {
    case DISC_DATA_RAW:
        return DISC_SECTOR_RAW;
    case DISC_DATA_MODE1:
    case DISC_DATA_FORM1:
        return 2048;
    case DISC_DATA_FORM2:
        return 2324;
    case DISC_DATA_MODE2:
        return 2336;
    case DISC_DATA_GEN:
    case DISC_DATA_SECTORS:
        return 0;
    }
    return 0;
}

uint32_t
disc_data_offset(enum disc_data_layout l)
{
    switch (l) {
    case DISC_DATA_MODE1:
    case DISC_DATA_MODE2:
        return 16; /* after sync and header */
    case DISC_DATA_FORM1:
    case DISC_DATA_FORM2:
        return 24; /* after the subheader too */
    case DISC_DATA_RAW:
    case DISC_DATA_GEN:
    case DISC_DATA_SECTORS:
        return 0;
    }
    return 0;
}

int64_t
disc_source_sectors(const struct disc_source *src, int64_t offset,
                    int64_t count, uint32_t stride)
{
    int64_t whole;

    if (src->size < 0)
        return count;
    whole = src->size > offset ? (src->size - offset) / stride : 0;
    return whole < count ? whole : count;
}

enum disc_gen
disc_gen_for_mode(enum disc_track_mode m)
{
    switch (m) {
    case DISC_MODE_AUDIO:
        return DISC_GEN_ZERO;
    case DISC_MODE_MODE1:
        return DISC_GEN_MODE1;
    case DISC_MODE_MODE2:
        return DISC_GEN_MODE2;
    case DISC_MODE_MODE2_FORM1:
        return DISC_GEN_FORM1;
    case DISC_MODE_MODE2_FORM2:
    case DISC_MODE_MODE2_MIXED:
        return DISC_GEN_FORM2;
    }
    return DISC_GEN_ZERO;
}

void
disc_source_attach(struct disc *d, struct disc_source *s)
{
    s->next = d->priv->sources;
    d->priv->sources = s;
}

void
disc_source_close(struct disc_source *s)
{
    if (s && s->ops->close)
        s->ops->close(s);
}

int
disc_extent_add(struct disc_ctx *ctx, struct disc *d,
                const struct disc_extent *e)
{
    struct disc_priv *p = d->priv;
    size_t i;

    if (e->count == 0)
        return 0;
    if (e->data != DISC_DATA_GEN && !e->src)
        return disc_error(ctx, DISC_E_ARG, "extent at LBA %d has no source",
                          e->lba);
    if (e->data != DISC_DATA_GEN && e->data != DISC_DATA_SECTORS &&
        e->stride < disc_data_size(e->data) +
                        (e->sub == DISC_SUBL_INTERLEAVED ? 96u : 0u))
        return disc_error(ctx, DISC_E_ARG,
                          "extent at LBA %d: stride %u too "
                          "small",
                          e->lba, e->stride);
    if (e->stride > MAX_STRIDE)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "sector size %u is not supported", e->stride);
    /* Keep the array sorted: find the insertion point from the end,
     * since readers add extents in ascending order. */
    i = p->next;
    while (i > 0 && p->ext[i - 1].lba > e->lba)
        i--;
    if (i > 0 &&
        (int64_t)p->ext[i - 1].lba + p->ext[i - 1].count > (int64_t)e->lba)
        return disc_error(ctx, DISC_E_FORMAT, "data for LBA %d is mapped twice",
                          e->lba);
    if (i < p->next && (int64_t)e->lba + e->count > (int64_t)p->ext[i].lba)
        return disc_error(ctx, DISC_E_FORMAT, "data for LBA %d is mapped twice",
                          p->ext[i].lba);
    if (disc_grow(ctx, &p->ext, p->next + 1, &p->cap, sizeof *p->ext, 16) < 0)
        return DISC_E_NOMEM;
    memmove(&p->ext[i + 1], &p->ext[i], (p->next - i) * sizeof *p->ext);
    p->ext[i] = *e;
    p->next++;
    return 0;
}

size_t
disc_extent_count(const struct disc *d)
{
    return d->priv->next;
}

const struct disc_extent *
disc_extent_get(const struct disc *d, size_t i)
{
    return i < d->priv->next ? &d->priv->ext[i] : NULL;
}

const struct disc_extent *
disc_extent_find(const struct disc *d, disc_lba lba)
{
    const struct disc_priv *p = d->priv;
    size_t lo = 0, hi = p->next;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct disc_extent *e = &p->ext[mid];
        if (lba < e->lba)
            hi = mid;
        else if ((int64_t)lba >= (int64_t)e->lba + e->count)
            lo = mid + 1;
        else
            return e;
    }
    return NULL;
}

int
disc_lba_stored(const struct disc *d, disc_lba lba)
{
    const struct disc_extent *e = disc_extent_find(d, lba);
    return e && e->data != DISC_DATA_GEN;
}

int
disc_lba_has_sub(const struct disc *d, disc_lba lba)
{
    const struct disc_extent *e = disc_extent_find(d, lba);
    return e && (e->sub != DISC_SUBL_NONE || e->data == DISC_DATA_SECTORS);
}

/* Mode of the sectors at lba for generation: the track's, or that of
 * the session's first track for its unstored Red Book pregap. */
static int
unmapped_mode(const struct disc *d, disc_lba lba, uint32_t *run,
              enum disc_track_mode *mode)
{
    int s;

    for (s = 0; s < d->nsessions; s++) {
        int t = disc_track_find(d, d->session[s].first_track);
        disc_lba start = disc_session_start(d, s);
        if (t >= 0 && lba >= start && lba < d->track[t].index[0]) {
            *run = (uint32_t)(d->track[t].index[0] - lba);
            *mode = d->track[t].mode;
            return 0;
        }
    }
    return -1;
}

void
disc_swap16(uint8_t *p, size_t n)
{
    const uint64_t lo = 0x00FF00FF00FF00FFull;
    size_t i;

    /* Eight bytes at a time: the masks pick every other byte whatever
     * the host's byte order, so each pair swaps in place. */
    for (i = 0; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        x = (x & lo) << 8 | (x >> 8 & lo);
        memcpy(p + i, &x, 8);
    }
    for (; i + 1 < n; i += 2) {
        uint8_t t = p[i];
        p[i] = p[i + 1];
        p[i + 1] = t;
    }
}

/* Reads n sectors of one extent starting at lba. */
static int
read_extent(struct disc_ctx *ctx, const struct disc *d,
            const struct disc_extent *e, disc_lba lba, uint32_t n,
            uint8_t *main, uint8_t *sub)
{
    int64_t rel = (int64_t)lba - e->lba;
    uint32_t dsize = disc_data_size(e->data);
    uint32_t i, done;
    int r;

    if (e->data == DISC_DATA_SECTORS)
        return e->src->ops->read_sectors(
            ctx, e->src, (disc_lba)(e->offset + rel), n, main, sub);
    if (e->data == DISC_DATA_GEN) {
        if (main)
            for (i = 0; i < n; i++)
                disc_sector_generate(main + (size_t)i * DISC_SECTOR_RAW,
                                     lba + (disc_lba)i, e->gen);
    } else if (main && e->data == DISC_DATA_RAW &&
               e->stride == DISC_SECTOR_RAW) {
        /* Fast path: the stored bytes are the raw sectors. */
        r = e->src->ops->pread(ctx, e->src, e->offset + rel * e->stride,
                               (size_t)n * DISC_SECTOR_RAW, main);
        if (r < 0)
            return r;
    } else if (main || e->sub == DISC_SUBL_INTERLEAVED) {
        uint8_t scratch[BATCH * MAX_STRIDE];
        for (done = 0; done < n; done += BATCH) {
            uint32_t k = n - done;
            if (k > BATCH)
                k = BATCH;
            r = e->src->ops->pread(ctx, e->src,
                                   e->offset + (rel + done) * e->stride,
                                   (size_t)k * e->stride, scratch);
            if (r < 0)
                return r;
            for (i = 0; i < k; i++) {
                const uint8_t *in = scratch + (size_t)i * e->stride;
                disc_lba l = lba + (disc_lba)(done + i);
                if (main) {
                    uint8_t *out = main + (size_t)(done + i) * DISC_SECTOR_RAW;
                    if (e->data == DISC_DATA_RAW)
                        memcpy(out, in, DISC_SECTOR_RAW);
                    else
                        disc_sector_from_cooked(out, l, e->data, in);
                }
                if (sub && e->sub == DISC_SUBL_INTERLEAVED)
                    disc_sub_deinterleave(
                        in + dsize, sub + (size_t)(done + i) * DISC_SECTOR_SUB);
            }
        }
    }
    if (main && (e->flags & (DISC_EXT_SWAP | DISC_EXT_SCRAMBLED))) {
        for (i = 0; i < n; i++) {
            uint8_t *s = main + (size_t)i * DISC_SECTOR_RAW;
            if (e->flags & DISC_EXT_SWAP)
                disc_swap16(s, DISC_SECTOR_RAW);
            /* Only data sectors are scrambled on the disc; audio sectors
             * have no sync pattern. */
            if ((e->flags & DISC_EXT_SCRAMBLED) &&
                memcmp(s, disc_sync, sizeof disc_sync) == 0)
                disc_scramble(s);
        }
    }
    if (sub && e->sub == DISC_SUBL_SEPARATE) {
        r = e->sub_src->ops->pread(ctx, e->sub_src,
                                   e->sub_offset + rel * DISC_SECTOR_SUB,
                                   (size_t)n * DISC_SECTOR_SUB, sub);
        if (r < 0)
            return r;
    } else if (sub && e->sub == DISC_SUBL_NONE) {
        r = disc_sub_synth(ctx, d, lba, n, sub);
        if (r < 0)
            return r;
    }
    return 0;
}

int
disc_read_sectors(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                  uint32_t count, uint8_t *main, uint8_t *sub)
{
    uint32_t done = 0;

    while (done < count) {
        disc_lba l = lba + (disc_lba)done;
        const struct disc_extent *e = disc_extent_find(d, l);
        uint32_t n = count - done;
        uint8_t *m = main ? main + (size_t)done * DISC_SECTOR_RAW : NULL;
        uint8_t *s = sub ? sub + (size_t)done * DISC_SECTOR_SUB : NULL;
        int r;

        if (e) {
            uint32_t left = (uint32_t)((int64_t)e->lba + e->count - l);
            if (n > left)
                n = left;
            r = read_extent(ctx, d, e, l, n, m, s);
        } else {
            enum disc_track_mode mode;
            uint32_t run, i;
            if (unmapped_mode(d, l, &run, &mode) != 0)
                return disc_error(ctx, DISC_E_RANGE,
                                  "LBA %d is not part of any track", l);
            if (n > run)
                n = run;
            if (m)
                for (i = 0; i < n; i++)
                    disc_sector_generate(m + (size_t)i * DISC_SECTOR_RAW,
                                         l + (disc_lba)i,
                                         disc_gen_for_mode(mode));
            r = s ? disc_sub_synth(ctx, d, l, n, s) : 0;
        }
        if (r < 0)
            return r;
        done += n;
    }
    return 0;
}
