/* pt-pci-names.c
 *
 * Vendor, device, subsystem and class names from libpci's pci.ids, formatted
 * exactly as lspci formats them (including its "Device 2503" fallbacks), so
 * that what we show reads the same as what people know from lspci.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-pci-names"

#include "config.h"

#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>

#include "pt-device-private.h"
#include "pt-pci-names.h"

/*
 * libpci's default error callback prints and exits the process, and the
 * callback is declared not to return. We jump back out of libpci instead and
 * fall back to numeric names; the one access object is guarded by a mutex
 * because scans run in worker threads.
 */
static GMutex names_lock;
static struct pci_access *names_access;
static gboolean names_broken;
static jmp_buf names_jump;

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) static void
on_pci_error (char *msg,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, msg);
  text = g_strdup_vprintf (msg, args);
  va_end (args);

  g_warning ("libpci: %s; device names will be shown as numbers", text);
  longjmp (names_jump, 1);
}

G_GNUC_PRINTF (1, 2) static void
on_pci_warning (char *msg,
                ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, msg);
  text = g_strdup_vprintf (msg, args);
  va_end (args);

  g_debug ("libpci: %s", text);
}

static void
on_pci_debug (char *msg,
              ...)
{
}

static struct pci_access *
ensure_access (void)
{
  if (names_access != NULL || names_broken)
    return names_access;

  names_access = pci_alloc ();
  names_access->error = on_pci_error;
  names_access->warning = on_pci_warning;
  names_access->debug = on_pci_debug;

  /* Name lookups need an initialised access object but no bus access; an
   * explicit sysfs method keeps pci_init() from probing the real host. */
  names_access->method = PCI_ACCESS_SYS_BUS_PCI;
  pci_set_param (names_access, (char *) "sysfs.path", (char *) "/nonexistent");

  /* Names come from pci.ids alone. Without a udev hwdb.bin, libpci would
   * otherwise look for one again on every single lookup. */
  pci_set_param (names_access, (char *) "hwdb.disable", (char *) "1");
  pci_init (names_access);

  return names_access;
}

static char *
lookup (struct pci_access *access,
        int                flags,
        ...)
{
  char buf[256];
  va_list args;
  const char *name;

  /* pci_lookup_name() takes its IDs as varargs; forward them verbatim. */
  va_start (args, flags);
  switch (flags & (PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_CLASS))
    {
    case PCI_LOOKUP_VENDOR:
      {
        int a = va_arg (args, int);
        name = pci_lookup_name (access, buf, sizeof buf, flags, a);
      }
      break;

    case PCI_LOOKUP_DEVICE:
      {
        int a = va_arg (args, int);
        int b = va_arg (args, int);
        int c = va_arg (args, int);
        int d = va_arg (args, int);
        name = pci_lookup_name (access, buf, sizeof buf, flags, a, b, c, d);
      }
      break;

    case PCI_LOOKUP_CLASS:
      {
        int a = va_arg (args, int);
        name = pci_lookup_name (access, buf, sizeof buf, flags, a);
      }
      break;

    default:
      g_assert_not_reached ();
    }
  va_end (args);

  return g_strdup (name);
}

static void
fill_numeric (PtDevice *device)
{
  if (device->vendor_name == NULL)
    device->vendor_name = g_strdup_printf ("Vendor %04x", device->vendor_id);
  if (device->device_name == NULL)
    device->device_name = g_strdup_printf ("Device %04x", device->device_id);
  if (device->class_name == NULL)
    device->class_name = g_strdup_printf ("Class %04x", device->class_id >> 8);
}

static gboolean
has_subsystem (PtDevice *device)
{
  return device->subsystem_vendor_id != 0 && device->subsystem_vendor_id != 0xffff;
}

/**
 * pt_pci_names_fill:
 *
 * Sets the vendor, device, subsystem and class names of @device from its IDs.
 */
void
pt_pci_names_fill (PtDevice *device)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&names_lock);
  struct pci_access *access;

  access = ensure_access ();

  if (access != NULL && setjmp (names_jump) == 0)
    {
      device->vendor_name = lookup (access, PCI_LOOKUP_VENDOR, device->vendor_id);
      device->device_name = lookup (access, PCI_LOOKUP_DEVICE,
                                    device->vendor_id, device->device_id, 0, 0);
      device->class_name = lookup (access, PCI_LOOKUP_CLASS, device->class_id >> 8);

      if (has_subsystem (device))
        {
          g_autofree char *sub_vendor =
            lookup (access, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR,
                    device->subsystem_vendor_id);
          g_autofree char *sub_device =
            lookup (access, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE,
                    device->vendor_id, device->device_id,
                    device->subsystem_vendor_id, device->subsystem_device_id);

          device->subsystem_name = g_strdup_printf ("%s %s", sub_vendor, sub_device);
        }
    }
  else
    {
      names_broken = TRUE;
      names_access = NULL;
    }

  fill_numeric (device);
}
