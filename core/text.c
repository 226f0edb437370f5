/* text.c - descriptor text input (whole small files, any line end,
 * UTF-8 with or without BOM, Latin-1 fallback) and path helpers.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cue.md (lexical rules), RFC 3629 (UTF-8).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "internal.h"

#define TEXT_MAX (16u << 20)

size_t
disc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t v;

    if (!n)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, v = s[0] & 0x1Fu;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, v = s[0] & 0x0Fu;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, v = s[0] & 0x07u;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF. */
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
        (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return len;
}

size_t
disc_utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

size_t
disc_latin1_to_utf8(const uint8_t *s, size_t n, char *out)
{
    size_t i, o = 0;

    /* Every byte is the code point of the same value. */
    for (i = 0; i < n; i++)
        o += disc_utf8_encode(s[i], out + o);
    out[o] = '\0';
    return o;
}

/* 1 if p[0..n) is valid UTF-8. */
static int
valid_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0, k;
    uint32_t cp;

    for (; i < n; i += k)
        if ((k = disc_utf8_decode(p + i, n - i, &cp)) == 0)
            return 0;
    return 1;
}

int
disc_text_open(struct disc_ctx *ctx, const char *path, struct disc_text *t)
{
    FILE *f;
    struct stat st;
    unsigned char *raw;
    size_t n, i;
    int e = 0;

    memset(t, 0, sizeof *t);
    f = fopen(path, "rb");
    if (!f)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    /* st is only read when fstat succeeded. */
    if (fstat(fileno(f), &st) != 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    if (e) {
        (void)fclose(f); /* read-only: nothing to flush */
        errno = e;
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(e));
    }
    if (st.st_size > (off_t)TEXT_MAX) {
        (void)fclose(f);
        return disc_error(ctx, DISC_E_FORMAT,
                          "%s: %lld bytes is too large for a descriptor", path,
                          (long long)st.st_size);
    }
    raw = disc_malloc((size_t)st.st_size + 1);
    if (!raw) {
        (void)fclose(f);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    n = fread(raw, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        (void)fclose(f);
        disc_free_mem(raw);
        return disc_error(ctx, DISC_E_IO, "%s: read error", path);
    }
    (void)fclose(f);
    i = 0;
    if (n >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF)
        i = 3;
    if ((n >= 2 && ((raw[0] == 0xFF && raw[1] == 0xFE) ||
                    (raw[0] == 0xFE && raw[1] == 0xFF)))) {
        disc_free_mem(raw);
        return disc_error(ctx, DISC_E_UNSUPPORTED,
                          "%s: UTF-16 text is not supported; save it as "
                          "UTF-8",
                          path);
    }
    t->path = disc_strdup(path);
    if (!t->path) {
        disc_free_mem(raw);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    if (valid_utf8(raw + i, n - i)) {
        t->buf = disc_malloc(n - i + 1);
        if (t->buf) {
            memcpy(t->buf, raw + i, n - i);
            t->len = n - i;
        }
    } else {
        /* Legacy sheets (EAC on Windows) use the ANSI code page; read
         * them as Latin-1, which maps every byte. */
        t->latin1 = 1;
        t->buf = disc_malloc(2 * (n - i) + 1);
        if (t->buf)
            t->len = disc_latin1_to_utf8(raw + i, n - i, t->buf);
    }
    disc_free_mem(raw);
    if (!t->buf) {
        disc_text_close(t);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    t->buf[t->len] = '\0';
    return 0;
}

char *
disc_text_next(struct disc_text *t)
{
    char *line, *end;

    if (t->pos >= t->len)
        return NULL;
    line = t->buf + t->pos;
    end = line;
    while (end < t->buf + t->len && *end != '\n' && *end != '\r')
        end++;
    /* Consume exactly one line end: LF, CRLF or a lone CR. */
    t->pos = (size_t)(end - t->buf);
    if (t->pos < t->len) {
        if (t->buf[t->pos] == '\r' && t->pos + 1 < t->len &&
            t->buf[t->pos + 1] == '\n')
            t->pos++;
        t->pos++;
    }
    *end = '\0';
    while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    t->line++;
    return line;
}

void
disc_text_close(struct disc_text *t)
{
    disc_free_mem(t->buf);
    disc_free_mem(t->path);
    memset(t, 0, sizeof *t);
}

void
disc_buf_vprintf(struct disc_buf *b, const char *fmt, va_list ap)
{
    va_list aq;
    size_t need;
    int n;

    if (b->err)
        return;
    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) {
        b->err = DISC_E_ARG;
        return;
    }
    need = b->len + (size_t)n + 1;
    if (disc_grow(NULL, &b->p, need, &b->cap, 1, 4096) < 0) {
        b->err = DISC_E_NOMEM;
        return;
    }
    /* Sized above: cannot be cut short. */
    (void)vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)n;
}

void
disc_buf_printf(struct disc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    disc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *
disc_path_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d;

    if (!slash)
        return disc_strdup(".");
    if (slash == path)
        return disc_strdup("/");
    d = disc_malloc((size_t)(slash - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

char *
disc_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p;

    if (name[0] == '/' || !dir[0] || strcmp(dir, ".") == 0)
        return disc_strdup(name);
    p = disc_malloc(a + b + 2);
    if (p) /* sized for dir, '/', name and the terminator */
        (void)snprintf(p, a + b + 2, "%s%s%s", dir,
                       dir[a - 1] == '/' ? "" : "/", name);
    return p;
}

const char *
disc_path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *
disc_path_with_ext(const char *path, const char *ext)
{
    const char *base = disc_path_base(path);
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    size_t n = stem + strlen(ext) + 2;
    char *p = disc_malloc(n);

    if (p) /* sized for the stem, '.', ext and the terminator */
        (void)snprintf(p, n, "%.*s.%s", (int)stem, path, ext);
    return p;
}

/* Finds an entry of dir whose name equals want ignoring case. */
static char *
find_nocase(const char *dir, const char *want, int *oom)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    char *hit = NULL;

    if (!dp)
        return NULL;
    while ((de = readdir(dp)))
        if (strcasecmp(de->d_name, want) == 0) {
            hit = disc_path_join(dir, de->d_name);
            if (!hit)
                *oom = 1;
            break;
        }
    closedir(dp);
    return hit;
}

int
disc_path_escapes(const char *name)
{
    const char *p = name;

    if (name[0] == '/' || name[0] == '\\' ||
        (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') &&
         name[1] == ':'))
        return 1;
    while (*p) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

int
disc_path_resolve(const char *dir, const char *name, char **found)
{
    struct stat st;
    char *norm, *p, *cand;

    *found = NULL;
    norm = disc_strdup(name);
    if (!norm)
        return DISC_E_NOMEM;
    /* Windows sheets use backslashes. */
    for (p = norm; *p; p++)
        if (*p == '\\')
            *p = '/';
    cand = disc_path_join(dir, norm);
    if (!cand) {
        disc_free_mem(norm);
        return DISC_E_NOMEM;
    }
    if (stat(cand, &st) == 0) {
        disc_free_mem(norm);
        *found = cand;
        return 0;
    }
    disc_free_mem(cand);
    /* Case-insensitive match, component by component (sheets written on
     * case-insensitive file systems name "CDDA.BIN" for cdda.bin). */
    {
        char *cur = disc_strdup(norm[0] == '/' ? "/" : dir);
        char *save = NULL, *tok;
        int oom = !cur;
        for (tok = strtok_r(norm, "/", &save); tok && cur;
             tok = strtok_r(NULL, "/", &save)) {
            char *next = disc_path_join(cur, tok);
            if (!next)
                oom = 1;
            else if (stat(next, &st) != 0) {
                disc_free_mem(next);
                next = find_nocase(cur, tok, &oom);
            }
            disc_free_mem(cur);
            cur = next;
        }
        disc_free_mem(norm);
        if (cur && stat(cur, &st) == 0) {
            *found = cur;
            return 0;
        }
        disc_free_mem(cur);
        if (oom)
            return DISC_E_NOMEM;
    }
    return DISC_E_IO;
}
