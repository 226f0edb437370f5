/* fuzz.h - fuzz targets for every reader, shared by libFuzzer binaries
 * (make fuzz) and by the replay of seed and regression corpora (the test
 * suite and build/fuzz/replay, with any compiler, sanitizer or valgrind).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A target is one file tests/fuzz/target_NAME.c:
 *
 *     FUZZ_TARGET(name)
 *     {
 *         ... use data and size, return 0 ...
 *     }
 *
 * with seeds in tests/fuzz/NAME/seeds/, a dictionary in
 * tests/fuzz/NAME/dict (optional) and past crash inputs in
 * tests/fuzz/regress/NAME/.  See docs/testing.md.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "disc_format.h"

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

#ifdef FUZZ_LIBFUZZER
/* libFuzzer's entry point, one per binary. */
#define FUZZ_ENTRY(n)                                                          \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)               \
    {                                                                          \
        (void)fuzz_##n(data, size);                                            \
        return 0;                                                              \
    }
#else
#define FUZZ_ENTRY(n)
#endif

#define FUZZ_TARGET(n)                                                         \
    int fuzz_##n(const uint8_t *data, size_t size);                            \
    FUZZ_ENTRY(n)                                                              \
    int fuzz_##n(const uint8_t *data, size_t size)

/* Inputs that hold several files separate them by this line: the first
 * part is the descriptor, the next ones its companions in the order the
 * target names them.  A companion the input leaves out gets a default. */
#define FUZZ_SPLIT "\n#FUZZ-FILE#\n"

/* One file a target writes before opening its descriptor. */
struct fuzz_file {
    const char *name; /* in the scratch directory */
    /* Default content when the input has no part for it: */
    enum {
        FUZZ_NONE = 0, /* no file */
        FUZZ_EMPTY,    /* a 0-byte file */
        FUZZ_SECTORS,  /* FUZZ_NSECT sectors of stride bytes, patterned */
        FUZZ_WAVE      /* a valid WAVE file of FUZZ_NSECT CD sectors */
    } dflt;
    unsigned stride; /* FUZZ_SECTORS: bytes per sector */
};

#define FUZZ_NSECT 24

/* The absolute path of name in the process's scratch directory (created
 * on first use, removed by fuzz_cleanup); a static rotating buffer. */
const char *fuzz_path(const char *name);
/* Writes len bytes to name in the scratch directory; 0 or -1. */
int fuzz_write(const char *name, const void *p, size_t len);
/* Splits data at FUZZ_SPLIT and writes part 0 to files[0].name, part i
 * to files[i].name; files without a part get their default.  Files of
 * an earlier input are removed first.  0 or -1. */
int fuzz_write_set(const uint8_t *data, size_t size,
                   const struct fuzz_file *files, size_t nfiles);
/* Opens path the way `discarc info` does (probe, read, check), walks the
 * TOC and reads a bounded set of sectors from every track and session;
 * frees everything.  Returns what disc_open_image returned. */
int fuzz_open_walk(const char *path);
/* Walks an opened disc as fuzz_open_walk does. */
void fuzz_walk(struct disc_ctx *ctx, const struct disc *d);
/* Removes the scratch directory. */
void fuzz_cleanup(void);

/* Replays one file or every file of a directory (sorted, recursively)
 * through fn; returns the number of inputs run, or -1 when the path
 * cannot be read.  A crash ends the process, which is the failure. */
long fuzz_replay(fuzz_fn fn, const char *path);

#endif /* FUZZ_H */
