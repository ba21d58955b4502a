/* pt-early-bind-plan.c
 *
 * Binding devices to vfio-pci from boot on, before their host drivers take
 * them (a GPU the host must never touch), two ways:
 *
 *  - by ID, as the openEuler guide does: "options vfio-pci ids=…" in
 *    /etc/modprobe.d/passthrough-vfio.conf with "softdep DRIVER pre: vfio-pci"
 *    for each host driver, so vfio-pci loads first; on kernels with vfio-pci
 *    built in (Ubuntu) "vfio-pci.ids=…" on the kernel command line instead.
 *    IDs take every device with that ID, so this is refused when another
 *    device with one of the IDs is not being given away (a second identical
 *    GPU for the host): bind by address then.
 *  - by address, as driverctl does: a udev rule sets driver_override to
 *    vfio-pci when the device at that address appears, only if its vendor
 *    and device IDs are still the recorded ones, and loads vfio-pci. Host
 *    drivers loaded by udev afterwards leave it alone. Identical devices work.
 *
 * Both put the vfio modules into the initramfs (dracut force_drivers in a
 * .conf drop-in, which is the only kind dracut reads; initramfs-tools'
 * modules file; mkinitcpio's MODULES), without vfio_virqfd from kernel 6.2
 * on (it was merged into vfio and no longer exists), regenerate it, and
 * list the new image to check the modules are really inside.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-early-bind-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "pt-boot-plan.h"
#include "pt-checks.h"
#include "pt-device-plan.h"
#include "pt-early-bind-plan.h"
#include "pt-error.h"
#include "pt-managed-files.h"

#define MODPROBE_CONF "/etc/modprobe.d/passthrough-vfio.conf"
#define MODULES_LOAD_CONF "/etc/modules-load.d/passthrough-vfio.conf"
#define DRACUT_CONF "/etc/dracut.conf.d/passthrough-vfio.conf"
#define UDEV_RULES "/etc/udev/rules.d/60-passthrough-vfio.rules"
#define INITRAMFS_TOOLS_HOOK "/etc/initramfs-tools/hooks/passthrough-vfio"
#define HEADER "# Written by Passthrough (passthroughctl boot early-bind); undo with “passthroughctl boot undo”.\n"

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

static gboolean
mkinitcpio_has_udev (GStrv lines)
{
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "HOOKS=(") && g_str_has_suffix (lines[i], ")"))
      {
        g_autofree char *inside = g_strndup (lines[i] + 7, strlen (lines[i]) - 8);
        g_auto(GStrv) hooks = g_strsplit_set (inside, " \t", -1);

        return g_strv_contains ((const char * const *) hooks, "udev") ||
               g_strv_contains ((const char * const *) hooks, "systemd");
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
 * pt_early_bind_mkinitcpio_images:
 *
 * Every image (or unified kernel image) of every preset in
 * /etc/mkinitcpio.d/NAME.preset that its PRESETS=(…) names: what
 * "mkinitcpio -P" writes, so each one is checked afterwards.
 *
 * Returns: (transfer full): host paths, possibly none
 */
GStrv
pt_early_bind_mkinitcpio_images (PtRoot *root)
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

/* The listing of a regenerated image must show what the plan put in it. */
static void
add_listing (PtPlan             *plan,
             const char * const *argv,
             gboolean            modules,
             gboolean            rule)
{
  pt_plan_add_command (plan, argv);
  if (modules)
    pt_plan_expect_output (plan, "/vfio-pci.ko", _("vfio-pci module"));
  if (rule)
    pt_plan_expect_output (plan, RULE_IN_IMAGE, _("udev rule 60-passthrough-vfio.rules"));
}

static gboolean
plan_initramfs (PtPlan           *plan,
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
        g_autoptr(GString) after = g_string_new (HEADER);
        const char *regenerate[] = { "dracut", "--force", "--regenerate-all", NULL };
        const char *list[] = { "lsinitrd", NULL, NULL };

        if (want_modules)
          g_string_append_printf (after, "force_drivers+=\" %s \"\n", joined);
        if (want_rule)
          g_string_append (after, "install_items+=\" " UDEV_RULES " \"\n");
        image = g_strdup_printf ("/boot/initramfs-%s.img", release);
        list[1] = image;
        pt_plan_add_file (plan, DRACUT_CONF, before, after->str);
        pt_plan_add_command (plan, regenerate);
        add_listing (plan, list, want_modules, want_rule);
      }
      break;

    case PT_INITRAMFS_INITRAMFS_TOOLS:
      {
        g_autofree char *before = read_text (root, "/etc/initramfs-tools/modules");
        g_autofree char *hook_before = read_text (root, INITRAMFS_TOOLS_HOOK);
        GString *after = g_string_new (before != NULL ? before : "");
        const char *regenerate[] = { "update-initramfs", "-u", "-k", "all", NULL };
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
                            "#!/bin/sh\n" HEADER
                            "PREREQ=\"udev\"\n"
                            "prereqs () { echo \"$PREREQ\"; }\n"
                            "case \"$1\" in prereqs) prereqs; exit 0 ;; esac\n"
                            "mkdir -p \"${DESTDIR}/etc/udev/rules.d\"\n"
                            "cp " UDEV_RULES " \"${DESTDIR}/etc/udev/rules.d/\"\n");
        pt_plan_add_command (plan, regenerate);
        add_listing (plan, list, want_modules, want_rule);
      }
      break;

    case PT_INITRAMFS_MKINITCPIO:
      {
        g_autofree char *before = read_text (root, "/etc/mkinitcpio.conf");
        g_auto(GStrv) lines = g_strsplit (before != NULL ? before : "", "\n", -1);
        g_auto(GStrv) images = pt_early_bind_mkinitcpio_images (root);
        const char *regenerate[] = { "mkinitcpio", "-P", NULL };
        const char *rule_files[] = { UDEV_RULES, NULL };
        g_autofree char *after = NULL;

        /* vfio first, so it claims the devices before a GPU driver listed later. */
        if (want_modules && !edit_mkinitcpio_array (lines, "MODULES", (const char * const *) modules))
          {
            g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                                 _("/etc/mkinitcpio.conf has no one-line MODULES=(…) to add the vfio "
                                   "modules to. Add “MODULES=()” to it and try again."));
            return FALSE;
          }
        if (want_rule && (!edit_mkinitcpio_array (lines, "FILES", rule_files) ||
                          !mkinitcpio_has_udev (lines)))
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
        pt_plan_add_command (plan, regenerate);
        /* Each preset has its own image (linux, linux-zen, linux-lts, fallbacks). */
        for (i = 0; images[i] != NULL; i++)
          {
            const char *list[] = { "lsinitcpio", images[i], NULL };

            add_listing (plan, list, want_modules, want_rule);
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

static gboolean
collect_devices (PtHost              *host,
                 const char * const  *addresses,
                 GPtrArray           *devices,
                 GError             **error)
{
  guint i, j;

  for (i = 0; addresses[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (host, addresses[i]);
      g_autoptr(GPtrArray) members = NULL;

      if (device == NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                       _("There is no PCI device %s on this host. “passthroughctl devices” lists them."),
                       addresses[i]);
          return FALSE;
        }
      if (pt_device_get_iommu_group (device) < 0)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                       _("%s is in no IOMMU group: turn the IOMMU on first."), addresses[i]);
          return FALSE;
        }

      members = pt_device_plan_members (host, addresses[i], TRUE);
      for (j = 0; j < members->len; j++)
        {
          PtDevice *member = g_ptr_array_index (members, j);
          const char * const *reasons = pt_device_get_host_use (member);

          if (reasons[0] != NULL)
            {
              g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                           _("%s is in use by this host: %s. Binding it at boot would take that from "
                             "the host at every start."), pt_device_get_address (member), reasons[0]);
              return FALSE;
            }
          if (!g_ptr_array_find (devices, member, NULL))
            g_ptr_array_add (devices, g_object_ref (member));
        }
    }

  return TRUE;
}

static void
add_softdeps (GString   *text,
              GPtrArray *devices)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  guint i, j;

  for (i = 0; i < devices->len; i++)
    {
      const char * const *modules = pt_device_get_modules (g_ptr_array_index (devices, i));

      for (j = 0; modules[j] != NULL; j++)
        if (!g_str_equal (modules[j], "vfio_pci") &&
            !g_ptr_array_find_with_equal_func (seen, modules[j], g_str_equal, NULL))
          {
            g_ptr_array_add (seen, (gpointer) modules[j]);
            g_string_append_printf (text, "softdep %s pre: vfio-pci\n", modules[j]);
          }
    }
}

static gboolean
plan_by_id (PtPlan       *plan,
            PtRoot       *root,
            PtHost       *host,
            PtBootSetup  *boot,
            GPtrArray    *devices,
            gboolean      builtin,
            GError      **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GListModel *all = pt_host_get_devices (host);
  g_autofree char *list = NULL;
  guint i;

  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *id = g_strdup_printf ("%04x:%04x", pt_device_get_vendor_id (device),
                                             pt_device_get_device_id (device));

      if (!g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_steal_pointer (&id));
    }

  /* An ID binds every device that has it. */
  for (i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(PtDevice) other = g_list_model_get_item (all, i);
      g_autofree char *id = g_strdup_printf ("%04x:%04x", pt_device_get_vendor_id (other),
                                             pt_device_get_device_id (other));

      if (!g_ptr_array_find (devices, other, NULL) &&
          g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_BUSY,
                       _("%s has the same ID (%s) and would be bound to vfio-pci at boot too. "
                         "Bind by address instead (--by-address): it takes only the device you chose."),
                       pt_device_get_address (other), id);
          return FALSE;
        }
    }

  g_ptr_array_add (ids, NULL);
  list = g_strjoinv (",", (char **) ids->pdata);

  if (builtin)
    {
      g_autofree char *param = g_strconcat ("vfio-pci.ids=", list, NULL);
      const char *add[] = { param, NULL };

      if (!pt_boot_plan_add_kernel_params (plan, root, boot, add, error))
        return FALSE;
      /* No module to look for in an image: what counts is the kernel line
       * of the configuration GRUB boots from, once regenerated. */
      if (pt_boot_setup_get_bootloader (boot) == PT_BOOTLOADER_GRUB &&
          pt_boot_setup_get_grub_cfg (boot) != NULL)
        pt_plan_expect_file (plan, pt_boot_setup_get_grub_cfg (boot), param,
                             _("vfio-pci.ids on the kernel line"));
      return TRUE;
    }
  else
    {
      g_autofree char *before = read_text (root, MODPROBE_CONF);
      g_autofree char *load_before = read_text (root, MODULES_LOAD_CONF);
      GString *after = g_string_new (HEADER);

      g_string_append_printf (after, "options vfio-pci ids=%s\n", list);
      add_softdeps (after, devices);
      pt_plan_add_file (plan, MODPROBE_CONF, before, after->str);
      pt_plan_add_file (plan, MODULES_LOAD_CONF, load_before, HEADER "vfio-pci\n");
      g_string_free (after, TRUE);
      return TRUE;
    }
}

static void
plan_by_address (PtPlan    *plan,
                 PtRoot    *root,
                 GPtrArray *devices)
{
  g_autofree char *before = read_text (root, UDEV_RULES);
  GString *after = g_string_new (HEADER);
  guint i;

  /* The way back: passthrough.vfio=off on the kernel line skips every rule. */
  g_string_append (after, "IMPORT{cmdline}=\"" PT_EARLY_BIND_OFF_KEY "\"\n"
                          "ENV{" PT_EARLY_BIND_OFF_KEY "}==\"off\", GOTO=\"passthrough_vfio_end\"\n");
  for (i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      g_string_append_printf (after,
                              "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
                              "ATTR{vendor}==\"0x%04x\", ATTR{device}==\"0x%04x\", "
                              "ATTR{driver_override}=\"vfio-pci\", RUN{builtin}+=\"kmod load vfio-pci\"\n",
                              pt_device_get_address (device), pt_device_get_vendor_id (device),
                              pt_device_get_device_id (device));
    }
  g_string_append (after, "LABEL=\"passthrough_vfio_end\"\n");
  pt_plan_add_file (plan, UDEV_RULES, before, after->str);
  g_string_free (after, TRUE);
}

/**
 * pt_early_bind_plan:
 * @addresses: the devices; each brings its whole IOMMU group
 *
 * Returns: (transfer full): the plan, or %NULL with @error set
 */
PtPlan *
pt_early_bind_plan (PtRoot              *root,
                    PtHost              *host,
                    const char * const  *addresses,
                    PtEarlyBindKind      kind,
                    GError             **error)
{
  g_autoptr(PtBootSetup) boot = pt_boot_setup_detect (root);
  gboolean builtin = pt_checks_vfio_pci_is_builtin (root, pt_boot_setup_get_kernel_release (boot));
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(PtPlan) plan = NULL;
  g_autofree char *joined = NULL;
  guint i;

  if (addresses == NULL || addresses[0] == NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_INVALID_ARGUMENT,
                           _("Name at least one device to bind at boot."));
      return NULL;
    }

  if (!collect_devices (host, addresses, devices, error))
    return NULL;

  for (i = 0; i < devices->len; i++)
    g_ptr_array_add (names, (gpointer) pt_device_get_address (g_ptr_array_index (devices, i)));
  g_ptr_array_add (names, NULL);
  joined = g_strjoinv (", ", (char **) names->pdata);

  plan = pt_plan_new (NULL);
  if (kind == PT_EARLY_BIND_BY_ID)
    {
      pt_plan_set_summary_printf (plan, _("Bind %s to vfio-pci at every boot, by device ID."), joined);
      if (!plan_by_id (plan, root, host, boot, devices, builtin, error))
        return NULL;
    }
  else
    {
      pt_plan_set_summary_printf (plan, _("Bind %s to vfio-pci at every boot, by address."), joined);
      plan_by_address (plan, root, devices);
    }

  if (!plan_initramfs (plan, root, boot, kind, builtin, error))
    return NULL;
  pt_plan_set_reboot (plan, TRUE);
  return g_steal_pointer (&plan);
}
