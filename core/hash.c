/* hash.c - CRC-32, MD5 and SHA-1 in one pass, with MD5 and SHA-1 on
 * worker threads; redump-style per-track and whole-image digests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md (redump: one ROM per track file,
 * raw 2352-byte sectors, pregap stored at the start of its track).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "disc_format.h"
#include "verify.h"

#define HBUF (1u << 20) /* bytes per job */
#define MAXS 8

enum { W_MD5 = 0, W_SHA1 = 1, NW = 2 };

struct disc_hasher;

struct hash_worker_arg {
    struct disc_hasher *h;
    int w;
};

struct disc_hasher {
    unsigned algs;
    int n;
    EVP_MD_CTX *md[NW][MAXS]; /* per worker, per stream */
    uint32_t crc[MAXS];
    int64_t size[MAXS];
    uint8_t *buf[2];          /* double buffer: fill one, hash the other */
    int cur;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int sync_ready;
    const uint8_t *job;       /* the job the workers are on */
    size_t job_len;
    unsigned job_mask;
    unsigned long seq;        /* jobs posted */
    unsigned long done[NW];   /* jobs finished, per worker */
    int quit;
    int threaded[NW];
    pthread_t th[NW];
    struct hash_worker_arg arg[NW];
};

static void
hash_run(struct disc_hasher *h, int w, const uint8_t *p, size_t n,
         unsigned mask)
{
    int s;
    for (s = 0; s < h->n; s++)
        if ((mask & (1u << s)) && h->md[w][s])
            EVP_DigestUpdate(h->md[w][s], p, n);
}

static void *
hash_worker(void *arg)
{
    struct disc_hasher *h = ((struct hash_worker_arg *)arg)->h;
    int w = ((struct hash_worker_arg *)arg)->w;
    unsigned long seen = 0;

    pthread_mutex_lock(&h->mu);
    for (;;) {
        const uint8_t *p;
        size_t n;
        unsigned mask;

        while (!h->quit && h->seq == seen)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->quit)
            break;
        p = h->job;
        n = h->job_len;
        mask = h->job_mask;
        seen = h->seq;
        pthread_mutex_unlock(&h->mu);
        hash_run(h, w, p, n, mask);
        pthread_mutex_lock(&h->mu);
        h->done[w] = seen;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Waits until every worker has finished the last job posted. */
static void
hash_wait(struct disc_hasher *h)
{
    int w;

    if (!h->sync_ready)
        return;
    pthread_mutex_lock(&h->mu);
    for (w = 0; w < NW; w++)
        while (h->threaded[w] && h->done[w] != h->seq)
            pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

void
disc_hasher_free(struct disc_hasher *h)
{
    int s, w;

    if (!h)
        return;
    if (h->sync_ready) {
        pthread_mutex_lock(&h->mu);
        h->quit = 1;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        for (w = 0; w < NW; w++)
            if (h->threaded[w])
                pthread_join(h->th[w], NULL);
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
    }
    for (w = 0; w < NW; w++)
        for (s = 0; s < MAXS; s++)
            EVP_MD_CTX_free(h->md[w][s]);
    disc_free_mem(h->buf[0]);
    disc_free_mem(h->buf[1]);
    disc_free_mem(h);
}

static int
hash_init_stream(struct disc_hasher *h, int s)
{
    int w;

    h->crc[s] = (uint32_t)crc32(0L, Z_NULL, 0);
    h->size[s] = 0;
    for (w = 0; w < NW; w++)
        if (h->md[w][s] &&
            !EVP_DigestInit_ex(h->md[w][s], w == W_MD5 ? EVP_md5() : EVP_sha1(),
                               NULL))
            return -1;
    return 0;
}

int
disc_hasher_new(struct disc_ctx *ctx, unsigned algs, int nstreams,
                struct disc_hasher **out)
{
    struct disc_hasher *h;
    int s, w;

    *out = NULL;
    if (nstreams < 1 || nstreams > MAXS)
        return disc_error(ctx, DISC_E_ARG, "hasher: %d streams", nstreams);
    h = disc_calloc(1, sizeof *h);
    if (!h)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    h->algs = algs;
    h->n = nstreams;
    h->buf[0] = disc_malloc(HBUF);
    h->buf[1] = disc_malloc(HBUF);
    if (!h->buf[0] || !h->buf[1])
        goto nomem;
    for (s = 0; s < nstreams; s++) {
        for (w = 0; w < NW; w++)
            if (algs & (w == W_MD5 ? DISC_HASH_MD5 : DISC_HASH_SHA1)) {
                h->md[w][s] = EVP_MD_CTX_new();
                if (!h->md[w][s])
                    goto nomem;
            }
        if (hash_init_stream(h, s) != 0)
            goto nomem;
    }
    if (pthread_mutex_init(&h->mu, NULL) != 0)
        goto nomem;
    if (pthread_cond_init(&h->cv, NULL) != 0) {
        pthread_mutex_destroy(&h->mu);
        goto nomem;
    }
    h->sync_ready = 1;
    /* A worker that cannot start leaves its digest to the caller's
     * thread (hash_run in disc_hasher_update): slower, still correct. */
    for (w = 0; w < NW; w++) {
        if (!h->md[w][0])
            continue;
        h->arg[w].h = h;
        h->arg[w].w = w;
        h->threaded[w] =
            pthread_create(&h->th[w], NULL, hash_worker, &h->arg[w]) == 0;
    }
    *out = h;
    return 0;
nomem:
    disc_hasher_free(h);
    return disc_error(ctx, DISC_E_NOMEM, "out of memory");
}

int
disc_hasher_update(struct disc_hasher *h, unsigned streams, const void *p,
                   size_t n)
{
    const uint8_t *b = p;
    int s, w;

    while (n > 0) {
        size_t k = n < HBUF ? n : HBUF;
        uint8_t *dst = h->buf[h->cur];

        /* The workers may still hash the other buffer meanwhile. */
        memcpy(dst, b, k);
        for (s = 0; s < h->n; s++)
            if (streams & (1u << s)) {
                if (h->algs & DISC_HASH_CRC32)
                    h->crc[s] = (uint32_t)crc32(h->crc[s], dst, (uInt)k);
                h->size[s] += (int64_t)k;
            }
        hash_wait(h);
        pthread_mutex_lock(&h->mu);
        h->job = dst;
        h->job_len = k;
        h->job_mask = streams;
        h->seq++;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        for (w = 0; w < NW; w++)
            if (h->md[w][0] && !h->threaded[w])
                hash_run(h, w, dst, k, streams);
        h->cur ^= 1;
        b += k;
        n -= k;
    }
    return 0;
}

int
disc_hasher_final(struct disc_hasher *h, int s, struct disc_digest *out)
{
    unsigned len;

    hash_wait(h);
    memset(out, 0, sizeof *out);
    out->algs = h->algs;
    out->size = h->size[s];
    out->crc32 = h->crc[s];
    if (h->md[W_MD5][s])
        EVP_DigestFinal_ex(h->md[W_MD5][s], out->md5, &len);
    if (h->md[W_SHA1][s])
        EVP_DigestFinal_ex(h->md[W_SHA1][s], out->sha1, &len);
    return hash_init_stream(h, s) == 0 ? 0 : DISC_E_NOMEM;
}

char *
disc_hex(const uint8_t *p, size_t n, char *buf)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
    buf[2 * n] = '\0';
    return buf;
}

int
disc_hash_tracks(struct disc_ctx *ctx, const struct disc *d,
                 struct disc_digest *tracks, struct disc_digest *image,
                 int image_digests)
{
    struct disc_hasher *h = NULL;
    uint8_t *buf = NULL;
    int i, r;
    unsigned both = d->ntracks > 1 && image_digests ? 3u : 1u;

    r = disc_hasher_new(ctx, DISC_HASH_ALL, 2, &h);
    if (!h) /* set exactly when r == 0; tested so analysers see it too */
        return r;
    buf = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    if (!buf) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto out;
    }
    ctx->progress_done = 0;
    ctx->progress_total = 0;
    for (i = 0; i < d->ntracks; i++) {
        disc_lba first;
        int32_t count;
        disc_track_file_range(d, i, &first, &count);
        ctx->progress_total += count;
    }
    for (i = 0; i < d->ntracks; i++) {
        disc_lba first, l;
        int32_t count;

        disc_track_file_range(d, i, &first, &count);
        for (l = first; l < first + count;) {
            uint32_t n = (uint32_t)(first + count - l);
            if (n > DISC_CHUNK)
                n = DISC_CHUNK;
            r = disc_read_sectors(ctx, d, l, n, buf, NULL);
            if (r < 0)
                goto out;
            disc_hasher_update(h, both, buf, (size_t)n * DISC_SECTOR_RAW);
            l += (disc_lba)n;
            ctx->progress_done += n;
            disc_progress(ctx, ctx->progress_done, ctx->progress_total);
        }
        r = disc_hasher_final(h, 0, &tracks[i]);
        if (r < 0)
            goto out;
    }
    if (both == 3u) {
        r = disc_hasher_final(h, 1, image);
    } else if (d->ntracks == 1) {
        *image = tracks[0];
    } else {
        /* Size and CRC-32 of the concatenation, from the tracks'. */
        memset(image, 0, sizeof *image);
        image->algs = DISC_HASH_CRC32;
        image->crc32 = tracks[0].crc32;
        image->size = tracks[0].size;
        for (i = 1; i < d->ntracks; i++) {
            image->crc32 = (uint32_t)crc32_combine(image->crc32,
                                                   tracks[i].crc32,
                                                   (z_off_t)tracks[i].size);
            image->size += tracks[i].size;
        }
    }
out:
    disc_free_mem(buf);
    disc_hasher_free(h);
    return r;
}
