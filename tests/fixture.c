/* fixture.c - synthetic discs and pattern data for tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "alloc.h"
#include "fixture.h"
#include "test.h"

static uint8_t
fx_byte(uint64_t pos)
{
    uint64_t x = pos * 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    return (uint8_t)(x >> 56);
}

void
fx_sector(uint8_t *raw, disc_lba lba, enum disc_track_mode mode)
{
    uint64_t base = (uint64_t)((int64_t)lba + 1000000) * DISC_SECTOR_RAW;
    size_t i;

    switch (mode) {
    case DISC_MODE_AUDIO:
        for (i = 0; i < DISC_SECTOR_RAW; i++)
            raw[i] = fx_byte(base + i);
        break;
    case DISC_MODE_MODE1:
        for (i = 0; i < 2048; i++)
            raw[16 + i] = fx_byte(base + i);
        disc_sector_encode_mode1(raw, lba);
        break;
    case DISC_MODE_MODE2:
        for (i = 0; i < 2336; i++)
            raw[16 + i] = fx_byte(base + i);
        disc_sector_header(raw, lba, 2);
        break;
    case DISC_MODE_MODE2_FORM1:
    case DISC_MODE_MODE2_FORM2:
    case DISC_MODE_MODE2_MIXED: {
        /* Mixed tracks alternate: every third sector is Form 2. */
        int form2 = mode == DISC_MODE_MODE2_FORM2 ||
                    (mode == DISC_MODE_MODE2_MIXED && lba % 3 == 0);
        uint8_t sh[4] = { 1, 0, (uint8_t)(form2 ? 0x20 | 0x02 : 0x08), 0 };
        memcpy(raw + 16, sh, 4);
        memcpy(raw + 20, sh, 4);
        for (i = 0; i < (size_t)(form2 ? 2324 : 2048); i++)
            raw[24 + i] = fx_byte(base + i);
        if (form2)
            disc_sector_encode_form2(raw, lba);
        else
            disc_sector_encode_form1(raw, lba);
        break;
    }
    }
}

/* A sector source serving pattern sectors; it knows each LBA's mode
 * from the disc it belongs to. */
struct fx_source {
    struct disc_source base;
    const struct disc *d;
};

static int
fx_read(struct disc_ctx *ctx, struct disc_source *s, disc_lba lba,
        uint32_t count, uint8_t *main, uint8_t *sub)
{
    struct fx_source *f = (struct fx_source *)s;
    uint32_t i;

    for (i = 0; i < count && main; i++) {
        disc_lba l = lba + (disc_lba)i;
        int t = disc_track_at(f->d, l);
        fx_sector(main + (size_t)i * DISC_SECTOR_RAW, l,
                  t >= 0 ? f->d->track[t].mode : DISC_MODE_AUDIO);
    }
    if (sub)
        return disc_sub_synth(ctx, f->d, lba, count, sub);
    return 0;
}

static void
fx_close(struct disc_source *s)
{
    disc_free_mem(s->name);
    disc_free_mem(s);
}

static const struct disc_source_ops fx_ops = {
    .name = "pattern",
    .read_sectors = fx_read,
    .close = fx_close,
};

struct disc *
fx_disc_build(struct disc_ctx *ctx, const struct fx_track *t, int n,
              const char *mcn)
{
    struct disc *d = disc_new(ctx);
    struct fx_source *src;
    disc_lba l = 0;
    int i;

    if (!d)
        return NULL;
    src = disc_calloc(1, sizeof *src);
    if (!src) {
        disc_free(d);
        return NULL;
    }
    src->base.ops = &fx_ops;
    src->base.size = -1;
    src->base.name = disc_strdup("pattern");
    src->d = d;
    disc_source_attach(d, &src->base);
    if (mcn)
        memcpy(d->mcn, mcn, 14);
    for (i = 0; i < n; i++) {
        struct disc_track *tr = &d->track[i];
        struct disc_session *s;

        if (i > 0 && t[i].session != t[i - 1].session) {
            d->session[d->nsessions - 1].leadout = l;
            l += d->nsessions == 1 ? DISC_SESSION_GAP : 6900;
        }
        if (i == 0 || t[i].session != t[i - 1].session) {
            s = &d->session[d->nsessions++];
            s->number = d->nsessions;
            s->first_track = (uint8_t)(i + 1);
            s->type = t[i].mode >= DISC_MODE_MODE2 ? DISC_TYPE_XA : 0;
        }
        s = &d->session[d->nsessions - 1];
        s->last_track = (uint8_t)(i + 1);
        tr->number = (uint8_t)(i + 1);
        tr->session = s->number;
        tr->mode = t[i].mode;
        tr->control =
            (uint8_t)((t[i].mode == DISC_MODE_AUDIO ? 0 : DISC_CTL_DATA) |
                      t[i].control_extra);
        tr->index[0] = l;
        tr->index[1] = l + t[i].pregap;
        tr->last_index = 1;
        if (t[i].idx2) {
            tr->index[2] = tr->index[1] + t[i].idx2;
            tr->last_index = 2;
        }
        if (t[i].isrc)
            memcpy(tr->isrc, t[i].isrc, 13);
        if (t[i].title &&
            disc_cdtext_set(ctx, d, 0, i + 1, DISC_CDTEXT_TITLE, t[i].title)) {
            disc_free(d);
            return NULL;
        }
        {
            struct disc_extent e = { .lba = l,
                                     .count =
                                         (uint32_t)(t[i].pregap + t[i].length),
                                     .src = &src->base,
                                     .offset = l,
                                     .data = DISC_DATA_SECTORS };
            if (disc_extent_add(ctx, d, &e) != 0) {
                disc_free(d);
                return NULL;
            }
        }
        l += t[i].pregap + t[i].length;
        d->ntracks++;
    }
    d->session[d->nsessions - 1].leadout = l;
    d->sub = DISC_SUB_SYNTH;
    return d;
}

struct disc *
fx_disc_mixed(struct disc_ctx *ctx)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 1000, 0, NULL, "Data", 0 },
        { DISC_MODE_AUDIO, 1, 150, 500, 0, NULL, "First song", DISC_CTL_COPY },
        { DISC_MODE_AUDIO, 1, 75, 400, 100, "USRC17607839", "Second song",
          DISC_CTL_PREEMPH },
    };
    struct disc *d = fx_disc_build(ctx, t, 3, "0123456789012");
    if (d &&
        (disc_cdtext_set(ctx, d, 0, 0, DISC_CDTEXT_TITLE, "Fixture") ||
         disc_cdtext_set(ctx, d, 0, 0, DISC_CDTEXT_PERFORMER, "The Testers"))) {
        disc_free(d);
        return NULL;
    }
    return d;
}

struct disc *
fx_disc_enhanced(struct disc_ctx *ctx)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 600, 0, "GBAYE0000001", NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 450, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE2_FORM1, 2, 0, 700, 0, NULL, NULL, 0 },
    };
    return fx_disc_build(ctx, t, 3, NULL);
}

struct disc *
fx_disc_audio(struct disc_ctx *ctx, int n, int32_t len)
{
    struct fx_track t[DISC_MAX_TRACKS];
    int i;

    if (n > DISC_MAX_TRACKS)
        n = DISC_MAX_TRACKS;
    for (i = 0; i < n; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].mode = DISC_MODE_AUDIO;
        t[i].session = 1;
        t[i].pregap = i ? 150 : 0;
        t[i].length = len;
    }
    return fx_disc_build(ctx, t, n, NULL);
}

int
fx_copy_data(const char *rel, const char *as)
{
    size_t n;
    char *b = t_slurp(t_data(rel), &n);
    int r;

    if (!b)
        return -1;
    r = t_write_file(as, b, n);
    free(b);
    return r;
}

int
fx_sparse(const char *path, long long size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int r;

    if (fd < 0)
        return -1;
    r = ftruncate(fd, (off_t)size);
    if (close(fd) != 0)
        r = -1;
    return r;
}

long
fx_oom_open(struct disc_ctx *ctx, const char *path, struct disc **out, long max)
{
    long k;

    for (k = 1; k < max; k++) {
        int r;
        *out = NULL;
        disc_alloc_reset();
        disc_alloc_fail_at(k);
        r = disc_open_image(ctx, path, NULL, out);
        disc_alloc_fail_at(0);
        if (!disc_alloc_failed()) {
            if (r == 0)
                return k;
            t_fail(__FILE__, __LINE__, "%s: open failed: %s", path, ctx->msg);
            return -1;
        }
        if (r != DISC_E_NOMEM || *out) {
            t_fail(__FILE__, __LINE__, "%s, allocation %ld failing: %d %s",
                   path, k, r, ctx->msg);
            disc_free(*out);
            *out = NULL;
            return -1;
        }
    }
    t_fail(__FILE__, __LINE__, "%s: still failing after %ld allocations", path,
           max);
    return -1;
}

static void
fx_hex(const unsigned char *md, unsigned n, char *hex)
{
    unsigned i;
    for (i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

int
fx_md5_sectors(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
               uint32_t count, char hex[33])
{
    static uint8_t buf[DISC_CHUNK * DISC_SECTOR_RAW];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    uint32_t done = 0;
    int r = 0;

    if (!m)
        return -1;
    EVP_DigestInit_ex(m, EVP_md5(), NULL);
    while (done < count && r == 0) {
        uint32_t n = count - done > DISC_CHUNK ? DISC_CHUNK : count - done;
        r = disc_read_sectors(ctx, d, lba + (disc_lba)done, n, buf, NULL);
        if (r == 0)
            EVP_DigestUpdate(m, buf, (size_t)n * DISC_SECTOR_RAW);
        done += n;
    }
    EVP_DigestFinal_ex(m, md, &mdlen);
    EVP_MD_CTX_free(m);
    fx_hex(md, mdlen, hex);
    return r;
}

int
fx_md5_file(const char *path, long long off, long long len, char hex[33])
{
    static uint8_t buf[1 << 16];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *m;
    FILE *f = fopen(path, "rb");

    if (!f)
        return -1;
    if (fseek(f, (long)off, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    m = EVP_MD_CTX_new();
    EVP_DigestInit_ex(m, EVP_md5(), NULL);
    while (len != 0) {
        size_t want =
            len < 0 || len > (long long)sizeof buf ? sizeof buf : (size_t)len;
        size_t got = fread(buf, 1, want, f);
        if (got == 0)
            break;
        EVP_DigestUpdate(m, buf, got);
        if (len > 0)
            len -= (long long)got;
    }
    fclose(f);
    EVP_DigestFinal_ex(m, md, &mdlen);
    EVP_MD_CTX_free(m);
    fx_hex(md, mdlen, hex);
    return len > 0 ? -1 : 0;
}
