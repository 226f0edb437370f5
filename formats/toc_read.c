/* toc_read.c - cdrdao TOC files: the probe, the native reader's parser
 * and the format's descriptor (toc_layout.c maps the parsed tracks onto
 * the disc; the writer is toc_write.c).
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
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, l->tline,
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
                return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, l->tline,
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
                return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, l->tline,
                                     "number too large");
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
    return disc_error_at(
        p->ctx, DISC_E_FORMAT, p->path, l->tline, "unexpected character '%c'",
        (unsigned char)*l->p >= 0x20 && (unsigned char)*l->p < 0x7F ? *l->p
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

    return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, p->lx.tline,
                         "%s expected, found %s", what,
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
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                             "illegal second field %lld (0-59)", s);
    if (f > 74)
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                             "illegal frame field %lld (0-74)", f);
    if (m > 10000)
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                             "%lld minutes is too long", m);
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
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                             "%s must be m:s:f", what);
    return r;
}

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
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                             "empty file name");
    if (strcmp(name, "-") == 0)
        return disc_error_at(p->ctx, DISC_E_UNSUPPORTED, p->path, line,
                             "\"-\" (standard input) is not supported: discarc "
                             "reads images from files");
    if (toc_ext_is(name, "mp3") || toc_ext_is(name, "ogg"))
        return disc_error_at(p->ctx, DISC_E_UNSUPPORTED, p->path, line,
                             "\"%.100s\": MP3 and Ogg audio files are not "
                             "supported (convert them to WAVE)",
                             name);
    if (disc_path_escapes(name) &&
        !(p->ctx && (p->ctx->flags & DISC_CTX_OUTSIDE_PATHS)))
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                             "file \"%.120s\" leads outside the .toc's folder "
                             "(allow with --allow-outside-paths)",
                             name);
    r = disc_path_resolve(p->dir, name, &path);
    if (r == DISC_E_NOMEM)
        return toc_nomem(p);
    if (r < 0)
        return disc_error_at(p->ctx, DISC_E_IO, p->path, line,
                             "file \"%.120s\" not found", name);
    for (i = 0; i < st->nfiles; i++)
        if (st->files[i].wav == wav && strcmp(st->files[i].path, path) == 0) {
            disc_free_mem(path);
            *out = &st->files[i];
            return 0;
        }
    r = disc_grow(p->ctx, &st->files, st->nfiles + 1, &st->capfiles,
                  sizeof *st->files, 8);
    if (r < 0) {
        disc_free_mem(path);
        return r;
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
        return disc_error_at(p->ctx, r, p->path, line, "\"%.80s\": %s", name,
                             msg);
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

    int r = disc_grow(st->p.ctx, &t->pc, t->npc + 1, &t->cap, sizeof *t->pc, 4);

    if (r < 0)
        return r;
    t->pc[t->npc++] = *pc;
    return 0;
}

/* The statement family of a track may not change (cdrdao refuses it). */
static int
toc_family(struct toc_state *st, int audiocut, unsigned line)
{
    struct toc_track *t = st->t;

    if (t->audiocut >= 0 && t->audiocut != audiocut)
        return disc_error_at(
            st->p.ctx, DISC_E_FORMAT, st->p.path, line,
            "mixing of FILE/AUDIOFILE/SILENCE and DATAFILE/ZERO "
            "statements in one track is not allowed");
    t->audiocut = audiocut;
    return 0;
}

static int
toc_audio_only(struct toc_state *st, const char *what, unsigned line)
{
    if (st->t->mode != TOC_AUDIO || st->t->sub != TOC_SUB_NONE)
        return disc_error_at(st->p.ctx, DISC_E_FORMAT, st->p.path, line,
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
        r = disc_error_at(p->ctx, DISC_E_UNSUPPORTED, p->path, line,
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
        r = disc_error_at(
            p->ctx, DISC_E_RANGE, p->path, line,
            "\"%.100s\" (%lld bytes) ends before the start position", name,
            (long long)f->size);
        goto done;
    }
    if (len == 0)
        len = avail - start;
    if (start + len > avail) {
        r = disc_error_at(p->ctx, DISC_E_RANGE, p->path, line,
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
        r = disc_error_at(
            p->ctx, DISC_E_RANGE, p->path, line,
            "\"%.100s\" (%lld bytes) ends before byte offset %lld", name,
            (long long)f->size, off);
        goto done;
    }
    if (len < 0)
        len = f->size - off;
    if (len == 0 || off + len > f->size) {
        r = disc_error_at(
            p->ctx, len ? DISC_E_RANGE : DISC_E_FORMAT, p->path, line,
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
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                             "%s has a length of zero",
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
        return disc_error_at(
            p->ctx, DISC_E_FORMAT, p->path, line,
            end ? "END given twice"
                : "track start (end of pre-gap) already defined");
    if ((r = toc_next(p)) < 0)
        return r;
    if (p->lx.tok == T_INT) {
        if ((r = toc_msf(p, end ? "END" : "START", &v)) < 0)
            return r;
    } else {
        v = disc_toc_track_blocks(t);
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
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, p->lx.tline,
                                 "illegal binary data %lld (0-255)", p->lx.num);
        if (*n == TOC_MAX_BINARY)
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, p->lx.tline,
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
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
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
            disc_warn_at(p->ctx, p->path, line,
                         "CD-TEXT %s is not kept (discarc keeps the "
                         "text items, GENRE and SIZE_INFO's character set)",
                         it->kw);
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
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, p->lx.tline,
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
                return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
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
            r = disc_error_at(p->ctx, DISC_E_FORMAT, p->path, p->lx.tline,
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
        return disc_error_at(
            p->ctx, DISC_E_FORMAT, p->path, line, "illegal %s \"%.20s\" (%s)",
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
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, t->line,
                             "more than 99 tracks");
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
        t->start = disc_toc_track_blocks(t);
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
            return disc_error_at(
                p->ctx, DISC_E_UNSUPPORTED, p->path, p->lx.tline,
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
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
                                 "more than 98 index increments");
        t->idx_line[t->nidx] = line;
        t->idx[t->nidx++] = v;
    }
    return disc_toc_track_done(st);
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
            return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, line,
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
        return disc_error_at(p->ctx, DISC_E_FORMAT, p->path, p->lx.tline,
                             "no TRACK");
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
