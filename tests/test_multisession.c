/* test_multisession.c - multi-session discs as the readers people use
 * take them: CUE (redump/DIC multi-BIN, padded and compact single BIN)
 * and CloneCD, written by discarc and by the dumpers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md and docs/formats/ccd.md ("Multi-session").
 * The CD-Extra used throughout: session 1 holds four audio tracks with
 * the lead-out at LBA 1344, session 2 one Mode 1 track whose INDEX 01 is
 * at LBA 12744 (1344 + 11400).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "test.h"

extern const struct disc_format disc_fmt_cue;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

#define MS_LEADOUT1 1344
#define MS_T5 12744
#define MS_T5_LEN 600

/* The CD-Extra: tracks 1-4 audio (track 3 with a 75-sector INDEX 00),
 * lead-out 1344; track 5 Mode 1 at 12744, 600 sectors. */
static struct disc *
ms_cdextra(struct disc_ctx *ctx)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 336, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 336, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 75, 261, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 336, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 2, 0, MS_T5_LEN, 0, NULL, NULL, 0 },
    };
    return fx_disc_build(ctx, t, 5, NULL);
}

/* Writes d with format f (opts may be NULL) and reads it back. */
static int
ms_write_read(struct disc_ctx *ctx, const struct disc *d,
              const struct disc_format *f, const char *path,
              const struct disc_write_opts *o, struct disc **back)
{
    int r = disc_write(ctx, d, f, path, o);
    if (r == 0)
        r = disc_open_image(ctx, path, f, back);
    return r;
}

/* 1 if the count sectors of path from sector at (2352 bytes each) are
 * the fixture's sectors of LBA lba on (mode), or zeros when mode < 0. */
static int
ms_file_holds(const char *path, long long at, disc_lba lba, int count,
              int mode)
{
    FILE *f = fopen(path, "rb");
    uint8_t got[DISC_SECTOR_RAW], want[DISC_SECTOR_RAW];
    int i, ok = f != NULL;

    if (ok && fseek(f, at * DISC_SECTOR_RAW, SEEK_SET) != 0)
        ok = 0;
    for (i = 0; ok && i < count; i++) {
        if (fread(got, 1, sizeof got, f) != sizeof got) {
            ok = 0;
            break;
        }
        if (mode < 0)
            memset(want, 0, sizeof want);
        else
            fx_sector(want, lba + i, (enum disc_track_mode)mode);
        ok = memcmp(got, want, sizeof got) == 0;
    }
    if (f)
        fclose(f);
    return ok;
}

/* The CD-Extra's positions, as read back by discarc. */
static void
ms_check_cdextra(const struct disc *d)
{
    REQUIRE(d->nsessions == 2 && d->ntracks == 5);
    CHECK_INT(MS_LEADOUT1, d->session[0].leadout);
    CHECK_INT(1008, d->track[3].index[1]);
    CHECK_INT(672, d->track[2].index[0]);
    CHECK_INT(747, d->track[2].index[1]);
    CHECK_INT(MS_T5, d->track[4].index[0]);
    CHECK_INT(MS_T5, d->track[4].index[1]);
    CHECK_INT(MS_T5 + MS_T5_LEN, d->session[1].leadout);
    CHECK_INT(2, d->track[4].session);
}

/* ------------------------------------------------------------------ */
/* CUE writer                                                          */

/* By default a multi-session disc is written as redump and DIC write it:
 * one BIN per track, the gap as DIC's length lines, the session's first
 * track without a stored pregap. */
TEST(ms_cue_default_is_redump_split)
{
    static const char want[] = "REM SESSION 01\n"
                               "FILE \"x (Track 1).bin\" BINARY\n"
                               "  TRACK 01 AUDIO\n"
                               "    INDEX 01 00:00:00\n"
                               "FILE \"x (Track 2).bin\" BINARY\n"
                               "  TRACK 02 AUDIO\n"
                               "    INDEX 01 00:00:00\n"
                               "FILE \"x (Track 3).bin\" BINARY\n"
                               "  TRACK 03 AUDIO\n"
                               "    INDEX 00 00:00:00\n"
                               "    INDEX 01 00:01:00\n"
                               "FILE \"x (Track 4).bin\" BINARY\n"
                               "  TRACK 04 AUDIO\n"
                               "    INDEX 01 00:00:00\n"
                               "REM LEAD-OUT 01:30:00\n"
                               "REM SESSION 02\n"
                               "REM LEAD-IN 01:00:00\n"
                               "REM PREGAP 00:02:00\n"
                               "FILE \"x (Track 5).bin\" BINARY\n"
                               "  TRACK 05 MODE1/2352\n"
                               "    INDEX 01 00:00:00\n";
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    char *got;

    t_ctx(&ctx);
    d = ms_cdextra(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_cue, "x.cue", NULL, &b));
    got = t_slurp("x.cue", NULL);
    REQUIRE(got);
    CHECK_STR(want, got);
    free(got);
    CHECK(!t_exists("x.bin"));
    CHECK_INT(336LL * 2352, t_file_size("x (Track 1).bin"));
    CHECK_INT(MS_T5_LEN * 2352LL, t_file_size("x (Track 5).bin"));
    CHECK(ms_file_holds("x (Track 5).bin", 0, MS_T5, MS_T5_LEN,
                        DISC_MODE_MODE1));
    ms_check_cdextra(b);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    disc_free(b);
    disc_free(d);
}

/* Later boundaries: REM LEAD-OUT 00:30:00 (the standard 6900-sector gap),
 * still read back to the same positions. */
TEST(ms_cue_third_session_leadout_0030)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 2, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 3, 0, 300, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    char *got;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 3, NULL);
    REQUIRE(d);
    CHECK_INT(300 + 11400 + 300 + 6900, d->track[2].index[1]);
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_cue, "t.cue", NULL, &b));
    got = t_slurp("t.cue", NULL);
    CHECK_STR(
        "REM SESSION 01\nFILE \"t (Track 1).bin\" BINARY\n"
        "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"
        "REM LEAD-OUT 01:30:00\nREM SESSION 02\nREM LEAD-IN 01:00:00\n"
        "REM PREGAP 00:02:00\nFILE \"t (Track 2).bin\" BINARY\n"
        "  TRACK 02 MODE1/2352\n    INDEX 01 00:00:00\n"
        "REM LEAD-OUT 00:30:00\nREM SESSION 03\nREM LEAD-IN 01:00:00\n"
        "REM PREGAP 00:02:00\nFILE \"t (Track 3).bin\" BINARY\n"
        "  TRACK 03 MODE1/2352\n    INDEX 01 00:00:00\n",
        t_str(got));
    free(got);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    disc_free(b);
    disc_free(d);
}

/* --merge: one BIN, padded: every sector at its LBA, the gap stored as
 * zeros; INDEX times are disc positions, REM LEAD-OUT the lead-out's. */
TEST(ms_cue_merge_is_padded)
{
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    struct disc_write_opts o;
    char *got;

    t_ctx(&ctx);
    d = ms_cdextra(&ctx);
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    o.merge = 1;
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_cue, "m.cue", &o, &b));
    got = t_slurp("m.cue", NULL);
    REQUIRE(got);
    CHECK(strstr(got, "FILE \"m.bin\" BINARY\n") != NULL);
    CHECK(strstr(got, "REM LEAD-OUT 00:17:69\nREM SESSION 02\n"
                      "  TRACK 05 MODE1/2352\n    INDEX 01 02:49:69\n") !=
          NULL);
    free(got);
    CHECK_INT((long long)(MS_T5 + MS_T5_LEN) * 2352, t_file_size("m.bin"));
    CHECK(ms_file_holds("m.bin", 0, 0, 672, DISC_MODE_AUDIO));
    CHECK(ms_file_holds("m.bin", MS_LEADOUT1, 0, MS_T5 - MS_LEADOUT1, -1));
    CHECK(ms_file_holds("m.bin", MS_T5, MS_T5, MS_T5_LEN, DISC_MODE_MODE1));
    ms_check_cdextra(b);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    disc_free(b);
    disc_free(d);
}
