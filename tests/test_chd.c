/* test_chd.c - the CHD plugin against MAME's chdman: CHDs chdman makes
 * read back as the sectors chdman extractcd gives and hash as the source;
 * damaged CHDs fail with one line naming the hunk and its LBAs.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/chd.md; MAME chdman (createcd, extractcd).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "fixture.h"
#include "test.h"
#include "vcd.h"

extern const struct disc_format disc_fmt_cue;
extern const struct disc_format disc_fmt_chd;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* MD5 of every sector of track i (INDEX 00 to its end). */
static int
ch_track_md5(struct disc_ctx *ctx, const struct disc *d, int i, char hex[33])
{
    return fx_md5_sectors(ctx, d, d->track[i].index[0],
                          (uint32_t)disc_track_length(d, i), hex);
}

/* Every track of a and b: same INDEX 00/01, length, mode and sectors. */
static void
ch_same_tracks(struct disc_ctx *ctx, const struct disc *a, const struct disc *b,
               const char *what)
{
    int i;

    if (a->ntracks != b->ntracks) {
        t_fail(__FILE__, __LINE__, "%s: %d tracks against %d", what, a->ntracks,
               b->ntracks);
        return;
    }
    for (i = 0; i < a->ntracks; i++) {
        char x[33], y[33];
        CHECK_INT(a->track[i].index[0], b->track[i].index[0]);
        CHECK_INT(a->track[i].index[1], b->track[i].index[1]);
        CHECK_INT(disc_track_length(a, i), disc_track_length(b, i));
        CHECK_INT(disc_track_is_data(&a->track[i]),
                  disc_track_is_data(&b->track[i]));
        CHECK_OK(ctx, ch_track_md5(ctx, a, i, x));
        CHECK_OK(ctx, ch_track_md5(ctx, b, i, y));
        if (strcmp(x, y) != 0)
            t_fail(__FILE__, __LINE__, "%s: track %d sectors differ", what,
                   i + 1);
    }
    CHECK_INT(a->session[a->nsessions - 1].leadout,
              b->session[b->nsessions - 1].leadout);
}

/* chdman createcd (codec option opt, "" for its defaults) of sheet into
 * chd, then our reading of chd against chdman extractcd of the same CHD
 * and against the source sheet; and convert CHD -> CUE gives
 * extractcd's BIN bytes (cooked: written with --cooked).  Returns 0
 * when every check ran. */
static int
ch_check_chdman(struct disc_ctx *ctx, const char *sheet, const char *opt,
                const char *chd, int cooked)
{
    struct disc_write_opts o;
    struct disc *src = NULL, *ours = NULL, *ref = NULL, *back = NULL;
    char refcue[300], refbin[300], outcue[300], outbin[300], x[33], y[33];
    int ok = -1;

    snprintf(refcue, sizeof refcue, "%s.ref.cue", chd);
    snprintf(refbin, sizeof refbin, "%s.ref.bin", chd);
    snprintf(outcue, sizeof outcue, "%s.out.cue", chd);
    snprintf(outbin, sizeof outbin, "%s.out.bin", chd);
    if (t_run(NULL, 0, "chdman createcd %s -i '%s' -o '%s' >chdman.log 2>&1",
              opt, sheet, chd) != 0 ||
        t_run(NULL, 0,
              "chdman extractcd -i '%s' -o '%s' -ob '%s' >>chdman.log 2>&1",
              chd, refcue, refbin) != 0) {
        t_fail(__FILE__, __LINE__, "chdman failed on %s (see chdman.log)",
               sheet);
        return -1;
    }
    if (disc_open_image(ctx, sheet, NULL, &src) != 0 ||
        disc_open_image(ctx, chd, NULL, &ours) != 0 ||
        disc_open_image(ctx, refcue, NULL, &ref) != 0) {
        t_fail(__FILE__, __LINE__, "%s: %s", chd, ctx->msg);
        goto out;
    }
    CHECK(ours->format == &disc_fmt_chd);
    ch_same_tracks(ctx, ref, ours, chd);
    ch_same_tracks(ctx, src, ours, sheet);
    /* extractcd writes what the CHD holds: cooked tracks cooked. */
    memset(&o, 0, sizeof o);
    o.cooked = cooked;
    if (disc_write(ctx, ours, &disc_fmt_cue, outcue, &o) != 0) {
        t_fail(__FILE__, __LINE__, "%s -> cue: %s", chd, ctx->msg);
        goto out;
    }
    CHECK_OK(ctx, disc_open_image(ctx, outcue, NULL, &back));
    if (back)
        ch_same_tracks(ctx, ref, back, outcue);
    CHECK(fx_md5_file(refbin, 0, -1, x) == 0);
    CHECK(fx_md5_file(outbin, 0, -1, y) == 0);
    CHECK_STR(x, y);
    ok = 0;
out:
    disc_free(back);
    disc_free(ref);
    disc_free(ours);
    disc_free(src);
    return ok;
}

/* Writes d as a CUE sheet (one BIN, or one per track). */
static int
ch_write_cue(struct disc_ctx *ctx, const struct disc *d, const char *path,
             int split, int cooked)
{
    struct disc_write_opts o;

    memset(&o, 0, sizeof o);
    o.split = split;
    o.cooked = cooked;
    o.allow_lossy = 1;
    return disc_write(ctx, d, &disc_fmt_cue, path, &o);
}

/* The fixture most tests start from: d (freed here; NULL fails, as
 * when the fixture could not be built) written as stem.cue with one BIN,
 * and with chd set chdman createcd's stem.chd of that sheet.  Returns 0,
 * or -1 after reporting the failure. */
static int
ch_fixture(struct disc_ctx *ctx, struct disc *d, const char *stem, int chd)
{
    char cue[64];
    int r;

    if (!d) {
        t_fail(__FILE__, __LINE__, "fixture disc: %s", ctx->msg);
        return -1;
    }
    (void)snprintf(cue, sizeof cue, "%s.cue", stem);
    r = ch_write_cue(ctx, d, cue, 0, 0);
    disc_free(d);
    if (r != 0) {
        t_fail(__FILE__, __LINE__, "%s: %s", cue, ctx->msg);
        return -1;
    }
    if (chd &&
        t_run(NULL, 0, "chdman createcd -i '%s' -o '%s.chd' >chdman.log 2>&1",
              cue, stem) != 0) {
        t_fail(__FILE__, __LINE__,
               "chdman createcd failed on %s (see "
               "chdman.log)",
               cue);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reading what chdman writes                                          */

/* Mode 1 + audio with pregaps and INDEX 02, with every codec chdman
 * offers for CDs and uncompressed. */
TEST(chd_read_chdman_every_codec)
{
    static const char *const opts[] = {
        "",        "-c cdzl", "-c cdlz",
        "-c cdfl", "-c none", "-c cdlz,cdzl,cdfl -hs 78336"
    };
    struct disc_ctx ctx;
    size_t i;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_mixed(&ctx), "m", 0) == 0);
    for (i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        char chd[32];
        snprintf(chd, sizeof chd, "m%zu.chd", i);
        ch_check_chdman(&ctx, "m.cue", opts[i], chd, 0);
    }
}

/* One BIN per track, and cooked MODE1/2048 (CHD TYPE:MODE1). */
TEST(chd_read_chdman_split_and_cooked)
{
    struct disc_ctx ctx;
    struct disc *d;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, ch_write_cue(&ctx, d, "s.cue", 1, 0));
    REQUIRE_OK(&ctx, ch_write_cue(&ctx, d, "c.cue", 0, 1));
    disc_free(d);
    ch_check_chdman(&ctx, "s.cue", "", "s.chd", 0);
    ch_check_chdman(&ctx, "c.cue", "", "c.chd", 1);
}

/* Many audio tracks whose lengths are no multiple of 4 (padding). */
TEST(chd_read_chdman_audio_padding)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 301, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 33, 302, 17, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 303, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 1, 305, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_build(&ctx, t, 4, NULL), "a", 0) == 0);
    ch_check_chdman(&ctx, "a.cue", "", "a.chd", 0);
}

/* A Video CD (Mode 2 Form 1 and Form 2 sectors from vcdimager). */
TEST(chd_read_chdman_vcd)
{
    struct disc_ctx ctx;
    char bin[1024], cue[1024];
    int r;

    NEED_TOOL("chdman");
    NEED_TOOL("vcdxbuild");
    r = vcd_build(bin, sizeof bin, cue, sizeof cue);
    if (r == -1)
        SKIP("ffmpeg, vcdxgen or vcdxbuild missing");
    REQUIRE(r == 0);
    t_ctx(&ctx);
    ch_check_chdman(&ctx, cue, "", "v.chd", 0);
}

/* The image hash (what `discarc hash` prints) of a CHD is the source's. */
TEST(chd_hash_equals_source)
{
    char a[8192], b[8192];
    struct disc_ctx ctx;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_mixed(&ctx), "m", 1) == 0);
    CHECK_INT(0, t_run(a, sizeof a, "'%s' hash m.cue", t_discarc));
    CHECK_INT(0, t_run(b, sizeof b, "'%s' hash m.chd", t_discarc));
    CHECK(strstr(a, "track  3") != NULL);
    CHECK_STR(a, b);
}

/* ------------------------------------------------------------------ */
/* Damaged CHDs                                                        */

static uint8_t *
ch_load(const char *path, size_t *len)
{
    return (uint8_t *)t_slurp(path, len);
}

static uint64_t
ch_be64(const uint8_t *p)
{
    return (uint64_t)disc_rd_be32(p) << 32 | disc_rd_be32(p + 4);
}

/* One line on stderr, exit 3, naming what is asked. */
static void
ch_cli_fails(const char *chd, const char *want1, const char *want2)
{
    char out[4096];
    int n = 0;
    const char *s;

    CHECK_INT(3, t_run(out, sizeof out, "'%s' convert '%s' x.cue 2>&1",
                       t_discarc, chd));
    for (s = out; *s; s++)
        n += *s == '\n';
    CHECK_INT(1, n);
    if (!strstr(out, want1) || (want2 && !strstr(out, want2)))
        t_fail(__FILE__, __LINE__, "%s: message \"%s\" lacks %s/%s", chd, out,
               want1, t_str(want2));
    CHECK(!t_exists("x.cue"));
}

TEST(chd_damaged_inputs_name_the_hunk)
{
    struct disc_ctx ctx;
    struct disc *x = NULL;
    uint8_t *buf;
    size_t len;
    uint64_t mapoff;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_mixed(&ctx), "m", 1) == 0);
    buf = ch_load("m.chd", &len);
    REQUIRE(buf && len > 1000);
    mapoff = ch_be64(buf + 40);
    REQUIRE(mapoff + 16 < len);

    /* A flipped byte inside hunk data: decoding or its CRC fails. */
    buf[4000] ^= 0x55;
    REQUIRE(t_write_file("flip.chd", buf, len) == 0);
    buf[4000] ^= 0x55;
    CHECK_ERR(&ctx, DISC_E_FORMAT, "hunk ",
              disc_open_image(&ctx, "flip.chd", NULL, &x) ||
                      disc_write(&ctx, x, &disc_fmt_cue, "f.cue", NULL)
                  ? ctx.err
                  : 0);
    disc_free(x);
    x = NULL;
    CHECK(t_contains(ctx.msg, "(LBA "));
    ch_cli_fails("flip.chd", "hunk ", "(LBA ");

    /* The map CRC. */
    buf[mapoff + 10] ^= 0xFF;
    REQUIRE(t_write_file("badmap.chd", buf, len) == 0);
    buf[mapoff + 10] ^= 0xFF;
    CHECK_ERR(&ctx, DISC_E_FORMAT, "hunk map CRC mismatch",
              disc_open_image(&ctx, "badmap.chd", NULL, &x));
    ch_cli_fails("badmap.chd", "badmap.chd: hunk map CRC", NULL);

    /* Truncated: the map (written last) is gone. */
    REQUIRE(t_write_file("cut.chd", buf, len / 2) == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, "truncated CHD",
              disc_open_image(&ctx, "cut.chd", NULL, &x));
    ch_cli_fails("cut.chd", "truncated CHD", NULL);

    /* A hunk that points past the end of the file: the map moved to the
     * front of a shortened copy names the first lost hunk. */
    {
        uint32_t mapbytes = disc_rd_be32(buf + mapoff);
        size_t keep = 2000, n = 16 + mapbytes;
        uint8_t *c = malloc(keep + n);
        REQUIRE(c);
        memcpy(c, buf, keep);
        memcpy(c + keep, buf + mapoff, n);
        memset(c + 40, 0, 8);
        c[46] = (uint8_t)(keep >> 8);
        c[47] = (uint8_t)keep;
        REQUIRE(t_write_file("short.chd", c, keep + n) == 0);
        free(c);
        CHECK_ERR(&ctx, DISC_E_FORMAT, "truncated CHD",
                  disc_open_image(&ctx, "short.chd", NULL, &x));
        CHECK(t_contains(ctx.msg, "hunk "));
        CHECK(t_contains(ctx.msg, "(LBA "));
    }

    /* A codec this build does not read is named. */
    memcpy(buf + 16, "cdzs", 4);
    REQUIRE(t_write_file("zs.chd", buf, len) == 0);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "'cdzs'",
              disc_open_image(&ctx, "zs.chd", NULL, &x));
    ch_cli_fails("zs.chd", "cdzs", NULL);

    /* Not version 5. */
    buf[15] = 4;
    REQUIRE(t_write_file("v4.chd", buf, len) == 0);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "version 4",
              disc_open_image(&ctx, "v4.chd", NULL, &x));
    free(buf);
    CHECK(x == NULL);
}

/* Reads of every shape give the source's sectors: straight through
 * (hunks decoded ahead on other threads), then a step back past what
 * the decode-ahead keeps, a jump forward past its window, a step back
 * inside it, and single sectors; main channel and subchannel together
 * (the subchannel view reads the same hunks again). */
TEST(chd_read_any_order_matches_source)
{
    static const struct {
        disc_lba lba;
        uint32_t n;
    } reads[] = {
        { 0, 3000 },  { 1000, 64 }, { 5, 1 },   { 4000, 64 }, { 3990, 20 },
        { 100, 600 }, { 7000, 5 },  { 60, 64 }, { 8190, 10 }, { 2, 8000 },
    };
    struct disc_ctx ctx;
    struct disc *src = NULL, *chd = NULL;
    uint8_t *a, *b, *sa, *sb;
    size_t i;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_audio(&ctx, 2, 4100), "r", 1) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "r.cue", NULL, &src));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "r.chd", NULL, &chd));
    a = malloc((size_t)8000 * DISC_SECTOR_RAW);
    b = malloc((size_t)8000 * DISC_SECTOR_RAW);
    sa = malloc((size_t)8000 * DISC_SECTOR_SUB);
    sb = malloc((size_t)8000 * DISC_SECTOR_SUB);
    REQUIRE(a && b && sa && sb);
    for (i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        disc_lba l = reads[i].lba + 150;
        uint32_t n = reads[i].n;
        CHECK_OK(&ctx, disc_read_sectors(&ctx, src, l, n, a, sa));
        CHECK_OK(&ctx, disc_read_sectors(&ctx, chd, l, n, b, sb));
        if (memcmp(a, b, (size_t)n * DISC_SECTOR_RAW) != 0 ||
            memcmp(sa, sb, (size_t)n * DISC_SECTOR_SUB) != 0)
            t_fail(__FILE__, __LINE__, "read %zu (LBA %d, %u sectors) differs",
                   i, l, n);
    }
    free(a);
    free(b);
    free(sa);
    free(sb);
    disc_free(chd);
    disc_free(src);
}

/* A child of fork() (`discarc mount` goes to the background so, after
 * opening the image) reads the disc whole, although the threads that
 * were decoding ahead in its parent are not there. */
TEST(chd_read_after_fork)
{
    struct disc_ctx ctx;
    struct disc *src = NULL, *chd = NULL;
    uint8_t *a, *b;
    pid_t pid;
    int st = -1;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_audio(&ctx, 1, 3000), "k", 1) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "k.cue", NULL, &src));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "k.chd", NULL, &chd));
    a = malloc((size_t)3000 * DISC_SECTOR_RAW);
    b = malloc((size_t)3000 * DISC_SECTOR_RAW);
    REQUIRE(a && b);
    /* Three hunks in a row: the decode-ahead starts, and is busy. */
    REQUIRE_OK(&ctx, disc_read_sectors(&ctx, chd, 150, 24, b, NULL));
    fflush(NULL);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int bad;
        alarm(120); /* a hang fails the test instead of stopping it */
        bad = disc_read_sectors(&ctx, src, 150, 2850, a, NULL) != 0 ||
              disc_read_sectors(&ctx, chd, 150, 2850, b, NULL) != 0 ||
              memcmp(a, b, (size_t)2850 * DISC_SECTOR_RAW) != 0;
        free(a);
        free(b);
        disc_free(chd);
        disc_free(src);
        _exit(bad);
    }
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* The parent's own reading goes on. */
    CHECK_OK(&ctx, disc_read_sectors(&ctx, src, 150, 2850, a, NULL));
    CHECK_OK(&ctx, disc_read_sectors(&ctx, chd, 150, 2850, b, NULL));
    CHECK(memcmp(a, b, (size_t)2850 * DISC_SECTOR_RAW) == 0);
    free(a);
    free(b);
    disc_free(chd);
    disc_free(src);
}

/* A damaged hunk far into the disc, which a decode-ahead thread meets
 * first, is still named by a plain convert, in one line. */
TEST(chd_damaged_hunk_deep_in_the_disc)
{
    struct disc_ctx ctx;
    uint8_t *buf;
    size_t len;
    uint64_t mapoff;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_audio(&ctx, 1, 6000), "deep", 1) == 0);
    buf = ch_load("deep.chd", &len);
    REQUIRE(buf && len > 100000);
    mapoff = ch_be64(buf + 40);
    /* chdman writes the hunks before the map: two thirds of the way to
     * it lies a hunk hundreds of hunks after the first. */
    REQUIRE(mapoff > 30000 && mapoff < len);
    buf[mapoff / 3 * 2] ^= 0x55;
    REQUIRE(t_write_file("deep-flip.chd", buf, len) == 0);
    free(buf);
    ch_cli_fails("deep-flip.chd", "hunk ", "(LBA ");
}

TEST(chd_probe_scores)
{
    uint8_t head[64] = "MComprHD";
    size_t iter = 0;
    const struct disc_format *f;
    int seen = 0;

    while ((f = disc_format_next(&iter)) != NULL)
        if (f == &disc_fmt_chd)
            seen = 1;
    CHECK(seen);
    CHECK_INT(100, disc_fmt_chd.probe(head, sizeof head, "x.chd"));
    head[0] = 'X';
    CHECK_INT(0, disc_fmt_chd.probe(head, sizeof head, "x.chd"));
}

/* ------------------------------------------------------------------ */
/* verify and hash --redump                                            */

/* verify decodes every hunk and checks both SHA-1s of the header. */
TEST(chd_verify_checks_crc_and_sha1)
{
    struct disc_ctx ctx;
    char out[4096];
    uint8_t *buf;
    size_t len;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_mixed(&ctx), "m", 1) == 0);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' verify m.chd", t_discarc));
    CHECK(strstr(out, "hunk CRCs, the data SHA-1 and the overall SHA-1 "
                      "match") != NULL);
    CHECK(strstr(out, "no damage found") != NULL);
    buf = ch_load("m.chd", &len);
    REQUIRE(buf && len > 200);
    /* The header's data SHA-1, then its overall SHA-1. */
    buf[64] ^= 1;
    REQUIRE(t_write_file("raw.chd", buf, len) == 0);
    buf[64] ^= 1;
    buf[84] ^= 1;
    REQUIRE(t_write_file("all.chd", buf, len) == 0);
    free(buf);
    CHECK_INT(3, t_run(out, sizeof out, "'%s' verify raw.chd 2>&1", t_discarc));
    CHECK(strstr(out, "raw.chd: the data's SHA-1 does not match") != NULL);
    CHECK_INT(3, t_run(out, sizeof out, "'%s' verify all.chd 2>&1", t_discarc));
    CHECK(strstr(out, "all.chd: the overall SHA-1") != NULL);
    /* The sectors themselves are fine: convert does not look at it. */
    CHECK_INT(0, t_run(NULL, 0,
                       "'%s' convert all.chd x.cue >/dev/null "
                       "2>&1",
                       t_discarc));
}

/* redump's per-track lines come straight from the CHD, equal to the
 * source's (same base name, so the same file names). */
TEST(chd_hash_redump_from_chd)
{
    struct disc_ctx ctx;
    char a[8192], b[8192];

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_mixed(&ctx), "m", 1) == 0);
    CHECK_INT(0, t_run(a, sizeof a, "'%s' hash --redump m.cue", t_discarc));
    CHECK_INT(0, t_run(b, sizeof b, "'%s' hash --redump m.chd", t_discarc));
    CHECK(strstr(a, "(Track 3).bin") != NULL);
    CHECK_STR(a, b);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* Writes d as a CHD with the given options (lossy: CD-TEXT etc.). */
static int
ch_write_chd(struct disc_ctx *ctx, const struct disc *d, const char *path,
             int fast, int sub)
{
    struct disc_write_opts o;

    memset(&o, 0, sizeof o);
    o.allow_lossy = 1;
    o.fast = fast;
    o.sub = sub;
    return disc_write(ctx, d, &disc_fmt_chd, path, &o);
}

/* chdman verify accepts our CHD (hunk CRCs, SHA-1s) and extractcd
 * gives back the bytes of the source's BIN. */
static void
ch_check_written(struct disc_ctx *ctx, const struct disc *d, const char *chd,
                 int fast)
{
    char x[33], y[33], out[8192], cue[300], bin[300];
    struct disc *back = NULL;

    snprintf(cue, sizeof cue, "%s.x.cue", chd);
    snprintf(bin, sizeof bin, "%s.x.bin", chd);
    if (ch_write_chd(ctx, d, chd, fast, 0) != 0) {
        t_fail(__FILE__, __LINE__, "%s: %s", chd, ctx->msg);
        return;
    }
    CHECK_INT(0, t_run(out, sizeof out, "chdman verify -i '%s' 2>&1", chd));
    CHECK(strstr(out, "Raw SHA1 verification successful") != NULL);
    CHECK(strstr(out, "Overall SHA1 verification successful") != NULL);
    CHECK_INT(0, t_run(NULL, 0,
                       "chdman extractcd -i '%s' -o '%s' -ob '%s' "
                       ">/dev/null 2>&1",
                       chd, cue, bin));
    CHECK(fx_md5_file("src.bin", 0, -1, x) == 0);
    CHECK(fx_md5_file(bin, 0, -1, y) == 0);
    CHECK_STR(x, y);
    /* And we read it back as the same disc. */
    CHECK_OK(ctx, disc_open_image(ctx, chd, NULL, &back));
    if (back)
        ch_same_tracks(ctx, d, back, chd);
    disc_free(back);
}

TEST(chd_write_chdman_verifies_and_extracts)
{
    /* Mode 1, then audio with a stored pregap, INDEX 02 and lengths that
     * are no multiple of 4; small, as valgrind runs the compressors. */
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 203, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 181, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 75, 130, 50, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *src = NULL;
    long long ours, theirs;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_build(&ctx, t, 3, NULL), "src", 0) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "src.cue", NULL, &src));
    ch_check_written(&ctx, src, "def.chd", 0);
    ch_check_written(&ctx, src, "fast.chd", 1);
    /* Default codecs: no larger than chdman's own (1 % slack). */
    REQUIRE(t_run(NULL, 0,
                  "chdman createcd -i src.cue -o peer.chd "
                  ">/dev/null 2>&1") == 0);
    ours = t_file_size("def.chd");
    theirs = t_file_size("peer.chd");
    if (ours * 100 > theirs * 101)
        t_fail(__FILE__, __LINE__, "ours %lld bytes, chdman's %lld", ours,
               theirs);
    disc_free(src);
}

/* The VCD and a disc of audio tracks with generated pregaps (stored as
 * unstored PREGAP, read back as generated). */
TEST(chd_write_vcd_and_generated_gaps)
{
    struct disc_ctx ctx;
    struct disc *src = NULL;
    char bin[1024], cue[1024], x[33], y[33];
    int r;

    NEED_TOOL("chdman");
    NEED_TOOL("vcdxbuild");
    r = vcd_build(bin, sizeof bin, cue, sizeof cue);
    if (r == -1)
        SKIP("ffmpeg, vcdxgen or vcdxbuild missing");
    REQUIRE(r == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, cue, NULL, &src));
    REQUIRE_OK(&ctx, ch_write_chd(&ctx, src, "v.chd", 0, 0));
    CHECK_INT(0, t_run(NULL, 0, "chdman verify -i v.chd >/dev/null 2>&1"));
    CHECK_INT(0, t_run(NULL, 0,
                       "chdman extractcd -i v.chd -o x.cue -ob "
                       "x.bin >/dev/null 2>&1"));
    CHECK(fx_md5_file(bin, 0, -1, x) == 0);
    CHECK(fx_md5_file("x.bin", 0, -1, y) == 0);
    CHECK_STR(x, y);
    disc_free(src);
    src = NULL;

    {
        static const char sheet[] =
            "FILE \"g.bin\" BINARY\n"
            "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"
            "  TRACK 02 AUDIO\n    PREGAP 00:02:00\n    INDEX 01 00:04:00\n"
            "    POSTGAP 00:01:00\n"
            "  TRACK 03 AUDIO\n    INDEX 01 00:07:00\n";
        struct disc *back = NULL;
        REQUIRE(t_write_file("g.cue", sheet, sizeof sheet - 1) == 0);
        REQUIRE(fx_sparse("g.bin", 10LL * 75 * 2352) == 0);
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "g.cue", NULL, &src));
        REQUIRE_OK(&ctx, ch_write_chd(&ctx, src, "g.chd", 0, 0));
        CHECK_INT(0, t_run(NULL, 0,
                           "chdman verify -i g.chd >/dev/null "
                           "2>&1"));
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "g.chd", NULL, &back));
        ch_same_tracks(&ctx, src, back, "g.chd");
        CHECK(!disc_lba_stored(back, src->track[1].index[0]));
        CHECK(!disc_lba_stored(back, disc_track_end(src, 1) - 1));
        disc_free(back);
        disc_free(src);
    }
}

/* What a CHD cannot hold is refused without --lossy, naming --sub where
 * the subchannel would keep it. */
TEST(chd_write_refuses_losses)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_write_opts o;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "CD-TEXT",
              disc_write(&ctx, d, &disc_fmt_chd, "a.chd", &o));
    CHECK(!t_exists("a.chd"));
    /* Without CD-TEXT, MCN/ISRC/INDEX 02 still need --sub. */
    disc_cdtext_set(&ctx, d, 0, 0, DISC_CDTEXT_TITLE, NULL);
    {
        int t, f;
        for (t = 0; t <= d->ntracks; t++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
                disc_cdtext_set(&ctx, d, 0, t, (enum disc_cdtext_field)f, NULL);
        d->ncdtext = 0;
    }
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "--sub",
              disc_write(&ctx, d, &disc_fmt_chd, "a.chd", &o));
    CHECK(!t_exists("a.chd"));
    disc_free(d);
}

/* With --sub the subchannel (synthesised here) carries MCN, ISRC, INDEX
 * 02 and the flags: CUE -> CHD -> CUE keeps CATALOG, ISRC, INDEX 02 and
 * FLAGS; chdman still verifies and extracts the same sectors. */
TEST(chd_write_sub_keeps_catalog_isrc_index2)
{
    static const char *const kept[] = { "CATALOG 0123456789012",
                                        "ISRC USRC17607839", "INDEX 02",
                                        "FLAGS" };
    struct disc_ctx ctx;
    struct disc *src = NULL, *chd = NULL, *back = NULL;
    struct disc_write_opts o;
    char *text;
    size_t i, len;
    int t;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    REQUIRE(ch_fixture(&ctx, fx_disc_mixed(&ctx), "src", 0) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "src.cue", NULL, &src));
    REQUIRE_OK(&ctx, ch_write_chd(&ctx, src, "s.chd", 0, 1));
    CHECK_INT(0, t_run(NULL, 0, "chdman verify -i s.chd >/dev/null 2>&1"));
    CHECK_INT(0, t_run(NULL, 0,
                       "chdman extractcd -i s.chd -o x.cue -ob "
                       "x.bin >/dev/null 2>&1"));
    CHECK_INT(0, t_run(NULL, 0, "cmp -s x.bin src.bin"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "s.chd", NULL, &chd));
    CHECK_STR(src->mcn, chd->mcn);
    for (t = 0; t < src->ntracks; t++) {
        int k;
        CHECK_STR(src->track[t].isrc, chd->track[t].isrc);
        CHECK_INT(src->track[t].control, chd->track[t].control);
        CHECK_INT(src->track[t].last_index, chd->track[t].last_index);
        for (k = 0; k <= src->track[t].last_index; k++)
            CHECK_INT(src->track[t].index[k], chd->track[t].index[k]);
    }
    /* Back to CUE: the subchannel itself has no place there. */
    memset(&o, 0, sizeof o);
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, chd, &disc_fmt_cue, "back.cue", &o));
    text = t_slurp("back.cue", &len);
    REQUIRE(text);
    for (i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (!strstr(text, kept[i]))
            t_fail(__FILE__, __LINE__, "back.cue lacks %s", kept[i]);
    free(text);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "back.cue", NULL, &back));
    CHECK_OK(&ctx,
             disc_compare(&ctx, src, back,
                          DISC_EQ_DATA | DISC_EQ_NO_CDTEXT | DISC_EQ_NO_META));
    disc_free(back);
    disc_free(chd);
    disc_free(src);
}

/* Every allocation of opening and of writing a CHD may fail: NOMEM, no
 * crash, no leak (valgrind and ASan runs), no output left. */
TEST(chd_oom)
{
    struct disc_ctx ctx;
    struct disc *src = NULL, *c = NULL;
    struct disc_write_opts o;
    long k;
    int r;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    /* Small: a failure late in the writer costs a whole compression. */
    REQUIRE(ch_fixture(&ctx, fx_disc_audio(&ctx, 2, 60), "m", 1) == 0);
    k = fx_oom_open(&ctx, "m.chd", &c, 5000);
    REQUIRE(c);
    CHECK(k > 5);
    disc_free(c);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "m.cue", NULL, &src));
    memset(&o, 0, sizeof o);
    o.allow_lossy = 1;
    o.fast = 1;
    for (k = 1; k < 5000; k++) {
        disc_alloc_reset();
        disc_alloc_fail_at(k);
        r = disc_write(&ctx, src, &disc_fmt_chd, "w.chd", &o);
        disc_alloc_fail_at(0);
        if (!disc_alloc_failed()) {
            CHECK_OK(&ctx, r);
            break;
        }
        if (r != DISC_E_NOMEM || t_exists("w.chd")) {
            t_fail(__FILE__, __LINE__, "allocation %ld: %d %s", k, r, ctx.msg);
            break;
        }
    }
    CHECK(k > 5);
    disc_free(src);
}
