/* test_faults.c - faults during convert and rip: a full disk (an
 * injected ENOSPC, and a real tmpfs when running as root), SIGINT,
 * SIGTERM, SIGHUP and SIGKILL in the middle of a real conversion, a
 * --force replacement killed at every step of its commit, an output that
 * appears while discarc writes it.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Nothing here waits a fixed time: a process is signalled once its
 * temporary file exists and has grown.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "test.h"

static int
copy_sample(void)
{
    return t_run(NULL, 0, "cp '%s/mixed.cue' '%s/mixed.bin' .", t_samples,
                 t_samples);
}

/* Number of entries of dir (without . and ..); names that contain
 * ".tmp-" are counted in *tmps. */
static int
dir_count(const char *dir, int *tmps)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    *tmps = 0;
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strstr(e->d_name, ".tmp-"))
            (*tmps)++;
    }
    closedir(d);
    return n;
}

/* Lines of a small file. */
static int
file_lines(const char *path, char *first, size_t n)
{
    size_t len = 0;
    char *s = t_slurp(path, &len);
    int lines = 0;
    size_t i;

    if (first && n)
        first[0] = '\0';
    if (!s)
        return -1;
    for (i = 0; i < len; i++)
        lines += s[i] == '\n';
    if (first && n)
        (void)snprintf(first, n, "%.*s", (int)strcspn(s, "\n"), s);
    free(s);
    return lines;
}

/* Starts discarc with args (NULL-terminated), stderr to errpath. */
static pid_t
spawn(const char *const *args, const char *errpath, const char *fault)
{
    pid_t pid = fork();

    if (pid == 0) {
        const char *argv[16];
        int i, fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        argv[0] = t_discarc;
        for (i = 0; args[i] && i < 14; i++)
            argv[i + 1] = args[i];
        argv[i + 1] = NULL;
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(99);
        fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(99);
        if (fault)
            setenv("DISCARC_TEST_FAULT", fault, 1);
        else
            unsetenv("DISCARC_TEST_FAULT");
        execv(t_discarc, (char *const *)(uintptr_t)argv);
        _exit(98);
    }
    return pid;
}

/* Waits until a file of the working directory whose name starts with
 * prefix and holds ".tmp-" has at least min bytes: 1, or 0 when the
 * process ended first (*status set). */
static int
wait_grown(pid_t pid, const char *prefix, long long min, int *status)
{
    const struct timespec tick = { 0, 2000000 };

    for (;;) {
        DIR *d = opendir(".");
        struct dirent *e;
        int found = 0;
        while (d && (e = readdir(d)))
            if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
                strstr(e->d_name, ".tmp-") && t_file_size(e->d_name) >= min)
                found = 1;
        if (d)
            closedir(d);
        if (found)
            return 1;
        if (waitpid(pid, status, WNOHANG) == pid)
            return 0;
        nanosleep(&tick, NULL);
    }
}

/* A cooked Mode 1 image of n sectors (sparse): converting it to CloneCD
 * computes EDC/ECC for every sector, so a large one runs long enough to
 * be interrupted whatever the machine. */
static void
big_image_of(long long n)
{
    FILE *f = fopen("big.cue", "w");

    REQUIRE(f);
    fprintf(f, "FILE \"big.iso\" BINARY\n  TRACK 01 MODE1/2048\n"
               "    INDEX 01 00:00:00\n");
    REQUIRE(fclose(f) == 0);
    REQUIRE(fx_sparse("big.iso", n * 2048) == 0);
}

/* 700 MB of raw sectors once converted. */
static void
big_image(void)
{
    big_image_of(300000);
}

static void
interrupt_with(int sig, const char *name)
{
    static const char *const args[] = { "convert", "big.cue", "out.ccd", NULL };
    char line[512], want[128];
    int st = 0, tmps = 0;
    pid_t pid;

    pid = spawn(args, "err.txt", NULL);
    REQUIRE(pid > 0);
    if (!wait_grown(pid, "out.img", 1 << 20, &st)) {
        t_fail(__FILE__, __LINE__,
               "%s: the conversion ended (status %d) "
               "before it could be interrupted",
               name, st);
        return;
    }
    REQUIRE(kill(pid, sig) == 0);
    REQUIRE(waitpid(pid, &st, 0) == pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig);
    CHECK_INT(1, file_lines("err.txt", line, sizeof line));
    (void)snprintf(want, sizeof want,
                   "discarc: interrupted by %s; "
                   "temporary files removed",
                   name);
    CHECK_STR(want, line);
    unlink("err.txt");
    /* Only the inputs are left. */
    CHECK_INT(2, dir_count(".", &tmps));
    CHECK_INT(0, tmps);
}

TEST(fault_signal_int_term_hup_leave_nothing)
{
    big_image();
    interrupt_with(SIGINT, "SIGINT");
    interrupt_with(SIGTERM, "SIGTERM");
    interrupt_with(SIGHUP, "SIGHUP");
}

/* rip too: the WAV files of a long audio disc. */
TEST(fault_signal_rip_leaves_nothing)
{
    static const char *const args[] = { "rip", "long.cue", "-o", "r", NULL };
    FILE *f = fopen("long.cue", "w");
    int st = 0, tmps = 0;
    pid_t pid;

    REQUIRE(f);
    fprintf(f, "FILE \"long.bin\" BINARY\n  TRACK 01 AUDIO\n"
               "    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n"
               "    INDEX 01 40:00:00\n");
    REQUIRE(fclose(f) == 0);
    REQUIRE(fx_sparse("long.bin", 80LL * 60 * 75 * 2352) == 0);
    REQUIRE(mkdir("r", 0755) == 0);
    pid = spawn(args, "err.txt", NULL);
    REQUIRE(pid > 0);
    REQUIRE(chdir("r") == 0);
    if (!wait_grown(pid, "", 1 << 20, &st)) {
        t_fail(__FILE__, __LINE__, "the rip ended (status %d) first", st);
        return;
    }
    REQUIRE(kill(pid, SIGTERM) == 0);
    REQUIRE(waitpid(pid, &st, 0) == pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    CHECK_INT(0, dir_count(".", &tmps));
    CHECK_INT(1, file_lines("../err.txt", NULL, 0));
}

/* SIGKILL cannot be handled: what is left are temporary files named
 * "<output>.tmp-<pid>-XXXXXX", which the next run writing those outputs
 * removes (the pid is gone). */
TEST(fault_sigkill_leftovers_removed_by_next_run)
{
    static const char *const args[] = { "convert", "big.cue", "out.ccd", NULL };
    int st = 0, tmps = 0, n;
    pid_t pid;

    big_image();
    REQUIRE(copy_sample() == 0);
    pid = spawn(args, "err.txt", NULL);
    REQUIRE(pid > 0);
    REQUIRE(wait_grown(pid, "out.img", 1 << 20, &st));
    REQUIRE(kill(pid, SIGKILL) == 0);
    REQUIRE(waitpid(pid, &st, 0) == pid);
    unlink("err.txt");
    n = dir_count(".", &tmps);
    CHECK(tmps >= 1);
    CHECK_INT(4 + tmps, n); /* inputs and temporaries only */
    /* Another run writing the same outputs sweeps them. */
    CHECK_INT(0, t_run(NULL, 0,
                       "'%s' convert mixed.cue out.ccd --lossy "
                       "2>/dev/null",
                       t_discarc));
    CHECK_INT(7, dir_count(".", &tmps));
    CHECK_INT(0, tmps);
}

/* ENOSPC injected in the output layer, for convert (single and split
 * sheets, CloneCD) and rip: exit 1, one line naming the file, nothing
 * left behind, at several fill levels. */
TEST(fault_enospc_injected_convert_and_rip)
{
    static const char *const cmds[] = {
        "convert mixed.cue o/x.cue",
        "convert mixed.cue o/x.cue --split",
        "-q convert mixed.cue o/x.ccd --lossy",
        "rip mixed.cue -o o",
        "rip mixed.cue -o o --format flac",
    };
    static const long long at[] = { 0, 1000, 300000 };
    size_t c, k;

    REQUIRE(copy_sample() == 0);
    REQUIRE(mkdir("o", 0755) == 0);
    for (c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
        for (k = 0; k < sizeof at / sizeof at[0]; k++) {
            char err[1024];
            int rc, tmps = 0;
            rc = t_run(err, sizeof err,
                       "DISCARC_TEST_FAULT=enospc:%lld "
                       "'%s' %s 2>&1 >/dev/null | grep -v warning",
                       at[k], t_discarc, cmds[c]);
            (void)rc;
            rc = t_run(NULL, 0,
                       "DISCARC_TEST_FAULT=enospc:%lld '%s' %s "
                       ">/dev/null 2>&1",
                       at[k], t_discarc, cmds[c]);
            if (rc != 1 || !strstr(err, "o/") ||
                !strstr(err, "No space left on device") ||
                strchr(err, '\n') != err + strlen(err) - 1)
                t_fail(__FILE__, __LINE__, "%s at %lld: exit %d, \"%s\"",
                       cmds[c], at[k], rc, err);
            CHECK_INT(0, dir_count("o", &tmps));
        }
}

/* EIO the same way: one line, exit 1, nothing left. */
TEST(fault_eio_injected_convert)
{
    char err[1024];
    int tmps = 0;

    REQUIRE(copy_sample() == 0);
    REQUIRE(mkdir("o", 0755) == 0);
    CHECK_INT(1, t_run(NULL, 0,
                       "DISCARC_TEST_FAULT=eio:5000 '%s' convert "
                       "mixed.cue o/x.cue >/dev/null 2>&1",
                       t_discarc));
    (void)t_run(err, sizeof err,
                "DISCARC_TEST_FAULT=eio:5000 '%s' convert "
                "mixed.cue o/x.cue 2>&1 >/dev/null",
                t_discarc);
    CHECK_STR("discarc: o/x.bin: write failed: Input/output error\n", err);
    CHECK_INT(0, dir_count("o", &tmps));
}

/* A real full file system: a 256 KiB tmpfs (needs root to mount). */
TEST(fault_enospc_tmpfs_convert_and_rip)
{
    char err[1024];
    int rc, tmps = 0;

    if (geteuid() != 0) {
        t_skip("mounting a tmpfs needs root; the injected ENOSPC test "
               "covers the same paths");
        return;
    }
    REQUIRE(copy_sample() == 0);
    REQUIRE(mkdir("fs", 0755) == 0);
    if (mount("tmpfs", "fs", "tmpfs", 0, "size=256k") != 0) {
        t_skip("cannot mount a tmpfs here: %s", strerror(errno));
        return;
    }
    rc = t_run(err, sizeof err,
               "'%s' convert mixed.cue fs/x.cue 2>&1 "
               ">/dev/null; echo \"rc=$?\"",
               t_discarc);
    CHECK(rc == 0 && strstr(err, "fs/x.bin") &&
          strstr(err, "No space left on device") && strstr(err, "rc=1"));
    CHECK_INT(0, dir_count("fs", &tmps));
    rc = t_run(err, sizeof err,
               "'%s' rip mixed.cue -o fs 2>&1 "
               ">/dev/null; echo \"rc=$?\"",
               t_discarc);
    CHECK(rc == 0 && strstr(err, "fs/") &&
          strstr(err, "No space left on device") && strstr(err, "rc=1"));
    CHECK_INT(0, dir_count("fs", &tmps));
    CHECK(umount2("fs", MNT_DETACH) == 0);
}

/* --force over an existing CloneCD set, killed before each step of the
 * commit: the descriptor present is always the old one with all the old
 * data or the new one with all the new data; the next run removes the
 * leftovers. */
TEST(fault_force_replaces_set_as_unit)
{
    static const char *const names[] = { "s.ccd", "s.img", "s.sub" };
    char oldmd5[3][33], newmd5[3][33];
    int k, i, killed_once = 0;

    REQUIRE(copy_sample() == 0);
    /* The new disc: the same BIN seen as one data track. */
    {
        static const char one[] = "FILE \"mixed.bin\" BINARY\n  TRACK 01 "
                                  "MODE1/2352\n    INDEX 01 00:00:00\n";
        REQUIRE(t_write_file("one.cue", one, sizeof one - 1) == 0);
    }
    REQUIRE(t_run(NULL, 0, "'%s' convert one.cue n.ccd 2>/dev/null",
                  t_discarc) == 0);
    REQUIRE(t_run(NULL, 0,
                  "'%s' convert mixed.cue s.ccd --lossy "
                  "2>/dev/null && mkdir old && cp s.ccd s.img s.sub old/",
                  t_discarc) == 0);
    for (i = 0; i < 3; i++) {
        char p[64];
        REQUIRE(fx_md5_file(names[i], 0, -1, oldmd5[i]) == 0);
        (void)snprintf(p, sizeof p, "n.%s", names[i] + 2);
        REQUIRE(fx_md5_file(p, 0, -1, newmd5[i]) == 0);
    }
    REQUIRE(strcmp(oldmd5[0], newmd5[0]) != 0);
    for (k = 0; k < 12; k++) {
        char md5[33];
        int st, tmps = 0, isold;
        REQUIRE(t_run(NULL, 0, "rm -f s.* && cp old/* .") == 0);
        st = t_run(NULL, 0,
                   "DISCARC_TEST_FAULT=kill:%d '%s' convert "
                   "one.cue s.ccd --force >/dev/null 2>&1",
                   k, t_discarc);
        killed_once |= st != 0;
        if (t_exists("s.ccd")) {
            REQUIRE(fx_md5_file("s.ccd", 0, -1, md5) == 0);
            isold = strcmp(md5, oldmd5[0]) == 0;
            CHECK(isold || strcmp(md5, newmd5[0]) == 0);
            for (i = 1; i < 3; i++) {
                if (!t_exists(names[i]) ||
                    fx_md5_file(names[i], 0, -1, md5) != 0) {
                    t_fail(__FILE__, __LINE__,
                           "kill at %d: %s missing "
                           "beside a descriptor",
                           k, names[i]);
                    continue;
                }
                if (strcmp(md5, isold ? oldmd5[i] : newmd5[i]) != 0)
                    t_fail(__FILE__, __LINE__,
                           "kill at %d: %s %s data "
                           "with the %s descriptor",
                           k, names[i], isold ? "new" : "old",
                           isold ? "old" : "new");
            }
        }
        /* The next run completes the job and sweeps the leftovers. */
        CHECK_INT(0, t_run(NULL, 0,
                           "'%s' convert one.cue s.ccd --force "
                           ">/dev/null 2>&1",
                           t_discarc));
        (void)dir_count(".", &tmps);
        CHECK_INT(0, tmps);
        for (i = 0; i < 3; i++) {
            char md5b[33];
            REQUIRE(fx_md5_file(names[i], 0, -1, md5b) == 0);
            CHECK_STR(newmd5[i], md5b);
        }
        if (st == 0)
            break; /* past the last step: the run completed */
    }
    CHECK(killed_once);
    CHECK(k >= 9); /* 3 files: 9 steps were each interrupted */
}

/* Without --force, an output that appears while discarc writes is not
 * replaced: the conversion fails and removes its own files. */
TEST(fault_output_appearing_is_not_replaced)
{
    static const char *const args[] = { "convert", "big.cue", "out.ccd", NULL };
    char line[512];
    int st = 0, tmps = 0;
    size_t len = 0;
    char *s;
    pid_t pid;

    big_image_of(60000); /* it runs to its end: 141 MB */
    pid = spawn(args, "err.txt", NULL);
    REQUIRE(pid > 0);
    REQUIRE(wait_grown(pid, "out.img", 1 << 20, &st));
    REQUIRE(kill(pid, SIGSTOP) == 0);
    REQUIRE(t_write_file("out.ccd", "mine\n", 5) == 0);
    REQUIRE(kill(pid, SIGCONT) == 0);
    REQUIRE(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    CHECK_INT(1, file_lines("err.txt", line, sizeof line));
    CHECK(strstr(line, "out.ccd: appeared while discarc was writing it") !=
          NULL);
    s = t_slurp("out.ccd", &len);
    CHECK(s && len == 5 && memcmp(s, "mine\n", 5) == 0);
    free(s);
    unlink("err.txt");
    CHECK_INT(3, dir_count(".", &tmps)); /* big.cue, big.iso, out.ccd */
    CHECK_INT(0, tmps);
}

/* ------------------------------------------------------------------ */
/* Hostile descriptors                                                 */

/* A sheet's FILE (or CDTEXTFILE, or a .toc's data file) leading outside
 * its folder is refused, unless --allow-outside-paths. */
TEST(hostile_paths_outside_folder_refused)
{
    static const char *const sheets[] = {
        "FILE \"../a.bin\" BINARY\n  TRACK 01 MODE1/2352\n"
        "    INDEX 01 00:00:00\n",
        "FILE \"..\\\\a.bin\" BINARY\n  TRACK 01 MODE1/2352\n"
        "    INDEX 01 00:00:00\n",
        "FILE \"ABS\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n",
        "CDTEXTFILE \"../a.cdt\"\nFILE \"b.bin\" BINARY\n  TRACK 01 "
        "MODE1/2352\n    INDEX 01 00:00:00\n",
    };
    char abs[4096], text[4400], err[1024];
    size_t i;
    int rc;

    REQUIRE(getcwd(abs, sizeof abs - 8));
    strcat(abs, "/a.bin");
    REQUIRE(fx_sparse("a.bin", 10 * 2352) == 0);
    REQUIRE(t_write_file("a.cdt", "", 0) == 0);
    REQUIRE(mkdir("s", 0755) == 0);
    REQUIRE(fx_sparse("s/b.bin", 10 * 2352) == 0);
    for (i = 0; i < sizeof sheets / sizeof sheets[0]; i++) {
        const char *abspos = strstr(sheets[i], "ABS");
        if (abspos)
            (void)snprintf(text, sizeof text, "%.*s%s%s",
                           (int)(abspos - sheets[i]), sheets[i], abs,
                           abspos + 3);
        else
            (void)snprintf(text, sizeof text, "%s", sheets[i]);
        REQUIRE(t_write_file("s/x.cue", text, strlen(text)) == 0);
        rc = t_run(err, sizeof err, "'%s' info s/x.cue 2>&1 >/dev/null",
                   t_discarc);
        CHECK_INT(3, rc);
        CHECK(strstr(err, "leads outside the sheet's folder") != NULL);
        CHECK(strchr(err, '\n') == err + strlen(err) - 1);
        if (i != 3) /* the empty .cdt itself is refused further on */
            CHECK_INT(0, t_run(NULL, 0,
                               "'%s' info s/x.cue "
                               "--allow-outside-paths >/dev/null 2>&1",
                               t_discarc));
    }
    /* A .toc's data file. */
    REQUIRE(fx_sparse("s/c.bin", 10 * 2352) == 0);
    {
        static const char toc[] = "CD_ROM\nTRACK MODE1_RAW\n"
                                  "DATAFILE \"../a.bin\"\n";
        REQUIRE(t_write_file("s/x.toc", toc, sizeof toc - 1) == 0);
    }
    rc = t_run(err, sizeof err, "'%s' info s/x.toc 2>&1 >/dev/null", t_discarc);
    CHECK_INT(3, rc);
    CHECK(strstr(err, "leads outside the .toc's folder") != NULL);
    CHECK_INT(0, t_run(NULL, 0,
                       "'%s' --allow-outside-paths info s/x.toc "
                       ">/dev/null 2>&1",
                       t_discarc));
}

/* Control characters in CD-TEXT and REM lines are shown escaped. */
TEST(hostile_text_escaped_on_output)
{
    static const char sheet[] = "TITLE \"Evil\033[2Jtitle\"\n"
                                "REM COMMENT \"bell\007\"\n"
                                "FILE \"a.bin\" BINARY\n  TRACK 01 MODE1/2352\n"
                                "    INDEX 01 00:00:00\n";
    char out[8192];

    REQUIRE(fx_sparse("a.bin", 10 * 2352) == 0);
    REQUIRE(t_write_file("x.cue", sheet, sizeof sheet - 1) == 0);
    CHECK_INT(0, t_run(out, sizeof out, "'%s' info x.cue 2>&1", t_discarc));
    CHECK(strchr(out, '\033') == NULL && strchr(out, '\007') == NULL);
    CHECK(strstr(out, "Evil\\x1b[2Jtitle") != NULL);
    CHECK(strstr(out, "bell\\x07") != NULL);
}
