/* fixture.c - synthetic discs and pattern data for tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fixture.h"
