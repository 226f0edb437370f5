/* replay.c - runs fuzz inputs through the targets without libFuzzer, so
 * that any compiler, sanitizer or valgrind can check them:
 *     replay                    every target's seeds and regress/ corpus
 *     replay TARGET PATH...     files or directories through one target
 * Paths of the first form are relative to $DISCARC_SRCDIR (default .).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_list.h"

int
main(int argc, char **argv)
{
    const char *src = getenv("DISCARC_SRCDIR");
    size_t i;
    int a, bad = 0;

    if (!src || !*src)
        src = ".";
    for (i = 0; i < sizeof fuzz_targets / sizeof fuzz_targets[0]; i++) {
        char p[4096];
        long n;
        if (argc > 1) {
            if (strcmp(argv[1], fuzz_targets[i].name) != 0)
                continue;
            for (a = 2; a < argc; a++)
                if (fuzz_replay(fuzz_targets[i].fn, argv[a]) < 0) {
                    fprintf(stderr, "replay: %s: cannot read\n", argv[a]);
                    bad = 1;
                }
            fuzz_cleanup();
            return bad;
        }
        (void)snprintf(p, sizeof p, "%s/tests/fuzz/%s/seeds", src,
                       fuzz_targets[i].name);
        n = fuzz_replay(fuzz_targets[i].fn, p);
        (void)snprintf(p, sizeof p, "%s/tests/fuzz/regress/%s", src,
                       fuzz_targets[i].name);
        printf("%-8s %ld seeds, %ld regression inputs\n", fuzz_targets[i].name,
               n, fuzz_replay(fuzz_targets[i].fn, p));
        if (n <= 0)
            bad = 1;
    }
    fuzz_cleanup();
    if (argc > 1) {
        fprintf(stderr, "replay: no target named %s\n", argv[1]);
        return 2;
    }
    return bad;
}
