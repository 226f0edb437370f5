/* cmd_convert.c - `discarc convert IN OUT`: any readable format to any
 * writable one, refusing (or, with --lossy, reporting) every loss.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
convert_help(void)
{
    printf(
        "Usage: discarc convert [OPTIONS] INPUT OUTPUT\n\n"
        "Converts a disc image.  The output format follows OUTPUT's "
        "extension\n(.cue, .ccd, .mds, .toc, .chd) unless --to is given.  "
        "Outputs are "
        "written under\ntemporary names and renamed only when everything "
        "succeeded.\n\n"
        "  --from FMT   read INPUT as FMT instead of probing it (cdio-toc:\n"
        "               a cdrdao .toc through libcdio, for comparison)\n"
        "  --to FMT     write OUTPUT as FMT\n"
        "  --force      overwrite existing output files\n"
        "  --lossy      convert even when the target cannot hold "
        "something\n"
        "               (one warning per dropped feature)\n"
        "  --strict     refuse any loss, even the ones only warned about\n"
        "  --split      CUE: one BIN per track (redump style; the default "
        "for\n"
        "               multi-session discs)\n"
        "  --merge      CUE: one BIN for the whole disc (the default for "
        "one\n"
        "               session; multi-session: padded, gaps as zeros);\n"
        "               TOC: copy the sectors into one new .bin instead of\n"
        "               naming the input files in place\n"
        "  --cooked     CUE: store data tracks as user data only "
        "(MODE1/2048 ...)\n"
        "  --crlf       CUE: CRLF line ends\n"
        "  --store-gaps CUE: write generated PREGAP/POSTGAP sectors into the "
        "BIN\n"
        "               (silence or empty data sectors) instead of PREGAP/"
        "POSTGAP\n"
        "  --link       hard-link outputs that equal a whole input file\n"
        "  --sub        MDS, CHD: store the subchannel (CHD: synthesised "
        "when none\n"
        "               was captured, so MCN, ISRC and INDEX 02+ are kept)\n"
        "  --fast       CHD: compress with cdzl and cdfl only (no LZMA)\n"
        "  --verify     read the output back and prove it equals the "
        "input\n");
}

int
cmd_convert(int argc, char **argv)
{
    enum {
        O_FROM = 256,
        O_TO,
        O_FORCE,
        O_LOSSY,
        O_STRICT,
        O_SPLIT,
        O_MERGE,
        O_COOKED,
        O_CRLF,
        O_SUB,
        O_LINK,
        O_VERIFY,
        O_STORE_GAPS,
        O_FAST
    };
    static const struct option opts[] = {
        { "from", required_argument, NULL, O_FROM },
        { "to", required_argument, NULL, O_TO },
        { "force", no_argument, NULL, O_FORCE },
        { "lossy", no_argument, NULL, O_LOSSY },
        { "strict", no_argument, NULL, O_STRICT },
        { "split", no_argument, NULL, O_SPLIT },
        { "merge", no_argument, NULL, O_MERGE },
        { "cooked", no_argument, NULL, O_COOKED },
        { "crlf", no_argument, NULL, O_CRLF },
        { "sub", no_argument, NULL, O_SUB },
        { "link", no_argument, NULL, O_LINK },
        { "verify", no_argument, NULL, O_VERIFY },
        { "store-gaps", no_argument, NULL, O_STORE_GAPS },
        { "fast", no_argument, NULL, O_FAST },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct disc_write_opts wo;
    struct disc_ctx ctx;
    struct disc *d = NULL, *back = NULL;
    const struct disc_format *to = NULL;
    const char *from = NULL, *toname = NULL, *in, *out;
    int c, r, verify = 0, merge = 0;

    memset(&wo, 0, sizeof wo);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_FROM:
            from = optarg;
            break;
        case O_TO:
            toname = optarg;
            break;
        case O_FORCE:
            wo.force = 1;
            break;
        case O_LOSSY:
            wo.allow_lossy = 1;
            break;
        case O_STRICT:
            wo.strict = 1;
            break;
        case O_SPLIT:
            wo.split = 1;
            break;
        case O_MERGE:
            merge = 1;
            wo.merge = 1;
            break;
        case O_COOKED:
            wo.cooked = 1;
            break;
        case O_CRLF:
            wo.crlf = 1;
            break;
        case O_SUB:
            wo.sub = 1;
            break;
        case O_LINK:
            wo.link = 1;
            break;
        case O_VERIFY:
            verify = 1;
            break;
        case O_STORE_GAPS:
            wo.store_gaps = 1;
            break;
        case O_FAST:
            wo.fast = 1;
            break;
        case 'h':
            convert_help();
            return EXIT_OK;
        default:
            return cli_usage_error("convert", "bad option");
        }
    }
    if (optind + 2 != argc)
        return cli_usage_error("convert", "expected INPUT and OUTPUT");
    if (wo.split && merge)
        return cli_usage_error("convert", "--split and --merge exclude "
                                          "each other");
    in = argv[optind];
    out = argv[optind + 1];
    to = toname ? disc_format_find(toname) : disc_format_for_output(out);
    if (!to)
        return cli_usage_error("convert",
                               toname ? "unknown format \"%s\""
                                      : "cannot tell the output format of "
                                        "\"%s\"; use --to",
                               toname ? toname : out);
    if (!disc_format_can_write(to))
        return cli_usage_error("convert", "discarc cannot write %s",
                               disc_format_name(to));
    cli_ctx(&ctx);
    r = cli_open(&ctx, in, from, &d);
    if (r < 0)
        return cli_fail(&ctx, r);
    r = disc_write(&ctx, d, to, out, &wo);
    cli_progress_done();
    if (r == 0 && verify) {
        r = disc_open_image(&ctx, out, to, &back);
        if (r == 0) {
            ctx.progress_done = 0;
            r = disc_compare(&ctx, d, back,
                             disc_compare_flags_for(to, &wo) | DISC_EQ_DATA);
            cli_progress_done();
            if (r == 1) {
                fprintf(stderr, "discarc: verify: %s differs from %s: %s\n",
                        out, in, ctx.msg);
                disc_free(back);
                disc_free(d);
                return EXIT_RUNTIME;
            }
            if (r == 0 && !cli_quiet)
                fprintf(stderr, "discarc: verify: %s is identical to %s\n", out,
                        in);
        }
    }
    disc_free(back);
    disc_free(d);
    if (r < 0)
        return cli_fail(&ctx, r);
    return EXIT_OK;
}
