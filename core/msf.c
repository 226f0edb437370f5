/* msf.c - LBA <-> MSF <-> BCD conversions.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: MMC-3 (LBA/MSF, minutes 90-99 are negative LBAs);
 * docs/formats/cd.md.
 */
#include <stdio.h>

#include "disc.h"

#define FRAMES_PER_MIN 4500
#define WRAP 450150 /* frames of 100:00:00 + 150 */

struct disc_msf
disc_frames_to_msf(int32_t frames)
{
    struct disc_msf m;
    if (frames < 0)
        frames = 0;
    m.m = (uint8_t)(frames / FRAMES_PER_MIN);
    m.s = (uint8_t)(frames / 75 % 60);
    m.f = (uint8_t)(frames % 75);
    return m;
}

int32_t
disc_msf_to_frames(struct disc_msf msf)
{
    return (msf.m * 60 + msf.s) * 75 + msf.f;
}

int32_t
disc_lba_frames(disc_lba lba)
{
    return lba >= -150 ? lba + 150 : lba + WRAP;
}

struct disc_msf
disc_lba_to_msf(disc_lba lba)
{
    return disc_frames_to_msf(disc_lba_frames(lba));
}

disc_lba
disc_msf_to_lba(struct disc_msf msf)
{
    int32_t f = disc_msf_to_frames(msf);
    return msf.m >= 90 ? f - WRAP : f - 150;
}

uint8_t
disc_to_bcd(uint8_t v)
{
    return (uint8_t)((v / 10) << 4 | v % 10);
}

int
disc_is_bcd(uint8_t b)
{
    return (b >> 4) < 10 && (b & 15) < 10;
}

uint8_t
disc_from_bcd(uint8_t b)
{
    if (!disc_is_bcd(b))
        return 0xFF;
    return (uint8_t)((b >> 4) * 10 + (b & 15));
}

static int
msf_num(const char **p, long max, long *out)
{
    long v = 0;
    int n = 0;
    while (**p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        if (v > 100000)
            return -1;
        (*p)++;
        n++;
    }
    if (n == 0 || (max >= 0 && v > max))
        return -1;
    *out = v;
    return 0;
}

int
disc_parse_msf(const char *s, int32_t *frames)
{
    long m, sec, f;
    const char *p = s;

    if (msf_num(&p, 9999, &m) || *p++ != ':' || msf_num(&p, 59, &sec) ||
        *p++ != ':' || msf_num(&p, 74, &f) || *p != '\0')
        return DISC_E_FORMAT;
    *frames = (int32_t)((m * 60 + sec) * 75 + f);
    return 0;
}

char *
disc_format_msf(int32_t frames, char *buf, size_t len)
{
    if (frames < 0)
        frames = 0;
    /* 13 bytes hold any int32_t; a shorter buf (9+ per disc.h) only cuts
     * minutes past 99, and the result is still terminated. */
    (void)snprintf(buf, len, "%02d:%02d:%02d", (int)(frames / FRAMES_PER_MIN),
                   (int)(frames / 75 % 60), (int)(frames % 75));
    return buf;
}
