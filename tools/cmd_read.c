/* cmd_read.c - `discarc read [DEVICE|IMAGE] -o OUT`: reads a disc from a
 * drive (or a libcdio image: cdrdao .toc, Nero .nrg) into any writable
 * format, logging every sector that needed retries or stayed unreadable.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cdio.md.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "disc_drive.h"
#include "map.h"

static void
read_help(void)
{
    printf("Usage: discarc read [OPTIONS] [DEVICE|IMAGE] -o OUTPUT\n\n"
           "Reads every session and track of a disc from a CD drive (default: "
           "libcdio's\ndefault drive) or from an image libcdio opens (cdrdao "
           ".toc, Nero .nrg) and\nwrites it as OUTPUT: a .cue, .ccd or .mds "
           "file, or a directory, which gets\na CUE/BIN named after the disc "
           "(its CD-TEXT title, else \"disc\").\n\n"
           "Every sector that needed retries or stayed unreadable is listed "
           "on stderr\nand in OUTPUT's name with .log (see --log).  "
           "Unreadable sectors are\nzero-filled; the image is still written "
           "and the exit status is 1.\n\n"
           "  -o, --output OUT   where to write (required)\n"
           "  --paranoia MODE    audio through libcdio-paranoia: off "
           "(default), overlap, full\n"
           "  --retries N        reads per bad sector, paranoia's retry "
           "limit (default 5)\n"
           "  --offset N         drive read offset correction in samples "
           "(may be negative)\n"
           "  --from KIND        toc or nrg: read the IMAGE with that libcdio "
           "driver;\n"
           "                     device: treat the path as a drive\n"
           "  --log PATH         write the sector log there\n"
           "  --no-qscan         keep the drive TOC's pregaps (no Q "
           "subchannel scan)\n"
           "  --map FILE.svg     draw the disc as one SVG picture, unreadable "
           "sectors in red\n"
           "                     and retried ones in orange (docs/map.md)\n"
           "  --force            overwrite existing output files\n"
           "  --lossy            write even when OUTPUT's format cannot hold "
           "something\n"
           "  --strict           refuse any loss, even the ones only warned "
           "about\n");
}

struct read_log {
    struct disc_cdio_event *ev;
    size_t n, cap;
    size_t bad;
};

static void
read_report(void *user, const struct disc_cdio_event *ev)
{
    struct read_log *l = user;

    if (ev->status == DISC_CDIO_UNREADABLE)
        l->bad++;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct disc_cdio_event *p = realloc(l->ev, cap * sizeof *p);
        if (!p)
            return; /* counted above; the list is only shorter */
        l->ev = p;
        l->cap = cap;
    }
    l->ev[l->n++] = *ev;
}

static void
read_log_line(FILE *f, const struct disc_cdio_event *e)
{
    char msf[16];

    disc_format_msf(e->lba + 150, msf, sizeof msf);
    fprintf(f, "LBA %d (MSF %s) track %d: %s", e->lba, msf, e->track,
            e->status == DISC_CDIO_UNREADABLE ? "UNREADABLE" : "retried");
    if (e->attempts > 0)
        fprintf(f, " after %d attempt%s", e->attempts,
                e->attempts == 1 ? "" : "s");
    fprintf(f, " (%s)%s\n", e->what ? e->what : "?",
            e->status == DISC_CDIO_UNREADABLE ? ", zero-filled" : "");
}

/* Writes the log; returns 0 or -1 (errno set). */
static int
read_write_log(const char *path, const char *src, const struct read_log *l)
{
    FILE *f = fopen(path, "w");
    size_t i;
    int ok;

    if (!f)
        return -1;
    fprintf(f, "discarc read %s\n", src);
    for (i = 0; i < l->n; i++)
        read_log_line(f, &l->ev[i]);
    if (l->n == 0)
        fprintf(f, "every sector read without error\n");
    else
        fprintf(f, "%zu sector(s) retried, %zu unreadable\n", l->n - l->bad,
                l->bad);
    ok = !ferror(f);
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* --map: the disc with every logged sector marked. */
static int
read_map(struct disc_ctx *ctx, const struct disc *d, const struct read_log *l,
         const char *name, const char *path, int force)
{
    struct disc_map *m = NULL;
    size_t i;
    int r = disc_map_new(ctx, d, &m);

    for (i = 0; r == 0 && i < l->n; i++)
        r = disc_map_mark(ctx, m, l->ev[i].lba, 1,
                          l->ev[i].status == DISC_CDIO_UNREADABLE
                              ? DISC_MAP_UNREADABLE
                              : DISC_MAP_RETRIED,
                          l->ev[i].what);
    if (r == 0)
        r = cli_write_map(ctx, d, m, name, path, force);
    disc_map_free(m);
    return r;
}

/* A file name from the disc's CD-TEXT title: letters, digits and a few
 * safe characters, at most 64 bytes; "disc" when there is none. */
static void
read_disc_name(const struct disc *d, char *out, size_t len)
{
    const char *t = disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE);
    size_t n = 0;

    for (; t && *t && n + 1 < len && n < 64; t++) {
        unsigned char c = (unsigned char)*t;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80)
            out[n++] = (char)c;
        else if (n && out[n - 1] != '_')
            out[n++] = '_';
    }
    while (n && (out[n - 1] == '_' || out[n - 1] == '.'))
        n--;
    if (n == 0 || out[0] == '.')
        (void)snprintf(out, len, "disc"); /* callers pass 80 bytes */
    else
        out[n] = '\0';
}

/* Which libcdio driver, if any, reads path (an existing file). */
static int
read_driver_for(struct disc_ctx *ctx, const char *path, const char *from,
                enum disc_cdio_driver *drv, const struct disc_format **fmt)
{
    *fmt = NULL;
    if (from) {
        if (strcmp(from, "toc") == 0) {
            *drv = DISC_CDIO_TOC;
            return 1;
        }
        if (strcmp(from, "nrg") == 0) {
            *drv = DISC_CDIO_NRG;
            return 1;
        }
        if (strcmp(from, "device") == 0) {
            *drv = DISC_CDIO_DEVICE;
            return 1;
        }
        *fmt = disc_format_find(from);
        return *fmt ? 0 : -1;
    }
    if (disc_format_probe(ctx, path, fmt) < 0)
        return -2;
    if (strcmp(disc_format_name(*fmt), "toc") == 0) {
        *drv = DISC_CDIO_TOC;
        return 1;
    }
    if (strcmp(disc_format_name(*fmt), "nrg") == 0) {
        *drv = DISC_CDIO_NRG;
        return 1;
    }
    return 0;
}

static int
read_nomem(void)
{
    cli_progress_done();
    fprintf(stderr, "discarc: out of memory\n");
    return cli_exit_code(DISC_E_NOMEM);
}

/* Index of arg in the NUL-separated list words, or -1. */
static int
read_word(const char *arg, const char *words)
{
    int i;

    for (i = 0; *words; i++, words += strlen(words) + 1)
        if (strcmp(arg, words) == 0)
            return i;
    return -1;
}

/* A whole number from min to 1000000; 0, or -1 when arg is none. */
static int
read_number(const char *arg, long min, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || *end || end == arg || v < min || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

/* Opens src (NULL: the default drive): a drive, a libcdio image, or
 * another image through discarc's own reader.  An exit code. */
static int
read_open(struct disc_ctx *ctx, const char *src, const char *from,
          struct disc_cdio_opts *co, struct disc **d)
{
    const struct disc_format *fmt = NULL;
    struct stat st;
    int r;

    if (src && stat(src, &st) == 0 && S_ISREG(st.st_mode) &&
        !(from && strcmp(from, "device") == 0)) {
        r = read_driver_for(ctx, src, from, &co->driver, &fmt);
        if (r == -1)
            return cli_usage_error("read", "unknown format \"%s\"", from);
        if (r == -2)
            return cli_fail(ctx, ctx->err);
        if (r == 0) {
            /* Another image format: read it with discarc's own reader. */
            if (co->paranoia || co->offset_samples)
                fprintf(stderr, "discarc: warning: --paranoia and --offset "
                                "apply to drives and libcdio images only\n");
            r = disc_open_image(ctx, src, fmt, d);
        } else {
            r = disc_open_drive(ctx, src, co, d);
        }
    } else {
        r = disc_open_drive(ctx, src, co, d);
    }
    return r < 0 ? cli_fail(ctx, r) : EXIT_OK;
}

/* The CUE sheet to write in the directory out (made when out ends in
 * '/'), named after the disc: *path (malloc'd).  An exit code. */
static int
read_out_in_dir(const struct disc *d, const char *out, char **path)
{
    char name[80];
    size_t n = strlen(out) + sizeof name + 8;
    struct stat st;

    read_disc_name(d, name, sizeof name);
    *path = malloc(n);
    if (!*path)
        return read_nomem();
    /* n has room for out, '/', name and ".cue". */
    (void)snprintf(*path, n, "%s%s%s.cue", out,
                   out[strlen(out) - 1] == '/' ? "" : "/", name);
    if (out[strlen(out) - 1] == '/' && stat(out, &st) != 0 &&
        mkdir(out, 0777) != 0) {
        fprintf(stderr, "discarc: %s: %s\n", out, strerror(errno));
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

/* What the command line of `discarc read` asks for. */
struct read_args {
    struct disc_cdio_opts co;
    struct disc_write_opts wo;
    const char *out, *from, *logpath, *src, *mappath;
};

/* Parses the command line into a: -1 to go on, else the exit code. */
static int
read_args(int argc, char **argv, struct read_args *a)
{
    enum {
        O_PARANOIA = 256,
        O_RETRIES,
        O_OFFSET,
        O_FROM,
        O_LOG,
        O_FORCE,
        O_LOSSY,
        O_STRICT,
        O_NOQSCAN,
        O_MAP
    };
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "paranoia", required_argument, NULL, O_PARANOIA },
        { "retries", required_argument, NULL, O_RETRIES },
        { "offset", required_argument, NULL, O_OFFSET },
        { "from", required_argument, NULL, O_FROM },
        { "log", required_argument, NULL, O_LOG },
        { "force", no_argument, NULL, O_FORCE },
        { "lossy", no_argument, NULL, O_LOSSY },
        { "strict", no_argument, NULL, O_STRICT },
        { "no-qscan", no_argument, NULL, O_NOQSCAN },
        { "map", required_argument, NULL, O_MAP },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, v;

    memset(a, 0, sizeof *a);
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            a->out = optarg;
            break;
        case O_PARANOIA:
            a->co.paranoia = read_word(optarg, "off\0overlap\0full\0");
            if (a->co.paranoia < 0)
                return cli_usage_error("read", "--paranoia takes off, "
                                               "overlap or full");
            break;
        case O_RETRIES:
        case O_OFFSET:
            if (read_number(optarg, c == O_RETRIES ? 0 : -1000000, &v) != 0)
                return cli_usage_error("read", "bad number \"%s\"", optarg);
            *(c == O_RETRIES ? &a->co.retries : &a->co.offset_samples) = v;
            break;
        case O_FROM:
            a->from = optarg;
            break;
        case O_LOG:
            a->logpath = optarg;
            break;
        case O_FORCE:
            a->wo.force = 1;
            break;
        case O_LOSSY:
            a->wo.allow_lossy = 1;
            break;
        case O_STRICT:
            a->wo.strict = 1;
            break;
        case O_NOQSCAN:
            a->co.no_qscan = 1;
            break;
        case O_MAP:
            a->mappath = optarg;
            break;
        case 'h':
            read_help();
            return EXIT_OK;
        default:
            return cli_usage_error("read", "bad option");
        }
    }
    if (optind + 1 < argc)
        return cli_usage_error("read", "expected at most one DEVICE or "
                                       "IMAGE");
    if (!a->out)
        return cli_usage_error("read", "-o OUTPUT is required");
    a->src = optind < argc ? argv[optind] : NULL;
    return -1;
}

int
cmd_read(int argc, char **argv)
{
    struct read_args a;
    struct read_log log;
    struct disc_ctx ctx;
    struct disc *d = NULL;
    const struct disc_format *to = NULL;
    const char *out, *logpath;
    char *outpath = NULL, *logbuf = NULL;
    struct stat st;
    int r, rc = read_args(argc, argv, &a), isdir = 0;

    if (rc >= 0)
        return rc;
    if (!a.out) /* set when read_args goes on; tested for analysers */
        return EXIT_USAGE;
    out = a.out;
    logpath = a.logpath;
    memset(&log, 0, sizeof log);
    isdir = (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) ||
            out[strlen(out) - 1] == '/';
    if (!isdir) {
        to = disc_format_for_output(out);
        if (!to)
            return cli_usage_error("read",
                                   "cannot tell the format of "
                                   "\"%s\" (.cue, .ccd, .mds or a "
                                   "directory)",
                                   out);
    } else {
        to = disc_format_find("cue");
    }

    cli_ctx(&ctx);
    a.co.report = read_report;
    a.co.report_user = &log;
    a.co.driver = DISC_CDIO_DEVICE;
    rc = read_open(&ctx, a.src, a.from, &a.co, &d);
    if (rc != EXIT_OK) {
        free(log.ev);
        return rc;
    }
    if (isdir) {
        rc = read_out_in_dir(d, out, &outpath);
        if (rc != EXIT_OK)
            goto done;
        out = outpath;
    }
    if (!logpath) {
        logbuf = disc_path_with_ext(out, "log");
        if (!logbuf) {
            rc = read_nomem();
            goto done;
        }
        logpath = logbuf;
    }

    r = disc_write(&ctx, d, to, out, &a.wo);
    cli_progress_done();
    if (r < 0) {
        rc = cli_fail(&ctx, r);
        goto done;
    }
    {
        size_t i;
        for (i = 0; i < log.n; i++) {
            fputs("discarc: ", stderr);
            read_log_line(stderr, &log.ev[i]);
        }
    }
    if (read_write_log(logpath, a.src ? a.src : "(default drive)", &log) != 0) {
        fprintf(stderr, "discarc: %s: %s\n", logpath, strerror(errno));
        rc = EXIT_RUNTIME;
        goto done;
    }
    if (a.mappath) {
        r = read_map(&ctx, d, &log, a.src ? a.src : "(default drive)",
                     a.mappath, a.wo.force);
        if (r < 0) {
            rc = cli_fail(&ctx, r);
            goto done;
        }
    }
    if (log.bad) {
        fprintf(stderr,
                "discarc: %zu sector(s) could not be read and were "
                "zero-filled in %s (listed in %s)\n",
                log.bad, out, logpath);
        rc = EXIT_RUNTIME;
    }
done:
    disc_free(d);
    disc_free_mem(logbuf);
    free(outpath);
    free(log.ev);
    return rc;
}
