/* test_cdio.c - libcdio source: cdrdao .toc (--from cdio-toc) and Nero
 * .nrg through libcdio, `discarc read`, the read offset, and the
 * Q-subchannel index scan; peer tests against cd-info and vcdxbuild.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cdio.md; docs/formats/audio.md, docs/formats/cd.md;
 * libcdio test/data and its expected .right files (cd-info output).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "internal.h" /* disc_tmp_private */
#include "test.h"
#include "vcd.h"

#define RAW DISC_SECTOR_RAW

/* 1 when discarc's own CUE reader opens path (it is written
 * concurrently; tests that need it skip until it works). */
static int
cue_works(const char *path)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    int ok;

    t_ctx(&ctx);
    ok = disc_open_image(&ctx, path, disc_format_find("cue"), &d) == 0;
    disc_free(d);
    return ok;
}

static void
swap16(uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i += 2) {
        uint8_t t = p[i];
        p[i] = p[i + 1];
        p[i + 1] = t;
    }
}

/* Reads count sectors of d from lba into a malloc'd buffer. */
static uint8_t *
read_all(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
         uint32_t count)
{
    uint8_t *b = malloc((size_t)count * RAW);
    if (b && disc_read_sectors(ctx, d, lba, count, b, NULL) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

/* ------------------------------------------------------------------ */
/* cdrdao .toc                                                         */

/* libcdio hands the .toc's audio file over unswapped; discarc swaps it
 * once (cdrdao audio files are big-endian), so every sector equals the
 * byte-swapped CUE reading of the same bytes of cdda.bin. */
TEST(cdio_toc_audio_byte_order)
{
    struct disc_ctx ctx;
    struct disc *t = NULL, *c = NULL;
    uint8_t *a = NULL, *b = NULL;

    NEED_CORPUS();
    REQUIRE(cue_works(t_corpus_path("libcdio/cdda.cue")));
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, t_corpus_path("libcdio/cdda.toc"),
                                     disc_format_find("cdio-toc"), &t));
    CHECK_STR("cdio-toc", disc_format_name(t->format));
    CHECK_OK(&ctx, disc_open_image(&ctx, t_corpus_path("libcdio/cdda.cue"),
                                   NULL, &c));
    /* libcdio: track 1 at LSN -125 (the DATAFILE length 00:00:25 read
     * as a start), lead-out 177; discarc starts it at 0 and says so. */
    CHECK(t_contains(t_log, "LSN -125"));
    CHECK_INT(1, t->ntracks);
    CHECK_INT(DISC_MODE_AUDIO, t->track[0].mode);
    CHECK_INT(0, t->track[0].index[1]);
    CHECK_INT(177, t->session[0].leadout);
    CHECK_INT(DISC_CTL_COPY, t->track[0].control);
    if (c) {
        a = read_all(&ctx, t, 0, 177);
        b = read_all(&ctx, c, 0, 177);
        REQUIRE(a && b);
        CHECK(memcmp(a, b, 177 * RAW) != 0); /* not the same bytes ... */
        swap16(b, 177 * RAW);
        CHECK_MEM(b, a, 177 * RAW); /* ... but swapped once */
    }
    free(a);
    free(b);
    disc_free(t);
    disc_free(c);
}

/* A MODE1_RAW .toc: cooked 2048-byte reads regenerated to raw give back
 * the stored raw sectors byte for byte (valid EDC/ECC in the file). */
TEST(cdio_toc_mode1_raw_identical)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *a;
    char *bin;
    size_t len = 0;

    NEED_CORPUS();
    t_ctx(&ctx);
    REQUIRE_OK(&ctx,
               disc_open_image(&ctx, t_corpus_path("libcdio/isofs-m1.toc"),
                               disc_format_find("cdio-toc"), &d));
    CHECK_INT(1, d->ntracks);
    CHECK_INT(DISC_MODE_MODE1, d->track[0].mode);
    CHECK_INT(302, d->session[0].leadout);
    bin = t_slurp(t_corpus_path("libcdio/isofs-m1.bin"), &len);
    a = read_all(&ctx, d, 0, 302);
    REQUIRE(a && bin && len == 302 * RAW);
    CHECK_MEM(bin, a, 302 * RAW);
    free(a);
    free(bin);
    disc_free(d);
}

/* What libcdio's cdrdao driver cannot serve is refused with a message,
 * never converted into invented data. */
TEST(cdio_toc_refused_cleanly)
{
    static const char *const bad[] = {
        "libcdio/t10.toc",   /* FILE start beyond cdda.bin */
        "libcdio/t9.toc",    /* track starts not ascending */
        "libcdio/data1.toc", /* SILENCE only: no data file */
        "libcdio/bad-cat1.toc", "libcdio/bad-file.toc",
    };
    size_t i;

    NEED_CORPUS();
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct disc_ctx ctx;
        struct disc *d = NULL;
        int r;
        t_ctx(&ctx);
        r = disc_open_image(&ctx, t_corpus_path(bad[i]),
                            disc_format_find("cdio-toc"), &d);
        if (r != DISC_E_FORMAT && r != DISC_E_IO)
            t_fail(__FILE__, __LINE__, "%s: expected a refusal, got %d", bad[i],
                   r);
        CHECK(d == NULL);
        CHECK(ctx.msg[0] != '\0');
        CHECK(strchr(ctx.msg, '\n') == NULL);
    }
}

TEST(cdio_toc_multifile_refused)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t sec[RAW];

    memset(sec, 0, sizeof sec);
    REQUIRE(t_write_file("a.bin", sec, sizeof sec) == 0);
    REQUIRE(t_write_file("b.bin", sec, sizeof sec) == 0);
    REQUIRE(t_write_file("two.toc",
                         "CD_DA\nTRACK AUDIO\nFILE \"a.bin\" 0\n"
                         "TRACK AUDIO\nFILE \"b.bin\" 0\n",
                         strlen("CD_DA\nTRACK AUDIO\nFILE \"a.bin\" 0\n"
                                "TRACK AUDIO\nFILE \"b.bin\" 0\n")) == 0);
    t_ctx(&ctx);
    CHECK_ERR(
        &ctx, DISC_E_UNSUPPORTED, "only the first",
        disc_open_image(&ctx, "two.toc", disc_format_find("cdio-toc"), &d));
    CHECK(d == NULL);
}

TEST(cdio_probe)
{
    const struct disc_format *f = NULL;
    struct disc_ctx ctx;
    char pad[64];

    NEED_CORPUS();
    t_ctx(&ctx);
    CHECK_OK(&ctx,
             disc_format_probe(&ctx, t_corpus_path("libcdio/cdda.toc"), &f));
    CHECK_STR("toc", f ? disc_format_name(f) : NULL);
    CHECK_OK(&ctx,
             disc_format_probe(&ctx, t_corpus_path("libcdio/p1.nrg"), &f));
    CHECK_STR("nrg", f ? disc_format_name(f) : NULL);
    CHECK_OK(&ctx,
             disc_format_probe(&ctx, t_corpus_path("libcdio/videocd.nrg"), &f));
    CHECK_STR("nrg", f ? disc_format_name(f) : NULL);
    /* A CUE sheet ("TRACK 01 AUDIO") is not a TOC. */
    CHECK_OK(&ctx,
             disc_format_probe(&ctx, t_corpus_path("libcdio/cdda.cue"), &f));
    CHECK_STR("cue", f ? disc_format_name(f) : NULL);
    /* .nrg without a footer: only the extension speaks for it. */
    memset(pad, 0, sizeof pad);
    REQUIRE(t_write_file("fake.nrg", pad, sizeof pad) == 0);
    CHECK_ERR(&ctx, DISC_E_FORMAT, "nrg",
              disc_open_image(&ctx, "fake.nrg", NULL, &(struct disc *){ 0 }));
}

/* ------------------------------------------------------------------ */
/* Nero .nrg                                                           */

TEST(cdio_nrg_p1)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *a;
    char *bin;
    size_t len = 0;

    NEED_CORPUS();
    t_ctx(&ctx);
    REQUIRE_OK(
        &ctx, disc_open_image(&ctx, t_corpus_path("libcdio/p1.nrg"), NULL, &d));
    /* The CUEX chunk: track 1 INDEX 00 at -150 (0 in the model: the Red
     * Book pregap stays implicit), INDEX 01 150; track 2 225 / 300;
     * lead-out 302. */
    CHECK_INT(2, d->ntracks);
    CHECK_INT(0, d->track[0].index[0]);
    CHECK_INT(150, d->track[0].index[1]);
    CHECK_INT(225, d->track[1].index[0]);
    CHECK_INT(300, d->track[1].index[1]);
    CHECK_INT(302, d->session[0].leadout);
    CHECK_INT(DISC_CTL_COPY, d->track[0].control);
    CHECK_STR("Join us now we have the software",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("Richard Stallman",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_PERFORMER));
    /* LBA 0.. is p1.bin from its first byte (NRG audio is not swapped). */
    bin = t_slurp(t_corpus_path("libcdio/p1.bin"), &len);
    a = read_all(&ctx, d, 0, 302);
    REQUIRE(a && bin && len == 302 * RAW);
    CHECK_MEM(bin, a, 302 * RAW);
    free(a);
    free(bin);
    disc_free(d);
}

/* The read offset is applied by discarc: disc sample k is drive sample
 * k + offset; samples beyond the audio are silence.  Checked against an
 * in-memory shift of the unshifted reading, both signs, and across the
 * track 1/2 boundary. */
TEST(cdio_read_offset)
{
    static const int offs[] = { 6, -6, 667, -1234, 588 * 3 + 1, -588 };
    struct disc_ctx ctx;
    struct disc *d0 = NULL;
    uint8_t *ref;
    size_t i;

    NEED_CORPUS();
    t_ctx(&ctx);
    {
        struct disc_cdio_opts o;
        memset(&o, 0, sizeof o);
        o.driver = DISC_CDIO_NRG;
        d0 = disc_new(&ctx);
        REQUIRE(d0);
        REQUIRE_OK(&ctx, disc_open_cdio(&ctx, t_corpus_path("libcdio/p1.nrg"),
                                        &o, d0));
    }
    ref = read_all(&ctx, d0, 0, 302);
    REQUIRE(ref);
    for (i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        struct disc_cdio_opts o;
        struct disc *d = disc_new(&ctx);
        uint8_t *got, *exp = calloc(302, RAW);
        long k, n = 302L * 588;
        REQUIRE(d && exp);
        memset(&o, 0, sizeof o);
        o.driver = DISC_CDIO_NRG;
        o.offset_samples = offs[i];
        REQUIRE_OK(
            &ctx, disc_open_cdio(&ctx, t_corpus_path("libcdio/p1.nrg"), &o, d));
        for (k = 0; k < n; k++)
            if (k + offs[i] >= 0 && k + offs[i] < n)
                memcpy(exp + k * 4, ref + (k + offs[i]) * 4, 4);
        /* Read in odd pieces, out of order: the source is positional. */
        got = malloc(302 * RAW);
        REQUIRE(got);
        CHECK_OK(&ctx,
                 disc_read_sectors(&ctx, d, 200, 102, got + 200 * RAW, NULL));
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 0, 7, got, NULL));
        CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 7, 193, got + 7 * RAW, NULL));
        CHECK_MEM(exp, got, 302 * RAW);
        free(got);
        free(exp);
        disc_free(d);
    }
    free(ref);
    disc_free(d0);
}

/* ------------------------------------------------------------------ */
/* discarc read                                                        */

static int
one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return s[0] && nl && nl[1] == '\0';
}

TEST(cdio_read_no_drive)
{
    char out[4096];
    int rc;

    rc = t_run(out, sizeof out,
               "'%s' read /dev/does-not-exist -o x.cue "
               "2>&1",
               t_discarc);
    CHECK(rc != 0 && rc != -1);
    CHECK(one_line(out));
    CHECK(t_contains(out, "/dev/does-not-exist"));
    CHECK(!t_exists("x.cue"));
    /* This machine has no drive: the default one is not there. */
    if (t_exists("/dev/cdrom") || t_exists("/dev/sr0"))
        SKIP("a CD drive is present");
    rc = t_run(out, sizeof out, "'%s' read -o x.cue 2>&1", t_discarc);
    CHECK(rc != 0 && rc != -1);
    CHECK(one_line(out));
    CHECK(t_contains(out, "drive"));
    /* A regular file is not a drive. */
    REQUIRE(t_write_file("plain", "x", 1) == 0);
    rc = t_run(out, sizeof out,
               "'%s' read --from device plain -o x.cue "
               "2>&1",
               t_discarc);
    CHECK(rc != 0 && rc != -1);
    CHECK(one_line(out));
}

/* `discarc read cdda.toc -o x.cue`: the track and (byte-swapped, see
 * cdio_toc_audio_byte_order) audio of discarc's reading of cdda.cue;
 * --paranoia full gives the same bytes through libcdio-paranoia. */
TEST(cdio_read_toc_cli)
{
    struct disc_ctx ctx;
    struct disc *x = NULL, *c = NULL;
    char out[4096];
    char *bin = NULL, *bin2 = NULL, *logt = NULL;
    uint8_t *ref = NULL;
    size_t len = 0, len2 = 0;

    NEED_CORPUS();
    REQUIRE(cue_works(t_corpus_path("libcdio/cdda.cue")));
    CHECK_INT(0, t_run(out, sizeof out, "'%s' read '%s' -o x.cue 2>&1",
                       t_discarc, t_corpus_path("libcdio/cdda.toc")));
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' -v read '%s' -o p.cue "
                       "--paranoia full 2>&1",
                       t_discarc, t_corpus_path("libcdio/cdda.toc")));
    CHECK(t_contains(out, "libcdio-paranoia (full mode)"));
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.cue", NULL, &x));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, t_corpus_path("libcdio/cdda.cue"),
                                     NULL, &c));
    CHECK_INT(1, x->ntracks);
    CHECK_INT(c->track[0].mode, x->track[0].mode);
    CHECK_INT(c->track[0].index[1], x->track[0].index[1]);
    CHECK_INT(DISC_CTL_COPY, x->track[0].control & DISC_CTL_COPY);
    bin = t_slurp("x.bin", &len);
    bin2 = t_slurp("p.bin", &len2);
    ref = read_all(&ctx, c, 0, 177);
    REQUIRE(bin && bin2 && ref);
    CHECK_INT(177 * RAW, len);
    CHECK_INT(len, len2);
    swap16(ref, 177 * RAW);
    if (len == 177 * RAW) {
        CHECK_MEM(ref, bin, len);
        CHECK_MEM(bin, bin2, len);
    }
    logt = t_slurp("x.log", NULL);
    CHECK(logt && t_contains(logt, "without error"));
    free(logt);
    free(ref);
    free(bin);
    free(bin2);
    disc_free(x);
    disc_free(c);
}

TEST(cdio_read_nrg_to_dir_and_ccd)
{
    char out[4096];
    char *a, *b;
    size_t la = 0, lb = 0;

    NEED_CORPUS();
    CHECK_INT(0, t_run(out, sizeof out, "'%s' read '%s' -o outdir/ 2>&1",
                       t_discarc, t_corpus_path("libcdio/p1.nrg")));
    CHECK(t_exists("outdir/Join_us_now_we_have_the_software.cue"));
    CHECK(t_exists("outdir/Join_us_now_we_have_the_software.log"));
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' read '%s' -o p.ccd "
                       "--paranoia overlap 2>&1",
                       t_discarc, t_corpus_path("libcdio/p1.nrg")));
    a = t_slurp("outdir/Join_us_now_we_have_the_software.bin", &la);
    b = t_slurp("p.img", &lb);
    REQUIRE(a && b);
    CHECK_INT(la, lb);
    if (la == lb)
        CHECK_MEM(a, b, la);
    free(a);
    free(b);
    /* Usage errors. */
    CHECK_INT(2, t_run(NULL, 0, "'%s' read '%s' 2>/dev/null", t_discarc,
                       t_corpus_path("libcdio/p1.nrg")));
    CHECK_INT(2, t_run(NULL, 0,
                       "'%s' read --paranoia some -o y.cue "
                       "2>/dev/null",
                       t_discarc));
}

/* ------------------------------------------------------------------ */
/* Q-subchannel index scan                                             */

struct qfake {
    struct disc_ctx *ctx;
    const struct disc *truth;
    int corrupt; /* every corrupt-th frame has a bad CRC when first
                    read (Q errors are transient) */
    int unread;  /* every unread-th sector is never readable */
    unsigned calls;
    unsigned char seen[16384];
};

static int
qfake_get(void *user, disc_lba lba, uint8_t *q)
{
    struct qfake *f = user;
    uint8_t sub[DISC_SECTOR_SUB];

    f->calls++;
    if (f->unread && lba % f->unread == 3)
        return 1;
    if (disc_sub_synth(f->ctx, f->truth, lba, 1, sub) != 0)
        return -1;
    memcpy(q, sub + 12, 12);
    if (f->corrupt && lba % f->corrupt == 1 && lba >= 0 && lba < 16384 &&
        f->seen[lba]++ == 0)
        q[10] ^= 0x55;
    return 0;
}

/* A model as a drive's TOC gives it: INDEX 01 starts only. */
static struct disc *
toc_only(struct disc_ctx *ctx, const struct disc *src)
{
    struct disc *d = disc_new(ctx);
    int i;

    if (!d)
        return NULL;
    d->nsessions = src->nsessions;
    memcpy(d->session, src->session, sizeof d->session);
    d->ntracks = src->ntracks;
    memcpy(d->track, src->track, sizeof d->track);
    for (i = 0; i < d->ntracks; i++) {
        d->track[i].index[0] = d->track[i].index[1];
        d->track[i].last_index = 1;
    }
    return d;
}

static void
qscan_case(struct disc *truth, int corrupt, int unread)
{
    struct disc_ctx ctx;
    struct disc *d;
    static struct qfake f;
    int i, k, r;

    t_ctx(&ctx);
    d = toc_only(&ctx, truth);
    REQUIRE(d);
    memset(&f, 0, sizeof f);
    f.ctx = &ctx;
    f.truth = truth;
    f.corrupt = corrupt;
    f.unread = unread;
    r = disc_qscan(&ctx, d, qfake_get, &f);
    CHECK(r > 0);
    CHECK_INT(f.calls, r);
    for (i = 0; i < truth->ntracks; i++) {
        const struct disc_track *a = &truth->track[i], *b = &d->track[i];
        /* The first track's pregap comes from the TOC, not from Q. */
        if (i > 0)
            CHECK_INT(a->index[0], b->index[0]);
        CHECK_INT(a->last_index, b->last_index);
        for (k = 1; k <= a->last_index && k <= b->last_index; k++)
            CHECK_INT(a->index[k], b->index[k]);
    }
    /* Binary search: a few dozen frames, not the whole disc. */
    CHECK(f.calls < 400);
    disc_free(d);
}

TEST(cdio_qscan_synth)
{
    struct disc_ctx ctx;
    struct disc *m, *e;

    t_ctx(&ctx);
    m = fx_disc_mixed(&ctx); /* pregaps 150 and 75, INDEX 02, MCN, ISRC */
    e = fx_disc_enhanced(&ctx);
    REQUIRE(m && e);
    CHECK_INT(2, m->track[2].last_index);
    qscan_case(m, 0, 0);
    qscan_case(m, 7, 0);  /* bad CRCs */
    qscan_case(m, 0, 11); /* unreadable sectors */
    qscan_case(m, 5, 13);
    qscan_case(e, 3, 0); /* two sessions */
    disc_free(m);
    disc_free(e);
}

/* More indexes: 5 index points in one track, one track without pregap. */
TEST(cdio_qscan_many_indexes)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 3000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 2000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 33, 4000, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 3, "0000000000000");
    REQUIRE(d);
    d->track[0].index[2] = 100;
    d->track[0].index[3] = 101;
    d->track[0].index[4] = 2000;
    d->track[0].index[5] = 2999;
    d->track[0].last_index = 5;
    REQUIRE_OK(&ctx, disc_check(&ctx, d));
    qscan_case(d, 0, 0);
    qscan_case(d, 9, 17);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* cd-info over the corpus                                             */

struct cdinfo_track {
    int num;
    long lsn;
    char type[16]; /* audio, data, XA */
};

/* Parses cd-info's "CD-ROM Track List"; returns the number of tracks
 * (the lead-out is the entry numbered 170) or -1. */
static int
cdinfo_parse(const char *out, struct cdinfo_track *t, int max, long *leadout)
{
    const char *p = strstr(out, "CD-ROM Track List");
    int n = 0;

    if (!p)
        return -1;
    p = strchr(p, '\n');
    p = p ? strchr(p + 1, '\n') : NULL; /* skip the column header */
    while (p && *++p) {
        char msf[16], type[16];
        unsigned long long lsn;
        int num;
        if (sscanf(p, " %d: %15s %llu %15s", &num, msf, &lsn, type) != 4)
            break;
        if (num == 170) {
            *leadout = (long)(int32_t)(uint32_t)lsn;
            return n;
        }
        if (n < max) {
            t[n].num = num;
            t[n].lsn = (long)(int32_t)(uint32_t)lsn;
            snprintf(t[n].type, sizeof t[n].type, "%s", type);
            n++;
        }
        p = strchr(p, '\n');
    }
    return -1;
}

static const char *
cdinfo_type(enum disc_track_mode m)
{
    switch (m) {
    case DISC_MODE_AUDIO:
        return "audio";
    case DISC_MODE_MODE1:
        return "data";
    default:
        return "XA";
    }
}

static void
corpus_walk(const char *dir, char list[][512], int *n, int max)
{
    DIR *dp = opendir(dir);
    struct dirent *e;

    if (!dp)
        return;
    while ((e = readdir(dp)) && *n < max) {
        size_t l = strlen(e->d_name);
        char path[512];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (l > 4 && (strcmp(e->d_name + l - 4, ".toc") == 0 ||
                      strcmp(e->d_name + l - 4, ".nrg") == 0))
            snprintf(list[(*n)++], 512, "%s", path);
        else if (!strchr(e->d_name, '.'))
            corpus_walk(path, list, n, max);
    }
    closedir(dp);
}

/* Every .toc and .nrg of the corpus: where libcdio (cd-info) opens it
 * and discarc accepts its TOC, the CUE and the CCD discarc writes hold
 * cd-info's tracks, types and start LSNs (a start before LSN 0 is read
 * from 0, see docs/formats/cdio.md).  Refusals are counted, and the four
 * images libcdio is known to serve must convert. */
TEST(peer_cdio_corpus_vs_cdinfo)
{
    const char *must[] = { "libcdio/cdda.toc", "libcdio/isofs-m1.toc",
                           "libcdio/p1.nrg", "libcdio/videocd.nrg" };
    static char list[128][512];
    static char out[65536];
    int n = 0, i, nlib = 0, nref = 0, nok = 0;
    size_t k;

    NEED_CORPUS();
    NEED_TOOL("cd-info");
    REQUIRE(cue_works(t_corpus_path("libcdio/cdda.cue")));
    corpus_walk(t_corpus, list, &n, 128);
    REQUIRE(n > 20);
    for (i = 0; i < n; i++) {
        struct cdinfo_track ct[100];
        const char *path = list[i], *ext = path + strlen(path) - 3;
        char *dir = disc_path_dir(path), cue[600], ccd[600];
        long leadout = 0;
        int nt, j, f, ok = 1;

        t_run(out, sizeof out,
              "cd '%s' && cd-info --no-device-info "
              "--no-cddb --no-analyze --%s-file '%s' 2>&1",
              dir, ext, disc_path_base(path));
        disc_free_mem(dir);
        nt = cdinfo_parse(out, ct, 100, &leadout);
        if (nt <= 0) {
            nlib++;
            continue;
        }
        snprintf(cue, sizeof cue, "c%d.cue", i);
        snprintf(ccd, sizeof ccd, "c%d.ccd", i);
        /* TOC files through libcdio, as cd-info reads them. */
        if (t_run(out, sizeof out, "'%s' convert %s '%s' %s 2>&1", t_discarc,
                  strcmp(ext, "toc") == 0 ? "--from cdio-toc" : "", path,
                  cue) != 0) {
            /* Refused: one clear line naming the file. */
            nref++;
            if (!t_contains(out, disc_path_base(path)))
                t_fail(__FILE__, __LINE__,
                       "%s: refusal does not name the "
                       "file: %s",
                       path, out);
            if (t_verbose)
                fprintf(stderr, "  refused %s: %s", path, out);
            continue;
        }
        CHECK_INT(0, t_run(out, sizeof out,
                           "'%s' convert --lossy %s '%s' "
                           "%s 2>&1",
                           t_discarc,
                           strcmp(ext, "toc") == 0 ? "--from cdio-toc" : "",
                           path, ccd));
        for (f = 0; f < 2; f++) {
            struct disc_ctx ctx;
            struct disc *d = NULL;
            t_ctx(&ctx);
            if (disc_open_image(&ctx, f ? ccd : cue, NULL, &d) != 0) {
                t_fail(__FILE__, __LINE__, "%s: %s", f ? ccd : cue, ctx.msg);
                ok = 0;
                continue;
            }
            if (d->ntracks != nt) {
                t_fail(__FILE__, __LINE__,
                       "%s -> %s: %d tracks, cd-info "
                       "%d",
                       path, f ? "ccd" : "cue", d->ntracks, nt);
                ok = 0;
            }
            for (j = 0; j < nt && j < d->ntracks; j++) {
                long exp = ct[j].lsn < 0 && j == 0 ? 0 : ct[j].lsn;
                if (d->track[j].number != ct[j].num ||
                    d->track[j].index[1] != exp ||
                    strcmp(cdinfo_type(d->track[j].mode), ct[j].type)) {
                    t_fail(__FILE__, __LINE__,
                           "%s -> %s: track %d at %d "
                           "(%s), cd-info: track %d at %ld (%s)",
                           path, f ? "ccd" : "cue", d->track[j].number,
                           d->track[j].index[1], cdinfo_type(d->track[j].mode),
                           ct[j].num, ct[j].lsn, ct[j].type);
                    ok = 0;
                }
            }
            if (d->session[d->nsessions - 1].leadout != leadout) {
                t_fail(__FILE__, __LINE__, "%s: lead-out %d, cd-info %ld", path,
                       d->session[d->nsessions - 1].leadout, leadout);
                ok = 0;
            }
            disc_free(d);
        }
        nok += ok;
        for (k = 0; k < sizeof must / sizeof must[0]; k++)
            if (strstr(path, must[k]))
                must[k] = "";
    }
    for (k = 0; k < sizeof must / sizeof must[0]; k++)
        if (must[k][0])
            t_fail(__FILE__, __LINE__, "%s did not convert", must[k]);
    if (t_verbose)
        fprintf(stderr,
                "  %d images: %d rejected by libcdio, %d refused "
                "by discarc, %d converted and matched\n",
                n, nlib, nref, nok);
    CHECK(nok >= 4);
}

/* ------------------------------------------------------------------ */
/* Video CD through vcdxbuild's three image types                      */

/* Compares sectors [a, b) of two discs. */
static void
same_sectors(struct disc_ctx *ctx, const struct disc *x, const struct disc *y,
             disc_lba a, disc_lba b, const char *what)
{
    uint8_t *p = read_all(ctx, x, a, (uint32_t)(b - a));
    uint8_t *q = read_all(ctx, y, a, (uint32_t)(b - a));
    disc_lba l;

    if (!p || !q) {
        t_fail(__FILE__, __LINE__, "%s: read failed: %s", what, ctx->msg);
    } else {
        for (l = a; l < b; l++)
            if (memcmp(p + (size_t)(l - a) * RAW, q + (size_t)(l - a) * RAW,
                       RAW) != 0) {
                t_fail(__FILE__, __LINE__, "%s: LBA %d differs", what, l);
                break;
            }
    }
    free(p);
    free(q);
}

TEST(peer_cdio_vcd_nrg_cdrdao)
{
    struct disc_ctx ctx;
    struct disc *c = NULL, *n = NULL, *t = NULL;
    char bin[1024], cue[1024];
    int r;

    NEED_TOOL("vcdxbuild");
    r = vcd_build(bin, sizeof bin, cue, sizeof cue);
    if (r == -1)
        t_skip_tool("ffmpeg or vcdimager");
    REQUIRE(r == 0);
    REQUIRE(cue_works(cue));
    REQUIRE(t_run(NULL, 0,
                  "vcdxbuild -q -T '2000-01-01 00:00:00' -i nrg "
                  "--nrg-file=vcd.nrg vcd.xml >>vcd.log 2>&1") == 0);
    REQUIRE(t_run(NULL, 0,
                  "vcdxbuild -q -T '2000-01-01 00:00:00' "
                  "-i cdrdao --cdrdao-file=vcdt vcd.xml >>vcd.log 2>&1") == 0);
    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, cue, NULL, &c));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "vcd.nrg", NULL, &n));
    /* Same tracks, same INDEX 01 starts, same lead-out. */
    REQUIRE(c->ntracks == 2 && n->ntracks == 2);
    CHECK_INT(c->track[1].index[1], n->track[1].index[1]);
    CHECK_INT(c->session[0].leadout, n->session[0].leadout);
    CHECK_INT(DISC_MODE_MODE2_MIXED, n->track[0].mode);
    /* vcdxbuild writes a TAO NRG that stores no pregap: libcdio serves
     * track 2's pregap (LBA 300-449) as zeros, so only the stored
     * sectors compare: all of track 1's data and all of track 2. */
    same_sectors(&ctx, c, n, 0, c->track[1].index[0], "nrg track 1");
    same_sectors(&ctx, c, n, c->track[1].index[1], c->session[0].leadout,
                 "nrg track 2");
    /* vcdxbuild's .toc names one DATAFILE per track (and one per pregap)
     * and libcdio reads only the first: --from cdio-toc refuses it
     * rather than misread it (the native reader: test_toc.c). */
    CHECK_ERR(
        &ctx, DISC_E_UNSUPPORTED, "only the first",
        disc_open_image(&ctx, "vcdt.toc", disc_format_find("cdio-toc"), &t));
    CHECK(t == NULL);
    disc_free(c);
    disc_free(n);
}

/* Files in dir other than "." and ".."; -1 if it cannot be read. */
static int
dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* The private copy of a .toc that libcdio reads is registered like an
 * output's temporary file: a signal's cleanup removes it, and nothing is
 * left in TMPDIR after an open, whether it succeeds or is refused. */
TEST(cdio_toc_private_copy_cleaned_up)
{
    static const char good[] = "CD_DA\nTRACK AUDIO\nFILE \"a.bin\" 0\n";
    static const char bad[] = "CD_DA\nSILENCE 0:2:0\nTRACK AUDIO\n"
                              "FILE \"a.bin\" 0\n";
    char cwd[1024], tmp[1100];
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *pcm = calloc(300, RAW);
    char *p = NULL;
    int fd;

    REQUIRE(pcm && getcwd(cwd, sizeof cwd));
    (void)snprintf(tmp, sizeof tmp, "%s/tmp", cwd);
    REQUIRE(mkdir(tmp, 0700) == 0);
    REQUIRE(setenv("TMPDIR", tmp, 1) == 0);
    REQUIRE(t_write_file("a.bin", pcm, 300 * RAW) == 0);
    REQUIRE(t_write_file("good.toc", good, strlen(good)) == 0);
    REQUIRE(t_write_file("bad.toc", bad, strlen(bad)) == 0);
    free(pcm);

    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "good.toc",
                                     disc_format_find("cdio-toc"), &d));
    CHECK_INT(300, d->session[0].leadout);
    disc_free(d);
    CHECK_INT(0, dir_entries(tmp));
    d = NULL;
    CHECK(disc_open_image(&ctx, "bad.toc", disc_format_find("cdio-toc"), &d) <
          0);
    CHECK(d == NULL);
    CHECK_INT(0, dir_entries(tmp));

    /* What a signal handler calls removes a private file still open. */
    fd = disc_tmp_private("toc", ".toc", &p);
    REQUIRE(fd >= 0 && p != NULL);
    close(fd);
    CHECK(strncmp(p, tmp, strlen(tmp)) == 0);
    CHECK(t_contains(p, "/discarc-toc-"));
    CHECK(strcmp(p + strlen(p) - 4, ".toc") == 0);
    CHECK_INT(1, dir_entries(tmp));
    disc_out_remove_temps();
    CHECK_INT(0, dir_entries(tmp));
    disc_tmp_private_drop(p);
    unsetenv("TMPDIR");
}

/* A TMPDIR where the private copy cannot be made (missing, or a file)
 * refuses the open with one line that names the folder, leaves nothing
 * in the working folder; a relative TMPDIR stands for /tmp. */
TEST(cdio_toc_private_copy_tmpdir_unusable)
{
    static const char good[] = "CD_DA\nTRACK AUDIO\nFILE \"a.bin\" 0\n";
    static const char *const dirs[] = { "missing", "afile" };
    char cwd[1024], tmp[1100];
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t *pcm = calloc(300, RAW);
    size_t i;

    REQUIRE(pcm && getcwd(cwd, sizeof cwd));
    REQUIRE(t_write_file("a.bin", pcm, 300 * RAW) == 0);
    REQUIRE(t_write_file("good.toc", good, strlen(good)) == 0);
    REQUIRE(t_write_file("afile", "x", 1) == 0);
    free(pcm);
    t_ctx(&ctx);
    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        (void)snprintf(tmp, sizeof tmp, "%s/%s", cwd, dirs[i]);
        REQUIRE(setenv("TMPDIR", tmp, 1) == 0);
        d = NULL;
        CHECK_INT(DISC_E_IO, disc_open_image(&ctx, "good.toc",
                                             disc_format_find("cdio-toc"), &d));
        CHECK(d == NULL);
        CHECK(t_contains(ctx.msg, "good.toc: cannot make the private copy"));
        CHECK(t_contains(ctx.msg, tmp));
        CHECK(strchr(ctx.msg, '\n') == NULL);
        CHECK_INT(3, dir_entries(cwd)); /* a.bin, good.toc, afile */
    }
    REQUIRE(setenv("TMPDIR", "missing", 1) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "good.toc",
                                     disc_format_find("cdio-toc"), &d));
    CHECK_INT(300, d->session[0].leadout);
    disc_free(d);
    CHECK_INT(3, dir_entries(cwd));
    unsetenv("TMPDIR");
}
