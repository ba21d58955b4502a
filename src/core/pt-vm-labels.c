/* pt-vm-labels.c
 *
 * What a VM is called where people read it (pills, toasts, dialogs): its
 * title, as the VMs page shows it; its libvirt name when it has no title;
 * both, "Title (name)", when two VMs share the title and the title alone
 * would not say which one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough-libvirt"

#include "config.h"

#include "pt-vm.h"
#include "pt-vm-labels.h"

static const char *
title_of (PtVm *vm)
{
  const char *title = pt_vm_get_title (vm);

  return title != NULL && title[0] != '\0' ? title : NULL;
}

/**
 * pt_vm_dup_labels:
 * @vms: (nullable): the connection's #PtVm list
 *
 * Returns: (transfer full): VM name → the label people read
 */
GHashTable *
pt_vm_dup_labels (GListModel *vms)
{
  GHashTable *labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) title_count = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = vms != NULL ? g_list_model_get_n_items (vms) : 0;
  guint i;

  /* The VMs in the list hold the titles counted here. */
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (vms, i);
      const char *title = title_of (vm);

      if (title != NULL)
        g_hash_table_insert (title_count, (gpointer) title,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (title_count, title)) + 1));
    }

  for (i = 0; i < n; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (vms, i);
      const char *name = pt_vm_get_name (vm);
      const char *title = title_of (vm);
      char *label;

      if (title == NULL || g_str_equal (title, name))
        label = g_strdup (name);
      else if (GPOINTER_TO_UINT (g_hash_table_lookup (title_count, title)) > 1)
        label = g_strdup_printf ("%s (%s)", title, name);
      else
        label = g_strdup (title);
      g_hash_table_insert (labels, g_strdup (name), label);
    }

  return labels;
}

/**
 * pt_vm_dup_label:
 * @vms: (nullable): the connection's #PtVm list
 * @name: a VM's libvirt name
 *
 * Returns: (transfer full): the label of the VM called @name, or @name
 *   itself when @vms does not list it
 */
char *
pt_vm_dup_label (GListModel *vms,
                 const char *name)
{
  g_autoptr(GHashTable) labels = pt_vm_dup_labels (vms);
  const char *label = g_hash_table_lookup (labels, name);

  return g_strdup (label != NULL ? label : name);
}
