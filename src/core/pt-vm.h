/* pt-vm.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  PT_VM_STATE_SHUT_OFF,
  PT_VM_STATE_RUNNING,
  PT_VM_STATE_PAUSED,
  PT_VM_STATE_OTHER,
} PtVmState;

#define PT_TYPE_VM (pt_vm_get_type ())

G_DECLARE_FINAL_TYPE (PtVm, pt_vm, PT, VM, GObject)

const char         *pt_vm_get_name          (PtVm      *self);
const char         *pt_vm_get_title         (PtVm      *self);
PtVmState           pt_vm_get_state         (PtVm      *self);
gboolean            pt_vm_is_active         (PtVm      *self);
const char * const *pt_vm_get_devices       (PtVm      *self);
gboolean            pt_vm_has_device        (PtVm      *self,
                                             const char *address);
const char         *pt_vm_state_to_string   (PtVmState  state);

G_END_DECLS
