/* toc_read.c - cdrdao TOC files: the probe, the native reader and the
 * format's descriptor (the writer is toc_write.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: cdrdao(1) "TOC FILES"; cdrdao trackdb/TocParser.g (grammar
 * and lexer), Toc.cc, Track.cc (how sub-tracks join into blocks),
 * TrackData.cc (block sizes, byte order), CdTextItem.cc (pack types);
 * docs/formats/toc.md (the facts this file relies on).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "toc.h"

#define TOC_MAX_NUMBER 0x7FFFFFFFFFFFLL /* larger numbers are refused */
#define TOC_MAX_BINARY 3072             /* bytes of one binary CD-TEXT item */
#define TOC_SPB 588                     /* samples per block */

/* ------------------------------------------------------------------ */
/* Track modes                                                         */

const struct toc_modeinfo disc_toc_modes[TOC_NMODES] = {
    { "AUDIO", 2352, DISC_MODE_AUDIO, DISC_DATA_RAW },
    { "MODE1", 2048, DISC_MODE_MODE1, DISC_DATA_MODE1 },
    { "MODE1_RAW", 2352, DISC_MODE_MODE1, DISC_DATA_RAW },
    { "MODE2", 2336, DISC_MODE_MODE2, DISC_DATA_MODE2 },
    { "MODE2_RAW", 2352, DISC_MODE_MODE2_MIXED, DISC_DATA_RAW },
    { "MODE2_FORM1", 2048, DISC_MODE_MODE2_FORM1, DISC_DATA_FORM1 },
    { "MODE2_FORM2", 2324, DISC_MODE_MODE2_FORM2, DISC_DATA_FORM2 },
    { "MODE2_FORM_MIX", 2336, DISC_MODE_MODE2_MIXED, DISC_DATA_MODE2 },
    { "MODE0", 2336, DISC_MODE_MODE2, DISC_DATA_MODE2 },
};

enum toc_sub { TOC_SUB_NONE = 0, TOC_SUB_RW, TOC_SUB_RW_RAW };

static uint32_t
toc_block_size(enum toc_mode m, enum toc_sub s)
{
    return disc_toc_modes[m].size + (s != TOC_SUB_NONE ? DISC_SECTOR_SUB : 0u);
}

/* ------------------------------------------------------------------ */
/* Probe                                                               */

/* 1 if word w starts a line of buf (after blanks). */
static int
toc_has_line(const char *buf, const char *w)
{
    size_t n = strlen(w);
    const char *p = buf;

    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, w, n) == 0 &&
            (p[n] == ' ' || p[n] == '\t' || p[n] == '\r' || p[n] == '\n' ||
             p[n] == '\0' || p[n] == '/'))
            return 1;
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return 0;
}

/* cdrdao's TRACK names a mode right away ("TRACK AUDIO"), where a CUE
 * sheet puts a number first ("TRACK 01 AUDIO"). */
static int
toc_probe(const uint8_t *buf, size_t len, const char *path)
{
    static const char *const kw[] = {
        "TRACK AUDIO",       "TRACK MODE1",          "TRACK MODE1_RAW",
        "TRACK MODE2",       "TRACK MODE2_RAW",      "TRACK MODE2_FORM1",
        "TRACK MODE2_FORM2", "TRACK MODE2_FORM_MIX", "TRACK MODE0",
    };
    const char *s = (const char *)buf;
    size_t i;
    int score = 0;

    (void)path;
    for (i = 0; i < len; i++)
        if (buf[i] == 0)
            return 0; /* binary */
    if (toc_has_line(s, "CD_DA") || toc_has_line(s, "CD_ROM") ||
        toc_has_line(s, "CD_ROM_XA") || toc_has_line(s, "CD_I"))
        score += 40;
    for (i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (toc_has_line(s, kw[i]))
            score += 40;
    return score > 90 ? 90 : score;
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

enum toc_tok { T_EOF = 0, T_WORD, T_INT, T_STR, T_PUNCT };

struct toc_lex {
    struct disc_text text;
    char *line; /* current line, NULL at the end */
    char *p;    /* next character in it */
    /* the current token */
    enum toc_tok tok;
    char word[32];  /* T_WORD (truncated), T_PUNCT (one char) */
    long long num;  /* T_INT */
    char *str;      /* T_STR: UTF-8, disc_malloc'd */
    int bytes;      /* read the next string's "\ddd" as bytes (file
                       names), not as ISO 8859-1 letters (text) */
    unsigned tline; /* line of the token */
};

struct toc_parse {
    struct disc_ctx *ctx;
    struct disc *d;
    const char *path;
    char *dir;
    struct toc_lex lx;
};

static int toc_err(struct toc_parse *p, unsigned line, int code,
                   const char *fmt, ...) DISC_PRINTF(4, 5);

static int
toc_err(struct toc_parse *p, unsigned line, int code, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return disc_error(p->ctx, code, "%s:%u: %s", p->path, line, msg);
}

static int
toc_nomem(struct toc_parse *p)
{
    return disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
}

/* Appends the UTF-8 encoding of code point c (below 0x100) to s. */
static size_t
toc_put_latin1(char *s, size_t n, unsigned c)
{
    if (c < 0x80) {
        s[n++] = (char)c;
    } else {
        s[n++] = (char)(0xC0 | (c >> 6));
        s[n++] = (char)(0x80 | (c & 0x3F));
    }
    return n;
}

/* A quoted string starting at p->lx.p (just past the opening quote).
 * "\ddd" (three octal digits) is one byte, read as ISO 8859-1 (or kept
 * as the byte itself for a file name: lx.bytes); "\"" a quote; any
 * other backslash stays.  Characters written as such are already UTF-8
 * (disc_text converted the file). */
static int
toc_lex_string(struct toc_parse *p)
{
    struct toc_lex *l = &p->lx;
    char *s = l->p;
    size_t cap = strlen(s) * 2 + 1, n = 0;
    char *out = disc_malloc(cap);

    if (!out)
        return toc_nomem(p);
    for (;;) {
        if (!*s) {
            disc_free_mem(out);
            return toc_err(p, l->tline, DISC_E_FORMAT,
                           "string not closed on its line");
        }
        if (*s == '"') {
            s++;
            break;
        }
        if (s[0] == '\\' && s[1] == '"') {
            out[n++] = '"';
            s += 2;
        } else if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
                   s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
            unsigned c =
                (unsigned)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            if (c > 0xFF || c == 0) {
                disc_free_mem(out);
                return toc_err(p, l->tline, DISC_E_FORMAT,
                               "\\%.3s is not a byte of text", s + 1);
            }
            if (l->bytes)
                out[n++] = (char)c;
            else
                n = toc_put_latin1(out, n, c);
            s += 4;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    l->p = s;
    l->str = out;
    l->tok = T_STR;
    return 0;
}

/* Reads the next token into p->lx. */
static int
toc_next(struct toc_parse *p)
{
    struct toc_lex *l = &p->lx;

    disc_free_mem(l->str);
    l->str = NULL;
    for (;;) {
        if (!l->line) {
            l->tok = T_EOF;
            l->tline = l->text.line;
            return 0;
        }
        while (*l->p == ' ' || *l->p == '\t' || *l->p == '\r' ||
               *l->p == '\f' || *l->p == '\v')
            l->p++;
        if (*l->p && !(l->p[0] == '/' && l->p[1] == '/'))
            break;
        l->line = disc_text_next(&l->text);
        l->p = l->line;
    }
    l->tline = l->text.line;
    if (*l->p == '"') {
        l->p++;
        return toc_lex_string(p);
    }
    if (*l->p >= '0' && *l->p <= '9') {
        long long v = 0;
        while (*l->p >= '0' && *l->p <= '9') {
            v = v * 10 + (*l->p - '0');
            if (v > TOC_MAX_NUMBER)
                return toc_err(p, l->tline, DISC_E_FORMAT, "number too large");
            l->p++;
        }
        l->tok = T_INT;
        l->num = v;
        return 0;
    }
    if ((*l->p >= 'A' && *l->p <= 'Z') || (*l->p >= 'a' && *l->p <= 'z') ||
        *l->p == '_') {
        size_t n = 0;
        while ((*l->p >= 'A' && *l->p <= 'Z') ||
               (*l->p >= 'a' && *l->p <= 'z') ||
               (*l->p >= '0' && *l->p <= '9') || *l->p == '_') {
            if (n + 1 < sizeof l->word)
                l->word[n++] = *l->p;
            l->p++;
        }
        l->word[n] = '\0';
        l->tok = T_WORD;
        return 0;
    }
    if (strchr(":#{},", *l->p)) {
        l->word[0] = *l->p++;
        l->word[1] = '\0';
        l->tok = T_PUNCT;
        return 0;
    }
    return toc_err(p, l->tline, DISC_E_FORMAT, "unexpected character '%c'",
                   (unsigned char)*l->p >= 0x20 && (unsigned char)*l->p < 0x7F
                       ? *l->p
                       : '?');
}

static int
toc_is(const struct toc_parse *p, const char *w)
{
    return p->lx.tok == T_WORD && strcmp(p->lx.word, w) == 0;
}

static int
toc_is_punct(const struct toc_parse *p, char c)
{
    return p->lx.tok == T_PUNCT && p->lx.word[0] == c;
}

/* A description of the current token for messages. */
static const char *
toc_tokname(const struct toc_parse *p, char *buf, size_t n)
{
    switch (p->lx.tok) {
    case T_EOF:
        return "the end of the file";
    case T_INT:
        (void)snprintf(buf, n, "%lld", p->lx.num);
        return buf;
    case T_STR:
        (void)snprintf(buf, n, "\"%.40s\"", p->lx.str);
        return buf;
    default:
        (void)snprintf(buf, n, "%s", p->lx.word);
        return buf;
    }
}

static int
toc_expected(struct toc_parse *p, const char *what)
{
    char b[64];

    return toc_err(p, p->lx.tline, DISC_E_FORMAT, "%s expected, found %s", what,
                   toc_tokname(p, b, sizeof b));
}

static int
toc_punct(struct toc_parse *p, char c)
{
    char w[4] = { '\'', c, '\'', '\0' };

    if (!toc_is_punct(p, c))
        return toc_expected(p, w);
    return toc_next(p);
}

/* An MSF "m:s:f" at the current token (an integer); frames in *out. */
static int
toc_msf_rest(struct toc_parse *p, long long m, long long *out)
{
    long long s, f;
    unsigned line = p->lx.tline;
    int r;

    if ((r = toc_punct(p, ':')) < 0)
        return r;
    if (p->lx.tok != T_INT)
        return toc_expected(p, "seconds of m:s:f");
    s = p->lx.num;
    if ((r = toc_next(p)) < 0 || (r = toc_punct(p, ':')) < 0)
        return r;
    if (p->lx.tok != T_INT)
        return toc_expected(p, "frames of m:s:f");
    f = p->lx.num;
    if (s > 59)
        return toc_err(p, line, DISC_E_FORMAT,
                       "illegal second field %lld (0-59)", s);
    if (f > 74)
        return toc_err(p, line, DISC_E_FORMAT,
                       "illegal frame field %lld (0-74)", f);
    if (m > 10000)
        return toc_err(p, line, DISC_E_FORMAT, "%lld minutes is too long", m);
    *out = m * 4500 + s * 75 + f;
    return toc_next(p);
}

/* A length: "m:s:f" (*is_msf 1, frames) or a bare integer (0). */
static int
toc_value(struct toc_parse *p, const char *what, long long *v, int *is_msf)
{
    long long n;
    int r;

    if (p->lx.tok != T_INT)
        return toc_expected(p, what);
    n = p->lx.num;
    if ((r = toc_next(p)) < 0)
        return r;
    if (toc_is_punct(p, ':')) {
        *is_msf = 1;
        return toc_msf_rest(p, n, v);
    }
    *is_msf = 0;
    *v = n;
    return 0;
}

/* An MSF only. */
static int
toc_msf(struct toc_parse *p, const char *what, long long *v)
{
    unsigned line = p->lx.tline;
    int msf = 0, r = toc_value(p, what, v, &msf);

    if (r == 0 && !msf)
        return toc_err(p, line, DISC_E_FORMAT, "%s must be m:s:f", what);
    return r;
}

/* ------------------------------------------------------------------ */
/* Reader: model of a parsed TOC                                       */

/* One sub-track: a range of a file, or zeros (SILENCE, ZERO, PREGAP).
 * Consecutive pieces of one mode and sub-channel mode form a "run":
 * cdrdao joins them byte by byte and pads only the run's end to a whole
 * block (Track.cc). */
struct toc_piece {
    enum toc_mode mode; /* run key, with sub */
    enum toc_sub sub;
    struct disc_source *src; /* NULL: zeros */
    int64_t off;             /* first byte in src */
    int64_t len;             /* bytes */
    int swap;                /* 16-bit words stored big-endian */
};

struct toc_track {
    unsigned line;
    enum toc_mode mode;
    enum toc_sub sub;
    uint8_t control;
    char isrc[13];
    int audiocut; /* -1 none yet, 1 FILE/SILENCE, 0 DATAFILE/ZERO */
    struct toc_piece *pc;
    size_t npc, cap;
    int start_set;
    long long start; /* blocks from the track's first block */
    unsigned start_line;
    int end_set;
    long long end;
    unsigned end_line;
    int nidx;
    long long idx[DISC_MAX_INDEX]; /* INDEX offsets from start, blocks */
    unsigned idx_line[DISC_MAX_INDEX];
};

struct toc_file {
    char *path; /* as resolved */
    int wav;
    struct disc_source *src; /* owned by the disc */
    int64_t size;            /* bytes (PCM bytes for WAVE) */
};

struct toc_state {
    struct toc_parse p;
    struct toc_file *files;
    size_t nfiles, capfiles;
    int lang_code[DISC_CDTEXT_MAX_BLOCKS]; /* LANGUAGE_MAP, -1 unset */
    int first_no;
    struct toc_track *t; /* the track being parsed */
    disc_lba pos;        /* first block of the next track */
    int warned_info;
};

/* ------------------------------------------------------------------ */
/* Reader: the joining source                                          */

/* A byte source over a run whose pieces do not all fall on block
 * boundaries: pieces are served back to back, big-endian audio swapped,
 * and the run's last block padded with zeros. */
struct toc_cat {
    struct disc_source base;
    struct toc_piece *pc;
    int64_t *at; /* stream offset of each piece */
    size_t n;
};

static int
toc_cat_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off,
              size_t len, void *buf)
{
    struct toc_cat *c = (struct toc_cat *)s;
    uint8_t *out = buf;
    size_t i;

    memset(buf, 0, len);
    for (i = 0; i < c->n; i++) {
        const struct toc_piece *pc = &c->pc[i];
        int64_t a = off > c->at[i] ? off - c->at[i] : 0;
        int64_t b = off + (int64_t)len - c->at[i];
        if (b > pc->len)
            b = pc->len;
        if (b <= a || !pc->src)
            continue;
        while (a < b) {
            /* Swapped words are whole words of the piece: read from an
             * even piece offset. */
            uint8_t tmp[4096 + 2];
            int64_t ra = pc->swap ? (a & ~(int64_t)1) : a;
            int64_t rb = b - ra > 4096 ? ra + 4096 : b;
            int64_t rbx = pc->swap && (rb & 1) && rb < pc->len ? rb + 1 : rb;
            int r = pc->src->ops->pread(ctx, pc->src, pc->off + ra,
                                        (size_t)(rbx - ra), tmp);
            if (r < 0)
                return r;
            if (pc->swap)
                disc_swap16(tmp, (size_t)(rbx - ra));
            memcpy(out + (c->at[i] + a - off), tmp + (a - ra),
                   (size_t)(rb - a));
            a = rb;
        }
    }
    return 0;
}

static void
toc_cat_close(struct disc_source *s)
{
    struct toc_cat *c = (struct toc_cat *)s;

    disc_free_mem(c->pc);
    disc_free_mem(c->at);
    disc_free_mem(s->name);
    disc_free_mem(c);
}

static const struct disc_source_ops toc_cat_ops = {
    .name = "toc-run",
    .pread = toc_cat_pread,
    .close = toc_cat_close,
};

/* ------------------------------------------------------------------ */
/* Reader: RW_RAW sub-channel                                          */

/* RW_RAW blocks carry 96 interleaved sub-channel bytes whose low six
 * bits are R-W (cdrdao(1): interleaved, with L-EC).  This source serves
 * those blocks with P and Q (bits 7 and 6) synthesised from the disc's
 * TOC, so that the extent can hand the core captured subchannel. */
struct toc_rw {
    struct disc_source base;
    struct disc_source *src; /* the blocks (owned by the disc) */
    int64_t off;             /* byte offset of the first block */
    disc_lba lba;            /* LBA of the first block */
    uint32_t stride, dsize;  /* block size, main bytes in it */
    const struct disc *d;
};

static int
toc_rw_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off,
             size_t len, void *buf)
{
    struct toc_rw *w = (struct toc_rw *)s;
    uint8_t *p = buf, lin[DISC_SECTOR_SUB], raw[DISC_SECTOR_SUB];
    int64_t b;
    size_t i;
    int r = w->src->ops->pread(ctx, w->src, w->off + off, len, buf);

    if (r < 0)
        return r;
    /* Whole blocks only: the core reads from block boundaries. */
    for (b = (off + w->stride - 1) / w->stride;
         (b + 1) * (int64_t)w->stride <= off + (int64_t)len; b++) {
        uint8_t *sub = p + (b * w->stride - off) + w->dsize;
        r = disc_sub_synth(ctx, w->d, w->lba + (disc_lba)b, 1, lin);
        if (r < 0)
            return r;
        disc_sub_interleave(lin, raw);
        for (i = 0; i < DISC_SECTOR_SUB; i++)
            sub[i] = (uint8_t)((raw[i] & 0xC0) | (sub[i] & 0x3F));
    }
    return 0;
}

static void
toc_rw_close(struct disc_source *s)
{
    disc_free_mem(s->name);
    disc_free_mem(s);
}

static const struct disc_source_ops toc_rw_ops = {
    .name = "toc-rw-raw",
    .pread = toc_rw_pread,
    .close = toc_rw_close,
};

/* ------------------------------------------------------------------ */
/* Reader: files                                                       */

static int
toc_ext_is(const char *name, const char *ext)
{
    const char *dot = strrchr(disc_path_base(name), '.');

    return dot && strcasecmp(dot + 1, ext) == 0;
}

/* The file a FILE/DATAFILE line names, opened once per path. */
static int
toc_open(struct toc_state *st, const char *name, int wav, unsigned line,
         struct toc_file **out)
{
    struct toc_parse *p = &st->p;
    struct toc_file *f;
    char *path = NULL;
    size_t i;
    int r;

    if (!*name)
        return toc_err(p, line, DISC_E_FORMAT, "empty file name");
    if (strcmp(name, "-") == 0)
        return toc_err(p, line, DISC_E_UNSUPPORTED,
                       "\"-\" (standard input) is not supported: discarc "
                       "reads images from files");
    if (toc_ext_is(name, "mp3") || toc_ext_is(name, "ogg"))
        return toc_err(p, line, DISC_E_UNSUPPORTED,
                       "\"%.100s\": MP3 and Ogg audio files are not "
                       "supported (convert them to WAVE)",
                       name);
    if (disc_path_escapes(name) &&
        !(p->ctx && (p->ctx->flags & DISC_CTX_OUTSIDE_PATHS)))
        return toc_err(p, line, DISC_E_FORMAT,
                       "file \"%.120s\" leads outside the .toc's folder "
                       "(allow with --allow-outside-paths)",
                       name);
    r = disc_path_resolve(p->dir, name, &path);
    if (r == DISC_E_NOMEM)
        return toc_nomem(p);
    if (r < 0)
        return toc_err(p, line, DISC_E_IO, "file \"%.120s\" not found", name);
    for (i = 0; i < st->nfiles; i++)
        if (st->files[i].wav == wav && strcmp(st->files[i].path, path) == 0) {
            disc_free_mem(path);
            *out = &st->files[i];
            return 0;
        }
    if (st->nfiles == st->capfiles) {
        size_t c = st->capfiles ? st->capfiles * 2 : 8;
        f = disc_realloc(st->files, c * sizeof *f);
        if (!f) {
            disc_free_mem(path);
            return toc_nomem(p);
        }
        st->files = f;
        st->capfiles = c;
    }
    f = &st->files[st->nfiles];
    memset(f, 0, sizeof *f);
    f->path = path;
    f->wav = wav;
    if (wav) {
        r = disc_open_audio(p->ctx, path, &f->src, &f->size);
    } else {
        r = disc_source_file_new(p->ctx, path, &f->src);
        if (r == 0)
            f->size = f->src->size;
    }
    if (r < 0) {
        char msg[sizeof p->ctx->msg];
        disc_free_mem(path);
        if (r == DISC_E_NOMEM)
            return r;
        (void)snprintf(msg, sizeof msg, "%s", p->ctx->msg);
        return toc_err(p, line, r, "\"%.80s\": %s", name, msg);
    }
    disc_source_attach(p->d, f->src);
    st->nfiles++;
    *out = f;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader: tracks                                                      */

static int
toc_add_piece(struct toc_state *st, const struct toc_piece *pc)
{
    struct toc_track *t = st->t;

    if (t->npc == t->cap) {
        size_t c = t->cap ? t->cap * 2 : 4;
        struct toc_piece *n = disc_realloc(t->pc, c * sizeof *n);
        if (!n)
            return toc_nomem(&st->p);
        t->pc = n;
        t->cap = c;
    }
    t->pc[t->npc++] = *pc;
    return 0;
}

/* Bytes per block of a run of pieces like pc in track t. */
static uint32_t
toc_run_blen(const struct toc_track *t, const struct toc_piece *pc)
{
    return t->audiocut == 1 ? DISC_SECTOR_RAW
                            : toc_block_size(pc->mode, pc->sub);
}

static int
toc_same_run(const struct toc_piece *a, const struct toc_piece *b)
{
    return a->mode == b->mode && a->sub == b->sub;
}

/* Blocks of the track as its pieces stand (each run padded). */
static long long
toc_track_blocks(const struct toc_track *t)
{
    long long blocks = 0;
    size_t i = 0;

    while (i < t->npc) {
        uint32_t blen = toc_run_blen(t, &t->pc[i]);
        int64_t bytes = 0;
        size_t j = i;
        while (j < t->npc && toc_same_run(&t->pc[i], &t->pc[j]))
            bytes += t->pc[j++].len;
        blocks += (bytes + blen - 1) / blen;
        i = j;
    }
    return blocks;
}

/* The statement family of a track may not change (cdrdao refuses it). */
static int
toc_family(struct toc_state *st, int audiocut, unsigned line)
{
    struct toc_track *t = st->t;

    if (t->audiocut >= 0 && t->audiocut != audiocut)
        return toc_err(&st->p, line, DISC_E_FORMAT,
                       "mixing of FILE/AUDIOFILE/SILENCE and DATAFILE/ZERO "
                       "statements in one track is not allowed");
    t->audiocut = audiocut;
    return 0;
}

static int
toc_audio_only(struct toc_state *st, const char *what, unsigned line)
{
    if (st->t->mode != TOC_AUDIO || st->t->sub != TOC_SUB_NONE)
        return toc_err(&st->p, line, DISC_E_FORMAT,
                       "%s is only allowed in AUDIO tracks without a "
                       "sub-channel mode",
                       what);
    return 0;
}

/* The optional "#offset" after a file name, into *off (left as it is
 * without one).  A WAVE file is addressed by samples only. */
static int
toc_byte_offset(struct toc_parse *p, unsigned line, const char *name, int wav,
                long long *off)
{
    int r;

    if (!toc_is_punct(p, '#'))
        return 0;
    r = toc_next(p);
    if (r == 0 && p->lx.tok != T_INT)
        r = toc_expected(p, "byte offset after '#'");
    if (r < 0)
        return r;
    *off = p->lx.num;
    r = toc_next(p);
    if (r == 0 && wav && *off)
        r = toc_err(p, line, DISC_E_UNSUPPORTED,
                    "\"%.100s\": a byte offset into a WAVE file is not "
                    "supported",
                    name);
    return r;
}

/* The file name after FILE, AUDIOFILE or DATAFILE, read as bytes (a
 * name is no text): the string (disc_malloc'd, the caller's), or NULL
 * with the error code in *r. */
static char *
toc_file_name(struct toc_parse *p, int *r)
{
    char *name;

    p->lx.bytes = 1;
    *r = toc_next(p);
    p->lx.bytes = 0;
    if (*r < 0)
        return NULL;
    if (p->lx.tok != T_STR) {
        *r = toc_expected(p, "file name");
        return NULL;
    }
    name = p->lx.str;
    p->lx.str = NULL;
    return name;
}

/* FILE|AUDIOFILE "name" [SWAP] [#offset] start [length] */
static int
toc_stmt_file(struct toc_state *st)
{
    struct toc_parse *p = &st->p;
    unsigned line = p->lx.tline;
    struct toc_piece pc;
    struct toc_file *f = NULL;
    long long off = 0, start = 0, len = 0, avail;
    int swap = 0, msf = 0, wav, r;
    char *name = NULL;

    if ((r = toc_audio_only(st, "FILE", line)) < 0 ||
        (r = toc_family(st, 1, line)) < 0)
        return r;
    if (!(name = toc_file_name(p, &r)))
        return r;
    wav = toc_ext_is(name, "wav");
    r = toc_open(st, name, wav, line, &f);
    if (r == 0)
        r = toc_next(p);
    if (r == 0 && toc_is(p, "SWAP")) {
        swap = 1;
        r = toc_next(p);
    }
    if (r == 0)
        r = toc_byte_offset(p, line, name, wav, &off);
    if (r == 0)
        r = toc_value(p, "start", &start, &msf);
    if (r == 0 && msf)
        start *= TOC_SPB;
    if (r == 0 && p->lx.tok == T_INT) {
        r = toc_value(p, "length", &len, &msf);
        if (r == 0 && msf)
            len *= TOC_SPB;
    }
    if (r < 0)
        goto done;
    avail = (f->size - off) / 4;
    if (off > f->size || start >= avail) {
        r = toc_err(p, line, DISC_E_RANGE,
                    "\"%.100s\" (%lld bytes) ends before the start position",
                    name, (long long)f->size);
        goto done;
    }
    if (len == 0)
        len = avail - start;
    if (start + len > avail) {
        r = toc_err(p, line, DISC_E_RANGE,
                    "\"%.100s\" (%lld bytes) is too short: %lld bytes "
                    "needed",
                    name, (long long)f->size, off + (start + len) * 4);
        goto done;
    }
    memset(&pc, 0, sizeof pc);
    pc.mode = TOC_AUDIO;
    pc.src = f->src;
    pc.off = off + start * 4;
    pc.len = len * 4;
    /* Raw audio files are big-endian, WAVE little-endian; SWAP says the
     * file has the other order. */
    pc.swap = wav ? swap : !swap;
    r = toc_add_piece(st, &pc);
done:
    disc_free_mem(name);
    return r;
}

/* DATAFILE "name" [#offset] [length] */
static int
toc_stmt_datafile(struct toc_state *st)
{
    struct toc_parse *p = &st->p;
    struct toc_track *t = st->t;
    unsigned line = p->lx.tline;
    uint32_t blen = toc_block_size(t->mode, t->sub);
    struct toc_piece pc;
    struct toc_file *f = NULL;
    long long off = 0, len = -1;
    int msf = 0, wav, r;
    char *name = NULL;

    if ((r = toc_family(st, 0, line)) < 0)
        return r;
    if (!(name = toc_file_name(p, &r)))
        return r;
    wav = t->mode == TOC_AUDIO && toc_ext_is(name, "wav");
    r = toc_open(st, name, wav, line, &f);
    if (r == 0)
        r = toc_next(p);
    if (r == 0)
        r = toc_byte_offset(p, line, name, wav, &off);
    if (r == 0 && p->lx.tok == T_INT) {
        r = toc_value(p, "length", &len, &msf);
        if (r == 0 && msf)
            len *= blen;
    }
    if (r < 0)
        goto done;
    if (off >= f->size) {
        r = toc_err(p, line, DISC_E_RANGE,
                    "\"%.100s\" (%lld bytes) ends before byte offset %lld",
                    name, (long long)f->size, off);
        goto done;
    }
    if (len < 0)
        len = f->size - off;
    if (len == 0 || off + len > f->size) {
        r = toc_err(p, line, len ? DISC_E_RANGE : DISC_E_FORMAT,
                    len ? "\"%.100s\" (%lld bytes) is too short: %lld bytes "
                          "needed"
                        : "\"%.100s\" (%lld bytes): zero length",
                    name, (long long)f->size, off + len);
        goto done;
    }
    memset(&pc, 0, sizeof pc);
    pc.mode = t->mode;
    pc.sub = t->sub;
    pc.src = f->src;
    pc.off = off;
    pc.len = len;
    /* Audio data files are big-endian like FILE's, except WAVE; with a
     * sub-channel mode the blocks are taken as they are. */
    pc.swap = t->mode == TOC_AUDIO && t->sub == TOC_SUB_NONE && !wav;
    r = toc_add_piece(st, &pc);
done:
    disc_free_mem(name);
    return r;
}

static int
toc_mode_word(const struct toc_parse *p, int allow0)
{
    int m;

    if (p->lx.tok != T_WORD)
        return -1;
    for (m = 0; m < TOC_NMODES; m++)
        if ((allow0 || m != TOC_MODE0) &&
            strcmp(p->lx.word, disc_toc_modes[m].name) == 0)
            return m;
    return -1;
}

/* SILENCE length | ZERO [mode] [RW|RW_RAW] length | PREGAP m:s:f */
static int
toc_stmt_zero(struct toc_state *st, int silence, int pregap)
{
    struct toc_parse *p = &st->p;
    struct toc_track *t = st->t;
    unsigned line = p->lx.tline;
    struct toc_piece pc;
    long long len = 0;
    int msf = 0, r, m;

    memset(&pc, 0, sizeof pc);
    pc.mode = t->mode;
    pc.sub = t->sub;
    if ((r = toc_next(p)) < 0)
        return r;
    if (pregap) {
        if ((r = toc_msf(p, "PREGAP length", &len)) < 0)
            return r;
        silence = t->mode == TOC_AUDIO && t->sub == TOC_SUB_NONE;
        if (silence)
            len *= TOC_SPB;
    } else if (silence) {
        if ((r = toc_audio_only(st, "SILENCE", line)) < 0 ||
            (r = toc_family(st, 1, line)) < 0 ||
            (r = toc_value(p, "length", &len, &msf)) < 0)
            return r;
        if (msf)
            len *= TOC_SPB;
    } else {
        if ((r = toc_family(st, 0, line)) < 0)
            return r;
        if ((m = toc_mode_word(p, 1)) >= 0) {
            pc.mode = (enum toc_mode)m;
            pc.sub = TOC_SUB_NONE;
            if ((r = toc_next(p)) < 0)
                return r;
        }
        if (toc_is(p, "RW") || toc_is(p, "RW_RAW")) {
            pc.sub = toc_is(p, "RW") ? TOC_SUB_RW : TOC_SUB_RW_RAW;
            if ((r = toc_next(p)) < 0)
                return r;
        }
        if ((r = toc_value(p, "length", &len, &msf)) < 0)
            return r;
        if (msf)
            len *= toc_block_size(pc.mode, pc.sub);
    }
    if (len == 0)
        return toc_err(p, line, DISC_E_FORMAT, "%s has a length of zero",
                       pregap    ? "PREGAP"
                       : silence ? "SILENCE"
                                 : "ZERO");
    if (silence) {
        pc.mode = TOC_AUDIO;
        pc.sub = TOC_SUB_NONE;
        len *= 4;
    } else if (pregap) {
        len *= toc_block_size(pc.mode, pc.sub);
    }
    pc.len = len;
    return toc_add_piece(st, &pc);
}

/* START [m:s:f] and END [m:s:f]. */
static int
toc_stmt_mark(struct toc_state *st, int end)
{
    struct toc_parse *p = &st->p;
    struct toc_track *t = st->t;
    unsigned line = p->lx.tline;
    long long v = 0;
    int r;

    if (end ? t->end_set : t->start_set)
        return toc_err(p, line, DISC_E_FORMAT,
                       end ? "END given twice"
                           : "track start (end of pre-gap) already defined");
    if ((r = toc_next(p)) < 0)
        return r;
    if (p->lx.tok == T_INT) {
        if ((r = toc_msf(p, end ? "END" : "START", &v)) < 0)
            return r;
    } else {
        v = toc_track_blocks(t);
    }
    if (end) {
        t->end_set = 1;
        t->end = v;
        t->end_line = line;
    } else {
        t->start_set = 1;
        t->start = v;
        t->start_line = line;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader: CD-TEXT                                                     */

enum toc_item_kind { IT_TEXT, IT_GENRE, IT_SIZE, IT_IGNORED };

struct toc_item {
    const char *kw;
    enum toc_item_kind kind;
    enum disc_cdtext_field f;
    int track_ok;
};

static const struct toc_item toc_items[] = {
    { "TITLE", IT_TEXT, DISC_CDTEXT_TITLE, 1 },
    { "PERFORMER", IT_TEXT, DISC_CDTEXT_PERFORMER, 1 },
    { "SONGWRITER", IT_TEXT, DISC_CDTEXT_SONGWRITER, 1 },
    { "COMPOSER", IT_TEXT, DISC_CDTEXT_COMPOSER, 1 },
    { "ARRANGER", IT_TEXT, DISC_CDTEXT_ARRANGER, 1 },
    { "MESSAGE", IT_TEXT, DISC_CDTEXT_MESSAGE, 1 },
    { "DISC_ID", IT_TEXT, DISC_CDTEXT_DISCID, 1 },
    { "GENRE", IT_GENRE, DISC_CDTEXT_GENRE, 0 },
    { "TOC_INFO1", IT_IGNORED, DISC_CDTEXT_NFIELDS, 0 },
    { "TOC_INFO2", IT_IGNORED, DISC_CDTEXT_NFIELDS, 0 },
    { "RESERVED1", IT_IGNORED, DISC_CDTEXT_NFIELDS, 1 },
    { "RESERVED2", IT_IGNORED, DISC_CDTEXT_NFIELDS, 1 },
    { "RESERVED3", IT_IGNORED, DISC_CDTEXT_NFIELDS, 1 },
    { "RESERVED4", IT_TEXT, DISC_CDTEXT_CLOSED, 1 },
    { "CLOSED", IT_TEXT, DISC_CDTEXT_CLOSED, 1 },
    { "UPC_EAN", IT_TEXT, DISC_CDTEXT_UPC_ISRC, 1 },
    { "ISRC", IT_TEXT, DISC_CDTEXT_UPC_ISRC, 1 },
    { "SIZE_INFO", IT_SIZE, DISC_CDTEXT_NFIELDS, 0 },
};

static const struct {
    const char *kw;
    uint8_t charset;
} toc_encodings[] = {
    { "ENCODING_ISO_8859_1", 0x00 }, { "ENCODING_ASCII", 0x01 },
    { "ENCODING_MS_JIS", 0x80 },     { "ENCODING_KOREAN", 0x81 },
    { "ENCODING_MANDARIN", 0x82 },
};

/* The block, created (empty) when missing. */
static struct disc_cdtext_block *
toc_block(struct toc_state *st, int blk)
{
    struct disc *d = st->p.d;

    if (!d->cdtext[blk]) {
        if (disc_cdtext_set(st->p.ctx, d, blk, 0, DISC_CDTEXT_TITLE, "") < 0)
            return NULL;
        (void)disc_cdtext_set(st->p.ctx, d, blk, 0, DISC_CDTEXT_TITLE, NULL);
    }
    return d->cdtext[blk];
}

/* A binary value "{ b, b, ... }": bytes into buf, count in *n. */
static int
toc_binary(struct toc_parse *p, uint8_t *buf, size_t *n)
{
    int r;

    *n = 0;
    if ((r = toc_next(p)) < 0)
        return r;
    while (!toc_is_punct(p, '}')) {
        if (*n && (r = toc_punct(p, ',')) < 0)
            return r;
        if (p->lx.tok != T_INT)
            return toc_expected(p, "a byte value");
        if (p->lx.num > 255)
            return toc_err(p, p->lx.tline, DISC_E_FORMAT,
                           "illegal binary data %lld (0-255)", p->lx.num);
        if (*n == TOC_MAX_BINARY)
            return toc_err(p, p->lx.tline, DISC_E_FORMAT,
                           "binary CD-TEXT data longer than %d bytes",
                           TOC_MAX_BINARY);
        buf[(*n)++] = (uint8_t)p->lx.num;
        if ((r = toc_next(p)) < 0)
            return r;
    }
    return toc_next(p);
}

/* ISO 8859-1 bytes up to the first NUL, as UTF-8 (disc_malloc'd). */
static char *
toc_latin1(const uint8_t *b, size_t n)
{
    char *s = disc_malloc(n * 2 + 1);
    size_t i, o = 0;

    if (!s)
        return NULL;
    for (i = 0; i < n && b[i]; i++)
        o = toc_put_latin1(s, o, b[i]);
    s[o] = '\0';
    return s;
}

/* ITEM value, in language block blk for track tr (0: the disc). */
static int
toc_cdtext_item(struct toc_state *st, int blk, int tr, uint8_t *bin)
{
    struct toc_parse *p = &st->p;
    const struct toc_item *it = NULL;
    struct disc_cdtext_block *b;
    unsigned line = p->lx.tline;
    char *text = NULL;
    size_t i, n = 0;
    int r, binary;

    for (i = 0; i < sizeof toc_items / sizeof toc_items[0]; i++)
        if (toc_is(p, toc_items[i].kw))
            it = &toc_items[i];
    if (!it)
        return toc_expected(p, "a CD-TEXT item or '}'");
    if (tr && !it->track_ok)
        return toc_err(p, line, DISC_E_FORMAT,
                       "%s is not a CD-TEXT item for a track", it->kw);
    if ((r = toc_next(p)) < 0)
        return r;
    binary = toc_is_punct(p, '{');
    if (binary) {
        if ((r = toc_binary(p, bin, &n)) < 0)
            return r;
    } else if (p->lx.tok == T_STR) {
        text = p->lx.str;
        p->lx.str = NULL;
        if ((r = toc_next(p)) < 0)
            goto done;
    } else {
        return toc_expected(p, "a string or '{'");
    }
    b = toc_block(st, blk);
    if (!b) {
        r = p->ctx->err;
        goto done;
    }
    r = 0;
    switch (it->kind) {
    case IT_IGNORED:
        if (!st->warned_info)
            disc_warn(p->ctx,
                      "%s:%u: CD-TEXT %s is not kept (discarc keeps the "
                      "text items, GENRE and SIZE_INFO's character set)",
                      p->path, line, it->kw);
        st->warned_info = 1;
        break;
    case IT_SIZE:
        if (binary && n >= 4) {
            b->charset = bin[0];
            b->copyright = bin[3];
        }
        break;
    case IT_GENRE:
    case IT_TEXT:
        if (binary) {
            /* GENRE: a big-endian code, then text; others: text. */
            size_t skip = it->kind == IT_GENRE ? 2 : 0;
            if (it->kind == IT_GENRE && n >= 2)
                b->genre = (uint16_t)(bin[0] << 8 | bin[1]);
            text = toc_latin1(bin + (n >= skip ? skip : n),
                              n >= skip ? n - skip : 0);
            if (!text) {
                r = toc_nomem(p);
                break;
            }
        }
        /* An empty string makes no item (cdrdao drops it too). */
        if (text && *text)
            r = disc_cdtext_set(p->ctx, p->d, blk, tr, it->f, text);
        break;
    }
done:
    disc_free_mem(text);
    return r < 0 ? r : 0;
}

/* CD_TEXT { [LANGUAGE_MAP { n : code ... }] (LANGUAGE n { items })* } */
static int
toc_cdtext(struct toc_state *st, int tr)
{
    struct toc_parse *p = &st->p;
    uint8_t *bin = NULL;
    int r;

    if ((r = toc_next(p)) < 0 || (r = toc_punct(p, '{')) < 0)
        return r;
    if (toc_is(p, "LANGUAGE_MAP")) {
        if (tr)
            return toc_err(p, p->lx.tline, DISC_E_FORMAT,
                           "LANGUAGE_MAP is only allowed in the disc's "
                           "CD_TEXT");
        if ((r = toc_next(p)) < 0 || (r = toc_punct(p, '{')) < 0)
            return r;
        while (!toc_is_punct(p, '}')) {
            long long blk, code;
            unsigned line = p->lx.tline;
            if (p->lx.tok != T_INT)
                return toc_expected(p, "a language number");
            blk = p->lx.num;
            if ((r = toc_next(p)) < 0 || (r = toc_punct(p, ':')) < 0)
                return r;
            if (toc_is(p, "EN"))
                code = 9;
            else if (p->lx.tok == T_INT && p->lx.num <= 255)
                code = p->lx.num;
            else
                return toc_expected(p, "a language code (0-255 or EN)");
            if (blk >= DISC_CDTEXT_MAX_BLOCKS)
                return toc_err(p, line, DISC_E_FORMAT,
                               "invalid language number %lld (0-7)", blk);
            st->lang_code[blk] = (int)code;
            if ((r = toc_next(p)) < 0)
                return r;
        }
        if ((r = toc_next(p)) < 0)
            return r;
    }
    bin = disc_malloc(TOC_MAX_BINARY);
    if (!bin)
        return toc_nomem(p);
    while (r == 0 && toc_is(p, "LANGUAGE")) {
        long long blk;
        size_t k;
        if ((r = toc_next(p)) < 0)
            break;
        if (p->lx.tok != T_INT) {
            r = toc_expected(p, "a language number");
            break;
        }
        blk = p->lx.num;
        if (blk >= DISC_CDTEXT_MAX_BLOCKS) {
            r = toc_err(p, p->lx.tline, DISC_E_FORMAT,
                        "invalid language number %lld (0-7)", blk);
            break;
        }
        if ((r = toc_next(p)) < 0 || (r = toc_punct(p, '{')) < 0)
            break;
        for (k = 0; k < sizeof toc_encodings / sizeof toc_encodings[0]; k++)
            if (toc_is(p, toc_encodings[k].kw)) {
                struct disc_cdtext_block *b = toc_block(st, (int)blk);
                if (!b) {
                    r = p->ctx->err;
                    break;
                }
                b->charset = toc_encodings[k].charset;
                r = toc_next(p);
                break;
            }
        while (r == 0 && !toc_is_punct(p, '}'))
            r = toc_cdtext_item(st, (int)blk, tr, bin);
        if (r == 0)
            r = toc_next(p);
    }
    disc_free_mem(bin);
    if (r == 0)
        r = toc_punct(p, '}');
    return r;
}

/* ------------------------------------------------------------------ */
/* Reader: layout                                                      */

/* The generated-sector kind for zeros of mode m in track t. */
static enum disc_gen
toc_gen(const struct toc_track *t, enum toc_mode m)
{
    if (m == t->mode || m == TOC_MODE0)
        return disc_gen_for_mode(disc_toc_modes[t->mode].mode);
    return disc_gen_for_mode(disc_toc_modes[m].mode);
}

static int
toc_extent(struct toc_state *st, disc_lba lba, uint32_t count,
           struct disc_source *src, int64_t off, uint32_t blen, enum toc_mode m,
           enum toc_sub sub, int swap, enum disc_gen gen)
{
    struct disc_extent e;

    memset(&e, 0, sizeof e);
    if (src && sub == TOC_SUB_RW_RAW) {
        struct toc_rw *w = disc_calloc(1, sizeof *w);
        if (!w || !(w->base.name = disc_strdup(src->name))) {
            disc_free_mem(w);
            return toc_nomem(&st->p);
        }
        w->base.ops = &toc_rw_ops;
        w->base.size = (int64_t)count * blen;
        w->src = src;
        w->off = off;
        w->lba = lba;
        w->stride = blen;
        w->dsize = disc_toc_modes[m].size;
        w->d = st->p.d;
        disc_source_attach(st->p.d, &w->base);
        src = &w->base;
        off = 0;
        e.sub = DISC_SUBL_INTERLEAVED;
    }
    /* Packed R-W (RW) is skipped: P and Q are synthesised
     * (docs/formats/toc.md). */
    e.lba = lba;
    e.count = count;
    e.src = src;
    e.offset = off;
    e.stride = blen;
    e.data = src ? disc_toc_modes[m].layout : DISC_DATA_GEN;
    e.gen = gen;
    e.flags = swap ? DISC_EXT_SWAP : 0;
    return disc_extent_add(st->p.ctx, st->p.d, &e);
}

/* Maps pieces [i, j) (one run) from LBA lba: one extent per piece when
 * every piece starts and ends on a block boundary, else one joining
 * source for the run. */
static int
toc_map_run(struct toc_state *st, size_t i, size_t j, disc_lba lba,
            uint32_t *blocks)
{
    struct toc_track *t = st->t;
    const struct toc_piece *pc = &t->pc[i];
    uint32_t blen = toc_run_blen(t, pc);
    int64_t bytes = 0;
    int aligned = 1;
    struct toc_cat *c;
    size_t k;
    int r;

    for (k = i; k < j; k++) {
        if (t->pc[k].len % blen)
            aligned = 0;
        bytes += t->pc[k].len;
    }
    *blocks = (uint32_t)((bytes + blen - 1) / blen);
    if (aligned) {
        for (k = i; k < j; k++) {
            uint32_t n = (uint32_t)(t->pc[k].len / blen);
            r = toc_extent(st, lba, n, t->pc[k].src, t->pc[k].off, blen,
                           t->pc[k].mode, t->pc[k].sub, t->pc[k].swap,
                           toc_gen(t, t->pc[k].mode));
            if (r < 0)
                return r;
            lba += (disc_lba)n;
        }
        return 0;
    }
    c = disc_calloc(1, sizeof *c);
    if (!c)
        return toc_nomem(&st->p);
    c->base.ops = &toc_cat_ops;
    c->base.size = (int64_t)*blocks * blen;
    c->n = j - i;
    c->pc = disc_malloc(c->n * sizeof *c->pc);
    c->at = disc_malloc(c->n * sizeof *c->at);
    c->base.name = disc_strdup(st->p.path);
    if (!c->pc || !c->at || !c->base.name) {
        toc_cat_close(&c->base);
        return toc_nomem(&st->p);
    }
    bytes = 0;
    for (k = 0; k < c->n; k++) {
        c->pc[k] = t->pc[i + k];
        c->at[k] = bytes;
        bytes += c->pc[k].len;
    }
    disc_source_attach(st->p.d, &c->base);
    /* Swapping was done per piece: the extent takes the bytes as they
     * come. */
    return toc_extent(st, lba, *blocks, &c->base, 0, blen, pc->mode, pc->sub, 0,
                      toc_gen(t, pc->mode));
}

/* Checks the finished track st->t and adds it to the disc. */
static int
toc_track_done(struct toc_state *st)
{
    struct toc_parse *p = &st->p;
    struct toc_track *t = st->t;
    struct disc *d = p->d;
    struct disc_track *dt = &d->track[d->ntracks];
    long long len = toc_track_blocks(t), prev = 0;
    long long mark[DISC_MAX_INDEX + 1];
    unsigned mline[DISC_MAX_INDEX + 1];
    disc_lba lba = st->pos;
    int n = 0, k, r;
    size_t i = 0;

    if (len == 0)
        return toc_err(p, t->line, DISC_E_FORMAT, "track %d has no data",
                       st->first_no + d->ntracks);
    if ((long long)st->pos + len > DISC_LBA_MAX)
        return toc_err(p, t->line, DISC_E_RANGE,
                       "the disc is longer than 90 minutes");
    if (t->start_set && t->start >= len)
        return toc_err(p, t->start_line, DISC_E_FORMAT,
                       "START at block %lld is behind or at the track end "
                       "(%lld blocks)",
                       t->start, len);
    if (!t->start_set)
        t->start = 0;
    /* INDEX increments (relative to START) in ascending order, and
     * END's increment where it falls among them. */
    for (k = 0; k < t->nidx; k++) {
        if (t->idx[k] <= 0)
            return toc_err(p, t->idx_line[k], DISC_E_FORMAT,
                           "index at the start of the track");
        if (t->idx[k] <= prev)
            return toc_err(p, t->idx_line[k], DISC_E_FORMAT,
                           "index not after the previous one");
        prev = t->idx[k];
        mark[n] = t->idx[k];
        mline[n++] = t->idx_line[k];
    }
    if (t->end_set) {
        if (t->end <= t->start || t->end >= len)
            return toc_err(p, t->end_line, DISC_E_FORMAT,
                           "END must lie after START and before the track "
                           "end");
        for (k = n; k > 0 && mark[k - 1] > t->end - t->start; k--) {
            mark[k] = mark[k - 1];
            mline[k] = mline[k - 1];
        }
        if (k > 0 && mark[k - 1] == t->end - t->start)
            return toc_err(p, t->end_line, DISC_E_FORMAT,
                           "END falls on an INDEX");
        mark[k] = t->end - t->start;
        mline[k] = t->end_line;
        n++;
    }
    for (k = 0; k < n; k++)
        if (mark[k] >= len - t->start)
            return toc_err(p, mline[k], DISC_E_FORMAT,
                           "index beyond the track end");
    if (n + 1 > DISC_MAX_INDEX)
        return toc_err(p, t->line, DISC_E_FORMAT, "more than 98 indexes");
    memset(dt, 0, sizeof *dt);
    dt->number = (uint8_t)(st->first_no + d->ntracks);
    dt->session = 1;
    dt->mode = disc_toc_modes[t->mode].mode;
    dt->control = t->control;
    if (dt->mode == DISC_MODE_AUDIO) {
        dt->control &= (uint8_t)~DISC_CTL_DATA;
    } else {
        if (t->control & (DISC_CTL_PREEMPH | DISC_CTL_4CH))
            disc_warn(p->ctx,
                      "%s:%u: PRE_EMPHASIS and FOUR_CHANNEL_AUDIO mean "
                      "nothing for a data track; ignored",
                      p->path, t->line);
        dt->control = (uint8_t)((t->control & DISC_CTL_COPY) | DISC_CTL_DATA);
    }
    memcpy(dt->isrc, t->isrc, sizeof dt->isrc);
    dt->index[0] = st->pos;
    dt->index[1] = st->pos + (disc_lba)t->start;
    for (k = 0; k < n; k++)
        dt->index[k + 2] = dt->index[1] + (disc_lba)mark[k];
    dt->last_index = (uint8_t)(n + 1);
    if (t->sub == TOC_SUB_RW)
        disc_warn(p->ctx,
                  "%s:%u: the packed R-W sub-channel data of track %d (RW) "
                  "is not used; P and Q are synthesised",
                  p->path, t->line, dt->number);
    while (i < t->npc) {
        size_t j = i;
        uint32_t blocks = 0;
        while (j < t->npc && toc_same_run(&t->pc[i], &t->pc[j]))
            j++;
        r = toc_map_run(st, i, j, lba, &blocks);
        if (r < 0)
            return r;
        lba += (disc_lba)blocks;
        i = j;
    }
    st->pos = lba;
    d->ntracks++;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader: statements                                                  */

/* The code after ISRC (isrc 1) or CATALOG: a string the model's rule
 * for it accepts, copied into out with its NUL (13 or 14 bytes).  The
 * string stays the current token. */
static int
toc_code(struct toc_parse *p, int isrc, char *out)
{
    unsigned line = p->lx.tline;
    int r = toc_next(p);

    if (r < 0)
        return r;
    if (p->lx.tok != T_STR)
        return toc_expected(p, isrc ? "an ISRC string"
                                    : "a catalog number string");
    if (!(isrc ? disc_valid_isrc(p->lx.str) : disc_valid_mcn(p->lx.str)))
        return toc_err(p, line, DISC_E_FORMAT, "illegal %s \"%.20s\" (%s)",
                       isrc ? "ISRC code" : "catalog number", p->lx.str,
                       isrc ? "CCOOOYYSSSSS: 5 upper-case letters or digits, "
                              "7 digits"
                            : "13 digits");
    memcpy(out, p->lx.str, isrc ? 13 : 14);
    return 0;
}

static int
toc_flags(struct toc_state *st)
{
    struct toc_parse *p = &st->p;
    struct toc_track *t = st->t;
    int r;

    for (;;) {
        int no = 0;
        if (toc_is(p, "ISRC")) {
            if ((r = toc_code(p, 1, t->isrc)) < 0)
                return r;
            if ((r = toc_next(p)) < 0)
                return r;
            continue;
        }
        if (toc_is(p, "NO")) {
            no = 1;
            if ((r = toc_next(p)) < 0)
                return r;
            if (!toc_is(p, "COPY") && !toc_is(p, "PRE_EMPHASIS"))
                return toc_expected(p, "COPY or PRE_EMPHASIS after NO");
        }
        if (toc_is(p, "COPY")) {
            t->control = (uint8_t)(no ? t->control & ~DISC_CTL_COPY
                                      : t->control | DISC_CTL_COPY);
        } else if (toc_is(p, "PRE_EMPHASIS")) {
            t->control = (uint8_t)(no ? t->control & ~DISC_CTL_PREEMPH
                                      : t->control | DISC_CTL_PREEMPH);
        } else if (toc_is(p, "TWO_CHANNEL_AUDIO")) {
            t->control &= (uint8_t)~DISC_CTL_4CH;
        } else if (toc_is(p, "FOUR_CHANNEL_AUDIO")) {
            t->control |= DISC_CTL_4CH;
        } else {
            return 0;
        }
        if ((r = toc_next(p)) < 0)
            return r;
    }
}

/* TRACK mode [RW|RW_RAW] flags [CD_TEXT] [PREGAP] statements INDEX* */
static int
toc_track(struct toc_state *st)
{
    struct toc_parse *p = &st->p;
    struct toc_track *t = st->t;
    struct toc_piece *keep = t->pc;
    size_t keepcap = t->cap;
    int m, r, any = 0;

    /* The piece array is reused from track to track. */
    memset(t, 0, sizeof *t);
    t->pc = keep;
    t->cap = keepcap;
    t->line = p->lx.tline;
    t->audiocut = -1;
    if (p->d->ntracks + st->first_no > DISC_MAX_TRACKS)
        return toc_err(p, t->line, DISC_E_FORMAT, "more than 99 tracks");
    if ((r = toc_next(p)) < 0)
        return r;
    m = toc_mode_word(p, 0);
    if (m < 0)
        return toc_expected(p, "a track mode (AUDIO, MODE1, MODE1_RAW, "
                               "MODE2, MODE2_RAW, MODE2_FORM1, MODE2_FORM2, "
                               "MODE2_FORM_MIX)");
    t->mode = (enum toc_mode)m;
    if ((r = toc_next(p)) < 0)
        return r;
    if (toc_is(p, "RW") || toc_is(p, "RW_RAW")) {
        t->sub = toc_is(p, "RW") ? TOC_SUB_RW : TOC_SUB_RW_RAW;
        if ((r = toc_next(p)) < 0)
            return r;
    }
    if ((r = toc_flags(st)) < 0)
        return r;
    if (toc_is(p, "CD_TEXT") &&
        (r = toc_cdtext(st, st->first_no + p->d->ntracks)) < 0)
        return r;
    if (toc_is(p, "PREGAP")) {
        unsigned line = p->lx.tline;
        if ((r = toc_stmt_zero(st, 0, 1)) < 0)
            return r;
        t->start_set = 1;
        t->start = toc_track_blocks(t);
        t->start_line = line;
    }
    for (;;) {
        if (toc_is(p, "FILE") || toc_is(p, "AUDIOFILE"))
            r = toc_stmt_file(st);
        else if (toc_is(p, "DATAFILE"))
            r = toc_stmt_datafile(st);
        else if (toc_is(p, "SILENCE"))
            r = toc_stmt_zero(st, 1, 0);
        else if (toc_is(p, "ZERO"))
            r = toc_stmt_zero(st, 0, 0);
        else if (toc_is(p, "START"))
            r = toc_stmt_mark(st, 0);
        else if (toc_is(p, "END"))
            r = toc_stmt_mark(st, 1);
        else if (toc_is(p, "FIFO"))
            return toc_err(p, p->lx.tline, DISC_E_UNSUPPORTED,
                           "FIFO (a named pipe) is not supported: discarc "
                           "reads images from files");
        else
            break;
        if (r < 0)
            return r;
        any = 1;
    }
    if (!any && !t->npc)
        return toc_expected(p, "a data statement (FILE, DATAFILE, SILENCE, "
                               "ZERO, START)");
    while (toc_is(p, "INDEX")) {
        unsigned line = p->lx.tline;
        long long v = 0;
        if ((r = toc_next(p)) < 0 || (r = toc_msf(p, "INDEX", &v)) < 0)
            return r;
        if (t->nidx + (t->end_set ? 1 : 0) >= DISC_MAX_INDEX - 1)
            return toc_err(p, line, DISC_E_FORMAT,
                           "more than 98 index increments");
        t->idx_line[t->nidx] = line;
        t->idx[t->nidx++] = v;
    }
    return toc_track_done(st);
}

static int
toc_parse_all(struct toc_state *st)
{
    struct toc_parse *p = &st->p;
    struct disc *d = p->d;
    uint8_t type = DISC_TYPE_CDDA;
    int r, k;

    if ((r = toc_next(p)) < 0)
        return r;
    for (;;) {
        if (toc_is(p, "CD_DA") || toc_is(p, "CD_ROM")) {
            type = DISC_TYPE_CDDA;
        } else if (toc_is(p, "CD_ROM_XA")) {
            type = DISC_TYPE_XA;
        } else if (toc_is(p, "CD_I")) {
            type = DISC_TYPE_CDI;
        } else if (toc_is(p, "CATALOG")) {
            if ((r = toc_code(p, 0, d->mcn)) < 0)
                return r;
        } else {
            break;
        }
        if ((r = toc_next(p)) < 0)
            return r;
    }
    if (toc_is(p, "FIRST_TRACK_NO")) {
        unsigned line = p->lx.tline;
        if ((r = toc_next(p)) < 0)
            return r;
        if (p->lx.tok != T_INT || p->lx.num < 1 || p->lx.num > 99)
            return toc_err(p, line, DISC_E_FORMAT,
                           "FIRST_TRACK_NO needs a number from 1 to 99");
        st->first_no = (int)p->lx.num;
        if ((r = toc_next(p)) < 0)
            return r;
    }
    if (toc_is(p, "CD_TEXT") && (r = toc_cdtext(st, 0)) < 0)
        return r;
    while (toc_is(p, "TRACK"))
        if ((r = toc_track(st)) < 0)
            return r;
    if (p->lx.tok != T_EOF)
        return toc_expected(p, d->ntracks ? "TRACK or the end of the file"
                                          : "TRACK");
    if (!d->ntracks)
        return toc_err(p, p->lx.tline, DISC_E_FORMAT, "no TRACK");
    d->nsessions = 1;
    d->session[0].number = 1;
    d->session[0].first_track = d->track[0].number;
    d->session[0].last_track = d->track[d->ntracks - 1].number;
    d->session[0].type = type;
    d->session[0].leadout = st->pos;
    for (k = 0; k < DISC_CDTEXT_MAX_BLOCKS; k++)
        if (d->cdtext[k] && st->lang_code[k] >= 0)
            d->cdtext[k]->language = (uint8_t)st->lang_code[k];
    return 0;
}

static int
toc_read(struct disc_ctx *ctx, const char *path, struct disc *d)
{
    struct toc_state *st = disc_calloc(1, sizeof *st);
    struct toc_track *t = disc_calloc(1, sizeof *t);
    size_t i;
    int r, k;

    if (!st || !t) {
        disc_free_mem(st);
        disc_free_mem(t);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    st->p.ctx = ctx;
    st->p.d = d;
    st->p.path = path;
    st->t = t;
    st->first_no = 1;
    for (k = 0; k < DISC_CDTEXT_MAX_BLOCKS; k++)
        st->lang_code[k] = -1;
    st->p.dir = disc_path_dir(path);
    if (!st->p.dir) {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
        goto done;
    }
    r = disc_text_open(ctx, path, &st->p.lx.text);
    if (r < 0)
        goto done;
    st->p.lx.line = disc_text_next(&st->p.lx.text);
    st->p.lx.p = st->p.lx.line;
    r = toc_parse_all(st);
    disc_text_close(&st->p.lx.text);
done:
    disc_free_mem(st->p.lx.str);
    disc_free_mem(t->pc);
    disc_free_mem(t);
    for (i = 0; i < st->nfiles; i++)
        disc_free_mem(st->files[i].path);
    disc_free_mem(st->files);
    disc_free_mem(st->p.dir);
    disc_free_mem(st);
    return r;
}

const struct disc_format disc_fmt_toc = {
    .name = "toc",
    .description = "cdrdao TOC",
    .extensions = "toc",
    .caps = DISC_CAP_AUDIO | DISC_CAP_DATA | DISC_CAP_INDEXES |
            DISC_CAP_ISRC_MCN | DISC_CAP_CDTEXT | DISC_CAP_CDTEXT_LANGS |
            DISC_CAP_HTOA | DISC_CAP_TRACK_FILES,
    .probe = toc_probe,
    .read = toc_read,
    .write = disc_toc_write,
};
