/* test_cue.c - tests of the CUE reader and writer (formats/cue*.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/audio.md, docs/formats/cd.md, docs/formats/cue.md;
 * docs/formats/cue.md.  Covered: every sheet of the public corpus, the
 * dialects (EAC gap styles, redump split, multi-session, CDTEXTFILE,
 * MOTOROLA, CDG), round trips, independent readers (cd-info, chdman) and
 * what peer tools (bchunk, chdman, toc2cue) lose.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "fixture.h"
#include "test.h"

extern const struct disc_format disc_fmt_cue;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Creates the directories of path (not its last component). */
static void
cu_mkdirs(const char *path)
{
    char buf[2048];
    char *p;

    snprintf(buf, sizeof buf, "%.2000s", path);
    for (p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
}

/* A sparse file of size bytes (zeros). */
static int
cu_sparse(const char *path, long long size)
{
    cu_mkdirs(path);
    return fx_sparse(path, size);
}

/* A canonical 44-byte-header PCM WAV (docs/formats/audio.md) holding sectors CD
 * sectors of silence, sparse. */
static int
cu_wav(const char *path, long long sectors)
{
    uint8_t h[44];
    uint32_t len = (uint32_t)(sectors * DISC_SECTOR_RAW);
    int fd, r;

    memcpy(h, "RIFF", 4);
    disc_wr_le32(h + 4, 36 + len);
    memcpy(h + 8, "WAVEfmt ", 8);
    disc_wr_le32(h + 16, 16);
    disc_wr_le16(h + 20, 1);
    disc_wr_le16(h + 22, 2);
    disc_wr_le32(h + 24, 44100);
    disc_wr_le32(h + 28, 176400);
    disc_wr_le16(h + 32, 4);
    disc_wr_le16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    disc_wr_le32(h + 40, len);
    cu_mkdirs(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    r = write(fd, h, sizeof h) == (ssize_t)sizeof h ? 0 : -1;
    if (r == 0)
        r = ftruncate(fd, (off_t)(44 + (long long)len));
    if (close(fd) != 0)
        r = -1;
    return r;
}

/* Writes count raw sectors of the fixture pattern for mode from lba. */
static int
cu_pattern_bin(const char *path, disc_lba lba, int count,
               enum disc_track_mode mode)
{
    uint8_t sec[DISC_SECTOR_RAW];
    FILE *f;
    int i, ok = 1;

    cu_mkdirs(path);
    f = fopen(path, "wb");
    if (!f)
        return -1;
    for (i = 0; i < count && ok; i++) {
        memset(sec, 0, sizeof sec);
        fx_sector(sec, lba + i, mode);
        ok = fwrite(sec, 1, sizeof sec, f) == sizeof sec;
    }
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* Copies tests/data/cue/<name> into the test directory as <as>. */
static int
cu_fixture(const char *name, const char *as)
{
    char rel[256];

    snprintf(rel, sizeof rel, "cue/%s", name);
    cu_mkdirs(as);
    return fx_copy_data(rel, as);
}

static int
cu_write_text(const char *path, const char *text)
{
    cu_mkdirs(path);
    return t_write_file(path, text, strlen(text));
}

/* The FILE name and type of a sheet line, as the sheet writes them
 * (the test's own small parser, independent of formats/cue_read.c). */
static int
cu_file_line(const char *line, char *name, size_t nlen, char *type, size_t tlen)
{
    const char *p = line, *q, *e;

    while (*p == ' ' || *p == '\t')
        p++;
    if (strncasecmp(p, "FILE", 4) != 0 || (p[4] != ' ' && p[4] != '\t'))
        return 0;
    p += 4;
    while (*p == ' ' || *p == '\t')
        p++;
    e = p + strlen(p);
    while (e > p && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
        e--;
    q = e;
    while (q > p && q[-1] != ' ' && q[-1] != '\t')
        q--;
    snprintf(type, tlen, "%.*s", (int)(e - q), q);
    while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
        q--;
    if (*p == '"' && q > p + 1 && q[-1] == '"') {
        p++;
        q--;
    }
    snprintf(name, nlen, "%.*s", (int)(q - p), p);
    for (char *s = name; *s; s++)
        if (*s == '\\')
            *s = '/';
    return 1;
}

/* 1 if dir holds name in another letter case (libcdio's "CDDA.BIN"). */
static int
cu_exists_nocase(const char *dir, const char *name)
{
    DIR *dp = opendir(*dir ? dir : ".");
    struct dirent *de;
    int hit = 0;

    if (!dp)
        return 0;
    while (!hit && (de = readdir(dp)) != NULL)
        hit = strcasecmp(de->d_name, name) == 0;
    closedir(dp);
    return hit;
}

/* Creates, in dir, every file a sheet names that does not exist next to
 * the original, large enough for its last INDEX plus margin sectors:
 * audio types as WAV, others as sparse BIN.  Returns the count made. */
static int
cu_make_companions(const char *sheet, const char *srcdir, const char *dir,
                   int margin)
{
    char *text = t_slurp(sheet, NULL), *line, *save = NULL;
    struct {
        char name[512];
        char type[16];
        long long frames;
    } f[128];
    int nf = 0, cur = -1, i, made = 0;

    if (!text)
        return -1;
    for (line = strtok_r(text, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        char name[512], type[16];
        const char *p = line;
        int m, s, fr;

        if (cu_file_line(line, name, sizeof name, type, sizeof type)) {
            for (cur = 0; cur < nf; cur++)
                if (strcmp(f[cur].name, name) == 0)
                    break;
            if (cur == nf && nf < 128) {
                snprintf(f[nf].name, sizeof f[nf].name, "%s", name);
                snprintf(f[nf].type, sizeof f[nf].type, "%s", type);
                f[nf].frames = 0;
                nf++;
            }
            continue;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (cur >= 0 && cur < nf && strncasecmp(p, "INDEX", 5) == 0 &&
            sscanf(p + 5, "%*d %d:%d:%d", &m, &s, &fr) == 3) {
            long long t = ((long long)m * 60 + s) * 75 + fr;
            if (t > f[cur].frames)
                f[cur].frames = t;
        }
    }
    free(text);
    for (i = 0; i < nf; i++) {
        char src[2048], dst[2048];
        snprintf(src, sizeof src, "%.1000s/%.1000s", srcdir, f[i].name);
        if (t_exists(src) || cu_exists_nocase(srcdir, f[i].name))
            continue;
        snprintf(dst, sizeof dst, "%.1000s/%.1000s", dir, f[i].name);
        if (strcasecmp(f[i].type, "BINARY") == 0 ||
            strcasecmp(f[i].type, "MOTOROLA") == 0) {
            if (cu_sparse(dst, (f[i].frames + margin) * DISC_SECTOR_RAW))
                return -1;
        } else if (cu_wav(dst, f[i].frames + margin)) {
            return -1;
        }
        made++;
    }
    return made;
}

/* Copies a corpus sheet into dir (as its own base name) and makes its
 * missing companions there.  out gets the copy's path.  Returns the
 * number of companions made, or -1. */
static int
cu_stage(const char *sheet, const char *dir, char *out, size_t outlen)
{
    const char *base = strrchr(sheet, '/') ? strrchr(sheet, '/') + 1 : sheet;
    char srcdir[1024];
    size_t n;
    char *b = t_slurp(sheet, &n);
    int r;

    if (!b)
        return -1;
    snprintf(out, outlen, "%s/%s", dir, base);
    cu_mkdirs(out);
    r = t_write_file(out, b, n);
    free(b);
    snprintf(srcdir, sizeof srcdir, "%.*s", (int)(base - sheet), sheet);
    if (r == 0)
        r = cu_make_companions(sheet, srcdir, dir, 300);
    return r;
}

/* Every .cue under the corpus, sorted. */
static char cu_found[256][1024];
static int cu_nfound;

static int
cu_collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    size_t n = strlen(path);

    (void)st;
    (void)ftw;
    if (flag == FTW_F && n > 4 && strcasecmp(path + n - 4, ".cue") == 0 &&
        cu_nfound < 256)
        snprintf(cu_found[cu_nfound++], sizeof cu_found[0], "%s", path);
    return 0;
}

static int
cu_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void
cu_corpus_list(void)
{
    cu_nfound = 0;
    nftw(t_corpus, cu_collect, 16, FTW_PHYS);
    qsort(cu_found, (size_t)cu_nfound, sizeof cu_found[0], cu_cmp);
}

static const char *
cu_base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Writes d as CUE (opts may be NULL) and reads it back. */
static int
cu_write_read(struct disc_ctx *ctx, const struct disc *d, const char *path,
              const struct disc_write_opts *o, struct disc **back)
{
    int r = disc_write(ctx, d, &disc_fmt_cue, path, o);
    if (r == 0)
        r = disc_open_image(ctx, path, &disc_fmt_cue, back);
    return r;
}

/* MD5 of every track (index[0] to end) of d, as read. */
static int
cu_track_md5(struct disc_ctx *ctx, const struct disc *d, char md5[][33])
{
    int i, r = 0;

    for (i = 0; i < d->ntracks && r == 0; i++)
        r = fx_md5_sectors(ctx, d, d->track[i].index[0],
                           (uint32_t)disc_track_length(d, i), md5[i]);
    return r;
}

/* text with every "from" replaced by "to" (malloc'd), or NULL. */
static char *
cu_replace(const char *text, const char *from, const char *to)
{
    size_t n = 0, fl = strlen(from), tl = strlen(to);
    const char *p;
    char *out, *o;

    if (!text)
        return NULL;
    for (p = text; (p = strstr(p, from)) != NULL; p += fl)
        n++;
    out = malloc(strlen(text) + n * (tl + 1) + 1);
    if (!out)
        return NULL;
    for (o = out, p = text; *p;) {
        if (strncmp(p, from, fl) == 0) {
            memcpy(o, to, tl);
            o += tl;
            p += fl;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* Number of times needle occurs in a file. */
static int
cu_count(const char *path, const char *needle)
{
    char *t = t_slurp(path, NULL), *p;
    int n = 0;

    if (!t)
        return -1;
    for (p = t; (p = strstr(p, needle)) != NULL; p++)
        n++;
    free(t);
    return n;
}

/* ------------------------------------------------------------------ */
/* The public corpus                                                   */

/* Sheets that cannot read and are checked by their own tests below. */
static int
cu_special(const char *path)
{
    static const char *const names[] = {
        "p1.cue",
        "cdda2.cue",
        "Headcandy.cue",
        "good.005.quoted.isrc.cue",
    };
    const char *b = cu_base(path);
    size_t i;

    if (strncmp(b, "bad", 3) == 0)
        return 1;
    if (strstr(path, "Circuitry/1.cue"))
        return 1;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(b, names[i]) == 0)
            return 1;
    return 0;
}

TEST(cue_corpus_every_good_sheet_reads)
{
    struct disc_ctx ctx;
    int i, nread = 0, nstaged = 0;

    NEED_CORPUS();
    t_ctx(&ctx);
    cu_corpus_list();
    REQUIRE(cu_nfound >= 40);
    for (i = 0; i < cu_nfound; i++) {
        const char *sheet = cu_found[i];
        char dir[64], path[1200];
        struct disc *d = NULL;
        int r, made;

        if (cu_special(sheet))
            continue;
        /* Companions that exist (libcdio, libcdio-paranoia) are read in
         * place; absent ones (whipper's data.wav, cuetools' *.dummy,
         * flac's z.wav) are made as silent WAVs / sparse BINs. */
        snprintf(dir, sizeof dir, "s%03d", i);
        made = cu_stage(sheet, dir, path, sizeof path);
        REQUIRE(made >= 0);
        r = disc_open_image(&ctx, made > 0 ? path : sheet, NULL, &d);
        if (r != 0) {
            t_fail(__FILE__, __LINE__, "%s: %s", sheet, ctx.msg);
            continue;
        }
        nread++;
        nstaged += made > 0;
        CHECK(d->ntracks >= 1);
        CHECK(d->format == &disc_fmt_cue);
        disc_free(d);
    }
    /* 5 flac good.00[0-4], 3 libcdio, 4 libcdio-paranoia, 14 whipper
     * (kanye.cue with a warning, cue_corpus_kanye_unripped_data_track),
     * 4 cuetools.net. */
    CHECK_INT(30, nread);
    CHECK_INT(23, nstaged);
}

struct cu_bad {
    const char *name;
    unsigned line;
    const char *why; /* a word the message must contain */
};

static const struct cu_bad cu_bad_sheets[] = {
    { "flac/bad.000.CATALOG_multiple.cue", 2, "twice" },
    { "flac/bad.001.CATALOG_missing_number.cue", 1, "no number" },
    { "flac/bad.002.CATALOG_number_too_long.cue", 1, "13 decimal digits" },
    { "flac/bad.003.CATALOG_not_13_digits.cue", 1, "13 decimal digits" },
    { "flac/bad.030.FLAGS_multiple.cue", 4, "FLAGS given twice" },
    { "flac/bad.031.FLAGS_wrong_place_1.cue", 1, "FLAGS before any TRACK" },
    { "flac/bad.032.FLAGS_wrong_place_2.cue", 4, "before the track's first" },
    { "flac/bad.060.INDEX_wrong_place.cue", 2, "INDEX before any TRACK" },
    { "flac/bad.061.INDEX_missing_number.cue", 4, "INDEX has no number" },
    { "flac/bad.062.INDEX_invalid_number_1.cue", 4, "not a number" },
    { "flac/bad.063.first_INDEX_not_0_or_1.cue", 4, "must be 00 or 01" },
    { "flac/bad.064.INDEX_num_non_sequential.cue", 5, "consecutive" },
    { "flac/bad.065.INDEX_num_out_of_range.cue", 104, "out of range" },
    { "flac/bad.066.INDEX_missing_offset.cue", 4, "has no time" },
    { "flac/bad.067.INDEX_illegal_offset.cue", 4, "invalid time" },
    { "flac/bad.068.INDEX_cdda_illegal_offset.cue", 4, "invalid time" },
    { "flac/bad.069.nonzero_first_INDEX.cue", 4, "not 00:00:00" },
    { "flac/bad.070.INDEX_offset_not_ascending_1.cue", 5, "not after" },
    { "flac/bad.071.INDEX_offset_not_ascending_2.cue", 6, "not after" },
    { "flac/bad.110.ISRC_multiple.cue", 4, "ISRC given twice" },
    { "flac/bad.111.ISRC_wrong_place_1.cue", 2, "ISRC before any TRACK" },
    { "flac/bad.112.ISRC_wrong_place_2.cue", 4, "before the track's first" },
    { "flac/bad.113.ISRC_missing_number.cue", 3, "no code" },
    { "flac/bad.114.ISRC_invalid_number.cue", 3, "not valid" },
    { "flac/bad.130.TRACK_missing_INDEX_01_1.cue", 2, "no INDEX 01" },
    { "flac/bad.131.TRACK_missing_INDEX_01_2.cue", 2, "no INDEX 01" },
    { "flac/bad.132.TRACK_missing_INDEX_01_3.cue", 2, "no INDEX 01" },
    { "flac/bad.133.TRACK_missing_INDEX_01_4.cue", 2, "no INDEX 01" },
    { "flac/bad.134.TRACK_missing_number.cue", 2, "no number" },
    { "flac/bad.135.TRACK_invalid_number_1.cue", 2, "not a number" },
    { "flac/bad.136.TRACK_invalid_number_2.cue", 2, "out of range" },
    { "flac/bad.137.TRACK_cdda_out_of_range.cue", 2, "out of range" },
    { "flac/bad.138.TRACK_num_non_sequential.cue", 6, "consecutive" },
    { "flac/bad.139.TRACK_missing_type.cue", 2, "no datatype" },
    { "flac/bad.140.no_TRACKs.cue", 1, "no TRACK" },
    { "libcdio/bad-cat1.cue", 4, "no number" },
    { "libcdio/bad-cat2.cue", 4, "13 decimal digits" },
    { "libcdio/bad-cat3.cue", 4, "13 decimal digits" },
    { "libcdio/bad-mode1.cue", 6, "MODE3_FORM1" },
    { "libcdio/bad-msf-1.cue", 7, "00:00:100" },
    { "libcdio/bad-msf-2.cue", 7, "00:90:00" },
    { "libcdio/bad-msf-3.cue", 7, "xx:yy:0" },
};

TEST(cue_corpus_every_bad_sheet_is_rejected_at_its_line)
{
    struct disc_ctx ctx;
    size_t i;
    int n = 0, listed = 0;

    NEED_CORPUS();
    t_ctx(&ctx);
    for (i = 0; i < sizeof cu_bad_sheets / sizeof cu_bad_sheets[0]; i++) {
        const struct cu_bad *b = &cu_bad_sheets[i];
        const char *path = t_corpus_path(b->name);
        char want[256];
        struct disc *d = NULL;
        int r;

        /* The sheet is parsed whole before any FILE is opened, and a
         * missing FILE would be DISC_E_IO, not DISC_E_FORMAT. */
        r = disc_open_image(&ctx, path, &disc_fmt_cue, &d);
        snprintf(want, sizeof want, "%s:%u:", cu_base(b->name), b->line);
        if (r != DISC_E_FORMAT)
            t_fail(__FILE__, __LINE__,
                   "%s: expected DISC_E_FORMAT, got %d (%s)", b->name, r,
                   ctx.msg);
        else if (!strstr(ctx.msg, want) || !strstr(ctx.msg, b->why))
            t_fail(__FILE__, __LINE__,
                   "%s: message \"%s\" lacks \"%s\" or \"%s\"", b->name,
                   ctx.msg, want, b->why);
        else
            n++;
        disc_free(d);
    }
    CHECK_INT(42, n);
    /* The table covers every flac bad.0xx/1xx and libcdio bad-*.cue. */
    cu_corpus_list();
    for (i = 0; i < (size_t)cu_nfound; i++) {
        const char *b = cu_base(cu_found[i]);
        if ((strncmp(b, "bad-", 4) == 0 || strncmp(b, "bad.0", 5) == 0 ||
             strncmp(b, "bad.1", 5) == 0))
            listed++;
    }
    CHECK_INT(42, listed);
}

/* flac's bad.2xx break FLAC-only rules about "REM FLAC__lead-in/out"; a
 * CUE reader keeps REM lines as metadata.  They hold no TRACK, so they
 * fail for that reason only: with a track added they read. */
TEST(cue_corpus_flac_rem_rules_are_not_cue_rules)
{
    struct disc_ctx ctx;
    int i, n = 0;

    NEED_CORPUS();
    t_ctx(&ctx);
    cu_corpus_list();
    REQUIRE(cu_wav("z.wav", 600) == 0);
    for (i = 0; i < cu_nfound; i++) {
        const char *b = cu_base(cu_found[i]);
        struct disc *d = NULL;
        char *text, *copy;
        size_t len;

        if (strncmp(b, "bad.2", 5) != 0)
            continue;
        CHECK_ERR(&ctx, DISC_E_FORMAT, "no TRACK",
                  disc_open_image(&ctx, cu_found[i], &disc_fmt_cue, &d));
        text = t_slurp(cu_found[i], &len);
        REQUIRE(text);
        copy = malloc(len + 128);
        REQUIRE(copy);
        snprintf(copy, len + 128,
                 "%sFILE \"z.wav\" WAVE\n  TRACK 01 AUDIO\n"
                 "    INDEX 01 00:00:00\n",
                 text);
        REQUIRE(t_write_file("x.cue", copy, strlen(copy)) == 0);
        free(text);
        free(copy);
        if (disc_open_image(&ctx, "x.cue", &disc_fmt_cue, &d) == 0) {
            n++;
            CHECK(d->nmeta >= 1);
            CHECK(strncmp(d->meta[0].key, "FLAC__LEAD-", 11) == 0);
            disc_free(d);
        } else {
            t_fail(__FILE__, __LINE__, "%s + track: %s", b, ctx.msg);
        }
    }
    CHECK_INT(9, n);
}

TEST(cue_corpus_templates_name_the_unknown_mode)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    NEED_CORPUS();
    t_ctx(&ctx);
    /* cuetools.net templates: the placeholder is the first track (with
     * INDEX 01 in Headcandy), for a data track still to be filled in. */
    CHECK_ERR(&ctx, DISC_E_FORMAT,
              "Headcandy.cue:3: TRACK 01: unknown datatype \"MODEx/2xxx\"",
              disc_open_image(&ctx,
                              t_corpus_path("cuetools.net/Headcandy/"
                                            "Headcandy.cue"),
                              NULL, &d));
    CHECK_ERR(&ctx, DISC_E_FORMAT,
              "1.cue:2: TRACK 01: unknown datatype \"MODEx/2xxx\"",
              disc_open_image(&ctx,
                              t_corpus_path("cuetools.net/Circuitry/1.cue"),
                              NULL, &d));
    CHECK(d == NULL);
}

/* EAC's sheet of a CD-Extra whose data track was not ripped: the last
 * TRACK is "MODEx/2xxx" with only an INDEX 00, inside track 12's WAV.
 * The disc reads as its 12 audio tracks; track 12 ends at that INDEX 00
 * (the rest of the WAV is the data track's pregap, in no track). */
TEST(cue_corpus_kanye_unripped_data_track)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    char path[1200];
    int i;

    NEED_CORPUS();
    t_ctx(&ctx);
    /* Twelve WAVs named with '\' inside a subfolder, made as stand-ins
     * (the last one 06:01:45 + 300 sectors long). */
    REQUIRE(cu_stage(t_corpus_path("whipper/kanye.cue"), "k", path,
                     sizeof path) == 12);
    CHECK(t_exists("k/Kanye West - 808s & Heartbreak/Kanye West - "
                   "Pinocchio Story (Freestyle Live From Singapore).wav"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, path, NULL, &d));
    CHECK(strstr(t_log, "kanye.cue:85: TRACK 13 \"MODEx/2xxx\" is the "
                        "placeholder for a data track: the data session was "
                        "not ripped and is left out (TRACK 12 ends at the "
                        "placeholder's INDEX 00, 06:01:45)") != NULL);
    CHECK_INT(1, ctx.nwarn);
    CHECK_INT(12, d->ntracks);
    CHECK_INT(1, d->nsessions);
    for (i = 0; i < d->ntracks; i++)
        CHECK_INT(DISC_MODE_AUDIO, d->track[i].mode);
    /* Track 12: INDEX 01 at 00:00:00 of its own WAV (LBA 95554 with these
     * stand-ins: each WAV is its last INDEX + 300 sectors long), the
     * placeholder's INDEX 00 at 06:01:45 of the same WAV. */
    CHECK_INT(95554, d->track[11].index[1]);
    CHECK_INT(d->track[11].index[1] + (6 * 60 + 1) * 75 + 45,
              disc_track_end(d, 11));
    CHECK_INT(disc_track_end(d, 11), d->session[0].leadout);
    CHECK(disc_lba_stored(d, disc_track_end(d, 11) - 1));
    /* Nothing of the left-out track is kept. */
    CHECK(disc_cdtext_get(d, 0, 13, DISC_CDTEXT_TITLE) == NULL);
    CHECK_STR("Pinocchio Story (Freestyle Live From Singapore)",
              disc_cdtext_get(d, 0, 12, DISC_CDTEXT_TITLE));
    CHECK_STR("0602517931596", d->mcn);
    disc_free(d);
}

/* The placeholder rule beyond kanye.cue: any MODE?/2??? spelled with x,
 * in any letter case, as the last TRACK without INDEX 01.  What it holds
 * (text, REM lines, a session of its own) is left out with it. */
TEST(cue_unripped_placeholder_variants)
{
    static const struct {
        const char *tail; /* after track 02's INDEX 01 at 00:10:00 */
        int32_t end;      /* expected end of track 02 */
        const char *warn;
    } v[] = {
        { "REM SESSION 02\n  TRACK 03 modex/2xxx\n    TITLE \"Data\"\n"
          "    REM COMMENT \"gone\"\n    FLAGS DCP\n    INDEX 00 00:20:00\n",
          1500, "TRACK 03 \"modex/2xxx\" is the placeholder" },
        { "  TRACK 03 MODE2/2XXX\n", 2000, "(TRACK 02 ends with its FILE)" },
        { "FILE \"b.bin\" BINARY\n  TRACK 03 MODEx/2352\n"
          "    INDEX 00 00:01:00\n",
          2075, "ends at the placeholder's INDEX 00, 00:01:00)" },
    };
    struct disc_ctx ctx;
    size_t i;

    t_ctx(&ctx);
    REQUIRE(cu_sparse("a.bin", 2000LL * 2352) == 0);
    REQUIRE(cu_sparse("b.bin", 100LL * 2352) == 0);
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        char text[512];
        struct disc *d = NULL;

        snprintf(text, sizeof text,
                 "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n"
                 "    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n"
                 "    INDEX 01 00:10:00\n%s",
                 v[i].tail);
        REQUIRE(cu_write_text("u.cue", text) == 0);
        t_log[0] = '\0';
        ctx.nwarn = 0;
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "u.cue", NULL, &d));
        CHECK_INT(2, d->ntracks);
        CHECK_INT(1, d->nsessions);
        CHECK_INT(v[i].end, disc_track_end(d, 1));
        CHECK_INT(0, d->nmeta);
        CHECK(disc_cdtext_get(d, 0, 3, DISC_CDTEXT_TITLE) == NULL);
        CHECK_INT(1, ctx.nwarn);
        if (!strstr(t_log, v[i].warn))
            t_fail(__FILE__, __LINE__, "%zu: warning \"%s\" lacks \"%s\"", i,
                   t_log, v[i].warn);
        disc_free(d);
    }
}

/* good.005 is a sheet as FLAC embeds it: no FILE line.  Its only fault
 * for an image reader is that; its syntax (quoted ISRC in display form,
 * empty DISC_ID) reads once a FILE is given. */
TEST(cue_corpus_flac_good005_needs_only_a_file)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    char *text, *copy;
    size_t len;

    NEED_CORPUS();
    t_ctx(&ctx);
    CHECK_ERR(&ctx, DISC_E_FORMAT,
              "good.005.quoted.isrc.cue:1: TRACK before any FILE",
              disc_open_image(&ctx,
                              t_corpus_path("flac/good.005.quoted.isrc.cue"),
                              &disc_fmt_cue, &d));
    text = t_slurp(t_corpus_path("flac/good.005.quoted.isrc.cue"), &len);
    REQUIRE(text);
    copy = malloc(len + 64);
    REQUIRE(copy);
    snprintf(copy, len + 64, "FILE \"z.wav\" WAVE\r\n%s", text);
    REQUIRE(t_write_file("x.cue", copy, strlen(copy)) == 0);
    free(text);
    free(copy);
    REQUIRE(cu_wav("z.wav", 100) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.cue", &disc_fmt_cue, &d));
    CHECK_STR("USSM12345678", d->track[0].isrc);
    CHECK_STR("Foo", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
    CHECK_STR("Bar", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_PERFORMER));
    CHECK(disc_cdtext_get(d, 0, 1, DISC_CDTEXT_DISCID) == NULL);
    CHECK_INT(100, d->session[0].leadout);
    disc_free(d);
}

TEST(cue_libcdio_cdda)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    char a[33], b[33];

    NEED_CORPUS();
    t_ctx(&ctx);
    /* The sheet says "CDDA.BIN"; the file is cdda.bin. */
    REQUIRE_OK(&ctx, disc_open_image(&ctx, t_corpus_path("libcdio/cdda.cue"),
                                     NULL, &d));
    CHECK_STR("0000010271955", d->mcn);
    CHECK_STR("Join us now we have the software",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("Richard Stallman",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_PERFORMER));
    CHECK_STR("Soft", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
    CHECK_STR("Richard S", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_PERFORMER));
    CHECK_INT(1, d->ntracks);
    CHECK_INT(DISC_MODE_AUDIO, d->track[0].mode);
    CHECK_HEX(0x2, d->track[0].control);
    CHECK_INT(0, d->track[0].index[0]);
    CHECK_INT(0, d->track[0].index[1]);
    CHECK_INT(302, d->session[0].leadout);
    CHECK_INT(302, disc_track_length(d, 0));
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, d, 0, 302, a));
    CHECK_OK(&ctx, fx_md5_file(t_corpus_path("libcdio/cdda.bin"), 0, -1, b));
    CHECK_STR(b, a);
    disc_free(d);
}

TEST(cue_libcdio_cdda_4_5_starts_at_track_4)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    NEED_CORPUS();
    t_ctx(&ctx);
    REQUIRE_OK(
        &ctx,
        disc_open_image(&ctx, t_corpus_path("libcdio/cdda_4_5.cue"), NULL, &d));
    REQUIRE(d->ntracks == 2);
    CHECK_INT(4, d->track[0].number);
    CHECK_INT(5, d->track[1].number);
    CHECK_INT(4, d->session[0].first_track);
    CHECK_INT(5, d->session[0].last_track);
    CHECK_INT(150, d->track[1].index[1]);
    CHECK_INT(150, disc_track_length(d, 0));
    CHECK_INT(152, disc_track_length(d, 1));
    CHECK_HEX(0x2, d->track[1].control);
    disc_free(d);
}

TEST(cue_libcdio_isofs_m1_is_raw_mode1)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t sec[DISC_SECTOR_RAW];
    struct disc_sector_info si;

    NEED_CORPUS();
    t_ctx(&ctx);
    REQUIRE_OK(
        &ctx,
        disc_open_image(&ctx, t_corpus_path("libcdio/isofs-m1.cue"), NULL, &d));
    CHECK_STR("0000012101954", d->mcn);
    CHECK_INT(DISC_MODE_MODE1, d->track[0].mode);
    CHECK_HEX(DISC_CTL_DATA, d->track[0].control);
    CHECK_INT(0, d->session[0].type);
    CHECK_INT(302, d->session[0].leadout);
    /* Sector 16: the ISO 9660 primary volume descriptor, as stored. */
    REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, 16, 1, sec, NULL));
    disc_sector_classify(sec, &si);
    CHECK_INT(DISC_SECTOR_MODE1, si.type);
    CHECK_INT(16, si.lba);
    CHECK_INT(1, si.edc_ok);
    CHECK_MEM("\001CD001", sec + 16, 6);
    disc_free(d);
}

TEST(cue_libcdio_p1_names_the_missing_file)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    NEED_CORPUS();
    t_ctx(&ctx);
    CHECK_ERR(&ctx, DISC_E_IO, "p1.cue:4: FILE \"BOING.BIN\" not found",
              disc_open_image(&ctx, t_corpus_path("libcdio/p1.cue"), NULL, &d));
    CHECK_ERR(&ctx, DISC_E_IO, "cdda2.cue:4: FILE \"BOING2.BIN\" not found",
              disc_open_image(&ctx, t_corpus_path("libcdio-paranoia/cdda2.cue"),
                              NULL, &d));
    /* The same sheet pointing at p1.bin reads: pregaps of 1 s. */
    {
        char *t = t_slurp(t_corpus_path("libcdio/p1.cue"), NULL);
        char *u = cu_replace(t, "BOING.BIN", "p1.bin");
        char path[1024];
        REQUIRE(u);
        REQUIRE(cu_write_text("p1.cue", u) == 0);
        free(t);
        free(u);
        snprintf(path, sizeof path, "%s", t_corpus_path("libcdio/p1.bin"));
        REQUIRE(symlink(path, "p1.bin") == 0);
    }
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "p1.cue", NULL, &d));
    REQUIRE(d->ntracks == 2);
    CHECK_INT(0, d->track[0].index[0]);
    CHECK_INT(75, d->track[0].index[1]);
    CHECK_INT(150, d->track[1].index[0]);
    CHECK_INT(225, d->track[1].index[1]);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* EAC gap styles (whipper's surferrosa sheets)                        */

/* Sectors of the k-th FILE of an EAC per-track sheet, from the disc the
 * single-file sheet describes: "noncompliant"/"currentgap" append each
 * gap to the previous file, "corrected" prepends it to its own track,
 * "leftout" drops it (the sheet then says PREGAP). */
static long long
cu_eac_len(const struct disc *s, const char *style, int k)
{
    const struct disc_track *t = &s->track[k];
    disc_lba end =
        k + 1 < s->ntracks ? s->track[k + 1].index[1] : s->session[0].leadout;
    disc_lba next0 =
        k + 1 < s->ntracks ? s->track[k + 1].index[0] : s->session[0].leadout;

    if (strstr(style, "corrected"))
        return next0 - t->index[0];
    if (strstr(style, "leftout"))
        return next0 - t->index[1];
    return end - t->index[1];
}

/* First LBA of the k-th FILE of an EAC per-track sheet (see above). */
static disc_lba
cu_eac_start(const struct disc *s, const char *style, int k)
{
    return strstr(style, "corrected") ? s->track[k].index[0]
                                      : s->track[k].index[1];
}

/* Marks the first sector of a (sparse) WAV with a byte value. */
static int
cu_mark(const char *path, uint8_t v)
{
    uint8_t sec[DISC_SECTOR_RAW];
    int fd = open(path, O_WRONLY), r;

    if (fd < 0)
        return -1;
    memset(sec, v, sizeof sec);
    r = pwrite(fd, sec, sizeof sec, 44) == (ssize_t)sizeof sec ? 0 : -1;
    if (close(fd) != 0)
        r = -1;
    return r;
}

TEST(cue_eac_gap_styles_give_one_layout)
{
    static const char *const styles[] = { "noncompliant", "currentgap",
                                          "corrected", "leftout" };
    struct disc_ctx ctx;
    struct disc *single = NULL;
    char path[1200];
    size_t i;
    int r;

    NEED_CORPUS();
    t_ctx(&ctx);
    REQUIRE(cu_stage(t_corpus_path("whipper/surferrosa.eac.single.cue"),
                     "single", path, sizeof path) == 1);
    r = disc_open_image(&ctx, path, NULL, &single);
    REQUIRE_OK(&ctx, r);
    REQUIRE(single->ntracks == 21);
    CHECK_INT(0, single->track[0].index[0]);
    CHECK_INT(32, single->track[0].index[1]);
    CHECK_INT((5 * 60 + 8) * 75 + 42, single->track[2].index[0]);
    CHECK_INT((5 * 60 + 9) * 75 + 12, single->track[2].index[1]);
    for (i = 0; i < sizeof styles / sizeof styles[0]; i++) {
        char sheet[256], *text, *line, *save = NULL;
        struct disc *d = NULL;
        int k = 0, n;

        snprintf(sheet, sizeof sheet, "whipper/surferrosa.eac.%s.cue",
                 styles[i]);
        text = t_slurp(t_corpus_path(sheet), NULL);
        REQUIRE(text);
        snprintf(path, sizeof path, "%s/%s", styles[i], cu_base(sheet));
        cu_mkdirs(path);
        {
            size_t len;
            char *raw = t_slurp(t_corpus_path(sheet), &len);
            REQUIRE(raw && t_write_file(path, raw, len) == 0);
            free(raw);
        }
        /* Each WAV cut as the style cuts it, its first sector marked. */
        for (line = strtok_r(text, "\r\n", &save); line;
             line = strtok_r(NULL, "\r\n", &save)) {
            char name[512], type[16], file[800];
            if (!cu_file_line(line, name, sizeof name, type, sizeof type))
                continue;
            snprintf(file, sizeof file, "%s/%s", styles[i], name);
            REQUIRE(cu_wav(file, cu_eac_len(single, styles[i], k)) == 0);
            REQUIRE(cu_mark(file, (uint8_t)(0x80 + k)) == 0);
            k++;
        }
        free(text);
        CHECK_INT(21, k);
        r = disc_open_image(&ctx, path, NULL, &d);
        if (r != 0) {
            t_fail(__FILE__, __LINE__, "%s: %s", styles[i], ctx.msg);
            continue;
        }
        /* Same tracks, indexes, lengths, ISRCs, CD-TEXT and metadata as
         * the single-file rip. */
        if (disc_compare(&ctx, single, d, 0) != 0)
            t_fail(__FILE__, __LINE__, "%s differs: %s", styles[i], ctx.msg);
        /* Every WAV lands where the style puts it. */
        for (n = 0; n < k; n++) {
            uint8_t sec[DISC_SECTOR_RAW];
            disc_lba at = cu_eac_start(single, styles[i], n);
            CHECK_OK(&ctx, disc_read_sectors(&ctx, d, at, 1, sec, NULL));
            if (sec[0] != 0x80 + n || sec[2351] != 0x80 + n)
                t_fail(__FILE__, __LINE__, "%s: file %d is not at LBA %d",
                       styles[i], n + 1, at);
        }
        /* What differs is what is stored: the track-1 pregap is a
         * generated PREGAP except in "corrected"; "leftout" also drops
         * track 3's gap. */
        CHECK_INT(strcmp(styles[i], "corrected") == 0, disc_lba_stored(d, 0));
        CHECK_INT(strcmp(styles[i], "leftout") != 0,
                  disc_lba_stored(d, d->track[2].index[0]));
        disc_free(d);
    }
    CHECK_INT(1, disc_lba_stored(single, 0));
    disc_free(single);
}

TEST(cue_eac_index00_in_previous_file)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    int r;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("eac-noncompliant.cue", "e.cue") == 0);
    REQUIRE(cu_wav("Artist - Album/01 - One.wav", 1000) == 0);
    REQUIRE(cu_wav("Artist - Album/02 - Two.wav", 900) == 0);
    REQUIRE(cu_wav("Artist - Album/03 - Three.wav", 800) == 0);
    r = disc_open_image(&ctx, "e.cue", NULL, &d);
    REQUIRE_OK(&ctx, r);
    REQUIRE(d->ntracks == 3);
    /* PREGAP 00:00:32 is generated in front of file 1. */
    CHECK_INT(0, d->track[0].index[0]);
    CHECK_INT(32, d->track[0].index[1]);
    CHECK_INT(0, disc_lba_stored(d, 31));
    CHECK_INT(1, disc_lba_stored(d, 32));
    CHECK_INT(1032, d->track[1].index[1]);
    /* Track 3's INDEX 00 is 10 s into file 2; its INDEX 01 opens file 3. */
    CHECK_INT(1032 + 750, d->track[2].index[0]);
    CHECK_INT(1032 + 900, d->track[2].index[1]);
    CHECK_INT(1032 + 900 + 800, d->session[0].leadout);
    CHECK_STR("Three", disc_cdtext_get(d, 0, 3, DISC_CDTEXT_TITLE));
    CHECK_STR("\"ExactAudioCopy v0.99pb4\"", disc_meta_get(d, "COMMENT"));
    CHECK_STR("0A0B0C0D", disc_meta_get(d, "DISCID"));
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Lexical tolerance                                                   */

TEST(cue_lexing_tolerates_real_world_text)
{
    static const char *const sheets[] = {
        /* lower case, tabs, unquoted name with spaces, trailing blanks */
        "title \"Lower\"\nfile my disc.bin binary\n\ttrack 01 audio  \n"
        "\t\tindex 01 00:00:00\t\n",
        /* CR-only line ends (old Mac), mixed case */
        "Title \"Lower\"\rFile \"my disc.bin\" Binary\r  Track 01 Audio\r"
        "    Index 01 00:00:00\r",
        /* UTF-8 BOM, CRLF, no final line end */
        "\xEF\xBB\xBFTITLE \"Lower\"\r\nFILE \"my disc.bin\" BINARY\r\n"
        "  TRACK 01 AUDIO\r\n    INDEX 01 00:00:00",
        /* blank lines, a line of blanks, unknown command (warned) */
        "\n   \nTITLE \"Lower\"\nCDTEXMAIN\nFILE \"my disc.bin\" BINARY\n\n"
        "  TRACK 1 AUDIO\n    INDEX 1 0:0:0\n",
    };
    struct disc_ctx ctx;
    size_t i;

    t_ctx(&ctx);
    REQUIRE(cu_sparse("my disc.bin", 100 * DISC_SECTOR_RAW) == 0);
    for (i = 0; i < sizeof sheets / sizeof sheets[0]; i++) {
        struct disc *d = NULL;
        REQUIRE(cu_write_text("x.cue", sheets[i]) == 0);
        if (disc_open_image(&ctx, "x.cue", NULL, &d) != 0) {
            t_fail(__FILE__, __LINE__, "sheet %zu: %s", i, ctx.msg);
            continue;
        }
        CHECK_INT(1, d->ntracks);
        CHECK_INT(100, d->session[0].leadout);
        CHECK_STR("Lower", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
        disc_free(d);
    }
    CHECK(strstr(t_log, "x.cue:4: unknown command \"CDTEXMAIN\"") != NULL);
}

TEST(cue_lexing_latin1_and_quotes)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    /* ANSI (Latin-1) sheet from EAC; an inner quote; a name with a
     * backslash directory and different case. */
    REQUIRE(cu_sparse("Sub/A B.BIN", 100 * DISC_SECTOR_RAW) == 0);
    REQUIRE(cu_write_text("x.cue",
                          "PERFORMER \"Jos\xE9 Gonz\xE1lez\"\n"
                          "TITLE \"He said \"hi\"\"\n"
                          "FILE \"sub\\a b.bin\" BINARY\n"
                          "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.cue", NULL, &d));
    CHECK_STR("Jos\xC3\xA9 Gonz\xC3\xA1lez",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_PERFORMER));
    CHECK_STR("He said \"hi\"", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    disc_free(d);
    /* Written back, the quotes become ' and the packs keep the text. */
    REQUIRE(mkdir("o", 0755) == 0);
    d = NULL;
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.cue", NULL, &d));
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "o/y.cue", NULL));
    CHECK_INT(1, cu_count("o/y.cue", "TITLE \"He said 'hi'\""));
    CHECK_INT(1, cu_count("o/y.cue", "CDTEXTFILE \"y.cdt\""));
    {
        struct disc *b = NULL;
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "o/y.cue", NULL, &b));
        CHECK_STR("He said \"hi\"",
                  disc_cdtext_get(b, 0, 0, DISC_CDTEXT_TITLE));
        CHECK_OK(&ctx, disc_compare(&ctx, d, b,
                                    DISC_EQ_NO_CDTEXT_RAW | DISC_EQ_DATA));
        disc_free(b);
    }
    disc_free(d);
}

/* Every sheet in tests/data/cue/bad/ fails with the code, line and words
 * of its first line: "REM EXPECT <FORMAT|UNSUPPORTED|...> <line> <text>". */
TEST(cue_bad_fixtures_fail_at_their_line)
{
    struct disc_ctx ctx;
    DIR *dp;
    struct dirent *de;
    int n = 0;

    t_ctx(&ctx);
    dp = opendir(t_data("cue/bad"));
    REQUIRE(dp);
    while ((de = readdir(dp)) != NULL) {
        char rel[300], want[300], code[32], words[200], *text;
        unsigned line;
        struct disc *d = NULL;
        int r, expect;
        size_t len = strlen(de->d_name);

        if (len < 5 || strcmp(de->d_name + len - 4, ".cue") != 0)
            continue;
        snprintf(rel, sizeof rel, "cue/bad/%s", de->d_name);
        text = t_slurp(t_data(rel), NULL);
        REQUIRE(text);
        if (sscanf(text, "REM EXPECT %31s %u %199[^\n]", code, &line, words) !=
            3) {
            t_fail(__FILE__, __LINE__, "%s: no REM EXPECT line", de->d_name);
            free(text);
            continue;
        }
        free(text);
        expect = strcmp(code, "FORMAT") == 0        ? DISC_E_FORMAT
                 : strcmp(code, "UNSUPPORTED") == 0 ? DISC_E_UNSUPPORTED
                 : strcmp(code, "RANGE") == 0       ? DISC_E_RANGE
                                                    : DISC_E_IO;
        /* Companions exist, so only the fault under test can fail. */
        REQUIRE(cu_stage(t_data(rel), "b", want, sizeof want) >= 0);
        r = disc_open_image(&ctx, want, &disc_fmt_cue, &d);
        snprintf(want, sizeof want, "%s:%u: ", de->d_name, line);
        if (r != expect)
            t_fail(__FILE__, __LINE__, "%s: expected %d, got %d (%s)",
                   de->d_name, expect, r, ctx.msg);
        else if (!strstr(ctx.msg, want) || !strstr(ctx.msg, words))
            t_fail(__FILE__, __LINE__,
                   "%s: message \"%s\" lacks \"%s\" or \"%s\"", de->d_name,
                   ctx.msg, want, words);
        else
            n++;
        disc_free(d);
        t_run(NULL, 0, "rm -rf b");
    }
    closedir(dp);
    CHECK_INT(26, n);
}

/* ------------------------------------------------------------------ */
/* Layout: pregaps, postgaps, HTOA, sessions                           */

TEST(cue_full_sheet_model)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("full.cue", "full.cue") == 0);
    REQUIRE(cu_pattern_bin("full1.bin", 0, 300, DISC_MODE_AUDIO) == 0);
    {
        /* Track 2's data goes from file sector 300 to 749. */
        FILE *f = fopen("full1.bin", "ab");
        uint8_t sec[DISC_SECTOR_RAW];
        int i;
        REQUIRE(f);
        for (i = 0; i < 450; i++) {
            fx_sector(sec, 450 + i, DISC_MODE_AUDIO);
            REQUIRE(fwrite(sec, 1, sizeof sec, f) == sizeof sec);
        }
        REQUIRE(fclose(f) == 0);
    }
    REQUIRE(cu_pattern_bin("full2.bin", 12375, 300, DISC_MODE_MODE1) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "full.cue", NULL, &d));
    CHECK_STR("0724384260927", d->mcn);
    REQUIRE(d->ntracks == 3);
    REQUIRE(d->nsessions == 2);
    /* Track 1: FLAGS 4CH DCP PRE, INDEX 02/03, ISRC. */
    CHECK_HEX(DISC_CTL_4CH | DISC_CTL_COPY | DISC_CTL_PREEMPH,
              d->track[0].control);
    CHECK_INT(3, d->track[0].last_index);
    CHECK_INT(75, d->track[0].index[2]);
    CHECK_INT(150, d->track[0].index[3]);
    CHECK_STR("GBAYE9900001", d->track[0].isrc);
    /* Track 2: PREGAP 2 s generated, data from LBA 450, POSTGAP 1 s. */
    CHECK_INT(300, d->track[1].index[0]);
    CHECK_INT(450, d->track[1].index[1]);
    CHECK_INT(0, disc_lba_stored(d, 300));
    CHECK_INT(0, disc_lba_stored(d, 449));
    CHECK_INT(1, disc_lba_stored(d, 450));
    CHECK_INT(1, disc_lba_stored(d, 899));
    CHECK_INT(0, disc_lba_stored(d, 900));
    CHECK_INT(0, disc_lba_stored(d, 974));
    CHECK_INT(975, d->session[0].leadout);
    CHECK_HEX(DISC_CTL_COPY, d->track[1].control);
    /* Session 2 starts 11400 sectors after the lead-out. */
    CHECK_INT(975 + DISC_SESSION_GAP, d->track[2].index[1]);
    CHECK_INT(975 + DISC_SESSION_GAP + 300, d->session[1].leadout);
    CHECK_INT(DISC_MODE_MODE1, d->track[2].mode);
    CHECK_INT(0, d->session[1].type);
    /* REM metadata, disc and track level; SCMS kept as metadata. */
    CHECK_STR("\"Electronic\"", disc_meta_get(d, "GENRE"));
    CHECK_STR("1999", disc_meta_get(d, "DATE"));
    CHECK_STR("-3.21 dB", disc_meta_get(d, "TRACK 02 REPLAYGAIN_TRACK_GAIN"));
    CHECK_STR("SCMS", disc_meta_get(d, "TRACK 02 FLAGS"));
    CHECK_STR("Tester A", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_PERFORMER));
    CHECK_STR("Data", disc_cdtext_get(d, 0, 3, DISC_CDTEXT_TITLE));
    /* The data as stored. */
    {
        uint8_t sec[DISC_SECTOR_RAW], want[DISC_SECTOR_RAW];
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 450, 1, sec, NULL));
        fx_sector(want, 450, DISC_MODE_AUDIO);
        CHECK_MEM(want, sec, DISC_SECTOR_RAW);
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 12375, 1, sec, NULL));
        fx_sector(want, 12375, DISC_MODE_MODE1);
        CHECK_MEM(want, sec, DISC_SECTOR_RAW);
    }
    disc_free(d);
}

TEST(cue_htoa_and_track1_pregap)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("htoa.cue", "htoa.cue") == 0);
    REQUIRE(cu_fixture("pregap1.cue", "pregap1.cue") == 0);
    REQUIRE(cu_sparse("htoa.bin", 6000 * DISC_SECTOR_RAW) == 0);
    REQUIRE(cu_sparse("pregap1.bin", 1000 * DISC_SECTOR_RAW) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "htoa.cue", NULL, &d));
    CHECK_INT(0, d->track[0].index[0]);
    CHECK_INT(2250, d->track[0].index[1]);
    CHECK_INT(4500, d->track[1].index[1]);
    CHECK(disc_features(d) & DISC_CAP_HTOA);
    CHECK_INT(1, disc_lba_stored(d, 0));
    disc_free(d);
    d = NULL;
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "pregap1.cue", NULL, &d));
    CHECK_INT(0, d->track[0].index[0]);
    CHECK_INT(150, d->track[0].index[1]);
    CHECK_INT(0, disc_lba_stored(d, 0));
    CHECK_INT(0, disc_lba_stored(d, 149));
    CHECK_INT(1, disc_lba_stored(d, 150));
    CHECK_INT(1150, d->session[0].leadout);
    {
        const struct disc_extent *e = disc_extent_find(d, 0);
        REQUIRE(e);
        CHECK_INT(DISC_DATA_GEN, e->data);
        CHECK_INT(150, e->count);
    }
    disc_free(d);
}

/* docs/formats/cue.md: the single-file and split examples give one TOC, and the
 * split sheet written back from it is byte-exact with the example. */
TEST(cue_formats_examples_single_and_split_agree)
{
    struct disc_ctx ctx;
    struct disc *a = NULL, *b = NULL;
    struct disc_write_opts o;
    char *want, *got;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("fmt-single.cue", "Game.cue") == 0);
    REQUIRE(cu_fixture("fmt-split.cue", "split/Game.cue") == 0);
    REQUIRE(cu_sparse("Game.bin", 20000LL * DISC_SECTOR_RAW) == 0);
    REQUIRE(cu_sparse("split/Game (Track 1).bin", 10000LL * 2352) == 0);
    REQUIRE(cu_sparse("split/Game (Track 2).bin", 10000LL * 2352) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "Game.cue", NULL, &a));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "split/Game.cue", NULL, &b));
    CHECK_INT(150, a->track[1].index[1] - a->track[1].index[0]);
    CHECK_INT(10150, a->track[1].index[1]);
    CHECK_INT(10000, disc_track_length(a, 0));
    CHECK_OK(&ctx, disc_compare(&ctx, a, b, DISC_EQ_DATA));
    memset(&o, 0, sizeof o);
    o.split = 1;
    REQUIRE(mkdir("out", 0755) == 0);
    REQUIRE_OK(&ctx, disc_write(&ctx, a, &disc_fmt_cue, "out/Game.cue", &o));
    want = t_slurp(t_data("cue/fmt-split.cue"), NULL);
    got = t_slurp("out/Game.cue", NULL);
    REQUIRE(want && got);
    CHECK_STR(want, got);
    free(want);
    free(got);
    CHECK_INT(10000LL * 2352, t_file_size("out/Game (Track 1).bin"));
    CHECK_INT(10000LL * 2352, t_file_size("out/Game (Track 2).bin"));
    o.split = 0;
    REQUIRE_OK(&ctx, disc_write(&ctx, b, &disc_fmt_cue, "out/One.cue", &o));
    want = t_slurp(t_data("cue/fmt-single.cue"), NULL);
    got = t_slurp("out/One.cue", NULL);
    REQUIRE(want && got);
    {
        char *w2 = cu_replace(want, "Game.bin", "One.bin");
        CHECK_STR(w2, got);
        free(w2);
    }
    free(want);
    free(got);
    disc_free(a);
    disc_free(b);
}

TEST(cue_enhanced_cd_example)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("fmt-enhanced.cue", "Album.cue") == 0);
    REQUIRE(cu_sparse("Album (Track 1).bin", 15000LL * 2352) == 0);
    REQUIRE(cu_sparse("Album (Track 2).bin", 15000LL * 2352) == 0);
    REQUIRE(cu_sparse("Album (Track 3).bin", 8600LL * 2352) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "Album.cue", NULL, &d));
    REQUIRE(d->nsessions == 2);
    CHECK_INT(15000, d->track[1].index[0]);
    CHECK_INT(15150, d->track[1].index[1]);
    CHECK_INT(30000, d->session[0].leadout);
    CHECK_INT(41400, d->track[2].index[1]);
    CHECK_INT(41400, d->track[2].index[0]);
    CHECK_INT(50000, d->session[1].leadout);
    CHECK_INT(DISC_TYPE_XA, d->session[1].type);
    CHECK_INT(DISC_TYPE_CDDA, d->session[0].type);
    CHECK_INT(DISC_MODE_MODE2_MIXED, d->track[2].mode);
    disc_free(d);
}

TEST(cue_multisession_conventions)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    /* One FILE: REM LEAD-OUT is a position, INDEX times include the
     * unstored gap (DIC _img.cue, Aaru). */
    REQUIRE(cu_fixture("single-multisession.cue", "s.cue") == 0);
    REQUIRE(cu_pattern_bin("img.bin", 0, 600, DISC_MODE_AUDIO) == 0);
    {
        FILE *f = fopen("img.bin", "ab");
        uint8_t sec[DISC_SECTOR_RAW];
        int i;
        REQUIRE(f);
        for (i = 0; i < 300; i++) {
            fx_sector(sec, 12000 + i, DISC_MODE_MODE2_MIXED);
            REQUIRE(fwrite(sec, 1, sizeof sec, f) == sizeof sec);
        }
        REQUIRE(fclose(f) == 0);
    }
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "s.cue", NULL, &d));
    REQUIRE(d->nsessions == 2);
    CHECK_INT(600, d->session[0].leadout);
    CHECK_INT(12000, d->track[2].index[1]);
    CHECK_INT(12300, d->session[1].leadout);
    {
        uint8_t sec[DISC_SECTOR_RAW], want[DISC_SECTOR_RAW];
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 12000, 1, sec, NULL));
        fx_sector(want, 12000, DISC_MODE_MODE2_MIXED);
        CHECK_MEM(want, sec, DISC_SECTOR_RAW);
    }
    disc_free(d);
    d = NULL;
    /* Without REM LEAD-OUT the standard gap is assumed (libMirage). */
    {
        char *t = t_slurp("s.cue", NULL);
        char *u = cu_replace(t, "REM LEAD-OUT 00:08:00\n", "");
        REQUIRE(u && cu_write_text("s2.cue", u) == 0);
        free(t);
        free(u);
    }
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "s2.cue", NULL, &d));
    CHECK_INT(600, d->session[0].leadout);
    CHECK_INT(12000, d->track[2].index[1]);
    disc_free(d);
    d = NULL;
    /* DIC multi-BIN: REM LEAD-OUT/LEAD-IN/PREGAP are lengths; DIC prints
     * the session-2 values for session 3 too, where the real gap is
     * 6900. */
    REQUIRE(cu_fixture("dic-multibin.cue", "dic.cue") == 0);
    REQUIRE(cu_sparse("dic (Track 1).bin", 300LL * 2352) == 0);
    REQUIRE(cu_sparse("dic (Track 2).bin", 300LL * 2352) == 0);
    REQUIRE(cu_sparse("dic (Track 3).bin", 300LL * 2352) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "dic.cue", NULL, &d));
    REQUIRE(d->nsessions == 3);
    CHECK_INT(300, d->session[0].leadout);
    CHECK_INT(11700, d->track[1].index[1]);
    CHECK_INT(12000, d->session[1].leadout);
    CHECK_INT(18900, d->track[2].index[1]);
    CHECK_INT(0, d->nmeta);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

TEST(cue_write_single_sheet_text)
{
    static const char want[] = "CATALOG 0123456789012\nTITLE \"Fixture\"\n"
                               "PERFORMER \"The Testers\"\n"
                               "FILE \"out.bin\" BINARY\n"
                               "  TRACK 01 MODE1/2352\n    TITLE \"Data\"\n"
                               "    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n"
                               "    TITLE \"First song\"\n    FLAGS DCP\n"
                               "    INDEX 00 00:13:25\n    INDEX 01 00:15:25\n"
                               "  TRACK 03 AUDIO\n    TITLE \"Second song\"\n"
                               "    ISRC USRC17607839\n    FLAGS PRE\n"
                               "    INDEX 00 00:22:00\n    INDEX 01 00:23:00\n"
                               "    INDEX 02 00:24:25\n";
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_write_opts o;
    char *got, *crlf;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "out.cue", NULL));
    got = t_slurp("out.cue", NULL);
    REQUIRE(got);
    CHECK_STR(want, got);
    free(got);
    CHECK_INT(2125LL * DISC_SECTOR_RAW, t_file_size("out.bin"));
    /* --crlf: the same lines with CRLF. */
    memset(&o, 0, sizeof o);
    o.crlf = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "crlf.cue", &o));
    got = t_slurp("crlf.cue", NULL);
    crlf = cu_replace(want, "\n", "\r\n");
    REQUIRE(got && crlf);
    {
        char *w2 = cu_replace(crlf, "out.bin", "crlf.bin");
        CHECK_STR(w2, got);
        free(w2);
    }
    free(got);
    free(crlf);
    disc_free(d);
}

TEST(cue_write_split_sheet_text)
{
    static const char want[] = "CATALOG 0123456789012\nTITLE \"Fixture\"\n"
                               "PERFORMER \"The Testers\"\n"
                               "FILE \"g (Track 1).bin\" BINARY\n"
                               "  TRACK 01 MODE1/2352\n    TITLE \"Data\"\n"
                               "    INDEX 01 00:00:00\n"
                               "FILE \"g (Track 2).bin\" BINARY\n"
                               "  TRACK 02 AUDIO\n    TITLE \"First song\"\n"
                               "    FLAGS DCP\n    INDEX 00 00:00:00\n"
                               "    INDEX 01 00:02:00\n"
                               "FILE \"g (Track 3).bin\" BINARY\n"
                               "  TRACK 03 AUDIO\n    TITLE \"Second song\"\n"
                               "    ISRC USRC17607839\n    FLAGS PRE\n"
                               "    INDEX 00 00:00:00\n    INDEX 01 00:01:00\n"
                               "    INDEX 02 00:02:25\n";
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_write_opts o;
    char *got;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    o.split = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "g.cue", &o));
    got = t_slurp("g.cue", NULL);
    REQUIRE(got);
    CHECK_STR(want, got);
    free(got);
    CHECK_INT(1000LL * 2352, t_file_size("g (Track 1).bin"));
    CHECK_INT(650LL * 2352, t_file_size("g (Track 2).bin"));
    CHECK_INT(475LL * 2352, t_file_size("g (Track 3).bin"));
    disc_free(d);
}

/* single -> split -> single keeps every byte: per-track MD5s of the disc
 * and of the BIN slices agree, and the model compares equal. */
static void
cu_split_merge(struct disc *d, const char *tag)
{
    struct disc_ctx ctx;
    struct disc *a = NULL, *b = NULL, *c = NULL;
    struct disc_write_opts o;
    char md5[3][DISC_MAX_TRACKS][33], p[3][64];
    int i;

    t_ctx(&ctx);
    memset(&o, 0, sizeof o);
    snprintf(p[0], sizeof p[0], "%s-a.cue", tag);
    snprintf(p[1], sizeof p[1], "%s-b.cue", tag);
    snprintf(p[2], sizeof p[2], "%s-c.cue", tag);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, p[0], &o, &a));
    o.split = 1;
    REQUIRE_OK(&ctx, cu_write_read(&ctx, a, p[1], &o, &b));
    o.split = 0;
    o.merge = 1; /* one BIN again */
    REQUIRE_OK(&ctx, cu_write_read(&ctx, b, p[2], &o, &c));
    REQUIRE_OK(&ctx, cu_track_md5(&ctx, d, md5[0]));
    REQUIRE_OK(&ctx, cu_track_md5(&ctx, b, md5[1]));
    REQUIRE_OK(&ctx, cu_track_md5(&ctx, c, md5[2]));
    for (i = 0; i < d->ntracks; i++) {
        CHECK_STR(md5[0][i], md5[1][i]);
        CHECK_STR(md5[0][i], md5[2][i]);
    }
    if (disc_compare(&ctx, d, a,
                     DISC_EQ_DATA | DISC_EQ_NO_SUB | DISC_EQ_NO_CDTEXT_RAW) !=
        0)
        t_fail(__FILE__, __LINE__, "%s: written disc differs: %s", tag,
               ctx.msg);
    if (disc_compare(&ctx, a, b, DISC_EQ_DATA) != 0)
        t_fail(__FILE__, __LINE__, "%s: split differs: %s", tag, ctx.msg);
    if (disc_compare(&ctx, a, c, DISC_EQ_DATA) != 0)
        t_fail(__FILE__, __LINE__, "%s: merged differs: %s", tag, ctx.msg);
    /* The merged BIN is byte-identical to the first one (a multi-session
     * disc is written split by default, so there is no first one). */
    if (d->nsessions == 1) {
        char x[33], y[33], f[2][80];
        snprintf(f[0], sizeof f[0], "%s-a.bin", tag);
        snprintf(f[1], sizeof f[1], "%s-c.bin", tag);
        CHECK(fx_md5_file(f[0], 0, -1, x) == 0);
        CHECK(fx_md5_file(f[1], 0, -1, y) == 0);
        CHECK_STR(x, y);
    }
    /* Each split BIN holds exactly its track's stored sectors. */
    for (i = 0; i < b->ntracks; i++) {
        char f[96], x[33];
        if (b->ntracks == 1)
            snprintf(f, sizeof f, "%s-b.bin", tag);
        else
            snprintf(f, sizeof f, "%s-b (Track %d).bin", tag,
                     b->track[i].number);
        if (disc_lba_stored(b, b->track[i].index[0]) &&
            disc_lba_stored(b, disc_track_end(b, i) - 1)) {
            CHECK(fx_md5_file(f, 0, -1, x) == 0);
            CHECK_STR(md5[0][i], x);
        }
    }
    disc_free(a);
    disc_free(b);
    disc_free(c);
}

TEST(cue_split_merge_keeps_every_byte)
{
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    cu_split_merge(d, "mixed");
    disc_free(d);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    {
        /* The Form 1 track becomes "Mode 2 mixed" (a soft loss). */
        struct disc *back = NULL;
        REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "enh.cue", NULL, &back));
        CHECK(strstr(t_log, "Mode 2 form") != NULL);
        CHECK_INT(DISC_MODE_MODE2_MIXED, back->track[2].mode);
        CHECK_INT(DISC_TYPE_XA, back->session[1].type);
        CHECK_INT(d->track[2].index[1], back->track[2].index[1]);
        CHECK_OK(&ctx, disc_compare(&ctx, d, back,
                                    DISC_EQ_DATA | DISC_EQ_MODE2_FAMILY |
                                        DISC_EQ_NO_SUB));
        cu_split_merge(back, "enh");
        disc_free(back);
    }
    disc_free(d);
}

TEST(cue_split_merge_full_sheet)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("full.cue", "full.cue") == 0);
    REQUIRE(cu_pattern_bin("full1.bin", 0, 750, DISC_MODE_AUDIO) == 0);
    REQUIRE(cu_pattern_bin("full2.bin", 12375, 300, DISC_MODE_MODE1) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "full.cue", NULL, &d));
    cu_split_merge(d, "full");
    /* Everything the sheet said is in the rewritten sheets. */
    CHECK_INT(1, cu_count("full-b.cue", "CATALOG 0724384260927"));
    CHECK_INT(1, cu_count("full-b.cue", "ISRC GBAYE9900001"));
    CHECK_INT(1, cu_count("full-b.cue", "FLAGS 4CH DCP PRE"));
    CHECK_INT(1, cu_count("full-b.cue", "FLAGS DCP SCMS"));
    CHECK_INT(1, cu_count("full-b.cue", "INDEX 03 00:02:00"));
    CHECK_INT(1, cu_count("full-b.cue", "    PREGAP 00:02:00"));
    CHECK_INT(1, cu_count("full-b.cue", "POSTGAP 00:01:00"));
    CHECK_INT(1, cu_count("full-b.cue", "REM SESSION 02"));
    CHECK_INT(1, cu_count("full-b.cue", "REM GENRE \"Electronic\""));
    CHECK_INT(1, cu_count("full-b.cue", "    REM REPLAYGAIN_TRACK_GAIN"));
    CHECK_INT(1, cu_count("full-c.cue", "REM LEAD-OUT 00:10:00"));
    /* Generated gaps stay generated: nothing was written for them; the
     * gap between the sessions is in the merged BIN as zeros (padded). */
    CHECK_INT((750LL + DISC_SESSION_GAP) * 2352,
              t_file_size("full-c.bin") - 300LL * 2352);
    disc_free(d);
}

TEST(cue_write_nonstandard_session_gap)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *a = NULL, *b = NULL;
    struct disc_write_opts o;

    t_ctx(&ctx);
    /* Session 2 starts 12000 sectors after the lead-out, session 3 11400
     * (not the usual 6900), written as DIC-style length lines. */
    REQUIRE(cu_write_text("in.cue", "REM SESSION 01\nFILE \"t1.bin\" BINARY\n"
                                    "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"
                                    "REM LEAD-OUT 01:38:00\nREM SESSION 02\n"
                                    "FILE \"t2.bin\" BINARY\n"
                                    "  TRACK 02 MODE1/2352\n"
                                    "    INDEX 01 00:00:00\n"
                                    "REM LEAD-OUT 01:30:01\nREM SESSION 03\n"
                                    "REM LEAD-IN 00:59:74\n"
                                    "FILE \"t3.bin\" BINARY\n"
                                    "  TRACK 03 MODE1/2352\n"
                                    "    INDEX 01 00:00:00\n") == 0);
    REQUIRE(cu_pattern_bin("t1.bin", 0, 300, DISC_MODE_AUDIO) == 0);
    REQUIRE(cu_pattern_bin("t2.bin", 12300, 300, DISC_MODE_MODE1) == 0);
    REQUIRE(cu_pattern_bin("t3.bin", 24000, 300, DISC_MODE_MODE1) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "in.cue", NULL, &d));
    CHECK_INT(300, d->session[0].leadout);
    CHECK_INT(12300, d->track[1].index[1]);
    CHECK_INT(12600, d->session[1].leadout);
    CHECK_INT(24000, d->track[2].index[1]);
    REQUIRE(mkdir("o", 0755) == 0);
    memset(&o, 0, sizeof o);
    o.split = 1;
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "o/split.cue", &o, &a));
    CHECK_OK(&ctx, disc_compare(&ctx, d, a, DISC_EQ_DATA));
    CHECK_INT(2, cu_count("o/split.cue", "REM LEAD-OUT"));
    CHECK_INT(2, cu_count("o/split.cue", "REM LEAD-IN"));
    o.split = 0;
    o.merge = 1;
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "o/one.cue", &o, &b));
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    /* Padded: every sector at its LBA, the gaps stored as zeros. */
    CHECK_INT(24300LL * 2352, t_file_size("o/one.bin"));
    disc_free(a);
    disc_free(b);
    disc_free(d);
}

TEST(cue_meta_round_trips)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *b = NULL;

    t_ctx(&ctx);
    REQUIRE(cu_sparse("m.bin", 300LL * 2352) == 0);
    REQUIRE(cu_write_text("m.cue", "REM GENRE \"Hip Hop\"\n"
                                   "REM ORIGINAL MEDIA-TYPE: CD\n"
                                   "REM Ripping Tool: someripper 1.0\n"
                                   "REM $Id: x.cue,v 1.1 $\n"
                                   "REM REPLAYGAIN_ALBUM_GAIN -7.89 dB\n"
                                   "REM LEAD-OUT 01:30:00\n"
                                   "FILE \"m.bin\" BINARY\n  TRACK 01 AUDIO\n"
                                   "    REM REPLAYGAIN_TRACK_PEAK 0.988800\n"
                                   "    INDEX 01 00:00:00\n") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "m.cue", NULL, &d));
    CHECK_STR("\"Hip Hop\"", disc_meta_get(d, "GENRE"));
    CHECK_STR("CD", disc_meta_get(d, "ORIGINAL MEDIA-TYPE"));
    CHECK_STR("someripper 1.0", disc_meta_get(d, "RIPPING TOOL"));
    CHECK_STR("x.cue,v 1.1 $", disc_meta_get(d, "$ID:"));
    CHECK_STR("0.988800", disc_meta_get(d, "TRACK 01 REPLAYGAIN_TRACK_PEAK"));
    CHECK_STR("01:30:00", disc_meta_get(d, "LEAD-OUT"));
    REQUIRE(mkdir("o", 0755) == 0);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "o/m.cue", NULL, &b));
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    CHECK_INT(1, cu_count("o/m.cue", "REM ORIGINAL MEDIA-TYPE: CD\n"));
    CHECK_INT(1, cu_count("o/m.cue", "    REM REPLAYGAIN_TRACK_PEAK"));
    disc_free(b);
    /* A key the sheet cannot hold is a reported loss. */
    b = NULL;
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d, "SESSION", "05"));
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "metadata SESSION",
              disc_write(&ctx, d, &disc_fmt_cue, "o/n.cue", NULL));
    CHECK(!t_exists("o/n.cue"));
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* CDTEXTFILE, CDG, MOTOROLA, --cooked                                  */

TEST(cue_cdtextfile_two_languages)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *b = NULL;

    NEED_CORPUS();
    t_ctx(&ctx);
    REQUIRE(cu_fixture("cdtext.cue", "c.cue") == 0);
    REQUIRE(symlink(t_corpus_path("libcdio/cdtext.cdt"), "cdtext.cdt") == 0);
    REQUIRE(cu_sparse("three.bin", 300LL * 2352) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "c.cue", NULL, &d));
    CHECK_INT(96 * 18, d->cdtext_raw_len);
    CHECK(d->ncdtext >= 2);
    /* The packs win over the sheet's TITLE (libcdio test/cdtext.right). */
    CHECK_STR("Joyful Nights", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("United Cat Orchestra",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_PERFORMER));
    CHECK_STR("Song of Joy", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
    CHECK_STR("Freudvolle N\xC3\xA4"
              "chte",
              disc_cdtext_get(d, 1, 0, DISC_CDTEXT_TITLE));
    CHECK(disc_features(d) & DISC_CAP_CDTEXT_LANGS);
    /* Written back: CDTEXTFILE with the very packs, text for block 0. */
    REQUIRE(mkdir("o", 0755) == 0);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "o/c.cue", NULL, &b));
    CHECK_INT(1, cu_count("o/c.cue", "CDTEXTFILE \"c.cdt\""));
    CHECK_INT(1, cu_count("o/c.cue", "PERFORMER \"United Cat Orchestra\""));
    CHECK_INT(96 * 18, t_file_size("o/c.cdt"));
    {
        char x[33], y[33];
        CHECK(fx_md5_file("o/c.cdt", 0, 96 * 18, x) == 0);
        CHECK(fx_md5_file("cdtext.cdt", 0, 96 * 18, y) == 0);
        CHECK_STR(y, x);
    }
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    disc_free(b);
    disc_free(d);
}

/* CDTEXTFILE framing is the core's (disc_cdtext_frame): a READ TOC
 * header and one trailing byte are allowed; a trailing byte other than
 * NUL is warned about.  Whatever the file cannot give is an error naming
 * the sheet's line and the file. */
TEST(cue_cdtextfile_framing)
{
    static const struct {
        int header;       /* prepend a 4-byte READ TOC format-5 header */
        int tail;         /* append this byte (-1: none) */
        long cut;         /* bytes taken off the end of the packs */
        int err;          /* expected result */
        const char *text; /* in the message or the warnings */
    } v[] = {
        { 0, -1, 0, 0, NULL },
        { 1, -1, 0, 0, NULL },
        { 1, 0x00, 0, 0, NULL },
        { 0, 0x41, 0, 0, "ignoring a trailing byte 0x41" },
        { 0, -1, 1, DISC_E_FORMAT, "c.cue:1: CDTEXTFILE \"c.cdt\": CD-TEXT: " },
        { 0, -1, -1, DISC_E_FORMAT,
          "c.cue:1: CDTEXTFILE \"c.cdt\" holds no CD-TEXT pack" },
        { 0, -1, -2, DISC_E_FORMAT,
          "c.cue:1: CDTEXTFILE \"c.cdt\": CD-TEXT: none of the 1 packs" },
    };
    struct disc_ctx ctx;
    struct disc *src;
    uint8_t *packs = NULL, buf[4096];
    size_t len = 0, i;

    t_ctx(&ctx);
    src = disc_new(&ctx);
    REQUIRE(src);
    REQUIRE_OK(&ctx,
               disc_cdtext_set(&ctx, src, 0, 0, DISC_CDTEXT_TITLE, "Framed"));
    REQUIRE_OK(&ctx,
               disc_cdtext_set(&ctx, src, 0, 1, DISC_CDTEXT_TITLE, "One"));
    REQUIRE_OK(&ctx, disc_cdtext_encode(&ctx, src, &packs, &len));
    REQUIRE(len > 0 && len % 18 == 0 && len + 5 <= sizeof buf);
    REQUIRE(cu_write_text("c.cue", "CDTEXTFILE \"c.cdt\"\n"
                                   "FILE \"a.bin\" BINARY\n"
                                   "  TRACK 01 AUDIO\n"
                                   "    INDEX 01 00:00:00\n") == 0);
    REQUIRE(cu_sparse("a.bin", 300LL * 2352) == 0);
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct disc *d = NULL;
        size_t n = 0, body = len;
        int r;

        if (v[i].cut > 0)
            body = len - (size_t)v[i].cut;
        else if (v[i].cut == -1)
            body = 0;
        if (v[i].header) {
            disc_wr_be16(buf, (uint16_t)(body + 2));
            buf[2] = buf[3] = 0;
            n = 4;
        }
        if (v[i].cut == -2) {
            memset(buf + n, 0x20, 18); /* one pack of no pack type */
            n += 18;
        } else {
            memcpy(buf + n, packs, body);
            n += body;
        }
        if (v[i].tail >= 0)
            buf[n++] = (uint8_t)v[i].tail;
        REQUIRE(t_write_file("c.cdt", buf, n) == 0);
        t_log[0] = '\0';
        r = disc_open_image(&ctx, "c.cue", NULL, &d);
        CHECK_INT(v[i].err, r);
        if (r == 0) {
            CHECK_INT(len, d->cdtext_raw_len);
            CHECK_STR("Framed", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
            CHECK_STR("One", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
        }
        if (v[i].text && !strstr(r ? ctx.msg : t_log, v[i].text))
            t_fail(__FILE__, __LINE__, "%zu: \"%s\" lacks \"%s\"", i,
                   r ? ctx.msg : t_log, v[i].text);
        if (!v[i].text && r == 0)
            CHECK_STR("", t_log);
        disc_free(d);
    }
    disc_free_mem(packs);
    disc_free(src);
}

TEST(cue_cdg_keeps_subchannel_with_sub)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *b = NULL;
    struct disc_write_opts o;
    uint8_t rec[2448], sub[DISC_SECTOR_SUB], lin[DISC_SECTOR_SUB];
    FILE *f;
    int i;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("cdg.cue", "k.cue") == 0);
    f = fopen("karaoke.bin", "wb");
    REQUIRE(f);
    for (i = 0; i < 200; i++) {
        int j;
        fx_sector(rec, i, DISC_MODE_AUDIO);
        for (j = 0; j < 96; j++)
            rec[2352 + j] = (uint8_t)(i * 7 + j * 13);
        REQUIRE(fwrite(rec, 1, sizeof rec, f) == sizeof rec);
    }
    REQUIRE(fclose(f) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "k.cue", NULL, &d));
    CHECK_INT(DISC_SUB_CAPTURED, d->sub);
    CHECK_INT(200, d->session[0].leadout);
    REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, 5, 1, NULL, sub));
    for (i = 0; i < 96; i++)
        rec[2352 + i] = (uint8_t)(5 * 7 + i * 13);
    disc_sub_deinterleave(rec + 2352, lin);
    CHECK_MEM(lin, sub, DISC_SECTOR_SUB);
    /* Without --sub the subchannel would be lost: refused. */
    REQUIRE(mkdir("o", 0755) == 0);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "--sub",
              disc_write(&ctx, d, &disc_fmt_cue, "o/a.cue", NULL));
    memset(&o, 0, sizeof o);
    o.sub = 1;
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "o/b.cue", &o, &b));
    CHECK_INT(1, cu_count("o/b.cue", "TRACK 01 CDG"));
    {
        char x[33], y[33];
        CHECK(fx_md5_file("o/b.bin", 0, -1, x) == 0);
        CHECK(fx_md5_file("karaoke.bin", 0, -1, y) == 0);
        CHECK_STR(y, x);
    }
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    disc_free(b);
    disc_free(d);
}

TEST(cue_motorola_is_big_endian_audio)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *le = NULL;
    uint8_t sec[DISC_SECTOR_RAW], got[DISC_SECTOR_RAW];
    FILE *f;
    int i, k;

    t_ctx(&ctx);
    /* Track 1 Mode 1 (sectors 0-149, not swapped), track 2 audio stored
     * with every 16-bit word byte-swapped. */
    REQUIRE(cu_fixture("motorola.cue", "m.cue") == 0);
    f = fopen("be.bin", "wb");
    REQUIRE(f);
    for (i = 0; i < 400; i++) {
        fx_sector(sec, i, i < 150 ? DISC_MODE_MODE1 : DISC_MODE_AUDIO);
        if (i >= 150)
            for (k = 0; k < DISC_SECTOR_RAW; k += 2) {
                uint8_t t = sec[k];
                sec[k] = sec[k + 1];
                sec[k + 1] = t;
            }
        REQUIRE(fwrite(sec, 1, sizeof sec, f) == sizeof sec);
    }
    REQUIRE(fclose(f) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "m.cue", NULL, &d));
    for (i = 0; i < 400; i += 37) {
        fx_sector(sec, i, i < 150 ? DISC_MODE_MODE1 : DISC_MODE_AUDIO);
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, i, 1, got, NULL));
        CHECK_MEM(sec, got, DISC_SECTOR_RAW);
    }
    /* Written as BINARY, the audio is little-endian again. */
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "le.cue", NULL, &le));
    CHECK_INT(1, cu_count("le.cue", "BINARY"));
    CHECK_OK(&ctx, disc_compare(&ctx, d, le, DISC_EQ_DATA));
    {
        FILE *g = fopen("le.bin", "rb");
        REQUIRE(g);
        REQUIRE(fseek(g, 200L * DISC_SECTOR_RAW, SEEK_SET) == 0);
        REQUIRE(fread(got, 1, sizeof got, g) == sizeof got);
        fclose(g);
        fx_sector(sec, 200, DISC_MODE_AUDIO);
        CHECK_MEM(sec, got, DISC_SECTOR_RAW);
    }
    disc_free(le);
    disc_free(d);
}

TEST(cue_cooked_reads_and_writes)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *raw = NULL, *e, *back = NULL;
    struct disc_write_opts o;
    uint8_t sec[DISC_SECTOR_RAW], want[DISC_SECTOR_RAW];
    FILE *f;
    int i;

    t_ctx(&ctx);
    /* MODE1/2048 input: raw sectors are rebuilt with EDC/ECC. */
    REQUIRE(cu_fixture("cooked.cue", "c.cue") == 0);
    f = fopen("cooked.iso", "wb");
    REQUIRE(f);
    for (i = 0; i < 300; i++) {
        fx_sector(sec, i, DISC_MODE_MODE1);
        REQUIRE(fwrite(sec + 16, 1, 2048, f) == 2048);
    }
    REQUIRE(fclose(f) == 0);
    REQUIRE(cu_pattern_bin("audio.bin", 300, 400, DISC_MODE_AUDIO) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "c.cue", NULL, &d));
    CHECK_INT(300, d->track[1].index[0]);
    CHECK_INT(450, d->track[1].index[1]);
    CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 123, 1, sec, NULL));
    fx_sector(want, 123, DISC_MODE_MODE1);
    CHECK_MEM(want, sec, DISC_SECTOR_RAW);
    /* Raw out, cooked back: the ISO is byte-identical. */
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "raw.cue", NULL, &raw));
    CHECK_INT(700LL * 2352, t_file_size("raw.bin"));
    memset(&o, 0, sizeof o);
    o.cooked = 1;
    o.split = 1;
    REQUIRE_OK(&ctx, cu_write_read(&ctx, raw, "ck.cue", &o, &back));
    CHECK_INT(1, cu_count("ck.cue", "TRACK 01 MODE1/2048"));
    CHECK_INT(300LL * 2048, t_file_size("ck (Track 1).bin"));
    {
        char x[33], y[33];
        CHECK(fx_md5_file("ck (Track 1).bin", 0, -1, x) == 0);
        CHECK(fx_md5_file("cooked.iso", 0, -1, y) == 0);
        CHECK_STR(y, x);
    }
    CHECK_OK(&ctx, disc_compare(&ctx, d, back, DISC_EQ_DATA));
    disc_free(back);
    back = NULL;
    /* A Form 1 track whose subheaders are not 00 00 08 00 would lose them
     * as MODE2/2048: refused, and with --lossy warned. */
    e = fx_disc_enhanced(&ctx);
    REQUIRE(e);
    o.split = 0;
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "--cooked would lose bytes of track 3",
              disc_write(&ctx, e, &disc_fmt_cue, "e.cue", &o));
    CHECK(!t_exists("e.cue"));
    CHECK(!t_exists("e.bin"));
    o.allow_lossy = 1;
    t_log[0] = '\0';
    CHECK_OK(&ctx, disc_write(&ctx, e, &disc_fmt_cue, "e.cue", &o));
    CHECK(strstr(t_log, "lost the headers, subheaders or EDC/ECC of 700 of "
                        "700 sectors of track 3") != NULL);
    CHECK_INT(1, cu_count("e.cue", "TRACK 03 MODE2/2048"));
    disc_free(e);
    disc_free(raw);
    disc_free(d);
}

/* A FILE holding tracks of different sector sizes: INDEX times count
 * sectors, the byte position adds up each track's own size. */
TEST(cue_mixed_sector_sizes_in_one_file)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *b = NULL;
    uint8_t sec[DISC_SECTOR_RAW], want[DISC_SECTOR_RAW];
    FILE *f;
    int i;

    t_ctx(&ctx);
    f = fopen("mix.bin", "wb");
    REQUIRE(f);
    for (i = 0; i < 100; i++) {
        fx_sector(sec, i, DISC_MODE_MODE1);
        REQUIRE(fwrite(sec + 16, 1, 2048, f) == 2048);
    }
    for (i = 100; i < 150; i++) {
        fx_sector(sec, i, DISC_MODE_AUDIO);
        REQUIRE(fwrite(sec, 1, DISC_SECTOR_RAW, f) == DISC_SECTOR_RAW);
    }
    REQUIRE(fclose(f) == 0);
    REQUIRE(cu_write_text("mix.cue", "FILE \"mix.bin\" BINARY\n"
                                     "  TRACK 01 MODE1/2048\n"
                                     "    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n"
                                     "    INDEX 01 00:01:25\n") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "mix.cue", NULL, &d));
    CHECK_INT(100, d->track[1].index[1]);
    CHECK_INT(150, d->session[0].leadout);
    for (i = 0; i < 150; i += 7) {
        fx_sector(want, i, i < 100 ? DISC_MODE_MODE1 : DISC_MODE_AUDIO);
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, i, 1, sec, NULL));
        CHECK_MEM(want, sec, DISC_SECTOR_RAW);
    }
    /* Written raw (every track 2352), it reads back the same. */
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "raw.cue", NULL, &b));
    CHECK_INT(150LL * 2352, t_file_size("raw.bin"));
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    disc_free(b);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Errors and safe output                                              */

TEST(cue_errors_name_file_and_line)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cu_write_text("miss.cue", "FILE \"nothere.bin\" BINARY\n"
                                      "  TRACK 01 AUDIO\n"
                                      "    INDEX 01 00:00:00\n") == 0);
    CHECK_ERR(&ctx, DISC_E_IO, "miss.cue:1: FILE \"nothere.bin\" not found",
              disc_open_image(&ctx, "miss.cue", NULL, &d));
    /* INDEX 01 of track 2 beyond the end of a 100-sector BIN. */
    REQUIRE(cu_sparse("short.bin", 100LL * 2352) == 0);
    REQUIRE(cu_write_text("short.cue", "FILE \"short.bin\" BINARY\n"
                                       "  TRACK 01 AUDIO\n"
                                       "    INDEX 01 00:00:00\n"
                                       "  TRACK 02 AUDIO\n"
                                       "    INDEX 01 00:02:00\n") == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE,
              "short.cue:5: INDEX 01 of TRACK 02 at "
              "00:02:00 is beyond the end of FILE \"short.bin\"",
              disc_open_image(&ctx, "short.cue", NULL, &d));
    /* The last index exactly at the end: the track would be empty. */
    REQUIRE(cu_write_text("edge.cue", "FILE \"short.bin\" BINARY\n"
                                      "  TRACK 01 AUDIO\n"
                                      "    INDEX 01 00:00:00\n"
                                      "    INDEX 02 00:01:25\n") == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, "FILE \"short.bin\"",
              disc_open_image(&ctx, "edge.cue", NULL, &d));
    /* A tail that is not a whole sector is warned about and ignored. */
    REQUIRE(cu_sparse("odd.bin", 100LL * 2352 + 7) == 0);
    REQUIRE(cu_write_text("odd.cue", "FILE \"odd.bin\" BINARY\n"
                                     "  TRACK 01 AUDIO\n"
                                     "    INDEX 01 00:00:00\n") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "odd.cue", NULL, &d));
    CHECK_INT(100, d->session[0].leadout);
    CHECK(strstr(t_log, "7 bytes that are not a whole 2352-byte sector") !=
          NULL);
    disc_free(d);
    d = NULL;
    /* A BIN truncated after the sheet was read: the copy names it. */
    REQUIRE(cu_sparse("t.bin", 300LL * 2352) == 0);
    REQUIRE(cu_write_text("t.cue", "FILE \"t.bin\" BINARY\n"
                                   "  TRACK 01 MODE1/2352\n"
                                   "    INDEX 01 00:00:00\n") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "t.cue", NULL, &d));
    REQUIRE(truncate("t.bin", 200LL * 2352) == 0);
    REQUIRE(mkdir("o", 0755) == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, "t.bin",
              disc_write(&ctx, d, &disc_fmt_cue, "o/x.cue", NULL));
    disc_free(d);
    /* Nothing at all is left in o/: no outputs, no temporary files. */
    {
        DIR *dp = opendir("o");
        struct dirent *de;
        int n = 0;
        REQUIRE(dp);
        while ((de = readdir(dp)) != NULL)
            if (de->d_name[0] != '.')
                n++;
        closedir(dp);
        CHECK_INT(0, n);
    }
}

TEST(cue_existing_output_is_kept)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_write_opts o;
    char *t;
    DIR *dp;
    struct dirent *de;
    int n = 0;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE(cu_write_text("x.cue", "keep me\n") == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "x.cue",
              disc_write(&ctx, d, &disc_fmt_cue, "x.cue", NULL));
    t = t_slurp("x.cue", NULL);
    CHECK_STR("keep me\n", t);
    free(t);
    CHECK(!t_exists("x.bin"));
    /* The companion exists but the sheet does not: also refused. */
    REQUIRE(cu_write_text("y.bin", "keep\n") == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "y.bin",
              disc_write(&ctx, d, &disc_fmt_cue, "y.cue", NULL));
    CHECK(!t_exists("y.cue"));
    CHECK_INT(5, t_file_size("y.bin"));
    dp = opendir(".");
    REQUIRE(dp);
    while ((de = readdir(dp)) != NULL)
        if (strstr(de->d_name, ".tmp"))
            n++;
    closedir(dp);
    CHECK_INT(0, n);
    /* --force replaces both. */
    memset(&o, 0, sizeof o);
    o.force = 1;
    CHECK_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "y.cue", &o));
    CHECK_INT(2125LL * 2352, t_file_size("y.bin"));
    /* An input is never overwritten, --force or not. */
    {
        struct disc *r = NULL;
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "y.cue", NULL, &r));
        CHECK_ERR(&ctx, DISC_E_ARG, "input",
                  disc_write(&ctx, r, &disc_fmt_cue, "y.cue", &o));
        disc_free(r);
    }
    disc_free(d);
}

TEST(cue_probe_scores)
{
    static const struct {
        const char *text;
        int zero;
    } cases[] = {
        { "FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n", 0 },
        { "\xEF\xBB\xBFREM GENRE Rock\nTITLE \"x\"\nfile a.wav wave\n", 0 },
        { "CD_DA\nTRACK AUDIO\nFILE \"a.bin\" 0\n", 1 },
        { "[CloneCD]\nVersion=3\n", 1 },
        { "// cdrdao\nCD_ROM\n", 1 },
        { "MEDIA DESCRIPTOR", 1 },
        { "hello world\nthis is text\n", 1 },
    };
    uint8_t buf[4096 + 16];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].text);
        int s;
        memset(buf, 0, sizeof buf);
        memcpy(buf, cases[i].text, n);
        s = disc_fmt_cue.probe(buf, n, "x");
        if (cases[i].zero ? s != 0 : s < 50)
            t_fail(__FILE__, __LINE__, "case %zu scored %d", i, s);
    }
    memset(buf, 0, sizeof buf);
    memcpy(buf, "FILE", 4);
    CHECK_INT(0, disc_fmt_cue.probe(buf, 64, "x")); /* NUL bytes */
}

/* ------------------------------------------------------------------ */
/* Independent readers                                                 */

struct cu_info_track {
    int number;
    long lsn;
    char type[16];
    char copy[8];
    char pre[8];
};

/* cd-info's track list ("  1: 00:02:00  000000 audio  false  yes ..."),
 * the lead-out as number 170. */
static int
cu_cdinfo(const char *cue, struct cu_info_track *t, int max, char *mcn)
{
    static char out[65536];
    char *line, *save = NULL;
    int n = 0;

    if (t_run(out, sizeof out,
              "cd-info --no-device-info --no-cddb "
              "--no-disc-mode --cue-file '%s' 2>&1",
              cue) < 0)
        return -1;
    mcn[0] = '\0';
    for (line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        int num;
        char msf[16], lsn[16], type[16], green[8], copy[8], ch[8], pre[8];
        int k = sscanf(line, " %d: %15s %15s %15s %7s %7s %7s %7s", &num, msf,
                       lsn, type, green, copy, ch, pre);
        if (k >= 4 && msf[2] == ':' && n < max) {
            t[n].number = num;
            t[n].lsn = strtol(lsn, NULL, 10);
            snprintf(t[n].type, sizeof t[n].type, "%s", type);
            snprintf(t[n].copy, sizeof t[n].copy, "%s", k >= 6 ? copy : "");
            snprintf(t[n].pre, sizeof t[n].pre, "%s", k >= 8 ? pre : "");
            n++;
        }
        if (sscanf(line, "Media Catalog Number (MCN): %13s", msf) == 1)
            snprintf(mcn, 14, "%.13s", msf);
    }
    return n;
}

/* cd-info (libcdio's own CUE parser) sees what discarc wrote: the same
 * track numbers, kinds, start LSNs, flags, MCN and lead-out. */
static void
cu_check_cdinfo(const struct disc *d, const char *cue)
{
    struct cu_info_track t[DISC_MAX_TRACKS + 1];
    char mcn[16];
    int n = cu_cdinfo(cue, t, DISC_MAX_TRACKS + 1, mcn), i;

    CHECK_INT(d->ntracks + 1, n);
    if (n != d->ntracks + 1)
        return;
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *x = &d->track[i];
        CHECK_INT(x->number, t[i].number);
        CHECK_INT(x->index[1], t[i].lsn);
        CHECK_STR(disc_track_is_data(x) ? "data" : "audio", t[i].type);
        CHECK_STR(x->control & DISC_CTL_COPY ? "yes" : "no", t[i].copy);
        if (!disc_track_is_data(x))
            CHECK_STR(x->control & DISC_CTL_PREEMPH ? "yes" : "no", t[i].pre);
    }
    CHECK_INT(170, t[n - 1].number);
    CHECK_INT(d->session[0].leadout, t[n - 1].lsn);
    CHECK_STR(d->mcn, mcn);
}

TEST(cue_cdinfo_reads_what_we_write)
{
    struct disc_ctx ctx;
    struct disc *d, *c = NULL;

    NEED_TOOL("cd-info");
    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "mixed.cue", NULL));
    cu_check_cdinfo(d, "mixed.cue");
    disc_free(d);
    if (!t_corpus)
        return;
    REQUIRE_OK(&ctx, disc_open_image(&ctx, t_corpus_path("libcdio/cdda.cue"),
                                     NULL, &c));
    REQUIRE_OK(&ctx, disc_write(&ctx, c, &disc_fmt_cue, "cdda.cue", NULL));
    cu_check_cdinfo(c, "cdda.cue");
    disc_free(c);
    c = NULL;
    REQUIRE_OK(
        &ctx,
        disc_open_image(&ctx, t_corpus_path("libcdio/isofs-m1.cue"), NULL, &c));
    REQUIRE_OK(&ctx, disc_write(&ctx, c, &disc_fmt_cue, "iso.cue", NULL));
    cu_check_cdinfo(c, "iso.cue");
    {
        char x[33], y[33];
        CHECK(fx_md5_file("iso.bin", 0, -1, x) == 0);
        CHECK(fx_md5_file(t_corpus_path("libcdio/isofs-m1.bin"), 0, -1, y) ==
              0);
        CHECK_STR(y, x);
    }
    disc_free(c);
}

/* chdman accepts our sheet, and extractcd gives back the same bytes per
 * track.  chdman keeps the INDEX 00 pregap data ("PGTYPE:V...") and
 * writes it back as INDEX 00; CHD pads tracks to 4-frame multiples
 * internally but extractcd writes exactly the track's frames. */
TEST(cue_chdman_round_trip_same_bytes)
{
    struct disc_ctx ctx;
    struct disc *d, *back = NULL, *ours = NULL;
    char a[DISC_MAX_TRACKS][33], b[DISC_MAX_TRACKS][33];
    int i;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "m.cue", NULL, &ours));
    REQUIRE(t_run(NULL, 0,
                  "chdman createcd -i m.cue -o m.chd >/dev/null 2>&1") == 0);
    REQUIRE(t_run(NULL, 0,
                  "chdman extractcd -i m.chd -o back.cue -ob "
                  "back.bin >/dev/null 2>&1") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "back.cue", NULL, &back));
    REQUIRE(back->ntracks == ours->ntracks);
    REQUIRE_OK(&ctx, cu_track_md5(&ctx, ours, a));
    REQUIRE_OK(&ctx, cu_track_md5(&ctx, back, b));
    for (i = 0; i < ours->ntracks; i++) {
        CHECK_INT(ours->track[i].index[0], back->track[i].index[0]);
        CHECK_INT(ours->track[i].index[1], back->track[i].index[1]);
        CHECK_INT(disc_track_length(ours, i), disc_track_length(back, i));
        CHECK_STR(a[i], b[i]);
    }
    CHECK_INT(t_file_size("m.bin"), t_file_size("back.bin"));
    disc_free(back);
    disc_free(ours);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* What peer tools lose, and discarc keeps                             */

/* bchunk cuts each track from its INDEX 01, so the INDEX 00 pregap
 * sectors are not in its output; discarc's BIN slice keeps them. */
TEST(cue_peer_bchunk_drops_pregaps)
{
    struct disc_ctx ctx;
    struct disc *d, *ours = NULL;
    char x[33], y[33];

    NEED_TOOL("bchunk");
    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "m.cue", NULL, &ours));
    REQUIRE(t_run(NULL, 0, "bchunk -w m.bin m.cue trk >/dev/null 2>&1") == 0);
    /* Track 2: 150 pregap + 500 sectors; bchunk keeps 500. */
    CHECK_INT(44 + 500LL * 2352, t_file_size("trk02.wav"));
    CHECK_INT(650, disc_track_length(ours, 1));
    CHECK(fx_md5_file("trk02.wav", 44, -1, x) == 0);
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, ours, 1150, 500, y));
    CHECK_STR(y, x);
    /* Track 3: 75 pregap + 100 to INDEX 02 + 300.  bchunk starts at the
     * track's last INDEX line, so it keeps only the 300 after INDEX 02. */
    CHECK_INT(44 + 300LL * 2352, t_file_size("trk03.wav"));
    CHECK(fx_md5_file("trk03.wav", 44, -1, x) == 0);
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, ours, 1825, 300, y));
    CHECK_STR(y, x);
    CHECK_INT(475, disc_track_length(ours, 2));
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, ours, 1150, 500, y));
    /* Our split BIN of track 2 has all 650 sectors, pregap first. */
    {
        struct disc_write_opts o;
        struct disc *s = NULL;
        memset(&o, 0, sizeof o);
        o.split = 1;
        REQUIRE_OK(&ctx, cu_write_read(&ctx, ours, "s.cue", &o, &s));
        CHECK_INT(650LL * 2352, t_file_size("s (Track 2).bin"));
        CHECK(fx_md5_file("s (Track 2).bin", 150LL * 2352, -1, x) == 0);
        CHECK_STR(y, x);
        disc_free(s);
    }
    disc_free(ours);
    disc_free(d);
}

/* chdman's CHD has no place for CATALOG, ISRC, INDEX 02+, CD-TEXT or
 * FLAGS: extractcd's sheet lacks them.  discarc's CUE -> CUE keeps all. */
TEST(cue_peer_chdman_drops_metadata)
{
    struct disc_ctx ctx;
    struct disc *d, *ours = NULL, *again = NULL, *back = NULL;
    static const char *const kept[] = { "CATALOG", "ISRC", "INDEX 02", "TITLE",
                                        "FLAGS" };
    size_t i;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, d, "m.cue", NULL, &ours));
    REQUIRE(t_run(NULL, 0,
                  "chdman createcd -i m.cue -o m.chd >/dev/null 2>&1") == 0);
    REQUIRE(t_run(NULL, 0,
                  "chdman extractcd -i m.chd -o back.cue -ob "
                  "back.bin >/dev/null 2>&1") == 0);
    REQUIRE(mkdir("o", 0755) == 0);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, ours, "o/again.cue", NULL, &again));
    for (i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        CHECK(cu_count("m.cue", kept[i]) >= 1);
        CHECK(cu_count("o/again.cue", kept[i]) >= 1);
        if (cu_count("back.cue", kept[i]) != 0)
            t_fail(__FILE__, __LINE__,
                   "chdman now keeps %s: update docs/formats/cue.md", kept[i]);
    }
    CHECK_OK(&ctx, disc_compare(&ctx, ours, again, DISC_EQ_DATA));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "back.cue", NULL, &back));
    CHECK(disc_compare(&ctx, ours, back, 0) == 1);
    CHECK_STR("", back->mcn);
    CHECK_INT(1, back->track[2].last_index);
    disc_free(back);
    disc_free(again);
    disc_free(ours);
    disc_free(d);
}

/* cdrdao's toc2cue drops CATALOG, ISRC and PRE_EMPHASIS of a .toc;
 * the same disc described by our sheet keeps them. */
TEST(cue_peer_toc2cue_drops_catalog_isrc)
{
    struct disc_ctx ctx;
    struct disc *peer = NULL, *ours = NULL, *again = NULL;

    NEED_TOOL("toc2cue");
    t_ctx(&ctx);
    REQUIRE(cu_pattern_bin("a.bin", 0, 302, DISC_MODE_AUDIO) == 0);
    REQUIRE(cu_write_text("t.toc", "CD_DA\nCATALOG \"0000010271955\"\n"
                                   "TRACK AUDIO\nISRC \"USRC17607839\"\n"
                                   "COPY\nFILE \"a.bin\" 0 00:02:00\n"
                                   "TRACK AUDIO\nISRC \"GBAYE0000001\"\n"
                                   "PRE_EMPHASIS\n"
                                   "FILE \"a.bin\" 00:02:00 00:02:02\n") == 0);
    REQUIRE(t_run(NULL, 0, "toc2cue t.toc peer.cue >/dev/null 2>&1") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "peer.cue", NULL, &peer));
    /* The same disc, as our sheet states it. */
    REQUIRE(cu_write_text("ours.cue", "CATALOG 0000010271955\n"
                                      "FILE \"a.bin\" BINARY\n"
                                      "  TRACK 01 AUDIO\n"
                                      "    ISRC USRC17607839\n    FLAGS DCP\n"
                                      "    INDEX 01 00:00:00\n"
                                      "  TRACK 02 AUDIO\n"
                                      "    ISRC GBAYE0000001\n    FLAGS PRE\n"
                                      "    INDEX 01 00:02:00\n") == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "ours.cue", NULL, &ours));
    /* Layout and data agree... */
    REQUIRE(peer->ntracks == 2);
    CHECK_INT(ours->track[1].index[1], peer->track[1].index[1]);
    CHECK_INT(ours->session[0].leadout, peer->session[0].leadout);
    CHECK_HEX(DISC_CTL_COPY, peer->track[0].control);
    /* ...but toc2cue lost the MCN, both ISRCs and PRE. */
    CHECK_STR("", peer->mcn);
    CHECK_STR("", peer->track[0].isrc);
    CHECK_STR("", peer->track[1].isrc);
    CHECK_HEX(0, peer->track[1].control);
    CHECK_STR("0000010271955", ours->mcn);
    CHECK_STR("GBAYE0000001", ours->track[1].isrc);
    CHECK_HEX(DISC_CTL_PREEMPH, ours->track[1].control);
    REQUIRE(mkdir("o", 0755) == 0);
    REQUIRE_OK(&ctx, cu_write_read(&ctx, ours, "o/again.cue", NULL, &again));
    CHECK_OK(&ctx, disc_compare(&ctx, ours, again, DISC_EQ_DATA));
    disc_free(again);
    disc_free(ours);
    disc_free(peer);
}

/* ------------------------------------------------------------------ */
/* Allocation failures and flat memory                                 */

static int
cu_dir_has(const char *dir, const char *needle)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int hit = 0;

    if (!dp)
        return 0;
    while (!hit && (de = readdir(dp)) != NULL)
        hit = strstr(de->d_name, needle) != NULL;
    closedir(dp);
    return hit;
}

TEST(cue_oom)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct disc_write_opts o;
    long k;
    int r, pass;

    t_ctx(&ctx);
    REQUIRE(cu_fixture("full.cue", "full.cue") == 0);
    REQUIRE(cu_sparse("full1.bin", 750LL * 2352) == 0);
    REQUIRE(cu_sparse("full2.bin", 300LL * 2352) == 0);
    k = fx_oom_open(&ctx, "full.cue", &d, 5000);
    REQUIRE(d);
    CHECK(k > 20);
    /* A second language block makes the writer produce a CDTEXTFILE. */
    REQUIRE_OK(
        &ctx, disc_cdtext_set(&ctx, d, 1, 0, DISC_CDTEXT_TITLE, "Volles Haus"));
    REQUIRE(mkdir("o", 0755) == 0);
    for (pass = 0; pass < 2; pass++) {
        memset(&o, 0, sizeof o);
        o.split = pass;
        o.force = 1;
        for (k = 1; k < 5000; k++) {
            disc_alloc_reset();
            disc_alloc_fail_at(k);
            r = disc_write(&ctx, d, &disc_fmt_cue, "o/y.cue", &o);
            disc_alloc_fail_at(0);
            if (!disc_alloc_failed()) {
                CHECK_OK(&ctx, r);
                break;
            }
            if (r != DISC_E_NOMEM || t_exists("o/y.cue") ||
                cu_dir_has("o", ".tmp-")) {
                t_fail(__FILE__, __LINE__, "write %d, allocation %ld: %d %s",
                       pass, k, r, ctx.msg);
                break;
            }
        }
        CHECK(k > 10);
        CHECK(t_exists("o/y.cue"));
        CHECK(t_exists("o/y.cdt"));
        unlink("o/y.cue");
    }
    disc_free(d);
}

TEST(cue_write_memory_is_flat)
{
    struct disc_ctx ctx;
    size_t peak[2];
    int k;

    for (k = 0; k < 2; k++) {
        struct disc *d;
        struct disc_write_opts o;
        int32_t len = k ? 20000 : 1000;

        t_ctx(&ctx);
        d = fx_disc_audio(&ctx, 4, len / 4);
        REQUIRE(d);
        memset(&o, 0, sizeof o);
        o.force = 1;
        disc_alloc_reset();
        REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "x.cue", &o));
        peak[k] = disc_alloc_peak() - disc_alloc_live();
        CHECK_INT((long long)(len + 450) * DISC_SECTOR_RAW,
                  t_file_size("x.bin"));
        disc_free(d);
    }
    CHECK_INT(peak[0], peak[1]);
    CHECK(peak[1] < 4u << 20);
}

/* Descriptors open now (the progress callback samples them). */
static int cu_fd_max;

static void
cu_count_fds(void *user, int64_t done, int64_t total)
{
    DIR *dp = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    (void)user;
    (void)done;
    (void)total;
    if (!dp)
        return;
    while ((de = readdir(dp)) != NULL)
        n += de->d_name[0] != '.';
    closedir(dp);
    if (n > cu_fd_max)
        cu_fd_max = n;
}

/* --split of 99 tracks: each BIN is finished (flushed, closed, buffer
 * freed) when its track is written, so memory and descriptors do not
 * grow with the number of files; all appear at the commit. */
TEST(cue_split_99_tracks_is_flat)
{
    static const int ntracks[2] = { 2, 99 };
    struct fx_track t[DISC_MAX_TRACKS];
    size_t peak[2];
    int fds[2], k, i, base;

    memset(t, 0, sizeof t);
    for (i = 0; i < DISC_MAX_TRACKS; i++) {
        t[i].mode = DISC_MODE_AUDIO;
        t[i].session = 1;
        t[i].length = 10;
    }
    for (k = 0; k < 2; k++) {
        struct disc_ctx ctx;
        struct disc_write_opts o;
        struct disc *d;
        char dir[16], path[64];

        t_ctx(&ctx);
        d = fx_disc_build(&ctx, t, ntracks[k], NULL);
        REQUIRE(d);
        memset(&o, 0, sizeof o);
        o.split = 1;
        snprintf(dir, sizeof dir, "s%d", k);
        REQUIRE(mkdir(dir, 0755) == 0);
        snprintf(path, sizeof path, "%s/x.cue", dir);
        cu_fd_max = 0;
        cu_count_fds(NULL, 0, 0);
        base = cu_fd_max;
        ctx.progress = cu_count_fds;
        disc_alloc_reset();
        REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, path, &o));
        peak[k] = disc_alloc_peak() - disc_alloc_live();
        fds[k] = cu_fd_max - base;
        snprintf(path, sizeof path, "%s/x (Track %02d).bin", dir, ntracks[k]);
        if (k)
            CHECK_INT(10LL * 2352, t_file_size(path));
        disc_free(d);
    }
    /* One BIN open at a time: no more descriptors for 99 files than for
     * 2 (the sampler's own directory descriptor included). */
    CHECK(fds[1] <= 2);
    CHECK_INT(fds[0], fds[1]);
    /* Names and output records grow a little; a write buffer per BIN
     * (1 MiB each) would not fit. */
    CHECK(peak[1] < peak[0] + (256u << 10));
    CHECK(peak[1] < 4u << 20);
}
