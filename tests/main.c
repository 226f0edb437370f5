/* main.c - test runner: runs every TEST (or those named on the command
 * line) in a forked child and a fresh temporary directory, prints one
 * PASS/FAIL/SKIP line per test and ends with "N passed, N failed".
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

#define T(name) void test_##name(void);
#include "list.h"
#undef T

struct t_entry {
    const char *name;
    void (*fn)(void);
};

static const struct t_entry t_all[] = {
#define T(name) { #name, test_##name },
#include "list.h"
#undef T
};

const char *t_srcdir;
const char *t_corpus;
const char *t_discarc;
const char *t_samples;
int t_verbose;
char t_log[8192];
static int t_nfail;
static const char *t_current;

#define T_SKIP_STATUS 77
#define T_NOTOOL_STATUS 78 /* skipped: a program the test needs is absent */
#define T_MAXTOOLS 32
#define T_TIMEOUT 300
#define T_MAXJOBS 16
#define T_SLOW 2.0 /* seconds: longer tests show their time */

void
t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: [%s] ", file, line, t_current);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    t_nfail++;
}

void
t_skip(const char *fmt, ...)
{
    va_list ap;
    printf("SKIP %s (", t_current);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(")\n");
    fflush(stdout);
    exit(t_nfail ? 1 : T_SKIP_STATUS);
}

_Noreturn void
t_skip_tool(const char *prog)
{
    /* The runner reads the name back from this line (see note_tool). */
    printf("SKIP %s (tool not installed: %s)\n", t_current, prog);
    fflush(stdout);
    exit(t_nfail ? 1 : T_NOTOOL_STATUS);
}

/* Adds the tool named in a skipped test's log to tools[] (no repeats). */
static void
note_tool(const char *log, char tools[][64], size_t *ntools)
{
    static const char key[] = "(tool not installed: ";
    const char *p = log ? strstr(log, key) : NULL;
    char name[64];
    size_t n = 0, i;

    if (!p)
        return;
    p += sizeof key - 1;
    while (p[n] && p[n] != ')' && p[n] != '\n' && n + 1 < sizeof name) {
        name[n] = p[n];
        n++;
    }
    name[n] = '\0';
    for (i = 0; i < *ntools; i++)
        if (strcmp(tools[i], name) == 0)
            return;
    if (*ntools < T_MAXTOOLS)
        snprintf(tools[(*ntools)++], 64, "%s", name);
}

const char *
t_str(const char *s)
{
    return s ? s : "";
}

int
t_contains(const char *s, const char *sub)
{
    return !sub || strstr(s, sub) != NULL;
}

int
t_failures(void)
{
    return t_nfail;
}

static const char *
t_rot(const char *a, const char *b)
{
    static char buf[8][4096 * 3];
    static int k;
    char *p = buf[k++ & 7];
    snprintf(p, sizeof buf[0], "%.4096s/%.4096s", a, b);
    return p;
}

const char *
t_data(const char *name)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/data", t_srcdir);
    return t_rot(dir, name);
}

const char *
t_corpus_path(const char *name)
{
    return t_rot(t_corpus ? t_corpus : "/nonexistent", name);
}

int
t_have(const char *prog)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "command -v '%s' >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

int
t_run(char *out, size_t outlen, const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    FILE *p;
    size_t n = 0;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (t_verbose)
        fprintf(stderr, "  $ %s\n", cmd);
    fflush(stdout);
    fflush(stderr);
    p = popen(cmd, "r");
    if (!p)
        return -1;
    if (out && outlen) {
        n = fread(out, 1, outlen - 1, p);
        out[n] = '\0';
    }
    /* Drain anything beyond the buffer so the child never blocks. */
    {
        char sink[4096];
        while (fread(sink, 1, sizeof sink, p) > 0)
            ;
    }
    st = pclose(p);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

char *
t_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

int
t_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

long long
t_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int
t_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void
t_logger(void *user, int level, const char *text)
{
    size_t n = strlen(t_log);
    (void)user;
    (void)level;
    if (t_verbose)
        fprintf(stderr, "  log: %s\n", text);
    snprintf(t_log + n, sizeof t_log - n, "%s\n", text);
}

void
t_ctx(struct disc_ctx *ctx)
{
    struct disc_ctx init = DISC_CTX_INIT;
    *ctx = init;
    ctx->log = t_logger;
    t_log[0] = '\0';
}

static int
t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int
t_wanted(int argc, char **argv, const char *name)
{
    int i, any = 0;
    for (i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        any = 1;
        if (strcmp(argv[i], name) == 0 ||
            (argv[i][strlen(argv[i]) - 1] == '*' &&
             strncmp(argv[i], name, strlen(argv[i]) - 1) == 0))
            return 1;
    }
    return !any;
}

int
main(int argc, char **argv)
{
    static char src[4096], corpus[4096 + 64], real[4096], cli[4096 + 64],
        samples[4096 + 64], tools[T_MAXTOOLS][64];
    size_t ntools = 0, nnotool = 0;
    unsigned timeout = T_TIMEOUT;
    const char *tmp = getenv("TMPDIR");
    size_t i, npass = 0, nfail = 0, nskip = 0;
    struct stat st;
    int keep = 0, jobs = 1;

    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            t_verbose = 1;
        else if (strcmp(argv[i], "-k") == 0)
            keep = 1;
        else if (strncmp(argv[i], "-j", 2) == 0) {
            jobs = atoi(argv[i][2] ? argv[i] + 2 : "2");
            if (jobs < 1)
                jobs = 1;
            if (jobs > T_MAXJOBS)
                jobs = T_MAXJOBS;
        } else if (strcmp(argv[i], "-l") == 0) {
            for (i = 0; i < sizeof t_all / sizeof t_all[0]; i++)
                printf("%s\n", t_all[i].name);
            return 0;
        }
    }
    if (!getenv("DISCARC_SRCDIR") || !realpath(getenv("DISCARC_SRCDIR"), src))
        if (!getcwd(src, sizeof src))
            return 2;
    t_srcdir = src;
    snprintf(corpus, sizeof corpus, "%s/../shared/corpus/public", src);
    if (getenv("DISCARC_CORPUS"))
        snprintf(corpus, sizeof corpus, "%.4096s", getenv("DISCARC_CORPUS"));
    if (stat(corpus, &st) == 0 && S_ISDIR(st.st_mode) && realpath(corpus, real))
        t_corpus = real;
    else
        printf("note: shared corpus not found; tests that need it skip\n");
    snprintf(cli, sizeof cli, "%s/build/discarc", src);
    if (getenv("DISCARC_BIN"))
        snprintf(cli, sizeof cli, "%.4096s", getenv("DISCARC_BIN"));
    t_discarc = cli;
    /* The sample disc is generated (make samples) into the build folder. */
    snprintf(samples, sizeof samples, "%s/build/samples", src);
    if (getenv("DISCARC_SAMPLES"))
        snprintf(samples, sizeof samples, "%.4096s", getenv("DISCARC_SAMPLES"));
    t_samples = samples;
    /* A hang guard, not a speed limit: valgrind on a loaded machine is
     * 50-100 times slower, so check.sh raises it for that stage. */
    if (getenv("DISCARC_TEST_TIMEOUT"))
        timeout = (unsigned)strtoul(getenv("DISCARC_TEST_TIMEOUT"), NULL, 10);
    if (timeout == 0)
        timeout = T_TIMEOUT;
    if (!tmp)
        tmp = "/tmp";

    /* Up to `jobs` tests run at once, each in its own process with its
     * output captured in its folder and printed when it ends, so lines
     * never interleave. */
    {
        struct running {
            pid_t pid;
            size_t test;
            char dir[4096];
            struct timespec t0;
        } run[T_MAXJOBS];
        size_t next = 0, active = 0;
        int k;

        memset(run, 0, sizeof run);
        for (;;) {
            while (active < (size_t)jobs) {
                struct running *r = NULL;
                while (next < sizeof t_all / sizeof t_all[0] &&
                       !t_wanted(argc, argv, t_all[next].name))
                    next++;
                if (next >= sizeof t_all / sizeof t_all[0])
                    break;
                for (k = 0; k < jobs; k++)
                    if (!run[k].pid) {
                        r = &run[k];
                        break;
                    }
                if (!r)
                    break; /* cannot happen: active < jobs */
                r->test = next++;
                snprintf(r->dir, sizeof r->dir, "%s/discarc-test-%s-XXXXXX",
                         tmp, t_all[r->test].name);
                if (!mkdtemp(r->dir)) {
                    perror("mkdtemp");
                    return 2;
                }
                fflush(stdout);
                fflush(stderr);
                clock_gettime(CLOCK_MONOTONIC, &r->t0);
                r->pid = fork();
                if (r->pid < 0) {
                    perror("fork");
                    return 2;
                }
                if (r->pid == 0) {
                    char logp[4200];
                    t_current = t_all[r->test].name;
                    snprintf(logp, sizeof logp, "%s.log", r->dir);
                    if (chdir(r->dir) != 0 || !freopen(logp, "w", stdout) ||
                        dup2(fileno(stdout), 2) < 0)
                        _exit(2);
                    setvbuf(stdout, NULL, _IOLBF, 0);
                    alarm(timeout);
                    t_all[r->test].fn();
                    fflush(stdout);
                    fflush(stderr);
                    exit(t_nfail ? 1 : 0);
                }
                active++;
            }
            if (!active)
                break;
            {
                int status;
                pid_t pid = wait(&status);
                struct running *r = NULL;
                struct timespec t1;
                double secs;
                char logp[4200], *log;

                if (pid < 0) {
                    if (errno == EINTR)
                        continue;
                    perror("wait");
                    return 2;
                }
                for (k = 0; k < jobs; k++)
                    if (run[k].pid == pid)
                        r = &run[k];
                if (!r)
                    continue;
                active--;
                r->pid = 0;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                secs = (double)(t1.tv_sec - r->t0.tv_sec) +
                       (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
                snprintf(logp, sizeof logp, "%s.log", r->dir);
                log = t_slurp(logp, NULL);
                if (log)
                    fputs(log, stdout);
                if (WIFEXITED(status) && WEXITSTATUS(status) == T_NOTOOL_STATUS)
                    note_tool(log, tools, &ntools);
                free(log);
                remove(logp);
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                    if (secs >= T_SLOW)
                        printf("PASS %s (%.1f s)\n", t_all[r->test].name, secs);
                    else
                        printf("PASS %s\n", t_all[r->test].name);
                    npass++;
                } else if (WIFEXITED(status) &&
                           WEXITSTATUS(status) == T_SKIP_STATUS) {
                    nskip++;
                } else if (WIFEXITED(status) &&
                           WEXITSTATUS(status) == T_NOTOOL_STATUS) {
                    nskip++;
                    nnotool++;
                } else {
                    if (WIFSIGNALED(status))
                        printf("FAIL %s (signal %d, kept %s)\n",
                               t_all[r->test].name, WTERMSIG(status), r->dir);
                    else
                        printf("FAIL %s (kept %s)\n", t_all[r->test].name,
                               r->dir);
                    nfail++;
                    fflush(stdout);
                    continue; /* a failed test's folder is always kept */
                }
                fflush(stdout);
                if (!keep)
                    nftw(r->dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
            }
        }
    }
    if (nnotool) {
        printf("%zu skipped for a missing tool (install with "
               "`make deps-test`):",
               nnotool);
        for (i = 0; i < ntools; i++)
            printf(" %s", tools[i]);
        printf("\n");
    }
    if (nskip)
        printf("%zu skipped\n", nskip);
    printf("%zu passed, %zu failed\n", npass, nfail);
    return nfail ? 1 : 0;
}
