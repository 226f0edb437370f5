/* cmd_ls.c - `discarc ls` (the files of a data track) and `discarc
 * extract --file` (one of them copied out).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/filesystems.md, docs/json.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "fs.h"

static void
ls_help(void)
{
    printf("Usage: discarc ls [OPTIONS] IMAGE [PATH]\n\n"
           "Lists the files of the ISO 9660 file system (Rock Ridge or "
           "Joliet names when\npresent) or the UDF file system of a data "
           "track, read straight from the\nimage: like `ls -l`, one line "
           "per entry with type and permissions, size,\ndate (UTC) and "
           "name.  PATH is a directory (default: the root) or a file.\n\n"
           "  -t, --track N      the data track (default: the last one that "
           "holds a\n"
           "                     file system: session 2 of a CD-Extra, "
           "track 1 of a\n"
           "                     Video CD)\n"
           "  -R, --recursive    everything below PATH, with full paths\n"
           "      --udf          read the UDF side of a UDF/ISO 9660 bridge "
           "(UDF-only\n"
           "                     volumes are read as UDF anyway)\n"
           "      --json         JSON (see docs/json.md)\n"
           "      --from FMT     read IMAGE as FMT instead of probing it\n");
}

static void
ls_json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static const char *
ls_type_name(enum disc_fs_type t)
{
    switch (t) {
    case DISC_FS_FILE:
        return "file";
    case DISC_FS_DIR:
        return "dir";
    case DISC_FS_LINK:
        return "link";
    case DISC_FS_OTHER:
        return "other";
    }
    return "other";
}

/* "2024-05-01T12:00:00Z" (buf 32+) or "" without a date. */
static const char *
ls_time(const struct disc_fs_entry *e, char *buf, size_t n, int iso)
{
    struct tm tm;
    time_t t = (time_t)e->mtime;

    buf[0] = '\0';
    if (e->has_mtime && gmtime_r(&t, &tm))
        (void)strftime(buf, n, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M",
                       &tm);
    return buf;
}

static void
ls_perm(const struct disc_fs_entry *e, char *p)
{
    static const char rwx[] = "rwxrwxrwx";
    int i;
    switch (e->type) {
    case DISC_FS_DIR:
        p[0] = 'd';
        break;
    case DISC_FS_LINK:
        p[0] = 'l';
        break;
    case DISC_FS_FILE:
        p[0] = '-';
        break;
    default:
        p[0] = '?';
        break;
    }
    for (i = 0; i < 9; i++)
        if (e->mode & (0400u >> i))
            p[1 + i] = rwx[i];
        else
            p[1 + i] = '-';
    p[10] = '\0';
}

/* Name shown in text mode: the full path when recursive or for a file
 * operand, else the last component. */
static const char *
ls_name(const struct disc_fs_entry *e, int full)
{
    const char *s = strrchr(e->path, '/');
    return full || !s ? e->path : s + 1;
}

static void
ls_print_text(const struct disc_fs_info *fi, const struct disc_fs_entry *e,
              size_t n, int full)
{
    char perm[11], when[32];
    size_t i;

    if (fi->udf_read)
        printf("# track %d: UDF, volume \"%s\"\n", fi->track, fi->volume);
    else
        printf("# track %d: ISO 9660%s%s%s, volume \"%s\"\n", fi->track,
               fi->rockridge ? " + Rock Ridge" : "",
               fi->joliet ? " + Joliet" : "", fi->udf ? " + UDF" : "",
               fi->volume);
    for (i = 0; i < n; i++) {
        ls_perm(&e[i], perm);
        printf("%s %12lld %-16s %s", perm, (long long)e[i].size,
               ls_time(&e[i], when, sizeof when, 0), ls_name(&e[i], full));
        if (e[i].type == DISC_FS_LINK && e[i].link)
            printf(" -> %s", e[i].link);
        printf("\n");
    }
}

static void
ls_print_json(const struct disc_fs_info *fi, const struct disc_fs_entry *e,
              size_t n)
{
    char when[32];
    size_t i;

    printf("{\n  \"track\": %d,\n  \"start\": %d,\n  \"filesystem\": "
           "\"%s\",\n  \"rockridge\": %s,\n  \"joliet\": %s,\n  "
           "\"udf\": %s,\n  \"volume\": ",
           fi->track, fi->start, fi->udf_read ? "udf" : "iso9660",
           fi->rockridge ? "true" : "false", fi->joliet ? "true" : "false",
           fi->udf ? "true" : "false");
    ls_json_str(fi->volume);
    printf(",\n  \"entries\": [");
    for (i = 0; i < n; i++) {
        printf("%s\n    {\"path\": ", i ? "," : "");
        ls_json_str(e[i].path);
        printf(", \"type\": \"%s\", \"size\": %lld, \"mode\": %u, "
               "\"mtime\": ",
               ls_type_name(e[i].type), (long long)e[i].size, e[i].mode);
        if (e[i].has_mtime) {
            ls_json_str(ls_time(&e[i], when, sizeof when, 1));
        } else {
            printf("null");
        }
        printf(", \"link\": ");
        if (e[i].link)
            ls_json_str(e[i].link);
        else
            printf("null");
        printf("}");
    }
    printf("\n  ]\n}\n");
}

int
cmd_ls(int argc, char **argv)
{
    enum { O_JSON = 256, O_FROM, O_UDF };
    static const struct option opts[] = {
        { "track", required_argument, NULL, 't' },
        { "recursive", no_argument, NULL, 'R' },
        { "udf", no_argument, NULL, O_UDF },
        { "json", no_argument, NULL, O_JSON },
        { "from", required_argument, NULL, O_FROM },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct disc_fs *fs = NULL;
    struct disc_fs_entry *e = NULL;
    const char *from = NULL, *path = "";
    size_t n = 0;
    long track = 0;
    int c, r, json = 0, rec = 0, full;
    unsigned flags = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "t:Rh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 't':
            track = strtol(optarg, &end, 10);
            if (*end || track < 1 || track > DISC_MAX_TRACKS)
                return cli_usage_error("ls", "bad track number \"%s\"", optarg);
            break;
        case 'R':
            rec = 1;
            break;
        case O_JSON:
            json = 1;
            break;
        case O_UDF:
            flags |= DISC_FS_UDF;
            break;
        case O_FROM:
            from = optarg;
            break;
        case 'h':
            ls_help();
            return EXIT_OK;
        default:
            return cli_usage_error("ls", "bad option");
        }
    }
    if (optind >= argc || argc - optind > 2)
        return cli_usage_error("ls", "expected IMAGE [PATH]");
    if (argc - optind == 2)
        path = argv[optind + 1];
    cli_ctx(&ctx);
    r = cli_open(&ctx, argv[optind], from, &d);
    if (r == 0)
        r = disc_fs_open(&ctx, d, (int)track, flags, &fs);
    if (r == 0)
        r = disc_fs_list(&ctx, fs, path, rec, &e, &n);
    if (r == 0) {
        /* A file operand shows as given; a directory's entries by name,
         * or by full path when recursive. */
        full = rec || (n == 1 && path[0] && e[0].type != DISC_FS_DIR &&
                       strcasecmp(e[0].path, path + (path[0] == '/')) == 0);
        if (json)
            ls_print_json(disc_fs_info(fs), e, n);
        else
            ls_print_text(disc_fs_info(fs), e, n, full);
    }
    disc_fs_list_free(e, n);
    disc_fs_close(fs);
    disc_free(d);
    if (r < 0)
        return cli_fail(&ctx, r);
    return EXIT_OK;
}

int
cli_extract_file(const char *image, const char *from, int track, int udf,
                 const char *file, const char *out, int force)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    int64_t bytes = 0;
    int r;

    if (!out) {
        const char *s = strrchr(file, '/');
        out = s ? s + 1 : file;
        if (!out[0])
            return cli_usage_error("extract",
                                   "-o FILE is required for "
                                   "\"%s\"",
                                   file);
    }
    cli_ctx(&ctx);
    r = cli_open(&ctx, image, from, &d);
    if (r == 0)
        r = disc_fs_extract(&ctx, d, track, udf ? DISC_FS_UDF : 0, file, out,
                            force, &bytes);
    disc_free(d);
    if (r < 0)
        return cli_fail(&ctx, r);
    if (!cli_quiet)
        (void)fprintf(stderr, "discarc: wrote %s (%s, %lld bytes)\n", out, file,
                      (long long)bytes);
    return EXIT_OK;
}
