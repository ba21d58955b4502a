/* ph-sysfs.c
 *
 * The only kernel attributes the helper writes, and what may be written to
 * them: driver_override (a driver name or "\n"), sriov_numvfs and
 * sriov_drivers_autoprobe (decimal), a driver's unbind and the bus's
 * drivers_probe (a PCI address). A device directory is reached through the
 * bus's symlink only after the link was checked to point where the kernel
 * puts PCI devices (../../../devices/pciDDDD:BB/…/ADDRESS).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ph-files.h"
#include "ph-sysfs.h"
#include "pt-error.h"

#define DEVICES "/sys/bus/pci/devices/"
#define DRIVERS "/sys/bus/pci/drivers/"

gboolean
ph_is_driver_name (const char *name)
{
  gsize i, n = strlen (name);

  if (n == 0 || n > 64 || name[0] == '.')
    return FALSE;
  for (i = 0; i < n; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '-' && name[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean
is_decimal (const char *value,
            gsize       max_len)
{
  gsize i, n = strlen (value);

  if (n == 0 || n > max_len)
    return FALSE;
  for (i = 0; i < n; i++)
    if (!g_ascii_isdigit (value[i]))
      return FALSE;
  return TRUE;
}

static gboolean
refuse (GError     **error,
        const char  *path,
        const char  *value)
{
  g_autofree char *shown = g_strescape (value, NULL);

  g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
               "refusing to write “%s” to %s", shown, path);
  return FALSE;
}

gboolean
ph_sysfs_parse_target (const char     *path,
                       const char     *value,
                       PhSysfsTarget  *target,
                       GError        **error)
{
  memset (target, 0, sizeof *target);

  if (g_str_equal (path, "/sys/bus/pci/drivers_probe"))
    {
      if (!ph_is_pci_address (value))
        return refuse (error, path, value);
      target->kind = PH_SYSFS_DRIVERS_PROBE;
      g_strlcpy (target->address, value, sizeof target->address);
      return TRUE;
    }

  if (g_str_has_prefix (path, DEVICES))
    {
      const char *rest = path + strlen (DEVICES);
      const char *attr = rest + PH_ADDRESS_LEN + 1;
      g_autofree char *address = g_strndup (rest, PH_ADDRESS_LEN);

      if (strlen (rest) <= PH_ADDRESS_LEN + 1 || rest[PH_ADDRESS_LEN] != '/' ||
          !ph_is_pci_address (address))
        return refuse (error, path, value);

      if (g_str_equal (attr, "driver_override"))
        {
          if (!g_str_equal (value, "\n") && !ph_is_driver_name (value))
            return refuse (error, path, value);
        }
      else if (g_str_equal (attr, "sriov_numvfs"))
        {
          if (!is_decimal (value, 5))
            return refuse (error, path, value);
        }
      else if (g_str_equal (attr, "sriov_drivers_autoprobe"))
        {
          if (!g_str_equal (value, "0") && !g_str_equal (value, "1"))
            return refuse (error, path, value);
        }
      else
        return refuse (error, path, value);

      target->kind = PH_SYSFS_DEVICE_ATTR;
      g_strlcpy (target->address, address, sizeof target->address);
      g_strlcpy (target->name, attr, sizeof target->name);
      return TRUE;
    }

  /* "/sys/bus/pci/drivers/unbind" has the prefix and the suffix overlapping:
   * without the length check the driver's name would underflow. */
  if (g_str_has_prefix (path, DRIVERS) && g_str_has_suffix (path, "/unbind") &&
      strlen (path) > strlen (DRIVERS) + strlen ("/unbind"))
    {
      gsize len = strlen (path) - strlen (DRIVERS) - strlen ("/unbind");
      g_autofree char *driver = g_strndup (path + strlen (DRIVERS), len);

      if (!ph_is_driver_name (driver) || !ph_is_pci_address (value))
        return refuse (error, path, value);
      target->kind = PH_SYSFS_DRIVER_UNBIND;
      g_strlcpy (target->address, value, sizeof target->address);
      g_strlcpy (target->name, driver, sizeof target->name);
      return TRUE;
    }

  return refuse (error, path, value);
}

/* "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0" for 0000:01:00.0 */
static gboolean
is_device_link (const char *target,
                const char *address)
{
  g_auto(GStrv) parts = g_strsplit (target, "/", -1);
  guint n = g_strv_length (parts), i;

  if (n < 6 || !g_str_equal (parts[0], "..") || !g_str_equal (parts[1], "..") ||
      !g_str_equal (parts[2], "..") || !g_str_equal (parts[3], "devices") ||
      !g_str_has_prefix (parts[4], "pci") || !g_str_equal (parts[n - 1], address))
    return FALSE;

  for (i = 5; i < n; i++)
    if (!ph_is_pci_address (parts[i]))
      return FALSE;
  return TRUE;
}

/**
 * ph_sysfs_open_device_dir:
 *
 * Returns: a directory fd on the device's sysfs directory, or -1
 */
int
ph_sysfs_open_device_dir (int          root_fd,
                          const char  *address,
                          GError     **error)
{
  char link[PATH_MAX];
  ssize_t n;
  int devices_fd, fd;

  devices_fd = ph_files_open_dir (root_fd, "sys/bus/pci/devices", FALSE, error);
  if (devices_fd < 0)
    return -1;

  n = readlinkat (devices_fd, address, link, sizeof link - 1);
  if (n < 0)
    {
      int saved = errno;

      close (devices_fd);
      if (saved == ENOENT)
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND, "there is no PCI device %s", address);
      else
        g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                     "/sys/bus/pci/devices/%s is not the kernel's link: %s", address, g_strerror (saved));
      return -1;
    }
  link[n] = '\0';

  if (!is_device_link (link, address))
    {
      close (devices_fd);
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                   "/sys/bus/pci/devices/%s points to %s, not to a PCI device; refusing", address, link);
      return -1;
    }

  fd = openat (devices_fd, address, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close (devices_fd);
  if (fd < 0)
    g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND, "cannot open the device %s: %s",
                 address, g_strerror (errno));
  return fd;
}

/**
 * ph_sysfs_open_target:
 *
 * Opens the attribute for writing, without following a link at its name.
 *
 * Returns: the fd, or -1 with @error set
 */
int
ph_sysfs_open_target (int                   root_fd,
                      const PhSysfsTarget  *target,
                      GError              **error)
{
  g_autofree char *driver_dir = NULL;
  const char *attr;
  int dir_fd, fd;

  switch (target->kind)
    {
    case PH_SYSFS_DEVICE_ATTR:
      dir_fd = ph_sysfs_open_device_dir (root_fd, target->address, error);
      attr = target->name;
      break;
    case PH_SYSFS_DRIVER_UNBIND:
      driver_dir = g_strconcat ("sys/bus/pci/drivers/", target->name, NULL);
      dir_fd = ph_files_open_dir (root_fd, driver_dir, FALSE, error);
      attr = "unbind";
      break;
    case PH_SYSFS_DRIVERS_PROBE:
    default:
      dir_fd = ph_files_open_dir (root_fd, "sys/bus/pci", FALSE, error);
      attr = "drivers_probe";
      break;
    }

  if (dir_fd < 0)
    return -1;

  fd = openat (dir_fd, attr, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  close (dir_fd);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, PT_ERROR, saved == ENOENT ? PT_ERROR_NOT_FOUND : PT_ERROR_FAILED,
                   "cannot open %s of %s: %s", attr,
                   target->kind == PH_SYSFS_DRIVER_UNBIND ? target->name : target->address,
                   g_strerror (saved));
    }
  return fd;
}
