/* pt-kernel-cmdline.c
 *
 * Reading a kernel command line the way the kernel does (lib/cmdline.c,
 * next_arg()): parameters are separated by spaces, a double-quoted stretch
 * may contain spaces, "--" ends the kernel's part. Options such as
 * intel_iommu take comma-separated values ("intel_iommu=on,sm_on").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-kernel-cmdline"

#include "config.h"

#include <string.h>

#include "pt-kernel-cmdline.h"

/**
 * pt_kernel_cmdline_split:
 * @cmdline: a kernel command line, e.g. the contents of /proc/cmdline
 *
 * Returns: (transfer full): its parameters, with the quotes the kernel
 *   strips removed; parameters after "--" (for init) are left out
 */
GStrv
pt_kernel_cmdline_split (const char *cmdline)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) current = g_string_new (NULL);
  gboolean in_quote = FALSE;
  gboolean have = FALSE;
  const char *p;

  for (p = cmdline; p != NULL && *p != '\0'; p++)
    {
      if (*p == '"')
        {
          in_quote = !in_quote;
          have = TRUE;
          continue;
        }

      if (!in_quote && g_ascii_isspace (*p))
        {
          if (have)
            {
              if (g_str_equal (current->str, "--"))
                return g_strv_builder_end (builder);
              g_strv_builder_add (builder, current->str);
              g_string_truncate (current, 0);
              have = FALSE;
            }
          continue;
        }

      g_string_append_c (current, *p);
      have = TRUE;
    }

  if (have && !g_str_equal (current->str, "--"))
    g_strv_builder_add (builder, current->str);

  return g_strv_builder_end (builder);
}

/**
 * pt_kernel_cmdline_get:
 * @name: a parameter name, e.g. "intel_iommu"
 *
 * The kernel acts on the last occurrence of a parameter, so this returns
 * the last one's value.
 *
 * Returns: (nullable): the value ("" for a bare flag), %NULL if absent
 */
const char *
pt_kernel_cmdline_get (const char * const *params,
                       const char         *name)
{
  gsize len = strlen (name);
  const char *found = NULL;
  guint i;

  for (i = 0; params != NULL && params[i] != NULL; i++)
    {
      if (strncmp (params[i], name, len) != 0)
        continue;

      if (params[i][len] == '=')
        found = params[i] + len + 1;
      else if (params[i][len] == '\0')
        found = "";
    }

  return found;
}

/**
 * pt_kernel_cmdline_has_value:
 *
 * Returns: whether the last occurrence of @name, the one the kernel acts on,
 *   carries @value among its comma-separated values ("intel_iommu=on,sm_on"
 *   has "on")
 */
gboolean
pt_kernel_cmdline_has_value (const char * const *params,
                             const char         *name,
                             const char         *value)
{
  const char *found = pt_kernel_cmdline_get (params, name);
  g_auto(GStrv) values = NULL;

  if (found == NULL)
    return FALSE;

  values = g_strsplit (found, ",", -1);
  return g_strv_contains ((const char * const *) values, value);
}
