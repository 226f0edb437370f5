/* chd_map.c - MAME CHD v5: the hunk map (Huffman-coded, with its CRC),
 * the CD codecs that decode a hunk (cdzl, cdlz, cdfl, with the ECC of
 * stripped Mode 1 frames regenerated and the hunk's CRC-16 checked), and
 * the CRC-16, bit stream and Huffman helpers the writer shares.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/chd.md; MAME src/lib/util/chd.cpp (v5 map),
 * chdcodec.cpp (CD codecs), huffman.cpp (map code); libchdr.
 */
#include <FLAC/stream_decoder.h>
#include <libdeflate.h>
#include <lzma.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chd.h"

/* ------------------------------------------------------------------ */
/* CRC-16, bits, Huffman                                               */

/* Slicing by 16: crc16_tab[k][b] is the CRC register after byte b and k
 * zero bytes, from a zero register; sixteen input bytes then cost
 * sixteen independent lookups instead of a chain of sixteen. */
static uint16_t crc16_tab[16][256];
static pthread_once_t crc16_once = PTHREAD_ONCE_INIT;

static void
crc16_init(void)
{
    unsigned b, k;

    for (b = 0; b < 256; b++) {
        uint16_t c = (uint16_t)(b << 8);
        for (k = 0; k < 8; k++)
            c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
        crc16_tab[0][b] = c;
    }
    for (k = 1; k < 16; k++)
        for (b = 0; b < 256; b++) {
            uint16_t c = crc16_tab[k - 1][b];
            crc16_tab[k][b] = (uint16_t)(c << 8 ^ crc16_tab[0][c >> 8]);
        }
}

uint16_t
chd_crc16(uint16_t crc, const uint8_t *p, size_t n)
{
    (void)pthread_once(&crc16_once, crc16_init);
    /* The register's two bytes fold into the first two of each group. */
    for (; n >= 16; n -= 16, p += 16)
        crc = (uint16_t)(crc16_tab[15][p[0] ^ crc >> 8] ^
                         crc16_tab[14][p[1] ^ (crc & 0xFF)] ^
                         crc16_tab[13][p[2]] ^ crc16_tab[12][p[3]] ^
                         crc16_tab[11][p[4]] ^ crc16_tab[10][p[5]] ^
                         crc16_tab[9][p[6]] ^ crc16_tab[8][p[7]] ^
                         crc16_tab[7][p[8]] ^ crc16_tab[6][p[9]] ^
                         crc16_tab[5][p[10]] ^ crc16_tab[4][p[11]] ^
                         crc16_tab[3][p[12]] ^ crc16_tab[2][p[13]] ^
                         crc16_tab[1][p[14]] ^ crc16_tab[0][p[15]]);
    for (; n > 0; n--, p++)
        crc = (uint16_t)(crc << 8 ^ crc16_tab[0][(crc >> 8 ^ *p) & 0xFF]);
    return crc;
}

uint32_t
chd_bits_get(struct chd_bits *b, unsigned n)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        uint64_t byte = b->bit >> 3;
        unsigned bit = 0;
        if (byte < b->len)
            bit = (b->p[byte] >> (7 - (b->bit & 7))) & 1u;
        else
            b->overrun = 1;
        v = v << 1 | bit;
        b->bit++;
    }
    return v;
}

void
chd_bits_put(struct chd_bits *b, uint32_t v, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        uint64_t byte = b->bit >> 3;
        if (byte >= b->len) {
            size_t was = b->len;
            if (disc_grow(NULL, &b->p, (size_t)byte + 1, &b->len, 1, 256) < 0) {
                b->nomem = 1;
                return;
            }
            memset(b->p + was, 0, b->len - was);
        }
        if ((v >> (n - 1 - i)) & 1u)
            b->p[byte] |= (uint8_t)(0x80u >> (b->bit & 7));
        b->bit++;
    }
}

int
chd_huff_assign(struct chd_huff *h)
{
    uint32_t histo[CHD_HUFF_MAXBITS + 1] = { 0 }, start[CHD_HUFF_MAXBITS + 1];
    uint32_t cur = 0;
    int len, s;

    for (s = 0; s < CHD_HUFF_SYMS; s++) {
        if (h->len[s] > CHD_HUFF_MAXBITS)
            return -1;
        histo[h->len[s]]++;
    }
    /* Longest codes get the smallest values (MAME huffman.cpp). */
    for (len = CHD_HUFF_MAXBITS; len > 0; len--) {
        uint32_t next = (cur + histo[len]) >> 1;
        if (len != 1 && next * 2 != cur + histo[len])
            return -1;
        start[len] = cur;
        cur = next;
    }
    memset(h->lookup, 0, sizeof h->lookup);
    for (s = 0; s < CHD_HUFF_SYMS; s++) {
        uint32_t c, lo, hi, k;
        len = h->len[s];
        if (len == 0)
            continue;
        c = start[len]++;
        if (c >= 1u << len)
            return -1;
        h->code[s] = (uint16_t)c;
        lo = c << (CHD_HUFF_MAXBITS - len);
        hi = (c + 1) << (CHD_HUFF_MAXBITS - len);
        for (k = lo; k < hi; k++)
            h->lookup[k] = (uint16_t)(s << 4 | len);
    }
    return 0;
}

int
chd_huff_import(struct chd_huff *h, struct chd_bits *b)
{
    int cur = 0;

    memset(h->len, 0, sizeof h->len);
    while (cur < CHD_HUFF_SYMS) {
        uint32_t v = chd_bits_get(b, 4);
        if (v != 1) {
            h->len[cur++] = (uint8_t)v;
            continue;
        }
        v = chd_bits_get(b, 4);
        if (v == 1) {
            h->len[cur++] = 1;
        } else {
            uint32_t rep = chd_bits_get(b, 4) + 3;
            if (cur + (int)rep > CHD_HUFF_SYMS)
                return -1;
            while (rep--)
                h->len[cur++] = (uint8_t)v;
        }
    }
    if (b->overrun)
        return -1;
    return chd_huff_assign(h);
}

int
chd_huff_decode(const struct chd_huff *h, struct chd_bits *b)
{
    uint64_t at = b->bit;
    uint16_t e = h->lookup[chd_bits_get(b, CHD_HUFF_MAXBITS)];

    if ((e & 15) == 0)
        return -1;
    b->bit = at + (e & 15);
    return e >> 4;
}

/* Huffman code lengths for the counts (plain Huffman over at most 16
 * symbols); the maximum length is returned. */
static int
chd_huff_lengths(const uint32_t *counts, uint8_t *len)
{
    uint64_t w[2 * CHD_HUFF_SYMS];
    int parent[2 * CHD_HUFF_SYMS], alive[2 * CHD_HUFF_SYMS];
    int n = 0, nodes = CHD_HUFF_SYMS, s, maxlen = 0;

    for (s = 0; s < CHD_HUFF_SYMS; s++) {
        w[s] = counts[s];
        parent[s] = -1;
        alive[s] = counts[s] != 0;
        n += alive[s];
    }
    while (n > 1) {
        int a = -1, b = -1, k;
        for (k = 0; k < nodes; k++) {
            if (!alive[k])
                continue;
            if (a < 0 || w[k] < w[a]) {
                b = a;
                a = k;
            } else if (b < 0 || w[k] < w[b]) {
                b = k;
            }
        }
        if (a < 0 || b < 0)
            break; /* cannot happen: n > 1 nodes are alive */
        w[nodes] = w[a] + w[b];
        parent[nodes] = -1;
        alive[nodes] = 1;
        parent[a] = parent[b] = nodes;
        alive[a] = alive[b] = 0;
        nodes++;
        n--;
    }
    for (s = 0; s < CHD_HUFF_SYMS; s++) {
        int d = 0, k = s;
        if (counts[s] == 0) {
            len[s] = 0;
            continue;
        }
        while (parent[k] >= 0) {
            k = parent[k];
            d++;
        }
        len[s] = (uint8_t)(d ? d : 1);
        if (len[s] > maxlen)
            maxlen = len[s];
    }
    return maxlen;
}

void
chd_huff_build(struct chd_huff *h, const uint32_t *counts)
{
    uint32_t c[CHD_HUFF_SYMS];
    int s, used = 0;

    for (s = 0; s < CHD_HUFF_SYMS; s++) {
        c[s] = counts[s];
        used += c[s] != 0;
    }
    /* Two codes at least, so that no decoder meets a one-symbol tree. */
    for (s = 0; used < 2 && s < CHD_HUFF_SYMS; s++)
        if (c[s] == 0) {
            c[s] = 1;
            used++;
        }
    /* Flatten the counts until the longest code fits in 8 bits. */
    while (chd_huff_lengths(c, h->len) > CHD_HUFF_MAXBITS)
        for (s = 0; s < CHD_HUFF_SYMS; s++)
            if (c[s])
                c[s] = (c[s] + 1) / 2;
    (void)chd_huff_assign(h);
}

void
chd_huff_export(const struct chd_huff *h, struct chd_bits *b)
{
    int i = 0;

    while (i < CHD_HUFF_SYMS) {
        int v = h->len[i], run = 1;
        while (i + run < CHD_HUFF_SYMS && h->len[i + run] == v)
            run++;
        if (v == 1) {
            /* 1 is the escape: a single length 1 is sent as 1, 1. */
            chd_bits_put(b, 1, 4);
            chd_bits_put(b, 1, 4);
            i++;
        } else if (run >= 3) {
            if (run > 18)
                run = 18;
            chd_bits_put(b, 1, 4);
            chd_bits_put(b, (uint32_t)v, 4);
            chd_bits_put(b, (uint32_t)(run - 3), 4);
            i += run;
        } else {
            chd_bits_put(b, (uint32_t)v, 4);
            i++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* ECC of stripped frames                                              */

/* P/Q parity as chdman computes it: a Mode 2 header counts as zero. */
static void
chd_ecc_generate(uint8_t *sec)
{
    uint8_t hdr[4];
    int mode2 = sec[15] == 2;

    if (mode2) {
        memcpy(hdr, sec + 12, 4);
        memset(sec + 12, 0, 4);
    }
    disc_ecc_compute(sec);
    if (mode2)
        memcpy(sec + 12, hdr, 4);
}

int
chd_frame_ecc_strippable(const uint8_t *sec)
{
    uint8_t tmp[CHD_FRAME_DATA];

    if (memcmp(sec, disc_sync, sizeof disc_sync) != 0)
        return 0;
    memcpy(tmp, sec, sizeof tmp);
    chd_ecc_generate(tmp);
    return memcmp(tmp + 0x81C, sec + 0x81C, CHD_FRAME_DATA - 0x81C) == 0;
}

void
chd_frame_ecc_restore(uint8_t *sec)
{
    memcpy(sec, disc_sync, sizeof disc_sync);
    chd_ecc_generate(sec);
}

/* ------------------------------------------------------------------ */
/* Hunk decoders                                                       */

/* One decoder's state and work buffers (one per thread). */
struct chd_dec {
    uint32_t frames, hunkbytes;
    uint8_t *cbuf, *dplane, *splane;
    struct libdeflate_decompressor *inflater;
    /* The compressed subcode plane splane was last inflated from: a
     * disc without subchannel has the same one in every hunk. */
    uint8_t sub_in[64];
    size_t sub_len; /* 0: splane holds nothing known */
    lzma_stream lz;
    FLAC__StreamDecoder *flac;
    /* FLAC callback state: samples go straight into the hunk's frames. */
    const uint8_t *fl_in;
    uint8_t *fl_out;
    size_t fl_len, fl_pos;
    uint32_t fl_need, fl_got;
    int fl_bad;
};

void
chd_dec_free(struct chd_dec *c)
{
    if (!c)
        return;
    disc_free_mem(c->cbuf);
    disc_free_mem(c->dplane);
    disc_free_mem(c->splane);
    if (c->inflater)
        libdeflate_free_decompressor(c->inflater);
    lzma_end(&c->lz);
    if (c->flac)
        FLAC__stream_decoder_delete(c->flac);
    disc_free_mem(c);
}

struct chd_dec *
chd_dec_new(uint32_t hunkbytes)
{
    lzma_stream init = LZMA_STREAM_INIT;
    struct chd_dec *c = disc_calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->lz = init;
    c->hunkbytes = hunkbytes;
    c->frames = (uint32_t)(hunkbytes / CHD_FRAME);
    c->cbuf = disc_malloc(hunkbytes);
    c->dplane = disc_malloc(c->frames * CHD_FRAME_DATA);
    c->splane = disc_malloc((size_t)c->frames * 96);
    c->inflater = libdeflate_alloc_decompressor();
    if (c->cbuf && c->dplane && c->splane && c->inflater)
        return c;
    chd_dec_free(c);
    return NULL;
}

/* Disc LBAs of the first and last frame of hunk h that belong to a track
 * (the 4-frame padding has none); *first = -1 when none does. */
static void
chd_hunk_lbas(const struct chd_file *f, uint32_t h, disc_lba *first,
              disc_lba *last)
{
    uint64_t a = (uint64_t)h * f->frames, b = a + f->frames, fr;
    int t;

    *first = *last = -1;
    for (fr = a; fr < b; fr++)
        for (t = 0; t < f->ntracks; t++) {
            const struct chd_track *k = &f->track[t];
            if (fr >= k->chdframe && fr < k->chdframe + (uint32_t)k->frames) {
                disc_lba l = k->lba + (disc_lba)(fr - k->chdframe);
                if (*first < 0)
                    *first = l;
                *last = l;
            }
        }
}

int
chd_hunk_error(struct disc_ctx *ctx, const struct chd_file *f, uint32_t h,
               const char *what)
{
    disc_lba a, b;

    chd_hunk_lbas(f, h, &a, &b);
    if (a < 0)
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: hunk %u (track padding, no LBA): %s", f->name, h,
                          what);
    return disc_error(ctx, DISC_E_FORMAT, "%s: hunk %u (LBA %d-%d): %s",
                      f->name, h, a, b, what);
}

/* Raw deflate (no zlib header) of exactly want bytes.  libdeflate: the
 * stream is whole in memory, and it needs no state reset per hunk. */
static int
chd_inflate(struct chd_dec *f, const uint8_t *in, size_t n, uint8_t *out,
            size_t want)
{
    return libdeflate_deflate_decompress(f->inflater, in, n, out, want, NULL) ==
                   LIBDEFLATE_SUCCESS
               ? 0
               : -1;
}

/* The dictionary size chdman's LZMA encoder picks for a plane of n
 * bytes: the smallest 2^k or 3*2^k at least n, and at least 4096. */
uint32_t
chd_lzma_dict(uint32_t n)
{
    uint32_t i;

    for (i = 12; i < 30; i++) {
        if ((1u << i) >= n)
            return 1u << i;
        if ((3u << i) >= n)
            return 3u << i;
    }
    return 1u << 30;
}

int
chd_overall_sha1(struct disc_ctx *ctx, const uint8_t raw[20],
                 uint8_t (*meta)[24], int n, uint8_t out[20])
{
    struct disc_md *md;
    int i, j, r;

    for (i = 1; i < n; i++)
        for (j = i; j > 0 && memcmp(meta[j - 1], meta[j], 24) > 0; j--) {
            uint8_t t[24];
            memcpy(t, meta[j], 24);
            memcpy(meta[j], meta[j - 1], 24);
            memcpy(meta[j - 1], t, 24);
        }
    r = disc_md_new(ctx, DISC_SHA1, &md);
    if (r != 0)
        return r;
    disc_md_update(md, raw, 20);
    for (i = 0; i < n; i++)
        disc_md_update(md, meta[i], 24);
    disc_md_final(md, out);
    disc_md_free(md);
    return 0;
}

/* Raw LZMA1 (lc 3, lp 0, pb 2, no end mark) of exactly want bytes. */
static int
chd_unlzma(struct chd_dec *f, const uint8_t *in, size_t n, uint8_t *out,
           size_t want)
{
    lzma_options_lzma opt;
    lzma_filter filters[2];
    lzma_ret r;

    memset(&opt, 0, sizeof opt);
    opt.dict_size = chd_lzma_dict((uint32_t)want);
    opt.lc = 3;
    opt.lp = 0;
    opt.pb = 2;
    filters[0].id = LZMA_FILTER_LZMA1;
    filters[0].options = &opt;
    filters[1].id = LZMA_VLI_UNKNOWN;
    filters[1].options = NULL;
    if (lzma_raw_decoder(&f->lz, filters) != LZMA_OK)
        return -1;
    f->lz.next_in = in;
    f->lz.avail_in = n;
    f->lz.next_out = out;
    f->lz.avail_out = want;
    r = lzma_code(&f->lz, LZMA_RUN);
    return (r == LZMA_OK || r == LZMA_STREAM_END) && f->lz.avail_out == 0 ? 0
                                                                          : -1;
}

/* libFLAC callbacks: the stream is a fixed STREAMINFO header followed by
 * the hunk's FLAC frames (chdman stores frames only). */
static const uint8_t chd_flac_head[42] = {
    'f', 'L', 'a', 'C', 0x80, 0x00, 0x00, 0x22, 0x09, 0x30, 0x09, 0x30, 0, 0,
    0,   0,   0,   0,   0x0A, 0xC4, 0x42, 0xF0, 0,    0,    0,    0,    0, 0,
    0,   0,   0,   0,   0,    0,    0,    0,    0,    0,    0,    0,    0, 0
};

static FLAC__StreamDecoderReadStatus
chd_flac_read(const FLAC__StreamDecoder *dec, FLAC__byte buffer[],
              size_t *bytes, void *user)
{
    struct chd_dec *f = user;
    size_t total = sizeof chd_flac_head + f->fl_len, n = 0;

    (void)dec;
    while (n < *bytes && f->fl_pos < total) {
        size_t k;
        const uint8_t *from;
        if (f->fl_pos < sizeof chd_flac_head) {
            from = chd_flac_head + f->fl_pos;
            k = sizeof chd_flac_head - f->fl_pos;
        } else {
            from = f->fl_in + (f->fl_pos - sizeof chd_flac_head);
            k = total - f->fl_pos;
        }
        if (k > *bytes - n)
            k = *bytes - n;
        memcpy(buffer + n, from, k);
        n += k;
        f->fl_pos += k;
    }
    *bytes = n;
    return n ? FLAC__STREAM_DECODER_READ_STATUS_CONTINUE
             : FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
}

static FLAC__StreamDecoderTellStatus
chd_flac_tell(const FLAC__StreamDecoder *dec, FLAC__uint64 *off, void *user)
{
    const struct chd_dec *f = user;

    (void)dec;
    *off = f->fl_pos;
    return FLAC__STREAM_DECODER_TELL_STATUS_OK;
}

/* Samples are written big-endian (as CD audio sits in a CHD) into the
 * data part of the hunk's frames, 588 stereo samples each. */
static FLAC__StreamDecoderWriteStatus
chd_flac_write(const FLAC__StreamDecoder *dec, const FLAC__Frame *frame,
               const FLAC__int32 *const buffer[], void *user)
{
    struct chd_dec *f = user;
    uint32_t i = 0, j, n = frame->header.blocksize;
    const FLAC__int32 *l = buffer[0], *r = buffer[1];

    (void)dec;
    if (frame->header.channels != 2 || frame->header.bits_per_sample != 16 ||
        f->fl_got + n > f->fl_need) {
        f->fl_bad = 1;
        return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
    while (i < n) {
        uint32_t at = f->fl_got + i, k = at % 588, m = 588 - k;
        uint8_t *o = f->fl_out + (size_t)(at / 588) * CHD_FRAME + (size_t)k * 4;
        if (m > n - i)
            m = n - i;
        /* One 32-bit store per sample pair (the compiler merges the
         * bytes), the samples loaded before it: byte stores may alias
         * them. */
        for (j = i; j < i + m; j++, o += 4)
            disc_wr_be32(o, (uint32_t)l[j] << 16 | ((uint32_t)r[j] & 0xFFFF));
        i += m;
    }
    f->fl_got += n;
    return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void
chd_flac_error(const FLAC__StreamDecoder *dec,
               FLAC__StreamDecoderErrorStatus status, void *user)
{
    struct chd_dec *f = user;

    (void)dec;
    (void)status;
    f->fl_bad = 1;
}

/* FLAC frames of samples stereo samples into the frames at out; *used
 * gets the bytes they took. */
static int
chd_unflac(struct chd_dec *f, const uint8_t *in, size_t n, uint8_t *out,
           uint32_t samples, size_t *used)
{
    FLAC__uint64 pos = 0;
    int ok;

    if (!f->flac) {
        f->flac = FLAC__stream_decoder_new();
        if (!f->flac)
            return -1;
    }
    f->fl_in = in;
    f->fl_out = out;
    f->fl_len = n;
    f->fl_pos = 0;
    f->fl_need = samples;
    f->fl_got = 0;
    f->fl_bad = 0;
    if (FLAC__stream_decoder_init_stream(
            f->flac, chd_flac_read, NULL, chd_flac_tell, NULL, NULL,
            chd_flac_write, NULL, chd_flac_error,
            f) != FLAC__STREAM_DECODER_INIT_STATUS_OK)
        return -1;
    ok = FLAC__stream_decoder_process_until_end_of_metadata(f->flac);
    while (ok && !f->fl_bad && f->fl_got < samples &&
           FLAC__stream_decoder_get_state(f->flac) !=
               FLAC__STREAM_DECODER_END_OF_STREAM)
        ok = FLAC__stream_decoder_process_single(f->flac);
    ok = ok && !f->fl_bad && f->fl_got == samples &&
         FLAC__stream_decoder_get_decode_position(f->flac, &pos) &&
         pos >= sizeof chd_flac_head && pos - sizeof chd_flac_head <= n;
    *used = ok ? (size_t)(pos - sizeof chd_flac_head) : 0;
    (void)FLAC__stream_decoder_finish(f->flac);
    return ok ? 0 : -1;
}

/* The subcode plane (want bytes) into f->splane, unless it is already
 * there: the same compressed bytes as last time give the same plane. */
static int
chd_unsub(struct chd_dec *f, const uint8_t *in, size_t n, size_t want)
{
    if (n > 0 && n == f->sub_len && memcmp(in, f->sub_in, n) == 0)
        return 0;
    f->sub_len = 0;
    if (chd_inflate(f, in, n, f->splane, want) != 0)
        return -1;
    if (n <= sizeof f->sub_in) {
        memcpy(f->sub_in, in, n);
        f->sub_len = n;
    }
    return 0;
}

/* Decodes one CD-codec hunk of length n from f->cbuf into out. */
static int
chd_decode_cd(struct chd_dec *f, uint32_t codec, size_t n, uint8_t *out,
              const char **why)
{
    uint32_t fr = f->frames, i;
    size_t dlen = (size_t)fr * CHD_FRAME_DATA, slen = (size_t)fr * 96;
    size_t ecc = (fr + 7) / 8, cl = f->hunkbytes < 65536 ? 2 : 3, hdr, b;
    const uint8_t *in = f->cbuf;

    if (codec == CHD_CODEC_CDFL) {
        size_t used = 0;
        /* Audio: decoded in place, no plane to copy. */
        if (chd_unflac(f, in, n, out, (uint32_t)(dlen / 4), &used) != 0) {
            *why = "cdfl audio data does not decode";
            return -1;
        }
        if (chd_unsub(f, in + used, n - used, slen) != 0) {
            *why = "cdfl subcode data does not decode";
            return -1;
        }
        for (i = 0; i < fr; i++)
            memcpy(out + (size_t)i * CHD_FRAME + CHD_FRAME_DATA,
                   f->splane + (size_t)i * 96, 96);
        return 0;
    }
    hdr = ecc + cl;
    if (n < hdr) {
        *why = "compressed hunk shorter than its header";
        return -1;
    }
    b = cl == 2 ? disc_rd_be16(in + ecc)
                : (size_t)in[ecc] << 16 | disc_rd_be16(in + ecc + 1);
    if (b > n - hdr) {
        *why = "data length runs past the hunk";
        return -1;
    }
    if (codec == CHD_CODEC_CDZL
            ? chd_inflate(f, in + hdr, b, f->dplane, dlen) != 0
            : chd_unlzma(f, in + hdr, b, f->dplane, dlen) != 0) {
        *why = codec == CHD_CODEC_CDZL ? "cdzl data does not decode"
                                       : "cdlz data does not decode";
        return -1;
    }
    if (chd_unsub(f, in + hdr + b, n - hdr - b, slen) != 0) {
        *why = "subcode data does not decode";
        return -1;
    }
    for (i = 0; i < fr; i++) {
        uint8_t *o = out + (size_t)i * CHD_FRAME;
        memcpy(o, f->dplane + (size_t)i * CHD_FRAME_DATA, CHD_FRAME_DATA);
        memcpy(o + CHD_FRAME_DATA, f->splane + (size_t)i * 96, 96);
        if (in[i / 8] >> (i % 8) & 1)
            chd_frame_ecc_restore(o);
    }
    return 0;
}

const char *
chd_codec_name(uint32_t c, char buf[5])
{
    int i;

    for (i = 0; i < 4; i++) {
        char ch = (char)(c >> (24 - 8 * i));
        if (ch < 0x20 || ch >= 0x7F)
            ch = '?';
        buf[i] = ch;
    }
    buf[4] = '\0';
    return buf;
}

int
chd_decode(struct disc_ctx *ctx, const struct chd_file *f, struct chd_dec *dec,
           uint32_t h, uint8_t *out)
{
    const struct chd_entry *e = &f->map[h];
    const char *why = NULL;
    char nm[5], msg[96];
    int r;

    if (e->type == CHD_MAP_NONE) {
        if (e->offset == 0 && !e->has_crc) {
            memset(out, 0, f->hunkbytes); /* unallocated hunk */
            return 0;
        }
        r = f->file->ops->pread(ctx, f->file, (int64_t)e->offset, f->hunkbytes,
                                out);
        if (r < 0)
            return chd_hunk_error(ctx, f, h, "cannot be read (truncated?)");
    } else {
        uint32_t c = f->codec[e->type];
        r = f->file->ops->pread(ctx, f->file, (int64_t)e->offset, e->length,
                                dec->cbuf);
        if (r < 0)
            return chd_hunk_error(ctx, f, h, "cannot be read (truncated?)");
        if (c != CHD_CODEC_CDZL && c != CHD_CODEC_CDLZ && c != CHD_CODEC_CDFL) {
            (void)snprintf(msg, sizeof msg, "codec '%s' is not supported",
                           chd_codec_name(c, nm));
            return chd_hunk_error(ctx, f, h, msg);
        }
        if (chd_decode_cd(dec, c, e->length, out, &why) != 0)
            return chd_hunk_error(ctx, f, h, why);
    }
    if (e->has_crc && chd_crc16(0xFFFF, out, f->hunkbytes) != e->crc)
        return chd_hunk_error(ctx, f, h, "CRC-16 mismatch (damaged data)");
    return 0;
}

/* ------------------------------------------------------------------ */
/* The hunk map                                                        */

static uint64_t
chd_rd_be48(const uint8_t *p)
{
    return (uint64_t)disc_rd_be16(p) << 32 | disc_rd_be32(p + 2);
}

static int
chd_fmt_error(struct disc_ctx *ctx, const struct chd_file *f, const char *fmt,
              const char *detail)
{
    return disc_error(ctx, DISC_E_FORMAT, "%s: %s%s", f->name, fmt, detail);
}

/* Pass 1 of the v5 map: every hunk's type, with runs. */
static int
chd_map_types(struct disc_ctx *ctx, struct chd_file *f,
              const struct chd_huff *huff, struct chd_bits *b)
{
    uint32_t h, rep = 0;
    uint8_t last = 0;

    for (h = 0; h < f->hunkcount; h++) {
        int v;
        if (rep > 0) {
            f->map[h].type = last;
            rep--;
            continue;
        }
        v = chd_huff_decode(huff, b);
        if (v == CHD_MAP_RLE_SMALL || v == CHD_MAP_RLE_LARGE) {
            int c1 = chd_huff_decode(huff, b), c2 = 0;
            if (v == CHD_MAP_RLE_LARGE)
                c2 = chd_huff_decode(huff, b);
            if (c1 < 0 || c2 < 0) {
                v = -1;
            } else {
                f->map[h].type = last;
                rep = v == CHD_MAP_RLE_SMALL
                          ? 2u + (uint32_t)c1
                          : 18u + ((uint32_t)c1 << 4) + (uint32_t)c2;
                continue;
            }
        }
        if (v < 0 || v > CHD_MAP_PARENT_1)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: hunk map: bad type code for hunk %u",
                              f->name, h);
        f->map[h].type = last = (uint8_t)v;
    }
    return 0;
}

/* The state pass 2 carries from hunk to hunk. */
struct chd_map_walk {
    struct chd_bits *b;
    unsigned lenbits, selfbits;
    uint64_t cur;       /* file offset of the next stored hunk */
    uint64_t last_self; /* the hunk the last SELF entry named */
};

/* Pass 2 for hunk h: its length, reference and CRC. */
static int
chd_map_entry(struct disc_ctx *ctx, const struct chd_file *f, uint32_t h,
              struct chd_entry *e, struct chd_map_walk *w)
{
    switch (e->type) {
    case CHD_MAP_NONE:
        e->length = f->hunkbytes;
        e->offset = w->cur;
        e->crc = (uint16_t)chd_bits_get(w->b, 16);
        e->has_crc = 1;
        w->cur += e->length;
        return 0;
    case CHD_MAP_SELF:
    case CHD_MAP_SELF_0:
    case CHD_MAP_SELF_1:
        if (e->type == CHD_MAP_SELF)
            w->last_self = chd_bits_get(w->b, w->selfbits);
        else if (e->type == CHD_MAP_SELF_1)
            w->last_self++;
        e->type = CHD_MAP_SELF;
        e->offset = w->last_self;
        if (w->last_self >= h)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: hunk map: hunk %u refers to hunk %llu, "
                              "not an earlier one",
                              f->name, h, (unsigned long long)w->last_self);
        return 0;
    case CHD_MAP_PARENT:
    case CHD_MAP_PARENT_SELF:
    case CHD_MAP_PARENT_0:
    case CHD_MAP_PARENT_1:
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: hunk %u is stored in a parent CHD; "
                          "parent CHDs are not supported",
                          f->name, h);
    default:
        if (f->codec[e->type] == 0)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: hunk map: hunk %u uses compressor slot "
                              "%u, which is empty",
                              f->name, h, e->type);
        e->length = chd_bits_get(w->b, w->lenbits);
        e->offset = w->cur;
        e->crc = (uint16_t)chd_bits_get(w->b, 16);
        e->has_crc = 1;
        if (e->length == 0 || e->length > f->hunkbytes)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: hunk map: hunk %u has length %u", f->name, h,
                              e->length);
        w->cur += e->length;
        return 0;
    }
}

/* The map CRC runs over each entry laid out as 12 bytes. */
static uint16_t
chd_map_entry_crc(uint16_t crc, const struct chd_entry *e)
{
    uint8_t ent[12];
    int self = e->type == CHD_MAP_SELF;

    ent[0] = e->type;
    ent[1] = (uint8_t)(self ? 0 : e->length >> 16);
    ent[2] = (uint8_t)(self ? 0 : e->length >> 8);
    ent[3] = (uint8_t)(self ? 0 : e->length);
    disc_wr_be16(ent + 4, (uint16_t)(e->offset >> 32));
    disc_wr_be32(ent + 6, (uint32_t)e->offset);
    disc_wr_be16(ent + 10, self ? 0 : e->crc);
    return chd_crc16(crc, ent, sizeof ent);
}

/* The compressed v5 map at off (chd.cpp decompress_v5_map). */
int
chd_read_map(struct disc_ctx *ctx, struct chd_file *f, uint64_t off)
{
    uint8_t hdr[16];
    struct chd_bits b;
    struct chd_huff huff;
    struct chd_map_walk w;
    uint32_t mapbytes, h;
    unsigned parentbits;
    uint16_t crc = 0xFFFF;
    int r = 0;

    if (off + 16 > (uint64_t)f->file->size)
        return disc_error(ctx, DISC_E_RANGE,
                          "%s: hunk map at byte %llu lies beyond the end of "
                          "the file (%lld bytes): truncated CHD",
                          f->name, (unsigned long long)off,
                          (long long)f->file->size);
    r = f->file->ops->pread(ctx, f->file, (int64_t)off, 16, hdr);
    if (r < 0)
        return r;
    memset(&w, 0, sizeof w);
    mapbytes = disc_rd_be32(hdr);
    w.cur = chd_rd_be48(hdr + 4);
    w.lenbits = hdr[12];
    w.selfbits = hdr[13];
    parentbits = hdr[14];
    if (w.lenbits > 32 || w.selfbits > 32 || parentbits > 32)
        return chd_fmt_error(ctx, f, "hunk map field widths above 32 bits", "");
    if (off + 16 + mapbytes > (uint64_t)f->file->size)
        return disc_error(ctx, DISC_E_RANGE,
                          "%s: hunk map (%u bytes at byte %llu) runs past "
                          "the end of the file: truncated CHD",
                          f->name, mapbytes, (unsigned long long)off);
    memset(&b, 0, sizeof b);
    b.p = disc_malloc(mapbytes ? mapbytes : 1);
    if (!b.p)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    b.len = mapbytes;
    w.b = &b;
    r = f->file->ops->pread(ctx, f->file, (int64_t)off + 16, mapbytes, b.p);
    if (r < 0)
        goto out;
    if (chd_huff_import(&huff, &b) != 0) {
        r = chd_fmt_error(ctx, f, "hunk map: malformed Huffman tree", "");
        goto out;
    }
    r = chd_map_types(ctx, f, &huff, &b);
    /* Pass 2: lengths, references and CRCs; offsets accumulate. */
    for (h = 0; r == 0 && h < f->hunkcount; h++) {
        r = chd_map_entry(ctx, f, h, &f->map[h], &w);
        if (r == 0)
            crc = chd_map_entry_crc(crc, &f->map[h]);
    }
    if (r == 0 && crc != disc_rd_be16(hdr + 10))
        r = disc_error(ctx, DISC_E_FORMAT,
                       "%s: hunk map CRC mismatch (map at byte %llu is "
                       "damaged)",
                       f->name, (unsigned long long)off);
out:
    disc_free_mem(b.p);
    return r;
}

/* The map of an uncompressed (v5, no codec) file: 4-byte hunk numbers. */
int
chd_read_flat_map(struct disc_ctx *ctx, struct chd_file *f, uint64_t off)
{
    uint8_t buf[4 * 256];
    uint32_t h = 0;
    int r;

    while (h < f->hunkcount) {
        uint32_t n = f->hunkcount - h, i;
        if (n > 256)
            n = 256;
        r = f->file->ops->pread(ctx, f->file, (int64_t)off + 4 * (int64_t)h,
                                4 * (size_t)n, buf);
        if (r < 0)
            return r;
        for (i = 0; i < n; i++) {
            f->map[h + i].type = CHD_MAP_NONE;
            f->map[h + i].length = f->hunkbytes;
            f->map[h + i].offset =
                (uint64_t)disc_rd_be32(buf + (size_t)i * 4) * f->hunkbytes;
        }
        h += n;
    }
    return 0;
}
