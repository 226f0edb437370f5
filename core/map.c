/* map.c - the disc map: one static SVG (no scripts, no external
 * resources) drawn from the model and a list of marked sector runs.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: SVG 1.1 (W3C), ECMA-130 (lead-in, lead-out, pregaps),
 * docs/map.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "disc_format.h"
#include "map.h"

#define MAP_TOP 56       /* y of the first band */
#define MAP_BAND 132     /* band height */
#define MAP_GAP 14       /* between bands */
#define MAP_BLOCK_Y 30   /* block offset inside a band */
#define MAP_BLOCK_H 84   /* block height */
#define MAP_LEADOUT 6750 /* first lead-out: 90 s (later ones: 2250) */
#define MAP_LEADIN 4500  /* a later session's lead-in: 60 s */
#define MAP_MAX_TIP 8    /* runs listed in one tooltip */

struct map_run {
    disc_lba lba;
    int32_t count;
    enum disc_map_kind kind;
    char what[40];
};

struct disc_map {
    const struct disc *d;
    struct map_run *run;
    size_t n, cap;
};

int
disc_map_new(struct disc_ctx *ctx, const struct disc *d, struct disc_map **out)
{
    *out = disc_calloc(1, sizeof **out);
    if (!*out)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    (*out)->d = d;
    return 0;
}

void
disc_map_free(struct disc_map *m)
{
    if (!m)
        return;
    disc_free_mem(m->run);
    disc_free_mem(m);
}

/* Appends ", what" to a run's description unless it is there. */
static void
map_add_what(struct map_run *r, const char *what)
{
    size_t n = strlen(r->what), k;
    if (!what || !what[0] || strstr(r->what, what))
        return;
    k = strlen(what);
    if (n + (n ? 2 : 0) + k >= sizeof r->what)
        return; /* the tooltip keeps the names that fit */
    if (n) {
        memcpy(r->what + n, ", ", 2);
        n += 2;
    }
    memcpy(r->what + n, what, k + 1);
}

int
disc_map_mark(struct disc_ctx *ctx, struct disc_map *m, disc_lba lba,
              int32_t count, enum disc_map_kind kind, const char *what)
{
    struct map_run *last = m->n ? &m->run[m->n - 1] : NULL;

    if (count < 1)
        count = 1;
    /* Verifiers report in LBA order, often several problems for one
     * sector: extend the last run when the new one touches it. */
    if (last && last->kind == kind && lba >= last->lba &&
        lba <= last->lba + last->count) {
        if (lba + count > last->lba + last->count)
            last->count = lba + count - last->lba;
        map_add_what(last, what);
        return 0;
    }
    if (disc_grow(ctx, &m->run, m->n + 1, &m->cap, sizeof *m->run, 32) < 0)
        return DISC_E_NOMEM;
    if (!m->run) /* cap > n implies an array; says so to analysers */
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    last = &m->run[m->n++];
    memset(last, 0, sizeof *last);
    last->lba = lba;
    last->count = count;
    last->kind = kind;
    map_add_what(last, what);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

struct map_out {
    struct disc_ctx *ctx;
    struct disc_out *o;
    int err;
    disc_lba l0, l1; /* LBA range drawn to scale */
};

static void map_printf(struct map_out *w, const char *fmt, ...)
    DISC_PRINTF(2, 3);

static void
map_printf(struct map_out *w, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    if (w->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line) {
        w->err = disc_error(w->ctx, DISC_E_ARG, "map: line too long");
        return;
    }
    w->err = disc_out_write(w->ctx, w->o, line, (size_t)n);
}

/* Writes s as XML character data, at most max bytes of it (cut at a
 * UTF-8 character boundary, with an ellipsis); control characters,
 * which XML 1.0 forbids, become spaces. */
static void
map_text(struct map_out *w, const char *s, size_t max)
{
    char buf[512];
    size_t n = 0, i = 0, len = s ? strlen(s) : 0;
    int cut = 0;

    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        cut = 1;
    }
    for (; i < len && n + 8 < sizeof buf; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        default:
            break;
        }
        if (rep) {
            memcpy(buf + n, rep, strlen(rep));
            n += strlen(rep);
        } else {
            if (c < 0x20 || c == 0x7F)
                c = ' ';
            buf[n++] = (char)c;
        }
    }
    if (cut && n + 4 < sizeof buf) {
        memcpy(buf + n, "\xe2\x80\xa6", 3); /* U+2026 */
        n += 3;
    }
    buf[n] = '\0';
    map_printf(w, "%s", buf);
}

static double
map_x(const struct map_out *w, disc_lba l)
{
    return DISC_MAP_X0 + (double)(l - w->l0) * (DISC_MAP_X1 - DISC_MAP_X0) /
                             (double)(w->l1 - w->l0);
}

static const char *
map_msf(disc_lba l, char *buf)
{
    struct disc_msf m = disc_lba_to_msf(l);
    (void)snprintf(buf, 12, "%02u:%02u:%02u", m.m, m.s, m.f);
    return buf;
}

static const char *
map_fill(const struct disc_track *t)
{
    switch (t->mode) {
    case DISC_MODE_AUDIO:
        return "#4f86c6";
    case DISC_MODE_MODE1:
        return "#4caf6a";
    case DISC_MODE_MODE2_FORM2:
        return "#d9a23c";
    default:
        return "#7bbf5a";
    }
}

static const char *
map_kind_name(enum disc_map_kind k)
{
    switch (k) {
    case DISC_MAP_BAD:
        return "damaged";
    case DISC_MAP_UNREADABLE:
        return "unreadable";
    case DISC_MAP_RETRIED:
        return "read after retries";
    }
    return "marked";
}

/* A block of one track: its rectangle (class "track", with the LBAs as
 * data attributes), pregap hatching, index marks and the labels,
 * clipped to the block by a nested viewport. */
static void
map_track(struct map_out *w, const struct disc *d, int i, double y)
{
    const struct disc_track *t = &d->track[i];
    disc_lba end = disc_track_end(d, i);
    double x = map_x(w, t->index[0]), x1 = map_x(w, t->index[1]);
    double wd = map_x(w, end) - x;
    const char *title = disc_cdtext_get(d, 0, t->number, DISC_CDTEXT_TITLE);
    const char *perf = disc_cdtext_get(d, 0, t->number, DISC_CDTEXT_PERFORMER);
    char a[16], b[16], len[16];
    int n;

    disc_format_msf(end - t->index[1], len, sizeof len);
    map_printf(w,
               "<g class=\"trackgroup\">\n<title>Track %u: %s, INDEX 01 "
               "at LBA %d (%s), length %s (%d sectors)",
               t->number, disc_mode_name(t->mode), t->index[1],
               map_msf(t->index[1], a), len, end - t->index[1]);
    if (t->index[1] != t->index[0])
        map_printf(w, ", pregap %d sectors from LBA %d (%s)%s",
                   t->index[1] - t->index[0], t->index[0],
                   map_msf(t->index[0], b),
                   disc_lba_stored(d, t->index[0]) ? "" : ", not stored");
    if (t->isrc[0])
        map_printf(w, ", ISRC %s", t->isrc);
    if (title) {
        map_printf(w, ", title \"");
        map_text(w, title, 200);
        map_printf(w, "\"");
    }
    if (perf) {
        map_printf(w, " by ");
        map_text(w, perf, 120);
    }
    map_printf(w, "</title>\n");
    map_printf(w,
               "<rect class=\"track\" data-track=\"%u\" data-start=\"%d\" "
               "data-index1=\"%d\" data-end=\"%d\" x=\"%.2f\" y=\"%.2f\" "
               "width=\"%.2f\" height=\"%d\" fill=\"%s\" stroke=\"#1d2b3a\" "
               "stroke-width=\"0.6\"/>\n",
               t->number, t->index[0], t->index[1], end, x, y, wd, MAP_BLOCK_H,
               map_fill(t));
    if (t->index[1] > t->index[0])
        map_printf(w,
                   "<rect class=\"pregap\" x=\"%.2f\" y=\"%.2f\" "
                   "width=\"%.2f\" height=\"%d\" fill=\"url(#hatch)\"/>\n",
                   x, y, x1 - x, MAP_BLOCK_H);
    for (n = 2; n <= t->last_index; n++) {
        double xi = map_x(w, t->index[n]);
        map_printf(w,
                   "<g class=\"index\"><title>Track %u INDEX %02d at LBA %d "
                   "(%s)</title><line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
                   "y2=\"%.2f\" stroke=\"#111\" stroke-width=\"1.5\" "
                   "stroke-dasharray=\"4 2\"/><text x=\"%.2f\" y=\"%.2f\" "
                   "font-size=\"10\">%d</text></g>\n",
                   t->number, n, t->index[n], map_msf(t->index[n], a), xi, y,
                   xi, y + MAP_BLOCK_H, xi + 2, y + MAP_BLOCK_H - 3, n);
    }
    /* Labels, clipped to the block. */
    if (wd >= 14) {
        map_printf(w,
                   "<svg x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%d\" "
                   "overflow=\"hidden\"><text x=\"4\" y=\"19\" "
                   "font-size=\"17\" font-weight=\"bold\" fill=\"#fff\">%u"
                   "</text>",
                   x1, y, wd - (x1 - x), MAP_BLOCK_H, t->number);
        if (wd >= 50)
            map_printf(w,
                       "<text x=\"4\" y=\"35\" font-size=\"11\" "
                       "fill=\"#fff\">%s</text><text x=\"4\" y=\"50\" "
                       "font-size=\"11\" fill=\"#fff\">%s</text>",
                       disc_mode_name(t->mode), map_msf(t->index[1], a));
        if (title && wd >= 50) {
            map_printf(w, "<text x=\"4\" y=\"66\" font-size=\"11\" "
                          "font-style=\"italic\" fill=\"#fff\">");
            map_text(w, title, 60);
            map_printf(w, "</text>");
        }
        map_printf(w, "</svg>\n");
    }
    map_printf(w, "</g>\n");
}

/* A grey gap block (lead-in, lead-out) drawn to scale or as a cap. */
static void
map_gap(struct map_out *w, double x, double wd, double y, const char *label,
        const char *tip)
{
    map_printf(w,
               "<g class=\"gap\"><title>%s</title><rect x=\"%.2f\" "
               "y=\"%.2f\" width=\"%.2f\" height=\"%d\" fill=\"#c9c9c9\" "
               "stroke=\"#888\" stroke-dasharray=\"3 2\"/>",
               tip, x, y, wd, MAP_BLOCK_H);
    if (wd >= 36)
        map_printf(w,
                   "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\" "
                   "fill=\"#444\" text-anchor=\"middle\">%s</text>",
                   x + wd / 2, y + MAP_BLOCK_H / 2.0 + 3, label);
    map_printf(w, "</g>\n");
}

/* A lead-in or lead-out drawn to scale: LBAs from..to-1 of a session. */
static void
map_gap_at(struct map_out *w, double y, const char *what, unsigned session,
           disc_lba from, disc_lba to)
{
    char tip[160];

    (void)snprintf(tip, sizeof tip,
                   "%s of session %u: LBA %d-%d (not stored in images)", what,
                   session, from, to - 1);
    map_gap(w, map_x(w, from), map_x(w, to) - map_x(w, from), y, what, tip);
}

/* MSF ticks under the last band: about ten, on a round step. */
static void
map_axis(struct map_out *w, double y)
{
    /* 1, 2, 5, 10, 20, 30 s, 1, 2, 5, 10, 20, 100 min */
    static const int steps[] = { 75,   150,  375,   750,   1500,  2250,
                                 4500, 9000, 22500, 45000, 90000, 450000 };
    int32_t span = w->l1 - w->l0, step = steps[0];
    size_t k;
    disc_lba l;
    char a[16];

    for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        step = steps[k];
        if (span / step <= 10)
            break;
    }
    map_printf(w,
               "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" "
               "stroke=\"#555\"/>\n",
               DISC_MAP_X0, y, DISC_MAP_X1, y);
    /* Ticks at whole multiples of the step in absolute time (MSF). */
    for (l = ((w->l0 + 150 + step - 1) / step) * step - 150; l <= w->l1;
         l += step) {
        double x = map_x(w, l);
        map_printf(w,
                   "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                   "stroke=\"#555\"/><text x=\"%.2f\" y=\"%.2f\" "
                   "font-size=\"10\" text-anchor=\"middle\">%s</text>\n",
                   x, y, x, y + 5, x, y + 16, map_msf(l, a));
    }
}

static void
map_legend(struct map_out *w, double y)
{
    static const struct {
        const char *fill, *label;
    } item[] = {
        { "#4f86c6", "audio" },
        { "#4caf6a", "Mode 1" },
        { "#7bbf5a", "Mode 2 / XA" },
        { "#d9a23c", "Mode 2 Form 2" },
        { "url(#hatch)", "pregap" },
        { "#c9c9c9", "lead-in / lead-out" },
        { "#e00000", "damaged / unreadable" },
        { "#f0a000", "read after retries" },
    };
    size_t i;
    double x = DISC_MAP_X0;

    for (i = 0; i < sizeof item / sizeof item[0]; i++) {
        map_printf(w,
                   "<rect x=\"%.2f\" y=\"%.2f\" width=\"12\" height=\"12\" "
                   "fill=\"%s\" stroke=\"#555\" stroke-width=\"0.5\"/>"
                   "<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\">%s</text>\n",
                   x, y, item[i].fill, x + 16, y + 10, item[i].label);
        x += 30 + 6.2 * (double)strlen(item[i].label);
    }
}

/* The marked runs of one band, one red rectangle per run (runs closer
 * than a pixel share one, its tooltip listing them). */
static void
map_marks(struct map_out *w, const struct disc_map *m, int s, double y)
{
    const struct disc *d = m->d;
    disc_lba lo = disc_session_start(d, s), hi = d->session[s].leadout;
    size_t i = 0, j, k;
    char a[16];

    while (i < m->n) {
        const struct map_run *r = &m->run[i];
        double x0, x1;
        if (r->lba + r->count <= lo || r->lba >= hi) {
            i++;
            continue;
        }
        x0 = map_x(w, r->lba);
        x1 = map_x(w, r->lba + r->count);
        /* Group the following runs that fall within a pixel. */
        for (j = i + 1; j < m->n; j++) {
            const struct map_run *q = &m->run[j];
            if (q->lba >= hi || map_x(w, q->lba) > x1 + 1.0 ||
                q->kind != r->kind)
                break;
            if (map_x(w, q->lba + q->count) > x1)
                x1 = map_x(w, q->lba + q->count);
        }
        if (x1 - x0 < 3.0) { /* visible at a glance */
            x0 -= (3.0 - (x1 - x0)) / 2;
            x1 = x0 + 3.0;
        }
        map_printf(w, "<g class=\"mark\" data-kind=\"%s\"><title>",
                   map_kind_name(r->kind));
        for (k = i; k < j && k < i + MAP_MAX_TIP; k++) {
            const struct map_run *q = &m->run[k];
            if (q->count == 1)
                map_printf(w, "%s%s sector: LBA %d (%s)", k > i ? "&#10;" : "",
                           map_kind_name(q->kind), q->lba, map_msf(q->lba, a));
            else
                map_printf(w, "%s%s sectors: LBA %d-%d (%d sectors from %s)",
                           k > i ? "&#10;" : "", map_kind_name(q->kind), q->lba,
                           q->lba + q->count - 1, q->count, map_msf(q->lba, a));
            if (q->what[0]) {
                map_printf(w, ": ");
                map_text(w, q->what, sizeof q->what);
            }
        }
        if (j - i > MAP_MAX_TIP)
            map_printf(w, "&#10;and %zu more runs", j - i - MAP_MAX_TIP);
        map_printf(w,
                   "</title><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                   "height=\"%d\" fill=\"%s\"/></g>\n",
                   x0, y + MAP_BLOCK_Y - 8, x1 - x0, MAP_BLOCK_H + 16,
                   r->kind == DISC_MAP_RETRIED ? "#f0a000" : "#e00000");
        i = j;
    }
}

/* Session s: its band with lead-in, pregap, tracks, lead-out and the
 * marked sectors. */
static void
map_session(struct map_out *w, const struct disc_map *m, int s)
{
    const struct disc *d = m->d;
    const struct disc_session *ss = &d->session[s];
    disc_lba start = disc_session_start(d, s);
    double by = MAP_TOP + s * (MAP_BAND + MAP_GAP);
    double ty = by + MAP_BLOCK_Y;
    char a[16];
    int t;

    map_printf(w,
               "<g class=\"session\" data-session=\"%u\">\n<rect "
               "x=\"10\" y=\"%.2f\" width=\"%d\" height=\"%d\" "
               "rx=\"6\" fill=\"#f3f5f8\" stroke=\"#cfd6df\"/>\n"
               "<text x=\"20\" y=\"%.2f\" font-size=\"12\" "
               "font-weight=\"bold\">Session %u</text><text x=\"96\" "
               "y=\"%.2f\" font-size=\"11\" fill=\"#444\">tracks "
               "%u-%u, lead-out at LBA %d (%s)</text>\n",
               ss->number, by, DISC_MAP_WIDTH - 20, MAP_BAND, by + 18,
               ss->number, by + 18, ss->first_track, ss->last_track,
               ss->leadout, map_msf(ss->leadout, a));
    /* Lead-in: before the first session as a cap (its LBAs precede
     * the scale), before later ones to scale. */
    if (s == 0) {
        map_gap(w, 20, DISC_MAP_X0 - 24, ty, "lead-in",
                "lead-in (TOC in the Q subchannel; not to scale)");
    } else {
        map_gap_at(w, ty, "lead-in", ss->number, start - MAP_LEADIN, start);
    }
    /* The Red Book pregap before the session's first track, never
     * stored. */
    {
        int fi = disc_track_find(d, ss->first_track);
        disc_lba i0 = fi >= 0 ? d->track[fi].index[0] : start;
        map_printf(w,
                   "<g class=\"pregap\"><title>pregap of track %u: LBA "
                   "%d-%d (150 sectors, not stored)</title><rect "
                   "x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%d\" "
                   "fill=\"url(#hatch)\" stroke=\"#888\" "
                   "stroke-dasharray=\"2 2\"/></g>\n",
                   ss->first_track, start, i0 - 1, map_x(w, start), ty,
                   map_x(w, i0) - map_x(w, start), MAP_BLOCK_H);
    }
    for (t = 0; t < d->ntracks; t++)
        if (d->track[t].session == ss->number)
            map_track(w, d, t, ty);
    if (s == d->nsessions - 1) {
        map_gap(w, DISC_MAP_X1 + 4, DISC_MAP_WIDTH - 20 - DISC_MAP_X1 - 8, ty,
                "lead-out", "lead-out (after the last track; not to scale)");
    } else {
        map_gap_at(w, ty, "lead-out", ss->number, ss->leadout,
                   ss->leadout + (s == 0 ? MAP_LEADOUT : 2250));
    }
    map_marks(w, m, s, by);
    map_printf(w, "</g>\n");
}

int
disc_map_write(struct disc_ctx *ctx, const struct disc_map *m, const char *name,
               const char *path, int force)
{
    const struct disc *d = m->d;
    struct map_out w;
    const char *dt = disc_cdtext_get(d, 0, 0, DISC_CDTEXT_TITLE);
    const char *dp = disc_cdtext_get(d, 0, 0, DISC_CDTEXT_PERFORMER);
    double height, y;
    size_t i, nbad = 0;
    int s, t, r;
    char a[16];

    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    if (d->ntracks == 0 || d->nsessions == 0)
        return disc_error(ctx, DISC_E_ARG, "map: the disc has no tracks");
    w.l0 = disc_session_start(d, 0);
    w.l1 = d->session[d->nsessions - 1].leadout;
    if (w.l1 <= w.l0)
        return disc_error(ctx, DISC_E_ARG, "map: empty disc");
    for (i = 0; i < m->n; i++)
        if (m->run[i].kind != DISC_MAP_RETRIED)
            nbad += (size_t)m->run[i].count;
    r = disc_out_check(ctx, d, path, force);
    if (r == 0)
        r = disc_out_open(ctx, path, force, &w.o);
    if (r < 0)
        return r;
    height =
        MAP_TOP + d->nsessions * (MAP_BAND + MAP_GAP) + 84 + (m->n ? 18 : 0);
    map_printf(&w,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
               "width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
               "font-family=\"DejaVu Sans, Arial, sans-serif\" "
               "data-lba0=\"%d\" data-lba1=\"%d\" data-x0=\"%d\" "
               "data-x1=\"%d\">\n",
               DISC_MAP_WIDTH, height, DISC_MAP_WIDTH, height, w.l0, w.l1,
               DISC_MAP_X0, DISC_MAP_X1);
    map_printf(&w, "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
                   "patternUnits=\"userSpaceOnUse\" "
                   "patternTransform=\"rotate(45)\"><rect width=\"6\" "
                   "height=\"6\" fill=\"#e8e8e8\"/><line x1=\"0\" y1=\"0\" "
                   "x2=\"0\" y2=\"6\" stroke=\"#8a8a8a\" "
                   "stroke-width=\"3\"/></pattern></defs>\n");
    map_printf(&w, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
    map_printf(&w, "<text x=\"20\" y=\"26\" font-size=\"16\" "
                   "font-weight=\"bold\">");
    map_text(&w, name ? name : "disc", 80);
    map_printf(&w,
               "</text><text x=\"20\" y=\"44\" font-size=\"12\" "
               "fill=\"#333\">%u track%s in %u session%s, lead-out at "
               "%s",
               d->ntracks, d->ntracks == 1 ? "" : "s", d->nsessions,
               d->nsessions == 1 ? "" : "s", map_msf(w.l1, a));
    if (dt) {
        map_printf(&w, " \xe2\x80\x94 ");
        map_text(&w, dt, 80);
        if (dp) {
            map_printf(&w, " / ");
            map_text(&w, dp, 60);
        }
    }
    map_printf(&w, "</text>\n");
    for (s = 0; s < d->nsessions; s++)
        map_session(&w, m, s);
    y = MAP_TOP + d->nsessions * (MAP_BAND + MAP_GAP);
    map_axis(&w, y);
    y += 30;
    map_legend(&w, y);
    if (m->n) {
        /* The marked LBAs in plain text too, for print and search. */
        y += 30;
        map_printf(&w,
                   "<text x=\"20\" y=\"%.2f\" font-size=\"12\" "
                   "fill=\"#b00000\">%zu damaged or unreadable "
                   "sector%s:",
                   y, nbad, nbad == 1 ? "" : "s");
        for (i = 0, t = 0; i < m->n && t < 12; i++)
            if (m->run[i].kind != DISC_MAP_RETRIED)
                map_printf(&w, "%s LBA %d%s", t++ ? "," : "", m->run[i].lba,
                           m->run[i].count > 1 ? "+" : "");
        map_printf(&w, "%s</text>\n", i < m->n ? ", ..." : "");
    }
    map_printf(&w, "</svg>\n");
    if (w.err) {
        disc_out_abort(w.o);
        return w.err;
    }
    return disc_out_commit(ctx, w.o);
}
