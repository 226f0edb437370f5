/* md.c - MD5 and SHA-1 message digests, from libcrypto opened on first
 * use.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * References: RFC 1321 (MD5), FIPS 180-4 (SHA-1); OpenSSL's EVP_DigestInit
 * manual page; docs/architecture.md.
 *
 * The only file of the project that includes <openssl/evp.h>.  Digests
 * are needed by `hash`, `verify`, the disc IDs of `info` and CHD, not by
 * `convert` between the other formats: linked at build time, libcrypto
 * (4 MB) was loaded and relocated by every command, about 2.8 ms of a
 * 8 ms start.  OpenSSL's implementations are kept because they are the
 * fastest on offer (SHA-NI and AVX2 code paths chosen at run time).
 */
#include <openssl/evp.h>

#include "disc_format.h"

/* clang-format off: it re-indents each line of an X-macro list
 * anew on every run (clang-format 14 is not stable on it) */
#define CRYPTO_FUNCS(X)                                                        \
    X(EVP_DigestFinal_ex)                                                      \
    X(EVP_DigestInit_ex)                                                       \
    X(EVP_DigestUpdate)                                                        \
    X(EVP_MD_CTX_copy_ex)                                                      \
    X(EVP_MD_CTX_free)                                                         \
    X(EVP_MD_CTX_new)                                                          \
    X(EVP_md5)                                                                 \
    X(EVP_sha1)
/* clang-format on */
DISC_LIB_DEFINE(crypto, CRYPTO_FUNCS, "libcrypto.so.3", "libssl3");

/* A struct disc_md is libcrypto's EVP_MD_CTX under another name: the
 * callers never see the type. */
static EVP_MD_CTX *
md_ctx(struct disc_md *m)
{
    return (EVP_MD_CTX *)(void *)m;
}

int
disc_md_new(struct disc_ctx *ctx, enum disc_md_alg alg, struct disc_md **out)
{
    EVP_MD_CTX *m;
    int r = disc_lib_load(ctx, &crypto_lib);

    *out = NULL;
    if (r != 0)
        return r;
    m = crypto.EVP_MD_CTX_new();
    if (!m)
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    r = disc_md_init(ctx, (struct disc_md *)(void *)m, alg);
    if (r != 0)
        crypto.EVP_MD_CTX_free(m);
    else
        *out = (struct disc_md *)(void *)m;
    return r;
}

int
disc_md_init(struct disc_ctx *ctx, struct disc_md *m, enum disc_md_alg alg)
{
    const EVP_MD *t = alg == DISC_MD5 ? crypto.EVP_md5() : crypto.EVP_sha1();

    if (!crypto.EVP_DigestInit_ex(md_ctx(m), t, NULL))
        return disc_error(ctx, DISC_E_UNSUPPORTED, "libcrypto refused %s",
                          alg == DISC_MD5 ? "MD5" : "SHA-1");
    return 0;
}

void
disc_md_update(struct disc_md *m, const void *p, size_t n)
{
    /* Fails only on a context that was never initialised. */
    (void)crypto.EVP_DigestUpdate(md_ctx(m), p, n);
}

void
disc_md_final(struct disc_md *m, uint8_t *out)
{
    unsigned len = 0;
    (void)crypto.EVP_DigestFinal_ex(md_ctx(m), out, &len);
}

int
disc_md_copy(struct disc_ctx *ctx, struct disc_md *to,
             const struct disc_md *from)
{
    if (!crypto.EVP_MD_CTX_copy_ex(md_ctx(to),
                                   (const EVP_MD_CTX *)(const void *)from))
        return disc_error(ctx, DISC_E_NOMEM, "out of memory");
    return 0;
}

void
disc_md_free(struct disc_md *m)
{
    if (m)
        crypto.EVP_MD_CTX_free(md_ctx(m));
}

int
disc_sha1(struct disc_ctx *ctx, const void *p, size_t n, uint8_t out[20])
{
    struct disc_md *m;
    int r = disc_md_new(ctx, DISC_SHA1, &m);

    if (r != 0)
        return r;
    disc_md_update(m, p, n);
    disc_md_final(m, out);
    disc_md_free(m);
    return 0;
}
