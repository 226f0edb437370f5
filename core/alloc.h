/* alloc.h - allocation accounting and fault injection for tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Every library allocation goes through disc_malloc and friends (alloc.c),
 * which keep a live byte count and its high-water mark, and can be told to
 * fail the Nth allocation (the zlib infcover technique).
 */
#ifndef DISC_ALLOC_H
#define DISC_ALLOC_H

#include <stddef.h>

/* Make the nth allocation from now fail (1 = the next one); 0 disables. */
void disc_alloc_fail_at(long n);
/* Number of allocations that were made to fail since the last reset. */
long disc_alloc_failed(void);
/* Bytes currently allocated through disc_malloc and friends. */
size_t disc_alloc_live(void);
/* High-water mark of disc_alloc_live since the last reset. */
size_t disc_alloc_peak(void);
/* Resets the peak to the current live count and clears fault counters. */
void disc_alloc_reset(void);

#endif /* DISC_ALLOC_H */
