/* cmd_mount.c - `discarc mount IMAGE DIR`: the disc as a read-only
 * folder of track files through FUSE (the only libfuse3 user).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: libfuse 3 high-level API (fuse.h), docs/mount.md.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "trackfs.h"

struct mount_state {
    struct disc_trackfs *tf;
    time_t when; /* the image's modification time, for every file */
};

static struct mount_state *
mount_state(void)
{
    return fuse_get_context()->private_data;
}

/* "/name" -> file index, or -1. */
static int
mount_file(const char *path)
{
    if (path[0] != '/' || strchr(path + 1, '/'))
        return -1;
    return disc_trackfs_find(mount_state()->tf, path + 1);
}

static int
mount_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    struct mount_state *ms = mount_state();
    int i;

    (void)fi;
    memset(st, 0, sizeof *st);
    st->st_mtime = st->st_atime = st->st_ctime = ms->when;
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0555;
        st->st_nlink = 2;
        return 0;
    }
    i = mount_file(path);
    if (i < 0)
        return -ENOENT;
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_size = (off_t)ms->tf->file[i].size;
    st->st_blocks = (blkcnt_t)((ms->tf->file[i].size + 511) / 512);
    return 0;
}

static int
mount_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
              struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    struct mount_state *ms = mount_state();
    int i;

    (void)off;
    (void)fi;
    (void)flags;
    if (strcmp(path, "/") != 0)
        return -ENOENT;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    for (i = 0; i < ms->tf->nfiles; i++)
        fill(buf, ms->tf->file[i].name, NULL, 0, 0);
    return 0;
}

static int
mount_open(const char *path, struct fuse_file_info *fi)
{
    int i = mount_file(path);
    if (i < 0)
        return -ENOENT;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EROFS;
    fi->fh = (uint64_t)i;
    /* Contents never change: let the kernel cache them. */
    fi->keep_cache = 1;
    return 0;
}

static int
mount_read(const char *path, char *buf, size_t size, off_t off,
           struct fuse_file_info *fi)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    int64_t n;

    (void)path;
    n = disc_trackfs_read(&ctx, mount_state()->tf, (int)fi->fh, (int64_t)off,
                          buf, size);
    if (n < 0) {
        /* A damaged or missing image file: the reader gets EIO, the
         * log (foreground) the reason. */
        (void)fprintf(stderr, "discarc: %s\n", ctx.msg);
        return -EIO;
    }
    return (int)n;
}

static void
mount_help(void)
{
    printf("Usage: discarc mount [OPTIONS] IMAGE DIR\n\n"
           "Shows the disc as a read-only folder, served on demand from "
           "IMAGE (FUSE):\n"
           "  NN - Title.wav   audio tracks (NN.wav without CD-TEXT "
           "titles), the ranges\n"
           "                   `discarc rip` writes (a pregap ends the "
           "previous file)\n"
           "  NN.iso           data tracks with Mode 1 / Form 1 sectors: "
           "2048-byte user\n"
           "                   data, ready for `mount -o loop`\n"
           "  NN.bin           data tracks: raw 2352-byte sectors\n"
           "  disc.cue         a CUE sheet of the files above\n"
           "  disc.json        what `discarc info --json` prints\n\n"
           "Unmount with `fusermount3 -u DIR`.\n\n"
           "      --foreground   stay in the foreground (log to stderr)\n"
           "      --from FMT     read IMAGE as FMT instead of probing it\n");
}

int
cmd_mount(int argc, char **argv)
{
    enum { O_FOREGROUND = 256, O_FROM };
    static const struct option opts[] = {
        { "foreground", no_argument, NULL, O_FOREGROUND },
        { "from", required_argument, NULL, O_FROM },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const struct fuse_operations ops = {
        .getattr = mount_getattr,
        .readdir = mount_readdir,
        .open = mount_open,
        .read = mount_read,
    };
    struct mount_state ms;
    struct disc_ctx ctx;
    struct disc *d = NULL;
    struct stat st;
    const char *from = NULL;
    char *json = NULL;
    size_t jlen = 0;
    FILE *js;
    int c, r, fg = 0, fargc = 0;
    char *fargv[8];
    char arg0[] = "discarc", argo[] = "-o", args[] = "-s", argf[] = "-f";
    char argopt[] = "ro,default_permissions,fsname=discarc,subtype=discarc";

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_FOREGROUND:
            fg = 1;
            break;
        case O_FROM:
            from = optarg;
            break;
        case 'h':
            mount_help();
            return EXIT_OK;
        default:
            return cli_usage_error("mount", "bad option");
        }
    }
    if (optind + 2 != argc)
        return cli_usage_error("mount", "expected IMAGE and DIR");
    if (stat(argv[optind + 1], &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_usage_error("mount", "\"%s\" is not a directory",
                               argv[optind + 1]);
    cli_ctx(&ctx);
    ctx.progress = NULL;
    memset(&ms, 0, sizeof ms);
    r = cli_open(&ctx, argv[optind], from, &d);
    if (r == 0)
        r = disc_trackfs_new(&ctx, d, &ms.tf);
    if (r < 0) {
        disc_free(d);
        return cli_fail(&ctx, r);
    }
    js = open_memstream(&json, &jlen);
    if (!js) {
        disc_trackfs_free(ms.tf);
        disc_free(d);
        ctx.msg[0] = '\0'; /* cli_fail names the code */
        return cli_fail(&ctx, DISC_E_NOMEM);
    }
    cli_info_json(js, d, argv[optind], disc_format_name(d->format));
    if (fclose(js) != 0 || !json) {
        free(json);
        disc_trackfs_free(ms.tf);
        disc_free(d);
        ctx.msg[0] = '\0'; /* cli_fail names the code */
        return cli_fail(&ctx, DISC_E_NOMEM);
    }
    r = disc_trackfs_add_text(&ctx, ms.tf, "disc.json", json, jlen);
    free(json);
    if (r < 0) {
        disc_trackfs_free(ms.tf);
        disc_free(d);
        return cli_fail(&ctx, r);
    }
    ms.when = stat(argv[optind], &st) == 0 ? st.st_mtime : time(NULL);
    fargv[fargc++] = arg0;
    fargv[fargc++] = argv[optind + 1];
    fargv[fargc++] = argo;
    fargv[fargc++] = argopt;
    /* One thread: reads share the trackfs buffer. */
    fargv[fargc++] = args;
    if (fg)
        fargv[fargc++] = argf;
    fargv[fargc] = NULL;
    r = fuse_main(fargc, fargv, &ops, &ms);
    disc_trackfs_free(ms.tf);
    disc_free(d);
    return r == 0 ? EXIT_OK : EXIT_RUNTIME;
}
