/* pt-early-bind-plan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-host.h"
#include "pt-plan.h"
#include "pt-root.h"

G_BEGIN_DECLS

typedef enum
{
  PT_EARLY_BIND_BY_ID,
  PT_EARLY_BIND_BY_ADDRESS,
} PtEarlyBindKind;

#define PT_EARLY_BIND_UDEV_RULES "/etc/udev/rules.d/60-passthrough-vfio.rules"
#define PT_EARLY_BIND_HEADER \
  "# Written by Passthrough (passthroughctl boot early-bind); undo with “passthroughctl boot undo”.\n"

/* The kernel parameters that turn all of Passthrough's boot-time binding
 * off for one start: the udev rule obeys the first, and an empty
 * vfio-pci.ids, read after modprobe.d's options (and after an earlier
 * vfio-pci.ids for a built-in vfio-pci), leaves vfio-pci no IDs. */
#define PT_EARLY_BIND_OFF_KEY "passthrough.vfio"
#define PT_EARLY_BIND_OFF_PARAMS { PT_EARLY_BIND_OFF_KEY "=off", "vfio-pci.ids=", NULL }

PtPlan *pt_early_bind_plan (PtRoot              *root,
                            PtHost              *host,
                            const char * const  *addresses,
                            PtEarlyBindKind      kind,
                            GError             **error);

GHashTable *pt_early_bind_read_bound (PtRoot *root);
guint       pt_early_bind_find_change (PtRoot *root);

G_END_DECLS
