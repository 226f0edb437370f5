/* trackfs.c - a disc as a folder of track files (WAV, ISO, raw BIN, a
 * CUE sheet), every byte computed on demand from disc_read_sectors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/mount.md; the canonical 44-byte WAV header
 * (docs/formats/audio.md); CUE sheet syntax (docs/formats/cue.md).
 */
#include <stdio.h>
#include <string.h>

#include "disc_format.h"
#include "rip.h"
#include "trackfs.h"

#define TF_WAV_HEADER 44

void
disc_trackfs_free(struct disc_trackfs *tf)
{
    int i;
    if (!tf)
        return;
    for (i = 0; i < tf->nfiles; i++) {
        disc_free_mem(tf->file[i].name);
        disc_free_mem(tf->file[i].text);
    }
    disc_free_mem(tf->file);
    disc_free_mem(tf->buf);
    disc_free_mem(tf);
}

static struct disc_tf_file *
tf_add(struct disc_trackfs *tf, const char *name, enum disc_tf_kind kind,
       int track, disc_lba start, uint32_t count)
{
    struct disc_tf_file *f, *g;
    g = disc_realloc(tf->file, (size_t)(tf->nfiles + 1) * sizeof *g);
    if (!g)
        return NULL;
    tf->file = g;
    f = &g[tf->nfiles];
    memset(f, 0, sizeof *f);
    f->name = disc_strdup(name);
    if (!f->name)
        return NULL;
    tf->nfiles++;
    f->kind = kind;
    f->track = track;
    f->start = start;
    f->count = count;
    switch (kind) {
    case DISC_TF_WAV:
        f->size = TF_WAV_HEADER + (int64_t)count * DISC_SECTOR_RAW;
        break;
    case DISC_TF_ISO:
        f->size = (int64_t)count * 2048;
        break;
    case DISC_TF_RAW:
        f->size = (int64_t)count * DISC_SECTOR_RAW;
        break;
    case DISC_TF_TEXT:
        break;
    }
    return f;
}

int
disc_trackfs_add_text(struct disc_ctx *ctx, struct disc_trackfs *tf,
                      const char *name, const char *text, size_t len)
{
    struct disc_tf_file *f = tf_add(tf, name, DISC_TF_TEXT, 0, 0, 0);
    if (!f)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    f->text = disc_malloc(len + 1);
    if (!f->text)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    f->size = (int64_t)len;
    return 0;
}

int
disc_trackfs_find(const struct disc_trackfs *tf, const char *name)
{
    int i;
    for (i = 0; i < tf->nfiles; i++)
        if (strcmp(tf->file[i].name, name) == 0)
            return i;
    return -1;
}

static void
tf_msf(struct disc_buf *b, const char *what, int32_t frames)
{
    char m[16];
    disc_buf_printf(b, "%s %s\r\n", what, disc_format_msf(frames, m, sizeof m));
}

static void
tf_flags(struct disc_buf *b, const struct disc_track *t)
{
    if (t->control & (DISC_CTL_COPY | DISC_CTL_PREEMPH | DISC_CTL_4CH))
        disc_buf_printf(b, "    FLAGS%s%s%s\r\n",
                        t->control & DISC_CTL_COPY ? " DCP" : "",
                        t->control & DISC_CTL_4CH ? " 4CH" : "",
                        t->control & DISC_CTL_PREEMPH ? " PRE" : "");
    if (t->isrc[0])
        disc_buf_printf(b, "    ISRC %s\r\n", t->isrc);
}

/* The CUE sheet of the files: data tracks raw from INDEX 01 (a pregap
 * becomes PREGAP, generated on reading), audio tracks as their WAV files
 * with each pregap where the rip plan put it. */
static int
tf_cue(struct disc_ctx *ctx, struct disc_trackfs *tf,
       const struct disc_rip_plan *plan)
{
    const struct disc *d = tf->d;
    struct disc_buf b;
    const struct disc_tf_file *prev = NULL;
    int i, k, n, r;

    memset(&b, 0, sizeof b);
    if (d->mcn[0])
        disc_buf_printf(&b, "CATALOG %s\r\n", d->mcn);
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        const struct disc_tf_file *f = NULL;
        const struct disc_rip_file *pf = NULL;
        enum disc_rip_gap gap = DISC_GAP_NONE;

        for (k = 0; k < tf->nfiles && !f; k++)
            if (tf->file[k].track == t->number &&
                tf->file[k].kind ==
                    (disc_track_is_data(t) ? DISC_TF_RAW : DISC_TF_WAV))
                f = &tf->file[k];
        if (!f)
            continue;
        for (k = 0; plan && k < plan->nfiles && !pf; k++)
            if (plan->file[k].track == t->number)
                pf = &plan->file[k];
        if (pf)
            gap = pf->gap;
        if (d->nsessions > 1 &&
            d->session[t->session - 1].first_track == t->number)
            disc_buf_printf(&b, "REM SESSION %02u\r\n", t->session);
        if (gap == DISC_GAP_PREVIOUS && prev && prev->kind == DISC_TF_WAV) {
            /* EAC's layout: the track opens in the previous file. */
            disc_buf_printf(&b, "  TRACK %02u AUDIO\r\n", t->number);
            tf_flags(&b, t);
            tf_msf(&b, "    INDEX 00", t->index[0] - prev->start);
            disc_buf_printf(&b, "FILE \"%s\" WAVE\r\n", f->name);
        } else {
            disc_buf_printf(&b, "FILE \"%s\" %s\r\n", f->name,
                            disc_track_is_data(t) ? "BINARY" : "WAVE");
            disc_buf_printf(&b, "  TRACK %02u %s\r\n", t->number,
                            !disc_track_is_data(t)       ? "AUDIO"
                            : t->mode == DISC_MODE_MODE1 ? "MODE1/2352"
                                                         : "MODE2/2352");
            tf_flags(&b, t);
            if (t->index[1] > t->index[0] && gap == DISC_GAP_OWN)
                tf_msf(&b, "    INDEX 00", 0);
            else if (t->index[1] > t->index[0])
                tf_msf(&b, "    PREGAP", t->index[1] - t->index[0]);
        }
        for (n = 1; n <= t->last_index; n++)
            if (t->index[n] >= f->start) {
                char what[24]; /* "    INDEX nn" with room for any int */
                (void)snprintf(what, sizeof what, "    INDEX %02d", n);
                tf_msf(&b, what, t->index[n] - f->start);
            }
        prev = f;
    }
    if (b.err) {
        disc_free_mem(b.p);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    r = disc_trackfs_add_text(ctx, tf, "disc.cue", b.p ? b.p : "", b.len);
    disc_free_mem(b.p);
    return r;
}

int
disc_trackfs_new(struct disc_ctx *ctx, const struct disc *d,
                 struct disc_trackfs **out)
{
    struct disc_trackfs *tf;
    struct disc_rip_plan *plan = NULL;
    struct disc_rip_opts ro;
    int i, k, audio = 0, r = 0;
    char name[DISC_RIP_NAME_MAX + 16], safe[DISC_RIP_NAME_MAX + 1];

    *out = NULL;
    tf = disc_calloc(1, sizeof *tf);
    if (!tf)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    tf->d = d;
    tf->buf = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    if (!tf->buf) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < d->ntracks; i++)
        audio += !disc_track_is_data(&d->track[i]);
    if (audio) {
        /* The ranges `discarc rip` writes, so that the files compare
         * equal to a rip's. */
        memset(&ro, 0, sizeof ro);
        ro.no_cue = 1;
        r = disc_rip_plan_new(ctx, d, ".", "wav", &ro, &plan);
        if (r < 0)
            goto fail;
        for (k = 0; k < plan->nfiles; k++) {
            const struct disc_rip_file *f = &plan->file[k];
            if (f->title) {
                disc_rip_sanitize(f->title, "untitled", safe, sizeof safe);
                (void)snprintf(name, sizeof name, "%02u - %s.wav", f->track,
                               safe);
            } else {
                (void)snprintf(name, sizeof name, "%02u.wav", f->track);
            }
            if (!tf_add(tf, name, DISC_TF_WAV, f->track, f->start, f->count)) {
                r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
                goto fail;
            }
        }
    }
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        enum disc_extract_kind kind;
        uint32_t count = (uint32_t)(disc_track_end(d, i) - t->index[1]);
        if (!disc_track_is_data(t))
            continue;
        (void)snprintf(name, sizeof name, "%02u.bin", t->number);
        if (!tf_add(tf, name, DISC_TF_RAW, t->number, t->index[1], count)) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto fail;
        }
        r = disc_extract_kind_for(ctx, d, i, &kind);
        if (r < 0)
            goto fail;
        if (kind != DISC_EXTRACT_ISO)
            continue;
        (void)snprintf(name, sizeof name, "%02u.iso", t->number);
        if (!tf_add(tf, name, DISC_TF_ISO, t->number, t->index[1], count)) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto fail;
        }
    }
    r = tf_cue(ctx, tf, plan);
    if (r < 0)
        goto fail;
    disc_rip_plan_free(plan);
    *out = tf;
    return 0;
fail:
    disc_rip_plan_free(plan);
    disc_trackfs_free(tf);
    return r;
}

static void
tf_wav_header(uint8_t *h, uint32_t data)
{
    static const uint8_t riff[4] = { 'R', 'I', 'F', 'F' };
    static const uint8_t wave[8] = { 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ' };
    static const uint8_t data_id[4] = { 'd', 'a', 't', 'a' };

    memcpy(h, riff, 4);
    disc_wr_le32(h + 4, 36 + data);
    memcpy(h + 8, wave, 8);
    disc_wr_le32(h + 16, 16);
    disc_wr_le16(h + 20, 1); /* PCM */
    disc_wr_le16(h + 22, 2); /* stereo */
    disc_wr_le32(h + 24, 44100);
    disc_wr_le32(h + 28, 176400); /* bytes per second */
    disc_wr_le16(h + 32, 4);      /* block align */
    disc_wr_le16(h + 34, 16);     /* bits per sample */
    memcpy(h + 36, data_id, 4);
    disc_wr_le32(h + 40, data);
}

/* The bytes a sector contributes to a file of kind: ISO sectors that are
 * not Mode 1 / Form 1 read as zeros (`extract --as iso` does the same,
 * keeping the file system's offsets). */
static const uint8_t *
tf_unit(enum disc_tf_kind kind, const uint8_t *raw)
{
    static const uint8_t zeros[2048] = { 0 };
    struct disc_sector_info si;
    size_t off, len;

    if (kind != DISC_TF_ISO)
        return raw;
    disc_sector_classify(raw, &si);
    if ((si.type == DISC_SECTOR_MODE1 || si.type == DISC_SECTOR_FORM1) &&
        disc_sector_user(si.type, &off, &len) == 0 && len == 2048)
        return raw + off;
    return zeros;
}

int64_t
disc_trackfs_read(struct disc_ctx *ctx, struct disc_trackfs *tf, int i,
                  int64_t off, void *buf, size_t len)
{
    const struct disc_tf_file *f;
    uint8_t *out = buf;
    int64_t done = 0, unit, base = 0;

    if (i < 0 || i >= tf->nfiles)
        return disc_error(ctx, DISC_E_ARG, "no such file");
    f = &tf->file[i];
    if (off < 0 || off >= f->size)
        return 0;
    if ((int64_t)len > f->size - off)
        len = (size_t)(f->size - off);
    if (f->kind == DISC_TF_TEXT) {
        memcpy(out, f->text + off, len);
        return (int64_t)len;
    }
    if (f->kind == DISC_TF_WAV) {
        base = TF_WAV_HEADER;
        if (off < TF_WAV_HEADER) {
            uint8_t h[TF_WAV_HEADER];
            int64_t n = TF_WAV_HEADER - off;
            if (n > (int64_t)len)
                n = (int64_t)len;
            tf_wav_header(h, f->count * DISC_SECTOR_RAW);
            memcpy(out, h + off, (size_t)n);
            done = n;
        }
    }
    unit = f->kind == DISC_TF_ISO ? 2048 : DISC_SECTOR_RAW;
    while (done < (int64_t)len) {
        int64_t pos = off + done - base, s = pos / unit, within = pos % unit;
        int64_t want = ((int64_t)len - done + within + unit - 1) / unit;
        uint32_t n = want < DISC_CHUNK ? (uint32_t)want : DISC_CHUNK, k;
        int r;
        if (n > f->count - (uint32_t)s)
            n = f->count - (uint32_t)s;
        r = disc_read_sectors(ctx, tf->d, f->start + (disc_lba)s, n, tf->buf,
                              NULL);
        if (r < 0)
            return r;
        for (k = 0; k < n && done < (int64_t)len; k++) {
            const uint8_t *u =
                tf_unit(f->kind, tf->buf + (size_t)k * DISC_SECTOR_RAW);
            int64_t take = unit - within;
            if (take > (int64_t)len - done)
                take = (int64_t)len - done;
            memcpy(out + done, u + within, (size_t)take);
            done += take;
            within = 0;
        }
    }
    return done;
}
