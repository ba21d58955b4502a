/* pt-modalias.c
 *
 * Which kernel modules can drive a PCI device: its modalias matched against
 * the "alias pci:…" lines of modules.alias (and modules.builtin.alias), with
 * the same fnmatch() globbing as kmod.
 *
 * A real modules.alias has thousands of PCI patterns, and a big host
 * thousands of functions, so patterns are bucketed by the literal part they
 * start with: an exact vendor+device prefix, a vendor prefix, or neither.
 * A device is only matched against its own buckets, and results are cached
 * per modalias because big hosts repeat the same devices many times.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-modalias"

#include "config.h"

#include <fnmatch.h>
#include <string.h>

#include "pt-modalias.h"

/* "pci:v00008086" and "pci:v00008086d00003E92" */
#define VENDOR_PREFIX_LEN 13
#define DEVICE_PREFIX_LEN 22

typedef struct
{
  guint order;
  char *pattern;
  char *module;
} Alias;

struct _PtModaliasIndex
{
  GPtrArray *aliases;        /* Alias, owns */
  GHashTable *by_device;     /* prefix -> GPtrArray of Alias */
  GHashTable *by_vendor;     /* prefix -> GPtrArray of Alias */
  GPtrArray *wildcard;       /* Alias */
  GHashTable *cache;         /* modalias -> GStrv */
  GMutex cache_lock;         /* lookups come from the scan's threads */
};

static void
alias_free (gpointer data)
{
  Alias *alias = data;

  g_free (alias->pattern);
  g_free (alias->module);
  g_free (alias);
}

static gboolean
is_literal (const char *text,
            gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    if (text[i] == '\0' || text[i] == '*' || text[i] == '?' || text[i] == '[')
      return FALSE;

  return TRUE;
}

static void
bucket_add (GHashTable *table,
            const char *pattern,
            gsize       len,
            Alias      *alias)
{
  g_autofree char *key = g_strndup (pattern, len);
  GPtrArray *bucket = g_hash_table_lookup (table, key);

  if (bucket == NULL)
    {
      bucket = g_ptr_array_new ();
      g_hash_table_insert (table, g_steal_pointer (&key), bucket);
    }

  g_ptr_array_add (bucket, alias);
}

static void
index_add (PtModaliasIndex *self,
           const char      *pattern,
           const char      *module)
{
  Alias *alias = g_new0 (Alias, 1);

  alias->order = self->aliases->len;
  alias->pattern = g_strdup (pattern);
  alias->module = g_strdup (module);
  g_ptr_array_add (self->aliases, alias);

  if (is_literal (pattern, DEVICE_PREFIX_LEN))
    bucket_add (self->by_device, pattern, DEVICE_PREFIX_LEN, alias);
  else if (is_literal (pattern, VENDOR_PREFIX_LEN))
    bucket_add (self->by_vendor, pattern, VENDOR_PREFIX_LEN, alias);
  else
    g_ptr_array_add (self->wildcard, alias);
}

static void
index_parse_into (PtModaliasIndex *self,
                  const char      *contents)
{
  const char *line = contents;

  while (line != NULL && *line != '\0')
    {
      const char *end = strchr (line, '\n');
      gsize len = end != NULL ? (gsize) (end - line) : strlen (line);

      /* Only "alias pci:…" lines matter; vfio_pci's "alias vfio_pci:…"
       * and every other bus are skipped here. */
      if (len > 10 && strncmp (line, "alias pci:", 10) == 0)
        {
          g_autofree char *copy = g_strndup (line + 6, len - 6);
          char *space = strchr (copy, ' ');

          if (space != NULL && space[1] != '\0' && strchr (space + 1, ' ') == NULL)
            {
              *space = '\0';
              index_add (self, copy, space + 1);
            }
        }

      line = end != NULL ? end + 1 : NULL;
    }
}

static PtModaliasIndex *
index_new (void)
{
  PtModaliasIndex *self = g_new0 (PtModaliasIndex, 1);

  self->aliases = g_ptr_array_new_with_free_func (alias_free);
  self->by_device = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_ptr_array_unref);
  self->by_vendor = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_ptr_array_unref);
  self->wildcard = g_ptr_array_new ();
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_strfreev);
  g_mutex_init (&self->cache_lock);

  return self;
}

/**
 * pt_modalias_index_parse:
 * @modules_alias: the text of a modules.alias file
 *
 * Returns: (transfer full): an index of its PCI aliases
 */
PtModaliasIndex *
pt_modalias_index_parse (const char *modules_alias)
{
  PtModaliasIndex *self = index_new ();

  index_parse_into (self, modules_alias);

  return self;
}

/**
 * pt_modalias_index_load:
 *
 * Reads ROOT/lib/modules/RELEASE/modules.alias and modules.builtin.alias.
 * Missing files give an empty index: a host without them simply shows no
 * module suggestions.
 *
 * Returns: (transfer full): the index
 */
PtModaliasIndex *
pt_modalias_index_load (PtRoot     *root,
                        const char *kernel_release)
{
  static const char * const files[] = { "modules.alias", "modules.builtin.alias" };
  PtModaliasIndex *self = index_new ();
  guint i;

  if (kernel_release == NULL || strchr (kernel_release, '/') != NULL)
    return self;

  for (i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_strdup_printf ("lib/modules/%s/%s", kernel_release, files[i]);
      g_autofree char *contents = pt_root_read_file (root, path, NULL, NULL);

      if (contents != NULL)
        index_parse_into (self, contents);
    }

  return self;
}

static void
match_bucket (GPtrArray  *bucket,
              const char *modalias,
              GPtrArray  *matches)
{
  guint i;

  if (bucket == NULL)
    return;

  for (i = 0; i < bucket->len; i++)
    {
      Alias *alias = g_ptr_array_index (bucket, i);

      if (fnmatch (alias->pattern, modalias, 0) == 0)
        g_ptr_array_add (matches, alias);
    }
}

static int
compare_order (gconstpointer a,
               gconstpointer b)
{
  const Alias *x = *(const Alias * const *) a;
  const Alias *y = *(const Alias * const *) b;

  return (x->order > y->order) - (x->order < y->order);
}

/**
 * pt_modalias_index_lookup:
 * @modalias: a device's modalias, "pci:v…d…sv…sd…bc…sc…i…"
 *
 * Returns: (transfer full): the matching modules, each once, in file order
 */
GStrv
pt_modalias_index_lookup (PtModaliasIndex *self,
                          const char      *modalias)
{
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  GStrv cached;
  guint i;

  g_return_val_if_fail (self != NULL, NULL);

  if (modalias == NULL || strncmp (modalias, "pci:v", 5) != 0)
    return g_new0 (char *, 1);

  g_mutex_lock (&self->cache_lock);
  cached = g_hash_table_lookup (self->cache, modalias);
  if (cached != NULL)
    {
      GStrv copy = g_strdupv (cached);

      g_mutex_unlock (&self->cache_lock);
      return copy;
    }
  g_mutex_unlock (&self->cache_lock);

  matches = g_ptr_array_new ();
  if (strlen (modalias) >= DEVICE_PREFIX_LEN)
    {
      char key[DEVICE_PREFIX_LEN + 1];

      memcpy (key, modalias, DEVICE_PREFIX_LEN);
      key[DEVICE_PREFIX_LEN] = '\0';
      match_bucket (g_hash_table_lookup (self->by_device, key), modalias, matches);

      key[VENDOR_PREFIX_LEN] = '\0';
      match_bucket (g_hash_table_lookup (self->by_vendor, key), modalias, matches);
    }
  match_bucket (self->wildcard, modalias, matches);
  g_ptr_array_sort (matches, compare_order);

  builder = g_strv_builder_new ();
  for (i = 0; i < matches->len; i++)
    {
      Alias *alias = g_ptr_array_index (matches, i);
      guint j;
      gboolean seen = FALSE;

      for (j = 0; j < i && !seen; j++)
        seen = g_str_equal (((Alias *) g_ptr_array_index (matches, j))->module, alias->module);

      if (!seen)
        g_strv_builder_add (builder, alias->module);
    }

  cached = g_strv_builder_end (builder);
  g_mutex_lock (&self->cache_lock);
  g_hash_table_replace (self->cache, g_strdup (modalias), g_strdupv (cached));
  g_mutex_unlock (&self->cache_lock);

  return cached;
}

static char *
put_hex (char   *out,
         guint32 value,
         int     digits)
{
  static const char hex[] = "0123456789ABCDEF";
  int i;

  for (i = digits - 1; i >= 0; i--, value >>= 4)
    out[i] = hex[value & 0xf];
  return out + digits;
}

/**
 * pt_modalias_format_pci:
 * @buf: where to write the modalias and its NUL
 *
 * Writes the modalias the kernel gives a PCI device with these IDs
 * (drivers/pci/pci-sysfs.c, modalias_show(): upper-case hex, 8 digits per ID),
 * for trees whose devices have no uevent to read it from. Formatted by hand:
 * a big host has thousands of them.
 */
void
pt_modalias_format_pci (char    buf[PT_MODALIAS_PCI_SIZE],
                        guint16 vendor_id,
                        guint16 device_id,
                        guint16 subsystem_vendor_id,
                        guint16 subsystem_device_id,
                        guint32 class_id)
{
  char *p = buf;

  memcpy (p, "pci:v", 5);
  p = put_hex (p + 5, vendor_id, 8);
  *p++ = 'd';
  p = put_hex (p, device_id, 8);
  memcpy (p, "sv", 2);
  p = put_hex (p + 2, subsystem_vendor_id, 8);
  memcpy (p, "sd", 2);
  p = put_hex (p + 2, subsystem_device_id, 8);
  memcpy (p, "bc", 2);
  p = put_hex (p + 2, (class_id >> 16) & 0xff, 2);
  memcpy (p, "sc", 2);
  p = put_hex (p + 2, (class_id >> 8) & 0xff, 2);
  *p++ = 'i';
  p = put_hex (p, class_id & 0xff, 2);
  *p = '\0';
  g_assert (p - buf == PT_MODALIAS_PCI_SIZE - 1);
}

void
pt_modalias_index_free (PtModaliasIndex *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->wildcard);
  g_hash_table_unref (self->by_device);
  g_hash_table_unref (self->by_vendor);
  g_hash_table_unref (self->cache);
  g_mutex_clear (&self->cache_lock);
  g_ptr_array_unref (self->aliases);
  g_free (self);
}
