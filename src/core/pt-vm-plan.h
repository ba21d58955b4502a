/* pt-vm-plan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pt-connection.h"
#include "pt-host.h"
#include "pt-hostdev-edit.h"
#include "pt-json-writer.h"

G_BEGIN_DECLS

typedef enum
{
  PT_VM_PLAN_ATTACH,
  PT_VM_PLAN_DETACH,
} PtVmPlanKind;

typedef enum
{
  PT_VM_PLAN_FLAGS_NONE = 0,
  PT_VM_PLAN_MOVE = 1 << 0,          /* take devices away from the VM that has them */
  PT_VM_PLAN_CONFIG_ONLY = 1 << 1,   /* saved definition only, even if the VM runs */
} PtVmPlanFlags;

#define PT_TYPE_VM_PLAN (pt_vm_plan_get_type ())

G_DECLARE_FINAL_TYPE (PtVmPlan, pt_vm_plan, PT, VM_PLAN, GObject)

PtVmPlan           *pt_vm_plan_new_attach    (PtConnection            *connection,
                                              PtHost                  *host,
                                              const char              *vm_name,
                                              const char * const      *addresses,
                                              const PtHostdevOptions  *options,
                                              PtVmPlanFlags            flags,
                                              GError                 **error);
PtVmPlan           *pt_vm_plan_new_detach    (PtConnection            *connection,
                                              const char              *vm_name,
                                              const char * const      *addresses,
                                              PtVmPlanFlags            flags,
                                              GError                 **error);
void                pt_vm_plan_new_async     (PtConnection            *connection,
                                              PtHost                  *host,
                                              PtVmPlanKind             kind,
                                              const char              *vm_name,
                                              const char * const      *addresses,
                                              const PtHostdevOptions  *options,
                                              PtVmPlanFlags            flags,
                                              GCancellable            *cancellable,
                                              GAsyncReadyCallback      callback,
                                              gpointer                 user_data);
PtVmPlan           *pt_vm_plan_new_finish    (GAsyncResult            *result,
                                              GError                 **error);
PtVmPlan           *pt_vm_plan_new_inverse   (PtVmPlan                *applied);
PtVmPlanKind        pt_vm_plan_get_kind      (PtVmPlan                *self);
const char         *pt_vm_plan_get_vm        (PtVmPlan                *self);
const char         *pt_vm_plan_get_summary   (PtVmPlan                *self);
const char         *pt_vm_plan_get_diff      (PtVmPlan                *self);
GPtrArray          *pt_vm_plan_get_edits     (PtVmPlan                *self);
gboolean            pt_vm_plan_is_live       (PtVmPlan                *self);
const char         *pt_vm_plan_get_move_from (PtVmPlan                *self);
gboolean            pt_vm_plan_apply         (PtVmPlan                *self,
                                              PtConnection            *connection,
                                              GCancellable            *cancellable,
                                              GError                 **error);
void                pt_vm_plan_apply_async   (PtVmPlan                *self,
                                              PtConnection            *connection,
                                              GCancellable            *cancellable,
                                              GAsyncReadyCallback      callback,
                                              gpointer                 user_data);
gboolean            pt_vm_plan_apply_finish  (PtVmPlan                *self,
                                              GAsyncResult            *result,
                                              GError                 **error);
void                pt_vm_plan_write_json    (PtVmPlan                *self,
                                              PtJsonWriter            *writer);

G_END_DECLS
