/* toc_layout.c - cdrdao TOC files: the reader's parsed tracks mapped onto
 * the disc (runs of pieces as extents, the joining and RW_RAW sources).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: cdrdao trackdb/Toc.cc, Track.cc (how sub-tracks join into
 * blocks), TrackData.cc (block sizes, byte order); docs/formats/toc.md.
 */
#include <string.h>

#include "toc.h"

/* ------------------------------------------------------------------ */
/* The joining source                                                  */

/* A byte source over a run whose pieces do not all fall on block
 * boundaries: pieces are served back to back, big-endian audio swapped,
 * and the run's last block padded with zeros. */
struct toc_cat {
    struct disc_source base;
    struct toc_piece *pc;
    int64_t *at; /* stream offset of each piece */
    size_t n;
};

static int
toc_cat_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off,
              size_t len, void *buf)
{
    struct toc_cat *c = (struct toc_cat *)s;
    uint8_t *out = buf;
    size_t i;

    memset(buf, 0, len);
    for (i = 0; i < c->n; i++) {
        const struct toc_piece *pc = &c->pc[i];
        int64_t a = off > c->at[i] ? off - c->at[i] : 0;
        int64_t b = off + (int64_t)len - c->at[i];
        if (b > pc->len)
            b = pc->len;
        if (b <= a || !pc->src)
            continue;
        while (a < b) {
            /* Swapped words are whole words of the piece: read from an
             * even piece offset. */
            uint8_t tmp[4096 + 2];
            int64_t ra = pc->swap ? (a & ~(int64_t)1) : a;
            int64_t rb = b - ra > 4096 ? ra + 4096 : b;
            int64_t rbx = pc->swap && (rb & 1) && rb < pc->len ? rb + 1 : rb;
            int r = pc->src->ops->pread(ctx, pc->src, pc->off + ra,
                                        (size_t)(rbx - ra), tmp);
            if (r < 0)
                return r;
            if (pc->swap)
                disc_swap16(tmp, (size_t)(rbx - ra));
            memcpy(out + (c->at[i] + a - off), tmp + (a - ra),
                   (size_t)(rb - a));
            a = rb;
        }
    }
    return 0;
}

static void
toc_cat_close(struct disc_source *s)
{
    struct toc_cat *c = (struct toc_cat *)s;

    disc_free_mem(c->pc);
    disc_free_mem(c->at);
    disc_free_mem(s->name);
    disc_free_mem(c);
}

static const struct disc_source_ops toc_cat_ops = {
    .name = "toc-run",
    .pread = toc_cat_pread,
    .close = toc_cat_close,
};

/* ------------------------------------------------------------------ */
/* RW_RAW sub-channel                                                  */

/* RW_RAW blocks carry 96 interleaved sub-channel bytes whose low six
 * bits are R-W (cdrdao(1): interleaved, with L-EC).  This source serves
 * those blocks with P and Q (bits 7 and 6) synthesised from the disc's
 * TOC, so that the extent can hand the core captured subchannel. */
struct toc_rw {
    struct disc_source base;
    struct disc_source *src; /* the blocks (owned by the disc) */
    int64_t off;             /* byte offset of the first block */
    disc_lba lba;            /* LBA of the first block */
    uint32_t stride, dsize;  /* block size, main bytes in it */
    const struct disc *d;
};

static int
toc_rw_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off,
             size_t len, void *buf)
{
    struct toc_rw *w = (struct toc_rw *)s;
    uint8_t *p = buf, lin[DISC_SECTOR_SUB], raw[DISC_SECTOR_SUB];
    int64_t b;
    size_t i;
    int r = w->src->ops->pread(ctx, w->src, w->off + off, len, buf);

    if (r < 0)
        return r;
    /* Whole blocks only: the core reads from block boundaries. */
    for (b = (off + w->stride - 1) / w->stride;
         (b + 1) * (int64_t)w->stride <= off + (int64_t)len; b++) {
        uint8_t *sub = p + (b * w->stride - off) + w->dsize;
        r = disc_sub_synth(ctx, w->d, w->lba + (disc_lba)b, 1, lin);
        if (r < 0)
            return r;
        disc_sub_interleave(lin, raw);
        for (i = 0; i < DISC_SECTOR_SUB; i++)
            sub[i] = (uint8_t)((raw[i] & 0xC0) | (sub[i] & 0x3F));
    }
    return 0;
}

static void
toc_rw_close(struct disc_source *s)
{
    disc_free_mem(s->name);
    disc_free_mem(s);
}

static const struct disc_source_ops toc_rw_ops = {
    .name = "toc-rw-raw",
    .pread = toc_rw_pread,
    .close = toc_rw_close,
};

/* ------------------------------------------------------------------ */
/* Runs                                                                */

/* Blocks of the track as its pieces stand (each run padded). */
long long
disc_toc_track_blocks(const struct toc_track *t)
{
    long long blocks = 0;
    size_t i = 0;

    while (i < t->npc) {
        uint32_t blen = toc_run_blen(t, &t->pc[i]);
        int64_t bytes = 0;
        size_t j = i;
        while (j < t->npc && toc_same_run(&t->pc[i], &t->pc[j]))
            bytes += t->pc[j++].len;
        blocks += (bytes + blen - 1) / blen;
        i = j;
    }
    return blocks;
}

/* ------------------------------------------------------------------ */
/* Layout                                                              */

/* The generated-sector kind for zeros of mode m in track t. */
static enum disc_gen
toc_gen(const struct toc_track *t, enum toc_mode m)
{
    if (m == t->mode || m == TOC_MODE0)
        return disc_gen_for_mode(disc_toc_modes[t->mode].mode);
    return disc_gen_for_mode(disc_toc_modes[m].mode);
}

static int
toc_extent(struct toc_state *st, disc_lba lba, uint32_t count,
           struct disc_source *src, int64_t off, uint32_t blen, enum toc_mode m,
           enum toc_sub sub, int swap, enum disc_gen gen)
{
    struct disc_extent e;

    memset(&e, 0, sizeof e);
    if (src && sub == TOC_SUB_RW_RAW) {
        struct toc_rw *w = disc_calloc(1, sizeof *w);
        if (!w || !(w->base.name = disc_strdup(src->name))) {
            disc_free_mem(w);
            return toc_nomem(&st->p);
        }
        w->base.ops = &toc_rw_ops;
        w->base.size = (int64_t)count * blen;
        w->src = src;
        w->off = off;
        w->lba = lba;
        w->stride = blen;
        w->dsize = disc_toc_modes[m].size;
        w->d = st->p.d;
        disc_source_attach(st->p.d, &w->base);
        src = &w->base;
        off = 0;
        e.sub = DISC_SUBL_INTERLEAVED;
    }
    /* Packed R-W (RW) is skipped: P and Q are synthesised
     * (docs/formats/toc.md). */
    e.lba = lba;
    e.count = count;
    e.src = src;
    e.offset = off;
    e.stride = blen;
    e.data = src ? disc_toc_modes[m].layout : DISC_DATA_GEN;
    e.gen = gen;
    e.flags = swap ? DISC_EXT_SWAP : 0;
    return disc_extent_add(st->p.ctx, st->p.d, &e);
}

/* Maps pieces [i, j) (one run) from LBA lba: one extent per piece when
 * every piece starts and ends on a block boundary, else one joining
 * source for the run. */
static int
toc_map_run(struct toc_state *st, size_t i, size_t j, disc_lba lba,
            uint32_t *blocks)
{
    struct toc_track *t = st->t;
    const struct toc_piece *pc = &t->pc[i];
    uint32_t blen = toc_run_blen(t, pc);
    int64_t bytes = 0;
    int aligned = 1;
    struct toc_cat *c;
    size_t k;
    int r;

    for (k = i; k < j; k++) {
        if (t->pc[k].len % blen)
            aligned = 0;
        bytes += t->pc[k].len;
    }
    *blocks = (uint32_t)((bytes + blen - 1) / blen);
    if (aligned) {
        for (k = i; k < j; k++) {
            uint32_t n = (uint32_t)(t->pc[k].len / blen);
            r = toc_extent(st, lba, n, t->pc[k].src, t->pc[k].off, blen,
                           t->pc[k].mode, t->pc[k].sub, t->pc[k].swap,
                           toc_gen(t, t->pc[k].mode));
            if (r < 0)
                return r;
            lba += (disc_lba)n;
        }
        return 0;
    }
    c = disc_calloc(1, sizeof *c);
    if (!c)
        return toc_nomem(&st->p);
    c->base.ops = &toc_cat_ops;
    c->base.size = (int64_t)*blocks * blen;
    c->n = j - i;
    c->pc = disc_malloc(c->n * sizeof *c->pc);
    c->at = disc_malloc(c->n * sizeof *c->at);
    c->base.name = disc_strdup(st->p.path);
    if (!c->pc || !c->at || !c->base.name) {
        toc_cat_close(&c->base);
        return toc_nomem(&st->p);
    }
    bytes = 0;
    for (k = 0; k < c->n; k++) {
        c->pc[k] = t->pc[i + k];
        c->at[k] = bytes;
        bytes += c->pc[k].len;
    }
    disc_source_attach(st->p.d, &c->base);
    /* Swapping was done per piece: the extent takes the bytes as they
     * come. */
    return toc_extent(st, lba, *blocks, &c->base, 0, blen, pc->mode, pc->sub, 0,
                      toc_gen(t, pc->mode));
}

/* Checks the finished track st->t and adds it to the disc. */
int
disc_toc_track_done(struct toc_state *st)
{
    struct toc_parse *p = &st->p;
    struct toc_track *t = st->t;
    struct disc *d = p->d;
    struct disc_track *dt = &d->track[d->ntracks];
    long long len = disc_toc_track_blocks(t), prev = 0;
    long long mark[DISC_MAX_INDEX + 1];
    unsigned mline[DISC_MAX_INDEX + 1];
    disc_lba lba = st->pos;
    int n = 0, k, r;
    size_t i = 0;

    if (len == 0)
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, t->line,
                             "track %d has no data", st->first_no + d->ntracks);
    if ((long long)st->pos + len > DISC_LBA_MAX)
        return disc_error_at(p->ctx, DISC_E_RANGE, p->path, t->line,
                             "the disc is longer than 90 minutes");
    if (t->start_set && t->start >= len)
        return disc_error_at(
            p->ctx, DISC_E_FORMAT, p->path, t->start_line,
            "START at block %lld is behind or at the track end "
            "(%lld blocks)",
            t->start, len);
    if (!t->start_set)
        t->start = 0;
    /* INDEX increments (relative to START) in ascending order, and
     * END's increment where it falls among them. */
    for (k = 0; k < t->nidx; k++) {
        if (t->idx[k] <= 0)
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, t->idx_line[k],
                                 "index at the start of the track");
        if (t->idx[k] <= prev)
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, t->idx_line[k],
                                 "index not after the previous one");
        prev = t->idx[k];
        mark[n] = t->idx[k];
        mline[n++] = t->idx_line[k];
    }
    if (t->end_set) {
        if (t->end <= t->start || t->end >= len)
            return disc_error_at(
                p->ctx, DISC_E_FORMAT, p->path, t->end_line,
                "END must lie after START and before the track "
                "end");
        for (k = n; k > 0 && mark[k - 1] > t->end - t->start; k--) {
            mark[k] = mark[k - 1];
            mline[k] = mline[k - 1];
        }
        if (k > 0 && mark[k - 1] == t->end - t->start)
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, t->end_line,
                                 "END falls on an INDEX");
        mark[k] = t->end - t->start;
        mline[k] = t->end_line;
        n++;
    }
    for (k = 0; k < n; k++)
        if (mark[k] >= len - t->start)
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, mline[k],
                                 "index beyond the track end");
    if (n + 1 > DISC_MAX_INDEX)
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, t->line,
                             "more than 98 indexes");
    memset(dt, 0, sizeof *dt);
    dt->number = (uint8_t)(st->first_no + d->ntracks);
    dt->session = 1;
    dt->mode = disc_toc_modes[t->mode].mode;
    dt->control = t->control;
    if (dt->mode == DISC_MODE_AUDIO) {
        dt->control &= (uint8_t)~DISC_CTL_DATA;
    } else {
        if (t->control & (DISC_CTL_PREEMPH | DISC_CTL_4CH))
            disc_warn_at(p->ctx, p->path, t->line,
                         "PRE_EMPHASIS and FOUR_CHANNEL_AUDIO mean "
                         "nothing for a data track; ignored");
        dt->control = (uint8_t)((t->control & DISC_CTL_COPY) | DISC_CTL_DATA);
    }
    memcpy(dt->isrc, t->isrc, sizeof dt->isrc);
    dt->index[0] = st->pos;
    dt->index[1] = st->pos + (disc_lba)t->start;
    for (k = 0; k < n; k++)
        dt->index[k + 2] = dt->index[1] + (disc_lba)mark[k];
    dt->last_index = (uint8_t)(n + 1);
    if (t->sub == TOC_SUB_RW)
        disc_warn_at(p->ctx, p->path, t->line,
                     "the packed R-W sub-channel data of track %d (RW) "
                     "is not used; P and Q are synthesised",
                     dt->number);
    while (i < t->npc) {
        size_t j = i;
        uint32_t blocks = 0;
        while (j < t->npc && toc_same_run(&t->pc[i], &t->pc[j]))
            j++;
        r = toc_map_run(st, i, j, lba, &blocks);
        if (r < 0)
            return r;
        lba += (disc_lba)blocks;
        i = j;
    }
    st->pos = lba;
    d->ntracks++;
    return 0;
}
