/* pt-plan-builders.c
 *
 * The PtPlanBuilders the pages and the review dialog's Undo share: each
 * plans one host change with the core, as the helper will.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include "pt-change-history.h"
#include "pt-device-plan.h"
#include "pt-plan-builders.h"

/* Bind the IOMMU group of the device at @address to vfio-pci. */
PtPlan *
pt_plan_build_bind (PtRoot   *root,
                    PtHost   *host,
                    gpointer  address,
                    GError  **error)
{
  return pt_device_plan_bind (root, host, address, PT_DEVICE_PLAN_NONE, error);
}

/* Give the group of the device at @address back to its host drivers. */
PtPlan *
pt_plan_build_return (PtRoot   *root,
                      PtHost   *host,
                      gpointer  address,
                      GError  **error)
{
  return pt_device_plan_return (host, address, PT_DEVICE_PLAN_NONE, error);
}

/* Undo boot change GPOINTER_TO_UINT (@change_id) and every later one. */
PtPlan *
pt_plan_build_undo (PtRoot   *root,
                    PtHost   *host,
                    gpointer  change_id,
                    GError  **error)
{
  g_autoptr(GArray) undone = g_array_new (FALSE, FALSE, sizeof (guint));

  return pt_change_history_undo_plan (root, GPOINTER_TO_UINT (change_id), undone, error);
}
