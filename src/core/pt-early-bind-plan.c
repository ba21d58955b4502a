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
 * Both put what they need into the initramfs and check it is there
 * (pt-initramfs-plan.c). The rule obeys passthrough.vfio=off on the kernel
 * line, the way back (pt-boot-once-plan.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pt-early-bind-plan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pt-boot-plan.h"
#include "pt-change-history.h"
#include "pt-checks.h"
#include "pt-device-plan.h"
#include "pt-early-bind-plan.h"
#include "pt-error.h"
#include "pt-initramfs-plan.h"

#define MODPROBE_CONF "/etc/modprobe.d/passthrough-vfio.conf"
#define MODULES_LOAD_CONF "/etc/modules-load.d/passthrough-vfio.conf"
#define UDEV_RULES PT_EARLY_BIND_UDEV_RULES
#define HEADER PT_EARLY_BIND_HEADER

static char *
read_text (PtRoot     *root,
           const char *path)
{
  return pt_root_read_file (root, path + 1, NULL, NULL);
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

/* Adds to @bound what one "ids=a:b,c:d" list names. */
static void
add_ids (GHashTable *bound,
         const char *list)
{
  g_auto(GStrv) ids = g_strsplit (list, ",", -1);
  guint i;

  for (i = 0; ids[i] != NULL; i++)
    if (strlen (ids[i]) == 9 && ids[i][4] == ':')
      g_hash_table_add (bound, g_ascii_strdown (ids[i], -1));
}

/**
 * pt_early_bind_read_bound:
 *
 * What is bound to vfio-pci at every boot, read from the files this plan
 * writes (and the kernel command line's vfio-pci.ids): addresses from the
 * udev rule, "vendor:device" IDs from modprobe.d and the command line.
 *
 * Returns: (transfer full) (element-type utf8 utf8): the addresses and IDs,
 *   as a set
 */
GHashTable *
pt_early_bind_read_bound (PtRoot *root)
{
  GHashTable *bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *rules = read_text (root, UDEV_RULES);
  g_autofree char *modprobe = read_text (root, MODPROBE_CONF);
  g_autofree char *cmdline = pt_root_read_file (root, "proc/cmdline", NULL, NULL);
  const char *p;

  for (p = rules != NULL ? strstr (rules, "KERNEL==\"") : NULL; p != NULL; p = strstr (p, "KERNEL==\""))
    {
      const char *start = p + strlen ("KERNEL==\"");
      const char *end = strchr (start, '"');

      if (end == NULL)
        break;
      g_hash_table_add (bound, g_strndup (start, end - start));
      p = end;
    }
  for (p = modprobe != NULL ? strstr (modprobe, "options vfio-pci ids=") : NULL; p != NULL; p = NULL)
    {
      g_autofree char *list = g_strndup (p + strlen ("options vfio-pci ids="),
                                         strcspn (p + strlen ("options vfio-pci ids="), " \n"));

      add_ids (bound, list);
    }
  for (p = cmdline != NULL ? strstr (cmdline, "vfio-pci.ids=") : NULL; p != NULL; p = strstr (p + 1, "vfio-pci.ids="))
    {
      g_autofree char *list = g_strndup (p + strlen ("vfio-pci.ids="),
                                         strcspn (p + strlen ("vfio-pci.ids="), " \n"));

      add_ids (bound, list);
    }
  return bound;
}

/**
 * pt_early_bind_find_change:
 *
 * Returns: the number of the newest change in the history, still in force,
 *   that wrote the boot-time binding (its Undo unbinds at boot), or 0
 */
guint
pt_early_bind_find_change (PtRoot *root)
{
  g_autoptr(GPtrArray) changes = pt_change_history_list (root);
  guint i;

  for (i = changes->len; i > 0; i--)
    {
      PtChange *change = g_ptr_array_index (changes, i - 1);

      if (g_strcmp0 (change->state, "done") == 0 && change->paths != NULL &&
          (g_strv_contains ((const char * const *) change->paths, UDEV_RULES) ||
           g_strv_contains ((const char * const *) change->paths, MODPROBE_CONF)))
        return change->id;
    }
  return 0;
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

  if (!pt_initramfs_plan_add (plan, root, boot, kind, builtin, error))
    return NULL;
  pt_plan_set_reboot (plan, TRUE);
  return g_steal_pointer (&plan);
}
