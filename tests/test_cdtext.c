/* test_cdtext.c - CD-TEXT packs: known vectors, decoding checked
 * against libcdio's own decodings, encoder round trips, character codes
 * and hostile input.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md; libcdio test/data/cdtext*.cdt and
 * test/cdtext*.right (corpus libcdio/ and libcdio/expected/).
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "test.h"

#define PACK 18

static const char *const corpus_files[] = {
    "libcdio/cdtext.cdt",
    "libcdio/cdtext-krosis.cdt",
    "libcdio/cdtext-libburnia.cdt",
};

static int
crc_ok(const uint8_t *p)
{
    uint16_t crc = disc_crc16(p, 16);
    return p[16] == (uint8_t)(crc >> 8) && p[17] == (uint8_t)crc;
}

/* Fills one pack with header, 12 payload bytes (NUL-padded from n) and
 * its CRC. */
static void
mk_pack(uint8_t *p, int type, int track, int seq, int byte3,
        const void *payload, size_t n)
{
    uint16_t crc;

    p[0] = (uint8_t)type;
    p[1] = (uint8_t)track;
    p[2] = (uint8_t)seq;
    p[3] = (uint8_t)byte3;
    memset(p + 4, 0, 12);
    memcpy(p + 4, payload, n > 12 ? 12 : n);
    crc = disc_crc16(p, 16);
    p[16] = (uint8_t)(crc >> 8);
    p[17] = (uint8_t)crc;
}

/* Three size-information packs for block blk starting at sequence seq,
 * for ntype text packs of one type, languages in langs. */
static void
mk_size_info(uint8_t *p, int blk, int seq, int charset, int first, int last,
             int type, int ntype, const uint8_t lastseq[8],
             const uint8_t langs[8])
{
    uint8_t si[36] = { 0 };
    int i;

    si[0] = (uint8_t)charset;
    si[1] = (uint8_t)first;
    si[2] = (uint8_t)last;
    si[4 + (type - 0x80)] = (uint8_t)ntype;
    si[19] = 3;
    memcpy(si + 20, lastseq, 8);
    memcpy(si + 28, langs, 8);
    for (i = 0; i < 3; i++)
        mk_pack(p + i * PACK, 0x8F, i, seq + i, blk << 4, si + 12 * i, 12);
}

static uint8_t *
slurp_corpus(const char *name, size_t *len)
{
    return (uint8_t *)t_slurp(t_corpus_path(name), len);
}

/* Decodes a buffer into a new disc; NULL (with a failure) on error. */
static struct disc *
decode_new(struct disc_ctx *ctx, const uint8_t *p, size_t n)
{
    struct disc *d = disc_new(ctx);
    int rc;

    if (!d)
        return NULL;
    rc = disc_cdtext_decode(ctx, d, p, n);
    if (rc != 0) {
        t_fail(__FILE__, __LINE__, "decode returned %d: %s", rc, ctx->msg);
        disc_free(d);
        return NULL;
    }
    return d;
}

static const char *
nz(const char *s)
{
    return s ? s : "(null)";
}

/* Compares every decoded field, language, charset, copyright and genre
 * code of two discs; returns the number of differences. */
static int
same_text(const struct disc *a, const struct disc *b)
{
    int blk, t, f, ndiff = 0;

    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        const struct disc_cdtext_block *x = a->cdtext[blk];
        const struct disc_cdtext_block *y = b->cdtext[blk];
        if (!x != !y) {
            t_fail(__FILE__, __LINE__, "block %d exists in one disc only", blk);
            ndiff++;
            continue;
        }
        if (!x)
            continue;
        if (x->language != y->language || x->charset != y->charset ||
            x->copyright != y->copyright || x->genre != y->genre) {
            t_fail(__FILE__, __LINE__,
                   "block %d: language %02x/%02x "
                   "charset %02x/%02x copyright %02x/%02x genre %u/%u",
                   blk, x->language, y->language, x->charset, y->charset,
                   x->copyright, y->copyright, x->genre, y->genre);
            ndiff++;
        }
        for (t = 0; t <= DISC_MAX_TRACKS; t++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++) {
                const char *p = x->text[t][f], *q = y->text[t][f];
                if ((p || q) && (!p || !q || strcmp(p, q) != 0)) {
                    t_fail(__FILE__, __LINE__,
                           "block %d track %d %s: "
                           "\"%s\" vs \"%s\"",
                           blk, t,
                           disc_cdtext_field_name((enum disc_cdtext_field)f),
                           nz(p), nz(q));
                    ndiff++;
                }
            }
    }
    if (a->ncdtext != b->ncdtext) {
        t_fail(__FILE__, __LINE__, "ncdtext %d vs %d", a->ncdtext, b->ncdtext);
        ndiff++;
    }
    return ndiff;
}

/* ------------------------------------------------------------------ */
/* known vectors                                                 */

TEST(cdtext_vector_cdtext_cdt)
{
    static const uint8_t first[PACK] = {
        0x80, 0x00, 0x00, 0x00, 0x4A, 0x6F, 0x79, 0x66, 0x75,
        0x6C, 0x20, 0x4E, 0x69, 0x67, 0x68, 0x74, 0xF0, 0xF7,
    };
    static const uint8_t si0[12] = { 0x01, 0x01, 0x03, 0x00, 0x05, 0x06,
                                     0x06, 0x05, 0x03, 0x06, 0x01, 0x02 };
    static const uint8_t si1[12] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
                                     0x05, 0x03, 0x2D, 0x31, 0x00, 0x00 };
    static const uint8_t si2[12] = { 0x00, 0x00, 0x00, 0x00, 0x09, 0x08,
                                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    size_t len, i;
    uint8_t *p;

    NEED_CORPUS();
    p = slurp_corpus("libcdio/cdtext.cdt", &len);
    REQUIRE(p);
    CHECK_INT(1729, len);
    CHECK_INT(96, len / PACK);
    CHECK_INT(1, len % PACK);
    CHECK_INT(0, p[len - 1]);
    for (i = 0; i + PACK <= len; i += PACK)
        if (!crc_ok(p + i))
            t_fail(__FILE__, __LINE__, "pack %zu: CRC does not verify",
                   i / PACK);
    CHECK_MEM(first, p, PACK);
    /* Block 0 size information: packs 43-45, sequence 0x2B-0x2D. */
    CHECK_HEX(0x8F, p[43 * PACK]);
    CHECK_INT(0, p[43 * PACK + 1]);
    CHECK_HEX(0x2B, p[43 * PACK + 2]);
    CHECK_MEM(si0, p + 43 * PACK + 4, 12);
    CHECK_INT(1, p[44 * PACK + 1]);
    CHECK_MEM(si1, p + 44 * PACK + 4, 12);
    CHECK_INT(2, p[45 * PACK + 1]);
    CHECK_MEM(si2, p + 45 * PACK + 4, 12);
    /* Sequence numbers restart at 0 in block 1 (docs/formats/cd.md). */
    CHECK_INT(0, p[46 * PACK + 2]);
    CHECK_INT(1, (p[46 * PACK + 3] >> 4) & 7);
    CHECK_HEX(0x31, p[95 * PACK + 2]);
    free(p);
}

TEST(cdtext_vector_libburnia)
{
    size_t len, i;
    uint8_t *p;

    NEED_CORPUS();
    p = slurp_corpus("libcdio/cdtext-libburnia.cdt", &len);
    REQUIRE(p);
    CHECK_INT(1638, len);
    CHECK_INT(91, len / PACK);
    CHECK_INT(0, len % PACK);
    for (i = 0; i + PACK <= len; i += PACK)
        if (!crc_ok(p + i))
            t_fail(__FILE__, __LINE__, "pack %zu: CRC does not verify",
                   i / PACK);
    CHECK_HEX(0x38, p[16]);
    CHECK_HEX(0x3A, p[17]);
    free(p);

    /* Not a published vector, but the same property holds for krosis. */
    p = slurp_corpus("libcdio/cdtext-krosis.cdt", &len);
    REQUIRE(p);
    CHECK_INT(47 * PACK, len);
    for (i = 0; i + PACK <= len; i += PACK)
        if (!crc_ok(p + i))
            t_fail(__FILE__, __LINE__, "krosis pack %zu: bad CRC", i / PACK);
    free(p);
}

/* ------------------------------------------------------------------ */
/* Decoding against libcdio's expected output                          */

/* libcdio's decoding, as printed in expected/cdtext*.right. */
struct expect {
    int nblocks;
    char lang[DISC_CDTEXT_MAX_BLOCKS][32];
    int genre[DISC_CDTEXT_MAX_BLOCKS]; /* -1: no GENRE_CODE line */
    char genre_name[DISC_CDTEXT_MAX_BLOCKS][64];
    char
        *text[DISC_CDTEXT_MAX_BLOCKS][DISC_MAX_TRACKS + 1][DISC_CDTEXT_NFIELDS];
    int nfields;
};

static int
expect_field(const char *key)
{
    static const struct {
        const char *key;
        enum disc_cdtext_field f;
    } map[] = {
        { "TITLE", DISC_CDTEXT_TITLE },
        { "PERFORMER", DISC_CDTEXT_PERFORMER },
        { "SONGWRITER", DISC_CDTEXT_SONGWRITER },
        { "COMPOSER", DISC_CDTEXT_COMPOSER },
        { "ARRANGER", DISC_CDTEXT_ARRANGER },
        { "MESSAGE", DISC_CDTEXT_MESSAGE },
        { "DISC_ID", DISC_CDTEXT_DISCID },
        { "GENRE", DISC_CDTEXT_GENRE },
        { "UPC_EAN", DISC_CDTEXT_UPC_ISRC },
        { "ISRC", DISC_CDTEXT_UPC_ISRC },
    };
    size_t i;

    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].key, key) == 0)
            return (int)map[i].f;
    return -1;
}

/* Parses libcdio's output in place (buf is modified and must outlive
 * ex).  Returns 0, or -1 after reporting a line it does not know. */
static int
expect_parse(char *buf, struct expect *ex)
{
    char *line, *next, *colon;
    int blk = -1, track = -1, n, f;

    memset(ex, 0, sizeof *ex);
    for (n = 0; n < DISC_CDTEXT_MAX_BLOCKS; n++)
        ex->genre[n] = -1;
    for (line = buf; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line)
            continue;
        if (sscanf(line, "Language %d '", &n) == 1) {
            char *q = strchr(line, '\''), *r = q ? strchr(q + 1, '\'') : 0;
            if (n < 0 || n >= DISC_CDTEXT_MAX_BLOCKS || !q || !r)
                goto bad;
            blk = n;
            if (blk + 1 > ex->nblocks)
                ex->nblocks = blk + 1;
            snprintf(ex->lang[blk], sizeof ex->lang[blk], "%.*s",
                     (int)(r - q - 1), q + 1);
            track = -1;
            continue;
        }
        if (strcmp(line, "CD-TEXT for Disc:") == 0) {
            track = 0;
            continue;
        }
        if (sscanf(line, "CD-TEXT for Track %d:", &n) == 1) {
            if (n < 1 || n > DISC_MAX_TRACKS)
                goto bad;
            track = n;
            continue;
        }
        colon = strstr(line, ": ");
        if (!colon || blk < 0 || track < 0)
            goto bad;
        *colon = '\0';
        if (strcmp(line, "GENRE_CODE") == 0) {
            char *q = strchr(colon + 2, '('), *r = strrchr(colon + 2, ')');
            if (track != 0 || !q || !r)
                goto bad;
            ex->genre[blk] = atoi(colon + 2);
            snprintf(ex->genre_name[blk], sizeof ex->genre_name[blk], "%.*s",
                     (int)(r - q - 1), q + 1);
            continue;
        }
        f = expect_field(line);
        if (f < 0 || ex->text[blk][track][f])
            goto bad;
        ex->text[blk][track][f] = colon + 2;
        ex->nfields++;
    }
    return 0;
bad:
    t_fail(__FILE__, __LINE__, "unexpected line in libcdio output: \"%s\"",
           line);
    return -1;
}

/* Decodes name.cdt and compares it with libcdio's name.right: every
 * field libcdio lists must be ours, and we must set nothing else
 * (except closed information 0x8D, which libcdio does not decode). */
static void
check_against_libcdio(const char *cdt, const char *right, int nfields)
{
    struct disc_ctx ctx;
    struct expect *ex;
    struct disc *d;
    size_t len, rlen;
    uint8_t *p;
    char *r;
    int blk, t, f;

    NEED_CORPUS();
    t_ctx(&ctx);
    p = slurp_corpus(cdt, &len);
    r = t_slurp(t_corpus_path(right), &rlen);
    ex = calloc(1, sizeof *ex);
    if (!p || !r || !ex || expect_parse(r, ex) != 0) {
        t_fail(__FILE__, __LINE__, "cannot read %s / %s", cdt, right);
        goto out;
    }
    CHECK_INT(nfields, ex->nfields);
    d = decode_new(&ctx, p, len);
    if (!d)
        goto out;
    CHECK_INT(0, ctx.nwarn);
    CHECK_STR("", t_log);
    CHECK_INT(ex->nblocks, d->ncdtext);
    for (blk = 0; blk < DISC_CDTEXT_MAX_BLOCKS; blk++) {
        const struct disc_cdtext_block *b = d->cdtext[blk];
        if (blk >= ex->nblocks) {
            if (b)
                t_fail(__FILE__, __LINE__,
                       "block %d not in libcdio's "
                       "output",
                       blk);
            continue;
        }
        if (!b) {
            t_fail(__FILE__, __LINE__, "block %d missing", blk);
            continue;
        }
        CHECK_STR(ex->lang[blk], disc_cdtext_language_name(b->language));
        CHECK_INT(ex->genre[blk] < 0 ? 0 : ex->genre[blk], b->genre);
        if (ex->genre[blk] >= 0)
            CHECK_STR(ex->genre_name[blk], disc_cdtext_genre_name(b->genre));
        for (t = 0; t <= DISC_MAX_TRACKS; t++)
            for (f = 0; f < DISC_CDTEXT_NFIELDS; f++) {
                const char *e = ex->text[blk][t][f], *g = b->text[t][f];
                if (f == DISC_CDTEXT_CLOSED)
                    continue;
                if ((e || g) && (!e || !g || strcmp(e, g) != 0))
                    t_fail(__FILE__, __LINE__,
                           "%s block %d track %d %s: "
                           "libcdio \"%s\", we \"%s\"",
                           cdt, blk, t,
                           disc_cdtext_field_name((enum disc_cdtext_field)f),
                           nz(e), nz(g));
            }
    }
    /* Closed information (0x8D), which libcdio skips, from the packs. */
    if (strcmp(cdt, "libcdio/cdtext-krosis.cdt") == 0) {
        CHECK(!disc_cdtext_get(d, 0, 0, DISC_CDTEXT_CLOSED));
    } else {
        CHECK_STR("This is not to be shown by CD players",
                  disc_cdtext_get(d, 0, 0, DISC_CDTEXT_CLOSED));
        CHECK_STR("Dies sollten CD-Spieler nicht anzeigen.",
                  disc_cdtext_get(d, 1, 0, DISC_CDTEXT_CLOSED));
    }
    for (blk = 0; blk < d->ncdtext; blk++)
        for (t = 1; t <= DISC_MAX_TRACKS; t++)
            CHECK(!disc_cdtext_get(d, blk, t, DISC_CDTEXT_CLOSED));
    disc_free(d);
out:
    free(ex);
    free(r);
    free(p);
}

TEST(cdtext_libcdio_cdtext)
{
    check_against_libcdio("libcdio/cdtext.cdt", "libcdio/expected/cdtext.right",
                          58);
}

TEST(cdtext_libcdio_krosis)
{
    check_against_libcdio("libcdio/cdtext-krosis.cdt",
                          "libcdio/expected/cdtext-krosis.right", 62);
}

TEST(cdtext_libcdio_libburnia)
{
    check_against_libcdio("libcdio/cdtext-libburnia.cdt",
                          "libcdio/expected/cdtext-libburnia.right", 56);
}

TEST(cdtext_decode_spot_values)
{
    struct disc_ctx ctx;
    struct disc *d;
    size_t len;
    uint8_t *p;

    NEED_CORPUS();
    t_ctx(&ctx);
    p = slurp_corpus("libcdio/cdtext.cdt", &len);
    REQUIRE(p);
    d = decode_new(&ctx, p, len);
    free(p);
    REQUIRE(d);
    /* The docs/formats/cd.md list, independently of the .right parser. */
    CHECK_STR("Joyful Nights", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("United Cat Orchestra",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_PERFORMER));
    CHECK_STR("Feline classic music",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_GENRE));
    CHECK_INT(5, d->cdtext[0]->genre);
    CHECK_STR("1234567890123", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_UPC_ISRC));
    CHECK_STR("1234567890", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_DISCID));
    CHECK_STR("Song of Joy", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
    CHECK_STR("XYBLG1101234", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_UPC_ISRC));
    CHECK_STR("Freudvolle N\xc3\xa4"
              "chte",
              disc_cdtext_get(d, 1, 0, DISC_CDTEXT_TITLE));
    CHECK_HEX(0x09, d->cdtext[0]->language);
    CHECK_HEX(0x08, d->cdtext[1]->language);
    CHECK_HEX(0x01, d->cdtext[0]->charset); /* ASCII */
    CHECK_HEX(0x00, d->cdtext[1]->charset); /* ISO-8859-1 */
    CHECK_INT(0, d->cdtext[0]->copyright);
    CHECK(!disc_cdtext_get(d, 0, 4, DISC_CDTEXT_TITLE));
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

TEST(cdtext_roundtrip_corpus)
{
    size_t i, j, len, elen;
    uint8_t *p, *e;
    struct disc_ctx ctx;
    struct disc *a, *b;

    NEED_CORPUS();
    for (i = 0; i < sizeof corpus_files / sizeof corpus_files[0]; i++) {
        t_ctx(&ctx);
        p = slurp_corpus(corpus_files[i], &len);
        REQUIRE(p);
        a = decode_new(&ctx, p, len);
        if (!a) {
            free(p);
            continue;
        }
        e = NULL;
        elen = 0;
        CHECK_OK(&ctx, disc_cdtext_encode(&ctx, a, &e, &elen));
        CHECK(e && elen > 0 && elen % PACK == 0);
        for (j = 0; e && j + PACK <= elen; j += PACK)
            if (!crc_ok(e + j))
                t_fail(__FILE__, __LINE__,
                       "%s: encoded pack %zu has a "
                       "bad CRC",
                       corpus_files[i], j / PACK);
        b = e ? decode_new(&ctx, e, elen) : NULL;
        if (b) {
            CHECK_INT(0, same_text(a, b));
            disc_free(b);
        }
        CHECK_INT(0, ctx.nwarn);
        if (i == 0) {
            /* cdtext.cdt is reproduced byte for byte (its stray 0x00
             * aside).  The other two use TAB for repeats, which our
             * encoder only falls back to when a block overflows. */
            CHECK_INT(len - 1, elen);
            if (elen == len - 1)
                CHECK_MEM(p, e, elen);
        }
        disc_free_mem(e);
        disc_free(a);
        free(p);
    }
}

TEST(cdtext_encode_layout)
{
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *e = NULL;
    size_t n = 0, i;
    int seen_block1 = 0;

    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    /* 21 + 1 + 11 = 33 bytes (disc, empty track 1, track 2) over three
     * packs: strings run on across packs without restarting. */
    CHECK_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 0, DISC_CDTEXT_TITLE,
                                   "ABCDEFGHIJKLMNOPQRST"));
    CHECK_OK(&ctx,
             disc_cdtext_set(&ctx, d, 0, 2, DISC_CDTEXT_TITLE, "0123456789"));
    CHECK_OK(&ctx, disc_cdtext_set(&ctx, d, 1, 0, DISC_CDTEXT_TITLE, "x"));
    d->cdtext[1]->language = 0x0F;
    d->cdtext[1]->copyright = 0x03;
    REQUIRE_OK(&ctx, disc_cdtext_encode(&ctx, d, &e, &n));
    /* Block 0: 0x80 x3 + 0x8F x3; block 1: 0x80 x1 + 0x8F x3. */
    REQUIRE(n == 10 * PACK);
    /* Pack 0: disc string, position 0. */
    CHECK_HEX(0x80, e[0]);
    CHECK_INT(0, e[1]);
    CHECK_INT(0, e[2]);
    CHECK_HEX(0x00, e[3]);
    CHECK_MEM("ABCDEFGHIJKL", e + 4, 12);
    /* Pack 1: still the disc string, 12 characters already sent. */
    CHECK_INT(0, e[PACK + 1]);
    CHECK_INT(1, e[PACK + 2]);
    CHECK_HEX(0x0C, e[PACK + 3]);
    CHECK_MEM("MNOPQRST\0\0"
              "01",
              e + PACK + 4, 12);
    /* Pack 2: track 2's string running at its first byte, 2 chars in;
     * track 1 was the empty string at byte 9 of pack 1. */
    CHECK_INT(2, e[2 * PACK + 1]);
    CHECK_HEX(0x02, e[2 * PACK + 3]);
    CHECK_MEM("23456789\0\0\0\0", e + 2 * PACK + 4, 12);
    /* Size information of block 0. */
    CHECK_HEX(0x8F, e[3 * PACK]);
    CHECK_INT(3, e[3 * PACK + 2]);
    CHECK_HEX(0x00, e[3 * PACK + 4]);  /* ISO-8859-1 */
    CHECK_INT(1, e[3 * PACK + 5]);     /* first track */
    CHECK_INT(2, e[3 * PACK + 6]);     /* last track */
    CHECK_INT(3, e[3 * PACK + 8]);     /* 3 packs of 0x80 */
    CHECK_INT(3, e[4 * PACK + 4 + 7]); /* 3 packs of 0x8F */
    CHECK_INT(5, e[4 * PACK + 4 + 8]); /* last seq block 0 */
    CHECK_INT(3, e[4 * PACK + 4 + 9]); /* last seq block 1 */
    CHECK_HEX(0x09, e[5 * PACK + 4 + 4]);
    CHECK_HEX(0x0F, e[5 * PACK + 4 + 5]);
    /* Block 1 restarts its sequence numbers and carries its number. */
    for (i = 6 * PACK; i < n; i += PACK) {
        CHECK_INT(1, (e[i + 3] >> 4) & 7);
        if (i == 6 * PACK) {
            CHECK_INT(0, e[i + 2]);
            seen_block1 = 1;
        }
    }
    CHECK(seen_block1);
    CHECK_HEX(0x03, e[7 * PACK + 4 + 3]); /* block 1 copyright */
    CHECK_INT(2, e[7 * PACK + 4 + 2]);    /* same track range */
    for (i = 0; i < n; i += PACK)
        CHECK(crc_ok(e + i));
    disc_free_mem(e);
    disc_free(d);
}

TEST(cdtext_encode_tab_fallback)
{
    static const char title[] = "A title long enough to need four packs";
    struct disc_ctx ctx;
    struct disc *d, *back;
    uint8_t *e = NULL;
    size_t n = 0, i;
    int t, tabs = 0;

    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    /* 99 x 39 bytes: over 256 packs without TAB, 25 packs with it. */
    for (t = 1; t <= DISC_MAX_TRACKS; t++)
        REQUIRE_OK(&ctx,
                   disc_cdtext_set(&ctx, d, 0, t, DISC_CDTEXT_TITLE, title));
    REQUIRE_OK(&ctx, disc_cdtext_encode(&ctx, d, &e, &n));
    CHECK(n / PACK <= 30);
    for (i = 0; i + 1 < n; i++)
        if (e[i] == '\t' && e[i + 1] == 0)
            tabs++;
    CHECK(tabs >= 97);
    back = decode_new(&ctx, e, n);
    if (back) {
        CHECK_INT(0, same_text(d, back));
        disc_free(back);
    }
    CHECK_INT(0, ctx.nwarn);
    disc_free_mem(e);
    disc_free(d);
}

TEST(cdtext_encode_too_big)
{
    char s[200];
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *e = NULL;
    size_t n = 0;
    int t;

    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    for (t = 1; t <= 40; t++) {
        snprintf(s, sizeof s, "%03d %0150d", t, 0);
        REQUIRE_OK(&ctx,
                   disc_cdtext_set(&ctx, d, 0, t, DISC_CDTEXT_MESSAGE, s));
    }
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "256 packs",
              disc_cdtext_encode(&ctx, d, &e, &n));
    CHECK(!e);
    CHECK_INT(0, n);
    disc_free(d);
}

TEST(cdtext_encode_track_range)
{
    struct disc_ctx ctx;
    struct disc *d, *back;
    uint8_t *e = NULL;
    size_t n = 0;
    int i;

    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    /* A disc whose tracks are 3..5: the size information follows the
     * TOC and the strings after the disc's belong to track 3. */
    d->ntracks = 3;
    for (i = 0; i < 3; i++)
        d->track[i].number = (uint8_t)(3 + i);
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 0, DISC_CDTEXT_TITLE, "D"));
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 3, DISC_CDTEXT_TITLE, "T3"));
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 4, DISC_CDTEXT_TITLE, "T4"));
    REQUIRE_OK(&ctx, disc_cdtext_encode(&ctx, d, &e, &n));
    REQUIRE(n == 4 * PACK);
    CHECK_MEM("D\0T3\0T4\0\0", e + 4, 9);
    CHECK_INT(3, e[PACK + 5]);
    CHECK_INT(5, e[PACK + 6]);
    back = decode_new(&ctx, e, n);
    if (back) {
        CHECK_STR("T3", disc_cdtext_get(back, 0, 3, DISC_CDTEXT_TITLE));
        CHECK_STR("T4", disc_cdtext_get(back, 0, 4, DISC_CDTEXT_TITLE));
        CHECK(!disc_cdtext_get(back, 0, 1, DISC_CDTEXT_TITLE));
        disc_free(back);
    }
    disc_free_mem(e);
    disc_free(d);
}

TEST(cdtext_packs_raw_or_encoded)
{
    static const uint8_t raw[PACK] = { 0x80 };
    struct disc_ctx ctx;
    struct disc *d;
    const uint8_t *p;
    size_t n;
    int owned;

    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    p = raw;
    n = 99;
    owned = 7;
    CHECK_OK(&ctx, disc_cdtext_packs(&ctx, d, &p, &n, &owned));
    CHECK_INT(0, n);
    CHECK_INT(0, owned);
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 0, DISC_CDTEXT_TITLE, "X"));
    REQUIRE_OK(&ctx, disc_cdtext_packs(&ctx, d, &p, &n, &owned));
    CHECK_INT(1, owned);
    CHECK_INT(4 * PACK, n);
    CHECK(p && p[0] == 0x80 && p[4] == 'X');
    if (owned)
        disc_free_mem((void *)(uintptr_t)p);
    REQUIRE_OK(&ctx, disc_set_cdtext_raw(&ctx, d, raw, sizeof raw));
    REQUIRE_OK(&ctx, disc_cdtext_packs(&ctx, d, &p, &n, &owned));
    CHECK_INT(0, owned);
    CHECK(p == d->cdtext_raw);
    CHECK_INT(PACK, n);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Character codes                                                     */

TEST(cdtext_latin1)
{
    static const uint8_t langs[8] = { 0x08 }, lastseq[8] = { 3 };
    uint8_t p[4 * PACK], *e = NULL;
    struct disc_ctx ctx;
    struct disc *d;
    size_t n = 0;

    t_ctx(&ctx);
    /* "Nächte" (disc) and "Spät" (track 1) in ISO-8859-1. */
    mk_pack(p, 0x80, 0, 0, 0x00,
            "N\xe4"
            "chte\0Sp\xe4t",
            12);
    mk_size_info(p + PACK, 0, 1, 0x00, 1, 1, 0x80, 1, lastseq, langs);
    d = decode_new(&ctx, p, sizeof p);
    REQUIRE(d);
    CHECK_STR("N\xc3\xa4"
              "chte",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("Sp\xc3\xa4t", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
    CHECK_HEX(0x08, d->cdtext[0]->language);
    CHECK_HEX(0x00, d->cdtext[0]->charset);
    CHECK_INT(0, ctx.nwarn);
    /* And back: the encoder reproduces these very packs. */
    REQUIRE_OK(&ctx, disc_cdtext_encode(&ctx, d, &e, &n));
    CHECK_INT(sizeof p, n);
    if (n == sizeof p)
        CHECK_MEM(p, e, n);
    disc_free_mem(e);

    /* Characters beyond Latin-1 become '?' with a warning. */
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 1, DISC_CDTEXT_TITLE,
                                     "\xe2\x82\xac"
                                     "5"));
    REQUIRE_OK(&ctx, disc_cdtext_encode(&ctx, d, &e, &n));
    CHECK(ctx.nwarn == 1 && strstr(t_log, "'?'"));
    CHECK_MEM("?5", e + 4 + 7, 3);
    disc_free_mem(e);
    disc_free(d);
}

TEST(cdtext_ascii_high_bytes)
{
    static const uint8_t langs[8] = { 0x09 }, lastseq[8] = { 3 };
    uint8_t p[4 * PACK];
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    /* A block declared ASCII (0x01) with 8-bit bytes: read as Latin-1
     * rather than refused. */
    mk_pack(p, 0x81, 0, 0, 0x00, "Caf\xe9\0\xff", 7);
    mk_size_info(p + PACK, 0, 1, 0x01, 1, 1, 0x81, 1, lastseq, langs);
    d = decode_new(&ctx, p, sizeof p);
    REQUIRE(d);
    CHECK_STR("Caf\xc3\xa9", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_PERFORMER));
    CHECK_STR("\xc3\xbf", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_PERFORMER));
    CHECK_HEX(0x01, d->cdtext[0]->charset);
    CHECK_INT(0, ctx.nwarn);
    disc_free(d);
}

TEST(cdtext_msjis_decode)
{
    static const uint8_t langs[8] = { 0x69 }, lastseq[8] = { 4 };
    static const uint8_t lastseq1[8] = { 3 };
    /* Shift-JIS: disc "あい", track 1 "う", track 2 TAB (double-byte
     * "\t\t"): 6 + 4 + 4 bytes over two double-byte packs. */
    static const uint8_t text[24] = { 0x82, 0xA0, 0x82, 0xA2, 0,    0, 0x82,
                                      0xA4, 0,    0,    '\t', '\t', 0, 0 };
    uint8_t p[5 * PACK];
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    mk_pack(p, 0x80, 0, 0, 0x80, text, 12);
    mk_pack(p + PACK, 0x80, 2, 1, 0x81, text + 12, 12);
    mk_size_info(p + 2 * PACK, 0, 2, 0x80, 1, 2, 0x80, 2, lastseq, langs);
    d = decode_new(&ctx, p, sizeof p);
    REQUIRE(d);
    CHECK_STR("\xe3\x81\x82\xe3\x81\x84",
              disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("\xe3\x81\x86", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_TITLE));
    CHECK_STR("\xe3\x81\x86", disc_cdtext_get(d, 0, 2, DISC_CDTEXT_TITLE));
    CHECK_HEX(0x80, d->cdtext[0]->charset);
    CHECK_STR("Japanese", disc_cdtext_language_name(d->cdtext[0]->language));
    CHECK_INT(0, ctx.nwarn);
    disc_free(d);

    /* A byte sequence that is not MS-JIS: '?' and a warning. */
    t_ctx(&ctx);
    mk_pack(p, 0x80, 0, 0, 0x80, "\x82\xa0\xff\xff\0\0", 6);
    mk_size_info(p + PACK, 0, 1, 0x80, 1, 1, 0x80, 1, lastseq1, langs);
    d = decode_new(&ctx, p, 4 * PACK);
    REQUIRE(d);
    {
        const char *s = disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE);
        CHECK(s && strncmp(s, "\xe3\x81\x82", 3) == 0 && strchr(s, '?'));
    }
    CHECK(strstr(t_log, "replaced by '?'") != NULL);
    disc_free(d);
}

TEST(cdtext_msjis_roundtrip)
{
    /* "Yorokobi no uta", "Joyful Night" in katakana, "neko gakudan\~"
     * (backslash and tilde must survive: CP932, not glibc's SHIFT_JIS,
     * which reads them back as YEN SIGN and OVERLINE). */
    static const char disc_title[] = "\xe5\x96\x9c\xe3\x81\xb3\xe3\x81\xae"
                                     "\xe6\xad\x8c";
    static const char t1[] = "\xe3\x82\xb8\xe3\x83\xa7\xe3\x82\xa4\xe3\x83"
                             "\x95\xe3\x83\xab\xe3\x83\xbb\xe3\x83\x8a\xe3"
                             "\x82\xa4\xe3\x83\x88";
    static const char perf[] = "\xe7\x8c\xab\xe6\xa5\xbd\xe5\x9b\xa3\\~";
    struct disc_ctx ctx;
    struct disc *d, *back;
    uint8_t *e = NULL;
    size_t n = 0, i;
    int dbcc_text = 0, plain_isrc = 0;

    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx,
               disc_cdtext_set(&ctx, d, 0, 0, DISC_CDTEXT_TITLE, disc_title));
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 1, DISC_CDTEXT_TITLE, t1));
    REQUIRE_OK(&ctx,
               disc_cdtext_set(&ctx, d, 0, 1, DISC_CDTEXT_PERFORMER, perf));
    REQUIRE_OK(&ctx, disc_cdtext_set(&ctx, d, 0, 1, DISC_CDTEXT_UPC_ISRC,
                                     "JPABC1234567"));
    REQUIRE_OK(&ctx,
               disc_cdtext_set(&ctx, d, 0, 0, DISC_CDTEXT_GENRE, "J-Pop"));
    d->cdtext[0]->charset = 0x80;
    d->cdtext[0]->language = 0x69;
    d->cdtext[0]->genre = 20;
    REQUIRE_OK(&ctx, disc_cdtext_encode(&ctx, d, &e, &n));
    CHECK_INT(0, ctx.nwarn);
    /* Disc title: 8 bytes of MS-JIS, then two NULs, then track 1. */
    CHECK_MEM("\x8a\xec\x82\xd1\x82\xcc\x89\xcc\0\0", e + 4, 10);
    CHECK(e[14] != 0);
    for (i = 0; i < n; i += PACK) {
        CHECK(crc_ok(e + i));
        if (e[i] == 0x80 || e[i] == 0x81)
            dbcc_text += (e[i + 3] & 0x80) != 0;
        if (e[i] == 0x8E || e[i] == 0x87 || e[i] == 0x8F) {
            CHECK((e[i + 3] & 0x80) == 0);
            plain_isrc += e[i] == 0x8E;
        } else {
            CHECK(e[i + 3] & 0x80);
        }
    }
    CHECK(dbcc_text > 0);
    CHECK(plain_isrc > 0);
    back = decode_new(&ctx, e, n);
    if (back) {
        CHECK_INT(0, same_text(d, back));
        CHECK_STR(perf, disc_cdtext_get(back, 0, 1, DISC_CDTEXT_PERFORMER));
        disc_free(back);
    }
    CHECK_INT(0, ctx.nwarn);
    disc_free_mem(e);
    disc_free(d);
}

TEST(cdtext_tab_single_byte)
{
    static const uint8_t langs[8] = { 0x09 }, lastseq[8] = { 3 };
    uint8_t p[4 * PACK];
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    /* disc "", track 1 "Ab", tracks 2-3 TAB, track 4 "C". */
    mk_pack(p, 0x82, 0, 0, 0x00, "\0Ab\0\t\0\t\0C\0", 11);
    mk_size_info(p + PACK, 0, 1, 0x00, 1, 4, 0x82, 1, lastseq, langs);
    d = decode_new(&ctx, p, 4 * PACK);
    REQUIRE(d);
    CHECK(!disc_cdtext_get(d, 0, 0, DISC_CDTEXT_SONGWRITER));
    CHECK_STR("Ab", disc_cdtext_get(d, 0, 1, DISC_CDTEXT_SONGWRITER));
    CHECK_STR("Ab", disc_cdtext_get(d, 0, 2, DISC_CDTEXT_SONGWRITER));
    CHECK_STR("Ab", disc_cdtext_get(d, 0, 3, DISC_CDTEXT_SONGWRITER));
    CHECK_STR("C", disc_cdtext_get(d, 0, 4, DISC_CDTEXT_SONGWRITER));
    CHECK_INT(0, ctx.nwarn);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Framing and hostile input                                           */

TEST(cdtext_read_toc_header)
{
    struct disc_ctx ctx;
    struct disc *a, *b;
    uint8_t *p, *q;
    size_t len;

    NEED_CORPUS();
    t_ctx(&ctx);
    p = slurp_corpus("libcdio/cdtext.cdt", &len);
    REQUIRE(p);
    len -= 1; /* drop the stray byte */
    q = malloc(len + 5);
    REQUIRE(q);
    /* READ TOC format 5: BE16 length of what follows it, 2 reserved. */
    q[0] = (uint8_t)((len + 2) >> 8);
    q[1] = (uint8_t)(len + 2);
    q[2] = q[3] = 0;
    memcpy(q + 4, p, len);
    q[len + 4] = 0;
    a = decode_new(&ctx, p, len);
    b = decode_new(&ctx, q, len + 4);
    if (a && b)
        CHECK_INT(0, same_text(a, b));
    disc_free(b);
    /* The header and a stray trailing byte together. */
    b = decode_new(&ctx, q, len + 5);
    if (a && b)
        CHECK_INT(0, same_text(a, b));
    CHECK_INT(0, ctx.nwarn);
    disc_free(a);
    disc_free(b);
    /* A length field that does not match is not a header. */
    q[1] ^= 1;
    b = disc_new(&ctx);
    REQUIRE(b);
    CHECK_ERR(&ctx, DISC_E_FORMAT, "18-byte packs",
              disc_cdtext_decode(&ctx, b, q, len + 4));
    disc_free(b);
    free(q);
    free(p);
}

TEST(cdtext_length_checks)
{
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *p, *big;
    size_t len;

    NEED_CORPUS();
    t_ctx(&ctx);
    p = slurp_corpus("libcdio/cdtext.cdt", &len);
    REQUIRE(p);
    d = disc_new(&ctx);
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_FORMAT, "not a whole number",
              disc_cdtext_decode(&ctx, d, p, 1000));
    CHECK_ERR(&ctx, DISC_E_FORMAT, "not a whole number",
              disc_cdtext_decode(&ctx, d, p, 17));
    CHECK_ERR(&ctx, DISC_E_FORMAT, "not a whole number",
              disc_cdtext_decode(&ctx, d, p, 20));
    CHECK_INT(0, d->ncdtext);
    /* Nothing at all is no CD-TEXT, not an error. */
    CHECK_OK(&ctx, disc_cdtext_decode(&ctx, d, p, 0));
    CHECK_ERR(&ctx, DISC_E_ARG, NULL, disc_cdtext_decode(&ctx, d, NULL, 18));
    /* More packs than 8 blocks of 256 can hold. */
    big = calloc(2049, PACK);
    REQUIRE(big);
    CHECK_ERR(&ctx, DISC_E_FORMAT, "2049 packs",
              disc_cdtext_decode(&ctx, d, big, 2049 * PACK));
    /* Packs whose type byte is no pack type at all. */
    t_ctx(&ctx);
    CHECK_ERR(&ctx, DISC_E_FORMAT, "pack type",
              disc_cdtext_decode(&ctx, d, big, 4 * PACK));
    CHECK(ctx.nwarn >= 4);
    free(big);
    disc_free(d);
    free(p);
}

TEST(cdtext_truncated)
{
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *p;
    size_t len;

    NEED_CORPUS();
    t_ctx(&ctx);
    p = slurp_corpus("libcdio/cdtext.cdt", &len);
    REQUIRE(p);
    /* Cut at a pack boundary inside block 0's ARRANGER packs: the
     * size information is gone, the text so far still decodes. */
    d = disc_new(&ctx);
    REQUIRE(d);
    CHECK_OK(&ctx, disc_cdtext_decode(&ctx, d, p, 23 * PACK));
    CHECK(ctx.nwarn >= 1);
    CHECK(strstr(t_log, "no size information") != NULL);
    CHECK_STR("Joyful Nights", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("Tom Cat", disc_cdtext_get(d, 0, 0, DISC_CDTEXT_ARRANGER));
    CHECK(!disc_cdtext_get(d, 0, 0, DISC_CDTEXT_MESSAGE));
    disc_free(d);
    /* Block 1 cut in its middle: block 0 intact, block 1 partial. */
    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    CHECK_OK(&ctx, disc_cdtext_decode(&ctx, d, p, 60 * PACK));
    CHECK(ctx.nwarn >= 1);
    CHECK_STR("Mia Kitten", disc_cdtext_get(d, 0, 3, DISC_CDTEXT_ARRANGER));
    CHECK_STR("Freudvolle N\xc3\xa4"
              "chte",
              disc_cdtext_get(d, 1, 0, DISC_CDTEXT_TITLE));
    /* Without its own size information block 1 still finds its
     * language in block 0's table. */
    CHECK_HEX(0x08, d->cdtext[1]->language);
    disc_free(d);
    free(p);
}

TEST(cdtext_block_bits)
{
    static const uint8_t langs[8] = { 0 },
                         lastseq[8] = { 0, 0, 0, 0, 0, 0, 0, 3 };
    uint8_t p[4 * PACK];
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    /* Byte 3 = 0xF0: block 7 (the largest 3-bit number) with the
     * double-byte flag; a decoder reading 4 bits would see block 15. */
    mk_pack(p, 0x80, 0, 0, 0xF0, "Z\0\0", 3);
    mk_size_info(p + PACK, 7, 1, 0x00, 1, 1, 0x80, 1, lastseq, langs);
    d = decode_new(&ctx, p, sizeof p);
    REQUIRE(d);
    CHECK_INT(8, d->ncdtext);
    REQUIRE(d->cdtext[7] != NULL);
    CHECK_STR("Z", disc_cdtext_get(d, 7, 0, DISC_CDTEXT_TITLE));
    CHECK(!d->cdtext[0]);
    disc_free(d);
}

TEST(cdtext_bad_crc)
{
    struct disc_ctx ctx;
    struct disc *a, *b;
    uint8_t *p, *q;
    size_t len;

    NEED_CORPUS();
    t_ctx(&ctx);
    p = slurp_corpus("libcdio/cdtext.cdt", &len);
    REQUIRE(p);
    q = malloc(len);
    REQUIRE(q);
    memcpy(q, p, len);
    q[5 * PACK + 16] ^= 0x55;
    /* A Plextor PX-W5224TA zeroes the last pack's CRC. */
    q[95 * PACK + 16] = q[95 * PACK + 17] = 0;
    a = decode_new(&ctx, p, len);
    b = decode_new(&ctx, q, len);
    if (a && b)
        CHECK_INT(0, same_text(a, b));
    CHECK_INT(2, ctx.nwarn);
    CHECK(strstr(t_log, "pack 5 ") != NULL);
    CHECK(strstr(t_log, "pack 95 ") != NULL);
    CHECK(strstr(t_log, "zero CRC") != NULL);
    disc_free(a);
    disc_free(b);
    free(q);
    free(p);
}

static uint32_t rng_state = 12345;

static uint32_t
rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

TEST(cdtext_random_bytes)
{
    uint8_t *buf = malloc(300 * PACK), *e;
    struct disc_ctx ctx;
    struct disc *d, *back;
    size_t len, i, n;
    int iter, rc, ok = 0;

    REQUIRE(buf);
    for (iter = 0; iter < 400; iter++) {
        len = (size_t)(rng() % 300) * PACK + (iter % 7 == 0 ? rng() % 2 : 0);
        for (i = 0; i < len; i++)
            buf[i] = (uint8_t)rng();
        /* Mostly plausible headers so the deeper paths run too. */
        for (i = 0; iter % 2 && i + PACK <= len; i += PACK) {
            uint16_t crc;
            buf[i] = (uint8_t)(0x80 | (rng() % 16));
            buf[i + 1] = (uint8_t)(rng() % 120);
            if (rng() % 4) {
                crc = disc_crc16(buf + i, 16);
                buf[i + 16] = (uint8_t)(crc >> 8);
                buf[i + 17] = (uint8_t)crc;
            }
        }
        t_ctx(&ctx);
        d = disc_new(&ctx);
        REQUIRE(d);
        rc = disc_cdtext_decode(&ctx, d, buf, len);
        CHECK(rc == 0 || rc == DISC_E_FORMAT);
        if (rc == 0) {
            ok++;
            /* Whatever came out must encode and decode again. */
            e = NULL;
            n = 0;
            rc = disc_cdtext_encode(&ctx, d, &e, &n);
            CHECK(rc == 0 || rc == DISC_E_UNSUPPORTED);
            if (rc == 0 && n) {
                back = disc_new(&ctx);
                REQUIRE(back);
                CHECK_OK(&ctx, disc_cdtext_decode(&ctx, back, e, n));
                disc_free(back);
            }
            disc_free_mem(e);
        }
        disc_free(d);
    }
    CHECK(ok > 100);
    free(buf);
}

TEST(cdtext_alloc_failures)
{
    struct disc_ctx ctx;
    struct disc *d;
    uint8_t *p, *e;
    size_t len, n, base;
    long k;
    int rc, done = 0;

    NEED_CORPUS();
    p = slurp_corpus("libcdio/cdtext.cdt", &len);
    REQUIRE(p);
    base = disc_alloc_live();
    for (k = 1; k < 5000 && !done; k++) {
        t_ctx(&ctx);
        d = disc_new(&ctx);
        REQUIRE(d);
        disc_alloc_fail_at(k);
        rc = disc_cdtext_decode(&ctx, d, p, len);
        if (rc == 0) {
            e = NULL;
            n = 0;
            rc = disc_cdtext_encode(&ctx, d, &e, &n);
            disc_free_mem(e);
        }
        if (!disc_alloc_failed())
            done = 1;
        disc_alloc_fail_at(0);
        disc_alloc_reset();
        if (!done)
            CHECK_INT(DISC_E_NOMEM, rc);
        disc_free(d);
        CHECK_INT(base, disc_alloc_live());
    }
    CHECK(done);
    CHECK(k > 50);
    free(p);
}

TEST(cdtext_names)
{
    CHECK_STR("English", disc_cdtext_language_name(0x09));
    CHECK_STR("German", disc_cdtext_language_name(0x08));
    CHECK_STR("Spanish", disc_cdtext_language_name(0x0A));
    CHECK_STR("French", disc_cdtext_language_name(0x0F));
    CHECK_STR("Italian", disc_cdtext_language_name(0x15));
    CHECK_STR("Japanese", disc_cdtext_language_name(0x69));
    CHECK_STR("Wallon", disc_cdtext_language_name(0x2B));
    CHECK_STR("Zulu", disc_cdtext_language_name(0x45));
    CHECK_STR("Chinese", disc_cdtext_language_name(0x75));
    CHECK_STR("Korean", disc_cdtext_language_name(0x65));
    CHECK_STR("Amharic", disc_cdtext_language_name(0x7F));
    CHECK_STR("Unknown", disc_cdtext_language_name(0x00));
    CHECK_STR("Unknown", disc_cdtext_language_name(0x30));
    CHECK_STR("Unknown", disc_cdtext_language_name(0xFF));
    CHECK_STR("Not Used", disc_cdtext_genre_name(0));
    CHECK_STR("Not Defined", disc_cdtext_genre_name(1));
    CHECK_STR("Adult Contemporary", disc_cdtext_genre_name(2));
    CHECK_STR("Classical", disc_cdtext_genre_name(5));
    CHECK_STR("Pop Music", disc_cdtext_genre_name(20));
    CHECK_STR("Soundtrack", disc_cdtext_genre_name(26));
    CHECK_STR("World Music", disc_cdtext_genre_name(28));
    CHECK_STR("Unknown", disc_cdtext_genre_name(29));
    CHECK_STR("Unknown", disc_cdtext_genre_name(0xFFFF));
}
