/* test.h - the test harness: TEST() declarations and CHECK macros.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Each TEST runs in a forked child inside a fresh temporary directory
 * (its working directory), so a crash fails one test, not the suite.
 */
#ifndef TEST_H
#define TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "disc_format.h"

#define TEST(name)                                                             \
    void test_##name(void);                                                    \
    void test_##name(void)

/* Absolute path of the project root and of the shared corpus (which may
 * not exist: tests that need it call NEED_CORPUS()). */
extern const char *t_srcdir;
extern const char *t_corpus;
extern const char *t_discarc; /* path of the built CLI */
extern const char *t_samples; /* folder of the generated sample disc */
extern int t_verbose;

void t_fail(const char *file, int line, const char *fmt, ...) DISC_PRINTF(3, 4);
void t_skip(const char *fmt, ...) DISC_PRINTF(1, 2);
_Noreturn void t_skip_tool(const char *prog);
int t_failures(void);

/* "<srcdir>/tests/data/<name>" in a static rotating buffer. */
const char *t_data(const char *name);
/* "<corpus>/<name>" in a static rotating buffer. */
const char *t_corpus_path(const char *name);
/* 1 if an executable named prog is on PATH. */
int t_have(const char *prog);
/* Runs a shell command; returns its exit status (or -1).  Output goes
 * to out (may be NULL), truncated to outlen. */
int t_run(char *out, size_t outlen, const char *fmt, ...) DISC_PRINTF(3, 4);
/* Reads a whole small file (caller frees with free()); NULL on error. */
char *t_slurp(const char *path, size_t *len);
/* Writes a file; returns 0 on success. */
int t_write_file(const char *path, const void *data, size_t len);
/* Size of a file or -1. */
long long t_file_size(const char *path);
/* 1 if path exists. */
int t_exists(const char *path);
/* s, or "" for NULL. */
const char *t_str(const char *s);
/* 1 if sub is NULL or occurs in s. */
int t_contains(const char *s, const char *sub);
/* A context whose warnings are captured (see t_log). */
void t_ctx(struct disc_ctx *ctx);
extern char t_log[8192]; /* captured warnings, one per line */

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            t_fail(__FILE__, __LINE__, "CHECK(%s)", #c);                       \
    } while (0)

#define REQUIRE(c)                                                             \
    do {                                                                       \
        if (!(c)) {                                                            \
            t_fail(__FILE__, __LINE__, "REQUIRE(%s)", #c);                     \
            return;                                                            \
        }                                                                      \
    } while (0)

#define CHECK_INT(exp, got)                                                    \
    do {                                                                       \
        long long e_ = (long long)(exp), g_ = (long long)(got);                \
        if (e_ != g_)                                                          \
            t_fail(__FILE__, __LINE__, "%s: expected %lld, got %lld", #got,    \
                   e_, g_);                                                    \
    } while (0)

#define CHECK_HEX(exp, got)                                                    \
    do {                                                                       \
        unsigned long long e_ = (unsigned long long)(exp),                     \
                           g_ = (unsigned long long)(got);                     \
        if (e_ != g_)                                                          \
            t_fail(__FILE__, __LINE__, "%s: expected 0x%llx, got 0x%llx",      \
                   #got, e_, g_);                                              \
    } while (0)

#define CHECK_STR(exp, got)                                                    \
    do {                                                                       \
        const char *e_ = (exp), *g_ = (got);                                   \
        if (!e_ || !g_ || strcmp(e_, g_) != 0)                                 \
            t_fail(__FILE__, __LINE__, "%s: expected \"%s\", got \"%s\"",      \
                   #got, e_ ? e_ : "(null)", g_ ? g_ : "(null)");              \
    } while (0)

#define CHECK_MEM(exp, got, n)                                                 \
    do {                                                                       \
        const uint8_t *e_ = (const uint8_t *)(exp),                            \
                      *g_ = (const uint8_t *)(got);                            \
        size_t i_, n_ = (n);                                                   \
        for (i_ = 0; i_ < n_ && e_[i_] == g_[i_]; i_++)                        \
            ;                                                                  \
        if (i_ < n_)                                                           \
            t_fail(__FILE__, __LINE__,                                         \
                   "%s: differs at byte %zu (expected %02x, got %02x)", #got,  \
                   i_, e_[i_], g_[i_]);                                        \
    } while (0)

/* Checks a call returns 0 and prints ctx->msg when it does not. */
#define CHECK_OK(ctx, call)                                                    \
    do {                                                                       \
        int r_ = (call);                                                       \
        if (r_ != 0)                                                           \
            t_fail(__FILE__, __LINE__, "%s returned %d: %s", #call, r_,        \
                   (ctx)->msg);                                                \
    } while (0)

#define REQUIRE_OK(ctx, call)                                                  \
    do {                                                                       \
        int r_ = (call);                                                       \
        if (r_ != 0) {                                                         \
            t_fail(__FILE__, __LINE__, "%s returned %d: %s", #call, r_,        \
                   (ctx)->msg);                                                \
            return;                                                            \
        }                                                                      \
    } while (0)

/* Checks a call fails with code and, if sub is non-NULL, that the
 * message contains sub. */
#define CHECK_ERR(ctx, code, sub, call)                                        \
    do {                                                                       \
        int r_ = (call);                                                       \
        if (r_ != (code))                                                      \
            t_fail(__FILE__, __LINE__, "%s: expected %d, got %d (%s)", #call,  \
                   (int)(code), r_, (ctx)->msg);                               \
        else if (!t_contains((ctx)->msg, (sub)))                               \
            t_fail(__FILE__, __LINE__, "%s: message \"%s\" lacks \"%s\"",      \
                   #call, (ctx)->msg, t_str(sub));                             \
    } while (0)

#define SKIP(...)                                                              \
    do {                                                                       \
        t_skip(__VA_ARGS__);                                                   \
        return;                                                                \
    } while (0)

#define NEED_CORPUS()                                                          \
    do {                                                                       \
        if (!t_corpus)                                                         \
            SKIP("shared corpus not found");                                   \
    } while (0)

#define NEED_TOOL(p)                                                           \
    do {                                                                       \
        if (!t_have(p)) {                                                      \
            t_skip_tool(p);                                                    \
            return;                                                            \
        }                                                                      \
    } while (0)

/* A Debian tool the suite depends on (tools/deps.sh installs it): its
 * absence is a failure, not a reason to skip. */
#define NEED_DEB(p)                                                            \
    do {                                                                       \
        if (!t_have(p)) {                                                      \
            t_fail(__FILE__, __LINE__,                                         \
                   "%s not installed (tools/deps.sh test)", p);                \
            return;                                                            \
        }                                                                      \
    } while (0)

#endif /* TEST_H */
