/* cdtext.c - CD-TEXT packs: decoding into UTF-8 blocks, encoding, names.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: MMC-3 Annex J (CD-TEXT packs and size information);
 * docs/formats/cd.md; EBU Tech 3258 annex 1 (language codes); libcdio
 * include/cdio/cdtext.h (genre codes) and test/data/cdtext*.cdt with the
 * decodings libcdio prints for them (test/cdtext*.right), which our
 * decoder reproduces and our encoder re-creates byte for byte for
 * cdtext.cdt.
 */
#include <iconv.h>
#include <string.h>

#include "disc_format.h"

#define PACK 18         /* bytes per pack, CRC included */
#define PAYLOAD 12      /* text/data bytes per pack (4..15) */
#define BLOCK_PACKS 256 /* sequence numbers 0..255 per block */
#define MAX_PACKS (DISC_CDTEXT_MAX_BLOCKS * BLOCK_PACKS)
#define MAX_PACK_WARNINGS 8 /* individual bad-pack warnings per call */

#define TYPE_FIRST 0x80
#define TYPE_GENRE 0x87
#define TYPE_SIZE 0x8F

#define CS_LATIN1 0x00
#define CS_ASCII 0x01
#define CS_MSJIS 0x80

/* iconv names of MS-JIS: Microsoft's Shift-JIS (code page 932) first.
 * glibc's plain SHIFT_JIS reads 0x5C as YEN SIGN and 0x7E as OVERLINE
 * while writing U+005C and U+007E as those bytes, so "\\" and "~" would
 * not survive a round trip; CP932 maps them both ways. */
static const char *const msjis_names[] = { "CP932", "SHIFT_JIS" };

/* Pack type of each decoded field. */
static const uint8_t field_type[DISC_CDTEXT_NFIELDS] = {
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x8D, 0x8E,
};

/* Types that carry character strings in the block's character code.
 * DISC_ID, GENRE text and UPC/ISRC are single-byte ASCII (docs/formats/cd.md),
 * even in an MS-JIS block. */
static int
cdtext_type_is_text(int type)
{
    return (type >= 0x80 && type <= 0x85) || type == 0x8D;
}

/* Types that describe the disc only: DISC_ID, GENRE, closed information.
 * Encoders write the disc string alone for them (as cdtext.cdt does). */
static int
cdtext_type_disc_only(int type)
{
    return type == 0x86 || type == 0x87 || type == 0x8D;
}

/* ------------------------------------------------------------------ */
/* Growable byte buffer                                                */

struct cdt_buf {
    uint8_t *p;
    size_t len, cap;
};

static int
cdtext_buf_reserve(struct disc_ctx *ctx, struct cdt_buf *b, size_t n)
{
    if (n > (size_t)-1 - b->len ||
        disc_grow(ctx, &b->p, b->len + n, &b->cap, 1, 256) < 0)
        return DISC_E_NOMEM; /* spelt out for the static analysers */
    return 0;
}

static int
cdtext_buf_put(struct disc_ctx *ctx, struct cdt_buf *b, const void *data,
               size_t n)
{
    int rc = cdtext_buf_reserve(ctx, b, n);

    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

static int
cdtext_buf_byte(struct disc_ctx *ctx, struct cdt_buf *b, uint8_t c)
{
    return cdtext_buf_put(ctx, b, &c, 1);
}

/* ------------------------------------------------------------------ */
/* Character conversion                                                */

/* Opens a converter from UTF-8 to MS-JIS (to_msjis) or back.  Returns
 * 1, or 0 when the C library knows neither name. */
static int
cdtext_iconv_open(int to_msjis, iconv_t *cd)
{
    size_t i;

    for (i = 0; i < sizeof msjis_names / sizeof msjis_names[0]; i++) {
        *cd = to_msjis ? iconv_open(msjis_names[i], "UTF-8")
                       : iconv_open("UTF-8", msjis_names[i]);
        if (*cd != (iconv_t)-1) /* NOLINT(performance-no-int-to-ptr) */
            return 1;
    }
    return 0;
}

/* ISO-8859-1 (and, leniently, 8-bit "ASCII") to UTF-8: every byte is the
 * code point of the same value. */
static char *
cdtext_latin1_to_utf8(struct disc_ctx *ctx, const uint8_t *s, size_t n)
{
    char *out = disc_malloc(2 * n + 1);

    if (!out) {
        disc_error(ctx, DISC_E_NOMEM, "out of memory (CD-TEXT)");
        return NULL;
    }
    disc_latin1_to_utf8(s, n, out);
    return out;
}

/* MS-JIS to UTF-8.  Bytes iconv cannot convert become '?' and set
 * *lossy; without any MS-JIS converter only ASCII survives. */
static char *
cdtext_msjis_to_utf8(struct disc_ctx *ctx, const uint8_t *s, size_t n,
                     int *lossy)
{
    /* A Shift-JIS byte never needs more than 3 UTF-8 bytes (1-byte
     * half-width katakana become 3, 2-byte characters at most 3). */
    size_t cap = 3 * n + 1, inleft = n, outleft = cap - 1;
    char *out = disc_malloc(cap), *in = disc_malloc(n + 1), *ip, *op;
    iconv_t cd;
    int have;

    if (!out || !in) {
        disc_free_mem(out);
        disc_free_mem(in);
        disc_error(ctx, DISC_E_NOMEM, "out of memory (CD-TEXT)");
        return NULL;
    }
    if (n)
        memcpy(in, s, n);
    ip = in;
    op = out;
    have = cdtext_iconv_open(0, &cd);
    while (inleft && outleft) {
        if (have && iconv(cd, &ip, &inleft, &op, &outleft) != (size_t)-1)
            break;
        if (!inleft || !outleft)
            break; /* E2BIG cannot happen with 3 bytes per input byte */
        /* EILSEQ/EINVAL (or no converter): replace one byte; a lead
         * byte's trail byte is retried on its own. */
        if ((unsigned char)*ip < 0x80) {
            *op++ = *ip;
        } else {
            *op++ = '?';
            *lossy = 1;
        }
        ip++;
        inleft--;
        outleft--;
        if (have)
            iconv(cd, NULL, NULL, NULL, NULL);
    }
    if (have)
        iconv_close(cd);
    *op = '\0';
    disc_free_mem(in);
    return out;
}

/* UTF-8 to ISO-8859-1; characters beyond U+00FF become '?'. */
static int
cdtext_utf8_to_latin1(struct disc_ctx *ctx, const char *s, struct cdt_buf *out,
                      int *lossy)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        uint32_t cp;
        size_t k = disc_utf8_decode(p, 4, &cp);
        int rc;

        p += k ? k : 1;
        if (!k || cp > 0xFF) {
            cp = '?';
            *lossy = 1;
        }
        rc = cdtext_buf_byte(ctx, out, (uint8_t)cp);
        if (rc)
            return rc;
    }
    return 0;
}

/* UTF-8 to MS-JIS; characters it lacks become '?'. */
static int
cdtext_utf8_to_msjis(struct disc_ctx *ctx, const char *s, struct cdt_buf *out,
                     int *lossy)
{
    size_t n = strlen(s), inleft = n, outleft;
    char *in, *ip, *op;
    iconv_t cd;
    uint32_t cp;
    int rc, have;

    /* Each UTF-8 character (1-4 bytes) becomes at most 2 bytes. */
    rc = cdtext_buf_reserve(ctx, out, 2 * n + 1);
    if (rc)
        return rc;
    in = disc_strdup(s);
    if (!in) {
        disc_error(ctx, DISC_E_NOMEM, "out of memory (CD-TEXT)");
        return DISC_E_NOMEM;
    }
    ip = in;
    op = (char *)out->p + out->len;
    outleft = 2 * n + 1;
    have = cdtext_iconv_open(1, &cd);
    while (inleft && outleft) {
        size_t done;

        if (have && iconv(cd, &ip, &inleft, &op, &outleft) != (size_t)-1)
            break;
        if (!inleft || !outleft)
            break; /* E2BIG cannot happen with 2 bytes per input byte */
        done = disc_utf8_decode((const unsigned char *)ip, 4, &cp);
        if (done && cp < 0x80) {
            *op++ = (char)cp;
        } else {
            *op++ = '?';
            *lossy = 1;
        }
        done += !done; /* an invalid byte counts as one */
        outleft--;
        ip += done;
        inleft -= done;
        if (have)
            iconv(cd, NULL, NULL, NULL, NULL);
    }
    if (have)
        iconv_close(cd);
    out->len = (size_t)((uint8_t *)op - out->p);
    disc_free_mem(in);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

/* What pass 1 learns about one block. */
struct cdt_block_info {
    int npacks;     /* packs of any type in this block */
    int count[16];  /* packs per type 0x80..0x8F */
    int dbcc;       /* some pack has the double-byte flag */
    int si_seen[3]; /* size-info packs 0, 1, 2 present */
    uint8_t si[36]; /* size information (docs/formats/cd.md) */
};

/* Strips the allowances around a pack array: a 4-byte READ TOC format 5
 * header (BE16 data length, 2 reserved bytes; recognised when byte 0 is
 * below 0x80, i.e. not a pack type, and the length field equals the
 * bytes that follow it, or those bytes but a stray last one) and one
 * trailing byte (libcdio's cdtext.cdt ends in a stray 0x00: len % 18 ==
 * 1).  Both as libcdio accepts them (docs/formats/cd.md). */
int
disc_cdtext_frame(struct disc_ctx *ctx, const uint8_t **packs, size_t *len)
{
    const uint8_t *p = *packs;
    size_t n = *len;

    if (n >= 4 && p[0] < 0x80) {
        size_t hdr = (size_t)((p[0] << 8) | p[1]) + 2;

        if (hdr == n || (hdr + 1 == n && (n - 4) % PACK == 1)) {
            p += 4;
            n -= 4;
        }
    }
    if (n % PACK == 1) {
        if (p[n - 1] != 0)
            disc_warn(ctx,
                      "CD-TEXT: ignoring a trailing byte 0x%02X after "
                      "%zu packs",
                      p[n - 1], n / PACK);
        n--;
    }
    if (n % PACK)
        return disc_error(ctx, DISC_E_FORMAT,
                          "CD-TEXT: %zu bytes are not a "
                          "whole number of 18-byte packs",
                          *len);
    if (n / PACK > (size_t)MAX_PACKS)
        return disc_error(ctx, DISC_E_FORMAT,
                          "CD-TEXT: %zu packs exceed "
                          "the limit of %d (%d blocks of %d)",
                          n / PACK, MAX_PACKS, DISC_CDTEXT_MAX_BLOCKS,
                          BLOCK_PACKS);
    *packs = p;
    *len = n;
    return 0;
}

/* Creates block blk if it does not exist yet, through the public setter
 * so that defaults and ncdtext stay the model's business. */
static int
cdtext_ensure_block(struct disc_ctx *ctx, struct disc *d, int blk)
{
    int rc;

    if (d->cdtext[blk])
        return 0;
    rc = disc_cdtext_set(ctx, d, blk, 0, DISC_CDTEXT_TITLE, "");
    if (rc)
        return rc;
    return disc_cdtext_set(ctx, d, blk, 0, DISC_CDTEXT_TITLE, NULL);
}

/* How one type's payload of one block is to be read. */
struct cdt_stream {
    int blk;
    int type;
    int field;
    int track; /* track of the first string (first pack's byte 1) */
    int first; /* track that follows the disc string (size info) */
    int dbcc;  /* strings end in two NULs; TAB is "\t\t" */
    int msjis; /* convert from MS-JIS, else ISO-8859-1 */
};

/* Splits the concatenated payload s[0..n) of one type into strings and
 * stores them.  Empty strings leave the field unset; TAB repeats the
 * previous track's string. */
static int
cdtext_decode_stream(struct disc_ctx *ctx, struct disc *d,
                     const struct cdt_stream *st, const uint8_t *s, size_t n,
                     int *lossy)
{
    size_t pos = 0;
    int track = st->track, prev = -1, rc;
    char *utf8;

    while (pos < n) {
        size_t end, next;

        for (end = pos; end < n && s[end]; end++)
            ;
        next = end + 1;
        if (st->dbcc && next < n && s[next] == 0)
            next++;
        if (end == n) /* pos < n: a non-empty rest */
            disc_warn(ctx,
                      "CD-TEXT block %d, pack type 0x%02X: the last "
                      "string is not terminated",
                      st->blk, st->type);
        if (track > DISC_MAX_TRACKS) {
            for (; pos < n && !s[pos]; pos++)
                ;
            if (pos < n)
                disc_warn(ctx,
                          "CD-TEXT block %d, pack type 0x%02X: text "
                          "beyond track %d ignored",
                          st->blk, st->type, DISC_MAX_TRACKS);
            return 0;
        }
        if (end > pos && ((end - pos == 1 && s[pos] == '\t') ||
                          (st->dbcc && end - pos == 2 && s[pos] == '\t' &&
                           s[pos + 1] == '\t'))) {
            /* "Same as the previous track" (MMC-3 Annex J). */
            const char *p = NULL;

            if (prev >= 0)
                p = disc_cdtext_get(d, st->blk, prev,
                                    (enum disc_cdtext_field)st->field);
            else
                disc_warn(ctx,
                          "CD-TEXT block %d, pack type 0x%02X: TAB "
                          "for track %d without a previous track",
                          st->blk, st->type, track);
            if (p) {
                rc = disc_cdtext_set(ctx, d, st->blk, track,
                                     (enum disc_cdtext_field)st->field, p);
                if (rc)
                    return rc;
            }
        } else if (end > pos) {
            utf8 = st->msjis
                       ? cdtext_msjis_to_utf8(ctx, s + pos, end - pos, lossy)
                       : cdtext_latin1_to_utf8(ctx, s + pos, end - pos);
            if (!utf8)
                return DISC_E_NOMEM;
            rc = disc_cdtext_set(ctx, d, st->blk, track,
                                 (enum disc_cdtext_field)st->field, utf8);
            disc_free_mem(utf8);
            if (rc)
                return rc;
        }
        prev = track;
        track = track == 0 ? st->first : track + 1;
        pos = next;
    }
    return 0;
}

/* Decodes every text type of block blk. */
static int
cdtext_decode_block(struct disc_ctx *ctx, struct disc *d, const uint8_t *p,
                    size_t npacks, int blk, const struct cdt_block_info *bi,
                    const uint8_t *langs)
{
    struct cdt_buf buf = { NULL, 0, 0 };
    struct cdt_stream st;
    uint8_t charset;
    uint16_t genre = 0;
    int f, rc = 0, lossy = 0, have_genre = 0;
    size_t i, start;

    if (bi->si_seen[0]) {
        charset = bi->si[0];
    } else {
        charset = bi->dbcc ? CS_MSJIS : CS_LATIN1;
        disc_warn(ctx,
                  "CD-TEXT block %d has no size information; assuming "
                  "character code 0x%02X",
                  blk, charset);
    }
    if (charset != CS_LATIN1 && charset != CS_ASCII && charset != CS_MSJIS)
        disc_warn(ctx,
                  "CD-TEXT block %d: character code 0x%02X is not "
                  "supported; text read as ISO-8859-1",
                  blk, charset);

    st.blk = blk;
    st.first = bi->si_seen[0] && bi->si[1] >= 1 && bi->si[1] <= DISC_MAX_TRACKS
                   ? bi->si[1]
                   : 1;
    for (f = 0; f < DISC_CDTEXT_NFIELDS; f++) {
        st.type = field_type[f];
        st.field = f;
        st.track = -1;
        buf.len = 0;
        for (i = 0; i < npacks; i++) {
            const uint8_t *k = p + i * PACK;
            if (k[0] != st.type || ((k[3] >> 4) & 7) != blk)
                continue;
            if (st.track < 0) {
                st.track = k[1] & 0x7F;
                st.dbcc = (k[3] & 0x80) != 0;
            }
            rc = cdtext_buf_put(ctx, &buf, k + 4, PAYLOAD);
            if (rc)
                goto out;
        }
        if (st.track < 0)
            continue;
        st.msjis =
            st.dbcc || (charset == CS_MSJIS && cdtext_type_is_text(st.type));
        start = 0;
        if (st.type == TYPE_GENRE) {
            /* Two bytes of genre code (big-endian), then text. */
            genre = (uint16_t)((buf.p[0] << 8) | buf.p[1]);
            have_genre = 1;
            start = 2;
        }
        rc = cdtext_decode_stream(ctx, d, &st, buf.p + start, buf.len - start,
                                  &lossy);
        if (rc)
            goto out;
    }
    if (lossy)
        disc_warn(ctx,
                  "CD-TEXT block %d: some MS-JIS characters could not "
                  "be converted and were replaced by '?'",
                  blk);
    if (have_genre && genre) {
        rc = cdtext_ensure_block(ctx, d, blk);
        if (rc)
            goto out;
    }
    if (d->cdtext[blk]) {
        struct disc_cdtext_block *b = d->cdtext[blk];
        b->charset = charset;
        if (bi->si_seen[0])
            b->copyright = bi->si[3];
        if (langs)
            b->language = langs[blk];
        if (have_genre)
            b->genre = genre;
    }
out:
    disc_free_mem(buf.p);
    return rc;
}

int
disc_cdtext_decode(struct disc_ctx *ctx, struct disc *d, const uint8_t *packs,
                   size_t len)
{
    struct cdt_block_info bi[DISC_CDTEXT_MAX_BLOCKS];
    const uint8_t *langs = NULL;
    size_t npacks, i, nbadcrc = 0, nbadtype = 0, nvalid = 0;
    int blk, t, rc;

    if (!d || (!packs && len))
        return disc_error(ctx, DISC_E_ARG, "CD-TEXT: no disc or no data");
    rc = disc_cdtext_frame(ctx, &packs, &len);
    if (rc)
        return rc;
    npacks = len / PACK;
    if (npacks == 0)
        return 0;

    /* Pass 1: CRCs, pack types, per-block counts and size information. */
    memset(bi, 0, sizeof bi);
    for (i = 0; i < npacks; i++) {
        const uint8_t *k = packs + i * PACK;
        uint16_t crc = disc_crc16(k, 16);
        uint16_t stored = (uint16_t)((k[16] << 8) | k[17]);
        struct cdt_block_info *b = &bi[(k[3] >> 4) & 7];

        if (crc != stored && ++nbadcrc <= MAX_PACK_WARNINGS)
            disc_warn(ctx,
                      "CD-TEXT pack %zu (type 0x%02X): CRC %04X, "
                      "expected %04X%s",
                      i, k[0], stored, crc,
                      stored == 0 ? " (a zero CRC, as some drives leave "
                                    "on the last pack)"
                                  : "");
        if (k[0] < TYPE_FIRST || k[0] > TYPE_SIZE) {
            if (++nbadtype <= MAX_PACK_WARNINGS)
                disc_warn(ctx,
                          "CD-TEXT pack %zu: type 0x%02X is not a "
                          "pack type; skipped",
                          i, k[0]);
            continue;
        }
        nvalid++;
        b->npacks++;
        b->count[k[0] - TYPE_FIRST]++;
        if (k[3] & 0x80)
            b->dbcc = 1;
        if (k[0] == TYPE_SIZE) {
            if (k[1] > 2) {
                disc_warn(ctx,
                          "CD-TEXT pack %zu: size information pack "
                          "number %d is not 0-2; ignored",
                          i, k[1]);
                continue;
            }
            memcpy(b->si + (size_t)k[1] * PAYLOAD, k + 4, PAYLOAD);
            b->si_seen[k[1]] = 1;
        }
    }
    if (nbadcrc > MAX_PACK_WARNINGS)
        disc_warn(ctx, "CD-TEXT: %zu of %zu packs have a bad CRC", nbadcrc,
                  npacks);
    if (nbadtype > MAX_PACK_WARNINGS)
        disc_warn(ctx, "CD-TEXT: %zu of %zu packs have no valid type", nbadtype,
                  npacks);
    if (nvalid == 0)
        return disc_error(ctx, DISC_E_FORMAT,
                          "CD-TEXT: none of the %zu "
                          "packs has a pack type (0x80-0x8F)",
                          npacks);

    /* Languages of all blocks: every block's third size-info pack holds
     * the whole table; prefer block 0's. */
    for (blk = DISC_CDTEXT_MAX_BLOCKS - 1; blk >= 0; blk--)
        if (bi[blk].si_seen[2])
            langs = bi[blk].si + 28;

    /* Pass 2: text, block by block. */
    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        if (bi[blk].npacks == 0)
            continue;
        if (bi[blk].npacks > BLOCK_PACKS)
            disc_warn(ctx,
                      "CD-TEXT block %d has %d packs, more than the "
                      "%d sequence numbers allow",
                      blk, bi[blk].npacks, BLOCK_PACKS);
        if (bi[blk].si_seen[0] && bi[blk].si_seen[1])
            for (t = 0; t < 16; t++)
                if (bi[blk].si[4 + t] != bi[blk].count[t])
                    disc_warn(ctx,
                              "CD-TEXT block %d: size information "
                              "lists %d packs of type 0x%02X, found %d",
                              blk, bi[blk].si[4 + t], TYPE_FIRST + t,
                              bi[blk].count[t]);
        if (bi[blk].npacks == bi[blk].count[TYPE_SIZE - TYPE_FIRST])
            continue; /* size information alone: nothing to show */
        rc = cdtext_decode_block(ctx, d, packs, npacks, blk, &bi[blk], langs);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

struct cdt_enc {
    struct disc_ctx *ctx;
    struct cdt_buf out; /* finished packs */
    int blk;
    int seq;       /* next sequence number in this block */
    int count[16]; /* packs per type in this block */
    uint8_t *cur;  /* pack being filled (inside out), or NULL */
    int used;      /* payload bytes in cur */
};

/* Internal result of the block encoder: the block needs more than 256
 * sequence numbers (not an error yet: TAB compression may still fit). */
#define ENC_FULL 1

/* Pads and seals the pack being filled. */
static void
cdtext_enc_close(struct cdt_enc *e)
{
    uint16_t crc;

    if (!e->cur)
        return;
    memset(e->cur + 4 + e->used, 0, (size_t)(PAYLOAD - e->used));
    crc = disc_crc16(e->cur, 16);
    e->cur[16] = (uint8_t)(crc >> 8); /* big-endian (docs/formats/cd.md) */
    e->cur[17] = (uint8_t)crc;
    e->cur = NULL;
    e->used = 0;
}

/* Appends n bytes of one string to the packs of type.  Byte 1 of a pack
 * names the track whose string runs at the pack's first byte, byte 3
 * how many characters of it earlier packs hold (0-15, counted in 2-byte
 * units when double-byte): idx is the byte index of data[0] in its
 * string, -1 for binary bytes (genre code, size information).  Returns
 * 0, ENC_FULL or a negative error. */
static int
cdtext_enc_put(struct cdt_enc *e, int type, int track, int dbcc,
               const uint8_t *data, size_t n, long idx)
{
    size_t i, off;
    long pos;
    int rc;

    for (i = 0; i < n; i++) {
        if (e->cur && e->used == PAYLOAD)
            cdtext_enc_close(e);
        if (!e->cur) {
            if (e->seq >= BLOCK_PACKS)
                return ENC_FULL;
            rc = cdtext_buf_reserve(e->ctx, &e->out, PACK);
            if (rc)
                return rc;
            off = e->out.len;
            e->out.len += PACK;
            e->cur = e->out.p + off;
            pos = idx < 0 ? 0 : (idx + (long)i) / (dbcc ? 2 : 1);
            e->cur[0] = (uint8_t)type;
            e->cur[1] = (uint8_t)track;
            e->cur[2] = (uint8_t)e->seq++;
            e->cur[3] = (uint8_t)((dbcc ? 0x80 : 0) | (e->blk << 4) |
                                  (pos > 15 ? 15 : pos));
            e->count[type - TYPE_FIRST]++;
        }
        e->cur[4 + e->used++] = data[i];
    }
    return 0;
}

/* Appends one string and its terminator (two NULs when double-byte);
 * tab writes the "same as the previous track" mark instead. */
static int
cdtext_enc_string(struct cdt_enc *e, int type, int track, int dbcc, int msjis,
                  const char *utf8, int tab, int *lossy)
{
    static const uint8_t nul[2] = { 0, 0 }, ht[2] = { '\t', '\t' };
    struct cdt_buf s = { NULL, 0, 0 };
    int rc = 0;

    if (tab)
        rc = cdtext_buf_put(e->ctx, &s, ht, dbcc ? 2 : 1);
    else if (utf8 && *utf8)
        rc = msjis ? cdtext_utf8_to_msjis(e->ctx, utf8, &s, lossy)
                   : cdtext_utf8_to_latin1(e->ctx, utf8, &s, lossy);
    if (!rc)
        rc = cdtext_buf_put(e->ctx, &s, nul, dbcc ? 2 : 1);
    if (!rc)
        rc = cdtext_enc_put(e, type, track, dbcc, s.p, s.len, 0);
    disc_free_mem(s.p);
    return rc;
}

static int
cdtext_block_has_content(const struct disc_cdtext_block *b)
{
    int t, f;

    if (!b)
        return 0;
    if (b->genre)
        return 1;
    for (t = 0; t <= DISC_MAX_TRACKS; t++)
        for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
            if (b->text[t][f] && b->text[t][f][0])
                return 1;
    return 0;
}

/* Track range written to every block: from 1 (or the disc's first track
 * when no text lies before it) to the last track with text, widened to
 * the disc's last track when the model has tracks, so that the size
 * information agrees with the TOC. */
static void
cdtext_track_range(const struct disc *d, int *first, int *last)
{
    int blk, t, f, lo = 0, hi = 0;

    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        const struct disc_cdtext_block *b = d->cdtext[blk];
        if (!b)
            continue;
        for (t = 1; t <= DISC_MAX_TRACKS; t++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
                if (b->text[t][f] && b->text[t][f][0]) {
                    if (!lo || t < lo)
                        lo = t;
                    if (t > hi)
                        hi = t;
                }
    }
    *first = 1;
    *last = hi;
    if (d->ntracks > 0) {
        int tf = d->track[0].number, tl = d->track[d->ntracks - 1].number;
        if (tf >= 1 && tf <= DISC_MAX_TRACKS && (!lo || tf <= lo))
            *first = tf;
        if (tl <= DISC_MAX_TRACKS && tl > *last)
            *last = tl;
    }
    if (*last < *first)
        *last = *first;
}

/* Text packs of one block, type by type in ascending order: the disc
 * string, then tracks first..last (DISC_ID, GENRE and closed information
 * stop after the last track that has one, normally at the disc).  With
 * tab, a track string equal to the previous track's is written as TAB.
 * Returns 0, ENC_FULL or a negative error. */
static int
cdtext_encode_block(struct cdt_enc *e, const struct disc_cdtext_block *b,
                    int first, int last, int tab, int *lossy)
{
    int f, t, dbcc, msjis, same, rc;
    const char *s, *prev;

    for (f = 0; f < DISC_CDTEXT_NFIELDS; f++) {
        int type = field_type[f], hi = 0;
        int present = type == TYPE_GENRE && b->genre;

        for (t = 0; t <= DISC_MAX_TRACKS; t++)
            if (b->text[t][f] && b->text[t][f][0]) {
                present = 1;
                hi = t;
            }
        if (!present)
            continue;
        msjis = b->charset == CS_MSJIS && cdtext_type_is_text(type);
        dbcc = msjis;
        if (type == TYPE_GENRE) {
            uint8_t code[2];
            code[0] = (uint8_t)(b->genre >> 8);
            code[1] = (uint8_t)b->genre;
            rc = cdtext_enc_put(e, type, 0, dbcc, code, 2, -1);
            if (rc)
                return rc;
        }
        rc =
            cdtext_enc_string(e, type, 0, dbcc, msjis, b->text[0][f], 0, lossy);
        if (rc)
            return rc;
        if (!cdtext_type_disc_only(type))
            hi = last;
        else if (hi < first)
            hi = 0;
        for (t = first; hi && t <= hi; t++) {
            s = b->text[t][f];
            prev = t > first ? b->text[t - 1][f] : NULL;
            same = tab && s && *s && prev && strcmp(s, prev) == 0;
            rc = cdtext_enc_string(e, type, t, dbcc, msjis, s, same, lossy);
            if (rc)
                return rc;
        }
        cdtext_enc_close(e); /* the last pack of a type is NUL-padded */
    }
    /* Three size-information packs must still fit. */
    return e->seq > BLOCK_PACKS - 3 ? ENC_FULL : 0;
}

/* Encodes block blk after the packs already in e->out: text packs, then
 * the size information with bytes 20-27 (last sequence numbers) left
 * for the caller.  Without TAB first, which reproduces cdtext.cdt byte
 * for byte; with TAB when that does not fit in 256 packs. */
static int
cdtext_encode_one(struct cdt_enc *e, const struct disc_cdtext_block *b, int blk,
                  int first, int last, const uint8_t *langs)
{
    size_t start = e->out.len;
    uint8_t si[36];
    int i, tab, rc = ENC_FULL, lossy = 0;

    for (tab = 0; tab < 2 && rc == ENC_FULL; tab++) {
        e->out.len = start;
        e->cur = NULL;
        e->used = 0;
        e->blk = blk;
        e->seq = 0;
        memset(e->count, 0, sizeof e->count);
        lossy = 0;
        rc = cdtext_encode_block(e, b, first, last, tab, &lossy);
    }
    if (rc == ENC_FULL)
        return disc_error(e->ctx, DISC_E_UNSUPPORTED,
                          "CD-TEXT block %d "
                          "does not fit in %d packs",
                          blk, BLOCK_PACKS);
    if (rc)
        return rc;
    if (lossy)
        disc_warn(e->ctx,
                  "CD-TEXT block %d: characters that character "
                  "code 0x%02X cannot hold were written as '?'",
                  blk, b->charset);
    e->count[TYPE_SIZE - TYPE_FIRST] = 3;
    memset(si, 0, sizeof si);
    si[0] = b->charset;
    si[1] = (uint8_t)first;
    si[2] = (uint8_t)last;
    si[3] = b->copyright;
    for (i = 0; i < 16; i++)
        si[4 + i] = (uint8_t)e->count[i];
    memcpy(si + 28, langs, DISC_CDTEXT_MAX_BLOCKS);
    for (i = 0; i < 3; i++) {
        rc = cdtext_enc_put(e, TYPE_SIZE, i, 0, si + (size_t)i * PAYLOAD,
                            PAYLOAD, -1);
        if (rc < 0)
            return rc;
        cdtext_enc_close(e);
    }
    return 0;
}

int
disc_cdtext_encode(struct disc_ctx *ctx, const struct disc *d, uint8_t **packs,
                   size_t *len)
{
    struct cdt_enc e;
    uint8_t langs[DISC_CDTEXT_MAX_BLOCKS] = { 0 };
    uint8_t lastseq[DISC_CDTEXT_MAX_BLOCKS] = { 0 };
    size_t sipos[DISC_CDTEXT_MAX_BLOCKS];
    int blk, first, last, rc;

    if (!d || !packs || !len)
        return disc_error(ctx, DISC_E_ARG, "CD-TEXT: missing argument");
    *packs = NULL;
    *len = 0;
    memset(&e, 0, sizeof e);
    e.ctx = ctx;
    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++)
        if (cdtext_block_has_content(d->cdtext[blk]))
            langs[blk] = d->cdtext[blk]->language;
    cdtext_track_range(d, &first, &last);

    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        sipos[blk] = (size_t)-1;
        if (!cdtext_block_has_content(d->cdtext[blk]))
            continue;
        rc = cdtext_encode_one(&e, d->cdtext[blk], blk, first, last, langs);
        if (rc) {
            disc_free_mem(e.out.p);
            return rc;
        }
        sipos[blk] = e.out.len - (size_t)3 * PACK;
        lastseq[blk] = (uint8_t)(e.seq - 1);
    }
    /* Size-information bytes 20-27, the last sequence number of every
     * block: pack 1 bytes 8-11 and pack 2 bytes 0-3. */
    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        if (sipos[blk] == (size_t)-1)
            continue;
        e.cur = e.out.p + sipos[blk] + PACK;
        memcpy(e.cur + 4 + 8, lastseq, 4);
        e.used = PAYLOAD;
        cdtext_enc_close(&e);
        e.cur = e.out.p + sipos[blk] + (size_t)2 * PACK;
        memcpy(e.cur + 4, lastseq + 4, 4);
        e.used = PAYLOAD;
        cdtext_enc_close(&e);
    }
    if (e.out.len == 0) {
        disc_free_mem(e.out.p);
        return 0;
    }
    *packs = e.out.p;
    *len = e.out.len;
    return 0;
}

int
disc_cdtext_packs(struct disc_ctx *ctx, const struct disc *d,
                  const uint8_t **packs, size_t *len, int *owned)
{
    uint8_t *enc = NULL;
    size_t n = 0;
    int rc;

    if (!d || !packs || !len || !owned)
        return disc_error(ctx, DISC_E_ARG, "CD-TEXT: missing argument");
    *packs = NULL;
    *len = 0;
    *owned = 0;
    if (d->cdtext_raw && d->cdtext_raw_len) {
        *packs = d->cdtext_raw;
        *len = d->cdtext_raw_len;
        return 0;
    }
    rc = disc_cdtext_encode(ctx, d, &enc, &n);
    if (rc)
        return rc;
    if (n) {
        *packs = enc;
        *len = n;
        *owned = 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

const char *
disc_cdtext_language_name(uint8_t code)
{
    /* EBU Tech 3258 annex 1: European languages 0x00-0x2B, others
     * 0x45-0x7F (in reverse alphabetical order). */
    static const char *const europe[] = {
        "Unknown",       "Albanian",   "Breton",    "Catalan",    "Croatian",
        "Welsh",         "Czech",      "Danish",    "German",     "English",
        "Spanish",       "Esperanto",  "Estonian",  "Basque",     "Faroese",
        "French",        "Frisian",    "Irish",     "Gaelic",     "Galician",
        "Icelandic",     "Italian",    "Lappish",   "Latin",      "Latvian",
        "Luxembourgian", "Lithuanian", "Hungarian", "Maltese",    "Dutch",
        "Norwegian",     "Occitan",    "Polish",    "Portuguese", "Romanian",
        "Romansh",       "Serbian",    "Slovak",    "Slovenian",  "Finnish",
        "Swedish",       "Turkish",    "Flemish",   "Wallon",
    };
    static const char *const world[] = {
        "Zulu",         "Vietnamese", "Uzbek",       "Urdu",
        "Ukrainian",    "Thai",       "Telugu",      "Tatar",
        "Tamil",        "Tadzhik",    "Swahili",     "Sranan Tongo",
        "Somali",       "Sinhalese",  "Shona",       "Serbo-croat",
        "Ruthenian",    "Russian",    "Quechua",     "Pushtu",
        "Punjabi",      "Persian",    "Papamiento",  "Oriya",
        "Nepali",       "Ndebele",    "Marathi",     "Moldavian",
        "Malaysian",    "Malagasay",  "Macedonian",  "Laotian",
        "Korean",       "Khmer",      "Kazakh",      "Kannada",
        "Japanese",     "Indonesian", "Hindi",       "Hebrew",
        "Hausa",        "Gurani",     "Gujurati",    "Greek",
        "Georgian",     "Fulani",     "Dari",        "Churash",
        "Chinese",      "Burmese",    "Bulgarian",   "Bengali",
        "Bielorussian", "Bambora",    "Azerbaijani", "Assamese",
        "Armenian",     "Arabic",     "Amharic",
    };

    if (code < sizeof europe / sizeof europe[0])
        return europe[code];
    if (code >= 0x45 && code - 0x45 < (int)(sizeof world / sizeof world[0]))
        return world[code - 0x45];
    return "Unknown";
}

const char *
disc_cdtext_genre_name(uint16_t code)
{
    /* Pack 0x87 genre codes, in libcdio's cdtext.h order. */
    static const char *const genres[] = {
        "Not Used",
        "Not Defined",
        "Adult Contemporary",
        "Alternative Rock",
        "Childrens Music",
        "Classical",
        "Contemporary Christian",
        "Country",
        "Dance",
        "Easy Listening",
        "Erotic",
        "Folk",
        "Gospel",
        "Hip Hop",
        "Jazz",
        "Latin",
        "Musical",
        "New Age",
        "Opera",
        "Operetta",
        "Pop Music",
        "Rap",
        "Reggae",
        "Rock Music",
        "Rhythm & Blues",
        "Sound Effects",
        "Soundtrack",
        "Spoken Word",
        "World Music",
    };

    if (code < sizeof genres / sizeof genres[0])
        return genres[code];
    return "Unknown";
}
