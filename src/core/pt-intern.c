/* pt-intern.c
 *
 * Interned string vectors, the g_intern_string() of lists: a host's devices
 * share a handful of module lists and reset-method lists, so each distinct
 * list is kept once for the life of the process and devices point at it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-intern"

#include "config.h"

#include "pt-intern.h"

static GMutex intern_lock;
static GHashTable *interned;   /* joined text -> const char * const * */

/**
 * pt_intern_strv:
 * @strv: (nullable): a vector of strings
 *
 * Returns: (transfer none): a vector equal to @strv that lives as long as
 *   the process; equal vectors give the same pointer
 */
const char * const *
pt_intern_strv (const char * const *strv)
{
  static const char * const empty[] = { NULL };
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *key = NULL;
  const char **vector;
  guint i, n;

  if (strv == NULL || strv[0] == NULL)
    return empty;

  /* \x1f cannot occur in module names or reset methods. */
  key = g_strjoinv ("\x1f", (char **) strv);

  locker = g_mutex_locker_new (&intern_lock);
  if (interned == NULL)
    interned = g_hash_table_new (g_str_hash, g_str_equal);

  vector = g_hash_table_lookup (interned, key);
  if (vector != NULL)
    return vector;

  n = g_strv_length ((char **) strv);
  vector = g_new0 (const char *, n + 1);
  for (i = 0; i < n; i++)
    vector[i] = g_intern_string (strv[i]);
  g_hash_table_insert (interned, g_steal_pointer (&key), vector);

  return vector;
}
