/* pt-vm-labels.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GHashTable *pt_vm_dup_labels (GListModel *vms);
char       *pt_vm_dup_label  (GListModel *vms,
                              const char *name);

G_END_DECLS
