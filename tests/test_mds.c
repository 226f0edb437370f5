/* test_mds.c - Alcohol MDS/MDF: byte layout vectors, round trips,
 * subchannel, multisession, corrupt descriptors, peer tools.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/mds.md,
 * docs/formats/cd.md (Q vectors).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "fixture.h"
#include "test.h"

extern const struct disc_format disc_fmt_mds;
extern const struct disc_format disc_fmt_cue;
extern const struct disc_format disc_fmt_ccd;

/* Field offsets, typed in from docs/formats/mds.md. */
#define H_SESS_OFF 0x50
#define S_SIZE 24
#define T_SIZE 80
#define T_EXTRA 0x0C
#define T_SECSIZE 0x10
#define T_START 0x24
#define T_OFFSET 0x28
#define T_NFILES 0x30
#define T_FOOTER 0x34

static const uint8_t wide_mdf[12] = { '*', 0, '.', 0, 'm', 0,
                                      'd', 0, 'f', 0, 0,   0 };

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Clears every CD-TEXT field (MDS v1 cannot hold CD-TEXT). */
static void
mds_t_no_cdtext(struct disc_ctx *ctx, struct disc *d)
{
    int b, t, f;
    for (b = 0; b < DISC_CDTEXT_MAX_BLOCKS; b++)
        for (t = 0; d->cdtext[b] && t <= DISC_MAX_TRACKS; t++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
                disc_cdtext_set(ctx, d, b, t, (enum disc_cdtext_field)f, NULL);
}

/* The mixed-mode fixture without CD-TEXT. */
static struct disc *
mds_t_mixed(struct disc_ctx *ctx)
{
    struct disc *d = fx_disc_mixed(ctx);
    if (d)
        mds_t_no_cdtext(ctx, d);
    return d;
}

/* First LBA where the deinterleaved subchannel of a and b differ over
 * every track of a; INT32_MIN when equal, INT32_MAX on a read error. */
static int32_t
mds_t_sub_diff(struct disc_ctx *ctx, const struct disc *a, const struct disc *b)
{
    static uint8_t sa[DISC_CHUNK * DISC_SECTOR_SUB];
    static uint8_t sb[DISC_CHUNK * DISC_SECTOR_SUB];
    int i;

    for (i = 0; i < a->ntracks; i++) {
        disc_lba l = a->track[i].index[0], end = disc_track_end(a, i);
        while (l < end) {
            uint32_t n = (uint32_t)(end - l), k;
            if (n > DISC_CHUNK)
                n = DISC_CHUNK;
            if (disc_read_sectors(ctx, a, l, n, NULL, sa) != 0 ||
                disc_read_sectors(ctx, b, l, n, NULL, sb) != 0)
                return INT32_MAX;
            for (k = 0; k < n; k++)
                if (memcmp(sa + k * DISC_SECTOR_SUB, sb + k * DISC_SECTOR_SUB,
                           DISC_SECTOR_SUB) != 0)
                    return l + (int32_t)k;
            l += (disc_lba)n;
        }
    }
    return INT32_MIN;
}

/* Offset of the track block of POINT point in a written descriptor, or 0,
 * found by following the session blocks. */
static uint32_t
mds_t_block(const uint8_t *m, size_t len, uint8_t point)
{
    uint32_t so = disc_rd_le32(m + H_SESS_OFF);
    unsigned ns = disc_rd_le16(m + 0x14), s, j;

    for (s = 0; s < ns && so + (s + 1) * S_SIZE <= len; s++) {
        const uint8_t *sb = m + so + s * S_SIZE;
        uint32_t bo = disc_rd_le32(sb + 0x14);
        for (j = 0; j < sb[0x0A] && bo + (j + 1) * T_SIZE <= len; j++)
            if (m[bo + j * T_SIZE + 4] == point)
                return bo + j * T_SIZE;
    }
    return 0;
}

/* Loads out.mds whole (caller frees). */
static uint8_t *
mds_t_load(const char *path, size_t *len)
{
    return (uint8_t *)t_slurp(path, len);
}

/* The libcdio isofs-m1.bin image (302 raw Mode 1 sectors of a real ISO
 * 9660 file system) as a one-track disc. */
static struct disc *
mds_t_isofs(struct disc_ctx *ctx)
{
    struct disc *d = disc_new(ctx);
    struct disc_source *s;
    struct disc_extent e;

    if (!d)
        return NULL;
    if (disc_source_file_new(ctx, t_corpus_path("libcdio/isofs-m1.bin"), &s) !=
        0) {
        disc_free(d);
        return NULL;
    }
    disc_source_attach(d, s);
    d->nsessions = 1;
    d->session[0] = (struct disc_session){ 1, 1, 1, DISC_TYPE_CDDA, 302 };
    d->ntracks = 1;
    d->track[0].number = 1;
    d->track[0].session = 1;
    d->track[0].mode = DISC_MODE_MODE1;
    d->track[0].control = DISC_CTL_DATA;
    d->track[0].last_index = 1;
    memset(&e, 0, sizeof e);
    e.count = 302;
    e.src = s;
    e.stride = DISC_SECTOR_RAW;
    e.data = DISC_DATA_RAW;
    if (disc_extent_add(ctx, d, &e) != 0) {
        disc_free(d);
        return NULL;
    }
    d->sub = DISC_SUB_SYNTH;
    return d;
}

/* The user bytes (16..2063) of every sector of isofs-m1.bin. */
static uint8_t *
mds_t_isofs_user(size_t *len)
{
    size_t n = 0, i;
    char *raw = t_slurp(t_corpus_path("libcdio/isofs-m1.bin"), &n);
    uint8_t *iso;

    if (!raw || n != 302 * DISC_SECTOR_RAW) {
        free(raw);
        return NULL;
    }
    iso = malloc(302 * 2048);
    for (i = 0; iso && i < 302; i++)
        memcpy(iso + i * 2048, raw + i * DISC_SECTOR_RAW + 16, 2048);
    free(raw);
    *len = 302 * 2048;
    return iso;
}

/* Counts directory entries that are not "." or "..". */
static int
mds_t_count_files(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int n = 0;

    if (!dp)
        return -1;
    while ((de = readdir(dp)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(dp);
    return n;
}

/* ------------------------------------------------------------------ */
/* known vectors                                                 */

TEST(mds_probe_signature)
{
    struct disc_ctx ctx;
    const struct disc_format *f = NULL;
    uint8_t buf[64 + 16];

    t_ctx(&ctx);
    memset(buf, 0, sizeof buf);
    memcpy(buf, "MEDIA DESCRIPTOR", 16);
    buf[16] = 1;
    CHECK_INT(100, disc_fmt_mds.probe(buf, 64, "x.bin"));
    buf[3] = 'X';
    CHECK_INT(0, disc_fmt_mds.probe(buf, 64, "x.bin"));
    memcpy(buf, "MEDIA DESCRIPTOR", 16);
    REQUIRE(t_write_file("noext", buf, 64) == 0);
    CHECK_OK(&ctx, disc_format_probe(&ctx, "noext", &f));
    CHECK(f == &disc_fmt_mds);
}

/* docs/formats/mds.md worked example: mixed-mode disc, T1 Mode 1 10000 sectors,
 * T2 audio with a 150-sector pregap and 9850 sectors. */
TEST(mds_vector_worked_example)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 10000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 9850, 0, NULL, NULL, 0 },
    };
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    char h1[33], h2[33];
    uint8_t *m;
    size_t len = 0;
    int j;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    CHECK_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "ex.mds", &o));
    m = mds_t_load("ex.mds", &len);
    REQUIRE(m);
    /* Header: signature, version 1.x, sessions offset 0x58. */
    CHECK_MEM("MEDIA DESCRIPTOR", m, 16);
    CHECK_HEX(0x01, m[16]);
    CHECK_HEX(0x03, m[17]); /* we write 1.3 (docs/formats/mds.md) */
    CHECK_HEX(0, disc_rd_le16(m + 0x12));    /* CD-ROM */
    CHECK_INT(1, disc_rd_le16(m + 0x14));    /* sessions */
    CHECK_INT(2, disc_rd_le16(m + 0x16));    /* Alcohol's constant */
    CHECK_HEX(0x58, disc_rd_le32(m + 0x50)); /* sizeof header == 88 */
    CHECK_HEX(0, disc_rd_le32(m + 0x54));    /* no DPM */
    /* Session block at 0x58 (24 bytes: blocks start at 0x70). */
    CHECK_INT(-150, (int32_t)disc_rd_le32(m + 0x58));
    CHECK_INT(20000, (int32_t)disc_rd_le32(m + 0x5C));
    CHECK_INT(1, disc_rd_le16(m + 0x60));
    CHECK_INT(5, m[0x62]);
    CHECK_INT(3, m[0x63]);
    CHECK_INT(1, disc_rd_le16(m + 0x64));
    CHECK_INT(2, disc_rd_le16(m + 0x66));
    CHECK_HEX(0x70, disc_rd_le32(m + 0x6C));
    /* Track blocks (80 bytes) at 0x70.. in TOC order A0 A1 A2 T1 T2. */
    CHECK_HEX(0xA0, m[0x70 + 4]);
    CHECK_HEX(0xA1, m[0xC0 + 4]);
    CHECK_HEX(0xA2, m[0x110 + 4]);
    CHECK_HEX(0x01, m[0x160 + 4]);
    CHECK_HEX(0x02, m[0x1B0 + 4]);
    CHECK_HEX(0x14, m[0x70 + 2]); /* A0: first track's control, ADR 1 */
    CHECK_INT(1, m[0x70 + 9]);    /* A0 PMin = first track */
    CHECK_INT(2, m[0xC0 + 9]);    /* A1 PMin = last track */
    CHECK_INT(4, m[0x110 + 9]);   /* A2 = lead-out 04:28:50 */
    CHECK_INT(28, m[0x110 + 10]);
    CHECK_INT(50, m[0x110 + 11]);
    for (j = 0; j < 3; j++) {
        CHECK_HEX(0, m[0x70 + j * 80]); /* no mode */
        CHECK_HEX(0, disc_rd_le32(m + 0x70 + j * 80 + T_EXTRA));
    }
    /* T1. */
    CHECK_HEX(0xAA, m[0x160]);
    CHECK_HEX(0x00, m[0x161]);
    CHECK_HEX(0x14, m[0x162]);
    CHECK_INT(0, m[0x165 + 4]); /* PMSF 00:02:00 */
    CHECK_INT(2, m[0x165 + 5]);
    CHECK_INT(0, m[0x165 + 6]);
    CHECK_HEX(0x218, disc_rd_le32(m + 0x160 + T_EXTRA));
    CHECK_INT(2352, disc_rd_le16(m + 0x160 + T_SECSIZE));
    CHECK_HEX(0x02, m[0x160 + 0x12]);
    CHECK_INT(0, disc_rd_le32(m + 0x160 + T_START));
    CHECK_INT(0, (long long)disc_rd_le64(m + 0x160 + T_OFFSET));
    CHECK_INT(1, disc_rd_le32(m + 0x160 + T_NFILES));
    CHECK_HEX(0x228, disc_rd_le32(m + 0x160 + T_FOOTER));
    /* T2. */
    CHECK_HEX(0xA9, m[0x1B0]);
    CHECK_HEX(0x10, m[0x1B2]);
    CHECK_INT(2, m[0x1B5 + 4]); /* PMSF 02:17:25 */
    CHECK_INT(17, m[0x1B5 + 5]);
    CHECK_INT(25, m[0x1B5 + 6]);
    CHECK_HEX(0x220, disc_rd_le32(m + 0x1B0 + T_EXTRA));
    CHECK_INT(10150, disc_rd_le32(m + 0x1B0 + T_START));
    CHECK_INT(23872800LL, (long long)disc_rd_le64(m + 0x1B0 + T_OFFSET));
    CHECK_HEX(0x228, disc_rd_le32(m + 0x1B0 + T_FOOTER));
    /* Extra blocks (8 bytes) from 0x200, zero for lead-in entries. */
    for (j = 0; j < 24; j++)
        CHECK_HEX(0, m[0x200 + j]);
    CHECK_INT(150, disc_rd_le32(m + 0x218));
    CHECK_INT(10000, disc_rd_le32(m + 0x21C));
    CHECK_INT(150, disc_rd_le32(m + 0x220));
    CHECK_INT(9850, disc_rd_le32(m + 0x224));
    /* Footer (16 bytes) at 0x228, UTF-16 "*.mdf" at 0x238. */
    CHECK_HEX(0x238, disc_rd_le32(m + 0x228));
    CHECK_INT(1, disc_rd_le32(m + 0x22C));
    CHECK_INT(0x238 + 12, (long long)len);
    if (len >= 0x238 + 12)
        CHECK_MEM(wide_mdf, m + 0x238, 12);
    free(m);
    CHECK_INT(47040000LL, t_file_size("ex.mdf"));
    /* T2's INDEX 01 data at its start offset is LBA 10150 of the source
     * (libMirage's reading, pregap as zeros), up to the last sector at
     * the end of the MDF; its pregap sits in the 150 sectors before it
     * (Aaru's reading).  The full comparison below covers the rest. */
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, d, 10150, 75, h1));
    CHECK(fx_md5_file("ex.mdf", 23872800LL, 75LL * 2352, h2) == 0);
    CHECK_STR(h1, h2);
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, d, 19925, 75, h1));
    CHECK(fx_md5_file("ex.mdf", 19925LL * 2352, 75LL * 2352, h2) == 0);
    CHECK_STR(h1, h2);
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, d, 10000, 150, h1));
    CHECK(fx_md5_file("ex.mdf", 23872800LL - 150 * 2352, 150 * 2352, h2) == 0);
    CHECK_STR(h1, h2);
    /* And our reader gives the model back, every sector included. */
    CHECK_OK(&ctx, disc_open_image(&ctx, "ex.mds", NULL, &r));
    if (r) {
        CHECK_INT(10000, r->track[1].index[0]);
        CHECK_INT(10150, r->track[1].index[1]);
        CHECK_INT(20000, r->session[0].leadout);
        CHECK_INT(5, r->nrawtoc);
        CHECK_OK(&ctx, disc_compare(&ctx, d, r, DISC_EQ_DATA));
    }
    disc_free(r);
    disc_free(d);
}

/* With subchannel: 2448-byte sectors, subchannel byte 0x08, and the 96
 * bytes after MDF sector 0 are the interleaved P-W whose Q is the
 * docs/formats/cd.md vector "data track 1, index 1, LBA 0". */
TEST(mds_vector_subchannel)
{
    static const uint8_t q0[12] = { 0x41, 0x01, 0x01, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x02, 0x00, 0x28, 0x32 };
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *m, *mdf, lin[96];
    size_t len = 0, mlen = 0;
    uint32_t b1;

    t_ctx(&ctx);
    d = mds_t_mixed(&ctx);
    REQUIRE(d);
    o.sub = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "s.mds", &o));
    m = mds_t_load("s.mds", &len);
    REQUIRE(m);
    b1 = mds_t_block(m, len, 1);
    REQUIRE(b1 != 0);
    CHECK_HEX(0x08, m[b1 + 1]);
    CHECK_INT(2448, disc_rd_le16(m + b1 + T_SECSIZE));
    CHECK_HEX(0x08, m[mds_t_block(m, len, 3) + 1]);
    CHECK_INT(0, m[mds_t_block(m, len, 0xA0) + 1]); /* lead-in entries */
    free(m);
    CHECK_INT((1000LL + 650 + 475) * 2448, t_file_size("s.mdf"));
    mdf = mds_t_load("s.mdf", &mlen);
    REQUIRE(mdf);
    disc_sub_deinterleave(mdf + 2352, lin);
    CHECK_MEM(q0, lin + 12, 12);
    CHECK(disc_q_crc_ok(lin + 12));
    /* Sector 1 of the MDF continues at 2448 with a raw data sector. */
    CHECK_MEM(disc_sync, mdf + 2448, 12);
    free(mdf);
    disc_free(d);
}

/* "*.mdf" is the descriptor's name with .mdf, matched case-insensitively;
 * an 8-bit literal name works too; a missing file is named. */
TEST(mds_filename_resolution)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    uint8_t *m;
    size_t len = 0;
    uint32_t foot;

    t_ctx(&ctx);
    d = mds_t_mixed(&ctx);
    REQUIRE(d);
    o.sub = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "Foo.mds", &o));
    CHECK(t_exists("Foo.mdf"));
    CHECK_OK(&ctx, disc_open_image(&ctx, "Foo.mds", NULL, &r));
    disc_free(r);
    r = NULL;
    /* Case: the descriptor says *.mdf, the file is FOO.MDF. */
    REQUIRE(rename("Foo.mdf", "FOO.MDF") == 0);
    CHECK_OK(&ctx, disc_open_image(&ctx, "Foo.mds", NULL, &r));
    disc_free(r);
    r = NULL;
    /* An 8-bit literal name appended to the descriptor. */
    m = mds_t_load("Foo.mds", &len);
    REQUIRE(m);
    m = realloc(m, len + 9);
    REQUIRE(m);
    memcpy(m + len, "data.img", 9);
    foot = disc_rd_le32(m + mds_t_block(m, len, 1) + T_FOOTER);
    disc_wr_le32(m + foot, (uint32_t)len);
    disc_wr_le32(m + foot + 4, 0);
    REQUIRE(t_write_file("lit.mds", m, len + 9) == 0);
    free(m);
    REQUIRE(rename("FOO.MDF", "DATA.IMG") == 0);
    CHECK_OK(&ctx, disc_open_image(&ctx, "lit.mds", NULL, &r));
    if (r)
        CHECK_OK(&ctx, disc_compare(&ctx, d, r,
                                    DISC_EQ_DATA | DISC_EQ_NO_SUB |
                                        DISC_EQ_NO_RAWTOC));
    disc_free(r);
    r = NULL;
    /* A UTF-16 Windows path: decoded (U+00E4 is two UTF-8 bytes) and,
     * since C:\\... does not exist here, found by its last component. */
    m = mds_t_load("Foo.mds", &len);
    REQUIRE(m);
    {
        static const char wname[] = "C:\\imgs\\D\xe4t\xe4.mdf";
        size_t k, n = strlen(wname);
        m = realloc(m, len + 2 * n + 2);
        REQUIRE(m);
        for (k = 0; k <= n; k++)
            disc_wr_le16(m + len + 2 * k, (uint8_t)wname[k]);
        foot = disc_rd_le32(m + mds_t_block(m, len, 1) + T_FOOTER);
        disc_wr_le32(m + foot, (uint32_t)len);
        REQUIRE(t_write_file("win.mds", m, len + 2 * n + 2) == 0);
        free(m);
    }
    REQUIRE(rename("DATA.IMG", "D\xc3\xa4t\xc3\xa4.mdf") == 0);
    CHECK_OK(&ctx, disc_open_image(&ctx, "win.mds", NULL, &r));
    disc_free(r);
    r = NULL;
    /* The wildcard with no such file: the error names what was looked
     * for. */
    CHECK_ERR(&ctx, DISC_E_IO, "Foo.mdf",
              disc_open_image(&ctx, "Foo.mds", NULL, &r));
    /* A base name asked for: the footer names "track.mdf" literally. */
    o.name = "track";
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "named.mds", &o));
    CHECK(t_exists("track.mdf") && !t_exists("named.mdf"));
    m = mds_t_load("named.mds", &len);
    REQUIRE(m);
    {
        static const uint8_t want[20] = { 't', 0,   'r', 0,   'a', 0,   'c',
                                          0,   'k', 0,   '.', 0,   'm', 0,
                                          'd', 0,   'f', 0,   0,   0 };
        foot = disc_rd_le32(m + mds_t_block(m, len, 1) + T_FOOTER);
        CHECK_INT(len - 20, disc_rd_le32(m + foot));
        CHECK_MEM(want, m + len - 20, 20);
        free(m);
    }
    CHECK_OK(&ctx, disc_open_image(&ctx, "named.mds", NULL, &r));
    disc_free(r);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                          */

/* Everything but CD-TEXT survives with --sub: MCN, ISRC and INDEX 02
 * come back from the Q of the subchannel, and every main and subchannel
 * byte is identical. */
TEST(mds_roundtrip_fixture_sub)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;

    t_ctx(&ctx);
    d = mds_t_mixed(&ctx);
    REQUIRE(d);
    o.sub = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "rt.mds", &o));
    CHECK_INT(0, ctx.nwarn);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "rt.mds", NULL, &r));
    CHECK_INT(DISC_SUB_CAPTURED, r->sub);
    CHECK_STR("0123456789012", r->mcn);
    CHECK_STR("USRC17607839", r->track[2].isrc);
    CHECK_INT(2, r->track[2].last_index);
    CHECK_INT(d->track[2].index[2], r->track[2].index[2]);
    CHECK_INT(d->track[1].index[0], r->track[1].index[0]);
    /* Provenance differs (synthesised vs stored), so compare the model
     * and main data with NO_SUB, then every subchannel byte. */
    CHECK_OK(&ctx, disc_compare(&ctx, d, r, DISC_EQ_DATA | DISC_EQ_NO_SUB));
    CHECK_INT(INT32_MIN, mds_t_sub_diff(&ctx, d, r));
    /* MDS -> MDS from the read-back disc: same bytes again. */
    REQUIRE_OK(&ctx, disc_write(&ctx, r, &disc_fmt_mds, "rt2.mds", &o));
    {
        char a[33], b[33];
        CHECK(fx_md5_file("rt.mdf", 0, -1, a) == 0);
        CHECK(fx_md5_file("rt2.mdf", 0, -1, b) == 0);
        CHECK_STR(a, b);
        CHECK(fx_md5_file("rt.mds", 0, -1, a) == 0);
        CHECK(fx_md5_file("rt2.mds", 0, -1, b) == 0);
        CHECK_STR(a, b);
    }
    disc_free(r);
    disc_free(d);
}

/* Without --sub, MCN/ISRC and INDEX 02 have no place: refused unless
 * --lossy, then one warning each; the rest round-trips.  CD-TEXT is
 * refused by the capability check. */
TEST(mds_roundtrip_nosub_reports_losses)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *full, *r = NULL;

    t_ctx(&ctx);
    full = fx_disc_mixed(&ctx);
    REQUIRE(full);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "CD-TEXT",
              disc_write(&ctx, full, &disc_fmt_mds, "a.mds", &o));
    CHECK(!t_exists("a.mds") && !t_exists("a.mdf"));
    disc_free(full);
    d = mds_t_mixed(&ctx);
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "with --sub it holds ISRC/MCN",
              disc_write(&ctx, d, &disc_fmt_mds, "a.mds", &o));
    CHECK_INT(0, mds_t_count_files("."));
    o.strict = 1;
    o.allow_lossy = 1;
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "--strict",
              disc_write(&ctx, d, &disc_fmt_mds, "a.mds", &o));
    o.strict = 0;
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "a.mds", &o));
    CHECK(strstr(t_log, "ISRC/MCN") != NULL);
    CHECK(strstr(t_log, "INDEX 02") != NULL);
    CHECK_INT(2, ctx.nwarn);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "a.mds", NULL, &r));
    CHECK_INT(0, r->mcn[0]);
    CHECK_INT(0, r->track[2].isrc[0]);
    CHECK_INT(1, r->track[2].last_index);
    CHECK_INT(DISC_SUB_SYNTH, r->sub);
    /* With the three dropped items removed from the source, equal. */
    d->mcn[0] = '\0';
    d->track[2].isrc[0] = '\0';
    d->track[2].last_index = 1;
    CHECK_OK(&ctx, disc_compare(&ctx, d, r, DISC_EQ_DATA | DISC_EQ_NO_SUB));
    disc_free(r);
    disc_free(d);
}

/* Mode bytes: 0xA9/0xAA/0xAB/0xEC/0xED; formless Mode 2 and mixed both
 * become 0xAB (read back as mixed, with a warning). */
TEST(mds_mode_bytes)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2_FORM1, 1, 150, 200, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2_FORM2, 1, 0, 200, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2_MIXED, 1, 0, 200, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2, 1, 0, 200, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 300, 0, NULL, NULL, 0 },
    };
    static const uint8_t want[6] = { 0xAA, 0xEC, 0xED, 0xAB, 0xAB, 0xA9 };
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    uint8_t *m;
    size_t len = 0;
    int i;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 6, NULL);
    REQUIRE(d);
    o.strict = 1;
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "formless Mode 2",
              disc_write(&ctx, d, &disc_fmt_mds, "m.mds", &o));
    o.strict = 0;
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "m.mds", &o));
    CHECK(strstr(t_log, "track 5 is formless Mode 2") != NULL);
    m = mds_t_load("m.mds", &len);
    REQUIRE(m);
    for (i = 0; i < 6; i++) {
        uint32_t b = mds_t_block(m, len, (uint8_t)(i + 1));
        CHECK(b != 0);
        if (b)
            CHECK_HEX(want[i], m[b]);
    }
    free(m);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "m.mds", NULL, &r));
    CHECK_INT(DISC_MODE_MODE2_FORM1, r->track[1].mode);
    CHECK_INT(DISC_MODE_MODE2_FORM2, r->track[2].mode);
    CHECK_INT(DISC_MODE_MODE2_MIXED, r->track[3].mode);
    CHECK_INT(DISC_MODE_MODE2_MIXED, r->track[4].mode);
    CHECK_OK(&ctx, disc_compare(&ctx, d, r,
                                DISC_EQ_DATA | DISC_EQ_MODE2_FAMILY |
                                    DISC_EQ_NO_SUB));
    disc_free(r);
    disc_free(d);
}

/* Enhanced CD: two session blocks (start -150 and INDEX 01 - 150), the
 * MDF holds both program areas back to back without the 11400-sector
 * gap, and everything reads back. */
TEST(mds_multisession)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    uint8_t *m;
    size_t len = 0;
    uint32_t b3;
    char h1[33], h2[33];

    t_ctx(&ctx);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    o.sub = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "e.mds", &o));
    m = mds_t_load("e.mds", &len);
    REQUIRE(m && len > 0x58 + 2 * 24);
    CHECK_INT(2, disc_rd_le16(m + 0x14));
    /* Session 1: -150 .. 1200 (600 + 150 + 450), tracks 1-2, with B0
     * and C0: A0 A1 A2 T1 T2 B0 C0. */
    CHECK_INT(-150, (int32_t)disc_rd_le32(m + 0x58));
    CHECK_INT(1200, (int32_t)disc_rd_le32(m + 0x5C));
    CHECK_INT(1, disc_rd_le16(m + 0x60));
    CHECK_INT(7, m[0x62]);
    CHECK_INT(5, m[0x63]);
    CHECK_INT(1, disc_rd_le16(m + 0x64));
    CHECK_INT(2, disc_rd_le16(m + 0x66));
    CHECK_HEX(0x58 + 48, disc_rd_le32(m + 0x6C));
    /* Session 2: INDEX 01 at 1200 + 11400 = 12600, start 12450, end
     * 13300; A0 A1 A2 T3. */
    CHECK_INT(12450, (int32_t)disc_rd_le32(m + 0x70));
    CHECK_INT(13300, (int32_t)disc_rd_le32(m + 0x74));
    CHECK_INT(2, disc_rd_le16(m + 0x78));
    CHECK_INT(4, m[0x7A]);
    CHECK_INT(3, disc_rd_le16(m + 0x7C));
    CHECK_INT(3, disc_rd_le16(m + 0x7E));
    CHECK_HEX(0x58 + 48 + 7 * 80, disc_rd_le32(m + 0x84));
    b3 = mds_t_block(m, len, 3);
    REQUIRE(b3 != 0);
    CHECK_HEX(0xEC, m[b3]);
    CHECK_INT(12600, disc_rd_le32(m + b3 + T_START));
    CHECK_INT(1200LL * 2448, (long long)disc_rd_le64(m + b3 + T_OFFSET));
    CHECK_INT(150, disc_rd_le32(m + disc_rd_le32(m + b3 + T_EXTRA)));
    CHECK_INT(700, disc_rd_le32(m + disc_rd_le32(m + b3 + T_EXTRA) + 4));
    free(m);
    CHECK_INT(1900LL * 2448, t_file_size("e.mdf"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "e.mds", NULL, &r));
    CHECK_INT(2, r->nsessions);
    CHECK_INT(12600, r->track[2].index[1]);
    CHECK_INT(DISC_TYPE_XA, r->session[1].type);
    CHECK_STR("GBAYE0000001", r->track[0].isrc);
    CHECK_OK(&ctx, disc_compare(&ctx, d, r, DISC_EQ_DATA | DISC_EQ_NO_SUB));
    CHECK_INT(INT32_MIN, mds_t_sub_diff(&ctx, d, r));
    /* Session 2's first sector sits right after session 1's last. */
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, d, 12600, 1, h1));
    {
        uint8_t *mdf = mds_t_load("e.mdf", &len);
        REQUIRE(mdf);
        REQUIRE(t_write_file("s2.raw", mdf + 1200LL * 2448, 2352) == 0);
        free(mdf);
        CHECK(fx_md5_file("s2.raw", 0, -1, h2) == 0);
        CHECK_STR(h1, h2);
    }
    disc_free(r);
    disc_free(d);
}

/* A captured raw TOC is written verbatim (here an unusual ATIP C0 and a
 * B0 that the builder would not produce) and read back equal. */
TEST(mds_rawtoc_verbatim)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    struct disc_rawtoc *e = NULL;
    uint16_t n = 0, i;
    uint8_t *m;
    size_t len = 0;
    uint32_t c0;

    t_ctx(&ctx);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    d->track[0].isrc[0] = '\0';
    REQUIRE_OK(&ctx, disc_build_rawtoc(&ctx, d, &e, &n));
    for (i = 0; i < n; i++)
        if (e[i].point == 0xC0) {
            e[i].pmin = 97;
            e[i].psec = 15;
            e[i].pframe = 17;
            e[i].min = 200;
        }
    REQUIRE_OK(&ctx, disc_set_rawtoc(&ctx, d, e, n));
    disc_free_mem(e);
    CHECK(disc_features(d) & DISC_CAP_RAWTOC);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "t.mds", &o));
    m = mds_t_load("t.mds", &len);
    REQUIRE(m);
    c0 = mds_t_block(m, len, 0xC0);
    REQUIRE(c0 != 0);
    CHECK_HEX(0x50 | d->track[1].control, m[c0 + 2]); /* ADR 5 */
    CHECK_INT(200, m[c0 + 5]);
    CHECK_INT(97, m[c0 + 9]);
    CHECK_INT(15, m[c0 + 10]);
    CHECK_INT(17, m[c0 + 11]);
    free(m);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "t.mds", NULL, &r));
    CHECK_INT(d->nrawtoc, r->nrawtoc);
    CHECK_OK(&ctx, disc_compare(&ctx, d, r, DISC_EQ_DATA | DISC_EQ_NO_SUB));
    disc_free(r);
    r = NULL;
    /* A raw TOC whose A2 disagrees with the lead-out does not describe
     * the disc: a reported loss, then a TOC built from the tracks. */
    for (i = 0; i < d->nrawtoc; i++)
        if (d->rawtoc[i].point == 0xA2 && d->rawtoc[i].session == 2)
            d->rawtoc[i].pframe = (uint8_t)((d->rawtoc[i].pframe + 1) % 75);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "raw TOC does not match",
              disc_write(&ctx, d, &disc_fmt_mds, "u.mds", &o));
    CHECK(!t_exists("u.mds") && !t_exists("u.mdf"));
    o.allow_lossy = 1;
    CHECK_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "u.mds", &o));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "u.mds", NULL, &r));
    CHECK_INT(0, r->session[1].leadout - d->session[1].leadout);
    CHECK_OK(&ctx,
             disc_compare(&ctx, d, r,
                          DISC_EQ_DATA | DISC_EQ_NO_SUB | DISC_EQ_NO_RAWTOC));
    disc_free(r);
    disc_free(d);
}

/* HTOA is outside the capabilities (docs/formats/mds.md: no agreed encoding):
 * refused; with --lossy the hidden sectors are stored as part of track
 * 1's pregap and discarc reads them back. */
TEST(mds_htoa)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 300, 1000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 500, 0, NULL, NULL, 0 },
    };
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    uint8_t *m;
    size_t len = 0;
    uint32_t b1;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "hidden track",
              disc_write(&ctx, d, &disc_fmt_mds, "h.mds", &o));
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "h.mds", &o));
    m = mds_t_load("h.mds", &len);
    REQUIRE(m);
    b1 = mds_t_block(m, len, 1);
    CHECK_INT(300, disc_rd_le32(m + b1 + T_START));
    CHECK_INT(300LL * 2352, (long long)disc_rd_le64(m + b1 + T_OFFSET));
    CHECK_INT(450, disc_rd_le32(m + disc_rd_le32(m + b1 + T_EXTRA)));
    free(m);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "h.mds", NULL, &r));
    CHECK_INT(0, r->track[0].index[0]);
    CHECK_INT(300, r->track[0].index[1]);
    CHECK_OK(&ctx, disc_compare(&ctx, d, r, DISC_EQ_DATA | DISC_EQ_NO_SUB));
    disc_free(r);
    disc_free(d);
}

/* Cooked MDF sectors (2048 Mode 1, as psx-spx lists) are honoured: the
 * core regenerates the raw sectors, equal to the real ones. */
TEST(mds_read_cooked_sectors)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    uint8_t *m, *iso;
    size_t len = 0, ilen = 0;
    uint32_t b1;

    NEED_CORPUS();
    t_ctx(&ctx);
    d = mds_t_isofs(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "c.mds", &o));
    iso = mds_t_isofs_user(&ilen);
    REQUIRE(iso);
    REQUIRE(t_write_file("c.mdf", iso, ilen) == 0);
    free(iso);
    m = mds_t_load("c.mds", &len);
    REQUIRE(m);
    b1 = mds_t_block(m, len, 1);
    disc_wr_le16(m + b1 + T_SECSIZE, 2048);
    REQUIRE(t_write_file("c.mds", m, len) == 0);
    free(m);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "c.mds", NULL, &r));
    CHECK_OK(&ctx, disc_compare(&ctx, d, r, DISC_EQ_DATA | DISC_EQ_NO_SUB));
    disc_free(r);
    disc_free(d);
}

/* DVD descriptors (medium 0x10, mode 0x02, 2048-byte sectors, the track
 * length in the extra-offset field) read as one data track. */
TEST(mds_read_dvd)
{
    uint8_t m[0x58 + 24 + 80 + 16 + 12];
    uint8_t *data;
    struct disc_ctx ctx;
    struct disc *r = NULL;
    uint8_t raw[DISC_SECTOR_RAW];
    size_t i;

    t_ctx(&ctx);
    memset(m, 0, sizeof m);
    memcpy(m, "MEDIA DESCRIPTOR", 16);
    m[16] = 1;
    m[17] = 5;
    disc_wr_le16(m + 0x12, 0x10);
    disc_wr_le16(m + 0x14, 1);
    disc_wr_le32(m + 0x50, 0x58);
    disc_wr_le32(m + 0x58 + 4, 40);
    disc_wr_le16(m + 0x58 + 8, 1);
    m[0x58 + 10] = 1;
    disc_wr_le16(m + 0x58 + 12, 1);
    disc_wr_le16(m + 0x58 + 14, 1);
    disc_wr_le32(m + 0x58 + 0x14, 0x70);
    m[0x70] = 0x02;
    m[0x70 + 2] = 0x14;
    m[0x70 + 4] = 1;
    disc_wr_le32(m + 0x70 + T_EXTRA, 40); /* DVD: track length */
    disc_wr_le16(m + 0x70 + T_SECSIZE, 2048);
    disc_wr_le32(m + 0x70 + T_NFILES, 1);
    disc_wr_le32(m + 0x70 + T_FOOTER, 0xC0);
    disc_wr_le32(m + 0xC0, 0xD0);
    disc_wr_le32(m + 0xC4, 1);
    memcpy(m + 0xD0, wide_mdf, 12);
    REQUIRE(t_write_file("dvd.mds", m, sizeof m) == 0);
    data = malloc(40 * 2048);
    REQUIRE(data);
    for (i = 0; i < 40 * 2048; i++)
        data[i] = (uint8_t)(i * 7 + i / 2048);
    REQUIRE(t_write_file("dvd.mdf", data, 40 * 2048) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "dvd.mds", NULL, &r));
    CHECK(strstr(t_log, "DVD image read as data only") != NULL);
    CHECK_INT(1, r->ntracks);
    CHECK_INT(DISC_MODE_MODE1, r->track[0].mode);
    CHECK_INT(40, r->session[0].leadout);
    CHECK_INT(0, r->nrawtoc);
    CHECK_OK(&ctx, disc_read_sectors(&ctx, r, 39, 1, raw, NULL));
    CHECK_MEM(data + 39 * 2048, raw + 16, 2048);
    CHECK_MEM(disc_sync, raw, 12);
    disc_free(r);
    r = NULL;
    /* Split over two files (one footer each: *.mdf, *.md0), chained on
     * sector boundaries. */
    {
        static const uint8_t md0[12] = { '*', 0, '.', 0, 'm', 0,
                                         'd', 0, '0', 0, 0,   0 };
        uint8_t m2[0xC0 + 32 + 24];
        memcpy(m2, m, 0xC0);
        memset(m2 + 0xC0, 0, sizeof m2 - 0xC0);
        disc_wr_le32(m2 + 0x70 + T_NFILES, 2);
        disc_wr_le32(m2 + 0xC0, 0xE0);
        disc_wr_le32(m2 + 0xC4, 1);
        disc_wr_le32(m2 + 0xD0, 0xEC);
        disc_wr_le32(m2 + 0xD4, 1);
        memcpy(m2 + 0xE0, wide_mdf, 12);
        memcpy(m2 + 0xEC, md0, 12);
        REQUIRE(t_write_file("dvd2.mds", m2, sizeof m2) == 0);
        REQUIRE(t_write_file("dvd2.mdf", data, 30 * 2048) == 0);
        REQUIRE(t_write_file("dvd2.md0", data + 30 * 2048, 10 * 2048) == 0);
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "dvd2.mds", NULL, &r));
        for (i = 28; i < 32; i++) {
            CHECK_OK(&ctx,
                     disc_read_sectors(&ctx, r, (disc_lba)i, 1, raw, NULL));
            CHECK_MEM(data + i * 2048, raw + 16, 2048);
        }
        disc_free(r);
        r = NULL;
    }
    free(data);
    /* Too short a data file is an error naming it. */
    REQUIRE(t_write_file("dvd.mdf", m, 100) == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, "dvd.mdf",
              disc_open_image(&ctx, "dvd.mds", NULL, &r));
}

/* ------------------------------------------------------------------ */
/* Corrupt and truncated descriptors                                   */

struct mds_t_case {
    const char *what;
    int field; /* see mds_t_patch */
    int width; /* bytes */
    uint64_t value;
    int code;        /* expected error */
    const char *msg; /* expected substring */
};

enum {
    F_SESS_OFF,
    F_NSESS,
    F_VMAJOR,
    F_S1_BLOCKS,
    F_S1_NBLOCKS,
    F_S2_NUMBER,
    F_S1_END,
    F_T1_EXTRA,
    F_T1_FOOTER,
    F_T1_NAME_OFF,
    F_T1_SECSIZE,
    F_T1_SUB,
    F_T1_OFFSET,
    F_T2_START,
    F_T1_NFILES,
    F_T1_PREGAP,
    F_T2_PREGAP,
    F_T2_POINT,
    F_SIG
};

/* Offset of a field in the descriptor m (the enhanced fixture). */
static uint32_t
mds_t_field(const uint8_t *m, size_t len, int field)
{
    uint32_t t1 = mds_t_block(m, len, 1), t2 = mds_t_block(m, len, 2);

    switch (field) {
    case F_SESS_OFF:
        return 0x50;
    case F_NSESS:
        return 0x14;
    case F_VMAJOR:
        return 0x10;
    case F_S1_BLOCKS:
        return 0x58 + 0x14;
    case F_S1_NBLOCKS:
        return 0x58 + 0x0A;
    case F_S2_NUMBER:
        return 0x58 + 24 + 8;
    case F_S1_END:
        return 0x58 + 4;
    case F_T1_EXTRA:
        return t1 + T_EXTRA;
    case F_T1_FOOTER:
        return t1 + T_FOOTER;
    case F_T1_NAME_OFF:
        return disc_rd_le32(m + t1 + T_FOOTER);
    case F_T1_SECSIZE:
        return t1 + T_SECSIZE;
    case F_T1_SUB:
        return t1 + 1;
    case F_T1_OFFSET:
        return t1 + T_OFFSET;
    case F_T2_START:
        return t2 + T_START;
    case F_T1_NFILES:
        return t1 + T_NFILES;
    case F_T1_PREGAP:
        return disc_rd_le32(m + t1 + T_EXTRA);
    case F_T2_PREGAP:
        return disc_rd_le32(m + t2 + T_EXTRA);
    case F_T2_POINT:
        return t2 + 4;
    case F_SIG:
        return 3;
    }
    return 0;
}

static void
mds_t_put(uint8_t *p, int width, uint64_t v)
{
    int i;
    for (i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Writes the enhanced fixture as out.mds/out.mdf; returns the
 * descriptor bytes (caller frees). */
static uint8_t *
mds_t_base(struct disc_ctx *ctx, int sub, size_t *len)
{
    struct disc_write_opts o = { 0 };
    struct disc *d = fx_disc_enhanced(ctx);
    int r;

    if (!d)
        return NULL;
    o.sub = sub;
    o.allow_lossy = 1;
    o.force = 1;
    r = disc_write(ctx, d, &disc_fmt_mds, "out.mds", &o);
    disc_free(d);
    return r == 0 ? mds_t_load("out.mds", len) : NULL;
}

TEST(mds_corrupt_fields)
{
    static const struct mds_t_case c[] = {
        { "sessions offset huge", F_SESS_OFF, 4, 0xFFFFFF00u, DISC_E_FORMAT,
          "session blocks" },
        { "sessions offset in header", F_SESS_OFF, 4, 0x10, DISC_E_FORMAT,
          "points into the header" },
        { "no sessions", F_NSESS, 2, 0, DISC_E_FORMAT, "no sessions" },
        { "65535 sessions", F_NSESS, 2, 0xFFFF, DISC_E_FORMAT, "at most 99" },
        { "3 sessions", F_NSESS, 2, 3, DISC_E_FORMAT, "session number" },
        { "99 sessions", F_NSESS, 2, 99, DISC_E_FORMAT, "beyond end of file" },
        { "version 2", F_VMAJOR, 1, 2, DISC_E_UNSUPPORTED,
          "unsupported MDS version 2." },
        { "version 9", F_VMAJOR, 1, 9, DISC_E_UNSUPPORTED,
          "unsupported MDS version 9." },
        { "track blocks offset huge", F_S1_BLOCKS, 4, 0x7FFFFFF0, DISC_E_FORMAT,
          "track blocks at 0x7ffffff0" },
        { "no track blocks", F_S1_NBLOCKS, 1, 0, DISC_E_FORMAT,
          "no track blocks" },
        { "255 track blocks", F_S1_NBLOCKS, 1, 255, DISC_E_FORMAT,
          "beyond end of file" },
        { "session number", F_S2_NUMBER, 2, 5, DISC_E_FORMAT,
          "session number 5" },
        { "session end huge", F_S1_END, 4, 0x7FFFFFF0, DISC_E_RANGE,
          "out.mdf" },
        { "session end 0", F_S1_END, 4, 0, DISC_E_FORMAT, "ends at LBA" },
        { "extra offset huge", F_T1_EXTRA, 4, 0x99999, DISC_E_FORMAT,
          "extra offset 0x99999 beyond end of file" },
        { "extra offset 0", F_T1_EXTRA, 4, 0, DISC_E_FORMAT, "no extra block" },
        { "footer offset huge", F_T1_FOOTER, 4, 0xFFFFFFF0u, DISC_E_FORMAT,
          "footer offset" },
        { "footer offset 0", F_T1_FOOTER, 4, 0, DISC_E_FORMAT, "no footer" },
        { "filename offset huge", F_T1_NAME_OFF, 4, 0x7FFFFFFF, DISC_E_FORMAT,
          "filename offset" },
        { "sector size 0", F_T1_SECSIZE, 2, 0, DISC_E_FORMAT, "sector size" },
        { "sector size 65535", F_T1_SECSIZE, 2, 0xFFFF, DISC_E_FORMAT,
          "sector size 65535" },
        { "sector size 2353", F_T1_SECSIZE, 2, 2353, DISC_E_FORMAT,
          "sector size 2353" },
        { "subchannel type", F_T1_SUB, 1, 0x05, DISC_E_UNSUPPORTED,
          "subchannel type 0x05" },
        { "start offset beyond MDF", F_T1_OFFSET, 8, 1ull << 40, DISC_E_RANGE,
          "out.mdf" },
        { "start offset absurd", F_T1_OFFSET, 8, ~0ull, DISC_E_FORMAT,
          "start offset" },
        { "start sector negative", F_T2_START, 4, 0xFFFFFFF0u, DISC_E_FORMAT,
          "start sector" },
        { "start sector before track 1", F_T2_START, 4, 5, DISC_E_FORMAT,
          "out.mds" },
        { "no files", F_T1_NFILES, 4, 0, DISC_E_FORMAT,
          "number of files is 0" },
        { "2^32-1 files", F_T1_NFILES, 4, 0xFFFFFFFFu, DISC_E_FORMAT,
          "footer offset" },
        { "pregap huge", F_T1_PREGAP, 4, 0xFFFFFFFFu, DISC_E_FORMAT, "pregap" },
        { "pregap of track 2 huge", F_T2_PREGAP, 4, 100000, DISC_E_FORMAT,
          "pregap" },
        { "duplicate track", F_T2_POINT, 1, 1, DISC_E_FORMAT,
          "second entry for track 1" },
        { "signature", F_SIG, 1, 'x', DISC_E_FORMAT, "not an MDS" },
    };
    struct disc_ctx ctx;
    struct disc *r = NULL;
    uint8_t *m, *x;
    size_t len = 0, i;

    t_ctx(&ctx);
    m = mds_t_base(&ctx, 1, &len);
    REQUIRE(m);
    x = malloc(len);
    REQUIRE(x);
    for (i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint32_t off = mds_t_field(m, len, c[i].field);
        int rc;
        memcpy(x, m, len);
        mds_t_put(x + off, c[i].width, c[i].value);
        REQUIRE(t_write_file("out.mds", x, len) == 0);
        ctx.msg[0] = '\0';
        rc = disc_open_image(&ctx, "out.mds", &disc_fmt_mds, &r);
        if (rc != c[i].code || !strstr(ctx.msg, c[i].msg))
            t_fail(__FILE__, __LINE__,
                   "%s: expected %d \"%s\", got %d "
                   "\"%s\"",
                   c[i].what, c[i].code, c[i].msg, rc, ctx.msg);
        if (rc != DISC_E_RANGE && !strstr(ctx.msg, "out.mds"))
            t_fail(__FILE__, __LINE__,
                   "%s: message \"%s\" does not name "
                   "the file",
                   c[i].what, ctx.msg);
        if (rc == 0)
            disc_free(r);
        r = NULL;
    }
    /* Two footers in range: a split CD image, refused as such. */
    x = realloc(x, len + 16);
    REQUIRE(x);
    memcpy(x, m, len);
    memset(x + len, 0, 16);
    {
        uint32_t t1 = mds_t_block(x, len, 1);
        uint32_t foot = disc_rd_le32(x + t1 + T_FOOTER);
        disc_wr_le32(x + t1 + T_NFILES, 2);
        memmove(x + foot + 32, x + foot + 16, len - foot - 16);
        memcpy(x + foot + 16, x + foot, 16);
        disc_wr_le32(x + foot, disc_rd_le32(x + foot) + 16);
        disc_wr_le32(x + foot + 16, disc_rd_le32(x + foot + 16) + 16);
    }
    REQUIRE(t_write_file("out.mds", x, len + 16) == 0);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "split over 2 data files",
              disc_open_image(&ctx, "out.mds", NULL, &r));
    /* The original still reads. */
    REQUIRE(t_write_file("out.mds", m, len) == 0);
    CHECK_OK(&ctx, disc_open_image(&ctx, "out.mds", NULL, &r));
    disc_free(r);
    free(x);
    free(m);
}

/* Every prefix cut at an 8-byte boundary is a clear format error. */
TEST(mds_truncated_descriptor)
{
    struct disc_ctx ctx;
    struct disc *r = NULL;
    uint8_t *m;
    size_t len = 0, cut;
    int n = 0;

    t_ctx(&ctx);
    m = mds_t_base(&ctx, 0, &len);
    REQUIRE(m);
    for (cut = 0; cut < len; cut += 8, n++) {
        int rc;
        REQUIRE(t_write_file("out.mds", m, cut) == 0);
        rc = disc_open_image(&ctx, "out.mds", &disc_fmt_mds, &r);
        if (rc != DISC_E_FORMAT || !strstr(ctx.msg, "out.mds"))
            t_fail(__FILE__, __LINE__, "cut at %zu of %zu: got %d \"%s\"", cut,
                   len, rc, ctx.msg);
        if (rc == 0)
            disc_free(r);
        r = NULL;
    }
    CHECK(n > 100); /* the whole descriptor was walked */
    free(m);
}

/* Random byte damage: any outcome but a crash (run under ASan). */
TEST(mds_fuzz_bytes)
{
    struct disc_ctx ctx;
    struct disc *r = NULL;
    uint8_t *m, *x;
    size_t len = 0;
    uint32_t seed = 12345;
    int it, ok = 0, bad = 0;

    t_ctx(&ctx);
    m = mds_t_base(&ctx, 0, &len);
    REQUIRE(m);
    x = malloc(len);
    REQUIRE(x);
    for (it = 0; it < 3300; it++) {
        if (it == 3000) {
            /* A few hundred more on a descriptor with subchannel, so the
             * Q scan runs on damaged layouts too. */
            free(m);
            m = mds_t_base(&ctx, 1, &len);
            REQUIRE(m);
            x = realloc(x, len);
            REQUIRE(x);
        }
        int k, flips, rc;
        memcpy(x, m, len);
        seed = seed * 1103515245u + 12345u;
        flips = 1 + (int)(seed >> 28) % 4;
        for (k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            x[(seed >> 8) % len] ^= (uint8_t)(1u << (seed >> 29));
        }
        REQUIRE(t_write_file("out.mds", x, len) == 0);
        rc = disc_open_image(&ctx, "out.mds", &disc_fmt_mds, &r);
        if (rc == 0) {
            ok++;
            disc_free(r);
        } else {
            bad++;
            CHECK(rc == DISC_E_FORMAT || rc == DISC_E_RANGE ||
                  rc == DISC_E_UNSUPPORTED || rc == DISC_E_IO);
        }
        r = NULL;
    }
    CHECK(ok > 0 && bad > 0);
    free(x);
    free(m);
}

TEST(mds_v2_rejected)
{
    uint8_t m[512];
    struct disc_ctx ctx;
    struct disc *r = NULL;

    t_ctx(&ctx);
    memset(m, 0x5A, sizeof m);
    memcpy(m, "MEDIA DESCRIPTOR", 16);
    m[16] = 2;
    m[17] = 1;
    REQUIRE(t_write_file("v2.mds", m, sizeof m) == 0);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED,
              "unsupported MDS version 2.1 (encrypted MDX descriptors are "
              "not supported)",
              disc_open_image(&ctx, "v2.mds", NULL, &r));
    CHECK(strstr(ctx.msg, "v2.mds") != NULL);
}

/* An MDF shorter than the descriptor needs: the error names the file
 * and the first missing sector. */
TEST(mds_mdf_short)
{
    struct disc_ctx ctx;
    struct disc *r = NULL;
    uint8_t *m, *mdf;
    size_t len = 0, mlen = 0;

    t_ctx(&ctx);
    m = mds_t_base(&ctx, 0, &len);
    REQUIRE(m);
    free(m);
    mdf = mds_t_load("out.mdf", &mlen);
    REQUIRE(mdf && mlen == 1900 * 2352);
    /* Keep session 1 and 10 sectors of session 2's track 3. */
    REQUIRE(t_write_file("out.mdf", mdf, 1210 * 2352 + 100) == 0);
    free(mdf);
    CHECK_ERR(&ctx, DISC_E_RANGE, "out.mdf: track 3 needs LBA 12610",
              disc_open_image(&ctx, "out.mds", NULL, &r));
}

/* ------------------------------------------------------------------ */
/* Output safety                                                       */

TEST(mds_output_exists)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = mds_t_mixed(&ctx);
    REQUIRE(d);
    o.allow_lossy = 1;
    REQUIRE(t_write_file("x.mdf", "old", 3) == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "x.mdf",
              disc_write(&ctx, d, &disc_fmt_mds, "x.mds", &o));
    CHECK(!t_exists("x.mds"));
    CHECK_INT(1, mds_t_count_files("."));
    CHECK_INT(3, t_file_size("x.mdf"));
    REQUIRE(t_write_file("x.mds", "old", 3) == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "x.mds",
              disc_write(&ctx, d, &disc_fmt_mds, "x.mds", &o));
    CHECK_INT(2, mds_t_count_files("."));
    o.force = 1;
    CHECK_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "x.mds", &o));
    CHECK_INT(2, mds_t_count_files("."));
    CHECK_INT(2125LL * 2352, t_file_size("x.mdf"));
    disc_free(d);
}

/* A read error half-way leaves no output and no temporary file. */
TEST(mds_failure_leaves_nothing)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *img;
    size_t len = 0;

    NEED_CORPUS();
    t_ctx(&ctx);
    img = (uint8_t *)t_slurp(t_corpus_path("libcdio/isofs-m1.bin"), &len);
    REQUIRE(img);
    REQUIRE(mkdir("in", 0755) == 0);
    REQUIRE(t_write_file("in/short.bin", img, 100 * 2352) == 0);
    free(img);
    d = mds_t_isofs(&ctx);
    REQUIRE(d);
    /* Point the extent's source at the short copy. */
    {
        struct disc_source *s;
        struct disc_extent e = *disc_extent_get(d, 0);
        struct disc *d2 = disc_new(&ctx);
        REQUIRE(d2);
        REQUIRE_OK(&ctx, disc_source_file_new(&ctx, "in/short.bin", &s));
        disc_source_attach(d2, s);
        d2->nsessions = d->nsessions;
        d2->session[0] = d->session[0];
        d2->ntracks = d->ntracks;
        d2->track[0] = d->track[0];
        e.src = s;
        REQUIRE_OK(&ctx, disc_extent_add(&ctx, d2, &e));
        disc_free(d);
        d = d2;
    }
    REQUIRE(mkdir("out", 0755) == 0);
    CHECK(disc_write(&ctx, d, &disc_fmt_mds, "out/f.mds", &o) < 0);
    CHECK(strstr(ctx.msg, "short.bin") != NULL);
    CHECK_INT(0, mds_t_count_files("out"));
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Peer tools and other formats                                        */

static void
mds_t_peer(const char *tool, const char *cmd, int sub)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *iso, *got;
    size_t ilen = 0, glen = 0;
    int rc;

    NEED_CORPUS();
    NEED_TOOL(tool);
    t_ctx(&ctx);
    d = mds_t_isofs(&ctx);
    REQUIRE(d);
    o.sub = sub;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_mds, "iso.mds", &o));
    disc_free(d);
    rc = t_run(NULL, 0, "%s iso.mdf out.iso >/dev/null 2>&1", cmd);
    CHECK_INT(0, rc);
    iso = mds_t_isofs_user(&ilen);
    got = mds_t_load("out.iso", &glen);
    REQUIRE(iso && got);
    CHECK_INT(ilen, glen);
    if (ilen == glen)
        CHECK_MEM(iso, got, ilen);
    free(iso);
    free(got);
}

/* mdf2iso (Debian package) extracts from our MDF the exact ISO 9660
 * user data of the source track. */
TEST(mds_peer_mdf2iso)
{
    mds_t_peer("mdf2iso", "mdf2iso", 0);
}

/* iat also reads 2448-byte sectors (mdf2iso 0.3.1 answers "Unknown
 * format" for any 2448-byte MDF, ours or hand-made). */
TEST(mds_peer_iat)
{
    mds_t_peer("iat", "iat", 0);
}

TEST(mds_peer_iat_sub)
{
    mds_t_peer("iat", "iat", 1);
}

/* Every real .mds under the shared corpus reads (there are none today:
 * the MANIFEST says no public Alcohol image was found). */
TEST(mds_corpus_images)
{
    char out[16384];
    char *line, *save = NULL;
    int n = 0;

    NEED_CORPUS();
    t_run(out, sizeof out, "find '%s' -iname '*.mds' 2>/dev/null", t_corpus);
    for (line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        struct disc_ctx ctx;
        struct disc *r = NULL;
        t_ctx(&ctx);
        CHECK_OK(&ctx, disc_open_image(&ctx, line, NULL, &r));
        disc_free(r);
        n++;
    }
    if (n == 0)
        SKIP("0 .mds files in the corpus");
    printf("  %d .mds file(s) read\n", n);
}

/* a (read from format f) -> MDS --sub -> b -> f -> c: a, b and c are
 * equal in the model and in every sector; b's subchannel bytes equal a's.
 * When a's subchannel was synthesised, b -> f may drop b's stored copy of
 * it (proved identical above): --lossy, and the only warnings allowed
 * are about subchannel. */
static void
mds_t_via_disc(struct disc_ctx *ctx, const struct disc_format *f,
               const char *ext, struct disc *a)
{
    struct disc_write_opts o = { 0 }, os = { 0 };
    struct disc *b = NULL, *c = NULL;
    char p2[32], *line, *save = NULL;
    unsigned flags;

    snprintf(p2, sizeof p2, "back.%s", ext);
    os.sub = 1;
    REQUIRE_OK(ctx, disc_write(ctx, a, &disc_fmt_mds, "mid.mds", &os));
    REQUIRE_OK(ctx, disc_open_image(ctx, "mid.mds", NULL, &b));
    CHECK_INT(INT32_MIN, mds_t_sub_diff(ctx, a, b));
    if (a->sub != DISC_SUB_CAPTURED)
        o.allow_lossy = 1;
    t_log[0] = '\0';
    CHECK_OK(ctx, disc_write(ctx, b, f, p2, &o));
    for (line = strtok_r(t_log, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (!strstr(line, "subchannel"))
            t_fail(__FILE__, __LINE__, "unexpected loss: %s", line);
    CHECK_OK(ctx, disc_open_image(ctx, p2, f, &c));
    flags = DISC_EQ_DATA | disc_compare_flags_for(f, &o) |
            disc_compare_flags_for(&disc_fmt_mds, &os);
    /* A synthesised subchannel comes back stored: the provenance differs,
     * so the bytes were compared above. */
    if (a->sub != DISC_SUB_CAPTURED)
        flags |= DISC_EQ_NO_SUB;
    CHECK_OK(ctx, disc_compare(ctx, a, b, flags));
    if (c)
        CHECK_OK(ctx, disc_compare(ctx, a, c, flags));
    disc_free(b);
    disc_free(c);
}

/* Fixture -> X, then X -> MDS -> X for a format that reads and writes. */
static void
mds_t_via(const struct disc_format *f, const char *ext)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *src, *a = NULL;
    char p1[32];

    REQUIRE(f->read && f->write);
    t_ctx(&ctx);
    src = mds_t_mixed(&ctx);
    REQUIRE(src);
    snprintf(p1, sizeof p1, "in.%s", ext);
    REQUIRE_OK(&ctx, disc_write(&ctx, src, f, p1, &o));
    disc_free(src);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, p1, f, &a));
    mds_t_via_disc(&ctx, f, ext, a);
    disc_free(a);
}

TEST(mds_roundtrip_cue)
{
    mds_t_via(&disc_fmt_cue, "cue");
}

TEST(mds_roundtrip_ccd)
{
    mds_t_via(&disc_fmt_ccd, "ccd");
}

/* Real CUE/BIN images of the corpus (libcdio: a Mode 1 ISO 9660 track
 * with CATALOG; an audio track with CATALOG and CD-TEXT, which MDS cannot
 * hold and is removed first) through MDS and back. */
TEST(mds_roundtrip_cue_corpus)
{
    static const char *const names[] = { "libcdio/isofs-m1.cue",
                                         "libcdio/cdda.cue" };
    struct disc_ctx ctx;
    size_t i;

    NEED_CORPUS();
    REQUIRE(disc_fmt_cue.read && disc_fmt_cue.write);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct disc *a = NULL;
        t_ctx(&ctx);
        CHECK_OK(&ctx, disc_open_image(&ctx, t_corpus_path(names[i]),
                                       &disc_fmt_cue, &a));
        if (!a)
            continue;
        CHECK(a->mcn[0] != '\0'); /* both have a CATALOG */
        mds_t_no_cdtext(&ctx, a);
        CHECK_OK(&ctx, disc_set_cdtext_raw(&ctx, a, NULL, 0));
        mds_t_via_disc(&ctx, &disc_fmt_cue, "cue", a);
        disc_free(a);
        REQUIRE(t_run(NULL, 0, "rm -f mid.* back.*") == 0);
    }
}

/* CloneCD keeps a real .sub: CCD -> MDS --sub -> CCD is byte-exact for
 * the enhanced (multisession) fixture too. */
TEST(mds_roundtrip_ccd_multisession)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *src, *a = NULL, *b = NULL, *c = NULL;
    char h1[33], h2[33];

    REQUIRE(disc_fmt_ccd.read && disc_fmt_ccd.write);
    t_ctx(&ctx);
    src = fx_disc_enhanced(&ctx);
    REQUIRE(src);
    REQUIRE_OK(&ctx, disc_write(&ctx, src, &disc_fmt_ccd, "in.ccd", &o));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "in.ccd", NULL, &a));
    CHECK_INT(DISC_SUB_CAPTURED, a->sub);
    o.sub = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, a, &disc_fmt_mds, "mid.mds", &o));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "mid.mds", NULL, &b));
    o.sub = 0;
    REQUIRE_OK(&ctx, disc_write(&ctx, b, &disc_fmt_ccd, "back.ccd", &o));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "back.ccd", NULL, &c));
    CHECK_OK(&ctx, disc_compare(&ctx, a, b, DISC_EQ_DATA));
    CHECK_OK(&ctx, disc_compare(&ctx, a, c, DISC_EQ_DATA));
    CHECK(fx_md5_file("in.img", 0, -1, h1) == 0);
    CHECK(fx_md5_file("back.img", 0, -1, h2) == 0);
    CHECK_STR(h1, h2);
    CHECK(fx_md5_file("in.sub", 0, -1, h1) == 0);
    CHECK(fx_md5_file("back.sub", 0, -1, h2) == 0);
    CHECK_STR(h1, h2);
    /* Without --sub the captured subchannel is a reported loss. */
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "subchannel",
              disc_write(&ctx, a, &disc_fmt_mds, "nosub.mds", &o));
    disc_free(a);
    disc_free(b);
    disc_free(c);
    disc_free(src);
}

/* ------------------------------------------------------------------ */
/* Allocation failure                                                  */

TEST(mds_oom)
{
    struct disc_write_opts o = { 0 };
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    long k;
    int rc;

    t_ctx(&ctx);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    o.sub = 1;
    for (k = 1; k < 1000; k++) {
        disc_alloc_reset();
        disc_alloc_fail_at(k);
        o.force = 1;
        rc = disc_write(&ctx, d, &disc_fmt_mds, "o.mds", &o);
        disc_alloc_fail_at(0);
        if (rc == 0 && disc_alloc_failed() == 0)
            break;
        if (disc_alloc_failed())
            CHECK_INT(DISC_E_NOMEM, rc);
    }
    CHECK(k > 1 && k < 1000);
    for (k = 1; k < 1000; k++) {
        disc_alloc_reset();
        disc_alloc_fail_at(k);
        rc = disc_open_image(&ctx, "o.mds", NULL, &r);
        disc_alloc_fail_at(0);
        if (rc == 0) {
            disc_free(r);
            r = NULL;
            if (disc_alloc_failed() == 0)
                break;
        } else {
            CHECK_INT(DISC_E_NOMEM, rc);
        }
    }
    CHECK(k > 1 && k < 1000);
    disc_free(d);
}
