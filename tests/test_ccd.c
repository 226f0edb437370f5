/* test_ccd.c - the CloneCD reader and writer: known vectors, round
 * trips, Q frames of the written .sub, ccd2iso, rejection and quirks.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/ccd.md, docs/formats/cd.md.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "fixture.h"
#include "test.h"

extern const struct disc_format disc_fmt_ccd;
extern const struct disc_format disc_fmt_cue;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Copies tests/data/ccd/<name> into the test directory as <as>. */
static int
cc_fixture(const char *name, const char *as)
{
    char rel[256];

    snprintf(rel, sizeof rel, "ccd/%s", name);
    return fx_copy_data(rel, as);
}

/* A file of size bytes of a seeded pseudo-random pattern. */
static int
cc_pattern(const char *path, long long size, unsigned seed)
{
    static uint8_t buf[1 << 16];
    uint32_t x = seed * 2654435761u + 1;
    FILE *f = fopen(path, "wb");
    int ok = 1;

    if (!f)
        return -1;
    while (size > 0 && ok) {
        size_t n = size > (long long)sizeof buf ? sizeof buf : (size_t)size;
        size_t i;
        for (i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (uint8_t)x;
        }
        ok = fwrite(buf, 1, n, f) == n;
        size -= (long long)n;
    }
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

static int
cc_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
         int lossy)
{
    struct disc_write_opts o;

    memset(&o, 0, sizeof o);
    o.allow_lossy = lossy;
    return disc_write(ctx, d, &disc_fmt_ccd, path, &o);
}

/* 1 if two files have the same bytes (cmp(1) runs outside valgrind). */
static int
cc_same_file(const char *a, const char *b)
{
    if (t_file_size(a) < 0 || t_file_size(a) != t_file_size(b))
        return 0;
    return t_run(NULL, 0, "cmp -s '%s' '%s'", a, b) == 0;
}

/* Compares two text files, reporting the first differing line. */
static void
cc_text_eq(const char *file, int line, const char *a, const char *b)
{
    char *x = t_slurp(a, NULL), *y = t_slurp(b, NULL);
    const char *p, *q;
    int ln = 1;

    if (!x || !y) {
        t_fail(file, line, "cannot read %s or %s", a, b);
        goto out;
    }
    for (p = x, q = y; *p && *p == *q; p++, q++)
        if (*p == '\n')
            ln++;
    if (*p || *q) {
        size_t n = strcspn(p, "\n"), m = strcspn(q, "\n");
        t_fail(file, line,
               "%s and %s differ at line %d: \"%.*s\" vs "
               "\"%.*s\"",
               a, b, ln, (int)n, p, (int)m, q);
    }
out:
    free(x);
    free(y);
}

#define CHECK_TEXT_EQ(a, b) cc_text_eq(__FILE__, __LINE__, (a), (b))

/* 1 if the text file contains s. */
static int
cc_contains(const char *path, const char *s)
{
    char *x = t_slurp(path, NULL);
    int r = x && strstr(x, s) != NULL;

    free(x);
    return r;
}

/* Replaces the value of the first "key=" line after anchor in a text
 * file (in place); 0 or -1. */
static int
cc_set_key(const char *path, const char *anchor, const char *key,
           const char *value)
{
    size_t n, klen = strlen(key);
    char *x = t_slurp(path, &n), *a, *k, *end, *out;
    int r = -1;

    if (!x)
        return -1;
    a = strstr(x, anchor);
    for (k = a; k && (k = strstr(k, key)); k++)
        if (k[-1] == '\n' && k[klen] == '=')
            break;
    if (k) {
        end = strchr(k, '\n');
        out = malloc(n + strlen(value) + 2);
        if (end && out) {
            size_t pre = (size_t)(k - x) + klen + 1;
            memcpy(out, x, pre);
            strcpy(out + pre, value);
            strcat(out + pre, end);
            r = t_write_file(path, out, strlen(out));
        }
        free(out);
    }
    free(x);
    return r;
}

/* Replaces the first occurrence of old after anchor with new. */
static int
cc_replace(const char *path, const char *anchor, const char *old,
           const char *new)
{
    size_t n;
    char *x = t_slurp(path, &n), *a, *k, *out;
    int r = -1;

    if (!x)
        return -1;
    a = strstr(x, anchor);
    k = a ? strstr(a, old) : NULL;
    out = malloc(n + strlen(new) + 1);
    if (k && out) {
        memcpy(out, x, (size_t)(k - x));
        strcpy(out + (k - x), new);
        strcat(out, k + strlen(old));
        r = t_write_file(path, out, strlen(out));
    }
    free(out);
    free(x);
    return r;
}

/* Compares the subchannel each disc serves for every track sector. */
static int
cc_same_sub(struct disc_ctx *ctx, const struct disc *a, const struct disc *b,
            char *why, size_t len)
{
    static uint8_t sa[DISC_CHUNK * DISC_SECTOR_SUB];
    static uint8_t sb[DISC_CHUNK * DISC_SECTOR_SUB];
    int i;

    for (i = 0; i < a->ntracks; i++) {
        disc_lba l = a->track[i].index[0], end = disc_track_end(a, i);
        while (l < end) {
            uint32_t n = (uint32_t)(end - l), k;
            if (n > DISC_CHUNK)
                n = DISC_CHUNK;
            if (disc_read_sectors(ctx, a, l, n, NULL, sa) != 0 ||
                disc_read_sectors(ctx, b, l, n, NULL, sb) != 0) {
                snprintf(why, len, "read error at LBA %d: %.80s", l, ctx->msg);
                return 0;
            }
            for (k = 0; k < n; k++)
                if (memcmp(sa + k * DISC_SECTOR_SUB, sb + k * DISC_SECTOR_SUB,
                           DISC_SECTOR_SUB) != 0) {
                    snprintf(why, len, "subchannel differs at LBA %d",
                             l + (disc_lba)k);
                    return 0;
                }
            l += (disc_lba)n;
        }
    }
    return 1;
}

/* 1 if the directory holds a file whose name contains s. */
static int
cc_dir_has(const char *s)
{
    DIR *dp = opendir(".");
    struct dirent *de;
    int found = 0;

    if (!dp)
        return 0;
    while ((de = readdir(dp)))
        if (strstr(de->d_name, s))
            found = 1;
    closedir(dp);
    return found;
}

/* ------------------------------------------------------------------ */
/* An independent check of Q frames (docs/formats/cd.md), written from   */
/* the document, not from core/subchannel.c                            */

static uint16_t
cc_crc16(const uint8_t *p, size_t n)
{
    uint16_t c = 0;
    size_t i;
    int b;

    for (i = 0; i < n; i++) {
        c ^= (uint16_t)(p[i] << 8);
        for (b = 0; b < 8; b++)
            c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
    }
    return (uint16_t)~c;
}

static uint8_t
cc_bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | v % 10);
}

/* 1 if q[0..2] is the BCD MSF of a frame count. */
static int
cc_msf_is(const uint8_t *q, int32_t frames)
{
    return q[0] == cc_bcd(frames / 4500) && q[1] == cc_bcd(frames / 75 % 60) &&
           q[2] == cc_bcd(frames % 75);
}

/* Checks every sector of a written .sub against the disc's track table:
 * CRC, CONTROL, track, index, relative time (counting down in pregaps),
 * absolute time, P flag, MCN and ISRC frames, and that MCN/ISRC frames
 * occur in the first 100 sectors of each track (libMirage).
 * The IMG/SUB layout is recomputed here: each session's program area
 * from its first track's INDEX 00, back to back. */
static int
cc_check_sub(const struct disc *d, const char *path, char *why, size_t len)
{
    size_t size;
    uint8_t *buf = (uint8_t *)t_slurp(path, &size);
    int64_t k = 0, total = 0;
    int s, t, ok = 0;
    int mcn_seen[DISC_MAX_TRACKS] = { 0 }, isrc_seen[DISC_MAX_TRACKS] = { 0 };

    if (!buf) {
        snprintf(why, len, "cannot read %s", path);
        return 0;
    }
    for (s = 0; s < d->nsessions; s++) {
        int a = disc_track_find(d, d->session[s].first_track);
        total += d->session[s].leadout - d->track[a].index[0];
    }
    if ((int64_t)size != total * 96) {
        snprintf(why, len, "%s: %zu bytes, expected %lld", path, size,
                 (long long)(total * 96));
        goto out;
    }
    for (s = 0; s < d->nsessions; s++) {
        int a = disc_track_find(d, d->session[s].first_track);
        int b = disc_track_find(d, d->session[s].last_track);
        disc_lba l;
        for (l = d->track[a].index[0]; l < d->session[s].leadout; l++, k++) {
            const uint8_t *sub = buf + k * 96, *q = sub + 12;
            const struct disc_track *tr;
            int idx = 1, n, adr, i;
            int32_t rel;
            t = a;
            while (t < b && d->track[t + 1].index[0] <= l)
                t++;
            tr = &d->track[t];
            if (l < tr->index[1])
                idx = 0;
            for (n = 2; n <= tr->last_index; n++)
                if (tr->index[n] <= l)
                    idx = n;
            rel = idx == 0 ? tr->index[1] - l : l - tr->index[1];
            for (i = 0; i < 12; i++)
                if (sub[i] != (idx == 0 ? 0xFF : 0x00)) {
                    snprintf(why, len,
                             "LBA %d: P byte %d is %02x in index "
                             "%d",
                             l, i, sub[i], idx);
                    goto out;
                }
            for (i = 24; i < 96; i++)
                if (sub[i]) {
                    snprintf(why, len, "LBA %d: R-W not zero", l);
                    goto out;
                }
            if (cc_crc16(q, 10) != (q[10] << 8 | q[11])) {
                snprintf(why, len, "LBA %d: Q CRC %02x%02x, expected %04x", l,
                         q[10], q[11], cc_crc16(q, 10));
                goto out;
            }
            if (q[0] >> 4 != tr->control) {
                snprintf(why, len, "LBA %d: CONTROL %x, track %d has %x", l,
                         q[0] >> 4, tr->number, tr->control);
                goto out;
            }
            adr = q[0] & 15;
            if (adr == 1) {
                if (q[1] != cc_bcd(tr->number) || q[2] != cc_bcd(idx) ||
                    !cc_msf_is(q + 3, rel) || q[6] != 0 ||
                    !cc_msf_is(q + 7, l + 150)) {
                    snprintf(why, len,
                             "LBA %d: Q %02x %02x %02x %02x %02x "
                             "%02x %02x %02x %02x %02x, expected track %d "
                             "index %d rel %d abs %d",
                             l, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7],
                             q[8], q[9], tr->number, idx, rel, l + 150);
                    goto out;
                }
            } else if (adr == 2) {
                char m[14];
                for (i = 0; i < 13; i++)
                    m[i] = (char)('0' + (i % 2 ? q[1 + i / 2] & 15
                                               : q[1 + i / 2] >> 4));
                m[13] = '\0';
                if (!d->mcn[0] || strcmp(m, d->mcn) != 0 || (q[7] & 15) ||
                    q[8] || q[9] != cc_bcd((l + 150) % 75)) {
                    snprintf(why, len,
                             "LBA %d: MCN frame \"%s\" (disc has "
                             "\"%s\")",
                             l, m, d->mcn);
                    goto out;
                }
                if (l - tr->index[0] < 100)
                    mcn_seen[t] = 1;
            } else if (adr == 3) {
                char c[13];
                uint32_t v = (uint32_t)q[1] << 24 | (uint32_t)q[2] << 16 |
                             (uint32_t)q[3] << 8 | q[4];
                for (i = 0; i < 5; i++) {
                    unsigned x = v >> (26 - 6 * i) & 63;
                    c[i] = (char)(x < 10 ? '0' + x : 'A' + x - 17);
                }
                for (i = 0; i < 7; i++)
                    c[5 + i] = (char)('0' + (i % 2 ? q[5 + i / 2] & 15
                                                   : q[5 + i / 2] >> 4));
                c[12] = '\0';
                if (!tr->isrc[0] || disc_track_is_data(tr) ||
                    strcmp(c, tr->isrc) != 0 || (v & 3) || (q[8] & 15) ||
                    q[9] != cc_bcd((l + 150) % 75)) {
                    snprintf(why, len,
                             "LBA %d: ISRC frame \"%s\" in track "
                             "%d (ISRC \"%s\")",
                             l, c, tr->number, tr->isrc);
                    goto out;
                }
                if (l - tr->index[0] < 100)
                    isrc_seen[t] = 1;
            } else {
                snprintf(why, len, "LBA %d: ADR %d", l, adr);
                goto out;
            }
        }
    }
    for (t = 0; t < d->ntracks; t++) {
        if (d->mcn[0] && !mcn_seen[t]) {
            snprintf(why, len,
                     "track %d: no MCN frame in its first 100 "
                     "sectors",
                     d->track[t].number);
            goto out;
        }
        if (d->track[t].isrc[0] && !isrc_seen[t]) {
            snprintf(why, len,
                     "track %d: no ISRC frame in its first 100 "
                     "sectors",
                     d->track[t].number);
            goto out;
        }
    }
    ok = 1;
out:
    free(buf);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Probe and known vectors                                       */

TEST(ccd_probe_first_line)
{
    static const uint8_t a[32] = "[CloneCD]\r\nVersion=3\r\n";
    static const uint8_t b[32] = "\xEF\xBB\xBF[CloneCD]\nVersion=3\n";
    static const uint8_t c[32] = "FILE \"x.bin\" BINARY\n";
    static const uint8_t e[32] = "[Disc]\n[CloneCD]\n";

    CHECK_INT(100, disc_fmt_ccd.probe(a, 22, "x.ccd"));
    CHECK_INT(100, disc_fmt_ccd.probe(b, 24, "x"));
    CHECK_INT(0, disc_fmt_ccd.probe(c, 20, "x.ccd"));
    CHECK_INT(0, disc_fmt_ccd.probe(e, 17, "x.ccd"));
}

/* docs/formats/ccd.md: the DiscImageCreator example CCD with a 47,040,000-byte
 * IMG and a 1,920,000- byte SUB is 2 tracks: Mode 1 at LBA 0 (10000 sectors)
 * and audio with INDEX 00 at 10000 and INDEX 01 at 10150. */
TEST(ccd_read_formats_example)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    const struct disc_extent *e;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("formats-4.4.ccd", "ex.ccd") == 0);
    REQUIRE(fx_sparse("ex.img", 47040000) == 0);
    REQUIRE(fx_sparse("ex.sub", 1920000) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "ex.ccd", NULL, &d));
    CHECK(d->format == &disc_fmt_ccd);
    CHECK_INT(1, d->nsessions);
    CHECK_INT(2, d->ntracks);
    CHECK_INT(DISC_MODE_MODE1, d->track[0].mode);
    CHECK_INT(DISC_CTL_DATA, d->track[0].control);
    CHECK_INT(0, d->track[0].index[0]);
    CHECK_INT(0, d->track[0].index[1]);
    CHECK_INT(10000, disc_track_length(d, 0));
    CHECK_INT(DISC_MODE_AUDIO, d->track[1].mode);
    CHECK_INT(10000, d->track[1].index[0]);
    CHECK_INT(10150, d->track[1].index[1]);
    CHECK_INT(20000, d->session[0].leadout);
    CHECK_INT(0, d->session[0].type);
    CHECK_INT(5, d->nrawtoc);
    CHECK_INT(DISC_SUB_CAPTURED, d->sub);
    /* Track 2 at IMG offset 10000 x 2352 with its SUB alongside. */
    e = disc_extent_find(d, 10000);
    REQUIRE(e);
    CHECK_INT(10000LL * 2352, e->offset);
    CHECK_INT(DISC_SUBL_SEPARATE, e->sub);
    CHECK_INT(10000LL * 96, e->sub_offset);
    /* The entries say nothing the model would not regenerate. */
    CHECK(!(disc_features(d) & DISC_CAP_RAWTOC));
    CHECK_INT(0, ctx.nwarn);
    disc_free(d);
}

/* The writer, from a model alone, produces the 4.4 text byte for byte;
 * and the 4.4 file read and written again is unchanged. */
TEST(ccd_write_formats_example_text)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 10000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 9850, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d, *e = NULL;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "out.ccd", 0));
    REQUIRE(cc_fixture("formats-4.4.ccd", "ex.ccd") == 0);
    CHECK_TEXT_EQ("ex.ccd", "out.ccd");
    CHECK_INT(47040000, t_file_size("out.img"));
    CHECK_INT(1920000, t_file_size("out.sub"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "out.ccd", NULL, &e));
    REQUIRE_OK(&ctx, cc_write(&ctx, e, "again.ccd", 0));
    CHECK_TEXT_EQ("ex.ccd", "again.ccd");
    CHECK(cc_same_file("out.img", "again.img"));
    CHECK(cc_same_file("out.sub", "again.sub"));
    disc_free(e);
    disc_free(d);
}

/* docs/formats/ccd.md: a PS1 CCD (one Mode 2 track); PLBA = F - 150 on every
 * line, so no disagreement is reported. */
TEST(ccd_read_ps1_snippet)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("ps1.ccd", "ps1.ccd") == 0);
    REQUIRE(fx_sparse("ps1.img", 310129LL * 2352) == 0);
    REQUIRE(fx_sparse("ps1.sub", 310129LL * 96) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "ps1.ccd", NULL, &d));
    CHECK_INT(1, d->ntracks);
    CHECK_INT(DISC_MODE_MODE2_MIXED, d->track[0].mode);
    CHECK_INT(DISC_CTL_DATA, d->track[0].control);
    CHECK_INT(DISC_TYPE_XA, d->session[0].type);
    CHECK_INT(310129, d->session[0].leadout);
    CHECK_INT(0, d->track[0].index[1]);
    CHECK_INT(4, d->nrawtoc);
    CHECK(!strstr(t_log, "disagrees"));
    CHECK_INT(0, ctx.nwarn);
    disc_free(d);
}

/* docs/formats/ccd.md: CDTextLength=90 with [CDText] Entries=4 is rejected. */
TEST(ccd_reject_cdtext_length)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("bad/cdtext-length.ccd", "x.ccd") == 0);
    REQUIRE(fx_sparse("x.img", 47040000) == 0);
    CHECK_ERR(&ctx, DISC_E_FORMAT, "x.ccd:7: CDTextLength=90",
              disc_open_image(&ctx, "x.ccd", NULL, &d));
    CHECK(d == NULL);
}

/* docs/formats/ccd.md: A0 PSec=32 gives PLBA=6750; C0 97:26:66 gives -11634.
 * Both come out of the writer and read back unchanged. */
TEST(ccd_write_plba_vectors)
{
    static const struct fx_track xa[] = {
        { DISC_MODE_MODE2_MIXED, 1, 0, 300, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d, *e = NULL;
    uint16_t i;
    int c0 = 0;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, xa, 1, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "xa.ccd", 0));
    CHECK(cc_contains("xa.ccd",
                      "[Entry 0]\nSession=1\nPoint=0xa0\n"
                      "ADR=0x01\nControl=0x04\nTrackNo=0\nAMin=0\nASec=0\n"
                      "AFrame=0\nALBA=-150\nZero=0\nPMin=1\nPSec=32\n"
                      "PFrame=0\nPLBA=6750\n"));
    disc_free(d);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "enh.ccd", 0));
    CHECK(cc_contains("enh.ccd", "Point=0xc0\nADR=0x05\n"));
    CHECK(cc_contains("enh.ccd",
                      "AMin=128\nASec=0\nAFrame=0\nALBA=575850\n"
                      "Zero=0\nPMin=97\nPSec=26\nPFrame=66\nPLBA=-11634\n"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "enh.ccd", NULL, &e));
    for (i = 0; i < e->nrawtoc; i++)
        if (e->rawtoc[i].point == 0xC0) {
            c0++;
            CHECK_INT(5, e->rawtoc[i].adr);
            CHECK_INT(97, e->rawtoc[i].pmin);
            CHECK_INT(26, e->rawtoc[i].psec);
            CHECK_INT(66, e->rawtoc[i].pframe);
            CHECK_INT(128, e->rawtoc[i].min);
        }
    CHECK_INT(1, c0);
    CHECK(!strstr(t_log, "disagrees"));
    disc_free(e);
    disc_free(d);
}

/* docs/formats/ccd.md: for a data disc starting at LBA 0, SUB bytes 0-11 of the
 * first sector are zero (P) and bytes 12-23 the Q frame
 * 41 01 01 00 00 00 00 00 02 00 28 32. */
TEST(ccd_sub_first_sector_vector)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 200, 0, NULL, NULL, 0 },
    };
    static const uint8_t q[12] = { 0x41, 0x01, 0x01, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x02, 0x00, 0x28, 0x32 };
    static const uint8_t zero[12];
    struct disc_ctx ctx;
    struct disc *d;
    size_t n = 0;
    char *sub;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 1, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "d.ccd", 0));
    sub = t_slurp("d.sub", &n);
    REQUIRE(sub);
    CHECK_INT(200 * 96, n);
    CHECK_MEM(zero, sub, 12);
    CHECK_MEM(q, sub + 12, 12);
    free(sub);
    disc_free(d);
}

/* docs/formats/ccd.md: Enhanced CD with session 1 of 30000 sectors and a
 * data track at LBA 41400: IMG = (30000 + 8600) x 2352 and LBA 41400 is
 * IMG sector 30000 (nothing stored between sessions). */
TEST(ccd_enhanced_layout)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 30000, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2_FORM1, 2, 0, 8600, 0, NULL, NULL, 0 },
    };
    static uint8_t want[DISC_SECTOR_RAW], got[DISC_SECTOR_RAW];
    struct disc_ctx ctx;
    struct disc *d, *e = NULL;
    const struct disc_extent *x;
    FILE *f;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    REQUIRE(d->track[1].index[1] == 41400);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "enh.ccd", 0));
    CHECK(strstr(t_log, "Mode 2 form") != NULL); /* soft loss warned */
    CHECK_INT((30000LL + 8600) * 2352, t_file_size("enh.img"));
    CHECK_INT((30000LL + 8600) * 96, t_file_size("enh.sub"));
    REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, 41400, 1, want, NULL));
    f = fopen("enh.img", "rb");
    REQUIRE(f);
    CHECK(fseek(f, 30000L * 2352, SEEK_SET) == 0);
    CHECK(fread(got, 1, sizeof got, f) == sizeof got);
    fclose(f);
    CHECK_MEM(want, got, sizeof got);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "enh.ccd", NULL, &e));
    CHECK_INT(2, e->nsessions);
    CHECK_INT(30000, e->session[0].leadout);
    CHECK_INT(41400, e->track[1].index[0]);
    CHECK_INT(41400, e->track[1].index[1]);
    x = disc_extent_find(e, 41400);
    REQUIRE(x);
    CHECK_INT(30000LL * 2352, x->offset);
    CHECK_INT(30000LL * 96, x->sub_offset);
    CHECK(disc_extent_find(e, 30000) == NULL);
    disc_free(e);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                         */

/* One fixture through CCD and back: model and every sector equal, and
 * the subchannel read back is the one that was written. */
static void
cc_roundtrip(struct disc *d, const char *name)
{
    struct disc_ctx ctx;
    struct disc *e = NULL;
    char path[64], why[128];
    unsigned flags;

    t_ctx(&ctx);
    snprintf(path, sizeof path, "%s.ccd", name);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, path, 0));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, path, NULL, &e));
    flags = disc_compare_flags_for(&disc_fmt_ccd, NULL) | DISC_EQ_DATA;
    /* The fixture's subchannel is synthesised, the copy's captured from
     * the .sub: provenance differs, so compare the bytes below. */
    CHECK_INT(0, disc_compare(&ctx, d, e, flags | DISC_EQ_NO_SUB));
    if (ctx.msg[0])
        t_fail(__FILE__, __LINE__, "%s: %s", name, ctx.msg);
    CHECK_INT(DISC_SUB_CAPTURED, e->sub);
    if (!cc_same_sub(&ctx, d, e, why, sizeof why))
        t_fail(__FILE__, __LINE__, "%s: %s", name, why);
    /* Every feature survives (subchannel becomes captured). */
    CHECK_HEX(disc_features(d) & ~DISC_CAP_MODE2_FORM,
              disc_features(e) & ~DISC_CAP_SUBCHANNEL);
    disc_free(e);
}

/* Acceptance 1 (model level): fixture -> CCD -> read keeps sessions,
 * indexes (pregaps, INDEX 02), ISRC, CATALOG, CD-TEXT and every byte. */
TEST(ccd_roundtrip_fixture_mixed)
{
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    cc_roundtrip(d, "mixed");
    disc_free(d);
}

TEST(ccd_roundtrip_fixture_enhanced)
{
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    cc_roundtrip(d, "enhanced");
    disc_free(d);
}

/* docs/formats/cd.md: hidden track one audio. */
TEST(ccd_roundtrip_htoa)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 2250, 3000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 1000, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    CHECK(disc_features(d) & DISC_CAP_HTOA);
    cc_roundtrip(d, "htoa");
    CHECK(cc_contains("htoa.ccd", "[TRACK 1]\nMODE=0\nINDEX 0=0\n"
                                  "INDEX 1=2250\n"));
    CHECK(cc_contains("htoa.ccd",
                      "Point=0x01\nADR=0x01\nControl=0x00\n"
                      "TrackNo=0\nAMin=0\nASec=0\nAFrame=0\nALBA=-150\n"
                      "Zero=0\nPMin=0\nPSec=32\nPFrame=0\nPLBA=2250\n"));
    disc_free(d);
}

/* A later session whose first track has a stored pregap and an INDEX 02
 * (its INDEX 0 lies below the session's first INDEX 01 yet is absolute),
 * a third session, and a data track starting a session. */
TEST(ccd_roundtrip_three_sessions)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 500, 120, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 2, 150, 400, 0, "USRC17607839", NULL, 0 },
        { DISC_MODE_AUDIO, 2, 75, 300, 50, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 3, 0, 600, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d;
    char why[200] = "";

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 4, "0000000000000");
    REQUIRE(d);
    REQUIRE(d->nsessions == 3);
    REQUIRE(d->track[1].index[0] == 500 + 11400);
    cc_roundtrip(d, "three");
    /* Session 2's first track counts from its first stored sector
     * (libMirage reads INDEX 1 there as the stored pregap). */
    CHECK(cc_contains("three.ccd", "[TRACK 2]\nMODE=0\nINDEX 0=0\n"
                                   "INDEX 1=150\nISRC=USRC17607839\n"));
    CHECK(cc_contains("three.ccd", "[TRACK 3]\nMODE=0\nINDEX 0=12450\n"
                                   "INDEX 1=12525\n"));
    CHECK(cc_contains("three.ccd", "[TRACK 4]\nMODE=1\nINDEX 1=0\n"));
    /* IMG: 500 + (12825 - 11900) + 600 sectors. */
    CHECK_INT((500LL + 925 + 600) * 2352, t_file_size("three.img"));
    if (!cc_check_sub(d, "three.sub", why, sizeof why))
        t_fail(__FILE__, __LINE__, "%s", why);
    disc_free(d);
}

/* Acceptance 2: CCD -> CCD is byte-identical for the CCD, IMG and SUB. */
TEST(ccd_ccd_to_ccd_identical)
{
    struct disc_ctx ctx;
    struct disc *d, *e = NULL;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "a.ccd", 0));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "a.ccd", NULL, &e));
    REQUIRE_OK(&ctx, cc_write(&ctx, e, "b.ccd", 0));
    CHECK_TEXT_EQ("a.ccd", "b.ccd");
    CHECK(cc_same_file("a.img", "b.img"));
    CHECK(cc_same_file("a.sub", "b.sub"));
    CHECK(cc_contains("b.ccd", "CATALOG=0123456789012\n[CDText]\n"));
    CHECK(cc_contains("b.ccd", "ISRC=USRC17607839\n"));
    CHECK(cc_contains("b.ccd", "INDEX 2="));
    disc_free(e);
    disc_free(d);
}

/* Acceptance 2: B0, C0 and C1 (ADR 5) and a DiscImageCreator-style
 * absolute INDEX in session 2 are kept: the file written from it is the
 * same text but for session 2's first track, which is written in the
 * form libMirage reads (extras-relative.ccd), and its IMG and SUB the
 * same bytes. */
TEST(ccd_extra_entries_kept)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint16_t i;
    int b0 = 0, c1 = 0;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("extras.ccd", "x.ccd") == 0);
    REQUIRE(cc_pattern("x.img", (1200LL + 700) * 2352, 1) == 0);
    REQUIRE(cc_pattern("x.sub", (1200LL + 700) * 96, 2) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "x.ccd", NULL, &d));
    CHECK_INT(0, ctx.nwarn);
    CHECK_INT(2, d->nsessions);
    CHECK_INT(3, d->ntracks);
    CHECK_INT(12600, d->track[2].index[0]);
    CHECK_INT(12600, d->track[2].index[1]);
    CHECK_INT(12900, d->track[2].index[2]);
    CHECK_INT(2, d->track[2].last_index);
    CHECK_INT(DISC_MODE_MODE2_MIXED, d->track[2].mode);
    CHECK_INT(1200, d->session[0].leadout);
    CHECK_INT(13300, d->session[1].leadout);
    CHECK_INT(DISC_TYPE_XA, d->session[1].type);
    CHECK_STR("0123456789012", d->mcn);
    CHECK_STR("GBAYE0000001", d->track[0].isrc);
    CHECK_INT(12, d->nrawtoc);
    for (i = 0; i < d->nrawtoc; i++) {
        if (d->rawtoc[i].point == 0xB0) {
            b0++;
            CHECK_INT(5, d->rawtoc[i].adr);
            CHECK_INT(2, d->rawtoc[i].zero);
            CHECK_INT(3, d->rawtoc[i].min);
            CHECK_INT(20, d->rawtoc[i].sec);
            CHECK_INT(79, d->rawtoc[i].pmin);
        }
        if (d->rawtoc[i].point == 0xC1)
            c1++;
    }
    CHECK_INT(1, b0);
    CHECK_INT(1, c1);
    CHECK(disc_features(d) & DISC_CAP_RAWTOC);
    CHECK_INT(1200LL * 2352, disc_extent_find(d, 12600)->offset);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "y.ccd", 0));
    REQUIRE(cc_fixture("extras-relative.ccd", "want.ccd") == 0);
    CHECK_TEXT_EQ("want.ccd", "y.ccd");
    CHECK(cc_same_file("x.img", "y.img"));
    CHECK(cc_same_file("x.sub", "y.sub"));
    disc_free(d);
}

/* docs/formats/ccd.md: libMirage-style session-relative INDEX values in session
 * 2 give the same disc as DiscImageCreator's absolute ones; the writer
 * gives the first track of session 2 in the relative form. */
TEST(ccd_relative_index_session2)
{
    struct disc_ctx ctx;
    struct disc *a = NULL, *b = NULL;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("extras.ccd", "abs.ccd") == 0);
    REQUIRE(cc_fixture("extras-relative.ccd", "rel.ccd") == 0);
    REQUIRE(fx_sparse("abs.img", (1200LL + 700) * 2352) == 0);
    REQUIRE(fx_sparse("rel.img", (1200LL + 700) * 2352) == 0);
    REQUIRE(fx_sparse("abs.sub", (1200LL + 700) * 96) == 0);
    REQUIRE(fx_sparse("rel.sub", (1200LL + 700) * 96) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "abs.ccd", NULL, &a));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "rel.ccd", NULL, &b));
    CHECK_INT(12900, b->track[2].index[2]);
    CHECK_INT(0, disc_compare(&ctx, a, b, DISC_EQ_DATA));
    REQUIRE_OK(&ctx, cc_write(&ctx, b, "out.ccd", 0));
    CHECK_TEXT_EQ("rel.ccd", "out.ccd");
    disc_free(a);
    disc_free(b);
}

/* Acceptance 1 with the CUE plugin: CUE/BIN -> CCD -> CUE/BIN. */
static void
cc_cue_roundtrip(struct disc *src, const char *tag)
{
    struct disc_ctx ctx;
    struct disc *c = NULL, *back = NULL;
    struct disc_write_opts o;
    char ccd[64], cue[64];

    t_ctx(&ctx);
    memset(&o, 0, sizeof o);
    snprintf(ccd, sizeof ccd, "%s.ccd", tag);
    snprintf(cue, sizeof cue, "%s-back.cue", tag);
    REQUIRE_OK(&ctx, cc_write(&ctx, src, ccd, 0));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, ccd, NULL, &c));
    CHECK_INT(0, disc_compare(&ctx, src, c,
                              disc_compare_flags_for(&disc_fmt_ccd, NULL) |
                                  DISC_EQ_DATA | DISC_EQ_NO_SUB));
    if (ctx.msg[0])
        t_fail(__FILE__, __LINE__, "%s (as CCD): %s", tag, ctx.msg);
    /* CCD -> CUE drops only what CUE cannot hold (captured subchannel,
     * raw TOC), which the comparison flags for CUE skip as well. */
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, c, &disc_fmt_cue, cue, &o));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, cue, NULL, &back));
    CHECK_INT(0, disc_compare(&ctx, src, back,
                              disc_compare_flags_for(&disc_fmt_cue, &o) |
                                  DISC_EQ_DATA | DISC_EQ_NO_SUB));
    if (ctx.msg[0])
        t_fail(__FILE__, __LINE__, "%s: %s", tag, ctx.msg);
    disc_free(back);
    disc_free(c);
}

TEST(ccd_cue_roundtrip)
{
    static const char *const corpus[] = { "libcdio/cdda.cue",
                                          "libcdio/isofs-m1.cue" };
    struct disc_ctx ctx;
    struct disc *d = NULL;
    size_t i;

    REQUIRE(disc_format_can_read(&disc_fmt_cue) &&
            disc_format_can_write(&disc_fmt_cue));
    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    {
        /* fixture -> CUE first, so that the source is a real CUE/BIN. */
        struct disc *c = NULL;
        REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "fx.cue", NULL));
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "fx.cue", NULL, &c));
        cc_cue_roundtrip(c, "fx");
        disc_free(c);
    }
    disc_free(d);
    NEED_CORPUS();
    for (i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        char tag[16];
        REQUIRE_OK(&ctx,
                   disc_open_image(&ctx, t_corpus_path(corpus[i]), NULL, &d));
        snprintf(tag, sizeof tag, "c%zu", i);
        cc_cue_roundtrip(d, tag);
        disc_free(d);
        d = NULL;
    }
}

TEST(ccd_kernel_copy_equals_read_path)
{
    /* From a real BIN the .img is a kernel copy and the .sub is made on
     * its own; from memory both go through sector reads.  Same bytes. */
    struct disc_ctx ctx;
    struct disc *d, *c = NULL;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "fx.cue", NULL));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "fx.cue", NULL, &c));
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "mem.ccd", 1));
    REQUIRE_OK(&ctx, cc_write(&ctx, c, "file.ccd", 1));
    CHECK(t_file_size("file.img") > 0);
    CHECK(cc_same_file("mem.img", "file.img"));
    CHECK(cc_same_file("mem.sub", "file.sub"));
    CHECK(cc_same_file("fx.bin", "file.img"));
    CHECK_INT(t_file_size("file.img") / DISC_SECTOR_RAW * DISC_SECTOR_SUB,
              t_file_size("file.sub"));
    disc_free(c);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Subchannel                                                          */

/* Acceptance 3: every Q frame of the synthesised .sub has a valid CRC
 * and agrees with the TOC, for a single- and a two-session disc. */
TEST(ccd_sub_q_frames_agree_with_toc)
{
    struct disc_ctx ctx;
    struct disc *d;
    char why[200] = "";
    int k;

    t_ctx(&ctx);
    for (k = 0; k < 2; k++) {
        d = k ? fx_disc_enhanced(&ctx) : fx_disc_mixed(&ctx);
        REQUIRE(d);
        REQUIRE_OK(&ctx, cc_write(&ctx, d, k ? "e.ccd" : "m.ccd", 0));
        if (!cc_check_sub(d, k ? "e.sub" : "m.sub", why, sizeof why))
            t_fail(__FILE__, __LINE__, "%s", why);
        disc_free(d);
    }
}

/* The independent checker above does catch a wrong frame. */
TEST(ccd_sub_checker_catches_damage)
{
    struct disc_ctx ctx;
    struct disc *d;
    char why[200] = "";
    size_t n;
    char *sub;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "m.ccd", 0));
    sub = t_slurp("m.sub", &n);
    REQUIRE(sub);
    sub[1100 * 96 + 12 + 2] ^= 0x01; /* index byte in track 2's pregap */
    REQUIRE(t_write_file("m.sub", sub, n) == 0);
    free(sub);
    CHECK(!cc_check_sub(d, "m.sub", why, sizeof why));
    CHECK(strstr(why, "LBA 1100") != NULL);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Peer tool: ccd2iso                                                  */

/* Acceptance 4: ccd2iso extracts from our IMG an ISO equal to the user
 * data of the Mode 1 track. */
TEST(ccd_peer_ccd2iso)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 700, 0, NULL, NULL, 0 },
    };
    static uint8_t sec[DISC_SECTOR_RAW];
    struct disc_ctx ctx;
    struct disc *d;
    char out[512];
    size_t n = 0;
    char *iso;
    disc_lba l;
    int st;

    NEED_TOOL("ccd2iso");
    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 1, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "m1.ccd", 0));
    st = t_run(out, sizeof out, "ccd2iso m1.img m1.iso 2>&1");
    CHECK_INT(0, st);
    iso = t_slurp("m1.iso", &n);
    REQUIRE(iso);
    CHECK_INT(700 * 2048, n);
    for (l = 0; l < 700 && (size_t)(l + 1) * 2048 <= n; l++) {
        REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, l, 1, sec, NULL));
        if (memcmp(sec + 16, iso + (size_t)l * 2048, 2048) != 0) {
            t_fail(__FILE__, __LINE__, "ISO sector %d differs", l);
            break;
        }
    }
    free(iso);
    disc_free(d);
}

/* The same with libcdio's real Mode 1 image, read through the cue
 * plugin: ccd2iso's ISO equals the 2048-byte user data of every sector
 * of isofs-m1.bin. */
TEST(ccd_peer_ccd2iso_isofs)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    char out[512];
    size_t n = 0, m = 0, i;
    char *iso, *bin;

    NEED_TOOL("ccd2iso");
    NEED_CORPUS();
    REQUIRE(disc_format_can_read(&disc_fmt_cue));
    t_ctx(&ctx);
    REQUIRE_OK(
        &ctx,
        disc_open_image(&ctx, t_corpus_path("libcdio/isofs-m1.cue"), NULL, &d));
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "iso.ccd", 1));
    CHECK_INT(0, t_run(out, sizeof out, "ccd2iso iso.img iso.iso 2>&1"));
    iso = t_slurp("iso.iso", &n);
    bin = t_slurp(t_corpus_path("libcdio/isofs-m1.bin"), &m);
    REQUIRE(iso && bin);
    CHECK_INT(m / 2352 * 2048, n);
    for (i = 0; i < m / 2352 && (i + 1) * 2048 <= n; i++)
        if (memcmp(bin + i * 2352 + 16, iso + i * 2048, 2048) != 0) {
            t_fail(__FILE__, __LINE__, "ISO sector %zu differs", i);
            break;
        }
    free(iso);
    free(bin);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Corpus                                                              */

static char cc_found[64][512];
static int cc_nfound;

static int
cc_collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    size_t n = strlen(path);

    (void)st;
    (void)ftw;
    if (flag == FTW_F && n > 4 && strcasecmp(path + n - 4, ".ccd") == 0 &&
        cc_nfound < 64)
        snprintf(cc_found[cc_nfound++], sizeof cc_found[0], "%s", path);
    return 0;
}

/* Acceptance 5: every real .ccd under the shared corpus reads. */
TEST(ccd_corpus_reads)
{
    struct disc_ctx ctx;
    int i;

    NEED_CORPUS();
    t_ctx(&ctx);
    REQUIRE(nftw(t_corpus_path(".."), cc_collect, 16, FTW_PHYS) == 0);
    printf("note: %d real .ccd file(s) in the corpus\n", cc_nfound);
    if (cc_nfound == 0)
        SKIP("the corpus has no real .ccd file (0 found)");
    for (i = 0; i < cc_nfound; i++) {
        struct disc *d = NULL;
        CHECK_OK(&ctx, disc_open_image(&ctx, cc_found[i], NULL, &d));
        disc_free(d);
    }
}

/* docs/formats/cd.md: libcdio's cdtext.cdt exported to CCD has 96 entries and
 * CDTextLength=1728; the CRCs rebuilt on import equal the originals. */
TEST(ccd_cdtext_packs_kept)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 300, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d, *e = NULL;
    size_t n = 0;
    char *cdt;

    NEED_CORPUS();
    t_ctx(&ctx);
    cdt = t_slurp(t_corpus_path("libcdio/cdtext.cdt"), &n);
    REQUIRE(cdt);
    REQUIRE(n == 1729);
    d = fx_disc_build(&ctx, t, 3, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_set_cdtext_raw(&ctx, d, (uint8_t *)cdt, 1728));
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "t.ccd", 0));
    CHECK(cc_contains("t.ccd", "CDTextLength=1728\n"));
    CHECK(cc_contains("t.ccd", "[CDText]\nEntries=96\nEntry 0=80 00 00 00 "
                               "4a 6f 79 66 75 6c 20 4e 69 67 68 74\n"));
    CHECK(cc_contains("t.ccd", "Entry 95="));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "t.ccd", NULL, &e));
    REQUIRE(e->cdtext_raw_len == 1728);
    CHECK_MEM(cdt, e->cdtext_raw, 1728);
    CHECK_STR("Joyful Nights", disc_cdtext_get(e, 0, 0, DISC_CDTEXT_TITLE));
    CHECK_STR("Song of Joy", disc_cdtext_get(e, 0, 1, DISC_CDTEXT_TITLE));
    free(cdt);
    disc_free(e);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Quirks                                                              */

/* CRLF, blanks around '=', Version=2, bare hex Points ("a0"), decimal
 * Points ("160"): the same disc as the 4.4 file. */
TEST(ccd_read_quirks)
{
    static const char *const files[] = { "quirks-crlf.ccd",
                                         "points-decimal.ccd" };
    struct disc_ctx ctx;
    struct disc *ref = NULL, *d = NULL;
    size_t i;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("formats-4.4.ccd", "ref.ccd") == 0);
    REQUIRE(fx_sparse("ref.img", 47040000) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "ref.ccd", NULL, &ref));
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        REQUIRE(cc_fixture(files[i], "q.ccd") == 0);
        REQUIRE(fx_sparse("q.img", 47040000) == 0);
        t_log[0] = '\0';
        ctx.nwarn = 0;
        REQUIRE_OK(&ctx, disc_open_image(&ctx, "q.ccd", NULL, &d));
        CHECK_INT(0, disc_compare(&ctx, ref, d, 0));
        if (ctx.msg[0])
            t_fail(__FILE__, __LINE__, "%s: %s", files[i], ctx.msg);
        /* Only the missing .sub is worth a warning here. */
        CHECK(strstr(t_log, "no subchannel file") != NULL);
        CHECK_INT(1, ctx.nwarn);
        disc_free(d);
        d = NULL;
    }
    disc_free(ref);
}

/* What DiscImageCreator files contain: CATALOG after the [CDText]
 * lines, FLAGS lines, PreGapSubC=1, keys we do not know, and a B0 entry
 * with AMin 255 whose ALBA matches nothing.  All read; B0 kept. */
TEST(ccd_read_dic_quirks)
{
    struct disc_ctx ctx;
    struct disc *d, *e = NULL;
    uint16_t i;
    int b0 = 0;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "m.ccd", 0));
    REQUIRE(cc_replace("m.ccd", "[Disc]", "CATALOG=0123456789012\n", "") == 0);
    REQUIRE(cc_replace("m.ccd", "[CDText]", "[Session 1]",
                       "CATALOG=0123456789012\n[Session 1]") == 0);
    REQUIRE(cc_replace("m.ccd", "[CloneCD]", "Version=3\n",
                       "Version=3\nMadeBy=test\n") == 0);
    REQUIRE(cc_set_key("m.ccd", "[Session 1]", "PreGapSubC", "1") == 0);
    REQUIRE(cc_replace("m.ccd", "[TRACK 3]", "MODE=0\n",
                       "MODE=0\nFLAGS= PRE\n") == 0);
    REQUIRE(cc_contains("m.ccd", "Entry 0=") &&
            !cc_contains("m.ccd", "CDTextLength=0"));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "m.ccd", NULL, &e));
    CHECK_STR("0123456789012", e->mcn);
    CHECK_INT(0, disc_compare(&ctx, d, e,
                              disc_compare_flags_for(&disc_fmt_ccd, NULL) |
                                  DISC_EQ_NO_SUB));
    CHECK(strstr(t_log, "m.ccd:3: unknown key MadeBy") != NULL);
    CHECK_INT(1, ctx.nwarn);
    disc_free(e);
    e = NULL;
    disc_free(d);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "e.ccd", 0));
    REQUIRE(cc_set_key("e.ccd", "Point=0xb0", "AMin", "255") == 0);
    REQUIRE(cc_set_key("e.ccd", "Point=0xb0", "ALBA", "-1") == 0);
    ctx.nwarn = 0;
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "e.ccd", NULL, &e));
    CHECK_INT(0, ctx.nwarn);
    for (i = 0; i < e->nrawtoc; i++)
        if (e->rawtoc[i].point == 0xB0) {
            b0++;
            CHECK_INT(255, e->rawtoc[i].min);
        }
    CHECK_INT(1, b0);
    CHECK(disc_features(e) & DISC_CAP_RAWTOC);
    REQUIRE_OK(&ctx, cc_write(&ctx, e, "f.ccd", 0));
    CHECK(cc_contains("f.ccd", "Point=0xb0\nADR=0x05\n"));
    CHECK(cc_contains("f.ccd", "AMin=255\n"));
    disc_free(e);
    disc_free(d);
}

/* Bare Points with nothing showing the base: read as decimal (tracks 10
 * and 11, as A0/A1 say), with a warning. */
TEST(ccd_read_ambiguous_points)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("points-ambiguous.ccd", "a.ccd") == 0);
    REQUIRE(fx_sparse("a.img", 47040000) == 0);
    REQUIRE(fx_sparse("a.sub", 1920000) == 0);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "a.ccd", NULL, &d));
    CHECK_INT(10, d->track[0].number);
    CHECK_INT(11, d->track[1].number);
    CHECK_INT(10150, d->track[1].index[1]);
    CHECK(strstr(t_log, "a.ccd:56: Point/ADR/Control written without 0x") !=
          NULL);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/* Every file in tests/data/ccd/bad/ fails with DISC_E_FORMAT and a
 * message naming the file and the line. */
TEST(ccd_reject_bad_files)
{
    static const struct {
        const char *name;
        int line; /* 0: a whole-file error */
        const char *text;
    } bad[] = {
        { "cdtext-length.ccd", 7, "CDTextLength=90" },
        { "no-equals.ccd", 2, "Key=Value" },
        { "key-first.ccd", 1, "before the first section" },
        { "bad-hex.ccd", 73, "Point" },
        { "sessions-mismatch.ccd", 5, "Sessions=2" },
        { "entry-session.ccd", 71, "Sessions=1" },
        { "tocentries-short.ccd", 4, "Entry 5" },
        { "entry-beyond.ccd", 86, "TocEntries=5" },
        { "track-no-entry.ccd", 93, "Point=0x03" },
        { "mode-control.ccd", 87, "Control" },
        { "bad-msf.ccd", 71, "not a valid time" },
        { "repeated-section.ccd", 86, "repeated" },
        { "no-leadout.ccd", 8, "lead-out" },
        { "cdtext-short.ccd", 10, "16 hexadecimal bytes" },
        { "index-gap.ccd", 93, "INDEX 2" },
        { "mode-3.ccd", 90, "MODE" },
        { "radix-mixed.ccd", 26, "hexadecimal at line" },
        { "index0-late.ccd", 91, "INDEX 0" },
        { "bad-header.ccd", 3, "section header" },
        { "no-point.ccd", 56, "no Point" },
        { "no-disc.ccd", 0, "no [Disc]" },
    };
    struct disc_ctx ctx;
    size_t i, n = 0;
    DIR *dp;
    struct dirent *de;

    t_ctx(&ctx);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char rel[128], where[160];
        struct disc *d = NULL;
        int r;
        snprintf(rel, sizeof rel, "ccd/bad/%s", bad[i].name);
        if (bad[i].line)
            snprintf(where, sizeof where, "%s:%d: ", bad[i].name, bad[i].line);
        else
            snprintf(where, sizeof where, "%s: ", bad[i].name);
        r = disc_open_image(&ctx, t_data(rel), &disc_fmt_ccd, &d);
        if (r != DISC_E_FORMAT || !strstr(ctx.msg, where) ||
            !strstr(ctx.msg, bad[i].text))
            t_fail(__FILE__, __LINE__,
                   "%s: got %d \"%s\", expected "
                   "\"%s...%s\"",
                   bad[i].name, r, ctx.msg, where, bad[i].text);
        CHECK(d == NULL);
    }
    /* The table covers the whole folder. */
    dp = opendir(t_data("ccd/bad"));
    REQUIRE(dp);
    while ((de = readdir(dp)))
        if (de->d_name[0] != '.')
            n++;
    closedir(dp);
    CHECK_INT(sizeof bad / sizeof bad[0], n);
}

/* Acceptance 7: an IMG (or SUB) shorter than the TOC needs is an error
 * at open naming the file and the first missing sector, also in a later
 * session. */
TEST(ccd_short_img_and_sub)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 600, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 2, 0, 400, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d = NULL, *e = NULL;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("formats-4.4.ccd", "ex.ccd") == 0);
    REQUIRE(fx_sparse("ex.img", 47040000 - 6 * 2352 + 100) == 0);
    REQUIRE(fx_sparse("ex.sub", 1920000) == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, "ex.img",
              disc_open_image(&ctx, "ex.ccd", NULL, &d));
    CHECK(strstr(ctx.msg, "sector 19994 (LBA 19994)") != NULL);
    REQUIRE(fx_sparse("ex.img", 47040000) == 0);
    REQUIRE(fx_sparse("ex.sub", 1920000 - 96) == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, "ex.sub",
              disc_open_image(&ctx, "ex.ccd", NULL, &d));
    CHECK(strstr(ctx.msg, "sector 19999 (LBA 19999)") != NULL);
    /* Two sessions: IMG sector 605 is LBA 600 + 11400 + 5. */
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "two.ccd", 0));
    REQUIRE(truncate("two.img", 605 * 2352) == 0);
    CHECK_ERR(&ctx, DISC_E_RANGE, "two.img",
              disc_open_image(&ctx, "two.ccd", NULL, &e));
    CHECK(strstr(ctx.msg, "sector 605 (LBA 12005)") != NULL);
    CHECK(e == NULL);
    disc_free(d);
}

/* Acceptance 7: no .sub: the image opens with a warning and its
 * subchannel is synthesised; no .img: an error naming it. */
TEST(ccd_missing_sub_and_img)
{
    struct disc_ctx ctx;
    struct disc *d = NULL;
    uint8_t sub[96];
    struct disc_q q;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("formats-4.4.ccd", "ex.ccd") == 0);
    CHECK_ERR(&ctx, DISC_E_IO, "ex.img",
              disc_open_image(&ctx, "ex.ccd", NULL, &d));
    REQUIRE(fx_sparse("EX.IMG", 47040000) == 0); /* case-insensitive */
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "ex.ccd", NULL, &d));
    CHECK(strstr(t_log, "no subchannel file") != NULL);
    CHECK_INT(DISC_SUB_SYNTH, d->sub);
    CHECK(!(disc_features(d) & DISC_CAP_SUBCHANNEL));
    REQUIRE_OK(&ctx, disc_read_sectors(&ctx, d, 10000, 1, NULL, sub));
    CHECK(disc_q_crc_ok(sub + 12));
    CHECK_OK(&ctx, disc_q_decode(sub + 12, &q));
    CHECK_INT(2, q.tno);
    CHECK_INT(0, q.index);
    CHECK_INT(150, q.rel);
    disc_free(d);
}

/* Acceptance 7: DataTracksScrambled=1 with scrambled data sectors reads
 * back descrambled; audio sectors are left alone. */
TEST(ccd_scrambled_data)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 300, 0, NULL, NULL, 0 },
    };
    static uint8_t sec[DISC_SECTOR_RAW];
    struct disc_ctx ctx;
    struct disc *d, *e = NULL;
    unsigned flags = disc_compare_flags_for(&disc_fmt_ccd, NULL) |
                     DISC_EQ_DATA | DISC_EQ_NO_SUB;
    char *text, *p;
    size_t n;
    FILE *f;
    int i;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "s.ccd", 0));
    f = fopen("s.img", "r+b");
    REQUIRE(f);
    for (i = 0; i < 300; i++) {
        CHECK(fseek(f, (long)i * 2352, SEEK_SET) == 0);
        CHECK(fread(sec, 1, sizeof sec, f) == sizeof sec);
        disc_scramble(sec);
        CHECK(fseek(f, (long)i * 2352, SEEK_SET) == 0);
        CHECK(fwrite(sec, 1, sizeof sec, f) == sizeof sec);
    }
    CHECK(fclose(f) == 0);
    /* As written (flag 0) the sectors differ from the source... */
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "s.ccd", NULL, &e));
    CHECK_INT(1, disc_compare(&ctx, d, e, flags));
    CHECK(strstr(ctx.msg, "LBA 0: sector data differs") != NULL);
    disc_free(e);
    e = NULL;
    /* ... and with DataTracksScrambled=1 they read back as the source. */
    text = t_slurp("s.ccd", &n);
    REQUIRE(text);
    p = strstr(text, "DataTracksScrambled=0");
    REQUIRE(p);
    p[strlen("DataTracksScrambled=")] = '1';
    REQUIRE(t_write_file("s.ccd", text, n) == 0);
    free(text);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "s.ccd", NULL, &e));
    CHECK_INT(0, disc_compare(&ctx, d, e, flags));
    if (ctx.msg[0])
        t_fail(__FILE__, __LINE__, "%s", ctx.msg);
    /* Writing it out again stores plain sectors and says so. */
    REQUIRE_OK(&ctx, cc_write(&ctx, e, "plain.ccd", 0));
    CHECK(cc_contains("plain.ccd", "DataTracksScrambled=0\n"));
    disc_free(e);
    disc_free(d);
}

/* Acceptance 7: an existing output without --force is DISC_E_EXISTS and
 * leaves nothing behind; with --force it is replaced. */
TEST(ccd_output_exists)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_write_opts o;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, cc_write(&ctx, d, "o.ccd", 0));
    REQUIRE(t_run(NULL, 0, "cp o.img keep.img") == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "o.ccd", cc_write(&ctx, d, "o.ccd", 0));
    CHECK(!cc_dir_has(".tmp-"));
    /* Only the IMG is in the way: the CCD must not appear either. */
    REQUIRE(unlink("o.ccd") == 0);
    REQUIRE(unlink("o.sub") == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "o.img", cc_write(&ctx, d, "o.ccd", 0));
    CHECK(!t_exists("o.ccd"));
    CHECK(!t_exists("o.sub"));
    CHECK(!cc_dir_has(".tmp-"));
    CHECK(cc_same_file("o.img", "keep.img"));
    memset(&o, 0, sizeof o);
    o.force = 1;
    CHECK_OK(&ctx, disc_write(&ctx, d, &disc_fmt_ccd, "o.ccd", &o));
    CHECK(t_exists("o.ccd") && t_exists("o.sub"));
    CHECK(!cc_dir_has(".tmp-"));
    disc_free(d);
}

/* What CCD cannot hold is refused without --lossy: free-form metadata. */
/* Metadata comments (EAC's REM GENRE/DATE/DISCID/COMMENT) are not on the
 * disc: a CCD drops them with a warning, and refuses only under
 * --strict; metadata that records the disc (a track's SCMS flag) stays a
 * refused loss. */
TEST(ccd_write_meta_is_soft)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_write_opts o;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d, "COMMENT", "ripped by a test"));
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d, "GENRE", "Rock"));
    CHECK_OK(&ctx, cc_write(&ctx, d, "m.ccd", 0));
    CHECK(t_exists("m.ccd"));
    CHECK(strstr(t_log, "metadata comments (not on the disc; dropped)"));
    memset(&o, 0, sizeof o);
    o.strict = 1;
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED,
              "metadata comments (refused under "
              "--strict)",
              disc_write(&ctx, d, &disc_fmt_ccd, "s.ccd", &o));
    CHECK(!t_exists("s.ccd"));
    REQUIRE_OK(&ctx, disc_meta_add(&ctx, d, "TRACK 02 FLAGS", "SCMS"));
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "metadata",
              cc_write(&ctx, d, "f.ccd", 0));
    CHECK(!t_exists("f.ccd"));
    CHECK_OK(&ctx, cc_write(&ctx, d, "f.ccd", 1));
    disc_free(d);
}

/* Allocation failure at every step of reading and writing: always
 * DISC_E_NOMEM, never a crash, a leak (ASan) or a stray output file. */
TEST(ccd_oom)
{
    struct disc_ctx ctx;
    struct disc *d = NULL, *src;
    long k;
    int r;

    t_ctx(&ctx);
    REQUIRE(cc_fixture("extras.ccd", "x.ccd") == 0);
    REQUIRE(fx_sparse("x.img", (1200LL + 700) * 2352) == 0);
    REQUIRE(fx_sparse("x.sub", (1200LL + 700) * 96) == 0);
    k = fx_oom_open(&ctx, "x.ccd", &d, 1000);
    REQUIRE(d);
    CHECK(k > 10); /* the read did go through many failing allocations */
    src = d;
    for (k = 1; k < 1000; k++) {
        disc_alloc_reset();
        disc_alloc_fail_at(k);
        r = cc_write(&ctx, src, "y.ccd", 0);
        disc_alloc_fail_at(0);
        if (!disc_alloc_failed()) {
            CHECK_OK(&ctx, r);
            break;
        }
        if (r == 0 && t_exists("y.ccd")) {
            /* The failure hit an allocation whose caller can do without
             * (the core's raw-TOC feature probe): a complete write. */
            unlink("y.ccd");
            unlink("y.img");
            unlink("y.sub");
            continue;
        }
        if (r != DISC_E_NOMEM || t_exists("y.ccd") || cc_dir_has(".tmp-")) {
            t_fail(__FILE__, __LINE__, "write, allocation %ld: %d %s", k, r,
                   ctx.msg);
            break;
        }
    }
    CHECK(k > 10);
    CHECK(t_exists("y.ccd"));
    disc_free(src);
}

TEST(rawtoc_mismatch_same_verdict_ccd_mds)
{
    /* One raw-TOC rule: a captured TOC whose track 2 entry points
     * elsewhere than the track list is the same loss for CloneCD and
     * Alcohol, under the default, --lossy and --strict. */
    static const char *const fmts[2] = { "ccd", "mds" };
    struct fx_track t[2];
    struct disc_write_opts o;
    struct disc_rawtoc *e = NULL;
    struct disc_ctx ctx;
    struct disc *d, *r = NULL;
    uint16_t n = 0, i;
    int k;

    memset(t, 0, sizeof t);
    t[0].mode = DISC_MODE_MODE1;
    t[0].session = 1;
    t[0].length = 300;
    t[1].mode = DISC_MODE_AUDIO;
    t[1].session = 1;
    t[1].pregap = 150;
    t[1].length = 300;
    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_build_rawtoc(&ctx, d, &e, &n));
    REQUIRE_OK(&ctx, disc_set_rawtoc(&ctx, d, e, n));
    CHECK_INT(1, disc_rawtoc_fits(d));
    for (i = 0; i < n; i++)
        if (e[i].point == 2)
            e[i].pframe = (uint8_t)((e[i].pframe + 1) % 75);
    REQUIRE_OK(&ctx, disc_set_rawtoc(&ctx, d, e, n));
    disc_free_mem(e);
    CHECK_INT(0, disc_rawtoc_fits(d));
    CHECK(disc_features(d) & DISC_CAP_RAWTOC);
    for (k = 0; k < 2; k++) {
        const struct disc_format *f = disc_format_find(fmts[k]);
        char out[32];

        REQUIRE(f);
        (void)snprintf(out, sizeof out, "a.%s", fmts[k]);
        memset(&o, 0, sizeof o);
        CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "raw TOC does not match",
                  disc_write(&ctx, d, f, out, &o));
        CHECK(!t_exists(out));
        o.strict = 1;
        o.allow_lossy = 1;
        CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "--strict",
                  disc_write(&ctx, d, f, out, &o));
        CHECK(!t_exists(out));
        o.strict = 0;
        t_ctx(&ctx);
        REQUIRE_OK(&ctx, disc_write(&ctx, d, f, out, &o));
        CHECK(t_contains(t_log, "raw TOC"));
        CHECK_INT(1, ctx.nwarn);
        /* The TOC written is the one the tracks give. */
        REQUIRE_OK(&ctx, disc_open_image(&ctx, out, NULL, &r));
        CHECK_INT(1, disc_rawtoc_fits(r));
        CHECK_INT(0, (int)(disc_features(r) & DISC_CAP_RAWTOC));
        CHECK_OK(&ctx,
                 disc_compare(&ctx, d, r, DISC_EQ_NO_RAWTOC | DISC_EQ_NO_SUB));
        disc_free(r);
        r = NULL;
    }
    disc_free(d);
}

TEST(caps_as_a_function_of_options)
{
    /* A caps_for hook (MDS), the sub_on_request shorthand (CUE) and a
     * constant (CCD) all answer through disc_format_caps_for. */
    struct disc_write_opts o;
    const struct disc_format *mds = disc_format_find("mds");
    const struct disc_format *cue = disc_format_find("cue");
    const struct disc_format *ccd = disc_format_find("ccd");

    REQUIRE(mds && cue && ccd);
    memset(&o, 0, sizeof o);
    CHECK_INT(0, (int)(disc_format_caps_for(mds, &o) &
                       (DISC_CAP_SUBCHANNEL | DISC_CAP_ISRC_MCN)));
    CHECK_INT(0, (int)(disc_format_caps_for(cue, NULL) & DISC_CAP_SUBCHANNEL));
    CHECK_HEX(disc_format_caps(ccd), disc_format_caps_for(ccd, &o));
    o.sub = 1;
    CHECK(disc_format_caps_for(mds, &o) & DISC_CAP_ISRC_MCN);
    CHECK(disc_format_caps_for(mds, &o) & DISC_CAP_SUBCHANNEL);
    CHECK(disc_format_caps_for(cue, &o) & DISC_CAP_SUBCHANNEL);
    CHECK(disc_compare_flags_for(mds, NULL) & DISC_EQ_NO_SUB);
    CHECK(!(disc_compare_flags_for(mds, &o) & DISC_EQ_NO_SUB));
}

/* CUE/BIN -> CCD: the IMG goes by kernel copy and the .sub, synthesised
 * on a second thread meanwhile, holds exactly the frames the per-sector
 * synthesis gives (MCN, ISRC, INDEX 02, pregaps, data and audio). */
TEST(ccd_sub_from_cue_equals_ref_synthesis)
{
    struct disc_ctx ctx;
    struct disc *d, *c = NULL;
    struct disc_write_opts o;
    disc_lba first, end;
    size_t n = 0, want;
    char *sub;
    uint8_t *ref;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx);
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    o.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "m.cue", &o));
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "m.cue", NULL, &c));
    CHECK_INT(DISC_SUB_SYNTH, c->sub);
    REQUIRE_OK(&ctx, cc_write(&ctx, c, "m.ccd", 1));
    first = c->track[0].index[0];
    end = c->session[0].leadout;
    want = (size_t)(end - first) * 96;
    sub = t_slurp("m.sub", &n);
    ref = malloc(want);
    REQUIRE(sub && ref);
    CHECK_INT((long long)want, (long long)n);
    REQUIRE_OK(&ctx,
               t_sub_synth_ref(&ctx, c, first, (uint32_t)(end - first), ref));
    CHECK(n == want && memcmp(sub, ref, want) == 0);
    free(ref);
    free(sub);
    disc_free(c);
    disc_free(d);
}
