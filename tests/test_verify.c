/* test_verify.c - `discarc verify` and `discarc hash`: damage found at
 * the right LBA, digests equal to coreutils', DAT matching, round trips.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "disc_format.h"
#include "fixture.h"
#include "test.h"
#include "vcd.h"
#include "verify.h"

/* Copies the bundled sample (built by `make samples`) into the cwd. */
static int
copy_sample(void)
{
    return t_run(NULL, 0, "cp '%s/mixed.cue' '%s/mixed.bin' .", t_samples,
                 t_samples);
}

static void
flip_byte(const char *path, long long off)
{
    FILE *f = fopen(path, "r+b");
    int c;
    REQUIRE(f);
    REQUIRE(fseek(f, (long)off, SEEK_SET) == 0);
    c = fgetc(f);
    REQUIRE(fseek(f, (long)off, SEEK_SET) == 0);
    fputc(c ^ 0x10, f);
    REQUIRE(fclose(f) == 0);
}

struct found {
    int n;
    disc_lba lba[16];
    enum disc_problem_kind kind[16];
    int info[16];
};

static void
collect(void *user, const struct disc_problem *p)
{
    struct found *f = user;
    if (f->n < 16) {
        f->lba[f->n] = p->lba;
        f->kind[f->n] = p->kind;
        f->info[f->n] = p->info;
    }
    f->n++;
}

static int
has(const struct found *f, disc_lba lba, enum disc_problem_kind k)
{
    int i;
    for (i = 0; i < f->n && i < 16; i++)
        if (f->lba[i] == lba && f->kind[i] == k && !f->info[i])
            return 1;
    return 0;
}

TEST(verify_clean_sample)
{
    char out[4096];

    REQUIRE(copy_sample() == 0);
    CHECK_INT(0,
              t_run(out, sizeof out, "'%s' verify mixed.cue 2>&1", t_discarc));
    CHECK(strstr(out, "1425 sectors checked") != NULL);
    CHECK(strstr(out, "450 data sectors") != NULL);
    CHECK(strstr(out, "no damage found") != NULL);
}

TEST(verify_mode1_flip)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct disc_verify_report rep;
    struct found f = { 0 };
    char out[4096];

    t_ctx(&ctx);
    REQUIRE(copy_sample() == 0);
    /* One byte of user data in LBA 123 and one ECC byte of LBA 300. */
    flip_byte("mixed.bin", 123LL * 2352 + 500);
    flip_byte("mixed.bin", 300LL * 2352 + 2300);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "mixed.cue", NULL, &d));
    CHECK_OK(&ctx, disc_verify(&ctx, d, collect, &f, &rep));
    CHECK(has(&f, 123, DISC_PROB_EDC));
    CHECK(has(&f, 123, DISC_PROB_ECC));
    CHECK(has(&f, 300, DISC_PROB_ECC));
    CHECK(!has(&f, 300, DISC_PROB_EDC));
    CHECK_INT(2, rep.damaged);
    CHECK_INT(450, rep.data_sectors);
    disc_free(d);
    CHECK_INT(3,
              t_run(out, sizeof out, "'%s' verify mixed.cue 2>&1", t_discarc));
    CHECK(strstr(out, "LBA 123 (00:03:48) track 1: EDC") != NULL);
    CHECK(strstr(out, "2 damaged") != NULL);
}

TEST(verify_form1_flip)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct disc_verify_report rep;
    struct found f = { 0 };
    char bin[256], cue[256];
    uint8_t sec[2352];
    struct disc_sector_info in;
    FILE *fp;
    disc_lba target = -1, l;

    t_ctx(&ctx);
    if (vcd_build(bin, sizeof bin, cue, sizeof cue) != 0)
        t_skip_tool("ffmpeg or vcdimager");
    /* Find a Form 1 sector past the first few. */
    fp = fopen(bin, "rb");
    REQUIRE(fp);
    for (l = 0; fread(sec, 1, sizeof sec, fp) == sizeof sec; l++) {
        disc_sector_classify(sec, &in);
        if (l > 20 && in.type == DISC_SECTOR_FORM1) {
            target = l;
            break;
        }
    }
    fclose(fp);
    REQUIRE(target > 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, cue, NULL, &d));
    CHECK_OK(&ctx, disc_verify(&ctx, d, collect, &f, &rep));
    CHECK_INT(0, rep.damaged);
    disc_free(d);
    flip_byte(bin, (long long)target * 2352 + 24 + 100);
    f.n = 0;
    REQUIRE_OK(&ctx, disc_open_image(&ctx, cue, NULL, &d));
    CHECK_OK(&ctx, disc_verify(&ctx, d, collect, &f, &rep));
    CHECK(has(&f, target, DISC_PROB_EDC));
    CHECK(has(&f, target, DISC_PROB_ECC));
    CHECK_INT(1, rep.damaged);
    disc_free(d);
}

TEST(verify_sub_q_flip)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct disc_verify_report rep;
    struct found f = { 0 };
    struct disc_write_opts o = { 0 };

    t_ctx(&ctx);
    REQUIRE(copy_sample() == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "mixed.cue", NULL, &d));
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, disc_format_find("ccd"), "x.ccd", &o));
    disc_free(d);
    /* Q channel bytes 12..23 of sector 777 in the deinterleaved .sub;
     * flip a byte of its relative time. */
    flip_byte("x.sub", 777LL * 96 + 12 + 4);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.ccd", NULL, &d));
    CHECK_OK(&ctx, disc_verify(&ctx, d, collect, &f, &rep));
    CHECK(has(&f, 777, DISC_PROB_QCRC));
    CHECK_INT(1, rep.damaged);
    CHECK_INT(1425, rep.q_frames);
    disc_free(d);
}

TEST(verify_q_disagrees_with_toc)
{
    /* A .sub whose frames are valid but describe another TOC: move track
     * 3's INDEX 01 in the CCD and the captured Q no longer agrees. */
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct disc_verify_report rep;
    struct found f = { 0 };
    struct disc_write_opts o = { 0 };
    char *ccd, *p;

    t_ctx(&ctx);
    REQUIRE(copy_sample() == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "mixed.cue", NULL, &d));
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, disc_format_find("ccd"), "x.ccd", &o));
    disc_free(d);
    ccd = t_slurp("x.ccd", NULL);
    REQUIRE(ccd);
    p = strstr(ccd, "INDEX 2=1200");
    REQUIRE(p);
    memcpy(p, "INDEX 2=1210", 12);
    REQUIRE(t_write_file("x.ccd", ccd, strlen(ccd)) == 0);
    free(ccd);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.ccd", NULL, &d));
    CHECK_OK(&ctx, disc_verify(&ctx, d, collect, &f, &rep));
    /* LBA 1200..1209 carry index 02 in Q; the TOC now says index 01.
     * (Frames at offsets 25/50 mod 100 carry MCN/ISRC instead.) */
    CHECK(has(&f, 1201, DISC_PROB_QTOC));
    CHECK(rep.count[DISC_PROB_QTOC] >= 8 && rep.count[DISC_PROB_QTOC] <= 10);
    disc_free(d);
}

/* Parses "hash  name" lines of a coreutils checksum output. */
static int
sum_of(const char *cmd, const char *file, char *hex, size_t n)
{
    char out[512];
    if (t_run(out, sizeof out, "%s '%s'", cmd, file) != 0)
        return -1;
    if (strlen(out) < n)
        return -1;
    memcpy(hex, out, n);
    hex[n] = '\0';
    return 0;
}

TEST(hash_matches_coreutils_on_split_files)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct disc_digest tr[DISC_MAX_TRACKS], img;
    char md5[33], sha1[41], crc[9], hex[64], name[64];
    int i;

    NEED_TOOL("md5sum");
    NEED_TOOL("sha1sum");
    t_ctx(&ctx);
    REQUIRE(copy_sample() == 0);
    REQUIRE(t_run(NULL, 0,
                  "'%s' convert mixed.cue split.cue --split "
                  ">/dev/null 2>&1",
                  t_discarc) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "mixed.cue", NULL, &d));
    REQUIRE_OK(&ctx, disc_hash_tracks(&ctx, d, tr, &img, 1));
    for (i = 0; i < d->ntracks; i++) {
        snprintf(name, sizeof name, "split (Track %d).bin", i + 1);
        CHECK_INT(t_file_size(name), tr[i].size);
        REQUIRE(sum_of("md5sum", name, md5, 32) == 0);
        CHECK_STR(md5, disc_hex(tr[i].md5, 16, hex));
        REQUIRE(sum_of("sha1sum", name, sha1, 40) == 0);
        CHECK_STR(sha1, disc_hex(tr[i].sha1, 20, hex));
        if (t_have("crc32")) {
            REQUIRE(sum_of("crc32", name, crc, 8) == 0);
            snprintf(hex, sizeof hex, "%08x", tr[i].crc32);
            CHECK_STR(crc, hex);
        }
    }
    /* The whole image is the original single BIN. */
    REQUIRE(sum_of("sha1sum", "mixed.bin", sha1, 40) == 0);
    CHECK_STR(sha1, disc_hex(img.sha1, 20, hex));
    REQUIRE(sum_of("md5sum", "mixed.bin", md5, 32) == 0);
    CHECK_STR(md5, disc_hex(img.md5, 16, hex));
    CHECK_INT(DISC_HASH_ALL, img.algs);
    CHECK_INT(t_file_size("mixed.bin"), img.size);
    /* Without image digests the image CRC-32 is combined from the
     * tracks' and still equals the file's. */
    {
        struct disc_digest img2;
        REQUIRE_OK(&ctx, disc_hash_tracks(&ctx, d, tr, &img2, 0));
        CHECK_INT(img.size, img2.size);
        CHECK_HEX(img.crc32, img2.crc32);
        CHECK(!(img2.algs & DISC_HASH_SHA1));
        if (t_have("crc32")) {
            REQUIRE(sum_of("crc32", "mixed.bin", crc, 8) == 0);
            snprintf(hex, sizeof hex, "%08x", img2.crc32);
            CHECK_STR(crc, hex);
        }
    }
    disc_free(d);
}

/* Writes a Logiqx DAT for the split files, with track bad_track's SHA-1
 * replaced when bad_track > 0. */
static int
write_dat(const char *path, int bad_track)
{
    char md5[33], sha1[41], name[64], line[512];
    FILE *f = fopen(path, "w");
    int i;

    if (!f)
        return -1;
    fprintf(f, "<?xml version=\"1.0\"?>\n<datafile>\n<header><name>Test"
               "</name></header>\n<game name=\"Other &amp; Game\">\n"
               "<rom name=\"o.bin\" size=\"5\" crc=\"00000000\"/>\n"
               "</game>\n<game name=\"Sample &amp; Disc\">\n"
               "<description>x</description>\n");
    fprintf(f, "<rom name=\"Sample.cue\" size=\"100\" crc=\"12345678\"/>\n");
    for (i = 1; i <= 3; i++) {
        snprintf(name, sizeof name, "split (Track %d).bin", i);
        if (sum_of("md5sum", name, md5, 32) ||
            sum_of("sha1sum", name, sha1, 40))
            return -1;
        if (i == bad_track)
            sha1[5] = sha1[5] == '0' ? '1' : '0';
        snprintf(line, sizeof line,
                 "<rom name=\"Sample (Track %d).bin\" size=\"%lld\" "
                 "md5=\"%s\" sha1=\"%s\"/>\n",
                 i, t_file_size(name), md5, sha1);
        fputs(line, f);
    }
    fprintf(f, "</game>\n</datafile>\n");
    return fclose(f);
}

TEST(hash_dat_match_and_mismatch)
{
    char out[4096];

    NEED_TOOL("md5sum");
    NEED_TOOL("sha1sum");
    REQUIRE(copy_sample() == 0);
    REQUIRE(t_run(NULL, 0,
                  "'%s' convert mixed.cue split.cue --split "
                  ">/dev/null 2>&1",
                  t_discarc) == 0);
    REQUIRE(write_dat("good.dat", 0) == 0);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' hash --dat good.dat mixed.cue "
                       "2>&1",
                       t_discarc));
    CHECK(strstr(out, "DAT: match: \"Sample & Disc\" (all 3 tracks)"));
    REQUIRE(write_dat("bad.dat", 2) == 0);
    CHECK_INT(3, t_run(out, sizeof out,
                       "'%s' hash --dat bad.dat mixed.cue "
                       "2>&1",
                       t_discarc));
    CHECK(strstr(out, "2 of 3 tracks match"));
    CHECK(strstr(out, "DAT: track 2 differs"));
    CHECK(!strstr(out, "DAT: track 1 differs"));
    CHECK(!strstr(out, "DAT: track 3 differs"));
    REQUIRE(t_write_file("junk.dat", "<xml/>", 6) == 0);
    CHECK_INT(3, t_run(out, sizeof out,
                       "'%s' hash --dat junk.dat mixed.cue "
                       "2>&1",
                       t_discarc));
    CHECK(strstr(out, "junk.dat: no <game> entries"));
}

TEST(hash_redump_lines)
{
    char out[4096], sha1[41];

    NEED_TOOL("sha1sum");
    REQUIRE(copy_sample() == 0);
    REQUIRE(t_run(NULL, 0,
                  "'%s' convert mixed.cue split.cue --split "
                  ">/dev/null 2>&1",
                  t_discarc) == 0);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' hash --redump --name split "
                       "mixed.cue",
                       t_discarc));
    REQUIRE(sum_of("sha1sum", "split (Track 2).bin", sha1, 40) == 0);
    CHECK(strstr(out, "<rom name=\"split (Track 2).bin\" size=\"1234800\""));
    CHECK(strstr(out, sha1) != NULL);
}

TEST(hasher_streams_and_sizes)
{
    /* Two streams fed different ranges; sizes beyond one buffer. */
    struct disc_ctx ctx;
    struct disc_hasher *h = NULL;
    struct disc_digest a, b;
    static uint8_t buf[3 << 20];
    char hex[41], out[128];
    size_t i;

    t_ctx(&ctx);
    for (i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131 + (i >> 9));
    REQUIRE(t_write_file("all.bin", buf, sizeof buf) == 0);
    REQUIRE(t_write_file("half.bin", buf, sizeof buf / 2) == 0);
    REQUIRE_OK(&ctx, disc_hasher_new(&ctx, DISC_HASH_ALL, 2, &h));
    CHECK_OK(&ctx, disc_hasher_update(h, 3, buf, sizeof buf / 2));
    CHECK_OK(&ctx,
             disc_hasher_update(h, 1, buf + sizeof buf / 2, sizeof buf / 2));
    CHECK_OK(&ctx, disc_hasher_final(h, 0, &a));
    CHECK_OK(&ctx, disc_hasher_final(h, 1, &b));
    disc_hasher_free(h);
    CHECK_INT(sizeof buf, a.size);
    CHECK_INT(sizeof buf / 2, b.size);
    if (t_have("sha1sum")) {
        REQUIRE(sum_of("sha1sum", "all.bin", out, 40) == 0);
        CHECK_STR(out, disc_hex(a.sha1, 20, hex));
        REQUIRE(sum_of("sha1sum", "half.bin", out, 40) == 0);
        CHECK_STR(out, disc_hex(b.sha1, 20, hex));
        REQUIRE(sum_of("md5sum", "half.bin", out, 32) == 0);
        CHECK_STR(out, disc_hex(b.md5, 16, hex));
    }
}

TEST(hasher_lanes_match_one_shot_digests)
{
    /* Three streams fed pieces of odd sizes (some far larger than one
     * slot of the ring, some tiny) under different masks, finished and
     * restarted midway: each must equal zlib's CRC-32 and libcrypto's
     * one-shot MD5 and SHA-1 of exactly the bytes it was given. */
    static uint8_t buf[5 << 20];
    static uint8_t seen[3][5 << 20];
    static const size_t piece[] = { 1,   3000000,    17,      1048576, 65536,
                                    999, 2352 * 445, 1048577, 4,       12345 };
    size_t len[3] = { 0, 0, 0 }, off = 0, i;
    struct disc_ctx ctx;
    struct disc_hasher *h = NULL;
    int s, round;

    t_ctx(&ctx);
    for (i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 13);
    REQUIRE_OK(&ctx, disc_hasher_new(&ctx, DISC_HASH_ALL, 3, &h));
    for (round = 0; round < 2; round++) {
        for (i = 0; i < sizeof piece / sizeof *piece; i++) {
            unsigned mask = (unsigned)((i + (size_t)round) % 7 + 1);
            size_t n = piece[i];
            if (off + n > sizeof buf)
                off = 0;
            CHECK_OK(&ctx, disc_hasher_update(h, mask, buf + off, n));
            for (s = 0; s < 3; s++)
                if (mask & (1u << s)) {
                    REQUIRE(len[s] + n <= sizeof seen[s]);
                    memcpy(seen[s] + len[s], buf + off, n);
                    len[s] += n;
                }
            off += n;
        }
        for (s = 0; s < 3; s++) {
            struct disc_digest got;
            uint8_t md5[16], sha1[20];
            uLong crc = crc32(0L, Z_NULL, 0);
            size_t k;

            CHECK_OK(&ctx, disc_hasher_final(h, s, &got));
            CHECK_INT(len[s], got.size);
            for (k = 0; k < len[s]; k += 1u << 20)
                crc = crc32(
                    crc, seen[s] + k,
                    (uInt)(len[s] - k < (1u << 20) ? len[s] - k : (1u << 20)));
            CHECK_HEX((uint32_t)crc, got.crc32);
            REQUIRE(EVP_Digest(seen[s], len[s], md5, NULL, EVP_md5(), NULL));
            REQUIRE(EVP_Digest(seen[s], len[s], sha1, NULL, EVP_sha1(), NULL));
            CHECK_MEM(md5, got.md5, 16);
            CHECK_MEM(sha1, got.sha1, 20);
            len[s] = 0;
        }
    }
    disc_hasher_free(h);
}

TEST(md_digests_match_published_vectors)
{
    /* core/md.c against the test vectors of RFC 1321 (MD5) and FIPS
     * 180-2 (SHA-1), split updates, a copied context continuing, and
     * reuse after disc_md_final. */
    static const uint8_t md5_abc[16] = { 0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2,
                                         0x4f, 0xb0, 0xd6, 0x96, 0x3f, 0x7d,
                                         0x28, 0xe1, 0x7f, 0x72 };
    static const uint8_t sha1_abc[20] = { 0xa9, 0x99, 0x3e, 0x36, 0x47,
                                          0x06, 0x81, 0x6a, 0xba, 0x3e,
                                          0x25, 0x71, 0x78, 0x50, 0xc2,
                                          0x6c, 0x9c, 0xd0, 0xd8, 0x9d };
    static const uint8_t sha1_448[20] = { 0x84, 0x98, 0x3e, 0x44, 0x1c,
                                          0x3b, 0xd2, 0x6e, 0xba, 0xae,
                                          0x4a, 0xa1, 0xf9, 0x51, 0x29,
                                          0xe5, 0xe5, 0x46, 0x70, 0xf1 };
    static const char m448[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    struct disc_ctx ctx = { 0 };
    struct disc_md *a, *b;
    uint8_t out[20];

    CHECK_OK(&ctx, disc_sha1(&ctx, "abc", 3, out));
    CHECK_MEM(sha1_abc, out, 20);
    CHECK_OK(&ctx, disc_md_new(&ctx, DISC_MD5, &a));
    REQUIRE(a);
    disc_md_update(a, "a", 1);
    disc_md_update(a, "bc", 2);
    disc_md_final(a, out);
    CHECK_MEM(md5_abc, out, 16);
    /* Reused for SHA-1; a copy taken half-way ends the same. */
    CHECK_OK(&ctx, disc_md_init(&ctx, a, DISC_SHA1));
    CHECK_OK(&ctx, disc_md_new(&ctx, DISC_MD5, &b));
    REQUIRE(b);
    disc_md_update(a, m448, 20);
    CHECK_OK(&ctx, disc_md_copy(&ctx, b, a));
    disc_md_update(a, m448 + 20, sizeof m448 - 21);
    disc_md_update(b, m448 + 20, sizeof m448 - 21);
    disc_md_final(a, out);
    CHECK_MEM(sha1_448, out, 20);
    memset(out, 0, sizeof out);
    disc_md_final(b, out);
    CHECK_MEM(sha1_448, out, 20);
    disc_md_free(a);
    disc_md_free(b);
    disc_md_free(NULL);
}

TEST(verify_roundtrip_cli)
{
    char out[4096];

    REQUIRE(copy_sample() == 0);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' verify --roundtrip ccd "
                       "mixed.cue 2>/dev/null",
                       t_discarc));
    CHECK(strstr(out, "round trip through ccd: identical"));
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' verify --roundtrip cue "
                       "mixed.cue 2>/dev/null",
                       t_discarc));
    CHECK(strstr(out, "identical"));
    CHECK_INT(2, t_run(out, sizeof out,
                       "'%s' verify --roundtrip wav "
                       "mixed.cue 2>&1",
                       t_discarc));
}
