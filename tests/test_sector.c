/* test_sector.c - tests of the sector codec (core/sector.c).
 * Checked against the vectors of docs/formats/cd.md, slow reference
 * formulations written here from sections 1.3-1.5, libcdio's
 * isofs-m1.bin and a VCD built by vcdimager at test time.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md.
 */
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vcd.h"

/* ------------------------------------------------------------------ */
/* Helpers and slow references                                         */

/* Deterministic filler so failures reproduce. */
static uint32_t
rnd(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)rnd(&seed);
}

/* Bit-at-a-time CRC-32/CD-ROM-EDC, straight from docs/formats/cd.md. */
static uint32_t
ref_edc(const uint8_t *p, size_t n)
{
    uint32_t c = 0;
    int b;

    while (n--) {
        c ^= *p++;
        for (b = 0; b < 8; b++)
            c = (c >> 1) ^ ((c & 1) ? 0xD8018001u : 0);
    }
    return c;
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* GF(2^8), polynomial 0x11D, by shift and add. */
static uint8_t
gf_mul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;

    while (b) {
        if (b & 1)
            r ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1D : 0));
        b >>= 1;
    }
    return r;
}

/* Both parity equations of one vector: sum v[i] = 0 and
 * sum v[i] * a^(n-1-i) = 0 (Horner over all n symbols). */
static int
ref_vector_ok(const uint8_t *v, int n)
{
    uint8_t s = 0, h = 0;
    int i;

    for (i = 0; i < n; i++) {
        s ^= v[i];
        h = gf_mul(h, 2) ^ v[i];
    }
    return s == 0 && h == 0;
}

/* 1 if every P and Q vector of the sector, gathered with the index
 * formulas of docs/formats/cd.md as written, satisfies both equations.
 * zero_header: treat bytes 12-15 as zero (Mode 2 Form 1). */
static int
ref_pq_ok(const uint8_t *sec, int zero_header)
{
    uint8_t b[2236], v[45];
    int j, k;

    memcpy(b, sec + 12, sizeof b);
    if (zero_header)
        memset(b, 0, 4);
    for (j = 0; j < 86; j++) {
        for (k = 0; k < 24; k++)
            v[k] = b[(j / 2) * 2 + (j % 2) + 86 * k];
        v[24] = sec[0x81C + j];
        v[25] = sec[0x81C + 86 + j];
        if (!ref_vector_ok(v, 26))
            return 0;
    }
    for (j = 0; j < 52; j++) {
        for (k = 0; k < 43; k++)
            v[k] = b[((j / 2) * 86 + (j % 2) + 88 * k) % 2236];
        v[43] = sec[0x8C8 + j];
        v[44] = sec[0x8C8 + 52 + j];
        if (!ref_vector_ok(v, 45))
            return 0;
    }
    return 1;
}

static const char *
sha1_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    static char hex[2 * SHA_DIGEST_LENGTH + 1];
    unsigned char md[SHA_DIGEST_LENGTH];
    size_t i;

    SHA1(p, n, md);
    for (i = 0; i < SHA_DIGEST_LENGTH; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[sizeof hex - 1] = '\0';
    return hex;
}

static int
is_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* EDC                                                                 */

TEST(sector_edc_check_value)
{
    static const uint8_t check[] = "123456789";

    CHECK_HEX(0x6EC2EDC4u, disc_edc(check, 9));
    CHECK_HEX(0u, disc_edc(check, 0));
    CHECK_HEX(0u, disc_edc(NULL, 0));
    /* Continuing at any split point gives the same value. */
    {
        size_t cut;
        for (cut = 0; cut <= 9; cut++)
            CHECK_HEX(0x6EC2EDC4u, disc_edc_update(disc_edc(check, cut),
                                                   check + cut, 9 - cut));
    }
}

TEST(sector_edc_matches_bitwise)
{
    static uint8_t buf[4096 + 16];
    size_t len, off;

    fill(buf, sizeof buf, 7);
    /* Every length up to 80 at every alignment (the sliced loop and its
     * tail), then long runs including the sector spans. */
    for (off = 0; off < 8; off++)
        for (len = 0; len <= 80; len++)
            CHECK_HEX(ref_edc(buf + off, len), disc_edc(buf + off, len));
    CHECK_HEX(ref_edc(buf, 2064), disc_edc(buf, 2064));
    CHECK_HEX(ref_edc(buf + 3, 2056), disc_edc(buf + 3, 2056));
    CHECK_HEX(ref_edc(buf + 5, 2332), disc_edc(buf + 5, 2332));
    CHECK_HEX(ref_edc(buf, 4096), disc_edc(buf, 4096));
    CHECK_HEX(ref_edc(buf, 4096),
              disc_edc_update(disc_edc(buf, 1001), buf + 1001, 3095));
    /* Every single byte value (each entry of a 256-entry table). */
    for (len = 0; len < 256; len++) {
        uint8_t b = (uint8_t)len;
        CHECK_HEX(ref_edc(&b, 1), disc_edc(&b, 1));
    }
}

/* ------------------------------------------------------------------ */
/* Sync and header                                                     */

TEST(sector_sync_and_header)
{
    static const uint8_t sync[12] = { 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };
    static const struct {
        disc_lba lba;
        uint8_t msf[3];
    } cases[] = {
        { 0, { 0x00, 0x02, 0x00 } },      { -1, { 0x00, 0x01, 0x74 } },
        { -150, { 0x00, 0x00, 0x00 } },   { 16, { 0x00, 0x02, 0x16 } },
        { 359849, { 0x79, 0x59, 0x74 } }, { -11634, { 0x97, 0x26, 0x66 } },
        { 4350, { 0x01, 0x00, 0x00 } },
    };
    uint8_t sec[DISC_SECTOR_RAW];
    size_t i;

    CHECK_MEM(sync, disc_sync, 12);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disc_sector_info info;
        memset(sec, 0x5A, sizeof sec);
        disc_sector_header(sec, cases[i].lba, 1);
        CHECK_MEM(sync, sec, 12);
        CHECK_MEM(cases[i].msf, sec + 12, 3);
        CHECK_HEX(0x01, sec[15]);
        CHECK_HEX(0x5A, sec[16]); /* nothing past the header touched */
        disc_sector_header(sec, cases[i].lba, 2);
        CHECK_HEX(0x02, sec[15]);
        disc_sector_classify(sec, &info);
        CHECK_INT(cases[i].lba, info.lba);
    }
}

/* ------------------------------------------------------------------ */
/* Known vectors                                              */

TEST(sector_mode1_zero_lba0_vectors)
{
    static const uint8_t edc[4] = { 0xC5, 0x13, 0x68, 0x2B };
    static const uint8_t p4[4] = { 0x00, 0xF7, 0x00, 0xF5 };
    static const uint8_t q2[2] = { 0x00, 0x41 };
    static const uint8_t last8[8] = { 0x00, 0x00, 0x00, 0x90,
                                      0x00, 0xC1, 0x00, 0x12 };
    static const uint8_t zero[2048];
    uint8_t a[DISC_SECTOR_RAW], b[DISC_SECTOR_RAW], c[DISC_SECTOR_RAW];

    disc_sector_generate(a, 0, DISC_GEN_MODE1);
    CHECK_MEM(edc, a + 0x810, 4);
    CHECK_HEX(0x2B6813C5u, le32(a + 0x810));
    CHECK(is_zero(a + 0x814, 8));
    CHECK_MEM(p4, a + 0x81C, 4);
    CHECK_MEM(q2, a + 0x8C8, 2);
    CHECK_MEM(last8, a + DISC_SECTOR_RAW - 8, 8);
    CHECK_STR("d9ee3c3ce5f425e5adb786706f65f363fd785695",
              sha1_hex(a, DISC_SECTOR_RAW));
    CHECK(ref_pq_ok(a, 0));

    /* The same sector three ways. */
    memset(b, 0xEE, sizeof b);
    disc_sector_from_cooked(b, 0, DISC_DATA_MODE1, zero);
    CHECK_MEM(a, b, DISC_SECTOR_RAW);
    memset(c, 0, sizeof c);
    memset(c + 0x814, 0x77, 8); /* the encoder must clear these */
    disc_sector_encode_mode1(c, 0);
    CHECK_MEM(a, c, DISC_SECTOR_RAW);

    disc_scramble(a);
    CHECK_STR("5d6926fd53a6c19a5898806069460996b0e37904",
              sha1_hex(a, DISC_SECTOR_RAW));
}

TEST(sector_mode1_zero_lba16_edc)
{
    static const uint8_t hdr[4] = { 0x00, 0x02, 0x16, 0x01 };
    static const uint8_t edc[4] = { 0xBC, 0x17, 0x00, 0x5F };
    uint8_t s[DISC_SECTOR_RAW];

    disc_sector_generate(s, 16, DISC_GEN_MODE1);
    CHECK_MEM(hdr, s + 12, 4);
    CHECK_MEM(edc, s + 0x810, 4);
    CHECK(ref_pq_ok(s, 0));
}

TEST(sector_form1_zero_is_zero)
{
    /* All-zero subheader and data: EDC 0 and P/Q 0 at any LBA. */
    static const disc_lba lbas[] = { 0, 1, 16, 4499, 359849, -150 };
    static const uint8_t zero[2048];
    uint8_t s[DISC_SECTOR_RAW];
    size_t i;

    for (i = 0; i < sizeof lbas / sizeof lbas[0]; i++) {
        struct disc_sector_info info;
        memset(s, 0x33, sizeof s);
        disc_sector_generate(s, lbas[i], DISC_GEN_FORM1);
        CHECK_MEM(disc_sync, s, 12);
        CHECK_HEX(0x02, s[15]);
        CHECK(is_zero(s + 16, DISC_SECTOR_RAW - 16));
        disc_sector_classify(s, &info);
        CHECK_INT(DISC_SECTOR_FORM1, info.type);
        CHECK_INT(lbas[i], info.lba);
        CHECK_INT(1, info.edc_ok);
        CHECK_INT(1, info.ecc_ok);
    }
    /* Cooked Form 1 zeros differ only by the subheader's data bit. */
    disc_sector_from_cooked(s, 0, DISC_DATA_FORM1, zero);
    CHECK(ref_pq_ok(s, 1));
    CHECK_HEX(ref_edc(s + 16, 2056), le32(s + 0x818));
}

TEST(sector_form2_edc_vector)
{
    static const uint8_t sh[8] = { 0, 0, 0x20, 0, 0, 0, 0x20, 0 };
    static const uint8_t edc[4] = { 0x3F, 0x13, 0xB0, 0xBE };
    static const uint8_t zero[2324];
    uint8_t a[DISC_SECTOR_RAW], b[DISC_SECTOR_RAW];
    struct disc_sector_info info;

    disc_sector_generate(a, 0, DISC_GEN_FORM2);
    CHECK_MEM(sh, a + 16, 8);
    CHECK(is_zero(a + 24, 2324));
    CHECK_MEM(edc, a + 0x92C, 4);
    disc_sector_classify(a, &info);
    CHECK_INT(DISC_SECTOR_FORM2, info.type);
    CHECK_INT(1, info.edc_ok);
    CHECK_INT(-1, info.ecc_ok);
    /* The EDC leaves the header out, so any LBA gives the same bytes. */
    disc_sector_from_cooked(b, 123456, DISC_DATA_FORM2, zero);
    CHECK_MEM(a + 16, b + 16, DISC_SECTOR_RAW - 16);
}

/* ------------------------------------------------------------------ */
/* ECC                                                                 */

TEST(sector_ecc_matches_parity_equations)
{
    uint8_t s[DISC_SECTOR_RAW];
    uint32_t seed;

    for (seed = 1; seed <= 40; seed++) {
        disc_lba lba = (disc_lba)(seed * 7919 % 360000) - 150;
        fill(s, sizeof s, seed);
        disc_sector_encode_mode1(s, lba);
        CHECK(ref_pq_ok(s, 0));
        CHECK(disc_ecc_check(s));
        CHECK_HEX(ref_edc(s, 0x810), le32(s + 0x810));

        fill(s, sizeof s, seed + 1000);
        disc_sector_encode_form1(s, lba);
        CHECK(ref_pq_ok(s, 1));
        CHECK(!ref_pq_ok(s, 0)); /* the header really is left out */
        CHECK_HEX(ref_edc(s + 16, 0x808), le32(s + 0x818));

        /* disc_ecc_compute works on the sector as it stands. */
        fill(s, sizeof s, seed + 2000);
        disc_ecc_compute(s);
        CHECK(ref_pq_ok(s, 0));
        CHECK(disc_ecc_check(s));
        s[0x8C8 + (seed % 104)] ^= 0x10;
        CHECK(!disc_ecc_check(s));
    }
}

/* Flips every bit of a sector's protected area and checks classify. */
TEST(sector_bitflip_mode1)
{
    uint8_t s[DISC_SECTOR_RAW], orig[DISC_SECTOR_RAW];
    struct disc_sector_info info;
    size_t i;
    int bit, missed = 0, wrong = 0;

    fill(orig + 16, 2048, 99);
    disc_sector_encode_mode1(orig, 4321);
    disc_sector_classify(orig, &info);
    REQUIRE(info.type == DISC_SECTOR_MODE1 && info.edc_ok == 1 &&
            info.ecc_ok == 1 && info.lba == 4321);
    memcpy(s, orig, sizeof s);
    for (i = 0; i < DISC_SECTOR_RAW; i++) {
        for (bit = 0; bit < 8; bit++) {
            int want_edc;
            s[i] ^= (uint8_t)(1u << bit);
            disc_sector_classify(s, &info);
            s[i] ^= (uint8_t)(1u << bit);
            if (i < 12) { /* sync: no longer a data sector */
                if (info.type != DISC_SECTOR_AUDIO)
                    wrong++;
                continue;
            }
            if (i == 15) { /* mode byte: some other type */
                if (info.type == DISC_SECTOR_MODE1)
                    missed++;
                continue;
            }
            if (info.type != DISC_SECTOR_MODE1) {
                wrong++;
                continue;
            }
            if (info.edc_ok == 1 && info.ecc_ok == 1) {
                missed++;
                continue;
            }
            /* EDC covers 0x000-0x813 (with its own bytes); the parity
             * covers everything from offset 12. */
            want_edc = i < 0x814 ? 0 : 1;
            if (info.edc_ok != want_edc || info.ecc_ok != 0)
                wrong++;
        }
    }
    CHECK_INT(0, missed);
    CHECK_INT(0, wrong);
    CHECK_MEM(orig, s, sizeof s);
}

TEST(sector_bitflip_form1)
{
    static const uint8_t sh[4] = { 0x01, 0x02, 0x09, 0x00 };
    uint8_t s[DISC_SECTOR_RAW], orig[DISC_SECTOR_RAW];
    struct disc_sector_info info;
    size_t i;
    int bit, missed = 0, wrong = 0, moved = 0;

    memcpy(orig + 16, sh, 4);
    memcpy(orig + 20, sh, 4);
    fill(orig + 24, 2048, 1234);
    disc_sector_encode_form1(orig, 77);
    disc_sector_classify(orig, &info);
    REQUIRE(info.type == DISC_SECTOR_FORM1 && info.edc_ok == 1 &&
            info.ecc_ok == 1 && info.lba == 77);
    memcpy(s, orig, sizeof s);
    for (i = 12; i < DISC_SECTOR_RAW; i++) {
        for (bit = 0; bit < 8; bit++) {
            s[i] ^= (uint8_t)(1u << bit);
            disc_sector_classify(s, &info);
            s[i] ^= (uint8_t)(1u << bit);
            if (i < 15) {
                /* The address is not protected in Form 1: still a good
                 * sector, at another LBA. */
                if (info.type != DISC_SECTOR_FORM1 || info.edc_ok != 1 ||
                    info.ecc_ok != 1)
                    wrong++;
                if (info.lba != 77)
                    moved++;
            } else if (i == 15) {
                if (info.type == DISC_SECTOR_FORM1)
                    missed++;
            } else if (i < 24) {
                /* One subheader copy changed: the copies disagree. */
                if (info.type != DISC_SECTOR_MODE2)
                    wrong++;
            } else if (info.type == DISC_SECTOR_FORM1 && info.edc_ok == 1 &&
                       info.ecc_ok == 1) {
                missed++;
            } else if (info.type != DISC_SECTOR_FORM1 ||
                       info.edc_ok != (i < 0x81C ? 0 : 1) || info.ecc_ok != 0) {
                /* EDC covers 0x010-0x81B; parity everything from 12. */
                wrong++;
            }
        }
    }
    CHECK_INT(0, missed);
    CHECK_INT(0, wrong);
    CHECK_INT(3 * 8, moved);
    CHECK_MEM(orig, s, sizeof s);
}

TEST(sector_bitflip_form2)
{
    static const uint8_t sh[4] = { 0x01, 0x01, 0x64, 0x7F };
    uint8_t s[DISC_SECTOR_RAW];
    struct disc_sector_info info;
    size_t i;
    int bit, missed = 0;

    memcpy(s + 16, sh, 4);
    memcpy(s + 20, sh, 4);
    fill(s + 24, 2324, 555);
    disc_sector_encode_form2(s, 300);
    disc_sector_classify(s, &info);
    REQUIRE(info.type == DISC_SECTOR_FORM2 && info.edc_ok == 1 &&
            info.ecc_ok == -1 && info.lba == 300);
    CHECK_HEX(ref_edc(s + 16, 0x91C), le32(s + 0x92C));
    for (i = 24; i < DISC_SECTOR_RAW; i++) {
        for (bit = 0; bit < 8; bit++) {
            s[i] ^= (uint8_t)(1u << bit);
            disc_sector_classify(s, &info);
            s[i] ^= (uint8_t)(1u << bit);
            if (info.type != DISC_SECTOR_FORM2 || info.edc_ok != 0)
                missed++;
        }
    }
    CHECK_INT(0, missed);
    /* A zero EDC means "not used", not "bad". */
    memset(s + 0x92C, 0, 4);
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_FORM2, info.type);
    CHECK_INT(-1, info.edc_ok);
}

/* ------------------------------------------------------------------ */
/* Scrambling                                                          */

TEST(sector_scramble_table)
{
    static const uint8_t head[16] = { 0x01, 0x80, 0x00, 0x60, 0x00, 0x28,
                                      0x00, 0x1E, 0x80, 0x08, 0x60, 0x06,
                                      0xA8, 0x02, 0xFE, 0x81 };
    static const uint8_t tail[16] = { 0xC3, 0x5A, 0xD1, 0xFB, 0x1C, 0x43,
                                      0x49, 0xF1, 0xF6, 0xC4, 0x46, 0xD3,
                                      0x72, 0xDD, 0xE5, 0x99 };
    uint8_t s[DISC_SECTOR_RAW], t[DISC_SECTOR_RAW];
    uint16_t reg = 1;
    size_t i;
    int bit, bad = 0;

    memset(s, 0, sizeof s);
    memcpy(s, disc_sync, 12);
    disc_scramble(s);
    CHECK_MEM(disc_sync, s, 12); /* sync is never scrambled */
    CHECK_MEM(head, s + 12, 16);
    CHECK_MEM(tail, s + 2336, 16);
    /* The whole sequence against the LFSR of docs/formats/cd.md, run here
     * bit by bit. */
    for (i = 12; i < DISC_SECTOR_RAW; i++) {
        uint8_t b = 0;
        for (bit = 0; bit < 8; bit++) {
            b |= (uint8_t)((reg & 1) << bit);
            reg = (uint16_t)((reg >> 1) | (((reg ^ (reg >> 1)) & 1) << 14));
        }
        if (s[i] != b)
            bad++;
    }
    CHECK_INT(0, bad);
    /* Self-inverse on arbitrary data. */
    fill(s, sizeof s, 4242);
    memcpy(t, s, sizeof s);
    disc_scramble(t);
    CHECK(memcmp(s + 12, t + 12, DISC_SECTOR_RAW - 12) != 0);
    disc_scramble(t);
    CHECK_MEM(s, t, sizeof s);
}

/* ------------------------------------------------------------------ */
/* Conversion, generation, classification                              */

TEST(sector_from_cooked_layouts)
{
    static const uint8_t sh1[8] = { 0, 0, 0x08, 0, 0, 0, 0x08, 0 };
    static const uint8_t sh2[8] = { 0, 0, 0x20, 0, 0, 0, 0x20, 0 };
    uint8_t cooked[DISC_SECTOR_RAW], raw[DISC_SECTOR_RAW];
    uint8_t ref[DISC_SECTOR_RAW];
    struct disc_sector_info info;
    const disc_lba lba = 1000;

    fill(cooked, sizeof cooked, 31337);

    memset(raw, 0xCC, sizeof raw);
    disc_sector_from_cooked(raw, lba, DISC_DATA_MODE1, cooked);
    CHECK_MEM(cooked, raw + 16, 2048);
    memset(ref, 0, sizeof ref);
    memcpy(ref + 16, cooked, 2048);
    disc_sector_encode_mode1(ref, lba);
    CHECK_MEM(ref, raw, sizeof raw);
    disc_sector_classify(raw, &info);
    CHECK_INT(DISC_SECTOR_MODE1, info.type);
    CHECK_INT(lba, info.lba);
    CHECK_INT(1, info.edc_ok);
    CHECK_INT(1, info.ecc_ok);

    memset(raw, 0xCC, sizeof raw);
    disc_sector_from_cooked(raw, lba, DISC_DATA_FORM1, cooked);
    CHECK_MEM(disc_sync, raw, 12);
    CHECK_MEM(sh1, raw + 16, 8);
    CHECK_MEM(cooked, raw + 24, 2048);
    CHECK(ref_pq_ok(raw, 1));
    CHECK_HEX(ref_edc(raw + 16, 2056), le32(raw + 0x818));
    disc_sector_classify(raw, &info);
    CHECK_INT(DISC_SECTOR_FORM1, info.type);
    CHECK_INT(1, info.edc_ok);
    CHECK_INT(1, info.ecc_ok);

    memset(raw, 0xCC, sizeof raw);
    disc_sector_from_cooked(raw, lba, DISC_DATA_FORM2, cooked);
    CHECK_MEM(sh2, raw + 16, 8);
    CHECK_MEM(cooked, raw + 24, 2324);
    CHECK_HEX(ref_edc(raw + 16, 2332), le32(raw + 0x92C));
    disc_sector_classify(raw, &info);
    CHECK_INT(DISC_SECTOR_FORM2, info.type);
    CHECK_INT(1, info.edc_ok);

    memset(raw, 0xCC, sizeof raw);
    disc_sector_from_cooked(raw, lba, DISC_DATA_MODE2, cooked);
    CHECK_MEM(disc_sync, raw, 12);
    disc_sector_classify(raw, &info);
    CHECK_INT(lba, info.lba);
    CHECK_HEX(0x02, raw[15]);
    CHECK_MEM(cooked, raw + 16, 2336);

    memset(raw, 0xCC, sizeof raw);
    disc_sector_from_cooked(raw, lba, DISC_DATA_RAW, cooked);
    CHECK_MEM(cooked, raw, DISC_SECTOR_RAW);

    /* In place: the cooked bytes at the start of the output buffer. */
    {
        uint8_t inplace[DISC_SECTOR_RAW];
        static const enum disc_data_layout ls[] = {
            DISC_DATA_MODE1, DISC_DATA_FORM1, DISC_DATA_FORM2, DISC_DATA_MODE2
        };
        size_t i;
        for (i = 0; i < sizeof ls / sizeof ls[0]; i++) {
            disc_sector_from_cooked(ref, lba, ls[i], cooked);
            memcpy(inplace, cooked, sizeof inplace);
            disc_sector_from_cooked(inplace, lba, ls[i], inplace);
            CHECK_MEM(ref, inplace, sizeof ref);
        }
    }
}

TEST(sector_generate_kinds)
{
    uint8_t s[DISC_SECTOR_RAW];
    struct disc_sector_info info;
    size_t off, len;

    memset(s, 0xAB, sizeof s);
    disc_sector_generate(s, 5, DISC_GEN_ZERO);
    CHECK(is_zero(s, sizeof s));
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_AUDIO, info.type);
    CHECK_INT(-1, info.edc_ok);
    CHECK_INT(-1, info.ecc_ok);

    memset(s, 0xAB, sizeof s);
    disc_sector_generate(s, -75, DISC_GEN_MODE1);
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_MODE1, info.type);
    CHECK_INT(-75, info.lba);
    CHECK_INT(1, info.edc_ok);
    CHECK_INT(1, info.ecc_ok);
    CHECK(is_zero(s + 16, 2048));
    CHECK(ref_pq_ok(s, 0));

    memset(s, 0xAB, sizeof s);
    disc_sector_generate(s, 200, DISC_GEN_MODE2);
    CHECK_MEM(disc_sync, s, 12);
    CHECK_HEX(0x02, s[15]);
    CHECK(is_zero(s + 16, 2336));
    disc_sector_classify(s, &info);
    CHECK_INT(200, info.lba);
    /* All zeros after the header are also a valid Form 1 sector. */
    CHECK_INT(DISC_SECTOR_FORM1, info.type);
    CHECK_INT(1, info.edc_ok);
    CHECK_INT(1, info.ecc_ok);
    CHECK_INT(0, disc_sector_user(info.type, &off, &len));
    CHECK_INT(24, off);
    CHECK_INT(2048, len);
}

TEST(sector_classify_types)
{
    uint8_t s[DISC_SECTOR_RAW];
    struct disc_sector_info info;

    /* Audio: anything without the sync pattern, even almost-sync. */
    fill(s, sizeof s, 1);
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_AUDIO, info.type);
    CHECK_INT(-1, info.edc_ok);
    CHECK_INT(-1, info.ecc_ok);
    disc_sector_generate(s, 0, DISC_GEN_MODE1);
    s[11] = 0x01;
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_AUDIO, info.type);

    /* Mode 0. */
    memset(s, 0, sizeof s);
    disc_sector_header(s, 10, 0);
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_MODE0, info.type);
    CHECK_INT(10, info.lba);
    CHECK_INT(-1, info.edc_ok);
    CHECK_INT(-1, info.ecc_ok);

    /* Bad mode byte. */
    disc_sector_generate(s, 10, DISC_GEN_MODE1);
    s[15] = 3;
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_BADMODE, info.type);
    CHECK_INT(-1, info.edc_ok);
    s[15] = 0x81;
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_BADMODE, info.type);

    /* Mode 1 with non-zero intermediate bytes (EDC and parity redone
     * over them) is not a valid Mode 1 sector. */
    fill(s + 16, 2048, 2);
    disc_sector_encode_mode1(s, 10);
    s[0x818] = 1;
    disc_ecc_compute(s);
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_MODE1, info.type);
    CHECK_INT(1, info.edc_ok);
    CHECK_INT(0, info.ecc_ok);

    /* Mode 2 with differing subheader copies: formless. */
    fill(s, sizeof s, 3);
    disc_sector_header(s, 20, 2);
    s[16] = 1;
    s[20] = 2;
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_MODE2, info.type);
    CHECK_INT(20, info.lba);
    CHECK_INT(-1, info.edc_ok);
    CHECK_INT(-1, info.ecc_ok);

    /* Mode 2 whose first 8 data bytes are zero but that is no Form 1
     * sector (its Form 1 EDC does not hold): formless too. */
    memset(s + 16, 0, 8);
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_MODE2, info.type);

    /* Agreeing subheaders: the form bit decides, EDC/ECC checked. */
    fill(s, sizeof s, 4);
    s[16] = s[20] = 0;
    s[17] = s[21] = 0;
    s[18] = s[22] = 0x08;
    s[19] = s[23] = 0;
    disc_sector_encode_form1(s, 30);
    s[100] ^= 0x40; /* data damaged after encoding */
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_FORM1, info.type);
    CHECK_INT(0, info.edc_ok);
    CHECK_INT(0, info.ecc_ok);
    s[18] = s[22] = 0x28;
    disc_sector_classify(s, &info);
    CHECK_INT(DISC_SECTOR_FORM2, info.type);
    CHECK_INT(0, info.edc_ok);
    CHECK_INT(-1, info.ecc_ok);
}

TEST(sector_user_ranges)
{
    static const struct {
        enum disc_sector_type t;
        size_t off, len;
    } cases[] = {
        { DISC_SECTOR_AUDIO, 0, 2352 },  { DISC_SECTOR_MODE1, 16, 2048 },
        { DISC_SECTOR_FORM1, 24, 2048 }, { DISC_SECTOR_FORM2, 24, 2324 },
        { DISC_SECTOR_MODE2, 16, 2336 },
    };
    size_t i, off, len;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        off = len = 9999;
        CHECK_INT(0, disc_sector_user(cases[i].t, &off, &len));
        CHECK_INT(cases[i].off, off);
        CHECK_INT(cases[i].len, len);
        CHECK(off + len <= DISC_SECTOR_RAW);
    }
    CHECK_INT(DISC_E_ARG, disc_sector_user(DISC_SECTOR_BADMODE, &off, &len));
    CHECK_INT(DISC_E_ARG,
              disc_sector_user((enum disc_sector_type)99, &off, &len));
}

/* ------------------------------------------------------------------ */
/* Independent encoders                                                */

/* libcdio's isofs-m1.bin: 302 raw Mode 1 sectors made by other tools.
 * Regenerating each from its 2048 user bytes must give every byte. */
TEST(sector_isofs_m1_regenerate)
{
    const size_t n = 302;
    uint8_t *img, out[DISC_SECTOR_RAW];
    size_t len = 0, i;
    int notm1 = 0, bad_lba = 0, bad_check = 0, diff = 0;
    long first_diff = -1;

    NEED_CORPUS();
    img = (uint8_t *)t_slurp(t_corpus_path("libcdio/isofs-m1.bin"), &len);
    REQUIRE(img);
    if (len != n * DISC_SECTOR_RAW) {
        free(img);
        REQUIRE(len == n * DISC_SECTOR_RAW);
    }
    for (i = 0; i < n; i++) {
        const uint8_t *sec = img + i * DISC_SECTOR_RAW;
        struct disc_sector_info info;
        disc_sector_classify(sec, &info);
        if (info.type != DISC_SECTOR_MODE1)
            notm1++;
        if (info.lba != (disc_lba)i)
            bad_lba++;
        if (info.edc_ok != 1 || info.ecc_ok != 1 || !ref_pq_ok(sec, 0))
            bad_check++;
        memset(out, 0xA5, sizeof out);
        disc_sector_from_cooked(out, (disc_lba)i, DISC_DATA_MODE1, sec + 16);
        if (memcmp(out, sec, DISC_SECTOR_RAW) != 0) {
            if (first_diff < 0)
                first_diff = (long)i;
            diff++;
        }
    }
    CHECK_INT(0, notm1);
    CHECK_INT(0, bad_lba);
    CHECK_INT(0, bad_check);
    CHECK_INT(0, diff);
    CHECK_INT(-1, first_diff);
    free(img);
}

/* A VCD written by vcdimager: every Form 1 and Form 2 sector must be
 * rebuilt byte for byte from its subheader and user data. */
TEST(sector_vcdimager_forms)
{
    char bin[4096], cue[4096];
    char *cuetext;
    uint8_t *img, out[DISC_SECTOR_RAW];
    size_t len = 0, n, i;
    int r, f1 = 0, f2 = 0, f2_noedc = 0, other = 0, bad_lba = 0;
    int bad_check = 0, diff = 0, hdr_ecc_ok = 0;
    long first_diff = -1;

    r = vcd_build(bin, sizeof bin, cue, sizeof cue);
    if (r == -1)
        t_skip_tool("ffmpeg or vcdimager");
    REQUIRE(r == 0);
    cuetext = t_slurp(cue, NULL);
    REQUIRE(cuetext);
    CHECK(strstr(cuetext, "MODE2/2352") != NULL);
    free(cuetext);
    img = (uint8_t *)t_slurp(bin, &len);
    REQUIRE(img);
    n = len / DISC_SECTOR_RAW;
    CHECK_INT(0, len % DISC_SECTOR_RAW);
    for (i = 0; i < n; i++) {
        const uint8_t *sec = img + i * DISC_SECTOR_RAW;
        struct disc_sector_info info;

        disc_sector_classify(sec, &info);
        if (info.lba != (disc_lba)i)
            bad_lba++;
        memset(out, 0xA5, sizeof out);
        memcpy(out + 16, sec + 16, 8); /* the real subheader */
        if (info.type == DISC_SECTOR_FORM1) {
            f1++;
            if (info.edc_ok != 1 || info.ecc_ok != 1 || !ref_pq_ok(sec, 1))
                bad_check++;
            /* Parity over the real (non-zero) header must not match. */
            if (disc_ecc_check(sec))
                hdr_ecc_ok++;
            memcpy(out + 24, sec + 24, 2048);
            disc_sector_encode_form1(out, (disc_lba)i);
        } else if (info.type == DISC_SECTOR_FORM2) {
            f2++;
            memcpy(out + 24, sec + 24, 2324);
            disc_sector_encode_form2(out, (disc_lba)i);
            if (le32(sec + 0x92C) == 0) {
                /* EDC not written: compare all but the EDC field. */
                f2_noedc++;
                if (info.edc_ok != -1)
                    bad_check++;
                memset(out + 0x92C, 0, 4);
            } else if (info.edc_ok != 1) {
                bad_check++;
            }
        } else {
            other++;
            continue;
        }
        if (memcmp(out, sec, DISC_SECTOR_RAW) != 0) {
            if (first_diff < 0)
                first_diff = (long)i;
            diff++;
        }
    }
    if (t_verbose)
        printf("  vcdimager image: %zu sectors, %d Form 1 and %d Form 2 "
               "compared (%d Form 2 without EDC), %d other\n",
               n, f1, f2, f2_noedc, other);
    CHECK(f1 > 0);
    CHECK(f2 > 0);
    CHECK_INT(0, other);
    CHECK_INT(0, bad_lba);
    CHECK_INT(0, bad_check);
    CHECK_INT(0, hdr_ecc_ok);
    CHECK_INT(0, diff);
    CHECK_INT(-1, first_diff);
    free(img);
}
