/* nrg.c - Nero Burning ROM images (.nrg, v1 "NERO" and v2 "NER5"
 * footers), read through libcdio's nrg driver (core/source_cdio.c);
 * read-only.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: libcdio 2.1 lib/driver/image/nrg.c and nrg.h (chunk
 * layout: CUEX/DAOX/ETNF/SINF/CDTX/END!); docs/formats/cdio.md.
 */
#include <stdio.h>
#include <string.h>

#include "disc_format.h"

/* libcdio reads the whole chunk area into one buffer and asserts that it
 * is at most this long. */
#define NRG_AREA_MAX 4096
#define NRG_MAX_LBA 404849 /* 89:59:74 */

#define NRG_ID(a, b, c, d)                                                     \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 |          \
     (uint32_t)(d))

/* Bytes per sector of an ETNF/ETN2 track type, 0 for a type libcdio does
 * not take (ETN2 takes fewer than ETNF). */
static uint32_t
nrg_block(uint32_t type, int etn2)
{
    switch (type) {
    case 0: /* Mode 1 */
    case 2: /* Mode 2 Form 1 */
        return 2048;
    case 3: /* Mode 2, 2336 bytes */
        return 2336;
    case 6:    /* Mode 2 mixed */
    case 0x20: /* Mode 2 raw (as libcdio reads it) */
        return etn2 ? 0 : 2336;
    case 7: /* audio */
        return 2352;
    }
    return 0;
}

/* Reads the footer of the file at path and the chunk area it points
 * at into area (NRG_AREA_MAX bytes): the area's file offset in *startp,
 * its length in *alenp.  0 or DISC_E_* naming the offset. */
static int
nrg_read_area(struct disc_ctx *ctx, const char *path, uint8_t *area,
              int64_t *startp, int64_t *alenp)
{
    uint8_t tail[12];
    int64_t size, start, alen;
    FILE *f = fopen(path, "rb");

    if (!f)
        return disc_error(ctx, DISC_E_IO, "%s: cannot open", path);
    if (fseeko(f, 0, SEEK_END) != 0 || (size = (int64_t)ftello(f)) < 20 ||
        fseeko(f, (off_t)(size - 12), SEEK_SET) != 0 ||
        fread(tail, 1, 12, f) != 12) {
        (void)fclose(f); /* read-only */
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: too short for a Nero "
                          "image",
                          path);
    }
    if (memcmp(tail + 4, "NERO", 4) == 0) {
        start = disc_rd_be32(tail + 8);
        alen = size - 8 - start;
    } else if (memcmp(tail, "NER5", 4) == 0) {
        uint64_t u =
            (uint64_t)disc_rd_be32(tail + 4) << 32 | disc_rd_be32(tail + 8);
        start = u > (uint64_t)size ? size : (int64_t)u;
        alen = size - 12 - start;
    } else {
        (void)fclose(f);
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: no NER5/NERO footer in "
                          "the last 12 bytes",
                          path);
    }
    if (alen < 8 || size - start > NRG_AREA_MAX) {
        (void)fclose(f);
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: the footer places its "
                          "chunks at offset %lld, %s",
                          path, (long long)start,
                          alen < 8 ? "outside the file"
                                   : "more than 4 KiB before the end");
    }
    if (fseeko(f, (off_t)start, SEEK_SET) != 0 ||
        fread(area, 1, (size_t)alen, f) != (size_t)alen) {
        (void)fclose(f);
        return disc_error(ctx, DISC_E_IO,
                          "%s: cannot read the chunks at "
                          "offset %lld",
                          path, (long long)start);
    }
    (void)fclose(f);
    *startp = start;
    *alenp = alen;
    return 0;
}

/* What is wrong with chunk id of len bytes at c, or NULL.  *ntrack is
 * the track count of the table read so far (-1: none yet) and is set by
 * a track table; *end is set by END!. */
static const char *
nrg_chunk_why(uint32_t id, const uint8_t *c, uint32_t len, int *ntrack,
              int *end)
{
    uint32_t n, i;
    const char *why = NULL;

    switch (id) {
    case NRG_ID('C', 'U', 'E', 'X'):
        n = len / 8;
        if (*ntrack >= 0 || len % 8 || n < 4 || n % 2 ||
            n / 2 - 1 > DISC_MAX_TRACKS ||
            (int32_t)disc_rd_be32(c + 4) != -150) {
            why = "a malformed or second track table (CUEX)";
            break;
        }
        for (i = 2; i < n && !why; i += 2) {
            const uint8_t *e = c + (size_t)8 * i;
            int32_t lba = (int32_t)disc_rd_be32(e + 4);
            int32_t next = (int32_t)disc_rd_be32(e + 12);
            if (e[2] >> 4 > 1 || e[1] == e[9] || lba < -150 || next <= lba ||
                next > NRG_MAX_LBA)
                why = "a CUEX entry out of order or off the disc";
        }
        *ntrack = (int)(n / 2 - 1);
        break;
    case NRG_ID('E', 'T', 'N', 'F'):
    case NRG_ID('E', 'T', 'N', '2'): {
        int etn2 = id == NRG_ID('E', 'T', 'N', '2');
        uint32_t es = etn2 ? 32 : 20;
        n = len / es;
        if (*ntrack >= 0 || len % es || n < 1 || n > DISC_MAX_TRACKS) {
            why = "a malformed or second track table (ETNF/ETN2)";
            break;
        }
        for (i = 0; i < n && !why; i++) {
            const uint8_t *e = c + (size_t)es * i;
            uint64_t off =
                etn2 ? (uint64_t)disc_rd_be32(e) << 32 | disc_rd_be32(e + 4)
                     : disc_rd_be32(e);
            uint64_t blen = etn2 ? (uint64_t)disc_rd_be32(e + 8) << 32 |
                                       disc_rd_be32(e + 12)
                                 : disc_rd_be32(e + 4);
            uint32_t type = disc_rd_be32(e + (etn2 ? 16 : 8));
            uint32_t lsn = disc_rd_be32(e + (etn2 ? 20 : 12));
            uint32_t bs = nrg_block(type, etn2);
            if (!bs || blen == 0 || blen % bs || off != (uint64_t)lsn * bs ||
                (uint64_t)lsn + (uint64_t)i * 150 + blen / bs > NRG_MAX_LBA)
                why = "an ETNF/ETN2 entry with an unknown type or "
                      "off the disc";
        }
        *ntrack = (int)n;
        break;
    }
    case NRG_ID('D', 'A', 'O', 'X'):
    case NRG_ID('D', 'A', 'O', 'I'): {
        uint32_t es = id == NRG_ID('D', 'A', 'O', 'X') ? 42 : 30;
        uint32_t k = *ntrack > 0 ? (uint32_t)*ntrack : 1;
        if (len < 22 + es * k)
            why = "a DAOX/DAOI chunk shorter than its track list";
        break;
    }
    case NRG_ID('S', 'I', 'N', 'F'):
    case NRG_ID('M', 'T', 'Y', 'P'):
        if (len != 4)
            why = "a SINF/MTYP chunk that is not 4 bytes long";
        break;
    case NRG_ID('C', 'D', 'T', 'X'):
        if (len == 0 || len % 18)
            why = "a CD-TEXT chunk that is no whole number of packs";
        break;
    case NRG_ID('C', 'U', 'E', 'S'):
        why = "a CUES track table (Nero before 5.5), which libcdio "
              "does not read reliably";
        break;
    case NRG_ID('N', 'E', 'R', 'O'):
    case NRG_ID('N', 'E', 'R', '5'):
        why = "a footer signature among the chunks";
        break;
    case NRG_ID('E', 'N', 'D', '!'):
        *end = 1;
        break;
    default: /* other chunks are skipped, by libcdio too */
        break;
    }
    return why;
}

/* The chunks of the footer, checked for everything libcdio's nrg driver
 * relies on without checking it (it asserts, or reads past its buffer,
 * on most violations): the chunk area inside the file and at most 4 KiB
 * long, every chunk inside it, an END! chunk, one track table (CUEX,
 * ETNF or ETN2) of 1-99 tracks with addresses on the disc, DAOX/DAOI
 * entries for every track.  0 or DISC_E_FORMAT naming the offset (ctx
 * may be NULL: the probe). */
static int
nrg_check(struct disc_ctx *ctx, const char *path)
{
    uint8_t area[NRG_AREA_MAX];
    int64_t start = 0, alen = 0;
    int ntrack = -1, end = 0;
    uint32_t pos = 0;
    int r = nrg_read_area(ctx, path, area, &start, &alen);

    if (r < 0)
        return r;
    while (!end && pos < (uint32_t)alen) {
        uint32_t id, len;
        const uint8_t *c = area + pos + 8;
        const char *why;

        if ((uint32_t)alen - pos < 8)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: chunk at offset %lld "
                              "runs past the chunk area",
                              path, (long long)start + pos);
        id = disc_rd_be32(area + pos);
        len = disc_rd_be32(area + pos + 4);
        if (len > (uint32_t)alen - pos - 8)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: chunk at offset %lld "
                              "is %u bytes long, past the chunk area",
                              path, (long long)start + pos, len);
        why = nrg_chunk_why(id, c, len, &ntrack, &end);
        if (why)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: chunk at offset %lld: "
                              "%s",
                              path, (long long)start + pos, why);
        pos += 8 + len;
    }
    if (!end)
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: no END! chunk in the "
                          "chunk area at offset %lld",
                          path, (long long)start);
    if (ntrack < 1)
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: no track table (CUEX, "
                          "ETNF or ETN2)",
                          path);
    return 0;
}

/* The NRG signature is in the last 8 (v1) or 12 (v2) bytes of the file,
 * which the 4 KiB head the registry passes never shows: read the tail
 * through path.  A signature alone proves little (any file can end in
 * those 4 bytes), so the whole chunk area must check out. */
static int
nrg_probe(const uint8_t *buf, size_t len, const char *path)
{
    (void)buf;
    (void)len;
    if (!path)
        return 0;
    return nrg_check(NULL, path) == 0 ? 80 : 0;
}

static int
nrg_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct disc_cdio_opts o;

    int r = nrg_check(ctx, path);

    if (r < 0)
        return r;
    memset(&o, 0, sizeof o);
    o.driver = DISC_CDIO_NRG;
    return disc_open_cdio(ctx, path, &o, d);
}

const struct disc_format disc_fmt_nrg = {
    .name = "nrg",
    .description = "Nero NRG (read through libcdio's nrg driver)",
    .extensions = "nrg",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_INDEXES |
            DISC_CAP_ISRC_MCN | DISC_CAP_CDTEXT | DISC_CAP_CDTEXT_LANGS |
            DISC_CAP_HTOA,
    .probe = nrg_probe,
    .read = nrg_read,
    .write = NULL,
};
