/* test_msf.c - LBA <-> MSF <-> BCD conversions, MSF text parsing and
 * formatting.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md.
 */
#include "test.h"

struct msf_vec {
    int m, s, f;
    disc_lba lba;
};

/* docs/formats/cd.md, MMC rule (minutes 90-99 are negative LBAs). */
static const struct msf_vec msf_vecs[] = {
    { 0, 2, 0, 0 },         { 0, 0, 0, -150 },      { 0, 1, 74, -1 },
    { 79, 59, 74, 359849 }, { 97, 26, 66, -11634 }, { 90, 0, 0, -45150 },
    { 89, 59, 74, 404849 }, { 99, 59, 74, -151 },   { 0, 4, 0, 150 },
};

static struct disc_msf
msf_make(int m, int s, int f)
{
    struct disc_msf x;
    x.m = (uint8_t)m;
    x.s = (uint8_t)s;
    x.f = (uint8_t)f;
    return x;
}

TEST(msf_vectors)
{
    size_t i;

    for (i = 0; i < sizeof msf_vecs / sizeof msf_vecs[0]; i++) {
        const struct msf_vec *v = &msf_vecs[i];
        struct disc_msf m = disc_lba_to_msf(v->lba);

        CHECK_INT(v->lba, disc_msf_to_lba(msf_make(v->m, v->s, v->f)));
        CHECK_INT(v->m, m.m);
        CHECK_INT(v->s, m.s);
        CHECK_INT(v->f, m.f);
    }
}

/* Every LBA the MMC rule can express, -45150 (90:00:00) to 404849
 * (89:59:74), maps to a valid MSF and back, and consecutive LBAs give
 * consecutive frame counts except across the 99:59:74 -> 00:00:00
 * wrap at LBA -151/-150. */
TEST(msf_round_trip_range)
{
    disc_lba l;
    int32_t prev = -1;
    int bad = 0;

    for (l = -45150; l <= 404849 && bad < 5; l++) {
        struct disc_msf m = disc_lba_to_msf(l);
        int32_t f = disc_msf_to_frames(m);

        if (m.m > 99 || m.s > 59 || m.f > 74 || disc_msf_to_lba(m) != l) {
            t_fail(__FILE__, __LINE__, "LBA %d -> %02u:%02u:%02u -> %d", l, m.m,
                   m.s, m.f, disc_msf_to_lba(m));
            bad++;
        }
        if (l == -45150)
            CHECK_INT(90 * 4500, f);
        else if (l == -150)
            CHECK_INT(0, f);
        else if (prev >= 0 && f != prev + 1) {
            t_fail(__FILE__, __LINE__, "LBA %d: frames %d after %d", l, f,
                   prev);
            bad++;
        }
        prev = f;
    }
    CHECK_INT(0, bad);
}

/* The other direction: every MSF 00:00:00-99:59:74 round trips. */
TEST(msf_round_trip_all_msf)
{
    int m, s, f, bad = 0;

    for (m = 0; m < 100; m++)
        for (s = 0; s < 60; s++)
            for (f = 0; f < 75; f++) {
                disc_lba l = disc_msf_to_lba(msf_make(m, s, f));
                struct disc_msf x = disc_lba_to_msf(l);
                if (x.m != m || x.s != s || x.f != f) {
                    if (bad++ < 5)
                        t_fail(__FILE__, __LINE__,
                               "%02d:%02d:%02d -> %d -> %02u:%02u:%02u", m, s,
                               f, l, x.m, x.s, x.f);
                }
                /* MMC: minutes 90-99 are the negative LBAs. */
                if ((m >= 90) != (l < -150) && bad++ < 5)
                    t_fail(__FILE__, __LINE__, "%02d:%02d:%02d -> LBA %d", m, s,
                           f, l);
            }
    CHECK_INT(0, bad);
}

TEST(msf_frames_lengths)
{
    struct disc_msf m = disc_frames_to_msf(150);

    /* Durations have no 150-frame offset. */
    CHECK_INT(0, m.m);
    CHECK_INT(2, m.s);
    CHECK_INT(0, m.f);
    m = disc_frames_to_msf(359999);
    CHECK_INT(79, m.m);
    CHECK_INT(59, m.s);
    CHECK_INT(74, m.f);
    CHECK_INT(0, disc_msf_to_frames(msf_make(0, 0, 0)));
    CHECK_INT(4500 + 75 + 1, disc_msf_to_frames(msf_make(1, 1, 1)));
    CHECK_INT(359849 + 150, disc_msf_to_frames(msf_make(79, 59, 74)));
}

TEST(msf_bcd)
{
    int v, nbcd = 0;

    for (v = 0; v < 100; v++) {
        uint8_t b = disc_to_bcd((uint8_t)v);
        CHECK_HEX((v / 10) << 4 | v % 10, b);
        CHECK_INT(v, disc_from_bcd(b));
    }
    for (v = 0; v < 256; v++) {
        int ok = (v >> 4) < 10 && (v & 15) < 10;
        CHECK_INT(ok, disc_is_bcd((uint8_t)v));
        if (!ok)
            CHECK_HEX(0xFF, disc_from_bcd((uint8_t)v));
        nbcd += disc_is_bcd((uint8_t)v) != 0;
    }
    CHECK_INT(100, nbcd);
    CHECK_HEX(0x59, disc_to_bcd(59));
    CHECK_INT(74, disc_from_bcd(0x74));
    CHECK_HEX(0xFF, disc_from_bcd(0x1A));
    CHECK_HEX(0xFF, disc_from_bcd(0xA1));
}

TEST(msf_parse_accepts)
{
    int32_t f = -1;

    CHECK_INT(0, disc_parse_msf("00:02:00", &f));
    CHECK_INT(150, f);
    CHECK_INT(0, disc_parse_msf("00:00:00", &f));
    CHECK_INT(0, f);
    CHECK_INT(0, disc_parse_msf("79:59:74", &f));
    CHECK_INT(359999, f);
    /* CUE INDEX times inside long files may exceed 99 minutes. */
    CHECK_INT(0, disc_parse_msf("120:00:00", &f));
    CHECK_INT(120 * 4500, f);
}

TEST(msf_parse_rejects)
{
    static const char *const bad[] = {
        "00:60:00",  "00:00:75",  "xx:yy:00", "1:2",         "00:02:00x",
        "00:02:00 ", " 00:02:00", "",         ":00:00",      "00::00",
        "00:02:",    "-1:00:00",  "00:-1:00", "00:02:00:00", "00.02.00",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t f = 12345;
        int r = disc_parse_msf(bad[i], &f);
        if (r != DISC_E_FORMAT)
            t_fail(__FILE__, __LINE__, "\"%s\": expected %d, got %d (%d)",
                   bad[i], DISC_E_FORMAT, r, f);
    }
}

TEST(msf_format)
{
    char buf[16];
    int32_t f, back;

    CHECK_STR("00:00:00", disc_format_msf(0, buf, sizeof buf));
    CHECK_STR("00:02:00", disc_format_msf(150, buf, sizeof buf));
    CHECK_STR("79:59:74", disc_format_msf(359999, buf, sizeof buf));
    CHECK_STR("120:00:00", disc_format_msf(120 * 4500, buf, sizeof buf));
    /* The documented minimum buffer: 9 bytes for "mm:ss:ff". */
    CHECK_STR("01:01:01", disc_format_msf(4576, buf, 9));
    CHECK(disc_format_msf(1, buf, sizeof buf) == buf);
    /* parse(format(x)) == x, including minutes beyond 99. */
    for (f = 0; f < 800000; f += 997) {
        back = -1;
        disc_format_msf(f, buf, sizeof buf);
        CHECK_INT(0, disc_parse_msf(buf, &back));
        CHECK_INT(f, back);
    }
}
