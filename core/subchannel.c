/* subchannel.c - P-W subchannel: (de)interleaving, Q frames and their
 * CRC, MCN/ISRC coding, and P+Q synthesis from the disc model.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: IEC 60908 / ECMA-130 section 22 (subcode channels P and Q);
 * MMC-3 (READ CD raw P-W, MSF/LBA rule); docs/formats/cd.md (layouts,
 * libMirage conventions for synthesis, the Q index scan).
 */
#include <string.h>

#include "disc_format.h"

#define SUB_CHAN 12       /* bytes per channel per sector */
#define SUB_LEADOUT 6750  /* sectors served after the last lead-out */
#define SUB_MCN_PHASE 25  /* (L - track start) mod 100 for ADR 2 */
#define SUB_ISRC_PHASE 50 /* ... and for ADR 3 */

/* ------------------------------------------------------------------ */
/* Interleaving                                                        */

/* Transposes an 8x8 bit matrix held in x: row r is byte r counted from
 * the most significant end, column c is bit 7 - c.  Three rounds of
 * swaps of 1x1, 2x2 and 4x4 sub-blocks (the classic delta-swap
 * transpose).  Raw byte 8n+b holds bit 7-b of channel byte n of every
 * channel (docs/formats/cd.md), which is exactly this transpose of the eight
 * channel bytes n, so one routine serves both directions. */
static uint64_t
sub_transpose(uint64_t x)
{
    uint64_t t;

    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
    x ^= t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
    x ^= t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
    x ^= t ^ (t << 28);
    return x;
}

static uint64_t
sub_load_be64(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static void
sub_store_be64(uint8_t *p, uint64_t x)
{
    p[0] = (uint8_t)(x >> 56);
    p[1] = (uint8_t)(x >> 48);
    p[2] = (uint8_t)(x >> 40);
    p[3] = (uint8_t)(x >> 32);
    p[4] = (uint8_t)(x >> 24);
    p[5] = (uint8_t)(x >> 16);
    p[6] = (uint8_t)(x >> 8);
    p[7] = (uint8_t)x;
}

void
disc_sub_interleave(const uint8_t *lin, uint8_t *raw)
{
    size_t n, c;

    for (n = 0; n < SUB_CHAN; n++) {
        uint64_t x = 0;
        for (c = 0; c < 8; c++)
            x = x << 8 | lin[c * SUB_CHAN + n];
        sub_store_be64(raw + 8 * n, sub_transpose(x));
    }
}

void
disc_sub_deinterleave(const uint8_t *raw, uint8_t *lin)
{
    size_t n, c;

    for (n = 0; n < SUB_CHAN; n++) {
        uint64_t x = sub_transpose(sub_load_be64(raw + 8 * n));
        for (c = 0; c < 8; c++)
            lin[c * SUB_CHAN + n] = (uint8_t)(x >> (56 - 8 * c));
    }
}

/* ------------------------------------------------------------------ */
/* CRC-16/GSM                                                          */

/* crc16_table[i] is the CRC register (poly 0x1021, MSB first) after
 * shifting the byte i through a zero register. */
/* clang-format off */
static const uint16_t crc16_table[256] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
    0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
    0x1231, 0x0210, 0x3273, 0x2252, 0x52B5, 0x4294, 0x72F7, 0x62D6,
    0x9339, 0x8318, 0xB37B, 0xA35A, 0xD3BD, 0xC39C, 0xF3FF, 0xE3DE,
    0x2462, 0x3443, 0x0420, 0x1401, 0x64E6, 0x74C7, 0x44A4, 0x5485,
    0xA56A, 0xB54B, 0x8528, 0x9509, 0xE5EE, 0xF5CF, 0xC5AC, 0xD58D,
    0x3653, 0x2672, 0x1611, 0x0630, 0x76D7, 0x66F6, 0x5695, 0x46B4,
    0xB75B, 0xA77A, 0x9719, 0x8738, 0xF7DF, 0xE7FE, 0xD79D, 0xC7BC,
    0x48C4, 0x58E5, 0x6886, 0x78A7, 0x0840, 0x1861, 0x2802, 0x3823,
    0xC9CC, 0xD9ED, 0xE98E, 0xF9AF, 0x8948, 0x9969, 0xA90A, 0xB92B,
    0x5AF5, 0x4AD4, 0x7AB7, 0x6A96, 0x1A71, 0x0A50, 0x3A33, 0x2A12,
    0xDBFD, 0xCBDC, 0xFBBF, 0xEB9E, 0x9B79, 0x8B58, 0xBB3B, 0xAB1A,
    0x6CA6, 0x7C87, 0x4CE4, 0x5CC5, 0x2C22, 0x3C03, 0x0C60, 0x1C41,
    0xEDAE, 0xFD8F, 0xCDEC, 0xDDCD, 0xAD2A, 0xBD0B, 0x8D68, 0x9D49,
    0x7E97, 0x6EB6, 0x5ED5, 0x4EF4, 0x3E13, 0x2E32, 0x1E51, 0x0E70,
    0xFF9F, 0xEFBE, 0xDFDD, 0xCFFC, 0xBF1B, 0xAF3A, 0x9F59, 0x8F78,
    0x9188, 0x81A9, 0xB1CA, 0xA1EB, 0xD10C, 0xC12D, 0xF14E, 0xE16F,
    0x1080, 0x00A1, 0x30C2, 0x20E3, 0x5004, 0x4025, 0x7046, 0x6067,
    0x83B9, 0x9398, 0xA3FB, 0xB3DA, 0xC33D, 0xD31C, 0xE37F, 0xF35E,
    0x02B1, 0x1290, 0x22F3, 0x32D2, 0x4235, 0x5214, 0x6277, 0x7256,
    0xB5EA, 0xA5CB, 0x95A8, 0x8589, 0xF56E, 0xE54F, 0xD52C, 0xC50D,
    0x34E2, 0x24C3, 0x14A0, 0x0481, 0x7466, 0x6447, 0x5424, 0x4405,
    0xA7DB, 0xB7FA, 0x8799, 0x97B8, 0xE75F, 0xF77E, 0xC71D, 0xD73C,
    0x26D3, 0x36F2, 0x0691, 0x16B0, 0x6657, 0x7676, 0x4615, 0x5634,
    0xD94C, 0xC96D, 0xF90E, 0xE92F, 0x99C8, 0x89E9, 0xB98A, 0xA9AB,
    0x5844, 0x4865, 0x7806, 0x6827, 0x18C0, 0x08E1, 0x3882, 0x28A3,
    0xCB7D, 0xDB5C, 0xEB3F, 0xFB1E, 0x8BF9, 0x9BD8, 0xABBB, 0xBB9A,
    0x4A75, 0x5A54, 0x6A37, 0x7A16, 0x0AF1, 0x1AD0, 0x2AB3, 0x3A92,
    0xFD2E, 0xED0F, 0xDD6C, 0xCD4D, 0xBDAA, 0xAD8B, 0x9DE8, 0x8DC9,
    0x7C26, 0x6C07, 0x5C64, 0x4C45, 0x3CA2, 0x2C83, 0x1CE0, 0x0CC1,
    0xEF1F, 0xFF3E, 0xCF5D, 0xDF7C, 0xAF9B, 0xBFBA, 0x8FD9, 0x9FF8,
    0x6E17, 0x7E36, 0x4E55, 0x5E74, 0x2E93, 0x3EB2, 0x0ED1, 0x1EF0,
};
/* clang-format on */

uint16_t
disc_crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    size_t i;

    for (i = 0; i < n; i++)
        crc = (uint16_t)(crc << 8) ^ crc16_table[(crc >> 8) ^ p[i]];
    return (uint16_t)~crc;
}

void
disc_q_set_crc(uint8_t *q)
{
    uint16_t crc = disc_crc16(q, 10);

    q[10] = (uint8_t)(crc >> 8); /* stored big-endian (docs/formats/cd.md) */
    q[11] = (uint8_t)crc;
}

int
disc_q_crc_ok(const uint8_t *q)
{
    uint16_t crc = disc_crc16(q, 10);

    return q[10] == (uint8_t)(crc >> 8) && q[11] == (uint8_t)crc;
}

/* ------------------------------------------------------------------ */
/* Q frame encoding                                                    */

static uint8_t
sub_bcd(unsigned v)
{
    return (uint8_t)((v / 10) << 4 | v % 10);
}

/* Three BCD bytes M, S, F for a frame count (minutes wrap at 100). */
static void
sub_put_msf(uint8_t *p, int32_t frames)
{
    if (frames < 0)
        frames = 0;
    p[0] = sub_bcd((unsigned)(frames / 4500 % 100));
    p[1] = sub_bcd((unsigned)(frames / 75 % 60));
    p[2] = sub_bcd((unsigned)(frames % 75));
}

void
disc_q_encode_position(uint8_t *q, uint8_t control, uint8_t tno, uint8_t index,
                       int32_t rel, disc_lba abs)
{
    q[0] = (uint8_t)((control & 0x0F) << 4 | 1);
    q[1] = tno == 0xAA ? 0xAA : sub_bcd(tno % 100u);
    q[2] = sub_bcd(index % 100u);
    sub_put_msf(q + 3, rel);
    q[6] = 0;
    sub_put_msf(q + 7, disc_lba_frames(abs));
    disc_q_set_crc(q);
}

static unsigned
sub_digit(char c)
{
    return c >= '0' && c <= '9' ? (unsigned)(c - '0') : 0;
}

void
disc_q_encode_mcn(uint8_t *q, uint8_t control, const char *mcn, uint8_t aframe)
{
    int i, end = 0;

    memset(q, 0, 12);
    q[0] = (uint8_t)((control & 0x0F) << 4 | 2);
    /* 13 digits, high nibble first, from byte 1; byte 7's low nibble
     * and byte 8 stay zero.  A short string is padded with zeros. */
    for (i = 0; i < 13; i++) {
        unsigned v = 0;
        if (!end && mcn[i] == '\0')
            end = 1;
        if (!end)
            v = sub_digit(mcn[i]);
        q[1 + i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
    }
    q[9] = sub_bcd(aframe % 100u);
    disc_q_set_crc(q);
}

/* ISRC 6-bit character code: '0'-'9' 0-9, 'A'-'Z' 17-42 (docs/formats/cd.md).
 */
static unsigned
sub_isrc_code(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'A' && c <= 'Z')
        return (unsigned)(c - 'A') + 17;
    if (c >= 'a' && c <= 'z')
        return (unsigned)(c - 'a') + 17;
    return 0;
}

void
disc_q_encode_isrc(uint8_t *q, uint8_t control, const char *isrc,
                   uint8_t aframe)
{
    char s[12];
    uint32_t w = 0;
    int i;

    for (i = 0; i < 12 && isrc[i]; i++)
        s[i] = isrc[i];
    for (; i < 12; i++)
        s[i] = '0';
    memset(q, 0, 12);
    q[0] = (uint8_t)((control & 0x0F) << 4 | 3);
    /* Country and owner: 5 x 6 bits from the top of bytes 1-4, then two
     * zero bits. */
    for (i = 0; i < 5; i++)
        w |= (uint32_t)sub_isrc_code(s[i]) << (26 - 6 * i);
    q[1] = (uint8_t)(w >> 24);
    q[2] = (uint8_t)(w >> 16);
    q[3] = (uint8_t)(w >> 8);
    q[4] = (uint8_t)w;
    /* Year and serial: 7 BCD digits in bytes 5-8, then a zero nibble. */
    for (i = 0; i < 7; i++) {
        unsigned v = sub_digit(s[5 + i]);
        q[5 + i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
    }
    q[9] = sub_bcd(aframe % 100u);
    disc_q_set_crc(q);
}

/* ------------------------------------------------------------------ */
/* Q frame decoding                                                    */

/* Binary value of a BCD byte, or -1. */
static int
sub_unbcd(uint8_t b)
{
    if ((b >> 4) > 9 || (b & 0x0F) > 9)
        return -1;
    return (b >> 4) * 10 + (b & 0x0F);
}

/* Reads BCD M, S, F into *out; -1 when not BCD or out of range. */
static int
sub_get_msf(const uint8_t *p, struct disc_msf *out)
{
    int m = sub_unbcd(p[0]), s = sub_unbcd(p[1]), f = sub_unbcd(p[2]);

    if (m < 0 || s < 0 || s > 59 || f < 0 || f > 74)
        return -1;
    out->m = (uint8_t)m;
    out->s = (uint8_t)s;
    out->f = (uint8_t)f;
    return 0;
}

static int
sub_decode_position(const uint8_t *q, struct disc_q *out)
{
    struct disc_msf rel, abs;
    int tno, index;

    if (q[1] == 0xAA) {
        tno = 0xAA;
    } else if ((tno = sub_unbcd(q[1])) < 0) {
        return DISC_E_FORMAT;
    }
    /* In the lead-in (TNO 00) byte 2 is the POINT of a TOC entry: the
     * A0-A2 pointers are not BCD and are kept raw, like TNO 0xAA. */
    if (tno == 0 && q[2] >= 0xA0 && q[2] <= 0xA2)
        index = q[2];
    else if ((index = sub_unbcd(q[2])) < 0)
        return DISC_E_FORMAT;
    if (sub_get_msf(q + 3, &rel) || sub_get_msf(q + 7, &abs))
        return DISC_E_FORMAT;
    out->tno = (uint8_t)tno;
    out->index = (uint8_t)index;
    out->rel = disc_msf_to_frames(rel);
    out->abs = disc_msf_to_lba(abs);
    out->aframe = abs.f;
    return 0;
}

/* n BCD digits from p, high nibble first, as text into out; 0, or
 * DISC_E_FORMAT for a nibble that is no digit. */
static int
sub_digits(const uint8_t *p, int n, char *out)
{
    int i;

    for (i = 0; i < n; i++) {
        unsigned v = i % 2 ? p[i / 2] & 0x0Fu : (unsigned)p[i / 2] >> 4;
        if (v > 9)
            return DISC_E_FORMAT;
        out[i] = (char)('0' + v);
    }
    out[n] = '\0';
    return 0;
}

static int
sub_decode_mcn(const uint8_t *q, struct disc_q *out)
{
    return sub_digits(q + 1, 13, out->mcn);
}

static int
sub_decode_isrc(const uint8_t *q, struct disc_q *out)
{
    uint32_t w = (uint32_t)q[1] << 24 | (uint32_t)q[2] << 16 |
                 (uint32_t)q[3] << 8 | q[4];
    int i;

    for (i = 0; i < 5; i++) {
        unsigned v = (w >> (26 - 6 * i)) & 0x3F;
        if (v <= 9)
            out->isrc[i] = (char)('0' + v);
        else if (v >= 17 && v <= 42)
            out->isrc[i] = (char)('A' + (v - 17));
        else
            return DISC_E_FORMAT;
    }
    return sub_digits(q + 5, 7, out->isrc + 5);
}

int
disc_q_decode(const uint8_t *q, struct disc_q *out)
{
    int aframe, r;

    memset(out, 0, sizeof *out);
    out->control = q[0] >> 4;
    out->adr = q[0] & 0x0F;
    switch (out->adr) {
    case 1:
        return sub_decode_position(q, out);
    case 2:
        r = sub_decode_mcn(q, out);
        break;
    case 3:
        r = sub_decode_isrc(q, out);
        break;
    default:
        return DISC_E_FORMAT;
    }
    if (r != 0)
        return r;
    aframe = sub_unbcd(q[9]);
    if (aframe < 0 || aframe > 74)
        return DISC_E_FORMAT;
    out->aframe = (uint8_t)aframe;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Synthesis                                                           */

/* A run of sectors whose P and Q follow one rule: part of a track
 * between two index points, or a lead-out. */
struct sub_run {
    disc_lba end;     /* first LBA after the run */
    disc_lba idx1;    /* relative time is |L - idx1| */
    disc_lba start;   /* track's index[0]: ADR 2/3 phase */
    const char *mcn;  /* MCN for ADR 2 frames, or NULL */
    const char *isrc; /* ISRC for ADR 3 frames, or NULL */
    uint8_t p;        /* P channel byte */
    uint8_t control, tno, index;
};

/* First LBA that belongs to track i: index[0], or 150 sectors earlier
 * for the first track of a session (the unstored Red Book pregap). */
static disc_lba
sub_track_first(const struct disc *d, int i)
{
    const struct disc_track *t = &d->track[i];

    if (i == 0 || d->track[i - 1].session != t->session)
        return t->index[0] - DISC_PREGAP;
    return t->index[0];
}

/* Fills *r for the run holding lba.  Tracks are in LBA order across the
 * disc, so a binary search finds the last one starting at or before lba;
 * anything past its end up to the next session is that session's
 * lead-out.  Returns -1 before the first track. */
static int
sub_locate(const struct disc *d, disc_lba lba, struct sub_run *r)
{
    const struct disc_track *t;
    const struct disc_session *s;
    int lo = 0, hi = d->ntracks - 1, i = -1;
    disc_lba tend;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (sub_track_first(d, mid) <= lba) {
            i = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (i < 0)
        return -1;
    t = &d->track[i];
    s = disc_track_session(d, i);
    tend = disc_track_end(d, i);
    memset(r, 0, sizeof *r);
    if (lba < tend) {
        int n = t->last_index;

        r->control = t->control;
        r->tno = t->number;
        r->idx1 = t->index[1];
        r->start = t->index[0];
        r->mcn = d->mcn[0] ? d->mcn : NULL;
        r->isrc = t->mode == DISC_MODE_AUDIO && t->isrc[0] ? t->isrc : NULL;
        if (lba < t->index[1]) {
            /* Pregap: index 0, P set, relative time counts down to
             * 00:00:01 (docs/formats/cd.md). */
            r->p = 0xFF;
            r->index = 0;
            r->end = t->index[1];
        } else {
            if (n > DISC_MAX_INDEX)
                n = DISC_MAX_INDEX;
            while (n > 1 && t->index[n] > lba)
                n--;
            r->index = (uint8_t)(n < 1 ? 1 : n);
            r->end = n >= 1 && n < t->last_index && n < DISC_MAX_INDEX
                         ? t->index[n + 1]
                         : tend;
        }
        if (r->end > tend)
            r->end = tend;
    } else {
        /* Lead-out, and for an earlier session everything up to the
         * next one's Red Book pregap (lead-in included). */
        int k = (int)(s - d->session);

        r->control = t->control; /* the session's last track */
        r->tno = 0xAA;
        r->index = 1;
        r->idx1 = s->leadout;
        r->end = k + 1 < d->nsessions ? disc_session_start(d, k + 1)
                                      : s->leadout + SUB_LEADOUT;
    }
    if (r->end <= lba) /* malformed model: never stall */
        r->end = lba + 1;
    return 0;
}

/* Checks that [lba, lba + count) lies in the range synthesis serves. */
static int
sub_synth_range(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                uint32_t count)
{
    int64_t first, last, end = (int64_t)lba + count;

    if (d->nsessions == 0 || d->ntracks == 0)
        return disc_error(ctx, DISC_E_RANGE,
                          "no tracks to synthesise subchannel from");
    first = disc_session_start(d, 0);
    last = (int64_t)d->session[d->nsessions - 1].leadout + SUB_LEADOUT;
    if (last > INT32_MAX)
        last = INT32_MAX;
    if (lba < first || end > last)
        return disc_error(ctx, DISC_E_RANGE,
                          "subchannel for %u sectors from LBA %d: outside "
                          "the disc (LBA %lld to %lld)",
                          (unsigned)count, lba, (long long)first,
                          (long long)last - 1);
    return 0;
}

/* One sector of run r at l, built from the Q encoders alone. */
static void
sub_synth_one(const struct sub_run *r, disc_lba l, uint8_t *sub)
{
    uint8_t *q = sub + SUB_CHAN;
    int64_t off = (int64_t)l - r->start;

    memset(sub, r->p, SUB_CHAN);
    memset(sub + SUB_CHAN, 0, DISC_SECTOR_SUB - SUB_CHAN);
    /* ADR 2/3 frames once per 100 sectors of the stored part of a
     * track, at libMirage's phases (docs/formats/cd.md). */
    if ((r->mcn || r->isrc) && l >= r->start &&
        (off % 100 == SUB_MCN_PHASE || off % 100 == SUB_ISRC_PHASE)) {
        uint8_t aframe = (uint8_t)(disc_lba_frames(l) % 75);

        if (r->mcn && off % 100 == SUB_MCN_PHASE) {
            disc_q_encode_mcn(q, r->control, r->mcn, aframe);
            return;
        }
        if (r->isrc && off % 100 == SUB_ISRC_PHASE) {
            disc_q_encode_isrc(q, r->control, r->isrc, aframe);
            return;
        }
    }
    disc_q_encode_position(q, r->control, r->tno, r->index,
                           l < r->idx1 ? r->idx1 - l : l - r->idx1, l);
}

/* A binary M:S:F counter (minutes wrap at 100, as sub_put_msf's). */
struct sub_msf {
    int m, s, f;
};

/* sub_bcd as a table, for the per-sector loop. */
/* clang-format off */
static const uint8_t sub_bcd_tab[100] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
};
/* clang-format on */

static void
sub_msf_set(struct sub_msf *c, int32_t frames)
{
    if (frames < 0)
        frames = 0;
    c->m = (int)(frames / 4500 % 100);
    c->s = (int)(frames / 75 % 60);
    c->f = (int)(frames % 75);
}

static void
sub_msf_inc(struct sub_msf *c)
{
    if (++c->f < 75)
        return;
    c->f = 0;
    if (++c->s < 60)
        return;
    c->s = 0;
    if (++c->m == 100)
        c->m = 0;
}

/* Only called on a counter above zero (a pregap's relative time, which
 * ends at 00:00:01). */
static void
sub_msf_dec(struct sub_msf *c)
{
    if (--c->f >= 0)
        return;
    c->f = 74;
    if (--c->s >= 0)
        return;
    c->s = 59;
    if (--c->m < 0)
        c->m = 99;
}

static void
sub_msf_put(uint8_t *p, const struct sub_msf *c)
{
    p[0] = sub_bcd_tab[c->m];
    p[1] = sub_bcd_tab[c->s];
    p[2] = sub_bcd_tab[c->f];
}

/* The fast form of sub_synth_one over the sectors [l, stop) of run r,
 * all on one side of r->idx1: a template frame (P, and the Q bytes
 * that stay put in a run) is copied and only the two times and the CRC
 * are written into it, the times by counting in BCD and the CRC from
 * the register left after the run's constant first three bytes. */
static void
sub_synth_span(const struct sub_run *r, disc_lba l, disc_lba stop, uint8_t *sub)
{
    uint8_t tmpl[DISC_SECTOR_SUB];
    uint8_t *q;
    struct sub_msf rel, abs;
    uint16_t crc0 = 0;
    int down = l < r->idx1, codes = r->mcn || r->isrc, ph, i;

    memset(tmpl, 0, sizeof tmpl);
    memset(tmpl, r->p, SUB_CHAN);
    q = tmpl + SUB_CHAN;
    q[0] = (uint8_t)((r->control & 0x0F) << 4 | 1);
    q[1] = r->tno == 0xAA ? 0xAA : sub_bcd(r->tno % 100u);
    q[2] = sub_bcd(r->index % 100u);
    for (i = 0; i < 3; i++)
        crc0 = (uint16_t)(crc0 << 8) ^ crc16_table[(crc0 >> 8) ^ q[i]];
    sub_msf_set(&rel, down ? r->idx1 - l : l - r->idx1);
    sub_msf_set(&abs, disc_lba_frames(l));
    /* (l - start) mod 100, kept in step; it only counts from start on. */
    ph = (int)((((int64_t)l - r->start) % 100 + 100) % 100);
    for (; l < stop; l++, sub += DISC_SECTOR_SUB) {
        uint16_t crc = crc0;

        if (codes && l >= r->start &&
            ((ph == SUB_MCN_PHASE && r->mcn) ||
             (ph == SUB_ISRC_PHASE && r->isrc))) {
            sub_synth_one(r, l, sub);
        } else {
            q = sub + SUB_CHAN;
            memcpy(sub, tmpl, DISC_SECTOR_SUB);
            sub_msf_put(q + 3, &rel);
            sub_msf_put(q + 7, &abs);
            for (i = 3; i < 10; i++)
                crc = (uint16_t)(crc << 8) ^ crc16_table[(crc >> 8) ^ q[i]];
            crc = (uint16_t)~crc;
            q[10] = (uint8_t)(crc >> 8);
            q[11] = (uint8_t)crc;
        }
        if (down)
            sub_msf_dec(&rel);
        else
            sub_msf_inc(&rel);
        sub_msf_inc(&abs);
        if (++ph == 100)
            ph = 0;
    }
}

int
disc_sub_synth(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
               uint32_t count, uint8_t *sub)
{
    int64_t end = (int64_t)lba + count;
    disc_lba l = lba;
    struct sub_run r;
    int rc = sub_synth_range(ctx, d, lba, count);

    if (rc < 0)
        return rc;
    while (l < end) {
        disc_lba stop, cut;

        if (sub_locate(d, l, &r) != 0)
            return disc_error(ctx, DISC_E_RANGE,
                              "LBA %d lies before the first track", l);
        stop = (int64_t)r.end < end ? r.end : (disc_lba)end;
        while (l < stop) {
            if (disc_lba_frames(l) < 0) {
                /* Before 100 minutes of lead-in (no real disc): the
                 * absolute time is clamped, not counted. */
                sub_synth_one(&r, l++, sub);
                sub += DISC_SECTOR_SUB;
                continue;
            }
            /* Relative time counts down before idx1 and up from it. */
            cut = l < r.idx1 && r.idx1 < stop ? r.idx1 : stop;
            sub_synth_span(&r, l, cut, sub);
            sub += (size_t)(cut - l) * DISC_SECTOR_SUB;
            l = cut;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Q-subchannel index scan                                             */

#define QSCAN_PROBE 16 /* sectors tried past an unusable Q frame */
#define QSCAN_TRIES 3  /* reads of one sector before it counts unusable */

struct qscan {
    struct disc_ctx *ctx;
    disc_qscan_fn get_q;
    void *user;
    unsigned reads;
    unsigned bad; /* frames unreadable or failing their CRC */
};

/* The first usable position (ADR 1, good CRC, matching address) Q frame
 * at or after lba and before lim; 1 with *at set, 0 if none, < 0 on a
 * provider error. */
static int
qscan_frame(struct qscan *qs, disc_lba lba, disc_lba lim, struct disc_q *q,
            disc_lba *at)
{
    uint8_t raw[12];
    disc_lba l;
    int r, k;

    for (l = lba; l < lim && l < lba + QSCAN_PROBE; l++) {
        for (k = 0; k < QSCAN_TRIES; k++) {
            qs->reads++;
            r = qs->get_q(qs->user, l, raw);
            if (r < 0)
                return r;
            if (r > 0 || !disc_q_crc_ok(raw)) {
                qs->bad++;
                continue; /* read again: Q errors are mostly transient */
            }
            if ((raw[0] & 0x0F) != 1 || disc_q_decode(raw, q) != 0 ||
                q->abs != l)
                break; /* MCN/ISRC frame, or a bad address: next one */
            *at = l;
            return 1;
        }
    }
    return 0;
}

/* Smallest lba in [lo, hi) whose Q satisfies pred (monotone: false then
 * true); hi when none.  Returns < 0 on error or when the Q frames near
 * a probe were all unusable (the caller keeps the TOC's values). */
static int
qscan_search(struct qscan *qs, disc_lba lo, disc_lba hi,
             int (*pred)(const struct disc_q *, int), int arg, disc_lba *out)
{
    while (lo < hi) {
        disc_lba mid = lo + (hi - lo) / 2, at;
        struct disc_q q;
        unsigned bad = qs->bad;
        int r = qscan_frame(qs, mid, hi, &q, &at);
        if (r < 0)
            return r;
        if (r == 0) {
            /* Nothing usable in [mid, hi): decide on the lower half by
             * probing from lo instead. */
            r = qscan_frame(qs, lo, mid, &q, &at);
            if (r < 0)
                return r;
            if (r == 0 && qs->bad == bad) {
                /* Only MCN/ISRC frames in [lo, hi): they carry no index,
                 * and the position frames around them say the boundary
                 * lies in the run.  A disc's encoder puts such a frame
                 * in place of a position frame, so the index starts
                 * with the run: take lo (docs/formats/cd.md). */
                hi = lo;
                break;
            }
            if (r == 0) {
                /* Unreadable or damaged frames in [lo, hi): the boundary
                 * is somewhere in it.  Take hi, the first sector known
                 * to be past it, and say so. */
                disc_warn(qs->ctx,
                          "LBA %d-%d: no readable Q; index "
                          "boundary uncertain by %d sectors",
                          lo, hi - 1, hi - lo);
                break;
            }
        }
        if (pred(&q, arg))
            hi = at;
        else
            lo = at + 1;
    }
    *out = lo < hi ? hi : lo;
    return 0;
}

static int
qscan_pred_track(const struct disc_q *q, int tno)
{
    return q->tno == 0xAA || q->tno >= tno;
}

static int
qscan_pred_index(const struct disc_q *q, int k)
{
    return q->index >= k;
}

/* INDEX 02 and up of track i: the highest index shows in the track's
 * last sector; each index start is a binary search. */
static int
qscan_indexes(struct qscan *qs, const struct disc *d, int i, disc_lba *idx,
              int *last)
{
    const struct disc_track *t = &d->track[i];
    disc_lba end = disc_track_end(d, i), at, l;
    struct disc_q q;
    int k, r = 0;

    *last = 1;
    idx[1] = t->index[1];
    /* The last usable frame of the track, scanning backwards. */
    for (l = end - 1;
         l >= t->index[1] && r == 0 && l > end - 1 - 4 * QSCAN_PROBE; l--)
        r = qscan_frame(qs, l, l + 1, &q, &at);
    if (r <= 0 || q.tno != t->number || q.index < 2)
        return r;
    for (k = 2; k <= q.index && k <= DISC_MAX_INDEX; k++) {
        r = qscan_search(qs, idx[k - 1] + 1, end, qscan_pred_index, k, &at);
        if (r < 0)
            return r;
        if (at >= end)
            break;
        idx[k] = at;
        *last = k;
    }
    return 0;
}

int
disc_qscan_indexes(struct disc_ctx *ctx, const struct disc *d, int i,
                   disc_qscan_fn get_q, void *user, disc_lba *idx, int *last)
{
    struct qscan qs = { ctx, get_q, user, 0, 0 };
    int r = qscan_indexes(&qs, d, i, idx, last);

    return r < 0 ? r : (int)qs.reads;
}

int
disc_qscan(struct disc_ctx *ctx, struct disc *d, disc_qscan_fn get_q,
           void *user)
{
    struct qscan qs = { ctx, get_q, user, 0, 0 };
    int i, k, r;

    /* 1. INDEX 00: where the Q track number changes, between the
     *    previous track's INDEX 01 and this track's. */
    for (i = 0; i < d->ntracks; i++) {
        struct disc_track *t = &d->track[i];
        disc_lba at;

        if (i == 0 || d->track[i - 1].session != t->session)
            continue; /* Red Book pregap or HTOA: from the TOC */
        t->index[0] = t->index[1];
        r = qscan_search(&qs, d->track[i - 1].index[1] + 1, t->index[1],
                         qscan_pred_track, t->number, &at);
        if (r < 0)
            return r;
        t->index[0] = at;
    }
    /* 2. INDEX 02 and up. */
    for (i = 0; i < d->ntracks; i++) {
        struct disc_track *t = &d->track[i];
        disc_lba idx[DISC_MAX_INDEX + 1];
        int last;

        r = qscan_indexes(&qs, d, i, idx, &last);
        if (r < 0)
            return r;
        for (k = 2; k <= last; k++)
            t->index[k] = idx[k];
        t->last_index = (uint8_t)last;
    }
    return (int)qs.reads;
}
