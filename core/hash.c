/* hash.c - CRC-32, MD5 and SHA-1 in one pass over the data, every digest
 * of every stream on a pool of worker threads; redump-style per-track and
 * whole-image digests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md (redump: one ROM per track file,
 * raw 2352-byte sectors, pregap stored at the start of its track).
 *
 * The data is read once into a ring of slots.  Each (algorithm, stream)
 * pair is a lane that must see the slots in order; any idle worker takes
 * any lane whose next slot is ready, so the lanes run in parallel and a
 * pass costs about what the slowest digest costs alone (given the
 * cores).  A slot is reused when every lane has passed it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "disc_format.h"
#include "verify.h"

#define SLOT_SECTORS 445 /* a slot: about 1 MB of raw sectors */
#define SLOT ((size_t)SLOT_SECTORS * DISC_SECTOR_RAW)
#define NSLOT 4 /* slots in the ring: the reader runs ahead of the lanes */
#define MAXS 8
#define MAXW 4 /* worker threads at most */

enum { A_MD5 = 0, A_CRC = 1, A_SHA1 = 2, NA }; /* slowest first */

struct lane {
    int alg, s;
    struct disc_md *md; /* MD5 and SHA-1 lanes */
    unsigned long next; /* the next slot (by sequence) this lane takes */
    int busy;           /* a worker is on it */
};

struct slot {
    uint8_t *p;
    size_t len;
    unsigned mask; /* streams the data belongs to */
    int pending;   /* lanes that have not passed it yet */
};

struct disc_hasher {
    int n;
    unsigned algs[MAXS];
    uint32_t crc[MAXS];
    int64_t size[MAXS];
    struct lane lane[NA * MAXS];
    int nlanes;
    struct slot slot[NSLOT];
    unsigned long posted; /* slots posted so far */
    pthread_mutex_t mu;
    pthread_cond_t work; /* workers: a slot was posted, or quit */
    pthread_cond_t idle; /* the feeder: a lane passed a slot */
    int sync_ready, quit, nthreads;
    pthread_t th[MAXW];
};

static void
lane_run(struct disc_hasher *h, struct lane *l, const uint8_t *p, size_t n)
{
    if (l->alg == A_CRC) {
        /* The same CRC-32 as zlib's crc32(), with carry-less multiply
         * where the CPU has it: about ten times faster. */
        h->crc[l->s] = libdeflate_crc32(h->crc[l->s], p, n);
    } else {
        disc_md_update(l->md, p, n);
    }
}

/* Under h->mu: a lane that may take its next slot now, or NULL.  Lanes
 * whose stream a slot does not feed pass it here without work. */
static struct lane *
lane_pick(struct disc_hasher *h)
{
    int i;

    for (i = 0; i < h->nlanes; i++) {
        struct lane *l = &h->lane[i];
        while (!l->busy && l->next < h->posted) {
            struct slot *sl = &h->slot[l->next % NSLOT];
            if (sl->mask & (1u << l->s))
                return l;
            l->next++;
            if (--sl->pending == 0)
                pthread_cond_broadcast(&h->idle);
        }
    }
    return NULL;
}

static void *
hash_worker(void *arg)
{
    struct disc_hasher *h = arg;

    pthread_mutex_lock(&h->mu);
    while (!h->quit) {
        struct lane *l = lane_pick(h);
        struct slot *sl;

        if (!l) {
            pthread_cond_wait(&h->work, &h->mu);
            continue;
        }
        sl = &h->slot[l->next % NSLOT];
        l->busy = 1;
        pthread_mutex_unlock(&h->mu);
        lane_run(h, l, sl->p, sl->len);
        pthread_mutex_lock(&h->mu);
        l->busy = 0;
        l->next++;
        if (--sl->pending == 0)
            pthread_cond_broadcast(&h->idle);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Waits until every lane has passed every posted slot. */
static void
hash_wait(struct disc_hasher *h)
{
    int i;

    if (!h->nthreads)
        return; /* everything ran in the feeder's thread */
    pthread_mutex_lock(&h->mu);
    for (i = 0; i < h->nlanes; i++)
        while (h->lane[i].busy || h->lane[i].next != h->posted)
            pthread_cond_wait(&h->idle, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

/* The slot the next post will publish, once every lane has passed what
 * it held before. */
static uint8_t *
slot_get(struct disc_hasher *h)
{
    struct slot *sl = &h->slot[h->posted % NSLOT];

    if (h->nthreads) {
        pthread_mutex_lock(&h->mu);
        while (sl->pending > 0)
            pthread_cond_wait(&h->idle, &h->mu);
        pthread_mutex_unlock(&h->mu);
    }
    return sl->p;
}

/* Publishes the slot from slot_get holding n bytes for the streams. */
static void
slot_post(struct disc_hasher *h, unsigned streams, size_t n)
{
    struct slot *sl = &h->slot[h->posted % NSLOT];
    int s, i;

    for (s = 0; s < h->n; s++)
        if (streams & (1u << s))
            h->size[s] += (int64_t)n;
    if (!h->nthreads) {
        /* No worker could start: slower, still correct. */
        for (i = 0; i < h->nlanes; i++)
            if (streams & (1u << h->lane[i].s))
                lane_run(h, &h->lane[i], sl->p, n);
        h->posted++;
        return;
    }
    pthread_mutex_lock(&h->mu);
    sl->len = n;
    sl->mask = streams;
    sl->pending = h->nlanes;
    h->posted++;
    pthread_cond_broadcast(&h->work);
    pthread_mutex_unlock(&h->mu);
}

void
disc_hasher_free(struct disc_hasher *h)
{
    int i;

    if (!h)
        return;
    if (h->sync_ready) {
        pthread_mutex_lock(&h->mu);
        h->quit = 1;
        pthread_cond_broadcast(&h->work);
        pthread_mutex_unlock(&h->mu);
        for (i = 0; i < h->nthreads; i++)
            pthread_join(h->th[i], NULL);
        pthread_cond_destroy(&h->idle);
        pthread_cond_destroy(&h->work);
        pthread_mutex_destroy(&h->mu);
    }
    for (i = 0; i < h->nlanes; i++)
        disc_md_free(h->lane[i].md);
    for (i = 0; i < NSLOT; i++)
        disc_free_mem(h->slot[i].p);
    disc_free_mem(h);
}

static int
hash_init_stream(struct disc_hasher *h, int s)
{
    int i;

    h->crc[s] = (uint32_t)crc32(0L, Z_NULL, 0);
    h->size[s] = 0;
    for (i = 0; i < h->nlanes; i++) {
        struct lane *l = &h->lane[i];
        if (l->s == s && l->md &&
            disc_md_init(NULL, l->md, l->alg == A_MD5 ? DISC_MD5 : DISC_SHA1))
            return -1;
    }
    return 0;
}

/* nstreams streams, stream s computing algs[s]. */
static int
hasher_new(struct disc_ctx *ctx, const unsigned *algs, int nstreams,
           struct disc_hasher **out)
{
    static const unsigned bit[NA] = { DISC_HASH_MD5, DISC_HASH_CRC32,
                                      DISC_HASH_SHA1 };
    struct disc_hasher *h;
    int a, s, i, nw, r;

    *out = NULL;
    if (nstreams < 1 || nstreams > MAXS)
        return disc_error(ctx, DISC_E_ARG, "hasher: %d streams", nstreams);
    h = disc_calloc(1, sizeof *h);
    if (!h)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    h->n = nstreams;
    for (i = 0; i < NSLOT; i++)
        if (!(h->slot[i].p = disc_malloc(SLOT)))
            goto nomem;
    for (a = 0; a < NA; a++)
        for (s = 0; s < nstreams; s++) {
            struct lane *l = &h->lane[h->nlanes];
            h->algs[s] = algs[s];
            if (!(algs[s] & bit[a]))
                continue;
            l->alg = a;
            l->s = s;
            h->nlanes++;
            if (a != A_CRC &&
                (r = disc_md_new(ctx, a == A_MD5 ? DISC_MD5 : DISC_SHA1,
                                 &l->md)) != 0)
                goto fail;
        }
    for (s = 0; s < nstreams; s++)
        if (hash_init_stream(h, s) != 0)
            goto nomem;
    if (pthread_mutex_init(&h->mu, NULL) != 0)
        goto nomem;
    if (pthread_cond_init(&h->work, NULL) != 0) {
        pthread_mutex_destroy(&h->mu);
        goto nomem;
    }
    if (pthread_cond_init(&h->idle, NULL) != 0) {
        pthread_cond_destroy(&h->work);
        pthread_mutex_destroy(&h->mu);
        goto nomem;
    }
    h->sync_ready = 1;
    /* One worker per lane, up to MAXW; with none the feeder's thread does
     * all the work (slot_post). */
    nw = h->nlanes < MAXW ? h->nlanes : MAXW;
    while (h->nthreads < nw &&
           pthread_create(&h->th[h->nthreads], NULL, hash_worker, h) == 0)
        h->nthreads++;
    *out = h;
    return 0;
nomem:
    disc_hasher_free(h);
    return disc_error(ctx, DISC_E_NOMEM, "out of memory");
fail: /* disc_md_new said why (libcrypto missing) */
    disc_hasher_free(h);
    return r;
}

int
disc_hasher_new(struct disc_ctx *ctx, unsigned algs, int nstreams,
                struct disc_hasher **out)
{
    unsigned a[MAXS];
    int s;

    for (s = 0; s < MAXS; s++)
        a[s] = algs;
    return hasher_new(ctx, a, nstreams, out);
}

int
disc_hasher_update(struct disc_hasher *h, unsigned streams, const void *p,
                   size_t n)
{
    const uint8_t *b = p;

    while (n > 0) {
        size_t k = n < SLOT ? n : SLOT;
        memcpy(slot_get(h), b, k);
        slot_post(h, streams, k);
        b += k;
        n -= k;
    }
    return 0;
}

/* Stream to takes over stream from's state (its lanes must exist in
 * from): a stream that so far saw exactly what another saw need not hash
 * it twice. */
static int
hasher_copy_stream(struct disc_hasher *h, int from, int to)
{
    int i, j;

    hash_wait(h);
    h->size[to] = h->size[from];
    h->crc[to] = h->crc[from];
    for (i = 0; i < h->nlanes; i++) {
        struct lane *t = &h->lane[i];
        if (t->s != to || !t->md)
            continue;
        for (j = 0; j < h->nlanes; j++)
            if (h->lane[j].s == from && h->lane[j].alg == t->alg &&
                disc_md_copy(NULL, t->md, h->lane[j].md) != 0)
                return -1;
    }
    return 0;
}

int
disc_hasher_final(struct disc_hasher *h, int s, struct disc_digest *out)
{
    int i;

    hash_wait(h);
    memset(out, 0, sizeof *out);
    out->algs = h->algs[s];
    out->size = h->size[s];
    if (h->algs[s] & DISC_HASH_CRC32)
        out->crc32 = h->crc[s];
    for (i = 0; i < h->nlanes; i++) {
        struct lane *l = &h->lane[i];
        if (l->s == s && l->md)
            disc_md_final(l->md, l->alg == A_MD5 ? out->md5 : out->sha1);
    }
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
    /* Stream 0: the track; stream 1 (when asked): the image's MD5 and
     * SHA-1 over the same slots.  The image's CRC-32 is always combined
     * from the tracks', which saves a third of a second pass. */
    static const unsigned algs[2] = { DISC_HASH_ALL,
                                      DISC_HASH_MD5 | DISC_HASH_SHA1 };
    struct disc_hasher *h = NULL;
    int i, r;
    int both = d->ntracks > 1 && image_digests;

    r = hasher_new(ctx, algs, both ? 2 : 1, &h);
    if (!h) /* set exactly when r == 0; tested so analysers see it too */
        return r;
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
            if (n > SLOT_SECTORS)
                n = SLOT_SECTORS;
            /* Read straight into the ring: the lanes hash it in place. */
            r = disc_read_sectors(ctx, d, l, n, slot_get(h), NULL);
            if (r < 0)
                goto out;
            slot_post(h, both && i > 0 ? 3u : 1u, (size_t)n * DISC_SECTOR_RAW);
            l += (disc_lba)n;
            ctx->progress_done += n;
            disc_progress(ctx, ctx->progress_done, ctx->progress_total);
        }
        /* The image starts with the first track: its digests so far are
         * the track's, copied instead of computed twice. */
        if (both && i == 0 && hasher_copy_stream(h, 0, 1) != 0) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto out;
        }
        r = disc_hasher_final(h, 0, &tracks[i]);
        if (r < 0)
            goto out;
    }
    /* Size and CRC-32 of the concatenation, from the tracks'. */
    memset(image, 0, sizeof *image);
    image->algs = DISC_HASH_CRC32;
    image->crc32 = tracks[0].crc32;
    image->size = tracks[0].size;
    for (i = 1; i < d->ntracks; i++) {
        image->crc32 = (uint32_t)crc32_combine(image->crc32, tracks[i].crc32,
                                               (z_off_t)tracks[i].size);
        image->size += tracks[i].size;
    }
    if (both) {
        struct disc_digest md;
        r = disc_hasher_final(h, 1, &md);
        memcpy(image->md5, md.md5, sizeof md.md5);
        memcpy(image->sha1, md.sha1, sizeof md.sha1);
        image->algs = DISC_HASH_ALL;
    } else if (d->ntracks == 1) {
        *image = tracks[0];
    }
out:
    disc_hasher_free(h);
    return r;
}
