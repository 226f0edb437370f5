/* verify.h - integrity checks and hashes: sector EDC/ECC and subchannel
 * verification, multi-digest hashing, redump-style track hashes and
 * Logiqx DAT matching.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: ECMA-130 (EDC/ECC), IEC 60908 (Q channel),
 * docs/formats/cd.md; the Logiqx XML DAT format as redump.org uses it.
 */
#ifndef DISC_VERIFY_H
#define DISC_VERIFY_H

#include "disc.h"

/* ------------------------------------------------------------------ */
/* Hashing (hash.c)                                                    */

#define DISC_HASH_CRC32 1u
#define DISC_HASH_MD5 2u
#define DISC_HASH_SHA1 4u
#define DISC_HASH_ALL 7u

struct disc_digest {
    unsigned algs;  /* DISC_HASH_* bits that were computed */
    int64_t size;   /* bytes hashed */
    uint32_t crc32; /* CRC-32 (IEEE, zlib) */
    uint8_t md5[16];
    uint8_t sha1[20];
};

/* Several independent digest streams fed from one pass over the data.
 * Every digest of every stream runs on a pool of worker threads over the
 * same buffers, so hashing costs about what the slowest digest does on
 * one core (when there are cores enough). */
struct disc_hasher;

/* nstreams streams (1..8) computing the algorithms in algs. */
int disc_hasher_new(struct disc_ctx *ctx, unsigned algs, int nstreams,
                    struct disc_hasher **out);
/* Feeds n bytes to every stream whose bit is set in streams. */
int disc_hasher_update(struct disc_hasher *h, unsigned streams, const void *p,
                       size_t n);
/* Finishes stream s into *out and restarts it. */
int disc_hasher_final(struct disc_hasher *h, int s, struct disc_digest *out);
void disc_hasher_free(struct disc_hasher *h); /* accepts NULL */
/* Lower-case hex of n bytes into buf (2n+1 bytes). */
char *disc_hex(const uint8_t *p, size_t n, char *buf);

/* Hashes of every track file (redump split layout, raw 2352-byte
 * sectors) and of the whole image (the files concatenated).  tracks has
 * room for d->ntracks digests.  The image always gets its size and CRC-32
 * (combined from the tracks' at no cost); its MD5 and SHA-1 need a second
 * digest stream over the same bytes, computed only when image_digests is
 * set (or when the disc has one track, where they equal the track's). */
int disc_hash_tracks(struct disc_ctx *ctx, const struct disc *d,
                     struct disc_digest *tracks, struct disc_digest *image,
                     int image_digests);

/* ------------------------------------------------------------------ */
/* Logiqx DAT matching (dat.c)                                         */

struct disc_dat_rom {
    char *name;
    int64_t size;
    uint32_t crc32;
    int has_crc;
    uint8_t md5[16];
    int has_md5;
    uint8_t sha1[20];
    int has_sha1;
};

struct disc_dat_game {
    char *name;
    struct disc_dat_rom *rom;
    int nrom;
};

struct disc_dat {
    struct disc_dat_game *game;
    int ngame;
};

/* Parses a Logiqx XML DAT (redump.org style) into *out. */
int disc_dat_load(struct disc_ctx *ctx, const char *path,
                  struct disc_dat **out);
void disc_dat_free(struct disc_dat *dat); /* accepts NULL */

/* Result of matching track digests against a DAT. */
struct disc_dat_match {
    const struct disc_dat_game *game; /* best game, or NULL */
    int matched; /* tracks of the disc whose digest is in that game */
    int ntracks; /* tracks of the disc */
    int nrom;    /* track ROMs (non-.cue) of that game */
    int track_rom[DISC_MAX_TRACKS]; /* rom index matched by track i, or -1 */
};

/* Finds the game with the most tracks matching (by size and every digest
 * the DAT gives).  A complete match has matched == ntracks == nrom. */
void disc_dat_match(const struct disc_dat *dat,
                    const struct disc_digest *tracks, int ntracks,
                    struct disc_dat_match *m);

/* ------------------------------------------------------------------ */
/* Verification (verify.c)                                             */

enum disc_problem_kind {
    DISC_PROB_READ = 0, /* sector could not be read */
    DISC_PROB_SYNC,     /* data sector without a sync pattern */
    DISC_PROB_ADDRESS,  /* header address is not the sector's LBA */
    DISC_PROB_MODE,     /* header mode does not fit the track */
    DISC_PROB_EDC,      /* EDC mismatch */
    DISC_PROB_ECC,      /* ECC P/Q parity mismatch */
    DISC_PROB_QCRC,     /* captured Q frame with a bad CRC */
    DISC_PROB_QTOC,     /* valid Q frame disagreeing with the TOC */
    DISC_PROB_SILENCE,  /* information: a run of digital silence */
    DISC_PROB_CLIPPED,  /* information: a run of full-scale samples */
    DISC_PROB_NKINDS
};

struct disc_problem {
    enum disc_problem_kind kind;
    disc_lba lba;  /* first sector concerned */
    int32_t count; /* sectors in the run (1 for single sectors) */
    int track;     /* track number, 0 if none */
    int info;      /* 1: information only, not damage */
    char detail[160];
};

struct disc_verify_report {
    int64_t sectors;                 /* sectors checked */
    int64_t data_sectors;            /* with EDC/ECC checked */
    int64_t q_frames;                /* captured Q frames checked */
    int64_t count[DISC_PROB_NKINDS]; /* problems (sectors) by kind */
    int64_t damaged; /* sectors with at least one real problem */
};

/* Checks every sector of every track: data sectors' sync, header, EDC
 * and ECC; captured Q frames' CRC and agreement with the TOC; audio
 * silence and clipping as information.  Each problem goes to cb.
 * Returns 0 (the report says whether anything was damaged) or an
 * error. */
int disc_verify(struct disc_ctx *ctx, const struct disc *d,
                void (*cb)(void *user, const struct disc_problem *p),
                void *user, struct disc_verify_report *rep);

/* Checks the checksums the image file itself records, when its format
 * has any (CHD: every hunk's CRC-16, the data and overall SHA-1).
 * Returns 1 with a one-line summary in note, 0 when the format records
 * none (note empty), or a negative code (DISC_E_FORMAT: damaged). */
int disc_verify_container(struct disc_ctx *ctx, const struct disc *d,
                          char *note, size_t notelen);

/* Name of a problem kind ("EDC", "Q CRC", ...). */
const char *disc_problem_name(enum disc_problem_kind k);

#endif /* DISC_VERIFY_H */
