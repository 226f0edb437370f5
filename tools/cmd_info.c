/* cmd_info.c - `discarc info`: the table of contents as text or JSON,
 * and `discarc formats`.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * The JSON shape is documented in docs/json.md and is stable: fields are
 * only ever added.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "discid.h"
#include "map.h"

static const char *
session_type_name(uint8_t t)
{
    switch (t) {
    case DISC_TYPE_CDDA:
        return "CD-DA/CD-ROM";
    case DISC_TYPE_CDI:
        return "CD-i";
    case DISC_TYPE_XA:
        return "CD-ROM XA";
    }
    return "unknown";
}

/* buf: 18+ bytes hold every flag. */
static void
flags_text(uint8_t control, char *buf, size_t n)
{
    (void)snprintf(buf, n, "%s%s%s%s", control & DISC_CTL_DATA ? "DATA " : "",
                   control & DISC_CTL_4CH ? "4CH " : "",
                   control & DISC_CTL_COPY ? "DCP " : "",
                   control & DISC_CTL_PREEMPH ? "PRE " : "");
    if (buf[0])
        buf[strlen(buf) - 1] = '\0';
    else
        (void)snprintf(buf, n, "-");
}

/* buf: 12+ bytes; "255:59:74" and its terminator need 10. */
static char *
msf(disc_lba lba, char *buf)
{
    struct disc_msf m = disc_lba_to_msf(lba);
    (void)snprintf(buf, 12, "%02u:%02u:%02u", m.m, m.s, m.f);
    return buf;
}

static char *
dur(int32_t frames, char *buf)
{
    return disc_format_msf(frames, buf, 16);
}

/* Disc IDs: freedb, MusicBrainz, AccurateRip, CTDB (core/discid.h). */
static void
print_ids_text(const struct disc *d)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    struct disc_ids ids;

    if (disc_ids_compute(&ctx, d, &ids) != 0)
        return;
    printf("\nDisc IDs\n  freedb:      %08x\n", (unsigned)ids.freedb);
    if (ids.musicbrainz[0])
        printf("  MusicBrainz: %s\n  AccurateRip: %s\n  CTDB:        %s\n",
               ids.musicbrainz, ids.accuraterip, ids.ctdb);
}

static void
print_text(const struct disc *d, const char *path, const char *fmt)
{
    char a[16], b[16], fl[32];
    int i, s, n, blk, f;
    int64_t total = 0;
    unsigned feat = disc_features(d);

    for (i = 0; i < d->ntracks; i++)
        total += disc_track_length(d, i);
    printf("%s: %s image, %u track%s in %u session%s, %s (%lld sectors)\n",
           path, fmt, d->ntracks, d->ntracks == 1 ? "" : "s", d->nsessions,
           d->nsessions == 1 ? "" : "s",
           dur((int32_t)d->session[d->nsessions - 1].leadout, a),
           (long long)total);
    if (d->mcn[0])
        printf("MCN: %s\n", d->mcn);
    printf("Subchannel: %s\n", d->sub == DISC_SUB_CAPTURED
                                   ? "captured"
                                   : "none stored (synthesised on demand)");
    for (s = 0; s < d->nsessions; s++) {
        const struct disc_session *ss = &d->session[s];
        printf("\nSession %u (%s), tracks %u-%u, lead-out LBA %d (%s)\n",
               ss->number, session_type_name(ss->type), ss->first_track,
               ss->last_track, ss->leadout, msf(ss->leadout, a));
        printf("  Track  Mode         Start      MSF   Length  Pregap  Flags"
               "         ISRC\n");
        for (i = 0; i < d->ntracks; i++) {
            const struct disc_track *t = &d->track[i];
            if (t->session != ss->number)
                continue;
            flags_text(t->control, fl, sizeof fl);
            printf("  %5u  %-11s %7d %s %8d %7d  %-13s %s\n", t->number,
                   disc_mode_name(t->mode), t->index[1], msf(t->index[1], a),
                   disc_track_end(d, i) - t->index[1],
                   t->index[1] - t->index[0], fl, t->isrc[0] ? t->isrc : "-");
            if (t->index[0] != t->index[1] || t->last_index > 1)
                for (n = 0; n <= t->last_index; n++) {
                    if (n == 0 && t->index[0] == t->index[1])
                        continue;
                    printf("         index %02d at LBA %d (%s)%s\n", n,
                           t->index[n], msf(t->index[n], b),
                           disc_lba_stored(d, t->index[n]) ? ""
                                                           : ", not stored");
                }
        }
    }
    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        const struct disc_cdtext_block *c = d->cdtext[blk];
        if (!c)
            continue;
        printf("\nCD-TEXT block %d (%s)\n", blk,
               disc_cdtext_language_name(c->language));
        if (c->genre)
            printf("  genre code: %u (%s)\n", c->genre,
                   disc_cdtext_genre_name(c->genre));
        for (i = 0; i <= DISC_MAX_TRACKS; i++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
                if (c->text[i][f]) {
                    if (i == 0)
                        printf(
                            "  disc      %-10s ",
                            disc_cdtext_field_name((enum disc_cdtext_field)f));
                    else
                        printf(
                            "  track %2d  %-10s ", i,
                            disc_cdtext_field_name((enum disc_cdtext_field)f));
                    cli_put_text(stdout, c->text[i][f]);
                    putchar('\n');
                }
    }
    if (d->nmeta) {
        printf("\nMetadata\n");
        for (i = 0; i < d->nmeta; i++) {
            printf("  ");
            cli_put_text(stdout, d->meta[i].key);
            printf(": ");
            cli_put_text(stdout, d->meta[i].value);
            putchar('\n');
        }
    }
    if (d->nrawtoc)
        printf("\nRaw TOC: %u entries%s\n", d->nrawtoc,
               (feat & DISC_CAP_RAWTOC) ? " (more than the track list says)"
                                        : "");
    print_ids_text(d);
    printf("\nFeatures:");
    for (n = 0; n < DISC_NCAPS; n++)
        if (feat & (1u << n))
            printf(" %s;", disc_cap_name(1u << n));
    printf("\n");
}

static void
json_str(FILE *o, const char *s)
{
    if (!s) {
        fprintf(o, "null");
        return;
    }
    fputc('"', o);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(o, "\\%c", c);
        else if (c < 0x20)
            fprintf(o, "\\u%04x", c);
        else
            fputc(c, o);
    }
    fputc('"', o);
}

/* The "ids" object; identifiers that do not exist are null. */
static void
print_ids_json(FILE *o, const struct disc *d)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    struct disc_ids ids;
    char freedb[9];

    if (disc_ids_compute(&ctx, d, &ids) != 0) {
        fprintf(o, "null");
        return;
    }
    (void)snprintf(freedb, sizeof freedb, "%08x", (unsigned)ids.freedb);
    fprintf(o, "{\"freedb\": ");
    json_str(o, freedb);
    fprintf(o, ", \"musicbrainz\": ");
    json_str(o, ids.musicbrainz[0] ? ids.musicbrainz : NULL);
    fprintf(o, ", \"accuraterip\": ");
    json_str(o, ids.accuraterip[0] ? ids.accuraterip : NULL);
    fprintf(o, ", \"ctdb\": ");
    json_str(o, ids.ctdb[0] ? ids.ctdb : NULL);
    fprintf(o, "}");
}

void
cli_info_json(FILE *o, const struct disc *d, const char *path, const char *fmt)
{
    char a[16];
    int i, s, n, blk, f;
    unsigned feat = disc_features(d);

    fprintf(o, "{\n  \"path\": ");
    json_str(o, path);
    fprintf(o, ",\n  \"format\": ");
    json_str(o, fmt);
    fprintf(o, ",\n  \"mcn\": ");
    json_str(o, d->mcn[0] ? d->mcn : NULL);
    fprintf(o, ",\n  \"subchannel\": \"%s\"",
            d->sub == DISC_SUB_CAPTURED ? "captured" : "synthesised");
    fprintf(o, ",\n  \"sessions\": [");
    for (s = 0; s < d->nsessions; s++) {
        const struct disc_session *ss = &d->session[s];
        fprintf(o,
                "%s\n    {\"number\": %u, \"type\": %u, \"first_track\": %u, "
                "\"last_track\": %u, \"leadout\": %d, \"leadout_msf\": \"%s\"}",
                s ? "," : "", ss->number, ss->type, ss->first_track,
                ss->last_track, ss->leadout, msf(ss->leadout, a));
    }
    fprintf(o, "\n  ],\n  \"tracks\": [");
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        fprintf(o,
                "%s\n    {\"number\": %u, \"session\": %u, \"mode\": \"%s\", "
                "\"control\": %u, \"start\": %d, \"start_msf\": \"%s\", "
                "\"pregap\": %d, \"length\": %d, \"end\": %d, \"isrc\": ",
                i ? "," : "", t->number, t->session, disc_mode_name(t->mode),
                t->control, t->index[1], msf(t->index[1], a),
                t->index[1] - t->index[0], disc_track_end(d, i) - t->index[1],
                disc_track_end(d, i));
        json_str(o, t->isrc[0] ? t->isrc : NULL);
        fprintf(o, ", \"indexes\": [");
        for (n = 0; n <= t->last_index; n++)
            fprintf(o, "%s{\"number\": %d, \"lba\": %d, \"stored\": %s}",
                    n ? ", " : "", n, t->index[n],
                    disc_lba_stored(d, t->index[n]) ? "true" : "false");
        fprintf(o, "]}");
    }
    fprintf(o, "\n  ],\n  \"cdtext\": [");
    for (blk = 0, n = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        const struct disc_cdtext_block *c = d->cdtext[blk];
        int first = 1;
        if (!c)
            continue;
        fprintf(o,
                "%s\n    {\"block\": %d, \"language\": %u, \"language_name\": ",
                n++ ? "," : "", blk, c->language);
        json_str(o, disc_cdtext_language_name(c->language));
        fprintf(o, ", \"charset\": %u, \"genre_code\": %u, \"text\": [",
                c->charset, c->genre);
        for (i = 0; i <= DISC_MAX_TRACKS; i++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
                if (c->text[i][f]) {
                    fprintf(o,
                            "%s\n      {\"track\": %d, \"field\": \"%s\", "
                            "\"value\": ",
                            first ? "" : ",", i,
                            disc_cdtext_field_name((enum disc_cdtext_field)f));
                    json_str(o, c->text[i][f]);
                    fprintf(o, "}");
                    first = 0;
                }
        fprintf(o, "]}");
    }
    fprintf(o, "\n  ],\n  \"metadata\": [");
    for (i = 0; i < d->nmeta; i++) {
        fprintf(o, "%s{\"key\": ", i ? ", " : "");
        json_str(o, d->meta[i].key);
        fprintf(o, ", \"value\": ");
        json_str(o, d->meta[i].value);
        fprintf(o, "}");
    }
    fprintf(o, "],\n  \"ids\": ");
    print_ids_json(o, d);
    fprintf(o, ",\n  \"raw_toc_entries\": %u,\n  \"features\": [", d->nrawtoc);
    for (n = 0, i = 0; n < DISC_NCAPS; n++)
        if (feat & (1u << n)) {
            fprintf(o, "%s", i++ ? ", " : "");
            json_str(o, disc_cap_name(1u << n));
        }
    fprintf(o, "]\n}\n");
}

int
cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "from", required_argument, NULL, 'f' },
        { "map", required_argument, NULL, 'm' },
        { "force", no_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d = NULL;
    const char *from = NULL, *map = NULL;
    int json = 0, force = 0, c, r;

    optind = 1;
    while ((c = getopt_long(argc, argv, "jf:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'm':
            map = optarg;
            break;
        case 'F':
            force = 1;
            break;
        case 'f':
            from = optarg;
            break;
        case 'h':
            printf("Usage: discarc info [--json] [--map FILE.svg [--force]] "
                   "[--from FORMAT] IMAGE\n\n"
                   "Shows sessions, tracks, modes, index points, flags, "
                   "ISRC/MCN, CD-TEXT and\nwhat the image holds.  --json "
                   "prints the stable shape documented in\ndocs/json.md.  "
                   "--map also draws the disc as one SVG picture (see\n"
                   "docs/map.md); --force overwrites an existing one.\n");
            return EXIT_OK;
        default:
            return cli_usage_error("info", "bad option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("info", "expected one IMAGE");
    cli_ctx(&ctx);
    r = cli_open(&ctx, argv[optind], from, &d);
    if (r < 0)
        return cli_fail(&ctx, r);
    if (json)
        cli_info_json(stdout, d, argv[optind], disc_format_name(d->format));
    else
        print_text(d, argv[optind], disc_format_name(d->format));
    if (map) {
        r = cli_write_map(&ctx, d, NULL, argv[optind], map, force);
        if (r < 0) {
            disc_free(d);
            return cli_fail(&ctx, r);
        }
    }
    disc_free(d);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

int
cmd_formats(int argc, char **argv)
{
    const struct disc_format *f;
    size_t it = 0;
    int n;

    if (argc > 1 && cli_is_help(argv[1])) {
        printf("Usage: discarc formats\n\nLists every format with what "
               "discarc can do with it and what it can hold.\n");
        return EXIT_OK;
    }
    while ((f = disc_format_next(&it))) {
        unsigned caps = disc_format_caps(f);
        printf("%-6s %s%s  %s\n       extensions: %s\n       holds:",
               disc_format_name(f), disc_format_can_read(f) ? "r" : "-",
               disc_format_can_write(f) ? "w" : "-", disc_format_description(f),
               disc_format_extensions(f));
        for (n = 0; n < DISC_NCAPS; n++)
            if (caps & (1u << n))
                printf(" %s;", disc_cap_name(1u << n));
        printf("\n");
    }
    return EXIT_OK;
}
