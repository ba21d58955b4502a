/* pt-reset-quirks.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *pt_reset_quirks_lookup (guint               vendor_id,
                                    guint               device_id,
                                    const char * const *reset_methods);

G_END_DECLS
