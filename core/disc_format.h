/* disc_format.h - the plugin-author API: format descriptors, sector
 * sources and extents, the sector codec, subchannel, CD-TEXT, safe output
 * and the line reader that format plugins build on.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: ECMA-130 (sector layout, EDC/ECC, scrambling), IEC 60908
 * (subchannel), MMC-3 Annex J (CD-TEXT), docs/architecture.md.
 */
#ifndef DISC_FORMAT_H
#define DISC_FORMAT_H

#include "disc.h"
#include "disc_drive.h"
#include "rip.h"

#include <stdarg.h>
#include <stdio.h>

/* ------------------------------------------------------------------ */
/* Format descriptor                                                   */

struct disc_source;
struct disc_buf;

/* What a descriptor sheet says about one track whose sectors other code
 * writes (a rip's audio files): where INDEX 00 and INDEX 01 on are. */
struct disc_sheet_track {
    int file;         /* map file of INDEX 01 on; -1: not in the sheet */
    disc_lba at;      /* a sector of the track stored in that file ... */
    int64_t time;     /* ... and its position there, in frames */
    int gap_file;     /* map file of INDEX 00, or -1 for no INDEX 00 */
    int64_t gap_time; /* position of INDEX 00 in gap_file */
    int32_t pregap;   /* generated sectors before the stored ones */
    int32_t postgap;  /* generated sectors after them */
};

/* The files and tracks a sheet describes. */
struct disc_sheet {
    const char *file[DISC_MAX_TRACKS + 1]; /* names as the sheet says */
    const char *type; /* file type word: "BINARY", "WAVE", "AIFF" */
    const char *cdt;  /* a CD-TEXT file name the caller can write next
                         to the sheet (disc_cdtext_packs), or NULL */
    struct disc_sheet_track t[DISC_MAX_TRACKS];
};

struct disc_format {
    const char *name;        /* short id, lower case: "cue" */
    const char *description; /* for `discarc formats` */
    const char *extensions;  /* comma list without dots: "cue" */
    unsigned caps;           /* DISC_CAP_* it holds losslessly */
    int sub_on_request;      /* subchannel is stored only with --sub
                                (shorthand for a caps_for hook) */
    /* Optional: what a write with options o holds (o never NULL); NULL
     * means caps.  The core compares it with disc_features once. */
    unsigned (*caps_for)(const struct disc_write_opts *o);
    /* Score 0..100 for the file's first bytes.  buf holds len bytes
     * (up to 4096) followed by at least 16 zero bytes. */
    int (*probe)(const uint8_t *buf, size_t len, const char *path);
    /* Parse path into the empty disc d (the core frees d on error). */
    int (*read)(struct disc_ctx *ctx, const char *path, struct disc *d);
    /* Serialise a checked disc.  Every output goes through disc_out_*. */
    int (*write)(struct disc_ctx *ctx, const struct disc *d, const char *path,
                 const struct disc_write_opts *o);
    /* Optional: open an audio file (WAVE, AIFF, FLAC ...) as a byte
     * source of 16-bit little-endian stereo PCM at 44.1 kHz; *bytes is
     * its PCM length.  Used by CUE FILE lines of audio types. */
    int (*open_audio)(struct disc_ctx *ctx, const char *path,
                      struct disc_source **out, int64_t *bytes);
    /* Optional: appends to text the descriptor alone for the tracks map
     * lists, whose sectors other code writes (a rip's CUE sheet).  What
     * the text cannot hold goes through disc_write_drop.  *cdt_used is 1
     * when the text names map->cdt, which the caller then writes. */
    int (*sheet)(struct disc_ctx *ctx, const struct disc *d,
                 const struct disc_sheet *map, const struct disc_write_opts *o,
                 struct disc_buf *text, int *cdt_used);
    /* Optional: checks the checksums the container itself records (CHD
     * hunk CRCs and SHA-1).  0 with a one-line summary in note, or a
     * negative code (DISC_E_FORMAT for damage) with the message set. */
    int (*check)(struct disc_ctx *ctx, const char *path, char *note,
                 size_t notelen);
};

/* The NULL-terminated table defined in formats/all.c. */
extern const struct disc_format *const disc_format_table[];

/* Opens path as PCM through the first format with open_audio that
 * accepts it. */
int disc_open_audio(struct disc_ctx *ctx, const char *path,
                    struct disc_source **out, int64_t *bytes);

/* ------------------------------------------------------------------ */
/* Errors and warnings (error.c)                                       */

/* Formats the message into ctx, saves errno for DISC_E_IO and returns
 * code. */
int disc_error(struct disc_ctx *ctx, int code, const char *fmt, ...)
    DISC_PRINTF(3, 4);
/* disc_error for a place in an input file: "path:line: text", or
 * "path: text" when line is 0. */
int disc_error_at(struct disc_ctx *ctx, int code, const char *path,
                  unsigned line, const char *fmt, ...) DISC_PRINTF(5, 6);
/* disc_warn with the same place prefix. */
void disc_warn_at(struct disc_ctx *ctx, const char *path, unsigned line,
                  const char *fmt, ...) DISC_PRINTF(4, 5);
/* Sends a warning to ctx->log (silent when none is installed). */
void disc_warn(struct disc_ctx *ctx, const char *fmt, ...) DISC_PRINTF(2, 3);
void disc_info(struct disc_ctx *ctx, const char *fmt, ...) DISC_PRINTF(2, 3);
void disc_progress(struct disc_ctx *ctx, int64_t done, int64_t total);
/* 1 when d's captured full TOC says what the model says about every
 * session and track (each track's ADR-1 entry in its session, with its
 * CONTROL and INDEX 01; A0 first track and disc type, A1 last track and
 * A2 lead-out of every session; entries of other ADRs and points are
 * extras), so a writer may store it verbatim; 0 when it disagrees or
 * there is none.  The core refuses the write of a disagreeing raw TOC as
 * a "raw TOC" loss before the writer runs, so a writer stores
 * d->rawtoc when this is 1 and disc_build_rawtoc's TOC otherwise. */
int disc_rawtoc_fits(const struct disc *d);
/* Called by writers for each thing they cannot represent: without
 * --lossy (or under --strict) returns DISC_E_UNSUPPORTED with the text
 * as the message; with --lossy warns once and returns 0. */
int disc_write_drop(struct disc_ctx *ctx, const struct disc_write_opts *o,
                    const char *fmt, ...) DISC_PRINTF(3, 4);

/* ------------------------------------------------------------------ */
/* Growing arrays (alloc.c)                                            */

/* Makes room for need elements of size bytes in the array that arrp
 * points at (the address of a disc_malloc'd pointer, or of NULL), which
 * has room for *cap: the capacity doubles, from first when it is 0,
 * until need fit.  Returns 0, or DISC_E_NOMEM with the message set in
 * ctx (which may be NULL) when memory is short or the size would not fit
 * a size_t; the array and *cap are unchanged then.  Appending one:
 *     r = disc_grow(ctx, &a, n + 1, &cap, sizeof *a, 16); */
int disc_grow(struct disc_ctx *ctx, void *arrp, size_t need, size_t *cap,
              size_t size, size_t first);

/* ------------------------------------------------------------------ */
/* Sources and extents (source.c, source_file.c)                       */

struct disc_source_ops {
    const char *name;
    /* Positional read of len bytes at off.  A read past the end fills
     * the rest with zeros and returns DISC_E_RANGE. */
    int (*pread)(struct disc_ctx *ctx, struct disc_source *s, int64_t off,
                 size_t len, void *buf);
    /* Sector-addressed sources (drives): raw main and deinterleaved sub
     * for count sectors from lba; either buffer may be NULL. */
    int (*read_sectors)(struct disc_ctx *ctx, struct disc_source *s,
                        disc_lba lba, uint32_t count, uint8_t *main,
                        uint8_t *sub);
    void (*close)(struct disc_source *s);
};

/* Base of every source; implementations embed it first. */
struct disc_source {
    const struct disc_source_ops *ops;
    int64_t size; /* bytes available (byte sources), -1 if unknown */
    char *name;   /* path or description, for messages */
    struct disc_source *next; /* disc-owned list */
};

/* Opens a file read-only; *out is owned by the caller until attached. */
int disc_source_file_new(struct disc_ctx *ctx, const char *path,
                         struct disc_source **out);
/* A source over caller memory (tests); the memory must outlive it. */
int disc_source_mem_new(struct disc_ctx *ctx, const void *data, int64_t size,
                        struct disc_source **out);
/* Hands the source to the disc, which closes it in disc_free. */
void disc_source_attach(struct disc *d, struct disc_source *s);
/* The short-file check: how many of count sectors of stride bytes from
 * offset src holds whole (count when its size is unknown).  Readers
 * refuse an image whose files hold fewer at open, naming the first
 * sector missing, rather than fail a read halfway through. */
int64_t disc_source_sectors(const struct disc_source *src, int64_t offset,
                            int64_t count, uint32_t stride);
void disc_source_close(struct disc_source *s);

/* How the main channel of an extent is stored. */
enum disc_data_layout {
    DISC_DATA_RAW = 0, /* 2352 bytes as on disc (audio or raw data) */
    DISC_DATA_MODE1,   /* 2048 user bytes of Mode 1 */
    DISC_DATA_FORM1,   /* 2048 user bytes of Mode 2 Form 1 */
    DISC_DATA_FORM2,   /* 2324 user bytes of Mode 2 Form 2 */
    DISC_DATA_MODE2,   /* 2336 bytes after the header (subheader...) */
    DISC_DATA_GEN,     /* nothing stored: generated (PREGAP/POSTGAP) */
    DISC_DATA_SECTORS  /* the source serves whole sectors itself */
};

/* What a generated (DISC_DATA_GEN) sector looks like. */
enum disc_gen {
    DISC_GEN_ZERO = 0, /* 2352 zero bytes (audio silence) */
    DISC_GEN_MODE1,    /* Mode 1, zero user data, valid EDC/ECC */
    DISC_GEN_MODE2,    /* Mode 2 formless, zero data */
    DISC_GEN_FORM1,    /* XA Form 1, zero subheader and data */
    DISC_GEN_FORM2     /* XA Form 2, subheader 00 00 20 00, zero data */
};

enum disc_sub_layout {
    DISC_SUBL_NONE = 0,    /* nothing captured: synthesise on demand */
    DISC_SUBL_INTERLEAVED, /* 96 raw P-W bytes after main in the stride */
    DISC_SUBL_SEPARATE     /* 96 deinterleaved bytes per sector in
                              sub_src at sub_offset (CloneCD .sub) */
};

#define DISC_EXT_SWAP 0x01      /* 16-bit audio words stored big-endian */
#define DISC_EXT_SCRAMBLED 0x02 /* data sectors stored scrambled */

/* Maps disc LBAs [lba, lba+count) to storage. */
struct disc_extent {
    disc_lba lba;
    uint32_t count;
    struct disc_source *src; /* NULL for DISC_DATA_GEN */
    int64_t offset;          /* byte offset of the first sector */
    uint32_t stride;         /* bytes from one sector to the next */
    enum disc_data_layout data;
    enum disc_gen gen; /* for DISC_DATA_GEN */
    unsigned flags;    /* DISC_EXT_* */
    enum disc_sub_layout sub;
    struct disc_source *sub_src;
    int64_t sub_offset;
};

/* Swaps the bytes of every 16-bit word (big- <-> little-endian audio). */
void disc_swap16(uint8_t *p, size_t n);
/* Bytes of stored main data per sector for a layout (2352, 2048 ...). */
uint32_t disc_data_size(enum disc_data_layout l);
/* Where in a raw sector those bytes start (16 for Mode 1 and Mode 2, 24
 * for Form 1 and Form 2, 0 otherwise). */
uint32_t disc_data_offset(enum disc_data_layout l);
/* The generated-sector kind matching a track mode. */
enum disc_gen disc_gen_for_mode(enum disc_track_mode m);

/* Adds an extent; extents may arrive in any order but must not overlap.
 * Copies *e. */
int disc_extent_add(struct disc_ctx *ctx, struct disc *d,
                    const struct disc_extent *e);
/* Extents in LBA order (valid until the disc changes). */
size_t disc_extent_count(const struct disc *d);
const struct disc_extent *disc_extent_get(const struct disc *d, size_t i);
/* The extent holding lba, or NULL. */
const struct disc_extent *disc_extent_find(const struct disc *d, disc_lba lba);

/* ------------------------------------------------------------------ */
/* Sector codec (sector.c)                                             */

extern const uint8_t disc_sync[12];

enum disc_sector_type {
    DISC_SECTOR_AUDIO = 0, /* no sync pattern: audio or unknown */
    DISC_SECTOR_MODE0,
    DISC_SECTOR_MODE1,
    DISC_SECTOR_MODE2, /* formless: subheader copies differ, or an
                          all-zero subheader failing the Form 1 EDC */
    DISC_SECTOR_FORM1,
    DISC_SECTOR_FORM2,
    DISC_SECTOR_BADMODE /* sync present, mode byte not 0/1/2 */
};

struct disc_sector_info {
    enum disc_sector_type type;
    disc_lba lba; /* from the header (valid when type != AUDIO) */
    int edc_ok;   /* 1 ok, 0 bad, -1 not applicable (Form 2 EDC 0) */
    int ecc_ok;   /* 1 ok, 0 bad, -1 not applicable */
};

/* CRC-32/CD-ROM-EDC over n bytes (poly 0xD8018001 reflected, init 0). */
uint32_t disc_edc(const uint8_t *p, size_t n);
/* Continues an EDC computation. */
uint32_t disc_edc_update(uint32_t edc, const uint8_t *p, size_t n);
/* Writes sync and BCD header for lba and mode (0, 1, 2). */
void disc_sector_header(uint8_t *sec, disc_lba lba, int mode);
/* Compute P then Q parity of a raw sector in place (header included as
 * it stands; callers zero it for Form 1). */
void disc_ecc_compute(uint8_t *sec);
/* 1 if stored P and Q parity match the sector (as it stands). */
int disc_ecc_check(const uint8_t *sec);
/* Complete a raw sector whose user data (and subheader) are in place:
 * sync, header, EDC, intermediate zeros and ECC as the mode needs. */
void disc_sector_encode_mode1(uint8_t *sec, disc_lba lba);
void disc_sector_encode_form1(uint8_t *sec, disc_lba lba);
void disc_sector_encode_form2(uint8_t *sec, disc_lba lba);
/* Build a raw sector from cooked bytes of the given layout (MODE1 2048,
 * FORM1 2048 with subheader 00 00 08 00, FORM2 2324 with 00 00 20 00,
 * MODE2 2336 copied after the header).  cooked may equal raw. */
void disc_sector_from_cooked(uint8_t *raw, disc_lba lba,
                             enum disc_data_layout l, const uint8_t *cooked);
/* Build a generated sector (see enum disc_gen). */
void disc_sector_generate(uint8_t *raw, disc_lba lba, enum disc_gen g);
/* Classify a raw sector and check its EDC/ECC. */
void disc_sector_classify(const uint8_t *sec, struct disc_sector_info *out);
/* XOR bytes 12..2351 with the ECMA-130 Annex B sequence (self-inverse). */
void disc_scramble(uint8_t *sec);
/* Offset and size of the user data of a classified sector. */
int disc_sector_user(enum disc_sector_type t, size_t *off, size_t *len);

/* ------------------------------------------------------------------ */
/* Subchannel (subchannel.c)                                           */

/* 96 raw interleaved bytes <-> 8 x 12 deinterleaved channel bytes.  The
 * two buffers must not overlap. */
void disc_sub_interleave(const uint8_t *lin, uint8_t *raw);
void disc_sub_deinterleave(const uint8_t *raw, uint8_t *lin);
/* CRC-16/GSM (poly 0x1021, init 0, xorout 0xFFFF). */
uint16_t disc_crc16(const uint8_t *p, size_t n);
void disc_q_set_crc(uint8_t *q);     /* bytes 10-11 from bytes 0-9 */
int disc_q_crc_ok(const uint8_t *q); /* 1 if the stored CRC matches */

struct disc_q {
    uint8_t control, adr;
    uint8_t tno;    /* binary track number, 0xAA lead-out */
    uint8_t index;  /* binary */
    int32_t rel;    /* relative frames (ADR 1) */
    disc_lba abs;   /* absolute LBA (ADR 1) */
    uint8_t aframe; /* binary absolute frame (ADR 2/3) */
    char mcn[14];   /* ADR 2 */
    char isrc[13];  /* ADR 3 */
};

void disc_q_encode_position(uint8_t *q, uint8_t control, uint8_t tno,
                            uint8_t index, int32_t rel, disc_lba abs);
void disc_q_encode_mcn(uint8_t *q, uint8_t control, const char *mcn,
                       uint8_t aframe);
void disc_q_encode_isrc(uint8_t *q, uint8_t control, const char *isrc,
                        uint8_t aframe);
/* Decodes a Q frame (CRC not checked).  aframe is filled for every ADR;
 * in lead-in frames (TNO 00) the POINT byte is kept in index, raw for
 * A0-A2.  Returns 0 or DISC_E_FORMAT for non-BCD fields or an unknown
 * ADR. */
int disc_q_decode(const uint8_t *q, struct disc_q *out);
/* Synthesises deinterleaved P+Q (R-W zero) for count sectors from lba
 * from the model alone (docs/formats/cd.md, libMirage conventions; MCN/ISRC
 * frames at offsets 25/50 mod 100 from each track's index[0]).  Valid
 * from disc_session_start(d, 0) to the last lead-out + 6750; gaps between
 * sessions get lead-out Q. */
int disc_sub_synth(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                   uint32_t count, uint8_t *sub);

/* Returns the 12-byte Q frame of sector lba: 0 when read, > 0 when the
 * sector could not be read, < 0 to abort the scan. */
typedef int (*disc_qscan_fn)(void *user, disc_lba lba, uint8_t *q);
/* Finds INDEX 00 (pregap) starts and INDEX 02+ points of d's tracks by
 * binary search over the Q channel given by get_q, starting from the
 * INDEX 01 starts and lead-outs already in d (a drive's TOC).  Frames
 * that are not ADR 1, fail their CRC or name another address are
 * skipped.  Returns the number of Q frames read, or a negative code. */
int disc_qscan(struct disc_ctx *ctx, struct disc *d, disc_qscan_fn get_q,
               void *user);
/* The INDEX 02+ part of disc_qscan for track i (array index) alone:
 * idx[2..*last] get the starts found (*last 1 when none). */
int disc_qscan_indexes(struct disc_ctx *ctx, const struct disc *d, int i,
                       disc_qscan_fn get_q, void *user, disc_lba *idx,
                       int *last);
/* Q recovery (subq.c), for formats that keep MCN, ISRC and INDEX 02+
 * only in the subchannel.  MCN (ADR 2) and ISRC (ADR 3) of track i are
 * looked for in its first 100 sectors from INDEX 00 and from INDEX 01;
 * "" when absent. */
int disc_sub_scan_codes(struct disc_ctx *ctx, const struct disc *d, int i,
                        char mcn[14], char isrc[13]);
/* INDEX 02+ of track i found in its Q by binary search: idx[2..*last];
 * *last is 1 when there are none or the Q cannot tell. */
int disc_sub_scan_indexes(struct disc_ctx *ctx, const struct disc *d, int i,
                          disc_lba *idx, int *last);
/* Puts the MCN, ISRC and INDEX 02+ found in the captured Q of every
 * track into the model. */
int disc_sub_recover(struct disc_ctx *ctx, struct disc *d);

/* ------------------------------------------------------------------ */
/* CD-TEXT (cdtext.c)                                                  */

/* Strips the framing CD-TEXT files and drives add around packs: a 4-byte
 * READ TOC format-5 header (byte 0 < 0x80 and its BE16 length matching)
 * and one trailing byte (size % 18 == 1, warned about when not 0).
 * Narrows *packs and *len to whole packs; DISC_E_FORMAT when they are
 * not. */
int disc_cdtext_frame(struct disc_ctx *ctx, const uint8_t **packs, size_t *len);
/* Decodes raw packs (18 bytes each, framing as disc_cdtext_frame
 * accepts) into d's decoded blocks; it does not touch d->cdtext_raw.
 * Fields found replace existing ones; empty strings leave them alone.
 * Bad CRCs are warned about (naming the pack), not fatal.  DISC_E_FORMAT
 * for lengths that are no whole packs, more than 8 x 256 packs, or no
 * CD-TEXT pack type at all. */
int disc_cdtext_decode(struct disc_ctx *ctx, struct disc *d,
                       const uint8_t *packs, size_t len);
/* Encodes d's decoded blocks into packs (disc_malloc'd, CRCs set; free
 * with disc_free_mem); *packs NULL and *len 0 when there is no text.
 * DISC_E_UNSUPPORTED when a block needs more than 256 packs. */
int disc_cdtext_encode(struct disc_ctx *ctx, const struct disc *d,
                       uint8_t **packs, size_t *len);
/* Raw packs for d: the captured ones, else encoded from text; *len 0
 * when the disc has no CD-TEXT.  *owned tells the caller to free. */
int disc_cdtext_packs(struct disc_ctx *ctx, const struct disc *d,
                      const uint8_t **packs, size_t *len, int *owned);

/* ------------------------------------------------------------------ */
/* Safe output (out.c)                                                 */

/* An output file written to "<path>.tmp-XXXXXX" and renamed on commit. */
struct disc_out;

/* The checks every output passes before it is created: an existing path
 * is refused unless force, an input of src (may be NULL) always, a
 * directory always.  Writers call it for files they open later, so that
 * nothing is written when one of them would be refused. */
int disc_out_check(struct disc_ctx *ctx, const struct disc *src,
                   const char *path, int force);
/* Refuses an existing path unless force. */
int disc_out_open(struct disc_ctx *ctx, const char *path, int force,
                  struct disc_out **out);
int disc_out_write(struct disc_ctx *ctx, struct disc_out *o, const void *p,
                   size_t n);
int disc_out_printf(struct disc_ctx *ctx, struct disc_out *o, const char *fmt,
                    ...) DISC_PRINTF(3, 4);
int64_t disc_out_tell(const struct disc_out *o);
/* Positional write into an already written region (headers). */
int disc_out_pwrite(struct disc_ctx *ctx, struct disc_out *o, const void *p,
                    size_t n, int64_t off);
/* Flushes and closes the file, releasing its buffer, when the writer is
 * done with it but its set is not committed yet (rips of 99 files keep
 * memory and descriptors flat).  Only the rename is left for commit. */
int disc_out_finish(struct disc_ctx *ctx, struct disc_out *o);
/* Flush, fsync-free close and rename into place. */
int disc_out_commit(struct disc_ctx *ctx, struct disc_out *o);
/* Remove the temporary file; accepts NULL. */
void disc_out_abort(struct disc_out *o);
/* A group of outputs committed together: all or none appear.  src is
 * the disc being written: an output that would replace one of its input
 * files is refused, --force or not (inputs are never modified). */
struct disc_outset;
int disc_outset_new(struct disc_ctx *ctx, const struct disc *src, int force,
                    struct disc_outset **s);
int disc_outset_open(struct disc_ctx *ctx, struct disc_outset *s,
                     const char *path, struct disc_out **out);
/* The descriptor of the set (by default the first file opened): on
 * commit an existing one is moved aside before the other files and the
 * new one is renamed into place after them, so that a reader never sees
 * a descriptor with files of another conversion. */
void disc_outset_descriptor(struct disc_outset *s, struct disc_out *o);
/* --link: outputs opened from now on may be hard links to an input file
 * whose bytes they equal entirely (reflinks are always tried). */
void disc_outset_link(struct disc_outset *s, int on);
/* How a format writer starts its outputs: a set for src that honours the
 * options' force and link, with the descriptor at path opened first (so
 * that it is the set's descriptor, and an existing one that may not be
 * replaced is refused before any other file is written).  Returns 0 with
 * *s and *out set, or DISC_E_* with *s NULL (nothing left to abort). */
int disc_outset_begin(struct disc_ctx *ctx, const struct disc *src,
                      const struct disc_write_opts *o, const char *path,
                      struct disc_outset **s, struct disc_out **out);
int disc_outset_commit(struct disc_ctx *ctx, struct disc_outset *s);
void disc_outset_abort(struct disc_outset *s); /* accepts NULL, frees */

/* How disc_out_copy_sectors stores each sector. */
struct disc_copy {
    struct disc_out *main;        /* receives the main channel, or NULL */
    enum disc_data_layout layout; /* RAW (2352), MODE1/FORM1 (2048 user
                                     bytes), FORM2 (2324), MODE2 (2336) */
    int sub_inline;               /* append 96 interleaved P-W bytes after
                                     each main sector (MDF, CDG) */
    struct disc_out *sub;         /* receives 96 deinterleaved bytes per
                                     sector (CloneCD .sub), or NULL */
};

/* Copies count sectors from lba as described by c, by the fastest path
 * the extents allow (copy_file_range for identical raw bytes).  Progress
 * is reported through ctx (progress_done advances by count). */
int disc_out_copy_sectors(struct disc_ctx *ctx, const struct disc *d,
                          disc_lba lba, uint32_t count,
                          const struct disc_copy *c);

/* ------------------------------------------------------------------ */
/* Libraries opened on first use (lib.c)                               */

/* A shared library that only some commands need, opened by the first
 * call that needs it.  The plugin defines its table with DISC_LIB_DEFINE
 * and calls through it after disc_lib_load succeeded. */
struct disc_lib {
    const char *soname;       /* "libsndfile.so.1" */
    const char *package;      /* the Debian package that installs it */
    const char *const *names; /* symbols, in the order of the table */
    size_t count;
    void *table; /* count function pointers, filled by disc_lib_load */
    int state;   /* 0 not tried yet, 1 loaded, -1 failed */
    char why[200];
};
#define DISC_LIB_FIELD(f) __typeof__(f) *f;
#define DISC_LIB_NAME(f) #f,
/* Defines, for the functions an X-macro FUNCS lists: `static struct
 * {...} name` with one pointer of the function's own type each (filled
 * by disc_lib_load), name##_names, and `struct disc_lib name##_lib` for
 * the library soname of the Debian package pkg.  The assertion checks
 * that the table has exactly one pointer per name, no padding. */
#define DISC_LIB_DEFINE(name, FUNCS, soname, pkg)                              \
    static struct {                                                            \
        FUNCS(DISC_LIB_FIELD)                                                  \
    } name;                                                                    \
    static const char *const name##_names[] = { FUNCS(DISC_LIB_NAME) };        \
    _Static_assert(sizeof(name) == sizeof name##_names /                       \
                                       sizeof *name##_names *                  \
                                       sizeof(void (*)(void)),                 \
                   "function table with padding");                             \
    static struct disc_lib name##_lib = {                                      \
        soname,                                                                \
        pkg,                                                                   \
        name##_names,                                                          \
        sizeof name##_names / sizeof *name##_names,                            \
        &name,                                                                 \
        0,                                                                     \
        ""                                                                     \
    }

/* Opens lib once (thread-safe) and fills its table.  Returns 0, or
 * DISC_E_UNSUPPORTED naming the library, its package and the reason. */
int disc_lib_load(struct disc_ctx *ctx, struct disc_lib *lib);

/* ------------------------------------------------------------------ */
/* Message digests (md.c): MD5 and SHA-1 from libcrypto, opened on the
 * first call.  A context is reused after disc_md_final by calling
 * disc_md_init again.  ctx may be NULL (worker threads): the error code
 * is still returned. */

enum disc_md_alg { DISC_MD5, DISC_SHA1 }; /* 16 and 20 bytes */
struct disc_md;

/* *out: a context ready for data.  Returns 0, or DISC_E_* (libcrypto
 * missing, out of memory) with *out NULL. */
int disc_md_new(struct disc_ctx *ctx, enum disc_md_alg alg,
                struct disc_md **out);
int disc_md_init(struct disc_ctx *ctx, struct disc_md *m, enum disc_md_alg alg);
void disc_md_update(struct disc_md *m, const void *p, size_t n);
void disc_md_final(struct disc_md *m, uint8_t *out); /* 16 or 20 bytes */
/* to continues from where from stands (both made by disc_md_new). */
int disc_md_copy(struct disc_ctx *ctx, struct disc_md *to,
                 const struct disc_md *from);
void disc_md_free(struct disc_md *m); /* accepts NULL */
/* SHA-1 of n bytes at p, in one call. */
int disc_sha1(struct disc_ctx *ctx, const void *p, size_t n, uint8_t out[20]);

/* ------------------------------------------------------------------ */
/* Text input (text.c)                                                 */

/* A whole small text file (descriptors only; capped at 16 MiB),
 * converted to UTF-8 (BOM stripped, Latin-1 fallback), split in lines
 * with any line end. */
struct disc_text {
    char *path;
    char *buf;
    size_t len;
    size_t pos;
    unsigned line; /* number of the line last returned, 1-based */
    int latin1;    /* input was not valid UTF-8 and was converted */
};

int disc_text_open(struct disc_ctx *ctx, const char *path, struct disc_text *t);
/* Next line (NUL-terminated, line end removed, trailing blanks trimmed)
 * or NULL at the end. */
char *disc_text_next(struct disc_text *t);
void disc_text_close(struct disc_text *t);

/* A growable text buffer for descriptors written in one piece (CUE
 * sheets).  Start zeroed; after an allocation failure every append is
 * ignored and err is DISC_E_NOMEM.  Free p with disc_free_mem. */
struct disc_buf {
    char *p;    /* NUL-terminated text, or NULL while empty */
    size_t len; /* bytes of text */
    size_t cap;
    int err; /* 0 or DISC_E_NOMEM */
};

void disc_buf_printf(struct disc_buf *b, const char *fmt, ...)
    DISC_PRINTF(2, 3);
void disc_buf_vprintf(struct disc_buf *b, const char *fmt, va_list ap)
    DISC_PRINTF(2, 0);

/* UTF-8 (text.c).  Length (1-4) of the well-formed sequence at s (n
 * bytes there; 4 will do for a NUL-terminated string, as a NUL ends any
 * sequence) with its code point in *cp, or 0 when none
 * starts there (a stray or overlong byte, a surrogate, past U+10FFFF,
 * cut short). */
size_t disc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Writes c (at most U+10FFFF) as UTF-8 into out (room for 4); returns
 * the byte count. */
size_t disc_utf8_encode(uint32_t c, char *out);
/* ISO-8859-1 bytes as UTF-8 into out (room for 2 n + 1, NUL-terminated);
 * returns the length. */
size_t disc_latin1_to_utf8(const uint8_t *s, size_t n, char *out);

/* Little/big-endian field helpers for binary formats. */
static inline uint16_t
disc_rd_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t
disc_rd_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t
disc_rd_le64(const uint8_t *p)
{
    return (uint64_t)disc_rd_le32(p) | (uint64_t)disc_rd_le32(p + 4) << 32;
}
static inline uint16_t
disc_rd_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t
disc_rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}
static inline void
disc_wr_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void
disc_wr_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void
disc_wr_le64(uint8_t *p, uint64_t v)
{
    disc_wr_le32(p, (uint32_t)v);
    disc_wr_le32(p + 4, (uint32_t)(v >> 32));
}
static inline void
disc_wr_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void
disc_wr_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------------ */
/* Rip containers (rip.c drives them; formats/audio.c encodes)        */

/* The encoder a container plugs into the driver. */
struct disc_rip_sink {
    /* Starts file f on out (opened by the driver); *enc gets state. */
    int (*open)(void *user, struct disc_ctx *ctx, const struct disc_rip_plan *p,
                const struct disc_rip_file *f, struct disc_out *out,
                void **enc);
    /* Encodes n bytes of 16-bit little-endian stereo PCM (n % 4 == 0). */
    int (*write)(void *enc, struct disc_ctx *ctx, const uint8_t *pcm, size_t n);
    /* Finishes (ok) or abandons (!ok) the file and frees enc. */
    int (*close)(void *enc, struct disc_ctx *ctx, int ok);
    void *user;
    /* Optional: stores all n sectors of the file (from lba of d) itself,
     * e.g. by a kernel copy, instead of being handed them through write;
     * advances ctx->progress_done by n.  Returns 1 when it did, 0 when it
     * cannot (the driver then reads and calls write), or an error.  Not
     * used when the driver needs the bytes (AccurateRip). */
    int (*copy)(void *enc, struct disc_ctx *ctx, const struct disc *d,
                disc_lba lba, uint32_t n);
};

/* Runs a plan: creates dir if needed (and removes it again on failure),
 * streams every file through sink in DISC_CHUNK-sector chunks, computes
 * AccurateRip CRCs when asked, writes the CUE sheet; all outputs commit
 * together or not at all.  Warns when the audio looks byte-swapped. */
int disc_rip_run(struct disc_ctx *ctx, struct disc_rip_plan *p,
                 const struct disc_rip_sink *sink);

#endif /* DISC_FORMAT_H */
