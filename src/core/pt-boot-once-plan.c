/* pt-boot-once-plan.c
 *
 * The way back: starting once the normal system (multi-user, networked,
 * reachable over SSH) as it was before Passthrough — without the IOMMU
 * parameters it adds and with all of its boot-time binding off — for a
 * host whose screen went black. The start after that is as usual.
 *
 * One switch turns binding off: passthrough.vfio=off, which the udev rule
 * obeys, with an empty vfio-pci.ids= read after modprobe.d's options (and
 * after an earlier vfio-pci.ids= for a built-in vfio-pci). The entry that
 * carries them is a copy of the default one, chosen for one start only:
 *
 *  - GRUB: a menu entry in /etc/grub.d/42_passthrough-off (the 40_custom
 *    form), regenerated into grub.cfg, then grub-reboot/grub2-reboot;
 *  - GRUB with BLS entries (Fedora, RHEL): an extra entry file in
 *    /boot/loader/entries, then grub2-reboot with its id;
 *  - systemd-boot and kernelstub (Pop!_OS): an extra entry file next to
 *    the default one, then "bootctl set-oneshot".
 *
 * Undo removes the entry like any other change. Never the recovery entry:
 * it is single-user, without network.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-boot-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-boot-plan.h"
#include "pt-early-bind-plan.h"
#include "pt-error.h"
#include "pt-grub-defaults.h"

#define ENTRY_ID "passthrough-off"
#define GRUB_SCRIPT "/etc/grub.d/42_passthrough-off"
#define HEADER "# Written by Passthrough (passthroughctl boot once-without); undo with “passthroughctl boot undo”.\n"

/* What Passthrough may have put on the kernel line, by name. */
static const char * const passthrough_params[] = {
  "intel_iommu", "iommu", "amd_iommu=on", "vfio-pci.ids", "vfio_pci.ids", PT_EARLY_BIND_OFF_KEY, NULL,
};

/**
 * pt_boot_plan_params_without:
 * @params: a kernel command line's parameters, space-separated
 *
 * Returns: (transfer full): them without Passthrough's IOMMU and binding
 *   parameters, and with the switch that turns its boot-time binding off
 */
char *
pt_boot_plan_params_without (const char *params)
{
  static const char * const off[] = PT_EARLY_BIND_OFF_PARAMS;
  g_auto(GStrv) words = g_strsplit_set (params, " \t", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;
  g_auto(GStrv) edited = NULL;
  guint i;

  for (i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (builder, words[i]);
  kept = g_strv_builder_end (builder);
  edited = pt_kernel_params_edit ((const char * const *) kept, off, passthrough_params);
  return g_strjoinv (" ", edited);
}

/* The text between the first pair of single quotes, or NULL. */
static char *
first_quoted (const char *line)
{
  const char *open = strchr (line, '\'');
  const char *close = open != NULL ? strchr (open + 1, '\'') : NULL;

  return close != NULL ? g_strndup (open + 1, (gsize) (close - open - 1)) : NULL;
}

/* The first menu entry of grub.cfg (GRUB's default 0), with its kernel line
 * edited, as a 40_custom-style script; NULL if there is none. */
static char *
grub_script (const char  *grub_cfg,
             char       **title_out)
{
  g_auto(GStrv) lines = g_strsplit (grub_cfg, "\n", -1);
  g_autoptr(GString) body = NULL;
  g_autofree char *title = NULL;
  gboolean linux_seen = FALSE;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i] + strspn (lines[i], " \t");

      if (body == NULL)
        {
          if (g_str_has_prefix (line, "menuentry "))
            {
              title = first_quoted (line);
              body = g_string_new (NULL);
            }
          continue;
        }

      if (g_str_has_prefix (line, "}"))
        break;
      if (g_str_has_prefix (line, "linux") && (line[5] == ' ' || line[5] == '\t' ||
                                               g_str_has_prefix (line, "linuxefi")))
        {
          gsize command = strcspn (line, " \t");
          const char *path = line + command + strspn (line + command, " \t");
          gsize path_len = strcspn (path, " \t");
          g_autofree char *params = pt_boot_plan_params_without (path + path_len);

          g_string_append_printf (body, "\t%.*s\t%.*s %s\n", (int) command, line,
                                  (int) path_len, path, params);
          linux_seen = TRUE;
        }
      else
        g_string_append_printf (body, "\t%s\n", line);
    }

  if (body == NULL || !linux_seen || lines[i] == NULL)
    return NULL;

  /* A title GRUB would need escapes for is not copied. */
  if (title == NULL || strpbrk (title, "'\\$") != NULL)
    {
      g_free (title);
      title = g_strdup ("Linux");
    }
  *title_out = g_strdup_printf (_("%s, without Passthrough"), title);
  return g_strdup_printf ("#!/bin/sh\n"
                          "exec tail -n +4 \"$0\"\n"
                          HEADER
                          "menuentry '%s' --id " ENTRY_ID " {\n%s}\n",
                          *title_out, body->str);
}

static gboolean
plan_grub (PtPlan       *plan,
           PtRoot       *root,
           PtBootSetup  *boot,
           char        **title,
           GError      **error)
{
  const char *grub_cfg = pt_boot_setup_get_grub_cfg (boot);
  const char * const *regenerate = pt_boot_setup_get_regenerate_argv (boot);
  g_autofree char *text = NULL;
  g_autofree char *before = NULL;
  g_autofree char *script = NULL;
  const char *reboot[] = { NULL, ENTRY_ID, NULL };

  if (grub_cfg == NULL || regenerate == NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                           _("Where this host’s GRUB configuration is generated is unknown."));
      return FALSE;
    }
  text = pt_root_read_file (root, grub_cfg + 1, NULL, error);
  if (text == NULL)
    return FALSE;
  script = grub_script (text, title);
  if (script == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                   _("%s has no menu entry with a kernel line to start without Passthrough."),
                   grub_cfg);
      return FALSE;
    }

  before = pt_root_read_file (root, GRUB_SCRIPT + 1, NULL, NULL);
  pt_plan_add_file (plan, GRUB_SCRIPT, before, script);
  pt_plan_add_command (plan, regenerate);
  pt_plan_expect_file (plan, grub_cfg, "--id " ENTRY_ID " {", _("entry without Passthrough"));
  reboot[0] = g_str_has_prefix (regenerate[0], "grub2-") ? "grub2-reboot" : "grub-reboot";
  pt_plan_add_command (plan, reboot);
  return TRUE;
}

static int
compare_versions (gconstpointer a,
                  gconstpointer b)
{
  return -strverscmp (*(const char **) a, *(const char **) b);
}

/* The entry the boot loader starts by default: loader.conf's "default"
 * (or grubenv's saved_entry) if it names one, else the newest that is no
 * rescue entry. */
static char *
default_entry (PtRoot     *root,
               const char *dir,
               const char *named)
{
  g_autoptr(GPtrArray) names = pt_root_list_dir (root, dir, NULL);
  guint i;

  if (names == NULL)
    return NULL;
  g_ptr_array_sort (names, compare_versions);

  if (named != NULL)
    for (i = 0; i < names->len; i++)
      {
        const char *name = g_ptr_array_index (names, i);
        g_autofree char *with_conf = g_str_has_suffix (named, ".conf") ? g_strdup (named)
                                                                       : g_strconcat (named, ".conf", NULL);

        if (g_pattern_match_simple (with_conf, name))
          return g_strdup (name);
      }

  for (i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (g_str_has_suffix (name, ".conf") && name[0] != '.' && strstr (name, "rescue") == NULL &&
          strstr (name, "ecovery") == NULL && !g_str_equal (name, ENTRY_ID ".conf"))
        return g_strdup (name);
    }
  return NULL;
}

/* "key value" in a loader.conf or grubenv ("key=value") */
static char *
config_value (const char *text,
              const char *key,
              char        separator)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  gsize len = strlen (key);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], key, len) == 0 &&
        (lines[i][len] == separator || (separator == ' ' && lines[i][len] == '\t')))
      return g_strstrip (g_strdup (lines[i] + len + 1));
  return NULL;
}

static gboolean
plan_entry (PtPlan       *plan,
            PtRoot       *root,
            PtBootSetup  *boot,
            char        **title,
            GError      **error)
{
  static const char * const dirs[] = {
    "boot/loader/entries", "boot/efi/loader/entries", "efi/loader/entries", NULL,
  };
  PtBootloader loader = pt_boot_setup_get_bootloader (boot);
  g_autofree char *named = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autofree char *relpath = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) copy = NULL;
  gboolean options_seen = FALSE;
  const char *dir = NULL;
  guint i;

  for (i = 0; dirs[i] != NULL && dir == NULL; i++)
    {
      g_autofree char *conf_path = g_strdup_printf ("%.*s/loader.conf",
                                                    (int) (strlen (dirs[i]) - strlen ("/entries")),
                                                    dirs[i]);
      g_autofree char *conf = pt_root_read_file (root, conf_path, NULL, NULL);
      g_autofree char *found = NULL;

      if (loader == PT_BOOTLOADER_GRUB_BLS)
        {
          g_autofree char *env = pt_root_read_file (root, "boot/grub2/grubenv", NULL, NULL);

          g_free (named);
          named = config_value (env, "saved_entry", '=');
        }
      else
        {
          g_free (named);
          named = config_value (conf, "default", ' ');
        }
      found = default_entry (root, dirs[i], named);
      if (found != NULL)
        {
          dir = dirs[i];
          name = g_steal_pointer (&found);
        }
    }

  if (dir == NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                           _("No boot entry was found to copy (loader/entries/NAME.conf)."));
      return FALSE;
    }

  relpath = g_build_filename (dir, name, NULL);
  text = pt_root_read_file (root, relpath, NULL, error);
  if (text == NULL)
    return FALSE;

  lines = g_strsplit (text, "\n", -1);
  copy = g_string_new (HEADER);
  for (i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "options ") || g_str_has_prefix (lines[i], "options\t"))
        {
          g_autofree char *params = NULL;

          /* Old Fedora entries say "options $kernelopts": the value is in grubenv. */
          if (strchr (lines[i], '$') != NULL)
            {
              g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                           _("/%s takes its options from a variable (%s), so it cannot be copied "
                             "for you. Press “e” at the boot menu and remove the parameters for "
                             "one start instead."), relpath, lines[i]);
              return FALSE;
            }
          params = pt_boot_plan_params_without (lines[i] + 8);
          g_string_append_printf (copy, "options %s", params);
          options_seen = TRUE;
        }
      else if (g_str_has_prefix (lines[i], "title ") || g_str_has_prefix (lines[i], "title\t"))
        {
          g_autofree char *stripped = g_strstrip (g_strdup (lines[i] + 6));

          *title = g_strdup_printf (_("%s, without Passthrough"), stripped);
          g_string_append_printf (copy, "title %s", *title);
        }
      /* Without them it sorts after the others and never becomes the
       * default: it is chosen for one start only. */
      else if (g_str_has_prefix (lines[i], "sort-key") || g_str_has_prefix (lines[i], "version"))
        continue;
      else
        g_string_append (copy, lines[i]);

      if (lines[i + 1] != NULL)
        g_string_append_c (copy, '\n');
    }

  if (!options_seen)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("/%s has no options line to copy."), relpath);
      return FALSE;
    }
  if (*title == NULL)
    *title = g_strdup (_("Linux, without Passthrough"));

  path = g_strdup_printf ("/%s/" ENTRY_ID ".conf", dir);
  before = pt_root_read_file (root, path + 1, NULL, NULL);
  pt_plan_add_file (plan, path, before, copy->str);

  if (loader == PT_BOOTLOADER_GRUB_BLS)
    {
      const char *reboot[] = { "grub2-reboot", ENTRY_ID, NULL };

      pt_plan_add_command (plan, reboot);
    }
  else
    {
      const char *oneshot[] = { "bootctl", "set-oneshot", ENTRY_ID ".conf", NULL };

      pt_plan_add_command (plan, oneshot);
    }
  return TRUE;
}

/**
 * pt_boot_plan_once_without:
 *
 * Returns: (transfer full): the plan that starts the computer once with a
 *   copy of its default entry without Passthrough's parameters and with
 *   its boot-time binding off, or %NULL with @error set
 */
PtPlan *
pt_boot_plan_once_without (PtRoot       *root,
                           PtBootSetup  *boot,
                           GError      **error)
{
  g_autoptr(PtPlan) plan = pt_plan_new (NULL);
  g_autofree char *title = NULL;
  gboolean planned;

  switch (pt_boot_setup_get_bootloader (boot))
    {
    case PT_BOOTLOADER_GRUB:
      planned = plan_grub (plan, root, boot, &title, error);
      break;

    case PT_BOOTLOADER_GRUB_BLS:
    case PT_BOOTLOADER_SYSTEMD_BOOT:
    case PT_BOOTLOADER_KERNELSTUB:
      planned = plan_entry (plan, root, boot, &title, error);
      break;

    case PT_BOOTLOADER_UNKNOWN:
    default:
      g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                           _("This host’s boot loader was not recognised. Open the boot menu, "
                             "press “e” and add passthrough.vfio=off vfio-pci.ids= (and remove "
                             "intel_iommu=on) for one start (see the help: Undo changes)."));
      return NULL;
    }

  if (!planned)
    return NULL;

  pt_plan_set_summary_printf (plan, _("Start once with “%s”: the normal system, without the IOMMU "
                                      "parameters and with Passthrough’s binding at boot off "
                                      "(passthrough.vfio=off). The start after that is as usual; "
                                      "undo removes the entry."), title);
  pt_plan_set_reboot (plan, TRUE);
  return g_steal_pointer (&plan);
}
