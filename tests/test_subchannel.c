/* test_subchannel.c - P-W (de)interleaving, Q frames, CRC-16, MCN/ISRC
 * coding and P+Q synthesis from the disc model.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md.
 * Expected values are recomputed here from the track table and the
 * rules in docs/formats/cd.md, never taken from the code under test.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "test.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static uint32_t sub_rng_state = 0x2545F491u;

static uint32_t
sub_rng(void)
{
    uint32_t x = sub_rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return sub_rng_state = x;
}

/* Bit-at-a-time CRC-16 (poly 0x1021, init 0, xorout 0xFFFF). */
static uint16_t
ref_crc16(const uint8_t *p, size_t n)
{
    uint16_t c = 0;
    size_t i;
    int b;

    for (i = 0; i < n; i++) {
        c ^= (uint16_t)(p[i] << 8);
        for (b = 0; b < 8; b++)
            c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
    }
    return (uint16_t)~c;
}

/* docs/formats/cd.md, literally: linear[c*12+n] bit (7-b) = raw[8n+b] bit
 * (7-c). */
static void
ref_interleave(const uint8_t *lin, uint8_t *raw)
{
    int c, n, b;

    memset(raw, 0, 96);
    for (c = 0; c < 8; c++)
        for (n = 0; n < 12; n++)
            for (b = 0; b < 8; b++)
                if (lin[c * 12 + n] & (0x80 >> b))
                    raw[8 * n + b] |= (uint8_t)(0x80 >> c);
}

static void
ref_deinterleave(const uint8_t *raw, uint8_t *lin)
{
    int c, n, b;

    memset(lin, 0, 96);
    for (c = 0; c < 8; c++)
        for (n = 0; n < 12; n++)
            for (b = 0; b < 8; b++)
                if (raw[8 * n + b] & (0x80 >> c))
                    lin[c * 12 + n] |= (uint8_t)(0x80 >> b);
}

/* The Q frames of docs/formats/cd.md. */
static const uint8_t q_data_lba0[12] = { 0x41, 0x01, 0x01, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x02, 0x00, 0x28, 0x32 };
static const uint8_t q_audio_lba0[12] = { 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,
                                          0x00, 0x00, 0x02, 0x00, 0x5A, 0x28 };
static const uint8_t q_audio_m150[12] = { 0x01, 0x01, 0x00, 0x00, 0x02, 0x00,
                                          0x00, 0x00, 0x00, 0x00, 0xF0, 0xD9 };
static const uint8_t q_audio_m1[12] = { 0x01, 0x01, 0x00, 0x00, 0x00, 0x01,
                                        0x00, 0x00, 0x01, 0x74, 0xDC, 0xEA };
static const uint8_t q_leadout_1000[12] = {
    0x01, 0xAA, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x25, 0xA8, 0xFE
};
static const uint8_t q_mcn[12] = { 0x02, 0x01, 0x23, 0x45, 0x67, 0x89,
                                   0x01, 0x20, 0x00, 0x00, 0x30, 0x87 };
static const uint8_t q_isrc[12] = { 0x03, 0x96, 0x38, 0x93, 0x04, 0x76,
                                    0x07, 0x83, 0x90, 0x00, 0x19, 0x9C };

static const uint8_t *const q_vectors[] = {
    q_data_lba0,    q_audio_lba0, q_audio_m150, q_audio_m1,
    q_leadout_1000, q_mcn,        q_isrc,
};
#define NVEC (sizeof q_vectors / sizeof q_vectors[0])

/* ------------------------------------------------------------------ */
/* CRC                                                                 */

TEST(sub_crc16_check_value)
{
    CHECK_HEX(0xCE3C, disc_crc16((const uint8_t *)"123456789", 9));
    CHECK_HEX(0xFFFF, disc_crc16((const uint8_t *)"", 0));
}

/* The table-driven CRC equals the bitwise definition on random data. */
TEST(sub_crc16_matches_bitwise)
{
    uint8_t buf[300];
    int k;
    size_t i, n;

    for (k = 0; k < 500; k++) {
        n = sub_rng() % sizeof buf;
        for (i = 0; i < n; i++)
            buf[i] = (uint8_t)sub_rng();
        CHECK_HEX(ref_crc16(buf, n), disc_crc16(buf, n));
    }
}

TEST(sub_q_crc_set_and_check)
{
    uint8_t q[12];
    size_t v;

    for (v = 0; v < NVEC; v++) {
        CHECK(disc_q_crc_ok(q_vectors[v]));
        memcpy(q, q_vectors[v], 12);
        q[10] = q[11] = 0;
        CHECK(!disc_q_crc_ok(q));
        disc_q_set_crc(q);
        CHECK_MEM(q_vectors[v], q, 12);
    }
}

/* CRC-16 detects every single-bit error in a 96-bit frame, CRC bits
 * included. */
TEST(sub_q_crc_detects_bit_flip)
{
    uint8_t q[12];
    size_t v;
    int bit, missed = 0;

    for (v = 0; v < NVEC; v++)
        for (bit = 0; bit < 96; bit++) {
            memcpy(q, q_vectors[v], 12);
            q[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
            if (disc_q_crc_ok(q))
                missed++;
        }
    CHECK_INT(0, missed);
}

/* ------------------------------------------------------------------ */
/* Q encoding: the vectors of docs/formats/cd.md, byte for byte               */

TEST(sub_q_encode_vectors)
{
    uint8_t q[12];

    memset(q, 0xEE, sizeof q);
    disc_q_encode_position(q, DISC_CTL_DATA, 1, 1, 0, 0);
    CHECK_MEM(q_data_lba0, q, 12);
    disc_q_encode_position(q, 0, 1, 1, 0, 0);
    CHECK_MEM(q_audio_lba0, q, 12);
    disc_q_encode_position(q, 0, 1, 0, 150, -150);
    CHECK_MEM(q_audio_m150, q, 12);
    disc_q_encode_position(q, 0, 1, 0, 1, -1);
    CHECK_MEM(q_audio_m1, q, 12);
    disc_q_encode_position(q, 0, 0xAA, 1, 0, 1000);
    CHECK_MEM(q_leadout_1000, q, 12);
    memset(q, 0xEE, sizeof q);
    disc_q_encode_mcn(q, 0, "0123456789012", 0);
    CHECK_MEM(q_mcn, q, 12);
    memset(q, 0xEE, sizeof q);
    disc_q_encode_isrc(q, 0, "USRC17607839", 0);
    CHECK_MEM(q_isrc, q, 12);
    /* The control nibble goes on top of the ADR. */
    disc_q_encode_isrc(q, DISC_CTL_PREEMPH | DISC_CTL_COPY, "USRC17607839", 74);
    CHECK_HEX(0x33, q[0]);
    CHECK_MEM(q_isrc + 1, q + 1, 8);
    CHECK_HEX(0x74, q[9]);
    CHECK(disc_q_crc_ok(q));
}

/* Absolute times of the lead-in wrap to minutes 90-99 (MMC rule). */
TEST(sub_q_encode_leadin_abs)
{
    uint8_t q[12];

    disc_q_encode_position(q, 0, 0, 0, 0, -11634);
    CHECK_HEX(0x97, q[7]);
    CHECK_HEX(0x26, q[8]);
    CHECK_HEX(0x66, q[9]);
    disc_q_encode_position(q, 0, 1, 1, 359999, 359849);
    CHECK_HEX(0x79, q[3]);
    CHECK_HEX(0x59, q[4]);
    CHECK_HEX(0x74, q[5]);
    CHECK_HEX(0x79, q[7]);
    CHECK_HEX(0x59, q[8]);
    CHECK_HEX(0x74, q[9]);
    CHECK(disc_q_crc_ok(q));
}

/* ------------------------------------------------------------------ */
/* Q decoding                                                          */

TEST(sub_q_decode_vectors)
{
    struct disc_q d;

    CHECK_INT(0, disc_q_decode(q_data_lba0, &d));
    CHECK_INT(4, d.control);
    CHECK_INT(1, d.adr);
    CHECK_INT(1, d.tno);
    CHECK_INT(1, d.index);
    CHECK_INT(0, d.rel);
    CHECK_INT(0, d.abs);
    CHECK_INT(0, disc_q_decode(q_audio_m150, &d));
    CHECK_INT(0, d.control);
    CHECK_INT(0, d.index);
    CHECK_INT(150, d.rel);
    CHECK_INT(-150, d.abs);
    CHECK_INT(0, disc_q_decode(q_audio_m1, &d));
    CHECK_INT(1, d.rel);
    CHECK_INT(-1, d.abs);
    CHECK_INT(74, d.aframe);
    CHECK_INT(0, disc_q_decode(q_leadout_1000, &d));
    CHECK_HEX(0xAA, d.tno);
    CHECK_INT(1, d.index);
    CHECK_INT(0, d.rel);
    CHECK_INT(1000, d.abs);
    CHECK_INT(0, disc_q_decode(q_mcn, &d));
    CHECK_INT(2, d.adr);
    CHECK_STR("0123456789012", d.mcn);
    CHECK_INT(0, d.aframe);
    CHECK_INT(0, disc_q_decode(q_isrc, &d));
    CHECK_INT(3, d.adr);
    CHECK_STR("USRC17607839", d.isrc);
}

TEST(sub_q_position_round_trip)
{
    static const uint8_t tnos[] = { 1, 2, 9, 10, 42, 99, 0xAA };
    static const disc_lba abss[] = {
        -45150, -11634, -151, -150, -1, 0, 1, 74, 75, 4499, 359849, 404849
    };
    static const int32_t rels[] = { 0, 1, 74, 75, 149, 150, 4500, 359999 };
    uint8_t q[12];
    struct disc_q d;
    size_t a, b, c;

    for (a = 0; a < sizeof tnos; a++)
        for (b = 0; b < sizeof abss / sizeof abss[0]; b++)
            for (c = 0; c < sizeof rels / sizeof rels[0]; c++) {
                uint8_t ctl = (uint8_t)((a + b + c) & 15);
                uint8_t idx = (uint8_t)((b * 7 + c) % 100);
                disc_q_encode_position(q, ctl, tnos[a], idx, rels[c], abss[b]);
                CHECK(disc_q_crc_ok(q));
                REQUIRE(disc_q_decode(q, &d) == 0);
                CHECK_INT(ctl, d.control);
                CHECK_INT(1, d.adr);
                CHECK_INT(tnos[a], d.tno);
                CHECK_INT(idx, d.index);
                CHECK_INT(rels[c], d.rel);
                CHECK_INT(abss[b], d.abs);
            }
}

TEST(sub_q_mcn_isrc_round_trip)
{
    static const char *const mcns[] = { "0000000000000", "0123456789012",
                                        "9999999999999", "5012345678900" };
    static const char *const isrcs[] = { "USRC17607839", "GBAYE6800011",
                                         "ZZ9990000000", "00A000000009",
                                         "AA0000000000", "FRZ039800212" };
    uint8_t q[12];
    struct disc_q d;
    size_t i;
    int f;

    for (i = 0; i < sizeof mcns / sizeof mcns[0]; i++)
        for (f = 0; f < 75; f += 37) {
            disc_q_encode_mcn(q, 4, mcns[i], (uint8_t)f);
            CHECK(disc_q_crc_ok(q));
            CHECK_HEX(0, q[7] & 0x0F);
            CHECK_HEX(0, q[8]);
            REQUIRE(disc_q_decode(q, &d) == 0);
            CHECK_INT(2, d.adr);
            CHECK_INT(4, d.control);
            CHECK_STR(mcns[i], d.mcn);
            CHECK_INT(f, d.aframe);
        }
    for (i = 0; i < sizeof isrcs / sizeof isrcs[0]; i++)
        for (f = 0; f < 75; f += 37) {
            disc_q_encode_isrc(q, 1, isrcs[i], (uint8_t)f);
            CHECK(disc_q_crc_ok(q));
            CHECK_HEX(0, q[4] & 0x03);
            CHECK_HEX(0, q[8] & 0x0F);
            REQUIRE(disc_q_decode(q, &d) == 0);
            CHECK_INT(3, d.adr);
            CHECK_INT(1, d.control);
            CHECK_STR(isrcs[i], d.isrc);
            CHECK_INT(f, d.aframe);
        }
}

/* Lead-in Q (TNO 00): byte 2 is the TOC POINT; A0-A2 are kept raw. */
TEST(sub_q_decode_leadin_point)
{
    uint8_t q[12] = {
        0x41, 0x00, 0xA2, 0x00, 0x00, 0x00, 0x00, 0x15, 0x25, 0x00
    };
    struct disc_q d;

    disc_q_set_crc(q);
    REQUIRE(disc_q_decode(q, &d) == 0);
    CHECK_INT(0, d.tno);
    CHECK_HEX(0xA2, d.index);
    CHECK_INT(disc_msf_to_lba((struct disc_msf){ 15, 25, 0 }), d.abs);
    /* Outside the lead-in such a byte is no index. */
    q[1] = 0x01;
    CHECK_INT(DISC_E_FORMAT, disc_q_decode(q, &d));
}

TEST(sub_q_decode_rejects)
{
    struct {
        const uint8_t *base;
        int byte;
        uint8_t value;
    } bad[] = {
        { q_audio_lba0, 0, 0x00 }, /* ADR 0 */
        { q_audio_lba0, 0, 0x04 }, /* ADR 4 */
        { q_audio_lba0, 0, 0x45 }, /* ADR 5 (lead-in only) */
        { q_audio_lba0, 1, 0x1A }, /* TNO not BCD */
        { q_audio_lba0, 1, 0xAB }, /* TNO neither BCD nor AA */
        { q_audio_lba0, 2, 0x0F }, /* index not BCD */
        { q_audio_lba0, 3, 0xA0 }, /* relative minute not BCD */
        { q_audio_lba0, 4, 0x60 }, /* relative second 60 */
        { q_audio_lba0, 5, 0x75 }, /* relative frame 75 */
        { q_audio_lba0, 7, 0x0B }, /* absolute minute not BCD */
        { q_audio_lba0, 8, 0x60 }, /* absolute second 60 */
        { q_audio_lba0, 9, 0x75 }, /* absolute frame 75 */
        { q_mcn, 1, 0x0A },        /* MCN digit 10 */
        { q_mcn, 7, 0xF0 },        /* 13th MCN digit 15 */
        { q_mcn, 9, 0x80 },        /* MCN aframe 80 */
        { q_isrc, 1, 0x2A },       /* ISRC char code 10 */
        { q_isrc, 1, 0xAC },       /* ISRC char code 43 */
        { q_isrc, 5, 0x7A },       /* ISRC year digit 10 */
        { q_isrc, 8, 0xC0 },       /* ISRC serial digit 12 */
        { q_isrc, 9, 0x1F },       /* ISRC aframe not BCD */
    };
    uint8_t q[12];
    struct disc_q d;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r;
        memcpy(q, bad[i].base, 12);
        q[bad[i].byte] = bad[i].value;
        disc_q_set_crc(q); /* the CRC is right: only content is wrong */
        r = disc_q_decode(q, &d);
        if (r != DISC_E_FORMAT)
            t_fail(__FILE__, __LINE__, "case %zu: expected %d, got %d", i,
                   DISC_E_FORMAT, r);
    }
    /* Every base frame itself decodes. */
    CHECK_INT(0, disc_q_decode(q_audio_lba0, &d));
    CHECK_INT(0, disc_q_decode(q_mcn, &d));
    CHECK_INT(0, disc_q_decode(q_isrc, &d));
}

/* ------------------------------------------------------------------ */
/* Interleaving                                                        */

TEST(sub_interleave_vectors)
{
    static const uint8_t exp1[16] = { 0x00, 0x40, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x40, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x40 };
    static const uint8_t exp2[16] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0xC0, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0xC0 };
    uint8_t lin[96], raw[96], ref[96], back[96];

    memset(lin, 0, sizeof lin);
    memcpy(lin + 12, q_data_lba0, 12);
    disc_sub_interleave(lin, raw);
    CHECK_MEM(exp1, raw, 16);
    ref_interleave(lin, ref);
    CHECK_MEM(ref, raw, 96);
    disc_sub_deinterleave(raw, back);
    CHECK_MEM(lin, back, 96);

    memset(lin, 0, sizeof lin);
    memset(lin, 0xFF, 12);
    memcpy(lin + 12, q_audio_m150, 12);
    disc_sub_interleave(lin, raw);
    CHECK_MEM(exp2, raw, 16);
    ref_interleave(lin, ref);
    CHECK_MEM(ref, raw, 96);
    disc_sub_deinterleave(raw, back);
    CHECK_MEM(lin, back, 96);
}

/* One set bit per channel position lands where docs/formats/cd.md says. */
TEST(sub_interleave_single_bits)
{
    uint8_t lin[96], raw[96];
    int c, n, b, i, bad = 0;

    for (c = 0; c < 8; c++)
        for (n = 0; n < 12; n++)
            for (b = 0; b < 8; b++) {
                memset(lin, 0, sizeof lin);
                lin[c * 12 + n] = (uint8_t)(0x80 >> b);
                disc_sub_interleave(lin, raw);
                for (i = 0; i < 96; i++) {
                    uint8_t want = i == 8 * n + b ? (uint8_t)(0x80 >> c) : 0;
                    if (raw[i] != want)
                        bad++;
                }
            }
    CHECK_INT(0, bad);
}

TEST(sub_interleave_random_round_trip)
{
    uint8_t x[96], raw[96], ref[96], lin[96];
    int k, i;

    for (k = 0; k < 2000; k++) {
        for (i = 0; i < 96; i++)
            x[i] = (uint8_t)sub_rng();
        disc_sub_interleave(x, raw);
        ref_interleave(x, ref);
        CHECK_MEM(ref, raw, 96);
        disc_sub_deinterleave(raw, lin);
        CHECK_MEM(x, lin, 96);
        /* And the other way round, from raw bytes. */
        disc_sub_deinterleave(x, lin);
        ref_deinterleave(x, ref);
        CHECK_MEM(ref, lin, 96);
        disc_sub_interleave(lin, raw);
        CHECK_MEM(x, raw, 96);
    }
}

/* ------------------------------------------------------------------ */
/* Synthesis                                                           */

struct sub_tdesc {
    enum disc_track_mode mode;
    uint8_t control, session, last_index;
    disc_lba index[4];
    const char *isrc;
};

/* Fills a disc from disc_new() directly with the tracks and sessions
 * given (leadout[s] per session). */
static struct disc *
sub_disc(struct disc_ctx *ctx, const struct sub_tdesc *t, int n,
         const disc_lba *leadout, int nsess, const char *mcn)
{
    struct disc *d = disc_new(ctx);
    int i, s;

    if (!d)
        return NULL;
    if (mcn)
        strcpy(d->mcn, mcn);
    d->nsessions = (uint8_t)nsess;
    for (s = 0; s < nsess; s++) {
        struct disc_session *ss = &d->session[s];
        ss->number = (uint8_t)(s + 1);
        ss->first_track = 0;
        ss->leadout = leadout[s];
        for (i = 0; i < n; i++)
            if (t[i].session == s + 1) {
                if (!ss->first_track)
                    ss->first_track = (uint8_t)(i + 1);
                ss->last_track = (uint8_t)(i + 1);
            }
    }
    d->ntracks = (uint8_t)n;
    for (i = 0; i < n; i++) {
        struct disc_track *tr = &d->track[i];
        int k;
        tr->number = (uint8_t)(i + 1);
        tr->session = t[i].session;
        tr->mode = t[i].mode;
        tr->control = t[i].control;
        tr->last_index = t[i].last_index;
        for (k = 0; k <= t[i].last_index; k++)
            tr->index[k] = t[i].index[k];
        if (t[i].isrc)
            strcpy(tr->isrc, t[i].isrc);
    }
    return d;
}

/* What the test expects of one sector, from the track table alone. */
struct sub_expect {
    int leadout; /* 1 in a lead-out (or inter-session) area */
    int track;   /* array index of the track (or the session's last
                    track in a lead-out) */
    int index;
    int32_t rel;
    int p; /* 1: P bytes 0xFF */
    int adr;
    int stored; /* L >= index[0] of the track */
};

static void
sub_expect_for(const struct sub_tdesc *t, int n, const disc_lba *leadout,
               int nsess, const char *mcn, disc_lba l, struct sub_expect *e)
{
    int i, s, found = -1, k;

    memset(e, 0, sizeof *e);
    /* Session: the last one whose Red Book pregap starts at or before
     * l. */
    for (s = nsess; s >= 1; s--) {
        for (i = 0; i < n && t[i].session != s; i++)
            ;
        if (i < n && t[i].index[0] - 150 <= l)
            break;
    }
    if (s >= 1 && l >= leadout[s - 1]) {
        for (i = n - 1; t[i].session != s; i--)
            ;
        e->leadout = 1;
        e->track = i;
        e->index = 1;
        e->rel = l - leadout[s - 1];
        e->adr = 1;
        return;
    }
    for (i = 0; i < n; i++)
        if (t[i].session == s && (found < 0 || t[i].index[0] <= l))
            found = i;
    e->track = found;
    e->stored = l >= t[found].index[0];
    if (l < t[found].index[1]) {
        e->index = 0;
        e->p = 1;
        e->rel = t[found].index[1] - l;
    } else {
        for (k = t[found].last_index; t[found].index[k] > l; k--)
            ;
        e->index = k;
        e->rel = l - t[found].index[1];
    }
    e->adr = 1;
    if (e->stored) {
        int32_t ph = (l - t[found].index[0]) % 100;
        if (mcn && ph == 25)
            e->adr = 2;
        else if (ph == 50 && t[found].mode == DISC_MODE_AUDIO && t[found].isrc)
            e->adr = 3;
    }
}

/* Synthesises [from, to) in chunks of chunk sectors and checks every
 * sector against sub_expect_for().  Records, per track, the gaps
 * between ADR 2 and ADR 3 frames in the stored part. */
static void
sub_check_range(struct disc_ctx *ctx, const struct disc *d,
                const struct sub_tdesc *t, int n, const disc_lba *leadout,
                int nsess, const char *mcn, disc_lba from, disc_lba to,
                uint32_t chunk)
{
    uint8_t *buf = malloc((size_t)chunk * 96);
    disc_lba l, last_mcn[99], last_isrc[99];
    int nmcn[99] = { 0 }, nisrc[99] = { 0 }, bad = 0, i, j;
    static const uint8_t zero[84];
    char where[64];

    REQUIRE(buf != NULL);
    for (i = 0; i < n; i++)
        last_mcn[i] = last_isrc[i] = t[i].index[0] - 1;
    for (l = from; l < to && bad < 10;) {
        uint32_t k,
            cnt = (uint32_t)(to - l) < chunk ? (uint32_t)(to - l) : chunk;
        if (disc_sub_synth(ctx, d, l, cnt, buf) != 0) {
            t_fail(__FILE__, __LINE__, "synth %d+%u: %s", l, cnt, ctx->msg);
            break;
        }
        for (k = 0; k < cnt; k++, l++) {
            const uint8_t *s = buf + (size_t)k * 96, *q = s + 12;
            struct sub_expect e;
            struct disc_q dq;
            const struct sub_tdesc *tr;
            int before = t_failures();

            sub_expect_for(t, n, leadout, nsess, mcn, l, &e);
            tr = &t[e.track];
            snprintf(where, sizeof where, "LBA %d", l);
            for (j = 0; j < 12; j++)
                if (s[j] != (e.p ? 0xFF : 0x00))
                    break;
            if (j < 12)
                t_fail(__FILE__, __LINE__, "%s: P byte %d = %02x", where, j,
                       s[j]);
            if (memcmp(s + 12 + 12, zero, 72) != 0)
                t_fail(__FILE__, __LINE__, "%s: R-W not zero", where);
            if (!disc_q_crc_ok(q))
                t_fail(__FILE__, __LINE__, "%s: bad Q CRC", where);
            if (disc_q_decode(q, &dq) != 0) {
                t_fail(__FILE__, __LINE__, "%s: Q does not decode", where);
            } else {
                if (dq.adr != e.adr)
                    t_fail(__FILE__, __LINE__, "%s: ADR %d, expected %d", where,
                           dq.adr, e.adr);
                if (dq.control != tr->control)
                    t_fail(__FILE__, __LINE__, "%s: control %d, expected %d",
                           where, dq.control, tr->control);
                if (dq.adr == 1) {
                    int tno = e.leadout ? 0xAA : e.track + 1;
                    if (dq.tno != tno || dq.index != e.index ||
                        dq.rel != e.rel || dq.abs != l)
                        t_fail(__FILE__, __LINE__,
                               "%s: TNO %x index %d rel %d abs %d, "
                               "expected %x %d %d %d",
                               where, dq.tno, dq.index, dq.rel, dq.abs, tno,
                               e.index, e.rel, l);
                } else {
                    if (dq.aframe != (l + 150) % 75)
                        t_fail(__FILE__, __LINE__, "%s: aframe %d", where,
                               dq.aframe);
                    if (dq.adr == 2) {
                        if (strcmp(dq.mcn, mcn) != 0)
                            t_fail(__FILE__, __LINE__, "%s: MCN %s", where,
                                   dq.mcn);
                        if (l - last_mcn[e.track] > 100)
                            t_fail(__FILE__, __LINE__,
                                   "%s: %d sectors without MCN", where,
                                   l - last_mcn[e.track]);
                        last_mcn[e.track] = l;
                        nmcn[e.track]++;
                    }
                    if (dq.adr == 3) {
                        if (strcmp(dq.isrc, tr->isrc) != 0)
                            t_fail(__FILE__, __LINE__, "%s: ISRC %s", where,
                                   dq.isrc);
                        if (l - last_isrc[e.track] > 100)
                            t_fail(__FILE__, __LINE__,
                                   "%s: %d sectors without ISRC", where,
                                   l - last_isrc[e.track]);
                        last_isrc[e.track] = l;
                        nisrc[e.track]++;
                    }
                }
            }
            if (t_failures() != before)
                bad++;
        }
    }
    free(buf);
    /* Every window of 100 sectors inside a track's stored part holds an
     * MCN frame, and an ISRC frame for audio tracks with one. */
    for (i = 0; i < n && from <= t[0].index[0] - 150; i++) {
        disc_lba end = i + 1 < n && t[i + 1].session == t[i].session
                           ? t[i + 1].index[0]
                           : leadout[t[i].session - 1];
        if (end > to)
            continue;
        if (mcn) {
            CHECK(nmcn[i] > 0);
            if (end - last_mcn[i] > 100)
                t_fail(__FILE__, __LINE__,
                       "track %d: no MCN in its last %d sectors", i + 1,
                       end - last_mcn[i]);
        }
        if (t[i].mode == DISC_MODE_AUDIO && t[i].isrc) {
            CHECK(nisrc[i] > 0);
            if (end - last_isrc[i] > 100)
                t_fail(__FILE__, __LINE__,
                       "track %d: no ISRC in its last %d sectors", i + 1,
                       end - last_isrc[i]);
        } else {
            CHECK_INT(0, nisrc[i]);
        }
    }
}

/* Data track 1, audio track 2 with a 230-sector pregap and INDEX 02,
 * audio track 3 with a 150-sector pregap; MCN and two ISRCs. */
static const struct sub_tdesc three[] = {
    { DISC_MODE_MODE1, DISC_CTL_DATA, 1, 1, { 0, 0 }, NULL },
    { DISC_MODE_AUDIO, 0, 1, 2, { 3000, 3230, 4000 }, "USRC17607839" },
    { DISC_MODE_AUDIO, DISC_CTL_COPY, 1, 1, { 6000, 6150 }, "GBAYE6800011" },
};
static const disc_lba three_leadout[] = { 9000 };
#define THREE_MCN "0123456789012"

/* The acceptance test: every sector from the Red Book pregap
 * to the end of the lead-out decodes to the right track, index,
 * relative and absolute time with a valid CRC; MCN and ISRC frames are
 * present at least once per 100 sectors of each track. */
TEST(sub_synth_three_tracks)
{
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = sub_disc(&ctx, three, 3, three_leadout, 1, THREE_MCN);
    REQUIRE(d != NULL);
    sub_check_range(&ctx, d, three, 3, three_leadout, 1, THREE_MCN, -150,
                    9000 + 6750, DISC_CHUNK);
    disc_free(d);
}

/* Spot checks of the same disc written out by hand, so that a mistake
 * shared by the expectation helper and the code would still show. */
TEST(sub_synth_three_tracks_spots)
{
    static const struct {
        disc_lba l;
        uint8_t q[10];
        int p;
    } spot[] = {
        /* Red Book pregap of the data track. */
        { -150,
          { 0x41, 0x01, 0x00, 0x00, 0x02, 0x00, 0, 0x00, 0x00, 0x00 },
          1 },
        { -1, { 0x41, 0x01, 0x00, 0x00, 0x00, 0x01, 0, 0x00, 0x01, 0x74 }, 1 },
        { 0, { 0x41, 0x01, 0x01, 0x00, 0x00, 0x00, 0, 0x00, 0x02, 0x00 }, 0 },
        /* Track 2 pregap: 230 sectors, 00:03:05 down to 00:00:01. */
        { 3000,
          { 0x01, 0x02, 0x00, 0x00, 0x03, 0x05, 0, 0x00, 0x42, 0x00 },
          1 },
        { 3229,
          { 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0, 0x00, 0x45, 0x04 },
          1 },
        { 3230,
          { 0x01, 0x02, 0x01, 0x00, 0x00, 0x00, 0, 0x00, 0x45, 0x05 },
          0 },
        /* INDEX 02 at 4000: relative time still from INDEX 01. */
        { 3999,
          { 0x01, 0x02, 0x01, 0x00, 0x10, 0x19, 0, 0x00, 0x55, 0x24 },
          0 },
        { 4000,
          { 0x01, 0x02, 0x02, 0x00, 0x10, 0x20, 0, 0x00, 0x55, 0x25 },
          0 },
        /* Track 3 (copy permitted) and the lead-out with its control. */
        { 6149,
          { 0x21, 0x03, 0x00, 0x00, 0x00, 0x01, 0, 0x01, 0x23, 0x74 },
          1 },
        { 9000,
          { 0x21, 0xAA, 0x01, 0x00, 0x00, 0x00, 0, 0x02, 0x02, 0x00 },
          0 },
        { 9000 + 6749,
          { 0x21, 0xAA, 0x01, 0x01, 0x29, 0x74, 0, 0x03, 0x31, 0x74 },
          0 },
    };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t sub[96], mcn[12], isrc[12];
    size_t i;

    t_ctx(&ctx);
    d = sub_disc(&ctx, three, 3, three_leadout, 1, THREE_MCN);
    REQUIRE(d != NULL);
    for (i = 0; i < sizeof spot / sizeof spot[0]; i++) {
        uint8_t want[12];
        int j;
        memcpy(want, spot[i].q, 10);
        disc_q_set_crc(want);
        CHECK_OK(&ctx, disc_sub_synth(&ctx, d, spot[i].l, 1, sub));
        if (memcmp(want, sub + 12, 12) != 0)
            t_fail(__FILE__, __LINE__, "LBA %d: Q differs", spot[i].l);
        for (j = 0; j < 12; j++)
            CHECK_HEX(spot[i].p ? 0xFF : 0x00, sub[j]);
    }
    /* MCN at track offset 25 (LBA 25: AFRAME of 00:02:25 = 25), data
     * track control; ISRC of track 2 at 3050 (abs 00:42:50). */
    disc_q_encode_mcn(mcn, DISC_CTL_DATA, THREE_MCN, 25);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 25, 1, sub));
    CHECK_MEM(mcn, sub + 12, 12);
    disc_q_encode_isrc(isrc, 0, "USRC17607839", 50);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 3050, 1, sub));
    CHECK_MEM(isrc, sub + 12, 12);
    /* No ISRC on the data track at offset 50, no MCN in the Red Book
     * pregap at offset 25 from its start. */
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 50, 1, sub));
    CHECK_HEX(0x41, sub[12]);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, -125, 1, sub));
    CHECK_HEX(0x41, sub[12]);
    disc_free(d);
}

/* The output does not depend on how the range is cut into calls. */
TEST(sub_synth_chunking_independent)
{
    static const uint32_t chunks[] = { 1, 7, 64, 100, 777 };
    const disc_lba from = -150, to = 9000 + 6750;
    size_t len = (size_t)(to - from) * 96, i;
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *all, *part;

    t_ctx(&ctx);
    d = sub_disc(&ctx, three, 3, three_leadout, 1, THREE_MCN);
    all = malloc(len);
    part = malloc(len);
    REQUIRE(d && all && part);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, from, (uint32_t)(to - from), all));
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        disc_lba l;
        memset(part, 0x5A, len);
        for (l = from; l < to; l += (disc_lba)chunks[i]) {
            uint32_t n =
                (uint32_t)(to - l) < chunks[i] ? (uint32_t)(to - l) : chunks[i];
            CHECK_OK(&ctx, disc_sub_synth(&ctx, d, l, n,
                                          part + (size_t)(l - from) * 96));
        }
        if (memcmp(all, part, len) != 0)
            t_fail(__FILE__, __LINE__, "chunks of %u differ", chunks[i]);
    }
    free(all);
    free(part);
    disc_free(d);
}

/* Enhanced CD layout: session 2's track starts 11400 sectors after the
 * session-1 lead-out. */
static const struct sub_tdesc two[] = {
    { DISC_MODE_AUDIO, 0, 1, 1, { 0, 0 }, NULL },
    { DISC_MODE_AUDIO, DISC_CTL_COPY, 1, 1, { 5000, 5150 }, "USRC17607839" },
    { DISC_MODE_MODE2_FORM1, DISC_CTL_DATA, 2, 1, { 31400, 31400 }, NULL },
};
static const disc_lba two_leadout[] = { 20000, 34400 };

TEST(sub_synth_two_sessions)
{
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t sub[96];
    struct disc_q q;
    int j;

    t_ctx(&ctx);
    d = sub_disc(&ctx, two, 3, two_leadout, 2, NULL);
    REQUIRE(d != NULL);
    CHECK_INT(31250, disc_session_start(d, 1));
    sub_check_range(&ctx, d, two, 3, two_leadout, 2, NULL, -150, 34400 + 6750,
                    DISC_CHUNK);

    /* Session-1 lead-out, with the last audio track's control, runs up
     * to the Red Book pregap of session 2. */
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 20000, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_HEX(0xAA, q.tno);
    CHECK_INT(1, q.index);
    CHECK_INT(0, q.rel);
    CHECK_INT(20000, q.abs);
    CHECK_INT(DISC_CTL_COPY, q.control);
    CHECK_HEX(0, sub[0]);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 31249, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_HEX(0xAA, q.tno);
    CHECK_INT(11249, q.rel);
    /* 150 sectors of index 0 before track 3, P set, 00:02:00 down. */
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 31250, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_INT(3, q.tno);
    CHECK_INT(0, q.index);
    CHECK_INT(150, q.rel);
    CHECK_INT(31250, q.abs);
    CHECK_INT(DISC_CTL_DATA, q.control);
    for (j = 0; j < 12; j++)
        CHECK_HEX(0xFF, sub[j]);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 31399, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_INT(0, q.index);
    CHECK_INT(1, q.rel);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 31400, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_INT(1, q.index);
    CHECK_INT(0, q.rel);
    CHECK_HEX(0, sub[0]);
    /* Session-2 lead-out carries the data control. */
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 34400 + 6749, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_HEX(0xAA, q.tno);
    CHECK_INT(6749, q.rel);
    CHECK_INT(DISC_CTL_DATA, q.control);
    disc_free(d);
}

/* HTOA (docs/formats/cd.md): track 1 INDEX 00 at LBA 0, INDEX 01 at 2250.  The
 * index-0 part runs from -150 with one relative count-down; ADR 2 frames
 * start in the stored part only. */
TEST(sub_synth_htoa)
{
    static const struct sub_tdesc htoa[] = {
        { DISC_MODE_AUDIO, 0, 1, 1, { 0, 2250 }, "USRC17607839" },
        { DISC_MODE_AUDIO, 0, 1, 1, { 5000, 5000 }, NULL },
    };
    static const disc_lba lo[] = { 8000 };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t sub[3 * 96];
    struct disc_q q;

    t_ctx(&ctx);
    d = sub_disc(&ctx, htoa, 2, lo, 1, THREE_MCN);
    REQUIRE(d != NULL);
    sub_check_range(&ctx, d, htoa, 2, lo, 1, THREE_MCN, -150, 8000 + 6750,
                    DISC_CHUNK);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, -150, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_INT(0, q.index);
    CHECK_INT(2400, q.rel);
    CHECK_HEX(0xFF, sub[0]);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 25, 1, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_INT(2, q.adr);
    CHECK_HEX(0xFF, sub[0]); /* still the pregap: P stays set */
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 2249, 3, sub));
    REQUIRE(disc_q_decode(sub + 12, &q) == 0);
    CHECK_INT(0, q.index);
    CHECK_INT(1, q.rel);
    CHECK_HEX(0xFF, sub[0]);
    /* 2250 is offset 50 of the track: its ISRC frame, P now clear. */
    REQUIRE(disc_q_decode(sub + 96 + 12, &q) == 0);
    CHECK_INT(3, q.adr);
    CHECK_STR("USRC17607839", q.isrc);
    CHECK_HEX(0, sub[96]);
    REQUIRE(disc_q_decode(sub + 2 * 96 + 12, &q) == 0);
    CHECK_INT(1, q.index);
    CHECK_INT(1, q.rel);
    CHECK_INT(2251, q.abs);
    disc_free(d);
}

/* Synthesised frames equal the known vectors. */
TEST(sub_synth_vectors)
{
    static const struct sub_tdesc audio[] = {
        { DISC_MODE_AUDIO, 0, 1, 1, { 0, 0 }, NULL },
    };
    static const struct sub_tdesc data[] = {
        { DISC_MODE_MODE1, DISC_CTL_DATA, 1, 1, { 0, 0 }, NULL },
    };
    static const disc_lba lo[] = { 1000 };
    struct disc_ctx ctx;
    struct disc *a, *b;
    uint8_t sub[4 * 96];

    t_ctx(&ctx);
    a = sub_disc(&ctx, audio, 1, lo, 1, NULL);
    b = sub_disc(&ctx, data, 1, lo, 1, NULL);
    REQUIRE(a && b);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, a, -150, 1, sub));
    CHECK_MEM(q_audio_m150, sub + 12, 12);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, a, -1, 2, sub));
    CHECK_MEM(q_audio_m1, sub + 12, 12);
    CHECK_MEM(q_audio_lba0, sub + 96 + 12, 12);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, a, 998, 4, sub));
    CHECK_MEM(q_leadout_1000, sub + 2 * 96 + 12, 12);
    CHECK_OK(&ctx, disc_sub_synth(&ctx, b, 0, 1, sub));
    CHECK_MEM(q_data_lba0, sub + 12, 12);
    disc_free(a);
    disc_free(b);
}

TEST(sub_synth_range)
{
    struct disc_ctx ctx;
    struct disc *d, *e;
    uint8_t sub[2 * 96];

    t_ctx(&ctx);
    d = sub_disc(&ctx, two, 3, two_leadout, 2, NULL);
    REQUIRE(d != NULL);
    CHECK_ERR(&ctx, DISC_E_RANGE, "LBA -151",
              disc_sub_synth(&ctx, d, -151, 1, sub));
    CHECK_INT(DISC_E_RANGE, ctx.err);
    CHECK_ERR(&ctx, DISC_E_RANGE, "outside the disc",
              disc_sub_synth(&ctx, d, -152, 2, sub));
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, -150, 1, sub));
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 34400 + 6748, 2, sub));
    CHECK_ERR(&ctx, DISC_E_RANGE, "outside the disc",
              disc_sub_synth(&ctx, d, 34400 + 6749, 2, sub));
    CHECK_ERR(&ctx, DISC_E_RANGE, "outside the disc",
              disc_sub_synth(&ctx, d, 34400 + 6750, 1, sub));
    CHECK_ERR(&ctx, DISC_E_RANGE, "outside the disc",
              disc_sub_synth(&ctx, d, INT32_MAX, 1, sub));
    CHECK_OK(&ctx, disc_sub_synth(&ctx, d, 0, 0, sub));
    /* A disc without tracks has nothing to synthesise. */
    e = disc_new(&ctx);
    REQUIRE(e != NULL);
    CHECK_ERR(&ctx, DISC_E_RANGE, "no tracks",
              disc_sub_synth(&ctx, e, 0, 1, sub));
    disc_free(e);
    disc_free(d);
}

struct synth_q {
    struct disc_ctx *ctx;
    const struct disc *d;
};

static int
synth_q_at(void *user, disc_lba lba, uint8_t *q)
{
    const struct synth_q *s = user;
    uint8_t sub[DISC_SECTOR_SUB];
    int r = disc_sub_synth(s->ctx, s->d, lba, 1, sub);

    if (r < 0)
        return r;
    memcpy(q, sub + 12, 12);
    return 0;
}

/* An INDEX 02 that starts on the sector of an MCN or ISRC frame (which
 * carries no index) is found where it starts, with no warning: the scan
 * over the synthesised Q gives back the model's index exactly. */
TEST(sub_qscan_index_on_mcn_isrc_frame)
{
    static const int phase[] = { 25, 50 };
    size_t k;

    for (k = 0; k < sizeof phase / sizeof phase[0]; k++) {
        struct disc_ctx ctx;
        struct disc *d;
        struct synth_q sq;
        disc_lba idx[DISC_MAX_INDEX + 1], at;
        int i, ti = -1, last = 0;
        uint8_t sub[DISC_SECTOR_SUB];
        struct disc_q q;

        t_ctx(&ctx);
        d = fx_disc_mixed(&ctx);
        REQUIRE(d);
        for (i = 0; i < d->ntracks && ti < 0; i++)
            if (d->track[i].last_index >= 2 && d->track[i].isrc[0])
                ti = i;
        REQUIRE(ti >= 0 && d->mcn[0]);
        at = d->track[ti].index[0] + 200 + phase[k];
        REQUIRE(at > d->track[ti].index[1] && at < disc_track_end(d, ti));
        d->track[ti].index[2] = at;
        d->track[ti].last_index = 2;
        /* The synthesiser keeps libMirage's phases: no position frame
         * on the first sector of the index. */
        REQUIRE_OK(&ctx, disc_sub_synth(&ctx, d, at, 1, sub));
        REQUIRE(disc_q_decode(sub + 12, &q) == 0);
        CHECK_INT(k == 0 ? 2 : 3, q.adr);
        sq.ctx = &ctx;
        sq.d = d;
        REQUIRE(disc_qscan_indexes(&ctx, d, ti, synth_q_at, &sq, idx, &last) >=
                0);
        CHECK_INT(2, last);
        CHECK_INT(at, idx[2]);
        CHECK(!t_contains(t_log, "uncertain"));
        disc_free(d);
    }
}

/* ------------------------------------------------------------------ */
/* The run-at-a-time synthesis against the per-sector definition       */

/* Every byte disc_sub_synth writes over [from, to) equals what
 * t_sub_synth_ref (tests/sub_ref.c) builds sector by sector, for the whole
 * range at once and for random pieces of it (starts inside runs, pieces that
 * end on and across index points). */
static void
sub_check_same(struct disc_ctx *ctx, const struct disc *d, disc_lba from,
               disc_lba to)
{
    size_t n = (size_t)(to - from);
    uint8_t *fast = malloc(n * 96), *ref = malloc(n * 96);
    disc_lba l;
    int k;

    REQUIRE(fast && ref);
    memset(fast, 0x5A, n * 96);
    CHECK_OK(ctx, disc_sub_synth(ctx, d, from, (uint32_t)n, fast));
    CHECK_OK(ctx, t_sub_synth_ref(ctx, d, from, (uint32_t)n, ref));
    for (l = from; l < to; l++)
        if (memcmp(fast + (size_t)(l - from) * 96,
                   ref + (size_t)(l - from) * 96, 96) != 0) {
            CHECK_INT(-1, l); /* names the first sector that differs */
            break;
        }
    for (k = 0; k < 300; k++) {
        disc_lba a = from + (disc_lba)(sub_rng() % n);
        uint32_t c = 1 + sub_rng() % 700;
        if ((size_t)(a - from) + c > n)
            c = (uint32_t)(n - (size_t)(a - from));
        CHECK_OK(ctx, disc_sub_synth(ctx, d, a, c, fast));
        if (memcmp(fast, ref + (size_t)(a - from) * 96, (size_t)c * 96)) {
            CHECK_INT(-1, a);
            break;
        }
    }
    free(fast);
    free(ref);
}

/* Pregaps, the unstored Red Book pregap, INDEX 02 and 03, MCN, ISRC,
 * data and audio tracks, copy flags and the lead-out. */
TEST(sub_synth_fast_equals_ref_one_session)
{
    static const struct sub_tdesc t[] = {
        { DISC_MODE_MODE1, DISC_CTL_DATA, 1, 1, { 0, 0 }, NULL },
        { DISC_MODE_AUDIO,
          0,
          1,
          3,
          { 3000, 3230, 4000, 4077 },
          "USRC17607839" },
        { DISC_MODE_AUDIO,
          DISC_CTL_COPY,
          1,
          1,
          { 6000, 6150 },
          "GBAYE6800011" },
        { DISC_MODE_AUDIO, DISC_CTL_PREEMPH, 1, 2, { 9001, 9001, 9013 }, NULL },
        { DISC_MODE_MODE2_FORM1, DISC_CTL_DATA, 1, 1, { 12000, 12225 }, NULL },
    };
    static const disc_lba lo[] = { 15000 };
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = sub_disc(&ctx, t, 5, lo, 1, THREE_MCN);
    REQUIRE(d != NULL);
    sub_check_same(&ctx, d, -150, 15000 + 6750);
    disc_free(d);
}

/* Two sessions (the gap between them takes lead-out Q), no MCN, HTOA. */
TEST(sub_synth_fast_equals_ref_sessions_htoa)
{
    static const struct sub_tdesc htoa[] = {
        { DISC_MODE_AUDIO, 0, 1, 1, { 0, 2250 }, "USRC17607839" },
        { DISC_MODE_AUDIO, 0, 1, 1, { 5000, 5000 }, NULL },
    };
    static const disc_lba hlo[] = { 8000 };
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = sub_disc(&ctx, two, 3, two_leadout, 2, NULL);
    REQUIRE(d != NULL);
    sub_check_same(&ctx, d, -150, 34400 + 6750);
    disc_free(d);
    d = sub_disc(&ctx, htoa, 2, hlo, 1, THREE_MCN);
    REQUIRE(d != NULL);
    sub_check_same(&ctx, d, -150, 8000 + 6750);
    disc_free(d);
}

/* Times past 99:59:74 wrap the minutes (a 100-minute image) and a
 * relative time of over 60 minutes counts through minute carries. */
TEST(sub_synth_fast_equals_ref_long)
{
    static const struct sub_tdesc t[] = {
        { DISC_MODE_AUDIO, 0, 1, 1, { 0, 0 }, "USRC17607839" },
        { DISC_MODE_AUDIO, 0, 1, 1, { 300000, 302000 }, NULL },
    };
    static const disc_lba lo[] = { 455000 };
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = sub_disc(&ctx, t, 2, lo, 1, THREE_MCN);
    REQUIRE(d != NULL);
    sub_check_same(&ctx, d, 290000, 305000);
    sub_check_same(&ctx, d, 445000, 455000 + 6750);
    disc_free(d);
}
