/* pt-reset-quirks.c
 *
 * Known reset problems by device ID. The table is data (reset-quirks.tsv,
 * compiled into the core as a resource) so each entry keeps its source.
 * The chips vendor-reset handles are fine once its reset is the one in
 * force: reset_method then lists device_specific first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-reset-quirks"

#include "config.h"

#include <gio/gio.h>

#include "pt-core-resources.h"
#include "pt-reset-quirks.h"
#include "pt-sysfs.h"

typedef struct
{
  char *warning;
  gboolean vendor_reset;   /* solved by vendor-reset's device_specific reset */
} Quirk;

static void
quirk_free (gpointer data)
{
  Quirk *quirk = data;

  g_free (quirk->warning);
  g_free (quirk);
}

static GHashTable *
load_table (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *table;
  guint i;

  table = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, quirk_free);
  bytes = g_resource_lookup_data (pt_core_get_resource (),
                                  "/org/example/Passthrough/core/reset-quirks.tsv",
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    return table;

  lines = g_strsplit (g_bytes_get_data (bytes, NULL), "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      guint64 vendor, device;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;

      fields = g_strsplit (lines[i], "\t", 3);
      if (g_strv_length (fields) != 3 || strlen (fields[0]) != 9 || fields[0][4] != ':')
        {
          g_warning ("reset-quirks.tsv line %u is malformed", i + 1);
          continue;
        }

      fields[0][4] = '\0';
      if (!pt_sysfs_parse_hex (fields[0], 0xffff, &vendor) ||
          !pt_sysfs_parse_hex (fields[0] + 5, 0xffff, &device))
        {
          g_warning ("reset-quirks.tsv line %u has a bad ID", i + 1);
          continue;
        }

      {
        Quirk *quirk = g_new0 (Quirk, 1);

        quirk->warning = g_strdup (fields[1]);
        quirk->vendor_reset = g_str_has_prefix (fields[2], "vendor-reset");
        g_hash_table_insert (table, GUINT_TO_POINTER ((vendor << 16) | device), quirk);
      }
    }

  return table;
}

/**
 * pt_reset_quirks_lookup:
 * @reset_methods: (nullable): the device's reset_method list, in the order
 *   the kernel tries them; %NULL when unknown
 *
 * Returns: (nullable): the warning for a device known to reset badly, unless
 *   the reset in force is the one that fixes it
 */
const char *
pt_reset_quirks_lookup (guint               vendor_id,
                        guint               device_id,
                        const char * const *reset_methods)
{
  static GHashTable *table;
  Quirk *quirk;

  if (g_once_init_enter (&table))
    g_once_init_leave (&table, load_table ());

  quirk = g_hash_table_lookup (table, GUINT_TO_POINTER ((vendor_id << 16) | device_id));
  if (quirk == NULL)
    return NULL;
  if (quirk->vendor_reset && reset_methods != NULL && reset_methods[0] != NULL &&
      g_str_equal (reset_methods[0], "device_specific"))
    return NULL;
  return quirk->warning;
}
