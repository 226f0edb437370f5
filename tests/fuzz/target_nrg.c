/* target_nrg.c - Nero images: the whole input is f.nrg.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

FUZZ_TARGET(nrg)
{
    if (fuzz_write("f.nrg", data, size) == 0)
        (void)fuzz_open_walk(fuzz_path("f.nrg"));
    return 0;
}
