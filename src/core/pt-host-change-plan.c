/* pt-host-change-plan.c
 *
 * How each kind of PtHostChange is planned, as the helper will plan it:
 * one function a kind, named in `plans` by the kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough-core"

#include "config.h"

#include "pt-boot-plan.h"
#include "pt-boot-setup.h"
#include "pt-change-history.h"
#include "pt-device-plan.h"
#include "pt-early-bind-plan.h"
#include "pt-error.h"
#include "pt-host-change.h"

static PtPlan *
plan_bind (const PtHostChange *change,
           PtRoot             *root,
           PtHost             *host,
           GError            **error)
{
  return pt_device_plan_bind (root, host, change->addresses[0],
                              (change->flags & PT_HOST_CHANGE_FORCE) ? PT_DEVICE_PLAN_FORCE : 0, error);
}

static PtPlan *
plan_return (const PtHostChange *change,
             PtRoot             *root,
             PtHost             *host,
             GError            **error)
{
  return pt_device_plan_return (host, change->addresses[0],
                                (change->flags & PT_HOST_CHANGE_DEVICE_ONLY) ? PT_DEVICE_PLAN_DEVICE_ONLY : 0,
                                error);
}

static PtPlan *
plan_vfs (const PtHostChange *change,
          PtRoot             *root,
          PtHost             *host,
          GError            **error)
{
  return pt_device_plan_vfs (host, change->addresses[0], change->count,
                             (change->flags & PT_HOST_CHANGE_KEEP_VFS_FREE) ? PT_DEVICE_PLAN_KEEP_VFS_FREE : 0,
                             error);
}

static PtPlan *
plan_enable_iommu (const PtHostChange *change,
                   PtRoot             *root,
                   PtHost             *host,
                   GError            **error)
{
  return pt_boot_plan_enable_iommu_for_root (root, error);
}

static PtPlan *
plan_early_bind (const PtHostChange *change,
                 PtRoot             *root,
                 PtHost             *host,
                 GError            **error)
{
  const char *addresses[PT_HOST_CHANGE_MAX_ADDRESSES + 1] = { NULL };
  guint i;

  for (i = 0; i < change->n_addresses; i++)
    addresses[i] = change->addresses[i];
  return pt_early_bind_plan (root, host, addresses,
                             change->kind == PT_HOST_CHANGE_EARLY_BIND_IDS ? PT_EARLY_BIND_BY_ID
                                                                           : PT_EARLY_BIND_BY_ADDRESS,
                             error);
}

static PtPlan *
plan_once_without (const PtHostChange *change,
                   PtRoot             *root,
                   PtHost             *host,
                   GError            **error)
{
  g_autoptr(PtBootSetup) boot = pt_boot_setup_detect (root);

  return pt_boot_plan_once_without (root, boot, error);
}

static PtPlan *
plan_undo (const PtHostChange *change,
           PtRoot             *root,
           PtHost             *host,
           GError            **error)
{
  g_autoptr(GArray) undone = g_array_new (FALSE, FALSE, sizeof (guint));

  return pt_change_history_undo_plan (root, change->change_id, undone, error);
}

typedef PtPlan *(*PlanFunc) (const PtHostChange *change,
                             PtRoot             *root,
                             PtHost             *host,
                             GError            **error);

static const PlanFunc plans[] = {
  [PT_HOST_CHANGE_BIND] = plan_bind,
  [PT_HOST_CHANGE_RETURN] = plan_return,
  [PT_HOST_CHANGE_SET_VFS] = plan_vfs,
  [PT_HOST_CHANGE_ENABLE_IOMMU] = plan_enable_iommu,
  [PT_HOST_CHANGE_EARLY_BIND_IDS] = plan_early_bind,
  [PT_HOST_CHANGE_EARLY_BIND_ADDRESSES] = plan_early_bind,
  [PT_HOST_CHANGE_BOOT_ONCE_WITHOUT] = plan_once_without,
  [PT_HOST_CHANGE_UNDO] = plan_undo,
  [PT_HOST_CHANGE_HISTORY] = NULL,
};

/**
 * pt_host_change_plan:
 *
 * Plans @change on @host, as the helper will.
 *
 * Returns: (transfer full) (nullable): the plan, or %NULL with @error
 */
PtPlan *
pt_host_change_plan (const PtHostChange  *change,
                     PtRoot              *root,
                     PtHost              *host,
                     GError             **error)
{
  if (change->kind >= G_N_ELEMENTS (plans) || plans[change->kind] == NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                           "This is not a change to plan: it only reads the host.");
      return NULL;
    }
  return plans[change->kind] (change, root, host, error);
}
