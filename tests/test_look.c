/* test_look.c - robustness of the ways to look inside an image (`ls`,
 * `extract --file`, `--map`, `mount`'s track files): every allocation
 * failure, damaged file systems, truncated images, flat memory.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fixture.h"
#include "fs.h"
#include "map.h"
#include "test.h"
#include "trackfs.h"

static struct disc *
open_sample(struct disc_ctx *ctx)
{
    char path[4096];
    struct disc *d = NULL;
    (void)snprintf(path, sizeof path, "%s/mixed.cue", t_samples);
    if (disc_open_image(ctx, path, NULL, &d) != 0)
        return NULL;
    return d;
}

/* Every failing allocation in open, list and extract ends in
 * DISC_E_NOMEM, leaves no output, and a later run succeeds. */
TEST(look_fs_oom)
{
    struct disc_ctx ctx;
    struct disc *d;
    long k;
    int r = -1;

    t_ctx(&ctx);
    d = open_sample(&ctx);
    REQUIRE(d);
    for (k = 1; k < 400 && r != 0; k++) {
        struct disc_fs *fs = NULL;
        struct disc_fs_entry *e = NULL;
        size_t n = 0;
        disc_alloc_fail_at(k);
        r = disc_fs_open(&ctx, d, 0, 0, &fs);
        if (r == 0)
            r = disc_fs_list(&ctx, fs, "", 1, &e, &n);
        if (r == 0)
            r = disc_fs_extract(&ctx, d, 0, 0, "docs/TRACKS.TXT", "out.txt", 0,
                                NULL);
        disc_alloc_fail_at(0);
        if (r == 0)
            CHECK_INT(3, n);
        disc_fs_list_free(e, n);
        disc_fs_close(fs);
        if (r != 0) {
            CHECK_INT(DISC_E_NOMEM, r);
            CHECK(!t_exists("out.txt"));
            if (r != DISC_E_NOMEM)
                break;
        }
    }
    CHECK_INT(0, r);
    CHECK(k > 5);
    CHECK_INT(60, t_file_size("out.txt"));
    disc_free(d);
}

TEST(look_map_and_trackfs_oom)
{
    struct disc_ctx ctx;
    struct disc *d;
    long k;
    int r = -1;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    for (k = 1; k < 400 && r != 0; k++) {
        struct disc_map *m = NULL;
        disc_alloc_fail_at(k);
        r = disc_map_new(&ctx, d, &m);
        if (r == 0)
            r = disc_map_mark(&ctx, m, 10, 1, DISC_MAP_BAD, "EDC");
        if (r == 0)
            r = disc_map_write(&ctx, m, "x", "m.svg", 0);
        disc_alloc_fail_at(0);
        disc_map_free(m);
        if (r != 0) {
            CHECK_INT(DISC_E_NOMEM, r);
            CHECK(!t_exists("m.svg"));
            if (r != DISC_E_NOMEM)
                break;
        }
    }
    CHECK_INT(0, r);
    CHECK(t_file_size("m.svg") > 1000);
    r = -1;
    for (k = 1; k < 400 && r != 0; k++) {
        struct disc_trackfs *tf = NULL;
        disc_alloc_fail_at(k);
        r = disc_trackfs_new(&ctx, d, &tf);
        if (r == 0)
            r = disc_trackfs_add_text(&ctx, tf, "disc.json", "{}", 2);
        disc_alloc_fail_at(0);
        if (r == 0)
            CHECK(disc_trackfs_find(tf, "disc.json") >= 0);
        disc_trackfs_free(tf);
        if (r != 0) {
            CHECK_INT(DISC_E_NOMEM, r);
            if (r != DISC_E_NOMEM)
                break;
        }
    }
    CHECK_INT(0, r);
    CHECK(k > 5);
    disc_free(d);
}

/* Reading every byte of a long disc's track files keeps the heap at
 * what opening them took. */
TEST(look_trackfs_flat_memory)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_trackfs *tf = NULL;
    static uint8_t buf[1 << 17];
    size_t base;
    int i;

    t_ctx(&ctx);
    d = fx_disc_audio(&ctx, 3, 3000);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_trackfs_new(&ctx, d, &tf));
    disc_alloc_reset();
    base = disc_alloc_live();
    for (i = 0; i < tf->nfiles; i++) {
        int64_t off = 0, n;
        while ((n = disc_trackfs_read(&ctx, tf, i, off, buf, sizeof buf)) > 0)
            off += n;
        CHECK_INT(0, n);
        CHECK_INT(tf->file[i].size, off);
    }
    CHECK_INT(base, disc_alloc_peak());
    disc_trackfs_free(tf);
    disc_free(d);
}

/* Damaged file systems and truncated images: one line, exit 3 (or 1 for
 * I/O), never a crash. */
TEST(tool_look_damaged_inputs)
{
    char out[8192];
    int r;

    REQUIRE(t_run(out, sizeof out,
                  "cp '%s/mixed.cue' '%s/mixed.bin' . && "
                  "cp mixed.bin pvd.bin && cp mixed.bin dir.bin && "
                  "sed 's/mixed.bin/pvd.bin/' mixed.cue > pvd.cue && "
                  "sed 's/mixed.bin/dir.bin/' mixed.cue > dir.cue",
                  t_samples, t_samples) == 0);
    /* A PVD without its identifier: no file system. */
    REQUIRE(t_run(out, sizeof out,
                  "printf 'XXXXX' | dd of=pvd.bin bs=1 seek=$((16 * 2352 + "
                  "17)) conv=notrunc 2>/dev/null") == 0);
    r = t_run(out, sizeof out, "'%s' ls pvd.cue 2>&1", t_discarc);
    CHECK_INT(3, r);
    CHECK(strstr(out, "no data track holds a file system") != NULL);
    r = t_run(out, sizeof out, "'%s' ls --track 1 pvd.cue 2>&1", t_discarc);
    CHECK_INT(3, r);
    CHECK(strstr(out, "track 1 holds no ISO 9660 file system") != NULL);
    CHECK(strchr(out, '\n') == strrchr(out, '\n'));
    /* The root directory's sector overwritten with garbage. */
    {
        char *iso = NULL;
        size_t n = 0;
        uint32_t root;
        REQUIRE(t_run(out, sizeof out,
                      "dd if=mixed.bin bs=2352 skip=16 count=1 2>/dev/null | "
                      "dd bs=1 skip=16 count=2048 2>/dev/null > pvd") == 0);
        iso = t_slurp("pvd", &n);
        REQUIRE(iso && n == 2048);
        root = disc_rd_le32((const uint8_t *)iso + 158);
        free(iso);
        REQUIRE(root > 16 && root < 400);
        REQUIRE(t_run(out, sizeof out,
                      "head -c 2048 /dev/urandom | dd of=dir.bin bs=1 "
                      "seek=$((%u * 2352 + 16)) conv=notrunc 2>/dev/null",
                      root) == 0);
    }
    r = t_run(out, sizeof out, "'%s' ls -R dir.cue 2>&1", t_discarc);
    CHECK(r == 0 || r == 3);
    if (r == 3)
        CHECK(strstr(out, "track 1") != NULL);
    /* A BIN cut short inside the file system's data. */
    REQUIRE(t_run(out, sizeof out,
                  "head -c $((20 * 2352)) mixed.bin > cut.bin && sed "
                  "'s/mixed.bin/cut.bin/' mixed.cue > cut.cue") == 0);
    r = t_run(out, sizeof out,
              "'%s' extract cut.cue --file docs/TRACKS.TXT -o t.txt 2>&1",
              t_discarc);
    CHECK(r == 1 || r == 3);
    CHECK(!t_exists("t.txt"));
}
