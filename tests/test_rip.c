/* test_rip.c - ripping (gap policies, HTOA, names, tags, CUE sheet,
 * AccurateRip, byte order, all-or-nothing output), decoding audio files
 * as sources, and extracting data tracks (ISO, MPEG, Mode 2).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Tests named peer_* compare with sox/soxi, flac, bchunk, ffmpeg and
 * vcdimager and skip when the tool is missing.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "alloc.h"
#include "fixture.h"
#include "rip.h"
#include "test.h"
#include "vcd.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

#define PI 3.14159265358979323846

/* 1 if needle (n bytes) occurs in the first len bytes of hay. */
static int
has(const void *hay, size_t len, const void *needle, size_t n)
{
    const uint8_t *h = hay;
    size_t i;

    for (i = 0; i + n <= len; i++)
        if (memcmp(h + i, needle, n) == 0)
            return 1;
    return 0;
}

/* 1 if needle occurs in s, ignoring ASCII case. */
static int
has_nocase(const char *s, const char *needle)
{
    size_t n = strlen(needle);

    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

/* Three audio tracks: pregaps 0/150/75, INDEX 02 in track 2, ISRC,
 * flags, CD-TEXT titles, album and artist. */
static struct disc *
rip_disc(struct disc_ctx *ctx, int idx2)
{
    const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 300, 0, "USRC17607839", "Alpha", 0 },
        { DISC_MODE_AUDIO, 1, 150, 200, idx2 ? 50 : 0, NULL, "Beta",
          DISC_CTL_COPY },
        { DISC_MODE_AUDIO, 1, 75, 250, 0, NULL, "Gamma",
          DISC_CTL_PREEMPH | DISC_CTL_4CH },
    };
    struct disc *d = fx_disc_build(ctx, t, 3, "0123456789012");
    if (d && (disc_cdtext_set(ctx, d, 0, 0, DISC_CDTEXT_TITLE, "Album") ||
              disc_cdtext_set(ctx, d, 0, 0, DISC_CDTEXT_PERFORMER, "Artist"))) {
        disc_free(d);
        return NULL;
    }
    return d;
}

/* Audio content of memory discs. */
enum mem_fill { FILL_NOISE, FILL_SINE, FILL_SINE_SWAPPED };

struct mem_track {
    int32_t pregap, length;
    int silent_pregap;
};

/* A disc of audio tracks served from heap memory (*mem, freed by the
 * caller after the disc); stored_sectors < total makes the source end
 * early so reads fail there. */
static struct disc *
mem_disc(struct disc_ctx *ctx, const struct mem_track *t, int n,
         enum mem_fill fill, uint8_t **mem, int64_t stored_sectors)
{
    struct disc *d = disc_new(ctx);
    struct disc_source *src;
    struct disc_extent e = { 0 };
    int32_t total = 0, l = 0;
    uint32_t seed = 12345;
    int i;
    size_t k;

    *mem = NULL;
    if (!d)
        return NULL;
    for (i = 0; i < n; i++)
        total += t[i].pregap + t[i].length;
    *mem = malloc((size_t)total * DISC_SECTOR_RAW);
    if (!*mem) {
        disc_free(d);
        return NULL;
    }
    for (k = 0; k < (size_t)total * 588; k++) {
        int16_t a, b;
        if (fill == FILL_NOISE) {
            seed = seed * 1103515245u + 12345u;
            a = (int16_t)(seed >> 16);
            seed = seed * 1103515245u + 12345u;
            b = (int16_t)(seed >> 16);
        } else {
            a = (int16_t)(9000 * sin(2 * PI * 440.0 * (double)k / 44100));
            b = (int16_t)(7000 * sin(2 * PI * 660.0 * (double)k / 44100));
        }
        if (fill == FILL_SINE_SWAPPED) {
            (*mem)[4 * k] = (uint8_t)((uint16_t)a >> 8);
            (*mem)[4 * k + 1] = (uint8_t)a;
            (*mem)[4 * k + 2] = (uint8_t)((uint16_t)b >> 8);
            (*mem)[4 * k + 3] = (uint8_t)b;
        } else {
            disc_wr_le16(*mem + 4 * k, (uint16_t)a);
            disc_wr_le16(*mem + 4 * k + 2, (uint16_t)b);
        }
    }
    d->nsessions = 1;
    d->session[0].number = 1;
    d->session[0].first_track = 1;
    d->session[0].last_track = (uint8_t)n;
    for (i = 0; i < n; i++) {
        struct disc_track *tr = &d->track[d->ntracks++];
        tr->number = (uint8_t)(i + 1);
        tr->session = 1;
        tr->mode = DISC_MODE_AUDIO;
        tr->index[0] = l;
        tr->index[1] = l + t[i].pregap;
        tr->last_index = 1;
        if (t[i].silent_pregap)
            memset(*mem + (size_t)l * DISC_SECTOR_RAW, 0,
                   (size_t)t[i].pregap * DISC_SECTOR_RAW);
        l += t[i].pregap + t[i].length;
    }
    d->session[0].leadout = l;
    if (disc_source_mem_new(ctx, *mem,
                            (stored_sectors ? stored_sectors : total) *
                                DISC_SECTOR_RAW,
                            &src) != 0) {
        disc_free(d);
        return NULL;
    }
    disc_source_attach(d, src);
    e.lba = 0;
    e.count = (uint32_t)total;
    e.src = src;
    e.stride = DISC_SECTOR_RAW;
    e.data = DISC_DATA_RAW;
    if (disc_extent_add(ctx, d, &e) != 0) {
        disc_free(d);
        return NULL;
    }
    d->sub = DISC_SUB_SYNTH;
    return d;
}

/* Offset and length of the PCM in a WAV (RIFF "data") or AIFF ("SSND")
 * file image; -1 if absent. */
static int
pcm_chunk(const uint8_t *b, size_t len, int aiff, size_t *off, size_t *n)
{
    size_t p = 12;

    if (len < 12)
        return -1;
    while (p + 8 <= len) {
        uint32_t size =
            aiff ? disc_rd_be32(b + p + 4) : disc_rd_le32(b + p + 4);
        if (!aiff && memcmp(b + p, "data", 4) == 0) {
            *off = p + 8;
            *n = size;
            return 0;
        }
        if (aiff && memcmp(b + p, "SSND", 4) == 0) {
            uint32_t o = disc_rd_be32(b + p + 8);
            *off = p + 16 + o;
            *n = size - 8 - o;
            return 0;
        }
        p += 8 + size + (size & 1);
    }
    return -1;
}

/* Checks that the PCM of an audio file equals count sectors of d from
 * lba (AIFF: every 16-bit word swapped). */
static void
check_pcm_at(const char *file, int line, const struct disc *d, const char *path,
             disc_lba lba, uint32_t count, int aiff)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    size_t len = 0, off = 0, n = 0, i;
    uint8_t *b = (uint8_t *)t_slurp(path, &len), *s;

    if (!b) {
        t_fail(file, line, "%s: cannot read", path);
        return;
    }
    if (pcm_chunk(b, len, aiff, &off, &n) != 0 || off + n > len) {
        t_fail(file, line, "%s: no PCM chunk", path);
        free(b);
        return;
    }
    if (n != (size_t)count * DISC_SECTOR_RAW) {
        t_fail(file, line, "%s: %zu PCM bytes, expected %zu", path, n,
               (size_t)count * DISC_SECTOR_RAW);
        free(b);
        return;
    }
    s = malloc(n ? n : 1);
    if (s && disc_read_sectors(&ctx, d, lba, count, s, NULL) == 0) {
        for (i = 0; i < n; i++)
            if (b[off + i] != s[aiff ? i ^ 1 : i])
                break;
        if (i < n)
            t_fail(file, line,
                   "%s: PCM differs at byte %zu (sector %zu "
                   "from LBA %d)",
                   path, i, i / DISC_SECTOR_RAW, lba);
    } else {
        t_fail(file, line, "%s: cannot read the disc: %s", path, ctx.msg);
    }
    free(s);
    free(b);
}
#define CHECK_PCM(d, path, lba, count, aiff)                                   \
    check_pcm_at(__FILE__, __LINE__, d, path, lba, count, aiff)

static int
rip_with(struct disc_ctx *ctx, const struct disc *d, const char *fmt,
         const char *dir, enum disc_rip_gaps gaps, const char *name,
         struct disc_rip_plan **plan)
{
    struct disc_rip_opts o;

    memset(&o, 0, sizeof o);
    o.gaps = gaps;
    o.name = name;
    o.accuraterip = 1;
    return disc_rip(ctx, d, disc_format_find(fmt), dir, &o, plan);
}

/* Names in directory dir (sorted), joined with '|'. */
static void
list_dir(const char *dir, char *out, size_t n)
{
    struct dirent **ent = NULL;
    int k, m = scandir(dir, &ent, NULL, alphasort);
    size_t o = 0;

    out[0] = '\0';
    for (k = 0; k < m; k++) {
        if (strcmp(ent[k]->d_name, ".") && strcmp(ent[k]->d_name, ".."))
            o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s",
                                  o ? "|" : "", ent[k]->d_name);
        free(ent[k]);
    }
    free(ent);
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

TEST(rip_sanitize_names)
{
    char b[256], long_in[700];
    size_t i;

    disc_rip_sanitize("../../x", "fb", b, sizeof b);
    CHECK_STR("_.._x", b);
    disc_rip_sanitize("a/b", "fb", b, sizeof b);
    CHECK_STR("a_b", b);
    disc_rip_sanitize(".hidden", "fb", b, sizeof b);
    CHECK_STR("hidden", b);
    disc_rip_sanitize("-rf", "fb", b, sizeof b);
    CHECK_STR("rf", b);
    disc_rip_sanitize("\x01", "fb", b, sizeof b);
    CHECK_STR("_", b);
    disc_rip_sanitize("", "fb", b, sizeof b);
    CHECK_STR("fb", b);
    disc_rip_sanitize(NULL, "fb", b, sizeof b);
    CHECK_STR("fb", b);
    disc_rip_sanitize("..", "fb", b, sizeof b);
    CHECK_STR("fb", b);
    disc_rip_sanitize(" . - x. .", "fb", b, sizeof b);
    CHECK_STR("x", b);
    disc_rip_sanitize("a\\b:c*d?e\"f<g>h|i\tj\x7f", "fb", b, sizeof b);
    CHECK_STR("a_b_c_d_e_f_g_h_i_j_", b);
    /* Invalid UTF-8 and C1 controls become '_', valid text stays. */
    disc_rip_sanitize("caf\xc3\xa9 \xff\xfe \xc2\x85 \xe2\x82", "fb", b,
                      sizeof b);
    CHECK_STR("caf\xc3\xa9 __ _ __", b);
    /* 300 two-byte characters: cut at 200 bytes on a boundary. */
    for (i = 0; i < 300; i++)
        memcpy(long_in + 2 * i, "\xc3\xa9", 2);
    long_in[600] = '\0';
    disc_rip_sanitize(long_in, "fb", b, sizeof b);
    CHECK_INT(200, strlen(b));
    CHECK(memcmp(b + 198, "\xc3\xa9", 2) == 0);
    /* 300 ASCII characters. */
    memset(long_in, 'x', 300);
    long_in[300] = '\0';
    disc_rip_sanitize(long_in, "fb", b, sizeof b);
    CHECK_INT(DISC_RIP_NAME_MAX, strlen(b));
    /* A small buffer bounds the result too. */
    disc_rip_sanitize(long_in, "fb", b, 16);
    CHECK_INT(15, strlen(b));
}

TEST(rip_titles_never_escape)
{
    /* Hostile CD-TEXT titles end up as plain names inside the output
     * folder. */
    char t300[301], names[4096];
    struct fx_track t[8];
    struct disc_ctx ctx;
    struct disc *d;
    const char *titles[8] = { "../../x", "a/b", ".hidden", "-rf",
                              "\x01",    t300,  "",        "/etc/passwd" };
    int i;

    memset(t300, 'y', 300);
    t300[300] = '\0';
    memset(t, 0, sizeof t);
    for (i = 0; i < 8; i++) {
        t[i].mode = DISC_MODE_AUDIO;
        t[i].session = 1;
        t[i].length = 20;
        t[i].title = titles[i];
    }
    t_ctx(&ctx);
    REQUIRE(mkdir("deep", 0777) == 0);
    REQUIRE(mkdir("deep/er", 0777) == 0);
    d = fx_disc_build(&ctx, t, 8, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 0, DISC_CDTEXT_TITLE,
                                     "../../../evil"));
    REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", "deep/er/out", DISC_GAPS_APPEND,
                              "%t", NULL));
    list_dir("deep/er/out", names, sizeof names);
    /* The control character in a title is kept in a CD-TEXT file, as
     * convert keeps it. */
    CHECK_STR("Track 07.wav|_.._.._evil.cdt|_.._.._evil.cue|_.._x.wav|_.wav|"
              "_etc_passwd.wav|a_b.wav|hidden.wav|rf.wav|"
              "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
              "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
              "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
              "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy.wav",
              names);
    /* Nothing appeared anywhere else. */
    list_dir("deep/er", names, sizeof names);
    CHECK_STR("out", names);
    list_dir("deep", names, sizeof names);
    CHECK_STR("er", names);
    list_dir(".", names, sizeof names);
    CHECK_STR("deep", names);
    /* The default template with titles: "NN - Title". */
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "def", DISC_GAPS_APPEND, NULL, NULL));
    list_dir("def", names, sizeof names);
    CHECK(strstr(names, "01 - .._.._x.wav|02 - a_b.wav|03 - .hidden.wav|"
                        "04 - -rf.wav|05 - _.wav|06 - yyy") != NULL);
    CHECK(strstr(names, "07 - Track 07.wav|08 - _etc_passwd.wav") != NULL);
    disc_free(d);
}

TEST(rip_name_template_and_collisions)
{
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL;
    struct disc_rip_opts o;
    struct disc *d;

    t_ctx(&ctx);
    d = rip_disc(&ctx, 0);
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    o.name = "%A - %n %a %% %t";
    REQUIRE_OK(&ctx, disc_rip_plan_new(&ctx, d, "o", "flac", &o, &p));
    CHECK_STR("Album - 01 Artist % Alpha.flac", p->file[0].name);
    CHECK_STR("o/Album - 01 Artist % Alpha.flac", p->file[0].path);
    CHECK_STR("Album.cue", p->cue_name);
    disc_rip_plan_free(p);
    /* The same name twice gets a suffix. */
    o.name = "%A";
    REQUIRE_OK(&ctx, disc_rip_plan_new(&ctx, d, "o", "wav", &o, &p));
    CHECK_STR("Album.wav", p->file[0].name);
    CHECK_STR("Album (2).wav", p->file[1].name);
    CHECK_STR("Album (3).wav", p->file[2].name);
    disc_rip_plan_free(p);
    o.name = "%x";
    CHECK_ERR(&ctx, DISC_E_ARG, "unknown %x",
              disc_rip_plan_new(&ctx, d, "o", "wav", &o, &p));
    CHECK(p == NULL);
    /* No CD-TEXT titles: trackNN. */
    disc_free(d);
    d = fx_disc_audio(&ctx, 2, 30);
    REQUIRE(d);
    o.name = NULL;
    REQUIRE_OK(&ctx, disc_rip_plan_new(&ctx, d, ".", "wav", &o, &p));
    CHECK_STR("track01.wav", p->file[0].name);
    CHECK_STR("track02.wav", p->file[1].name);
    CHECK_STR("rip.cue", p->cue_name);
    disc_rip_plan_free(p);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Gap policies, PCM and the CUE sheet                                 */

static const char cue_append[] = "CATALOG 0123456789012\r\n"
                                 "TITLE \"Album\"\r\n"
                                 "PERFORMER \"Artist\"\r\n"
                                 "FILE \"01 - Alpha.wav\" WAVE\r\n"
                                 "  TRACK 01 AUDIO\r\n"
                                 "    TITLE \"Alpha\"\r\n"
                                 "    ISRC USRC17607839\r\n"
                                 "    INDEX 01 00:00:00\r\n"
                                 "  TRACK 02 AUDIO\r\n"
                                 "    TITLE \"Beta\"\r\n"
                                 "    FLAGS DCP\r\n"
                                 "    INDEX 00 00:04:00\r\n"
                                 "FILE \"02 - Beta.wav\" WAVE\r\n"
                                 "    INDEX 01 00:00:00\r\n"
                                 "    INDEX 02 00:00:50\r\n"
                                 "  TRACK 03 AUDIO\r\n"
                                 "    TITLE \"Gamma\"\r\n"
                                 "    FLAGS 4CH PRE\r\n"
                                 "    INDEX 00 00:02:50\r\n"
                                 "FILE \"03 - Gamma.wav\" WAVE\r\n"
                                 "    INDEX 01 00:00:00\r\n";

static const char cue_prepend[] = "CATALOG 0123456789012\r\n"
                                  "TITLE \"Album\"\r\n"
                                  "PERFORMER \"Artist\"\r\n"
                                  "FILE \"01 - Alpha.wav\" WAVE\r\n"
                                  "  TRACK 01 AUDIO\r\n"
                                  "    TITLE \"Alpha\"\r\n"
                                  "    ISRC USRC17607839\r\n"
                                  "    INDEX 01 00:00:00\r\n"
                                  "FILE \"02 - Beta.wav\" WAVE\r\n"
                                  "  TRACK 02 AUDIO\r\n"
                                  "    TITLE \"Beta\"\r\n"
                                  "    FLAGS DCP\r\n"
                                  "    INDEX 00 00:00:00\r\n"
                                  "    INDEX 01 00:02:00\r\n"
                                  "    INDEX 02 00:02:50\r\n"
                                  "FILE \"03 - Gamma.wav\" WAVE\r\n"
                                  "  TRACK 03 AUDIO\r\n"
                                  "    TITLE \"Gamma\"\r\n"
                                  "    FLAGS 4CH PRE\r\n"
                                  "    INDEX 00 00:00:00\r\n"
                                  "    INDEX 01 00:01:00\r\n";

static const char cue_drop[] = "CATALOG 0123456789012\r\n"
                               "TITLE \"Album\"\r\n"
                               "PERFORMER \"Artist\"\r\n"
                               "FILE \"01 - Alpha.wav\" WAVE\r\n"
                               "  TRACK 01 AUDIO\r\n"
                               "    TITLE \"Alpha\"\r\n"
                               "    ISRC USRC17607839\r\n"
                               "    INDEX 01 00:00:00\r\n"
                               "FILE \"02 - Beta.wav\" WAVE\r\n"
                               "  TRACK 02 AUDIO\r\n"
                               "    TITLE \"Beta\"\r\n"
                               "    FLAGS DCP\r\n"
                               "    PREGAP 00:02:00\r\n"
                               "    INDEX 01 00:00:00\r\n"
                               "    INDEX 02 00:00:50\r\n"
                               "FILE \"03 - Gamma.wav\" WAVE\r\n"
                               "  TRACK 03 AUDIO\r\n"
                               "    TITLE \"Gamma\"\r\n"
                               "    FLAGS 4CH PRE\r\n"
                               "    PREGAP 00:01:00\r\n"
                               "    INDEX 01 00:00:00\r\n";

TEST(rip_gap_policies_pcm_and_cue)
{
    /* Track 1: 0..300; track 2: INDEX 00 300, INDEX 01 450, end 650;
     * track 3: INDEX 00 650, INDEX 01 725, end 975. */
    static const struct {
        enum disc_rip_gaps g;
        disc_lba start[3], end[3];
        const char *cue;
    } want[] = {
        { DISC_GAPS_APPEND, { 0, 450, 725 }, { 450, 725, 975 }, cue_append },
        { DISC_GAPS_PREPEND, { 0, 300, 650 }, { 300, 650, 975 }, cue_prepend },
        { DISC_GAPS_DROP, { 0, 450, 725 }, { 300, 650, 975 }, cue_drop },
    };
    static const char *files[3] = { "01 - Alpha.wav", "02 - Beta.wav",
                                    "03 - Gamma.wav" };
    struct disc_ctx ctx;
    struct disc *d;
    size_t g;
    int k;

    t_ctx(&ctx);
    d = rip_disc(&ctx, 1);
    REQUIRE(d);
    for (g = 0; g < sizeof want / sizeof want[0]; g++) {
        struct disc_rip_plan *p = NULL;
        char dir[16], path[64], *cue;
        size_t len = 0;

        snprintf(dir, sizeof dir, "g%zu", g);
        REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", dir, want[g].g, NULL, &p));
        REQUIRE(p->nfiles == 3);
        for (k = 0; k < 3; k++) {
            CHECK_INT(want[g].start[k], p->file[k].start);
            CHECK_INT(want[g].end[k] - want[g].start[k], p->file[k].count);
            snprintf(path, sizeof path, "%s/%s", dir, files[k]);
            CHECK_PCM(d, path, want[g].start[k],
                      (uint32_t)(want[g].end[k] - want[g].start[k]), 0);
        }
        snprintf(path, sizeof path, "%s/Album.cue", dir);
        cue = t_slurp(path, &len);
        REQUIRE(cue);
        CHECK_STR(want[g].cue, cue);
        free(cue);
        disc_rip_plan_free(p);
    }
    disc_free(d);
}

TEST(rip_wav_header_canonical)
{
    /* Without tags libsndfile writes the 44-byte header of
     * docs/formats/audio.md; the AIFF the 54-byte one of 9.4 with big-endian
     * samples. */
    static const uint8_t comm_rate[10] = { 0x40, 0x0E, 0xAC, 0x44, 0,
                                           0,    0,    0,    0,    0 };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *b;
    size_t len = 0;

    t_ctx(&ctx);
    d = fx_disc_audio(&ctx, 1, 1);
    REQUIRE(d);
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "w", DISC_GAPS_APPEND, NULL, NULL));
    b = (uint8_t *)t_slurp("w/track01.wav", &len);
    REQUIRE(b);
    CHECK_INT(44 + 2352, len);
    CHECK(memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVEfmt ", 8) == 0);
    CHECK_INT(36 + 2352, disc_rd_le32(b + 4));
    CHECK_INT(16, disc_rd_le32(b + 16));
    CHECK_INT(1, disc_rd_le16(b + 20));
    CHECK_INT(2, disc_rd_le16(b + 22));
    CHECK_INT(44100, disc_rd_le32(b + 24));
    CHECK_INT(176400, disc_rd_le32(b + 28));
    CHECK_INT(4, disc_rd_le16(b + 32));
    CHECK_INT(16, disc_rd_le16(b + 34));
    CHECK(memcmp(b + 36, "data", 4) == 0);
    CHECK_INT(2352, disc_rd_le32(b + 40));
    free(b);
    CHECK_PCM(d, "w/track01.wav", 0, 1, 0);
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "aiff", "a", DISC_GAPS_APPEND, NULL, NULL));
    b = (uint8_t *)t_slurp("a/track01.aiff", &len);
    REQUIRE(b);
    CHECK_INT(54 + 2352, len);
    CHECK(memcmp(b, "FORM", 4) == 0 && memcmp(b + 8, "AIFFCOMM", 8) == 0);
    CHECK_INT(46 + 2352, disc_rd_be32(b + 4));
    CHECK_INT(18, disc_rd_be32(b + 16));
    CHECK_INT(2, disc_rd_be16(b + 20));
    CHECK_INT(588, disc_rd_be32(b + 22));
    CHECK_INT(16, disc_rd_be16(b + 26));
    CHECK_MEM(comm_rate, b + 28, 10);
    CHECK(memcmp(b + 38, "SSND", 4) == 0);
    CHECK_INT(8 + 2352, disc_rd_be32(b + 42));
    free(b);
    CHECK_PCM(d, "a/track01.aiff", 0, 1, 1);
    disc_free(d);
}

TEST(rip_aiff_and_flac_pcm)
{
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL;
    struct disc_source *src = NULL;
    struct disc *d;
    int64_t bytes = 0;
    uint8_t *a, *b;
    int k;

    t_ctx(&ctx);
    d = rip_disc(&ctx, 1);
    REQUIRE(d);
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "aiff", "a", DISC_GAPS_PREPEND, NULL, &p));
    for (k = 0; k < 3; k++)
        CHECK_PCM(d, p->file[k].path, p->file[k].start, p->file[k].count, 1);
    CHECK(t_exists("a/Album.cue"));
    {
        char *cue = t_slurp("a/Album.cue", NULL);
        CHECK(cue && strstr(cue, "FILE \"02 - Beta.aiff\" AIFF\r\n"));
        free(cue);
    }
    disc_rip_plan_free(p);
    /* FLAC: decode it back (libsndfile, through the source the CUE
     * reader uses) and compare. */
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "flac", "f", DISC_GAPS_APPEND, NULL, &p));
    for (k = 0; k < 3; k++) {
        size_t n = (size_t)p->file[k].count * DISC_SECTOR_RAW;
        REQUIRE_OK(&ctx, disc_open_audio(&ctx, p->file[k].path, &src, &bytes));
        CHECK_INT(n, bytes);
        a = malloc(n);
        b = malloc(n);
        REQUIRE(a && b);
        CHECK_OK(&ctx, src->ops->pread(&ctx, src, 0, n, a));
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, p->file[k].start,
                                         p->file[k].count, b, NULL));
        CHECK_MEM(b, a, n);
        free(a);
        free(b);
        disc_source_close(src);
    }
    {
        char *cue = t_slurp("f/Album.cue", NULL);
        CHECK(cue && strstr(cue, "FILE \"02 - Beta.flac\" WAVE\r\n"));
        free(cue);
    }
    disc_rip_plan_free(p);
    disc_free(d);
}

TEST(rip_htoa_track00)
{
    /* Sound before track 1's INDEX 01 becomes track 00; silence there is
     * an ordinary pregap. */
    static const struct mem_track loud[] = { { 100, 200, 0 }, { 30, 150, 0 } };
    static const struct mem_track quiet[] = { { 100, 200, 1 }, { 30, 150, 0 } };
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL;
    struct disc *d;
    uint8_t *mem;
    char names[1024], *cue;
    int g;

    t_ctx(&ctx);
    d = mem_disc(&ctx, loud, 2, FILL_NOISE, &mem, 0);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 1, DISC_CDTEXT_TITLE, "One"));
    CHECK_OK(&ctx, disc_check(&ctx, d));
    for (g = 0; g < 3; g++) {
        char dir[16];
        snprintf(dir, sizeof dir, "h%d", g);
        REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", dir, (enum disc_rip_gaps)g,
                                  NULL, &p));
        REQUIRE(p->nfiles == 3);
        CHECK_INT(1, p->htoa);
        CHECK_INT(0, p->file[0].track);
        CHECK_INT(0, p->file[0].start);
        CHECK_INT(100, p->file[0].count);
        CHECK_STR("00 - Hidden track.wav", p->file[0].name);
        CHECK_INT(100, p->file[1].start);
        CHECK_PCM(d, p->file[0].path, 0, 100, 0);
        disc_rip_plan_free(p);
    }
    cue = t_slurp("h0/rip.cue", NULL);
    REQUIRE(cue);
    CHECK_STR("FILE \"00 - Hidden track.wav\" WAVE\r\n"
              "  TRACK 01 AUDIO\r\n"
              "    TITLE \"One\"\r\n"
              "    INDEX 00 00:00:00\r\n"
              "FILE \"01 - One.wav\" WAVE\r\n"
              "    INDEX 01 00:00:00\r\n"
              "  TRACK 02 AUDIO\r\n"
              "    INDEX 00 00:02:50\r\n"
              "FILE \"02 - Track 02.wav\" WAVE\r\n"
              "    INDEX 01 00:00:00\r\n",
              cue);
    free(cue);
    disc_free(d);
    free(mem);

    d = mem_disc(&ctx, quiet, 2, FILL_NOISE, &mem, 0);
    REQUIRE(d);
    REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", "q", DISC_GAPS_APPEND, NULL, &p));
    CHECK_INT(0, p->htoa);
    CHECK_INT(2, p->nfiles);
    CHECK_INT(0, p->file[0].start); /* the silent pregap leads track 1 */
    CHECK_INT(330, p->file[0].count);
    disc_rip_plan_free(p);
    list_dir("q", names, sizeof names);
    CHECK_STR("rip.cue|track01.wav|track02.wav", names);
    cue = t_slurp("q/rip.cue", NULL);
    REQUIRE(cue);
    CHECK(strstr(cue, "FILE \"track01.wav\" WAVE\r\n  TRACK 01 AUDIO\r\n"
                      "    INDEX 00 00:00:00\r\n    INDEX 01 00:01:25\r\n"));
    free(cue);
    REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", "qd", DISC_GAPS_DROP, NULL, &p));
    CHECK_INT(100, p->file[0].start);
    disc_rip_plan_free(p);
    cue = t_slurp("qd/rip.cue", NULL);
    REQUIRE(cue);
    CHECK(strstr(cue, "  TRACK 01 AUDIO\r\n    PREGAP 00:01:25\r\n"
                      "    INDEX 01 00:00:00\r\n"));
    free(cue);
    disc_free(d);
    free(mem);
}

TEST(rip_generated_pregap_stays_generated)
{
    /* A pregap the image does not store (CUE PREGAP) is not turned into
     * stored zeros by any policy: the sheet says PREGAP again. */
    static uint8_t mem[200 * DISC_SECTOR_RAW];
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL;
    struct disc_source *src;
    struct disc *d;
    struct disc_extent e = { 0 };
    char *cue;
    size_t k;
    int g;

    t_ctx(&ctx);
    for (k = 0; k < sizeof mem; k++)
        mem[k] = (uint8_t)(k * 7 + 1);
    d = disc_new(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_source_mem_new(&ctx, mem, sizeof mem, &src));
    disc_source_attach(d, src);
    d->nsessions = 1;
    d->session[0] = (struct disc_session){ 1, 1, 2, 0, 250 };
    d->ntracks = 2;
    d->track[0].number = 1;
    d->track[0].session = 1;
    d->track[0].last_index = 1;
    d->track[1] = d->track[0];
    d->track[1].number = 2;
    d->track[1].index[0] = 100;
    d->track[1].index[1] = 150;
    e.src = src;
    e.stride = DISC_SECTOR_RAW;
    e.data = DISC_DATA_RAW;
    e.count = 100;
    REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e));
    e.lba = 150;
    e.offset = 100 * DISC_SECTOR_RAW;
    REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e));
    memset(&e, 0, sizeof e);
    e.lba = 100;
    e.count = 50;
    e.data = DISC_DATA_GEN;
    e.gen = DISC_GEN_ZERO;
    REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e));
    REQUIRE_OK(&ctx, disc_check(&ctx, d));
    for (g = 0; g < 3; g++) {
        char dir[16], path[40];
        (void)snprintf(dir, sizeof dir, "g%d", g);
        REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", dir, (enum disc_rip_gaps)g,
                                  NULL, &p));
        CHECK_INT(DISC_GAP_SILENCE, p->file[1].gap);
        CHECK_INT(0, p->file[0].start);
        CHECK_INT(100, p->file[0].count);
        CHECK_INT(150, p->file[1].start);
        CHECK_INT(100, p->file[1].count);
        disc_rip_plan_free(p);
        (void)snprintf(path, sizeof path, "%s/rip.cue", dir);
        cue = t_slurp(path, NULL);
        REQUIRE(cue);
        CHECK_STR("FILE \"track01.wav\" WAVE\r\n"
                  "  TRACK 01 AUDIO\r\n"
                  "    INDEX 01 00:00:00\r\n"
                  "FILE \"track02.wav\" WAVE\r\n"
                  "  TRACK 02 AUDIO\r\n"
                  "    PREGAP 00:00:50\r\n"
                  "    INDEX 01 00:00:00\r\n",
                  cue);
        free(cue);
    }
    disc_free(d);
}

TEST(rip_tags_per_container)
{
    struct disc_ctx ctx;
    struct disc *d;
    size_t len = 0;
    char *b, out[4096];

    t_ctx(&ctx);
    d = rip_disc(&ctx, 0);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d, "DATE", "1999"));
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d, "GENRE", "Test"));
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "w", DISC_GAPS_APPEND, NULL, NULL));
    b = t_slurp("w/01 - Alpha.wav", &len);
    REQUIRE(b);
    /* RIFF INFO: INAM title, IART artist, IPRD album, ITRK number, ICMT
     * comment (ISRC), ICRD date, IGNR genre. */
    CHECK(has(b, len, "INAM\x06\0\0\0Alpha", 13));
    CHECK(has(b, len, "IART", 4) && has(b, len, "Artist", 6));
    CHECK(has(b, len, "IPRD", 4) && has(b, len, "Album", 5));
    CHECK(has(b, len,
              "ITRK\x02\0\0\0"
              "1",
              9));
    CHECK(has(b, len, "ISRC USRC17607839", 17));
    CHECK(has(b, len, "ICRD", 4) && has(b, len, "1999", 4));
    CHECK(has(b, len, "IGNR", 4) && has(b, len, "Test", 4));
    free(b);
    CHECK_PCM(d, "w/01 - Alpha.wav", 0, 450, 0);
    /* AIFF: NAME, AUTH, ANNO only. */
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "aiff", "a", DISC_GAPS_APPEND, NULL, NULL));
    b = t_slurp("a/01 - Alpha.aiff", &len);
    REQUIRE(b);
    CHECK(has(b, len, "NAME", 4) && has(b, len, "Alpha", 5));
    CHECK(has(b, len, "AUTH", 4) && has(b, len, "Artist", 6));
    CHECK(has(b, len, "ANNO", 4) && has(b, len, "ISRC USRC17607839", 17));
    CHECK(!has(b, len, "Album", 5));
    free(b);
    CHECK_PCM(d, "a/01 - Alpha.aiff", 0, 450, 1);
    /* FLAC: Vorbis comments. */
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "flac", "f", DISC_GAPS_APPEND, NULL, NULL));
    if (t_have("metaflac")) {
        CHECK_INT(0, t_run(out, sizeof out,
                           "metaflac --export-tags-to=- "
                           "'f/02 - Beta.flac'"));
        CHECK(has_nocase(out, "title=Beta\n"));
        CHECK(has_nocase(out, "artist=Artist\n"));
        CHECK(has_nocase(out, "album=Album\n"));
        CHECK(has_nocase(out, "tracknumber=2\n"));
        CHECK(has_nocase(out, "date=1999\n"));
        CHECK(has_nocase(out, "genre=Test\n"));
    }
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Selection, errors, all-or-nothing                                   */

TEST(rip_data_tracks_skipped_or_refused)
{
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL;
    struct disc_rip_opts o;
    struct disc *d;
    char names[1024];

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx); /* data 1; audio 2 (pregap 150), audio 3 */
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    REQUIRE_OK(&ctx, disc_rip(&ctx, d, disc_format_find("wav"), "m", &o, &p));
    CHECK_INT(1, p->skipped_data);
    CHECK_INT(2, p->nfiles);
    /* Track 2's pregap has no audio track before it: it leads its own
     * file even with gaps appended. */
    CHECK_INT(1000, p->file[0].start);
    CHECK_INT(150 + 500 + 75, p->file[0].count);
    disc_rip_plan_free(p);
    list_dir("m", names, sizeof names);
    CHECK_STR("02 - First song.wav|03 - Second song.wav|Fixture.cue", names);
    {
        char *cue = t_slurp("m/Fixture.cue", NULL);
        REQUIRE(cue);
        CHECK(strstr(cue, "FILE \"02 - First song.wav\" WAVE\r\n"
                          "  TRACK 02 AUDIO\r\n") != NULL);
        CHECK(strstr(cue, "TRACK 01") == NULL);
        free(cue);
    }
    /* Naming the data track is an error, with the reason. */
    o.tracks[1] = 1;
    CHECK_ERR(&ctx, DISC_E_ARG, "track 1 is a data track",
              disc_rip(&ctx, d, disc_format_find("wav"), "x", &o, NULL));
    o.tracks[1] = 0;
    o.tracks[7] = 1;
    CHECK_ERR(&ctx, DISC_E_ARG, "track 7 is not on the disc",
              disc_rip(&ctx, d, disc_format_find("wav"), "x", &o, NULL));
    CHECK(!t_exists("x"));
    /* A partial rip writes no CUE sheet. */
    o.tracks[7] = 0;
    o.tracks[3] = 1;
    REQUIRE_OK(&ctx,
               disc_rip(&ctx, d, disc_format_find("wav"), "one", &o, NULL));
    list_dir("one", names, sizeof names);
    CHECK_STR("03 - Second song.wav", names);
    /* Through the generic writer, the data track is a refused loss. */
    {
        struct disc_write_opts wo;
        memset(&wo, 0, sizeof wo);
        CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "data tracks",
                  disc_write(&ctx, d, disc_format_find("wav"), "w", &wo));
        wo.allow_lossy = 1;
        CHECK_OK(&ctx, disc_write(&ctx, d, disc_format_find("wav"), "w", &wo));
        CHECK(t_exists("w/Fixture.cue"));
    }
    disc_free(d);
    /* Enhanced CD: the data session is skipped, the sheet describes the
     * audio session alone. */
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    REQUIRE_OK(&ctx, disc_rip(&ctx, d, disc_format_find("wav"), "e", &o, &p));
    CHECK_INT(1, p->skipped_data);
    CHECK_INT(2, p->nfiles);
    CHECK_INT(600 + 150, p->file[0].count);
    CHECK_INT(450, p->file[1].count); /* ends at the session-1 lead-out */
    disc_rip_plan_free(p);
    {
        char *cue = t_slurp("e/rip.cue", NULL);
        REQUIRE(cue);
        CHECK(strstr(cue, "REM SESSION") == NULL);
        CHECK(strstr(cue, "TRACK 03") == NULL);
        CHECK(strstr(cue, "ISRC GBAYE0000001\r\n") != NULL);
        free(cue);
    }
    disc_free(d);
    /* A data-only disc has nothing to rip. */
    {
        static const struct fx_track t[] = {
            { DISC_MODE_MODE1, 1, 0, 30, 0, NULL, NULL, 0 },
        };
        d = fx_disc_build(&ctx, t, 1, NULL);
        REQUIRE(d);
        memset(&o, 0, sizeof o);
        CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "no audio tracks",
                  disc_rip(&ctx, d, disc_format_find("wav"), "n", &o, NULL));
        CHECK(!t_exists("n"));
        disc_free(d);
    }
}

TEST(rip_failure_leaves_nothing)
{
    static const struct mem_track t[] = { { 0, 100, 0 },
                                          { 0, 100, 0 },
                                          { 0, 100, 0 } };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *mem;
    char names[1024];

    t_ctx(&ctx);
    /* The source ends inside track 3: tracks 1 and 2 were encoded
     * already, yet nothing may remain, not even the new folder. */
    d = mem_disc(&ctx, t, 3, FILL_NOISE, &mem, 250);
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_RANGE, NULL,
              rip_with(&ctx, d, "flac", "new", DISC_GAPS_APPEND, NULL, NULL));
    CHECK(!t_exists("new"));
    REQUIRE(mkdir("old", 0777) == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, NULL,
              rip_with(&ctx, d, "wav", "old", DISC_GAPS_APPEND, NULL, NULL));
    list_dir("old", names, sizeof names);
    CHECK_STR("", names);
    disc_free(d);
    free(mem);
    /* An existing file is refused without --force, replaced with it. */
    d = mem_disc(&ctx, t, 3, FILL_NOISE, &mem, 0);
    REQUIRE(d);
    REQUIRE(t_write_file("old/track02.wav", "keep", 4) == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "track02.wav",
              rip_with(&ctx, d, "wav", "old", DISC_GAPS_APPEND, NULL, NULL));
    list_dir("old", names, sizeof names);
    CHECK_STR("track02.wav", names);
    {
        struct disc_rip_opts o;
        memset(&o, 0, sizeof o);
        o.force = 1;
        CHECK_OK(&ctx,
                 disc_rip(&ctx, d, disc_format_find("wav"), "old", &o, NULL));
    }
    list_dir("old", names, sizeof names);
    CHECK_STR("rip.cue|track01.wav|track02.wav|track03.wav", names);
    CHECK_PCM(d, "old/track02.wav", 100, 100, 0);
    disc_free(d);
    free(mem);
}

TEST(rip_oom)
{
    /* Every failing allocation ends in DISC_E_NOMEM with no output. */
    struct disc_ctx ctx;
    struct disc *d;
    char names[1024];
    long k;
    int r = -1;

    t_ctx(&ctx);
    d = rip_disc(&ctx, 1);
    REQUIRE(d);
    for (k = 1; k < 200 && r != 0; k++) {
        disc_alloc_fail_at(k);
        r = rip_with(&ctx, d, "wav", "o", DISC_GAPS_APPEND, NULL, NULL);
        disc_alloc_fail_at(0);
        if (r != 0) {
            CHECK_INT(DISC_E_NOMEM, r);
            CHECK(!t_exists("o"));
            if (r != DISC_E_NOMEM)
                break;
        }
    }
    CHECK_INT(0, r);
    CHECK(k > 3);
    list_dir("o", names, sizeof names);
    CHECK_STR("01 - Alpha.wav|02 - Beta.wav|03 - Gamma.wav|Album.cue", names);
    disc_free(d);
}

TEST(rip_streaming_flat_memory)
{
    struct disc_ctx ctx;
    size_t peak[2];
    int k;

    for (k = 0; k < 2; k++) {
        struct disc *d;
        char dir[16];
        t_ctx(&ctx);
        d = fx_disc_audio(&ctx, 2, k ? 10000 : 500);
        REQUIRE(d);
        snprintf(dir, sizeof dir, "s%d", k);
        disc_alloc_reset();
        REQUIRE_OK(&ctx,
                   rip_with(&ctx, d, "wav", dir, DISC_GAPS_APPEND, NULL, NULL));
        peak[k] = disc_alloc_peak() - disc_alloc_live();
        disc_free(d);
    }
    CHECK_INT(peak[0], peak[1]);
    CHECK(peak[1] < 4u << 20);
}

/* ------------------------------------------------------------------ */
/* AccurateRip and byte order                                          */

TEST(rip_accuraterip_any_gap_policy)
{
    /* The CRCs describe the disc, not the files: every policy gives the
     * values of disc_ar_track. */
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_ar_crc want[3];
    int g, k;

    t_ctx(&ctx);
    d = rip_disc(&ctx, 1);
    REQUIRE(d);
    for (k = 0; k < 3; k++)
        REQUIRE_OK(&ctx, disc_ar_track(&ctx, d, k, &want[k]));
    CHECK(want[0].v1 != want[1].v1);
    for (g = 0; g < 3; g++) {
        struct disc_rip_plan *p = NULL;
        char dir[16];
        snprintf(dir, sizeof dir, "a%d", g);
        REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", dir, (enum disc_rip_gaps)g,
                                  NULL, &p));
        for (k = 0; k < 3; k++) {
            CHECK(p->file[k].has_ar);
            CHECK_HEX(want[k].v1, p->file[k].ar.v1);
            CHECK_HEX(want[k].v2, p->file[k].ar.v2);
        }
        disc_rip_plan_free(p);
    }
    disc_free(d);
}

TEST(rip_byteswap_warning)
{
    static const struct mem_track t[] = { { 0, 40, 0 }, { 0, 40, 0 } };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *mem;
    double ratio = 0;

    t_ctx(&ctx);
    d = mem_disc(&ctx, t, 2, FILL_SINE, &mem, 0);
    REQUIRE(d);
    CHECK_INT(0, disc_audio_looks_swapped(&ctx, d, &ratio));
    CHECK(ratio < 0.05);
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "ok", DISC_GAPS_APPEND, NULL, NULL));
    CHECK(strstr(t_log, "byte-swapped") == NULL);
    disc_free(d);
    free(mem);
    d = mem_disc(&ctx, t, 2, FILL_SINE_SWAPPED, &mem, 0);
    REQUIRE(d);
    CHECK_INT(1, disc_audio_looks_swapped(&ctx, d, &ratio));
    CHECK(ratio > 20);
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "bad", DISC_GAPS_APPEND, NULL, NULL));
    CHECK(strstr(t_log, "byte-swapped") != NULL);
    disc_free(d);
    free(mem);
    /* Noise cannot tell either way. */
    d = mem_disc(&ctx, t, 2, FILL_NOISE, &mem, 0);
    REQUIRE(d);
    CHECK_INT(0, disc_audio_looks_swapped(&ctx, d, &ratio));
    disc_free(d);
    free(mem);
}

/* ------------------------------------------------------------------ */
/* Audio files as sources (CUE FILE ... WAVE)                          */

TEST(rip_open_audio_positional)
{
    struct disc_ctx ctx;
    struct disc_source *src = NULL;
    struct disc *d;
    int64_t bytes = 0;
    uint8_t want[4 * DISC_SECTOR_RAW], got[4 * DISC_SECTOR_RAW];
    static const int64_t offs[] = {
        0, 1, 3, 2352 * 50 + 7, 2352 * 10, 4, 2352 * 90 - 3
    };
    size_t k;

    t_ctx(&ctx);
    d = fx_disc_audio(&ctx, 1, 100);
    REQUIRE(d);
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "w", DISC_GAPS_APPEND, NULL, NULL));
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "aiff", "a", DISC_GAPS_APPEND, NULL, NULL));
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "flac", "f", DISC_GAPS_APPEND, NULL, NULL));
    for (k = 0; k < 3; k++) {
        const char *path = k == 0   ? "w/track01.wav"
                           : k == 1 ? "a/track01.aiff"
                                    : "f/track01.flac";
        size_t j;
        REQUIRE_OK(&ctx, disc_open_audio(&ctx, path, &src, &bytes));
        CHECK_INT(100 * DISC_SECTOR_RAW, bytes);
        /* Any order, any alignment: the answer depends on the offset
         * only (AIFF is served little-endian like the rest). */
        for (j = 0; j < sizeof offs / sizeof offs[0]; j++) {
            disc_lba lba = (disc_lba)(offs[j] / DISC_SECTOR_RAW);
            size_t skip = (size_t)(offs[j] % DISC_SECTOR_RAW);
            size_t n = 2 * DISC_SECTOR_RAW + 11;
            REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, lba, 4, want, NULL));
            CHECK_OK(&ctx, src->ops->pread(&ctx, src, offs[j], n, got));
            CHECK_MEM(want + skip, got, n);
        }
        /* Past the end: zero fill and DISC_E_RANGE. */
        memset(got, 0xAA, sizeof got);
        CHECK_ERR(&ctx, DISC_E_RANGE, "bytes short",
                  src->ops->pread(&ctx, src, 99 * DISC_SECTOR_RAW,
                                  2 * DISC_SECTOR_RAW, got));
        REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, 99, 1, want, NULL));
        CHECK_MEM(want, got, DISC_SECTOR_RAW);
        CHECK(got[DISC_SECTOR_RAW] == 0 && got[2 * DISC_SECTOR_RAW - 1] == 0);
        disc_source_close(src);
        src = NULL;
    }
    /* Not audio: the hook declines without a message, the registry then
     * reports that nobody decodes it. */
    REQUIRE(t_write_file("x.bin", "not audio at all, really not", 28) == 0);
    t_ctx(&ctx);
    CHECK_INT(DISC_E_UNSUPPORTED,
              disc_format_find("wav")->open_audio(&ctx, "x.bin", &src, &bytes));
    CHECK_STR("", ctx.msg);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "no decoder",
              disc_open_audio(&ctx, "x.bin", &src, &bytes));
    CHECK_ERR(&ctx, DISC_E_IO, "missing.wav",
              disc_open_audio(&ctx, "missing.wav", &src, &bytes));
    disc_free(d);
}

TEST(peer_rip_open_audio_rejects_non_cd)
{
    struct disc_ctx ctx;
    struct disc_source *src = NULL;
    int (*hook)(struct disc_ctx *, const char *, struct disc_source **,
                int64_t *);
    int64_t bytes;

    NEED_TOOL("sox");
    t_ctx(&ctx);
    REQUIRE(t_run(NULL, 0,
                  "sox -n -r 48000 -c 2 -b 16 r48.wav synth 0.1 "
                  "sine 440 2>&1") == 0);
    REQUIRE(t_run(NULL, 0,
                  "sox -n -r 44100 -c 1 -b 16 mono.wav synth 0.1 "
                  "sine 440 2>&1") == 0);
    REQUIRE(t_run(NULL, 0,
                  "sox -n -r 44100 -c 2 -b 24 b24.flac synth 0.1 "
                  "sine 440 2>&1") == 0);
    REQUIRE(t_run(NULL, 0,
                  "sox -n -r 44100 -c 2 -b 16 ok.aiff synth 0.1 "
                  "sine 440 2>&1") == 0);
    /* The hook says why (the registry's disc_open_audio currently
     * replaces that message with "no decoder": reported to the lead). */
    hook = disc_format_find("wav")->open_audio;
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "48000 Hz, 2 channels",
              hook(&ctx, "r48.wav", &src, &bytes));
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "1 channel;",
              hook(&ctx, "mono.wav", &src, &bytes));
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "24-bit",
              hook(&ctx, "b24.flac", &src, &bytes));
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, NULL,
              disc_open_audio(&ctx, "r48.wav", &src, &bytes));
    REQUIRE_OK(&ctx, disc_open_audio(&ctx, "ok.aiff", &src, &bytes));
    CHECK_INT(4410 * 4, bytes);
    disc_source_close(src);
}

/* ------------------------------------------------------------------ */
/* Peers: soxi, flac, bchunk                                            */

TEST(peer_rip_soxi_and_flac)
{
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL;
    struct disc *d;
    const char *fmts[3] = { "wav", "aiff", "flac" };
    int f, k;

    NEED_TOOL("soxi");
    t_ctx(&ctx);
    d = rip_disc(&ctx, 1);
    REQUIRE(d);
    for (f = 0; f < 3; f++) {
        REQUIRE_OK(&ctx, rip_with(&ctx, d, fmts[f], fmts[f], DISC_GAPS_APPEND,
                                  NULL, &p));
        for (k = 0; k < p->nfiles; k++) {
            char out[256];
            const char *path = p->file[k].path;
            CHECK_INT(0, t_run(out, sizeof out, "soxi -r '%s'", path));
            CHECK_STR("44100\n", out);
            CHECK_INT(0, t_run(out, sizeof out, "soxi -c '%s'", path));
            CHECK_STR("2\n", out);
            CHECK_INT(0, t_run(out, sizeof out, "soxi -b '%s'", path));
            CHECK_STR("16\n", out);
            CHECK_INT(0, t_run(out, sizeof out, "soxi -s '%s'", path));
            CHECK_INT((long long)p->file[k].count * 588, atoll(out));
        }
        if (f == 2 && t_have("flac")) {
            /* The reference decoder gives back the BIN slice. */
            for (k = 0; k < p->nfiles; k++) {
                CHECK_INT(0, t_run(NULL, 0,
                                   "flac -s -d -f -o dec%d.wav "
                                   "'%s' 2>&1",
                                   k, p->file[k].path));
                {
                    char name[24];
                    snprintf(name, sizeof name, "dec%d.wav", k);
                    CHECK_PCM(d, name, p->file[k].start, p->file[k].count, 0);
                }
            }
            CHECK_INT(0, t_run(NULL, 0, "flac -s -t flac/*.flac 2>&1"));
        }
        if (f == 1 && t_have("sox")) {
            /* sox reads our AIFF as the same samples as our WAV. */
            CHECK_INT(0, t_run(NULL, 0,
                               "sox 'aiff/02 - Beta.aiff' -t raw "
                               "-e signed -b 16 -L a.raw && sox "
                               "'wav/02 - Beta.wav' -t raw -e signed -b 16 "
                               "-L w.raw && cmp a.raw w.raw"));
        }
        disc_rip_plan_free(p);
        p = NULL;
    }
    disc_free(d);
}

/* Rips d to dir as fmt through the fast paths (or plain: every sample
 * through libsndfile's sample API) with AccurateRip on or off. */
static int
rip_mode(struct disc_ctx *ctx, const struct disc *d, const char *fmt,
         const char *dir, int plain, int ar)
{
    struct disc_rip_opts o;

    memset(&o, 0, sizeof o);
    o.plain_encoder = plain;
    o.accuraterip = ar;
    return disc_rip(ctx, d, disc_format_find(fmt), dir, &o, NULL);
}

/* Every file of dir a equals the same-named file of dir b byte for byte;
 * returns the number of files compared. */
static int
same_dirs(const char *a, const char *b)
{
    struct dirent **ent = NULL;
    int k, m = scandir(a, &ent, NULL, alphasort), n = 0;

    CHECK(m > 2);
    for (k = 0; k < m; k++) {
        char pa[512], pb[512];
        size_t la = 0, lb = 0;
        char *x, *y;
        if (ent[k]->d_name[0] != '.') {
            snprintf(pa, sizeof pa, "%s/%s", a, ent[k]->d_name);
            snprintf(pb, sizeof pb, "%s/%s", b, ent[k]->d_name);
            x = t_slurp(pa, &la);
            y = t_slurp(pb, &lb);
            CHECK(x && y);
            if (x && y) {
                CHECK_INT(la, lb);
                if (la == lb && memcmp(x, y, la) != 0)
                    t_fail(__FILE__, __LINE__, "%s and %s differ", pa, pb);
            }
            free(x);
            free(y);
            n++;
        }
        free(ent[k]);
    }
    free(ent);
    return n;
}

TEST(rip_fast_paths_equal_libsndfile)
{
    /* The raw WAV/AIFF writes, the kernel copy of the WAV payload and the
     * FLAC fast conversion give the very files libsndfile's sample API
     * gives: with and without tags (LIST chunk or the canonical header),
     * from a file-backed image (copy_file_range) and from memory (the
     * copy falls back to reading), AccurateRip on (the driver reads and
     * hands the bytes over) and off. */
    static const struct fx_track bare[] = {
        { DISC_MODE_AUDIO, 1, 0, 3, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 1, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 40, 2, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 130, 0, NULL, NULL, 0 },
    };
    static const char *fmts[] = { "wav", "aiff", "flac" };
    struct disc_ctx ctx;
    struct disc *d[4] = { NULL, NULL, NULL, NULL };
    struct disc_write_opts wo;
    char ref[64], fast[64];
    int i, f, ar;

    t_ctx(&ctx);
    memset(&wo, 0, sizeof wo);
    wo.allow_lossy = 1;
    d[0] = rip_disc(&ctx, 1);
    REQUIRE(d[0]);
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d[0], "DATE", "1999"));
    d[1] = fx_disc_build(&ctx, bare, 4, NULL);
    REQUIRE(d[1]);
    REQUIRE_OK(
        &ctx, disc_write(&ctx, d[0], disc_format_find("cue"), "tags.cue", &wo));
    REQUIRE_OK(
        &ctx, disc_write(&ctx, d[1], disc_format_find("cue"), "bare.cue", &wo));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "tags.cue", NULL, &d[2]));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "bare.cue", NULL, &d[3]));
    /* AccurateRip only changes the WAV path; AIFF and FLAC (slow under
     * valgrind) only from the file-backed discs. */
    for (i = 0; i < 4; i++)
        for (f = 0; f < 3; f++)
            for (ar = 0; ar < (f == 0 ? 2 : 1); ar++) {
                if (f > 0 && i < 2)
                    continue; /* memory discs: WAV is the one with a copy */
                snprintf(ref, sizeof ref, "ref%d%s%d", i, fmts[f], ar);
                snprintf(fast, sizeof fast, "fast%d%s%d", i, fmts[f], ar);
                REQUIRE_OK(&ctx, rip_mode(&ctx, d[i], fmts[f], ref, 1, ar));
                REQUIRE_OK(&ctx, rip_mode(&ctx, d[i], fmts[f], fast, 0, ar));
                /* The audio files and the CUE sheet. */
                CHECK_INT(i % 2 ? 5 : 4, same_dirs(ref, fast));
            }
    /* Without tags the WAV keeps the canonical 44-byte header. */
    CHECK_INT(44 + 3 * DISC_SECTOR_RAW, t_file_size("fast3wav0/track01.wav"));
    CHECK_PCM(d[3], "fast3wav0/track01.wav", 0, 3, 0);
    CHECK_PCM(d[3], "fast3wav0/track04.wav", 46, 130, 0);
    CHECK_PCM(d[2], "fast2wav0/03 - Gamma.wav", 725, 250, 0);
    if (t_have("soxi") && t_have("sox")) {
        char out[256];
        /* sox reads the kernel-copied WAV as the image's samples. */
        CHECK_INT(0, t_run(out, sizeof out, "soxi -s fast3wav0/track04.wav"));
        CHECK_INT(130 * 588, atoll(out));
        CHECK_INT(0, t_run(NULL, 0,
                           "sox fast3wav0/track04.wav -t raw -e signed -b 16 "
                           "-L w.raw && dd if=bare.bin of=b.raw bs=2352 "
                           "skip=46 count=130 status=none && cmp w.raw b.raw"));
        CHECK_INT(0,
                  t_run(out, sizeof out, "soxi -s 'fast2wav0/01 - Alpha.wav'"));
        CHECK_INT(450 * 588, atoll(out));
    } else {
        t_fail(__FILE__, __LINE__, "sox/soxi missing (tools/deps.sh test)");
    }
    for (i = 0; i < 4; i++)
        disc_free(d[i]);
}

/* Writes d's sectors [0, lead-out) to path. */
static int
write_bin(struct disc_ctx *ctx, const struct disc *d, const char *path)
{
    uint8_t buf[16 * DISC_SECTOR_RAW];
    disc_lba l, end = d->session[0].leadout;
    FILE *f = fopen(path, "wb");
    int ok = f != NULL;

    for (l = 0; ok && l < end; l += 16) {
        uint32_t n = end - l < 16 ? (uint32_t)(end - l) : 16;
        ok = disc_read_sectors(ctx, d, l, n, buf, NULL) == 0 &&
             fwrite(buf, DISC_SECTOR_RAW, n, f) == n;
    }
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

TEST(peer_rip_bchunk_matches_drop)
{
    /* bchunk cuts each track from INDEX 01 to the next track's first
     * INDEX, dropping pregaps: our --gaps drop files hold the same PCM.
     * With gaps appended, the track before a pregap is longer by it. */
    static const char cue[] = "FILE \"disc.bin\" BINARY\n"
                              "  TRACK 01 AUDIO\n"
                              "    INDEX 01 00:00:00\n"
                              "  TRACK 02 AUDIO\n"
                              "    INDEX 00 00:04:00\n"
                              "    INDEX 01 00:06:00\n"
                              "  TRACK 03 AUDIO\n"
                              "    INDEX 00 00:08:50\n"
                              "    INDEX 01 00:09:50\n";
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL, *pa = NULL;
    struct disc *d;
    int k;

    NEED_TOOL("bchunk");
    t_ctx(&ctx);
    d = rip_disc(&ctx, 0);
    REQUIRE(d);
    REQUIRE(write_bin(&ctx, d, "disc.bin") == 0);
    REQUIRE(t_write_file("disc.cue", cue, sizeof cue - 1) == 0);
    REQUIRE(t_run(NULL, 0,
                  "bchunk -w disc.bin disc.cue b >/dev/null "
                  "2>&1") == 0);
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "drop", DISC_GAPS_DROP, NULL, &p));
    REQUIRE_OK(&ctx,
               rip_with(&ctx, d, "wav", "app", DISC_GAPS_APPEND, NULL, &pa));
    for (k = 0; k < 3; k++) {
        char bname[24], ours[33], theirs[33];
        size_t blen = 0, boff = 0, bn = 0;
        uint8_t *b;
        snprintf(bname, sizeof bname, "b%02d.wav", k + 1);
        b = (uint8_t *)t_slurp(bname, &blen);
        REQUIRE(b);
        REQUIRE(pcm_chunk(b, blen, 0, &boff, &bn) == 0);
        CHECK_INT(44, boff); /* bchunk writes the canonical header */
        free(b);
        CHECK_INT(0,
                  fx_md5_file(bname, (long long)boff, (long long)bn, theirs));
        b = (uint8_t *)t_slurp(p->file[k].path, &blen);
        REQUIRE(b);
        REQUIRE(pcm_chunk(b, blen, 0, &boff, &bn) == 0);
        free(b);
        CHECK_INT(0, fx_md5_file(p->file[k].path, (long long)boff,
                                 (long long)bn, ours));
        CHECK_STR(theirs, ours);
        CHECK_INT((long long)p->file[k].count * DISC_SECTOR_RAW, bn);
        /* Appended gaps: tracks 1 and 2 carry the next pregap. */
        CHECK_INT((long long)bn + (k == 0   ? 150
                                   : k == 1 ? 75
                                            : 0) *
                                      DISC_SECTOR_RAW,
                  (long long)pa->file[k].count * DISC_SECTOR_RAW);
    }
    disc_rip_plan_free(p);
    disc_rip_plan_free(pa);
    disc_free(d);
    /* With an INDEX 02, bchunk starts the track at its last INDEX line,
     * not at INDEX 01: it also drops INDEX 01..02 (docs/formats/audio.md says
     * "last INDEX line (INDEX 01)"; the parenthesis only holds without
     * INDEX 02). */
    {
        static const char cue2[] = "FILE \"disc.bin\" BINARY\n"
                                   "  TRACK 01 AUDIO\n"
                                   "    INDEX 01 00:00:00\n"
                                   "  TRACK 02 AUDIO\n"
                                   "    INDEX 00 00:04:00\n"
                                   "    INDEX 01 00:06:00\n"
                                   "    INDEX 02 00:06:50\n"
                                   "  TRACK 03 AUDIO\n"
                                   "    INDEX 00 00:08:50\n"
                                   "    INDEX 01 00:09:50\n";
        REQUIRE(t_write_file("i2.cue", cue2, sizeof cue2 - 1) == 0);
        REQUIRE(t_run(NULL, 0,
                      "bchunk -w disc.bin i2.cue c >/dev/null "
                      "2>&1") == 0);
        CHECK_INT(44 + (650 - 500) * DISC_SECTOR_RAW, t_file_size("c02.wav"));
    }
}

/* ------------------------------------------------------------------ */
/* Round trip through the CUE reader                                   */

static int
cue_reader_works(void)
{
    const struct disc_format *cue = disc_format_find("cue");
    return cue && disc_format_can_read(cue) && disc_format_can_write(cue);
}

/* Rips d with policy g, reads the sheet back and checks the audio and
 * the TOC; then converts both to CUE/BIN and compares the BIN bytes. */
static void
roundtrip(const struct disc *d, enum disc_rip_gaps g, const char *dir)
{
    struct disc_ctx ctx;
    struct disc_rip_plan *p = NULL;
    struct disc_write_opts wo;
    struct disc *back = NULL;
    char path[256], a[33], b[33];
    int k;

    t_ctx(&ctx);
    REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", dir, g, NULL, &p));
    REQUIRE(p->cue_path);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, p->cue_path, NULL, &back));
    CHECK_INT(d->ntracks, back->ntracks);
    for (k = 0; k < d->ntracks && k < back->ntracks; k++) {
        const struct disc_track *x = &d->track[k], *y = &back->track[k];
        CHECK_INT(x->index[0], y->index[0]);
        CHECK_INT(x->index[1], y->index[1]);
        CHECK_INT(x->last_index, y->last_index);
        CHECK_STR(x->isrc, y->isrc);
        CHECK_INT(x->control, y->control);
    }
    CHECK_INT(d->session[0].leadout, back->session[0].leadout);
    CHECK_OK(&ctx,
             fx_md5_sectors(&ctx, d, 0, (uint32_t)d->session[0].leadout, a));
    CHECK_OK(&ctx, fx_md5_sectors(&ctx, back, 0,
                                  (uint32_t)back->session[0].leadout, b));
    CHECK_STR(a, b);
    /* Both to one BIN each through the CUE writer: the same bytes. */
    memset(&wo, 0, sizeof wo);
    wo.allow_lossy = 1;
    snprintf(path, sizeof path, "%s-orig.cue", dir);
    CHECK_OK(&ctx, disc_write(&ctx, d, disc_format_find("cue"), path, &wo));
    snprintf(path, sizeof path, "%s-back.cue", dir);
    CHECK_OK(&ctx, disc_write(&ctx, back, disc_format_find("cue"), path, &wo));
    if (g == DISC_GAPS_DROP) {
        /* The rip's sheet says PREGAP for the dropped gaps; --store-gaps
         * writes them as the silence they were: the original bytes. */
        wo.store_gaps = 1;
        wo.force = 1;
        CHECK_OK(&ctx,
                 disc_write(&ctx, back, disc_format_find("cue"), path, &wo));
        snprintf(path, sizeof path, "%s-orig.bin", dir);
        CHECK_INT(0, fx_md5_file(path, 0, -1, a));
        snprintf(path, sizeof path, "%s-back.bin", dir);
        CHECK_INT(0, fx_md5_file(path, 0, -1, b));
        CHECK_STR(a, b);
        wo.store_gaps = 0;
        snprintf(path, sizeof path, "%s-back.cue", dir);
        CHECK_OK(&ctx,
                 disc_write(&ctx, back, disc_format_find("cue"), path, &wo));
    }
    if (g != DISC_GAPS_DROP) {
        snprintf(path, sizeof path, "%s-orig.bin", dir);
        CHECK_INT(0, fx_md5_file(path, 0, -1, a));
        snprintf(path, sizeof path, "%s-back.bin", dir);
        CHECK_INT(0, fx_md5_file(path, 0, -1, b));
        CHECK_STR(a, b);
    } else {
        /* The sheet's PREGAP sectors are generated silence, which the
         * CUE writer again writes as PREGAP, not into the BIN: the BIN
         * is the original without the (silent) pregap sectors. */
        size_t la = 0, lb = 0, o = 0, q = 0;
        uint8_t *x, *y;
        snprintf(path, sizeof path, "%s-orig.bin", dir);
        x = (uint8_t *)t_slurp(path, &la);
        snprintf(path, sizeof path, "%s-back.bin", dir);
        y = (uint8_t *)t_slurp(path, &lb);
        REQUIRE(x && y);
        for (k = 0; k < d->ntracks; k++) {
            const struct disc_track *t = &d->track[k];
            size_t from = (size_t)t->index[1] * DISC_SECTOR_RAW;
            size_t to = (size_t)disc_track_end(d, k) * DISC_SECTOR_RAW;
            size_t pg = (size_t)(t->index[1] - t->index[0]) * DISC_SECTOR_RAW;
            size_t i;
            for (i = 0; i < pg && o + i < la; i++)
                if (x[o + i] != 0)
                    break;
            CHECK_INT(pg, i); /* the dropped pregap was silent */
            CHECK(to - from <= lb - q);
            if (to - from <= lb - q)
                CHECK_MEM(x + from, y + q, to - from);
            q += to - from;
            o = to;
        }
        CHECK_INT(lb, q);
        free(x);
        free(y);
    }
    disc_free(back);
    disc_rip_plan_free(p);
}

TEST(rip_cue_roundtrip_each_policy)
{
    static const struct mem_track loud[] = { { 0, 300, 0 },
                                             { 150, 200, 0 },
                                             { 75, 250, 0 } };
    static const struct mem_track quiet[] = { { 0, 300, 0 },
                                              { 150, 200, 1 },
                                              { 75, 250, 1 } };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *mem;

    REQUIRE(cue_reader_works());
    t_ctx(&ctx);
    d = mem_disc(&ctx, loud, 3, FILL_NOISE, &mem, 0);
    REQUIRE(d);
    roundtrip(d, DISC_GAPS_APPEND, "append");
    roundtrip(d, DISC_GAPS_PREPEND, "prepend");
    disc_free(d);
    free(mem);
    /* drop: exact only when the pregaps were silent. */
    d = mem_disc(&ctx, quiet, 3, FILL_NOISE, &mem, 0);
    REQUIRE(d);
    roundtrip(d, DISC_GAPS_DROP, "drop");
    disc_free(d);
    free(mem);
}

TEST(rip_cue_roundtrip_htoa)
{
    static const struct mem_track loud[] = { { 100, 300, 0 }, { 150, 200, 0 } };
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *mem;

    REQUIRE(cue_reader_works());
    t_ctx(&ctx);
    d = mem_disc(&ctx, loud, 2, FILL_NOISE, &mem, 0);
    REQUIRE(d);
    roundtrip(d, DISC_GAPS_APPEND, "htoa");
    disc_free(d);
    free(mem);
}

/* ------------------------------------------------------------------ */
/* CLI                                                                 */

/* Writes d as a CloneCD image x.ccd (the CLI needs a readable file). */
static int
to_ccd(struct disc_ctx *ctx, const struct disc *d, const char *path)
{
    const struct disc_format *ccd = disc_format_find("ccd");
    struct disc_write_opts wo;

    if (!ccd || !disc_format_can_read(ccd) || !disc_format_can_write(ccd))
        return 1;
    memset(&wo, 0, sizeof wo);
    wo.allow_lossy = 1;
    return disc_write(ctx, d, ccd, path, &wo);
}

TEST(rip_cli)
{
    struct disc_ctx ctx;
    struct disc *d;
    char out[8192], names[1024];
    int r;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    r = to_ccd(&ctx, d, "m.ccd");
    REQUIRE_OK(&ctx, r);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' rip --help", t_discarc));
    CHECK(strstr(out, "--gaps") && strstr(out, "--tracks") &&
          strstr(out, "--name") && strstr(out, "--format") &&
          strstr(out, "--accuraterip") && strstr(out, "--force") &&
          strstr(out, "--no-cue") && strstr(out, "--output"));
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' rip m.ccd -o r --accuraterip "
                       "2>&1",
                       t_discarc));
    CHECK(strstr(out, "data track not ripped") != NULL);
    CHECK(strstr(out, "AccurateRip: dBAR-002-") != NULL);
    list_dir("r", names, sizeof names);
    CHECK(strstr(names, "track02.wav") || strstr(names, "02 - "));
    CHECK_INT(2, t_run(out, sizeof out,
                       "'%s' rip m.ccd -o r2 --tracks 1 "
                       "2>&1",
                       t_discarc));
    CHECK(strstr(out, "track 1 is a data track") != NULL);
    CHECK(!t_exists("r2"));
    CHECK_INT(2, t_run(out, sizeof out, "'%s' rip m.ccd --tracks 3-2 2>&1",
                       t_discarc));
    CHECK_INT(2, t_run(out, sizeof out,
                       "'%s' rip m.ccd --gaps sideways "
                       "2>&1",
                       t_discarc));
    /* Existing output without --force: exit 1 and nothing changed. */
    CHECK_INT(1, t_run(out, sizeof out, "'%s' rip m.ccd -o r 2>&1", t_discarc));
    CHECK(strstr(out, "--force") != NULL);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' rip m.ccd -o r --force -f "
                       "flac -g prepend -n 'x%%n' --no-cue 2>&1",
                       t_discarc));
    list_dir("r", names, sizeof names);
    CHECK(strstr(names, "x02.flac|x03.flac") != NULL);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Extract                                                             */

/* Compares file bytes [0, n*user) with the user data at uoff of n
 * sectors of d from lba. */
static void
check_user_at(const char *file, int line, const struct disc *d,
              const char *path, disc_lba lba, uint32_t n, size_t uoff,
              size_t ulen)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    uint8_t sec[DISC_SECTOR_RAW];
    size_t len = 0;
    uint8_t *b = (uint8_t *)t_slurp(path, &len);
    uint32_t k;

    if (!b || len != (size_t)n * ulen) {
        t_fail(file, line, "%s: %zu bytes, expected %zu", path, len,
               (size_t)n * ulen);
        free(b);
        return;
    }
    for (k = 0; k < n; k++) {
        if (disc_read_sectors(&ctx, d, lba + (disc_lba)k, 1, sec, NULL) ||
            memcmp(sec + uoff, b + (size_t)k * ulen, ulen) != 0) {
            t_fail(file, line, "%s: sector %u differs", path, k);
            break;
        }
    }
    free(b);
}
#define CHECK_USER(d, path, lba, n, uoff, ulen)                                \
    check_user_at(__FILE__, __LINE__, d, path, lba, n, uoff, ulen)

TEST(extract_iso_mode1_and_form1)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE2_FORM1, 1, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 100, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc_extract_stats st;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx,
               disc_extract(&ctx, d, 1, DISC_EXTRACT_AUTO, "t1.iso", 0, &st));
    CHECK_INT(DISC_EXTRACT_ISO, st.kind);
    CHECK_INT(1000, st.sectors);
    CHECK_INT(1000, st.written);
    CHECK_INT(0, st.filled);
    CHECK_INT(0, st.bad_edc);
    CHECK_INT(1000 * 2048, st.bytes);
    CHECK_USER(d, "t1.iso", 0, 1000, 16, 2048);
    CHECK(strstr(t_log, "holds only track 1") != NULL);
    /* Audio and missing tracks are refused; existing files too. */
    CHECK_ERR(&ctx, DISC_E_ARG, "audio track",
              disc_extract(&ctx, d, 2, DISC_EXTRACT_AUTO, "x", 0, NULL));
    CHECK_ERR(&ctx, DISC_E_ARG, "not on the disc",
              disc_extract(&ctx, d, 9, DISC_EXTRACT_AUTO, "x", 0, NULL));
    CHECK_ERR(&ctx, DISC_E_EXISTS, NULL,
              disc_extract(&ctx, d, 1, DISC_EXTRACT_AUTO, "t1.iso", 0, NULL));
    /* Raw: the 2352-byte sectors. */
    REQUIRE_OK(&ctx,
               disc_extract(&ctx, d, 1, DISC_EXTRACT_RAW, "t1.bin", 0, &st));
    CHECK_USER(d, "t1.bin", 0, 1000, 0, 2352);
    disc_free(d);
    /* Form 1 track: 2048 bytes from offset 24. */
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx,
               disc_extract(&ctx, d, 1, DISC_EXTRACT_AUTO, "f1.iso", 0, &st));
    CHECK_INT(DISC_EXTRACT_ISO, st.kind);
    CHECK_USER(d, "f1.iso", 0, 300, 24, 2048);
    disc_free(d);
}

TEST(extract_form2_mode2_and_mixed)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE2_FORM2, 1, 0, 120, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2, 1, 0, 90, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2_MIXED, 1, 0, 99, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc_extract_stats st;
    struct disc *d;
    enum disc_extract_kind kind;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 3, NULL);
    REQUIRE(d);
    /* Form 2 with the video bit set (fixture submode 0x22). */
    REQUIRE_OK(&ctx,
               disc_extract(&ctx, d, 1, DISC_EXTRACT_AUTO, "t1.mpg", 0, &st));
    CHECK_INT(DISC_EXTRACT_FORM2, st.kind);
    CHECK_INT(120, st.written);
    CHECK_USER(d, "t1.mpg", 0, 120, 24, 2324);
    /* Formless Mode 2: 2336 bytes from offset 16. */
    REQUIRE_OK(&ctx,
               disc_extract(&ctx, d, 2, DISC_EXTRACT_AUTO, "t2.bin", 0, &st));
    CHECK_INT(DISC_EXTRACT_MODE2, st.kind);
    CHECK_USER(d, "t2.bin", 120, 90, 16, 2336);
    /* Mixed: Form 1 sectors present, so an ISO; every third sector is
     * Form 2 and becomes zeros (with a warning). */
    REQUIRE_OK(&ctx, disc_extract_kind_for(&ctx, d, 2, &kind));
    CHECK_INT(DISC_EXTRACT_ISO, kind);
    REQUIRE_OK(&ctx,
               disc_extract(&ctx, d, 3, DISC_EXTRACT_AUTO, "t3.iso", 0, &st));
    CHECK_INT(33, st.filled);
    CHECK_INT(66, st.written);
    CHECK_INT(99 * 2048, st.bytes);
    CHECK(strstr(t_log, "33 sectors not Mode 1/Form 1") != NULL);
    /* The same track as MPEG: only its Form 2 sectors. */
    REQUIRE_OK(&ctx,
               disc_extract(&ctx, d, 3, DISC_EXTRACT_FORM2, "t3.mpg", 0, &st));
    CHECK_INT(33, st.written);
    CHECK_INT(66, st.skipped);
    disc_free(d);
}

TEST(peer_extract_vcd_mpeg)
{
    /* tests/vcd.h builds a Video CD from an ffmpeg MPEG-1 clip with
     * vcdimager; extracting its MPEG track gives the clip back. */
    struct disc_ctx ctx;
    struct disc_extract_stats st;
    enum disc_extract_kind kind;
    struct disc *d = NULL;
    char bin[4096], cue[4096], a[33], b[33], out[1024];
    uint8_t head[4] = { 0 };
    int r, mpeg;
    FILE *f;

    r = vcd_build(bin, sizeof bin, cue, sizeof cue);
    if (r == -1)
        t_skip_tool("ffmpeg or vcdimager");
    REQUIRE(r == 0);
    REQUIRE(cue_reader_works());
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, cue, NULL, &d));
    REQUIRE(d->ntracks == 2);
    mpeg = d->track[1].number;
    /* Whatever mode the CUE reader gives MODE2/2352, the sectors say:
     * track 1 is the ISO 9660 file system, track 2 the MPEG stream. */
    REQUIRE_OK(&ctx, disc_extract_kind_for(&ctx, d, 0, &kind));
    CHECK_INT(DISC_EXTRACT_ISO, kind);
    REQUIRE_OK(&ctx, disc_extract_kind_for(&ctx, d, 1, &kind));
    CHECK_INT(DISC_EXTRACT_FORM2, kind);
    REQUIRE_OK(&ctx, disc_extract(&ctx, d, mpeg, DISC_EXTRACT_AUTO, "out.mpg",
                                  0, &st));
    CHECK_INT(DISC_EXTRACT_FORM2, st.kind);
    /* The 30-sector front and 45-sector rear margins (VCD 2.0) carry no
     * payload bits: skipped. */
    CHECK(st.skipped >= 30 + 45);
    CHECK_INT(t_file_size("vcd.mpg"), st.bytes);
    CHECK_INT(0, fx_md5_file("vcd.mpg", 0, -1, a));
    CHECK_INT(0, fx_md5_file("out.mpg", 0, -1, b));
    CHECK_STR(a, b);
    f = fopen("out.mpg", "rb");
    REQUIRE(f);
    CHECK(fread(head, 1, 4, f) == 4);
    fclose(f);
    CHECK(head[0] == 0 && head[1] == 0 && head[2] == 1 && head[3] == 0xBA);
    if (t_have("ffprobe")) {
        CHECK_INT(0, t_run(out, sizeof out,
                           "ffprobe -v error "
                           "-show_entries stream=codec_name -of csv=p=0 "
                           "out.mpg"));
        CHECK(strstr(out, "mpeg1video") != NULL);
    }
    /* Track 1: ISO 9660 (CD001 at sector 16). */
    REQUIRE_OK(&ctx, disc_extract(&ctx, d, d->track[0].number,
                                  DISC_EXTRACT_AUTO, "t1.iso", 0, &st));
    CHECK_INT(DISC_EXTRACT_ISO, st.kind);
    {
        size_t len = 0;
        char *iso = t_slurp("t1.iso", &len);
        REQUIRE(iso && len >= 17 * 2048);
        CHECK(memcmp(iso + 16 * 2048 + 1, "CD001", 5) == 0);
        free(iso);
    }
    disc_free(d);
    /* The same through the command line. */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' extract '%s' --track %d "
                       "-o cli.mpg 2>&1",
                       t_discarc, cue, mpeg));
    CHECK_INT(0, fx_md5_file("cli.mpg", 0, -1, b));
    CHECK_STR(a, b);
}

TEST(extract_samples_mixed_iso)
{
    /* samples/mixed.cue (make samples): track 1's ISO starts with
     * samples/mixed-data.iso; the rest of the track is zero fill. */
    char src[4096], out[4096];
    long long isolen;
    char a[33], b[33];

    REQUIRE(cue_reader_works());
    snprintf(src, sizeof src, "%s/mixed.cue", t_samples);
    snprintf(out, sizeof out, "%s/samples/mixed-data.iso", t_srcdir);
    isolen = t_file_size(out);
    /* `make check` builds the samples first. */
    REQUIRE(isolen > 0 && t_exists(src));
    {
        char bin[4096];
        snprintf(bin, sizeof bin, "%s/mixed.bin", t_samples);
        REQUIRE(t_exists(bin));
    }
    REQUIRE(t_run(NULL, 0,
                  "'%s' extract '%s' --track 1 -o t1.iso "
                  "2>/dev/null",
                  t_discarc, src) == 0);
    CHECK_INT(0, fx_md5_file(out, 0, -1, a));
    CHECK_INT(0, fx_md5_file("t1.iso", 0, isolen, b));
    CHECK_STR(a, b);
    CHECK(t_file_size("t1.iso") % 2048 == 0);
    CHECK_INT(0, t_run(NULL, 0,
                       "tail -c +%lld t1.iso | tr -d '\\000' | "
                       "wc -c | grep -qx 0",
                       isolen + 1));
}

TEST(extract_cli)
{
    struct disc_ctx ctx;
    struct disc *d;
    char out[8192];
    int r;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    r = to_ccd(&ctx, d, "m.ccd");
    REQUIRE_OK(&ctx, r);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' extract --help", t_discarc));
    CHECK(strstr(out, "--track") && strstr(out, "--output") &&
          strstr(out, "--as") && strstr(out, "--format") &&
          strstr(out, "--gaps") && strstr(out, "--force"));
    CHECK_INT(0, t_run(out, sizeof out, "'%s' extract m.ccd --track 1 2>&1",
                       t_discarc));
    CHECK(strstr(out, "holds only track 1") != NULL);
    CHECK_USER(d, "track01.iso", 0, 1000, 16, 2048);
    /* An audio track as WAV and as FLAC (by extension). */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' extract m.ccd --track 3 "
                       "-g prepend 2>&1",
                       t_discarc));
    CHECK_PCM(d, "track03.wav", 1650, 75 + 400, 0);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' extract m.ccd -t 2 -o t2.flac "
                       "2>&1",
                       t_discarc));
    CHECK(t_file_size("t2.flac") > 0);
    CHECK_INT(2, t_run(out, sizeof out, "'%s' extract m.ccd 2>&1", t_discarc));
    CHECK_INT(
        2, t_run(out, sizeof out, "'%s' extract m.ccd -t 7 2>&1", t_discarc));
    CHECK_INT(
        1, t_run(out, sizeof out, "'%s' extract m.ccd -t 1 2>&1", t_discarc));
    disc_free(d);
}

/* The sheet's lines without FILE, INDEX and PREGAP lines and line ends:
 * what a rip and a conversion must say alike. */
static void
sheet_body(const char *path, char *out, size_t n)
{
    char *text = t_slurp(path, NULL), *line, *save = NULL;
    size_t o = 0;

    out[0] = '\0';
    if (!text)
        return;
    for (line = strtok_r(text, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        if (strncmp(line, "FILE ", 5) == 0 || strstr(line, "INDEX ") ||
            strstr(line, "PREGAP "))
            continue;
        o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s\n", line);
    }
    free(text);
}

TEST(rip_sheet_matches_convert)
{
    /* One CUE writer: a rip's sheet keeps what convert's keeps (FLAGS
     * SCMS, track REM lines, a bare DISC_ID), under every gap policy. */
    static const char sheet[] =
        "REM GENRE Rock\r\nREM DATE 1999\r\nREM COMMENT \"ExactAudioCopy\"\r\n"
        "CATALOG 0123456789012\r\nPERFORMER \"Band\"\r\nTITLE \"Album\"\r\n"
        "DISC_ID XY12\r\n"
        "FILE \"a.bin\" BINARY\r\n"
        "  TRACK 01 AUDIO\r\n    TITLE \"One\"\r\n"
        "    REM REPLAYGAIN_TRACK_GAIN -7.00 dB\r\n"
        "    FLAGS DCP SCMS\r\n    INDEX 01 00:00:00\r\n"
        "  TRACK 02 AUDIO\r\n    TITLE \"Two\"\r\n    ISRC USRC17607839\r\n"
        "    FLAGS PRE\r\n    INDEX 00 00:01:00\r\n    INDEX 01 00:03:00\r\n"
        "    INDEX 02 00:04:00\r\n";
    static const enum disc_rip_gaps pol[3] = { DISC_GAPS_APPEND,
                                               DISC_GAPS_PREPEND,
                                               DISC_GAPS_DROP };
    static char conv[4096], rip[4096];
    struct disc_write_opts wo;
    struct disc_rip_plan *p = NULL;
    struct disc_ctx ctx;
    struct disc *d = NULL;
    int k;

    t_ctx(&ctx);
    REQUIRE(t_write_file("in.cue", sheet, sizeof sheet - 1) == 0);
    REQUIRE(fx_sparse("a.bin", 600LL * DISC_SECTOR_RAW) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "in.cue", NULL, &d));
    memset(&wo, 0, sizeof wo);
    REQUIRE(mkdir("conv", 0777) == 0);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, disc_format_find("cue"),
                                "conv/Album.cue", &wo));
    sheet_body("conv/Album.cue", conv, sizeof conv);
    CHECK(strstr(conv, "    FLAGS DCP SCMS\n") != NULL);
    CHECK(strstr(conv, "    REM REPLAYGAIN_TRACK_GAIN -7.00 dB\n") != NULL);
    CHECK(strstr(conv, "DISC_ID XY12\n") != NULL);
    for (k = 0; k < 3; k++) {
        char dir[16];
        (void)snprintf(dir, sizeof dir, "rip%d", k);
        REQUIRE_OK(&ctx, rip_with(&ctx, d, "wav", dir, pol[k], NULL, &p));
        sheet_body(p->cue_path, rip, sizeof rip);
        CHECK_STR(conv, rip);
        disc_rip_plan_free(p);
        p = NULL;
    }
    disc_free(d);
}

TEST(rip_sheet_loss_refused)
{
    /* What the sheet cannot hold is refused unless --lossy, as in a
     * conversion: a metadata value with a line break has no REM line. */
    struct fx_track t[1];
    struct disc_rip_opts o;
    struct disc_ctx ctx;
    struct disc *d;

    memset(t, 0, sizeof t);
    t[0].mode = DISC_MODE_AUDIO;
    t[0].session = 1;
    t[0].length = 20;
    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 1, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d, "COMMENT", "two\nlines"));
    memset(&o, 0, sizeof o);
    CHECK(disc_rip(&ctx, d, disc_format_find("wav"), "out", &o, NULL) ==
          DISC_E_UNSUPPORTED);
    CHECK(t_contains(ctx.msg, "COMMENT"));
    CHECK(!t_exists("out/rip.cue") && !t_exists("out/track01.wav"));
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx,
               disc_rip(&ctx, d, disc_format_find("wav"), "out", &o, NULL));
    CHECK(t_contains(t_log, "COMMENT"));
    CHECK(t_exists("out/rip.cue") && t_exists("out/track01.wav"));
    o.allow_lossy = 0;
    o.strict = 1;
    o.force = 1;
    CHECK(disc_rip(&ctx, d, disc_format_find("wav"), "out", &o, NULL) ==
          DISC_E_UNSUPPORTED);
    disc_free(d);
}
