/* discid.c - disc identifiers (freedb, MusicBrainz, AccurateRip, CTDB)
 * and AccurateRip track CRCs.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md (Enhanced CD, the formulas, from
 * metabrainz/libdiscid src/disc.c and src/toc.c, gchudov/cuetools.net
 * CUETools.AccurateRip/AccurateRip.cs and CUETools.CDImage/CDImage.cs,
 * leo-bogert/accuraterip-checksum); RFC 4648 (base64).  Written from
 * those descriptions; no code was copied.
 */
#include <stdio.h>
#include <string.h>

#include "discid.h"
#include "disc_format.h"

#define FRAMES(lba) ((int64_t)(lba) + DISC_PREGAP) /* MSF frame count */

/* Base64 of the 20-byte SHA-1 of text, with the alphabet MusicBrainz
 * and CTDB use ('+' -> '.', '/' -> '_', '=' -> '-').  out gets 29
 * bytes. */
static int
discid_sha1_b64(struct disc_ctx *ctx, const char *text, size_t len, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                              "qrstuvwxyz0123456789._";
    uint8_t md[20];
    const char pad = '-';
    unsigned i, o = 0;
    int r = disc_sha1(ctx, text, len, md);

    if (r != 0)
        return r;
    for (i = 0; i < 20; i += 3) {
        uint32_t v = (uint32_t)md[i] << 16;
        if (i + 1 < 20)
            v |= (uint32_t)md[i + 1] << 8;
        if (i + 2 < 20)
            v |= md[i + 2];
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = (char)(i + 1 < 20 ? abc[v >> 6 & 63] : pad);
        out[o++] = (char)(i + 2 < 20 ? abc[v & 63] : pad);
    }
    out[o] = '\0';
    return 0;
}

static unsigned
discid_digitsum(int64_t n)
{
    unsigned s = 0;
    for (; n > 0; n /= 10)
        s += (unsigned)(n % 10);
    return s;
}

/* freedb/CDDB id over every track and the real lead-out (libcdio and
 * CUETools; freedb keeps the data track of an Enhanced CD). */
static uint32_t
discid_freedb(const struct disc *d)
{
    int64_t leadout = FRAMES(d->session[d->nsessions - 1].leadout);
    int64_t t = leadout / 75 - FRAMES(d->track[0].index[1]) / 75;
    unsigned n = 0;
    int i;

    for (i = 0; i < d->ntracks; i++)
        n += discid_digitsum(FRAMES(d->track[i].index[1]) / 75);
    return (uint32_t)(n % 255) << 24 | (uint32_t)t << 8 | d->ntracks;
}

/* MusicBrainz: first track .. last audio track; when tracks follow the
 * last audio track, the lead-out is the next track's start - 11400 (as
 * libdiscid's toc.c does whatever the session layout, so that the id
 * matches what it computes from a physical Enhanced CD). */
static int
discid_musicbrainz(struct disc_ctx *ctx, const struct disc *d,
                   struct disc_ids *out)
{
    char text[2 + 2 + 8 * 100 + 1];
    int64_t off[100];
    int i, last = -1, first = d->track[0].number;
    size_t n;
    int64_t leadout;

    for (i = 0; i < d->ntracks; i++)
        if (!disc_track_is_data(&d->track[i]))
            last = i;
    if (last < 0)
        return 0;
    if (last + 1 < d->ntracks)
        leadout = FRAMES(d->track[last + 1].index[1]) - DISC_SESSION_GAP;
    else
        leadout = FRAMES(d->session[d->nsessions - 1].leadout);
    memset(off, 0, sizeof off);
    off[0] = leadout;
    for (i = 0; i <= last; i++)
        off[d->track[i].number] = FRAMES(d->track[i].index[1]);
    n = (size_t)snprintf(text, sizeof text, "%02X%02X", (unsigned)first,
                         (unsigned)d->track[last].number);
    for (i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%08X",
                              (unsigned)(uint32_t)off[i]);
    n = (size_t)snprintf(out->mb_toc, sizeof out->mb_toc, "%d %d %lld", first,
                         d->track[last].number, (long long)leadout);
    for (i = first; i <= d->track[last].number && n < sizeof out->mb_toc; i++)
        n += (size_t)snprintf(out->mb_toc + n, sizeof out->mb_toc - n, " %lld",
                              (long long)off[i]);
    return discid_sha1_b64(ctx, text, strlen(text), out->musicbrainz);
}

/* AccurateRip ids over the audio tracks with LBA starts and L = the
 * disc's lead-out LBA (CUETools' TOC length, data session included). */
static void
discid_accuraterip(const struct disc *d, struct disc_ids *out)
{
    uint32_t id1 = 0, id2 = 0, k = 0;
    int64_t len = d->session[d->nsessions - 1].leadout;
    int i;

    for (i = 0; i < d->ntracks; i++) {
        disc_lba s = d->track[i].index[1];
        if (disc_track_is_data(&d->track[i]))
            continue;
        k++;
        id1 += (uint32_t)s;
        id2 += (uint32_t)(s > 1 ? s : 1) * k;
    }
    out->ar_tracks = (int)k;
    if (!k)
        return;
    id1 += (uint32_t)len;
    id2 += (uint32_t)(len > 1 ? len : 1) * (k + 1);
    out->ar_id1 = id1;
    out->ar_id2 = id2;
    (void)snprintf(out->accuraterip, sizeof out->accuraterip,
                   "dBAR-%03u-%08x-%08x-%08x.bin", (unsigned)k, (unsigned)id1,
                   (unsigned)id2, (unsigned)out->freedb);
    (void)snprintf(out->accuraterip_url, sizeof out->accuraterip_url,
                   "http://www.accuraterip.com/accuraterip/%x/%x/%x/%s",
                   (unsigned)(id1 & 0xF), (unsigned)(id1 >> 4 & 0xF),
                   (unsigned)(id1 >> 8 & 0xF), out->accuraterip);
}

/* CTDB TOC id: audio starts relative to the first audio track, then the
 * end of the audio program, '0'-padded to 100 entries, SHA-1, base64. */
static int
discid_ctdb(struct disc_ctx *ctx, const struct disc *d, struct disc_ids *out)
{
    char text[8 * 100 + 1];
    int i, first = -1, last = -1;
    size_t n = 0;

    for (i = 0; i < d->ntracks; i++)
        if (!disc_track_is_data(&d->track[i])) {
            if (first < 0)
                first = i;
            last = i;
        }
    if (first < 0)
        return 0;
    for (i = first + 1; i <= last; i++)
        if (!disc_track_is_data(&d->track[i]))
            n += (size_t)snprintf(
                text + n, sizeof text - n, "%08X",
                (unsigned)(d->track[i].index[1] - d->track[first].index[1]));
    n += (size_t)snprintf(
        text + n, sizeof text - n, "%08X",
        (unsigned)(disc_track_end(d, last) - d->track[first].index[1]));
    memset(text + n, '0', sizeof text - 1 - n);
    text[sizeof text - 1] = '\0';
    return discid_sha1_b64(ctx, text, sizeof text - 1, out->ctdb);
}

int
disc_ids_compute(struct disc_ctx *ctx, const struct disc *d,
                 struct disc_ids *out)
{
    int r;

    memset(out, 0, sizeof *out);
    if (!d->ntracks || !d->nsessions)
        return disc_error(ctx, DISC_E_ARG, "the disc has no tracks");
    out->freedb = discid_freedb(d);
    r = discid_musicbrainz(ctx, d, out);
    if (r == 0)
        r = discid_ctdb(ctx, d, out);
    if (r == 0)
        discid_accuraterip(d, out);
    return r;
}

/* ------------------------------------------------------------------ */
/* AccurateRip CRCs                                                    */

void
disc_ar_init(struct disc_ar_acc *a, uint32_t nsamples, int first, int last)
{
    a->v1 = a->v2 = 0;
    a->lo = first ? DISC_AR_SKIP : 1;
    a->hi = nsamples;
    if (last)
        a->hi = nsamples > DISC_AR_SKIP ? nsamples - DISC_AR_SKIP : 0;
}

void
disc_ar_feed(struct disc_ar_acc *a, uint32_t pos, const uint8_t *pcm, size_t n)
{
    size_t k = 0;
    uint32_t v1 = a->v1, v2 = a->v2;

    /* Skip to the first included position, stop after the last. */
    if (pos < a->lo) {
        if ((uint64_t)pos + n <= a->lo)
            return;
        k = a->lo - pos;
    }
    for (; k < n; k++) {
        uint32_t i = pos + (uint32_t)k;
        uint64_t p;
        if (i > a->hi)
            break;
        p = (uint64_t)i * disc_rd_le32(pcm + 4 * k);
        v1 += (uint32_t)p;
        v2 += (uint32_t)p + (uint32_t)(p >> 32);
    }
    a->v1 = v1;
    a->v2 = v2;
}

void
disc_ar_result(const struct disc_ar_acc *a, struct disc_ar_crc *out)
{
    out->v1 = a->v1;
    out->v2 = a->v2;
}

int
disc_ar_range(const struct disc *d, int i, disc_lba *start, uint32_t *count,
              int *first, int *last)
{
    const struct disc_track *t;
    disc_lba end;
    int j;

    if (i < 0 || i >= d->ntracks || disc_track_is_data(&d->track[i]))
        return DISC_E_ARG;
    t = &d->track[i];
    end = disc_track_end(d, i);
    if (i + 1 < d->ntracks && !disc_track_is_data(&d->track[i + 1]) &&
        d->track[i + 1].session == t->session)
        end = d->track[i + 1].index[1];
    *start = t->index[1];
    *count = (uint32_t)(end - t->index[1]);
    *first = *last = 1;
    for (j = 0; j < d->ntracks; j++)
        if (!disc_track_is_data(&d->track[j])) {
            if (j < i)
                *first = 0;
            if (j > i)
                *last = 0;
        }
    return 0;
}

int
disc_ar_track(struct disc_ctx *ctx, const struct disc *d, int i,
              struct disc_ar_crc *out)
{
    struct disc_ar_acc a;
    uint8_t *buf;
    disc_lba start;
    uint32_t count, done = 0;
    int first, last, r;

    if (disc_ar_range(d, i, &start, &count, &first, &last) != 0)
        return disc_error(ctx, DISC_E_ARG, "track %d is not an audio track",
                          i >= 0 && i < d->ntracks ? d->track[i].number : i);
    buf = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    if (!buf)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    disc_ar_init(&a, count * 588, first, last);
    for (r = 0; done < count && r == 0; done += DISC_CHUNK) {
        uint32_t n = count - done < DISC_CHUNK ? count - done : DISC_CHUNK;
        r = disc_read_sectors(ctx, d, start + (disc_lba)done, n, buf, NULL);
        if (r == 0)
            disc_ar_feed(&a, done * 588 + 1, buf, (size_t)n * 588);
    }
    disc_free_mem(buf);
    if (r == 0)
        disc_ar_result(&a, out);
    return r;
}
