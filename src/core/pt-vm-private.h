/* pt-vm-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pt-vm.h"

G_BEGIN_DECLS

PtVm *_pt_vm_new    (const char         *name);
void  _pt_vm_update (PtVm               *self,
                     const char         *title,
                     PtVmState           state,
                     const char * const *devices);

G_END_DECLS
