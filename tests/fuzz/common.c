/* common.c - scratch files, the `info`-like walk and the corpus replay
 * shared by every fuzz target (see fuzz.h).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discid.h"
#include "fuzz.h"

static char scratch[4096];

static void
scratch_remove(void)
{
    DIR *dir;
    struct dirent *e;
    char p[8192];

    if (!scratch[0] || !(dir = opendir(scratch)))
        return;
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        (void)snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
        (void)unlink(p);
    }
    (void)closedir(dir);
    (void)rmdir(scratch);
}

void
fuzz_cleanup(void)
{
    scratch_remove();
    scratch[0] = '\0';
}

/* The scratch directory: $FUZZ_TMPDIR, $TMPDIR or /tmp, then
 * discarc-fuzz-XXXXXX.  An absolute path, so that no reader depends on
 * the working directory. */
static const char *
scratch_dir(void)
{
    const char *base;

    if (scratch[0])
        return scratch;
    base = getenv("FUZZ_TMPDIR");
    if (!base || !*base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    (void)snprintf(scratch, sizeof scratch, "%s/discarc-fuzz-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    if (scratch[0] != '/') {
        char cwd[2000], rel[2000];
        if (!getcwd(cwd, sizeof cwd))
            abort();
        (void)snprintf(rel, sizeof rel, "%.1999s", scratch);
        (void)snprintf(scratch, sizeof scratch, "%s/%s", cwd, rel);
    }
    (void)atexit(scratch_remove);
    return scratch;
}

const char *
fuzz_path(const char *name)
{
    static char buf[4][4200];
    static int k;
    char *p = buf[k++ & 3];

    (void)snprintf(p, sizeof buf[0], "%s/%s", scratch_dir(), name);
    return p;
}

int
fuzz_write(const char *name, const void *p, size_t len)
{
    const char *path = fuzz_path(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t off = 0;

    if (fd < 0)
        return -1;
    while (off < len) {
        ssize_t w = write(fd, (const uint8_t *)p + off, len - off);
        if (w <= 0) {
            (void)close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return close(fd) == 0 ? 0 : -1;
}

/* Default companion contents. */
static int
write_default(const struct fuzz_file *f)
{
    static uint8_t buf[44 + FUZZ_NSECT * 2448];
    size_t n = 0, i;

    switch (f->dflt) {
    case FUZZ_NONE:
        return 0;
    case FUZZ_EMPTY:
        break;
    case FUZZ_SECTORS:
        n = (size_t)FUZZ_NSECT * (f->stride ? f->stride : 2352);
        if (n > sizeof buf)
            n = sizeof buf;
        for (i = 0; i < n; i++)
            buf[i] = (uint8_t)(i * 131 + (i >> 8));
        /* A Mode 1 sync and header in the first sector, so data tracks
         * classify as data. */
        if (n >= DISC_SECTOR_RAW)
            disc_sector_header(buf, 0, 1);
        break;
    case FUZZ_WAVE: {
        uint32_t data = FUZZ_NSECT * DISC_SECTOR_RAW;
        memcpy(buf, "RIFF", 4);
        disc_wr_le32(buf + 4, 36 + data);
        memcpy(buf + 8, "WAVEfmt ", 8);
        disc_wr_le32(buf + 16, 16);
        disc_wr_le16(buf + 20, 1);
        disc_wr_le16(buf + 22, 2);
        disc_wr_le32(buf + 24, 44100);
        disc_wr_le32(buf + 28, 44100 * 4);
        disc_wr_le16(buf + 32, 4);
        disc_wr_le16(buf + 34, 16);
        memcpy(buf + 36, "data", 4);
        disc_wr_le32(buf + 40, data);
        for (i = 44; i < 44 + data; i++)
            buf[i] = (uint8_t)(i * 7);
        n = 44 + data;
        break;
    }
    }
    return fuzz_write(f->name, buf, n);
}

int
fuzz_write_set(const uint8_t *data, size_t size, const struct fuzz_file *files,
               size_t nfiles)
{
    static const char sep[] = FUZZ_SPLIT;
    const size_t seplen = sizeof sep - 1;
    size_t i, pos = 0;
    int more = 1;

    for (i = 0; i < nfiles; i++)
        (void)unlink(fuzz_path(files[i].name));
    for (i = 0; i < nfiles; i++) {
        size_t end = size;
        int r;

        if (!more) {
            if (write_default(&files[i]) != 0)
                return -1;
            continue;
        }
        /* The next separator, if any. */
        more = 0;
        if (size - pos >= seplen) {
            size_t k;
            for (k = pos; k + seplen <= size; k++)
                if (data[k] == sep[0] && memcmp(data + k, sep, seplen) == 0) {
                    end = k;
                    more = 1;
                    break;
                }
        }
        r = fuzz_write(files[i].name, data + pos, end - pos);
        if (r != 0)
            return -1;
        pos = more ? end + seplen : size;
    }
    return 0;
}

/* Reads count sectors from lba with both channels. */
static void
read_at(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
        uint32_t count)
{
    static uint8_t main[4 * DISC_SECTOR_RAW], sub[4 * DISC_SECTOR_SUB];

    if (count > 4)
        count = 4;
    (void)disc_read_sectors(ctx, d, lba, count, main, sub);
    (void)disc_lba_stored(d, lba);
    (void)disc_lba_has_sub(d, lba);
}

void
fuzz_walk(struct disc_ctx *ctx, const struct disc *d)
{
    struct disc_rawtoc *toc = NULL;
    struct disc_ids ids;
    uint16_t ntoc = 0;
    int i, s, n, blk, f;

    (void)disc_features(d);
    if (disc_build_rawtoc(ctx, d, &toc, &ntoc) == 0)
        disc_free_mem(toc);
    (void)disc_ids_compute(ctx, d, &ids);
    for (s = 0; s < d->nsessions; s++) {
        disc_lba start = disc_session_start(d, s);
        read_at(ctx, d, start, 2);
        read_at(ctx, d, d->session[s].leadout, 2);
        read_at(ctx, d, d->session[s].leadout - 1, 1);
    }
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        disc_lba end = disc_track_end(d, i);
        int32_t len = disc_track_length(d, i);

        (void)disc_track_session(d, i);
        (void)disc_track_at(d, t->index[1]);
        for (n = 0; n <= t->last_index && n <= DISC_MAX_INDEX; n++)
            (void)disc_lba_stored(d, t->index[n]);
        read_at(ctx, d, t->index[0], 1);
        read_at(ctx, d, t->index[1], 4);
        if (len > 2) {
            read_at(ctx, d, t->index[0] + len / 2, 2);
            read_at(ctx, d, end - 2, 2);
        }
    }
    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++)
        for (i = 0; i <= d->ntracks; i++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
                (void)disc_cdtext_get(d, blk, i, (enum disc_cdtext_field)f);
    {
        const uint8_t *packs;
        size_t len;
        int owned = 0;
        if (disc_cdtext_packs(ctx, d, &packs, &len, &owned) == 0 && owned)
            disc_free_mem((void *)(uintptr_t)packs);
    }
}

int
fuzz_open_walk(const char *path)
{
    struct disc_ctx ctx = DISC_CTX_INIT;
    struct disc *d = NULL;
    int r = disc_open_image(&ctx, path, NULL, &d);

    if (r == 0 && d)
        fuzz_walk(&ctx, d);
    disc_free(d);
    return r;
}

static long
replay_file(fuzz_fn fn, const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        (void)fclose(f);
        return -1;
    }
    /* Exactly the input's size, so that a sanitizer sees an overread. */
    buf = malloc(n ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        (void)fclose(f);
        return -1;
    }
    (void)fclose(f);
    (void)fn(buf, (size_t)n);
    free(buf);
    return 1;
}

static int
skip_name(const struct dirent *e)
{
    return e->d_name[0] != '.' && strcmp(e->d_name, "README") != 0 &&
           strcmp(e->d_name, "dict") != 0;
}

long
fuzz_replay(fuzz_fn fn, const char *path)
{
    struct dirent **list;
    struct stat st;
    long total = 0;
    int n, i;

    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return replay_file(fn, path);
    n = scandir(path, &list, skip_name, alphasort);
    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        char sub[4096];
        long k;
        (void)snprintf(sub, sizeof sub, "%s/%s", path, list[i]->d_name);
        k = fuzz_replay(fn, sub);
        if (k > 0)
            total += k;
        free(list[i]);
    }
    free(list);
    return total;
}
