/* pt-device-titles.c
 *
 * Telling apart functions with the same name. A desktop with two RTX 3060
 * cards lists "GA106 [GeForce RTX 3060]" twice; the cards' makers (the
 * subsystem vendor, "MSI" and "Gigabyte") are what their owner knows them
 * by, so those functions are titled "GA106 [GeForce RTX 3060] · MSI" and
 * "… · Gigabyte". Functions whose name is unique keep it as it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-device-private.h"
#include "pt-host.h"

/**
 * pt_vendor_dup_short_name:
 * @vendor: a vendor's name as pci.ids has it
 *
 * The name people use for a vendor: pci.ids' own short form in brackets
 * ("Micro-Star International Co., Ltd. [MSI]" → "MSI"), or else its first
 * word ("Gigabyte Technology Co., Ltd" → "Gigabyte").
 *
 * Returns: (transfer full) (nullable): the short name, %NULL for %NULL
 */
char *
pt_vendor_dup_short_name (const char *vendor)
{
  const char *open;
  const char *close;
  gsize length;

  if (vendor == NULL || vendor[0] == '\0')
    return NULL;

  open = strrchr (vendor, '[');
  close = open != NULL ? strchr (open, ']') : NULL;
  if (close != NULL && close > open + 1)
    return g_strndup (open + 1, close - open - 1);

  length = strcspn (vendor, " ,");
  return g_strndup (vendor, length > 0 ? length : strlen (vendor));
}

static char *
maker_of (PtDevice *device)
{
  if (device->subsystem_vendor_id == 0 || device->subsystem_vendor_id == 0xffff)
    return NULL;
  if (device->subsystem_vendor_name != NULL)
    return pt_vendor_dup_short_name (device->subsystem_vendor_name);
  /* No names (the remote host's node devices): the subsystem's IDs. */
  return g_strdup_printf ("%04x:%04x", device->subsystem_vendor_id, device->subsystem_device_id);
}

/* Titles for the functions in @same, which share one name: once through
 * them, however many there are (a host can have thousands of alike VFs). */
static void
assign_same_name (GPtrArray *same)
{
  g_autoptr(GPtrArray) makers = g_ptr_array_new_full (same->len, g_free);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  guint i;

  for (i = 0; i < same->len; i++)
    {
      char *maker = maker_of (g_ptr_array_index (same, i));

      g_ptr_array_add (makers, maker);
      if (maker != NULL)
        g_hash_table_insert (counts, maker,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, maker)) + 1));
    }

  for (i = 0; i < same->len; i++)
    {
      PtDevice *device = g_ptr_array_index (same, i);
      const char *maker = g_ptr_array_index (makers, i);

      if (maker != NULL && GPOINTER_TO_UINT (g_hash_table_lookup (counts, maker)) < same->len)
        device->title = g_strdup_printf ("%s · %s", device->device_name, maker);
    }
}

/*
 * Sets each device's title. Among functions sharing a name, one whose maker
 * differs from at least one of the others gets " · maker"; functions of the
 * same maker and name (two identical cards) stay alike: their addresses,
 * shown beside the title everywhere, tell them apart.
 */
void
_pt_device_titles_assign (GPtrArray *devices)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  GPtrArray *same;
  guint i;

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      g_clear_pointer (&device->title, g_free);
      same = g_hash_table_lookup (by_name, device->device_name);
      if (same == NULL)
        g_hash_table_insert (by_name, (gpointer) device->device_name, same = g_ptr_array_new ());
      g_ptr_array_add (same, device);
    }

  g_hash_table_iter_init (&iter, by_name);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &same))
    if (same->len >= 2)
      assign_same_name (same);
}

/**
 * pt_host_dup_titles:
 * @addresses: PCI addresses
 *
 * Names devices for messages ("Gave … to …"): their titles, in the order
 * given, joined as the language lists things; an address the host does not
 * have stays an address.
 *
 * Returns: (transfer full): the list
 */
char *
pt_host_dup_titles (PtHost             *host,
                    const char * const *addresses)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint i;

  g_return_val_if_fail (PT_IS_HOST (host), NULL);

  for (i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (host, addresses[i]);

      if (i > 0)
        /* TRANSLATORS: between the names of devices in a list */
        g_string_append (text, C_("list", ", "));
      g_string_append (text, device != NULL ? pt_device_get_title (device) : addresses[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
