/* mksample.c - builds the bundled sample disc's BIN (mixed.bin, in the
 * build folder) from the committed ISO 9660 image and synthesised audio.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Layout (see samples/mixed.cue): track 1 Mode 1, 450 sectors (the ISO,
 * zero-filled to 300 sectors, then a 150-sector post-gap, as Red Book
 * asks before audio); track 2 audio, 150-sector pause + 375 sectors;
 * track 3 audio, 75-sector pause + 375 sectors with INDEX 02 after 150.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disc_format.h"

#define DATA_SECTORS 450
#define T2_SECTORS (150 + 375)
#define T3_SECTORS (75 + 375)
#define PI 3.14159265358979323846

static int
put(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* Whether snprintf's result n means the whole text fit in size bytes. */
static int
fits(int n, size_t size)
{
    return n >= 0 && (size_t)n < size;
}

/* A few seconds of a chord with a slow tremolo: music-like, neither
 * silence nor noise.  Deterministic (no libm state). */
static int
audio(FILE *f, int sectors, const double *hz, int nhz, int silent_lead)
{
    uint8_t sec[DISC_SECTOR_RAW];
    long n = 0;
    int s, i, k;

    for (s = 0; s < sectors; s++) {
        for (i = 0; i < 588; i++, n++) {
            double t = (double)n / 44100.0, v = 0.0;
            int16_t l, r;
            if (s >= silent_lead) {
                for (k = 0; k < nhz; k++)
                    v += sin(2 * PI * hz[k] * t) / nhz;
                v *= 0.6 + 0.3 * sin(2 * PI * 0.5 * t);
            }
            l = (int16_t)lrint(v * 20000.0);
            r = (int16_t)lrint(v * 18000.0);
            disc_wr_le16(sec + (size_t)i * 4, (uint16_t)l);
            disc_wr_le16(sec + (size_t)i * 4 + 2, (uint16_t)r);
        }
        if (put(f, sec, sizeof sec))
            return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static const double am[] = { 220.0, 261.63, 329.63 };
    static const double cm[] = { 261.63, 329.63, 392.0, 523.25 };
    char iso_path[4096], bin_path[4096], tmp_path[4200];
    uint8_t sec[DISC_SECTOR_RAW];
    FILE *iso, *out;
    int s;

    if (argc != 3) {
        fprintf(stderr, "usage: mksample SAMPLES_DIR OUT_DIR\n");
        return 2;
    }
    if (!fits(snprintf(iso_path, sizeof iso_path, "%s/mixed-data.iso", argv[1]),
              sizeof iso_path) ||
        !fits(snprintf(bin_path, sizeof bin_path, "%s/mixed.bin", argv[2]),
              sizeof bin_path) ||
        !fits(snprintf(tmp_path, sizeof tmp_path, "%s.tmp", bin_path),
              sizeof tmp_path)) {
        fprintf(stderr, "mksample: %s: path too long\n", argv[1]);
        return 2;
    }
    iso = fopen(iso_path, "rb");
    if (!iso) {
        perror(iso_path);
        return 1;
    }
    out = fopen(tmp_path, "wb");
    if (!out) {
        perror(tmp_path);
        (void)fclose(iso); /* read-only: nothing to flush */
        return 1;
    }
    for (s = 0; s < DATA_SECTORS; s++) {
        memset(sec, 0, sizeof sec);
        if (fread(sec + 16, 1, 2048, iso) == 0 && ferror(iso)) {
            perror(iso_path);
            (void)fclose(iso);
            (void)fclose(out); /* discarded below */
            (void)remove(tmp_path);
            return 1;
        }
        disc_sector_encode_mode1(sec, s);
        if (put(out, sec, sizeof sec))
            goto fail;
    }
    (void)fclose(iso);
    if (audio(out, T2_SECTORS, am, 3, 150) || audio(out, T3_SECTORS, cm, 4, 0))
        goto fail;
    if (fclose(out) != 0 || rename(tmp_path, bin_path) != 0) {
        perror(bin_path);
        (void)remove(tmp_path); /* best effort: already failing */
        return 1;
    }
    return 0;
fail:
    perror(tmp_path);
    (void)fclose(out); /* the write already failed; the file goes */
    (void)remove(tmp_path);
    return 1;
}
