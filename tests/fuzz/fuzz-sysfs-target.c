/* fuzz-sysfs-target.c — libFuzzer target for the helper's sysfs validators.
 *
 * The input is "PATH\0VALUE". Whatever it is, ph_sysfs_parse_target()
 * either refuses it or returns a target that names exactly that path (the
 * path rebuilt from the target is the input) with a value its attribute
 * accepts: an address for unbind and drivers_probe, a driver name or "\n"
 * for driver_override, a number for the SR-IOV attributes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ph-request.h"
#include "ph-sysfs.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check (const char          *path,
       const char          *value,
       const PhSysfsTarget *target)
{
  char *rebuilt = NULL;

  switch (target->kind)
    {
    case PH_SYSFS_DEVICE_ATTR:
      if (!ph_is_pci_address (target->address))
        abort ();
      rebuilt = g_strconcat ("/sys/bus/pci/devices/", target->address, "/", target->name, NULL);
      if (g_str_equal (target->name, "driver_override"))
        {
          if (!g_str_equal (value, "\n") && !ph_is_driver_name (value))
            abort ();
        }
      else if (g_str_equal (target->name, "sriov_numvfs"))
        {
          if (value[0] == '\0' || strspn (value, "0123456789") != strlen (value) || strlen (value) > 5)
            abort ();
        }
      else if (g_str_equal (target->name, "sriov_drivers_autoprobe"))
        {
          if (!g_str_equal (value, "0") && !g_str_equal (value, "1"))
            abort ();
        }
      else
        abort ();
      break;
    case PH_SYSFS_DRIVER_UNBIND:
      if (!ph_is_driver_name (target->name) || !ph_is_pci_address (value) ||
          !g_str_equal (value, target->address))
        abort ();
      rebuilt = g_strconcat ("/sys/bus/pci/drivers/", target->name, "/unbind", NULL);
      break;
    case PH_SYSFS_DRIVERS_PROBE:
      if (!ph_is_pci_address (value) || !g_str_equal (value, target->address))
        abort ();
      rebuilt = g_strdup ("/sys/bus/pci/drivers_probe");
      break;
    default:
      abort ();
    }

  if (!g_str_equal (rebuilt, path))
    abort ();
  g_free (rebuilt);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  char *copy = g_malloc (size + 2);
  const char *path, *value;
  PhSysfsTarget target;
  GError *error = NULL;

  memcpy (copy, data, size);
  copy[size] = '\0';
  copy[size + 1] = '\0';
  path = copy;
  value = copy + strlen (copy) + 1;

  if (ph_sysfs_parse_target (path, value, &target, &error))
    check (path, value, &target);
  else if (error == NULL || error->message == NULL)
    abort ();

  g_clear_error (&error);
  g_free (copy);
  return 0;
}
