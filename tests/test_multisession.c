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
extern const struct disc_format disc_fmt_ccd;

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
/* Peer readers, modelled from their sources                           */

/* Where a peer reader puts a track: INDEX 00 and INDEX 01 (disc LBAs),
 * and where it reads INDEX 01's sector: file name and byte offset. */
struct ms_peer_track {
    int number;
    long idx0, idx1;
    char file[128];
    long long off;
};

/* The value of "Key=" in a line of the form Key=Value (or -1). */
static long
ms_ini_num(const char *line, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) != 0 || line[n] != '=')
        return -1;
    return strtol(line + n + 1, NULL, 0);
}

/* libMirage's CloneCD reader (image-ccd/parser.c, with
 * mirage_parser_add_redbook_pregap in mirage/parser.c), reduced to what
 * places tracks:
 * - only the [Entry] points 1-99, A0 and A2 count, sorted by session,
 *   A0 first, tracks by number, A2 last; PLBA gives each position;
 * - [TRACK n] INDEX 0 and INDEX 1 (0 when absent): the track's pregap is
 *   INDEX 1 - INDEX 0 when it is the session's first track and INDEX 1
 *   is not 0, or when both are not 0; otherwise none;
 * - a track's IMG fragment runs from its PLBA minus its pregap to the
 *   next entry's PLBA minus that entry's pregap; fragments follow each
 *   other in the IMG from offset 0;
 * - an A2 followed by more entries gives its session a "lead-out" of
 *   11250 sectors (session 1) or 6750, which the next session follows;
 * - then every session's first track gets 150 unstored sectors in front
 *   of it, its INDEX 01 moving 150 later; the disc starts at -150.
 * Returns the number of tracks, or -1. */
static int
ms_mirage_ccd(const char *ccd, struct ms_peer_track *out, int max)
{
    struct ent {
        int session, point;
        long plba, i0, i1;
    } e[128], tmp;
    long i0[100], i1[100];
    char *text = t_slurp(ccd, NULL), *line, *save = NULL;
    int n = 0, i, j, cur = -1, sec_track = 0, nt = 0;
    long pos = 0, img = 0, sess_start = -150;
    int first_in_session = 0;

    if (!text)
        return -1;
    memset(i0, 0, sizeof i0);
    memset(i1, 0, sizeof i1);
    for (line = strtok_r(text, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        long v;
        if (sscanf(line, "[Entry %d]", &j) == 1 && n < 128) {
            cur = n++;
            memset(&e[cur], 0, sizeof e[cur]);
            sec_track = 0;
            continue;
        }
        if (sscanf(line, "[TRACK %d]", &j) == 1 && j > 0 && j < 100) {
            sec_track = j;
            cur = -1;
            continue;
        }
        if (line[0] == '[') {
            cur = -1;
            sec_track = 0;
            continue;
        }
        if (cur >= 0) {
            if ((v = ms_ini_num(line, "Session")) >= 0)
                e[cur].session = (int)v;
            if ((v = ms_ini_num(line, "Point")) >= 0)
                e[cur].point = (int)v;
            if (strncmp(line, "PLBA=", 5) == 0)
                e[cur].plba = strtol(line + 5, NULL, 10);
        } else if (sec_track) {
            if ((v = ms_ini_num(line, "INDEX 0")) >= 0)
                i0[sec_track] = v;
            if ((v = ms_ini_num(line, "INDEX 1")) >= 0)
                i1[sec_track] = v;
        }
    }
    free(text);
    /* Keep tracks, A0, A2; sort. */
    for (i = j = 0; i < n; i++)
        if ((e[i].point > 0 && e[i].point < 99) || e[i].point == 0xA0 ||
            e[i].point == 0xA2)
            e[j++] = e[i];
    n = j;
    for (i = 0; i < n; i++) {
        int pt = e[i].point;
        e[i].i0 = pt < 100 ? i0[pt] : 0;
        e[i].i1 = pt < 100 ? i1[pt] : 0;
    }
    for (i = 1; i < n; i++)
        for (j = i; j > 0; j--) {
            const struct ent *a = &e[j - 1], *b = &e[j];
            int ka = a->point == 0xA0 ? -1 : a->point == 0xA2 ? 1000 : a->point;
            int kb = b->point == 0xA0 ? -1 : b->point == 0xA2 ? 1000 : b->point;
            if (a->session < b->session ||
                (a->session == b->session && ka <= kb))
                break;
            tmp = e[j];
            e[j] = e[j - 1];
            e[j - 1] = tmp;
        }
    for (i = 0; i < n; i++) {
        const struct ent *c = &e[i], *x = i + 1 < n ? &e[i + 1] : NULL;
        long pg = 0, npg = 0, len;
        if (c->point == 0xA0) {
            first_in_session = 1;
            continue;
        }
        if (c->point == 0xA2) {
            /* The next session starts after this one's "lead-out". */
            sess_start += pos;
            pos = 0;
            if (x)
                sess_start += c->session == 1 ? 11250 : 6750;
            continue;
        }
        if (!x || nt >= max)
            return -1;
        if ((first_in_session && c->i1) || (c->i0 && c->i1))
            pg = c->i1 - c->i0;
        if (x->i0 && x->i1)
            npg = x->i1 - x->i0;
        len = (x->plba - npg) - (c->plba - pg);
        out[nt].number = c->point;
        /* 150 unstored sectors in front of a session's first track. */
        out[nt].idx0 = sess_start + pos;
        out[nt].idx1 = out[nt].idx0 + pg + (first_in_session ? 150 : 0);
        snprintf(out[nt].file, sizeof out[nt].file, "img");
        out[nt].off = (long long)(img + pg) * DISC_SECTOR_RAW;
        pos += len + (first_in_session ? 150 : 0);
        img += len;
        first_in_session = 0;
        nt++;
    }
    return nt;
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

/* ------------------------------------------------------------------ */
/* CloneCD                                                             */

/* INDEX 1=0 and no INDEX 0 for session 2's first track, absolute LBAs
 * for the others; discarc and libMirage's rules both put track 5 at
 * INDEX 00 12594 / INDEX 01 12744, with its data at IMG sector 1344. */
TEST(ms_ccd_session_first_track_index1_zero)
{
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    struct ms_peer_track m[8];
    char *got;
    int n;

    t_ctx(&ctx);
    d = ms_cdextra(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_ccd, "c.ccd", NULL, &b));
    got = t_slurp("c.ccd", NULL);
    REQUIRE(got);
    CHECK(strstr(got, "[TRACK 3]\nMODE=0\nINDEX 0=672\nINDEX 1=747\n") !=
          NULL);
    CHECK(strstr(got, "[TRACK 4]\nMODE=0\nINDEX 1=1008\n") != NULL);
    CHECK(strstr(got, "[TRACK 5]\nMODE=1\nINDEX 1=0\n") != NULL);
    CHECK(strstr(got, "[Session 2]\nPreGapMode=1\nPreGapSubC=0\n") != NULL);
    free(got);
    ms_check_cdextra(b);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    n = ms_mirage_ccd("c.ccd", m, 8);
    REQUIRE(n == 5);
    CHECK_INT(-150, m[0].idx0);
    CHECK_INT(0, m[0].idx1);
    CHECK_INT(672, m[2].idx0);
    CHECK_INT(747, m[2].idx1);
    CHECK_INT(MS_T5 - 150, m[4].idx0);
    CHECK_INT(MS_T5, m[4].idx1);
    CHECK_INT((long long)MS_LEADOUT1 * DISC_SECTOR_RAW, m[4].off);
    CHECK(ms_file_holds("c.img", MS_LEADOUT1, MS_T5, MS_T5_LEN,
                        DISC_MODE_MODE1));
    disc_free(b);
    disc_free(d);
}
