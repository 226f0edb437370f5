/* cue_read.c - CUE sheets with BIN files: probe and read every dialect.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md, docs/formats/cd.md; the cue sheet
 * rules exercised by xiph/flac test/cuesheets (FLAC's grabbag cuesheet
 * parser).  The layout of the parsed sheet is cue_layout.c.
 * Dialects: CDRWin, EAC (every gap style, unripped CD-Extra data tracks),
 * redump split, DIC/Aaru multi-session, cdrdao toc2cue, chdman,
 * hand-written sheets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cue.h"

#define CUE_MAX_FILES 1024             /* FILE lines in one sheet */
#define CUE_CDT_MAX (8 * 256 * 18 + 5) /* CDTEXTFILE: 8 blocks + header */

/* ------------------------------------------------------------------ */
/* Lexing                                                              */

/* Splits the first blank-separated token off *s (in place).  Returns it,
 * or NULL when *s holds nothing; *s then points past the blanks that
 * follow the token. */
static char *
cue_token(char **s)
{
    char *p = *s, *tok;

    while (cue_is_blank(*p))
        p++;
    if (!*p) {
        *s = p;
        return NULL;
    }
    tok = p;
    while (*p && !cue_is_blank(*p))
        p++;
    if (*p)
        *p++ = '\0';
    while (cue_is_blank(*p))
        p++;
    *s = p;
    return tok;
}

/* The argument of a text command: what lies between the first and the
 * last double quote when it starts with one (CUE has no escapes, so an
 * inner quote is kept), else the whole text.  Works in place. */
static char *
cue_unquote(char *s)
{
    char *q;

    if (s[0] != '"')
        return s;
    q = strrchr(s + 1, '"');
    if (q)
        *q = '\0';
    return s + 1;
}

static int
cue_all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static void
cue_upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
}

const struct cue_text_cmd disc_cue_text[CUE_NTEXT] = {
    { "TITLE", DISC_CDTEXT_TITLE, 0, 0 },
    { "PERFORMER", DISC_CDTEXT_PERFORMER, 0, 0 },
    { "SONGWRITER", DISC_CDTEXT_SONGWRITER, 0, 0 },
    { "COMPOSER", DISC_CDTEXT_COMPOSER, 0, 0 },
    { "ARRANGER", DISC_CDTEXT_ARRANGER, 0, 0 },
    { "MESSAGE", DISC_CDTEXT_MESSAGE, 0, 0 },
    { "DISC_ID", DISC_CDTEXT_DISCID, 1, 0 },
    { "GENRE", DISC_CDTEXT_GENRE, 0, 0 },
    { "UPC_EAN", DISC_CDTEXT_UPC_ISRC, 1, 1 },
};

/* How a REM line reads: see cue.h. */
int
disc_cue_rem_split(const char *body, char **key, const char **value)
{
    const char *p = body, *end = NULL, *w;
    int words = 0;
    size_t n;

    *key = NULL;
    while (cue_is_blank(*p))
        p++;
    /* Look for the colon phrase. */
    w = p;
    while (*w && words < 4) {
        const char *e = w;
        if (*w == '"')
            break;
        while (*e && !cue_is_blank(*e))
            e++;
        words++;
        if (e > w && e[-1] == ':') {
            if (words >= 2)
                end = e - 1;
            break;
        }
        w = e;
        while (cue_is_blank(*w))
            w++;
    }
    if (end) {
        *value = end + 1;
    } else {
        end = p;
        while (*end && !cue_is_blank(*end))
            end++;
        *value = end;
    }
    while (cue_is_blank(**value))
        (*value)++;
    n = (size_t)(end - p);
    *key = disc_malloc(n + 1);
    if (!*key)
        return DISC_E_NOMEM;
    memcpy(*key, p, n);
    (*key)[n] = '\0';
    /* Collapse the blanks inside a phrase to single spaces. */
    {
        char *s = *key, *o = *key;
        for (; *s; s++)
            if (!cue_is_blank(*s) || (o > *key && o[-1] != ' '))
                *o++ = (char)(cue_is_blank(*s) ? ' ' : *s);
        *o = '\0';
    }
    cue_upper(*key);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Datatypes                                                           */

static const struct cue_dtype cue_dtypes[] = {
    { "AUDIO", DISC_MODE_AUDIO, DISC_DATA_RAW, 2352, 0, 0 },
    { "CDG", DISC_MODE_AUDIO, DISC_DATA_RAW, 2448, 1, 0 },
    { "MODE1/2048", DISC_MODE_MODE1, DISC_DATA_MODE1, 2048, 0, 0 },
    { "MODE1/2352", DISC_MODE_MODE1, DISC_DATA_RAW, 2352, 0, 0 },
    { "MODE2/2048", DISC_MODE_MODE2_FORM1, DISC_DATA_FORM1, 2048, 0, 0 },
    { "MODE2/2324", DISC_MODE_MODE2_FORM2, DISC_DATA_FORM2, 2324, 0, 0 },
    { "MODE2/2336", DISC_MODE_MODE2_MIXED, DISC_DATA_MODE2, 2336, 0, 0 },
    { "MODE2/2352", DISC_MODE_MODE2_MIXED, DISC_DATA_RAW, 2352, 0, 0 },
    { "CDI/2336", DISC_MODE_MODE2_MIXED, DISC_DATA_MODE2, 2336, 0, 1 },
    { "CDI/2352", DISC_MODE_MODE2_MIXED, DISC_DATA_RAW, 2352, 0, 1 },
};

#define CUE_NDTYPES (sizeof cue_dtypes / sizeof cue_dtypes[0])

/* ------------------------------------------------------------------ */
/* Probe                                                               */

static int
cue_probe(const uint8_t *buf, size_t len, const char *path)
{
    static const char *const kw[] = {
        "REM",        "CATALOG",  "TITLE",    "PERFORMER", "SONGWRITER",
        "CDTEXTFILE", "INDEX",    "FLAGS",    "ISRC",      "PREGAP",
        "POSTGAP",    "COMPOSER", "ARRANGER", "MESSAGE",   "DISC_ID",
        "GENRE",      "UPC_EAN",
    };
    size_t i = 0, k;
    int lines = 0, hits = 0, other = 0, layout = 0;

    (void)path;
    if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
        i = 3;
    /* Text only: a NUL or other control byte means binary data. */
    for (k = i; k < len; k++)
        if (buf[k] == 0 || (buf[k] < 0x20 && buf[k] != '\t' && buf[k] != '\r' &&
                            buf[k] != '\n' && buf[k] != '\f'))
            return 0;
    while (i < len && lines < 20) {
        char word[16];
        size_t n = 0;

        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        if (i < len && (buf[i] == '\r' || buf[i] == '\n')) {
            i++;
            continue;
        }
        if (i >= len)
            break;
        lines++;
        if (buf[i] == '[' || buf[i] == '/' || buf[i] == '#')
            return 0; /* CloneCD section, cdrdao comment, ini/script */
        while (i < len && buf[i] > ' ' && n + 1 < sizeof word)
            word[n++] = (char)buf[i++];
        word[n] = '\0';
        if (strcasecmp(word, "FILE") == 0) {
            hits++;
            layout = 1;
        } else if (strcasecmp(word, "TRACK") == 0) {
            /* cdrdao .toc: "TRACK AUDIO"; CUE: "TRACK 01 AUDIO". */
            while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
                i++;
            if (i >= len || buf[i] < '0' || buf[i] > '9')
                return 0;
            hits++;
            layout = 1;
        } else {
            int found = 0;
            for (k = 0; k < sizeof kw / sizeof kw[0]; k++)
                if (strcasecmp(word, kw[k]) == 0)
                    found = 1;
            if (found)
                hits++;
            else
                other++;
        }
        while (i < len && buf[i] != '\n' && buf[i] != '\r')
            i++;
    }
    if (!hits || other > hits)
        return 0;
    return layout && !other ? 90 : layout ? 70 : 40;
}

/* ------------------------------------------------------------------ */
/* Reader: parse state                                                 */

static int
cue_nomem(struct cue_parse *p)
{
    return disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
}

static int
cue_add_item(struct cue_parse *p, enum cue_item_kind kind, int arg, int index)
{
    int r = disc_grow(p->ctx, &p->item, p->nitem + 1, &p->capitem,
                      sizeof *p->item, 64);

    if (r < 0)
        return r;
    p->item[p->nitem].kind = kind;
    p->item[p->nitem].arg = arg;
    p->item[p->nitem].index = index;
    p->nitem++;
    return 0;
}

/* The track commands apply to, or NULL before the first TRACK. */
static struct cue_track *
cue_cur(struct cue_parse *p)
{
    return p->ntrack ? &p->track[p->ntrack - 1] : NULL;
}

static int
cue_time(struct cue_parse *p, const char *what, const char *s, int32_t *out)
{
    if (!s)
        return cue_err(p, DISC_E_FORMAT, "%s has no time", what);
    if (disc_parse_msf(s, out) != 0)
        return cue_err(p, DISC_E_FORMAT,
                       "%s: invalid time \"%s\" "
                       "(mm:ss:ff expected, ss below 60, ff below 75)",
                       what, s);
    return 0;
}

/* The one argument of "TRACK nn TYPE" and "INDEX nn mm:ss:ff" (called
 * arg in messages), with the number, lo..hi, in *n; nothing may follow.
 * NULL on error (the code in p->ctx->err). */
static char *
cue_number_arg(struct cue_parse *p, const char *what, char *rest, long lo,
               long hi, const char *arg, long *n)
{
    char *num = cue_token(&rest), *val;

    if (!num) {
        (void)cue_err(p, DISC_E_FORMAT, "%s has no number", what);
        return NULL;
    }
    if (!cue_all_digits(num) || strlen(num) > 3) {
        (void)cue_err(p, DISC_E_FORMAT, "%s number \"%.20s\" is not a number",
                      what, num);
        return NULL;
    }
    *n = strtol(num, NULL, 10);
    if (*n < lo || *n > hi) {
        (void)cue_err(p, DISC_E_FORMAT,
                      "%s number %ld is out of range (%02ld-%02ld)", what, *n,
                      lo, hi);
        return NULL;
    }
    val = cue_token(&rest);
    if (!val)
        (void)cue_err(p, DISC_E_FORMAT, "%s %02ld has no %s", what, *n, arg);
    else if (*rest)
        (void)cue_err(p, DISC_E_FORMAT, "unexpected \"%.40s\" after the %s",
                      rest, arg);
    return val && !*rest ? val : NULL;
}

/* The current track, for a command it takes once (bit): FLAGS, ISRC and
 * PREGAP before its first INDEX, POSTGAP after its INDEX 01.  NULL on
 * error (the code in p->ctx->err). */
static struct cue_track *
cue_track_once(struct cue_parse *p, const char *what, unsigned bit)
{
    struct cue_track *t = cue_cur(p);
    int r = 0;

    if (!t)
        r = cue_err(p, DISC_E_FORMAT, "%s before any TRACK", what);
    else if (t->seen & bit)
        r = cue_err(p, DISC_E_FORMAT, "%s given twice for TRACK %02d", what,
                    t->number);
    else if (bit == CUE_SEEN_POSTGAP && !t->idx[1].set)
        r = cue_err(p, DISC_E_FORMAT, "%s must follow the track's INDEX 01",
                    what);
    else if (bit != CUE_SEEN_POSTGAP && t->nindex)
        r = cue_err(p, DISC_E_FORMAT,
                    "%s must come before the track's first INDEX", what);
    if (!t || r < 0)
        return NULL;
    t->seen |= bit;
    return t;
}

/* ------------------------------------------------------------------ */
/* Reader: commands                                                    */

static int
cue_cmd_catalog(struct cue_parse *p, char *rest)
{
    char *v = cue_unquote(rest);

    if (p->ntrack)
        return cue_err(p, DISC_E_FORMAT,
                       "CATALOG must come before the first TRACK");
    if (p->catalog_seen)
        return cue_err(p, DISC_E_FORMAT, "CATALOG given twice");
    p->catalog_seen = 1;
    if (!*v)
        return cue_err(p, DISC_E_FORMAT, "CATALOG has no number");
    if (!disc_valid_mcn(v))
        return cue_err(p, DISC_E_FORMAT,
                       "CATALOG \"%.40s\" is not 13 decimal digits", v);
    return disc_set_mcn(p->ctx, p->d, v);
}

static int
cue_cmd_file(struct cue_parse *p, char *rest)
{
    struct cue_file *f;
    char *name, *type, *q;
    int r;

    if (rest[0] == '"' && (q = strrchr(rest + 1, '"')) != NULL) {
        *q = '\0';
        name = rest + 1;
        type = q + 1;
        while (cue_is_blank(*type))
            type++;
    } else {
        q = rest + strlen(rest);
        while (q > rest && !cue_is_blank(q[-1]))
            q--;
        type = q;
        if (q == rest) {
            name = rest;
            type = q + strlen(q);
        } else {
            name = rest;
            while (q > rest && cue_is_blank(q[-1]))
                q--;
            *q = '\0';
        }
    }
    if (!*name)
        return cue_err(p, DISC_E_FORMAT, "FILE has no file name");
    if (!*type)
        return cue_err(p, DISC_E_FORMAT,
                       "FILE \"%.120s\" has no type "
                       "(BINARY, MOTOROLA, WAVE, AIFF, MP3, FLAC)",
                       name);
    if (p->nfile >= CUE_MAX_FILES)
        return cue_err(p, DISC_E_UNSUPPORTED, "more than %d FILE lines",
                       CUE_MAX_FILES);
    r = disc_grow(p->ctx, &p->file, p->nfile + 1, &p->capfile, sizeof *p->file,
                  8);
    if (r < 0)
        return r;
    f = &p->file[p->nfile];
    memset(f, 0, sizeof *f);
    f->line = p->line;
    f->last_time = -1;
    if (strcasecmp(type, "BINARY") == 0)
        f->type = CUE_F_BINARY;
    else if (strcasecmp(type, "MOTOROLA") == 0)
        f->type = CUE_F_MOTOROLA;
    else if (strcasecmp(type, "WAVE") == 0 || strcasecmp(type, "WAV") == 0 ||
             strcasecmp(type, "AIFF") == 0 || strcasecmp(type, "MP3") == 0 ||
             strcasecmp(type, "FLAC") == 0 || strcasecmp(type, "OGG") == 0)
        f->type = CUE_F_AUDIO;
    else
        return cue_err(p, DISC_E_FORMAT,
                       "unknown FILE type \"%.40s\" "
                       "(BINARY, MOTOROLA, WAVE, AIFF, MP3, FLAC expected)",
                       type);
    f->name = disc_strdup(name);
    if (!f->name)
        return cue_nomem(p);
    p->cur_file = (int)p->nfile++;
    return cue_add_item(p, CUE_IT_FILE, p->cur_file, 0);
}

/* 1 for EAC's "MODEx/2xxx" and its kin: a MODE?/2??? datatype whose
 * variable characters are digits or x, at least one of them x. */
static int
cue_is_placeholder(const char *type)
{
    static const int var[] = { 4, 7, 8, 9 };
    size_t k;
    int x = 0;

    if (strlen(type) != 10 || strncasecmp(type, "MODE", 4) != 0 ||
        strncmp(type + 5, "/2", 2) != 0)
        return 0;
    for (k = 0; k < sizeof var / sizeof var[0]; k++) {
        char c = type[var[k]];
        if (c == 'x' || c == 'X')
            x = 1;
        else if (c < '0' || c > '9')
            return 0;
    }
    return x;
}

/* A placeholder anywhere but as the last TRACK without INDEX 01 (the
 * cuetools.net templates put one first, for a data track to be filled
 * in): the datatype is unknown.  Reported at its TRACK line. */
static int
cue_placeholder_err(struct cue_parse *p, const struct cue_track *t,
                    const char *type)
{
    p->line = t->line;
    return cue_err(p, DISC_E_FORMAT,
                   "TRACK %02d: unknown datatype \"%.40s\" (a placeholder "
                   "for an unripped data track reads only as the last "
                   "TRACK, without INDEX 01)",
                   t->number, type);
}

/* A track must have its INDEX 01 before another TRACK, a session change
 * or the end of the sheet; a placeholder must be the sheet's last. */
static int
cue_track_done(struct cue_parse *p, int at_end)
{
    struct cue_track *t = cue_cur(p);
    unsigned line = p->line;
    int r = 0;

    if (t && t->unripped[0]) {
        if (!at_end)
            return cue_placeholder_err(p, t, t->unripped);
    } else if (t && !t->idx[1].set) {
        p->line = t->line;
        r = cue_err(p, DISC_E_FORMAT, "TRACK %02d has no INDEX 01", t->number);
        p->line = line;
    }
    return r;
}

static int
cue_cmd_track(struct cue_parse *p, char *rest)
{
    struct cue_track *t;
    char *type;
    size_t k;
    long n = 0;
    int r;

    type = cue_number_arg(p, "TRACK", rest, 1, DISC_MAX_TRACKS, "datatype", &n);
    if (!type)
        return p->ctx->err;
    r = cue_track_done(p, 0);
    if (r < 0)
        return r;
    if (p->ntrack && n != p->track[p->ntrack - 1].number + 1)
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK %02ld follows TRACK %02d "
                       "(track numbers must be consecutive)",
                       n, p->track[p->ntrack - 1].number);
    if (p->ntrack == DISC_MAX_TRACKS)
        return cue_err(p, DISC_E_FORMAT, "more than 99 tracks");
    if (p->cur_file < 0)
        return cue_err(p, DISC_E_FORMAT, "TRACK before any FILE");
    t = &p->track[p->ntrack];
    memset(t, 0, sizeof *t);
    t->number = (int)n;
    t->line = p->line;
    t->session = p->session;
    t->item = p->nitem;
    for (k = 0; k < CUE_NDTYPES; k++)
        if (strcasecmp(type, cue_dtypes[k].name) == 0)
            t->dt = &cue_dtypes[k];
    if (!t->dt && cue_is_placeholder(type)) {
        /* EAC's data track that was not ripped: accepted when it turns
         * out to be the last TRACK (cue_drop_unripped). */
        if (!p->ntrack)
            return cue_placeholder_err(p, t, type);
        (void)snprintf(t->unripped, sizeof t->unripped, "%s", type);
    } else if (!t->dt) {
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK %02ld: unknown datatype "
                       "\"%.40s\" (AUDIO, CDG, MODE1/2048, MODE1/2352, "
                       "MODE2/2048, MODE2/2324, MODE2/2336, MODE2/2352, "
                       "CDI/2336 or CDI/2352 expected)",
                       n, type);
    } else if (t->dt->mode != DISC_MODE_AUDIO) {
        t->control = DISC_CTL_DATA;
    }
    if (!p->session_first[p->session])
        p->session_first[p->session] = p->ntrack + 1; /* 1-based */
    p->ntrack++;
    return 0;
}

static int
cue_cmd_index(struct cue_parse *p, char *rest)
{
    struct cue_track *t = cue_cur(p);
    char *tm;
    struct cue_file *f;
    int32_t time;
    long n = 0;
    int r;

    if (!t)
        return cue_err(p, DISC_E_FORMAT, "INDEX before any TRACK");
    tm = cue_number_arg(p, "INDEX", rest, 0, DISC_MAX_INDEX, "time", &n);
    if (!tm)
        return p->ctx->err;
    r = cue_time(p, "INDEX", tm, &time);
    if (r < 0)
        return r;
    if (t->nindex == 0 && n > 1)
        return cue_err(p, DISC_E_FORMAT,
                       "the first INDEX of TRACK %02d is "
                       "%02ld; it must be 00 or 01",
                       t->number, n);
    if (t->nindex > 0 && n != t->last + 1)
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX %02ld follows INDEX %02d "
                       "(index numbers must be consecutive)",
                       n, t->last);
    if (t->seen & CUE_SEEN_POSTGAP)
        return cue_err(p, DISC_E_FORMAT, "INDEX after POSTGAP");
    if (t->unripped[0] && n == 1)
        return cue_placeholder_err(p, t, t->unripped);
    f = &p->file[p->cur_file];
    if (f->last_time >= 0 && time <= f->last_time &&
        !(n == 1 && t->idx[0].set && t->idx[0].file == p->cur_file &&
          time == f->last_time)) {
        char a[16], b[16];
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX %02ld at %s is not after "
                       "the previous INDEX (%s) of this FILE",
                       n, disc_format_msf(time, a, sizeof a),
                       disc_format_msf(f->last_time, b, sizeof b));
    }
    /* The first index of the sheet is where the disc starts: data before
     * it would belong to no track (FLAC rejects this too). */
    if (p->ntrack == 1 && t->nindex == 0 && time != 0) {
        char a[16];
        return cue_err(p, DISC_E_FORMAT,
                       "the first INDEX of the first "
                       "track is at %s, not 00:00:00 (write \"INDEX 00 "
                       "00:00:00\" before it if the file starts with "
                       "audio before track 1)",
                       disc_format_msf(time, a, sizeof a));
    }
    if (n == 1 && t->idx[0].set && t->idx[0].file == p->cur_file &&
        t->idx[0].time == time) {
        /* "INDEX 00 x / INDEX 01 x": an empty pregap. */
        t->idx[0].set = 0;
    }
    t->idx[n].time = time;
    t->idx[n].file = p->cur_file;
    t->idx[n].line = p->line;
    t->idx[n].set = 1;
    t->nindex++;
    t->last = (int)n;
    f->last_time = time;
    return cue_add_item(p, CUE_IT_INDEX, p->ntrack - 1, (int)n);
}

static int
cue_cmd_gap(struct cue_parse *p, char *rest, int post)
{
    const char *what = post ? "POSTGAP" : "PREGAP";
    char *tm = cue_token(&rest);
    struct cue_track *t;
    int32_t len = 0;
    int r;

    t = cue_track_once(p, what, post ? CUE_SEEN_POSTGAP : CUE_SEEN_PREGAP);
    if (!t)
        return p->ctx->err;
    r = cue_time(p, what, tm, &len);
    if (r < 0)
        return r;
    if (*rest)
        return cue_err(p, DISC_E_FORMAT,
                       "unexpected \"%.40s\" after the %s time", rest, what);
    if (post)
        t->postgap = len;
    else
        t->pregap = len;
    return 0;
}

static int
cue_meta(struct cue_parse *p, const char *key, const char *value)
{
    struct cue_track *t = cue_cur(p);
    char *full = NULL;
    const char *k = key;
    int r;

    if (t && t->unripped[0])
        return 0; /* a track left out (cue_drop_unripped) */
    if (p->d->nmeta >= DISC_MAX_META) {
        if (!p->meta_full_warned)
            disc_warn_at(p->ctx, p->path, p->line,
                         "more than %d REM lines; this and later ones are "
                         "ignored",
                         DISC_MAX_META);
        p->meta_full_warned = 1;
        return 0;
    }
    if (t) {
        size_t n = strlen(key) + 16;
        full = disc_malloc(n);
        if (!full)
            return cue_nomem(p);
        (void)snprintf(full, n, "TRACK %02d %s", t->number, key);
        k = full;
    }
    r = disc_meta_add(p->ctx, p->d, k, value);
    disc_free_mem(full);
    return r;
}

static int
cue_cmd_flags(struct cue_parse *p, char *rest)
{
    struct cue_track *t = cue_track_once(p, "FLAGS", CUE_SEEN_FLAGS);
    char *tok;
    int r;

    if (!t)
        return p->ctx->err;
    while ((tok = cue_token(&rest)) != NULL) {
        if (strcasecmp(tok, "DCP") == 0)
            t->control |= DISC_CTL_COPY;
        else if (strcasecmp(tok, "4CH") == 0)
            t->control |= DISC_CTL_4CH;
        else if (strcasecmp(tok, "PRE") == 0)
            t->control |= DISC_CTL_PREEMPH;
        else if (strcasecmp(tok, "SCMS") == 0) {
            /* Not a Q CONTROL bit: kept as track metadata so that it is
             * written back (FLAGS ... SCMS). */
            if (!t->scms) {
                r = cue_meta(p, "FLAGS", "SCMS");
                if (r < 0)
                    return r;
            }
            t->scms = 1;
        } else if (strcasecmp(tok, "DATA") == 0)
            ; /* some writers spell out the data bit; the datatype has it */
        else
            return cue_err(p, DISC_E_FORMAT,
                           "unknown flag \"%.20s\" (DCP, "
                           "4CH, PRE or SCMS expected)",
                           tok);
    }
    return 0;
}

static int
cue_cmd_isrc(struct cue_parse *p, char *rest)
{
    struct cue_track *t = cue_track_once(p, "ISRC", CUE_SEEN_ISRC);
    char *v = cue_unquote(rest), code[13];
    size_t n = strlen(v), k = 0;

    if (!t)
        return p->ctx->err;
    if (!n)
        return cue_err(p, DISC_E_FORMAT, "ISRC has no code");
    /* Accept the display form CC-OOO-YY-NNNNN as well. */
    if (n == 15 && v[2] == '-' && v[6] == '-' && v[9] == '-') {
        size_t i;
        for (i = 0; i < n; i++)
            if (i != 2 && i != 6 && i != 9)
                code[k++] = v[i];
    } else if (n == 12) {
        memcpy(code, v, 12);
        k = 12;
    }
    code[k] = '\0';
    cue_upper(code);
    if (k != 12 || !disc_valid_isrc(code))
        return cue_err(p, DISC_E_FORMAT,
                       "ISRC \"%.40s\" is not valid "
                       "(CCOOOYYSSSSS: 5 letters or digits, then 7 digits)",
                       v);
    memcpy(t->isrc, code, 13);
    return 0;
}

static int
cue_cmd_text(struct cue_parse *p, enum disc_cdtext_field f, char *rest)
{
    struct cue_track *t = cue_cur(p);
    char *v = cue_unquote(rest);
    int r;

    if (!*v || (t && t->unripped[0]))
        return 0; /* says nothing, or about a track left out */
    r = disc_cdtext_set(p->ctx, p->d, 0, t ? t->number : 0, f, v);
    return r < 0 ? r : 0;
}

static int
cue_cmd_session(struct cue_parse *p, const char *arg)
{
    long n;
    int r;

    if (!arg || !cue_all_digits(arg) || strlen(arg) > 3)
        return cue_err(p, DISC_E_FORMAT, "REM SESSION needs a session number");
    n = strtol(arg, NULL, 10);
    if (p->ntrack == 0) {
        if (n != 1)
            return cue_err(p, DISC_E_FORMAT,
                           "session %02ld before any track of session 01", n);
        return 0;
    }
    if (n != p->session + 1)
        return cue_err(p, DISC_E_FORMAT,
                       "REM SESSION %02ld follows session %02d", n, p->session);
    if (!p->session_first[p->session])
        return cue_err(p, DISC_E_FORMAT, "session %02d has no track",
                       p->session);
    if (n > DISC_MAX_SESSIONS)
        return cue_err(p, DISC_E_FORMAT, "more than 99 sessions");
    r = cue_track_done(p, 0);
    if (r < 0)
        return r;
    p->session = (int)n;
    return cue_add_item(p, CUE_IT_SESSION, (int)n, 0);
}

/* REM LEAD-OUT / LEAD-IN / PREGAP: the gap before the next session, or
 * before the current one while it has no track yet. */
static int
cue_rem_gap(struct cue_parse *p, const char *key, const char *value)
{
    int b = p->session_first[p->session] ? p->session + 1 : p->session;
    struct cue_gap *g;
    int32_t len = 0;
    int which = strcmp(key, "LEAD-OUT") == 0  ? 0
                : strcmp(key, "LEAD-IN") == 0 ? 1
                                              : 2;
    char tm[24];
    int r;

    (void)snprintf(tm, sizeof tm, "%.23s", value);
    {
        char *sp = tm;
        char *tok = cue_token(&sp);
        r = cue_time(p, key, tok, &len);
    }
    if (r < 0)
        return r;
    if (b > DISC_MAX_SESSIONS)
        return cue_err(p, DISC_E_FORMAT, "REM %s after session 99", key);
    g = &p->gap[b];
    if (!g->line)
        g->line = p->line;
    if ((which == 0 && g->leadout >= 0) || (which == 1 && g->leadin >= 0) ||
        (which == 2 && g->pregap >= 0))
        return cue_err(p, DISC_E_FORMAT,
                       "REM %s given twice for one session gap", key);
    if (which == 0)
        g->leadout = len;
    else if (which == 1)
        g->leadin = len;
    else
        g->pregap = len;
    g->text[which] = disc_strdup(value);
    if (!g->text[which])
        return cue_nomem(p);
    return 0;
}

static int
cue_cmd_rem(struct cue_parse *p, char *body)
{
    char *key = NULL;
    const char *value;
    int r;

    r = disc_cue_rem_split(body, &key, &value);
    if (r < 0)
        return cue_nomem(p);
    if (!*key) {
        r = 0; /* bare "REM" */
    } else if (strcmp(key, "SESSION") == 0) {
        char buf[16], *sp = buf;
        (void)snprintf(buf, sizeof buf, "%.15s", value);
        r = cue_cmd_session(p, cue_token(&sp));
    } else if (strcmp(key, "LEAD-OUT") == 0 || strcmp(key, "LEAD-IN") == 0 ||
               strcmp(key, "PREGAP") == 0) {
        r = cue_rem_gap(p, key, value);
    } else if (strcmp(key, "SINGLE-DENSITY") == 0 ||
               strcmp(key, "HIGH-DENSITY") == 0) {
        r = cue_err(p, DISC_E_UNSUPPORTED,
                    "GD-ROM sheets (REM %s AREA) are not supported", key);
    } else {
        r = cue_meta(p, key, value);
    }
    disc_free_mem(key);
    return r;
}

static int
cue_cmd_cdtextfile(struct cue_parse *p, char *rest)
{
    char *v = cue_unquote(rest);

    if (p->cdtextfile)
        return cue_err(p, DISC_E_FORMAT, "CDTEXTFILE given twice");
    if (!*v)
        return cue_err(p, DISC_E_FORMAT, "CDTEXTFILE has no file name");
    p->cdtextfile = disc_strdup(v);
    if (!p->cdtextfile)
        return cue_nomem(p);
    p->cdtextfile_line = p->line;
    return 0;
}

static int
cue_cmd_pregap(struct cue_parse *p, char *rest)
{
    return cue_cmd_gap(p, rest, 0);
}

static int
cue_cmd_postgap(struct cue_parse *p, char *rest)
{
    return cue_cmd_gap(p, rest, 1);
}

static int
cue_line(struct cue_parse *p, char *ln)
{
    static const struct {
        const char *kw;
        int (*cmd)(struct cue_parse *p, char *rest);
    } cmds[] = {
        { "REM", cue_cmd_rem },         { "FILE", cue_cmd_file },
        { "TRACK", cue_cmd_track },     { "INDEX", cue_cmd_index },
        { "PREGAP", cue_cmd_pregap },   { "POSTGAP", cue_cmd_postgap },
        { "FLAGS", cue_cmd_flags },     { "ISRC", cue_cmd_isrc },
        { "CATALOG", cue_cmd_catalog }, { "CDTEXTFILE", cue_cmd_cdtextfile },
    };
    char *rest = ln, *kw = cue_token(&rest);
    size_t k;

    if (!kw)
        return 0;
    for (k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
        if (strcasecmp(kw, cmds[k].kw) == 0)
            return cmds[k].cmd(p, rest);
    for (k = 0; k < CUE_NTEXT; k++)
        if (strcasecmp(kw, disc_cue_text[k].kw) == 0)
            return cue_cmd_text(p, disc_cue_text[k].f, rest);
    disc_warn_at(p->ctx, p->path, p->line, "unknown command \"%.40s\" ignored",
                 kw);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader: companion files                                             */

/* An error a core call reported about a file the sheet names, as one
 * line: "sheet.cue:LINE: WHAT \"name\": <the core's message>". */
static int
cue_err_file(struct cue_parse *p, int r, const char *what, const char *name)
{
    char msg[sizeof p->ctx->msg];

    if (r == DISC_E_NOMEM)
        return r;
    (void)snprintf(msg, sizeof msg, "%s", p->ctx->msg);
    return cue_err(p, r, "%s \"%.60s\": %s", what, name, msg);
}

static int
cue_open_files(struct cue_parse *p)
{
    size_t i, j;

    for (i = 0; i < p->nfile; i++) {
        struct cue_file *f = &p->file[i];
        char *path = NULL;
        int r;

        p->line = f->line;
        if (disc_path_escapes(f->name) &&
            !(p->ctx && (p->ctx->flags & DISC_CTX_OUTSIDE_PATHS)))
            return cue_err(p, DISC_E_FORMAT,
                           "FILE \"%.120s\" leads outside "
                           "the sheet's folder (allow with "
                           "--allow-outside-paths)",
                           f->name);
        r = disc_path_resolve(p->dir, f->name, &path);
        if (r == DISC_E_NOMEM)
            return cue_nomem(p);
        if (r < 0) {
            errno = ENOENT;
            return cue_err(p, DISC_E_IO, "FILE \"%.120s\" not found", f->name);
        }
        /* The same file named again (one file per FILE line in whipper's
         * sheets) shares one source. */
        for (j = 0; j < i; j++)
            if (p->file[j].type == f->type && p->file[j].src &&
                strcmp(p->file[j].src->name, path) == 0) {
                f->src = p->file[j].src;
                f->size = p->file[j].size;
            }
        if (f->src) {
            disc_free_mem(path);
            continue;
        }
        if (f->type == CUE_F_AUDIO) {
            int64_t bytes = 0;
            r = disc_open_audio(p->ctx, path, &f->src, &bytes);
            f->size = bytes;
        } else {
            r = disc_source_file_new(p->ctx, path, &f->src);
            if (r == 0)
                f->size = f->src->size;
        }
        disc_free_mem(path);
        if (r < 0) {
            f->src = NULL;
            return cue_err_file(p, r, "FILE", f->name);
        }
        disc_source_attach(p->d, f->src);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader: CDTEXTFILE                                                  */

/* Reads a CDTEXTFILE whole into *buf (disc_malloc'd); *packs and *len
 * get the packs in it, without the framing (a READ TOC header, a trailing
 * byte) that disc_cdtext_frame strips from every CD-TEXT source. */
static int
cue_load_cdt(struct cue_parse *p, uint8_t **buf, const uint8_t **packs,
             size_t *len)
{
    const char *name = p->cdtextfile;
    char *path = NULL;
    size_t n;
    FILE *fp;
    int r;

    *buf = NULL;
    p->line = p->cdtextfile_line;
    if (disc_path_escapes(name) &&
        !(p->ctx && (p->ctx->flags & DISC_CTX_OUTSIDE_PATHS)))
        return cue_err(p, DISC_E_FORMAT,
                       "CDTEXTFILE \"%.120s\" leads outside "
                       "the sheet's folder (allow with --allow-outside-paths)",
                       name);
    r = disc_path_resolve(p->dir, name, &path);
    if (r == DISC_E_NOMEM)
        return cue_nomem(p);
    if (r < 0)
        return cue_err(p, DISC_E_IO, "CDTEXTFILE \"%.120s\" not found", name);
    fp = fopen(path, "rb");
    disc_free_mem(path);
    if (!fp)
        return cue_err(p, DISC_E_IO, "CDTEXTFILE \"%.120s\": %s", name,
                       strerror(errno));
    *buf = disc_malloc(CUE_CDT_MAX + 1);
    if (!*buf) {
        (void)fclose(fp);
        return cue_nomem(p);
    }
    n = fread(*buf, 1, CUE_CDT_MAX + 1, fp);
    r = ferror(fp);
    (void)fclose(fp);
    if (r)
        return cue_err(p, DISC_E_IO, "CDTEXTFILE \"%.120s\": read error", name);
    if (n > CUE_CDT_MAX)
        return cue_err(p, DISC_E_FORMAT,
                       "CDTEXTFILE \"%.120s\" is larger "
                       "than 8 blocks of CD-TEXT",
                       name);
    *packs = *buf;
    *len = n;
    r = disc_cdtext_frame(p->ctx, packs, len);
    if (r < 0)
        return cue_err_file(p, r, "CDTEXTFILE", name);
    if (!*len)
        return cue_err(p, DISC_E_FORMAT,
                       "CDTEXTFILE \"%.120s\" holds no CD-TEXT pack", name);
    return 0;
}

/* 1 if a (from the sheet's text commands) says what b (from the packs)
 * says, allowing for the '"' -> '\'' replacement writers make. */
static int
cue_text_same(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (*a != *b && !(*a == '\'' && *b == '"'))
            return 0;
    return *a == *b;
}

static int
cue_apply_cdt(struct cue_parse *p)
{
    struct disc *tmp = NULL;
    uint8_t *buf = NULL;
    const uint8_t *packs = NULL;
    size_t len = 0;
    int b, t, f, r;

    r = cue_load_cdt(p, &buf, &packs, &len);
    if (r < 0) {
        disc_free_mem(buf);
        return r;
    }
    tmp = disc_new(p->ctx);
    if (!tmp) {
        disc_free_mem(buf);
        return DISC_E_NOMEM;
    }
    r = disc_cdtext_decode(p->ctx, tmp, packs, len);
    if (r < 0)
        r = cue_err_file(p, r, "CDTEXTFILE", p->cdtextfile);
    if (r == 0)
        r = disc_set_cdtext_raw(p->ctx, p->d, packs, len);
    /* The packs are the complete record; the text commands are what
     * readers without CDTEXTFILE support see.  Where both speak, the
     * packs win. */
    for (b = 0; r == 0 && b < DISC_CDTEXT_MAX_BLOCKS; b++) {
        const struct disc_cdtext_block *x = tmp->cdtext[b];
        if (!x)
            continue;
        if (!p->d->cdtext[b]) {
            r = disc_cdtext_set(p->ctx, p->d, b, 0, DISC_CDTEXT_TITLE, "");
            if (r == 0)
                r = disc_cdtext_set(p->ctx, p->d, b, 0, DISC_CDTEXT_TITLE,
                                    NULL);
        }
        for (t = 0; r == 0 && t <= DISC_MAX_TRACKS; t++)
            for (f = 0; r == 0 && f < DISC_CDTEXT_NFIELDS; f++) {
                const char *v = x->text[t][f];
                const char *cur = p->d->cdtext[b]->text[t][f];
                if (!v)
                    continue;
                if (cur && !cue_text_same(cur, v))
                    disc_warn(p->ctx,
                              "%s: CD-TEXT %s of %s%.0d differs "
                              "between the sheet and CDTEXTFILE; the file wins",
                              p->path,
                              disc_cdtext_field_name((enum disc_cdtext_field)f),
                              t ? "track " : "the disc", t);
                r = disc_cdtext_set(p->ctx, p->d, b, t,
                                    (enum disc_cdtext_field)f, v);
            }
        if (r == 0) {
            p->d->cdtext[b]->language = x->language;
            p->d->cdtext[b]->charset = x->charset;
            p->d->cdtext[b]->copyright = x->copyright;
            p->d->cdtext[b]->genre = x->genre;
        }
    }
    disc_free(tmp);
    disc_free_mem(buf);
    return r;
}

/* ------------------------------------------------------------------ */
/* Reader: the model                                                   */

static int
cue_build(struct cue_parse *p)
{
    struct disc *d = p->d;
    int i, n, s;

    d->ntracks = (uint8_t)p->ntrack;
    for (i = 0; i < p->ntrack; i++) {
        const struct cue_track *c = &p->track[i];
        struct disc_track *t = &d->track[i];
        struct disc_session *ss = &d->session[c->session - 1];

        t->number = (uint8_t)c->number;
        t->session = (uint8_t)c->session;
        t->mode = c->dt->mode;
        t->control = c->control;
        t->last_index = (uint8_t)c->last;
        for (n = 1; n <= c->last; n++)
            t->index[n] = c->lba[n];
        if (c->pregap > 0)
            t->index[0] = c->gen_start;
        else if (c->idx[0].set)
            t->index[0] = c->lba[0];
        else
            t->index[0] = c->lba[1];
        memcpy(t->isrc, c->isrc, sizeof t->isrc);
        if (!ss->number) {
            ss->number = (uint8_t)c->session;
            ss->first_track = t->number;
        }
        ss->last_track = t->number;
        if (c->dt->cdi)
            ss->type = DISC_TYPE_CDI;
        else if (cue_mode2_family(c->dt->mode) && ss->type != DISC_TYPE_CDI)
            ss->type = DISC_TYPE_XA;
    }
    for (s = 0; s < d->nsessions; s++)
        if (!d->session[s].number)
            return disc_error(p->ctx, DISC_E_FORMAT,
                              "%s: session %d has no track", p->path, s + 1);
    return 0;
}

/* Keeps REM LEAD-OUT/LEAD-IN/PREGAP lines that describe no session gap
 * (single-session sheets, DIC logs) as metadata, so nothing is lost. */
static int
cue_gap_leftovers(struct cue_parse *p)
{
    static const char *const names[3] = { "LEAD-OUT", "LEAD-IN", "PREGAP" };
    int s, k, r;

    for (s = 0; s <= DISC_MAX_SESSIONS + 1; s++) {
        if (s >= 2 && s <= p->session)
            continue;
        for (k = 0; k < 3; k++)
            if (p->gap[s].text[k]) {
                if (p->d->nmeta >= DISC_MAX_META)
                    continue;
                r = disc_meta_add(p->ctx, p->d, names[k], p->gap[s].text[k]);
                if (r < 0)
                    return r;
            }
    }
    return 0;
}

/* A last TRACK with EAC's placeholder datatype and no INDEX 01 is the
 * data track of a CD-Extra that was not ripped: the disc is read as its
 * audio session.  The placeholder's INDEX 00 becomes the lead-out (the
 * track before it ends there); a session the placeholder opens goes, and
 * FILEs after its INDEX 00 (or after its TRACK line, without one) hold
 * nothing that is read. */
static void
cue_drop_unripped(struct cue_parse *p)
{
    int ti = p->ntrack - 1;
    struct cue_track *t = &p->track[ti];
    int own_session = p->session_first[t->session] == ti + 1;
    char end[16];
    size_t i, n = 0;

    if (!t->unripped[0])
        return;
    for (i = 0; i < p->nitem; i++) {
        struct cue_item it = p->item[i];
        if (it.kind == CUE_IT_SESSION && own_session && it.arg == t->session)
            continue;
        if (i >= t->item && !t->idx[0].set)
            break;
        if (it.kind == CUE_IT_INDEX && it.arg == ti) {
            it.kind = CUE_IT_LEADOUT;
            p->item[n++] = it;
            break;
        }
        p->item[n++] = it;
    }
    p->nitem = n;
    if (own_session)
        p->session_first[p->session--] = 0;
    if (t->idx[0].set)
        disc_format_msf(t->idx[0].time, end, sizeof end);
    disc_warn_at(p->ctx, p->path, t->line,
                 "TRACK %02d \"%s\" is the placeholder for a data "
                 "track: the data session was not ripped and is left out "
                 "(TRACK %02d ends %s%s)",
                 t->number, t->unripped, t->number - 1,
                 t->idx[0].set ? "at the placeholder's INDEX 00, "
                               : "with its FILE",
                 t->idx[0].set ? end : "");
    p->ntrack--;
}

static void
cue_parse_free(struct cue_parse *p)
{
    size_t i;
    int s, k;

    for (i = 0; i < p->nfile; i++)
        disc_free_mem(p->file[i].name);
    disc_free_mem(p->file);
    disc_free_mem(p->item);
    disc_free_mem(p->dir);
    disc_free_mem(p->cdtextfile);
    for (s = 0; s <= DISC_MAX_SESSIONS + 1; s++)
        for (k = 0; k < 3; k++)
            disc_free_mem(p->gap[s].text[k]);
    disc_free_mem(p);
}

static int
cue_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct disc_text txt;
    struct cue_parse *p;
    char *ln;
    int r = 0, s;

    p = disc_calloc(1, sizeof *p);
    if (!p)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    p->ctx = ctx;
    p->d = d;
    p->path = path;
    p->cur_file = -1;
    p->session = 1;
    for (s = 0; s <= DISC_MAX_SESSIONS + 1; s++) {
        p->gap[s].leadout = -1;
        p->gap[s].leadin = -1;
        p->gap[s].pregap = -1;
    }
    p->dir = disc_path_dir(path);
    if (!p->dir) {
        cue_parse_free(p);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    r = disc_text_open(ctx, path, &txt);
    if (r < 0) {
        cue_parse_free(p);
        return r;
    }
    while (r == 0 && (ln = disc_text_next(&txt)) != NULL) {
        p->line = txt.line;
        r = cue_line(p, ln);
    }
    if (r == 0) {
        p->line = txt.line ? txt.line : 1;
        if (!p->ntrack)
            r = cue_err(p, DISC_E_FORMAT, "the sheet has no TRACK");
        else
            r = cue_track_done(p, 1);
    }
    disc_text_close(&txt);
    if (r == 0) {
        cue_drop_unripped(p);
        /* The last REM SESSION with a FILE but no TRACK: nothing later
         * checks it (the next REM SESSION does for the others). */
        if (!p->session_first[p->session])
            r = cue_err(p, DISC_E_FORMAT, "session %02d has no track",
                        p->session);
    }
    if (r == 0) {
        d->nsessions = (uint8_t)p->session;
        r = cue_open_files(p);
    }
    if (r == 0)
        r = disc_cue_layout(p);
    if (r == 0)
        r = cue_build(p);
    if (r == 0)
        r = cue_gap_leftovers(p);
    if (r == 0 && p->cdtextfile)
        r = cue_apply_cdt(p);
    cue_parse_free(p);
    return r;
}

/* ------------------------------------------------------------------ */

const struct disc_format disc_fmt_cue = {
    .name = "cue",
    .description = "CUE sheet with BIN files (CDRWin, EAC, redump)",
    .extensions = "cue",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_MULTISESSION |
            DISC_CAP_SUBCHANNEL | DISC_CAP_CDTEXT | DISC_CAP_CDTEXT_LANGS |
            DISC_CAP_INDEXES | DISC_CAP_ISRC_MCN | DISC_CAP_HTOA |
            DISC_CAP_TRACK_FILES | DISC_CAP_META,
    .sub_on_request = 1,
    .probe = cue_probe,
    .read = cue_read,
    .write = disc_cue_write,
    .sheet = disc_cue_sheet,
};
