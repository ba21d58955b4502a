/* pt-reset-quirks.c
 *
 * Known reset problems by device ID. The table is data (reset-quirks.tsv,
 * compiled into the core as a resource) so each entry keeps its source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-reset-quirks"

#include "config.h"

#include <gio/gio.h>

#include "pt-core-resources.h"
#include "pt-reset-quirks.h"
#include "pt-sysfs.h"

static GHashTable *
load_table (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *table;
  guint i;

  table = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
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

      g_hash_table_insert (table, GUINT_TO_POINTER ((vendor << 16) | device),
                           g_strdup (fields[1]));
    }

  return table;
}

/**
 * pt_reset_quirks_lookup:
 *
 * Returns: (nullable): the warning for a device known to reset badly
 */
const char *
pt_reset_quirks_lookup (guint vendor_id,
                        guint device_id)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    g_once_init_leave (&table, load_table ());

  return g_hash_table_lookup (table, GUINT_TO_POINTER ((vendor_id << 16) | device_id));
}
