/* test_mount.c - the disc as a folder of track files: the trackfs
 * reader (any offset, any length), and `discarc mount` through FUSE
 * compared with `extract` and `rip` output, sox, `mount -o loop` and
 * discarc's own CUE reader.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "rip.h"
#include "test.h"
#include "trackfs.h"

/* Reads file i of tf whole, in pieces of step bytes. */
static uint8_t *
tf_slurp(struct disc_ctx *ctx, struct disc_trackfs *tf, int i, size_t step)
{
    int64_t size = tf->file[i].size, off = 0;
    uint8_t *b = malloc((size_t)size + 1);
    while (b && off < size) {
        int64_t n = disc_trackfs_read(ctx, tf, i, off, b + off, step);
        if (n <= 0) {
            free(b);
            return NULL;
        }
        off += n;
    }
    return b;
}

TEST(trackfs_files_and_ranges)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_trackfs *tf = NULL;
    uint8_t *whole, *piece, raw[DISC_SECTOR_RAW];
    int i, k;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_trackfs_new(&ctx, d, &tf));
    /* 01.bin, 01.iso, two WAVs (with CD-TEXT titles or not), disc.cue. */
    CHECK(disc_trackfs_find(tf, "01.bin") >= 0);
    CHECK(disc_trackfs_find(tf, "01.iso") >= 0);
    CHECK(disc_trackfs_find(tf, "disc.cue") >= 0);
    for (i = 0; i < tf->nfiles; i++) {
        const struct disc_tf_file *f = &tf->file[i];
        /* Whole reads in odd pieces equal one big read. */
        whole = tf_slurp(&ctx, tf, i, (size_t)f->size);
        piece = tf_slurp(&ctx, tf, i, 7001);
        REQUIRE(whole && piece);
        CHECK_MEM(whole, piece, (size_t)f->size);
        if (f->kind == DISC_TF_WAV) {
            CHECK_INT(44 + (int64_t)f->count * 2352, f->size);
            CHECK(memcmp(whole, "RIFF", 4) == 0);
            CHECK_INT(f->count * 2352, disc_rd_le32(whole + 40));
        }
        /* Sector contents at a few places. */
        for (k = 0; f->kind != DISC_TF_TEXT && k < 3; k++) {
            uint32_t s = k == 0 ? 0 : k == 1 ? f->count / 2 : f->count - 1;
            REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, f->start + (int)s, 1,
                                               raw, NULL));
            if (f->kind == DISC_TF_RAW)
                CHECK_MEM(raw, whole + (size_t)s * 2352, 2352);
            else if (f->kind == DISC_TF_WAV)
                CHECK_MEM(raw, whole + 44 + (size_t)s * 2352, 2352);
            else
                CHECK_MEM(raw + 16, whole + (size_t)s * 2048, 2048);
        }
        /* Past the end: nothing. */
        CHECK_INT(0, disc_trackfs_read(&ctx, tf, i, f->size, raw, 10));
        free(whole);
        free(piece);
    }
    disc_trackfs_free(tf);
    disc_free(d);
}

/* The pid of a discarc process whose command line names dir, or 0. */
static long
find_mount_process(const char *dir)
{
    DIR *p = opendir("/proc");
    struct dirent *de;
    long found = 0;

    if (!p)
        return 0;
    while (!found && (de = readdir(p))) {
        char path[300], buf[4096];
        FILE *f;
        size_t n, i;
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        (void)snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
        f = fopen(path, "rb");
        if (!f)
            continue;
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        for (i = 0; i < n; i++)
            if (!buf[i])
                buf[i] = ' ';
        if (strstr(buf, "discarc") && strstr(buf, " mount ") &&
            strstr(buf, dir))
            found = strtol(de->d_name, NULL, 10);
    }
    closedir(p);
    return found;
}

/* 1 when dir is a mount point; polls up to about a minute (never a
 * fixed delay: the first success returns). */
static int
wait_mounted(const char *dir, int want)
{
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    char out[256];
    int i;
    for (i = 0; i < 1200; i++) {
        int m = t_run(out, sizeof out, "mountpoint -q '%s'", dir) == 0;
        if (m == want)
            return 1;
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Waits (bounded) until no process serves dir. */
static int
wait_gone(const char *dir)
{
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    int i;
    for (i = 0; i < 1200; i++) {
        long pid = find_mount_process(dir);
        char path[64], st[512];
        FILE *f;
        if (!pid)
            return 1;
        /* A zombie waiting for its parent counts as gone. */
        (void)snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        f = fopen(path, "r");
        if (f) {
            size_t n = fread(st, 1, sizeof st - 1, f);
            const char *rp;
            fclose(f);
            st[n] = '\0';
            rp = strrchr(st, ')');
            if (rp && rp[1] == ' ' && rp[2] == 'Z')
                return 1;
        }
        nanosleep(&ts, NULL);
    }
    return 0;
}

TEST(tool_mount_files_match_extract_and_rip)
{
    static char out[65536];
    char img[4096], cwd[4096];
    struct disc_ctx ctx;
    struct disc *orig = NULL, *back = NULL;
    DIR *dp;
    struct dirent *de;
    int nwav = 0;
    long pid;

    if (access("/dev/fuse", R_OK | W_OK) != 0)
        SKIP("/dev/fuse is not usable here (%s)", strerror(errno));
    NEED_DEB("fusermount3");
    NEED_DEB("sox");
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    (void)snprintf(img, sizeof img, "%s/mixed.cue", t_samples);
    REQUIRE(mkdir("m", 0755) == 0);
    /* Foreground, in the background of a shell: its pid is known. */
    REQUIRE(t_run(out, sizeof out,
                  "'%s' mount --foreground '%s' '%s/m' >mount.log 2>&1 & "
                  "echo $!",
                  t_discarc, img, cwd) == 0);
    pid = atol(out);
    REQUIRE(pid > 0);
    if (!wait_mounted("m", 1)) {
        char *log = t_slurp("mount.log", NULL);
        t_fail(__FILE__, __LINE__, "not mounted: %s", t_str(log));
        free(log);
        /* Our own server, by its pid: nothing may stay behind. */
        (void)t_run(out, sizeof out, "fusermount3 -u m 2>/dev/null");
        (void)kill((pid_t)pid, SIGTERM);
        return;
    }
    /* Data track: ISO and raw, against extract. */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' extract '%s' --track 1 --as iso -o t1.iso "
                       "2>/dev/null && cmp t1.iso m/01.iso && "
                       "'%s' extract '%s' --track 1 --as raw -o t1.bin "
                       "2>/dev/null && cmp t1.bin m/01.bin",
                       t_discarc, img, t_discarc, img));
    /* Audio: the rip's files, decoded by sox, equal the mounted ones. */
    CHECK_INT(
        0, t_run(out, sizeof out, "'%s' rip '%s' -o rip 2>&1", t_discarc, img));
    /* From here on nothing returns early: the mount must come down. */
    dp = opendir("m");
    CHECK(dp != NULL);
    while (dp && (de = readdir(dp))) {
        size_t n = strlen(de->d_name);
        if (n < 4 || strcmp(de->d_name + n - 4, ".wav") != 0)
            continue;
        nwav++;
        CHECK_INT(0, t_run(out, sizeof out,
                           "soxi 'm/%s' | grep -q 'Sample Rate    : 44100' "
                           "&& sox 'm/%s' -t raw a.raw && sox 'rip/%s' -t "
                           "raw b.raw && cmp a.raw b.raw 2>&1",
                           de->d_name, de->d_name, de->d_name));
    }
    if (dp)
        closedir(dp);
    CHECK_INT(2, nwav);
    /* disc.json is info --json; disc.cue rebuilds the disc. */
    CHECK_INT(0, t_run(out, sizeof out,
                       "'%s' info --json '%s' > j.json && cmp j.json "
                       "m/disc.json",
                       t_discarc, img));
    t_ctx(&ctx);
    CHECK_OK(&ctx, disc_open_image(&ctx, img, NULL, &orig));
    if (orig && disc_open_image(&ctx, "m/disc.cue", NULL, &back) == 0) {
        CHECK_INT(0, disc_compare(&ctx, orig, back,
                                  DISC_EQ_DATA | DISC_EQ_NO_SUB |
                                      DISC_EQ_NO_RAWTOC | DISC_EQ_NO_CDTEXT |
                                      DISC_EQ_NO_META));
        if (ctx.msg[0])
            printf("  disc.cue: %s\n", ctx.msg);
    } else {
        t_fail(__FILE__, __LINE__, "m/disc.cue: %s", ctx.msg);
    }
    disc_free(back);
    disc_free(orig);
    /* Read-only. */
    CHECK(t_run(out, sizeof out, "(echo x > m/01.iso) 2>&1") != 0);
    CHECK(t_run(out, sizeof out, "touch m/new 2>&1") != 0);
    /* isoinfo reads the file system of the mounted ISO. */
    if (t_have("isoinfo")) {
        CHECK_INT(0, t_run(out, sizeof out, "isoinfo -R -l -i m/01.iso"));
        CHECK(strstr(out, "README.TXT") != NULL);
    }
    /* The ISO mounts with the kernel's own ISO 9660 driver (root, loop
     * devices and a kernel that has the driver). */
    if (geteuid() == 0 && access("/dev/loop-control", F_OK) == 0 &&
        t_run(out, sizeof out, "grep -qw iso9660 /proc/filesystems") == 0) {
        CHECK(mkdir("loop", 0755) == 0);
        CHECK_INT(0, t_run(out, sizeof out,
                           "mount -o loop,ro m/01.iso loop 2>&1 && ls -R "
                           "loop; r=$?; umount loop; exit $r"));
        CHECK(strstr(out, "README.TXT") && strstr(out, "TRACKS.TXT"));
    } else {
        printf("  (mount -o loop not run: it needs root, loop devices and "
               "the kernel's iso9660 driver, which this kernel lacks)\n");
    }
    /* Unmounting ends the process. */
    CHECK_INT(0, t_run(out, sizeof out, "fusermount3 -u m 2>&1"));
    CHECK(wait_mounted("m", 0));
    CHECK(wait_gone(cwd));
}

TEST(tool_mount_daemon_and_errors)
{
    char out[8192], img[4096], cwd[4096];

    if (access("/dev/fuse", R_OK | W_OK) != 0)
        SKIP("/dev/fuse is not usable here (%s)", strerror(errno));
    NEED_DEB("fusermount3");
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    (void)snprintf(img, sizeof img, "%s/mixed.cue", t_samples);
    REQUIRE(mkdir("d", 0755) == 0);
    /* Without --foreground the command returns once mounted. */
    CHECK_INT(0, t_run(out, sizeof out, "'%s' mount '%s' '%s/d' 2>&1",
                       t_discarc, img, cwd));
    CHECK(wait_mounted("d", 1));
    CHECK(t_file_size("d/disc.json") > 100);
    CHECK(find_mount_process(cwd) != 0);
    CHECK_INT(0, t_run(out, sizeof out, "fusermount3 -u d 2>&1"));
    CHECK(wait_mounted("d", 0));
    CHECK(wait_gone(cwd));
    /* Errors: not a directory, a damaged image; nothing stays behind. */
    CHECK_INT(2, t_run(out, sizeof out, "'%s' mount '%s' nodir 2>&1", t_discarc,
                       img));
    CHECK(t_write_file("bad.cue", "FILE \"x.bin\" BINARY\n", 20) == 0);
    CHECK_INT(3,
              t_run(out, sizeof out, "'%s' mount bad.cue d 2>&1", t_discarc));
    CHECK(strstr(out, "bad.cue") != NULL);
    CHECK(find_mount_process(cwd) == 0);
}

/* The track files written out and disc.cue read back by discarc's CUE
 * reader give the same disc: sectors, indexes, flags, ISRC, MCN and
 * sessions (CD-TEXT and metadata are not in the sheet). */
static void
check_cue_rebuild(struct disc *d, const char *what)
{
    struct disc_ctx ctx;
    struct disc_trackfs *tf = NULL;
    struct disc *back = NULL;
    int i;

    t_ctx(&ctx);
    REQUIRE_OK(&ctx, disc_trackfs_new(&ctx, d, &tf));
    for (i = 0; i < tf->nfiles; i++) {
        uint8_t *b = tf_slurp(&ctx, tf, i, 1 << 20);
        REQUIRE(b);
        REQUIRE(t_write_file(tf->file[i].name, b, (size_t)tf->file[i].size) ==
                0);
        free(b);
    }
    disc_trackfs_free(tf);
    if (disc_open_image(&ctx, "disc.cue", NULL, &back) != 0) {
        t_fail(__FILE__, __LINE__, "%s: disc.cue: %s", what, ctx.msg);
        return;
    }
    if (disc_compare(&ctx, d, back,
                     DISC_EQ_DATA | DISC_EQ_NO_SUB | DISC_EQ_NO_RAWTOC |
                         DISC_EQ_NO_CDTEXT | DISC_EQ_NO_META |
                         DISC_EQ_MODE2_FAMILY) != 0)
        t_fail(__FILE__, __LINE__, "%s: %s", what, ctx.msg);
    disc_free(back);
}

TEST(trackfs_cue_rebuilds_the_disc)
{
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    check_cue_rebuild(d, "mixed");
    disc_free(d);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    check_cue_rebuild(d, "enhanced");
    disc_free(d);
}
