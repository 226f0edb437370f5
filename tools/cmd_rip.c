/* cmd_rip.c - `discarc rip` (audio tracks to WAV/AIFF/FLAC files and a
 * CUE sheet) and `discarc extract` (one track as ISO, MPEG, raw Mode 2,
 * raw sectors or audio).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/audio.md (gap policies, names, extract rules).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "rip.h"

static void
rip_help(void)
{
    printf("Usage: discarc rip [OPTIONS] IMAGE\n\n"
           "Rips the audio tracks of IMAGE to one file per track plus a CUE "
           "sheet that\nrebuilds the disc's audio from them.  Data tracks are "
           "skipped (see\n`discarc extract`).  Files are written under "
           "temporary names and appear\nonly when every one of them was "
           "written.\n\n"
           "  -o, --output DIR     directory for the files (created if "
           "missing;\n"
           "                       default: the current directory)\n"
           "  -f, --format FMT     wav (default), aiff or flac\n"
           "  -t, --tracks LIST    tracks to rip, e.g. 1,3-5 (default: every "
           "audio\n"
           "                       track); naming a data track is an error.  "
           "A partial\n"
           "                       rip writes no CUE sheet\n"
           "  -n, --name TEMPLATE  file names: %%n track number (2 digits), "
           "%%t title,\n"
           "                       %%a artist, %%A album, %%%% a percent sign "
           "(default\n"
           "                       \"%%n - %%t\" when CD-TEXT has titles, "
           "\"track%%n\"\n"
           "                       otherwise); CD-TEXT is made safe: no '/', "
           "no leading\n"
           "                       dot or dash, no control characters, at most "
           "200 bytes\n"
           "  -g, --gaps POLICY    where each pregap (INDEX 00) goes: append "
           "(default,\n"
           "                       to the end of the previous track, as EAC), "
           "prepend\n"
           "                       (start of its own track) or drop (left "
           "out; the CUE\n"
           "                       sheet says PREGAP, which comes back as "
           "silence)\n"
           "      --no-cue         do not write the CUE sheet\n"
           "      --lossy          write the CUE sheet even when it cannot "
           "hold\n"
           "                       something (each loss is a warning)\n"
           "      --strict         refuse any loss of the CUE sheet\n"
           "      --accuraterip    print each track's AccurateRip CRCs (v1, "
           "v2) and the\n"
           "                       disc's AccurateRip file name\n"
           "      --from FMT       read IMAGE as FMT instead of probing it\n"
           "      --force          overwrite existing files\n\n"
           "Audio before track 1's INDEX 01 (hidden track one audio) that is "
           "not silent\nis written as track 00.  Tags: title, artist, album, "
           "track number, date,\ngenre and ISRC (as a comment) where the "
           "container has room for them.\n");
}

static void
extract_help(void)
{
    printf("Usage: discarc extract [OPTIONS] IMAGE --track N [-o FILE]\n"
           "       discarc extract [OPTIONS] IMAGE --file PATH [-o FILE]\n\n"
           "Writes one track of IMAGE to FILE, from its INDEX 01 to its end "
           "(the\npregap is left out; a data track's post-gap is part of the "
           "track and kept):\n"
           "  Mode 1 and Mode 2 Form 1 tracks: an ISO image (2048 bytes per "
           "sector)\n"
           "  Mode 2 Form 2 tracks (Video CD, SVCD): the MPEG stream (2324 "
           "bytes of\n"
           "    each Form 2 sector that carries video, audio or data; empty "
           "margins\n"
           "    are left out)\n"
           "  formless Mode 2 tracks: 2336 bytes per sector\n"
           "  audio tracks: a WAV (or AIFF/FLAC) file, as `discarc rip` "
           "writes it\n\n"
           "  -t, --track N        the track to write (required)\n"
           "  -o, --output FILE    output file (default: trackNN.iso, .mpg, "
           ".bin or\n"
           "                       .wav in the current directory)\n"
           "      --as KIND        data tracks: iso, mpeg, mode2 (2336 bytes) "
           "or raw\n"
           "                       (2352 bytes) instead of the automatic "
           "choice\n"
           "  -f, --format FMT     audio tracks: wav, aiff or flac (default: "
           "from FILE's\n"
           "                       extension, else wav)\n"
           "  -g, --gaps POLICY    audio tracks: append (default), prepend or "
           "drop\n"
           "      --file PATH      copy the file PATH of the data track's "
           "ISO 9660 file\n"
           "                       system instead (see `discarc ls`; the "
           "track defaults\n"
           "                       to the last one holding a file system; "
           "FILE to the\n"
           "                       file's own name); with --udf from the UDF "
           "side of a\n"
           "                       UDF/ISO 9660 bridge\n"
           "      --from FMT       read IMAGE as FMT instead of probing it\n"
           "      --force          overwrite an existing FILE\n");
}

static int
parse_gaps(const char *s, enum disc_rip_gaps *g)
{
    if (strcasecmp(s, "append") == 0)
        *g = DISC_GAPS_APPEND;
    else if (strcasecmp(s, "prepend") == 0)
        *g = DISC_GAPS_PREPEND;
    else if (strcasecmp(s, "drop") == 0)
        *g = DISC_GAPS_DROP;
    else
        return -1;
    return 0;
}

/* "1,3-5" into sel[1..99]; -1 on a syntax error. */
static int
parse_tracks(const char *s, uint8_t *sel)
{
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 1 || a > DISC_MAX_TRACKS)
            return -1;
        s = end;
        if (*s == '-') {
            s++;
            b = strtol(s, &end, 10);
            if (end == s || b < a || b > DISC_MAX_TRACKS)
                return -1;
            s = end;
        }
        for (; a <= b; a++)
            sel[a] = 1;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return 0;
}

static const struct disc_format *
audio_format(const char *name)
{
    const struct disc_format *f = disc_format_find(name);
    if (f && (strcmp(disc_format_name(f), "wav") == 0 ||
              strcmp(disc_format_name(f), "aiff") == 0 ||
              strcmp(disc_format_name(f), "flac") == 0))
        return f;
    return NULL;
}

static void
print_ar(const struct disc *d, const struct disc_rip_plan *p)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    struct disc_ids ids;
    int k;

    if (disc_ids_compute(&ctx, d, &ids) == 0 && ids.accuraterip[0])
        printf("AccurateRip: %s\n", ids.accuraterip);
    printf("Track  AccurateRip v1  AccurateRip v2\n");
    for (k = 0; k < p->nfiles; k++)
        if (p->file[k].has_ar)
            printf("   %02u        %08X        %08X\n", p->file[k].track,
                   (unsigned)p->file[k].ar.v1, (unsigned)p->file[k].ar.v2);
}

int
cmd_rip(int argc, char **argv)
{
    enum { O_FROM = 256, O_FORCE, O_NOCUE, O_AR, O_LOSSY, O_STRICT };
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "format", required_argument, NULL, 'f' },
        { "tracks", required_argument, NULL, 't' },
        { "name", required_argument, NULL, 'n' },
        { "gaps", required_argument, NULL, 'g' },
        { "no-cue", no_argument, NULL, O_NOCUE },
        { "lossy", no_argument, NULL, O_LOSSY },
        { "strict", no_argument, NULL, O_STRICT },
        { "accuraterip", no_argument, NULL, O_AR },
        { "from", required_argument, NULL, O_FROM },
        { "force", no_argument, NULL, O_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct disc_rip_opts ro;
    struct disc_rip_plan *plan = NULL;
    struct disc_ctx ctx;
    struct disc *d = NULL;
    const struct disc_format *fmt = audio_format("wav");
    const char *dir = ".", *from = NULL;
    int c, r;

    memset(&ro, 0, sizeof ro);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:f:t:n:g:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            dir = optarg;
            break;
        case 'f':
            fmt = audio_format(optarg);
            if (!fmt)
                return cli_usage_error("rip",
                                       "unknown audio format \"%s\" "
                                       "(wav, aiff, flac)",
                                       optarg);
            break;
        case 't':
            if (parse_tracks(optarg, ro.tracks) != 0)
                return cli_usage_error("rip",
                                       "bad track list \"%s\" "
                                       "(e.g. 1,3-5)",
                                       optarg);
            break;
        case 'n':
            ro.name = optarg;
            break;
        case 'g':
            if (parse_gaps(optarg, &ro.gaps) != 0)
                return cli_usage_error("rip",
                                       "unknown gap policy \"%s\" "
                                       "(append, prepend, drop)",
                                       optarg);
            break;
        case O_NOCUE:
            ro.no_cue = 1;
            break;
        case O_LOSSY:
            ro.allow_lossy = 1;
            break;
        case O_STRICT:
            ro.strict = 1;
            break;
        case O_AR:
            ro.accuraterip = 1;
            break;
        case O_FROM:
            from = optarg;
            break;
        case O_FORCE:
            ro.force = 1;
            break;
        case 'h':
            rip_help();
            return EXIT_OK;
        default:
            return cli_usage_error("rip", "bad option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("rip", "expected one IMAGE");
    if (!fmt)
        return cli_usage_error("rip", "this build has no WAV writer");
    cli_ctx(&ctx);
    r = cli_open(&ctx, argv[optind], from, &d);
    if (r < 0)
        return cli_fail(&ctx, r);
    r = disc_rip(&ctx, d, fmt, dir, &ro, &plan);
    cli_progress_done();
    if (r == 0) {
        if (!cli_quiet) {
            int k;
            for (k = 0; k < plan->nfiles; k++)
                (void)fprintf(stderr,
                              "discarc: wrote %s (track %02u, %u "
                              "sectors)\n",
                              plan->file[k].path, plan->file[k].track,
                              plan->file[k].count);
            if (plan->cue_path)
                (void)fprintf(stderr, "discarc: wrote %s\n", plan->cue_path);
            if (plan->skipped_data)
                (void)fprintf(stderr,
                              "discarc: note: %d data track%s not "
                              "ripped\n",
                              plan->skipped_data,
                              plan->skipped_data == 1 ? "" : "s");
        }
        if (ro.accuraterip)
            print_ar(d, plan);
    }
    disc_rip_plan_free(plan);
    disc_free(d);
    if (r < 0)
        return cli_fail(&ctx, r);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* Extracts audio track `track` (the rip of one track) as fmt (NULL:
 * from out's extension, else WAV) to out (NULL: trackNN.<ext>). */
static int
extract_audio(struct disc_ctx *ctx, struct disc *d, long track,
              const struct disc_format *fmt, const char *out, int force,
              struct disc_rip_opts *ro)
{
    char defname[32];
    int r;

    if (!fmt && out) {
        const struct disc_format *f = disc_format_for_output(out);
        fmt = f ? audio_format(disc_format_name(f)) : NULL;
    }
    if (!fmt)
        fmt = audio_format("wav");
    if (!out) {
        const char *ext = disc_format_extensions(fmt);
        (void)snprintf(defname, sizeof defname, "track%02ld.%.*s", track,
                       (int)strcspn(ext, ","), ext);
        out = defname;
    }
    ro->tracks[track] = 1;
    ro->file = out;
    ro->force = force;
    r = disc_rip(ctx, d, fmt, NULL, ro, NULL);
    cli_progress_done();
    if (r == 0 && !cli_quiet)
        (void)fprintf(stderr, "discarc: wrote %s (track %02ld)\n", out, track);
    return r;
}

/* Extracts data track `track` (index i) as kind (AUTO: the kind the
 * track holds) to out (NULL: trackNN.<ext>). */
static int
extract_data(struct disc_ctx *ctx, struct disc *d, int i, long track,
             enum disc_extract_kind kind, const char *out, int force)
{
    struct disc_extract_stats st;
    char defname[32];
    int r;

    if (kind == DISC_EXTRACT_AUTO)
        r = disc_extract_kind_for(ctx, d, i, &kind);
    else
        r = 0;
    if (r == 0 && !out) {
        (void)snprintf(defname, sizeof defname, "track%02ld.%s", track,
                       disc_extract_ext(kind));
        out = defname;
    }
    if (r == 0)
        r = disc_extract(ctx, d, (int)track, kind, out, force, &st);
    cli_progress_done();
    if (r == 0 && !cli_quiet)
        (void)fprintf(stderr,
                      "discarc: wrote %s (track %02ld, %u of %u "
                      "sectors, %lld bytes)\n",
                      out, track, st.written, st.sectors, (long long)st.bytes);
    return r;
}

int
cmd_extract(int argc, char **argv)
{
    enum { O_FROM = 256, O_FORCE, O_AS, O_FILE, O_UDF };
    static const struct option opts[] = {
        { "track", required_argument, NULL, 't' },
        { "file", required_argument, NULL, O_FILE },
        { "udf", no_argument, NULL, O_UDF },
        { "output", required_argument, NULL, 'o' },
        { "as", required_argument, NULL, O_AS },
        { "format", required_argument, NULL, 'f' },
        { "gaps", required_argument, NULL, 'g' },
        { "from", required_argument, NULL, O_FROM },
        { "force", no_argument, NULL, O_FORCE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    enum disc_extract_kind kind = DISC_EXTRACT_AUTO;
    struct disc_rip_opts ro;
    struct disc_ctx ctx;
    struct disc *d = NULL;
    const struct disc_format *fmt = NULL;
    const char *out = NULL, *from = NULL, *file = NULL;
    long track = 0;
    int c, r, i, force = 0, udf = 0;

    memset(&ro, 0, sizeof ro);
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:o:f:g:h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 't':
            track = strtol(optarg, &end, 10);
            if (*end || track < 1 || track > DISC_MAX_TRACKS)
                return cli_usage_error("extract", "bad track number \"%s\"",
                                       optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case O_AS:
            if (strcasecmp(optarg, "iso") == 0)
                kind = DISC_EXTRACT_ISO;
            else if (strcasecmp(optarg, "mpeg") == 0 ||
                     strcasecmp(optarg, "form2") == 0)
                kind = DISC_EXTRACT_FORM2;
            else if (strcasecmp(optarg, "mode2") == 0)
                kind = DISC_EXTRACT_MODE2;
            else if (strcasecmp(optarg, "raw") == 0)
                kind = DISC_EXTRACT_RAW;
            else
                return cli_usage_error("extract",
                                       "unknown kind \"%s\" "
                                       "(iso, mpeg, mode2, raw)",
                                       optarg);
            break;
        case 'f':
            fmt = audio_format(optarg);
            if (!fmt)
                return cli_usage_error("extract",
                                       "unknown audio format "
                                       "\"%s\" (wav, aiff, flac)",
                                       optarg);
            break;
        case 'g':
            if (parse_gaps(optarg, &ro.gaps) != 0)
                return cli_usage_error("extract",
                                       "unknown gap policy "
                                       "\"%s\" (append, prepend, drop)",
                                       optarg);
            break;
        case O_FROM:
            from = optarg;
            break;
        case O_FORCE:
            force = 1;
            break;
        case O_FILE:
            file = optarg;
            break;
        case O_UDF:
            udf = 1;
            break;
        case 'h':
            extract_help();
            return EXIT_OK;
        default:
            return cli_usage_error("extract", "bad option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("extract", "expected one IMAGE");
    if (file)
        return cli_extract_file(argv[optind], from, (int)track, udf, file, out,
                                force);
    if (!track)
        return cli_usage_error("extract", "--track N is required");
    cli_ctx(&ctx);
    r = cli_open(&ctx, argv[optind], from, &d);
    if (r < 0)
        return cli_fail(&ctx, r);
    i = disc_track_find(d, (int)track);
    if (i < 0) {
        (void)fprintf(stderr,
                      "discarc: track %ld is not on the disc (tracks "
                      "%u-%u)\n",
                      track, d->track[0].number,
                      d->track[d->ntracks - 1].number);
        disc_free(d);
        return EXIT_USAGE;
    }
    if (!disc_track_is_data(&d->track[i]))
        r = extract_audio(&ctx, d, track, fmt, out, force, &ro);
    else
        r = extract_data(&ctx, d, i, track, kind, out, force);
    cli_progress_done();
    disc_free(d);
    if (r < 0)
        return cli_fail(&ctx, r);
    return EXIT_OK;
}
