/* pt-pci-names.c
 *
 * Vendor, device, subsystem and class names from libpci's pci.ids, formatted
 * exactly as lspci formats them (including its "Device 2503" fallbacks), so
 * that what we show reads the same as what people know from lspci.
 *
 * Names are looked up once per distinct ID and interned: a big host repeats
 * the same few dozen devices thousands of times, and every device with the
 * same IDs then shares one string.
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
 * fall back to numeric names; the one access object and the caches are
 * guarded by a mutex because scans run in worker threads.
 */
static GMutex names_lock;
static struct pci_access *names_access;
static gboolean names_broken;
static jmp_buf names_jump;
static GHashTable *names_cache;      /* kind and IDs packed -> interned name */
static GHashTable *subsystem_cache;  /* all four IDs packed -> interned name */

/* Cache keys: what is looked up in the top bits, the IDs below. */
enum {
  KEY_VENDOR = 1,
  KEY_DEVICE,
  KEY_CLASS,
};

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

  names_cache = g_hash_table_new (g_int64_hash, g_int64_equal);
  subsystem_cache = g_hash_table_new (g_int64_hash, g_int64_equal);
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

static const char *
cached_in (GHashTable *cache,
           guint64     key)
{
  return g_hash_table_lookup (cache, &key);
}

static const char *
remember_in (GHashTable *cache,
             guint64     key,
             const char *name)
{
  gint64 *stored = g_new (gint64, 1);
  const char *interned = g_intern_string (name);

  *stored = (gint64) key;
  g_hash_table_insert (cache, stored, (gpointer) interned);
  return interned;
}

static const char *
cached (guint64 key)
{
  return cached_in (names_cache, key);
}

static const char *
remember (guint64     key,
          const char *name)
{
  return remember_in (names_cache, key, name);
}

static const char *
vendor_name (struct pci_access *access,
             guint              vendor)
{
  guint64 key = ((guint64) KEY_VENDOR << 56) | vendor;
  const char *name = cached (key);
  char buf[256];

  if (name == NULL)
    name = remember (key, pci_lookup_name (access, buf, sizeof buf, PCI_LOOKUP_VENDOR, vendor));

  return name;
}

static const char *
device_name (struct pci_access *access,
             guint              vendor,
             guint              device)
{
  guint64 key = ((guint64) KEY_DEVICE << 56) | (vendor << 16) | device;
  const char *name = cached (key);
  char buf[256];

  if (name == NULL)
    name = remember (key, pci_lookup_name (access, buf, sizeof buf, PCI_LOOKUP_DEVICE,
                                           vendor, device));

  return name;
}

static const char *
class_name (struct pci_access *access,
            guint              class_id)
{
  guint64 key = ((guint64) KEY_CLASS << 56) | (class_id >> 8);
  const char *name = cached (key);
  char buf[256];

  if (name == NULL)
    name = remember (key, pci_lookup_name (access, buf, sizeof buf, PCI_LOOKUP_CLASS,
                                           class_id >> 8));

  return name;
}

/* "ASUSTeK Computer Inc. Device 8694", as lspci's Subsystem line. */
static const char *
subsystem_name (struct pci_access *access,
                PtDevice          *device)
{
  guint64 key = ((guint64) device->vendor_id << 48) | ((guint64) device->device_id << 32) |
                ((guint64) device->subsystem_vendor_id << 16) | device->subsystem_device_id;
  const char *name = cached_in (subsystem_cache, key);
  char sub_vendor[256];
  char sub_device[256];
  g_autofree char *joined = NULL;

  if (name != NULL)
    return name;

  pci_lookup_name (access, sub_vendor, sizeof sub_vendor,
                   PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR, device->subsystem_vendor_id);
  pci_lookup_name (access, sub_device, sizeof sub_device,
                   PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE,
                   device->vendor_id, device->device_id,
                   device->subsystem_vendor_id, device->subsystem_device_id);
  joined = g_strdup_printf ("%s %s", sub_vendor, sub_device);

  return remember_in (subsystem_cache, key, joined);
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
      device->vendor_name = vendor_name (access, device->vendor_id);
      device->device_name = device_name (access, device->vendor_id, device->device_id);
      device->class_name = class_name (access, device->class_id);
      if (has_subsystem (device))
        {
          device->subsystem_name = subsystem_name (access, device);
          device->subsystem_vendor_name = vendor_name (access, device->subsystem_vendor_id);
        }
    }
  else
    {
      names_broken = TRUE;
      names_access = NULL;
    }

  _pt_device_fill_numeric_names (device);
}
