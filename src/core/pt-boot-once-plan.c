/* pt-boot-once-plan.c
 *
 * Starting once without the passthrough parameters, for a host whose screen
 * went black but that is still reachable (over SSH, say): GRUB's next_entry
 * (grub-reboot, grub2-reboot) picks a menu entry for the next start only.
 * The entry is the first in grub.cfg whose kernel line has none of the
 * parameters Passthrough adds — on Debian-likes the recovery entry, since
 * Passthrough puts them into GRUB_CMDLINE_LINUX_DEFAULT, which recovery
 * entries leave out. Where every entry has them (grubby edits all BLS
 * entries), there is none to pick and the plan says how to do it by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-boot-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-boot-plan.h"
#include "pt-error.h"
#include "pt-kernel-cmdline.h"

static const char * const passthrough_params[] = {
  "intel_iommu", "amd_iommu", "iommu", "vfio-pci.ids", "vfio_pci.ids", NULL,
};

typedef struct
{
  char *id;       /* submenu ids and the entry id, joined with ">" */
  char *title;
} MenuEntry;

/* The text between the first pair of single quotes after @from, or NULL. */
static char *
quoted_after (const char *line,
              const char *from)
{
  const char *start = from != NULL ? strstr (line, from) : line;
  const char *open, *close;

  if (start == NULL || (open = strchr (start + (from != NULL ? strlen (from) : 0), '\'')) == NULL ||
      (close = strchr (open + 1, '\'')) == NULL)
    return NULL;
  return g_strndup (open + 1, (gsize) (close - open - 1));
}

static gboolean
has_passthrough_params (const char *linux_line)
{
  g_auto(GStrv) params = pt_kernel_cmdline_split (linux_line);
  guint i;

  for (i = 0; passthrough_params[i] != NULL; i++)
    if (pt_kernel_cmdline_get ((const char * const *) params, passthrough_params[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* Walks grub.cfg's menu: submenus nest, an entry ends at its closing brace. */
static gboolean
find_clean_entry (const char *grub_cfg,
                  MenuEntry  *found)
{
  g_auto(GStrv) lines = g_strsplit (grub_cfg, "\n", -1);
  g_autoptr(GPtrArray) submenus = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *entry_id = NULL;
  g_autofree char *entry_title = NULL;
  gboolean entry_clean = FALSE;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i] + strspn (lines[i], " \t");

      if (g_str_has_prefix (line, "submenu "))
        g_ptr_array_add (submenus, quoted_after (line, "$menuentry_id_option"));
      else if (g_str_has_prefix (line, "menuentry "))
        {
          g_free (entry_id);
          g_free (entry_title);
          entry_id = quoted_after (line, "$menuentry_id_option");
          entry_title = quoted_after (line, NULL);
          entry_clean = FALSE;
        }
      else if (entry_id != NULL && (g_str_has_prefix (line, "linux ") || g_str_has_prefix (line, "linux\t") ||
                                    g_str_has_prefix (line, "linuxefi ")))
        entry_clean = !has_passthrough_params (line);
      else if (g_str_has_prefix (line, "}"))
        {
          if (entry_id != NULL)
            {
              if (entry_clean && entry_title != NULL)
                {
                  GString *path = g_string_new (NULL);
                  guint j;

                  for (j = 0; j < submenus->len; j++)
                    if (g_ptr_array_index (submenus, j) != NULL)
                      g_string_append_printf (path, "%s>", (char *) g_ptr_array_index (submenus, j));
                  g_string_append (path, entry_id);
                  found->id = g_string_free (path, FALSE);
                  found->title = g_steal_pointer (&entry_title);
                  return TRUE;
                }
              g_clear_pointer (&entry_id, g_free);
              g_clear_pointer (&entry_title, g_free);
            }
          else if (submenus->len > 0)
            g_ptr_array_remove_index (submenus, submenus->len - 1);
        }
    }

  return FALSE;
}

/**
 * pt_boot_plan_once_without:
 *
 * Returns: (transfer full): the plan that starts the computer once with a
 *   menu entry that has no passthrough parameters, or %NULL with @error set
 */
PtPlan *
pt_boot_plan_once_without (PtRoot       *root,
                           PtBootSetup  *boot,
                           GError      **error)
{
  const char *grub_cfg = pt_boot_setup_get_grub_cfg (boot);
  const char * const *regenerate = pt_boot_setup_get_regenerate_argv (boot);
  g_autofree char *text = NULL;
  g_autoptr(PtPlan) plan = NULL;
  MenuEntry entry = { NULL, NULL };
  const char *argv[] = { NULL, NULL, NULL };
  PtBootloader loader = pt_boot_setup_get_bootloader (boot);

  if ((loader != PT_BOOTLOADER_GRUB && loader != PT_BOOTLOADER_GRUB_BLS) || grub_cfg == NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                           _("Starting once without passthrough is done with GRUB only. Open the "
                             "boot menu, press “e” and remove the parameters for one start (see the "
                             "help: Undo changes)."));
      return NULL;
    }

  text = pt_root_read_file (root, grub_cfg + 1, NULL, error);
  if (text == NULL)
    return NULL;

  if (!find_clean_entry (text, &entry))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                   _("Every entry of %s has the passthrough parameters, so there is none to start "
                     "once. Open the boot menu, press “e” and remove them for one start, or undo "
                     "the change (“passthroughctl boot undo”)."), grub_cfg);
      return NULL;
    }

  argv[0] = regenerate != NULL && g_str_has_prefix (regenerate[0], "grub2-") ? "grub2-reboot" : "grub-reboot";
  argv[1] = entry.id;
  plan = pt_plan_new (NULL);
  pt_plan_set_summary_printf (plan, _("Start once with “%s”, which has no passthrough parameters; "
                                      "the start after that is as usual."), entry.title);
  pt_plan_add_command (plan, argv);
  pt_plan_set_reboot (plan, TRUE);

  g_free (entry.id);
  g_free (entry.title);
  return g_steal_pointer (&plan);
}
