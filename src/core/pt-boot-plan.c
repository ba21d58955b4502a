/* pt-boot-plan.c
 *
 * The plan that turns the IOMMU on at the next boot, for the boot loader
 * this host really uses:
 *
 *  - GRUB: the kernel parameters go into the assignment the shell would use,
 *    which may be in a /etc/default/grub.d/NAME.cfg drop-in rather than in
 *    /etc/default/grub; Debian-like systems get them in
 *    GRUB_CMDLINE_LINUX_DEFAULT (so the recovery entry stays without them),
 *    the others in GRUB_CMDLINE_LINUX; then grub.cfg is regenerated where
 *    this distribution keeps it. BLS systems also get grubby, which edits
 *    the existing entries.
 *  - systemd-boot: /etc/kernel/cmdline and every entry's options line.
 *  - kernelstub (Pop!_OS): its -a and -d commands; never -o, which replaces
 *    the whole command line.
 *
 * Intel needs intel_iommu=on; AMD's IOMMU is on by default and amd_iommu=on
 * is not a valid value, so for AMD only the flags that turn it off go.
 * iommu=pt is added for both. The plan only reads the host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-boot-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-boot-plan.h"
#include "pt-error.h"
#include "pt-grub-defaults.h"
#include "pt-kernel-cmdline.h"

static const char * const disablers[] = {
  "intel_iommu=off", "amd_iommu=off", "iommu=off", "amd_iommu=on", NULL,
};

static GStrv
wanted_params (PtCpuVendor vendor)
{
  const char *intel[] = { "intel_iommu=on", "iommu=pt", NULL };
  const char *other[] = { "iommu=pt", NULL };

  return g_strdupv ((char **) (vendor == PT_CPU_VENDOR_INTEL ? intel : other));
}

static char *
read_text (PtRoot     *root,
           const char *relpath)
{
  return pt_root_read_file (root, relpath, NULL, NULL);
}

/* /etc/default/grub, then the drop-ins in the order grub-mkconfig sources
 * them (the shell's glob: sorted), as relative paths, with their texts; a
 * file that cannot be read makes the value in force unknown. */
static gboolean
read_grub_files (PtRoot     *root,
                 GPtrArray **paths_out,
                 GPtrArray **texts_out,
                 GError    **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) dropins = pt_root_list_dir (root, "etc/default/grub.d", NULL);
  guint i;

  g_ptr_array_add (paths, g_strdup ("etc/default/grub"));
  for (i = 0; dropins != NULL && i < dropins->len; i++)
    {
      const char *name = g_ptr_array_index (dropins, i);

      if (g_str_has_suffix (name, ".cfg") && strchr (name, '/') == NULL)
        g_ptr_array_add (paths, g_strconcat ("etc/default/grub.d/", name, NULL));
    }

  for (i = 0; i < paths->len; i++)
    {
      const char *relpath = g_ptr_array_index (paths, i);
      char *text = read_text (root, relpath);

      if (text == NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                       _("/%s cannot be read, so the kernel command line cannot be changed "
                         "for you."), relpath);
          return FALSE;
        }
      g_ptr_array_add (texts, text);
    }

  *paths_out = g_steal_pointer (&paths);
  *texts_out = g_steal_pointer (&texts);
  return TRUE;
}

/* What grub-mkconfig puts on the kernel line of the normal entries:
 * GRUB_CMDLINE_LINUX, then GRUB_CMDLINE_LINUX_DEFAULT. */
static char *
grub_kernel_line (const char * const  *texts,
                  guint                n_texts,
                  GError             **error)
{
  g_autofree char *linux_ = pt_grub_defaults_effective (texts, n_texts, "GRUB_CMDLINE_LINUX",
                                                        error);
  g_autofree char *linux_default = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) params = NULL;

  if (linux_ == NULL)
    return NULL;
  linux_default = pt_grub_defaults_effective (texts, n_texts, "GRUB_CMDLINE_LINUX_DEFAULT", error);
  if (linux_default == NULL)
    return NULL;

  joined = g_strconcat (linux_, " ", linux_default, NULL);
  params = pt_kernel_cmdline_split (joined);
  return g_strjoinv (" ", params);
}

/**
 * pt_boot_plan_grub_kernel_line:
 *
 * The parameters GRUB's normal entries get from /etc/default/grub and its
 * drop-ins, computed as grub-mkconfig's sourcing of them in order gives them.
 *
 * Returns: (transfer full): the parameters, or %NULL with @error set
 */
char *
pt_boot_plan_grub_kernel_line (PtRoot  *root,
                               GError **error)
{
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GPtrArray) texts = NULL;

  if (!read_grub_files (root, &paths, &texts, error))
    return NULL;
  return grub_kernel_line ((const char * const *) texts->pdata, texts->len, error);
}

/* Keeps copies of the boot entries a command (grubby, kernelstub) rewrites. */
static void
snapshot_entries (PtPlan     *plan,
                  PtRoot     *root,
                  const char *relpath)
{
  g_autoptr(GPtrArray) entries = pt_root_list_dir (root, relpath, NULL);
  guint i;

  for (i = 0; entries != NULL && i < entries->len; i++)
    {
      const char *name = g_ptr_array_index (entries, i);

      if (g_str_has_suffix (name, ".conf") && name[0] != '.')
        {
          g_autofree char *path = g_strconcat ("/", relpath, "/", name, NULL);

          pt_plan_add_snapshot (plan, path);
        }
    }
}

static gboolean
plan_grub (PtPlan       *plan,
           PtRoot       *root,
           PtBootSetup  *boot,
           const char   *const *add,
           GError      **error)
{
  gboolean debian_like = pt_boot_setup_is_like (boot, "debian") ||
                         pt_boot_setup_is_like (boot, "ubuntu");
  const char *variable = debian_like ? "GRUB_CMDLINE_LINUX_DEFAULT" : "GRUB_CMDLINE_LINUX";
  const char *other = debian_like ? "GRUB_CMDLINE_LINUX" : "GRUB_CMDLINE_LINUX_DEFAULT";
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_auto(GStrv) edited = NULL;
  g_auto(GStrv) after = NULL;
  g_autofree char *line = NULL;
  g_autofree char *summary = NULL;
  guint i;

  if (!read_grub_files (root, &paths, &texts, error))
    return FALSE;

  edited = pt_grub_defaults_edit_files ((const char * const *) texts->pdata, texts->len,
                                        variable, add, disablers, error);
  if (edited == NULL)
    return FALSE;
  after = pt_grub_defaults_edit_files ((const char * const *) edited, texts->len,
                                       other, NULL, disablers, error);
  if (after == NULL)
    return FALSE;

  for (i = 0; i < paths->len; i++)
    {
      g_autofree char *path = g_strconcat ("/", (char *) g_ptr_array_index (paths, i), NULL);

      pt_plan_add_file (plan, path, g_ptr_array_index (texts, i), after[i]);
    }

  /* The review shows what the kernel will really get, drop-ins included. */
  line = grub_kernel_line ((const char * const *) after, texts->len, error);
  if (line == NULL)
    return FALSE;
  summary = g_strdup (pt_plan_get_summary (plan));
  pt_plan_set_summary_printf (plan, _("%s GRUB’s normal entries then start the kernel with “%s”."),
                              summary != NULL ? summary : "", line);

  if (pt_boot_setup_get_bootloader (boot) == PT_BOOTLOADER_GRUB_BLS)
    {
      g_autofree char *args = g_strjoinv (" ", (char **) add);
      g_autofree char *add_arg = g_strconcat ("--args=", args, NULL);
      g_autofree char *off = g_strjoinv (" ", (char **) disablers);
      g_autofree char *remove_arg = g_strconcat ("--remove-args=", off, NULL);
      const char *grubby_add[] = { "grubby", "--update-kernel=ALL", add_arg, NULL };
      const char *grubby_remove[] = { "grubby", "--update-kernel=ALL", remove_arg, NULL };

      pt_plan_add_command (plan, grubby_remove);
      pt_plan_add_command (plan, grubby_add);
      snapshot_entries (plan, root, "boot/loader/entries");
      pt_plan_add_snapshot (plan, "/boot/grub2/grubenv");
    }

  if (pt_boot_setup_get_regenerate_argv (boot) != NULL)
    pt_plan_add_command (plan, pt_boot_setup_get_regenerate_argv (boot));

  return TRUE;
}

static char *
edit_cmdline_text (const char         *line,
                   const char * const *add)
{
  g_auto(GStrv) params = pt_kernel_cmdline_split (line);
  g_auto(GStrv) edited = pt_kernel_params_edit ((const char * const *) params, add, disablers);

  return g_strjoinv (" ", edited);
}

static void
plan_systemd_boot (PtPlan             *plan,
                   PtRoot             *root,
                   const char * const *add)
{
  static const char * const entry_dirs[] = {
    "boot/loader/entries", "boot/efi/loader/entries", "efi/loader/entries",
  };
  g_autofree char *cmdline = read_text (root, "etc/kernel/cmdline");
  guint d, i;

  if (cmdline != NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (cmdline));
      g_autofree char *edited = edit_cmdline_text (stripped, add);
      g_autofree char *after = g_strconcat (edited, "\n", NULL);

      pt_plan_add_file (plan, "/etc/kernel/cmdline", cmdline, after);
    }

  for (d = 0; d < G_N_ELEMENTS (entry_dirs); d++)
    {
      g_autoptr(GPtrArray) entries = pt_root_list_dir (root, entry_dirs[d], NULL);

      for (i = 0; entries != NULL && i < entries->len; i++)
        {
          const char *name = g_ptr_array_index (entries, i);
          g_autofree char *relpath = g_build_filename (entry_dirs[d], name, NULL);
          g_autofree char *before = NULL;
          g_auto(GStrv) lines = NULL;
          g_autofree char *after = NULL;
          g_autofree char *path = NULL;
          guint j;

          if (!g_str_has_suffix (name, ".conf"))
            continue;

          before = read_text (root, relpath);
          if (before == NULL)
            continue;

          lines = g_strsplit (before, "\n", -1);
          for (j = 0; lines[j] != NULL; j++)
            if (g_str_has_prefix (lines[j], "options ") || g_str_has_prefix (lines[j], "options\t"))
              {
                g_autofree char *edited = edit_cmdline_text (lines[j] + 8, add);

                g_free (lines[j]);
                lines[j] = g_strconcat ("options ", edited, NULL);
              }

          after = g_strjoinv ("\n", lines);
          path = g_strconcat ("/", relpath, NULL);
          pt_plan_add_file (plan, path, before, after);
        }
    }
}

static void
plan_kernelstub (PtPlan             *plan,
                 PtRoot             *root,
                 const char * const *add)
{
  g_autofree char *running = read_text (root, "proc/cmdline");
  g_auto(GStrv) params = pt_kernel_cmdline_split (running != NULL ? running : "");
  g_autofree char *args = g_strjoinv (" ", (char **) add);
  const char *kernelstub_add[] = { "kernelstub", "-a", args, NULL };
  guint i;

  for (i = 0; params[i] != NULL; i++)
    if (g_strv_contains (disablers, params[i]))
      {
        const char *kernelstub_delete[] = { "kernelstub", "-d", params[i], NULL };

        pt_plan_add_command (plan, kernelstub_delete);
      }

  pt_plan_add_command (plan, kernelstub_add);
  pt_plan_add_snapshot (plan, "/etc/kernelstub/configuration");
  snapshot_entries (plan, root, "boot/efi/loader/entries");
}

/**
 * pt_boot_plan_add_kernel_params:
 * @add: parameters the kernel command line should have
 *
 * Adds to @plan what puts @add on the kernel command line of this host's
 * boot loader (and takes off the flags that turn the IOMMU off).
 *
 * Returns: %FALSE with @error set when the boot loader cannot be changed
 */
gboolean
pt_boot_plan_add_kernel_params (PtPlan              *plan,
                                PtRoot              *root,
                                PtBootSetup         *boot,
                                const char * const  *add,
                                GError             **error)
{
  g_autofree char *list = NULL;

  switch (pt_boot_setup_get_bootloader (boot))
    {
    case PT_BOOTLOADER_GRUB:
    case PT_BOOTLOADER_GRUB_BLS:
      if (!plan_grub (plan, root, boot, add, error))
        return FALSE;
      break;

    case PT_BOOTLOADER_SYSTEMD_BOOT:
      plan_systemd_boot (plan, root, add);
      break;

    case PT_BOOTLOADER_KERNELSTUB:
      plan_kernelstub (plan, root, add);
      break;

    case PT_BOOTLOADER_UNKNOWN:
    default:
      list = g_strjoinv (" ", (char **) add);
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("This host’s boot loader was not recognised, so the kernel command line "
                     "cannot be changed for you. Add %s to it as your distribution documents."),
                   list);
      return FALSE;
    }

  return TRUE;
}

/**
 * pt_boot_plan_enable_iommu:
 * @vendor: the CPU vendor, which decides the parameters
 *
 * Returns: (transfer full): the plan; empty when the boot configuration
 *   already turns the IOMMU on, or %NULL with @error set when it cannot be
 *   changed for this host
 */
PtPlan *
pt_boot_plan_enable_iommu (PtRoot       *root,
                           PtBootSetup  *boot,
                           PtCpuVendor   vendor,
                           GError      **error)
{
  g_auto(GStrv) add = wanted_params (vendor);
  g_autofree char *list = g_strjoinv (" ", add);
  g_autofree char *summary = NULL;
  g_autoptr(PtPlan) plan = NULL;

  summary = g_strdup_printf (_("Turn the IOMMU on at the next boot: add %s to the kernel command "
                               "line (%s) and remove what turns it off."),
                             list, pt_boot_setup_get_bootloader_name (boot) != NULL
                                     ? pt_boot_setup_get_bootloader_name (boot) : "?");
  plan = pt_plan_new (summary);
  pt_plan_set_reboot (plan, TRUE);

  if (!pt_boot_plan_add_kernel_params (plan, root, boot, (const char * const *) add, error))
    return NULL;

  /* Regenerating alone changes nothing when no file does. */
  if (pt_plan_get_n_files (plan) == 0 &&
      pt_boot_setup_get_bootloader (boot) != PT_BOOTLOADER_KERNELSTUB)
    {
      g_autoptr(PtPlan) nothing = pt_plan_new (_("The boot configuration already turns the IOMMU "
                                                 "on; if it is still off, restart."));
      return g_steal_pointer (&nothing);
    }

  return g_steal_pointer (&plan);
}

/**
 * pt_boot_plan_enable_iommu_for_root:
 *
 * The same plan, for the boot loader and CPU vendor found under @root.
 */
PtPlan *
pt_boot_plan_enable_iommu_for_root (PtRoot  *root,
                                    GError **error)
{
  g_autoptr(PtBootSetup) boot = pt_boot_setup_detect (root);
  g_autofree char *cpuinfo = pt_root_read_file (root, "proc/cpuinfo", NULL, NULL);

  return pt_boot_plan_enable_iommu (root, boot, pt_checks_cpu_vendor (cpuinfo), error);
}
