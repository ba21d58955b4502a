/* pt-kernel-cmdline.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

GStrv       pt_kernel_cmdline_split     (const char         *cmdline);
const char *pt_kernel_cmdline_get       (const char * const *params,
                                         const char         *name);
gboolean    pt_kernel_cmdline_has_value (const char * const *params,
                                         const char         *name,
                                         const char         *value);

G_END_DECLS
