/* test_fs.c - `discarc ls` and `extract --file`: the ISO 9660 file
 * systems of data tracks (Joliet, Rock Ridge, Mode 1, Mode 2 Form 1, a
 * later session, Video CDs) against isoinfo, iso-info and xorriso.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "fs.h"
#include "test.h"
#include "vcd.h"

#define LIST_MAX 65536
#define MAX_LINES 1024

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A set of normalised entries: "d PATH", "f PATH SIZE", "l PATH". */
struct listing {
    char *line[MAX_LINES];
    size_t n;
};

static void
listing_free(struct listing *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->line[i]);
    l->n = 0;
}

static void
listing_add(struct listing *l, char type, const char *dir, const char *name,
            long long size)
{
    char buf[1024];
    if (l->n >= MAX_LINES)
        return;
    if (type == 'f')
        (void)snprintf(buf, sizeof buf, "f %s%s%s %lld", dir, dir[0] ? "/" : "",
                       name, size);
    else
        (void)snprintf(buf, sizeof buf, "%c %s%s%s", type, dir,
                       dir[0] ? "/" : "", name);
    l->line[l->n++] = strdup(buf);
}

/* Both listings equal, reported line by line. */
static void
listing_check(const char *what, struct listing *exp, struct listing *got)
{
    size_t i;
    qsort(exp->line, exp->n, sizeof exp->line[0], cmp_str);
    qsort(got->line, got->n, sizeof got->line[0], cmp_str);
    if (exp->n != got->n)
        t_fail(__FILE__, __LINE__, "%s: %zu entries expected, %zu listed", what,
               exp->n, got->n);
    for (i = 0; i < exp->n && i < got->n; i++)
        if (strcmp(exp->line[i], got->line[i]) != 0) {
            t_fail(__FILE__, __LINE__, "%s: expected \"%s\", listed \"%s\"",
                   what, exp->line[i], got->line[i]);
            break;
        }
}

/* Normalises an ISO 9660 name as libarchive presents it: version
 * ";1" and a trailing dot dropped. */
static void
strip_version(char *name)
{
    size_t n = strlen(name);
    if (n > 2 && name[n - 2] == ';' && name[n - 1] == '1')
        name[n -= 2] = '\0';
    if (n > 1 && name[n - 1] == '.')
        name[n - 1] = '\0';
}

/* Parses `isoinfo -l` output (schily genisoimage). */
static void
parse_isoinfo(char *text, struct listing *l)
{
    char dir[512] = "", *line, *save = NULL;

    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        const char *br;
        char name[512], *arrow;
        long long size = 0;
        size_t n;

        if (strncmp(line, "Directory listing of /", 22) == 0) {
            (void)snprintf(dir, sizeof dir, "%s", line + 22);
            n = strlen(dir);
            while (n > 0 && dir[n - 1] == '/')
                dir[--n] = '\0';
            continue;
        }
        br = strstr(line, "]  ");
        if (!br || !strchr("dl-", line[0]))
            continue;
        (void)snprintf(name, sizeof name, "%s", br + 3);
        n = strlen(name);
        while (n > 0 && name[n - 1] == ' ')
            name[--n] = '\0';
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || !n)
            continue;
        arrow = strstr(name, " -> ");
        if (arrow)
            *arrow = '\0';
        strip_version(name);
        if (sscanf(line, "%*s %*s %*s %*s %lld", &size) != 1)
            size = -1;
        listing_add(l, line[0] == '-' ? 'f' : line[0], dir, name, size);
    }
}

/* Parses `iso-info -l` output (libcdio). */
static void
parse_iso_info(char *text, struct listing *l)
{
    char dir[512] = "", *line, *save = NULL;

    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        const char *br;
        long long size = 0;
        int off = 0;
        char name[512];

        if (line[0] == '/' && n > 1 && line[n - 1] == ':') {
            (void)snprintf(dir, sizeof dir, "%.*s", (int)(n - 2), line + 1);
            n = strlen(dir);
            while (n > 0 && dir[n - 1] == '/')
                dir[--n] = '\0';
            continue;
        }
        br = strchr(line, ']');
        if (strncmp(line, "  ", 2) != 0 || !br || !strchr("d-l", line[2]))
            continue;
        if (sscanf(br + 1, " %lld %*s %*d %*d %*s %n", &size, &off) < 1 || !off)
            continue;
        (void)snprintf(name, sizeof name, "%s", br + 1 + off);
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        strip_version(name);
        listing_add(l, line[2] == '-' ? 'f' : line[2], dir, name, size);
    }
}

/* Parses `discarc ls -R` text: type and permissions, size, date, path
 * (from column 41). */
static void
parse_ls(char *text, struct listing *l)
{
    char *line, *save = NULL;

    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char name[512], *arrow;
        long long size;
        if (line[0] == '#' || strlen(line) < 42)
            continue;
        size = atoll(line + 11);
        (void)snprintf(name, sizeof name, "%s", line + 41);
        arrow = strstr(name, " -> ");
        if (arrow)
            *arrow = '\0';
        listing_add(l, line[0] == '-' ? 'f' : line[0], "", name, size);
    }
}

/* A small tree with long, non-ASCII and nested names, an empty file, a
 * symbolic and a hard link. */
static int
make_tree(void)
{
    char out[512];
    return t_run(out, sizeof out,
                 "set -e; rm -rf tree; mkdir -p tree/sub/deeper; "
                 "echo hello > tree/README.TXT; "
                 "echo x > 'tree/long file name with spaces.txt'; "
                 "printf 'accent' > tree/\xc3\xa9t\xc3\xa9.txt; "
                 "head -c 100000 /dev/urandom > tree/sub/deeper/nested.bin; "
                 ": > tree/empty.txt; "
                 "ln -s sub/deeper/nested.bin tree/link; "
                 "ln tree/README.TXT tree/sub/hard.txt");
}

/* Writes a CUE naming iso as one MODE1/2048 track. */
static int
write_cue(const char *cue, const char *iso)
{
    char text[512];
    int n = snprintf(text, sizeof text,
                     "FILE \"%s\" BINARY\n  TRACK 01 MODE1/2048\n"
                     "    INDEX 01 00:00:00\n",
                     iso);
    return t_write_file(cue, text, (size_t)n);
}

/* The fixture of most tests: the tree of make_tree as stem.iso
 * (genisoimage with opts) and, with cue set, stem.cue naming it as one
 * MODE1/2048 track.  Returns 0, or -1 after reporting the failure. */
static int
iso_fixture(const char *opts, const char *stem, int cue)
{
    char out[4096] = "", iso[64], sheet[64];

    (void)snprintf(iso, sizeof iso, "%s.iso", stem);
    (void)snprintf(sheet, sizeof sheet, "%s.cue", stem);
    if (make_tree() != 0 ||
        t_run(out, sizeof out,
              "genisoimage -quiet -input-charset utf-8 %s -o '%s' tree 2>&1",
              opts, iso) != 0) {
        t_fail(__FILE__, __LINE__, "%s: genisoimage %s: %s", iso, opts, out);
        return -1;
    }
    if (cue && write_cue(sheet, iso) != 0) {
        t_fail(__FILE__, __LINE__, "%s: cannot write it", sheet);
        return -1;
    }
    return 0;
}

static const char *
sample_cue(void)
{
    static char p[4096];
    (void)snprintf(p, sizeof p, "%s/mixed.cue", t_samples);
    return p;
}

/* The ls of image (track 0: automatic) as a listing. */
static int
ls_image(const char *image, int track, struct listing *l)
{
    static char out[LIST_MAX];
    char opt[32] = "";
    int r;
    if (track)
        (void)snprintf(opt, sizeof opt, "--track %d", track);
    r = t_run(out, sizeof out, "'%s' ls -R %s '%s' 2>&1", t_discarc, opt,
              image);
    if (r != 0) {
        t_fail(__FILE__, __LINE__, "ls %s: exit %d: %s", image, r, out);
        return -1;
    }
    parse_ls(out, l);
    return 0;
}

TEST(tool_fs_ls_matches_isoinfo)
{
    static const struct {
        const char *opts;   /* genisoimage options */
        const char *lister; /* reference listing command */
        int iso_info;       /* 1: iso-info's format, else isoinfo's */
    } v[] = {
        { "", "isoinfo -l -i", 0 },
        { "-J", "iso-info -l -i", 1 },
        { "-R", "isoinfo -R -l -i", 0 },
        { "-J -R", "isoinfo -R -l -i", 0 },
    };
    static char out[LIST_MAX];
    size_t i;

    NEED_DEB("genisoimage");
    NEED_DEB("isoinfo");
    NEED_DEB("iso-info");
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct listing exp = { { 0 }, 0 }, got = { { 0 }, 0 },
                       raw = { { 0 }, 0 };
        char what[64];
        {
            char stem[16], iso[32], cue[32];
            (void)snprintf(stem, sizeof stem, "v%zu", i);
            (void)snprintf(iso, sizeof iso, "v%zu.iso", i);
            (void)snprintf(cue, sizeof cue, "v%zu.cue", i);
            REQUIRE(iso_fixture(v[i].opts, stem, 1) == 0);
            REQUIRE(t_run(out, sizeof out, "LC_ALL=C.UTF-8 %s %s 2>&1",
                          v[i].lister, iso) == 0);
            if (v[i].iso_info)
                parse_iso_info(out, &exp);
            else
                parse_isoinfo(out, &exp);
            CHECK(exp.n >= 8);
            /* Cooked 2048-byte sectors, then the same track as raw
             * 2352-byte Mode 1 sectors (converted by discarc). */
            if (ls_image(cue, 0, &got) == 0)
                listing_check(v[i].opts[0] ? v[i].opts : "plain", &exp, &got);
            (void)snprintf(what, sizeof what, "raw%zu.cue", i);
            CHECK_INT(0, t_run(out, sizeof out,
                               "'%s' convert %s %s 2>&1 && grep -q "
                               "MODE1/2352 %s",
                               t_discarc, cue, what, what));
            if (ls_image(what, 1, &raw) == 0)
                listing_check(what, &exp, &raw);
        }
        listing_free(&exp);
        listing_free(&got);
        listing_free(&raw);
    }
}

TEST(tool_fs_extract_matches_xorriso)
{
    static const char *const files[] = { "README.TXT",
                                         "long file name with spaces.txt",
                                         "\xc3\xa9t\xc3\xa9.txt",
                                         "sub/deeper/nested.bin",
                                         "empty.txt",
                                         "sub/hard.txt" };
    char out[4096];
    size_t i;

    NEED_DEB("genisoimage");
    NEED_DEB("xorriso");
    REQUIRE(iso_fixture("-J -R", "x", 1) == 0);
    REQUIRE(t_run(out, sizeof out, "'%s' convert x.cue raw.cue 2>&1",
                  t_discarc) == 0);
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        CHECK_INT(0, t_run(out, sizeof out,
                           "rm -f ref got; xorriso -osirrox on -indev x.iso "
                           "-extract '/%s' ref >/dev/null 2>&1 && "
                           "'%s' extract raw.cue --file '%s' -o got 2>&1 && "
                           "cmp ref got",
                           files[i], t_discarc, files[i]));
    }
    /* Case-insensitive fallback, a leading slash, default output name. */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' extract raw.cue --file /SUB/DEEPER/NESTED.BIN "
                       "2>&1 && cmp NESTED.BIN tree/sub/deeper/nested.bin",
                       t_discarc));
    /* An existing output is refused without --force; nothing changes. */
    CHECK_INT(1, t_run(out, sizeof out,
                       "'%s' extract raw.cue --file README.TXT -o got 2>&1",
                       t_discarc));
    CHECK(t_file_size("got") == 6);
    /* Not there; a directory; an audio track. */
    CHECK_INT(3, t_run(out, sizeof out,
                       "'%s' extract raw.cue --file nope.txt -o n 2>&1",
                       t_discarc));
    CHECK(strstr(out, "no file \"nope.txt\"") != NULL);
    CHECK(!t_exists("n"));
    CHECK_INT(2, t_run(out, sizeof out,
                       "'%s' extract raw.cue --file sub -o n 2>&1", t_discarc));
    CHECK(strstr(out, "is a directory") != NULL);
}

TEST(tool_fs_ls_paths_and_json)
{
    char out[LIST_MAX];

    NEED_DEB("genisoimage");
    REQUIRE(iso_fixture("-R", "x", 1) == 0);
    /* The root: its direct children by name. */
    CHECK_INT(0, t_run(out, sizeof out, "'%s' ls x.cue", t_discarc));
    CHECK(strstr(out, " sub\n") && strstr(out, " README.TXT\n") &&
          !strstr(out, " deeper\n") && !strstr(out, "sub/deeper\n"));
    CHECK(strstr(out, "ISO 9660 + Rock Ridge") != NULL);
    CHECK(strstr(out, "lrwxrwxrwx") && strstr(out, "link -> "
                                                   "sub/deeper/nested.bin"));
    /* A directory operand, a file operand. */
    CHECK_INT(0,
              t_run(out, sizeof out, "'%s' ls x.cue /sub/deeper/", t_discarc));
    CHECK(strstr(out, " 100000 ") && strstr(out, " nested.bin\n"));
    CHECK_INT(0,
              t_run(out, sizeof out, "'%s' ls x.cue sub/hard.txt", t_discarc));
    CHECK(strstr(out, " sub/hard.txt\n") && strstr(out, "            6 "));
    CHECK_INT(3,
              t_run(out, sizeof out, "'%s' ls x.cue nothere 2>&1", t_discarc));
    CHECK(strstr(out, "no file or directory \"nothere\"") != NULL);
    /* JSON, checked by an independent parser when there is one. */
    CHECK_INT(0, t_run(out, sizeof out, "'%s' ls -R --json x.cue > l.json",
                       t_discarc));
    if (t_have("python3")) {
        CHECK_INT(0, t_run(out, sizeof out,
                           "python3 -c 'import json,sys; j=json.load(open("
                           "\"l.json\")); e={x[\"path\"]: x for x in "
                           "j[\"entries\"]}; sys.exit(0 if j[\"rockridge\"] "
                           "and e[\"sub/deeper/nested.bin\"][\"size\"] == "
                           "100000 and e[\"link\"][\"type\"] == \"link\" and "
                           "e[\"sub\"][\"type\"] == \"dir\" else 1)' 2>&1"));
    }
    /* An audio track, a track that is not there, an audio-only disc. */
    CHECK_INT(2, t_run(out, sizeof out, "'%s' ls --track 2 '%s' 2>&1",
                       t_discarc, sample_cue()));
    CHECK(strstr(out, "audio track") != NULL);
    CHECK_INT(
        2, t_run(out, sizeof out, "'%s' ls --track 9 x.cue 2>&1", t_discarc));
}

/* The bundled sample and the corpus images: the listing of their data
 * track equals isoinfo's on the track extracted as an ISO. */
TEST(tool_fs_ls_sample_and_corpus)
{
    static const char *const images[] = { "libcdio/isofs-m1.cue",
                                          "libcdio/videocd.nrg" };
    static char out[LIST_MAX];
    size_t i;

    NEED_DEB("isoinfo");
    for (i = 0; i < 3; i++) {
        struct listing exp = { { 0 }, 0 }, got = { { 0 }, 0 };
        const char *img;
        if (i == 0) {
            img = sample_cue();
        } else {
            if (!t_corpus) {
                printf("  (shared corpus not found: sample only)\n");
                break;
            }
            img = t_corpus_path(images[i - 1]);
        }
        REQUIRE(t_run(out, sizeof out,
                      "rm -f t.iso; '%s' extract '%s' --track 1 -o t.iso "
                      "2>&1 && isoinfo -R -l -i t.iso",
                      t_discarc, img) == 0);
        parse_isoinfo(out, &exp);
        CHECK(exp.n >= 3);
        if (ls_image(img, 0, &got) == 0)
            listing_check(img, &exp, &got);
        listing_free(&exp);
        listing_free(&got);
    }
}

/* A Video CD made by vcdimager: track 1 is Mode 2 Form 1 (XA), the
 * MPEG files of MPEGAV/ lie in Form 2 track 2. */
TEST(peer_fs_ls_vcd_mpegav)
{
    char bin[4096], cue[4096];
    static char out[LIST_MAX];
    struct listing exp = { { 0 }, 0 }, got = { { 0 }, 0 };
    int r = vcd_build(bin, sizeof bin, cue, sizeof cue);

    if (r == -1)
        SKIP("ffmpeg or vcdimager missing");
    REQUIRE(r == 0);
    NEED_DEB("isoinfo");
    REQUIRE(t_run(out, sizeof out,
                  "'%s' extract '%s' --track 1 -o t.iso 2>/dev/null && "
                  "isoinfo -l -i t.iso",
                  t_discarc, cue) == 0);
    parse_isoinfo(out, &exp);
    REQUIRE(ls_image(cue, 0, &got) == 0);
    listing_check("vcd", &exp, &got);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' ls '%s' MPEGAV", t_discarc, cue));
    CHECK(strstr(out, "AVSEQ01.DAT") != NULL);
    listing_free(&exp);
    listing_free(&got);
}

/* A CD-Extra: two audio tracks in session 1, an XA Form 1 track in
 * session 2 whose file system (genisoimage -C) records disc LBAs.  The
 * disc is built here, written as CloneCD and listed from that. */
TEST(tool_fs_cdextra_session2)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_source *src = NULL;
    struct disc_write_opts o;
    struct disc_fs *fs = NULL;
    struct disc_fs_entry *e = NULL;
    static char out[LIST_MAX];
    char opts[64];
    struct listing exp = { { 0 }, 0 }, got = { { 0 }, 0 };
    const disc_lba s1_end = 3000, s2 = s1_end + DISC_SESSION_GAP;
    long long isz;
    size_t n = 0, i;
    uint32_t count;

    NEED_DEB("genisoimage");
    NEED_DEB("isoinfo");
    (void)snprintf(opts, sizeof opts, "-R -J -C 0,%d", s2);
    REQUIRE(iso_fixture(opts, "s2", 0) == 0);
    isz = t_file_size("s2.iso");
    REQUIRE(isz > 0 && isz % 2048 == 0);
    count = (uint32_t)(isz / 2048);
    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    d->nsessions = 2;
    d->ntracks = 3;
    d->session[0] = (struct disc_session){ 1, 1, 2, DISC_TYPE_XA, s1_end };
    d->session[1] =
        (struct disc_session){ 2, 3, 3, DISC_TYPE_XA, s2 + (disc_lba)count };
    for (i = 0; i < 3; i++) {
        struct disc_track *t = &d->track[i];
        t->number = (uint8_t)(i + 1);
        t->session = i < 2 ? 1 : 2;
        t->mode = i < 2 ? DISC_MODE_AUDIO : DISC_MODE_MODE2_FORM1;
        t->control = i < 2 ? 0 : DISC_CTL_DATA;
        t->last_index = 1;
        t->index[0] = t->index[1] = i == 0 ? 0 : i == 1 ? 1500 : s2;
    }
    {
        struct disc_extent a = { .lba = 0,
                                 .count = (uint32_t)s1_end,
                                 .data = DISC_DATA_GEN,
                                 .gen = DISC_GEN_ZERO };
        struct disc_extent x = { .lba = s2,
                                 .count = count,
                                 .offset = 0,
                                 .stride = 2048,
                                 .data = DISC_DATA_FORM1 };
        REQUIRE_OK(&ctx, disc_source_file_new(&ctx, "s2.iso", &src));
        disc_source_attach(d, src);
        x.src = src;
        REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &a));
        REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &x));
    }
    d->sub = DISC_SUB_SYNTH;
    REQUIRE_OK(&ctx, disc_check(&ctx, d));
    /* Through the library: track 0 picks session 2's track. */
    REQUIRE_OK(&ctx, disc_fs_open(&ctx, d, 0, 0, &fs));
    CHECK_INT(3, disc_fs_info(fs)->track);
    CHECK_INT(1, disc_fs_info(fs)->absolute);
    CHECK_INT(1, disc_fs_info(fs)->joliet);
    CHECK_OK(&ctx, disc_fs_list(&ctx, fs, "", 1, &e, &n));
    CHECK(n >= 8);
    for (i = 0; i < n; i++)
        if (strcmp(e[i].path, "sub/deeper/nested.bin") == 0)
            CHECK_INT(100000, e[i].size);
    disc_fs_list_free(e, n);
    disc_fs_close(fs);
    /* Through the CLI, from a CloneCD image of the disc. */
    memset(&o, 0, sizeof o);
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx,
               disc_write(&ctx, d, disc_format_find("ccd"), "cdextra.ccd", &o));
    disc_free(d);
    REQUIRE(t_run(out, sizeof out, "isoinfo -N %d -R -l -i s2.iso", s2) == 0);
    parse_isoinfo(out, &exp);
    CHECK(exp.n >= 8);
    if (ls_image("cdextra.ccd", 0, &got) == 0)
        listing_check("cdextra", &exp, &got);
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' extract cdextra.ccd --file sub/deeper/nested.bin "
                       "-o n.bin 2>&1 && cmp n.bin tree/sub/deeper/nested.bin",
                       t_discarc));
    /* Session 1 holds audio only. */
    CHECK_INT(2, t_run(out, sizeof out, "'%s' ls --track 1 cdextra.ccd 2>&1",
                       t_discarc));
    listing_free(&exp);
    listing_free(&got);
}

/* A data track without a file system; an audio track. */
TEST(fs_no_filesystem_refused)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_fs *fs = NULL;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "no ISO 9660 file system",
              disc_fs_open(&ctx, d, 1, 0, &fs));
    CHECK(fs == NULL);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "no data track holds a file system",
              disc_fs_open(&ctx, d, 0, 0, &fs));
    CHECK_ERR(&ctx, DISC_E_ARG, "audio track",
              disc_fs_open(&ctx, d, 2, 0, &fs));
    disc_free(d);
}

/* UDF through libudfread: the UDF side of a genisoimage bridge lists
 * what the Joliet side does (iso-info) and its files equal xorriso's;
 * a UDF-only volume (mkudffs) is read as UDF without being asked. */
TEST(tool_fs_udf_bridge_and_pure)
{
    static const char *const files[] = { "README.TXT", "sub/deeper/nested.bin",
                                         "\xc3\xa9t\xc3\xa9.txt" };
    static char out[LIST_MAX];
    struct listing exp = { { 0 }, 0 }, got = { { 0 }, 0 };
    size_t i;

    NEED_DEB("genisoimage");
    NEED_DEB("iso-info");
    NEED_DEB("xorriso");
    NEED_DEB("mkudffs");
    REQUIRE(iso_fixture("-udf -J", "u", 1) == 0);
    REQUIRE(t_run(out, sizeof out, "LC_ALL=C.UTF-8 iso-info -l -i u.iso") == 0);
    parse_iso_info(out, &exp);
    CHECK(exp.n >= 8);
    REQUIRE(t_run(out, sizeof out, "'%s' ls -R --udf u.cue 2>&1", t_discarc) ==
            0);
    CHECK(strstr(out, "# track 1: UDF, volume \"CDROM\"") != NULL);
    parse_ls(out, &got);
    listing_check("udf", &exp, &got);
    for (i = 0; i < sizeof files / sizeof files[0]; i++)
        CHECK_INT(0, t_run(out, sizeof out,
                           "rm -f ref got; xorriso -osirrox on -indev u.iso "
                           "-extract '/%s' ref >/dev/null 2>&1 && '%s' "
                           "extract u.cue --udf --file '%s' -o got 2>&1 && "
                           "cmp ref got",
                           files[i], t_discarc, files[i]));
    /* Without --udf the ISO 9660 side is read and the UDF one named. */
    CHECK_INT(0, t_run(out, sizeof out, "'%s' ls u.cue 2>&1", t_discarc));
    CHECK(strstr(out, "ISO 9660 + Joliet + UDF") != NULL);
    /* A volume with UDF only. */
    REQUIRE(t_run(out, sizeof out,
                  "mkudffs --blocksize=2048 --media-type=hd --label=PUREUDF "
                  "pure.udf 2000 >/dev/null 2>&1") == 0);
    REQUIRE(write_cue("p.cue", "pure.udf") == 0);
    CHECK_INT(0,
              t_run(out, sizeof out, "'%s' ls --json p.cue 2>&1", t_discarc));
    CHECK(strstr(out, "\"filesystem\": \"udf\"") &&
          strstr(out, "\"volume\": \"PUREUDF\""));
    CHECK_INT(3,
              t_run(out, sizeof out,
                    "'%s' extract p.cue --file nothing -o n 2>&1", t_discarc));
    listing_free(&exp);
    listing_free(&got);
}
