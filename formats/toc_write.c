/* toc_write.c - cdrdao TOC files: the writer (the probe, the reader and
 * the descriptor are toc_read.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: cdrdao(1) "TOC FILES"; cdrdao trackdb/Toc.cc, Track.cc,
 * CdTextItem.cc (pack types); docs/formats/toc.md.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toc.h"

/* ------------------------------------------------------------------ */
/* Writer                                                              */

/* One run of a track's sectors: generated, or stored contiguously in
 * one file with one layout. */
struct toc_wseg {
    disc_lba lba;
    uint32_t count;
    const struct disc_extent *e; /* NULL: generated */
    enum disc_gen gen;
    int64_t off; /* byte offset in the referenced file */
    int file;    /* index into toc_wplan.srcs, -1 generated */
    int swap;    /* audio stored big-endian */
};

struct toc_wtrack {
    enum toc_mode mode;
    struct toc_wseg *seg;
    size_t nseg, cap;
};

struct toc_wplan {
    int ntracks;
    struct toc_wtrack t[DISC_MAX_TRACKS];
    int datafile;        /* 1: everything stored goes to one new file */
    char *dir, *binpath; /* the TOC's directory; the new file's path */
    /* The files the TOC names (in place: the input's; else the new
     * data file alone, source NULL) and the names it uses. */
    const struct disc_source *srcs[DISC_MAX_TRACKS * 4];
    char *srcname[DISC_MAX_TRACKS * 4];
    int nsrc;
};

static int
toc_wseg_add(struct disc_ctx *ctx, struct toc_wtrack *w,
             const struct toc_wseg *sg)
{
    struct toc_wseg *last = w->seg && w->nseg ? &w->seg[w->nseg - 1] : NULL;

    /* Continues the previous run when the bytes follow on. */
    if (last && !sg->e && !last->e && last->gen == sg->gen) {
        last->count += sg->count;
        return 0;
    }
    if (last && sg->e && last->e && last->e->src == sg->e->src &&
        last->e->data == sg->e->data && last->e->stride == sg->e->stride &&
        last->swap == sg->swap &&
        last->off + (int64_t)last->count * last->e->stride == sg->off) {
        last->count += sg->count;
        return 0;
    }
    if (disc_grow(ctx, &w->seg, w->nseg + 1, &w->cap, sizeof *w->seg, 4) < 0 ||
        !w->seg) /* grown above; says so to analysers */
        return DISC_E_NOMEM;
    w->seg[w->nseg++] = *sg;
    return 0;
}

/* The TOC mode that stores a track of mode m in layout l, or -1. */
static int
toc_mode_for(enum disc_track_mode m, enum disc_data_layout l)
{
    switch (m) {
    case DISC_MODE_AUDIO:
        return l == DISC_DATA_RAW ? TOC_AUDIO : -1;
    case DISC_MODE_MODE1:
        return l == DISC_DATA_RAW     ? TOC_MODE1_RAW
               : l == DISC_DATA_MODE1 ? TOC_MODE1
                                      : -1;
    case DISC_MODE_MODE2:
        return l == DISC_DATA_RAW     ? TOC_MODE2_RAW
               : l == DISC_DATA_MODE2 ? TOC_MODE2
                                      : -1;
    case DISC_MODE_MODE2_FORM1:
    case DISC_MODE_MODE2_FORM2:
    case DISC_MODE_MODE2_MIXED:
        if (l == DISC_DATA_RAW)
            return TOC_MODE2_RAW;
        if (l == DISC_DATA_MODE2)
            return TOC_MODE2_FORM_MIX;
        if (l == DISC_DATA_FORM1 && m == DISC_MODE_MODE2_FORM1)
            return TOC_MODE2_FORM1;
        if (l == DISC_DATA_FORM2 && m == DISC_MODE_MODE2_FORM2)
            return TOC_MODE2_FORM2;
        return -1;
    }
    return -1;
}

/* Splits track i into generated and stored runs; *inplace is cleared
 * when a stored run cannot be named by a DATAFILE/FILE statement of one
 * TOC mode for the whole track (interleaved subchannel, scrambled data,
 * a decoded audio file, mixed layouts).  A separate .sub does not
 * matter: the subchannel is not written. */
static int
toc_wplan_track(struct disc_ctx *ctx, const struct disc *d, int i,
                struct toc_wtrack *w, int *inplace)
{
    const struct disc_track *t = &d->track[i];
    disc_lba l = t->index[0], end = disc_track_end(d, i);
    int mode = -1;

    while (l < end) {
        const struct disc_extent *e = disc_extent_find(d, l);
        struct toc_wseg sg;
        int r;

        memset(&sg, 0, sizeof sg);
        sg.lba = l;
        sg.file = -1;
        if (!e || e->data == DISC_DATA_GEN) {
            disc_lba n = end;
            size_t k;
            /* Up to the next extent (or the track end). */
            for (k = 0; k < disc_extent_count(d); k++) {
                const struct disc_extent *x = disc_extent_get(d, k);
                if (x->lba > l && x->lba < n)
                    n = x->lba;
            }
            if (e && (int64_t)e->lba + e->count < n)
                n = (disc_lba)(e->lba + (disc_lba)e->count);
            sg.count = (uint32_t)(n - l);
            sg.gen = e ? e->gen : disc_gen_for_mode(t->mode);
        } else {
            int64_t left = (int64_t)e->lba + e->count - l;
            int m = toc_mode_for(t->mode, e->data);
            sg.count = (uint32_t)(left < end - l ? left : end - l);
            sg.e = e;
            sg.off = e->offset + (int64_t)(l - e->lba) * e->stride;
            sg.swap = (e->flags & DISC_EXT_SWAP) != 0;
            if (m < 0 || (mode >= 0 && m != mode) ||
                e->stride != disc_data_size(e->data) ||
                (e->flags & DISC_EXT_SCRAMBLED) ||
                strcmp(e->src->ops->name, "file") != 0)
                *inplace = 0;
            else
                mode = m;
        }
        r = toc_wseg_add(ctx, w, &sg);
        if (r < 0)
            return r;
        l += (disc_lba)sg.count;
    }
    w->mode = mode >= 0 ? (enum toc_mode)mode
                        : (enum toc_mode)toc_mode_for(t->mode, DISC_DATA_RAW);
    return 0;
}

/* 1 when the file at path lies in directory dir. */
static int
toc_in_dir(const char *dir, const char *path)
{
    char *pd = disc_path_dir(path);
    struct stat a, b;
    int same = pd && stat(pd, &a) == 0 && stat(dir, &b) == 0 &&
               a.st_dev == b.st_dev && a.st_ino == b.st_ino;

    disc_free_mem(pd);
    return same;
}

/* The name a TOC in directory dir uses for the file at path: its base
 * name when it lies in dir, else its absolute path.  disc_malloc'd. */
static char *
toc_ref_name(const char *dir, const char *path)
{
    char cwd[PATH_MAX];

    if (toc_in_dir(dir, path))
        return disc_strdup(disc_path_base(path));
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        return disc_strdup(path);
    return disc_path_join(cwd, path);
}

/* A string as TOC text: '"' escaped, control bytes, the backslash and
 * ISO 8859-1 letters as three octal digits (1.2.4 and later read them
 * alike).  Characters beyond ISO 8859-1 become '?' and count in *lost. */
static void
toc_put_string(struct disc_buf *b, const char *s, int *lost)
{
    const unsigned char *p = (const unsigned char *)s;

    disc_buf_printf(b, "\"");
    while (*p) {
        unsigned c = *p;
        size_t n = 1;
        if (c >= 0x80) {
            if ((c & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
                c = (c & 0x1F) << 6 | (p[1] & 0x3F);
                n = 2;
            } else {
                c = 0x100; /* longer sequences: beyond ISO 8859-1 */
                while (p[n] && (p[n] & 0xC0) == 0x80)
                    n++;
            }
        }
        if (c > 0xFF) {
            disc_buf_printf(b, "?");
            (*lost)++;
        } else if (c == '"') {
            disc_buf_printf(b, "\\\"");
        } else if (c < 0x20 || c >= 0x7F || c == '\\') {
            disc_buf_printf(b, "\\%03o", c);
        } else {
            disc_buf_printf(b, "%c", (char)c);
        }
        p += n;
    }
    disc_buf_printf(b, "\"");
}

/* A file name as TOC text: its bytes as they are, except '"', the
 * backslash and control bytes, written as three octal digits (the
 * reader takes those back as bytes). */
static void
toc_put_name(struct disc_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    disc_buf_printf(b, "\"");
    for (; *p; p++)
        if (*p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7F)
            disc_buf_printf(b, "\\%03o", *p);
        else
            disc_buf_printf(b, "%c", (char)*p);
    disc_buf_printf(b, "\"");
}

static const char *const toc_field_kw[DISC_CDTEXT_NFIELDS] = {
    "TITLE",   "PERFORMER", "SONGWRITER", "COMPOSER",  "ARRANGER",
    "MESSAGE", "DISC_ID",   "GENRE",      "RESERVED4", "UPC_EAN",
};

/* The items of one language block for track tr (0: the disc). */
static int
toc_put_items(struct disc_ctx *ctx, const struct disc_write_opts *o,
              struct disc_buf *b, const struct disc_cdtext_block *blk, int tr,
              const char *indent, int *lost)
{
    int f, r;

    for (f = 0; f < DISC_CDTEXT_NFIELDS; f++) {
        const char *v = blk->text[tr][f];
        if (f == DISC_CDTEXT_GENRE && tr == 0 && (v || blk->genre)) {
            const unsigned char *p = (const unsigned char *)(v ? v : "");
            /* A big-endian genre code, then the text (ISO 8859-1) and
             * its terminating zero. */
            disc_buf_printf(b, "%sGENRE { %u, %u", indent, blk->genre >> 8,
                            blk->genre & 0xFFu);
            while (*p) {
                unsigned c = *p++;
                if (c >= 0xC0 && c < 0xE0 && (*p & 0xC0) == 0x80)
                    c = (c & 0x1F) << 6 | (*p++ & 0x3F);
                else if (c >= 0x80) {
                    while ((*p & 0xC0) == 0x80)
                        p++;
                    c = '?';
                    (*lost)++;
                }
                disc_buf_printf(b, ", %u", c);
            }
            disc_buf_printf(b, ", 0 }\n");
            continue;
        }
        if (!v || !*v)
            continue;
        if (f == DISC_CDTEXT_GENRE) {
            r = disc_write_drop(ctx, o,
                                "CD-TEXT GENRE of track %d (a TOC holds "
                                "GENRE for the disc only)",
                                tr);
            if (r < 0)
                return r;
            continue;
        }
        disc_buf_printf(b, "%s%s ", indent,
                        f == DISC_CDTEXT_UPC_ISRC && tr ? "ISRC"
                                                        : toc_field_kw[f]);
        toc_put_string(b, v, lost);
        disc_buf_printf(b, "\n");
    }
    return 0;
}

/* CD_TEXT { ... } for track tr (0: the disc, with the language map);
 * nothing when no block has text for it. */
static int
toc_put_cdtext(struct disc_ctx *ctx, const struct disc *d,
               const struct disc_write_opts *o, struct disc_buf *b, int tr,
               int *lost)
{
    int k, n = 0, any = 0, r;

    for (k = 0; k < d->ncdtext; k++) {
        const struct disc_cdtext_block *blk = d->cdtext[k];
        int f;
        if (!blk)
            continue;
        for (f = 0; f < DISC_CDTEXT_NFIELDS; f++)
            if (blk->text[tr][f] && blk->text[tr][f][0])
                any = 1;
        /* The disc's block carries the language map, needed as soon as
         * any block exists. */
        if (!tr)
            any = 1;
    }
    if (!any)
        return 0;
    disc_buf_printf(b, "CD_TEXT {\n");
    if (!tr) {
        disc_buf_printf(b, "  LANGUAGE_MAP {");
        for (k = 0; k < d->ncdtext; k++)
            if (d->cdtext[k])
                disc_buf_printf(b, " %d : %u", n++, d->cdtext[k]->language);
        disc_buf_printf(b, " }\n");
    }
    /* Language numbers are contiguous from 0 (cdrdao's rule). */
    n = 0;
    for (k = 0; k < d->ncdtext; k++) {
        if (!d->cdtext[k])
            continue;
        disc_buf_printf(b, "  LANGUAGE %d {\n", n++);
        r = toc_put_items(ctx, o, b, d->cdtext[k], tr, "    ", lost);
        if (r < 0)
            return r;
        disc_buf_printf(b, "  }\n");
    }
    disc_buf_printf(b, "}\n");
    return 0;
}

static void
toc_put_msf(struct disc_buf *b, int64_t frames)
{
    disc_buf_printf(b, "%02lld:%02lld:%02lld", (long long)(frames / 4500),
                    (long long)(frames / 75 % 60), (long long)(frames % 75));
}

/* The ZERO mode keyword for generated sectors g in a track of mode m,
 * or "" when the track's own mode gives them. */
static const char *
toc_zero_mode(enum toc_mode m, enum disc_track_mode tm, enum disc_gen g)
{
    static const struct {
        enum disc_gen g;
        enum toc_mode m;
    } map[] = {
        { DISC_GEN_MODE1, TOC_MODE1 },
        { DISC_GEN_MODE2, TOC_MODE2 },
        { DISC_GEN_FORM1, TOC_MODE2_FORM1 },
        { DISC_GEN_FORM2, TOC_MODE2_FORM2 },
    };
    size_t k;

    (void)m;
    if (g == disc_gen_for_mode(tm))
        return "";
    for (k = 0; k < sizeof map / sizeof map[0]; k++)
        if (map[k].g == g)
            return disc_toc_modes[map[k].m].name;
    return "";
}

static int
toc_put_track(struct disc_ctx *ctx, const struct disc *d,
              const struct disc_write_opts *o, const struct toc_wplan *pl,
              int i, struct disc_buf *b, int *lost)
{
    const struct disc_track *t = &d->track[i];
    const struct toc_wtrack *w = &pl->t[i];
    int audio = t->mode == DISC_MODE_AUDIO, k, r;
    size_t s;

    disc_buf_printf(b, "\n// Track %d\nTRACK %s\n", t->number,
                    disc_toc_modes[w->mode].name);
    if (t->control & DISC_CTL_COPY)
        disc_buf_printf(b, "COPY\n");
    if (audio && (t->control & DISC_CTL_PREEMPH))
        disc_buf_printf(b, "PRE_EMPHASIS\n");
    if (audio && (t->control & DISC_CTL_4CH))
        disc_buf_printf(b, "FOUR_CHANNEL_AUDIO\n");
    if (t->isrc[0])
        disc_buf_printf(b, "ISRC \"%s\"\n", t->isrc);
    r = toc_put_cdtext(ctx, d, o, b, t->number, lost);
    if (r < 0)
        return r;
    for (s = 0; s < w->nseg; s++) {
        const struct toc_wseg *sg = &w->seg[s];
        if (sg->file < 0 && audio) {
            disc_buf_printf(b, "SILENCE ");
        } else if (sg->file < 0) {
            const char *zm = toc_zero_mode(w->mode, t->mode, sg->gen);
            disc_buf_printf(b, "ZERO %s%s", zm, *zm ? " " : "");
        } else if (audio && sg->off % 4 == 0) {
            /* Raw audio files are big-endian to cdrdao: SWAP for the
             * little-endian ones; the start in samples (or MSF). */
            disc_buf_printf(b, "FILE ");
            toc_put_name(b, pl->srcname[sg->file]);
            disc_buf_printf(b, "%s ", sg->swap ? "" : " SWAP");
            if (sg->off % DISC_SECTOR_RAW == 0)
                toc_put_msf(b, sg->off / DISC_SECTOR_RAW);
            else
                disc_buf_printf(b, "%lld", (long long)(sg->off / 4));
            disc_buf_printf(b, " ");
        } else if (audio) {
            disc_buf_printf(b, "FILE ");
            toc_put_name(b, pl->srcname[sg->file]);
            disc_buf_printf(b, "%s #%lld 0 ", sg->swap ? "" : " SWAP",
                            (long long)sg->off);
        } else {
            disc_buf_printf(b, "DATAFILE ");
            toc_put_name(b, pl->srcname[sg->file]);
            disc_buf_printf(b, " #%lld ", (long long)sg->off);
        }
        toc_put_msf(b, sg->count);
        disc_buf_printf(b, "\n");
    }
    if (t->index[1] > t->index[0]) {
        disc_buf_printf(b, "START ");
        toc_put_msf(b, t->index[1] - t->index[0]);
        disc_buf_printf(b, "\n");
    }
    for (k = 2; k <= t->last_index; k++) {
        disc_buf_printf(b, "INDEX ");
        toc_put_msf(b, t->index[k] - t->index[1]);
        disc_buf_printf(b, "\n");
    }
    return 0;
}

/* Index of src in the plan's referenced files (added when new). */
static int
toc_wsrc(struct toc_wplan *pl, const struct disc_source *src)
{
    int k;

    for (k = 0; k < pl->nsrc; k++)
        if (pl->srcs[k] == src)
            return k;
    if (pl->nsrc == (int)(sizeof pl->srcs / sizeof pl->srcs[0]))
        return -1;
    pl->srcs[pl->nsrc] = src;
    pl->srcname[pl->nsrc] = src ? toc_ref_name(pl->dir, src->name) : NULL;
    return pl->nsrc++;
}

static void
toc_wplan_free(struct toc_wplan *pl)
{
    int k;

    if (!pl)
        return;
    for (k = 0; k < pl->ntracks; k++)
        disc_free_mem(pl->t[k].seg);
    for (k = 0; k < pl->nsrc; k++)
        disc_free_mem(pl->srcname[k]);
    disc_free_mem(pl->dir);
    disc_free_mem(pl->binpath);
    disc_free_mem(pl);
}

/* Where the stored sectors go: in place (the input's files, named from
 * the TOC's folder) or one new data file of raw sectors.  Fills the
 * plan's file table and each stored run's file and offset. */
static int
toc_wplan_files(struct disc_ctx *ctx, const struct disc *d, const char *path,
                const struct disc_write_opts *o, struct toc_wplan *pl,
                int inplace)
{
    int i;
    size_t x, s;

    /* Files are named in place only next to the TOC: readers refuse a
     * name that leads outside the TOC's folder (docs/formats/toc.md). */
    for (x = 0; inplace && x < disc_extent_count(d); x++) {
        const struct disc_extent *e = disc_extent_get(d, x);
        if (e->data != DISC_DATA_GEN && e->src && e->src->name &&
            !toc_in_dir(pl->dir, e->src->name))
            inplace = 0;
    }
    /* In place only when one file holds every stored sector: toc2cue
     * (and so the way back to a CUE sheet) takes a single data file. */
    if (inplace) {
        const struct disc_source *one = NULL;
        for (i = 0; i < pl->ntracks; i++)
            for (s = 0; s < pl->t[i].nseg; s++)
                if (pl->t[i].seg[s].e) {
                    if (one && one != pl->t[i].seg[s].e->src)
                        inplace = 0;
                    one = pl->t[i].seg[s].e->src;
                }
    }
    /* --merge, several files, a file elsewhere, or a layout no statement
     * can name: one new data file of raw sectors. */
    pl->datafile = o->merge || !inplace;
    if (pl->datafile) {
        char *stem = disc_path_with_ext(path, "bin");
        int64_t off = 0;
        if (o->name) {
            disc_free_mem(stem);
            stem = disc_malloc(strlen(o->name) + 5);
            if (stem)
                (void)snprintf(stem, strlen(o->name) + 5, "%s.bin", o->name);
        }
        pl->binpath = stem && o->name ? disc_path_join(pl->dir, stem) : stem;
        if (stem && o->name)
            disc_free_mem(stem);
        if (!pl->binpath)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        pl->srcs[0] = NULL;
        pl->srcname[0] = disc_strdup(disc_path_base(pl->binpath));
        pl->nsrc = 1;
        if (!pl->srcname[0])
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        for (i = 0; i < pl->ntracks; i++) {
            struct toc_wtrack *w = &pl->t[i];
            w->mode =
                (enum toc_mode)toc_mode_for(d->track[i].mode, DISC_DATA_RAW);
            for (s = 0; s < w->nseg; s++)
                if (w->seg[s].e) {
                    w->seg[s].file = 0;
                    w->seg[s].off = off;
                    w->seg[s].swap = 0;
                    off += (int64_t)w->seg[s].count * DISC_SECTOR_RAW;
                }
        }
    } else {
        for (i = 0; i < pl->ntracks; i++)
            for (s = 0; s < pl->t[i].nseg; s++)
                if (pl->t[i].seg[s].e) {
                    int k = toc_wsrc(pl, pl->t[i].seg[s].e->src);
                    if (k < 0 || !pl->srcname[k])
                        return disc_error(
                            ctx, k < 0 ? DISC_E_UNSUPPORTED : DISC_E_NOMEM,
                            k < 0 ? "too many data files" : "out of memory");
                    pl->t[i].seg[s].file = k;
                }
    }
    return 0;
}

/* Writes the TOC text b and, with a new data file, its sectors: one set,
 * committed whole or not at all. */
static int
toc_write_files(struct disc_ctx *ctx, const struct disc *d, const char *path,
                const struct disc_write_opts *o, const struct toc_wplan *pl,
                const struct disc_buf *b)
{
    struct disc_outset *set = NULL;
    struct disc_out *out = NULL;
    int i, r;
    size_t s;

    if (pl->datafile) {
        r = disc_out_check(ctx, d, pl->binpath, o->force);
        if (r < 0)
            return r;
    }
    r = disc_outset_begin(ctx, d, o, path, &set, &out);
    if (r == 0)
        r = disc_out_write(ctx, out, b->p, b->len);
    if (r == 0)
        r = disc_out_finish(ctx, out);
    if (r == 0 && pl->datafile) {
        struct disc_copy c;
        r = disc_outset_open(ctx, set, pl->binpath, &out);
        memset(&c, 0, sizeof c);
        c.main = out;
        c.layout = DISC_DATA_RAW;
        for (i = 0; r == 0 && i < pl->ntracks; i++)
            for (s = 0; r == 0 && s < pl->t[i].nseg; s++)
                if (pl->t[i].seg[s].e)
                    r = disc_out_copy_sectors(ctx, d, pl->t[i].seg[s].lba,
                                              pl->t[i].seg[s].count, &c);
        if (r == 0)
            r = disc_out_finish(ctx, out);
    }
    if (r == 0) {
        r = disc_outset_commit(ctx, set);
        set = NULL;
    }
    disc_outset_abort(set);
    return r;
}

int
disc_toc_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
               const struct disc_write_opts *o)
{
    struct toc_wplan *pl = disc_calloc(1, sizeof *pl);
    struct disc_buf b;
    int i, r = 0, inplace = 1, lost = 0, data = 0;

    memset(&b, 0, sizeof b);
    if (!pl)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    pl->ntracks = d->ntracks;
    if (d->nsessions > 1) {
        r = disc_write_drop(ctx, o,
                            "sessions 2-%d (a TOC file describes one "
                            "session)",
                            d->nsessions);
        if (r < 0)
            goto fail;
        pl->ntracks = d->session[0].last_track - d->session[0].first_track + 1;
    }
    if (d->track[0].index[0] != 0) {
        r = disc_error(ctx, DISC_E_UNSUPPORTED,
                       "%s: the first track starts at LBA %d; a TOC file "
                       "starts the disc at LBA 0",
                       path, d->track[0].index[0]);
        goto fail;
    }
    pl->dir = disc_path_dir(path);
    if (!pl->dir) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < pl->ntracks; i++) {
        r = toc_wplan_track(ctx, d, i, &pl->t[i], &inplace);
        if (r < 0)
            goto fail;
        if (d->track[i].mode != DISC_MODE_AUDIO)
            data = 1;
    }
    r = toc_wplan_files(ctx, d, path, o, pl, inplace);
    if (r < 0)
        goto fail;

    /* The text. */
    disc_buf_printf(&b, "// cdrdao TOC written by discarc\n");
    disc_buf_printf(&b, "%s\n",
                    d->session[0].type == DISC_TYPE_XA    ? "CD_ROM_XA"
                    : d->session[0].type == DISC_TYPE_CDI ? "CD_I"
                    : data                                ? "CD_ROM"
                                                          : "CD_DA");
    if (d->mcn[0])
        disc_buf_printf(&b, "CATALOG \"%s\"\n", d->mcn);
    if (d->track[0].number != 1)
        disc_buf_printf(&b, "FIRST_TRACK_NO %d\n", d->track[0].number);
    r = toc_put_cdtext(ctx, d, o, &b, 0, &lost);
    for (i = 0; r == 0 && i < pl->ntracks; i++)
        r = toc_put_track(ctx, d, o, pl, i, &b, &lost);
    if (r < 0)
        goto fail;
    if (b.err) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    if (lost) {
        r = disc_write_drop(ctx, o,
                            "%d CD-TEXT characters beyond ISO 8859-1 "
                            "(written as '?')",
                            lost);
        if (r < 0)
            goto fail;
    }

    r = toc_write_files(ctx, d, path, o, pl, &b);
fail:
    disc_free_mem(b.p);
    toc_wplan_free(pl);
    return r;
}
