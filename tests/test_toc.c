/* test_toc.c - the native cdrdao TOC reader and writer, checked against
 * cdrdao's own `show-toc`, `toc2cue`, vcdimager's cdrdao output and the
 * corpus TOC files.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/toc.md; cdrdao(1); cdrdao testtocs/ (corpus).
 */
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"
#include "test.h"
#include "vcd.h"

#define RAW DISC_SECTOR_RAW

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static int
tt_write(const char *path, const char *text)
{
    return t_write_file(path, text, strlen(text));
}

/* Reads count sectors of d from lba into a malloc'd buffer. */
static uint8_t *
tt_read(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
        uint32_t count)
{
    uint8_t *b = malloc((size_t)count * RAW + 1);

    if (b && disc_read_sectors(ctx, d, lba, count, b, NULL) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

/* A deterministic byte pattern (differs from sector to sector and from
 * byte to byte, so a shift of one sample shows). */
static uint8_t
tt_pat(long long i)
{
    uint32_t x = (uint32_t)(i * 2654435761u) ^ (uint32_t)(i >> 7);
    return (uint8_t)(x >> 13);
}

static int
tt_pattern_file(const char *path, long long n)
{
    FILE *f = fopen(path, "wb");
    long long i;

    if (!f)
        return -1;
    for (i = 0; i < n; i++)
        (void)fputc(tt_pat(i), f);
    return fclose(f) == 0 ? 0 : -1;
}

/* What `cdrdao show-toc` says about one track. */
struct st_track {
    char mode[24];
    int start, end, pregap; /* LBAs (pregap: length) */
    int nidx;               /* highest INDEX number, 1 if none */
    int idx[100];
    char isrc[13];
    int copy, pre, four;
};

/* Parses show-toc output; returns the number of tracks or -1. */
static int
st_parse(const char *out, struct st_track *t, int max, char *mcn)
{
    const char *l = out;
    int n = 0;

    mcn[0] = '\0';
    while (l && *l) {
        const char *e = strchr(l, '\n');
        char line[256], w[24];
        size_t len = e ? (size_t)(e - l) : strlen(l);
        int a, k;

        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, l, len);
        line[len] = '\0';
        l = e ? e + 1 : NULL;
        if (sscanf(line, "TRACK %d Mode %23[A-Z0-9_]", &a, w) == 2) {
            if (n == max)
                return -1;
            memset(&t[n], 0, sizeof t[n]);
            snprintf(t[n].mode, sizeof t[n].mode, "%s", w);
            t[n].nidx = 1;
            n++;
            continue;
        }
        if (sscanf(line, "CATALOG NUMBER: %13s", w) == 1)
            snprintf(mcn, 14, "%.13s", w);
        if (!n)
            continue;
        if (strstr(line, "START ") &&
            sscanf(strchr(line, '(') ? strchr(line, '(') + 1 : "", "%d", &a) ==
                1)
            t[n - 1].start = a;
        else if (strstr(line, "END") && strchr(line, '(') &&
                 sscanf(strchr(line, '(') + 1, "%d", &a) == 1)
            t[n - 1].end = a;
        else if (strstr(line, "PREGAP ") && strchr(line, '(') &&
                 sscanf(strchr(line, '(') + 1, "%d", &a) == 1)
            t[n - 1].pregap = a;
        else if (sscanf(line, " INDEX %d", &k) == 1 && k >= 2 && k < 100 &&
                 strchr(line, '(') &&
                 sscanf(strchr(line, '(') + 1, "%d", &a) == 1) {
            t[n - 1].idx[k] = a;
            t[n - 1].nidx = k;
        } else if (strstr(line, " ISRC ")) {
            char c[4][8];
            if (sscanf(line, " ISRC %7s %7s %7s %7s", c[0], c[1], c[2], c[3]) ==
                4)
                snprintf(t[n - 1].isrc, sizeof t[n - 1].isrc,
                         "%.2s%.3s%.2s%.5s", c[0], c[1], c[2], c[3]);
        } else if (strstr(line, "COPY PERMITTED") && !strstr(line, "NOT")) {
            t[n - 1].copy = 1;
        } else if (strstr(line, "PRE-EMPHASIS") && !strstr(line, "NO ")) {
            t[n - 1].pre = 1;
        } else if (strstr(line, "FOUR CHANNEL")) {
            t[n - 1].four = 1;
        }
    }
    return n;
}

/* Runs `cdrdao show-toc` on path and checks that d has the tracks,
 * starts, pregaps, ends, indexes, ISRCs, flags and catalog number it
 * lists.  Returns the number of tracks compared, -1 when show-toc
 * refused the file. */
static int
st_compare(const char *path, const struct disc *d)
{
    static char out[65536];
    static struct st_track st[99];
    char mcn[14];
    int n, i, k, rc;

    rc = t_run(out, sizeof out, "cdrdao show-toc '%s' 2>&1 </dev/null", path);
    if (rc != 0 || strstr(out, "ERROR"))
        return -1;
    n = st_parse(out, st, 99, mcn);
    if (n != d->ntracks) {
        t_fail(__FILE__, __LINE__, "%s: show-toc lists %d tracks, discarc %d",
               path, n, d->ntracks);
        return 0;
    }
    CHECK_STR(mcn, d->mcn);
    for (i = 0; i < n; i++) {
        const struct disc_track *t = &d->track[i];
        int audio = t->mode == DISC_MODE_AUDIO;
        if (st[i].start != t->index[1] || st[i].end != disc_track_end(d, i) ||
            st[i].pregap != t->index[1] - t->index[0] ||
            st[i].nidx != t->last_index)
            t_fail(__FILE__, __LINE__,
                   "%s track %d: show-toc start %d end %d pregap %d "
                   "indexes %d; discarc %d %d %d %d",
                   path, i + 1, st[i].start, st[i].end, st[i].pregap,
                   st[i].nidx, t->index[1], disc_track_end(d, i),
                   t->index[1] - t->index[0], t->last_index);
        for (k = 2; k <= st[i].nidx && k <= t->last_index; k++)
            if (st[i].idx[k] != t->index[k])
                t_fail(__FILE__, __LINE__,
                       "%s track %d INDEX %d: show-toc %d, discarc %d", path,
                       i + 1, k, st[i].idx[k], t->index[k]);
        if (audio)
            CHECK_STR(st[i].isrc, t->isrc);
        CHECK_INT(st[i].copy, !!(t->control & DISC_CTL_COPY));
        if (audio) {
            CHECK_INT(st[i].pre, !!(t->control & DISC_CTL_PREEMPH));
            CHECK_INT(st[i].four, !!(t->control & DISC_CTL_4CH));
        }
        CHECK_STR(audio ? "AUDIO" : "MODE", audio ? st[i].mode : "MODE");
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

/* Four tracks of one big-endian raw file given as start and length,
 * two with START (a pregap from the file), INDEX lines, flags and an
 * ISRC: the same positions as show-toc, and every sample is the file's
 * sample at the offset the statements name, little-endian. */
TEST(toc_audio_be_four_tracks)
{
    static const struct {
        long long start, len; /* samples */
    } tr[4] = { { 0, 600 * 588 },
                { 600 * 588, 450 * 588 },
                { 1050 * 588, 500 * 588 },
                { 1550 * 588, 400 * 588 } };
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *got, *want;
    long long fsize = 1950LL * RAW;
    int i;

    NEED_TOOL("cdrdao");
    REQUIRE(tt_pattern_file("x_be.bin", fsize) == 0);
    REQUIRE(tt_write("a.toc", "CD_DA\n"
                              "CATALOG \"1234567890123\"\n"
                              "TRACK AUDIO\n"
                              "FILE \"x_be.bin\" 0 352800\n"
                              "INDEX 0:2:0\n"
                              "INDEX 0:4:10\n"
                              "TRACK AUDIO\n"
                              "COPY\n"
                              "ISRC \"DEXXX9800001\"\n"
                              "FILE \"x_be.bin\" 352800 0:6:0 // 450 blocks\n"
                              "START 00:02:00\n"
                              "INDEX 00:01:00\n"
                              "TRACK AUDIO\n"
                              "PRE_EMPHASIS\n"
                              "FILE \"x_be.bin\" 0:14:0 294000\n"
                              "TRACK AUDIO\n"
                              "FOUR_CHANNEL_AUDIO\n"
                              "FILE \"x_be.bin\" 911400 235200\n"
                              "START 0:0:1\n"
                              "INDEX 0:3:0\n") == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "a.toc", NULL, &d));
    CHECK_STR("toc", disc_format_name(d->format));
    REQUIRE(d->ntracks == 4);
    CHECK_INT(4, st_compare("a.toc", d));
    CHECK_INT(150, d->track[1].index[1] - d->track[1].index[0]);
    CHECK_INT(1, d->track[3].index[1] - d->track[3].index[0]);
    CHECK_INT(1950, d->session[0].leadout);
    got = tt_read(&ctx, d, 0, 1950);
    want = malloc((size_t)fsize);
    REQUIRE(got && want);
    for (i = 0; i < 4; i++) {
        long long k;
        for (k = 0; k < tr[i].len * 4; k++)
            want[tr[i].start * 4 + k] = tt_pat(tr[i].start * 4 + (k ^ 1));
    }
    CHECK_MEM(want, got, (size_t)fsize);
    free(got);
    free(want);
    disc_free(d);
}

/* vcdimager's cdrdao output (one DATAFILE per track and one for the
 * pregap) reads with every sector equal to its BIN/CUE output. */
TEST(toc_vcd_cdrdao_equals_bin)
{
    struct disc_ctx ctx;
    struct disc *c = NULL, *t = NULL;
    char bin[1024], cue[1024];
    uint8_t *a, *b;
    disc_lba l, end;
    int r;

    r = vcd_build(bin, sizeof bin, cue, sizeof cue);
    if (r == -1)
        t_fail(__FILE__, __LINE__, "ffmpeg or vcdimager is not installed");
    REQUIRE(r == 0);
    REQUIRE(t_run(NULL, 0,
                  "vcdxbuild -q -T '2000-01-01 00:00:00' "
                  "-i cdrdao --cdrdao-file=vcdt vcd.xml >>vcd.log 2>&1") == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, cue, NULL, &c));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "vcdt.toc", NULL, &t));
    CHECK_STR("toc", disc_format_name(t->format));
    REQUIRE(t->ntracks == c->ntracks && t->ntracks == 2);
    CHECK_INT(c->track[1].index[0], t->track[1].index[0]);
    CHECK_INT(c->track[1].index[1], t->track[1].index[1]);
    CHECK_INT(c->session[0].leadout, t->session[0].leadout);
    CHECK_INT(DISC_TYPE_XA, t->session[0].type);
    CHECK_INT(DISC_CTL_DATA | DISC_CTL_COPY, t->track[0].control);
    CHECK_INT(DISC_MODE_MODE2_MIXED, t->track[0].mode);
    CHECK_INT(2, st_compare("vcdt.toc", t));
    end = c->session[0].leadout;
    CHECK_INT(t_file_size(bin), (long long)end * RAW);
    a = tt_read(&ctx, c, 0, (uint32_t)end);
    b = tt_read(&ctx, t, 0, (uint32_t)end);
    REQUIRE(a && b);
    for (l = 0; l < end; l++) {
        if (!disc_lba_stored(t, l))
            t_fail(__FILE__, __LINE__, "LBA %d is not stored", l);
        if (memcmp(a + (size_t)l * RAW, b + (size_t)l * RAW, RAW) != 0) {
            t_fail(__FILE__, __LINE__, "LBA %d differs", l);
            break;
        }
    }
    free(a);
    free(b);
    disc_free(c);
    disc_free(t);
}

/* The corpus cdda.toc, `DATAFILE "cdda.bin" #200 00:00:25`: 25 blocks
 * from byte 200 (big-endian audio), as show-toc says; toc2cue keeps
 * the track and its flag but drops the byte offset (its sheet starts at
 * byte 0), so only the track and flags are compared with it. */
TEST(toc_corpus_cdda_offset)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *got, *want;
    char out[4096];
    size_t len = 0;

    NEED_CORPUS();
    NEED_TOOL("toc2cue");
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, t_corpus_path("libcdio/cdda.toc"),
                                     NULL, &d));
    CHECK_INT(1, st_compare(t_corpus_path("libcdio/cdda.toc"), d));
    CHECK_INT(25, d->session[0].leadout);
    CHECK_INT(DISC_CTL_COPY, d->track[0].control);
    want = (uint8_t *)t_slurp(t_corpus_path("libcdio/cdda.bin"), &len);
    got = tt_read(&ctx, d, 0, 25);
    REQUIRE(want && got && len >= 200 + 25 * RAW);
    disc_swap16(want + 200, 25 * RAW);
    CHECK_MEM(want + 200, got, 25 * RAW);
    REQUIRE(t_run(out, sizeof out,
                  "cp '%s' '%s' . && toc2cue cdda.toc "
                  "peer.cue >/dev/null 2>&1 && cat peer.cue",
                  t_corpus_path("libcdio/cdda.toc"),
                  t_corpus_path("libcdio/cdda.bin")) == 0);
    CHECK(t_contains(out, "TRACK 01 AUDIO"));
    CHECK(!t_contains(out, "TRACK 02"));
    CHECK(t_contains(out, "FLAGS DCP"));
    free(want);
    free(got);
    disc_free(d);
}

/* Statements that do not end on a block boundary are joined byte by
 * byte and the run's last block is padded (cdrdao Track.cc); ZERO and
 * SILENCE give zeros; a WAVE file is little-endian; SWAP turns a raw
 * file's order; the positions agree with show-toc. */
TEST(toc_join_units_wav)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *got, *want, *raw = NULL;
    size_t len = 0;
    long long pos, k;

    NEED_TOOL("cdrdao");
    NEED_TOOL("sox");
    REQUIRE(tt_pattern_file("p.raw", 800 * RAW) == 0);
    REQUIRE(t_run(NULL, 0,
                  "sox -t raw -r 44100 -c 2 -b 16 -e signed "
                  "-L p.raw -t wav w.wav 2>&1") == 0);
    REQUIRE(tt_write("j.toc",
                     "CD_DA\n"
                     "TRACK AUDIO\n"
                     "FILE \"p.raw\" 100 1000\n"       /* 4000 bytes */
                     "SILENCE 10\n"                    /* 40 bytes */
                     "FILE \"p.raw\" SWAP #6 0 2000\n" /* LE, from 6 */
                     "FILE \"w.wav\" 0:1:0 0:2:0\n"    /* 150 blocks */
                     "TRACK AUDIO\n"
                     "DATAFILE \"p.raw\" #2352 235200\n" /* 100 blocks */
                     "ZERO 0:1:0\n") == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "j.toc", NULL, &d));
    REQUIRE(d->ntracks == 2);
    CHECK_INT(2, st_compare("j.toc", d));
    raw = (uint8_t *)t_slurp("p.raw", &len);
    REQUIRE(raw);
    /* Track 1: 4000 + 40 + 8000 + 150*2352 bytes, padded. */
    pos = 4000 + 40 + 8000 + 150LL * RAW;
    CHECK_INT((pos + RAW - 1) / RAW, d->track[1].index[0]);
    want = calloc(1, (size_t)(d->session[0].leadout) * RAW);
    got = tt_read(&ctx, d, 0, (uint32_t)d->session[0].leadout);
    REQUIRE(want && got);
    for (k = 0; k < 4000; k++)
        want[k] = raw[400 + (k ^ 1)];
    for (k = 0; k < 8000; k++)
        want[4040 + k] = raw[6 + k];
    memcpy(want + 12040, raw + 75 * RAW, 150 * RAW);
    pos = (long long)d->track[1].index[0] * RAW;
    for (k = 0; k < 100 * RAW; k++)
        want[pos + k] = raw[RAW + (k ^ 1)];
    CHECK_MEM(want, got, (size_t)d->session[0].leadout * RAW);
    CHECK(disc_lba_stored(d, d->track[1].index[0]));
    CHECK(!disc_lba_stored(d, d->session[0].leadout - 1)); /* ZERO */
    free(raw);
    free(want);
    free(got);
    disc_free(d);
}

/* Data modes: cooked MODE1 and MODE2_FORM1 files, ZERO in another mode,
 * a MODE1_RAW file, START after a ZERO pregap; sectors are the codec's
 * encoding of the stored user data. */
TEST(toc_data_modes)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *s;
    uint8_t *cooked;
    size_t len = 0;

    NEED_TOOL("cdrdao");
    REQUIRE(tt_pattern_file("d.iso", 300 * 2048) == 0);
    REQUIRE(tt_write("d.toc", "CD_ROM_XA\n"
                              "TRACK MODE1\n"
                              "DATAFILE \"d.iso\" 0:4:0\n"
                              "TRACK MODE2_FORM1\n"
                              "ZERO MODE2_FORM2 0:2:0\n"
                              "START\n"
                              "DATAFILE \"d.iso\" #2048 204800\n"
                              "TRACK MODE2_FORM_MIX\n"
                              "ZERO MODE2_FORM1 150\n"
                              "START\n"
                              "DATAFILE \"d.iso\" 0:2:0\n") == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "d.toc", NULL, &d));
    REQUIRE(d->ntracks == 3);
    CHECK_INT(3, st_compare("d.toc", d));
    CHECK_INT(DISC_MODE_MODE1, d->track[0].mode);
    CHECK_INT(DISC_MODE_MODE2_FORM1, d->track[1].mode);
    CHECK_INT(DISC_MODE_MODE2_MIXED, d->track[2].mode);
    CHECK_INT(DISC_TYPE_XA, d->session[0].type);
    cooked = (uint8_t *)t_slurp("d.iso", &len);
    s = tt_read(&ctx, d, 0, (uint32_t)d->session[0].leadout);
    REQUIRE(s && cooked);
    /* Track 1 sector 7: Mode 1 with the file's bytes 7*2048.. */
    CHECK_INT(1, s[7 * RAW + 15]);
    CHECK_MEM(cooked + 7 * 2048, s + 7 * RAW + 16, 2048);
    /* Track 2's pregap is Form 2 zeros; INDEX 01 holds byte 2048.. */
    CHECK_INT(2, s[(size_t)d->track[1].index[0] * RAW + 15]);
    CHECK_HEX(0x20, s[(size_t)d->track[1].index[0] * RAW + 18]);
    CHECK_MEM(cooked + 2048, s + (size_t)d->track[1].index[1] * RAW + 24, 2048);
    /* Track 3: 150 bytes of zeros padded to one block, then the file. */
    CHECK_INT(1, d->track[2].index[1] - d->track[2].index[0]);
    CHECK_MEM(cooked, s + (size_t)d->track[2].index[1] * RAW + 16, 2336);
    free(cooked);
    free(s);
    disc_free(d);
}

/* CD-TEXT: every language of the map, binary GENRE and SIZE_INFO, the
 * track items, octal escapes read as ISO 8859-1. */
TEST(toc_cdtext_languages)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    REQUIRE(tt_write("c.toc",
                     "CD_DA\n"
                     "CD_TEXT {\n"
                     "  LANGUAGE_MAP { 0 : EN 1 : 8 }\n"
                     "  LANGUAGE 0 {\n"
                     "    TITLE \"Album \\\"Q\\\"\" PERFORMER \"Band\"\n"
                     "    DISC_ID \"XY12345\" UPC_EAN \"\"\n"
                     "    GENRE { 0, 9, 82, 111, 99, 107, 0 }\n"
                     "    SIZE_INFO { 1, 1, 1, 3, 0,0,0,0,0,0,0,0 }\n"
                     "    TOC_INFO1 { 0, 1, 1, 0 }\n"
                     "  }\n"
                     "  LANGUAGE 1 { TITLE \"Album DE \\344\" "
                     "PERFORMER { 75, 97, 0 } }\n"
                     "}\n"
                     "TRACK AUDIO\n"
                     "CD_TEXT { LANGUAGE 0 { TITLE \"One\" ISRC "
                     "\"DE-XXX-98-00001\" }\n"
                     "          LANGUAGE 1 { TITLE \"Eins\" } }\n"
                     "SILENCE 0:4:0\n") == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "c.toc", NULL, &d));
    REQUIRE(d->ncdtext == 2);
    CHECK_INT(0x09, d->cdtext[0]->language);
    CHECK_INT(0x08, d->cdtext[1]->language);
    CHECK_STR("Album \"Q\"", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("XY12345", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_DISCID));
    CHECK(disc_cdtext_get(d, 0, 0, DISC_CDTEXT_UPC_ISRC) == NULL);
    CHECK_INT(9, d->cdtext[0]->genre);
    CHECK_STR("Rock", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_GENRE));
    CHECK_INT(1, d->cdtext[0]->charset);
    CHECK_INT(3, d->cdtext[0]->copyright);
    CHECK_STR("Album DE \xc3\xa4", disc_cdtext_get(d, 1, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("Ka", disc_cdtext_get(d, 1, 0, DISC_CDTEXT_PERFORMER));
    CHECK_STR("One", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
    CHECK_STR("DE-XXX-98-00001",
              disc_cdtext_get(d, 0, 1, DISC_CDTEXT_UPC_ISRC));
    CHECK_STR("Eins", disc_cdtext_get(d, 1, 1, DISC_CDTEXT_TITLE));
    CHECK(t_contains(t_log, "TOC_INFO1"));
    disc_free(d);
}

/* Every refusal is one line naming file:line, exit status 3 from the
 * CLI (1 for a missing file): bad TOCs of the corpus and hand-made
 * ones. */
TEST(toc_errors_one_line)
{
    static const struct {
        const char *text, *line, *what;
    } bad[] = {
        { "TRACK AUDIO\nFIFO \"p\" 100\n", ":2:", "FIFO" },
        { "TRACK AUDIO\nFILE \"nope.raw\" 0\n", ":2:", "not found" },
        { "TRACK AUDIO\nSILENCE 0:2:0\nINDEX 0:3:0\n", ":3:", "beyond" },
        { "TRACK AUDIO\nSILENCE 0:9:0\nINDEX 0:5:0\nINDEX 0:3:0\n",
          ":4:", "not after" },
        { "TRACK AUDIO\nSILENCE 0:2:0\nDATAFILE \"e.toc\"\n", ":3:", "mixing" },
        { "CD_DA\nTRACK MODE1\nSILENCE 0:2:0\n", ":3:", "AUDIO tracks" },
        { "TRACK AUDIO\nSILENCE 0:2:75\n", ":2:", "frame" },
        { "TRACK AUDIO\nISRC \"de-XXX\"\nSILENCE 0:2:0\n", ":2:", "ISRC" },
        { "TRACK AUDIO\nSILENCE 0:2:0\nSTART 0:2:0\n", ":3:", "START" },
        { "TRACK AUDIO\nSILENCE \"x\n", ":2:", "string" },
        { "CD_DA\n/* c */\n", ":2:", "character" },
        { "TRACK AUDIO\nCD_TEXT { LANGUAGE 0 { GENRE { 0, 9 } } }\n"
          "SILENCE 1\n",
          ":2:", "GENRE" },
        { "CD_DA\n", ":1:", "TRACK" },
    };
    static const char *const corpus[] = {
        "libcdio/bad-cat1.toc",  "libcdio/bad-cat2.toc",
        "libcdio/bad-cat3.toc",  "libcdio/bad-mode1.toc",
        "libcdio/bad-msf-1.toc", "libcdio/bad-msf-2.toc",
        "libcdio/bad-msf-3.toc", "libcdio/bad-file.toc",
    };
    char out[1024];
    size_t i;

    REQUIRE(tt_write("p", "x") == 0);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        REQUIRE(tt_write("e.toc", bad[i].text) == 0);
        rc = t_run(out, sizeof out, "'%s' info e.toc 2>&1", t_discarc);
        /* A missing file is an I/O error (exit 1), as for CUE FILE. */
        if (rc != (i == 1 ? 1 : 3) || !t_contains(out, bad[i].line) ||
            !t_contains(out, bad[i].what) || !t_contains(out, "e.toc:") ||
            strchr(out, '\n') != out + strlen(out) - 1)
            t_fail(__FILE__, __LINE__, "case %zu: exit %d, \"%s\"", i, rc, out);
    }
    if (!t_corpus)
        return;
    for (i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        int rc = t_run(out, sizeof out, "'%s' info '%s' 2>&1", t_discarc,
                       t_corpus_path(corpus[i]));
        if (rc != 3 || !t_contains(out, ".toc:") ||
            strchr(out, '\n') != out + strlen(out) - 1)
            t_fail(__FILE__, __LINE__, "%s: exit %d, \"%s\"", corpus[i], rc,
                   out);
    }
}

/* The corpus TOCs of cdrdao's own test suite: wherever show-toc reads
 * one, discarc finds the same tracks, starts, pregaps, ends, indexes,
 * ISRCs, flags and catalog number. */
TEST(toc_corpus_vs_showtoc)
{
    static const char *const names[] = {
        "cdrdao/cdtext.toc",  "cdrdao/data1.toc",    "cdrdao/data2.toc",
        "cdrdao/data3.toc",   "cdrdao/data4.toc",    "cdrdao/data5.toc",
        "cdrdao/data6.toc",   "cdrdao/data7.toc",    "cdrdao/pregap1.toc",
        "cdrdao/pregap2.toc", "cdrdao/t1.toc",       "cdrdao/t2.toc",
        "cdrdao/t3.toc",      "cdrdao/t4.toc",       "cdrdao/t5.toc",
        "cdrdao/t6.toc",      "cdrdao/t7.toc",       "cdrdao/t8.toc",
        "cdrdao/t9.toc",      "cdrdao/mode1_rw.toc", "libcdio/cdtext.toc",
        "libcdio/t1.toc",
    };
    size_t i;
    int total = 0;

    NEED_CORPUS();
    NEED_TOOL("cdrdao");
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct disc_ctx ctx;
        struct disc *d = NULL;
        int n;
        t_ctx(&ctx);
        if (disc_open_image(&ctx, t_corpus_path(names[i]), NULL, &d) != 0) {
            t_fail(__FILE__, __LINE__, "%s: %s", names[i], ctx.msg);
            continue;
        }
        n = st_compare(t_corpus_path(names[i]), d);
        if (n < 0)
            t_fail(__FILE__, __LINE__, "%s: show-toc refused it", names[i]);
        total += n;
        disc_free(d);
    }
    CHECK(total >= 30);
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/* fx_disc_mixed with a second CD-TEXT language, a genre, an INDEX 03,
 * FOUR_CHANNEL_AUDIO, a generated (unstored) pregap before track 3 and
 * a Latin-1 letter. */
static struct disc *
tt_rich_disc(struct disc_ctx *ctx)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 1000, 0, NULL, "Data", 0 },
        { DISC_MODE_AUDIO, 1, 150, 500, 120, NULL, "First song",
          DISC_CTL_COPY | DISC_CTL_4CH },
        { DISC_MODE_AUDIO, 1, 75, 400, 100, "USRC17607839", "Second song",
          DISC_CTL_PREEMPH },
    };
    struct disc *d = fx_disc_build(ctx, t, 3, "0123456789012");
    int r = 0;

    if (!d)
        return NULL;
    d->track[1].index[3] = d->track[1].index[2] + 30;
    d->track[1].last_index = 3;
    r |= disc_cdtext_set(ctx, d, 0, 0, DISC_CDTEXT_TITLE, "Fixture \"Q\"");
    r |= disc_cdtext_set(ctx, d, 0, 0, DISC_CDTEXT_PERFORMER, "The Testers");
    r |= disc_cdtext_set(ctx, d, 0, 0, DISC_CDTEXT_GENRE, "Rock");
    r |= disc_cdtext_set(ctx, d, 1, 0, DISC_CDTEXT_TITLE,
                         "Pr\xc3\xbc"
                         "fling");
    r |= disc_cdtext_set(ctx, d, 1, 0, DISC_CDTEXT_PERFORMER, "Die Tester");
    r |= disc_cdtext_set(ctx, d, 1, 2, DISC_CDTEXT_TITLE, "Erstes Lied");
    r |= disc_cdtext_set(ctx, d, 1, 3, DISC_CDTEXT_TITLE, "Zweites Lied");
    r |= disc_cdtext_set(ctx, d, 0, 3, DISC_CDTEXT_UPC_ISRC, "US-RC1-76-07839");
    if (r || !d->cdtext[1]) {
        disc_free(d);
        return NULL;
    }
    d->cdtext[0]->genre = 9;
    d->cdtext[1]->language = 0x08;
    return d;
}

/* CUE -> TOC -> CUE keeps every field (CATALOG, ISRC, flags, INDEX 02
 * and 03, pregaps, CD-TEXT in two languages) and every sector; the TOC
 * names the CUE's BIN in place; cdrdao show-toc lists the tracks,
 * indexes, ISRCs and flags discarc reads, and toc2cue accepts it. */
TEST(toc_write_cue_roundtrip)
{
    struct disc_ctx ctx;
    struct disc *f = NULL, *a = NULL, *t = NULL, *b = NULL;
    struct disc_write_opts o;
    char out[4096];
    char *text;

    NEED_TOOL("cdrdao");
    NEED_TOOL("toc2cue");
    t_ctx(&ctx);
    f = tt_rich_disc(&ctx);
    REQUIRE(f);
    memset(&o, 0, sizeof o);
    REQUIRE_OK(&ctx, disc_write(&ctx, f, disc_format_find("cue"), "x.cue", &o));
    REQUIRE(t_run(out, sizeof out, "'%s' convert x.cue x.toc 2>&1",
                  t_discarc) == 0);
    CHECK(!t_exists("x.toc.bin"));
    text = t_slurp("x.toc", NULL);
    REQUIRE(text);
    CHECK(t_contains(text, "DATAFILE \"x.bin\" #0 "));
    CHECK(t_contains(text, "FILE \"x.bin\" SWAP "));
    CHECK(t_contains(text, "LANGUAGE_MAP { 0 : 9 1 : 8 }"));
    CHECK(t_contains(text, "\"Pr\\374fling\""));
    CHECK(t_contains(text, "GENRE { 0, 9, 82, 111, 99, 107, 0 }"));
    free(text);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.cue", NULL, &a));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.toc", NULL, &t));
    CHECK_INT(3, st_compare("x.toc", t));
    CHECK_INT(0,
              disc_compare(&ctx, a, t, DISC_EQ_DATA | DISC_EQ_NO_CDTEXT_RAW));
    CHECK_INT(0,
              disc_compare(&ctx, f, t, DISC_EQ_DATA | DISC_EQ_NO_CDTEXT_RAW));
    if (ctx.msg[0])
        fprintf(stderr, "  %s\n", ctx.msg);
    CHECK(t_contains(t_log, "") && t->ncdtext == 2);
    CHECK_INT(0, t_run(out, sizeof out, "toc2cue x.toc peer.cue 2>&1"));
    REQUIRE(t_run(out, sizeof out, "'%s' convert x.toc y.cue 2>&1",
                  t_discarc) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "y.cue", NULL, &b));
    CHECK_INT(0,
              disc_compare(&ctx, a, b, DISC_EQ_DATA | DISC_EQ_NO_CDTEXT_RAW));
    if (ctx.msg[0])
        fprintf(stderr, "  %s\n", ctx.msg);
    disc_free(f);
    disc_free(a);
    disc_free(t);
    disc_free(b);
}

/* A disc whose sectors are in no file a TOC can name (a pattern source
 * here) goes into one raw data file next to the TOC; read back, every
 * sector is the same, and show-data prints the audio samples discarc
 * reads (little-endian BIN written with SWAP). */
TEST(toc_write_datafile)
{
    struct disc_ctx ctx;
    struct disc *f = NULL, *t = NULL;
    struct disc_write_opts o;
    uint8_t *pcm;
    char *out;
    const char *l;
    long n = 0, bad = 0;
    disc_lba end;

    NEED_TOOL("cdrdao");
    t_ctx(&ctx);
    f = fx_disc_audio(&ctx, 2, 320); /* 4 s or more: show-data checks */
    REQUIRE(f);
    memset(&o, 0, sizeof o);
    REQUIRE_OK(&ctx, disc_write(&ctx, f, disc_format_find("toc"), "a.toc", &o));
    end = f->session[0].leadout;
    CHECK_INT((long long)end * RAW, t_file_size("a.bin"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "a.toc", NULL, &t));
    CHECK_INT(0,
              disc_compare(&ctx, f, t, DISC_EQ_DATA | DISC_EQ_NO_CDTEXT_RAW));
    CHECK_INT(2, st_compare("a.toc", t));
    REQUIRE(t_run(NULL, 0,
                  "cdrdao show-data a.toc >data.txt "
                  "2>/dev/null") == 0);
    out = t_slurp("data.txt", NULL);
    pcm = tt_read(&ctx, f, 0, (uint32_t)end);
    REQUIRE(pcm && out);
    /* "index: left right" per sample (strtol: sscanf would measure the
     * whole rest of the text on every line). */
    for (l = out; *l; n++) {
        char *e;
        long idx = strtol(l, &e, 10), left, right;
        if (*e != ':')
            break;
        left = strtol(e + 1, &e, 10);
        right = strtol(e, &e, 10);
        if (idx != n || left != (int16_t)disc_rd_le16(pcm + (size_t)n * 4) ||
            right != (int16_t)disc_rd_le16(pcm + (size_t)n * 4 + 2))
            bad++;
        l = strchr(e, '\n');
        if (!l)
            break;
        l++;
    }
    CHECK_INT((long)end * 588, n);
    CHECK_INT(0, bad);
    free(out);
    free(pcm);
    disc_free(f);
    disc_free(t);
}

/* Every corpus CUE with its data files: the TOC discarc writes is
 * accepted by cdrdao show-toc (same tracks, starts, pregaps, indexes,
 * ISRCs, flags, catalog) and toc2cue, writes a data file next to it (the
 * BINs lie in another folder), and reads
 * back as the same disc, sector for sector. */
TEST(toc_write_corpus_cues)
{
    static const char *const cues[] = {
        "libcdio-paranoia/mixed-mode-cd.cue",
        "libcdio-paranoia/cdda.cue",
        "libcdio-paranoia/cd-extra.cue",
        "libcdio-paranoia/hidden-track.cue",
        "libcdio/isofs-m1.cue",
        "libcdio/cdda.cue",
        "libcdio/cdda_4_5.cue",
    };
    size_t i;

    NEED_CORPUS();
    NEED_TOOL("cdrdao");
    NEED_TOOL("toc2cue");
    for (i = 0; i < sizeof cues / sizeof cues[0]; i++) {
        struct disc_ctx ctx;
        struct disc *c = NULL, *t = NULL;
        char out[4096], toc[32];
        t_ctx(&ctx);
        snprintf(toc, sizeof toc, "c%zu.toc", i);
        if (t_run(out, sizeof out, "'%s' convert --lossy '%s' %s 2>&1",
                  t_discarc, t_corpus_path(cues[i]), toc) != 0) {
            t_fail(__FILE__, __LINE__, "%s: %s", cues[i], out);
            continue;
        }
        CHECK_INT(0,
                  t_run(out, sizeof out, "toc2cue %s p%zu.cue 2>&1", toc, i));
        if (disc_open_image(&ctx, t_corpus_path(cues[i]), NULL, &c) != 0 ||
            disc_open_image(&ctx, toc, NULL, &t) != 0) {
            t_fail(__FILE__, __LINE__, "%s: %s", cues[i], ctx.msg);
        } else {
            if (st_compare(toc, t) != c->ntracks)
                t_fail(__FILE__, __LINE__, "%s: show-toc disagrees", cues[i]);
            if (disc_compare(&ctx, c, t,
                             DISC_EQ_DATA |
                                 disc_compare_flags_for(disc_format_find("toc"),
                                                        NULL)) != 0)
                t_fail(__FILE__, __LINE__, "%s: %s", cues[i], ctx.msg);
        }
        /* The BINs lie outside this folder: the TOC names a new data
         * file next to it instead (readers refuse names leading out). */
        {
            char bin[32];
            snprintf(bin, sizeof bin, "c%zu.bin", i);
            CHECK(t_exists(bin));
        }
        disc_free(c);
        disc_free(t);
    }
}

/* Every allocation of a read failing in turn: DISC_E_NOMEM, nothing
 * leaked, until the read succeeds (CD-TEXT, two files, a joining
 * source). */
TEST(toc_read_oom)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    long runs;

    REQUIRE(tt_pattern_file("p.raw", 400 * RAW) == 0);
    REQUIRE(tt_pattern_file("q.raw", 100 * RAW) == 0);
    REQUIRE(tt_write("o.toc",
                     "CD_DA\nCD_TEXT { LANGUAGE_MAP { 0 : EN 1 : 8 }\n"
                     "LANGUAGE 0 { TITLE \"T\" GENRE { 0, 9, 65, 0 } }\n"
                     "LANGUAGE 1 { TITLE \"U\" } }\n"
                     "TRACK AUDIO\nCD_TEXT { LANGUAGE 0 { TITLE \"x\" } }\n"
                     "FILE \"p.raw\" 0 0:5:0\n"
                     "TRACK AUDIO\nSILENCE 7\nFILE \"q.raw\" 3 1000\n"
                     "FILE \"p.raw\" 0:1:0 0:2:0\nSTART 0:0:1\n") == 0);
    t_ctx(&ctx);
    runs = fx_oom_open(&ctx, "o.toc", &d, 5000);
    CHECK(runs > 10);
    REQUIRE(d);
    CHECK_INT(2, d->ntracks);
    disc_free(d);
}

/* A split CUE (one BIN per track) becomes a TOC with one new data file:
 * toc2cue takes only TOCs that name a single file. */
TEST(toc_write_split_one_file)
{
    struct disc_ctx ctx;
    struct disc *a = NULL, *t = NULL;
    struct disc_write_opts o;
    char out[4096];

    NEED_TOOL("toc2cue");
    t_ctx(&ctx);
    a = fx_disc_mixed(&ctx);
    REQUIRE(a);
    memset(&o, 0, sizeof o);
    o.split = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, a, disc_format_find("cue"), "s.cue", &o));
    disc_free(a);
    a = NULL;
    REQUIRE(t_run(out, sizeof out, "'%s' convert s.cue d.toc 2>&1",
                  t_discarc) == 0);
    CHECK(t_exists("d.bin"));
    CHECK_INT(0, t_run(out, sizeof out, "toc2cue d.toc p.cue 2>&1"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "s.cue", NULL, &a));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "d.toc", NULL, &t));
    CHECK_INT(0,
              disc_compare(&ctx, a, t, DISC_EQ_DATA | DISC_EQ_NO_CDTEXT_RAW));
    disc_free(a);
    disc_free(t);
}

/* `discarc formats` lists the TOC reader-writer and libcdio's reading. */
TEST(toc_formats_row)
{
    char out[8192];

    REQUIRE(t_run(out, sizeof out, "'%s' formats 2>&1", t_discarc) == 0);
    CHECK(t_contains(out, "toc    rw  cdrdao TOC"));
    CHECK(t_contains(out, "cdio-toc r-"));
    REQUIRE(t_run(out, sizeof out, "'%s' convert --help 2>&1", t_discarc) == 0);
    CHECK(t_contains(out, ".toc"));
}

/* CloneCD IMG named in place (its .sub is dropped with --lossy: a TOC
 * holds no captured subchannel); an Enhanced CD keeps its first session
 * with --lossy and is refused without. */
TEST(toc_write_img_and_sessions)
{
    struct disc_ctx ctx;
    struct disc *f = NULL, *a = NULL, *t = NULL;
    struct disc_write_opts o;
    char out[4096];
    char *text;

    t_ctx(&ctx);
    f = fx_disc_mixed(&ctx);
    REQUIRE(f);
    memset(&o, 0, sizeof o);
    REQUIRE_OK(&ctx, disc_write(&ctx, f, disc_format_find("ccd"), "x.ccd", &o));
    disc_free(f);
    f = NULL;
    CHECK(t_run(out, sizeof out, "'%s' convert x.ccd x.toc 2>&1", t_discarc) ==
          3);
    REQUIRE(t_run(out, sizeof out, "'%s' convert --lossy x.ccd x.toc 2>&1",
                  t_discarc) == 0);
    CHECK(!t_exists("x.bin"));
    text = t_slurp("x.toc", NULL);
    REQUIRE(text);
    CHECK(t_contains(text, "DATAFILE \"x.img\" #0 "));
    free(text);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.ccd", NULL, &a));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.toc", NULL, &t));
    CHECK_INT(0, disc_compare(&ctx, a, t,
                              DISC_EQ_DATA | DISC_EQ_NO_SUB |
                                  DISC_EQ_NO_RAWTOC | DISC_EQ_NO_CDTEXT_RAW));
    disc_free(a);
    disc_free(t);
    a = t = NULL;

    f = fx_disc_enhanced(&ctx);
    REQUIRE(f);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "session",
              disc_write(&ctx, f, disc_format_find("toc"), "e.toc", &o));
    CHECK(!t_exists("e.toc"));
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, f, disc_format_find("toc"), "e.toc", &o));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "e.toc", NULL, &t));
    CHECK_INT(2, t->ntracks);
    CHECK_INT(f->session[0].leadout, t->session[0].leadout);
    CHECK_STR("GBAYE0000001", t->track[0].isrc);
    disc_free(f);
    disc_free(t);
}

/* An RW_RAW track: the main data as stored, R-W from the file's 96
 * interleaved bytes (low six bits), P and Q synthesised from the TOC. */
TEST(toc_rw_raw_subchannel)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    enum { N = 300, BLK = 2048 + 96 };
    uint8_t *file, *main, *sub, synth[N * 96], lin[96];
    int i, k, bad = 0;

    NEED_TOOL("cdrdao");
    file = malloc((size_t)N * BLK);
    main = malloc((size_t)N * RAW);
    sub = malloc((size_t)N * 96);
    REQUIRE(file && main && sub);
    for (i = 0; i < N * BLK; i++)
        file[i] = tt_pat(i) | ((i % BLK) >= 2048 ? 0xC0 : 0);
    REQUIRE(t_write_file("s.bin", file, (size_t)N * BLK) == 0);
    REQUIRE(tt_write("s.toc", "CD_ROM\nTRACK MODE1 RW_RAW\n"
                              "DATAFILE \"s.bin\"\n") == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "s.toc", NULL, &d));
    CHECK_INT(1, st_compare("s.toc", d));
    CHECK_INT(N, d->session[0].leadout);
    CHECK_INT(DISC_SUB_CAPTURED, d->sub);
    CHECK(disc_lba_has_sub(d, 7));
    REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, 0, N, main, sub));
    REQUIRE_OK(&ctx, disc_sub_synth(&ctx, d, 0, N, synth));
    for (i = 0; i < N && !bad; i++) {
        uint8_t rw[96];
        for (k = 0; k < 96; k++)
            rw[k] = file[(size_t)i * BLK + 2048 + (size_t)k] & 0x3F;
        disc_sub_deinterleave(rw, lin);
        if (memcmp(main + (size_t)i * RAW + 16, file + (size_t)i * BLK, 2048) !=
                0 ||
            memcmp(sub + (size_t)i * 96, synth + (size_t)i * 96, 24) != 0 ||
            memcmp(sub + (size_t)i * 96 + 24, lin + 24, 72) != 0) {
            t_fail(__FILE__, __LINE__, "LBA %d differs", i);
            bad = 1;
        }
    }
    free(file);
    free(main);
    free(sub);
    disc_free(d);
}

/* A BIN whose name is not ASCII is named byte for byte (cdrdao opens
 * it), and a language map is written even when only tracks have text. */
TEST(toc_write_names_and_track_text)
{
    struct disc_ctx ctx;
    struct disc *f = NULL, *t = NULL;
    struct disc_write_opts o;
    char out[4096];

    NEED_TOOL("cdrdao");
    t_ctx(&ctx);
    f = fx_disc_audio(&ctx, 2, 320);
    REQUIRE(f);
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, f, 0, 1, DISC_CDTEXT_TITLE, "One"));
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, f, 1, 1, DISC_CDTEXT_TITLE, "Uno"));
    f->cdtext[1]->language = 0x0A;
    memset(&o, 0, sizeof o);
    REQUIRE_OK(&ctx, disc_write(&ctx, f, disc_format_find("cue"),
                                "\xc3\x9cn\"i.cue", &o));
    REQUIRE(t_run(out, sizeof out,
                  "'%s' convert '\xc3\x9cn\"i.cue' n.toc "
                  "2>&1",
                  t_discarc) == 0);
    CHECK(!t_exists("n.bin"));
    REQUIRE(t_run(out, sizeof out, "cdrdao show-toc n.toc 2>&1") == 0);
    CHECK(!t_contains(out, "ERROR"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "n.toc", NULL, &t));
    CHECK_INT(2, st_compare("n.toc", t));
    CHECK_INT(0,
              disc_compare(&ctx, f, t, DISC_EQ_DATA | DISC_EQ_NO_CDTEXT_RAW));
    REQUIRE(t->ncdtext == 2);
    CHECK_INT(0x0A, t->cdtext[1]->language);
    disc_free(f);
    disc_free(t);
}
