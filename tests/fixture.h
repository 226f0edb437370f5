/* fixture.h - synthetic discs and pattern data for tests.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include "disc_format.h"

#endif /* FIXTURE_H */
