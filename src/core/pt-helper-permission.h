/* pt-helper-permission.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PT_HELPER_ACTION_BIND_DEVICES,
  PT_HELPER_ACTION_SRIOV,
  PT_HELPER_ACTION_CONFIGURE_BOOT,
  PT_HELPER_ACTION_BIND_DEVICES_FORCE,  /* a device the host uses; asked every time */
} PtHelperAction;

const char  *pt_helper_action_get_id         (PtHelperAction        action);
void         pt_helper_permission_new_async  (PtHelperAction        action,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GPermission *pt_helper_permission_new_finish (GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
