/* pt-device-plan.c
 *
 * The plans that move devices between drivers at run time, as the kernel
 * documents it (Documentation/ABI/testing/sysfs-bus-pci):
 *
 *  - bind: the whole IOMMU group goes to vfio-pci by address. For each
 *    endpoint not on vfio-pci yet: "vfio-pci" into driver_override, the
 *    address into its driver's unbind, then into /sys/bus/pci/drivers_probe.
 *    Bridges stay. new_id and "vfio-pci ids=" are never used: they take
 *    every device with that ID, a second identical GPU too.
 *  - return: "\n" into driver_override, unbind from vfio-pci, probe.
 *  - vfs: sriov_numvfs goes to 0 before any other count; with
 *    sriov_drivers_autoprobe 0 first if the new VFs should stay free.
 *
 * The same functions compute the dry run and what the helper applies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-device-plan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pt-device-plan.h"
#include "pt-error.h"

#define SYS_DEVICES "/sys/bus/pci/devices/"
#define SYS_DRIVERS "/sys/bus/pci/drivers/"

static PtDevice *
lookup (PtHost      *host,
        const char  *address,
        GError     **error)
{
  PtDevice *device = pt_host_lookup_device (host, address);

  if (device == NULL)
    g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                 _("There is no PCI device %s on this host. “passthroughctl devices” lists them."),
                 address);
  return device;
}

/**
 * pt_device_plan_members:
 * @whole_group: all endpoints of the device's IOMMU group, or only the device
 *
 * Returns: (transfer container) (element-type PtDevice): the functions a bind
 *   or return moves, bridges left out
 */
GPtrArray *
pt_device_plan_members (PtHost     *host,
                        const char *address,
                        gboolean    whole_group)
{
  GPtrArray *members = g_ptr_array_new_with_free_func (g_object_unref);
  PtDevice *device = pt_host_lookup_device (host, address);
  PtIommuGroup *group;
  GListModel *devices;
  guint i;

  if (device == NULL)
    return members;

  group = pt_host_lookup_group (host, pt_device_get_iommu_group (device));
  if (!whole_group || group == NULL)
    {
      if (!pt_device_is_bridge (device))
        g_ptr_array_add (members, g_object_ref (device));
      return members;
    }

  devices = pt_iommu_group_get_devices (group);
  for (i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PtDevice) member = g_list_model_get_item (devices, i);

      if (!pt_device_is_bridge (member))
        g_ptr_array_add (members, g_steal_pointer (&member));
    }

  return members;
}

/**
 * pt_device_plan_check_host_use:
 *
 * The verdict on taking @address's IOMMU group from the host, for a bind and
 * for a restore of an interrupted change alike: refused while any endpoint
 * of the group is in use by the host.
 *
 * Returns: %TRUE if no member is in use; %FALSE with @error naming the use
 */
gboolean
pt_device_plan_check_host_use (PtHost      *host,
                               const char  *address,
                               GError     **error)
{
  g_autoptr(GPtrArray) members = pt_device_plan_members (host, address, TRUE);
  guint i;

  for (i = 0; i < members->len; i++)
    {
      PtDevice *member = g_ptr_array_index (members, i);
      const char * const *reasons = pt_device_get_host_use (member);

      if (reasons[0] != NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                       _("%s is in use by this host: %s. Giving it away would take that from the host. "
                         "If you are sure, use --force."),
                       pt_device_get_address (member), reasons[0]);
          return FALSE;
        }
    }
  return TRUE;
}

static void
add_move (PtPlan     *plan,
          PtDevice   *device,
          const char *override)
{
  const char *address = pt_device_get_address (device);
  const char *driver = pt_device_get_driver (device);
  g_autofree char *override_path = g_strconcat (SYS_DEVICES, address, "/driver_override", NULL);

  pt_plan_add_sysfs (plan, override_path, override);
  if (driver != NULL)
    {
      g_autofree char *unbind = g_strconcat (SYS_DRIVERS, driver, "/unbind", NULL);

      pt_plan_add_sysfs (plan, unbind, address);
    }
  pt_plan_add_sysfs (plan, "/sys/bus/pci/drivers_probe", address);
}

PtPlan *
pt_device_plan_bind (PtRoot             *root,
                     PtHost             *host,
                     const char         *address,
                     PtDevicePlanFlags   flags,
                     GError            **error)
{
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) members = NULL;
  PtDevice *device;
  int number;
  guint i, moved = 0;

  if ((device = lookup (host, address, error)) == NULL)
    return NULL;

  number = pt_device_get_iommu_group (device);
  if (number < 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("%s is in no IOMMU group: the IOMMU is off. Turn it on first "
                     "(“passthroughctl boot enable-iommu”) and restart."), address);
      return NULL;
    }

  if (pt_device_is_bridge (device))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("%s is a PCI bridge; bridges stay with the host. Choose a device behind it."),
                   address);
      return NULL;
    }

  if (!(flags & PT_DEVICE_PLAN_FORCE) && !pt_device_plan_check_host_use (host, address, error))
    return NULL;

  members = pt_device_plan_members (host, address, TRUE);

  plan = pt_plan_new (NULL);
  /* Where the device's state cannot be seen (a host read through libvirt,
   * whose plan is made with this computer's @root; the sandbox), whether
   * the driver is loaded is unknown, and loading it again does no harm. */
  if (pt_device_get_state_unknown (device) != NULL ||
      !pt_root_is_dir (root, "sys/bus/pci/drivers/vfio-pci"))
    {
      const char *modprobe[] = { "modprobe", "vfio-pci", NULL };

      pt_plan_add_command (plan, modprobe);
    }

  for (i = 0; i < members->len; i++)
    {
      PtDevice *member = g_ptr_array_index (members, i);

      if (g_strcmp0 (pt_device_get_driver (member), "vfio-pci") == 0 &&
          g_strcmp0 (pt_device_get_driver_override (member), "vfio-pci") == 0)
        continue;

      if (g_strcmp0 (pt_device_get_driver (member), "vfio-pci") == 0)
        {
          g_autofree char *path = g_strconcat (SYS_DEVICES, pt_device_get_address (member),
                                               "/driver_override", NULL);

          pt_plan_add_sysfs (plan, path, "vfio-pci");
          continue;
        }

      add_move (plan, member, "vfio-pci");
      moved++;
    }

  if (pt_plan_is_empty (plan))
    pt_plan_set_summary_printf (plan, _("IOMMU group %d is already on vfio-pci; nothing to do."), number);
  else
    {
      g_autofree char *summary =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Give IOMMU group %d to virtual machines: %u device moves to vfio-pci.",
                                      "Give IOMMU group %d to virtual machines: %u devices move to vfio-pci.",
                                      moved),
                         number, moved);

      pt_plan_set_summary (plan, summary);
    }

  return g_steal_pointer (&plan);
}

PtPlan *
pt_device_plan_return (PtHost             *host,
                       const char         *address,
                       PtDevicePlanFlags   flags,
                       GError            **error)
{
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) members = NULL;
  PtDevice *device;
  guint i, moved = 0;

  if ((device = lookup (host, address, error)) == NULL)
    return NULL;

  plan = pt_plan_new (NULL);
  members = pt_device_plan_members (host, address, !(flags & PT_DEVICE_PLAN_DEVICE_ONLY));
  for (i = 0; i < members->len; i++)
    {
      PtDevice *member = g_ptr_array_index (members, i);
      const char *driver = pt_device_get_driver (member);
      const char *override = pt_device_get_driver_override (member);

      if (g_strcmp0 (driver, "vfio-pci") != 0 && g_strcmp0 (driver, "pci-stub") != 0 &&
          !(driver == NULL && override != NULL))
        continue;

      add_move (plan, member, "\n");
      moved++;
    }

  if (moved == 0)
    pt_plan_set_summary_printf (plan, _("%s is not on vfio-pci; nothing to return."), address);
  else
    {
      g_autofree char *summary =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Return %u device to the host's own driver.",
                                      "Return %u devices to their host drivers.",
                                      moved),
                         moved);

      pt_plan_set_summary (plan, summary);
    }

  return g_steal_pointer (&plan);
}

PtPlan *
pt_device_plan_vfs (PtHost             *host,
                    const char         *address,
                    int                 count,
                    PtDevicePlanFlags   flags,
                    GError            **error)
{
  g_autoptr(PtPlan) plan = NULL;
  g_autofree char *numvfs = NULL;
  g_autofree char *autoprobe = NULL;
  g_autofree char *value = NULL;
  PtDevice *device;
  int total, current;

  if ((device = lookup (host, address, error)) == NULL)
    return NULL;

  if (!pt_device_is_sriov_pf (device))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("%s cannot create virtual functions (it has no SR-IOV capability)."), address);
      return NULL;
    }

  total = pt_device_get_sriov_total_vfs (device);
  if (count < 0 || count > total)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                   _("%s supports 0 to %d virtual functions, not %d."), address, total, count);
      return NULL;
    }

  if (pt_device_get_driver (device) == NULL && count > 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("%s has no driver; its driver creates the virtual functions. "
                     "Return it to the host first."), address);
      return NULL;
    }

  current = pt_device_get_sriov_num_vfs (device);
  numvfs = g_strconcat (SYS_DEVICES, address, "/sriov_numvfs", NULL);
  autoprobe = g_strconcat (SYS_DEVICES, address, "/sriov_drivers_autoprobe", NULL);
  plan = pt_plan_new (NULL);

  if (current == count)
    {
      pt_plan_set_summary_printf (plan, _("%s already has %d virtual functions; nothing to do."),
                                                  address, count);
      return g_steal_pointer (&plan);
    }

  /* The kernel refuses a new non-zero count while VFs exist (EBUSY). */
  if (current != 0)
    pt_plan_add_sysfs (plan, numvfs, "0");
  if (count > 0)
    {
      int wanted = (flags & PT_DEVICE_PLAN_KEEP_VFS_FREE) ? 0 : 1;

      if (pt_device_get_sriov_drivers_autoprobe (device) != wanted)
        pt_plan_add_sysfs (plan, autoprobe, wanted ? "1" : "0");
      value = g_strdup_printf ("%d", count);
      pt_plan_add_sysfs (plan, numvfs, value);
    }

  pt_plan_set_summary_printf (plan, _("Set the virtual functions of %s from %d to %d."),
                                              address, current, count);
  return g_steal_pointer (&plan);
}
