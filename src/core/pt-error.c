/* pt-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "pt-error.h"

G_DEFINE_QUARK (pt-error-quark, pt_error)
