/* pt-intern.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char * const *pt_intern_strv (const char * const *strv);

G_END_DECLS
