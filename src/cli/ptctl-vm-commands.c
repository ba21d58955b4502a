/* ptctl-vm-commands.c
 *
 * The libvirt side of passthroughctl: vms, attach, detach.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthroughctl"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-error.h"
#include "pt-json-writer.h"
#include "pt-vm-plan.h"
#include "pt-host-change.h"
#include "pt-verdict.h"
#include "ptctl-context.h"

static void
write_vm_json (PtVm         *vm,
               PtJsonWriter *writer)
{
  pt_json_writer_begin_object (writer);
  pt_json_writer_key (writer, "name");
  pt_json_writer_string (writer, pt_vm_get_name (vm));
  pt_json_writer_key (writer, "title");
  pt_json_writer_string (writer, pt_vm_get_title (vm));
  pt_json_writer_key (writer, "state");
  pt_json_writer_string (writer, pt_vm_state_to_string (pt_vm_get_state (vm)));
  pt_json_writer_key (writer, "devices");
  pt_json_writer_strv (writer, pt_vm_get_devices (vm));
  pt_json_writer_end_object (writer);
}

/* @text followed by spaces to @columns terminal columns (CJK counts two). */
static void
print_column (const char *text,
              guint       columns)
{
  guint used = 0;
  const char *p;

  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    used += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  g_print ("%s", text);
  do
    g_print (" ");
  while (++used < columns);
}

int
ptctl_cmd_vms (PtctlContext *ctx)
{
  g_autoptr(PtConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *vms;
  guint i, n;
  int status;

  if (!ptctl_only_options (ctx, "vms", "", &status))
    return status;
  if (ctx->args[0] != NULL)
    return ptctl_fail (_("“vms” takes no arguments, but got “%s”"), ctx->args[0]);

  connection = ptctl_open_connection (ctx, TRUE, &error);
  if (connection == NULL)
    return ptctl_fail ("%s", error->message);

  vms = pt_connection_get_vms (connection);
  n = g_list_model_get_n_items (vms);

  if (ctx->json)
    {
      PtJsonWriter *writer = pt_json_writer_new (TRUE);
      g_autofree char *text = NULL;

      pt_json_writer_begin_array (writer);
      for (i = 0; i < n; i++)
        {
          g_autoptr(PtVm) vm = g_list_model_get_item (vms, i);

          write_vm_json (vm, writer);
        }
      pt_json_writer_end_array (writer);
      text = pt_json_writer_free_to_string (writer);
      ptctl_print_document (text);
      return PTCTL_EXIT_OK;
    }

  if (n == 0)
    {
      g_print (_("There are no virtual machines on %s.\n"), pt_connection_get_uri (connection));
      return PTCTL_EXIT_OK;
    }

  /* TRANSLATORS: the column headings of “passthroughctl vms” */
  print_column (_("NAME"), 25);
  print_column (_("STATE"), 10);
  g_print ("%s\n", _("PCI DEVICES"));
  for (i = 0; i < n; i++)
    {
      g_autoptr(PtVm) vm = g_list_model_get_item (vms, i);
      g_autofree char *devices = g_strjoinv (", ", (char **) pt_vm_get_devices (vm));

      print_column (pt_vm_get_name (vm), 25);
      print_column (pt_vm_state_to_string (pt_vm_get_state (vm)), 10);
      g_print ("%s\n", devices[0] != '\0' ? devices : _("(no PCI devices)"));
    }

  return PTCTL_EXIT_OK;
}

static gboolean
parse_rom_bar (const char  *text,
               PtRomBar    *rom_bar,
               int         *status)
{
  if (text == NULL)
    *rom_bar = PT_ROM_BAR_DEFAULT;
  else if (g_str_equal (text, "on"))
    *rom_bar = PT_ROM_BAR_ON;
  else if (g_str_equal (text, "off"))
    *rom_bar = PT_ROM_BAR_OFF;
  else
    {
      *status = ptctl_fail (_("--rom-bar takes “on” or “off”, not “%s”"), text);
      return FALSE;
    }

  return TRUE;
}

/* A running VM that cannot take the change now can at its next start. */
static int
fail_with_advice (const GError *error)
{
  if (g_error_matches (error, PT_ERROR, PT_ERROR_NEEDS_RESTART))
    return ptctl_fail ("%s %s", error->message,
                       _("Run the same command with --config to change only the saved "
                         "definition."));
  return ptctl_fail ("%s", error->message);
}

static int
print_or_apply (PtctlContext *ctx,
                PtConnection *connection,
                PtVmPlan     *plan)
{
  g_autoptr(GError) error = NULL;

  if (!ctx->dry_run && !pt_vm_plan_apply (plan, connection, NULL, &error))
    return fail_with_advice (error);

  if (ctx->json)
    {
      PtJsonWriter *writer = pt_json_writer_new (TRUE);
      g_autofree char *text = NULL;

      pt_vm_plan_write_json (plan, writer);
      text = pt_json_writer_free_to_string (writer);
      ptctl_print_document (text);
    }
  else if (ctx->dry_run)
    {
      g_print ("%s\n%s\n\n", _("Would do:"), pt_vm_plan_get_summary (plan));
      g_print (_("The definition of “%s” would change like this (+ added, - removed):\n"),
               pt_vm_plan_get_vm (plan));
      ptctl_print_document (pt_vm_plan_get_diff (plan));
    }
  else
    g_print ("%s %s\n", _("Done:"), pt_vm_plan_get_summary (plan));

  return PTCTL_EXIT_OK;
}

static int
run_vm_change (PtctlContext *ctx,
               PtVmPlanKind  kind)
{
  const char *command = kind == PT_VM_PLAN_ATTACH ? "attach" : "detach";
  const char *allowed = kind == PT_VM_PLAN_ATTACH
                        ? "vm rom-bar rom-file move config unmanaged dry-run yes"
                        : "vm config dry-run";
  g_autoptr(PtConnection) connection = NULL;
  g_autoptr(PtVmPlan) plan = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(GError) error = NULL;
  PtHostdevOptions options = { 0 };
  PtVmPlanFlags flags = PT_VM_PLAN_FLAGS_NONE;
  int status;

  if (!ptctl_only_options (ctx, command, allowed, &status))
    return status;
  if (ctx->vm == NULL)
    return ptctl_fail (_("“%s” needs --vm NAME; “passthroughctl vms” lists the names"), command);
  if (ctx->args[0] == NULL)
    return ptctl_fail (_("“%s” needs at least one PCI address, e.g. 0000:01:00.0"), command);
  if (!parse_rom_bar (ctx->rom_bar, &options.rom_bar, &status))
    return status;
  options.rom_file = ctx->rom_file;
  options.unmanaged = ctx->unmanaged;
  if (ctx->rom_file != NULL && !g_path_is_absolute (ctx->rom_file))
    return ptctl_fail (_("--rom-file needs an absolute path, as libvirt reads it: %s"),
                       ctx->rom_file);

  if (ctx->move)
    flags |= PT_VM_PLAN_MOVE;
  if (ctx->config_only)
    flags |= PT_VM_PLAN_CONFIG_ONLY;

  connection = ptctl_open_connection (ctx, TRUE, &error);
  if (connection == NULL)
    return ptctl_fail ("%s", error->message);

  if (kind == PT_VM_PLAN_ATTACH)
    {
      g_autoptr(GError) scan_error = NULL;

      host = ptctl_scan_host (ctx, &scan_error);

      /* Not seeing the host is no reason to refuse: libvirt checks again
       * when the VM starts. */
      if (host == NULL)
        g_printerr (_("passthroughctl: warning: cannot check that the host has these devices: "
                      "%s\n"),
                    scan_error->message);
      plan = pt_vm_plan_new_attach (connection, host, ctx->vm, (const char * const *) ctx->args,
                                    &options, flags, &error);
    }
  else
    plan = pt_vm_plan_new_detach (connection, ctx->vm, (const char * const *) ctx->args,
                                  flags, &error);
  if (plan == NULL)
    return fail_with_advice (error);

  if (kind == PT_VM_PLAN_ATTACH)
    {
      g_autoptr(PtVerdict) verdict =
        pt_verdict_for_give (host, (const char * const *) ctx->args,
                             ctx->root == NULL && pt_uri_is_remote (ctx->connect)
                               ? _("State unknown on a remote host") : NULL);
      g_autofree char *words = pt_verdict_to_text (verdict, "--yes");

      if (verdict->kind == PT_VERDICT_REFUSED ||
          (verdict->kind == PT_VERDICT_NEEDS_ACKNOWLEDGEMENT && !ctx->yes))
        return ptctl_fail ("%s", g_strchomp (words));
      for (guint i = 0; i < verdict->risks->len; i++)
        g_printerr (_("passthroughctl: warning: %s\n"), (const char *) g_ptr_array_index (verdict->risks, i));
    }

  return print_or_apply (ctx, connection, plan);
}

int
ptctl_cmd_attach (PtctlContext *ctx)
{
  return run_vm_change (ctx, PT_VM_PLAN_ATTACH);
}

int
ptctl_cmd_detach (PtctlContext *ctx)
{
  return run_vm_change (ctx, PT_VM_PLAN_DETACH);
}
