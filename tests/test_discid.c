/* test_discid.c - disc identifiers and AccurateRip CRCs against the
 * vectors of docs/formats/cd.md.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discid.h"
#include "fixture.h"
#include "test.h"

/* libdiscid test/test_put.c (published): frames of 22 tracks + lead-out. */
static const int32_t mb_offsets[] = {
    150,    9700,   25887,  39297,  53795,  63735,  77517,  94877,
    107270, 123552, 135522, 148422, 161197, 174790, 192022, 205545,
    218010, 228700, 239590, 255470, 266932, 288750,
};
#define MB_LEADOUT 303602

static struct disc *
discid_vector_disc(struct disc_ctx *ctx)
{
    struct fx_track t[22];
    int i;

    memset(t, 0, sizeof t);
    for (i = 0; i < 22; i++) {
        t[i].mode = DISC_MODE_AUDIO;
        t[i].session = 1;
        t[i].length =
            (i + 1 < 22 ? mb_offsets[i + 1] : MB_LEADOUT) - mb_offsets[i];
    }
    return fx_disc_build(ctx, t, 22, NULL);
}

TEST(discid_libdiscid_vector)
{
    struct disc_ctx ctx;
    struct disc_ids ids;
    struct disc *d;

    t_ctx(&ctx);
    d = discid_vector_disc(&ctx);
    REQUIRE(d);
    CHECK_INT(MB_LEADOUT - 150, d->session[0].leadout);
    CHECK_INT(288750 - 150, d->track[21].index[1]);
    REQUIRE_OK(&ctx, disc_ids_compute(&ctx, d, &ids));
    CHECK_STR("xUp1F2NkfP8s8jaeFn_Av3jNEI4-", ids.musicbrainz);
    CHECK_HEX(0x370fce16, ids.freedb);
    CHECK(strncmp(ids.mb_toc, "1 22 303602 150 9700 25887 ", 27) == 0);
    CHECK(strlen(ids.mb_toc) > 6 &&
          strcmp(ids.mb_toc + strlen(ids.mb_toc) - 6, "288750") == 0);
    CHECK_HEX(0x00340bc2, ids.ar_id1);
    CHECK_HEX(0x0343cfc1, ids.ar_id2);
    CHECK_INT(22, ids.ar_tracks);
    CHECK_STR("dBAR-022-00340bc2-0343cfc1-370fce16.bin", ids.accuraterip);
    CHECK_STR("http://www.accuraterip.com/accuraterip/2/c/b/"
              "dBAR-022-00340bc2-0343cfc1-370fce16.bin",
              ids.accuraterip_url);
    CHECK_STR("5OnMQ0h8fLndAQbd7p.6_IPpWiM-", ids.ctdb);
    disc_free(d);
}

/* A disc of one audio track holding 11 sectors of one repeated word,
 * served from memory. */
static struct disc *
discid_word_disc(struct disc_ctx *ctx, uint32_t word, uint8_t *mem, int ntracks)
{
    struct disc *d = disc_new(ctx);
    struct disc_source *src;
    size_t k;
    int i;

    if (!d)
        return NULL;
    for (k = 0; k < 11u * ntracks * DISC_SECTOR_RAW; k += 4)
        disc_wr_le32(mem + k, word);
    if (disc_source_mem_new(ctx, mem, (int64_t)11 * ntracks * DISC_SECTOR_RAW,
                            &src) != 0) {
        disc_free(d);
        return NULL;
    }
    disc_source_attach(d, src);
    d->nsessions = 1;
    d->session[0].number = 1;
    d->session[0].first_track = 1;
    d->session[0].last_track = (uint8_t)ntracks;
    d->session[0].leadout = 11 * ntracks;
    for (i = 0; i < ntracks; i++) {
        struct disc_track *t = &d->track[d->ntracks++];
        t->number = (uint8_t)(i + 1);
        t->session = 1;
        t->mode = DISC_MODE_AUDIO;
        t->index[0] = t->index[1] = 11 * i;
        t->last_index = 1;
    }
    {
        struct disc_extent e = { .lba = 0,
                                 .count = 11u * (uint32_t)ntracks,
                                 .src = src,
                                 .stride = DISC_SECTOR_RAW,
                                 .data = DISC_DATA_RAW };
        if (disc_extent_add(ctx, d, &e) != 0) {
            disc_free(d);
            return NULL;
        }
    }
    return d;
}

TEST(discid_accuraterip_crc_vectors)
{
    static uint8_t mem[3 * 11 * DISC_SECTOR_RAW];
    struct disc_ctx ctx;
    struct disc_ar_crc crc;
    struct disc_ar_acc a;
    struct disc *d;
    uint8_t one[4];

    t_ctx(&ctx);
    /* docs/formats/cd.md: only track (first and last), 0x00010001. */
    d = discid_word_disc(&ctx, 0x00010001, mem, 1);
    REQUIRE(d);
    CHECK_OK(&ctx, disc_check(&ctx, d));
    REQUIRE_OK(&ctx, disc_ar_track(&ctx, d, 0, &crc));
    CHECK_HEX(0x10D710BA, crc.v1);
    CHECK_HEX(0x10D710BA, crc.v2);
    disc_free(d);
    /* Only track, 0xFFFFFFFF: v1 = -sum(i), v2 = -589. */
    d = discid_word_disc(&ctx, 0xFFFFFFFF, mem, 1);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_ar_track(&ctx, d, 0, &crc));
    CHECK_HEX(0xFFE2EF46, crc.v1);
    CHECK_HEX(0xFFFFFDB3, crc.v2);
    disc_free(d);
    /* Middle track of three: nothing skipped. */
    d = discid_word_disc(&ctx, 0x00010001, mem, 3);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_ar_track(&ctx, d, 1, &crc));
    CHECK_HEX(0x3AE939AA, crc.v1);
    CHECK_HEX(0x3AE939AA, crc.v2);
    /* Not an audio track: an error, not a number. */
    CHECK_ERR(&ctx, DISC_E_ARG, "not an audio track",
              disc_ar_track(&ctx, d, 7, &crc));
    disc_free(d);
    /* The accumulator is order-free: feeding sample by sample backwards
     * gives the same sums. */
    disc_ar_init(&a, 6468, 0, 0);
    disc_wr_le32(one, 0x00010001);
    {
        uint32_t i;
        for (i = 6468; i >= 1; i--)
            disc_ar_feed(&a, i, one, 1);
    }
    disc_ar_result(&a, &crc);
    CHECK_HEX(0x3AE939AA, crc.v1);
    /* A track shorter than the skips contributes nothing. */
    disc_ar_init(&a, 1000, 1, 1);
    disc_ar_feed(&a, 1, mem, 1000);
    disc_ar_result(&a, &crc);
    CHECK_HEX(0, crc.v1);
}

TEST(discid_ar_range_pregap_to_previous)
{
    /* AccurateRip tracks run INDEX 01 to INDEX 01: track 2's pregap is
     * counted with track 1 (docs/formats/cd.md). */
    struct disc_ctx ctx;
    struct disc *d;
    disc_lba start;
    uint32_t count;
    int first, last;

    t_ctx(&ctx);
    d = fx_disc_mixed(&ctx); /* data 1000; audio 150+500; audio 75+400 */
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_ARG, NULL,
              disc_ar_range(d, 0, &start, &count, &first, &last));
    REQUIRE(disc_ar_range(d, 1, &start, &count, &first, &last) == 0);
    CHECK_INT(1150, start);
    CHECK_INT(500 + 75, count);
    CHECK_INT(1, first);
    CHECK_INT(0, last);
    REQUIRE(disc_ar_range(d, 2, &start, &count, &first, &last) == 0);
    CHECK_INT(1725, start);
    CHECK_INT(400, count);
    CHECK_INT(0, first);
    CHECK_INT(1, last);
    disc_free(d);
}

/* freedb computed the slow way, for the Enhanced CD test. */
static uint32_t
discid_freedb_by_hand(const int64_t *frames, int n, int64_t leadout)
{
    unsigned sum = 0;
    int i;
    for (i = 0; i < n; i++) {
        char s[32];
        const char *p;
        snprintf(s, sizeof s, "%lld", (long long)(frames[i] / 75));
        for (p = s; *p; p++)
            sum += (unsigned)(*p - '0');
    }
    return (uint32_t)(sum % 255) << 24 |
           (uint32_t)(leadout / 75 - frames[0] / 75) << 8 | (uint32_t)n;
}

TEST(discid_enhanced_cd)
{
    /* docs/formats/cd.md: session 1 audio (track 2 INDEX 01 at 15150, lead-out
     * 30000), session 2 data at 41400 to 50000.  MusicBrainz lead-out
     * 30150; freedb and AccurateRip keep the data track. */
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 15000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 14850, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2_FORM1, 2, 0, 8600, 0, NULL, NULL, 0 },
    };
    const int64_t frames[] = { 150, 15300, 41550 };
    struct disc_ctx ctx;
    struct disc_ids ids, plain;
    struct disc *d, *a;
    uint32_t id1, id2;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 3, NULL);
    REQUIRE(d);
    CHECK_INT(30000, d->session[0].leadout);
    CHECK_INT(41400, d->track[2].index[1]);
    CHECK_INT(50000, d->session[1].leadout);
    REQUIRE_OK(&ctx, disc_ids_compute(&ctx, d, &ids));
    CHECK_STR("1 2 30150 150 15300", ids.mb_toc);
    CHECK_HEX(discid_freedb_by_hand(frames, 3, 50150), ids.freedb);
    CHECK_INT(2, ids.ar_tracks);
    id1 = 0 + 15150 + 50000;
    id2 = 1 * 1 + 15150 * 2 + 50000 * 3;
    CHECK_HEX(id1, ids.ar_id1);
    CHECK_HEX(id2, ids.ar_id2);
    /* The MusicBrainz id equals that of the audio session alone. */
    a = fx_disc_build(&ctx, t, 2, NULL);
    REQUIRE(a);
    REQUIRE_OK(&ctx, disc_ids_compute(&ctx, a, &plain));
    CHECK_STR(plain.musicbrainz, ids.musicbrainz);
    CHECK(plain.freedb != ids.freedb);
    /* CTDB covers the audio session only, so it matches too. */
    CHECK_STR(plain.ctdb, ids.ctdb);
    disc_free(a);
    disc_free(d);
}

TEST(discid_data_only_disc)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 3000, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc_ids ids;
    struct disc *d;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 1, NULL);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_ids_compute(&ctx, d, &ids));
    CHECK_STR("", ids.musicbrainz);
    CHECK_STR("", ids.accuraterip);
    CHECK_STR("", ids.ctdb);
    CHECK_INT(0, ids.ar_tracks);
    /* freedb exists for any disc: 3000 frames + 150 = 42 s. */
    CHECK_HEX((uint32_t)2 << 24 | (uint32_t)(3150 / 75 - 2) << 8 | 1,
              ids.freedb);
    disc_free(d);
}

TEST(discid_info_shows_ids)
{
    /* `discarc info` prints the IDs; --json has an "ids" object.  The
     * image goes through the CCD writer and reader. */
    struct disc_ctx ctx;
    struct disc_write_opts wo;
    const struct disc_format *ccd = disc_format_find("ccd");
    struct disc *d;
    char out[16384];

    REQUIRE(ccd && disc_format_can_read(ccd) && disc_format_can_write(ccd));
    t_ctx(&ctx);
    d = discid_vector_disc(&ctx);
    REQUIRE(d);
    memset(&wo, 0, sizeof wo);
    wo.allow_lossy = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, d, ccd, "v.ccd", &wo));
    disc_free(d);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' info v.ccd", t_discarc));
    CHECK(strstr(out, "MusicBrainz: xUp1F2NkfP8s8jaeFn_Av3jNEI4-") != NULL);
    CHECK(strstr(out, "freedb:      370fce16") != NULL);
    CHECK(strstr(out, "dBAR-022-00340bc2-0343cfc1-370fce16.bin") != NULL);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' info --json v.ccd", t_discarc));
    CHECK(strstr(out, "\"ids\": {\"freedb\": \"370fce16\", \"musicbrainz\": "
                      "\"xUp1F2NkfP8s8jaeFn_Av3jNEI4-\", \"accuraterip\": "
                      "\"dBAR-022-00340bc2-0343cfc1-370fce16.bin\", "
                      "\"ctdb\": \"5OnMQ0h8fLndAQbd7p.6_IPpWiM-\"}") != NULL);
    if (t_have("python3"))
        CHECK_INT(0, t_run(NULL, 0,
                           "'%s' info --json v.ccd | python3 -c "
                           "'import json,sys; json.load(sys.stdin)'",
                           t_discarc));
}
