/* pt-host-use.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pt-root.h"

G_BEGIN_DECLS

void pt_host_use_apply (PtRoot     *root,
                        GHashTable *devices,
                        GPtrArray  *problems);

G_END_DECLS
