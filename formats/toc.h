/* toc.h - private to the cdrdao TOC plugin (toc_read.c reads and holds
 * the descriptor, toc_layout.c maps parsed tracks onto the disc,
 * toc_write.c writes): the track modes of a TOC file and the reader's
 * parse state.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: cdrdao(1) "TOC FILES"; cdrdao trackdb/TrackData.cc (block
 * sizes); docs/formats/toc.md.
 */
#ifndef DISC_FORMATS_TOC_H
#define DISC_FORMATS_TOC_H

#include "disc_format.h"

/* Track modes, in the order of disc_toc_modes. */
enum toc_mode {
    TOC_AUDIO = 0,
    TOC_MODE1,
    TOC_MODE1_RAW,
    TOC_MODE2,
    TOC_MODE2_RAW,
    TOC_MODE2_FORM1,
    TOC_MODE2_FORM2,
    TOC_MODE2_FORM_MIX,
    TOC_MODE0, /* ZERO only */
    TOC_NMODES
};

struct toc_modeinfo {
    const char *name;
    uint32_t size; /* bytes per block in the file, without sub-channel */
    enum disc_track_mode mode;
    enum disc_data_layout layout;
};

/* Name, block size and model mode/layout of each TOC mode (toc_read.c). */
extern const struct toc_modeinfo disc_toc_modes[TOC_NMODES];

/* Sub-channel data stored with each block of a track. */
enum toc_sub { TOC_SUB_NONE = 0, TOC_SUB_RW, TOC_SUB_RW_RAW };

static inline uint32_t
toc_block_size(enum toc_mode m, enum toc_sub s)
{
    return disc_toc_modes[m].size + (s != TOC_SUB_NONE ? DISC_SECTOR_SUB : 0u);
}

/* ------------------------------------------------------------------ */
/* The reader's state (toc_read.c parses, toc_layout.c maps tracks)    */

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

static inline int
toc_nomem(struct toc_parse *p)
{
    return disc_error(p->ctx, DISC_E_NOMEM, "out of memory");
}

/* Bytes per block of a run of pieces like pc in track t. */
static inline uint32_t
toc_run_blen(const struct toc_track *t, const struct toc_piece *pc)
{
    return t->audiocut == 1 ? DISC_SECTOR_RAW
                            : toc_block_size(pc->mode, pc->sub);
}

static inline int
toc_same_run(const struct toc_piece *a, const struct toc_piece *b)
{
    return a->mode == b->mode && a->sub == b->sub;
}

/* Blocks of the track as its pieces stand (each run padded). */
long long disc_toc_track_blocks(const struct toc_track *t);

/* Checks the finished track st->t, maps its runs onto extents and adds it
 * to the disc (toc_layout.c). */
int disc_toc_track_done(struct toc_state *st);

/* The write hook of disc_fmt_toc (toc_write.c). */
int disc_toc_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
                   const struct disc_write_opts *o);

#endif
