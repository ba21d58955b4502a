/* ptctl-change-commands.c
 *
 * The write side of passthroughctl: bind, unbind, vfs and boot
 * (enable-iommu, history, undo). A dry run computes the plan here, with the
 * same core functions the helper uses, and needs no privilege. Applying runs
 * passthrough-helper through pkexec (directly as root), which computes the
 * plan again itself and applies it; its progress is printed as it comes.
 *
 * With --root the host is a tree, not this machine: dry runs read it, and
 * applying needs the helper's test build named by PASSTHROUGH_TEST_HELPER,
 * since the installed helper only ever changes "/".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "passthroughctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pt-boot-plan.h"
#include "pt-change-history.h"
#include "pt-device-plan.h"
#include "pt-early-bind-plan.h"
#include "pt-helper-client.h"
#include "pt-json-writer.h"
#include "pt-sysfs.h"
#include "ptctl-context.h"

typedef struct
{
  GMainLoop *loop;
  char *result;
  GError *error;
} Wait;

static void
on_progress (PtHelperClient *client,
             guint           step,
             guint           n_steps,
             const char     *text,
             gpointer        user_data)
{
  PtctlContext *ctx = user_data;

  if (!ctx->json)
    g_print ("[%u/%u] %s\n", step, n_steps, text);
}

static void
on_output (PtHelperClient *client,
           const char     *line,
           gpointer        user_data)
{
  PtctlContext *ctx = user_data;

  if (!ctx->json)
    g_print ("    %s\n", line);
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = pt_helper_client_run_finish (PT_HELPER_CLIENT (source), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static PtHelperClient *
helper_client (PtctlContext  *ctx,
               GError       **error)
{
  const char *test_helper;

  if (ctx->root == NULL)
    return pt_helper_client_new ();

  test_helper = g_getenv ("PASSTHROUGH_TEST_HELPER");
  if (test_helper == NULL || test_helper[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("--root only previews changes (add --dry-run): the installed helper "
                             "changes this host and nothing else"));
      return NULL;
    }
  return pt_helper_client_new_for_root (test_helper, ctx->root);
}

static void
print_plan (PtctlContext *ctx,
            PtPlan       *plan)
{
  g_autofree char *text = ctx->json ? pt_plan_to_json (plan) : pt_plan_to_text (plan);

  if (ctx->json)
    ptctl_print_document (text);
  else
    g_print ("%s", text);
}

/* Shows the plan; unless it is a dry run or empty, has the helper apply it. */
static int
preview_or_apply (PtctlContext       *ctx,
                  PtPlan             *plan,
                  const char * const *helper_args)
{
  g_autoptr(PtHelperClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Wait wait = { 0 };

  if (ctx->dry_run || pt_plan_is_empty (plan))
    {
      print_plan (ctx, plan);
      return PTCTL_EXIT_OK;
    }

  client = helper_client (ctx, &error);
  if (client == NULL)
    return ptctl_fail ("%s", error->message);

  g_signal_connect (client, "progress", G_CALLBACK (on_progress), ctx);
  g_signal_connect (client, "output", G_CALLBACK (on_output), ctx);

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  pt_helper_client_run_async (client, helper_args, NULL, run_done, &wait);
  g_main_loop_run (loop);

  if (wait.error != NULL)
    {
      int status = ptctl_fail ("%s", wait.error->message);

      g_error_free (wait.error);
      return status;
    }

  if (ctx->json)
    print_plan (ctx, plan);
  g_free (wait.result);
  return PTCTL_EXIT_OK;
}

static gboolean
expect_arguments (PtctlContext  *ctx,
                  const char    *command,
                  const char    *options,
                  guint          n,
                  const char    *usage,
                  int           *status)
{
  if (!ptctl_only_options (ctx, command, options, status))
    return FALSE;
  if (g_strv_length (ctx->args) == n)
    return TRUE;
  *status = ptctl_fail (_("usage: passthroughctl %s"), usage);
  return FALSE;
}

static PtDevicePlanFlags
plan_flags (PtctlContext *ctx)
{
  return (ctx->force ? PT_DEVICE_PLAN_FORCE : 0) |
         (ctx->device_only ? PT_DEVICE_PLAN_DEVICE_ONLY : 0) |
         (ctx->keep_vfs_free ? PT_DEVICE_PLAN_KEEP_VFS_FREE : 0);
}

/* bind, unbind and vfs share this: scan, plan, preview or apply. */
static int
device_command (PtctlContext *ctx,
                const char   *verb)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *address = ctx->args[0];
  int count = 0;

  if (!pt_sysfs_is_pci_address (address))
    return ptctl_fail (_("“%s” is not a PCI address like 0000:01:00.0"), address);

  if (g_str_equal (verb, "set-vfs"))
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (ctx->args[1], 10, 0, 65535, &value, NULL))
        return ptctl_fail (_("“%s” is not a number of virtual functions"), ctx->args[1]);
      count = (int) value;
    }

  root = pt_root_open (ctx->root != NULL ? ctx->root : "/", &error);
  host = root != NULL ? ptctl_scan_host (ctx, &error) : NULL;
  if (host == NULL)
    return ptctl_fail ("%s", error->message);

  if (g_str_equal (verb, "bind"))
    plan = pt_device_plan_bind (root, host, address, plan_flags (ctx), &error);
  else if (g_str_equal (verb, "return"))
    plan = pt_device_plan_return (host, address, plan_flags (ctx), &error);
  else
    plan = pt_device_plan_vfs (host, address, count, plan_flags (ctx), &error);
  if (plan == NULL)
    return ptctl_fail ("%s", error->message);

  /* --force is its own polkit action (asked every time), chosen by the helper's first argument. */
  g_ptr_array_add (args, (char *) (g_str_equal (verb, "set-vfs") ? "sriov"
                                   : ctx->force ? "bind-devices-force" : "bind-devices"));
  g_ptr_array_add (args, (char *) verb);
  g_ptr_array_add (args, (char *) address);
  if (g_str_equal (verb, "set-vfs"))
    g_ptr_array_add (args, ctx->args[1]);
  if (ctx->device_only)
    g_ptr_array_add (args, (char *) "--device-only");
  if (ctx->keep_vfs_free)
    g_ptr_array_add (args, (char *) "--keep-vfs-free");
  g_ptr_array_add (args, NULL);

  return preview_or_apply (ctx, plan, (const char * const *) args->pdata);
}

int
ptctl_cmd_bind (PtctlContext *ctx)
{
  int status;

  if (!expect_arguments (ctx, "bind", "dry-run force", 1, "bind ADDRESS [--force] [--dry-run]", &status))
    return status;
  return device_command (ctx, "bind");
}

int
ptctl_cmd_unbind (PtctlContext *ctx)
{
  int status;

  if (!expect_arguments (ctx, "unbind", "dry-run device-only", 1,
                         "unbind ADDRESS [--device-only] [--dry-run]", &status))
    return status;
  return device_command (ctx, "return");
}

int
ptctl_cmd_vfs (PtctlContext *ctx)
{
  int status;

  if (!expect_arguments (ctx, "vfs", "dry-run keep-vfs-free", 2,
                         "vfs ADDRESS COUNT [--keep-vfs-free] [--dry-run]", &status))
    return status;
  return device_command (ctx, "set-vfs");
}

static int
print_history (PtctlContext *ctx,
               PtRoot       *root)
{
  g_autoptr(GPtrArray) changes = pt_change_history_list (root);
  g_autofree char *boot_id = pt_root_read_line (root, "proc/sys/kernel/random/boot_id");
  PtChange *pending = pt_change_history_pending_restart (changes, boot_id);
  guint i;

  if (ctx->json)
    {
      PtJsonWriter *writer = pt_json_writer_new (TRUE);
      g_autofree char *text = NULL;

      pt_json_writer_begin_array (writer);
      for (i = 0; i < changes->len; i++)
        {
          PtChange *change = g_ptr_array_index (changes, i);

          pt_json_writer_begin_object (writer);
          pt_json_writer_key (writer, "id");
          pt_json_writer_int (writer, change->id);
          pt_json_writer_key (writer, "time");
          pt_json_writer_string (writer, change->time);
          pt_json_writer_key (writer, "state");
          pt_json_writer_string (writer, change->state);
          pt_json_writer_key (writer, "summary");
          pt_json_writer_string (writer, change->summary);
          pt_json_writer_key (writer, "files");
          pt_json_writer_strv (writer, (const char * const *) change->paths);
          pt_json_writer_key (writer, "restart_pending");
          pt_json_writer_bool (writer, change == pending);
          pt_json_writer_end_object (writer);
        }
      pt_json_writer_end_array (writer);
      text = pt_json_writer_free_to_string (writer);
      ptctl_print_document (text);
      return PTCTL_EXIT_OK;
    }

  if (changes->len == 0)
    g_print ("%s\n", _("No boot changes were made by Passthrough on this host."));
  for (i = 0; i < changes->len; i++)
    {
      PtChange *change = g_ptr_array_index (changes, i);
      g_autofree char *files = g_strjoinv (", ", change->paths);

      g_print ("%u  %s  %-11s %s\n      %s\n", change->id, change->time != NULL ? change->time : "",
               change->state != NULL ? change->state : "", change->summary != NULL ? change->summary : "",
               files);
    }
  if (pending != NULL)
    g_print ("\n%s\n", _("A restart is needed: the latest change was made since this computer started."));
  return PTCTL_EXIT_OK;
}

/* boot early-bind (--by-id|--by-address) ADDRESS… */
static int
early_bind (PtctlContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  char **addresses = ctx->args + 1;
  guint i;

  if (ctx->by_id == ctx->by_address)
    return ptctl_fail (_("say how to bind at boot: --by-address (the chosen devices only; works with "
                         "identical devices) or --by-id (every device with the same IDs)"));
  if (g_strv_length (addresses) > 8)
    return ptctl_fail (_("at most 8 devices at a time"));
  for (i = 0; addresses[i] != NULL; i++)
    if (!pt_sysfs_is_pci_address (addresses[i]))
      return ptctl_fail (_("“%s” is not a PCI address like 0000:01:00.0"), addresses[i]);

  root = pt_root_open (ctx->root != NULL ? ctx->root : "/", &error);
  host = root != NULL ? ptctl_scan_host (ctx, &error) : NULL;
  if (host == NULL)
    return ptctl_fail ("%s", error->message);
  plan = pt_early_bind_plan (root, host, (const char * const *) addresses,
                             ctx->by_id ? PT_EARLY_BIND_BY_ID : PT_EARLY_BIND_BY_ADDRESS, &error);
  if (plan == NULL)
    return ptctl_fail ("%s", error->message);

  g_ptr_array_add (args, (char *) "configure-boot");
  g_ptr_array_add (args, (char *) (ctx->by_id ? "early-bind-ids" : "early-bind-addresses"));
  for (i = 0; addresses[i] != NULL; i++)
    g_ptr_array_add (args, addresses[i]);
  g_ptr_array_add (args, NULL);
  return preview_or_apply (ctx, plan, (const char * const *) args->pdata);
}

/*
 * boot enable-iommu | early-bind … | once-without | history | undo [CHANGE]
 */
int
ptctl_cmd_boot (PtctlContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GArray) undone = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *verb = ctx->args[0];
  guint n = g_strv_length (ctx->args);
  int status;

  if (!ptctl_only_options (ctx, "boot", g_strcmp0 (verb, "early-bind") == 0 ? "dry-run by-id by-address"
                                                                           : "dry-run", &status))
    return status;
  if (verb == NULL ||
      !((g_str_equal (verb, "enable-iommu") && n == 1) || (g_str_equal (verb, "history") && n == 1) ||
        (g_str_equal (verb, "undo") && n <= 2) || (g_str_equal (verb, "early-bind") && n >= 2) ||
        (g_str_equal (verb, "once-without") && n == 1)))
    return ptctl_fail (_("“boot” takes one of: enable-iommu, early-bind (--by-id|--by-address) ADDRESS…, "
                         "once-without, history, undo [CHANGE]"));

  if (g_str_equal (verb, "early-bind"))
    return early_bind (ctx);

  root = pt_root_open (ctx->root != NULL ? ctx->root : "/", &error);
  if (root == NULL)
    return ptctl_fail ("%s", error->message);

  if (g_str_equal (verb, "history"))
    return print_history (ctx, root);

  if (g_str_equal (verb, "once-without"))
    {
      const char *args[] = { "configure-boot", "boot-once-without", NULL };
      g_autoptr(PtBootSetup) boot = pt_boot_setup_detect (root);

      plan = pt_boot_plan_once_without (root, boot, &error);
      if (plan == NULL)
        return ptctl_fail ("%s", error->message);
      return preview_or_apply (ctx, plan, args);
    }

  if (g_str_equal (verb, "enable-iommu"))
    {
      const char *args[] = { "configure-boot", "enable-iommu", NULL };

      plan = pt_boot_plan_enable_iommu_for_root (root, &error);
      if (plan == NULL)
        return ptctl_fail ("%s", error->message);
      return preview_or_apply (ctx, plan, args);
    }
  else
    {
      const char *args[] = { "configure-boot", "undo", ctx->args[1], NULL };
      guint64 id = 0;

      if (ctx->args[1] != NULL &&
          !g_ascii_string_to_unsigned (ctx->args[1], 10, 1, G_MAXINT, &id, NULL))
        return ptctl_fail (_("“%s” is not a change number from “passthroughctl boot history”"),
                           ctx->args[1]);
      plan = pt_change_history_undo_plan (root, (guint) id, undone, &error);
      if (plan == NULL)
        return ptctl_fail ("%s", error->message);
      return preview_or_apply (ctx, plan, args);
    }
}
