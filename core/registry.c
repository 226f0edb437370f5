/* registry.c - the format registry (probe, find, iterate) and the
 * open/write entry points with loss accounting.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md (probe scores, extension floor) and
 * docs/architecture.md (loss accounting).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define PROBE_HEAD 4096
#define PROBE_PAD 16
#define EXT_FLOOR 25

const char *
disc_format_name(const struct disc_format *f)
{
    return f->name;
}

const char *
disc_format_description(const struct disc_format *f)
{
    return f->description;
}

const char *
disc_format_extensions(const struct disc_format *f)
{
    return f->extensions;
}

unsigned
disc_format_caps(const struct disc_format *f)
{
    return f->caps;
}

unsigned
disc_format_caps_for(const struct disc_format *f,
                     const struct disc_write_opts *o)
{
    static const struct disc_write_opts defaults;

    if (!o)
        o = &defaults;
    if (f->caps_for)
        return f->caps_for(o);
    if (f->sub_on_request && !o->sub)
        return f->caps & ~DISC_CAP_SUBCHANNEL;
    return f->caps;
}

int
disc_format_can_read(const struct disc_format *f)
{
    return f->read != NULL;
}

int
disc_format_can_write(const struct disc_format *f)
{
    return f->write != NULL;
}

const struct disc_format *
disc_format_next(size_t *iter)
{
    const struct disc_format *f = disc_format_table[*iter];
    if (f)
        (*iter)++;
    return f;
}

const struct disc_format *
disc_format_find(const char *name)
{
    size_t i;
    for (i = 0; disc_format_table[i]; i++)
        if (strcasecmp(disc_format_table[i]->name, name) == 0)
            return disc_format_table[i];
    return NULL;
}

/* 1 if path's extension is in the comma list exts. */
static int
ext_matches(const char *path, const char *exts)
{
    const char *base = disc_path_base(path);
    const char *dot = strrchr(base, '.');
    size_t n;

    if (!dot || !exts)
        return 0;
    dot++;
    n = strlen(dot);
    while (*exts) {
        size_t k = strcspn(exts, ",");
        if (k == n && strncasecmp(exts, dot, n) == 0)
            return 1;
        exts += k;
        if (*exts == ',')
            exts++;
    }
    return 0;
}

const struct disc_format *
disc_format_for_output(const char *path)
{
    size_t i;
    for (i = 0; disc_format_table[i]; i++)
        if (disc_format_table[i]->write &&
            ext_matches(path, disc_format_table[i]->extensions))
            return disc_format_table[i];
    return NULL;
}

int
disc_format_probe(struct disc_ctx *ctx, const char *path,
                  const struct disc_format **out)
{
    uint8_t buf[PROBE_HEAD + PROBE_PAD];
    const struct disc_format *best = NULL, *tie = NULL;
    int best_score = 0;
    size_t n, i;
    FILE *f;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    memset(buf, 0, sizeof buf);
    n = fread(buf, 1, PROBE_HEAD, f);
    if (ferror(f)) {
        int e = errno;
        (void)fclose(f); /* read-only: nothing to flush */
        errno = e;
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(e));
    }
    (void)fclose(f);
    for (i = 0; disc_format_table[i]; i++) {
        const struct disc_format *fmt = disc_format_table[i];
        int score;
        if (!fmt->probe || !fmt->read)
            continue;
        score = fmt->probe(buf, n, path);
        if (ext_matches(path, fmt->extensions) && score < EXT_FLOOR)
            score = EXT_FLOOR;
        if (score > best_score) {
            best = fmt;
            best_score = score;
            tie = NULL;
        } else if (score == best_score && score > 0) {
            tie = fmt;
        }
    }
    if (!best)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: not a disc image format discarc knows "
                          "(see `discarc formats`)",
                          path);
    if (tie)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: could be %s or %s; choose with --from", path,
                          best->name, tie->name);
    *out = best;
    return 0;
}

int
disc_open_audio(struct disc_ctx *ctx, const char *path,
                struct disc_source **out, int64_t *bytes)
{
    size_t i;

    for (i = 0; disc_format_table[i]; i++)
        if (disc_format_table[i]->open_audio) {
            int r;
            if (ctx)
                ctx->msg[0] = '\0';
            r = disc_format_table[i]->open_audio(ctx, path, out, bytes);
            /* A decoder that knows the file but refuses it says why. */
            if (r != DISC_E_UNSUPPORTED || (ctx && ctx->msg[0]))
                return r;
        }
    return disc_error(ctx, DISC_E_UNSUPPORTED,
                      "%s: no decoder for this audio file", path);
}

int
disc_open_image(struct disc_ctx *ctx, const char *path,
                const struct disc_format *fmt, struct disc **out)
{
    struct disc *d;
    size_t i;
    int r;

    *out = NULL;
    if (!fmt) {
        r = disc_format_probe(ctx, path, &fmt);
        if (!fmt) /* set exactly when r == 0; tested so analysers see it */
            return r;
    }
    if (!fmt->read)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: discarc can write %s but not read it", path,
                          fmt->name);
    d = disc_new(ctx);
    if (!d)
        return DISC_E_NOMEM;
    d->source_name = disc_strdup(path);
    if (!d->source_name) {
        disc_free(d);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    d->format = fmt;
    r = fmt->read(ctx, path, d);
    if (r == 0) {
        r = disc_check(ctx, d);
        if (r < 0) {
            /* Prefix the file name so the user knows which input. */
            char msg[sizeof ctx->msg];
            (void)snprintf(msg, sizeof msg, "%s", ctx->msg); /* same size */
            disc_error(ctx, r, "%s: %s", path, msg);
        }
    }
    if (r < 0) {
        disc_free(d);
        return r;
    }
    if (d->sub == DISC_SUB_NONE) {
        d->sub = DISC_SUB_SYNTH;
        for (i = 0; i < disc_extent_count(d); i++) {
            const struct disc_extent *e = disc_extent_get(d, i);
            if (e->sub != DISC_SUBL_NONE)
                d->sub = DISC_SUB_CAPTURED;
        }
    }
    *out = d;
    return 0;
}

unsigned
disc_write_loss(const struct disc *d, const struct disc_format *fmt,
                const struct disc_write_opts *o)
{
    unsigned caps = disc_format_caps_for(fmt, o);

    /* One raw-TOC rule: a captured TOC that contradicts the tracks is
     * replaced by the built one, whatever the format. */
    if (d->nrawtoc && !disc_rawtoc_fits(d))
        caps &= ~DISC_CAP_RAWTOC;
    return disc_features(d) & ~caps & ~DISC_CAP_TRACK_FILES;
}

unsigned
disc_compare_flags_for(const struct disc_format *fmt,
                       const struct disc_write_opts *o)
{
    unsigned caps = disc_format_caps_for(fmt, o), f = DISC_EQ_NO_CDTEXT_RAW;

    if (!(caps & DISC_CAP_META))
        f |= DISC_EQ_NO_META;
    if (!(caps & DISC_CAP_RAWTOC))
        f |= DISC_EQ_NO_RAWTOC;
    if (!(caps & DISC_CAP_SUBCHANNEL))
        f |= DISC_EQ_NO_SUB;
    if (!(caps & DISC_CAP_MODE2_FORM))
        f |= DISC_EQ_MODE2_FAMILY;
    if (!(caps & DISC_CAP_CDTEXT_LANGS))
        f |= DISC_EQ_NO_CDTEXT_LANGS;
    if (!(caps & DISC_CAP_CDTEXT))
        f |= DISC_EQ_NO_CDTEXT;
    if (!(caps & DISC_CAP_ISRC_MCN))
        f |= DISC_EQ_NO_ISRC_MCN;
    return f;
}

/* 1 when a metadata entry records something on the disc rather than a
 * comment about it: the CUE reader keeps a track's SCMS flag as
 * "TRACK nn FLAGS" (no Q CONTROL bit holds it). */
static int
meta_records_disc(const struct disc *d)
{
    int i;

    for (i = 0; i < d->nmeta; i++) {
        const char *k = d->meta[i].key;
        size_t n = strlen(k);
        if (n >= 6 && strcmp(k + n - 6, " FLAGS") == 0)
            return 1;
    }
    return 0;
}

int
disc_write_drop(struct disc_ctx *ctx, const struct disc_write_opts *o,
                const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(what, sizeof what, fmt, ap); /* a long text is cut */
    va_end(ap);
    if (!o->allow_lossy || o->strict)
        return disc_error(ctx, DISC_E_UNSUPPORTED, "%s%s", what,
                          o->strict ? " (refused under --strict)"
                                    : " (use --lossy to convert anyway)");
    disc_warn(ctx, "%s", what);
    return 0;
}

/* The names of the capability bits in caps, comma-separated. */
static void
cap_list(unsigned caps, char *list, size_t size)
{
    unsigned bit;
    size_t n = 0;

    list[0] = '\0';
    for (bit = 1; bit && bit <= caps; bit <<= 1)
        if (caps & bit)
            n += (size_t)snprintf(list + n, n < size ? size - n : 0, "%s%s",
                                  n ? ", " : "", disc_cap_name(bit));
}

/* Why the losses of a write happen, when an option or the input can
 * change it: "" otherwise. */
static void
loss_reasons(const struct disc *d, const struct disc_format *fmt,
             const struct disc_write_opts *o, unsigned lost, char *why,
             size_t size)
{
    struct disc_write_opts with_sub = *o;
    char list[512];
    unsigned sub;
    size_t n = 0;

    why[0] = '\0';
    with_sub.sub = 1;
    sub = lost & disc_format_caps_for(fmt, &with_sub);
    if (!o->sub && sub) {
        cap_list(sub, list, sizeof list);
        n += (size_t)snprintf(why, size, "; written with --sub it holds %s",
                              list);
    }
    if ((lost & DISC_CAP_RAWTOC) &&
        (disc_format_caps_for(fmt, o) & DISC_CAP_RAWTOC) && d->nrawtoc &&
        !disc_rawtoc_fits(d))
        (void)snprintf(why + n, n < size ? size - n : 0,
                       "; the captured raw TOC does not match the track "
                       "list");
}

int
disc_write(struct disc_ctx *ctx, const struct disc *d,
           const struct disc_format *fmt, const char *path,
           const struct disc_write_opts *o)
{
    static const struct disc_write_opts defaults;
    unsigned lost, bit, soft;
    int i, r;

    if (!o)
        o = &defaults;
    if (!fmt->write)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "discarc can read %s but not write it", fmt->name);
    r = disc_check(ctx, d);
    if (r < 0)
        return r;
    lost = disc_write_loss(d, fmt, o);
    /* Soft losses (the declared Mode 2 form of a whole track, which the
     * sectors' own subheaders still carry; comments that are not on the
     * disc) are warnings unless --strict, given once the write goes on. */
    soft = o->strict ? 0 : lost & DISC_CAP_SOFT;
    if (meta_records_disc(d))
        soft &= ~DISC_CAP_META;
    lost &= ~soft;
    if (lost) {
        char list[512], why[600];
        cap_list(lost, list, sizeof list);
        loss_reasons(d, fmt, o, lost, why, sizeof why);
        if (!o->allow_lossy || o->strict)
            return disc_error(ctx, DISC_E_UNSUPPORTED, "%s cannot hold: %s%s%s",
                              fmt->name, list, why,
                              o->strict ? " (refused under --strict)"
                                        : " (use --lossy to convert anyway)");
        for (bit = 1; bit && bit <= lost; bit <<= 1)
            if (lost & bit)
                disc_warn(ctx, "%s cannot hold %s: dropped", fmt->name,
                          disc_cap_name(bit));
    }
    for (bit = 1; bit && bit <= soft; bit <<= 1)
        if (soft & bit)
            disc_warn(ctx, "%s cannot record %s (%s)", fmt->name,
                      disc_cap_name(bit),
                      bit == DISC_CAP_META ? "not on the disc; dropped"
                                           : "kept in the sector data");
    ctx->progress_done = 0;
    ctx->progress_total = 0;
    for (i = 0; i < d->ntracks; i++)
        ctx->progress_total += disc_track_length(d, i);
    return fmt->write(ctx, d, path, o);
}
