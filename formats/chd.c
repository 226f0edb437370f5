/* chd.c - MAME CHD v5 CD images: the reader (header, CHT2/CHTR track
 * metadata, the disc model, hunks decoded ahead on worker threads), the
 * check behind `verify`, and the format descriptor.  The hunk map and
 * the codecs are in chd_map.c.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/chd.md; MAME src/lib/util/chd.cpp (v5 header
 * and map), chdcodec.cpp (CD codecs), huffman.cpp (map code), cdrom.cpp
 * and chdcd.cpp (track metadata, 4-frame padding); libchdr.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chd.h"

/* ------------------------------------------------------------------ */
/* The open file                                                       */

static uint64_t
chd_rd_be64(const uint8_t *p)
{
    return (uint64_t)disc_rd_be32(p) << 32 | disc_rd_be32(p + 4);
}

/* The decode-ahead ring: at most this many bytes of decoded hunks, at
 * most CHD_RING_MAX hunks; a CHD whose hunks are too large for
 * CHD_RING_MIN of them in that space is read without it. */
#define CHD_RING_BYTES ((size_t)4 << 20)
#define CHD_RING_MAX 256
#define CHD_RING_MIN 16

/* Decode-ahead for reads that run forward: worker threads decode the
 * hunks after the one being read into a ring of slots while the caller
 * copies decoded bytes out, so decoding never waits for the copy.  Hunk
 * k lives in slot k % n.  The window [base, base + n) is what may be
 * held: base trails the newest hunk read by `behind` hunks, so a reader
 * that goes back a little (the subchannel view after the data view of
 * the same frames) still finds its hunks.  Workers claim hunks in order
 * at `next`; a hunk below `next` whose slot does not hold it (skipped
 * by a jump forward, or failed) the caller decodes itself.  Everything
 * but the slot bytes is guarded by mu; a slot's bytes belong to the
 * thread that set it BUSY until it is READY, and are then only read. */
enum { CHD_SLOT_EMPTY, CHD_SLOT_BUSY, CHD_SLOT_READY, CHD_SLOT_FAILED };

struct chd_worker {
    struct chd_ring *r;
    struct chd_dec *dec;
};

struct chd_ring {
    pthread_mutex_t mu;
    pthread_cond_t work; /* workers wait here: nothing to claim */
    pthread_cond_t done; /* the caller waits here: a slot still BUSY */
    pthread_t th[CHD_MAX_THREADS];
    int nth, active, stop, busy;
    int paused;        /* a fork() is under way: claim nothing */
    int idle, waiting; /* threads waiting on work and on done */
    uint32_t n, behind, base, next;
    uint32_t *hunk;
    uint8_t *state;
    uint8_t *mem;   /* n slots of hunkbytes */
    unsigned forks; /* chd_forks when the workers were started */
    struct chd_file *f;
    struct chd_worker w[CHD_MAX_THREADS];
    struct chd_ring *link; /* the list of rings with workers (chd_rings) */
};

/* The two views the extents use: the logical bytes (frames of 2448), and
 * the subcode of every frame, deinterleaved, 96 bytes per frame. */
struct chd_source {
    struct disc_source base;
    struct chd_file *f;
    int sub_view;
};

static void chd_ring_free(struct chd_ring *r);

static void
chd_file_unref(struct chd_file *f)
{
    int i;

    if (!f || --f->refs > 0)
        return;
    chd_ring_free(f->ring);
    disc_source_close(f->file);
    disc_free_mem(f->name);
    disc_free_mem(f->map);
    disc_free_mem(f->metasum);
    for (i = 0; i < CHD_CACHE; i++)
        disc_free_mem(f->slot[i]);
    for (i = 0; i < f->ndec; i++)
        chd_dec_free(f->dec[i]);
    disc_free_mem(f);
}

/* The cache slot of resolved hunk h, or -1. */
static int
chd_cached(const struct chd_file *f, uint32_t h)
{
    int i;

    for (i = 0; i < f->nslots; i++)
        if (f->slot_hunk[i] == h)
            return i;
    return -1;
}

/* A slot to decode into (marked empty until filled). */
static int
chd_slot(struct disc_ctx *ctx, struct chd_file *f)
{
    int i;

    if (f->nslots < CHD_CACHE) {
        i = f->nslots;
        f->slot[i] = disc_malloc(f->hunkbytes);
        if (!f->slot[i])
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        f->nslots++;
    } else {
        i = f->victim;
        f->victim = (f->victim + 1) % CHD_CACHE;
    }
    f->slot_hunk[i] = UINT32_MAX;
    return i;
}

static uint32_t
chd_resolve(const struct chd_file *f, uint32_t h)
{
    while (f->map[h].type == CHD_MAP_SELF)
        h = (uint32_t)f->map[h].offset; /* earlier hunk: checked at open */
    return h;
}

/* ------------------------------------------------------------------ */
/* Decode-ahead ring                                                   */

/* Slot s decoded (rc 0) or failed; wakes whoever waits for it.  Called
 * with mu held. */
static void
chd_ring_done(struct chd_ring *r, uint32_t s, int rc)
{
    r->state[s] = rc == 0 ? CHD_SLOT_READY : CHD_SLOT_FAILED;
    r->busy--;
    if (r->waiting)
        pthread_cond_broadcast(&r->done);
    /* A worker may be waiting to claim the next hunk, which goes here. */
    if (r->idle && s == r->next % r->n)
        pthread_cond_broadcast(&r->work);
}

/* Waits until no slot is BUSY.  Called with mu held. */
static void
chd_ring_drain(struct chd_ring *r)
{
    r->waiting++;
    while (r->busy > 0)
        pthread_cond_wait(&r->done, &r->mu);
    r->waiting--;
}

/* fork() with workers running: `discarc mount` opens the image and then
 * forks into the background.  Before the fork every ring's workers are
 * held between two hunks (paused, and mu kept by the forking thread), so
 * that no worker is inside a decoder or the allocator when the process
 * is copied: a child would otherwise inherit a lock nobody releases
 * (the allocators of memory checkers do not all reset theirs).  The
 * child has none of its parent's workers: it counts forks so that a
 * ring made before one is left alone (chd_hunk) and starts its own. */
static unsigned chd_forks;
static pthread_once_t chd_fork_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t chd_rings_mu = PTHREAD_MUTEX_INITIALIZER;
static struct chd_ring *chd_rings;

static void
chd_fork_prepare(void)
{
    struct chd_ring *r;

    pthread_mutex_lock(&chd_rings_mu);
    for (r = chd_rings; r; r = r->link) {
        pthread_mutex_lock(&r->mu);
        r->paused = 1;
        chd_ring_drain(r);
    }
}

static void
chd_fork_parent(void)
{
    struct chd_ring *r;

    for (r = chd_rings; r; r = r->link) {
        r->paused = 0;
        pthread_cond_broadcast(&r->work);
        pthread_mutex_unlock(&r->mu);
    }
    pthread_mutex_unlock(&chd_rings_mu);
}

/* The forking thread holds every lock the prepare step took, so it may
 * release them here; the rings themselves are the parent's. */
static void
chd_fork_child(void)
{
    struct chd_ring *r;

    chd_forks++;
    for (r = chd_rings; r; r = r->link)
        pthread_mutex_unlock(&r->mu);
    chd_rings = NULL;
    pthread_mutex_unlock(&chd_rings_mu);
}

static void
chd_fork_watch(void)
{
    (void)pthread_atfork(chd_fork_prepare, chd_fork_parent, chd_fork_child);
}

static void *
chd_ring_work(void *arg)
{
    const struct chd_worker *w = arg;
    struct chd_ring *r = w->r;
    const struct chd_file *f = r->f;

    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        uint32_t k = r->next, s = k % r->n;
        struct disc_ctx local = DISC_CTX_INIT;
        int rc;
        if (r->paused || !r->active || k >= f->hunkcount ||
            k >= r->base + r->n || r->state[s] == CHD_SLOT_BUSY) {
            r->idle++;
            pthread_cond_wait(&r->work, &r->mu);
            r->idle--;
            continue;
        }
        r->next = k + 1;
        r->hunk[s] = k;
        r->state[s] = CHD_SLOT_BUSY;
        r->busy++;
        pthread_mutex_unlock(&r->mu);
        /* The message stays here: the caller decodes a failed hunk again
         * when it needs it, and reports it then. */
        rc = chd_decode(&local, f, w->dec, chd_resolve(f, k),
                        r->mem + (size_t)s * f->hunkbytes);
        pthread_mutex_lock(&r->mu);
        chd_ring_done(r, s, rc);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void
chd_ring_free(struct chd_ring *r)
{
    struct chd_ring **p;
    int i;

    if (!r)
        return;
    pthread_mutex_lock(&chd_rings_mu);
    for (p = &chd_rings; *p; p = &(*p)->link)
        if (*p == r) {
            *p = r->link;
            break;
        }
    pthread_mutex_unlock(&chd_rings_mu);
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->work);
    pthread_mutex_unlock(&r->mu);
    for (i = 0; i < r->nth; i++)
        pthread_join(r->th[i], NULL);
    pthread_cond_destroy(&r->work);
    pthread_cond_destroy(&r->done);
    pthread_mutex_destroy(&r->mu);
    disc_free_mem(r->hunk);
    disc_free_mem(r->state);
    disc_free_mem(r->mem);
    disc_free_mem(r);
}

/* The workers' decoders a child of fork() inherited: one may have been
 * halfway through a hunk, so they are neither reused nor taken apart,
 * only kept where they stay reachable (a memory checker then does not
 * count them lost).  Past the last place they are simply dropped. */
static struct chd_dec *chd_orphans[4 * CHD_MAX_THREADS];
static size_t chd_norphans;

/* In a child of fork(): the ring's workers are not there to ask.  Its
 * slots are freed; its lock and the workers' decoders are left behind;
 * a new ring starts when reads next run forward. */
static void
chd_ring_orphan(struct chd_file *f)
{
    struct chd_ring *r = f->ring;
    int i;

    for (i = 1; i < f->ndec; i++) {
        if (chd_norphans < sizeof chd_orphans / sizeof chd_orphans[0])
            chd_orphans[chd_norphans++] = f->dec[i];
        f->dec[i] = NULL;
    }
    f->ndec = f->ndec > 1 ? 1 : f->ndec;
    disc_free_mem(r->hunk);
    disc_free_mem(r->state);
    disc_free_mem(r->mem);
    disc_free_mem(r);
    f->ring = NULL;
}

/* Makes the ring and starts its workers; NULL when reads go without one
 * (one processor, hunks too large, no memory, no thread). */
static struct chd_ring *
chd_ring_new(struct chd_file *f)
{
    struct chd_ring *r;
    size_t n = CHD_RING_BYTES / f->hunkbytes;
    int i;

    if (n > CHD_RING_MAX)
        n = CHD_RING_MAX;
    if (n < CHD_RING_MIN || f->nthreads < 2)
        return NULL;
    (void)pthread_once(&chd_fork_once, chd_fork_watch);
    r = disc_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->forks = chd_forks;
    r->f = f;
    r->n = (uint32_t)n;
    r->behind = r->n / 4;
    r->hunk = disc_malloc(n * sizeof *r->hunk);
    r->state = disc_calloc(n, 1);
    r->mem = disc_malloc(n * f->hunkbytes);
    if (!r->hunk || !r->state || !r->mem ||
        pthread_mutex_init(&r->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&r->work, NULL) != 0)
        goto fail_mu;
    if (pthread_cond_init(&r->done, NULL) != 0)
        goto fail_work;
    memset(r->hunk, 0xFF, n * sizeof *r->hunk);
    /* Listed before any worker runs, so that a fork() finds them all. */
    pthread_mutex_lock(&chd_rings_mu);
    r->link = chd_rings;
    chd_rings = r;
    pthread_mutex_unlock(&chd_rings_mu);
    /* One worker per processor: the caller's thread decodes only what it
     * would otherwise wait for, and spends much of its time in write(). */
    for (i = 0; i < f->nthreads; i++) {
        if (f->ndec < 2 + i) {
            f->dec[f->ndec] = chd_dec_new(f->hunkbytes);
            if (!f->dec[f->ndec])
                break;
            f->ndec++;
        }
        r->w[i].r = r;
        r->w[i].dec = f->dec[1 + i];
        if (pthread_create(&r->th[i], NULL, chd_ring_work, &r->w[i]) != 0)
            break;
        r->nth++;
    }
    if (r->nth == 0) {
        chd_ring_free(r);
        return NULL;
    }
    return r;
fail_work:
    pthread_cond_destroy(&r->work);
fail_mu:
    pthread_mutex_destroy(&r->mu);
fail:
    disc_free_mem(r->hunk);
    disc_free_mem(r->state);
    disc_free_mem(r->mem);
    disc_free_mem(r);
    return NULL;
}

/* Starts the ring's window at hunk h (after waiting for decodes still
 * running from an earlier window). */
static void
chd_ring_restart(struct chd_ring *r, uint32_t h)
{
    uint32_t i;

    pthread_mutex_lock(&r->mu);
    chd_ring_drain(r);
    for (i = 0; i < r->n; i++) {
        r->hunk[i] = UINT32_MAX;
        r->state[i] = CHD_SLOT_EMPTY;
    }
    r->base = r->next = h;
    r->active = 1;
    pthread_cond_broadcast(&r->work);
    pthread_mutex_unlock(&r->mu);
}

/* Hunk h from the ring: 0 with *out set, a negative error, or 1 when h
 * lies behind the window (the ring then stops until reads run forward
 * again). */
static int
chd_ring_get(struct disc_ctx *ctx, struct chd_file *f, uint32_t h,
             const uint8_t **out)
{
    struct chd_ring *r = f->ring;
    uint32_t s = h % r->n;
    uint8_t *p = r->mem + (size_t)s * f->hunkbytes;
    int rc;

    pthread_mutex_lock(&r->mu);
    if (h < r->base) {
        chd_ring_drain(r);
        r->active = 0;
        pthread_mutex_unlock(&r->mu);
        return 1;
    }
    if (h - r->base > r->behind) {
        r->base = h - r->behind;
        if (r->next < r->base)
            r->next = r->base;
        /* Idle workers wake when there is a batch to claim, not for
         * every slot that comes free. */
        if (r->idle && r->base + r->n - r->next >= r->n / 8)
            pthread_cond_broadcast(&r->work);
    }
    for (;;) {
        if (r->state[s] == CHD_SLOT_BUSY) {
            /* h itself, or what the slot held before a jump forward. */
            r->waiting++;
            pthread_cond_wait(&r->done, &r->mu);
            r->waiting--;
            continue;
        }
        if (r->hunk[s] == h && r->state[s] == CHD_SLOT_READY) {
            pthread_mutex_unlock(&r->mu);
            *out = p;
            return 0;
        }
        break;
    }
    /* Not decoded (or failed in a worker): this thread decodes it, and a
     * failure gets its message here. */
    if (h >= r->next)
        r->next = h + 1;
    r->hunk[s] = h;
    r->state[s] = CHD_SLOT_BUSY;
    r->busy++;
    pthread_mutex_unlock(&r->mu);
    rc = chd_decode(ctx, f, f->dec[0], chd_resolve(f, h), p);
    pthread_mutex_lock(&r->mu);
    chd_ring_done(r, s, rc);
    pthread_mutex_unlock(&r->mu);
    if (rc < 0)
        return rc;
    *out = p;
    return 0;
}

/* The decoded bytes of hunk h: from the ring when reads run forward,
 * else from the cache or decoded now. */
static int
chd_hunk(struct disc_ctx *ctx, struct chd_file *f, uint32_t h,
         const uint8_t **out)
{
    int i, r, forward = h == f->next_hunk;

    f->next_hunk = h + 1;
    if (f->ring && f->ring->forks != chd_forks)
        chd_ring_orphan(f);
    if (f->ring && f->ring->active) {
        r = chd_ring_get(ctx, f, h, out);
        if (r <= 0)
            return r;
    } else if (forward && h > 0 && f->nthreads > 1) {
        /* Two hunks in a row: the ring starts here. */
        if (!f->ring && !f->ring_failed) {
            f->ring = chd_ring_new(f);
            f->ring_failed = !f->ring;
        }
        if (f->ring) {
            chd_ring_restart(f->ring, h);
            return chd_ring_get(ctx, f, h, out);
        }
    }
    h = chd_resolve(f, h);
    i = chd_cached(f, h);
    if (i >= 0) {
        *out = f->slot[i];
        return 0;
    }
    i = chd_slot(ctx, f);
    if (i < 0)
        return i;
    r = chd_decode(ctx, f, f->dec[0], h, f->slot[i]);
    if (r < 0)
        return r;
    f->slot_hunk[i] = h;
    *out = f->slot[i];
    return 0;
}

static int
chd_src_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off,
              size_t len, void *buf)
{
    struct chd_source *cs = (struct chd_source *)s;
    struct chd_file *f = cs->f;
    uint8_t *p = buf;
    size_t done = 0;

    while (done < len) {
        uint64_t at = (uint64_t)off + done, lo;
        const uint8_t *hb;
        size_t n;
        int r;
        if (off < 0 || at >= (uint64_t)s->size) {
            memset(p + done, 0, len - done);
            return disc_error(ctx, DISC_E_RANGE,
                              "%s: read past the end of the CHD data", f->name);
        }
        if (cs->sub_view) {
            uint8_t lin[96];
            uint64_t frame = at / 96;
            lo = frame * CHD_FRAME;
            r = chd_hunk(ctx, f, (uint32_t)(lo / f->hunkbytes), &hb);
            if (r < 0)
                return r;
            disc_sub_deinterleave(hb + lo % f->hunkbytes + CHD_FRAME_DATA, lin);
            n = 96 - (size_t)(at % 96);
            if (n > len - done)
                n = len - done;
            memcpy(p + done, lin + at % 96, n);
        } else {
            r = chd_hunk(ctx, f, (uint32_t)(at / f->hunkbytes), &hb);
            if (r < 0)
                return r;
            lo = at % f->hunkbytes;
            n = f->hunkbytes - (size_t)lo;
            if (n > len - done)
                n = len - done;
            memcpy(p + done, hb + lo, n);
        }
        done += n;
    }
    return 0;
}

static void
chd_src_close(struct disc_source *s)
{
    struct chd_source *cs = (struct chd_source *)s;

    chd_file_unref(cs->f);
    disc_free_mem(s->name);
    disc_free_mem(cs);
}

static const struct disc_source_ops chd_src_ops = {
    .name = "chd",
    .pread = chd_src_pread,
    .close = chd_src_close,
};

/* ------------------------------------------------------------------ */
/* Opening: header, map, metadata                                      */

/* Where the value of "KEY:" starts in a track entry, or NULL. */
static const char *
chd_field(const char *text, const char *key)
{
    size_t n = strlen(key);
    const char *p = text;

    while ((p = strstr(p, key)) != NULL) {
        if (p == text || p[-1] == ' ')
            return p + n;
        p += n;
    }
    return NULL;
}

/* The value of "KEY:" as a word ("" when absent), or as a decimal number
 * (-1 when absent or malformed). */
static void
chd_field_word(const char *text, const char *key, char *out, size_t len)
{
    const char *p = chd_field(text, key);
    size_t n = 0;

    while (p && p[n] && p[n] != ' ' && n + 1 < len) {
        out[n] = p[n];
        n++;
    }
    out[n] = '\0';
}

static int32_t
chd_field_int(const char *text, const char *key)
{
    const char *p = chd_field(text, key);
    char *end;
    long v;

    if (!p || *p < '0' || *p > '9')
        return -1;
    v = strtol(p, &end, 10);
    if ((*end != ' ' && *end != '\0') || v > DISC_LBA_MAX * 2L)
        return -1;
    return (int32_t)v;
}

/* One CHT2 or CHTR entry. */
static int
chd_parse_track(struct disc_ctx *ctx, struct chd_file *f, uint32_t tag,
                const char *text)
{
    struct chd_track t;

    memset(&t, 0, sizeof t);
    t.number = chd_field_int(text, "TRACK:");
    chd_field_word(text, "TYPE:", t.type, sizeof t.type);
    chd_field_word(text, "SUBTYPE:", t.subtype, sizeof t.subtype);
    t.frames = chd_field_int(text, "FRAMES:");
    if (tag == CHD_TAG_CHT2) {
        t.pregap = chd_field_int(text, "PREGAP:");
        chd_field_word(text, "PGTYPE:", t.pgtype, sizeof t.pgtype);
        chd_field_word(text, "PGSUB:", t.pgsub, sizeof t.pgsub);
        t.postgap = chd_field_int(text, "POSTGAP:");
    }
    if (t.number < 0 || !t.type[0] || !t.subtype[0] || t.frames < 0 ||
        t.pregap < 0 || t.postgap < 0)
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: track metadata '%.80s' is malformed", f->name,
                          text);
    if (t.number != f->ntracks + 1 || f->ntracks >= DISC_MAX_TRACKS)
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: track metadata out of order: TRACK:%d after "
                          "%d tracks",
                          f->name, t.number, f->ntracks);
    if (t.frames <= 0 || t.frames > DISC_LBA_MAX || t.pregap > DISC_LBA_MAX ||
        t.postgap > DISC_LBA_MAX || (t.pgtype[0] == 'V' && t.pregap > t.frames))
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: track %d: impossible FRAMES/PREGAP/POSTGAP",
                          f->name, t.number);
    f->track[f->ntracks++] = t;
    return 0;
}

/* Walks the metadata list: track entries, checksummed entries. */
static int
chd_read_meta(struct disc_ctx *ctx, struct chd_file *f, uint64_t off)
{
    uint8_t h[CHD_META_HEADER];
    char *text = NULL;
    int count = 0, r = 0;

    while (off != 0) {
        uint32_t tag, len;
        uint8_t flags;
        if (++count > 10000 || off + CHD_META_HEADER > (uint64_t)f->file->size)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: metadata entry at byte %llu is outside "
                              "the file or the list loops",
                              f->name, (unsigned long long)off);
        r = f->file->ops->pread(ctx, f->file, (int64_t)off, sizeof h, h);
        if (r < 0)
            return r;
        tag = disc_rd_be32(h);
        flags = h[4];
        len = (uint32_t)h[5] << 16 | disc_rd_be16(h + 6);
        if (off + CHD_META_HEADER + len > (uint64_t)f->file->size)
            return disc_error(ctx, DISC_E_RANGE,
                              "%s: metadata entry at byte %llu runs past "
                              "the end of the file",
                              f->name, (unsigned long long)off);
        text = disc_malloc((size_t)len + 1);
        if (!text)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        r = f->file->ops->pread(ctx, f->file, (int64_t)off + CHD_META_HEADER,
                                len, text);
        if (r < 0)
            goto out;
        text[len] = '\0';
        if (flags & 1) {
            uint8_t(*m)[24] =
                disc_realloc(f->metasum, (size_t)(f->nmeta + 1) * sizeof *m);
            if (!m) {
                r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
                goto out;
            }
            f->metasum = m;
            disc_wr_be32(m[f->nmeta], tag);
            r = disc_sha1(ctx, text, len, m[f->nmeta] + 4);
            if (r < 0)
                goto out;
            f->nmeta++;
        }
        if (tag == CHD_TAG_CHT2 || tag == CHD_TAG_CHTR) {
            r = chd_parse_track(ctx, f, tag, text);
            if (r < 0)
                goto out;
        } else if (tag == CHD_TAG_CHCD || tag == CHD_TAG_CHGD ||
                   tag == CHD_TAG_CHGT) {
            r = disc_error(ctx, DISC_E_UNSUPPORTED,
                           "%s: %s track metadata (old CD or GD-ROM CHD) is "
                           "not supported",
                           f->name,
                           tag == CHD_TAG_CHCD ? "binary CHCD" : "GD-ROM");
            goto out;
        }
        disc_free_mem(text);
        text = NULL;
        off = chd_rd_be64(h + 8);
    }
out:
    disc_free_mem(text);
    return r;
}

/* TYPE strings (and the CUE-style aliases MAME accepts). */
struct chd_ttype {
    const char *name, *alias;
    enum disc_track_mode mode;
    enum disc_data_layout layout;
};

static const struct chd_ttype chd_ttypes[] = {
    { "MODE1", "MODE1/2048", DISC_MODE_MODE1, DISC_DATA_MODE1 },
    { "MODE1_RAW", "MODE1/2352", DISC_MODE_MODE1, DISC_DATA_RAW },
    { "MODE2", "MODE2/2336", DISC_MODE_MODE2_MIXED, DISC_DATA_MODE2 },
    { "MODE2_FORM1", "MODE2/2048", DISC_MODE_MODE2_FORM1, DISC_DATA_FORM1 },
    { "MODE2_FORM2", "MODE2/2324", DISC_MODE_MODE2_FORM2, DISC_DATA_FORM2 },
    { "MODE2_FORM_MIX", NULL, DISC_MODE_MODE2_MIXED, DISC_DATA_MODE2 },
    { "MODE2_RAW", "MODE2/2352", DISC_MODE_MODE2_MIXED, DISC_DATA_RAW },
    { "AUDIO", NULL, DISC_MODE_AUDIO, DISC_DATA_RAW },
};

static const struct chd_ttype *
chd_ttype_find(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof chd_ttypes / sizeof chd_ttypes[0]; i++)
        if (strcmp(s, chd_ttypes[i].name) == 0 ||
            (chd_ttypes[i].alias && strcmp(s, chd_ttypes[i].alias) == 0))
            return &chd_ttypes[i];
    return NULL;
}

static int
chd_new_view(struct disc_ctx *ctx, struct disc *d, struct chd_file *f, int sub,
             struct chd_source **out)
{
    struct chd_source *s = disc_calloc(1, sizeof *s);

    if (!s)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    s->base.ops = &chd_src_ops;
    s->base.name = disc_strdup(f->name);
    if (!s->base.name) {
        disc_free_mem(s);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    s->base.size =
        sub ? (int64_t)(f->logical / CHD_FRAME) * 96 : (int64_t)f->logical;
    s->f = f;
    s->sub_view = sub;
    f->refs++;
    disc_source_attach(d, &s->base);
    *out = s;
    return 0;
}

/* Places the tracks: CHD frames with chdman's 4-frame padding, disc
 * LBAs with unstored pregaps and postgaps in between (cdrom.cpp). */
static int
chd_layout(struct disc_ctx *ctx, struct chd_file *f)
{
    uint64_t chdframe = 0;
    disc_lba lba = 0;
    int i;

    for (i = 0; i < f->ntracks; i++) {
        struct chd_track *k = &f->track[i];
        if (k->pregap > 0 && k->pgtype[0] != 'V')
            lba += k->pregap;
        unsigned long long endf = chdframe + (uint64_t)k->frames;
        unsigned long long have = f->logical / CHD_FRAME;
        if (endf > have)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: track %d ends at frame %llu, past the %llu "
                              "frames the header declares",
                              f->name, k->number, endf, have);
        k->chdframe = (uint32_t)chdframe;
        k->lba = lba;
        lba += k->frames + k->postgap;
        if (lba > DISC_LBA_MAX)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: track %d ends past 89:59:74", f->name,
                              k->number);
        chdframe += (uint64_t)k->frames +
                    (CHD_TRACK_PAD - (uint64_t)k->frames % CHD_TRACK_PAD) %
                        CHD_TRACK_PAD;
    }
    return 0;
}

/* Builds the disc model from the tracks: stored frames, unstored pregaps
 * and postgaps (generated), chdman's 4-frame padding between tracks. */
static int
chd_build(struct disc_ctx *ctx, struct chd_file *f, struct disc *d)
{
    struct chd_source *data = NULL, *sub = NULL;
    int i, r, xa = 0;

    r = chd_new_view(ctx, d, f, 0, &data);
    if (r == 0)
        r = chd_new_view(ctx, d, f, 1, &sub);
    if (r < 0)
        return r;
    for (i = 0; i < f->ntracks; i++) {
        const struct chd_track *k = &f->track[i];
        struct disc_track *t = &d->track[i];
        const struct chd_ttype *ty = chd_ttype_find(k->type);
        struct disc_extent e;
        int has_sub;
        if (!ty)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: track %d: unknown TYPE:%s", f->name,
                              k->number, k->type);
        if (strcmp(k->subtype, "NONE") == 0)
            has_sub = 0;
        else if (strcmp(k->subtype, "RW") == 0 ||
                 strcmp(k->subtype, "RW_RAW") == 0)
            has_sub = 1;
        else
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: track %d: unknown SUBTYPE:%s", f->name,
                              k->number, k->subtype);
        t->number = (uint8_t)(i + 1);
        t->session = 1;
        t->mode = ty->mode;
        t->control = ty->mode == DISC_MODE_AUDIO ? 0 : DISC_CTL_DATA;
        t->last_index = 1;
        if (ty->mode != DISC_MODE_AUDIO && ty->mode != DISC_MODE_MODE1)
            xa = 1;
        memset(&e, 0, sizeof e);
        e.data = DISC_DATA_GEN;
        e.gen = disc_gen_for_mode(ty->mode);
        if (k->pregap > 0 && k->pgtype[0] != 'V') {
            t->index[0] = k->lba - k->pregap;
            e.lba = t->index[0];
            e.count = (uint32_t)k->pregap;
            r = disc_extent_add(ctx, d, &e);
            if (r < 0)
                return r;
        } else {
            t->index[0] = k->lba;
        }
        t->index[1] = t->index[0] + k->pregap;
        if (k->postgap > 0) {
            e.lba = k->lba + k->frames;
            e.count = (uint32_t)k->postgap;
            r = disc_extent_add(ctx, d, &e);
            if (r < 0)
                return r;
        }
        memset(&e, 0, sizeof e);
        e.lba = k->lba;
        e.count = (uint32_t)k->frames;
        e.src = &data->base;
        e.offset = (int64_t)(k->chdframe * CHD_FRAME);
        e.stride = CHD_FRAME;
        e.data = ty->layout;
        e.flags = ty->mode == DISC_MODE_AUDIO ? DISC_EXT_SWAP : 0;
        if (has_sub) {
            e.sub = DISC_SUBL_SEPARATE;
            e.sub_src = &sub->base;
            e.sub_offset = (int64_t)k->chdframe * 96;
        }
        r = disc_extent_add(ctx, d, &e);
        if (r < 0)
            return r;
    }
    d->ntracks = (uint8_t)f->ntracks;
    d->nsessions = 1;
    d->session[0].number = 1;
    d->session[0].first_track = 1;
    d->session[0].last_track = (uint8_t)f->ntracks;
    d->session[0].type = xa ? DISC_TYPE_XA : DISC_TYPE_CDDA;
    d->session[0].leadout = f->track[f->ntracks - 1].lba +
                            f->track[f->ntracks - 1].frames +
                            f->track[f->ntracks - 1].postgap;
    return 0;
}

/* Opens the container; on success *out holds one reference. */
static int
chd_open_file(struct disc_ctx *ctx, const char *path, struct chd_file **out)
{
    struct chd_file *f;
    uint8_t h[CHD_V5_HEADER];
    uint64_t mapoff, metaoff, hunks;
    uint32_t unit, i;
    int r, compressed;
    static const uint8_t zero20[20];

    f = disc_calloc(1, sizeof *f);
    if (!f)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    f->refs = 1;
    {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        f->nthreads = n < 1                 ? 1
                      : n > CHD_MAX_THREADS ? CHD_MAX_THREADS
                                            : (int)n;
    }
    f->name = disc_strdup(path);
    if (!f->name) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    r = disc_source_file_new(ctx, path, &f->file);
    if (r < 0)
        goto fail;
    if (f->file->size < 16) {
        r = disc_error(ctx, DISC_E_FORMAT, "%s: too short for a CHD", path);
        goto fail;
    }
    r = f->file->ops->pread(ctx, f->file, 0, 16, h);
    if (r < 0)
        goto fail;
    if (memcmp(h, CHD_MAGIC, 8) != 0) {
        r = disc_error(ctx, DISC_E_FORMAT, "%s: not a CHD (no MComprHD)", path);
        goto fail;
    }
    if (disc_rd_be32(h + 12) != 5 || disc_rd_be32(h + 8) != CHD_V5_HEADER) {
        r = disc_error(ctx, DISC_E_UNSUPPORTED,
                       "%s: CHD version %u (header %u bytes): only version "
                       "5 is supported (chdman copy -i old.chd -o new.chd "
                       "upgrades)",
                       path, disc_rd_be32(h + 12), disc_rd_be32(h + 8));
        goto fail;
    }
    if (f->file->size < CHD_V5_HEADER) {
        r = disc_error(ctx, DISC_E_RANGE, "%s: truncated CHD header", path);
        goto fail;
    }
    r = f->file->ops->pread(ctx, f->file, 0, sizeof h, h);
    if (r < 0)
        goto fail;
    for (i = 0; i < 4; i++)
        f->codec[i] = disc_rd_be32(h + 16 + (size_t)i * 4);
    f->logical = chd_rd_be64(h + 32);
    mapoff = chd_rd_be64(h + 40);
    metaoff = chd_rd_be64(h + 48);
    f->hunkbytes = disc_rd_be32(h + 56);
    unit = disc_rd_be32(h + 60);
    memcpy(f->rawsha1, h + 64, 20);
    memcpy(f->sha1, h + 84, 20);
    if (memcmp(h + 104, zero20, 20) != 0) {
        r = disc_error(ctx, DISC_E_UNSUPPORTED,
                       "%s: this CHD needs a parent CHD; parent CHDs are "
                       "not supported",
                       path);
        goto fail;
    }
    if (unit != CHD_FRAME || f->hunkbytes == 0 ||
        f->hunkbytes % CHD_FRAME != 0 || f->hunkbytes > (1u << 24)) {
        r = disc_error(ctx, DISC_E_UNSUPPORTED,
                       "%s: unit of %u bytes, hunk of %u bytes: not a CD "
                       "CHD",
                       path, unit, f->hunkbytes);
        goto fail;
    }
    for (i = 0; i < 4; i++) {
        char nm[5];
        uint32_t c = f->codec[i];
        if (c == 0 || c == CHD_CODEC_CDZL || c == CHD_CODEC_CDLZ ||
            c == CHD_CODEC_CDFL)
            continue;
        r = disc_error(ctx, DISC_E_UNSUPPORTED,
                       "%s: compressor '%s' is not supported (this build "
                       "reads cdzl, cdlz and cdfl; recompress with chdman "
                       "copy -c cdlz,cdzl,cdfl)",
                       path, chd_codec_name(c, nm));
        goto fail;
    }
    f->frames = f->hunkbytes / CHD_FRAME;
    hunks = (f->logical + f->hunkbytes - 1) / f->hunkbytes;
    /* A CD holds at most ~405000 frames; leave room for padding. */
    if (f->logical % CHD_FRAME != 0 ||
        f->logical > (uint64_t)(DISC_LBA_MAX + 400) * CHD_FRAME) {
        r = disc_error(ctx, DISC_E_FORMAT, "%s: logical size %llu is no CD's",
                       path, (unsigned long long)f->logical);
        goto fail;
    }
    f->hunkcount = (uint32_t)hunks;
    f->map = disc_calloc(hunks ? hunks : 1, sizeof *f->map);
    f->dec[0] = chd_dec_new(f->hunkbytes);
    f->ndec = f->dec[0] ? 1 : 0;
    if (!f->map || !f->dec[0]) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    r = chd_read_meta(ctx, f, metaoff);
    if (r < 0)
        goto fail;
    if (f->ntracks == 0) {
        r = disc_error(ctx, DISC_E_FORMAT,
                       "%s: no CD track metadata (CHT2/CHTR): not a CD CHD",
                       path);
        goto fail;
    }
    r = chd_layout(ctx, f);
    if (r < 0)
        goto fail;
    compressed = f->codec[0] != 0;
    r = compressed ? chd_read_map(ctx, f, mapoff)
                   : chd_read_flat_map(ctx, f, CHD_V5_HEADER);
    if (r < 0)
        goto fail;
    *out = f;
    return 0;
fail:
    chd_file_unref(f);
    return r;
}

/* Every stored hunk must lie inside the file: a truncated CHD is named
 * by its first missing hunk at open time. */
static int
chd_check_extents(struct disc_ctx *ctx, const struct chd_file *f)
{
    uint32_t h;

    for (h = 0; h < f->hunkcount; h++) {
        const struct chd_entry *e = &f->map[h];
        char msg[128];
        if (e->type == CHD_MAP_SELF ||
            (e->type == CHD_MAP_NONE && e->offset == 0 && !e->has_crc))
            continue;
        if (e->offset + e->length <= (uint64_t)f->file->size)
            continue;
        (void)snprintf(msg, sizeof msg,
                       "stored at bytes %llu-%llu, past the end of the file "
                       "(%lld bytes): truncated CHD",
                       (unsigned long long)e->offset,
                       (unsigned long long)(e->offset + e->length - 1),
                       (long long)f->file->size);
        return chd_hunk_error(ctx, f, h, msg);
    }
    return 0;
}

/* The CHT2 text has no field for MCN, ISRC, INDEX 02+ or the Q CONTROL
 * flags: with a subchannel stored, they come from its Q frames. */
static int
chd_recover_q(struct disc_ctx *ctx, struct disc *d)
{
    uint8_t sub[16 * DISC_SECTOR_SUB];
    int i, r;

    r = disc_sub_recover(ctx, d);
    for (i = 0; r == 0 && i < d->ntracks; i++) {
        struct disc_track *t = &d->track[i];
        disc_lba end = disc_track_end(d, i);
        uint32_t n = end - t->index[1] < 16 ? (uint32_t)(end - t->index[1])
                                            : 16,
                 k;
        if (!disc_lba_has_sub(d, t->index[1]))
            continue;
        r = disc_read_sectors(ctx, d, t->index[1], n, NULL, sub);
        for (k = 0; r == 0 && k < n; k++) {
            const uint8_t *q = sub + (size_t)k * DISC_SECTOR_SUB + 12;
            struct disc_q dq;
            if (!disc_q_crc_ok(q) || disc_q_decode(q, &dq) != 0 ||
                dq.adr != 1 || dq.tno != t->number)
                continue;
            /* The data bit stays the one the track type implies. */
            t->control = (uint8_t)((dq.control & ~DISC_CTL_DATA) |
                                   (t->control & DISC_CTL_DATA));
            break;
        }
    }
    return r;
}

static int
chd_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct chd_file *f = NULL;
    int r, i, sub = 0;

    r = chd_open_file(ctx, path, &f);
    if (!f) /* set exactly when r == 0; tested so analysers see it too */
        return r;
    r = chd_check_extents(ctx, f);
    if (r == 0)
        r = chd_build(ctx, f, d);
    for (i = 0; i < f->ntracks; i++)
        sub |= strcmp(f->track[i].subtype, "NONE") != 0;
    chd_file_unref(f); /* the views hold their own references */
    if (r == 0 && sub)
        r = chd_recover_q(ctx, d);
    return r;
}

/* Decodes every hunk in order (each one's CRC-16 checked) and checks
 * the data SHA-1 and the overall SHA-1 (data + checksummed metadata)
 * the header records (chd.cpp compute_overall_sha1). */
static int
chd_check(struct disc_ctx *ctx, const char *path, char *note, size_t len)
{
    static const uint8_t zero20[20];
    struct chd_file *f = NULL;
    struct disc_md *md = NULL;
    uint8_t raw[20], all[20];
    uint32_t h;
    int r;

    r = chd_open_file(ctx, path, &f);
    if (!f) /* set exactly when r == 0 */
        return r;
    r = chd_check_extents(ctx, f);
    if (r < 0)
        goto out;
    r = disc_md_new(ctx, DISC_SHA1, &md);
    if (r < 0)
        goto out;
    ctx->progress_done = 0;
    ctx->progress_total = (int64_t)(f->logical / CHD_FRAME);
    for (h = 0; h < f->hunkcount; h++) {
        const uint8_t *p = NULL;
        uint64_t at = (uint64_t)h * f->hunkbytes, k = f->hunkbytes;
        r = chd_hunk(ctx, f, h, &p);
        if (r < 0)
            goto out;
        if (at + k > f->logical)
            k = f->logical - at;
        disc_md_update(md, p, (size_t)k);
        disc_progress(ctx, (int64_t)((at + k) / CHD_FRAME),
                      ctx->progress_total);
    }
    disc_md_final(md, raw);
    if (memcmp(f->rawsha1, zero20, 20) == 0 &&
        memcmp(f->sha1, zero20, 20) == 0) {
        (void)snprintf(note, len,
                       "CHD: %u hunks decoded; the file records no SHA-1 "
                       "(uncompressed CHD)",
                       f->hunkcount);
        r = 0;
        goto out;
    }
    if (memcmp(raw, f->rawsha1, 20) != 0) {
        r = disc_error(ctx, DISC_E_FORMAT,
                       "%s: the data's SHA-1 does not match the header's: "
                       "the CHD is damaged",
                       path);
        goto out;
    }
    r = chd_overall_sha1(ctx, raw, f->metasum, f->nmeta, all);
    if (r < 0)
        goto out;
    if (memcmp(all, f->sha1, 20) != 0) {
        r = disc_error(ctx, DISC_E_FORMAT,
                       "%s: the overall SHA-1 (data and metadata) does not "
                       "match the header's: the CHD is damaged",
                       path);
        goto out;
    }
    (void)snprintf(note, len,
                   "CHD: %u hunk CRCs, the data SHA-1 and the overall SHA-1 "
                   "match",
                   f->hunkcount);
    r = 0;
out:
    disc_md_free(md);
    chd_file_unref(f);
    return r;
}

static int
chd_probe(const uint8_t *buf, size_t len, const char *path)
{
    (void)path;
    return len >= 8 && memcmp(buf, CHD_MAGIC, 8) == 0 ? 100 : 0;
}

#define CHD_CAPS                                                               \
    (DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_INDEXES | DISC_CAP_ISRC_MCN |   \
     DISC_CAP_SUBCHANNEL | DISC_CAP_HTOA)

/* MCN and ISRC live in the subchannel, which is stored only with --sub;
 * the core names --sub when it would keep them. */
static unsigned
chd_caps_for(const struct disc_write_opts *o)
{
    return o->sub ? CHD_CAPS
                  : CHD_CAPS & ~(DISC_CAP_SUBCHANNEL | DISC_CAP_ISRC_MCN);
}

const struct disc_format disc_fmt_chd = {
    .name = "chd",
    .description = "MAME CHD v5 CD image (cdlz/cdzl/cdfl); MCN, ISRC, "
                   "INDEX 02+ only with --sub",
    .extensions = "chd",
    /* With --sub (chd_caps_for).  INDEX 02+ and flags also live only in
     * the subchannel; the writer reports those (DISC_CAP_INDEXES covers
     * the pregaps a CHD always holds). */
    .caps = CHD_CAPS,
    .caps_for = chd_caps_for,
    .probe = chd_probe,
    .read = chd_read,
    .write = chd_write,
    .check = chd_check,
};
