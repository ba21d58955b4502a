/* pt-search-query.c
 *
 * What people type to find a device, and which devices and IOMMU groups
 * that finds. The same rule serves the Devices and the Groups pages.
 *
 * The text is split into words and every word must match (so "nvidia
 * audio" finds the GPU's audio function). A word matches a device when it
 * is part of its name, vendor, subsystem, class, address (either form,
 * "01:00.0" or "0000:01:00.0"), vendor:device IDs, driver, or the name or
 * title of the VM that has it. On top of that:
 *   - kind words ("gpu", "sound", "nic", "nvme", …) find the devices of
 *     that kind whatever their names say, and only those;
 *   - a number finds the IOMMU group with that number as well as the text;
 *   - "group 14" (or "iommu group 14") finds group 14 only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthrough-core"

#include "config.h"

#include <string.h>

#include "pt-search-query.h"

typedef struct
{
  char *text;       /* case-folded */
  int group;        /* the group a number names, or -1 */
  gboolean only_group;   /* "group N": the number and nothing else */
  int kind;         /* the PtDeviceKind a kind word names, or -1 */
  guint class_code; /* the class (base and sub class) a word names, or 0 */
} Term;

struct _PtSearchQuery
{
  GArray *terms;
  GHashTable *vm_titles;
};

/* Words people use for a kind of device, English and Chinese. A class code
 * narrows the kind ("nvme" is not every storage controller). */
static const struct
{
  const char *word;
  PtDeviceKind kind;
  guint class_code;
} kind_words[] = {
  { "gpu", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "gpus", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "graphics", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "vga", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "display", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "video", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "显卡", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "图形", PT_DEVICE_KIND_GRAPHICS, 0 },
  { "audio", PT_DEVICE_KIND_AUDIO, 0 },
  { "sound", PT_DEVICE_KIND_AUDIO, 0 },
  { "音频", PT_DEVICE_KIND_AUDIO, 0 },
  { "声卡", PT_DEVICE_KIND_AUDIO, 0 },
  { "network", PT_DEVICE_KIND_NETWORK, 0 },
  { "nic", PT_DEVICE_KIND_NETWORK, 0 },
  { "ethernet", PT_DEVICE_KIND_NETWORK, 0 },
  { "wifi", PT_DEVICE_KIND_NETWORK, 0 },
  { "网卡", PT_DEVICE_KIND_NETWORK, 0 },
  { "网络", PT_DEVICE_KIND_NETWORK, 0 },
  { "storage", PT_DEVICE_KIND_STORAGE, 0 },
  { "disk", PT_DEVICE_KIND_STORAGE, 0 },
  { "nvme", PT_DEVICE_KIND_STORAGE, 0x0108 },
  { "sata", PT_DEVICE_KIND_STORAGE, 0x0106 },
  { "ahci", PT_DEVICE_KIND_STORAGE, 0x0106 },
  { "存储", PT_DEVICE_KIND_STORAGE, 0 },
  { "硬盘", PT_DEVICE_KIND_STORAGE, 0 },
  { "磁盘", PT_DEVICE_KIND_STORAGE, 0 },
  { "usb", PT_DEVICE_KIND_USB, 0 },
};

static gboolean
is_group_word (const char *word)
{
  return g_str_equal (word, "group") || g_str_equal (word, "组") ||
         g_str_equal (word, "分组");
}

/* A group number: digits only, small enough for an int. */
static int
parse_number (const char *word)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (word, 10, 0, G_MAXINT, &value, NULL))
    return -1;
  return (int) value;
}

static void
add_term (PtSearchQuery *self,
          const char    *word,
          int            group,
          gboolean       only_group)
{
  Term term = { g_strdup (word), group, only_group, -1, 0 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kind_words); i++)
    if (g_str_equal (word, kind_words[i].word))
      {
        term.kind = kind_words[i].kind;
        term.class_code = kind_words[i].class_code;
        break;
      }
  g_array_append_val (self->terms, term);
}

static void
clear_term (gpointer data)
{
  Term *term = data;

  g_free (term->text);
}

/**
 * pt_search_query_new:
 * @text: what was typed
 * @vm_titles: (nullable): VM name → title, for finding a device by the
 *   title of the VM that has it
 *
 * Returns: (transfer full): the query; an empty or blank @text matches
 *   everything
 */
PtSearchQuery *
pt_search_query_new (const char *text,
                     GHashTable *vm_titles)
{
  PtSearchQuery *self = g_new0 (PtSearchQuery, 1);
  g_autofree char *folded = g_utf8_casefold (text != NULL ? text : "", -1);
  g_auto(GStrv) words = g_strsplit_set (g_strstrip (folded), " \t\n", -1);
  guint i;

  self->terms = g_array_new (FALSE, FALSE, sizeof (Term));
  g_array_set_clear_func (self->terms, clear_term);
  self->vm_titles = vm_titles != NULL ? g_hash_table_ref (vm_titles) : NULL;

  for (i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      int number;

      if (word[0] == '\0')
        continue;
      /* "IOMMU group 14": the "iommu" only says which group. */
      if (g_str_equal (word, "iommu") && words[i + 1] != NULL && is_group_word (words[i + 1]))
        continue;
      if (is_group_word (word) && words[i + 1] != NULL && (number = parse_number (words[i + 1])) >= 0)
        {
          add_term (self, words[i + 1], number, TRUE);
          i++;
          continue;
        }
      if (g_str_has_prefix (word, "group") && (number = parse_number (word + strlen ("group"))) >= 0)
        {
          add_term (self, word, number, TRUE);
          continue;
        }
      add_term (self, word, parse_number (word), FALSE);
    }

  return self;
}

void
pt_search_query_free (PtSearchQuery *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->terms);
  g_clear_pointer (&self->vm_titles, g_hash_table_unref);
  g_free (self);
}

/**
 * pt_search_query_is_empty:
 *
 * Returns: whether the query has no words (and so matches everything)
 */
gboolean
pt_search_query_is_empty (const PtSearchQuery *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->terms->len == 0;
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
term_matches (const PtSearchQuery *self,
              const Term          *term,
              PtDevice            *device)
{
  const char *vm = pt_device_get_vm (device);
  char ids[10];

  if (term->group >= 0 && pt_device_get_iommu_group (device) == term->group)
    return TRUE;
  if (term->only_group)
    return FALSE;

  /* Kind words go by the class alone: as text, "nic" is in "Electronics". */
  if (term->kind >= 0)
    return (int) pt_device_get_kind (device) == term->kind &&
           (term->class_code == 0 || pt_device_get_class_id (device) >> 8 == term->class_code);

  g_snprintf (ids, sizeof ids, "%04x:%04x", pt_device_get_vendor_id (device),
              pt_device_get_device_id (device));

  return contains (pt_device_get_device_name (device), term->text) ||
         contains (pt_device_get_vendor_name (device), term->text) ||
         contains (pt_device_get_subsystem_name (device), term->text) ||
         contains (pt_device_get_class_name (device), term->text) ||
         contains (pt_device_get_address (device), term->text) ||
         contains (ids, term->text) ||
         contains (pt_device_get_driver (device), term->text) ||
         contains (vm, term->text) ||
         (vm != NULL && self->vm_titles != NULL &&
          contains (g_hash_table_lookup (self->vm_titles, vm), term->text));
}

/**
 * pt_search_query_matches_device:
 *
 * Returns: whether every word of the query matches @device
 */
gboolean
pt_search_query_matches_device (const PtSearchQuery *self,
                                PtDevice            *device)
{
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (PT_IS_DEVICE (device), FALSE);

  for (i = 0; i < self->terms->len; i++)
    if (!term_matches (self, &g_array_index (self->terms, Term, i), device))
      return FALSE;
  return TRUE;
}

/**
 * pt_search_query_matches_group:
 *
 * A group is found when one of its members is, so "gpu" finds the GPU's
 * group and "14" group 14 (every member carries the group's number).
 *
 * Returns: whether the query matches a member of @group
 */
gboolean
pt_search_query_matches_group (const PtSearchQuery *self,
                               PtIommuGroup        *group)
{
  GListModel *members;
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (PT_IS_IOMMU_GROUP (group), FALSE);

  if (pt_search_query_is_empty (self))
    return TRUE;
  members = pt_iommu_group_get_devices (group);
  for (i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (members, i);

      if (pt_search_query_matches_device (self, device))
        return TRUE;
    }
  return FALSE;
}
