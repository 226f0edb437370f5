/* cue.h - what the CUE reader and writer share (private to cue*.c).
 * cue_read.c parses, cue_layout.c lays the parsed sheet out, cue_write.c
 * writes; nothing else includes this.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md, docs/formats/cd.md (session gaps).
 */
#ifndef DISC_CUE_H
#define DISC_CUE_H

#include "disc_format.h"

#define CUE_LEADOUT1 DISC_LEADOUT1
#define CUE_LEADOUT_N DISC_LEADOUT_N
#define CUE_LEADIN DISC_LEADIN

static inline int
cue_is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* 1 for the modes a CUE datatype gives as Mode 2 (CD-ROM XA sessions). */
static inline int
cue_mode2_family(enum disc_track_mode m)
{
    return m == DISC_MODE_MODE2 || m == DISC_MODE_MODE2_FORM1 ||
           m == DISC_MODE_MODE2_FORM2 || m == DISC_MODE_MODE2_MIXED;
}

/* A CD-TEXT command of a sheet (block 0), in the order the writer puts
 * them (docs/formats/cue.md). */
struct cue_text_cmd {
    const char *kw;
    enum disc_cdtext_field f;
    int bare;      /* written unquoted when it can be: Aaru reads these
                      codes only bare */
    int disc_only; /* written for the disc, never for a track */
};

#define CUE_NTEXT 9
extern const struct cue_text_cmd disc_cue_text[CUE_NTEXT];

/* Splits the body of a REM line into key and value as the reader does
 * (the writer checks that its REM lines read back the same).  "KEY
 * value" gives KEY; a phrase of two to four words ending in a colon
 * ("ORIGINAL MEDIA-TYPE: CD", "Ripping Tool: x") gives the phrase
 * without the colon.  The key is upper-cased and returned disc_malloc'd
 * in *key; *value points into body (verbatim).  Returns 0, or
 * DISC_E_NOMEM. */
int disc_cue_rem_split(const char *body, char **key, const char **value);

/* ------------------------------------------------------------------ */
/* The reader's parse state (cue_read.c, cue_layout.c)                 */

struct cue_dtype {
    const char *name;
    enum disc_track_mode mode;
    enum disc_data_layout layout;
    uint32_t stride;
    int cdg; /* 2352 audio + 96 interleaved P-W */
    int cdi; /* CD-i session */
};

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

#define CUE_SEEN_FLAGS 1u
#define CUE_SEEN_ISRC 2u
#define CUE_SEEN_PREGAP 4u
#define CUE_SEEN_POSTGAP 8u

struct cue_track {
    int number;
    unsigned line; /* TRACK line */
    int session;
    const struct cue_dtype *dt; /* NULL for a placeholder */
    char unripped[16]; /* placeholder datatype as written (EAC), or "" */
    size_t item;       /* items of the sheet before its TRACK line */
    uint8_t control;
    unsigned seen; /* CUE_SEEN_*: the commands a track takes once */
    int scms;
    char isrc[13];
    int32_t pregap, postgap; /* generated sectors (PREGAP/POSTGAP) */
    int nindex, last;        /* indexes seen, highest number */
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

enum cue_item_kind {
    CUE_IT_FILE,
    CUE_IT_INDEX,
    CUE_IT_SESSION,
    CUE_IT_LEADOUT /* INDEX 00 of an unripped data track: the lead-out */
};

/* The layout-relevant lines in sheet order. */
struct cue_item {
    enum cue_item_kind kind;
    int arg;   /* FILE: file; INDEX, LEADOUT: track (array index; for
                  LEADOUT the dropped placeholder); SESSION: number */
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

/* An error about the current line: "sheet.cue:12: ...". */
#define cue_err(p, code, ...)                                                  \
    disc_error_at((p)->ctx, code, (p)->path, (p)->line, __VA_ARGS__)

/* Lays the parsed sheet out into p->d: tracks, sessions, extents
 * (cue_layout.c).  Returns 0 or DISC_E_*. */
int disc_cue_layout(struct cue_parse *p);

/* The write hook of disc_fmt_cue (cue_write.c). */
int disc_cue_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
                   const struct disc_write_opts *o);

/* The sheet hook of disc_fmt_cue (cue_write.c): the text alone, for
 * files other code writes (rips). */
int disc_cue_sheet(struct disc_ctx *ctx, const struct disc *d,
                   const struct disc_sheet *map,
                   const struct disc_write_opts *o, struct disc_buf *text,
                   int *cdt_used);

#endif /* DISC_CUE_H */
