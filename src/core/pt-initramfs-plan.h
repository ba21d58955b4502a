/* pt-initramfs-plan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-boot-setup.h"
#include "pt-early-bind-plan.h"
#include "pt-plan.h"
#include "pt-root.h"

G_BEGIN_DECLS

gboolean pt_initramfs_plan_add               (PtPlan           *plan,
                                              PtRoot           *root,
                                              PtBootSetup      *boot,
                                              PtEarlyBindKind   kind,
                                              gboolean          builtin,
                                              GError          **error);
GStrv    pt_initramfs_plan_mkinitcpio_images (PtRoot           *root);

G_END_DECLS
