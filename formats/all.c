/* all.c - the table of every format discarc knows, in probe order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 * Adding a format: one file in formats/, one line here.
 */
#include "disc_format.h"

const struct disc_format *const disc_format_table[] = {
    NULL,
};
