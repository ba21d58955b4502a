/* pt-host.c
 *
 * A snapshot of a host: its devices, IOMMU groups and readiness checks as
 * one scan saw them. Nothing edits a snapshot; a rescan makes a new one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-host"

#include "config.h"

#include "pt-device-private.h"
#include "pt-host-private.h"
#include "pt-object-list.h"

struct _PtHost
{
  GObject parent_instance;

  char *root;
  char *boot_id;
  PtObjectList *devices;
  PtObjectList *groups;
  PtObjectList *checks;
  PtBootSetup *boot_setup;
  GStrv problems;
  GHashTable *by_address;
  GHashTable *by_group;
};

G_DEFINE_FINAL_TYPE (PtHost, pt_host, G_TYPE_OBJECT)

static void
pt_host_finalize (GObject *object)
{
  PtHost *self = (PtHost *) object;

  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->boot_id, g_free);
  g_clear_object (&self->devices);
  g_clear_object (&self->groups);
  g_clear_object (&self->checks);
  g_clear_object (&self->boot_setup);
  g_clear_pointer (&self->problems, g_strfreev);
  g_clear_pointer (&self->by_address, g_hash_table_unref);
  g_clear_pointer (&self->by_group, g_hash_table_unref);

  G_OBJECT_CLASS (pt_host_parent_class)->finalize (object);
}

static void
pt_host_class_init (PtHostClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_host_finalize;
}

static void
pt_host_init (PtHost *self)
{
  self->by_address = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_group = g_hash_table_new (g_direct_hash, g_direct_equal);
}

PtHost *
_pt_host_new (const char  *root,
              GPtrArray   *devices,
              GPtrArray   *groups,
              GPtrArray   *checks,
              PtBootSetup *boot_setup,
              GPtrArray   *problems,
              const char  *boot_id)
{
  PtHost *self = g_object_new (PT_TYPE_HOST, NULL);
  guint i;

  self->root = g_strdup (root);
  self->boot_id = g_strdup (boot_id);
  self->boot_setup = g_object_ref (boot_setup);

  _pt_device_titles_assign (devices);
  self->devices = pt_object_list_new (PT_TYPE_DEVICE, devices);
  self->groups = pt_object_list_new (PT_TYPE_IOMMU_GROUP, groups);
  self->checks = pt_object_list_new (PT_TYPE_CHECK, checks);

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      g_hash_table_insert (self->by_address, (gpointer) pt_device_get_address (device), device);
    }

  for (i = 0; i < groups->len; i++)
    {
      PtIommuGroup *group = g_ptr_array_index (groups, i);

      g_hash_table_insert (self->by_group, GINT_TO_POINTER (pt_iommu_group_get_number (group)),
                           group);
    }

  g_ptr_array_add (problems, NULL);
  self->problems = g_strdupv ((char **) problems->pdata);
  g_ptr_array_remove_index (problems, problems->len - 1);

  return self;
}

/**
 * pt_host_get_root:
 *
 * Returns: the directory the host was read from ("/" for this host)
 */
const char *
pt_host_get_root (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return self->root;
}

/**
 * pt_host_get_devices:
 *
 * Returns: (transfer none): every PCI function, a list of #PtDevice in
 *   address order
 */
GListModel *
pt_host_get_devices (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return G_LIST_MODEL (self->devices);
}

/**
 * pt_host_get_groups:
 *
 * Returns: (transfer none): the IOMMU groups, a list of #PtIommuGroup in
 *   number order; empty when the IOMMU is off
 */
GListModel *
pt_host_get_groups (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return G_LIST_MODEL (self->groups);
}

/**
 * pt_host_get_checks:
 *
 * Returns: (transfer none): the readiness checks, a list of #PtCheck
 */
GListModel *
pt_host_get_checks (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return G_LIST_MODEL (self->checks);
}

/**
 * pt_host_get_boot_setup:
 *
 * Returns: (transfer none): the host's distribution, boot loader and
 *   initramfs generator
 */
PtBootSetup *
pt_host_get_boot_setup (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return self->boot_setup;
}

/**
 * pt_host_get_problems:
 *
 * Returns: (transfer none): what could not be read, one message each; the
 *   snapshot holds everything else
 */
const char * const *
pt_host_get_problems (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return (const char * const *) self->problems;
}

/**
 * pt_host_get_boot_id:
 *
 * Returns: (nullable): the kernel's boot id, which changes on every boot
 */
const char *
pt_host_get_boot_id (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return self->boot_id;
}

/**
 * pt_host_lookup_device:
 *
 * Returns: (transfer none) (nullable): the device at @address
 */
PtDevice *
pt_host_lookup_device (PtHost     *self,
                       const char *address)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return g_hash_table_lookup (self->by_address, address);
}

/**
 * pt_host_lookup_group:
 *
 * Returns: (transfer none) (nullable): IOMMU group @number
 */
PtIommuGroup *
pt_host_lookup_group (PtHost *self,
                      int     number)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return g_hash_table_lookup (self->by_group, GINT_TO_POINTER (number));
}

/**
 * pt_host_is_ready:
 *
 * Returns: whether no readiness check failed
 */
gboolean
pt_host_is_ready (PtHost *self)
{
  guint i, n;

  g_return_val_if_fail (PT_IS_HOST (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->checks));
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtCheck) check = g_list_model_get_item (G_LIST_MODEL (self->checks), i);

      if (pt_check_get_status (check) == PT_CHECK_FAIL)
        return FALSE;
    }

  return TRUE;
}
