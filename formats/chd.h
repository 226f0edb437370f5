/* chd.h - private to the CHD plugin (chd.c reads, chd_map.c decodes the
 * hunk map and the hunks, chd_write.c writes): container constants,
 * CRC-16, the MSB-first bit stream and the 16-symbol Huffman code of the
 * v5 hunk map, the CD frame codecs, and the open file.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/chd.md; MAME src/lib/util/chd.cpp,
 * chdcodec.cpp, huffman.cpp, cdrom.cpp; libchdr.
 */
#ifndef DISC_FORMATS_CHD_H
#define DISC_FORMATS_CHD_H

#include "disc_format.h"

#define CHD_MAGIC "MComprHD"
#define CHD_V5_HEADER 124
/* Sizes are size_t so that products with them are computed that wide. */
#define CHD_FRAME ((size_t)2448) /* a CD frame: 2352 data + 96 subcode */
#define CHD_FRAME_DATA ((size_t)2352)
#define CHD_FRAMES_PER_HUNK ((size_t)8) /* chdman's default: 19584 B */
#define CHD_TRACK_PAD 4                 /* tracks start on 4-frame boundaries */
#define CHD_META_HEADER 16

#define CHD_TAG(a, b, c, d)                                                    \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 |          \
     (uint32_t)(d))
#define CHD_CODEC_CDZL CHD_TAG('c', 'd', 'z', 'l')
#define CHD_CODEC_CDLZ CHD_TAG('c', 'd', 'l', 'z')
#define CHD_CODEC_CDFL CHD_TAG('c', 'd', 'f', 'l')
#define CHD_TAG_CHT2 CHD_TAG('C', 'H', 'T', '2')
#define CHD_TAG_CHTR CHD_TAG('C', 'H', 'T', 'R')
#define CHD_TAG_CHCD CHD_TAG('C', 'H', 'C', 'D')
#define CHD_TAG_CHGD CHD_TAG('C', 'H', 'G', 'D')
#define CHD_TAG_CHGT CHD_TAG('C', 'H', 'G', 'T')

/* Map entry types of the expanded v5 map, then the pseudo-types that
 * only occur in the coded type stream. */
enum chd_map_type {
    CHD_MAP_C0 = 0, /* compressors[0..3] */
    CHD_MAP_C3 = 3,
    CHD_MAP_NONE = 4,
    CHD_MAP_SELF = 5,
    CHD_MAP_PARENT = 6,
    CHD_MAP_RLE_SMALL = 7,
    CHD_MAP_RLE_LARGE = 8,
    CHD_MAP_SELF_0 = 9,
    CHD_MAP_SELF_1 = 10,
    CHD_MAP_PARENT_SELF = 11,
    CHD_MAP_PARENT_0 = 12,
    CHD_MAP_PARENT_1 = 13
};

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final
 * XOR): the map and hunk checksum. */
uint16_t chd_crc16(uint16_t crc, const uint8_t *p, size_t n);

/* ------------------------------------------------------------------ */
/* Bits, most significant first                                        */

struct chd_bits {
    uint8_t *p;   /* reading: the buffer; writing: grown on demand */
    size_t len;   /* bytes in p (reading) or allocated (writing) */
    uint64_t bit; /* position in bits */
    int overrun;  /* reading: ran past the end (zeros were returned) */
    int nomem;    /* writing: an allocation failed */
};

uint32_t chd_bits_get(struct chd_bits *b, unsigned n);
void chd_bits_put(struct chd_bits *b, uint32_t v, unsigned n);

/* The map's Huffman code: 16 symbols, codes of at most 8 bits, lengths
 * sent as 4-bit run-length coded values, canonical codes assigned with
 * the longest first. */
#define CHD_HUFF_SYMS 16
#define CHD_HUFF_MAXBITS 8

struct chd_huff {
    uint8_t len[CHD_HUFF_SYMS];
    uint16_t code[CHD_HUFF_SYMS];
    uint16_t lookup[1 << CHD_HUFF_MAXBITS]; /* symbol << 4 | length */
};

/* Reads the lengths and builds the decoder; -1 for a malformed tree. */
int chd_huff_import(struct chd_huff *h, struct chd_bits *b);
/* Next symbol, or -1 for a bit pattern that is no code. */
int chd_huff_decode(const struct chd_huff *h, struct chd_bits *b);
/* Builds lengths (<= 8 bits) and codes from symbol counts. */
void chd_huff_build(struct chd_huff *h, const uint32_t *counts);
/* Writes the lengths as the reader expects them. */
void chd_huff_export(const struct chd_huff *h, struct chd_bits *b);
/* Assigns canonical codes from h->len; -1 when they do not form a
 * prefix code. */
int chd_huff_assign(struct chd_huff *h);

/* ------------------------------------------------------------------ */
/* CD codecs                                                           */

/* Mode 1 sectors whose sync and P/Q parity chdman strips before
 * compressing (and regenerates after): the sync must be there and the
 * parity right. */
int chd_frame_ecc_strippable(const uint8_t *sec);
/* Regenerates sync and P/Q parity of a stripped frame. */
void chd_frame_ecc_restore(uint8_t *sec);

/* The LZMA dictionary chdman's encoder uses for a plane of n bytes. */
uint32_t chd_lzma_dict(uint32_t n);

/* The overall SHA-1 of a CHD: the data's SHA-1, then the n checksummed
 * metadata records (tag + SHA-1 of the text, 24 bytes each) sorted in
 * byte order (sorts meta in place; chd.cpp compute_overall_sha1). */
int chd_overall_sha1(struct disc_ctx *ctx, const uint8_t raw[20],
                     uint8_t (*meta)[24], int n, uint8_t out[20]);

/* ------------------------------------------------------------------ */
/* The open file (chd.c) and its hunks (chd_map.c)                     */

#define CHD_CACHE 16 /* decoded hunks kept for reads out of order */
#define CHD_MAX_THREADS 8

struct chd_entry {
    uint64_t offset; /* file offset, or hunk number for SELF */
    uint32_t length;
    uint16_t crc;
    uint8_t type;    /* CHD_MAP_C0..CHD_MAP_SELF */
    uint8_t has_crc; /* 0 for uncompressed files */
};

/* One track as the metadata describes it. */
struct chd_track {
    int number;
    char type[24], subtype[16], pgtype[24], pgsub[16];
    int32_t frames, pregap, postgap;
    uint32_t chdframe; /* first frame in the CHD's logical space */
    disc_lba lba;      /* disc LBA of its first stored frame */
};

struct chd_dec;  /* one decoder's state and buffers (chd_map.c) */
struct chd_ring; /* decode-ahead (chd.c) */

struct chd_file {
    struct disc_source *file;
    char *name;
    int refs;
    uint32_t codec[4];
    uint64_t logical;
    uint32_t hunkbytes, hunkcount, frames; /* frames per hunk */
    uint8_t rawsha1[20], sha1[20];
    struct chd_entry *map;
    int ntracks;
    struct chd_track track[DISC_MAX_TRACKS];
    /* Checksummed metadata for the overall SHA-1: tag + SHA-1 each. */
    uint8_t (*metasum)[24];
    int nmeta;
    /* Decoded hunks, for reads that do not run forward. */
    uint32_t slot_hunk[CHD_CACHE];
    uint8_t *slot[CHD_CACHE];
    int nslots, victim;
    /* Decoders: the caller's thread uses dec[0], worker i dec[1 + i]. */
    struct chd_dec *dec[CHD_MAX_THREADS + 1];
    int ndec, nthreads;
    uint32_t next_hunk;    /* reads run forward when they ask for this */
    struct chd_ring *ring; /* decode-ahead, made when reads run forward */
    int ring_failed;       /* none could be made: reads go without */
};

/* A decoder for hunks of hunkbytes bytes; NULL when out of memory. */
struct chd_dec *chd_dec_new(uint32_t hunkbytes);
void chd_dec_free(struct chd_dec *c);
/* Decodes hunk h (not a SELF entry) with dec into out and checks its
 * CRC-16; a failure names the hunk and its LBAs.  Threads may decode
 * different hunks of one file at once, each with its own decoder. */
int chd_decode(struct disc_ctx *ctx, const struct chd_file *f,
               struct chd_dec *dec, uint32_t h, uint8_t *out);
/* DISC_E_FORMAT naming hunk h, its LBA range and what is wrong. */
int chd_hunk_error(struct disc_ctx *ctx, const struct chd_file *f, uint32_t h,
                   const char *what);
/* A codec tag as four printable characters. */
const char *chd_codec_name(uint32_t c, char buf[5]);
/* The map: compressed (v5 with codecs) at off, or flat after the header
 * of an uncompressed file. */
int chd_read_map(struct disc_ctx *ctx, struct chd_file *f, uint64_t off);
int chd_read_flat_map(struct disc_ctx *ctx, struct chd_file *f, uint64_t off);

/* The writer (chd_write.c). */
int chd_write(struct disc_ctx *ctx, const struct disc *d, const char *path,
              const struct disc_write_opts *o);

#endif /* DISC_FORMATS_CHD_H */
