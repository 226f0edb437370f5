/* ccd_write.c - CloneCD control file (.ccd) with its raw image (.img)
 * and deinterleaved subchannel (.sub): the writer (the probe, the reader
 * and the descriptor are ccd_read.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/ccd.md (keys, entry order, IMG/SUB layout,
 * what libMirage needs), docs/formats/cd.md (full TOC, CD-TEXT packs);
 * DiscImageCreator's CCD output as the model to match.
 */
#include <stdio.h>
#include <string.h>

#include "ccd.h"

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/* [TRACK] MODE and [Session] PreGapMode: 0 audio, 1 Mode 1, 2 Mode 2
 * (any form: CloneCD cannot say which). */
static int
ccd_mode_code(enum disc_track_mode m)
{
    return m == DISC_MODE_AUDIO ? 0 : m == DISC_MODE_MODE1 ? 1 : 2;
}

static int
ccd_write_entry(struct disc_ctx *ctx, struct disc_out *o, unsigned i,
                const struct disc_rawtoc *e)
{
    struct disc_msf m = { e->pmin, e->psec, e->pframe };
    /* ALBA as DiscImageCreator computes it (no wrap); PLBA by the MMC
     * rule, minutes 90-99 being negative. */
    long alba = (long)e->min * 4500 + (long)e->sec * 75 + e->frame - 150;
    long plba = disc_msf_to_lba(m);

    return disc_out_printf(ctx, o,
                           "[Entry %u]\nSession=%u\nPoint=0x%02x\n"
                           "ADR=0x%02x\nControl=0x%02x\nTrackNo=%u\n"
                           "AMin=%u\nASec=%u\nAFrame=%u\nALBA=%ld\n"
                           "Zero=%u\nPMin=%u\nPSec=%u\nPFrame=%u\n"
                           "PLBA=%ld\n",
                           i, e->session, e->point, e->adr, e->control, e->tno,
                           e->min, e->sec, e->frame, alba, e->zero, e->pmin,
                           e->psec, e->pframe, plba);
}

static int
ccd_write_text(struct disc_ctx *ctx, struct disc_out *o, const struct disc *d,
               const struct disc_rawtoc *toc, uint16_t ntoc,
               const uint8_t *packs, size_t npacks, disc_lba start1)
{
    size_t i;
    int s, t, k, r;

    r = disc_out_printf(ctx, o,
                        "[CloneCD]\nVersion=3\n[Disc]\nTocEntries=%u\n"
                        "Sessions=%u\nDataTracksScrambled=0\n"
                        "CDTextLength=%zu\n",
                        ntoc, d->nsessions, npacks * 18);
    /* CATALOG inside [Disc], before [CDText] (docs/formats/ccd.md). */
    if (r == 0 && d->mcn[0])
        r = disc_out_printf(ctx, o, "CATALOG=%s\n", d->mcn);
    if (r == 0 && npacks)
        r = disc_out_printf(ctx, o, "[CDText]\nEntries=%zu\n", npacks);
    for (i = 0; r == 0 && i < npacks; i++) {
        const uint8_t *q = packs + i * 18;
        r = disc_out_printf(ctx, o,
                            "Entry %zu=%02x %02x %02x %02x %02x %02x %02x "
                            "%02x %02x %02x %02x %02x %02x %02x %02x %02x\n",
                            i, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7],
                            q[8], q[9], q[10], q[11], q[12], q[13], q[14],
                            q[15]);
    }
    /* PreGapMode: the mode of the session's first track; PreGapSubC=0,
     * as CloneCD writes it (DiscImageCreator repeats PreGapMode there in
     * session 1; no reader uses either: docs/formats/ccd.md). */
    for (s = 0; r == 0 && s < d->nsessions; s++) {
        int a = disc_track_find(d, d->session[s].first_track);
        r = disc_out_printf(ctx, o,
                            "[Session %d]\nPreGapMode=%d\n"
                            "PreGapSubC=0\n",
                            s + 1, ccd_mode_code(d->track[a].mode));
    }
    for (i = 0; r == 0 && i < ntoc; i++)
        r = ccd_write_entry(ctx, o, (unsigned)i, &toc[i]);
    /* [TRACK] after every [Entry] (libMirage, docs/formats/ccd.md); absolute
     * LBAs, as DiscImageCreator writes them, except for the first
     * track of a later session: there libMirage reads INDEX 1 as the
     * count of stored pregap sectors, so its indexes count from its
     * first stored sector (INDEX 1=0 and no INDEX 0 when it has none).
     * The positions themselves are the [Entry] PLBAs for every reader. */
    for (t = 0; r == 0 && t < d->ntracks; t++) {
        const struct disc_track *tr = &d->track[t];
        disc_lba i0 = t == 0 ? start1 : tr->index[0];
        disc_lba base =
            t > 0 && tr->session != d->track[t - 1].session ? tr->index[0] : 0;
        r = disc_out_printf(ctx, o, "[TRACK %u]\nMODE=%d\n", tr->number,
                            ccd_mode_code(tr->mode));
        if (r == 0 && i0 != tr->index[1])
            r = disc_out_printf(ctx, o, "INDEX 0=%d\n", i0 - base);
        for (k = 1; r == 0 && k <= tr->last_index; k++)
            r = disc_out_printf(ctx, o, "INDEX %d=%d\n", k,
                                tr->index[k] - base);
        if (r == 0 && tr->isrc[0])
            r = disc_out_printf(ctx, o, "ISRC=%s\n", tr->isrc);
    }
    return r;
}

int
disc_ccd_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
               const struct disc_write_opts *o)
{
    struct disc_outset *set = NULL;
    struct disc_out *ccd = NULL, *img = NULL, *sub = NULL;
    char *imgpath = NULL, *subpath = NULL;
    struct disc_rawtoc *toc = NULL;
    const uint8_t *packs = NULL;
    size_t plen = 0;
    uint16_t ntoc = 0;
    int toc_owned = 0, packs_owned = 0, s, r;
    disc_lba start1 = d->track[0].index[0];

    /* The IMG starts at LBA 0 (docs/formats/ccd.md): the first track may begin
     * there (HTOA pregap) or later only by what lies before being lost. */
    if (d->track[0].index[1] < 0 || start1 > 0)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "track %u starts at LBA "
                          "%d (INDEX 01 at %d); a CloneCD image starts at "
                          "LBA 0",
                          d->track[0].number, start1, d->track[0].index[1]);
    if (start1 < 0) {
        r = disc_write_drop(ctx, o,
                            "ccd cannot hold LBA %d to -1 (stored "
                            "before track %u's INDEX 01): the image starts "
                            "at LBA 0",
                            start1, d->track[0].number);
        if (r < 0)
            return r;
        start1 = 0;
    }
    if (disc_rawtoc_fits(d)) {
        toc = d->rawtoc;
        ntoc = d->nrawtoc;
    } else {
        /* A disagreeing raw TOC was refused or reported by the core. */
        r = disc_build_rawtoc(ctx, d, &toc, &ntoc);
        if (r < 0)
            return r;
        toc_owned = 1;
    }
    r = disc_cdtext_packs(ctx, d, &packs, &plen, &packs_owned);
    if (r < 0)
        goto fail;
    imgpath = disc_path_with_ext(path, "img");
    subpath = disc_path_with_ext(path, "sub");
    if (!imgpath || !subpath) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    r = disc_outset_begin(ctx, d, o, path, &set, &ccd);
    if (r == 0)
        r = disc_outset_open(ctx, set, imgpath, &img);
    if (r == 0)
        r = disc_outset_open(ctx, set, subpath, &sub);
    if (r == 0)
        r = ccd_write_text(ctx, ccd, d, toc, ntoc, packs, plen / 18, start1);
    /* Each session's program area, nothing between sessions; the SUB
     * gets the captured subchannel or the core's synthesis.  Where the
     * IMG bytes are stored as they are, the core copies them in the
     * kernel and writes the SUB beside (docs/architecture.md). */
    for (s = 0; r == 0 && s < d->nsessions; s++) {
        struct disc_copy c = { .main = img,
                               .layout = DISC_DATA_RAW,
                               .sub = sub };
        int a = disc_track_find(d, d->session[s].first_track);
        disc_lba from = s == 0 ? start1 : d->track[a].index[0];
        uint32_t n = (uint32_t)(d->session[s].leadout - from);
        r = disc_out_copy_sectors(ctx, d, from, n, &c);
    }
    if (r == 0) {
        r = disc_outset_commit(ctx, set);
        set = NULL;
    }
fail:
    disc_outset_abort(set);
    if (toc_owned)
        disc_free_mem(toc);
    if (packs_owned) {
        /* The packs are ours to free although the API lends them const:
         * copy the pointer rather than cast the qualifier away. */
        void *mem;
        memcpy(&mem, &packs, sizeof mem);
        disc_free_mem(mem);
    }
    disc_free_mem(imgpath);
    disc_free_mem(subpath);
    return r;
}
