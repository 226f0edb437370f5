/* source_file.c - pread-backed byte sources: image files and memory.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: docs/formats/cd.md (positional reads, no file position,
 * short reads are errors with the rest zero-filled).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct file_source {
    struct disc_source base;
    int fd;
};

static int
file_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off, size_t len,
           void *buf)
{
    struct file_source *f = (struct file_source *)s;
    uint8_t *p = buf;
    size_t got = 0;

    while (got < len) {
        int64_t at = off + (int64_t)got;
        ssize_t r = pread(f->fd, p + got, len - got, (off_t)at);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            memset(p + got, 0, len - got);
            return disc_error(ctx, DISC_E_IO,
                              "%s: read error at byte %lld: "
                              "%s",
                              s->name, (long long)at, strerror(errno));
        }
        if (r == 0) {
            memset(p + got, 0, len - got);
            return disc_error(ctx, DISC_E_RANGE,
                              "%s: file ends at byte %lld, %lld bytes short "
                              "of what the descriptor needs",
                              s->name, (long long)at, (long long)(len - got));
        }
        got += (size_t)r;
    }
    return 0;
}

static void
file_close(struct disc_source *s)
{
    struct file_source *f = (struct file_source *)s;
    close(f->fd);
    disc_free_mem(s->name);
    disc_free_mem(f);
}

static const struct disc_source_ops file_ops = {
    .name = "file",
    .pread = file_pread,
    .close = file_close,
};

int
disc_source_fd(const struct disc_source *s)
{
    if (!s || s->ops != &file_ops)
        return -1;
    return ((const struct file_source *)s)->fd;
}

int
disc_source_file_new(struct disc_ctx *ctx, const char *path,
                     struct disc_source **out)
{
    struct file_source *f;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        close(fd);
        errno = e;
        return disc_error(ctx, DISC_E_IO, "%s: %s", path, strerror(e));
    }
    f = disc_calloc(1, sizeof *f);
    if (!f || !(f->base.name = disc_strdup(path))) {
        disc_free_mem(f);
        close(fd);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    f->base.ops = &file_ops;
    f->base.size = (int64_t)st.st_size;
    f->fd = fd;
    *out = &f->base;
    return 0;
}

struct mem_source {
    struct disc_source base;
    const uint8_t *data;
};

static int
mem_pread(struct disc_ctx *ctx, struct disc_source *s, int64_t off, size_t len,
          void *buf)
{
    struct mem_source *m = (struct mem_source *)s;
    size_t avail = off < s->size ? (size_t)(s->size - off) : 0;

    if (off < 0)
        return disc_error(ctx, DISC_E_ARG, "negative offset");
    if (avail >= len) {
        memcpy(buf, m->data + off, len);
        return 0;
    }
    if (avail)
        memcpy(buf, m->data + off, avail);
    memset((uint8_t *)buf + avail, 0, len - avail);
    return disc_error(ctx, DISC_E_RANGE, "%s: %zu bytes short", s->name,
                      len - avail);
}

static void
mem_close(struct disc_source *s)
{
    disc_free_mem(s->name);
    disc_free_mem(s);
}

static const struct disc_source_ops mem_ops = {
    .name = "memory",
    .pread = mem_pread,
    .close = mem_close,
};

int
disc_source_mem_new(struct disc_ctx *ctx, const void *data, int64_t size,
                    struct disc_source **out)
{
    struct mem_source *m = disc_calloc(1, sizeof *m);

    if (!m || !(m->base.name = disc_strdup("memory"))) {
        disc_free_mem(m);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    m->base.ops = &mem_ops;
    m->base.size = size;
    m->data = data;
    *out = &m->base;
    return 0;
}
