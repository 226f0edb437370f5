/* test_map.c - the SVG disc map (`info/verify/read --map`): positions
 * against the TOC, XML well-formedness (xmllint), damaged LBAs, and a
 * rendering by headless Chromium that must not be blank.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "map.h"
#include "test.h"

/* The value of attribute name inside the element starting at el. */
static int
attr(const char *el, const char *name, double *v)
{
    char key[64];
    const char *end = strchr(el, '>'), *p;
    (void)snprintf(key, sizeof key, " %s=\"", name);
    p = strstr(el, key);
    if (!p || (end && p > end))
        return -1;
    *v = strtod(p + strlen(key), NULL);
    return 0;
}

static size_t
count(const char *s, const char *sub)
{
    size_t n = 0;
    for (s = strstr(s, sub); s; s = strstr(s + 1, sub))
        n++;
    return n;
}

/* Checks the SVG at path against d: one block per track at the x its
 * LBAs give, one band per session, one mark per INDEX 02+. */
static void
check_svg(const struct disc *d, const char *path)
{
    char *svg = t_slurp(path, NULL);
    const char *p;
    double lba0, lba1, x0, x1;
    int i, nidx = 0;
    size_t ntr = 0;

    REQUIRE(svg);
    REQUIRE(attr(strstr(svg, "<svg"), "data-lba0", &lba0) == 0);
    REQUIRE(attr(strstr(svg, "<svg"), "data-lba1", &lba1) == 0);
    REQUIRE(attr(strstr(svg, "<svg"), "data-x0", &x0) == 0);
    REQUIRE(attr(strstr(svg, "<svg"), "data-x1", &x1) == 0);
    CHECK_INT(disc_session_start(d, 0), (long long)lba0);
    CHECK_INT(d->session[d->nsessions - 1].leadout, (long long)lba1);
    CHECK_INT(DISC_MAP_X0, (long long)x0);
    CHECK_INT(DISC_MAP_X1, (long long)x1);
    for (p = strstr(svg, "<rect class=\"track\""); p;
         p = strstr(p + 1, "<rect class=\"track\"")) {
        double num, x, w, start, end;
        int k;
        ntr++;
        REQUIRE(attr(p, "data-track", &num) == 0 && attr(p, "x", &x) == 0 &&
                attr(p, "width", &w) == 0 &&
                attr(p, "data-start", &start) == 0 &&
                attr(p, "data-end", &end) == 0);
        k = disc_track_find(d, (int)num);
        REQUIRE(k >= 0);
        CHECK_INT(d->track[k].index[0], (long long)start);
        CHECK_INT(disc_track_end(d, k), (long long)end);
        {
            double ex = x0 + (start - lba0) * (x1 - x0) / (lba1 - lba0);
            double ew = (end - start) * (x1 - x0) / (lba1 - lba0);
            if (fabs(ex - x) > 0.01 || fabs(ew - w) > 0.01)
                t_fail(__FILE__, __LINE__,
                       "track %d: x %.2f width %.2f, expected %.2f %.2f",
                       (int)num, x, w, ex, ew);
        }
    }
    CHECK_INT(d->ntracks, ntr);
    CHECK_INT(d->nsessions, count(svg, "<g class=\"session\""));
    for (i = 0; i < d->ntracks; i++)
        nidx += d->track[i].last_index - 1;
    CHECK_INT(nidx, count(svg, "<g class=\"index\""));
    for (i = 0; i < d->ntracks; i++) {
        const char *t =
            disc_cdtext_get(d, 0, d->track[i].number, DISC_CDTEXT_TITLE);
        if (t)
            CHECK(strstr(svg, t) != NULL);
    }
    CHECK(!strstr(svg, "<script"));
    free(svg);
}

static void
xmllint_ok(const char *path)
{
    char out[4096];
    CHECK_INT(0, t_run(out, sizeof out, "xmllint --noout '%s' 2>&1", path));
}

TEST(map_svg_matches_toc)
{
    struct disc_ctx ctx;
    struct disc *d[3];
    struct disc_map *m = NULL;
    int k;

    NEED_DEB("xmllint");
    t_ctx(&ctx);
    d[0] = fx_disc_mixed(&ctx);
    d[1] = fx_disc_enhanced(&ctx);
    d[2] = fx_disc_audio(&ctx, 20, 700);
    for (k = 0; k < 3; k++) {
        char name[32];
        REQUIRE(d[k]);
        (void)snprintf(name, sizeof name, "m%d.svg", k);
        REQUIRE_OK(&ctx, disc_map_new(&ctx, d[k], &m));
        if (k == 0) {
            /* Marks: a damaged run, the same run again (merged), an
             * unreadable sector; a title with markup in it. */
            CHECK_OK(&ctx,
                     disc_map_mark(&ctx, m, 1500, 3, DISC_MAP_BAD, "EDC"));
            CHECK_OK(&ctx,
                     disc_map_mark(&ctx, m, 1501, 1, DISC_MAP_BAD, "ECC"));
            CHECK_OK(&ctx, disc_map_mark(&ctx, m, 1800, 1, DISC_MAP_UNREADABLE,
                                         NULL));
            CHECK_OK(&ctx, disc_cdtext_set(&ctx, d[k], 0, 2, DISC_CDTEXT_TITLE,
                                           "Rock & <Roll> \"live\""));
        }
        REQUIRE_OK(&ctx, disc_map_write(&ctx, m, "fixture & co", name, 0));
        disc_map_free(m);
        m = NULL;
        if (k == 0) {
            char *svg = t_slurp(name, NULL);
            REQUIRE(svg);
            CHECK_INT(2, count(svg, "<g class=\"mark\""));
            CHECK(strstr(svg, "damaged sectors: LBA 1500-1502 (3 sectors "
                              "from 00:22:00): EDC, ECC") != NULL);
            CHECK(strstr(svg, "unreadable sector: LBA 1800 (00:26:00)"));
            CHECK(strstr(svg, "Rock &amp; &lt;Roll&gt; &quot;live&quot;"));
            free(svg);
            REQUIRE_OK(&ctx, disc_map_new(&ctx, d[k], &m));
            CHECK_ERR(&ctx, DISC_E_EXISTS, NULL,
                      disc_map_write(&ctx, m, NULL, name, 0));
            disc_map_free(m);
            m = NULL;
        } else {
            check_svg(d[k], name);
        }
        xmllint_ok(name);
    }
    /* The mixed disc without the title change, checked like the rest. */
    disc_free(d[0]);
    d[0] = fx_disc_mixed(&ctx);
    REQUIRE(d[0]);
    REQUIRE_OK(&ctx, disc_map_new(&ctx, d[0], &m));
    REQUIRE_OK(&ctx, disc_map_write(&ctx, m, NULL, "mixed.svg", 0));
    disc_map_free(m);
    check_svg(d[0], "mixed.svg");
    for (k = 0; k < 3; k++)
        disc_free(d[k]);
}

/* Renders svg with headless Chromium and checks the picture: mostly
 * white is blank; it must have ink, and red pixels in its session bands
 * (above the axis and the legend, which has a red swatch) exactly when
 * want_red is set. */
static void
render_check(const char *svg, int want_red, int nsessions)
{
    char out[8192], cwd[4096];
    unsigned char *rgb;
    size_t n = 0, i, ink = 0, red = 0;

    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    (void)unlink("shot.png");
    CHECK_INT(0, t_run(out, sizeof out,
                       "HOME='%s' chromium --headless %s --disable-gpu "
                       "--hide-scrollbars --user-data-dir='%s/chr' "
                       "--screenshot='%s/shot.png' --window-size=1200,520 "
                       "'file://%s/%s' >chromium.log 2>&1",
                       cwd, geteuid() == 0 ? "--no-sandbox" : "", cwd, cwd, cwd,
                       svg));
    REQUIRE(t_exists("shot.png"));
    REQUIRE(t_run(out, sizeof out,
                  "ffmpeg -v error -y -i shot.png -f rawvideo -pix_fmt rgb24 "
                  "shot.rgb 2>&1") == 0);
    rgb = (unsigned char *)t_slurp("shot.rgb", &n);
    REQUIRE(rgb);
    CHECK_INT(0, (long long)(n % 3));
    for (i = 0; i + 2 < n; i += 3) {
        size_t row = i / 3 / DISC_MAP_WIDTH;
        if (rgb[i] < 235 || rgb[i + 1] < 235 || rgb[i + 2] < 235)
            ink++;
        /* Bands: 56 px of heading, then 146 px per session. */
        if (row < 56 + 146 * (size_t)nsessions && rgb[i] > 200 &&
            rgb[i + 1] < 40 && rgb[i + 2] < 40)
            red++;
    }
    free(rgb);
    /* Blocks, bands and text cover far more than 5% of the picture. */
    if (ink * 20 < n / 3)
        t_fail(__FILE__, __LINE__,
               "%s renders nearly blank: %zu of %zu "
               "pixels inked",
               svg, ink, n / 3);
    if (want_red)
        CHECK(red > 50);
    else
        CHECK_INT(0, red);
}

TEST(tool_map_render_chromium)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_write_opts o;
    char out[8192];

    NEED_DEB("chromium");
    NEED_DEB("ffmpeg");
    NEED_DEB("xmllint");
    t_ctx(&ctx);
    memset(&o, 0, sizeof o);
    o.allow_lossy = 1;
    /* The bundled mixed-mode disc. */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' info '%s/mixed.cue' --map mixed.svg "
                       ">/dev/null 2>&1",
                       t_discarc, t_samples));
    xmllint_ok("mixed.svg");
    render_check("mixed.svg", 0, 1);
    /* An audio disc with CD-TEXT and a CD-Extra, written as CloneCD. */
    d = fx_disc_audio(&ctx, 12, 3000);
    REQUIRE(d);
    CHECK_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 1, DISC_CDTEXT_TITLE,
                                   "Opening \xc3\xa9tude"));
    REQUIRE_OK(&ctx,
               disc_write(&ctx, d, disc_format_find("ccd"), "audio.ccd", &o));
    disc_free(d);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' info audio.ccd --map audio.svg >/dev/null 2>&1",
                       t_discarc));
    {
        char *svg = t_slurp("audio.svg", NULL);
        CHECK(svg && strstr(svg, "Opening \xc3\xa9tude") != NULL);
        free(svg);
    }
    xmllint_ok("audio.svg");
    render_check("audio.svg", 0, 1);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx,
               disc_write(&ctx, d, disc_format_find("ccd"), "extra.ccd", &o));
    disc_free(d);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' info extra.ccd --map extra.svg >/dev/null 2>&1",
                       t_discarc));
    xmllint_ok("extra.svg");
    render_check("extra.svg", 0, 2);
    /* An existing map is kept without --force. */
    CHECK_INT(1, t_run(out, sizeof out,
                       "'%s' info extra.ccd --map extra.svg 2>&1 >/dev/null",
                       t_discarc));
    CHECK(strstr(out, "extra.svg") != NULL);
}

/* verify --map on the sample with one Mode 1 sector damaged: the map
 * names its LBA and renders with red in it. */
TEST(tool_map_verify_damaged_sector)
{
    char out[8192], *svg;

    NEED_DEB("chromium");
    NEED_DEB("ffmpeg");
    NEED_DEB("xmllint");
    REQUIRE(t_run(out, sizeof out,
                  "cp '%s/mixed.cue' '%s/mixed.bin' . && "
                  "printf 'X' | dd of=mixed.bin bs=1 seek=$((123 * 2352 + "
                  "700)) conv=notrunc 2>/dev/null",
                  t_samples, t_samples) == 0);
    CHECK_INT(3, t_run(out, sizeof out,
                       "'%s' verify mixed.cue --map v.svg 2>&1", t_discarc));
    CHECK(strstr(out, "LBA 123 ") != NULL);
    svg = t_slurp("v.svg", NULL);
    REQUIRE(svg);
    CHECK(strstr(svg, "damaged sector: LBA 123 (00:03:48): EDC") != NULL);
    CHECK_INT(1, count(svg, "<g class=\"mark\""));
    free(svg);
    xmllint_ok("v.svg");
    render_check("v.svg", 1, 1);
    /* A clean image: a map without marks. */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' verify '%s/mixed.cue' --map c.svg 2>&1", t_discarc,
                       t_samples));
    svg = t_slurp("c.svg", NULL);
    REQUIRE(svg);
    CHECK_INT(0, count(svg, "<g class=\"mark\""));
    free(svg);
}

/* read --map through libcdio's NRG driver: the disc read is drawn. */
TEST(tool_map_read)
{
    char out[8192], *svg;

    NEED_CORPUS();
    CHECK_INT(0,
              t_run(out, sizeof out, "'%s' read '%s' -o r.cue --map r.svg 2>&1",
                    t_discarc, t_corpus_path("libcdio/p1.nrg")));
    svg = t_slurp("r.svg", NULL);
    REQUIRE(svg);
    CHECK_INT(2, count(svg, "<rect class=\"track\""));
    free(svg);
}
