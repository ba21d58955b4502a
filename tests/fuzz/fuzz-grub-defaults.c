/* fuzz-grub-defaults.c — libFuzzer target for the /etc/default/grub editor.
 *
 * Any file either is refused with a message or comes back edited so that a
 * second edit changes nothing (the edit is idempotent), every line that
 * does not assign the variable is kept, and the value in force afterwards
 * (as sourcing the file gives it) has the parameters that were added.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pt-grub-defaults.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const add[] = { "intel_iommu=on", "iommu=pt", NULL };
  static const char * const remove[] = { "intel_iommu=off", "iommu=off", "amd_iommu=on", NULL };
  char *text = g_strndup ((const char *) data, size);
  GError *error = NULL;
  char *once, *twice;

  once = pt_grub_defaults_edit (text, "GRUB_CMDLINE_LINUX_DEFAULT", add, remove, &error);
  if (once == NULL)
    {
      if (error == NULL)
        abort ();
      g_clear_error (&error);
    }
  else
    {
      char **lines = g_strsplit (text, "\n", -1);
      const char *files[] = { once, NULL };
      char *value;
      char **words;
      guint i;

      twice = pt_grub_defaults_edit (once, "GRUB_CMDLINE_LINUX_DEFAULT", add, remove, &error);
      if (twice == NULL || strcmp (once, twice) != 0)
        abort ();
      value = pt_grub_defaults_effective (files, 1, "GRUB_CMDLINE_LINUX_DEFAULT", &error);
      if (value == NULL)
        abort ();
      words = g_strsplit_set (value, " \t", -1);
      if (!g_strv_contains ((const char * const *) words, "intel_iommu=on") ||
          !g_strv_contains ((const char * const *) words, "iommu=pt"))
        abort ();
      g_strfreev (words);
      g_free (value);
      for (i = 0; lines[i] != NULL; i++)
        if (strstr (lines[i], "GRUB_CMDLINE_LINUX_DEFAULT") == NULL && strstr (once, lines[i]) == NULL)
          abort ();
      g_strfreev (lines);
      g_free (twice);
      g_free (once);
    }

  g_free (text);
  return 0;
}
