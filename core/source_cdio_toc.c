/* source_cdio_toc.c - the cdrdao .toc files that may reach libcdio's
 * cdrdao driver: checked, and rewritten into a private copy with
 * absolute file names (source_cdio.c opens the copy).
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: libcdio 2.1 lib/driver/image/cdrdao.c (what its parser
 * accepts and where it fails); docs/formats/cdio.md.
 *
 * Includes no libcdio header: it reads and writes text only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* cdrdao .toc: what reaches libcdio                                   */

/* libcdio's cdrdao driver (lib/driver/image/cdrdao.c) trusts its input:
 * track statements before the first TRACK write to entry -1 of its track
 * table, a 100th TRACK writes past it, a length it must take from the
 * file size is divided by a block size it never sets for MODE2,
 * MODE2_FORM1 and MODE2_FORM2 tracks (SIGFPE), a track without a data
 * file is read through a NULL stream, and every line it rejects leaks
 * what it had allocated.  It also opens data files relative to the
 * working directory.  So a .toc reaches it only in the subset checked
 * here, rewritten into a private copy whose file names are absolute:
 * no process-wide chdir is needed.  The tokenisation is libcdio's: lines
 * of at most 511 bytes, "//" starts a comment, words end at blanks, a
 * file name or quoted string at a quote, tab or line end. */

#define TOC_LINE 512 /* libcdio's line buffer */
#define TOC_MAX (1 << 20)

/* Removes the private copy; accepts NULL. */
void
disc_cdio_toc_drop(char *copy)
{
    disc_tmp_private_drop(copy);
}

struct toc_track {
    unsigned bs, ds; /* libcdio's block size (0: never set), data size */
    int file;        /* has its data file */
    int isrc;
    int64_t secs; /* sector count libcdio derives (0: none) */
};

/* libcdio's block and data sizes of a TRACK mode; 0 if unknown. */
static int
toc_mode(const char *m, unsigned *bs, unsigned *ds)
{
    static const struct {
        const char *name;
        unsigned bs, ds;
    } modes[] = {
        { "AUDIO", 2352, 2352 },          { "MODE1", 2352, 2048 },
        { "MODE1_RAW", 2352, 2048 },      { "MODE2", 0, 2336 },
        { "MODE2_FORM1", 0, 2352 },       { "MODE2_FORM2", 0, 2048 },
        { "MODE2_FORM_MIX", 2352, 2336 }, { "MODE2_RAW", 2352, 2048 },
    };
    size_t i;

    for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(m, modes[i].name) == 0) {
            *bs = modes[i].bs;
            *ds = modes[i].ds;
            return 1;
        }
    return 0;
}

/* A time as libcdio's cdio_mmssff_to_lba reads it, restricted to what it
 * reads correctly: "0" or M[M[M]]:S[S]:F[F] with S < 60 and F < 75.
 * Returns the frame count or -1. */
static int32_t
toc_msf(const char *s)
{
    int v[3] = { 0, 0, 0 }, k, n;

    if (!s)
        return -1;
    if (strcmp(s, "0") == 0)
        return 0;
    for (k = 0; k < 3; k++) {
        for (n = 0; *s >= '0' && *s <= '9' && n < (k ? 2 : 3); n++)
            v[k] = v[k] * 10 + (*s++ - '0');
        if (n == 0 || *s != (k < 2 ? ':' : '\0'))
            return -1;
        s++;
    }
    if (v[1] >= 60 || v[2] >= 75)
        return -1;
    return (v[0] * 60 + v[1]) * 75 + v[2];
}

/* Writes text to a new private file ending in ".toc" (libcdio's cdrdao
 * driver goes by the name), removed by a signal's cleanup like an
 * output's temporary file; *copy gets its path (disc_malloc'd). */
static int
cdsrc_toc_write(struct disc_ctx *ctx, const char *path, const char *text,
                char **copy)
{
    char *p = NULL;
    FILE *f = NULL;
    int fd, ok;

    fd = disc_tmp_private("toc", ".toc", &p);
    if (fd < 0)
        return disc_error(ctx, errno == ENOMEM ? DISC_E_NOMEM : DISC_E_IO,
                          "%s: cannot make the private copy libcdio reads "
                          "in %s (TMPDIR): %s",
                          path, disc_tmp_dir(), strerror(errno));
    f = fdopen(fd, "w");
    if (!f)
        (void)close(fd);
    ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok) {
        int r = disc_error(ctx, DISC_E_IO,
                           "%s: cannot write a private "
                           "copy: %s",
                           path, strerror(errno));
        disc_cdio_toc_drop(p);
        return r;
    }
    *copy = p;
    return 0;
}

/* The check of one .toc as it goes line by line. */
struct toc_guard {
    struct disc_ctx *ctx;
    const char *path;
    const char *abs; /* the .toc's folder, absolute */
    struct toc_track tr[DISC_MAX_TRACKS];
    int i; /* the current track, -1 before the first TRACK */
    int catalog;
    unsigned lno;
    char first[256];     /* the first data file named, "" before it */
    struct disc_buf out; /* the copy */
};

/* Reads the whole .toc at path (at most TOC_MAX bytes, text) into *buf
 * (disc_malloc'd, also on failure) and its length into *len. */
static int
toc_guard_load(struct disc_ctx *ctx, const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    int r = 0;

    *buf = NULL;
    *len = 0;
    if (!f)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    *buf = disc_malloc(TOC_MAX + 1);
    if (!*buf) {
        (void)fclose(f);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    *len = fread(*buf, 1, TOC_MAX + 1, f);
    if (ferror(f))
        r = disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    else if (*len > TOC_MAX)
        r = disc_error(ctx, DISC_E_FORMAT,
                       "%s: more than 1 MiB: not a "
                       ".toc file",
                       path);
    else if (memchr(*buf, '\0', *len))
        r = disc_error(ctx, DISC_E_FORMAT,
                       "%s: binary data (a NUL byte at "
                       "offset %lld)",
                       path,
                       (long long)((char *)memchr(*buf, '\0', *len) - *buf));
    (void)fclose(f); /* read-only */
    return r;
}

/* The absolute path of the folder of the .toc at path into *abs
 * (disc_malloc'd), refused when libcdio could not name files in it. */
static int
toc_guard_folder(struct disc_ctx *ctx, const char *path, char **abs)
{
    char *dir = disc_path_dir(path);
    int r = 0;

    *abs = NULL;
    if (dir && dir[0] == '/') {
        *abs = dir;
        dir = NULL;
    } else if (dir) {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            r = disc_error(ctx, DISC_E_IO, "%s: the current folder: %s", path,
                           strerror(errno));
        else if (!(*abs = disc_path_join(cwd, dir)))
            r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
    } else {
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    if (r == 0 && *abs && strpbrk(*abs, "\"\t\r\n"))
        r = disc_error(ctx, DISC_E_UNSUPPORTED,
                       "%s: libcdio cannot name "
                       "files in a folder whose path has quotes, tabs or "
                       "line breaks",
                       path);
    disc_free_mem(dir);
    return r;
}

/* The start, length and size checks of a FILE/AUDIOFILE/DATAFILE line
 * whose words after the name are w (at most 3), for a data file of size
 * bytes in track t; the byte offset of a DATAFILE in *off, the index
 * of its start word in *k.  Returns why the line is refused, or NULL. */
static const char *
toc_guard_times(const struct toc_guard *g, struct toc_track *t, int data,
                char *const *w, int64_t size, int64_t *off, int *k)
{
    const char *why = NULL;

    *k = 0;
    if (data && w[0] && w[0][0] == '#') {
        char *e;
        long long v = strtoll(w[0] + 1, &e, 10);
        if (*e || e == w[0] + 1 || v < 0 || v > (long long)size)
            why = "a byte offset that is no number inside the file";
        *off = v;
        *k = 1;
        disc_warn_at(g->ctx, g->path, g->lno,
                     "libcdio ignores the byte offset %s: "
                     "sectors are read from the start of the file",
                     w[0]);
    }
    if (!why && w[*k] && toc_msf(w[*k]) < 0)
        why = "a start that is no time libcdio reads";
    if (!why && data) {
        if (w[*k] && w[*k + 1])
            why = "words after the start";
        else if (!w[*k] && g->i > 0 && g->tr[g->i - 1].bs == 0)
            why = "no start after a MODE2 track of unknown size "
                  "(libcdio divides by zero)";
    } else if (!why && w[*k] && w[*k + 1]) {
        int32_t l = toc_msf(w[*k + 1]);
        if (*k + 2 < 3 && w[*k + 2])
            why = "words after the length";
        else if (l < 0)
            why = "a length that is no time libcdio reads";
        else if (l == 0 && t->bs == 0)
            why = "a length of 0 in a MODE2 track (libcdio divides "
                  "by zero)";
        else if (l > 0 && (int64_t)l * t->ds > size)
            why = "a length past the end of the file";
        else if (l == 0 && size < (int64_t)t->bs)
            why = "an empty data file";
        else
            t->secs = l ? l : size / t->bs;
    }
    if (!why && size - *off < (int64_t)(t->bs ? t->bs : 1))
        why = "a data file too short for one sector";
    return why;
}

/* A FILE, AUDIOFILE or DATAFILE line (keyword kw, the rest in *save):
 * checked and copied with the file's absolute name.  Returns DISC_E_*
 * (the message set), or 0 with *why set when the line is refused. */
static int
toc_guard_file(struct toc_guard *g, const char *kw, char **save,
               const char **why)
{
    struct toc_track *t = g->i >= 0 ? &g->tr[g->i] : NULL;
    char *name, *full, *w[3] = { NULL, NULL, NULL };
    int data = kw[0] == 'D', k = 0;
    struct stat st;
    int64_t off = 0;

    if (!t) {
        *why = "a data file before the first TRACK";
        return 0;
    }
    if (t->file) {
        *why = "a second data file in one track (libcdio keeps one "
               "per track)";
        return 0;
    }
    name = strtok_r(NULL, "\"\t\n\r", save);
    if (!name) {
        *why = "no file name";
        return 0;
    }
    while (k < 3 && (w[k] = strtok_r(NULL, " \t\n\r", save)))
        k++;
    if (disc_path_escapes(name) &&
        !(g->ctx && (g->ctx->flags & DISC_CTX_OUTSIDE_PATHS)))
        return disc_error_at(g->ctx, DISC_E_FORMAT, g->path, g->lno,
                             "data file \"%.100s\" leads outside the "
                             ".toc's folder (allow with "
                             "--allow-outside-paths)",
                             name);
    full = name[0] == '/' ? disc_strdup(name) : disc_path_join(g->abs, name);
    if (!full)
        return disc_error(g->ctx, DISC_E_NOMEM, "out of memory");
    if (!g->first[0]) {
        (void)snprintf(g->first, sizeof g->first, "%s", name);
    } else if (strcmp(g->first, name) != 0) {
        disc_free_mem(full);
        return disc_error_at(g->ctx, DISC_E_UNSUPPORTED, g->path, g->lno,
                             "libcdio's cdrdao driver reads only the "
                             "first data file of a .toc (\"%s\"), and "
                             "this one also names \"%.100s\"",
                             g->first, name);
    }
    if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
        int r = disc_error_at(
            g->ctx, DISC_E_FORMAT, g->path, g->lno, "data file \"%.100s\" %s",
            name, errno == ENOENT ? "not found" : "is not a regular file");
        disc_free_mem(full);
        return r;
    }
    t->file = 1;
    *why = toc_guard_times(g, t, data, w, (int64_t)st.st_size, &off, &k);
    if (!*why && strlen(kw) + strlen(full) + 64 >= TOC_LINE)
        *why = "a path too long for libcdio's line buffer";
    if (!*why) {
        disc_buf_printf(&g->out, "%s \"%s\"", kw, full);
        for (k = 0; k < 3 && w[k]; k++)
            disc_buf_printf(&g->out, " %s", w[k]);
        disc_buf_printf(&g->out, "\n");
    }
    disc_free_mem(full);
    return 0;
}

/* Any other line (keyword kw, the rest in *save): checked, copied by the
 * caller when it passes.  Returns DISC_E_* for a statement libcdio does
 * not read right (the message set), or 0 with *why set when the line is
 * refused. */
static int
toc_guard_word(struct toc_guard *g, const char *kw, char **save,
               const char **why)
{
    struct toc_track *t = g->i >= 0 ? &g->tr[g->i] : NULL;
    char *a;

    /* CATALOG and ISRC values end at a quote, tab or line end. */
    if (strcmp(kw, "CATALOG") == 0 || strcmp(kw, "ISRC") == 0)
        a = strtok_r(NULL, "\"\t\n\r", save);
    else
        a = strtok_r(NULL, " \t\n\r", save);
    if (strcmp(kw, "CATALOG") == 0) {
        size_t k;
        if (g->i >= 0 || g->catalog++)
            *why = "CATALOG after a TRACK or twice";
        else if (!a || strlen(a) != 13)
            *why = "a catalog number that is not 13 digits";
        for (k = 0; !*why && k < 13; k++)
            if (a[k] < '0' || a[k] > '9')
                *why = "a catalog number that is not 13 digits";
    } else if (strcmp(kw, "CD_DA") == 0 || strcmp(kw, "CD_ROM") == 0 ||
               strcmp(kw, "CD_ROM_XA") == 0) {
        if (g->i >= 0)
            *why = "a disc type after a TRACK";
    } else if (strcmp(kw, "TRACK") == 0) {
        if (++g->i >= DISC_MAX_TRACKS)
            *why = "more than 99 tracks";
        else if (!a || !toc_mode(a, &g->tr[g->i].bs, &g->tr[g->i].ds))
            *why = "a TRACK without a mode libcdio knows";
        else {
            (void)strtok_r(NULL, " \t\n\r", save); /* sub-channel */
            if (strtok_r(NULL, " \t\n\r", save))
                *why = "words after the sub-channel mode";
        }
    } else if (!t && (strcmp(kw, "NO") == 0 || strcmp(kw, "COPY") == 0 ||
                      strcmp(kw, "PRE_EMPHASIS") == 0 ||
                      strcmp(kw, "TWO_CHANNEL_AUDIO") == 0 ||
                      strcmp(kw, "FOUR_CHANNEL_AUDIO") == 0 ||
                      strcmp(kw, "ISRC") == 0 || strcmp(kw, "SILENCE") == 0 ||
                      strcmp(kw, "ZERO") == 0 || strcmp(kw, "START") == 0 ||
                      strcmp(kw, "PREGAP") == 0 || strcmp(kw, "INDEX") == 0)) {
        *why = "a track statement before the first TRACK";
    } else if (strcmp(kw, "NO") == 0) {
        if (!a || (strcmp(a, "COPY") != 0 && strcmp(a, "PRE_EMPHASIS") != 0) ||
            strtok_r(NULL, " \t\n\r", save))
            *why = "NO without COPY or PRE_EMPHASIS";
    } else if (strcmp(kw, "ISRC") == 0) {
        size_t k;
        if (!t || t->isrc++ || !a || strlen(a) != 12)
            *why = "an ISRC that is not 12 characters, or a second one";
        for (k = 0; !*why && k < 12; k++)
            if (!(a[k] >= '0' && a[k] <= '9') && !(a[k] >= 'A' && a[k] <= 'Z'))
                *why = "an ISRC that is not 12 letters and digits";
    } else if (strcmp(kw, "SILENCE") == 0) {
        if (toc_msf(a) < 0)
            *why = "a time libcdio does not read";
    } else if (strcmp(kw, "PREGAP") == 0 || strcmp(kw, "INDEX") == 0 ||
               strcmp(kw, "START") == 0) {
        if ((a || kw[0] != 'S') && toc_msf(a) < 0)
            *why = "a time libcdio does not read";
        else if (a && strtok_r(NULL, " \t\n\r", save))
            *why = "words after the time";
    } else if (strcmp(kw, "ZERO") == 0) {
        return disc_error_at(g->ctx, DISC_E_UNSUPPORTED, g->path, g->lno,
                             "libcdio's "
                             "cdrdao driver ignores ZERO: the sectors would "
                             "be misplaced");
    } else if (strcmp(kw, "CD_TEXT") == 0) {
        if (!a || strcmp(a, "{") != 0)
            *why = "CD_TEXT without \"{\" on its line";
    } else if (strcmp(kw, "LANGUAGE") == 0) {
        if (!a)
            *why = "LANGUAGE without a number";
    } else if (strcmp(kw, "COPY") == 0 || strcmp(kw, "PRE_EMPHASIS") == 0 ||
               strcmp(kw, "TWO_CHANNEL_AUDIO") == 0 ||
               strcmp(kw, "FOUR_CHANNEL_AUDIO") == 0 ||
               strcmp(kw, "LANGUAGE_MAP") == 0 || strcmp(kw, "{") == 0 ||
               strcmp(kw, "}") == 0 || strcmp(kw, "TITLE") == 0 ||
               strcmp(kw, "PERFORMER") == 0 || strcmp(kw, "SONGWRITER") == 0 ||
               strcmp(kw, "COMPOSER") == 0 || strcmp(kw, "MESSAGE") == 0 ||
               strcmp(kw, "ARRANGER") == 0 || strcmp(kw, "UPC_EAN") == 0 ||
               strcmp(kw, "GENRE") == 0 || strcmp(kw, "DISC_ID") == 0) {
        /* flags (libcdio ignores further words), and CD-TEXT:
         * libcdio stores the string or ignores the line */
    } else {
        return disc_error_at(g->ctx, DISC_E_UNSUPPORTED, g->path, g->lno,
                             "libcdio's cdrdao driver does not read "
                             "\"%.40s\"",
                             kw);
    }
    return 0;
}

/* Checks path and writes the copy libcdio gets into *copy (a
 * private file ending in ".toc" under $TMPDIR; remove with
 * disc_cdio_toc_drop).  DISC_E_FORMAT or DISC_E_UNSUPPORTED name the line. */
int
disc_cdio_toc_guard(struct disc_ctx *ctx, const char *path, char **copy)
{
    struct toc_guard gs, *g = &gs;
    char line[TOC_LINE], orig[TOC_LINE];
    char *abs = NULL, *buf = NULL, *save = NULL;
    size_t len = 0, pos = 0;
    unsigned n;
    int r;

    *copy = NULL;
    memset(g, 0, sizeof *g);
    g->ctx = ctx;
    g->path = path;
    g->i = -1;
    r = toc_guard_load(ctx, path, &buf, &len);
    if (r == 0)
        r = toc_guard_folder(ctx, path, &abs);
    g->abs = abs;
    while (r == 0 && pos < len) {
        size_t l = strcspn(buf + pos, "\n");
        char *kw, *c;
        const char *why = NULL;

        g->lno++;
        if (l + 1 >= TOC_LINE) {
            r = disc_error_at(ctx, DISC_E_FORMAT, path, g->lno,
                              "line longer than "
                              "libcdio reads (%d bytes)",
                              TOC_LINE - 2);
            break;
        }
        memcpy(line, buf + pos, l);
        line[l] = '\0';
        pos += l + (pos + l < len);
        if ((c = strstr(line, "//")))
            *c = '\0';
        memcpy(orig, line, sizeof orig);
        kw = strtok_r(line, " \t\n\r", &save);
        if (!kw) {
            disc_buf_printf(&g->out, "\n");
            continue;
        }
        if (strcmp(kw, "FILE") == 0 || strcmp(kw, "AUDIOFILE") == 0 ||
            strcmp(kw, "DATAFILE") == 0) {
            r = toc_guard_file(g, kw, &save, &why);
        } else {
            r = toc_guard_word(g, kw, &save, &why);
            /* Unchanged, minus the comment (libcdio sees the same words). */
            if (r == 0 && !why)
                disc_buf_printf(&g->out, "%s\n", orig);
        }
        if (r == 0 && why)
            r = disc_error_at(ctx, DISC_E_FORMAT, path, g->lno, "%s: %s", kw,
                              why);
    }
    if (r == 0 && g->i < 0)
        r = disc_error(ctx, DISC_E_FORMAT, "%s: no TRACK", path);
    for (n = 0; r == 0 && (int)n <= g->i; n++)
        if (!g->tr[n].file)
            r = disc_error(ctx, DISC_E_FORMAT,
                           "%s: track %u has no data "
                           "file (libcdio would read it through nothing)",
                           path, n + 1);
    if (r == 0 && g->tr[g->i].bs == 0 && g->tr[g->i].secs == 0)
        r = disc_error(ctx, DISC_E_FORMAT,
                       "%s: the last track is MODE2 "
                       "without a length (libcdio divides by zero)",
                       path);
    if (r == 0 && g->out.err)
        r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
    if (r == 0)
        r = cdsrc_toc_write(ctx, path, g->out.p ? g->out.p : "", copy);
    disc_free_mem(g->out.p);
    disc_free_mem(buf);
    disc_free_mem(abs);
    return r;
}
