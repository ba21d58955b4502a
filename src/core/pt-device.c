/* pt-device.c
 *
 * One PCI function as the host showed it at scan time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-device"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pt-device-private.h"

G_DEFINE_FINAL_TYPE (PtDevice, pt_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_VENDOR_NAME,
  PROP_DEVICE_NAME,
  PROP_DRIVER,
  PROP_IOMMU_GROUP,
  PROP_KIND,
  PROP_USED_BY_HOST,
  PROP_VM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pt_device_finalize (GObject *object)
{
  PtDevice *self = (PtDevice *) object;

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->driver_override, g_free);
  g_clear_pointer (&self->physfn, g_free);
  g_clear_pointer (&self->virtfns, g_strfreev);
  g_clear_pointer (&self->host_use, g_ptr_array_unref);
  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (pt_device_parent_class)->finalize (object);
}

static void
pt_device_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PtDevice *self = PT_DEVICE (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    case PROP_VENDOR_NAME:
      g_value_set_string (value, self->vendor_name);
      break;

    case PROP_DEVICE_NAME:
      g_value_set_string (value, self->device_name);
      break;

    case PROP_DRIVER:
      g_value_set_string (value, self->driver);
      break;

    case PROP_IOMMU_GROUP:
      g_value_set_int (value, self->iommu_group);
      break;

    case PROP_KIND:
      g_value_set_int (value, pt_device_get_kind (self));
      break;

    case PROP_USED_BY_HOST:
      g_value_set_boolean (value, pt_device_is_used_by_host (self));
      break;

    case PROP_VM:
      g_value_set_string (value, self->vm);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_device_class_init (PtDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pt_device_finalize;
  object_class->get_property = pt_device_get_property;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VENDOR_NAME] =
    g_param_spec_string ("vendor-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_NAME] =
    g_param_spec_string ("device-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRIVER] =
    g_param_spec_string ("driver", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IOMMU_GROUP] =
    g_param_spec_int ("iommu-group", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, PT_DEVICE_KIND_OTHER, PT_DEVICE_KIND_BRIDGE,
                      PT_DEVICE_KIND_OTHER, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_USED_BY_HOST] =
    g_param_spec_boolean ("used-by-host", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_VM] =
    g_param_spec_string ("vm", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pt_device_init (PtDevice *self)
{
  self->iommu_group = -1;
  self->sriov_total_vfs = -1;
  self->sriov_num_vfs = -1;
  self->sriov_drivers_autoprobe = -1;
  self->boot_vga = -1;
  self->numa_node = -1;
  self->host_use = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

PtDevice *
_pt_device_new (const char *address)
{
  PtDevice *self = g_object_new (PT_TYPE_DEVICE, NULL);

  self->address = g_strdup (address);

  return self;
}

void
_pt_device_add_host_use (PtDevice   *self,
                         const char *reason)
{
  guint i;

  for (i = 0; i < self->host_use->len; i++)
    if (g_str_equal (g_ptr_array_index (self->host_use, i), reason))
      return;

  g_ptr_array_add (self->host_use, g_strdup (reason));
}

void
_pt_device_set_state_unknown (PtDevice   *self,
                              const char *reason)
{
  self->state_unknown = g_intern_string (reason);
}

/* PCI-to-PCI (0x0604), semi-transparent (0x0609) and CardBus (0x0607) bridges. */
gboolean
_pt_device_is_bridge_class (guint32 class_id)
{
  guint base_sub = class_id >> 8;

  return base_sub == 0x0604 || base_sub == 0x0609 || base_sub == 0x0607;
}

const char *
pt_device_get_address (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->address;
}

/**
 * pt_device_get_parent_address:
 *
 * Returns: (nullable): the upstream bridge, or %NULL on a root bus
 */
const char *
pt_device_get_parent_address (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->parent_address;
}

guint
pt_device_get_vendor_id (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), 0);
  return self->vendor_id;
}

guint
pt_device_get_device_id (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), 0);
  return self->device_id;
}

guint
pt_device_get_subsystem_vendor_id (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), 0);
  return self->subsystem_vendor_id;
}

guint
pt_device_get_subsystem_device_id (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), 0);
  return self->subsystem_device_id;
}

/**
 * pt_device_get_class_id:
 *
 * Returns: the 24-bit class code: base class, subclass, programming interface
 */
guint
pt_device_get_class_id (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), 0);
  return self->class_id;
}

guint
pt_device_get_revision (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), 0);
  return self->revision;
}

const char *
pt_device_get_vendor_name (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->vendor_name;
}

const char *
pt_device_get_device_name (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->device_name;
}

/**
 * pt_device_get_subsystem_name:
 *
 * Returns: (nullable): the subsystem's name, %NULL when the device has no
 *   subsystem IDs
 */
const char *
pt_device_get_subsystem_name (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->subsystem_name;
}

/**
 * pt_device_get_title:
 *
 * What rows, headings and messages call the device: its name, and when
 * another function of the host has the same name, the maker of the card
 * ("GA106 [GeForce RTX 3060] · MSI" and "… · Gigabyte").
 *
 * Returns: the title
 */
const char *
pt_device_get_title (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->title != NULL ? self->title : self->device_name;
}

const char *
pt_device_get_class_name (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->class_name;
}

PtDeviceKind
pt_device_get_kind (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), PT_DEVICE_KIND_OTHER);

  if (_pt_device_is_bridge_class (self->class_id))
    return PT_DEVICE_KIND_BRIDGE;

  switch (self->class_id >> 16)
    {
    case 0x01:
      return PT_DEVICE_KIND_STORAGE;
    case 0x02:
      return PT_DEVICE_KIND_NETWORK;
    case 0x03:
      return PT_DEVICE_KIND_GRAPHICS;
    case 0x04:
      return PT_DEVICE_KIND_AUDIO;
    case 0x0c:
      if ((self->class_id >> 8) == 0x0c03)
        return PT_DEVICE_KIND_USB;
      return PT_DEVICE_KIND_OTHER;
    default:
      return PT_DEVICE_KIND_OTHER;
    }
}

/**
 * pt_device_get_driver:
 *
 * Returns: (nullable): the driver bound now, %NULL when none is
 */
const char *
pt_device_get_driver (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->driver;
}

/**
 * pt_device_get_driver_override:
 *
 * Returns: (nullable): the driver_override set on the device, if any
 */
const char *
pt_device_get_driver_override (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->driver_override;
}

/**
 * pt_device_get_modules:
 *
 * Returns: (transfer none): the kernel modules whose aliases match the
 *   device's modalias, in modules.alias order
 */
const char * const *
pt_device_get_modules (PtDevice *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->modules != NULL ? self->modules : none;
}

/**
 * pt_device_get_iommu_group:
 *
 * Returns: the IOMMU group number, -1 when the device has none
 */
int
pt_device_get_iommu_group (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), -1);
  return self->iommu_group;
}

gboolean
pt_device_is_bridge (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return _pt_device_is_bridge_class (self->class_id);
}

gboolean
pt_device_is_sriov_pf (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return self->sriov_total_vfs > 0;
}

/**
 * pt_device_get_sriov_total_vfs:
 *
 * Returns: the most VFs the device can have, -1 if it is no SR-IOV PF
 */
int
pt_device_get_sriov_total_vfs (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), -1);
  return self->sriov_total_vfs;
}

int
pt_device_get_sriov_num_vfs (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), -1);
  return self->sriov_num_vfs;
}

/**
 * pt_device_get_sriov_drivers_autoprobe:
 *
 * Returns: 1 or 0, -1 when the attribute is absent
 */
int
pt_device_get_sriov_drivers_autoprobe (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), -1);
  return self->sriov_drivers_autoprobe;
}

/**
 * pt_device_get_physfn:
 *
 * Returns: (nullable): for a VF, the address of its PF
 */
const char *
pt_device_get_physfn (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->physfn;
}

/**
 * pt_device_get_virtfns:
 *
 * Returns: (transfer none): for a PF, the addresses of its VFs in VF order
 */
const char * const *
pt_device_get_virtfns (PtDevice *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->virtfns != NULL ? (const char * const *) self->virtfns : none;
}

/**
 * pt_device_get_reset_methods:
 *
 * Returns: (transfer none): the resets the kernel will try, in its order
 *   (from `reset_method`, kernel 5.15+); empty when unknown
 */
const char * const *
pt_device_get_reset_methods (PtDevice *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->reset_methods != NULL ? self->reset_methods : none;
}

gboolean
pt_device_has_reset (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return self->has_reset;
}

/**
 * pt_device_get_reset_quirk:
 *
 * Returns: (nullable): a warning when this device ID is known to reset badly
 */
const char *
pt_device_get_reset_quirk (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->reset_quirk;
}

/**
 * pt_device_get_boot_vga:
 *
 * Returns: 1 for the boot GPU, 0 for another VGA device, -1 when the device
 *   has no boot_vga attribute (everything but VGA-class devices)
 */
int
pt_device_get_boot_vga (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), -1);
  return self->boot_vga;
}

int
pt_device_get_numa_node (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), -1);
  return self->numa_node;
}

/**
 * pt_device_get_host_use:
 *
 * Returns: (transfer none): why the host needs this device; empty when it
 *   can be given away
 */
const char * const *
pt_device_get_host_use (PtDevice *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);

  /* An empty null-terminated GPtrArray may not have allocated its NULL yet. */
  if (self->host_use->len == 0)
    return none;

  return (const char * const *) self->host_use->pdata;
}

/**
 * pt_device_get_vm:
 *
 * Returns: (nullable): the name of the VM the device is given to, as the
 *   connection the host was scanned with knows it
 */
const char *
pt_device_get_vm (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->vm;
}

gboolean
pt_device_is_used_by_host (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return self->host_use->len > 0;
}

/**
 * pt_device_is_vm_running:
 *
 * Returns: whether the VM the device is given to runs or is paused, as
 *   libvirt said when the host was read
 */
gboolean
pt_device_is_vm_running (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return self->vm != NULL && self->vm_running;
}

gboolean
pt_device_is_bound_at_boot (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return self->bound_at_boot;
}

/**
 * pt_device_get_state:
 *
 * Returns: where the device is: with the host, ready on vfio-pci, kept on
 *   vfio-pci from every boot, or given to a VM (which wins: a device in a
 *   shut-off VM's definition stays on its host driver until the VM starts)
 */
PtDeviceState
pt_device_get_state (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), PT_DEVICE_STATE_WITH_HOST);

  /* PCI bridges, and the host bridge (class 06 00): the chipset itself. */
  if (pt_device_is_bridge (self) || (self->class_id >> 8) == 0x0600)
    return PT_DEVICE_STATE_BRIDGE;
  if (self->vm != NULL)
    return PT_DEVICE_STATE_GIVEN;
  if (self->bound_at_boot)
    return PT_DEVICE_STATE_BOUND_AT_BOOT;
  if (g_strcmp0 (self->driver, "vfio-pci") == 0)
    return PT_DEVICE_STATE_READY;
  return PT_DEVICE_STATE_WITH_HOST;
}

/**
 * pt_device_dup_state_words:
 * @vm_label: (nullable): how people know the VM it is given to (its title,
 *   see pt_vm_dup_label()); %NULL for its libvirt name
 *
 * Returns: (transfer full): the device's state in words
 */
char *
pt_device_dup_state_words (PtDevice   *self,
                           const char *vm_label)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);

  switch (pt_device_get_state (self))
    {
    case PT_DEVICE_STATE_BRIDGE:
      return g_strdup ((self->class_id >> 8) == 0x0600 ? _("Part of the chipset: it stays with the host")
                                                       : _("A PCI bridge: it stays with the host"));
    case PT_DEVICE_STATE_GIVEN:
      if (self->vm_running)
        return g_strdup_printf (_("Given to “%s”, which is running"), vm_label != NULL ? vm_label : self->vm);
      return g_strdup_printf (_("Given to “%s”"), vm_label != NULL ? vm_label : self->vm);
    case PT_DEVICE_STATE_BOUND_AT_BOOT:
      return pt_device_dup_boot_words (self);
    case PT_DEVICE_STATE_READY:
      return g_strdup (_("Ready for virtual machines (on vfio-pci)"));
    case PT_DEVICE_STATE_WITH_HOST:
    default:
      return self->driver != NULL ? g_strdup_printf (_("With the host (driver %s)"), self->driver)
                                  : g_strdup (_("With the host (no driver)"));
    }
}

/**
 * pt_device_dup_boot_words:
 *
 * A device given to a VM says so first (see pt_device_get_state()); that it
 * is also kept on vfio-pci from every boot is said by these words.
 *
 * Returns: (transfer full) (nullable): that the device is bound to vfio-pci
 *   at every boot, in words; %NULL when it is not
 */
char *
pt_device_dup_boot_words (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->bound_at_boot ? g_strdup (_("Bound to vfio-pci at every boot")) : NULL;
}

/**
 * pt_device_get_state_unknown:
 *
 * Returns: (nullable): why what the host uses the device for cannot be seen
 *   (another host read through libvirt, a sandbox), in words; %NULL when the
 *   host use is known. An empty host use is then "unknown", never "free".
 */
const char *
pt_device_get_state_unknown (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return self->state_unknown;
}

/**
 * pt_device_is_reset_known:
 *
 * Returns: whether the device's resets could be read (libvirt does not show
 *   them)
 */
gboolean
pt_device_is_reset_known (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return !self->reset_unknown;
}

/**
 * pt_device_is_free_for_vfio:
 *
 * Returns: whether the device lets its IOMMU group be used by VFIO: bound to
 *   vfio-pci or pci-stub, bound to nothing, or a bridge
 */
gboolean
pt_device_is_free_for_vfio (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);

  if (pt_device_is_bridge (self))
    return TRUE;

  return self->driver == NULL ||
         g_str_equal (self->driver, "vfio-pci") ||
         g_str_equal (self->driver, "pci-stub") ||
         g_str_equal (self->driver, "pcieport");
}

/* lspci's fallbacks for what pci.ids does not name (or where it is not read). */
void
_pt_device_fill_numeric_names (PtDevice *self)
{
  char text[32];

  if (self->vendor_name == NULL)
    {
      g_snprintf (text, sizeof text, "Vendor %04x", self->vendor_id);
      self->vendor_name = g_intern_string (text);
    }
  if (self->device_name == NULL)
    {
      g_snprintf (text, sizeof text, "Device %04x", self->device_id);
      self->device_name = g_intern_string (text);
    }
  if (self->class_name == NULL)
    {
      g_snprintf (text, sizeof text, "Class %04x", self->class_id >> 8);
      self->class_name = g_intern_string (text);
    }
}

/**
 * pt_device_dup_display_name:
 *
 * Returns: (transfer full): "Vendor Device", falling back to IDs
 */
char *
pt_device_dup_display_name (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);

  return g_strdup_printf ("%s %s", self->vendor_name, self->device_name);
}
