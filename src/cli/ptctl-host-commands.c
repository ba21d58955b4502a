/* ptctl-host-commands.c
 *
 * The read side of passthroughctl: devices, groups, check. Text output reads
 * like `lspci -nnk`, grouped by IOMMU group; --json gives the shapes of
 * pt-host-json.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthroughctl"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "pt-host-json.h"
#include "pt-json-writer.h"
#include "ptctl-context.h"

static gboolean
no_arguments (PtctlContext *ctx,
              const char   *command,
              int          *status)
{
  if (!ptctl_only_options (ctx, command, "", status))
    return FALSE;

  if (ctx->args[0] == NULL)
    return TRUE;

  *status = ptctl_fail (_("“%s” takes no arguments, but got “%s”"), command, ctx->args[0]);
  return FALSE;
}

/* The words of a device's lines, translated once per listing rather than
 * per line (gettext takes a lock and reads the environment each time). */
typedef struct
{
  const char *subsystem;
  const char *driver;
  const char *override;
  const char *modules;
  const char *vfs;
  const char *physfn;
  const char *resets;
  const char *quirk;
  const char *host_use;
  const char *vm;
} DeviceWords;

static void
device_words_init (DeviceWords *words)
{
  words->subsystem = _("Subsystem");
  words->driver = _("Kernel driver in use");
  words->override = _("Driver override");
  words->modules = _("Kernel modules");
  words->vfs = _("SR-IOV virtual functions");
  words->physfn = _("Virtual function of");
  words->resets = _("Reset methods");
  words->quirk = _("Reset warning");
  words->host_use = _("Used by the host");
  words->vm = _("Given to virtual machine");
}

static void
print_device (PtDevice          *device,
              const DeviceWords *words)
{
  const char * const *modules = pt_device_get_modules (device);
  const char * const *host_use = pt_device_get_host_use (device);
  const char * const *resets = pt_device_get_reset_methods (device);
  const char *subsystem = pt_device_get_subsystem_name (device);
  const char *driver = pt_device_get_driver (device);
  const char *override = pt_device_get_driver_override (device);
  const char *physfn = pt_device_get_physfn (device);
  const char *quirk = pt_device_get_reset_quirk (device);
  guint i;


  const char *class_name = pt_device_get_class_name (device);

  /* libpci names an unknown class "Class [ffff]" already; don't say it twice. */
  if (g_str_has_suffix (class_name, "]"))
    ptctl_printf ("%s %s: ", pt_device_get_address (device), class_name);
  else
    ptctl_printf ("%s %s [%04x]: ", pt_device_get_address (device), class_name,
                  pt_device_get_class_id (device) >> 8);

  ptctl_printf ("%s %s [%04x:%04x]",
                pt_device_get_vendor_name (device),
                pt_device_get_device_name (device),
                pt_device_get_vendor_id (device),
                pt_device_get_device_id (device));
  if (pt_device_get_revision (device) != 0)
    ptctl_printf (" (rev %02x)", pt_device_get_revision (device));
  ptctl_printf ("\n");

  if (subsystem != NULL)
    ptctl_printf ("\t%s: %s [%04x:%04x]\n", words->subsystem, subsystem,
                  pt_device_get_subsystem_vendor_id (device),
                  pt_device_get_subsystem_device_id (device));
  if (driver != NULL)
    ptctl_printf ("\t%s: %s\n", words->driver, driver);
  if (override != NULL)
    ptctl_printf ("\t%s: %s\n", words->override, override);
  if (modules[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) modules);

      ptctl_printf ("\t%s: %s\n", words->modules, list);
    }
  if (pt_device_is_sriov_pf (device))
    ptctl_printf ("\t%s: %d / %d\n", words->vfs,
                  pt_device_get_sriov_num_vfs (device), pt_device_get_sriov_total_vfs (device));
  if (physfn != NULL)
    ptctl_printf ("\t%s: %s\n", words->physfn, physfn);
  if (resets[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (" ", (char **) resets);

      ptctl_printf ("\t%s: %s\n", words->resets, list);
    }
  if (quirk != NULL)
    ptctl_printf ("\t%s: %s\n", words->quirk, quirk);
  for (i = 0; host_use[i] != NULL; i++)
    ptctl_printf ("\t%s: %s\n", words->host_use, host_use[i]);
  if (pt_device_get_vm (device) != NULL)
    ptctl_printf ("\t%s: %s\n", words->vm, pt_device_get_vm (device));
}

/* A document written as it is made, not built whole in memory first (30 MB
 * for devices at 16,384 functions); then @status, or 2 when it could not be
 * written. */
static int
write_json (PtHost *host,
            void  (*write) (PtHost *host, PtJsonWriter *writer),
            int     status)
{
  PtJsonWriter *writer = pt_json_writer_new_for_stream (stdout, TRUE);

  write (host, writer);
  if (!pt_json_writer_close (writer))
    return ptctl_fail (_("cannot write the output: %s"), g_strerror (errno));
  ptctl_printf ("\n");
  return ptctl_end_output (status);
}

static void
print_group_heading (PtIommuGroup *group)
{
  g_autofree char *state = pt_iommu_group_dup_state_text (group);

  ptctl_printf (_("IOMMU group %d: %s\n"), pt_iommu_group_get_number (group), state);
}

int
ptctl_cmd_devices (PtctlContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  GListModel *groups;
  GListModel *devices;
  gboolean heading = FALSE;
  DeviceWords words;
  guint i, j, n;
  int status;

  if (!no_arguments (ctx, "devices", &status))
    return status;

  host = ptctl_scan_host (ctx, &error);
  if (host == NULL)
    return ptctl_fail ("%s", error->message);

  ptctl_begin_output ();
  if (ctx->json)
    return write_json (host, pt_host_write_devices_json, PTCTL_EXIT_OK);

  device_words_init (&words);
  groups = pt_host_get_groups (host);
  n = g_list_model_get_n_items (groups);
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtIommuGroup) group = g_list_model_get_item (groups, i);
      GListModel *members = pt_iommu_group_get_devices (group);

      if (i > 0)
        ptctl_printf ("\n");
      print_group_heading (group);
      for (j = 0; j < g_list_model_get_n_items (members); j++)
        {
          g_autoptr(PtDevice) device = g_list_model_get_item (members, j);

          print_device (device, &words);
        }
    }

  devices = pt_host_get_devices (host);
  for (i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PtDevice) device = g_list_model_get_item (devices, i);

      if (pt_device_get_iommu_group (device) >= 0)
        continue;

      if (!heading)
        {
          if (n > 0)
            ptctl_printf ("\n");
          ptctl_printf ("%s\n", _("No IOMMU group (the IOMMU is off):"));
          heading = TRUE;
        }
      print_device (device, &words);
    }

  return ptctl_end_output (PTCTL_EXIT_OK);
}

int
ptctl_cmd_groups (PtctlContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  GListModel *groups;
  guint i, j, n;
  int status;

  if (!no_arguments (ctx, "groups", &status))
    return status;

  host = ptctl_scan_host (ctx, &error);
  if (host == NULL)
    return ptctl_fail ("%s", error->message);

  ptctl_begin_output ();
  if (ctx->json)
    return write_json (host, pt_host_write_groups_json, PTCTL_EXIT_OK);

  groups = pt_host_get_groups (host);
  n = g_list_model_get_n_items (groups);
  if (n == 0)
    ptctl_printf ("%s\n", _("There are no IOMMU groups: the IOMMU is off. Run “passthroughctl check” "
                            "to see why."));

  for (i = 0; i < n; i++)
    {
      g_autoptr(PtIommuGroup) group = g_list_model_get_item (groups, i);
      GListModel *members = pt_iommu_group_get_devices (group);

      print_group_heading (group);
      for (j = 0; j < g_list_model_get_n_items (members); j++)
        {
          g_autoptr(PtDevice) device = g_list_model_get_item (members, j);
          const char *driver = pt_device_get_driver (device);
          const char *role = pt_device_is_bridge (device) ? _(" (bridge)") : "";

          g_autofree char *vm = pt_device_get_vm (device) != NULL
            ? g_strdup_printf (_(" — given to %s"), pt_device_get_vm (device)) : NULL;

          ptctl_printf ("  %s %s: %s %s [%s]%s%s%s\n",
                        pt_device_get_address (device),
                        pt_device_get_class_name (device),
                        pt_device_get_vendor_name (device),
                        pt_device_get_device_name (device),
                        driver != NULL ? driver : _("no driver"),
                        role,
                        pt_device_is_used_by_host (device) ? _(" — used by the host") : "",
                        vm != NULL ? vm : "");
        }
    }

  return ptctl_end_output (PTCTL_EXIT_OK);
}

static const char *
status_tag (PtCheckStatus status)
{
  switch (status)
    {
    case PT_CHECK_PASS:
      return _("[ ok ]");
    case PT_CHECK_WARN:
      return _("[warn]");
    case PT_CHECK_FAIL:
    default:
      return _("[FAIL]");
    }
}

int
ptctl_cmd_check (PtctlContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  GListModel *checks;
  guint i, n, failed = 0;
  int status;

  if (!no_arguments (ctx, "check", &status))
    return status;

  host = ptctl_scan_host (ctx, &error);
  if (host == NULL)
    return ptctl_fail ("%s", error->message);

  ptctl_begin_output ();
  if (ctx->json)
    return write_json (host, pt_host_write_checks_json,
                       pt_host_is_ready (host) ? PTCTL_EXIT_OK : PTCTL_EXIT_NOT_READY);

  checks = pt_host_get_checks (host);
  n = g_list_model_get_n_items (checks);
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtCheck) check = g_list_model_get_item (checks, i);
      const char *fix = pt_check_get_fix (check);

      if (pt_check_get_status (check) == PT_CHECK_FAIL)
        failed++;

      ptctl_printf ("%s ", status_tag (pt_check_get_status (check)));
      /* TRANSLATORS: a check's title, then what it found */
      ptctl_printf (C_("check line", "%s: %s\n"), pt_check_get_title (check),
                    pt_check_get_summary (check));
      if (fix != NULL)
        ptctl_printf ("       %s%s\n", _("To fix: "), fix);
      if (pt_check_get_fix_command (check) != NULL)
        {
          /* TRANSLATORS: %s is a passthroughctl command line */
          g_autofree char *how = g_strdup_printf (_("“%s --dry-run” shows this change; without "
                                                    "--dry-run it makes it."),
                                                  pt_check_get_fix_command (check));

          ptctl_printf ("       %s\n", how);
        }
    }

  ptctl_printf ("\n");
  if (failed == 0)
    ptctl_printf ("%s\n", _("This host is ready for PCI passthrough."));
  else
    ptctl_printf (g_dngettext (GETTEXT_PACKAGE,
                               "This host is not ready for PCI passthrough: %u check failed.\n",
                               "This host is not ready for PCI passthrough: %u checks failed.\n",
                               failed),
                  failed);

  return ptctl_end_output (failed == 0 ? PTCTL_EXIT_OK : PTCTL_EXIT_NOT_READY);
}
