/* cue.c - CUE sheets with BIN files: read every dialect, write one or split.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: FORMATS.md sections 1.1, 3 (CUE), 6.5 (CDTEXTFILE), 7.1-7.5,
 * 9.1; the cue sheet rules exercised by xiph/flac test/cuesheets (FLAC's
 * grabbag cuesheet parser); docs/formats/cue.md.
 * Dialects: CDRWin, EAC (every gap style), redump split, DIC/Aaru
 * multi-session, cdrdao toc2cue, chdman, hand-written sheets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disc_format.h"

#define CUE_MAX_FILES 1024             /* FILE lines in one sheet */
#define CUE_CDT_MAX (8 * 256 * 18 + 5) /* CDTEXTFILE: 8 blocks + header */
#define CUE_LEADOUT1 6750              /* lead-out of session 1 (01:30:00) */
#define CUE_LEADOUT_N 2250 /* lead-out of later sessions (00:30:00) */
#define CUE_LEADIN 4500    /* lead-in of sessions >= 2 (01:00:00) */

/* ------------------------------------------------------------------ */
/* Small text helpers shared by reader and writer                      */

static int
cue_is_blank(int c)
{
    return c == ' ' || c == '\t';
}

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

/* Splits the body of a REM line into key and value.  "KEY value" gives
 * KEY; a phrase of two to four words ending in a colon ("ORIGINAL
 * MEDIA-TYPE: CD", "Ripping Tool: x") gives the phrase without the colon.
 * The key is upper-cased and returned disc_malloc'd in *key; *value
 * points into body (verbatim).  Returns 0, or DISC_E_NOMEM. */
static int
cue_rem_split(const char *body, char **key, const char **value)
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

/* 1 when a REM key carries layout, not metadata. */
static int
cue_rem_structural(const char *key)
{
    return strcmp(key, "SESSION") == 0 || strcmp(key, "LEAD-OUT") == 0 ||
           strcmp(key, "LEAD-IN") == 0 || strcmp(key, "PREGAP") == 0 ||
           strcmp(key, "SINGLE-DENSITY") == 0 ||
           strcmp(key, "HIGH-DENSITY") == 0;
}

/* ------------------------------------------------------------------ */
/* Datatypes                                                           */

struct cue_dtype {
    const char *name;
    enum disc_track_mode mode;
    enum disc_data_layout layout;
    uint32_t stride;
    int cdg; /* 2352 audio + 96 interleaved P-W */
    int cdi; /* CD-i session */
};

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

static int
cue_mode2_family(enum disc_track_mode m)
{
    return m == DISC_MODE_MODE2 || m == DISC_MODE_MODE2_FORM1 ||
           m == DISC_MODE_MODE2_FORM2 || m == DISC_MODE_MODE2_MIXED;
}

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

enum cue_ftype { CUE_F_BINARY, CUE_F_MOTOROLA, CUE_F_AUDIO };

struct cue_file {
    char *name;    /* as written in the sheet */
    unsigned line; /* its FILE line */
    enum cue_ftype type;
    struct disc_source *src; /* owned by the disc once opened */
    int64_t size;            /* bytes (PCM bytes for audio files) */
    int32_t last_time;       /* last INDEX time seen in this FILE, -1 none */
};

struct cue_index {
    int32_t time; /* frames from the start of its FILE */
    int file;
    unsigned line;
    int set;
};

struct cue_track {
    int number;
    unsigned line; /* TRACK line */
    int session;
    const struct cue_dtype *dt;
    uint8_t control;
    int flags_seen, isrc_seen, scms;
    char isrc[13];
    int32_t pregap, postgap; /* generated sectors (PREGAP/POSTGAP) */
    int postgap_seen;
    int nindex, last; /* indexes seen, highest number */
    struct cue_index idx[DISC_MAX_INDEX + 1];
    disc_lba lba[DISC_MAX_INDEX + 1];
    disc_lba gen_start; /* LBA of the generated pregap */
};

/* REM LEAD-OUT / LEAD-IN / PREGAP lines that describe one session gap
 * (DIC, Aaru), in frames; -1 when absent. */
struct cue_gap {
    int32_t leadout, leadin, pregap;
    unsigned line;
    char *text[3]; /* the values as written, for metadata fallback */
};

enum cue_item_kind { CUE_IT_FILE, CUE_IT_INDEX, CUE_IT_SESSION };

/* The layout-relevant lines in sheet order. */
struct cue_item {
    enum cue_item_kind kind;
    int arg;   /* FILE: file; INDEX: track (array index); SESSION: number */
    int index; /* INDEX number */
};

struct cue_parse {
    struct disc_ctx *ctx;
    struct disc *d;
    const char *path;
    char *dir;
    unsigned line;
    struct cue_file *file;
    size_t nfile, capfile;
    int cur_file;
    struct cue_track track[DISC_MAX_TRACKS];
    int ntrack;
    struct cue_item *item;
    size_t nitem, capitem;
    int session;                               /* current session number */
    int session_first[DISC_MAX_SESSIONS + 2];  /* first track per session */
    struct cue_gap gap[DISC_MAX_SESSIONS + 2]; /* gap before session n */
    int catalog_seen;
    char *cdtextfile;
    unsigned cdtextfile_line;
    int meta_full_warned;
};

static int cue_err(struct cue_parse *p, int code, const char *fmt, ...)
    DISC_PRINTF(3, 4);

/* An error about the current line: "sheet.cue:12: ...". */
static int
cue_err(struct cue_parse *p, int code, const char *fmt, ...)
{
    char msg[224];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return disc_error(p->ctx, code, "%s:%u: %s", p->path, p->line, msg);
}

static int
cue_nomem(struct cue_parse *p)
{
    return disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
}

static int
cue_add_item(struct cue_parse *p, enum cue_item_kind kind, int arg, int index)
{
    if (p->nitem == p->capitem) {
        size_t cap = p->capitem ? p->capitem * 2 : 64;
        struct cue_item *n = disc_realloc(p->item, cap * sizeof *n);
        if (!n)
            return cue_nomem(p);
        p->item = n;
        p->capitem = cap;
    }
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
    if (p->nfile == p->capfile) {
        size_t cap = p->capfile ? p->capfile * 2 : 8;
        struct cue_file *n = disc_realloc(p->file, cap * sizeof *n);
        if (!n)
            return cue_nomem(p);
        p->file = n;
        p->capfile = cap;
    }
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

/* A track must have its INDEX 01 before another TRACK, a session change
 * or the end of the sheet. */
static int
cue_track_done(struct cue_parse *p)
{
    struct cue_track *t = cue_cur(p);
    unsigned line = p->line;
    int r = 0;

    if (t && !t->idx[1].set) {
        p->line = t->line;
        r = cue_err(p, DISC_E_FORMAT, "TRACK %02d has no INDEX 01", t->number);
        p->line = line;
    }
    return r;
}

static int
cue_cmd_track(struct cue_parse *p, char *rest)
{
    char *num = cue_token(&rest), *type = cue_token(&rest);
    struct cue_track *t;
    size_t k;
    long n;
    int r;

    if (!num)
        return cue_err(p, DISC_E_FORMAT, "TRACK has no number");
    if (!cue_all_digits(num) || strlen(num) > 3)
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK number \"%.20s\" is not a number", num);
    n = strtol(num, NULL, 10);
    if (n < 1 || n > DISC_MAX_TRACKS)
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK number %ld is out of range (01-99)", n);
    if (!type)
        return cue_err(p, DISC_E_FORMAT, "TRACK %02ld has no datatype", n);
    if (*rest)
        return cue_err(p, DISC_E_FORMAT,
                       "unexpected \"%.40s\" after the datatype", rest);
    r = cue_track_done(p);
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
    for (k = 0; k < CUE_NDTYPES; k++)
        if (strcasecmp(type, cue_dtypes[k].name) == 0)
            t->dt = &cue_dtypes[k];
    if (!t->dt && strcasecmp(type, "MODEx/2xxx") == 0)
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK %02ld: unknown datatype "
                       "\"%.40s\" (EAC's placeholder for a data track it did "
                       "not rip; remove that TRACK to use the audio tracks)",
                       n, type);
    if (!t->dt)
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK %02ld: unknown datatype "
                       "\"%.40s\" (AUDIO, CDG, MODE1/2048, MODE1/2352, "
                       "MODE2/2048, MODE2/2324, MODE2/2336, MODE2/2352, "
                       "CDI/2336 or CDI/2352 expected)",
                       n, type);
    t->number = (int)n;
    t->line = p->line;
    t->session = p->session;
    t->control = t->dt->mode == DISC_MODE_AUDIO ? 0 : DISC_CTL_DATA;
    if (!p->session_first[p->session])
        p->session_first[p->session] = p->ntrack + 1; /* 1-based */
    p->ntrack++;
    return 0;
}

static int
cue_cmd_index(struct cue_parse *p, char *rest)
{
    struct cue_track *t = cue_cur(p);
    char *num = cue_token(&rest), *tm = cue_token(&rest);
    struct cue_file *f;
    int32_t time;
    long n;
    int r;

    if (!t)
        return cue_err(p, DISC_E_FORMAT, "INDEX before any TRACK");
    if (!num)
        return cue_err(p, DISC_E_FORMAT, "INDEX has no number");
    if (!cue_all_digits(num) || strlen(num) > 3)
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX number \"%.20s\" is not a number", num);
    n = strtol(num, NULL, 10);
    if (n > DISC_MAX_INDEX)
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX number %ld is out of range (00-99)", n);
    if (!tm)
        return cue_err(p, DISC_E_FORMAT, "INDEX %02ld has no time", n);
    if (*rest)
        return cue_err(p, DISC_E_FORMAT,
                       "unexpected \"%.40s\" after the INDEX time", rest);
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
    if (t->postgap_seen)
        return cue_err(p, DISC_E_FORMAT, "INDEX after POSTGAP");
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
    struct cue_track *t = cue_cur(p);
    const char *what = post ? "POSTGAP" : "PREGAP";
    char *tm = cue_token(&rest);
    int32_t len = 0;
    int r;

    if (!t)
        return cue_err(p, DISC_E_FORMAT, "%s before any TRACK", what);
    r = cue_time(p, what, tm, &len);
    if (r < 0)
        return r;
    if (*rest)
        return cue_err(p, DISC_E_FORMAT,
                       "unexpected \"%.40s\" after the %s time", rest, what);
    if (post) {
        if (t->postgap_seen)
            return cue_err(p, DISC_E_FORMAT, "POSTGAP given twice");
        if (!t->idx[1].set)
            return cue_err(p, DISC_E_FORMAT,
                           "POSTGAP must follow the track's INDEX 01");
        t->postgap_seen = 1;
        t->postgap = len;
    } else {
        if (t->nindex)
            return cue_err(p, DISC_E_FORMAT,
                           "PREGAP must come before the track's first INDEX");
        if (t->pregap)
            return cue_err(p, DISC_E_FORMAT, "PREGAP given twice");
        t->pregap = len;
    }
    return 0;
}

static int
cue_meta(struct cue_parse *p, const char *key, const char *value)
{
    struct cue_track *t = cue_cur(p);
    char *full = NULL;
    const char *k = key;
    int r;

    if (p->d->nmeta >= DISC_MAX_META) {
        if (!p->meta_full_warned)
            disc_warn(p->ctx,
                      "%s:%u: more than %d REM lines; this and "
                      "later ones are ignored",
                      p->path, p->line, DISC_MAX_META);
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
    struct cue_track *t = cue_cur(p);
    char *tok;

    if (!t)
        return cue_err(p, DISC_E_FORMAT, "FLAGS before any TRACK");
    if (t->flags_seen)
        return cue_err(p, DISC_E_FORMAT, "FLAGS given twice for TRACK %02d",
                       t->number);
    if (t->nindex)
        return cue_err(p, DISC_E_FORMAT,
                       "FLAGS must come before the track's first INDEX");
    t->flags_seen = 1;
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
                int r = cue_meta(p, "FLAGS", "SCMS");
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
    struct cue_track *t = cue_cur(p);
    char *v = cue_unquote(rest), code[13];
    size_t n = strlen(v), k = 0;

    if (!t)
        return cue_err(p, DISC_E_FORMAT, "ISRC before any TRACK");
    if (t->isrc_seen)
        return cue_err(p, DISC_E_FORMAT, "ISRC given twice for TRACK %02d",
                       t->number);
    if (t->nindex)
        return cue_err(p, DISC_E_FORMAT,
                       "ISRC must come before the track's first INDEX");
    t->isrc_seen = 1;
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

    if (!*v)
        return 0; /* an empty string says nothing */
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
    r = cue_track_done(p);
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
cue_cmd_rem(struct cue_parse *p, const char *body)
{
    char *key = NULL;
    const char *value;
    int r;

    r = cue_rem_split(body, &key, &value);
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
cue_line(struct cue_parse *p, char *ln)
{
    static const struct {
        const char *kw;
        enum disc_cdtext_field f;
    } text[] = {
        { "TITLE", DISC_CDTEXT_TITLE },
        { "PERFORMER", DISC_CDTEXT_PERFORMER },
        { "SONGWRITER", DISC_CDTEXT_SONGWRITER },
        { "COMPOSER", DISC_CDTEXT_COMPOSER },
        { "ARRANGER", DISC_CDTEXT_ARRANGER },
        { "MESSAGE", DISC_CDTEXT_MESSAGE },
        { "DISC_ID", DISC_CDTEXT_DISCID },
        { "GENRE", DISC_CDTEXT_GENRE },
        { "UPC_EAN", DISC_CDTEXT_UPC_ISRC },
    };
    char *rest = ln, *kw = cue_token(&rest);
    size_t k;

    if (!kw)
        return 0;
    if (strcasecmp(kw, "REM") == 0)
        return cue_cmd_rem(p, rest);
    if (strcasecmp(kw, "FILE") == 0)
        return cue_cmd_file(p, rest);
    if (strcasecmp(kw, "TRACK") == 0)
        return cue_cmd_track(p, rest);
    if (strcasecmp(kw, "INDEX") == 0)
        return cue_cmd_index(p, rest);
    if (strcasecmp(kw, "PREGAP") == 0)
        return cue_cmd_gap(p, rest, 0);
    if (strcasecmp(kw, "POSTGAP") == 0)
        return cue_cmd_gap(p, rest, 1);
    if (strcasecmp(kw, "FLAGS") == 0)
        return cue_cmd_flags(p, rest);
    if (strcasecmp(kw, "ISRC") == 0)
        return cue_cmd_isrc(p, rest);
    if (strcasecmp(kw, "CATALOG") == 0)
        return cue_cmd_catalog(p, rest);
    if (strcasecmp(kw, "CDTEXTFILE") == 0)
        return cue_cmd_cdtextfile(p, rest);
    for (k = 0; k < sizeof text / sizeof text[0]; k++)
        if (strcasecmp(kw, text[k].kw) == 0)
            return cue_cmd_text(p, text[k].f, rest);
    disc_warn(p->ctx, "%s:%u: unknown command \"%.40s\" ignored", p->path,
              p->line, kw);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader: companion files                                             */

static int
cue_open_files(struct cue_parse *p)
{
    size_t i, j;

    for (i = 0; i < p->nfile; i++) {
        struct cue_file *f = &p->file[i];
        char *path = NULL;
        int r;

        p->line = f->line;
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
            char msg[sizeof p->ctx->msg];
            f->src = NULL;
            if (r == DISC_E_NOMEM)
                return r;
            (void)snprintf(msg, sizeof msg, "%s", p->ctx->msg);
            return cue_err(p, r, "FILE \"%.60s\": %s", f->name, msg);
        }
        disc_source_attach(p->d, f->src);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader: layout                                                      */

/* The walk over the sheet that turns file times into disc LBAs.  A
 * "segment" is a run of one track's sectors stored contiguously in the
 * current FILE, from file time seg_time (byte seg_byte) at LBA seg_lba. */
struct cue_walk {
    int file;
    int open;      /* a segment is open */
    int seg_track; /* track (array index) of the open segment */
    int32_t seg_time;
    int64_t seg_byte;
    disc_lba seg_lba;
    int cur_track;     /* last track that had an INDEX, -1 */
    int post;          /* track whose POSTGAP is still to be placed, -1 */
    int pending;       /* session whose boundary is not placed yet, 0 */
    int32_t last_time; /* time of the last INDEX walked in this FILE */
};

/* Time at which the current FILE runs out for sectors of stride bytes
 * stored from the open segment's start. */
static int32_t
cue_file_end_time(const struct cue_parse *p, const struct cue_walk *w,
                  uint32_t stride)
{
    const struct cue_file *f = &p->file[w->file];
    int64_t left = f->size - w->seg_byte;

    if (left < 0)
        left = 0;
    return w->seg_time + (int32_t)(left / stride);
}

static int
cue_close_seg(struct cue_parse *p, struct cue_walk *w, int32_t t_end)
{
    const struct cue_track *t;
    const struct cue_file *f = &p->file[w->file];
    struct disc_extent e;
    int64_t bytes;
    int32_t n;
    int r;

    if (!w->open || t_end <= w->seg_time)
        return 0;
    t = &p->track[w->seg_track];
    n = t_end - w->seg_time;
    bytes = (int64_t)n * t->dt->stride;
    if (w->seg_byte + bytes > f->size) {
        p->line = f->line;
        return cue_err(p, DISC_E_RANGE,
                       "FILE \"%.100s\" (%lld bytes) is "
                       "too short: TRACK %02d needs bytes up to %lld",
                       f->name, (long long)f->size, t->number,
                       (long long)w->seg_byte + (long long)bytes);
    }
    if (f->type == CUE_F_AUDIO && t->dt->stride != DISC_SECTOR_RAW) {
        p->line = f->line;
        return cue_err(p, DISC_E_FORMAT,
                       "TRACK %02d (%s) cannot be stored "
                       "in the audio file \"%.100s\"",
                       t->number, t->dt->name, f->name);
    }
    memset(&e, 0, sizeof e);
    e.lba = w->seg_lba;
    e.count = (uint32_t)n;
    e.src = f->src;
    e.offset = w->seg_byte;
    e.stride = t->dt->stride;
    e.data = f->type == CUE_F_AUDIO ? DISC_DATA_RAW : t->dt->layout;
    if (f->type == CUE_F_MOTOROLA && t->dt->mode == DISC_MODE_AUDIO)
        e.flags = DISC_EXT_SWAP;
    e.sub = t->dt->cdg ? DISC_SUBL_INTERLEAVED : DISC_SUBL_NONE;
    r = disc_extent_add(p->ctx, p->d, &e);
    if (r < 0)
        return r;
    w->seg_byte += bytes;
    w->seg_lba += n;
    w->seg_time = t_end;
    return 0;
}

/* Generated (unstored) sectors for a PREGAP or POSTGAP of track ti. */
static int
cue_gen(struct cue_parse *p, struct cue_walk *w, int ti, int32_t n)
{
    struct disc_extent e;
    int r;

    if (n <= 0)
        return 0;
    memset(&e, 0, sizeof e);
    e.lba = w->seg_lba;
    e.count = (uint32_t)n;
    e.data = DISC_DATA_GEN;
    e.gen = disc_gen_for_mode(p->track[ti].dt->mode);
    r = disc_extent_add(p->ctx, p->d, &e);
    if (r < 0)
        return r;
    w->seg_lba += n;
    return 0;
}

static int
cue_place_postgap(struct cue_parse *p, struct cue_walk *w)
{
    int r = 0;

    if (w->post >= 0) {
        r = cue_gen(p, w, w->post, p->track[w->post].postgap);
        w->post = -1;
    }
    return r;
}

/* Closes the current FILE: the open segment runs to its end. */
static int
cue_finish_file(struct cue_parse *p, struct cue_walk *w)
{
    const struct cue_file *f;
    const struct cue_track *t;
    int64_t left;
    int32_t end;
    int r;

    if (w->file < 0)
        return 0;
    f = &p->file[w->file];
    p->line = f->line;
    /* Nothing in this FILE belongs to a track: no INDEX in it, and no
     * track running on from the previous FILE. */
    if (!w->open)
        return cue_err(p, DISC_E_FORMAT, "FILE \"%.100s\" holds no track",
                       f->name);
    t = &p->track[w->seg_track];
    left = f->size - w->seg_byte;
    end = cue_file_end_time(p, w, t->dt->stride);
    if (left > 0 && left % t->dt->stride)
        disc_warn(p->ctx,
                  "%s:%u: FILE \"%.100s\" ends with %lld bytes that "
                  "are not a whole %u-byte sector; ignored",
                  p->path, f->line, f->name, (long long)(left % t->dt->stride),
                  t->dt->stride);
    if (f->last_time >= 0 && end <= f->last_time) {
        char a[16], b[16];
        return cue_err(p, DISC_E_RANGE,
                       "FILE \"%.100s\" is too short: it "
                       "ends at %s, but TRACK %02d has an INDEX at %s",
                       f->name, disc_format_msf(end, a, sizeof a), t->number,
                       disc_format_msf(f->last_time, b, sizeof b));
    }
    r = cue_close_seg(p, w, end);
    if (r < 0)
        return r;
    return cue_place_postgap(p, w);
}

/* Frames between a session's lead-out and its successor's first INDEX 01
 * from the REM length lines (DIC multi-BIN), or the standard gap. */
static int32_t
cue_gap_length(const struct cue_parse *p, int s)
{
    const struct cue_gap *g = &p->gap[s];
    int32_t lo = s == 2 ? CUE_LEADOUT1 : CUE_LEADOUT_N;

    /* DIC prints 01:30:00 / 01:00:00 / 00:02:00 for every session, even
     * where the real lead-out is 00:30:00; read that triple as "the
     * standard gap". */
    if (g->leadout == CUE_LEADOUT1 && g->leadin == CUE_LEADIN &&
        g->pregap == DISC_PREGAP)
        return lo + CUE_LEADIN + DISC_PREGAP;
    return (g->leadout >= 0 ? g->leadout : lo) +
           (g->leadin >= 0 ? g->leadin : CUE_LEADIN) +
           (g->pregap >= 0 ? g->pregap : DISC_PREGAP);
}

/* The lead-out of the session before session s as the sheet places it:
 * between FILEs (redump style; the first FILE of s starts the session). */
static int
cue_session_between(struct cue_parse *p, struct cue_walk *w, int s)
{
    const struct cue_track *ft = &p->track[p->session_first[s] - 1];
    int32_t gap = cue_gap_length(p, s), t1 = ft->idx[1].time;
    struct disc_session *prev = &p->d->session[s - 2];
    disc_lba lead = w->seg_lba;

    prev->leadout = lead;
    if (ft->idx[1].file != w->file) {
        p->line = ft->idx[1].line;
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX 01 of TRACK %02d, the first "
                       "track of session %02d, must be in its first FILE",
                       ft->number, s);
    }
    if (gap - t1 - ft->pregap < DISC_PREGAP) {
        p->line = ft->line;
        return cue_err(p, DISC_E_FORMAT,
                       "session %02d: a gap of %d sectors "
                       "after the lead-out leaves no room for the pregap of "
                       "TRACK %02d",
                       s, gap, ft->number);
    }
    w->seg_lba = lead + gap - t1 - ft->pregap;
    return 0;
}

/* The lead-out inside one FILE (single-file sheets: DIC _img.cue, Aaru,
 * IsoBuster): INDEX times are disc positions and the gap between the
 * sessions is not stored.  REM LEAD-OUT, when given, is the lead-out's
 * position; without it the standard gap is assumed (libMirage). */
static int
cue_session_inside(struct cue_parse *p, struct cue_walk *w, int s,
                   int32_t t_first)
{
    const struct cue_track *ft = &p->track[p->session_first[s] - 1];
    const struct cue_gap *g = &p->gap[s];
    const struct cue_file *f = &p->file[w->file];
    int32_t std =
        s == 2 ? DISC_SESSION_GAP : CUE_LEADOUT_N + CUE_LEADIN + DISC_PREGAP;
    int32_t L;
    int r;

    if (ft->idx[1].file != w->file) {
        p->line = ft->idx[1].line;
        return cue_err(p, DISC_E_FORMAT,
                       "INDEX 01 of TRACK %02d, the first "
                       "track of session %02d, must be in the same FILE as "
                       "its first INDEX",
                       ft->number, s);
    }
    if (g->leadout >= 0 && (g->leadin >= 0 || g->pregap >= 0)) {
        /* Length lines inside one FILE: the gap counts from the previous
         * session's data end, which is the first INDEX time here. */
        L = ft->idx[1].time + ft->pregap - cue_gap_length(p, s);
    } else if (g->leadout >= 0) {
        L = g->leadout;
    } else {
        L = ft->idx[1].time + ft->pregap - std;
    }
    if (L <= w->last_time || t_first - L < DISC_PREGAP) {
        char a[16];
        p->line = g->line ? g->line : ft->line;
        return cue_err(p, DISC_E_FORMAT,
                       "session %02d: lead-out of the "
                       "previous session at %s does not fit between its "
                       "last INDEX and TRACK %02d",
                       s, disc_format_msf(L < 0 ? 0 : L, a, sizeof a),
                       ft->number);
    }
    if (L > cue_file_end_time(p, w, p->track[w->seg_track].dt->stride)) {
        p->line = f->line;
        return cue_err(p, DISC_E_RANGE,
                       "FILE \"%.100s\" is too short for "
                       "session %02d's lead-out",
                       f->name, s - 1);
    }
    r = cue_close_seg(p, w, L);
    if (r == 0)
        r = cue_place_postgap(p, w);
    if (r < 0)
        return r;
    p->d->session[s - 2].leadout = w->seg_lba;
    /* The sectors from L to the next session are not in the file. */
    w->seg_lba += t_first - L;
    w->seg_time = t_first;
    w->open = 0;
    return 0;
}

static int
cue_walk_index(struct cue_parse *p, struct cue_walk *w, int ti, int n)
{
    struct cue_track *t = &p->track[ti];
    int32_t time = t->idx[n].time;
    int r;

    p->line = t->idx[n].line;
    if (ti != w->cur_track && w->pending &&
        p->session_first[w->pending] == ti + 1) {
        r = cue_session_inside(p, w, w->pending, time);
        w->pending = 0;
        if (r < 0)
            return r;
        p->line = t->idx[n].line;
    }
    {
        const struct cue_file *f = &p->file[w->file];
        uint32_t stride =
            w->open ? p->track[w->seg_track].dt->stride : t->dt->stride;
        int32_t end = cue_file_end_time(p, w, stride);
        if (time >= end) {
            char a[16], b[16];
            return cue_err(p, DISC_E_RANGE,
                           "INDEX %02d of TRACK %02d at %s "
                           "is beyond the end of FILE \"%.100s\" (%s)",
                           n, t->number, disc_format_msf(time, a, sizeof a),
                           f->name, disc_format_msf(end, b, sizeof b));
        }
    }
    if (ti != w->cur_track) {
        r = cue_close_seg(p, w, time);
        if (r == 0)
            r = cue_place_postgap(p, w);
        if (r < 0)
            return r;
        if (!w->open && time != w->seg_time) {
            char a[16];
            return cue_err(p, DISC_E_FORMAT,
                           "TRACK %02d, the first track "
                           "of session %02d, must start its FILE at "
                           "00:00:00, not %s",
                           t->number, t->session,
                           disc_format_msf(time, a, sizeof a));
        }
        t->gen_start = w->seg_lba;
        r = cue_gen(p, w, ti, t->pregap);
        if (r < 0)
            return r;
        w->open = 1;
        w->seg_track = ti;
        w->cur_track = ti;
    }
    t->lba[n] = w->seg_lba + (time - w->seg_time);
    w->last_time = time;
    if (n == t->last && t->postgap > 0)
        w->post = ti;
    return 0;
}

static int
cue_layout(struct cue_parse *p)
{
    struct cue_walk w;
    size_t i;
    int r = 0;

    memset(&w, 0, sizeof w);
    w.file = -1;
    w.cur_track = -1;
    w.post = -1;
    for (i = 0; i < p->nitem && r == 0; i++) {
        const struct cue_item *it = &p->item[i];
        switch (it->kind) {
        case CUE_IT_FILE:
            r = cue_finish_file(p, &w);
            if (r < 0)
                break;
            w.file = it->arg;
            w.seg_time = 0;
            w.seg_byte = 0;
            w.last_time = -1;
            if (w.pending) {
                r = cue_session_between(p, &w, w.pending);
                w.pending = 0;
                w.open = 0;
            } else {
                /* Data before the first INDEX of this FILE continues the
                 * current track (EAC "gaps appended" and similar). */
                w.open = w.cur_track >= 0;
                w.seg_track = w.cur_track;
            }
            break;
        case CUE_IT_INDEX:
            r = cue_walk_index(p, &w, it->arg, it->index);
            break;
        case CUE_IT_SESSION:
            w.pending = it->arg;
            break;
        }
    }
    if (r == 0)
        r = cue_finish_file(p, &w);
    if (r == 0)
        p->d->session[p->d->nsessions - 1].leadout = w.seg_lba;
    return r;
}

/* ------------------------------------------------------------------ */
/* Reader: CDTEXTFILE                                                  */

/* Reads the packs of a CDTEXTFILE (an optional 4-byte READ TOC header
 * and one trailing NUL are accepted, as libcdio does). */
static int
cue_load_cdt(struct cue_parse *p, uint8_t **packs, size_t *len)
{
    char *path = NULL;
    uint8_t *buf = NULL;
    size_t n = 0, off = 0;
    FILE *fp;
    int r;

    *packs = NULL;
    *len = 0;
    p->line = p->cdtextfile_line;
    r = disc_path_resolve(p->dir, p->cdtextfile, &path);
    if (r == DISC_E_NOMEM)
        return cue_nomem(p);
    if (r < 0)
        return cue_err(p, DISC_E_IO, "CDTEXTFILE \"%.120s\" not found",
                       p->cdtextfile);
    fp = fopen(path, "rb");
    if (!fp) {
        r = cue_err(p, DISC_E_IO, "CDTEXTFILE \"%.120s\": %s", p->cdtextfile,
                    strerror(errno));
        disc_free_mem(path);
        return r;
    }
    disc_free_mem(path);
    buf = disc_malloc(CUE_CDT_MAX + 1);
    if (!buf) {
        (void)fclose(fp);
        return cue_nomem(p);
    }
    n = fread(buf, 1, CUE_CDT_MAX + 1, fp);
    if (ferror(fp)) {
        (void)fclose(fp);
        disc_free_mem(buf);
        return cue_err(p, DISC_E_IO, "CDTEXTFILE \"%.120s\": read error",
                       p->cdtextfile);
    }
    (void)fclose(fp);
    if (n > CUE_CDT_MAX) {
        disc_free_mem(buf);
        return cue_err(p, DISC_E_FORMAT,
                       "CDTEXTFILE \"%.120s\" is larger "
                       "than 8 blocks of CD-TEXT",
                       p->cdtextfile);
    }
    if (n >= 4 && buf[0] < 0x80 &&
        ((size_t)disc_rd_be16(buf) + 2 == n ||
         (size_t)disc_rd_be16(buf) + 2 == n - 1))
        off = 4;
    if ((n - off) % 18 == 1 && buf[n - 1] == 0)
        n--;
    if ((n - off) % 18 != 0 || n == off) {
        disc_free_mem(buf);
        return cue_err(p, DISC_E_FORMAT,
                       "CDTEXTFILE \"%.120s\": %zu bytes "
                       "is not a whole number of 18-byte packs",
                       p->cdtextfile, n - off);
    }
    memmove(buf, buf + off, n - off);
    *packs = buf;
    *len = n - off;
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
    uint8_t *packs = NULL;
    size_t len = 0;
    int b, t, f, r;

    r = cue_load_cdt(p, &packs, &len);
    if (r < 0)
        return r;
    tmp = disc_new(p->ctx);
    if (!tmp) {
        disc_free_mem(packs);
        return DISC_E_NOMEM;
    }
    r = disc_cdtext_decode(p->ctx, tmp, packs, len);
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
    disc_free_mem(packs);
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
            r = cue_track_done(p);
    }
    disc_text_close(&txt);
    if (r == 0) {
        d->nsessions = (uint8_t)p->session;
        r = cue_open_files(p);
    }
    if (r == 0)
        r = cue_layout(p);
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
/* Writer: text                                                        */

struct cue_buf {
    char *p;
    size_t len, cap;
    int nomem;
    const char *eol;
};

static void cue_put(struct cue_buf *b, const char *fmt, ...) DISC_PRINTF(2, 3);

/* Appends one line (fmt, then the line end). */
static void
cue_put(struct cue_buf *b, const char *fmt, ...)
{
    size_t el = strlen(b->eol), need;
    va_list ap;
    int n;

    if (b->nomem)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->nomem = 1;
        return;
    }
    need = b->len + (size_t)n + el + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *q;
        while (cap < need)
            cap *= 2;
        q = disc_realloc(b->p, cap);
        if (!q) {
            b->nomem = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    va_start(ap, fmt);
    (void)vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    memcpy(b->p + b->len, b->eol, el + 1);
    b->len += el;
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
        b->nomem = 1;
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
    if (cue_rem_split(body, &k2, &v2) != 0) {
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
    disc_lba s, f;   /* stored sectors written to the BIN: [s, f) */
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
    int nfile;
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
        disc_lba last = t->index[t->last_index];

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
        w->s = a;
        while (w->s < t->index[1] && !disc_lba_stored(d, w->s))
            w->s++;
        w->pregap = w->s - a;
        w->f = e;
        while (w->f - 1 > last && !disc_lba_stored(d, w->f - 1))
            w->f--;
        w->postgap = e - w->f;
        w->dtype = cue_dtype_for(d, i, o->cooked, &w->layout);
        if (cue_has_sub(d, a, e)) {
            if (!o->sub) {
                r = disc_write_drop(ctx, o,
                                    "cue: the captured subchannel "
                                    "of track %d is dropped (--sub keeps "
                                    "audio subchannel in CDG tracks)",
                                    t->number);
            } else if (t->mode != DISC_MODE_AUDIO) {
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
    pl->nfile = o->split ? d->ntracks : 1;
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
 * sessions of one BIN the time goes on across the unstored gap (DIC
 * _img.cue convention: INDEX times are disc positions). */
static void
cue_times(const struct disc *d, struct cue_wplan *pl, int split)
{
    int64_t tpos = 0;
    int i;

    for (i = 0; i < d->ntracks; i++) {
        struct cue_wtrack *w = &pl->t[i];
        if (split) {
            w->file = i;
            w->tbase = 0;
            continue;
        }
        if (i > 0 && d->track[i].session != d->track[i - 1].session) {
            const struct disc_session *prev = disc_track_session(d, i - 1);
            tpos += (d->track[i].index[0] - prev->leadout);
        }
        w->file = 0;
        w->tbase = tpos;
        tpos += w->f - w->s;
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
    static const struct {
        enum disc_cdtext_field f;
        const char *kw;
        int bare;
        int disc_only;
    } k[] = {
        { DISC_CDTEXT_TITLE, "TITLE", 0, 0 },
        { DISC_CDTEXT_PERFORMER, "PERFORMER", 0, 0 },
        { DISC_CDTEXT_SONGWRITER, "SONGWRITER", 0, 0 },
        { DISC_CDTEXT_COMPOSER, "COMPOSER", 0, 0 },
        { DISC_CDTEXT_ARRANGER, "ARRANGER", 0, 0 },
        { DISC_CDTEXT_MESSAGE, "MESSAGE", 0, 0 },
        { DISC_CDTEXT_DISCID, "DISC_ID", 1, 0 },
        { DISC_CDTEXT_GENRE, "GENRE", 0, 0 },
        { DISC_CDTEXT_UPC_ISRC, "UPC_EAN", 1, 1 },
    };
    size_t i;

    for (i = 0; i < sizeof k / sizeof k[0]; i++) {
        const char *v = disc_cdtext_get(d, 0, track, k[i].f);
        if (!v || !*v || (k[i].disc_only && track))
            continue;
        cue_put_text(b, indent, k[i].kw, v, k[i].bare);
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

/* The three DIC-style length lines for a session gap that is not the
 * standard one (they must not spell DIC's constant triple, which readers
 * take as "standard"). */
static void
cue_gap_lines(int s, int32_t gap, int32_t *lo, int32_t *li)
{
    *li = CUE_LEADIN;
    *lo = gap - CUE_LEADIN - DISC_PREGAP;
    if (*lo < 0) {
        *li += *lo;
        *lo = 0;
    }
    if (s >= 3 && *lo == CUE_LEADOUT1 && *li == CUE_LEADIN) {
        (*lo)++;
        (*li)--;
    }
}

static int
cue_sheet(struct disc_ctx *ctx, const struct disc *d,
          const struct disc_write_opts *o, const struct cue_wplan *pl,
          struct cue_buf *b)
{
    char m[24];
    int i, r, file = -1;

    r = cue_put_meta(ctx, b, d, o, 0, "");
    if (r < 0)
        return r;
    if (d->mcn[0])
        cue_put(b, "CATALOG %s", d->mcn);
    if (pl->cdt)
        cue_put(b, "CDTEXTFILE \"%s\"", pl->cdt);
    cue_put_cdtext(b, d, 0, "");
    for (i = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        const struct cue_wtrack *w = &pl->t[i];
        int first_of_session = i == 0 || t->session != d->track[i - 1].session;
        int n;

        if (first_of_session && d->nsessions > 1) {
            if (i > 0) {
                const struct disc_session *prev = disc_track_session(d, i - 1);
                int32_t gap = t->index[1] - prev->leadout, lo, li;
                int32_t std = t->session == 2
                                  ? DISC_SESSION_GAP
                                  : CUE_LEADOUT_N + CUE_LEADIN + DISC_PREGAP;
                if (o->split) {
                    if (gap != std) {
                        cue_gap_lines(t->session, gap, &lo, &li);
                        cue_put(b, "REM LEAD-OUT %s",
                                disc_format_msf(lo, m, sizeof m));
                        cue_put(b, "REM SESSION %02d", t->session);
                        cue_put(b, "REM LEAD-IN %s",
                                disc_format_msf(li, m, sizeof m));
                        cue_put(b, "REM PREGAP %s",
                                disc_format_msf(DISC_PREGAP, m, sizeof m));
                    } else {
                        cue_put(b, "REM SESSION %02d", t->session);
                    }
                } else {
                    /* Position of the lead-out in the file's time. */
                    const struct cue_wtrack *pw = &pl->t[i - 1];
                    cue_put(
                        b, "REM LEAD-OUT %s",
                        disc_format_msf((int32_t)(pw->tbase + pw->f - pw->s), m,
                                        sizeof m));
                    cue_put(b, "REM SESSION %02d", t->session);
                }
            } else {
                cue_put(b, "REM SESSION %02d", t->session);
            }
        }
        if (w->file != file) {
            file = w->file;
            cue_put(b, "FILE \"%s\" BINARY", pl->name[file]);
        }
        cue_put(b, "  TRACK %02d %s", t->number, w->dtype);
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
        if (w->s < t->index[1])
            cue_put_time(b, "INDEX 00", w->tbase);
        for (n = 1; n <= t->last_index; n++) {
            char what[16];
            (void)snprintf(what, sizeof what, "INDEX %02d", n);
            cue_put_time(b, what, w->tbase + (t->index[n] - w->s));
        }
        if (w->postgap)
            cue_put_time(b, "POSTGAP", w->postgap);
    }
    if (b->nomem)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    return 0;
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
    size_t off = l == DISC_DATA_MODE1 || l == DISC_DATA_MODE2 ? 16 : 24;
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

static int
cue_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
          const struct disc_write_opts *o)
{
    struct cue_wplan *pl = NULL;
    struct cue_buf b;
    struct disc_outset *set = NULL;
    struct disc_out *cue = NULL, *cdt = NULL, *bin[DISC_MAX_TRACKS];
    char *full = NULL;
    int i, r;

    memset(&b, 0, sizeof b);
    memset(bin, 0, sizeof bin);
    b.eol = o->crlf ? "\r\n" : "\n";
    if (o->split && o->merge)
        return disc_error(ctx, DISC_E_ARG,
                          "--split and --merge exclude each other");
    pl = disc_calloc(1, sizeof *pl);
    if (!pl)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    r = cue_plan(ctx, d, o, pl);
    if (r < 0)
        goto fail;
    if (cue_names(d, path, o, pl) < 0) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    cue_times(d, pl, o->split);
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
    r = cue_sheet(ctx, d, o, pl, &b);
    if (r < 0)
        goto fail;

    r = disc_outset_new(ctx, d, o->force, &set);
    if (r < 0)
        goto fail;
    r = disc_outset_open(ctx, set, path, &cue);
    for (i = 0; r == 0 && i < pl->nfile; i++) {
        full = disc_path_join(pl->dir, pl->name[i]);
        if (!full) {
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
            break;
        }
        r = disc_outset_open(ctx, set, full, &bin[i]);
        disc_free_mem(full);
        full = NULL;
    }
    if (r == 0 && pl->cdt) {
        full = disc_path_join(pl->dir, pl->cdt);
        r = full ? disc_outset_open(ctx, set, full, &cdt)
                 : disc_error(ctx, DISC_E_NOMEM, "out of memory");
        disc_free_mem(full);
        full = NULL;
        if (r == 0)
            r = disc_out_write(ctx, cdt, pl->packs, pl->npacks);
    }
    for (i = 0; r == 0 && i < d->ntracks; i++) {
        const struct cue_wtrack *w = &pl->t[i];
        struct disc_out *out = bin[w->file];
        uint32_t n = (uint32_t)(w->f - w->s);

        if (w->layout != DISC_DATA_RAW) {
            r = cue_copy_cooked(ctx, d, o, out, d->track[i].number, w->s, n,
                                w->layout);
        } else {
            struct disc_copy c;
            memset(&c, 0, sizeof c);
            c.main = out;
            c.layout = DISC_DATA_RAW;
            c.sub_inline = w->cdg;
            r = disc_out_copy_sectors(ctx, d, w->s, n, &c);
        }
        ctx->progress_done += w->pregap + w->postgap;
    }
    if (r == 0)
        r = disc_out_write(ctx, cue, b.p, b.len);
    if (r == 0) {
        r = disc_outset_commit(ctx, set);
        set = NULL;
    }
fail:
    disc_outset_abort(set);
    disc_free_mem(b.p);
    cue_plan_free(pl);
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
    .write = cue_write,
};
