/* pt-initramfs-plan.c
 *
 * What early binding needs inside the initramfs, for the generator this
 * host uses: the vfio modules unless vfio-pci is built in (dracut
 * force_drivers in a .conf drop-in, which is the only kind dracut reads;
 * initramfs-tools' modules file; mkinitcpio's MODULES), without vfio_virqfd
 * from kernel 6.2 on (it was merged into vfio), and the rule that binds by
 * address, so that a GPU driver loaded from the initramfs (kms, plymouth)
 * does not take the device first (dracut install_items, an initramfs-tools
 * hook, mkinitcpio FILES with the udev or systemd hook). Then it regenerates
 * the images and lists each one — for mkinitcpio every image of every
 * preset — with what the listing must show; the helper rolls the change
 * back when something is missing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-initramfs-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "pt-error.h"
#include "pt-initramfs-plan.h"
#include "pt-managed-files.h"

#define DRACUT_CONF "/etc/dracut.conf.d/passthrough-vfio.conf"
#define INITRAMFS_TOOLS_HOOK "/etc/initramfs-tools/hooks/passthrough-vfio"

static gboolean
kernel_has_virqfd (const char *release)
{
  int major = 0, minor = 0;

  /* vfio_virqfd was folded into vfio in 6.2. */
  if (release == NULL || sscanf (release, "%d.%d", &major, &minor) != 2)
    return FALSE;
  return major < 6 || (major == 6 && minor < 2);
}

static char *
read_text (PtRoot     *root,
           const char *path)
{
  return pt_root_read_file (root, path + 1, NULL, NULL);
}

/* Module names as the initramfs tools want them. */
static GStrv
vfio_modules (const char *release)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add_many (builder, "vfio_pci", "vfio", "vfio_iommu_type1", NULL);
  if (kernel_has_virqfd (release))
    g_strv_builder_add (builder, "vfio_virqfd");
  return g_strv_builder_end (builder);
}

static gboolean
has_line (const char *text,
          const char *line)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    if (g_str_equal (g_strstrip (lines[i]), line))
      return TRUE;
  return FALSE;
}

/* "MODULES=(a b)" -> the line with @first first (in order), then the rest kept. */
static char *
edit_array_line (const char         *line,
                 const char         *name,
                 const char * const *first)
{
  gsize prefix = strlen (name) + 2;
  g_autofree char *inside = g_strndup (line + prefix, strlen (line) - prefix - 1);
  g_auto(GStrv) present = g_strsplit_set (inside, " \t", -1);
  g_autoptr(GString) wanted = g_string_new (NULL);
  guint j;

  for (j = 0; first[j] != NULL; j++)
    g_string_append_printf (wanted, "%s%s", wanted->len > 0 ? " " : "", first[j]);
  for (j = 0; present[j] != NULL; j++)
    if (present[j][0] != '\0' && !g_strv_contains (first, present[j]))
      g_string_append_printf (wanted, "%s%s", wanted->len > 0 ? " " : "", present[j]);
  return g_strdup_printf ("%s=(%s)", name, wanted->str);
}

/* Edits the one-line NAME=(…) of mkinitcpio.conf; FALSE if there is none. */
static gboolean
edit_mkinitcpio_array (GStrv               lines,
                       const char         *name,
                       const char * const *first)
{
  g_autofree char *prefix = g_strconcat (name, "=(", NULL);
  gboolean done = FALSE;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix) && g_str_has_suffix (lines[i], ")"))
      {
        char *edited = edit_array_line (lines[i], name, first);

        g_free (lines[i]);
        lines[i] = edited;
        done = TRUE;
      }
  return done;
}

/* Whether HOOKS=(…) has one of @hooks. */
static gboolean
mkinitcpio_has_hook (GStrv               lines,
                     const char * const *hooks)
{
  guint i, j;

  for (i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "HOOKS=(") && g_str_has_suffix (lines[i], ")"))
      {
        g_autofree char *inside = g_strndup (lines[i] + 7, strlen (lines[i]) - 8);
        g_auto(GStrv) present = g_strsplit_set (inside, " \t", -1);

        for (j = 0; hooks[j] != NULL; j++)
          if (g_strv_contains ((const char * const *) present, hooks[j]))
            return TRUE;
        return FALSE;
      }
  return FALSE;
}

/* A path the root helper may hand to lsinitcpio: absolute, clean, plain. */
static gboolean
is_plain_image_path (const char *path)
{
  const char *p;

  if (path == NULL || (!g_str_has_prefix (path, "/boot/") && !g_str_has_prefix (path, "/efi/")) ||
      !pt_managed_path_is_clean (path) || strlen (path) > 255)
    return FALSE;
  for (p = path; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/._-+", *p) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * pt_initramfs_plan_mkinitcpio_images:
 *
 * Every image (or unified kernel image) of every preset in
 * /etc/mkinitcpio.d/NAME.preset that its PRESETS=(…) names: what
 * "mkinitcpio -P" writes, so each one is checked afterwards.
 *
 * Returns: (transfer full): host paths, possibly none
 */
GStrv
pt_initramfs_plan_mkinitcpio_images (PtRoot *root)
{
  g_autoptr(GPtrArray) names = pt_root_list_dir (root, "etc/mkinitcpio.d", NULL);
  g_autoptr(GStrvBuilder) images = g_strv_builder_new ();
  guint i, j;

  for (i = 0; names != NULL && i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *relpath = NULL;
      g_autofree char *text = NULL;
      g_autofree char *presets = NULL;
      g_auto(GStrv) words = NULL;

      if (!g_str_has_suffix (name, ".preset") || strchr (name, '/') != NULL)
        continue;
      relpath = g_strconcat ("etc/mkinitcpio.d/", name, NULL);
      text = pt_root_read_file (root, relpath, NULL, NULL);
      if (text == NULL)
        continue;
      presets = pt_boot_setup_shell_value (text, "PRESETS");
      if (presets == NULL || presets[0] != '(')
        continue;
      words = g_strsplit_set (presets, "() \t'\"", -1);
      for (j = 0; words[j] != NULL; j++)
        {
          g_autofree char *uki_key = g_strconcat (words[j], "_uki", NULL);
          g_autofree char *image_key = g_strconcat (words[j], "_image", NULL);
          g_autofree char *image = NULL;

          if (words[j][0] == '\0')
            continue;
          image = pt_boot_setup_shell_value (text, uki_key);
          if (image == NULL)
            image = pt_boot_setup_shell_value (text, image_key);
          if (is_plain_image_path (image))
            g_strv_builder_add (images, image);
        }
    }

  return g_strv_builder_end (images);
}

#define RULE_IN_IMAGE "etc/udev/rules.d/60-passthrough-vfio.rules"
#define OPTIONS_IN_IMAGE "etc/modprobe.d/passthrough-vfio.conf"

/* The listing of a regenerated image must show what the plan put in it. */
static void
add_listing (PtPlan             *plan,
             const char * const *argv,
             gboolean            modules,
             gboolean            options,
             gboolean            rule)
{
  pt_plan_add_command (plan, argv);
  if (modules)
    pt_plan_expect_output (plan, "/vfio-pci.ko", _("vfio-pci module"));
  if (options)
    pt_plan_expect_output (plan, OPTIONS_IN_IMAGE, _("vfio-pci options passthrough-vfio.conf"));
  if (rule)
    pt_plan_expect_output (plan, RULE_IN_IMAGE, _("udev rule 60-passthrough-vfio.rules"));
}

/**
 * pt_initramfs_plan_add:
 * @builtin: vfio-pci is built into the kernel, so no module goes in
 * @kind: by address, the udev rule goes in too
 *
 * Adds to @plan what puts the vfio modules and the rule into the initramfs
 * of this host's generator, regenerates it and lists every image it wrote
 * with what each listing must show.
 *
 * Returns: %FALSE with @error set when it cannot be done for this host
 */
gboolean
pt_initramfs_plan_add (PtPlan           *plan,
                       PtRoot           *root,
                       PtBootSetup      *boot,
                       PtEarlyBindKind   kind,
                       gboolean          builtin,
                       GError          **error)
{
  const char *release = pt_boot_setup_get_kernel_release (boot);
  g_auto(GStrv) modules = vfio_modules (release);
  g_autofree char *joined = g_strjoinv (" ", modules);
  g_autofree char *image = NULL;
  /* A built-in vfio-pci needs no module; a rule by address must act in the
   * initramfs too, where a GPU driver (kms, plymouth) may take the device. */
  gboolean want_modules = !builtin;
  gboolean want_rule = kind == PT_EARLY_BIND_BY_ADDRESS;
  /* By ID the IDs are in modprobe.d, which every generator copies in (mkinitcpio
   * with its modconf hook): without them vfio-pci would load there idle. */
  gboolean want_options = kind == PT_EARLY_BIND_BY_ID && !builtin;
  const char * const udev_hooks[] = { "udev", "systemd", NULL };
  const char * const modconf_hook[] = { "modconf", NULL };
  guint i;

  if (!want_modules && !want_rule)
    return TRUE;

  if (release == NULL || strchr (release, '/') != NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_INVALID_ROOT,
                           _("The running kernel’s version cannot be read from /proc/sys/kernel/osrelease."));
      return FALSE;
    }

  switch (pt_boot_setup_get_initramfs_tool (boot))
    {
    case PT_INITRAMFS_DRACUT:
      {
        g_autofree char *before = read_text (root, DRACUT_CONF);
        g_autoptr(GString) after = g_string_new (PT_EARLY_BIND_HEADER);
        const char *list[] = { "lsinitrd", NULL, NULL };

        if (want_modules)
          g_string_append_printf (after, "force_drivers+=\" %s \"\n", joined);
        if (want_rule)
          g_string_append (after, "install_items+=\" " PT_EARLY_BIND_UDEV_RULES " \"\n");
        image = g_strdup_printf ("/boot/initramfs-%s.img", release);
        list[1] = image;
        pt_plan_add_file (plan, DRACUT_CONF, before, after->str);
        pt_plan_add_command (plan, pt_boot_setup_get_initramfs_regenerate_argv (boot));
        add_listing (plan, list, want_modules, want_options, want_rule);
      }
      break;

    case PT_INITRAMFS_INITRAMFS_TOOLS:
      {
        g_autofree char *before = read_text (root, "/etc/initramfs-tools/modules");
        g_autofree char *hook_before = read_text (root, INITRAMFS_TOOLS_HOOK);
        GString *after = g_string_new (before != NULL ? before : "");
        const char *list[] = { "lsinitramfs", NULL, NULL };

        for (i = 0; want_modules && modules[i] != NULL; i++)
          if (!has_line (before, modules[i]))
            {
              if (after->len > 0 && after->str[after->len - 1] != '\n')
                g_string_append_c (after, '\n');
              g_string_append_printf (after, "%s\n", modules[i]);
            }
        image = g_strdup_printf ("/boot/initrd.img-%s", release);
        list[1] = image;
        pt_plan_add_file (plan, "/etc/initramfs-tools/modules", before, after->str);
        g_string_free (after, TRUE);
        /* initramfs-tools copies only the rules it knows: a hook brings ours. */
        if (want_rule)
          pt_plan_add_file (plan, INITRAMFS_TOOLS_HOOK, hook_before,
                            "#!/bin/sh\n" PT_EARLY_BIND_HEADER
                            "PREREQ=\"udev\"\n"
                            "prereqs () { echo \"$PREREQ\"; }\n"
                            "case \"$1\" in prereqs) prereqs; exit 0 ;; esac\n"
                            "mkdir -p \"${DESTDIR}/etc/udev/rules.d\"\n"
                            "cp " PT_EARLY_BIND_UDEV_RULES " \"${DESTDIR}/etc/udev/rules.d/\"\n");
        pt_plan_add_command (plan, pt_boot_setup_get_initramfs_regenerate_argv (boot));
        add_listing (plan, list, want_modules, want_options, want_rule);
      }
      break;

    case PT_INITRAMFS_MKINITCPIO:
      {
        g_autofree char *before = read_text (root, "/etc/mkinitcpio.conf");
        g_auto(GStrv) lines = g_strsplit (before != NULL ? before : "", "\n", -1);
        g_auto(GStrv) images = pt_initramfs_plan_mkinitcpio_images (root);
        const char *rule_files[] = { PT_EARLY_BIND_UDEV_RULES, NULL };
        g_autofree char *after = NULL;

        /* vfio first, so it claims the devices before a GPU driver listed later. */
        if (want_modules && !edit_mkinitcpio_array (lines, "MODULES", (const char * const *) modules))
          {
            g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                                 _("/etc/mkinitcpio.conf has no one-line MODULES=(…) to add the vfio "
                                   "modules to. Add “MODULES=()” to it and try again."));
            return FALSE;
          }
        if (want_options && !mkinitcpio_has_hook (lines, modconf_hook))
          {
            g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                                 _("/etc/mkinitcpio.conf has no modconf hook in HOOKS=(…), so the "
                                   "vfio-pci IDs in /etc/modprobe.d would not reach the initramfs. "
                                   "Add modconf to HOOKS and try again."));
            return FALSE;
          }
        if (want_rule && (!edit_mkinitcpio_array (lines, "FILES", rule_files) ||
                          !mkinitcpio_has_hook (lines, udev_hooks)))
          {
            g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                                 _("/etc/mkinitcpio.conf needs a one-line FILES=(…) and the udev (or "
                                   "systemd) hook in HOOKS=(…) for the rule that binds by address to "
                                   "act inside the initramfs. Add them and try again, or bind by ID."));
            return FALSE;
          }
        if (images[0] == NULL)
          {
            g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                                 _("No preset in /etc/mkinitcpio.d names an image, so the regenerated "
                                   "initramfs cannot be checked. Reinstall your kernel package."));
            return FALSE;
          }
        after = g_strjoinv ("\n", lines);
        pt_plan_add_file (plan, "/etc/mkinitcpio.conf", before, after);
        pt_plan_add_command (plan, pt_boot_setup_get_initramfs_regenerate_argv (boot));
        /* Each preset has its own image (linux, linux-zen, linux-lts, fallbacks). */
        for (i = 0; images[i] != NULL; i++)
          {
            const char *list[] = { "lsinitcpio", images[i], NULL };

            add_listing (plan, list, want_modules, want_options, want_rule);
          }
      }
      break;

    case PT_INITRAMFS_UNKNOWN:
    default:
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("This host’s initramfs generator was not recognised, so the vfio modules (%s) "
                     "cannot be put into it for you."), joined);
      return FALSE;
    }

  return TRUE;
}
