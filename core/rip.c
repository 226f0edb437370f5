/* rip.c - the container-independent half of ripping: which sectors go to
 * which file under a gap policy, hidden track one audio, safe file names
 * from untrusted CD-TEXT, the rip's CUE sheet, the streaming driver with
 * AccurateRip CRCs, the byte-order check, and data-track extraction.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/audio.md (gap policies, the rip's sheet),
 * docs/formats/cd.md (HTOA, Video CD submode bits, AccurateRip, PCM).
 * Encoders (libsndfile) live in formats/audio.c, behind disc_rip_sink.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disc_format.h"

#define SAMPLES_PER_SECTOR 588
#define SUBMODE_PAYLOAD 0x0E /* video 0x02 | audio 0x04 | data 0x08 */
#define SUBMODE_FORM2 0x20
#define KIND_SCAN 1024 /* sectors examined to classify a Mode 2 track */

/* ------------------------------------------------------------------ */
/* Names                                                               */

void
disc_rip_sanitize(const char *in, const char *fallback, char *buf, size_t n)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t o = 0, max = n - 1, start = 0;

    if (max > DISC_RIP_NAME_MAX)
        max = DISC_RIP_NAME_MAX;
    while (*s) {
        uint32_t cp;
        size_t k = disc_utf8_decode(s, 4, &cp);
        /* Invalid UTF-8, C0/C1 control characters, separators and the
         * characters other file systems refuse become '_'. */
        if (k == 0 || *s < 0x20 || *s == 0x7F ||
            (k == 2 && s[0] == 0xC2 && s[1] < 0xA0) ||
            strchr("/\\:*?\"<>|", *s)) {
            if (o + 1 > max)
                break;
            buf[o++] = '_';
            s += k ? k : 1;
            continue;
        }
        if (o + k > max)
            break;
        memcpy(buf + o, s, k);
        o += k;
        s += k;
    }
    buf[o] = '\0';
    /* No leading dot (hidden, "." and ".."), dash (option-like) or
     * space; no trailing dot or space. */
    while (buf[start] == '.' || buf[start] == '-' || buf[start] == ' ')
        start++;
    if (start)
        memmove(buf, buf + start, o - start + 1), o -= start;
    while (o > 0 && (buf[o - 1] == '.' || buf[o - 1] == ' '))
        buf[--o] = '\0';
    if (o == 0)
        (void)snprintf(buf, n, "%s", fallback);
}

/* Appends text to buf (size n) at *o, truncating. */
static void
rip_cat(char *buf, size_t n, size_t *o, const char *text)
{
    size_t k = strlen(text);
    if (*o + k >= n)
        k = n - 1 - *o;
    memcpy(buf + *o, text, k);
    *o += k;
    buf[*o] = '\0';
}

/* Checks a template: only %n %t %a %A %% are known. */
static int
rip_check_template(struct disc_ctx *ctx, const char *t)
{
    for (; *t; t++)
        if (*t == '%') {
            t++;
            if (!*t || !strchr("ntaA%", *t))
                return disc_error(ctx, DISC_E_ARG,
                                  "name template: unknown %%%c (use %%n %%t "
                                  "%%a %%A %%%%)",
                                  *t ? *t : ' ');
        }
    return 0;
}

static const char *
rip_text(const struct disc *d, int track, enum disc_cdtext_field f)
{
    const char *s = disc_cdtext_get(d, 0, track, f);
    return s && *s ? s : NULL;
}

/* Expands the template for one file and makes it a safe name. */
static void
rip_expand(const struct disc *d, const char *tmpl, int number, char *out,
           size_t n)
{
    char raw[1024], num[8];
    const char *title, *artist, *album;
    char deftitle[32], fallback[16];
    size_t o = 0;

    (void)snprintf(num, sizeof num, "%02d", number);
    (void)snprintf(fallback, sizeof fallback, "track%02d", number);
    if (number == 0)
        (void)snprintf(deftitle, sizeof deftitle, "Hidden track");
    else
        (void)snprintf(deftitle, sizeof deftitle, "Track %02d", number);
    title = number ? rip_text(d, number, DISC_CDTEXT_TITLE) : NULL;
    artist = number ? rip_text(d, number, DISC_CDTEXT_PERFORMER) : NULL;
    if (!artist)
        artist = rip_text(d, 0, DISC_CDTEXT_PERFORMER);
    album = rip_text(d, 0, DISC_CDTEXT_TITLE);
    raw[0] = '\0';
    for (; *tmpl; tmpl++) {
        if (*tmpl != '%') {
            char c[2] = { *tmpl, '\0' };
            rip_cat(raw, sizeof raw, &o, c);
            continue;
        }
        switch (*++tmpl) {
        case 'n':
            rip_cat(raw, sizeof raw, &o, num);
            break;
        case 't':
            rip_cat(raw, sizeof raw, &o, title ? title : deftitle);
            break;
        case 'a':
            rip_cat(raw, sizeof raw, &o, artist ? artist : "Unknown artist");
            break;
        case 'A':
            rip_cat(raw, sizeof raw, &o, album ? album : "Unknown album");
            break;
        default:
            rip_cat(raw, sizeof raw, &o, "%");
            break;
        }
    }
    disc_rip_sanitize(raw, fallback, out, n);
}

/* ------------------------------------------------------------------ */
/* Plan                                                                */

void
disc_rip_plan_free(struct disc_rip_plan *p)
{
    int i;

    if (!p)
        return;
    for (i = 0; i < p->nfiles; i++) {
        disc_free_mem(p->file[i].name);
        disc_free_mem(p->file[i].path);
    }
    disc_free_mem(p->dir);
    disc_free_mem(p->cue_name);
    disc_free_mem(p->cue_path);
    disc_free_mem(p);
}

static int
rip_is_audio(const struct disc *d, int i)
{
    return i >= 0 && i < d->ntracks && !disc_track_is_data(&d->track[i]);
}

/* 1 if track i-1 is audio in the same session as audio track i. */
static int
rip_prev_audio(const struct disc *d, int i)
{
    return i > 0 && i < d->ntracks && rip_is_audio(d, i - 1) &&
           d->track[i - 1].session == d->track[i].session;
}

/* 1 if every sector of track i's pregap is stored in the image (not
 * generated silence such as a CUE PREGAP). */
static int
rip_gap_stored(const struct disc *d, int i)
{
    disc_lba l;

    for (l = d->track[i].index[0]; l < d->track[i].index[1]; l++)
        if (!disc_lba_stored(d, l))
            return 0;
    return 1;
}

/* Where the pregap of audio track i goes under the plan's policy
 * (whether or not track i is ripped). */
static enum disc_rip_gap
rip_gap_place(const struct disc_rip_plan *p, int i)
{
    const struct disc *d = p->d;

    if (i < 0 || i >= d->ntracks || !rip_is_audio(d, i) ||
        d->track[i].index[0] == d->track[i].index[1])
        return DISC_GAP_NONE;
    if (i == 0 && p->htoa)
        return DISC_GAP_HIDDEN;
    /* Generated pregaps stay generated: no file gets invented zeros. */
    if (p->o.gaps == DISC_GAPS_DROP || !rip_gap_stored(d, i))
        return DISC_GAP_SILENCE;
    if (p->o.gaps == DISC_GAPS_APPEND && rip_prev_audio(d, i))
        return DISC_GAP_PREVIOUS;
    return DISC_GAP_OWN;
}

/* 1 if any sample in [lba, lba+count) is not zero. */
static int
rip_nonzero(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
            uint32_t count, uint8_t *buf)
{
    uint32_t done = 0;
    size_t k;

    while (done < count) {
        uint32_t n = count - done < DISC_CHUNK ? count - done : DISC_CHUNK;
        int r = disc_read_sectors(ctx, d, lba + (disc_lba)done, n, buf, NULL);
        if (r < 0)
            return r;
        for (k = 0; k < (size_t)n * DISC_SECTOR_RAW; k++)
            if (buf[k])
                return 1;
        done += n;
    }
    return 0;
}

/* A name not used by an earlier file (compared case-insensitively, for
 * case-insensitive file systems). */
static int
rip_unique(const struct disc_rip_plan *p, const char *name)
{
    int i;
    for (i = 0; i < p->nfiles; i++)
        if (p->file[i].name && strcasecmp(p->file[i].name, name) == 0)
            return 0;
    return 1;
}

/* Names file f (base from the template) and sets its path. */
static int
rip_name_file(struct disc_ctx *ctx, struct disc_rip_plan *p,
              struct disc_rip_file *f, const char *tmpl)
{
    char base[DISC_RIP_NAME_MAX + 8], name[DISC_RIP_NAME_MAX + 32];
    int k;

    rip_expand(p->d, tmpl, f->track, base, sizeof base);
    (void)snprintf(name, sizeof name, "%s.%s", base, p->ext);
    for (k = 2; !rip_unique(p, name); k++)
        (void)snprintf(name, sizeof name, "%s (%d).%s", base, k, p->ext);
    f->name = disc_strdup(name);
    f->path = f->name ? disc_path_join(p->dir, name) : NULL;
    if (!f->name || !f->path)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    return 0;
}

static void
rip_tags(const struct disc *d, struct disc_rip_file *f)
{
    const struct disc_track *t = &d->track[f->index];

    f->album = rip_text(d, 0, DISC_CDTEXT_TITLE);
    f->artist = f->track ? rip_text(d, f->track, DISC_CDTEXT_PERFORMER) : NULL;
    if (!f->artist)
        f->artist = rip_text(d, 0, DISC_CDTEXT_PERFORMER);
    f->title = f->track ? rip_text(d, f->track, DISC_CDTEXT_TITLE) : NULL;
    f->genre = disc_meta_get(d, "GENRE");
    if (!f->genre)
        f->genre = rip_text(d, 0, DISC_CDTEXT_GENRE);
    f->date = disc_meta_get(d, "DATE");
    (void)snprintf(f->number, sizeof f->number, "%u", f->track);
    f->comment[0] = '\0';
    if (f->track && t->isrc[0])
        (void)snprintf(f->comment, sizeof f->comment, "ISRC %s", t->isrc);
}

/* The files of the plan: the hidden track (when p->htoa), then each
 * selected track with the pregaps its gap policy puts there. */
static void
rip_plan_files(struct disc_rip_plan *p, const uint8_t *sel)
{
    const struct disc *d = p->d;
    int i;

    if (p->htoa) {
        struct disc_rip_file *f = &p->file[p->nfiles++];
        f->track = 0;
        f->index = 0;
        f->start = d->track[0].index[0];
        f->count = (uint32_t)(d->track[0].index[1] - d->track[0].index[0]);
    }
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        struct disc_rip_file *f;
        disc_lba start, end = disc_track_end(d, i);

        if (!sel[i])
            continue;
        f = &p->file[p->nfiles++];
        f->gap = rip_gap_place(p, i);
        /* The own pregap leads the file only when it is placed there;
         * the next track's pregap is appended when placed here. */
        start = f->gap == DISC_GAP_OWN ? t->index[0] : t->index[1];
        if (rip_gap_place(p, i + 1) == DISC_GAP_PREVIOUS)
            end = d->track[i + 1].index[1];
        f->track = t->number;
        f->index = i;
        f->start = start;
        f->count = (uint32_t)(end - start);
    }
}

int
disc_rip_plan_new(struct disc_ctx *ctx, const struct disc *d, const char *dir,
                  const char *ext, const struct disc_rip_opts *o,
                  struct disc_rip_plan **out)
{
    struct disc_rip_plan *p;
    uint8_t sel[DISC_MAX_TRACKS];
    uint8_t *buf = NULL;
    const char *tmpl = o->name;
    int i, n, any = 0, nsel = 0, naudio = 0, titles = 0, r = 0;

    *out = NULL;
    if (o->gaps != DISC_GAPS_APPEND && o->gaps != DISC_GAPS_PREPEND &&
        o->gaps != DISC_GAPS_DROP)
        return disc_error(ctx, DISC_E_ARG, "unknown gap policy %d",
                          (int)o->gaps);
    if (tmpl && (r = rip_check_template(ctx, tmpl)) < 0)
        return r;
    if (!ext || !*ext || strlen(ext) >= sizeof p->ext)
        return disc_error(ctx, DISC_E_ARG, "bad file extension");
    memset(sel, 0, sizeof sel);
    for (n = 0; n <= DISC_MAX_TRACKS; n++) {
        if (!o->tracks[n])
            continue;
        any = 1;
        i = disc_track_find(d, n);
        if (i < 0)
            return disc_error(
                ctx, DISC_E_ARG, "track %d is not on the disc (tracks %u-%u)",
                n, d->track[0].number, d->track[d->ntracks - 1].number);
        if (disc_track_is_data(&d->track[i]))
            return disc_error(ctx, DISC_E_ARG,
                              "track %d is a data track (%s); only audio "
                              "tracks are ripped (see `discarc extract`)",
                              n, disc_mode_name(d->track[i].mode));
        sel[i] = 1;
    }
    p = disc_calloc(1, sizeof *p);
    if (!p)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    p->d = d;
    p->o = *o;
    p->o.name = NULL; /* not owned; the template is only used here */
    (void)snprintf(p->ext, sizeof p->ext, "%s", ext);
    p->dir = disc_strdup(o->file ? "" : dir ? dir : ".");
    if (!p->dir) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < d->ntracks; i++) {
        if (!rip_is_audio(d, i)) {
            p->skipped_data++;
            continue;
        }
        naudio++;
        if (!any)
            sel[i] = 1;
        nsel += sel[i];
        if (rip_text(d, d->track[i].number, DISC_CDTEXT_TITLE))
            titles = 1;
    }
    if (nsel == 0) {
        r = disc_error(ctx, DISC_E_UNSUPPORTED,
                       "nothing to rip: the disc has no audio tracks");
        goto fail;
    }
    if (o->file && nsel != 1) {
        r = disc_error(ctx, DISC_E_ARG,
                       "one track must be chosen when "
                       "writing a single file");
        goto fail;
    }
    if (!tmpl)
        tmpl = titles ? "%n - %t" : "track%n";

    /* Hidden track one audio: track 1's stored pregap from LBA 0 holds
     * sound (docs/formats/cd.md).  Silence there is simply a pregap. */
    if (!o->file && sel[0] && d->track[0].index[0] < d->track[0].index[1]) {
        buf = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
        if (!buf) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto fail;
        }
        r = rip_nonzero(ctx, d, d->track[0].index[0],
                        (uint32_t)(d->track[0].index[1] - d->track[0].index[0]),
                        buf);
        if (r < 0)
            goto fail;
        p->htoa = r;
    }
    rip_plan_files(p, sel);
    for (i = 0; i < p->nfiles; i++) {
        struct disc_rip_file *f = &p->file[i];
        p->sectors += f->count;
        rip_tags(d, f);
        if (o->file) {
            f->name = disc_strdup(disc_path_base(o->file));
            f->path = disc_strdup(o->file);
            if (!f->name || !f->path) {
                r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
                goto fail;
            }
        } else if ((r = rip_name_file(ctx, p, f, tmpl)) < 0) {
            goto fail;
        }
    }
    /* A sheet only describes a whole audio program. */
    if (!o->file && !o->no_cue && nsel == naudio) {
        char base[DISC_RIP_NAME_MAX + 8], name[DISC_RIP_NAME_MAX + 16];
        disc_rip_sanitize(rip_text(d, 0, DISC_CDTEXT_TITLE), "rip", base,
                          sizeof base);
        (void)snprintf(name, sizeof name, "%s.cue", base);
        p->cue_name = disc_strdup(name);
        p->cue_path = p->cue_name ? disc_path_join(p->dir, name) : NULL;
        if (!p->cue_name || !p->cue_path) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto fail;
        }
    }
    disc_free_mem(buf);
    *out = p;
    return 0;
fail:
    disc_free_mem(buf);
    disc_rip_plan_free(p);
    return r;
}

/* ------------------------------------------------------------------ */
/* CUE sheet                                                           */

/* Index in p->file of the file of track i (array index), or -1. */
static int
rip_file_of(const struct disc_rip_plan *p, int i)
{
    int k;
    for (k = 0; k < p->nfiles; k++)
        if (p->file[k].track && p->file[k].index == i)
            return k;
    return -1;
}

/* The rip's CUE sheet (UTF-8, CRLF) from the CUE plugin's writer, given
 * the planned files and where each pregap went; *cdt_used when it names
 * the CD-TEXT file map->cdt.  Nothing when the plan writes no sheet. */
static int
rip_sheet(struct disc_ctx *ctx, const struct disc_rip_plan *p, const char *cdt,
          struct disc_buf *text, int *cdt_used)
{
    const struct disc *d = p->d;
    const struct disc_format *cue = disc_format_find("cue");
    struct disc_write_opts wo;
    struct disc_sheet *m;
    int i, k, r;

    *cdt_used = 0;
    if (!p->cue_name)
        return 0;
    if (!cue || !cue->sheet)
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "this build has no CUE sheet writer (use --no-cue)");
    m = disc_calloc(1, sizeof *m);
    if (!m)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    /* CUE file types: AIFF for AIFF; WAVE for WAV and, as EAC and
     * foobar2000 write it, for FLAC (there is no FLAC type). */
    m->type = strncasecmp(p->ext, "aif", 3) == 0 ? "AIFF" : "WAVE";
    m->cdt = cdt;
    for (i = 0; i < d->ntracks; i++)
        m->t[i].file = m->t[i].gap_file = -1;
    for (k = 0; k < p->nfiles; k++) {
        const struct disc_rip_file *f = &p->file[k];
        const struct disc_track *t = &d->track[f->index];
        struct disc_sheet_track *w = &m->t[f->index];

        m->file[k] = f->name;
        if (f->track == 0)
            continue; /* the hidden track is track 1's INDEX 00 */
        w->file = k;
        w->at = f->start;
        switch (f->gap) {
        case DISC_GAP_HIDDEN:
            w->gap_file = 0;
            break;
        case DISC_GAP_PREVIOUS:
            w->gap_file = rip_file_of(p, f->index - 1);
            if (w->gap_file < 0) {
                disc_free_mem(m);
                return disc_error(ctx, DISC_E_ARG,
                                  "rip plan: pregap of track %u has no file",
                                  t->number);
            }
            w->gap_time = t->index[0] - p->file[w->gap_file].start;
            break;
        case DISC_GAP_OWN:
            w->gap_file = k;
            break;
        case DISC_GAP_SILENCE:
            w->pregap = t->index[1] - t->index[0];
            break;
        case DISC_GAP_NONE:
            break;
        }
    }
    memset(&wo, 0, sizeof wo);
    wo.crlf = 1;
    wo.allow_lossy = p->o.allow_lossy;
    wo.strict = p->o.strict;
    r = cue->sheet(ctx, d, m, &wo, text, cdt_used);
    disc_free_mem(m);
    return r;
}

/* ------------------------------------------------------------------ */
/* Byte order                                                          */

int
disc_audio_looks_swapped(struct disc_ctx *ctx, const struct disc *d,
                         double *ratio)
{
    enum { PROBES = 8, SECTORS = 2 };
    uint8_t buf[SECTORS * DISC_SECTOR_RAW];
    double e_le = 0, e_sw = 0;
    int i, naudio = 0, probe = 0, r;

    if (ratio)
        *ratio = 1.0;
    for (i = 0; i < d->ntracks; i++)
        naudio += rip_is_audio(d, i);
    for (i = 0; i < d->ntracks && probe < PROBES; i++) {
        const struct disc_track *t = &d->track[i];
        int32_t len = disc_track_end(d, i) - t->index[1];
        int per = naudio > PROBES ? 1 : PROBES / (naudio ? naudio : 1), j;
        size_t k;

        if (!rip_is_audio(d, i) || len < SECTORS)
            continue;
        /* A few places spread over each track's body. */
        for (j = 0; j < per && probe < PROBES; j++, probe++) {
            disc_lba at = t->index[1] + (disc_lba)((int64_t)(len - SECTORS) *
                                                   (j + 1) / (per + 1));
            int16_t pl[2] = { 0, 0 }, ps[2] = { 0, 0 };
            r = disc_read_sectors(ctx, d, at, SECTORS, buf, NULL);
            if (r < 0)
                return r;
            for (k = 0; k < sizeof buf; k += 2) {
                int c = (int)(k / 2 % 2);
                int16_t le = (int16_t)(buf[k] | buf[k + 1] << 8);
                int16_t sw = (int16_t)(buf[k + 1] | buf[k] << 8);
                if (k >= 4) {
                    double a = (double)le - pl[c], b = (double)sw - ps[c];
                    e_le += a * a;
                    e_sw += b * b;
                }
                pl[c] = le;
                ps[c] = sw;
            }
        }
    }
    if (e_le == 0 || e_sw == 0)
        return 0;
    if (ratio)
        *ratio = e_le / e_sw;
    /* Audio is mostly low-frequency: read in the right order, successive
     * samples are close; read in the wrong order they look like noise. */
    return e_le > 4 * e_sw;
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */

struct rip_ar {
    struct disc_ar_acc acc;
    disc_lba start;
    uint32_t count;
};

/* Feeds sectors [lba, lba+n) to every accumulator whose range they
 * touch. */
static void
rip_ar_feed(struct rip_ar *ar, int nar, disc_lba lba, uint32_t n,
            const uint8_t *pcm)
{
    int k;

    for (k = 0; k < nar; k++) {
        int64_t a = ar[k].start, b = a + ar[k].count;
        int64_t lo = lba > a ? lba : a, hi = lba + (int64_t)n;
        if (hi > b)
            hi = b;
        if (lo >= hi)
            continue;
        disc_ar_feed(&ar[k].acc, (uint32_t)(lo - a) * SAMPLES_PER_SECTOR + 1,
                     pcm + (size_t)(lo - lba) * DISC_SECTOR_RAW,
                     (size_t)(hi - lo) * SAMPLES_PER_SECTOR);
    }
}

static int
rip_ar_read(struct disc_ctx *ctx, const struct disc *d, struct rip_ar *ar,
            disc_lba lba, uint32_t count, uint8_t *buf)
{
    uint32_t done = 0;

    while (done < count) {
        uint32_t n = count - done < DISC_CHUNK ? count - done : DISC_CHUNK;
        int r = disc_read_sectors(ctx, d, lba + (disc_lba)done, n, buf, NULL);
        if (r < 0)
            return r;
        rip_ar_feed(ar, 1, lba + (disc_lba)done, n, buf);
        done += n;
        ctx->progress_done += n;
        disc_progress(ctx, ctx->progress_done, ctx->progress_total);
    }
    return 0;
}

/* Sectors of accumulator a not inside any planned file: the files are
 * in LBA order and do not overlap.  Calls rip_ar_read on each gap when
 * buf is set, else only counts them. */
static int
rip_ar_rest(struct disc_ctx *ctx, const struct disc_rip_plan *p,
            struct rip_ar *a, uint8_t *buf, int64_t *missing)
{
    int64_t cur = a->start, end = a->start + (int64_t)a->count;
    int k, r;

    for (k = 0; k < p->nfiles && cur < end; k++) {
        int64_t fs = p->file[k].start, fe = fs + p->file[k].count;
        if (fe <= cur)
            continue;
        if (fs >= end)
            break;
        if (fs > cur) {
            *missing += fs - cur;
            if (buf && (r = rip_ar_read(ctx, p->d, a, (disc_lba)cur,
                                        (uint32_t)(fs - cur), buf)) < 0)
                return r;
        }
        cur = fe;
    }
    if (cur < end) {
        *missing += end - cur;
        if (buf && (r = rip_ar_read(ctx, p->d, a, (disc_lba)cur,
                                    (uint32_t)(end - cur), buf)) < 0)
            return r;
    }
    return 0;
}

/* The CD-TEXT file the rip's sheet names, as one more output of set. */
static int
rip_write_cdt(struct disc_ctx *ctx, const struct disc *d,
              struct disc_outset *set, const char *path)
{
    const uint8_t *packs;
    struct disc_out *out;
    size_t n;
    int owned, r;

    r = disc_cdtext_packs(ctx, d, &packs, &n, &owned);
    if (r < 0)
        return r;
    r = disc_outset_open(ctx, set, path, &out);
    if (r == 0)
        r = disc_out_write(ctx, out, packs, n);
    if (owned) {
        void *mem; /* ours to free although lent const */
        memcpy(&mem, &packs, sizeof mem);
        disc_free_mem(mem);
    }
    return r;
}

/* The AccurateRip accumulators of the files that are whole tracks;
 * arfile[] gets the file of each.  Returns how many there are. */
static int
rip_ar_setup(struct disc_rip_plan *p, struct rip_ar *ar, int *arfile)
{
    int k, nar = 0;

    for (k = 0; k < p->nfiles; k++) {
        int first, last;
        if (!p->file[k].track ||
            disc_ar_range(p->d, p->file[k].index, &ar[nar].start,
                          &ar[nar].count, &first, &last) != 0)
            continue;
        disc_ar_init(&ar[nar].acc, ar[nar].count * SAMPLES_PER_SECTOR, first,
                     last);
        arfile[nar++] = k;
    }
    return nar;
}

/* Rips file f of the plan into the output set through the sink; buf
 * holds DISC_CHUNK raw sectors. */
static int
rip_one_file(struct disc_ctx *ctx, struct disc_rip_plan *p,
             const struct disc_rip_sink *sink, struct disc_outset *set,
             struct disc_rip_file *f, struct rip_ar *ar, int nar, uint8_t *buf)
{
    const struct disc *d = p->d;
    struct disc_out *out;
    void *enc = NULL;
    uint32_t done = 0;
    int r;

    r = disc_outset_open(ctx, set, f->path, &out);
    if (r < 0)
        return r;
    r = sink->open(sink->user, ctx, p, f, out, &enc);
    if (r < 0)
        return r;
    if (sink->copy && nar == 0 && f->count > 0) {
        r = sink->copy(enc, ctx, d, f->start, f->count);
        if (r > 0) {
            done = f->count;
            r = 0;
        }
    }
    while (done < f->count && r == 0) {
        uint32_t n = f->count - done;
        disc_lba lba = f->start + (disc_lba)done;
        if (n > DISC_CHUNK)
            n = DISC_CHUNK;
        r = disc_read_sectors(ctx, d, lba, n, buf, NULL);
        if (r == 0) {
            rip_ar_feed(ar, nar, lba, n, buf);
            r = sink->write(enc, ctx, buf, (size_t)n * DISC_SECTOR_RAW);
        }
        done += n;
        ctx->progress_done += n;
        disc_progress(ctx, ctx->progress_done, ctx->progress_total);
    }
    if (r < 0) {
        sink->close(enc, ctx, 0);
        return r;
    }
    r = sink->close(enc, ctx, 1);
    if (r == 0)
        r = disc_out_finish(ctx, out);
    return r;
}

int
disc_rip_run(struct disc_ctx *ctx, struct disc_rip_plan *p,
             const struct disc_rip_sink *sink)
{
    const struct disc *d = p->d;
    struct disc_outset *set = NULL;
    struct rip_ar ar[DISC_MAX_TRACKS + 1];
    int arfile[DISC_MAX_TRACKS + 1];
    uint8_t *buf = NULL;
    struct disc_buf cue = { NULL, 0, 0, 0 };
    char *cdt = NULL;
    int64_t extra = 0;
    int k, nar = 0, made_dir = 0, cdt_used = 0, r;
    struct disc_ctx probe;
    double ratio;
    struct stat st;

    /* Advisory only: a read error here is left for the rip to report
     * where it happens, so the probe runs on a scratch context. */
    probe = *ctx;
    r = disc_audio_looks_swapped(&probe, d, &ratio);
    if (r == 1)
        disc_warn(ctx,
                  "the audio looks byte-swapped (sample differences "
                  "are %.0f times smaller with the bytes of each sample "
                  "swapped): the image may hold big-endian audio where "
                  "little-endian is expected",
                  ratio);
    if (p->cue_path) {
        cdt = disc_path_with_ext(p->cue_path, "cdt");
        if (!cdt)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    r = rip_sheet(ctx, p, cdt ? disc_path_base(cdt) : NULL, &cue, &cdt_used);
    if (r < 0)
        goto fail;
    buf = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    if (!buf) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    if (p->o.accuraterip)
        nar = rip_ar_setup(p, ar, arfile);
    for (k = 0; k < nar; k++)
        if ((r = rip_ar_rest(ctx, p, &ar[k], NULL, &extra)) < 0)
            goto fail;
    ctx->progress_done = 0;
    ctx->progress_total = p->sectors + extra;

    if (*p->dir && stat(p->dir, &st) != 0) {
        if (mkdir(p->dir, 0777) != 0) {
            r = disc_error(ctx, DISC_E_IO, "%s: cannot create directory: %s",
                           p->dir, strerror(errno));
            goto fail;
        }
        made_dir = 1;
    } else if (*p->dir && !S_ISDIR(st.st_mode)) {
        r = disc_error(ctx, DISC_E_ARG, "%s: not a directory", p->dir);
        goto fail;
    }
    r = disc_outset_new(ctx, d, p->o.force, &set);
    if (r < 0)
        goto fail;
    for (k = 0; k < p->nfiles; k++) {
        r = rip_one_file(ctx, p, sink, set, &p->file[k], ar, nar, buf);
        if (r < 0)
            goto fail;
    }
    /* AccurateRip ranges follow the "append" split; read what the chosen
     * gap policy left out of the files. */
    for (k = 0; k < nar; k++) {
        int64_t miss = 0;
        if ((r = rip_ar_rest(ctx, p, &ar[k], buf, &miss)) < 0)
            goto fail;
        disc_ar_result(&ar[k].acc, &p->file[arfile[k]].ar);
        p->file[arfile[k]].has_ar = 1;
    }
    if (cue.p) {
        struct disc_out *out;
        r = disc_outset_open(ctx, set, p->cue_path, &out);
        if (r == 0) {
            disc_outset_descriptor(set, out); /* the sheet names the rest */
            r = disc_out_write(ctx, out, cue.p, cue.len);
        }
        if (r == 0 && cdt_used)
            r = rip_write_cdt(ctx, d, set, cdt);
        if (r < 0)
            goto fail;
    }
    r = disc_outset_commit(ctx, set);
    set = NULL;
    if (r < 0)
        goto fail;
    if (p->skipped_data)
        disc_info(ctx, "%d data track%s not ripped", p->skipped_data,
                  p->skipped_data == 1 ? "" : "s");
    disc_free_mem(buf);
    disc_free_mem(cue.p);
    disc_free_mem(cdt);
    return 0;
fail:
    disc_outset_abort(set);
    if (made_dir)
        rmdir(p->dir);
    for (k = 0; k < p->nfiles; k++)
        p->file[k].has_ar = 0;
    disc_free_mem(buf);
    disc_free_mem(cue.p);
    disc_free_mem(cdt);
    return r;
}

/* ------------------------------------------------------------------ */
/* Extraction                                                          */

const char *
disc_extract_ext(enum disc_extract_kind kind)
{
    switch (kind) {
    case DISC_EXTRACT_ISO:
        return "iso";
    case DISC_EXTRACT_FORM2:
        return "mpg";
    case DISC_EXTRACT_MODE2:
    case DISC_EXTRACT_RAW:
        return "bin";
    case DISC_EXTRACT_AUDIO:
        return "wav";
    case DISC_EXTRACT_AUTO:
        break;
    }
    return "bin";
}

int
disc_extract_kind_for(struct disc_ctx *ctx, const struct disc *d, int i,
                      enum disc_extract_kind *kind)
{
    const struct disc_track *t = &d->track[i];
    uint8_t buf[16 * DISC_SECTOR_RAW];
    uint32_t count, done = 0, form1 = 0, payload = 0, formless = 0;

    switch (t->mode) {
    case DISC_MODE_AUDIO:
        *kind = DISC_EXTRACT_AUDIO;
        return 0;
    case DISC_MODE_MODE1:
    case DISC_MODE_MODE2_FORM1:
        *kind = DISC_EXTRACT_ISO;
        return 0;
    case DISC_MODE_MODE2_FORM2:
        *kind = DISC_EXTRACT_FORM2;
        return 0;
    case DISC_MODE_MODE2:
    case DISC_MODE_MODE2_MIXED:
        break;
    }
    /* Readers that only know "MODE2/2352" cannot say what the sectors
     * hold: look at them. */
    count = (uint32_t)(disc_track_end(d, i) - t->index[1]);
    if (count > KIND_SCAN)
        count = KIND_SCAN;
    for (; done < count; done += 16) {
        uint32_t n = count - done, k;
        int r;
        if (n > 16)
            n = 16;
        r = disc_read_sectors(ctx, d, t->index[1] + (disc_lba)done, n, buf,
                              NULL);
        if (r < 0)
            return r;
        for (k = 0; k < n; k++) {
            const uint8_t *s = buf + (size_t)k * DISC_SECTOR_RAW;
            struct disc_sector_info si;
            disc_sector_classify(s, &si);
            if (si.type == DISC_SECTOR_FORM1)
                form1++;
            else if (si.type == DISC_SECTOR_FORM2 && (s[18] & SUBMODE_PAYLOAD))
                payload++;
            else if (si.type == DISC_SECTOR_MODE2)
                formless++;
        }
    }
    if (payload && !form1)
        *kind = DISC_EXTRACT_FORM2;
    else if (!form1 && (formless || t->mode == DISC_MODE_MODE2))
        *kind = DISC_EXTRACT_MODE2;
    else
        *kind = DISC_EXTRACT_ISO;
    return 0;
}

int
disc_extract(struct disc_ctx *ctx, const struct disc *d, int track,
             enum disc_extract_kind kind, const char *path, int force,
             struct disc_extract_stats *st)
{
    static const uint8_t zeros[2048];
    struct disc_extract_stats s;
    struct disc_outset *set = NULL;
    struct disc_out *out = NULL;
    uint8_t *buf = NULL;
    disc_lba start, end;
    uint32_t done = 0;
    int i = disc_track_find(d, track), r;

    memset(&s, 0, sizeof s);
    if (i < 0)
        return disc_error(ctx, DISC_E_ARG, "track %d is not on the disc",
                          track);
    if (!disc_track_is_data(&d->track[i]))
        return disc_error(ctx, DISC_E_ARG,
                          "track %d is an audio track: "
                          "rip it",
                          track);
    if (kind == DISC_EXTRACT_AUTO &&
        (r = disc_extract_kind_for(ctx, d, i, &kind)) < 0)
        return r;
    if (kind == DISC_EXTRACT_AUDIO || kind == DISC_EXTRACT_AUTO)
        return disc_error(ctx, DISC_E_ARG,
                          "track %d: cannot extract as "
                          "audio",
                          track);
    s.kind = kind;
    start = d->track[i].index[1];
    end = disc_track_end(d, i);
    s.sectors = (uint32_t)(end - start);
    buf = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    if (!buf)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    r = disc_outset_new(ctx, d, force, &set);
    if (r == 0)
        r = disc_outset_open(ctx, set, path, &out);
    ctx->progress_done = 0;
    ctx->progress_total = s.sectors;
    while (r == 0 && done < s.sectors) {
        uint32_t n = s.sectors - done, k;
        if (n > DISC_CHUNK)
            n = DISC_CHUNK;
        r = disc_read_sectors(ctx, d, start + (disc_lba)done, n, buf, NULL);
        for (k = 0; k < n && r == 0; k++) {
            const uint8_t *sec = buf + (size_t)k * DISC_SECTOR_RAW;
            struct disc_sector_info si;
            size_t uoff, ulen;

            disc_sector_classify(sec, &si);
            if (si.edc_ok == 0)
                s.bad_edc++;
            if (disc_sector_user(si.type, &uoff, &ulen) < 0)
                uoff = ulen = 0;
            switch (kind) {
            case DISC_EXTRACT_ISO:
                /* Keep every sector at its place in the file system. */
                if ((si.type == DISC_SECTOR_MODE1 ||
                     si.type == DISC_SECTOR_FORM1) &&
                    ulen == 2048) {
                    r = disc_out_write(ctx, out, sec + uoff, 2048);
                    s.written++;
                } else {
                    r = disc_out_write(ctx, out, zeros, sizeof zeros);
                    s.filled++;
                }
                break;
            case DISC_EXTRACT_FORM2:
                /* VCD/SVCD MPEG: the payload of Form 2 sectors marked
                 * video, audio or data; the empty front/rear margin and
                 * gap sectors (submode 0x60/0x20) are not stream data. */
                if (si.type == DISC_SECTOR_FORM2 && ulen == 2324 &&
                    (sec[18] & SUBMODE_PAYLOAD)) {
                    r = disc_out_write(ctx, out, sec + uoff, 2324);
                    s.written++;
                } else {
                    s.skipped++;
                }
                break;
            case DISC_EXTRACT_MODE2:
                r = disc_out_write(ctx, out, sec + 16, 2336);
                s.written++;
                break;
            default:
                r = disc_out_write(ctx, out, sec, DISC_SECTOR_RAW);
                s.written++;
                break;
            }
        }
        done += n;
        ctx->progress_done += n;
        disc_progress(ctx, ctx->progress_done, ctx->progress_total);
    }
    if (r == 0) {
        s.bytes = disc_out_tell(out);
        r = disc_outset_commit(ctx, set);
        set = NULL;
    }
    disc_outset_abort(set);
    disc_free_mem(buf);
    if (r < 0)
        return r;
    if (s.filled)
        disc_warn(ctx,
                  "track %d: %u sector%s not Mode 1/Form 1; written as "
                  "2048 zero bytes to keep the file system's offsets",
                  track, s.filled, s.filled == 1 ? "" : "s");
    if (s.bad_edc)
        disc_warn(ctx,
                  "track %d: %u sector%s with a wrong EDC (damaged "
                  "data?)",
                  track, s.bad_edc, s.bad_edc == 1 ? "" : "s");
    if (kind == DISC_EXTRACT_FORM2 && s.written == 0)
        disc_warn(ctx,
                  "track %d: no Form 2 sector carries video, audio "
                  "or data; the output is empty",
                  track);
    if (kind == DISC_EXTRACT_ISO && d->ntracks > 1)
        disc_warn(ctx, "the disc has %u tracks; %s holds only track %d",
                  d->ntracks, path, track);
    if (st)
        *st = s;
    return 0;
}
