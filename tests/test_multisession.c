/* test_multisession.c - multi-session discs as the readers people use
 * take them: CUE (redump/DIC multi-BIN, padded and compact single BIN)
 * and CloneCD, written by discarc and by the dumpers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md and docs/formats/ccd.md ("Multi-session").
 * The CD-Extra used throughout: session 1 holds four audio tracks with
 * the lead-out at LBA 1344, session 2 one Mode 1 track whose INDEX 01 is
 * at LBA 12744 (1344 + 11400).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "test.h"

extern const struct disc_format disc_fmt_cue;
extern const struct disc_format disc_fmt_ccd;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

#define MS_LEADOUT1 1344
#define MS_T5 12744
#define MS_T5_LEN 600

/* The CD-Extra: tracks 1-4 audio (track 3 with a 75-sector INDEX 00),
 * lead-out 1344; track 5 Mode 1 at 12744, 600 sectors. */
static struct disc *
ms_cdextra(struct disc_ctx *ctx)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 336, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 336, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 75, 261, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 336, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 2, 0, MS_T5_LEN, 0, NULL, NULL, 0 },
    };
    return fx_disc_build(ctx, t, 5, NULL);
}

/* Writes d with format f (opts may be NULL) and reads it back. */
static int
ms_write_read(struct disc_ctx *ctx, const struct disc *d,
              const struct disc_format *f, const char *path,
              const struct disc_write_opts *o, struct disc **back)
{
    int r = disc_write(ctx, d, f, path, o);
    if (r == 0)
        r = disc_open_image(ctx, path, f, back);
    return r;
}

/* 1 if the count sectors of path from sector at (2352 bytes each) are
 * the fixture's sectors of LBA lba on (mode), or zeros when mode < 0. */
static int
ms_file_holds(const char *path, long long at, disc_lba lba, int count, int mode)
{
    FILE *f = fopen(path, "rb");
    uint8_t got[DISC_SECTOR_RAW], want[DISC_SECTOR_RAW];
    int i, ok = f != NULL;

    if (ok && fseek(f, at * DISC_SECTOR_RAW, SEEK_SET) != 0)
        ok = 0;
    for (i = 0; ok && i < count; i++) {
        if (fread(got, 1, sizeof got, f) != sizeof got) {
            ok = 0;
            break;
        }
        if (mode < 0)
            memset(want, 0, sizeof want);
        else
            fx_sector(want, lba + i, (enum disc_track_mode)mode);
        ok = memcmp(got, want, sizeof got) == 0;
    }
    if (f)
        fclose(f);
    return ok;
}

/* The CD-Extra's positions, as read back by discarc. */
static void
ms_check_cdextra(const struct disc *d)
{
    REQUIRE(d->nsessions == 2 && d->ntracks == 5);
    CHECK_INT(MS_LEADOUT1, d->session[0].leadout);
    CHECK_INT(1008, d->track[3].index[1]);
    CHECK_INT(672, d->track[2].index[0]);
    CHECK_INT(747, d->track[2].index[1]);
    CHECK_INT(MS_T5, d->track[4].index[0]);
    CHECK_INT(MS_T5, d->track[4].index[1]);
    CHECK_INT(MS_T5 + MS_T5_LEN, d->session[1].leadout);
    CHECK_INT(2, d->track[4].session);
}

/* ------------------------------------------------------------------ */
/* Peer readers, modelled from their sources                           */

/* Where a peer reader puts a track: INDEX 00 and INDEX 01 (disc LBAs),
 * and where it reads INDEX 01's sector: file name and byte offset. */
struct ms_peer_track {
    int number;
    long idx0, idx1;
    char file[128];
    long long off;
};

/* The value of "Key=" in a line of the form Key=Value (or -1). */
static long
ms_ini_num(const char *line, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) != 0 || line[n] != '=')
        return -1;
    return strtol(line + n + 1, NULL, 0);
}

/* libMirage's CloneCD reader (image-ccd/parser.c, with
 * mirage_parser_add_redbook_pregap in mirage/parser.c), reduced to what
 * places tracks:
 * - only the [Entry] points 1-99, A0 and A2 count, sorted by session,
 *   A0 first, tracks by number, A2 last; PLBA gives each position;
 * - [TRACK n] INDEX 0 and INDEX 1 (0 when absent): the track's pregap is
 *   INDEX 1 - INDEX 0 when it is the session's first track and INDEX 1
 *   is not 0, or when both are not 0; otherwise none;
 * - a track's IMG fragment runs from its PLBA minus its pregap to the
 *   next entry's PLBA minus that entry's pregap; fragments follow each
 *   other in the IMG from offset 0;
 * - an A2 followed by more entries gives its session a "lead-out" of
 *   11250 sectors (session 1) or 6750, which the next session follows;
 * - then every session's first track gets 150 unstored sectors in front
 *   of it, its INDEX 01 moving 150 later; the disc starts at -150.
 * Returns the number of tracks, or -1. */
static int
ms_mirage_ccd(const char *ccd, struct ms_peer_track *out, int max)
{
    struct ent {
        int session, point;
        long plba, i0, i1;
    } e[128], tmp;
    long i0[100], i1[100];
    char *text = t_slurp(ccd, NULL), *line, *save = NULL;
    int n = 0, i, j, cur = -1, sec_track = 0, nt = 0;
    long pos = 0, img = 0, sess_start = -150;
    int first_in_session = 0;

    if (!text)
        return -1;
    memset(i0, 0, sizeof i0);
    memset(i1, 0, sizeof i1);
    for (line = strtok_r(text, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        long v;
        if (sscanf(line, "[Entry %d]", &j) == 1 && n < 128) {
            cur = n++;
            memset(&e[cur], 0, sizeof e[cur]);
            sec_track = 0;
            continue;
        }
        if (sscanf(line, "[TRACK %d]", &j) == 1 && j > 0 && j < 100) {
            sec_track = j;
            cur = -1;
            continue;
        }
        if (line[0] == '[') {
            cur = -1;
            sec_track = 0;
            continue;
        }
        if (cur >= 0) {
            if ((v = ms_ini_num(line, "Session")) >= 0)
                e[cur].session = (int)v;
            if ((v = ms_ini_num(line, "Point")) >= 0)
                e[cur].point = (int)v;
            if (strncmp(line, "PLBA=", 5) == 0)
                e[cur].plba = strtol(line + 5, NULL, 10);
        } else if (sec_track) {
            if ((v = ms_ini_num(line, "INDEX 0")) >= 0)
                i0[sec_track] = v;
            if ((v = ms_ini_num(line, "INDEX 1")) >= 0)
                i1[sec_track] = v;
        }
    }
    free(text);
    /* Keep tracks, A0, A2; sort. */
    for (i = j = 0; i < n; i++)
        if ((e[i].point > 0 && e[i].point < 99) || e[i].point == 0xA0 ||
            e[i].point == 0xA2)
            e[j++] = e[i];
    n = j;
    for (i = 0; i < n; i++) {
        int pt = e[i].point;
        e[i].i0 = pt < 100 ? i0[pt] : 0;
        e[i].i1 = pt < 100 ? i1[pt] : 0;
    }
    for (i = 1; i < n; i++)
        for (j = i; j > 0; j--) {
            const struct ent *a = &e[j - 1], *b = &e[j];
            int ka = a->point == 0xA0 ? -1 : a->point == 0xA2 ? 1000 : a->point;
            int kb = b->point == 0xA0 ? -1 : b->point == 0xA2 ? 1000 : b->point;
            if (a->session < b->session ||
                (a->session == b->session && ka <= kb))
                break;
            tmp = e[j];
            e[j] = e[j - 1];
            e[j - 1] = tmp;
        }
    for (i = 0; i < n; i++) {
        const struct ent *c = &e[i], *x = i + 1 < n ? &e[i + 1] : NULL;
        long pg = 0, npg = 0, len;
        if (c->point == 0xA0) {
            first_in_session = 1;
            continue;
        }
        if (c->point == 0xA2) {
            /* The next session starts after this one's "lead-out". */
            sess_start += pos;
            pos = 0;
            if (x)
                sess_start += c->session == 1 ? 11250 : 6750;
            continue;
        }
        if (!x || nt >= max)
            return -1;
        if ((first_in_session && c->i1) || (c->i0 && c->i1))
            pg = c->i1 - c->i0;
        if (x->i0 && x->i1)
            npg = x->i1 - x->i0;
        len = (x->plba - npg) - (c->plba - pg);
        out[nt].number = c->point;
        /* 150 unstored sectors in front of a session's first track. */
        out[nt].idx0 = sess_start + pos;
        out[nt].idx1 = out[nt].idx0 + pg + (first_in_session ? 150 : 0);
        snprintf(out[nt].file, sizeof out[nt].file, "img");
        out[nt].off = (long long)(img + pg) * DISC_SECTOR_RAW;
        pos += len + (first_in_session ? 150 : 0);
        img += len;
        first_in_session = 0;
        nt++;
    }
    return nt;
}

/* A sheet as lines: keyword (upper-cased first word, "REM X" for REM),
 * the quoted or bare first argument, and the last word. */
struct ms_line {
    char kw[32];
    char arg[256];
    char last[64];
};

static int
ms_sheet(const char *path, struct ms_line *l, int max)
{
    char *text = t_slurp(path, NULL), *line, *save = NULL;
    int n = 0;

    if (!text)
        return -1;
    for (line = strtok_r(text, "\r\n", &save); line && n < max;
         line = strtok_r(NULL, "\r\n", &save)) {
        char *p = line, *q, *e;
        size_t k;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            continue;
        memset(&l[n], 0, sizeof l[n]);
        k = strcspn(p, " \t");
        if (k == 3 && strncmp(p, "REM", 3) == 0) {
            p += 3;
            while (*p == ' ')
                p++;
            k = strcspn(p, " \t");
            snprintf(l[n].kw, sizeof l[n].kw, "REM %.*s", (int)k, p);
        } else {
            snprintf(l[n].kw, sizeof l[n].kw, "%.*s", (int)k, p);
        }
        p += k;
        while (*p == ' ')
            p++;
        if (*p == '"' && (q = strchr(p + 1, '"')) != NULL)
            snprintf(l[n].arg, sizeof l[n].arg, "%.*s", (int)(q - p - 1),
                     p + 1);
        else
            snprintf(l[n].arg, sizeof l[n].arg, "%.*s", (int)strcspn(p, " "),
                     p);
        e = strrchr(p, ' ');
        snprintf(l[n].last, sizeof l[n].last, "%s", e ? e + 1 : p);
        n++;
    }
    free(text);
    return n;
}

/* A FILE name of sheet as a path from the working directory. */
static void
ms_sheet_file(const char *sheet, const char *name, char *out, size_t n)
{
    const char *slash = strrchr(sheet, '/');

    if (slash)
        snprintf(out, n, "%.*s/%s", (int)(slash - sheet), sheet, name);
    else
        snprintf(out, n, "%s", name);
}

/* "mm:ss:ff" as frames. */
static long
ms_msf(const char *t)
{
    int m = 0, s = 0, f = 0;
    if (sscanf(t, "%d:%d:%d", &m, &s, &f) != 3)
        return -1;
    return (m * 60L + s) * 75 + f;
}

static int
ms_dtype_size(const char *t)
{
    if (strcmp(t, "MODE1/2048") == 0 || strcmp(t, "MODE2/2048") == 0)
        return 2048;
    if (strcmp(t, "MODE2/2336") == 0 || strcmp(t, "CDI/2336") == 0)
        return 2336;
    if (strcmp(t, "CDG") == 0)
        return 2448;
    return 2352;
}

/* libMirage's CUE reader (image-cue/parser.c, with the Red Book pregap
 * of mirage/parser.c), reduced to what places tracks:
 * - each track is a list of fragments; a FILE change or REM SESSION
 *   ends the running track's data fragment at the end of its file;
 * - INDEX 00, or INDEX 01 without a preceding INDEX 00, starts a data
 *   fragment at the running byte offset of the file; the previous
 *   track's fragment, if still open, gets the time difference as length
 *   (minus 11250 + 150 or 6750 + 150 once after a REM SESSION, meant for
 *   IsoBuster's single-file sheets); INDEX 01 after INDEX 00 moves the
 *   track start by their difference;
 * - the first track after a REM SESSION (or of the disc) with a non-zero
 *   INDEX 01 and no INDEX 00 takes that time as its pregap and reads
 *   its data from the file's running offset;
 * - PREGAP adds an empty fragment and moves the track start;
 * - REM SESSION n (n >= 2) ends the session with a gap of 11250 (n = 2)
 *   or 6750 sectors before the next; REM LEAD-OUT/LEAD-IN/PREGAP are
 *   comments;
 * - finally every session's first track gets 150 empty sectors in
 *   front; the disc starts at -150 and sessions follow each other.
 * Returns the number of tracks, or -1. */
static int
ms_mirage_cue(const char *cue, struct ms_peer_track *out, int max)
{
    struct frag {
        long len;
        char file[128];
        long long off;
        int size;
    };
    static struct ms_line l[256];
    static struct {
        struct frag f[8];
        int nf, session, number;
        long start;
    } t[100];
    long gap[100];
    char file[128] = "";
    long long boff = 0;
    long cur_start = 0, corr = 0, pos;
    int n = ms_sheet(cue, l, 256), i, nt = 0, cur = -1, prev = -1;
    int session = 1, pregap_set = 0, size = 2352;

    if (n < 0)
        return -1;
    memset(gap, 0, sizeof gap);
    for (i = 0; i < n; i++) {
        const struct ms_line *x = &l[i];
        if (strcmp(x->kw, "REM SESSION") == 0 && atoi(x->arg) >= 2) {
            int num = atoi(x->arg);
            gap[session] = num == 2 ? 11250 : 6750;
            corr = gap[session] + 150;
            if (cur >= 0 && t[cur].nf) {
                struct frag *f = &t[cur].f[t[cur].nf - 1];
                if (f->file[0] && !f->len)
                    f->len = (long)((t_file_size(f->file) - f->off) / f->size);
            }
            session++;
            cur = -1;
        } else if (strcmp(x->kw, "FILE") == 0) {
            if (cur >= 0 && t[cur].nf) {
                struct frag *f = &t[cur].f[t[cur].nf - 1];
                if (f->file[0] && !f->len)
                    f->len = (long)((t_file_size(f->file) - f->off) / f->size);
            }
            ms_sheet_file(cue, x->arg, file, sizeof file);
            cur_start = 0;
            boff = 0;
        } else if (strcmp(x->kw, "TRACK") == 0) {
            if (nt >= 100 || nt >= max)
                return -1;
            prev = cur;
            cur = nt++;
            memset(&t[cur], 0, sizeof t[cur]);
            t[cur].session = session;
            t[cur].number = atoi(x->arg);
            size = ms_dtype_size(x->last);
            pregap_set = 0;
        } else if (strcmp(x->kw, "INDEX") == 0 && cur >= 0) {
            int num = atoi(x->arg);
            long addr = ms_msf(x->last);
            if (num > 1)
                continue;
            if (num == 0)
                pregap_set = 1;
            if (num == 1 && pregap_set) {
                t[cur].start += addr - cur_start;
                continue;
            }
            if (prev < 0) {
                if (num == 1 && addr != 0) {
                    t[cur].start = addr;
                    addr = 0;
                }
            } else if (t[prev].nf) {
                struct frag *f = &t[prev].f[t[prev].nf - 1];
                if (!f->file[0] && t[prev].nf > 1)
                    f = &t[prev].f[t[prev].nf - 2];
                if (!f->len) {
                    f->len = addr - cur_start;
                    if (corr) {
                        f->len -= corr;
                        corr = 0;
                    }
                    boff += (long long)f->len * f->size;
                }
            }
            if (t[cur].nf < 8) {
                struct frag *f = &t[cur].f[t[cur].nf++];
                f->len = 0;
                snprintf(f->file, sizeof f->file, "%s", file);
                f->off = boff;
                f->size = size;
            }
            cur_start = addr;
        } else if (strcmp(x->kw, "PREGAP") == 0 && cur >= 0 && t[cur].nf < 8) {
            struct frag *f = &t[cur].f[t[cur].nf++];
            memset(f, 0, sizeof *f);
            f->len = ms_msf(x->last);
            t[cur].start += f->len;
        }
    }
    if (cur >= 0 && t[cur].nf) {
        struct frag *f = &t[cur].f[t[cur].nf - 1];
        if (f->file[0] && !f->len)
            f->len = (long)((t_file_size(f->file) - f->off) / f->size);
    }
    /* Red Book pregaps, then the layout. */
    pos = -150;
    for (i = 0; i < nt; i++) {
        long len = 0, k;
        int j;
        if (i == 0 || t[i].session != t[i - 1].session) {
            if (i > 0)
                pos += gap[t[i - 1].session];
            len = 150;
            t[i].start += 150;
        }
        for (j = 0; j < t[i].nf; j++)
            len += t[i].f[j].len;
        out[i].number = t[i].number;
        out[i].idx0 = pos;
        out[i].idx1 = pos + t[i].start;
        out[i].file[0] = '\0';
        out[i].off = -1;
        /* The fragment holding INDEX 01. */
        k = t[i].start -
            ((i == 0 || t[i].session != t[i - 1].session) ? 150 : 0);
        for (j = 0; j < t[i].nf; j++) {
            if (k < t[i].f[j].len) {
                if (t[i].f[j].file[0]) {
                    snprintf(out[i].file, sizeof out[i].file, "%s",
                             t[i].f[j].file);
                    out[i].off = t[i].f[j].off + (long long)k * t[i].f[j].size;
                }
                break;
            }
            k -= t[i].f[j].len;
        }
        pos += len;
    }
    return nt;
}

/* MAME's CUE reader (util/cdrom.cpp parse_cue with multi-session, and the
 * cdrom_file constructor that lays out the tracks), reduced to what
 * places tracks:
 * - REM SESSION n makes later TRACKs session n (and the disc
 *   multi-session when n >= 2); REM LEAD-OUT stores its time on the
 *   current track, REM LEAD-IN on the next TRACK, REM PREGAP (only after
 *   a REM SESSION >= 2) is added to that TRACK's lead-in;
 * - INDEX 00 then INDEX 01: a stored pregap of their difference; PREGAP:
 *   an unstored one;
 * - track lengths: a track with its own file runs to the file's end; a
 *   track followed by one in the same file runs to that track's first
 *   INDEX; the last track of a shared file to the file's end;
 * - one FILE per track (several files): a track before a session change
 *   without REM LEAD-OUT gets 6750 (after session 1) or 2250; the first
 *   track of a session without REM LEAD-IN gets 4500;
 * - a single file: REM LEAD-OUT is the lead-out's position: the track is
 *   cut there and the rest up to the next track's first INDEX is a gap,
 *   skipped in the file unless the file name ends in ".img";
 * - positions: INDEX 01 of a track = the sum, over the tracks before it,
 *   of their unstored pregaps, lead-ins, postgaps, lengths and lead-outs,
 *   plus its own unstored pregap and lead-in, plus its stored pregap.
 * Returns the number of tracks, or -1. */
static int
ms_mame_cue(const char *cue, struct ms_peer_track *out, int max)
{
    static struct ms_line l[256];
    static struct {
        int number, session, size, stored;
        long idx[3], pregap, postgap, frames, leadin, leadout;
        long long offset;
        char file[128];
    } t[100];
    char file[128] = "";
    long leadin = -1, spregap = 0, logofs = 0;
    int n = ms_sheet(cue, l, 256), i, nt = 0, session = 0, multi = 0;
    int multibin = 0;

    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        const struct ms_line *x = &l[i];
        int c = nt - 1;
        if (strcmp(x->kw, "REM SESSION") == 0) {
            session = atoi(x->arg) - 1;
            if (session >= 1)
                multi = 1;
        } else if (strcmp(x->kw, "REM PREGAP") == 0 && multi) {
            spregap = ms_msf(x->arg);
        } else if (strcmp(x->kw, "REM LEAD-OUT") == 0 && c >= 0) {
            t[c].leadout = ms_msf(x->arg);
        } else if (strcmp(x->kw, "REM LEAD-IN") == 0) {
            leadin = ms_msf(x->arg);
        } else if (strcmp(x->kw, "FILE") == 0) {
            char path[128];
            ms_sheet_file(cue, x->arg, path, sizeof path);
            if (file[0] && strcmp(file, path) != 0)
                multibin = 1;
            snprintf(file, sizeof file, "%s", path);
        } else if (strcmp(x->kw, "TRACK") == 0) {
            if (nt >= 100 || nt >= max)
                return -1;
            c = nt++;
            memset(&t[c], 0, sizeof t[c]);
            t[c].number = atoi(x->arg);
            t[c].session = session;
            t[c].size = ms_dtype_size(x->last);
            t[c].idx[0] = t[c].idx[1] = t[c].idx[2] = -1;
            t[c].leadout = -1;
            t[c].leadin = leadin;
            leadin = -1;
            if (spregap) {
                t[c].leadin =
                    t[c].leadin == -1 ? spregap : t[c].leadin + spregap;
                spregap = 0;
            }
            snprintf(t[c].file, sizeof t[c].file, "%s", file);
        } else if (strcmp(x->kw, "INDEX") == 0 && c >= 0) {
            int k = atoi(x->arg);
            long fr = ms_msf(x->last);
            if (k < 3)
                t[c].idx[k] = fr;
            if (k == 1) {
                if (t[c].pregap == 0 && t[c].idx[0] != -1) {
                    t[c].pregap = fr - t[c].idx[0];
                    t[c].stored = 1;
                } else if (t[c].idx[0] == -1) {
                    t[c].idx[0] = fr;
                }
            }
        } else if (strcmp(x->kw, "PREGAP") == 0 && c >= 0) {
            t[c].pregap = ms_msf(x->last);
        } else if (strcmp(x->kw, "POSTGAP") == 0 && c >= 0) {
            t[c].postgap = ms_msf(x->last);
        }
    }
    for (i = 0; i < nt; i++) {
        int same_prev = i > 0 && strcmp(t[i].file, t[i - 1].file) == 0;
        int same_next = i + 1 < nt && strcmp(t[i].file, t[i + 1].file) == 0;
        if (i + 1 >= nt && same_prev) {
            t[i].offset =
                t[i - 1].offset + (long long)t[i - 1].frames * t[i - 1].size;
            t[i].frames =
                (long)((t_file_size(t[i].file) - t[i].offset) / t[i].size);
        } else if (same_next) {
            t[i].frames = t[i + 1].idx[0] - t[i].idx[0];
            if (i > 0)
                t[i].offset = t[i - 1].offset +
                              (long long)t[i - 1].frames * t[i - 1].size;
        } else {
            t[i].frames = (long)(t_file_size(t[i].file) / t[i].size);
        }
        if (!multi)
            continue;
        if (multibin) {
            if (t[i].leadout == -1 && i + 1 < nt &&
                t[i].session != t[i + 1].session)
                t[i].leadout = t[i].session == 0 ? 6750 : 2250;
            if (t[i].leadin == -1 && i > 0 && t[i].session != t[i - 1].session)
                t[i].leadin = 4500;
        } else {
            if (t[i].leadout != -1) {
                long end = t[i].leadout - t[i].idx[0];
                if (t[i].frames >= end) {
                    t[i].frames = end;
                    if (i + 1 < nt)
                        t[i].leadout = t[i + 1].idx[0] - t[i].leadout;
                }
            }
            if (i > 0 && t[i - 1].leadout != -1) {
                size_t fl = strlen(t[i - 1].file);
                if (fl < 4 || strcmp(t[i - 1].file + fl - 4, ".img") != 0) {
                    t[i].frames -= t[i - 1].leadout;
                    t[i].offset += (long long)t[i - 1].leadout * t[i].size;
                }
            }
        }
    }
    for (i = 0; i < nt; i++) {
        long lf = 0;
        if (!t[i].stored)
            logofs += t[i].pregap;
        else
            lf = t[i].pregap;
        if (multi && t[i].leadin != -1)
            logofs += t[i].leadin;
        out[i].number = t[i].number;
        out[i].idx1 = lf + logofs;
        out[i].idx0 = out[i].idx1 - t[i].pregap;
        snprintf(out[i].file, sizeof out[i].file, "%s", t[i].file);
        out[i].off = t[i].offset + (long long)lf * t[i].size;
        logofs += t[i].postgap + t[i].frames;
        if (multi && t[i].leadout != -1)
            logofs += t[i].leadout;
    }
    return nt;
}

/* The CD-Extra's track 5 as a peer reader places it. */
static void
ms_check_peer_t5(const struct ms_peer_track *m, int n, long idx0)
{
    REQUIRE(n == 5);
    CHECK_INT(5, m[4].number);
    CHECK_INT(idx0, m[4].idx0);
    CHECK_INT(MS_T5, m[4].idx1);
    CHECK_INT(1008, m[3].idx1);
    CHECK(m[4].off >= 0);
    if (m[4].off >= 0)
        CHECK(ms_file_holds(m[4].file, m[4].off / DISC_SECTOR_RAW, MS_T5,
                            MS_T5_LEN, DISC_MODE_MODE1));
}

/* ------------------------------------------------------------------ */
/* CUE writer                                                          */

/* By default a multi-session disc is written as redump and DIC write it:
 * one BIN per track, the gap as DIC's length lines, the session's first
 * track without a stored pregap. */
TEST(ms_cue_default_is_redump_split)
{
    static const char want[] = "REM SESSION 01\n"
                               "FILE \"x (Track 1).bin\" BINARY\n"
                               "  TRACK 01 AUDIO\n"
                               "    INDEX 01 00:00:00\n"
                               "FILE \"x (Track 2).bin\" BINARY\n"
                               "  TRACK 02 AUDIO\n"
                               "    INDEX 01 00:00:00\n"
                               "FILE \"x (Track 3).bin\" BINARY\n"
                               "  TRACK 03 AUDIO\n"
                               "    INDEX 00 00:00:00\n"
                               "    INDEX 01 00:01:00\n"
                               "FILE \"x (Track 4).bin\" BINARY\n"
                               "  TRACK 04 AUDIO\n"
                               "    INDEX 01 00:00:00\n"
                               "REM LEAD-OUT 01:30:00\n"
                               "REM SESSION 02\n"
                               "REM LEAD-IN 01:00:00\n"
                               "REM PREGAP 00:02:00\n"
                               "FILE \"x (Track 5).bin\" BINARY\n"
                               "  TRACK 05 MODE1/2352\n"
                               "    INDEX 01 00:00:00\n";
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    char *got;

    t_ctx(&ctx);
    d = ms_cdextra(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_cue, "x.cue", NULL, &b));
    got = t_slurp("x.cue", NULL);
    REQUIRE(got);
    CHECK_STR(want, got);
    free(got);
    CHECK(!t_exists("x.bin"));
    CHECK_INT(336LL * 2352, t_file_size("x (Track 1).bin"));
    CHECK_INT(MS_T5_LEN * 2352LL, t_file_size("x (Track 5).bin"));
    CHECK(
        ms_file_holds("x (Track 5).bin", 0, MS_T5, MS_T5_LEN, DISC_MODE_MODE1));
    ms_check_cdextra(b);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    /* --split says the same. */
    {
        struct disc_write_opts o;
        char *again;
        memset(&o, 0, sizeof o);
        o.split = 1;
        REQUIRE(mkdir("s", 0755) == 0);
        REQUIRE_OK(&ctx, disc_write(&ctx, d, &disc_fmt_cue, "s/x.cue", &o));
        again = t_slurp("s/x.cue", NULL);
        CHECK_STR(want, t_str(again));
        free(again);
    }
    /* libMirage: INDEX 00 12594 / INDEX 01 12744; MAME: INDEX 01 12744
     * (its TOC has no pregap there); both read the right sectors. */
    {
        struct ms_peer_track m[8];
        ms_check_peer_t5(m, ms_mirage_cue("x.cue", m, 8), MS_T5 - 150);
        ms_check_peer_t5(m, ms_mame_cue("x.cue", m, 8), MS_T5);
    }
    disc_free(b);
    disc_free(d);
}

/* Later boundaries: REM LEAD-OUT 00:30:00 (the standard 6900-sector gap),
 * still read back to the same positions. */
TEST(ms_cue_third_session_leadout_0030)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 2, 0, 300, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 3, 0, 300, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    char *got;

    t_ctx(&ctx);
    d = fx_disc_build(&ctx, t, 3, NULL);
    REQUIRE(d);
    CHECK_INT(300 + 11400 + 300 + 6900, d->track[2].index[1]);
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_cue, "t.cue", NULL, &b));
    got = t_slurp("t.cue", NULL);
    CHECK_STR("REM SESSION 01\nFILE \"t (Track 1).bin\" BINARY\n"
              "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"
              "REM LEAD-OUT 01:30:00\nREM SESSION 02\nREM LEAD-IN 01:00:00\n"
              "REM PREGAP 00:02:00\nFILE \"t (Track 2).bin\" BINARY\n"
              "  TRACK 02 MODE1/2352\n    INDEX 01 00:00:00\n"
              "REM LEAD-OUT 00:30:00\nREM SESSION 03\nREM LEAD-IN 01:00:00\n"
              "REM PREGAP 00:02:00\nFILE \"t (Track 3).bin\" BINARY\n"
              "  TRACK 03 MODE1/2352\n    INDEX 01 00:00:00\n",
              t_str(got));
    free(got);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    disc_free(b);
    disc_free(d);
}

/* --merge: one BIN, padded: every sector at its LBA, the gap stored as
 * zeros; INDEX times are disc positions, REM LEAD-OUT the lead-out's. */
TEST(ms_cue_merge_is_padded)
{
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    struct disc_write_opts o;
    char *got;

    t_ctx(&ctx);
    d = ms_cdextra(&ctx);
    REQUIRE(d);
    memset(&o, 0, sizeof o);
    o.merge = 1;
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_cue, "m.cue", &o, &b));
    got = t_slurp("m.cue", NULL);
    REQUIRE(got);
    CHECK(strstr(got, "FILE \"m.bin\" BINARY\n") != NULL);
    CHECK(strstr(got,
                 "REM LEAD-OUT 00:17:69\nREM SESSION 02\n"
                 "  TRACK 05 MODE1/2352\n    INDEX 01 02:49:69\n") != NULL);
    free(got);
    CHECK_INT((long long)(MS_T5 + MS_T5_LEN) * 2352, t_file_size("m.bin"));
    CHECK(ms_file_holds("m.bin", 0, 0, 672, DISC_MODE_AUDIO));
    CHECK(ms_file_holds("m.bin", MS_LEADOUT1, 0, MS_T5 - MS_LEADOUT1, -1));
    CHECK(ms_file_holds("m.bin", MS_T5, MS_T5, MS_T5_LEN, DISC_MODE_MODE1));
    ms_check_cdextra(b);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    /* MAME reads the padded file right; libMirage reads no single-file
     * multi-session sheet right (track 4 runs to the end of the file and
     * track 5's INDEX 01 time becomes its pregap). */
    {
        struct ms_peer_track m[8];
        ms_check_peer_t5(m, ms_mame_cue("m.cue", m, 8), MS_T5);
        REQUIRE(ms_mirage_cue("m.cue", m, 8) == 5);
        CHECK(m[4].idx1 != MS_T5);
    }
    disc_free(b);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* CloneCD                                                             */

/* INDEX 1=0 and no INDEX 0 for session 2's first track, absolute LBAs
 * for the others; discarc and libMirage's rules both put track 5 at
 * INDEX 00 12594 / INDEX 01 12744, with its data at IMG sector 1344. */
TEST(ms_ccd_session_first_track_index1_zero)
{
    struct disc_ctx ctx;
    struct disc *d, *b = NULL;
    struct ms_peer_track m[8];
    char *got;
    int n;

    t_ctx(&ctx);
    d = ms_cdextra(&ctx);
    REQUIRE(d);
    REQUIRE_OK(&ctx, ms_write_read(&ctx, d, &disc_fmt_ccd, "c.ccd", NULL, &b));
    got = t_slurp("c.ccd", NULL);
    REQUIRE(got);
    CHECK(strstr(got, "[TRACK 3]\nMODE=0\nINDEX 0=672\nINDEX 1=747\n") != NULL);
    CHECK(strstr(got, "[TRACK 4]\nMODE=0\nINDEX 1=1008\n") != NULL);
    CHECK(strstr(got, "[TRACK 5]\nMODE=1\nINDEX 1=0\n") != NULL);
    CHECK(strstr(got, "[Session 2]\nPreGapMode=1\nPreGapSubC=0\n") != NULL);
    free(got);
    ms_check_cdextra(b);
    CHECK_OK(&ctx, disc_compare(&ctx, d, b, DISC_EQ_DATA));
    n = ms_mirage_ccd("c.ccd", m, 8);
    REQUIRE(n == 5);
    CHECK_INT(-150, m[0].idx0);
    CHECK_INT(0, m[0].idx1);
    CHECK_INT(672, m[2].idx0);
    CHECK_INT(747, m[2].idx1);
    CHECK_INT(MS_T5 - 150, m[4].idx0);
    CHECK_INT(MS_T5, m[4].idx1);
    CHECK_INT((long long)MS_LEADOUT1 * DISC_SECTOR_RAW, m[4].off);
    CHECK(
        ms_file_holds("c.img", MS_LEADOUT1, MS_T5, MS_T5_LEN, DISC_MODE_MODE1));
    disc_free(b);
    disc_free(d);
}

/* ------------------------------------------------------------------ */
/* Fixtures in the dumpers' shapes                                     */

/* CRC-16 of a Q frame (polynomial 0x1021, initial 0, inverted), as the
 * Red Book stores it, big-endian. */
static uint16_t
ms_q_crc(const uint8_t *q)
{
    uint16_t c = 0;
    int i, b;

    for (i = 0; i < 10; i++) {
        c ^= (uint16_t)(q[i] << 8);
        for (b = 0; b < 8; b++)
            c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
    }
    return (uint16_t)~c;
}

static uint8_t
ms_bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

/* The 96 deinterleaved P-W bytes of LBA lba of track i of d, as a
 * CloneCD/DIC .sub holds them: P set in the pregap, Q mode 1 (position;
 * relative time counting down to INDEX 01 in the pregap), R-W zero. */
static void
ms_sub(const struct disc *d, int i, disc_lba lba, uint8_t *sub)
{
    const struct disc_track *t = &d->track[i];
    long rel = lba >= t->index[1] ? lba - t->index[1] : t->index[1] - lba;
    long abs = lba + 150;
    int idx = lba < t->index[1] ? 0 : 1, k;
    uint8_t *q = sub + 12;
    uint16_t crc;

    for (k = 2; k <= t->last_index; k++)
        if (lba >= t->index[k])
            idx = k;
    memset(sub, 0, 96);
    if (idx == 0)
        memset(sub, 0xFF, 12);
    q[0] = (uint8_t)(t->control << 4 | 1);
    q[1] = ms_bcd(t->number);
    q[2] = ms_bcd(idx);
    q[3] = ms_bcd((int)(rel / 4500));
    q[4] = ms_bcd((int)(rel / 75 % 60));
    q[5] = ms_bcd((int)(rel % 75));
    q[7] = ms_bcd((int)(abs / 4500));
    q[8] = ms_bcd((int)(abs / 75 % 60));
    q[9] = ms_bcd((int)(abs % 75));
    crc = ms_q_crc(q);
    q[10] = (uint8_t)(crc >> 8);
    q[11] = (uint8_t)crc;
}

/* Appends sectors [a, e) of d (raw, through its sector source) to f,
 * and their subchannel to sf when not NULL. */
static int
ms_put(struct disc_ctx *ctx, const struct disc *d, int i, disc_lba a,
       disc_lba e, FILE *f, FILE *sf)
{
    uint8_t sec[DISC_SECTOR_RAW], sub[96];

    for (; a < e; a++) {
        if (disc_read_sectors(ctx, d, a, 1, sec, NULL) != 0 ||
            fwrite(sec, 1, sizeof sec, f) != sizeof sec)
            return -1;
        if (sf) {
            ms_sub(d, i, a, sub);
            if (fwrite(sub, 1, sizeof sub, sf) != sizeof sub)
                return -1;
        }
    }
    return 0;
}

/* Frames as "mm:ss:ff". */
static const char *
ms_time(long fr)
{
    static char b[4][64]; /* room for any long, as -O1 format checks want */
    static int k;
    k = (k + 1) % 4;
    snprintf(b[k], sizeof b[k], "%02ld:%02ld:%02ld", fr / 4500, fr / 75 % 60,
             fr % 75);
    return b[k];
}

static int
ms_first_of_session(const struct disc *d, int i)
{
    return i == 0 || d->track[i].session != d->track[i - 1].session;
}

/* "name (Track N).bin" as DIC and redumper name it (two digits from 10
 * tracks on), "name.bin" for a single track. */
static void
ms_track_name(const struct disc *d, const char *name, int i, char *out,
              size_t n)
{
    if (d->ntracks == 1)
        snprintf(out, n, "%s.bin", name);
    else
        snprintf(out, n, "%s (Track %0*d).bin", name,
                 d->track[d->ntracks - 1].number >= 10 ? 2 : 1,
                 d->track[i].number);
}

/* One file per track from its first stored sector (INDEX 00, or INDEX 01
 * for a session's first track: neither dumper stores that pregap) to its
 * end. */
static int
ms_put_tracks(struct disc_ctx *ctx, const struct disc *d, const char *name)
{
    int i, r = 0;

    for (i = 0; i < d->ntracks && r == 0; i++) {
        char fn[256];
        FILE *f;
        ms_track_name(d, name, i, fn, sizeof fn);
        f = fopen(fn, "wb");
        if (!f)
            return -1;
        r = ms_put(ctx, d, i, d->track[i].index[0], disc_track_end(d, i), f,
                   NULL);
        if (fclose(f) != 0)
            r = -1;
    }
    return r;
}

static const char *
ms_dtype(const struct disc_track *t)
{
    return t->mode == DISC_MODE_AUDIO   ? "AUDIO"
           : t->mode == DISC_MODE_MODE1 ? "MODE1/2352"
                                        : "MODE2/2352";
}

/* What DiscImageCreator writes for d (output.cpp): name.img (sessions
 * back to back, LBA x of session s at x - 11400 (s - 1)), name.sub,
 * name.ccd, name.cue (one BIN per track) and name_img.cue.  d has no
 * CD-TEXT, MCN, ISRC or flags beyond DATA. */
static int
ms_gen_dic(struct disc_ctx *ctx, const struct disc *d, const char *name)
{
    char fn[256];
    FILE *img, *sub, *cue, *icue, *ccd;
    int i, s, r = 0, multi = d->nsessions > 1, e = 0;
    struct disc_rawtoc *toc = NULL;
    uint16_t ntoc = 0, k;

    snprintf(fn, sizeof fn, "%s.img", name);
    img = fopen(fn, "wb");
    snprintf(fn, sizeof fn, "%s.sub", name);
    sub = fopen(fn, "wb");
    snprintf(fn, sizeof fn, "%s.cue", name);
    cue = fopen(fn, "w");
    snprintf(fn, sizeof fn, "%s_img.cue", name);
    icue = fopen(fn, "w");
    snprintf(fn, sizeof fn, "%s.ccd", name);
    ccd = fopen(fn, "w");
    if (!img || !sub || !cue || !icue || !ccd)
        r = -1;
    for (i = 0; i < d->ntracks && r == 0; i++)
        r = ms_put(ctx, d, i, d->track[i].index[0], disc_track_end(d, i), img,
                   sub);
    if (r == 0)
        r = ms_put_tracks(ctx, d, name);
    /* The multi-BIN sheet and the _img.cue. */
    if (r == 0) {
        snprintf(fn, sizeof fn, "%s.img", name);
        fprintf(icue, "FILE \"%s\" BINARY\n", fn);
    }
    for (i = 0; i < d->ntracks && r == 0; i++) {
        const struct disc_track *t = &d->track[i];
        int sfirst = ms_first_of_session(d, i);
        ms_track_name(d, name, i, fn, sizeof fn);
        if (multi && i > 0 && sfirst) {
            fprintf(cue, "REM LEAD-OUT 01:30:00\n");
            fprintf(icue, "  REM LEAD-OUT %s\n",
                    ms_time(t->index[1] - DISC_SESSION_GAP));
        }
        if (multi && sfirst) {
            fprintf(cue, "REM SESSION %02d\n", t->session);
            fprintf(icue, "  REM SESSION %02d\n", t->session);
        }
        if (multi && i > 0 && sfirst)
            fprintf(cue, "REM LEAD-IN 01:00:00\nREM PREGAP 00:02:00\n");
        fprintf(cue, "FILE \"%s\" BINARY\n  TRACK %02d %s\n", fn, t->number,
                ms_dtype(t));
        fprintf(icue, "  TRACK %02d %s\n", t->number, ms_dtype(t));
        if (t->index[0] < t->index[1] && !sfirst) {
            fprintf(cue, "    INDEX 00 00:00:00\n");
            fprintf(icue, "    INDEX 00 %s\n", ms_time(t->index[0]));
        }
        fprintf(cue, "    INDEX 01 %s\n", ms_time(t->index[1] - t->index[0]));
        fprintf(icue, "    INDEX 01 %s\n", ms_time(t->index[1]));
    }
    /* The CCD: [Disc], [Session n], the full TOC as the drive returns
     * it, [TRACK n] with absolute LBAs. */
    if (r == 0)
        r = disc_build_rawtoc(ctx, d, &toc, &ntoc);
    if (r == 0) {
        fprintf(ccd,
                "[CloneCD]\nVersion=3\n[Disc]\nTocEntries=%u\n"
                "Sessions=%d\nDataTracksScrambled=0\n",
                (unsigned)ntoc, d->nsessions);
        for (s = 0; s < d->nsessions; s++) {
            int a = disc_track_find(d, d->session[s].first_track);
            int m = d->track[a].mode == DISC_MODE_AUDIO   ? 0
                    : d->track[a].mode == DISC_MODE_MODE1 ? 1
                                                          : 2;
            fprintf(ccd, "[Session %d]\nPreGapMode=%d\nPreGapSubC=%d\n", s + 1,
                    m, s == 0 ? m : 0);
        }
        for (k = 0; k < ntoc; k++) {
            const struct disc_rawtoc *x = &toc[k];
            long p = (x->pmin * 60L + x->psec) * 75 + x->pframe;
            fprintf(ccd,
                    "[Entry %u]\nSession=%u\nPoint=0x%02x\nADR=0x%02x\n"
                    "Control=0x%02x\nTrackNo=%u\nAMin=%u\nASec=%u\n"
                    "AFrame=%u\nALBA=%ld\nZero=%u\nPMin=%u\nPSec=%u\n"
                    "PFrame=%u\nPLBA=%ld\n",
                    (unsigned)k, x->session, x->point, x->adr, x->control,
                    x->tno, x->min, x->sec, x->frame,
                    (x->min * 60L + x->sec) * 75 + x->frame - 150, x->zero,
                    x->pmin, x->psec, x->pframe,
                    p - (p >= 404850 ? 450150 : 150));
        }
        for (i = 0; i < d->ntracks; i++) {
            const struct disc_track *t = &d->track[i];
            fprintf(ccd, "[TRACK %d]\nMODE=%d\n", t->number,
                    t->mode == DISC_MODE_AUDIO   ? 0
                    : t->mode == DISC_MODE_MODE1 ? 1
                                                 : 2);
            if (t->index[0] < t->index[1] && !ms_first_of_session(d, i))
                fprintf(ccd, "INDEX 0=%d\n", t->index[0]);
            fprintf(ccd, "INDEX 1=%d\n", t->index[1]);
        }
    }
    disc_free_mem(toc);
    if (img && fclose(img) != 0)
        e = 1;
    if (sub && fclose(sub) != 0)
        e = 1;
    if (cue && fclose(cue) != 0)
        e = 1;
    if (icue && fclose(icue) != 0)
        e = 1;
    if (ccd && fclose(ccd) != 0)
        e = 1;
    return r == 0 && !e ? 0 : -1;
}

/* What redumper writes for d (cd/toc.ixx printCUE with extra = false,
 * cd/cd_split.ixx): one BIN per track, each session's first track from
 * its INDEX 01 (its pregap goes to a "Track 00" file only when not
 * zero), "REM SESSION nn" before each session of a multi-session disc,
 * no LEAD-OUT/LEAD-IN/PREGAP lines (those go only to the log). */
static int
ms_gen_redumper(struct disc_ctx *ctx, const struct disc *d, const char *name)
{
    char fn[256];
    FILE *cue;
    int i, r = ms_put_tracks(ctx, d, name);

    snprintf(fn, sizeof fn, "%s.cue", name);
    cue = fopen(fn, "w");
    if (!cue)
        return -1;
    for (i = 0; i < d->ntracks && r == 0; i++) {
        const struct disc_track *t = &d->track[i];
        if (d->nsessions > 1 && ms_first_of_session(d, i))
            fprintf(cue, "REM SESSION %02d\n", t->session);
        ms_track_name(d, name, i, fn, sizeof fn);
        fprintf(cue, "FILE \"%s\" BINARY\n  TRACK %02d %s\n", fn, t->number,
                ms_dtype(t));
        if (t->index[0] < t->index[1])
            fprintf(cue, "    INDEX 00 00:00:00\n");
        fprintf(cue, "    INDEX 01 %s\n", ms_time(t->index[1] - t->index[0]));
    }
    if (fclose(cue) != 0)
        r = -1;
    return r;
}

/* A single-session mixed-mode disc: Mode 1, then audio with pregaps. */
static struct disc *
ms_mixed(struct disc_ctx *ctx)
{
    static const struct fx_track t[] = {
        { DISC_MODE_MODE1, 1, 0, 1000, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 150, 500, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 75, 400, 0, NULL, NULL, 0 },
    };
    return fx_disc_build(ctx, t, 3, NULL);
}

/* Opens path and checks that it is d: same tracks, indexes, sessions
 * and sector bytes. */
static void
ms_same(struct disc_ctx *ctx, const struct disc *d, const char *path)
{
    struct disc *b = NULL;
    int i;

    if (disc_open_image(ctx, path, NULL, &b) != 0) {
        t_fail(__FILE__, __LINE__, "%s: %s", path, ctx->msg);
        return;
    }
    CHECK_INT(d->ntracks, b->ntracks);
    CHECK_INT(d->nsessions, b->nsessions);
    for (i = 0; i < d->ntracks && i < b->ntracks; i++) {
        CHECK_INT(d->track[i].index[0], b->track[i].index[0]);
        CHECK_INT(d->track[i].index[1], b->track[i].index[1]);
        CHECK_INT(d->track[i].session, b->track[i].session);
    }
    if (disc_compare(ctx, d, b, DISC_EQ_DATA | DISC_EQ_NO_SUB) != 0)
        t_fail(__FILE__, __LINE__, "%s differs: %s", path, ctx->msg);
    disc_free(b);
}

/* DiscImageCreator's files for a single-session mixed-mode disc and the
 * CD-Extra read with the right layout: the multi-BIN .cue, the _img.cue
 * (compact .img), the .ccd (absolute INDEX 1 in session 2). */
TEST(ms_dic_fixtures_read)
{
    struct disc_ctx ctx;
    struct disc *m, *x;

    t_ctx(&ctx);
    m = ms_mixed(&ctx);
    x = ms_cdextra(&ctx);
    REQUIRE(m && x);
    REQUIRE(ms_gen_dic(&ctx, m, "mix") == 0);
    REQUIRE(ms_gen_dic(&ctx, x, "ext") == 0);
    ms_same(&ctx, m, "mix.cue");
    ms_same(&ctx, m, "mix_img.cue");
    ms_same(&ctx, m, "mix.ccd");
    ms_same(&ctx, x, "ext.cue");
    ms_same(&ctx, x, "ext_img.cue");
    ms_same(&ctx, x, "ext.ccd");
    /* The .img is compact: session 2 right after the lead-out. */
    CHECK_INT((long long)(MS_LEADOUT1 + MS_T5_LEN) * 2352,
              t_file_size("ext.img"));
    CHECK(ms_file_holds("ext.img", MS_LEADOUT1, MS_T5, 1, DISC_MODE_MODE1));
    /* Compact is told by the content, not by the name: the same sheet
     * and file renamed to .bin read the same. */
    REQUIRE(rename("ext.img", "ext2.bin") == 0);
    REQUIRE(t_run(NULL, 0,
                  "sed 's/ext\\.img/ext2.bin/' ext_img.cue > "
                  "ext2.cue") == 0);
    ms_same(&ctx, x, "ext2.cue");
    REQUIRE(rename("ext2.bin", "ext.img") == 0);
    /* The sheets on redump.org drop DIC's LEAD-OUT/LEAD-IN/PREGAP lines:
     * the standard gap is assumed. */
    REQUIRE(t_run(NULL, 0,
                  "grep -v 'REM LEAD\\|REM PREGAP' ext.cue > "
                  "site.cue") == 0);
    ms_same(&ctx, x, "site.cue");
    disc_free(m);
    disc_free(x);
}

/* redumper's sheets for the same two discs. */
TEST(ms_redumper_fixtures_read)
{
    struct disc_ctx ctx;
    struct disc *m, *x;
    char *t;

    t_ctx(&ctx);
    m = ms_mixed(&ctx);
    x = ms_cdextra(&ctx);
    REQUIRE(m && x);
    REQUIRE(ms_gen_redumper(&ctx, m, "mix") == 0);
    REQUIRE(ms_gen_redumper(&ctx, x, "ext") == 0);
    ms_same(&ctx, m, "mix.cue");
    ms_same(&ctx, x, "ext.cue");
    t = t_slurp("ext.cue", NULL);
    REQUIRE(t);
    CHECK(strstr(t, "REM SESSION 02\nFILE \"ext (Track 5).bin\" BINARY\n"
                    "  TRACK 05 MODE1/2352\n    INDEX 01 00:00:00\n") != NULL);
    CHECK(!strstr(t, "LEAD"));
    free(t);
    disc_free(m);
    disc_free(x);
}

/* A padded single file as Aaru, IsoBuster and ImgBurn keep it (file
 * time = disc time, the gap stored), with and without REM LEAD-OUT. */
TEST(ms_padded_single_file_reads)
{
    struct disc_ctx ctx;
    struct disc *x;
    FILE *f;
    int i;

    t_ctx(&ctx);
    x = ms_cdextra(&ctx);
    REQUIRE(x);
    f = fopen("p.bin", "wb");
    REQUIRE(f);
    for (i = 0; i < 4; i++)
        REQUIRE(ms_put(&ctx, x, i, x->track[i].index[0], disc_track_end(x, i),
                       f, NULL) == 0);
    {
        static uint8_t z[DISC_SECTOR_RAW];
        for (i = MS_LEADOUT1; i < MS_T5; i++)
            REQUIRE(fwrite(z, 1, sizeof z, f) == sizeof z);
    }
    REQUIRE(ms_put(&ctx, x, 4, MS_T5, MS_T5 + MS_T5_LEN, f, NULL) == 0);
    REQUIRE(fclose(f) == 0);
    {
        static const char sheet[] =
            "FILE \"p.bin\" BINARY\nREM SESSION 01\n"
            "    TRACK 01 AUDIO\n      INDEX 01 00:00:00\n"
            "    TRACK 02 AUDIO\n      INDEX 01 00:04:36\n"
            "    TRACK 03 AUDIO\n      INDEX 00 00:08:72\n"
            "      INDEX 01 00:09:72\n"
            "    TRACK 04 AUDIO\n      INDEX 01 00:13:33\n"
            "  REM LEAD-OUT 00:17:69\nREM SESSION 02\n"
            "    TRACK 05 MODE1/2352\n      INDEX 01 02:49:69\n";
        REQUIRE(t_write_file("p.cue", sheet, sizeof sheet - 1) == 0);
    }
    ms_same(&ctx, x, "p.cue");
    REQUIRE(t_run(NULL, 0, "grep -v 'LEAD-OUT' p.cue > q.cue") == 0);
    ms_same(&ctx, x, "q.cue");
    disc_free(x);
}

/* The peers' rules on the dumpers' files reproduce what users report:
 * libMirage puts track 5 of DIC's .ccd at 25488 and turns the _img.cue's
 * INDEX 01 into a pregap; MAME places sheets without the LEAD-IN/PREGAP
 * lines (redumper's, redump.org's) 150 sectors early. */
TEST(ms_peer_rules_on_dumper_files)
{
    struct disc_ctx ctx;
    struct disc *x;
    struct ms_peer_track m[8];

    t_ctx(&ctx);
    x = ms_cdextra(&ctx);
    REQUIRE(x);
    REQUIRE(ms_gen_dic(&ctx, x, "dic") == 0);
    REQUIRE(ms_mirage_ccd("dic.ccd", m, 8) == 5);
    CHECK_INT(MS_T5 - 150 + 150 + MS_T5, m[4].idx1);
    REQUIRE(ms_mirage_cue("dic_img.cue", m, 8) == 5);
    CHECK_INT(MS_T5 + 150, m[4].idx1 - m[4].idx0);
    ms_check_peer_t5(m, ms_mirage_cue("dic.cue", m, 8), MS_T5 - 150);
    ms_check_peer_t5(m, ms_mame_cue("dic.cue", m, 8), MS_T5);
    ms_check_peer_t5(m, ms_mame_cue("dic_img.cue", m, 8), MS_T5);
    REQUIRE(ms_gen_redumper(&ctx, x, "red") == 0);
    REQUIRE(ms_mame_cue("red.cue", m, 8) == 5);
    CHECK_INT(MS_T5 - 150, m[4].idx1);
    ms_check_peer_t5(m, ms_mirage_cue("red.cue", m, 8), MS_T5 - 150);
    disc_free(x);
}

/* ------------------------------------------------------------------ */
/* Debian's readers on our multi-session outputs                       */

/* cd-info (libcdio 2.1.0) reads the padded --merge sheet with every
 * position right; it cannot open a sheet with several FILEs (it looks
 * for "<sheet name>.bin"), which docs/formats/cue.md records. */
TEST(peer_cdinfo_multisession_padded_merge)
{
    static char out[65536];
    static const long want[] = { 0, 336, 747, 1008, MS_T5, MS_T5 + MS_T5_LEN };
    struct disc_ctx ctx;
    struct disc *x;
    struct disc_write_opts o;
    char *line, *save = NULL;
    int n = 0;

    NEED_TOOL("cd-info");
    t_ctx(&ctx);
    x = ms_cdextra(&ctx);
    REQUIRE(x);
    memset(&o, 0, sizeof o);
    o.merge = 1;
    REQUIRE_OK(&ctx, disc_write(&ctx, x, &disc_fmt_cue, "m.cue", &o));
    REQUIRE(t_run(out, sizeof out,
                  "cd-info --no-device-info --no-cddb "
                  "--no-disc-mode --cue-file m.cue 2>&1") == 0);
    for (line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        int num;
        char msf[16];
        long lsn;
        if (sscanf(line, " %d: %15s %ld", &num, msf, &lsn) == 3 &&
            msf[2] == ':' && n < 6) {
            CHECK_INT(n < 5 ? n + 1 : 170, num);
            CHECK_INT(want[n], lsn);
            n++;
        }
    }
    CHECK_INT(6, n);
    REQUIRE_OK(&ctx, disc_write(&ctx, x, &disc_fmt_cue, "s.cue", NULL));
    CHECK(t_run(out, sizeof out,
                "cd-info --no-device-info --no-cddb "
                "--cue-file s.cue 2>&1") != 0);
    CHECK(strstr(out, "s.bin") != NULL);
    disc_free(x);
}

/* chdman 0.251 (Debian) predates MAME's multi-session support: it keeps
 * no session, so from the split sheet track 5 follows track 4 directly
 * (LBA 1344) and from the padded one the gap becomes the tail of track 4
 * (track 5 at 12744).  Either way extractcd gives back track 5's bytes. */
TEST(peer_chdman_multisession_outputs)
{
    static const struct {
        const char *cue;
        int merge;
        long t5, t4frames;
    } c[] = { { "s", 0, MS_LEADOUT1, 336 },
              { "m", 1, MS_T5, 336 + MS_T5 - MS_LEADOUT1 } };
    static char out[65536];
    struct disc_ctx ctx;
    struct disc *x, *b = NULL;
    struct disc_write_opts o;
    int k;

    NEED_TOOL("chdman");
    t_ctx(&ctx);
    x = ms_cdextra(&ctx);
    REQUIRE(x);
    for (k = 0; k < 2; k++) {
        char f4[64];
        memset(&o, 0, sizeof o);
        o.merge = c[k].merge;
        REQUIRE_OK(&ctx, disc_write(&ctx, x, &disc_fmt_cue,
                                    c[k].merge ? "m.cue" : "s.cue", &o));
        REQUIRE(t_run(NULL, 0,
                      "chdman createcd -i %s.cue -o %s.chd "
                      ">/dev/null 2>&1",
                      c[k].cue, c[k].cue) == 0);
        REQUIRE(t_run(out, sizeof out, "chdman info -v -i %s.chd 2>&1",
                      c[k].cue) == 0);
        snprintf(f4, sizeof f4, "TRACK:4 TYPE:AUDIO SUBTYPE:NONE FRAMES:%ld ",
                 c[k].t4frames);
        CHECK(strstr(out, f4) != NULL);
        CHECK(strstr(out, "TRACK:5 TYPE:MODE1_RAW SUBTYPE:NONE FRAMES:600 ") !=
              NULL);
        REQUIRE(t_run(NULL, 0,
                      "chdman extractcd -i %s.chd -o %sx.cue -ob "
                      "%sx.bin >/dev/null 2>&1",
                      c[k].cue, c[k].cue, c[k].cue) == 0);
        {
            char name[32];
            snprintf(name, sizeof name, "%sx.cue", c[k].cue);
            REQUIRE_OK(&ctx, disc_open_image(&ctx, name, NULL, &b));
            CHECK_INT(1, b->nsessions);
            CHECK_INT(c[k].t5, b->track[4].index[1]);
            snprintf(name, sizeof name, "%sx.bin", c[k].cue);
            CHECK(ms_file_holds(name, c[k].t5, MS_T5, MS_T5_LEN,
                                DISC_MODE_MODE1));
            disc_free(b);
            b = NULL;
        }
    }
    disc_free(x);
}

/* Compact is told from padded by the sector headers also when session 2
 * is longer than the gap, so that the compact file reaches the padded
 * position too (the padded case: ms_cue_merge_is_padded). */
TEST(ms_compact_long_session2)
{
    static const struct fx_track t[] = {
        { DISC_MODE_AUDIO, 1, 0, 672, 0, NULL, NULL, 0 },
        { DISC_MODE_AUDIO, 1, 0, 672, 0, NULL, NULL, 0 },
        { DISC_MODE_MODE1, 2, 0, 11500, 0, NULL, NULL, 0 },
    };
    struct disc_ctx ctx;
    struct disc *x, *b = NULL;

    t_ctx(&ctx);
    x = fx_disc_build(&ctx, t, 3, NULL);
    REQUIRE(x);
    REQUIRE(ms_gen_dic(&ctx, x, "dic") == 0);
    CHECK(t_file_size("dic.img") > (long long)(MS_T5 + 1) * 2352);
    REQUIRE_OK(&ctx, disc_open_image(&ctx, "dic_img.cue", NULL, &b));
    CHECK_INT(2, b->nsessions);
    CHECK_INT(MS_LEADOUT1, b->session[0].leadout);
    CHECK_INT(MS_T5, b->track[2].index[1]);
    CHECK_INT(MS_T5 + 11500, b->session[1].leadout);
    {
        uint8_t got[DISC_SECTOR_RAW], want[DISC_SECTOR_RAW];
        disc_lba l[] = { MS_T5, MS_T5 + 11400, MS_T5 + 11499 };
        int k;
        for (k = 0; k < 3; k++) {
            CHECK_OK(&ctx, disc_read_sectors(&ctx, b, l[k], 1, got, NULL));
            fx_sector(want, l[k], DISC_MODE_MODE1);
            CHECK(memcmp(got, want, sizeof got) == 0);
        }
    }
    disc_free(b);
    disc_free(x);
}

/* The acceptance run through the CLI: DiscImageCreator's CloneCD files
 * of the CD-Extra converted by `discarc convert` to CUE (default and
 * --split; --lossy for the .sub a CUE cannot hold) and to CloneCD; the
 * peers' rules place track 5 right and find its bytes. */
TEST(ms_cli_convert_cdextra_for_the_peers)
{
    static const char *const cue[] = { "d.cue", "s/s.cue" };
    static const char *const opt[] = { "", "--split" };
    struct disc_ctx ctx;
    struct disc *x;
    struct ms_peer_track m[8];
    char out[4096];
    int k;

    t_ctx(&ctx);
    x = ms_cdextra(&ctx);
    REQUIRE(x);
    REQUIRE(ms_gen_dic(&ctx, x, "dic") == 0);
    REQUIRE(mkdir("s", 0755) == 0);
    for (k = 0; k < 2; k++) {
        CHECK_INT(0, t_run(out, sizeof out,
                           "'%s' convert dic.ccd %s %s "
                           "--lossy 2>&1",
                           t_discarc, cue[k], opt[k]));
        ms_check_peer_t5(m, ms_mirage_cue(cue[k], m, 8), MS_T5 - 150);
        ms_check_peer_t5(m, ms_mame_cue(cue[k], m, 8), MS_T5);
        ms_same(&ctx, x, cue[k]);
    }
    CHECK_INT(0, t_run(out, sizeof out, "'%s' convert dic.ccd c.ccd 2>&1",
                       t_discarc));
    REQUIRE(ms_mirage_ccd("c.ccd", m, 8) == 5);
    CHECK_INT(MS_T5 - 150, m[4].idx0);
    CHECK_INT(MS_T5, m[4].idx1);
    CHECK(ms_file_holds("c.img", m[4].off / DISC_SECTOR_RAW, MS_T5, MS_T5_LEN,
                        DISC_MODE_MODE1));
    ms_same(&ctx, x, "c.ccd");
    disc_free(x);
}
