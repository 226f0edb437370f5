/* mds.c - Alcohol 120% MDS descriptor (v1.x) with MDF data: read, write.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/mds.md (header, session, track, extra and
 * footer blocks, mode bytes, MDF layout, the writer's recipe, what
 * libMirage needs), docs/formats/cd.md (interleaved P-W, Q frames, full
 * TOC, HTOA).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "disc_format.h"

#define MDS_SIGNATURE "MEDIA DESCRIPTOR"
#define MDS_SIG_LEN 16
#define MDS_MAX_SIZE (16L << 20) /* real descriptors are a few KiB */
#define MDS_VERSION_MINOR 3      /* we write 1.3 (docs/formats/mds.md) */

/* Structure sizes (docs/formats/mds.md). */
#define MDS_HEADER 88
#define MDS_SESSION 24
#define MDS_TRACK 80
#define MDS_EXTRA 8
#define MDS_FOOTER 16

/* Header fields. */
#define MDS_H_VMAJOR 0x10
#define MDS_H_VMINOR 0x11
#define MDS_H_MEDIUM 0x12
#define MDS_H_NSESS 0x14
#define MDS_H_UNK16 0x16
#define MDS_H_SESS_OFF 0x50

/* Session block fields. */
#define MDS_S_START 0x00
#define MDS_S_END 0x04
#define MDS_S_NUMBER 0x08
#define MDS_S_NBLOCKS 0x0A
#define MDS_S_NLEADIN 0x0B
#define MDS_S_FIRST 0x0C
#define MDS_S_LAST 0x0E
#define MDS_S_BLOCKS_OFF 0x14

/* Track block fields. */
#define MDS_T_MODE 0x00
#define MDS_T_SUB 0x01
#define MDS_T_ADRCTL 0x02
#define MDS_T_TNO 0x03
#define MDS_T_POINT 0x04
#define MDS_T_MIN 0x05
#define MDS_T_EXTRA_OFF 0x0C
#define MDS_T_SECSIZE 0x10
#define MDS_T_UNK12 0x12
#define MDS_T_START 0x24
#define MDS_T_OFFSET 0x28
#define MDS_T_NFILES 0x30
#define MDS_T_FOOTER_OFF 0x34

/* Footer fields. */
#define MDS_F_NAME_OFF 0x00
#define MDS_F_WIDE 0x04

#define MDS_MEDIUM_DVD 0x10 /* 0x10 DVD-ROM, 0x12 DVD-R; below: CD */
#define MDS_SUB_PW 0x08     /* 96 interleaved P-W bytes after each sector */
#define MDS_SUB_SIZE 96

/* The descriptor, read whole. */
struct mds_desc {
    const char *path;
    uint8_t *buf;
    size_t len;
};

/* One track block as parsed (docs/formats/mds.md), with its extra block. */
struct mds_block {
    uint32_t off;    /* offset of the block in the descriptor */
    unsigned no;     /* 1-based block number, for messages */
    uint8_t session; /* number of the session block that lists it */
    uint8_t mode, sub, adr, ctl, tno, point;
    uint8_t min, sec, frame, zero, pmin, psec, pframe;
    uint32_t extra_off; /* CD: extra block offset; DVD: track length */
    uint16_t sector_size;
    uint32_t start;  /* start sector: LBA of INDEX 01 */
    uint64_t offset; /* MDF byte offset of INDEX 01 */
    uint32_t nfiles;
    uint32_t footer_off;
    uint32_t pregap, length; /* extra block (CD tracks) */
};

/* A session block as parsed (docs/formats/mds.md). */
struct mds_sess {
    uint32_t off;
    int32_t start, end;
    uint16_t first, last;
    uint8_t nblocks;
    uint32_t blocks_off;
};

/* An MDF opened for the disc (owned by the disc once attached). */
struct mds_mdf {
    char *path;
    struct disc_source *src;
};

/* A DISC_E_FORMAT error prefixed with the descriptor's name. */
#define mds_bad(ctx, f, ...)                                                   \
    disc_error_at(ctx, DISC_E_FORMAT, (f)->path, 0, __VA_ARGS__)

/* 1 if n bytes at off lie inside the descriptor. */
static int
mds_has(const struct mds_desc *f, uint64_t off, uint64_t n)
{
    return off <= f->len && n <= f->len - off;
}

/* ------------------------------------------------------------------ */
/* Probe                                                               */

static int
mds_probe(const uint8_t *buf, size_t len, const char *path)
{
    (void)path;
    if (len >= MDS_SIG_LEN && memcmp(buf, MDS_SIGNATURE, MDS_SIG_LEN) == 0)
        return 100;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reading the descriptor                                              */

static int
mds_load(struct disc_ctx *ctx, const char *path, struct mds_desc *f)
{
    struct stat st;
    FILE *fp = fopen(path, "rb");
    size_t n;

    f->path = path;
    if (!fp)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        (void)fclose(fp);
        errno = e;
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(e));
    }
    if (st.st_size > MDS_MAX_SIZE) {
        (void)fclose(fp);
        return mds_bad(ctx, f,
                       "%lld bytes is far too large for an MDS "
                       "descriptor (at most %ld)",
                       (long long)st.st_size, MDS_MAX_SIZE);
    }
    n = (size_t)st.st_size;
    f->buf = disc_malloc(n ? n : 1);
    if (!f->buf) {
        (void)fclose(fp);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    if (fread(f->buf, 1, n, fp) != n) {
        int e = ferror(fp) ? errno : EIO;
        (void)fclose(fp);
        errno = e;
        return disc_error(ctx, DISC_E_IO, "%s: read error: %s", path,
                          strerror(e));
    }
    (void)fclose(fp); /* read-only: nothing to flush */
    f->len = n;
    return 0;
}

/* Signature, version and the header's own fields. */
static int
mds_parse_header(struct disc_ctx *ctx, const struct mds_desc *f, int *dvd,
                 unsigned *nsess, uint32_t *sess_off)
{
    const uint8_t *h = f->buf;
    unsigned medium;

    if (f->len < MDS_SIG_LEN || memcmp(h, MDS_SIGNATURE, MDS_SIG_LEN) != 0)
        return mds_bad(ctx, f,
                       "not an MDS descriptor (no \"%s\" signature "
                       "at offset 0)",
                       MDS_SIGNATURE);
    if (f->len <= MDS_H_VMINOR)
        return mds_bad(ctx, f, "truncated after the signature (%zu bytes)",
                       f->len);
    if (h[MDS_H_VMAJOR] == 2)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: unsupported MDS version 2.%u (encrypted MDX "
                          "descriptors are not supported)",
                          f->path, h[MDS_H_VMINOR]);
    if (h[MDS_H_VMAJOR] != 1)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: unsupported MDS version %u.%u (only 1.x is "
                          "known)",
                          f->path, h[MDS_H_VMAJOR], h[MDS_H_VMINOR]);
    if (f->len < MDS_HEADER)
        return mds_bad(ctx, f,
                       "file is %zu bytes, shorter than the %d-byte "
                       "header",
                       f->len, MDS_HEADER);
    medium = disc_rd_le16(h + MDS_H_MEDIUM);
    *dvd = medium >= MDS_MEDIUM_DVD;
    *nsess = disc_rd_le16(h + MDS_H_NSESS);
    *sess_off = disc_rd_le32(h + MDS_H_SESS_OFF);
    if (*nsess == 0)
        return mds_bad(ctx, f, "header at 0x%x: no sessions", MDS_H_NSESS);
    if (*nsess > DISC_MAX_SESSIONS)
        return mds_bad(ctx, f, "header at 0x%x: %u sessions (at most %d)",
                       MDS_H_NSESS, *nsess, DISC_MAX_SESSIONS);
    if (*sess_off < MDS_HEADER)
        return mds_bad(ctx, f,
                       "header at 0x%x: session blocks offset 0x%x "
                       "points into the header",
                       MDS_H_SESS_OFF, *sess_off);
    if (!mds_has(f, *sess_off, (uint64_t)*nsess * MDS_SESSION))
        return mds_bad(ctx, f,
                       "header at 0x%x: %u session blocks at 0x%x "
                       "run beyond end of file (%zu bytes)",
                       MDS_H_SESS_OFF, *nsess, *sess_off, f->len);
    return 0;
}

static int
mds_parse_session(struct disc_ctx *ctx, const struct mds_desc *f, uint32_t off,
                  unsigned s, struct mds_sess *ss)
{
    const uint8_t *p = f->buf + off;
    unsigned number = disc_rd_le16(p + MDS_S_NUMBER);

    ss->off = off;
    ss->start = (int32_t)disc_rd_le32(p + MDS_S_START);
    ss->end = (int32_t)disc_rd_le32(p + MDS_S_END);
    ss->nblocks = p[MDS_S_NBLOCKS];
    ss->first = disc_rd_le16(p + MDS_S_FIRST);
    ss->last = disc_rd_le16(p + MDS_S_LAST);
    ss->blocks_off = disc_rd_le32(p + MDS_S_BLOCKS_OFF);
    if (number != s + 1)
        return mds_bad(ctx, f,
                       "session block %u at 0x%x: session number %u, "
                       "expected %u",
                       s + 1, off, number, s + 1);
    if (ss->nblocks == 0)
        return mds_bad(ctx, f, "session block %u at 0x%x: no track blocks",
                       s + 1, off);
    if (ss->blocks_off < MDS_HEADER)
        return mds_bad(ctx, f,
                       "session block %u at 0x%x: track blocks "
                       "offset 0x%x points into the header",
                       s + 1, off, ss->blocks_off);
    if (!mds_has(f, ss->blocks_off, (uint64_t)ss->nblocks * MDS_TRACK))
        return mds_bad(ctx, f,
                       "session block %u at 0x%x: %u track blocks at "
                       "0x%x run beyond end of file (%zu bytes)",
                       s + 1, off, ss->nblocks, ss->blocks_off, f->len);
    return 0;
}

static int
mds_is_track(const struct mds_block *b)
{
    return b->point >= 1 && b->point <= DISC_MAX_TRACKS;
}

/* Parses one track block; for CD track entries also its extra block and
 * checks the footer range. */
static int
mds_parse_block(struct disc_ctx *ctx, const struct mds_desc *f, uint32_t off,
                unsigned no, int dvd, struct mds_block *b)
{
    const uint8_t *p = f->buf + off;

    memset(b, 0, sizeof *b);
    b->off = off;
    b->no = no;
    b->mode = p[MDS_T_MODE];
    b->sub = p[MDS_T_SUB];
    b->adr = p[MDS_T_ADRCTL] >> 4; /* ADR is the high nibble here */
    b->ctl = p[MDS_T_ADRCTL] & 0x0F;
    b->tno = p[MDS_T_TNO];
    b->point = p[MDS_T_POINT];
    b->min = p[MDS_T_MIN];
    b->sec = p[MDS_T_MIN + 1];
    b->frame = p[MDS_T_MIN + 2];
    b->zero = p[MDS_T_MIN + 3];
    b->pmin = p[MDS_T_MIN + 4];
    b->psec = p[MDS_T_MIN + 5];
    b->pframe = p[MDS_T_MIN + 6];
    b->extra_off = disc_rd_le32(p + MDS_T_EXTRA_OFF);
    b->sector_size = disc_rd_le16(p + MDS_T_SECSIZE);
    b->start = disc_rd_le32(p + MDS_T_START);
    b->offset = disc_rd_le64(p + MDS_T_OFFSET);
    b->nfiles = disc_rd_le32(p + MDS_T_NFILES);
    b->footer_off = disc_rd_le32(p + MDS_T_FOOTER_OFF);
    if (!mds_is_track(b))
        return 0;
    if (b->start > INT32_MAX - 1)
        return mds_bad(ctx, f,
                       "track block %u at 0x%x (track %u): start "
                       "sector 0x%x out of range",
                       no, off, b->point, b->start);
    if (b->offset > (uint64_t)INT64_MAX / 4)
        return mds_bad(ctx, f,
                       "track block %u at 0x%x (track %u): start "
                       "offset 0x%llx out of range",
                       no, off, b->point, (unsigned long long)b->offset);
    if (!dvd) {
        if (b->extra_off == 0)
            return mds_bad(ctx, f,
                           "track block %u at 0x%x (track %u): no "
                           "extra block (extra offset 0)",
                           no, off, b->point);
        if (!mds_has(f, b->extra_off, MDS_EXTRA))
            return mds_bad(ctx, f,
                           "track block %u at 0x%x (track %u): extra "
                           "offset 0x%x beyond end of file (%zu bytes)",
                           no, off, b->point, b->extra_off, f->len);
        b->pregap = disc_rd_le32(f->buf + b->extra_off);
        b->length = disc_rd_le32(f->buf + b->extra_off + 4);
    }
    if (b->nfiles == 0)
        return mds_bad(ctx, f,
                       "track block %u at 0x%x (track %u): number of "
                       "files is 0",
                       no, off, b->point);
    if (b->footer_off == 0)
        return mds_bad(ctx, f,
                       "track block %u at 0x%x (track %u): no footer "
                       "(footer offset 0)",
                       no, off, b->point);
    if (!mds_has(f, b->footer_off, (uint64_t)b->nfiles * MDS_FOOTER))
        return mds_bad(ctx, f,
                       "track block %u at 0x%x (track %u): footer "
                       "offset 0x%x with %u file(s) beyond end of file "
                       "(%zu bytes)",
                       no, off, b->point, b->footer_off, b->nfiles, f->len);
    if (!dvd && b->nfiles > 1)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: track %u is split over %u data files; split "
                          "MDF files are supported only for DVD images",
                          f->path, b->point, b->nfiles);
    return 0;
}

/* The data file name of footer j of a track block, as UTF-8
 * (disc_malloc'd). */
static int
mds_footer_name(struct disc_ctx *ctx, const struct mds_desc *f, uint32_t foot,
                char **out)
{
    uint32_t noff = disc_rd_le32(f->buf + foot + MDS_F_NAME_OFF);
    uint32_t wide = disc_rd_le32(f->buf + foot + MDS_F_WIDE);
    size_t n = 0;
    char *s;

    *out = NULL;
    if (noff >= f->len)
        return mds_bad(ctx, f,
                       "footer at 0x%x: filename offset 0x%x beyond "
                       "end of file (%zu bytes)",
                       foot, noff, f->len);
    if (wide) {
        size_t k, units;
        for (units = 0; mds_has(f, noff + 2 * (uint64_t)units, 2); units++)
            if (disc_rd_le16(f->buf + noff + 2 * units) == 0)
                break;
        if (!mds_has(f, noff + 2 * (uint64_t)units, 2))
            return mds_bad(ctx, f,
                           "footer at 0x%x: UTF-16 filename at 0x%x "
                           "is not terminated before end of file",
                           foot, noff);
        s = disc_malloc(units * 3 + 1);
        if (!s)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        for (k = 0; k < units; k++) {
            uint32_t c = disc_rd_le16(f->buf + noff + 2 * k);
            if (c >= 0xD800 && c < 0xDC00 && k + 1 < units) {
                uint32_t lo = disc_rd_le16(f->buf + noff + 2 * (k + 1));
                if (lo >= 0xDC00 && lo < 0xE000) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                    k++;
                }
            }
            if (c >= 0xD800 && c < 0xE000)
                c = '?'; /* unpaired surrogate */
            n += disc_utf8_encode(c, s + n);
        }
        s[n] = '\0';
    } else {
        const uint8_t *z = memchr(f->buf + noff, 0, f->len - noff);
        if (!z)
            return mds_bad(ctx, f,
                           "footer at 0x%x: filename at 0x%x is not "
                           "terminated before end of file",
                           foot, noff);
        n = (size_t)(z - (f->buf + noff));
        s = disc_malloc(n + 1);
        if (!s)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        memcpy(s, f->buf + noff, n);
        s[n] = '\0';
    }
    if (!s[0]) {
        disc_free_mem(s);
        return mds_bad(ctx, f, "footer at 0x%x: empty data file name", foot);
    }
    *out = s;
    return 0;
}

/* Finds the file a footer names: "*.ext" is the descriptor's own name
 * with that extension; anything else is relative to its directory
 * (case-insensitively; a Windows path falls back to its last part). */
static int
mds_resolve(struct disc_ctx *ctx, const char *mds, const char *name,
            char **found)
{
    char *dir = disc_path_dir(mds), *want = NULL;
    int r;

    *found = NULL;
    if (!dir)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    if (name[0] == '*' && name[1] == '.' && name[2])
        want = disc_path_with_ext(disc_path_base(mds), name + 2);
    else
        want = disc_strdup(name);
    if (!want) {
        disc_free_mem(dir);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    /* A name leading outside the descriptor's folder is tried only by
     * its last part, unless the caller allows such names. */
    if (disc_path_escapes(want) &&
        !(ctx && (ctx->flags & DISC_CTX_OUTSIDE_PATHS)))
        r = DISC_E_IO;
    else
        r = disc_path_resolve(dir, want, found);
    if (r == DISC_E_IO) {
        const char *last = want + strlen(want);
        while (last > want && last[-1] != '/' && last[-1] != '\\')
            last--;
        if (last != want && *last && strcmp(last, "..") != 0)
            r = disc_path_resolve(dir, last, found);
    }
    if (r == DISC_E_NOMEM)
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
    else if (r < 0)
        r = disc_error(ctx, DISC_E_IO,
                       "%s: data file \"%s\" not found (the "
                       "descriptor names \"%s\")",
                       mds, want, name);
    disc_free_mem(want);
    disc_free_mem(dir);
    return r;
}

/* The source for footer foot: opened once per distinct file and
 * attached to the disc, which closes it. */
static int
mds_open_data(struct disc_ctx *ctx, const struct mds_desc *f, struct disc *d,
              uint32_t foot, struct mds_mdf *mdf, size_t *nmdf,
              struct disc_source **out)
{
    char *name = NULL, *path = NULL;
    size_t i;
    int r;

    *out = NULL;
    r = mds_footer_name(ctx, f, foot, &name);
    if (r == 0 && name)
        r = mds_resolve(ctx, f->path, name, &path);
    disc_free_mem(name);
    if (r != 0 || !path)
        return r ? r : disc_error(ctx, DISC_E_NOMEM, "out of memory");
    for (i = 0; i < *nmdf; i++)
        if (strcmp(mdf[i].path, path) == 0) {
            disc_free_mem(path);
            *out = mdf[i].src;
            return 0;
        }
    r = disc_source_file_new(ctx, path, out);
    if (r < 0) {
        disc_free_mem(path);
        return r;
    }
    disc_source_attach(d, *out);
    mdf[*nmdf].path = path;
    mdf[*nmdf].src = *out;
    (*nmdf)++;
    return 0;
}

/* Track mode from the mode byte's low 3 bits (docs/formats/mds.md). */
static enum disc_track_mode
mds_mode(struct disc_ctx *ctx, const struct mds_desc *f,
         const struct mds_block *b)
{
    enum disc_track_mode m;

    switch (b->mode & 0x07) {
    case 1:
        return DISC_MODE_AUDIO;
    case 2:
        return DISC_MODE_MODE1;
    case 3:
        return DISC_MODE_MODE2_MIXED;
    case 4:
        return DISC_MODE_MODE2_FORM1;
    case 5:
        return DISC_MODE_MODE2_FORM2;
    default:
        break;
    }
    /* 0, 6, 7: no agreed meaning; libMirage reads 0 and 7 as Mode 2.
     * Trust the CONTROL data bit for audio versus data. */
    m = (b->ctl & DISC_CTL_DATA) ? DISC_MODE_MODE2_MIXED : DISC_MODE_AUDIO;
    disc_warn(ctx, "%s: track %u: unknown mode byte 0x%02x, read as %s",
              f->path, b->point, b->mode, disc_mode_name(m));
    return m;
}

/* Storage layout of a track's sectors from its sector size and
 * subchannel byte. */
static int
mds_layout(struct disc_ctx *ctx, const struct mds_desc *f,
           const struct mds_block *b, enum disc_track_mode m,
           enum disc_data_layout *l, enum disc_sub_layout *sl)
{
    unsigned size = b->sector_size;
    int mode2 = m != DISC_MODE_AUDIO && m != DISC_MODE_MODE1;

    *sl = DISC_SUBL_NONE;
    if (b->sub == MDS_SUB_PW) {
        if (size <= MDS_SUB_SIZE)
            return mds_bad(ctx, f,
                           "track block %u at 0x%x (track %u): "
                           "sector size %u with subchannel",
                           b->no, b->off, b->point, size);
        size -= MDS_SUB_SIZE;
        *sl = DISC_SUBL_INTERLEAVED;
    } else if (b->sub != 0) {
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: track block %u at 0x%x (track %u): unknown "
                          "subchannel type 0x%02x (0x08, interleaved P-W, is "
                          "the only one known)",
                          f->path, b->no, b->off, b->point, b->sub);
    }
    if (size == DISC_SECTOR_RAW)
        *l = DISC_DATA_RAW;
    else if (size == 2048 && m == DISC_MODE_MODE1)
        *l = DISC_DATA_MODE1;
    else if (size == 2048 && m == DISC_MODE_MODE2_FORM1)
        *l = DISC_DATA_FORM1;
    else if (size == 2336 && mode2)
        *l = DISC_DATA_MODE2;
    else if (size == 2324 && m == DISC_MODE_MODE2_FORM2)
        *l = DISC_DATA_FORM2;
    else
        return mds_bad(ctx, f,
                       "track block %u at 0x%x (track %u): sector "
                       "size %u does not fit a %s track (2352, 2048, 2336 "
                       "or 2324, plus 96 with subchannel)",
                       b->no, b->off, b->point, b->sector_size,
                       disc_mode_name(m));
    return 0;
}

/* Maps count sectors from lba onto src at offset, checking that the file
 * holds them all. */
static int
mds_map(struct disc_ctx *ctx, struct disc *d, const struct mds_block *b,
        struct disc_source *src, disc_lba lba, uint32_t count, int64_t offset,
        enum disc_data_layout l, enum disc_sub_layout sl)
{
    struct disc_extent e;
    int64_t whole = disc_source_sectors(src, offset, count, b->sector_size);

    if (whole < count) {
        /* Name the first sector the file does not hold. */
        int64_t at = offset + whole * b->sector_size;
        return disc_error(ctx, DISC_E_RANGE,
                          "%s: track %u needs LBA %lld at byte %lld, but the "
                          "file ends at byte %lld (%lld sectors short)",
                          src->name, b->point, (long long)lba + whole,
                          (long long)at, (long long)src->size,
                          (long long)count - whole);
    }
    memset(&e, 0, sizeof e);
    e.lba = lba;
    e.count = count;
    e.src = src;
    e.offset = offset;
    e.stride = b->sector_size;
    e.data = l;
    e.sub = sl;
    return disc_extent_add(ctx, d, &e);
}

/* DVD descriptors: one data track of 2048-byte sectors, read as Mode 1
 * (the core regenerates raw sectors); DVD structures and BCA are not
 * kept. */
static int
mds_build_dvd(struct disc_ctx *ctx, const struct mds_desc *f, struct disc *d,
              const struct mds_sess *ss, const struct mds_block *b, unsigned nb,
              struct mds_mdf *mdf, size_t *nmdf)
{
    const struct mds_block *t = NULL;
    struct disc_track *tr = &d->track[0];
    uint64_t length;
    int64_t off;
    unsigned i, j;

    for (i = 0; i < nb; i++)
        if (mds_is_track(&b[i])) {
            if (t)
                return disc_error(ctx, DISC_E_UNSUPPORTED,
                                  "%s: DVD image with more than one track",
                                  f->path);
            t = &b[i];
        }
    if (!t)
        return mds_bad(ctx, f, "DVD descriptor without a track block");
    if (t->sector_size != 2048 || t->sub != 0)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: DVD track with %u-byte sectors (subchannel "
                          "0x%02x); only 2048 is supported",
                          f->path, t->sector_size, t->sub);
    /* For DVD the extra-offset field holds the track length. */
    length = t->extra_off;
    if (length == 0 && ss->end > (int32_t)t->start)
        length = (uint64_t)(ss->end - (int32_t)t->start);
    if (length == 0 || length > (uint64_t)(INT32_MAX - t->start))
        return mds_bad(ctx, f,
                       "track block %u at 0x%x: DVD track length %llu "
                       "out of range",
                       t->no, t->off, (unsigned long long)length);
    disc_warn(ctx,
              "%s: DVD image read as data only (one Mode 1 track of "
              "2048-byte sectors; DVD structures and BCA are not kept)",
              f->path);
    d->nsessions = 1;
    d->session[0].number = 1;
    d->session[0].first_track = 1;
    d->session[0].last_track = 1;
    d->session[0].type = DISC_TYPE_CDDA;
    d->session[0].leadout = (disc_lba)(t->start + length);
    d->ntracks = 1;
    tr->number = 1;
    tr->session = 1;
    tr->mode = DISC_MODE_MODE1;
    tr->control = DISC_CTL_DATA;
    tr->last_index = 1;
    tr->index[0] = tr->index[1] = (disc_lba)t->start;
    /* The data may be split over several files on sector boundaries
     * (the first file starts at the start offset, the others at 0). */
    off = (int64_t)t->offset;
    i = 0;
    for (j = 0; j < t->nfiles && i < length; j++) {
        struct disc_source *src;
        uint64_t n;
        int r = mds_open_data(ctx, f, d, t->footer_off + j * MDS_FOOTER, mdf,
                              nmdf, &src);
        if (r != 0 || !src)
            return r;
        if (j + 1 == t->nfiles || src->size <= off)
            n = length - i;
        else
            n = (uint64_t)(src->size - off) / 2048;
        if (n > length - i)
            n = length - i;
        r = mds_map(ctx, d, t, src, (disc_lba)(t->start + i), (uint32_t)n, off,
                    DISC_DATA_MODE1, DISC_SUBL_NONE);
        if (r < 0)
            return r;
        i += (unsigned)n;
        off = 0;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Building the model                                                  */

/* The sessions of d from the session blocks and the A0/A2 entries. */
static int
mds_sessions(struct disc_ctx *ctx, const struct mds_desc *f, struct disc *d,
             const struct mds_sess *ss, unsigned nsess,
             const struct mds_block *b, unsigned nb)
{
    unsigned i, s;
    int k;

    d->nsessions = (uint8_t)nsess;
    for (s = 0; s < nsess; s++) {
        struct disc_session *ds = &d->session[s];
        int a = -1, z = -1;
        for (k = 0; k < d->ntracks; k++)
            if (d->track[k].session == s + 1) {
                if (a < 0)
                    a = k;
                z = k;
            }
        if (a < 0)
            return mds_bad(ctx, f,
                           "session block %u at 0x%x: no track "
                           "entries",
                           s + 1, ss[s].off);
        ds->number = (uint8_t)(s + 1);
        ds->first_track = d->track[a].number;
        ds->last_track = d->track[z].number;
        ds->leadout = ss[s].end;
        ds->type = DISC_TYPE_CDDA;
        if (ss[s].first != ds->first_track || ss[s].last != ds->last_track)
            disc_warn(ctx,
                      "%s: session %u lists tracks %u-%u but holds "
                      "entries for tracks %u-%u",
                      f->path, s + 1, ss[s].first, ss[s].last, ds->first_track,
                      ds->last_track);
        for (i = 0; i < nb; i++) {
            if (b[i].session != s + 1 || b[i].adr != 1)
                continue;
            if (b[i].point == 0xA0) {
                ds->type = b[i].psec;
            } else if (b[i].point == 0xA2) {
                struct disc_msf m = { b[i].pmin, b[i].psec, b[i].pframe };
                if (disc_msf_to_lba(m) != ss[s].end)
                    disc_warn(ctx,
                              "%s: session %u: A2 lead-out %02u:%02u:"
                              "%02u disagrees with session end %d; using "
                              "the session end",
                              f->path, s + 1, b[i].pmin, b[i].psec, b[i].pframe,
                              ss[s].end);
            }
        }
    }
    return 0;
}

/* The tracks, sessions and extents of a CD descriptor. */
static int
mds_build_cd(struct disc_ctx *ctx, const struct mds_desc *f, struct disc *d,
             const struct mds_sess *ss, unsigned nsess,
             const struct mds_block *b, unsigned nb, struct mds_mdf *mdf,
             size_t *nmdf)
{
    const struct mds_block *byp[DISC_MAX_TRACKS + 1];
    uint32_t stored[DISC_MAX_TRACKS];
    unsigned i;
    int n = 0, k, r;

    memset(byp, 0, sizeof byp);
    for (i = 0; i < nb; i++) {
        if (!mds_is_track(&b[i]))
            continue;
        if (byp[b[i].point])
            return mds_bad(ctx, f,
                           "track block %u at 0x%x: second entry for "
                           "track %u",
                           b[i].no, b[i].off, b[i].point);
        byp[b[i].point] = &b[i];
    }
    /* Tracks in number order; sessions must follow the same order. */
    for (i = 1; i <= DISC_MAX_TRACKS; i++) {
        const struct mds_block *t = byp[i];
        struct disc_track *tr;
        if (!t)
            continue;
        if (n > 0 && t->session < d->track[n - 1].session)
            return mds_bad(ctx, f,
                           "track %u is in session %u, after track "
                           "%u of session %u",
                           t->point, t->session, d->track[n - 1].number,
                           d->track[n - 1].session);
        tr = &d->track[n];
        tr->number = t->point;
        tr->session = t->session;
        tr->mode = mds_mode(ctx, f, t);
        tr->control = t->ctl;
        tr->last_index = 1;
        tr->index[1] = (disc_lba)t->start;
        {
            struct disc_msf m = { t->pmin, t->psec, t->pframe };
            if (disc_msf_to_lba(m) != (disc_lba)t->start)
                disc_warn(ctx,
                          "%s: track %u: PMSF %02u:%02u:%02u disagrees "
                          "with start sector %u; using the start sector",
                          f->path, t->point, t->pmin, t->psec, t->pframe,
                          t->start);
        }
        n++;
    }
    if (n == 0)
        return mds_bad(ctx, f,
                       "no track entries (points 1-99) in any "
                       "session");
    d->ntracks = (uint8_t)n;
    r = mds_sessions(ctx, f, d, ss, nsess, b, nb);
    if (r < 0)
        return r;
    /* Pregaps and lengths from the extra blocks.  A session's first track
     * has the 150-sector Red Book pregap, never stored; anything beyond
     * it is stored before the start offset, like other tracks' pregaps
     * (docs/formats/mds.md). */
    for (k = 0; k < n; k++) {
        const struct mds_block *t = byp[d->track[k].number];
        struct disc_track *tr = &d->track[k];
        int first = k == 0 || d->track[k - 1].session != tr->session;
        uint32_t pre = t->pregap;
        int64_t i0;
        if (first) {
            if (pre < DISC_PREGAP)
                disc_warn(ctx,
                          "%s: track %u: pregap %u, expected at least "
                          "%d for a session's first track",
                          f->path, t->point, pre, DISC_PREGAP);
            pre = pre > DISC_PREGAP ? pre - DISC_PREGAP : 0;
        }
        i0 = (int64_t)tr->index[1] - pre;
        if (i0 < -DISC_PREGAP)
            return mds_bad(ctx, f,
                           "track block %u at 0x%x (track %u): "
                           "pregap of %u sectors reaches before the start "
                           "of the disc",
                           t->no, t->off, t->point, t->pregap);
        if ((uint64_t)pre * t->sector_size > t->offset)
            return mds_bad(ctx, f,
                           "track block %u at 0x%x (track %u): "
                           "stored pregap of %u sectors begins before the "
                           "start of the data file (start offset %llu)",
                           t->no, t->off, t->point, pre,
                           (unsigned long long)t->offset);
        if (k > 0 && !first && i0 <= d->track[k - 1].index[1])
            return mds_bad(ctx, f,
                           "track %u: pregap start %lld is not after "
                           "track %u's start %d",
                           t->point, (long long)i0, d->track[k - 1].number,
                           d->track[k - 1].index[1]);
        tr->index[0] = (disc_lba)i0;
        stored[k] = pre;
    }
    for (k = 0; k < n; k++) {
        const struct mds_block *t = byp[d->track[k].number];
        struct disc_track *tr = &d->track[k];
        enum disc_data_layout l = DISC_DATA_RAW;
        enum disc_sub_layout sl = DISC_SUBL_NONE;
        struct disc_source *src = NULL;
        disc_lba end = disc_track_end(d, k);
        if (end <= tr->index[1])
            return mds_bad(ctx, f,
                           "track %u ends at LBA %d, not after its "
                           "start sector %d (session end or next pregap "
                           "wrong)",
                           t->point, end, tr->index[1]);
        if ((int64_t)tr->index[1] + t->length != end)
            disc_warn(ctx,
                      "%s: track %u: extra block length %u disagrees "
                      "with the layout (%d sectors to LBA %d)",
                      f->path, t->point, t->length, end - tr->index[1], end);
        r = mds_layout(ctx, f, t, tr->mode, &l, &sl);
        if (r == 0)
            r = mds_open_data(ctx, f, d, t->footer_off, mdf, nmdf, &src);
        if (r == 0)
            r = mds_map(
                ctx, d, t, src, tr->index[0], (uint32_t)(end - tr->index[0]),
                (int64_t)(t->offset - (uint64_t)stored[k] * t->sector_size), l,
                sl);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
mds_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct mds_desc f = { path, NULL, 0 };
    struct mds_sess ss[DISC_MAX_SESSIONS];
    struct mds_block *b = NULL;
    struct disc_rawtoc *toc = NULL;
    struct mds_mdf *mdf = NULL;
    size_t nmdf = 0, i;
    unsigned nsess = 0, s, j, nb = 0, total = 0;
    uint32_t sess_off = 0;
    int dvd = 0, r;

    r = mds_load(ctx, path, &f);
    if (r < 0)
        goto fail;
    r = mds_parse_header(ctx, &f, &dvd, &nsess, &sess_off);
    if (r < 0)
        goto fail;
    for (s = 0; s < nsess; s++) {
        r = mds_parse_session(ctx, &f, sess_off + s * MDS_SESSION, s, &ss[s]);
        if (r < 0)
            goto fail;
        total += ss[s].nblocks;
    }
    b = disc_calloc(total, sizeof *b);
    toc = disc_calloc(total, sizeof *toc);
    if (!b || !toc) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    for (s = 0; s < nsess; s++)
        for (j = 0; j < ss[s].nblocks; j++, nb++) {
            r = mds_parse_block(ctx, &f, ss[s].blocks_off + j * MDS_TRACK,
                                nb + 1, dvd, &b[nb]);
            if (r < 0)
                goto fail;
            b[nb].session = (uint8_t)(s + 1);
        }
    /* One data file per track at most, plus DVD splits. */
    for (j = 0, i = 0; j < nb; j++)
        if (mds_is_track(&b[j]))
            i += b[j].nfiles;
    mdf = disc_calloc(i ? i : 1, sizeof *mdf);
    if (!mdf) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    if (dvd) {
        if (nsess != 1) {
            r = disc_error(ctx, DISC_E_UNSUPPORTED,
                           "%s: DVD image with %u sessions", path, nsess);
            goto fail;
        }
        r = mds_build_dvd(ctx, &f, d, &ss[0], b, nb, mdf, &nmdf);
        if (r < 0)
            goto fail;
    } else {
        r = mds_build_cd(ctx, &f, d, ss, nsess, b, nb, mdf, &nmdf);
        if (r < 0)
            goto fail;
        /* Every block is a full-TOC entry, kept verbatim. */
        for (j = 0; j < nb; j++) {
            const struct disc_rawtoc e = {
                b[j].session, b[j].adr,  b[j].ctl,  b[j].tno,
                b[j].point,   b[j].min,  b[j].sec,  b[j].frame,
                b[j].zero,    b[j].pmin, b[j].psec, b[j].pframe
            };
            toc[j] = e;
        }
        r = disc_set_rawtoc(ctx, d, toc, (uint16_t)nb);
        if (r < 0)
            goto fail;
        r = disc_sub_recover(ctx, d);
        if (r < 0)
            goto fail;
    }
fail:
    for (i = 0; mdf && i < nmdf; i++)
        disc_free_mem(mdf[i].path);
    disc_free_mem(mdf);
    disc_free_mem(toc);
    disc_free_mem(b);
    disc_free_mem(f.buf);
    return r;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* Mode byte written for a track mode (Aaru's values). */
static uint8_t
mds_mode_byte(enum disc_track_mode m)
{
    switch (m) {
    case DISC_MODE_AUDIO:
        return 0xA9;
    case DISC_MODE_MODE1:
        return 0xAA;
    case DISC_MODE_MODE2_FORM1:
        return 0xEC;
    case DISC_MODE_MODE2_FORM2:
        return 0xED;
    case DISC_MODE_MODE2:
    case DISC_MODE_MODE2_MIXED:
        return 0xAB;
    }
    return 0xAB;
}

/* 1 if MDS can store the captured raw TOC as it is: an MDS track block
 * per entry, at most 255 per session, and entries for points 1-99 only
 * of ADR 1 (the reader takes those as tracks). */
static int
mds_toc_holdable(const struct disc *d)
{
    unsigned count[DISC_MAX_SESSIONS + 1];
    uint16_t j;

    memset(count, 0, sizeof count);
    for (j = 0; j < d->nrawtoc; j++) {
        const struct disc_rawtoc *e = &d->rawtoc[j];
        if (++count[e->session] > 255 ||
            (e->point >= 1 && e->point <= DISC_MAX_TRACKS && e->adr != 1))
            return 0;
    }
    return 1;
}

/* The full TOC to write, entries grouped by session in their original
 * order: the captured one when it fits the tracks, else one built from
 * the model. */
static int
mds_toc(struct disc_ctx *ctx, const struct disc *d,
        const struct disc_write_opts *o, struct disc_rawtoc **out, uint16_t *n)
{
    struct disc_rawtoc *e;
    uint16_t j, k = 0;
    int s;

    /* A raw TOC that disagrees with the tracks was refused or reported
     * by the core. */
    if (!disc_rawtoc_fits(d))
        return disc_build_rawtoc(ctx, d, out, n);
    if (!mds_toc_holdable(d)) {
        int r = disc_write_drop(ctx, o,
                                "mds: the captured raw TOC has "
                                "entries MDS cannot store (more than 255 in "
                                "a session, or a track point of ADR 5); "
                                "writing a TOC built from the tracks");
        if (r < 0)
            return r;
        return disc_build_rawtoc(ctx, d, out, n);
    }
    e = disc_malloc((size_t)d->nrawtoc * sizeof *e);
    if (!e)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    for (s = 1; s <= d->nsessions; s++)
        for (j = 0; j < d->nrawtoc; j++)
            if (d->rawtoc[j].session == s)
                e[k++] = d->rawtoc[j];
    *out = e;
    *n = k;
    return 0;
}

/* What MDS cannot hold beyond the core's capability check (mds_caps_for:
 * MCN, ISRC and captured subchannel need --sub): INDEX 02+, which the
 * capability "index points" shares with the INDEX 00 pregaps MDS does
 * hold, needs --sub too; with --sub, MCN, ISRC and INDEX 02+ survive
 * only if the subchannel written really carries them. */
static int
mds_check_losses(struct disc_ctx *ctx, const struct disc *d,
                 const struct disc_write_opts *o)
{
    disc_lba idx[DISC_MAX_INDEX + 1];
    char mcn[14], isrc[13];
    int i, k, last, codes = d->mcn[0] != '\0', indexes = 0, mcn_found = 0;
    int r;

    for (i = 0; i < d->ntracks; i++) {
        if (d->track[i].isrc[0])
            codes = 1;
        if (d->track[i].last_index > 1)
            indexes = 1;
        if (d->track[i].mode == DISC_MODE_MODE2) {
            if (o->strict)
                return disc_write_drop(ctx, o,
                                       "mds: track %d is formless "
                                       "Mode 2, which MDS records like "
                                       "mixed-form Mode 2 (0xAB)",
                                       d->track[i].number);
            disc_warn(ctx,
                      "mds: track %d is formless Mode 2; MDS records it "
                      "as mode 0xAB, read back as mixed-form Mode 2 (the "
                      "sectors are unchanged)",
                      d->track[i].number);
        }
    }
    if (!o->sub) {
        if (indexes)
            return disc_write_drop(ctx, o,
                                   "mds: MDS holds only INDEX 00 "
                                   "and 01; INDEX 02+ are kept only in the "
                                   "subchannel (write with --sub)");
        return 0;
    }
    /* With --sub: check the subchannel that will be written, the way the
     * reader will look for it. */
    for (i = 0; i < d->ntracks && (codes || indexes); i++) {
        const struct disc_track *t = &d->track[i];
        if (codes) {
            r = disc_sub_scan_codes(ctx, d, i, mcn, isrc);
            if (r < 0)
                return r;
            if (d->mcn[0] && strcmp(mcn, d->mcn) == 0)
                mcn_found = 1;
            if (t->isrc[0] && strcmp(isrc, t->isrc) != 0) {
                r = disc_write_drop(ctx, o,
                                    "mds: the subchannel of track %d "
                                    "does not carry its ISRC %s in its first "
                                    "100 sectors, and MDS has no other place "
                                    "for it",
                                    t->number, t->isrc);
                if (r < 0)
                    return r;
            }
        }
        if (t->last_index > 1) {
            r = disc_sub_scan_indexes(ctx, d, i, idx, &last);
            if (r < 0)
                return r;
            for (k = 2; k <= t->last_index; k++)
                if (k > last || idx[k] != t->index[k])
                    break;
            if (k <= t->last_index) {
                r = disc_write_drop(ctx, o,
                                    "mds: the subchannel of track %d "
                                    "does not show INDEX %02d at LBA %d, and "
                                    "MDS has no other place for it",
                                    t->number, k, t->index[k]);
                if (r < 0)
                    return r;
            }
        }
    }
    if (d->mcn[0] && !mcn_found)
        return disc_write_drop(ctx, o,
                               "mds: the subchannel does not carry "
                               "the MCN %s in the first 100 sectors of any "
                               "track, and MDS has no other place for it",
                               d->mcn);
    return 0;
}

/* Encodes UTF-8 name as UTF-16LE with a terminating 0x0000 into out
 * (room for 2 * (strlen + 1) bytes); returns the byte count. */
static size_t
mds_utf16(const char *name, uint8_t *out)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = 0;

    while (*s) {
        uint32_t c;
        size_t k = disc_utf8_decode(s, 4, &c);
        if (!k) {
            c = '?';
            k = 1;
        }
        s += k;
        if (c >= 0x10000) {
            c -= 0x10000;
            disc_wr_le16(out + n, (uint16_t)(0xD800 | c >> 10));
            disc_wr_le16(out + n + 2, (uint16_t)(0xDC00 | (c & 0x3FF)));
            n += 4;
        } else {
            disc_wr_le16(out + n, (uint16_t)c);
            n += 2;
        }
    }
    disc_wr_le16(out + n, 0);
    return n + 2;
}

/* Lays out the descriptor (docs/formats/mds.md): header, session blocks, one
 * track block per TOC entry, one extra block per entry, the footer and
 * the data file name. */
static int
mds_build(struct disc_ctx *ctx, const struct disc *d,
          const struct disc_write_opts *o, const struct disc_rawtoc *e,
          uint16_t n, const char *mdfname, uint8_t **out, size_t *len)
{
    uint32_t ss = o->sub ? DISC_SECTOR_RAW + MDS_SUB_SIZE : DISC_SECTOR_RAW;
    size_t blk = MDS_HEADER + (size_t)d->nsessions * MDS_SESSION;
    size_t ext = blk + (size_t)n * MDS_TRACK;
    size_t foot = ext + (size_t)n * MDS_EXTRA;
    size_t name = foot + MDS_FOOTER;
    size_t total = name + 2 * (strlen(mdfname) + 1);
    uint64_t base = 0;
    uint8_t *buf;
    uint16_t j = 0;
    int s, i;

    buf = disc_calloc(1, total);
    if (!buf)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    memcpy(buf, MDS_SIGNATURE, MDS_SIG_LEN);
    buf[MDS_H_VMAJOR] = 1;
    buf[MDS_H_VMINOR] = MDS_VERSION_MINOR;
    disc_wr_le16(buf + MDS_H_MEDIUM, 0); /* CD-ROM */
    disc_wr_le16(buf + MDS_H_NSESS, d->nsessions);
    /* "Alcohol sets this always, Daemon Tools expects this" (Aaru). */
    disc_wr_le16(buf + MDS_H_UNK16, 2);
    disc_wr_le32(buf + MDS_H_SESS_OFF, MDS_HEADER);
    for (s = 0; s < d->nsessions; s++) {
        const struct disc_session *ds = &d->session[s];
        uint8_t *p = buf + MDS_HEADER + (size_t)s * MDS_SESSION;
        int a = disc_track_find(d, ds->first_track);
        disc_lba from = d->track[a].index[0];
        unsigned count = 0, leadin = 0;
        uint16_t first = j;

        for (; j < n && e[j].session == ds->number; j++) {
            const struct disc_rawtoc *t = &e[j];
            uint8_t *q = buf + blk + (size_t)j * MDS_TRACK;
            count++;
            if (t->point >= 0xA0)
                leadin++;
            q[MDS_T_ADRCTL] = (uint8_t)(t->adr << 4 | (t->control & 0x0F));
            q[MDS_T_TNO] = t->tno;
            q[MDS_T_POINT] = t->point;
            q[MDS_T_MIN] = t->min;
            q[MDS_T_MIN + 1] = t->sec;
            q[MDS_T_MIN + 2] = t->frame;
            q[MDS_T_MIN + 3] = t->zero;
            q[MDS_T_MIN + 4] = t->pmin;
            q[MDS_T_MIN + 5] = t->psec;
            q[MDS_T_MIN + 6] = t->pframe;
            i = t->adr == 1 && t->point >= 1 && t->point <= DISC_MAX_TRACKS
                    ? disc_track_find(d, t->point)
                    : -1;
            if (i >= 0) {
                const struct disc_track *tr = &d->track[i];
                uint8_t *x = buf + ext + (size_t)j * MDS_EXTRA;
                /* A session's first track: the Red Book 150 sectors
                 * (not stored) plus any stored pregap (docs/formats/mds.md). */
                uint32_t pre = (uint32_t)(tr->index[1] - tr->index[0]);
                if (i == a)
                    pre += DISC_PREGAP;
                q[MDS_T_MODE] = mds_mode_byte(tr->mode);
                q[MDS_T_SUB] = o->sub ? MDS_SUB_PW : 0;
                disc_wr_le32(q + MDS_T_EXTRA_OFF,
                             (uint32_t)(ext + (size_t)j * MDS_EXTRA));
                disc_wr_le16(q + MDS_T_SECSIZE, (uint16_t)ss);
                q[MDS_T_UNK12] = 0x02; /* "Daemon Tools expect it" (Aaru) */
                disc_wr_le32(q + MDS_T_START, (uint32_t)tr->index[1]);
                disc_wr_le64(q + MDS_T_OFFSET,
                             base + (uint64_t)(tr->index[1] - from) * ss);
                disc_wr_le32(q + MDS_T_NFILES, 1);
                disc_wr_le32(q + MDS_T_FOOTER_OFF, (uint32_t)foot);
                disc_wr_le32(x, pre);
                disc_wr_le32(x + 4,
                             (uint32_t)(disc_track_end(d, i) - tr->index[1]));
            }
        }
        if (count > 255) {
            disc_free_mem(buf);
            return disc_error(ctx, DISC_E_UNSUPPORTED,
                              "mds: session %u has %u TOC entries (at most "
                              "255)",
                              ds->number, count);
        }
        disc_wr_le32(p + MDS_S_START, (uint32_t)disc_session_start(d, s));
        disc_wr_le32(p + MDS_S_END, (uint32_t)ds->leadout);
        disc_wr_le16(p + MDS_S_NUMBER, ds->number);
        p[MDS_S_NBLOCKS] = (uint8_t)count;
        p[MDS_S_NLEADIN] = (uint8_t)leadin;
        disc_wr_le16(p + MDS_S_FIRST, ds->first_track);
        disc_wr_le16(p + MDS_S_LAST, ds->last_track);
        disc_wr_le32(p + MDS_S_BLOCKS_OFF,
                     (uint32_t)(blk + (size_t)first * MDS_TRACK));
        base += (uint64_t)(ds->leadout - from) * ss;
    }
    disc_wr_le32(buf + foot + MDS_F_NAME_OFF, (uint32_t)name);
    disc_wr_le32(buf + foot + MDS_F_WIDE, 1);
    mds_utf16(mdfname, buf + name);
    *out = buf;
    *len = total;
    return 0;
}

static int
mds_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
          const struct disc_write_opts *o)
{
    struct disc_outset *set = NULL;
    struct disc_out *mds = NULL, *mdf = NULL;
    struct disc_rawtoc *toc = NULL;
    char *mdfpath = NULL, *mdfname = NULL, *dir = NULL;
    uint8_t *desc = NULL;
    size_t desclen = 0;
    uint16_t n = 0;
    int s, r;

    r = mds_check_losses(ctx, d, o);
    if (r < 0)
        return r;
    /* The MDF is named by the wildcard "*.mdf" (the descriptor's name
     * with .mdf), or literally when a base name was asked for. */
    if (o->name) {
        size_t k = strlen(o->name) + 5;
        mdfname = disc_malloc(k);
        dir = disc_path_dir(path);
        if (mdfname)
            (void)snprintf(mdfname, k, "%s.mdf", o->name);
        mdfpath = mdfname && dir ? disc_path_join(dir, mdfname) : NULL;
    } else {
        mdfname = disc_strdup("*.mdf");
        mdfpath = disc_path_with_ext(path, "mdf");
    }
    if (!mdfname || !mdfpath) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    r = mds_toc(ctx, d, o, &toc, &n);
    if (r < 0)
        goto fail;
    r = mds_build(ctx, d, o, toc, n, mdfname, &desc, &desclen);
    if (r < 0)
        goto fail;
    r = disc_outset_begin(ctx, d, o, path, &set, &mds);
    if (r == 0)
        r = disc_outset_open(ctx, set, mdfpath, &mdf);
    if (r == 0)
        r = disc_out_write(ctx, mds, desc, desclen);
    /* Each session's program area from its first track's INDEX 00 (or
     * INDEX 01), without the unstored 150-sector pregap (docs/formats/mds.md).
     */
    for (s = 0; r == 0 && s < d->nsessions; s++) {
        const struct disc_session *ds = &d->session[s];
        int a = disc_track_find(d, ds->first_track);
        struct disc_copy c;
        memset(&c, 0, sizeof c);
        c.main = mdf;
        c.layout = DISC_DATA_RAW;
        c.sub_inline = o->sub ? 1 : 0;
        r = disc_out_copy_sectors(
            ctx, d, d->track[a].index[0],
            (uint32_t)(ds->leadout - d->track[a].index[0]), &c);
    }
    if (r == 0) {
        r = disc_outset_commit(ctx, set);
        set = NULL;
    }
fail:
    disc_outset_abort(set);
    disc_free_mem(desc);
    disc_free_mem(toc);
    disc_free_mem(mdfpath);
    disc_free_mem(mdfname);
    disc_free_mem(dir);
    return r;
}

#define MDS_CAPS                                                               \
    (DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_MULTISESSION |                  \
     DISC_CAP_SUBCHANNEL | DISC_CAP_INDEXES | DISC_CAP_ISRC_MCN |              \
     DISC_CAP_RAWTOC | DISC_CAP_MODE2_FORM)

/* MCN/ISRC (no field of their own) and captured subchannel are held only
 * in 2448-byte sectors (--sub). */
static unsigned
mds_caps_for(const struct disc_write_opts *o)
{
    return o->sub ? MDS_CAPS
                  : MDS_CAPS & ~(DISC_CAP_SUBCHANNEL | DISC_CAP_ISRC_MCN);
}

const struct disc_format disc_fmt_mds = {
    .name = "mds",
    .description = "Alcohol 120% MDS descriptor with MDF data (v1.x)",
    .extensions = "mds",
    /* With --sub (mds_caps_for).  CD-TEXT (no field in v1) and HTOA (no
     * agreed encoding) are not held. */
    .caps = MDS_CAPS,
    .caps_for = mds_caps_for,
    .probe = mds_probe,
    .read = mds_read,
    .write = mds_write,
};
