/* disc.h - public API of libdiscarc: the disc model, errors, sector access,
 * the format registry and the open/write entry points.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: MMC-3 (READ TOC format 2, READ CD), ECMA-130, IEC 60908,
 * docs/architecture.md of this project.
 */
#ifndef DISC_H
#define DISC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __GNUC__
#define DISC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DISC_PRINTF(a, b)
#endif

/* ------------------------------------------------------------------ */
/* Scalars and limits                                                  */

/* MMC logical block address: 0 is MSF 00:02:00; negative values reach
 * into the track-1 pregap and the lead-in.  libcdio calls this an LSN. */
typedef int32_t disc_lba;

#define DISC_SECTOR_RAW 2352 /* bytes of main channel per sector */
#define DISC_SECTOR_SUB 96   /* subchannel bytes per sector (P-W) */
#define DISC_MAX_TRACKS 99
#define DISC_MAX_INDEX 99
#define DISC_MAX_SESSIONS 99
#define DISC_CHUNK 64          /* sectors per streaming chunk */
#define DISC_PREGAP 150        /* Red Book pregap of a session's 1st track */
#define DISC_SESSION_GAP 11400 /* lead-out + lead-in + pregap, session 1->2 */
#define DISC_LEADOUT1 6750     /* lead-out of session 1 (01:30:00) */
#define DISC_LEADOUT_N 2250    /* lead-out of later sessions (00:30:00) */
#define DISC_LEADIN 4500       /* lead-in of sessions >= 2 (01:00:00) */
#define DISC_LBA_MAX                                                           \
    404849 /* 89:59:74: under the MMC rule minutes                             \
              90-99 are negative (lead-in) LBAs */

/* ------------------------------------------------------------------ */
/* Errors and context                                                  */

enum disc_err {
    DISC_OK = 0,
    DISC_E_NOMEM = -1,       /* allocation failed */
    DISC_E_IO = -2,          /* read/write failure (errno kept) */
    DISC_E_FORMAT = -3,      /* malformed input */
    DISC_E_UNSUPPORTED = -4, /* valid but unsupported, or loss refused */
    DISC_E_RANGE = -5,       /* LBA/track out of range, truncated image */
    DISC_E_ARG = -6,         /* caller error */
    DISC_E_DRIVE = -7,       /* drive / libcdio failure */
    DISC_E_AUDIO = -8,       /* libsndfile failure */
    DISC_E_EXISTS = -9       /* output exists and overwriting not allowed */
};

enum disc_log_level {
    DISC_LOG_WARN = 1, /* something the user should know */
    DISC_LOG_INFO = 2  /* progress notes, shown with --verbose */
};

/* Caller-owned context.  Initialise with DISC_CTX_INIT.  Every failing
 * call sets err, msg (and sys_errno for DISC_E_IO) once, where the
 * failure is detected, and returns the same code. */
struct disc_ctx {
    int err;       /* last error code (0 or DISC_E_*) */
    int sys_errno; /* errno saved with DISC_E_IO, else 0 */
    char msg[256]; /* last error message, one line, no newline */
    void (*log)(void *user, int level, const char *text); /* warnings */
    void *log_user;
    /* Called from long loops; done and total are in sectors. */
    void (*progress)(void *user, int64_t done, int64_t total);
    void *progress_user;
    unsigned nwarn;         /* warnings emitted through this context */
    int64_t progress_done;  /* sectors done in the current operation */
    int64_t progress_total; /* sectors the operation will process */
    unsigned flags;         /* DISC_CTX_* */
};

/* Descriptors may name files outside their own folder (an absolute path
 * or ".."); by default such names are refused. */
#define DISC_CTX_OUTSIDE_PATHS 0x1u

#define DISC_CTX_INIT                                                          \
    {                                                                          \
        0, 0, { 0 }, NULL, NULL, NULL, NULL, 0, 0, 0, 0                        \
    }

/* Static text for an error code. */
const char *disc_strerror(int code);

/* ------------------------------------------------------------------ */
/* MSF / LBA / BCD  (msf.c)                                            */

struct disc_msf {
    uint8_t m, s, f; /* binary, 0..99, 0..59, 0..74 */
};

/* Absolute frame count (MSF as frames) of an LBA by the MMC rule:
 * lba + 150 for lba >= -150, else lba + 450150, so that the lead-in
 * reads 90:00:00-99:59:74. */
int32_t disc_lba_frames(disc_lba lba);
/* LBA -> absolute MSF (disc_lba_frames as MSF). */
struct disc_msf disc_lba_to_msf(disc_lba lba);
/* Absolute MSF -> LBA (MMC rule: minutes 90..99 map to -45150..-151). */
disc_lba disc_msf_to_lba(struct disc_msf msf);
/* Frame count <-> duration MSF (no 150 offset; for lengths, CUE INDEX). */
struct disc_msf disc_frames_to_msf(int32_t frames);
int32_t disc_msf_to_frames(struct disc_msf msf);
uint8_t disc_to_bcd(uint8_t v);   /* 0..99 -> BCD */
uint8_t disc_from_bcd(uint8_t b); /* BCD -> 0..99; 0xFF if not BCD */
int disc_is_bcd(uint8_t b);
/* "mm:ss:ff" -> frames; returns 0 or DISC_E_FORMAT. */
int disc_parse_msf(const char *s, int32_t *frames);
/* frames -> "mm:ss:ff" (buf of 9+ bytes, minutes may exceed 99). */
char *disc_format_msf(int32_t frames, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* The model                                                           */

enum disc_track_mode {
    DISC_MODE_AUDIO = 0,
    DISC_MODE_MODE1,       /* Mode 1, 2048 user bytes */
    DISC_MODE_MODE2,       /* Mode 2 formless, 2336 user bytes */
    DISC_MODE_MODE2_FORM1, /* XA Form 1 throughout */
    DISC_MODE_MODE2_FORM2, /* XA Form 2 throughout (VCD MPEG tracks) */
    DISC_MODE_MODE2_MIXED  /* XA, form chosen per sector by the subheader */
};

/* Q CONTROL nibble. */
#define DISC_CTL_PREEMPH 0x1
#define DISC_CTL_COPY 0x2
#define DISC_CTL_DATA 0x4
#define DISC_CTL_4CH 0x8

/* A0 PSec disc type. */
#define DISC_TYPE_CDDA 0x00
#define DISC_TYPE_CDI 0x10
#define DISC_TYPE_XA 0x20

enum disc_cdtext_field {
    DISC_CDTEXT_TITLE = 0,  /* pack 0x80 */
    DISC_CDTEXT_PERFORMER,  /* 0x81 */
    DISC_CDTEXT_SONGWRITER, /* 0x82 */
    DISC_CDTEXT_COMPOSER,   /* 0x83 */
    DISC_CDTEXT_ARRANGER,   /* 0x84 */
    DISC_CDTEXT_MESSAGE,    /* 0x85 */
    DISC_CDTEXT_DISCID,     /* 0x86 */
    DISC_CDTEXT_GENRE,      /* 0x87, text part (code is separate) */
    DISC_CDTEXT_CLOSED,     /* 0x8D */
    DISC_CDTEXT_UPC_ISRC,   /* 0x8E: UPC/EAN for track 0, ISRC for tracks */
    DISC_CDTEXT_NFIELDS
};

/* One CD-TEXT language block, decoded to UTF-8.  text[0] is the disc,
 * text[n] track n.  Strings are owned by the disc (NULL when absent). */
struct disc_cdtext_block {
    uint8_t language;  /* language code, e.g. 0x09 English */
    uint8_t charset;   /* 0x00 ISO-8859-1, 0x01 ASCII, 0x80 MS-JIS */
    uint8_t copyright; /* size-info byte 3 */
    uint16_t genre;    /* genre code from pack 0x87, 0 if none */
    char *text[DISC_MAX_TRACKS + 1][DISC_CDTEXT_NFIELDS];
};

#define DISC_CDTEXT_MAX_BLOCKS 8

/* One full-TOC descriptor (READ TOC format 2; CCD [Entry]; MDS block).
 * Times are binary, not BCD. */
struct disc_rawtoc {
    uint8_t session, adr, control, tno, point;
    uint8_t min, sec, frame, zero, pmin, psec, pframe;
};

struct disc_session {
    uint8_t number;      /* 1-based */
    uint8_t first_track; /* disc-global track numbers */
    uint8_t last_track;
    uint8_t type;     /* A0 disc type: DISC_TYPE_* */
    disc_lba leadout; /* first LBA of this session's lead-out */
};

struct disc_track {
    uint8_t number;  /* 1..99 */
    uint8_t session; /* owning session number */
    enum disc_track_mode mode;
    uint8_t control;                    /* DISC_CTL_* */
    uint8_t last_index;                 /* highest index in use, >= 1 */
    disc_lba index[DISC_MAX_INDEX + 1]; /* index[0] = pregap start
                                 (== index[1] when none); 2.. optional */
    char isrc[13];                      /* 12 chars or "" */
};

enum disc_sub_source {
    DISC_SUB_NONE = 0, /* nothing captured and synthesis not wanted */
    DISC_SUB_SYNTH,    /* P/Q generated from the TOC, R-W zero */
    DISC_SUB_CAPTURED  /* real P-W from a drive, .sub or .mdf */
};

struct disc_meta {
    char *key;   /* e.g. "GENRE", "DATE", "DISCID", "COMMENT" (CUE REM) */
    char *value; /* verbatim, UTF-8 */
};

#define DISC_MAX_META 32

struct disc_priv; /* extents and sources (core/internal.h) */
struct disc_format;

/* The table of contents of a whole disc.  Allocated by disc_new(); the
 * disc owns everything reachable from it. */
struct disc {
    char mcn[14]; /* 13 digits or "" */
    uint8_t nsessions;
    struct disc_session session[DISC_MAX_SESSIONS];
    uint8_t ntracks; /* tracks are contiguous across sessions */
    struct disc_track track[DISC_MAX_TRACKS]; /* track[i].number == i+1
                                 only when the first track is 1 */
    uint8_t ncdtext; /* decoded CD-TEXT blocks in use */
    struct disc_cdtext_block *cdtext[DISC_CDTEXT_MAX_BLOCKS];
    uint8_t *cdtext_raw;        /* raw packs (18 B each, CRC included) */
    size_t cdtext_raw_len;      /* multiple of 18 */
    struct disc_rawtoc *rawtoc; /* full TOC as read, or NULL */
    uint16_t nrawtoc;
    enum disc_sub_source sub; /* best subchannel the extents deliver */
    uint8_t nmeta;            /* free-form metadata (EAC REM lines ...) */
    struct disc_meta meta[DISC_MAX_META];
    char *source_name;                /* file the disc was read from, or NULL */
    const struct disc_format *format; /* reader that produced it, or NULL */
    struct disc_priv *priv;           /* opaque: extents and owned sources */
};

/* New empty disc, or NULL (ctx set to DISC_E_NOMEM). */
struct disc *disc_new(struct disc_ctx *ctx);
/* Frees the disc and closes its sources; accepts NULL. */
void disc_free(struct disc *d);

/* Derived values. */
/* Index into d->track[] of track number n, or -1. */
int disc_track_find(const struct disc *d, int number);
/* Session struct of track i (array index), never NULL for a valid disc. */
const struct disc_session *disc_track_session(const struct disc *d, int i);
/* First LBA after track i: next track's index[0] in the same session,
 * else the session's lead-out. */
disc_lba disc_track_end(const struct disc *d, int i);
/* Sectors from index[0] to disc_track_end. */
int32_t disc_track_length(const struct disc *d, int i);
/* Array index of the track holding lba (pregaps belong to their track);
 * -1 when lba lies in no track (lead-in/out, implicit pregap). */
int disc_track_at(const struct disc *d, disc_lba lba);
/* First LBA of session s (array index) including the unstored Red Book
 * pregap: its first track's index[0] - 150.  LBAs from here to that
 * index[0] belong to the first track as index 0 (never stored). */
disc_lba disc_session_start(const struct disc *d, int s);
/* Sectors from the lead-out of the session before session number s
 * (>= 2) to INDEX 01 of the first track of s on a disc written the
 * standard way: the lead-out (6750 after session 1, 2250 after later
 * ones), the 4500-sector lead-in and the 150-sector pregap. */
int32_t disc_session_gap(int s);
/* The sectors of track i that a redump-style split image stores in the
 * track's own file: from its pregap start (skipping generated PREGAP
 * sectors) to its end (without generated POSTGAP sectors), never before
 * LBA 0 for the first track.  *first and *count receive the range. */
void disc_track_file_range(const struct disc *d, int i, disc_lba *first,
                           int32_t *count);
int disc_track_is_data(const struct disc_track *t);
const char *disc_mode_name(enum disc_track_mode m);
/* Bytes of user data per sector for the mode (2352 audio, 2048, 2336,
 * 2324 for Form 2; 2048 for mixed). */
int disc_mode_user_size(enum disc_track_mode m);

/* Setters used by readers (they validate and copy). */
int disc_set_mcn(struct disc_ctx *ctx, struct disc *d, const char *mcn);
int disc_set_isrc(struct disc_ctx *ctx, struct disc_track *t, const char *isrc);
int disc_valid_mcn(const char *s);
int disc_valid_isrc(const char *s);
/* Copies utf8 into block b (created on demand, language 0x09 by default),
 * track 0 = disc.  NULL clears. */
int disc_cdtext_set(struct disc_ctx *ctx, struct disc *d, int block, int track,
                    enum disc_cdtext_field f, const char *utf8);
const char *disc_cdtext_get(const struct disc *d, int block, int track,
                            enum disc_cdtext_field f);
const char *disc_cdtext_field_name(enum disc_cdtext_field f);
/* Names of CD-TEXT language and genre codes; "Unknown" for unlisted
 * codes. */
const char *disc_cdtext_language_name(uint8_t code);
const char *disc_cdtext_genre_name(uint16_t code);
int disc_meta_add(struct disc_ctx *ctx, struct disc *d, const char *key,
                  const char *value);
const char *disc_meta_get(const struct disc *d, const char *key);
int disc_set_rawtoc(struct disc_ctx *ctx, struct disc *d,
                    const struct disc_rawtoc *e, uint16_t n);
int disc_set_cdtext_raw(struct disc_ctx *ctx, struct disc *d,
                        const uint8_t *packs, size_t len);

/* Checks every invariant (numbering, sessions, monotonic LBAs, index 1,
 * control vs mode, lengths, extents covering every stored sector).
 * Returns 0 or DISC_E_FORMAT with the first violation in ctx->msg. */
int disc_check(struct disc_ctx *ctx, const struct disc *d);

/* Builds the full TOC the model implies (A0/A1/A2 per session, one entry
 * per track, B0/C0 for non-final sessions).  *out is allocated with
 * disc_malloc; the caller frees it with disc_free_mem. */
int disc_build_rawtoc(struct disc_ctx *ctx, const struct disc *d,
                      struct disc_rawtoc **out, uint16_t *n);

/* ------------------------------------------------------------------ */
/* Capabilities and features                                           */

#define DISC_CAP_AUDIO (1u << 0)        /* audio tracks */
#define DISC_CAP_DATA (1u << 1)         /* data tracks */
#define DISC_CAP_MULTISESSION (1u << 2) /* more than one session */
#define DISC_CAP_SUBCHANNEL (1u << 3)   /* captured P-W */
#define DISC_CAP_CDTEXT (1u << 4)       /* CD-TEXT, first language */
#define DISC_CAP_CDTEXT_LANGS (1u << 5) /* CD-TEXT, further languages */
#define DISC_CAP_INDEXES (1u << 6)      /* index 0 pregaps, index 2+ */
#define DISC_CAP_ISRC_MCN (1u << 7)     /* ISRC and MCN */
#define DISC_CAP_RAWTOC (1u << 8)       /* full-TOC points beyond the model */
#define DISC_CAP_HTOA (1u << 9)         /* audio before track 1 INDEX 01 */
#define DISC_CAP_TRACK_FILES (1u << 10) /* one file per track (info) */
#define DISC_CAP_META (1u << 11)        /* free-form metadata (REM ...) */
#define DISC_CAP_MODE2_FORM (1u << 12)  /* whole-track Mode 2 form */
#define DISC_NCAPS 13
/* Losses that are only warned about (refused under --strict): the Mode 2
 * form (the subheaders keep it) and metadata comments, which are not on
 * the disc (EAC's REM GENRE/DATE/DISCID/COMMENT); metadata that records
 * disc content (a track's SCMS flag) stays a loss. */
#define DISC_CAP_SOFT (DISC_CAP_MODE2_FORM | DISC_CAP_META)

/* Bitmask of the features the disc actually uses. */
unsigned disc_features(const struct disc *d);
/* Human name of one capability bit ("subchannel", "raw TOC", ...). */
const char *disc_cap_name(unsigned bit);

/* ------------------------------------------------------------------ */
/* Comparison                                                          */

#define DISC_EQ_NO_SUB (1u << 0)          /* with DATA: skip subchannel bytes */
#define DISC_EQ_NO_RAWTOC (1u << 1)       /* ignore raw TOC */
#define DISC_EQ_NO_CDTEXT_RAW (1u << 2)   /* compare decoded text only */
#define DISC_EQ_NO_META (1u << 3)         /* ignore free-form metadata */
#define DISC_EQ_MODE2_FAMILY (1u << 4)    /* Mode 2 form variants equal */
#define DISC_EQ_NO_CDTEXT_LANGS (1u << 5) /* compare block 0 only */
#define DISC_EQ_NO_CDTEXT (1u << 6)       /* ignore CD-TEXT altogether */
#define DISC_EQ_NO_ISRC_MCN (1u << 7)     /* ignore ISRC and MCN */
#define DISC_EQ_DATA (1u << 8)            /* also compare every sector */

/* Compares two discs; returns 0 when equal, 1 when they differ (the
 * first difference, in words, is in ctx->msg), or a negative error. */
int disc_compare(struct disc_ctx *ctx, const struct disc *a,
                 const struct disc *b, unsigned flags);

/* ------------------------------------------------------------------ */
/* Sector access                                                       */

/* Serves count sectors from lba: main gets count*2352 raw bytes (or is
 * NULL), sub gets count*96 deinterleaved P-W bytes (or NULL).  Cooked
 * sources are regenerated to raw; missing subchannel is synthesised.
 * Returns 0 or a negative code. */
int disc_read_sectors(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                      uint32_t count, uint8_t *main, uint8_t *sub);
/* 1 if sector lba is stored in some file (not generated), else 0. */
int disc_lba_stored(const struct disc *d, disc_lba lba);
/* 1 if the subchannel of lba comes from a captured source. */
int disc_lba_has_sub(const struct disc *d, disc_lba lba);

/* ------------------------------------------------------------------ */
/* Formats and operations                                              */

struct disc_format;

struct disc_write_opts {
    int allow_lossy;  /* write even when features are dropped */
    int strict;       /* refuse any loss, even informational */
    int force;        /* overwrite existing outputs */
    int split;        /* CUE: one file per track */
    int merge;        /* CUE, TOC: one data file for the disc */
    int cooked;       /* CUE: MODE1/2048 etc. where possible */
    int crlf;         /* CUE: CRLF line ends */
    int store_gaps;   /* CUE: store generated PREGAP/POSTGAP sectors in the
                         BIN instead of writing PREGAP/POSTGAP lines */
    int sub;          /* MDS, CHD: store 2448-byte sectors with subchannel */
    int fast;         /* CHD: cdzl + cdfl only (no LZMA) */
    int link;         /* reflink/hard-link identical data where possible */
    const char *name; /* base name for companion files, or NULL */
};

const char *disc_format_name(const struct disc_format *f);
const char *disc_format_description(const struct disc_format *f);
const char *disc_format_extensions(const struct disc_format *f);
unsigned disc_format_caps(const struct disc_format *f);
/* What f holds when written with o (NULL: the defaults). */
unsigned disc_format_caps_for(const struct disc_format *f,
                              const struct disc_write_opts *o);
int disc_format_can_read(const struct disc_format *f);
int disc_format_can_write(const struct disc_format *f);
/* Format by name ("cue"), or NULL. */
const struct disc_format *disc_format_find(const char *name);
/* Iterates the registry: start with *iter = 0; NULL at the end. */
const struct disc_format *disc_format_next(size_t *iter);
/* Guess the format of path by content, then extension. */
int disc_format_probe(struct disc_ctx *ctx, const char *path,
                      const struct disc_format **out);
/* Format for an output path by its extension, or NULL. */
const struct disc_format *disc_format_for_output(const char *path);

/* Probe (unless fmt is given), read and check an image. */
int disc_open_image(struct disc_ctx *ctx, const char *path,
                    const struct disc_format *fmt, struct disc **out);
/* Check the disc, account for losses, write. */
int disc_write(struct disc_ctx *ctx, const struct disc *d,
               const struct disc_format *fmt, const char *path,
               const struct disc_write_opts *o);
/* Features of d that fmt cannot hold when written with o (NULL: the
 * defaults).  A captured raw TOC that disagrees with the tracks
 * (disc_rawtoc_fits) is a loss for every format. */
unsigned disc_write_loss(const struct disc *d, const struct disc_format *fmt,
                         const struct disc_write_opts *o);
/* The disc_compare flags that fit a round trip through fmt: what fmt
 * cannot hold (and was therefore dropped with --lossy) is not compared. */
unsigned disc_compare_flags_for(const struct disc_format *fmt,
                                const struct disc_write_opts *o);

/* ------------------------------------------------------------------ */
/* Path helpers (text.c)                                               */

/* Directory part of path ("." when none); disc_malloc'd. */
char *disc_path_dir(const char *path);
/* Joins dir and name unless name is absolute; disc_malloc'd. */
char *disc_path_join(const char *dir, const char *name);
/* Final component of path (borrowed pointer into path). */
const char *disc_path_base(const char *path);
/* path with its extension replaced by ext (no dot); disc_malloc'd. */
char *disc_path_with_ext(const char *path, const char *ext);
/* 1 if a file name as a descriptor gives it leads outside the
 * descriptor's folder: absolute ("/x", "\\x", "C:\\x", "C:/x") or with a
 * ".." component ('/' or '\\' separated). */
int disc_path_escapes(const char *name);
/* Opens name in dir, matching the file name case-insensitively and
 * accepting '\' as a separator when the exact name does not exist.
 * *found gets the path actually used (disc_malloc'd).  Returns 0,
 * DISC_E_IO when no such file exists or DISC_E_NOMEM; sets no message. */
int disc_path_resolve(const char *dir, const char *name, char **found);

/* ------------------------------------------------------------------ */
/* Interrupted runs (out.c)                                             */

/* Removes every temporary output file of this process (named
 * "<output>.tmp-<pid>-XXXXXX") and nothing else.  Async-signal-safe:
 * for SIGINT/SIGTERM/SIGHUP handlers, which then end the process. */
void disc_out_remove_temps(void);

/* ------------------------------------------------------------------ */
/* Memory (alloc.c).  All heap use in the library goes through these. */

void *disc_malloc(size_t n);
void *disc_calloc(size_t n, size_t size);
void *disc_realloc(void *old, size_t n);
char *disc_strdup(const char *s);
void disc_free_mem(void *p);

#endif /* DISC_H */
