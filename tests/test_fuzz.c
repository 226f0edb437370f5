/* test_fuzz.c - every fuzz target's seeds and past crash inputs, replayed
 * in the suite (so under ASan/UBSan and valgrind too); one-line errors
 * and exit 3 from the CLI for the inputs that crashed it once.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dirent.h>
#include <stdlib.h>

#include "fuzz/fuzz.h"
#include "fuzz_list.h"
#include "test.h"

TEST(fuzz_replay)
{
    size_t i;

    for (i = 0; i < sizeof fuzz_targets / sizeof fuzz_targets[0]; i++) {
        char p[4096];
        long n;

        (void)snprintf(p, sizeof p, "%s/tests/fuzz/%s/seeds", t_srcdir,
                       fuzz_targets[i].name);
        n = fuzz_replay(fuzz_targets[i].fn, p);
        if (n <= 0)
            t_fail(__FILE__, __LINE__, "%s: no seeds in %s",
                   fuzz_targets[i].name, p);
        (void)snprintf(p, sizeof p, "%s/tests/fuzz/regress/%s", t_srcdir,
                       fuzz_targets[i].name);
        (void)fuzz_replay(fuzz_targets[i].fn, p);
    }
    fuzz_cleanup();
}

/* The lines of file that are not warnings ("discarc: warning: ..."),
 * which may come before the error, into out. */
static void
errors_only(const char *file, char *out, size_t cap)
{
    size_t len = 0, o = 0;
    char *text = t_slurp(file, &len), *line, *save = NULL;

    out[0] = '\0';
    if (!text)
        return;
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "discarc: warning: ", 18) != 0 && o + 2 < cap)
            o += (size_t)snprintf(out + o, cap - o, "%s\n", line);
    free(text);
}

/* Every past crash input of a descriptor reader, laid out by its target
 * (the descriptor with its companions) and shown with `discarc info`:
 * exit 3 and one error line "discarc: ..." on stderr (after any
 * warnings about the file). */
TEST(fuzz_regress_cli_one_line_exit_3)
{
    static const struct {
        const char *target, *descriptor;
    } sets[] = {
        { "cue", "f.cue" }, { "ccd", "f.ccd" }, { "mds", "f.mds" },
        { "nrg", "f.nrg" }, { "toc", "f.toc" }, { "audio", "f.cue" },
    };
    size_t s, i;
    int seen = 0;

    for (s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        fuzz_fn fn = NULL;
        struct dirent **list;
        char dir[4096];
        int n, k;

        for (i = 0; i < sizeof fuzz_targets / sizeof fuzz_targets[0]; i++)
            if (strcmp(fuzz_targets[i].name, sets[s].target) == 0)
                fn = fuzz_targets[i].fn;
        REQUIRE(fn != NULL);
        (void)snprintf(dir, sizeof dir, "%s/tests/fuzz/regress/%s", t_srcdir,
                       sets[s].target);
        n = scandir(dir, &list, NULL, alphasort);
        for (k = 0; k < n; k++) {
            char path[4400], err[2048];
            int rc;
            if (list[k]->d_name[0] != '.') {
                (void)snprintf(path, sizeof path, "%s/%s", dir,
                               list[k]->d_name);
                /* Lays the files out (and reads them once). */
                REQUIRE(fuzz_replay(fn, path) == 1);
                rc = t_run(NULL, 0, "'%s' info '%s' 2>info.err >/dev/null",
                           t_discarc, fuzz_path(sets[s].descriptor));
                errors_only("info.err", err, sizeof err);
                if (rc != 3 || strncmp(err, "discarc: ", 9) != 0 ||
                    strchr(err, '\n') != err + strlen(err) - 1)
                    t_fail(__FILE__, __LINE__,
                           "%s/%s: exit %d, stderr "
                           "\"%s\"",
                           sets[s].target, list[k]->d_name, rc, err);
                seen++;
            }
            free(list[k]);
        }
        if (n >= 0)
            free(list);
    }
    CHECK(seen >= 10);
    fuzz_cleanup();
}
