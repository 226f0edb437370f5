/* cli.h - shared pieces of the discarc command-line tool.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * tools/ is the only place that prints.
 */
#ifndef DISCARC_CLI_H
#define DISCARC_CLI_H

#include <stdio.h>

#include "disc.h"

/* Exit codes (documented in docs/discarc.1 and README.md). */
#define EXIT_OK 0
#define EXIT_RUNTIME 1 /* I/O failure, out of memory, drive error */
#define EXIT_USAGE 2   /* bad command line */
#define EXIT_INPUT 3   /* damaged or unsupported input, refused loss */

extern int cli_verbose;
extern int cli_quiet;

/* A context that prints warnings to stderr and shows progress when
 * stderr is a terminal. */
void cli_ctx(struct disc_ctx *ctx);
/* Ends a progress line, if one was drawn. */
void cli_progress_done(void);
/* Prints "discarc: <msg>" for a failed call and returns its exit code. */
int cli_fail(const struct disc_ctx *ctx, int code);
/* Exit code for a library error code. */
int cli_exit_code(int code);
/* Prints a usage error and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Opens an image, honouring --from NAME (may be NULL). */
int cli_open(struct disc_ctx *ctx, const char *path, const char *from,
             struct disc **d);
/* Writes s with control characters escaped (C0, DEL and the UTF-8 C1
 * controls as \xNN / \u00NN): text from a disc or a descriptor (CD-TEXT,
 * sheet REM lines, DAT names, messages quoting them) cannot move the
 * cursor or change a terminal's state. */
void cli_put_text(FILE *f, const char *s);
/* 1 if arg is -h or --help. */
int cli_is_help(const char *arg);

/* Subcommands: each gets argv[0] = its own name. */
int cmd_info(int argc, char **argv);
int cmd_formats(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_rip(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_mount(int argc, char **argv);
/* The `info --json` text of d (docs/json.md) on o. */
void cli_info_json(FILE *o, const struct disc *d, const char *path,
                   const char *fmt);
struct disc_map;
/* --map: writes the SVG map of d (with the marks of m, which may be
 * NULL) to path; returns 0 or the library's error code. */
int cli_write_map(struct disc_ctx *ctx, const struct disc *d,
                  const struct disc_map *m, const char *name, const char *path,
                  int force);
/* extract --file: copies one file of a data track's file system. */
int cli_extract_file(const char *image, const char *from, int track, int udf,
                     const char *file, const char *out, int force);

#endif /* DISCARC_CLI_H */
