/* dat.c - Logiqx XML DAT files (as redump.org publishes them): load the
 * games and their ROM digests, and match a disc's track digests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: the Logiqx datafile DTD (game/rom elements with name,
 * size, crc, md5 and sha1 attributes); docs/formats/cd.md (redump
 * hashes).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include "disc_format.h"
#include "verify.h"

#define DAT_MAX ((size_t)512 << 20)

/* Copies the value of attribute name from the tag [p, end) with XML
 * entities decoded; NULL when absent. */
static char *
dat_attr(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);

    while (p < end) {
        const char *q;
        char quote, *out, *o;
        p = strstr(p, name);
        if (!p || p + n > end)
            return NULL;
        q = p + n;
        /* The tag starts with "<rom" or "<game", so p[-1] exists. */
        if (p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n' && p[-1] != '\r') {
            p = q;
            continue;
        }
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q >= end || *q != '=') {
            p = q;
            continue;
        }
        q++;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q >= end || (*q != '"' && *q != '\''))
            return NULL;
        quote = *q++;
        p = q;
        while (q < end && *q != quote)
            q++;
        out = disc_malloc((size_t)(q - p) + 1);
        if (!out)
            return NULL;
        for (o = out; p < q;) {
            static const struct {
                const char *ent;
                char c;
            } ents[] = { { "&amp;", '&' },
                         { "&lt;", '<' },
                         { "&gt;", '>' },
                         { "&quot;", '"' },
                         { "&apos;", '\'' } };
            size_t k;
            int hit = 0;
            if (*p == '&')
                for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
                    size_t l = strlen(ents[k].ent);
                    if ((size_t)(q - p) >= l &&
                        strncmp(p, ents[k].ent, l) == 0) {
                        *o++ = ents[k].c;
                        p += l;
                        hit = 1;
                        break;
                    }
                }
            if (!hit)
                *o++ = *p++;
        }
        *o = '\0';
        return out;
    }
    return NULL;
}

static int
dat_hex(const char *s, uint8_t *out, size_t n)
{
    size_t i;
    if (!s || strlen(s) != 2 * n)
        return 0;
    for (i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return 0;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return 1;
}

void
disc_dat_free(struct disc_dat *dat)
{
    int g, r;

    if (!dat)
        return;
    for (g = 0; g < dat->ngame; g++) {
        for (r = 0; r < dat->game[g].nrom; r++)
            disc_free_mem(dat->game[g].rom[r].name);
        disc_free_mem(dat->game[g].rom);
        disc_free_mem(dat->game[g].name);
    }
    disc_free_mem(dat->game);
    disc_free_mem(dat);
}

/* Parses one <rom .../> tag into *rom. */
static int
dat_rom(const char *tag, const char *end, struct disc_dat_rom *rom)
{
    char *v;
    uint8_t crc[4];

    memset(rom, 0, sizeof *rom);
    rom->name = dat_attr(tag, end, "name");
    if (!rom->name)
        return -1;
    rom->size = -1;
    if ((v = dat_attr(tag, end, "size"))) {
        rom->size = strtoll(v, NULL, 10);
        disc_free_mem(v);
    }
    if ((v = dat_attr(tag, end, "crc"))) {
        rom->has_crc = dat_hex(v, crc, 4);
        if (rom->has_crc)
            rom->crc32 = (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 |
                         (uint32_t)crc[2] << 8 | crc[3];
        disc_free_mem(v);
    }
    if ((v = dat_attr(tag, end, "md5"))) {
        rom->has_md5 = dat_hex(v, rom->md5, 16);
        disc_free_mem(v);
    }
    if ((v = dat_attr(tag, end, "sha1"))) {
        rom->has_sha1 = dat_hex(v, rom->sha1, 20);
        disc_free_mem(v);
    }
    return 0;
}

static int
dat_parse(struct disc_ctx *ctx, const char *path, const char *text,
          struct disc_dat *dat)
{
    const char *p = text;
    size_t capg = 0;

    for (;;) {
        const char *g = strstr(p, "<game"), *m = strstr(p, "<machine");
        const char *gend, *tagend, *close;
        struct disc_dat_game *game;
        size_t capr = 0;

        if (m && (!g || m < g))
            g = m;
        if (!g)
            break;
        tagend = strchr(g, '>');
        if (!tagend)
            return disc_error(ctx, DISC_E_FORMAT, "%s: unterminated <game> tag",
                              path);
        close = strstr(tagend, g[1] == 'g' ? "</game>" : "</machine>");
        gend = close ? close : text + strlen(text);
        if (disc_grow(ctx, &dat->game, (size_t)dat->ngame + 1, &capg,
                      sizeof *dat->game, 64) < 0)
            return DISC_E_NOMEM;
        game = &dat->game[dat->ngame++];
        memset(game, 0, sizeof *game);
        game->name = dat_attr(g, tagend, "name");
        if (!game->name)
            return disc_error(ctx, DISC_E_FORMAT,
                              "%s: byte %ld: <game> without a name", path,
                              (long)(g - text));
        for (p = tagend; (p = strstr(p, "<rom")) && p < gend;) {
            const char *re = strchr(p, '>');
            if (!re)
                return disc_error(ctx, DISC_E_FORMAT,
                                  "%s: unterminated <rom> tag", path);
            if (disc_grow(ctx, &game->rom, (size_t)game->nrom + 1, &capr,
                          sizeof *game->rom, 8) < 0)
                return DISC_E_NOMEM;
            if (dat_rom(p, re, &game->rom[game->nrom]) != 0)
                return disc_error(ctx, DISC_E_FORMAT,
                                  "%s: byte %ld: <rom> without a name", path,
                                  (long)(p - text));
            game->nrom++;
            p = re;
        }
        p = close ? close + 1 : gend;
        if (!close)
            break;
    }
    if (dat->ngame == 0)
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: no <game> entries: not a Logiqx DAT", path);
    return 0;
}

int
disc_dat_load(struct disc_ctx *ctx, const char *path, struct disc_dat **out)
{
    struct disc_dat *dat = NULL;
    struct stat st;
    char *text = NULL;
    FILE *f;
    int r;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) != 0 || (size_t)st.st_size > DAT_MAX) {
        (void)fclose(f); /* read-only: nothing to flush */
        return disc_error(ctx, DISC_E_FORMAT, "%s: not a DAT file (size)",
                          path);
    }
    text = disc_malloc((size_t)st.st_size + 1);
    if (!text) {
        (void)fclose(f);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    if (fread(text, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        (void)fclose(f);
        disc_free_mem(text);
        return disc_error(ctx, DISC_E_IO, "%s: read error", path);
    }
    (void)fclose(f);
    text[st.st_size] = '\0';
    dat = disc_calloc(1, sizeof *dat);
    if (!dat) {
        disc_free_mem(text);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    r = dat_parse(ctx, path, text, dat);
    disc_free_mem(text);
    if (r < 0) {
        disc_dat_free(dat);
        return r;
    }
    *out = dat;
    return 0;
}

static int
dat_rom_matches(const struct disc_dat_rom *r, const struct disc_digest *t)
{
    if (r->size >= 0 && r->size != t->size)
        return 0;
    if (r->has_crc && r->crc32 != t->crc32)
        return 0;
    if (r->has_md5 && memcmp(r->md5, t->md5, 16) != 0)
        return 0;
    if (r->has_sha1 && memcmp(r->sha1, t->sha1, 20) != 0)
        return 0;
    return r->has_crc || r->has_md5 || r->has_sha1;
}

static int
dat_is_track(const struct disc_dat_rom *r)
{
    size_t n = strlen(r->name);
    return !(n >= 4 && strcasecmp(r->name + n - 4, ".cue") == 0);
}

void
disc_dat_match(const struct disc_dat *dat, const struct disc_digest *tracks,
               int ntracks, struct disc_dat_match *m)
{
    int g, i, r;

    memset(m, 0, sizeof *m);
    m->ntracks = ntracks;
    for (i = 0; i < DISC_MAX_TRACKS; i++)
        m->track_rom[i] = -1;
    for (g = 0; g < dat->ngame; g++) {
        const struct disc_dat_game *game = &dat->game[g];
        int hits = 0, nrom = 0, map[DISC_MAX_TRACKS];
        for (r = 0; r < game->nrom; r++)
            nrom += dat_is_track(&game->rom[r]);
        for (i = 0; i < ntracks && i < DISC_MAX_TRACKS; i++) {
            map[i] = -1;
            for (r = 0; r < game->nrom; r++)
                if (dat_is_track(&game->rom[r]) &&
                    dat_rom_matches(&game->rom[r], &tracks[i])) {
                    map[i] = r;
                    hits++;
                    break;
                }
        }
        if (hits > m->matched ||
            (hits == m->matched && hits > 0 && m->game &&
             abs(nrom - ntracks) < abs(m->nrom - ntracks))) {
            m->game = game;
            m->matched = hits;
            m->nrom = nrom;
            memcpy(m->track_rom, map,
                   sizeof(int) * (size_t)(ntracks < DISC_MAX_TRACKS
                                              ? ntracks
                                              : DISC_MAX_TRACKS));
        }
    }
}
