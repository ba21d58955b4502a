/* pt-boot-plan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-checks.h"
#include "pt-plan.h"
#include "pt-root.h"

G_BEGIN_DECLS

PtPlan *pt_boot_plan_enable_iommu (PtRoot       *root,
                                   PtBootSetup  *boot,
                                   PtCpuVendor   vendor,
                                   GError      **error);

gboolean pt_boot_plan_add_kernel_params (PtPlan              *plan,
                                         PtRoot              *root,
                                         PtBootSetup         *boot,
                                         const char * const  *add,
                                         GError             **error);
char   *pt_boot_plan_params_without (const char *params);
PtPlan *pt_boot_plan_once_without (PtRoot       *root,
                                   PtBootSetup  *boot,
                                   GError      **error);
char   *pt_boot_plan_grub_kernel_line (PtRoot  *root,
                                      GError **error);
PtPlan *pt_boot_plan_enable_iommu_for_root (PtRoot  *root,
                                            GError **error);

G_END_DECLS
