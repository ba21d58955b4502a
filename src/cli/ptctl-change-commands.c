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

#include <unistd.h>

#include <glib/gi18n.h>
#include <stdio.h>

#include "pt-change-history.h"
#include "pt-helper-client.h"
#include "pt-host-change.h"
#include "pt-json-writer.h"
#include "pt-sysfs.h"
#include "pt-sandbox.h"
#include "pt-verdict.h"
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

/* A host reached through --connect (unless a tree stands for it) is not
 * this computer: this computer's helper would change this one instead. */
static gboolean
is_other_host (PtctlContext *ctx)
{
  return ctx->root == NULL && pt_uri_is_remote (ctx->connect);
}

static int
refuse_other_host (PtctlContext       *ctx,
                   const PtHostChange *change)
{
  g_autofree char *advice = pt_verdict_dup_remote_advice (change, ctx->connect);

  return ptctl_fail ("%s", advice);
}

/* Shows the plan; unless it is a dry run or empty, has the helper apply it.
 * A host reached through --connect is not this computer: the local helper
 * would change this one, so the command to run there is shown instead. */
/* Runs @change in the helper, which plans it again as root and applies it. */
static int
run_helper (PtctlContext       *ctx,
            const PtHostChange *change)
{
  g_autoptr(PtHelperClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(GStrv) helper_args = NULL;
  Wait wait = { 0 };

  client = helper_client (ctx, &error);
  if (client == NULL)
    return ptctl_fail ("%s", error->message);

  g_signal_connect (client, "progress", G_CALLBACK (on_progress), ctx);
  g_signal_connect (client, "output", G_CALLBACK (on_output), ctx);

  helper_args = pt_host_change_to_argv (change);
  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  pt_helper_client_run_async (client, (const char * const *) helper_args, NULL, run_done, &wait);
  g_main_loop_run (loop);

  if (wait.error != NULL)
    {
      int status = ptctl_fail ("%s", wait.error->message);

      g_error_free (wait.error);
      return status;
    }

  g_free (wait.result);
  return PTCTL_EXIT_OK;
}

static int
preview_or_apply (PtctlContext       *ctx,
                  PtPlan             *plan,
                  const PtHostChange *change)
{
  int status;

  if (ctx->dry_run || pt_plan_is_empty (plan))
    {
      print_plan (ctx, plan);
      return PTCTL_EXIT_OK;
    }

  if (is_other_host (ctx))
    {
      print_plan (ctx, plan);
      return refuse_other_host (ctx, change);
    }

  status = run_helper (ctx, change);
  if (status == PTCTL_EXIT_OK && ctx->json)
    print_plan (ctx, plan);
  return status;
}

/* Plans @change on the host the options name and previews or applies it. */
static int
plan_and_apply (PtctlContext       *ctx,
                const PtHostChange *change,
                gboolean            needs_host)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtRoot) root = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) plan = NULL;

  /* A boot change is planned from the host's files, which libvirt does not
   * show: this computer's would be planned instead. */
  if (is_other_host (ctx) && pt_host_change_is_boot (change))
    return refuse_other_host (ctx, change);

  root = pt_root_open (ctx->root != NULL ? ctx->root : "/", &error);

  /* In the Flatpak sandbox the plan would be made from the runtime's /etc:
   * the one message every face gives, with the package and the command. */
  if (root != NULL && pt_sandbox_is_active (root))
    {
      g_autoptr(PtBootSetup) boot = pt_boot_setup_detect_sandboxed (root);
      g_autofree char *command = pt_host_change_to_command (change);
      g_autofree char *advice = pt_sandbox_dup_change_advice (boot, command);

      return ptctl_fail ("%s", advice);
    }

  if (root != NULL && needs_host)
    host = ptctl_scan_host (ctx, &error);
  if (root == NULL || (needs_host && host == NULL))
    return ptctl_fail ("%s", error->message);

  if (needs_host)
    {
      g_autoptr(PtVerdict) verdict =
        pt_verdict_for_host_change (host, change, NULL,
                                    is_other_host (ctx) ? _("State unknown on a remote host") : NULL,
                                    !ctx->vms_unseen);
      g_autofree char *words = pt_verdict_to_text (verdict, "--force");

      /* Another host is refused below whatever is acknowledged: its warnings are shown only. */
      if (verdict->kind == PT_VERDICT_REFUSED ||
          (verdict->kind == PT_VERDICT_NEEDS_ACKNOWLEDGEMENT && !ctx->force && !is_other_host (ctx)))
        return ptctl_fail ("%s", g_strchomp (words));
      if (verdict->kind == PT_VERDICT_NEEDS_ACKNOWLEDGEMENT)
        {
          guint i;

          for (i = 0; i < verdict->risks->len; i++)
            g_printerr (_("passthroughctl: warning: %s\n"), (const char *) g_ptr_array_index (verdict->risks, i));
        }
    }

  plan = pt_host_change_plan (change, root, host, &error);

  /* Some boot files are root's alone (grub.cfg on Debian): the helper
   * reads them after authentication, plans again and says what it does. */
  if (plan == NULL && g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ACCES) &&
      ctx->root == NULL && !ctx->dry_run && !ctx->json && !is_other_host (ctx) && geteuid () != 0)
    {
      g_printerr (_("passthroughctl: %s as your user; the helper plans this again as root once "
                    "you authenticate, and shows each step.\n"),
                  error->message);
      return run_helper (ctx, change);
    }

  /* A preview is planned by this user alone: say how to get one. */
  if (plan == NULL && g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ACCES) &&
      ctx->root == NULL && geteuid () != 0)
    {
      g_autofree char *command = pt_host_change_to_command (change);

      return ptctl_fail (_("%s as your user, so this cannot be planned without root. Preview it "
                           "as root (sudo %s --dry-run), or run “%s”: the helper plans it after "
                           "you authenticate and shows each step."),
                         error->message, command, command);
    }

  if (plan == NULL)
    return ptctl_fail ("%s", error->message);
  return preview_or_apply (ctx, plan, change);
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

/* --force acknowledges the verdict's risks for every device change; only
 * a bind carries it to the helper, as its own authorisation to take what
 * the host uses. */
static PtHostChangeFlags
change_flags (PtctlContext     *ctx,
              PtHostChangeKind  kind)
{
  return (ctx->force && kind == PT_HOST_CHANGE_BIND ? PT_HOST_CHANGE_FORCE : 0) |
         (ctx->device_only ? PT_HOST_CHANGE_DEVICE_ONLY : 0) |
         (ctx->keep_vfs_free ? PT_HOST_CHANGE_KEEP_VFS_FREE : 0);
}

/* bind, unbind and vfs share this: scan, plan, preview or apply. */
static int
device_command (PtctlContext     *ctx,
                PtHostChangeKind  kind)
{
  g_autoptr(GError) error = NULL;
  const char *addresses[] = { ctx->args[0], NULL };
  PtHostChange change;
  int count = 0;

  if (!pt_sysfs_is_pci_address (addresses[0]))
    return ptctl_fail (_("“%s” is not a PCI address like 0000:01:00.0"), addresses[0]);

  if (kind == PT_HOST_CHANGE_SET_VFS)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (ctx->args[1], 10, 0, PT_HOST_CHANGE_MAX_VFS, &value, NULL))
        return ptctl_fail (_("“%s” is not a number of virtual functions"), ctx->args[1]);
      count = (int) value;
    }

  if (!pt_host_change_init (&change, kind, addresses, count, 0, change_flags (ctx, kind), &error))
    return ptctl_fail ("%s", error->message);
  return plan_and_apply (ctx, &change, TRUE);
}

int
ptctl_cmd_bind (PtctlContext *ctx)
{
  int status;

  if (!expect_arguments (ctx, "bind", "dry-run force", 1, "bind ADDRESS [--force] [--dry-run]", &status))
    return status;
  return device_command (ctx, PT_HOST_CHANGE_BIND);
}

int
ptctl_cmd_unbind (PtctlContext *ctx)
{
  int status;

  if (!expect_arguments (ctx, "unbind", "dry-run device-only force", 1,
                         "unbind ADDRESS [--device-only] [--force] [--dry-run]", &status))
    return status;
  return device_command (ctx, PT_HOST_CHANGE_RETURN);
}

int
ptctl_cmd_vfs (PtctlContext *ctx)
{
  int status;

  if (!expect_arguments (ctx, "vfs", "dry-run keep-vfs-free force", 2,
                         "vfs ADDRESS COUNT [--keep-vfs-free] [--force] [--dry-run]", &status))
    return status;
  return device_command (ctx, PT_HOST_CHANGE_SET_VFS);
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
  char **addresses = ctx->args + 1;
  PtHostChange change;
  guint i;

  if (ctx->by_id == ctx->by_address)
    return ptctl_fail (_("say how to bind at boot: --by-address (the chosen devices only; works with "
                         "identical devices) or --by-id (every device with the same IDs)"));
  if (g_strv_length (addresses) > PT_HOST_CHANGE_MAX_ADDRESSES)
    return ptctl_fail (_("at most 8 devices at a time"));
  for (i = 0; addresses[i] != NULL; i++)
    if (!pt_sysfs_is_pci_address (addresses[i]))
      return ptctl_fail (_("“%s” is not a PCI address like 0000:01:00.0"), addresses[i]);

  if (!pt_host_change_init (&change, ctx->by_id ? PT_HOST_CHANGE_EARLY_BIND_IDS
                                                : PT_HOST_CHANGE_EARLY_BIND_ADDRESSES,
                            (const char * const *) addresses, 0, 0, PT_HOST_CHANGE_FLAGS_NONE, &error))
    return ptctl_fail ("%s", error->message);
  return plan_and_apply (ctx, &change, TRUE);
}

/*
 * boot enable-iommu | early-bind … | once-without | history | undo [CHANGE]
 */
int
ptctl_cmd_boot (PtctlContext *ctx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtRoot) root = NULL;
  PtHostChangeKind kind = PT_HOST_CHANGE_UNDO;
  PtHostChange change;
  guint64 id = 0;
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

  if (g_str_equal (verb, "history"))
    {
      /* This computer's history is not that host's. */
      if (is_other_host (ctx) &&
          pt_host_change_init (&change, PT_HOST_CHANGE_HISTORY, NULL, 0, 0, PT_HOST_CHANGE_FLAGS_NONE, NULL))
        return refuse_other_host (ctx, &change);
      root = pt_root_open (ctx->root != NULL ? ctx->root : "/", &error);
      if (root == NULL)
        return ptctl_fail ("%s", error->message);
      return print_history (ctx, root);
    }

  if (g_str_equal (verb, "once-without"))
    kind = PT_HOST_CHANGE_BOOT_ONCE_WITHOUT;
  else if (g_str_equal (verb, "enable-iommu"))
    kind = PT_HOST_CHANGE_ENABLE_IOMMU;
  else if (ctx->args[1] != NULL &&
           !g_ascii_string_to_unsigned (ctx->args[1], 10, 1, G_MAXINT, &id, NULL))
    return ptctl_fail (_("“%s” is not a change number from “passthroughctl boot history”"),
                       ctx->args[1]);

  if (!pt_host_change_init (&change, kind, NULL, 0, (guint) id, PT_HOST_CHANGE_FLAGS_NONE, &error))
    return ptctl_fail ("%s", error->message);
  return plan_and_apply (ctx, &change, FALSE);
}
