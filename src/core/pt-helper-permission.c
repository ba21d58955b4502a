/* pt-helper-permission.c
 *
 * Each polkit action of the helper as a GPermission, so a window can show
 * whether a change will ask for a password (locked) or not (unlocked, e.g.
 * within auth_admin_keep's few minutes) and offer "Unlock…". Root needs no
 * polkit: its permission is always allowed. Built only with polkit-gobject
 * (the libpassthrough-polkit library), which the app links and
 * passthroughctl does not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-helper-permission"

#include "config.h"

#include <polkit/polkit.h>
#include <unistd.h>

#include "pt-helper-permission.h"

/**
 * pt_helper_action_get_id:
 *
 * Returns: the polkit action id, as in org.example.Passthrough.policy
 */
const char *
pt_helper_action_get_id (PtHelperAction action)
{
  switch (action)
    {
    case PT_HELPER_ACTION_BIND_DEVICES:
      return "org.example.Passthrough.bind-devices";
    case PT_HELPER_ACTION_BIND_DEVICES_FORCE:
      return "org.example.Passthrough.bind-devices-force";
    case PT_HELPER_ACTION_SRIOV:
      return "org.example.Passthrough.sriov";
    case PT_HELPER_ACTION_CONFIGURE_BOOT:
    default:
      return "org.example.Passthrough.configure-boot";
    }
}

static void
permission_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPermission *permission = polkit_permission_new_finish (result, &error);

  if (permission == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, permission, g_object_unref);
}

/**
 * pt_helper_permission_new_async:
 *
 * Asks polkit, without blocking, for @action's permission for this process.
 */
void
pt_helper_permission_new_async (PtHelperAction       action,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pt_helper_permission_new_async);
  if (geteuid () == 0)
    {
      g_task_return_pointer (task, g_simple_permission_new (TRUE), g_object_unref);
      g_object_unref (task);
      return;
    }

  polkit_permission_new (pt_helper_action_get_id (action), NULL, cancellable, permission_ready, task);
}

/**
 * pt_helper_permission_new_finish:
 *
 * Returns: (transfer full): the permission, or %NULL with @error set (no
 *   polkit daemon, an unknown action because the policy is not installed)
 */
GPermission *
pt_helper_permission_new_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
