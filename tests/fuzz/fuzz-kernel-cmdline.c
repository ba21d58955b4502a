/* fuzz-kernel-cmdline.c — libFuzzer target for the kernel command line
 * splitter and parameter editor: splitting never crashes, editing adds what
 * was asked, removes what was asked, and is idempotent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pt-grub-defaults.h"
#include "pt-kernel-cmdline.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char * const add[] = { "intel_iommu=on", "iommu=pt", NULL };
  static const char * const remove[] = { "intel_iommu=off", "iommu=off", NULL };
  char *text = g_strndup ((const char *) data, size);
  char **params = pt_kernel_cmdline_split (text);
  char **edited = pt_kernel_params_edit ((const char * const *) params, add, remove);
  char **again = pt_kernel_params_edit ((const char * const *) edited, add, remove);
  guint i;

  if (!g_strv_contains ((const char * const *) edited, "intel_iommu=on") ||
      g_strv_contains ((const char * const *) edited, "iommu=off") ||
      !g_strv_equal ((const char * const *) edited, (const char * const *) again))
    abort ();
  for (i = 0; params[i] != NULL; i++)
    pt_kernel_cmdline_get ((const char * const *) params, params[i]);

  g_strfreev (again);
  g_strfreev (edited);
  g_strfreev (params);
  g_free (text);
  return 0;
}
