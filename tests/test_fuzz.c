/* test_fuzz.c - every fuzz target's seeds and past crash inputs, replayed
 * in the suite (so under ASan/UBSan and valgrind too); one-line errors
 * and exit 3 from the CLI for the inputs that crashed it once.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
