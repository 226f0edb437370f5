/* alloc.c - the library's allocator wrappers with accounting.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: zlib test/infcover.c (failing allocator).
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "disc_format.h"

/* Each block carries its size in a header so that live bytes and the
 * peak can be tracked; 16 bytes keep the payload aligned for any type. */
#define HDR 16

static size_t live, peak;
static long fail_at, nfailed;

static int
should_fail(void)
{
    if (fail_at > 0 && --fail_at == 0) {
        nfailed++;
        return 1;
    }
    return 0;
}

void
disc_alloc_fail_at(long n)
{
    fail_at = n;
}

long
disc_alloc_failed(void)
{
    return nfailed;
}

size_t
disc_alloc_live(void)
{
    return live;
}

size_t
disc_alloc_peak(void)
{
    return peak;
}

void
disc_alloc_reset(void)
{
    peak = live;
    fail_at = 0;
    nfailed = 0;
}

void *
disc_malloc(size_t n)
{
    unsigned char *p;

    if (n > (size_t)-1 - HDR || should_fail())
        return NULL;
    p = malloc(n + HDR);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    live += n;
    if (live > peak)
        peak = live;
    return p + HDR;
}

void *
disc_calloc(size_t n, size_t size)
{
    void *p;

    if (size && n > (size_t)-1 / size)
        return NULL;
    p = disc_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *
disc_realloc(void *old, size_t n)
{
    unsigned char *p, *base;
    size_t was = 0;

    if (!old)
        return disc_malloc(n);
    if (n > (size_t)-1 - HDR || should_fail())
        return NULL;
    base = (unsigned char *)old - HDR;
    memcpy(&was, base, sizeof was);
    p = realloc(base, n + HDR);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    live = live - was + n;
    if (live > peak)
        peak = live;
    return p + HDR;
}

char *
disc_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = disc_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void
disc_free_mem(void *p)
{
    unsigned char *base;
    size_t was;

    if (!p)
        return;
    base = (unsigned char *)p - HDR;
    memcpy(&was, base, sizeof was);
    live -= was;
    free(base);
}

int
disc_grow(struct disc_ctx *ctx, void *arrp, size_t need, size_t *cap,
          size_t size, size_t first)
{
    size_t c = *cap ? *cap : first;
    void *arr, *q;

    if (need <= *cap)
        return 0;
    if (c == 0)
        c = 1;
    while (c < need && c <= (size_t)-1 / 2)
        c *= 2;
    if (c < need || size == 0 || c > (size_t)-1 / size)
        return disc_error(ctx, DISC_E_NOMEM,
                          "out of memory (an array of %zu elements of %zu "
                          "bytes)",
                          need, size);
    memcpy(&arr, arrp, sizeof arr);
    q = disc_realloc(arr, c * size);
    if (!q)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    memcpy(arrp, &q, sizeof q);
    *cap = c;
    return 0;
}
