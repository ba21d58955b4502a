/* pt-device-plan.h
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
  PT_DEVICE_PLAN_NONE = 0,
  PT_DEVICE_PLAN_FORCE = 1 << 0,        /* bind even what the host uses */
  PT_DEVICE_PLAN_DEVICE_ONLY = 1 << 1,  /* return one function, not its group */
  PT_DEVICE_PLAN_KEEP_VFS_FREE = 1 << 2 /* new VFs with autoprobe off */
} PtDevicePlanFlags;

PtPlan   *pt_device_plan_bind   (PtRoot             *root,
                                 PtHost             *host,
                                 const char         *address,
                                 PtDevicePlanFlags   flags,
                                 GError            **error);
PtPlan   *pt_device_plan_return (PtHost             *host,
                                 const char         *address,
                                 PtDevicePlanFlags   flags,
                                 GError            **error);
PtPlan   *pt_device_plan_vfs    (PtHost             *host,
                                 const char         *address,
                                 int                 count,
                                 PtDevicePlanFlags   flags,
                                 GError            **error);
gboolean  pt_device_plan_check_host_use (PtHost      *host,
                                         const char  *address,
                                         GError     **error);
GPtrArray *pt_device_plan_members (PtHost          *host,
                                   const char      *address,
                                   gboolean         whole_group);

G_END_DECLS
