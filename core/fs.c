/* fs.c - ISO 9660 file systems (Joliet, Rock Ridge) of data tracks,
 * parsed by libarchive and fed through disc_read_sectors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: ECMA-119 (volume descriptors, directory records), ECMA-167
 * and OSTA UDF (volume recognition sequence), ECMA-130 (sector layout),
 * docs/filesystems.md.
 *
 * The only user of libarchive and libudfread.  libarchive's reader asks
 * for a byte stream; this file serves one whose byte 2048*s is the user
 * data of disc sector map(s), decoded from the raw sector, so nothing is
 * copied to a temporary file and every image format (and drives) works
 * alike.  libudfread (UDF) asks for 2048-byte blocks the same way.
 */
#include <archive.h>
#include <archive_entry.h>
#include <udfread/blockinput.h>
#include <udfread/udfread.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disc_format.h"
#include "fs.h"

/* libarchive is opened by the first call that needs it (disc_lib_load):
 * it brings XML, ICU and compression libraries that other commands never
 * use. */
/* clang-format off: it re-indents each line of an X-macro list
 * anew on every run (clang-format 14 is not stable on it) */
#define LIBARCHIVE_FUNCS(X)                                                    \
    X(archive_entry_filetype)                                                  \
    X(archive_entry_hardlink)                                                  \
    X(archive_entry_hardlink_utf8)                                             \
    X(archive_entry_mtime)                                                     \
    X(archive_entry_mtime_is_set)                                              \
    X(archive_entry_pathname)                                                  \
    X(archive_entry_pathname_utf8)                                             \
    X(archive_entry_perm)                                                      \
    X(archive_entry_size)                                                      \
    X(archive_entry_symlink)                                                   \
    X(archive_entry_symlink_utf8)                                              \
    X(archive_error_string)                                                    \
    X(archive_format)                                                          \
    X(archive_read_data)                                                       \
    X(archive_read_free)                                                       \
    X(archive_read_new)                                                        \
    X(archive_read_next_header)                                                \
    X(archive_read_open1)                                                      \
    X(archive_read_set_callback_data)                                          \
    X(archive_read_set_read_callback)                                          \
    X(archive_read_set_seek_callback)                                          \
    X(archive_read_set_skip_callback)                                          \
    X(archive_read_support_format_iso9660)                                     \
    X(archive_set_error)
/* clang-format on */
DISC_LIB_DEFINE(libarchive, LIBARCHIVE_FUNCS, "libarchive.so.13",
                "libarchive13");

#define FS_SECTOR 2048
#define FS_MAX_VD 64    /* volume descriptors looked at before giving up */
#define FS_UDF_DEPTH 64 /* directory nesting followed in UDF volumes */

struct disc_fs;

/* libudfread's block input, pointing back at the file system. */
struct fs_udf_input {
    struct udfread_block_input in; /* first: libudfread's view */
    struct disc_fs *fs;
};

struct disc_fs {
    struct disc_ctx *ctx; /* the caller's context during a call */
    const struct disc *d;
    struct disc_fs_info info;
    disc_lba base; /* stream sector 0 is disc LBA base */
    int nvd;       /* absolute: stream sectors 16..16+nvd-1 are the
                      track's own volume descriptors */
    int64_t size;  /* stream bytes */
    int64_t pos;   /* stream position of the next read */
    uint8_t *raw;  /* DISC_CHUNK raw sectors */
    uint8_t *user; /* DISC_CHUNK user-data sectors */
    struct archive *a;
    struct archive_entry *ae;
    locale_t loc; /* UTF-8 character type for libarchive's names */
    int err;      /* a read failure seen in a callback */
    struct disc_fs_entry cur;
    /* UDF (info.udf_read): the walk's open directories and file. */
    udfread *udf;
    struct fs_udf_input uin;
    UDFDIR *dir[FS_UDF_DEPTH];
    char *dpath[FS_UDF_DEPTH];
    int depth;     /* open directories - 1 */
    UDFFILE *file; /* the current entry's data */
};

/* Extracts the 2048 user bytes of a raw sector: Mode 1 from byte 16,
 * Mode 2 (Form 1; a Form 2 sector gives its first 2048 bytes, as a
 * 2048-byte image of the track would hold) from byte 24.  Sectors
 * without a sync pattern (audio, gaps) read as zeros. */
static void
fs_user(const uint8_t *raw, uint8_t *user)
{
    int sync = memcmp(raw, disc_sync, sizeof disc_sync) == 0;
    size_t off = !sync ? 0 : raw[15] == 2 ? 24 : raw[15] == 1 ? 16 : 0;

    if (off)
        memcpy(user, raw + off, FS_SECTOR);
    else
        memset(user, 0, FS_SECTOR);
}

/* One user-data sector of disc LBA lba (for the descriptor probes). */
static int
fs_read_lba(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
            uint8_t *raw, uint8_t *user)
{
    int r;
    if (disc_track_at(d, lba) < 0)
        return disc_error(ctx, DISC_E_RANGE, "LBA %d is not part of any track",
                          lba);
    r = disc_read_sectors(ctx, d, lba, 1, raw, NULL);
    if (r == 0)
        fs_user(raw, user);
    return r;
}

static disc_lba
fs_map(const struct disc_fs *fs, int64_t s)
{
    if (!fs->info.absolute)
        return fs->base + (disc_lba)s;
    if (s >= 16 && s < 16 + fs->nvd)
        return fs->info.start + (disc_lba)s;
    return (disc_lba)s;
}

static int
fs_is_vd(const uint8_t *u, const char *id)
{
    return memcmp(u + 1, id, 5) == 0;
}

/* Video CD file systems record a volume size that ends with track 1,
 * while their MPEG files lie in the later tracks; libarchive refuses
 * files beyond the recorded size.  The stream therefore reports, in the
 * primary and supplementary descriptors it serves, a volume that reaches
 * the end of the disc when the recorded one is shorter.  Nothing else is
 * changed and the image is never written. */
static void
fs_fix_vd(const struct disc_fs *fs, int64_t s, uint8_t *u)
{
    uint32_t blocks = (uint32_t)(fs->size / FS_SECTOR);
    if (s < 16 || s >= 16 + fs->nvd || !fs_is_vd(u, "CD001") ||
        (u[0] != 1 && u[0] != 2) || disc_rd_le32(u + 80) >= blocks)
        return;
    disc_wr_le32(u + 80, blocks);
    disc_wr_be32(u + 84, blocks);
}

static la_ssize_t
fs_cb_read(struct archive *a, void *data, const void **buf)
{
    struct disc_fs *fs = data;
    int64_t s = fs->pos / FS_SECTOR, left;
    uint32_t n = 0, want;

    (void)a;
    if (fs->pos >= fs->size)
        return 0;
    left = (fs->size - s * FS_SECTOR + FS_SECTOR - 1) / FS_SECTOR;
    want = left < DISC_CHUNK ? (uint32_t)left : DISC_CHUNK;
    while (n < want) {
        disc_lba l = fs_map(fs, s + n);
        uint32_t run = 1, k;
        /* A run of consecutive disc sectors inside one track: sectors
         * in no track (gaps between sessions) read as zeros. */
        if (disc_track_at(fs->d, l) < 0) {
            memset(fs->user + (size_t)n * FS_SECTOR, 0, FS_SECTOR);
            n++;
            continue;
        }
        while (n + run < want && fs_map(fs, s + n + run) == l + (disc_lba)run &&
               disc_track_at(fs->d, l + (disc_lba)run) >= 0)
            run++;
        if (disc_read_sectors(fs->ctx, fs->d, l, run, fs->raw, NULL) < 0) {
            fs->err = fs->ctx->err;
            libarchive.archive_set_error(a, EIO, "%s", fs->ctx->msg);
            return -1;
        }
        for (k = 0; k < run; k++) {
            uint8_t *u = fs->user + (size_t)(n + k) * FS_SECTOR;
            fs_user(fs->raw + (size_t)k * DISC_SECTOR_RAW, u);
            fs_fix_vd(fs, s + n + k, u);
        }
        n += run;
    }
    {
        size_t off = (size_t)(fs->pos - s * FS_SECTOR);
        int64_t len = (int64_t)n * FS_SECTOR - (int64_t)off;
        if (len > fs->size - fs->pos)
            len = fs->size - fs->pos;
        *buf = fs->user + off;
        fs->pos += len;
        return (la_ssize_t)len;
    }
}

static la_int64_t
fs_cb_skip(struct archive *a, void *data, la_int64_t request)
{
    struct disc_fs *fs = data;
    (void)a;
    if (request < 0)
        return 0;
    if (request > fs->size - fs->pos)
        request = fs->size - fs->pos;
    fs->pos += request;
    return request;
}

static la_int64_t
fs_cb_seek(struct archive *a, void *data, la_int64_t offset, int whence)
{
    struct disc_fs *fs = data;
    int64_t p;
    (void)a;
    switch (whence) {
    case SEEK_SET:
        p = offset;
        break;
    case SEEK_CUR:
        p = fs->pos + offset;
        break;
    case SEEK_END:
        p = fs->size + offset;
        break;
    default:
        return ARCHIVE_FATAL;
    }
    if (p < 0 || p > fs->size)
        return ARCHIVE_FATAL;
    fs->pos = p;
    return p;
}

/* Whether track i starts a volume: a volume descriptor (ISO 9660
 * "CD001", or the UDF recognition sequence "BEA01") at its sector 16. */
static int
fs_track_has_volume(struct disc_ctx *ctx, const struct disc *d, int i,
                    uint8_t *raw, uint8_t *user)
{
    struct disc_ctx quiet = DISC_CTX_INIT;
    (void)ctx;
    if (!disc_track_is_data(&d->track[i]) ||
        disc_track_end(d, i) - d->track[i].index[1] <= 16)
        return 0;
    if (fs_read_lba(&quiet, d, d->track[i].index[1] + 16, raw, user) < 0)
        return 0;
    return fs_is_vd(user, "CD001") || fs_is_vd(user, "BEA01");
}

/* Reads the volume descriptors of the track: primary volume, Joliet,
 * UDF, and decides how the file system addresses sectors. */
static int
fs_probe(struct disc_ctx *ctx, struct disc_fs *fs, unsigned flags)
{
    const struct disc *d = fs->d;
    disc_lba start = fs->info.start, lba;
    int have_pvd = 0, k, r;
    uint32_t root = 0;

    for (k = 0; k < FS_MAX_VD; k++) {
        lba = start + 16 + k;
        if (disc_track_at(d, lba) < 0)
            break;
        r = fs_read_lba(ctx, d, lba, fs->raw, fs->user);
        if (r < 0)
            return r;
        if (fs_is_vd(fs->user, "CD001")) {
            uint8_t type = fs->user[0];
            if (type == 1 && !have_pvd) {
                int n = 32;
                have_pvd = 1;
                memcpy(fs->info.volume, fs->user + 40, 32);
                while (n > 0 && (fs->info.volume[n - 1] == ' ' ||
                                 fs->info.volume[n - 1] == '\0'))
                    n--;
                fs->info.volume[n] = '\0';
                fs->info.volume_bytes =
                    (int64_t)disc_rd_le32(fs->user + 80) * FS_SECTOR;
                root = disc_rd_le32(fs->user + 156 + 2);
            } else if (type == 2 && fs->user[88] == '%' &&
                       fs->user[89] == '/' &&
                       (fs->user[90] == '@' || fs->user[90] == 'C' ||
                        fs->user[90] == 'E')) {
                fs->info.joliet = 1;
            }
            if (type == 255)
                fs->nvd = k + 1;
        } else if (fs_is_vd(fs->user, "BEA01") || fs_is_vd(fs->user, "NSR02") ||
                   fs_is_vd(fs->user, "NSR03")) {
            if (fs->user[1] == 'N')
                fs->info.udf = 1;
        } else if (!fs_is_vd(fs->user, "TEA01") &&
                   !fs_is_vd(fs->user, "BOOT2") &&
                   !fs_is_vd(fs->user, "CDW02")) {
            break;
        }
        /* The UDF recognition sequence may follow the ISO 9660 set
         * terminator: read on. */
    }
    if (fs->info.udf && (!have_pvd || (flags & DISC_FS_UDF))) {
        /* UDF blocks count from the track's start. */
        fs->info.udf_read = 1;
        fs->base = start;
        fs->size =
            (int64_t)(disc_track_end(d, disc_track_find(d, fs->info.track)) -
                      start) *
            FS_SECTOR;
        return 0;
    }
    if (flags & DISC_FS_UDF)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "track %d holds no UDF file system", fs->info.track);
    if (!have_pvd) {
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "track %d holds no ISO 9660 file system "
                          "(no primary volume descriptor at LBA %d)",
                          fs->info.track, start + 16);
    }
    if (!fs->nvd)
        fs->nvd = k;
    /* A later session's (or a Video CD's) file system records disc LBAs;
     * an image made for a track alone records LBAs from its start. */
    fs->info.absolute = start > 0 && root >= (uint32_t)start;
    fs->base = fs->info.absolute ? 0 : start;
    {
        disc_lba last = d->session[d->nsessions - 1].leadout;
        fs->size = (int64_t)(last - fs->base) * FS_SECTOR;
    }
    return 0;
}

static int
fs_arch_error(struct disc_ctx *ctx, struct disc_fs *fs, const char *what)
{
    if (fs->err)
        return fs->err;
    return disc_error(ctx, DISC_E_FORMAT, "track %d: %s: %s", fs->info.track,
                      what,
                      libarchive.archive_error_string(fs->a)
                          ? libarchive.archive_error_string(fs->a)
                          : "libarchive failed");
}

void
disc_fs_close(struct disc_fs *fs)
{
    int k;

    if (!fs)
        return;
    if (fs->file)
        udfread_file_close(fs->file);
    for (k = FS_UDF_DEPTH - 1; k >= 0; k--) {
        if (fs->dir[k])
            udfread_closedir(fs->dir[k]);
        disc_free_mem(fs->dpath[k]);
    }
    if (fs->udf)
        udfread_close(fs->udf);
    if (fs->a)
        libarchive.archive_read_free(fs->a);
    if (fs->loc != (locale_t)0)
        freelocale(fs->loc);
    disc_free_mem(fs->cur.path);
    disc_free_mem(fs->cur.link);
    disc_free_mem(fs->raw);
    disc_free_mem(fs->user);
    disc_free_mem(fs);
}

/* libudfread block input: n blocks from block lba of the track. */
static int
fs_udf_read(struct udfread_block_input *in, uint32_t lba, void *buf,
            uint32_t nblocks, int flags)
{
    struct disc_fs *fs = ((struct fs_udf_input *)(void *)in)->fs;
    uint8_t *out = buf;
    uint32_t done = 0;

    (void)flags;
    while (done < nblocks) {
        uint32_t n = nblocks - done, k;
        disc_lba l = fs->base + (disc_lba)(lba + done);
        if ((int64_t)(lba + done) * FS_SECTOR >= fs->size)
            break;
        if (n > DISC_CHUNK)
            n = DISC_CHUNK;
        if ((int64_t)(lba + done + n) * FS_SECTOR > fs->size)
            n = (uint32_t)(fs->size / FS_SECTOR) - (lba + done);
        if (disc_read_sectors(fs->ctx, fs->d, l, n, fs->raw, NULL) < 0) {
            fs->err = fs->ctx->err;
            break;
        }
        for (k = 0; k < n; k++)
            fs_user(fs->raw + (size_t)k * DISC_SECTOR_RAW,
                    out + (size_t)(done + k) * FS_SECTOR);
        done += n;
    }
    return (int)done;
}

static uint32_t
fs_udf_size(struct udfread_block_input *in)
{
    struct disc_fs *fs = ((struct fs_udf_input *)(void *)in)->fs;
    return (uint32_t)(fs->size / FS_SECTOR);
}

static int
fs_udf_open(struct disc_ctx *ctx, struct disc_fs *fs)
{
    fs->uin.in.read = fs_udf_read;
    fs->uin.in.size = fs_udf_size;
    fs->uin.in.close = NULL;
    fs->uin.fs = fs;
    fs->ctx = ctx;
    fs->udf = udfread_init();
    if (!fs->udf)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    if (udfread_open_input(fs->udf, &fs->uin.in) < 0)
        return fs->err ? fs->err
                       : disc_error(ctx, DISC_E_FORMAT,
                                    "track %d: the UDF volume cannot be read",
                                    fs->info.track);
    (void)snprintf(
        fs->info.volume, sizeof fs->info.volume, "%s",
        udfread_get_volume_id(fs->udf) ? udfread_get_volume_id(fs->udf) : "");
    fs->dir[0] = udfread_opendir(fs->udf, "/");
    fs->dpath[0] = disc_strdup("");
    if (!fs->dir[0] || !fs->dpath[0])
        return fs->err ? fs->err
                       : disc_error(ctx, DISC_E_FORMAT,
                                    "track %d: the UDF root directory cannot "
                                    "be read",
                                    fs->info.track);
    fs->depth = 0;
    return 0;
}

int
disc_fs_open(struct disc_ctx *ctx, const struct disc *d, int track,
             unsigned flags, struct disc_fs **out)
{
    struct disc_fs *fs;
    int i, r;
    locale_t old;

    *out = NULL;
    fs = disc_calloc(1, sizeof *fs);
    if (!fs)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    fs->d = d;
    fs->depth = -1;
    fs->raw = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    fs->user = disc_malloc((size_t)DISC_CHUNK * FS_SECTOR);
    if (!fs->raw || !fs->user) {
        disc_fs_close(fs);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    if (track == 0) {
        for (i = d->ntracks - 1; i >= 0; i--)
            if (fs_track_has_volume(ctx, d, i, fs->raw, fs->user))
                break;
        if (i < 0) {
            disc_fs_close(fs);
            return disc_error(ctx, DISC_E_UNSUPPORTED,
                              "no data track holds a file system");
        }
    } else {
        i = disc_track_find(d, track);
        if (i < 0) {
            disc_fs_close(fs);
            return disc_error(ctx, DISC_E_ARG, "track %d is not on the disc",
                              track);
        }
        if (!disc_track_is_data(&d->track[i])) {
            disc_fs_close(fs);
            return disc_error(ctx, DISC_E_ARG,
                              "track %d is an audio track: it has no "
                              "file system",
                              track);
        }
    }
    fs->info.track = d->track[i].number;
    fs->info.start = d->track[i].index[1];
    r = fs_probe(ctx, fs, flags);
    if (r == 0 && fs->info.udf_read) {
        r = fs_udf_open(ctx, fs);
        if (r == 0)
            *out = fs;
        else
            disc_fs_close(fs);
        return r;
    }
    if (r < 0) {
        disc_fs_close(fs);
        return r;
    }
    /* Joliet names are UTF-16 that libarchive converts to the character
     * set of the current locale: give its calls a UTF-8 one, per thread,
     * without touching the process's locale. */
    if ((r = disc_lib_load(ctx, &libarchive_lib)) < 0) {
        disc_fs_close(fs);
        return r;
    }
    fs->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    fs->a = libarchive.archive_read_new();
    fs->ae = NULL;
    if (!fs->a) {
        disc_fs_close(fs);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    old = fs->loc != (locale_t)0 ? uselocale(fs->loc) : (locale_t)0;
    fs->ctx = ctx;
    if (libarchive.archive_read_support_format_iso9660(fs->a) != ARCHIVE_OK ||
        libarchive.archive_read_set_read_callback(fs->a, fs_cb_read) !=
            ARCHIVE_OK ||
        libarchive.archive_read_set_skip_callback(fs->a, fs_cb_skip) !=
            ARCHIVE_OK ||
        libarchive.archive_read_set_seek_callback(fs->a, fs_cb_seek) !=
            ARCHIVE_OK ||
        libarchive.archive_read_set_callback_data(fs->a, fs) != ARCHIVE_OK ||
        libarchive.archive_read_open1(fs->a) != ARCHIVE_OK) {
        r = fs_arch_error(ctx, fs, "cannot read the ISO 9660 volume");
        if (old != (locale_t)0)
            uselocale(old);
        disc_fs_close(fs);
        return r;
    }
    if (old != (locale_t)0)
        uselocale(old);
    *out = fs;
    return 0;
}

const struct disc_fs_info *
disc_fs_info(const struct disc_fs *fs)
{
    return &fs->info;
}

/* Copies s (NULL: "") into *dst (disc_malloc'd), dropping leading "./" and '/'
 * and trailing '/'. */
static int
fs_set_path(char **dst, const char *s)
{
    size_t n;
    disc_free_mem(*dst);
    *dst = NULL;
    if (!s)
        s = "";
    while (s[0] == '/' || (s[0] == '.' && s[1] == '/'))
        s += s[0] == '/' ? 1 : 2;
    n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        n--;
    if (n == 1 && s[0] == '.')
        n = 0; /* the root */
    *dst = disc_malloc(n + 1);
    if (!*dst)
        return DISC_E_NOMEM;
    memcpy(*dst, s, n);
    (*dst)[n] = '\0';
    return 0;
}

/* The UDF walk: depth first, one entry per call. */
static int
fs_udf_next(struct disc_ctx *ctx, struct disc_fs *fs,
            const struct disc_fs_entry **e)
{
    struct udfread_dirent de;
    char *p;

    if (fs->file) {
        udfread_file_close(fs->file);
        fs->file = NULL;
    }
    while (fs->depth >= 0) {
        UDFDIR *dir = fs->dir[fs->depth];
        const char *parent = fs->dpath[fs->depth];
        size_t n;
        if (!udfread_readdir(dir, &de)) {
            udfread_closedir(dir);
            disc_free_mem(fs->dpath[fs->depth]);
            fs->dir[fs->depth] = NULL;
            fs->dpath[fs->depth] = NULL;
            fs->depth--;
            continue;
        }
        if (!de.d_name || strcmp(de.d_name, ".") == 0 ||
            strcmp(de.d_name, "..") == 0 || !de.d_name[0])
            continue;
        n = strlen(parent) + strlen(de.d_name) + 2;
        p = disc_malloc(n);
        if (!p)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        (void)snprintf(p, n, "%s%s%s", parent, parent[0] ? "/" : "", de.d_name);
        disc_free_mem(fs->cur.path);
        fs->cur.path = p;
        disc_free_mem(fs->cur.link);
        fs->cur.link = NULL;
        fs->cur.has_mtime = 0;
        fs->cur.mtime = 0;
        fs->cur.size = 0;
        if (de.d_type == UDF_DT_DIR) {
            fs->cur.type = DISC_FS_DIR;
            fs->cur.mode = 0555;
            if (fs->depth + 1 >= FS_UDF_DEPTH)
                return disc_error(ctx, DISC_E_FORMAT,
                                  "track %d: UDF directories nested deeper "
                                  "than %d at \"%s\"",
                                  fs->info.track, FS_UDF_DEPTH, p);
            fs->dpath[fs->depth + 1] = disc_strdup(p);
            if (!fs->dpath[fs->depth + 1])
                return disc_error(ctx, DISC_E_NOMEM, "out of memory");
            fs->dir[fs->depth + 1] = udfread_opendir_at(dir, de.d_name);
            if (!fs->dir[fs->depth + 1]) {
                disc_free_mem(fs->dpath[fs->depth + 1]);
                fs->dpath[fs->depth + 1] = NULL;
                return fs->err ? fs->err
                               : disc_error(ctx, DISC_E_FORMAT,
                                            "track %d: UDF directory \"%s\" "
                                            "cannot be read",
                                            fs->info.track, p);
            }
            fs->depth++;
        } else {
            fs->cur.type =
                de.d_type == UDF_DT_REG ? DISC_FS_FILE : DISC_FS_OTHER;
            fs->cur.mode = 0444;
            fs->file = udfread_file_openat(dir, de.d_name);
            if (!fs->file)
                return fs->err ? fs->err
                               : disc_error(ctx, DISC_E_FORMAT,
                                            "track %d: UDF file \"%s\" "
                                            "cannot be read",
                                            fs->info.track, p);
            fs->cur.size = udfread_file_size(fs->file);
        }
        *e = &fs->cur;
        return 1;
    }
    return 0;
}

int
disc_fs_next(struct disc_ctx *ctx, struct disc_fs *fs,
             const struct disc_fs_entry **e)
{
    struct archive_entry *ae;
    locale_t old;
    int r, ret = 0;

    *e = NULL;
    fs->ctx = ctx;
    if (fs->info.udf_read) {
        r = fs_udf_next(ctx, fs, e);
        return *e && r == 1 ? 1 : r < 0 ? r : 0;
    }
    old = fs->loc != (locale_t)0 ? uselocale(fs->loc) : (locale_t)0;
    for (;;) {
        const char *p, *l;
        r = libarchive.archive_read_next_header(fs->a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_WARN && fs->err) {
            ret = fs->err;
            break;
        }
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            ret = fs_arch_error(ctx, fs, "reading the directory tree");
            break;
        }
        if (r == ARCHIVE_WARN)
            disc_warn(ctx, "track %d: %s", fs->info.track,
                      libarchive.archive_error_string(fs->a));
        p = libarchive.archive_entry_pathname_utf8(ae);
        if (!p)
            p = libarchive.archive_entry_pathname(ae);
        if (fs_set_path(&fs->cur.path, p) < 0) {
            ret = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            break;
        }
        if (!fs->cur.path[0])
            continue; /* the root itself */
        switch (libarchive.archive_entry_filetype(ae)) {
        case AE_IFDIR:
            fs->cur.type = DISC_FS_DIR;
            break;
        case AE_IFREG:
            fs->cur.type = DISC_FS_FILE;
            break;
        case AE_IFLNK:
            fs->cur.type = DISC_FS_LINK;
            break;
        default:
            fs->cur.type = DISC_FS_OTHER;
            break;
        }
        fs->cur.size =
            fs->cur.type == DISC_FS_DIR ? 0 : libarchive.archive_entry_size(ae);
        fs->cur.has_mtime = libarchive.archive_entry_mtime_is_set(ae) != 0;
        fs->cur.mtime =
            fs->cur.has_mtime ? (int64_t)libarchive.archive_entry_mtime(ae) : 0;
        fs->cur.mode = (unsigned)libarchive.archive_entry_perm(ae);
        l = libarchive.archive_entry_symlink_utf8(ae);
        if (!l)
            l = libarchive.archive_entry_symlink(ae);
        if (!l) {
            l = libarchive.archive_entry_hardlink_utf8(ae);
            if (!l)
                l = libarchive.archive_entry_hardlink(ae);
        }
        disc_free_mem(fs->cur.link);
        fs->cur.link = NULL;
        if (l && fs_set_path(&fs->cur.link, l) < 0) {
            ret = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            break;
        }
        if (libarchive.archive_entry_hardlink(ae) &&
            fs->cur.type != DISC_FS_LINK)
            fs->cur.size = 0;
        if (libarchive.archive_format(fs->a) ==
            ARCHIVE_FORMAT_ISO9660_ROCKRIDGE)
            fs->info.rockridge = 1;
        *e = &fs->cur;
        ret = 1;
        break;
    }
    if (old != (locale_t)0)
        uselocale(old);
    return *e ? 1 : ret < 0 ? ret : 0;
}

int64_t
disc_fs_read(struct disc_ctx *ctx, struct disc_fs *fs, void *buf, size_t len)
{
    la_ssize_t n;
    fs->ctx = ctx;
    if (fs->info.udf_read) {
        ssize_t u;
        if (!fs->file)
            return 0;
        u = udfread_file_read(fs->file, buf, len);
        if (u < 0 || fs->err)
            return fs->err ? fs->err
                           : disc_error(ctx, DISC_E_FORMAT,
                                        "track %d: reading UDF file \"%s\" "
                                        "failed",
                                        fs->info.track, fs->cur.path);
        return (int64_t)u;
    }
    n = libarchive.archive_read_data(fs->a, buf, len);
    if (n < 0)
        return fs_arch_error(ctx, fs, "reading file data");
    return (int64_t)n;
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */

void
disc_fs_list_free(struct disc_fs_entry *e, size_t n)
{
    size_t i;
    if (!e)
        return;
    for (i = 0; i < n; i++) {
        disc_free_mem(e[i].path);
        disc_free_mem(e[i].link);
    }
    disc_free_mem(e);
}

static int
fs_cmp_path(const void *a, const void *b)
{
    const struct disc_fs_entry *x = a, *y = b;
    return strcmp(x->path, y->path);
}

/* Whether p is below dir ("" is the root): 1 a direct child, 2 deeper,
 * 0 not below. */
static int
fs_below(const char *p, const char *dir)
{
    size_t n = strlen(dir);
    if (n) {
        if (strncmp(p, dir, n) != 0 || p[n] != '/')
            return 0;
        p += n + 1;
    }
    return strchr(p, '/') ? 2 : 1;
}

/* The index of the entry whose path equals p (exactly, else ignoring
 * case), or -1. */
static long
fs_find(const struct disc_fs_entry *e, size_t n, const char *p)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (e[i].path && strcmp(e[i].path, p) == 0)
            return (long)i;
    for (i = 0; i < n; i++)
        if (e[i].path && strcasecmp(e[i].path, p) == 0)
            return (long)i;
    return -1;
}

int
disc_fs_list(struct disc_ctx *ctx, struct disc_fs *fs, const char *path,
             int recursive, struct disc_fs_entry **out, size_t *nout)
{
    struct disc_fs_entry *all = NULL, *sel = NULL;
    const struct disc_fs_entry *e;
    size_t n = 0, cap = 0, i, k = 0;
    char *want = NULL;
    long at;
    int r;

    *out = NULL;
    *nout = 0;
    if (fs_set_path(&want, path ? path : "") < 0)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    while ((r = disc_fs_next(ctx, fs, &e)) == 1) {
        r = disc_grow(ctx, &all, n + 1, &cap, sizeof *all, 64);
        if (r < 0)
            break;
        all[n] = *e;
        all[n].path = disc_strdup(e->path);
        all[n].link = e->link ? disc_strdup(e->link) : NULL;
        n++;
        if (!all[n - 1].path || (e->link && !all[n - 1].link)) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            break;
        }
    }
    if (r < 0)
        goto done;
    /* Hard links carry no size of their own: take their target's. */
    for (i = 0; i < n; i++)
        if (all[i].type == DISC_FS_FILE && all[i].link) {
            at = fs_find(all, n, all[i].link);
            if (at >= 0)
                all[i].size = all[at].size;
        }
    if (n)
        qsort(all, n, sizeof *all, fs_cmp_path);
    at = want[0] ? fs_find(all, n, want) : -1;
    if (want[0] && at < 0) {
        r = disc_error(ctx, DISC_E_RANGE,
                       "track %d: no file or directory "
                       "\"%s\"",
                       fs->info.track, want);
        goto done;
    }
    sel = disc_calloc(n ? n : 1, sizeof *sel);
    if (!sel) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto done;
    }
    if (at >= 0 && all[at].type != DISC_FS_DIR) {
        sel[k++] = all[at];
        all[at].path = all[at].link = NULL;
    } else {
        /* Below the directory as recorded (case may differ from want). */
        const char *dir = at >= 0 ? all[at].path : "";
        char *dcopy = disc_strdup(dir);
        if (!dcopy) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto done;
        }
        for (i = 0; i < n; i++) {
            int b = fs_below(all[i].path, dcopy);
            if (b == 1 || (b == 2 && recursive)) {
                sel[k++] = all[i];
                all[i].path = all[i].link = NULL;
            }
        }
        disc_free_mem(dcopy);
    }
    *out = sel;
    *nout = k;
    sel = NULL;
    r = 0;
done:
    disc_fs_list_free(all, n);
    disc_free_mem(sel);
    disc_free_mem(want);
    return r;
}

/* ------------------------------------------------------------------ */
/* Extraction                                                          */

/* Positions fs at the entry named want; *e is that entry.  Returns 0,
 * DISC_E_RANGE when it does not exist, or an error. */
static int
fs_seek_entry(struct disc_ctx *ctx, struct disc_fs *fs, const char *want,
              int nocase, const struct disc_fs_entry **e)
{
    int r;
    while ((r = disc_fs_next(ctx, fs, e)) == 1)
        if (nocase ? strcasecmp((*e)->path, want) == 0
                   : strcmp((*e)->path, want) == 0)
            return 0;
    if (r < 0)
        return r;
    return DISC_E_RANGE;
}

int
disc_fs_extract(struct disc_ctx *ctx, const struct disc *d, int track,
                unsigned flags, const char *path, const char *out, int force,
                int64_t *bytes)
{
    struct disc_fs *fs = NULL;
    struct disc_outset *set = NULL;
    struct disc_out *o = NULL;
    const struct disc_fs_entry *e = NULL;
    char *want = NULL, *target = NULL;
    uint8_t *buf = NULL;
    int64_t total = 0, n;
    int r, pass;

    if (bytes)
        *bytes = 0;
    if (fs_set_path(&want, path) < 0)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    /* Exact name first, then ignoring case. */
    for (pass = 0; pass < 2; pass++) {
        disc_fs_close(fs);
        fs = NULL;
        r = disc_fs_open(ctx, d, track, flags, &fs);
        if (r < 0 || !fs)
            goto done;
        track = fs->info.track;
        r = fs_seek_entry(ctx, fs, want, pass, &e);
        if (r != DISC_E_RANGE)
            break;
    }
    /* A hard link is read through the entry that carries the data. */
    if (r == 0 && e->type == DISC_FS_FILE && e->link) {
        target = disc_strdup(e->link);
        if (!target) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto done;
        }
        disc_fs_close(fs);
        fs = NULL;
        r = disc_fs_open(ctx, d, track, flags, &fs);
        if (r < 0 || !fs)
            goto done;
        r = fs_seek_entry(ctx, fs, target, 0, &e);
    }
    if (r == DISC_E_RANGE) {
        r = disc_error(ctx, DISC_E_RANGE, "track %d: no file \"%s\"", track,
                       path);
        goto done;
    }
    if (r < 0)
        goto done;
    if (e->type != DISC_FS_FILE) {
        r = disc_error(ctx, DISC_E_ARG, "track %d: \"%s\" is %s, not a file",
                       track, path,
                       e->type == DISC_FS_DIR ? "a directory" : "a link");
        goto done;
    }
    buf = disc_malloc(65536);
    if (!buf) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto done;
    }
    r = disc_outset_new(ctx, d, force, &set);
    if (r == 0)
        r = disc_outset_open(ctx, set, out, &o);
    while (r == 0 && (n = disc_fs_read(ctx, fs, buf, 65536)) != 0) {
        if (n < 0) {
            r = (int)n;
            break;
        }
        r = disc_out_write(ctx, o, buf, (size_t)n);
        total += n;
    }
    if (r == 0)
        r = disc_outset_commit(ctx, set);
    else
        disc_outset_abort(set);
    set = NULL;
    if (r == 0 && bytes)
        *bytes = total;
done:
    disc_outset_abort(set);
    disc_free_mem(buf);
    disc_free_mem(want);
    disc_free_mem(target);
    disc_fs_close(fs);
    return r;
}
