/* compare.c - disc_compare(): the first difference between two discs,
 * in words (round-trip tests, verify --roundtrip, convert --verify).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "internal.h"

#define DIFF(...) (disc_error(ctx, 0, __VA_ARGS__), 1)

static int
mode2_family(enum disc_track_mode m)
{
    return m == DISC_MODE_MODE2 || m == DISC_MODE_MODE2_FORM1 ||
           m == DISC_MODE_MODE2_FORM2 || m == DISC_MODE_MODE2_MIXED;
}

static const char *
str_or_none(const char *s)
{
    return s ? s : "(none)";
}

static int
cmp_text(struct disc_ctx *ctx, const struct disc *a, const struct disc *b,
         unsigned flags)
{
    int blk, t, f;
    int nblk = (flags & DISC_EQ_NO_CDTEXT_LANGS) ? 1 : DISC_CDTEXT_MAX_BLOCKS;

    for (blk = 0; blk < nblk; blk++) {
        const struct disc_cdtext_block *x = a->cdtext[blk], *y = b->cdtext[blk];
        if (!x && !y)
            continue;
        if (x && y && x->language != y->language)
            return DIFF("CD-TEXT block %d: language 0x%02x vs 0x%02x", blk,
                        x->language, y->language);
        if ((x ? x->genre : 0) != (y ? y->genre : 0))
            return DIFF("CD-TEXT block %d: genre code %u vs %u", blk,
                        x ? x->genre : 0, y ? y->genre : 0);
        for (t = 0; t <= DISC_MAX_TRACKS; t++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++) {
                const char *p = x ? x->text[t][f] : NULL;
                const char *q = y ? y->text[t][f] : NULL;
                if ((p || q) && (!p || !q || strcmp(p, q) != 0)) {
                    if (t == 0)
                        return DIFF(
                            "CD-TEXT block %d, disc %s: \"%s\" vs "
                            "\"%s\"",
                            blk,
                            disc_cdtext_field_name((enum disc_cdtext_field)f),
                            str_or_none(p), str_or_none(q));
                    return DIFF(
                        "CD-TEXT block %d, track %d %s: \"%s\" vs "
                        "\"%s\"",
                        blk, t,
                        disc_cdtext_field_name((enum disc_cdtext_field)f),
                        str_or_none(p), str_or_none(q));
                }
            }
    }
    return 0;
}

/* The raw TOC a disc stands for: the captured one or the one its model
 * implies. */
static int
effective_toc(struct disc_ctx *ctx, const struct disc *d,
              struct disc_rawtoc **e, uint16_t *n, int *owned)
{
    if (d->nrawtoc) {
        *e = d->rawtoc;
        *n = d->nrawtoc;
        *owned = 0;
        return 0;
    }
    *owned = 1;
    return disc_build_rawtoc(ctx, d, e, n);
}

static int
cmp_toc(struct disc_ctx *ctx, const struct disc *a, const struct disc *b)
{
    struct disc_rawtoc *x = NULL, *y = NULL;
    uint16_t nx = 0, ny = 0, i;
    int ox = 0, oy = 0, r;

    r = effective_toc(ctx, a, &x, &nx, &ox);
    if (r == 0)
        r = effective_toc(ctx, b, &y, &ny, &oy);
    if (r == 0 && nx != ny)
        r = DIFF("raw TOC: %u entries vs %u", nx, ny);
    for (i = 0; r == 0 && i < nx; i++)
        if (memcmp(&x[i], &y[i], sizeof x[i]) != 0)
            r = DIFF("raw TOC entry %u (session %u, point 0x%02x): "
                     "%02u:%02u:%02u/%02u:%02u:%02u adr %u ctl %u vs "
                     "point 0x%02x %02u:%02u:%02u/%02u:%02u:%02u adr %u "
                     "ctl %u",
                     i, x[i].session, x[i].point, x[i].min, x[i].sec,
                     x[i].frame, x[i].pmin, x[i].psec, x[i].pframe, x[i].adr,
                     x[i].control, y[i].point, y[i].min, y[i].sec, y[i].frame,
                     y[i].pmin, y[i].psec, y[i].pframe, y[i].adr, y[i].control);
    if (ox)
        disc_free_mem(x);
    if (oy)
        disc_free_mem(y);
    return r;
}

static int
cmp_data(struct disc_ctx *ctx, const struct disc *a, const struct disc *b,
         unsigned flags)
{
    uint8_t *ma = NULL, *mb = NULL, *sa = NULL, *sb = NULL;
    int i, r = 0;
    int subs = !(flags & DISC_EQ_NO_SUB);

    ma = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    mb = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    sa = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_SUB);
    sb = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_SUB);
    if (!ma || !mb || !sa || !sb) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < a->ntracks && r == 0; i++) {
        disc_lba l = a->track[i].index[0], end = disc_track_end(a, i);
        while (l < end && r == 0) {
            uint32_t n = (uint32_t)(end - l), k;
            if (n > DISC_CHUNK)
                n = DISC_CHUNK;
            r = disc_read_sectors(ctx, a, l, n, ma, subs ? sa : NULL);
            if (r == 0)
                r = disc_read_sectors(ctx, b, l, n, mb, subs ? sb : NULL);
            if (r < 0)
                break;
            for (k = 0; k < n; k++) {
                size_t off = (size_t)k * DISC_SECTOR_RAW;
                if (memcmp(ma + off, mb + off, DISC_SECTOR_RAW) != 0) {
                    size_t j = 0;
                    while (ma[off + j] == mb[off + j])
                        j++;
                    r = DIFF("track %d, LBA %d: sector data differs at byte "
                             "%zu",
                             a->track[i].number, l + (disc_lba)k, j);
                    break;
                }
                off = (size_t)k * DISC_SECTOR_SUB;
                if (subs && memcmp(sa + off, sb + off, DISC_SECTOR_SUB) != 0) {
                    size_t j = 0;
                    while (sa[off + j] == sb[off + j])
                        j++;
                    r = DIFF("track %d, LBA %d: subchannel differs at byte "
                             "%zu (channel %c)",
                             a->track[i].number, l + (disc_lba)k, j,
                             "PQRSTUVW"[j / 12]);
                    break;
                }
            }
            ctx->progress_done += n;
            disc_progress(ctx, ctx->progress_done, ctx->progress_total);
            l += (disc_lba)n;
        }
    }
out:
    disc_free_mem(ma);
    disc_free_mem(mb);
    disc_free_mem(sa);
    disc_free_mem(sb);
    return r;
}

int
disc_compare(struct disc_ctx *ctx, const struct disc *a, const struct disc *b,
             unsigned flags)
{
    int i, n, r;

    if (a->nsessions != b->nsessions)
        return DIFF("%u sessions vs %u", a->nsessions, b->nsessions);
    for (i = 0; i < a->nsessions; i++) {
        const struct disc_session *x = &a->session[i], *y = &b->session[i];
        if (x->first_track != y->first_track || x->last_track != y->last_track)
            return DIFF("session %d: tracks %u-%u vs %u-%u", i + 1,
                        x->first_track, x->last_track, y->first_track,
                        y->last_track);
        if (x->leadout != y->leadout)
            return DIFF("session %d: lead-out at LBA %d vs %d", i + 1,
                        x->leadout, y->leadout);
        if (x->type != y->type)
            return DIFF("session %d: disc type 0x%02x vs 0x%02x", i + 1,
                        x->type, y->type);
    }
    if (a->ntracks != b->ntracks)
        return DIFF("%u tracks vs %u", a->ntracks, b->ntracks);
    if (!(flags & DISC_EQ_NO_ISRC_MCN) && strcmp(a->mcn, b->mcn) != 0)
        return DIFF("MCN \"%s\" vs \"%s\"", a->mcn, b->mcn);
    for (i = 0; i < a->ntracks; i++) {
        const struct disc_track *x = &a->track[i], *y = &b->track[i];
        if (x->number != y->number)
            return DIFF("track %d is numbered %u vs %u", i + 1, x->number,
                        y->number);
        if (x->session != y->session)
            return DIFF("track %u: session %u vs %u", x->number, x->session,
                        y->session);
        if (x->mode != y->mode &&
            !((flags & DISC_EQ_MODE2_FAMILY) && mode2_family(x->mode) &&
              mode2_family(y->mode)))
            return DIFF("track %u: mode %s vs %s", x->number,
                        disc_mode_name(x->mode), disc_mode_name(y->mode));
        if (x->control != y->control)
            return DIFF("track %u: CONTROL 0x%x vs 0x%x", x->number, x->control,
                        y->control);
        if (x->last_index != y->last_index)
            return DIFF("track %u: last index %02u vs %02u", x->number,
                        x->last_index, y->last_index);
        for (n = 0; n <= x->last_index; n++)
            if (x->index[n] != y->index[n])
                return DIFF("track %u: INDEX %02d at LBA %d vs %d", x->number,
                            n, x->index[n], y->index[n]);
        if (!(flags & DISC_EQ_NO_ISRC_MCN) && strcmp(x->isrc, y->isrc) != 0)
            return DIFF("track %u: ISRC \"%s\" vs \"%s\"", x->number, x->isrc,
                        y->isrc);
    }
    r = (flags & DISC_EQ_NO_CDTEXT) ? 0 : cmp_text(ctx, a, b, flags);
    if (r)
        return r;
    if (!(flags & (DISC_EQ_NO_CDTEXT_RAW | DISC_EQ_NO_CDTEXT)) &&
        (a->cdtext_raw_len != b->cdtext_raw_len ||
         (a->cdtext_raw_len &&
          memcmp(a->cdtext_raw, b->cdtext_raw, a->cdtext_raw_len) != 0)))
        return DIFF("raw CD-TEXT packs differ (%zu vs %zu bytes)",
                    a->cdtext_raw_len, b->cdtext_raw_len);
    if (!(flags & DISC_EQ_NO_RAWTOC)) {
        r = cmp_toc(ctx, a, b);
        if (r)
            return r;
    }
    if (!(flags & DISC_EQ_NO_META)) {
        if (a->nmeta != b->nmeta)
            return DIFF("%u metadata entries vs %u", a->nmeta, b->nmeta);
        for (i = 0; i < a->nmeta; i++)
            if (strcmp(a->meta[i].key, b->meta[i].key) != 0 ||
                strcmp(a->meta[i].value, b->meta[i].value) != 0)
                return DIFF("metadata %s=\"%s\" vs %s=\"%s\"", a->meta[i].key,
                            a->meta[i].value, b->meta[i].key, b->meta[i].value);
    }
    if (flags & DISC_EQ_DATA) {
        r = cmp_data(ctx, a, b, flags);
        if (r)
            return r;
    }
    ctx->err = 0;
    ctx->msg[0] = '\0';
    return 0;
}
