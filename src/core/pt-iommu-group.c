/* pt-iommu-group.c
 *
 * An IOMMU group: the smallest set of devices the IOMMU can isolate, and so
 * the unit VFIO hands to a VM. It is usable ("viable") only when every
 * endpoint in it is on vfio-pci, pci-stub or no driver; bridges do not count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-iommu-group"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pt-iommu-group.h"
#include "pt-object-list.h"

struct _PtIommuGroup
{
  GObject parent_instance;

  int number;
  PtObjectList *devices;
  GPtrArray *blockers;
  guint used_by_host : 1;
  const char *state_unknown;   /* interned, from a member */
};

G_DEFINE_FINAL_TYPE (PtIommuGroup, pt_iommu_group, G_TYPE_OBJECT)

static gboolean is_chipset_only (PtIommuGroup *self);

enum {
  PROP_0,
  PROP_NUMBER,
  PROP_VIABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pt_iommu_group_finalize (GObject *object)
{
  PtIommuGroup *self = (PtIommuGroup *) object;

  g_clear_object (&self->devices);
  g_clear_pointer (&self->blockers, g_ptr_array_unref);

  G_OBJECT_CLASS (pt_iommu_group_parent_class)->finalize (object);
}

static void
pt_iommu_group_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PtIommuGroup *self = PT_IOMMU_GROUP (object);

  switch (prop_id)
    {
    case PROP_NUMBER:
      g_value_set_int (value, self->number);
      break;

    case PROP_VIABLE:
      g_value_set_boolean (value, pt_iommu_group_is_viable (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_iommu_group_class_init (PtIommuGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pt_iommu_group_finalize;
  object_class->get_property = pt_iommu_group_get_property;

  properties[PROP_NUMBER] =
    g_param_spec_int ("number", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIABLE] =
    g_param_spec_boolean ("viable", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pt_iommu_group_init (PtIommuGroup *self)
{
  self->blockers = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * pt_iommu_group_new:
 * @devices: (element-type PtDevice): the members, in address order
 *
 * Returns: (transfer full): the group
 */
PtIommuGroup *
pt_iommu_group_new (int        number,
                    GPtrArray *devices)
{
  PtIommuGroup *self = g_object_new (PT_TYPE_IOMMU_GROUP, NULL);
  guint i;

  self->number = number;
  self->devices = pt_object_list_new (PT_TYPE_DEVICE, devices);

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      if (!pt_device_is_free_for_vfio (device))
        g_ptr_array_add (self->blockers, g_object_ref (device));
      if (pt_device_is_used_by_host (device))
        self->used_by_host = TRUE;
      if (self->state_unknown == NULL)
        self->state_unknown = pt_device_get_state_unknown (device);
    }

  return self;
}

int
pt_iommu_group_get_number (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), -1);
  return self->number;
}

/**
 * pt_iommu_group_get_devices:
 *
 * Returns: (transfer none): the members, a list of #PtDevice
 */
GListModel *
pt_iommu_group_get_devices (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), NULL);
  return G_LIST_MODEL (self->devices);
}

guint
pt_iommu_group_get_n_devices (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->devices));
}

gboolean
pt_iommu_group_is_viable (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), FALSE);
  return self->blockers->len == 0;
}

/**
 * pt_iommu_group_get_blockers:
 *
 * Returns: (transfer none) (element-type PtDevice): the endpoints still on a
 *   host driver, which keep the group from being usable
 */
GPtrArray *
pt_iommu_group_get_blockers (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), NULL);
  return self->blockers;
}

gboolean
pt_iommu_group_is_used_by_host (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), FALSE);
  return self->used_by_host;
}

/**
 * pt_iommu_group_get_state_unknown:
 *
 * Returns: (nullable): why the host's use of the group cannot be seen (a
 *   remote host, a sandbox), in words; %NULL when it can
 */
const char *
pt_iommu_group_get_state_unknown (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), NULL);
  return self->state_unknown;
}

/**
 * pt_iommu_group_is_ready:
 *
 * Returns: whether the group can be given to a VM as it is: every endpoint
 *   free for VFIO, nothing in it used by the host, and all of that seen
 */
gboolean
pt_iommu_group_is_ready (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), FALSE);
  return self->blockers->len == 0 && !self->used_by_host && self->state_unknown == NULL &&
         !is_chipset_only (self);
}

/**
 * pt_iommu_group_get_preparable_member:
 *
 * The one rule for offering "Prepare for Passthrough" on a group: it is
 * worth giving to a VM (a graphics, audio, network, storage or USB
 * controller), not ready yet, and the host is not known to use it.
 *
 * Returns: (nullable): the address of the member whose binding prepares the
 *   group, or %NULL when the group is not offered
 */
const char *
pt_iommu_group_get_preparable_member (PtIommuGroup *self)
{
  guint i, n;

  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), NULL);

  if (self->blockers->len == 0 || self->used_by_host)
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);
      PtDeviceKind kind = pt_device_get_kind (device);

      if (kind != PT_DEVICE_KIND_OTHER && kind != PT_DEVICE_KIND_BRIDGE && !pt_device_is_bridge (device))
        return pt_device_get_address (device);
    }
  return NULL;
}

/* Only host bridges (class 06 00) and PCI bridges: nothing a guest could drive. */
static gboolean
is_chipset_only (PtIommuGroup *self)
{
  guint i, n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (i = 0; i < n; i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);

      if (!pt_device_is_bridge (device) && (pt_device_get_class_id (device) >> 8) != 0x0600)
        return FALSE;
    }
  return n > 0;
}

/**
 * pt_iommu_group_dup_state_text:
 *
 * Returns: (transfer full): the group's state in words
 */
char *
pt_iommu_group_dup_state_text (PtIommuGroup *self)
{
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (self), NULL);

  if (is_chipset_only (self))
    return g_strdup (_("Not for passthrough: the chipset"));

  /* What cannot be seen is never "Ready". */
  if (self->state_unknown != NULL)
    return g_strdup (self->state_unknown);

  /* Ready only when nothing in it is the host's own: a free group holding
   * the host's disk or default-route NIC is not. */
  if (self->blockers->len == 0 && !self->used_by_host)
    return g_strdup (_("Ready for passthrough"));

  if (self->blockers->len == 0)
    return g_strdup (_("Not ready: this computer uses it"));

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u device still used by host drivers",
                                       "%u devices still used by host drivers",
                                       self->blockers->len),
                          self->blockers->len);
}
