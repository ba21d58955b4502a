/* pt-pci-scan.c
 *
 * Reads every PCI function under ROOT/sys/bus/pci/devices into PtDevices.
 *
 * This is the hot path of a scan: a big host has thousands of functions with
 * a dozen attributes each. Each device directory is opened once and its
 * attributes are read relative to it with one open/read/close apiece, into
 * stack buffers.
 *
 * Everything is read from the device's own directory, including the IOMMU
 * group (from its iommu_group link rather than /sys/kernel/iommu_groups), so
 * the scan also works where /sys/kernel is hidden, as in a Flatpak sandbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-pci-scan"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "pt-device-private.h"
#include "pt-error.h"
#include "pt-pci-names.h"
#include "pt-pci-scan.h"
#include "pt-reset-quirks.h"
#include "pt-sysfs.h"

#define PCI_DEVICES_DIR "sys/bus/pci/devices"

static void
add_problem (GPtrArray  *problems,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_problem (GPtrArray  *problems,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (problems, g_strdup_vprintf (format, args));
  va_end (args);
}

/*
 * Reads a hexadecimal ID attribute. A missing or garbled one is reported and
 * read as @fallback, so one odd attribute costs a device its ID, not the scan.
 */
static guint64
read_hex (int         dirfd,
          PtDevice   *device,
          const char *name,
          guint64     max,
          guint64     fallback,
          gboolean    required,
          GPtrArray  *problems)
{
  char buf[64];
  guint64 value;

  if (!pt_sysfs_read_attr (dirfd, name, buf, sizeof buf))
    {
      if (required)
        add_problem (problems,
                     _("%s: its “%s” attribute is missing or unreadable; "
                       "the device is shown without it."),
                     device->address, name);
      return fallback;
    }

  if (!pt_sysfs_parse_hex (buf, max, &value))
    {
      add_problem (problems,
                   _("%s: its “%s” attribute reads “%s”, which is not a hexadecimal ID; "
                     "the device is shown without it."),
                   device->address, name, buf);
      return fallback;
    }

  return value;
}

static int
read_int (int         dirfd,
          const char *name,
          int         fallback)
{
  char buf[64];
  gint64 value;

  if (!pt_sysfs_read_attr (dirfd, name, buf, sizeof buf) ||
      !pt_sysfs_parse_int (buf, G_MININT, G_MAXINT, &value))
    return fallback;

  return (int) value;
}

/* The revision attribute is fairly new; older kernels only have it in config space. */
static guint8
read_revision (int        dirfd,
               PtDevice  *device,
               GPtrArray *problems)
{
  guint8 config[9];
  ssize_t n;
  int fd;

  if (faccessat (dirfd, "revision", F_OK, 0) == 0)
    return (guint8) read_hex (dirfd, device, "revision", 0xff, 0, TRUE, problems);

  fd = openat (dirfd, "config", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, config, sizeof config);
  close (fd);

  return n == sizeof config ? config[8] : 0;
}

/* A link that points nowhere is reported; its target's name is still shown. */
static char *
read_link_name (int         dirfd,
                PtDevice   *device,
                const char *name,
                GPtrArray  *problems)
{
  char *target = pt_sysfs_link_basename (dirfd, name);

  if (target != NULL && faccessat (dirfd, name, F_OK, 0) != 0)
    add_problem (problems,
                 _("%s: its “%s” link points to “%s”, which does not exist."),
                 device->address, name, target);

  return target;
}

static void
read_iommu_group (int        dirfd,
                  PtDevice  *device,
                  GPtrArray *problems)
{
  g_autofree char *group = read_link_name (dirfd, device, "iommu_group", problems);
  gint64 number;

  if (group == NULL)
    return;

  if (!pt_sysfs_parse_int (group, 0, G_MAXINT, &number))
    {
      add_problem (problems,
                   _("%s: its iommu_group link names “%s”, which is not a group number."),
                   device->address, group);
      return;
    }

  device->iommu_group = (int) number;
}

static void
read_sriov (int        dirfd,
            PtDevice  *device)
{
  g_autoptr(GStrvBuilder) virtfns = NULL;
  int i;

  device->physfn = pt_sysfs_link_basename (dirfd, "physfn");

  device->sriov_total_vfs = read_int (dirfd, "sriov_totalvfs", -1);
  if (device->sriov_total_vfs <= 0)
    return;

  device->sriov_num_vfs = read_int (dirfd, "sriov_numvfs", 0);
  device->sriov_drivers_autoprobe = read_int (dirfd, "sriov_drivers_autoprobe", -1);

  virtfns = g_strv_builder_new ();
  for (i = 0; i < device->sriov_total_vfs; i++)
    {
      char name[32];
      g_autofree char *vf = NULL;

      g_snprintf (name, sizeof name, "virtfn%d", i);
      vf = pt_sysfs_link_basename (dirfd, name);
      if (vf == NULL)
        break;
      g_strv_builder_add (virtfns, vf);
    }
  device->virtfns = g_strv_builder_end (virtfns);
}

static void
read_reset (int       dirfd,
            PtDevice *device)
{
  char buf[256];

  if (pt_sysfs_read_attr (dirfd, "reset_method", buf, sizeof buf) && buf[0] != '\0')
    device->reset_methods = g_strsplit (buf, " ", -1);

  device->has_reset = faccessat (dirfd, "reset", F_OK, 0) == 0;
  device->reset_quirk = pt_reset_quirks_lookup (device->vendor_id, device->device_id);
}

static void
read_driver (int        dirfd,
             PtDevice  *device,
             GPtrArray *problems)
{
  char buf[256];

  device->driver = read_link_name (dirfd, device, "driver", problems);

  if (pt_sysfs_read_attr (dirfd, "driver_override", buf, sizeof buf) &&
      buf[0] != '\0' && !g_str_equal (buf, "(null)"))
    device->driver_override = g_strdup (buf);
}

static char *
parent_from_link (const char *link)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (link == NULL)
    return NULL;

  parts = g_strsplit (link, "/", -1);
  n = g_strv_length (parts);
  if (n >= 2 && pt_sysfs_is_pci_address (parts[n - 2]))
    return g_strdup (parts[n - 2]);

  return NULL;
}

static PtDevice *
read_device (int               devices_fd,
             const char       *address,
             PtModaliasIndex  *aliases,
             GPtrArray        *problems)
{
  g_autoptr(PtDevice) device = _pt_device_new (address);
  g_autofree char *link = NULL;
  int fd;

  fd = openat (devices_fd, address, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      add_problem (problems, _("%s: cannot open its sysfs directory: %s; it is left out."),
                   address, g_strerror (saved_errno));
      return NULL;
    }

  link = pt_sysfs_read_link (devices_fd, address);
  device->parent_address = parent_from_link (link);

  device->vendor_id = read_hex (fd, device, "vendor", 0xffff, 0xffff, TRUE, problems);
  device->device_id = read_hex (fd, device, "device", 0xffff, 0xffff, TRUE, problems);
  device->class_id = read_hex (fd, device, "class", 0xffffff, 0xff0000, TRUE, problems);
  device->subsystem_vendor_id =
    read_hex (fd, device, "subsystem_vendor", 0xffff, 0, FALSE, problems);
  device->subsystem_device_id =
    read_hex (fd, device, "subsystem_device", 0xffff, 0, FALSE, problems);
  device->revision = read_revision (fd, device, problems);
  device->modalias = pt_sysfs_dup_attr (fd, "modalias");
  device->modules = pt_modalias_index_lookup (aliases, device->modalias);
  device->numa_node = read_int (fd, "numa_node", -1);

  read_driver (fd, device, problems);
  read_iommu_group (fd, device, problems);
  read_sriov (fd, device);
  read_reset (fd, device);

  /* The kernel creates boot_vga only for VGA-class devices. */
  if ((device->class_id >> 8) == 0x0300)
    device->boot_vga = read_int (fd, "boot_vga", -1);

  close (fd);

  pt_pci_names_fill (device);

  return g_steal_pointer (&device);
}

/**
 * pt_pci_scan_devices:
 * @problems: (element-type utf8): where to add a message for everything odd
 *   that was read around
 *
 * Returns: (transfer full) (element-type PtDevice): the functions, sorted by
 *   address, or %NULL if ROOT has no PCI bus directory at all
 */
GPtrArray *
pt_pci_scan_devices (PtRoot           *root,
                     PtModaliasIndex  *aliases,
                     GPtrArray        *problems,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) local_error = NULL;
  guint i;
  int devices_fd;

  names = pt_root_list_dir (root, PCI_DEVICES_DIR, &local_error);
  if (names == NULL)
    {
      g_autofree char *display = pt_root_display_path (root, PCI_DEVICES_DIR);

      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   _("Cannot read the PCI devices in %s (%s). Is sysfs mounted, and is “%s” "
                     "the root of a Linux host?"),
                   display, local_error->message, pt_root_get_path (root));
      return NULL;
    }

  devices_fd = openat (pt_root_get_fd (root), PCI_DEVICES_DIR,
                       O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (devices_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   _("Cannot open the PCI devices directory: %s"), g_strerror (saved_errno));
      return NULL;
    }

  devices = g_ptr_array_new_with_free_func (g_object_unref);
  for (i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      PtDevice *device;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (devices_fd);
          return NULL;
        }

      if (!pt_sysfs_is_pci_address (name))
        {
          add_problem (problems,
                       _("“%s” in the PCI devices directory is not a PCI address; it is left out."),
                       name);
          continue;
        }

      device = read_device (devices_fd, name, aliases, problems);
      if (device != NULL)
        g_ptr_array_add (devices, device);
    }

  close (devices_fd);

  return g_steal_pointer (&devices);
}
