/* out.c - safe output: every file is written under a temporary name in
 * its final directory and renamed into place only when the whole
 * conversion succeeded; sector copying with a copy_file_range fast path.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: rename(2) atomicity (POSIX), copy_file_range(2) (Linux).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define OUT_BUF (1u << 20)

/* ------------------------------------------------------------------ */
/* Temporary names and the registry signal handlers clean up           */

/* Every temporary file is "<final name>.tmp-<pid>-XXXXXX": the pid lets a
 * later run tell the leftovers of a killed process (SIGKILL, power loss)
 * from the files of a run still going (see out_sweep). */
#define TMP_SLOTS 1024

/* The temporary files this process has on disk.  Slots are changed only
 * with every signal blocked, so a handler calling disc_out_remove_temps
 * sees each slot either empty or naming a complete path. */
static char *volatile tmp_slot[TMP_SLOTS];

static void
sig_block(sigset_t *old)
{
    sigset_t all;

    sigfillset(&all);
    (void)pthread_sigmask(SIG_SETMASK, &all, old);
}

static void
sig_restore(const sigset_t *old)
{
    (void)pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Called with signals blocked.  A full table only loses the cleanup on a
 * signal (the sweep of the next run still removes the file). */
static void
tmp_register(char *path)
{
    size_t i;

    for (i = 0; i < TMP_SLOTS; i++)
        if (!tmp_slot[i]) {
            tmp_slot[i] = path;
            return;
        }
}

static void
tmp_unregister(const char *path)
{
    sigset_t old;
    size_t i;

    sig_block(&old);
    for (i = 0; i < TMP_SLOTS; i++)
        if (tmp_slot[i] == path)
            tmp_slot[i] = NULL;
    sig_restore(&old);
}

void
disc_out_remove_temps(void)
{
    size_t i;

    for (i = 0; i < TMP_SLOTS; i++) {
        const char *p = tmp_slot[i];
        if (p)
            (void)unlink(p);
    }
}

/* Test hooks (docs/testing.md): DISCARC_TEST_FAULT="enospc:N" makes
 * every write fail with ENOSPC once N bytes of output were written
 * ("eio:N": with EIO);
 * "kill:K" sends SIGKILL to the process before step K (0-based) of a
 * set's commit (each rename or removal is one step). */
static long long fault_enospc = -1, fault_written;
static int fault_errno = ENOSPC;
static long fault_kill = -1, fault_step;

static void
fault_init(void)
{
    static int done;
    const char *f;

    if (done)
        return;
    done = 1;
    f = getenv("DISCARC_TEST_FAULT");
    if (!f)
        return;
    if (strncmp(f, "enospc:", 7) == 0)
        fault_enospc = strtoll(f + 7, NULL, 10);
    else if (strncmp(f, "eio:", 4) == 0) {
        fault_enospc = strtoll(f + 4, NULL, 10);
        fault_errno = EIO;
    } else if (strncmp(f, "kill:", 5) == 0)
        fault_kill = strtol(f + 5, NULL, 10);
}

/* write(2) with the ENOSPC hook. */
static ssize_t
out_sys_write(int fd, const void *p, size_t n)
{
    if (fault_enospc >= 0) {
        if (fault_written + (long long)n > fault_enospc) {
            errno = fault_errno;
            return -1;
        }
        fault_written += (long long)n;
    }
    return write(fd, p, n);
}

static void
fault_commit_step(void)
{
    if (fault_kill >= 0 && fault_step++ == fault_kill)
        (void)raise(SIGKILL);
}

/* Removes "<base>.tmp-<pid>-XXXXXX" files next to path whose process is
 * gone: what a killed run left.  Files of live processes stay.  No heap
 * use (a failed allocation here would have nowhere to go). */
static void
out_sweep(const char *path)
{
    char dir[4096], full[8192];
    const char *base = disc_path_base(path);
    size_t bl = strlen(base), dl = (size_t)(base - path);
    struct dirent *e;
    DIR *d;

    if (dl >= sizeof dir)
        return;
    if (dl == 0) {
        dir[0] = '.';
        dir[1] = '\0';
    } else {
        memcpy(dir, path, dl);
        dir[dl] = '\0';
    }
    d = opendir(dir);
    while (d && (e = readdir(d))) {
        const char *p = e->d_name;
        char *end;
        long pid;

        if (strncmp(p, base, bl) != 0 || strncmp(p + bl, ".tmp-", 5) != 0)
            continue;
        p += bl + 5;
        if (*p < '0' || *p > '9')
            continue;
        pid = strtol(p, &end, 10);
        if (*end != '-' || strlen(end + 1) != 6 || pid <= 0 ||
            pid == (long)getpid() ||
            !(kill((pid_t)pid, 0) != 0 && errno == ESRCH))
            continue;
        if ((size_t)snprintf(full, sizeof full, "%s/%s", dir, e->d_name) <
            sizeof full)
            (void)unlink(full);
    }
    if (d)
        (void)closedir(d);
}

/* A new empty temporary file for path, registered for the signal
 * cleanup; *tmp gets its name.  Returns the fd or -1 (errno set). */
static int
tmp_create(const char *path, char **tmp)
{
    size_t n = strlen(path) + 40;
    sigset_t old;
    int fd, e;

    *tmp = disc_malloc(n);
    if (!*tmp) {
        errno = ENOMEM;
        return -1;
    }
    (void)snprintf(*tmp, n, "%s.tmp-%ld-XXXXXX", path, (long)getpid());
    sig_block(&old);
    fd = mkstemp(*tmp);
    e = errno;
    if (fd >= 0)
        tmp_register(*tmp);
    sig_restore(&old);
    if (fd < 0) {
        disc_free_mem(*tmp);
        *tmp = NULL;
        errno = e;
    }
    return fd;
}

const char *
disc_tmp_dir(void)
{
    const char *dir = getenv("TMPDIR");

    return dir && dir[0] == '/' ? dir : "/tmp";
}

int
disc_tmp_private(const char *what, const char *suffix, char **path)
{
    const char *dir = disc_tmp_dir();
    size_t n;
    sigset_t old;
    int fd, e;

    n = strlen(dir) + strlen(what) + strlen(suffix) + 48;
    *path = disc_malloc(n);
    if (!*path) {
        errno = ENOMEM;
        return -1;
    }
    (void)snprintf(*path, n, "%s/discarc-%s-%ld-XXXXXX%s", dir, what,
                   (long)getpid(), suffix);
    sig_block(&old);
    fd = mkstemps(*path, (int)strlen(suffix));
    e = errno;
    if (fd >= 0)
        tmp_register(*path);
    sig_restore(&old);
    if (fd < 0) {
        disc_free_mem(*path);
        *path = NULL;
        errno = e;
    }
    return fd;
}

void
disc_tmp_private_drop(char *path)
{
    if (!path)
        return;
    (void)unlink(path);
    tmp_unregister(path);
    disc_free_mem(path);
}

/* rename(2) that fails with EEXIST instead of replacing an existing
 * file: renameat2 RENAME_NOREPLACE, or link + unlink where the file
 * system lacks it. */
static int
rename_noreplace(const char *from, const char *to)
{
    struct stat st;

#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return -1;
#endif
    if (link(from, to) == 0) {
        (void)unlink(from); /* the new name is in place either way */
        return 0;
    }
    if (errno == EEXIST)
        return -1;
    /* No hard links here (FAT): check, then rename; a narrow race. */
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

struct disc_out {
    char *path; /* final name */
    char *tmp;  /* temporary name while writing */
    int fd;
    uint8_t *buf; /* write buffer */
    size_t used;
    int64_t size; /* logical size written so far */
    int link;     /* may hard-link an input file that equals the output */
    int force;    /* may replace an existing file */
    char *bak;    /* commit: the replaced file's temporary name, or NULL */
    int placed;   /* commit: renamed into place */
    struct disc_out *next; /* in an outset */
};

struct disc_outset {
    const struct disc *src;
    int force;
    int link;
    struct disc_out *outs;
    struct disc_out *desc; /* replaced first, placed last */
};

/* Writes all n bytes of p to o's file, retrying short writes. */
static int
out_write_all(struct disc_ctx *ctx, struct disc_out *o, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n) {
        ssize_t w = out_sys_write(o->fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return disc_error(ctx, DISC_E_IO, "%s: write failed: %s", o->path,
                              strerror(errno));
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int
out_flush(struct disc_ctx *ctx, struct disc_out *o)
{
    int r;

    if (o->fd < 0)
        return 0; /* finished: nothing buffered */

    r = out_write_all(ctx, o, o->buf, o->used);
    o->used = 0;
    return r;
}

static void
out_free(struct disc_out *o)
{
    if (!o)
        return;
    if (o->fd >= 0)
        close(o->fd);
    disc_free_mem(o->buf);
    disc_free_mem(o->path);
    if (o->tmp)
        tmp_unregister(o->tmp);
    disc_free_mem(o->tmp);
    if (o->bak)
        tmp_unregister(o->bak);
    disc_free_mem(o->bak);
    disc_free_mem(o);
}

/* 1 if path names one of the files the disc reads from. */
static int
is_input(const struct disc *d, const char *path)
{
    const struct disc_source *s;
    struct stat a, b;

    if (!d || stat(path, &a) != 0)
        return 0;
    if (d->source_name && stat(d->source_name, &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return 1;
    for (s = d->priv->sources; s; s = s->next)
        if (s->name && stat(s->name, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
            return 1;
    return 0;
}

int
disc_out_check(struct disc_ctx *ctx, const struct disc *src, const char *path,
               int force)
{
    struct stat st;

    if (is_input(src, path))
        return disc_error(ctx, DISC_E_ARG,
                          "%s: refusing to overwrite an input file", path);
    if (lstat(path, &st) == 0) {
        if (!force)
            return disc_error(ctx, DISC_E_EXISTS,
                              "%s: already exists (use --force to "
                              "overwrite)",
                              path);
        if (S_ISDIR(st.st_mode))
            return disc_error(ctx, DISC_E_ARG, "%s: is a directory", path);
    }
    return 0;
}

static int
out_open(struct disc_ctx *ctx, const char *path, int force,
         const struct disc *src, struct disc_out **out)
{
    struct disc_out *o;
    int r;

    *out = NULL;
    fault_init();
    r = disc_out_check(ctx, src, path, force);
    if (r < 0)
        return r;
    o = disc_calloc(1, sizeof *o);
    if (!o)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    o->fd = -1;
    o->force = force;
    o->path = disc_strdup(path);
    if (!o->path) {
        out_free(o);
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    }
    out_sweep(path);
    o->fd = tmp_create(path, &o->tmp);
    if (o->fd < 0) {
        r = errno == ENOMEM ? disc_error(ctx, DISC_E_NOMEM, "out of memory")
                            : disc_error(ctx, DISC_E_IO,
                                         "%s: cannot create: "
                                         "%s",
                                         path, strerror(errno));
        out_free(o);
        return r;
    }
    /* mkstemp creates 0600; give the usual permissions (umask applies). */
    {
        mode_t um = umask(0);
        umask(um);
        if (fchmod(o->fd, 0666 & ~um) != 0) {
            r = disc_error(ctx, DISC_E_IO, "%s: %s", o->tmp, strerror(errno));
            disc_out_abort(o);
            return r;
        }
    }
    *out = o;
    return 0;
}

int
disc_out_open(struct disc_ctx *ctx, const char *path, int force,
              struct disc_out **out)
{
    return out_open(ctx, path, force, NULL, out);
}

/* The write buffer is allocated on first use: outputs filled only by
 * copy_file_range never need one. */
static int
out_buffer(struct disc_ctx *ctx, struct disc_out *o)
{
    if (o->fd < 0)
        return disc_error(ctx, DISC_E_ARG,
                          "%s: written after it was "
                          "finished",
                          o->path);
    if (!o->buf && !(o->buf = disc_malloc(OUT_BUF)))
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    return 0;
}

int
disc_out_write(struct disc_ctx *ctx, struct disc_out *o, const void *p,
               size_t n)
{
    const uint8_t *b = p;
    int r0 = out_buffer(ctx, o);

    if (r0 < 0)
        return r0;

    if (o->used + n > OUT_BUF) {
        int r = out_flush(ctx, o);
        if (r < 0)
            return r;
    }
    if (n >= OUT_BUF) {
        int r = out_write_all(ctx, o, b, n);
        if (r < 0)
            return r;
    } else {
        memcpy(o->buf + o->used, b, n);
        o->used += n;
    }
    o->size += (int64_t)n;
    return 0;
}

int
disc_out_printf(struct disc_ctx *ctx, struct disc_out *o, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return disc_error(ctx, DISC_E_ARG, "%s: line too long", o->path);
    return disc_out_write(ctx, o, line, (size_t)n);
}

int64_t
disc_out_tell(const struct disc_out *o)
{
    return o->size;
}

int
disc_out_pwrite(struct disc_ctx *ctx, struct disc_out *o, const void *p,
                size_t n, int64_t off)
{
    int r = out_flush(ctx, o);
    size_t done = 0;

    if (r < 0)
        return r;
    if (o->fd < 0)
        return out_buffer(ctx, o); /* reports the misuse */
    if (off < 0 || off + (int64_t)n > o->size)
        return disc_error(ctx, DISC_E_ARG, "%s: patch outside written data",
                          o->path);
    while (done < n) {
        ssize_t w = pwrite(o->fd, (const uint8_t *)p + done, n - done,
                           (off_t)(off + (int64_t)done));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return disc_error(ctx, DISC_E_IO, "%s: write failed: %s", o->path,
                              strerror(errno));
        }
        done += (size_t)w;
    }
    return 0;
}

/* Flush and close, keeping the temporary file. */
static int
out_close(struct disc_ctx *ctx, struct disc_out *o)
{
    int r = out_flush(ctx, o);
    if (r < 0)
        return r;
    if (o->fd < 0)
        return 0; /* already finished */
    if (close(o->fd) != 0) {
        o->fd = -1;
        return disc_error(ctx, DISC_E_IO, "%s: close failed: %s", o->path,
                          strerror(errno));
    }
    o->fd = -1;
    return 0;
}

/* Moves the temporary file into place: over an existing file only with
 * force; without, an output that appeared while we wrote stays. */
static int
out_rename(struct disc_ctx *ctx, struct disc_out *o)
{
    int r =
        o->force ? rename(o->tmp, o->path) : rename_noreplace(o->tmp, o->path);

    if (r != 0 && errno == EEXIST)
        return disc_error(ctx, DISC_E_EXISTS,
                          "%s: appeared while discarc "
                          "was writing it; not replaced (use --force to "
                          "overwrite)",
                          o->path);
    if (r != 0)
        return disc_error(ctx, DISC_E_IO, "%s: cannot rename into place: %s",
                          o->path, strerror(errno));
    tmp_unregister(o->tmp);
    disc_free_mem(o->tmp);
    o->tmp = NULL;
    o->placed = 1;
    return 0;
}

int
disc_out_finish(struct disc_ctx *ctx, struct disc_out *o)
{
    int r = out_close(ctx, o);
    disc_free_mem(o->buf);
    o->buf = NULL;
    return r;
}

int
disc_out_commit(struct disc_ctx *ctx, struct disc_out *o)
{
    int r = out_close(ctx, o);
    if (r == 0) {
        sigset_t old;
        sig_block(&old);
        r = out_rename(ctx, o);
        sig_restore(&old);
    }
    if (r < 0) {
        disc_out_abort(o);
        return r;
    }
    out_free(o);
    return 0;
}

void
disc_out_abort(struct disc_out *o)
{
    if (!o)
        return;
    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
    }
    if (o->tmp)
        (void)unlink(o->tmp);
    out_free(o);
}

int
disc_outset_new(struct disc_ctx *ctx, const struct disc *src, int force,
                struct disc_outset **s)
{
    *s = disc_calloc(1, sizeof **s);
    if (!*s)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    (*s)->src = src;
    (*s)->force = force;
    return 0;
}

void
disc_outset_link(struct disc_outset *s, int on)
{
    s->link = on;
}

int
disc_outset_begin(struct disc_ctx *ctx, const struct disc *src,
                  const struct disc_write_opts *o, const char *path,
                  struct disc_outset **s, struct disc_out **out)
{
    int r = disc_outset_new(ctx, src, o->force, s);

    if (!*s) /* set exactly when r == 0; tested so analysers see it too */
        return r;
    disc_outset_link(*s, o->link);
    r = disc_outset_open(ctx, *s, path, out);
    if (r < 0) {
        disc_outset_abort(*s);
        *s = NULL;
    }
    return r;
}

int
disc_outset_open(struct disc_ctx *ctx, struct disc_outset *s, const char *path,
                 struct disc_out **out)
{
    struct disc_out *o = NULL, *p;
    int r;

    for (p = s->outs; p; p = p->next)
        if (strcmp(p->path, path) == 0)
            return disc_error(ctx, DISC_E_ARG,
                              "%s: the conversion would write this file "
                              "twice",
                              path);
    r = out_open(ctx, path, s->force, s->src, &o);
    if (!o) /* set exactly when r == 0; tested so analysers see it too */
        return r;
    o->link = s->link;
    o->next = s->outs;
    s->outs = o;
    if (!s->desc)
        s->desc = o; /* the first file opened, unless told otherwise */
    *out = o;
    return 0;
}

void
disc_outset_descriptor(struct disc_outset *s, struct disc_out *o)
{
    s->desc = o;
}

/* Undoes a failed swap: our files out of place, the old ones back. */
static void
outset_rollback(struct disc_outset *s)
{
    struct disc_out *o;

    for (o = s->outs; o; o = o->next) {
        if (o->placed) {
            (void)unlink(o->path);
            o->placed = 0;
        }
        if (o->bak && rename(o->bak, o->path) == 0) {
            tmp_unregister(o->bak);
            disc_free_mem(o->bak);
            o->bak = NULL;
        }
    }
}

/* Moves the existing file at o's path aside (force only). */
static int
outset_move_old(struct disc_ctx *ctx, struct disc_out *o)
{
    struct stat st;
    int fd, r = 0;

    if (!o->force || lstat(o->path, &st) != 0)
        return 0;
    fd = tmp_create(o->path, &o->bak);
    if (fd < 0 && errno == ENOMEM)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    if (fd < 0)
        return disc_error(ctx, DISC_E_IO,
                          "%s: cannot make room for the new "
                          "file: %s",
                          o->path, strerror(errno));
    (void)close(fd);
    fault_commit_step();
    if (rename(o->path, o->bak) != 0) {
        r = disc_error(ctx, DISC_E_IO,
                       "%s: cannot move the old file aside: "
                       "%s",
                       o->path, strerror(errno));
        (void)unlink(o->bak);
        tmp_unregister(o->bak);
        disc_free_mem(o->bak);
        o->bak = NULL;
    }
    return r;
}

/* Replaces a set as a unit (docs/architecture.md, "Safe output"):
 * 1. the existing files of the set are renamed to temporary names, the
 *    descriptor's first;
 * 2. the new files are renamed into place, the descriptor last;
 * 3. the old files are removed.
 * So an old descriptor is only ever seen with all its old files, a new
 * one only with all the new files.  Signals are held for the whole swap;
 * a SIGKILL inside it leaves an incomplete set (never a mixed one) and
 * temporary files that the next run writing these outputs removes.  A
 * failed step is rolled back. */
static int
outset_swap(struct disc_ctx *ctx, struct disc_outset *s)
{
    struct disc_out *o;
    sigset_t old;
    int r = 0;

    sig_block(&old);
    if (s->desc)
        r = outset_move_old(ctx, s->desc);
    for (o = s->outs; o && r == 0; o = o->next)
        if (o != s->desc)
            r = outset_move_old(ctx, o);
    for (o = s->outs; o && r == 0; o = o->next)
        if (o != s->desc) {
            fault_commit_step();
            r = out_rename(ctx, o);
        }
    if (r == 0 && s->desc) {
        fault_commit_step();
        r = out_rename(ctx, s->desc);
    }
    if (r < 0) {
        outset_rollback(s);
    } else {
        for (o = s->outs; o; o = o->next)
            if (o->bak) {
                fault_commit_step();
                (void)unlink(o->bak);
                tmp_unregister(o->bak);
                disc_free_mem(o->bak);
                o->bak = NULL;
            }
    }
    sig_restore(&old);
    return r;
}

int
disc_outset_commit(struct disc_ctx *ctx, struct disc_outset *s)
{
    struct disc_out *o;
    int r = 0;

    /* Close everything first, so that no file appears unless all of them
     * were written completely. */
    for (o = s->outs; o && r == 0; o = o->next)
        r = out_close(ctx, o);
    if (r == 0)
        r = outset_swap(ctx, s);
    if (r < 0) {
        disc_outset_abort(s);
        return r;
    }
    while ((o = s->outs)) {
        s->outs = o->next;
        out_free(o);
    }
    disc_free_mem(s);
    return 0;
}

void
disc_outset_abort(struct disc_outset *s)
{
    struct disc_out *o;

    if (!s)
        return;
    while ((o = s->outs)) {
        s->outs = o->next;
        disc_out_abort(o);
    }
    disc_free_mem(s);
}

/* ------------------------------------------------------------------ */
/* Sector copying                                                      */

/* --link: replaces o's empty temporary file by a hard link to in_name,
 * so the output shares the input's inode (editing one edits both, which
 * is why it is opt-in).  Nothing may be written to o afterwards. */
static int
out_hardlink(struct disc_out *o, const char *in_name)
{
    int fd;

    close(o->fd);
    o->fd = -1;
    unlink(o->tmp);
    if (link(in_name, o->tmp) == 0)
        return 0;
    /* Another file system, or no links allowed: write a copy after all. */
    fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    o->fd = fd;
    return -1;
}

static int64_t
out_page(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (int64_t)p : 4096;
}

/* Copies len bytes from in_fd at off to the end of o without passing
 * them through user space where the kernel can (copy_file_range, which
 * also reflinks on file systems that share extents). */
static int
out_copy_fd(struct disc_ctx *ctx, struct disc_out *o, int in_fd, int64_t off,
            int64_t len, const char *in_name)
{
    int r = out_flush(ctx, o);
    off_t ioff = (off_t)off;
    int64_t left = len;
    uint8_t *buf;

    if (r < 0)
        return r;
    if (o->fd < 0)
        return out_buffer(ctx, o); /* reports the misuse */
    if (o->size == 0 && off == 0 && fault_enospc < 0) {
        struct stat st;
        if (fstat(in_fd, &st) == 0 && (int64_t)st.st_size == len) {
            /* The output is the whole input file: share its blocks.  A
             * reflink is copy-on-write, so always safe to try. */
            if (ioctl(o->fd, FICLONE, in_fd) == 0 &&
                lseek(o->fd, 0, SEEK_END) == (off_t)len) {
                o->size = len;
                return 0;
            }
            if (o->link && out_hardlink(o, in_name) == 0) {
                o->size = len;
                return 0;
            }
        }
    }
    /* The write hook sees only buffered copies. */
    /* Without shared extents the kernel copies page by page.  When the
     * output continues inside a page and the input sits elsewhere within
     * its page (an MDF after generated pregaps, a WAV payload after its
     * header) that was measured at about half as much system time again
     * as pread + write through one buffer, which then goes instead.  An
     * output starting on a page boundary (split track files) measured
     * the other way round and keeps the kernel copy.  Reflinks need
     * aligned offsets anyway. */
    if (o->size % out_page() != 0 && (o->size - off) % out_page() != 0)
        left = len;
    else
        while (left > 0 && fault_enospc < 0) {
            ssize_t n = copy_file_range(
                in_fd, &ioff, o->fd, NULL,
                (size_t)(left > (1 << 30) ? (1 << 30) : left), 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            left -= n;
        }
    /* Fallback (other file system, old kernel, offsets out of phase):
     * plain buffered copy. */
    if (left > 0 && (r = out_buffer(ctx, o)) < 0)
        return r;
    buf = o->buf;
    while (left > 0) {
        size_t want = left > OUT_BUF ? OUT_BUF : (size_t)left;
        ssize_t n = pread(in_fd, buf, want, ioff);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return disc_error(ctx, DISC_E_IO, "%s: read error: %s", in_name,
                              strerror(errno));
        if (n == 0)
            return disc_error(ctx, DISC_E_RANGE,
                              "%s: file ends at byte %lld, %lld bytes short",
                              in_name, (long long)ioff, (long long)left);
        o->used = (size_t)n;
        r = out_flush(ctx, o);
        if (r < 0)
            return r;
        ioff += n;
        left -= n;
    }
    o->size += len;
    return 0;
}

/* A synthesised subchannel written beside a kernel copy of the main
 * channel: the frames come from the model alone (no source is read), so
 * a second thread makes and writes them while the kernel copies, and the
 * copy's time is the whole. */
#define OUT_SUB_BATCH 1024 /* sectors synthesised per write */

struct out_subjob {
    struct disc_ctx ctx; /* the thread's own: errors come back by copy */
    const struct disc *d;
    struct disc_out *o;
    disc_lba lba;
    uint32_t count;
    int r;
};

static int
out_sub_synth(struct disc_ctx *ctx, const struct disc *d, struct disc_out *o,
              disc_lba lba, uint32_t count)
{
    uint8_t *buf = disc_malloc((size_t)OUT_SUB_BATCH * DISC_SECTOR_SUB);
    uint32_t k, m;
    int r = 0;

    if (!buf)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    for (k = 0; k < count && r == 0; k += m) {
        m = count - k < OUT_SUB_BATCH ? count - k : OUT_SUB_BATCH;
        r = disc_sub_synth(ctx, d, lba + (disc_lba)k, m, buf);
        if (r == 0)
            r = disc_out_write(ctx, o, buf, (size_t)m * DISC_SECTOR_SUB);
    }
    disc_free_mem(buf);
    return r;
}

static void *
out_subjob_run(void *p)
{
    struct out_subjob *j = p;

    j->r = out_sub_synth(&j->ctx, j->d, j->o, j->lba, j->count);
    return NULL;
}

int
disc_out_copy_sectors(struct disc_ctx *ctx, const struct disc *d, disc_lba lba,
                      uint32_t count, const struct disc_copy *c)
{
    uint8_t *main = NULL, *sub = NULL, *rec = NULL;
    uint32_t done = 0;
    size_t uoff, ulen;
    int r = 0;

    uoff = disc_data_offset(c->layout);
    ulen = disc_data_size(c->layout);
    while (done < count) {
        disc_lba l = lba + (disc_lba)done;
        const struct disc_extent *e = disc_extent_find(d, l);
        uint32_t n = count - done;
        int fd;

        if (e && c->main && !c->sub_inline && c->layout == DISC_DATA_RAW &&
            e->data == DISC_DATA_RAW && e->stride == DISC_SECTOR_RAW &&
            e->flags == 0 && (fd = disc_source_fd(e->src)) >= 0) {
            int64_t left = (int64_t)e->lba + e->count - l;
            const struct disc_extent *x = e, *last = disc_extent_get(
                                                 d, disc_extent_count(d) - 1);
            int synth = e->sub == DISC_SUBL_NONE, threaded = 0;
            struct out_subjob job = { .r = 0 };
            pthread_t th;
            /* Extents that continue each other in the same file (one per
             * track, as readers map them) are one copy. */
            while (x < last && x[1].lba == x->lba + (disc_lba)x->count &&
                   x[1].src == e->src && x[1].data == DISC_DATA_RAW &&
                   x[1].stride == DISC_SECTOR_RAW && x[1].flags == 0 &&
                   x[1].offset ==
                       x->offset + (int64_t)x->count * DISC_SECTOR_RAW) {
                x++;
                left += x->count;
                synth = synth && x->sub == DISC_SUBL_NONE;
            }
            if (n > left)
                n = (uint32_t)left;
            /* Not under the fault hooks: they count bytes across all
             * outputs and want one writer. */
            if (c->sub && synth && fault_enospc < 0) {
                job.ctx = *ctx;
                job.d = d;
                job.o = c->sub;
                job.lba = l;
                job.count = n;
                threaded = pthread_create(&th, NULL, out_subjob_run, &job) == 0;
            }
            r = out_copy_fd(ctx, c->main, fd,
                            e->offset + ((int64_t)l - e->lba) * e->stride,
                            (int64_t)n * DISC_SECTOR_RAW, e->src->name);
            if (threaded) {
                pthread_join(th, NULL);
                if (job.r < 0 && r == 0) {
                    ctx->err = job.ctx.err;
                    ctx->sys_errno = job.ctx.sys_errno;
                    memcpy(ctx->msg, job.ctx.msg, sizeof ctx->msg);
                    r = job.r;
                }
            } else if (r == 0 && c->sub && synth) {
                r = out_sub_synth(ctx, d, c->sub, l, n);
            }
            /* A separate subchannel file (CloneCD) does not keep the main
             * channel from the kernel copy: its bytes are read or
             * synthesised on their own, the main data never read. */
            if (r == 0 && c->sub && !synth) {
                uint32_t k, m;
                if (!sub && !(sub = disc_malloc((size_t)DISC_CHUNK *
                                                DISC_SECTOR_SUB))) {
                    r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
                    break;
                }
                for (k = 0; k < n && r == 0; k += m) {
                    m = n - k < DISC_CHUNK ? n - k : DISC_CHUNK;
                    r = disc_read_sectors(ctx, d, l + (disc_lba)k, m, NULL,
                                          sub);
                    if (r == 0)
                        r = disc_out_write(ctx, c->sub, sub,
                                           (size_t)m * DISC_SECTOR_SUB);
                }
            }
            if (r < 0)
                break;
        } else {
            uint32_t i;
            if (!main) {
                main = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_RAW);
                if (!sub)
                    sub = disc_malloc((size_t)DISC_CHUNK * DISC_SECTOR_SUB);
                rec = disc_malloc(DISC_SECTOR_RAW + DISC_SECTOR_SUB);
                if (!main || !sub || !rec) {
                    r = disc_error(ctx, DISC_E_NOMEM, "out of memory");
                    break;
                }
            }
            if (n > DISC_CHUNK)
                n = DISC_CHUNK;
            /* Never let a batch straddle into a fast-path extent. */
            if (e) {
                uint32_t left = (uint32_t)((int64_t)e->lba + e->count - l);
                if (n > left)
                    n = left;
            }
            r = disc_read_sectors(ctx, d, l, n, c->main ? main : NULL,
                                  (c->sub || c->sub_inline) ? sub : NULL);
            if (r < 0)
                break;
            if (c->main && !c->sub_inline && uoff == 0 &&
                ulen == DISC_SECTOR_RAW) {
                r = disc_out_write(ctx, c->main, main,
                                   (size_t)n * DISC_SECTOR_RAW);
            } else if (c->main) {
                for (i = 0; i < n && r == 0; i++) {
                    const uint8_t *m = main + (size_t)i * DISC_SECTOR_RAW;
                    if (c->sub_inline) {
                        memcpy(rec, m + uoff, ulen);
                        disc_sub_interleave(sub + (size_t)i * DISC_SECTOR_SUB,
                                            rec + ulen);
                        r = disc_out_write(ctx, c->main, rec,
                                           ulen + DISC_SECTOR_SUB);
                    } else {
                        r = disc_out_write(ctx, c->main, m + uoff, ulen);
                    }
                }
            }
            if (r == 0 && c->sub)
                r = disc_out_write(ctx, c->sub, sub,
                                   (size_t)n * DISC_SECTOR_SUB);
            if (r < 0)
                break;
        }
        done += n;
        ctx->progress_done += n;
        disc_progress(ctx, ctx->progress_done, ctx->progress_total);
    }
    disc_free_mem(main);
    disc_free_mem(sub);
    disc_free_mem(rec);
    return r;
}
