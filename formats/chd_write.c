/* chd_write.c - writes MAME CHD v5 CD images: CHT2 metadata, hunks of 8
 * frames compressed on every core with cdlz/cdzl/cdfl (the smallest
 * wins), duplicate hunks stored once, the Huffman-coded hunk map, and
 * the data and overall SHA-1.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/chd.md; MAME src/lib/util/chd.cpp
 * (create_common, compress_v5_map, compute_overall_sha1), chdcodec.cpp
 * (the CD codecs), cdrom.cpp (CHT2 text, 4-frame padding).
 */
#include <FLAC/stream_encoder.h>
#include <lzma.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "chd.h"

#define CHD_HUNK (CHD_FRAMES_PER_HUNK * CHD_FRAME)
#define CHD_DPLANE (CHD_FRAMES_PER_HUNK * CHD_FRAME_DATA)
#define CHD_SPLANE (CHD_FRAMES_PER_HUNK * 96)
#define CHD_ECCBYTES ((CHD_FRAMES_PER_HUNK + 7) / 8)
#define CHD_MAX_WORKERS 16

static const uint8_t chdw_magic[8] = { 'M', 'C', 'o', 'm', 'p', 'r', 'H', 'D' };

/* One track as written. */
struct chdw_track {
    const char *type; /* CHT2 TYPE */
    int audio;
    disc_lba first; /* first stored LBA */
    int32_t frames; /* stored frames (pregap included when kept) */
    int32_t pregap, postgap;
    int pregap_stored;
    uint32_t chdframe;
};

/* One hunk in flight. */
struct chdw_slot {
    uint8_t data[CHD_HUNK];
    uint8_t out[CHD_HUNK];
    uint32_t outlen;
    int type; /* map type: codec slot or CHD_MAP_NONE */
    uint16_t crc;
    uint8_t sha1[20];
};

/* Compressor state, one per worker. */
struct chdw_codec {
    z_stream z;
    int z_ready;
    lzma_stream lz;
    FLAC__StreamEncoder *flac;
    uint8_t dplane[CHD_DPLANE], splane[CHD_SPLANE];
    uint8_t tmp[CHD_HUNK];
    uint8_t sub[CHD_SPLANE + 64];
    uint8_t plane[CHD_DPLANE];
    uint32_t fl_len;
    int fl_over;
    FLAC__int32 pcm[CHD_DPLANE / 2];
    int failed;          /* allocation failure: the writer stops */
    struct disc_md *sha; /* SHA-1 of each hunk (for deduplication) */
    struct chdw *w;
    pthread_t th;
};

struct chdw {
    uint32_t codec[4];
    int ncodec;
    int flac_slot; /* index of cdfl in codec[] */
    /* The batch the workers compress. */
    struct chdw_slot *slot;
    int nslot, nfill;
    int next; /* next slot to take */
    int done; /* slots finished */
    int quit;
    pthread_mutex_t mu;
    pthread_cond_t work, idle;
    struct chdw_codec *cs;
    int nworkers;
};

/* ------------------------------------------------------------------ */
/* Codecs                                                              */

/* Raw deflate (level 9, as chdman) of n bytes into out (room cap);
 * returns the length or 0 when it does not fit. */
static uint32_t
chdw_deflate(struct chdw_codec *c, const uint8_t *in, size_t n, uint8_t *out,
             size_t cap)
{
    if (!c->z_ready) {
        memset(&c->z, 0, sizeof c->z);
        if (deflateInit2(&c->z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
            Z_OK) {
            c->failed = 1;
            return 0;
        }
        c->z_ready = 1;
    } else if (deflateReset(&c->z) != Z_OK) {
        c->failed = 1;
        return 0;
    }
    /* zlib's next_in is not const-qualified; deflate only reads it. */
    memcpy(&c->z.next_in, &in, sizeof in);
    c->z.avail_in = (uInt)n;
    c->z.next_out = out;
    c->z.avail_out = (uInt)cap;
    if (deflate(&c->z, Z_FINISH) != Z_STREAM_END)
        return 0;
    return (uint32_t)(cap - c->z.avail_out);
}

/* Raw LZMA1 without end marker, level 9, lc 3 lp 0 pb 2, the dictionary
 * chdman's encoder picks for the plane size. */
static uint32_t
chdw_lzma(struct chdw_codec *c, const uint8_t *in, size_t n, uint8_t *out,
          size_t cap)
{
    lzma_options_lzma opt;
    lzma_filter filters[2];
    lzma_ret r;

    if (lzma_lzma_preset(&opt, 9)) {
        c->failed = 1;
        return 0;
    }
    opt.dict_size = chd_lzma_dict((uint32_t)n);
    opt.lc = 3;
    opt.lp = 0;
    opt.pb = 2;
    opt.ext_flags = 0; /* no end marker: the decoder knows the size */
    lzma_set_ext_size(opt, n);
    filters[0].id = LZMA_FILTER_LZMA1EXT;
    filters[0].options = &opt;
    filters[1].id = LZMA_VLI_UNKNOWN;
    filters[1].options = NULL;
    if (lzma_raw_encoder(&c->lz, filters) != LZMA_OK) {
        c->failed = 1;
        return 0;
    }
    c->lz.next_in = in;
    c->lz.avail_in = n;
    c->lz.next_out = out;
    c->lz.avail_out = cap;
    r = lzma_code(&c->lz, LZMA_FINISH);
    if (r != LZMA_STREAM_END)
        return 0;
    return (uint32_t)(cap - c->lz.avail_out);
}

static FLAC__StreamEncoderWriteStatus
chdw_flac_write(const FLAC__StreamEncoder *enc, const FLAC__byte buffer[],
                size_t bytes, uint32_t samples, uint32_t frame, void *user)
{
    struct chdw_codec *c = user;

    (void)enc;
    (void)frame;
    /* chdman stores FLAC frames only: the stream marker and STREAMINFO
     * (written with samples == 0) are left out. */
    if (samples == 0)
        return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
    if (c->fl_len + bytes > sizeof c->tmp) {
        c->fl_over = 1;
        return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
    }
    memcpy(c->tmp + c->fl_len, buffer, bytes);
    c->fl_len += (uint32_t)bytes;
    return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

/* FLAC frames of the data plane read as big-endian 16-bit stereo, 2352
 * samples a block, into c->tmp; returns the length or 0. */
static uint32_t
chdw_flac(struct chdw_codec *c)
{
    size_t i, n = CHD_DPLANE / 4;
    FLAC__bool ok;

    if (!c->flac) {
        c->flac = FLAC__stream_encoder_new();
        if (!c->flac) {
            c->failed = 1;
            return 0;
        }
    }
    ok = FLAC__stream_encoder_set_channels(c->flac, 2) &&
         FLAC__stream_encoder_set_bits_per_sample(c->flac, 16) &&
         FLAC__stream_encoder_set_sample_rate(c->flac, 44100) &&
         FLAC__stream_encoder_set_compression_level(c->flac, 8) &&
         FLAC__stream_encoder_set_blocksize(c->flac, 2352);
    if (!ok || FLAC__stream_encoder_init_stream(c->flac, chdw_flac_write, NULL,
                                                NULL, NULL, c) !=
                   FLAC__STREAM_ENCODER_INIT_STATUS_OK) {
        c->failed = 1;
        return 0;
    }
    for (i = 0; i < 2 * n; i++)
        c->pcm[i] = (int16_t)(c->dplane[2 * i] << 8 | c->dplane[2 * i + 1]);
    c->fl_len = 0;
    c->fl_over = 0;
    ok = FLAC__stream_encoder_process_interleaved(c->flac, c->pcm, (uint32_t)n);
    ok = FLAC__stream_encoder_finish(c->flac) && ok;
    return ok && !c->fl_over ? c->fl_len : 0;
}

/* Compresses s->data with every codec of w and keeps the smallest
 * result that is shorter than the hunk; else stores it as it is. */
static void
chdw_compress(struct chdw *w, struct chdw_codec *c, struct chdw_slot *s)
{
    uint8_t ecc[CHD_ECCBYTES];
    uint32_t f, sublen = 0, best = CHD_HUNK;
    int i, k, have_sub = 0, data = 0;

    s->crc = chd_crc16(0xFFFF, s->data, CHD_HUNK);
    if (disc_md_init(NULL, c->sha, DISC_SHA1) == 0) {
        disc_md_update(c->sha, s->data, CHD_HUNK);
        disc_md_final(c->sha, s->sha1);
    } else {
        c->failed = 1;
    }
    memset(ecc, 0, sizeof ecc);
    s->type = CHD_MAP_NONE;
    s->outlen = CHD_HUNK;
    memcpy(s->out, s->data, CHD_HUNK);
    for (f = 0; f < CHD_FRAMES_PER_HUNK; f++) {
        memcpy(c->dplane + (size_t)f * CHD_FRAME_DATA,
               s->data + (size_t)f * CHD_FRAME, CHD_FRAME_DATA);
        memcpy(c->splane + (size_t)f * 96,
               s->data + (size_t)f * CHD_FRAME + CHD_FRAME_DATA, 96);
    }
    /* chdman tries every codec on every hunk; the result is nearly
     * always LZMA (or deflate) for data sectors and FLAC for audio, so
     * a hunk with no synced frame tries FLAC first and stops there when
     * it saved a quarter, and a hunk of data sectors skips FLAC. */
    for (f = 0; f < CHD_FRAMES_PER_HUNK; f++)
        if (memcmp(c->dplane + (size_t)f * CHD_FRAME_DATA, disc_sync,
                   sizeof disc_sync) == 0)
            data = 1;
    for (i = 0; i < w->ncodec; i++) {
        uint32_t len = 0, dl;
        /* Audio: the FLAC codec first. */
        k = data ? i
                 : (i == 0 ? w->flac_slot : (i <= w->flac_slot ? i - 1 : i));
        if (!data && i > 0 && best <= CHD_HUNK * 3 / 4)
            break;
        if (data && w->codec[k] == CHD_CODEC_CDFL)
            continue;
        if (w->codec[k] == CHD_CODEC_CDFL) {
            dl = chdw_flac(c);
            if (dl == 0 || dl >= best)
                continue;
            len = dl;
        } else {
            uint8_t *dp = c->tmp + CHD_ECCBYTES + 2;
            size_t cap = sizeof c->tmp - CHD_ECCBYTES - 2;
            /* Strip sync and parity of frames that regenerate exactly
             * (a copy: the next codec wants the plane as it was). */
            uint8_t *plane = c->plane;
            memcpy(plane, c->dplane, CHD_DPLANE);
            memset(ecc, 0, sizeof ecc);
            for (f = 0; f < CHD_FRAMES_PER_HUNK; f++) {
                uint8_t *fr = plane + (size_t)f * CHD_FRAME_DATA;
                if (chd_frame_ecc_strippable(fr)) {
                    ecc[f / 8] |= (uint8_t)(1u << (f % 8));
                    memset(fr, 0, 12);
                    memset(fr + 0x81C, 0, CHD_FRAME_DATA - 0x81C);
                }
            }
            dl = w->codec[k] == CHD_CODEC_CDLZ
                     ? chdw_lzma(c, plane, CHD_DPLANE, dp, cap)
                     : chdw_deflate(c, plane, CHD_DPLANE, dp, cap);
            if (dl == 0 || dl > 0xFFFF || CHD_ECCBYTES + 2 + dl >= best)
                continue;
            memcpy(c->tmp, ecc, CHD_ECCBYTES);
            disc_wr_be16(c->tmp + CHD_ECCBYTES, (uint16_t)dl);
            len = CHD_ECCBYTES + 2 + dl;
        }
        /* The subcode plane follows as raw deflate (same for every
         * codec: computed once). */
        if (!have_sub) {
            sublen =
                chdw_deflate(c, c->splane, CHD_SPLANE, c->sub, sizeof c->sub);
            have_sub = 1;
            if (sublen == 0)
                return;
        }
        if (len + sublen >= best)
            continue;
        memcpy(s->out, c->tmp, len);
        memcpy(s->out + len, c->sub, sublen);
        best = len + sublen;
        s->outlen = best;
        s->type = k;
    }
}

static void *
chdw_worker(void *arg)
{
    struct chdw_codec *c = arg;
    struct chdw *w = c->w;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        struct chdw_slot *s;
        while (!w->quit && w->next >= w->nfill)
            pthread_cond_wait(&w->work, &w->mu);
        if (w->quit)
            break;
        s = &w->slot[w->next++];
        pthread_mutex_unlock(&w->mu);
        chdw_compress(w, c, s);
        pthread_mutex_lock(&w->mu);
        if (++w->done == w->nfill)
            pthread_cond_signal(&w->idle);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The hunk map                                                        */

static unsigned
chdw_bits_for(uint64_t v)
{
    unsigned n = 0;

    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

struct chdw_map {
    uint8_t *type; /* CHD_MAP_C0..CHD_MAP_SELF */
    uint32_t *len;
    uint64_t *off; /* file offset, or hunk number for SELF */
    uint16_t *crc;
    uint32_t n;
};

/* Appends symbol v to the type stream. */
static void
chdw_sym(uint8_t *syms, size_t *n, uint32_t *counts, int v)
{
    syms[(*n)++] = (uint8_t)v;
    counts[v]++;
}

/* Encodes the map as chd.cpp compress_v5_map lays it out: Huffman-coded
 * types with runs and SELF shorthands, then each hunk's fields.  *out
 * gets the 16-byte header followed by the bit stream (disc_malloc'd). */
static int
chdw_map_encode(struct disc_ctx *ctx, const struct chdw_map *m, uint8_t **out,
                size_t *outlen)
{
    struct chd_huff huff;
    struct chd_bits b;
    uint32_t counts[CHD_HUFF_SYMS] = { 0 }, h, maxlen = 0;
    uint64_t maxself = 0, last_self = 0, firstoffs = 0;
    uint8_t *coded = NULL, *syms = NULL, ent[12];
    size_t nsyms = 0, i;
    uint16_t crc = 0xFFFF;
    unsigned lenbits, selfbits;
    int last = 0, firstset = 0, r = 0;

    memset(&b, 0, sizeof b);
    coded = disc_malloc(m->n ? m->n : 1);
    syms = disc_malloc(m->n ? (size_t)m->n * 3 : 1);
    if (!coded || !syms) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto out;
    }
    for (h = 0; h < m->n; h++) {
        uint8_t t = m->type[h];
        ent[0] = t;
        ent[1] = (uint8_t)(m->len[h] >> 16);
        ent[2] = (uint8_t)(m->len[h] >> 8);
        ent[3] = (uint8_t)m->len[h];
        disc_wr_be16(ent + 4, (uint16_t)(m->off[h] >> 32));
        disc_wr_be32(ent + 6, (uint32_t)m->off[h]);
        disc_wr_be16(ent + 10, m->crc[h]);
        crc = chd_crc16(crc, ent, sizeof ent);
        if (t == CHD_MAP_SELF) {
            uint64_t ref = m->off[h];
            if (ref == last_self)
                t = CHD_MAP_SELF_0;
            else if (ref == last_self + 1)
                t = CHD_MAP_SELF_1;
            else if (ref > maxself)
                maxself = ref;
            last_self = ref;
        } else {
            if (m->len[h] > maxlen)
                maxlen = m->len[h];
            if (!firstset) {
                firstoffs = m->off[h];
                firstset = 1;
            }
        }
        coded[h] = t;
    }
    /* Runs: a literal when the type changes, then runs of 3-18 and
     * 19-274 as RLE codes, shorter rests as literals. */
    for (h = 0; h < m->n;) {
        uint32_t run = 1;
        int t = coded[h];
        while (h + run < m->n && coded[h + run] == t)
            run++;
        h += run;
        if (t != last) {
            chdw_sym(syms, &nsyms, counts, t);
            last = t;
            run--;
        }
        while (run > 0) {
            if (run < 3) {
                chdw_sym(syms, &nsyms, counts, t);
                run--;
            } else if (run <= 18) {
                chdw_sym(syms, &nsyms, counts, CHD_MAP_RLE_SMALL);
                chdw_sym(syms, &nsyms, counts, (int)(run - 3));
                run = 0;
            } else {
                uint32_t k = run > 274 ? 274 : run;
                chdw_sym(syms, &nsyms, counts, CHD_MAP_RLE_LARGE);
                chdw_sym(syms, &nsyms, counts, (int)((k - 19) >> 4));
                chdw_sym(syms, &nsyms, counts, (int)((k - 19) & 15));
                run -= k;
            }
        }
    }
    chd_huff_build(&huff, counts);
    chd_huff_export(&huff, &b);
    for (i = 0; i < nsyms; i++)
        chd_bits_put(&b, huff.code[syms[i]], huff.len[syms[i]]);
    lenbits = chdw_bits_for(maxlen);
    selfbits = chdw_bits_for(maxself);
    for (h = 0; h < m->n; h++) {
        switch (coded[h]) {
        case CHD_MAP_NONE:
            chd_bits_put(&b, m->crc[h], 16);
            break;
        case CHD_MAP_SELF:
            chd_bits_put(&b, (uint32_t)m->off[h], selfbits);
            break;
        case CHD_MAP_SELF_0:
        case CHD_MAP_SELF_1:
            break;
        default:
            chd_bits_put(&b, m->len[h], lenbits);
            chd_bits_put(&b, m->crc[h], 16);
            break;
        }
    }
    if (b.nomem) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto out;
    }
    {
        size_t nb = (size_t)((b.bit + 7) / 8);
        uint8_t *p = disc_malloc(16 + nb);
        if (!p) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto out;
        }
        disc_wr_be32(p, (uint32_t)nb);
        disc_wr_be16(p + 4, (uint16_t)(firstoffs >> 32));
        disc_wr_be32(p + 6, (uint32_t)firstoffs);
        disc_wr_be16(p + 10, crc);
        p[12] = (uint8_t)lenbits;
        p[13] = (uint8_t)selfbits;
        p[14] = 0;
        p[15] = 0;
        if (nb)
            memcpy(p + 16, b.p, nb);
        *out = p;
        *outlen = 16 + nb;
    }
out:
    disc_free_mem(b.p);
    disc_free_mem(coded);
    disc_free_mem(syms);
    return r;
}

/* ------------------------------------------------------------------ */
/* Track plan                                                          */

/* What each track stores: its frames from INDEX 00 (or from INDEX 01
 * when the whole pregap is generated: an unstored PREGAP), to its end
 * less a generated tail (POSTGAP). */
static int
chdw_plan(struct disc_ctx *ctx, const struct disc *d, struct chdw_track *p,
          uint64_t *frames)
{
    uint64_t chdframe = 0;
    int i;

    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        disc_lba end = disc_track_end(d, i), first, start;
        int32_t count;
        disc_track_file_range(d, i, &first, &count);
        p[i].audio = t->mode == DISC_MODE_AUDIO;
        p[i].type = p[i].audio                   ? "AUDIO"
                    : t->mode == DISC_MODE_MODE1 ? "MODE1_RAW"
                                                 : "MODE2_RAW";
        start = t->index[0] < 0 ? 0 : t->index[0];
        if (i == 0 && start != 0)
            return disc_error(ctx, DISC_E_UNSUPPORTED,
                              "track 1 starts at LBA %d: a CHD's first track "
                              "starts at LBA 0",
                              start);
        p[i].pregap = t->index[1] - start;
        p[i].pregap_stored = 1;
        if (p[i].pregap > 0 && first >= t->index[1]) {
            p[i].pregap_stored = 0;
            start = t->index[1];
        }
        p[i].first = start;
        p[i].postgap = 0;
        if (first + count < end && first + count > start)
            p[i].postgap = end - (first + count);
        p[i].frames = end - p[i].postgap - start;
        p[i].chdframe = (uint32_t)chdframe;
        chdframe += (uint64_t)p[i].frames +
                    (CHD_TRACK_PAD - (uint64_t)p[i].frames % CHD_TRACK_PAD) %
                        CHD_TRACK_PAD;
    }
    *frames = chdframe;
    return 0;
}

/* The CHT2 text of track i (with its NUL) into buf; returns its size. */
static size_t
chdw_cht2(const struct chdw_track *p, int i, int sub, char *buf, size_t len)
{
    const char *st = sub ? "RW_RAW" : "NONE";
    char pg[24];
    int n;

    if (p->pregap > 0)
        (void)snprintf(pg, sizeof pg, "%s%s", p->pregap_stored ? "V" : "",
                       p->type);
    else
        (void)snprintf(pg, sizeof pg, "MODE1");
    n = snprintf(buf, len,
                 "TRACK:%d TYPE:%s SUBTYPE:%s FRAMES:%d PREGAP:%d PGTYPE:%s "
                 "PGSUB:%s POSTGAP:%d",
                 i + 1, p->type, st, p->frames, p->pregap, pg,
                 p->pregap > 0 && p->pregap_stored ? st : "NONE", p->postgap);
    return n > 0 && (size_t)n < len ? (size_t)n + 1 : 0;
}

/* Fills hunk h: the frames of the tracks (audio big-endian, subcode
 * interleaved when wanted), zeros for the padding. */
static int
chdw_fill(struct disc_ctx *ctx, const struct disc *d,
          const struct chdw_track *p, int sub, uint32_t h, uint8_t *hunk,
          uint8_t *main, uint8_t *lin)
{
    uint32_t f0 = h * CHD_FRAMES_PER_HUNK, f = f0;
    int i;

    memset(hunk, 0, CHD_HUNK);
    for (i = 0; i < d->ntracks && f < f0 + CHD_FRAMES_PER_HUNK; i++) {
        uint32_t a = p[i].chdframe, b = a + (uint32_t)p[i].frames, n, k;
        int r;
        if (f >= b)
            continue;
        if (f < a)
            f = a;
        if (f >= f0 + CHD_FRAMES_PER_HUNK)
            break;
        n = b - f;
        if (n > f0 + CHD_FRAMES_PER_HUNK - f)
            n = f0 + CHD_FRAMES_PER_HUNK - f;
        r = disc_read_sectors(ctx, d, p[i].first + (disc_lba)(f - a), n, main,
                              sub ? lin : NULL);
        if (r < 0)
            return r;
        for (k = 0; k < n; k++) {
            uint8_t *o = hunk + (size_t)(f - f0 + k) * CHD_FRAME;
            memcpy(o, main + (size_t)k * CHD_FRAME_DATA, CHD_FRAME_DATA);
            if (p[i].audio)
                disc_swap16(o, CHD_FRAME_DATA);
            if (sub)
                disc_sub_interleave(lin + (size_t)k * 96, o + CHD_FRAME_DATA);
        }
        f += n;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/* Duplicate hunks: SHA-1 -> first hunk with those bytes. */
struct chdw_dedup {
    uint8_t (*key)[20];
    uint32_t *hunk; /* UINT32_MAX: empty */
    size_t mask;
};

static int64_t
chdw_dedup_find(struct chdw_dedup *t, const uint8_t *sha, uint32_t h)
{
    size_t i = (size_t)disc_rd_be32(sha) & t->mask;

    while (t->hunk[i] != UINT32_MAX) {
        if (memcmp(t->key[i], sha, 20) == 0)
            return t->hunk[i];
        i = (i + 1) & t->mask;
    }
    memcpy(t->key[i], sha, 20);
    t->hunk[i] = h;
    return -1;
}

static int
chdw_workers(struct chdw *w)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    int i;

    if (n < 1)
        n = 1;
    if (n > CHD_MAX_WORKERS)
        n = CHD_MAX_WORKERS;
    w->cs = disc_calloc((size_t)n, sizeof *w->cs);
    w->nslot = (int)n * 4;
    w->slot = disc_calloc((size_t)w->nslot, sizeof *w->slot);
    if (!w->cs || !w->slot)
        return -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->idle, NULL);
    for (i = 0; i < n; i++) {
        lzma_stream init = LZMA_STREAM_INIT;
        w->cs[i].lz = init;
        w->cs[i].w = w;
        if (disc_md_new(NULL, DISC_SHA1, &w->cs[i].sha) != 0)
            break;
        if (pthread_create(&w->cs[i].th, NULL, chdw_worker, &w->cs[i]) != 0) {
            disc_md_free(w->cs[i].sha);
            break;
        }
        w->nworkers++;
    }
    return w->nworkers > 0 ? 0 : -1;
}

static void
chdw_stop(struct chdw *w)
{
    int i;

    if (w->nworkers) {
        pthread_mutex_lock(&w->mu);
        w->quit = 1;
        pthread_cond_broadcast(&w->work);
        pthread_mutex_unlock(&w->mu);
        for (i = 0; i < w->nworkers; i++)
            pthread_join(w->cs[i].th, NULL);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->idle);
    }
    if (w->cs) {
        for (i = 0; i < w->nworkers; i++) {
            struct chdw_codec *c = &w->cs[i];
            if (c->z_ready)
                deflateEnd(&c->z);
            lzma_end(&c->lz);
            if (c->flac)
                FLAC__stream_encoder_delete(c->flac);
            disc_md_free(c->sha);
        }
    }
    disc_free_mem(w->cs);
    disc_free_mem(w->slot);
}

/* Compresses the nfill filled slots on the workers and waits. */
static int
chdw_run_batch(struct chdw *w, int nfill)
{
    int i;

    pthread_mutex_lock(&w->mu);
    w->nfill = nfill;
    w->next = 0;
    w->done = 0;
    pthread_cond_broadcast(&w->work);
    while (w->done < w->nfill)
        pthread_cond_wait(&w->idle, &w->mu);
    w->nfill = 0;
    w->next = 0;
    pthread_mutex_unlock(&w->mu);
    for (i = 0; i < w->nworkers; i++)
        if (w->cs[i].failed)
            return -1;
    return 0;
}

/* What a CHD without subchannel cannot keep beyond its caps: INDEX 02+
 * and track flags (the captured subchannel, MCN and ISRC are the core's
 * check, chd_caps_for). */
static int
chdw_check_drops(struct disc_ctx *ctx, const struct disc *d,
                 const struct disc_write_opts *o)
{
    int i, idx = 0, flags = 0, r = 0;

    for (i = 0; i < d->ntracks; i++) {
        idx |= d->track[i].last_index > 1;
        flags |= (d->track[i].control &
                  (DISC_CTL_PREEMPH | DISC_CTL_COPY | DISC_CTL_4CH)) != 0;
    }
    if (idx)
        r = disc_write_drop(ctx, o,
                            "chd keeps INDEX 02+ only in its "
                            "subchannel: use --sub to keep them");
    if (r == 0 && flags)
        r = disc_write_drop(ctx, o,
                            "chd keeps track flags (DCP, PRE, "
                            "4CH) only in its subchannel: use "
                            "--sub to keep them");
    return r;
}

static void
chdw_set_codecs(struct chdw *w, int fast)
{
    if (fast) {
        w->codec[0] = CHD_CODEC_CDZL;
        w->codec[1] = CHD_CODEC_CDFL;
        w->ncodec = 2;
        w->flac_slot = 1;
    } else {
        w->codec[0] = CHD_CODEC_CDLZ;
        w->codec[1] = CHD_CODEC_CDZL;
        w->codec[2] = CHD_CODEC_CDFL;
        w->ncodec = 3;
        w->flac_slot = 2;
    }
}

/* One CHD being written. */
struct chdw_job {
    const struct disc *d;
    struct chdw_track plan[DISC_MAX_TRACKS];
    int sub;
    struct chdw w;
    struct chdw_map m;
    struct chdw_dedup dd;
    struct disc_out *out;
    struct disc_md *md; /* SHA-1 of the data */
    uint8_t head[CHD_V5_HEADER];
    uint8_t (*msum)[24];   /* per metadata record: tag + SHA-1 */
    uint8_t *main, *lin;   /* one hunk's sectors and subchannel */
    uint64_t logical, pos; /* logical bytes; file offset written up to */
    uint32_t hunks;
};

static int
chdw_job_alloc(struct disc_ctx *ctx, struct chdw_job *j)
{
    size_t n = j->hunks ? j->hunks : 1;
    int r;

    j->m.n = j->hunks;
    j->m.type = disc_malloc(n);
    j->m.len = disc_malloc(n * sizeof *j->m.len);
    j->m.off = disc_malloc(n * sizeof *j->m.off);
    j->m.crc = disc_malloc(n * sizeof *j->m.crc);
    for (j->dd.mask = 1; j->dd.mask < (size_t)j->hunks * 2; j->dd.mask <<= 1)
        ;
    j->dd.key = disc_malloc(j->dd.mask * sizeof *j->dd.key);
    j->dd.hunk = disc_malloc(j->dd.mask * sizeof *j->dd.hunk);
    j->dd.mask--;
    j->main = disc_malloc((size_t)CHD_FRAMES_PER_HUNK * DISC_SECTOR_RAW);
    j->lin = disc_malloc((size_t)CHD_FRAMES_PER_HUNK * DISC_SECTOR_SUB);
    j->msum = disc_malloc((size_t)j->d->ntracks * sizeof *j->msum);
    if (!j->m.type || !j->m.len || !j->m.off || !j->m.crc || !j->dd.key ||
        !j->dd.hunk || !j->main || !j->lin || !j->msum)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    r = disc_md_new(ctx, DISC_SHA1, &j->md); /* libcrypto missing? */
    if (r != 0)
        return r;
    memset(j->dd.hunk, 0xFF, (j->dd.mask + 1) * sizeof *j->dd.hunk);
    return 0;
}

static void
chdw_job_free(struct chdw_job *j)
{
    chdw_stop(&j->w);
    disc_md_free(j->md);
    disc_free_mem(j->m.type);
    disc_free_mem(j->m.len);
    disc_free_mem(j->m.off);
    disc_free_mem(j->m.crc);
    disc_free_mem(j->dd.key);
    disc_free_mem(j->dd.hunk);
    disc_free_mem(j->main);
    disc_free_mem(j->lin);
    disc_free_mem(j->msum);
}

/* The header (completed at the end), then the chain of CHT2 records. */
static int
chdw_write_head(struct disc_ctx *ctx, struct chdw_job *j)
{
    const struct disc *d = j->d;
    uint8_t *head = j->head;
    int i, r;

    memset(head, 0, sizeof j->head);
    memcpy(head, chdw_magic, sizeof chdw_magic);
    disc_wr_be32(head + 8, CHD_V5_HEADER);
    disc_wr_be32(head + 12, 5);
    for (i = 0; i < 4; i++)
        disc_wr_be32(head + 16 + (size_t)i * 4, j->w.codec[i]);
    disc_wr_be32(head + 32, (uint32_t)(j->logical >> 32));
    disc_wr_be32(head + 36, (uint32_t)j->logical);
    disc_wr_be32(head + 52, CHD_V5_HEADER);
    disc_wr_be32(head + 56, CHD_HUNK);
    disc_wr_be32(head + 60, CHD_FRAME);
    r = disc_out_write(ctx, j->out, head, sizeof j->head);
    j->pos = CHD_V5_HEADER;
    for (i = 0; r == 0 && i < d->ntracks; i++) {
        char text[160];
        uint8_t mh[CHD_META_HEADER];
        size_t n = chdw_cht2(&j->plan[i], i, j->sub, text, sizeof text);
        uint64_t next = i + 1 < d->ntracks ? j->pos + CHD_META_HEADER + n : 0;
        disc_wr_be32(mh, CHD_TAG_CHT2);
        mh[4] = 0x01; /* checksummed: part of the overall SHA-1 */
        mh[5] = (uint8_t)(n >> 16);
        disc_wr_be16(mh + 6, (uint16_t)n);
        disc_wr_be32(mh + 8, (uint32_t)(next >> 32));
        disc_wr_be32(mh + 12, (uint32_t)next);
        disc_wr_be32(j->msum[i], CHD_TAG_CHT2);
        r = disc_sha1(ctx, text, n, j->msum[i] + 4);
        if (r == 0)
            r = disc_out_write(ctx, j->out, mh, sizeof mh);
        if (r == 0)
            r = disc_out_write(ctx, j->out, text, n);
        j->pos += CHD_META_HEADER + n;
    }
    return r;
}

/* Stores the n compressed slots of a batch as hunks h.. (a duplicate of
 * an earlier hunk only as a reference to it). */
static int
chdw_store_batch(struct disc_ctx *ctx, struct chdw_job *j, uint32_t h, int n)
{
    int i, r;

    for (i = 0; i < n; i++, h++) {
        struct chdw_slot *s = &j->w.slot[i];
        uint64_t at = (uint64_t)h * CHD_HUNK, k = CHD_HUNK;
        int64_t dup = chdw_dedup_find(&j->dd, s->sha1, h);
        if (at + k > j->logical)
            k = j->logical - at;
        disc_md_update(j->md, s->data, (size_t)k);
        if (dup >= 0) {
            j->m.type[h] = CHD_MAP_SELF;
            j->m.len[h] = 0;
            j->m.off[h] = (uint64_t)dup;
            j->m.crc[h] = 0;
            continue;
        }
        j->m.type[h] = (uint8_t)s->type;
        j->m.len[h] = s->outlen;
        j->m.off[h] = j->pos;
        j->m.crc[h] = s->crc;
        r = disc_out_write(ctx, j->out, s->out, s->outlen);
        if (r < 0)
            return r;
        j->pos += s->outlen;
    }
    return 0;
}

/* Hunks in batches: read in order, compress in parallel, write in order.
 * Memory is the batch, whatever the disc size. */
static int
chdw_write_hunks(struct disc_ctx *ctx, struct chdw_job *j)
{
    uint32_t h;
    int r;

    if (chdw_workers(&j->w) != 0)
        return disc_error(ctx, DISC_E_NOMEM,
                          "cannot start compression threads");
    for (h = 0; h < j->hunks;) {
        int n = 0;
        while (n < j->w.nslot && h + (uint32_t)n < j->hunks) {
            r = chdw_fill(ctx, j->d, j->plan, j->sub, h + (uint32_t)n,
                          j->w.slot[n].data, j->main, j->lin);
            if (r < 0)
                return r;
            n++;
        }
        if (chdw_run_batch(&j->w, n) != 0)
            return disc_error(ctx, DISC_E_NOMEM,
                              "compression failed (out of "
                              "memory)");
        r = chdw_store_batch(ctx, j, h, n);
        if (r < 0)
            return r;
        h += (uint32_t)n;
        ctx->progress_done += (int64_t)n * (int64_t)CHD_FRAMES_PER_HUNK;
        disc_progress(ctx, ctx->progress_done, ctx->progress_total);
    }
    return 0;
}

/* The hunk map, then the header again with the map's offset and the
 * SHA-1s: the data's, and the overall one (the data's, then the metadata
 * records sorted). */
static int
chdw_finish(struct disc_ctx *ctx, struct chdw_job *j)
{
    uint8_t raw[20], all[20], *map = NULL;
    size_t maplen = 0;
    int r, n = j->d->ntracks;

    disc_md_final(j->md, raw);
    r = chdw_map_encode(ctx, &j->m, &map, &maplen);
    if (r == 0)
        r = disc_out_write(ctx, j->out, map, maplen);
    disc_free_mem(map);
    if (r < 0)
        return r;
    r = chd_overall_sha1(ctx, raw, j->msum, n, all);
    if (r < 0)
        return r;
    disc_wr_be32(j->head + 40, (uint32_t)(j->pos >> 32));
    disc_wr_be32(j->head + 44, (uint32_t)j->pos);
    memcpy(j->head + 64, raw, 20);
    memcpy(j->head + 84, all, 20);
    return disc_out_pwrite(ctx, j->out, j->head, sizeof j->head, 0);
}

int
chd_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
          const struct disc_write_opts *o)
{
    static const struct disc_write_opts defaults;
    struct chdw_job *j;
    struct disc_outset *set = NULL;
    uint64_t frames = 0;
    int r;

    if (!o)
        o = &defaults;
    if (!o->sub) {
        r = chdw_check_drops(ctx, d, o);
        if (r < 0)
            return r;
    }
    j = disc_calloc(1, sizeof *j);
    if (!j)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    j->d = d;
    j->sub = o->sub;
    r = chdw_plan(ctx, d, j->plan, &frames);
    if (r < 0)
        goto out;
    j->logical = frames * CHD_FRAME;
    j->hunks = (uint32_t)((j->logical + CHD_HUNK - 1) / CHD_HUNK);
    chdw_set_codecs(&j->w, o->fast);
    r = chdw_job_alloc(ctx, j);
    if (r < 0)
        goto out;
    r = disc_outset_new(ctx, d, o->force, &set);
    if (r == 0)
        r = disc_outset_open(ctx, set, path, &j->out);
    if (r == 0)
        r = chdw_write_head(ctx, j);
    if (r == 0)
        r = chdw_write_hunks(ctx, j);
    if (r == 0)
        r = chdw_finish(ctx, j);
    if (r == 0)
        r = disc_outset_commit(ctx, set);
    if (r == 0)
        set = NULL;
out:
    chdw_job_free(j);
    disc_outset_abort(set);
    disc_free_mem(j);
    return r;
}
