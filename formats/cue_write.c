/* cue_write.c - CUE sheets with BIN files: write one BIN or one per track.
 * Raw or cooked, redump split layout, CDTEXTFILE when the text needs it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md (the sheet, CDTEXTFILE, redumper's split
 * layout), docs/formats/cd.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cue.h"

/* ------------------------------------------------------------------ */
/* Writer: text                                                        */

struct cue_buf {
    struct disc_buf t; /* the sheet's text */
    const char *eol;
};

static void cue_put(struct cue_buf *b, const char *fmt, ...) DISC_PRINTF(2, 3);

/* Appends one line (fmt, then the line end). */
static void
cue_put(struct cue_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    disc_buf_vprintf(&b->t, fmt, ap);
    va_end(ap);
    disc_buf_printf(&b->t, "%s", b->eol);
}

/* A text value as a CUE sheet can hold it: CUE has no escapes, so '"'
 * becomes '\'' (as CUETools does) and line breaks become spaces.
 * disc_malloc'd, or NULL. */
static char *
cue_clean(const char *v)
{
    char *c = disc_strdup(v);

    if (c)
        for (char *s = c; *s; s++) {
            if (*s == '"')
                *s = '\'';
            else if ((unsigned char)*s < 0x20)
                *s = ' ';
        }
    return c;
}

/* 1 when a sheet line would change the text (see cue_clean), or the
 * reader would trim or drop it. */
static int
cue_text_lossy(const char *v)
{
    size_t n = strlen(v);

    if (!n || cue_is_blank(v[n - 1]))
        return 1;
    for (; *v; v++)
        if (*v == '"' || (unsigned char)*v < 0x20)
            return 1;
    return 0;
}

/* "TITLE \"x\"": quoted, except codes that some readers only take bare
 * (Aaru's UPC_EAN and DISC_ID rules). */
static void
cue_put_text(struct cue_buf *b, const char *indent, const char *kw,
             const char *v, int bare_ok)
{
    char *c = cue_clean(v);
    const char *s;
    int bare = bare_ok && *v;

    if (!c) {
        b->t.err = DISC_E_NOMEM;
        return;
    }
    for (s = c; *s; s++)
        if (cue_is_blank(*s) || *s == '\'')
            bare = 0;
    if (bare)
        cue_put(b, "%s%s %s", indent, kw, c);
    else
        cue_put(b, "%s%s \"%s\"", indent, kw, c);
    disc_free_mem(c);
}

/* 1 when a REM key carries layout, not metadata. */
static int
cue_rem_structural(const char *key)
{
    return strcmp(key, "SESSION") == 0 || strcmp(key, "LEAD-OUT") == 0 ||
           strcmp(key, "LEAD-IN") == 0 || strcmp(key, "PREGAP") == 0 ||
           strcmp(key, "SINGLE-DENSITY") == 0 ||
           strcmp(key, "HIGH-DENSITY") == 0;
}

/* Body of the REM line for a metadata entry, or NULL (with *ok = 0) when
 * reading that line back would not give the same key and value, or would
 * change the sheet's layout.  disc_malloc'd. */
static char *
cue_meta_body(const char *key, const char *value, int track_level, int *ok)
{
    size_t n = strlen(key) + strlen(value) + 4;
    char *body, *k2 = NULL;
    const char *v2;
    const char *s;

    *ok = 0;
    if (!*key)
        return NULL;
    for (s = key; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '"')
            return NULL;
    for (s = value; *s; s++)
        if (*s == '\r' || *s == '\n')
            return NULL;
    body = disc_malloc(n);
    if (!body) {
        *ok = -1;
        return NULL;
    }
    if (strchr(key, ' '))
        (void)snprintf(body, n, "%s:%s%s", key, *value ? " " : "", value);
    else
        (void)snprintf(body, n, "%s%s%s", key, *value ? " " : "", value);
    if (disc_cue_rem_split(body, &k2, &v2) != 0) {
        disc_free_mem(body);
        *ok = -1;
        return NULL;
    }
    *ok = strcmp(k2, key) == 0 && strcmp(v2, value) == 0 &&
          (!cue_rem_structural(k2) ||
           (!track_level && strcmp(k2, "SESSION") != 0 &&
            strcmp(k2, "SINGLE-DENSITY") != 0 &&
            strcmp(k2, "HIGH-DENSITY") != 0));
    /* The reader trims the line; a value ending in blanks would shrink. */
    if (*value && cue_is_blank(value[strlen(value) - 1]))
        *ok = 0;
    disc_free_mem(k2);
    if (*ok != 1) {
        disc_free_mem(body);
        return NULL;
    }
    return body;
}

/* Track number of a track-level metadata key "TRACK nn KEY", or 0; *inner
 * gets KEY. */
static int
cue_meta_track(const char *key, const char **inner)
{
    if (strncmp(key, "TRACK ", 6) == 0 && key[6] >= '0' && key[6] <= '9' &&
        key[7] >= '0' && key[7] <= '9' && key[8] == ' ' && key[9]) {
        *inner = key + 9;
        return (key[6] - '0') * 10 + (key[7] - '0');
    }
    *inner = key;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Writer: plan                                                        */

struct cue_wtrack {
    disc_lba s, f;   /* stored sectors written to the BIN: [s, f), as
                        disc_track_file_range gives them */
    int32_t pregap;  /* generated sectors before s (PREGAP) */
    int32_t postgap; /* generated sectors after f (POSTGAP) */
    const char *dtype;
    enum disc_data_layout layout; /* how the BIN stores each sector */
    int cdg;                      /* 2448-byte sectors with interleaved P-W */
    int64_t tbase;                /* file time (frames) of sector s */
    int file;                     /* output BIN */
};

struct cue_wplan {
    struct cue_wtrack t[DISC_MAX_TRACKS];
    struct disc_sheet map; /* what the sheet says about each track */
    const char *dtype[DISC_MAX_TRACKS];
    int nfile;
    int split;  /* one BIN per track (--split, or any multi-session disc
                   without --merge) */
    int padded; /* one BIN for a multi-session disc: the gaps between
                   sessions are stored as zeros, so file time = disc time */
    char *dir, *stem;
    char *name[DISC_MAX_TRACKS]; /* BIN file names as in the sheet */
    char *cdt;                   /* CDTEXTFILE name, or NULL */
    const uint8_t *packs;
    size_t npacks;
    int packs_owned;
};

static int
cue_has_sub(const struct disc *d, disc_lba a, disc_lba e)
{
    size_t i, n = disc_extent_count(d);

    if (d->sub != DISC_SUB_CAPTURED)
        return 0;
    for (i = 0; i < n; i++) {
        const struct disc_extent *x = disc_extent_get(d, i);
        if ((int64_t)x->lba + x->count <= a || x->lba >= e)
            continue;
        if (x->sub != DISC_SUBL_NONE || x->data == DISC_DATA_SECTORS)
            return 1;
    }
    return 0;
}

static const char *
cue_dtype_for(const struct disc *d, int i, int cooked, enum disc_data_layout *l)
{
    const struct disc_track *t = &d->track[i];
    int cdi = disc_track_session(d, i)->type == DISC_TYPE_CDI;

    *l = DISC_DATA_RAW;
    switch (t->mode) {
    case DISC_MODE_AUDIO:
        return "AUDIO";
    case DISC_MODE_MODE1:
        if (cooked)
            *l = DISC_DATA_MODE1;
        return cooked ? "MODE1/2048" : "MODE1/2352";
    case DISC_MODE_MODE2_FORM1:
        if (cooked && !cdi) {
            *l = DISC_DATA_FORM1;
            return "MODE2/2048";
        }
        break;
    case DISC_MODE_MODE2_FORM2:
        if (cooked && !cdi) {
            *l = DISC_DATA_FORM2;
            return "MODE2/2324";
        }
        break;
    case DISC_MODE_MODE2:
    case DISC_MODE_MODE2_MIXED:
        break;
    }
    if (cooked) {
        *l = DISC_DATA_MODE2;
        return cdi ? "CDI/2336" : "MODE2/2336";
    }
    return cdi ? "CDI/2352" : "MODE2/2352";
}

/* Stored range, generated gaps and datatype of every track. */
static int
cue_plan(struct disc_ctx *ctx, const struct disc *d,
         const struct disc_write_opts *o, struct cue_wplan *pl)
{
    int i, s, r;

    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        struct cue_wtrack *w = &pl->t[i];
        disc_lba a = t->index[0], e = disc_track_end(d, i);
        int32_t n;

        if (i == 0 && a > 0)
            return disc_error(ctx, DISC_E_UNSUPPORTED,
                              "cue: track %d starts at LBA %d; a CUE sheet "
                              "always starts the disc at LBA 0",
                              t->number, a);
        if (i == 0 && a < 0) {
            if (t->index[1] < 0)
                return disc_error(ctx, DISC_E_UNSUPPORTED,
                                  "cue: track %d starts at LBA %d, before "
                                  "LBA 0",
                                  t->number, t->index[1]);
            r = disc_write_drop(ctx, o,
                                "cue: the %d sectors of track %d "
                                "before LBA 0 cannot be stored",
                                -a, t->number);
            if (r < 0)
                return r;
            a = 0;
        }
        /* The core's split-file range, which `discarc hash` also uses:
         * generated runs at either end become PREGAP and POSTGAP. */
        disc_track_file_range(d, i, &w->s, &n);
        w->f = w->s + n;
        if (o->store_gaps) {
            /* The generated gaps become data in the BIN. */
            w->s = a;
            w->f = e;
        }
        w->pregap = w->s - a;
        w->postgap = e - w->f;
        w->dtype = cue_dtype_for(d, i, o->cooked, &w->layout);
        /* Without --sub the core has reported the subchannel. */
        if (o->sub && cue_has_sub(d, a, e)) {
            if (t->mode != DISC_MODE_AUDIO) {
                r = disc_write_drop(ctx, o,
                                    "cue: CUE cannot keep the "
                                    "subchannel of data track %d",
                                    t->number);
            } else {
                r = 0;
                w->cdg = 1;
                w->dtype = "CDG";
            }
            if (r < 0)
                return r;
        }
    }
    /* CUE has no field for the disc type: readers derive it from the
     * datatypes (Mode 2 -> CD-ROM XA, CDI/ -> CD-i). */
    for (s = 0; s < d->nsessions; s++) {
        const struct disc_session *ss = &d->session[s];
        int a = disc_track_find(d, ss->first_track);
        int b = disc_track_find(d, ss->last_track), m2 = 0, want;

        for (i = a; i >= 0 && i <= b; i++)
            if (cue_mode2_family(d->track[i].mode))
                m2 = 1;
        want = !m2                         ? DISC_TYPE_CDDA
               : ss->type == DISC_TYPE_CDI ? DISC_TYPE_CDI
                                           : DISC_TYPE_XA;
        if (want != ss->type) {
            r = disc_write_drop(ctx, o,
                                "cue: session %d has disc type "
                                "0x%02x, which CUE datatypes cannot express "
                                "(they give 0x%02x)",
                                ss->number, ss->type, want);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* 1 when the CD-TEXT holds more than the sheet's text commands can say:
 * other language blocks, raw packs, genre code, language or character
 * set, CLOSED info, per-track ISRC packs, or text that the sheet would
 * change.  Then a CDTEXTFILE carries the whole record. */
static int
cue_need_cdt(const struct disc *d)
{
    const struct disc_cdtext_block *b0 = d->cdtext[0];
    int b, t, f;

    if (d->cdtext_raw_len)
        return 1;
    for (b = 1; b < DISC_CDTEXT_MAX_BLOCKS; b++)
        if (d->cdtext[b])
            return 1;
    if (!b0)
        return 0;
    if (b0->genre || b0->language != 0x09 || b0->charset != 0x00 ||
        b0->copyright)
        return 1;
    for (t = 0; t <= DISC_MAX_TRACKS; t++)
        for (f = 0; f < DISC_CDTEXT_NFIELDS; f++) {
            const char *v = b0->text[t][f];
            if (!v)
                continue;
            if (f == DISC_CDTEXT_CLOSED || cue_text_lossy(v))
                return 1;
            if (t > 0 &&
                (f == DISC_CDTEXT_UPC_ISRC || disc_track_find(d, t) < 0))
                return 1;
        }
    return 0;
}

static char *
cue_stem(const char *path, const char *name)
{
    const char *base = disc_path_base(name ? name : path);
    const char *dot = strrchr(base, '.');
    size_t n =
        dot && dot != base && !name ? (size_t)(dot - base) : strlen(base);
    char *s = disc_malloc(n + 1);

    if (s) {
        memcpy(s, base, n);
        s[n] = '\0';
    }
    return s;
}

static int
cue_names(const struct disc *d, const char *path,
          const struct disc_write_opts *o, struct cue_wplan *pl)
{
    int i, width = d->track[d->ntracks - 1].number >= 10 ? 2 : 1;

    pl->dir = disc_path_dir(path);
    pl->stem = cue_stem(path, o->name);
    if (!pl->dir || !pl->stem)
        return DISC_E_NOMEM;
    pl->nfile = pl->split ? d->ntracks : 1;
    for (i = 0; i < pl->nfile; i++) {
        size_t n = strlen(pl->stem) + 32;
        pl->name[i] = disc_malloc(n);
        if (!pl->name[i])
            return DISC_E_NOMEM;
        if (pl->nfile == 1)
            (void)snprintf(pl->name[i], n, "%s.bin", pl->stem);
        else
            (void)snprintf(pl->name[i], n, "%s (Track %0*d).bin", pl->stem,
                           width, d->track[i].number);
    }
    return 0;
}

/* File times: each track's stored range continues its BIN; between
 * sessions of one BIN the time goes on across the gap, which the padded
 * BIN stores as zeros (INDEX times are disc positions, as in a DIC
 * _img.cue, and so are the file offsets).  Fills the map the sheet is
 * written from. */
static void
cue_times(const struct disc *d, struct cue_wplan *pl, int split)
{
    int64_t tpos = 0;
    int i;

    for (i = 0; i < pl->nfile; i++)
        pl->map.file[i] = pl->name[i];
    pl->map.type = "BINARY";
    pl->map.cdt = pl->cdt;
    for (i = 0; i < d->ntracks; i++) {
        struct cue_wtrack *w = &pl->t[i];
        struct disc_sheet_track *m = &pl->map.t[i];
        if (split) {
            w->file = i;
            w->tbase = 0;
        } else {
            if (i > 0 && d->track[i].session != d->track[i - 1].session) {
                const struct disc_session *prev = disc_track_session(d, i - 1);
                tpos += (d->track[i].index[0] - prev->leadout);
            }
            w->file = 0;
            w->tbase = tpos;
            tpos += w->f - w->s;
        }
        m->file = w->file;
        m->at = w->s;
        m->time = w->tbase;
        m->gap_file = w->s < d->track[i].index[1] ? w->file : -1;
        m->gap_time = w->tbase;
        m->pregap = w->pregap;
        m->postgap = w->postgap;
        pl->dtype[i] = w->dtype;
    }
}

static void
cue_put_time(struct cue_buf *b, const char *what, int64_t t)
{
    char m[24];
    disc_format_msf((int32_t)t, m, sizeof m);
    cue_put(b, "    %s %s", what, m);
}

static void
cue_put_cdtext(struct cue_buf *b, const struct disc *d, int track,
               const char *indent)
{
    size_t i;

    for (i = 0; i < CUE_NTEXT; i++) {
        const struct cue_text_cmd *k = &disc_cue_text[i];
        const char *v = disc_cdtext_get(d, 0, track, k->f);
        if (!v || !*v || (k->disc_only && track))
            continue;
        cue_put_text(b, indent, k->kw, v, k->bare);
    }
}

/* REM lines for the disc (track 0) or one track.  Returns 0 or a drop. */
static int
cue_put_meta(struct disc_ctx *ctx, struct cue_buf *b, const struct disc *d,
             const struct disc_write_opts *o, int track, const char *indent)
{
    int i, r;

    for (i = 0; i < d->nmeta; i++) {
        const char *inner, *key = d->meta[i].key, *val = d->meta[i].value;
        int n = cue_meta_track(key, &inner), ok;
        char *body;

        if (n && disc_track_find(d, n) < 0)
            n = 0, inner = key; /* no such track: keep it at disc level */
        if (n != track)
            continue;
        if (n && strcmp(inner, "FLAGS") == 0 && strcmp(val, "SCMS") == 0)
            continue; /* written in the FLAGS line */
        body = cue_meta_body(inner, val, track != 0, &ok);
        if (ok < 0)
            return disc_error(ctx, DISC_E_NOMEM, "out of memory");
        if (!body) {
            r = disc_write_drop(ctx, o,
                                "cue: metadata %s=\"%.60s\" cannot "
                                "be written as a REM line that reads back "
                                "the same",
                                key, val);
            if (r < 0)
                return r;
            continue;
        }
        cue_put(b, "%sREM %s", indent, body);
        disc_free_mem(body);
    }
    return 0;
}

static int
cue_scms(const struct disc *d, int number)
{
    int i;

    for (i = 0; i < d->nmeta; i++) {
        const char *inner;
        if (cue_meta_track(d->meta[i].key, &inner) == number &&
            strcmp(inner, "FLAGS") == 0 &&
            strcmp(d->meta[i].value, "SCMS") == 0)
            return 1;
    }
    return 0;
}

/* The DIC-style length lines before session s: REM LEAD-OUT, LEAD-IN and
 * PREGAP add up to gap, the sectors from the previous lead-out to the
 * first sector of the session's FILE (MAME's rule; docs/formats/cue.md).
 * The standard gap gives 01:30:00 (00:30:00 after later sessions),
 * 01:00:00, 00:02:00.  Other gaps must not spell DIC's constant triple
 * for a session >= 3, which readers take as "standard". */
static void
cue_gap_lines(int s, int32_t gap, int32_t *lo, int32_t *li, int32_t *pg)
{
    int32_t rest;

    *pg = gap < DISC_PREGAP ? gap : DISC_PREGAP;
    rest = gap - *pg;
    *li = rest < CUE_LEADIN ? rest : CUE_LEADIN;
    *lo = rest - *li;
    if (s >= 3 && *lo == CUE_LEADOUT1 && *li == CUE_LEADIN &&
        *pg == DISC_PREGAP) {
        (*lo)++;
        (*li)--;
    }
}

/* The session lines before track i, the first listed track of its
 * session; prev is the listed track before it, or -1. */
static void
cue_put_session(struct cue_buf *b, const struct disc *d,
                const struct disc_sheet *m, int prev, int i)
{
    const struct disc_track *t = &d->track[i];
    char buf[24];
    int32_t gap, lo, li, pg;

    if (prev < 0) {
        cue_put(b, "REM SESSION %02d", t->session);
        return;
    }
    if (m->t[prev].file == m->t[i].file) {
        /* One padded file: the position of the lead-out in its time. */
        const struct disc_sheet_track *pw = &m->t[prev];
        int64_t end = disc_track_end(d, prev) - pw->postgap;
        cue_put(b, "REM LEAD-OUT %s",
                disc_format_msf((int32_t)(pw->time + end - pw->at), buf,
                                sizeof buf));
        cue_put(b, "REM SESSION %02d", t->session);
        return;
    }
    /* redump / DIC multi-file: the lengths of the gap, always. */
    gap = t->index[0] - disc_track_session(d, prev)->leadout;
    cue_gap_lines(t->session, gap, &lo, &li, &pg);
    cue_put(b, "REM LEAD-OUT %s", disc_format_msf(lo, buf, sizeof buf));
    cue_put(b, "REM SESSION %02d", t->session);
    cue_put(b, "REM LEAD-IN %s", disc_format_msf(li, buf, sizeof buf));
    cue_put(b, "REM PREGAP %s", disc_format_msf(pg, buf, sizeof buf));
}

/* The sheet for the tracks m lists, with the datatypes dtype (NULL: the
 * raw datatype of each mode). */
static int
cue_sheet(struct disc_ctx *ctx, const struct disc *d,
          const struct disc_write_opts *o, const struct disc_sheet *m,
          const char *const *dtype, struct cue_buf *b)
{
    int i, r, file = -1, prev = -1, first = -1, multi = 0;

    for (i = 0; i < d->ntracks; i++) {
        if (m->t[i].file < 0)
            continue;
        if (first < 0)
            first = i;
        else if (d->track[i].session != d->track[first].session)
            multi = 1;
    }
    r = cue_put_meta(ctx, b, d, o, 0, "");
    if (r < 0)
        return r;
    if (d->mcn[0])
        cue_put(b, "CATALOG %s", d->mcn);
    if (m->cdt)
        cue_put(b, "CDTEXTFILE \"%s\"", m->cdt);
    cue_put_cdtext(b, d, 0, "");
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        const struct disc_sheet_track *w = &m->t[i];
        enum disc_data_layout l;
        int n;

        if (w->file < 0)
            continue;
        if (multi && (prev < 0 || t->session != d->track[prev].session))
            cue_put_session(b, d, m, prev, i);
        n = w->gap_file >= 0 ? w->gap_file : w->file;
        if (n != file) {
            file = n;
            cue_put(b, "FILE \"%s\" %s", m->file[file], m->type);
        }
        cue_put(b, "  TRACK %02d %s", t->number,
                dtype ? dtype[i] : cue_dtype_for(d, i, 0, &l));
        cue_put_cdtext(b, d, t->number, "    ");
        r = cue_put_meta(ctx, b, d, o, t->number, "    ");
        if (r < 0)
            return r;
        if (t->isrc[0])
            cue_put(b, "    ISRC %s", t->isrc);
        if ((t->control & (DISC_CTL_4CH | DISC_CTL_COPY | DISC_CTL_PREEMPH)) ||
            cue_scms(d, t->number))
            cue_put(b, "    FLAGS%s%s%s%s",
                    t->control & DISC_CTL_4CH ? " 4CH" : "",
                    t->control & DISC_CTL_COPY ? " DCP" : "",
                    t->control & DISC_CTL_PREEMPH ? " PRE" : "",
                    cue_scms(d, t->number) ? " SCMS" : "");
        if (w->pregap)
            cue_put_time(b, "PREGAP", w->pregap);
        if (w->gap_file >= 0)
            cue_put_time(b, "INDEX 00", w->gap_time);
        if (w->file != file) {
            /* The pregap ended in another file (EAC's "gaps appended"
             * sheets change FILE between INDEX 00 and INDEX 01). */
            file = w->file;
            cue_put(b, "FILE \"%s\" %s", m->file[file], m->type);
        }
        for (n = 1; n <= t->last_index; n++) {
            char what[24];
            (void)snprintf(what, sizeof what, "INDEX %02d", n);
            cue_put_time(b, what, w->time + (t->index[n] - w->at));
        }
        if (w->postgap)
            cue_put_time(b, "POSTGAP", w->postgap);
        prev = i;
    }
    if (b->t.err)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    return 0;
}

/* 1 when the sheet for d names a CDTEXTFILE: its text commands cannot
 * say all of the CD-TEXT and there are packs to write; < 0 on failure. */
static int
cue_cdt_wanted(struct disc_ctx *ctx, const struct disc *d)
{
    const uint8_t *packs;
    size_t n;
    int owned, r;

    if (!cue_need_cdt(d))
        return 0;
    r = disc_cdtext_packs(ctx, d, &packs, &n, &owned);
    if (r < 0)
        return r;
    if (owned) {
        void *mem; /* ours to free: see cue_plan_free */
        memcpy(&mem, &packs, sizeof mem);
        disc_free_mem(mem);
    }
    return n > 0;
}

int
disc_cue_sheet(struct disc_ctx *ctx, const struct disc *d,
               const struct disc_sheet *map, const struct disc_write_opts *o,
               struct disc_buf *text, int *cdt_used)
{
    struct disc_sheet m = *map;
    struct cue_buf b;
    int r;

    *cdt_used = 0;
    if (m.cdt) {
        r = cue_cdt_wanted(ctx, d);
        if (r < 0)
            return r;
        if (!r)
            m.cdt = NULL;
    }
    b.t = *text;
    b.eol = o->crlf ? "\r\n" : "\n";
    r = cue_sheet(ctx, d, o, &m, NULL, &b);
    *text = b.t;
    *cdt_used = m.cdt != NULL;
    return r;
}

/* ------------------------------------------------------------------ */
/* Writer: data                                                        */

/* Stores user data only (--cooked), after checking that every sector is
 * exactly what a reader rebuilds from those bytes; otherwise the headers,
 * subheaders, EDC or ECC that differ would be lost. */
static int
cue_copy_cooked(struct disc_ctx *ctx, const struct disc *d,
                const struct disc_write_opts *o, struct disc_out *out,
                int number, disc_lba lba, uint32_t count,
                enum disc_data_layout l)
{
    uint8_t *buf = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
    uint8_t *re = disc_malloc(DISC_SECTOR_RAW);
    size_t off = disc_data_offset(l);
    size_t len = disc_data_size(l);
    uint32_t done = 0, bad = 0, k;
    disc_lba first_bad = 0;
    int r = 0;

    if (!buf || !re) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    while (done < count && r == 0) {
        uint32_t n = count - done;
        disc_lba at = lba + (disc_lba)done;

        if (n > DISC_CHUNK)
            n = DISC_CHUNK;
        r = disc_read_sectors(ctx, d, at, n, buf, NULL);
        for (k = 0; k < n && r == 0; k++) {
            const uint8_t *sec = buf + (size_t)k * DISC_SECTOR_RAW;
            disc_sector_from_cooked(re, at + (disc_lba)k, l, sec + off);
            if (memcmp(re, sec, DISC_SECTOR_RAW) != 0) {
                if (!bad++)
                    first_bad = at + (disc_lba)k;
                if (!o->allow_lossy || o->strict) {
                    r = disc_write_drop(ctx, o,
                                        "cue: --cooked would lose "
                                        "bytes of track %d (the sector at "
                                        "LBA %d is not rebuilt from its %zu "
                                        "user bytes)",
                                        number, first_bad, len);
                    break;
                }
            }
            r = disc_out_write(ctx, out, sec + off, len);
        }
        done += n;
        ctx->progress_done += n;
        disc_progress(ctx, ctx->progress_done, ctx->progress_total);
    }
    if (r == 0 && bad)
        r = disc_write_drop(ctx, o,
                            "cue: --cooked lost the headers, "
                            "subheaders or EDC/ECC of %u of %u sectors of "
                            "track %d (first at LBA %d)",
                            bad, count, number, first_bad);
fail:
    disc_free_mem(buf);
    disc_free_mem(re);
    return r;
}

/* The stored sectors of one track, [w->s, w->f), into out. */
static int
cue_copy_track(struct disc_ctx *ctx, const struct disc *d,
               const struct disc_write_opts *o, const struct cue_wtrack *w,
               int number, struct disc_out *out)
{
    uint32_t n = (uint32_t)(w->f - w->s);
    struct disc_copy c;

    if (w->layout != DISC_DATA_RAW)
        return cue_copy_cooked(ctx, d, o, out, number, w->s, n, w->layout);
    memset(&c, 0, sizeof c);
    c.main = out;
    c.layout = DISC_DATA_RAW;
    c.sub_inline = w->cdg;
    return disc_out_copy_sectors(ctx, d, w->s, n, &c);
}

/* Opens name, next to the sheet, as one more output of the set. */
static int
cue_open_out(struct disc_ctx *ctx, struct disc_outset *set, const char *dir,
             const char *name, struct disc_out **out)
{
    char *full = disc_path_join(dir, name);
    int r;

    if (!full)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    r = disc_outset_open(ctx, set, full, out);
    disc_free_mem(full);
    return r;
}

/* n zero sectors in the layout of w: the gap between two sessions in a
 * padded BIN, in the sector size of the track after it (what a reader
 * steps over). */
static int
cue_write_zeros(struct disc_ctx *ctx, struct disc_out *out,
                const struct cue_wtrack *w, int32_t n)
{
    enum { CHUNK = 64 };
    size_t size = w->cdg                       ? DISC_SECTOR_RAW + 96
                  : w->layout == DISC_DATA_RAW ? DISC_SECTOR_RAW
                                               : disc_data_size(w->layout);
    uint8_t *z = disc_calloc(CHUNK, DISC_SECTOR_RAW + 96);
    int r = 0;

    if (!z)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    while (n > 0 && r == 0) {
        int32_t k = n < CHUNK ? n : CHUNK;
        r = disc_out_write(ctx, out, z, (size_t)k * size);
        n -= k;
    }
    disc_free_mem(z);
    return r;
}

static void
cue_plan_free(struct cue_wplan *pl)
{
    int i;

    if (!pl)
        return;
    for (i = 0; i < DISC_MAX_TRACKS; i++)
        disc_free_mem(pl->name[i]);
    disc_free_mem(pl->dir);
    disc_free_mem(pl->stem);
    disc_free_mem(pl->cdt);
    if (pl->packs_owned) {
        /* Ours to free although the API lends them const: copy the
         * pointer rather than cast the qualifier away. */
        void *mem;
        memcpy(&mem, &pl->packs, sizeof mem);
        disc_free_mem(mem);
    }
    disc_free_mem(pl);
}

int
disc_cue_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
               const struct disc_write_opts *o)
{
    struct cue_wplan *pl = NULL;
    struct cue_buf b;
    struct disc_outset *set = NULL;
    struct disc_out *out = NULL;
    int i, r;

    memset(&b, 0, sizeof b);
    b.eol = o->crlf ? "\r\n" : "\n";
    if (o->split && o->merge)
        return disc_error(ctx, DISC_E_ARG,
                          "--split and --merge exclude each other");
    pl = disc_calloc(1, sizeof *pl);
    if (!pl)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    /* A multi-session disc gets one BIN per track unless --merge asks for
     * one BIN, which is then padded (readers disagree on the compact
     * form; docs/formats/cue.md). */
    pl->split = o->split || (d->nsessions > 1 && !o->merge);
    pl->padded = !pl->split && d->nsessions > 1;
    r = cue_plan(ctx, d, o, pl);
    if (r < 0)
        goto fail;
    if (cue_names(d, path, o, pl) < 0) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    cue_times(d, pl, pl->split);
    if (cue_need_cdt(d)) {
        size_t n = strlen(pl->stem) + 5;
        r = disc_cdtext_packs(ctx, d, &pl->packs, &pl->npacks,
                              &pl->packs_owned);
        if (r < 0)
            goto fail;
        if (pl->npacks) {
            pl->cdt = disc_malloc(n);
            if (!pl->cdt) {
                r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
                goto fail;
            }
            (void)snprintf(pl->cdt, n, "%s.cdt", pl->stem);
        }
    }
    pl->map.cdt = pl->cdt;
    r = cue_sheet(ctx, d, o, &pl->map, pl->dtype, &b);
    if (r < 0)
        goto fail;

    /* Every BIN that may not be replaced is refused before anything is
     * written (they are opened one at a time below). */
    for (i = 0; i < pl->nfile; i++) {
        char *full = disc_path_join(pl->dir, pl->name[i]);
        if (!full) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            goto fail;
        }
        r = disc_out_check(ctx, d, full, o->force);
        disc_free_mem(full);
        if (r < 0)
            goto fail;
    }
    /* The sheet and the .cdt first, so that an output that may not be
     * replaced is refused before any BIN is written. */
    r = disc_outset_begin(ctx, d, o, path, &set, &out);
    if (r == 0)
        r = disc_out_write(ctx, out, b.t.p, b.t.len);
    if (r == 0)
        r = disc_out_finish(ctx, out);
    if (r == 0 && pl->cdt) {
        r = cue_open_out(ctx, set, pl->dir, pl->cdt, &out);
        if (r == 0)
            r = disc_out_write(ctx, out, pl->packs, pl->npacks);
        if (r == 0)
            r = disc_out_finish(ctx, out);
    }
    /* One BIN open at a time, finished after its last track: a 99-track
     * --split keeps memory and descriptors flat until the commit. */
    out = NULL;
    for (i = 0; r == 0 && i < d->ntracks; i++) {
        const struct cue_wtrack *w = &pl->t[i];

        if (!out)
            r = cue_open_out(ctx, set, pl->dir, pl->name[w->file], &out);
        if (r == 0 && pl->padded && i > 0 &&
            d->track[i].session != d->track[i - 1].session)
            r = cue_write_zeros(ctx, out, w,
                                d->track[i].index[0] -
                                    disc_track_session(d, i - 1)->leadout);
        if (r == 0)
            r = cue_copy_track(ctx, d, o, w, d->track[i].number, out);
        ctx->progress_done += w->pregap + w->postgap;
        if (r == 0 && (i + 1 == d->ntracks || pl->t[i + 1].file != w->file)) {
            r = disc_out_finish(ctx, out);
            out = NULL;
        }
    }
    if (r == 0) {
        r = disc_outset_commit(ctx, set);
        set = NULL;
    }
fail:
    disc_outset_abort(set);
    disc_free_mem(b.t.p);
    cue_plan_free(pl);
    return r;
}
