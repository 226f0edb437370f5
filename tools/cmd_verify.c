/* cmd_verify.c - `discarc verify` (EDC/ECC, subchannel, round trip) and
 * `discarc hash` (per-track digests, redump lines, DAT matching).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "map.h"
#include "verify.h"

struct vprint {
    long shown, max;
    int json;
    struct disc_map *map; /* --map: damaged sectors are marked here */
    int map_err;
};

static void
verify_print(void *user, const struct disc_problem *p)
{
    struct vprint *vp = user;
    struct disc_msf m = disc_lba_to_msf(p->lba);
    struct disc_ctx mctx = DISC_CTX_INIT;

    if (vp->map && !p->info && !vp->map_err)
        vp->map_err = disc_map_mark(&mctx, vp->map, p->lba, p->count,
                                    DISC_MAP_BAD, disc_problem_name(p->kind));
    if (vp->shown++ >= vp->max)
        return;
    cli_progress_done();
    if (vp->json) {
        printf("%s\n    {\"lba\": %d, \"msf\": \"%02u:%02u:%02u\", "
               "\"count\": %d, \"track\": %d, \"kind\": \"%s\", "
               "\"info\": %s, \"detail\": \"",
               vp->shown > 1 ? "," : "", p->lba, m.m, m.s, m.f, p->count,
               p->track, disc_problem_name(p->kind),
               p->info ? "true" : "false");
        for (const char *c = p->detail; *c; c++)
            if (*c == '"' || *c == '\\')
                printf("\\%c", *c);
            else
                putchar(*c);
        printf("\"}");
        return;
    }
    printf("%s LBA %d (%02u:%02u:%02u) track %d: %s: %s\n",
           p->info ? "note:" : "BAD: ", p->lba, m.m, m.s, m.f, p->track,
           disc_problem_name(p->kind), p->detail);
}

/* Removes the files of a temporary directory, then the directory. */
static void
rm_tree(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    char path[4096 + 512];

    if (dp) {
        while ((de = readdir(dp)))
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                /* The precisions keep the text within path: no truncation. */
                (void)snprintf(path, sizeof path, "%.4096s/%.256s", dir,
                               de->d_name);
                (void)remove(path); /* best effort, like rmdir below */
            }
        closedir(dp);
    }
    rmdir(dir);
}

static int
verify_roundtrip(struct disc_ctx *ctx, const struct disc *d,
                 const struct disc_format *fmt)
{
    struct disc_write_opts wo;
    struct disc *back = NULL;
    const char *tmp = getenv("TMPDIR");
    char dir[4096], out[4200];
    const char *ext = disc_format_extensions(fmt);
    int r, n;

    memset(&wo, 0, sizeof wo);
    wo.allow_lossy = 1;
    wo.sub = 1;
    n = snprintf(dir, sizeof dir, "%s/discarc-roundtrip-XXXXXX",
                 tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= sizeof dir) {
        fprintf(stderr, "discarc: TMPDIR is too long\n");
        return EXIT_RUNTIME;
    }
    if (!mkdtemp(dir)) {
        perror("discarc: mkdtemp");
        return EXIT_RUNTIME;
    }
    n = snprintf(out, sizeof out, "%s/disc.%.*s", dir, (int)strcspn(ext, ","),
                 ext);
    if (n < 0 || (size_t)n >= sizeof out) {
        fprintf(stderr, "discarc: %s: path too long\n", dir);
        rm_tree(dir);
        return EXIT_RUNTIME;
    }
    r = disc_write(ctx, d, fmt, out, &wo);
    if (r == 0)
        r = disc_open_image(ctx, out, fmt, &back);
    if (r == 0) {
        ctx->progress_done = 0;
        r = disc_compare(ctx, d, back,
                         disc_compare_flags_for(fmt, &wo) | DISC_EQ_DATA);
    }
    cli_progress_done();
    disc_free(back);
    rm_tree(dir);
    if (r < 0)
        return cli_fail(ctx, r);
    if (r == 1) {
        printf("round trip through %s: differs: %s\n", disc_format_name(fmt),
               ctx->msg);
        return EXIT_RUNTIME;
    }
    printf("round trip through %s: identical\n", disc_format_name(fmt));
    return EXIT_OK;
}

/* The closing summary: JSON counts, or the text line. */
static void
verify_summary(const struct vprint *vp, const struct disc_verify_report *rep)
{
    int k;

    if (vp->json) {
        printf("\n  ],\n  \"sectors\": %lld, \"data_sectors\": %lld, "
               "\"q_frames\": %lld, \"damaged\": %lld,\n  \"counts\": {",
               (long long)rep->sectors, (long long)rep->data_sectors,
               (long long)rep->q_frames, (long long)rep->damaged);
        for (k = 0; k < DISC_PROB_NKINDS; k++)
            printf("%s\"%s\": %lld", k ? ", " : "",
                   disc_problem_name((enum disc_problem_kind)k),
                   (long long)rep->count[k]);
        printf("}\n}\n");
    } else {
        if (vp->shown > vp->max)
            printf("... %ld more findings not shown (--max)\n",
                   vp->shown - vp->max);
        printf("%lld sectors checked: %lld data sectors (EDC/ECC), %lld Q "
               "frames; ",
               (long long)rep->sectors, (long long)rep->data_sectors,
               (long long)rep->q_frames);
        if (!rep->damaged) {
            printf("no damage found\n");
        } else {
            printf("%lld damaged:", (long long)rep->damaged);
            for (k = 0; k < DISC_PROB_SILENCE; k++)
                if (rep->count[k])
                    printf(" %s %lld;",
                           disc_problem_name((enum disc_problem_kind)k),
                           (long long)rep->count[k]);
            printf("\n");
        }
    }
}

int
cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "from", required_argument, NULL, 'f' },
        { "max", required_argument, NULL, 'm' },
        { "roundtrip", required_argument, NULL, 'r' },
        { "map", required_argument, NULL, 'M' },
        { "force", no_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct disc_verify_report rep;
    struct vprint vp = { 0, 100, 0, NULL, 0 };
    struct disc_ctx ctx;
    struct disc *d = NULL;
    const char *from = NULL, *rt = NULL, *map = NULL;
    char note[256];
    int c, r, k, force = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "jf:m:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            vp.json = 1;
            break;
        case 'f':
            from = optarg;
            break;
        case 'm':
            vp.max = strtol(optarg, NULL, 10);
            break;
        case 'r':
            rt = optarg;
            break;
        case 'M':
            map = optarg;
            break;
        case 'F':
            force = 1;
            break;
        case 'h':
            printf(
                "Usage: discarc verify [--json] [--max N] [--map FILE.svg "
                "[--force]]\n"
                "                      [--from FMT] IMAGE\n"
                "       discarc verify --roundtrip FORMAT IMAGE\n\n"
                "Checks every data sector's sync, header, EDC and ECC (Mode "
                "1, Mode 2 Form 1,\nForm 2 EDC when present), every captured "
                "Q frame's CRC and its agreement\nwith the TOC, and notes "
                "silent or clipped audio runs.  Each bad sector is\n"
                "reported by LBA, MSF and track (the first N, default 100), "
                "then a summary.\nImages whose file records checksums (CHD: "
                "every "
                "hunk's CRC and the SHA-1)\nhave those checked first.\n"
                "Exit status 0: clean; 3: damaged.\n\n"
                "--roundtrip FORMAT converts IMAGE to FORMAT in a temporary "
                "folder and back,\nthen compares the disc model field by "
                "field and every sector byte; it\nprints the first "
                "difference or \"identical\" (exit 1 on a difference).\n\n"
                "--map FILE.svg draws the disc as one SVG picture with "
                "every damaged sector\nin red, its LBA in a tooltip (see "
                "docs/map.md).\n");
            return EXIT_OK;
        default:
            return cli_usage_error("verify", "bad option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("verify", "expected one IMAGE");
    cli_ctx(&ctx);
    r = cli_open(&ctx, argv[optind], from, &d);
    if (r < 0)
        return cli_fail(&ctx, r);
    if (rt) {
        const struct disc_format *f = disc_format_find(rt);
        if (!f || !disc_format_can_write(f) || !disc_format_can_read(f)) {
            disc_free(d);
            return cli_usage_error("verify",
                                   "\"%s\" is not a format discarc "
                                   "can both write and read",
                                   rt);
        }
        r = verify_roundtrip(&ctx, d, f);
        disc_free(d);
        return r;
    }
    if (map) {
        r = disc_map_new(&ctx, d, &vp.map);
        if (r < 0) {
            disc_free(d);
            return cli_fail(&ctx, r);
        }
    }
    k = disc_verify_container(&ctx, d, note, sizeof note);
    cli_progress_done();
    if (k < 0) {
        disc_free(d);
        return cli_fail(&ctx, k);
    }
    if (vp.json) {
        printf("{\n  \"path\": \"%s\",\n", argv[optind]);
        if (k > 0)
            printf("  \"container\": \"%s\",\n", note);
        printf("  \"problems\": [");
    } else if (k > 0) {
        printf("%s\n", note);
    }
    r = disc_verify(&ctx, d, verify_print, &vp, &rep);
    cli_progress_done();
    if (r == 0 && vp.map_err) {
        ctx.msg[0] = '\0'; /* cli_fail names the code */
        r = vp.map_err;
    }
    if (r == 0 && map)
        r = cli_write_map(&ctx, d, vp.map, argv[optind], map, force);
    disc_map_free(vp.map);
    disc_free(d);
    if (r < 0)
        return cli_fail(&ctx, r);
    verify_summary(&vp, &rep);
    return rep.damaged ? EXIT_INPUT : EXIT_OK;
}

/* The name redump-style split output gives track i.  The caller's buf
 * has room for its stem and the longest suffix, " (Track 99).bin". */
static void
track_file_name(char *buf, size_t n, const char *stem, const struct disc *d,
                int i)
{
    if (d->ntracks == 1)
        (void)snprintf(buf, n, "%s.bin", stem);
    else
        (void)snprintf(buf, n, "%s (Track %0*d).bin", stem,
                       d->track[d->ntracks - 1].number >= 10 ? 2 : 1,
                       d->track[i].number);
}

static void
xml_attr(const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&':
            fputs("&amp;", stdout);
            break;
        case '<':
            fputs("&lt;", stdout);
            break;
        case '>':
            fputs("&gt;", stdout);
            break;
        case '"':
            fputs("&quot;", stdout);
            break;
        default:
            putchar(*s);
        }
}

/* s as a JSON string (quotes and backslashes escaped). */
static void
json_string(const char *s)
{
    putchar('"');
    for (; *s; s++)
        printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    putchar('"');
}

static void
hash_help(void)
{
    printf("Usage: discarc hash [--json | --redump] [--image] [--dat FILE] "
           "[--name NAME] IMAGE\n\n"
           "Size, CRC-32, MD5 and SHA-1 of every track file as a "
           "redump-style split\nimage stores it (raw 2352-byte "
           "sectors, each pregap at the start of its\nown track), "
           "and of the whole image (the track files concatenated), "
           "in\none pass.\n\n"
           "  --redump     print <rom name=... size=... crc=... md5=... "
           "sha1=.../> lines\n"
           "  --image      also the MD5 and SHA-1 of the whole image (a "
           "second digest\n"
           "               stream; its size and CRC-32 are always "
           "given)\n"
           "  --name NAME  base name of the track files (default: the "
           "image's)\n"
           "  --dat FILE   match against a local Logiqx XML DAT "
           "(redump.org): name the\n"
           "               matching game, or the track that differs "
           "(exit 3)\n");
}

/* Matches the track digests against a DAT file; the exit code. */
static int
hash_dat(struct disc_ctx *ctx, const struct disc *d,
         const struct disc_digest *tr, const char *datpath, int json)
{
    struct disc_dat *dat = NULL;
    struct disc_dat_match m;
    char sha1[41];
    int i, r, rc = EXIT_OK;

    r = disc_dat_load(ctx, datpath, &dat);
    if (r < 0)
        return cli_fail(ctx, r);
    disc_dat_match(dat, tr, d->ntracks, &m);
    if (json) {
        printf(",\n  \"dat\": {\"game\": ");
        if (m.game)
            json_string(m.game->name);
        else
            printf("null");
        printf(", \"matched\": %d, \"tracks\": %d, \"roms\": %d}", m.matched,
               m.ntracks, m.nrom);
    } else if (!m.game) {
        printf("DAT: no game in %s matches any track\n", datpath);
    } else if (m.matched == m.ntracks && m.nrom == m.ntracks) {
        printf("DAT: match: \"");
        cli_put_text(stdout, m.game->name);
        printf("\" (all %d tracks)\n", m.ntracks);
    } else {
        printf("DAT: closest: \"");
        cli_put_text(stdout, m.game->name);
        printf("\", %d of %d tracks match\n", m.matched, m.ntracks);
        for (i = 0; i < d->ntracks; i++)
            if (m.track_rom[i] < 0)
                printf("DAT: track %u differs (size %lld, sha1 %s)\n",
                       d->track[i].number, (long long)tr[i].size,
                       disc_hex(tr[i].sha1, 20, sha1));
        if (m.nrom != m.ntracks)
            printf("DAT: the game has %d track files, the image %d\n", m.nrom,
                   m.ntracks);
    }
    if (!m.game || m.matched != m.ntracks || m.nrom != m.ntracks)
        rc = EXIT_INPUT;
    disc_dat_free(dat);
    return rc;
}

int
cmd_hash(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "redump", no_argument, NULL, 'x' },
        { "dat", required_argument, NULL, 'd' },
        { "name", required_argument, NULL, 'n' },
        { "from", required_argument, NULL, 'f' },
        { "image", no_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct disc_digest tr[DISC_MAX_TRACKS], img;
    int whole = 0;
    struct disc_ctx ctx;
    struct disc *d = NULL;
    const char *from = NULL, *datpath = NULL, *name = NULL;
    char stem[1024], fname[1200], md5[33], sha1[41];
    int c, r, i, json = 0, redump = 0, rc = EXIT_OK;

    optind = 1;
    while ((c = getopt_long(argc, argv, "jxd:n:f:ih", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            whole = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'x':
            redump = 1;
            break;
        case 'd':
            datpath = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'f':
            from = optarg;
            break;
        case 'h':
            hash_help();
            return EXIT_OK;
        default:
            return cli_usage_error("hash", "bad option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("hash", "expected one IMAGE");
    if (name) {
        r = snprintf(stem, sizeof stem, "%s", name);
    } else {
        const char *base = strrchr(argv[optind], '/');
        const char *dot;
        base = base ? base + 1 : argv[optind];
        dot = strrchr(base, '.');
        r = snprintf(
            stem, sizeof stem, "%.*s",
            (int)(dot && dot != base ? dot - base : (long)strlen(base)), base);
    }
    if (r < 0 || (size_t)r >= sizeof stem)
        return cli_usage_error("hash", "the track file name is too long");
    cli_ctx(&ctx);
    r = cli_open(&ctx, argv[optind], from, &d);
    if (r < 0)
        return cli_fail(&ctx, r);
    r = disc_hash_tracks(&ctx, d, tr, &img, whole);
    cli_progress_done();
    if (r < 0) {
        disc_free(d);
        return cli_fail(&ctx, r);
    }
    if (json)
        printf("{\n  \"tracks\": [");
    for (i = 0; i < d->ntracks; i++) {
        track_file_name(fname, sizeof fname, stem, d, i);
        disc_hex(tr[i].md5, 16, md5);
        disc_hex(tr[i].sha1, 20, sha1);
        if (json) {
            printf("%s\n    {\"track\": %u, \"file\": ", i ? "," : "",
                   d->track[i].number);
            json_string(fname);
            printf(", \"size\": %lld, \"crc32\": \"%08x\", \"md5\": \"%s\","
                   " \"sha1\": \"%s\"}",
                   (long long)tr[i].size, tr[i].crc32, md5, sha1);
        } else if (redump) {
            printf("<rom name=\"");
            xml_attr(fname);
            printf("\" size=\"%lld\" crc=\"%08x\" md5=\"%s\" sha1=\"%s\" />\n",
                   (long long)tr[i].size, tr[i].crc32, md5, sha1);
        } else {
            printf("track %2u  %-11s size %11lld  crc32 %08x  md5 %s  sha1 "
                   "%s\n",
                   d->track[i].number, disc_mode_name(d->track[i].mode),
                   (long long)tr[i].size, tr[i].crc32, md5, sha1);
        }
    }
    if (img.algs & DISC_HASH_MD5) {
        disc_hex(img.md5, 16, md5);
        disc_hex(img.sha1, 20, sha1);
    } else {
        /* Not computed: needs --image (a second digest stream). */
        md5[0] = sha1[0] = '\0';
    }
    if (json) {
        printf("\n  ],\n  \"image\": {\"size\": %lld, \"crc32\": \"%08x\"",
               (long long)img.size, img.crc32);
        if (md5[0])
            printf(", \"md5\": \"%s\", \"sha1\": \"%s\"", md5, sha1);
        printf("}");
    } else if (!redump) {
        printf("image     %-11s size %11lld  crc32 %08x", "",
               (long long)img.size, img.crc32);
        if (md5[0])
            printf("  md5 %s  sha1 %s", md5, sha1);
        printf("\n");
    }
    if (datpath)
        rc = hash_dat(&ctx, d, tr, datpath, json);
    if (json)
        printf("\n}\n");
    disc_free(d);
    return fflush(stdout) == 0 ? rc : EXIT_RUNTIME;
}
