/* error.c - error and warning reporting through the caller's context.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "disc_format.h"

const char *
disc_strerror(int code)
{
    switch (code) {
    case DISC_OK:
        return "success";
    case DISC_E_NOMEM:
        return "out of memory";
    case DISC_E_IO:
        return "input/output error";
    case DISC_E_FORMAT:
        return "malformed input";
    case DISC_E_UNSUPPORTED:
        return "unsupported";
    case DISC_E_RANGE:
        return "out of range";
    case DISC_E_ARG:
        return "invalid argument";
    case DISC_E_DRIVE:
        return "drive error";
    case DISC_E_AUDIO:
        return "audio codec error";
    case DISC_E_EXISTS:
        return "output exists";
    default:
        return "unknown error";
    }
}

int
disc_error(struct disc_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    if (!ctx)
        return code;
    ctx->err = code;
    ctx->sys_errno = code == DISC_E_IO ? saved : 0;
    /* A message longer than msg is cut short: still a useful diagnostic. */
    va_start(ap, fmt);
    (void)vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    if (code == DISC_E_NOMEM && !ctx->msg[0])
        (void)snprintf(ctx->msg, sizeof ctx->msg, "out of memory");
    errno = saved;
    return code;
}

/* "path:line: text" (line 0: "path: text") into buf. */
static void place_text(char *buf, size_t n, const char *path, unsigned line,
                       const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void
place_text(char *buf, size_t n, const char *path, unsigned line,
           const char *fmt, va_list ap)
{
    int k = line ? snprintf(buf, n, "%s:%u: ", path, line)
                 : snprintf(buf, n, "%s: ", path);

    if (k >= 0 && (size_t)k < n)
        (void)vsnprintf(buf + k, n - (size_t)k, fmt, ap); /* may be cut */
}

int
disc_error_at(struct disc_ctx *ctx, int code, const char *path, unsigned line,
              const char *fmt, ...)
{
    char text[sizeof ctx->msg];
    va_list ap;

    va_start(ap, fmt);
    place_text(text, sizeof text, path, line, fmt, ap);
    va_end(ap);
    return disc_error(ctx, code, "%s", text);
}

void
disc_warn_at(struct disc_ctx *ctx, const char *path, unsigned line,
             const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    place_text(text, sizeof text, path, line, fmt, ap);
    va_end(ap);
    disc_warn(ctx, "%s", text);
}

static void disc_vlog(struct disc_ctx *ctx, int level, const char *fmt,
                      va_list ap) __attribute__((format(printf, 3, 0)));

static void
disc_vlog(struct disc_ctx *ctx, int level, const char *fmt, va_list ap)
{
    char buf[512];

    if (!ctx)
        return;
    if (level == DISC_LOG_WARN)
        ctx->nwarn++;
    if (!ctx->log)
        return;
    (void)vsnprintf(buf, sizeof buf, fmt, ap); /* long lines are cut */
    ctx->log(ctx->log_user, level, buf);
}

void
disc_warn(struct disc_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    disc_vlog(ctx, DISC_LOG_WARN, fmt, ap);
    va_end(ap);
}

void
disc_info(struct disc_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    disc_vlog(ctx, DISC_LOG_INFO, fmt, ap);
    va_end(ap);
}

void
disc_progress(struct disc_ctx *ctx, int64_t done, int64_t total)
{
    if (ctx && ctx->progress)
        ctx->progress(ctx->progress_user, done, total);
}
