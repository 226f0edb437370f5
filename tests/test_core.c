/* test_core.c - the disc model, invariants, comparison, extents and
 * sector serving, safe output, text input, registry, allocation.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "alloc.h"
#include "fixture.h"
#include "test.h"

/* A two-track disc mapped on a memory source, small enough to reason
 * about by hand. */
static struct disc *
tiny(struct disc_ctx *ctx, const uint8_t *mem, int64_t size)
{
    struct disc *d = disc_new(ctx);
    struct disc_source *s;
    struct disc_extent e = { 0 };

    if (!d)
        return NULL;
    d->nsessions = 1;
    d->session[0] = (struct disc_session){ 1, 1, 2, 0, 20 };
    d->ntracks = 2;
    d->track[0].number = 1;
    d->track[0].session = 1;
    d->track[0].mode = DISC_MODE_AUDIO;
    d->track[0].last_index = 1;
    d->track[1] = d->track[0];
    d->track[1].number = 2;
    d->track[1].index[0] = 10;
    d->track[1].index[1] = 12;
    if (disc_source_mem_new(ctx, mem, size, &s) != 0) {
        disc_free(d);
        return NULL;
    }
    disc_source_attach(d, s);
    e.lba = 0;
    e.count = 20;
    e.src = s;
    e.stride = DISC_SECTOR_RAW;
    e.data = DISC_DATA_RAW;
    if (disc_extent_add(ctx, d, &e) != 0) {
        disc_free(d);
        return NULL;
    }
    return d;
}

static uint8_t tiny_mem[20 * DISC_SECTOR_RAW];

TEST(core_check_accepts_valid)
{
    struct disc_ctx ctx;
    struct disc *d;

    t_ctx(&ctx);
    d = tiny(&ctx, tiny_mem, sizeof tiny_mem);
    REQUIRE(d);
    CHECK_OK(&ctx, disc_check(&ctx, d));
    CHECK_INT(10, disc_track_end(d, 0));
    CHECK_INT(20, disc_track_end(d, 1));
    CHECK_INT(10, disc_track_length(d, 1));
    CHECK_INT(0, disc_track_at(d, 9));
    CHECK_INT(1, disc_track_at(d, 10));
    CHECK_INT(-1, disc_track_at(d, 20));
    CHECK_INT(-1, disc_track_at(d, -1));
    CHECK_INT(-150, disc_session_start(d, 0));
    disc_free(d);
}

TEST(core_check_rejects_each_invariant)
{
    struct disc_ctx ctx;
    struct disc *d;
    int k;

    t_ctx(&ctx);
    for (k = 0; k < 10; k++) {
        const char *want = NULL;
        d = tiny(&ctx, tiny_mem, sizeof tiny_mem);
        REQUIRE(d);
        switch (k) {
        case 0:
            d->track[1].number = 3;
            d->session[0].last_track = 3;
            want = "follows track";
            break;
        case 1:
            d->track[1].index[0] = 13;
            want = "INDEX 00";
            break;
        case 2:
            d->track[0].last_index = 0;
            want = "no INDEX 01";
            break;
        case 3:
            d->track[1].last_index = 2;
            d->track[1].index[2] = 12;
            want = "INDEX 02";
            break;
        case 4:
            d->track[0].control = DISC_CTL_DATA;
            want = "CONTROL";
            break;
        case 5:
            d->session[0].leadout = 12;
            want = "lead-out";
            break;
        case 6:
            d->session[0].leadout = 30; /* LBA 20..29 unmapped */
            want = "not mapped";
            break;
        case 7:
            strcpy(d->track[0].isrc, "bad");
            want = "ISRC";
            break;
        case 8:
            d->session[0].last_track = 1;
            want = "session";
            break;
        case 9:
            strcpy(d->mcn, "12345");
            want = "MCN";
            break;
        }
        CHECK_ERR(&ctx, DISC_E_FORMAT, want, disc_check(&ctx, d));
        disc_free(d);
    }
}

/* The one place that lays out "file:line: text" errors: line 0 means
 * no line is known, and the place is the file alone. */
TEST(core_error_at_places_file_and_line)
{
    struct disc_ctx ctx;

    t_ctx(&ctx);
    CHECK_INT(DISC_E_FORMAT, disc_error_at(&ctx, DISC_E_FORMAT, "a.toc", 12,
                                           "bad %s", "word"));
    CHECK_INT(DISC_E_FORMAT, ctx.err);
    CHECK_STR("a.toc:12: bad word", ctx.msg);
    CHECK_INT(DISC_E_RANGE,
              disc_error_at(&ctx, DISC_E_RANGE, "a.toc", 0, "too short"));
    CHECK_STR("a.toc: too short", ctx.msg);
}

/* disc_grow: capacity doubles from the first size; a failed allocation
 * or a size past size_t is DISC_E_NOMEM with the array left as it was. */
TEST(core_grow_doubles_and_refuses_overflow)
{
    struct disc_ctx ctx;
    int *a = NULL, *keep;
    size_t cap = 0, i;

    t_ctx(&ctx);
    CHECK_OK(&ctx, disc_grow(&ctx, &a, 1, &cap, sizeof *a, 4));
    REQUIRE(a != NULL);
    CHECK_INT(4, (long long)cap);
    for (i = 0; i < 4; i++)
        a[i] = (int)i;
    CHECK_OK(&ctx, disc_grow(&ctx, &a, 4, &cap, sizeof *a, 4));
    CHECK_INT(4, (long long)cap); /* room already */
    CHECK_OK(&ctx, disc_grow(&ctx, &a, 5, &cap, sizeof *a, 4));
    CHECK_INT(8, (long long)cap);
    CHECK_OK(&ctx, disc_grow(&ctx, &a, 33, &cap, sizeof *a, 4));
    CHECK_INT(64, (long long)cap);
    CHECK_INT(3, a[3]); /* kept across reallocations */
    keep = a;
    CHECK_INT(DISC_E_NOMEM,
              disc_grow(&ctx, &a, (size_t)-1 / 2, &cap, sizeof *a, 4));
    CHECK(strstr(ctx.msg, "out of memory") != NULL);
    CHECK(a == keep);
    CHECK_INT(64, (long long)cap);
    disc_alloc_fail_at(1);
    CHECK_INT(DISC_E_NOMEM, disc_grow(&ctx, &a, 65, &cap, sizeof *a, 4));
    disc_alloc_fail_at(0);
    CHECK(a == keep);
    CHECK_INT(64, (long long)cap);
    CHECK_INT(3, a[3]);
    disc_free_mem(a);
}

TEST(core_compare_reports_first_difference)
{
    struct disc_ctx ctx;
    struct disc *a, *b;
    static uint8_t other[20 * DISC_SECTOR_RAW];

    t_ctx(&ctx);
    a = tiny(&ctx, tiny_mem, sizeof tiny_mem);
    b = tiny(&ctx, tiny_mem, sizeof tiny_mem);
    REQUIRE(a && b);
    CHECK_INT(0, disc_compare(&ctx, a, b, DISC_EQ_DATA));
    b->track[1].index[1] = 11;
    CHECK_INT(1, disc_compare(&ctx, a, b, 0));
    CHECK(strstr(ctx.msg, "track 2: INDEX 01 at LBA 12 vs 11") != NULL);
    b->track[1].index[1] = 12;
    strcpy(b->track[0].isrc, "USRC17607839");
    CHECK_INT(1, disc_compare(&ctx, a, b, 0));
    CHECK(strstr(ctx.msg, "ISRC") != NULL);
    b->track[0].isrc[0] = '\0';
    CHECK_OK(&ctx, disc_cdtext_set(&ctx, b, 0, 2, DISC_CDTEXT_TITLE, "x"));
    CHECK_INT(1, disc_compare(&ctx, a, b, 0));
    CHECK(strstr(ctx.msg, "track 2 TITLE") != NULL);
    disc_free(b);

    /* Same TOC, one byte of sector data differs. */
    memcpy(other, tiny_mem, sizeof other);
    other[15 * DISC_SECTOR_RAW + 7] ^= 1;
    b = tiny(&ctx, other, sizeof other);
    REQUIRE(b);
    CHECK_INT(0, disc_compare(&ctx, a, b, 0));
    CHECK_INT(1, disc_compare(&ctx, a, b, DISC_EQ_DATA));
    CHECK(strstr(ctx.msg, "LBA 15") && strstr(ctx.msg, "byte 7"));
    disc_free(a);
    disc_free(b);
}

TEST(core_features_and_rawtoc)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_rawtoc *toc = NULL;
    uint16_t n = 0;

    t_ctx(&ctx);
    d = fx_disc_enhanced(&ctx);
    REQUIRE(d);
    CHECK_OK(&ctx, disc_check(&ctx, d));
    CHECK(disc_features(d) & DISC_CAP_MULTISESSION);
    CHECK(disc_features(d) & DISC_CAP_ISRC_MCN);
    CHECK(!(disc_features(d) & DISC_CAP_RAWTOC));
    REQUIRE_OK(&ctx, disc_build_rawtoc(&ctx, d, &toc, &n));
    /* Session 1: A0 A1 A2 T1 T2 B0 C0; session 2: A0 A1 A2 T3. */
    CHECK_INT(11, n);
    CHECK_HEX(0xA0, toc[0].point);
    CHECK_INT(1, toc[0].pmin);
    CHECK_HEX(0xA2, toc[2].point);
    CHECK_INT(1200, disc_msf_to_lba((struct disc_msf){ toc[2].pmin, toc[2].psec,
                                                       toc[2].pframe }));
    CHECK_HEX(0xB0, toc[5].point);
    CHECK_INT(5, toc[5].adr);
    CHECK_HEX(0x20, toc[7].psec); /* session 2 is CD-ROM XA */
    CHECK_INT(1200 + 11400, disc_msf_to_lba((struct disc_msf){
                                toc[10].pmin, toc[10].psec, toc[10].pframe }));
    /* The model's own TOC is not a feature; a changed entry is. */
    CHECK_OK(&ctx, disc_set_rawtoc(&ctx, d, toc, n));
    CHECK(!(disc_features(d) & DISC_CAP_RAWTOC));
    toc[6].pmin = 96;
    CHECK_OK(&ctx, disc_set_rawtoc(&ctx, d, toc, n));
    CHECK(disc_features(d) & DISC_CAP_RAWTOC);
    disc_free_mem(toc);
    disc_free(d);
}

TEST(core_extents_reject_overlap)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_extent e = { .lba = 5, .count = 3, .data = DISC_DATA_GEN };

    t_ctx(&ctx);
    d = tiny(&ctx, tiny_mem, sizeof tiny_mem);
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_FORMAT, "mapped twice",
              disc_extent_add(&ctx, d, &e));
    e.lba = 20;
    CHECK_OK(&ctx, disc_extent_add(&ctx, d, &e));
    e.lba = 18;
    CHECK_ERR(&ctx, DISC_E_FORMAT, "mapped twice",
              disc_extent_add(&ctx, d, &e));
    CHECK_INT(2, (int)disc_extent_count(d));
    disc_free(d);
}

TEST(core_read_sectors_layouts)
{
    /* The same three Mode 1 sectors stored raw, cooked (2048) and as
     * 2448-byte records with interleaved subchannel must serve the same
     * raw bytes; a MOTOROLA audio extent is byte-swapped back. */
    static uint8_t raw[3 * DISC_SECTOR_RAW], cooked[3 * 2048], rec[3 * 2448],
        swapped[3 * DISC_SECTOR_RAW], out[3 * DISC_SECTOR_RAW];
    uint8_t sub[3 * 96], sub2[3 * 96];
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_source *s;
    int i, k;

    t_ctx(&ctx);
    for (i = 0; i < 3; i++) {
        fx_sector(raw + i * DISC_SECTOR_RAW, i, DISC_MODE_MODE1);
        memcpy(cooked + i * 2048, raw + i * DISC_SECTOR_RAW + 16, 2048);
        memcpy(rec + i * 2448, raw + i * DISC_SECTOR_RAW, DISC_SECTOR_RAW);
        for (k = 0; k < 96; k++)
            sub[i * 96 + k] = (uint8_t)(i * 7 + k);
        disc_sub_interleave(sub + i * 96, rec + i * 2448 + DISC_SECTOR_RAW);
    }
    for (k = 0; k < 3; k++) {
        struct disc_extent e = { .lba = 0,
                                 .count = 3,
                                 .stride = DISC_SECTOR_RAW,
                                 .data = DISC_DATA_RAW };
        const void *mem = raw;
        int64_t size = sizeof raw;
        d = disc_new(&ctx);
        REQUIRE(d);
        if (k == 1) {
            mem = cooked;
            size = sizeof cooked;
            e.stride = 2048;
            e.data = DISC_DATA_MODE1;
        } else if (k == 2) {
            mem = rec;
            size = sizeof rec;
            e.stride = 2448;
            e.sub = DISC_SUBL_INTERLEAVED;
        }
        REQUIRE_OK(&ctx, disc_source_mem_new(&ctx, mem, size, &s));
        disc_source_attach(d, s);
        e.src = s;
        REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e));
        memset(out, 0xAA, sizeof out);
        CHECK_OK(&ctx,
                 disc_read_sectors(&ctx, d, 0, 3, out, k == 2 ? sub2 : NULL));
        CHECK_MEM(raw, out, sizeof raw);
        if (k == 2)
            CHECK_MEM(sub, sub2, sizeof sub);
        disc_free(d);
    }
    for (i = 0; i < (int)sizeof raw; i += 2) {
        swapped[i] = raw[i + 1];
        swapped[i + 1] = raw[i];
    }
    d = disc_new(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_source_mem_new(&ctx, swapped, sizeof swapped, &s));
    disc_source_attach(d, s);
    {
        struct disc_extent e = { .lba = 0,
                                 .count = 3,
                                 .src = s,
                                 .stride = DISC_SECTOR_RAW,
                                 .data = DISC_DATA_RAW,
                                 .flags = DISC_EXT_SWAP };
        REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e));
    }
    CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 0, 3, out, NULL));
    CHECK_MEM(raw, out, sizeof raw);
    /* A read past the mapped range names the LBA. */
    CHECK_ERR(&ctx, DISC_E_RANGE, "LBA 3",
              disc_read_sectors(&ctx, d, 2, 2, out, NULL));
    disc_free(d);
}

TEST(core_read_generated_and_short_file)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_source *s;
    struct disc_sector_info info;
    uint8_t out[2 * DISC_SECTOR_RAW];
    static uint8_t half[DISC_SECTOR_RAW + 100];

    t_ctx(&ctx);
    d = disc_new(&ctx);
    REQUIRE(d);
    {
        struct disc_extent g = {
            .lba = 0, .count = 2, .data = DISC_DATA_GEN, .gen = DISC_GEN_MODE1
        };
        REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &g));
    }
    REQUIRE_OK(&ctx, disc_source_mem_new(&ctx, half, sizeof half, &s));
    disc_source_attach(d, s);
    {
        struct disc_extent e = { .lba = 2,
                                 .count = 2,
                                 .src = s,
                                 .stride = DISC_SECTOR_RAW,
                                 .data = DISC_DATA_RAW };
        REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e));
    }
    CHECK_OK(&ctx, disc_read_sectors(&ctx, d, 0, 2, out, NULL));
    disc_sector_classify(out + DISC_SECTOR_RAW, &info);
    CHECK_INT(DISC_SECTOR_MODE1, info.type);
    CHECK_INT(1, info.lba);
    CHECK_INT(1, info.edc_ok);
    CHECK_INT(1, info.ecc_ok);
    CHECK_INT(0, disc_lba_stored(d, 1));
    CHECK_INT(1, disc_lba_stored(d, 2));
    CHECK_ERR(&ctx, DISC_E_RANGE, "short",
              disc_read_sectors(&ctx, d, 2, 2, out, NULL));
    disc_free(d);
}

static int
count_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!dp)
        return -1;
    while ((de = readdir(dp)))
        if (de->d_name[0] != '.')
            n++;
    closedir(dp);
    return n;
}

TEST(core_out_atomic)
{
    struct disc_ctx ctx;
    struct disc_out *o;
    struct disc_outset *set;
    char *txt;

    t_ctx(&ctx);
    /* Abort leaves nothing behind. */
    REQUIRE_OK(&ctx, disc_out_open(&ctx, "a.bin", 0, &o));
    CHECK_OK(&ctx, disc_out_write(&ctx, o, "hello", 5));
    CHECK_INT(1, count_entries("."));
    CHECK_INT(0, t_exists("a.bin"));
    disc_out_abort(o);
    CHECK_INT(0, count_entries("."));
    /* Commit renames into place; a header can be patched. */
    REQUIRE_OK(&ctx, disc_out_open(&ctx, "a.bin", 0, &o));
    CHECK_OK(&ctx, disc_out_printf(&ctx, o, "%s-%d", "xyz", 42));
    CHECK_OK(&ctx, disc_out_pwrite(&ctx, o, "X", 1, 1));
    CHECK_INT(6, disc_out_tell(o));
    CHECK_OK(&ctx, disc_out_commit(&ctx, o));
    txt = t_slurp("a.bin", NULL);
    CHECK_STR("xXz-42", txt);
    free(txt);
    /* An existing file is refused without force and left untouched. */
    CHECK_ERR(&ctx, DISC_E_EXISTS, "a.bin",
              disc_out_open(&ctx, "a.bin", 0, &o));
    /* A set: either all files appear or none. */
    REQUIRE_OK(&ctx, disc_outset_new(&ctx, NULL, 0, &set));
    REQUIRE_OK(&ctx, disc_outset_open(&ctx, set, "b.bin", &o));
    CHECK_OK(&ctx, disc_out_write(&ctx, o, "b", 1));
    CHECK_ERR(&ctx, DISC_E_EXISTS, NULL,
              disc_outset_open(&ctx, set, "a.bin", &o));
    disc_outset_abort(set);
    CHECK_INT(1, count_entries("."));
    REQUIRE_OK(&ctx, disc_outset_new(&ctx, NULL, 1, &set));
    REQUIRE_OK(&ctx, disc_outset_open(&ctx, set, "a.bin", &o));
    CHECK_OK(&ctx, disc_out_write(&ctx, o, "new", 3));
    REQUIRE_OK(&ctx, disc_outset_open(&ctx, set, "c.bin", &o));
    CHECK_ERR(&ctx, DISC_E_ARG, "twice",
              disc_outset_open(&ctx, set, "c.bin", &o));
    CHECK_OK(&ctx, disc_outset_commit(&ctx, set));
    txt = t_slurp("a.bin", NULL);
    CHECK_STR("new", txt);
    free(txt);
    CHECK_INT(2, count_entries("."));
}

/* disc_outset_begin: the descriptor first, the options' force honoured,
 * and nothing left behind (no set to abort) when it is refused. */
TEST(core_outset_begin)
{
    struct disc_ctx ctx;
    struct disc_write_opts wo;
    struct disc_outset *set = NULL;
    struct disc_out *o = NULL, *bin;
    char *txt;

    t_ctx(&ctx);
    memset(&wo, 0, sizeof wo);
    REQUIRE(t_write_file("d.toc", "old", 3) == 0);
    CHECK_ERR(&ctx, DISC_E_EXISTS, "d.toc",
              disc_outset_begin(&ctx, NULL, &wo, "d.toc", &set, &o));
    CHECK(set == NULL);
    CHECK_INT(1, count_entries("."));
    wo.force = 1;
    REQUIRE_OK(&ctx, disc_outset_begin(&ctx, NULL, &wo, "d.toc", &set, &o));
    REQUIRE(set && o);
    CHECK_OK(&ctx, disc_out_write(&ctx, o, "new", 3));
    REQUIRE_OK(&ctx, disc_outset_open(&ctx, set, "d.bin", &bin));
    CHECK_OK(&ctx, disc_out_write(&ctx, bin, "b", 1));
    CHECK_OK(&ctx, disc_outset_commit(&ctx, set));
    txt = t_slurp("d.toc", NULL);
    CHECK_STR("new", txt);
    free(txt);
    CHECK_INT(1, t_file_size("d.bin"));
    CHECK_INT(2, count_entries("."));
}

TEST(core_out_refuses_input)
{
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_source *s;
    struct disc_outset *set;
    struct disc_out *o;

    t_ctx(&ctx);
    REQUIRE(t_write_file("in.bin", "data", 4) == 0);
    d = disc_new(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, disc_source_file_new(&ctx, "in.bin", &s));
    disc_source_attach(d, s);
    REQUIRE_OK(&ctx, disc_outset_new(&ctx, d, 1, &set));
    CHECK_ERR(&ctx, DISC_E_ARG, "input",
              disc_outset_open(&ctx, set, "./in.bin", &o));
    disc_outset_abort(set);
    disc_free(d);
    CHECK_INT(4, t_file_size("in.bin"));
}

TEST(core_text_reader)
{
    static const char src[] = "\xEF\xBB\xBF"
                              "ONE  \r\nTWO\rTHREE\n\tFOUR\t\nlast";
    static const char latin[] = "TITLE \"N\xE4"
                                "chte\"\n";
    struct disc_ctx ctx;
    struct disc_text t;
    char *l;

    t_ctx(&ctx);
    REQUIRE(t_write_file("a.txt", src, sizeof src - 1) == 0);
    REQUIRE_OK(&ctx, disc_text_open(&ctx, "a.txt", &t));
    CHECK_STR("ONE", disc_text_next(&t));
    CHECK_STR("TWO", disc_text_next(&t));
    CHECK_STR("THREE", disc_text_next(&t));
    CHECK_STR("\tFOUR", disc_text_next(&t));
    l = disc_text_next(&t);
    CHECK_STR("last", l);
    CHECK_INT(5, t.line);
    CHECK(disc_text_next(&t) == NULL);
    CHECK_INT(0, t.latin1);
    disc_text_close(&t);
    REQUIRE(t_write_file("b.txt", latin, sizeof latin - 1) == 0);
    REQUIRE_OK(&ctx, disc_text_open(&ctx, "b.txt", &t));
    CHECK_STR("TITLE \"N\xC3\xA4"
              "chte\"",
              disc_text_next(&t));
    CHECK_INT(1, t.latin1);
    disc_text_close(&t);
    CHECK_ERR(&ctx, DISC_E_IO, "missing.txt",
              disc_text_open(&ctx, "missing.txt", &t));
}

TEST(core_path_helpers)
{
    char *p = NULL;

    CHECK(mkdir("Sub", 0777) == 0);
    CHECK(t_write_file("Sub/Track01.BIN", "x", 1) == 0);
    CHECK_INT(0, disc_path_resolve(".", "sub\\track01.bin", &p));
    CHECK_STR("Sub/Track01.BIN", p);
    disc_free_mem(p);
    CHECK_INT(DISC_E_IO, disc_path_resolve(".", "none.bin", &p));
    CHECK(p == NULL);
    p = disc_path_with_ext("dir.x/name.cue", "bin");
    CHECK_STR("dir.x/name.bin", p);
    disc_free_mem(p);
    p = disc_path_with_ext("dir.x/name", "img");
    CHECK_STR("dir.x/name.img", p);
    disc_free_mem(p);
    p = disc_path_dir("a/b/c.cue");
    CHECK_STR("a/b", p);
    disc_free_mem(p);
    p = disc_path_dir("c.cue");
    CHECK_STR(".", p);
    disc_free_mem(p);
    CHECK_STR("c.cue", disc_path_base("a/b/c.cue"));
}

TEST(core_registry)
{
    struct disc_ctx ctx;
    const struct disc_format *f;
    struct disc *d = NULL;
    size_t it = 0;
    int n = 0;

    t_ctx(&ctx);
    while ((f = disc_format_next(&it)))
        n++;
    CHECK(n >= 3);
    CHECK(disc_format_find("CUE") == disc_format_find("cue"));
    CHECK(disc_format_find("nope") == NULL);
    CHECK(disc_format_for_output("x/y.CCD") == disc_format_find("ccd"));
    CHECK(disc_format_for_output("y.txt") == NULL);
    REQUIRE(t_write_file("junk.xyz", "\x01\x02\x03 hello", 9) == 0);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "junk.xyz",
              disc_open_image(&ctx, "junk.xyz", NULL, &d));
    CHECK(d == NULL);
    CHECK_ERR(&ctx, DISC_E_IO, "nothere.cue",
              disc_open_image(&ctx, "nothere.cue", NULL, &d));
}

TEST(core_oom_model)
{
    /* Every allocation of building, checking, comparing and freeing a
     * disc fails in turn: each run must fail cleanly (leaks are caught by
     * ASan and valgrind) until the whole sequence succeeds. */
    struct disc_ctx ctx;
    long k;
    int ok = 0;

    for (k = 1; k < 500 && !ok; k++) {
        struct disc *a, *b = NULL;
        t_ctx(&ctx);
        disc_alloc_reset();
        disc_alloc_fail_at(k);
        a = fx_disc_mixed(&ctx);
        if (a)
            b = fx_disc_mixed(&ctx);
        if (a && b) {
            int r = disc_compare(&ctx, a, b, 0);
            unsigned feat = disc_features(a);
            CHECK(r == 0 || r == DISC_E_NOMEM);
            if (r == 0 && disc_alloc_failed() == 0) {
                ok = 1;
                CHECK(feat & DISC_CAP_CDTEXT);
            }
        } else {
            CHECK(disc_alloc_failed() > 0);
        }
        disc_free(a);
        disc_free(b);
        disc_alloc_fail_at(0);
    }
    CHECK(ok);
    CHECK(k > 3);
}

TEST(core_streaming_copy_flat_memory)
{
    /* Copying a 1,000-sector and a 20,000-sector disc through the
     * sector pipeline (with synthesised subchannel) must use the same
     * peak heap: memory does not grow with the image. */
    struct disc_ctx ctx;
    size_t peak[2];
    int k;

    for (k = 0; k < 2; k++) {
        struct disc *d;
        struct disc_outset *set;
        struct disc_out *img, *sub;
        struct disc_copy c = { 0 };
        int32_t len = k ? 20000 : 1000;

        t_ctx(&ctx);
        d = fx_disc_audio(&ctx, 4, len / 4);
        REQUIRE(d);
        disc_alloc_reset();
        REQUIRE_OK(&ctx, disc_outset_new(&ctx, d, 1, &set));
        REQUIRE_OK(&ctx, disc_outset_open(&ctx, set, "x.img", &img));
        REQUIRE_OK(&ctx, disc_outset_open(&ctx, set, "x.sub", &sub));
        c.main = img;
        c.sub = sub;
        CHECK_OK(&ctx, disc_out_copy_sectors(&ctx, d, 0,
                                             (uint32_t)(len + 3 * 150), &c));
        CHECK_OK(&ctx, disc_outset_commit(&ctx, set));
        peak[k] = disc_alloc_peak() - disc_alloc_live();
        CHECK_INT((long long)(len + 450) * DISC_SECTOR_RAW,
                  t_file_size("x.img"));
        disc_free(d);
        remove("x.img");
        remove("x.sub");
    }
    CHECK_INT(peak[0], peak[1]);
    CHECK(peak[1] < 4u << 20);
}

TEST(core_out_link_whole_file)
{
    /* A raw image mapped by two extents that continue each other is one
     * whole-file copy: with --link the output is a hard link to it,
     * without it an independent file with the same bytes. */
    static uint8_t data[10 * DISC_SECTOR_RAW];
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_source *s;
    struct disc_outset *set;
    struct disc_out *o;
    struct disc_copy c = { 0 };
    struct stat a, b;
    size_t i;
    int k;

    t_ctx(&ctx);
    for (i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    REQUIRE(t_write_file("in.bin", data, sizeof data) == 0);
    for (k = 0; k < 2; k++) {
        d = disc_new(&ctx);
        REQUIRE(d);
        REQUIRE_OK(&ctx, disc_source_file_new(&ctx, "in.bin", &s));
        disc_source_attach(d, s);
        {
            struct disc_extent e1 = { .lba = 0,
                                      .count = 4,
                                      .src = s,
                                      .stride = DISC_SECTOR_RAW,
                                      .data = DISC_DATA_RAW };
            struct disc_extent e2 = e1;
            e2.lba = 4;
            e2.count = 6;
            e2.offset = 4 * DISC_SECTOR_RAW;
            REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e1));
            REQUIRE_OK(&ctx, disc_extent_add(&ctx, d, &e2));
        }
        REQUIRE_OK(&ctx, disc_outset_new(&ctx, d, 1, &set));
        disc_outset_link(set, k);
        REQUIRE_OK(&ctx, disc_outset_open(&ctx, set, "out.bin", &o));
        c.main = o;
        CHECK_OK(&ctx, disc_out_copy_sectors(&ctx, d, 0, 10, &c));
        CHECK_OK(&ctx, disc_outset_commit(&ctx, set));
        disc_free(d);
        REQUIRE(stat("in.bin", &a) == 0 && stat("out.bin", &b) == 0);
        CHECK_INT(k, a.st_ino == b.st_ino);
        CHECK_INT(sizeof data, b.st_size);
        {
            char *got = t_slurp("out.bin", NULL);
            REQUIRE(got);
            CHECK_MEM(data, got, sizeof data);
            free(got);
        }
        remove("out.bin");
    }
}

TEST(core_toc_formats_refuse_overlong_disc)
{
    /* 404850 sectors end at 90:00:00, a lead-in address under the MMC
     * rule: CloneCD and Alcohol cannot store that TOC, and say so before
     * writing anything; one sector less is fine. */
    struct disc_ctx ctx;
    struct disc *d;
    struct disc_rawtoc *toc = NULL;
    uint16_t n = 0;
    struct disc_write_opts o = { 0 };

    t_ctx(&ctx);
    d = fx_disc_audio(&ctx, 1, 404850);
    REQUIRE(d);
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "89:59:74",
              disc_build_rawtoc(&ctx, d, &toc, &n));
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "89:59:74",
              disc_write(&ctx, d, disc_format_find("ccd"), "x.ccd", &o));
    CHECK_ERR(&ctx, DISC_E_UNSUPPORTED, "89:59:74",
              disc_write(&ctx, d, disc_format_find("mds"), "x.mds", &o));
    CHECK_INT(0, count_entries("."));
    d->session[0].leadout--;
    CHECK_OK(&ctx, disc_build_rawtoc(&ctx, d, &toc, &n));
    disc_free_mem(toc);
    disc_free(d);
}

/* zlib's own functions, looked up the way plugins look up theirs. */
#define LIBZ_FUNCS(X) X(zlibVersion) X(crc32)
DISC_LIB_DEFINE(libz, LIBZ_FUNCS, "libz.so.1", "zlib1g");

TEST(core_lib_load_fills_table_or_names_the_library)
{
    struct disc_ctx ctx;
    static const char *const bad_names[] = { "crc32", "discarc_no_symbol" };
    struct disc_lib *ok = &libz_lib;
    struct disc_lib nolib = {
        "libdiscarc-none.so.0", "discarc-none", libz_names, 2, &libz, 0, ""
    };
    struct disc_lib nosym = {
        "libz.so.1", "zlib1g", bad_names, 2, &libz, 0, ""
    };

    t_ctx(&ctx);
    REQUIRE(disc_lib_load(&ctx, ok) == 0);
    CHECK_INT(1, ok->state);
    /* The table points at zlib's real functions. */
    CHECK(libz.zlibVersion() != NULL && libz.zlibVersion()[0] == '1');
    CHECK_INT(0x352441c2, (long)libz.crc32(0, (const unsigned char *)"abc", 3));
    CHECK_INT(0, disc_lib_load(&ctx, ok)); /* once loaded, stays */
    /* A missing library: DISC_E_UNSUPPORTED naming it and its package,
     * the same answer again without a second try. */
    CHECK_INT(DISC_E_UNSUPPORTED, disc_lib_load(&ctx, &nolib));
    CHECK(strstr(ctx.msg, "libdiscarc-none.so.0 cannot be loaded (Debian "
                          "package discarc-none): "));
    CHECK_INT(-1, nolib.state);
    CHECK_INT(DISC_E_UNSUPPORTED, disc_lib_load(&ctx, &nolib));
    /* A library without one of the symbols is refused as a whole. */
    CHECK_INT(DISC_E_UNSUPPORTED, disc_lib_load(&ctx, &nosym));
    CHECK(strstr(ctx.msg, "no symbol discarc_no_symbol"));
}
