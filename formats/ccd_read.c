/* ccd_read.c - CloneCD control file (.ccd) with its raw image (.img)
 * and deinterleaved subchannel (.sub): probe, reader and the format's
 * descriptor (the writer is ccd_write.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/ccd.md (syntax, keys, entry order, reader
 * layouts, IMG/SUB layout, what libMirage needs, decisions and quirks),
 * docs/formats/cd.md (full TOC, CD-TEXT packs, session gaps, HTOA);
 * DiscImageCreator's CCD output as the model to match.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ccd.h"

/* Bounds on what a control file may declare.  A READ TOC format 2
 * response holds at most (65535 - 2) / 11 descriptors; real discs use a
 * few hundred at most.  CD-TEXT has at most 8 blocks of 256 packs. */
#define CCD_MAX_ENTRIES 2048
#define CCD_MAX_PACKS 2048      /* DISC_CDTEXT_MAX_BLOCKS x 256 */
#define CCD_LBA_LIMIT 10000000L /* sanity bound for ALBA, PLBA, INDEX */

enum ccd_section {
    CCD_SEC_NONE = 0,
    CCD_SEC_CLONECD,
    CCD_SEC_DISC,
    CCD_SEC_CDTEXT,
    CCD_SEC_SESSION,
    CCD_SEC_ENTRY,
    CCD_SEC_TRACK,
    CCD_SEC_UNKNOWN
};

/* [Entry] keys, in the order DiscImageCreator writes them. */
enum ccd_ekey {
    CCD_E_SESSION = 0,
    CCD_E_POINT,
    CCD_E_ADR,
    CCD_E_CONTROL,
    CCD_E_TRACKNO,
    CCD_E_AMIN,
    CCD_E_ASEC,
    CCD_E_AFRAME,
    CCD_E_ALBA,
    CCD_E_ZERO,
    CCD_E_PMIN,
    CCD_E_PSEC,
    CCD_E_PFRAME,
    CCD_E_PLBA,
    CCD_E_NKEYS
};

#define CCD_BIT(k) (1u << (k))
#define CCD_AMSF_BITS                                                          \
    (CCD_BIT(CCD_E_AMIN) | CCD_BIT(CCD_E_ASEC) | CCD_BIT(CCD_E_AFRAME))
#define CCD_PMSF_BITS                                                          \
    (CCD_BIT(CCD_E_PMIN) | CCD_BIT(CCD_E_PSEC) | CCD_BIT(CCD_E_PFRAME))

static const struct ccd_ekey_def {
    const char *name;
    long min, max; /* accepted range */
    int hex;       /* written 0x.. (docs/formats/ccd.md) */
} ccd_ekeys[CCD_E_NKEYS] = {
    { "Session", 1, DISC_MAX_SESSIONS, 0 },
    { "Point", 0, 0xFF, 1 },
    { "ADR", 0, 0x0F, 1 },
    { "Control", 0, 0x0F, 1 },
    { "TrackNo", 0, 0xFF, 0 },
    { "AMin", 0, 0xFF, 0 },
    { "ASec", 0, 0xFF, 0 },
    { "AFrame", 0, 0xFF, 0 },
    { "ALBA", -CCD_LBA_LIMIT, CCD_LBA_LIMIT, 0 },
    { "Zero", 0, 0xFF, 0 },
    { "PMin", 0, 0xFF, 0 },
    { "PSec", 0, 0xFF, 0 },
    { "PFrame", 0, 0xFF, 0 },
    { "PLBA", -CCD_LBA_LIMIT, CCD_LBA_LIMIT, 0 },
};

/* How a Point/ADR/Control value was written. */
enum ccd_radix {
    CCD_RADIX_PREFIXED = 0, /* "0x1a": hexadecimal, unambiguous */
    CCD_RADIX_LETTERS,      /* "1a": bare, but only hex can read it */
    CCD_RADIX_DIGITS        /* "10": bare digits, decimal or hex */
};

struct ccd_entry {
    unsigned line;              /* [Entry n] header line; 0: absent */
    unsigned have;              /* CCD_BIT(k): key k was given */
    long v[CCD_E_NKEYS];        /* values (hex keys: the hex reading) */
    long dec[CCD_E_NKEYS];      /* hex keys: the decimal reading */
    uint8_t radix[CCD_E_NKEYS]; /* hex keys: enum ccd_radix */
};

struct ccd_track {
    unsigned line; /* [TRACK n] header line; 0: absent */
    long mode;     /* MODE=, -1 when absent */
    unsigned mode_line;
    long index[DISC_MAX_INDEX + 1];
    unsigned index_line[DISC_MAX_INDEX + 1]; /* 0: INDEX k not given */
    char isrc[16];
    unsigned isrc_line;
    char flags[48]; /* DiscImageCreator's FLAGS= extension */
    unsigned flags_line;
};

/* Everything a control file says, before it becomes a disc. */
struct ccd_parse {
    struct disc_ctx *ctx;
    const char *path;
    int sec;     /* enum ccd_section of the current section */
    long secnum; /* its number ([Entry n], [TRACK n] ...) */
    unsigned clonecd_line, disc_line, cdtext_line;
    long version;
    long tocentries, sessions, scrambled, cdtextlen, npacks; /* -1: none */
    unsigned tocentries_line, sessions_line, cdtextlen_line, npacks_line;
    char catalog[20];
    unsigned catalog_line;
    uint8_t (*pack)[16]; /* [CDText] Entry i payloads (CCD_MAX_PACKS) */
    unsigned *pack_line; /* line of Entry i; 0: absent */
    long maxpack;        /* highest Entry i seen, -1: none */
    struct ccd_entry *entry;
    size_t nentry, capentry; /* nentry: highest [Entry n] + 1 */
    unsigned session_line[DISC_MAX_SESSIONS + 1];
    struct ccd_track trk[DISC_MAX_TRACKS + 1]; /* by track number */
};

/* What the entries say about one session. */
struct ccd_sinfo {
    int a0, a1, a2;   /* entry indexes of A0/A1/A2 (ADR 1), -1: none */
    int first, last;  /* track numbers from the track entries */
    disc_lba leadout; /* from A2 */
    disc_lba base;    /* INDEX 01 of the first track */
    disc_lba start;   /* first LBA stored in the IMG */
    int64_t img;      /* IMG sector of start */
};

/* A DISC_E_FORMAT error (a warning) "path:line: text", no line when 0. */
#define ccd_perr(p, line, ...)                                                 \
    disc_error_at((p)->ctx, DISC_E_FORMAT, (p)->path, line, __VA_ARGS__)
#define ccd_pwarn(p, line, ...)                                                \
    disc_warn_at((p)->ctx, (p)->path, line, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Probe                                                               */

static int
ccd_probe(const uint8_t *buf, size_t len, const char *path)
{
    size_t i = 0;

    (void)path;
    if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
        i = 3;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
                       buf[i] == '\n'))
        i++;
    /* Aaru identifies a CCD by its first line alone (docs/formats/ccd.md). */
    if (i + 9 <= len && memcmp(buf + i, "[CloneCD]", 9) == 0)
        return 100;
    if (i + 9 <= len && strncasecmp((const char *)buf + i, "[clonecd]", 9) == 0)
        return 80;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Lexical helpers                                                     */

/* Signed decimal with nothing around it; 0 or -1. */
static int
ccd_number(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (!(isdigit((unsigned char)s[0]) ||
          ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* A Point/ADR/Control value: "0x.." or bare hex digits.  Gives both
 * readings of bare digits; the file-wide choice is made later. */
static int
ccd_hexnum(const char *s, long *hex, long *dec, uint8_t *radix)
{
    long h = 0, d = 0;
    int letters = 0;

    *radix = CCD_RADIX_DIGITS;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        *radix = CCD_RADIX_PREFIXED;
        s += 2;
    }
    if (!*s || strlen(s) > 4)
        return -1;
    for (; *s; s++) {
        int c = tolower((unsigned char)*s);
        if (c >= '0' && c <= '9') {
            h = h * 16 + (c - '0');
            d = d * 10 + (c - '0');
        } else if (c >= 'a' && c <= 'f') {
            h = h * 16 + (c - 'a' + 10);
            letters = 1;
        } else {
            return -1;
        }
    }
    if (letters && *radix == CCD_RADIX_DIGITS)
        *radix = CCD_RADIX_LETTERS;
    *hex = h;
    *dec = *radix == CCD_RADIX_DIGITS ? d : h;
    return 0;
}

/* "[Name]" or "[Name n]": the section kind and its number. */
static int
ccd_section_parse(struct ccd_parse *p, char *line, unsigned ln)
{
    static const struct {
        const char *name;
        int sec;
        int numbered;
    } secs[] = {
        { "CloneCD", CCD_SEC_CLONECD, 0 }, { "Disc", CCD_SEC_DISC, 0 },
        { "CDText", CCD_SEC_CDTEXT, 0 },   { "Session", CCD_SEC_SESSION, 1 },
        { "Entry", CCD_SEC_ENTRY, 1 },     { "TRACK", CCD_SEC_TRACK, 1 },
    };
    char *end = strchr(line, ']'), *name = line + 1, *num;
    size_t i, n;

    if (!end || end[1] != '\0')
        return ccd_perr(p, ln, "malformed section header \"%.60s\"", line);
    *end = '\0';
    while (*name == ' ')
        name++;
    n = strcspn(name, " \t");
    num = name + n;
    while (*num == ' ' || *num == '\t')
        num++;
    while (end > num && end[-1] == ' ')
        *--end = '\0';
    for (i = 0; i < sizeof secs / sizeof secs[0]; i++) {
        if (strlen(secs[i].name) != n ||
            strncasecmp(name, secs[i].name, n) != 0)
            continue;
        p->sec = secs[i].sec;
        p->secnum = 0;
        if (secs[i].numbered && ccd_number(num, 0, 99999, &p->secnum) != 0)
            return ccd_perr(p, ln, "[%s] needs a number", secs[i].name);
        if (!secs[i].numbered && *num)
            return ccd_perr(p, ln, "malformed section header [%s %s]",
                            secs[i].name, num);
        return 0;
    }
    p->sec = CCD_SEC_UNKNOWN;
    ccd_pwarn(p, ln, "unknown section [%.40s] ignored", name);
    return 0;
}

/* Opens a section: records it and refuses duplicates. */
static int
ccd_section_open(struct ccd_parse *p, unsigned ln)
{
    unsigned *slot = NULL;

    switch (p->sec) {
    case CCD_SEC_CLONECD:
        slot = &p->clonecd_line;
        break;
    case CCD_SEC_DISC:
        slot = &p->disc_line;
        break;
    case CCD_SEC_CDTEXT:
        slot = &p->cdtext_line;
        break;
    case CCD_SEC_SESSION:
        if (p->secnum < 1 || p->secnum > DISC_MAX_SESSIONS)
            return ccd_perr(p, ln, "[Session %ld]: sessions are 1 to %d",
                            p->secnum, DISC_MAX_SESSIONS);
        slot = &p->session_line[p->secnum];
        break;
    case CCD_SEC_ENTRY:
        if (p->secnum >= CCD_MAX_ENTRIES)
            return ccd_perr(p, ln, "[Entry %ld]: more than %d TOC entries",
                            p->secnum, CCD_MAX_ENTRIES);
        if ((size_t)p->secnum >= p->capentry) {
            size_t was = p->capentry;
            if (disc_grow(p->ctx, &p->entry, (size_t)p->secnum + 1,
                          &p->capentry, sizeof *p->entry, 64) < 0)
                return DISC_E_NOMEM;
            memset(p->entry + was, 0, (p->capentry - was) * sizeof *p->entry);
        }
        if ((size_t)p->secnum >= p->nentry)
            p->nentry = (size_t)p->secnum + 1;
        slot = &p->entry[p->secnum].line;
        break;
    case CCD_SEC_TRACK:
        if (p->secnum < 1 || p->secnum > DISC_MAX_TRACKS)
            return ccd_perr(p, ln, "[TRACK %ld]: tracks are 1 to %d", p->secnum,
                            DISC_MAX_TRACKS);
        slot = &p->trk[p->secnum].line;
        break;
    default:
        return 0;
    }
    if (*slot)
        return ccd_perr(p, ln, "section repeated (first at line %u)", *slot);
    *slot = ln;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Keys of each section                                                */

static int
ccd_key_clonecd(struct ccd_parse *p, const char *key, const char *val,
                unsigned ln)
{
    if (strcasecmp(key, "Version") == 0) {
        if (ccd_number(val, 0, 1000, &p->version) != 0)
            return ccd_perr(p, ln, "Version \"%.20s\" is not a number", val);
        if (p->version != 2 && p->version != 3)
            ccd_pwarn(p, ln, "Version=%ld: only versions 2 and 3 are known",
                      p->version);
        return 0;
    }
    ccd_pwarn(p, ln, "unknown key %.40s in [CloneCD] ignored", key);
    return 0;
}

static int
ccd_key_catalog(struct ccd_parse *p, const char *val, unsigned ln)
{
    if (p->catalog_line && strcmp(p->catalog, val) != 0)
        ccd_pwarn(p, ln,
                  "second CATALOG (first at line %u); the last one "
                  "counts",
                  p->catalog_line);
    (void)snprintf(p->catalog, sizeof p->catalog, "%s", val);
    p->catalog_line = ln;
    return 0;
}

static int
ccd_key_disc(struct ccd_parse *p, const char *key, const char *val, unsigned ln)
{
    if (strcasecmp(key, "TocEntries") == 0) {
        p->tocentries_line = ln;
        if (ccd_number(val, 0, CCD_MAX_ENTRIES, &p->tocentries) != 0)
            return ccd_perr(p, ln, "TocEntries \"%.20s\": 0 to %d expected",
                            val, CCD_MAX_ENTRIES);
    } else if (strcasecmp(key, "Sessions") == 0) {
        p->sessions_line = ln;
        if (ccd_number(val, 1, DISC_MAX_SESSIONS, &p->sessions) != 0)
            return ccd_perr(p, ln, "Sessions \"%.20s\": 1 to %d expected", val,
                            DISC_MAX_SESSIONS);
    } else if (strcasecmp(key, "DataTracksScrambled") == 0) {
        if (ccd_number(val, 0, 1, &p->scrambled) != 0)
            return ccd_perr(p, ln,
                            "DataTracksScrambled \"%.20s\": 0 or 1 "
                            "expected",
                            val);
    } else if (strcasecmp(key, "CDTextLength") == 0) {
        p->cdtextlen_line = ln;
        if (ccd_number(val, 0, 18L * CCD_MAX_PACKS, &p->cdtextlen) != 0)
            return ccd_perr(p, ln,
                            "CDTextLength \"%.20s\": 0 to %d "
                            "expected",
                            val, 18 * CCD_MAX_PACKS);
    } else if (strcasecmp(key, "CATALOG") == 0) {
        return ccd_key_catalog(p, val, ln);
    } else {
        ccd_pwarn(p, ln, "unknown key %.40s in [Disc] ignored", key);
    }
    return 0;
}

static int
ccd_key_cdtext(struct ccd_parse *p, const char *key, const char *val,
               unsigned ln)
{
    long i;
    int k;

    if (strcasecmp(key, "Entries") == 0) {
        p->npacks_line = ln;
        if (ccd_number(val, 0, CCD_MAX_PACKS, &p->npacks) != 0)
            return ccd_perr(p, ln, "Entries \"%.20s\": 0 to %d expected", val,
                            CCD_MAX_PACKS);
        return 0;
    }
    if (strcasecmp(key, "CATALOG") == 0) {
        /* DiscImageCreator may write CATALOG after its [CDText] lines
         * (docs/formats/ccd.md); it still means the disc's MCN. */
        return ccd_key_catalog(p, val, ln);
    }
    if (strncasecmp(key, "Entry", 5) != 0 || !key[5] ||
        !isspace((unsigned char)key[5])) {
        ccd_pwarn(p, ln, "unknown key %.40s in [CDText] ignored", key);
        return 0;
    }
    key += 5;
    while (isspace((unsigned char)*key))
        key++;
    if (ccd_number(key, 0, CCD_MAX_PACKS - 1, &i) != 0)
        return ccd_perr(p, ln,
                        "CD-TEXT entry number \"%.20s\": 0 to %d "
                        "expected",
                        key, CCD_MAX_PACKS - 1);
    if (!p->pack) {
        p->pack = disc_calloc(CCD_MAX_PACKS, sizeof *p->pack);
        p->pack_line = disc_calloc(CCD_MAX_PACKS, sizeof *p->pack_line);
        if (!p->pack || !p->pack_line)
            return disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
    }
    if (p->pack_line[i])
        return ccd_perr(p, ln,
                        "CD-TEXT Entry %ld repeated (first at line "
                        "%u)",
                        i, p->pack_line[i]);
    for (k = 0; k < 16; k++) {
        char *end;
        long b;
        while (*val == ' ' || *val == '\t')
            val++;
        if (!isxdigit((unsigned char)val[0]))
            break;
        b = strtol(val, &end, 16);
        if (end - val > 2)
            break;
        p->pack[i][k] = (uint8_t)b;
        val = end;
    }
    while (*val == ' ' || *val == '\t')
        val++;
    if (k < 16 || *val)
        return ccd_perr(p, ln,
                        "CD-TEXT Entry %ld: 16 hexadecimal bytes "
                        "expected",
                        i);
    p->pack_line[i] = ln;
    if (i > p->maxpack)
        p->maxpack = i;
    return 0;
}

static int
ccd_key_session(struct ccd_parse *p, const char *key, const char *val,
                unsigned ln)
{
    long v;

    /* PreGapMode repeats the first track's mode and PreGapSubC has no
     * documented meaning (docs/formats/ccd.md): checked for syntax, not used.
     */
    if (strcasecmp(key, "PreGapMode") == 0 ||
        strcasecmp(key, "PreGapSubC") == 0) {
        if (ccd_number(val, 0, 255, &v) != 0)
            return ccd_perr(p, ln, "%s \"%.20s\" is not a number", key, val);
        return 0;
    }
    ccd_pwarn(p, ln, "unknown key %.40s in [Session %ld] ignored", key,
              p->secnum);
    return 0;
}

static int
ccd_key_entry(struct ccd_parse *p, const char *key, const char *val,
              unsigned ln)
{
    struct ccd_entry *e = &p->entry[p->secnum];
    int k;

    for (k = 0; k < CCD_E_NKEYS; k++)
        if (strcasecmp(key, ccd_ekeys[k].name) == 0)
            break;
    if (k == CCD_E_NKEYS) {
        ccd_pwarn(p, ln, "unknown key %.40s in [Entry %ld] ignored", key,
                  p->secnum);
        return 0;
    }
    if (e->have & CCD_BIT(k))
        return ccd_perr(p, ln, "%s given twice in [Entry %ld]",
                        ccd_ekeys[k].name, p->secnum);
    if (ccd_ekeys[k].hex) {
        if (ccd_hexnum(val, &e->v[k], &e->dec[k], &e->radix[k]) != 0)
            return ccd_perr(p, ln,
                            "%s \"%.20s\" is not a hexadecimal "
                            "byte",
                            ccd_ekeys[k].name, val);
    } else if (ccd_number(val, ccd_ekeys[k].min, ccd_ekeys[k].max, &e->v[k]) !=
               0) {
        return ccd_perr(p, ln, "%s \"%.20s\": %ld to %ld expected",
                        ccd_ekeys[k].name, val, ccd_ekeys[k].min,
                        ccd_ekeys[k].max);
    }
    e->have |= CCD_BIT(k);
    return 0;
}

static int
ccd_key_track(struct ccd_parse *p, const char *key, const char *val,
              unsigned ln)
{
    struct ccd_track *t = &p->trk[p->secnum];
    long k;

    if (strncasecmp(key, "INDEX", 5) == 0 && isspace((unsigned char)key[5])) {
        const char *n = key + 5;
        while (isspace((unsigned char)*n))
            n++;
        if (ccd_number(n, 0, DISC_MAX_INDEX, &k) != 0)
            return ccd_perr(p, ln,
                            "INDEX number \"%.20s\": 0 to %d "
                            "expected",
                            n, DISC_MAX_INDEX);
        if (t->index_line[k])
            return ccd_perr(p, ln, "INDEX %ld given twice in [TRACK %ld]", k,
                            p->secnum);
        if (ccd_number(val, -CCD_LBA_LIMIT, CCD_LBA_LIMIT, &t->index[k]))
            return ccd_perr(p, ln, "INDEX %ld \"%.20s\" is not an LBA", k, val);
        t->index_line[k] = ln;
    } else if (strcasecmp(key, "MODE") == 0) {
        if (ccd_number(val, 0, 2, &t->mode) != 0)
            return ccd_perr(p, ln,
                            "MODE \"%.20s\": 0 (audio), 1 (Mode 1) "
                            "or 2 (Mode 2) expected",
                            val);
        t->mode_line = ln;
    } else if (strcasecmp(key, "ISRC") == 0) {
        (void)snprintf(t->isrc, sizeof t->isrc, "%s", val);
        t->isrc_line = ln;
    } else if (strcasecmp(key, "FLAGS") == 0) {
        (void)snprintf(t->flags, sizeof t->flags, "%s", val);
        t->flags_line = ln;
    } else {
        ccd_pwarn(p, ln, "unknown key %.40s in [TRACK %ld] ignored", key,
                  p->secnum);
    }
    return 0;
}

/* The key handler of each known section. */
static int (*const ccd_key[])(struct ccd_parse *, const char *, const char *,
                              unsigned) = {
    [CCD_SEC_CLONECD] = ccd_key_clonecd, [CCD_SEC_DISC] = ccd_key_disc,
    [CCD_SEC_CDTEXT] = ccd_key_cdtext,   [CCD_SEC_SESSION] = ccd_key_session,
    [CCD_SEC_ENTRY] = ccd_key_entry,     [CCD_SEC_TRACK] = ccd_key_track,
};

/* Reads the whole control file into p. */
static int
ccd_parse_text(struct ccd_parse *p)
{
    struct disc_text txt;
    char *line;
    int r;

    r = disc_text_open(p->ctx, p->path, &txt);
    if (r < 0)
        return r;
    while ((line = disc_text_next(&txt))) {
        unsigned ln = txt.line;
        char *eq, *key, *val, *end;

        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line || *line == ';')
            continue;
        if (*line == '[') {
            r = ccd_section_parse(p, line, ln);
            if (r == 0)
                r = ccd_section_open(p, ln);
            if (r < 0)
                break;
            continue;
        }
        eq = strchr(line, '=');
        if (!eq) {
            r = ccd_perr(p, ln,
                         "expected Key=Value or [Section], got "
                         "\"%.40s\"",
                         line);
            break;
        }
        key = line;
        end = eq;
        while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        *end = '\0';
        val = eq + 1;
        while (*val == ' ' || *val == '\t')
            val++;
        if (!*key) {
            r = ccd_perr(p, ln, "line starts with '='");
            break;
        }
        if (p->sec == CCD_SEC_NONE)
            r = ccd_perr(p, ln, "%.40s= before the first section", key);
        else if (p->sec != CCD_SEC_UNKNOWN) /* unknown: already warned */
            r = ccd_key[p->sec](p, key, val, ln);
        if (r < 0)
            break;
    }
    disc_text_close(&txt);
    return r;
}

/* ------------------------------------------------------------------ */
/* From entries to a disc                                              */

/* Picks one reading for Point/ADR/Control values written without 0x
 * (Aaru reads them as hex, libMirage and BizHawk as
 * decimal).  Every CCD has A0/A1/A2 entries, so a writer that used bare
 * hex shows itself with "a0", and one that used decimal with "160"
 * (0x160 is not a byte); the whole file is read the way it shows. */
static int
ccd_resolve_radix(struct ccd_parse *p)
{
    unsigned hex_line = 0, dec_line = 0, amb_line = 0;
    size_t i;
    int k, use_hex;

    for (i = 0; i < p->nentry; i++) {
        const struct ccd_entry *e = &p->entry[i];
        for (k = 0; k < CCD_E_NKEYS; k++) {
            long max = ccd_ekeys[k].max;
            if (!ccd_ekeys[k].hex || !(e->have & CCD_BIT(k)))
                continue;
            if (e->radix[k] == CCD_RADIX_LETTERS && !hex_line)
                hex_line = e->line;
            if (e->radix[k] != CCD_RADIX_DIGITS || e->v[k] == e->dec[k])
                continue;
            if (e->v[k] > max && e->dec[k] <= max && !dec_line)
                dec_line = e->line;
            else if (e->v[k] <= max && e->dec[k] > max && !hex_line)
                hex_line = e->line;
            else if (!amb_line)
                amb_line = e->line;
        }
    }
    if (hex_line && dec_line)
        return ccd_perr(p, dec_line,
                        "Point/ADR/Control values without 0x "
                        "are decimal here but hexadecimal at line %u",
                        hex_line);
    use_hex = hex_line != 0;
    if (hex_line || dec_line)
        disc_info(p->ctx,
                  "%s: Point/ADR/Control written without 0x: read "
                  "as %s",
                  p->path, use_hex ? "hexadecimal" : "decimal");
    else if (amb_line)
        ccd_pwarn(p, amb_line,
                  "Point/ADR/Control written without 0x and "
                  "nothing shows the base: read as decimal, as libMirage "
                  "does (Aaru would read hexadecimal)");
    for (i = 0; i < p->nentry; i++) {
        struct ccd_entry *e = &p->entry[i];
        for (k = 0; k < CCD_E_NKEYS; k++) {
            if (!ccd_ekeys[k].hex || !(e->have & CCD_BIT(k)))
                continue;
            if (e->radix[k] == CCD_RADIX_DIGITS && !use_hex)
                e->v[k] = e->dec[k];
            if (e->v[k] > ccd_ekeys[k].max)
                return ccd_perr(p, e->line,
                                "[Entry %zu] %s=0x%lx does not "
                                "fit in %s",
                                i, ccd_ekeys[k].name, e->v[k],
                                ccd_ekeys[k].max > 15 ? "a byte" : "4 bits");
        }
    }
    return 0;
}

/* Binary MSF from frame count f, or -1 when minutes exceed a byte. */
static int
ccd_frames_msf(long f, uint8_t *m, uint8_t *s, uint8_t *fr)
{
    if (f < 0 || f / 4500 > 255)
        return -1;
    *m = (uint8_t)(f / 4500);
    *s = (uint8_t)(f / 75 % 60);
    *fr = (uint8_t)(f % 75);
    return 0;
}

/* Entry i as a full-TOC descriptor. */
static int
ccd_entry_desc(struct ccd_parse *p, size_t i, struct disc_rawtoc *r)
{
    const struct ccd_entry *e = &p->entry[i];
    const long *v = e->v;

    memset(r, 0, sizeof *r);
    if (!(e->have & CCD_BIT(CCD_E_SESSION)))
        return ccd_perr(p, e->line, "[Entry %zu] has no Session", i);
    if (!(e->have & CCD_BIT(CCD_E_POINT)))
        return ccd_perr(p, e->line, "[Entry %zu] has no Point", i);
    r->session = (uint8_t)v[CCD_E_SESSION];
    r->point = (uint8_t)v[CCD_E_POINT];
    if (e->have & CCD_BIT(CCD_E_ADR)) {
        r->adr = (uint8_t)v[CCD_E_ADR];
    } else {
        ccd_pwarn(p, e->line, "[Entry %zu] has no ADR; assuming 1", i);
        r->adr = 1;
    }
    r->control =
        (uint8_t)((e->have & CCD_BIT(CCD_E_CONTROL)) ? v[CCD_E_CONTROL] : 0);
    r->tno =
        (uint8_t)((e->have & CCD_BIT(CCD_E_TRACKNO)) ? v[CCD_E_TRACKNO] : 0);
    r->zero = (uint8_t)((e->have & CCD_BIT(CCD_E_ZERO)) ? v[CCD_E_ZERO] : 0);
    if (e->have & CCD_AMSF_BITS) {
        r->min = (uint8_t)v[CCD_E_AMIN];
        r->sec = (uint8_t)v[CCD_E_ASEC];
        r->frame = (uint8_t)v[CCD_E_AFRAME];
    } else if ((e->have & CCD_BIT(CCD_E_ALBA)) &&
               ccd_frames_msf(v[CCD_E_ALBA] + 150, &r->min, &r->sec,
                              &r->frame) != 0) {
        return ccd_perr(p, e->line, "[Entry %zu] ALBA=%ld is no time", i,
                        v[CCD_E_ALBA]);
    }
    if (e->have & CCD_PMSF_BITS) {
        r->pmin = (uint8_t)v[CCD_E_PMIN];
        r->psec = (uint8_t)v[CCD_E_PSEC];
        r->pframe = (uint8_t)v[CCD_E_PFRAME];
    } else if (e->have & CCD_BIT(CCD_E_PLBA)) {
        /* Only a PLBA: its MSF by the MMC rule (docs/formats/ccd.md). */
        long l = v[CCD_E_PLBA];
        if (l < -CCD_LBA_LIMIT || l > CCD_LBA_LIMIT ||
            ccd_frames_msf(disc_lba_frames((disc_lba)l), &r->pmin, &r->psec,
                           &r->pframe) != 0)
            return ccd_perr(p, e->line, "[Entry %zu] PLBA=%ld is no time", i,
                            l);
    } else {
        return ccd_perr(p, e->line,
                        "[Entry %zu] has neither PMin/PSec/"
                        "PFrame nor PLBA",
                        i);
    }
    return 0;
}

/* The LBA a positional entry points at, checked against its PLBA. */
static int
ccd_entry_lba(struct ccd_parse *p, size_t i, const struct disc_rawtoc *r,
              disc_lba *lba)
{
    const struct ccd_entry *e = &p->entry[i];
    struct disc_msf m = { r->pmin, r->psec, r->pframe };

    if (r->pmin > 99 || r->psec > 59 || r->pframe > 74)
        return ccd_perr(p, e->line,
                        "[Entry %zu] Point=0x%02x: %u:%u:%u is "
                        "not a valid time",
                        i, r->point, r->pmin, r->psec, r->pframe);
    *lba = disc_msf_to_lba(m);
    /* libMirage positions tracks by PLBA, Aaru by the MSF
     * (docs/formats/ccd.md); the MSF is what the drive reported, so it wins. */
    if ((e->have & CCD_BIT(CCD_E_PLBA)) && (e->have & CCD_PMSF_BITS) &&
        e->v[CCD_E_PLBA] != *lba)
        ccd_pwarn(p, e->line,
                  "[Entry %zu] PLBA=%ld disagrees with "
                  "PMin:PSec:PFrame %02u:%02u:%02u (LBA %d); using the "
                  "time",
                  i, e->v[CCD_E_PLBA], r->pmin, r->psec, r->pframe, *lba);
    return 0;
}

/* Checks [Disc], the entry numbering and the session numbers. */
static int
ccd_check_counts(struct ccd_parse *p)
{
    size_t i;

    if (!p->clonecd_line)
        return ccd_perr(p, 1,
                        "no [CloneCD] section: not a CloneCD control "
                        "file");
    if (!p->disc_line)
        return ccd_perr(p, 0, "no [Disc] section");
    if (p->tocentries < 0)
        return ccd_perr(p, p->disc_line, "[Disc] has no TocEntries");
    if (p->sessions < 0)
        return ccd_perr(p, p->disc_line, "[Disc] has no Sessions");
    if (p->nentry > (size_t)p->tocentries)
        return ccd_perr(p, p->entry[p->nentry - 1].line,
                        "[Entry %zu] but TocEntries=%ld (entries are "
                        "numbered from 0)",
                        p->nentry - 1, p->tocentries);
    for (i = 0; i < (size_t)p->tocentries; i++)
        if (i >= p->nentry || !p->entry[i].line)
            return ccd_perr(p, p->tocentries_line,
                            "TocEntries=%ld but "
                            "there is no [Entry %zu]",
                            p->tocentries, i);
    for (i = 0; i < p->nentry; i++)
        if (p->entry[i].v[CCD_E_SESSION] > p->sessions)
            return ccd_perr(p, p->entry[i].line,
                            "[Entry %zu] is in session "
                            "%ld but [Disc] Sessions=%ld",
                            i, p->entry[i].v[CCD_E_SESSION], p->sessions);
    return 0;
}

/* CD-TEXT: CDTextLength against Entries (libMirage refuses a mismatch),
 * then 18-byte packs with their CRC rebuilt (docs/formats/ccd.md). */
static int
ccd_build_cdtext(struct ccd_parse *p, struct disc *d)
{
    long n = p->npacks < 0 ? 0 : p->npacks, i;
    uint8_t *packs;
    int r;

    if (p->cdtext_line && p->npacks < 0)
        return ccd_perr(p, p->cdtext_line, "[CDText] has no Entries");
    if (p->cdtextlen >= 0 && p->cdtextlen != 18 * n)
        return ccd_perr(p, p->cdtextlen_line,
                        "CDTextLength=%ld but the "
                        "file has %ld CD-TEXT entries (%ld bytes)",
                        p->cdtextlen, n, 18 * n);
    if (p->cdtextlen < 0 && n)
        ccd_pwarn(p, p->disc_line,
                  "[Disc] has no CDTextLength (libMirage "
                  "will refuse this file)");
    if (p->maxpack >= n)
        return ccd_perr(p, p->pack_line[p->maxpack],
                        "CD-TEXT Entry %ld but "
                        "Entries=%ld (numbered from 0)",
                        p->maxpack, n);
    if (!n)
        return 0;
    for (i = 0; i < n; i++)
        if (!p->pack_line || !p->pack_line[i]) /* no Entry line at all */
            return ccd_perr(p, p->npacks_line,
                            "Entries=%ld but there is no "
                            "CD-TEXT Entry %ld",
                            n, i);
    packs = disc_malloc((size_t)n * 18);
    if (!packs)
        return disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        uint8_t *q = packs + (size_t)i * 18;
        memcpy(q, p->pack[i], 16);
        /* CRC-16/GSM of bytes 0-15, big-endian (disc_crc16 inverts). */
        disc_wr_be16(q + 16, disc_crc16(q, 16));
    }
    r = disc_set_cdtext_raw(p->ctx, d, packs, (size_t)n * 18);
    if (r == 0) {
        r = disc_cdtext_decode(p->ctx, d, packs, (size_t)n * 18);
        if (r < 0 && r != DISC_E_NOMEM) {
            /* The packs are kept verbatim either way. */
            ccd_pwarn(p, p->cdtext_line,
                      "CD-TEXT kept as raw packs only: "
                      "%s",
                      p->ctx->msg);
            r = 0;
        }
    }
    disc_free_mem(packs);
    return r;
}

/* One model track from its entry and its [TRACK n] section. */
static int
ccd_build_track(struct ccd_parse *p, struct disc *d, int n,
                const struct disc_rawtoc *r, disc_lba idx1,
                const struct ccd_sinfo *si, const struct ccd_sinfo *prev)
{
    struct ccd_track *ct = &p->trk[n];
    struct disc_track *t = &d->track[d->ntracks];
    unsigned ln = ct->line;
    int k, first = !prev && n == si->first;

    t->number = (uint8_t)n;
    t->session = r->session;
    t->control = r->control;
    if (ct->mode < 0) {
        t->mode =
            (r->control & DISC_CTL_DATA) ? DISC_MODE_MODE1 : DISC_MODE_AUDIO;
        ccd_pwarn(p, ln,
                  "track %d has no MODE; %s taken from its control "
                  "0x%x",
                  n, disc_mode_name(t->mode), r->control);
    } else {
        t->mode = ct->mode == 0   ? DISC_MODE_AUDIO
                  : ct->mode == 1 ? DISC_MODE_MODE1
                                  : DISC_MODE_MODE2_MIXED;
    }
    if (!!(r->control & DISC_CTL_DATA) != (t->mode != DISC_MODE_AUDIO))
        return ccd_perr(p, ct->mode_line ? ct->mode_line : ln,
                        "track %d: MODE=%ld but its [Entry] Control=0x%02x "
                        "says %s",
                        n, ct->mode, r->control,
                        (r->control & DISC_CTL_DATA) ? "data" : "audio");
    t->index[1] = idx1;
    t->last_index = 1;
    for (k = 0; k <= DISC_MAX_INDEX; k++) {
        long v = ct->index[k];
        if (!ct->index_line[k])
            continue;
        /* Later sessions: DiscImageCreator writes absolute LBAs, while
         * libMirage reads values relative to the session's first INDEX 01
         * (docs/formats/ccd.md).  The first track of a later session: INDEX 1
         * is either its absolute LBA (DiscImageCreator) or the count of stored
         * pregap sectors before it (libMirage and our writer; 0 without a
         * stored pregap), so its indexes are taken relative to INDEX 1, whose
         * position is the entry's.  Other tracks: a value that cannot be an
         * absolute address of this index is relative: below the session's first
         * INDEX 01, except for the INDEX 0 of its first track, which lies
         * before it and only has to follow the previous lead-out. */
        if (prev && n == si->first && ct->index_line[1]) {
            if (k == 1)
                continue;
            v = idx1 + (v - ct->index[1]);
        } else if (prev &&
                   v < (k == 0 && n == si->first ? prev->leadout : si->base)) {
            v += si->base;
            disc_info(p->ctx,
                      "%s:%u: INDEX %d read as relative to the "
                      "session start (LBA %d)",
                      p->path, ct->index_line[k], k, si->base);
        }
        if (k == 1) {
            if (v != idx1)
                ccd_pwarn(p, ct->index_line[k],
                          "INDEX 1=%ld but the TOC "
                          "puts track %d at LBA %d; using the TOC",
                          ct->index[k], n, idx1);
            continue;
        }
        if (k >= 3 && !ct->index_line[k - 1])
            return ccd_perr(p, ct->index_line[k],
                            "INDEX %d without INDEX "
                            "%d",
                            k, k - 1);
        t->index[k] = (disc_lba)v;
        if (k > t->last_index)
            t->last_index = (uint8_t)k;
    }
    if (!ct->index_line[0])
        t->index[0] = idx1;
    if (first && t->index[0] != 0) {
        /* The IMG starts at LBA 0 (docs/formats/ccd.md); what lies before track
         * 1's INDEX 01 is its pregap (hidden track audio, 7.5). */
        if (ct->index_line[0])
            return ccd_perr(p, ct->index_line[0],
                            "INDEX 0=%d: track %d "
                            "must start at LBA 0, where the image starts",
                            t->index[0], n);
        if (idx1 < 0)
            return ccd_perr(p, p->entry[0].line,
                            "track %d starts at LBA "
                            "%d, before the image",
                            n, idx1);
        ccd_pwarn(p, ln,
                  "track %d: INDEX 01 at LBA %d and no INDEX 0; "
                  "LBA 0-%d taken as its pregap",
                  n, idx1, idx1 - 1);
        t->index[0] = 0;
    }
    if (t->index[0] > t->index[1])
        return ccd_perr(p, ct->index_line[0],
                        "INDEX 0=%d after INDEX 01 "
                        "(%d)",
                        t->index[0], t->index[1]);
    if (ct->isrc_line) {
        if (disc_valid_isrc(ct->isrc))
            memcpy(t->isrc, ct->isrc, 13);
        else
            ccd_pwarn(p, ct->isrc_line,
                      "ISRC \"%s\" is not valid "
                      "(CCOOOYYSSSSS); ignored",
                      ct->isrc);
    }
    d->ntracks++;
    return 0;
}

/* Maps the IMG and SUB: sessions' program areas back to back from LBA 0
 * (nothing between sessions, docs/formats/ccd.md), one extent per track so that
 * only data tracks are descrambled. */
static int
ccd_map(struct ccd_parse *p, struct disc *d, const struct ccd_sinfo *si)
{
    char *dir = NULL, *want = NULL, *img = NULL, *sub = NULL;
    struct disc_source *isrc = NULL, *ssrc = NULL;
    int64_t total = 0;
    int s, i, r;

    for (s = 0; s < d->nsessions; s++)
        total += si[s].leadout - si[s].start;
    dir = disc_path_dir(p->path);
    want = disc_path_with_ext(p->path, "img");
    if (!dir || !want) {
        r = disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    r = disc_path_resolve(dir, disc_path_base(want), &img);
    if (r == DISC_E_NOMEM) {
        r = disc_error(p->ctx, r, "out of memory");
        goto fail;
    }
    if (r < 0) {
        r = disc_error(p->ctx, DISC_E_IO, "%s: image file %s not found",
                       p->path, want);
        goto fail;
    }
    r = disc_source_file_new(p->ctx, img, &isrc);
    if (r < 0)
        goto fail;
    disc_source_attach(d, isrc);
    disc_free_mem(want);
    want = disc_path_with_ext(p->path, "sub");
    if (!want) {
        r = disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
        goto fail;
    }
    r = disc_path_resolve(dir, disc_path_base(want), &sub);
    if (r == DISC_E_NOMEM) {
        r = disc_error(p->ctx, r, "out of memory");
        goto fail;
    }
    if (r < 0) {
        disc_warn(p->ctx,
                  "%s: no subchannel file %s: P/Q will be "
                  "synthesised from the TOC (captured R-W data, if the disc "
                  "had any, is not available)",
                  p->path, want);
    } else {
        r = disc_source_file_new(p->ctx, sub, &ssrc);
        if (r < 0)
            goto fail;
        disc_source_attach(d, ssrc);
    }
    /* Sizes are known now: a short file is an error at open, naming the
     * first sector it lacks, not a read error halfway through. */
    for (i = 0; i < 2; i++) {
        const struct disc_source *src = i ? ssrc : isrc;
        int64_t unit = i ? DISC_SECTOR_SUB : DISC_SECTOR_RAW;
        int64_t have;
        if (!src)
            continue;
        have = disc_source_sectors(src, 0, total, (uint32_t)unit);
        if (have < total) {
            for (s = 0; s + 1 < d->nsessions && si[s + 1].img <= have; s++)
                ;
            r = disc_error(p->ctx, DISC_E_RANGE,
                           "%s: %lld bytes, too short "
                           "for the %lld sectors the TOC needs: sector "
                           "%lld (LBA %lld) is missing",
                           src->name, (long long)src->size, (long long)total,
                           (long long)have,
                           (long long)si[s].start + (have - si[s].img));
            goto fail;
        }
        if (src->size != total * unit)
            disc_warn(p->ctx,
                      "%s: %lld bytes where the TOC needs %lld; "
                      "the rest is ignored",
                      src->name, (long long)src->size, (long long)total * unit);
    }
    for (i = 0, s = 0; i < d->ntracks; i++) {
        const struct disc_track *t = &d->track[i];
        disc_lba end;
        struct disc_extent e;
        while (d->session[s].number != t->session)
            s++;
        end = i + 1 < d->ntracks && d->track[i + 1].session == t->session
                  ? d->track[i + 1].index[0]
                  : si[s].leadout;
        if (end <= t->index[0]) {
            r = ccd_perr(p, p->trk[t->number].line,
                         "track %d: no sectors "
                         "between LBA %d and %d",
                         t->number, t->index[0], end);
            goto fail;
        }
        memset(&e, 0, sizeof e);
        e.lba = t->index[0];
        e.count = (uint32_t)(end - t->index[0]);
        e.src = isrc;
        e.offset = (si[s].img + (t->index[0] - si[s].start)) * DISC_SECTOR_RAW;
        e.stride = DISC_SECTOR_RAW;
        e.data = DISC_DATA_RAW;
        if (p->scrambled == 1 && disc_track_is_data(t))
            e.flags |= DISC_EXT_SCRAMBLED;
        if (ssrc) {
            e.sub = DISC_SUBL_SEPARATE;
            e.sub_src = ssrc;
            e.sub_offset = e.offset / DISC_SECTOR_RAW * DISC_SECTOR_SUB;
        }
        r = disc_extent_add(p->ctx, d, &e);
        if (r < 0)
            goto fail;
    }
    r = 0;
fail:
    disc_free_mem(dir);
    disc_free_mem(want);
    disc_free_mem(img);
    disc_free_mem(sub);
    return r;
}

/* The positional entries: each track's INDEX 01 (tent: its entry, tlba:
 * its LBA) and the A0/A1/A2 of each session, into toc and si. */
static int
ccd_scan_entries(struct ccd_parse *p, struct disc_rawtoc *toc,
                 struct ccd_sinfo *si, int *tent, disc_lba *tlba)
{
    size_t i;
    int r;

    for (i = 0; i < p->nentry; i++) {
        struct disc_rawtoc *e = &toc[i];
        struct ccd_sinfo *ss;
        r = ccd_entry_desc(p, i, e);
        if (r < 0)
            return r;
        ss = &si[e->session - 1];
        if (e->adr != 1)
            continue;
        if (e->point >= 1 && e->point <= 99) {
            if (tent[e->point] >= 0) {
                r = ccd_perr(p, p->entry[i].line,
                             "track %u is listed again "
                             "(first in [Entry %d])",
                             e->point, tent[e->point]);
                return r;
            }
            tent[e->point] = (int)i;
            r = ccd_entry_lba(p, i, e, &tlba[e->point]);
            if (r < 0)
                return r;
            if (!ss->first || e->point < ss->first)
                ss->first = e->point;
            if (e->point > ss->last)
                ss->last = e->point;
        } else if (e->point >= 0xA0 && e->point <= 0xA2) {
            int *slot = e->point == 0xA0   ? &ss->a0
                        : e->point == 0xA1 ? &ss->a1
                                           : &ss->a2;
            if (*slot >= 0) {
                r = ccd_perr(p, p->entry[i].line,
                             "session %u has a second "
                             "Point=0x%02x entry",
                             e->session, e->point);
                return r;
            }
            *slot = (int)i;
            if (e->point == 0xA2) {
                r = ccd_entry_lba(p, i, e, &ss->leadout);
                if (r < 0)
                    return r;
            }
        }
    }
    return 0;
}

/* The sessions of d from the entries scanned into si. */
static int
ccd_build_sessions(struct ccd_parse *p, struct disc *d,
                   const struct disc_rawtoc *toc, struct ccd_sinfo *si,
                   const disc_lba *tlba)
{
    size_t i;
    int s, r;

    for (s = 0; s < p->sessions; s++) {
        struct ccd_sinfo *ss = &si[s];
        struct disc_session *ds = &d->session[s];
        /* Where to point at for session-wide complaints: its [Session n]
         * header, else its first entry. */
        unsigned sl = p->session_line[s + 1];
        for (i = 0; !sl && i < p->nentry; i++)
            if (toc[i].session == s + 1)
                sl = p->entry[i].line;
        if (!ss->first) {
            r = ccd_perr(p, p->sessions_line,
                         "Sessions=%ld but session %d "
                         "has no track entry",
                         p->sessions, s + 1);
            return r;
        }
        if (ss->a2 < 0) {
            r = ccd_perr(p, sl,
                         "session %d has no lead-out entry "
                         "(Point=0xa2)",
                         s + 1);
            return r;
        }
        if (ss->a0 < 0 || ss->a1 < 0)
            ccd_pwarn(p, sl,
                      "session %d lacks its Point=0x%s entry "
                      "(libMirage needs A0 and A2)",
                      s + 1, ss->a0 < 0 ? "a0" : "a1");
        if (ss->a0 >= 0 && toc[ss->a0].pmin != ss->first)
            ccd_pwarn(p, p->entry[ss->a0].line,
                      "A0 names track %u as the "
                      "first of session %d, the entries start at track %d",
                      toc[ss->a0].pmin, s + 1, ss->first);
        if (ss->a1 >= 0 && toc[ss->a1].pmin != ss->last)
            ccd_pwarn(p, p->entry[ss->a1].line,
                      "A1 names track %u as the "
                      "last of session %d, the entries end at track %d",
                      toc[ss->a1].pmin, s + 1, ss->last);
        if (s > 0 && ss->first != si[s - 1].last + 1) {
            r = ccd_perr(p, sl, "session %d starts with track %d, not %d",
                         s + 1, ss->first, si[s - 1].last + 1);
            return r;
        }
        ds->number = (uint8_t)(s + 1);
        ds->first_track = (uint8_t)ss->first;
        ds->last_track = (uint8_t)ss->last;
        ds->type = ss->a0 >= 0 ? toc[ss->a0].psec : 0;
        ds->leadout = ss->leadout;
        ss->base = ss->start = tlba[ss->first];
        d->nsessions++;
    }
    return 0;
}

/* Turns the parsed file into the model. */
static int
ccd_build(struct ccd_parse *p, struct disc *d)
{
    struct ccd_sinfo si[DISC_MAX_SESSIONS];
    struct disc_rawtoc *toc = NULL;
    int tent[DISC_MAX_TRACKS + 1];
    disc_lba tlba[DISC_MAX_TRACKS + 1];
    int s, n, r;

    r = ccd_check_counts(p);
    if (r == 0)
        r = ccd_resolve_radix(p);
    if (r < 0)
        return r;
    toc = disc_calloc(p->nentry ? p->nentry : 1, sizeof *toc);
    if (!toc)
        return disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
    for (s = 0; s < DISC_MAX_SESSIONS; s++) {
        si[s].a0 = si[s].a1 = si[s].a2 = -1;
        si[s].first = si[s].last = 0;
    }
    for (n = 0; n <= DISC_MAX_TRACKS; n++)
        tent[n] = -1;
    r = ccd_scan_entries(p, toc, si, tent, tlba);
    if (r < 0)
        goto fail;
    r = disc_set_rawtoc(p->ctx, d, toc, (uint16_t)p->nentry);
    if (r < 0)
        goto fail;
    r = ccd_build_sessions(p, d, toc, si, tlba);
    if (r < 0)
        goto fail;
    for (n = 1; n <= DISC_MAX_TRACKS; n++)
        if (p->trk[n].line && tent[n] < 0) {
            r = ccd_perr(p, p->trk[n].line,
                         "[TRACK %d] has no [Entry] "
                         "with Point=0x%02x",
                         n, n);
            goto fail;
        }
    /* Tracks, session by session. */
    for (s = 0; s < d->nsessions; s++) {
        struct ccd_sinfo *ss = &si[s];
        for (n = ss->first; n <= ss->last; n++) {
            if (tent[n] < 0) {
                r = ccd_perr(p, p->entry[tent[ss->last]].line,
                             "session %d "
                             "has tracks %d and %d but no entry for track "
                             "%d",
                             s + 1, ss->first, ss->last, n);
                goto fail;
            }
            if (toc[tent[n]].session != s + 1) {
                r = ccd_perr(p, p->entry[tent[n]].line,
                             "track %d is in "
                             "session %u, amid the tracks of session %d",
                             n, toc[tent[n]].session, s + 1);
                goto fail;
            }
            r = ccd_build_track(p, d, n, &toc[tent[n]], tlba[n], ss,
                                s ? &si[s - 1] : NULL);
            if (r < 0)
                goto fail;
            if (n == ss->first)
                ss->start = d->track[d->ntracks - 1].index[0];
        }
        if (ss->leadout <= d->track[d->ntracks - 1].index[1]) {
            r = ccd_perr(p, p->entry[ss->a2].line,
                         "session %d: lead-out at "
                         "LBA %d is not after track %d",
                         s + 1, ss->leadout, ss->last);
            goto fail;
        }
        if (s > 0 && ss->start < si[s - 1].leadout) {
            r = ccd_perr(p, p->entry[tent[ss->first]].line,
                         "session %d "
                         "starts at LBA %d, before the lead-out of session "
                         "%d (%d)",
                         s + 1, ss->start, s, si[s - 1].leadout);
            goto fail;
        }
        ss->img = s ? si[s - 1].img + (si[s - 1].leadout - si[s - 1].start) : 0;
    }
    if (p->catalog_line) {
        if (disc_valid_mcn(p->catalog))
            memcpy(d->mcn, p->catalog, 14);
        else
            ccd_pwarn(p, p->catalog_line,
                      "CATALOG \"%s\" is not 13 digits; "
                      "ignored",
                      p->catalog);
    }
    r = ccd_build_cdtext(p, d);
    if (r == 0)
        r = ccd_map(p, d, si);
fail:
    disc_free_mem(toc);
    return r;
}

static int
ccd_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct ccd_parse *p = disc_calloc(1, sizeof *p);
    int n, r;

    if (!p)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    p->ctx = ctx;
    p->path = path;
    p->version = p->tocentries = p->sessions = p->scrambled = -1;
    p->cdtextlen = p->npacks = p->maxpack = -1;
    for (n = 0; n <= DISC_MAX_TRACKS; n++)
        p->trk[n].mode = -1;
    r = ccd_parse_text(p);
    if (r == 0)
        r = ccd_build(p, d);
    disc_free_mem(p->entry);
    disc_free_mem(p->pack);
    disc_free_mem(p->pack_line);
    disc_free_mem(p);
    return r;
}

const struct disc_format disc_fmt_ccd = {
    .name = "ccd",
    .description = "CloneCD control file with IMG and SUB",
    .extensions = "ccd",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_MULTISESSION |
            DISC_CAP_SUBCHANNEL | DISC_CAP_CDTEXT | DISC_CAP_CDTEXT_LANGS |
            DISC_CAP_INDEXES | DISC_CAP_ISRC_MCN | DISC_CAP_RAWTOC |
            DISC_CAP_HTOA,
    .probe = ccd_probe,
    .read = ccd_read,
    .write = disc_ccd_write,
};
