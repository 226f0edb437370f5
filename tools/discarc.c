/* discarc.c - the discarc command-line tool: dispatch and shared helpers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "disc.h"

#ifndef DISCARC_VERSION
#define DISCARC_VERSION "0.1.0"
#endif

int cli_verbose;
int cli_quiet;
static int cli_outside_paths;
static int progress_drawn;

void
cli_put_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            fprintf(f, "\\u%04x", *++p);
        else
            putc(*p, f);
    }
}

static void
cli_log(void *user, int level, const char *text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *line, *f;

    (void)user;
    if (level == DISC_LOG_INFO && !cli_verbose)
        return;
    if (cli_quiet && level != DISC_LOG_WARN)
        return;
    cli_progress_done();
    /* One write per line: stderr is unbuffered, and the escaping prints a
     * character at a time. */
    line = open_memstream(&buf, &len);
    f = line ? line : stderr;
    fprintf(f, "discarc: %s", level == DISC_LOG_WARN ? "warning: " : "");
    cli_put_text(f, text);
    putc('\n', f);
    if (line && fclose(line) == 0)
        (void)fwrite(buf, 1, len, stderr); /* nowhere to report a failure */
    free(buf);
}

static void
cli_progress(void *user, int64_t done, int64_t total)
{
    static struct timespec last;
    struct timespec now;
    (void)user;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (done < total && (now.tv_sec - last.tv_sec) * 1000 +
                                (now.tv_nsec - last.tv_nsec) / 1000000 <
                            200)
        return;
    last = now;
    if (total > 0)
        fprintf(stderr, "\r  %3d%%  %lld / %lld sectors",
                (int)(done * 100 / total), (long long)done, (long long)total);
    else
        fprintf(stderr, "\r  %lld sectors", (long long)done);
    progress_drawn = 1;
}

void
cli_progress_done(void)
{
    if (progress_drawn) {
        fprintf(stderr, "\r%50s\r", "");
        progress_drawn = 0;
    }
}

void
cli_ctx(struct disc_ctx *ctx)
{
    struct disc_ctx init = DISC_CTX_INIT;
    *ctx = init;
    ctx->log = cli_log;
    if (cli_outside_paths)
        ctx->flags |= DISC_CTX_OUTSIDE_PATHS;
    if (isatty(STDERR_FILENO) && !cli_quiet)
        ctx->progress = cli_progress;
}

int
cli_exit_code(int code)
{
    switch (code) {
    case DISC_OK:
        return EXIT_OK;
    case DISC_E_FORMAT:
    case DISC_E_UNSUPPORTED:
    case DISC_E_RANGE:
        return EXIT_INPUT;
    case DISC_E_ARG:
        return EXIT_USAGE;
    default:
        return EXIT_RUNTIME;
    }
}

int
cli_fail(const struct disc_ctx *ctx, int code)
{
    cli_progress_done();
    fputs("discarc: ", stderr);
    cli_put_text(stderr, ctx->msg[0] ? ctx->msg : disc_strerror(code));
    putc('\n', stderr);
    return cli_exit_code(code);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "discarc %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'discarc %s --help'.\n", cmd);
    return EXIT_USAGE;
}

int
cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int
cli_open(struct disc_ctx *ctx, const char *path, const char *from,
         struct disc **d)
{
    const struct disc_format *fmt = NULL;

    if (from) {
        fmt = disc_format_find(from);
        if (!fmt) {
            /* A long name is cut short: still a useful message. */
            (void)snprintf(ctx->msg, sizeof ctx->msg,
                           "unknown format \"%s\" (see `discarc formats`)",
                           from);
            return DISC_E_ARG;
        }
    }
    return disc_open_image(ctx, path, fmt, d);
}

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "info", cmd_info, "show the table of contents of an image" },
    { "convert", cmd_convert, "convert an image to another format" },
    { "rip", cmd_rip, "rip audio tracks to WAV, AIFF or FLAC files" },
    { "extract", cmd_extract, "write one track as ISO, MPEG, raw or WAV" },
    { "read", cmd_read, "read a disc from a drive (or a .toc/.nrg image)" },
    { "verify", cmd_verify, "check EDC/ECC and subchannel, or a round trip" },
    { "hash", cmd_hash, "CRC-32/MD5/SHA-1 per track, redump lines, DAT match" },
    { "ls", cmd_ls, "list the files of a data track (ISO 9660, UDF)" },
    { "mount", cmd_mount, "show the tracks as files in a folder (FUSE)" },
    { "formats", cmd_formats, "list the formats and what each can hold" },
};

static void
usage(FILE *f)
{
    size_t i;
    fprintf(f, "Usage: discarc [--verbose|--quiet] [--allow-outside-paths] "
               "COMMAND [ARGS...]\n"
               "       discarc --version | --help\n\n"
               "Multi-track optical disc images: CUE/BIN, CloneCD, Alcohol "
               "MDS/MDF, audio rips.\n\nCommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n--allow-outside-paths (anywhere on the line): descriptors "
               "may name files\noutside their own folder (absolute paths, "
               "\"..\"); refused by default.\n");
    fprintf(f, "\nRun 'discarc COMMAND --help' for the options of a command.\n"
               "Exit status: 0 success, 1 runtime failure (I/O, memory), "
               "2 usage error,\n3 damaged or unsupported input, or a "
               "conversion that would lose data.\n");
}

/* SIGINT, SIGTERM, SIGHUP: remove the temporary files, say so in one
 * line and die of the signal (the exit status tells the shell which).
 * Only async-signal-safe calls. */
static void
cli_on_signal(int sig)
{
    static const char head[] = "discarc: interrupted by ";
    static const char tail[] = "; temporary files removed\n";
    const char *name = sig == SIGINT    ? "SIGINT"
                       : sig == SIGTERM ? "SIGTERM"
                                        : "SIGHUP";

    disc_out_remove_temps();
    if (progress_drawn)
        (void)!write(STDERR_FILENO, "\n", 1);
    (void)!write(STDERR_FILENO, head, sizeof head - 1);
    (void)!write(STDERR_FILENO, name, strlen(name));
    (void)!write(STDERR_FILENO, tail, sizeof tail - 1);
    (void)raise(sig); /* SA_RESETHAND restored the default action */
}

static void
cli_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_on_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigfillset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        (void)sigaction(sigs[i], &sa, NULL);
}

int
main(int argc, char **argv)
{
    size_t i;
    int a = 1, k, n = 1;

    /* --allow-outside-paths is taken wherever it stands (up to "--"). */
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--") == 0) {
            while (k < argc)
                argv[n++] = argv[k++];
            break;
        }
        if (strcmp(argv[k], "--allow-outside-paths") == 0)
            cli_outside_paths = 1;
        else
            argv[n++] = argv[k];
    }
    argc = n;
    argv[argc] = NULL;
    while (a < argc && argv[a][0] == '-') {
        if (strcmp(argv[a], "--version") == 0) {
            printf("discarc %s\n", DISCARC_VERSION);
            return EXIT_OK;
        }
        if (cli_is_help(argv[a])) {
            usage(stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[a], "-v") == 0 || strcmp(argv[a], "--verbose") == 0)
            cli_verbose = 1;
        else if (strcmp(argv[a], "-q") == 0 || strcmp(argv[a], "--quiet") == 0)
            cli_quiet = 1;
        else {
            fprintf(stderr, "discarc: unknown option %s\n", argv[a]);
            usage(stderr);
            return EXIT_USAGE;
        }
        a++;
    }
    if (a >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    cli_signals();
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[a], commands[i].name) == 0) {
            int r = commands[i].fn(argc - a, argv + a);
            /* Output that could not be written (a full disk, a closed
             * pipe) is a failure, whatever the command did. */
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "discarc: writing the output failed\n");
                if (r == EXIT_OK)
                    r = EXIT_RUNTIME;
            }
            return r;
        }
    fprintf(stderr, "discarc: unknown command \"%s\"\n", argv[a]);
    usage(stderr);
    return EXIT_USAGE;
}
